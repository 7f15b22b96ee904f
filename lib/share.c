/*
 * Shares, payouts and conservation.  All arithmetic is integer: tier
 * shares are kept exact as basis-point numerators in 128 bits and rounded
 * once, half to even, by settle_money_div_round128().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "money.h"
#include "share.h"
#include "strmap.h"
#include "strsort.h"
#include "timefmt.h"

/* Sum over tiers of bps x the part of x inside the tier. */
static __int128
tier_num(const struct settle_tier *t, int n, int64_t x)
{
	__int128 num = 0;
	int64_t lo = 0, hi;
	int i;

	for (i = 0; i < n && x > lo; i++) {
		hi = t[i].upto < 0 || t[i].upto > x ? x : t[i].upto;
		num += (__int128)(hi - lo) * t[i].bps;
		lo = hi;
	}
	return num;
}

int
settle_share_day(const struct settle_tier *t, int n, int64_t before,
    int64_t day, int64_t *share)
{
	int64_t after, a, b;

	if (before < 0 || day < 0 || settle_money_add(before, day, &after) < 0)
		return -1;
	if (settle_money_div_round128(tier_num(t, n, after), 10000, &a) < 0 ||
	    settle_money_div_round128(tier_num(t, n, before), 10000, &b) < 0)
		return -1;
	*share = a - b;
	return 0;
}

/* One merchant's or office's sum, found by its key in a map. */
struct agg {
	const char *key;
	long orders;
	int64_t sum;
};

struct aggset {
	struct strmap map;		/* key -> struct agg */
	struct settle_arena mem;	/* the struct aggs */
	struct agg **v;			/* in the order first seen */
	size_t n, cap;
};

static const char *
agg_key(const void *val)
{
	return ((const struct agg *)val)->key;
}

static void
agg_init(struct aggset *a)
{
	memset(a, 0, sizeof(*a));
	strmap_init(&a->map, agg_key);
	settle_arena_init(&a->mem);
}

static void
agg_release(struct aggset *a)
{
	strmap_release(&a->map);
	settle_arena_release(&a->mem);
	free(a->v);
}

/* Add amt to key's sum.  0, SETTLE_ENOMEM or SETTLE_EDATA (overflow). */
static int
agg_add(struct aggset *a, const char *key, int64_t amt)
{
	size_t len = strlen(key), ncap;
	struct agg *g = strmap_get(&a->map, key, len), **nv;

	if (g == NULL) {
		if (a->n == a->cap) {
			ncap = a->cap ? a->cap * 2 : 256;
			if ((nv = realloc(a->v, ncap * sizeof(*nv))) == NULL)
				return SETTLE_ENOMEM;
			a->v = nv;
			a->cap = ncap;
		}
		if ((g = settle_arena_zalloc(&a->mem, sizeof(*g))) == NULL)
			return SETTLE_ENOMEM;
		g->key = key;
		a->v[a->n++] = g;
		if (strmap_put(&a->map, key, len, g) < 0)
			return SETTLE_ENOMEM;
	}
	g->orders++;
	return settle_money_add(g->sum, amt, &g->sum) < 0 ? SETTLE_EDATA : 0;
}

/* The set's keys sorted: an index array (caller frees), or NULL. */
static size_t *
agg_order(const struct aggset *a)
{
	struct settle_skey *k = malloc((a->n + 1) * sizeof(*k));
	size_t *o = malloc((a->n + 1) * sizeof(*o)), i;

	if (k == NULL || o == NULL)
		goto fail;
	for (i = 0; i < a->n; i++) {
		k[i].s = a->v[i]->key;
		k[i].i = i;
		settle_skey_set(&k[i]);
	}
	if (settle_skey_sort(k, a->n) < 0)
		goto fail;
	for (i = 0; i < a->n; i++)
		o[i] = k[i].i;
	free(k);
	return o;
fail:
	free(k);
	free(o);
	return NULL;
}

/*
 * Per merchant and per office sums over the day's matches, in one look at
 * each match, in tables as large as the distinct merchants and offices;
 * the day's delivery and postage on the way.
 */
static int
aggregate(const struct settle_day *d, struct settle_totals *t)
{
	const struct settle_match *m;
	struct settle_match mv;
	struct aggset mer, off;
	size_t i, *om = NULL, *oo = NULL;
	int rc = 0;

	agg_init(&mer);
	agg_init(&off);
	for (i = 0; i < d->nmatches && rc == 0; i++) {
		settle_day_prefetch_ahead(d, i);
		m = settle_day_match(d, i, &mv, NULL, NULL);
		if (m->kind == SO_ECAB) {
			rc = agg_add(&mer, m->merchant, m->goods);
			if (rc == 0 && settle_money_add(t->delivery,
			    m->delivery, &t->delivery) < 0)
				rc = SETTLE_EDATA;
		} else {
			rc = agg_add(&off, m->office, m->postage);
			if (rc == 0 && settle_money_add(t->postage, m->postage,
			    &t->postage) < 0)
				rc = SETTLE_EDATA;
		}
	}
	if (rc == 0 && ((om = agg_order(&mer)) == NULL ||
	    (oo = agg_order(&off)) == NULL ||
	    (t->merchants = calloc(mer.n + 1, sizeof(*t->merchants))) ==
	    NULL || (t->offices = calloc(off.n + 1, sizeof(*t->offices))) ==
	    NULL))
		rc = SETTLE_ENOMEM;
	for (i = 0; i < mer.n && rc == 0; i++) {
		t->merchants[i].id = mer.v[om[i]]->key;
		t->merchants[i].orders = mer.v[om[i]]->orders;
		t->merchants[i].goods = mer.v[om[i]]->sum;
	}
	for (i = 0; i < off.n && rc == 0; i++) {
		snprintf(t->offices[i].code, sizeof(t->offices[0].code), "%s",
		    off.v[oo[i]]->key);
		t->offices[i].orders = off.v[oo[i]]->orders;
		t->offices[i].postage = off.v[oo[i]]->sum;
	}
	if (rc == 0) {
		t->nmerchants = mer.n;
		t->noffices = off.n;
	}
	free(om);
	free(oo);
	agg_release(&mer);
	agg_release(&off);
	return rc;
}

