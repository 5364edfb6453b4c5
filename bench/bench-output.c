/*
 * bench-output: what writing costs against reading, the target of `greeks --format csv` (output
 * no more than a tenth of the read). Reads FILE as the program does, prepares and analyses it as
 * `gex greeks` does (no levels), then writes its greeks document with the renderer the program
 * uses (gex__render), as CSV, as JSON and as the table (its default format), into a stream
 * that counts the bytes and keeps none (what the program's output to /dev/null costs, without
 * the write calls).
 *
 *   bench-output [--reps R] [--threads N] FILE
 *
 * Two lines: the writing on one thread against the read on one thread, in CPU time (the same
 * work on one core); and the writing on N threads (default 2; the program's --jobs) against the
 * read on N threads, in wall time, with how much faster each writing is than on one thread (the
 * best one-thread wall time of each writing against its best N-thread wall time).
 * The reads and the writings alternate; each figure is the best of R runs (default 5).
 * Lines (figures vary; the words do not):
 *   bench-output: greeks written against the file read (target 0.1): csv 24.7 ms, 2.69 x the
 *   read of 9.2 ms on one thread; json 34.0 ms, 3.71 x; table 40.2 ms, 4.37 x (13.9, 23.7 and
 *   13.1 MB; 726404 numbers in the csv, 34.0 ns each; n=51886, best of 9, cpu)
 *   bench-output: greeks written on 2 threads against the file read on 2: csv 13.7 ms, 2.32 x
 *   the read of 5.9 ms; json 18.4 ms, 3.11 x; table 25.0 ms, 4.24 x (one thread: csv 1.80 x,
 *   json 1.85 x, table 1.61 x its wall time of 24.7, 34.0 and 40.2 ms; n=51886, best of 9,
 *   wall)
 */
#define _GNU_SOURCE 1 /* fopencookie */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "render.h"

static int usage(void)
{
    fputs("usage: bench-output [--reps R] [--threads N] FILE\n", stderr);
    return 2;
}

/* A stream that counts what is written to it and keeps nothing. */
static ssize_t count_write(void *cookie, const char *buf, size_t size)
{
    (void)buf;
    *(size_t *)cookie += size;
    return (ssize_t)size;
}

/* The read alone, on threads threads: its CPU seconds (and *wall), or a negative number when
 * it failed. */
static double read_seconds(const char *path, int threads, size_t *n, double *wall)
{
    gex_read_options ro;
    memset(&ro, 0, sizeof ro);
    ro.threads = threads;
    gex_chain *chain = NULL;
    gex_error err;
    gex_error_clear(&err);
    const double w0 = bench_now_seconds(), t0 = bench_cpu_seconds();
    const int rc = gex_chain_read_path(path, &ro, &chain, NULL, &err);
    const double t1 = bench_cpu_seconds();
    *wall = bench_now_seconds() - w0;
    if (rc != GEX_OK) {
        fprintf(stderr, "bench-output: %s: %s\n", path,
                err.text[0] != '\0' ? err.text : gex_strerror(rc));
        return -1;
    }
    *n = gex_chain_size(chain);
    gex_chain_free(chain);
    return t1 - t0;
}

/* The analysis `gex greeks` renders: the file read, prepared with the program's default carry
 * (parity, SPEC 1.2) and analysed without levels. */
static int analyse(const char *path, gex__analysis *a)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    gex_error err;
    gex_error_clear(&err);
    gex_read_options ro;
    memset(&ro, 0, sizeof ro);
    ro.threads = 2;
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.carry = GEX_CARRY_PARITY;
    gex_analysis_options ao;
    gex_analysis_options_default(&ao);
    ao.skip_levels = 1;
    int rc = gex_chain_read_path(path, &ro, &a->chain, &a->read, &err);
    if (rc == GEX_OK)
        rc = gex_chain_prepare(a->chain, &po, &a->prepare, &err);
    if (rc == GEX_OK)
        rc = gex_analysis_new(a->chain, &ao, &a->an, &err);
    if (rc != GEX_OK) {
        fprintf(stderr, "bench-output: %s: %s\n", path,
                err.text[0] != '\0' ? err.text : gex_strerror(rc));
        gex_analysis_free(a->an);
        gex_chain_free(a->chain);
        return rc;
    }
    a->owns_chain = 1;
    gex__analysis_fill(a);
    return GEX_OK;
}

/* One rendering of the greeks document in format on threads threads: its CPU seconds (and
 * *wall) and *bytes, or a negative number when it failed. */
static double render_seconds(const gex__analysis *a, gex__out_format format, int threads,
                             size_t *bytes, double *wall)
{
    *bytes = 0;
    const cookie_io_functions_t io = {.write = count_write};
    FILE *out = fopencookie(bytes, "w", io);
    if (out == NULL)
        return -1;
    const gex__render_options ro = {.doc = GEX__DOC_GREEKS, .format = format, .threads = threads};
    gex_error err;
    gex_error_clear(&err);
    const double w0 = bench_now_seconds(), t0 = bench_cpu_seconds();
    int rc = gex__render(&ro, a, out, &err);
    if (fflush(out) != 0 && rc == GEX_OK)
        rc = GEX_EIO;
    const double t1 = bench_cpu_seconds();
    *wall = bench_now_seconds() - w0;
    fclose(out);
    if (rc != GEX_OK) {
        fprintf(stderr, "bench-output: %s: %s\n", a->path,
                err.text[0] != '\0' ? err.text : gex_strerror(rc));
        return -1;
    }
    return t1 - t0;
}

