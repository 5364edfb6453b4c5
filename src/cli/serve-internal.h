/*
 * gex serve: the vendor's exposure endpoints served from a folder of chain files (SPEC 5).
 *
 * Shared between the files of the server (src/cli/serve-*.c) and its tests; not part of the
 * public API. The server is split so that each part can be tested alone:
 *   serve-route.c  paths, query parameters, API key, the vendor's error bodies and what the
 *                  access log shows of a target (pure)
 *   serve-cache.c  the (file identity, options) -> response cache, bounded, LRU
 *   serve-index.c  the folder: symbol -> newest chain file, an immutable snapshot rebuilt by a
 *                  scanner thread when anything changes
 *   serve-http.c   the HTTP daemon (GNU libmicrohttpd): polling threads, the render pool for
 *                  cache misses, limits, access log
 *   serve-render.c the engine: prepared chains cached per file version, an analysis and a
 *                  document per request (the rendering layer)
 * They and cmd-serve.c form the module gex-serve, which the program loads for gex serve.
 * What the server knows about chains comes through one cli_serve_backend: how to list the
 * underlyings of a file, and how to render the JSON the command line prints for it.
 */
#ifndef GEX_SERVE_INTERNAL_H
#define GEX_SERVE_INTERNAL_H

#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "api.h"

/* ---- requests (serve-route.c) ---- */

/* Longest symbol accepted in a path: OCC roots are at most 6 characters, tickers with a class
 * suffix ("BRK.B") or an index caret ("^SPX") stay well under this. */
#define CLI_SERVE_SYMBOL_MAX 15
/* Longest request target (path and query) answered; longer ones get 414. Real requests are
 * under 100 bytes; the bound keeps the access log and the cache keys small. */
#define CLI_SERVE_URL_MAX 1024
/* The largest POST body answered (gex serve and gex api alike); larger ones get 413. The
 * vendor's structure requests are well under 4 KiB. */
#define CLI_SERVE_BODY_MAX 65536

/* The parameters of a query other than expiration and min_oi: at most this many, their values
 * at most CLI_SERVE_PARAMS_BYTES in all. */
#define CLI_SERVE_PARAMS_MAX   12
#define CLI_SERVE_PARAMS_BYTES 2048

/* A request's target after validation. Strings are NUL-terminated. */
typedef struct cli_serve_query {
    const gex__api_endpoint *endpoint;     /* the row of the table (src/render/api.h) */
    char symbol[CLI_SERVE_SYMBOL_MAX + 1]; /* as in the path; "" when the path has none */
    char expiration[16];                   /* "" (all), "0dte", or "YYYY-MM-DD" */
    char min_oi[32];                       /* "" (none) or the canonical decimal value */
    /* The endpoint's other declared parameters given in the request, in declared order: name
     * and value, NUL-terminated, at offsets name_at[i] and value_at[i] of values (offsets, so
     * that a copy of the query stands alone). */
    size_t n_params;
    size_t name_at[CLI_SERVE_PARAMS_MAX];
    size_t value_at[CLI_SERVE_PARAMS_MAX];
    char values[CLI_SERVE_PARAMS_BYTES];
    const char *body; /* POST: the request's body, owned by the request (not cached) */
    size_t body_len;
    int64_t asked_at; /* the request's instant, UTC seconds; 0: the clock when it is answered */
    /* NEED_ANALYSIS and NEED_SERIES (SPEC 5.5): the files of the symbol up to the one answering,
     * ascending, the last being it (cli_serve_index_attach; owned by the caller; NULL: only the
     * file itself), and a hash of their identities for the cache key (0: none). */
    const struct cli_serve_file *series;
    size_t n_series;
    uint64_t series_hash;
    /* The first file of series being written (cli_serve_index_series' _CHANGING: the endpoints
     * of a series answer 503 file_changing naming it), or NULL; in series. */
    const struct cli_serve_file *series_changing;
    /* Endpoints with GEX__API_CONTEXT_VIX (SPEC 1.9): the folder's SPX file of the New York day of
     * the file answering (the latest at or before it), and SPX's last file of an earlier day; set
     * by cli_serve_index_attach with the series (their identities are in series_hash). */
    int has_vix_file, has_vix_prev;
    struct cli_serve_file *vix_file, *vix_prev; /* in *owned of the attach (freed with it) */
    /* 0, or why the SPX file that would give the VIX (of the day, of an earlier day) cannot be
     * read now: the index's _FILE_UNREADABLE (it held SPX when last read and cannot be opened),
     * _CHANGING or _STALE; vix_file (vix_prev) then names it, has_vix_file (_prev) 0. */
    int vix_trouble, vix_prev_trouble;
    /* Endpoints with GEX__API_CONTEXT_MACRO (SPEC 5.5): the newest FRED download in the folder
     * holding each series of gex__api_macro (NULL: none) and the series id it holds; and 0, or
     * why that download cannot be read now (_FILE_UNREADABLE, _CHANGING, _STALE, as above). */
    struct cli_serve_file *macro_file[GEX__API_MACRO_COUNT];
    const char *macro_id[GEX__API_MACRO_COUNT];
    int macro_trouble[GEX__API_MACRO_COUNT];
} cli_serve_query;

