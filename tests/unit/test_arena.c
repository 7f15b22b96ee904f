/*
 * Unit tests for lib/arena (the bump allocator of references, groups and
 * records) and lib/strsort (the string-key merge sort of the state, the
 * matches and the payouts).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "strsort.h"

Test(arena, small_objects_share_blocks)
{
	struct settle_arena a;
	int i;

	settle_arena_init(&a);
	for (i = 0; i < 100000; i++) {
		cr_assert_not_null(settle_arena_zalloc(&a, 170));
		cr_assert_not_null(settle_arena_strndup(&a, "CA820009385BD",
		    13));
	}
	/*
	 * 100,000 x (170 + 14) bytes, the objects on 8-byte boundaries:
	 * about 18 MB, in 1 MiB blocks.
	 */
	cr_assert_lt(a.total, (size_t)20 * 1024 * 1024, "held %zu", a.total);
	cr_assert_geq(a.total, (size_t)100000 * 184);
	settle_arena_release(&a);
	cr_assert_eq(a.total, 0);
}

Test(arena, aligned_and_zeroed)
{
	struct settle_arena a;
	unsigned char *p;
	int i, j;

	settle_arena_init(&a);
	for (i = 1; i < 300; i++) {
		cr_assert_not_null(settle_arena_strndup(&a, "x", 1));
		p = settle_arena_zalloc(&a, (size_t)i);
		cr_assert_not_null(p);
		cr_assert_eq((uintptr_t)p % 8, 0, "size %d at %p", i, p);
		for (j = 0; j < i; j++)
			cr_assert_eq(p[j], 0);
		memset(p, 0xa5, (size_t)i);
	}
	settle_arena_release(&a);
}

Test(arena, large_requests_keep_the_current_block)
{
	struct settle_arena a;
	char *s, *big;

	settle_arena_init(&a);
	s = settle_arena_strndup(&a, "before", 6);
	big = settle_arena_alloc(&a, 3 * 1024 * 1024);
	cr_assert_not_null(big);
	memset(big, 'b', 3 * 1024 * 1024);
	/* The next small one still comes from the first block. */
	cr_assert_eq(settle_arena_strndup(&a, "after", 5), s + 7);
	cr_assert_str_eq(s, "before");
	cr_assert_lt(a.total, (size_t)5 * 1024 * 1024);
	settle_arena_release(&a);
}

