/*
 * gex serve: which chain file answers for a symbol. The folder is listed and every regular
 * file's underlyings are read from its contents (never from its name). A file is read again
 * only when its identity (inode, size, modification or change time) changes.
 *
 * The index is an immutable snapshot: the files sorted by name, and a hash table from each
 * symbol (ignoring case) to every file holding it in time order (SPEC 5.5): a request without
 * at= or date= is answered from the newest, one with them from the latest at or before the
 * instant asked, and the previous snapshot and the series up to it come from the same run.
 * A file without a quote instant of its own is placed by its modification time only with
 * --now-from-mtime; otherwise it is logged once and stays out of time ordering (it answers
 * only requests for the newest, and only when no dated file holds the symbol). A request looks its
 * symbol up in the current snapshot (a reference taken under a short lock, then an O(1) probe) and
 * checks the chosen file's identity once more with lstat. Scans run on the index's own thread,
 * never under the lock: the scanner lists the folder, finds each name's previous record by binary
 * search, reads only new or changed files, builds the next snapshot and publishes it with one
 * pointer swap. So no request waits for a scan unless it needs the scan's result: the file it would
 * be answered from changed or vanished since the snapshot, or its symbol is unknown while the
 * folder has changed (cli_serve_index_lookup_fresh, run on a render thread).
 *
 * When scans happen: when a request sees the folder's own times changed (a file added, removed
 * or renamed), at most every SWEEP_INTERVAL_NS otherwise while requests come (a file rewritten
 * in place), never more often than a fifth of the time (the interval is at least four times
 * the last scan's duration), and when a settling file is due (below).
 *
 * A file rewritten in place (same inode) may be half written: it is read only once it has not
 * been written for SETTLE_NS (its modification time, or its identity seen unchanged that long).
 * Until then it is "settling", requests for it are answered 503 file_changing, and the log says
 * so once per episode; a slow writer is thus not read again at every scan. A file that replaces
 * one the index read, under a new inode (renamed into place, the safe way to publish a file),
 * was complete when it arrived and is read at once. A name the last scan did not see (a new
 * file, or one back after being deleted or replaced by a link) may equally be a download still
 * being written, or a file renamed into place and then rewritten in place before any scan saw
 * it: written within SETTLE_NS, it settles like a rewrite, unread (requests for a symbol no
 * file holds are answered 503 file_changing meanwhile, not 404). The first scan reads every
 * file at once: the server starts on the files it is given.
 *
 * Only regular files directly inside DIR are considered: names starting with '.', folders and
 * symbolic links are skipped, so no request can make the server read outside DIR.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "serve-internal.h"

/* How stale the view of in-place rewrites of files other than the one served may get: a
 * quarter second is invisible to a person refreshing and keeps a busy server from listing the
 * folder thousands of times a second. */
#define SWEEP_INTERVAL_NS 250000000LL
/* A scan costs at most this share of one core: the next periodic scan waits SCAN_DUTY times
 * the last one's duration (a folder of 20,000 files takes a few hundred milliseconds). */
#define SCAN_DUTY 4
/* A file written in place is read only once it has been unchanged this long: a second is longer
 * than the gap between a writer's flushes, short enough for a person waiting for new numbers. */
#define SETTLE_NS 1000000000LL
/* Files larger than this are not read: the whole US listed options market on one day is about
 * 160 MB as a long CSV (bench/gen-chain --market), so 1 GiB is no chain but a stray disk image
 * or video that would keep the scanner busy reading it. */
#define FILE_SIZE_MAX ((off_t)1 << 30)

typedef struct ident {
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns, ctime_ns;
} ident;

typedef struct record {
    char *name;
    ident read;            /* the version the symbols were read from (or refused) */
    int64_t read_at_ns;    /* monotonic time of that read */
    ident seen;            /* settling: the latest identity seen */
    int64_t seen_since_ns; /* settling: since when it has been seen unchanged */
    int settling;          /* changed in place again within SETTLE_NS of its read */
    int unread;            /* settling: a name new to the index, not read yet */
    int usable;            /* 0: not a chain (logged once per identity) */
    int open_errno;        /* non-zero: the file cannot be opened (errno), tried again at every
                              scan; symbols are then those it held when last read (none if never) */
    int macro;             /* a FRED series download (gex/macro.h), not a chain */
    char macro_ids[256];   /* macro: its series ids, comma-separated */
    int fresh;             /* read by the scan that built this snapshot (duplicates are logged
                              once, by that scan) */
    cli_serve_file_symbols symbols;
} record;

/* One file holding a symbol: records[rec].symbols.symbol[which], placed in time (of a file of
 * several snapshots, one of them: read with --at its time). */
typedef struct entry {
    uint32_t rec, which;
    int at;           /* one snapshot of a file of several */
    int timed;        /* has a quote instant (or --now-from-mtime gave it its mtime) */
    int64_t time;     /* timed: UTC seconds */
    int64_t mtime_ns; /* ties: the newer file wins */
    const char *name; /* ties after that: the greater name */
} entry;

/* A symbol's files in a snapshot: an open-addressing hash table keyed by the symbol in lower
 * case, each slot naming its run of entries, oldest first (the untimed ones before every timed
 * one, then by instant, modification time and name): the last is the newest. */
typedef struct slot {
    char key[CLI_SERVE_SYMBOL_MAX + 1]; /* "" : empty */
    uint32_t first, count;              /* entries[first .. first + count) */
    uint32_t blocked; /* 1 + the record of a file that held the symbol when last read and cannot
                         be opened now (the symbol is not answered meanwhile); 0: none */
} slot;

typedef struct snapshot {
    atomic_size_t refs;
    int dir_ok;    /* 0: the folder could not be listed */
    int dir_errno; /* !dir_ok: why (errno) */
    int64_t dir_mtime_ns, dir_ctime_ns;
    record *records; /* sorted by name */
    size_t n_records;
    slot *slots;
    size_t n_slots; /* a power of two, or 0 */
    entry *entries; /* grouped by symbol (slot), each group oldest first */
    size_t n_entries;
    size_t n_unread;     /* records settling unread: their symbols are not known yet */
    size_t first_unread; /* n_unread > 0: the first of them */
    size_t n_unreadable; /* records that cannot be opened */
    size_t first_unreadable;
} snapshot;

struct cli_serve_index {
    char *dir;
    cli_serve_backend backend;
    FILE *log;
    int now_from_mtime; /* files without a quote instant take their modification time */
    pthread_mutex_t lock;
    pthread_cond_t wake;    /* the scanner: a scan was asked for, or stop */
    pthread_cond_t scanned; /* waiters: a scan finished */
    snapshot *current;      /* NULL until the first scan ends */
    int scan_wanted;
    int stop;
    unsigned long scans_started, scans_done;
    int64_t last_scan_end_ns, last_scan_ns; /* monotonic end, and duration */
    int64_t next_due_ns;                    /* a settling file's time; 0: none */
    pthread_t scanner;
    int scanner_running;
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

static int64_t realtime_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return ts_ns(&t);
}

static ident ident_of(const struct stat *st)
{
    ident id = {st->st_dev, st->st_ino, st->st_size, ts_ns(&st->st_mtim), ts_ns(&st->st_ctim)};
    return id;
}

static int ident_eq(const ident *a, const ident *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

static void records_free(record *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].name);
        free(r[i].symbols.symbol);
        free(r[i].symbols.time);
    }
    free(r);
}