/* Outcome of routing: 0 when the path is an endpoint, else the HTTP status to answer with. */
enum {
    CLI_SERVE_ROUTE_OK = 0,
    CLI_SERVE_ROUTE_NOT_FOUND = 404,
    CLI_SERVE_ROUTE_METHOD = 405,
};

/* Parses a path as the request target gives it (percent-encoded: gex__api_route splits it at
 * its literal '/' and decodes each segment) for method ("GET", "HEAD", "POST"). Returns
 * CLI_SERVE_ROUTE_OK and fills endpoint and symbol; CLI_SERVE_ROUTE_METHOD when the path is an
 * endpoint of another method (endpoint set to it); or CLI_SERVE_ROUTE_NOT_FOUND. symbol_ok is
 * set to 0 when the path has the endpoint's shape but the symbol cannot be one (then the answer
 * is symbol_not_found). */
int cli_serve_route(const char *method, const char *path, cli_serve_query *q, int *symbol_ok);

/* Reads the parameters q->endpoint declares through get (a request's query lookup: the value of
 * name's first occurrence, or NULL, with *times set to how many times the query names it, 0 when
 * absent) and validates expiration and min_oi. A parameter named more than once is refused: no
 * endpoint takes a list that way, and taking one of the values would be a guess. Returns 0, or
 * the HTTP status of the error with code and message set (400 invalid_expiry, 400
 * invalid_parameter). */
typedef const char *(*cli_serve_param_get)(void *ctx, const char *name, size_t *times);
unsigned cli_serve_query_params(cli_serve_query *q, cli_serve_param_get get, void *ctx, char *code,
                                size_t code_size, char *message, size_t message_size);

/* The builder's view of q's parameters: expiration, min_oi and the others, pointing into q. */
void cli_serve_query_api_params(const cli_serve_query *q, gex__api_params *out);

/* ---- what the server needs to know about chain files ---- */

/* The underlyings a chain file holds (a whole-market file holds thousands), and its quote
 * instant (ranks the files of a symbol). A file of several snapshots (SPEC 2.9) lists each
 * underlying once per snapshot it is in, with that snapshot's instant in time[]: such a file
 * is read with --at that instant. */
typedef struct cli_serve_file_symbols {
    size_t n;
    char (*symbol)[CLI_SERVE_SYMBOL_MAX + 1]; /* n names, malloc'ed, released with free() */
    int has_quote_time;
    int64_t quote_time; /* UTC seconds (of several snapshots: the latest) */
    int64_t *time;      /* NULL, or n instants (UTC seconds) of a file of several snapshots */
} cli_serve_file_symbols;

/* A rendered answer: an HTTP status and a malloc'ed body the server takes over. */
typedef struct cli_serve_result {
    unsigned status;
    char *body;
    size_t len;
    int no_store;         /* non-zero: a transient failure, not to be cached */
    unsigned retry_after; /* non-zero: seconds for a Retry-After header (with 503) */
    char code[48];        /* an error's code, as in the body ("symbol_not_found"); "" for 2xx */
    int files_cannot;     /* non-zero: a 400 the files cause, not the request (gex api exits 3) */
} cli_serve_result;

