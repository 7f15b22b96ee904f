/*
 * Unit tests for lib/engine: the matching rules of SPEC §5.  Groups by
 * reference, EXACT / SPLIT / FUZZY matches, the per-charge cap, FAILED
 * records, the classification table rows 1 to 11 with their dispute
 * amounts, windows and their exact boundary, order updates, late records
 * and reopened groups, the fields of a dispute, the per-operator figures of
 * struct settle_day, and "nothing dropped".
 *
 * Every test drives one engine through whole business dates as settle run
 * does: settle_engine_begin, order rows, charge records, settle_engine_close.
 * After every close a ledger of the successful records fed so far is checked
 * against the matches and disputes raised so far and the pending groups: a
 * record is in at most one of them, a record with an empty reference or over
 * the cap in exactly one, and the records that are in none (closed groups)
 * net to 0 per reference, since every closed row of the table has net 0.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "charges.h"
#include "config.h"
#include "engine.h"
#include "orders.h"
#include "state.h"
#include "timefmt.h"

#define MA "8801712345678"
#define MB "8801712345679"
#define MC "8801812345670"
#define MD "8801912345671"

static struct settle_config cf;
static struct settle_engine eng;
static struct settle_day day;
/* Slots for the views of the day's matches (match_at()). */
#define VIEWS 8
static struct settle_match view[VIEWS];
static char *view_ids[VIEWS];
static size_t view_cap[VIEWS];
static int nview;
static const struct settle_match *match_at(size_t i);
static int64_t today = -1;

/* One successful record fed to the engine, and where it was found. */
struct lrec {
	char id[32];
	char ref[48];
	int64_t sgn;		/* + a charge's amount, - a refund's */
	int cap;		/* a charge over the cap */
	int in_match, in_dispute;	/* over every day closed so far */
};

#define LEDGER_MAX 4096
static struct lrec ledger[LEDGER_MAX];
static int nledger;

static void
config_fill(struct settle_config *c)
{
	static const char *const codes[] = { "BL", "GP", "ROBI", "TT" };
	static const struct settle_tier tiers[4][2] = {
		{ { INT64_C(200000000), 1100 }, { -1, 900 } },
		{ { INT64_C(100000000), 1200 }, { -1, 1000 } },
		{ { INT64_C(50000000), 1500 }, { -1, 1250 } },
		{ { -1, 1000 }, { 0, 0 } },
	};
	int i;

	memset(c, 0, sizeof(*c));
	c->window_hours = 72;
	c->dedup_days = 80;
	c->cap = 50000;
	c->dcb_fee_bps = 1500;
	c->nops = 4;
	for (i = 0; i < 4; i++) {
		snprintf(c->ops[i].code, sizeof(c->ops[i].code), "%s",
		    codes[i]);
		memcpy(c->ops[i].tiers, tiers[i], sizeof(tiers[i]));
		c->ops[i].ntiers = i == 3 ? 1 : 2;
	}
}

static void
setup(void)
{
	config_fill(&cf);
	settle_engine_init(&eng, &cf);
	settle_day_init(&day, 0);
	today = -1;
	nledger = 0;
}

static void
teardown(void)
{
	int k;

	settle_day_release(&day);
	settle_engine_release(&eng);
	for (k = 0; k < VIEWS; k++) {
		free(view_ids[k]);
		view_ids[k] = NULL;
		view_cap[k] = 0;
	}
}

TestSuite(engine, .init = setup, .fini = teardown);

/* ---- dates, times and operators ---- */

static int64_t
date_of(const char *ymd)
{
	int64_t d;

	cr_assert_eq(settle_date_parse(ymd, &d), 0, "bad test date '%s'", ymd);
	return d;
}

/* A local (+06:00) instant written "YYYY-MM-DDTHH:MM:SS". */
static int64_t
lt(const char *s)
{
	char buf[40];
	int64_t t;

	snprintf(buf, sizeof(buf), "%s+06:00", s);
	cr_assert_eq(settle_time_parse_iso(buf, strlen(buf), &t), 0,
	    "bad test time '%s'", s);
	return t;
}

static int
opi(const char *op)
{
	int i = settle_config_op(&cf, op, strlen(op));

	cr_assert_geq(i, 0, "operator %s not configured", op);
	return i;
}

/* ---- feeding the engine ---- */

static void
begin(const char *ymd)
{
	today = date_of(ymd);
	settle_day_release(&day);
	settle_day_init(&day, today);
	settle_engine_begin(&eng, today);
}

static void
order_ecab(const char *ref, const char *merchant, const char *msisdn,
    const char *op, int64_t goods, int64_t delivery, const char *at,
    int status)
{
	struct settle_order o;

	memset(&o, 0, sizeof(o));
	o.kind = SO_ECAB;
	o.ref = ref;
	o.ref_len = strlen(ref);
	o.merchant = merchant;
	o.merchant_len = strlen(merchant);
	snprintf(o.msisdn, sizeof(o.msisdn), "%s", msisdn);
	snprintf(o.op, sizeof(o.op), "%s", op);
	o.goods = goods;
	o.delivery = delivery;
	o.payable = goods + delivery;
	o.at = lt(at);
	o.status = status;
	o.tracking = "";
	o.file = "ecab_orders.csv";
	o.line = 2;
	cr_assert_eq(settle_engine_order(&eng, &o), 0, "order %s", ref);
}

static void
order_bpo(const char *ref, const char *office, const char *msisdn,
    const char *op, int64_t postage, const char *at, int status)
{
	struct settle_order o;

	memset(&o, 0, sizeof(o));
	o.kind = SO_BPO;
	o.ref = ref;
	o.ref_len = strlen(ref);
	o.merchant = "";
	snprintf(o.office, sizeof(o.office), "%s", office);
	snprintf(o.msisdn, sizeof(o.msisdn), "%s", msisdn);
	snprintf(o.op, sizeof(o.op), "%s", op);
	o.service = "PARCEL";
	o.postage = postage;
	o.payable = postage;
	o.at = lt(at);
	o.status = status;
	o.file = "bpo_orders.csv";
	o.line = 2;
	cr_assert_eq(settle_engine_order(&eng, &o), 0, "order %s", ref);
}

static void
record(const char *op, const char *id, const char *msisdn, int64_t amount,
    int64_t at, const char *ref, int kind, int status)
{
	struct settle_charge c;
	struct lrec *l;

	memset(&c, 0, sizeof(c));
	c.op = op;
	c.id = id;
	c.id_len = strlen(id);
	snprintf(c.msisdn, sizeof(c.msisdn), "%s", msisdn);
	c.amount = amount;
	c.at = at;
	c.ref = ref;
	c.ref_len = strlen(ref);
	c.kind = kind;
	c.status = status;
	c.file = "charges";
	c.line = 2;
	cr_assert_eq(settle_engine_charge(&eng, &c, &day), 0, "charge %s",
	    id);
	if (status != SS_SUCCESS)
		return;
	cr_assert_lt(nledger, LEDGER_MAX);
	l = &ledger[nledger++];
	memset(l, 0, sizeof(*l));
	snprintf(l->id, sizeof(l->id), "%s", id);
	snprintf(l->ref, sizeof(l->ref), "%s", ref);
	l->sgn = kind == SK_CHARGE ? amount : -amount;
	l->cap = kind == SK_CHARGE && amount > cf.cap;
}

/* A successful charge, a successful refund, a failed charge. */
static void
chg(const char *op, const char *id, const char *msisdn, int64_t amount,
    const char *at, const char *ref)
{
	record(op, id, msisdn, amount, lt(at), ref, SK_CHARGE, SS_SUCCESS);
}

static void
rfd(const char *op, const char *id, const char *msisdn, int64_t amount,
    const char *at, const char *ref)
{
	record(op, id, msisdn, amount, lt(at), ref, SK_REFUND, SS_SUCCESS);
}

/* ---- the ledger ---- */

static struct lrec *
ledger_find(const char *id, size_t len)
{
	int i;

	for (i = 0; i < nledger; i++)
		if (strlen(ledger[i].id) == len &&
		    memcmp(ledger[i].id, id, len) == 0)
			return &ledger[i];
	return NULL;
}

/* Count each id of a ';'-joined list into the ledger. */
static void
ledger_mark(const char *ids, int dispute)
{
	const char *p = ids, *q;
	struct lrec *l;

	while (*p != '\0') {
		q = strchr(p, ';');
		if (q == NULL)
			q = p + strlen(p);
		l = ledger_find(p, (size_t)(q - p));
		cr_assert_not_null(l, "unknown or failed record '%.*s' in a "
		    "%s", (int)(q - p), p, dispute ? "dispute" : "match");
		if (dispute)
			l->in_dispute++;
		else
			l->in_match++;
		p = *q == ';' ? q + 1 : q;
	}
}

/* How many times id is a record of a pending group. */
static int
pending_count(const char *id)
{
	size_t i, j;
	int n = 0;

	for (i = 0; i < eng.npending; i++)
		for (j = 0; j < eng.pending[i]->n; j++)
			n += strcmp(eng.pending[i]->recs[j].id, id) == 0;
	return n;
}

/* Where a record is now: 'M', 'D', 'P', or 'C' (a closed group). */
static char
where(const char *id)
{
	const struct lrec *l = ledger_find(id, strlen(id));

	cr_assert_not_null(l, "no record '%s' fed", id);
	if (l->in_match)
		return 'M';
	if (l->in_dispute)
		return 'D';
	return pending_count(id) > 0 ? 'P' : 'C';
}

