/*
 * Vendor responses (gex/vendor.h): the JSON of the remote exposure API, read with jansson into
 * gex's per-strike rows and levels.
 */
#include "gex/vendor.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[GEX_VENDOR_KIND_COUNT] = {"gex", "dex", "vex", "chex",
                                                              "levels"};

const char *gex_vendor_kind_name(int kind)
{
    if (kind < 0 || kind >= GEX_VENDOR_KIND_COUNT)
        return NULL;
    return kind_names[kind];
}

void gex_vendor_free(gex_vendor_response *response)
{
    if (response == NULL)
        return;
    free(response->rows);
    free(response);
}

/* The largest magnitude a vendor's number may have: 1e15, ten thousand times SPX's exposures
 * (tens of billions of dollars per 1% move in gex's files). A larger one is no exposure, strike
 * or price but a corrupted value, and validate's sums and products of it overflowed. */
#define VENDOR_VALUE_MAX 1e15

/* What every error about the document's content ends with: what validate reads. */
#define VENDOR_ACTION                                                                              \
    "pass the API's response unchanged, or a document of its shape (as gex's JSON documents "      \
    "are)"

/* What a JSON value that is not the number wanted is, into buf: "missing", the string "x" (its
 * first 40 bytes, others than printable ASCII as '?'), an object, an array, true, false, null. */
static void value_said(const json_t *v, char *buf, size_t size)
{
    if (v == NULL)
        snprintf(buf, size, "missing");
    else if (json_is_string(v)) {
        const char *t = json_string_value(v);
        const size_t len = json_string_length(v);
        snprintf(buf, size, "the string \"%.*s%s\"", (int)(len < 40 ? len : 40), t,
                 len > 40 ? "..." : "");
        for (char *c = buf; *c != '\0'; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                *c = '?';
    } else
        snprintf(buf, size, "%s",
                 json_is_object(v)  ? "an object"
                 : json_is_array(v) ? "an array"
                 : json_is_true(v)  ? "true"
                 : json_is_false(v) ? "false"
                                    : "null");
}

/* A required number: GEX_OK, or GEX_EFORMAT naming where it is, what it is and what to do. */
static int get_number(const json_t *obj, const char *key, const char *where, const char *name,
                      double *value, gex_error *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_number(v)) {
        char said[64];
        value_said(v, said, sizeof said);
        return gex_error_set(err, GEX_EFORMAT, name, 0, 0,
                             "%s%s is %s, where a number is required; " VENDOR_ACTION, where, key,
                             said);
    }
    *value = json_number_value(v);
    if (!(fabs(*value) <= VENDOR_VALUE_MAX))
        return gex_error_set(
            err, GEX_EFORMAT, name, 0, 0,
            "%s%s is %g, beyond the plausible %g: a corrupted value; " VENDOR_ACTION, where, key,
            *value, VENDOR_VALUE_MAX);
    return GEX_OK;
}

static int by_strike(const void *pa, const void *pb)
{
    const gex_strike_row *a = pa, *b = pb;
    return (a->strike > b->strike) - (a->strike < b->strike);
}

/* An optional number: absent or null is 0 (the vendor writes null for what it does not
 * have), any other non-number is an error. */
static int get_optional(const json_t *obj, const char *key, const char *where, const char *name,
                        double *value, gex_error *err)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        *value = 0;
        return GEX_OK;
    }
    return get_number(obj, key, where, name, value, err);
}

/* A level: a number, or null / absent (has = 0). */
static int get_level(const json_t *obj, const char *key, const char *where, const char *name,
                     gex_level *level, gex_error *err)
{
    const json_t *v = json_object_get(obj, key);
    level->has = 0;
    level->value = 0;
    if (v == NULL || json_is_null(v))
        return GEX_OK;
    level->has = 1;
    return get_number(obj, key, where, name, &level->value, err);
}

static void copy_string(const json_t *obj, const char *key, char *dst, size_t size)
{
    const char *s = json_string_value(json_object_get(obj, key));
    snprintf(dst, size, "%s", s != NULL ? s : "");
}

