/*
 * A hash map from byte strings to pointers.  Keys and values are borrowed:
 * a key must stay valid while its entry is in the map (the engine keeps
 * each reference's text in its entry).
 */
#ifndef SETTLE_STRMAP_H
#define SETTLE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

/* 24 bytes: the engine keeps one a reference of the dedup window. */
struct strmap_slot {
	const char *key;	/* NULL: empty; the tombstone marker: deleted */
	void *val;
	uint32_t len;
	uint32_t hash;		/* the low half of the key's 64-bit hash */
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap, n, used;
};

void strmap_init(struct strmap *m);
/* Free the table; keys and values are the caller's. */
void strmap_release(struct strmap *m);
void *strmap_get(const struct strmap *m, const char *key, size_t len);
/*
 * Make room for n entries in all, so that filling the map to n does not
 * grow it (growing holds the old table and the new one at once).  Returns
 * 0 or -1 (out of memory; the map is unchanged).
 */
int strmap_reserve(struct strmap *m, size_t n);
/* Insert or replace; returns 0 or -1 (out of memory, or a key of 4 GiB). */
int strmap_put(struct strmap *m, const char *key, size_t len, void *val);
void strmap_del(struct strmap *m, const char *key, size_t len);

/* Slot i (< m->cap) when it holds an entry, else NULL. */
const struct strmap_slot *strmap_slot_at(const struct strmap *m, size_t i);

/* Iterate: i from 0; returns the next live slot or NULL at the end. */
struct strmap_slot *strmap_next(const struct strmap *m, size_t *i);

#endif
