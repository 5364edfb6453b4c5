/*
 * bench-output: what writing costs against reading, the target of `greeks --format csv` (output
 * no more than a tenth of the read). Reads FILE as the program does, prepares and analyses it as
 * `gex greeks` does (no levels), then writes its greeks document with the renderer the program
 * uses (gex__render), as CSV and as JSON, into a stream that counts the bytes and keeps none
 * (what the program's output to /dev/null costs, without the write calls). The read is timed on
 * one thread, the figure the target compares with: the same work as the output's, on one core.
 *
 *   bench-output [--reps R] FILE
 *
 * Every figure is CPU time of the process (CLOCK_PROCESS_CPUTIME_ID), the best of R runs
 * (default 5). Line (figures vary; the words do not):
 *   bench-output: greeks written against the file read (target 0.1): csv 25.0 ms, 2.88 x the
 *   read of 8.7 ms on one thread; json 35.0 ms, 4.03 x (13.9 and 23.7 MB; 726404 numbers in
 *   the csv, 34.4 ns each; n=51886, best of 5)
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
    fputs("usage: bench-output [--reps R] FILE\n", stderr);
    return 2;
}

/* A stream that counts what is written to it and keeps nothing. */
static ssize_t count_write(void *cookie, const char *buf, size_t size)
{
    (void)buf;
    *(size_t *)cookie += size;
    return (ssize_t)size;
}

/* The read alone, on one thread: its CPU seconds, or a negative number when it failed. */
static double read_seconds(const char *path, size_t *n)
{
    gex_read_options ro;
    memset(&ro, 0, sizeof ro);
    ro.threads = 1;
    gex_chain *chain = NULL;
    gex_error err;
    gex_error_clear(&err);
    const double t0 = bench_cpu_seconds();
    const int rc = gex_chain_read_path(path, &ro, &chain, NULL, &err);
    const double t1 = bench_cpu_seconds();
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

/* One rendering of the greeks document in format: its CPU seconds and *bytes, or a negative
 * number when it failed. */
static double render_seconds(const gex__analysis *a, gex__out_format format, size_t *bytes)
{
    *bytes = 0;
    const cookie_io_functions_t io = {.write = count_write};
    FILE *out = fopencookie(bytes, "w", io);
    if (out == NULL)
        return -1;
    const gex__render_options ro = {.doc = GEX__DOC_GREEKS, .format = format};
    gex_error err;
    gex_error_clear(&err);
    const double t0 = bench_cpu_seconds();
    int rc = gex__render(&ro, a, out, &err);
    if (fflush(out) != 0 && rc == GEX_OK)
        rc = GEX_EIO;
    const double t1 = bench_cpu_seconds();
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
    int reps = 5;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (argv[i][0] == '-' || path != NULL)
            return usage();
        else
            path = argv[i];
    }
    if (path == NULL || reps < 1)
        return usage();
    gsl_set_error_handler_off(); /* as the program: the library checks GSL's statuses */

    gex__analysis a;
    if (analyse(path, &a) != GEX_OK)
        return 1;
    /* the reads and the writings alternate, so that both see the machine in the same state */
    size_t n = 0, csv_bytes = 0, json_bytes = 0;
    double best_read = INFINITY, best_csv = INFINITY, best_json = INFINITY;
    for (int r = 0; r < reps; r++) {
        const double t = read_seconds(path, &n);
        const double c = t < 0 ? -1 : render_seconds(&a, GEX__OUT_CSV, &csv_bytes);
        const double j = c < 0 ? -1 : render_seconds(&a, GEX__OUT_JSON, &json_bytes);
        if (j < 0) {
            gex_analysis_free(a.an);
            gex_chain_free(a.chain);
            return 1;
        }
        best_read = fmin(best_read, t);
        best_csv = fmin(best_csv, c);
        best_json = fmin(best_json, j);
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
           "the read of %.1f ms on one thread; json %.1f ms, %.2f x (%.1f and %.1f MB; %zu numbers "
           "in the csv, %.1f ns each; n=%zu, best of %d)\n",
           best_csv * 1e3, best_csv / best_read, best_read * 1e3, best_json * 1e3,
           best_json / best_read, (double)csv_bytes / 1e6, (double)json_bytes / 1e6, numbers,
           numbers > 0 ? best_csv * 1e9 / (double)numbers : 0.0, n, reps);
    return 0;
}
