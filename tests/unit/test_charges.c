/*
 * Unit tests for lib/charges: operator charge files (SPEC §3) read through
 * settle_charges_read() with callbacks.  Each dialect's records are checked
 * in the SPEC's reject precedence with their line numbers; the control
 * totals count every line between header and trailer; a file whose header,
 * trailer, totals or gzip stream is wrong is refused whole.
 *
 * Run from the repository root: the schemas are read from schemas/.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "charges.h"
#include "source.h"
#include "timefmt.h"

/* A growable byte string for building test files. */
struct sb {
	char *p;
	size_t len, cap;
};

static void
sb_addn(struct sb *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		cr_assert_not_null(b->p);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_add(struct sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static void sb_addf(struct sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_addf(struct sb *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < sizeof(tmp));
	sb_addn(b, tmp, (size_t)n);
}

static void
sb_free(struct sb *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* What the callbacks saw. */
#define MAXGOT 64

struct got_charge {
	char id[64], msisdn[16], ref[128], file[64], op[16];
	int64_t amount, at;
	int kind, status;
	long line;
};

struct got_reject {
	char file[64], detail[512], raw[256];
	size_t raw_len;
	long line;
	int reason, readable;
	int64_t amount;
};

static struct {
	struct got_charge c[MAXGOT];
	struct got_reject r[MAXGOT];
	int nc, nr;
	int stop_after;		/* on_charge returns -42 after this many */
	struct settle_charge_totals tot;
	struct settle_err err;
	int rc;
} got;

static char dir[64];
static struct settle_dedup dedup;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/settle-unit-chg-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	settle_dedup_init(&dedup);
}

static void
teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	settle_dedup_release(&dedup);
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

TestSuite(charges, .init = setup, .fini = teardown);

static void
copy(char *dst, size_t cap, const char *p, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, p, len);
	dst[len] = '\0';
}

static int
on_charge(void *ctx, const struct settle_charge *c)
{
	struct got_charge *g;

	(void)ctx;
	if (got.stop_after > 0 && got.nc >= got.stop_after)
		return -42;
	cr_assert_lt(got.nc, MAXGOT);
	g = &got.c[got.nc++];
	copy(g->id, sizeof(g->id), c->id, c->id_len);
	copy(g->msisdn, sizeof(g->msisdn), c->msisdn, strlen(c->msisdn));
	copy(g->ref, sizeof(g->ref), c->ref, c->ref_len);
	copy(g->file, sizeof(g->file), c->file, strlen(c->file));
	copy(g->op, sizeof(g->op), c->op, strlen(c->op));
	g->amount = c->amount;
	g->at = c->at;
	g->kind = c->kind;
	g->status = c->status;
	g->line = c->line;
	return 0;
}

static int
on_reject(void *ctx, const struct settle_reject *r)
{
	struct got_reject *g;

	(void)ctx;
	cr_assert_lt(got.nr, MAXGOT);
	g = &got.r[got.nr++];
	copy(g->file, sizeof(g->file), r->file, strlen(r->file));
	copy(g->detail, sizeof(g->detail), r->detail, strlen(r->detail));
	copy(g->raw, sizeof(g->raw), r->raw, r->raw_len);
	g->raw_len = r->raw_len;
	g->line = r->line;
	g->reason = r->reason;
	g->readable = r->amount_readable;
	g->amount = r->amount;
	return 0;
}

static struct settle_dialect dialects[4];
static const char *const schema_files[4] = {
	"schemas/gp.yaml", "schemas/robi.yaml", "schemas/bl.yaml",
	"schemas/tt.yaml",
};
enum { GP, ROBI, BL, TT };

static const struct settle_dialect *
dialect(int which)
{
	struct settle_err err;

	if (dialects[which].op[0] == '\0')
		cr_assert_eq(settle_dialect_load(&dialects[which],
		    schema_files[which], &err), 0, "%s: %s",
		    schema_files[which], err.msg);
	return &dialects[which];
}

static const char *
put(const char *name, const void *data, size_t len, int gzip)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (gzip) {
		gzFile g = gzopen(p, "wb");

		cr_assert_not_null(g);
		if (len > 0)
			cr_assert_eq(gzwrite(g, data, (unsigned)len), (int)len);
		cr_assert_eq(gzclose(g), Z_OK);
	} else {
		FILE *fp = fopen(p, "wb");

		cr_assert_not_null(fp);
		cr_assert_eq(fwrite(data, 1, len, fp), len);
		cr_assert_eq(fclose(fp), 0);
	}
	return p;
}

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

struct opts {
	int have_date;
	const char *date;
	int dedup_days;
};

static const struct opts nodate = { 0, NULL, 80 };

/* Read an existing file; the results land in got. */
static int
read_path(int which, const char *path, const char *name,
    const struct opts *op)
{
	struct settle_charge_opts o;

	memset(&o, 0, sizeof(o));
	o.have_date = op->have_date;
	if (op->have_date)
		cr_assert_eq(settle_date_parse(op->date, &o.date), 0);
	o.dedup_days = op->dedup_days;
	o.dedup = &dedup;
	got.nc = got.nr = 0;
	settle_err_clear(&got.err);
	got.rc = settle_charges_read(dialect(which), path, name, &o, on_charge,
	    on_reject, NULL, &got.tot, &got.err);
	return got.rc;
}

/* Write data (gzip for GP) as name and read it. */
static int
read_data(int which, const char *name, const void *data, size_t len,
    const struct opts *op)
{
	const char *p = put(name, data, len, dialect(which)->gzip);

	return read_path(which, p, name, op);
}

static const char *const names[4] = {
	"GP_DCB_20261126.csv.gz", "robi_dcb_2026-11-26.txt",
	"BL-DCB-26112026.csv", "TT_DCB_20261126.dat",
};

/* Poisha as the dialect's trailer writes a sum. */
static void
add_sum(struct sb *b, int unit, int64_t sum)
{
	if (unit == SU_TAKA)
		sb_addf(b, "%lld.%02lld", (long long)(sum / 100),
		    (long long)(sum % 100));
	else
		sb_addf(b, "%lld", (long long)sum);
}

/* The first line: the header row, or the TT "H" record. */
static void
add_head(struct sb *b, int which, long count, const char *eol)
{
	const struct settle_dialect *d = dialect(which);

	if (d->layout == SL_HEADER)
		sb_add(b, d->header);
	else
		sb_addf(b, "H\tTELETALK\t20261126\t%ld", count);
	sb_add(b, eol);
}

static void
add_trailer(struct sb *b, int which, long count, int64_t sum)
{
	const struct settle_dialect *d = dialect(which);

	sb_addf(b, "%s%c%ld%c", d->trl_tag, d->delim, count, d->delim);
	add_sum(b, d->trl_unit, sum);
}

/* One table row: a detail line and what the reader must make of it. */
struct rec {
	const char *text;
	size_t len;		/* 0: strlen(text) */
	int reason;		/* SR_NONE: accepted */
	int64_t counted;	/* its part of the control sum */
	int kind, status;	/* when accepted */
};

static size_t
rec_len(const struct rec *r)
{
	return r->len ? r->len : strlen(r->text);
}

/* A whole file: head, the records, the trailer with the table's totals. */
static void
build(struct sb *b, int which, const char *bom, const char *eol,
    const struct rec *r, size_t n)
{
	int64_t sum = 0;
	size_t i;

	sb_add(b, bom);
	add_head(b, which, (long)n, eol);
	for (i = 0; i < n; i++) {
		sb_addn(b, r[i].text, rec_len(&r[i]));
		sb_add(b, eol);
		sum += r[i].counted;
	}
	add_trailer(b, which, (long)n, sum);
	sb_add(b, eol);
}

static const struct got_charge *
charge_at(long line)
{
	int i;

	for (i = 0; i < got.nc; i++)
		if (got.c[i].line == line)
			return &got.c[i];
	return NULL;
}

static const struct got_reject *
reject_at(long line)
{
	int i;

	for (i = 0; i < got.nr; i++)
		if (got.r[i].line == line)
			return &got.r[i];
	return NULL;
}

