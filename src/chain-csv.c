/*
 * CSV chains (SPEC 2.1, 2.2, 2.4): format detection, the CBOE preamble, and the rows of long
 * and CBOE CSV files, read in chunks (no copy of the file, no allocation per row): a line
 * without a quote is split here by libcsv's rules (csv_reader_feed), every other byte is
 * tokenised by libcsv itself.
 *
 * The lines before the header are read here by hand, not by libcsv: real CBOE preambles carry
 * an unbalanced quote ("Volume: 28,253,899 at the end of a line) that would make a CSV parser
 * swallow the rest of the file as one field.
 */
#include <csv.h>
#include <stdint.h>
#include <ctype.h>
#include <float.h>
#include <stddef.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <strings.h>

#include "gex/option.h"
#include "chain-csv-internal.h"
#include "chain-internal.h"
#include "chain-layout-internal.h"
#include "chain-row-internal.h"
#include "json-pull-internal.h"
#include "decimal-internal.h"
#include "error-internal.h"

/* Rare paths kept out of the per-field code, which then saves fewer registers. */
#if defined(__GNUC__)
#define GEX__COLD          __attribute__((cold, noinline))
#define GEX__NOINLINE      __attribute__((noinline))
#define GEX__ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define GEX__COLD
#define GEX__NOINLINE
#define GEX__ALWAYS_INLINE inline
#endif

/* What a column holds. */
typedef enum role {
    R_NONE = 0,
    R_UNDERLYING,
    R_SYMBOL,
    R_EXPIRATION,
    R_TYPE,
    R_QUOTE_TIME,
    R_MULTIPLIER, /* text: a number, or yfinance's "REGULAR" */
    R_ROOT,       /* a "root" column beside a better-named underlying column */
    R_CURRENCY,   /* the ISO 4217 code of the row's prices (yfinance's currency) */
    R_STRIKE,     /* numbers from here on */
    R_BID,
    R_ASK,
    R_LAST,
    R_IV,
    R_OI,
    R_VOLUME,
    R_SPOT,
    R_DELTA,
    R_GAMMA,
    R_COUNT
} role;

#define FIRST_NUMBER_ROLE R_STRIKE
#define TEXT_ROLES        R_STRIKE

/* Header names of the long format, compared after normalisation (lower case, without '_', '-'
 * and blanks), in priority order within a role: the first listed wins when a file has two
 * (SPEC 2.1). */
static const struct alias {
    const char *name;
    role role;
} long_aliases[] = {
    {"underlying", R_UNDERLYING},
    {"symbol", R_UNDERLYING},
    {"root", R_UNDERLYING},
    {"ticker", R_UNDERLYING},
    {"optionsymbol", R_SYMBOL},
    {"contract", R_SYMBOL},
    {"contractsymbol", R_SYMBOL},
    {"occ", R_SYMBOL},
    {"expiration", R_EXPIRATION},
    {"expiry", R_EXPIRATION},
    {"expirationdate", R_EXPIRATION},
    {"expiredate", R_EXPIRATION},
    {"expirdate", R_EXPIRATION},
    {"exdate", R_EXPIRATION},
    {"strike", R_STRIKE},
    {"strikeprice", R_STRIKE},
    {"type", R_TYPE},
    {"right", R_TYPE},
    {"optiontype", R_TYPE},
    {"cp", R_TYPE},
    {"putcall", R_TYPE},
    {"bid", R_BID},
    {"ask", R_ASK},
    {"last", R_LAST},
    {"lastprice", R_LAST},
    {"iv", R_IV},
    {"impliedvolatility", R_IV},
    {"impvol", R_IV},
    {"openinterest", R_OI},
    {"oi", R_OI},
    {"volume", R_VOLUME},
    {"underlyingprice", R_SPOT},
    {"spot", R_SPOT},
    {"stockprice", R_SPOT},
    {"quotetime", R_QUOTE_TIME},
    {"quotedate", R_QUOTE_TIME},
    {"timestamp", R_QUOTE_TIME},
    {"asof", R_QUOTE_TIME},
    {"multiplier", R_MULTIPLIER},
    {"contractsize", R_MULTIPLIER},
    {"delta", R_DELTA},
    {"gamma", R_GAMMA},
    {"currency", R_CURRENCY},
};

/* The CBOE quotedata columns (current and 2020-era names). */
static const struct alias cboe_aliases[] = {
    {"expirationdate", R_EXPIRATION},
    {"calls", R_SYMBOL},
    {"puts", R_SYMBOL},
    {"lastsale", R_LAST},
    {"bid", R_BID},
    {"ask", R_ASK},
    {"volume", R_VOLUME},
    {"vol", R_VOLUME},
    {"iv", R_IV},
    {"delta", R_DELTA},
    {"gamma", R_GAMMA},
    {"openinterest", R_OI},
    {"openint", R_OI},
    {"strike", R_STRIKE},
};

#define NORM_MAX 32

/* Lower case without '_', '-' and blanks; "" when the name is too long to be an alias. */
static void normalise(const char *s, size_t len, char out[NORM_MAX])
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '_' || ch == '-' || ch == ' ' || ch == '\t')
            continue;
        if (n + 1 >= NORM_MAX) {
            out[0] = '\0';
            return;
        }
        out[n++] = (char)tolower(ch);
    }
    out[n] = '\0';
}

/* The role of a header name and its priority (index in the table); R_NONE when unknown. */
static role lookup(const struct alias *table, size_t n, const char *norm, size_t *priority)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(table[i].name, norm) == 0) {
            *priority = i;
            return table[i].role;
        }
    }
    *priority = SIZE_MAX;
    return R_NONE;
}

/* --- lines of the prefix (detection and preamble) --- */

typedef struct span {
    const char *s;
    size_t len;
} span;

#define LINE_FIELDS_MAX 64

static span trim(span f)
{
    while (f.len > 0 && (f.s[0] == ' ' || f.s[0] == '\t')) {
        f.s++;
        f.len--;
    }
    while (f.len > 0 && (f.s[f.len - 1] == ' ' || f.s[f.len - 1] == '\t'))
        f.len--;
    return f;
}

/* Splits one line at each sep, honouring double quotes; an unbalanced quote runs to the end of
 * the line. Quotes are removed from the ends of a field (doubled quotes inside stay doubled,
 * which no header name or preamble value has). Returns the field count (at most max). */
static size_t split_line_at(const char *s, size_t len, char sep, span *fields, size_t max)
{
    size_t n = 0, i = 0;
    while (n < max) {
        size_t start = i;
        if (i < len && s[i] == '"') {
            i++;
            while (i < len && !(s[i] == '"' && (i + 1 >= len || s[i + 1] != '"')))
                i += s[i] == '"' ? 2 : 1;
            span f = {s + start + 1, (i < len ? i : len) - start - 1};
            fields[n++] = trim(f);
            if (i < len)
                i++;
            while (i < len && s[i] != sep)
                i++;
        } else {
            while (i < len && s[i] != sep)
                i++;
            fields[n++] = trim((span){s + start, i - start});
        }
        if (i >= len)
            break;
        i++; /* the separator */
    }
    return n;
}

static size_t split_line(const char *s, size_t len, span *fields, size_t max)
{
    return split_line_at(s, len, ',', fields, max);
}

static int starts_with_ci(span f, const char *p)
{
    size_t n = strlen(p);
    return f.len >= n && strncasecmp(f.s, p, n) == 0;
}

/* Classifies a header line: the format it is the header of, or GEX_FORMAT_AUTO. */
static gex_format classify_header(const span *f, size_t n)
{
    char norm[NORM_MAX];
    if (n == 0)
        return GEX_FORMAT_AUTO;
    normalise(f[0].s, f[0].len, norm);
    int calls = 0, puts = 0, strike = 0;
    unsigned have = 0;
    for (size_t i = 0; i < n; i++) {
        normalise(f[i].s, f[i].len, norm);
        calls |= strcmp(norm, "calls") == 0;
        puts |= strcmp(norm, "puts") == 0;
        strike |= strcmp(norm, "strike") == 0;
        size_t prio;
        role ro = lookup(long_aliases, sizeof long_aliases / sizeof long_aliases[0], norm, &prio);
        have |= 1u << ro;
    }
    normalise(f[0].s, f[0].len, norm);
    if (strcmp(norm, "expirationdate") == 0 && calls && puts && strike)
        return GEX_FORMAT_CBOE_CSV;
    unsigned sym = have & (1u << R_SYMBOL);
    if ((sym || (have & (1u << R_STRIKE))) && (sym || (have & (1u << R_EXPIRATION))) &&
        (sym || (have & (1u << R_TYPE))))
        return GEX_FORMAT_LONG_CSV;
    return GEX_FORMAT_AUTO;
}

/* --- the CBOE preamble --- */

/* The date text of a "Date: ..." line: the quoted field, or up to ",Bid" (the unquoted date has
 * a comma of its own: "Date: 9 June 2023, 1:40 PM EDT,Bid: 4299.3398,..."). */
static span date_text(const char *line, size_t len)
{
    span t = trim((span){line, len});
    if (t.len > 0 && t.s[0] == '"') {
        const char *q = memchr(t.s + 1, '"', t.len - 1);
        return trim((span){t.s + 1, q != NULL ? (size_t)(q - t.s - 1) : t.len - 1});
    }
    for (size_t i = 0; i + 4 <= t.len; i++)
        if (t.s[i] == ',' && strncasecmp(t.s + i + 1, "Bid", 3) == 0)
            return trim((span){t.s, i});
    while (t.len > 0 && t.s[t.len - 1] == ',')
        t.len--;
    return t;
}

/* The number after "Label:" in a field ("Bid: 4483.25"), or after a field "Label" in the next
 * field (the 2020 layout's "Bid,0"): *x and 0, or -1. */
/* The number a preamble's cell holds (gex__decimal_parse in the C locale), NaN when it holds
 * none. */
static double span_number(const gex__reader *r, span v)
{
    char buf[64];
    double x = (double)NAN;
    if (v.len > 0 && v.len < sizeof buf) {
        memcpy(buf, v.s, v.len);
        buf[v.len] = '\0';
        if (gex__decimal_parse(buf, v.len, r->c_locale, &x) != 0)
            x = (double)NAN;
    }
    return x;
}

static int labelled_number(const gex__reader *r, const span *fields, size_t n, size_t i,
                           const char *label, double *x)
{
    size_t k = strlen(label);
    span v;
    span f = trim(fields[i]);
    if (f.len > k && strncasecmp(f.s, label, k) == 0 && f.s[k] == ':')
        v = trim((span){f.s + k + 1, f.len - k - 1});
    else if (f.len == k && strncasecmp(f.s, label, k) == 0 && i + 1 < n)
        v = trim(fields[i + 1]);
    else
        return -1;
    char buf[64];
    if (v.len == 0 || v.len >= sizeof buf)
        return -1;
    memcpy(buf, v.s, v.len);
    buf[v.len] = '\0';
    return gex__decimal_parse(buf, v.len, r->c_locale, x) == 0 && x[0] >= 0 && x[0] <= GEX_PRICE_MAX
               ? 0
               : -1;
}

