/*
 * Unit tests for lib/orders: BPO counter and ECAB e-commerce order files
 * (SPEC §4).  Rows are rejected by their first faulty column in column
 * order, then DUPLICATE_REF; records may be quoted and span lines; a header
 * that differs refuses the file.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "orders.h"
#include "timefmt.h"

#define MAXGOT 64

struct got_order {
	int kind, status;
	char ref[64], merchant[64], office[8], msisdn[16], op[16];
	char service[16], tracking[32];
	int64_t goods, delivery, postage, payable, at;
	char file[64];
	long line;
};

struct got_reject {
	long line;
	int reason;
	char detail[512], raw[512], file[64];
	size_t raw_len;
};

static struct {
	struct got_order o[MAXGOT];
	struct got_reject r[MAXGOT];
	int no, nr;
	int kind;
	int rc;
	struct settle_err err;
	/* known_other: refs of the other kind, and what it was asked */
	const char *const *known;
	int nknown;
	int asked, asked_kind;
} got;

static char dir[64];

static void
mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/settle-unit-ord-XXXXXX");
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

TestSuite(orders, .init = mkdir_tmp, .fini = rm_tmp);

static void
copy(char *dst, size_t cap, const char *p, size_t len)
{
	if (p == NULL)
		len = 0;
	if (len >= cap)
		len = cap - 1;
	if (len > 0)
		memcpy(dst, p, len);
	dst[len] = '\0';
}

static int
on_order(void *ctx, const struct settle_order *o)
{
	struct got_order *g;

	(void)ctx;
	cr_assert_lt(got.no, MAXGOT);
	g = &got.o[got.no++];
	g->kind = o->kind;
	g->status = o->status;
	copy(g->ref, sizeof(g->ref), o->ref, o->ref_len);
	copy(g->merchant, sizeof(g->merchant), o->merchant, o->merchant_len);
	copy(g->office, sizeof(g->office), o->office, strlen(o->office));
	copy(g->msisdn, sizeof(g->msisdn), o->msisdn, strlen(o->msisdn));
	copy(g->op, sizeof(g->op), o->op, strlen(o->op));
	copy(g->service, sizeof(g->service), o->service,
	    o->service ? strlen(o->service) : 0);
	copy(g->tracking, sizeof(g->tracking), o->tracking, o->tracking_len);
	copy(g->file, sizeof(g->file), o->file, strlen(o->file));
	g->goods = o->goods;
	g->delivery = o->delivery;
	g->postage = o->postage;
	g->payable = o->payable;
	g->at = o->at;
	g->line = o->line;
	return 0;
}

static int
on_reject(void *ctx, const struct settle_reject *r)
{
	struct got_reject *g;

	(void)ctx;
	cr_assert_lt(got.nr, MAXGOT);
	g = &got.r[got.nr++];
	g->line = r->line;
	g->reason = r->reason;
	copy(g->detail, sizeof(g->detail), r->detail, strlen(r->detail));
	copy(g->raw, sizeof(g->raw), r->raw, r->raw_len);
	copy(g->file, sizeof(g->file), r->file, strlen(r->file));
	g->raw_len = r->raw_len;
	return 0;
}

static int
known_other(void *ctx, int kind, const char *ref, size_t len)
{
	int i;

	(void)ctx;
	got.asked++;
	got.asked_kind = kind;
	for (i = 0; i < got.nknown; i++)
		if (strlen(got.known[i]) == len &&
		    memcmp(got.known[i], ref, len) == 0)
			return 1;
	return 0;
}

static const char *const operators[] = { "GP", "ROBI", "BL", "TT" };

static int
read_orders(const char *name, const void *data, size_t len)
{
	struct settle_order_opts o;
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fp = fopen(p, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(data, 1, len, fp), len);
	cr_assert_eq(fclose(fp), 0);
	memset(&o, 0, sizeof(o));
	o.operators = operators;
	o.noperators = 4;
	o.known_other = got.known != NULL ? known_other : NULL;
	got.no = got.nr = 0;
	got.kind = -1;
	settle_err_clear(&got.err);
	got.rc = settle_orders_read(p, name, &o, on_order, on_reject, NULL,
	    &got.kind, &got.err);
	return got.rc;
}

static int
read_text(const char *name, const char *text)
{
	return read_orders(name, text, strlen(text));
}

