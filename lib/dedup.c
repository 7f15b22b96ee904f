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
find(struct settle_dedup *t, uint64_t id1, uint64_t id2)
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

/*
 * A zeroed table.  Zeroing a large one with memset, on huge pages where
 * there are any, costs fewer page faults than calloc()'s untouched pages
 * that the first random reads and writes fault in twice.
 */
static struct settle_dedup_entry *
alloc_slots(size_t cap)
{
	size_t bytes = cap * sizeof(struct settle_dedup_entry);
	void *p = settle_bigmem_alloc(bytes);

	if (p != NULL)
		memset(p, 0, bytes);
	return p;
}

static int
grow(struct settle_dedup *t)
{
	struct settle_dedup old = *t;
	size_t i;

	t->cap = old.cap ? old.cap * 2 : 1024;
	t->slots = alloc_slots(t->cap);
	if (t->slots == NULL) {
		*t = old;
		return -1;
	}
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].id1 != 0 || old.slots[i].id2 != 0)
			*find(t, old.slots[i].id1, old.slots[i].id2) =
			    old.slots[i];
	free(old.slots);
	return 0;
}

int
settle_dedup_put(struct settle_dedup *t, const struct settle_dedup_entry *e)
{
	struct settle_dedup_entry *s;

	if ((t->n + 1) * 3 > t->cap * 2 && grow(t) < 0)
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
	e->id2 = mix(b ^ k) | 1;	/* never all zero */
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
	e.date = date;
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
