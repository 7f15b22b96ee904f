/*
 * Rendering the outbox: CSV files sorted by their key columns, the
 * statements in the SPEC's item order, and summary.json.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "csvio.h"
#include "fsutil.h"
#include "report.h"
#include "strsort.h"
#include "timefmt.h"

#define DISPUTES_HEADER "dispute_id,operator,reason,order_ref,charge_ids," \
	"msisdn,amount_poisha,detail\n"

static void
put(struct settle_out *b, const char *s)
{
	settle_out_raw(b, s, strlen(s));
}

static int
add_file(struct settle_outputs *o, const char *name, struct settle_out *b)
{
	struct settle_file *f;

	if (b->failed || o->n >= SETTLE_MAX_FILES) {
		settle_out_release(b);
		return SETTLE_ENOMEM;
	}
	f = &o->f[o->n++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->data = b->buf;
	f->len = b->len;
	b->buf = NULL;
	b->len = b->cap = 0;
	return 0;
}

void
settle_outputs_release(struct settle_outputs *o)
{
	int i;

	for (i = 0; i < o->n; i++)
		free(o->f[i].data);
	memset(o, 0, sizeof(*o));
}

const struct settle_file *
settle_outputs_get(const struct settle_outputs *o, const char *name)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->f[i].name, name) == 0)
			return &o->f[i];
	return NULL;
}

/* A row set, sorted, behind a header, as one file (a bundle's rejects). */
static int
rows_file(struct settle_outputs *o, const char *name, const char *header,
    struct settle_rows *rows)
{
	struct settle_out b;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int bad;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return SETTLE_ENOMEM;
	fputs(header, f);
	settle_rows_sort(rows);
	bad = rows->failed || settle_rows_write(rows, f) < 0;
	if (fclose(f) != 0 || bad) {
		free(buf);
		return SETTLE_ENOMEM;
	}
	settle_out_init(&b, NULL, 0);
	b.buf = buf;
	b.len = b.cap = len;
	return add_file(o, name, &b);
}

/* Keys held at a time while a day's matched groups are sorted. */
#define MATCH_PARTS 8

struct mwalk {
	struct egroup **from, **to;
	size_t n;
};

static const char *
mgroup_key(void *ctx, size_t i)
{
	return ((struct mwalk *)ctx)->from[i]->ref->ref;
}

/* Level 0: the group; level 1: its reference (its text follows it). */
static void
mgroup_hint(void *ctx, size_t i, int level)
{
	const struct egroup *g = ((struct mwalk *)ctx)->from[i];

	if (level == 0)
		__builtin_prefetch(g);
	else
		__builtin_prefetch(g->ref);
}

static int
mgroup_put(void *ctx, size_t i)
{
	struct mwalk *w = ctx;

	w->to[w->n++] = w->from[i];
	return 0;
}

/* The matched groups into a new array in order, a part at a time. */
static int
sort_mgroups(struct settle_day *d)
{
	struct mwalk w;

	w.from = d->mgroups;
	w.n = 0;
	if ((w.to = malloc((d->nmatches + 1) * sizeof(*w.to))) == NULL)
		return SETTLE_ENOMEM;
	if (settle_skey_visit(d->nmatches, MATCH_PARTS, mgroup_key,
	    mgroup_hint, mgroup_put, &w) < 0) {
		free(w.to);
		return SETTLE_ENOMEM;
	}
	free(d->mgroups);
	d->mgroups = w.to;
	d->capm = d->nmatches + 1;
	d->matches_sorted = 1;
	return 0;
}

/*
 * The day's matches by order_ref, once for every file that lists them:
 * the engine's matched groups a part at a time; matches read from a file
 * in place.  SETTLE_ENOMEM leaves them as they were.
 */
static int
sort_matches(struct settle_day *d)
{
	struct settle_skey *k;
	struct settle_match t;
	size_t i, j, src;

	if (d->matches_sorted)
		return 0;
	if (d->mgroups != NULL)
		return sort_mgroups(d);
	if ((k = malloc((d->nmatches + 1) * sizeof(*k))) == NULL)
		return SETTLE_ENOMEM;
	for (i = 0; i < d->nmatches; i++) {
		k[i].s = d->matches[i].order_ref;
		k[i].i = i;
		settle_skey_set(&k[i]);
	}
	if (settle_skey_sort(k, d->nmatches) < 0) {
		free(k);
		return SETTLE_ENOMEM;
	}
	/*
	 * Slot i takes the match at k[i].i: follow each cycle of the
	 * permutation with one spare, marking the slots done as k[j].i = j.
	 */
	for (i = 0; i < d->nmatches; i++) {
		if (k[i].i == i)
			continue;
		t = d->matches[i];
		for (j = i; (src = k[j].i) != i; j = src) {
			d->matches[j] = d->matches[src];
			k[j].i = j;
		}
		d->matches[j] = t;
		k[j].i = j;
	}
	free(k);
	d->matches_sorted = 1;
	return 0;
}

