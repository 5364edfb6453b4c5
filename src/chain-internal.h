/*
 * chain-internal.h: what the chain storage (chain.c) shares with the readers (chain-*.c).
 * Not installed; nothing here is part of the public API.
 */
#ifndef GEX_CHAIN_INTERNAL_H
#define GEX_CHAIN_INTERNAL_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>

#include <math.h>
#include <string.h>

#include "gex/chain.h"
#include "decimal-internal.h"

/* The multiplier of a contract whose source has none: 100 shares, the standard US equity and
 * index option (OCC). */
#define GEX__DEFAULT_MULTIPLIER 100.0

/* No settlement override recorded for a symbol. */
#define SETTLE_NONE (-1)

/* The chain: one array per field of gex_chain_view (same names), grown together. chain.c owns
 * the storage; chain-prepare.c writes T, iv, iv_source and status. */
struct gex_chain {
    size_t n, cap;
    /* One array per field (the view's fields, same names). */
    uint32_t *underlying, *root;
    int32_t *expiration;
    int64_t *settlement;
    double *strike;
    uint8_t *type;
    double *bid, *ask, *last, *file_iv, *open_interest, *volume, *multiplier, *spot;
    double *vendor_delta, *vendor_gamma;
    long *line;
    double *T, *iv;
    uint8_t *iv_source, *status;

    /* Symbols: strings, their spot (NAN when unknown) and settlement override. */
    char **sym;
    double *sym_spot;
    signed char *sym_settle;
    size_t n_sym, cap_sym;
    uint32_t *hash; /* n_hash slots of symbol indexes, SYMBOL_NONE when empty */
    size_t n_hash;

    int has_quote_time;
    int64_t quote_time;

    /* The last settlement instant computed (root, expiration -> instant). */
    int settle_cached;
    uint32_t settle_root;
    int32_t settle_expiration;
    int64_t settle_value;

    /* Why a reader found no quote instant, for gex_chain_prepare's message ("" when none). */
    char time_note[256];
    char time_file[256];
    long time_line;
};

/* The index of a symbol (interned on first use, case kept), or GEX_ENOMEM. len bytes of s. */
int gex__chain_intern(gex_chain *chain, const char *s, size_t len, uint32_t *index);

/* Appends a contract whose strings are already interned: the readers' fast path (no hashing
 * of strings per row). The fields other than underlying and root are those of gex_contract;
 * root_index may equal underlying_index. Returns GEX_OK, GEX_EINVAL or GEX_ENOMEM. */
int gex__chain_add_interned(gex_chain *chain, uint32_t underlying_index, uint32_t root_index,
                            const gex_contract *contract);

/* Makes room for n contracts in all (exactly n when it grows). GEX_OK or GEX_ENOMEM. */
int gex__chain_reserve(gex_chain *chain, size_t n);

/* Appends the contracts of parts[0..n) to chain, in that order: their symbols are interned in
 * the order of each part's table (an underlying's spot is the first part's that has one), and
 * line_shift[k] is added to the source lines of parts[k]. Each array of a part is freed as soon
 * as it is copied, so that the memory held stays that of one chain; the parts are left empty
 * (free them with gex_chain_free). The arrays are copied on up to threads threads. GEX_OK or
 * GEX_ENOMEM (chain then only fit to be freed). */
int gex__chain_concat(gex_chain *chain, gex_chain *const *parts, const long *line_shift, size_t n,
                      size_t threads);

/* Releases the spare capacity of the arrays (after a reader is done). */
void gex__chain_shrink(gex_chain *chain);

/* Records why the file gave no quote instant (file, line, a sentence ending in what to do);
 * gex_chain_prepare reports it when no --now is given. */
void gex__chain_set_time_note(gex_chain *chain, const char *file, long line, const char *text);

/* --- shared by the readers (chain-read.c, chain-csv.c, chain-json.c) --- */

/* The longest text field a reader keeps (symbols, dates, types): longer ones are refused. */
#define GEX__FIELD_MAX 96

/* A reader's state common to every format. */
typedef struct gex__reader {
    const char *name;
    const gex_read_options *opt;
    gex_read_report *rep;
    gex_error *err;
    gex_chain *chain;
    locale_t c_locale;
    /* The first bad row in strict mode ends the read with this status (err filled). */
    int failed;
    /* Size of the whole input in bytes when known (0 otherwise), to size the arrays once. */
    size_t total_bytes;
    /* From the CBOE preamble: the spot (NAN when none); lines before a long header. */
    double preamble_spot;
    long preamble_lines;
    /* Counters for the report's warning line. */
    size_t missing_oi;
    size_t weekly_roots; /* index contracts without a root, off the monthly cycle: PM */
    size_t iv_sentinels;
    /* Quote instant gathered from the file. */
    int has_time;
    int64_t time;
    int time_varies;
    long time_note_line;
    char time_note[256];
    /* Root cache: the last root seen and its symbol index. */
    char last_root[GEX__FIELD_MAX + 1];
    size_t last_root_len;
    uint32_t last_root_index;
    /* Underlying cache for the --symbol filter. */
    char last_u[GEX__FIELD_MAX + 1];
    size_t last_u_len;
    uint32_t last_u_index;
    int last_u_keep;
    /* Expiration cache: files repeat one expiration on consecutive rows. */
    char last_exp[GEX__FIELD_MAX + 1];
    size_t last_exp_len;
    int32_t last_exp_day;
    int last_exp_ok;
} gex__reader;

