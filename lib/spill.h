/*
 * Spill files: sorted runs of keyed rows kept in an unlinked temporary file,
 * so that a row set larger than its memory budget can still be written in
 * key order.  Runs are appended one after another; writing merges them
 * (k-way, stable: for equal keys the earlier run wins) or, when they were
 * appended in key order already, simply copies them in turn.
 *
 * The temporary file is made in $TMPDIR, else /tmp, on the first run, and
 * unlinked at once: it never outlives the process.  Memory is bounded: at
 * most SETTLE_SPILL_FANIN runs are read at once, each through a small
 * buffer; more runs are first merged into longer ones.
 */
#ifndef SETTLE_SPILL_H
#define SETTLE_SPILL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SETTLE_SPILL_FANIN 64

/* One keyed row; the pointers are borrowed. */
struct settle_spill_rec {
	const unsigned char *key;
	const char *row;
	uint32_t klen, rlen;
};

/* A source of records in key order: 1 with *r filled, 0 at its end. */
typedef int (*settle_spill_next_fn)(void *ctx, struct settle_spill_rec *r);

struct settle_spill;

/* A spill with no file yet; NULL when out of memory.  Free with _free. */
struct settle_spill *settle_spill_new(void);
void settle_spill_free(struct settle_spill *sp);

/* Drop every run; the file, if any, is kept open and emptied. */
void settle_spill_clear(struct settle_spill *sp);

/*
 * Append the records of next (in key order) as one run; the records it
 * hands out must stay valid until this returns.  Returns 0, or -1 with the
 * reason kept for settle_spill_strerror().
 */
int settle_spill_add_run(struct settle_spill *sp, settle_spill_next_fn next,
    void *ctx);

/*
 * Write the row bytes of every run, merged with the records of tail (key
 * order; NULL for none), which sort after the runs among equal keys.
 * Runs are kept: the spill can be written again.  Returns 0 or -1 (an
 * error of the temporary file, see settle_spill_strerror(); or of f, when
 * that is clear).
 */
int settle_spill_write(struct settle_spill *sp, settle_spill_next_fn tail,
    void *ctx, FILE *f);

/* Write the row bytes of every record of next, in its order: 0 or -1. */
int settle_spill_copy(settle_spill_next_fn next, void *ctx, FILE *f);

/* Why the last call failed ("" when it did not fail on the spill file). */
const char *settle_spill_strerror(const struct settle_spill *sp);

#endif
