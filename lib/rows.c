/*
 * Row sets: hold, sort and write output rows; past a memory budget, spill
 * sorted runs of them to a temporary file.
 */
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "rows.h"
#include "spill.h"

#define ARENA_START (1 << 20)

/* The rows in memory, in index order, as a spill source. */
struct mem_iter {
	const struct settle_rows *s;
	size_t i;
};

void
settle_rows_init(struct settle_rows *s)
{
	memset(s, 0, sizeof(*s));
}

void
settle_rows_release(struct settle_rows *s)
{
	settle_spill_free(s->spill);
	free(s->arena);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void
settle_rows_written(struct settle_rows *s)
{
	size_t n = settle_rows_count(s);

	settle_rows_release(s);
	s->spilled = n;
}

void
settle_rows_clear(struct settle_rows *s)
{
	s->alen = 0;
	s->n = 0;
	s->unsorted = 0;
	s->spilled = 0;
	if (s->spill != NULL)
		settle_spill_clear(s->spill);
}

int
settle_rows_set_spill(struct settle_rows *s, size_t budget)
{
	if (s->spill == NULL && (s->spill = settle_spill_new()) == NULL)
		return s->failed = -1;
	s->budget = budget;
	return 0;
}

size_t
settle_rows_count(const struct settle_rows *s)
{
	return s->spilled + s->n;
}

int
settle_rows_error(const struct settle_rows *s, struct settle_err *err)
{
	if (s->spill != NULL && settle_spill_strerror(s->spill)[0] != '\0')
		return settle_err_set(err, SETTLE_EIO, NULL, 0, NULL, "%s",
		    settle_spill_strerror(s->spill));
	if (s->failed)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory holding output rows");
	return 0;
}

static int
mem_next(void *ctx, struct settle_spill_rec *r)
{
	struct mem_iter *it = ctx;
	const struct settle_row *v;

	if (it->i >= it->s->n)
		return 0;
	v = &it->s->v[it->i++];
	r->key = (const unsigned char *)it->s->arena + v->off;
	r->klen = v->klen;
	r->row = it->s->arena + v->off + v->klen;
	r->rlen = v->rlen;
	return 1;
}

/* The rows in memory, sorted, become the spill's next run. */
static int
spill_run(struct settle_rows *s)
{
	struct mem_iter it;

	settle_rows_sort(s);
	if (s->failed)
		return -1;
	it.s = s;
	it.i = 0;
	if (settle_spill_add_run(s->spill, mem_next, &it) < 0)
		return -1;
	s->spilled += s->n;
	s->alen = 0;
	s->n = 0;
	s->unsorted = 0;
	return 0;
}

static int
over_budget(const struct settle_rows *s, size_t need)
{
	return s->budget > 0 && s->n > 0 && s->alen + need +
	    (s->n + 1) * sizeof(*s->v) > s->budget;
}

/*
 * A set with a budget takes its whole arena at once, on huge pages where
 * there are any: it fills the same memory again between spills.
 */
static int
budget_arena(struct settle_rows *s, size_t need)
{
	size_t ncap = s->alen + need > s->budget ? s->alen + need : s->budget;
	char *p = settle_bigmem_alloc(ncap);

	if (p == NULL)
		return -1;
	if (s->alen > 0)
		memcpy(p, s->arena, s->alen);
	free(s->arena);
	s->arena = p;
	s->acap = ncap;
	return 0;
}

/* Room for need more arena bytes. */
static int
reserve_arena(struct settle_rows *s, size_t need)
{
	size_t ncap;
	void *p;

	if (s->alen + need <= s->acap)
		return 0;
	if (s->budget > 0)
		return budget_arena(s, need);
	ncap = s->acap ? s->acap : ARENA_START;
	while (ncap < s->alen + need)
		ncap *= 2;
	if ((p = realloc(s->arena, ncap)) == NULL)
		return -1;
	s->arena = p;
	s->acap = ncap;
	return 0;
}

static int
reserve_index(struct settle_rows *s)
{
	size_t ncap;
	void *p;

	if (s->n < s->cap)
		return 0;
	ncap = s->cap ? s->cap * 2 : 4096;
	if ((p = realloc(s->v, ncap * sizeof(*s->v))) == NULL)
		return -1;
	s->v = p;
	s->cap = ncap;
	return 0;
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
	size_t need = klen + rlen;

	if (klen > UINT32_MAX || rlen > UINT32_MAX)
		return -1;
	if (over_budget(s, need) && spill_run(s) < 0)
		return s->failed = -1;
	if (reserve_arena(s, need) < 0 || reserve_index(s) < 0)
		return s->failed = -1;
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
	struct mem_iter it;

	it.s = s;
	it.i = 0;
	if (s->spilled == 0)
		return settle_spill_copy(mem_next, &it, f);
	settle_rows_sort(s);
	if (s->failed)
		return -1;
	return settle_spill_write(s->spill, mem_next, &it, f);
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
