/*
 * history-store.c: gex history's SQLite store (history-store.h). Three tables, gex_files (one
 * row per file read under one set of options), gex_snapshots (its snapshots) and gex_messages
 * (what its read said), and gex_meta (the schema version). Every SQLite failure is reported as what
 * it is (corrupt, locked, not a gex store) and stops the command: a store that cannot be trusted
 * never gives a number. A disk that refuses a write (full, failing, read-only) is the exception:
 * the write is rolled back and the run goes on without keeping its files, as with a store opened
 * read-only.
 */
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hash.h"
#include "history-store.h"

/* The build a store's rows are keyed by: gex's version and the library's GNU build ID (a hash
 * of its contents, written by the linker: Debian's writes one). */
#define BUILD_KEY_SIZE 160

struct cli_store {
    sqlite3 *db;
    char *path;
    char build[BUILD_KEY_SIZE];
    int read_only;
    sqlite3_stmt *lookup, *snaps, *notes, *forget, *put_file, *put_snap, *put_note;
};

/* How long a run waits for another run holding the store before saying it is locked. */
#define STORE_BUSY_MS 5000

/* The snapshots' table under a name: one row per file, underlying and quote instant (a file
 * may hold several snapshots, SPEC 2.9; schema 1 keyed a file's rows by underlying alone). */
#define SNAPSHOTS_TABLE(name)                                                                      \
    "CREATE TABLE IF NOT EXISTS " name " ("                                                        \
    " file_id INTEGER NOT NULL REFERENCES gex_files (id) ON DELETE CASCADE,"                       \
    " symbol TEXT NOT NULL, quote_time INTEGER NOT NULL, as_of TEXT NOT NULL,"                     \
    " spot REAL NOT NULL, net_gex REAL NOT NULL, net_dex REAL NOT NULL,"                           \
    " net_vex REAL NOT NULL, net_chex REAL NOT NULL, gamma_flip REAL, call_wall REAL,"             \
    " put_wall REAL, max_positive_gamma REAL, max_negative_gamma REAL,"                            \
    " zero_dte_pct REAL NOT NULL, atm_iv REAL, put_wing_iv_25d REAL, call_wing_iv_25d REAL,"       \
    " call_oi REAL NOT NULL, put_oi REAL NOT NULL, currency TEXT NOT NULL,"                        \
    " PRIMARY KEY (file_id, symbol, quote_time));"
#define SNAPSHOTS_INDEX                                                                            \
    "CREATE INDEX IF NOT EXISTS gex_snapshots_by_symbol ON gex_snapshots (symbol, quote_time);"

/* A file's messages, in the order its read said them (seq); symbol NULL: the file's own. */
#define MESSAGES_TABLE                                                                             \
    "CREATE TABLE IF NOT EXISTS gex_messages ("                                                    \
    " file_id INTEGER NOT NULL REFERENCES gex_files (id) ON DELETE CASCADE,"                       \
    " seq INTEGER NOT NULL, symbol TEXT, text TEXT NOT NULL, PRIMARY KEY (file_id, seq));"

#define META_TABLE                                                                                 \
    "CREATE TABLE IF NOT EXISTS gex_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
#define FILES_TABLE                                                                                \
    "CREATE TABLE IF NOT EXISTS gex_files ("                                                       \
    " id INTEGER PRIMARY KEY,"                                                                     \
    " path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"                       \
    " inode INTEGER NOT NULL, gex_version TEXT NOT NULL, options TEXT NOT NULL,"                   \
    " read_at TEXT NOT NULL, UNIQUE (path, options));"
#define SCHEMA_ROW                                                                                 \
    "INSERT OR IGNORE INTO gex_meta (key, value) VALUES ('schema', " CLI_STORE_SCHEMA ");"

static const char schema[] = META_TABLE FILES_TABLE SNAPSHOTS_TABLE("gex_snapshots")
    SNAPSHOTS_INDEX MESSAGES_TABLE SCHEMA_ROW;

