/*
 * CBOE delayed-quotes JSON (SPEC 2.3): {"timestamp": ..., "symbol": ..., "data": {
 * "current_price": ..., "options": [{"option": OCC symbol, "bid", "ask", "iv",
 * "open_interest", "volume", "delta", "gamma", "last_trade_price", ...}]}}, read with jansson.
 */
#include <float.h>
#include <jansson.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gex/bs.h"
#include "chain-json-internal.h"
#include "chain-row-internal.h"

/* A number field of a record: a JSON number, null (no value), a numeric string, or absent.
 * Returns 0 and *v (NAN when there is no value), or -1. */
static int json_number(const gex__reader *r, const json_t *obj, const char *key, double *v)
{
    const json_t *x = json_object_get(obj, key);
    if (x == NULL || json_is_null(x)) {
        *v = (double)NAN;
        return 0;
    }
    if (json_is_number(x)) {
        *v = json_number_value(x);
        return isfinite(*v) ? 0 : -1;
    }
    if (json_is_string(x)) {
        const char *s = json_string_value(x);
        size_t len = json_string_length(x);
        if (strlen(s) != len || gex__read_number(r, s, len, v) != 0)
            return -1;
        return isnan(*v) || isfinite(*v) ? 0 : -1;
    }
    return -1;
}

/* The CBOE JSON's times ("2023-09-21 03:17:42") are UTC: the file's timestamp follows the last
 * trade (16:15 New York time) by eleven hours only when read as UTC. */
#define CBOE_JSON_ZONE 0

static int read_record(gex__reader *r, const json_t *rec, size_t index, const char *u, size_t u_len,
                       double spot)
{
    long where = (long)index + 1; /* reported as the line: the record's 1-based position */
    char what[200];
    const json_t *opt = json_is_object(rec) ? json_object_get(rec, "option") : NULL;
    gex__occ occ;
    if (opt == NULL || !json_is_string(opt) ||
        gex__occ_decode(json_string_value(opt), json_string_length(opt), &occ) != 0) {
        snprintf(what, sizeof what, "data.options[%zu]: \"option\" is not an OCC symbol", index);
        return gex__reader_skip(r, GEX_SKIP_BAD_SYMBOL, where, 0, what);
    }
    gex_contract k = {
        .expiration = occ.expiration,
        .strike = occ.strike,
        .type = occ.type,
        .line = 0,
    };
    /* The largest plausible magnitude of each (gex/chain.h, SPEC 2.5); any finite IV (its
     * placeholders are counted after the read, SPEC 1.4) and vendor greek. */
    static const struct {
        const char *key;
        size_t offset;
        double max;
    } fields[] = {
        {"bid", offsetof(gex_contract, bid), GEX_PRICE_MAX},
        {"ask", offsetof(gex_contract, ask), GEX_PRICE_MAX},
        {"last_trade_price", offsetof(gex_contract, last), GEX_PRICE_MAX},
        {"iv", offsetof(gex_contract, iv), DBL_MAX},
        {"volume", offsetof(gex_contract, volume), GEX_CONTRACTS_MAX},
        {"delta", offsetof(gex_contract, vendor_delta), DBL_MAX},
        {"gamma", offsetof(gex_contract, vendor_gamma), DBL_MAX},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        double *dst = (double *)((char *)&k + fields[i].offset);
        if (json_number(r, rec, fields[i].key, dst) != 0) {
            snprintf(what, sizeof what, "data.options[%zu] (%s): \"%s\" is not a number", index,
                     json_string_value(opt), fields[i].key);
            return gex__reader_skip(r, GEX_SKIP_BAD_NUMBER, where, 0, what);
        }
        if (fabs(*dst) > fields[i].max) {
            snprintf(what, sizeof what,
                     "data.options[%zu] (%s): \"%s\" %g is out of range (at most %.0f)", index,
                     json_string_value(opt), fields[i].key, *dst, fields[i].max);
            return gex__reader_skip(r, GEX_SKIP_BAD_NUMBER, where, 0, what);
        }
    }
    double oi;
    if (json_number(r, rec, "open_interest", &oi) != 0 || oi < 0 || oi > GEX_CONTRACTS_MAX) {
        snprintf(what, sizeof what,
                 "data.options[%zu] (%s): \"open_interest\" is not a number from 0 to %.0f", index,
                 json_string_value(opt), GEX_CONTRACTS_MAX);
        return gex__reader_skip(r, GEX_SKIP_BAD_OPEN_INTEREST, where, 0, what);
    }
    if (isnan(oi)) {
        r->missing_oi++;
        oi = 0;
    }
    k.open_interest = oi == 0 ? 0 : oi;
    k.multiplier = (double)NAN;
    char mapped[GEX__FIELD_MAX + 1];
    if (u_len == 0) {
        u_len = gex__root_underlying(occ.root, occ.root_len, mapped);
        u = mapped;
    }
    int rc = gex__reader_add(r, u, u_len, occ.root, occ.root_len, &k, spot);
    if (rc != GEX_OK)
        return gex_error_set(r->err, rc, r->name, 0, 0, "cannot store the contract: %s",
                             gex_strerror(rc));
    return GEX_OK;
}

int gex__read_cboe_json(gex__reader *r, gex__chunk_fn next_chunk, void *data)
{
    json_error_t jerr;
    json_t *root = json_load_callback(next_chunk, data, 0, &jerr);
    if (root == NULL)
        return gex_error_set(r->err, GEX_EPARSE, r->name, jerr.line, jerr.column,
                             "the JSON cannot be read (%s); check the file, or pass "
                             "--input-format if it is a CSV",
                             jerr.text);
    int rc = GEX_OK;
    const json_t *d = json_object_get(root, "data");
    const json_t *options = json_is_object(d) ? json_object_get(d, "options") : NULL;
    if (!json_is_array(options)) {
        rc = gex_error_set(r->err, GEX_EFORMAT, r->name, 0, 0,
                           "a JSON document without data.options[]: not CBOE's delayed quotes; "
                           "pass --input-format if the file is another format");
        json_decref(root);
        return rc;
    }
    /* The underlying: "symbol" ("^RUT", "_SPX") at the top or in data, else each option's
     * root. */
    const json_t *sym = json_object_get(root, "symbol");
    if (!json_is_string(sym))
        sym = json_object_get(d, "symbol");
    char u[GEX__FIELD_MAX + 1] = "";
    size_t u_len = 0;
    if (json_is_string(sym)) {
        const char *s = json_string_value(sym);
        while (*s == '^' || *s == '_' || *s == '$')
            s++;
        size_t n = strlen(s);
        int ok = n > 0 && n <= GEX__FIELD_MAX;
        for (size_t i = 0; ok && i < n; i++)
            ok = (unsigned char)s[i] > ' ' && (unsigned char)s[i] < 0x7f;
        if (ok) {
            memcpy(u, s, n + 1);
            u_len = n;
        }
    }
    double spot = (double)NAN;
    const json_t *cp = json_object_get(d, "current_price");
    if (json_is_number(cp) && json_number_value(cp) > 0 && json_number_value(cp) <= GEX_PRICE_MAX)
        spot = json_number_value(cp);
    const json_t *ts = json_object_get(root, "timestamp");
    if (json_is_string(ts))
        gex__read_quote_time(r, json_string_value(ts), json_string_length(ts), CBOE_JSON_ZONE, 1);
    size_t n = json_array_size(options);
    for (size_t i = 0; i < n && rc == GEX_OK; i++) {
        r->rep->rows++;
        rc = read_record(r, json_array_get(options, i), i, u, u_len, spot);
    }
    json_decref(root);
    return rc;
}
