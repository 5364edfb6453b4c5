/*
 * cli.h: what the files of the gex program share: the parsed options, the exit statuses of
 * SPEC 3, the chain pipeline (read, prepare, compute), and the table, CSV and JSON writers.
 * Private to src/cli/; the program uses only the public API of libgex.
 */
#ifndef GEX_CLI_H
#define GEX_CLI_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gex/gex.h"

/* Exit statuses (SPEC 3). */
enum {
    GEX__EXIT_OK = 0,
    GEX__EXIT_DIFF = 1,     /* validate: differences beyond the tolerance */
    GEX__EXIT_USAGE = 2,    /* bad command line */
    GEX__EXIT_INPUT = 3,    /* unreadable input, unknown format, nothing usable */
    GEX__EXIT_INTERNAL = 4, /* internal or resource error */
};

typedef enum gex__command {
    GEX__CMD_NONE = 0,
    GEX__CMD_GREEKS,
    GEX__CMD_GEX,
    GEX__CMD_DEX,
    GEX__CMD_VEX,
    GEX__CMD_CHEX,
    GEX__CMD_EXPOSURE,
    GEX__CMD_LEVELS,
    GEX__CMD_SUMMARY,
    GEX__CMD_PROFILE,
    GEX__CMD_SCREEN,
    GEX__CMD_VALIDATE,
    GEX__CMD_SERVE,
    GEX__CMD_PLOT,
} gex__command;

typedef enum gex__out_format { GEX__OUT_TABLE = 0, GEX__OUT_CSV, GEX__OUT_JSON } gex__out_format;

/* The maximum number of --expiration, --vendor and --settle options. */
#define GEX__MAX_REPEAT 64

/* The most threads --jobs starts: far above the cores of any machine gex runs on, low enough
 * that a typing slip cannot exhaust the process's threads. */
#define GEX__MAX_JOBS 1024

typedef struct gex__options {
    gex__command command;
    const char *command_name;
    gex__out_format format;
    const char *output; /* -o FILE, NULL: stdout */
    /* reading */
    gex_read_options read;
    gex_settle_override settle[GEX__MAX_REPEAT];
    char settle_root[GEX__MAX_REPEAT][16];
    /* preparing */
    gex_prepare_options prepare;
    /* the analysis: unit, contract filters, flip method */
    gex_analysis_options analysis;
    int32_t expirations[GEX__MAX_REPEAT];
    /* validate */
    const char *vendor[GEX__MAX_REPEAT];
    size_t n_vendor;
    double tol;
    /* screen */
    const char *sort; /* column name, NULL: input order */
    int sort_descending;
    int jobs; /* threads (--jobs), default the online cores */
    /* profile */
    double range_pct; /* grid from S (1 - range/100) to S (1 + range/100) */
    int points;
    /* plot */
    gex_plot_kind plot_kind;
    double plot_range_pct; /* --range for plot; 0: automatic (gex_plot_window) */
    /* positional */
    char **files;
    size_t n_files;
} gex__options;

/* Parses argv into *opts. Returns -1 when the program should go on, or an exit status (after
 * printing help, the version, or a usage message). */
int gex__options_parse(int argc, char **argv, gex__options *opts);

/* The name of a command ("gex"). */
const char *gex__command_name(gex__command command);

/* --- messages --- */

/* "gex: FILE:LINE: text" (FILE and LINE left out when absent). A message is written whole under
 * stderr's lock (flockfile): messages from the threads of screen never interleave mid-line. */