static void snapshot_unref(snapshot *s)
{
    if (s == NULL || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    records_free(s->records, s->n_records);
    free(s->slots);
    free(s->entries);
    free(s);
}

/* The current snapshot, a new reference (NULL before the first scan). Under the lock. */
static snapshot *snapshot_get(cli_serve_index *ix)
{
    snapshot *s = ix->current;
    if (s != NULL)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

/* FNV-1a of a string (hash.h). */
static uint64_t fnv1a(const char *s)
{
    return cli_fnv1a(CLI_FNV1A_BASIS, s);
}

/* symbol in lower case into key; 0, or -1 when it is too long to be a symbol. */
static int lower_key(const char *symbol, char key[CLI_SERVE_SYMBOL_MAX + 1])
{
    size_t i = 0;
    for (; symbol[i] != '\0'; i++) {
        if (i >= CLI_SERVE_SYMBOL_MAX)
            return -1;
        unsigned char c = (unsigned char)symbol[i];
        key[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    key[i] = '\0';
    return 0;
}

/* How the log shows a file name or anything read from a file: bytes that could forge a log line
 * or drive a terminal (controls, non-ASCII, '"', '\\') written \\xHH as the access log writes
 * request targets (cli_serve_log_escape), cut with "..." past SHOWN_MAX. */
#define SHOWN_MAX 1024
static const char *shown(char out[SHOWN_MAX], const char *text)
{
    cli_serve_log_escape(out, SHOWN_MAX, text);
    return out;
}

/* dir/name as the log shows it. */
static const char *shown_path(char out[SHOWN_MAX], const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return shown(out, path);
}

static slot *probe(const snapshot *s, const char *key)
{
    if (s->n_slots == 0)
        return NULL;
    const size_t mask = s->n_slots - 1;
    for (size_t i = fnv1a(key) & mask;; i = (i + 1) & mask) {
        slot *sl = &s->slots[i];
        if (sl->key[0] == '\0' || strcmp(sl->key, key) == 0)
            return sl;
    }
}

/* Oldest first: untimed files, then by instant, modification time and name. */
static int entry_order(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    if (a->timed != b->timed)
        return a->timed < b->timed ? -1 : 1;
    if (a->timed && a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->mtime_ns != b->mtime_ns)
        return a->mtime_ns < b->mtime_ns ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Fills the symbol table of s from its records: every file of every symbol, in time order.
 * Two files of one symbol at the same instant are logged when either was read by this scan
 * (so once): the newer file answers. 0, or -1 when out of memory. */
static int build_slots(const cli_serve_index *ix, snapshot *s)
{
    size_t total = 0, blocking = 0;
    for (size_t i = 0; i < s->n_records; i++) {
        if (s->records[i].usable)
            total += s->records[i].symbols.n;
        else if (s->records[i].open_errno != 0)
            blocking += s->records[i].symbols.n;
    }
    size_t n = 16;
    while (n < 2 * (total + blocking))
        n *= 2;
    s->slots = calloc(n, sizeof *s->slots);
    s->entries = malloc((total > 0 ? total : 1) * sizeof *s->entries);
    if (s->slots == NULL || s->entries == NULL)
        return -1;
    s->n_slots = n;
    /* Counted per symbol, then placed: each symbol's entries in one run. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < s->n_records; i++) {
            const record *r = &s->records[i];
            if (!r->usable && r->open_errno == 0)
                continue;
            for (size_t k = 0; k < r->symbols.n; k++) {
                char key[CLI_SERVE_SYMBOL_MAX + 1];
                if (lower_key(r->symbols.symbol[k], key) != 0)
                    continue;
                slot *sl = probe(s, key);
                if (!r->usable) { /* held when last read, and cannot be opened now */
                    if (pass == 0 && sl->key[0] == '\0')
                        memcpy(sl->key, key, sizeof key);
                    if (pass == 0 && sl->blocked == 0)
                        sl->blocked = (uint32_t)i + 1;
                    continue;
                }
                if (pass == 0) {
                    if (sl->key[0] == '\0')
                        memcpy(sl->key, key, sizeof key);
                    sl->count++;
                    continue;
                }
                entry *e = &s->entries[sl->first + sl->count++];
                e->rec = (uint32_t)i;
                e->which = (uint32_t)k;
                e->at = r->symbols.time != NULL;
                e->timed = r->symbols.has_quote_time || ix->now_from_mtime;
                e->time = e->at                       ? r->symbols.time[k]
                          : r->symbols.has_quote_time ? r->symbols.quote_time
                                                      : r->read.mtime_ns / 1000000000LL;
                e->mtime_ns = r->read.mtime_ns;
                e->name = r->name;
            }
        }
        if (pass == 0) {
            uint32_t at = 0;
            for (size_t j = 0; j < s->n_slots; j++) {
                s->slots[j].first = at;
                at += s->slots[j].count;
                s->slots[j].count = 0;
            }
            s->n_entries = at;
        }
    }
    for (size_t j = 0; j < s->n_slots; j++) {
        const slot *sl = &s->slots[j];
        if (sl->count < 2)
            continue;
        entry *run = &s->entries[sl->first];
        qsort(run, sl->count, sizeof *run, entry_order);
        for (uint32_t k = 1; k < sl->count && ix->log != NULL; k++) {
            const entry *a = &run[k - 1], *b = &run[k];
            if (!a->timed || !b->timed || a->time != b->time ||
                (!s->records[a->rec].fresh && !s->records[b->rec].fresh))
                continue;
            char pa[SHOWN_MAX], pb[SHOWN_MAX], sym[SHOWN_MAX], nb[SHOWN_MAX];
            fprintf(ix->log,
                    "gex serve: %s and %s: both hold %s at the same quote instant; the newer "
                    "file, %s, answers\n",
                    shown_path(pa, ix->dir, a->name), shown_path(pb, ix->dir, b->name),
                    shown(sym, s->records[b->rec].symbols.symbol[b->which]), shown(nb, b->name));
        }
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const record *)a)->name, ((const record *)b)->name);
}

static const record *find_record(const snapshot *s, const char *name)
{
    if (s == NULL || s->n_records == 0)
        return NULL;
    const record key = {.name = (char *)name};
    return bsearch(&key, s->records, s->n_records, sizeof *s->records, by_name);
}

/* A malloc'ed copy of bytes bytes at p (NULL stays NULL): 0, or -1 when out of memory. */
static int copy_block(void **to, const void *p, size_t bytes)
{
    *to = NULL;
    if (p == NULL)
        return 0;
    *to = malloc(bytes > 0 ? bytes : 1);
    if (*to == NULL)
        return -1;
    memcpy(*to, p, bytes);
    return 0;
}

/* A copy of the symbols old holds (or held when last read). 0, or -1 when out of memory. */
static int copy_symbols(record *r, const record *old)
{
    r->symbols = old->symbols;
    const size_t n = old->symbols.n;
    void *symbol = NULL, *time = NULL;
    const int rc = copy_block(&symbol, old->symbols.symbol, n * sizeof *old->symbols.symbol) |
                   copy_block(&time, old->symbols.time, n * sizeof *old->symbols.time);
    r->symbols.symbol = symbol;
    r->symbols.time = time;
    return rc;
}