/* Check every table row's outcome and the totals. */
static void
check_table(const struct rec *r, size_t n, const char *name)
{
	struct settle_charge_totals w;
	size_t i;
	long line;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < n; i++) {
		const struct got_charge *c;
		const struct got_reject *j;

		line = (long)i + 2;
		w.records++;
		w.sum += r[i].counted;
		if (r[i].reason == SR_NONE) {
			c = charge_at(line);
			j = reject_at(line);
			cr_expect_not_null(c, "line %ld '%.*s' not accepted "
			    "(%s: %s)", line, (int)rec_len(&r[i]), r[i].text,
			    j ? settle_reason_name(j->reason) : "?",
			    j ? j->detail : "");
			if (c == NULL)
				continue;
			cr_expect_str_eq(c->file, name);
			cr_expect_eq(c->amount, r[i].counted, "line %ld amount",
			    line);
			cr_expect_eq(c->kind, r[i].kind, "line %ld kind", line);
			cr_expect_eq(c->status, r[i].status, "line %ld status",
			    line);
			if (r[i].status == SS_FAILED) {
				w.failed++;
				w.failed_sum += r[i].counted;
			} else if (r[i].kind == SK_CHARGE) {
				w.charges++;
				w.charges_sum += r[i].counted;
			} else {
				w.refunds++;
				w.refunds_sum += r[i].counted;
			}
			continue;
		}
		j = reject_at(line);
		cr_expect_not_null(j, "line %ld '%.*s' accepted, want %s",
		    line, (int)rec_len(&r[i]), r[i].text,
		    settle_reason_name(r[i].reason));
		if (j == NULL)
			continue;
		cr_expect_str_eq(settle_reason_name(j->reason),
		    settle_reason_name(r[i].reason), "line %ld '%.*s' (%s)",
		    line, (int)rec_len(&r[i]), r[i].text, j->detail);
		cr_expect_str_eq(j->file, name);
		cr_expect_neq(j->detail[0], '\0', "line %ld: no detail", line);
		/* raw is the line without its end; a cut line, its start */
		if (rec_len(&r[i]) <= SETTLE_LINE_MAX)
			cr_expect_eq(j->raw_len, rec_len(&r[i]), "line %ld raw",
			    line);
		else
			cr_expect(j->raw_len > 0 && j->raw_len <=
			    rec_len(&r[i]), "line %ld raw", line);
		if (r[i].reason == SR_MALFORMED) {
			cr_expect_eq(j->readable, 0, "line %ld readable", line);
			cr_expect_eq(j->amount, 0, "line %ld amount", line);
		} else if (j->readable) {
			cr_expect_eq(j->amount, r[i].counted, "line %ld "
			    "readable amount", line);
		} else {
			cr_expect_eq(r[i].counted, 0, "line %ld: amount not "
			    "read", line);
		}
		w.rejected++;
		w.rejected_sum += j->readable ? j->amount : 0;
	}
	cr_expect_eq(got.nc + got.nr, (int)n, "%d accepted + %d rejected, "
	    "want %zu", got.nc, got.nr, n);
	cr_expect_eq(got.tot.records, w.records);
	cr_expect_eq(got.tot.sum, w.sum, "sum %lld, want %lld",
	    (long long)got.tot.sum, (long long)w.sum);
	cr_expect_eq(got.tot.rejected, w.rejected);
	cr_expect_eq(got.tot.rejected_sum, w.rejected_sum);
	cr_expect_eq(got.tot.failed, w.failed);
	cr_expect_eq(got.tot.failed_sum, w.failed_sum);
	cr_expect_eq(got.tot.charges, w.charges);
	cr_expect_eq(got.tot.charges_sum, w.charges_sum);
	cr_expect_eq(got.tot.refunds, w.refunds);
	cr_expect_eq(got.tot.refunds_sum, w.refunds_sum);
	/* received = rejected + failed + success + refunds (SPEC §8) */
	cr_expect_eq(got.tot.sum, got.tot.rejected_sum + got.tot.failed_sum +
	    got.tot.charges_sum + got.tot.refunds_sum);
	cr_expect_eq(got.tot.records, got.tot.rejected + got.tot.failed +
	    got.tot.charges + got.tot.refunds);
}

static void
run_table(int which, const char *bom, const char *eol, const struct rec *r,
    size_t n, const struct opts *op)
{
	struct sb b = { 0 };

	build(&b, which, bom, eol, r, n);
	read_data(which, names[which], b.p, b.len, op);
	cr_assert_eq(got.rc, 0, "file refused: %s:%ld: %s", got.err.file,
	    got.err.line, got.err.msg);
	check_table(r, n, names[which]);
	sb_free(&b);
}

#define TS "2026-11-26T14:05:09+06:00"
#define KC SK_CHARGE, SS_SUCCESS
#define KR SK_REFUND, SS_SUCCESS
#define KCF SK_CHARGE, SS_FAILED
#define KRF SK_REFUND, SS_FAILED
#define GP20 "GP20,8801712345678,2.00," TS ",R20\0,CHARGE,0"
#define R1NUL "R-1|01812345678|100|1795680309000|a\0b|C|SUCCESS"

static const struct rec gp_recs[] = {
	{ "GP01,8801712345678,125.50," TS ",ECAB-0042-00012345,CHARGE,0", 0,
	    SR_NONE, 12550, KC },
	{ "GP02,01712345678,10,2026-11-26T10:00:00+06:00,,REFUND,0", 0,
	    SR_NONE, 1000, KR },
	{ "GP03,+880 1712-345678,5.5,2026-11-26T04:00:00Z,R3,CHARGE,17", 0,
	    SR_NONE, 550, KCF },
	{ "GP04,12345,1.234," TS ",R4,CHARGE,0", 0, SR_BAD_MSISDN, 0, KC },
	{ "GP05,+1 202-555-0143,3.00," TS ",R5,CHARGE,0", 0, SR_BAD_MSISDN, 300,
	    KC },
	{ "GP06,8801712345678,1e3," TS ",R6,CHARGE,0", 0, SR_BAD_AMOUNT, 0, KC },
	{ "GP07,8801712345678,0," TS ",R7,CHARGE,0", 0, SR_BAD_AMOUNT, 0, KC },
	{ "GP08,8801712345678,100000000.01," TS ",R8,CHARGE,0", 0,
	    SR_BAD_AMOUNT, 10000000001LL, KC },
	{ "GP09,8801712345678,100000000.00," TS ",R9,CHARGE,0", 0, SR_NONE,
	    10000000000LL, KC },
	{ "GP10,8801712345678,2.00,2026-11-26T14:05:09.5+06:00,R10,CHARGE,0",
	    0, SR_BAD_TIME, 200, KC },
	{ "GP11,8801712345678,2.00," TS ",R11,charge,0", 0, SR_BAD_KIND, 200,
	    KC },
	{ "GP12,8801712345678,2.00," TS ",R12,CHARGE,", 0, SR_BAD_STATUS, 200,
	    KC },
	{ "GP13,8801712345678,2.00," TS ",R13,PURCHASE,", 0, SR_BAD_KIND, 200,
	    KC },
	{ "GP14,8801712345678,2.00,2026-11-26,R14,XX,", 0, SR_BAD_TIME, 200,
	    KC },
	{ "GP15,8801712345678,2.00," TS ",R15,CHARGE", 0, SR_MALFORMED, 0, KC },
	{ "GP16,8801712345678,2.00," TS ",R16,CHARGE,0,extra", 0, SR_MALFORMED,
	    0, KC },
	{ ",8801712345678,2.00," TS ",R17,CHARGE,0", 0, SR_MALFORMED, 0, KC },
	{ "GP18,8801712345678,2.00," TS ",\"R18\",CHARGE,0", 0, SR_MALFORMED, 0,
	    KC },
	{ "GP19,8801712345678,2.00," TS ",R\xff" "19,CHARGE,0", 0, SR_MALFORMED,
	    0, KC },
	{ "GP20,8801712345678,2.00," TS ",R20\0,CHARGE,0", 62, SR_MALFORMED, 0,
	    KC },
	{ ",bad,1e3,x,y,z,", 0, SR_MALFORMED, 0, KC },
	{ "", 0, SR_MALFORMED, 0, KC },
	{ "GP23,8801212345678,-1," TS ",R23,CHARGE,0", 0, SR_BAD_MSISDN, 0, KC },
	{ "GP24,8801712345678,12.345,bad,R24,bad,bad", 0, SR_BAD_AMOUNT, 0, KC },
	{ "GP25,8801712345678,+1," TS ",R25,CHARGE,0", 0, SR_BAD_AMOUNT, 0, KC },
	{ "GP26,8801712345678,1.5," TS ",R26,REFUND,99", 0, SR_NONE, 150, KRF },
	{ "GP27,8801712345678, 1.50," TS ",R27,CHARGE,0", 0, SR_BAD_AMOUNT, 0,
	    KC },
	{ "GP28,8801712345678,0.00,bad,R28,x,", 0, SR_BAD_AMOUNT, 0, KC },
	{ "TRAILERX,8801712345678,1.00," TS ",R29,CHARGE,0", 0, SR_NONE, 100,
	    KC },
	{ "GP30,8801712345678,1.00," TS ",R30,CHARGE,00", 0, SR_NONE, 100, KCF },
	{ "GP31,8801712345678,1.00," TS ",R31,Charge,0", 0, SR_BAD_KIND, 100,
	    KC },
	{ "GP32,8801712345678,1.00,2026-11-26T14:05:09+0600,R32,CHARGE,0", 0,
	    SR_BAD_TIME, 100, KC },
	{ "GP33,8801712345678,12,5," TS ",R33,CHARGE,0", 0, SR_MALFORMED, 0,
	    KC },
	{ "GP34,8801912345678,7," TS ",R34,CHARGE,0", 0, SR_NONE, 700, KC },
};

