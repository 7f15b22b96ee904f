/*
 * Open-addressing hash set of charge ids.  A 128-bit id hash makes a false
 * duplicate among even billions of ids practically impossible while keeping
 * entries a fixed 32 bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "dedup.h"

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/*
 * The last r (< 8) bytes as a word, as memcpy(&k, p, r) into a zero k
 * gives it, but in fixed-size pieces that need no call to memcpy.
 */
static uint64_t
load_tail(const unsigned char *p, size_t r)
{
	unsigned char b[8] = { 0 };
	uint64_t k;

	if (r >= 4) {
		memcpy(b, p, 4);
		memcpy(b + r - 4, p + r - 4, 4);
	} else if (r > 0) {
		b[0] = p[0];
		b[r / 2] = p[r / 2];
		b[r - 1] = p[r - 1];
	}
	memcpy(&k, b, sizeof(k));
	return k;
}

uint64_t
settle_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (len * UINT64_C(0x9e3779b97f4a7c15)), k;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&k, p + i, 8);
		h = mix(h ^ k) * UINT64_C(0x9e3779b97f4a7c15);
	}
	k = load_tail(p + i, len - i);
	h = mix(h ^ k ^ ((uint64_t)(len - i) << 56));
	return h;
}

void
settle_dedup_init(struct settle_dedup *t)
{
	memset(t, 0, sizeof(*t));
}

void
settle_dedup_release(struct settle_dedup *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static struct settle_dedup_entry *
find(struct settle_dedup *t, uint64_t id1, uint32_t id2)
{
	size_t mask = t->cap - 1, i = (size_t)id1 & mask;

	for (;;) {
		struct settle_dedup_entry *e = &t->slots[i];

		if ((e->id1 == 0 && e->id2 == 0) ||
		    (e->id1 == id1 && e->id2 == id2))
			return e;
		i = (i + 1) & mask;
	}
}

static int
is_empty(const struct settle_dedup_entry *e)
{
	return e->id1 == 0 && e->id2 == 0;
}

/* Take the entry at slot i out and put it where the current mask wants it. */
static void
reinsert(struct settle_dedup *t, size_t i)
{
	struct settle_dedup_entry e = t->slots[i];

	if (is_empty(&e))
		return;
	memset(&t->slots[i], 0, sizeof(e));
	*find(t, e.id1, e.id2) = e;
}

/*
 * Double the table where it is, so that a large table is never held twice
 * and its pages are moved rather than copied (realloc).  With the mask one
 * bit wider an entry's home is its old home or that plus the old size.
 * Going up from an empty slot s, each entry taken out and put back lands
 * at or before its old slot, or in the new upper half: never past an entry
 * not yet moved, so none already moved loses its way.  The entries in
 * [0, s), which may have wrapped round from the top, wait aside and go
 * back last.
 */
static int
grow_in_place(struct settle_dedup *t)
{
	size_t old = t->cap, s = 0, i;
	struct settle_dedup_entry *p, *aside = NULL;

	while (!is_empty(&t->slots[s]))
		s++;
	if (s > 0 && (aside = malloc(s * sizeof(*aside))) == NULL)
		return -1;
	if ((p = realloc(t->slots, 2 * old * sizeof(*p))) == NULL) {
		free(aside);
		return -1;
	}
	settle_bigmem_hint(p, 2 * old * sizeof(*p));
	memset(p + old, 0, old * sizeof(*p));
	t->slots = p;
	t->cap = 2 * old;
	if (s > 0) {
		memcpy(aside, p, s * sizeof(*p));
		memset(p, 0, s * sizeof(*p));
	}
	for (i = s + 1; i < old; i++)
		reinsert(t, i);
	for (i = 0; i < s; i++)
		*find(t, aside[i].id1, aside[i].id2) = aside[i];
	free(aside);
	return 0;
}

static int
grow(struct settle_dedup *t)
{
	if (t->cap > 0)
		return grow_in_place(t);
	if ((t->slots = calloc(1024, sizeof(*t->slots))) == NULL)
		return -1;
	t->cap = 1024;
	return 0;
}

int
settle_dedup_put(struct settle_dedup *t, const struct settle_dedup_entry *e)
{
	struct settle_dedup_entry *s;

	/* Doubled past three-quarters full. */
	if ((t->n + 1) * 4 > t->cap * 3 && grow(t) < 0)
		return -1;
	s = find(t, e->id1, e->id2);
	if (s->id1 == 0 && s->id2 == 0)
		t->n++;
	*s = *e;
	return 0;
}

/*
 * settle_hash64() with the two id seeds at once: one pass over the id
 * gives the same two values as two calls.
 */
void
settle_dedup_key(struct settle_dedup_entry *e, const char *id, size_t len)
{
	const unsigned char *p = (const unsigned char *)id;
	uint64_t a, b, k, lk = len * UINT64_C(0x9e3779b97f4a7c15);
	size_t i;

	a = 0x5e771e01 ^ lk;
	b = 0x5e771e02 ^ lk;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&k, p + i, 8);
		a = mix(a ^ k) * UINT64_C(0x9e3779b97f4a7c15);
		b = mix(b ^ k) * UINT64_C(0x9e3779b97f4a7c15);
	}
	k = load_tail(p + i, len - i) ^ (uint64_t)(len - i) << 56;
	e->id1 = mix(a ^ k);
	e->id2 = (uint32_t)(mix(b ^ k) >> 32) | 1;	/* never zero */
}

void
settle_dedup_prefetch(const struct settle_dedup *t,
    const struct settle_dedup_entry *e)
{
	const char *s;

	if (t->cap == 0)
		return;
	/* An entry may straddle two cache lines. */
	s = (const char *)&t->slots[(size_t)e->id1 & (t->cap - 1)];
	__builtin_prefetch(s);
	__builtin_prefetch(s + sizeof(*e) - 1);
}

int
settle_dedup_check_entry(struct settle_dedup *t,
    const struct settle_dedup_entry *e)
{
	struct settle_dedup_entry *s;

	if (t->cap > 0) {
		s = find(t, e->id1, e->id2);
		if (s->id1 != 0 || s->id2 != 0)
			return s->content == e->content ? SETTLE_DEDUP_SAME :
			    SETTLE_DEDUP_CONFLICT;
	}
	return settle_dedup_put(t, e) < 0 ? SETTLE_DEDUP_NOMEM :
	    SETTLE_DEDUP_NEW;
}

int
settle_dedup_check(struct settle_dedup *t, const char *id, size_t len,
    uint64_t content, int64_t date)
{
	struct settle_dedup_entry e;

	settle_dedup_key(&e, id, len);
	e.content = content;
	e.date = (int32_t)date;
	return settle_dedup_check_entry(t, &e);
}

int
settle_dedup_has(struct settle_dedup *t, const struct settle_dedup_entry *e)
{
	const struct settle_dedup_entry *s;

	if (t->cap == 0)
		return 0;
	s = find(t, e->id1, e->id2);
	return s->id1 != 0 || s->id2 != 0;
}
