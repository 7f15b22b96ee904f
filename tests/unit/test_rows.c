/*
 * Unit tests for lib/rows: rows held under byte-string keys, sorted stably,
 * with settle_key_int making numbers (negative ones too) sort as numbers.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

static const int64_t ordered[] = {
	INT64_MIN, INT64_MIN + 1, -4294967296LL, -65536, -256, -255, -2, -1,
	0, 1, 2, 255, 256, 65535, 65536, 4294967296LL, INT64_MAX - 1,
	INT64_MAX,
};

Test(rows, key_int_orders_as_numbers)
{
	unsigned char a[8], b[8];
	size_t i, j, n = sizeof(ordered) / sizeof(ordered[0]);

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int c;

			cr_assert_eq(settle_key_int(a, ordered[i]), 8);
			cr_assert_eq(settle_key_int(b, ordered[j]), 8);
			c = memcmp(a, b, 8);
			cr_expect((i < j && c < 0) || (i == j && c == 0) ||
			    (i > j && c > 0), "%lld vs %lld: memcmp %d",
			    (long long)ordered[i], (long long)ordered[j], c);
		}
	settle_key_int(a, 0);
	cr_expect_eq(a[0], 0x80);
	cr_expect_eq(a[7], 0x00);
	settle_key_int(a, -1);
	cr_expect_eq(a[0], 0x7f);
	cr_expect_eq(a[7], 0xff);
}

/* Write s into a string (caller frees). */
static char *
written(struct settle_rows *s, size_t *len)
{
	char *mem = NULL;
	size_t ml = 0;
	FILE *m = open_memstream(&mem, &ml);

	cr_assert_not_null(m);
	cr_assert_eq(settle_rows_write(s, m), 0);
	cr_assert_eq(fclose(m), 0);
	*len = ml;
	return mem;
}

static void
add_int(struct settle_rows *s, int64_t k, const char *row)
{
	unsigned char key[8];

	settle_key_int(key, k);
	cr_assert_eq(settle_rows_add(s, key, 8, row, strlen(row)), 0);
}

Test(rows, sorts_numbers_with_sign)
{
	static const int64_t in[] = { 10, -3, 0, 7, -100, 2, -1, 1000000 };
	struct settle_rows s;
	char row[32], *out;
	size_t i, len;

	settle_rows_init(&s);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		snprintf(row, sizeof(row), "%lld\n", (long long)in[i]);
		add_int(&s, in[i], row);
	}
	cr_expect_eq(s.n, sizeof(in) / sizeof(in[0]));
	settle_rows_sort(&s);
	out = written(&s, &len);
	cr_expect_str_eq(out, "-100\n-3\n-1\n0\n2\n7\n10\n1000000\n");
	free(out);
	settle_rows_release(&s);
}

Test(rows, stable_for_equal_keys)
{
	struct settle_rows s;
	char *out;
	size_t len;

	settle_rows_init(&s);
	add_int(&s, 2, "b1\n");
	add_int(&s, 1, "a1\n");
	add_int(&s, 2, "b2\n");
	add_int(&s, 1, "a2\n");
	add_int(&s, 2, "b3\n");
	add_int(&s, 1, "a3\n");
	settle_rows_sort(&s);
	out = written(&s, &len);
	cr_expect_str_eq(out, "a1\na2\na3\nb1\nb2\nb3\n");
	free(out);
	settle_rows_release(&s);
}

/* Keys as canon.h builds them: text, a NUL, then a number. */
static void
add_text_int(struct settle_rows *s, const char *t, int64_t k, const char *row)
{
	unsigned char key[64];
	size_t tl = strlen(t);

	memcpy(key, t, tl);
	key[tl] = 0;
	settle_key_int(key + tl + 1, k);
	cr_assert_eq(settle_rows_add(s, key, tl + 9, row, strlen(row)), 0);
}

