/*
 * api-exposure.c: the vendor's exposure endpoints that read the per-strike and per-expiration
 * tables of one analysis (SPEC 5.2): the sheet (every exposure per strike, DAG, the
 * line in the sand and the gamma peaks), the term structure (by DTE bucket and by expiry) and
 * the narrative; and the helpers the zero-dte builder shares (max pain, the OPEX calendar).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api-exposure.h"

double gex__max_pain(const gex_strike_row *rows, size_t n)
{
    double best = GEX__NO_VALUE, best_v = INFINITY, oi = 0;
    for (size_t k = 0; k < n; k++)
        oi += rows[k].call_oi + rows[k].put_oi;
    if (!(oi > 0))
        return GEX__NO_VALUE;
    for (size_t j = 0; j < n; j++) {
        const double K = rows[j].strike;
        double v = 0;
        for (size_t k = 0; k < n; k++)
            v += rows[k].call_oi * fmax(0.0, K - rows[k].strike) +
                 rows[k].put_oi * fmax(0.0, rows[k].strike - K);
        if (v < best_v) {
            best_v = v;
            best = K;
        }
    }
    return best;
}

/* Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, Meeus, Astronomical
 * Algorithms, 2nd ed., ch. 8). */
static int32_t easter(int y)
{
    const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
    const int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    const int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    const int m = (a + 11 * h + 22 * l) / 451;
    const int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return gex_time_days_from_civil(y, month, day);
}

/* Whether a third Friday (the 15th to the 21st) is a US equity market holiday: Good Friday, or
 * Juneteenth (NYSE from 2022; on a Friday the 18th when the 19th is a Saturday). No other
 * market holiday falls on those dates. */
static int friday_holiday(int32_t day)
{
    int y, m, d;
    gex_time_civil_from_days(day, &y, &m, &d);
    if (day == easter(y) - 2)
        return 1;
    return y >= 2022 && m == 6 && (d == 19 || d == 18);
}

int gex__is_opex(int32_t day, int *triple)
{
    int y, m, d;
    gex_time_civil_from_days(day, &y, &m, &d);
    const int32_t first = gex_time_days_from_civil(y, m, 1);
    const int wd = gex_time_weekday(first); /* 0 Sunday .. 6 Saturday */
    const int32_t third_friday = first + ((5 - wd + 7) % 7) + 14;
    const int32_t opex = friday_holiday(third_friday) ? third_friday - 1 : third_friday;
    const int is = day == opex;
    if (triple != NULL)
        *triple = is && m % 3 == 0;
    return is;
}

/* meta.gex_own of a document: a list of field names. */
static int set_own(json_t *d, const char *const *names, size_t n)
{
    json_t *a = json_array();
    int rc = a == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t i = 0; i < n && rc == GEX_OK; i++)
        rc |= json_array_append_new(a, json_string(names[i])) == 0 ? GEX_OK : GEX_ENOMEM;
    if (rc != GEX_OK) {
        json_decref(a);
        return rc;
    }
    return gex__jset(json_object_get(d, "meta"), "gex_own", a);
}

static json_t *fail_memory(gex__api_answer *ans)
{
    return gex__api_fail(ans, 500, "internal_error", "out of memory building the document");
}

/* --- sheet --- */

/* The row of strike K among rows ascending by strike, or n. */
static size_t row_of(const gex_strike_row *rows, size_t n, double K)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (rows[mid].strike < K)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && rows[lo].strike == K ? lo : n;
}

/* The vendor's peaks: strength at least a tenth of the largest |net_gex|. */
#define PEAK_MIN_STRENGTH 0.1

typedef struct peak {
    double strike, net_gex, strength;
} peak;

static int peak_order(const void *x, const void *y)
{
    const peak *a = x, *b = y;
    if (a->strength != b->strength)
        return a->strength > b->strength ? -1 : 1;
    return (a->strike > b->strike) - (a->strike < b->strike);
}

