/*
 * bench-levels: where `gex levels` spends its time, stage by stage, inside one process: the read
 * (on --threads N threads, as the program reads a file of more than 2 MB of rows), the prepare
 * (T, IV, the parity carry the program uses by default), the exposures, the levels (the profile
 * flip among them), the flip alone with its number of passes over the book, and the 0DTE block.
 *
 *   bench-levels [--reps R] [--threads N] FILE
 *
 * Every figure is CPU time of the process (CLOCK_PROCESS_CPUTIME_ID, all threads: what a shared
 * machine cannot inflate with waiting), the best of R runs (default 5):
 *   bench-levels: read 21.3 ms, prepare 9.1 ms, exposures 3.0 ms, levels 30.2 ms (flip 28.9 ms,
 *   105 passes over the book), 0dte 0.4 ms, total 64.0 ms CPU (n=51886, 2 threads, best of 5)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "gex/gex.h"

static double cpu_ms(void)
{
    return 1e3 * bench_cpu_seconds();
}

static int usage(void)
{
    fputs("usage: bench-levels [--reps R] [--threads N] FILE\n", stderr);
    return 2;
}

enum { S_READ, S_PREPARE, S_EXPOSURE, S_LEVELS, S_FLIP, S_ZERO_DTE, S_TOTAL, S_COUNT };

/* One run of every stage; t[] receives each stage's CPU milliseconds. */
static int run_once(const char *path, int threads, double t[S_COUNT], size_t *n, size_t *passes)
{
    gex_error err;
    gex_error_clear(&err);
    gex_read_options ro;
    memset(&ro, 0, sizeof ro);
    ro.threads = threads;
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.carry = GEX_CARRY_PARITY; /* the program's default (SPEC 1.2) */
    gex_exposure_options eo;
    gex_exposure_options_default(&eo);

    gex_chain *chain = NULL;
    gex_exposure *e = NULL;
    int rc = GEX_OK;
    const double t0 = cpu_ms();
    rc = gex_chain_read_path(path, &ro, &chain, NULL, &err);
    const double t1 = cpu_ms();
    if (rc == GEX_OK)
        rc = gex_chain_prepare(chain, &po, NULL, &err);
    const double t2 = cpu_ms();
    if (rc == GEX_OK)
        rc = gex_exposure_compute(chain, &eo, &e);
    const double t3 = cpu_ms();
    gex_levels levels;
    if (rc == GEX_OK)
        rc = gex_levels_compute(e, GEX_FLIP_PROFILE, &levels);
    const double t4 = cpu_ms();
    gex_level flip = {0, 0};
    if (rc == GEX_OK)
        rc = gex_levels_flip_profile(e, &flip, passes, NULL);
    const double t5 = cpu_ms();
    gex_zero_dte z;
    if (rc == GEX_OK)
        rc = gex_zero_dte_block(e, &z);
    const double t6 = cpu_ms();
    if (rc != GEX_OK)
        fprintf(stderr, "bench-levels: %s: %s\n", path,
                err.text[0] != '\0' ? err.text : gex_strerror(rc));
    *n = chain != NULL ? gex_chain_size(chain) : 0;
    gex_exposure_free(e);
    gex_chain_free(chain);
    t[S_READ] = t1 - t0;
    t[S_PREPARE] = t2 - t1;
    t[S_EXPOSURE] = t3 - t2;
    t[S_LEVELS] = t4 - t3;
    t[S_FLIP] = t5 - t4;
    t[S_ZERO_DTE] = t6 - t5;
    t[S_TOTAL] = (t4 - t0) + (t6 - t5); /* the flip is inside the levels: counted once */
    return rc;
}

int main(int argc, char **argv)
{
    int reps = 5, threads = 2;
    const char *path;
    if (bench_reps_threads_file(argc, argv, &reps, &threads, &path) != 0 || reps < 1 || threads < 1)
        return usage();
    double best[S_COUNT];
    for (int s = 0; s < S_COUNT; s++)
        best[s] = INFINITY;
    size_t n = 0, passes = 0;
    for (int r = 0; r < reps; r++) {
        double t[S_COUNT];
        if (run_once(path, threads, t, &n, &passes) != GEX_OK)
            return 1;
        for (int s = 0; s < S_COUNT; s++)
            best[s] = fmin(best[s], t[s]);
    }
    printf("bench-levels: read %.1f ms, prepare %.1f ms, exposures %.1f ms, levels %.1f ms (flip "
           "%.1f ms, %zu passes over the book), 0dte %.1f ms, total %.1f ms CPU (n=%zu, %d "
           "thread%s, best of %d)\n",
           best[S_READ], best[S_PREPARE], best[S_EXPOSURE], best[S_LEVELS], best[S_FLIP], passes,
           best[S_ZERO_DTE], best[S_TOTAL], n, threads, threads == 1 ? "" : "s", reps);
    return 0;
}
