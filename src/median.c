/*
 * gex__median: the median of an array of doubles by selection (median-internal.h).
 * The parity fits take medians of a few hundred slopes per expiration, thousands of times in a
 * whole-market screen, where sorting each array was a sixth of the screen's time.
 */
#include "median-internal.h"

#include <stddef.h>
#include <stdlib.h>

/* Ranges of at most this many values are finished by insertion sort. */
#define SELECT_SMALL 16

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The k-th smallest of v[0..n) (from 0), reordering v so that v[k] holds it and v[0..k) only
 * values at most it. Quickselect (Hoare, "Algorithm 65: Find", CACM 4(7), 1961) around the
 * median of the range's first, middle and last values, each partition free of branches on the
 * data: Lomuto's scheme, with the swap made whatever the comparison and the comparison added to
 * the boundary. The parity fits' slopes come in no order, so the compare-and-branch partition
 * used before (Wirth's FIND) mispredicted about every other value. After passes partitions the
 * range left is sorted: an input that keeps defeating the median of three (a crafted file's
 * IVs, say) takes n log n, not quadratic time. */
static double select_kth_within(double *v, size_t n, size_t k, int passes)
{
    size_t lo = 0, hi = n; /* k in [lo, hi); v[0..lo) at most, v[hi..n) at least, v[lo..hi) */
    while (hi - lo > SELECT_SMALL) {
        if (passes-- <= 0) {
            qsort(v + lo, hi - lo, sizeof *v, by_value);
            return v[k];
        }
        const double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
        const double ab_lo = a < b ? a : b, ab_hi = a < b ? b : a;
        const double x = c < ab_lo ? ab_lo : c > ab_hi ? ab_hi : c; /* one of v[lo..hi) */
        /* v[lo..j) below x, v[j..hi) at least x; j < hi, since x itself is not below x */
        size_t j = lo;
        for (size_t i = lo; i < hi; i++) {
            const double t = v[i];
            v[i] = v[j];
            v[j] = t;
            j += t < x;
        }
        if (k < j) {
            hi = j;
            continue;
        }
        if (j > lo) {
            lo = j;
            continue;
        }
        /* x is the range's least value: v[lo..e) equal to it, v[e..hi) above, e > lo */
        size_t e = lo;
        for (size_t i = lo; i < hi; i++) {
            const double t = v[i];
            v[i] = v[e];
            v[e] = t;
            e += !(x < t);
        }
        if (k < e)
            return v[k]; /* x */
        lo = e;
    }
    for (size_t i = lo + 1; i < hi; i++) {
        const double t = v[i];
        size_t j = i;
        for (; j > lo && t < v[j - 1]; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
    return v[k];
}

double gex__median_within(double *v, size_t n, int passes)
{
    const double upper = select_kth_within(v, n, n / 2, passes);
    if (n % 2)
        return upper;
    double lower = v[0]; /* the largest of v[0..n/2), all at most upper */
    for (size_t i = 1; i < n / 2; i++)
        lower = v[i] > lower ? v[i] : lower;
    return 0.5 * (lower + upper);
}

double gex__median(double *v, size_t n)
{
    /* twice the passes a median of three that halves its range needs, and a few more */
    int passes = 8;
    for (size_t m = n; m > 1; m >>= 1)
        passes += 2;
    return gex__median_within(v, n, passes);
}