json_t *gex__api_sheet(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__analysis *a = in->analysis;
    const gex_strike_row *rows = gex_exposure_strikes(a->exposure);
    const size_t n = gex_exposure_strike_count(a->exposure);
    /* DAG per strike (the vendor's formula): |delta| gamma OI M S^2 0.01, puts negative */
    double *dag = calloc(n + 1, sizeof *dag);
    peak *pk = calloc(n + 1, sizeof *pk);
    if (dag == NULL || pk == NULL) {
        free(dag);
        free(pk);
        return fail_memory(ans);
    }
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    gex_contract_exposures ce;
    gex_exposure_get_contracts(a->exposure, &ce);
    double net_dag = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (!ce.included[i])
            continue;
        const size_t k = row_of(rows, n, v.strike[i]);
        const double s = v.type[i] == GEX_PUT ? -1.0 : 1.0;
        const double x = s * fabs(ce.delta[i]) * ce.gamma[i] * v.open_interest[i] *
                         v.multiplier[i] * a->spot * a->spot * 0.01;
        if (k < n)
            dag[k] += x;
    }
    for (size_t k = 0; k < n; k++)
        net_dag += dag[k]; /* ascending strike order, as the other totals (SPEC 1.5) */
    /* LIS: the largest |second difference| of net GEX in the strike, unequal spacing */
    long lis = -1;
    double lis_v = 0;
    for (size_t k = 1; k + 1 < n; k++) {
        const double h1 = rows[k].strike - rows[k - 1].strike,
                     h2 = rows[k + 1].strike - rows[k].strike;
        const double d2 = 2.0 *
                          ((rows[k + 1].net_gex - rows[k].net_gex) / h2 -
                           (rows[k].net_gex - rows[k - 1].net_gex) / h1) /
                          (h1 + h2);
        if (fabs(d2) > lis_v) {
            lis_v = fabs(d2);
            lis = (long)k;
        }
    }
    double max_abs = 0;
    for (size_t k = 0; k < n; k++)
        max_abs = fmax(max_abs, fabs(rows[k].net_gex));
    size_t np = 0;
    for (size_t k = 0; k < n && max_abs > 0; k++) {
        const double g = fabs(rows[k].net_gex);
        const int left = k == 0 || g >= fabs(rows[k - 1].net_gex);
        const int right = k + 1 == n || g >= fabs(rows[k + 1].net_gex);
        if (left && right && g / max_abs >= PEAK_MIN_STRENGTH)
            pk[np++] = (peak){rows[k].strike, rows[k].net_gex, g / max_abs};
    }
    qsort(pk, np, sizeof *pk, peak_order);

    const char *exp = gex__api_param(in->params, "expiration");
    int32_t day = 0;
    int has_day = 0;
    if (exp != NULL && strcmp(exp, "0dte") == 0) {
        day = gex_exposure_quote_date(a->exposure);
        has_day = 1;
    } else if (exp != NULL) {
        has_day = gex_time_parse_date(exp, strlen(exp), &day) == GEX_OK;
    }
    char day_s[16];
    if (has_day)
        gex_time_format_date(day, day_s, sizeof day_s);
    int triple = 0;
    const int opex = has_day ? gex__is_opex(day, &triple) : 0;

    json_t *d = gex__doc_head(a);
    int rc = d == NULL ? GEX_ENOMEM : GEX_OK;
    rc |= gex__jset(d, "expiration", has_day ? gex__jstr(day_s) : json_null());
    rc |= gex__jset(d, "is_opex", has_day ? json_boolean(opex) : json_null());
    rc |= gex__jset(d, "is_triple_witching", has_day ? json_boolean(triple) : json_null());
    json_t *t = json_object();
    rc |= gex__jset(t, "net_gex", gex__jnum(a->totals.net_gex));
    rc |= gex__jset(t, "net_dex", gex__jnum(a->totals.net_dex));
    rc |= gex__jset(t, "net_vex", gex__jnum(a->totals.net_vex));
    rc |= gex__jset(t, "net_chex", gex__jnum(a->totals.net_chex));
    rc |= gex__jset(t, "net_dag", gex__jnum(net_dag));
    rc |= gex__jset(d, "totals", t);
    if (lis >= 0) {
        json_t *l = json_object();
        rc |= gex__jset(l, "strike", gex__jnum(rows[lis].strike));
        rc |= gex__jset(l, "magnitude", gex__jnum(1.0)); /* the vendor: reserved, always 1.0 */
        rc |= gex__jset(d, "lis", l);
    } else {
        rc |= gex__jset(d, "lis", json_null());
    }
    json_t *pa = json_array();
    rc |= pa == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t i = 0; i < np && rc == GEX_OK; i++) {
        json_t *o = json_object();
        rc |= gex__jset(o, "strike", gex__jnum(pk[i].strike));
        rc |= gex__jset(o, "net_gex", gex__jnum(pk[i].net_gex));
        rc |= gex__jset(o, "strength", gex__jnum(pk[i].strength));
        rc |= gex__jset(o, "side", gex__jstr(pk[i].net_gex >= 0 ? "call_wall" : "put_wall"));
        rc |= json_array_append_new(pa, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    rc |= gex__jset(d, "peaks", pa);
    json_t *sa = json_array();
    rc |= sa == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t k = 0; k < n && rc == GEX_OK; k++) {
        const gex_strike_row *r = &rows[k];
        json_t *o = json_object();
        const double vals[13] = {r->strike,    r->call_gex, r->put_gex,  r->net_gex, r->call_dex,
                                 r->put_dex,   r->net_dex,  r->call_vex, r->put_vex, r->net_vex,
                                 r->call_chex, r->put_chex, r->net_chex};
        static const char *const keys[13] = {
            "strike",   "call_gex", "put_gex", "net_gex",   "call_dex", "put_dex", "net_dex",
            "call_vex", "put_vex",  "net_vex", "call_chex", "put_chex", "net_chex"};
        for (int j = 0; j < 13; j++)
            rc |= gex__jset(o, keys[j], gex__jnum(vals[j]));
        rc |= gex__jset(o, "dag", gex__jnum(dag[k]));
        rc |= gex__jset(o, "call_oi", gex__jnum(r->call_oi));
        rc |= gex__jset(o, "put_oi", gex__jnum(r->put_oi));
        rc |= json_array_append_new(sa, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    rc |= gex__jset(d, "strikes", sa);
    free(dag);
    free(pk);
    d = gex__doc_complete(a, d, rc);
    static const char *const own[] = {"is_opex"}; /* the holiday rule is gex's reading */
    if (d == NULL || set_own(d, own, 1) != GEX_OK) {
        json_decref(d);
        return fail_memory(ans);
    }
    return d;
}

/* --- term structure --- */

/* The vendor's DTE buckets, inclusive. */
static const struct {
    const char *name;
    long lo, hi;
} buckets[5] = {{"0-7d", 0, 7},
                {"8-30d", 8, 30},
                {"31-60d", 31, 60},
                {"61-180d", 61, 180},
                {"180d+", 181, 2147483647L}};

json_t *gex__api_term_structure(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__analysis *a = in->analysis;
    const gex_exposure *e = a->exposure;
    const size_t ne = gex_exposure_expiry_count(e);
    const int32_t quote_date = gex_exposure_quote_date(e);
    double sum_abs = 0;
    for (size_t k = 0; k < ne; k++) {
        gex_exposure_totals t;
        gex_exposure_expiry_totals(e, k, &t);
        sum_abs += fabs(t.net_gex);
    }
    json_t *d = gex__doc_head(a);
    int rc = d == NULL ? GEX_ENOMEM : GEX_OK;
    json_t *ba = json_array();
    rc |= ba == NULL ? GEX_ENOMEM : GEX_OK;
    for (int b = 0; b < 5 && rc == GEX_OK; b++) {
        double g = 0, dx = 0, vx = 0, cx = 0;
        size_t used = 0;
        for (size_t k = 0; k < ne; k++) {
            const long dte = (long)gex_exposure_expiry_date(e, k) - quote_date;
            if (dte < buckets[b].lo || dte > buckets[b].hi)
                continue;
            gex_exposure_totals t;
            gex_exposure_expiry_totals(e, k, &t);
            g += t.net_gex;
            dx += t.net_dex;
            vx += t.net_vex;
            cx += t.net_chex;
            used += t.used;
        }
        if (used == 0)
            continue; /* the vendor omits empty buckets */
        json_t *o = json_object();
        json_t *range = json_array();
        rc |= json_array_append_new(range, json_integer(buckets[b].lo)) == 0 ? GEX_OK : GEX_ENOMEM;
        rc |= json_array_append_new(range, json_integer(buckets[b].hi)) == 0 ? GEX_OK : GEX_ENOMEM;
        rc |= gex__jset(o, "bucket", gex__jstr(buckets[b].name));
        rc |= gex__jset(o, "dte_range", range);
        rc |= gex__jset(o, "net_gex", gex__jnum(g));
        rc |= gex__jset(o, "net_dex", gex__jnum(dx));
        rc |= gex__jset(o, "net_vex", gex__jnum(vx));
        rc |= gex__jset(o, "net_chex", gex__jnum(cx));
        rc |= gex__jset(o, "contract_count", json_integer((json_int_t)used));
        rc |= json_array_append_new(ba, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    rc |= gex__jset(d, "by_dte_bucket", ba);
    json_t *ea = json_array();
    rc |= ea == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t k = 0; k < ne && rc == GEX_OK; k++) {
        const int32_t day = gex_exposure_expiry_date(e, k);
        gex_exposure_totals t;
        gex_exposure_expiry_totals(e, k, &t);
        char ds[16];
        gex_time_format_date(day, ds, sizeof ds);
        int triple = 0;
        const int opex = gex__is_opex(day, &triple);
        json_t *o = json_object();
        rc |= gex__jset(o, "expiration", gex__jstr(ds));
        rc |= gex__jset(o, "dte", json_integer((json_int_t)day - quote_date));
        rc |= gex__jset(o, "is_opex", json_boolean(opex));
        rc |= gex__jset(o, "is_triple_witching", json_boolean(triple));
        rc |= gex__jset(o, "net_gex", gex__jnum(t.net_gex));
        rc |= gex__jset(o, "net_dex", gex__jnum(t.net_dex));
        rc |= gex__jset(o, "net_vex", gex__jnum(t.net_vex));
        rc |= gex__jset(o, "net_chex", gex__jnum(t.net_chex));
        rc |= gex__jset(o, "pct_of_chain_gex",
                        gex__jnum(sum_abs > 0 ? 100.0 * fabs(t.net_gex) / sum_abs : 0.0));
        rc |= json_array_append_new(ea, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    rc |= gex__jset(d, "by_expiry", ea);
    d = gex__doc_complete(a, d, rc);
    static const char *const own[] = {"is_opex"};
    if (d == NULL || set_own(d, own, 1) != GEX_OK) {
        json_decref(d);
        return fail_memory(ans);
    }
    return d;
}
