/*
 * api.h: the vendor's API as gex answers it (SPEC 5): the table of endpoints, what each needs,
 * and the builders that turn those inputs into the vendor's documents. The same table serves
 * gex serve (over HTTP) and gex api (on the command line), so the two never disagree.
 *
 * A builder is a pure function of its inputs: an analysis of one snapshot, the series of
 * snapshots of one underlying, what the folder holds, or only the request's parameters. It
 * never reads a file, prints, or exits; it returns a document or says why not in a
 * gex__api_answer (an HTTP status and the vendor's error code and message).
 * Part of the rendering layer (render.h): below the program and the server, above libgex.
 */
#ifndef GEX_RENDER_API_H
#define GEX_RENDER_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "gex/history.h"
#include "render.h"

/* The request's query parameters (and, for POST, the form of a JSON body's members as text),
 * percent-decoded, in request order. Names compare exactly (the vendor's are lower case). */
#define GEX__API_PARAM_MAX 32
typedef struct gex__api_params {
    size_t n;
    const char *name[GEX__API_PARAM_MAX];
    const char *value[GEX__API_PARAM_MAX];
} gex__api_params;

/* Whether c may be in a ticker symbol as vendors and OCC spell them: letters, digits, '.', '-',
 * '_' and the index caret. */
int gex__api_symbol_char(unsigned char c);

/* The value of parameter name (the last one given), or NULL when absent. */
const char *gex__api_param(const gex__api_params *p, const char *name);

/* What an endpoint needs before its builder can run. */
typedef enum gex__api_need {
    GEX__API_NEED_PARAMS = 0, /* the parameters (and body) alone: pricing, kelly */
    GEX__API_NEED_FOLDER,     /* what the folder holds: /v1/symbols, /v1/tickers, /health */
    GEX__API_NEED_ANALYSIS,   /* one snapshot of the path's symbol, analysed with the request's
                                 expiration and min_oi filters */
    GEX__API_NEED_SERIES,     /* every snapshot of the symbol up to the instant asked */
    GEX__API_NEED_NO_DATA,    /* nothing a chain file holds answers it: 501 with needs_data */
    GEX__API_NEED_BASKET,     /* several symbols' summaries (the symbols parameter) */
    GEX__API_NEED_SCREENER,   /* every symbol of the folder: its /v1/screener/row answer */
} gex__api_need;

/* One underlying in the folder. */
typedef struct gex__api_folder_symbol {
    const char *symbol;
    size_t snapshots;              /* quote instants held */
    int64_t first_time, last_time; /* UTC seconds; 0 when no file has a quote instant */
} gex__api_folder_symbol;

typedef struct gex__api_folder {
    size_t n;
    const gex__api_folder_symbol *symbol; /* sorted by symbol */
    size_t files, files_left_out;         /* chain files indexed; files read that are no chain */
    size_t files_unreadable;              /* files that cannot be opened (permissions, I/O) */
    const char *const *unreadable;        /* each one's "NAME: REASON", or NULL */
} gex__api_folder;

/* The series of one underlying: snapshots in ascending quote_time and their measures
 * (gex/history.h), the last one being the snapshot the request asked for. */
typedef struct gex__api_series {
    size_t n;
    const gex_snapshot *snapshot;
    const gex_history_metrics *metrics;
    const char *const *file; /* the file of each snapshot (NULL: not known) */
} gex__api_series;

enum { GEX__API_CONTEXT_VIX = 1, GEX__API_CONTEXT_MACRO = 2 };

/* For the endpoints with GEX__API_CONTEXT_VIX (SPEC 1.9, 5.5): the folder's SPX file of the New
 * York day of the snapshot asked for (the latest at or before it), CBOE's VIX method on its chain
 * at 9, 30, 93 and 182 days (NAN where the chain cannot answer a tenor), SPX's spot, and the 30-day
 * index and spot of SPX's last snapshot of an earlier day (has_prev 0: none), for the changes. */
typedef struct gex__api_vix {
    double level[GEX__VIX_TENORS]; /* gex__vix_levels */
    double spx;
    const char *file;
    int has_prev;
    double prev_level30, prev_spx;
} gex__api_vix;

/* NEED_BASKET (api-basket.c): the symbols of the request, each with the answer the server gives
 * for its /v1/exposure/summary at the instant asked (status 200 and the document, or the error
 * answer: a symbol without data). */
#define GEX__API_BASKET_MAX 50
typedef struct gex__api_basket_entry {
    char symbol[16];
    unsigned status;
    const char *body; /* the answer's JSON (a document, or the vendor's error body) */
    size_t len;
} gex__api_basket_entry;

typedef struct gex__api_basket {
    size_t n;
    gex__api_basket_entry entry[GEX__API_BASKET_MAX];
} gex__api_basket;

/* NEED_SCREENER (api-screener.c): the folder's symbols, each with the answer the server gives
 * for its /v1/screener/row/{symbol} (its newest snapshot), in symbol order. */
#define GEX__API_SCREENER_MAX 250
typedef struct gex__api_screener_input {
    size_t n, universe; /* entries; symbols in the folder (n <= universe) */
    const gex__api_basket_entry *entry;
} gex__api_screener_input;

/* For the endpoints with GEX__API_CONTEXT_MACRO (SPEC 5.5): the folder's FRED series (gex/
 * macro.h) in force on the snapshot's New York day: the value (percent) and the observation's
 * date, or has 0 (no such series in the folder, or no observation by that day). */
