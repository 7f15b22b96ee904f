/*
 * A set of output rows with sort keys, kept in one arena so that a file's
 * rows can be held back until the file is accepted and then written in key
 * order.  Keys are byte strings compared with memcmp (a number is encoded
 * big-endian so that it sorts as a number).  Rows that arrive in key order
 * are not sorted again.
 */
#ifndef SETTLE_ROWS_H
#define SETTLE_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct settle_row {
	size_t off;		/* into the arena: key bytes, then row bytes */
	uint32_t klen, rlen;
};

struct settle_rows {
	char *arena;
	size_t alen, acap;
	struct settle_row *v;
	size_t n, cap;
	int unsorted;
	int failed;
};

void settle_rows_init(struct settle_rows *s);
void settle_rows_release(struct settle_rows *s);
/* Drop every row, keep the memory. */
void settle_rows_clear(struct settle_rows *s);

/* Add a row with its key.  Returns 0 or -1 (out of memory). */
int settle_rows_add(struct settle_rows *s, const void *key, size_t klen,
    const char *row, size_t rlen);

/* Sort by key (stable for equal keys). */
void settle_rows_sort(struct settle_rows *s);

/* Write every row in order.  Returns 0 or -1. */
int settle_rows_write(struct settle_rows *s, FILE *f);

/* Append a big-endian 64-bit number (sign-flipped) to a key buffer. */
size_t settle_key_int(unsigned char *k, int64_t v);

#endif