/* A copy of what old read, for the next snapshot. 0, or -1 when out of memory. */
static int copy_read(record *r, const record *old)
{
    r->read = old->read;
    r->read_at_ns = old->read_at_ns;
    r->usable = old->usable;
    r->open_errno = old->open_errno;
    r->macro = old->macro;
    memcpy(r->macro_ids, old->macro_ids, sizeof r->macro_ids);
    return copy_symbols(r, old);
}

/* Whether the file open at fd is a FRED series download (gex/macro.h): its ids into r. */
static int read_macro(int fd, record *r)
{
    char head[512];
    const ssize_t got = read(fd, head, sizeof head);
    const size_t n = got > 0 ? (size_t)got : 0;
    r->macro = gex_macro_is_fred(head, n, r->macro_ids, sizeof r->macro_ids);
    return r->macro;
}

int cli_serve_lacks_resource(int err)
{
    return err == EMFILE || err == ENFILE || err == ENOMEM;
}

const char *cli_serve_open_advice(int err)
{
    switch (err) {
    case EACCES:
    case EPERM:
        return "fix its permissions";
    case ENOENT:
        return "it is gone: put it back, or serve another folder";
    case ENOTDIR:
        return "it is no longer a folder: put the folder back, or serve another one";
    case EMFILE:
    case ENFILE:
        return "too many files are open: raise the open-file limit (ulimit -n)";
    case EIO:
        return "the disk reports an I/O error: check it";
    default:
        return "check it";
    }
}

/* Reads the file's underlyings now; logs why it is left out when it is. prev: its record in the
 * previous snapshot (NULL: none). A file that cannot be opened (permissions, an I/O error, no
 * descriptor left) is not "not a chain": it keeps its errno and the symbols prev held (when last
 * read), so that requests for them name it instead of quietly going to another file. */
static void read_file(cli_serve_index *ix, int dfd, const char *name, const struct stat *st,
                      record *r, int64_t now, const record *prev)
{
    char path[4096], show[SHOWN_MAX], why_shown[SHOWN_MAX];
    char why[512] = "not a chain file gex reads";
    int len = snprintf(path, sizeof path, "%s/%s", ix->dir, name);
    shown(show, path);
    r->read = ident_of(st);
    r->read_at_ns = now;
    if (len < 0 || (size_t)len >= sizeof path) {
        snprintf(why, sizeof why, "the path is longer than %zu bytes", sizeof path);
    } else if (st->st_size > FILE_SIZE_MAX) {
        snprintf(why, sizeof why, "larger than 1 GiB, too large to be a chain");
    } else {
        /* Never a link swapped in since the listing, never a FIFO's open blocking the scanner. */
        const int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        const int err = fd < 0 ? errno : 0;
        if (fd < 0 && err != ENOENT && err != ELOOP) {
            /* ENOENT, ELOOP: gone or replaced by a link since the listing (the next scan sees
             * it). Anything else: the file is there and cannot be read. */
            r->open_errno = err;
            if (prev != NULL && (prev->usable || prev->open_errno != 0) &&
                copy_symbols(r, prev) != 0) {
                free(r->symbols.symbol); /* out of memory: no symbol known to be held */
                free(r->symbols.time);
                memset(&r->symbols, 0, sizeof r->symbols);
            }
            /* A FRED download keeps the series it held, as a chain its symbols: the answers
             * that need them name it rather than go without. */
            if (prev != NULL && prev->macro) {
                r->macro = 1;
                memcpy(r->macro_ids, prev->macro_ids, sizeof r->macro_ids);
            }
        } else if (fd >= 0) {
            const int macro = read_macro(fd, r);
            close(fd);
            if (!macro)
                r->usable =
                    ix->backend.symbols(ix->backend.ctx, path, &r->symbols, why, sizeof why) == 0;
        }
    }
    r->fresh = 1;
    if (r->open_errno != 0 && ix->log != NULL &&
        (prev == NULL || prev->open_errno != r->open_errno)) {
        char held[SHOWN_MAX + 128] = "";
        if (r->macro) {
            char ids[SHOWN_MAX];
            snprintf(held, sizeof held,
                     "the answers that need its FRED series %s (which it held when last read) "
                     "and ",
                     shown(ids, r->macro_ids));
        } else if (r->symbols.n > 0) {
            char sym[SHOWN_MAX];
            if (r->symbols.n == 1)
                snprintf(held, sizeof held, "requests for %s (which it held when last read) and ",
                         shown(sym, r->symbols.symbol[0]));
            else
                snprintf(held, sizeof held,
                         "requests for %s and the %zu other symbols it held when last read and ",
                         shown(sym, r->symbols.symbol[0]), r->symbols.n - 1);
        }
        fprintf(ix->log,
                "gex serve: cannot open %s: %s; %s (tried again at every scan). Until then "
                "%srequests for a symbol no other file holds are answered 500 chain_error "
                "naming it\n",
                show, strerror(r->open_errno), cli_serve_open_advice(r->open_errno), held);
    } else if (r->macro && ix->log != NULL) {
        fprintf(ix->log, "gex serve: %s: FRED series %s, for /v1/vrp's macro block\n", show,
                shown(why_shown, r->macro_ids));
    } else if (!r->usable && r->open_errno == 0 && ix->log != NULL) {
        fprintf(ix->log, "gex serve: %s: left out: %s\n", show, shown(why_shown, why));
    }
    if (r->usable && !r->symbols.has_quote_time && !ix->now_from_mtime && ix->log != NULL)
        fprintf(ix->log,
                "gex serve: %s: cannot place in time (the file holds no quote instant); use "
                "--now-from-mtime to date it by its modification time. Until then it answers "
                "only requests without at= or date=, and only when no dated file holds its "
                "symbol\n",
                show);
    /* Changed while it was read: what was read belongs to no version of it. It settles. */
    struct stat after;
    if (fstatat(dfd, name, &after, AT_SYMLINK_NOFOLLOW) == 0) {
        const ident now_id = ident_of(&after);
        if (!ident_eq(&now_id, &r->read)) {
            r->settling = 1;
            r->seen = now_id;
            r->seen_since_ns = monotonic_ns();
            if (ix->log != NULL)
                fprintf(ix->log,
                        "gex serve: %s: changed while it was read; read again once unchanged "
                        "for %lld s (until then answered 503 file_changing)\n",
                        show, SETTLE_NS / 1000000000LL);
        }
    }
}

/* A folder's documentation, not a chain: a README (any extension) or a Markdown file. Not read,
 * so that serving a folder with its README does not log it as a file gex cannot use. */
static int documentation(const char *name)
{
    const size_t len = strlen(name);
    return strncasecmp(name, "README", 6) == 0 ||
           (len >= 3 && strcasecmp(name + len - 3, ".md") == 0);
}

/* Lists the folder and builds the next snapshot from old (which stays untouched): files new or
 * changed are read, the others' records copied. No lock is held. *due is set to the earliest
 * time a settling file should be looked at again (0: none). NULL when out of memory. */
