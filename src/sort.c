/*
 * gex__sort_stable: natural merge sort (Knuth, "The Art of Computer Programming", vol. 3, 2nd
 * ed., 5.2.4, the idea of algorithm N: merge the ascending runs the input already has). Chain
 * files list contracts by expiration and strike, so the library's sorts by (underlying,
 * settlement, strike, type) meet one run, or a few where a file lists calls and puts apart;
 * there a sort's n log n comparisons were a few percent of a whole read-and-analyse. Where an
 * index's monthly and weekly roots alternate strike by strike (CBOE's SPX downloads: 1,700 runs
 * in 20,000 contracts) it does what a merge sort does. The merges move 32-bit positions, not
 * the elements (40 to 56 bytes in the library's keys), which are put in place once at the end.
 */
#include "sort-internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gex/error.h"

/* Merges the ascending runs src[a..m) and src[m..b) of positions into dst[a..b), comparing the
 * elements they name; takes from the left run on ties: stable. */
static void merge(const uint32_t *src, uint32_t *dst, size_t a, size_t m, size_t b,
                  const char *base, size_t size, gex__sort_cmp cmp, void *ctx)
{
    size_t i = a, j = m, o = a;
    while (i < m && j < b)
        dst[o++] = cmp(base + (size_t)src[j] * size, base + (size_t)src[i] * size, ctx) < 0
                       ? src[j++]
                       : src[i++];
    while (i < m)
        dst[o++] = src[i++];
    while (j < b)
        dst[o++] = src[j++];
}

int gex__sort_stable(void *base, size_t n, size_t size, gex__sort_cmp cmp, void *ctx)
{
    char *const a = base;
    /* the first place out of order, if any: the usual input is one run */
    size_t first = 1;
    while (first < n && cmp(a + (first - 1) * size, a + first * size, ctx) <= 0)
        first++;
    if (first >= n)
        return GEX_OK;
    if (n > UINT32_MAX) /* positions are 32-bit (sort-internal.h) */
        return GEX_ENOMEM;
    /* each run's first, then n: at most one run more per place from the first break on */
    size_t *start = malloc((n - first + 3) * sizeof *start);
    uint32_t *pos = malloc(2 * n * sizeof *pos); /* two buffers of positions */
    char *tmp = malloc(n * size);
    if (start == NULL || pos == NULL || tmp == NULL) {
        free(start);
        free(pos);
        free(tmp);
        return GEX_ENOMEM;
    }
    size_t runs = 0;
    start[runs++] = 0;
    start[runs++] = first;
    for (size_t i = first + 1; i < n; i++)
        if (cmp(a + (i - 1) * size, a + i * size, ctx) > 0)
            start[runs++] = i;
    start[runs] = n;
    for (size_t i = 0; i < n; i++)
        pos[i] = (uint32_t)i;
    /* Each pass merges runs 2k and 2k + 1 into run k of the other buffer (an odd last run is
     * copied), halving the runs until one is left. */
    uint32_t *src = pos, *dst = pos + n;
    while (runs > 1) {
        size_t k = 0;
        for (size_t i = 0; i < runs; i += 2, k++) {
            if (i + 1 < runs)
                merge(src, dst, start[i], start[i + 1], start[i + 2], a, size, cmp, ctx);
            else
                memcpy(dst + start[i], src + start[i], (start[i + 1] - start[i]) * sizeof *src);
            start[k] = start[i];
        }
        start[k] = n;
        runs = k;
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(tmp + i * size, a + (size_t)src[i] * size, size);
    memcpy(a, tmp, n * size);
    free(start);
    free(pos);
    free(tmp);
    return GEX_OK;
}
