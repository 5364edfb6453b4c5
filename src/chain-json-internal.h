/*
 * chain-json-internal.h: the JSON chain readers. chain-json.c walks a document with the pull
 * tokenizer (json-pull.c), recognises its layout from the containers it meets, and hands each
 * contract's record to the layout's reader (chain-json.c for CBOE, chain-schwab.c,
 * chain-tradier.c, chain-polygon.c, chain-opc.c and chain-ibkr.c), with the document's other
 * scalars kept aside for the end. Memory: one record and the chain, never the document. Not
 * installed.
 */
#ifndef GEX_CHAIN_JSON_INTERNAL_H
#define GEX_CHAIN_JSON_INTERNAL_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chain-row-internal.h"
#include "decimal-internal.h"
#include "gex/option.h"
#include "json-pull-internal.h"
#include "error-internal.h"

/* Reads a JSON document through next_chunk(..., data) into r: the layout options->format names,
 * or the one the document's content shows (AUTO). Sets r->rep->format. */
int gex__read_json(gex__reader *r, gex__chunk_fn next_chunk, void *data);

/* The most fields a layout takes from one record. */
#define GEX__JREC_MAX 24
/* A text longer than GEX__FIELD_MAX is kept as this length, no text: too long to be a value. */
#define GEX__JREC_TOO_LONG ((size_t)-1)

/* One record (a contract's object) as its layout's reader sees it: the value of each wanted
 * field (type GEX__JTOK_END when absent), the keys that lead to it, where it starts. */
typedef struct gex__jrec {
    gex__jtok type[GEX__JREC_MAX];
    size_t len[GEX__JREC_MAX];
    char text[GEX__JREC_MAX][GEX__FIELD_MAX + 1];
    /* The object keys above the record inside its container (Schwab: the expiration key and
     * the strike key; OPC: the date, "c" or "p", the strike), n_keys of them. */
    char key[3][GEX__FIELD_MAX + 1];
    size_t key_len[3], n_keys;
    size_t index;                   /* 0-based position of the record in the document's records */
    long line;                      /* the line where its object opens */
    long field_line[GEX__JREC_MAX]; /* where each field's value is (when it is there) */
} gex__jrec;

/* The scalars of the document outside its records, by dotted path ("underlying.last",
 * "data.current_price"), the first GEX__JTOP_MAX of them up to three objects deep. */
#define GEX__JTOP_MAX  64
#define GEX__JPATH_MAX 64
typedef struct gex__jtop {
    size_t n;
    char path[GEX__JTOP_MAX][GEX__JPATH_MAX];
    gex__jtok type[GEX__JTOP_MAX];
    size_t len[GEX__JTOP_MAX];
    char text[GEX__JTOP_MAX][GEX__FIELD_MAX + 1];
    long line[GEX__JTOP_MAX];
} gex__jtop;

/* A layout: its name for messages, the fields its records hold (dotted paths inside the
 * record), and what it does with each record and at the end of the document. */
typedef struct gex__jlayout {
    gex_format format;
    const char *name; /* "Schwab option-chain JSON" */
    const char *const *fields;
    size_t n_fields;
    size_t state_size; /* bytes of the layout's own state (zeroed), passed as state */
    /* One record: GEX_OK (added or counted as skipped) or a status with r->err filled. */
    int (*record)(gex__reader *r, void *state, const gex__jrec *rec);
    /* The end of the document: spots, the quote instant, refusals. */
    int (*finish)(gex__reader *r, void *state, const gex__jtop *top);
} gex__jlayout;

extern const gex__jlayout gex__jlayout_cboe, gex__jlayout_schwab, gex__jlayout_tradier,
    gex__jlayout_polygon, gex__jlayout_opc, gex__jlayout_ibkr;

/* How much two spots of one underlying may differ before the layouts warn: one part in 10^6
 * (float32 noise in IBKR's under_price is 1e-7 relative). */
#define GEX__SPOT_DIFF_WARN 1e-6

/* --- helpers for the layouts (static inline: the layouts call nothing in chain-json.c) --- */

/* The index of a wanted field (its position in the layout's fields). */
static inline const char *gex__jrec_text(const gex__jrec *rec, size_t field)
{
    const gex__jtok t = rec->type[field];
    return t != GEX__JTOK_END && t != GEX__JTOK_OBJECT && t != GEX__JTOK_ARRAY &&
                   rec->len[field] != GEX__JREC_TOO_LONG
               ? rec->text[field]
               : NULL;
}

