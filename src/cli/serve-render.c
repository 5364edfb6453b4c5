/*
 * gex serve: an answer is the document the command line prints, rendered from an analysis of a
 * cached chain.
 *
 * A request names a file (the index's newest for the symbol), the symbol and the filters. The
 * file is opened once (never following a link, never blocking on a FIFO), checked to be a
 * regular file, and identified by its descriptor (device, inode, size, modification and change
 * times); the chain of that version and symbol, read and prepared with the server's options
 * exactly as `gex COMMAND --symbol SYMBOL DIR/FILE` would, is kept in a small cache. Each
 * request then builds its own analysis of the cached chain with its filters (another
 * expiration or min_oi does not read the file again) and renders it with the command line's
 * own document builders (gex__document) into memory. The bytes are the CLI's by construction.
 *
 * A version is only what was read from one complete state of the file: the descriptor's
 * identity is taken again after the read, and a file written while it was read (a downloader
 * rewriting it in place) gives no chain, is not cached and is read once more; if it changes
 * again, the answer is 503 file_changing with Retry-After, never numbers from half a file.
 *
 * No lock is held while reading, preparing, analysing or rendering: requests for different
 * files, or different filters of one file, run in parallel on the server's threads. A chain
 * being read is read once: other requests for it wait for that read.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "serve-internal.h"

/* The prepared chains kept: the (file version, symbol) pairs most recently asked for. A chain
 * costs about 135 bytes a contract (README, Memory); the bound on bytes keeps a folder of large
 * files from growing the server without limit. */
#define CHAINS_MAX               64
#define CHAINS_MAX_BYTES         ((size_t)1 << 30)
#define CHAIN_BYTES_PER_CONTRACT 160

typedef enum { ENTRY_LOADING = 0, ENTRY_READY, ENTRY_FAILED } entry_state;

typedef struct chain_entry {
    char key[sizeof((cli_serve_file *)0)->path + 192]; /* path, symbol, identity, snapshot */
    entry_state state;
    int rc;           /* ENTRY_FAILED: the exit status of the read or the preparation */
    gex_chain *chain; /* ENTRY_READY: one underlying, prepared */
    gex_read_report read;
    gex_prepare_report prepare;
    size_t bytes;
    size_t refs;             /* requests using it now */
    unsigned long last_used; /* engine tick */
    struct chain_entry *next;
} chain_entry;

struct cli_serve_engine {
    cli_options opts; /* the server's options for every answer, as `gex levels ... FILE` */
    pthread_mutex_t lock;
    pthread_cond_t loaded;
    chain_entry *entries;
    size_t n_entries, bytes;
    unsigned long tick;
    cli_serve_series_cache *series; /* the snapshots of series (SPEC 5.5) */
};

cli_serve_engine *cli_serve_engine_new(const cli_options *opts)
{
    cli_serve_engine *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->opts = *opts;
    e->opts.format = GEX__OUT_JSON;
    e->opts.read.settle = e->opts.settle;
    for (size_t i = 0; i < e->opts.read.n_settle && i < CLI_MAX_REPEAT; i++)
        e->opts.settle[i].root = e->opts.settle_root[i];
    e->opts.analysis.exposure.expirations = NULL;
    e->opts.analysis.exposure.n_expirations = 0;
    e->opts.analysis.exposure.zero_dte = 0;
    e->opts.analysis.exposure.min_oi = 0;
    e->opts.files = NULL;
    e->opts.n_files = 0;
    e->opts.output = NULL;
    e->series = cli_serve_series_cache_new(&e->opts);
    if (e->series == NULL) {
        free(e);
        return NULL;
    }
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->loaded, NULL);
    return e;
}

static void entry_free(chain_entry *c)
{
    if (c == NULL)
        return;
    gex_chain_free(c->chain);
    free(c);
}

void cli_serve_engine_free(cli_serve_engine *e)
{
    if (e == NULL)
        return;
    for (chain_entry *c = e->entries, *next; c != NULL; c = next) {
        next = c->next;
        entry_free(c);
    }
    cli_serve_series_cache_free(e->series);
    pthread_cond_destroy(&e->loaded);
    pthread_mutex_destroy(&e->lock);
    free(e);
}

/* Drops the least recently used idle entries beyond the bounds. Under the lock. */
static void evict(cli_serve_engine *e)
{
    while (e->n_entries > CHAINS_MAX || e->bytes > CHAINS_MAX_BYTES) {
        chain_entry **victim = NULL;
        for (chain_entry **p = &e->entries; *p != NULL; p = &(*p)->next) {
            if ((*p)->refs == 0 && (*p)->state != ENTRY_LOADING &&
                (victim == NULL || (*p)->last_used < (*victim)->last_used))
                victim = p;
        }
        if (victim == NULL)
            return; /* every entry is in use: the bound is exceeded until they are released */
        chain_entry *c = *victim;
        *victim = c->next;
        e->n_entries--;
        e->bytes -= c->bytes;
        entry_free(c);
    }
}

