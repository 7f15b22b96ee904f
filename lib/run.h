/*
 * The nightly run (SPEC §8): every step for one business date, published
 * atomically, with the state moved on only after the outputs are in place.
 */
#ifndef SETTLE_RUN_H
#define SETTLE_RUN_H

#include <stdint.h>

#include "error.h"

struct settle_run_opts {
	const char *config;
	int64_t date;
	int force;
	int bundle_level;		/* gzip level of the bundles, 1..9 */
	/* Called with a progress message, or NULL. */
	void (*progress)(void *ctx, const char *msg);
	void *ctx;
};

struct settle_run_result {
	int noop;			/* the date was already done */
	char outdir[1100];
	char summary[1800];
};

/*
 * Run one date.  Returns 0 or a negative code with err filled:
 * SETTLE_EUSAGE (dates out of order), SETTLE_ECONFIG, SETTLE_ENOINPUT (an
 * input missing), SETTLE_EDATA (a refused file, a bad state file or
 * conservation failing), SETTLE_ELOCK, SETTLE_ECREATE, SETTLE_EIO.
 */
int settle_run(const struct settle_run_opts *o, struct settle_run_result *res,
    struct settle_err *err);

#endif
