/*
 * Canonical CSV readers.  Records may span lines inside quotes; each is
 * split with libcsv (strict) and checked against the file's header.
 */
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "canonread.h"
#include "csvio.h"
#include "money.h"
#include "msisdn.h"
#include "source.h"
#include "timefmt.h"

struct creader {
	const char *path;
	struct settle_lines *lr;
	struct settle_csvrec *csv;
	char *rec;
	size_t len, cap;
	long line;
	struct settle_span f[CSV_MAXFIELDS];
	char *fld[CSV_MAXFIELDS];	/* NUL-terminated copies */
	int nf;
	struct settle_err *err;
};

/* A row refused by its caller: named by its file and line. */
static int
placed(struct creader *r, int rc)
{
	if (rc < 0 && r->err->code != 0 && r->err->file[0] == '\0') {
		snprintf(r->err->file, sizeof(r->err->file), "%s", r->path);
		r->err->line = r->line;
	}
	return rc;
}

static int
cbad(struct creader *r, const char *field, const char *msg)
{
	return settle_err_set(r->err, SETTLE_EDATA, r->path, r->line, field,
	    "%s", msg);
}

static int
quote_open(const char *p, size_t n, int open)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '"')
			open = !open;
	return open;
}

static int
grow(struct creader *r, size_t need)
{
	char *nb;

	if (need <= r->cap)
		return 0;
	if ((nb = realloc(r->rec, need * 2)) == NULL)
		return -1;
	r->rec = nb;
	r->cap = need * 2;
	return 0;
}

/* Drop the writer's formula guard. */
static void
unguard(char *s)
{
	if (s[0] == '\'' && settle_csv_needs_prefix(s + 1, strlen(s + 1)))
		memmove(s, s + 1, strlen(s));
}

/* The next record's fields: 1, 0 at the end, < 0 on error. */
static int
next_record(struct creader *r)
{
	struct settle_line ln;
	const char *why;
	int rc, open = 0, i;

	r->len = 0;
	while ((rc = settle_lines_next(r->lr, &ln, r->err)) > 0) {
		if (r->len == 0)
			r->line = ln.no;
		if (grow(r, r->len + ln.len + 2) < 0)
			return cbad(r, NULL, "out of memory");
		if (r->len > 0 || open)
			r->rec[r->len++] = '\n';
		memcpy(r->rec + r->len, ln.p, ln.len);
		r->len += ln.len;
		if (!(open = quote_open(ln.p, ln.len, open)))
			break;
	}
	if (rc < 0)
		return rc;
	if (rc == 0 && r->len == 0)
		return 0;
	r->nf = settle_csvrec_split(r->csv, r->rec, r->len, 1, r->f, &why);
	if (r->nf < 0 || r->nf > CSV_MAXFIELDS)
		return cbad(r, NULL, "not a CSV record");
	for (i = 0; i < r->nf; i++) {
		free(r->fld[i]);
		if ((r->fld[i] = strndup(r->f[i].p, r->f[i].len)) == NULL)
			return cbad(r, NULL, "out of memory");
		unguard(r->fld[i]);
	}
	return 1;
}

static int
open_reader(struct creader *r, const char *path, const char *header,
    struct settle_err *err)
{
	struct settle_src *src;
	size_t hl = strlen(header) - 1;	/* without its "\n" */
	int rc;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->err = err;
	if ((src = settle_src_open(path, path, 0, err)) == NULL)
		return err->code;
	r->lr = settle_lines_new(src);
	r->csv = settle_csvrec_new(',');
	if (r->lr == NULL || r->csv == NULL)
		return cbad(r, NULL, "out of memory");
	if ((rc = next_record(r)) <= 0)
		return rc < 0 ? rc : cbad(r, NULL, "empty file, no header");
	if (r->len != hl || memcmp(r->rec, header, hl) != 0)
		return cbad(r, NULL, "header differs from the canonical one");
	return 0;
}

static void
close_reader(struct creader *r)
{
	int i;

	for (i = 0; i < CSV_MAXFIELDS; i++)
		free(r->fld[i]);
	settle_lines_free(r->lr);
	settle_csvrec_free(r->csv);
	free(r->rec);
}