/* Schema 1, 2 or 3 to 4: the snapshots' table made again, empty, and every file forgotten
 * (gex_messages, made by schema above, is emptied with them). Schema 1's rows cannot be kept:
 * their options key did not say which snapshot of a file (--at) they hold, so a file read with
 * --at would answer a run without it; schema 2's have no currency (an NSE file's amounts were
 * kept as if in dollars); schema 3 kept no messages, so a run from it would say nothing of a
 * file's skipped rows. Run inside a transaction that holds the store's write lock. */
static const char upgrade_from_old[] =
    "DROP TABLE gex_snapshots;"
    "DELETE FROM gex_files;"
    "DELETE FROM gex_messages;" SNAPSHOTS_TABLE("gex_snapshots") SNAPSHOTS_INDEX
    "UPDATE gex_meta SET value = '" CLI_STORE_SCHEMA "' WHERE key = 'schema';";

/* Whether v (gex_meta's schema value) is an older one that upgrade() brings to this one. */
static int schema_old(const char *v)
{
    return strcmp(v, "1") == 0 || strcmp(v, "2") == 0 || strcmp(v, "3") == 0;
}

/* Why an older schema's rows are not kept, for the upgrade's warning. */
static const char *schema_old_why(const char *v)
{
    return strcmp(v, "1") == 0   ? "whose keys did not say which snapshot of a file they hold"
           : strcmp(v, "2") == 0 ? "which did not keep the currency of a snapshot's amounts"
                                 : "which did not keep what the read of a file said (its "
                                   "skipped rows and warnings)";
}

/* The snapshot columns after file_id, in order. */
#define SNAP_COLUMNS                                                                               \
    "symbol, quote_time, as_of, spot, net_gex, net_dex, net_vex, net_chex, gamma_flip, "           \
    "call_wall, put_wall, max_positive_gamma, max_negative_gamma, zero_dte_pct, atm_iv, "          \
    "put_wing_iv_25d, call_wing_iv_25d, call_oi, put_oi, currency"

/* Says what went wrong with the store, by SQLite's result code; returns -1. */
static int fail(const char *path, sqlite3 *db, int rc, const char *doing)
{
    const int primary = rc & 0xff;
    const char *why = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        cli_error(path, 0,
                  "the history store is locked by another process (another gex history?) "
                  "while %s: try again when it is done, or pass --no-db",
                  doing);
    else if (primary == SQLITE_NOTADB)
        /* any file may be named by --db (a chain given by mistake): never advise removing it */
        cli_error(path, 0,
                  "not an SQLite database, so not a gex history store (or one that is corrupt), "
                  "while %s: gex leaves it alone; pass --db with the path of a store, or "
                  "--no-db (a corrupt store moved away is built anew)",
                  doing);
    else if (primary == SQLITE_CORRUPT)
        cli_error(path, 0,
                  "the history store is corrupt or not an SQLite database (%s) while %s: move "
                  "it away (gex builds a new one), pass --db PATH, or --no-db",
                  why, doing);
    else
        cli_error(path, 0, "the history store failed while %s: %s", doing, why);
    return -1;
}

/* Whether SQLite's rc is the disk refusing a write (full, failing, read-only) rather than the
 * store being wrong: the run goes on without keeping its files. */
static int disk_refused(int rc)
{
    const int primary = rc & 0xff;
    return primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_READONLY;
}

/* A change that failed: where the disk refused it, the transaction is rolled back, the run is
 * warned once and the store is read-only from then on (1); else as fail() (-1). */
static int write_failed(cli_store *s, int rc, const char *doing)
{
    if (!disk_refused(rc))
        return fail(s->path, s->db, rc, doing);
    cli_error(s->path, 0,
              "warning: the history store cannot be written (%s): the files read now are not "
              "kept; free space on its disk, pass --db PATH to keep one elsewhere, or --no-db",
              sqlite3_errmsg(s->db));
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->read_only = 1;
    return 1;
}

