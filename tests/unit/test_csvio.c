/*
 * Unit tests for lib/csvio: splitting records with and without RFC 4180
 * quoting (strict: stray, trailing and unterminated quotes are errors), and
 * the writer's rules from SPEC §2 (quote only when needed, a "'" before a
 * text that a spreadsheet would run, numbers never prefixed, non-UTF-8
 * bytes as \xNN).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"

static struct settle_csvrec *rec;
static struct settle_span f[CSV_MAXFIELDS];
static const char *why;

static void
setup_semi(void)
{
	rec = settle_csvrec_new(';');
	cr_assert_not_null(rec);
}

static void
setup_comma(void)
{
	rec = settle_csvrec_new(',');
	cr_assert_not_null(rec);
}

static void
teardown(void)
{
	settle_csvrec_free(rec);
	rec = NULL;
}

static int
split(const char *s, int quoting)
{
	why = NULL;
	memset(f, 0, sizeof(f));
	return settle_csvrec_split(rec, s, strlen(s), quoting, f, &why);
}

/* Field i equals want (which may hold a NUL-free string). */
static void
field_is(int i, const char *want)
{
	cr_expect_eq(f[i].len, strlen(want), "field %d: length %zu, want "
	    "'%s'", i, f[i].len, want);
	if (f[i].len == strlen(want))
		cr_expect(f[i].len == 0 || memcmp(f[i].p, want, f[i].len) == 0,
		    "field %d: '%.*s', want '%s'", i, (int)f[i].len, f[i].p,
		    want);
}

Test(csv_split, plain_fields, .init = setup_comma, .fini = teardown)
{
	static const struct {
		const char *in;
		int n;
		const char *fields[5];
	} c[] = {
		{ "a,b,c", 3, { "a", "b", "c" } },
		{ "", 1, { "" } },
		{ ",,", 3, { "", "", "" } },
		{ "a,,c", 3, { "a", "", "c" } },
		{ "a,b,", 3, { "a", "b", "" } },
		{ ",b", 2, { "", "b" } },
		{ " a , b ", 2, { " a ", " b " } },
		{ "a;b|c\td", 1, { "a;b|c\td" } },
		{ "GP1,8801712345678,125.50", 3, { "GP1", "8801712345678",
		    "125.50" } },
	};
	size_t i;
	int k, n;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (k = 0; k < 2; k++) {
			/* Without quotes, both modes split alike. */
			n = split(c[i].in, k);
			cr_expect_eq(n, c[i].n, "'%s' (quoting %d): %d fields",
			    c[i].in, k, n);
			if (n == c[i].n) {
				int j;

				for (j = 0; j < n; j++)
					field_is(j, c[i].fields[j]);
			}
		}
	}
}

Test(csv_split, other_delimiters)
{
	struct settle_csvrec *r = settle_csvrec_new('|');
	struct settle_csvrec *t = settle_csvrec_new('\t');
	const char *in1 = "R-1|01812345678|12550||C|SUCCESS";
	const char *in2 = "D\tTT000001\t\t12550";

	cr_assert_not_null(r);
	cr_assert_not_null(t);
	cr_assert_eq(settle_csvrec_split(r, in1, strlen(in1), 0, f, &why), 6);
	cr_expect_eq(f[3].len, 0);
	cr_expect_eq(f[5].len, 7);
	cr_expect_eq(memcmp(f[5].p, "SUCCESS", 7), 0);
	cr_assert_eq(settle_csvrec_split(t, in2, strlen(in2), 0, f, &why), 4);
	cr_expect_eq(f[1].len, 8);
	cr_expect_eq(f[2].len, 0);
	settle_csvrec_free(r);
	settle_csvrec_free(t);
}

Test(csv_split, stray_quote_without_quoting, .init = setup_comma,
    .fini = teardown)
{
	static const char *const c[] = {
		"a,b\"c", "\"a\",b", "\"", "a,\"\"", "GP1,\"0171\",x",
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_expect_eq(split(c[i], 0), -1, "'%s' split", c[i]);
		cr_expect_not_null(why, "'%s': no reason", c[i]);
	}
}

