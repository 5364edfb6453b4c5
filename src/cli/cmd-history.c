/*
 * cmd-history.c: gex history, in the module gex-history (with the SQLite store, so that no
 * other command loads SQLite). The files (folders expanded) are looked up in the store; the
 * others are read on --jobs threads, each file whole by one thread, every underlying of it
 * analysed into a snapshot (gex/history.h) and the chain freed at once, so memory holds the
 * files in flight and the snapshots, never the chains of the whole folder. Then the store is
 * updated in one transaction, duplicates are resolved (the newer file wins), the series
 * measures are computed per underlying and the rows written in time order.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "history-store.h"
#include "render-history.h"

/* The store's file name in the data's folder. */
#define STORE_NAME ".gex-history.sqlite"

typedef struct hist_file {
    const char *path;
    char *real; /* realpath, the store's key; NULL for standard input or a missing file */
    struct stat sb;
    int stat_ok;
    int from_store;
    int rc;       /* worst status of the read and of the underlyings --symbol keeps */
    int whole_rc; /* worst status of the read and of every underlying: the store keeps the
                   * file only when it is CLI_EXIT_OK */
    gex_snapshot *snaps;
    size_t n_snaps;
    /* What its read said, in order, for the store and for --symbol (say_notes): symbol NULL
     * for the file's own messages (shown when the file holds the underlying asked for), ""
     * for those always shown (the file could not be placed in time), else the underlying's.
     * Each text is whole lines, the file's name written NAME_MARK (add_note). */
    cli_store_note *notes;
    size_t n_notes;
    int holds; /* the file holds an underlying --symbol keeps, or could not be read */
    char *messages;
    int done; /* read, its messages kept: set under the pool's lock */
} hist_file;

typedef struct hist_pool {
    const cli_options *opts;
    const char *wanted; /* --symbol, NULL when not given */
    int many;           /* more than one file: one without a snapshot at --at is no error */
    hist_file *files;   /* n_files: the messages print in this order, the stored files' too */
    size_t n_files;
    size_t *todo; /* indexes of the files to read */
    size_t n_todo, next, next_print, done;
    size_t n_read; /* files read so far, for the progress line */
    cli_progress bar;
    pthread_mutex_t lock;
} hist_pool;

/* Where a note's line names its file: a control character, which no message holds (names and
 * texts are written with theirs escaped), stands for "gex: FILE" so that a run from the store
 * names the file as that run was given it, not as the run that read it was. */
#define NAME_MARK '\x01'

/* "gex: FILE" as a message names path, malloc'ed; NULL when memory ran out. */
static char *name_prefix(const char *path)
{
    cli_messages m = {0};
    cli_say(&m, path, 0, "%s", ""); /* "gex: FILE: \n" */
    if (m.len < 3) {
        free(m.text);
        return NULL;
    }
    m.text[m.len - 3] = '\0';
    return m.text;
}

/* Lines of text with prefix (then ':') at their start written NAME_MARK (to_mark), or the
 * other way round; malloc'ed, NULL when memory ran out. */