static void
ledger_check(void)
{
	int i, j, total;
	int64_t missing;

	for (i = 0; i < nledger; i++) {
		const struct lrec *l = &ledger[i];

		total = l->in_match + l->in_dispute + pending_count(l->id);
		cr_assert_leq(total, 1, "record %s is in %d places", l->id,
		    total);
		if (l->cap)
			cr_assert(l->in_dispute == 1 && total == 1,
			    "over-cap record %s not in one dispute", l->id);
		if (l->ref[0] == '\0')
			cr_assert_eq(total, 1, "record %s with an empty "
			    "reference is nowhere", l->id);
	}
	for (i = 0; i < nledger; i++) {
		if (ledger[i].ref[0] == '\0')
			continue;
		missing = 0;
		for (j = 0; j < nledger; j++)
			if (strcmp(ledger[j].ref, ledger[i].ref) == 0 &&
			    ledger[j].in_match + ledger[j].in_dispute +
			    pending_count(ledger[j].id) == 0)
				missing += ledger[j].sgn;
		cr_assert_eq(missing, 0, "reference %s: records in no group "
		    "net %lld, not 0", ledger[i].ref, (long long)missing);
	}
}

/*
 * Close the day, then check the figures of struct settle_day against its
 * matches, disputes and the pending groups, and the ledger.
 */
static void
close_day(void)
{
	long m = 0, x = 0, p = 0;
	size_t i;
	int k;

	cr_assert_eq(settle_engine_close(&eng, &day), 0);
	for (i = 0; i < day.nmatches; i++)
		ledger_mark(match_at(i)->charge_ids, 0);
	for (i = 0; i < day.ndisputes; i++)
		ledger_mark(day.disputes[i].charge_ids, 1);
	for (k = 0; k < SETTLE_MAX_OPS; k++) {
		m += day.ops[k].matched;
		x += day.ops[k].disputes;
		p += day.ops[k].pending;
	}
	cr_assert_eq((size_t)m, day.nmatches, "matched counts");
	cr_assert_eq((size_t)x, day.ndisputes, "dispute counts");
	cr_assert_eq((size_t)p, settle_engine_npending(&eng), "pending counts");
	ledger_check();
}

/* Run every date after today through last, each with no outcome. */
static void
quiet_through(const char *last)
{
	int64_t end = date_of(last);
	char ymd[16];

	while (today < end) {
		settle_date_fmt(today + 1, ymd);
		begin(ymd);
		close_day();
		cr_assert_eq(day.nmatches, 0, "%s: unexpected match %s", ymd,
		    day.nmatches ? match_at(0)->order_ref : "");
		cr_assert_eq(day.ndisputes, 0, "%s: unexpected dispute %s %s",
		    ymd, day.ndisputes ? settle_dispute_name(
		    day.disputes[0].reason) : "", day.ndisputes ?
		    day.disputes[0].order_ref : "");
	}
}

/* Run the quiet dates up to the one before ymd, then ymd itself. */
static void
run_to(const char *ymd)
{
	char prev[16];

	settle_date_fmt(date_of(ymd) - 1, prev);
	quiet_through(prev);
	begin(ymd);
	close_day();
}

/* ---- looking at a day's outcomes ---- */

/*
 * The day's match i as settle_day_match() gives it, in one of a few slots
 * (with its charge ids) that stay valid while a test looks at several.
 */

static const struct settle_match *
match_at(size_t i)
{
	int k = nview++ % VIEWS;
	const struct settle_match *m;

	m = settle_day_match(&day, i, &view[k], &view_ids[k], &view_cap[k]);
	cr_assert_not_null(m->charge_ids);
	return m;
}

static const struct settle_match *
match_for(const char *ref)
{
	struct settle_match m;
	size_t i, hit = 0, n = 0;

	for (i = 0; i < day.nmatches; i++)
		if (strcmp(settle_day_match(&day, i, &m, NULL, NULL)->order_ref,
		    ref) == 0) {
			hit = i;
			n++;
		}
	cr_assert_leq(n, 1, "two matches for %s", ref);
	cr_assert_eq(n, 1, "no match for '%s' (%zu matches)", ref,
	    day.nmatches);
	return match_at(hit);
}

/* The one dispute whose charge_ids are ids, or the order_ref when ids NULL. */
static const struct settle_dispute *
dispute_for(const char *ref, const char *ids)
{
	const struct settle_dispute *hit = NULL;
	size_t i;

	for (i = 0; i < day.ndisputes; i++) {
		const struct settle_dispute *x = &day.disputes[i];

		if (strcmp(x->order_ref, ref) != 0 ||
		    (ids != NULL && strcmp(x->charge_ids, ids) != 0))
			continue;
		cr_assert_null(hit, "two disputes for '%s' '%s'", ref,
		    ids ? ids : "");
		hit = x;
	}
	cr_assert_not_null(hit, "no dispute for '%s' '%s' (%zu disputes)",
	    ref, ids ? ids : "", day.ndisputes);
	return hit;
}

static void
expect_dispute(const struct settle_dispute *x, int reason, const char *op,
    const char *msisdn, int64_t amount)
{
	cr_expect_str_eq(settle_dispute_name(x->reason),
	    settle_dispute_name(reason), "dispute %s '%s'", x->order_ref,
	    x->charge_ids);
	cr_expect_str_eq(x->op, op, "dispute %s operator", x->order_ref);
	cr_expect_str_eq(x->msisdn, msisdn, "dispute %s msisdn",
	    x->order_ref);
	cr_expect_eq(x->amount, amount, "dispute %s '%s': amount %lld, want "
	    "%lld", x->order_ref, x->charge_ids, (long long)x->amount,
	    (long long)amount);
	cr_expect_not_null(x->detail);
	if (x->detail != NULL)
		cr_expect_neq(x->detail[0], '\0', "dispute %s: empty detail",
		    x->order_ref);
}

static int
contains(const char *s, const char *w)
{
	return s != NULL && strstr(s, w) != NULL;
}

/* ================= matches ================= */

Test(engine, exact_one_charge_matches_order)
{
	const struct settle_match *m;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00012345", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T13:59:01", SP_PAID);
	order_bpo("EE123456785BD", "1207", MB, "GP", 8500,
	    "2026-11-26T10:01:02", SP_PENDING);
	chg("GP", "GP7000000001", MA, 12550, "2026-11-26T14:05:09",
	    "ECAB-0042-00012345");
	chg("GP", "GP7000000002", MB, 8500, "2026-11-26T10:05:00",
	    "EE123456785BD");
	close_day();

	cr_assert_eq(day.nmatches, 2);
	cr_assert_eq(day.ndisputes, 0);
	m = match_for("ECAB-0042-00012345");
	cr_expect_eq(m->match, SM_EXACT);
	cr_expect_eq(m->kind, SO_ECAB);
	cr_expect_str_eq(m->op, "GP");
	cr_expect_str_eq(m->msisdn, MA);
	cr_expect_eq(m->payable, 12550);
	cr_expect_eq(m->net, 12550);
	cr_expect_str_eq(m->charge_ids, "GP7000000001");
	cr_assert_not_null(m->merchant);
	cr_expect_str_eq(m->merchant, "ECAB-0042");
	cr_expect_eq(m->goods, 11500);
	cr_expect_eq(m->delivery, 1050);
	cr_expect_eq(m->postage, 0);

	/* A PENDING order matches as well as a PAID one. */
	m = match_for("EE123456785BD");
	cr_expect_eq(m->match, SM_EXACT);
	cr_expect_eq(m->kind, SO_BPO);
	cr_expect_str_eq(m->office, "1207");
	cr_expect_eq(m->postage, 8500);
	cr_expect_eq(m->payable, 8500);
	cr_expect_null(m->merchant);

	cr_expect_eq(day.ops[opi("GP")].matched, 2);
	cr_expect_eq(day.ops[opi("GP")].matched_net, 21050);
	cr_expect_eq(settle_engine_npending(&eng), 0);
}

Test(engine, split_several_charges_in_charge_order)
{
	const struct settle_match *m;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000001", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	/* Fed out of charge order: the ids come back by time, then id. */
	chg("GP", "GP-B", MA, 5000, "2026-11-26T14:10:00",
	    "ECAB-0042-00000001");
	chg("GP", "GP-C", MA, 3550, "2026-11-26T14:05:00",
	    "ECAB-0042-00000001");
	chg("GP", "GP-A", MA, 4000, "2026-11-26T14:05:00",
	    "ECAB-0042-00000001");
	close_day();

	cr_assert_eq(day.nmatches, 1);
	m = match_for("ECAB-0042-00000001");
	cr_expect_eq(m->match, SM_SPLIT);
	cr_expect_eq(m->net, 12550);
	cr_expect_str_eq(m->charge_ids, "GP-A;GP-C;GP-B");
	cr_expect_eq(day.ndisputes, 0);
}