struct cli_serve_file; /* a chain file's path and identity (below) */

typedef struct cli_serve_backend {
    /* Lists the underlyings of the chain at path into out (zeroed first; out->symbol then
     * belongs to the caller). Returns 0, or -1 when the file is not a readable chain (then text
     * says why, for the log; the file is left out, and out->symbol is NULL). */
    int (*symbols)(void *ctx, const char *path, cli_serve_file_symbols *out, char *text,
                   size_t text_size);
    /* Renders the JSON the command line prints for file (its path, and its symbol as spelled
     * in it) and query. Returns 0 with out filled (any status, the body in the vendor's shape),
     * or -1 when out of memory. An answer is computed from the version of the file that the
     * index found (its identity in file) and from one complete read of it: a file that is no
     * longer that version, or changed while it was being read, is answered 503 file_changing
     * (no_store, with retry_after). */
    int (*render)(void *ctx, const struct cli_serve_file *file, const cli_serve_query *q,
                  cli_serve_result *out);
    void *ctx;
} cli_serve_backend;

/* The backend of gex serve: the chain reader lists a file's underlyings (serve-backend.c), and
 * an engine (serve-render.c, its ctx) renders the answer from an analysis of the cached chain
 * with the command line's JSON builders. */
int cli_serve_chain_symbols(void *ctx, const char *path, cli_serve_file_symbols *out, char *text,
                            size_t text_size);
int cli_serve_chain_render(void *ctx, const struct cli_serve_file *file, const cli_serve_query *q,
                           cli_serve_result *out);

/* Runs endpoint's builder on in and writes its answer into out: 200 and the document, or the
 * builder's status with the error body. Returns 0, or -1 when out of memory. */
int cli_serve_build(const gex__api_endpoint *endpoint, const gex__api_input *in,
                    cli_serve_result *out);

/* ---- answers without HTTP (serve-answer.c) ---- */

/* Seconds a client is asked to wait before asking again (a file being written, a scan). */
#define CLI_SERVE_RETRY_AFTER 1
/* How long a request waits for the scan that can answer it (a folder of 20,000 files takes
 * well under a second to list; reading a new 200 MB chain about one). */
#define CLI_SERVE_FRESH_WAIT_MS 10000

/* A request's failure before any file is read: the status, the vendor's error code and
 * message, and the Allow header of a 405. */
typedef struct cli_serve_error {
    unsigned status;
    char code[48];
    char message[512];
    const char *allow;    /* 405: "GET, HEAD" or "POST"; else NULL */
    unsigned retry_after; /* 503: seconds */
} cli_serve_error;

/* Routes method and path (as received, percent-encoded) through the table and reads the endpoint's
 * parameters through get. Returns 0 with q filled (its body left empty), or the HTTP status
 * with *e filled: 404 not_found, 405, 404 symbol_not_found, 400 for a bad parameter. */
unsigned cli_serve_prepare(const char *method, const char *path, cli_serve_param_get get, void *ctx,
                           cli_serve_query *q, cli_serve_error *e);

/* The error of an index outcome other than FOUND (symbol_not_found, file_changing, ...). where
 * (may be NULL) is what the lookup filled: the file or folder the outcome is about (path "":
 * none) and the errno that explains it; the message names them, as the log shows a name. */
void cli_serve_index_error(int found, const char *symbol, const struct cli_serve_file *where,
                           cli_serve_error *e);

/* What to do about a file or folder that cannot be opened for errno err, for messages: "fix its
 * permissions", ... */
const char *cli_serve_open_advice(int err);

/* Whether errno err of an open(2) or opendir(3) is a resource running out (the process's or
 * the system's descriptors, the kernel's memory): the server's trouble of the moment, which
 * passes when other requests end, answered 503 server_busy, never the file's 500. */
int cli_serve_lacks_resource(int err);

