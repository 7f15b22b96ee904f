/*
 * Unit tests for lib/share: the tiered, marginal operator share on the
 * month-to-date matched net with round(F(mtd + day)) - round(F(mtd)) half
 * to even (SPEC §6), the month-to-date and its reset on a new month,
 * merchant payouts with the DCB fee rounded per merchant total, office
 * totals, and the conservation identities.
 *
 * Expected shares are worked out here from the SPEC's formula with exact
 * integer arithmetic, independently of the library's own.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine.h"
#include "share.h"
#include "timefmt.h"

static struct settle_config cf;
static struct settle_engine eng;

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
}

static void
teardown(void)
{
	settle_engine_release(&eng);
}

TestSuite(share, .init = setup, .fini = teardown);

static int
opi(const char *op)
{
	int i = settle_config_op(&cf, op, strlen(op));

	cr_assert_geq(i, 0, "operator %s not configured", op);
	return i;
}

static int64_t
date_of(const char *ymd)
{
	int64_t d;

	cr_assert_eq(settle_date_parse(ymd, &d), 0, "bad test date '%s'", ymd);
	return d;
}

/* ---- the SPEC's formula, worked out here ---- */

/* 10000 x F(x): the sum over tiers of bps x the part of x in the tier. */
static __int128
f_num(const struct settle_tier *t, int n, int64_t x)
{
	__int128 num = 0;
	int64_t lo = 0, top;
	int i;

	for (i = 0; i < n; i++) {
		top = t[i].upto < 0 ? INT64_MAX : t[i].upto;
		if (x <= lo)
			break;
		num += (__int128)((x < top ? x : top) - lo) * t[i].bps;
		lo = top;
	}
	return num;
}

/* num / 10000 rounded half to even, num >= 0. */
static int64_t
round_even(__int128 num)
{
	__int128 q = num / 10000, r = num % 10000;

	if (r * 2 > 10000 || (r * 2 == 10000 && (q & 1) != 0))
		q++;
	return (int64_t)q;
}

static int64_t
rounded_f(const struct settle_tier *t, int n, int64_t x)
{
	return round_even(f_num(t, n, x));
}

static int64_t
share_day(const struct settle_tier *t, int n, int64_t before, int64_t d)
{
	int64_t s = -777;

	cr_assert_eq(settle_share_day(t, n, before, d, &s), 0,
	    "settle_share_day(%lld, %lld) failed", (long long)before,
	    (long long)d);
	return s;
}

/* ================= settle_share_day ================= */

Test(share, day_single_rate)
{
	static const struct settle_tier flat[] = { { -1, 1000 } };

	cr_expect_eq(share_day(flat, 1, 0, 12550), 1255);
	cr_expect_eq(share_day(flat, 1, 12550, 12550), 1255);
	cr_expect_eq(share_day(flat, 1, 0, 0), 0);
	cr_expect_eq(share_day(flat, 1, 987654321, 0), 0);
	cr_expect_eq(share_day(flat, 1, 0, 1), 0);
	cr_expect_eq(share_day(flat, 1, 0, 6), 1);
}

Test(share, day_crossing_a_tier_boundary)
{
	const struct settle_tier *gp = cf.ops[opi("GP")].tiers;
	static const struct settle_tier three[] = {
		{ 1000, 2000 }, { 5000, 1000 }, { -1, 500 }
	};

	/* 10,000,000 at 12 % below 100,000,000 and 10,000,000 at 10 %. */
	cr_expect_eq(share_day(gp, 2, INT64_C(90000000), INT64_C(20000000)),
	    INT64_C(2200000));
	/* Wholly in the first tier, ending on its bound. */
	cr_expect_eq(share_day(gp, 2, 0, INT64_C(100000000)),
	    INT64_C(12000000));
	/* Wholly in the second tier. */
	cr_expect_eq(share_day(gp, 2, INT64_C(100000000), INT64_C(10000000)),
	    INT64_C(1000000));
	/* Over three tiers in one day: 200 + 400 + 250. */
	cr_expect_eq(share_day(three, 3, 0, 10000), 850);
	/* From the middle of the first to the middle of the last. */
	cr_expect_eq(share_day(three, 3, 500, 6500), 100 + 400 + 100);
}