static char *swap_name(const char *text, const char *prefix, int to_mark)
{
    const size_t plen = strlen(prefix), len = strlen(text);
    size_t lines = 1;
    for (const char *c = text; *c != '\0'; c++)
        lines += *c == '\n';
    char *out = malloc(len + lines * (to_mark ? 1 : plen) + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (const char *line = text; *line != '\0';) {
        const char *end = strchr(line, '\n');
        const size_t n = end != NULL ? (size_t)(end - line) + 1 : strlen(line);
        if (to_mark && n > plen && strncmp(line, prefix, plen) == 0 && line[plen] == ':') {
            out[o++] = NAME_MARK;
            memcpy(out + o, line + plen, n - plen);
            o += n - plen;
        } else if (!to_mark && line[0] == NAME_MARK) {
            memcpy(out + o, prefix, plen);
            memcpy(out + o + plen, line + 1, n - 1);
            o += plen + n - 1;
        } else {
            memcpy(out + o, line, n);
            o += n;
        }
        line += n;
    }
    out[o] = '\0';
    return out;
}

/* Takes what m holds as f's next note (nothing when it is empty); symbol as hist_file says.
 * Out of memory: the text is printed now rather than lost. */
static void add_note(hist_file *f, const char *symbol, cli_messages *m)
{
    if (m->len == 0)
        return;
    char *prefix = name_prefix(f->path);
    char *text = prefix != NULL ? swap_name(m->text, prefix, 1) : NULL;
    char *sym = symbol != NULL ? strdup(symbol) : NULL;
    cli_store_note *p = realloc(f->notes, (f->n_notes + 1) * sizeof *p);
    if (p != NULL)
        f->notes = p;
    if (text == NULL || p == NULL || (symbol != NULL && sym == NULL)) {
        cli_messages_print(m->text, NULL);
        free(text);
        free(sym);
    } else {
        f->notes[f->n_notes++] = (cli_store_note){sym, text};
    }
    free(prefix);
    m->len = 0;
    if (m->text != NULL)
        m->text[0] = '\0';
}

/* Appends to to the notes of f that --symbol (wanted, NULL when not given) shows, in order:
 * the file's own when it holds an underlying wanted (f->holds), those always shown, and each
 * underlying's when wanted keeps it. The file named as this run names it. */
static void say_notes(cli_messages *to, const hist_file *f, const char *wanted)
{
    char *prefix = f->n_notes > 0 ? name_prefix(f->path) : NULL;
    for (size_t i = 0; i < f->n_notes; i++) {
        const cli_store_note *x = &f->notes[i];
        const int shown = x->symbol == NULL ? f->holds
                          : x->symbol[0] == '\0'
                              ? 1
                              : wanted == NULL || strcasecmp(wanted, x->symbol) == 0;
        if (!shown)
            continue;
        char *text = prefix != NULL ? swap_name(x->text, prefix, 0) : NULL;
        char *shown_text = text != NULL ? text : x->text;
        const cli_messages one = {shown_text, strlen(shown_text), 0};
        cli_messages_append(to, &one);
        free(text);
    }
    free(prefix);
}

/* Appends a snapshot; returns GEX_OK or GEX_ENOMEM. */
static int add_snapshot(hist_file *f, const gex_snapshot *s)
{
    gex_snapshot *p = realloc(f->snaps, (f->n_snaps + 1) * sizeof *p);
    if (p == NULL)
        return GEX_ENOMEM;
    f->snaps = p;
    f->snaps[f->n_snaps++] = *s;
    return GEX_OK;
}

/* One underlying's chain (taken), prepared, into a snapshot; returns an exit status. underlying
 * names it in the messages of a file holding several (NULL for a file of one), as screen does. */
static int snapshot_of(cli_messages *to, const cli_options *opts, hist_file *f, gex_chain *chain,
                       const char *underlying, const gex_read_report *read)
{
    gex_prepare_report prep;
    int rc = cli_prepare_underlying(to, opts, f->path, underlying, chain, &prep);
    if (rc != CLI_EXIT_OK) {
        gex_chain_free(chain);
        return rc;
    }
    gex__analysis a;
    rc = cli_analyze(to, opts, f->path, chain, read, &prep, 1, &a);
    if (rc == CLI_EXIT_OK) {
        gex_snapshot s;
        int st = gex_snapshot_from_analysis(a.an, &s);
        if (st == GEX_OK)
            st = add_snapshot(f, &s);
        if (st != GEX_OK) {
            cli_say(to, f->path, 0, "%s: its snapshot failed: %s", a.symbol, gex_strerror(st));
            rc = cli_exit_status(st);
        }
    }
    cli_analysis_free(&a);
    return rc;
}

/* Whether --symbol (wanted, NULL when not given) keeps an underlying's rows. */
static int wanted_symbol(const char *wanted, const char *symbol)
{
    return wanted == NULL || strcasecmp(wanted, symbol) == 0;
}

/* Whether the chain holds an underlying --symbol keeps (count of them). */
static int holds_wanted(const gex_chain *chain, size_t count, const char *wanted)
{
    if (wanted == NULL)
        return 1;
    uint32_t *ids = malloc((count > 0 ? count : 1) * sizeof *ids);
    if (ids == NULL)
        return 1; /* the messages are shown, as without --symbol */
    const size_t n = gex_chain_underlyings(chain, ids, count);
    int holds = 0;
    for (size_t k = 0; k < n && !holds; k++)
        holds = wanted_symbol(wanted, gex_chain_symbol(chain, ids[k]));
    free(ids);
    return holds;
}

/* Adds rc to a worst status. */
static void worst(int *to, int rc)
{
    if (rc != CLI_EXIT_OK && (*to == CLI_EXIT_OK || rc == CLI_EXIT_INTERNAL))
        *to = rc;
}

/* The snapshots of one of a file's chains (taken): one per underlying, named in messages by
 * "SYMBOL" (a file of several underlyings) and " at INSTANT" (a file of several snapshots, at
 * is non-zero). Statuses into f->rc and f->whole_rc as read_one says. */
static void chain_snapshots(const cli_options *opts, const char *wanted, hist_file *f,
                            gex_chain *chain, int at, const gex_read_report *read)
{
    cli_messages said = {0}, *to = &said;
    cli_options dated;
    int64_t quote = 0;
    const int quoted = gex_chain_quote_time(chain, &quote) == GEX_OK;
    /* a time column whose cells cannot be read: the reader's line and value, not the absence
     * --now-from-mtime stands in for */
    if (cli_quote_time_unreadable(to, opts, f->path, chain, read, 1)) {
        gex_chain_free(chain);
        worst(&f->rc, CLI_EXIT_INPUT);
        worst(&f->whole_rc, CLI_EXIT_INPUT);
        add_note(f, "", to);
        free(said.text);
        return;
    }
    if (!opts->prepare.has_now && !quoted) {
        if (!opts->now_from_mtime || !f->stat_ok) {
            cli_say(to, f->path, 0,
                    "the file holds no quote instant of its own, so history cannot place it in "
                    "time: pass --now-from-mtime to date it by its modification time");
            gex_chain_free(chain);
            worst(&f->rc, CLI_EXIT_INPUT);
            worst(&f->whole_rc, CLI_EXIT_INPUT);
            add_note(f, "", to);
            free(said.text);
            return;
        }
        dated = *opts;
        dated.prepare.has_now = 1;
        dated.prepare.now = (int64_t)f->sb.st_mtim.tv_sec;
        opts = &dated;
    }
    char instant[48] = "";
    if (at && quoted) {
        char iso[40];
        gex_time_format_iso(quote, iso, sizeof iso);
        snprintf(instant, sizeof instant, " at %s", iso);
    }
    uint32_t first = 0;
    const size_t count = gex_chain_underlyings(chain, &first, 1);
    gex_chain **parts = NULL;
    if (count > 1) {
        parts = calloc(count, sizeof *parts);
        const int st = parts == NULL ? GEX_ENOMEM : gex_chain_split(chain, parts, count);
        gex_chain_free(chain);
        if (st != GEX_OK) {
            cli_say(to, f->path, 0, "splitting the file by underlying failed: %s",
                    gex_strerror(st));
            free(parts);
            worst(&f->rc, cli_exit_status(st));
            worst(&f->whole_rc, cli_exit_status(st));
            add_note(f, "", to);
            free(said.text);
            return;
        }
    }
    for (size_t k = 0; k < (count > 1 ? count : 1); k++) {
        gex_chain *one = count > 1 ? parts[k] : chain;
        gex_chain_view v;
        gex_chain_get_view(one, &v);
        const char *name = v.n > 0 ? gex_chain_symbol(one, v.underlying[0]) : "?";
        const int keep = wanted_symbol(wanted, name);
        char label[GEX_SYMBOL_MAX + 64]; /* snapshot_of frees the chain */
        snprintf(label, sizeof label, "%.*s%s", GEX_SYMBOL_MAX, count > 1 || at ? name : "",
                 instant);
        char *symbol = strdup(name); /* the note's; the chain and its names go */
        const int rc = snapshot_of(to, opts, f, one, label[0] != '\0' ? label : NULL, read);
        worst(&f->whole_rc, rc);
        if (keep)
            worst(&f->rc, rc);
        add_note(f, symbol != NULL ? symbol : "", to);
        free(symbol);
    }
    free(said.text);
    free(parts);
}

/* Reads a file into its snapshots, one per underlying and quote instant (every snapshot of a file
 * of several, SPEC 2.9, unless --at chose one), each kept for the store. What the user sees
 * follows --symbol (wanted, NULL for every underlying): an underlying it leaves out is computed
 * quietly and its failure leaves f->rc alone (f->whole_rc has it, and the store then forgets the
 * file, so that a run asking for that underlying reads it again and says why); the read's
 * warnings of a file holding no underlying it keeps are not shown. A file that cannot be read,
 * or placed in time, is always reported: it may hold the underlying asked for. Of many files
 * (many), one without a snapshot at --at gives none, and no error. */
static void read_one(const cli_options *opts, const char *wanted, int many, hist_file *f)
{
    gex_chain *one = NULL, **chains = &one;
    size_t n = 0, refused = 0;
    gex_read_report read;
    cli_messages read_messages = {0};
    if (opts->read.has_at) {
        int lacks = many ? CLI_LACKS_AT : 0;
        f->rc = cli_read(&read_messages, opts, f->path, &one, &read, &lacks);
        n = f->rc == CLI_EXIT_OK && !lacks;
    } else {
        f->rc =
            cli_read_snapshots(&read_messages, opts, f->path, &chains, &n, &read, NULL, &refused);
        if (f->rc == CLI_EXIT_OK && refused > 0)
            f->rc = CLI_EXIT_INPUT; /* said; the others give their rows, the file is not kept */
    }
    int holds = f->rc != CLI_EXIT_OK;
    for (size_t s = 0; s < n && !holds; s++) {
        uint32_t first = 0;
        holds = holds_wanted(chains[s], gex_chain_underlyings(chains[s], &first, 1), wanted);
    }
    f->holds = holds;
    add_note(f, NULL, &read_messages);
    free(read_messages.text);
    f->whole_rc = f->rc;
    for (size_t s = 0; s < n; s++)
        chain_snapshots(opts, wanted, f, chains[s], n + refused > 1, &read);
    if (chains != &one)
        free(chains);
}

static char *take_messages(cli_messages *m)
{
    if (m->len == 0)
        return NULL;
    char *text = m->text;
    memset(m, 0, sizeof *m);
    return text;
}

/* Prints the messages of the files read so far, or taken from the store, in input order. Under
 * the lock. */
static void print_ready(hist_pool *p)
{
    while (p->next_print < p->n_files && p->files[p->next_print].done) {
        hist_file *f = &p->files[p->next_print++];
        cli_messages_print(f->messages, &p->bar.shown);
        free(f->messages);
        f->messages = NULL;
    }
}

static void *worker(void *arg)
{
    hist_pool *p = arg;
    cli_messages mine = {0};
    pthread_mutex_lock(&p->lock);
    while (p->next < p->n_todo) {
        hist_file *f = &p->files[p->todo[p->next++]];
        pthread_mutex_unlock(&p->lock);
        read_one(p->opts, p->wanted, p->many, f);
        say_notes(&mine, f, p->wanted);
        char *text = take_messages(&mine);
        pthread_mutex_lock(&p->lock);
        f->messages = text;
        f->done = 1;
        print_ready(p);
        cli_progress_show(&p->bar, ++p->n_read, p->n_todo);
    }
    pthread_mutex_unlock(&p->lock);
    free(mine.text);
    return NULL;
}

/* Reads the files of p->todo on opts->jobs threads (the calling one included). */
static void read_all(hist_pool *p)
{
    size_t helpers = p->opts->jobs > 1 ? (size_t)p->opts->jobs - 1 : 0;
    if (helpers + 1 > p->n_todo)
        helpers = p->n_todo > 0 ? p->n_todo - 1 : 0;
    pthread_t *threads = helpers ? malloc(helpers * sizeof *threads) : NULL;
    size_t started = 0;
    cli_progress_start(&p->bar, "history", "files", CLI_PROGRESS_AFTER_MS);
    pthread_mutex_lock(&p->lock);
    print_ready(p); /* the stored files before the first to read */
    pthread_mutex_unlock(&p->lock);
    while (threads != NULL && started < helpers &&
           pthread_create(&threads[started], NULL, worker, p) == 0)
        started++;
    worker(p);
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    print_ready(p); /* the stored files after the last read */
    free(threads);
    cli_progress_end(&p->bar);
}

/* The options that change a snapshot, as one text: the store's key beside the file. Every
 * field of the read, prepare and analysis options that a number depends on is in it (the
 * filters of gex_exposure_options all, --greeks file, --expiration-of-file): a snapshot taken
 * under other options is read again, never answered from the store. --quiet too, which
 * changes what the read says (the store keeps it, stored_messages): a run without it says
 * the warnings a --quiet run did not keep. */
static void options_key(const cli_options *o, char *buf, size_t size)
{
    const gex_exposure_options *e = &o->analysis.exposure;
    int n =
        snprintf(buf, size,
                 "rate=%.17g div=%.17g carry=%d exercise=%d iv=%d unit=%d flip=%d min_oi=%.17g "
                 "max_dte=%d 0dte=%d spot=%.17g multiplier=%.17g strict=%d format=%d now=%lld "
                 "now_from_mtime=%d at=%lld min_bid=%.17g max_delta=%.17g greeks_file=%d "
                 "file_exp=%d no_0dte=%d quiet=%d exp=",
                 o->prepare.rate, o->prepare.div, (int)o->prepare.carry, (int)e->exercise,
                 (int)o->prepare.iv_mode, (int)e->gex_unit, (int)o->analysis.flip_method, e->min_oi,
                 e->max_dte, e->zero_dte, o->read.spot, o->read.multiplier, o->read.strict,
                 (int)o->read.format, o->prepare.has_now ? (long long)o->prepare.now : -1LL,
                 o->now_from_mtime, o->read.has_at ? (long long)o->read.at : -1LL, e->min_bid,
                 e->max_abs_delta, e->greeks_from_file, (int)o->read.file_expiration,
                 e->exclude_zero_dte, o->quiet);
    for (size_t i = 0; i < e->n_expirations && n > 0 && (size_t)n < size; i++)
        n += snprintf(buf + n, size - (size_t)n, "%d,", (int)e->expirations[i]);
    if (n > 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, " not=");
    for (size_t i = 0; i < e->n_exclude_expirations && n > 0 && (size_t)n < size; i++)
        n += snprintf(buf + n, size - (size_t)n, "%d,", (int)e->exclude_expirations[i]);
    for (size_t i = 0; i < o->read.n_settle && n > 0 && (size_t)n < size; i++)
        n += snprintf(buf + n, size - (size_t)n, " settle=%s:%d", o->read.settle[i].root,
                      (int)o->read.settle[i].style);
}

/* A snapshot and where it came from, for the merge. */
typedef struct hist_entry {
    gex_snapshot snap;
    const hist_file *file;
} hist_entry;

static int64_t mtime_ns(const hist_file *f)
{
    return f->stat_ok ? (int64_t)f->sb.st_mtim.tv_sec * 1000000000 + f->sb.st_mtim.tv_nsec : 0;
}

/* Underlying, instant, then the older file first (so the last of a run of equals wins). */
static int by_series(const void *pa, const void *pb)
{
    const hist_entry *a = pa, *b = pb;
    int c = strcmp(a->snap.symbol, b->snap.symbol);
    if (c != 0)
        return c;
    if (a->snap.quote_time != b->snap.quote_time)
        return a->snap.quote_time < b->snap.quote_time ? -1 : 1;
    const int64_t ma = mtime_ns(a->file), mb = mtime_ns(b->file);
    if (ma != mb)
        return ma < mb ? -1 : 1;
    return strcmp(a->file->path, b->file->path);
}

/* Output order: time, then underlying. */
static int by_time(const void *pa, const void *pb)
{
    const gex__history_row *a = pa, *b = pb;
    if (a->snap.quote_time != b->snap.quote_time)
        return a->snap.quote_time < b->snap.quote_time ? -1 : 1;
    return strcmp(a->snap.symbol, b->snap.symbol);
}

/* The default store: in the first folder given, else in the first file's folder. */
static char *default_store(const cli_inputs *in)
{
    const char *dir = NULL;
    for (size_t i = 0; i < in->n && dir == NULL; i++)
        dir = in->dir_of[i];
    char *owned = NULL;
    if (dir == NULL) {
        for (size_t i = 0; i < in->n && dir == NULL; i++)
            if (strcmp(in->paths[i], "-") != 0) {
                const char *slash = strrchr(in->paths[i], '/');
                owned = slash == NULL ? strdup(".")
                                      : strndup(in->paths[i], (size_t)(slash - in->paths[i]) +
                                                                  (slash == in->paths[i]));
                dir = owned;
            }
    }
    if (dir == NULL)
        return NULL;
    const size_t len = strlen(dir);
    char *path = malloc(len + sizeof STORE_NAME + 1);
    if (path != NULL)
        sprintf(path, "%s%s%s", dir, len > 0 && dir[len - 1] == '/' ? "" : "/", STORE_NAME);
    free(owned);
    return path;
}

/* The canonical path of a file that is not itself a symbolic link (its lstat says so): the
 * folder's realpath, kept in *dir_path and *dir_real for the next file of the same folder,
 * then the name. realpath of each file would walk every component of its path again (five
 * readlink calls a file of a folder two deep), and a folder's files share all but their
 * names. */
static char *real_path(const char *path, char **dir_path, char **dir_real)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash != NULL ? slash + 1 : path;
    const size_t dlen = slash != NULL ? (size_t)(slash - path) : 0;
    if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return realpath(path, NULL);
    if (*dir_path == NULL || strlen(*dir_path) != dlen || strncmp(*dir_path, path, dlen) != 0) {
        free(*dir_path);
        free(*dir_real);
        *dir_path = strndup(path, dlen);
        *dir_real = NULL;
        if (*dir_path != NULL)
            *dir_real = realpath(slash == NULL ? "." : dlen == 0 ? "/" : *dir_path, NULL);
        if (*dir_real == NULL) {
            free(*dir_path);
            *dir_path = NULL;
            return realpath(path, NULL);
        }
    }
    const size_t rlen = strlen(*dir_real), nlen = strlen(name);
    char *out = malloc(rlen + 1 + nlen + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, *dir_real, rlen);
    size_t o = rlen;
    if (o == 0 || out[o - 1] != '/')
        out[o++] = '/';
    memcpy(out + o, name, nlen + 1);
    return out;
}

