/*
 * median-internal.h: the median of an array of doubles by selection, not sorting. Not
 * installed; used by the parity fits (src/chain-parity.c, src/validate.c) and the reader's
 * percent-IV check (src/chain-read.c). src/median.c holds it.
 */
#ifndef GEX_MEDIAN_INTERNAL_H
#define GEX_MEDIAN_INTERNAL_H

#include <stddef.h>

/* The median of v[0..n) (n > 0, no NaN), reordering v: its middle value, or the mean
 * 0.5 * (lower + upper) of its two middle values, exactly as of v sorted. Linear on average
 * where a sort is n log n. */
double gex__median(double *v, size_t n);

/* gex__median with at most passes partitions before the range left is sorted (gex__median
 * allows about 2 log2 n; the tests ask for fewer, to check the sort). */
double gex__median_within(double *v, size_t n, int passes);

#endif