Test(rows, composite_keys)
{
	struct settle_rows s;
	char *out;
	size_t len;

	settle_rows_init(&s);
	add_text_int(&s, "b.csv", -1, "b-1\n");
	add_text_int(&s, "a.csv", 10, "a10\n");
	add_text_int(&s, "a.csv", 9, "a9\n");
	add_text_int(&s, "a.csv.gz", 1, "agz1\n");
	add_text_int(&s, "a.csv", -5, "a-5\n");
	add_text_int(&s, "B.csv", 1, "B1\n");
	settle_rows_sort(&s);
	out = written(&s, &len);
	/* Bytes: 'B' < 'a' < 'b'; "a.csv" NUL sorts before "a.csv.gz". */
	cr_expect_str_eq(out, "B1\na-5\na9\na10\nagz1\nb-1\n");
	free(out);
	settle_rows_release(&s);
}

/* A shorter key that is a prefix of a longer one sorts first. */
Test(rows, prefix_keys)
{
	struct settle_rows s;
	char *out;
	size_t len;

	settle_rows_init(&s);
	cr_assert_eq(settle_rows_add(&s, "abc", 3, "3\n", 2), 0);
	cr_assert_eq(settle_rows_add(&s, "ab", 2, "2\n", 2), 0);
	cr_assert_eq(settle_rows_add(&s, "abd", 3, "4\n", 2), 0);
	cr_assert_eq(settle_rows_add(&s, "a", 1, "1\n", 2), 0);
	settle_rows_sort(&s);
	out = written(&s, &len);
	cr_expect_str_eq(out, "1\n2\n3\n4\n");
	free(out);
	settle_rows_release(&s);
}

Test(rows, in_order_rows_are_not_resorted)
{
	struct settle_rows s;
	char *out;
	size_t len;

	settle_rows_init(&s);
	add_int(&s, -2, "x\n");
	add_int(&s, -2, "y\n");
	add_int(&s, 5, "z\n");
	cr_expect_eq(s.unsorted, 0);
	add_int(&s, 4, "w\n");
	cr_expect_neq(s.unsorted, 0);
	settle_rows_sort(&s);
	cr_expect_eq(s.unsorted, 0);
	out = written(&s, &len);
	cr_expect_str_eq(out, "x\ny\nw\nz\n");
	free(out);
	settle_rows_release(&s);
}

Test(rows, clear_keeps_memory)
{
	struct settle_rows s;
	char *out;
	size_t len;

	settle_rows_init(&s);
	add_int(&s, 3, "three\n");
	add_int(&s, 1, "one\n");
	settle_rows_clear(&s);
	cr_expect_eq(s.n, 0);
	cr_expect_not_null(s.arena);
	out = written(&s, &len);
	cr_expect_eq(len, 0);
	free(out);
	add_int(&s, 2, "two\n");
	add_int(&s, 1, "one\n");
	settle_rows_sort(&s);
	out = written(&s, &len);
	cr_expect_str_eq(out, "one\ntwo\n");
	free(out);
	settle_rows_release(&s);
	cr_expect_null(s.arena);
	cr_expect_eq(s.n, 0);
}

/* Many rows past the first arena and index sizes, in a scrambled order. */
Test(rows, many_rows)
{
	struct settle_rows s;
	char row[64], *out, *p;
	size_t len, i, n = 200000;
	long long prev, v;

	settle_rows_init(&s);
	for (i = 0; i < n; i++) {
		int64_t k = (int64_t)((i * 7919) % n) - (int64_t)(n / 2);

		snprintf(row, sizeof(row), "%lld,%s\n", (long long)k,
		    "padding-to-grow-the-arena-past-one-mebibyte");
		add_int(&s, k, row);
	}
	cr_assert_eq(s.failed, 0);
	settle_rows_sort(&s);
	out = written(&s, &len);
	prev = -(long long)n;
	i = 0;
	for (p = out; p < out + len; p = strchr(p, '\n') + 1) {
		v = strtoll(p, NULL, 10);
		cr_assert_gt(v, prev, "row %zu: %lld after %lld", i, v, prev);
		prev = v;
		i++;
	}
	cr_expect_eq(i, n);
	free(out);
	settle_rows_release(&s);
}
