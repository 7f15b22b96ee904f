/*
 * Reading canonical CSV back: the charges of settle ingest (or an outbox's
 * charges.csv), the orders of settle orders, and matches.csv, for the
 * auditors' pipelines (settle match, settle share).  Text fields lose the
 * "'" that the writer put before a leading = + - @ tab or CR.
 */
#ifndef SETTLE_CANONREAD_H
#define SETTLE_CANONREAD_H

#include "charges.h"
#include "engine.h"
#include "orders.h"

/*
 * Read canonical charges from path ("-": standard input), calling fn for
 * each row.  Returns 0 or SETTLE_EDATA (with file:line and field),
 * SETTLE_ENOINPUT, SETTLE_EIO.
 */
int settle_canon_read_charges(const char *path, settle_charge_fn fn,
    void *ctx, struct settle_err *err);

/* Read canonical orders (settle orders' output). */
int settle_canon_read_orders(const char *path, settle_order_fn fn,
    void *ctx, struct settle_err *err);

/* Read matches.csv rows into d (matches appended). */
int settle_canon_read_matches(const char *path, struct settle_day *d,
    struct settle_err *err);

#endif