Test(engine, split_with_a_refund_inside)
{
	const struct settle_match *m;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000002", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 10000, "2026-11-26T10:00:00",
	    "ECAB-0042-00000002");
	rfd("GP", "GP-3", MA, 2450, "2026-11-26T10:10:00",
	    "ECAB-0042-00000002");
	chg("GP", "GP-2", MA, 5000, "2026-11-26T10:05:00",
	    "ECAB-0042-00000002");
	close_day();

	cr_assert_eq(day.nmatches, 1);
	m = match_for("ECAB-0042-00000002");
	cr_expect_eq(m->match, SM_SPLIT);
	cr_expect_eq(m->net, 12550);
	cr_expect_eq(m->payable, 12550);
	cr_expect_str_eq(m->charge_ids, "GP-1;GP-2;GP-3");
}

Test(engine, exact_counts_charges_not_records)
{
	const struct settle_match *m;

	begin("2026-11-26");
	order_bpo("EE000000001BD", "1207", MA, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 10000, "2026-11-26T10:00:00", "EE000000001BD");
	rfd("GP", "GP-2", MA, 1500, "2026-11-26T10:05:00", "EE000000001BD");
	close_day();

	m = match_for("EE000000001BD");
	cr_expect_eq(m->match, SM_EXACT, "one charge and a refund: %s",
	    settle_match_name(m->match));
	cr_expect_str_eq(m->charge_ids, "GP-1;GP-2");
}

Test(engine, match_waits_for_the_rest_of_a_split)
{
	const struct settle_match *m;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000003", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 5000, "2026-11-26T10:00:00",
	    "ECAB-0042-00000003");
	close_day();
	cr_assert_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 0);
	cr_expect_eq(day.ops[opi("GP")].pending, 1);
	cr_expect_eq(day.ops[opi("GP")].pending_net, 5000);
	cr_expect_eq(where("GP-1"), 'P');

	begin("2026-11-27");
	chg("GP", "GP-2", MA, 7550, "2026-11-27T10:00:00",
	    "ECAB-0042-00000003");
	close_day();
	m = match_for("ECAB-0042-00000003");
	cr_expect_eq(m->match, SM_SPLIT);
	cr_expect_str_eq(m->charge_ids, "GP-1;GP-2");
	cr_expect_eq(day.ops[opi("GP")].matched_net, 12550);
	cr_expect_eq(day.ops[opi("GP")].pending, 0);
}

/* ================= fuzzy ================= */

Test(engine, fuzzy_one_candidate)
{
	const struct settle_match *m;

	begin("2026-11-26");
	chg("GP", "GP-F1", MA, 8500, "2026-11-26T11:00:00", "");
	close_day();
	begin("2026-11-27");
	order_bpo("EE100000001BD", "1207", MA, "GP", 8500,
	    "2026-11-27T10:00:00", SP_PAID);
	close_day();
	/* The seeker's window closes on 11-29, the order's on 11-30. */
	run_to("2026-11-29");

	cr_assert_eq(day.nmatches, 1);
	cr_assert_eq(day.ndisputes, 0, "dispute %s",
	    day.ndisputes ? day.disputes[0].detail : "");
	m = match_for("EE100000001BD");
	cr_expect_eq(m->match, SM_FUZZY);
	cr_expect_str_eq(m->charge_ids, "GP-F1");
	cr_expect_eq(m->net, 8500);
	cr_expect_eq(m->payable, 8500);
	cr_expect_eq(m->kind, SO_BPO);
	cr_expect_str_eq(m->office, "1207");
	cr_expect_str_eq(m->msisdn, MA);
	cr_expect_eq(day.ops[opi("GP")].matched_net, 8500);
	cr_expect_eq(settle_engine_npending(&eng),
	    0, "the taken order still waits");
}

Test(engine, fuzzy_two_candidates_is_ambiguous)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	chg("GP", "GP-S1", MA, 8500, "2026-11-26T10:00:00", "");
	close_day();
	begin("2026-11-27");
	order_bpo("EE100000002BD", "1207", MA, "GP", 8500,
	    "2026-11-27T09:00:00", SP_PAID);
	order_ecab("ECAB-0042-00000010", "ECAB-0042", MA, "GP", 8000, 500,
	    "2026-11-27T09:30:00", SP_PENDING);
	close_day();
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 1);
	x = dispute_for("", "GP-S1");
	expect_dispute(x, SD_CHARGE_NO_ORDER, "GP", MA, 8500);
	cr_expect(contains(x->detail, "ambiguous"), "detail '%s'", x->detail);
	/* Both orders still wait for their own windows. */
	cr_expect_eq(settle_engine_npending(&eng), 2);
}

Test(engine, fuzzy_takes_a_candidate_closing_in_the_same_run)
{
	const struct settle_match *m;

	begin("2026-11-26");
	order_bpo("EE100000003BD", "1207", MA, "GP", 8500,
	    "2026-11-26T00:30:00", SP_PAID);
	chg("GP", "GP-S1", MA, 8500, "2026-11-26T23:00:00", "");
	close_day();
	/* Order and seeker both close on 11-29. */
	run_to("2026-11-29");

	cr_expect_eq(day.ndisputes, 0, "%s", day.ndisputes ?
	    settle_dispute_name(day.disputes[0].reason) : "");
	cr_assert_eq(day.nmatches, 1);
	m = match_for("EE100000003BD");
	cr_expect_eq(m->match, SM_FUZZY);
	cr_expect_str_eq(m->charge_ids, "GP-S1");
}

Test(engine, fuzzy_candidate_must_still_be_pending)
{
	const struct settle_dispute *x;

	begin("2026-11-25");
	order_bpo("EE100000004BD", "1207", MA, "GP", 8500,
	    "2026-11-25T10:00:00", SP_PAID);
	close_day();
	begin("2026-11-26");
	chg("GP", "GP-S1", MA, 8500, "2026-11-26T11:00:00", "");
	close_day();
	run_to("2026-11-28");
	x = dispute_for("EE100000004BD", NULL);
	expect_dispute(x, SD_ORDER_NO_CHARGE, "GP", MA, 8500);

	run_to("2026-11-29");
	cr_expect_eq(day.nmatches, 0);
	x = dispute_for("", "GP-S1");
	expect_dispute(x, SD_CHARGE_NO_ORDER, "GP", MA, 8500);
}

Test(engine, fuzzy_candidate_conditions)
{
	const struct settle_match *m;

	begin("2026-11-26");
	/* Each seeker has one near-candidate that fails one condition. */
	order_bpo("EE200000001BD", "1207", MA, "GP", 8500,
	    "2026-11-26T09:00:00", SP_CANCELLED);
	chg("GP", "S-CANCELLED", MA, 8500, "2026-11-26T10:00:00", "");
	order_bpo("EE200000002BD", "1207", MB, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "HAS-RECORD", MB, 1000, "2026-11-26T09:10:00",
	    "EE200000002BD");
	chg("GP", "S-RECORDS", MB, 8500, "2026-11-26T10:00:00", "");
	order_bpo("EE200000003BD", "1207", MC, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "S-PAYABLE", MC, 8400, "2026-11-26T10:00:00", "");
	order_bpo("EE200000004BD", "1207", MD, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "S-MSISDN", "8801512345672", 8500, "2026-11-26T10:00:00",
	    "");
	/* Two MSISDNs, or two operators, in the seeker: no fuzzy match. */
	order_bpo("EE200000005BD", "1207", "8801312345673", "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "S-2MSISDN-1", "8801312345673", 4000,
	    "2026-11-26T10:00:00", "BAD-REF-1");
	chg("GP", "S-2MSISDN-2", "8801312345674", 4500,
	    "2026-11-26T10:01:00", "BAD-REF-1");
	order_bpo("EE200000006BD", "1207", "8801412345675", "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "S-2OP-1", "8801412345675", 4000, "2026-11-26T10:00:00",
	    "BAD-REF-2");
	chg("BL", "S-2OP-2", "8801412345675", 4500, "2026-11-26T10:01:00",
	    "BAD-REF-2");
	/* The control: a PENDING order-only candidate is taken. */
	order_bpo("EE200000007BD", "1207", "8801612345676", "GP", 8500,
	    "2026-11-26T09:00:00", SP_PENDING);
	chg("GP", "S-OK", "8801612345676", 8500, "2026-11-26T10:00:00", "");
	close_day();
	run_to("2026-11-29");

	cr_assert_eq(day.nmatches, 1);
	m = match_for("EE200000007BD");
	cr_expect_eq(m->match, SM_FUZZY);
	cr_expect_str_eq(m->charge_ids, "S-OK");
	cr_expect_str_eq(settle_dispute_name(dispute_for("",
	    "S-CANCELLED")->reason), "CHARGE_NO_ORDER");
	cr_expect_str_eq(settle_dispute_name(dispute_for("",
	    "S-RECORDS")->reason), "CHARGE_NO_ORDER");
	cr_expect_str_eq(settle_dispute_name(dispute_for("",
	    "S-PAYABLE")->reason), "CHARGE_NO_ORDER");
	cr_expect_str_eq(settle_dispute_name(dispute_for("",
	    "S-MSISDN")->reason), "CHARGE_NO_ORDER");
	cr_expect_str_eq(settle_dispute_name(dispute_for("BAD-REF-1",
	    NULL)->reason), "CHARGE_NO_ORDER");
	cr_expect_str_eq(settle_dispute_name(dispute_for("BAD-REF-2",
	    NULL)->reason), "CHARGE_NO_ORDER");
	/* The near-candidates end by their own rows. */
	cr_expect_str_eq(settle_dispute_name(dispute_for("EE200000002BD",
	    NULL)->reason), "AMOUNT_MISMATCH");
	cr_expect_str_eq(settle_dispute_name(dispute_for("EE200000003BD",
	    NULL)->reason), "ORDER_NO_CHARGE");
	cr_expect_eq(day.ndisputes, 11);
}

