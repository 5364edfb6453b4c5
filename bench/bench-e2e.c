/*
 * bench-e2e: what a user waits for. Runs the gex program itself, per command, on the seeded
 * generator's files and prints one line per figure: the best wall-clock time of N runs, with the
 * CPU time (user + system) and the peak resident memory of that run, as the kernel accounts them
 * to the child (wait4).
 *
 *   bench-e2e --gex PATH [--reps N] [--jobs N] [--work DIR] --index FILE --market FILE
 *
 * --index: one underlying (gen-chain --big, the SPX index listed in full: 51,886 contracts);
 * summary, levels, gex --format json and greeks --format csv run on it. --market: many
 * underlyings (gen-chain --market: 1,603,538 contracts, 4,021 underlyings); screen runs on it
 * with --jobs 1 and with --jobs N (default: the online cores), and on the same contracts cut
 * into 8 files at underlying boundaries (written into --work DIR, default the market file's
 * directory, for the run, then removed), where the files are read in parallel. Output goes to
 * /dev/null, so the time is the computation and the formatting, not a terminal's; the program's
 * standard error (a whole-market screen's warnings) to a temporary file, shown only when a run
 * fails. Each command runs
 * once first, unmeasured, so that every measured run reads the file from the page cache. Screen's
 * peak memory is also given as a multiple of the chain's arrays (the bytes per contract of every
 * array of gex_chain_view, times the contracts): the file's contracts are read once, here, to
 * count them.
 *
 * Lines (figures vary; the words do not):
 *   bench-e2e: gex levels, index chain: 23.1 ms wall, best of 10 (cpu 21.0 ms, peak 19.2 MB;
 *   n=51886)
 *   bench-e2e: gex screen --jobs 2, whole market: 0.912 s wall, best of 3 (cpu 1.31 s, peak
 *   223.6 MB = 1.03 x the chain's arrays of 216.5 MB; n=1603538, 4021 underlyings)
 *   bench-e2e: gex screen, whole market: --jobs 2 at 1.92 x --jobs 1 (best wall times; target
 *   1.9 x on 2 cores, 12 x on 16)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"

/* The whole market is also screened as this many files (cut at underlying boundaries), where
 * --jobs reads files in parallel. */
#define MARKET_PARTS 8

typedef struct run_result {
    double wall_s, cpu_s;
    double peak_mb;
} run_result;

/* Runs argv once with stdout on /dev/null and stderr in a temporary file, copied to this
 * program's stderr when the run fails; returns 0 when it exited with status 0. fork, not
 * posix_spawn: Linux carries the peak resident size of the memory an exec replaces into the new
 * program's (ru_maxrss), and posix_spawn's child shares this process's memory until the exec.
 * A forked child starts from its own copy, the size of this small process. */