static void read_preamble(gex__reader *r, const char *p, size_t header_offset)
{
    span fields[LINE_FIELDS_MAX];
    double spot = (double)NAN;
    int date_seen = 0, legacy = 0, nonblank_seen = 0;
    long line = 1;
    /* The 2020 layout's spot, when its text is no price: said once the layout is known. */
    long legacy_bad_line = 0;
    span legacy_bad = {NULL, 0};
    double legacy_bad_x = (double)NAN;
    for (size_t pos = 0; pos < header_offset; line++) {
        const char *nl = memchr(p + pos, '\n', header_offset - pos);
        size_t end = nl != NULL ? (size_t)(nl - p) : header_offset;
        size_t len = end - pos;
        if (len > 0 && p[pos + len - 1] == '\r')
            len--;
        const char *s = p + pos;
        pos = end + 1;
        size_t n = split_line(s, len, fields, LINE_FIELDS_MAX);
        /* Current layout: "Last: 445.65" anywhere on a line. */
        for (size_t i = 0; i < n && isnan(spot); i++) {
            if (starts_with_ci(fields[i], "Last:")) {
                span v = trim((span){fields[i].s + 5, fields[i].len - 5});
                const double x = span_number(r, v);
                if (x >= GEX_PRICE_MIN && x <= GEX_PRICE_MAX) {
                    spot = x;
                } else { /* said, with its line, if no row gives a spot instead */
                    gex__reader_bad_spot(r, line, "the \"Last:\" value", v.s, v.len, x);
                }
            }
        }
        /* The underlying's own quote: "Bid: 4483.25,Ask: 4526.27" (2020: "Bid,0,Ask,0"). */
        for (size_t i = 0; i < n; i++) {
            double x;
            if (labelled_number(r, fields, n, i, "Bid", &x) == 0)
                r->file_quote.bid = x;
            else if (labelled_number(r, fields, n, i, "Ask", &x) == 0)
                r->file_quote.ask = x;
        }
        span first = n > 0 ? fields[0] : (span){s, 0};
        span stripped = trim((span){s, len});
        if (stripped.len > 0 && stripped.s[0] == '"') {
            stripped.s++;
            stripped.len--;
        }
        if (!date_seen && starts_with_ci(stripped, "Date:")) {
            span d = date_text(s, len);
            gex__read_quote_time(r, d.s, d.len, GEX_ZONE_EASTERN, line);
            date_seen = 1;
        } else if (!date_seen && n >= 2 &&
                   (starts_with_ci(fields[1], "Bid") || starts_with_ci(fields[1], "Ask"))) {
            /* 2020 layout: "Jun 22 2020 @ 20:42 ET,Bid,0,Ask,0,..." */
            gex__read_quote_time(r, first.s, first.len, GEX_ZONE_EASTERN, line);
            date_seen = 1;
            legacy = 1;
        }
        /* 2020 layout: "SPY (SPDR S&P 500 ETF Trust),310.68,1.98": the spot is field 2 of the
         * first line that is not blank (a blank first line is read as absent, SPEC 2.5). */
        if (!nonblank_seen && stripped.len > 0) {
            nonblank_seen = 1;
            if (isnan(spot) && n >= 2) {
                const span v = trim(fields[1]);
                const double x = span_number(r, v);
                if (x >= GEX_PRICE_MIN && x <= GEX_PRICE_MAX) {
                    spot = x;
                } else {
                    legacy_bad_line = line;
                    legacy_bad = v;
                    legacy_bad_x = x;
                }
            }
        }
    }
    /* A current-layout file's first line holds its name and "Last:", not a 2020 spot. */
    if (isnan(spot) && legacy && legacy_bad_line > 0)
        gex__reader_bad_spot(r, legacy_bad_line, "the spot after the underlying's name",
                             legacy_bad.s, legacy_bad.len, legacy_bad_x);
    /* Both layouts print the underlying's last sale where gex reads its spot. */
    r->file_quote.last = spot;
    if (!date_seen && r->time_note[0] == '\0') {
        r->time_note_line = 1;
        snprintf(r->time_note, sizeof r->time_note,
                 "the CBOE preamble has no date line, so the quote instant is unknown; pass "
                 "--now");
    }
    r->preamble_spot = spot;
}

/* The prefix served whole, once, to a JSON tokenizer; exhausted once it asked for more. */
typedef struct prefix_feed {
    const char *p;
    size_t len, served;
    int exhausted;
} prefix_feed;

static size_t prefix_next(void *buffer, size_t size, void *data)
{
    prefix_feed *f = data;
    if (f->served < f->len) {
        const size_t n = f->len - f->served < size ? f->len - f->served : size;
        memcpy(buffer, f->p + f->served, n);
        f->served += n;
        return n;
    }
    f->exhausted = 1;
    return 0;
}

/* What JSON value p[0..len) is ("an array", "null", ...), or NULL when it is not JSON: a whole
 * document when the file is all there (is_all), else one whose tokens hold up to the prefix's
 * end. Detection takes only a file opening with '{' for JSON (the chain layouts are objects), so
 * that a CSV is never tokenized as JSON; this tells the message of a file of neither kind. */
static const char *json_value_kind(const char *p, size_t len, int is_all)
{
    prefix_feed feed = {p, len, 0, 0};
    gex__json j;
    if (gex__json_init(&j, prefix_next, &feed) != GEX_OK) {
        gex__json_free(&j);
        return NULL;
    }
    gex__jtok t = gex__json_next(&j);
    const char *kind = t == GEX__JTOK_ARRAY                          ? "an array"
                       : t == GEX__JTOK_STRING                       ? "a string"
                       : t == GEX__JTOK_NUMBER                       ? "a number"
                       : t == GEX__JTOK_NULL                         ? "null"
                       : t == GEX__JTOK_TRUE || t == GEX__JTOK_FALSE ? "a boolean"
                                                                     : NULL;
    while (kind != NULL && t != GEX__JTOK_END) {
        if (t == GEX__JTOK_ERROR) {
            if (is_all || !feed.exhausted) /* broken, not cut by the prefix's end */
                kind = NULL;
            break;
        }
        t = gex__json_next(&j);
    }
    gex__json_free(&j);
    return kind;
}

int gex__detect(gex__reader *r, const char *p, size_t len, int is_all, gex__detected *det)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)p[i]))
        i++;
    gex_format want = r->opt->format;
    if (i == len && is_all)
        return gex_error_set(r->err, GEX_EEMPTY, r->name, 0, 0,
                             "the file is empty: no chain to read");
    /* UTF-16's byte-order mark (little or big endian): Excel's "Unicode text", tab-separated. */
    if (len >= 2 && ((p[0] == '\xff' && p[1] == '\xfe') || (p[0] == '\xfe' && p[1] == '\xff')))
        return gex_error_set(r->err, GEX_EFORMAT, r->name, 0, 0,
                             "UTF-16 text (Excel's \"Unicode text\"), which gex does not read: "
                             "save it as CSV UTF-8, or convert it: iconv -f UTF-16 -t UTF-8 "
                             "FILE > FILE.csv");
    if (gex__format_is_json(want) || (want == GEX_FORMAT_AUTO && i < len && p[i] == '{')) {
        det->format = want == GEX_FORMAT_AUTO ? GEX_FORMAT_CBOE_JSON : want;
        return GEX_OK;
    }
    /* The layouts read whole (chain-layout.c) are recognised before the generic headers. */
    if (want == GEX_FORMAT_AUTO || gex__format_is_layout(want)) {
        int rc = gex__detect_layout(r, p, len, is_all, det);
        if (rc == GEX_OK || want != GEX_FORMAT_AUTO)
            return rc;
    }
    span fields[LINE_FIELDS_MAX];
    long line = 1, tab_line = 0; /* a header were the file's separator the tab */
    for (size_t pos = 0; pos < len && line <= HEADER_SEARCH_LINES; line++) {
        const char *nl = memchr(p + pos, '\n', len - pos);
        if (nl == NULL && !is_all)
            break; /* the line continues past the prefix */
        size_t end = nl != NULL ? (size_t)(nl - p) : len;
        size_t n = split_line(p + pos, end - pos, fields, LINE_FIELDS_MAX);
        gex_format f = classify_header(fields, n);
        int semicolon = 0;
        if (f == GEX_FORMAT_AUTO && memchr(p + pos, ';', end - pos) != NULL) {
            /* A CSV re-saved by a European spreadsheet (chain-semicolon.c, SPEC 2.8). */
            n = split_line_at(p + pos, end - pos, ';', fields, LINE_FIELDS_MAX);
            f = classify_header(fields, n);
            semicolon = f != GEX_FORMAT_AUTO;
        }
        if (f == GEX_FORMAT_AUTO && tab_line == 0 && memchr(p + pos, '\t', end - pos) != NULL) {
            gex_format t = classify_header(
                fields, split_line_at(p + pos, end - pos, '\t', fields, LINE_FIELDS_MAX));
            if (t != GEX_FORMAT_AUTO && (want == GEX_FORMAT_AUTO || want == t))
                tab_line = line;
        }
        if (f != GEX_FORMAT_AUTO && (want == GEX_FORMAT_AUTO || want == f)) {
            det->format = f;
            det->header_offset = pos;
            det->header_line = line;
            det->semicolon = semicolon;
            if (semicolon)
                return GEX_OK; /* the preamble is read once the file is comma-separated */
            if (f == GEX_FORMAT_CBOE_CSV)
                read_preamble(r, p, pos);
            else if (line > 1)
                r->preamble_lines = line - 1;
            return GEX_OK;
        }
        pos = end + 1;
    }
    if (tab_line > 0)
        return gex_error_set(r->err, GEX_EFORMAT, r->name, tab_line, 0,
                             "the header is tab-separated (a sheet saved as \"Text\" or "
                             "\"Unicode text\"), and gex reads comma-separated files: save it "
                             "as CSV (comma-separated)");
    if (want == GEX_FORMAT_CBOE_CSV)
        return gex_error_set(r->err, GEX_EFORMAT, r->name, 0, 0,
                             "no CBOE header line (\"Expiration Date,Calls,...,Strike,Puts,...\") "
                             "in the first %d lines; check --input-format",
                             HEADER_SEARCH_LINES);
    if (want == GEX_FORMAT_LONG_CSV)
        return gex_error_set(r->err, GEX_EFORMAT, r->name, 0, 0,
                             "no header line naming a strike, an expiration and a type (or an "
                             "option symbol) in the first %d lines; check --input-format",
                             HEADER_SEARCH_LINES);
    const char *json = want == GEX_FORMAT_AUTO ? json_value_kind(p + i, len - i, is_all) : NULL;
    if (json != NULL)
        return gex_error_set(r->err, GEX_EFORMAT, r->name, 0, 0,
                             "a JSON document of no chain layout gex reads: it is %s, not an "
                             "object holding data.options (CBOE), callExpDateMap/putExpDateMap "
                             "(Schwab), options.option (Tradier), results (Polygon), "
                             "options.<date> (OPC) or quotes (IBKR); convert it to a long CSV "
                             "(README \"Input formats\")",
                             json);
    return gex_error_set(r->err, GEX_EFORMAT, r->name, 0, 0,
                         "not an option chain gex knows: no header of a CSV layout gex reads "
                         "(CBOE, long CSV naming strike, expiration and type or an option "
                         "symbol, Barchart, NSE, Deribit, thinkorswim, ...) in the first %d "
                         "lines, and not JSON; README \"Input formats\" lists the formats gex "
                         "reads (--input-format names one)",
                         HEADER_SEARCH_LINES);
}

/* --- rows --- */

/* libcsv's field blocks (see field_realloc): at least FIELD_BLOCK_MIN bytes, at most
 * FIELD_BYTES_MAX. */
#define FIELD_BYTES_MAX ((size_t)64 << 20)
#define FIELD_BLOCK_MIN 256

/* A side of a row: the call and put halves of a CBOE row, or the one contract of a long row. */
typedef struct side_values {
    double num[R_COUNT];
    char text[TEXT_ROLES][GEX__FIELD_MAX + 1];
    size_t text_len[TEXT_ROLES];
    long col[R_COUNT];
    /* Parsed where the field is read (no copy of the text): */
    int has_expiration;
    int32_t expiration;
    int type;      /* GEX_CALL, GEX_PUT, or -1 when the row has no type */
    int occ_state; /* 0 no symbol, 1 decoded into occ, 2 not an OCC symbol (text kept), 3 not
                      decoded yet (text kept) */
    gex__occ occ;
    int bad;        /* a skip reason + 1, 0 when the side is good so far */
    char what[200]; /* what was wrong with the first bad field */
    long bad_col;
} side_values;

/* What the fast path does with one column of a row: the header's role lookup, side lookup and
 * checks, done once per header instead of once per field. */
typedef enum col_op {
    OP_SKIP = 0, /* a column the row does not use: only its end is found */
    OP_NUMBER,   /* a number into num[role] of side v */
    OP_TEXT,     /* a text cell (take_text) */
    /* Text cells whose common case is decided inline, the rest through take_text: */
    OP_COPY,       /* underlying, root, multiplier, a symbol only the root is needed of */
    OP_EXPIRATION, /* the expiration of the row before (the reader's cache) */
    OP_TYPE,       /* "C" or "P" */
    OP_QUOTE_TIME, /* the quote time of the row before */
} col_op;

typedef struct col_plan {
    unsigned char op;       /* col_op */
    unsigned char role;     /* role */
    unsigned char side;     /* 0, 1, or 2 for a shared column (as csv_reader.side) */
    unsigned char v;        /* the side_values written: 0 or 1 */
    unsigned char preamble; /* CBOE columns 1 and 2: a second download's lines are looked for */
    double max;             /* OP_NUMBER: role_max(role) */
} col_plan;

/* A row whose fields are kept for header_again: at most this many, of this many bytes in all
 * (a header line is far shorter; a longer row is no header). */
#define ROW_KEEP_FIELDS 256
#define ROW_KEEP_BYTES  4096