static const struct got_order *
order_at(long line)
{
	int i;

	for (i = 0; i < got.no; i++)
		if (got.o[i].line == line)
			return &got.o[i];
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

struct row {
	const char *text;
	size_t len;		/* 0: strlen */
	int reason;		/* SR_NONE: accepted */
};

static size_t
row_len(const struct row *r)
{
	return r->len ? r->len : strlen(r->text);
}

/* Header, then one row a line (LF), then check each row by its line. */
static void
run_rows(const char *name, const char *header, const struct row *r, size_t n)
{
	char *buf;
	size_t i, len = strlen(header) + 1, off;

	for (i = 0; i < n; i++)
		len += row_len(&r[i]) + 1;
	buf = malloc(len + 1);
	cr_assert_not_null(buf);
	off = (size_t)sprintf(buf, "%s\n", header);
	for (i = 0; i < n; i++) {
		memcpy(buf + off, r[i].text, row_len(&r[i]));
		off += row_len(&r[i]);
		buf[off++] = '\n';
	}
	cr_assert_eq(read_orders(name, buf, off), 0, "refused: %s",
	    got.err.msg);
	free(buf);
	for (i = 0; i < n; i++) {
		long line = (long)i + 2;
		const struct got_order *o = order_at(line);
		const struct got_reject *j = reject_at(line);

		if (r[i].reason == SR_NONE) {
			cr_expect_not_null(o, "line %ld '%.*s' not accepted "
			    "(%s: %s)", line, (int)row_len(&r[i]), r[i].text,
			    j ? settle_reason_name(j->reason) : "?",
			    j ? j->detail : "");
			continue;
		}
		cr_expect_not_null(j, "line %ld '%.*s' accepted, want %s", line,
		    (int)row_len(&r[i]), r[i].text,
		    settle_reason_name(r[i].reason));
		if (j == NULL)
			continue;
		cr_expect_str_eq(settle_reason_name(j->reason),
		    settle_reason_name(r[i].reason), "line %ld '%.*s' (%s)",
		    line, (int)row_len(&r[i]), r[i].text, j->detail);
		cr_expect_neq(j->detail[0], '\0', "line %ld: no detail", line);
		cr_expect_eq(j->raw_len, row_len(&r[i]), "line %ld raw", line);
		cr_expect_str_eq(j->file, name);
	}
	cr_expect_eq(got.no + got.nr, (int)n, "%d accepted + %d rejected, "
	    "want %zu", got.no, got.nr, n);
}

#define BPO_OK ",1207,01712345678,GP,PARCEL,8500,2026-11-26 10:01:02,PAID"
#define BPO_NUL "EE000000147BD,1207,01712345678,GP,PARCEL,8500," \
	"2026-11-26 10:01:02,PA\0ID"

static const struct row bpo_rows[] = {
	{ "EE123456785BD,1207,01712345678,GP,PARCEL,8500,2026-11-26 10:01:02,"
	    "PAID", 0, SR_NONE },
	{ "EE000000014BD,1000,+880 1812-345678,ROBI,EMS,1,2026-11-26 00:00:00,"
	    "PENDING", 0, SR_NONE },
	{ "EE000000028BD,9499,01912345678,BL,REGISTERED,10000000000,"
	    "2026-11-26 23:59:59,CANCELLED", 0, SR_NONE },
	/* each column fault, with every later column bad as well */
	{ "EE000000030BD,0999,017,XX,LETTER,0,bad,bad", 0, SR_BAD_TRACKING },
	{ "ee000000045BD,0999,017,XX,LETTER,0,bad,bad", 0, SR_BAD_TRACKING },
	{ ",0999,017,XX,LETTER,0,bad,bad", 0, SR_BAD_TRACKING },
	{ "EE000000045BD,0999,017,XX,LETTER,0,bad,bad", 0, SR_BAD_OFFICE },
	{ "EE000000045BD,12A4,017,XX,LETTER,0,bad,bad", 0, SR_BAD_OFFICE },
	{ "EE000000045BD, 1207,01712345678,GP,PARCEL,8500,2026-11-26 10:01:02,"
	    "PAID", 0, SR_BAD_OFFICE },
	{ "EE000000045BD,1207,017,XX,LETTER,0,bad,bad", 0, SR_BAD_MSISDN },
	{ "EE000000045BD,1207,01712345678,XX,LETTER,0,bad,bad", 0,
	    SR_MALFORMED },
	{ "EE000000045BD,1207,01712345678,gp,PARCEL,8500,2026-11-26 10:01:02,"
	    "PAID", 0, SR_MALFORMED },
	{ "EE000000045BD,1207,01712345678,,PARCEL,8500,2026-11-26 10:01:02,"
	    "PAID", 0, SR_MALFORMED },
	{ "EE000000045BD,1207,01712345678,GP,LETTER,0,bad,bad", 0,
	    SR_MALFORMED },
	{ "EE000000045BD,1207,01712345678,GP,parcel,8500,2026-11-26 10:01:02,"
	    "PAID", 0, SR_MALFORMED },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,0,bad,bad", 0,
	    SR_BAD_AMOUNT },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,85.00,2026-11-26 10:01:02,"
	    "PAID", 0, SR_BAD_AMOUNT },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,10000000001,"
	    "2026-11-26 10:01:02,PAID", 0, SR_BAD_AMOUNT },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,-1,2026-11-26 10:01:02,"
	    "PAID", 0, SR_BAD_AMOUNT },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,,2026-11-26 10:01:02,"
	    "PAID", 0, SR_BAD_AMOUNT },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,8500,2026-11-26T10:01:02,"
	    "bad", 0, SR_BAD_TIME },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,8500,2026-02-30 10:01:02,"
	    "PAID", 0, SR_BAD_TIME },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,8500,26/11/2026 10:01:02,"
	    "PAID", 0, SR_BAD_TIME },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,8500,2026-11-26 10:01:02,"
	    "paid", 0, SR_BAD_STATUS },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,8500,2026-11-26 10:01:02,",
	    0, SR_BAD_STATUS },
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,8500,2026-11-26 10:01:02,"
	    "REFUNDED", 0, SR_BAD_STATUS },
	/* structure */
	{ "EE000000045BD,1207,01712345678,GP,PARCEL,8500,2026-11-26 10:01:02",
	    0, SR_MALFORMED },
	{ "EE000000045BD" BPO_OK ",", 0, SR_MALFORMED },
	{ "", 0, SR_MALFORMED },
	{ "EE000000059BD,12\"07,01712345678,GP,PARCEL,8500,2026-11-26 10:01:02,"
	    "PAID", 0, SR_MALFORMED },
	/* the stray quote did not swallow this line */
	{ "EE000000062BD" BPO_OK, 0, SR_NONE },
	{ "\"EE000000076BD\",\"1207\",\"+880 1712-345678\",\"GP\",\"PARCEL\","
	    "\"8500\",\"2026-11-26 10:01:02\",\"PAID\"", 0, SR_NONE },
	{ "\"EE000000080BD\"x" BPO_OK, 0, SR_MALFORMED },
	/* duplicates come after column faults */
	{ "EE123456785BD,1207,01712345678,GP,EMS,9000,2026-11-26 11:00:00,PAID",
	    0, SR_DUPLICATE_REF },
	{ "EE123456785BD,1207,01712345678,GP,EMS,9000,2026-11-26 11:00:00,paid",
	    0, SR_BAD_STATUS },
	{ "EE000000093BD,1207,01712345678,GP,PARCEL,8500,2026-11-26 10:01:02,"
	    "PA\xffID", 0, SR_MALFORMED },
	{ BPO_NUL, sizeof(BPO_NUL) - 1, SR_MALFORMED },
	/* a rejected row is not "an accepted row of the same file" */
	{ "EE000000045BD" BPO_OK, 0, SR_NONE },
	{ "EE000000045BD" BPO_OK, 0, SR_DUPLICATE_REF },
	{ "EE000000102BD,1207,8801712345678,TT,PARCEL,8500,2026-11-26 10:01:02,"
	    "PAID", 0, SR_NONE },
};