int
settle_report_sort_matches(struct settle_day *d)
{
	return sort_matches(d) < 0 ? SETTLE_ENOMEM : 0;
}

static void
match_row(struct settle_out *b, const struct settle_match *m)
{
	settle_out_str(b, m->order_ref);
	settle_out_str(b, m->kind == SO_BPO ? "BPO" : "ECAB");
	settle_out_str(b, m->op);
	settle_out_str(b, m->msisdn);
	settle_out_int(b, m->payable);
	settle_out_int(b, m->net);
	settle_out_str(b, settle_match_name(m->match));
	settle_out_str(b, m->charge_ids);
	if (m->kind == SO_ECAB) {
		settle_out_str(b, m->merchant);
		settle_out_empty(b);
		settle_out_int(b, m->goods);
		settle_out_int(b, m->delivery);
		settle_out_empty(b);
	} else {
		settle_out_empty(b);
		settle_out_str(b, m->office);
		settle_out_empty(b);
		settle_out_empty(b);
		settle_out_int(b, m->postage);
	}
	settle_out_endrow(b);
}

/* matches.csv, all operators (op < 0) or one. */
static int
matches_file(const struct settle_report_in *in, int op, const char *name,
    struct settle_outputs *o)
{
	const struct settle_day *d = in->day;
	const struct settle_match *m;
	struct settle_match mv;
	struct settle_out b;
	char *ids = NULL;
	size_t i, idcap = 0;

	if (sort_matches(in->day) < 0)
		return SETTLE_ENOMEM;
	settle_out_init(&b, NULL, 0);
	settle_out_raw(&b, SETTLE_MATCHES_HEADER, sizeof(SETTLE_MATCHES_HEADER) - 1);
	for (i = 0; i < d->nmatches && !b.failed; i++) {
		m = settle_day_match(d, i, &mv, &ids, &idcap);
		if (m->charge_ids == NULL)
			b.failed = 1;
		else if (op < 0 || strcmp(m->op, in->cf->ops[op].code) == 0)
			match_row(&b, m);
	}
	free(ids);
	return add_file(o, name, &b);
}

int
settle_report_matches_split(const struct settle_report_in *in, FILE *f,
    const char *path, struct settle_opfile *opmatches,
    struct settle_err *err)
{
	const struct settle_day *d = in->day;
	struct settle_out all, row, b[SETTLE_MAX_OPS];
	const struct settle_match *m;
	struct settle_match mv;
	char *ids = NULL;
	size_t i, idcap = 0;
	int k, e = 0;

	if (sort_matches(in->day) < 0)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory sorting the matches");
	settle_out_init(&all, f, 0);
	settle_out_init(&row, NULL, 0);
	put(&all, SETTLE_MATCHES_HEADER);
	for (k = 0; k < in->cf->nops; k++) {
		opmatches[k].len = 0;
		if ((opmatches[k].f = settle_tmpfile("matches")) == NULL)
			e = errno;
		settle_out_init(&b[k], opmatches[k].f, 0);
		put(&b[k], SETTLE_MATCHES_HEADER);
	}
	/* A row is rendered once, then copied to both files. */
	for (i = 0; i < d->nmatches && e == 0 && !row.failed; i++) {
		settle_day_prefetch_ahead(d, i);
		m = settle_day_match(d, i, &mv, &ids, &idcap);
		if (m->charge_ids == NULL) {
			row.failed = 1;
			break;
		}
		row.len = 0;
		match_row(&row, m);
		settle_out_raw(&all, row.buf, row.len);
		k = settle_config_op(in->cf, m->op, strlen(m->op));
		if (k >= 0) {
			settle_out_raw(&b[k], row.buf, row.len);
			opmatches[k].len += row.len;
		}
	}
	if (e == 0 && settle_out_flush(&all) < 0)
		e = errno != 0 ? errno : EIO;
	for (k = 0; k < in->cf->nops; k++) {
		opmatches[k].len += sizeof(SETTLE_MATCHES_HEADER) - 1;
		if (e == 0 && opmatches[k].f != NULL && (settle_out_flush(&b[k])
		    < 0 || fflush(opmatches[k].f) != 0))
			e = errno != 0 ? errno : EIO;
		settle_out_release(&b[k]);
	}
	settle_out_release(&all);
	settle_out_release(&row);
	free(ids);
	if (row.failed)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory rendering the matches");
	return e != 0 ? settle_err_set(err, SETTLE_EIO, path, 0, NULL,
	    "cannot write: %s", strerror(e)) : 0;
}