static snapshot *scan(cli_serve_index *ix, const snapshot *old, int64_t *due)
{
    *due = 0;
    snapshot *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    atomic_init(&s->refs, 1);
    struct stat dst;
    DIR *d = NULL;
    if (stat(ix->dir, &dst) != 0) {
        s->dir_errno = errno;
    } else if (!S_ISDIR(dst.st_mode)) {
        s->dir_errno = ENOTDIR;
    } else {
        s->dir_mtime_ns = ts_ns(&dst.st_mtim);
        s->dir_ctime_ns = ts_ns(&dst.st_ctim);
        d = opendir(ix->dir);
        s->dir_errno = d == NULL ? errno : 0;
    }
    char show[SHOWN_MAX];
    if (d == NULL) {
        /* dir_ok 0: answered "cannot be read" until it can; logged when that starts or its
         * reason changes */
        if (ix->log != NULL && (old == NULL || old->dir_ok || old->dir_errno != s->dir_errno))
            fprintf(ix->log,
                    "gex serve: cannot list the folder %s: %s; %s. Until it can be listed "
                    "requests are answered 500 internal_error\n",
                    shown(show, ix->dir), strerror(s->dir_errno),
                    cli_serve_open_advice(s->dir_errno));
        return s;
    }
    if (ix->log != NULL && old != NULL && !old->dir_ok)
        fprintf(ix->log, "gex serve: the folder %s can be listed again\n", shown(show, ix->dir));
    s->dir_ok = 1;
    const int dfd = dirfd(d);
    size_t cap = 0;
    struct dirent *de;
    int failed = 0;
    while (!failed && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || documentation(de->d_name))
            continue;
        struct stat st;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (s->n_records == cap) {
            size_t ncap = cap == 0 ? 64 : 2 * cap;
            record *grown = realloc(s->records, ncap * sizeof *grown);
            if (grown == NULL) {
                failed = 1;
                break;
            }
            s->records = grown;
            cap = ncap;
        }
        record *r = &s->records[s->n_records];
        memset(r, 0, sizeof *r);
        r->name = strdup(de->d_name);
        if (r->name == NULL) {
            failed = 1;
            break;
        }
        s->n_records++;
        const record *prev = find_record(old, de->d_name);
        const ident cur = ident_of(&st);
        const int64_t now = monotonic_ns();
        /* Unchanged, or back to what was read; a file that could not be opened is tried again
         * (an exhausted descriptor table changes nothing of its identity). */
        if (prev != NULL && ident_eq(&prev->read, &cur) && prev->open_errno == 0) {
            failed = copy_read(r, prev) != 0;
            continue;
        }
        const int in_place = prev != NULL && prev->read.dev == cur.dev && prev->read.ino == cur.ino;
        /* A name this index has not read, after its first scan: perhaps still being written. */
        const int unseen = prev != NULL ? prev->unread : old != NULL;
        if ((in_place || unseen) && realtime_ns() - cur.mtime_ns < SETTLE_NS) {
            /* Written within the last SETTLE_NS: perhaps half written. Read once it has stayed
             * the same that long. */
            const int was_settling = prev != NULL && prev->settling;
            r->seen = cur;
            r->seen_since_ns =
                was_settling && ident_eq(&prev->seen, &cur) ? prev->seen_since_ns : now;
            if (now - r->seen_since_ns < SETTLE_NS) {
                if (unseen)
                    r->unread = 1;
                else
                    failed = copy_read(r, prev) != 0;
                r->settling = 1;
                const int64_t when = r->seen_since_ns + SETTLE_NS;
                if (*due == 0 || when < *due)
                    *due = when;
                if (!was_settling && ix->log != NULL && unseen)
                    fprintf(ix->log,
                            "gex serve: %s: new, written %.3f s ago; read once unchanged "
                            "for %lld s, until then answered 503 file_changing\n",
                            shown_path(show, ix->dir, de->d_name),
                            (double)(realtime_ns() - cur.mtime_ns) / 1e9, SETTLE_NS / 1000000000LL);
                else if (!was_settling && ix->log != NULL)
                    fprintf(ix->log,
                            "gex serve: %s: changing (written in place %.3f s after it was "
                            "read); read again once unchanged for %lld s, until then answered "
                            "503 file_changing\n",
                            shown_path(show, ix->dir, de->d_name),
                            (double)(now - prev->read_at_ns) / 1e9, SETTLE_NS / 1000000000LL);
                continue;
            }
        }
        read_file(ix, dfd, de->d_name, &st, r, now, prev);
        if (r->settling) {
            const int64_t when = r->seen_since_ns + SETTLE_NS;
            if (*due == 0 || when < *due)
                *due = when;
        }
    }
    closedir(d);
    if (!failed && s->n_records > 1)
        qsort(s->records, s->n_records, sizeof *s->records, by_name);
    for (size_t i = s->n_records; i-- > 0;) {
        if (s->records[i].unread) {
            s->n_unread++;
            s->first_unread = i;
        }
        if (s->records[i].open_errno != 0) {
            s->n_unreadable++;
            s->first_unreadable = i;
        }
    }
    if (failed || build_slots(ix, s) != 0) {
        snapshot_unref(s);
        return NULL;
    }
    return s;
}

static void *scanner_thread(void *arg)
{
    cli_serve_index *ix = arg;
    pthread_mutex_lock(&ix->lock);
    for (;;) {
        while (!ix->stop && !ix->scan_wanted &&
               (ix->next_due_ns == 0 || monotonic_ns() < ix->next_due_ns)) {
            if (ix->next_due_ns == 0) {
                pthread_cond_wait(&ix->wake, &ix->lock);
            } else {
                struct timespec until = {(time_t)(ix->next_due_ns / 1000000000LL),
                                         (long)(ix->next_due_ns % 1000000000LL)};
                pthread_cond_timedwait(&ix->wake, &ix->lock, &until);
            }
        }
        if (ix->stop)
            break;
        ix->scan_wanted = 0;
        const unsigned long gen = ++ix->scans_started;
        snapshot *old = snapshot_get(ix);
        pthread_mutex_unlock(&ix->lock);

        const int64_t t0 = monotonic_ns();
        int64_t due = 0;
        snapshot *fresh = scan(ix, old, &due);
        const int64_t t1 = monotonic_ns();
        snapshot_unref(old);

        pthread_mutex_lock(&ix->lock);
        snapshot *retired = NULL;
        if (fresh != NULL) {
            retired = ix->current;
            ix->current = fresh;
            ix->next_due_ns = due;
        } else if (ix->next_due_ns == 0) {
            ix->next_due_ns = t1 + SWEEP_INTERVAL_NS; /* out of memory: try again later */
        }
        ix->scans_done = gen;
        ix->last_scan_end_ns = t1;
        ix->last_scan_ns = t1 - t0;
        pthread_cond_broadcast(&ix->scanned);
        pthread_mutex_unlock(&ix->lock);
        snapshot_unref(retired); /* freed here, or by the last request using it */
        pthread_mutex_lock(&ix->lock);
    }
    pthread_mutex_unlock(&ix->lock);
    return NULL;
}

cli_serve_index *cli_serve_index_new(const char *dir, const cli_serve_backend *backend, FILE *log)
{
    return cli_serve_index_new_dated(dir, backend, log, 0);
}

cli_serve_index *cli_serve_index_new_dated(const char *dir, const cli_serve_backend *backend,
                                           FILE *log, int now_from_mtime)
{
    cli_serve_index *ix = calloc(1, sizeof *ix);
    if (ix == NULL)
        return NULL;
    ix->dir = strdup(dir);
    ix->backend = *backend;
    ix->log = log;
    ix->now_from_mtime = now_from_mtime; /* before the scanner starts; never changed */
    ix->scan_wanted = 1;                 /* the first scan starts at once */
    pthread_condattr_t monotonic;
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    int ok = ix->dir != NULL && pthread_mutex_init(&ix->lock, NULL) == 0;
    ok = ok && pthread_cond_init(&ix->wake, &monotonic) == 0;
    ok = ok && pthread_cond_init(&ix->scanned, &monotonic) == 0;
    pthread_condattr_destroy(&monotonic);
    if (ok && pthread_create(&ix->scanner, NULL, scanner_thread, ix) == 0)
        ix->scanner_running = 1;
    if (!ix->scanner_running) {
        free(ix->dir);
        free(ix);
        return NULL; /* a failed init leaves nothing to destroy that matters on this path */
    }
    return ix;
}