Test(charges, gp_records_in_precedence)
{
	const struct got_charge *c;

	run_table(GP, "", "\n", gp_recs, sizeof(gp_recs) / sizeof(gp_recs[0]),
	    &nodate);
	c = charge_at(2);
	cr_assert_not_null(c);
	cr_expect_str_eq(c->op, "GP");
	cr_expect_str_eq(c->id, "GP01");
	cr_expect_str_eq(c->msisdn, "8801712345678");
	cr_expect_eq(c->at, INT64_C(1795680309));
	cr_expect_str_eq(c->ref, "ECAB-0042-00012345");
	c = charge_at(3);
	cr_assert_not_null(c);
	cr_expect_str_eq(c->ref, "");
	cr_expect_str_eq(c->msisdn, "8801712345678");
	c = charge_at(4);
	cr_assert_not_null(c);
	cr_expect_str_eq(c->msisdn, "8801712345678");
	cr_expect_eq(c->at, INT64_C(1795651200) + 4 * 3600);
}

/* The SPEC's own example file, byte for byte. */
Test(charges, gp_spec_example)
{
	const char *text =
	    "TXN_ID,MSISDN,AMOUNT_BDT,TXN_TIME,MERCHANT_REF,TXN_TYPE,RESULT\n"
	    "GP7000000001,8801712345678,125.50,2026-11-26T14:05:09+06:00,"
	    "ECAB-0042-00012345,CHARGE,0\n"
	    "GP7000000002,8801712345678,125.50,2026-11-26T15:05:09+06:00,"
	    "ECAB-0042-00012346,CHARGE,0\n"
	    "TRAILER,2,251.00\n";

	cr_assert_eq(read_data(GP, names[GP], text, strlen(text), &nodate), 0,
	    "%s", got.err.msg);
	cr_expect_eq(got.nc, 2);
	cr_expect_eq(got.nr, 0);
	cr_expect_eq(got.tot.records, 2);
	cr_expect_eq(got.tot.sum, 25100);
	cr_expect_eq(got.tot.charges_sum, 25100);
}

Test(charges, gp_detail_names_the_field)
{
	static const struct rec r[] = {
		{ "GP1,8801712345678,1e3," TS ",R,CHARGE,0", 0, SR_BAD_AMOUNT, 0,
		    KC },
		{ "GP2,0171234,1.00," TS ",R,CHARGE,0", 0, SR_BAD_MSISDN, 100,
		    KC },
	};

	run_table(GP, "", "\n", r, 2, &nodate);
	cr_assert_eq(got.nr, 2);
	cr_expect_not_null(strstr(got.r[0].detail, "AMOUNT_BDT"), "'%s'",
	    got.r[0].detail);
	cr_expect_not_null(strstr(got.r[0].detail, "1e3"), "'%s'",
	    got.r[0].detail);
	cr_expect_not_null(strstr(got.r[1].detail, "MSISDN"), "'%s'",
	    got.r[1].detail);
	cr_expect_str_eq(got.r[0].raw, r[0].text);
}

static const struct rec robi_recs[] = {
	{ "R-1|01812345678|12550|1795680309000|ECAB-0042-00012345|C|SUCCESS",
	    0, SR_NONE, 12550, KC },
	{ "R-2|8801812345678|500|1795680309999|REF|R|SUCCESS", 0, SR_NONE, 500,
	    KR },
	{ "R-3|01812345678|700|1795680309000||C|FAILED", 0, SR_NONE, 700, KCF },
	{ "R-4|01812345678|12.50|1795680309000|x|C|SUCCESS", 0, SR_BAD_AMOUNT,
	    0, KC },
	{ "R-5|01812345678|100|17956803090001234|x|C|SUCCESS", 0, SR_BAD_TIME,
	    100, KC },
	{ "R-6|01812345678|100|1795680309000|x|X|SUCCESS", 0, SR_BAD_KIND, 100,
	    KC },
	{ "R-7|01812345678|100|1795680309000|x|C|OK", 0, SR_BAD_STATUS, 100,
	    KC },
	{ "R-8|01812345678|100|1795680309000|x|C|", 0, SR_BAD_STATUS, 100, KC },
	{ "R-9|01812345678|100|1795680309000|x|c|SUCCESS", 0, SR_BAD_KIND, 100,
	    KC },
	{ "R-10|01812345678|100|1795680309000|x|C|success", 0, SR_BAD_STATUS,
	    100, KC },
	{ "R-11|01812345678|0|1795680309000|x|C|SUCCESS", 0, SR_BAD_AMOUNT, 0,
	    KC },
	{ "R-12|01812345678|10000000001|1795680309000|x|C|SUCCESS", 0,
	    SR_BAD_AMOUNT, 10000000001LL, KC },
	{ "R-13|018123456|100|1795680309000|x|C|SUCCESS", 0, SR_BAD_MSISDN, 100,
	    KC },
	{ "R-14|01812345678|100|1795680309000|x\"y|C|SUCCESS", 0, SR_MALFORMED,
	    0, KC },
	{ "R-15|01812345678|100|1795680309000|x|C|SUCCESS|", 0, SR_MALFORMED,
	    0, KC },
	{ "R-16|01712345678|100|1795680309000|x|C|SUCCESS", 0, SR_NONE, 100,
	    KC },
	{ "R-17|01812345678|100|-1795680309000|x|C|SUCCESS", 0, SR_BAD_TIME,
	    100, KC },
	{ "R-18|01812345678|100|1795680309000|x|R|FAILED", 0, SR_NONE, 100,
	    KRF },
	{ "R-19|01812345678|100|1795680309000|x|C|FAILED ", 0, SR_BAD_STATUS,
	    100, KC },
	{ "R-20|01812345678|1e2|1795680309000|x|C|SUCCESS", 0, SR_BAD_AMOUNT,
	    0, KC },
};

Test(charges, robi_records_in_precedence)
{
	const struct got_charge *c;

	run_table(ROBI, "", "\n", robi_recs,
	    sizeof(robi_recs) / sizeof(robi_recs[0]), &nodate);
	c = charge_at(2);
	cr_assert_not_null(c);
	cr_expect_str_eq(c->op, "ROBI");
	cr_expect_str_eq(c->msisdn, "8801812345678");
	c = charge_at(3);
	cr_assert_not_null(c);
	cr_expect_eq(c->at, INT64_C(1795680309), "epoch ms not floored");
}

/* CRLF line ends in a dialect that does not need them. */
Test(charges, robi_crlf)
{
	run_table(ROBI, "", "\r\n", robi_recs,
	    sizeof(robi_recs) / sizeof(robi_recs[0]), &nodate);
	cr_assert_not_null(reject_at(5));
	cr_expect_str_eq(reject_at(5)->raw, robi_recs[3].text,
	    "the CR is part of the raw text");
}

