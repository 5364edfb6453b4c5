/*
 * render.h: the rendering layer: an analysis (gex/analysis.h) with where it came from, written
 * as the documents gex prints: aligned tables for people, RFC 4180 CSV, and JSON in the
 * vendor's shapes with gex's meta (SPEC 3). Its functions take an analysis and a writer (a
 * stream, or memory for JSON); they never print a message or exit: they return a gex_status
 * and say why in a gex_error. Used by the gex program and by gex serve; below them, above
 * libgex. Not installed (yet): the layer's own API, not the library's.
 */
#ifndef GEX_RENDER_H
#define GEX_RENDER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gex/gex.h"
#include "render-digits.h"

typedef enum gex__out_format { GEX__OUT_TABLE = 0, GEX__OUT_CSV, GEX__OUT_JSON } gex__out_format;

/* The documents: one per command that shows one underlying. */
typedef enum gex__doc {
    GEX__DOC_GREEKS = 0,
    GEX__DOC_GEX,
    GEX__DOC_DEX,
    GEX__DOC_VEX,
    GEX__DOC_CHEX,
    GEX__DOC_EXPOSURE,
    GEX__DOC_LEVELS,
    GEX__DOC_SUMMARY,
    GEX__DOC_PROFILE,
    GEX__DOC_EXPIRATIONS,
    GEX__DOC_CARRY,
    GEX__DOC_VIX,
} gex__doc;

/* One underlying, analysed, and where it came from (meta's file, input format, rows read and
 * IV sources). The fields after an are copies of what it holds, for the builders' brevity. */
typedef struct gex__analysis {
    const char *path;
    const char *symbol; /* owned by chain */
    gex_chain *chain;   /* one underlying, prepared */
    int owns_chain;     /* the program's: its cli_analysis_free frees chain */
    gex_read_report read;
    gex_prepare_report prepare;
    gex_analysis *an;             /* the library's analysis of chain */
    const gex_exposure *exposure; /* an's */
    gex_exposure_totals totals;
    gex_levels levels;
    int has_levels;
    double spot;
    int64_t as_of;
    const char *currency; /* the chain's (gex_chain_currency): every amount's */
} gex__analysis;

/* Fills the copies of *a from a->an (which must be set). */
void gex__analysis_fill(gex__analysis *a);

/* One expiration of the file (render-expiry.c), as gex expirations lists it. */
typedef struct gex__expiry_row {
    int32_t date;
    long dte;                   /* calendar days from the quote date (New York) */
    size_t contracts;           /* in the file */
    gex_exposure_totals totals; /* the breakdown's, zero when it leaves the date out */
    double call_oi, put_oi;     /* of the contracts used */
    const char *note;           /* "" when used; else why nothing of it is */
} gex__expiry_row;

/* Every expiration of a's chain, ascending by date, with the breakdown's totals where it has
 * the date (malloc'ed, *n of them); NULL when memory ran out (*n = 0 for an empty chain). */
gex__expiry_row *gex__expiry_rows(const gex__analysis *a, size_t *n);

/* How to render. */
typedef struct gex__render_options {
    gex__doc doc;
    gex__out_format format;
    double range_pct; /* profile: from S (1 - range/100) to S (1 + range/100) */
    int points;       /* profile: points, >= 2 */
    int threads;      /* greeks' rows are formatted on this many (0 or 1: one) */
} gex__render_options;

/* Writes the document of options->doc for an analysis with levels (greeks: with or without)
 * to out in options->format, exactly as the command prints it. Returns GEX_OK; GEX_ENOMEM;
 * GEX_ERANGE when a computed value was not finite (written as an empty cell or null: err
 * says so); or the status of the profile's evaluation (err names the file). The strike bars of
 * a terminal are the program's to add. */
int gex__render(const gex__render_options *options, const gex__analysis *a, FILE *out,
                gex_error *err);

/* The JSON document of a gex, dex, vex, chex, exposure, levels or summary (the vendor's shapes,
 * meta included), exactly as the command prints it; NULL when memory ran out or the hedging
 * estimate of a summary failed. The caller owns it. gex serve writes it to memory. */
json_t *gex__document(gex__doc doc, const gex__analysis *a);
/* The same with the previous snapshot of the underlying (NULL: none), from which the gex
 * document's call_oi_change and put_oi_change per strike are filled (SPEC 5.5): this snapshot's
 * open interest at the strike minus prev's, null where prev has no such strike. */
json_t *gex__document_previous(gex__doc doc, const gex__analysis *a, const gex__analysis *prev);

