/*
 * cmd-screen.c: one row per underlying over many files (or several underlyings in one file, or
 * several snapshots: one row per underlying and snapshot, SPEC 2.9), with a progress bar on a
 * terminal. A file that cannot be read is reported and the others are still screened; the exit
 * status is then 3. Files and underlyings are computed on --jobs threads; the output is the same
 * bytes whatever their number. Also the expansion of folder arguments into their chain files
 * (cli_inputs_expand), which gex history shares.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* --- folders: their chain files --- */

static int has_suffix(const char *name, size_t len, const char *suffix)
{
    const size_t n = strlen(suffix);
    return len > n && strncasecmp(name + len - n, suffix, n) == 0;
}

int cli_is_chain_name(const char *name)
{
    size_t len = strlen(name);
    if (name[0] == '.')
        return 0;
    /* a compressed chain file is read decompressed: its name before the compression's suffix */
    static const char *const packed[] = {".gz", ".zst", ".xz", ".bz2"};
    for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++)
        if (has_suffix(name, len, packed[i])) {
            len -= strlen(packed[i]);
            break;
        }
    /* .dat: CBOE's download of the 2020 era, quotedata.dat */
    return has_suffix(name, len, ".csv") || has_suffix(name, len, ".dat") ||
           has_suffix(name, len, ".json");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends path (taken) to in; returns 0, or -1 when memory ran out (path freed). */
static int inputs_add(cli_inputs *in, size_t *cap, char *path, const char *dir)
{
    if (path == NULL)
        return -1;
    if (in->n == *cap) {
        const size_t c = *cap ? 2 * *cap : 16;
        char **p = realloc(in->paths, c * sizeof *p);
        if (p != NULL)
            in->paths = p;
        const char **d = realloc(in->dir_of, c * sizeof *d);
        if (d != NULL)
            in->dir_of = d;
        if (p == NULL || d == NULL) {
            free(path);
            return -1;
        }
        *cap = c;
    }
    in->paths[in->n] = path;
    in->dir_of[in->n] = dir;
    in->n++;
    return 0;
}

/* The chain files of folder dir, in name order; -1 when memory ran out. */
static int inputs_add_dir(cli_inputs *in, size_t *cap, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        cli_error(dir, 0, "cannot list the folder: %s", strerror(errno));
        in->failed++;
        return 0;
    }
    char **names = NULL;
    size_t n = 0, n_cap = 0;
    int st = 0;
    const size_t dir_len = strlen(dir);
    const int slash = dir_len > 0 && dir[dir_len - 1] == '/';
    for (struct dirent *e; st == 0 && (e = readdir(d)) != NULL;) {
        if (!cli_is_chain_name(e->d_name))
            continue;
        char *path = malloc(dir_len + strlen(e->d_name) + 2);
        if (path == NULL) {
            st = -1;
            break;
        }
        sprintf(path, "%s%s%s", dir, slash ? "" : "/", e->d_name);
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            free(path);
            continue;
        }
        if (n == n_cap) {
            n_cap = n_cap ? 2 * n_cap : 64;
            char **p = realloc(names, n_cap * sizeof *p);
            if (p == NULL) {
                free(path);
                st = -1;
                break;
            }
            names = p;
        }
        names[n++] = path;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    size_t i = 0;
    for (; st == 0 && i < n; i++)
        st = inputs_add(in, cap, names[i], dir);
    for (; i < n; i++)
        free(names[i]);
    free(names);
    if (st == 0 && n == 0) {
        cli_error(dir, 0, "the folder holds no chain file (*.csv, *.json, *.dat)");
        in->failed++;
    }
    return st;
}