/* Whether the database holds tables but not gex's: someone else's database. */
static int foreign(sqlite3 *db, int *is_foreign)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT sum(name = 'gex_meta'), count(*) FROM sqlite_master "
                                "WHERE type = 'table'",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *is_foreign = sqlite3_column_int(st, 1) > 0 && sqlite3_column_int(st, 0) == 0;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* The schema version in gex_meta into out ("" when none). SQLITE_OK or SQLite's error. */
static int schema_value(cli_store *s, char *out, size_t size)
{
    out[0] = '\0';
    sqlite3_stmt *st = NULL;
    int rc =
        sqlite3_prepare_v2(s->db, "SELECT value FROM gex_meta WHERE key = 'schema'", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    const unsigned char *v = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    if (v != NULL)
        snprintf(out, size, "%s", (const char *)v);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A store of an older schema (1: a file's snapshots keyed by underlying alone; 2: without
 * their currency) brought to this one, emptied, under the store's write lock (another run upgrading
 * at the same time waits, then finds it done). 0, or -1 after a message. */
static int upgrade(cli_store *s)
{
    char v[32];
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    const int old =
        rc == SQLITE_OK && (rc = schema_value(s, v, sizeof v)) == SQLITE_OK && schema_old(v);
    if (old)
        rc = sqlite3_exec(s->db, upgrade_from_old, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc == SQLITE_OK && old)
        cli_error(s->path, 0,
                  "warning: the history store was made by an older gex (schema %s, %s): "
                  "upgraded, its snapshots are read again once",
                  v, schema_old_why(v));
    if (rc == SQLITE_OK)
        return 0;
    const int failed = fail(s->path, s->db, rc, "upgrading its schema");
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return failed;
}

/* 0 when the store's schema is this gex's; 1 for an older one (into v, 32 bytes) in a store
 * opened read-only (none of its rows can be used, and it cannot be upgraded); else -1 after a
 * message. */
static int check_schema(cli_store *s, char v[32])
{
    const int rc = schema_value(s, v, 32);
    if (rc != SQLITE_OK)
        return fail(s->path, s->db, rc, "reading its schema version");
    if (strcmp(v, CLI_STORE_SCHEMA) == 0)
        return 0;
    if (s->read_only && schema_old(v))
        return 1;
    cli_error(s->path, 0,
              "the history store has schema %s, this gex reads schema " CLI_STORE_SCHEMA
              ": move it away (gex builds a new one) or pass --db PATH",
              v[0] != '\0' ? v : "(none)");
    return -1;
}

static int quick_check(cli_store *s)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return fail(s->path, s->db, rc, "checking it");
    rc = sqlite3_step(st);
    int ok = rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL &&
             strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    if (rc == SQLITE_ROW && !ok)
        cli_error(s->path, 0,
                  "the history store is corrupt (%s): move it away (gex builds a new one), pass "
                  "--db PATH, or --no-db",
                  (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return fail(s->path, s->db, rc, "checking it");
    return ok ? 0 : -1;
}

static int prepare_all(cli_store *s)
{
    struct {
        sqlite3_stmt **st;
        const char *sql;
    } q[] = {
        {&s->lookup, "SELECT id FROM gex_files WHERE path = ?1 AND options = ?2 AND size = ?3 AND "
                     "mtime_ns = ?4 AND inode = ?5 AND gex_version = ?6"},
        {&s->snaps, "SELECT " SNAP_COLUMNS " FROM gex_snapshots WHERE file_id = ?1 ORDER BY "
                    "quote_time, symbol"},
        {&s->notes, "SELECT symbol, text FROM gex_messages WHERE file_id = ?1 ORDER BY seq"},
        {&s->forget, "DELETE FROM gex_files WHERE path = ?1 AND options = ?2"},
        {&s->put_file,
         "INSERT INTO gex_files (path, size, mtime_ns, inode, gex_version, options, read_at) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&s->put_snap, "INSERT INTO gex_snapshots (file_id, " SNAP_COLUMNS ") VALUES (?1, ?2, "
                       "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
                       "?18, ?19, ?20, ?21)"},
        {&s->put_note,
         "INSERT INTO gex_messages (file_id, seq, symbol, text) VALUES (?1, ?2, ?3, ?4)"},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        const int rc = sqlite3_prepare_v2(s->db, q[i].sql, -1, q[i].st, NULL);
        if (rc != SQLITE_OK)
            return fail(s->path, s->db, rc, "preparing its queries");
    }
    return 0;
}

/* A loaded object's GNU build ID, in hex: the object holding addr, or the first object (the
 * program itself) where addr is 0. */
typedef struct build_search {
    uintptr_t addr;
    char hex[2 * 64 + 1];
} build_search;

static size_t align_up(size_t n, size_t align)
{
    return (n + align - 1) / align * align;
}

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    build_search *b = data;
    int inside = b->addr == 0; /* the program is the first object */
    for (ElfW(Half) i = 0; i < info->dlpi_phnum && !inside; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        const uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        inside = ph->p_type == PT_LOAD && b->addr >= start && b->addr - start < ph->p_memsz;
    }
    if (!inside)
        return 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        /* a note: its header, its name and its descriptor, each starting on the segment's
         * alignment (4, or 8 for notes such as .note.gnu.property) */
        const size_t align = ph->p_align == 8 ? 8 : 4;
        const unsigned char *notes = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        size_t at = 0;
        while (ph->p_memsz - at >= sizeof(ElfW(Nhdr))) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(const void *)(notes + at);
            const size_t left = ph->p_memsz - at - sizeof *nh;
            if (nh->n_namesz > left || nh->n_descsz > left)
                break;
            const size_t desc = align_up(sizeof *nh + nh->n_namesz, align);
            const size_t next = align_up(desc + nh->n_descsz, align);
            if (desc + nh->n_descsz > ph->p_memsz - at)
                break;
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
                memcmp(notes + at + sizeof *nh, "GNU", 4) == 0 && nh->n_descsz > 0 &&
                nh->n_descsz <= 64) {
                for (size_t k = 0; k < nh->n_descsz; k++)
                    snprintf(b->hex + 2 * k, 3, "%02x", notes[at + desc + k]);
                return 1;
            }
            if (next > ph->p_memsz - at)
                break;
            at += next;
        }
    }
    return 1; /* the object, without a build ID */
}