/* The parts of gex__render and gex__document: the summary (render-summary.c) and every other
 * document (render-exposure.c). */
int gex__render_summary(const gex__render_options *options, const gex__analysis *a, FILE *out,
                        gex_error *err);
json_t *gex__summary_document(const gex__analysis *a);
int gex__render_exposure(const gex__render_options *options, const gex__analysis *a, FILE *out,
                         gex_error *err);
/* The greeks document (render-greeks.c): every listed contract, in options->format, its rows
 * (a table's, CSV or JSON) formatted on options->threads threads; the same bytes whatever the
 * threads. */
int gex__render_greeks(const gex__render_options *options, const gex__analysis *a, FILE *out,
                       gex_error *err);
json_t *gex__exposure_document(gex__doc doc, const gex__analysis *a);
json_t *gex__exposure_document_previous(gex__doc doc, const gex__analysis *a,
                                        const gex__analysis *prev);
/* The profile document of gex profile --format json (SPEC 1.6): each measure at points (>= 2)
 * spots evenly from S (1 - range_pct/100) to S (1 + range_pct/100), 0 < range_pct < 100; NULL
 * with err set when evaluating fails or memory runs out. */
json_t *gex__profile_document(const gex__analysis *a, double range_pct, int points, gex_error *err);
/* The expirations document (render-expiry.c): one row per expiration of the file. */
int gex__render_expirations(const gex__render_options *options, const gex__analysis *a, FILE *out,
                            gex_error *err);
json_t *gex__expirations_document(const gex__analysis *a);
/* The volatility-index document (render-vix.c): CBOE's VIX method (gex/vix.h) at its four
 * tenors, each row computed (ok) or with why it could not be (why.text). gex__vix_all fills
 * the rows; gex__vix_row_json is one row as JSON (name: CBOE's for an SPX chain, else null). */
#define GEX__VIX_TENORS 4
typedef struct gex__vix_row {
    double tenor_days;
    const char *cboe_name; /* VIX9D, VIX, VIX3M, VIX6M */
    int ok;
    gex_vix vix;
    gex_error why;
} gex__vix_row;
void gex__vix_all(const gex__analysis *a, gex__vix_row rows[GEX__VIX_TENORS]);
/* The index of a prepared chain at tenor k of the four (9, 30, 93, 182 days), and at all four;
 * NAN where the chain cannot answer one. */
double gex__vix_level(const gex_chain *chain, size_t k);
void gex__vix_levels(const gex_chain *chain, double level[GEX__VIX_TENORS]);
json_t *gex__vix_row_json(const gex__vix_row *r, int spx);
int gex__vix_is_spx(const gex__analysis *a);
int gex__render_vix(const gex__render_options *options, const gex__analysis *a, FILE *out,
                    gex_error *err);
json_t *gex__vix_document(const gex__analysis *a);

/* The carry document (render-carry.c): one row per expiration, the put-call parity fit of its
 * mids and whether the greeks used it (SPEC 1.2); and the "carry" object of every meta. */
int gex__render_carry(const gex__render_options *options, const gex__analysis *a, FILE *out,
                      gex_error *err);
json_t *gex__carry_document(const gex__analysis *a);
/* The pieces (render-json.c, under meta): the parity fits of the analysis's chain in order of
 * settlement (gex_chain_parity_fit; malloc'ed, NULL with *n = 0 when there are none or, with
 * *failed set, when memory ran out); the New York date of a settlement instant; the carry an
 * expiration's greeks used ("parity", "flat", or "expired" for T <= 0); the rows as JSON (NULL:
 * out of memory); and meta's "carry" object: the mode, and with --carry parity the counts and
 * the rows. */
gex_parity_fit *gex__carry_fits(const gex__analysis *a, size_t *n, int *failed);
void gex__settlement_date(int64_t settlement, char *buf, size_t size);
const char *gex__carry_used(const gex__analysis *a, const gex_parity_fit *f);
json_t *gex__carry_fits_json(const gex__analysis *a, const gex_parity_fit *f, size_t n);
json_t *gex__carry_meta(const gex__analysis *a);

/* The code a table's units name when its rows are in several currencies: ISO 4217's "no
 * currency". The table's title then says each row is in its own file's. */
#define GEX__CURRENCY_MIXED "XXX"

/* Folds one row's currency (a code; anything else counts as GEX_CURRENCY_DEFAULT) into the one
 * a table of rows names: common starts as "" and becomes the rows' shared code, or
 * GEX__CURRENCY_MIXED once two differ. */
void gex__currency_fold(char common[4], const char *currency);

