/*
 * api-heatmap.c: the gex-own documents the browser dashboard draws besides the vendor's
 * (SPEC 5.6): the strike x expiration heatmap of net GEX, /v1/exposure/heatmap/{symbol}, from
 * the analysis's breakdown by expiration (gex_exposure_expiry_*, the same cells gex plot
 * --kind heatmap draws), and the repriced profile of each measure, /v1/exposure/profile/{symbol},
 * the document gex profile --format json prints (gex__profile_document; its defaults: 20% either
 * side of the spot, 81 points). Both are builders of the API table (api.h): pure functions of one
 * analysis.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* The profile's defaults and bounds, as gex profile's --range and --points (options.c). */
#define PROFILE_RANGE_DEFAULT  20.0
#define PROFILE_POINTS_DEFAULT 81
#define PROFILE_POINTS_MAX     2001 /* a chart needs no more; bounds the work of one request */

static json_t *out_of_memory(gex__api_answer *ans)
{
    return gex__api_fail(ans, 500, "internal_error", "out of memory building the document");
}

/* Marks the fields of d that are gex's own definitions in its meta ("gex_own"). */
static int mark_gex_own(json_t *d, const char *what)
{
    json_t *meta = json_object_get(d, "meta");
    json_t *own = json_array();
    if (meta == NULL || own == NULL || json_array_append_new(own, json_string(what)) != 0) {
        json_decref(own);
        return GEX_ENOMEM;
    }
    return gex__jset(meta, "gex_own", own);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The strikes of every expiration of the breakdown, ascending and unique; NULL when out of
 * memory (*n = 0 and a non-NULL empty array when there is none). */
static double *union_strikes(const gex_exposure *e, size_t *n_out)
{
    const size_t n_exp = gex_exposure_expiry_count(e);
    size_t total = 0;
    for (size_t i = 0; i < n_exp; i++) {
        size_t n = 0;
        gex_exposure_expiry_strikes(e, i, &n);
        total += n;
    }
    double *s = malloc((total > 0 ? total : 1) * sizeof *s);
    if (s == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n_exp; i++) {
        size_t n = 0;
        const gex_strike_row *rows = gex_exposure_expiry_strikes(e, i, &n);
        for (size_t j = 0; j < n; j++)
            s[k++] = rows[j].strike;
    }
    qsort(s, k, sizeof *s, cmp_double);
    size_t u = 0;
    for (size_t j = 0; j < k; j++)
        if (u == 0 || s[j] != s[u - 1])
            s[u++] = s[j];
    *n_out = u;
    return s;
}

/* Row net_gex[k][i]: the net GEX of strike k in expiration i, null where that expiration has
 * no contract used at that strike (a true zero is 0). */
static json_t *heatmap_cells(const gex_exposure *e, const double *strikes, size_t n_strikes)
{
    const size_t n_exp = gex_exposure_expiry_count(e);
    json_t *grid = json_array();
    if (grid == NULL)
        return NULL;
    json_t **rows = calloc(n_strikes > 0 ? n_strikes : 1, sizeof *rows);
    int st = rows == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t k = 0; k < n_strikes && st == GEX_OK; k++) {
        rows[k] = json_array();
        st |= rows[k] != NULL && json_array_append(grid, rows[k]) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    for (size_t i = 0; i < n_exp && st == GEX_OK; i++) {
        size_t n = 0;
        const gex_strike_row *r = gex_exposure_expiry_strikes(e, i, &n);
        /* Both lists ascend: one merge pass per expiration. */
        size_t j = 0;
        for (size_t k = 0; k < n_strikes && st == GEX_OK; k++) {
            while (j < n && r[j].strike < strikes[k])
                j++;
            json_t *cell =
                j < n && r[j].strike == strikes[k] ? gex__jnum(r[j].net_gex) : json_null();
            st |= cell != NULL && json_array_append_new(rows[k], cell) == 0 ? GEX_OK : GEX_ENOMEM;
        }
    }
    for (size_t k = 0; rows != NULL && k < n_strikes; k++)
        json_decref(rows[k]);
    free(rows);
    if (st != GEX_OK) {
        json_decref(grid);
        return NULL;
    }
    return grid;
}

json_t *gex__api_heatmap(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__analysis *a = in->analysis;
    const gex_exposure *e = a->exposure;
    const int32_t quote_date = gex_exposure_quote_date(e);
    size_t n_strikes = 0;
    double *strikes = union_strikes(e, &n_strikes);
    if (strikes == NULL)
        return out_of_memory(ans);
    json_t *d = gex__doc_head(a);
    json_t *exps = json_array();
    json_t *ks = json_array();
    int st = d == NULL || exps == NULL || ks == NULL ? GEX_ENOMEM : GEX_OK;
    if (st == GEX_OK)
        st |= gex__jset(d, "gamma_flip", gex__jlevel(&a->levels.gamma_flip));
    const size_t n_exp = gex_exposure_expiry_count(e);
    for (size_t i = 0; i < n_exp && st == GEX_OK; i++) {
        gex_exposure_totals t;
        gex_exposure_expiry_totals(e, i, &t);
        const int32_t date = gex_exposure_expiry_date(e, i);
        char iso[16];
        gex_time_format_date(date, iso, sizeof iso);
        json_t *o = json_object();
        st |= o == NULL ? GEX_ENOMEM : GEX_OK;
        st |= gex__jset(o, "expiration", gex__jstr(iso));
        st |= gex__jset(o, "dte", json_integer((json_int_t)date - quote_date));
        st |= gex__jset(o, "net_gex", gex__jnum(t.net_gex));
        st |= json_array_append_new(exps, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    for (size_t k = 0; k < n_strikes && st == GEX_OK; k++)
        st |= json_array_append_new(ks, gex__jnum(strikes[k])) == 0 ? GEX_OK : GEX_ENOMEM;
    json_t *cells = st == GEX_OK ? heatmap_cells(e, strikes, n_strikes) : NULL;
    free(strikes);
    if (st == GEX_OK) {
        st |= gex__jset(d, "expirations", exps);
        exps = NULL;
        st |= gex__jset(d, "strikes", ks);
        ks = NULL;
        st |= gex__jset(d, "net_gex", cells);
    }
    json_decref(exps);
    json_decref(ks);
    d = gex__doc_complete(a, d, st);
    if (d == NULL || mark_gex_own(d, "heatmap") != GEX_OK) {
        json_decref(d);
        return out_of_memory(ans);
    }
    return d;
}

/* A finite number in [lo, hi] from a parameter's whole text, or -1. */
static int param_number(const char *s, double lo, double hi, double *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    char *end = NULL;
    errno = 0;
    const double v = strtod(s, &end);
    if (!gex__decimal_text(s, strlen(s)) || errno != 0 || *end != '\0' || !isfinite(v) || v < lo ||
        v > hi)
        return -1;
    *out = v;
    return 0;
}

json_t *gex__api_profile(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__analysis *a = in->analysis;
    double range = PROFILE_RANGE_DEFAULT, points = PROFILE_POINTS_DEFAULT;
    const char *r = gex__api_param(in->params, "range");
    const char *p = gex__api_param(in->params, "points");
    /* range < 100: the grid stays on positive spots, as gex profile --range requires. */
    if (r != NULL && (param_number(r, 1e-9, 99.999999, &range) != 0))
        return gex__api_fail(ans, 400, "invalid_parameter",
                             "range '%.40s' is not a percentage above 0 and below 100", r);
    if (p != NULL &&
        (param_number(p, 2, PROFILE_POINTS_MAX, &points) != 0 || points != floor(points)))
        return gex__api_fail(ans, 400, "invalid_parameter",
                             "points '%.40s' is not a whole number from 2 to %d", p,
                             PROFILE_POINTS_MAX);
    /* The document of gex profile --format json, from the same code. */
    gex_error err;
    gex_error_clear(&err);
    json_t *d = gex__profile_document(a, range, (int)points, &err);
    if (d == NULL)
        return gex__api_fail(ans, 500, "internal_error", "%s", err.text);
    if (mark_gex_own(d, "profile") != GEX_OK) {
        json_decref(d);
        return out_of_memory(ans);
    }
    return d;
}