typedef struct csv_reader {
    gex__reader *r;
    int cboe;
    int header_done;
    long header_line;
    /* Columns: role and side (0, or 1 for the puts of a CBOE row, 2 for a shared column). */
    size_t ncols, cap_cols;
    unsigned char *role, *side;
    size_t prio[R_COUNT];
    size_t role_col[R_COUNT];
    int strike_seen;
    /* The header's names, normalised (one slot per column): a row of the same names is the
     * header again (header_again). */
    char (*names)[NORM_MAX];
    int has_underlying_source;
    size_t root_col;      /* the column named "root", SIZE_MAX when none */
    int symbol_root_only; /* strike, expiration and type have columns of their own */
    /* The row being read. */
    size_t field;
    long line;  /* line where the row starts */
    long nl;    /* newlines inside its quoted fields */
    long col;   /* 1-based column of the next field (exact for unquoted fields) */
    int prev_c; /* terminator of the previous record */
    /* Fields may hold newlines: the chunk has a quote, or starts inside a quoted field. */
    int scan_newlines;
    int any_text;
    int second_preamble; /* CBOE: the row is another download's preamble or header line */
    /* The row's text, for header_again: the line the fast path splits (NULL elsewhere), or the
     * fields libcsv gave (long CSV), their bytes in keep and their ends in keep_end; keep_over
     * when they did not fit. */
    const char *row_s;
    size_t row_len;
    size_t keep_n;
    int keep_over;
    uint16_t keep_end[ROW_KEEP_FIELDS];
    char keep[ROW_KEEP_BYTES];
    side_values v[2];
    int shared_bad;
    gex_skip_reason shared_reason;
    char shared_what[200];
    long shared_col;
    /* CBOE: the file's underlying, from the first decodable symbol, and the last root seen to
     * be one of its (SPXW beside SPX). */
    char cboe_u[GEX__FIELD_MAX + 1];
    size_t cboe_u_len;
    char cboe_root[8];
    size_t cboe_root_len;
    /* The last underlying text and its cleaned span (offset, length). */
    char last_u_raw[GEX__FIELD_MAX + 1];
    size_t last_u_raw_len, last_u_off, last_u_len;
    /* Quote-time text cache. */
    char last_qt[GEX__FIELD_MAX + 1];
    size_t last_qt_len;
    int last_qt_bad; /* it was no instant: each row repeating it counts in bad_times */
    /* The row's quote time is last_qt, read at the row's end (settle_quote_time); its column. */
    int qt_waits;
    long qt_col;
    int rc;
    /* The tokeniser, and its state between two records (read after csv_init). */
    struct csv_parser parser;
    int row_start_state;
    /* The fast path's plan of a row, made once the header is read (make_plan): one entry per
     * column. */
    struct col_plan *plan;
    /* role, side and plan belong to this reader (not to the header reader a range was made
     * from). */
    int owns_columns;
    /* Bytes of the input passed so far, and whether the arrays were sized from them. */
    size_t consumed;
    int sized;
} csv_reader;

static void reset_row(csv_reader *c)
{
    c->field = 0;
    c->nl = 0;
    c->col = 1;
    c->any_text = 0;
    c->shared_bad = 0;
    c->keep_n = 0;
    c->keep_over = 0;
    /* A long row has one side: the second is never written. */
    for (int s = 0; s < (c->cboe ? 2 : 1); s++) {
        side_values *v = &c->v[s];
        for (int k = FIRST_NUMBER_ROLE; k < R_COUNT; k++)
            v->num[k] = (double)NAN;
        for (int k = 0; k < TEXT_ROLES; k++)
            v->text_len[k] = 0;
        v->has_expiration = 0;
        v->type = -1;
        v->occ_state = 0;
        v->bad = 0;
    }
}

static const char *role_name(role ro)
{
    static const char *const names[R_COUNT] = {
        [R_NONE] = "column",
        [R_UNDERLYING] = "underlying",
        [R_SYMBOL] = "option symbol",
        [R_EXPIRATION] = "expiration",
        [R_TYPE] = "type",
        [R_QUOTE_TIME] = "quote time",
        [R_MULTIPLIER] = "multiplier",
        [R_ROOT] = "root",
        [R_CURRENCY] = "currency",
        [R_STRIKE] = "strike",
        [R_BID] = "bid",
        [R_ASK] = "ask",
        [R_LAST] = "last",
        [R_IV] = "IV",
        [R_OI] = "open interest",
        [R_VOLUME] = "volume",
        [R_SPOT] = "underlying price",
        [R_DELTA] = "delta",
        [R_GAMMA] = "gamma",
    };
    return names[ro];
}

/* The largest plausible magnitude of a number column (gex/chain.h, SPEC 2.5); DBL_MAX (any
 * finite value) for the IV, whose placeholders are counted after the read (SPEC 1.4), and for
 * the vendor's greeks, which only validate compares. */
static double role_max(role ro)
{
    switch (ro) {
    case R_STRIKE:
    case R_BID:
    case R_ASK:
    case R_LAST:
    case R_SPOT:
        return GEX_PRICE_MAX;
    case R_OI:
    case R_VOLUME:
        return GEX_CONTRACTS_MAX;
    default:
        return DBL_MAX;
    }
}

static gex_skip_reason reason_of(role ro)
{
    switch (ro) {
    case R_STRIKE:
        return GEX_SKIP_BAD_STRIKE;
    case R_EXPIRATION:
        return GEX_SKIP_BAD_EXPIRATION;
    case R_TYPE:
        return GEX_SKIP_BAD_TYPE;
    case R_OI:
        return GEX_SKIP_BAD_OPEN_INTEREST;
    case R_SYMBOL:
    case R_UNDERLYING:
    case R_CURRENCY:
        return GEX_SKIP_BAD_SYMBOL;
    default:
        return GEX_SKIP_BAD_NUMBER;
    }
}

/* At most this many bytes of a bad cell are quoted in a message. */
#define SHOWN_MAX 40

static int shown(size_t len)
{
    return len > SHOWN_MAX ? SHOWN_MAX : (int)len;
}

