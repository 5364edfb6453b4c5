/*
 * bench-read: how fast gex reads a long-format chain (SPEC 2.1), in MB/s and contracts/s on
 * one core, and the peak memory of the read against the size of the chain's arrays.
 *
 *   bench-read [--reps N] FILE
 *
 * FILE is a long CSV, normally gen-chain --market (seeded: the same file on every machine).
 * The file is read once to warm the page cache, then N times; the best time is reported. The
 * peak resident memory is measured in this process (ru_maxrss) after the first read, with the
 * resident size before it subtracted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gex/chain.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Resident memory now (kB), from /proc/self/statm; 0 when unknown. */
static long resident_kb(void)
{
    FILE *fp = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (fp == NULL)
        return 0;
    if (fscanf(fp, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(fp);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long peak_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Bytes per contract of the chain's arrays (every array of gex_chain_view). */
static size_t contract_bytes(const gex_chain_view *v)
{
    return sizeof *v->underlying + sizeof *v->root + sizeof *v->expiration + sizeof *v->settlement +
           sizeof *v->strike + sizeof *v->type + sizeof *v->bid + sizeof *v->ask + sizeof *v->last +
           sizeof *v->file_iv + sizeof *v->open_interest + sizeof *v->volume +
           sizeof *v->multiplier + sizeof *v->spot + sizeof *v->vendor_delta +
           sizeof *v->vendor_gamma + sizeof *v->line + sizeof *v->T + sizeof *v->iv +
           sizeof *v->iv_source + sizeof *v->status;
}

static int read_once(const char *path, gex_chain **out)
{
    gex_error err;
    gex_read_report rep;
    int rc = gex_chain_read_path(path, NULL, out, &rep, &err);
    if (rc != GEX_OK)
        fprintf(stderr, "bench-read: %s:%ld: %s\n", err.file, err.line, err.text);
    return rc;
}

int main(int argc, char **argv)
{
    int reps = 3;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)
            path = argv[i];
        else {
            fprintf(stderr, "usage: bench-read [--reps N] FILE\n");
            return 2;
        }
    }
    if (path == NULL || reps < 1) {
        fprintf(stderr, "usage: bench-read [--reps N] FILE\n");
        return 2;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "bench-read: cannot stat %s\n", path);
        return 1;
    }
    long rss_before = resident_kb();
    gex_chain *c = NULL;
    if (read_once(path, &c) != GEX_OK)
        return 1;
    long peak = peak_kb() - rss_before;
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    size_t n = v.n;
    double arrays_mb = (double)(n * contract_bytes(&v)) / 1e6;
    gex_chain_free(c);
    double best = 1e300;
    for (int r = 0; r < reps; r++) {
        double t0 = now_seconds();
        if (read_once(path, &c) != GEX_OK)
            return 1;
        double t = now_seconds() - t0;
        gex_chain_free(c);
        if (t < best)
            best = t;
    }
    double mb = (double)st.st_size / 1e6;
    printf("bench-read: long CSV read: %.1f MB/s, %.2f Mcontracts/s/core (n=%zu, %.1f MB, best "
           "of %d)\n",
           mb / best, (double)n / best / 1e6, n, mb, reps);
    printf("bench-read: peak memory of a read: %.2f x the chain's arrays (%.1f MB over %.1f MB)\n",
           (double)peak * 1024.0 / 1e6 / arrays_mb, (double)peak * 1024.0 / 1e6, arrays_mb);
    return 0;
}
