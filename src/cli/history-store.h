/*
 * history-store.h: gex history's store: the snapshots of each file kept in an SQLite database,
 * keyed by the file's identity (real path, size, modification time, inode), gex's build (its
 * version and the build IDs of the library, this module and the program) and the options that
 * change the numbers, so that a run reads only the files that are new or changed. Part of the
 * module gex-history; the schema is README's "History".
 */
#ifndef GEX_HISTORY_STORE_H
#define GEX_HISTORY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "gex/gex.h"

/* The schema's version, kept in the table gex_meta: a store of another schema is refused
 * (never read as if it were this one). */
#define CLI_STORE_SCHEMA "4"

typedef struct cli_store cli_store;

/* A file's identity. */
typedef struct cli_file_identity {
    const char *path; /* real path (realpath) */
    int64_t size, mtime_ns, inode;
} cli_file_identity;

/* Opens (creating when absent) the store at path. Returns CLI_EXIT_OK with *out set; or
 * CLI_EXIT_OK with *out NULL after a warning when the store cannot be created where the data is
 * read-only (gex runs without it); or CLI_EXIT_INTERNAL after a message when the file is not a
 * gex store, is corrupt, is locked, or of another schema. A store that exists but cannot be
 * written is opened read-only (with a warning): its snapshots are used, new ones not kept. */
int cli_store_open(const char *path, cli_store **out);
void cli_store_close(cli_store *store); /* accepts NULL */
const char *cli_store_path(const cli_store *store);

/* What the read of a file said, kept to be said again by a run that takes its snapshots from
 * the store: symbol NULL for the file's own messages (the reader's warnings, the skipped rows),
 * else the underlying whose messages text holds; text is whole lines, as the read captured
 * them (history's form, cmd-history.c). */
typedef struct cli_store_note {
    char *symbol;
    char *text;
} cli_store_note;

/* Frees n notes and the array. Accepts NULL. */
void cli_store_notes_free(cli_store_note *notes, size_t n);

/* The snapshots kept for a file of this identity under these options and this gex build, with
 * the notes of its read in order: 1 and *snaps (malloc'ed, *n >= 1 of them) and *notes
 * (malloc'ed, *n_notes of them, NULL when none), 0 when none are kept (a file stored with none,
 * which cannot be told from one whose rows were deleted, is read again), -1 after a message
 * when the store failed (CLI_EXIT_INTERNAL). */
int cli_store_lookup(cli_store *store, const cli_file_identity *id, const char *options,
                     gex_snapshot **snaps, size_t *n, cli_store_note **notes, size_t *n_notes);

/* The lookups of one run in one read transaction: begin before the first cli_store_lookup,
 * end after the last. Without it each lookup is a transaction of its own, and SQLite takes and
 * drops its file lock and checks the journal for every file (8 system calls a file). Each
 * returns 0, or -1 after a message; a read-only store accepts them. */
int cli_store_read_begin(cli_store *store);
int cli_store_read_end(cli_store *store);

/* One transaction of changes: begin, then put (replacing what the path held under options) or
 * forget (a file that now fails), then commit. Each returns 0, or -1 after a message. A store
 * opened read-only accepts them and keeps nothing. Where the disk refuses a write (full,
 * failing or read-only: SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY), the transaction is rolled
 * back, a warning names the store and what to do, the store is read-only from then on, and
 * the call returns 1: the run goes on with what it read. */
int cli_store_begin(cli_store *store);
int cli_store_put(cli_store *store, const cli_file_identity *id, const char *options,
                  const gex_snapshot *snaps, size_t n, const cli_store_note *notes, size_t n_notes);
int cli_store_forget(cli_store *store, const char *path, const char *options);
int cli_store_commit(cli_store *store);

#endif /* GEX_HISTORY_STORE_H */
