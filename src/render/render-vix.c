/*
 * render-vix.c: the volatility-index document (gex vix): CBOE's VIX method (gex/vix.h) on the
 * chain at CBOE's four tenors, 9, 30, 93 and 182 days (VIX9D, VIX, VIX3M and VIX6M on an SPX
 * chain), with each tenor's two expirations: T, rate, forward, K0, variance and the options
 * used. A tenor the chain cannot answer has a null index and the reason.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "render.h"

static const double tenors[GEX__VIX_TENORS] = {9, 30, 93, 182};
static const char *const spx_names[GEX__VIX_TENORS] = {"VIX9D", "VIX", "VIX3M", "VIX6M"};

double gex__vix_level(const gex_chain *chain, size_t k)
{
    gex_vix v;
    gex_error err;
    return k < GEX__VIX_TENORS && gex_vix_compute(chain, tenors[k], &v, &err) == GEX_OK
               ? v.index
               : (double)NAN;
}

void gex__vix_levels(const gex_chain *chain, double level[GEX__VIX_TENORS])
{
    for (size_t k = 0; k < GEX__VIX_TENORS; k++)
        level[k] = gex__vix_level(chain, k);
}

void gex__vix_all(const gex__analysis *a, gex__vix_row rows[GEX__VIX_TENORS])
{
    for (size_t k = 0; k < GEX__VIX_TENORS; k++) {
        gex__vix_row *r = &rows[k];
        memset(r, 0, sizeof *r);
        r->tenor_days = tenors[k];
        r->cboe_name = spx_names[k];
        gex_error_clear(&r->why);
        r->ok = gex_vix_compute(a->chain, tenors[k], &r->vix, &r->why) == GEX_OK;
    }
}

static int add_term(gex__table *t, const gex_vix_term *m, int present, double pct)
{
    int st = GEX_OK;
    if (!present) {
        for (int k = 0; k < 7; k++)
            st |= gex__table_null(t);
        return st;
    }
    char date[16];
    gex__settlement_date(m->settlement, date, sizeof date);
    st |= gex__table_text(t, date);
    st |= gex__table_num(t, m->T);
    st |= gex__table_num(t, m->rate * pct);
    st |= gex__table_num(t, m->forward);
    st |= gex__table_num(t, m->k0);
    st |= gex__table_num(t, 100.0 * sqrt(m->variance));
    st |= gex__table_num(t, (double)(m->puts + m->calls + 1));
    return st;
}

static int vix_table(const gex__render_options *opts, const gex__analysis *a,
                     const gex__vix_row *rows, FILE *out, gex_error *err)
{
    const gex__column cols[] = {
        {"tenor", "days", GEX__STYLE_COUNT},       {"index", "%/yr", GEX__STYLE_PCT},
        {"near", NULL, GEX__STYLE_TEXT},           {"near_T", "years", GEX__STYLE_SIG},
        {"near_rate", "%/yr", GEX__STYLE_PCT},     {"near_forward", "USD", GEX__STYLE_PRICE},
        {"near_k0", "USD", GEX__STYLE_STRIKE},     {"near_vol", "%/yr", GEX__STYLE_PCT},
        {"near_options", NULL, GEX__STYLE_COUNT},  {"next", NULL, GEX__STYLE_TEXT},
        {"next_T", "years", GEX__STYLE_SIG},       {"next_rate", "%/yr", GEX__STYLE_PCT},
        {"next_forward", "USD", GEX__STYLE_PRICE}, {"next_k0", "USD", GEX__STYLE_STRIKE},
        {"next_vol", "%/yr", GEX__STYLE_PCT},      {"next_options", NULL, GEX__STYLE_COUNT},
        {"unavailable", NULL, GEX__STYLE_TEXT},
    };
    gex__table *t = gex__table_new(cols, sizeof cols / sizeof cols[0], a->currency);
    int st = t == NULL ? GEX_ENOMEM : GEX_OK;
    /* rates in percent for people; CSV keeps the fractions of JSON (as gex carry); the
     * volatilities are in percent everywhere, as the index */
    const double pct = opts->format == GEX__OUT_TABLE ? 100.0 : 1.0;
    for (size_t k = 0; k < GEX__VIX_TENORS && st == GEX_OK; k++) {
        const gex__vix_row *r = &rows[k];
        st |= gex__table_num(t, r->tenor_days);
        st |= r->ok ? gex__table_num(t, r->vix.index) : gex__table_null(t);
        st |= add_term(t, &r->vix.near, r->ok, pct);
        st |= add_term(t, &r->vix.next, r->ok && r->vix.terms == 2, pct);
        st |= r->ok ? gex__table_null(t) : gex__table_text(t, r->why.text);
    }
    char title[512];
    snprintf(title, sizeof title,
             "%s  volatility index by CBOE's VIX method (on SPX: VIX9D, VIX, VIX3M, VIX6M)",
             a->symbol);
    return gex__table_finish(t, st, opts->format, opts->format == GEX__OUT_TABLE ? title : NULL,
                             out, err);
}