/* Marks a side (or, for side 2, the whole row) bad, keeping the first problem. */
static void mark_bad(csv_reader *c, int side, role ro, long col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void mark_bad(csv_reader *c, int side, role ro, long col, const char *fmt, ...)
{
    char *what;
    size_t size;
    if (side == 2) {
        if (c->shared_bad)
            return;
        c->shared_bad = 1;
        c->shared_reason = reason_of(ro);
        c->shared_col = col;
        what = c->shared_what;
        size = sizeof c->shared_what;
    } else {
        side_values *v = &c->v[side];
        if (v->bad)
            return;
        v->bad = (int)reason_of(ro) + 1;
        v->bad_col = col;
        what = v->what;
        size = sizeof v->what;
    }
    va_list ap;
    va_start(ap, fmt);
    gex__vsnprintf_c(what, size, fmt, ap);
    va_end(ap);
}

static GEX__COLD void header_field(csv_reader *c, const char *s, size_t len)
{
    if (c->ncols == c->cap_cols) {
        size_t cap = c->cap_cols ? c->cap_cols * 2 : 32;
        unsigned char *ro = realloc(c->role, cap);
        if (ro == NULL) {
            c->rc = GEX_ENOMEM;
            return;
        }
        c->role = ro;
        unsigned char *si = realloc(c->side, cap);
        if (si == NULL) {
            c->rc = GEX_ENOMEM;
            return;
        }
        c->side = si;
        char(*names)[NORM_MAX] = realloc(c->names, cap * sizeof *names);
        if (names == NULL) {
            c->rc = GEX_ENOMEM;
            return;
        }
        c->names = names;
        c->cap_cols = cap;
    }
    size_t i = c->ncols++;
    char norm[NORM_MAX];
    normalise(s, len, norm);
    memcpy(c->names[i], norm, NORM_MAX);
    size_t prio;
    role ro = c->cboe
                  ? lookup(cboe_aliases, sizeof cboe_aliases / sizeof cboe_aliases[0], norm, &prio)
                  : lookup(long_aliases, sizeof long_aliases / sizeof long_aliases[0], norm, &prio);
    c->role[i] = R_NONE;
    c->side[i] = 0;
    if (c->cboe) {
        /* Calls left of Strike, puts right of it; expiration and strike are shared. */
        int side = ro == R_STRIKE || ro == R_EXPIRATION ? 2 : c->strike_seen;
        if (ro == R_STRIKE)
            c->strike_seen = 1;
        c->role[i] = (unsigned char)ro;
        c->side[i] = (unsigned char)side;
        return;
    }
    if (strcmp(norm, "root") == 0 && c->root_col == SIZE_MAX)
        c->root_col = i;
    if (ro != R_NONE && prio < c->prio[ro]) {
        if (c->prio[ro] != SIZE_MAX)
            c->role[c->role_col[ro]] = R_NONE; /* a better alias replaces a weaker one */
        c->prio[ro] = prio;
        c->role_col[ro] = i;
        c->role[i] = (unsigned char)ro;
    }
}

static int parse_type(const char *s, size_t len)
{
    if (len == 1) /* the common "C" and "P" */
        return s[0] == 'C' || s[0] == 'c' ? GEX_CALL : s[0] == 'P' || s[0] == 'p' ? GEX_PUT : -1;
    static const char *const calls[] = {"c", "call", "calls"}, *const puts[] = {"p", "put", "puts"};
    for (int k = 0; k < 3; k++) {
        if (strlen(calls[k]) == len && strncasecmp(calls[k], s, len) == 0)
            return GEX_CALL;
        if (strlen(puts[k]) == len && strncasecmp(puts[k], s, len) == 0)
            return GEX_PUT;
    }
    return -1;
}

/* libcsv hands fields in its own buffer, whose blocks come from field_realloc and hold at
 * least FIELD_BLOCK_MIN bytes: a short field is copied as SHORT_FIELD bytes of constant size,
 * which compilers turn into two register moves instead of a call to memcpy. */
#define SHORT_FIELD 32
_Static_assert(SHORT_FIELD <= FIELD_BLOCK_MIN, "short copies must stay inside libcsv's block");
_Static_assert(SHORT_FIELD <= GEX__FIELD_MAX + 1, "short copies must fit the text buffers");

/* Equality of len <= SHORT_FIELD bytes of two buffers that both hold SHORT_FIELD readable
 * bytes: word compares masked to len, no call (little-endian machines; memcmp elsewhere). */
static GEX__ALWAYS_INLINE int short_equal(const char *a, const char *b, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t x[SHORT_FIELD / 8], y[SHORT_FIELD / 8];
    memcpy(x, a, SHORT_FIELD);
    memcpy(y, b, SHORT_FIELD);
    uint64_t diff = 0;
    for (size_t k = 0; k < SHORT_FIELD / 8 && 8 * k < len; k++) {
        uint64_t d = x[k] ^ y[k];
        size_t left = len - 8 * k;
        if (left < 8)
            d &= (UINT64_C(1) << (8 * left)) - 1;
        diff |= d;
    }
    return diff == 0;
#else
    return memcmp(a, b, len) == 0;
#endif
}

static void copy_field(char *dst, const char *s, size_t len, int in_block)
{
    if (in_block && len < SHORT_FIELD)
        memcpy(dst, s, SHORT_FIELD);
    else
        memcpy(dst, s, len);
    dst[len] = '\0';
}

/* One field of the row being read, s[0..len) (s[len] need not be '\0': every parser below takes
 * the length, and strtod_l, behind the decimal parser's slow path, stops at the separator or
 * terminator that follows an unquoted field). wide: SHORT_FIELD bytes from s are readable. */
/* A number cell that is not one, or out of its column's range. */
/* A CBOE row's calls and puts have columns of the same names: a cell of one side is said so
 * ("the put side's IV"); "" elsewhere. */
static const char *side_of(const csv_reader *c, int side)
{
    return !c->cboe || side > 1 ? "" : side == 0 ? "the call side's " : "the put side's ";
}

static GEX__COLD void bad_number(csv_reader *c, int side, role ro, long col, const char *s,
                                 size_t len, int parsed, double x)
{
    const char *of = side_of(c, side);
    if (!parsed)
        mark_bad(c, side, ro, col, "%s%s \"%.*s\" is not a number", of, role_name(ro), shown(len),
                 s);
    else if (isfinite(x))
        mark_bad(c, side, ro, col, "%s%s \"%.*s\" is out of range (at most %.0f)", of,
                 role_name(ro), shown(len), s, role_max(ro));
    else
        mark_bad(c, side, ro, col, "%s%s \"%.*s\" is out of range", of, role_name(ro), shown(len),
                 s);
}

static void take_text(csv_reader *c, side_values *v, int side, role ro, long col, const char *s,
                      size_t len, int wide);

/* An IV cell in percent ("46.95%", a spreadsheet's percent format): the number before the sign
 * over 100 in *x, 0; -1 for any other cell (a price or a count in percent has no sense and
 * stays "not a number"). */
static GEX__COLD int percent_iv(const gex__reader *r, role ro, const char *s, size_t len, double *x)
{
    enum { PERCENT_TEXT_MAX = 40 };
    char text[PERCENT_TEXT_MAX + 1];
    if (ro != R_IV || len < 2 || len - 1 > PERCENT_TEXT_MAX || s[len - 1] != '%')
        return -1;
    memcpy(text, s, len - 1);
    text[len - 1] = '\0';
    if (gex__decimal_parse(text, len - 1, r->c_locale, x) != 0)
        return -1;
    *x /= 100.0;
    return 0;
}

/* Field i (0 or 1) of a CBOE row: two CBOE downloads joined, the second one's "Last:" and
 * "Date:" lines and its header. */
static void check_second_preamble(csv_reader *c, size_t i, const char *s, size_t len)
{
    if (len >= 5 &&
        ((i == 1 && memcmp(s, "Last:", 5) == 0) || (i == 0 && memcmp(s, "Date:", 5) == 0) ||
         (i == 0 && len == 15 && memcmp(s, "Expiration Date", 15) == 0)))
        c->second_preamble = 1;
}

/* The row's field number c->field (header fields, numbers here; texts in take_text). */
static void take_field(csv_reader *c, const char *s, size_t len, int wide)
{
    size_t i = c->field++;
    long col = c->col;
    c->col += (long)len + 1;
    if (!c->header_done) {
        header_field(c, s, len);
        return;
    }
    if (len > 0)
        c->any_text = 1;
    if (c->cboe && i < 2)
        check_second_preamble(c, i, s, len);
    if (i >= c->ncols)
        return;
    role ro = (role)c->role[i];
    if (ro == R_NONE)
        return;
    int side = c->side[i];
    side_values *v = &c->v[side == 2 ? 0 : side];
    v->col[ro] = col;
    if (ro < FIRST_NUMBER_ROLE) {
        take_text(c, v, side, ro, col, s, len, wide);
        return;
    }
    double x;
    /* The short plain decimals of most cells in one word, the rest as before. */
    if (!(wide && len - 1 < 8 && gex__decimal_parse8(s, len, &x) == 0) &&
        gex__read_number(c->r, s, len, &x) != 0 && percent_iv(c->r, ro, s, len, &x) != 0) {
        bad_number(c, side, ro, col, s, len, 0, 0);
        return;
    }
    if (!isnan(x) && !(fabs(x) <= role_max(ro))) {
        bad_number(c, side, ro, col, s, len, 1, x);
        return;
    }
    v->num[ro] = x;
}

/* --- the order of day and month in slash dates (SPEC 2.5) --- */

/* "11/02/2026", at the start of s: two parts of one or two digits and a four-digit year, joined
 * by slashes, then the end of s or a character of neither kind ("11/02/2026 14:30"). The date's
 * length with its parts, else 0. */
static size_t slash_prefix(const char *s, size_t len, int *a, int *b, int *year)
{
    int part[3] = {0, 0, 0};
    size_t digits[3] = {0, 0, 0}, k = 0, i = 0;
    for (; i < len; i++) {
        if (s[i] == '/' && k < 2 && digits[k] > 0)
            k++;
        else if (s[i] >= '0' && s[i] <= '9' && digits[k] < (k == 2 ? 4u : 2u))
            part[k] = part[k] * 10 + (s[i] - '0'), digits[k]++;
        else if (k == 2 && digits[2] == 4 && s[i] != '/' && (s[i] < '0' || s[i] > '9'))
            break;
        else
            return 0;
    }
    if (k != 2 || digits[2] != 4)
        return 0;
    *a = part[0];
    *b = part[1];
    *year = part[2];
    return i;
}

/* A slash date (slash_prefix) that is the whole of s: 1 with its parts, else 0. */
static int slash_date(const char *s, size_t len, int *a, int *b, int *year)
{
    return len > 0 && slash_prefix(s, len, a, b, year) == len;
}

/* Refuses a file whose slash dates read in both orders: the cell s (time: a quote time, else an
 * expiration) on this line, and the line that decided or guessed the other order. Returns -1. */
static int refuse_date_order(csv_reader *c, int time, long col, const char *s, size_t len,
                             int day_first)
{
    gex__reader *r = c->r;
    c->rc = gex_error_set(
        r->err, GEX_EPARSE, r->name, c->line, col,
        "%s \"%.*s\" is %s, but line %ld's %s\"%s\" was read %s: a file's dates are read in "
        "one order, found from the first date that tells it; re-save the %s as yyyy-mm-dd",
        time ? "quote time" : "expiration", shown(len), s,
        day_first ? "day first (dd/mm/yyyy)" : "month first (mm/dd/yyyy)", r->date_guess_line,
        r->date_guess_time ? "quote time " : "", r->date_guess,
        day_first ? "month first (mm/dd/yyyy)" : "day first (dd/mm/yyyy)",
        time || r->date_guess_time ? "expiration and quote time columns" : "expiration column");
    return -1;
}

/* Notes the cell s of this line (time: a quote time's) as the one that decided or guessed the
 * order. */
static void note_date_line(csv_reader *c, const char *s, size_t len, int time)
{
    gex__reader *r = c->r;
    r->date_guess_line = c->line;
    r->date_guess_time = time;
    snprintf(r->date_guess, sizeof r->date_guess, "%.*s", shown(len), s);
}

/* Evidence that the file's slash dates are day first (the cell s, on this line): 0, or -1 when
 * a date was read month first on another line (the read refused). */
static int date_day_first(csv_reader *c, long col, const char *s, size_t len)
{
    gex__reader *r = c->r;
    r->date_day_first = 1;
    if (r->date_order == 2)
        return 0;
    if (r->date_guess_line != 0 && r->date_guess_line != c->line)
        return refuse_date_order(c, 0, col, s, len, 1);
    r->date_order = 2;
    note_date_line(c, s, len, 0);
    return 0;
}

/* Evidence that they are month first (the cell s; time: a quote time's): 0, or -1 when they were
 * found day first. */
static int date_month_first(csv_reader *c, int time, long col, const char *s, size_t len)
{
    gex__reader *r = c->r;
    if (r->date_order == 2)
        return refuse_date_order(c, time, col, s, len, 0);
    r->date_order = 1;
    if (r->date_guess_line == 0)
        note_date_line(c, s, len, time);
    return 0;
}

/* An expiration cell s, read month first into *day (*ok: whether it is a date), read again in
 * the file's order when it is a slash date whose parts differ: a first part over 12 is day-first
 * evidence, a second over 12 month-first, and a date that reads both ways is read in the order
 * known, month first (noted) while none is. 0, or -1 when the read is refused (c->rc). */
static GEX__COLD int slash_order(csv_reader *c, long col, const char *s, size_t len, int32_t *day,
                                 int *ok)
{
    gex__reader *r = c->r;
    int a, b, y;
    if (!slash_date(s, len, &a, &b, &y) || a == b || (a > 12 && b > 12))
        return 0;
    if (a > 12 ? date_day_first(c, col, s, len) : b > 12 ? date_month_first(c, 0, col, s, len) : 0)
        return -1;
    if (r->date_order == 0 && r->date_guess_line == 0)
        note_date_line(c, s, len, 0);
    if (r->date_order == 2) {
        *ok = gex_time_valid_date(y, b, a);
        if (*ok)
            *day = gex_time_days_from_civil(y, b, a);
    }
    return 0;
}

/* A row's expiration (*cell, read from the reader's last expiration text) against its option
 * symbol's date sym (SPEC 2.5): 0 when they agree, the cell read in the other order where that
 * is the symbol's date and the file's order allows it (the row's expiration and the cache set),
 * or the symbol's date is the Saturday after the cell's (OCC's dates of the monthly options
 * before 2015); 1 when they differ; -1 when the read is refused (c->rc). */
static int expiration_vs_symbol(csv_reader *c, long col, int32_t *cell, int32_t sym)
{
    enum { SATURDAY = 6 };
    gex__reader *r = c->r;
    int a, b, y;
    const int both = slash_date(r->last_exp, r->last_exp_len, &a, &b, &y) && a != b && a <= 12 &&
                     b <= 12 && r->last_exp_ok;
    if (*cell == sym) {
        /* An agreeing date of two readings confirms the order it was read in. */
        if (both && r->date_order == 0)
            return date_month_first(c, 0, col, r->last_exp, r->last_exp_len);
        return 0;
    }
    if (sym == *cell + 1 && gex_time_weekday(sym) == SATURDAY)
        return 0;
    if (!both)
        return 1;
    const int day_first = r->date_order == 2;
    const int32_t other =
        day_first ? gex_time_days_from_civil(y, a, b) : gex_time_days_from_civil(y, b, a);
    if (other != sym)
        return 1;
    if (day_first ? date_month_first(c, 0, col, r->last_exp, r->last_exp_len)
                  : date_day_first(c, col, r->last_exp, r->last_exp_len))
        return -1;
    *cell = other;
    r->last_exp_day = other;
    return 0;
}

/* Day-first evidence from a quote time, read once its row's cells are all taken
 * (settle_quote_time): as date_day_first, but a date read month first on this line refuses the
 * read too (the row's expiration is not read again). */
static int time_day_first(csv_reader *c, long col, const char *s, size_t len)
{
    gex__reader *r = c->r;
    r->date_day_first = 1;
    if (r->date_order == 2)
        return 0;
    if (r->date_guess_line != 0)
        return refuse_date_order(c, 1, col, s, len, 1);
    r->date_order = 2;
    note_date_line(c, s, len, 1);
    return 0;
}

/* Whether a quote-time cell starts with a slash date whose order matters: read at the end of its
 * row (settle_quote_time), once the row's expiration and option symbol told what they can. */
static int quote_time_waits(const char *s, size_t len)
{
    int a, b, y;
    return slash_prefix(s, len, &a, &b, &y) > 0 && a != b && (a <= 12 || b <= 12);
}

/* Reads the row's quote time that waited (quote_time_waits) in the file's order of day and month
 * (SPEC 2.5): a first part over 12 is day-first evidence, a second over 12 month-first, and a
 * date that reads both ways is read in the order known, month first (noted) while none is. */
static GEX__COLD void settle_quote_time(csv_reader *c)
{
    if (!c->qt_waits || c->rc != GEX_OK)
        return;
    c->qt_waits = 0;
    gex__reader *r = c->r;
    const char *s = c->last_qt;
    const size_t len = c->last_qt_len;
    int a, b, y;
    const size_t n = slash_prefix(s, len, &a, &b, &y);
    if (a > 12   ? time_day_first(c, c->qt_col, s, len)
        : b > 12 ? date_month_first(c, 1, c->qt_col, s, len)
                 : 0)
        return;
    if (r->date_order == 0 && r->date_guess_line == 0)
        note_date_line(c, s, len, 1);
    if (r->date_order != 2) {
        c->last_qt_bad = gex__read_quote_time(r, s, len, GEX_ZONE_EASTERN, c->line) != 0;
        return;
    }
    /* The parser reads slash dates month first: the day and month swapped, the rest as written */
    char text[GEX__FIELD_MAX + 16];
    const int k = snprintf(text, sizeof text, "%d/%d/%04d%.*s", b, a, y, (int)(len - n), s + n);
    c->last_qt_bad =
        k > 0 && (size_t)k < sizeof text
            ? gex__read_quote_time_as(r, text, (size_t)k, s, len, GEX_ZONE_EASTERN, c->line) != 0
            : gex__read_quote_time(r, s, len, GEX_ZONE_EASTERN, c->line) != 0;
}

/* Whether a cell is one of the header's names (a header line again: header_again); a cell with
 * a digit is taken for a value (no name of a quote time has one). */
static int is_header_name(const csv_reader *c, const char *s, size_t len)
{
    if (c->names == NULL)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return 0;
    char norm[NORM_MAX];
    normalise(s, len, norm);
    for (size_t i = 0; i < c->ncols; i++)
        if (norm[0] != '\0' && strcmp(norm, c->names[i]) == 0)
            return 1;
    return 0;
}

/* A text cell: expiration, type, symbol, quote time, underlying, multiplier, root. */
static GEX__NOINLINE void take_text(csv_reader *c, side_values *v, int side, role ro, long col,
                                    const char *s, size_t len, int wide)
{
    gex__reader *r = c->r;
    /* ="..." : Excel's guard of a text cell from being read as a number or a date, kept when
     * the sheet is saved as CSV again; the text is what is inside. */
    if (len >= 3 && s[0] == '=' && s[1] == '"' && s[len - 1] == '"') {
        s += 2;
        len -= 3;
    }
    switch (ro) {
    case R_EXPIRATION:
        if (gex__is_missing(s, len))
            return;
        /* Rows repeat the expiration of the row before: the reader's cache, compared here. */
        if (wide && len <= SHORT_FIELD && len == r->last_exp_len && r->last_exp_ok &&
            short_equal(s, r->last_exp, len)) {
            v->expiration = r->last_exp_day;
            v->has_expiration = 1;
            return;
        }
        int ok = gex__read_expiration(r, s, len, &v->expiration) == 0;
        if (len == r->last_exp_len && memchr(s, '/', len) != NULL) {
            if (slash_order(c, col, s, len, &v->expiration, &ok) != 0)
                return;
            r->last_exp_day = v->expiration;
            r->last_exp_ok = ok;
        }
        if (!ok) {
            mark_bad(c, side, ro, col, "expiration \"%.*s\" is not a date", shown(len), s);
            return;
        }
        v->has_expiration = 1;
        return;
    case R_TYPE:
        /* A type first (the common case): no missing-value token reads as one. */
        v->type = parse_type(s, len);
        if (v->type < 0 && !gex__is_missing(s, len))
            mark_bad(c, side, ro, col, "type \"%.*s\" is neither call nor put", shown(len), s);
        return;
    case R_SYMBOL:
        if (gex__is_missing(s, len))
            return;
        if (c->symbol_root_only) {
            /* Strike, expiration and type have columns: the symbol is decoded only for a row
             * that lacks one of them (long_row); keep the text. */
            v->occ_state = 3;
            break;
        }
        if (gex__occ_decode(s, len, &v->occ) == 0) {
            v->occ_state = 1;
            return;
        }
        v->occ_state = 2;
        break; /* the text is kept for the message, if the symbol turns out to be needed */
    case R_QUOTE_TIME:
        r->snapshot_rows = 1; /* a quote-time column: its instants split snapshots */
        /* A file-level value: read when it changes, whatever becomes of the row. A cell of no
         * value (empty, N/A: SPEC 2.5) gives the row no instant (of no snapshot where the file
         * has several: left out and said), never the row before's; one too long to be an
         * instant is unreadable. */
        if (len == 0 || len > GEX__FIELD_MAX || gex__is_missing(s, len)) {
            r->row_has_time = 0;
            c->last_qt_len = 0;
            if (len > GEX__FIELD_MAX)
                (void)gex__read_quote_time(r, s, len, GEX_ZONE_EASTERN, c->line);
            return;
        }
        if (len == c->last_qt_len &&
            (wide && len <= SHORT_FIELD ? short_equal(c->last_qt, s, len)
                                        : memcmp(c->last_qt, s, len) == 0)) {
            r->bad_times += (size_t)c->last_qt_bad;
            return;
        }
        if (is_header_name(c, s, len)) {
            /* Not read (no instant, counted nowhere): the row is the header again, or bad. */
            mark_bad(c, side, ro, col, "quote time \"%.*s\" is a name of the header's", shown(len),
                     s);
            return;
        }
        memcpy(c->last_qt, s, len);
        c->last_qt_len = len;
        c->last_qt_bad = 0;
        if (quote_time_waits(s, len)) {
            r->row_has_time = 0; /* until settle_quote_time */
            c->qt_waits = 1;
            c->qt_col = col;
            return;
        }
        c->last_qt_bad = gex__read_quote_time(r, s, len, GEX_ZONE_EASTERN, c->line) != 0;
        return;
    default:
        break;
    }
    if (len > GEX__FIELD_MAX) {
        mark_bad(c, side, ro, col, "%s \"%.*s...\" is too long", role_name(ro), shown(len), s);
        return;
    }
    copy_field(v->text[ro], s, len, wide);
    v->text_len[ro] = len;
}

/* Keeps a field libcsv gave, for header_again (the fast path's fields are in its line). */
static void keep_field(csv_reader *c, const char *s, size_t len)
{
    const size_t at = c->keep_n > 0 ? c->keep_end[c->keep_n - 1] : 0;
    if (c->keep_over || c->keep_n == ROW_KEEP_FIELDS || len > ROW_KEEP_BYTES - at) {
        c->keep_over = 1;
        return;
    }
    memcpy(c->keep + at, s, len);
    c->keep_end[c->keep_n++] = (uint16_t)(at + len);
}

/* libcsv's field callback: its buffer holds at least FIELD_BLOCK_MIN bytes (field_realloc). */
static void on_field(void *data_s, size_t len, void *data)
{
    csv_reader *c = data;
    if (c->rc != GEX_OK)
        return;
    const char *s = data_s != NULL ? data_s : "";
    for (const char *q = len && c->scan_newlines ? memchr(s, '\n', len) : NULL; q != NULL;
         q = memchr(q + 1, '\n', len - (size_t)(q + 1 - s)))
        c->nl++;
    if (c->header_done && !c->cboe)
        keep_field(c, s, len);
    take_field(c, s, len, data_s != NULL);
}

/* A currency cell: three ASCII letters (any case, blanks around them) into an upper-case code;
 * 0, or -1 when the cell is not one. */
static int read_currency(const char *s, size_t len, char out[4])
{
    span t = trim((span){s, len});
    if (t.len != 3)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        const char ch = t.s[i]; /* ASCII letters whatever the locale */
        if (ch >= 'a' && ch <= 'z')
            out[i] = (char)(ch - 'a' + 'A');
        else if (ch >= 'A' && ch <= 'Z')
            out[i] = ch;
        else
            return -1;
    }
    out[3] = '\0';
    return 0;
}