Test(orders, bpo_rows)
{
	const struct got_order *o;
	int64_t t;

	run_rows("bpo_orders_20261126.csv", SETTLE_BPO_HEADER, bpo_rows,
	    sizeof(bpo_rows) / sizeof(bpo_rows[0]));
	cr_expect_eq(got.kind, SO_BPO);
	o = order_at(2);
	cr_assert_not_null(o);
	cr_expect_eq(o->kind, SO_BPO);
	cr_expect_str_eq(o->ref, "EE123456785BD");
	cr_expect_str_eq(o->office, "1207");
	cr_expect_str_eq(o->msisdn, "8801712345678");
	cr_expect_str_eq(o->op, "GP");
	cr_expect_str_eq(o->service, "PARCEL");
	cr_expect_eq(o->postage, 8500);
	cr_expect_eq(o->payable, 8500);
	cr_expect_eq(o->goods, 0);
	cr_expect_eq(o->delivery, 0);
	cr_expect_eq(o->status, SP_PAID);
	cr_expect_str_eq(o->file, "bpo_orders_20261126.csv");
	cr_assert_eq(settle_time_parse_iso("2026-11-26T04:01:02Z", 20, &t), 0);
	cr_expect_eq(o->at, t, "booked_at is local +06:00 time");
	o = order_at(3);
	cr_assert_not_null(o);
	cr_expect_str_eq(o->msisdn, "8801812345678");
	cr_expect_str_eq(o->op, "ROBI");
	cr_expect_str_eq(o->service, "EMS");
	cr_expect_eq(o->postage, 1);
	cr_expect_eq(o->status, SP_PENDING);
	o = order_at(4);
	cr_assert_not_null(o);
	cr_expect_str_eq(o->service, "REGISTERED");
	cr_expect_eq(o->postage, 10000000000LL);
	cr_expect_eq(o->status, SP_CANCELLED);
	cr_expect_str_eq(o->office, "9499");
	o = order_at(33);
	cr_assert_not_null(o);
	cr_expect_str_eq(o->ref, "EE000000076BD", "quoted fields");
	cr_expect_str_eq(o->msisdn, "8801712345678");
}