Test(csv_split, bl_quoted_reference, .init = setup_semi, .fini = teardown)
{
	const char *in = "BL-0000002;+880 1912-345678;125.50;26/11/2026;"
	    "14:05:09;\"=HYPERLINK(\"\"x\"\";\"\"y\"\")\";DEBIT;Charged";

	cr_assert_eq(split(in, 1), 8, "why: %s", why ? why : "");
	field_is(0, "BL-0000002");
	field_is(1, "+880 1912-345678");
	field_is(5, "=HYPERLINK(\"x\";\"y\")");
	field_is(6, "DEBIT");
	field_is(7, "Charged");
}

Test(csv_split, quoted_fields, .init = setup_semi, .fini = teardown)
{
	static const struct {
		const char *in;
		int n;
		const char *fields[4];
	} c[] = {
		{ "\"a;b\";c", 2, { "a;b", "c" } },
		{ "\"\";x", 2, { "", "x" } },
		{ "x;\"\"", 2, { "x", "" } },
		{ "\"a\";", 2, { "a", "" } },
		{ ";\"a\"", 2, { "", "a" } },
		{ "\"say \"\"hi\"\"\"", 1, { "say \"hi\"" } },
		{ "\"\"\"\"", 1, { "\"" } },
		{ "\"a\nb\";c", 2, { "a\nb", "c" } },
		{ "\"a\r\nb\";c", 2, { "a\r\nb", "c" } },
		{ "\" a \";b", 2, { " a ", "b" } },
		{ "a; b ;\"c\"", 3, { "a", " b ", "c" } },
	};
	size_t i;
	int n, j;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		n = split(c[i].in, 1);
		cr_expect_eq(n, c[i].n, "'%s': %d fields (%s)", c[i].in, n,
		    why ? why : "");
		if (n == c[i].n)
			for (j = 0; j < n; j++)
				field_is(j, c[i].fields[j]);
	}
}

Test(csv_split, quoting_errors, .init = setup_semi, .fini = teardown)
{
	static const char *const bad[] = {
		"\"ab\"c;d",		/* text after the closing quote */
		"\"ab\" ;d",		/* even a space */
		"x;\"ab\"c",
		"\"abc;d",		/* unterminated */
		"a;\"",
		"ab\"c;d",		/* a quote inside an unquoted field */
		"a; \"b\"",		/* a space, then a quote: unquoted field */
		"\"a\"\"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(split(bad[i], 1), -1, "'%s' split", bad[i]);
		cr_expect_not_null(why, "'%s': no reason", bad[i]);
		/* The parser recovers: the next record splits normally. */
		cr_expect_eq(split("\"ok\";1", 1), 2, "after '%s'", bad[i]);
		field_is(0, "ok");
	}
}

Test(csv_split, field_count_over_the_cap, .init = setup_comma,
    .fini = teardown)
{
	char buf[1024];
	size_t n = 0;
	int i, got;

	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%d",
		    i ? "," : "", i);
	got = settle_csvrec_split(rec, buf, n, 0, f, &why);
	cr_expect_eq(got, 100, "plain: %d fields", got);
	field_is(0, "0");
	field_is(CSV_MAXFIELDS - 1, "63");

	/* The same through the quoting path. */
	memcpy(buf + n, ",\"q\"", 4);
	got = settle_csvrec_split(rec, buf, n + 4, 1, f, &why);
	cr_expect_eq(got, 101, "quoted: %d fields", got);
	field_is(0, "0");
	field_is(CSV_MAXFIELDS - 1, "63");

	/* Exactly the cap. */
	n = 0;
	for (i = 0; i < CSV_MAXFIELDS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%d",
		    i ? "," : "", i);
	cr_expect_eq(settle_csvrec_split(rec, buf, n, 0, f, &why),
	    CSV_MAXFIELDS);
	field_is(CSV_MAXFIELDS - 1, "63");
}

/* A million fields on one record: counted, not stored, not a crash. */
Test(csv_split, a_million_fields, .init = setup_comma, .fini = teardown)
{
	size_t len = 999999;
	char *buf = malloc(len + 4);
	int got;

	cr_assert_not_null(buf);
	memset(buf, ',', len);
	got = settle_csvrec_split(rec, buf, len, 0, f, &why);
	cr_expect_eq(got, 1000000);
	buf[0] = '"';
	buf[1] = '"';
	/* "" then 999,997 delimiters */
	got = settle_csvrec_split(rec, buf, len, 1, f, &why);
	cr_expect_eq(got, 999998);
	free(buf);
}

/* Writer tests: a grow-only buffer, compared as a string. */
static struct settle_out out;

