/*
 * Unit tests for lib/source: plain and gzip sources (truncated, corrupt and
 * trailing bytes are errors), the physical line reader (numbering, LF and
 * CRLF, a last line without a line end, the BOM on line 1 only, the 64 KiB
 * cap) and the UTF-8 check.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "source.h"

static char dir[64];

static void
mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/settle-unit-src-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
rm_tmp(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

TestSuite(source, .init = mkdir_tmp, .fini = rm_tmp);

static const char *
put(const char *name, const void *data, size_t len)
{
	static char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fp = fopen(p, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(data, 1, len, fp), len);
	cr_assert_eq(fclose(fp), 0);
	return p;
}

static const char *
put_gz(const char *name, const void *data, size_t len)
{
	static char p[512];
	gzFile g;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	g = gzopen(p, "wb");
	cr_assert_not_null(g);
	if (len > 0)
		cr_assert_eq(gzwrite(g, data, (unsigned)len), (int)len);
	cr_assert_eq(gzclose(g), Z_OK);
	return p;
}

/* Read a whole file into memory. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *b;
	long n;

	cr_assert_not_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	cr_assert_not_null(b);
	cr_assert_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return b;
}

static struct settle_lines *
lines_of(const char *path, int gzip)
{
	struct settle_err err;
	struct settle_src *src;
	struct settle_lines *lr;

	settle_err_clear(&err);
	src = settle_src_open(path, "t.txt", gzip, &err);
	cr_assert_not_null(src, "open: %s", err.msg);
	lr = settle_lines_new(src);
	cr_assert_not_null(lr);
	return lr;
}

struct want_line {
	const char *text;
	size_t len;
	int eol;
};

static void
expect_lines(struct settle_lines *lr, const struct want_line *w, size_t n)
{
	struct settle_line ln;
	struct settle_err err;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = settle_lines_next(lr, &ln, &err);
		cr_assert_eq(rc, 1, "line %zu: rc %d (%s)", i + 1, rc,
		    rc < 0 ? err.msg : "end");
		cr_expect_eq(ln.no, (long)(i + 1));
		cr_expect_eq(ln.len, w[i].len, "line %zu: length %zu, want %zu",
		    i + 1, ln.len, w[i].len);
		if (ln.len == w[i].len)
			cr_expect(ln.len == 0 || memcmp(ln.p, w[i].text,
			    ln.len) == 0, "line %zu: '%.*s'", i + 1,
			    (int)ln.len, ln.p);
		cr_expect_eq(ln.eol, w[i].eol, "line %zu: eol %d", i + 1,
		    ln.eol);
		cr_expect_eq(ln.toolong, 0);
	}
	cr_expect_eq(settle_lines_next(lr, &ln, &err), 0, "more lines than "
	    "expected");
	cr_expect_eq(settle_lines_next(lr, &ln, &err), 0, "end is not sticky");
}

Test(source, numbering_and_line_ends)
{
	static const char data[] = "a\nb\r\nc";
	static const struct want_line w[] = {
		{ "a", 1, 1 }, { "b", 1, 2 }, { "c", 1, 0 },
	};
	struct settle_lines *lr = lines_of(put("t", data, 6), 0);

	expect_lines(lr, w, 3);
	cr_expect_eq(settle_lines_bytes(lr), 6);
	settle_lines_free(lr);
}

Test(source, final_line_end_adds_no_line)
{
	static const struct want_line w[] = { { "a", 1, 1 } };
	struct settle_lines *lr = lines_of(put("t", "a\n", 2), 0);

	expect_lines(lr, w, 1);
	settle_lines_free(lr);
}

Test(source, empty_file)
{
	struct settle_lines *lr = lines_of(put("t", "", 0), 0);

	expect_lines(lr, NULL, 0);
	cr_expect_eq(settle_lines_bytes(lr), 0);
	settle_lines_free(lr);
}

Test(source, empty_lines)
{
	static const struct want_line w[] = {
		{ "", 0, 1 }, { "", 0, 2 }, { "x", 1, 1 }, { "", 0, 1 },
	};
	static const char data[] = "\n\r\nx\n\n";
	struct settle_lines *lr = lines_of(put("t", data, sizeof(data) - 1), 0);

	expect_lines(lr, w, 4);
	settle_lines_free(lr);
}

/* A CR that is not before an LF is data. */
Test(source, lone_cr_is_data)
{
	static const struct want_line w[] = {
		{ "a\rb", 3, 1 }, { "c\r\r", 3, 2 }, { "d\r", 2, 0 },
	};
	static const char data[] = "a\rb\nc\r\r\r\nd\r";
	struct settle_lines *lr = lines_of(put("t", data, sizeof(data) - 1), 0);

	expect_lines(lr, w, 3);
	settle_lines_free(lr);
}