void cli_serve_index_free(cli_serve_index *index)
{
    if (index == NULL)
        return;
    pthread_mutex_lock(&index->lock);
    index->stop = 1;
    pthread_cond_signal(&index->wake);
    pthread_mutex_unlock(&index->lock);
    pthread_join(index->scanner, NULL);
    snapshot_unref(index->current);
    pthread_cond_destroy(&index->scanned);
    pthread_cond_destroy(&index->wake);
    pthread_mutex_destroy(&index->lock);
    free(index->dir);
    free(index);
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

/* The identity of entry e of s, as the snapshot read it. */
static void file_of(const cli_serve_index *ix, const snapshot *s, const entry *e,
                    cli_serve_file *out)
{
    const record *r = &s->records[e->rec];
    snprintf(out->path, sizeof out->path, "%s/%s", ix->dir, r->name);
    memcpy(out->symbol, r->symbols.symbol[e->which], sizeof out->symbol);
    out->dev = r->read.dev;
    out->ino = r->read.ino;
    out->size = r->read.size;
    out->mtime_ns = r->read.mtime_ns;
    out->ctime_ns = r->read.ctime_ns;
    out->has_time = e->timed;
    out->time = e->timed ? e->time : 0;
    out->has_at = e->at;
}

/* The index in run[0..n) of the entry answering when (NULL: the newest), or -1 when no timed
 * entry is at or before the instant (or, with a day, on that day). */
static long pick(const entry *run, uint32_t n, const cli_serve_when *when)
{
    if (when == NULL || !when->has_until)
        return n > 0 ? (long)n - 1 : -1;
    /* The timed entries are the tail of the run, in ascending time: the last at or before. */
    long lo = 0, hi = (long)n; /* first entry that is timed and later than until */
    while (lo < hi) {
        const long mid = lo + (hi - lo) / 2;
        if (!run[mid].timed || run[mid].time <= when->until)
            lo = mid + 1;
        else
            hi = mid;
    }
    const long k = lo - 1;
    if (k < 0 || !run[k].timed || (when->has_from && run[k].time < when->from))
        return -1;
    return k;
}

/* out names record r of s, and err why it cannot answer (for an outcome other than FOUND). */
static void name_record(const cli_serve_index *ix, const record *r, int err, cli_serve_file *out)
{
    snprintf(out->path, sizeof out->path, "%s/%s", ix->dir, r->name);
    out->error = err;
}

/* The outcome for record r of s, which cannot be opened: _FILE_UNREADABLE (or what found says
 * for a symbol no other file holds), unless the file changed since: then it is read again
 * (_STALE), or settles (_CHANGING). */
static int unreadable_in(const cli_serve_index *ix, const record *r, int found, cli_serve_file *out)
{
    name_record(ix, r, r->open_errno, out);
    struct stat st;
    if (lstat(out->path, &st) != 0 || !S_ISREG(st.st_mode))
        return CLI_SERVE_INDEX_STALE;
    const ident cur = ident_of(&st);
    if (r->settling && cur.dev == r->read.dev && cur.ino == r->read.ino)
        return CLI_SERVE_INDEX_CHANGING;
    return r->settling || !ident_eq(&cur, &r->read) ? CLI_SERVE_INDEX_STALE : found;
}

/* The lookup of symbol in s. dir_changed: the folder's times differ from the snapshot's. An
 * outcome other than FOUND names in out->path the file (or folder) it is about, when there is
 * one, and in out->error the errno that explains it (0: none). */
static int lookup_in(const cli_serve_index *ix, const snapshot *s, const char *symbol,
                     const cli_serve_when *when, int dir_changed, cli_serve_file *out,
                     cli_serve_file *prev)
{
    if (prev != NULL)
        memset(prev, 0, sizeof *prev);
    out->path[0] = '\0';
    out->error = 0;
    if (s == NULL)
        return CLI_SERVE_INDEX_STALE;
    if (!s->dir_ok) {
        snprintf(out->path, sizeof out->path, "%s", ix->dir);
        out->error = s->dir_errno;
        return dir_changed ? CLI_SERVE_INDEX_STALE : CLI_SERVE_INDEX_UNREADABLE;
    }
    char key[CLI_SERVE_SYMBOL_MAX + 1];
    const slot *sl = lower_key(symbol, key) == 0 ? probe(s, key) : NULL;
    /* A file that held the symbol when last read and cannot be opened now: it may still hold
     * it, at any instant, so no other file answers in its place. */
    if (sl != NULL && sl->blocked != 0)
        return unreadable_in(ix, &s->records[sl->blocked - 1], CLI_SERVE_INDEX_FILE_UNREADABLE,
                             out);
    if (sl == NULL || sl->key[0] == '\0') {
        if (dir_changed)
            return CLI_SERVE_INDEX_STALE;
        if (s->n_unread > 0) {
            name_record(ix, &s->records[s->first_unread], 0, out);
            return CLI_SERVE_INDEX_UNREAD;
        }
        /* No file read holds it, and one that cannot be opened may. */
        if (s->n_unreadable > 0)
            return unreadable_in(ix, &s->records[s->first_unreadable],
                                 CLI_SERVE_INDEX_NONE_READABLE, out);
        return CLI_SERVE_INDEX_NONE;
    }
    const entry *run = &s->entries[sl->first];
    const long k = pick(run, sl->count, when);
    if (k < 0)
        return dir_changed ? CLI_SERVE_INDEX_STALE : CLI_SERVE_INDEX_NONE_AT;
    const entry *e = &run[k];
    const record *r = &s->records[e->rec];
    char path[sizeof out->path];
    int len = snprintf(path, sizeof path, "%s/%s", ix->dir, r->name);
    struct stat st;
    if (len <= 0 || (size_t)len >= sizeof path || lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        name_record(ix, r, 0, out);
        return CLI_SERVE_INDEX_STALE; /* gone, or a link or FIFO swapped in */
    }
    const ident cur = ident_of(&st);
    /* Still being written in place: no scan can tell more before it settles. Replaced by a
     * rename (another inode): a scan reads the new file at once. */
    if (r->settling && cur.dev == r->read.dev && cur.ino == r->read.ino) {
        name_record(ix, r, 0, out);
        return CLI_SERVE_INDEX_CHANGING;
    }
    if (r->settling || !ident_eq(&cur, &r->read)) {
        name_record(ix, r, 0, out);
        return CLI_SERVE_INDEX_STALE;
    }
    file_of(ix, s, e, out);
    /* The previous snapshot: the newest entry at an earlier instant (an untimed file has
     * none). Its identity is checked when it is opened. */
    if (prev != NULL && e->timed) {
        for (long j = k - 1; j >= 0 && run[j].timed; j--) {
            if (run[j].time < e->time) {
                file_of(ix, s, &run[j], prev);
                break;
            }
        }
    }
    return CLI_SERVE_INDEX_FOUND;
}

/* The snapshot to look in, a new reference (NULL before the first scan), asking for a scan when
 * the folder changed or the last one is old; *dir_there and *dir_changed say what was seen. */
static snapshot *current_for_lookup(cli_serve_index *ix, int *dir_there, int *dir_changed)
{
    struct stat dst;
    *dir_there = stat(ix->dir, &dst) == 0 && S_ISDIR(dst.st_mode);
    const int64_t now = monotonic_ns();
    pthread_mutex_lock(&ix->lock);
    snapshot *s = snapshot_get(ix);
    *dir_changed =
        s != NULL && (!*dir_there || !s->dir_ok || ts_ns(&dst.st_mtim) != s->dir_mtime_ns ||
                      ts_ns(&dst.st_ctim) != s->dir_ctime_ns);
    int64_t gap = SCAN_DUTY * ix->last_scan_ns;
    if (gap < SWEEP_INTERVAL_NS)
        gap = SWEEP_INTERVAL_NS;
    const int scanning = ix->scans_started != ix->scans_done;
    if (!scanning && (*dir_changed || now - ix->last_scan_end_ns >= gap)) {
        ix->scan_wanted = 1;
        pthread_cond_signal(&ix->wake);
    }
    pthread_mutex_unlock(&ix->lock);
    return s;
}

int cli_serve_index_lookup_when(cli_serve_index *index, const char *symbol,
                                const cli_serve_when *when, cli_serve_file *out,
                                cli_serve_file *prev)
{
    int dir_there = 0, dir_changed = 0;
    snapshot *s = current_for_lookup(index, &dir_there, &dir_changed);
    int rc = CLI_SERVE_INDEX_UNREADABLE;
    if (!dir_there && s != NULL && !s->dir_ok) {
        snprintf(out->path, sizeof out->path, "%s", index->dir);
        out->error = s->dir_errno;
    } else {
        rc = lookup_in(index, s, symbol, when, dir_changed, out, prev);
    }
    if (rc != CLI_SERVE_INDEX_FOUND && prev != NULL)
        memset(prev, 0, sizeof *prev);
    snapshot_unref(s);
    return rc;
}

int cli_serve_index_lookup(cli_serve_index *index, const char *symbol, cli_serve_file *out)
{
    return cli_serve_index_lookup_when(index, symbol, NULL, out, NULL);
}

int cli_serve_index_lookup_fresh_when(cli_serve_index *index, const char *symbol,
                                      const cli_serve_when *when, unsigned timeout_ms,
                                      cli_serve_file *out, cli_serve_file *prev)
{
    cli_serve_index *ix = index;
    if (prev != NULL)
        memset(prev, 0, sizeof *prev);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(timeout_ms / 1000);
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&ix->lock);
    /* A scan that starts after this call: one under way may have listed the folder before the
     * change this request saw. */
    const unsigned long target = ix->scans_started + 1;
    ix->scan_wanted = 1;
    pthread_cond_signal(&ix->wake);
    int timed_out = 0;
    while (ix->scans_done < target && !ix->stop && !timed_out)
        timed_out = pthread_cond_timedwait(&ix->scanned, &ix->lock, &until) == ETIMEDOUT;
    snapshot *s = ix->scans_done >= target ? snapshot_get(ix) : NULL;
    pthread_mutex_unlock(&ix->lock);
    if (s == NULL)
        return CLI_SERVE_INDEX_BUSY;
    int rc = lookup_in(ix, s, symbol, when, 0, out, prev);
    snapshot_unref(s);
    if (rc != CLI_SERVE_INDEX_FOUND && prev != NULL)
        memset(prev, 0, sizeof *prev);
    /* Changed again since that scan: the file is being written. */
    return rc == CLI_SERVE_INDEX_STALE ? CLI_SERVE_INDEX_CHANGING : rc;
}

