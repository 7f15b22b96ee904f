/*
 * Sharing (SPEC §6): the operators' tiered share on the month-to-date
 * matched net, merchant payouts with the DCB fee, office postage, and the
 * conservation identities.
 */
#ifndef SETTLE_SHARE_H
#define SETTLE_SHARE_H

#include <stdint.h>

#include "config.h"
#include "engine.h"

/*
 * The share of a day: round(F(before + day)) - round(F(before)), F the
 * exact marginal tiered share, rounding half to even.  Returns 0, or -1 on
 * overflow.
 */
int settle_share_day(const struct settle_tier *t, int n, int64_t before,
    int64_t day, int64_t *share);

struct settle_merchant {
	const char *id;			/* borrowed from the day's matches */
	long orders;
	int64_t goods, fee, payout;
};

struct settle_office {
	char code[8];
	long orders;
	int64_t postage;
};

struct settle_totals {
	int64_t matched_net, goods, delivery, postage, operator_share,
	    dcb_fee, merchant_payouts, bpo_income;
	int ok;
	int64_t mtd_before[SETTLE_MAX_OPS], share[SETTLE_MAX_OPS];
	struct settle_merchant *merchants;	/* sorted by id */
	size_t nmerchants;
	struct settle_office *offices;		/* sorted by code */
	size_t noffices;
};

/*
 * Compute the day's shares, payouts, office totals and conservation from
 * the day's matches and the engine's month-to-date, then move the
 * month-to-date on.  Returns 0, SETTLE_ENOMEM, or SETTLE_EDATA when the
 * numbers do not conserve or overflow.
 */
int settle_share_compute(struct settle_engine *e, const struct settle_day *d,
    struct settle_totals *t, struct settle_err *err);
void settle_totals_release(struct settle_totals *t);

#endif