static int
int_field(struct creader *r, int i, const char *name, int64_t *out)
{
	const char *s = r->fld[i];
	int neg = s[0] == '-';

	if (settle_money_parse_poisha(s + neg, strlen(s + neg), out) < 0)
		return cbad(r, name, "not a whole number");
	if (neg)
		*out = -*out;
	return 0;
}

static int
charge_row(struct creader *r, struct settle_charge *c)
{
	char **f = r->fld;
	int64_t line;

	memset(c, 0, sizeof(*c));
	if (r->nf != 10)
		return cbad(r, NULL, "expected 10 fields");
	c->op = f[0];
	c->id = f[1];
	c->id_len = strlen(f[1]);
	if (strlen(f[2]) != 13 || settle_msisdn_norm(f[2], 13, c->msisdn) < 0)
		return cbad(r, "msisdn", "not a canonical msisdn");
	if (int_field(r, 3, "amount_poisha", &c->amount) < 0 ||
	    int_field(r, 9, "source_line", &line) < 0)
		return SETTLE_EDATA;
	if (settle_time_parse_iso(f[4], strlen(f[4]), &c->at) < 0)
		return cbad(r, "charged_at", "not an instant");
	c->ref = f[5];
	c->ref_len = strlen(f[5]);
	if (strcmp(f[6], "CHARGE") && strcmp(f[6], "REFUND"))
		return cbad(r, "kind", "not CHARGE or REFUND");
	c->kind = strcmp(f[6], "REFUND") == 0 ? SK_REFUND : SK_CHARGE;
	if (strcmp(f[7], "SUCCESS") && strcmp(f[7], "FAILED"))
		return cbad(r, "status", "not SUCCESS or FAILED");
	c->status = strcmp(f[7], "FAILED") == 0 ? SS_FAILED : SS_SUCCESS;
	c->file = f[8];
	c->line = (long)line;
	return 0;
}

int
settle_canon_read_charges(const char *path, settle_charge_fn fn, void *ctx,
    struct settle_err *err)
{
	struct settle_charge c;
	struct creader r;
	int rc;

	rc = open_reader(&r, path, SETTLE_CHARGES_HEADER, err);
	while (rc == 0 && (rc = next_record(&r)) > 0)
		if ((rc = charge_row(&r, &c)) == 0)
			rc = placed(&r, fn(ctx, &c));
	close_reader(&r);
	return rc < 0 ? rc : 0;
}

static int
pay_status(const char *s)
{
	int i;

	for (i = SP_PAID; i <= SP_CANCELLED; i++)
		if (strcmp(s, settle_pay_name(i)) == 0)
			return i;
	return -1;
}

static int
order_row(struct creader *r, struct settle_order *o)
{
	char **f = r->fld;
	int64_t sum;

	memset(o, 0, sizeof(*o));
	if (r->nf != 16)
		return cbad(r, NULL, "expected 16 fields");
	o->kind = strcmp(f[0], "BPO") == 0 ? SO_BPO : SO_ECAB;
	o->ref = f[1];
	o->ref_len = strlen(f[1]);
	o->merchant = f[2];
	o->merchant_len = strlen(f[2]);
	if (strlen(f[3]) >= sizeof(o->office) || strlen(f[5]) >=
	    sizeof(o->op) || strlen(f[4]) != 13)
		return cbad(r, NULL, "bad office, operator or msisdn");
	memcpy(o->office, f[3], strlen(f[3]) + 1);
	memcpy(o->msisdn, f[4], 14);
	memcpy(o->op, f[5], strlen(f[5]) + 1);
	o->service = f[6];
	if ((o->kind == SO_ECAB && (int_field(r, 7, "goods_poisha",
	    &o->goods) < 0 || int_field(r, 8, "delivery_poisha",
	    &o->delivery) < 0)) || (o->kind == SO_BPO && int_field(r, 9,
	    "postage_poisha", &o->postage) < 0) || int_field(r, 10,
	    "payable_poisha", &o->payable) < 0)
		return SETTLE_EDATA;
	if (o->kind == SO_BPO)
		sum = o->postage;
	else if (settle_money_add(o->goods, o->delivery, &sum) < 0)
		sum = o->payable - 1;
	if (o->payable != sum)
		return cbad(r, "payable_poisha", o->kind == SO_BPO ?
		    "not the postage" : "not goods plus delivery");
	if (settle_time_parse_iso(f[11], strlen(f[11]), &o->at) < 0)
		return cbad(r, "ordered_at", "not an instant");
	if ((o->status = pay_status(f[12])) < 0)
		return cbad(r, "payment_status", "unknown status");
	o->tracking = f[13];
	o->tracking_len = strlen(f[13]);
	o->file = f[14];
	return 0;
}

