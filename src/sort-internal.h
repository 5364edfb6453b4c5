/*
 * sort-internal.h: a stable sort that is linear on input already in order. Not installed; used
 * where the library sorts a chain's contracts by keys that files mostly list in order already
 * (the parity fits, the other side's IV, the history's term structure). src/sort.c holds it.
 */
#ifndef GEX_SORT_INTERNAL_H
#define GEX_SORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Sorts the n elements of size bytes at base into the order cmp defines (negative, zero or
 * positive as the first is before, with or after the second; ctx is passed on, as qsort_r
 * passes it), keeping elements that compare equal in their order: the result of every stable
 * sort. The runs already in order are found and merged pairwise: one comparison per element on
 * ordered input, about n log2 r on r runs. Returns GEX_OK, or GEX_ENOMEM (base unchanged) when
 * the memory of the merges (n * size bytes and 8 n bytes of positions) is not to be had, or n
 * is above 2^32 - 1. */
typedef int (*gex__sort_cmp)(const void *a, const void *b, void *ctx);
int gex__sort_stable(void *base, size_t n, size_t size, gex__sort_cmp cmp, void *ctx);

/* Distinct groups gex__sort_stable_grouped counts into place, at most; more take the merge. */
#define GEX__SORT_GROUPS_MAX 1024

/* What gex__sort_stable does, where cmp orders first by group[i], an integer per element
 * (ascending; elements of one group compare by the rest of the key): a stable counting sort by
 * group, then gex__sort_stable within each group. Linear on what files hold: an expiration's
 * contracts in strike order, but the settlements of two roots (CBOE's SPX AM and PM) or the
 * calls and puts interleaved, which leave the merge sort one run per contract. With more than
 * GEX__SORT_GROUPS_MAX distinct groups, gex__sort_stable on the whole. GEX_OK, or GEX_ENOMEM
 * (base unchanged, or, when a group's merge fails, in order of group only). */
int gex__sort_stable_grouped(void *base, size_t n, size_t size, const int64_t *group,
                             gex__sort_cmp cmp, void *ctx);

#endif
