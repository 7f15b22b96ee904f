/*
 * Order files.  Records are RFC 4180 and may span lines inside quotes; the
 * reader joins physical lines while a quote is open (its source_line is the
 * first), then libcsv splits the record in strict mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "dedup.h"
#include "money.h"
#include "msisdn.h"
#include "orders.h"
#include "s10.h"
#include "source.h"
#include "timefmt.h"

#define ORDER_REC_MAX (256 * 1024)

static const char *const pay_names[] = { "PAID", "PENDING", "CANCELLED" };
static const char *const services[] = { "PARCEL", "EMS", "REGISTERED" };
static const char *const bpo_cols[] = { "tracking_no", "office_code",
    "msisdn", "operator", "service", "postage_poisha", "booked_at",
    "payment_status" };
static const char *const ecab_cols[] = { "order_ref", "merchant_id",
    "msisdn", "operator", "goods_poisha", "delivery_poisha", "created_at",
    "payment_status", "tracking_no" };

const char *
settle_pay_name(int s)
{
	return s >= SP_PAID && s <= SP_CANCELLED ? pay_names[s] : "";
}

struct oreader {
	const struct settle_order_opts *o;
	const char *name;
	int kind;
	struct settle_csvrec *csv;
	struct settle_dedup seen;	/* refs accepted in this file */
	settle_order_fn on_order;
	settle_reject_fn on_reject;
	void *ctx;
	char *rec;			/* the joined record */
	size_t len, cap;
	long first;			/* its first line */
	int prev_eol;
	int toolong;
	char detail[512];
};

static int
same(const struct settle_span *f, const char *s)
{
	return f->len == strlen(s) && memcmp(f->p, s, f->len) == 0;
}

static void
fdetail(struct oreader *r, const char *col, const char *what,
    const struct settle_span *v)
{
	snprintf(r->detail, sizeof(r->detail), "field '%s': %s: '%.*s%s'",
	    col, what, (int)(v->len > 80 ? 80 : v->len), v->p,
	    v->len > 80 ? "..." : "");
}

static int
read_money(struct oreader *r, const char *col, const struct settle_span *f,
    int zero_ok, int64_t *out)
{
	if (settle_money_parse_poisha(f->p, f->len, out) < 0) {
		fdetail(r, col, "not an amount in poisha", f);
		return SR_BAD_AMOUNT;
	}
	if (!(settle_money_in_range(*out) || (zero_ok && *out == 0))) {
		fdetail(r, col, "amount out of range", f);
		return SR_BAD_AMOUNT;
	}
	return SR_NONE;
}

static int
read_common(struct oreader *r, const char *const *cols, int ci,
    const struct settle_span *f, struct settle_order *o)
{
	int i;

	if (settle_msisdn_norm(f[ci].p, f[ci].len, o->msisdn) < 0) {
		fdetail(r, cols[ci], "not a mobile number", &f[ci]);
		return SR_BAD_MSISDN;
	}
	for (i = 0; i < r->o->noperators; i++)
		if (same(&f[ci + 1], r->o->operators[i]))
			break;
	if (i == r->o->noperators || f[ci + 1].len >= sizeof(o->op)) {
		fdetail(r, cols[ci + 1], "unknown operator", &f[ci + 1]);
		return SR_MALFORMED;
	}
	memcpy(o->op, f[ci + 1].p, f[ci + 1].len);
	o->op[f[ci + 1].len] = '\0';
	return SR_NONE;
}

static int
read_status(struct oreader *r, const char *col, const struct settle_span *f,
    struct settle_order *o)
{
	int i;

	for (i = 0; i < 3; i++)
		if (same(f, pay_names[i])) {
			o->status = i;
			return SR_NONE;
		}
	fdetail(r, col, "unknown payment_status", f);
	return SR_BAD_STATUS;
}

static int
bpo_fields(struct oreader *r, const struct settle_span *f,
    struct settle_order *o)
{
	int rc, i;