#define ECAB_T "2026-11-26T13:59:01+06:00"
#define E_OK ",ECAB-0042,8801712345678,GP,11500,1050," ECAB_T ",PAID,"

static const struct row ecab_rows[] = {
	{ "ECAB-0042-00012345,ECAB-0042,8801712345678,GP,11500,1050," ECAB_T
	    ",PAID,EE123456785BD", 0, SR_NONE },
	{ "ECAB-0042-00012346,ECAB-0042,01812345678,ROBI,11500,0,"
	    "2026-11-26T07:59:01Z,PENDING,", 0, SR_NONE },
	{ ",ECAB-0042,bad,XX,0,x,bad,bad,bad", 0, SR_MALFORMED },
	{ "ECAB-0042-00000005,,bad,XX,0,x,bad,bad,bad", 0, SR_MALFORMED },
	{ "ECAB-0042-00000006,ECAB-0042,bad,XX,0,x,bad,bad,bad", 0,
	    SR_BAD_MSISDN },
	{ "ECAB-0042-00000007,ECAB-0042,01712345678,XX,0,x,bad,bad,bad", 0,
	    SR_MALFORMED },
	{ "ECAB-0042-00000008,ECAB-0042,01712345678,GP,0,x,bad,bad,bad", 0,
	    SR_BAD_AMOUNT },
	{ "ECAB-0042-00000009,ECAB-0042,01712345678,GP,100,x,bad,bad,bad", 0,
	    SR_BAD_AMOUNT },
	{ "ECAB-0042-00000010,ECAB-0042,01712345678,GP,100,-1," ECAB_T
	    ",PAID,", 0, SR_BAD_AMOUNT },
	{ "ECAB-0042-00000011,ECAB-0042,01712345678,GP,100,1.5," ECAB_T
	    ",PAID,", 0, SR_BAD_AMOUNT },
	{ "ECAB-0042-00000012,ECAB-0042,01712345678,GP,10000000001,0," ECAB_T
	    ",PAID,", 0, SR_BAD_AMOUNT },
	{ "ECAB-0042-00000013,ECAB-0042,01712345678,GP,100,,"  ECAB_T
	    ",PAID,", 0, SR_BAD_AMOUNT },
	{ "ECAB-0042-00000014,ECAB-0042,01712345678,GP,100,0,"
	    "2026-11-26T13:59:01,bad,bad", 0, SR_BAD_TIME },
	{ "ECAB-0042-00000015,ECAB-0042,01712345678,GP,100,0,"
	    "2026-11-26 13:59:01,PAID,", 0, SR_BAD_TIME },
	{ "ECAB-0042-00000016,ECAB-0042,01712345678,GP,100,0,"
	    "2026-11-26T13:59:01.5+06:00,PAID,", 0, SR_BAD_TIME },
	{ "ECAB-0042-00000017,ECAB-0042,01712345678,GP,100,0," ECAB_T
	    ",DONE,bad", 0, SR_BAD_STATUS },
	{ "ECAB-0042-00000018,ECAB-0042,01712345678,GP,100,0," ECAB_T
	    ",PAID,EE123456784BD", 0, SR_BAD_TRACKING },
	{ "ECAB-0042-00000019,ECAB-0042,01712345678,GP,100,0," ECAB_T
	    ",PAID,ee123456785BD", 0, SR_BAD_TRACKING },
	{ "ECAB-0042-00000020,ECAB-0042,01712345678,GP,100,0," ECAB_T
	    ",PAID, ", 0, SR_BAD_TRACKING },
	{ "ECAB-0042-00000021,ECAB-0042,8801712345678,GP,11500,1050," ECAB_T
	    ",PAID", 0, SR_MALFORMED },
	{ "ECAB-0042-00000022" E_OK ",", 0, SR_MALFORMED },
	{ "ECAB-0042-00000023" E_OK "EE000000014BD", 0, SR_NONE },
	{ "ECAB-0042-00012345,ECAB-0099,01812345678,ROBI,1,1," ECAB_T
	    ",PENDING,", 0, SR_DUPLICATE_REF },
	{ "\"ECAB-0042-00000025\",\"ECAB,0042\",\"8801712345678\",\"GP\","
	    "\"11500\",\"1050\",\"" ECAB_T "\",\"PAID\",\"\"", 0, SR_NONE },
	{ "ECAB-0042-00000026,ECAB-0042,01712345678,TT,100,0," ECAB_T
	    ",CANCELLED,", 0, SR_NONE },
};

