/*
 * bench-format: the cost of writing one number in the shortest form that reads back, the form
 * of every CSV and JSON number gex writes (gex__fmt_roundtrip, src/render/render-number.c),
 * against the printf-and-strtod loop it replaced (%.15g, %.16g, then %.17g, each read back),
 * kept here as the reference. The numbers are those of greeks --format csv: a seeded mix of
 * prices and strikes with two decimals, and computed greeks and exposures with all their
 * digits over twenty decades. Time is CPU time of this process (CLOCK_PROCESS_CPUTIME_ID), the
 * best of N passes, so other work on the machine matters less than to a wall clock.
 *
 *   bench-format [--n COUNT] [--reps N]
 *
 * The second line: the numbers of a table (the default format) in the forms it shows them,
 * gex__fmt_grouped's "1,234,567" and "7,483.26" (exposures and counts, prices) and
 * gex__fmt_sig_to's "%.6g" (greeks), against printf's "%.0f", "%.2f" and "%.6g" of the same
 * values (without the thousands separators, which printf does not write).
 *
 * Lines (figures vary; the words do not):
 *   bench-format: shortest round trip: 41.2 ns/number, printf and strtod: 702.5 ns/number
 *   (17.1 x faster; n=1000000, best of 5)
 *   bench-format: table cells: grouped 14.1 ns/number, %.6g 21.3 ns/number; printf 98.0 and
 *   120.4 ns/number (n=1000000, best of 5)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "render.h"
#include "splitmix64.h"

/* The formatter gex had before: the first of %.15g, %.16g, %.17g that reads back. */
static void printf_roundtrip(double v, char *buf, size_t size)
{
    for (int p = 15; p <= 16; p++) {
        snprintf(buf, size, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            return;
    }
    snprintf(buf, size, "%.17g", v);
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int reps = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--n") == 0)
            n = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--reps") == 0)
            reps = atoi(argv[i + 1]);
    }
    if (n < 1 || reps < 1 || argc % 2 == 0) {
        fprintf(stderr, "usage: bench-format [--n COUNT] [--reps N]\n");
        return 2;
    }
    double *v = malloc((size_t)n * sizeof *v);
    if (v == NULL)
        return 1;
    uint64_t state = 21;
    for (long i = 0; i < n; i++) {
        const double u = gex_splitmix64_unit(&state);
        if (i % 4 == 0) /* a price or strike: cents */
            v[i] = round(u * 800000.0) / 100.0;
        else /* a greek or an exposure: all digits, 1e-15 to 1e5 */
            v[i] = (u - 0.3) * pow(10.0, (double)(gex_splitmix64(&state) % 20) - 15.0);
    }
    char buf[64];
    size_t check = 0; /* the texts' lengths, so that no pass can be left out */
    double best_new = INFINITY, best_old = INFINITY;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_cpu_seconds();
        for (long i = 0; i < n; i++) {
            gex__fmt_roundtrip(v[i], buf, sizeof buf);
            check += strlen(buf);
        }
        double t1 = bench_cpu_seconds();
        for (long i = 0; i < n; i++) {
            printf_roundtrip(v[i], buf, sizeof buf);
            check += strlen(buf);
        }
        double t2 = bench_cpu_seconds();
        best_new = fmin(best_new, t1 - t0);
        best_old = fmin(best_old, t2 - t1);
    }
    printf("bench-format: shortest round trip: %.1f ns/number, printf and strtod: %.1f ns/number "
           "(%.1f x faster; n=%ld, best of %d)\n",
           best_new * 1e9 / (double)n, best_old * 1e9 / (double)n, best_old / best_new, n, reps);

    /* a table's cells: v[i % 4 == 0] are cents (2 decimals), the others exposures in whole
     * units (0 decimals, scaled up from the greeks' decades) or greeks (%.6g) */
    double best_grouped = INFINITY, best_sig = INFINITY, best_pf_fixed = INFINITY,
           best_pf_sig = INFINITY;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_cpu_seconds();
        for (long i = 0; i < n; i++)
            check += i % 4 == 0 ? gex__fmt_grouped(v[i], 2, buf, sizeof buf)
                                : gex__fmt_grouped(v[i] * 1e9, 0, buf, sizeof buf);
        double t1 = bench_cpu_seconds();
        for (long i = 0; i < n; i++)
            check += gex__fmt_sig_to(v[i], 6, buf);
        double t2 = bench_cpu_seconds();
        for (long i = 0; i < n; i++)
            check += (size_t)(i % 4 == 0 ? snprintf(buf, sizeof buf, "%.2f", v[i])
                                         : snprintf(buf, sizeof buf, "%.0f", v[i] * 1e9));
        double t3 = bench_cpu_seconds();
        for (long i = 0; i < n; i++)
            check += (size_t)snprintf(buf, sizeof buf, "%.6g", v[i]);
        double t4 = bench_cpu_seconds();
        best_grouped = fmin(best_grouped, t1 - t0);
        best_sig = fmin(best_sig, t2 - t1);
        best_pf_fixed = fmin(best_pf_fixed, t3 - t2);
        best_pf_sig = fmin(best_pf_sig, t4 - t3);
    }
    printf("bench-format: table cells: grouped %.1f ns/number, %%.6g %.1f ns/number; printf %.1f "
           "and %.1f ns/number (n=%ld, best of %d)\n",
           best_grouped * 1e9 / (double)n, best_sig * 1e9 / (double)n,
           best_pf_fixed * 1e9 / (double)n, best_pf_sig * 1e9 / (double)n, n, reps);
    free(v);
    return check > 0 ? 0 : 1;
}