/* Dispute order for numbering: operator, then reason, ref, charge ids. */
static int
cmp_dispute(const void *a, const void *b)
{
	const struct settle_dispute *x = *(const struct settle_dispute *const *)a;
	const struct settle_dispute *y = *(const struct settle_dispute *const *)b;
	int c;

	if ((c = strcmp(x->op, y->op)) != 0)
		return c;
	if ((c = strcmp(settle_dispute_name(x->reason),
	    settle_dispute_name(y->reason))) != 0)
		return c;
	if ((c = strcmp(x->order_ref, y->order_ref)) != 0)
		return c;
	return strcmp(x->charge_ids, y->charge_ids);
}

/* Sorted dispute pointers; numbers them on the way (seq per operator). */
static const struct settle_dispute **
sorted_disputes(struct settle_day *d)
{
	struct settle_dispute **v;
	size_t i;

	if ((v = malloc((d->ndisputes + 1) * sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < d->ndisputes; i++)
		v[i] = &d->disputes[i];
	qsort(v, d->ndisputes, sizeof(*v), cmp_dispute);
	/* Numbered once; later calls (the bundles, on threads) only read. */
	for (i = 0; i < d->ndisputes && !d->disputes_numbered; i++)
		v[i]->seq = i > 0 && strcmp(v[i - 1]->op, v[i]->op) == 0 ?
		    v[i - 1]->seq + 1 : 1;
	d->disputes_numbered = 1;
	return (const struct settle_dispute **)v;
}

static void
dispute_row(struct settle_out *b, const struct settle_dispute *x,
    int64_t date)
{
	char id[64], ds[16];

	settle_date_fmt_style(date, "YYYYMMDD", ds);
	snprintf(id, sizeof(id), "%s-%s-%06u", x->op, ds, x->seq);
	settle_out_str(b, id);
	settle_out_str(b, x->op);
	settle_out_str(b, settle_dispute_name(x->reason));
	settle_out_str(b, x->order_ref);
	settle_out_str(b, x->charge_ids);
	settle_out_str(b, x->msisdn);
	settle_out_int(b, x->amount);
	settle_out_str(b, x->detail);
	settle_out_endrow(b);
}

static int
disputes_file(const struct settle_report_in *in, int op, const char *name,
    struct settle_outputs *o)
{
	const struct settle_dispute **v = sorted_disputes(in->day);
	struct settle_out b;
	size_t i;

	if (v == NULL)
		return SETTLE_ENOMEM;
	settle_out_init(&b, NULL, 0);
	settle_out_raw(&b, DISPUTES_HEADER, sizeof(DISPUTES_HEADER) - 1);
	for (i = 0; i < in->day->ndisputes; i++)
		if (op < 0 || strcmp(v[i]->op, in->cf->ops[op].code) == 0)
			dispute_row(&b, v[i], in->date);
	free(v);
	return add_file(o, name, &b);
}

static void
item(struct settle_out *b, const char *name, long count, int has_count,
    int64_t amount, int has_amount)
{
	settle_out_str(b, name);
	if (has_count)
		settle_out_int(b, count);
	else
		settle_out_empty(b);
	if (has_amount)
		settle_out_int(b, amount);
	else
		settle_out_empty(b);
	settle_out_endrow(b);
}

static int
statement_file(const struct settle_report_in *in, int op, const char *name,
    struct settle_outputs *o)
{
	const struct settle_charge_totals *t = &in->ops[op].tot;
	const struct settle_opday *d = &in->day->ops[op];
	int64_t mtd = in->tot->mtd_before[op], share = in->tot->share[op];
	struct settle_out b;

	settle_out_init(&b, NULL, 0);
	put(&b, "item,count,amount_poisha\n");
	item(&b, "charges_received", t->records, 1, t->sum, 1);
	item(&b, "charges_rejected", t->rejected, 1, t->rejected_sum, 1);
	item(&b, "charges_failed", t->failed, 1, t->failed_sum, 1);
	item(&b, "charges_success", t->charges, 1, t->charges_sum, 1);
	item(&b, "refunds_success", t->refunds, 1, t->refunds_sum, 1);
	item(&b, "ported", in->ops[op].ported, 1, 0, 0);
	item(&b, "matched_net", d->matched, 1, d->matched_net, 1);
	item(&b, "disputes_raised", d->disputes, 1, d->disputes_sum, 1);
	item(&b, "pending_groups", d->pending, 1, d->pending_net, 1);
	item(&b, "mtd_net_before", 0, 0, mtd, 1);
	item(&b, "operator_share", 0, 0, share, 1);
	item(&b, "payable_to_bpo", 0, 0, d->matched_net - share, 1);
	return add_file(o, name, &b);
}

static int
payouts_file(const struct settle_totals *t, struct settle_outputs *o)
{
	struct settle_out b;
	size_t i;

	settle_out_init(&b, NULL, 0);
	put(&b, "merchant_id,orders,goods_poisha,dcb_fee_poisha,"
	    "payout_poisha\n");
	for (i = 0; i < t->nmerchants; i++) {
		settle_out_str(&b, t->merchants[i].id);
		settle_out_int(&b, t->merchants[i].orders);
		settle_out_int(&b, t->merchants[i].goods);
		settle_out_int(&b, t->merchants[i].fee);
		settle_out_int(&b, t->merchants[i].payout);
		settle_out_endrow(&b);
	}
	if (add_file(o, "payouts.csv", &b) < 0)
		return SETTLE_ENOMEM;
	settle_out_init(&b, NULL, 0);
	put(&b, "office_code,orders,postage_poisha\n");
	for (i = 0; i < t->noffices; i++) {
		settle_out_str(&b, t->offices[i].code);
		settle_out_int(&b, t->offices[i].orders);
		settle_out_int(&b, t->offices[i].postage);
		settle_out_endrow(&b);
	}
	return add_file(o, "offices.csv", &b);
}

static void
jnum(struct settle_out *b, const char *key, int64_t v, int comma)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "%s\"%s\": %lld", comma ? ", " : "", key,
	    (long long)v);
	put(b, buf);
}

