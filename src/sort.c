/*
 * gex__sort_stable: natural merge sort (Knuth, "The Art of Computer Programming", vol. 3, 2nd
 * ed., 5.2.4, the idea of algorithm N: merge the ascending runs the input already has). Chain
 * files list contracts by expiration and strike, so the library's sorts by (underlying,
 * settlement, strike, type) meet one run, or a few where a file lists calls and puts apart;
 * there a sort's n log n comparisons were a few percent of a whole read-and-analyse. Where an
 * index's monthly and weekly roots alternate strike by strike (CBOE's SPX downloads: 1,700 runs
 * in 20,000 contracts) it does what a merge sort does. The merges move 32-bit positions, not
 * the elements (40 to 56 bytes in the library's keys), which are put in place once at the end.
 * gex__sort_stable_grouped counts the elements into their groups first (a settlement, with the
 * type), so that those alternating roots leave one run per group instead of one per contract.
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

/* The index of v in the ascending dist[0..nd), which holds it. */
static size_t rank_of(const int64_t *dist, size_t nd, int64_t v)
{
    size_t lo = 0, hi = nd; /* dist[lo] <= v < dist[hi] */
    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        if (dist[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The groups last met, by a hash of their value: files cycle through a few (a strike's call and
 * put, two roots' settlements), so most elements skip the search of the distinct values. */
#define GROUP_CACHE 64
typedef struct group_cache {
    int64_t value[GROUP_CACHE];
    uint32_t rank[GROUP_CACHE];
    uint8_t used[GROUP_CACHE];
} group_cache;

static size_t cache_slot(int64_t v)
{
    return (size_t)(((uint64_t)v * UINT64_C(0x9E3779B97F4A7C15)) >> 58); /* 6 bits */
}

/* The distinct values of group[0..n), ascending, into dist (room for GEX__SORT_GROUPS_MAX);
 * their number, or GEX__SORT_GROUPS_MAX + 1 when there are more. */
static size_t distinct_groups(const int64_t *group, size_t n, int64_t *dist, group_cache *seen)
{
    memset(seen->used, 0, sizeof seen->used);
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        const int64_t g = group[i];
        const size_t h = cache_slot(g);
        if (seen->used[h] && seen->value[h] == g)
            continue;
        seen->used[h] = 1;
        seen->value[h] = g;
        size_t at = nd > 0 ? rank_of(dist, nd, g) : 0;
        if (nd > 0 && dist[at] == g)
            continue;
        if (nd == GEX__SORT_GROUPS_MAX)
            return nd + 1;
        at += nd > 0 && dist[at] < g; /* the insertion point */
        memmove(dist + at + 1, dist + at, (nd - at) * sizeof *dist);
        dist[at] = g;
        nd++;
    }
    return nd;
}

int gex__sort_stable_grouped(void *base, size_t n, size_t size, const int64_t *group,
                             gex__sort_cmp cmp, void *ctx)
{
    if (n < 2)
        return GEX_OK;
    if (n > UINT32_MAX)
        return GEX_ENOMEM;
    int64_t *dist = malloc(GEX__SORT_GROUPS_MAX * sizeof *dist);
    group_cache *cache = malloc(sizeof *cache);
    const size_t nd = dist != NULL && cache != NULL ? distinct_groups(group, n, dist, cache) : 0;
    if (dist == NULL || cache == NULL || nd > GEX__SORT_GROUPS_MAX) {
        free(dist);
        free(cache);
        return dist == NULL || cache == NULL ? GEX_ENOMEM
                                             : gex__sort_stable(base, n, size, cmp, ctx);
    }
    size_t *end = malloc((nd + 1) * sizeof *end);
    uint32_t *rank = malloc((n + 1) * sizeof *rank);
    char *tmp = malloc(n * size + 1);
    if (end == NULL || rank == NULL || tmp == NULL) {
        free(dist);
        free(cache);
        free(end);
        free(rank);
        free(tmp);
        return GEX_ENOMEM;
    }
    /* a stable counting sort by the group's rank; end[r] is then the end of group r */
    memset(end, 0, (nd + 1) * sizeof *end);
    memset(cache->used, 0, sizeof cache->used);
    for (size_t i = 0; i < n; i++) {
        const int64_t g = group[i];
        const size_t h = cache_slot(g);
        if (!cache->used[h] || cache->value[h] != g) {
            cache->used[h] = 1;
            cache->value[h] = g;
            cache->rank[h] = (uint32_t)rank_of(dist, nd, g);
        }
        rank[i] = cache->rank[h];
        end[rank[i] + 1]++;
    }
    for (size_t g = 1; g <= nd; g++)
        end[g] += end[g - 1];
    char *const a = base;
    for (size_t i = 0; i < n; i++)
        memcpy(tmp + end[rank[i]]++ * size, a + i * size, size);
    memcpy(a, tmp, n * size);
    free(dist);
    free(cache);
    free(rank);
    free(tmp);
    /* each group in the order of cmp: one comparison per element where it already is */
    int rc = GEX_OK;
    for (size_t g = 0, start = 0; g < nd && rc == GEX_OK; start = end[g++])
        rc = gex__sort_stable(a + start * size, end[g] - start, size, cmp, ctx);
    free(end);
    return rc;
}