/* "USD/1%", "USD/$1" or "shares/$1": the unit of GEX columns (in dollars: gex_currency_text). */
const char *gex__unit_short(gex_gex_unit unit);

/* The unit and flip method the analysis was built with. */
gex_gex_unit gex__unit_of(const gex__analysis *a);
gex_flip_method gex__flip_method_of(const gex__analysis *a);

/* The contracts of expiration day the analysis left out as expired (settled at or before the
 * quote instant): 0 when none, or when the chain has no such expiration. */
size_t gex__expired_on(const gex__analysis *a, int32_t day);

/* "expired 3, no_iv 5" of the excluded counts; "none" when nothing was excluded. */
void gex__excluded_text(const gex_exposure_totals *t, char *buf, size_t size);

/* Whether an analysis used a contract: GEX_OK (buf "") when it did; else GEX_EEMPTY with the
 * refusal every command and the Python package give it in buf (size bytes, cut to fit;
 * GEX__NOTHING_USABLE_MAX hold the longest), for its numbers would print as zeros where none is
 * known: "SYM: nothing usable: of N contracts none is left (excluded: ...; left out by the
 * filters: M)", then, where the filters left some out, "; the file's expirations (contracts):
 * 2026-11-20 (1210), ..." (the earliest 12, then how many more) so that the user sees what to
 * ask for. a->chain and the copies gex__analysis_fill makes must be set. */
#define GEX__NOTHING_USABLE_MAX 1024 /* a symbol, the counts and 12 dates: about 1,000 */
int gex__nothing_usable(const gex__analysis *a, char *buf, size_t size);

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

/* A table whose units name currency (NULL: GEX_CURRENCY_DEFAULT), as gex_currency_text writes
 * them. */
gex__table *gex__table_new(const gex__column *columns, size_t n_columns, const char *currency);
void gex__table_free(gex__table *t);
/* Appends the next cell, row by row. A non-finite number becomes an empty cell and is counted
 * (gex__table_nonfinite; gex__table_emit then reports GEX_ERANGE). Each returns GEX_OK or
 * GEX_ENOMEM. */
int gex__table_num(gex__table *t, double v);
int gex__table_level(gex__table *t, const gex_level *level);
int gex__table_null(gex__table *t);
int gex__table_text(gex__table *t, const char *s);
/* For CSV: writes the header row to out now and every record as its last cell is appended,
 * so that a table of millions of rows needs no memory; gex__table_emit then adds nothing. */
void gex__table_stream(gex__table *t, FILE *out);
/* The same without the header row: the records of a part of a table (gex__render_greeks's
 * blocks, written into memory on threads of their own). */
void gex__table_stream_rows(gex__table *t, FILE *out);
/* Writes the table: for GEX__OUT_TABLE the title line (if not NULL), the column names, the
 * units and aligned rows; for GEX__OUT_CSV one header row of names and RFC 4180 records. Says
 * in err what went wrong: GEX_EIO when a write failed ("writing the output failed: No space
 * left on device", with the errno of the failure), GEX_ERANGE for a non-finite cell
 * (gex__nonfinite_error), GEX_ENOMEM. Bytes still in the stream's buffer are its closer's to
 * flush and report. */
int gex__table_emit(const gex__table *t, gex__out_format format, const char *title, FILE *out,
                    gex_error *err);
/* Keeps each cell as the text a table (GEX__OUT_TABLE) shows, formatted as it is appended,
 * instead of the cell: no copy of each text, and parts of one table can be appended on threads
 * of their own, then written together (gex__table_emit_parts). Such a table is written only as
 * a table. rows: the rows foreseen (memory for them is taken at once; more rows are taken as
 * they come). Called before the first cell, on a table that is not streamed. GEX_OK,
 * GEX_ENOMEM, or GEX_EINVAL (no columns, cells appended or streamed already, called twice). */
int gex__table_keep_texts(gex__table *t, size_t rows);
/* gex__table_emit of parts[0..n_parts) written as one table (GEX__OUT_TABLE): the rows of each
 * part after the rows of the one before, aligned over all of them. Every part keeps texts
 * (gex__table_keep_texts) and has the columns of the first. */
int gex__table_emit_parts(const gex__table *const *parts, size_t n_parts, const char *title,
                          FILE *out, gex_error *err);
/* The rows of a table (its cells over its columns). */
size_t gex__table_rows(const gex__table *t);
/* An aligned table's layout over parts that keep texts (gex__table_keep_texts; the columns of
 * the first): each column's width over the names, the units and every part's texts, so that
 * the parts' lines can be assembled on threads of their own and written in order
 * (gex__render_greeks). NULL when memory ran out. */