void gex__error(const char *file, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Messages kept instead of printed, to be printed later in a fixed order (gex screen's threads
 * print the messages of files and underlyings in input order, whatever thread computed them). */
typedef struct gex__messages {
    char *text; /* len bytes and a NUL; NULL when empty */
    size_t len, cap;
} gex__messages;
/* When not NULL, gex__error appends the calling thread's messages here (each thread its own);
 * a message that does not fit in memory is printed at once instead. */
extern _Thread_local gex__messages *gex__capture;
/* Prints captured text on stderr, clearing the progress bar first. */
void gex__messages_print(const char *text);
/* Non-zero while a progress bar is on stderr's last line; gex__error clears it first. Read and
 * written while holding stderr's lock (flockfile); atomic as well, since ThreadSanitizer does
 * not see that lock and reported the accesses as a race. */
extern atomic_int gex__progress_shown;
/* Prints a gex_error from the library and returns the exit status for a status code. */
int gex__report(int status, const gex_error *err, const char *file);
/* The exit status of a library status code. */
int gex__exit_status(int status);

/* --- the chain pipeline --- */

/* One underlying, computed. */
typedef struct gex__analysis {
    const char *path;
    const char *symbol; /* owned by chain */
    gex_chain *chain;   /* one underlying, prepared */
    int owns_chain;     /* gex__analysis_free frees chain */
    gex_read_report read;
    gex_prepare_report prepare;
    gex_analysis *an;             /* the library's analysis of chain */
    const gex_exposure *exposure; /* an's */
    gex_exposure_totals totals;
    gex_levels levels;
    int has_levels;
    double spot;
    int64_t as_of;
} gex__analysis;

/* Reads path (reader warnings and the skipped-rows summary to stderr), then prepares a chain
 * (T, IV, statuses). Each prints what went wrong and returns an exit status. */
int gex__read(const gex__options *opts, const char *path, gex_chain **chain, gex_read_report *read);
/* The same from an open stream (read to its end, not closed); path names it in messages. */
int gex__read_stream(const gex__options *opts, const char *path, FILE *fp, gex_chain **chain,
                     gex_read_report *read);
int gex__prepare(const gex__options *opts, const char *path, gex_chain *chain,
                 gex_prepare_report *prepare);

/* Reads path and prepares it (T, IV, statuses). Prints what went wrong and returns an exit
 * status; on success *chain owns the result and *read holds the reader's report. Reader warnings
 * and the skipped-rows summary go to stderr. */
int gex__load(const gex__options *opts, const char *path, gex_chain **chain, gex_read_report *read,
              gex_prepare_report *prepare);

/* Computes exposures and levels of a prepared single-underlying chain; takes ownership of
 * chain (freed by gex__analysis_free, also on failure). need_used: fail when no contract is
 * left (the message says why). Returns an exit status. */
int gex__analyze(const gex__options *opts, const char *path, gex_chain *chain,
                 const gex_read_report *read, const gex_prepare_report *prepare, int need_used,
                 gex__analysis *out);

/* The same without taking the chain: the analysis borrows it (gex serve's cached chains), and
 * gex__analysis_free leaves it alone. */
int gex__analyze_shared(const gex__options *opts, const char *path, const gex_chain *chain,
                        const gex_read_report *read, const gex_prepare_report *prepare,
                        int need_used, gex__analysis *out);

/* load + the single-underlying check (--symbol) + analyze; on failure *out holds nothing. */
int gex__analyze_file(const gex__options *opts, const char *path, int need_used,
                      gex__analysis *out);

void gex__analysis_free(gex__analysis *a);

/* "expired 3, no_iv 5" of the excluded counts; "none" when nothing was excluded. */
void gex__excluded_text(const gex_exposure_totals *t, char *buf, size_t size);

/* --- tables (table and csv) --- */

typedef enum gex__style {
    GEX__STYLE_TEXT = 0,
    GEX__STYLE_STRIKE, /* up to 3 decimals, trailing zeros dropped */
    GEX__STYLE_MONEY,  /* whole units with thousands separators */
    GEX__STYLE_PRICE,  /* 2 decimals with thousands separators */
    GEX__STYLE_SIG,    /* 6 significant digits */
    GEX__STYLE_PCT,    /* 2 decimals */
    GEX__STYLE_COUNT,  /* whole number with thousands separators */
} gex__style;

typedef struct gex__column {
    const char *name;
    const char *unit; /* NULL: none */
    gex__style style;
} gex__column;

typedef struct gex__table gex__table;

gex__table *gex__table_new(const gex__column *columns, size_t n_columns);
void gex__table_free(gex__table *t);
/* Appends the next cell, row by row. A non-finite number becomes an empty cell and is counted
 * (gex__table_nonfinite; gex__table_write then returns GEX_ERANGE). Each returns GEX_OK or
 * GEX_ENOMEM. */
int gex__table_num(gex__table *t, double v);
int gex__table_level(gex__table *t, const gex_level *level);
int gex__table_null(gex__table *t);
int gex__table_text(gex__table *t, const char *s);
/* For CSV: writes the header row to out now and every record as its last cell is appended,
 * so that a table of millions of rows needs no memory; gex__table_write then adds nothing. */
void gex__table_stream(gex__table *t, FILE *out);
/* Writes the table: for GEX__OUT_TABLE the title line (if not NULL), the column names, the
 * units and aligned rows; for GEX__OUT_CSV one header row of names and RFC 4180 records. */
int gex__table_write(const gex__table *t, gex__out_format format, const char *title, FILE *out);
/* gex__table_write, and the exit status of it: a non-finite cell is reported as an internal
 * error (gex__nonfinite_error), memory running out too. */
int gex__table_emit(const gex__table *t, gex__out_format format, const char *title, FILE *out);
/* The non-finite numbers appended (written as empty cells). */
size_t gex__table_nonfinite(const gex__table *t);

/* Number formatting. */
void gex__fmt_roundtrip(double v, char *buf, size_t size); /* shortest text that reads back */
void gex__fmt_grouped(double v, int decimals, char *buf, size_t size); /* 1,234,567.89 */

/* --- JSON --- */

/* A JSON number, or, when v is not finite, a mark that the writers print as null and count:
 * the library never returns a non-finite value, so a document that holds one is reported as an
 * internal error (exit status 4) rather than printed with nan or inf. */
json_t *gex__jnum(double v);
json_t *gex__jlevel(const gex_level *level);
/* A JSON string; bytes of s that are not valid UTF-8 text become '?'; NULL s gives null. */
json_t *gex__jstr(const char *s);

/* Writes JSON compactly with shortest round-trip numbers, to a stream (fp set) or to memory (fp
 * NULL: data, len; free data after). Zero-initialise it, then set fp or not. */
typedef struct gex__jwriter {
    FILE *fp;
    char *data; /* memory: len bytes and a NUL, malloc'ed */
    size_t len, cap;
    int failed;       /* memory ran out (memory), or a write failed (stream) */
    size_t nonfinite; /* non-finite numbers written as null */
} gex__jwriter;
/* A whole document and a final newline. */
void gex__json_write(gex__jwriter *w, const json_t *doc);
/* The same pieces for documents written as they are computed: a value without the final
 * newline, the members of an object without its braces ("a":1,"b":2), and literal text. */
void gex__json_write_value(gex__jwriter *w, const json_t *value);
void gex__json_write_members(gex__jwriter *w, const json_t *obj);
void gex__jwriter_raw(gex__jwriter *w, const char *text);
/* The exit status of what was written: a non-finite value or a memory writer out of memory is
 * reported (messages name file, which may be NULL) as an internal error. */
int gex__jwriter_finish(gex__jwriter *w, const char *file);
/* Writes a whole document to a stream; returns the exit status (gex__jwriter_finish). */
int gex__json_emit(const json_t *doc, FILE *out);
/* Reports n non-finite values left out of an output; returns GEX__EXIT_INTERNAL. */
int gex__nonfinite_error(const char *file, size_t n);
/* Sets key to value in obj, taking the reference; returns GEX_ENOMEM when value is NULL. */
int gex__jset(json_t *obj, const char *key, json_t *value);
/* The meta object common to every document of an analysis. */
json_t *gex__json_meta(const gex__options *opts, const gex__analysis *a);
/* "positive", "negative", "neutral" (SPEC 1.5). */
const char *gex__label(double net_gex);

/* The title line of a table: symbol, spot, quote instant, unit, used and excluded counts. */
void gex__title(const gex__options *opts, const gex__analysis *a, char *buf, size_t size);

/* What summary and screen show beside the levels (SPEC 1.7). */
typedef struct gex__summary {
    gex_regime regime;
    gex_hedge down, up;
    gex_zero_dte zero_dte;
} gex__summary;

/* The analysis's classifier and 0DTE block, and its hedging estimate computed now. Returns a
 * status. */
int gex__summary_compute(const gex__analysis *a, gex__summary *s);

/* --- output --- */

/* Where the output goes: stdout, or a temporary file renamed over -o FILE on success. */
typedef struct gex__sink {
    FILE *fp;
    char *tmp_path; /* NULL for stdout */
    const char *final_path;
} gex__sink;

int gex__sink_open(gex__sink *sink, const char *path);
/* Flushes and renames (ok != 0) or removes (ok == 0) the temporary file; returns an exit
 * status (GEX__EXIT_INTERNAL when writing failed). */
int gex__sink_close(gex__sink *sink, int ok);

/* --- the vendor-shaped JSON documents, for the commands and for gex serve --- */

/* The document of opts->command (gex, dex, vex, chex, exposure, levels or summary) for an
 * analysis with levels, meta included, exactly as the command prints it; NULL when memory ran
 * out (or, for summary, the classifier, hedging or 0DTE block failed). The caller owns it. */
json_t *gex__document(const gex__options *opts, const gex__analysis *a);
/* The same for every command but summary. Write either with gex__json_write (to a memory
 * stream from open_memstream for an HTTP body). */
json_t *gex__exposure_document(const gex__options *opts, const gex__analysis *a);

/* --- commands: each returns an exit status --- */

int gex__cmd_exposure(const gex__options *opts, FILE *out); /* gex dex vex chex exposure */
int gex__cmd_levels(const gex__options *opts, FILE *out);
int gex__cmd_greeks(const gex__options *opts, FILE *out);
int gex__cmd_profile(const gex__options *opts, FILE *out);
int gex__cmd_summary(const gex__options *opts, FILE *out);
int gex__cmd_screen(const gex__options *opts, FILE *out);
int gex__cmd_validate(const gex__options *opts, FILE *out);
int gex__cmd_plot(const gex__options *opts, FILE *out); /* cmd-plot.c */
/* The strike bars of the gex table and summary, drawn only when out is a terminal. */
int gex__plot_terminal(const gex__options *opts, const gex__analysis *a, gex_plot_kind kind,
                       FILE *out);

#endif /* GEX_CLI_H */