/* An underlying as files write it: "^SPX", "$SPX", "_SPX" (index notations) are SPX. */
static span clean_underlying(const char *s, size_t len)
{
    span u = trim((span){s, len});
    while (u.len > 0 && (u.s[0] == '^' || u.s[0] == '$' || u.s[0] == '_')) {
        u.s++;
        u.len--;
    }
    for (size_t i = 0; i < u.len; i++)
        if ((unsigned char)u.s[i] <= ' ' || (unsigned char)u.s[i] >= 0x7f)
            return (span){u.s, 0};
    return u;
}

static gex_contract blank_contract(void)
{
    gex_contract k = {
        .bid = (double)NAN,
        .ask = (double)NAN,
        .last = (double)NAN,
        .iv = (double)NAN,
        .volume = (double)NAN,
        .multiplier = (double)NAN,
        .vendor_delta = (double)NAN,
        .vendor_gamma = (double)NAN,
    };
    return k;
}

/* Open interest: missing is 0 (counted in the warning), negative is a bad row. */
static int take_oi(csv_reader *c, int side, double oi, gex_contract *k)
{
    if (isnan(oi)) {
        c->r->missing_oi++;
        k->open_interest = 0;
        return 0;
    }
    if (oi < 0) {
        mark_bad(c, side, R_OI, c->v[side].col[R_OI], "%sopen interest %g is negative",
                 side_of(c, side), oi);
        return -1;
    }
    k->open_interest = oi == 0 ? 0 : oi; /* -0 reads as 0 */
    return 0;
}

static void fill_numbers(const side_values *v, gex_contract *k)
{
    k->bid = v->num[R_BID];
    k->ask = v->num[R_ASK];
    k->last = v->num[R_LAST];
    k->iv = v->num[R_IV];
    k->volume = v->num[R_VOLUME];
    k->vendor_delta = v->num[R_DELTA];
    k->vendor_gamma = v->num[R_GAMMA];
}

/* The underlying of a long row that is bad, as long_row would take it where the row says it:
 * the underlying column, else the option symbol's root (SPXW is SPX), into out; 0 when the row
 * does not say it (the bad field may be that one, or a later one, not read). */
static size_t bad_row_underlying(const side_values *v, char out[GEX__FIELD_MAX + 1])
{
    if (v->text_len[R_UNDERLYING] > 0) {
        span u = clean_underlying(v->text[R_UNDERLYING], v->text_len[R_UNDERLYING]);
        memcpy(out, u.s, u.len);
        return u.len;
    }
    gex__occ occ;
    if (v->occ_state == 1 || v->occ_state == 4)
        occ = v->occ;
    else if (v->occ_state != 3 ||
             gex__occ_root(v->text[R_SYMBOL], v->text_len[R_SYMBOL], &occ) != 0)
        return 0;
    return gex__root_underlying(occ.root, occ.root_len, out);
}

/* Reports the bad side (or row) through the policy; returns non-zero when the read must stop.
 * A long row of another underlying than --symbol's is left out as such. */
static int skip_side(csv_reader *c, int side)
{
    side_values *v = &c->v[side];
    char u[GEX__FIELD_MAX + 1];
    size_t u_len = c->cboe ? 0 : bad_row_underlying(v, u);
    int rc = gex__reader_skip_of(c->r, u, u_len, (gex_skip_reason)(v->bad - 1), c->line, v->bad_col,
                                 v->what);
    if (rc != GEX_OK)
        c->rc = rc;
    return rc != GEX_OK;
}

/* A row whose only name is the index (no option symbol, no root column): SPX, NDX and RUT
 * contracts settle at 09:30 only in the monthly cycle, on the third Friday (SPEC 1.1); one
 * expiring on any other day is a PM-settled weekly or daily, whose OCC root is SPXW, NDXP or
 * RUTW (Cboe and Nasdaq product specifications). Counted for the warning. A monthly moved to
 * the Thursday by a Good Friday holiday would be read as PM: a --settle given for the index
 * (--settle SPX=am) turns this off and settles every such row by the user's rule. */
static const char *const weekly[][2] = {{"SPX", "SPXW"}, {"NDX", "NDXP"}, {"RUT", "RUTW"}};

/* Whether an underlying is an index whose weeklies have their own root (weekly). */
static int has_weekly_root(const char *u, size_t u_len)
{
    for (size_t i = 0; i < sizeof weekly / sizeof weekly[0]; i++)
        if (u_len == 3 && gex__strncasecmp_ascii(u, weekly[i][0], 3) == 0)
            return 1;
    return 0;
}

static const char *weekly_root(gex__reader *r, const char *u, size_t u_len, int32_t expiration,
                               const char *root, size_t *root_len)
{
    enum { FRIDAY = 5, THIRD_FRIDAY_FIRST = 15, THIRD_FRIDAY_LAST = 21 };
    for (size_t k = 0; k < r->opt->n_settle; k++)
        if (r->opt->settle[k].root != NULL && strlen(r->opt->settle[k].root) == u_len &&
            gex__strncasecmp_ascii(r->opt->settle[k].root, u, u_len) == 0)
            return root;
    for (size_t i = 0; i < sizeof weekly / sizeof weekly[0]; i++) {
        if (u_len != 3 || gex__strncasecmp_ascii(u, weekly[i][0], 3) != 0)
            continue;
        int day;
        gex_time_civil_from_days(expiration, NULL, NULL, &day);
        if (gex_time_weekday(expiration) == FRIDAY && day >= THIRD_FRIDAY_FIRST &&
            day <= THIRD_FRIDAY_LAST)
            return root;
        r->weekly_roots++;
        *root_len = strlen(weekly[i][1]);
        return weekly[i][1];
    }
    return root;
}

/* A row whose expiration is not its option symbol's date: bad, with both. */
static void symbol_date_differs(csv_reader *c, int side, const side_values *v, const gex__occ *occ)
{
    const gex__reader *r = c->r;
    int y, m, d;
    gex_time_civil_from_days(occ->expiration, &y, &m, &d);
    mark_bad(c, side, R_EXPIRATION, v->col[R_SYMBOL],
             "expiration \"%.*s\" is not the date of the row's option symbol (%.*s, expiring "
             "%04d-%02d-%02d): one of them is wrong",
             shown(r->last_exp_len), r->last_exp, (int)occ->root_len, occ->root, y, m, d);
}

