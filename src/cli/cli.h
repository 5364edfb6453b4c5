/*
 * cli.h: what the files of the gex program share: the parsed options, the exit statuses of
 * SPEC 3, the messages, the chain pipeline (read, prepare, analyse), the output sink and the
 * modules. Private to src/cli/; the program uses the public API of libgex and the rendering
 * layer (src/render/render.h), and loads the charts and the server as modules.
 */
#ifndef GEX_CLI_H
#define GEX_CLI_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "gex/gex.h"
#include "render-history.h"
#include "render.h"

/* Exit statuses (SPEC 3). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_DIFF = 1,     /* validate: differences beyond the tolerance */
    CLI_EXIT_USAGE = 2,    /* bad command line */
    CLI_EXIT_INPUT = 3,    /* unreadable input, unknown format, nothing usable */
    CLI_EXIT_INTERNAL = 4, /* internal or resource error */
    /* Not an exit status: CLI_EXIT_INPUT from a command whose document is complete although
     * some of its inputs could not be read (plot --kind history over a folder), so that the
     * output file is kept; main() exits CLI_EXIT_INPUT. */
    CLI_EXIT_INPUT_KEPT = 103,
};

typedef enum cli_command {
    CLI_CMD_NONE = 0,
    CLI_CMD_GREEKS,
    CLI_CMD_GEX,
    CLI_CMD_DEX,
    CLI_CMD_VEX,
    CLI_CMD_CHEX,
    CLI_CMD_EXPOSURE,
    CLI_CMD_LEVELS,
    CLI_CMD_SUMMARY,
    CLI_CMD_PROFILE,
    CLI_CMD_SCREEN,
    CLI_CMD_VALIDATE,
    CLI_CMD_SERVE,
    CLI_CMD_API,
    CLI_CMD_PLOT,
    CLI_CMD_EXPIRATIONS,
    CLI_CMD_CARRY,
    CLI_CMD_VIX,
    CLI_CMD_HISTORY,
} cli_command;

/* The maximum number of --expiration, --vendor and --settle options. */
#define CLI_MAX_REPEAT 64

/* The most threads --jobs starts: far above the cores of any machine gex runs on, low enough
 * that a typing slip cannot exhaust the process's threads. */
#define CLI_MAX_JOBS 1024

typedef struct cli_options {
    cli_command command;
    const char *command_name;
    gex__out_format format;
    const char *output; /* -o FILE, NULL: stdout */
    int quiet;          /* --quiet: no warnings */
    /* reading */
    gex_read_options read;
    gex_settle_override settle[CLI_MAX_REPEAT];
    char settle_root[CLI_MAX_REPEAT][16];
    /* preparing */
    gex_prepare_options prepare;
    /* the analysis: unit, contract filters, flip method */
    gex_analysis_options analysis;
    int32_t expirations[CLI_MAX_REPEAT];
    int32_t exclude_expirations[CLI_MAX_REPEAT];
    /* validate */
    const char *vendor[CLI_MAX_REPEAT];
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
    int plot_history;      /* --kind history: a series of files, drawn by gex_plot_history_write */
    double plot_range_pct; /* --range for plot; 0: automatic (gex_plot_window) */
    /* history */
    const char *db;     /* --db PATH; NULL: the default beside the data */
    int no_db;          /* --no-db */
    int now_from_mtime; /* --now-from-mtime: a file without a quote instant takes its mtime */
    int has_from, has_to;
    int64_t from, to; /* --from, --to: UTC seconds, inclusive */
    /* positional */
    char **files;
    size_t n_files;
} cli_options;

/* Parses argv into *opts. Returns -1 when the program should go on, or an exit status (after
 * printing help, the version, or a usage message). */
int cli_options_parse(int argc, char **argv, cli_options *opts);

/* The name of a command ("gex"). */
const char *cli_command_name(cli_command command);

/* The known name nearest to typed, when it is near enough to be a slip (at most 2 edits, and
 * fewer than half the name's letters), else NULL: the "did you mean" of a mistyped command or
 * option. names is strided: the name at names + i * stride (NULL: skipped), n of them. */
