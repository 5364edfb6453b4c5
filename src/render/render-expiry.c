/*
 * render-expiry.c: the expirations document (gex expirations): one row per expiration the file
 * holds, with its days to expiry, its contracts and what became of them, its open interest and
 * its net GEX, DEX, VEX and CHEX, from the analysis's breakdown by expiration
 * (gex_exposure_expiry_*). An expiration the breakdown leaves out (every contract expired,
 * filtered or without an IV) is still listed, with nothing used and the reason, so that the
 * list is the file's and a user sees what to pass to --expiration.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"

typedef gex__expiry_row expiry_row;

/* Why an expiration the breakdown leaves out has nothing used: every contract is expired, or
 * left out by the filters (the exposure's kept marks, --max-delta included; a contract with a
 * usable IV that did not enter the exposures counts as filtered), or excluded by its status
 * (no IV, ...). */
static const char *why_unused(const gex__analysis *a, const gex_chain_view *v, int32_t date)
{
    gex_contract_exposures ce;
    gex_exposure_get_contracts(a->exposure, &ce);
    size_t expired = 0, filtered = 0, n = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (v->expiration[i] != date)
            continue;
        n++;
        if (v->status[i] == GEX_CONTRACT_EXPIRED)
            expired++;
        else if (!ce.kept[i] || (v->status[i] == GEX_CONTRACT_OK && !ce.included[i]))
            filtered++;
    }
    if (expired == n)
        return "expired";
    if (filtered == n)
        return "filtered";
    if (filtered + expired == n)
        return "expired or filtered";
    return "excluded"; /* by status: no IV, below intrinsic, ... (the title counts them) */
}

expiry_row *gex__expiry_rows(const gex__analysis *a, size_t *n_out)
{
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    *n_out = 0;
    int32_t *days = NULL;
    size_t *counts = NULL, n = 0;
    if (gex_chain_expirations(a->chain, &days, &counts, &n) != GEX_OK || n == 0)
        return NULL;
    expiry_row *rows = malloc(n * sizeof *rows);
    if (rows == NULL) {
        free(days);
        free(counts);
        return NULL;
    }
    const int32_t quote_date = gex_exposure_quote_date(a->exposure);
    const size_t n_breakdown = gex_exposure_expiry_count(a->exposure);
    for (size_t i = 0, k = 0; i < n; i++) {
        expiry_row *r = &rows[i];
        memset(r, 0, sizeof *r);
        r->date = days[i];
        r->dte = (long)days[i] - (long)quote_date;
        r->contracts = counts[i];
        while (k < n_breakdown && gex_exposure_expiry_date(a->exposure, k) < r->date)
            k++;
        if (k < n_breakdown && gex_exposure_expiry_date(a->exposure, k) == r->date) {
            gex_exposure_expiry_totals(a->exposure, k, &r->totals);
            size_t n_strikes = 0;
            const gex_strike_row *s = gex_exposure_expiry_strikes(a->exposure, k, &n_strikes);
            for (size_t m = 0; m < n_strikes; m++) {
                r->call_oi += s[m].call_oi;
                r->put_oi += s[m].put_oi;
            }
        }
        r->note = r->totals.used > 0 ? "" : why_unused(a, &v, r->date);
    }
    free(days);
    free(counts);
    *n_out = n;
    return rows;
}

/* The expiration's share of the chain's gross GEX, in percent (0 when the chain has none). */
static double gross_share(const gex__analysis *a, const expiry_row *r)
{
    return a->totals.gross_gex > 0.0 ? r->totals.gross_gex / a->totals.gross_gex * 100.0 : 0.0;
}

