/*
 * A merge sort of string keys (see strsort.h).  Merge sort for its
 * stability and its bound; the comparison is inlined.
 */
#include <stdlib.h>
#include <string.h>

#include "strsort.h"

static inline uint64_t
be64(const unsigned char *b)
{
	return (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 |
	    (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 |
	    (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 |
	    (uint64_t)b[6] << 8 | (uint64_t)b[7];
}

void
settle_skey_set(struct settle_skey *k)
{
	unsigned char b[16] = { 0 };

	memcpy(b, k->s, strnlen(k->s, 16));
	k->hi = be64(b);
	k->lo = be64(b + 8);
}

static inline int
before(const struct settle_skey *a, const struct settle_skey *b)
{
	int c;

	if (a->hi != b->hi)
		return a->hi < b->hi;
	if (a->lo != b->lo)
		return a->lo < b->lo;
	/* Equal first 16 bytes: a 16th byte means both go on. */
	if ((a->lo & 0xff) != 0 && (c = strcmp(a->s + 16, b->s + 16)) != 0)
		return c < 0;
	return a->i < b->i;
}

static void
insertion(struct settle_skey *v, size_t n)
{
	struct settle_skey t;
	size_t i, j;

	for (i = 1; i < n; i++) {
		t = v[i];
		for (j = i; j > 0 && before(&t, &v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

/* Sort v[0..n) using tmp[0..n); the result ends in v. */
static void
msort(struct settle_skey *v, struct settle_skey *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n <= 24) {
		insertion(v, n);
		return;
	}
	msort(v, tmp, h);
	msort(v + h, tmp, n - h);
	if (!before(&v[h], &v[h - 1]))
		return;			/* already in order */
	while (i < h && j < n)
		tmp[k++] = before(&v[j], &v[i]) ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	memcpy(v, tmp, k * sizeof(*v));
}

int
settle_skey_sort(struct settle_skey *v, size_t n)
{
	struct settle_skey *tmp;

	if (n < 2)
		return 0;
	if ((tmp = malloc(n * sizeof(*tmp))) == NULL)
		return -1;
	msort(v, tmp, n);
	free(tmp);
	return 0;
}

/* The part of k: how many splitters are at or before it. */
static size_t
part_of(const struct settle_skey *k, const struct settle_skey *sp,
    size_t nsp)
{
	size_t lo = 0, hi = nsp, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (before(k, &sp[mid]))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Item i's key into k; 0, or -1 for no item. */
static int
key_at(const char *(*key)(void *, size_t), void *ctx, size_t i,
    struct settle_skey *k)
{
	if ((k->s = key(ctx, i)) == NULL)
		return -1;
	k->i = i;
	settle_skey_set(k);
	return 0;
}

#define SAMPLES_PER_PART 256
/* How far ahead hint() is told of an item, at level 0 and at level 1. */
#define AHEAD0 16
#define AHEAD1 8

/* Hints for the items of idx[j + AHEAD1], idx[j + AHEAD0] of n. */
static inline void
hint_ahead(void (*hint)(void *, size_t, int), void *ctx,
    const struct settle_skey *v, size_t j, size_t n)
{
	if (hint == NULL)
		return;
	if (j + AHEAD0 < n)
		hint(ctx, v[j + AHEAD0].i, 0);
	if (j + AHEAD1 < n)
		hint(ctx, v[j + AHEAD1].i, 1);
}

int
settle_skey_visit(size_t n, size_t parts,
    const char *(*key)(void *ctx, size_t i),
    void (*hint)(void *ctx, size_t i, int level),
    int (*visit)(void *ctx, size_t i), void *ctx)
{
	struct settle_skey *v = NULL, *sp = NULL, *split = NULL, k;
	unsigned char *part = NULL;
	size_t i, j, m, p, ns = 0, nsp = 0, step, most = 0, *count = NULL;
	int rc = -1;

	if (parts < 1)
		parts = 1;
	if (parts > 255)
		parts = 255;
	/* Splitters: every (ns / parts)-th key of a sorted sample. */
	step = n / (parts * SAMPLES_PER_PART) + 1;
	if ((sp = malloc((n / step + 2) * sizeof(*sp))) == NULL ||
	    (split = malloc(parts * sizeof(*split))) == NULL ||
	    (count = calloc(parts, sizeof(*count))) == NULL ||
	    (part = malloc(n + 1)) == NULL)
		goto out;
	for (i = 0; i < n; i += step)
		if (key_at(key, ctx, i, &sp[ns]) == 0)
			ns++;
	if (settle_skey_sort(sp, ns) < 0)
		goto out;
	for (p = 1; p < parts && ns > 0; p++)
		split[nsp++] = sp[p * ns / parts];
	/* Each item's part, and the size of the largest. */
	for (i = 0; i < n; i++) {
		if (hint != NULL) {
			if (i + AHEAD0 < n)
				hint(ctx, i + AHEAD0, 0);
			if (i + AHEAD1 < n)
				hint(ctx, i + AHEAD1, 1);
		}
		if (key_at(key, ctx, i, &k) < 0) {
			part[i] = 255;
			continue;
		}
		part[i] = (unsigned char)part_of(&k, split, nsp);
		count[part[i]]++;
	}
	for (p = 0; p <= nsp; p++)
		if (count[p] > most)
			most = count[p];
	if ((v = malloc((most + 1) * sizeof(*v))) == NULL)
		goto out;
	rc = 0;
	for (p = 0; p <= nsp && rc == 0; p++) {
		/* The part's items first, then their keys with hints. */
		for (i = 0, m = 0; i < n; i++)
			if (part[i] == p)
				v[m++].i = i;
		for (i = 0, j = 0; i < m; i++) {
			hint_ahead(hint, ctx, v, i, m);
			if (key_at(key, ctx, v[i].i, &k) == 0)
				v[j++] = k;
		}
		if (settle_skey_sort(v, j) < 0) {
			rc = -1;
			break;
		}
		for (i = 0; i < j && rc == 0; i++) {
			hint_ahead(hint, ctx, v, i, j);
			rc = visit(ctx, v[i].i);
		}
	}
out:
	free(v);
	free(sp);
	free(split);
	free(count);
	free(part);
	return rc;
}
