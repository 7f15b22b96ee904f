/*
 * Unit tests for lib/rows: rows held under byte-string keys, sorted stably,
 * with settle_key_int making numbers (negative ones too) sort as numbers;
 * past a memory budget, spilled to a temporary file and merged back.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

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

/*
 * Spilling: a budget of a few hundred bytes makes every few rows a run on
 * the temporary file, so that merging, the many-run passes and the error
 * paths are all reached with small inputs.
 */

/* Keys of varied length (prefixes of one another too), many equal. */
static size_t
random_key(unsigned *seed, unsigned char *key)
{
	size_t i, len;

	*seed = *seed * 1103515245u + 12345u;
	len = (*seed >> 16) % 4;
	for (i = 0; i < len; i++) {
		*seed = *seed * 1103515245u + 12345u;
		key[i] = (unsigned char)('a' + (*seed >> 16) % 3);
	}
	return len;
}

/* The same rows into a set held in memory and one that spills. */
static void
fill_both(struct settle_rows *mem, struct settle_rows *sp, size_t budget,
    size_t n, unsigned seed)
{
	unsigned char key[8];
	char row[32];
	size_t i, kl;

	settle_rows_init(mem);
	settle_rows_init(sp);
	cr_assert_eq(settle_rows_set_spill(sp, budget), 0);
	for (i = 0; i < n; i++) {
		kl = random_key(&seed, key);
		snprintf(row, sizeof(row), "%.*s#%zu\n", (int)kl, key, i);
		cr_assert_eq(settle_rows_add(mem, key, kl, row, strlen(row)),
		    0);
		cr_assert_eq(settle_rows_add(sp, key, kl, row, strlen(row)),
		    0);
	}
	cr_assert_eq(settle_rows_count(sp), n);
	cr_assert_gt(sp->spilled, 0);
}

static void
expect_same_output(size_t budget, size_t n, unsigned seed)
{
	struct settle_rows mem, sp;
	char *a, *b;
	size_t al, bl;

	fill_both(&mem, &sp, budget, n, seed);
	settle_rows_sort(&mem);
	settle_rows_sort(&sp);
	a = written(&mem, &al);
	b = written(&sp, &bl);
	cr_assert_eq(al, bl);
	cr_expect_eq(memcmp(a, b, al), 0, "spilled output differs");
	free(a);
	free(b);
	settle_rows_release(&mem);
	settle_rows_release(&sp);
}

Test(rows, spill_unsorted_equal_keys_stable)
{
	/* A few runs: one merge pass. */
	expect_same_output(400, 300, 1);
}

Test(rows, spill_many_runs)
{
	/* Hundreds of runs: merged in passes of SETTLE_SPILL_FANIN. */
	expect_same_output(200, 20000, 2);
}

Test(rows, spill_in_order_rows)
{
	struct settle_rows s;
	char row[32], *out, *p;
	size_t len, i, n = 5000;

	settle_rows_init(&s);
	cr_assert_eq(settle_rows_set_spill(&s, 300), 0);
	for (i = 0; i < n; i++) {
		snprintf(row, sizeof(row), "%zu\n", i);
		add_int(&s, (int64_t)i / 3, row);
	}
	cr_expect_gt(s.spilled, 0);
	cr_expect_lt(s.n, 20);
	out = written(&s, &len);
	for (i = 0, p = out; i < n; i++, p = strchr(p, '\n') + 1)
		cr_assert_eq(strtoul(p, NULL, 10), i);
	cr_expect_eq(p, out + len);
	free(out);
	settle_rows_release(&s);
}

/* Rows larger than the merge's read buffers. */
Test(rows, spill_rows_larger_than_buffers)
{
	static const int64_t keys[] = { 3, 1, 2, 1, 0, 3 };
	size_t i, n = sizeof(keys) / sizeof(keys[0]), len, al, bl;
	struct settle_rows mem, sp;
	unsigned char key[8];
	char *row, *a, *b;

	row = malloc(200000);
	cr_assert_not_null(row);
	settle_rows_init(&mem);
	settle_rows_init(&sp);
	cr_assert_eq(settle_rows_set_spill(&sp, 1000), 0);
	for (i = 0; i < n; i++) {
		len = 200000 - i * 1000;
		memset(row, 'a' + (int)i, len - 1);
		row[len - 1] = '\n';
		settle_key_int(key, keys[i]);
		cr_assert_eq(settle_rows_add(&mem, key, 8, row, len), 0);
		cr_assert_eq(settle_rows_add(&sp, key, 8, row, len), 0);
	}
	cr_expect_eq(sp.spilled, n - 1);
	settle_rows_sort(&mem);
	a = written(&mem, &al);
	b = written(&sp, &bl);
	cr_assert_eq(al, bl);
	cr_expect_eq(memcmp(a, b, al), 0, "spilled output differs");
	free(a);
	free(b);
	free(row);
	settle_rows_release(&mem);
	settle_rows_release(&sp);
}

