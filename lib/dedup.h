/*
 * Charge-id memory for DUPLICATE_ID / ID_CONFLICT, one table per operator.
 *
 * Each entry holds a 96-bit hash of the charge id, a 64-bit hash of the
 * record's canonical content and the business date of its charged_at (for
 * expiry after dedup_days).  24 bytes an entry; the table doubles when
 * three-quarters full.  Two different ids of the same operator share a
 * 96-bit hash with a chance of about n * n / 2^97 among n ids: below
 * 10^-13 for 80 million.
 */
#ifndef SETTLE_DEDUP_H
#define SETTLE_DEDUP_H

#include <stddef.h>
#include <stdint.h>

struct settle_dedup_entry {
	uint64_t id1;		/* with id2, the id's hash; both 0: empty */
	uint64_t content;
	uint32_t id2;		/* never 0 in an entry */
	int32_t date;		/* days since 1970-01-01 */
};

struct settle_dedup {
	struct settle_dedup_entry *slots;
	size_t cap, n;
};

void settle_dedup_init(struct settle_dedup *t);
void settle_dedup_release(struct settle_dedup *t);

enum { SETTLE_DEDUP_NEW, SETTLE_DEDUP_SAME, SETTLE_DEDUP_CONFLICT,
    SETTLE_DEDUP_NOMEM = -1 };

/*
 * Look the id up; when it is new, remember it with content and date.
 * Returns SETTLE_DEDUP_NEW, _SAME (same content: a duplicate), _CONFLICT,
 * or _NOMEM.
 */
int settle_dedup_check(struct settle_dedup *t, const char *id, size_t len,
    uint64_t content, int64_t date);

/*
 * The same check in steps, so that a reader can start loading the table's
 * memory early and parse the rest of its record meanwhile: _key fills the
 * id hashes of e, _prefetch hints the slot, _check_entry is
 * settle_dedup_check() with e's content and date.
 */
void settle_dedup_key(struct settle_dedup_entry *e, const char *id,
    size_t len);
void settle_dedup_prefetch(const struct settle_dedup *t,
    const struct settle_dedup_entry *e);
int settle_dedup_check_entry(struct settle_dedup *t,
    const struct settle_dedup_entry *e);

/* Insert a raw entry (loading state); returns 0 or -1. */
int settle_dedup_put(struct settle_dedup *t,
    const struct settle_dedup_entry *e);

/* 1 when the id hashes of e are in t (content and date ignored). */
int settle_dedup_has(struct settle_dedup *t,
    const struct settle_dedup_entry *e);

/* 64-bit hash of len bytes with a seed. */
uint64_t settle_hash64(const void *p, size_t len, uint64_t seed);

#endif
