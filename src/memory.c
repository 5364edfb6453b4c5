/* Memory for large arrays, on transparent huge pages where the kernel has them
 * (memory-internal.h). */
#include "memory-internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

char *gex__map_huge(size_t len)
{
    if (len == 0 || len > SIZE_MAX - GEX__HUGE_PAGE)
        return NULL;
    /* a huge page more than asked, then the parts before the first boundary and after the
     * length given back */
    char *m = mmap(NULL, len + GEX__HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    char *base = m + (gex__round_up((uintptr_t)m, GEX__HUGE_PAGE) - (uintptr_t)m);
    if (base > m)
        munmap(m, (size_t)(base - m));
    if (m + len + GEX__HUGE_PAGE > base + len)
        munmap(base + len, (size_t)(m + len + GEX__HUGE_PAGE - (base + len)));
#ifdef MADV_HUGEPAGE
    (void)madvise(base, len, MADV_HUGEPAGE); /* advice: failure is harmless */
#endif
    return base;
}

void *gex__big_alloc(size_t bytes)
{
    if (bytes < GEX__BIG_MIN)
        return malloc(bytes > 0 ? bytes : 1);
    /* malloc's block, so that a process that allocates such arrays again and again (history,
     * the server) gets back memory already faulted in, as malloc gives it (its threshold for
     * mapping a block rises to the size of the blocks freed). The array starts on the first
     * huge-page boundary in it, past a word that holds the block's start, and whole huge pages
     * from there are in the block and advised, so that the new pages of a first use are huge
     * ones: a last page reaching past the block (into the heap's end, or past the mapping
     * malloc made) could not be. */
    const size_t slack = 2 * GEX__HUGE_PAGE + 2 * sizeof(void *);
    if (bytes > SIZE_MAX - slack)
        return NULL;
    const size_t whole = gex__round_up(bytes, GEX__HUGE_PAGE);
    char *block = malloc(whole + GEX__HUGE_PAGE + sizeof(void *));
    if (block == NULL)
        return NULL;
    const uintptr_t first = (uintptr_t)(block + sizeof(void *));
    char *p = block + sizeof(void *) + (gex__round_up(first, GEX__HUGE_PAGE) - first);
    ((void **)p)[-1] = block;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, whole, MADV_HUGEPAGE); /* advice: failure is harmless */
#endif
    return p;
}

void gex__big_free(void *p, size_t bytes)
{
    if (p == NULL)
        return;
    free(bytes < GEX__BIG_MIN ? p : ((void **)p)[-1]);
}