/* The vendor's error body of *e as a result (never cached). 0, or -1 when out of memory. */
int cli_serve_error_result(const cli_serve_error *e, cli_serve_result *out);

/* What the folder holds (cli_serve_index_folder's contract, why included). */
typedef int (*cli_serve_folder_fn)(void *ctx, gex__api_folder *out, struct cli_serve_file *why);

/* The answer of an endpoint whose need is not ANALYSIS: the parameters alone, the folder (from
 * folder_fn), or 501 for what no chain file can tell. 0 with *out filled, or -1 when out of
 * memory. */
int cli_serve_answer_direct(cli_serve_folder_fn folder_fn, void *folder_ctx,
                            const cli_serve_query *q, cli_serve_result *out);

/* One symbol's /v1/exposure/summary answer to q (a query of that endpoint, its at= and date=
 * those of the basket request), as the server or gex api answers it. 0 with *out filled (any
 * status), or -1 when out of memory. */
typedef int (*cli_serve_summary_fn)(void *ctx, const cli_serve_query *q, cli_serve_result *out);

/* The answer of /v1/exposure/basket (NEED_BASKET, SPEC 5.2): the symbols parameter read, each
 * symbol's summary asked of one, the basket built from them. 0 with *out filled, or -1 when out
 * of memory. */
int cli_serve_answer_basket(cli_serve_summary_fn one, void *ctx, const cli_serve_query *q,
                            cli_serve_result *out);

/* The answer of POST /v1/screener (NEED_SCREENER, SPEC 5.4): the body checked, the folder's
 * symbols listed (folder_fn), each one's /v1/screener/row asked of one, the screener built from
 * them. A folder of more than GEX__API_SCREENER_MAX symbols is refused (422). 0 with *out
 * filled, or -1 when out of memory. */
int cli_serve_answer_screener(cli_serve_summary_fn one, void *ctx, cli_serve_folder_fn folder_fn,
                              void *folder_ctx, const cli_serve_query *q, cli_serve_result *out);

/* Validates the expiration parameter (NULL: absent): a calendar date YYYY-MM-DD or "0dte"
 * (any case). Returns 0 and stores the canonical form, or -1. */
int cli_serve_parse_expiration(const char *value, cli_serve_query *q);

/* Validates min_oi (NULL: absent): a non-negative decimal number of contracts, at most 15
 * significant characters. Returns 0 and stores it, or -1. */
int cli_serve_parse_min_oi(const char *value, cli_serve_query *q);

/* Compares an offered API key with the configured one in time independent of where they
 * differ. Returns 1 when equal. offered may be NULL (then 0). */
int cli_serve_key_equal(const char *offered, const char *expected);

/* The vendor's error body: {"error":"CODE","message":"TEXT"} with TEXT escaped for JSON.
 * Returns a malloc'ed NUL-terminated string (length in *len), or NULL when out of memory. */
char *cli_serve_error_body(const char *code, const char *message, size_t *len);

/* The access log's view of a string: bytes below 0x20, from 0x7f, '"' and '\\' written as \xHH,
 * cut to fit size (then "..." marks the cut); always NUL-terminated. size must be at least 8. */
void cli_serve_log_escape(char *dst, size_t size, const char *src);

/* The request target uri as the access log shows it: escaped as above, and the value of every
 * API key parameter replaced by "REDACTED" (a key must never reach a log file). The query is
 * split as libmicrohttpd splits it: after the first '?', parameters at '&', the name up to the
 * first '=', decoded ('+', %XX) and compared ignoring case, so "APIKEY" and "api%4Bey" are the
 * key too. */
void cli_serve_log_target(char *dst, size_t size, const char *uri);

/* Options of the other commands applied to every answer (--rate 0.05, --strict, ...), in
 * command-line order, as given to gex serve. */
#define CLI_SERVE_EXTRA_MAX 32
typedef struct cli_serve_extra {
    size_t n;
    char *arg[2 * CLI_SERVE_EXTRA_MAX];
} cli_serve_extra;