const char *cli_nearest_name(const char *typed, const void *names, size_t stride, size_t n);

/* --- messages --- */

/* "gex: FILE:LINE: text" (FILE and LINE left out when absent) on stderr, written whole under
 * stderr's lock (flockfile): messages from several threads never interleave mid-line. */
void cli_error(const char *file, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Messages kept instead of printed, to be printed later in a fixed order (gex screen's threads
 * print the messages of files and underlyings in input order, whatever thread computed them). */
typedef struct cli_messages {
    char *text; /* len bytes and a NUL; NULL when empty */
    size_t len, cap;
} cli_messages;
/* The same message kept in *to when to is not NULL (a message that does not fit in memory is
 * printed at once instead), else printed as cli_error does. The pipeline's functions take the
 * destination of their messages as their first argument. */
void cli_say(cli_messages *to, const char *file, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Adds the messages kept in from to to (printed when to is NULL or full). */
void cli_messages_append(cli_messages *to, const cli_messages *from);
/* Prints kept text on stderr; when *bar_shown (may be NULL) says a progress bar is on stderr's
 * last line, clears that line first and says so. */
void cli_messages_print(const char *text, atomic_int *bar_shown);
/* A progress line on stderr for work that takes a while: drawn only when stderr is a terminal,
 * from after_ms after the start (the environment variable GEX_PROGRESS_AFTER_MS sets another
 * delay, for tests), as "gex: history [====  ] 120/2500 files". Owned by the caller; drawing
 * may be called from any thread. shown is read and written under stderr's lock (flockfile);
 * atomic as well, since ThreadSanitizer does not see that lock. */
#define CLI_PROGRESS_AFTER_MS 1000
typedef struct cli_progress {
    const char *what, *unit;
    int tty;
    long after_ms;
    struct timespec start;
    atomic_int shown; /* the line is on stderr now (cli_messages_print clears it) */
} cli_progress;
void cli_progress_start(cli_progress *p, const char *what, const char *unit, long after_ms);
/* The bar filled to share (0 to 1), then counts ("file 3/8, underlying 40/120"). */
void cli_progress_draw(cli_progress *p, double share, const char *counts);
/* The bar of done out of total, "done/total UNIT". */
void cli_progress_show(cli_progress *p, size_t done, size_t total);
/* Clears the line if it is shown. */
void cli_progress_end(cli_progress *p);
/* Prints a gex_error from the library and returns the exit status for a status code; the
 * second keeps it in to (cli_say). */
int cli_report(int status, const gex_error *err, const char *file);
int cli_report_to(cli_messages *to, int status, const gex_error *err, const char *file);
/* The exit status of a rendering layer's status, after printing err: CLI_EXIT_OK for GEX_OK;
 * CLI_EXIT_INTERNAL for GEX_EIO, a write to the output that failed, named output (-o FILE; NULL
 * or "-" for standard output); else cli_report's. cli_written is cli_written_to without a name. */
int cli_written_to(int status, const gex_error *err, const char *output);
int cli_written(int status, const gex_error *err);
/* The exit status of a library status code. */
int cli_exit_status(int status);

/* --- the chain pipeline --- */

/* What a file of many lacks that screen and history take as no error (cli_read's lacks). */
enum {
    CLI_LACKS_SYMBOL = 1, /* only other underlyings than --symbol's, and no bad row */
    CLI_LACKS_AT = 2      /* no snapshot at --at */
};

/* Says that --now dates every snapshot of what (an underlying, a file; path may be NULL) at
 * one instant, so that its snapshots (SPEC 2.9) read would be one: a usage error of gex history
 * and gex screen, whose rows would not tell the snapshots apart. */
void cli_say_now_merges(cli_messages *to, const char *path, int64_t now, size_t snapshots,
                        const char *what);

/* Says that no file read holds what --symbol or --at asks (lacks: CLI_LACKS_SYMBOL,
 * CLI_LACKS_AT or both, what the files lacked): most likely a misspelt symbol or instant. */
void cli_say_none_holds(const cli_options *opts, int lacks);

/* Reads path (reader warnings and the skipped-rows summary to stderr), then prepares a chain
 * (T, IV, statuses). Each prints what went wrong and returns an exit status. With lacks not
 * NULL, a file that lacks what was asked in one of the ways *lacks names on entry
 * (CLI_LACKS_SYMBOL, CLI_LACKS_AT) is no error: *lacks says which, the status is CLI_EXIT_OK,
 * nothing is said and no chain is made (*lacks is 0 otherwise). */
int cli_read(cli_messages *to, const cli_options *opts, const char *path, gex_chain **chain,
             gex_read_report *read, int *lacks);
/* Every snapshot of path (SPEC 2.9), as gex_chain_read_snapshots reads them, with cli_read's
 * messages: *chains (n of them; free each, then the array) and an exit status; lacks as
 * cli_read's. A snapshot refused while others are made (its rows give no spot, no open
 * interest) is said and counted in *refused; the status is CLI_EXIT_OK for the others. */
int cli_read_snapshots(cli_messages *to, const cli_options *opts, const char *path,
                       gex_chain ***chains, size_t *n, gex_read_report *read, int *lacks,
                       size_t *refused);
/* The same from an open stream (read to its end, not closed); path names it in messages. */
int cli_read_stream(cli_messages *to, const cli_options *opts, const char *path, FILE *fp,
                    gex_chain **chain, gex_read_report *read);
int cli_prepare(cli_messages *to, const cli_options *opts, const char *path, gex_chain *chain,
                gex_prepare_report *prepare);
/* Whether the chain's quote time cells could not be read (none was) and no --now dates it:
 * then nothing may date it, the file's modification time included. With say, the reader's
 * note goes to to (NULL: standard error) at its line. */
int cli_quote_time_unreadable(cli_messages *to, const cli_options *opts, const char *path,
                              const gex_chain *chain, const gex_read_report *read, int say);
/* cli_prepare for the chain of one underlying of a file of several (gex screen, gex history):
 * its warning and its error begin "UNDERLYING: ", so that the lines of 4,000 underlyings say
 * whose each is; an underlying whose rows give no spot (gex_chain_check_spot), or whose every
 * contract has zero open interest (gex_chain_check_open_interest), is refused as the read
 * refuses a file of one. */
int cli_prepare_underlying(cli_messages *to, const cli_options *opts, const char *path,
                           const char *underlying, gex_chain *chain, gex_prepare_report *prepare);

/* Computes exposures and levels of a prepared single-underlying chain; takes ownership of
 * chain (freed by cli_analysis_free, also on failure). need_used: fail when no contract is
 * left (the message says why). Returns an exit status. */
int cli_analyze(cli_messages *to, const cli_options *opts, const char *path, gex_chain *chain,
                const gex_read_report *read, const gex_prepare_report *prepare, int need_used,
                gex__analysis *out);

/* The same without taking the chain: the analysis borrows it (gex serve's cached chains), and
 * cli_analysis_free leaves it alone. */
int cli_analyze_shared(cli_messages *to, const cli_options *opts, const char *path,
                       const gex_chain *chain, const gex_read_report *read,
                       const gex_prepare_report *prepare, int need_used, gex__analysis *out);

/* Read, the single-underlying check (--symbol, before any underlying is prepared), prepare and
 * analyze; on failure *out holds nothing. */
int cli_analyze_file(const cli_options *opts, const char *path, int need_used, gex__analysis *out);

void cli_analysis_free(gex__analysis *a);

/* --- output --- */

/* Where the output goes: stdout; a character device or FIFO written directly; or an unnamed
 * temporary file (a named one where the file system has no O_TMPFILE) beside -o FILE, or beside
 * the final target of a link, given that name on success. */
typedef struct cli_sink {
    FILE *fp;
    const char *final_path; /* -o FILE as given (for messages); NULL for stdout */
    int how;                /* sink.c's SINK_* */
    int dir_fd;             /* the target's directory, or -1 */
    char *name;             /* the target's name in dir_fd, or NULL */
    char *tmp_name;         /* a temporary name in dir_fd, or NULL */
    int replace;            /* the target existed when the sink was opened */
} cli_sink;

int cli_sink_open(cli_sink *sink, const char *path);
/* Flushes and renames (ok != 0) or removes (ok == 0) the temporary file; returns an exit
 * status (CLI_EXIT_INTERNAL when writing failed, said only when ok: a failed command has given
 * its reason). */
int cli_sink_close(cli_sink *sink, int ok);
/* The exit status of text printed on standard output without a sink (--help, --version, api's
 * --list): CLI_EXIT_OK once it is flushed, else CLI_EXIT_INTERNAL after "writing the output
 * failed" and why (gex --help > /dev/full fails as a command's output does). */
int cli_stdout_done(void);

/* --- commands: each returns an exit status --- */

/* greeks, gex, dex, vex, chex, exposure, levels, summary, profile: one underlying's document. */
int cli_cmd_show(const cli_options *opts, FILE *out);
/* The render options of a command's options. Returns 0. */
int cli_render_options_of(const cli_options *opts, gex__render_options *ro);
int cli_cmd_screen(const cli_options *opts, FILE *out);
int cli_cmd_validate(const cli_options *opts, FILE *out);

/* The inputs of screen and history: each argument that is a folder stands for its chain files
 * (the regular files directly in it whose names end in .csv, .json or .dat, any case, and do not
 * start with '.'), in name order; any other argument is kept as given. paths[i] are malloc'ed;
 * dir_of[i] is the folder argument a path came from (NULL for an argument given as a file). */
typedef struct cli_inputs {
    char **paths;
    const char **dir_of;
    size_t n;
    size_t failed; /* folders that could not be listed or hold no chain file (said to stderr) */
} cli_inputs;
/* Returns CLI_EXIT_OK, or CLI_EXIT_INTERNAL when memory ran out (after a message). */
int cli_inputs_expand(char *const *args, size_t n, cli_inputs *out);
/* Whether a folder's entry named name is one of its chain files (as cli_inputs_expand lists). */
int cli_is_chain_name(const char *name);
void cli_inputs_free(cli_inputs *in);

/* --- the modules (modules.c): loaded by the commands that use them --- */

/* A module of the program ("gex-plot", "gex-serve") by dlopen, or NULL after a message. */
void *cli_module_open(const char *name);
void cli_module_close(void *handle); /* accepts NULL */
/* gex plot and gex serve, from their modules. */
int cli_run_plot(const cli_options *opts, FILE *out);
int cli_run_serve(int argc, char **argv);
/* gex api (the server's answer to one request, printed), from the gex-serve module. */
int cli_run_api(int argc, char **argv);
/* gex history, from the module gex-history (the store's SQLite is loaded with it). */
int cli_run_history(const cli_options *opts, FILE *out);
/* What gex history computes, before it is written: the rows (time order), the run's figures,
 * the exit status of the files (0; 3 when one could not be read; 4), and what the rows'
 * file names point into. */
typedef struct cli_history {
    gex__history_row *rows;
    size_t n;
    gex__history_meta meta;
    size_t matched; /* snapshots of --symbol (every snapshot without it), before --from, --to */
    int status;
    cli_inputs inputs;
    char *store_path;
} cli_history;
/* gex history's rows for opts (gex plot --kind history), from the module gex-history: an exit
 * status (of the files: 3 when one could not be read); out->rows is NULL when there is nothing
 * to show (the reason said), else *out holds the rows: release it. */
int cli_history_rows(const cli_options *opts, cli_history *out);
void cli_history_release(cli_history *h);
/* The strike bars of the gex table and summary, drawn only when out is a terminal (then the
 * module gex-plot is loaded). */
int cli_plot_terminal(const cli_options *opts, const gex__analysis *a, gex_plot_kind kind,
                      FILE *out);
/* --kind and -o FILE of gex plot, checked by the module: 0 when both (those not NULL) are
 * valid, 1 when one is not, -1 when the module cannot be loaded (after a message). */
int cli_plot_parse(const char *kind_name, gex_plot_kind *kind, const char *path,
                   gex_plot_format *format);

#endif /* GEX_CLI_H */