static void long_row(csv_reader *c)
{
    gex__reader *r = c->r;
    side_values *v = &c->v[0];
    if (v->bad) {
        settle_quote_time(c);
        if (c->rc == GEX_OK)
            skip_side(c, 0);
        return;
    }
    if (v->occ_state == 3) {
        /* Only the root is needed when the row has strike, expiration and type. */
        if (isnan(v->num[R_STRIKE]) || !v->has_expiration || v->type < 0)
            v->occ_state =
                gex__occ_decode(v->text[R_SYMBOL], v->text_len[R_SYMBOL], &v->occ) == 0 ? 1 : 2;
        else if (memchr(r->last_exp, '/', r->last_exp_len) != NULL &&
                 gex__occ_decode(v->text[R_SYMBOL], v->text_len[R_SYMBOL], &v->occ) == 0)
            v->occ_state = 1; /* a slash date: checked against the symbol's (SPEC 2.5); the
                               * whole decode costs the read of ISO dates 8 %, so only here */
        else
            v->occ_state =
                gex__occ_root(v->text[R_SYMBOL], v->text_len[R_SYMBOL], &v->occ) == 0 ? 4 : 2;
    }
    const int has_occ = v->occ_state == 1, occ_failed = v->occ_state == 2;

    const int has_root = has_occ || v->occ_state == 4;
    const gex__occ *occ = &v->occ;
    gex_contract k = blank_contract();
    k.line = c->line;
    const char *sym = v->text[R_SYMBOL];
    int sym_len = shown(v->text_len[R_SYMBOL]);
    /* Strike, expiration, type: the columns, else the OCC symbol. */
    if (!isnan(v->num[R_STRIKE])) {
        k.strike = v->num[R_STRIKE];
        if (!(k.strike > 0))
            mark_bad(c, 0, R_STRIKE, v->col[R_STRIKE], "strike %g is not positive", k.strike);
    } else if (has_occ) {
        k.strike = occ->strike;
    } else if (occ_failed) {
        mark_bad(c, 0, R_SYMBOL, v->col[R_SYMBOL],
                 "option symbol \"%.*s\" is not an OCC symbol and the row has no strike", sym_len,
                 sym);
    } else {
        mark_bad(c, 0, R_STRIKE, v->col[R_STRIKE], "the strike is missing");
    }
    if (v->has_expiration && has_occ) {
        const int d =
            expiration_vs_symbol(c, v->col[R_EXPIRATION], &v->expiration, occ->expiration);
        if (d < 0)
            return;
        if (d > 0)
            symbol_date_differs(c, 0, v, occ);
        k.expiration = v->expiration;
    } else if (v->has_expiration)
        k.expiration = v->expiration;
    else if (has_occ)
        k.expiration = occ->expiration;
    else if (occ_failed)
        mark_bad(c, 0, R_SYMBOL, v->col[R_SYMBOL],
                 "option symbol \"%.*s\" is not an OCC symbol and the row has no expiration",
                 sym_len, sym);
    else
        mark_bad(c, 0, R_EXPIRATION, v->col[R_EXPIRATION], "the expiration is missing");
    /* The row's cells have told the order of day and month what they can. */
    settle_quote_time(c);
    if (c->rc != GEX_OK)
        return;
    if (v->type >= 0)
        k.type = v->type;
    else if (has_occ)
        k.type = occ->type;
    else if (occ_failed)
        mark_bad(c, 0, R_SYMBOL, v->col[R_SYMBOL],
                 "option symbol \"%.*s\" is not an OCC symbol and the row has no type", sym_len,
                 sym);
    else
        mark_bad(c, 0, R_TYPE, v->col[R_TYPE], "the type is missing");
    /* Underlying: the column, else the symbol's root, else --symbol. */
    span u = {NULL, 0};
    char mapped[GEX__FIELD_MAX + 1];
    if (!v->bad && v->text_len[R_UNDERLYING] > 0) {
        /* The same text as the row before: the same cleaned span. */
        size_t len = v->text_len[R_UNDERLYING];
        if (len == c->last_u_raw_len && len <= SHORT_FIELD &&
            short_equal(v->text[R_UNDERLYING], c->last_u_raw, len)) {
            u = (span){v->text[R_UNDERLYING] + c->last_u_off, c->last_u_len};
        } else {
            u = clean_underlying(v->text[R_UNDERLYING], len);
            memcpy(c->last_u_raw, v->text[R_UNDERLYING], len);
            c->last_u_raw_len = u.len > 0 ? len : 0;
            c->last_u_off = (size_t)(u.s - v->text[R_UNDERLYING]);
            c->last_u_len = u.len;
        }
        if (u.len == 0)
            mark_bad(c, 0, R_UNDERLYING, v->col[R_UNDERLYING],
                     "underlying \"%.*s\" is not a ticker", shown(v->text_len[R_UNDERLYING]),
                     v->text[R_UNDERLYING]);
    } else if (!v->bad && has_root) {
        u.len = gex__root_underlying(occ->root, occ->root_len, mapped);
        u.s = mapped;
    } else if (!v->bad && r->opt->symbol != NULL && c->prio[R_UNDERLYING] == SIZE_MAX &&
               c->prio[R_SYMBOL] == SIZE_MAX) {
        /* --symbol names the rows of a file with neither column (SPEC 2.1); an empty cell of
         * one says nothing of whose the row is, and would become --symbol's whatever it is */
        u = (span){r->opt->symbol, strlen(r->opt->symbol)};
    } else if (!v->bad) {
        mark_bad(c, 0, R_UNDERLYING, v->col[R_UNDERLYING], "the underlying is missing");
    }
    double multiplier = (double)NAN;
    if (!v->bad && v->text_len[R_MULTIPLIER] > 0) {
        const char *m = v->text[R_MULTIPLIER];
        size_t mlen = v->text_len[R_MULTIPLIER];
        if (strncasecmp(m, "REGULAR", mlen) == 0 && mlen == 7)
            multiplier = GEX__DEFAULT_MULTIPLIER; /* yfinance's contractSize (SPEC 2.1) */
        else if (gex__read_number(r, m, mlen, &multiplier) != 0 ||
                 (!isnan(multiplier) && !(multiplier > 0 && isfinite(multiplier))))
            mark_bad(c, 0, R_MULTIPLIER, v->col[R_MULTIPLIER],
                     "multiplier \"%.*s\" is not a positive number", shown(mlen), m);
        else if (multiplier > GEX_MULTIPLIER_MAX)
            mark_bad(c, 0, R_MULTIPLIER, v->col[R_MULTIPLIER],
                     "multiplier \"%.*s\" is out of range (at most %.0f)", shown(mlen), m,
                     GEX_MULTIPLIER_MAX);
    }
    char currency[4] = "";
    if (!v->bad && v->text_len[R_CURRENCY] > 0 &&
        !gex__is_missing(v->text[R_CURRENCY], v->text_len[R_CURRENCY]) &&
        read_currency(v->text[R_CURRENCY], v->text_len[R_CURRENCY], currency) != 0)
        mark_bad(c, 0, R_CURRENCY, v->col[R_CURRENCY],
                 "currency \"%.*s\" is not an ISO 4217 code (three letters, such as USD)",
                 shown(v->text_len[R_CURRENCY]), v->text[R_CURRENCY]);
    /* An index's row whose symbol is no OCC symbol and that has no root column: the root (SPXW
     * or SPX, PM or AM settled) was to come from the symbol, and is never guessed (SPEC 2.5). */
    if (!v->bad && occ_failed && v->text_len[R_ROOT] == 0 && has_weekly_root(u.s, u.len))
        mark_bad(c, 0, R_SYMBOL, v->col[R_SYMBOL],
                 "option symbol \"%.*s\" is not an OCC symbol, and the row's option root (of "
                 "%.*s, whose weeklies have their own) is known only from it",
                 sym_len, sym, (int)u.len, u.s);
    if (v->bad || take_oi(c, 0, v->num[R_OI], &k) != 0) {
        skip_side(c, 0);
        return;
    }
    fill_numbers(v, &k);
    k.multiplier = multiplier;
    const char *root = has_root ? occ->root : u.s;
    size_t root_len = has_root ? occ->root_len : u.len;
    if (!has_root && v->text_len[R_ROOT] > 0) {
        span rt = clean_underlying(v->text[R_ROOT], v->text_len[R_ROOT]);
        if (rt.len > 0) {
            root = rt.s;
            root_len = rt.len;
        }
    } else if (!has_root) {
        root = weekly_root(r, u.s, u.len, k.expiration, root, &root_len);
    }
    const size_t before = r->chain->n;
    int rc = gex__reader_add(r, u.s, u.len, root, root_len, &k, v->num[R_SPOT]);
    if (rc == GEX_OK && currency[0] != '\0' && r->chain->n > before)
        rc = gex__reader_currency(r, currency, c->line);
    if (rc != GEX_OK)
        c->rc = gex__reader_add_failed(r, rc, c->line);
}

/* Whether a root is an adjusted or mini root of the CBOE file's underlying: its name and
 * digits (TSLA1 after a split, AAPL7 the 10-share minis), delivering other than 100 shares. */
static int adjusted_root(const csv_reader *c, const gex__occ *occ)
{
    const size_t base = gex__deliverable_base(occ->root, occ->root_len, NULL, 0);
    return base > 0 && base == c->cboe_u_len && memcmp(occ->root, c->cboe_u, base) == 0;
}

/* The CBOE file's underlying from a root: its index (SPXW: SPX), an adjusted root's digits
 * left off (TSLA1: TSLA). Its length. */
static size_t cboe_underlying(const gex__occ *occ, char out[GEX__FIELD_MAX + 1])
{
    size_t n = gex__root_underlying(occ->root, occ->root_len, out);
    const size_t base = gex__deliverable_base(out, n, NULL, 0);
    if (base > 0) {
        out[base] = '\0';
        n = base;
    }
    return n;
}

/* Whether an OCC symbol's root is of the CBOE file's underlying (cboe_u): its root as the
 * last one seen, or mapped to it (gex__root_underlying). */
static int of_cboe_underlying(csv_reader *c, const gex__occ *occ)
{
    if (occ->root_len == c->cboe_root_len && memcmp(occ->root, c->cboe_root, occ->root_len) == 0)
        return 1;
    char mapped[GEX__FIELD_MAX + 1];
    const size_t n = gex__root_underlying(occ->root, occ->root_len, mapped);
    if (n != c->cboe_u_len || memcmp(mapped, c->cboe_u, n) != 0)
        return 0;
    if (occ->root_len <= sizeof c->cboe_root) {
        memcpy(c->cboe_root, occ->root, occ->root_len);
        c->cboe_root_len = occ->root_len;
    }
    return 1;
}

static void cboe_row(csv_reader *c)
{
    gex__reader *r = c->r;
    side_values *shared = &c->v[0];
    int32_t expiration = 0;
    double strike = shared->num[R_STRIKE];
    if (!c->shared_bad) {
        if (isnan(strike) || !(strike > 0))
            mark_bad(c, 2, R_STRIKE, shared->col[R_STRIKE],
                     "the strike is missing or not positive");
        else if (!shared->has_expiration)
            mark_bad(c, 2, R_EXPIRATION, shared->col[R_EXPIRATION], "the expiration is missing");
        else
            expiration = shared->expiration;
    }
    if (c->shared_bad) {
        int rc = gex__reader_skip(r, c->shared_reason, c->line, c->shared_col, c->shared_what);
        if (rc != GEX_OK)
            c->rc = rc;
        return;
    }
    for (int side = 0; side < 2; side++) {
        side_values *v = &c->v[side];
        const gex__occ *occ = &v->occ;
        if (!v->bad && v->occ_state != 1)
            mark_bad(c, side, R_SYMBOL, v->col[R_SYMBOL],
                     "%soption symbol \"%.*s\" is not an OCC symbol", side_of(c, side),
                     shown(v->text_len[R_SYMBOL]), v->text[R_SYMBOL]);
        if (!v->bad) {
            const int d =
                expiration_vs_symbol(c, shared->col[R_EXPIRATION], &expiration, occ->expiration);
            if (d < 0)
                return;
            if (d > 0)
                symbol_date_differs(c, side, v, occ);
        }
        gex_contract k = blank_contract();
        k.line = c->line;
        k.expiration = expiration;
        k.strike = strike;
        k.type = side == 0 ? GEX_CALL : GEX_PUT;
        if (!v->bad) {
            if (c->cboe_u_len == 0)
                c->cboe_u_len = cboe_underlying(occ, c->cboe_u);
            if (adjusted_root(c, occ))
                mark_bad(c, side, R_SYMBOL, v->col[R_SYMBOL],
                         "the option root %.*s is an adjusted or mini root of %s: it delivers "
                         "other than 100 shares, which a CBOE download does not state",
                         (int)occ->root_len, occ->root, c->cboe_u);
            else if (!of_cboe_underlying(c, occ)) {
                c->rc = gex_error_set(r->err, GEX_EPARSE, r->name, c->line, 0,
                                      "the option symbol's root %.*s is not of %s, the "
                                      "underlying of the rows above: a CBOE download is of one "
                                      "underlying, read at its preamble's spot, so these rows "
                                      "look joined from another file; read each download on "
                                      "its own",
                                      (int)occ->root_len, occ->root, c->cboe_u);
                return;
            }
        }
        if (v->bad || take_oi(c, side, v->num[R_OI], &k) != 0) {
            if (skip_side(c, side))
                return;
            continue;
        }
        fill_numbers(v, &k);
        int rc = gex__reader_add(r, c->cboe_u, c->cboe_u_len, occ->root, occ->root_len, &k,
                                 r->preamble_spot);
        if (rc != GEX_OK) {
            c->rc = gex__reader_add_failed(r, rc, c->line);
            return;
        }
    }
}

/* The fast path's plan (fast_row) from the header's columns: what take_field would decide for
 * each column on every row. Without one (out of memory, a CBOE header of fewer than two
 * columns) the fast path takes every field through take_field. */