/* Values of a decoded OCC symbol (root, expiration, type, strike). */
typedef struct gex__occ {
    char root[8];
    size_t root_len;
    int32_t expiration;
    int type;
    double strike;
} gex__occ;

/* Decodes "ROOT YYMMDD C|P strike*1000 in 8 digits", with an optional "O:" prefix and a
 * space-padded root (OCC symbology, 2010). Returns 0 or -1. */
int gex__occ_decode(const char *s, size_t len, gex__occ *out);

/* The root alone of an OCC symbol (root and root_len of *out; the tail is not checked). */
int gex__occ_root(const char *s, size_t len, gex__occ *out);

/* The underlying of an OCC root: the weekly and PM roots of the index options map to their
 * index (SPXW -> SPX), every other root to itself. Writes a NUL-terminated upper-case copy of
 * at most GEX__FIELD_MAX bytes and returns its length. */
size_t gex__root_underlying(const char *root, size_t len, char *out);

/* ASCII case-insensitive comparison of n bytes (no locale). */
static inline int gex__strncasecmp_ascii(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        x = (unsigned char)(x >= 'A' && x <= 'Z' ? x + 32 : x);
        y = (unsigned char)(y >= 'A' && y <= 'Z' ? y + 32 : y);
        if (x != y)
            return x - y;
    }
    return 0;
}

/* A cell that means "no value": empty, "-", "--", "N/A", "NA", "nan", "null", "None", "#N/A".
 * Inline: it runs on every numeric cell. */
static inline int gex__is_missing(const char *s, size_t len)
{
    static const struct {
        const char *text;
        size_t len;
    } tokens[] = {{"-", 1},   {"--", 2},   {"N/A", 3},  {"NA", 2},
                  {"nan", 3}, {"null", 4}, {"None", 4}, {"#N/A", 4}};
    if (len == 0)
        return 1;
    if (len > 4) /* longer than every token */
        return 0;
    /* A digit, point or sign followed by one starts a number: the common case, decided fast. */
    unsigned char c0 = (unsigned char)s[0];
    if ((c0 >= '0' && c0 <= '9') || c0 == '.' ||
        ((c0 == '-' || c0 == '+') && len > 1 && ((s[1] >= '0' && s[1] <= '9') || s[1] == '.')))
        return 0;
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
        if (tokens[i].len == len && gex__strncasecmp_ascii(tokens[i].text, s, len) == 0)
            return 1;
    return 0;
}

/* Reads a numeric cell (s[len] == '\0'): 0 and *v (NAN for a missing cell), or -1. */
static inline int gex__read_number(const gex__reader *r, const char *s, size_t len, double *v)
{
    /* A number first (the common case), a missing-value token only when it is not one. */
    if (gex__decimal_parse(s, len, r->c_locale, v) == 0)
        return 0;
    if (gex__is_missing(s, len)) {
        *v = (double)NAN;
        return 0;
    }
    return -1;
}

/* Parses an expiration date through the reader's cache. 0 or -1. */
int gex__read_expiration(gex__reader *r, const char *s, size_t len, int32_t *day);

/* Notes the quote instant text of a row or preamble (zone_default per gex_time_parse_instant);
 * a date without a time of day is read as the close, 16:00 New York time. */
void gex__read_quote_time(gex__reader *r, const char *s, size_t len, int zone_default, long line);

/* Counts a bad row (lenient) or fails the read (strict: returns GEX_EPARSE with err filled).
 * what says what was wrong; the advice is appended. */
int gex__reader_skip(gex__reader *r, gex_skip_reason reason, long line, long column,
                     const char *what);

/* Appends one contract: the --symbol filter, the interning of underlying and root, the
 * multiplier override. underlying and root are upper-cased. Returns GEX_OK or a status. */
int gex__reader_add(gex__reader *r, const char *underlying, size_t u_len, const char *root,
                    size_t root_len, gex_contract *k, double spot);

/* gex_chain_read_file reading chunk bytes at a time (0: the default, 256 KB): for the tests
 * and the fuzzer, which check that chunk boundaries change nothing. */
int gex__chain_read_file_chunked(FILE *fp, const char *name, const gex_read_options *options,
                                 gex_chain **out, gex_read_report *report, gex_error *err,
                                 size_t chunk);

/* The same with threads > 1 in options: ranges of at least split_min bytes (0: the default,
 * 1 MB) read in chunks of chunk bytes (0: 256 KB); *ranges (when not NULL) is set to the number
 * of ranges the rows were read in (1: one piece). For the tests and the fuzzer, which check
 * that a read in ranges gives what one reader gives. */
int gex__chain_read_file_split(FILE *fp, const char *name, const gex_read_options *options,
                               gex_chain **out, gex_read_report *report, gex_error *err,
                               size_t split_min, size_t chunk, size_t *ranges);
int gex__chain_read_buffer_split(const char *buf, size_t len, const char *name,
                                 const gex_read_options *options, gex_chain **out,
                                 gex_read_report *report, gex_error *err, size_t split_min,
                                 size_t chunk, size_t *ranges);

/* The CBOE JSON reader (chain-json.c). Reads the whole document through next_chunk. */
typedef size_t (*gex__chunk_fn)(void *buffer, size_t size, void *data);
int gex__read_cboe_json(gex__reader *r, gex__chunk_fn next_chunk, void *data);

#endif /* GEX_CHAIN_INTERNAL_H */