/* The numbers of one greeks CSV row: strike, T, iv, spot, five greeks, open interest, four
 * exposures. */
#define CSV_NUMBERS_PER_ROW 14
/* the IV, the five greeks and the four exposures: empty cells where a contract has no IV */
#define CSV_EMPTY_WITHOUT_IV 10

int main(int argc, char **argv)
{
    int reps = 5, threads = 2;
    const char *path;
    if (bench_reps_threads_file(argc, argv, &reps, &threads, &path) != 0 || reps < 1 || threads < 2)
        return usage();
    gsl_set_error_handler_off(); /* as the program: the library checks GSL's statuses */

    gex__analysis a;
    if (analyse(path, &a) != GEX_OK)
        return 1;
    /* the reads and the writings alternate, so that both see the machine in the same state;
     * [0] on one thread (CPU time), [1] on threads threads (wall time); wall1: each writing's
     * wall time on one thread (csv, json, table), the yardstick of the speed-up on threads */
    size_t n = 0, csv_bytes = 0, json_bytes = 0, table_bytes = 0;
    double read[2], csv[2], json[2], table[2], wall1[3];
    for (int k = 0; k < 2; k++)
        read[k] = csv[k] = json[k] = table[k] = INFINITY;
    for (int f = 0; f < 3; f++)
        wall1[f] = INFINITY;
    for (int r = 0; r < reps; r++) {
        for (int k = 0; k < 2; k++) {
            const int th = k == 0 ? 1 : threads;
            double w[4];
            const double t = read_seconds(path, th, &n, &w[0]);
            const double c = t < 0 ? -1 : render_seconds(&a, GEX__OUT_CSV, th, &csv_bytes, &w[1]);
            const double j = c < 0 ? -1 : render_seconds(&a, GEX__OUT_JSON, th, &json_bytes, &w[2]);
            const double tb =
                j < 0 ? -1 : render_seconds(&a, GEX__OUT_TABLE, th, &table_bytes, &w[3]);
            if (tb < 0) {
                gex_analysis_free(a.an);
                gex_chain_free(a.chain);
                return 1;
            }
            read[k] = fmin(read[k], k == 0 ? t : w[0]);
            csv[k] = fmin(csv[k], k == 0 ? c : w[1]);
            json[k] = fmin(json[k], k == 0 ? j : w[2]);
            table[k] = fmin(table[k], k == 0 ? tb : w[3]);
            for (int f = 0; k == 0 && f < 3; f++)
                wall1[f] = fmin(wall1[f], w[1 + f]);
        }
    }
    /* the numbers written: every listed contract's, less the empty cells of those without an
     * IV (status other than ok: iv, the five greeks and the four exposures) */
    gex_chain_view v;
    gex_chain_get_view(a.chain, &v);
    gex_contract_exposures ce;
    gex_exposure_get_contracts(a.exposure, &ce);
    const gex_exposure_options *eo = gex_exposure_get_options(a.exposure);
    const int32_t today = gex_exposure_quote_date(a.exposure);
    size_t numbers = 0;
    for (size_t i = 0; i < v.n; i++) {
        const int ok = v.status[i] == GEX_CONTRACT_OK;
        if (!ce.included[i] && (ok || !gex_exposure_keeps(eo, &v, i, today)))
            continue; /* left out by a filter, as the renderer leaves it */
        numbers += ok ? CSV_NUMBERS_PER_ROW : CSV_NUMBERS_PER_ROW - CSV_EMPTY_WITHOUT_IV;
    }
    gex_analysis_free(a.an);
    gex_chain_free(a.chain);
    printf("bench-output: greeks written against the file read (target 0.1): csv %.1f ms, %.2f x "
           "the read of %.1f ms on one thread; json %.1f ms, %.2f x; table %.1f ms, %.2f x (%.1f, "
           "%.1f and %.1f MB; %zu numbers in the csv, %.1f ns each; n=%zu, best of %d, cpu)\n",
           csv[0] * 1e3, csv[0] / read[0], read[0] * 1e3, json[0] * 1e3, json[0] / read[0],
           table[0] * 1e3, table[0] / read[0], (double)csv_bytes / 1e6, (double)json_bytes / 1e6,
           (double)table_bytes / 1e6, numbers, numbers > 0 ? csv[0] * 1e9 / (double)numbers : 0.0,
           n, reps);
    printf("bench-output: greeks written on %d threads against the file read on %d: csv %.1f ms, "
           "%.2f x the read of %.1f ms; json %.1f ms, %.2f x; table %.1f ms, %.2f x (one thread: "
           "csv %.2f x, json %.2f x, table %.2f x its wall time of %.1f, %.1f and %.1f ms; n=%zu, "
           "best of %d, wall)\n",
           threads, threads, csv[1] * 1e3, csv[1] / read[1], read[1] * 1e3, json[1] * 1e3,
           json[1] / read[1], table[1] * 1e3, table[1] / read[1], wall1[0] / csv[1],
           wall1[1] / json[1], wall1[2] / table[1], wall1[0] * 1e3, wall1[1] * 1e3, wall1[2] * 1e3,
           n, reps);
    return 0;
}