int cli_serve_index_lookup_fresh(cli_serve_index *index, const char *symbol, unsigned timeout_ms,
                                 cli_serve_file *out)
{
    return cli_serve_index_lookup_fresh_when(index, symbol, NULL, timeout_ms, out, NULL);
}

int cli_serve_index_series(cli_serve_index *index, const char *symbol, const cli_serve_file *last,
                           cli_serve_file **files, size_t *n, size_t *changing)
{
    cli_serve_index *ix = index;
    *files = NULL;
    *n = 0;
    *changing = 0;
    int settling = 0;
    pthread_mutex_lock(&ix->lock);
    snapshot *s = snapshot_get(ix);
    pthread_mutex_unlock(&ix->lock);
    char key[CLI_SERVE_SYMBOL_MAX + 1];
    const slot *sl = s != NULL && s->dir_ok && lower_key(symbol, key) == 0 ? probe(s, key) : NULL;
    if (sl == NULL || sl->key[0] == '\0') {
        snapshot_unref(s);
        return CLI_SERVE_INDEX_NONE;
    }
    const entry *run = &s->entries[sl->first];
    cli_serve_file *out = malloc((sl->count + 1) * sizeof *out);
    if (out == NULL) {
        snapshot_unref(s);
        return -2;
    }
    size_t m = 0;
    if (last->has_time) {
        /* The timed entries up to last's instant; of several at one instant, the newest (the
         * last of the run). last itself is the final one, as the lookup chose it. */
        for (uint32_t k = 0; k < sl->count; k++) {
            const entry *e = &run[k];
            if (!e->timed || e->time >= last->time)
                continue;
            if (k + 1 < sl->count && run[k + 1].timed && run[k + 1].time == e->time)
                continue;
            /* Rewritten in place since it was read: the identity kept is the old version's,
             * which would answer (and hit the caches) with its numbers. */
            if (s->records[e->rec].settling && !settling) {
                settling = 1;
                *changing = m;
            }
            file_of(ix, s, e, &out[m++]);
        }
    }
    out[m++] = *last;
    snapshot_unref(s);
    *files = out;
    *n = m;
    return settling ? CLI_SERVE_INDEX_CHANGING : CLI_SERVE_INDEX_FOUND;
}

/* ---- what the folder holds ---- */

typedef struct folder_row {
    char key[CLI_SERVE_SYMBOL_MAX + 1]; /* lower case, for sorting and merging */
    char symbol[CLI_SERVE_SYMBOL_MAX + 1];
    size_t files;
    int64_t first, last;
} folder_row;

static int by_key(const void *a, const void *b)
{
    const folder_row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c != 0)
        return c;
    return (x->first > y->first) - (x->first < y->first);
}