Test(share, day_rounds_half_to_even)
{
	static const struct settle_tier half[] = { { -1, 5000 } };
	static const struct settle_tier tenth[] = { { -1, 1000 } };
	static const struct settle_tier eighth[] = { { -1, 1250 } };
	static const struct settle_tier mixed[] = {
		{ 10, 1000 }, { -1, 5000 }
	};

	cr_expect_eq(share_day(half, 1, 0, 1), 0);		/* 0.5 */
	cr_expect_eq(share_day(half, 1, 0, 3), 2);		/* 1.5 */
	cr_expect_eq(share_day(half, 1, 0, 5), 2);		/* 2.5 */
	cr_expect_eq(share_day(half, 1, 0, 7), 4);		/* 3.5 */
	/* round(1.5) - round(0.5) = 2, not round(1.0) = 1 ... */
	cr_expect_eq(share_day(tenth, 1, 5, 10), 2);
	/* ... and round(2.5) - round(1.5) = 0, not 1. */
	cr_expect_eq(share_day(tenth, 1, 15, 10), 0);
	cr_expect_eq(share_day(eighth, 1, 0, 4), 0);		/* 0.5 */
	cr_expect_eq(share_day(eighth, 1, 0, 12), 2);		/* 1.5 */
	cr_expect_eq(share_day(eighth, 1, 12, 8), 0);	/* 2.5 - 1.5 */
	/* A half across a tier bound: 1 + 0.5 and 1 + 1.5. */
	cr_expect_eq(share_day(mixed, 2, 0, 11), 2);
	cr_expect_eq(share_day(mixed, 2, 0, 13), 2);
	cr_expect_eq(share_day(mixed, 2, 11, 2), 0);
}