Test(orders, ecab_rows)
{
	const struct got_order *o;
	int64_t t;

	run_rows("ecab_orders_20261126.csv", SETTLE_ECAB_HEADER, ecab_rows,
	    sizeof(ecab_rows) / sizeof(ecab_rows[0]));
	cr_expect_eq(got.kind, SO_ECAB);
	o = order_at(2);
	cr_assert_not_null(o);
	cr_expect_eq(o->kind, SO_ECAB);
	cr_expect_str_eq(o->ref, "ECAB-0042-00012345");
	cr_expect_str_eq(o->merchant, "ECAB-0042");
	cr_expect_str_eq(o->msisdn, "8801712345678");
	cr_expect_str_eq(o->op, "GP");
	cr_expect_eq(o->goods, 11500);
	cr_expect_eq(o->delivery, 1050);
	cr_expect_eq(o->payable, 12550);
	cr_expect_eq(o->postage, 0);
	cr_expect_eq(o->status, SP_PAID);
	cr_expect_str_eq(o->tracking, "EE123456785BD");
	cr_assert_eq(settle_time_parse_iso("2026-11-26T07:59:01Z", 20, &t), 0);
	cr_expect_eq(o->at, t);
	o = order_at(3);
	cr_assert_not_null(o);
	cr_expect_eq(o->delivery, 0, "free delivery");
	cr_expect_eq(o->payable, 11500);
	cr_expect_str_eq(o->tracking, "");
	cr_expect_eq(o->at, t);
	cr_expect_eq(o->status, SP_PENDING);
	o = order_at(25);
	cr_assert_not_null(o);
	cr_expect_str_eq(o->merchant, "ECAB,0042");
	cr_expect_eq(o->payable, 12550);
	o = order_at(26);
	cr_assert_not_null(o);
	cr_expect_eq(o->status, SP_CANCELLED);
}

/* A reference that is an order of the other kind: DUPLICATE_REF. */
Test(orders, known_other_kind)
{
	static const char *const bpo_refs[] = { "ECAB-0042-00000001",
	    "ECAB-0042-00000003" };
	const char *text = SETTLE_ECAB_HEADER "\n"
	    "ECAB-0042-00000001" E_OK "\n"
	    "ECAB-0042-00000002" E_OK "\n"
	    "ECAB-0042-00000003,ECAB-0042,8801712345678,GP,11500,1050," ECAB_T
	    ",LOST,\n";

	got.known = bpo_refs;
	got.nknown = 2;
	cr_assert_eq(read_text("ecab_orders_20261126.csv", text), 0);
	cr_expect_gt(got.asked, 0, "known_other never asked");
	cr_expect_eq(got.asked_kind, SO_ECAB);
	cr_assert_not_null(reject_at(2));
	cr_expect_eq(reject_at(2)->reason, SR_DUPLICATE_REF);
	cr_assert_not_null(order_at(3));
	cr_expect_str_eq(order_at(3)->ref, "ECAB-0042-00000002");
	/* column faults come first */
	cr_assert_not_null(reject_at(4));
	cr_expect_eq(reject_at(4)->reason, SR_BAD_STATUS);
}

Test(orders, known_other_from_bpo)
{
	static const char *const ecab_refs[] = { "EE123456785BD" };
	const char *text = SETTLE_BPO_HEADER "\n"
	    "EE123456785BD" BPO_OK "\n"
	    "EE000000014BD" BPO_OK "\n";

	got.known = ecab_refs;
	got.nknown = 1;
	cr_assert_eq(read_text("bpo_orders_20261126.csv", text), 0);
	cr_expect_eq(got.asked_kind, SO_BPO);
	cr_assert_not_null(reject_at(2));
	cr_expect_eq(reject_at(2)->reason, SR_DUPLICATE_REF);
	cr_expect_not_null(order_at(3));
	cr_expect_eq(got.no, 1);
}

/* A quoted field with a line break: one record, its first line's number. */
Test(orders, record_spanning_lines)
{
	const char *text = SETTLE_ECAB_HEADER "\n"
	    "ECAB-0042-00000001,\"ECAB-\n0042\",01712345678,GP,100,0," ECAB_T
	    ",PAID,\n"
	    "ECAB-0042-00000002" E_OK "\n"
	    "ECAB-0042-00000003,\"a\n\nb\n\",01712345678,GP,100,0," ECAB_T
	    ",PAID,\n"
	    "ECAB-0042-00000004" E_OK "\n";

	cr_assert_eq(read_text("ecab_orders_20261126.csv", text), 0, "%s",
	    got.err.msg);
	cr_expect_eq(got.nr, 0, "%s", got.nr ? got.r[0].detail : "");
	cr_assert_eq(got.no, 4);
	cr_expect_eq(got.o[0].line, 2);
	cr_expect_str_eq(got.o[0].merchant, "ECAB-\n0042");
	cr_expect_eq(got.o[1].line, 4);
	cr_expect_eq(got.o[2].line, 5);
	cr_expect_str_eq(got.o[2].merchant, "a\n\nb\n");
	cr_expect_eq(got.o[3].line, 9);
}

