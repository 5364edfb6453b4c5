/*
 * render-carry.c: the carry document (gex carry): per expiration, the forward, discount factor,
 * implied r and q and residual of put-call parity on the chain's mids (gex_chain_parity_fit),
 * and whether the greeks used that fit (--carry parity, SPEC 1.2) or the flat --rate and --div.
 * The rows and meta's carry object are built in render-json.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* A rate in percent, or the fraction itself where a hundred times it is beyond the doubles
 * (--rate 1e308 printed "inf%"). */
static void percent_text(double x, char *buf, size_t size)
{
    if (isfinite(x * 100.0))
        snprintf(buf, size, "%g%%", x * 100.0);
    else
        snprintf(buf, size, "%g", x);
}

static int carry_table(const gex__render_options *opts, const gex__analysis *a,
                       const gex_parity_fit *f, size_t n, FILE *out, gex_error *err)
{
    const gex__column cols[] = {
        {"expiration", NULL, GEX__STYLE_TEXT}, {"T", "years", GEX__STYLE_SIG},
        {"pairs", NULL, GEX__STYLE_COUNT},     {"forward", "USD", GEX__STYLE_PRICE},
        {"discount", NULL, GEX__STYLE_SIG},    {"rate", "%/yr", GEX__STYLE_PCT},
        {"div", "%/yr", GEX__STYLE_PCT},       {"residual", "USD", GEX__STYLE_SIG},
        {"used", NULL, GEX__STYLE_TEXT},
    };
    gex__table *t = gex__table_new(cols, sizeof cols / sizeof cols[0], a->currency);
    /* rates in percent for people; CSV keeps the fractions of JSON and the library */
    const double pct = opts->format == GEX__OUT_TABLE ? 100.0 : 1.0;
    int st = t == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t i = 0; i < n && st == GEX_OK; i++) {
        char date[16];
        gex__settlement_date(f[i].settlement, date, sizeof date);
        st |= gex__table_text(t, date);
        st |= gex__table_num(t, f[i].T);
        st |= gex__table_num(t, (double)f[i].pairs);
        if (f[i].ok) {
            st |= gex__table_num(t, f[i].forward);
            st |= gex__table_num(t, f[i].discount);
            st |= gex__table_num(t, f[i].rate * pct);
            st |= gex__table_num(t, f[i].div * pct);
            st |= gex__table_num(t, f[i].residual);
        } else {
            for (int k = 0; k < 5; k++)
                st |= gex__table_null(t);
        }
        st |= gex__table_text(t, gex__carry_used(a, &f[i]));
    }
    char title[1024];
    double rate = 0, div = 0;
    gex_chain_carry(a->chain, &rate, &div);
    char r_text[40], q_text[40];
    percent_text(rate, r_text, sizeof r_text);
    percent_text(div, q_text, sizeof q_text);
    snprintf(title, sizeof title,
             "%s  put-call parity per expiration (--carry %s; flat: r %s, q %s)", a->symbol,
             gex_carry_mode_name(gex_chain_carry_mode(a->chain)), r_text, q_text);
    return gex__table_finish(t, st, opts->format, opts->format == GEX__OUT_TABLE ? title : NULL,
                             out, err);
}

static json_t *carry_doc(const gex__analysis *a, const gex_parity_fit *f, size_t n)
{
    json_t *d = gex__doc_head(a);
    int st = d == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(d, "expirations", gex__carry_fits_json(a, f, n));
    return gex__doc_complete(a, d, st);
}

int gex__render_carry(const gex__render_options *options, const gex__analysis *a, FILE *out,
                      gex_error *err)
{
    size_t n = 0;
    int failed = 0;
    gex_parity_fit *f = gex__carry_fits(a, &n, &failed);
    if (failed)
        return gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory fitting the carry");
    const int st = options->format == GEX__OUT_JSON ? gex__doc_write(carry_doc(a, f, n), out, err)
                                                    : carry_table(options, a, f, n, out, err);
    free(f);
    return st;
}

json_t *gex__carry_document(const gex__analysis *a)
{
    size_t n = 0;
    int failed = 0;
    gex_parity_fit *f = gex__carry_fits(a, &n, &failed);
    json_t *d = failed ? NULL : carry_doc(a, f, n);
    free(f);
    return d;
}