enum {
    GEX__API_MACRO_DGS10 = 0,
    GEX__API_MACRO_FED_FUNDS,
    GEX__API_MACRO_HY_SPREAD,
    GEX__API_MACRO_COUNT
};
typedef struct gex__api_macro_value {
    int has;
    double value;
    int32_t day;
    const char *id;   /* the FRED series: DGS10, DFF or FEDFUNDS, BAMLH0A0HYM2 */
    const char *file; /* the download it was read from */
} gex__api_macro_value;
typedef struct gex__api_macro {
    gex__api_macro_value v[GEX__API_MACRO_COUNT];
} gex__api_macro;

/* Everything a builder may read. Members an endpoint's need does not provide are NULL. */
typedef struct gex__api_input {
    const char *symbol; /* as in the path (NULL when the path has none) */
    const gex__api_params *params;
    const char *body; /* POST body (NULL for GET) */
    size_t body_len;
    const gex__analysis *analysis; /* NEED_ANALYSIS: the snapshot asked for */
    const gex__analysis *previous; /* NEED_ANALYSIS: the previous snapshot of the same
                                     underlying in the folder, or NULL (oi change) */
    const gex__api_series *series; /* NEED_SERIES (and, when known, NEED_ANALYSIS) */
    const gex__api_folder *folder; /* NEED_FOLDER */
    const gex__api_vix *vix;       /* CONTEXT_VIX: NULL when the folder has no SPX file that day */
    const gex__api_macro *macro;   /* CONTEXT_MACRO: NULL when it has no FRED series */
    const gex__api_basket *basket; /* NEED_BASKET */
    const gex__api_screener_input *screener; /* NEED_SCREENER */
    int64_t now;                             /* UTC seconds: the instant of the request */
} gex__api_input;

/* The VIX family level k (0..3: 9, 30, 93, 182 days) for an answer about a (may be NULL):
 * vix's when given, else CBOE's method on a's own chain when a is SPX's, else NAN
 * (render-vix.c). */
double gex__api_vix_level(const gex__api_vix *vix, const gex__analysis *a, size_t k);

/* A builder's failure: an HTTP status (4xx, 5xx) with the vendor's error code and a message
 * that says what was wrong and what to do. */
typedef struct gex__api_answer {
    unsigned status;
    char code[48];
    char message[512];
    int no_store; /* a document that depends on when it was asked (not to be cached) */
} gex__api_answer;

/* The symbols parameter of a basket request into b (symbol fields; status 0, body NULL):
 * comma-separated, 1 to GEX__API_BASKET_MAX, each a ticker (letters, digits, . - _ ^; at most
 * 15 characters), upper-cased, none twice. Returns 0, or -1 with *ans the 400 answer. */
int gex__api_basket_symbols(const gex__api_params *params, gex__api_basket *b,
                            gex__api_answer *ans);

/* Checks a screener request body (POST /v1/screener): 0, or -1 with *ans the 400 answer, so
 * that a bad request is refused before any symbol is computed. */
int gex__api_screener_check(const char *body, size_t len, gex__api_answer *ans);

/* Sets *ans and returns NULL, for a builder's "return gex__api_fail(...)". */
json_t *gex__api_fail(gex__api_answer *ans, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The document of an endpoint, or NULL with *ans filled (out of memory: 500 internal_error). */
typedef json_t *(*gex__api_build_fn)(const gex__api_input *in, gex__api_answer *ans);

typedef struct gex__api_endpoint {
    const char *method; /* "GET" or "POST" */
    const char *path;   /* "/v1/maxpain/{symbol}": {symbol} is one path segment */
    gex__api_need need;
    const char *params;      /* the parameters that change the answer, comma-separated (the cache
                                key holds their values, and only theirs), e.g. "expiration,min_oi" */
    gex__api_build_fn build; /* NULL for NEED_NO_DATA */
    const char *needs_data;  /* NEED_NO_DATA: what data would answer it, for the 501 body */
    /* What else of the folder it reads: GEX__API_CONTEXT_VIX, the SPX file of the day for the
     * VIX (gex__api_input.vix); GEX__API_CONTEXT_MACRO, its FRED series (gex__api_input.macro). */
    unsigned context;
} gex__api_endpoint;

/* The table, in the order the README lists it. */
const gex__api_endpoint *gex__api_endpoints(size_t *n);

/* The value of a hexadecimal digit (0-9, a-f, A-F), or -1: a %XX of a URL (RFC 3986). */
int gex__api_hex_digit(int c);

/* The endpoint of method and path, or NULL (404). path is as the request target gives it, its
 * segments still percent-encoded: it is split at its literal '/' first, then each segment is
 * decoded (RFC 3986 section 2.2), so "%2F" is part of a segment, never a separator. symbol
 * receives the decoded {symbol} segment (empty when the pattern has none, or when it cannot be
 * a symbol); *symbol_ok is 0 when the segment cannot be a symbol (too long, or a character no
 * ticker has, '/' and NUL included), then the answer is symbol_not_found. *method_ok is 0 when
 * the path exists for another method only (405). */
const gex__api_endpoint *gex__api_route(const char *method, const char *path, char *symbol,
                                        size_t symbol_size, int *symbol_ok, int *method_ok);

/* The browser dashboard's gex-own documents (api-heatmap.c, SPEC 5.6), NEED_ANALYSIS: the strike
 * x expiration heatmap of net GEX, and the repriced profile P(x) (params range, points). */
json_t *gex__api_heatmap(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_profile(const gex__api_input *in, gex__api_answer *ans);

#endif /* GEX_RENDER_API_H */