	o->ref = f[0].p;
	o->ref_len = f[0].len;
	if (!settle_s10_valid(f[0].p, f[0].len)) {
		fdetail(r, bpo_cols[0], "not an S10 tracking number", &f[0]);
		return SR_BAD_TRACKING;
	}
	if (!settle_postcode_valid(f[1].p, f[1].len)) {
		fdetail(r, bpo_cols[1], "not a post code", &f[1]);
		return SR_BAD_OFFICE;
	}
	memcpy(o->office, f[1].p, 4);
	if ((rc = read_common(r, bpo_cols, 2, f, o)) != SR_NONE)
		return rc;
	for (i = 0; i < 3 && !same(&f[4], services[i]); i++)
		;
	if (i == 3) {
		fdetail(r, bpo_cols[4], "unknown service", &f[4]);
		return SR_MALFORMED;
	}
	o->service = services[i];
	if ((rc = read_money(r, bpo_cols[5], &f[5], 0, &o->postage)) != 0)
		return rc;
	o->payable = o->postage;
	if (settle_time_parse_local("%Y-%m-%d %H:%M:%S", f[6].p, f[6].len,
	    &o->at) < 0) {
		fdetail(r, bpo_cols[6], "not a time", &f[6]);
		return SR_BAD_TIME;
	}
	return read_status(r, bpo_cols[7], &f[7], o);
}

static int
ecab_fields(struct oreader *r, const struct settle_span *f,
    struct settle_order *o)
{
	int rc;

	o->ref = f[0].p;
	o->ref_len = f[0].len;
	o->merchant = f[1].p;
	o->merchant_len = f[1].len;
	if (f[0].len == 0 || f[1].len == 0) {
		snprintf(r->detail, sizeof(r->detail), "empty %s",
		    ecab_cols[f[0].len == 0 ? 0 : 1]);
		return SR_MALFORMED;
	}
	if ((rc = read_common(r, ecab_cols, 2, f, o)) != SR_NONE ||
	    (rc = read_money(r, ecab_cols[4], &f[4], 0, &o->goods)) != 0 ||
	    (rc = read_money(r, ecab_cols[5], &f[5], 1, &o->delivery)) != 0)
		return rc;
	if (settle_money_add(o->goods, o->delivery, &o->payable) < 0) {
		fdetail(r, ecab_cols[5], "amount out of range", &f[5]);
		return SR_BAD_AMOUNT;
	}
	if (settle_time_parse_iso(f[6].p, f[6].len, &o->at) < 0) {
		fdetail(r, ecab_cols[6], "not a time", &f[6]);
		return SR_BAD_TIME;
	}
	if ((rc = read_status(r, ecab_cols[7], &f[7], o)) != SR_NONE)
		return rc;
	o->tracking = f[8].p;
	o->tracking_len = f[8].len;
	if (f[8].len > 0 && !settle_s10_valid(f[8].p, f[8].len)) {
		fdetail(r, ecab_cols[8], "not an S10 tracking number", &f[8]);
		return SR_BAD_TRACKING;
	}
	return SR_NONE;
}

static int
structure(struct oreader *r, struct settle_span *f)
{
	int want = r->kind == SO_BPO ? 8 : 9, n;
	const char *why = NULL;

	if (r->toolong) {
		snprintf(r->detail, sizeof(r->detail), "record longer than %d "
		    "bytes or a line longer than %d", ORDER_REC_MAX,
		    SETTLE_LINE_MAX);
		return -1;
	}
	if (!settle_utf8_valid(r->rec, r->len)) {
		snprintf(r->detail, sizeof(r->detail), memchr(r->rec, 0,
		    r->len) != NULL ? "NUL byte" : "not UTF-8");
		return -1;
	}
	if (r->len == 0) {
		snprintf(r->detail, sizeof(r->detail), "blank line");
		return -1;
	}
	n = settle_csvrec_split(r->csv, r->rec, r->len, 1, f, &why);
	if (n < 0) {
		snprintf(r->detail, sizeof(r->detail), "%s", strcmp(why,
		    "bad quoting") == 0 ? "bad quoting (text after a closing "
		    "quote, or a quote inside an unquoted field)" : why);
		return -1;
	}
	if (n != want) {
		snprintf(r->detail, sizeof(r->detail), "expected %d fields, "
		    "got %d", want, n);
		return -1;
	}
	return n;
}