static const struct rec bl_recs[] = {
	{ "BL-0000001;+880 1912-345678;125.50;26/11/2026;14:05:09;"
	    "ECAB-0042-00012345;DEBIT;Charged", 0, SR_NONE, 12550, KC },
	{ "BL-0000002;+880 1912-345678;1.00;26/11/2026;14:05:09;"
	    "\"=HYPERLINK(\"\"x\"\";\"\"y\"\")\";DEBIT;Charged", 0, SR_NONE, 100,
	    KC },
	{ "\"BL-0000003\";01912345678;2;26/11/2026;09:00:00;\"a;b\";CREDIT;"
	    "Failed", 0, SR_NONE, 200, KRF },
	{ "BL-0000004;01912345678;2.5;31/02/2026;09:00:00;r;DEBIT;Charged", 0,
	    SR_BAD_TIME, 250, KC },
	{ "BL-0000005;01912345678;2.5;26/11/2026;9:00:00;r;DEBIT;Charged", 0,
	    SR_BAD_TIME, 250, KC },
	{ "BL-0000006;01912345678;2.5;26/11/2026;09:00:00;r;CHARGE;Charged", 0,
	    SR_BAD_KIND, 250, KC },
	{ "BL-0000007;01912345678;2.5;26/11/2026;09:00:00;r;DEBIT;Pending", 0,
	    SR_BAD_STATUS, 250, KC },
	{ "BL-0000008;01912345678;2.5;26/11/2026;09:00:00;\"r\"x;DEBIT;"
	    "Charged", 0, SR_MALFORMED, 0, KC },
	{ "BL-0000009;01912345678;2.5;26/11/2026;09:00:00;\"r;DEBIT;Charged",
	    0, SR_MALFORMED, 0, KC },
	{ "BL-0000010;01912345678;\"3.00\";26/11/2026;09:00:00;r;DEBIT;"
	    "Charged", 0, SR_NONE, 300, KC },
	{ "BL-0000011;01912345678;12,5;26/11/2026;09:00:00;r;DEBIT;Charged", 0,
	    SR_BAD_AMOUNT, 0, KC },
	{ "BL-0000012;01912345678;2.5;26/11/2026;09:00:00;r;DEBIT", 0,
	    SR_MALFORMED, 0, KC },
	{ "BL-0000013;01912345678;2.5;26/11/2026;09:00:00;r;DEBIT;", 0,
	    SR_BAD_STATUS, 250, KC },
	{ "BL-0000014;01912345678;2.5;2026-11-26;09:00:00;r;DEBIT;Charged", 0,
	    SR_BAD_TIME, 250, KC },
	{ "BL-0000015;01912345678;2.5;26/11/2026;09:00:00;\"\";CREDIT;Charged",
	    0, SR_NONE, 250, KR },
	{ "BL-0000016;\"+880 1912-345678\";2.5;26/11/2026;09:00:00;r;DEBIT;"
	    "Charged", 0, SR_NONE, 250, KC },
	{ "\"\";01912345678;2.5;26/11/2026;09:00:00;r;DEBIT;Charged", 0,
	    SR_MALFORMED, 0, KC },
	{ "BL-0000018;01912345678;2.5;26/11/2026;09:00:00;ab\"c;DEBIT;Charged",
	    0, SR_MALFORMED, 0, KC },
	{ "BL-0000019;01912345678;2.5;26/11/2026xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    ";09:00:00;r;DEBIT;Charged", 0, SR_BAD_TIME, 250, KC },
};

Test(charges, bl_bom_crlf_quotes)
{
	const struct got_charge *c;

	run_table(BL, "\xef\xbb\xbf", "\r\n", bl_recs,
	    sizeof(bl_recs) / sizeof(bl_recs[0]), &nodate);
	c = charge_at(2);
	cr_assert_not_null(c);
	cr_expect_str_eq(c->op, "BL");
	cr_expect_str_eq(c->msisdn, "8801912345678");
	cr_expect_eq(c->at, INT64_C(1795680309));
	c = charge_at(3);
	cr_assert_not_null(c);
	cr_expect_str_eq(c->ref, "=HYPERLINK(\"x\";\"y\")");
	c = charge_at(4);
	cr_assert_not_null(c);
	cr_expect_str_eq(c->id, "BL-0000003");
	cr_expect_str_eq(c->ref, "a;b");
	cr_assert_not_null(reject_at(9));
	cr_expect_str_eq(reject_at(9)->raw, bl_recs[7].text);
}

static const struct rec tt_recs[] = {
	{ "D\tTT000001\t01512345678\t12550\t20261126140509\tECAB-0042-00012345"
	    "\tCHG\t00", 0, SR_NONE, 12550, KC },
	{ "D\tTT000002\t01512345678\t100\t20261126140509\t\tRFD\t00", 0,
	    SR_NONE, 100, KR },
	{ "D\tTT000003\t01512345678\t100\t20261126140509\tr\tCHG\t05", 0,
	    SR_NONE, 100, KCF },
	{ "D\tTT000004\t01512345678\t100\t20261126140509\tr\tCHG\t", 0,
	    SR_BAD_STATUS, 100, KC },
	{ "D\tTT000005\t01512345678\t100\t20261126140509\tr\tXXX\t00", 0,
	    SR_BAD_KIND, 100, KC },
	{ "D\tTT000006\t01512345678\t100\t2026112614050\tr\tCHG\t00", 0,
	    SR_BAD_TIME, 100, KC },
	{ "D\tTT000007\t01512345678\t1.00\t20261126140509\tr\tCHG\t00", 0,
	    SR_BAD_AMOUNT, 0, KC },
	{ "X\tTT000008\t01512345678\t100\t20261126140509\tr\tCHG\t00", 0,
	    SR_MALFORMED, 0, KC },
	{ "D\tTT000009\t01512345678\t100\t20261126140509\tr\tCHG", 0,
	    SR_MALFORMED, 0, KC },
	{ "D\t\t01512345678\t100\t20261126140509\tr\tCHG\t00", 0, SR_MALFORMED,
	    0, KC },
	{ "D\tTT000011\t1512345678\t100\t20261126140509\tr\tCHG\t00", 0,
	    SR_BAD_MSISDN, 100, KC },
	{ "D\tTT000012\t01512345678\t100\t20261126140509\tr\tCHG\tFAIL", 0,
	    SR_NONE, 100, KCF },
	{ "H\tTT000013\t01512345678\t100\t20261126140509\tr\tCHG\t00", 0,
	    SR_MALFORMED, 0, KC },
	{ "D\tTT000014\t01512345678\t100\t20261126140509\tr\"\tCHG\t00", 0,
	    SR_MALFORMED, 0, KC },
};

Test(charges, tt_records)
{
	const struct got_charge *c;

	run_table(TT, "", "\n", tt_recs, sizeof(tt_recs) / sizeof(tt_recs[0]),
	    &nodate);
	c = charge_at(2);
	cr_assert_not_null(c);
	cr_expect_str_eq(c->op, "TT");
	cr_expect_str_eq(c->msisdn, "8801512345678");
	cr_expect_eq(c->at, INT64_C(1795680309));
}

/* Record-type dialects with a date from --date rather than the name. */
Test(charges, tt_with_date)
{
	struct opts o = { 1, "2026-11-26", 80 };

	run_table(TT, "", "\n", tt_recs, sizeof(tt_recs) / sizeof(tt_recs[0]),
	    &o);
}

/* Refusals: the file, what must be refused, the line the error names. */
struct refusal {
	const char *what;
	const char *text;
	size_t len;		/* 0: strlen */
	long line;		/* -1: any */
};

#define GP_HEAD "TXN_ID,MSISDN,AMOUNT_BDT,TXN_TIME,MERCHANT_REF,TXN_TYPE," \
	"RESULT\n"
#define GP_R1 "GP1,8801712345678,125.50," TS ",A,CHARGE,0\n"
#define GP_R2 "GP2,8801712345678,125.50," TS ",B,CHARGE,0\n"
#define GP_BODY GP_HEAD GP_R1 GP_R2
#define GP_GOOD GP_BODY "TRAILER,2,251.00\n"

static const struct refusal gp_refusals[] = {
	{ "missing trailer", GP_BODY, 0, -1 },
	{ "header only", GP_HEAD, 0, -1 },
	{ "empty file", "", 0, -1 },
	{ "count too high", GP_BODY "TRAILER,3,251.00\n", 0, 4 },
	{ "count too low", GP_BODY "TRAILER,1,251.00\n", 0, 4 },
	{ "sum off by a poisha", GP_BODY "TRAILER,2,251.01\n", 0, 4 },
	{ "sum in poisha", GP_BODY "TRAILER,2,25100\n", 0, 4 },
	{ "trailer with 4 fields", GP_BODY "TRAILER,2,251.00,\n", 0, 4 },
	{ "trailer with 2 fields", GP_BODY "TRAILER,2\n", 0, 4 },
	{ "trailer count not a number", GP_BODY "TRAILER,two,251.00\n", 0, 4 },
	{ "trailer count signed", GP_BODY "TRAILER,+2,251.00\n", 0, 4 },
	{ "trailer sum 3 decimals", GP_BODY "TRAILER,2,251.000\n", 0, 4 },
	{ "record after the trailer", GP_GOOD GP_R1, 0, 5 },
	{ "two trailers", GP_GOOD "TRAILER,2,251.00\n", 0, 5 },
	{ "two LF after the trailer", GP_GOOD "\n", 0, 5 },
	{ "two CRLF after the trailer", GP_BODY "TRAILER,2,251.00\r\n\r\n", 0,
	    5 },
	{ "a space after the trailer", GP_GOOD " ", 0, 5 },
	{ "a CR after the trailer line", GP_GOOD "\r", 0, 5 },
	{ "a doubled file", GP_GOOD GP_GOOD, 0, 5 },
	{ "header differs by a byte", "TXN_ID,MSISDN,AMOUNT_BDT,TXN_TIME,"
	    "MERCHANT_REF,TXN_TYPE,RESULt\n" GP_R1 GP_R2 "TRAILER,2,251.00\n",
	    0, 1 },
	{ "header with a trailing delimiter", "TXN_ID,MSISDN,AMOUNT_BDT,"
	    "TXN_TIME,MERCHANT_REF,TXN_TYPE,RESULT,\n" GP_R1 GP_R2
	    "TRAILER,2,251.00\n", 0, 1 },
	{ "header with a trailing space", "TXN_ID,MSISDN,AMOUNT_BDT,TXN_TIME,"
	    "MERCHANT_REF,TXN_TYPE,RESULT \n" GP_R1 GP_R2 "TRAILER,2,251.00\n",
	    0, 1 },
	{ "header in lowercase", "txn_id,msisdn,amount_bdt,txn_time,"
	    "merchant_ref,txn_type,result\n" GP_R1 GP_R2 "TRAILER,2,251.00\n",
	    0, 1 },
	{ "no header", GP_R1 GP_R2 "TRAILER,2,251.00\n", 0, 1 },
	{ "two BOMs", "\xef\xbb\xbf\xef\xbb\xbf" GP_GOOD, 0, 1 },
	{ "blank first line", "\n" GP_GOOD, 0, 1 },
};

static void
expect_refused(int which, const struct refusal *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t len = r[i].len ? r[i].len : strlen(r[i].text);

		read_data(which, names[which], r[i].text, len, &nodate);
		cr_expect_eq(got.rc, SETTLE_EDATA, "%s: not refused (rc %d)",
		    r[i].what, got.rc);
		cr_expect_eq(got.err.code, SETTLE_EDATA, "%s", r[i].what);
		cr_expect_str_eq(got.err.file, names[which], "%s", r[i].what);
		cr_expect_neq(got.err.msg[0], '\0', "%s: no message",
		    r[i].what);
		if (r[i].line >= 0)
			cr_expect_eq(got.err.line, r[i].line, "%s: line %ld "
			    "(%s)", r[i].what, got.err.line, got.err.msg);
		settle_dedup_release(&dedup);
	}
}