/* The line of a field's value, for a message about it; the record's when it is absent. */
static inline long gex__jrec_line(const gex__jrec *rec, size_t field)
{
    return rec->type[field] != GEX__JTOK_END ? rec->field_line[field] : rec->line;
}

/* A field's value as a message shows it, into buf: its text quoted (the first 40 bytes, others
 * than printable ASCII as '?'), or what it is when it has none (an object, an array, absent). */
static inline void gex__jrec_shown(const gex__jrec *rec, size_t field, char *buf, size_t size)
{
    const gex__jtok t = rec->type[field];
    if (t == GEX__JTOK_END || t == GEX__JTOK_OBJECT || t == GEX__JTOK_ARRAY ||
        rec->len[field] == GEX__JREC_TOO_LONG) {
        snprintf(buf, size, "%s",
                 t == GEX__JTOK_END      ? "absent"
                 : t == GEX__JTOK_OBJECT ? "an object"
                 : t == GEX__JTOK_ARRAY  ? "an array"
                                         : "a value too long to read");
        return;
    }
    if (t == GEX__JTOK_TRUE || t == GEX__JTOK_FALSE || t == GEX__JTOK_NULL) {
        snprintf(buf, size, "%s",
                 t == GEX__JTOK_TRUE    ? "true"
                 : t == GEX__JTOK_FALSE ? "false"
                                        : "null");
        return;
    }
    const size_t len = rec->len[field];
    const int quoted = t == GEX__JTOK_STRING;
    snprintf(buf, size, "%s%.*s%s%s", quoted ? "\"" : "", (int)(len < 40 ? len : 40),
             rec->text[field], len > 40 ? "..." : "", quoted ? "\"" : "");
    for (char *c = buf; *c != '\0'; c++) /* the message stays printable */
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
            *c = '?';
}

/* A numeric field: a JSON number, a numeric string ("1e12", "NaN"), null or absent (NAN).
 * 0 and *v, or -1 (not a number). */
static inline int gex__jrec_number(const gex__reader *r, const gex__jrec *rec, size_t field,
                                   double *v)
{
    gex__jtok t = rec->type[field];
    if (t == GEX__JTOK_END || t == GEX__JTOK_NULL) {
        *v = (double)NAN;
        return 0;
    }
    if ((t != GEX__JTOK_NUMBER && t != GEX__JTOK_STRING) || rec->len[field] == GEX__JREC_TOO_LONG)
        return -1;
    /* A JSON number of digits and a point in at most 8 bytes (most of a chain's): one word
     * (gex__decimal_parse8 reads 8 bytes; a field's text holds GEX__FIELD_MAX + 1), the very
     * double gex__read_number gives. */
    if (t == GEX__JTOK_NUMBER && rec->len[field] <= 8 && !r->csv_libcsv_only &&
        gex__decimal_parse8(rec->text[field], rec->len[field], v) == 0)
        return 0;
    if ((t == GEX__JTOK_STRING && memchr(rec->text[field], '\0', rec->len[field]) != NULL) ||
        gex__read_number(r, rec->text[field], rec->len[field], v) != 0)
        return -1;
    return isnan(*v) || isfinite(*v) ? 0 : -1;
}

/* A scalar of the document, or NULL; *type its token type when not NULL. */
static inline const char *gex__jtop_get(const gex__jtop *top, const char *path, gex__jtok *type)
{
    for (size_t i = 0; i < top->n; i++)
        if (strcmp(top->path[i], path) == 0 && top->len[i] != GEX__JREC_TOO_LONG) {
            if (type != NULL)
                *type = top->type[i];
            return top->text[i];
        }
    return NULL;
}

/* A positive price of the document at path, at most GEX_PRICE_MAX: 0 and *v, or -1. */
static inline int gex__jtop_price(const gex__reader *r, const gex__jtop *top, const char *path,
                                  double *v)
{
    gex__jtok t;
    const char *s = gex__jtop_get(top, path, &t);
    if (s == NULL || (t != GEX__JTOK_NUMBER && t != GEX__JTOK_STRING) ||
        gex__read_number(r, s, strlen(s), v) != 0 || !(*v >= GEX_PRICE_MIN) || *v > GEX_PRICE_MAX)
        return -1;
    return 0;
}

/* Notes a quote instant (UTC seconds) of a record: the latest is kept; differing instants are
 * warned about (r->time_varies), as for a CSV's quote_time column. */
