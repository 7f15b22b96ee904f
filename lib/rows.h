/*
 * A set of output rows with sort keys, kept in one arena so that a file's
 * rows can be held back until the file is accepted and then written in key
 * order.  Keys are byte strings compared with memcmp (a number is encoded
 * big-endian so that it sorts as a number).  Rows that arrive in key order
 * are not sorted again.
 *
 * A set given a memory budget (settle_rows_set_spill) keeps at most about
 * that many bytes of rows in memory: past it, the rows held are sorted and
 * moved to a temporary file as one run (see spill.h), and writing merges
 * the runs, so that memory does not grow with the number of rows.
 */
#ifndef SETTLE_ROWS_H
#define SETTLE_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

struct settle_row {
	size_t off;		/* into the arena: key bytes, then row bytes */
	uint32_t klen, rlen;
};

struct settle_spill;

struct settle_rows {
	char *arena;
	size_t alen, acap;
	struct settle_row *v;
	size_t n, cap;		/* rows in memory */
	int unsorted;		/* the rows in memory are out of key order */
	int failed;
	size_t budget;		/* spill past this many bytes; 0: never */
	struct settle_spill *spill;	/* NULL until a budget is set */
	size_t spilled;		/* rows moved to the spill file */
};

void settle_rows_init(struct settle_rows *s);
void settle_rows_release(struct settle_rows *s);
/*
 * The rows are written: give their memory and temporary file back.  The
 * set keeps only its count (settle_rows_count); release it as usual.
 */
void settle_rows_written(struct settle_rows *s);
/* Drop every row, keep the memory. */
void settle_rows_clear(struct settle_rows *s);

/* Add a row with its key.  Returns 0 or -1 (out of memory). */
int settle_rows_add(struct settle_rows *s, const void *key, size_t klen,
    const char *row, size_t rlen);

/*
 * Keep at most about budget bytes of rows in memory (rows, keys and their
 * index); past it, spill them to a temporary file in $TMPDIR or /tmp.
 * Call before adding rows.  Returns 0 or -1 (out of memory).
 */
int settle_rows_set_spill(struct settle_rows *s, size_t budget);

/* Sort by key (stable for equal keys). */
void settle_rows_sort(struct settle_rows *s);

/*
 * Write every row in order.  Returns 0 or -1.  A set that has spilled is
 * written in key order (stable) whether or not it was sorted; it can be
 * written again.
 */
int settle_rows_write(struct settle_rows *s, FILE *f);

/* Rows held, in memory and spilled. */
size_t settle_rows_count(const struct settle_rows *s);

/*
 * After settle_rows_add() or settle_rows_write() failed: when the set knows
 * why (out of memory, or its temporary file could not be created, written
 * or read), fill err (SETTLE_ENOMEM or SETTLE_EIO) and return that code;
 * otherwise (a failed write to the caller's FILE) return 0.
 */
int settle_rows_error(const struct settle_rows *s, struct settle_err *err);

/* Append a big-endian 64-bit number (sign-flipped) to a key buffer. */
size_t settle_key_int(unsigned char *k, int64_t v);

#endif
