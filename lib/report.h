/*
 * The outbox files of one business date (SPEC §8), rendered in memory so
 * that they can be checked, bundled and published together.
 */
#ifndef SETTLE_REPORT_H
#define SETTLE_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "charges.h"
#include "config.h"
#include "engine.h"
#include "rows.h"
#include "share.h"

#define SETTLE_MAX_FILES 48

struct settle_file {
	char name[96];
	char *data;		/* owned */
	size_t len;
};

struct settle_outputs {
	struct settle_file f[SETTLE_MAX_FILES];
	int n;
};

/* One operator's file rendered to a temporary file, read back by pread. */
struct settle_opfile {
	FILE *f;		/* NULL: none */
	size_t len;
};

/* What the run read for one operator. */
struct settle_opinput {
	struct settle_charge_totals tot;
	long ported;
	struct settle_rows rejects;	/* this operator's rejects */
};

struct settle_report_in {
	const struct settle_config *cf;
	int64_t date;
	struct settle_rows *charges;		/* accepted charges: one set */
	int ncharges;				/* per operator, in order */
	struct settle_rows *rejects;		/* every reject */
	struct settle_opinput *ops;		/* cf->nops of them */
	struct settle_day *day;
	const struct settle_totals *tot;
	/*
	 * Each operator's matches.csv, cf->nops of them, when the caller
	 * rendered them with settle_report_matches_split(): the report then
	 * leaves matches.csv out and the bundles take them from here.
	 */
	struct settle_opfile *opmatches;
};

/* Receives one rendered file; returns 0 or a negative code. */
typedef int (*settle_emit_fn)(void *ctx, const struct settle_file *f);

/*
 * Render the files of the outbox but charges.csv, rejects.csv (the caller
 * streams those from their row sets) and the bundles, one at a time: each
 * is handed to emit and freed before the next is rendered, so that only
 * one is in memory.  Numbers the day's disputes (dispute ids).  Returns 0,
 * SETTLE_ENOMEM or what emit returned.
 */
int settle_report_build(const struct settle_report_in *in,
    settle_emit_fn emit, void *ctx, struct settle_err *err);

/* The file called name in out, or NULL. */
const struct settle_file *settle_outputs_get(const struct settle_outputs *o,
    const char *name);

/*
 * Render one operator's statement, matches and disputes again as the
 * bundle's entries (statement.csv, matches.csv, disputes.csv, rejects.csv);
 * matches.csv is left out when in->opmatches holds it.
 */
int settle_report_bundle_files(const struct settle_report_in *in, int op,
    struct settle_outputs *out, struct settle_err *err);

/*
 * Render only matches.csv and disputes.csv (numbering the disputes); in
 * needs cf, date and day.  For settle match.
 */
int settle_report_match_files(const struct settle_report_in *in,
    struct settle_outputs *out, struct settle_err *err);

/*
 * Render the share table ("shares.csv": per operator matched groups and
 * net, month-to-date before, operator share, payable to BPO), payouts.csv
 * and offices.csv; in needs cf, date, day and tot.  For settle share.
 */
int settle_report_share_files(const struct settle_report_in *in,
    struct settle_outputs *out, struct settle_err *err);

/*
 * Write matches.csv, all operators, to f (path names it in errors) in one
 * pass, and each operator's rows to a temporary file, opmatches[k] (closed
 * by the caller), on the way.  0, SETTLE_ENOMEM, or SETTLE_EIO when a
 * file fails.
 */
int settle_report_matches_split(const struct settle_report_in *in, FILE *f,
    const char *path, struct settle_opfile *opmatches,
    struct settle_err *err);

/*
 * Sort the day's matches by order_ref now (the outputs do it when first
 * needed), so that the sort's memory is given back before other work.
 * 0 or SETTLE_ENOMEM.
 */
int settle_report_sort_matches(struct settle_day *d);

void settle_outputs_release(struct settle_outputs *o);

#endif
