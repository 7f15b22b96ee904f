/*
 * Open-addressing string map with tombstones.
 */
#include <stdlib.h>
#include <string.h>

#include "dedup.h"
#include "strmap.h"

static char tomb;

void
strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
strmap_release(struct strmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static uint32_t
hash(const char *key, size_t len)
{
	return (uint32_t)settle_hash64(key, len, 7);
}

static struct strmap_slot *
find(const struct strmap *m, const char *key, size_t len, uint32_t h,
    int for_insert)
{
	size_t mask = m->cap - 1, i = (size_t)h & mask;
	struct strmap_slot *first_tomb = NULL, *s;

	for (;;) {
		s = &m->slots[i];
		if (s->key == NULL)
			return for_insert && first_tomb != NULL ? first_tomb :
			    s;
		if (s->key == &tomb) {
			if (first_tomb == NULL)
				first_tomb = s;
		} else if (s->hash == h && s->len == len &&
		    memcmp(s->key, key, len) == 0) {
			return s;
		}
		i = (i + 1) & mask;
	}
}

/* Rehash into a table of cap slots (a power of two). */
static int
rehash(struct strmap *m, size_t cap)
{
	struct strmap old = *m;
	struct strmap_slot *s;
	size_t i;

	m->cap = cap;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (m->slots == NULL) {
		*m = old;
		return -1;
	}
	m->used = m->n;
	for (i = 0; i < old.cap; i++) {
		if (old.slots[i].key == NULL || old.slots[i].key == &tomb)
			continue;
		s = find(m, old.slots[i].key, old.slots[i].len,
		    old.slots[i].hash, 1);
		*s = old.slots[i];
	}
	free(old.slots);
	return 0;
}

static int
grow(struct strmap *m)
{
	return rehash(m, m->cap ? (m->n * 4 > m->cap ? m->cap * 2 : m->cap) :
	    64);
}

int
strmap_reserve(struct strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;

	/* The table grows past two-thirds full. */
	while ((n + 1) * 3 > cap * 2) {
		if (cap > SIZE_MAX / 4 / sizeof(struct strmap_slot))
			return -1;
		cap *= 2;
	}
	return cap > m->cap ? rehash(m, cap) : 0;
}

void *
strmap_get(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_slot *s;

	if (m->cap == 0)
		return NULL;
	if (len > UINT32_MAX)
		return NULL;
	s = find(m, key, len, hash(key, len), 0);
	return s->key != NULL && s->key != &tomb ? s->val : NULL;
}

int
strmap_put(struct strmap *m, const char *key, size_t len, void *val)
{
	struct strmap_slot *s;
	uint32_t h;

	if (len > UINT32_MAX)
		return -1;
	h = hash(key, len);
	if ((m->used + 1) * 3 > m->cap * 2 && grow(m) < 0)
		return -1;
	s = find(m, key, len, h, 1);
	if (s->key != NULL && s->key != &tomb) {
		s->val = val;
		return 0;
	}
	if (s->key == NULL)
		m->used++;
	s->key = key;
	s->len = (uint32_t)len;
	s->hash = h;
	s->val = val;
	m->n++;
	return 0;
}

void
strmap_del(struct strmap *m, const char *key, size_t len)
{
	struct strmap_slot *s;

	if (m->cap == 0)
		return;
	if (len > UINT32_MAX)
		return;
	s = find(m, key, len, hash(key, len), 0);
	if (s->key == NULL || s->key == &tomb)
		return;
	s->key = &tomb;
	s->val = NULL;
	m->n--;
}

struct strmap_slot *
strmap_next(const struct strmap *m, size_t *i)
{
	for (; *i < m->cap; (*i)++)
		if (m->slots[*i].key != NULL && m->slots[*i].key != &tomb)
			return &m->slots[(*i)++];
	return NULL;
}

const struct strmap_slot *
strmap_slot_at(const struct strmap *m, size_t i)
{
	const struct strmap_slot *s;

	if (i >= m->cap)
		return NULL;
	s = &m->slots[i];
	return s->key != NULL && s->key != &tomb ? s : NULL;
}
