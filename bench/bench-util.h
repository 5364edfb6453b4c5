/*
 * bench-util.h: what the benchmark programs share: a monotonic clock, the process's CPU clock
 * and the size of a chain's arrays (the yardstick of every memory figure).
 */
#ifndef GEX_BENCH_UTIL_H
#define GEX_BENCH_UTIL_H

#include <stddef.h>
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

#endif /* GEX_BENCH_UTIL_H */