/* Looks each file up in the store; the others go to todo. Returns an exit status. */
static int look_up(cli_store *store, const char *key, hist_file *files, size_t n, size_t *todo,
                   size_t *n_todo, size_t *n_stored)
{
    *n_todo = 0;
    *n_stored = 0;
    if (store != NULL && cli_store_read_begin(store) != 0)
        return CLI_EXIT_INTERNAL;
    char *dir_path = NULL, *dir_real = NULL;
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < n && rc == CLI_EXIT_OK; i++) {
        hist_file *f = &files[i];
        if (strcmp(f->path, "-") != 0 && lstat(f->path, &f->sb) == 0) {
            if (S_ISLNK(f->sb.st_mode)) {
                f->stat_ok = stat(f->path, &f->sb) == 0;
                if (!f->stat_ok)
                    memset(&f->sb, 0, sizeof f->sb); /* as a failed stat left it before */
                f->real = f->stat_ok ? realpath(f->path, NULL) : NULL;
            } else {
                f->stat_ok = 1;
                f->real = real_path(f->path, &dir_path, &dir_real);
            }
        }
        int found = 0;
        if (store != NULL && f->real != NULL && S_ISREG(f->sb.st_mode)) {
            const cli_file_identity id = {f->real, (int64_t)f->sb.st_size, mtime_ns(f),
                                          (int64_t)f->sb.st_ino};
            found =
                cli_store_lookup(store, &id, key, &f->snaps, &f->n_snaps, &f->notes, &f->n_notes);
            if (found < 0)
                rc = CLI_EXIT_INTERNAL;
        }
        if (found > 0) {
            f->from_store = 1;
            f->done = 1; /* its messages are the stored ones (hist_pool's printing) */
            (*n_stored)++;
        } else
            todo[(*n_todo)++] = i;
    }
    free(dir_path);
    free(dir_real);
    if (store != NULL && cli_store_read_end(store) != 0)
        rc = CLI_EXIT_INTERNAL;
    return rc;
}