static void make_plan(csv_reader *c)
{
    if (c->ncols == 0 || (c->cboe && c->ncols < 2))
        return;
    col_plan *plan = calloc(c->ncols, sizeof *plan);
    if (plan == NULL)
        return;
    for (size_t i = 0; i < c->ncols; i++) {
        role ro = (role)c->role[i];
        col_plan *p = &plan[i];
        p->role = (unsigned char)ro;
        p->side = c->side[i];
        p->v = (unsigned char)(c->side[i] == 2 ? 0 : c->side[i]);
        p->preamble = (unsigned char)(c->cboe && i < 2);
        p->op = ro == R_NONE ? OP_SKIP : ro < FIRST_NUMBER_ROLE ? OP_TEXT : OP_NUMBER;
        if (ro == R_UNDERLYING || ro == R_ROOT || ro == R_MULTIPLIER || ro == R_CURRENCY ||
            (ro == R_SYMBOL && c->symbol_root_only))
            p->op = OP_COPY;
        else if (ro == R_EXPIRATION)
            p->op = OP_EXPIRATION;
        else if (ro == R_TYPE)
            p->op = OP_TYPE;
        else if (ro == R_QUOTE_TIME)
            p->op = OP_QUOTE_TIME;
        p->max = role_max(ro);
    }
    c->plan = plan;
}

static void header_done(csv_reader *c)
{
    gex__reader *r = c->r;
    c->header_done = 1;
    if (c->cboe) {
        make_plan(c);
        return;
    }
    /* SPEC 2.1 lists "root" among the underlying's names; beside a better one (underlying,
     * symbol) it is what it says, the OCC root (SPXW beside SPX). */
    if (c->root_col != SIZE_MAX && c->role[c->root_col] == R_NONE)
        c->role[c->root_col] = R_ROOT;
    c->symbol_root_only = c->prio[R_STRIKE] != SIZE_MAX && c->prio[R_EXPIRATION] != SIZE_MAX &&
                          c->prio[R_TYPE] != SIZE_MAX;
    c->has_underlying_source = c->prio[R_UNDERLYING] != SIZE_MAX || c->prio[R_SYMBOL] != SIZE_MAX ||
                               r->opt->symbol != NULL;
    if (!c->has_underlying_source)
        c->rc = gex_error_set(r->err, GEX_EPARSE, r->name, c->line, 0,
                              "the header names no underlying (underlying, symbol, root, ticker) "
                              "and no option symbol; pass --symbol to name the underlying");
    make_plan(c);
}

/* The fields of the row being read (long CSV), trimmed as the row's were; 0 when they were
 * not kept (more than ROW_KEEP_FIELDS, or ROW_KEEP_BYTES). */
static size_t row_fields(const csv_reader *c, span *f)
{
    if (c->row_s != NULL) {
        const size_t n = split_line(c->row_s, c->row_len, f, ROW_KEEP_FIELDS + 1);
        return n <= ROW_KEEP_FIELDS ? n : 0;
    }
    if (c->keep_over)
        return 0;
    size_t at = 0;
    for (size_t i = 0; i < c->keep_n; i++) {
        f[i] = trim((span){c->keep + at, c->keep_end[i] - at});
        at = c->keep_end[i];
    }
    return c->keep_n;
}

/* A bad row of a long CSV that may be the header again: two files joined into one (SPEC 2.5).
 * Its cells the header's names (compared as the header's are matched: case, blanks, '_' and
 * '-' aside) in the header's order: 1, the row skipped and counted for finish()'s warning.
 * The header's names in another order, or the header of another layout: -1, the read refused,
 * since the rows after it would be read in the first file's columns. Else 0. */
static GEX__COLD int header_again(csv_reader *c)
{
    if (c->names == NULL || c->ncols > ROW_KEEP_FIELDS)
        return 0;
    span f[ROW_KEEP_FIELDS + 1];
    size_t n = row_fields(c, f);
    while (n > c->ncols && f[n - 1].len == 0) /* a re-save's padding: ",,," */
        n--;
    if (n == 0)
        return 0;
    int same = n == c->ncols, reordered = same;
    unsigned char used[ROW_KEEP_FIELDS] = {0};
    for (size_t i = 0; i < n && reordered; i++) {
        char norm[NORM_MAX];
        normalise(f[i].s, f[i].len, norm);
        same &= strcmp(norm, c->names[i]) == 0;
        size_t k = 0;
        while (k < c->ncols && (used[k] || strcmp(norm, c->names[k]) != 0))
            k++;
        reordered = k < c->ncols;
        if (reordered)
            used[k] = 1;
    }
    gex__reader *r = c->r;
    if (same) {
        if (r->header_repeats++ == 0)
            r->header_repeat_line = c->line;
        return 1;
    }
    if (!reordered && classify_header(f, n) == GEX_FORMAT_AUTO)
        return 0;
    c->rc = gex_error_set(
        r->err, GEX_EPARSE, r->name, c->line, 0,
        "this line is a header again, %s line %ld's: the file joins two files of different "
        "columns, whose rows after this line would be read in the first one's columns; split "
        "it and read each part on its own",
        reordered ? "with the same names in another order than" : "of other columns than",
        c->header_line);
    return -1;
}

/* Whether a bad row of a long CSV could be a header: some cell was not its column's value. */
static int may_be_header(const csv_reader *c)
{
    return !c->cboe && (c->v[0].bad || c->v[0].occ_state == 2 || c->field < c->ncols);
}

static void on_row(int term, void *data)
{
    csv_reader *c = data;
    if (c->rc != GEX_OK)
        return;
    if (c->field == 0) {
        /* An empty record: a blank line, or the LF of a CRLF already counted. */
        if (!(term == '\n' && c->prev_c == '\r') && term != -1)
            c->line++;
        c->prev_c = term;
        return;
    }
    if (!c->header_done) {
        header_done(c);
    } else if (c->second_preamble) {
        c->rc = gex_error_set(c->r->err, GEX_EPARSE, c->r->name, c->line, 0,
                              "another CBOE download starts on this line (its preamble or "
                              "header): two files joined into one would be read at the first "
                              "one's spot and date; split them and read each on its own");
        return;
    } else if (!c->any_text) {
        /* ",,,,": padding, not a contract. */
    } else if (may_be_header(c) && header_again(c) != 0) {
        if (c->rc != GEX_OK)
            return;
    } else {
        c->r->rep->rows++;
        if (c->cboe || c->field < c->ncols)
            settle_quote_time(c); /* a long row's waits for its expiration's (long_row) */
        if (c->rc != GEX_OK)
            return;
        if (c->field < c->ncols) {
            char what[96];
            snprintf(what, sizeof what, "the row has %zu fields, the header %zu", c->field,
                     c->ncols);
            char u[GEX__FIELD_MAX + 1];
            size_t u_len = c->cboe ? 0 : bad_row_underlying(&c->v[0], u);
            int rc =
                gex__reader_skip_of(c->r, u, u_len, GEX_SKIP_SHORT_ROW, c->line, c->col - 1, what);
            if (rc != GEX_OK)
                c->rc = rc;
        } else if (c->cboe) {
            cboe_row(c);
        } else {
            long_row(c);
        }
    }
    settle_quote_time(c); /* a row read no further (padding, the header again) */
    if (c->nl > 0 && c->header_done && c->r->multiline++ == 0) {
        c->r->multiline_from = c->line;
        c->r->multiline_to = c->line + (long)c->nl;
    }
    c->line += 1 + c->nl;
    c->prev_c = term;
    reset_row(c);
}

/* libcsv grows its field buffer by a constant block (csv_increase_buffer), which makes a long
 * field quadratic. Its allocator hook gets geometric growth instead: each block carries its
 * capacity in front, and a realloc within the capacity returns the same block. A field beyond
 * FIELD_BYTES_MAX is refused (libcsv then reports CSV_ENOMEM): no chain has one. */

typedef union field_block {
    size_t capacity;
    max_align_t align;
} field_block;

static void *field_realloc(void *p, size_t size)
{
    field_block *b = p != NULL ? (field_block *)p - 1 : NULL;
    if (b != NULL && size <= b->capacity)
        return p;
    if (size > FIELD_BYTES_MAX)
        return NULL;
    size_t cap = b != NULL ? b->capacity * 2 : FIELD_BLOCK_MIN;
    if (cap < size)
        cap = size;
    if (cap > FIELD_BYTES_MAX)
        cap = FIELD_BYTES_MAX;
    field_block *nb = realloc(b, sizeof *nb + cap);
    if (nb == NULL)
        return NULL;
    nb->capacity = cap;
    return nb + 1;
}

static void field_free(void *p)
{
    if (p != NULL)
        free((field_block *)p - 1);
}

/* Sizing the arrays from the first chunk: enough contracts for a stable bytes-per-contract
 * figure, and 5% over the estimate for the variation along the file. */
#define SIZING_MIN_CONTRACTS 256
#define SIZING_MARGIN        1.05

/* A new tokeniser: geometric field growth, and the state it is in between two records. */
static int parser_init(csv_reader *c)
{
    if (csv_init(&c->parser, CSV_APPEND_NULL | CSV_REPALL_NL) != 0)
        return -1;
    csv_set_realloc_func(&c->parser, field_realloc);
    csv_set_free_func(&c->parser, field_free);
    c->row_start_state = c->parser.pstate;
    return 0;
}

/* A reader of CSV rows from the header line on (the header not yet read), or NULL when out of
 * memory. consumed: bytes of the input before the header, for sizing the arrays. */
static csv_reader *csv_reader_new(gex__reader *r, const gex__detected *det, size_t consumed)
{
    csv_reader *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (parser_init(c) != 0) {
        free(c);
        return NULL;
    }
    c->r = r;
    c->cboe = det->format == GEX_FORMAT_CBOE_CSV;
    c->line = det->header_line;
    c->header_line = det->header_line;
    c->prev_c = '\n';
    for (int k = 0; k < R_COUNT; k++)
        c->prio[k] = SIZE_MAX;
    c->root_col = SIZE_MAX;
    c->owns_columns = 1;
    c->consumed = consumed;
    reset_row(c);
    return c;
}

static void csv_reader_free(csv_reader *c)
{
    if (c == NULL)
        return;
    csv_free(&c->parser);
    if (c->owns_columns) {
        free(c->role);
        free(c->side);
        free(c->names);
        free(c->plan);
    }
    free(c);
}

/* Between two records: the tokeniser holds no field, and the last byte ended a record. */
static int at_row_start(const csv_reader *c)
{
    return c->rc == GEX_OK && c->parser.pstate == c->row_start_state && !c->parser.quoted &&
           c->parser.entry_pos == 0 && c->field == 0;
}

/* Hands bytes to libcsv; returns the reader's status. */
static int libcsv_feed(csv_reader *c, const char *s, size_t n)
{
    gex__reader *r = c->r;
    if (csv_parse(&c->parser, s, n, on_field, on_row, c) != n && c->rc == GEX_OK)
        c->rc = gex_error_set(r->err, GEX_EPARSE, r->name, c->line, 0,
                              "a field longer than %zu MB, or out of memory (%s): not an "
                              "option chain; check the file (an unclosed quote?)",
                              FIELD_BYTES_MAX >> 20, csv_strerror(csv_error(&c->parser)));
    return c->rc;
}

/* The fast path takes lines up to this long; longer ones go to libcsv, whose field limit
 * (FIELD_BYTES_MAX) then applies as before. */
#define FAST_LINE_MAX ((size_t)64 << 10)

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* A text cell of the plan: the common cases of take_text inline (a call per cell saves and
 * restores most registers), each giving what take_text gives for the same text; every other
 * cell through take_text. A short copy needs wide (SHORT_FIELD readable bytes). */
static GEX__ALWAYS_INLINE void plan_text(csv_reader *c, side_values *v, const col_plan *p, long col,
                                         const char *s, size_t len, int wide)
{
    role ro = (role)p->role;
    switch ((col_op)p->op) {
    case OP_COPY:
        /* The symbol's missing-value tokens are at most 4 bytes long (gex__is_missing). */
        if (wide && len < SHORT_FIELD && (ro != R_SYMBOL || len > 4)) {
            if (ro == R_SYMBOL)
                v->occ_state = 3;
            copy_field(v->text[ro], s, len, 1);
            v->text_len[ro] = len;
            return;
        }
        break;
    case OP_EXPIRATION: {
        const gex__reader *r = c->r;
        if (wide && len > 4 && len <= SHORT_FIELD && len == r->last_exp_len && r->last_exp_ok &&
            short_equal(s, r->last_exp, len)) {
            v->expiration = r->last_exp_day;
            v->has_expiration = 1;
            return;
        }
        break;
    }
    case OP_TYPE:
        if (len == 1) {
            int type = parse_type(s, len);
            if (type >= 0) {
                v->type = type;
                return;
            }
        }
        break;
    case OP_QUOTE_TIME:
        if (wide && len > 0 && len <= SHORT_FIELD && len == c->last_qt_len &&
            short_equal(c->last_qt, s, len)) {
            c->r->snapshot_rows = 1;
            c->r->bad_times += (size_t)c->last_qt_bad;
            return;
        }
        break;
    default:
        break;
    }
    take_text(c, v, p->side, ro, col, s, len, wide);
}

