/*
 * gex serve: the snapshots of a series (SPEC 5.5). A request for /v1/vrp or the history of a
 * symbol needs the snapshot (gex/history.h) of every file of the symbol up to the instant asked:
 * each file's is computed once, from one complete read of the version the index found, and kept
 * under the file's identity and symbol, so the next request analyses only files that are new or
 * changed; the series measures (gex_history_metrics_compute) are then a pass over the kept
 * snapshots. Entries of files that went or changed are dropped when the cache is full, oldest
 * use first.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "serve-internal.h"

/* Snapshots kept: about 400 bytes each, so 16,384 (ten years of daily files of six symbols)
 * cost under 7 MB. */
#define SERIES_MAX 16384

typedef struct kept {
    cli_serve_file file; /* identity and symbol */
    gex_snapshot snap;
    int ok; /* 0: the file gave no snapshot (kept too, so a bad file is not read at every request)
             */
    unsigned long last_used;
} kept;

struct cli_serve_series_cache {
    cli_options opts;
    pthread_mutex_t lock;
    kept *k;
    size_t n;
    unsigned long tick;
};

cli_serve_series_cache *cli_serve_series_cache_new(const cli_options *opts)
{
    cli_serve_series_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->opts = *opts;
    c->opts.analysis.exposure.expirations = NULL;
    c->opts.analysis.exposure.n_expirations = 0;
    c->opts.analysis.exposure.zero_dte = 0;
    c->opts.analysis.exposure.min_oi = 0;
    c->k = calloc(SERIES_MAX, sizeof *c->k);
    if (c->k == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->k);
        free(c);
        return NULL;
    }
    return c;
}

void cli_serve_series_cache_free(cli_serve_series_cache *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c->k);
    free(c);
}

static int same_file(const cli_serve_file *a, const cli_serve_file *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns && a->has_at == b->has_at &&
           (!a->has_at || a->time == b->time) && strcmp(a->symbol, b->symbol) == 0 &&
           strcmp(a->path, b->path) == 0;
}

/* compute's outcomes other than 0 (a snapshot) and -1 (none, the reason in the log). */
#define SERIES_CHANGED     (-2) /* not the version the index found, or changed while read */
#define SERIES_NO_RESOURCE (-3) /* no descriptor or no memory to read it now */

/* Reads, prepares and analyses the file's symbol into *snap, as gex history does: 0, -1 when
 * it gives none (the reason in the server's log), SERIES_CHANGED (being written: it gives
 * nothing now, and may later) or SERIES_NO_RESOURCE (the server's want, not the file's). */
static int compute(const cli_serve_series_cache *c, const cli_serve_file *f, gex_snapshot *snap)
{
    const int fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st, after;
    if (fd < 0)
        return errno == EMFILE || errno == ENFILE || errno == ENOMEM ? SERIES_NO_RESOURCE : -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    if (st.st_dev != f->dev || st.st_ino != f->ino || st.st_size != f->size ||
        (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec != f->mtime_ns) {
        close(fd);
        return SERIES_CHANGED;
    }
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    FILE *fp = fdopen(fd, "rb");
    if (fp == NULL) {
        close(fd);
        return SERIES_NO_RESOURCE; /* fdopen fails for want of memory alone */
    }
    cli_options opts = c->opts;
    opts.read.symbol = f->symbol;
    if (f->has_at) { /* one snapshot of a file of several */
        opts.read.has_at = 1;
        opts.read.at = f->time;
    }
    /* Quiet: a file's warnings are its answer's to print (gex api printed each once per file of
     * the series and again for the answer); a file that fails here is left out of the series. */
    opts.quiet = 1;
    gex_chain *chain = NULL;
    gex_read_report read;
    int rc = cli_read_stream(NULL, &opts, f->path, fp, &chain, &read);
    const int changed = fstat(fileno(fp), &after) != 0 || after.st_size != st.st_size ||
                        after.st_mtim.tv_sec != st.st_mtim.tv_sec ||
                        after.st_mtim.tv_nsec != st.st_mtim.tv_nsec;
    fclose(fp);
    if (rc != CLI_EXIT_OK || changed) {
        gex_chain_free(chain);
        return changed                   ? SERIES_CHANGED
               : rc == CLI_EXIT_INTERNAL ? SERIES_NO_RESOURCE /* out of memory */
                                         : -1;
    }
    /* Each snapshot at the instant the index placed it at, its own or its file's modification
     * time: --now values the answer's own analysis, not the series' (with it, every snapshot
     * took one instant and the series kept only the oldest file's). */
    int64_t quote = 0;
    if (gex_chain_quote_time(chain, &quote) == GEX_OK) {
        opts.prepare.has_now = 0;
    } else if (cli_quote_time_unreadable(NULL, &opts, f->path, chain, &read, 0)) {
        gex_chain_free(chain); /* its quote times cannot be read: never dated by its mtime */
        return -1;
    } else if (opts.now_from_mtime) {
        opts.prepare.has_now = 1;
        opts.prepare.now = (int64_t)st.st_mtim.tv_sec;
    }
    gex_prepare_report prep;
    rc = cli_prepare(NULL, &opts, f->path, chain, &prep);
    if (rc != CLI_EXIT_OK) {
        gex_chain_free(chain);
        return rc == CLI_EXIT_INTERNAL ? SERIES_NO_RESOURCE : -1;
    }
    gex__analysis a;
    rc = cli_analyze(NULL, &opts, f->path, chain, &read, &prep, 1, &a);
    if (rc == CLI_EXIT_OK) {
        const int got = gex_snapshot_from_analysis(a.an, snap);
        rc = got == GEX_OK ? CLI_EXIT_OK : got == GEX_ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_INPUT;
    }
    cli_analysis_free(&a);
    return rc == CLI_EXIT_OK ? 0 : rc == CLI_EXIT_INTERNAL ? SERIES_NO_RESOURCE : -1;
}

int cli_serve_series_snapshots(cli_serve_series_cache *c, const cli_serve_file *files, size_t n,
                               gex_snapshot *out, int *ok)
{
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        pthread_mutex_lock(&c->lock);
        for (size_t j = 0; j < c->n; j++) {
            if (same_file(&c->k[j].file, &files[i])) {
                out[i] = c->k[j].snap;
                ok[i] = c->k[j].ok;
                c->k[j].last_used = ++c->tick;
                found = 1;
                break;
            }
        }
        pthread_mutex_unlock(&c->lock);
        if (found)
            continue;
        /* Computed without the lock: two requests may compute one file at once, and store
         * the same snapshot twice (harmless; the first found wins). */
        memset(&out[i], 0, sizeof out[i]);
        const int got = compute(c, &files[i], &out[i]);
        ok[i] = got == 0 ? 1 : got == SERIES_CHANGED ? -1 : got == SERIES_NO_RESOURCE ? -2 : 0;
        if (ok[i] < 0)
            continue; /* being written, or the server short of descriptors: asked again */
        pthread_mutex_lock(&c->lock);
        size_t slot = c->n;
        if (c->n == SERIES_MAX) {
            slot = 0;
            for (size_t j = 1; j < c->n; j++)
                if (c->k[j].last_used < c->k[slot].last_used)
                    slot = j;
        } else {
            c->n++;
        }
        c->k[slot] = (kept){files[i], out[i], ok[i], ++c->tick};
        pthread_mutex_unlock(&c->lock);
    }
    return 0;
}