static json_t *term_json(const gex_vix_term *m)
{
    char date[16];
    gex__settlement_date(m->settlement, date, sizeof date);
    char iso[40];
    gex_time_format_iso(m->settlement, iso, sizeof iso);
    json_t *o = json_object();
    int st = o == NULL;
    st |= gex__jset(o, "expiration", gex__jstr(date));
    st |= gex__jset(o, "settlement", gex__jstr(iso));
    st |= gex__jset(o, "T", gex__jnum(m->T));
    st |= gex__jset(o, "rate", gex__jnum(m->rate));
    st |= gex__jset(o, "forward", gex__jnum(m->forward));
    st |= gex__jset(o, "k0", gex__jnum(m->k0));
    st |= gex__jset(o, "variance", gex__jnum(m->variance));
    st |= gex__jset(o, "puts", json_integer((json_int_t)m->puts));
    st |= gex__jset(o, "calls", json_integer((json_int_t)m->calls));
    st |= gex__jset(o, "zero_bids_skipped", json_integer((json_int_t)m->zero_bids));
    if (st) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *gex__vix_row_json(const gex__vix_row *r, int spx)
{
    json_t *o = json_object();
    int st = o == NULL;
    st |= gex__jset(o, "tenor_days", json_integer((json_int_t)r->tenor_days));
    st |= gex__jset(o, "name", spx ? gex__jstr(r->cboe_name) : json_null());
    st |= gex__jset(o, "index", r->ok ? gex__jnum(r->vix.index) : json_null());
    json_t *terms = json_array();
    st |= terms == NULL;
    if (r->ok) {
        st |= json_array_append_new(terms, term_json(&r->vix.near)) != 0;
        if (r->vix.terms == 2)
            st |= json_array_append_new(terms, term_json(&r->vix.next)) != 0;
    }
    st |= gex__jset(o, "terms", terms);
    st |= gex__jset(o, "unavailable", r->ok ? json_null() : gex__jstr(r->why.text));
    if (st) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int gex__vix_is_spx(const gex__analysis *a)
{
    return a->symbol != NULL && strcmp(a->symbol, "SPX") == 0;
}

double gex__api_vix_level(const gex__api_vix *vix, const gex__analysis *a, size_t k)
{
    if (k >= GEX__VIX_TENORS)
        return (double)NAN;
    if (vix != NULL)
        return vix->level[k];
    /* without the folder's SPX file: SPX's own chain answers, another symbol's does not */
    if (a == NULL || a->chain == NULL || !gex__vix_is_spx(a))
        return (double)NAN;
    return gex__vix_level(a->chain, k);
}

json_t *gex__vix_document(const gex__analysis *a)
{
    gex__vix_row rows[GEX__VIX_TENORS];
    gex__vix_all(a, rows);
    json_t *d = gex__doc_head(a);
    int st = d == NULL ? GEX_ENOMEM : GEX_OK;
    json_t *arr = json_array();
    st |= arr == NULL;
    for (size_t k = 0; k < GEX__VIX_TENORS && arr != NULL; k++)
        st |= json_array_append_new(arr, gex__vix_row_json(&rows[k], gex__vix_is_spx(a))) != 0;
    st |= gex__jset(d, "indices", arr);
    return gex__doc_complete(a, d, st);
}

int gex__render_vix(const gex__render_options *options, const gex__analysis *a, FILE *out,
                    gex_error *err)
{
    if (options->format == GEX__OUT_JSON)
        return gex__doc_write(gex__vix_document(a), out, err);
    gex__vix_row rows[GEX__VIX_TENORS];
    gex__vix_all(a, rows);
    return vix_table(options, a, rows, out, err);
}