/* A field of a row after the header, through the plan (make_plan): what take_field does, with
 * the decisions that depend only on the column made once per header. No field of a row can
 * fail the read (the row's problems are noted in the sides and reported by on_row). */
static GEX__ALWAYS_INLINE void plan_field(csv_reader *c, const char *s, size_t len, int wide)
{
    size_t i = c->field++;
    long col = c->col;
    c->col += (long)len + 1;
    c->any_text |= len > 0;
    if (i >= c->ncols)
        return;
    const col_plan *p = &c->plan[i];
    if (p->preamble)
        check_second_preamble(c, i, s, len);
    if (p->op == OP_SKIP)
        return;
    side_values *v = &c->v[p->v];
    role ro = (role)p->role;
    v->col[ro] = col;
    if (p->op != OP_NUMBER) {
        plan_text(c, v, p, col, s, len, wide);
        return;
    }
    double x;
    uint64_t m;
    int decimals;
    if (wide && len - 1 < 8 && gex__decimal_parts8(s, len, &m, &decimals) == 0) {
        /* The value m / 10^decimals is at least 0 and, rounded, at most m (an exact double):
         * m within the column's range puts it there, decided before the division. */
        x = (double)m;
        /* Divided by 10^0 = 1 too (exact): a branch on the decimals would be mispredicted in
         * columns that mix integers and decimals. */
        if (x <= p->max) {
            v->num[ro] = x / gex__pow10_exact[decimals];
            return;
        }
        x /= gex__pow10_exact[decimals];
    } else if (gex__read_number(c->r, s, len, &x) != 0 && percent_iv(c->r, ro, s, len, &x) != 0) {
        bad_number(c, p->side, ro, col, s, len, 0, 0);
        return;
    }
    if (!isnan(x) && !(fabs(x) <= p->max)) {
        bad_number(c, p->side, ro, col, s, len, 1, x);
        return;
    }
    v->num[ro] = x;
}

/* The field s[start..end) with its blanks trimmed, through the plan when planned; 0, or -1
 * when the read has failed. */
static GEX__ALWAYS_INLINE int fast_field(csv_reader *c, const char *s, size_t start, size_t end,
                                         const char *limit, int planned)
{
    while (start < end && is_blank(s[start]))
        start++;
    while (end > start && is_blank(s[end - 1]))
        end--;
    const int wide = limit - (s + start) >= SHORT_FIELD;
    if (planned) {
        plan_field(c, s + start, end - start, wide);
        return 0;
    }
    take_field(c, s + start, end - start, wide);
    return c->rc == GEX_OK ? 0 : -1;
}

/* One record of an unquoted line s[0..len) that LF ends (CRLF when crlf; neither is in s),
 * split as libcsv splits it (libcsv.c, csv_parse, with CSV_REPALL_NL and its default
 * space and terminator classes): fields at each comma, blanks (space, tab) trimmed from both
 * ends of each, a line of blanks alone an empty record; a CRLF is the record ended by CR and
 * an empty record ended by LF. limit: the end of the readable bytes. */
static GEX__ALWAYS_INLINE void fast_split(csv_reader *c, const char *s, size_t len, int crlf,
                                          const char *limit, int planned)
{
    size_t i = 0;
    while (i < len && is_blank(s[i]))
        i++;
    if (i < len) {
        size_t start = 0;
#if defined(__SSE2__)
        /* The commas of 16 bytes at a time as a bit mask (SSE2, every x86-64): no call per
         * field; the bytes past the line but before limit are read and masked off. */
        const __m128i commas = _mm_set1_epi8(',');
        for (size_t b = 0; b < len; b += 16) {
            unsigned mask = 0;
            if ((size_t)(limit - (s + b)) >= 16) {
                const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + b));
                mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, commas));
            } else {
                for (size_t k = 0; k < 16 && b + k < len; k++)
                    mask |= (unsigned)(s[b + k] == ',') << k;
            }
            if (len - b < 16)
                mask &= (1u << (len - b)) - 1;
            for (; mask != 0; mask &= mask - 1) {
                const size_t at = b + (size_t)__builtin_ctz(mask);
                if (fast_field(c, s, start, at, limit, planned) != 0)
                    return;
                start = at + 1;
            }
        }
#else
        for (const char *comma; (comma = memchr(s + start, ',', len - start)) != NULL;) {
            if (fast_field(c, s, start, (size_t)(comma - s), limit, planned) != 0)
                return;
            start = (size_t)(comma - s) + 1;
        }
#endif
        if (fast_field(c, s, start, len, limit, planned) != 0)
            return;
    }
    on_row(crlf ? '\r' : '\n', c);
    if (crlf)
        on_row('\n', c);
}

/* One record of the fast path: the header's fields through take_field, a row's through the
 * plan. */
static void fast_record(csv_reader *c, const char *s, size_t len, int crlf, const char *limit)
{
    c->row_s = s;
    c->row_len = len;
    if (c->header_done && c->plan != NULL)
        fast_split(c, s, len, crlf, limit, 1);
    else
        fast_split(c, s, len, crlf, limit, 0);
    c->row_s = NULL;
}

/* Tokenises one chunk of the input; returns the reader's status. A line without a quote and
 * with no CR but the one of its CRLF is split here (fast_record), between two records; every
 * other byte (quoted fields, lone CRs, a line cut by the chunk's end, a record libcsv holds
 * part of) goes to libcsv, so quoting follows its rules exactly. */
static int csv_reader_feed(csv_reader *c, const char *chunk, size_t n)
{
    gex__reader *r = c->r;
    if (c->rc != GEX_OK || n == 0)
        return c->rc;
    const char *end = chunk + n;
    const char *quote = memchr(chunk, '"', n);
    c->scan_newlines = c->parser.quoted || quote != NULL;
    if (r->csv_libcsv_only) {
        if (libcsv_feed(c, chunk, n) != GEX_OK)
            return c->rc;
    } else {
        if (quote == NULL)
            quote = end;
        const char *cr = memchr(chunk, '\r', n);
        if (cr == NULL)
            cr = end;
        const char *p = chunk;
        while (p < end && c->rc == GEX_OK) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *stop = nl != NULL ? nl + 1 : end;
            if (quote < p && (quote = memchr(p, '"', (size_t)(end - p))) == NULL)
                quote = end;
            if (cr < p && (cr = memchr(p, '\r', (size_t)(end - p))) == NULL)
                cr = end;
            int crlf = nl != NULL && nl > p && cr == nl - 1;
            if (nl == NULL || !at_row_start(c) || quote < nl || (cr < nl && !crlf) ||
                (size_t)(nl - p) > FAST_LINE_MAX) {
                if (libcsv_feed(c, p, (size_t)(stop - p)) != GEX_OK)
                    return c->rc;
            } else {
                fast_record(c, p, (size_t)(nl - p) - (size_t)crlf, crlf, end);
            }
            p = stop;
        }
        if (c->rc != GEX_OK)
            return c->rc;
    }
    c->consumed += n;
    /* After the first chunk, the arrays are sized for the whole input once (5% margin) rather
     * than grown step by step: every growth of a large array copies it. */
    if (!c->sized && r->total_bytes > c->consumed && r->rep->contracts >= SIZING_MIN_CONTRACTS) {
        double estimate = (double)r->rep->contracts * (double)r->total_bytes / (double)c->consumed *
                          SIZING_MARGIN;
        c->sized = 1;
        if (estimate < (double)SIZE_MAX / 2)
            (void)gex__chain_reserve(r->chain, (size_t)estimate); /* a hint: may fail */
    }
    return c->rc;
}

/* The warning for lines before a long CSV header (the first of the report's warnings). */
static void preamble_warning(gex__reader *r, const csv_reader *c)
{
    if (!c->cboe && r->preamble_lines > 0) {
        char note[96];
        snprintf(note, sizeof note, "%ld line(s) before the header ignored", r->preamble_lines);
        snprintf(r->rep->warning, sizeof r->rep->warning, "%s", note);
    }
}

/* libcsv's state inside a field (libcsv.c: FIELD_BEGUN): with `quoted`, the input ended inside
 * a quoted field. */
#define LIBCSV_FIELD_BEGUN 2

/* A quote that is never closed would make the rest of the file one field of one row (read as a
 * short row, the contracts after it lost): an error naming the line of the row it opened in. */
static void check_unclosed_quote(csv_reader *c)
{
    if (c->rc != GEX_OK || !c->parser.quoted || c->parser.pstate != LIBCSV_FIELD_BEGUN)
        return;
    c->rc = gex_error_set(c->r->err, GEX_EPARSE, c->r->name, c->line, 0,
                          "a quote opened in the row of this line is never closed: the rest "
                          "of the file would be read as one field and its contracts lost; "
                          "close or remove the quote");
}

int gex__read_csv(gex__reader *r, const gex__detected *det, const char *prefix, size_t len,
                  gex__pull_fn next, void *data)
{
    csv_reader *c = csv_reader_new(r, det, det->header_offset);
    if (c == NULL)
        return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    preamble_warning(r, c);
    const char *chunk = prefix + det->header_offset;
    size_t n = len - det->header_offset;
    while (csv_reader_feed(c, chunk, n) == GEX_OK && n > 0)
        n = next != NULL ? next(data, &chunk) : 0;
    check_unclosed_quote(c);
    if (c->rc == GEX_OK)
        csv_fini(&c->parser, on_field, on_row, c);
    int rc = c->rc;
    if (rc == GEX_OK && !c->header_done)
        rc = gex_error_set(r->err, GEX_EEMPTY, r->name, det->header_line, 0,
                           "the file ends before its header line");
    csv_reader_free(c);
    return rc;
}

/* --- ranges of rows, read apart (chain-split.c) --- */

int gex__csv_header(gex__reader *r, const gex__detected *det, const char *line, size_t len,
                    gex__csv_part **out)
{
    *out = NULL;
    csv_reader *c = csv_reader_new(r, det, 0);
    if (c == NULL)
        return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    preamble_warning(r, c);
    int rc = csv_reader_feed(c, line, len);
    if (rc != GEX_OK) {
        csv_reader_free(c);
        return rc;
    }
    if (!c->header_done || !at_row_start(c)) {
        csv_reader_free(c); /* not one whole record: the caller reads the file in one piece */
        return GEX_OK;
    }
    *out = (gex__csv_part *)c;
    return GEX_OK;
}

int gex__csv_part_new(const gex__csv_part *header, gex__reader *r, long line, gex__csv_part **out)
{
    const csv_reader *h = (const csv_reader *)header;
    *out = NULL;
    csv_reader *c = malloc(sizeof *c);
    if (c == NULL)
        return GEX_ENOMEM;
    memcpy(c, h, sizeof *c);
    /* The columns are the header reader's (read-only from now on); the tokeniser is new. */
    c->owns_columns = 0;
    if (parser_init(c) != 0) {
        free(c);
        return GEX_ENOMEM;
    }
    c->r = r;
    c->line = line;
    c->prev_c = '\n';
    c->consumed = 0;
    c->sized = 0;
    c->cboe_u_len = 0;
    c->last_u_raw_len = 0;
    c->last_qt_len = 0;
    c->last_qt_bad = 0;
    c->qt_waits = 0;
    reset_row(c);
    *out = (gex__csv_part *)c;
    return GEX_OK;
}

int gex__csv_part_feed(gex__csv_part *p, const char *chunk, size_t n)
{
    return csv_reader_feed((csv_reader *)p, chunk, n);
}

int gex__csv_part_end(gex__csv_part *p, int last, int *row_start)
{
    csv_reader *c = (csv_reader *)p;
    *row_start = 0;
    if (c->rc != GEX_OK)
        return c->rc;
    if (last) {
        check_unclosed_quote(c);
        if (c->rc != GEX_OK)
            return c->rc;
        csv_fini(&c->parser, on_field, on_row, c);
        *row_start = 1;
    } else {
        *row_start = at_row_start(c);
    }
    return c->rc;
}

long gex__csv_part_line(const gex__csv_part *p)
{
    return ((const csv_reader *)p)->line;
}

size_t gex__csv_part_underlying(const gex__csv_part *p, const char **u)
{
    const csv_reader *c = (const csv_reader *)p;
    *u = c->cboe_u;
    return c->cboe_u_len;
}

void gex__csv_part_free(gex__csv_part *p)
{
    csv_reader_free((csv_reader *)p);
}