/* The build key of this gex: "VERSION+HASH", HASH a 64-bit FNV-1a of the GNU build IDs of the
 * objects whose code makes the stored numbers (the library, this module, the program: a
 * change to any of them changes its ID), or the version alone where none has one. The version
 * alone stayed 0.1.0 through changes to the numbers, so that a store kept rows computed by an
 * older build; with the build IDs, a store's rows are this build's, and a new build reads every
 * file once again. */
static void build_key(char *out, size_t size)
{
    /* the version's text lies in the library's read-only data, schema in this module's */
    const uintptr_t where[] = {(uintptr_t)(const void *)gex_version(),
                               (uintptr_t)(const void *)schema, 0};
    uint64_t h = CLI_FNV1A_BASIS;
    int any = 0;
    for (size_t k = 0; k < sizeof where / sizeof where[0]; k++) {
        build_search b = {.addr = where[k]};
        dl_iterate_phdr(find_build_id, &b);
        any |= b.hex[0] != '\0';
        h = cli_fnv1a(cli_fnv1a(h, b.hex), "/");
    }
    if (any)
        snprintf(out, size, "%s+%016llx", gex_version(), (unsigned long long)h);
    else
        snprintf(out, size, "%s", gex_version());
}

/* The folder of path, for the write check ("." when it has none). */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int cli_store_open(const char *path, cli_store **out)
{
    *out = NULL;
    cli_store *s = calloc(1, sizeof *s);
    char *dir = folder_of(path);
    if (s == NULL || dir == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        free(dir);
        cli_error(NULL, 0, "out of memory opening the history store");
        return CLI_EXIT_INTERNAL;
    }
    build_key(s->build, sizeof s->build);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        cli_error(path, 0,
                  "--db names a folder, not a file: give --db the path of a file (such as "
                  "%s%s.gex-history.sqlite), or --no-db",
                  path, path[0] != '\0' && path[strlen(path) - 1] == '/' ? "" : "/");
        free(dir);
        cli_store_close(s);
        return CLI_EXIT_INTERNAL;
    }
    const int exists = access(path, F_OK) == 0;
    /* SQLite writes a journal beside the database: the folder must be writable too. */
    const int writable = access(dir, W_OK) == 0 && (!exists || access(path, W_OK) == 0);
    free(dir);
    if (!exists && !writable) {
        cli_error(path, 0,
                  "warning: cannot create the history store here (%s): every file is read; "
                  "pass --db PATH to keep one elsewhere",
                  strerror(errno));
        cli_store_close(s);
        return CLI_EXIT_OK;
    }
    s->read_only = !writable;
    int rc = sqlite3_open_v2(
        path, &s->db,
        s->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    int ok = rc == SQLITE_OK ? 0 : fail(path, s->db, rc, "opening it");
    if (ok == 0)
        sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
    if (ok == 0 &&
        (rc = sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL)) != SQLITE_OK)
        ok = fail(path, s->db, rc, "opening it");
    int is_foreign = 0;
    if (ok == 0 && (rc = foreign(s->db, &is_foreign)) != SQLITE_OK)
        ok = fail(path, s->db, rc, "reading its tables");
    if (ok == 0 && is_foreign) {
        cli_error(path, 0,
                  "not a gex history store (an SQLite database of other tables): gex leaves it "
                  "alone; pass --db with another path");
        ok = -1;
    }
    if (ok == 0 && exists)
        ok = quick_check(s);
    if (ok == 0 && !s->read_only &&
        (rc = sqlite3_exec(s->db, schema, NULL, NULL, NULL)) != SQLITE_OK)
        ok = fail(path, s->db, rc, "creating its tables");
    if (ok == 0 && exists && !s->read_only)
        ok = upgrade(s);
    char old[32] = "";
    if (ok == 0)
        ok = check_schema(s, old);
    if (ok == 1) {
        cli_error(path, 0,
                  "warning: the history store was made by an older gex (schema %s) and cannot "
                  "be written to upgrade it: every file is read, none is kept",
                  old);
        cli_store_close(s);
        return CLI_EXIT_OK;
    }
    if (ok == 0 && s->read_only)
        cli_error(path, 0,
                  "warning: the history store cannot be written: its snapshots are used, new "
                  "files are read but not kept");
    if (ok == 0)
        ok = prepare_all(s);
    if (ok != 0) {
        cli_store_close(s);
        return CLI_EXIT_INTERNAL;
    }
    *out = s;
    return CLI_EXIT_OK;
}