/* The per-strike fields of each kind: call, put, net. */
static const char *const row_keys[4][3] = {
    {"call_gex", "put_gex", "net_gex"},
    {"call_dex", "put_dex", "net_dex"},
    {"call_vex", "put_vex", "net_vex"},
    {"call_chex", "put_chex", "net_chex"},
};

static double *row_fields(gex_strike_row *row, gex_vendor_kind kind, int which)
{
    double *const fields[4][3] = {
        {&row->call_gex, &row->put_gex, &row->net_gex},
        {&row->call_dex, &row->put_dex, &row->net_dex},
        {&row->call_vex, &row->put_vex, &row->net_vex},
        {&row->call_chex, &row->put_chex, &row->net_chex},
    };
    return fields[kind][which];
}

static int read_rows(const json_t *strikes, gex_vendor_response *r, const char *name,
                     gex_error *err)
{
    if (!json_is_array(strikes)) {
        char said[64];
        value_said(strikes, said, sizeof said);
        return gex_error_set(
            err, GEX_EFORMAT, name, 0, 0,
            "strikes is %s, where an array of per-strike rows is required; " VENDOR_ACTION, said);
    }
    const size_t n = json_array_size(strikes);
    if (n == 0)
        return GEX_OK;
    r->rows = calloc(n, sizeof *r->rows);
    if (r->rows == NULL)
        return GEX_ENOMEM;
    r->n_rows = n;
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(strikes, i);
        char where[48];
        snprintf(where, sizeof where, "strikes[%zu].", i);
        if (!json_is_object(o))
            return gex_error_set(err, GEX_EFORMAT, name, 0, 0,
                                 "strikes[%zu] is not an object, where a per-strike row is "
                                 "required; " VENDOR_ACTION,
                                 i);
        gex_strike_row *row = &r->rows[i];
        int rc = get_number(o, "strike", where, name, &row->strike, err);
        for (int k = 0; k < 3 && rc == GEX_OK; k++)
            rc = get_number(o, row_keys[r->kind][k], where, name, row_fields(row, r->kind, k), err);
        if (rc == GEX_OK && r->kind == GEX_VENDOR_GEX) {
            rc = get_optional(o, "call_oi", where, name, &row->call_oi, err);
            if (rc == GEX_OK)
                rc = get_optional(o, "put_oi", where, name, &row->put_oi, err);
            if (rc == GEX_OK)
                rc = get_optional(o, "call_volume", where, name, &row->call_volume, err);
            if (rc == GEX_OK)
                rc = get_optional(o, "put_volume", where, name, &row->put_volume, err);
        }
        if (rc != GEX_OK)
            return rc;
    }
    /* ascending strike, as the levels' per-strike methods walk them; one row a strike (a table
     * listing one twice would be compared twice, or its levels refused) */
    qsort(r->rows, n, sizeof *r->rows, by_strike);
    for (size_t i = 1; i < n; i++)
        if (r->rows[i].strike == r->rows[i - 1].strike)
            return gex_error_set(err, GEX_EFORMAT, name, 0, 0,
                                 "strike %g is listed twice in strikes[]: keep one row per "
                                 "strike",
                                 r->rows[i].strike);
    return GEX_OK;
}

static int read_levels(const json_t *levels, gex_vendor_response *r, const char *name,
                       gex_error *err)
{
    static const char *const keys[] = {"gamma_flip",     "max_positive_gamma", "max_negative_gamma",
                                       "call_wall",      "put_wall",           "highest_oi_strike",
                                       "zero_dte_magnet"};
    gex_levels *l = &r->levels;
    gex_level *const dst[] = {&l->gamma_flip,     &l->max_positive_gamma, &l->max_negative_gamma,
                              &l->call_wall,      &l->put_wall,           &l->highest_oi_strike,
                              &l->zero_dte_magnet};
    l->flip_method = GEX_FLIP_STRIKE;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        int rc = get_level(levels, keys[i], "levels.", name, dst[i], err);
        if (rc != GEX_OK)
            return rc;
    }
    r->gamma_flip = l->gamma_flip;
    return GEX_OK;
}

