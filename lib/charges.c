/*
 * The charge-file reader: one pass over physical lines, each detail record
 * checked in the SPEC's reject precedence, control totals kept as the
 * trailer counts them (every line between header and trailer is a record;
 * its amount counts when it is not MALFORMED and the amount field reads).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "charges.h"
#include "csvio.h"
#include "money.h"
#include "msisdn.h"
#include "source.h"
#include "timefmt.h"

static const char *const reason_names[] = {
	"", "MALFORMED", "BAD_MSISDN", "BAD_AMOUNT", "BAD_TIME", "BAD_KIND",
	"BAD_STATUS", "FUTURE", "STALE", "DUPLICATE_ID", "ID_CONFLICT",
	"BAD_TRACKING", "BAD_OFFICE", "DUPLICATE_REF"
};

const char *
settle_reason_name(int r)
{
	return r > 0 && r <= SR_DUPLICATE_REF ? reason_names[r] : "";
}

const char *
settle_kind_name(int k)
{
	return k == SK_REFUND ? "REFUND" : "CHARGE";
}

const char *
settle_status_name(int s)
{
	return s == SS_FAILED ? "FAILED" : "SUCCESS";
}

struct reader {
	const struct settle_dialect *d;
	const struct settle_charge_opts *o;
	const char *name;
	struct settle_csvrec *rec;
	struct settle_charge_totals *tot;
	settle_charge_fn on_charge;
	settle_reject_fn on_reject;
	void *ctx;
	struct settle_err *err;
	size_t detail_tag_len, trl_tag_len;
	int64_t file_date;	/* for the TT header; -1 when unknown */
	long hdr_count;		/* TT header's count, -1 when none */
	int trailer_seen;
	char detail[512];
};

uint64_t
settle_charge_content(const struct settle_charge *c)
{
	uint64_t h;

	h = settle_hash64(c->msisdn, strlen(c->msisdn), (uint64_t)c->amount);
	h = settle_hash64(c->ref, c->ref_len, h ^ (uint64_t)c->at);
	return settle_hash64(&h, sizeof(h), (uint64_t)(c->kind * 2 +
	    c->status));
}

static int
reject(struct reader *r, const struct settle_line *ln, int reason,
    int readable, int64_t amount)
{
	struct settle_reject rj;

	rj.file = r->name;
	rj.line = ln->no;
	rj.reason = reason;
	rj.detail = r->detail;
	rj.raw = ln->p;
	rj.raw_len = ln->len;
	rj.amount_readable = readable;
	rj.amount = readable ? amount : 0;
	r->tot->rejected++;
	if (readable && settle_money_add(r->tot->rejected_sum, amount,
	    &r->tot->rejected_sum) < 0)
		return settle_err_set(r->err, SETTLE_EDATA, r->name, ln->no,
		    NULL, "rejected amounts overflow");
	return r->on_reject != NULL ? r->on_reject(r->ctx, &rj) : 0;
}

/* "field 'NAME': what: 'value'" with the value cut at 80 bytes. */
static void
field_detail(struct reader *r, int col, const char *what,
    const struct settle_span *v)
{
	snprintf(r->detail, sizeof(r->detail), "field '%s': %s: '%.*s%s'",
	    r->d->colname[col], what, (int)(v->len > 80 ? 80 : v->len), v->p,
	    v->len > 80 ? "..." : "");
}

static int
read_amount(const struct settle_dialect *d, const struct settle_span *v,
    int64_t *out)
{
	return d->amount_unit == SU_TAKA ?
	    settle_money_parse_taka(v->p, v->len, out) :
	    settle_money_parse_poisha(v->p, v->len, out);
}

/*
 * 1 when the amount field has the dialect's syntax whatever its size: an
 * amount that reads but does not fit 64 bits must count in the control
 * sum, which then cannot be kept, so its file is refused.
 */
static int
amount_syntax(const struct settle_dialect *d, const struct settle_span *v)
{
	size_t i, dot = v->len;

	for (i = 0; i < v->len; i++) {
		if (v->p[i] == '.' && d->amount_unit == SU_TAKA && dot == v->len)
			dot = i;
		else if (v->p[i] < '0' || v->p[i] > '9')
			return 0;
	}
	return dot > 0 && (dot == v->len || (v->len - dot - 1 >= 1 &&
	    v->len - dot - 1 <= 2));
}