static int run_once(char *const argv[], run_result *r)
{
    FILE *err = tmpfile();
    if (err == NULL) {
        fprintf(stderr, "bench-e2e: cannot make a temporary file: %s\n", strerror(errno));
        return -1;
    }
    const double t0 = bench_now_seconds();
    const pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "bench-e2e: cannot fork: %s\n", strerror(errno));
        fclose(err);
        return -1;
    }
    if (pid == 0) {
        const int fd = open("/dev/null", O_WRONLY);
        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fileno(err), STDERR_FILENO) < 0)
            _exit(126);
        execv(argv[0], argv);
        fprintf(stderr, "bench-e2e: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    pid_t w;
    do
        w = wait4(pid, &status, 0, &ru);
    while (w < 0 && errno == EINTR);
    r->wall_s = bench_now_seconds() - t0;
    if (w != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char buf[4096];
        size_t got;
        rewind(err);
        while ((got = fread(buf, 1, sizeof buf, err)) > 0)
            fwrite(buf, 1, got, stderr);
        fclose(err);
        fprintf(stderr, "bench-e2e: %s %s failed (status %d)\n", argv[0], argv[1],
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -1;
    }
    fclose(err);
    r->cpu_s = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
               (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    r->peak_mb = (double)ru.ru_maxrss * 1024.0 / 1e6; /* ru_maxrss is in kB on Linux */
    return 0;
}

/* One warm-up run, then the best wall time of reps runs (its CPU time and peak with it). */
static int best_of(char *const argv[], int reps, run_result *best)
{
    run_result r;
    if (run_once(argv, &r) != 0)
        return -1;
    best->wall_s = 1e300;
    for (int i = 0; i < reps; i++) {
        if (run_once(argv, &r) != 0)
            return -1;
        if (r.wall_s < best->wall_s)
            *best = r;
    }
    return 0;
}

/* Contracts, underlyings and bytes of the arrays of a chain file. */
static int chain_size(const char *path, size_t *n, size_t *underlyings, double *arrays_mb)
{
    gex_chain *c = NULL;
    gex_error err;
    gex_read_report rep;
    gex_error_clear(&err);
    const int rc = gex_chain_read_path(path, NULL, &c, &rep, &err);
    if (rc != GEX_OK) {
        fprintf(stderr, "bench-e2e: %s:%ld: %s\n", err.file[0] ? err.file : path, err.line,
                err.text[0] ? err.text : gex_strerror(rc));
        return -1;
    }
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    uint32_t first = 0;
    *n = v.n;
    *underlyings = gex_chain_underlyings(c, &first, 1);
    *arrays_mb = (double)(v.n * bench_contract_bytes(&v)) / 1e6;
    gex_chain_free(c);
    return 0;
}

/* The market file cut into at most `parts` files of about equal size at underlying boundaries
 * (fewer when one underlying is larger than a part), each with the header row, written as
 * DIR/bench-e2e-part-K.csv, their paths in paths[]. Returns how many, or -1. */
#define PART_PATH_MAX 4096
static int split_market(const char *market, const char *dir, int parts,
                        char (*paths)[PART_PATH_MAX])
{
    for (int k = 0; k < parts; k++) {
        const int w = snprintf(paths[k], PART_PATH_MAX, "%s/bench-e2e-part-%d.csv", dir, k + 1);
        if (w < 0 || w >= PART_PATH_MAX) {
            fprintf(stderr, "bench-e2e: the directory name %s is too long\n", dir);
            return -1;
        }
    }
    FILE *in = fopen(market, "r");
    struct stat st;
    if (in == NULL || fstat(fileno(in), &st) != 0) {
        fprintf(stderr, "bench-e2e: cannot read %s\n", market);
        if (in != NULL)
            fclose(in);
        return -1;
    }
    const long long target = (long long)st.st_size / parts;
    char header[4096], line[4096], last[256] = "";
    int rc = fgets(header, sizeof header, in) != NULL ? 0 : -1;
    FILE *out = NULL;
    int k = -1;
    long long written = 0;
    while (rc == 0 && fgets(line, sizeof line, in) != NULL) {
        const size_t sym = strcspn(line, ",");
        const int changed = sym >= sizeof last || strncmp(line, last, sym) != 0 || last[sym] != 0;
        if (out == NULL || (changed && written >= target && k + 1 < parts)) {
            if (out != NULL && fclose(out) != 0)
                rc = -1;
            out = fopen(paths[++k], "w");
            if (out == NULL || fputs(header, out) == EOF)
                rc = -1;
            written = 0;
        }
        if (changed && sym < sizeof last) {
            memcpy(last, line, sym);
            last[sym] = 0;
        }
        if (rc == 0 && fputs(line, out) == EOF)
            rc = -1;
        written += (long long)strlen(line);
    }
    if (out != NULL && fclose(out) != 0)
        rc = -1;
    fclose(in);
    if (rc != 0 || k < 0) {
        fprintf(stderr, "bench-e2e: cutting %s into %d files failed\n", market, parts);
        for (int j = 0; j <= k; j++)
            remove(paths[j]);
        return -1;
    }
    return k + 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench-e2e --gex PATH [--reps N] [--jobs N] [--work DIR] --index FILE "
                    "--market FILE\n");
}

int main(int argc, char **argv)
{
    const char *gex = NULL, *index = NULL, *market = NULL, *work = NULL;
    int reps = 10;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            usage();
            return 2;
        }
        if (strcmp(a, "--gex") == 0)
            gex = v;
        else if (strcmp(a, "--reps") == 0)
            reps = atoi(v);
        else if (strcmp(a, "--jobs") == 0)
            jobs = atol(v);
        else if (strcmp(a, "--work") == 0)
            work = v;
        else if (strcmp(a, "--index") == 0)
            index = v;
        else if (strcmp(a, "--market") == 0)
            market = v;
        else {
            usage();
            return 2;
        }
        i++;
    }
    if (gex == NULL || index == NULL || market == NULL || reps < 1 || jobs < 1) {
        usage();
        return 2;
    }
    /* the screen of a whole market takes seconds: a third of the runs is enough */
    const int screen_reps = reps >= 3 ? reps / 3 : 1;

    static const struct {
        const char *label;
        const char *args[4];
    } index_cmds[] = {
        {"summary", {"summary", NULL}},
        {"levels", {"levels", NULL}},
        {"gex --format json", {"gex", "--format", "json", NULL}},
        {"greeks --format csv", {"greeks", "--format", "csv", NULL}},
    };
    enum { N_INDEX = sizeof index_cmds / sizeof index_cmds[0] };
    run_result index_runs[N_INDEX], screen_runs[2];
    for (size_t c = 0; c < N_INDEX; c++) {
        char *args[8];
        size_t k = 0;
        args[k++] = (char *)gex;
        for (size_t j = 0; index_cmds[c].args[j] != NULL; j++)
            args[k++] = (char *)index_cmds[c].args[j];
        args[k++] = (char *)index;
        args[k] = NULL;
        if (best_of(args, reps, &index_runs[c]) != 0)
            return 1;
    }

    const long jobs_list[2] = {1, jobs};
    const int n_screens = jobs > 1 ? 2 : 1;
    char parts[MARKET_PARTS][PART_PATH_MAX];
    run_result parts_runs[2];
    char market_dir[PART_PATH_MAX];
    snprintf(market_dir, sizeof market_dir, "%s", market);
    char *slash = strrchr(market_dir, '/');
    if (slash != NULL)
        *slash = '\0';
    else
        snprintf(market_dir, sizeof market_dir, ".");
    const int n_parts = split_market(market, work != NULL ? work : market_dir, MARKET_PARTS, parts);
    if (n_parts < 0)
        return 1;
    for (int j = 0; j < n_screens; j++) {
        char jobs_text[32];
        snprintf(jobs_text, sizeof jobs_text, "%ld", jobs_list[j]);
        char *args[] = {(char *)gex, "screen", "--jobs", jobs_text, (char *)market, NULL};
        if (best_of(args, screen_reps, &screen_runs[j]) != 0)
            return 1;
        char *many[4 + MARKET_PARTS + 1] = {(char *)gex, "screen", "--jobs", jobs_text};
        for (int k = 0; k < n_parts; k++)
            many[4 + k] = parts[k];
        many[4 + n_parts] = NULL;
        if (best_of(many, screen_reps, &parts_runs[j]) != 0)
            return 1;
    }
    for (int k = 0; k < n_parts; k++)
        remove(parts[k]);

    /* the sizes last: reading the market here would raise this process's resident size, which
     * every child forked afterwards starts from */
    size_t n_index = 0, n_market = 0, u_index = 0, u_market = 0;
    double mb_index = 0, mb_market = 0;
    if (chain_size(index, &n_index, &u_index, &mb_index) != 0 ||
        chain_size(market, &n_market, &u_market, &mb_market) != 0)
        return 1;
    for (size_t c = 0; c < N_INDEX; c++) {
        const run_result *r = &index_runs[c];
        printf(
            "bench-e2e: gex %s, index chain: %.1f ms wall, best of %d (cpu %.1f ms, peak %.1f MB; "
            "n=%zu)\n",
            index_cmds[c].label, r->wall_s * 1e3, reps, r->cpu_s * 1e3, r->peak_mb, n_index);
    }
    for (int j = 0; j < n_screens; j++) {
        const run_result *r = &screen_runs[j];
        printf("bench-e2e: gex screen --jobs %ld, whole market: %.3f s wall, best of %d (cpu %.2f "
               "s, peak "
               "%.1f MB = %.2f x the chain's arrays of %.1f MB; n=%zu, %zu underlyings)\n",
               jobs_list[j], r->wall_s, screen_reps, r->cpu_s, r->peak_mb, r->peak_mb / mb_market,
               mb_market, n_market, u_market);
    }
    if (n_screens == 2)
        printf("bench-e2e: gex screen, whole market: --jobs %ld at %.2f x --jobs 1 (best wall "
               "times; target 1.9 x on 2 cores, 12 x on 16)\n",
               jobs, screen_runs[0].wall_s / screen_runs[1].wall_s);
    for (int j = 0; j < n_screens; j++) {
        const run_result *r = &parts_runs[j];
        printf("bench-e2e: gex screen --jobs %ld, whole market in %d files: %.3f s wall, best of "
               "%d (cpu %.2f s, peak %.1f MB; n=%zu, %zu underlyings)\n",
               jobs_list[j], n_parts, r->wall_s, screen_reps, r->cpu_s, r->peak_mb, n_market,
               u_market);
    }
    return 0;
}
