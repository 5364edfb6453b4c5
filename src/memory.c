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
    const uintptr_t at = ((uintptr_t)m + GEX__HUGE_PAGE - 1) & ~(uintptr_t)(GEX__HUGE_PAGE - 1);
    char *base = (char *)at;
    if (base > m)
        munmap(m, (size_t)(base - m));
    if (m + len + GEX__HUGE_PAGE > base + len)
        munmap(base + len, (size_t)(m + len + GEX__HUGE_PAGE - (base + len)));
#ifdef MADV_HUGEPAGE
    (void)madvise(base, len, MADV_HUGEPAGE); /* advice: failure is harmless */
#endif
    return base;
}

/* The length of the mapping gex__big_alloc makes for bytes: whole pages. */
static size_t big_len(size_t bytes)
{
    const size_t page = 4096;
    return (bytes + page - 1) & ~(page - 1);
}

void *gex__big_alloc(size_t bytes)
{
    if (bytes < GEX__BIG_MIN)
        return malloc(bytes > 0 ? bytes : 1);
    if (bytes > SIZE_MAX - 4096)
        return NULL;
    return gex__map_huge(big_len(bytes));
}

void gex__big_free(void *p, size_t bytes)
{
    if (p == NULL)
        return;
    if (bytes < GEX__BIG_MIN)
        free(p);
    else
        munmap(p, big_len(bytes));
}