Test(engine, fuzzy_seekers_try_in_charge_order_of_first_records)
{
	const struct settle_dispute *x;
	const struct settle_match *m;

	begin("2026-11-26");
	/* Fed later-first: the earlier charge must win. */
	chg("GP", "GP-S2", MA, 8500, "2026-11-26T12:00:00", "");
	chg("GP", "GP-S1", MA, 8500, "2026-11-26T11:00:00", "");
	close_day();
	begin("2026-11-27");
	order_bpo("EE100000005BD", "1207", MA, "GP", 8500,
	    "2026-11-27T10:00:00", SP_PAID);
	close_day();
	run_to("2026-11-29");

	cr_assert_eq(day.nmatches, 1);
	m = match_for("EE100000005BD");
	cr_expect_eq(m->match, SM_FUZZY);
	cr_expect_str_eq(m->charge_ids, "GP-S1");
	cr_assert_eq(day.ndisputes, 1);
	x = dispute_for("", "GP-S2");
	expect_dispute(x, SD_CHARGE_NO_ORDER, "GP", MA, 8500);
	cr_expect(!contains(x->detail, "ambiguous"),
	    "a taken candidate is no longer one: '%s'", x->detail);
}

Test(engine, fuzzy_seekers_tie_on_time_by_operator_then_id)
{
	const struct settle_match *m;

	begin("2026-11-26");
	/* Same instant: BL before GP by operator, then "150" before "200". */
	chg("GP", "100", MA, 8500, "2026-11-26T11:00:00", "");
	chg("BL", "200", MA, 8500, "2026-11-26T11:00:00", "");
	chg("BL", "150", MA, 8500, "2026-11-26T11:00:00", "");
	close_day();
	begin("2026-11-27");
	order_bpo("EE100000006BD", "1207", MA, "GP", 8500,
	    "2026-11-27T10:00:00", SP_PAID);
	close_day();
	run_to("2026-11-29");

	cr_assert_eq(day.nmatches, 1);
	m = match_for("EE100000006BD");
	cr_expect_str_eq(m->charge_ids, "150");
	cr_expect_str_eq(m->op, "BL");
	cr_expect_eq(day.ops[opi("BL")].matched, 1);
	cr_expect_eq(day.ndisputes, 2);
	cr_expect_eq(dispute_for("", "100")->reason, SD_CHARGE_NO_ORDER);
	cr_expect_eq(dispute_for("", "200")->reason, SD_CHARGE_NO_ORDER);
}

Test(engine, fuzzy_candidate_time_bound)
{
	const struct settle_match *m;

	begin("2026-11-26");
	chg("GP", "GP-SA", MA, 8500, "2026-11-26T12:00:00", "");
	chg("GP", "GP-SB", MB, 8500, "2026-11-26T12:00:00", "");
	close_day();
	quiet_through("2026-11-28");
	/*
	 * Rows sent late, on the seekers' closing day: one booked a second
	 * before window_hours ahead of the seeker's first record, one
	 * exactly window_hours ahead.
	 */
	begin("2026-11-29");
	order_bpo("EE100000007BD", "1207", MA, "GP", 8500,
	    "2026-11-23T11:59:59", SP_PAID);
	order_bpo("EE100000008BD", "1207", MB, "GP", 8500,
	    "2026-11-23T12:00:00", SP_PAID);
	close_day();

	cr_assert_eq(day.nmatches, 1);
	m = match_for("EE100000008BD");
	cr_expect_eq(m->match, SM_FUZZY);
	cr_expect_str_eq(m->charge_ids, "GP-SB");
	expect_dispute(dispute_for("", "GP-SA"), SD_CHARGE_NO_ORDER, "GP", MA,
	    8500);
	expect_dispute(dispute_for("EE100000007BD", NULL), SD_ORDER_NO_CHARGE,
	    "GP", MA, 8500);
	cr_expect_eq(day.ndisputes, 2);
}

Test(engine, fuzzy_binds_the_order_reference_only)
{
	const struct settle_dispute *x;
	const struct settle_match *m;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00012345", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-M1", MA, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-0001234X");
	close_day();
	run_to("2026-11-29");
	m = match_for("ECAB-0042-00012345");
	cr_expect_eq(m->match, SM_FUZZY);
	cr_expect_str_eq(m->charge_ids, "GP-M1");

	begin("2026-11-30");
	chg("GP", "GP-M2", MA, 12550, "2026-11-30T10:00:00",
	    "ECAB-0042-0001234X");
	chg("GP", "GP-M3", MA, 12550, "2026-11-30T10:00:00",
	    "ECAB-0042-00012345");
	close_day();
	cr_expect_eq(day.nmatches, 0);
	cr_expect_eq(settle_engine_npending(&eng), 2);
	run_to("2026-12-03");

	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 2);
	/* The mistyped reference starts an ordinary group (row 2a) ... */
	x = dispute_for("ECAB-0042-0001234X", NULL);
	expect_dispute(x, SD_CHARGE_NO_ORDER, "GP", MA, 12550);
	cr_expect_str_eq(x->charge_ids, "GP-M2");
	/* ... the order's own reference has matched: reopened (row 4). */
	x = dispute_for("ECAB-0042-00012345", NULL);
	expect_dispute(x, SD_AMOUNT_MISMATCH, "GP", MA, 12550);
	cr_expect_str_eq(x->charge_ids, "GP-M3");
}

/* ================= cap and failed records ================= */

Test(engine, cap_exceeded_is_raised_at_once_and_not_grouped)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000020", "ECAB-0042", MA, "GP", 45001, 5000,
	    "2026-11-26T10:00:00", SP_PAID);
	chg("GP", "GP-C1", MA, 50001, "2026-11-26T10:05:00",
	    "ECAB-0042-00000020");
	/* Raised in the charge's run, before the day is closed. */
	cr_assert_eq(day.ndisputes, 1);
	x = &day.disputes[0];
	expect_dispute(x, SD_CAP_EXCEEDED, "GP", MA, 50001);
	cr_expect_str_eq(x->charge_ids, "GP-C1");
	cr_expect_str_eq(x->order_ref, "ECAB-0042-00000020");
	close_day();

	cr_expect_eq(day.nmatches, 0);
	cr_expect_eq(day.ndisputes, 1);
	cr_expect_eq(day.ops[opi("GP")].disputes, 1);
	cr_expect_eq(day.ops[opi("GP")].disputes_sum, 50001);
	/* The order waits alone: the capped charge is in no group. */
	cr_expect_eq(day.ops[opi("GP")].pending, 1);
	cr_expect_eq(day.ops[opi("GP")].pending_net, 0);
	cr_assert_eq(settle_engine_npending(&eng), 1);
	cr_expect_eq(eng.npending, 0, "an order with no record has a group");
	cr_expect_eq(eng.nwaiting, 1);

	run_to("2026-11-29");
	x = dispute_for("ECAB-0042-00000020", NULL);
	expect_dispute(x, SD_ORDER_NO_CHARGE, "GP", MA, 50001);
	cr_expect_str_eq(x->charge_ids, "");
}

Test(engine, cap_exactly_the_cap_is_grouped)
{
	begin("2026-11-26");
	order_bpo("EE300000001BD", "1207", MA, "GP", 50000,
	    "2026-11-26T10:00:00", SP_PAID);
	order_bpo("EE300000002BD", "1207", MA, "GP", 100000,
	    "2026-11-26T10:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 50000, "2026-11-26T10:05:00", "EE300000001BD");
	chg("GP", "GP-2", MA, 50000, "2026-11-26T10:05:00", "EE300000002BD");
	chg("GP", "GP-3", MA, 50000, "2026-11-26T10:06:00", "EE300000002BD");
	close_day();

	cr_expect_eq(day.ndisputes, 0);
	cr_assert_eq(day.nmatches, 2);
	cr_expect_eq(match_for("EE300000001BD")->match, SM_EXACT);
	cr_expect_eq(match_for("EE300000002BD")->match, SM_SPLIT);
}

Test(engine, cap_refunds_are_never_capped)
{
	const struct settle_match *m;

	begin("2026-11-26");
	order_bpo("EE300000003BD", "1207", MA, "GP", 40000,
	    "2026-11-26T10:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 50000, "2026-11-26T10:05:00", "EE300000003BD");
	chg("GP", "GP-2", MA, 50000, "2026-11-26T10:06:00", "EE300000003BD");
	rfd("GP", "GP-3", MA, 60000, "2026-11-26T10:07:00", "EE300000003BD");
	close_day();

	cr_expect_eq(day.ndisputes, 0);
	m = match_for("EE300000003BD");
	cr_expect_eq(m->match, SM_SPLIT);
	cr_expect_eq(m->net, 40000);
	cr_expect_str_eq(m->charge_ids, "GP-1;GP-2;GP-3");
}

Test(engine, failed_records_never_move_money)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000030", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T10:00:00", SP_PAID);
	record("GP", "GP-F1", MA, 12550, lt("2026-11-26T10:05:00"),
	    "ECAB-0042-00000030", SK_CHARGE, SS_FAILED);
	record("GP", "GP-F2", MA, 90000, lt("2026-11-26T10:06:00"),
	    "ECAB-0042-00000030", SK_CHARGE, SS_FAILED);
	record("GP", "GP-F3", MA, 500, lt("2026-11-26T10:07:00"),
	    "ECAB-0042-00000030", SK_REFUND, SS_FAILED);
	record("GP", "GP-F4", MB, 7000, lt("2026-11-26T10:08:00"),
	    "ECAB-9999-00000001", SK_CHARGE, SS_FAILED);
	record("BL", "BL-F5", MB, 7000, lt("2026-11-26T10:09:00"), "",
	    SK_CHARGE, SS_FAILED);
	cr_expect_eq(day.ndisputes, 0, "a failed charge over the cap");
	close_day();

	cr_expect_eq(day.nmatches, 0);
	cr_expect_eq(day.ndisputes, 0);
	cr_expect_eq(settle_engine_npending(&eng),
	    1, "failed records made groups");
	cr_expect_eq(day.ops[opi("GP")].pending, 1);
	cr_expect_eq(day.ops[opi("GP")].pending_net, 0);
	cr_expect_eq(day.ops[opi("BL")].pending, 0);

	run_to("2026-11-29");
	cr_assert_eq(day.ndisputes, 1);
	x = dispute_for("ECAB-0042-00000030", NULL);
	expect_dispute(x, SD_ORDER_NO_CHARGE, "GP", MA, 12550);
	cr_expect_str_eq(x->charge_ids, "");
}