/* A spanning record whose fault is found: the reject names its first line. */
Test(orders, spanning_record_rejected)
{
	const char *text = SETTLE_ECAB_HEADER "\n"
	    "ECAB-0042-00000001,\"ECAB-\n0042\",01712345678,GP,0,0," ECAB_T
	    ",PAID,\n"
	    "ECAB-0042-00000002" E_OK "\n";

	cr_assert_eq(read_text("ecab_orders_20261126.csv", text), 0);
	cr_assert_eq(got.nr, 1);
	cr_expect_eq(got.r[0].line, 2);
	cr_expect_eq(got.r[0].reason, SR_BAD_AMOUNT);
	cr_expect_not_null(strstr(got.r[0].raw, "\"ECAB-\n0042\""), "raw '%s'",
	    got.r[0].raw);
	cr_assert_eq(got.no, 1);
	cr_expect_eq(got.o[0].line, 4);
}

/* An open quote that never closes runs to the end: one MALFORMED record. */
Test(orders, unterminated_quote_at_end)
{
	const char *text = SETTLE_BPO_HEADER "\n"
	    "EE123456785BD" BPO_OK "\n"
	    "EE000000014BD,\"1207,01712345678,GP,PARCEL,8500,"
	    "2026-11-26 10:01:02,PAID\n"
	    "EE000000028BD" BPO_OK "\n";

	cr_assert_eq(read_text("bpo_orders_20261126.csv", text), 0);
	cr_expect_eq(got.no, 1);
	cr_assert_eq(got.nr, 1, "%d rejects: line %ld %s '%s', line %ld",
	    got.nr, got.r[0].line, settle_reason_name(got.r[0].reason),
	    got.r[0].raw, got.nr > 1 ? got.r[1].line : 0L);
	cr_expect_eq(got.r[0].line, 3);
	cr_expect_eq(got.r[0].reason, SR_MALFORMED);
}

/* The same without a line end after the last line. */
Test(orders, unterminated_quote_no_final_line_end)
{
	const char *text = SETTLE_BPO_HEADER "\n"
	    "EE123456785BD" BPO_OK "\n"
	    "EE000000014BD,\"1207,01712345678,GP,PARCEL,8500,"
	    "2026-11-26 10:01:02,PAID\n"
	    "EE000000028BD" BPO_OK;

	cr_assert_eq(read_text("bpo_orders_20261126.csv", text), 0);
	cr_expect_eq(got.no, 1);
	cr_assert_eq(got.nr, 1);
	cr_expect_eq(got.r[0].line, 3);
	cr_expect_eq(got.r[0].reason, SR_MALFORMED);
}

/* An open quote on the last line, then the line end: still a record. */
Test(orders, open_quote_on_last_line)
{
	const char *text = SETTLE_BPO_HEADER "\n"
	    "EE123456785BD" BPO_OK "\n"
	    "EE000000014BD" BPO_OK ",\"\n";

	cr_assert_eq(read_text("bpo_orders_20261126.csv", text), 0);
	cr_expect_eq(got.no, 1);
	cr_assert_eq(got.nr, 1, "the last record was dropped");
	cr_expect_eq(got.r[0].line, 3);
	cr_expect_eq(got.r[0].reason, SR_MALFORMED);
}

Test(orders, blank_lines)
{
	const char *text = SETTLE_BPO_HEADER "\n"
	    "\n"
	    "EE123456785BD" BPO_OK "\n"
	    "\n"
	    "\n"
	    "EE000000014BD" BPO_OK "\n";

	cr_assert_eq(read_text("bpo_orders_20261126.csv", text), 0);
	cr_expect_eq(got.no, 2);
	cr_expect_eq(got.nr, 3);
	cr_expect_not_null(reject_at(2));
	cr_expect_not_null(reject_at(4));
	cr_expect_not_null(reject_at(5));
	cr_expect_not_null(order_at(3));
	cr_expect_not_null(order_at(6));
	if (got.nr == 3) {
		cr_expect_eq(got.r[0].reason, SR_MALFORMED);
		cr_expect_eq(got.r[0].raw_len, 0);
	}
}