Test(source, bom_only_on_line_one)
{
	static const char data[] = "\xef\xbb\xbfhead\r\n\xef\xbb\xbfx\n";
	static const struct want_line w[] = {
		{ "head", 4, 2 }, { "\xef\xbb\xbfx", 4, 1 },
	};
	struct settle_lines *lr = lines_of(put("t", data, sizeof(data) - 1), 0);

	expect_lines(lr, w, 2);
	settle_lines_free(lr);
}

Test(source, partial_bom_is_kept)
{
	static const struct want_line w[] = { { "\xef\xbbx", 3, 1 } };
	struct settle_lines *lr = lines_of(put("t", "\xef\xbbx\n", 4), 0);

	expect_lines(lr, w, 1);
	settle_lines_free(lr);
}

/* Lines cross the reader's buffer many times over. */
Test(source, many_lines)
{
	size_t cap = 4 * 1024 * 1024, n = 0;
	char *data = malloc(cap), want[32];
	struct settle_lines *lr;
	struct settle_line ln;
	struct settle_err err;
	long i, count = 300000;
	int wl;

	cr_assert_not_null(data);
	for (i = 0; i < count; i++)
		n += (size_t)snprintf(data + n, cap - n, "line %ld%s", i + 1,
		    i % 3 == 0 ? "\r\n" : "\n");
	lr = lines_of(put("t", data, n), 0);
	for (i = 0; i < count; i++) {
		cr_assert_eq(settle_lines_next(lr, &ln, &err), 1);
		wl = snprintf(want, sizeof(want), "line %ld", i + 1);
		cr_assert_eq(ln.no, i + 1);
		cr_assert_eq(ln.len, (size_t)wl, "line %ld: '%.*s'", i + 1,
		    (int)ln.len, ln.p);
		cr_assert_eq(memcmp(ln.p, want, (size_t)wl), 0);
		cr_assert_eq(ln.eol, i % 3 == 0 ? 2 : 1);
	}
	cr_expect_eq(settle_lines_next(lr, &ln, &err), 0);
	cr_expect_eq(settle_lines_bytes(lr), n);
	settle_lines_free(lr);
	free(data);
}

/* A line of len bytes of 'x', then "\nnext\n": the long line is cut. */
static void
long_line(size_t len)
{
	char *data = malloc(len + 16);
	struct settle_lines *lr;
	struct settle_line ln;
	struct settle_err err;

	cr_assert_not_null(data);
	memset(data, 'x', len);
	memcpy(data + len, "\nnext\n", 6);
	lr = lines_of(put("t", data, len + 6), 0);
	cr_assert_eq(settle_lines_next(lr, &ln, &err), 1);
	cr_expect_eq(ln.no, 1);
	cr_expect_eq(ln.toolong, 1, "a line of %zu bytes is not flagged", len);
	cr_expect_eq(ln.len, (size_t)SETTLE_LINE_MAX, "a line of %zu bytes "
	    "came out as %zu", len, ln.len);
	cr_assert_eq(settle_lines_next(lr, &ln, &err), 1);
	cr_expect_eq(ln.no, 2);
	cr_expect_eq(ln.len, 4);
	cr_expect_eq(memcmp(ln.p, "next", 4), 0);
	cr_expect_eq(ln.toolong, 0);
	cr_expect_eq(settle_lines_next(lr, &ln, &err), 0);
	cr_expect_eq(settle_lines_bytes(lr), len + 6);
	settle_lines_free(lr);
	free(data);
}