static void
out_setup(void)
{
	settle_out_init(&out, NULL, 1 << 20);
}

static void
out_teardown(void)
{
	settle_out_release(&out);
}

static void
out_is(const char *want)
{
	cr_expect_eq(out.failed, 0);
	cr_expect_eq(out.len, strlen(want), "output '%.*s' (%zu bytes), "
	    "want '%s'", (int)out.len, out.buf ? out.buf : "", out.len, want);
	if (out.len == strlen(want))
		cr_expect(out.len == 0 || memcmp(out.buf, want, out.len) == 0,
		    "output '%.*s', want '%s'", (int)out.len, out.buf, want);
}

static const struct {
	const char *in, *want;
} text_cases[] = {
	{ "plain", "plain" },
	{ "", "" },
	{ "a b", "a b" },
	{ "a;b", "a;b" },
	{ "a,b", "\"a,b\"" },
	{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "\"", "\"\"\"\"" },
	{ "line\nbreak", "\"line\nbreak\"" },
	{ "cr\rhere", "\"cr\rhere\"" },
	{ "=1+2", "'=1+2" },
	{ "+8801712345678", "'+8801712345678" },
	{ "-500", "'-500" },
	{ "@SUM(A1)", "'@SUM(A1)" },
	{ "\tx", "'\tx" },
	{ "\rx", "\"'\rx\"" },
	{ "=HYPERLINK(\"a\";\"b\")", "\"'=HYPERLINK(\"\"a\"\";\"\"b\"\")\"" },
	{ "=a,b", "\"'=a,b\"" },
	{ "a=b", "a=b" },
	{ " =x", " =x" },
	{ "'", "'" },
	{ "'=x", "'=x" },
	{ "ECAB-0042-00012345", "ECAB-0042-00012345" },
	{ "\xe0\xa7\xa7\xe0\xa7\xa8", "\xe0\xa7\xa7\xe0\xa7\xa8" },
};

Test(csv_write, text_fields, .init = out_setup, .fini = out_teardown)
{
	size_t i;

	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		out.len = 0;
		out.col = 0;
		settle_out_str(&out, text_cases[i].in);
		out_is(text_cases[i].want);
	}
}