static int
emit_reject(struct oreader *r, int reason)
{
	struct settle_reject rj;

	memset(&rj, 0, sizeof(rj));
	rj.file = r->name;
	rj.line = r->first;
	rj.reason = reason;
	rj.detail = r->detail;
	rj.raw = r->rec;
	rj.raw_len = r->len;
	return r->on_reject != NULL ? r->on_reject(r->ctx, &rj) : 0;
}

static int
record(struct oreader *r)
{
	struct settle_span f[CSV_MAXFIELDS];
	struct settle_order o;
	int reason, rc;

	memset(&o, 0, sizeof(o));
	if (structure(r, f) < 0)
		return emit_reject(r, SR_MALFORMED);
	o.kind = r->kind;
	o.file = r->name;
	o.line = r->first;
	reason = r->kind == SO_BPO ? bpo_fields(r, f, &o) :
	    ecab_fields(r, f, &o);
	if (reason != SR_NONE)
		return emit_reject(r, reason);
	if (r->o->known_other != NULL && r->o->known_other(r->ctx, r->kind,
	    o.ref, o.ref_len)) {
		snprintf(r->detail, sizeof(r->detail), "reference '%.*s' is "
		    "already a %s order", (int)(o.ref_len > 80 ? 80 :
		    o.ref_len), o.ref, r->kind == SO_BPO ? "ECAB" : "BPO");
		return emit_reject(r, SR_DUPLICATE_REF);
	}
	if (r->o->seen != NULL)
		rc = r->o->seen(r->ctx, r->kind, o.ref, o.ref_len) ?
		    SETTLE_DEDUP_SAME : SETTLE_DEDUP_NEW;
	else
		rc = settle_dedup_check(&r->seen, o.ref, o.ref_len, 0, 0);
	if (rc == SETTLE_DEDUP_NOMEM)
		return SETTLE_ENOMEM;
	if (rc != SETTLE_DEDUP_NEW) {
		snprintf(r->detail, sizeof(r->detail), "reference '%.*s' "
		    "already has a row in this file", (int)(o.ref_len > 80 ?
		    80 : o.ref_len), o.ref);
		return emit_reject(r, SR_DUPLICATE_REF);
	}
	return r->on_order != NULL ? r->on_order(r->ctx, &o) : 0;
}

enum { Q_START, Q_PLAIN, Q_QUOTED, Q_QUOTE_SEEN };

/*
 * Quote state after scanning p from state st: a quote opens a quoted field
 * only at a field's start, so a stray quote inside an unquoted field never
 * swallows the lines after it (libcsv then rejects the record).
 */
static int
quote_scan(const char *p, size_t len, int st)
{
	size_t i;

	for (i = 0; i < len; i++) {
		switch (st) {
		case Q_START:
			st = p[i] == '"' ? Q_QUOTED : p[i] == ',' ? Q_START :
			    Q_PLAIN;
			break;
		case Q_PLAIN:
			if (p[i] == ',')
				st = Q_START;
			break;
		case Q_QUOTED:
			if (p[i] == '"')
				st = Q_QUOTE_SEEN;
			break;
		default:
			st = p[i] == '"' ? Q_QUOTED : p[i] == ',' ? Q_START :
			    Q_PLAIN;
			break;
		}
	}
	return st;
}