Test(source, line_over_64k_is_cut)
{
	long_line(100000);
}

Test(source, line_just_over_64k_is_cut)
{
	long_line(SETTLE_LINE_MAX + 1);
}

Test(source, line_over_the_buffer_is_cut)
{
	long_line(3 * 1024 * 1024);
}

/*
 * A line of exactly SETTLE_LINE_MAX bytes is not longer than the cap, with
 * whatever line end follows it, or none.
 */
static void
exact_line(const char *end, size_t endlen, int eol)
{
	char *data = malloc(SETTLE_LINE_MAX + 8);
	struct settle_lines *lr;
	struct settle_line ln;
	struct settle_err err;

	cr_assert_not_null(data);
	memset(data, 'y', SETTLE_LINE_MAX);
	memcpy(data + SETTLE_LINE_MAX, end, endlen);
	lr = lines_of(put("t", data, SETTLE_LINE_MAX + endlen), 0);
	cr_assert_eq(settle_lines_next(lr, &ln, &err), 1);
	cr_expect_eq(ln.len, (size_t)SETTLE_LINE_MAX, "line end '%s': "
	    "length %zu", eol == 2 ? "CRLF" : eol ? "LF" : "none", ln.len);
	cr_expect_eq(ln.toolong, 0, "a line of exactly %d bytes, line end "
	    "'%s', is flagged too long", SETTLE_LINE_MAX, eol == 2 ? "CRLF" :
	    eol ? "LF" : "none");
	cr_expect_eq(ln.eol, eol);
	if (eol) {
		cr_assert_eq(settle_lines_next(lr, &ln, &err), 1);
		cr_expect_eq(ln.no, 2);
		cr_expect_eq(ln.len, 1);
		cr_expect_eq(ln.p[0], 'z');
	}
	cr_expect_eq(settle_lines_next(lr, &ln, &err), 0);
	settle_lines_free(lr);
	free(data);
}

Test(source, line_of_exactly_64k_lf)
{
	exact_line("\nz\n", 3, 1);
}

Test(source, line_of_exactly_64k_crlf)
{
	exact_line("\r\nz\n", 4, 2);
}

Test(source, line_of_exactly_64k_at_end)
{
	exact_line("", 0, 0);
}

Test(source, gzip_lines)
{
	static const char data[] = "\xef\xbb\xbfh\r\nb\nlast";
	static const struct want_line w[] = {
		{ "h", 1, 2 }, { "b", 1, 1 }, { "last", 4, 0 },
	};
	struct settle_lines *lr = lines_of(put_gz("t.gz", data,
	    sizeof(data) - 1), 1);

	expect_lines(lr, w, 3);
	cr_expect_eq(settle_lines_bytes(lr), sizeof(data) - 1);
	settle_lines_free(lr);
}

/* Concatenated gzip members are one stream. */
Test(source, gzip_members)
{
	static const struct want_line w[] = {
		{ "one", 3, 1 }, { "two", 3, 1 },
	};
	const char *p = put_gz("a.gz", "one\n", 4);
	struct settle_lines *lr;
	unsigned char *a, *b, *ab;
	size_t al, bl;

	a = slurp(p, &al);
	p = put_gz("b.gz", "two\n", 4);
	b = slurp(p, &bl);
	ab = malloc(al + bl);
	cr_assert_not_null(ab);
	memcpy(ab, a, al);
	memcpy(ab + al, b, bl);
	lr = lines_of(put("ab.gz", ab, al + bl), 1);
	expect_lines(lr, w, 2);
	settle_lines_free(lr);
	free(a);
	free(b);
	free(ab);
}

/* Read to the end; return the first negative rc, or 0. */
static int
drain(const char *path, int gzip, struct settle_err *err)
{
	struct settle_lines *lr = lines_of(path, gzip);
	struct settle_line ln;
	int rc;

	settle_err_clear(err);
	while ((rc = settle_lines_next(lr, &ln, err)) > 0)
		;
	settle_lines_free(lr);
	return rc;
}

static unsigned char *
gz_bytes(const char *text, size_t *len)
{
	return slurp(put_gz("src.gz", text, strlen(text)), len);
}