/* The render backend's ctx: the server's options for every answer (parsed once, at start, by
 * the command line's parser) and the cache of prepared chains. Thread-safe. */
typedef struct cli_serve_engine cli_serve_engine;
struct cli_options;
/* A new engine answering with opts (copied; its filters are the requests'); NULL when out of
 * memory. */
cli_serve_engine *cli_serve_engine_new(const struct cli_options *opts);
void cli_serve_engine_free(cli_serve_engine *engine);

/* The snapshots of series (serve-series.c, SPEC 5.5): each file's snapshot (gex/history.h) of
 * its symbol, computed once per file identity with the server's options and no filters, as gex
 * history computes it. Thread-safe. */
typedef struct cli_serve_series_cache cli_serve_series_cache;
cli_serve_series_cache *cli_serve_series_cache_new(const struct cli_options *opts);
void cli_serve_series_cache_free(cli_serve_series_cache *cache); /* accepts NULL */
/* The snapshots of files[0..n) (each its symbol) into out[0..n); ok[i] is 1 where file i gave
 * one, 0 where it gave none (unreadable, nothing usable: the log says why), -1 where it changed
 * since the index saw it or while it was read (being written), -2 where the server lacked the
 * descriptors or the memory to read it now. Only 1 and 0 are kept: the others may give a
 * snapshot at the next request. Returns 0. */
int cli_serve_series_snapshots(cli_serve_series_cache *cache, const struct cli_serve_file *files,
                               size_t n, gex_snapshot *out, int *ok);

/* The serve command (cmd-serve.c): argv[0] is "serve". Returns the exit status. */
int cli_cmd_serve(int argc, char **argv);
/* The api command (cmd-api.c): argv[0] is "api". */
int cli_cmd_api(int argc, char **argv);

/* Whether name is an option of the other commands that serve and api apply to every answer:
 * 1 when it takes a value, 0 when not, -1 when it is not one (cmd-serve.c). */
int cli_serve_passed_on(const char *name);
/* Takes argv[*i] into extra when it is one of those options, with its value (*i then on the
 * value): 1 when taken, 0 when it is not one, or -1 after the message on standard error (no
 * value, or more than CLI_SERVE_EXTRA_MAX of them); cmd names the command, and answers what the
 * options apply to ("answer" for gex api, "answers" for gex serve). */
int cli_serve_take_passed_on(int argc, char **argv, int *i, cli_serve_extra *extra, const char *cmd,
                             const char *answers);
/* Says that a, an option of neither cmd ("serve", "api") nor the other commands' options it
 * passes on, is unknown, with the nearest of them (own, n_own of cmd's, or passed on) when it
 * looks mistyped. Returns CLI_EXIT_USAGE. */
int cli_serve_unknown_option(const char *cmd, const char *a, const char *const *own, size_t n_own);
/* Parses those options with the command line's own parser into opts. Returns -1 when they are
 * valid, else the exit status (the parser printed why). */
int cli_serve_parse_passed_on(char **extra, size_t n_extra, struct cli_options *opts);

/* ---- the folder (serve-index.c) ---- */

/* A chain file's identity: any write or replacement changes one of these. */
typedef struct cli_serve_file {
    char path[4096];
    char symbol[CLI_SERVE_SYMBOL_MAX + 1]; /* as spelled in the file */
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns;
    int64_t ctime_ns;
    int has_time; /* placed in time: its quote instant, or its mtime with --now-from-mtime */
    int64_t time; /* has_time: UTC seconds */
    int has_at;   /* one snapshot of a file of several: read with --at time (SPEC 2.9) */
    int error;    /* a lookup's outcome other than FOUND: the errno that explains it (0: none) */
} cli_serve_file;

typedef struct cli_serve_index cli_serve_index;

/* A new index of dir (the path is copied); its scanner thread starts listing the folder at once.
 * NULL when out of memory. log receives one line per file left out or settling (may be NULL). */
cli_serve_index *cli_serve_index_new(const char *dir, const cli_serve_backend *backend, FILE *log);
/* The same, where now_from_mtime non-zero places a file without a quote instant of its own at
 * its modification time (gex serve --now-from-mtime); without it such a file is logged once
 * ("cannot place in time") and answers only requests for the newest, when no dated file holds
 * its symbol. */
