/*
 * The state carried from one business date to the next, as text files an
 * auditor can read (settle-state(5)).  A snapshot: the last date done,
 * month-to-date matched nets, the references still remembered with their
 * latest order, and the pending groups with their records (format version
 * 2).  An id file per run date: the charge ids accepted by that run, for
 * duplicate detection in the runs of the dedup window after it (version 1).
 */
#ifndef SETTLE_STATE_H
#define SETTLE_STATE_H

#include <stdio.h>

#include "csvio.h"
#include "engine.h"

#define SETTLE_STATE_VERSION 2
#define SETTLE_IDS_VERSION 1

/* Write e after the day e->date into f.  0 or SETTLE_EIO. */
int settle_state_write(const struct settle_engine *e, FILE *f);

/*
 * Read a state file into e (freshly initialised with the configuration).
 * Returns 0, SETTLE_ENOINPUT, or SETTLE_EDATA with err at the bad line.
 */
int settle_state_read(struct settle_engine *e, const char *path,
    struct settle_err *err);

/*
 * One operator's accepted ids for the run's id file: their lines go to an
 * unlinked temporary file (settle_tmpfile) as the operator's file is read,
 * so that the day's ids are not held in memory.  One thread a sink.
 */
struct settle_idsink {
	const char *op;			/* the operator's code */
	FILE *f;			/* opened at the first id */
	struct settle_out out;
	long n;				/* ids added */
	int err;			/* an errno value, once failed */
};

void settle_idsink_init(struct settle_idsink *s, const char *op);
void settle_idsink_release(struct settle_idsink *s);

/* Add an accepted id.  0, or -1 with s->err set. */
int settle_idsink_add(struct settle_idsink *s, const char *id, size_t len,
    uint64_t content, int64_t date);

/*
 * Write the id file of run date date into f: the sinks' ids in their order.
 * 0, or SETTLE_EIO with errno set.
 */
int settle_ids_write(int64_t date, struct settle_idsink *sinks, int n,
    FILE *f);

/*
 * Read the id file of run date date into e's duplicate tables, the ids of
 * business date from or later.  Returns 0, SETTLE_ENOINPUT, SETTLE_ENOMEM,
 * or SETTLE_EDATA with err at the bad line.
 */
int settle_ids_read(struct settle_engine *e, const char *path, int64_t date,
    int64_t from, struct settle_err *err);

#endif
