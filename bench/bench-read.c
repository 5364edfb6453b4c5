/*
 * bench-read: how fast gex reads a long-format chain (SPEC 2.1), in MB/s and contracts/s, on one
 * core and in ranges on N threads (gex_read_options.threads), and the peak memory of each read
 * against the size of the chain's arrays.
 *
 *   bench-read [--reps N] [--threads N] [--versus FILE2] FILE
 *
 * FILE is a long CSV, normally gen-chain --market (seeded: the same file on every machine).
 * --threads: the threads of the second figure (default: the online cores, at least 2); --threads 1
 * prints the one-thread figures alone. The file is read once to warm the page cache, then N
 * times; the best time is reported. Each peak resident memory is measured in a child process
 * (ru_maxrss) reading the file once, with its resident size before the read subtracted, forked
 * before the program reads anything itself (a child's ru_maxrss starts at its parent's), and
 * set against the arrays of the contracts that file holds. --versus: FILE2 holds the same
 * contracts in another
 * format (gen-chain --big and gen-chain --big --cboe-json): its one-core speed is printed too,
 * and FILE's as a fraction of it (the JSON readers' target: at least a third of the CSV's), in
 * wall time and in the CPU time of 2N one-thread reads of the two files in turn (the figure to
 * trust on a machine shared with other work).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"

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

/* The format of the last file read (for the figures' labels). */
typedef struct read_info {
    gex_format format;
} read_info;

static int read_once_info(const char *path, int threads, gex_chain **out, read_info *info)
{
    gex_error err;
    gex_read_report rep;
    gex_read_options o;
    memset(&o, 0, sizeof o);
    o.threads = threads;
    int rc = gex_chain_read_path(path, &o, out, &rep, &err);
    if (rc != GEX_OK)
        fprintf(stderr, "bench-read: %s:%ld: %s\n", err.file, err.line, err.text);
    if (info != NULL)
        info->format = rep.format;
    return rc;
}

/* The figures' label of a format: "long CSV", "CBOE JSON", else its option name. */
static const char *label(gex_format f)
{
    return f == GEX_FORMAT_LONG_CSV    ? "long CSV"
           : f == GEX_FORMAT_CBOE_CSV  ? "CBOE CSV"
           : f == GEX_FORMAT_CBOE_JSON ? "CBOE JSON"
                                       : gex_format_name(f);
}

static int read_once(const char *path, int threads, gex_chain **out)
{
    return read_once_info(path, threads, out, NULL);
}

/* The peak resident memory (MB) of one read in a child process, over what it held before; the
 * contracts read through *n. -1 on failure. */
static double read_peak_mb(const char *path, int threads, size_t *n)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fds[0]);
        long before = resident_kb();
        gex_chain *c = NULL;
        if (read_once(path, threads, &c) != GEX_OK)
            _exit(1);
        double result[2] = {(double)(peak_kb() - before) * 1024.0 / 1e6, (double)gex_chain_size(c)};
        ssize_t w = write(fds[1], result, sizeof result);
        _exit(w == (ssize_t)sizeof result ? 0 : 1);
    }
    close(fds[1]);
    double result[2] = {-1, 0};
    ssize_t got = read(fds[0], result, sizeof result);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != (ssize_t)sizeof result || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    *n = (size_t)result[1];
    return result[0];
}

/* The least time by now (bench_now_seconds: wall; bench_cpu_seconds: CPU) of reps reads
 * (after one that warms the page cache); -1 on failure. */
static double best_read_s(const char *path, int threads, int reps, double (*now)(void))
{
    gex_chain *c = NULL;
    if (read_once(path, threads, &c) != GEX_OK)
        return -1;
    gex_chain_free(c);
    double best = 1e300;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        if (read_once(path, threads, &c) != GEX_OK)
            return -1;
        double t = now() - t0;
        gex_chain_free(c);
        if (t < best)
            best = t;
    }
    return best;
}

/* The least CPU time of reps one-thread reads of each of two files, read in turn (a, b, a,
 * b, ...) so that both see the same load of a shared machine; -1 on failure. */
static int alternated_cpu_s(const char *a, const char *b, int reps, double *best_a, double *best_b)
{
    *best_a = *best_b = 1e300;
    for (int r = 0; r < reps; r++)
        for (int k = 0; k < 2; k++) {
            gex_chain *c = NULL;
            double t0 = bench_cpu_seconds();
            if (read_once(k == 0 ? a : b, 1, &c) != GEX_OK)
                return -1;
            double t = bench_cpu_seconds() - t0;
            gex_chain_free(c);
            double *best = k == 0 ? best_a : best_b;
            if (t < *best)
                *best = t;
        }
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench-read [--reps N] [--threads N] [--versus FILE2] FILE\n");
    return 2;
}

