/* src/median.c: gex__median gives the median of the sorted array (the middle value, or the mean
 * of the two middle ones) on 200,000 random arrays of 1 to 300 values, many with ties, on
 * sorted, reversed and constant arrays, and where its passes run out (the range then sorted),
 * and leaves the array a permutation of its values. */
#include "gex-test.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../src/median-internal.h"
#include "splitmix64.h"

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median as the parity fits computed it before: sort, then the middle. */
static double median_by_sort(double *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* gex__median of v[0..n) (gex__median_within with passes partitions where passes >= 0)
 * against the sorted median, and the multiset kept. */
static void check_median_within(const double *v, size_t n, int passes)
{
    double a[400], b[400], c[400];
    ck_assert_uint_le(n, 400);
    memcpy(a, v, n * sizeof *v);
    memcpy(b, v, n * sizeof *v);
    const double got = passes < 0 ? gex__median(a, n) : gex__median_within(a, n, passes);
    const double want = median_by_sort(b, n);
    if (!(got == want))
        ck_abort_msg("n = %zu: median %.17g, sorted %.17g", n, got, want);
    memcpy(c, a, n * sizeof *a);
    qsort(c, n, sizeof *c, by_value);
    for (size_t i = 0; i < n; i++)
        if (!(c[i] == b[i]))
            ck_abort_msg("n = %zu: the array lost or changed a value at %zu", n, i);
}

static void check_median(const double *v, size_t n)
{
    check_median_within(v, n, -1);
}

/* Round round's array: 1 to 300 values from a pool of `distinct` (1 to n), so ties from many
 * to none, of either sign and scale. Returns n. */
static size_t random_array(uint64_t *seed, int round, double v[300])
{
    const size_t n = 1 + gex_splitmix64(seed) % 300;
    const uint64_t distinct = 1 + gex_splitmix64(seed) % n;
    for (size_t i = 0; i < n; i++) {
        const double u = (double)(gex_splitmix64(seed) % distinct);
        v[i] = (round % 3 == 0 ? -1.0 : 1.0) * u * 0.37 + (round % 5 == 0 ? 1e6 : 0.0);
    }
    return n;
}

START_TEST(test_median_random_arrays)
{
    uint64_t seed = 20261205;
    double v[300];
    for (int round = 0; round < 200000; round++) {
        const size_t n = random_array(&seed, round, v);
        check_median(v, n);
    }
}
END_TEST

START_TEST(test_median_ordered_and_constant_arrays)
{
    double v[301];
    for (size_t n = 1; n <= 301; n++) {
        for (size_t i = 0; i < n; i++)
            v[i] = (double)i - 7.5;
        check_median(v, n); /* ascending */
        for (size_t i = 0; i < n; i++)
            v[i] = -(double)i;
        check_median(v, n); /* descending */
        for (size_t i = 0; i < n; i++)
            v[i] = 4510.6;
        check_median(v, n); /* one value */
        for (size_t i = 0; i < n; i++)
            v[i] = i % 2 ? -0.0 : 0.0;
        check_median(v, n); /* zeros of both signs compare equal */
    }
    const double two[] = {1.0, 3.0};
    double t[2];
    memcpy(t, two, sizeof t);
    ck_assert(gex__median(t, 2) == 2.0);
    const double big[] = {DBL_MAX, DBL_MAX / 2, -DBL_MAX, 5e-324, INFINITY, -INFINITY};
    check_median(big, 6);
    check_median(big, 5);
}
END_TEST

/* The selection's way out of an input that defeats its pivots: after 0, 1, 2 or 3 partitions
 * the range left is sorted, and the median is still that of the sorted array. */
START_TEST(test_median_sorts_when_out_of_passes)
{
    uint64_t seed = 20261206;
    double v[300];
    for (int round = 0; round < 20000; round++) {
        const size_t n = random_array(&seed, round, v);
        check_median_within(v, n, round % 4);
    }
}
END_TEST

static Suite *median_suite(void)
{
    Suite *s = suite_create("median");
    TCase *tc = tcase_create("selection");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_median_random_arrays);
    tcase_add_test(tc, test_median_ordered_and_constant_arrays);
    tcase_add_test(tc, test_median_sorts_when_out_of_passes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(median_suite());
}