static inline void gex__reader_note_instant(gex__reader *r, int64_t utc)
{
    if (!r->has_time) {
        r->has_time = 1;
        r->time = utc;
    } else if (utc != r->time) {
        r->time_varies = 1;
        if (utc > r->time)
            r->time = utc;
    }
}

/* Gives every underlying without a spot this one (a document's single spot, found at its
 * end). */
static inline void gex__reader_default_spot(gex__reader *r, double spot)
{
    for (size_t s = 0; s < r->chain->n_sym; s++)
        if (isnan(r->chain->sym_spot[s]))
            r->chain->sym_spot[s] = spot;
}

/* Appends a warning to the report's line ("; "-separated). */
static inline void gex__jwarn(gex__reader *r, const char *text)
{
    gex__reader_warn(r, "%s", text);
}

/* A record's number in [lo, hi] (NAN when absent or equal to the layout's sentinel, if any):
 * 0 and *v, or -1. */
static inline int gex__jrec_bounded(const gex__reader *r, const gex__jrec *rec, size_t field,
                                    double lo, double hi, double sentinel, double *v)
{
    if (gex__jrec_number(r, rec, field, v) != 0)
        return -1;
    if (*v == sentinel)
        *v = (double)NAN;
    return isnan(*v) || (*v >= lo && *v <= hi) ? 0 : -1;
}

/* A record's open interest, from 0 to GEX_CONTRACTS_MAX, into k->open_interest: absent (or
 * the layout's sentinel) is 0 and counted in r->missing_oi, which gex__json_require_oi reads.
 * 0, or -1 when it is not such a number (the layout skips the record, naming its field). */
static inline int gex__jrec_open_interest(gex__reader *r, const gex__jrec *rec, size_t field,
                                          double sentinel, gex_contract *k)
{
    double oi;
    if (gex__jrec_bounded(r, rec, field, 0, GEX_CONTRACTS_MAX, sentinel, &oi) != 0)
        return -1;
    if (isnan(oi)) {
        r->missing_oi++;
        oi = 0;
    }
    k->open_interest = oi;
    return 0;
}

/* Into what[0..size), for a message: why a record's numeric field, named name, is no number in
 * [lo, hi] (gex__jrec_bounded), with its value: '"bid" "abc" is not a number', '"volume" -3 is
 * out of range (0 to 1000000000)' (lo DBL_MIN reads "above 0"). */
static inline void gex__jrec_number_said(const gex__reader *r, const gex__jrec *rec, size_t field,
                                         const char *name, double lo, double hi, char *what,
                                         size_t size)
{
    char shown[64];
    double v;
    gex__jrec_shown(rec, field, shown, sizeof shown);
    if (gex__jrec_number(r, rec, field, &v) != 0)
        snprintf(what, size, "\"%s\" %s is not a number", name, shown);
    else
        gex__snprintf_c(what, size, "\"%s\" %s is out of range (%s%.10g to %.10g)", name, shown,
                        lo == DBL_MIN ? "above " : "", lo == DBL_MIN ? 0 : lo, hi);
}

/* A numeric field a layout reads: the field, its bounds and where the number goes. */
typedef struct gex__jnumber {
    size_t field;
    double lo, hi;
    double *v;
} gex__jnumber;

/* Reads numbers[0..count) of a record (gex__jrec_bounded, the layout's sentinel as absent), in
 * that order, up to the first that is no number in its bounds: its field, with what[0..size)
 * saying so under its name in the layout's fields (gex__jrec_number_said), or -1 when every
 * one is. */
static inline int gex__jrec_numbers(const gex__reader *r, const gex__jrec *rec,
                                    const char *const *fields, const gex__jnumber *numbers,
                                    size_t count, double sentinel, char *what, size_t size)
{
    for (size_t i = 0; i < count; i++) {
        const gex__jnumber *n = &numbers[i];
        if (gex__jrec_bounded(r, rec, n->field, n->lo, n->hi, sentinel, n->v) != 0) {
            gex__jrec_number_said(r, rec, n->field, fields[n->field], n->lo, n->hi, what, size);
            return (int)n->field;
        }
    }
    return -1;
}

/* Type, expiration and strike of a record from its own fields (f_type "call" or "put", f_exp a
 * date, f_strike a price), each absent one from the record's OCC symbol (occ; NULL: it has
 * none). 0, or -1 with *why the reason to skip the record (type, expiration or strike). */
