/*
 * A hash map from byte strings to values that carry their own keys: the
 * map keeps, for each entry, the value, the key's length and 32 bits of its
 * hash, and asks key(value) for the key's bytes (the engine's references
 * hold their text).  Values are borrowed and must stay valid while in the
 * map.
 */
#ifndef SETTLE_STRMAP_H
#define SETTLE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

/* 16 bytes: the engine keeps one a reference of the dedup window. */
struct strmap_slot {
	void *val;		/* NULL: empty; the tombstone marker: deleted */
	uint32_t len;		/* the key's length */
	uint32_t hash;		/* the low half of the key's 64-bit hash */
};

/* The key of a value in the map (len bytes, the length it was put with). */
typedef const char *(*strmap_key_fn)(const void *val);

struct strmap {
	struct strmap_slot *slots;
	size_t cap, n, used;
	strmap_key_fn key;
};

void strmap_init(struct strmap *m, strmap_key_fn key);
/* Free the table; the values are the caller's. */
void strmap_release(struct strmap *m);
void *strmap_get(const struct strmap *m, const char *key, size_t len);
/*
 * Room for n entries in all, so that filling the map to n does not grow
 * it (growing holds the old table and the new one at once).  Returns 0 or
 * -1 (out of memory; the map is unchanged).
 */
int strmap_reserve(struct strmap *m, size_t n);
/*
 * Insert or replace val, whose key is key[0..len).  Returns 0 or -1 (out of
 * memory, or a key of 4 GiB).
 */
int strmap_put(struct strmap *m, const char *key, size_t len, void *val);
void strmap_del(struct strmap *m, const char *key, size_t len);

/*
 * Hints for a strmap_get() or strmap_put() of key to come: prefetch starts
 * loading the slot the key's search begins at; peek, once that is likely
 * loaded, returns the value of the first slot from there with the key's
 * hash and length (the key itself not compared: a guess, for hints only),
 * or NULL.
 */
void strmap_prefetch(const struct strmap *m, const char *key, size_t len);
void *strmap_peek(const struct strmap *m, const char *key, size_t len);

/* Slot i (< m->cap) when it holds an entry, else NULL. */
const struct strmap_slot *strmap_slot_at(const struct strmap *m, size_t i);

/* Iterate: i from 0; returns the next live slot or NULL at the end. */
struct strmap_slot *strmap_next(const struct strmap *m, size_t *i);

#endif
