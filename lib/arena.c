/*
 * Blocks of 1 MiB (a larger request gets a block of its own), chained and
 * freed together.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define BLOCK (1024 * 1024)
/* The engine's objects hold pointers and 64-bit integers at most. */
#define ALIGN 8

struct settle_ablock {
	struct settle_ablock *next;
	size_t size;
	_Alignas(ALIGN) char data[];
};

void
settle_arena_init(struct settle_arena *a)
{
	memset(a, 0, sizeof(*a));
}

void
settle_arena_release(struct settle_arena *a)
{
	struct settle_ablock *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	memset(a, 0, sizeof(*a));
}

/* n bytes at a multiple of align (a power of two up to ALIGN). */
static void *
take(struct settle_arena *a, size_t n, size_t align)
{
	struct settle_ablock *b;
	size_t size, pad;
	void *p;

	if (n > SIZE_MAX / 2)
		return NULL;
	if (n == 0)
		n = 1;
	pad = (size_t)(-(uintptr_t)a->p) & (align - 1);
	if (a->head != NULL && pad <= a->left && n <= a->left - pad) {
		p = a->p + pad;
		a->p += pad + n;
		a->left -= pad + n;
		return p;
	}
	size = n > BLOCK / 4 ? n : BLOCK;
	if ((b = malloc(sizeof(*b) + size)) == NULL)
		return NULL;
	b->size = size;
	a->total += size;
	if (n > BLOCK / 4 && a->head != NULL) {
		/* A big one goes behind the head, which keeps its room. */
		b->next = a->head->next;
		a->head->next = b;
		return b->data;
	}
	b->next = a->head;
	a->head = b;
	a->p = b->data + n;
	a->left = size - n;
	return b->data;
}

void *
settle_arena_alloc(struct settle_arena *a, size_t n)
{
	return take(a, n, ALIGN);
}

void *
settle_arena_zalloc(struct settle_arena *a, size_t n)
{
	void *p = settle_arena_alloc(a, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

char *
settle_arena_strndup(struct settle_arena *a, const char *s, size_t n)
{
	char *p = n < SIZE_MAX ? take(a, n + 1, 1) : NULL;

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}