cli_serve_index *cli_serve_index_new_dated(const char *dir, const cli_serve_backend *backend,
                                           FILE *log, int now_from_mtime);
/* Stops the scanner and frees the index. Accepts NULL. */
void cli_serve_index_free(cli_serve_index *index);

/* What a lookup found. */
enum {
    CLI_SERVE_INDEX_FOUND = 0,       /* *out is the newest file holding the symbol, checked now */
    CLI_SERVE_INDEX_NONE = 1,        /* no file holds it */
    CLI_SERVE_INDEX_UNREADABLE = -1, /* the folder cannot be listed */
    CLI_SERVE_INDEX_STALE = 2,       /* the answer needs a scan: ask cli_serve_index_lookup_fresh */
    CLI_SERVE_INDEX_CHANGING = 3,    /* the file that would answer is being written */
    CLI_SERVE_INDEX_BUSY = 4,        /* lookup_fresh: no scan finished in the time given */
    CLI_SERVE_INDEX_NONE_AT = 5,     /* files hold the symbol, none at the instant asked */
    CLI_SERVE_INDEX_UNREAD = 6,      /* no file read holds it; a new file is being written */
    CLI_SERVE_INDEX_FILE_UNREADABLE = 7, /* a file that held it when last read cannot be opened */
    CLI_SERVE_INDEX_NONE_READABLE = 8,   /* no file read holds it; a file cannot be opened */
};

/* The instant a request asks for (at=, date=; SPEC 5.5). */
typedef struct cli_serve_when {
    int has_until; /* 0: the newest file */
    int64_t until; /* UTC seconds: the latest snapshot at or before it */
    int has_from;  /* date=: the snapshot must also be at or after from (the day's start) */
    int64_t from;
} cli_serve_when;

/* Parses at= (ISO 8601: a UTC instant "2026-05-27T17:58:14Z", with an offset "...-04:00", or a
 * date alone, then the end of that UTC day) and date= (YYYY-MM-DD, a New York trading day: the
 * last snapshot of that day) into *when; both NULL: the newest. Returns 0, or -1 with message
 * saying what is wrong (both given, or a value that is no instant). */
int cli_serve_parse_when(const char *at, const char *date, cli_serve_when *when, char *message,
                         size_t size);

/* The newest chain file holding symbol (compared ignoring case), from the index as the last scan
 * left it: never waits for a scan (it asks for one when the folder changed, or periodically).
 * Newest: the latest quote instant, then the latest modification time, then the greatest name.
 * Returns CLI_SERVE_INDEX_FOUND (the file's identity checked again now), _NONE, _UNREADABLE,
 * _CHANGING (a file written in place faster than it settles), _UNREAD (no file read holds the
 * symbol while a new one settles unread), _FILE_UNREADABLE (a file that held the symbol when
 * last read cannot be opened now: no other file answers in its place), _NONE_READABLE (no file
 * read holds the symbol and a file in the folder cannot be opened: it may), or _STALE: the
 * chosen file changed or went since the last scan, the symbol is unknown while the folder
 * changed, or no scan has ended yet. Outcomes other than FOUND name in out->path the file (the
 * folder for _UNREADABLE) they are about, "" when none, and in out->error the errno that
 * explains them (0: none). Thread-safe; O(1) in the number of files. */
int cli_serve_index_lookup(cli_serve_index *index, const char *symbol, cli_serve_file *out);

/* The same from a scan that starts after this call, waiting for it at most timeout_ms: for a
 * request that cli_serve_index_lookup answered _STALE (on a thread that may block). Never
 * returns _STALE: a file changed again since that scan is _CHANGING; _BUSY on time-out. */
int cli_serve_index_lookup_fresh(cli_serve_index *index, const char *symbol, unsigned timeout_ms,
                                 cli_serve_file *out);

