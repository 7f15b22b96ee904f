/*
 * A bump allocator for the many small objects of a run (references,
 * groups, records, ids, the day's strings): no per-object header, and
 * everything is given back at once.  Not thread-safe; one per owner.
 */
#ifndef SETTLE_ARENA_H
#define SETTLE_ARENA_H

#include <stddef.h>

struct settle_ablock;

struct settle_arena {
	struct settle_ablock *head;
	char *p;		/* next free byte of the head block */
	size_t left;		/* bytes free there */
	size_t total;		/* bytes held in blocks */
};

void settle_arena_init(struct settle_arena *a);
/* Free every block. */
void settle_arena_release(struct settle_arena *a);

/*
 * n bytes aligned to 8 (pointers and 64-bit integers; not long double), or
 * NULL when out of memory.
 */
void *settle_arena_alloc(struct settle_arena *a, size_t n);
/* n zeroed bytes, or NULL. */
void *settle_arena_zalloc(struct settle_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n), or NULL. */
char *settle_arena_strndup(struct settle_arena *a, const char *s, size_t n);

#endif