/* ================= the classification table ================= */

/* Every row test: records and orders on 11-26, windows closing 11-29. */

Test(engine, row1_refund_without_charge)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000101", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	rfd("GP", "GP-R1", MA, 3000, "2026-11-26T10:00:00",
	    "ECAB-0042-00000101");
	rfd("BL", "BL-R2", MD, 2000, "2026-11-26T11:00:00", "");
	close_day();
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 2);
	/* Row 1 comes before rows 7 and 11 of the group's order. */
	x = dispute_for("ECAB-0042-00000101", NULL);
	expect_dispute(x, SD_REFUND_NO_CHARGE, "GP", MA, -3000);
	cr_expect_str_eq(x->charge_ids, "GP-R1");
	x = dispute_for("", "BL-R2");
	expect_dispute(x, SD_REFUND_NO_CHARGE, "BL", MD, -2000);
	cr_expect_eq(day.ops[opi("GP")].disputes_sum, -3000);
}

Test(engine, row2_no_order_net_zero_is_closed)
{
	begin("2026-11-26");
	chg("GP", "GP-1", MA, 5000, "2026-11-26T10:00:00",
	    "ECAB-0099-00000001");
	rfd("GP", "GP-2", MA, 5000, "2026-11-26T11:00:00",
	    "ECAB-0099-00000001");
	close_day();
	cr_expect_eq(day.ops[opi("GP")].pending, 1);
	cr_expect_eq(where("GP-1"), 'P');
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_expect_eq(day.ndisputes, 0);
	cr_expect_eq(settle_engine_npending(&eng), 0);
	cr_expect_eq(where("GP-1"), 'C');
	cr_expect_eq(where("GP-2"), 'C');
}

Test(engine, row2a_charge_without_order)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	chg("GP", "GP-1", MA, 5000, "2026-11-26T10:00:00",
	    "ECAB-0099-00000002");
	chg("ROBI", "R-2", MC, 7000, "2026-11-26T10:00:00", "");
	close_day();
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 2);
	x = dispute_for("ECAB-0099-00000002", NULL);
	expect_dispute(x, SD_CHARGE_NO_ORDER, "GP", MA, 5000);
	cr_expect_str_eq(x->charge_ids, "GP-1");
	x = dispute_for("", "R-2");
	expect_dispute(x, SD_CHARGE_NO_ORDER, "ROBI", MC, 7000);
}

Test(engine, row3_reopened_group_refunded_in_time_is_closed)
{
	begin("2026-11-26");
	order_ecab("ECAB-0042-00000103", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-00000103");
	close_day();
	cr_assert_eq(day.nmatches, 1);

	begin("2026-11-27");
	chg("GP", "GP-2", MA, 12550, "2026-11-27T10:00:00",
	    "ECAB-0042-00000103");
	close_day();
	cr_expect_eq(day.nmatches, 0);
	cr_expect_eq(day.ops[opi("GP")].pending, 1);
	cr_expect_eq(day.ops[opi("GP")].pending_net, 12550);
	quiet_through("2026-11-28");
	begin("2026-11-29");
	rfd("GP", "GP-3", MA, 12550, "2026-11-29T09:00:00",
	    "ECAB-0042-00000103");
	close_day();
	cr_expect_eq(day.ndisputes, 0);
	/* The reopened window runs from 11-27 10:00 and closes on 11-30. */
	run_to("2026-11-30");

	cr_expect_eq(day.nmatches, 0);
	cr_expect_eq(day.ndisputes, 0);
	cr_expect_eq(settle_engine_npending(&eng), 0);
	cr_expect_eq(where("GP-1"), 'M');
	cr_expect_eq(where("GP-2"), 'C');
	cr_expect_eq(where("GP-3"), 'C');
}

Test(engine, row4_reopened_group_not_refunded_is_amount_mismatch)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000104", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-00000104");
	close_day();
	begin("2026-11-27");
	chg("GP", "GP-2", MA, 12550, "2026-11-27T10:00:00",
	    "ECAB-0042-00000104");
	close_day();
	run_to("2026-11-30");

	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 1);
	x = dispute_for("ECAB-0042-00000104", NULL);
	expect_dispute(x, SD_AMOUNT_MISMATCH, "GP", MA, 12550);
	cr_expect_str_eq(x->charge_ids, "GP-2");
}

Test(engine, row5_cancelled_net_zero_is_closed)
{
	begin("2026-11-26");
	order_ecab("ECAB-0042-00000105", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_CANCELLED);
	chg("GP", "GP-1", MA, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-00000105");
	rfd("GP", "GP-2", MA, 12550, "2026-11-26T11:00:00",
	    "ECAB-0042-00000105");
	order_bpo("EE500000001BD", "1207", MB, "GP", 8500,
	    "2026-11-26T09:00:00", SP_CANCELLED);
	close_day();
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_expect_eq(day.ndisputes, 0);
	cr_expect_eq(settle_engine_npending(&eng), 0);
}

Test(engine, row6_cancelled_but_charged)
{
	begin("2026-11-26");
	order_ecab("ECAB-0042-00000106", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_CANCELLED);
	/* Everything fits but the status: a cancelled order never matches. */
	chg("GP", "GP-1", MA, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-00000106");
	order_bpo("EE500000002BD", "1207", MA, "GP", 8500,
	    "2026-11-26T09:00:00", SP_CANCELLED);
	chg("GP", "GP-2", MB, 6000, "2026-11-26T10:00:00", "EE500000002BD");
	close_day();
	cr_expect_eq(day.nmatches, 0);
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 2);
	expect_dispute(dispute_for("ECAB-0042-00000106", NULL),
	    SD_CANCELLED_CHARGED, "GP", MA, 12550);
	expect_dispute(dispute_for("EE500000002BD", NULL),
	    SD_CANCELLED_CHARGED, "GP", MB, 6000);
}

Test(engine, row7_paid_order_without_charge)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000107", "ECAB-0042", MA, "TT", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	/* Net 0 over two operators: row 7 comes before row 9. */
	order_bpo("EE700000001BD", "1207", MB, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("BL", "BL-1", MB, 5000, "2026-11-26T10:00:00", "EE700000001BD");
	rfd("GP", "GP-2", MB, 5000, "2026-11-26T11:00:00", "EE700000001BD");
	close_day();
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 2);
	x = dispute_for("ECAB-0042-00000107", NULL);
	expect_dispute(x, SD_ORDER_NO_CHARGE, "TT", MA, 12550);
	cr_expect_str_eq(x->charge_ids, "");
	x = dispute_for("EE700000001BD", NULL);
	expect_dispute(x, SD_ORDER_NO_CHARGE, "BL", MB, 8500);
	cr_expect_str_eq(x->charge_ids, "BL-1;GP-2");
}

Test(engine, row8_pending_order_net_zero_is_closed)
{
	begin("2026-11-26");
	order_ecab("ECAB-0042-00000108", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PENDING);
	order_bpo("EE800000001BD", "1207", MB, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PENDING);
	chg("GP", "GP-1", MB, 8000, "2026-11-26T10:00:00", "EE800000001BD");
	rfd("GP", "GP-2", MB, 8000, "2026-11-26T11:00:00", "EE800000001BD");
	close_day();
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_expect_eq(day.ndisputes, 0);
	cr_expect_eq(settle_engine_npending(&eng), 0);
	cr_expect_eq(where("GP-1"), 'C');
}

