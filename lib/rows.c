/*
 * Row sets: hold, sort and write output rows.
 */
#include <stdlib.h>
#include <string.h>

#include "rows.h"

void
settle_rows_init(struct settle_rows *s)
{
	memset(s, 0, sizeof(*s));
}

void
settle_rows_release(struct settle_rows *s)
{
	free(s->arena);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void
settle_rows_clear(struct settle_rows *s)
{
	s->alen = 0;
	s->n = 0;
	s->unsorted = 0;
}

static int
cmp_rows(const struct settle_rows *s, const struct settle_row *a,
    const struct settle_row *b)
{
	size_t m = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(s->arena + a->off, s->arena + b->off, m);

	if (c != 0)
		return c;
	return (a->klen > b->klen) - (a->klen < b->klen);
}

int
settle_rows_add(struct settle_rows *s, const void *key, size_t klen,
    const char *row, size_t rlen)
{
	size_t need = klen + rlen, ncap;
	void *p;

	if (klen > UINT32_MAX || rlen > UINT32_MAX)
		return -1;
	if (s->alen + need > s->acap) {
		ncap = s->acap ? s->acap : 1 << 20;
		while (ncap < s->alen + need)
			ncap *= 2;
		if ((p = realloc(s->arena, ncap)) == NULL)
			return s->failed = -1;
		s->arena = p;
		s->acap = ncap;
	}
	if (s->n == s->cap) {
		ncap = s->cap ? s->cap * 2 : 4096;
		if ((p = realloc(s->v, ncap * sizeof(*s->v))) == NULL)
			return s->failed = -1;
		s->v = p;
		s->cap = ncap;
	}
	memcpy(s->arena + s->alen, key, klen);
	memcpy(s->arena + s->alen + klen, row, rlen);
	s->v[s->n].off = s->alen;
	s->v[s->n].klen = (uint32_t)klen;
	s->v[s->n].rlen = (uint32_t)rlen;
	s->alen += need;
	if (s->n > 0 && cmp_rows(s, &s->v[s->n - 1], &s->v[s->n]) > 0)
		s->unsorted = 1;
	s->n++;
	return 0;
}

/* Merge sort: stable, so rows with equal keys keep their arrival order. */
static void
msort(const struct settle_rows *s, struct settle_row *v,
    struct settle_row *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	msort(s, v, tmp, h);
	msort(s, v + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = cmp_rows(s, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

void
settle_rows_sort(struct settle_rows *s)
{
	struct settle_row *tmp;

	if (!s->unsorted || s->n < 2)
		return;
	tmp = malloc(s->n * sizeof(*tmp));
	if (tmp == NULL) {
		s->failed = -1;
		return;
	}
	msort(s, s->v, tmp, s->n);
	free(tmp);
	s->unsorted = 0;
}

int
settle_rows_write(struct settle_rows *s, FILE *f)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (fwrite(s->arena + s->v[i].off + s->v[i].klen, 1,
		    s->v[i].rlen, f) != s->v[i].rlen)
			return -1;
	return 0;
}

size_t
settle_key_int(unsigned char *k, int64_t v)
{
	uint64_t u = (uint64_t)v ^ (UINT64_C(1) << 63);
	int i;

	for (i = 7; i >= 0; i--) {
		k[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
	return 8;
}