void
settle_totals_release(struct settle_totals *t)
{
	free(t->merchants);
	free(t->offices);
	memset(t, 0, sizeof(*t));
}

/* Month-to-date before the day: zero on a new month (at +06:00). */
static int64_t
mtd_before(struct settle_engine *e, int op, const char *month)
{
	if (strcmp(e->mtd_month[op], month) != 0) {
		memcpy(e->mtd_month[op], month, 8);
		e->mtd[op] = 0;
	}
	return e->mtd[op];
}

static int
operator_shares(struct settle_engine *e, const struct settle_day *d,
    struct settle_totals *t, struct settle_err *err)
{
	const struct settle_config *c = e->cf;
	char month[16];
	int i;

	settle_date_fmt(d->date, month);
	month[7] = '\0';
	for (i = 0; i < c->nops; i++) {
		t->mtd_before[i] = mtd_before(e, i, month);
		if (settle_share_day(c->ops[i].tiers, c->ops[i].ntiers,
		    t->mtd_before[i], d->ops[i].matched_net, &t->share[i]) < 0 ||
		    settle_money_add(e->mtd[i], d->ops[i].matched_net,
		    &e->mtd[i]) < 0 || settle_money_add(t->matched_net,
		    d->ops[i].matched_net, &t->matched_net) < 0 ||
		    settle_money_add(t->operator_share, t->share[i],
		    &t->operator_share) < 0)
			return settle_err_set(err, SETTLE_EDATA, NULL, 0, NULL,
			    "operator %s: share arithmetic overflows",
			    c->ops[i].code);
	}
	return 0;
}

static int
merchant_payouts(const struct settle_engine *e, struct settle_totals *t)
{
	int64_t fee_num;
	size_t i;

	for (i = 0; i < t->nmerchants; i++) {
		struct settle_merchant *m = &t->merchants[i];

		if (settle_money_mul(m->goods, e->cf->dcb_fee_bps, &fee_num) < 0)
			return -1;
		m->fee = settle_money_div_round(fee_num, 10000);
		m->payout = m->goods - m->fee;
		if (settle_money_add(t->goods, m->goods, &t->goods) < 0 ||
		    settle_money_add(t->dcb_fee, m->fee, &t->dcb_fee) < 0 ||
		    settle_money_add(t->merchant_payouts, m->payout,
		    &t->merchant_payouts) < 0)
			return -1;
	}
	return 0;
}

static int
conserve(struct settle_totals *t)
{
	int64_t parts, whole, bpo;

	/* Delivery and postage were summed with the payouts. */
	if (settle_money_add(t->delivery, t->postage, &bpo) < 0 ||
	    settle_money_add(bpo, t->dcb_fee, &bpo) < 0 ||
	    settle_money_sub(bpo, t->operator_share, &t->bpo_income) < 0 ||
	    settle_money_add(t->goods, t->delivery, &parts) < 0 ||
	    settle_money_add(parts, t->postage, &parts) < 0 ||
	    settle_money_add(t->operator_share, t->merchant_payouts,
	    &whole) < 0 || settle_money_add(whole, t->bpo_income, &whole) < 0)
		return -1;
	t->ok = t->matched_net == parts && parts == whole;
	return 0;
}

int
settle_share_compute(struct settle_engine *e, const struct settle_day *d,
    struct settle_totals *t, struct settle_err *err)
{
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = aggregate(d, t)) < 0)
		return settle_err_set(err, rc, NULL, 0, NULL, rc ==
		    SETTLE_EDATA ? "payout arithmetic overflows" :
		    "out of memory");
	if (operator_shares(e, d, t, err) < 0)
		return SETTLE_EDATA;
	if (merchant_payouts(e, t) < 0 || conserve(t) < 0)
		return settle_err_set(err, SETTLE_EDATA, NULL, 0, NULL,
		    "payout arithmetic overflows");
	if (!t->ok)
		return settle_err_set(err, SETTLE_EDATA, NULL, 0, NULL,
		    "conservation fails: matched net %lld, goods + delivery + "
		    "postage %lld, shares + payouts + BPO income %lld",
		    (long long)t->matched_net, (long long)(t->goods +
		    t->delivery + t->postage), (long long)(t->operator_share +
		    t->merchant_payouts + t->bpo_income));
	return 0;
}