Test(engine, row9_mixed_operators)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	/* Net equals payable, but two operators: row 9 before row 10. */
	order_ecab("ECAB-0042-00000109", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 6550, "2026-11-26T11:00:00",
	    "ECAB-0042-00000109");
	chg("BL", "BL-2", MA, 6000, "2026-11-26T10:00:00",
	    "ECAB-0042-00000109");
	/* Net differs too: row 9 before row 11. */
	order_bpo("EE900000001BD", "1207", MB, "GP", 12550,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-3", MB, 6000, "2026-11-26T10:00:00", "EE900000001BD");
	chg("ROBI", "R-4", MB, 6000, "2026-11-26T10:30:00", "EE900000001BD");
	close_day();
	cr_expect_eq(day.nmatches, 0, "a group over two operators matched");
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 2);
	x = dispute_for("ECAB-0042-00000109", NULL);
	expect_dispute(x, SD_AMOUNT_MISMATCH, "BL", MA, 0);
	cr_expect(contains(x->detail, "mixed operators"), "detail '%s'",
	    x->detail);
	cr_expect_str_eq(x->charge_ids, "BL-2;GP-1");
	x = dispute_for("EE900000001BD", NULL);
	expect_dispute(x, SD_AMOUNT_MISMATCH, "GP", MB, -550);
	cr_expect(contains(x->detail, "mixed operators"), "detail '%s'",
	    x->detail);
}

Test(engine, row10_msisdn_mismatch)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000110", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MB, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-00000110");
	/* One of two records differs from the order's MSISDN. */
	order_bpo("EE100000010BD", "1207", MC, "ROBI", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("ROBI", "R-2", MC, 4000, "2026-11-26T10:00:00", "EE100000010BD");
	chg("ROBI", "R-3", MD, 4500, "2026-11-26T10:05:00", "EE100000010BD");
	close_day();
	cr_expect_eq(day.nmatches, 0);
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 2);
	x = dispute_for("ECAB-0042-00000110", NULL);
	expect_dispute(x, SD_MSISDN_MISMATCH, "GP", MB, 12550);
	cr_expect(contains(x->detail, MA), "detail '%s' names no order msisdn",
	    x->detail);
	x = dispute_for("EE100000010BD", NULL);
	expect_dispute(x, SD_MSISDN_MISMATCH, "ROBI", MC, 8500);
}

Test(engine, row11_amount_mismatch)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000111", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 12000, "2026-11-26T10:00:00",
	    "ECAB-0042-00000111");
	order_bpo("EE110000001BD", "1207", MB, "GP", 12550,
	    "2026-11-26T09:00:00", SP_PENDING);
	chg("GP", "GP-2", MB, 13000, "2026-11-26T10:00:00", "EE110000001BD");
	close_day();
	run_to("2026-11-29");

	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 2);
	x = dispute_for("ECAB-0042-00000111", NULL);
	expect_dispute(x, SD_AMOUNT_MISMATCH, "GP", MA, -550);
	cr_expect(contains(x->detail, "12550") && contains(x->detail, "12000"),
	    "detail '%s'", x->detail);
	x = dispute_for("EE110000001BD", NULL);
	expect_dispute(x, SD_AMOUNT_MISMATCH, "GP", MB, 450);
	cr_expect_eq(day.ops[opi("GP")].disputes_sum, -100);
}

/* ================= windows ================= */

Test(engine, window_from_order_time_exact_boundary)
{
	begin("2026-11-26");
	/* 72 h after 11-26 00:00:00 is the end of 11-28: classified then. */
	order_bpo("EE000000010BD", "1207", MA, "GP", 8500,
	    "2026-11-26T00:00:00", SP_PAID);
	/* One second later: the end of 11-28 is too early. */
	order_bpo("EE000000011BD", "1207", MB, "GP", 8500,
	    "2026-11-26T00:00:01", SP_PAID);
	close_day();
	run_to("2026-11-28");
	cr_assert_eq(day.ndisputes, 1);
	cr_expect_eq(dispute_for("EE000000010BD", NULL)->reason,
	    SD_ORDER_NO_CHARGE);
	cr_expect_eq(settle_engine_npending(&eng), 1);

	run_to("2026-11-29");
	cr_assert_eq(day.ndisputes, 1);
	cr_expect_eq(dispute_for("EE000000011BD", NULL)->reason,
	    SD_ORDER_NO_CHARGE);
	cr_expect_eq(settle_engine_npending(&eng), 0);
}

Test(engine, window_from_first_record_in_charge_order)
{
	begin("2026-11-26");
	chg("GP", "GP-A", MA, 5000, "2026-11-26T00:00:00", "X-A");
	chg("GP", "GP-B", MA, 5000, "2026-11-26T00:00:01", "X-B");
	chg("GP", "GP-C2", MA, 5000, "2026-11-26T05:00:00", "X-C");
	close_day();
	/* Sent a day late, but charged first: the window runs from it. */
	begin("2026-11-27");
	chg("GP", "GP-C1", MA, 5000, "2026-11-26T00:00:00", "X-C");
	close_day();
	run_to("2026-11-28");
	cr_assert_eq(day.ndisputes, 2);
	cr_expect_eq(dispute_for("X-A", NULL)->reason, SD_CHARGE_NO_ORDER);
	cr_expect_str_eq(dispute_for("X-C", NULL)->charge_ids, "GP-C1;GP-C2");

	run_to("2026-11-29");
	cr_assert_eq(day.ndisputes, 1);
	cr_expect_eq(dispute_for("X-B", NULL)->reason, SD_CHARGE_NO_ORDER);
}

Test(engine, window_from_the_latest_order_row)
{
	begin("2026-11-26");
	order_bpo("EE000000012BD", "1207", MA, "GP", 8500,
	    "2026-11-26T00:00:00", SP_PAID);
	close_day();
	begin("2026-11-27");
	order_bpo("EE000000012BD", "1207", MA, "GP", 8500,
	    "2026-11-27T00:00:00", SP_PAID);
	close_day();
	/* Not on 11-28 (the first row's window) but on 11-29. */
	run_to("2026-11-29");
	cr_assert_eq(day.ndisputes, 1);
	cr_expect_eq(dispute_for("EE000000012BD", NULL)->reason,
	    SD_ORDER_NO_CHARGE);
}

Test(engine, window_of_a_reopened_group_from_its_first_record)
{
	begin("2026-11-26");
	order_bpo("EE000000013BD", "1207", MA, "GP", 8500,
	    "2026-11-26T00:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 8500, "2026-11-26T01:00:00", "EE000000013BD");
	close_day();
	cr_assert_eq(day.nmatches, 1);
	begin("2026-11-27");
	chg("GP", "GP-2", MA, 3000, "2026-11-27T12:00:00", "EE000000013BD");
	close_day();
	/* Neither the order's window (11-28) nor the first match's (11-29). */
	run_to("2026-11-30");
	cr_assert_eq(day.ndisputes, 1);
	expect_dispute(dispute_for("EE000000013BD", NULL), SD_AMOUNT_MISMATCH,
	    "GP", MA, 3000);
}

/* ================= order updates ================= */

Test(engine, order_update_pending_to_paid)
{
	begin("2026-11-26");
	order_bpo("EE000000020BD", "1207", MA, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PENDING);
	order_bpo("EE000000021BD", "1207", MB, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PENDING);
	close_day();
	begin("2026-11-27");
	order_bpo("EE000000020BD", "1207", MA, "GP", 8500,
	    "2026-11-27T09:00:00", SP_PAID);
	close_day();
	/* The PENDING one closes quietly (row 8) ... */
	run_to("2026-11-29");
	cr_expect_eq(day.ndisputes, 0);
	cr_expect_eq(settle_engine_npending(&eng), 1);
	/* ... the one now PAID is ORDER_NO_CHARGE (row 7). */
	run_to("2026-11-30");
	cr_assert_eq(day.ndisputes, 1);
	expect_dispute(dispute_for("EE000000020BD", NULL), SD_ORDER_NO_CHARGE,
	    "GP", MA, 8500);
}

Test(engine, order_update_with_a_new_amount_then_matches)
{
	const struct settle_match *m;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000201", "ECAB-0042", MA, "GP", 9000, 1000,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-00000201");
	close_day();
	cr_expect_eq(day.nmatches, 0);
	cr_expect_eq(day.ndisputes, 0);

	begin("2026-11-27");
	order_ecab("ECAB-0042-00000201", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-27T09:00:00", SP_PAID);
	close_day();
	cr_assert_eq(day.nmatches, 1);
	m = match_for("ECAB-0042-00000201");
	cr_expect_eq(m->match, SM_EXACT);
	cr_expect_eq(m->payable, 12550);
	cr_expect_eq(m->goods, 11500);
	cr_expect_eq(m->delivery, 1050);
}

Test(engine, order_update_cancelled_to_paid_then_matches)
{
	begin("2026-11-26");
	order_bpo("EE000000022BD", "1207", MA, "GP", 8500,
	    "2026-11-26T09:00:00", SP_CANCELLED);
	chg("GP", "GP-1", MA, 8500, "2026-11-26T10:00:00", "EE000000022BD");
	close_day();
	cr_expect_eq(day.nmatches, 0);
	begin("2026-11-27");
	order_bpo("EE000000022BD", "1207", MA, "GP", 8500,
	    "2026-11-27T09:00:00", SP_PAID);
	close_day();
	cr_assert_eq(day.nmatches, 1);
	cr_expect_eq(match_for("EE000000022BD")->match, SM_EXACT);
}

Test(engine, order_row_after_match_changes_nothing_else)
{
	struct eref *r;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000202", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-00000202");
	close_day();
	cr_assert_eq(day.nmatches, 1);

	begin("2026-11-27");
	order_ecab("ECAB-0042-00000202", "ECAB-0043", MB, "GP", 20000, 0,
	    "2026-11-27T09:00:00", SP_CANCELLED);
	close_day();
	cr_expect_eq(settle_engine_npending(&eng),
	    0, "an order row made a new group");
	cr_expect_eq(day.ops[opi("GP")].pending, 0);
	r = settle_engine_ref(&eng, "ECAB-0042-00000202", 18);
	cr_assert_not_null(r);
	cr_expect_eq(r->order->status, SP_CANCELLED);
	cr_expect_eq(eorder_payable(r->order), 20000);
	cr_expect_str_eq(r->order->merchant, "ECAB-0043");
	quiet_through("2026-12-05");
	cr_expect_eq(where("GP-1"), 'M');
}