static int read_document(const json_t *root, gex_vendor_response *r, const char *name,
                         gex_error *err)
{
    if (!json_is_object(root))
        return gex_error_set(
            err, GEX_EFORMAT, name, 0, 0,
            "not a vendor response: the document is not a JSON object; " VENDOR_ACTION);
    static const char *const net_keys[4] = {"net_gex", "net_dex", "net_vex", "net_chex"};
    const json_t *levels = json_object_get(root, "levels");
    int kind = -1;
    if (json_is_object(levels))
        kind = GEX_VENDOR_LEVELS;
    for (int k = GEX_VENDOR_GEX; k <= GEX_VENDOR_CHEX && kind < 0; k++)
        if (json_object_get(root, net_keys[k]) != NULL)
            kind = k;
    if (kind < 0)
        return gex_error_set(err, GEX_EFORMAT, name, 0, 0,
                             "not a vendor exposure response: none of the keys levels, net_gex, "
                             "net_dex, net_vex, net_chex is present; pass a response of the "
                             "gex, dex, vex, chex or levels endpoint, which validate compares");
    r->kind = (gex_vendor_kind)kind;
    copy_string(root, "symbol", r->symbol, sizeof r->symbol);
    copy_string(root, "as_of", r->as_of, sizeof r->as_of);
    int rc = get_number(root, "underlying_price", "", name, &r->underlying_price, err);
    if (rc != GEX_OK)
        return rc;
    if (!(r->underlying_price > 0))
        return gex_error_set(err, GEX_EFORMAT, name, 0, 0,
                             "underlying_price is %g, not a price above 0; " VENDOR_ACTION,
                             r->underlying_price);
    if (kind == GEX_VENDOR_LEVELS)
        return read_levels(levels, r, name, err);
    rc = get_number(root, net_keys[kind], "", name, &r->net, err);
    if (rc == GEX_OK && kind == GEX_VENDOR_GEX)
        rc = get_level(root, "gamma_flip", "", name, &r->gamma_flip, err);
    if (rc != GEX_OK)
        return rc;
    return read_rows(json_object_get(root, "strikes"), r, name, err);
}

int gex_vendor_read_buffer(const char *buf, size_t len, const char *name, gex_vendor_response **out,
                           gex_error *err)
{
    if (out != NULL)
        *out = NULL;
    if ((buf == NULL && len > 0) || out == NULL)
        return GEX_EINVAL;
    if (name == NULL)
        name = "<vendor response>";
    json_error_t jerr;
    json_t *root = json_loadb(buf != NULL ? buf : "", len, 0, &jerr);
    if (root == NULL)
        return gex_error_set(err, GEX_EPARSE, name, jerr.line > 0 ? jerr.line : 0,
                             jerr.column > 0 ? jerr.column : 0, "not JSON: %s", jerr.text);
    gex_vendor_response *r = calloc(1, sizeof *r);
    if (r == NULL) {
        json_decref(root);
        return GEX_ENOMEM;
    }
    int rc = read_document(root, r, name, err);
    json_decref(root);
    if (rc != GEX_OK) {
        gex_vendor_free(r);
        return rc;
    }
    *out = r;
    return GEX_OK;
}

int gex_vendor_read_path(const char *path, gex_vendor_response **out, gex_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL)
        return GEX_EINVAL;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return gex_error_set(err, GEX_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = GEX_OK;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap == 0 ? 65536 : cap * 2;
            char *nbuf = realloc(buf, ncap);
            if (nbuf == NULL) {
                rc = GEX_ENOMEM;
                break;
            }
            buf = nbuf;
            cap = ncap;
        }
        const size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp))
                rc = gex_error_set(err, GEX_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
            break;
        }
    }
    fclose(fp);
    if (rc == GEX_OK)
        rc = gex_vendor_read_buffer(buf, len, path, out, err);
    free(buf);
    return rc;
}