Test(arena, strndup_copies_and_terminates)
{
	struct settle_arena a;
	char *s;

	settle_arena_init(&a);
	s = settle_arena_strndup(&a, "GP26112500000113xyz", 16);
	cr_assert_str_eq(s, "GP26112500000113");
	s = settle_arena_strndup(&a, "", 0);
	cr_assert_str_eq(s, "");
	cr_assert_null(settle_arena_alloc(&a, SIZE_MAX - 8));
	settle_arena_release(&a);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Against qsort with strcmp, on keys sharing long prefixes. */
Test(strsort, orders_as_strcmp)
{
	static const char *fixed[] = {
		"", "A", "AB", "ABC", "ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOPQ",
		"ABCDEFGHIJKLMNOPQR", "ABCDEFGHIJKLMNOPA", "ABCDEFGHIJKLMNO",
		"\x7f", "\xc3\xa9", "a", "Z", "ABCDEFGH", "ABCDEFGI",
	};
	enum { N = 5000 };
	struct settle_skey *k = calloc(N, sizeof(*k));
	char **s = calloc(N, sizeof(*s)), **want = calloc(N, sizeof(*want));
	unsigned x = 12345;
	size_t i, nf = sizeof(fixed) / sizeof(fixed[0]);

	cr_assert(k && s && want);
	for (i = 0; i < N; i++) {
		s[i] = calloc(40, 1);
		if (i < nf) {
			strcpy(s[i], fixed[i]);
		} else {
			x = x * 1103515245u + 12345u;
			snprintf(s[i], 40, "ABCDEFGHIJKLMNO%c%u", 'A' + (x >> 8) %
			    3, (x >> 12) % 50);
		}
		want[i] = s[i];
		k[i].s = s[i];
		k[i].i = i;
		settle_skey_set(&k[i]);
	}
	qsort(want, N, sizeof(*want), cmp_str);
	cr_assert_eq(settle_skey_sort(k, N), 0);
	for (i = 0; i < N; i++) {
		cr_assert_str_eq(k[i].s, want[i], "at %zu", i);
		if (i > 0 && strcmp(k[i].s, k[i - 1].s) == 0)
			cr_assert_gt(k[i].i, k[i - 1].i, "ties keep order");
	}
	for (i = 0; i < N; i++)
		free(s[i]);
	free(s);
	free(want);
	free(k);
}

/* Items for settle_skey_visit: strings, some missing (NULL). */
struct vctx {
	char **s;
	size_t *out;
	size_t nout, stop_at;
	size_t n, hints, bad;		/* hints given; hints out of range */
};

static const char *
vkey(void *ctx, size_t i)
{
	return ((struct vctx *)ctx)->s[i];
}

static void
vhint(void *ctx, size_t i, int level)
{
	struct vctx *c = ctx;

	c->hints++;
	if (i >= c->n || (level != 0 && level != 1))
		c->bad++;
}

static int
vvisit(void *ctx, size_t i)
{
	struct vctx *c = ctx;

	c->out[c->nout++] = i;
	return c->nout == c->stop_at ? 7 : 0;
}

/*
 * Visiting in parts gives the order of one whole sort (ties by index),
 * skips missing items, whatever the number of parts, with or without
 * hints (told only of items that exist), and stops when told.
 */
Test(strsort, visit_in_parts_as_one_sort)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 300, 20000 };
	static const size_t parts[] = { 1, 2, 3, 8, 64, 255, 1000 };
	enum { N = 20000 };
	struct settle_skey *k = calloc(N, sizeof(*k));
	char **s = calloc(N, sizeof(*s));
	size_t *out = calloc(N, sizeof(*out));
	struct vctx c;
	unsigned x = 777;
	size_t a, b, h, i, n, m;

	cr_assert(k && s && out);
	for (i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		if ((x >> 9) % 11 == 0)
			continue;	/* no item */
		s[i] = calloc(40, 1);
		cr_assert_not_null(s[i]);
		/* Long shared prefixes, many ties. */
		snprintf(s[i], 40, "%sECAB-%04u-%u", (x >> 20) % 5 ? "" :
		    "RR", (x >> 8) % 40, (x >> 14) % 300);
	}
	for (a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++) {
		n = sizes[a];
		for (i = 0, m = 0; i < n; i++) {
			if (s[i] == NULL)
				continue;
			k[m].s = s[i];
			k[m].i = i;
			settle_skey_set(&k[m++]);
		}
		cr_assert_eq(settle_skey_sort(k, m), 0);
		for (b = 0; b < 2 * sizeof(parts) / sizeof(parts[0]); b++) {
			h = b & 1;
			memset(&c, 0, sizeof(c));
			c.s = s;
			c.out = out;
			c.n = n;
			cr_assert_eq(settle_skey_visit(n, parts[b / 2], vkey,
			    h ? vhint : NULL, vvisit, &c), 0);
			cr_assert_eq(c.nout, m, "n %zu parts %zu", n,
			    parts[b / 2]);
			for (i = 0; i < m; i++)
				cr_assert_eq(out[i], k[i].i, "n %zu parts %zu "
				    "hints %zu at %zu", n, parts[b / 2], h, i);
			cr_assert_eq(c.bad, 0, "hint out of range");
			if (h && m > 20)
				cr_assert_gt(c.hints, m, "hints not given");
		}
	}
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.out = out;
	c.n = N;
	c.stop_at = 5;
	cr_expect_eq(settle_skey_visit(N, 8, vkey, vhint, vvisit, &c), 7);
	cr_expect_eq(c.nout, 5, "visiting goes on after a non-zero result");
	for (i = 0; i < N; i++)
		free(s[i]);
	free(s);
	free(out);
	free(k);
}