static json_t *expiry_doc(const gex__analysis *a, const expiry_row *rows, size_t n)
{
    json_t *d = gex__doc_head(a);
    json_t *list = json_array();
    int st = d == NULL || list == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t i = 0; i < n && st == GEX_OK; i++) {
        const expiry_row *r = &rows[i];
        char date[16];
        gex_time_format_date(r->date, date, sizeof date);
        json_t *o = json_object();
        st |= o == NULL ? GEX_ENOMEM : GEX_OK;
        st |= gex__jset(o, "expiration", gex__jstr(date));
        st |= gex__jset(o, "dte", json_integer(r->dte));
        st |= gex__jset(o, "contracts", json_integer((json_int_t)r->contracts));
        st |= gex__jset(o, "used", json_integer((json_int_t)r->totals.used));
        st |= gex__jset(o, "call_oi", gex__jnum(r->call_oi));
        st |= gex__jset(o, "put_oi", gex__jnum(r->put_oi));
        st |= gex__jset(o, "call_gex", gex__jnum(r->totals.call_gex));
        st |= gex__jset(o, "put_gex", gex__jnum(r->totals.put_gex));
        st |= gex__jset(o, "net_gex", gex__jnum(r->totals.net_gex));
        st |= gex__jset(o, "net_dex", gex__jnum(r->totals.net_dex));
        st |= gex__jset(o, "net_vex", gex__jnum(r->totals.net_vex));
        st |= gex__jset(o, "net_chex", gex__jnum(r->totals.net_chex));
        st |= gex__jset(o, "pct_of_gross_gex", gex__jnum(gross_share(a, r)));
        st |= gex__jset(o, "unused", r->note[0] != '\0' ? gex__jstr(r->note) : json_null());
        st |= json_array_append_new(list, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    st |= gex__jset(d, "expirations", list);
    return gex__doc_complete(a, d, st);
}

static int expiry_table(const gex__render_options *opts, const gex__analysis *a,
                        const expiry_row *rows, size_t n, FILE *out, gex_error *err)
{
    const char *unit = gex__unit_short(gex__unit_of(a));
    /* A terminal's table fits 80 columns; CSV has every figure. */
    const int wide = opts->format == GEX__OUT_CSV;
    gex__column cols[16];
    size_t nc = 0;
    cols[nc++] = (gex__column){"expiration", NULL, GEX__STYLE_TEXT};
    cols[nc++] = (gex__column){"dte", "days", GEX__STYLE_COUNT};
    cols[nc++] = (gex__column){"contracts", NULL, GEX__STYLE_COUNT};
    cols[nc++] = (gex__column){"used", NULL, GEX__STYLE_COUNT};
    if (wide) {
        cols[nc++] = (gex__column){"call_oi", "contracts", GEX__STYLE_COUNT};
        cols[nc++] = (gex__column){"put_oi", "contracts", GEX__STYLE_COUNT};
        cols[nc++] = (gex__column){"call_gex", unit, GEX__STYLE_MONEY};
        cols[nc++] = (gex__column){"put_gex", unit, GEX__STYLE_MONEY};
    }
    cols[nc++] = (gex__column){"net_gex", unit, GEX__STYLE_MONEY};
    if (wide) {
        cols[nc++] = (gex__column){"net_dex", "USD", GEX__STYLE_MONEY};
        cols[nc++] = (gex__column){"net_vex", "USD/vol pt", GEX__STYLE_MONEY};
        cols[nc++] = (gex__column){"net_chex", "USD/day", GEX__STYLE_MONEY};
    }
    cols[nc++] = (gex__column){"pct_of_gross_gex", "%", GEX__STYLE_PCT};
    cols[nc++] = (gex__column){"unused", NULL, GEX__STYLE_TEXT};
    gex__table *t = gex__table_new(cols, nc, a->currency);
    int st = t == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t i = 0; i < n && st == GEX_OK; i++) {
        const expiry_row *r = &rows[i];
        char date[16];
        gex_time_format_date(r->date, date, sizeof date);
        st |= gex__table_text(t, date);
        st |= gex__table_num(t, (double)r->dte);
        st |= gex__table_num(t, (double)r->contracts);
        st |= gex__table_num(t, (double)r->totals.used);
        if (wide) {
            st |= gex__table_num(t, r->call_oi);
            st |= gex__table_num(t, r->put_oi);
            st |= gex__table_num(t, r->totals.call_gex);
            st |= gex__table_num(t, r->totals.put_gex);
        }
        st |= gex__table_num(t, r->totals.net_gex);
        if (wide) {
            st |= gex__table_num(t, r->totals.net_dex);
            st |= gex__table_num(t, r->totals.net_vex);
            st |= gex__table_num(t, r->totals.net_chex);
        }
        st |= gex__table_num(t, gross_share(a, r));
        st |= r->note[0] != '\0' ? gex__table_text(t, r->note) : gex__table_null(t);
    }
    char title[1024];
    gex__title(opts->doc, a, title, sizeof title);
    return gex__table_finish(t, st, opts->format, wide ? NULL : title, out, err);
}

int gex__render_expirations(const gex__render_options *options, const gex__analysis *a, FILE *out,
                            gex_error *err)
{
    size_t n = 0;
    expiry_row *rows = gex__expiry_rows(a, &n);
    if (rows == NULL && gex_chain_size(a->chain) > 0)
        return gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory listing the expirations");
    const int st = options->format == GEX__OUT_JSON
                       ? gex__doc_write(expiry_doc(a, rows, n), out, err)
                       : expiry_table(options, a, rows, n, out, err);
    free(rows);
    return st;
}

json_t *gex__expirations_document(const gex__analysis *a)
{
    size_t n = 0;
    expiry_row *rows = gex__expiry_rows(a, &n);
    if (rows == NULL && gex_chain_size(a->chain) > 0)
        return NULL;
    json_t *d = expiry_doc(a, rows, n);
    free(rows);
    return d;
}
