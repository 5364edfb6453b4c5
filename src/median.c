/*
 * gex__median: the median of an array of doubles by Hoare's selection (median-internal.h).
 * The parity fits take medians of a few hundred slopes per expiration, thousands of times in a
 * whole-market screen, where sorting each array was a sixth of the screen's time.
 */
#include "median-internal.h"

#include <stddef.h>

/* The k-th smallest of v[0..n) (from 0), reordering v so that v[k] holds it and v[0..k) only
 * values at most it: Hoare's FIND as Wirth gives it ("Algorithms + Data Structures =
 * Programs", 1976, section 2.3.4). Each pass partitions v[lo..hi] around x = v[k]: the scans
 * stop at x itself, so they never leave the range, and the range shrinks to the part that holds
 * position k. */
static double select_kth(double *v, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1;
    const ptrdiff_t kk = (ptrdiff_t)k;
    while (lo < hi) {
        const double x = v[kk];
        ptrdiff_t i = lo, j = hi;
        do {
            while (v[i] < x)
                i++;
            while (x < v[j])
                j--;
            if (i <= j) {
                const double t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        } while (i <= j);
        if (j < kk)
            lo = i;
        if (kk < i)
            hi = j;
    }
    return v[kk];
}

double gex__median(double *v, size_t n)
{
    const double upper = select_kth(v, n, n / 2);
    if (n % 2)
        return upper;
    double lower = v[0]; /* the largest of v[0..n/2), all at most upper */
    for (size_t i = 1; i < n / 2; i++)
        lower = v[i] > lower ? v[i] : lower;
    return 0.5 * (lower + upper);
}
