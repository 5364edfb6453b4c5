/*
 * gex serve: which chain file answers for a symbol. The folder is listed and every regular
 * file's underlyings are read from its contents (never from its name). A file is read again
 * only when its identity (inode, size, modification or change time) changes; the folder is
 * listed again when its own modification time changes (a file added, removed or renamed) and
 * at most every SWEEP_INTERVAL_NS otherwise (a file rewritten in place). The file chosen for a
 * request is checked once more just before it is used.
 *
 * Only regular files directly inside DIR are considered: names starting with '.', folders and
 * symbolic links are skipped, so no request can make the server read outside DIR.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "serve-internal.h"

/* How stale the view of in-place rewrites of files other than the one served may get: a
 * quarter second is invisible to a person refreshing and keeps a busy server from listing the
 * folder thousands of times a second. */
#define SWEEP_INTERVAL_NS 250000000LL
/* Files larger than this are not read: the whole US listed options market on one day is about
 * 160 MB as a long CSV (bench/gen-chain --market), so 1 GiB is no chain but a stray disk image
 * or video that would stall every request while being read. */
#define FILE_SIZE_MAX ((off_t)1 << 30)

typedef struct record {
    char *name;
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns, ctime_ns;
    int usable; /* 0: not a chain (logged once per identity) */
    cli_serve_file_symbols symbols;
} record;

struct cli_serve_index {
    pthread_mutex_t lock;
    char *dir;
    cli_serve_backend backend;
    FILE *log;
    record *records;
    size_t n_records;
    int64_t dir_mtime_ns;
    int64_t dir_ctime_ns;
    int64_t last_sweep_ns; /* monotonic; 0: never */
};

static int64_t ts_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return ts_ns(&t);
}

cli_serve_index *cli_serve_index_new(const char *dir, const cli_serve_backend *backend, FILE *log)
{
    cli_serve_index *ix = calloc(1, sizeof *ix);
    if (ix == NULL)
        return NULL;
    ix->dir = strdup(dir);
    if (ix->dir == NULL || pthread_mutex_init(&ix->lock, NULL) != 0) {
        free(ix->dir);
        free(ix);
        return NULL;
    }
    ix->backend = *backend;
    ix->log = log;
    ix->dir_mtime_ns = -1;
    return ix;
}

static void records_free(record *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].name);
        free(r[i].symbols.symbol);
    }
    free(r);
}

void cli_serve_index_free(cli_serve_index *index)
{
    if (index == NULL)
        return;
    records_free(index->records, index->n_records);
    pthread_mutex_destroy(&index->lock);
    free(index->dir);
    free(index);
}

static int same_identity(const record *r, const struct stat *st)
{
    return r->dev == st->st_dev && r->ino == st->st_ino && r->size == st->st_size &&
           r->mtime_ns == ts_ns(&st->st_mtim) && r->ctime_ns == ts_ns(&st->st_ctim);
}

static record *find_record(record *r, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(r[i].name, name) == 0)
            return &r[i];
    }
    return NULL;
}

/* Lists the folder again; reads the files that are new or changed. Holds the lock. */
static int sweep(cli_serve_index *ix)
{
    DIR *d = opendir(ix->dir);
    if (d == NULL)
        return -1;
    int dfd = dirfd(d);
    record *fresh = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        struct stat st;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            size_t ncap = cap == 0 ? 16 : 2 * cap;
            record *grown = realloc(fresh, ncap * sizeof *grown);
            if (grown == NULL) {
                rc = -1;
                break;
            }
            fresh = grown;
            cap = ncap;
        }
        record *r = &fresh[n];
        memset(r, 0, sizeof *r);
        r->name = strdup(de->d_name);
        if (r->name == NULL) {
            rc = -1;
            break;
        }
        n++;
        record *old = find_record(ix->records, ix->n_records, de->d_name);
        if (old != NULL && same_identity(old, &st)) {
            /* Unchanged: its symbols move over, nothing is read again. */
            r->usable = old->usable;
            r->symbols = old->symbols;
            old->symbols.symbol = NULL;
            old->symbols.n = 0;
        } else {
            char path[4096];
            char why[512] = "not a chain file gex reads";
            int len = snprintf(path, sizeof path, "%s/%s", ix->dir, de->d_name);
            if (len < 0 || (size_t)len >= sizeof path)
                snprintf(why, sizeof why, "the path is longer than %zu bytes", sizeof path);
            else if (st.st_size > FILE_SIZE_MAX)
                snprintf(why, sizeof why, "larger than 1 GiB, too large to be a chain");
            else
                r->usable =
                    ix->backend.symbols(ix->backend.ctx, path, &r->symbols, why, sizeof why) == 0;
            if (!r->usable && ix->log != NULL)
                fprintf(ix->log, "gex serve: %s: left out: %s\n", path, why);
        }
        r->dev = st.st_dev;
        r->ino = st.st_ino;
        r->size = st.st_size;
        r->mtime_ns = ts_ns(&st.st_mtim);
        r->ctime_ns = ts_ns(&st.st_ctim);
    }
    closedir(d);
    if (rc != 0) {
        /* Symbols may have moved out of the old records: start from nothing next time. */
        records_free(fresh, n);
        records_free(ix->records, ix->n_records);
        ix->records = NULL;
        ix->n_records = 0;
        ix->last_sweep_ns = 0;
        return -1;
    }
    records_free(ix->records, ix->n_records);
    ix->records = fresh;
    ix->n_records = n;
    ix->last_sweep_ns = monotonic_ns();
    return 0;
}