/* A tail in memory that sorts before what was spilled still merges. */
Test(rows, spill_tail_before_runs)
{
	struct settle_rows s;
	char *out;
	size_t len;

	settle_rows_init(&s);
	cr_assert_eq(settle_rows_set_spill(&s, 100), 0);
	add_int(&s, 5, "e1\n");
	add_int(&s, 6, "f\n");
	add_int(&s, 7, "g\n");
	add_int(&s, 8, "h\n");
	cr_assert_gt(s.spilled, 0);
	add_int(&s, 1, "a\n");
	add_int(&s, 5, "e2\n");
	out = written(&s, &len);
	cr_expect_str_eq(out, "a\ne1\ne2\nf\ng\nh\n");
	free(out);
	settle_rows_release(&s);
}

Test(rows, spill_write_twice_and_clear)
{
	struct settle_rows mem, sp;
	char *a, *b;
	size_t al, bl;

	fill_both(&mem, &sp, 250, 1000, 3);
	a = written(&sp, &al);
	b = written(&sp, &bl);
	cr_assert_eq(al, bl);
	cr_expect_eq(memcmp(a, b, al), 0);
	free(a);
	free(b);
	settle_rows_clear(&sp);
	cr_expect_eq(settle_rows_count(&sp), 0);
	b = written(&sp, &bl);
	cr_expect_eq(bl, 0);
	free(b);
	add_int(&sp, 2, "two\n");
	add_int(&sp, 1, "one\n");
	settle_rows_sort(&sp);
	b = written(&sp, &bl);
	cr_expect_str_eq(b, "one\ntwo\n");
	free(b);
	settle_rows_release(&mem);
	settle_rows_release(&sp);
}

/* The temporary file goes in $TMPDIR and is unlinked at once. */
Test(rows, spill_file_in_tmpdir_unlinked)
{
	char dir[] = "/tmp/settle-test-rows.XXXXXX";
	struct settle_rows s;
	int i;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(setenv("TMPDIR", dir, 1), 0);
	settle_rows_init(&s);
	cr_assert_eq(settle_rows_set_spill(&s, 64), 0);
	for (i = 0; i < 50; i++)
		add_int(&s, i, "row\n");
	cr_expect_gt(s.spilled, 0);
	cr_expect_eq(rmdir(dir), 0, "temporary file left in %s", dir);
	settle_rows_release(&s);
}

/* Fill a budget-64 set until an add fails; returns the error's code. */
static int
add_until_failure(struct settle_err *err)
{
	struct settle_rows s;
	char row[200];
	int i, rc = 0;

	settle_rows_init(&s);
	cr_assert_eq(settle_rows_set_spill(&s, 64), 0);
	memset(row, 'x', sizeof(row) - 1);
	row[sizeof(row) - 1] = '\n';
	settle_err_clear(err);
	for (i = 0; i < 1000 && rc == 0; i++)
		rc = settle_rows_add(&s, &i, sizeof(i), row, sizeof(row));
	cr_assert_eq(rc, -1, "no add failed");
	cr_expect_neq(s.failed, 0);
	rc = settle_rows_error(&s, err);
	settle_rows_release(&s);
	return rc;
}

Test(rows, spill_cannot_create)
{
	struct settle_err err;

	cr_assert_eq(setenv("TMPDIR", "/nonexistent/settle", 1), 0);
	cr_expect_eq(add_until_failure(&err), SETTLE_EIO);
	cr_expect_eq(err.code, SETTLE_EIO);
	cr_expect_not_null(strstr(err.msg, "cannot create a temporary file "
	    "in '/nonexistent/settle'"), "%s", err.msg);
}

/* A file-size limit stands in for a full disk. */
Test(rows, spill_cannot_write)
{
	struct rlimit rl = { 4096, 4096 };
	struct settle_err err;

	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	cr_expect_eq(add_until_failure(&err), SETTLE_EIO);
	cr_expect_not_null(strstr(err.msg, "cannot write the temporary file"),
	    "%s", err.msg);
}

Test(rows, error_without_failure_is_zero)
{
	struct settle_rows s;
	struct settle_err err;

	settle_rows_init(&s);
	settle_err_clear(&err);
	cr_expect_eq(settle_rows_error(&s, &err), 0);
	cr_expect_eq(err.code, 0);
	settle_rows_release(&s);
}