/* The messages of a file taken from the store: what its read said, as read_one would show it
 * under --symbol (wanted, NULL when not given). */
static void stored_messages(hist_file *f, const char *wanted)
{
    f->holds = wanted == NULL;
    for (size_t k = 0; k < f->n_snaps && !f->holds; k++)
        f->holds = strcasecmp(wanted, f->snaps[k].symbol) == 0;
    cli_messages m = {0};
    say_notes(&m, f, wanted);
    f->messages = take_messages(&m);
}

/* Keeps what was read in the store: each file read whole, and forgets the ones that failed (an
 * underlying --symbol left out included). */
static int keep(cli_store *store, const char *key, const hist_file *files, const size_t *todo,
                size_t n_todo)
{
    if (store == NULL || n_todo == 0)
        return CLI_EXIT_OK;
    /* > 0: the disk refused the writes (said): the rows are printed all the same */
    int st = cli_store_begin(store);
    for (size_t t = 0; t < n_todo && st == 0; t++) {
        const hist_file *f = &files[todo[t]];
        if (f->real == NULL || !S_ISREG(f->sb.st_mode))
            continue;
        const cli_file_identity id = {f->real, (int64_t)f->sb.st_size, mtime_ns(f),
                                      (int64_t)f->sb.st_ino};
        st = f->whole_rc == CLI_EXIT_OK
                 ? cli_store_put(store, &id, key, f->snaps, f->n_snaps, f->notes, f->n_notes)
                 : cli_store_forget(store, f->real, key);
    }
    if (st == 0)
        st = cli_store_commit(store);
    return st < 0 ? CLI_EXIT_INTERNAL : CLI_EXIT_OK;
}