typedef struct gex__table_layout gex__table_layout;
gex__table_layout *gex__table_layout_new(const gex__table *const *parts, size_t n_parts);
void gex__table_layout_free(gex__table_layout *l);
/* The title line (if not NULL), the names and the units, as gex__table_emit_parts writes them. */
void gex__table_layout_head(const gex__table_layout *l, const char *title, FILE *out);
/* The most bytes one line takes (rows times it hold any rows' lines). */
size_t gex__table_layout_line_bytes(const gex__table_layout *l);
/* Rows [from, to) of part as aligned lines into buf; *at_text is where row from's texts start
 * in part (0 for row 0), and on return where row to's do. Returns the bytes written. */
size_t gex__table_layout_lines(const gex__table_layout *l, const gex__table *part, size_t from,
                               size_t to, size_t *at_text, char *buf);
/* What gex__table_emit_parts returns once the parts were written through a layout to out: the
 * failed write (out's error, errno as it was left), the values that are not finite, or GEX_OK. */
int gex__table_emit_written(const gex__table *const *parts, size_t n_parts, FILE *out,
                            gex_error *err);
/* Whether a cell of a streamed table could not be written (its append returned GEX_EIO): the
 * caller stops appending and lets gex__table_emit report it, rather than taking the status for
 * memory running out. */
int gex__table_write_failed(const gex__table *t);
/* The non-finite numbers appended (written as empty cells). */
size_t gex__table_nonfinite(const gex__table *t);

/* Number formatting. */
void gex__fmt_roundtrip(double v, char *buf, size_t size); /* shortest text that reads back */
/* Whether the first len bytes of s are a decimal number as people write one ("12", "-0.5",
 * "1e-3", ".5"): strtod also reads hexadecimal ("0x10" is 16), "inf" and "nan", which no
 * parameter or option of gex means. */
int gex__decimal_text(const char *s, size_t len);
/* printf's "%.{p}g" of v, byte for byte, mostly without printf (from the shortest digits); out
 * holds GEX__ROUNDTRIP_SIZE bytes. Returns the length. */
size_t gex__fmt_sig_to(double v, int p, char *out);
/* The same text into out, which holds GEX__ROUNDTRIP_SIZE bytes; returns its length. For
 * writers that append it to a buffer of their own. Every text and its NUL take at most 25 bytes
 * ("-0.0000" and 17 digits, or "-d." 16 digits "e-324"); the rest is room for the digits'
 * fixed-size copies, which may write up to 34 bytes before the NUL ends the text. */
#define GEX__ROUNDTRIP_SIZE 48
size_t gex__fmt_roundtrip_to(double v, char *out);
/* v with its integer digits grouped by three and decimals (0 to GEX__GROUPED_DECIMALS_MAX)
 * after the point, "1,234,567.89", when |v| < GEX__GROUPED_MAX; otherwise the shortest digits
 * that read back in the exponent form, "1.5e+15" and "-2.2402770503442136e+16" (inf and nan as
 * gex__fmt_roundtrip writes them). GEX__GROUPED_SIZE bytes hold
 * every result; a smaller buf gets a truncated one. Returns the length written. */
size_t gex__fmt_grouped(double v, int decimals, char *buf, size_t size);
/* A figure in a sentence, always short: "%.{decimals}f" below GEX__SHORT_FIXED_MAX in
 * magnitude, else "%.3g" ("2.67e+302"), where %f would write up to 309 digits and cut the
 * sentence holding it. v finite; GEX__SHORT_SIZE bytes hold every result (decimals at most 6).
 * Returns the length. */
#define GEX__SHORT_FIXED_MAX 1e6
#define GEX__SHORT_SIZE      24
size_t gex__fmt_short(double v, int decimals, char *buf, size_t size);
/* A price for people: gex__fmt_grouped with 2 decimals, or more below 10 (render-digits.h). */
size_t gex__fmt_price(double v, char *buf, size_t size);
/* 1e15: a double holds DBL_DIG = 15 significant decimal digits, so below it every digit of the
 * integer part is the value's own; above it %.0f would print digits that are rounding noise
 * (and DBL_MAX's 309 of them with 102 commas). No exposure of a chain within the readers'
 * bounds (gex/chain.h) comes near it: the S&P 500's net GEX is some 1e9 to 1e10 USD per 1%. */
#define GEX__GROUPED_MAX          1e15
#define GEX__GROUPED_DECIMALS_MAX 17
/* "-1,000,000,000,000,000." (the most that rounds from below 1e15), 17 decimals and the NUL;
 * "-1.2345678901234567e-308" is shorter. */
