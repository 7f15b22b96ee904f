/*
 * Open-addressing string map with tombstones.
 */
#include <stdlib.h>
#include <string.h>

#include "dedup.h"
#include "strmap.h"

static char tomb;

void
strmap_init(struct strmap *m, strmap_key_fn key)
{
	memset(m, 0, sizeof(*m));
	m->key = key;
}

void
strmap_release(struct strmap *m)
{
	strmap_key_fn key = m->key;

	free(m->slots);
	memset(m, 0, sizeof(*m));
	m->key = key;
}

static int
live(const struct strmap_slot *s)
{
	return s->val != NULL && s->val != &tomb;
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
		if (s->val == NULL)
			return for_insert && first_tomb != NULL ? first_tomb :
			    s;
		if (s->val == &tomb) {
			if (first_tomb == NULL)
				first_tomb = s;
		} else if (s->hash == h && s->len == len &&
		    memcmp(m->key(s->val), key, len) == 0) {
			return s;
		}
		i = (i + 1) & mask;
	}
}

/* The first empty slot from hash h's home (a table with no tombstones). */
static struct strmap_slot *
empty_for(const struct strmap *m, uint32_t h)
{
	size_t mask = m->cap - 1, i = (size_t)h & mask;

	while (m->slots[i].val != NULL)
		i = (i + 1) & mask;
	return &m->slots[i];
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
		if (!live(&old.slots[i]))
			continue;
		s = empty_for(m, old.slots[i].hash);
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
	return live(s) ? s->val : NULL;
}

void
strmap_prefetch(const struct strmap *m, const char *key, size_t len)
{
	if (m->cap > 0)
		__builtin_prefetch(&m->slots[hash(key, len) & (m->cap - 1)]);
}

/* A few slots at most: past them the hint is not worth its time. */
#define PEEK_SLOTS 4

void *
strmap_peek(const struct strmap *m, const char *key, size_t len)
{
	const struct strmap_slot *s;
	size_t i, k;
	uint32_t h;

	if (m->cap == 0)
		return NULL;
	h = hash(key, len);
	for (i = h & (m->cap - 1), k = 0; k < PEEK_SLOTS; k++) {
		s = &m->slots[i];
		if (s->val == NULL)
			return NULL;
		if (s->val != &tomb && s->hash == h && s->len == len)
			return s->val;
		i = (i + 1) & (m->cap - 1);
	}
	return NULL;
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
	if (live(s)) {
		s->val = val;
		return 0;
	}
	if (s->val == NULL)
		m->used++;
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
	if (!live(s))
		return;
	s->val = &tomb;
	m->n--;
}

struct strmap_slot *
strmap_next(const struct strmap *m, size_t *i)
{
	for (; *i < m->cap; (*i)++)
		if (live(&m->slots[*i]))
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
	return live(s) ? s : NULL;
}