static inline int gex__jrec_terms(gex__reader *r, const gex__jrec *rec, size_t f_type, size_t f_exp,
                                  size_t f_strike, const gex__occ *occ, gex_contract *k,
                                  gex_skip_reason *why)
{
    const char *type = gex__jrec_text(rec, f_type);
    if (type != NULL && (strcmp(type, "call") == 0 || strcmp(type, "put") == 0))
        k->type = type[0] == 'c' ? GEX_CALL : GEX_PUT;
    else if (type == NULL && occ != NULL)
        k->type = occ->type;
    else
        return *why = GEX_SKIP_BAD_TYPE, -1;
    const char *exp = gex__jrec_text(rec, f_exp);
    if (exp != NULL ? gex__read_expiration(r, exp, rec->len[f_exp], &k->expiration) != 0
                    : occ == NULL)
        return *why = GEX_SKIP_BAD_EXPIRATION, -1;
    if (exp == NULL)
        k->expiration = occ->expiration;
    if (gex__jrec_bounded(r, rec, f_strike, DBL_MIN, GEX_PRICE_MAX, NAN, &k->strike) != 0 ||
        (isnan(k->strike) && occ == NULL))
        return *why = GEX_SKIP_BAD_STRIKE, -1;
    if (isnan(k->strike))
        k->strike = occ->strike;
    return 0;
}

/* Stores a record's contract (gex__reader_add); a failure is the read's error. */
static inline int gex__jrec_store(gex__reader *r, const char *u, size_t u_len, const char *root,
                                  size_t root_len, gex_contract *k, double spot)
{
    const int rc = gex__reader_add(r, u, u_len, root, root_len, k, spot);
    return rc != GEX_OK ? gex__reader_add_failed(r, rc, 0) : GEX_OK;
}

/* Every contract stored under the underlying named by sym (a document-level symbol such as
 * "$SPX" or "^RUT", its prefix dropped), when it is a usable name; then --symbol keeps or
 * leaves out the document's contracts. GEX_OK or GEX_ENOMEM. */
static inline int gex__reader_relabel(gex__reader *r, const char *sym)
{
    gex_chain *c = r->chain;
    if (sym != NULL && c->n > 0) {
        while (*sym == '^' || *sym == '_' || *sym == '$')
            sym++;
        size_t n = strlen(sym);
        char u[GEX__FIELD_MAX + 1];
        int ok = n > 0 && n <= GEX__FIELD_MAX;
        for (size_t i = 0; ok && i < n; i++) {
            unsigned char ch = (unsigned char)sym[i];
            ok = ch > ' ' && ch < 0x7f;
            u[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
        }
        if (ok) {
            u[n] = '\0';
            uint32_t idx;
            if (gex__chain_intern(c, u, n, &idx) != GEX_OK)
                return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
            for (size_t i = 0; i < c->n; i++)
                c->underlying[i] = idx;
        }
    }
    if (r->opt->symbol != NULL && c->n > 0) {
        size_t n = strlen(r->opt->symbol);
        size_t kept = 0;
        for (size_t i = 0; i < c->n; i++) {
            const char *have = c->sym[c->underlying[i]];
            kept += strlen(have) == n && gex__strncasecmp_ascii(have, r->opt->symbol, n) == 0;
        }
        if (kept == 0) {
            r->rep->other_symbol += c->n;
            r->rep->contracts = 0;
            c->n = 0;
        }
    }
    return GEX_OK;
}

/* GEX needs open interest: a document whose every contract has none (absent, null) or 0 is
 * refused, saying what it is (layout) and what to do (advice). GEX_OK or GEX_EEMPTY. */
static inline int gex__json_require_oi(gex__reader *r, const char *layout, const char *advice)
{
    return gex__chain_require_oi(r->chain, r->missing_oi, r->name, layout, advice, r->err);
}

/* Milliseconds (or nanoseconds, ns non-zero) since 1970 in a record's field: a quote instant
 * noted on r when it is one (after 2000, before 2100). */
static inline void gex__jrec_epoch(gex__reader *r, const gex__jrec *rec, size_t field, int ns)
{
    double v;
    if (gex__jrec_number(r, rec, field, &v) != 0 || !(v > 0))
        return;
    double s = ns ? v / 1e9 : v / 1e3;
    if (s > 946684800.0 && s < 4102444800.0) /* 2000-01-01 .. 2100-01-01 */
        gex__reader_note_instant(r, (int64_t)floor(s));
}

#endif /* GEX_CHAIN_JSON_INTERNAL_H */
