/*
 * memory-internal.h: memory for the library's large arrays, backed by transparent huge pages
 * where the kernel has them, and the growth of small parallel lists. Not installed; used by the
 * chain's arrays (src/chain.c), the exposures' per-contract arrays (src/exposure.c) and the
 * reader's lists (src/chain-row.c). src/memory.c holds it.
 *
 * Why: a page fault on 4 KiB pages costs about 1.5 us on this project's machine (a virtual
 * one), so the first touch of an array costs more than writing it; one 2 MiB page costs as much
 * as a few 4 KiB ones. Debian's kernels give huge pages only on request (THP "madvise"), and
 * malloc's large blocks begin just past a page boundary, so that their first and last 2 MiB
 * never take one. A mapping of its own, though, is new memory every time: a process that makes
 * and frees such arrays file after file would fault them in again each time, where malloc gives
 * back the memory it has (gex__big_alloc keeps malloc's blocks for that).
 */
#ifndef GEX_MEMORY_INTERNAL_H
#define GEX_MEMORY_INTERNAL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gex/error.h"

/* The size of a transparent huge page on x86-64 and arm64 (with 4 KiB base pages). */
#define GEX__HUGE_PAGE ((size_t)2 << 20)

/* bytes rounded up to a multiple of grain, a power of two. */
static inline size_t gex__round_up(size_t bytes, size_t grain)
{
    return (bytes + grain - 1) & ~(grain - 1);
}

/* A private anonymous mapping of len bytes (zeroed) beginning on a GEX__HUGE_PAGE boundary
 * and advised for huge pages (madvise MADV_HUGEPAGE, advice only: where the kernel has none to
 * give, or THP is off, the pages are the usual ones); NULL when there is no memory. munmap
 * frees it. */
char *gex__map_huge(size_t len);

/* gex__big_alloc puts arrays of this many bytes or more on whole huge pages and leaves smaller
 * ones to malloc: under one huge page, the rounding would cost more memory than the faults
 * cost time. */
#define GEX__BIG_MIN GEX__HUGE_PAGE

/* bytes of uninitialised memory (aligned for any type): from GEX__BIG_MIN bytes on, starting on
 * a GEX__HUGE_PAGE boundary inside a malloc'd block and advised for huge pages, so that a
 * process reusing such memory gets malloc's reuse and a first use gets huge pages; malloc's
 * below. NULL when there is none. gex__big_free frees it, given the same bytes. */
void *gex__big_alloc(size_t bytes);
void gex__big_free(void *p, size_t bytes);

/* The array whose pointer is at pp (the address of an object pointer: &r->mark_at) made n
 * elements of size bytes, its contents kept as realloc keeps them: GEX_OK with the new pointer
 * stored at pp, or GEX_ENOMEM with *pp as it was (no memory, or n * size beyond SIZE_MAX). For
 * the growing lists of the chain and the reader, whose parallel arrays each take one call. */
static inline int gex__realloc_array(void *pp, size_t n, size_t size)
{
    if (size > 0 && n > SIZE_MAX / size)
        return GEX_ENOMEM;
    void *old;
    memcpy(&old, pp, sizeof old); /* any object pointer, read as the void * it converts to */
    void *grown = realloc(old, n * size);
    if (grown == NULL)
        return GEX_ENOMEM;
    memcpy(pp, &grown, sizeof grown);
    return GEX_OK;
}

#endif