void cli_store_close(cli_store *s)
{
    if (s == NULL)
        return;
    sqlite3_finalize(s->lookup);
    sqlite3_finalize(s->snaps);
    sqlite3_finalize(s->notes);
    sqlite3_finalize(s->forget);
    sqlite3_finalize(s->put_file);
    sqlite3_finalize(s->put_snap);
    sqlite3_finalize(s->put_note);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

const char *cli_store_path(const cli_store *s)
{
    return s != NULL ? s->path : NULL;
}

static gex_level column_level(sqlite3_stmt *st, int c)
{
    gex_level l = {0, 0.0};
    if (sqlite3_column_type(st, c) != SQLITE_NULL) {
        l.has = 1;
        l.value = sqlite3_column_double(st, c);
    }
    return l;
}

static void read_snapshot(sqlite3_stmt *st, gex_snapshot *s)
{
    memset(s, 0, sizeof *s);
    const unsigned char *sym = sqlite3_column_text(st, 0);
    snprintf(s->symbol, sizeof s->symbol, "%s", sym != NULL ? (const char *)sym : "");
    s->quote_time = sqlite3_column_int64(st, 1);
    s->spot = sqlite3_column_double(st, 3);
    s->net_gex = sqlite3_column_double(st, 4);
    s->net_dex = sqlite3_column_double(st, 5);
    s->net_vex = sqlite3_column_double(st, 6);
    s->net_chex = sqlite3_column_double(st, 7);
    s->gamma_flip = column_level(st, 8);
    s->call_wall = column_level(st, 9);
    s->put_wall = column_level(st, 10);
    s->max_positive_gamma = column_level(st, 11);
    s->max_negative_gamma = column_level(st, 12);
    s->zero_dte_pct = sqlite3_column_double(st, 13);
    s->atm_iv = column_level(st, 14);
    s->put_iv_25d = column_level(st, 15);
    s->call_iv_25d = column_level(st, 16);
    s->call_oi = sqlite3_column_double(st, 17);
    s->put_oi = sqlite3_column_double(st, 18);
    const unsigned char *cur = sqlite3_column_text(st, 19);
    snprintf(s->currency, sizeof s->currency, "%s",
             cur != NULL && gex_currency_valid((const char *)cur) ? (const char *)cur
                                                                  : GEX_CURRENCY_DEFAULT);
}

void cli_store_notes_free(cli_store_note *notes, size_t n)
{
    for (size_t i = 0; notes != NULL && i < n; i++) {
        free(notes[i].symbol);
        free(notes[i].text);
    }
    free(notes);
}

/* The notes of file_id into *notes, *n (both left empty on failure). 0, or -1 after a
 * message. */
static int read_notes(cli_store *s, sqlite3_int64 file_id, cli_store_note **notes, size_t *n)
{
    sqlite3_stmt *q = s->notes;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, file_id);
    size_t cap = 0;
    int rc, oom = 0;
    while (!oom && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 4;
            cli_store_note *p = realloc(*notes, cap * sizeof *p);
            if (p == NULL) {
                oom = 1;
                break;
            }
            *notes = p;
        }
        const unsigned char *sym = sqlite3_column_text(q, 0);
        const unsigned char *text = sqlite3_column_text(q, 1);
        cli_store_note *x = &(*notes)[*n];
        x->symbol = sym != NULL ? strdup((const char *)sym) : NULL;
        x->text = strdup(text != NULL ? (const char *)text : "");
        (*n)++;
        oom = (sym != NULL && x->symbol == NULL) || x->text == NULL;
    }
    sqlite3_reset(q);
    if (!oom && rc == SQLITE_DONE)
        return 0;
    cli_store_notes_free(*notes, *n);
    *notes = NULL;
    *n = 0;
    if (oom) {
        cli_error(NULL, 0, "out of memory reading the history store");
        return -1;
    }
    return fail(s->path, s->db, rc, "reading a file's messages");
}