Test(orders, crlf_and_bom)
{
	const char *text = "\xef\xbb\xbf" SETTLE_ECAB_HEADER "\r\n"
	    "ECAB-0042-00000001" E_OK "\r\n"
	    "ECAB-0042-00000002,\"two\r\nlines\",01712345678,GP,100,0," ECAB_T
	    ",PAID,EE123456785BD\r\n"
	    "ECAB-0042-00000003" E_OK "EE000000014BD\r\n"
	    "ECAB-0042-00000004,ECAB-0042,01712345678,GP,100,0," ECAB_T
	    ",SENT,\r\n";

	cr_assert_eq(read_text("ecab_orders_20261126.csv", text), 0, "%s",
	    got.err.msg);
	cr_expect_eq(got.kind, SO_ECAB);
	cr_assert_eq(got.no, 3);
	cr_expect_eq(got.o[0].line, 2);
	cr_expect_str_eq(got.o[0].tracking, "", "the CR is not data");
	cr_expect_eq(got.o[1].line, 3);
	cr_expect_str_eq(got.o[1].merchant, "two\r\nlines");
	cr_expect_str_eq(got.o[1].tracking, "EE123456785BD");
	cr_expect_eq(got.o[2].line, 5);
	cr_expect_str_eq(got.o[2].tracking, "EE000000014BD");
	cr_assert_eq(got.nr, 1);
	cr_expect_eq(got.r[0].line, 6);
	cr_expect_eq(got.r[0].reason, SR_BAD_STATUS);
	cr_expect_eq(got.r[0].raw[got.r[0].raw_len - 1], ',',
	    "the raw text keeps its CR");
}

Test(orders, last_line_without_line_end)
{
	const char *text = SETTLE_BPO_HEADER "\n"
	    "EE123456785BD" BPO_OK "\n"
	    "EE000000014BD" BPO_OK;

	cr_assert_eq(read_text("bpo_orders_20261126.csv", text), 0);
	cr_expect_eq(got.no, 2);
	cr_expect_eq(got.nr, 0);
}

Test(orders, header_only)
{
	cr_expect_eq(read_text("bpo_orders_20261126.csv",
	    SETTLE_BPO_HEADER "\n"), 0);
	cr_expect_eq(got.no + got.nr, 0);
	cr_expect_eq(got.kind, SO_BPO);
	cr_expect_eq(read_text("ecab_orders_20261126.csv", SETTLE_ECAB_HEADER),
	    0);
	cr_expect_eq(got.no + got.nr, 0);
	cr_expect_eq(got.kind, SO_ECAB);
}

Test(orders, header_differs)
{
	static const char *const bad[] = {
		SETTLE_BPO_HEADER " \n",
		SETTLE_BPO_HEADER ",\n",
		"Tracking_no,office_code,msisdn,operator,service,"
		    "postage_poisha,booked_at,payment_status\n",
		"tracking_no,office_code,msisdn,operator,service,"
		    "postage_poisha,booked_at\n",
		"order_ref,merchant_id,msisdn,operator,goods_poisha,"
		    "delivery_poisha,created_at,payment_status\n",
		"\"tracking_no\",office_code,msisdn,operator,service,"
		    "postage_poisha,booked_at,payment_status\n",
		"tracking_no;office_code;msisdn;operator;service;"
		    "postage_poisha;booked_at;payment_status\n",
		"\xef\xbb\xbf\xef\xbb\xbf" SETTLE_BPO_HEADER "\n",
		"\n" SETTLE_BPO_HEADER "\n",
		"EE123456785BD" BPO_OK "\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(read_text("bpo_orders_20261126.csv", bad[i]),
		    SETTLE_EDATA, "header '%s' accepted", bad[i]);
		cr_expect_eq(got.err.code, SETTLE_EDATA);
		cr_expect_eq(got.err.line, 1, "header '%s'", bad[i]);
		cr_expect_str_eq(got.err.file, "bpo_orders_20261126.csv");
		cr_expect_eq(got.no + got.nr, 0, "rows read after a bad "
		    "header");
	}
}

Test(orders, empty_and_missing_files)
{
	struct settle_order_opts o;
	int kind;

	cr_expect_eq(read_text("bpo_orders_20261126.csv", ""), SETTLE_EDATA);
	cr_expect_eq(got.err.code, SETTLE_EDATA);
	memset(&o, 0, sizeof(o));
	o.operators = operators;
	o.noperators = 4;
	settle_err_clear(&got.err);
	cr_expect_eq(settle_orders_read("/nonexistent/bpo_orders_20261126.csv",
	    "bpo_orders_20261126.csv", &o, on_order, on_reject, NULL, &kind,
	    &got.err), SETTLE_ENOINPUT);
	cr_expect_eq(got.err.code, SETTLE_ENOINPUT);
}