static int
read_time(const struct settle_dialect *d, const struct settle_span *f,
    struct settle_span *shown, char *buf, size_t buflen, int64_t *out)
{
	const struct settle_span *a = &f[d->col[SF_TIME]], *b;

	*shown = *a;
	if (d->time_col2 >= 0) {
		b = &f[d->time_col2];
		if (a->len + b->len + 2 > buflen)
			return -1;
		memcpy(buf, a->p, a->len);
		buf[a->len] = ' ';
		memcpy(buf + a->len + 1, b->p, b->len);
		shown->p = buf;
		shown->len = a->len + b->len + 1;
	}
	switch (d->timefmt) {
	case ST_ISO:
		return settle_time_parse_iso(shown->p, shown->len, out);
	case ST_EPOCH_MS:
		return settle_time_parse_epoch_ms(shown->p, shown->len, out);
	default:
		return settle_time_parse_local(d->time_pattern, shown->p,
		    shown->len, out);
	}
}

/* Structure checks: returns the field count, or -1 with r->detail set. */
static int
structure(struct reader *r, const struct settle_line *ln,
    struct settle_span *f)
{
	const char *why = NULL;
	int n;

	if (ln->toolong) {
		snprintf(r->detail, sizeof(r->detail),
		    "line longer than %d bytes", SETTLE_LINE_MAX);
		return -1;
	}
	if (!settle_utf8_valid(ln->p, ln->len)) {
		snprintf(r->detail, sizeof(r->detail), memchr(ln->p, 0,
		    ln->len) != NULL ? "NUL byte" : "not UTF-8");
		return -1;
	}
	n = settle_csvrec_split(r->rec, ln->p, ln->len, r->d->quoting, f, &why);
	if (n < 0) {
		snprintf(r->detail, sizeof(r->detail), "%s", why);
		return -1;
	}
	if (n != r->d->nfields) {
		snprintf(r->detail, sizeof(r->detail),
		    "expected %d fields, got %d", r->d->nfields, n);
		return -1;
	}
	if (r->d->layout == SL_RECORDS && (f[0].len != r->detail_tag_len ||
	    memcmp(f[0].p, r->d->detail_tag, f[0].len) != 0)) {
		snprintf(r->detail, sizeof(r->detail),
		    "unknown record type '%.*s'", (int)(f[0].len > 16 ? 16 :
		    f[0].len), f[0].p);
		return -1;
	}
	if (f[r->d->col[SF_ID]].len == 0) {
		snprintf(r->detail, sizeof(r->detail), "empty charge_id");
		return -1;
	}
	return n;
}

static int
read_kind_status(struct reader *r, const struct settle_span *f,
    struct settle_charge *c)
{
	const struct settle_dialect *d = r->d;
	const struct settle_span *k = &f[d->col[SF_KIND]];
	const struct settle_span *s = &f[d->col[SF_STATUS]];

	if (settle_valset_has(&d->charge, k->p, k->len))
		c->kind = SK_CHARGE;
	else if (settle_valset_has(&d->refund, k->p, k->len))
		c->kind = SK_REFUND;
	else {
		field_detail(r, d->col[SF_KIND], "unknown kind", k);
		return SR_BAD_KIND;
	}
	if (s->len == 0) {
		field_detail(r, d->col[SF_STATUS], "empty status", s);
		return SR_BAD_STATUS;
	}
	if (settle_valset_has(&d->success, s->p, s->len))
		c->status = SS_SUCCESS;
	else if (d->failed.any || settle_valset_has(&d->failed, s->p, s->len))
		c->status = SS_FAILED;
	else {
		field_detail(r, d->col[SF_STATUS], "unknown status", s);
		return SR_BAD_STATUS;
	}
	return SR_NONE;
}