/* Is a newer than b for ranking the files of one symbol? */
static int newer(const record *a, const record *b)
{
    if (a->symbols.has_quote_time != b->symbols.has_quote_time)
        return a->symbols.has_quote_time > b->symbols.has_quote_time;
    if (a->symbols.has_quote_time && a->symbols.quote_time != b->symbols.quote_time)
        return a->symbols.quote_time > b->symbols.quote_time;
    if (a->mtime_ns != b->mtime_ns)
        return a->mtime_ns > b->mtime_ns;
    return strcmp(a->name, b->name) > 0;
}

static const record *best(const cli_serve_index *ix, const char *symbol, size_t *which)
{
    const record *found = NULL;
    for (size_t i = 0; i < ix->n_records; i++) {
        const record *r = &ix->records[i];
        if (!r->usable)
            continue;
        for (size_t s = 0; s < r->symbols.n; s++) {
            if (strcasecmp(r->symbols.symbol[s], symbol) == 0 &&
                (found == NULL || newer(r, found))) {
                found = r;
                *which = s;
            }
        }
    }
    return found;
}

int cli_serve_file_restat(cli_serve_file *f)
{
    struct stat st;
    if (lstat(f->path, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->mtime_ns = ts_ns(&st.st_mtim);
    f->ctime_ns = ts_ns(&st.st_ctim);
    return 0;
}

int cli_serve_index_lookup(cli_serve_index *index, const char *symbol, cli_serve_file *out)
{
    cli_serve_index *ix = index;
    pthread_mutex_lock(&ix->lock);
    int rc = 1;
    struct stat dst;
    if (stat(ix->dir, &dst) != 0 || !S_ISDIR(dst.st_mode)) {
        rc = -1;
        goto done;
    }
    int dir_changed =
        ts_ns(&dst.st_mtim) != ix->dir_mtime_ns || ts_ns(&dst.st_ctim) != ix->dir_ctime_ns;
    if (dir_changed || ix->last_sweep_ns == 0 ||
        monotonic_ns() - ix->last_sweep_ns >= SWEEP_INTERVAL_NS) {
        if (sweep(ix) != 0) {
            rc = -1;
            goto done;
        }
        ix->dir_mtime_ns = ts_ns(&dst.st_mtim);
        ix->dir_ctime_ns = ts_ns(&dst.st_ctim);
    }
    /* The chosen file may have been rewritten since the last sweep: then sweep once more so
     * that its new contents (perhaps another symbol, another quote instant) are ranked. */
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t which = 0;
        const record *r = best(ix, symbol, &which);
        if (r == NULL) {
            rc = 1;
            break;
        }
        struct stat st;
        char path[sizeof out->path];
        int len = snprintf(path, sizeof path, "%s/%s", ix->dir, r->name);
        if (len > 0 && (size_t)len < sizeof path && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
            same_identity(r, &st)) {
            memcpy(out->path, path, sizeof out->path);
            memcpy(out->symbol, r->symbols.symbol[which], sizeof out->symbol);
            out->dev = r->dev;
            out->ino = r->ino;
            out->size = r->size;
            out->mtime_ns = r->mtime_ns;
            out->ctime_ns = r->ctime_ns;
            rc = 0;
            break;
        }
        if (sweep(ix) != 0) {
            rc = -1;
            break;
        }
        rc = 1;
    }
done:
    pthread_mutex_unlock(&ix->lock);
    return rc;
}