int cli_store_lookup(cli_store *s, const cli_file_identity *id, const char *options,
                     gex_snapshot **snaps, size_t *n, cli_store_note **notes, size_t *n_notes)
{
    *snaps = NULL;
    *n = 0;
    *notes = NULL;
    *n_notes = 0;
    sqlite3_stmt *st = s->lookup;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, options, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id->size);
    sqlite3_bind_int64(st, 4, id->mtime_ns);
    sqlite3_bind_int64(st, 5, id->inode);
    sqlite3_bind_text(st, 6, s->build, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return fail(s->path, s->db, rc, "looking a file up");
    const sqlite3_int64 file_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_stmt *q = s->snaps;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, file_id);
    size_t cap = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 4;
            gex_snapshot *p = realloc(*snaps, cap * sizeof *p);
            if (p == NULL) {
                free(*snaps);
                *snaps = NULL;
                cli_error(NULL, 0, "out of memory reading the history store");
                return -1;
            }
            *snaps = p;
        }
        read_snapshot(q, &(*snaps)[(*n)++]);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) {
        free(*snaps);
        *snaps = NULL;
        *n = 0;
        return fail(s->path, s->db, rc, "reading a file's snapshots");
    }
    if (*n == 0) {
        /* every file stored holds a snapshot: its rows were deleted (by hand, or a table
         * dropped), so the file is read again rather than answered with none */
        free(*snaps);
        *snaps = NULL;
        return 0;
    }
    if (read_notes(s, file_id, notes, n_notes) != 0) {
        free(*snaps);
        *snaps = NULL;
        *n = 0;
        return -1;
    }
    return 1;
}