/* The folder of snapshot s into *out. */
int cli_serve_folder_of_files(const cli_serve_file_symbols *const *file, size_t files,
                              size_t left_out, gex__api_folder *out)
{
    memset(out, 0, sizeof *out);
    size_t n = 0;
    for (size_t i = 0; i < files; i++)
        n += file[i]->n;
    folder_row *rows = calloc(n > 0 ? n : 1, sizeof *rows);
    if (rows == NULL)
        return -2;
    size_t k = 0;
    for (size_t i = 0; i < files; i++) {
        const cli_serve_file_symbols *f = file[i];
        for (size_t j = 0; j < f->n; j++, k++) {
            if (lower_key(f->symbol[j], rows[k].key) != 0)
                continue; /* not a path symbol: no request can name it */
            memcpy(rows[k].symbol, f->symbol[j], sizeof rows[k].symbol);
            rows[k].files = 1; /* a snapshot: a file, or one of a file of several */
            rows[k].first = rows[k].last = f->time != NULL     ? f->time[j]
                                           : f->has_quote_time ? f->quote_time
                                                               : 0;
        }
    }
    qsort(rows, n, sizeof *rows, by_key);
    /* merge equal symbols: the count of files, the first and last instants */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].key[0] == '\0')
            continue;
        if (m > 0 && strcmp(rows[m - 1].key, rows[i].key) == 0) {
            folder_row *t = &rows[m - 1];
            t->files++;
            if (rows[i].first != 0 && (t->first == 0 || rows[i].first < t->first))
                t->first = rows[i].first;
            if (rows[i].last > t->last)
                t->last = rows[i].last;
            continue;
        }
        rows[m++] = rows[i];
    }
    gex__api_folder_symbol *sym = calloc(m > 0 ? m : 1, sizeof *sym);
    char *names = malloc((m > 0 ? m : 1) * (CLI_SERVE_SYMBOL_MAX + 1));
    if (sym == NULL || names == NULL) {
        free(rows);
        free(sym);
        free(names);
        return -2;
    }
    for (size_t i = 0; i < m; i++) {
        char *name = names + i * (CLI_SERVE_SYMBOL_MAX + 1);
        memcpy(name, rows[i].symbol, CLI_SERVE_SYMBOL_MAX + 1);
        sym[i].symbol = name;
        sym[i].snapshots = rows[i].files;
        sym[i].first_time = rows[i].first;
        sym[i].last_time = rows[i].last;
    }
    free(rows);
    if (m == 0)
        free(names); /* cli_serve_index_folder_free frees the names through the first symbol */
    out->n = m;
    out->symbol = sym;
    out->files = files;
    out->files_left_out = left_out;
    return CLI_SERVE_INDEX_FOUND;
}

/* The folder of snapshot s: its usable files' underlyings (FRED downloads are neither chains
 * nor files left out), and the files that cannot be opened, each "NAME: REASON" as the log shows
 * the name. */
static int folder_of(const snapshot *s, gex__api_folder *out)
{
    const cli_serve_file_symbols **file = malloc((s->n_records + 1) * sizeof *file);
    if (file == NULL)
        return -2;
    size_t files = 0, macro = 0;
    for (size_t i = 0; i < s->n_records; i++) {
        if (s->records[i].usable)
            file[files++] = &s->records[i].symbols;
        macro += s->records[i].macro && s->records[i].open_errno == 0; /* else unreadable */
    }
    /* A new file still settling is not known yet to be left out. */
    int rc = cli_serve_folder_of_files(
        file, files, s->n_records - files - macro - s->n_unread - s->n_unreadable, out);
    free(file);
    if (rc != CLI_SERVE_INDEX_FOUND || s->n_unreadable == 0)
        return rc;
    char **text = calloc(s->n_unreadable, sizeof *text);
    if (text == NULL) {
        cli_serve_index_folder_free(out);
        return -2;
    }
    out->unreadable = (const char *const *)text;
    out->files_unreadable = s->n_unreadable;
    for (size_t i = 0, k = 0; i < s->n_records; i++) {
        const record *r = &s->records[i];
        if (r->open_errno == 0)
            continue;
        char name[SHOWN_MAX], line[SHOWN_MAX + 256];
        snprintf(line, sizeof line, "%s: cannot open it: %s; %s", shown(name, r->name),
                 strerror(r->open_errno), cli_serve_open_advice(r->open_errno));
        text[k] = strdup(line);
        if (text[k++] == NULL) {
            cli_serve_index_folder_free(out);
            return -2;
        }
    }
    return rc;
}

int cli_serve_index_folder(cli_serve_index *index, unsigned timeout_ms, gex__api_folder *out,
                           cli_serve_file *why)
{
    memset(out, 0, sizeof *out);
    cli_serve_file unused;
    if (why != NULL) {
        why->path[0] = '\0';
        why->error = 0;
    }
    /* A lookup of a name no file holds asks for a scan when one is due; the listing is then
     * as fresh as any request's. */
    int rc = cli_serve_index_lookup(index, "", &unused);
    pthread_mutex_lock(&index->lock);
    snapshot *s = rc == CLI_SERVE_INDEX_STALE ? NULL : snapshot_get(index);
    pthread_mutex_unlock(&index->lock);
    if (s == NULL) {
        rc = cli_serve_index_lookup_fresh(index, "", timeout_ms, &unused);
        if (rc == CLI_SERVE_INDEX_BUSY)
            return rc;
        pthread_mutex_lock(&index->lock);
        s = snapshot_get(index);
        pthread_mutex_unlock(&index->lock);
        if (s == NULL)
            return CLI_SERVE_INDEX_BUSY;
    }
    rc = s->dir_ok ? folder_of(s, out) : CLI_SERVE_INDEX_UNREADABLE;
    if (!s->dir_ok && why != NULL) {
        snprintf(why->path, sizeof why->path, "%s", index->dir);
        why->error = s->dir_errno;
    }
    snapshot_unref(s);
    return rc;
}

void cli_serve_index_folder_free(gex__api_folder *folder)
{
    if (folder->symbol != NULL && folder->n > 0)
        free((char *)folder->symbol[0].symbol); /* the block of every name */
    free((void *)folder->symbol);
    for (size_t i = 0; folder->unreadable != NULL && i < folder->files_unreadable; i++)
        free((char *)folder->unreadable[i]);
    free((void *)folder->unreadable);
    memset(folder, 0, sizeof *folder);
}

/* Whether the comma-separated ids hold id (ignoring case). */
static int ids_hold(const char *ids, const char *id)
{
    const size_t n = strlen(id);
    for (const char *s = ids; *s != '\0';) {
        const size_t k = strcspn(s, ",");
        if (k == n && strncasecmp(s, id, n) == 0)
            return 1;
        s += k + (s[k] == ',');
    }
    return 0;
}

int cli_serve_index_macro(cli_serve_index *index, const char *id, cli_serve_file *out)
{
    memset(out, 0, sizeof *out);
    int dir_there = 0, dir_changed = 0;
    snapshot *s = current_for_lookup(index, &dir_there, &dir_changed);
    const record *best = NULL, *blocked = NULL, *settling = NULL;
    for (size_t i = 0; s != NULL && i < s->n_records; i++) {
        const record *r = &s->records[i];
        if (!r->macro || !ids_hold(r->macro_ids, id))
            continue;
        /* One that cannot be opened, or is being written, may be the newest now. */
        if (r->open_errno != 0) {
            blocked = blocked != NULL ? blocked : r;
            continue;
        }
        if (r->settling) {
            settling = settling != NULL ? settling : r;
            continue;
        }
        /* the newest download (then the greater name) */
        if (best == NULL || r->read.mtime_ns > best->read.mtime_ns ||
            (r->read.mtime_ns == best->read.mtime_ns && strcmp(r->name, best->name) > 0))
            best = r;
    }
    int rc = CLI_SERVE_INDEX_NONE;
    if (blocked != NULL) {
        rc = unreadable_in(index, blocked, CLI_SERVE_INDEX_FILE_UNREADABLE, out);
    } else if (settling != NULL) {
        name_record(index, settling, 0, out);
        rc = CLI_SERVE_INDEX_CHANGING;
    } else if (best != NULL) {
        snprintf(out->path, sizeof out->path, "%s/%s", index->dir, best->name);
        out->dev = best->read.dev;
        out->ino = best->read.ino;
        out->size = best->read.size;
        out->mtime_ns = best->read.mtime_ns;
        out->ctime_ns = best->read.ctime_ns;
        /* checked again now, as a chain is: changed (rewritten, its permissions) since the scan */
        struct stat st;
        rc = CLI_SERVE_INDEX_STALE;
        if (lstat(out->path, &st) == 0 && S_ISREG(st.st_mode)) {
            const ident cur = ident_of(&st);
            if (ident_eq(&cur, &best->read))
                rc = CLI_SERVE_INDEX_FOUND;
        }
    }
    snapshot_unref(s);
    return rc;
}