int main(int argc, char **argv)
{
    int reps = 3;
    long threads = 0;
    const char *path = NULL, *versus = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atol(argv[++i]);
        else if (strcmp(argv[i], "--versus") == 0 && i + 1 < argc)
            versus = argv[++i];
        else if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)
            path = argv[i];
        else
            return usage();
    }
    if (threads == 0) {
        threads = sysconf(_SC_NPROCESSORS_ONLN);
        if (threads < 2)
            threads = 2;
    }
    if (path == NULL || reps < 1 || threads < 1 || threads > 1024)
        return usage();
    struct stat st, sv;
    const char *missing = stat(path, &st) != 0                       ? path
                          : versus != NULL && stat(versus, &sv) != 0 ? versus
                                                                     : NULL;
    if (missing != NULL) {
        fprintf(
            stderr,
            "bench-read: cannot stat %s: %s; the benchmark inputs in build/bench are written by "
            "bench/run-all, or one by one by bench/with-inputs.sh (e.g. sh bench/with-inputs.sh "
            "build/bench/gen-chain build/bench true @INDEX@ @INDEX_JSON@)\n",
            missing, strerror(errno));
        return 1;
    }
    /* Every peak first, before this process reads a file itself. */
    size_t n = 0, n_threads = 0, nv = 0;
    const double peak1 = read_peak_mb(path, 1, &n);
    const double peak_n = threads > 1 ? read_peak_mb(path, (int)threads, &n_threads) : 0;
    const double peak_v = versus != NULL ? read_peak_mb(versus, 1, &nv) : 0;
    if (peak1 < 0 || peak_n < 0 || (threads > 1 && n != n_threads)) {
        fprintf(stderr, "bench-read: reading %s failed\n", path);
        return 1;
    }
    if (peak_v < 0) {
        fprintf(stderr, "bench-read: reading %s failed\n", versus);
        return 1;
    }
    /* The arrays' size from an empty view's element sizes (the yardstick of every memory
     * figure), of each file's contracts. */
    gex_chain_view v;
    memset(&v, 0, sizeof v);
    const double arrays_mb = (double)(n * bench_contract_bytes(&v)) / 1e6;
    const double arrays_v_mb = (double)(nv * bench_contract_bytes(&v)) / 1e6;
    const double best1 = best_read_s(path, 1, reps, bench_now_seconds);
    const double best_n =
        threads > 1 ? best_read_s(path, (int)threads, reps, bench_now_seconds) : 1;
    if (best1 < 0 || best_n < 0)
        return 1;
    const double mb = (double)st.st_size / 1e6;
    gex_chain *probe = NULL;
    read_info info = {GEX_FORMAT_AUTO};
    if (read_once_info(path, 1, &probe, &info) != GEX_OK)
        return 1;
    gex_chain_free(probe);
    const char *fmt = label(info.format);
    printf("bench-read: %s read: %.1f MB/s, %.2f Mcontracts/s/core (n=%zu, %.1f MB, best of "
           "%d)\n",
           fmt, mb / best1, (double)n / best1 / 1e6, n, mb, reps);
    /* The same in CPU time (user + system): the figure a machine shared with other work can
     * compare between two builds. */
    const double cpu1 = best_read_s(path, 1, reps, bench_cpu_seconds);
    if (cpu1 < 0)
        return 1;
    printf("bench-read: %s read, CPU time: %.1f ms, %.2f Mcontracts per CPU second (n=%zu, best "
           "of %d)\n",
           fmt, cpu1 * 1e3, (double)n / cpu1 / 1e6, n, reps);
    if (versus != NULL) {
        read_info vinfo = {GEX_FORMAT_AUTO};
        gex_chain *vc = NULL;
        const double best_v = best_read_s(versus, 1, reps, bench_now_seconds);
        if (best_v < 0 || read_once_info(versus, 1, &vc, &vinfo) != GEX_OK)
            return 1;
        gex_chain_free(vc);
        const double mbv = (double)sv.st_size / 1e6;
        printf("bench-read: %s read: %.1f MB/s, %.2f Mcontracts/s/core (n=%zu, %.1f MB, best of "
               "%d); peak memory %.2f x the chain's arrays\n",
               label(vinfo.format), mbv / best_v, (double)nv / best_v / 1e6, nv, mbv, reps,
               peak_v / arrays_v_mb);
        printf("bench-read: %s at %.2f x the contracts/s of %s (target: at least 0.33)\n", fmt,
               ((double)n / best1) / ((double)nv / best_v), label(vinfo.format));
        /* The same ratio in CPU time, the reads alternated: what a loaded machine can tell. */
        double cpu_a, cpu_v;
        if (alternated_cpu_s(path, versus, 2 * reps, &cpu_a, &cpu_v) != 0)
            return 1;
        printf("bench-read: CPU time of a read, alternated, best of %d: %s %.1f ms, %s %.1f ms: "
               "%s at %.2f x the contracts/s of %s, %s %.2f times faster (target: at most 3)\n",
               2 * reps, fmt, cpu_a * 1e3, label(vinfo.format), cpu_v * 1e3, fmt,
               ((double)n / cpu_a) / ((double)nv / cpu_v), label(vinfo.format), label(vinfo.format),
               ((double)nv / cpu_v) / ((double)n / cpu_a));
    }
    printf("bench-read: peak memory of a read: %.2f x the chain's arrays (%.1f MB over %.1f MB)\n",
           peak1 / arrays_mb, peak1, arrays_mb);
    if (threads == 1)
        return 0;
    printf("bench-read: %s read, %ld threads: %.1f MB/s, %.2f Mcontracts/s (n=%zu, %.1f MB, "
           "best of %d, %.2f x one thread)\n",
           fmt, threads, mb / best_n, (double)n / best_n / 1e6, n, mb, reps, best1 / best_n);
    printf("bench-read: peak memory of a read on %ld threads: %.2f x the chain's arrays (%.1f MB "
           "over %.1f MB)\n",
           threads, peak_n / arrays_mb, peak_n, arrays_mb);
    return 0;
}