Test(source, gzip_truncated)
{
	struct settle_err err;
	unsigned char *g;
	size_t len, cut;
	char text[4096];
	int i, n = 0;

	for (i = 0; i < 200; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "row %d\n", i);
	g = gz_bytes(text, &len);
	/* Cut anywhere: inside the header, the data or the 8-byte trailer. */
	for (cut = 1; cut < len; cut += cut < 20 || cut > len - 12 ? 1 : 7) {
		cr_expect_lt(drain(put("cut.gz", g, cut), 1, &err), 0,
		    "cut at %zu of %zu read cleanly", cut, len);
		cr_expect_eq(err.code, SETTLE_EDATA, "cut at %zu: code %d",
		    cut, err.code);
	}
	cr_expect_eq(drain(put("whole.gz", g, len), 1, &err), 0);
	free(g);
}

Test(source, gzip_empty_file)
{
	struct settle_err err;

	cr_expect_lt(drain(put("e.gz", "", 0), 1, &err), 0);
	cr_expect_eq(err.code, SETTLE_EDATA);
}

Test(source, gzip_corrupt)
{
	struct settle_err err;
	unsigned char *g;
	size_t len, at;

	g = gz_bytes("TXN_ID,MSISDN\nGP1,8801712345678\nTRAILER,1,1\n", &len);
	/* Flip each byte of the deflate data and of the CRC in turn. */
	for (at = 10; at < len - 4; at++) {
		g[at] ^= 0x55;
		cr_expect_lt(drain(put("bad.gz", g, len), 1, &err), 0,
		    "byte %zu of %zu flipped, read cleanly", at, len);
		cr_expect_eq(err.code, SETTLE_EDATA);
		g[at] ^= 0x55;
	}
	free(g);
}

Test(source, gzip_trailing_garbage)
{
	static const char *const junk[] = {
		"junk", "\n", "\0\0\0\0", "\x1f", "\x1f\x8b", "\x1f\x8bxxxxxxxxxx",
	};
	static const size_t jl[] = { 4, 1, 4, 1, 2, 12 };
	struct settle_err err;
	unsigned char *g, *b;
	size_t len, i;

	g = gz_bytes("a\nb\n", &len);
	b = malloc(len + 16);
	cr_assert_not_null(b);
	memcpy(b, g, len);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		memcpy(b + len, junk[i], jl[i]);
		cr_expect_lt(drain(put("g.gz", b, len + jl[i]), 1, &err), 0,
		    "trailing junk %zu read cleanly", i);
		cr_expect_eq(err.code, SETTLE_EDATA);
	}
	free(g);
	free(b);
}

Test(source, plain_file_as_gzip)
{
	struct settle_err err;

	cr_expect_lt(drain(put("p.gz", "TXN_ID,MSISDN\n", 14), 1, &err), 0);
	cr_expect_eq(err.code, SETTLE_EDATA);
}

Test(source, missing_file)
{
	struct settle_err err;
	char p[600];

	snprintf(p, sizeof(p), "%s/nope.txt", dir);
	settle_err_clear(&err);
	cr_expect_null(settle_src_open(p, "nope.txt", 0, &err));
	cr_expect_eq(err.code, SETTLE_ENOINPUT);
	cr_expect_str_eq(err.file, "nope.txt");
}

Test(source, raw_read)
{
	struct settle_err err;
	struct settle_src *s;
	unsigned char buf[64];
	long n, total = 0;

	s = settle_src_open(put_gz("r.gz", "hello world\n", 12), "r.gz", 1,
	    &err);
	cr_assert_not_null(s);
	while ((n = settle_src_read(s, buf + total, 4, &err)) > 0)
		total += n;
	cr_expect_eq(n, 0);
	cr_expect_eq(total, 12);
	cr_expect_eq(memcmp(buf, "hello world\n", 12), 0);
	settle_src_close(s);
}