Test(engine, order_row_for_an_ended_reference_only_updates_it)
{
	const struct settle_match *m;
	struct eref *r;

	begin("2026-11-26");
	order_bpo("EE000000023BD", "1207", MA, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	order_bpo("EE000000024BD", "1207", MB, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PENDING);
	close_day();
	run_to("2026-11-29");
	/* 23 disputed, 24 closed. */
	cr_assert_eq(day.ndisputes, 1);
	cr_expect_eq(dispute_for("EE000000023BD", NULL)->reason,
	    SD_ORDER_NO_CHARGE);

	begin("2026-11-30");
	order_bpo("EE000000023BD", "1000", MA, "GP", 20000,
	    "2026-11-30T09:00:00", SP_PAID);
	order_bpo("EE000000024BD", "1207", MB, "GP", 8000,
	    "2026-11-30T09:00:00", SP_PAID);
	close_day();
	cr_expect_eq(settle_engine_npending(&eng),
	    0, "an order row made a new group");
	r = settle_engine_ref(&eng, "EE000000023BD", 13);
	cr_assert_not_null(r);
	cr_expect_eq(eorder_payable(r->order), 20000);
	cr_expect_str_eq(r->order->office, "1000");
	/* An order-only group would have closed on 12-03. */
	quiet_through("2026-12-04");

	/* A record now starts an ordinary group with the current order. */
	begin("2026-12-05");
	chg("GP", "GP-1", MA, 20000, "2026-12-05T10:00:00", "EE000000023BD");
	chg("GP", "GP-2", MB, 8000, "2026-12-05T10:00:00", "EE000000024BD");
	close_day();
	cr_assert_eq(day.nmatches, 2);
	m = match_for("EE000000023BD");
	cr_expect_eq(m->match, SM_EXACT);
	cr_expect_eq(m->payable, 20000);
	cr_expect_str_eq(m->office, "1000");
	cr_expect_eq(match_for("EE000000024BD")->payable, 8000);
	cr_expect_eq(day.ndisputes, 0);
}

/* ================= late records ================= */

Test(engine, late_refund_after_match_is_refund_no_charge)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000301", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-00000301");
	close_day();
	begin("2026-11-27");
	rfd("GP", "GP-2", MA, 12550, "2026-11-27T10:00:00",
	    "ECAB-0042-00000301");
	close_day();
	cr_expect_eq(day.ops[opi("GP")].pending_net, -12550);
	run_to("2026-11-30");

	cr_assert_eq(day.ndisputes, 1);
	x = dispute_for("ECAB-0042-00000301", NULL);
	expect_dispute(x, SD_REFUND_NO_CHARGE, "GP", MA, -12550);
	cr_expect_str_eq(x->charge_ids, "GP-2");
}

Test(engine, matched_reference_never_matches_again)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	order_bpo("EE000000030BD", "1207", MA, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 8500, "2026-11-26T10:00:00", "EE000000030BD");
	close_day();
	cr_assert_eq(day.nmatches, 1);

	/* A new amount and a charge that fits it: the group is reopened. */
	begin("2026-11-27");
	order_bpo("EE000000030BD", "1207", MA, "GP", 20000,
	    "2026-11-27T09:00:00", SP_PAID);
	chg("GP", "GP-2", MA, 20000, "2026-11-27T10:00:00", "EE000000030BD");
	close_day();
	cr_expect_eq(day.nmatches, 0, "a matched reference matched again");
	run_to("2026-11-30");
	cr_expect_eq(day.nmatches, 0);
	cr_assert_eq(day.ndisputes, 1);
	x = dispute_for("EE000000030BD", NULL);
	expect_dispute(x, SD_AMOUNT_MISMATCH, "GP", MA, 20000);
	cr_expect_str_eq(x->charge_ids, "GP-2");

	/* The reopened group has ended: a later record opens a new one. */
	begin("2026-12-01");
	chg("GP", "GP-3", MA, 20000, "2026-12-01T10:00:00", "EE000000030BD");
	close_day();
	cr_expect_eq(day.nmatches, 0, "a matched reference matched again");
	run_to("2026-12-04");
	cr_assert_eq(day.ndisputes, 1);
	x = dispute_for("EE000000030BD", NULL);
	expect_dispute(x, SD_AMOUNT_MISMATCH, "GP", MA, 20000);
	cr_expect_str_eq(x->charge_ids, "GP-3");
}

/*
 * SPEC §5 puts no time limit on "a reference that has matched once never
 * matches again", nor on "an order row for a reference that is disputed or
 * closed only updates the order": both still hold long after dedup_days.
 */
/*
 * References are remembered for dedup_days after their last activity (an
 * order row, a record, or the end of a group), the horizon the state
 * keeps (settle-state(5)).  At the far edge of it the rules still hold.
 */
Test(engine, matched_reference_never_matches_again_within_dedup_days)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	order_bpo("EE000000031BD", "1207", MA, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 8500, "2026-11-26T10:00:00", "EE000000031BD");
	close_day();
	cr_assert_eq(day.nmatches, 1);
	quiet_through("2027-02-13");		/* 79 quiet days */

	begin("2027-02-14");			/* the match + 80 days */
	order_bpo("EE000000031BD", "1207", MA, "GP", 8500,
	    "2027-02-14T09:00:00", SP_PAID);
	chg("GP", "GP-2", MA, 8500, "2027-02-14T10:00:00", "EE000000031BD");
	close_day();
	cr_expect_eq(day.nmatches, 0, "reference EE000000031BD matched a "
	    "second time, %s", day.nmatches ? match_at(0)->charge_ids : "");
	if (day.nmatches != 0)
		return;
	run_to("2027-02-17");
	cr_assert_eq(day.ndisputes, 1);
	x = dispute_for("EE000000031BD", NULL);
	expect_dispute(x, SD_AMOUNT_MISMATCH, "GP", MA, 8500);
}

