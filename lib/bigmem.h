/*
 * Large buffers that are filled at once: the charge-id table, a row set's
 * arena.  Where the kernel offers transparent huge pages they are asked
 * for, so that filling a buffer of many megabytes costs a few page faults
 * rather than one every 4 KiB.  The hint changes no result.
 */
#ifndef SETTLE_BIGMEM_H
#define SETTLE_BIGMEM_H

#include <stddef.h>

/*
 * bytes of uninitialised memory, or NULL.  Release with free(); do not
 * realloc().
 */
void *settle_bigmem_alloc(size_t bytes);

/*
 * Ask for huge pages for a large buffer p (bytes long) from malloc() or
 * realloc(): for the pages it has not touched yet.
 */
void settle_bigmem_hint(void *p, size_t bytes);

/*
 * bytes of zeroed memory mapped on their own, whose pages are taken only
 * when first touched and given back to the system by settle_bigmem_unmap()
 * at once, whichever thread does it; or NULL.  For buffers filled on one
 * thread and dropped piecemeal on another.
 */
void *settle_bigmem_map(size_t bytes);
void settle_bigmem_unmap(void *p, size_t bytes);

#endif
