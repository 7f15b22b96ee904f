/*
 * Shares, payouts and conservation.  All arithmetic is integer: tier
 * shares are kept exact as basis-point numerators in 128 bits and rounded
 * once, half to even, by settle_money_div_round128().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "share.h"
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

/*
 * Per merchant and per office sums over the day's matches, in one look at
 * each match: sort the ECAB matches by merchant and the BPO ones by office,
 * and add up each run; the day's delivery and postage on the way.
 */
static int
aggregate(const struct settle_day *d, struct settle_totals *t)
{
	const struct settle_match *m;
	struct settle_match mv;
	struct settle_skey *v;
	int64_t *amt;
	size_t i, ne = 0, nb = 0, n = d->nmatches, nm = 0, no = 0, k;
	int rc = SETTLE_ENOMEM;

	v = malloc((n + 1) * sizeof(*v));
	amt = malloc((n + 1) * sizeof(*amt));
	if (v == NULL || amt == NULL)
		goto out;
	/* ECAB keys from the front, BPO keys from the back. */
	for (i = 0; i < n; i++) {
		m = settle_day_match(d, i, &mv, NULL, NULL);
		if (m->kind == SO_ECAB) {
			k = ne++;
			v[k].s = m->merchant;
			amt[i] = m->goods;
			if (settle_money_add(t->delivery, m->delivery,
			    &t->delivery) < 0)
				goto overflow;
		} else {
			k = n - 1 - nb++;
			v[k].s = m->office;
			amt[i] = m->postage;
			if (settle_money_add(t->postage, m->postage,
			    &t->postage) < 0)
				goto overflow;
		}
		v[k].i = i;
		settle_skey_set(&v[k]);
	}
	if (settle_skey_sort(v, ne) < 0 || settle_skey_sort(v + ne, nb) < 0)
		goto out;
	/* As many entries as distinct merchants and offices. */
	for (i = 0; i < n; i++)
		if (i == 0 || i == ne || strcmp(v[i].s, v[i - 1].s) != 0)
			*(i < ne ? &nm : &no) += 1;
	t->merchants = calloc(nm + 1, sizeof(*t->merchants));
	t->offices = calloc(no + 1, sizeof(*t->offices));
	if (t->merchants == NULL || t->offices == NULL)
		goto out;
	for (i = 0; i < ne; i++) {
		if (t->nmerchants == 0 || strcmp(t->merchants[
		    t->nmerchants - 1].id, v[i].s) != 0)
			t->merchants[t->nmerchants++].id = v[i].s;
		t->merchants[t->nmerchants - 1].orders++;
		if (settle_money_add(t->merchants[t->nmerchants - 1].goods,
		    amt[v[i].i], &t->merchants[t->nmerchants - 1].goods) < 0)
			goto overflow;
	}
	for (i = ne; i < n; i++) {
		if (t->noffices == 0 || strcmp(t->offices[
		    t->noffices - 1].code, v[i].s) != 0)
			snprintf(t->offices[t->noffices++].code,
			    sizeof(t->offices[0].code), "%s", v[i].s);
		t->offices[t->noffices - 1].orders++;
		if (settle_money_add(t->offices[t->noffices - 1].postage,
		    amt[v[i].i], &t->offices[t->noffices - 1].postage) < 0)
			goto overflow;
	}
	rc = 0;
	goto out;
overflow:
	rc = SETTLE_EDATA;
out:
	free(v);
	free(amt);
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
