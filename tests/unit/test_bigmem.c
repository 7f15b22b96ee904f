/*
 * Unit tests for lib/bigmem: large buffers are usable end to end and
 * released with free(), small and large alike.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"

Test(bigmem, small_and_large)
{
	static const size_t sizes[] = { 1, 4096, (2u << 20) - 1, 2u << 20,
	    (5u << 20) + 3 };
	size_t i;
	unsigned char *p;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = settle_bigmem_alloc(sizes[i]);
		cr_assert_not_null(p, "%zu bytes", sizes[i]);
		memset(p, 0xa5, sizes[i]);
		cr_expect_eq(p[0], 0xa5);
		cr_expect_eq(p[sizes[i] - 1], 0xa5);
		free(p);
	}
}

/* Large buffers start on a huge-page boundary, where the hint can work. */
Test(bigmem, large_ones_aligned)
{
	void *p = settle_bigmem_alloc(4u << 20);

	cr_assert_not_null(p);
	cr_expect_eq((uintptr_t)p % (2u << 20), 0);
	free(p);
}

/* A hinted buffer keeps growing by realloc with its contents. */
Test(bigmem, hint_then_realloc)
{
	size_t n = 3u << 20, i;
	unsigned char *p = malloc(n), *q;

	cr_assert_not_null(p);
	settle_bigmem_hint(p, n);
	settle_bigmem_hint(p, 100);
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7);
	q = realloc(p, 2 * n);
	cr_assert_not_null(q);
	settle_bigmem_hint(q, 2 * n);
	memset(q + n, 0, n);
	for (i = 0; i < n; i++)
		cr_assert_eq(q[i], (unsigned char)(i * 7), "byte %zu", i);
	free(q);
}