static void
summary_op(struct settle_out *b, const struct settle_report_in *in, int i)
{
	const struct settle_charge_totals *t = &in->ops[i].tot;
	const struct settle_opday *d = &in->day->ops[i];

	put(b, "    \"");
	put(b, in->cf->ops[i].code);
	put(b, "\": {");
	jnum(b, "charges_received", t->records, 0);
	jnum(b, "charges_rejected", t->rejected, 1);
	jnum(b, "matched_groups", d->matched, 1);
	jnum(b, "matched_net", d->matched_net, 1);
	jnum(b, "disputes_raised", d->disputes, 1);
	jnum(b, "disputes_amount", d->disputes_sum, 1);
	jnum(b, "pending_groups", d->pending, 1);
	jnum(b, "pending_net", d->pending_net, 1);
	jnum(b, "mtd_net_before", in->tot->mtd_before[i], 1);
	jnum(b, "operator_share", in->tot->share[i], 1);
	jnum(b, "payable_to_bpo", d->matched_net - in->tot->share[i], 1);
	put(b, i + 1 < in->cf->nops ? "},\n" : "}\n");
}

static int
summary_file(const struct settle_report_in *in, struct settle_outputs *o)
{
	const struct settle_totals *t = in->tot;
	struct settle_out b;
	char date[16];
	size_t n;
	int i;

	settle_out_init(&b, NULL, 0);
	settle_date_fmt(in->date, date);
	put(&b, "{\n  \"business_date\": \"");
	put(&b, date);
	put(&b, "\",\n  \"operators\": {\n");
	for (i = 0; i < in->cf->nops; i++)
		summary_op(&b, in, i);
	put(&b, "  },\n  ");
	for (i = 0, n = 0; i < in->ncharges; i++)
		n += settle_rows_count(&in->charges[i]);
	jnum(&b, "charges", (int64_t)n, 0);
	jnum(&b, "rejects", (int64_t)settle_rows_count(in->rejects), 1);
	jnum(&b, "matches", (int64_t)in->day->nmatches, 1);
	jnum(&b, "disputes", (int64_t)in->day->ndisputes, 1);
	put(&b, ",\n  \"conservation\": {");
	jnum(&b, "matched_net", t->matched_net, 0);
	jnum(&b, "goods", t->goods, 1);
	jnum(&b, "delivery", t->delivery, 1);
	jnum(&b, "postage", t->postage, 1);
	jnum(&b, "operator_share", t->operator_share, 1);
	jnum(&b, "dcb_fee", t->dcb_fee, 1);
	jnum(&b, "merchant_payouts", t->merchant_payouts, 1);
	jnum(&b, "bpo_income", t->bpo_income, 1);
	put(&b, t->ok ? ", \"ok\": true}\n}\n" : ", \"ok\": false}\n}\n");
	return add_file(o, "summary.json", &b);
}