int
settle_canon_read_orders(const char *path, settle_order_fn fn, void *ctx,
    struct settle_err *err)
{
	struct settle_order o;
	struct creader r;
	int rc;

	rc = open_reader(&r, path, SETTLE_ORDERS_HEADER, err);
	while (rc == 0 && (rc = next_record(&r)) > 0)
		if ((rc = order_row(&r, &o)) == 0)
			rc = placed(&r, fn(ctx, &o));
	close_reader(&r);
	return rc < 0 ? rc : 0;
}

static int
match_kind(const char *s)
{
	int i;

	for (i = SM_EXACT; i <= SM_FUZZY; i++)
		if (strcmp(s, settle_match_name(i)) == 0)
			return i;
	return -1;
}

/* A matches.csv row into m, its text in mem. */
static int
match_row(struct creader *r, struct settle_match *m, struct settle_arena *mem)
{
	char **f = r->fld;

	memset(m, 0, sizeof(*m));
	if (r->nf != 13)
		return cbad(r, NULL, "expected 13 fields");
	m->kind = strcmp(f[1], "BPO") == 0 ? SO_BPO : SO_ECAB;
	/* As long as the engine's fields: operator, msisdn, office code. */
	if (strlen(f[2]) >= 16 || strlen(f[3]) >= 16 || strlen(f[9]) >= 8)
		return cbad(r, NULL, "bad operator, msisdn or office");
	if (int_field(r, 4, "payable_poisha", &m->payable) < 0 ||
	    int_field(r, 5, "net_poisha", &m->net) < 0)
		return SETTLE_EDATA;
	if ((m->match = match_kind(f[6])) < 0)
		return cbad(r, "match", "unknown match kind");
	if ((m->kind == SO_ECAB && (int_field(r, 10, "goods_poisha",
	    &m->goods) < 0 || int_field(r, 11, "delivery_poisha",
	    &m->delivery) < 0)) || (m->kind == SO_BPO && int_field(r, 12,
	    "postage_poisha", &m->postage) < 0))
		return SETTLE_EDATA;
	m->order_ref = settle_arena_strndup(mem, f[0], strlen(f[0]));
	m->op = settle_arena_strndup(mem, f[2], strlen(f[2]));
	m->msisdn = settle_arena_strndup(mem, f[3], strlen(f[3]));
	m->charge_ids = settle_arena_strndup(mem, f[7], strlen(f[7]));
	m->merchant = m->kind == SO_ECAB ? settle_arena_strndup(mem, f[8],
	    strlen(f[8])) : NULL;
	m->office = settle_arena_strndup(mem, f[9], strlen(f[9]));
	if (m->order_ref == NULL || m->op == NULL || m->msisdn == NULL ||
	    m->charge_ids == NULL || m->office == NULL ||
	    (m->kind == SO_ECAB && m->merchant == NULL))
		return cbad(r, NULL, "out of memory");
	return 0;
}

static int
day_add(struct settle_day *d, const struct settle_match *m)
{
	struct settle_match *v;
	size_t ncap;

	if (d->nmatches == d->capm) {
		ncap = d->capm ? d->capm * 2 : 256;
		if ((v = realloc(d->matches, ncap * sizeof(*v))) == NULL)
			return -1;
		d->matches = v;
		d->capm = ncap;
	}
	d->matches[d->nmatches++] = *m;
	return 0;
}

int
settle_canon_read_matches(const char *path, struct settle_day *d,
    struct settle_err *err)
{
	struct settle_match m;
	struct creader r;
	int rc;

	rc = open_reader(&r, path, SETTLE_MATCHES_HEADER, err);
	while (rc == 0 && (rc = next_record(&r)) > 0) {
		if ((rc = match_row(&r, &m, &d->mem)) == 0 && day_add(d, &m) < 0)
			rc = cbad(&r, NULL, "out of memory");
	}
	close_reader(&r);
	return rc < 0 ? rc : 0;
}
