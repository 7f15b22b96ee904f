/*
 * Reading one operator charge file (SPEC §3): records to canonical charges
 * or rejects, then the control totals.  A file whose totals, header or
 * trailer disagree is refused: settle_charges_read() returns SETTLE_EDATA
 * after the callbacks have seen its rows, so callers buffer what they get
 * and drop it on refusal.
 */
#ifndef SETTLE_CHARGES_H
#define SETTLE_CHARGES_H

#include <stddef.h>
#include <stdint.h>

#include "dedup.h"
#include "dialect.h"
#include "error.h"

enum settle_kind { SK_CHARGE, SK_REFUND };
enum settle_status { SS_SUCCESS, SS_FAILED };

/* Reject reasons, charges and orders, in the SPEC's precedence. */
enum settle_reason {
	SR_NONE, SR_MALFORMED, SR_BAD_MSISDN, SR_BAD_AMOUNT, SR_BAD_TIME,
	SR_BAD_KIND, SR_BAD_STATUS, SR_FUTURE, SR_STALE, SR_DUPLICATE_ID,
	SR_ID_CONFLICT, SR_BAD_TRACKING, SR_BAD_OFFICE, SR_DUPLICATE_REF
};

const char *settle_reason_name(int reason);
const char *settle_kind_name(int kind);
const char *settle_status_name(int status);

struct settle_charge {
	const char *op;
	const char *id;
	size_t id_len;
	char msisdn[16];
	int64_t amount;
	int64_t at;
	const char *ref;
	size_t ref_len;
	int kind, status;
	const char *file;
	long line;
};

struct settle_reject {
	const char *file;
	long line;
	int reason;
	const char *detail;
	const char *raw;
	size_t raw_len;
	int amount_readable;	/* the amount field read (for statements) */
	int64_t amount;
};

struct settle_charge_opts {
	int have_date;		/* apply FUTURE and STALE */
	int64_t date;		/* business date, days */
	int dedup_days;
	struct settle_dedup *dedup;	/* this operator's ids; required */
};

struct settle_charge_totals {
	long records;		/* detail records, as the trailer counts */
	int64_t sum;		/* control sum */
	long rejected;
	int64_t rejected_sum;
	long failed;
	int64_t failed_sum;
	long charges;
	int64_t charges_sum;
	long refunds;
	int64_t refunds_sum;
};

typedef int (*settle_charge_fn)(void *ctx, const struct settle_charge *c);
typedef int (*settle_reject_fn)(void *ctx, const struct settle_reject *r);

/*
 * Read path ("-": standard input), shown as name (its base name).  Calls
 * on_charge for each accepted record and on_reject for each rejected one,
 * in file order; a callback returning < 0 stops the read with that code.
 * Returns 0, SETTLE_EDATA (file refused, err says why, with file:line),
 * SETTLE_ENOINPUT or SETTLE_EIO.
 */
int settle_charges_read(const struct settle_dialect *d, const char *path,
    const char *name, const struct settle_charge_opts *o,
    settle_charge_fn on_charge, settle_reject_fn on_reject, void *ctx,
    struct settle_charge_totals *tot, struct settle_err *err);

/* Hash of a charge's canonical content, for duplicate detection. */
uint64_t settle_charge_content(const struct settle_charge *c);

#endif