/* The rows: every snapshot of the files, --symbol applied (*matched: the snapshots it keeps),
 * duplicates resolved, measures per underlying computed over the whole series, then --from and
 * --to applied. */
static int build_rows(const cli_options *opts, const hist_file *files, size_t n_files,
                      gex__history_row **rows_out, size_t *n_rows, size_t *matched,
                      size_t *duplicates)
{
    size_t total = 0;
    for (size_t i = 0; i < n_files; i++)
        total += files[i].n_snaps;
    hist_entry *e = malloc((total + 1) * sizeof *e);
    gex__history_row *rows = malloc((total + 1) * sizeof *rows);
    gex_snapshot *series = malloc((total + 1) * sizeof *series);
    gex_history_metrics *metrics = malloc((total + 1) * sizeof *metrics);
    if (e == NULL || rows == NULL || series == NULL || metrics == NULL) {
        free(e);
        free(rows);
        free(series);
        free(metrics);
        cli_error(NULL, 0, "out of memory merging the snapshots");
        return CLI_EXIT_INTERNAL;
    }
    size_t m = 0;
    for (size_t i = 0; i < n_files; i++)
        for (size_t k = 0; k < files[i].n_snaps; k++) {
            const gex_snapshot *s = &files[i].snaps[k];
            if (opts->read.symbol != NULL && strcasecmp(s->symbol, opts->read.symbol) != 0)
                continue;
            e[m].snap = *s;
            e[m].file = &files[i];
            m++;
        }
    *matched = m;
    if (m > 1)
        qsort(e, m, sizeof *e, by_series);
    /* duplicates: of a run of the same underlying and instant, the last (newest file) wins */
    size_t kept = 0;
    *duplicates = 0;
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < m && rc == CLI_EXIT_OK; i++) {
        if (i + 1 < m && strcmp(e[i].snap.symbol, e[i + 1].snap.symbol) == 0 &&
            e[i].snap.quote_time == e[i + 1].snap.quote_time && opts->prepare.has_now) {
            /* --now dates every snapshot at one instant: no series is left to make */
            size_t same = 2;
            while (i + same < m && strcmp(e[i].snap.symbol, e[i + same].snap.symbol) == 0)
                same++;
            cli_say_now_merges(NULL, NULL, e[i].snap.quote_time, same, e[i].snap.symbol);
            rc = CLI_EXIT_USAGE;
        } else if (i + 1 < m && strcmp(e[i].snap.symbol, e[i + 1].snap.symbol) == 0 &&
                   e[i].snap.quote_time == e[i + 1].snap.quote_time) {
            /* the same file named twice (a folder and a file in it): one snapshot, no word */
            if (e[i].file->real != NULL && e[i + 1].file->real != NULL &&
                strcmp(e[i].file->real, e[i + 1].file->real) == 0)
                continue;
            char iso[40];
            gex_time_format_iso(e[i].snap.quote_time, iso, sizeof iso);
            cli_error(e[i].file->path, 0,
                      "warning: %s at %s is also in %s, a newer file, which wins: this file's "
                      "snapshot is left out",
                      e[i].snap.symbol, iso, e[i + 1].file->path);
            (*duplicates)++;
            continue;
        }
        e[kept++] = e[i];
    }
    size_t out = 0;
    for (size_t s = 0; s < kept && rc == CLI_EXIT_OK;) {
        size_t end = s;
        while (end < kept && strcmp(e[end].snap.symbol, e[s].snap.symbol) == 0)
            end++;
        for (size_t i = s; i < end; i++)
            series[i - s] = e[i].snap;
        const int st = gex_history_metrics_compute(series, end - s, metrics);
        if (st != GEX_OK) {
            cli_error(NULL, 0, "%s: the series measures failed: %s", e[s].snap.symbol,
                      gex_strerror(st));
            rc = cli_exit_status(st);
        }
        for (size_t i = s; i < end && rc == CLI_EXIT_OK; i++) {
            const int64_t t = e[i].snap.quote_time;
            if ((opts->has_from && t < opts->from) || (opts->has_to && t > opts->to))
                continue;
            rows[out].snap = e[i].snap;
            rows[out].m = metrics[i - s];
            rows[out].file = e[i].file->path;
            out++;
        }
        s = end;
    }
    free(e);
    free(series);
    free(metrics);
    if (rc != CLI_EXIT_OK) {
        free(rows);
        return rc;
    }
    if (out > 1)
        qsort(rows, out, sizeof *rows, by_time);
    *rows_out = rows;
    *n_rows = out;
    return CLI_EXIT_OK;
}