Test(csv_write, needs_prefix)
{
	static const struct {
		const char *s;
		int want;
	} c[] = {
		{ "=", 1 }, { "+", 1 }, { "-", 1 }, { "@", 1 }, { "\t", 1 },
		{ "\r", 1 }, { "=x", 1 }, { "", 0 }, { "a", 0 }, { " =", 0 },
		{ "'=", 0 }, { "1", 0 }, { "\n", 0 }, { "x=", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		cr_expect_eq(settle_csv_needs_prefix(c[i].s, strlen(c[i].s)),
		    c[i].want, "'%s'", c[i].s);
	cr_expect_eq(settle_csv_needs_prefix("=", 0), 0);
}

Test(csv_write, row_of_mixed_fields, .init = out_setup,
    .fini = out_teardown)
{
	settle_out_str(&out, "GP");
	settle_out_int(&out, -500);
	settle_out_empty(&out);
	settle_out_int(&out, 0);
	settle_out_text(&out, "a,b", 3);
	settle_out_int(&out, INT64_MIN);
	settle_out_int(&out, INT64_MAX);
	settle_out_endrow(&out);
	settle_out_empty(&out);
	settle_out_empty(&out);
	settle_out_endrow(&out);
	settle_out_str(&out, "-x");
	settle_out_endrow(&out);
	out_is("GP,-500,,0,\"a,b\",-9223372036854775808,9223372036854775807\n"
	    ",\n'-x\n");
}

Test(csv_write, text_with_nul_bytes, .init = out_setup,
    .fini = out_teardown)
{
	settle_out_text(&out, "a\0b", 3);
	cr_expect_eq(out.len, 3);
	cr_expect_eq(memcmp(out.buf, "a\0b", 3), 0);
}

static const struct {
	const char *in;
	size_t len;
	const char *want;
} esc_cases[] = {
	{ "1\xa0" "250", 5, "1\\xa0250" },
	{ "plain", 5, "plain" },
	{ "\xe0\xa7\xa7", 3, "\xe0\xa7\xa7" },
	{ "a\0b", 3, "a\\x00b" },
	{ "\xff", 1, "\\xff" },
	{ "\xfe\xff", 2, "\\xfe\\xff" },
	{ "x\xe0\xa4", 3, "x\\xe0\\xa4" },		/* truncated */
	{ "\xc0\xaf", 2, "\\xc0\\xaf" },		/* overlong */
	{ "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" },	/* surrogate */
	{ "a,\xff", 3, "\"a,\\xff\"" },
	{ "=\xff", 2, "'=\\xff" },
	{ "\xf0\x9f\x98\x80\xff", 5, "\xf0\x9f\x98\x80\\xff" },
	{ "\xc3\xa9\x80", 3, "\xc3\xa9\\x80" },
	{ "", 0, "" },
};

Test(csv_write, escaped, .init = out_setup, .fini = out_teardown)
{
	size_t i;

	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		out.len = 0;
		out.col = 0;
		settle_out_escaped(&out, esc_cases[i].in, esc_cases[i].len);
		out_is(esc_cases[i].want);
	}
}

/*
 * Every byte value at every place of a long field: quoted exactly when it
 * is a comma, a quote, CR or LF, whichever eight-byte group it falls in.
 */
Test(csv_write, quotes_for_any_byte_anywhere, .init = out_setup,
    .fini = out_teardown)
{
	char field[21];
	size_t at;
	int b, special;

	for (b = 1; b < 256; b++)
		for (at = 0; at < sizeof(field); at++) {
			memset(field, 'a', sizeof(field));
			field[at] = (char)b;
			special = b == ',' || b == '"' || b == '\n' || b == '\r';
			out.len = 0;
			out.col = 0;
			settle_out_text(&out, field, sizeof(field));
			cr_assert_eq(out.buf[0] == '"', special,
			    "byte %d at %zu", b, at);
			cr_assert_eq(out.len, sizeof(field) + (special ? 2 +
			    (b == '"') : 0) + (at == 0 && (b == '=' ||
			    b == '+' || b == '-' || b == '@' || b == '\t' ||
			    b == '\r')), "byte %d at %zu", b, at);
		}
}

/* Numbers as printf writes them, around every power of ten. */
Test(csv_write, ints_like_printf, .init = out_setup, .fini = out_teardown)
{
	char want[32];
	int64_t p, d, v;
	int sign;

	for (p = 1; p > 0 && p <= INT64_MAX / 10; p *= 10)
		for (d = -2; d <= 2; d++)
			for (sign = -1; sign <= 1; sign += 2) {
				v = sign * (p + d);
				snprintf(want, sizeof(want), "%lld", (long long)v);
				out.len = 0;
				out.col = 0;
				settle_out_int(&out, v);
				out_is(want);
			}
}

Test(csv_write, grow_only_cap)
{
	struct settle_out o;
	char big[200];

	memset(big, 'a', sizeof(big));
	settle_out_init(&o, NULL, 64);
	settle_out_text(&o, big, 10);
	cr_expect_eq(o.failed, 0);
	cr_expect_eq(o.len, 10);
	settle_out_text(&o, big, sizeof(big));
	cr_expect_neq(o.failed, 0, "a write over the cap did not fail");
	cr_expect_leq(o.len, 64);
	cr_expect_eq(settle_out_flush(&o), -1);
	settle_out_release(&o);
}

Test(csv_write, flushes_to_a_file)
{
	struct settle_out o;
	char *mem = NULL, line[64];
	size_t memlen = 0, want = 0;
	FILE *m = open_memstream(&mem, &memlen);
	int i, n;

	cr_assert_not_null(m);
	settle_out_init(&o, m, 0);
	for (i = 0; i < 50000; i++) {
		settle_out_int(&o, i);
		settle_out_str(&o, "row,x");
		settle_out_endrow(&o);
		want += (size_t)snprintf(line, sizeof(line), "%d,\"row,x\"\n",
		    i);
	}
	cr_assert_eq(settle_out_flush(&o), 0);
	cr_assert_eq(fclose(m), 0);
	cr_expect_eq(memlen, want);
	n = 0;
	cr_expect_eq(memcmp(mem, "0,\"row,x\"\n1,\"row,x\"\n", 20), 0);
	cr_expect_eq(memcmp(mem + memlen - 14, "49999,\"row,x\"\n", 14), 0);
	for (i = 0; (size_t)i < memlen; i++)
		n += mem[i] == '\n';
	cr_expect_eq(n, 50000);
	settle_out_release(&o);
	free(mem);
}