static int
append(struct oreader *r, const struct settle_line *ln)
{
	size_t need = r->len + ln->len + 2;
	char *nb;

	if (ln->toolong || need > ORDER_REC_MAX) {
		r->toolong = 1;
		return 0;
	}
	if (need > r->cap) {
		nb = realloc(r->rec, need * 2);
		if (nb == NULL)
			return -1;
		r->rec = nb;
		r->cap = need * 2;
	}
	/* A line break inside quotes is data: keep it as it was sent. */
	if (r->first != ln->no) {
		if (r->prev_eol == 2)
			r->rec[r->len++] = '\r';
		r->rec[r->len++] = '\n';
	}
	r->prev_eol = ln->eol;
	memcpy(r->rec + r->len, ln->p, ln->len);
	r->len += ln->len;
	return 0;
}

static int
header(struct oreader *r, const struct settle_line *ln, struct settle_err *err)
{
	if (ln->len == strlen(SETTLE_BPO_HEADER) &&
	    memcmp(ln->p, SETTLE_BPO_HEADER, ln->len) == 0)
		r->kind = SO_BPO;
	else if (ln->len == strlen(SETTLE_ECAB_HEADER) &&
	    memcmp(ln->p, SETTLE_ECAB_HEADER, ln->len) == 0)
		r->kind = SO_ECAB;
	else
		return settle_err_set(err, SETTLE_EDATA, r->name, 1, NULL,
		    "file refused: header row is neither the BPO nor the "
		    "ECAB order header");
	return 0;
}

static int
read_records(struct oreader *r, struct settle_lines *lr,
    struct settle_err *err)
{
	struct settle_line ln;
	int rc, st = Q_START;

	while ((rc = settle_lines_next(lr, &ln, err)) > 0) {
		if (ln.no == 1) {
			if ((rc = header(r, &ln, err)) < 0)
				return rc;
			continue;
		}
		if (st != Q_QUOTED) {
			st = Q_START;
			r->len = 0;
			r->first = ln.no;
			r->toolong = 0;
		}
		if (append(r, &ln) < 0)
			return settle_err_set(err, SETTLE_ENOMEM, r->name,
			    ln.no, NULL, "out of memory");
		st = quote_scan(ln.p, ln.len, st);
		/*
		 * Quotes are followed across lines even past the record cap;
		 * a physical line cut at the line cap ends the record, since
		 * its rest (and its quotes) were not read.
		 */
		if (st == Q_QUOTED && ln.eol != 0 && !ln.toolong)
			continue;
		/* A last line with no line end after it is still a record. */
		if (ln.eol == 0 && ln.len == 0 && r->len == 0)
			break;
		st = Q_START;
		if ((rc = record(r)) < 0)
			return settle_err_set(err, rc, r->name, r->first,
			    NULL, "out of memory");
	}
	if (rc < 0)
		return rc;
	/* A quote still open at the end: the record is there, and bad. */
	if (st == Q_QUOTED && (rc = record(r)) < 0)
		return settle_err_set(err, rc, r->name, r->first, NULL,
		    "out of memory");
	if (settle_lines_bytes(lr) == 0)
		return settle_err_set(err, SETTLE_EDATA, r->name, 0, NULL,
		    "file refused: empty file, no header row");
	return 0;
}

int
settle_orders_read(const char *path, const char *name,
    const struct settle_order_opts *o, settle_order_fn on_order,
    settle_reject_fn on_reject, void *ctx, int *kind,
    struct settle_err *err)
{
	struct settle_src *src;
	struct settle_lines *lr;
	struct oreader r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.name = name;
	r.on_order = on_order;
	r.on_reject = on_reject;
	r.ctx = ctx;
	settle_dedup_init(&r.seen);
	if ((src = settle_src_open(path, name, 0, err)) == NULL)
		return err->code;
	lr = settle_lines_new(src);
	r.csv = settle_csvrec_new(',');
	if (lr == NULL || r.csv == NULL) {
		rc = settle_err_set(err, SETTLE_ENOMEM, name, 0, NULL,
		    "out of memory");
	} else {
		rc = read_records(&r, lr, err);
		*kind = r.kind;
	}
	settle_lines_free(lr);
	settle_csvrec_free(r.csv);
	settle_dedup_release(&r.seen);
	free(r.rec);
	return rc;
}