/* Hand the files rendered so far to emit, then free them. */
static int
flush_files(struct settle_outputs *o, settle_emit_fn emit, void *ctx)
{
	int i, rc = 0;

	for (i = 0; i < o->n && rc == 0; i++)
		rc = emit(ctx, &o->f[i]);
	settle_outputs_release(o);
	return rc;
}

int
settle_report_build(const struct settle_report_in *in, settle_emit_fn emit,
    void *ctx, struct settle_err *err)
{
	struct settle_outputs out;
	char name[96];
	int i, rc;

	memset(&out, 0, sizeof(out));
	rc = in->opmatches != NULL ? 0 : matches_file(in, -1, "matches.csv",
	    &out);
	if (rc == 0 && (rc = flush_files(&out, emit, ctx)) == 0)
		rc = disputes_file(in, -1, "disputes.csv", &out);
	for (i = 0; i < in->cf->nops && rc == 0; i++) {
		snprintf(name, sizeof(name), "statement-%s.csv",
		    in->cf->ops[i].code);
		rc = statement_file(in, i, name, &out);
	}
	if (rc == 0)
		rc = payouts_file(in->tot, &out);
	if (rc == 0)
		rc = summary_file(in, &out);
	if (rc == 0)
		rc = flush_files(&out, emit, ctx);
	settle_outputs_release(&out);
	if (rc == SETTLE_ENOMEM)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory rendering the outputs");
	return rc;
}

int
settle_report_bundle_files(const struct settle_report_in *in, int op,
    struct settle_outputs *out, struct settle_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = statement_file(in, op, "statement.csv", out);
	if (rc == 0 && in->opmatches == NULL)
		rc = matches_file(in, op, "matches.csv", out);
	if (rc == 0)
		rc = disputes_file(in, op, "disputes.csv", out);
	if (rc == 0)
		rc = rows_file(out, "rejects.csv", SETTLE_REJECTS_HEADER,
		    &in->ops[op].rejects);
	if (rc < 0)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory rendering a bundle");
	return 0;
}

int
settle_report_match_files(const struct settle_report_in *in,
    struct settle_outputs *out, struct settle_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = matches_file(in, -1, "matches.csv", out);
	if (rc == 0)
		rc = disputes_file(in, -1, "disputes.csv", out);
	return rc < 0 ? settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
	    "out of memory rendering the outputs") : 0;
}

int
settle_report_share_files(const struct settle_report_in *in,
    struct settle_outputs *out, struct settle_err *err)
{
	struct settle_out b;
	int i, rc;

	memset(out, 0, sizeof(*out));
	settle_out_init(&b, NULL, 0);
	put(&b, "operator,matched_groups,matched_net_poisha,mtd_net_before,"
	    "operator_share,payable_to_bpo\n");
	for (i = 0; i < in->cf->nops; i++) {
		settle_out_str(&b, in->cf->ops[i].code);
		settle_out_int(&b, in->day->ops[i].matched);
		settle_out_int(&b, in->day->ops[i].matched_net);
		settle_out_int(&b, in->tot->mtd_before[i]);
		settle_out_int(&b, in->tot->share[i]);
		settle_out_int(&b, in->day->ops[i].matched_net -
		    in->tot->share[i]);
		settle_out_endrow(&b);
	}
	rc = add_file(out, "shares.csv", &b);
	if (rc == 0)
		rc = payouts_file(in->tot, out);
	return rc < 0 ? settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
	    "out of memory rendering the outputs") : 0;
}