/* The same lookups for the instant when asks (NULL: the newest), also filling *prev (may be
 * NULL) with the previous snapshot of the symbol: the newest file at an earlier instant, or
 * prev->path "" when there is none (the first, or an untimed file). _NONE_AT: files hold the
 * symbol but none is at or before the instant (or on the day) asked. */
int cli_serve_index_lookup_when(cli_serve_index *index, const char *symbol,
                                const cli_serve_when *when, cli_serve_file *out,
                                cli_serve_file *prev);
int cli_serve_index_lookup_fresh_when(cli_serve_index *index, const char *symbol,
                                      const cli_serve_when *when, unsigned timeout_ms,
                                      cli_serve_file *out, cli_serve_file *prev);

/* The series of symbol ending at last (a file a lookup returned): the dated files at earlier
 * instants, one per instant (the newest file of an instant held twice), in ascending time, then
 * last; just last when it is untimed. From the index as the last scan left it; identities are
 * checked when the files are opened. Returns CLI_SERVE_INDEX_FOUND with *files (malloc'ed, n
 * entries, free() it); _CHANGING with the same, when a file of them was rewritten in place and
 * not read again yet (settling: its identity is the previous version's), *changing its index in
 * *files (the first such); _NONE; or -2 when out of memory. */
int cli_serve_index_series(cli_serve_index *index, const char *symbol, const cli_serve_file *last,
                           cli_serve_file **files, size_t *n, size_t *changing);

/* The newest FRED series download in the folder (gex/macro.h) holding the series id (ignoring
 * case): CLI_SERVE_INDEX_FOUND with *out (its path and identity; no symbol, no time), or
 * _NONE. From the index as the last scan left it. As for a symbol, a download that held the
 * series when last read and cannot be opened now gives _FILE_UNREADABLE (out->path and
 * out->error name it and why), one being written _CHANGING, one changed since the last scan
 * _STALE (out->path names each): no other download answers in their place. */
int cli_serve_index_macro(cli_serve_index *index, const char *id, cli_serve_file *out);

/* What the folder holds, for the endpoints that describe it (/v1/symbols): every symbol with
 * the number of files holding it and their first and last quote instants, and the files that
 * cannot be opened, from a scan that ended at most 0.25 s ago or, failing that, one that starts
 * now (waiting at most timeout_ms). Returns CLI_SERVE_INDEX_FOUND with *out filled (free with
 * cli_serve_index_folder_free), or _UNREADABLE (why, when not NULL: the folder's path and the
 * errno), _BUSY; -2 when out of memory. */
int cli_serve_index_folder(cli_serve_index *index, unsigned timeout_ms, gex__api_folder *out,
                           struct cli_serve_file *why);
void cli_serve_index_folder_free(gex__api_folder *folder);
/* The same from the underlyings of files (each file counted once per symbol it holds), with
 * left_out files that could not be read: the index's folder, or gex api's one file. */
int cli_serve_folder_of_files(const cli_serve_file_symbols *const *file, size_t files,
                              size_t left_out, gex__api_folder *out);

/* at= and date= of q (when its endpoint declares them) into *when (cli_serve_parse_when).
 * Returns 0, or -1 with message set (answer 400 invalid_parameter). */
int cli_serve_query_when(const cli_serve_query *q, cli_serve_when *when, char *message,
                         size_t size);

/* The answer for _NONE_AT: 404 no_data naming the symbol and the instant asked. */
void cli_serve_none_at_message(const cli_serve_query *q, char *message, size_t size);

/* Attaches to q the series of q->symbol ending at file (cli_serve_index_series; index NULL:
 * the n_given snapshots given, ascending and the last being file, which gex api reads from
 * one file of several snapshots; none given: file alone) and its identities' hash, for
 * endpoints that need an analysis or a series. *owned receives what the caller frees (free();
 * NULL when nothing was allocated). Returns 0, or -1 when out of memory. */
int cli_serve_index_attach(cli_serve_index *index, const cli_serve_file *file, cli_serve_query *q,
                           const cli_serve_file *given, size_t n_given, cli_serve_file **owned);

/* Fills the identity fields of f from the file system now; 0, or -1 when it is gone. */
int cli_serve_file_restat(cli_serve_file *f);