static int exec(cli_store *s, const char *sql, const char *doing)
{
    if (s->read_only)
        return 0;
    const int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : write_failed(s, rc, doing);
}

int cli_store_read_begin(cli_store *s)
{
    const int rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fail(s->path, s->db, rc, "starting to read");
}

int cli_store_read_end(cli_store *s)
{
    const int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fail(s->path, s->db, rc, "reading");
}

int cli_store_begin(cli_store *s)
{
    return exec(s, "BEGIN IMMEDIATE", "starting to write");
}

int cli_store_commit(cli_store *s)
{
    return exec(s, "COMMIT", "writing");
}

int cli_store_forget(cli_store *s, const char *path, const char *options)
{
    if (s->read_only)
        return 0;
    sqlite3_stmt *st = s->forget;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, options, -1, SQLITE_STATIC);
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : write_failed(s, rc, "writing");
}

static void bind_level(sqlite3_stmt *st, int i, const gex_level *l)
{
    if (l->has)
        sqlite3_bind_double(st, i, l->value);
    else
        sqlite3_bind_null(st, i);
}

int cli_store_put(cli_store *s, const cli_file_identity *id, const char *options,
                  const gex_snapshot *snaps, size_t n, const cli_store_note *notes, size_t n_notes)
{
    if (s->read_only)
        return 0;
    const int forgot = cli_store_forget(s, id->path, options);
    if (forgot != 0)
        return forgot;
    char now[40];
    gex_time_format_iso((int64_t)time(NULL), now, sizeof now);
    sqlite3_stmt *st = s->put_file;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id->size);
    sqlite3_bind_int64(st, 3, id->mtime_ns);
    sqlite3_bind_int64(st, 4, id->inode);
    sqlite3_bind_text(st, 5, s->build, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, options, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return write_failed(s, rc, "writing");
    const sqlite3_int64 file_id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < n; i++) {
        const gex_snapshot *x = &snaps[i];
        char iso[40];
        gex_time_format_iso(x->quote_time, iso, sizeof iso);
        st = s->put_snap;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, file_id);
        sqlite3_bind_text(st, 2, x->symbol, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, x->quote_time);
        sqlite3_bind_text(st, 4, iso, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 5, x->spot);
        sqlite3_bind_double(st, 6, x->net_gex);
        sqlite3_bind_double(st, 7, x->net_dex);
        sqlite3_bind_double(st, 8, x->net_vex);
        sqlite3_bind_double(st, 9, x->net_chex);
        bind_level(st, 10, &x->gamma_flip);
        bind_level(st, 11, &x->call_wall);
        bind_level(st, 12, &x->put_wall);
        bind_level(st, 13, &x->max_positive_gamma);
        bind_level(st, 14, &x->max_negative_gamma);
        sqlite3_bind_double(st, 15, x->zero_dte_pct);
        bind_level(st, 16, &x->atm_iv);
        bind_level(st, 17, &x->put_iv_25d);
        bind_level(st, 18, &x->call_iv_25d);
        sqlite3_bind_double(st, 19, x->call_oi);
        sqlite3_bind_double(st, 20, x->put_oi);
        sqlite3_bind_text(st, 21, gex_snapshot_currency(x), -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return write_failed(s, rc, "writing");
    }
    for (size_t i = 0; i < n_notes; i++) {
        st = s->put_note;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, file_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        if (notes[i].symbol != NULL)
            sqlite3_bind_text(st, 3, notes[i].symbol, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 3);
        sqlite3_bind_text(st, 4, notes[i].text, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return write_failed(s, rc, "writing");
    }
    return 0;
}