Test(share, day_refuses_negative_and_overflowing_totals)
{
	static const struct settle_tier flat[] = { { -1, 1000 } };
	int64_t s = 42;

	cr_expect_lt(settle_share_day(flat, 1, -1, 100, &s), 0);
	cr_expect_lt(settle_share_day(flat, 1, 0, -100, &s), 0);
	cr_expect_lt(settle_share_day(flat, 1, INT64_MAX, 1, &s), 0);
	cr_expect_eq(s, 42, "share written on failure");
	cr_expect_eq(settle_share_day(flat, 1, INT64_MAX - 10, 10, &s), 0);
	cr_expect_eq(s, 1);
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
 * For random tier tables and random months of daily nets, the daily
 * shares add up exactly to round(F(month total)), every day's share is
 * round(F(after)) - round(F(before)), and none is negative.
 */
Test(share, daily_shares_sum_to_the_month)
{
	static const int rates[] = { 500, 1000, 1250, 2000, 2500, 5000 };
	struct settle_tier t[SETTLE_MAX_TIERS];
	int64_t mtd, sum, s, d, bound;
	int trial, i, n, days, halves = 0;

	rng_state = UINT64_C(0x5ea1e2026120101);
	for (trial = 0; trial < 400; trial++) {
		n = 1 + (int)pick(4);
		bound = 0;
		for (i = 0; i < n; i++) {
			bound += 1 + pick(trial % 2 ? 2000 : INT64_C(50000000));
			t[i].upto = i == n - 1 ? -1 : bound;
			/* Rates that often give an exact half, and others. */
			t[i].bps = pick(3) == 0 ? (int)pick(2501) :
			    rates[pick(6)];
		}
		days = 28 + (int)pick(4);
		mtd = sum = 0;
		for (i = 0; i < days; i++) {
			d = pick(5) == 0 ? 0 : pick(trial % 2 ? 700 :
			    INT64_C(3000000));
			s = share_day(t, n, mtd, d);
			cr_assert_geq(s, 0, "trial %d day %d", trial, i);
			cr_assert_eq(s, rounded_f(t, n, mtd + d) -
			    rounded_f(t, n, mtd), "trial %d day %d: %lld",
			    trial, i, (long long)s);
			halves += f_num(t, n, mtd + d) % 10000 == 5000;
			sum += s;
			mtd += d;
		}
		cr_assert_eq(sum, rounded_f(t, n, mtd), "trial %d: days add up "
		    "to %lld, the month's share is %lld", trial,
		    (long long)sum, (long long)rounded_f(t, n, mtd));
	}
	/* The cases must include exact halves to say anything about them. */
	cr_expect_gt(halves, 10, "only %d exact halves", halves);
}

/* ================= settle_share_compute ================= */

static void
add_match(struct settle_day *d, int kind, const char *op, const char *who,
    int64_t goods, int64_t delivery, int64_t postage)
{
	struct settle_match *m;
	char ref[32];
	int k = opi(op);

	if (d->nmatches == d->capm) {
		d->capm = d->capm ? d->capm * 2 : 8;
		d->matches = realloc(d->matches, d->capm * sizeof(*m));
		cr_assert_not_null(d->matches);
	}
	m = &d->matches[d->nmatches++];
	memset(m, 0, sizeof(*m));
	snprintf(ref, sizeof(ref), "REF-%zu", d->nmatches);
	m->order_ref = settle_arena_strndup(&d->mem, ref, strlen(ref));
	m->charge_ids = settle_arena_strndup(&d->mem, ref, strlen(ref));
	m->kind = kind;
	m->op = settle_arena_strndup(&d->mem, op, strlen(op));
	m->office = "";
	if (kind == SO_ECAB) {
		m->merchant = settle_arena_strndup(&d->mem, who, strlen(who));
		m->goods = goods;
		m->delivery = delivery;
	} else {
		m->office = settle_arena_strndup(&d->mem, who, strlen(who));
		m->postage = postage;
	}
	m->payable = m->net = goods + delivery + postage;
	m->match = SM_EXACT;
	d->ops[k].matched++;
	d->ops[k].matched_net += m->net;
}

static void
ecab(struct settle_day *d, const char *op, const char *merchant,
    int64_t goods, int64_t delivery)
{
	add_match(d, SO_ECAB, op, merchant, goods, delivery, 0);
}

static void
bpo(struct settle_day *d, const char *op, const char *office,
    int64_t postage)
{
	add_match(d, SO_BPO, op, office, 0, 0, postage);
}

/* Compute one date with a single BPO match of net for op; return its share. */
static int64_t
one_day(const char *ymd, const char *op, int64_t net, int64_t *before)
{
	struct settle_totals t;
	struct settle_err err;
	struct settle_day d;
	int64_t s;

	memset(&err, 0, sizeof(err));
	settle_day_init(&d, date_of(ymd));
	if (net > 0)
		bpo(&d, op, "1207", net);
	cr_assert_eq(settle_share_compute(&eng, &d, &t, &err), 0, "%s: %s",
	    ymd, err.msg);
	cr_expect(t.ok);
	*before = t.mtd_before[opi(op)];
	s = t.share[opi(op)];
	settle_totals_release(&t);
	settle_day_release(&d);
	return s;
}

Test(share, compute_month_to_date_from_an_empty_state)
{
	int64_t before, s;

	s = one_day("2026-11-15", "GP", INT64_C(80000000), &before);
	cr_expect_eq(before, 0, "the first run starts at %lld",
	    (long long)before);
	cr_expect_eq(s, INT64_C(9600000));
	/* The next date: 20,000,000 at 12 % and 20,000,000 at 10 %. */
	s = one_day("2026-11-16", "GP", INT64_C(40000000), &before);
	cr_expect_eq(before, INT64_C(80000000));
	cr_expect_eq(s, INT64_C(4400000));
	s = one_day("2026-11-17", "GP", 0, &before);
	cr_expect_eq(before, INT64_C(120000000));
	cr_expect_eq(s, 0);
	cr_expect_eq(eng.mtd[opi("GP")], INT64_C(120000000));
	cr_expect_eq(eng.mtd[opi("BL")], 0);
}

Test(share, compute_month_to_date_resets_on_a_new_month)
{
	int64_t before, s;

	s = one_day("2026-11-30", "GP", INT64_C(80000000), &before);
	cr_expect_eq(before, 0);
	cr_expect_eq(s, INT64_C(9600000));
	/* 2026-12-01 starts at 0: the whole day at 12 %, not 8,400,000. */
	s = one_day("2026-12-01", "GP", INT64_C(80000000), &before);
	cr_expect_eq(before, 0, "2026-12-01 starts at %lld",
	    (long long)before);
	cr_expect_eq(s, INT64_C(9600000));
	s = one_day("2026-12-02", "GP", INT64_C(30000000), &before);
	cr_expect_eq(before, INT64_C(80000000));
	cr_expect_eq(s, INT64_C(20000000) * 12 / 100 +
	    INT64_C(10000000) / 10);
	/* A month whose first date has no matches still starts at 0. */
	s = one_day("2026-12-31", "ROBI", INT64_C(60000000), &before);
	cr_expect_eq(before, 0);
	s = one_day("2027-01-01", "ROBI", 0, &before);
	cr_expect_eq(before, 0);
	cr_expect_eq(s, 0);
	s = one_day("2027-01-02", "ROBI", INT64_C(60000000), &before);
	cr_expect_eq(before, 0, "2027-01 carried %lld", (long long)before);
	cr_expect_eq(s, INT64_C(50000000) * 15 / 100 +
	    INT64_C(10000000) * 125 / 1000);
}

Test(share, compute_merchant_fee_half_even_per_merchant_total)
{
	struct settle_totals t;
	struct settle_err err;
	struct settle_day d;
	static const struct {
		const char *id;
		long orders;
		int64_t goods, fee;
	} want[] = {
		{ "ECAB-0001", 2, 30, 4 },	/* 4.5: per order 2 + 3 */
		{ "ECAB-0002", 1, 10, 2 },	/* 1.5 */
		{ "ECAB-0003", 1, 50, 8 },	/* 7.5 */
		{ "ECAB-0004", 1, 70, 10 },	/* 10.5 */
		{ "ECAB-0005", 3, 11500 * 3, 5175 },
	};
	size_t i;

	memset(&err, 0, sizeof(err));
	settle_day_init(&d, date_of("2026-11-26"));
	ecab(&d, "GP", "ECAB-0005", 11500, 1050);
	ecab(&d, "GP", "ECAB-0001", 10, 0);
	ecab(&d, "BL", "ECAB-0004", 70, 100);
	ecab(&d, "ROBI", "ECAB-0002", 10, 0);
	ecab(&d, "GP", "ECAB-0005", 11500, 0);
	ecab(&d, "TT", "ECAB-0001", 20, 0);
	ecab(&d, "GP", "ECAB-0003", 50, 0);
	ecab(&d, "TT", "ECAB-0005", 11500, 500);
	bpo(&d, "GP", "1207", 8500);
	cr_assert_eq(settle_share_compute(&eng, &d, &t, &err), 0, "%s",
	    err.msg);

	cr_assert_eq(t.nmerchants, 5);
	for (i = 0; i < 5; i++) {
		const struct settle_merchant *m = &t.merchants[i];

		cr_expect_str_eq(m->id, want[i].id);
		cr_expect_eq(m->orders, want[i].orders, "%s orders", m->id);
		cr_expect_eq(m->goods, want[i].goods, "%s goods", m->id);
		cr_expect_eq(m->fee, want[i].fee, "%s fee %lld, want %lld",
		    m->id, (long long)m->fee, (long long)want[i].fee);
		cr_expect_eq(m->payout, m->goods - m->fee, "%s payout", m->id);
	}
	cr_expect_eq(t.goods, 30 + 10 + 50 + 70 + 34500);
	cr_expect_eq(t.dcb_fee, 4 + 2 + 8 + 10 + 5175);
	cr_expect_eq(t.merchant_payouts, t.goods - t.dcb_fee);
	cr_expect_eq(t.delivery, 1050 + 100 + 500);
	cr_expect_eq(t.postage, 8500);
	settle_totals_release(&t);
	settle_day_release(&d);
}

Test(share, compute_offices)
{
	struct settle_totals t;
	struct settle_err err;
	struct settle_day d;

	memset(&err, 0, sizeof(err));
	settle_day_init(&d, date_of("2026-11-26"));
	bpo(&d, "GP", "1207", 8500);
	bpo(&d, "BL", "1000", 12000);
	ecab(&d, "GP", "ECAB-0042", 11500, 1050);
	bpo(&d, "TT", "1207", 4500);
	bpo(&d, "ROBI", "9400", 100);
	cr_assert_eq(settle_share_compute(&eng, &d, &t, &err), 0, "%s",
	    err.msg);

	cr_assert_eq(t.noffices, 3);
	cr_expect_str_eq(t.offices[0].code, "1000");
	cr_expect_eq(t.offices[0].orders, 1);
	cr_expect_eq(t.offices[0].postage, 12000);
	cr_expect_str_eq(t.offices[1].code, "1207");
	cr_expect_eq(t.offices[1].orders, 2);
	cr_expect_eq(t.offices[1].postage, 13000);
	cr_expect_str_eq(t.offices[2].code, "9400");
	cr_expect_eq(t.offices[2].orders, 1);
	cr_expect_eq(t.offices[2].postage, 100);
	cr_expect_eq(t.postage, 25100);
	cr_expect_eq(t.nmerchants, 1);
	settle_totals_release(&t);
	settle_day_release(&d);
}

/* Every identity of SPEC §6 for the totals of one computed day. */
static void
expect_conserved(const struct settle_day *d, const struct settle_totals *t)
{
	int64_t net = 0, share = 0, fee = 0, payout = 0, goods = 0;
	size_t i;
	int k;

	for (k = 0; k < cf.nops; k++) {
		net += d->ops[k].matched_net;
		share += t->share[k];
	}
	for (i = 0; i < t->nmerchants; i++) {
		goods += t->merchants[i].goods;
		fee += t->merchants[i].fee;
		payout += t->merchants[i].payout;
	}
	cr_expect(t->ok, "ok is false");
	cr_expect_eq(t->matched_net, net);
	cr_expect_eq(t->operator_share, share);
	cr_expect_eq(t->goods, goods);
	cr_expect_eq(t->dcb_fee, fee);
	cr_expect_eq(t->merchant_payouts, payout);
	cr_expect_eq(t->matched_net, t->goods + t->delivery + t->postage);
	cr_expect_eq(t->bpo_income, t->delivery + t->postage + t->dcb_fee -
	    t->operator_share);
	cr_expect_eq(t->matched_net, t->operator_share + t->merchant_payouts +
	    t->bpo_income);
}

Test(share, compute_conservation)
{
	struct settle_totals t;
	struct settle_err err;
	struct settle_day d;
	int64_t want_share;

	memset(&err, 0, sizeof(err));
	settle_day_init(&d, date_of("2026-11-26"));
	ecab(&d, "GP", "ECAB-0042", 11500, 1050);
	ecab(&d, "GP", "ECAB-0042", 30000, 0);
	ecab(&d, "ROBI", "ECAB-0007", 45000, 2500);
	bpo(&d, "BL", "1207", 8500);
	bpo(&d, "TT", "1000", 333);
	cr_assert_eq(settle_share_compute(&eng, &d, &t, &err), 0, "%s",
	    err.msg);

	cr_expect_eq(t.matched_net, 12550 + 30000 + 47500 + 8500 + 333);
	cr_expect_eq(t.share[opi("GP")], 5106);		/* 5106.0 */
	cr_expect_eq(t.share[opi("ROBI")], 7125);	/* 7125.0 */
	cr_expect_eq(t.share[opi("BL")], 935);		/* 935.0 */
	cr_expect_eq(t.share[opi("TT")], 33);		/* 33.3 */
	want_share = 5106 + 7125 + 935 + 33;
	cr_expect_eq(t.operator_share, want_share);
	/* ECAB-0007: 6750; ECAB-0042: 41500 x 15 % = 6225. */
	cr_expect_eq(t.dcb_fee, 6750 + 6225);
	cr_expect_eq(t.merchant_payouts, 45000 - 6750 + 41500 - 6225);
	cr_expect_eq(t.bpo_income, 3550 + 8833 + 12975 - want_share);
	expect_conserved(&d, &t);
	settle_totals_release(&t);
	settle_day_release(&d);
}

Test(share, compute_conservation_random_days)
{
	static const char *const ops[] = { "BL", "GP", "ROBI", "TT" };
	static const char *const who[] = {
		"ECAB-0001", "ECAB-0002", "ECAB-0003", "1000", "1207", "9400"
	};
	struct settle_totals t;
	struct settle_err err;
	struct settle_day d;
	int64_t date = date_of("2026-10-20");
	int i, n, day;

	memset(&err, 0, sizeof(err));
	rng_state = UINT64_C(0xc0a5e7e2026);
	for (day = 0; day < 60; day++) {
		settle_day_init(&d, date + day);
		n = (int)pick(40);
		for (i = 0; i < n; i++) {
			if (pick(2))
				ecab(&d, ops[pick(4)], who[pick(3)],
				    1 + pick(5000000), pick(20000));
			else
				bpo(&d, ops[pick(4)], who[3 + pick(3)],
				    1 + pick(5000000));
		}
		cr_assert_eq(settle_share_compute(&eng, &d, &t, &err), 0,
		    "day %d: %s", day, err.msg);
		expect_conserved(&d, &t);
		settle_totals_release(&t);
		settle_day_release(&d);
	}
}

Test(share, compute_refuses_numbers_that_do_not_conserve)
{
	struct settle_totals t;
	struct settle_err err;
	struct settle_day d;

	settle_day_init(&d, date_of("2026-11-26"));
	ecab(&d, "GP", "ECAB-0042", 11500, 1050);
	/* A net that no match accounts for. */
	d.ops[opi("GP")].matched_net += 1;
	memset(&err, 0, sizeof(err));
	cr_expect_eq(settle_share_compute(&eng, &d, &t, &err), SETTLE_EDATA);
	cr_expect(!t.ok, "ok is true");
	cr_expect(strstr(err.msg, "conservation") != NULL, "message '%s'",
	    err.msg);
	settle_totals_release(&t);
	settle_day_release(&d);
}
