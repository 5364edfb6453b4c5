/*
 * bench-util.h: what the benchmark programs share: a monotonic clock, the process's CPU clock,
 * the size of a chain's arrays (the yardstick of every memory figure) and the arguments
 * "[--reps R] [--threads N] FILE".
 */
#ifndef GEX_BENCH_UTIL_H
#define GEX_BENCH_UTIL_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gex/gex.h"

static inline double bench_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The CPU time of this process, all its threads (user + system): what a figure on a machine
 * shared with other work can compare. */
static inline double bench_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Bytes per contract of the chain's arrays (every array of gex_chain_view). */
static inline size_t bench_contract_bytes(const gex_chain_view *v)
{
    return sizeof *v->underlying + sizeof *v->root + sizeof *v->expiration + sizeof *v->settlement +
           sizeof *v->strike + sizeof *v->type + sizeof *v->bid + sizeof *v->ask + sizeof *v->last +
           sizeof *v->file_iv + sizeof *v->open_interest + sizeof *v->volume +
           sizeof *v->multiplier + sizeof *v->spot + sizeof *v->vendor_delta +
           sizeof *v->vendor_gamma + sizeof *v->line + sizeof *v->T + sizeof *v->iv +
           sizeof *v->iv_source + sizeof *v->status;
}

/* "[--reps R] [--threads N] FILE" into *reps, *threads (left as they are when not given) and
 * *path; 0, or -1 for anything else or no FILE (the caller prints its usage). */
static inline int bench_reps_threads_file(int argc, char **argv, int *reps, int *threads,
                                          const char **path)
{
    *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            *reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            *threads = atoi(argv[++i]);
        else if (argv[i][0] == '-' || *path != NULL)
            return -1;
        else
            *path = argv[i];
    }
    return *path != NULL ? 0 : -1;
}

#endif /* GEX_BENCH_UTIL_H */