static const struct {
	const char *s;
	size_t len;
	int want;
	const char *what;
} utf8[] = {
	{ "", 0, 1, "empty" },
	{ "abc", 3, 1, "ASCII" },
	{ "\x7f", 1, 1, "DEL" },
	{ "\xc3\xa9", 2, 1, "e acute" },
	{ "\xc2\x80", 2, 1, "U+0080" },
	{ "\xdf\xbf", 2, 1, "U+07FF" },
	{ "\xe0\xa0\x80", 3, 1, "U+0800" },
	{ "\xe2\x82\xac", 3, 1, "euro sign" },
	{ "\xe0\xa7\xa7", 3, 1, "Bengali digit one" },
	{ "\xed\x9f\xbf", 3, 1, "U+D7FF" },
	{ "\xee\x80\x80", 3, 1, "U+E000" },
	{ "\xef\xbb\xbf", 3, 1, "BOM" },
	{ "\xef\xbf\xbf", 3, 1, "U+FFFF" },
	{ "\xf0\x90\x80\x80", 4, 1, "U+10000" },
	{ "\xf0\x9f\x98\x80", 4, 1, "emoji" },
	{ "\xf4\x8f\xbf\xbf", 4, 1, "U+10FFFF" },
	{ "\0", 1, 0, "NUL" },
	{ "a\0b", 3, 0, "NUL inside" },
	{ "\x80", 1, 0, "lone continuation" },
	{ "\xbf", 1, 0, "lone continuation" },
	{ "\xc0\x80", 2, 0, "overlong NUL" },
	{ "\xc1\xbf", 2, 0, "overlong 2-byte" },
	{ "\xe0\x80\xaf", 3, 0, "overlong 3-byte" },
	{ "\xe0\x9f\xbf", 3, 0, "overlong 3-byte, top" },
	{ "\xf0\x8f\xbf\xbf", 4, 0, "overlong 4-byte" },
	{ "\xed\xa0\x80", 3, 0, "surrogate D800" },
	{ "\xed\xbf\xbf", 3, 0, "surrogate DFFF" },
	{ "\xf4\x90\x80\x80", 4, 0, "above U+10FFFF" },
	{ "\xf5\x80\x80\x80", 4, 0, "F5 lead" },
	{ "\xf8\x88\x80\x80\x80", 5, 0, "5-byte form" },
	{ "\xfe", 1, 0, "FE" },
	{ "\xff", 1, 0, "FF" },
	{ "\xc3", 1, 0, "truncated 2-byte" },
	{ "\xe2\x82", 2, 0, "truncated 3-byte" },
	{ "\xf0\x9f\x98", 3, 0, "truncated 4-byte" },
	{ "ab\xc3", 3, 0, "truncated at the end" },
	{ "\xe2\x82" "a", 3, 0, "bad continuation" },
	{ "\xc3\xc3\xa9", 3, 0, "lead then lead" },
	{ "1\xa0" "250", 5, 0, "Latin-1 no-break space" },
};

Test(source, utf8_valid)
{
	size_t i;

	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		cr_expect_eq(settle_utf8_valid(utf8[i].s, utf8[i].len),
		    utf8[i].want, "%s", utf8[i].what);
	/* The length bounds the check. */
	cr_expect_eq(settle_utf8_valid("ab\xff", 2), 1);
	cr_expect_eq(settle_utf8_valid("\xc3\xa9", 1), 0);
}

/*
 * Every case again at every offset inside a long ASCII run, so that the
 * eight-bytes-at-a-time path meets it at each alignment, whole or cut.
 */
Test(source, utf8_valid_inside_ascii)
{
	char buf[64];
	size_t i, at, tail;

	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		for (at = 0; at < 20; at++)
			for (tail = 0; tail < 12; tail++) {
				memset(buf, 'x', sizeof(buf));
				memcpy(buf + at, utf8[i].s, utf8[i].len);
				cr_assert_eq(settle_utf8_valid(buf, at +
				    utf8[i].len + tail), utf8[i].want,
				    "%s at %zu, %zu after", utf8[i].what, at,
				    tail);
			}
	memset(buf, 'x', sizeof(buf));
	buf[63] = '\x80';
	cr_expect_eq(settle_utf8_valid(buf, 63), 1);
	cr_expect_eq(settle_utf8_valid(buf, 64), 0);
	buf[40] = '\x7f';
	buf[41] = '\x01';
	cr_expect_eq(settle_utf8_valid(buf, 63), 1);
}