Test(charges, gp_refused)
{
	expect_refused(GP, gp_refusals,
	    sizeof(gp_refusals) / sizeof(gp_refusals[0]));
}

/* One line end after the trailer, or none, is fine. */
Test(charges, gp_trailer_endings)
{
	static const char *const ok[] = {
		GP_GOOD,
		GP_BODY "TRAILER,2,251.00",
		GP_BODY "TRAILER,2,251.00\r\n",
		GP_BODY "TRAILER,2,251",
		GP_BODY "TRAILER,2,251.0\n",
		"\xef\xbb\xbf" GP_GOOD,
		"TXN_ID,MSISDN,AMOUNT_BDT,TXN_TIME,MERCHANT_REF,TXN_TYPE,"
		    "RESULT\r\n" GP_R1 GP_R2 "TRAILER,2,251.00\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_expect_eq(read_data(GP, names[GP], ok[i], strlen(ok[i]),
		    &nodate), 0, "case %zu refused: %s:%ld: %s", i,
		    got.err.file, got.err.line, got.err.msg);
		cr_expect_eq(got.nc, 2, "case %zu", i);
		cr_expect_eq(got.tot.sum, 25100, "case %zu", i);
		settle_dedup_release(&dedup);
	}
}

/* An empty trailer-only file: zero records, zero sum. */
Test(charges, gp_no_records)
{
	const char *text = GP_HEAD "TRAILER,0,0.00\n";

	cr_expect_eq(read_data(GP, names[GP], text, strlen(text), &nodate), 0,
	    "%s", got.err.msg);
	cr_expect_eq(got.tot.records, 0);
	cr_expect_eq(got.nc + got.nr, 0);
}

/* The trailer counts every line, faults and all. */
Test(charges, control_totals_count_every_line)
{
	const char *text = GP_HEAD
	    GP_R1
	    "\n"
	    "garbage\n"
	    "GP3,8801712345678,0," TS ",C,CHARGE,0\n"
	    "GP4,8801712345678,100000000.01," TS ",D,CHARGE,0\n"
	    "GP5,bad,2.00," TS ",E,CHARGE,0\n"
	    "GP6,8801712345678,2.00," TS ",\"F\",CHARGE,0\n"
	    "TRAILER,7,100000127.51\n";

	cr_assert_eq(read_data(GP, names[GP], text, strlen(text), &nodate), 0,
	    "%s:%ld: %s", got.err.file, got.err.line, got.err.msg);
	cr_expect_eq(got.tot.records, 7);
	cr_expect_eq(got.tot.sum, 12550 + 10000000001LL + 200);
	cr_expect_eq(got.tot.rejected, 6);
	cr_expect_eq(got.tot.rejected_sum, 10000000001LL + 200);
	cr_expect_eq(got.nc, 1);
	cr_expect_eq(got.nr, 6);
}

static const unsigned char *
gz_of(const char *text, size_t *len)
{
	static unsigned char *buf;

	free(buf);
	buf = slurp(put("tmp.gz", text, strlen(text), 1), len);
	return buf;
}

static int
read_raw_gp(const void *bytes, size_t len)
{
	const char *p = put(names[GP], bytes, len, 0);

	return read_path(GP, p, names[GP], &nodate);
}

Test(charges, gp_gzip_refused)
{
	const unsigned char *g;
	unsigned char *b;
	size_t len, i;

	g = gz_of(GP_GOOD, &len);
	cr_assert_eq(read_raw_gp(g, len), 0, "the good file: %s",
	    got.err.msg);
	settle_dedup_release(&dedup);

	b = malloc(len * 2 + 16);
	cr_assert_not_null(b);

	/* truncated: at several points, including just the trailer bytes */
	for (i = 1; i < len; i += i < 12 || i > len - 10 ? 1 : 13) {
		cr_expect_eq(read_raw_gp(g, i), SETTLE_EDATA, "cut at %zu of "
		    "%zu", i, len);
		settle_dedup_release(&dedup);
	}
	/* corrupt: a flipped byte in the deflate data or the CRC */
	memcpy(b, g, len);
	b[len / 2] ^= 0xff;
	cr_expect_eq(read_raw_gp(b, len), SETTLE_EDATA, "corrupt data");
	settle_dedup_release(&dedup);
	memcpy(b, g, len);
	b[len - 6] ^= 0x01;
	cr_expect_eq(read_raw_gp(b, len), SETTLE_EDATA, "corrupt CRC");
	settle_dedup_release(&dedup);
	/* trailing garbage */
	memcpy(b, g, len);
	memcpy(b + len, "garbage", 7);
	cr_expect_eq(read_raw_gp(b, len + 7), SETTLE_EDATA, "garbage");
	settle_dedup_release(&dedup);
	memcpy(b + len, "\0\0\0\0", 4);
	cr_expect_eq(read_raw_gp(b, len + 4), SETTLE_EDATA, "zero padding");
	settle_dedup_release(&dedup);
	/* a doubled file as two gzip members: data after the trailer */
	memcpy(b + len, g, len);
	cr_expect_eq(read_raw_gp(b, len * 2), SETTLE_EDATA, "doubled");
	settle_dedup_release(&dedup);
	/* an empty file, and plain text where gzip is expected */
	cr_expect_eq(read_raw_gp("", 0), SETTLE_EDATA, "0 bytes");
	settle_dedup_release(&dedup);
	cr_expect_eq(read_raw_gp(GP_GOOD, strlen(GP_GOOD)), SETTLE_EDATA,
	    "not gzip");
	settle_dedup_release(&dedup);
	/* an empty gzip stream: no header line at all */
	g = gz_of("", &len);
	cr_expect_eq(read_raw_gp(g, len), SETTLE_EDATA, "empty stream");
	free(b);
}

