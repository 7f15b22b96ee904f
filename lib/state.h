/*
 * The state carried from one business date to the next, as a text file an
 * auditor can read (settle-state(5)): the last date done, month-to-date
 * matched nets, the charge ids of the dedup window, the references still
 * remembered with their latest order, and the pending groups with their
 * records.  Format version 1.
 */
#ifndef SETTLE_STATE_H
#define SETTLE_STATE_H

#include <stdio.h>

#include "engine.h"

#define SETTLE_STATE_VERSION 1

/* Write e after the day e->date into f.  0 or SETTLE_EIO. */
int settle_state_write(const struct settle_engine *e, FILE *f);

/*
 * Read a state file into e (freshly initialised with the configuration).
 * Returns 0, SETTLE_ENOINPUT, or SETTLE_EDATA with err at the bad line.
 */
int settle_state_read(struct settle_engine *e, const char *path,
    struct settle_err *err);

#endif
