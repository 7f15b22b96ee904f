/*
 * A merge sort of string keys (see strsort.h).  Merge sort for its
 * stability and its bound; the comparison is inlined.
 */
#include <stdlib.h>
#include <string.h>

#include "strsort.h"

void
settle_skey_set(struct settle_skey *k)
{
	const unsigned char *p = (const unsigned char *)k->s;
	uint64_t w[2] = { 0, 0 };
	int i;

	for (i = 0; i < 16 && p[i] != '\0'; i++)
		w[i >> 3] |= (uint64_t)p[i] << (56 - 8 * (i & 7));
	k->hi = w[0];
	k->lo = w[1];
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