/* Nothing is accepted from a file that is then refused... as callbacks. */
Test(charges, refused_file_sees_rows_first)
{
	const char *text = GP_BODY "TRAILER,2,999.00\n";

	cr_expect_eq(read_data(GP, names[GP], text, strlen(text), &nodate),
	    SETTLE_EDATA);
	/* The header says: callers buffer rows and drop them on refusal. */
	cr_expect_eq(got.nc, 2);
}

#define TT_D1 "D\tTT000001\t01512345678\t12550\t20261126140509\tR\tCHG\t00\n"
#define TT_D2 "D\tTT000002\t01512345678\t450\t20261126150509\tS\tCHG\t00\n"
#define TT_TRL "T\t2\t13000\n"

static const struct refusal tt_refusals[] = {
	{ "no H record", TT_D1 TT_D2 TT_TRL, 0, 1 },
	{ "H with the wrong date", "H\tTELETALK\t20261125\t2\n" TT_D1 TT_D2
	    TT_TRL, 0, 1 },
	{ "H with a bad date", "H\tTELETALK\t2026112\t2\n" TT_D1 TT_D2 TT_TRL,
	    0, 1 },
	{ "H with another count", "H\tTELETALK\t20261126\t3\n" TT_D1 TT_D2
	    TT_TRL, 0, -1 },
	{ "H count not a number", "H\tTELETALK\t20261126\tx\n" TT_D1 TT_D2
	    TT_TRL, 0, 1 },
	{ "H of another operator", "H\tTELETALKX\t20261126\t2\n" TT_D1 TT_D2
	    TT_TRL, 0, 1 },
	{ "H with 3 fields", "H\tTELETALK\t20261126\n" TT_D1 TT_D2 TT_TRL, 0,
	    1 },
	{ "H with 5 fields", "H\tTELETALK\t20261126\t2\t\n" TT_D1 TT_D2 TT_TRL,
	    0, 1 },
	{ "h in lowercase", "h\tTELETALK\t20261126\t2\n" TT_D1 TT_D2 TT_TRL,
	    0, 1 },
	{ "trailer count wrong", "H\tTELETALK\t20261126\t3\n" TT_D1 TT_D2
	    "T\t3\t13000\n", 0, 4 },
	{ "trailer sum in taka", "H\tTELETALK\t20261126\t2\n" TT_D1 TT_D2
	    "T\t2\t130.00\n", 0, 4 },
	{ "missing trailer", "H\tTELETALK\t20261126\t2\n" TT_D1 TT_D2, 0, -1 },
};

Test(charges, tt_refused)
{
	const char *good = "H\tTELETALK\t20261126\t2\n" TT_D1 TT_D2 TT_TRL;

	cr_assert_eq(read_data(TT, names[TT], good, strlen(good), &nodate), 0,
	    "the good file: %s", got.err.msg);
	cr_expect_eq(got.nc, 2);
	settle_dedup_release(&dedup);
	expect_refused(TT, tt_refusals,
	    sizeof(tt_refusals) / sizeof(tt_refusals[0]));
}

/* The H date is checked against --date when given. */
Test(charges, tt_header_date_from_opts)
{
	const char *text = "H\tTELETALK\t20261126\t2\n" TT_D1 TT_D2 TT_TRL;
	struct opts o = { 1, "2026-11-27", 80 };
	const char *p = put("tt.dat", text, strlen(text), 0);

	cr_expect_eq(read_path(TT, p, "tt.dat", &o), SETTLE_EDATA);
	cr_expect_eq(got.err.line, 1);
	settle_dedup_release(&dedup);
	o.date = "2026-11-26";
	cr_expect_eq(read_path(TT, p, "tt.dat", &o), 0, "%s", got.err.msg);
}

Test(charges, other_dialects_refused)
{
	static const struct refusal robi[] = {
		{ "trailer with 4 fields", "id|msisdn|amount_poisha|epoch_ms|"
		    "ref|type|status\n#EOF|0|0|\n", 0, 2 },
		{ "sum in taka", "id|msisdn|amount_poisha|epoch_ms|ref|type|"
		    "status\nR-1|01812345678|12550|1795680309000|x|C|SUCCESS\n"
		    "#EOF|1|125.50\n", 0, 3 },
		{ "BL header", "Transaction ID;Subscriber;Amount;Date;Time;"
		    "Reference;Type;Status\n#EOF|0|0\n", 0, 1 },
	};
	static const struct refusal bl[] = {
		{ "header with a quoted name", "\xef\xbb\xbf\"Transaction ID\";"
		    "Subscriber;Amount;Date;Time;Reference;Type;Status\r\n"
		    "TOTAL;0;0\r\n", 0, 1 },
		{ "count off", "\xef\xbb\xbfTransaction ID;Subscriber;Amount;"
		    "Date;Time;Reference;Type;Status\r\nTOTAL;1;0.00\r\n", 0,
		    2 },
		{ "two CRLF after", "\xef\xbb\xbfTransaction ID;Subscriber;"
		    "Amount;Date;Time;Reference;Type;Status\r\nTOTAL;0;0.00"
		    "\r\n\r\n", 0, 3 },
	};

	expect_refused(ROBI, robi, sizeof(robi) / sizeof(robi[0]));
	expect_refused(BL, bl, sizeof(bl) / sizeof(bl[0]));
}

/* Amounts that read but are over the limit still count: past int64, refused. */
Test(charges, control_sum_overflow)
{
	const char *text = "id|msisdn|amount_poisha|epoch_ms|ref|type|status\n"
	    "R-1|01812345678|9223372036854775807|1795680309000|x|C|SUCCESS\n"
	    "R-2|01812345678|1|1795680309000|x|C|SUCCESS\n"
	    "#EOF|2|0\n";

	cr_expect_eq(read_data(ROBI, names[ROBI], text, strlen(text), &nodate),
	    SETTLE_EDATA);
	cr_expect_eq(got.err.code, SETTLE_EDATA);
	cr_expect_eq(got.err.line, 3, "line %ld: %s", got.err.line,
	    got.err.msg);
}

/* FUTURE and STALE around D = 2026-11-26 with dedup_days 80. */
static const struct rec window_recs[] = {
	{ "W01,8801712345678,1.00,2026-11-26T23:59:59+06:00,a,CHARGE,0", 0,
	    SR_NONE, 100, KC },
	{ "W02,8801712345678,1.00,2026-11-27T00:00:00+06:00,a,CHARGE,0", 0,
	    SR_FUTURE, 100, KC },
	{ "W03,8801712345678,1.00,2026-11-26T18:00:00Z,a,CHARGE,0", 0,
	    SR_FUTURE, 100, KC },
	{ "W04,8801712345678,1.00,2026-11-26T17:59:59Z,a,CHARGE,0", 0, SR_NONE,
	    100, KC },
	{ "W05,8801712345678,1.00,2026-09-07T00:00:00+06:00,a,CHARGE,0", 0,
	    SR_NONE, 100, KC },
	{ "W06,8801712345678,1.00,2026-09-06T23:59:59+06:00,a,CHARGE,0", 0,
	    SR_STALE, 100, KC },
	{ "W07,8801712345678,1.00,2026-09-06T18:00:00Z,a,CHARGE,0", 0, SR_NONE,
	    100, KC },
	{ "W08,8801712345678,1.00,2026-09-06T17:59:59Z,a,CHARGE,0", 0,
	    SR_STALE, 100, KC },
	{ "W09,8801712345678,1.00,2027-01-01T00:00:00Z,a,DEBIT,0", 0,
	    SR_BAD_KIND, 100, KC },
	{ "W10,8801712345678,1.00,2027-01-01T00:00:00Z,a,CHARGE,", 0,
	    SR_BAD_STATUS, 100, KC },
	{ "W11,8801712345678,0.00,2020-01-01T00:00:00Z,a,CHARGE,0", 0,
	    SR_BAD_AMOUNT, 0, KC },
	{ "W12,8801712345678,1.00,2030-01-01T00:00:00Z,a,CHARGE,0", 0,
	    SR_FUTURE, 100, KC },
	/* a rejected record is not remembered: the same id is new again */
	{ "W12,8801712345678,1.00,2026-11-26T12:00:00+06:00,a,CHARGE,0", 0,
	    SR_NONE, 100, KC },
	{ "W13,8801712345678,1.00,2020-01-01T00:00:00Z,a,CHARGE,0", 0,
	    SR_STALE, 100, KC },
	{ "W13,8801712345678,1.00,2020-01-01T00:00:00Z,a,CHARGE,0", 0,
	    SR_STALE, 100, KC },
	{ "W14,8801712345678,1.00,2026-11-26T00:00:00+06:00,a,REFUND,1", 0,
	    SR_NONE, 100, KRF },
	{ "W15,8801712345678,1.00,2026-11-27T00:00:00+06:00,a,REFUND,1", 0,
	    SR_FUTURE, 100, KRF },
};

