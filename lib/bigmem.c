/*
 * Large buffers on huge pages where there are any.
 */
#define _DEFAULT_SOURCE		/* MADV_HUGEPAGE, where there is one */

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bigmem.h"

#define HUGE_PAGE (2 * 1024 * 1024)

void *
settle_bigmem_alloc(size_t bytes)
{
	void *p;

	if (bytes < HUGE_PAGE)
		return malloc(bytes);
	if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

void
settle_bigmem_hint(void *p, size_t bytes)
{
	uintptr_t a = (uintptr_t)p, e = a + bytes;
	long pg = sysconf(_SC_PAGESIZE);

	if (bytes < HUGE_PAGE || pg <= 0)
		return;
	/*
	 * The whole mapping, to its page edges: advice on part of it would
	 * split it, and a split mapping can no longer be moved by realloc.
	 */
	a &= ~(uintptr_t)(pg - 1);
	e = (e + (uintptr_t)pg - 1) & ~(uintptr_t)(pg - 1);
#ifdef MADV_HUGEPAGE
	(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#endif
}

void *
settle_bigmem_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void
settle_bigmem_unmap(void *p, size_t bytes)
{
	if (p != NULL)
		(void)munmap(p, bytes);
}