int cli_inputs_expand(char *const *args, size_t n, cli_inputs *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        int st;
        if (strcmp(args[i], "-") != 0 && stat(args[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            st = inputs_add_dir(out, &cap, args[i]);
        else
            st = inputs_add(out, &cap, strdup(args[i]), NULL);
        if (st != 0) {
            cli_error(NULL, 0, "out of memory listing the inputs");
            cli_inputs_free(out);
            return CLI_EXIT_INTERNAL;
        }
    }
    return CLI_EXIT_OK;
}

void cli_inputs_free(cli_inputs *in)
{
    for (size_t i = 0; in->paths != NULL && i < in->n; i++)
        free(in->paths[i]);
    free(in->paths);
    free(in->dir_of);
    memset(in, 0, sizeof *in);
}

/* --- the screen --- */

typedef struct screen_row {
    char symbol[GEX_SYMBOL_MAX + 1]; /* an underlying whole (gex/chain.h) */
    char currency[4];                /* of spot, levels and net GEX */
    const char *file;
    double spot;
    int64_t as_of;
    double net_gex;
    gex_level flip, dist, call_wall, put_wall;
    const char *confidence;
    int vanna_aligned;
    double zero_dte_pct;
    size_t seq; /* place in the output before sorting */
} screen_row;

enum {
    COL_SYMBOL,
    COL_CURRENCY, /* CSV only: a table names it in its units */
    COL_AS_OF,
    COL_SPOT,
    COL_NET_GEX,
    COL_LABEL,
    COL_FLIP,
    COL_DIST,
    COL_CONFIDENCE,
    COL_VANNA,
    COL_CALL_WALL,
    COL_PUT_WALL,
    COL_ZERO_DTE,
    COL_FILE,
    COL_COUNT
};

static const gex__column columns[COL_COUNT] = {
    {"symbol", NULL, GEX__STYLE_TEXT},
    {"currency", NULL, GEX__STYLE_TEXT},
    {"as_of", "UTC", GEX__STYLE_TEXT},
    {"spot", "USD", GEX__STYLE_PRICE},
    {"net_gex", NULL, GEX__STYLE_MONEY},
    {"label", NULL, GEX__STYLE_TEXT},
    {"gamma_flip", "USD", GEX__STYLE_PRICE},
    {"dist_to_flip", "%", GEX__STYLE_PCT},
    {"confidence", NULL, GEX__STYLE_TEXT},
    {"vanna_aligned", NULL, GEX__STYLE_TEXT},
    {"call_wall", "USD", GEX__STYLE_STRIKE},
    {"put_wall", "USD", GEX__STYLE_STRIKE},
    {"zero_dte_pct", "% of GEX", GEX__STYLE_PCT},
    {"file", NULL, GEX__STYLE_TEXT},
};

/* The order of the rows (--sort): a column, or -1 for the input order. */
typedef struct sort_order {
    int column;
    int descending;
} sort_order;

/* A row's sort key: text (key_s) or number (has, v). */
static void key(const screen_row *r, int col, const char **s, int *has, double *v)
{
    *s = NULL;
    *has = 1;
    *v = 0.0;
    switch (col) {
    case COL_SYMBOL:
        *s = r->symbol;
        break;
    case COL_CURRENCY:
        *s = r->currency;
        break;
    case COL_AS_OF:
        *v = (double)r->as_of;
        break;
    case COL_FILE:
        *s = r->file;
        break;
    case COL_SPOT:
        *v = r->spot;
        break;
    case COL_NET_GEX:
    case COL_LABEL:
        *v = r->net_gex;
        break;
    case COL_FLIP:
        *has = r->flip.has;
        *v = r->flip.value;
        break;
    case COL_DIST:
        *has = r->dist.has;
        *v = r->dist.value;
        break;
    case COL_CONFIDENCE:
        *v = strcmp(r->confidence, "high") == 0 ? 2 : strcmp(r->confidence, "moderate") == 0;
        break;
    case COL_VANNA:
        *v = r->vanna_aligned;
        break;
    case COL_CALL_WALL:
        *has = r->call_wall.has;
        *v = r->call_wall.value;
        break;
    case COL_PUT_WALL:
        *has = r->put_wall.has;
        *v = r->put_wall.value;
        break;
    default:
        *v = r->zero_dte_pct;
        break;
    }
}

/* Rows without a value go last in either direction; equal keys keep the input order. */
static int compare(const void *pa, const void *pb, void *order_)
{
    const sort_order *order = order_;
    const int sort_column = order->column, sort_desc = order->descending;
    const screen_row *a = pa, *b = pb;
    const char *sa, *sb;
    int ha, hb;
    double va, vb;
    key(a, sort_column, &sa, &ha, &va);
    key(b, sort_column, &sb, &hb, &vb);
    int c = 0;
    if (sa != NULL)
        c = strcmp(sa, sb);
    else if (ha != hb)
        return ha ? -1 : 1;
    else
        c = (va > vb) - (va < vb);
    if (sort_desc)
        c = -c;
    if (c == 0)
        c = (a->seq > b->seq) - (a->seq < b->seq);
    return c;
}

/* Analyses one underlying's prepared chain (taking it) into *r; returns an exit status. */
static int add_row(cli_messages *to, const cli_options *opts, const char *path, gex_chain *chain,
                   const gex_read_report *read, const gex_prepare_report *prep, screen_row *r)
{
    gex__analysis a;
    const int rc = cli_analyze(to, opts, path, chain, read, prep, 1, &a);
    if (rc == CLI_EXIT_OK) {
        /* The analysis holds the regime and the 0DTE block; the hedging estimate, which
         * revalues every contract, is not shown here and is not computed. */
        const gex_regime *regime = gex_analysis_regime(a.an);
        const gex_zero_dte *zero_dte = gex_analysis_zero_dte(a.an);
        memset(r, 0, sizeof *r);
        snprintf(r->symbol, sizeof r->symbol, "%s", a.symbol);
        snprintf(r->currency, sizeof r->currency, "%s", a.currency);
        r->file = path;
        r->spot = a.spot;
        r->as_of = a.as_of;
        r->net_gex = a.totals.net_gex;
        r->flip = a.levels.gamma_flip;
        r->dist = regime->dist_to_flip;
        r->call_wall = a.levels.call_wall;
        r->put_wall = a.levels.put_wall;
        r->confidence = regime->confidence;
        r->vanna_aligned = regime->vanna_aligned;
        r->zero_dte_pct = zero_dte->has ? zero_dte->pct_of_total_gex : 0.0;
    }
    cli_analysis_free(&a);
    return rc;
}

/* --- the work: files are read, then their underlyings analysed, on a pool of threads ---
 *
 * Every file is a job: one thread reads it and groups its contracts by underlying (a counting
 * sort of contract indexes, in one pass); each underlying is then a task that any thread claims,
 * builds into a chain of its own from the file's arrays (read only, shared), prepares, analyses
 * and writes into its own preallocated row. The output is the rows in file order, then in order
 * of first appearance in the file: the same bytes whatever the number of threads. A file's
 * chain is freed when its last underlying is done, so memory holds the file's arrays once plus
 * one underlying per thread, never a second copy of the whole file. Threads prefer tasks of
 * files already read to reading the next file, which bounds the files held at once by the
 * number of threads. */

typedef enum file_state { FILE_UNREAD = 0, FILE_READING, FILE_READY, FILE_DONE } file_state;

typedef struct screen_file {
    const char *path;
    file_state state;
    int rc; /* worst exit status of reading the file and of its underlyings */
    gex_chain *chain;
    gex_read_report read;
    gex_prepare_report prep;
    size_t n_tasks; /* underlyings (1 for a file analysed whole) */
    uint32_t *ids;  /* n_tasks underlying symbol indexes, NULL for a file analysed whole */
    size_t *start;  /* n_tasks + 1 offsets into order */
    /* contract indexes grouped by underlying, in file order within each; NULL where the file
     * lists each underlying's contracts together, in one run (order is then the identity:
     * underlying k's contracts are start[k] .. start[k + 1]) */
    uint32_t *order;
    /* A file of several snapshots: one chain each (chain is NULL), and the snapshot of each
     * task (ids, start and order then index that snapshot's chain). */
    gex_chain **snaps;
    size_t n_snaps;
    size_t *task_snap;
    int several_snapshots; /* kept after the work, for the title */
    size_t refused;        /* snapshots of the file refused (said), the others screened */
    int lacks; /* CLI_LACKS_SYMBOL, CLI_LACKS_AT: a file of several that holds none asked */
    screen_row *rows;
    int *row_rc;       /* n_tasks exit statuses; a row is printed when its status is 0 */
    size_t next, done; /* tasks claimed, tasks finished */
    /* messages, printed in file order once the file is done: the reader's, then the tasks' */
    char *read_messages;
    char **task_messages;
} screen_file;

typedef struct screen_pool {
    const cli_options *opts;
    screen_file *files;
    size_t n_files;
    size_t next_file;             /* the next file to read */
    size_t first_open;            /* files before it have every task claimed */
    size_t reading;               /* files being read */
    size_t files_done;            /* files whose every task is finished */
    size_t open_tasks, open_done; /* tasks of files read and not yet done */
    size_t next_print;            /* the next file whose messages are printed */
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a file was read, or the last one failed */
    /* The progress bar: drawn on stderr by the main thread when stderr is a terminal and the
     * work is long (several files, or a file of many underlyings). While it works, the threads
     * keep their messages, printed in order by cli_messages_print, which clears the bar first.
     * The line is cli_progress's (messages.c). */
    cli_progress bar;
} screen_pool;

/* The bar appears only once the work has taken this long: a quick screen prints no bar. */
#define PROGRESS_AFTER_MS 500

/* Underlyings in one file from which the bar is drawn for that file alone. */
#define PROGRESS_MIN_UNDERLYINGS 50

/* Groups the contracts of a chain of count underlyings: ids[0..count) in order of first
 * appearance, and the contract indexes of underlying k at order[start[k] .. start[k + 1]), the
 * offsets counted from base (start[0] is set to it). Returns a status. */
static int group_chain(const gex_chain *big, size_t count, uint32_t *ids, size_t *start,
                       uint32_t *order, size_t base)
{
    gex_chain_view v;
    gex_chain_get_view(big, &v);
    const size_t n_sym = gex_chain_symbol_count(big);
    size_t *slot = malloc((n_sym + 1) * sizeof *slot);
    if (slot == NULL)
        return GEX_ENOMEM;
    gex_chain_underlyings(big, ids, count);
    for (size_t s = 0; s < n_sym; s++)
        slot[s] = count;
    for (size_t k = 0; k < count; k++)
        slot[ids[k]] = k;
    /* counting sort: sizes, offsets, then each index at its underlying's next place */
    for (size_t k = 0; k <= count; k++)
        start[k] = k == 0 ? base : 0;
    for (size_t i = 0; i < v.n; i++)
        start[slot[v.underlying[i]] + 1]++;
    for (size_t k = 0; k < count; k++)
        start[k + 1] += start[k];
    size_t *at = slot; /* reused: the next free place of each underlying, by symbol index */
    for (size_t k = 0; k < count; k++)
        at[ids[k]] = start[k];
    for (size_t i = 0; i < v.n; i++)
        order[at[v.underlying[i]]++] = (uint32_t)i;
    free(slot);
    return GEX_OK;
}

/* The end of the run of u that starts at i: the first index from i on that holds another
 * underlying (n when none). Eight at a time, which the compiler makes one vector compare. */
static size_t run_end(const uint32_t *underlying, size_t i, size_t n, uint32_t u)
{
    while (i + 8 <= n) {
        uint32_t other = 0;
        for (size_t t = 0; t < 8; t++)
            other |= underlying[i + t] ^ u;
        if (other != 0)
            break;
        i += 8;
    }
    while (i < n && underlying[i] == u)
        i++;
    return i;
}

/* Where a chain lists each underlying's contracts in one run (as files do), its underlyings in
 * order of first appearance in ids[0..*count) and the first contract of each in
 * start[0..*count), start[*count] the chain's size; ids holds at least as many as the chain has
 * symbols, start one more. Returns 1. Returns 0 (ids, start and *count then unspecified) where
 * an underlying has two runs or more, or where the marks cannot be allocated. One pass, which
 * also counts the underlyings: no array of the chain's size (on the whole-market file the
 * counting sort took 5 ms on one thread, where the threads waited for it). */
static int group_runs(const gex_chain *big, uint32_t *ids, size_t *start, size_t *count)
{
    gex_chain_view v;
    gex_chain_get_view(big, &v);
    unsigned char *seen = calloc(gex_chain_symbol_count(big) + 1, 1);
    if (seen == NULL)
        return 0;
    size_t k = 0;
    int runs = 1;
    for (size_t i = 0, j; i < v.n && runs; i = j) {
        const uint32_t u = v.underlying[i];
        j = run_end(v.underlying, i + 1, v.n, u);
        runs = !seen[u];
        seen[u] = 1;
        if (runs) {
            ids[k] = u;
            start[k++] = i;
        }
    }
    free(seen);
    start[k] = v.n;
    *count = k;
    return runs;
}

/* Counts and groups the underlyings of a single chain: by runs where each has one (the usual
 * file; the runs give the count), else counted here and grouped by group_underlyings once the
 * count says there are several. Returns the count; f->ids and f->start are set when the runs
 * grouped a chain of several, else NULL. */
static size_t count_underlyings(screen_file *f)
{
    const size_t n_sym = gex_chain_symbol_count(f->chain);
    f->ids = malloc((n_sym + 1) * sizeof *f->ids);
    f->start = malloc((n_sym + 2) * sizeof *f->start);
    size_t count = 0;
    const int grouped =
        f->ids != NULL && f->start != NULL && group_runs(f->chain, f->ids, f->start, &count);
    if (!grouped || count <= 1) {
        free(f->ids);
        free(f->start);
        f->ids = NULL;
        f->start = NULL;
    }
    if (!grouped) {
        uint32_t first = 0;
        count = gex_chain_underlyings(f->chain, &first, 1);
    }
    return count;
}

/* Groups the contracts of a file of several underlyings that group_runs could not (an
 * underlying in two runs or more: a counting sort by underlying). Returns a status. */
static int group_underlyings(screen_file *f, size_t count)
{
    f->ids = malloc(count * sizeof *f->ids);
    f->start = calloc(count + 1, sizeof *f->start);
    f->order = malloc((gex_chain_size(f->chain) + 1) * sizeof *f->order);
    if (f->ids == NULL || f->start == NULL || f->order == NULL)
        return GEX_ENOMEM;
    return group_chain(f->chain, count, f->ids, f->start, f->order, 0);
}

/* The tasks of a file of several snapshots: every underlying of every snapshot, in the order of
 * the snapshots' quote instants. Returns a status; *tasks their number. */
static int group_snapshots(screen_file *f, size_t *tasks)
{
    size_t total = 0, contracts = 0;
    for (size_t s = 0; s < f->n_snaps; s++) {
        uint32_t first;
        total += gex_chain_underlyings(f->snaps[s], &first, 1);
        contracts += gex_chain_size(f->snaps[s]);
    }
    if (contracts > UINT32_MAX)
        return GEX_ERANGE; /* order holds 32-bit indexes */
    f->ids = malloc((total + 1) * sizeof *f->ids);
    f->start = calloc(total + 1, sizeof *f->start);
    f->order = malloc((contracts + 1) * sizeof *f->order);
    f->task_snap = malloc((total + 1) * sizeof *f->task_snap);
    if (f->ids == NULL || f->start == NULL || f->order == NULL || f->task_snap == NULL)
        return GEX_ENOMEM;
    size_t k = 0, base = 0;
    for (size_t s = 0; s < f->n_snaps; s++) {
        uint32_t first;
        const size_t count = gex_chain_underlyings(f->snaps[s], &first, 1);
        const int st = group_chain(f->snaps[s], count, f->ids + k, f->start + k, f->order, base);
        if (st != GEX_OK)
            return st;
        for (size_t j = 0; j < count; j++)
            f->task_snap[k + j] = s;
        k += count;
        base += gex_chain_size(f->snaps[s]);
    }
    *tasks = total;
    return GEX_OK;
}

/* Reads a file and makes its tasks; on failure f->rc says why (already said to to). */
static void read_file(cli_messages *to, const cli_options *opts, screen_file *f)
{
    f->n_tasks = 0;
    /* Every snapshot of a file (SPEC 2.9), unless --at chose one. Of several files, one of
     * other underlyings than --symbol's, or without a snapshot at --at, is counted apart (of
     * one, a snapshot missing is its error, which lists the file's instants). */
    f->lacks = CLI_LACKS_SYMBOL | (opts->n_files > 1 ? CLI_LACKS_AT : 0);
    if (opts->read.has_at)
        f->rc = cli_read(to, opts, f->path, &f->chain, &f->read, &f->lacks);
    else
        f->rc = cli_read_snapshots(to, opts, f->path, &f->snaps, &f->n_snaps, &f->read, &f->lacks,
                                   &f->refused);
    if (f->rc != CLI_EXIT_OK || f->lacks)
        return; /* a file without --symbol's underlying has no task (screen_files counts it) */
    /* A file of several snapshots stays one when some are refused: its rows and messages are
     * still named by their instants. */
    const int snapshots = f->n_snaps > 1 || (f->n_snaps == 1 && f->refused > 0);
    f->several_snapshots = snapshots;
    if (snapshots && opts->prepare.has_now) {
        /* every row would be dated at --now: rows no one could tell apart, as history says */
        cli_say_now_merges(to, f->path, opts->prepare.now, f->n_snaps + f->refused, "this file");
        f->rc = CLI_EXIT_USAGE;
        return;
    }
    if (!snapshots && f->n_snaps == 1) {
        f->chain = f->snaps[0];
        free(f->snaps);
        f->snaps = NULL;
        f->n_snaps = 0;
    }
    const size_t count = snapshots ? f->n_snaps : count_underlyings(f);
    int64_t quote = 0;
    if (!snapshots && (count <= 1 || (!opts->prepare.has_now &&
                                      gex_chain_quote_time(f->chain, &quote) != GEX_OK))) {
        /* one underlying, or none with a quote instant: prepare says precisely why (each
         * underlying of several is prepared alone, and refused alone: one without a spot) */
        f->rc = cli_prepare(to, opts, f->path, f->chain, &f->prep);
        if (f->rc != CLI_EXIT_OK)
            return;
    }
    int st = GEX_OK;
    size_t tasks = count > 1 ? count : 1;
    if (snapshots)
        st = group_snapshots(f, &tasks);
    else if (count > 1 && gex_chain_size(f->chain) > UINT32_MAX)
        st = GEX_ERANGE; /* order holds 32-bit indexes */
    else if (count > 1 && f->ids == NULL)
        st = group_underlyings(f, count);
    if (st == GEX_OK) {
        f->rows = calloc(tasks, sizeof *f->rows);
        f->row_rc = malloc(tasks * sizeof *f->row_rc);
        f->task_messages = calloc(tasks, sizeof *f->task_messages);
        st = f->rows == NULL || f->row_rc == NULL || f->task_messages == NULL ? GEX_ENOMEM : GEX_OK;
    }
    if (st != GEX_OK) {
        cli_say(to, f->path, 0, "grouping the file by underlying failed: %s", gex_strerror(st));
        f->rc = cli_exit_status(st);
        free(f->rows);
        free(f->row_rc);
        free(f->task_messages);
        f->rows = NULL;
        f->row_rc = NULL;
        f->task_messages = NULL;
        return;
    }
    for (size_t k = 0; k < tasks; k++)
        f->row_rc[k] = CLI_EXIT_INTERNAL;
    f->n_tasks = tasks;
}

/* The messages kept in m, handed over (NULL when there are none). */
static char *take_messages(cli_messages *m)
{
    if (m == NULL || m->len == 0)
        return NULL;
    char *text = m->text;
    memset(m, 0, sizeof *m);
    return text;
}

/* Underlying k of a file: its chain (built, or the file's own when it is the only one),
 * prepared, analysed, summarised into row k. */
static void run_task(cli_messages *to, const cli_options *opts, screen_file *f, size_t k)
{
    gex_chain *chain = NULL;
    gex_prepare_report prep = f->prep;
    int rc = CLI_EXIT_OK;
    if (f->ids == NULL) {
        chain = f->chain; /* prepared when read; the row takes it */
        f->chain = NULL;
    } else {
        const gex_chain *from = f->task_snap != NULL ? f->snaps[f->task_snap[k]] : f->chain;
        const size_t n = f->start[k + 1] - f->start[k];
        uint32_t *run = NULL; /* the indexes of a run (group_runs), made on this thread */
        if (f->order == NULL && (run = malloc((n > 0 ? n : 1) * sizeof *run)) != NULL)
            for (size_t j = 0; j < n; j++)
                run[j] = (uint32_t)(f->start[k] + j);
        const int st =
            f->order == NULL && run == NULL
                ? GEX_ENOMEM
                : gex_chain_extract(from, run != NULL ? run : f->order + f->start[k], n, &chain);
        free(run);
        /* In the messages: the underlying, and its snapshot's instant in a file of several. */
        char label[128];
        int64_t quote = 0;
        char iso[40] = "";
        if (f->task_snap != NULL && gex_chain_quote_time(from, &quote) == GEX_OK)
            gex_time_format_iso(quote, iso, sizeof iso);
        snprintf(label, sizeof label, "%.64s%s%s", gex_chain_symbol(from, f->ids[k]),
                 iso[0] != '\0' ? " at " : "", iso);
        if (st != GEX_OK) {
            cli_say(to, f->path, 0, "%s: building its chain failed: %s", label, gex_strerror(st));
            rc = cli_exit_status(st);
        } else if ((rc = cli_prepare_underlying(to, opts, f->path, label, chain, &prep)) !=
                   CLI_EXIT_OK) {
            gex_chain_free(chain);
            chain = NULL;
        }
    }
    if (chain != NULL)
        rc = add_row(to, opts, f->path, chain, &f->read, &prep, &f->rows[k]);
    f->row_rc[k] = rc;
    f->task_messages[k] = take_messages(to);
}

/* Prints the messages of the files done, in file order, up to the first not done. Under the
 * lock, so that two threads never print out of order. */
static void print_messages(screen_pool *p)
{
    while (p->next_print < p->n_files && p->files[p->next_print].state == FILE_DONE) {
        screen_file *f = &p->files[p->next_print++];
        cli_messages_print(f->read_messages, &p->bar.shown);
        free(f->read_messages);
        f->read_messages = NULL;
        for (size_t k = 0; f->task_messages != NULL && k < f->n_tasks; k++) {
            cli_messages_print(f->task_messages[k], &p->bar.shown);
            free(f->task_messages[k]);
        }
        free(f->task_messages);
        f->task_messages = NULL;
    }
}

static void free_file_work(screen_file *f)
{
    gex_chain_free(f->chain);
    f->chain = NULL;
    for (size_t s = 0; s < f->n_snaps; s++)
        gex_chain_free(f->snaps[s]);
    free(f->snaps);
    free(f->task_snap);
    f->snaps = NULL;
    f->task_snap = NULL;
    f->n_snaps = 0;
    free(f->ids);
    free(f->start);
    free(f->order);
    f->ids = NULL;
    f->start = NULL;
    f->order = NULL;
}

static void progress(screen_pool *p)
{
    if (!p->bar.tty)
        return;
    pthread_mutex_lock(&p->lock);
    const size_t file = p->next_file, files = p->n_files, done = p->open_done;
    const size_t total = p->open_tasks;
    const double share =
        p->n_files == 0 ? 1.0
                        : ((double)p->files_done + (total ? (double)done / (double)total : 0.0)) /
                              (double)p->n_files;
    pthread_mutex_unlock(&p->lock);
    if (files <= 1 && total < PROGRESS_MIN_UNDERLYINGS)
        return;
    char counts[96];
    int n = snprintf(counts, sizeof counts, "file %zu/%zu", file > 0 ? file : 1, files);
    if (total > 1 && n > 0 && (size_t)n < sizeof counts)
        snprintf(counts + n, sizeof counts - (size_t)n, ", underlying %zu/%zu", done, total);
    cli_progress_draw(&p->bar, share, counts);
}

/* Marks a file read (its tasks open to every thread) or, when it failed, done. Under the lock. */
static void publish_file(screen_pool *p, screen_file *f)
{
    p->reading--;
    if (f->n_tasks == 0) {
        f->state = FILE_DONE;
        p->files_done++;
    } else {
        f->state = FILE_READY;
        p->open_tasks += f->n_tasks;
    }
    print_messages(p);
    pthread_cond_broadcast(&p->changed);
}

/* Finishes a task; returns the file when that was its last task, for the caller to free the
 * file's chain and grouping outside the lock. Under the lock. */
static screen_file *finish_task(screen_pool *p, screen_file *f)
{
    p->open_done++;
    if (++f->done < f->n_tasks)
        return NULL;
    f->state = FILE_DONE;
    p->files_done++;
    p->open_tasks -= f->n_tasks;
    p->open_done -= f->n_tasks;
    print_messages(p);
    return f;
}

/* A worker: claims an underlying of a file already read, else the next file to read, else
 * waits for a file being read; returns when there is nothing left. main_thread draws the bar. */
static void work(screen_pool *p, int main_thread)
{
    cli_messages mine = {0}; /* this thread's messages, printed in order by print_messages */
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->first_open < p->n_files && p->files[p->first_open].state >= FILE_READY &&
               p->files[p->first_open].next >= p->files[p->first_open].n_tasks)
            p->first_open++;
        screen_file *task_file = NULL;
        size_t k = 0;
        for (size_t i = p->first_open; i < p->next_file && task_file == NULL; i++) {
            screen_file *f = &p->files[i];
            if (f->state == FILE_READY && f->next < f->n_tasks) {
                task_file = f;
                k = f->next++;
            }
        }
        if (task_file != NULL) {
            pthread_mutex_unlock(&p->lock);
            run_task(&mine, p->opts, task_file, k);
            pthread_mutex_lock(&p->lock);
            screen_file *finished = finish_task(p, task_file);
            if (finished != NULL || main_thread) {
                pthread_mutex_unlock(&p->lock);
                if (finished != NULL)
                    free_file_work(finished);
                if (main_thread)
                    progress(p);
                pthread_mutex_lock(&p->lock);
            }
            continue;
        }
        if (p->next_file < p->n_files) {
            screen_file *f = &p->files[p->next_file++];
            f->state = FILE_READING;
            p->reading++;
            pthread_mutex_unlock(&p->lock);
            if (main_thread)
                progress(p);
            read_file(&mine, p->opts, f);
            if (f->n_tasks == 0)
                free_file_work(f);
            f->read_messages = take_messages(&mine);
            pthread_mutex_lock(&p->lock);
            publish_file(p, f);
            continue;
        }
        if (p->reading == 0)
            break;
        pthread_cond_wait(&p->changed, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    free(mine.text);
}

static void *worker(void *arg)
{
    work(arg, 0);
    return NULL;
}

/* Runs every file on opts->jobs threads (the calling one included). A single file is read
 * before any other thread starts, and only as many start as it has underlyings. */
static void run_pool(screen_pool *p)
{
    size_t helpers = p->opts->jobs > 1 ? (size_t)p->opts->jobs - 1 : 0;
    if (p->n_files == 1) {
        screen_file *f = &p->files[0];
        p->next_file = 1;
        p->reading = 1;
        progress(p);
        read_file(NULL, p->opts, f); /* its messages printed at once: nothing comes before them */
        if (f->n_tasks == 0)
            free_file_work(f);
        pthread_mutex_lock(&p->lock);
        publish_file(p, f);
        pthread_mutex_unlock(&p->lock);
        if (helpers > f->n_tasks - (f->n_tasks > 0))
            helpers = f->n_tasks - (f->n_tasks > 0);
    }
    pthread_t *threads = helpers ? malloc(helpers * sizeof *threads) : NULL;
    size_t started = 0;
    while (threads != NULL && started < helpers &&
           pthread_create(&threads[started], NULL, worker, p) == 0)
        started++; /* a thread that cannot start leaves its share to the others */
    work(p, 1);
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    free(threads);
}

static int screen_files(const cli_options *opts, sort_order order, size_t folders_failed,
                        FILE *out);

int cli_cmd_screen(const cli_options *opts, FILE *out)
{
    sort_order order = {.column = -1, .descending = opts->sort_descending};
    if (opts->sort != NULL) {
        for (int c = 0; c < COL_COUNT; c++)
            if (strcmp(opts->sort, columns[c].name) == 0)
                order.column = c;
        if (order.column < 0) {
            cli_error(NULL, 0,
                      "--sort: '%s' is not a column: symbol, currency, as_of, spot, net_gex, "
                      "label, gamma_flip, dist_to_flip, confidence, vanna_aligned, call_wall, "
                      "put_wall, zero_dte_pct, file (a leading '-' sorts descending)",
                      opts->sort);
            return CLI_EXIT_USAGE;
        }
    }
    /* folders stand for their chain files; the reading threads are shared among the files
     * read together, as options.c does for files given one by one */
    cli_inputs inputs;
    if (cli_inputs_expand(opts->files, opts->n_files, &inputs) != CLI_EXIT_OK)
        return CLI_EXIT_INTERNAL;
    cli_options expanded = *opts;
    expanded.files = inputs.paths;
    expanded.n_files = inputs.n;
    const size_t together =
        inputs.n > 1 ? (inputs.n < (size_t)opts->jobs ? inputs.n : (size_t)opts->jobs) : 1;
    expanded.read.threads = (int)((size_t)opts->jobs / together);
    const int rc = screen_files(&expanded, order, inputs.failed, out);
    cli_inputs_free(&inputs);
    return rc;
}

/* The screen of opts->files (folders expanded); folders_failed counts folder arguments that
 * gave no file. */
static int screen_files(const cli_options *opts, sort_order order, size_t folders_failed, FILE *out)
{
    screen_pool pool = {.opts = opts, .n_files = opts->n_files};
    pool.files = calloc(opts->n_files + 1, sizeof *pool.files);
    if (pool.files == NULL) {
        cli_error(NULL, 0, "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < opts->n_files; i++)
        pool.files[i].path = opts->files[i];
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.changed, NULL);
    cli_progress_start(&pool.bar, "screen", "files", PROGRESS_AFTER_MS);
    run_pool(&pool);
    cli_progress_end(&pool.bar);
    pthread_cond_destroy(&pool.changed);
    pthread_mutex_destroy(&pool.lock);

    /* the rows, in file order and then in order of appearance in each file */
    gex_error err;
    gex_error_clear(&err);
    int written = CLI_EXIT_OK;
    size_t n = 0, failed = 0, lacking = 0, lacking_at = 0, holding = 0;
    int worst = CLI_EXIT_OK, snapshots = 0, usage = 0;
    for (size_t i = 0; i < opts->n_files; i++) {
        screen_file *f = &pool.files[i];
        snapshots |= f->several_snapshots;
        usage |= f->rc == CLI_EXIT_USAGE; /* --now over a file of several snapshots */
        lacking += f->lacks == CLI_LACKS_SYMBOL;
        lacking_at += f->lacks == CLI_LACKS_AT;
        holding += f->rc == CLI_EXIT_OK && !f->lacks;
        for (size_t k = 0; k < f->n_tasks; k++) {
            if (f->row_rc[k] == CLI_EXIT_OK)
                n++;
            else if (f->rc == CLI_EXIT_OK || f->row_rc[k] == CLI_EXIT_INTERNAL)
                f->rc = f->row_rc[k];
        }
        if (f->refused > 0 && f->rc == CLI_EXIT_OK)
            f->rc = CLI_EXIT_INPUT; /* a snapshot refused, as a row that failed */
    }
    screen_row *rows = malloc((n + 1) * sizeof *rows);
    n = 0;
    for (size_t i = 0; i < opts->n_files; i++) {
        screen_file *f = &pool.files[i];
        for (size_t k = 0; rows != NULL && k < f->n_tasks; k++)
            if (f->row_rc[k] == CLI_EXIT_OK) {
                rows[n] = f->rows[k];
                rows[n].seq = n;
                n++;
            }
        if (f->rc != CLI_EXIT_OK) {
            failed++;
            if (f->rc == CLI_EXIT_INTERNAL || worst == CLI_EXIT_OK)
                worst = f->rc == CLI_EXIT_INTERNAL ? f->rc : CLI_EXIT_INPUT;
        }
        free(f->rows);
        free(f->row_rc);
    }
    free(pool.files);
    if (usage) { /* said; no rows, as history writes none */
        free(rows);
        return CLI_EXIT_USAGE;
    }
    /* a folder that gave no file is no file: counted apart */
    if (folders_failed > 0 && worst == CLI_EXIT_OK)
        worst = CLI_EXIT_INPUT;
    /* Files of other underlyings are no error under --symbol, nor files without a snapshot at
     * --at, but none holding it likely means a misspelt symbol or instant. */
    char at_iso[40] = "";
    if (opts->read.has_at)
        gex_time_format_iso(opts->read.at, at_iso, sizeof at_iso);
    if (lacking + lacking_at > 0 && holding == 0) {
        cli_say_none_holds(opts, (lacking > 0 ? CLI_LACKS_SYMBOL : 0) |
                                     (lacking_at > 0 ? CLI_LACKS_AT : 0));
        if (worst == CLI_EXIT_OK)
            worst = CLI_EXIT_INPUT;
    }
    if (rows == NULL) {
        cli_error(NULL, 0, "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    if (order.column >= 0 && n > 1)
        qsort_r(rows, n, sizeof *rows, compare, &order);

    int st = GEX_OK;
    if (opts->format == GEX__OUT_JSON) {
        json_t *d = json_object(), *arr = json_array();
        st = d == NULL || arr == NULL ? GEX_ENOMEM : GEX_OK;
        for (size_t i = 0; i < n && st == GEX_OK; i++) {
            const screen_row *r = &rows[i];
            char iso[40];
            gex_time_format_iso(r->as_of, iso, sizeof iso);
            json_t *o = json_object();
            st |= gex__jset(o, "symbol", gex__jstr(r->symbol));
            st |= gex__jset(o, "currency", gex__jstr(r->currency));
            st |= gex__jset(o, "underlying_price", gex__jnum(r->spot));
            st |= gex__jset(o, "as_of", gex__jstr(iso));
            st |= gex__jset(o, "net_gex", gex__jnum(r->net_gex));
            st |= gex__jset(o, "net_gex_label", gex__jstr(gex__label(r->net_gex)));
            st |= gex__jset(o, "gamma_flip", gex__jlevel(&r->flip));
            st |= gex__jset(o, "dist_to_flip", gex__jlevel(&r->dist));
            st |= gex__jset(o, "confidence", gex__jstr(r->confidence));
            st |= gex__jset(o, "vanna_aligned", json_boolean(r->vanna_aligned));
            st |= gex__jset(o, "call_wall", gex__jlevel(&r->call_wall));
            st |= gex__jset(o, "put_wall", gex__jlevel(&r->put_wall));
            st |= gex__jset(o, "zero_dte_pct", gex__jnum(r->zero_dte_pct));
            st |= gex__jset(o, "file", gex__jstr(r->file));
            st |= json_array_append_new(arr, o) == 0 ? GEX_OK : GEX_ENOMEM;
        }
        st |= gex__jset(d, "underlyings", arr);
        json_t *meta = json_object();
        char version[64];
        snprintf(version, sizeof version, "gex %s", gex_version());
        st |= gex__jset(meta, "generator", gex__jstr(version));
        st |= gex__jset(meta, "files", json_integer((json_int_t)opts->n_files));
        st |= gex__jset(meta, "files_failed", json_integer((json_int_t)failed));
        st |= gex__jset(meta, "folders_failed", json_integer((json_int_t)folders_failed));
        st |= gex__jset(meta, "files_without_symbol", json_integer((json_int_t)lacking));
        st |= gex__jset(meta, "files_without_snapshot", json_integer((json_int_t)lacking_at));
        st |= gex__jset(meta, "gex_unit",
                        gex__jstr(gex_gex_unit_name(opts->analysis.exposure.gex_unit)));
        st |= gex__jset(meta, "flip_method",
                        gex__jstr(gex_flip_method_name(opts->analysis.flip_method)));
        st |= gex__jset(meta, "rate", gex__jnum(opts->prepare.rate));
        st |= gex__jset(meta, "div", gex__jnum(opts->prepare.div));
        json_t *carry = json_object();
        st |= gex__jset(carry, "mode", gex__jstr(gex_carry_mode_name(opts->prepare.carry)));
        st |= gex__jset(meta, "carry", carry);
        st |= gex__jset(meta, "exercise",
                        gex__jstr(gex_exposure_exercise_name(opts->analysis.exposure.exercise)));
        st |= gex__jset(meta, "sort", opts->sort ? gex__jstr(opts->sort) : json_null());
        st |= gex__jset(meta, "sort_descending",
                        opts->sort ? json_boolean(opts->sort_descending) : json_null());
        st |= gex__jset(d, "meta", meta);
        if (st == GEX_OK)
            written = cli_written_to(gex__json_emit(d, out, &err), &err, opts->output);
        json_decref(d);
    } else {
        /* CSV has every column; a table names the currency in its units instead */
        const int csv = opts->format == GEX__OUT_CSV;
        gex__column cols[COL_COUNT];
        memcpy(cols, columns, sizeof cols);
        if (!csv)
            memmove(&cols[COL_CURRENCY], &cols[COL_CURRENCY + 1],
                    (COL_COUNT - COL_CURRENCY - 1) * sizeof cols[0]);
        cols[COL_NET_GEX - !csv].unit =
            opts->analysis.exposure.gex_unit == GEX_UNIT_POINT    ? "USD/$1"
            : opts->analysis.exposure.gex_unit == GEX_UNIT_SHARES ? "shares/$1"
                                                                  : "USD/1%";
        char currency[4] = "";
        for (size_t i = 0; i < n; i++)
            gex__currency_fold(currency, rows[i].currency);
        gex__table *t = gex__table_new(cols, COL_COUNT - !csv, currency);
        st = t == NULL ? GEX_ENOMEM : GEX_OK;
        for (size_t i = 0; i < n && st == GEX_OK; i++) {
            const screen_row *r = &rows[i];
            char iso[40];
            gex_time_format_iso(r->as_of, iso, sizeof iso);
            st |= gex__table_text(t, r->symbol);
            if (csv)
                st |= gex__table_text(t, r->currency);
            st |= gex__table_text(t, iso);
            st |= gex__table_num(t, r->spot);
            st |= gex__table_num(t, r->net_gex);
            st |= gex__table_text(t, gex__label(r->net_gex));
            st |= gex__table_level(t, &r->flip);
            st |= gex__table_level(t, &r->dist);
            st |= gex__table_text(t, r->confidence);
            if (csv)
                st |= gex__table_text(t, r->vanna_aligned ? "true" : "false");
            else
                st |= gex__table_text(t, r->vanna_aligned ? "yes" : "no");
            st |= gex__table_level(t, &r->call_wall);
            st |= gex__table_level(t, &r->put_wall);
            st |= gex__table_num(t, r->zero_dte_pct);
            st |= gex__table_text(t, r->file);
        }
        char title[480], without[128] = "", folders[64] = "";
        if (lacking > 0)
            snprintf(without, sizeof without, ", %zu without %.32s", lacking, opts->read.symbol);
        if (lacking_at > 0) {
            const size_t used = strlen(without);
            snprintf(without + used, sizeof without - used, ", %zu without a snapshot at %s",
                     lacking_at, at_iso);
        }
        if (folders_failed > 0)
            snprintf(folders, sizeof folders, "; %zu folder%s gave no chain file", folders_failed,
                     folders_failed == 1 ? "" : "s");
        snprintf(title, sizeof title,
                 snapshots ? "%zu row%s, an underlying at a snapshot each, from %zu file%s (%zu "
                             "could not be read%s%s)"
                           : "%zu underlying%s from %zu file%s (%zu could not be read%s%s)",
                 n, n == 1 ? "" : "s", opts->n_files, opts->n_files == 1 ? "" : "s", failed,
                 without, folders);
        if (strcmp(currency, GEX__CURRENCY_MIXED) == 0) {
            const size_t used = strlen(title);
            snprintf(title + used, sizeof title - used,
                     "\nthe rows are in several currencies, each in its file's (JSON: currency)");
        }
        if (st == GEX_OK)
            written = cli_written_to(gex__table_emit(t, opts->format, title, out, &err), &err,
                                     opts->output);
        gex__table_free(t);
    }
    free(rows);
    if (st != GEX_OK) {
        cli_error(NULL, 0, "out of memory building the output");
        return CLI_EXIT_INTERNAL;
    }
    if (written != CLI_EXIT_OK)
        return written;
    /* some files failed: the rows of the others are the document (-o keeps it); none, no
     * document (-o leaves FILE as it was) */
    return worst == CLI_EXIT_INPUT && n > 0 ? CLI_EXIT_INPUT_KEPT : worst;
}