Test(charges, future_and_stale)
{
	struct opts o = { 1, "2026-11-26", 80 };

	run_table(GP, "", "\n", window_recs,
	    sizeof(window_recs) / sizeof(window_recs[0]), &o);
}

/* Without a date, FUTURE and STALE do not apply. */
Test(charges, no_window_without_date)
{
	struct sb b = { 0 };
	size_t i, n = sizeof(window_recs) / sizeof(window_recs[0]);

	build(&b, GP, "", "\n", window_recs, n);
	cr_assert_eq(read_data(GP, names[GP], b.p, b.len, &nodate), 0);
	for (i = 0; i < n; i++) {
		const struct got_reject *j = reject_at((long)i + 2);

		if (j != NULL)
			cr_expect(j->reason != SR_FUTURE && j->reason !=
			    SR_STALE, "line %zu: %s without a date", i + 2,
			    settle_reason_name(j->reason));
	}
	/* W12 again and W13 again are duplicates now. */
	cr_assert_not_null(reject_at(14));
	cr_expect_eq(reject_at(14)->reason, SR_ID_CONFLICT);
	cr_assert_not_null(reject_at(16));
	cr_expect_eq(reject_at(16)->reason, SR_DUPLICATE_ID);
	sb_free(&b);
}

Test(charges, dedup_days_zero)
{
	static const struct rec r[] = {
		{ "Z1,8801712345678,1.00,2026-11-25T23:59:59+06:00,a,CHARGE,0",
		    0, SR_STALE, 100, KC },
		{ "Z2,8801712345678,1.00,2026-11-26T00:00:00+06:00,a,CHARGE,0",
		    0, SR_NONE, 100, KC },
	};
	struct opts o = { 1, "2026-11-26", 0 };

	run_table(GP, "", "\n", r, 2, &o);
}

static const struct rec dup_recs[] = {
	{ "D1,8801712345678,1.00,2026-11-26T14:05:09+06:00,REF,CHARGE,0", 0,
	    SR_NONE, 100, KC },
	/* the same canonical content written another way */
	{ "D1,+880 1712-345678,1,2026-11-26T08:05:09Z,REF,CHARGE,0", 0,
	    SR_DUPLICATE_ID, 100, KC },
	{ "D1,01712345678,1.0,2026-11-26T02:05:09-06:00,REF,CHARGE,0", 0,
	    SR_DUPLICATE_ID, 100, KC },
	/* one canonical field different */
	{ "D1,8801712345678,1.01,2026-11-26T14:05:09+06:00,REF,CHARGE,0", 0,
	    SR_ID_CONFLICT, 101, KC },
	{ "D1,8801712345678,1.00,2026-11-26T14:05:09+06:00,REF,REFUND,0", 0,
	    SR_ID_CONFLICT, 100, KC },
	{ "D1,8801712345678,1.00,2026-11-26T14:05:09+06:00,REF,CHARGE,5", 0,
	    SR_ID_CONFLICT, 100, KC },
	{ "D1,8801712345678,1.00,2026-11-26T14:05:09+06:00,REF2,CHARGE,0", 0,
	    SR_ID_CONFLICT, 100, KC },
	{ "D1,8801712345678,1.00,2026-11-26T14:05:10+06:00,REF,CHARGE,0", 0,
	    SR_ID_CONFLICT, 100, KC },
	{ "D1,8801712345679,1.00,2026-11-26T14:05:09+06:00,REF,CHARGE,0", 0,
	    SR_ID_CONFLICT, 100, KC },
	{ "D1,8801712345678,1.00,2026-11-26T14:05:09+06:00,,CHARGE,0", 0,
	    SR_ID_CONFLICT, 100, KC },
	/* column faults come before duplicates */
	{ "D1,8801212345678,1.00,2026-11-26T14:05:09+06:00,REF,CHARGE,0", 0,
	    SR_BAD_MSISDN, 100, KC },
	{ "D1,8801712345678,1.00,2026-11-26T14:05:09+06:00,REF,CHARGE,", 0,
	    SR_BAD_STATUS, 100, KC },
	/* a conflict does not replace the remembered content */
	{ "D1,8801712345678,1.00,2026-11-26T14:05:09+06:00,REF,CHARGE,0", 0,
	    SR_DUPLICATE_ID, 100, KC },
	/* a rejected record is not remembered */
	{ "D2,8801712345678,1e2,2026-11-26T14:05:09+06:00,REF,CHARGE,0", 0,
	    SR_BAD_AMOUNT, 0, KC },
	{ "D2,8801712345678,2.00,2026-11-26T14:05:09+06:00,REF,CHARGE,0", 0,
	    SR_NONE, 200, KC },
	{ "D2,8801712345678,2.00,2026-11-26T14:05:09+06:00,REF,CHARGE,0", 0,
	    SR_DUPLICATE_ID, 200, KC },
	/* any failure code is FAILED: the canonical content is the same */
	{ "D3,8801712345678,3.00,2026-11-26T14:05:09+06:00,REF,CHARGE,5", 0,
	    SR_NONE, 300, KCF },
	{ "D3,8801712345678,3.00,2026-11-26T14:05:09+06:00,REF,CHARGE,7", 0,
	    SR_DUPLICATE_ID, 300, KC },
	/* ids are case-sensitive bytes */
	{ "d1,8801712345678,1.00,2026-11-26T14:05:09+06:00,REF,CHARGE,0", 0,
	    SR_NONE, 100, KC },
	{ "D1 ,8801712345678,1.00,2026-11-26T14:05:09+06:00,REF,CHARGE,0", 0,
	    SR_NONE, 100, KC },
};

Test(charges, duplicate_id_and_conflict)
{
	run_table(GP, "", "\n", dup_recs, sizeof(dup_recs) / sizeof(dup_recs[0]),
	    &nodate);
}

/* The same table across two files: every id of the first is known. */
Test(charges, duplicates_across_files)
{
	static const struct rec second[] = {
		{ "D1,01712345678,1.00,2026-11-26T14:05:09+06:00,REF,CHARGE,0",
		    0, SR_DUPLICATE_ID, 100, KC },
		{ "D2,8801712345678,2.50,2026-11-26T14:05:09+06:00,REF,CHARGE,0",
		    0, SR_ID_CONFLICT, 250, KC },
		{ "D9,8801712345678,2.00,2026-11-26T14:05:09+06:00,REF,CHARGE,0",
		    0, SR_NONE, 200, KC },
	};

	run_table(GP, "", "\n", dup_recs, sizeof(dup_recs) / sizeof(dup_recs[0]),
	    &nodate);
	run_table(GP, "", "\n", second, 3, &nodate);
}

/* ROBI ids with the same canonical content from another MSISDN form. */
Test(charges, robi_duplicate_forms)
{
	static const struct rec r[] = {
		{ "R-1|01812345678|12550|1795680309000|X|C|SUCCESS", 0, SR_NONE,
		    12550, KC },
		{ "R-1|8801812345678|12550|1795680309999|X|C|SUCCESS", 0,
		    SR_DUPLICATE_ID, 12550, KC },
		{ "R-1|01812345678|12550|1795680310000|X|C|SUCCESS", 0,
		    SR_ID_CONFLICT, 12550, KC },
	};

	run_table(ROBI, "", "\n", r, 3, &nodate);
}

static char *
long_record(size_t reflen, size_t *len)
{
	const char *a = "L-1|01812345678|100|1795680309000|";
	const char *b = "|C|SUCCESS";
	char *p = malloc(strlen(a) + reflen + strlen(b) + 1);

	cr_assert_not_null(p);
	strcpy(p, a);
	memset(p + strlen(a), 'x', reflen);
	strcpy(p + strlen(a) + reflen, b);
	*len = strlen(p);
	return p;
}