/* ---- the response cache (serve-cache.c) ---- */

/* An immutable, reference-counted response body. */
typedef struct cli_serve_blob {
    atomic_size_t refs; /* owned by serve-cache.c */
    unsigned status;
    unsigned retry_after; /* 0, or seconds for a Retry-After header; set before it is shared */
    size_t len;
    char data[]; /* len bytes, then a NUL */
} cli_serve_blob;

cli_serve_blob *cli_serve_blob_new(unsigned status, const char *data, size_t len);
void cli_serve_blob_ref(cli_serve_blob *blob);
void cli_serve_blob_unref(cli_serve_blob *blob); /* accepts NULL */

typedef struct cli_serve_cache cli_serve_cache;

/* A cache of at most max_entries bodies totalling at most max_bytes; NULL when out of memory. */
cli_serve_cache *cli_serve_cache_new(size_t max_entries, size_t max_bytes);
void cli_serve_cache_free(cli_serve_cache *cache);

/* The cache key of a query on a file identity (written into key, NUL-terminated). Returns the
 * length, or 0 when it does not fit. */
size_t cli_serve_cache_key(const cli_serve_file *f, const cli_serve_query *q, char *key,
                           size_t size);

/* A new reference to the body cached under key, or NULL. Thread-safe. */
cli_serve_blob *cli_serve_cache_get(cli_serve_cache *cache, const char *key);

/* Stores blob under key (taking a reference), evicting the least recently used entries to
 * stay within the bounds; a blob larger than the byte bound is not stored. Thread-safe. */
void cli_serve_cache_put(cli_serve_cache *cache, const char *key, cli_serve_blob *blob);

/* Counters, for tests and the shutdown line. */
typedef struct cli_serve_cache_stats {
    size_t entries, bytes, hits, misses, evictions;
} cli_serve_cache_stats;
void cli_serve_cache_get_stats(cli_serve_cache *cache, cli_serve_cache_stats *out);

/* ---- the daemon (serve-http.c) ---- */

typedef struct cli_serve_config {
    const char *dir;
    const char *bind;    /* an IPv4 or IPv6 literal; NULL: 127.0.0.1 */
    unsigned port;       /* 0: any free port (see cli_server_port) */
    const char *api_key; /* NULL: no key required */
    unsigned threads;    /* worker threads; 0: one per online CPU */
    unsigned max_connections;
    unsigned max_per_client;  /* connections from one client address; 0: no bound */
    unsigned timeout_seconds; /* idle connections are closed after this, and a request's head
                                 (request line and headers) must arrive within it of the
                                 connection's start or its previous answer */
    size_t cache_entries;
    size_t cache_bytes;
    FILE *access_log;   /* one line per request; NULL: none */
    int now_from_mtime; /* --now-from-mtime: files without a quote instant take their mtime */
    cli_serve_backend backend;
} cli_serve_config;

/* Defaults: loopback, port 8787, one thread per CPU, 1024 connections, 64 per client address,
 * 10 s timeout, 512 cached answers up to 256 MiB, access log on stderr. dir and backend are left
 * empty. */
void cli_serve_config_default(cli_serve_config *cfg);

typedef struct cli_server cli_server;

/* Starts serving. Returns 0 and *out, or -1 with text saying why (address in use, ...). */
int cli_server_start(const cli_serve_config *cfg, cli_server **out, char *text, size_t text_size);

/* The port actually bound. */
unsigned cli_server_port(const cli_server *server);

/* Statistics of the result cache. */
void cli_server_cache_stats(cli_server *server, cli_serve_cache_stats *out);

/* Connections open now, counted by the server's own per-connection records (which hold each
 * request's access-log record): 0 once every client has gone, whatever libmicrohttpd did with
 * their requests. For tests. */
size_t cli_server_open_connections(cli_server *server);

/* Stops accepting, finishes or closes the open connections, frees everything. Accepts NULL. */
void cli_server_stop(cli_server *server);

#endif /* GEX_SERVE_INTERNAL_H */