Test(engine, ended_reference_order_row_only_updates_within_dedup_days)
{
	begin("2026-11-26");
	order_bpo("EE000000032BD", "1207", MA, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	close_day();
	run_to("2026-11-29");
	cr_assert_eq(day.ndisputes, 1);
	quiet_through("2027-02-16");		/* the dispute + 79 days */

	begin("2027-02-17");
	order_bpo("EE000000032BD", "1207", MA, "GP", 8500,
	    "2027-02-17T09:00:00", SP_PAID);
	close_day();
	cr_expect_eq(settle_engine_npending(&eng),
	    0, "an order row for a disputed "
	    "reference made a new group");
	quiet_through("2027-02-21");
}

/*
 * Write the engine's state to a file, start a fresh engine from it, as the
 * next run does, and return the file's text (malloc'd).
 */
static char *
reload(void)
{
	char path[] = "/tmp/settle-test-state.XXXXXX";
	struct settle_err err;
	char *text;
	long n;
	FILE *f;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w+");
	cr_assert_not_null(f);
	cr_assert_eq(settle_state_write(&eng, f), 0);
	cr_assert_eq(fflush(f), 0);
	n = ftell(f);
	text = calloc(1, (size_t)n + 1);
	cr_assert_not_null(text);
	rewind(f);
	cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	settle_engine_release(&eng);
	settle_engine_init(&eng, &cf);
	cr_assert_eq(settle_state_read(&eng, path, &err), 0, "%s", err.msg);
	unlink(path);
	return text;
}

/*
 * A matched reference keeps only its order's kind in the state: the next
 * runs still see it as matched (a later charge goes to a reopened group)
 * and as an order of that kind (an order row of the other kind for it is
 * a DUPLICATE_REF).
 */
Test(engine, matched_reference_survives_the_state_file)
{
	const struct settle_dispute *x;
	char *text;

	begin("2026-11-26");
	order_bpo("EE000000040BD", "1207", MA, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-40", MA, 8500, "2026-11-26T10:00:00", "EE000000040BD");
	close_day();
	cr_assert_eq(day.nmatches, 1);
	text = reload();
	cr_expect_not_null(strstr(text, "ref\tEE000000040BD\t1\t0\t"
	    "2026-11-26\t2\tBPO\n"), "%s", text);
	free(text);

	begin("2026-11-27");
	cr_expect_eq(settle_engine_known_other(&eng, SO_ECAB, "EE000000040BD",
	    13), 1);
	cr_expect_eq(settle_engine_known_other(&eng, SO_BPO, "EE000000040BD",
	    13), 0);
	order_bpo("EE000000040BD", "1207", MA, "GP", 8500,
	    "2026-11-27T09:00:00", SP_PAID);
	cr_expect_eq(settle_engine_npending(&eng),
	    0, "an order row made a group");
	chg("GP", "GP-41", MA, 8500, "2026-11-27T10:00:00", "EE000000040BD");
	close_day();
	cr_expect_eq(day.nmatches, 0);
	text = reload();
	free(text);
	run_to("2026-11-30");
	cr_assert_eq(day.ndisputes, 1);
	x = dispute_for("EE000000040BD", NULL);
	expect_dispute(x, SD_AMOUNT_MISMATCH, "GP", MA, 8500);
}

/* ================= dispute fields and figures ================= */

Test(engine, dispute_fields_follow_charge_order)
{
	const struct settle_dispute *x;

	begin("2026-11-26");
	chg("GP", "G2", MA, 1000, "2026-11-26T10:00:00", "X-FIELDS");
	chg("GP", "G0", MA, 1000, "2026-11-26T11:00:00", "X-FIELDS");
	chg("GP", "G1", MA, 1000, "2026-11-26T10:00:00", "X-FIELDS");
	chg("BL", "B9", MB, 1000, "2026-11-26T10:00:00", "X-FIELDS");
	chg("ROBI", "R0", MC, 1000, "2026-11-26T09:00:00", "X-FIELDS");
	close_day();
	cr_expect_eq(day.ops[opi("ROBI")].pending, 1);
	cr_expect_eq(day.ops[opi("ROBI")].pending_net, 5000);
	run_to("2026-11-29");

	cr_assert_eq(day.ndisputes, 1);
	x = dispute_for("X-FIELDS", NULL);
	expect_dispute(x, SD_CHARGE_NO_ORDER, "ROBI", MC, 5000);
	cr_expect_str_eq(x->charge_ids, "R0;B9;G1;G2;G0");
	cr_expect_eq(day.ops[opi("ROBI")].disputes, 1);
	cr_expect_eq(day.ops[opi("GP")].disputes, 0);
}

Test(engine, per_operator_figures)
{
	const struct settle_opday *gp, *bl, *robi, *tt;

	begin("2026-11-26");
	order_ecab("ECAB-0042-00000401", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-1", MA, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-00000401");
	order_bpo("EE000000040BD", "1207", MB, "GP", 8500,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-2", MB, 5000, "2026-11-26T10:00:00", "EE000000040BD");
	chg("GP", "GP-3", MB, 3500, "2026-11-26T10:01:00", "EE000000040BD");
	chg("BL", "BL-1", MD, 60000, "2026-11-26T10:00:00", "");
	order_ecab("ECAB-0042-00000402", "ECAB-0042", MC, "ROBI", 8000, 1000,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("ROBI", "R-1", MC, 4000, "2026-11-26T10:00:00", "U-1");
	rfd("ROBI", "R-2", MC, 1000, "2026-11-26T10:00:00", "");
	/* A group's operator is its first record's, not its order's. */
	order_bpo("EE000000041BD", "1207", MD, "GP", 5000,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("ROBI", "R-3", MD, 2000, "2026-11-26T10:00:00", "EE000000041BD");
	order_bpo("EE000000042BD", "1207", MA, "TT", 7000,
	    "2026-11-26T09:00:00", SP_PENDING);
	close_day();

	gp = &day.ops[opi("GP")];
	bl = &day.ops[opi("BL")];
	robi = &day.ops[opi("ROBI")];
	tt = &day.ops[opi("TT")];
	cr_expect_eq(gp->matched, 2);
	cr_expect_eq(gp->matched_net, 21050);
	cr_expect_eq(gp->disputes, 0);
	cr_expect_eq(gp->pending, 0);
	cr_expect_eq(bl->disputes, 1);
	cr_expect_eq(bl->disputes_sum, 60000);
	cr_expect_eq(bl->pending, 0);
	cr_expect_eq(robi->matched, 0);
	cr_expect_eq(robi->pending, 4, "ROBI pending %ld", robi->pending);
	cr_expect_eq(robi->pending_net, 5000);
	cr_expect_eq(tt->pending, 1, "an order-only group is pending");
	cr_expect_eq(tt->pending_net, 0);

	run_to("2026-11-29");
	cr_expect_eq(robi->disputes, 4);
	cr_expect_eq(robi->disputes_sum, 9000 + 4000 - 1000 - 3000);
	cr_expect_eq(robi->pending, 0);
	cr_expect_eq(tt->disputes, 0);
	cr_expect_eq(tt->pending, 0);
	cr_expect_eq(gp->disputes + bl->disputes, 0);
	cr_expect_eq(day.ndisputes, 4);
	expect_dispute(dispute_for("EE000000041BD", NULL), SD_AMOUNT_MISMATCH,
	    "ROBI", MD, -3000);
}

/* ================= nothing dropped ================= */

Test(engine, nothing_dropped_each_record_in_one_place)
{
	begin("2026-11-26");
	order_ecab("ECAB-0042-00000501", "ECAB-0042", MA, "GP", 11500, 1050,
	    "2026-11-26T09:00:00", SP_PAID);
	chg("GP", "GP-a", MA, 12550, "2026-11-26T10:00:00",
	    "ECAB-0042-00000501");
	chg("GP", "GP-b", MA, 5000, "2026-11-26T10:00:00", "U-501");
	rfd("GP", "GP-c", MA, 5000, "2026-11-26T11:00:00", "U-501");
	chg("GP", "GP-d", MB, 7000, "2026-11-26T10:00:00", "");
	chg("GP", "GP-e", MB, 70000, "2026-11-26T10:00:00", "U-502");
	close_day();
	cr_expect_eq(where("GP-a"), 'M');
	cr_expect_eq(where("GP-b"), 'P');
	cr_expect_eq(where("GP-c"), 'P');
	cr_expect_eq(where("GP-d"), 'P');
	cr_expect_eq(where("GP-e"), 'D');

	begin("2026-11-27");
	chg("GP", "GP-f", MA, 1000, "2026-11-27T10:00:00",
	    "ECAB-0042-00000501");
	close_day();
	cr_expect_eq(where("GP-f"), 'P');

	run_to("2026-11-29");
	cr_expect_eq(where("GP-a"), 'M');
	cr_expect_eq(where("GP-b"), 'C');
	cr_expect_eq(where("GP-c"), 'C');
	cr_expect_eq(where("GP-d"), 'D');
	cr_expect_eq(where("GP-f"), 'P');
	run_to("2026-11-30");
	cr_expect_eq(where("GP-f"), 'D');
	cr_expect_eq(settle_engine_npending(&eng), 0);
}

static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int64_t
pick(int64_t n)
{
	return (int64_t)(rng() % (uint64_t)n);
}

/*
 * Many random days of orders, updates, charges, refunds, failed and
 * over-cap records on a few references: close_day() checks every record's
 * place after each run, and once every window has passed nothing waits.
 */
Test(engine, nothing_dropped_random_days)
{
	static const char *const ops[] = { "BL", "GP", "ROBI", "TT" };
	static const char *const msisdns[] = { MA, MB, MC };
	static const int64_t amounts[] = { 1000, 2000, 3000, 1500, 500 };
	char ref[32], id[32], ymd[16], at[32];
	int64_t d0 = date_of("2026-11-01"), t;
	int d, i, n, y, mo, dd, k, ndays = 40;

	rng_state = UINT64_C(0x5e771e2026112601);
	for (d = 0; d < ndays; d++) {
		settle_date_fmt(d0 + d, ymd);
		begin(ymd);
		settle_civil_from_days(d0 + d, &y, &mo, &dd);
		n = d < ndays - 5 ? (int)pick(6) : 0;
		for (i = 0; i < n; i++) {
			snprintf(ref, sizeof(ref), "ECAB-0001-%08d",
			    (int)pick(24));
			snprintf(at, sizeof(at), "%04d-%02d-%02dT%02d:%02d:00",
			    y, mo, dd, (int)pick(24), (int)pick(60));
			k = (int)pick(3);
			order_ecab(ref, "ECAB-0001", msisdns[pick(3)],
			    ops[pick(4)], amounts[pick(5)], 0, at,
			    k == 0 ? SP_PAID : k == 1 ? SP_PENDING :
			    SP_CANCELLED);
		}
		n = d < ndays - 5 ? (int)pick(12) : 0;
		for (i = 0; i < n; i++) {
			k = (int)pick(10);
			if (k < 6)
				snprintf(ref, sizeof(ref), "ECAB-0001-%08d",
				    (int)pick(24));
			else if (k < 8)
				ref[0] = '\0';
			else
				snprintf(ref, sizeof(ref), "NOPE-%d",
				    (int)pick(5));
			snprintf(id, sizeof(id), "C%d-%d", d, i);
			/* Some records are charged a day or two earlier. */
			t = settle_date_start(d0 + d - pick(3)) +
			    pick(86400);
			k = (int)pick(20);
			record(ops[pick(4)], id, msisdns[pick(3)], k == 0 ?
			    60000 : amounts[pick(5)], t, ref, k < 14 ?
			    SK_CHARGE : SK_REFUND, k == 19 ? SS_FAILED :
			    SS_SUCCESS);
		}
		close_day();
	}
	cr_expect_eq(settle_engine_npending(&eng),
	    0, "groups still wait past every window");
	cr_expect_gt(nledger, 100);
}