/* Lines over 64 KiB: MALFORMED, counted, and the next line is whole. */
static void
long_line_case(size_t reflen)
{
	struct rec r[3] = {
		{ "R-0|01812345678|100|1795680309000|x|C|SUCCESS", 0, SR_NONE,
		    100, KC },
		{ NULL, 0, SR_MALFORMED, 0, KC },
		{ "R-2|01812345678|300|1795680309000|x|C|SUCCESS", 0, SR_NONE,
		    300, KC },
	};
	size_t len;
	char *p = long_record(reflen, &len);

	r[1].text = p;
	r[1].len = len;
	run_table(ROBI, "", "\n", r, 3, &nodate);
	free(p);
}

Test(charges, line_over_64k)
{
	long_line_case(70000);
}

Test(charges, line_over_a_megabyte)
{
	long_line_case(3 * 1024 * 1024);
}

/* Just under the cap: a line of 65,000 bytes is an ordinary record. */
Test(charges, line_under_64k)
{
	struct rec r[1] = { { NULL, 0, SR_NONE, 100, KC } };
	size_t len;
	char *p = long_record(65000, &len);

	r[0].text = p;
	r[0].len = len;
	run_table(ROBI, "", "\n", r, 1, &nodate);
	free(p);
}

Test(charges, a_million_columns)
{
	struct rec r[2] = {
		{ NULL, 0, SR_MALFORMED, 0, KC },
		{ "R-2|01812345678|300|1795680309000|x|C|SUCCESS", 0, SR_NONE,
		    300, KC },
	};
	size_t n = 999999;
	char *p = malloc(n + 1);

	cr_assert_not_null(p);
	memset(p, '|', n);
	p[n] = '\0';
	r[0].text = p;
	r[0].len = n;
	run_table(ROBI, "", "\n", r, 2, &nodate);
	/* and with text in the columns, past the 64 KiB cap */
	p = realloc(p, 2 * n + 2);
	cr_assert_not_null(p);
	for (n = 0; n < 2 * 999999 + 1; n++)
		p[n] = n % 2 ? '|' : 'a';
	r[0].text = p;
	r[0].len = n;
	settle_dedup_release(&dedup);
	run_table(ROBI, "", "\n", r, 2, &nodate);
	free(p);
}

Test(charges, nul_and_bad_bytes)
{
	static const struct rec r[] = {
		{ R1NUL, sizeof(R1NUL) - 1, SR_MALFORMED, 0, KC },
		{ "\0", 1, SR_MALFORMED, 0, KC },
		{ "R-3|01812345678|100|1795680309000|\xc0\xaf|C|SUCCESS", 0,
		    SR_MALFORMED, 0, KC },
		{ "R-4|01812345678|100|1795680309000|\xed\xa0\x80|C|SUCCESS", 0,
		    SR_MALFORMED, 0, KC },
		{ "R-5|01812345678|100|1795680309000|\xe0\xa7\xa7|C|SUCCESS", 0,
		    SR_NONE, 100, KC },
		{ "R-6|01812345678|100|1795680309000|x|C|SUCCESS\xff", 0,
		    SR_MALFORMED, 0, KC },
	};

	cr_assert_gt(r[0].len, strlen(r[0].text));
	run_table(ROBI, "", "\n", r, sizeof(r) / sizeof(r[0]), &nodate);
}

/* A BOM inside a gzip stream is removed too. */
Test(charges, gp_bom_in_gzip)
{
	static const struct rec r[] = {
		{ "GP1,8801712345678,1.00," TS ",A,CHARGE,0", 0, SR_NONE, 100, KC },
	};

	run_table(GP, "\xef\xbb\xbf", "\r\n", r, 1, &nodate);
	cr_expect_eq(got.c[0].line, 2, "the BOM shifted the line numbers");
}

Test(charges, callback_stops_the_read)
{
	got.stop_after = 1;
	cr_expect_eq(read_data(GP, names[GP], GP_GOOD, strlen(GP_GOOD),
	    &nodate), -42);
	cr_expect_eq(got.nc, 1);
}

Test(charges, missing_file)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/none.csv.gz", dir);
	cr_expect_eq(read_path(GP, p, "none.csv.gz", &nodate),
	    SETTLE_ENOINPUT);
	cr_expect_eq(got.err.code, SETTLE_ENOINPUT);
}

Test(charges, standard_input)
{
	const char *text = "id|msisdn|amount_poisha|epoch_ms|ref|type|status\n"
	    "R-1|01812345678|12550|1795680309000|x|C|SUCCESS\n#EOF|1|12550\n";
	const char *p = put("stdin.txt", text, strlen(text), 0);
	int fd = open(p, O_RDONLY);

	cr_assert_geq(fd, 0);
	cr_assert_geq(dup2(fd, STDIN_FILENO), 0);
	close(fd);
	cr_expect_eq(read_path(ROBI, "-", "robi_dcb_2026-11-26.txt", &nodate),
	    0, "%s", got.err.msg);
	cr_expect_eq(got.nc, 1);
	cr_expect_str_eq(got.c[0].file, "robi_dcb_2026-11-26.txt");
}

static uint64_t
content(const char *msisdn, int64_t amount, const char *ref, int64_t at,
    int kind, int status)
{
	struct settle_charge c;

	memset(&c, 0, sizeof(c));
	c.op = "GP";
	c.id = "X";
	c.id_len = 1;
	snprintf(c.msisdn, sizeof(c.msisdn), "%s", msisdn);
	c.amount = amount;
	c.ref = ref;
	c.ref_len = strlen(ref);
	c.at = at;
	c.kind = kind;
	c.status = status;
	return settle_charge_content(&c);
}

Test(charges, canonical_content)
{
	uint64_t base = content("8801712345678", 100, "R", 1000, SK_CHARGE,
	    SS_SUCCESS);
	struct settle_charge c;

	cr_expect_eq(base, content("8801712345678", 100, "R", 1000, SK_CHARGE,
	    SS_SUCCESS));
	cr_expect_neq(base, content("8801712345679", 100, "R", 1000, SK_CHARGE,
	    SS_SUCCESS));
	cr_expect_neq(base, content("8801712345678", 101, "R", 1000, SK_CHARGE,
	    SS_SUCCESS));
	cr_expect_neq(base, content("8801712345678", 100, "S", 1000, SK_CHARGE,
	    SS_SUCCESS));
	cr_expect_neq(base, content("8801712345678", 100, "", 1000, SK_CHARGE,
	    SS_SUCCESS));
	cr_expect_neq(base, content("8801712345678", 100, "R", 1001, SK_CHARGE,
	    SS_SUCCESS));
	cr_expect_neq(base, content("8801712345678", 100, "R", 1000, SK_REFUND,
	    SS_SUCCESS));
	cr_expect_neq(base, content("8801712345678", 100, "R", 1000, SK_CHARGE,
	    SS_FAILED));
	/* Where it was read from is not content. */
	memset(&c, 0, sizeof(c));
	c.op = "GP";
	c.id = "X";
	c.id_len = 1;
	strcpy(c.msisdn, "8801712345678");
	c.amount = 100;
	c.ref = "R";
	c.ref_len = 1;
	c.at = 1000;
	c.file = "other.csv";
	c.line = 99;
	cr_expect_eq(settle_charge_content(&c), base);
}

Test(charges, names)
{
	static const char *const want[] = {
		"", "MALFORMED", "BAD_MSISDN", "BAD_AMOUNT", "BAD_TIME",
		"BAD_KIND", "BAD_STATUS", "FUTURE", "STALE", "DUPLICATE_ID",
		"ID_CONFLICT", "BAD_TRACKING", "BAD_OFFICE", "DUPLICATE_REF",
	};
	int i;

	for (i = 0; i <= SR_DUPLICATE_REF; i++)
		cr_expect_str_eq(settle_reason_name(i), want[i], "reason %d", i);
	cr_expect_str_eq(settle_reason_name(-1), "");
	cr_expect_str_eq(settle_reason_name(SR_DUPLICATE_REF + 1), "");
	cr_expect_str_eq(settle_kind_name(SK_CHARGE), "CHARGE");
	cr_expect_str_eq(settle_kind_name(SK_REFUND), "REFUND");
	cr_expect_str_eq(settle_status_name(SS_SUCCESS), "SUCCESS");
	cr_expect_str_eq(settle_status_name(SS_FAILED), "FAILED");
}