/* The module's entry points (found by name, modules.c). */
int cli_cmd_history(const cli_options *opts, FILE *out);
int cli_history_collect(const cli_options *opts, cli_history *out);

int cli_history_collect(const cli_options *opts, cli_history *h)
{
    memset(h, 0, sizeof *h);
    cli_inputs *in = &h->inputs;
    if (cli_inputs_expand(opts->files, opts->n_files, in) != CLI_EXIT_OK)
        return CLI_EXIT_INTERNAL;
    /* --symbol selects rows: the files are read whole, so that the store holds every
     * underlying whatever --symbol a later run gives. Files are read one per thread. */
    cli_options o = *opts;
    o.read.symbol = NULL;
    if (in->n > 1)
        o.read.threads = 1;
    char key[2048];
    options_key(&o, key, sizeof key);

    hist_file *files = calloc(in->n + 1, sizeof *files);
    size_t *todo = malloc((in->n + 1) * sizeof *todo);
    if (files == NULL || todo == NULL) {
        free(files);
        free(todo);
        cli_inputs_free(in);
        cli_error(NULL, 0, "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < in->n; i++)
        files[i].path = in->paths[i];

    int rc = CLI_EXIT_OK;
    cli_store *store = NULL;
    if (!opts->no_db) {
        h->store_path = opts->db != NULL ? strdup(opts->db) : default_store(in);
        if (h->store_path != NULL)
            rc = cli_store_open(h->store_path, &store);
    }
    size_t n_todo = 0, n_stored = 0;
    if (rc == CLI_EXIT_OK)
        rc = look_up(store, key, files, in->n, todo, &n_todo, &n_stored);
    for (size_t i = 0; i < in->n && rc == CLI_EXIT_OK; i++)
        if (files[i].from_store)
            stored_messages(&files[i], opts->read.symbol);
    if (rc == CLI_EXIT_OK) {
        hist_pool pool = {.opts = &o,
                          .wanted = opts->read.symbol,
                          .many = in->n > 1,
                          .files = files,
                          .n_files = in->n,
                          .todo = todo,
                          .n_todo = n_todo};
        pthread_mutex_init(&pool.lock, NULL);
        read_all(&pool);
        pthread_mutex_destroy(&pool.lock);
        rc = keep(store, key, files, todo, n_todo);
    }
    /* Each file counted once: read this run, taken from the store, or failed (a file that
     * could not be read is not "read"); the folders that gave no file apart, as no file. */
    size_t failed = 0, n_read = 0, from_store = 0, without = 0;
    h->status = in->failed > 0 ? CLI_EXIT_INPUT : CLI_EXIT_OK;
    for (size_t i = 0; i < in->n; i++) {
        /* --at over several files: a file read, or stored, without that snapshot gives none */
        const int lacks = files[i].rc == CLI_EXIT_OK && opts->read.has_at && files[i].n_snaps == 0;
        failed += files[i].rc != CLI_EXIT_OK;
        without += lacks;
        from_store += files[i].rc == CLI_EXIT_OK && !lacks && files[i].from_store;
        n_read += files[i].rc == CLI_EXIT_OK && !lacks && !files[i].from_store;
        if (files[i].rc != CLI_EXIT_OK && h->status != CLI_EXIT_INTERNAL)
            h->status = files[i].rc == CLI_EXIT_INTERNAL ? CLI_EXIT_INTERNAL : CLI_EXIT_INPUT;
    }
    size_t duplicates = 0;
    if (rc == CLI_EXIT_OK)
        rc = build_rows(opts, files, in->n, &h->rows, &h->n, &h->matched, &duplicates);
    h->meta = (gex__history_meta){.files = in->n,
                                  .files_read = n_read,
                                  .files_stored = from_store,
                                  .files_failed = failed,
                                  .files_without_snapshot = without,
                                  .has_at = opts->read.has_at,
                                  .at = opts->read.at,
                                  .folders_failed = in->failed,
                                  .duplicates = duplicates,
                                  .store = store != NULL ? h->store_path : NULL,
                                  .gex_unit = opts->analysis.exposure.gex_unit,
                                  .flip_method = opts->analysis.flip_method,
                                  .carry = opts->prepare.carry,
                                  .rate = opts->prepare.rate,
                                  .div = opts->prepare.div,
                                  .exercise = opts->analysis.exposure.exercise};
    cli_store_close(store);
    for (size_t i = 0; i < in->n; i++) {
        free(files[i].real);
        free(files[i].snaps);
        cli_store_notes_free(files[i].notes, files[i].n_notes);
        free(files[i].messages);
    }
    free(files);
    free(todo);
    if (rc != CLI_EXIT_OK) {
        cli_history_release(h);
        return rc;
    }
    return h->status;
}

int cli_cmd_history(const cli_options *opts, FILE *out)
{
    cli_history h;
    int rc = cli_history_collect(opts, &h);
    if (h.rows == NULL)
        return rc; /* nothing to show: said why */
    if (opts->read.symbol != NULL && h.matched == 0) {
        /* likely a misspelt symbol: said, though the (empty) table is still written */
        cli_say_none_holds(opts, CLI_LACKS_SYMBOL);
        rc = rc != CLI_EXIT_OK ? rc : CLI_EXIT_INPUT;
    } else if (opts->read.has_at && h.matched == 0 && h.meta.files_without_snapshot > 0) {
        /* files without a snapshot at --at give none: none giving one is likely a wrong --at */
        cli_say_none_holds(opts, CLI_LACKS_AT);
        rc = rc != CLI_EXIT_OK ? rc : CLI_EXIT_INPUT;
    }
    gex_error err;
    gex_error_clear(&err);
    const int written = cli_written_to(
        gex__render_history(h.rows, h.n, &h.meta, opts->format, out, &err), &err, opts->output);
    const size_t n_rows = h.n;
    cli_history_release(&h);
    if (written != CLI_EXIT_OK)
        return written;
    /* some files failed: the rows of the others are the document (-o keeps it); none, no
     * document (-o leaves FILE as it was) */
    return rc == CLI_EXIT_INPUT && n_rows > 0 ? CLI_EXIT_INPUT_KEPT : rc;
}