/* Field checks in precedence; returns a reason or SR_NONE. */
static int
fields(struct reader *r, const struct settle_span *f, struct settle_charge *c,
    int readable)
{
	const struct settle_dialect *d = r->d;
	struct settle_span shown;
	char tbuf[160];

	if (settle_msisdn_norm(f[d->col[SF_MSISDN]].p,
	    f[d->col[SF_MSISDN]].len, c->msisdn) < 0) {
		field_detail(r, d->col[SF_MSISDN], "not a mobile number",
		    &f[d->col[SF_MSISDN]]);
		return SR_BAD_MSISDN;
	}
	if (!readable || !settle_money_in_range(c->amount)) {
		field_detail(r, d->col[SF_AMOUNT], readable ?
		    "amount out of range" : d->amount_unit == SU_TAKA ?
		    "not an amount in taka" : "not an amount in poisha",
		    &f[d->col[SF_AMOUNT]]);
		return SR_BAD_AMOUNT;
	}
	if (read_time(d, f, &shown, tbuf, sizeof(tbuf), &c->at) < 0) {
		if (shown.len > 80)
			shown.len = 80;
		snprintf(r->detail, sizeof(r->detail), "field '%s': not a "
		    "time: '%.*s'", d->colname[d->col[SF_TIME]],
		    (int)shown.len, shown.p);
		return SR_BAD_TIME;
	}
	return read_kind_status(r, f, c);
}

/* r->detail for FUTURE ("after") and STALE ("before"). */
static void
window_detail(struct reader *r, int64_t at, const char *side,
    const char *what, int64_t date)
{
	char t[24], dd[16];

	settle_time_fmt(at, t);
	settle_date_fmt(date, dd);
	snprintf(r->detail, sizeof(r->detail), "charged at %s, %s the %s %s",
	    t, side, what, dd);
}

static int
window(struct reader *r, const struct settle_charge *c)
{
	int64_t from;

	if (!r->o->have_date)
		return SR_NONE;
	if (c->at >= settle_date_start(r->o->date + 1)) {
		window_detail(r, c->at, "after", "business date", r->o->date);
		return SR_FUTURE;
	}
	from = r->o->date - r->o->dedup_days;
	if (settle_business_date(c->at) < from) {
		window_detail(r, c->at, "before", "dedup window that starts",
		    from);
		return SR_STALE;
	}
	return SR_NONE;
}

/* e: the id hashes, from settle_dedup_key(). */
static int
dedup(struct reader *r, const struct settle_charge *c,
    struct settle_dedup_entry *e)
{
	int rc;

	e->content = settle_charge_content(c);
	e->date = (int32_t)settle_business_date(c->at);
	rc = settle_dedup_check_entry(r->o->dedup, e);

	if (rc == SETTLE_DEDUP_NOMEM)
		return -1;
	if (rc == SETTLE_DEDUP_NEW)
		return SR_NONE;
	snprintf(r->detail, sizeof(r->detail), "charge_id '%.*s' already "
	    "ingested %s", (int)(c->id_len > 80 ? 80 : c->id_len), c->id,
	    rc == SETTLE_DEDUP_SAME ? "with the same content" :
	    "with other content");
	return rc == SETTLE_DEDUP_SAME ? SR_DUPLICATE_ID : SR_ID_CONFLICT;
}

static int
count(struct reader *r, long line, int64_t amount)
{
	r->tot->records++;
	if (settle_money_add(r->tot->sum, amount, &r->tot->sum) < 0)
		return settle_err_set(r->err, SETTLE_EDATA, r->name, line,
		    NULL, "control sum overflows");
	return 0;
}

static int
tally(struct reader *r, const struct settle_charge *c, long line)
{
	long *n;
	int64_t *s;

	if (c->status == SS_FAILED) {
		n = &r->tot->failed;
		s = &r->tot->failed_sum;
	} else if (c->kind == SK_CHARGE) {
		n = &r->tot->charges;
		s = &r->tot->charges_sum;
	} else {
		n = &r->tot->refunds;
		s = &r->tot->refunds_sum;
	}
	(*n)++;
	if (settle_money_add(*s, c->amount, s) < 0)
		return settle_err_set(r->err, SETTLE_EDATA, r->name, line,
		    NULL, "amounts overflow");
	return 0;
}