static void unlink_entry(cli_serve_engine *e, chain_entry *c)
{
    for (chain_entry **p = &e->entries; *p != NULL; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            e->n_entries--;
            e->bytes -= c->bytes;
            return;
        }
    }
}

static void release(cli_serve_engine *e, chain_entry *c)
{
    pthread_mutex_lock(&e->lock);
    c->refs--;
    evict(e);
    pthread_mutex_unlock(&e->lock);
}

/* The outcome of acquire() for a file that changed while it was read (not an exit status). */
#define FILE_CHANGED (-2)
/* Seconds a client is asked to wait before asking again for a file being written. */
#define CHANGING_RETRY_AFTER 1
/* The outcome of acquire() for a file that could not be opened for want of a descriptor or of
 * memory (EMFILE, ENFILE, ENOMEM): the server's trouble of the moment, not the file's, so never
 * cached; answered 503 server_busy with Retry-After (CHANGING_RETRY_AFTER). */
#define FILE_NO_RESOURCE (-4)

/* Whether an fstat() result is the version of file the index listed. */
static int is_version(const struct stat *st, const cli_serve_file *file)
{
    return st->st_dev == file->dev && st->st_ino == file->ino && st->st_size == file->size &&
           (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec == file->mtime_ns &&
           (int64_t)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec == file->ctime_ns;
}

/* Whether two fstat() results of one descriptor describe the same contents: a write changes the
 * modification time or the size, and a truncation or a metadata change the change time. */
static int same_version(const struct stat *a, const struct stat *b)
{
    return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
           a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Reads and prepares the chain of file's symbol from the open file, as the command line does
 * with --symbol (and --at, for one snapshot of a file of several). Returns an exit status;
 * messages go to the server's log. */
static int load(const cli_serve_engine *e, const cli_serve_file *file, FILE *fp, chain_entry *c)
{
    const char *path = file->path;
    cli_options opts = e->opts;
    opts.read.symbol = file->symbol;
    if (file->has_at) {
        opts.read.has_at = 1;
        opts.read.at = file->time;
    }
    int rc = cli_read_stream(NULL, &opts, path, fp, &c->chain, &c->read);
    /* --now-from-mtime: a file without a quote instant is computed at its modification time,
     * the instant the index placed it at (SPEC 5.5), as gex history does. */
    int64_t quote = 0;
    struct stat st;
    /* quote time cells that cannot be read: refused at their line, as gex history does, never
     * dated by the file's modification time */
    if (rc == CLI_EXIT_OK && cli_quote_time_unreadable(NULL, &opts, path, c->chain, &c->read, 1)) {
        gex_chain_free(c->chain);
        c->chain = NULL;
        return CLI_EXIT_INPUT;
    }
    if (rc == CLI_EXIT_OK && opts.now_from_mtime && !opts.prepare.has_now &&
        gex_chain_quote_time(c->chain, &quote) != GEX_OK && fstat(fileno(fp), &st) == 0) {
        opts.prepare.has_now = 1;
        opts.prepare.now = (int64_t)st.st_mtim.tv_sec;
    }
    /* One snapshot of a file of several: its messages name it, as screen and history do. */
    char label[CLI_SERVE_SYMBOL_MAX + 64] = "";
    if (file->has_at) {
        char iso[40];
        gex_time_format_iso(file->time, iso, sizeof iso);
        snprintf(label, sizeof label, "%s at %s", file->symbol, iso);
    }
    if (rc == CLI_EXIT_OK &&
        (rc = cli_prepare_underlying(NULL, &opts, path, file->has_at ? label : NULL, c->chain,
                                     &c->prepare)) != 0) {
        gex_chain_free(c->chain);
        c->chain = NULL;
    }
    return rc;
}

/* The chain entry of this file version and symbol, read now when no other request has it:
 * 0 and *out (a reference: release it), or -1 with *rc_out the exit status of opening it, or
 * FILE_CHANGED when the file is not the version in file or changed while it was read, or
 * FILE_NO_RESOURCE when no descriptor was left to open it (then nothing is cached). */
static int acquire(cli_serve_engine *e, const cli_serve_file *file, chain_entry **out, int *rc_out)
{
    const char *path = file->path, *symbol = file->symbol;
    /* Never a link (the index lists regular files, but one may be swapped in since), never a
     * FIFO's open blocking the thread; the descriptor is what is identified and read. */
    const int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && cli_serve_lacks_resource(errno)) {
        cli_error(path, 0,
                  "cannot open the file now: %s; answered 503 server_busy (if it lasts, raise "
                  "the open-file limit: ulimit -n)",
                  strerror(errno));
        *rc_out = FILE_NO_RESOURCE;
        return -1;
    }
    struct stat st;
    const int gone = fd < 0 && (errno == ENOENT || errno == ELOOP);
    if (gone || (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))) {
        /* Deleted, or a link or FIFO put in its place, since the index checked it. */
        if (fd >= 0)
            close(fd);
        *rc_out = FILE_CHANGED;
        return -1;
    }
    if (fd < 0 || fstat(fd, &st) != 0) {
        cli_error(path, 0, "cannot open the file: %s",
                  fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        *rc_out = CLI_EXIT_INPUT;
        return -1;
    }
    /* Not the version the index vetted (one written in place is vetted once it has settled):
     * perhaps half written. */
    if (!is_version(&st, file)) {
        close(fd);
        *rc_out = FILE_CHANGED;
        return -1;
    }
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    char key[sizeof((chain_entry *)0)->key];
    snprintf(key, sizeof key, "%s\n%s\n%ju:%ju:%jd:%jd.%09ld:%jd.%09ld@%jd", path, symbol,
             (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
             (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (intmax_t)st.st_ctim.tv_sec,
             st.st_ctim.tv_nsec, file->has_at ? (intmax_t)file->time : (intmax_t)-1);

    pthread_mutex_lock(&e->lock);
    chain_entry *c = NULL;
    for (;;) {
        for (c = e->entries; c != NULL && strcmp(c->key, key) != 0; c = c->next)
            ;
        if (c == NULL || c->state != ENTRY_LOADING)
            break;
        pthread_cond_wait(&e->loaded, &e->lock); /* another request is reading it */
    }
    if (c != NULL) {
        c->refs++;
        c->last_used = ++e->tick;
        pthread_mutex_unlock(&e->lock);
        close(fd);
        *out = c;
        return 0;
    }
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        pthread_mutex_unlock(&e->lock);
        close(fd);
        cli_error(path, 0, "out of memory");
        *rc_out = CLI_EXIT_INTERNAL;
        return -1;
    }
    memcpy(c->key, key, sizeof key);
    c->refs = 1;
    c->last_used = ++e->tick;
    c->next = e->entries;
    e->entries = c;
    e->n_entries++;
    pthread_mutex_unlock(&e->lock);

    FILE *fp = fdopen(fd, "rb");
    int rc = CLI_EXIT_INTERNAL;
    if (fp == NULL) {
        close(fd);
        cli_error(path, 0, "cannot read the file: %s", strerror(errno));
    } else {
        rc = load(e, file, fp, c);
        /* Whatever was read (a chain, or an error from a half-written row) belongs to no version
         * of the file if it changed meanwhile. */
        struct stat after;
        if (fstat(fileno(fp), &after) != 0 || !same_version(&st, &after)) {
            gex_chain_free(c->chain);
            c->chain = NULL;
            rc = FILE_CHANGED;
        }
        fclose(fp);
    }

    pthread_mutex_lock(&e->lock);
    c->state = rc == CLI_EXIT_OK ? ENTRY_READY : ENTRY_FAILED;
    c->rc = rc;
    if (rc == CLI_EXIT_OK) {
        c->bytes = gex_chain_size(c->chain) * CHAIN_BYTES_PER_CONTRACT;
        e->bytes += c->bytes;
    } else if (rc != CLI_EXIT_INPUT) {
        unlink_entry(e, c); /* out of memory, or the file changed: may not happen next time */
        c->next = NULL;
    }
    pthread_cond_broadcast(&e->loaded);
    pthread_mutex_unlock(&e->lock);
    if (rc != CLI_EXIT_OK && rc != CLI_EXIT_INPUT) {
        /* unlinked: the waiters woken above look it up again and find it gone */
        c->refs = 0;
        entry_free(c);
        *rc_out = rc;
        return -1;
    }
    *out = c;
    return 0;
}

/* The request's options: the server's, with the request's filters. */
static void request_options(const cli_serve_engine *e, const char *expiration, const char *min_oi,
                            int32_t *day, cli_options *opts)
{
    *opts = e->opts;
    opts->command = CLI_CMD_SUMMARY; /* the analysis is the same for every document */
    opts->command_name = "serve";
    if (strcmp(expiration, "0dte") == 0) {
        opts->analysis.exposure.zero_dte = 1;
    } else if (expiration[0] != '\0' &&
               gex_time_parse_date(expiration, strlen(expiration), day) == GEX_OK) {
        opts->analysis.exposure.expirations = day;
        opts->analysis.exposure.n_expirations = 1;
    }
    if (min_oi[0] != '\0')
        opts->analysis.exposure.min_oi = strtod(min_oi, NULL);
}

/* The analysis of a ready chain with the request's filters: the exit status the command line
 * would have, and *a to free with cli_analysis_free (also on failure). */
static int analyse(const cli_serve_engine *e, const chain_entry *c, const char *path,
                   const char *expiration, const char *min_oi, gex__analysis *a)
{
    cli_options opts;
    int32_t day = 0;
    request_options(e, expiration, min_oi, &day, &opts);
    return cli_analyze_shared(NULL, &opts, path, c->chain, &c->read, &c->prepare, 1, a);
}

/* The series input of q (SPEC 5.5): the snapshot of each file of q->series (cached per file
 * version), in ascending instant, files that gave none left out, and their measures. The
 * arrays are malloc'ed into *snaps, *metrics and *files (free each, whatever the return). 0,
 * -1 out of memory, 1 when a file of the series is being written, or 2 when the server lacked
 * the descriptors or memory to read one (*changing names the file): an answer without its
 * snapshot would be cached as if the file had none. */
static int series_of(cli_serve_engine *e, const cli_serve_query *q, gex__api_series *out,
                     gex_snapshot **snaps, gex_history_metrics **metrics, const char ***files,
                     const char **changing)
{
    const size_t n = q->n_series;
    if (q->series_changing != NULL) {
        /* the index saw it rewritten in place: the version it kept is not the file's now */
        *snaps = NULL;
        *metrics = NULL;
        *files = NULL;
        *changing = q->series_changing->path;
        return 1;
    }
    *snaps = malloc((n > 0 ? n : 1) * sizeof **snaps);
    *metrics = malloc((n > 0 ? n : 1) * sizeof **metrics);
    *files = malloc((n > 0 ? n : 1) * sizeof **files);
    int *ok = malloc((n > 0 ? n : 1) * sizeof *ok);
    if (*snaps == NULL || *metrics == NULL || *files == NULL || ok == NULL) {
        free(ok);
        return -1;
    }
    cli_serve_series_snapshots(e->series, q->series, n, *snaps, ok);
    for (size_t i = 0; i < n; i++)
        if (ok[i] < 0) {
            *changing = q->series[i].path;
            const int busy = ok[i] == -2;
            free(ok);
            return busy ? 2 : 1;
        }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        /* One underlying, ascending: a file out of order (its quote instant differs from the
         * one it was placed at) is left out rather than failing the series. */
        if (!ok[i] || (m > 0 && (*snaps)[i].quote_time <= (*snaps)[m - 1].quote_time))
            continue;
        (*snaps)[m] = (*snaps)[i];
        snprintf((*snaps)[m].symbol, sizeof(*snaps)[m].symbol, "%s", q->series[n - 1].symbol);
        (*files)[m] = q->series[i].path;
        m++;
    }
    free(ok);
    if (m > 0 && gex_history_metrics_compute(*snaps, m, *metrics) != GEX_OK)
        m = 0;
    *out = (gex__api_series){m, *snaps, *metrics, *files};
    return 0;
}

/* Renders one answer from a ready chain into out: CLI_EXIT_OK (out filled, any status the
 * builder chose), or the exit status the command line would have (out empty). */
static int acquire(cli_serve_engine *e, const cli_serve_file *file, chain_entry **out, int *rc_out);
static int set_error(cli_serve_result *out, unsigned status, const char *code, const char *message);

/* vix_of_file's outcome for a chain without a contract: no VIX, and no error. */
#define CHAIN_EMPTY (-3)

/* CBOE's VIX method on the prepared chain of the folder's SPX file at the four tenors (all), or
 * at 30 days alone into level[1] (the previous day's, for the changes); NAN where it cannot
 * answer one; and SPX's spot. CLI_EXIT_OK, or acquire's outcome when the file cannot be read
 * now (an exit status, or FILE_CHANGED), or CHAIN_EMPTY. */
static int vix_of_file(cli_serve_engine *e, const cli_serve_file *f, int all,
                       double level[GEX__VIX_TENORS], double *spx)
{
    chain_entry *c = NULL;
    int why = 0;
    int got = acquire(e, f, &c, &why);
    if (got != 0 && why == FILE_CHANGED) /* as the answering file: once more */
        got = acquire(e, f, &c, &why);
    if (got != 0)
        return why;
    int rc = c->state == ENTRY_READY ? CHAIN_EMPTY : c->rc;
    if (c->state == ENTRY_READY && gex_chain_size(c->chain) > 0) {
        gex_chain_view v;
        gex_chain_get_view(c->chain, &v);
        *spx = v.spot[0];
        if (all)
            gex__vix_levels(c->chain, level);
        else
            level[1] = gex__vix_level(c->chain, 1);
        rc = CLI_EXIT_OK;
    }
    release(e, c);
    return rc;
}

/* The base name of a path, for messages (the folder is the server's). */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* Whether a file an answer needs beside its chain (the SPX file of the VIX, a FRED download)
 * could be read, and if not why. */
typedef enum {
    SIDE_OK = 0,
    SIDE_CHANGING,    /* not the version the index listed, or changed while it was read */
    SIDE_CANNOT_READ, /* cannot be opened or read (an errno says why) */
    SIDE_INPUT,       /* read, and not what it should be (a row that cannot be read) */
    SIDE_INTERNAL,    /* out of memory */
    SIDE_BUSY,        /* no descriptor left to open it now (acquire's FILE_NO_RESOURCE) */
} side_why;

/* The index's trouble with such a file (cli_serve_query.vix_trouble, macro_trouble). */
static side_why side_of_trouble(int trouble)
{
    return trouble == CLI_SERVE_INDEX_FILE_UNREADABLE ? SIDE_CANNOT_READ : SIDE_CHANGING;
}

/* acquire's outcome on such a file, other than CLI_EXIT_OK. */
static side_why side_of_exit(int rc)
{
    return rc == FILE_CHANGED        ? SIDE_CHANGING
           : rc == FILE_NO_RESOURCE  ? SIDE_BUSY
           : rc == CLI_EXIT_INTERNAL ? SIDE_INTERNAL
                                     : SIDE_INPUT;
}

/* Answers q, into out, with why the file at path, which gives it its what, cannot be read now
 * (SPEC 5.5: never an answer without that file's numbers): 503 file_changing (SIDE_CHANGING);
 * 503 server_busy (SIDE_BUSY);
 * 500 chain_error saying err's reason and what to do (SIDE_CANNOT_READ) or detail (SIDE_INPUT),
 * as for a chain; 500 internal_error. Only the answer to an input error is kept: the others pass,
 * or end with a fix (a chmod) that changes nothing the answer's cache key names. 1 with out
 * filled, or 2 out of memory. */
static int side_error(const cli_serve_query *q, const char *path, side_why why, int err,
                      const char *what, const char *detail, cli_serve_result *out)
{
    char message[4096 + 1536], endpoint[128];
    const char *base = base_name(path), *brace = strstr(q->endpoint->path, "{symbol}");
    if (brace != NULL) /* the request's own path: /v1/vrp/SPY */
        snprintf(endpoint, sizeof endpoint, "%.*s%s%s", (int)(brace - q->endpoint->path),
                 q->endpoint->path, q->symbol, brace + strlen("{symbol}"));
    else
        snprintf(endpoint, sizeof endpoint, "%s", q->endpoint->path);
    unsigned status = 500;
    const char *code = "chain_error";
    out->no_store = why != SIDE_INPUT;
    switch (why) {
    case SIDE_CHANGING:
        snprintf(message, sizeof message,
                 "%s, which gives %s its %s, changed since the folder was read (it is being "
                 "written, or was just fixed); try again in %d s",
                 base, endpoint, what, CHANGING_RETRY_AFTER);
        status = 503;
        code = "file_changing";
        out->retry_after = CHANGING_RETRY_AFTER;
        break;
    case SIDE_CANNOT_READ:
        err = err != 0 ? err : EIO;
        snprintf(message, sizeof message,
                 "cannot read %s, which gives %s its %s: %s; %s (gex serve reads it again at "
                 "once)",
                 base, endpoint, what, strerror(err), cli_serve_open_advice(err));
        break;
    case SIDE_INPUT:
        snprintf(message, sizeof message, "%s cannot give %s its %s: %s", base, endpoint, what,
                 detail);
        break;
    case SIDE_BUSY:
        snprintf(message, sizeof message,
                 "the server has too many files open to read %s, which gives %s its %s; try "
                 "again in %d s",
                 base, endpoint, what, CHANGING_RETRY_AFTER);
        status = 503;
        code = "server_busy";
        out->retry_after = CHANGING_RETRY_AFTER;
        break;
    default:
        snprintf(message, sizeof message,
                 "%s failed reading %s for its %s (out of memory; the server's log says why)",
                 endpoint, base, what);
        code = "internal_error";
        break;
    }
    return set_error(out, status, code, message) == 0 ? 1 : 2;
}

/* The VIX input of q (SPEC 1.9): 0 and *vix filled; -1 when q has no SPX file of the day (the
 * builders then leave the VIX null); 1 when that file, or SPX's file of an earlier day, is in
 * the folder and cannot be read now: out holds the answer that says so; 2 out of memory. */
static int vix_input(cli_serve_engine *e, const cli_serve_query *q, gex__api_vix *vix,
                     cli_serve_result *out)
{
    static const char what[] = "VIX fields (CBOE's VIX method on the folder's SPX file of the day)";
    static const char what_prev[] = "VIX and SPX changes (from SPX's last file of an earlier day)";
    static const char input[] = "an input error reading it (the server's log says which line and "
                                "why): fix or replace the file, or take it out of the folder";
    memset(vix, 0, sizeof *vix);
    if (!(q->endpoint->context & GEX__API_CONTEXT_VIX))
        return -1;
    if (q->vix_trouble != 0)
        return side_error(q, q->vix_file->path, side_of_trouble(q->vix_trouble), q->vix_file->error,
                          what, "", out);
    if (!q->has_vix_file)
        return -1;
    int rc = vix_of_file(e, q->vix_file, 1, vix->level, &vix->spx);
    if (rc == CHAIN_EMPTY)
        return -1; /* no contract of SPX in it: no VIX, as the file's own answers say */
    if (rc != CLI_EXIT_OK)
        return side_error(q, q->vix_file->path, side_of_exit(rc), 0, what, input, out);
    vix->file = q->vix_file->path;
    if (q->vix_prev_trouble != 0)
        return side_error(q, q->vix_prev->path, side_of_trouble(q->vix_prev_trouble),
                          q->vix_prev->error, what_prev, "", out);
    double prev[GEX__VIX_TENORS];
    if (q->has_vix_prev) {
        rc = vix_of_file(e, q->vix_prev, 0, prev, &vix->prev_spx);
        if (rc != CLI_EXIT_OK && rc != CHAIN_EMPTY)
            return side_error(q, q->vix_prev->path, side_of_exit(rc), 0, what_prev, input, out);
        if (rc == CLI_EXIT_OK) {
            vix->has_prev = 1;
            vix->prev_level30 = prev[1];
        }
    }
    return 0;
}

/* A FRED download of the folder, read as the chains are: never through a link, never a FIFO,
 * at most 64 MB (DGS10 since 1962 is about 300 KB), and only the version the index listed
 * (f's identity), unchanged while it is read. SIDE_OK and *m, or why not: *err_no for
 * SIDE_CANNOT_READ, *err (the line and what is wrong) for SIDE_INPUT. */
static side_why read_fred(const cli_serve_file *f, gex_macro_file *m, gex_error *err, int *err_no)
{
    enum { FRED_BYTES_MAX = 64 << 20 };
    const char *path = f->path;
    memset(m, 0, sizeof *m);
    *err_no = 0;
    const int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *err_no = errno;
        /* gone, or a link put in its place, since the index listed it */
        return *err_no == ENOENT || *err_no == ELOOP ? SIDE_CHANGING : SIDE_CANNOT_READ;
    }
    struct stat st, after;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !is_version(&st, f)) {
        close(fd);
        return SIDE_CHANGING;
    }
    if (st.st_size > FRED_BYTES_MAX) {
        close(fd);
        gex_error_set(err, GEX_EFORMAT, path, 0, 0,
                      "over 64 MB: not a FRED series download (one series since 1962 is about "
                      "300 KB)");
        return SIDE_INPUT;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t len = 0;
    while (buf != NULL && len < (size_t)st.st_size) {
        const ssize_t k = read(fd, buf + len, (size_t)st.st_size - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            *err_no = errno;
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    const int changed = fstat(fd, &after) != 0 || !same_version(&st, &after);
    close(fd);
    side_why why = SIDE_OK;
    if (buf == NULL)
        why = SIDE_INTERNAL;
    else if (*err_no != 0)
        why = SIDE_CANNOT_READ;
    else if (changed || len != (size_t)st.st_size)
        why = SIDE_CHANGING; /* a short read: truncated while it was read */
    else {
        const int rc = gex_macro_read_fred_buffer(buf, len, path, m, err);
        why = rc == GEX_OK ? SIDE_OK : rc == GEX_ENOMEM ? SIDE_INTERNAL : SIDE_INPUT;
    }
    free(buf);
    return why;
}

/* The FRED values of q (SPEC 5.5) in force on the New York day of instant: 0 and *m filled
 * (each value's has 0 where the folder has no download of its series or the download no
 * observation by then); -1 when q has no FRED file at all; 1 when a download that holds a series
 * cannot be read now (a row that cannot be read, its permissions, being written): out holds the
 * answer that says so, as for a chain, rather than a null; 2 out of memory. */
static int macro_input(const cli_serve_query *q, int64_t instant, gex__api_macro *m,
                       cli_serve_result *out)
{
    static const char *const field[GEX__API_MACRO_COUNT] = {"dgs10", "fed_funds", "hy_spread"};
    memset(m, 0, sizeof *m);
    if (!(q->endpoint->context & GEX__API_CONTEXT_MACRO))
        return -1;
    const int32_t day = gex_history_trading_day(instant);
    int any = 0;
    for (size_t k = 0; k < GEX__API_MACRO_COUNT; k++) {
        const cli_serve_file *file = q->macro_file[k];
        if (file == NULL)
            continue;
        any = 1;
        gex__api_macro_value *v = &m->v[k];
        v->id = q->macro_id[k];
        v->file = file->path;
        char what[128], detail[1024];
        snprintf(what, sizeof what, "macro.%s (the FRED series %s)", field[k], v->id);
        if (q->macro_trouble[k] != 0)
            return side_error(q, file->path, side_of_trouble(q->macro_trouble[k]), file->error,
                              what, "", out);
        gex_macro_file f;
        gex_error err;
        gex_error_clear(&err);
        int err_no = 0;
        const side_why why = read_fred(file, &f, &err, &err_no);
        if (why != SIDE_OK) {
            if (why == SIDE_INPUT)
                cli_error(err.file, err.line, "%s", err.text);
            if (err.line > 0)
                snprintf(detail, sizeof detail, "line %ld: %s", err.line, err.text);
            else
                snprintf(detail, sizeof detail, "%s", err.text);
            snprintf(detail + strlen(detail), sizeof detail - strlen(detail),
                     "; download the series again from fred.stlouisfed.org (Download Data, CSV), "
                     "or take the file out of the folder");
            return side_error(q, file->path, why, err_no, what, detail, out);
        }
        v->has = gex_macro_value_at(gex_macro_find(&f, v->id), day, &v->value, &v->day) == GEX_OK;
        gex_macro_file_free(&f);
    }
    return any ? 0 : -1;
}

static int render(cli_serve_engine *e, const chain_entry *c, const char *path,
                  const cli_serve_query *q, cli_serve_result *out)
{
    memset(out, 0, sizeof *out);
    gex__analysis a, pa;
    int rc = analyse(e, c, path, q->expiration, q->min_oi, &a);
    /* The previous snapshot of the symbol (SPEC 5.5), analysed with the same filters: the
     * open-interest changes. Without it (the first file, or one that cannot be read now) they
     * are null. */
    chain_entry *pc = NULL;
    int prc = CLI_EXIT_INPUT, prev_busy = 0;
    if (rc == CLI_EXIT_OK && q->endpoint->need == GEX__API_NEED_ANALYSIS && q->n_series >= 2) {
        int why = 0;
        const cli_serve_file *prev = &q->series[q->n_series - 2];
        if (acquire(e, prev, &pc, &why) == 0 && pc->state == ENTRY_READY)
            prc = analyse(e, pc, prev->path, q->expiration, q->min_oi, &pa);
        else if (pc == NULL)
            prev_busy = why == FILE_NO_RESOURCE; /* its nulls pass: not cached */
    }
    gex__api_series series = {0, NULL, NULL, NULL};
    gex_snapshot *snaps = NULL;
    gex_history_metrics *metrics = NULL;
    const char **files = NULL;
    const char *changing = NULL;
    int series_rc = 0;
    if (rc == CLI_EXIT_OK && q->endpoint->need == GEX__API_NEED_SERIES && q->n_series > 0)
        series_rc = series_of(e, q, &series, &snaps, &metrics, &files, &changing);
    if (series_rc < 0) {
        cli_error(path, 0, "out of memory building the series");
        rc = CLI_EXIT_INTERNAL;
    } else if (series_rc > 0) {
        /* answered as the file's own change is (cli_serve_chain_render): 503, not cached */
        const char *slash = strrchr(changing, '/');
        char message[1024];
        if (series_rc == 2)
            snprintf(message, sizeof message,
                     "the server has too many files open (or too little memory) to read %.512s, "
                     "a snapshot of %s's series, now; try again in %d s",
                     slash != NULL ? slash + 1 : changing, q->symbol, CHANGING_RETRY_AFTER);
        else
            snprintf(message, sizeof message,
                     "%.512s, a snapshot of %s's series, is being written: it changed since it "
                     "was listed; try again in %d s",
                     slash != NULL ? slash + 1 : changing, q->symbol, CHANGING_RETRY_AFTER);
        out->no_store = 1;
        out->retry_after = CHANGING_RETRY_AFTER;
        if (set_error(out, 503, series_rc == 2 ? "server_busy" : "file_changing", message) != 0)
            rc = CLI_EXIT_INTERNAL;
    }
    /* The files beside the chain: one that is in the folder and cannot be read now is the
     * answer (out), not a null in it. */
    gex__api_vix vix;
    gex__api_macro macro;
    int side = rc == CLI_EXIT_OK && series_rc == 0 ? -1 : 1;
    const int has_vix = side < 0 && (side = vix_input(e, q, &vix, out)) == 0;
    const int has_macro = side <= 0 && (side = macro_input(q, a.as_of, &macro, out)) == 0;
    if (side == 2) {
        cli_error(path, 0, "out of memory answering with a file beside the chain");
        rc = CLI_EXIT_INTERNAL;
    }
    if (side <= 0) {
        gex__api_params params;
        cli_serve_query_api_params(q, &params);
        const gex__api_input in = {
            .symbol = q->symbol,
            .params = &params,
            .body = q->body,
            .body_len = q->body_len,
            .analysis = &a,
            .previous = prc == CLI_EXIT_OK ? &pa : NULL,
            .series = q->endpoint->need == GEX__API_NEED_SERIES ? &series : NULL,
            .vix = has_vix ? &vix : NULL,
            .macro = has_macro ? &macro : NULL,
            .now = q->asked_at != 0 ? q->asked_at : (int64_t)time(NULL),
        };
        if (cli_serve_build(q->endpoint, &in, out) != 0) {
            cli_error(path, 0, "out of memory building the JSON document");
            rc = CLI_EXIT_INTERNAL;
        }
        out->no_store |= prev_busy;
    }
    free(snaps);
    free(metrics);
    free(files);
    if (pc != NULL) {
        if (pc->state == ENTRY_READY) /* analysed: freed whatever its status */
            cli_analysis_free(&pa);
        release(e, pc);
    }
    cli_analysis_free(&a);
    return rc;
}

static int set_error(cli_serve_result *out, unsigned status, const char *code, const char *message)
{
    out->status = status;
    snprintf(out->code, sizeof out->code, "%s", code);
    out->body = cli_serve_error_body(code, message, &out->len);
    return out->body != NULL ? 0 : -1;
}

int cli_serve_chain_render(void *ctx, const cli_serve_file *file, const cli_serve_query *q,
                           cli_serve_result *out)
{
    const char *path = file->path, *symbol = file->symbol;
    cli_serve_engine *e = ctx;
    memset(out, 0, sizeof *out);
    chain_entry *c = NULL;
    int rc = CLI_EXIT_OK;
    cli_serve_result built = {0, NULL, 0, 0, 0, "", 0};
    /* A file that changed while it was read is read once more: a writer that replaces its
     * contents in one go is usually done by then. */
    int got = acquire(e, file, &c, &rc);
    if (got != 0 && rc == FILE_CHANGED)
        got = acquire(e, file, &c, &rc);
    if (got == 0) {
        rc = c->state == ENTRY_READY ? render(e, c, path, q, &built) : c->rc;
    }
    /* An input error with filters: was it the filters? Each question costs one more analysis
     * of the cached chain, on this error path only, and its answer is cached like any other. */
    int without_exp = -1, without_filters = -1;
    if (c != NULL && c->state == ENTRY_READY && rc == CLI_EXIT_INPUT) {
        gex__analysis a;
        if (q->expiration[0] != '\0') {
            without_exp = analyse(e, c, path, "", q->min_oi, &a);
            cli_analysis_free(&a);
        }
        if (without_exp != CLI_EXIT_OK && q->min_oi[0] != '\0') {
            without_filters = analyse(e, c, path, "", "", &a);
            cli_analysis_free(&a);
        }
    }
    if (c != NULL)
        release(e, c);

    if (rc == CLI_EXIT_OK) {
        *out = built;
        return 0;
    }
    free(built.body);
    const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    char message[sizeof file->path + 512]; /* a file name is at most a path */
    if (rc == FILE_CHANGED) {
        cli_error(path, 0,
                  "changed since the index read it, or while it was read, twice: answered 503 "
                  "file_changing");
        snprintf(message, sizeof message,
                 "%s is being written: it changed while it was read; try again in %d s", base,
                 CHANGING_RETRY_AFTER);
        out->no_store = 1;
        out->retry_after = CHANGING_RETRY_AFTER;
        return set_error(out, 503, "file_changing", message);
    }
    if (rc == FILE_NO_RESOURCE) {
        snprintf(message, sizeof message,
                 "the server has too many files open to read %s now; try again in %d s", base,
                 CHANGING_RETRY_AFTER);
        out->no_store = 1;
        out->retry_after = CHANGING_RETRY_AFTER;
        return set_error(out, 503, "server_busy", message);
    }
    if (without_exp == CLI_EXIT_OK) {
        snprintf(message, sizeof message, "no contract of %s in %s is left for expiration %s%s%s",
                 symbol, base, q->expiration, q->min_oi[0] != '\0' ? " with min_oi " : "",
                 q->min_oi);
        out->files_cannot = 1;
        return set_error(out, 400, "invalid_expiry", message);
    }
    if (without_filters == CLI_EXIT_OK) {
        snprintf(message, sizeof message, "no contract of %s in %s has open interest of %s or more",
                 symbol, base, q->min_oi);
        return set_error(out, 404, "no_data", message);
    }
    if (rc == CLI_EXIT_INPUT) {
        snprintf(message, sizeof message,
                 "%s cannot be answered from %s (an input error; the server's log says why)",
                 q->endpoint->path, base);
        return set_error(out, 500, "chain_error", message);
    }
    snprintf(message, sizeof message,
             "%s failed on %s with exit status %d (the server's log says why)", q->endpoint->path,
             base, rc);
    out->no_store = 1; /* out of memory, a full disk: may not happen next time */
    return set_error(out, 500, "internal_error", message);
}