#define GEX__GROUPED_SIZE (1 + 16 + 5 + 1 + GEX__GROUPED_DECIMALS_MAX + 1)

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
    int write_errno;  /* stream: errno of the failed write */
    size_t nonfinite; /* non-finite numbers written as null */
    /* stream: the pieces not yet handed to fp, written in blocks (a stdio call per piece was
     * a third of greeks --format json); gex__jwriter_finish writes the rest */
    size_t pending;
    char block[8192];
} gex__jwriter;
/* A whole document and a final newline. */
void gex__json_write(gex__jwriter *w, const json_t *doc);
/* The same pieces for documents written as they are computed: a value without the final
 * newline, the members of an object without its braces ("a":1,"b":2), and literal text. */
void gex__json_write_value(gex__jwriter *w, const json_t *value);
void gex__json_write_members(gex__jwriter *w, const json_t *obj);
void gex__jwriter_raw(gex__jwriter *w, const char *text);
/* n bytes of literal text; GEX__JWRITER_LIT(w, "...") for a string literal (its size known: no
 * strlen), as `,"delta":` before a value where the key needs no escape. */
void gex__jwriter_raw_n(gex__jwriter *w, const char *text, size_t n);
#define GEX__JWRITER_LIT(w, lit) gex__jwriter_raw_n((w), "" lit, sizeof(lit) - 1)
/* The pieces of an object written without building it (a document of one object per contract
 * need not allocate one): a key and its colon, and a value as gex__json_write_value writes
 * gex__jnum(v), gex__jstr(s) or null, byte for byte. The callers write the separators. */
void gex__jwriter_key(gex__jwriter *w, const char *key);
void gex__jwriter_num(gex__jwriter *w, double v);
void gex__jwriter_str(gex__jwriter *w, const char *s);
void gex__jwriter_null(gex__jwriter *w);
/* The status of what was written: GEX_OK; GEX_EIO when a write to the stream failed ("writing
 * the output failed: ...", with the errno of the failure), GEX_ERANGE when a value was not
 * finite, GEX_ENOMEM when a memory writer ran out (err says so; err->file is file, which may be
 * NULL). A stream writer's pending block is written first: every stream writer must be
 * finished, or its last pieces are lost. Bytes still in the stream's own buffer are its
 * closer's to flush and report. */
int gex__jwriter_finish(gex__jwriter *w, const char *file, gex_error *err);
/* Writes a whole document to a stream; gex__jwriter_finish's status. */
int gex__json_emit(const json_t *doc, FILE *out, gex_error *err);
/* Fills err for n non-finite values left out of an output; returns GEX_ERANGE. */
int gex__nonfinite_error(gex_error *err, const char *file, size_t n);
/* Sets key to value in obj, taking the reference; returns GEX_ENOMEM when value is NULL. */
int gex__jset(json_t *obj, const char *key, json_t *value);
/* The meta object common to every document of an analysis. */
json_t *gex__json_meta(const gex__analysis *a);
/* "positive", "negative", "neutral" (SPEC 1.5). */
const char *gex__label(double net_gex);

/* The title line of a table of doc: symbol, spot, quote instant, unit, used and excluded
 * counts. */
void gex__title(gex__doc doc, const gex__analysis *a, char *buf, size_t size);
/* The parts of every document (render-document.c): the vendor's head (symbol,
 * underlying_price, as_of; NULL when memory ran out); the document completed with meta (or
 * freed and NULL when st says building it failed); a document written and freed (NULL: out of
 * memory); a table written and freed (rc: whether building it failed). */
json_t *gex__doc_head(const gex__analysis *a);
/* An instant as the vendor's JSON writes as_of: ISO 8601 UTC with seven fractional digits,
 * "2026-05-27T17:58:14.0000000Z" (48 bytes hold any instant). */
void gex__json_time(int64_t utc, char *buf, size_t size);
/* The interpretation sentences of the summary, the vex and chex documents and the narrative
 * (gex's own wording, from the sign of the net exposure: SPEC 5.2). */
const char *gex__interpret_gamma(double net_gex);
const char *gex__interpret_vanna(double net_vex);
const char *gex__interpret_charm(double net_chex);
json_t *gex__doc_complete(const gex__analysis *a, json_t *d, int st);
int gex__doc_write(json_t *d, FILE *out, gex_error *err);
int gex__table_finish(gex__table *t, int rc, gex__out_format format, const char *title, FILE *out,
                      gex_error *err);

#endif /* GEX_RENDER_H */