static int refuse(struct reader *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
detail_record(struct reader *r, const struct settle_line *ln)
{
	struct settle_span f[CSV_MAXFIELDS];
	struct settle_dedup_entry key;
	struct settle_charge c;
	int reason, readable;

	memset(&c, 0, sizeof(c));
	if (structure(r, ln, f) < 0) {
		if (count(r, ln->no, 0) < 0)
			return SETTLE_EDATA;
		return reject(r, ln, SR_MALFORMED, 0, 0);
	}
	c.id = f[r->d->col[SF_ID]].p;
	c.id_len = f[r->d->col[SF_ID]].len;
	/* The id table is large and read at random: ask for its slot now. */
	settle_dedup_key(&key, c.id, c.id_len);
	settle_dedup_prefetch(r->o->dedup, &key);
	readable = read_amount(r->d, &f[r->d->col[SF_AMOUNT]], &c.amount) == 0;
	if (!readable && amount_syntax(r->d, &f[r->d->col[SF_AMOUNT]]))
		return refuse(r, ln->no, "field '%s': an amount too large for "
		    "the control sum", r->d->colname[r->d->col[SF_AMOUNT]]);
	if (count(r, ln->no, readable ? c.amount : 0) < 0)
		return SETTLE_EDATA;
	c.op = r->d->op;
	c.ref = f[r->d->col[SF_REF]].p;
	c.ref_len = f[r->d->col[SF_REF]].len;
	c.file = r->name;
	c.line = ln->no;
	reason = fields(r, f, &c, readable);
	if (reason == SR_NONE)
		reason = window(r, &c);
	if (reason == SR_NONE && (reason = dedup(r, &c, &key)) < 0)
		return settle_err_set(r->err, SETTLE_ENOMEM, r->name, ln->no,
		    NULL, "out of memory remembering charge ids");
	if (reason != SR_NONE)
		return reject(r, ln, reason, readable, c.amount);
	if (tally(r, &c, ln->no) < 0)
		return SETTLE_EDATA;
	return r->on_charge != NULL ? r->on_charge(r->ctx, &c) : 0;
}


static int
refuse(struct reader *r, long line, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return settle_err_set(r->err, SETTLE_EDATA, r->name, line, NULL,
	    "file refused: %s", msg);
}

static int
trailer(struct reader *r, const struct settle_line *ln)
{
	struct settle_span f[CSV_MAXFIELDS];
	const struct settle_dialect *d = r->d;
	const char *why;
	int64_t cnt, sum;
	int n;

	n = settle_csvrec_split(r->rec, ln->p, ln->len, 0, f, &why);
	if (n != d->trl_nfields ||
	    settle_money_parse_poisha(f[d->trl_count].p, f[d->trl_count].len,
	    &cnt) < 0 || (d->trl_unit == SU_TAKA ?
	    settle_money_parse_taka(f[d->trl_sum].p, f[d->trl_sum].len, &sum) :
	    settle_money_parse_poisha(f[d->trl_sum].p, f[d->trl_sum].len,
	    &sum)) < 0)
		return refuse(r, ln->no, "unreadable trailer '%.*s'",
		    (int)(ln->len > 80 ? 80 : ln->len), ln->p);
	if (cnt != r->tot->records)
		return refuse(r, ln->no, "trailer counts %lld records, the "
		    "file has %ld", (long long)cnt, r->tot->records);
	if (sum != r->tot->sum)
		return refuse(r, ln->no, "trailer sum is %lld poisha, the "
		    "records add up to %lld", (long long)sum,
		    (long long)r->tot->sum);
	if (r->hdr_count >= 0 && r->hdr_count != cnt)
		return refuse(r, 1, "header record counts %ld records, the "
		    "trailer %lld", r->hdr_count, (long long)cnt);
	r->trailer_seen = 1;
	return 0;
}

static int
is_trailer(const struct reader *r, const struct settle_line *ln)
{
	size_t tl = r->trl_tag_len;

	return ln->len > tl && memcmp(ln->p, r->d->trl_tag, tl) == 0 &&
	    ln->p[tl] == r->d->delim;
}

/* TT-style "H" record: literals, the business date and a count. */
static int
header_record(struct reader *r, const struct settle_line *ln)
{
	struct settle_span f[CSV_MAXFIELDS];
	const struct settle_dialect *d = r->d;
	const char *why, *want;
	char dbuf[16];
	int64_t v;
	int i, n;

	n = settle_csvrec_split(r->rec, ln->p, ln->len, 0, f, &why);
	if (n != d->hdr_nfields || !settle_utf8_valid(ln->p, ln->len))
		return refuse(r, 1, "first line is not a '%s' header record "
		    "with %d fields", d->hdr_tag, d->hdr_nfields);
	for (i = 0; i < n; i++) {
		want = d->hdr_fields[i];
		if (strcmp(want, "{count}") == 0) {
			if (settle_money_parse_poisha(f[i].p, f[i].len, &v) < 0)
				return refuse(r, 1, "header record: count "
				    "is not a number");
			r->hdr_count = (long)v;
			continue;
		}
		if (want[0] == '{' && r->file_date >= 0) {
			settle_pattern_expand(want, r->file_date, dbuf,
			    sizeof(dbuf));
			want = dbuf;
		} else if (want[0] == '{') {
			continue;
		}
		if (f[i].len != strlen(want) || memcmp(f[i].p, want, f[i].len))
			return refuse(r, 1, "header record field %d is "
			    "'%.*s', expected '%s'", i + 1, (int)(f[i].len >
			    40 ? 40 : f[i].len), f[i].p, want);
	}
	return 0;
}

static int
first_line(struct reader *r, const struct settle_line *ln)
{
	if (r->d->layout == SL_RECORDS)
		return header_record(r, ln);
	if (ln->len != strlen(r->d->header) ||
	    memcmp(ln->p, r->d->header, ln->len) != 0)
		return refuse(r, 1, "header row differs from the %s "
		    "dialect's '%.200s'", r->d->op, r->d->header);
	return 0;
}

static int
read_lines(struct reader *r, struct settle_lines *lr)
{
	struct settle_line ln;
	int rc;

	while ((rc = settle_lines_next(lr, &ln, r->err)) > 0) {
		if (r->trailer_seen)
			return refuse(r, ln.no, "data after the trailer");
		if (ln.no == 1)
			rc = first_line(r, &ln);
		else if (is_trailer(r, &ln))
			rc = trailer(r, &ln);
		else
			rc = detail_record(r, &ln);
		if (rc < 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (settle_lines_bytes(lr) == 0)
		return refuse(r, 0, "empty file");
	if (!r->trailer_seen)
		return refuse(r, 0, "missing trailer");
	return 0;
}

int
settle_charges_read(const struct settle_dialect *d, const char *path,
    const char *name, const struct settle_charge_opts *o,
    settle_charge_fn on_charge, settle_reject_fn on_reject, void *ctx,
    struct settle_charge_totals *tot, struct settle_err *err)
{
	struct settle_src *src;
	struct settle_lines *lr;
	struct reader r;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(tot, 0, sizeof(*tot));
	r.d = d;
	r.o = o;
	r.name = name;
	r.tot = tot;
	r.on_charge = on_charge;
	r.on_reject = on_reject;
	r.ctx = ctx;
	r.err = err;
	r.hdr_count = -1;
	r.detail_tag_len = strlen(d->detail_tag);
	r.trl_tag_len = strlen(d->trl_tag);
	/* The file's own date: from its name, else the run's date. */
	if (settle_pattern_match(d->file, name, &r.file_date) < 0)
		r.file_date = o->have_date ? o->date : -1;
	src = settle_src_open(path, name, d->gzip, err);
	if (src == NULL)
		return err->code;
	lr = settle_lines_new(src);
	r.rec = settle_csvrec_new(d->delim);
	if (lr == NULL || r.rec == NULL) {
		settle_lines_free(lr);
		settle_csvrec_free(r.rec);
		return settle_err_set(err, SETTLE_ENOMEM, name, 0, NULL,
		    "out of memory");
	}
	rc = read_lines(&r, lr);
	settle_lines_free(lr);
	settle_csvrec_free(r.rec);
	return rc;
}
