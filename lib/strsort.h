/*
 * Sorting many items by a byte string, as strcmp orders them, without
 * chasing a pointer at every comparison: each item's key carries the
 * string's first 16 bytes as two big-endian words, and the string itself
 * is read only when those are equal.  Ties keep the items' given order.
 */
#ifndef SETTLE_STRSORT_H
#define SETTLE_STRSORT_H

#include <stddef.h>
#include <stdint.h>

struct settle_skey {
	uint64_t hi, lo;	/* the first 16 bytes, zero-padded */
	const char *s;		/* the NUL-terminated string */
	size_t i;		/* the item's index */
};

/* Fill k's words from k->s; set k->s and k->i first. */
void settle_skey_set(struct settle_skey *k);

/* Sort v[0..n) by string, then index.  0, or -1 when out of memory. */
int settle_skey_sort(struct settle_skey *v, size_t n);

/*
 * Visit items 0..n) in the order settle_skey_sort gives, holding keys for
 * about n / parts of them at a time: the items are split into parts of
 * consecutive keys (splitters drawn from a sample), and each part is
 * sorted and visited in turn.  key(ctx, i) is item i's string, or NULL
 * for no item; visit(ctx, i) is called once an item, in order, and a
 * non-zero result stops the walk.  hint, when not NULL, is told the items
 * key or visit will read a little ahead, so that it can start loading
 * their memory: hint(ctx, i, 0) some items ahead, then hint(ctx, i, 1)
 * nearer (for a second pointer the first leads to); it must read nothing
 * it has not been told of at level 0.  Returns 0, -1 when out of memory,
 * or visit's result.
 */
int settle_skey_visit(size_t n, size_t parts,
    const char *(*key)(void *ctx, size_t i),
    void (*hint)(void *ctx, size_t i, int level),
    int (*visit)(void *ctx, size_t i), void *ctx);

#endif