/* Whether a lookup's outcome is a file that should answer and cannot be read now (not one the
 * folder lacks): the answer that needs it says so rather than go without it. */
static int trouble(int found)
{
    return found == CLI_SERVE_INDEX_FILE_UNREADABLE || found == CLI_SERVE_INDEX_CHANGING ||
           found == CLI_SERVE_INDEX_STALE;
}

/* The SPX files of a GEX__API_CONTEXT_VIX endpoint (SPEC 1.9): the latest at or before file's
 * instant on its New York day, and the latest of an earlier day, into room[0] and room[1]. */
static void attach_vix(cli_serve_index *index, const cli_serve_file *file, cli_serve_query *q,
                       cli_serve_file room[2])
{
    if (index == NULL || q->endpoint == NULL || !(q->endpoint->context & GEX__API_CONTEXT_VIX) ||
        !file->has_time)
        return;
    const int64_t from = gex_time_eastern_to_utc(gex_history_trading_day(file->time), 0);
    cli_serve_when when = {.has_until = 1, .until = file->time, .has_from = 1, .from = from};
    int found = cli_serve_index_lookup_when(index, "SPX", &when, &room[0], NULL);
    if (found == CLI_SERVE_INDEX_FOUND || trouble(found)) {
        q->vix_file = &room[0];
        q->has_vix_file = found == CLI_SERVE_INDEX_FOUND;
        q->vix_trouble = trouble(found) ? found : 0;
    }
    if (found != CLI_SERVE_INDEX_FOUND)
        return;
    when = (cli_serve_when){.has_until = 1, .until = from - 1};
    found = cli_serve_index_lookup_when(index, "SPX", &when, &room[1], NULL);
    if (found == CLI_SERVE_INDEX_FOUND || trouble(found)) {
        q->vix_prev = &room[1];
        q->has_vix_prev = found == CLI_SERVE_INDEX_FOUND;
        q->vix_prev_trouble = trouble(found) ? found : 0;
    }
}

/* The FRED downloads of a GEX__API_CONTEXT_MACRO endpoint: for each series of gex__api_macro
 * the newest file holding it (fed funds: the daily DFF, else the monthly FEDFUNDS), into
 * room[0 .. GEX__API_MACRO_COUNT). */
static void attach_macro(cli_serve_index *index, cli_serve_query *q, cli_serve_file *room)
{
    static const char *const ids[GEX__API_MACRO_COUNT][2] = {
        {"DGS10", NULL}, {"DFF", "FEDFUNDS"}, {"BAMLH0A0HYM2", NULL}};
    if (index == NULL)
        return;
    for (size_t k = 0; k < GEX__API_MACRO_COUNT; k++)
        for (size_t j = 0; j < 2 && ids[k][j] != NULL && q->macro_file[k] == NULL; j++) {
            const int found = cli_serve_index_macro(index, ids[k][j], &room[k]);
            if (found == CLI_SERVE_INDEX_FOUND || trouble(found)) {
                q->macro_file[k] = &room[k];
                q->macro_id[k] = ids[k][j];
                q->macro_trouble[k] = trouble(found) ? found : 0;
            }
        }
}

static uint64_t hash_file(uint64_t h, const cli_serve_file *f)
{
    const int64_t id[6] = {(int64_t)f->dev, (int64_t)f->ino, (int64_t)f->size,
                           f->mtime_ns,     f->ctime_ns,     f->has_at ? f->time : -1};
    h = cli_fnv1a_bytes(h, id, sizeof id);
    h ^= fnv1a(f->path);
    h *= CLI_FNV1A_PRIME;
    return h;
}

int cli_serve_index_attach(cli_serve_index *index, const cli_serve_file *file, cli_serve_query *q,
                           const cli_serve_file *given, size_t n_given, cli_serve_file **owned)
{
    *owned = NULL;
    q->series = file;
    q->n_series = 1;
    q->has_vix_file = q->has_vix_prev = 0;
    q->vix_file = q->vix_prev = NULL;
    q->vix_trouble = q->vix_prev_trouble = 0;
    for (size_t k = 0; k < GEX__API_MACRO_COUNT; k++) {
        q->macro_file[k] = NULL;
        q->macro_id[k] = NULL;
        q->macro_trouble[k] = 0;
    }
    q->series_changing = NULL;
    cli_serve_file *files = NULL;
    size_t n = 0, changing = 0;
    int series_rc = CLI_SERVE_INDEX_NONE;
    if (index != NULL) {
        series_rc = cli_serve_index_series(index, q->symbol, file, &files, &n, &changing);
        if (series_rc == -2)
            return -1;
        if (series_rc != CLI_SERVE_INDEX_FOUND && series_rc != CLI_SERVE_INDEX_CHANGING) {
            files = NULL;
            n = 0;
        }
    } else if (n_given > 1) {
        files = malloc(n_given * sizeof *files);
        if (files == NULL)
            return -1;
        memcpy(files, given, n_given * sizeof *files);
        n = n_given;
    }
    /* More entries for the SPX files of the VIX and the FRED files, in the same block. */
    const unsigned context = q->endpoint != NULL ? q->endpoint->context : 0;
    if (context != 0) {
        cli_serve_file *grown = realloc(files, (n + 2 + GEX__API_MACRO_COUNT) * sizeof *grown);
        if (grown == NULL) {
            free(files);
            return -1;
        }
        files = grown;
    }
    *owned = files;
    if (n > 0) {
        q->series = files;
        q->n_series = n;
        if (series_rc == CLI_SERVE_INDEX_CHANGING)
            q->series_changing = &files[changing];
    }
    if (files != NULL && (context & GEX__API_CONTEXT_VIX))
        attach_vix(index, file, q, &files[n]);
    if (files != NULL && (context & GEX__API_CONTEXT_MACRO))
        attach_macro(index, q, &files[n + 2]);
    /* FNV-1a over the identities (and paths) of the series and the VIX's files: another set,
     * another answer. */
    uint64_t h = CLI_FNV1A_BASIS;
    if (q->vix_file != NULL)
        h = hash_file(h, q->vix_file);
    if (q->vix_prev != NULL)
        h = hash_file(h, q->vix_prev);
    for (size_t k = 0; k < GEX__API_MACRO_COUNT; k++)
        if (q->macro_file[k] != NULL)
            h = hash_file(h, q->macro_file[k]);
    for (size_t i = 0; i < q->n_series; i++)
        h = hash_file(h, &q->series[i]);
    /* A file of the series being written: another key, so that no answer cached from its
     * previous version is given */
    if (q->series_changing != NULL)
        h = cli_fnv1a(h, "changing");
    q->series_hash = h;
    return 0;
}