/* Only the configured operators are known. */
Test(orders, configured_operators_only)
{
	static const char *const two[] = { "GP", "ROBI" };
	struct settle_order_opts o;
	const char *text = SETTLE_BPO_HEADER "\n"
	    "EE123456785BD,1207,01712345678,GP,PARCEL,8500,2026-11-26 10:01:02,"
	    "PAID\n"
	    "EE000000014BD,1207,01712345678,TT,PARCEL,8500,2026-11-26 10:01:02,"
	    "PAID\n";
	char p[512];
	FILE *fp;
	int kind;

	snprintf(p, sizeof(p), "%s/bpo.csv", dir);
	fp = fopen(p, "wb");
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	memset(&o, 0, sizeof(o));
	o.operators = two;
	o.noperators = 2;
	got.no = got.nr = 0;
	cr_assert_eq(settle_orders_read(p, "bpo.csv", &o, on_order, on_reject,
	    NULL, &kind, &got.err), 0);
	cr_expect_eq(got.no, 1);
	cr_assert_eq(got.nr, 1);
	cr_expect_eq(got.r[0].reason, SR_MALFORMED);
	cr_expect_eq(got.r[0].line, 3);
}

/* Over-long and over-wide rows are MALFORMED; the next row is whole. */
Test(orders, long_and_wide_rows)
{
	size_t big = 300 * 1024, n = 0, i;
	char *text = malloc(big + 70000 + 8192);

	cr_assert_not_null(text);
	n += (size_t)sprintf(text + n, "%s\n", SETTLE_BPO_HEADER);
	n += (size_t)sprintf(text + n, "EE123456785BD,1207,01712345678,GP,"
	    "PARCEL,8500,2026-11-26 10:01:02,PAID");
	memset(text + n, 'x', 70000);	/* one field of 70,000 more bytes */
	n += 70000;
	text[n++] = '\n';
	for (i = 0; i < 100; i++)	/* 101 fields */
		n += (size_t)sprintf(text + n, "a,");
	text[n++] = 'a';
	text[n++] = '\n';
	text[n++] = '"';		/* a quoted field past 256 KiB */
	memset(text + n, 'y', big);
	n += big;
	n += (size_t)sprintf(text + n, "\",1207\n");
	n += (size_t)sprintf(text + n, "EE000000014BD" BPO_OK "\n");
	cr_assert_eq(read_orders("bpo_orders_20261126.csv", text, n), 0);
	free(text);
	cr_assert_not_null(reject_at(2));
	cr_expect_eq(reject_at(2)->reason, SR_MALFORMED);
	cr_assert_not_null(reject_at(3));
	cr_expect_eq(reject_at(3)->reason, SR_MALFORMED);
	cr_assert_not_null(reject_at(4));
	cr_expect_eq(reject_at(4)->reason, SR_MALFORMED);
	cr_assert_not_null(order_at(5), "the row after them is lost");
	cr_expect_str_eq(order_at(5)->ref, "EE000000014BD");
	cr_expect_eq(got.no, 1);
	cr_expect_eq(got.nr, 3);
}

/*
 * A quoted field over the record cap, spread over many short lines: the
 * record is MALFORMED, and nothing inside its quotes becomes a row, even
 * a line that looks like one.
 */
Test(orders, quoted_field_over_the_cap)
{
	size_t n = 0, i, cap = 8 * 60000 + 4096;
	char *text = malloc(cap);

	cr_assert_not_null(text);
	n += (size_t)sprintf(text + n, "%s\n", SETTLE_BPO_HEADER);
	n += (size_t)sprintf(text + n, "EE123456785BD,\"open\n");
	for (i = 0; i < 5; i++) {			/* lines 3 to 7 */
		memset(text + n, 'y', 60000);
		n += 60000;
		text[n++] = '\n';
	}
	n += (size_t)sprintf(text + n, "EE000000028BD" BPO_OK "\n");	/* 8 */
	n += (size_t)sprintf(text + n, "close\",01712345678,GP,PARCEL,8500,"
	    "2026-11-26 10:01:02,PAID\n");				/* 9 */
	n += (size_t)sprintf(text + n, "EE000000014BD" BPO_OK "\n");	/* 10 */
	cr_assert_eq(read_orders("bpo_orders_20261126.csv", text, n), 0);
	free(text);
	cr_expect_null(order_at(8), "a line inside a quoted field was read "
	    "as an order");
	cr_expect_not_null(order_at(10), "the row after the record is lost");
	cr_expect_not_null(reject_at(2), "no reject at the record's first "
	    "line");
	cr_expect_eq(got.no, 1);
	cr_expect_eq(got.nr, 1);
}

Test(orders, pay_names)
{
	cr_expect_str_eq(settle_pay_name(SP_PAID), "PAID");
	cr_expect_str_eq(settle_pay_name(SP_PENDING), "PENDING");
	cr_expect_str_eq(settle_pay_name(SP_CANCELLED), "CANCELLED");
	cr_expect_str_eq(settle_pay_name(-1), "");
	cr_expect_str_eq(settle_pay_name(3), "");
}
