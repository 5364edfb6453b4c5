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

json_t *gex__jnum_or_null(double v)
{
    return isfinite(v) ? gex__jnum(v) : json_null();
}

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

/* --- narrative --- */

/* "+$2.85B", "-$411.3M", "+$12.5K", "+$950": money as the vendor's narrative writes it, in
 * dollars; in another currency the code follows the amount ("+2.85B INR", SPEC 1.5). */
/* A figure short, signed, with pre before its digits and post after its unit: "+$2.85B". */
static void compact(double v, const char *pre, const char *post, char *buf, size_t size)
{
    const double a = fabs(v);
    const char sign = v < 0 ? '-' : '+';
    if (a >= 1e9)
        snprintf(buf, size, "%c%s%.2fB%s", sign, pre, a / 1e9, post);
    else if (a >= 1e6)
        snprintf(buf, size, "%c%s%.1fM%s", sign, pre, a / 1e6, post);
    else if (a >= 1e3)
        snprintf(buf, size, "%c%s%.1fK%s", sign, pre, a / 1e3, post);
    else
        snprintf(buf, size, "%c%s%.0f%s", sign, pre, a, post);
}

static void money(double v, const char *currency, char *buf, size_t size)
{
    char post[8] = "";
    const int dollar = strcmp(currency, "USD") == 0;
    if (!dollar)
        snprintf(post, sizeof post, " %.3s", currency);
    compact(v, dollar ? "$" : "", post, buf, size);
}

/* Net GEX in words, in the unit the document's numbers are in (--gex-unit): the currency per 1%
 * move as money() writes it, else "... per 1-point spot move" in the currency or in shares. */
static void gex_words(double v, const gex__analysis *a, char *buf, size_t size)
{
    const gex_gex_unit unit = gex__unit_of(a);
    if (unit == GEX_UNIT_SHARES) {
        compact(v, "", " shares per 1-point spot move", buf, size);
        return;
    }
    char m[40];
    money(v, a->currency, m, sizeof m);
    snprintf(buf, size, "%s%s", m, unit == GEX_UNIT_POINT ? " per 1-point spot move" : "");
}

static void level_word(const gex_level *l, char *buf, size_t size)
{
    if (l->has)
        gex__fmt_roundtrip(l->value, buf, size);
    else
        snprintf(buf, size, "none");
}

/* One row of the day-over-day open interest changes. */
typedef struct oi_change {
    double strike, change, volume;
    int put;
} oi_change;

#define NARRATIVE_TOP_OI 5

static int change_order(const void *x, const void *y)
{
    const oi_change *a = x, *b = y;
    if (fabs(a->change) != fabs(b->change))
        return fabs(a->change) > fabs(b->change) ? -1 : 1;
    if (a->strike != b->strike)
        return a->strike < b->strike ? -1 : 1;
    return a->put - b->put;
}

/* The open interest changes per strike and side between two analyses' rows (a strike missing
 * on one side counts 0 there), largest |change| first, at most NARRATIVE_TOP_OI; *n receives
 * how many (0 for none). NULL with *n 0 when memory ran out, *oom set. */
static oi_change *oi_changes(const gex__analysis *now, const gex__analysis *before, size_t *n,
                             int *oom)
{
    const gex_strike_row *r1 = gex_exposure_strikes(now->exposure);
    const gex_strike_row *r0 = gex_exposure_strikes(before->exposure);
    const size_t n1 = gex_exposure_strike_count(now->exposure);
    const size_t n0 = gex_exposure_strike_count(before->exposure);
    *n = 0;
    *oom = 0;
    oi_change *c = malloc(2 * (n0 + n1) * sizeof *c + 1);
    if (c == NULL) {
        *oom = 1;
        return NULL;
    }
    size_t m = 0;
    for (size_t i = 0, j = 0; i < n1 || j < n0;) {
        const int take1 = j >= n0 || (i < n1 && r1[i].strike <= r0[j].strike);
        const int take0 = i >= n1 || (j < n0 && r0[j].strike <= r1[i].strike);
        const double K = take1 ? r1[i].strike : r0[j].strike;
        const double call1 = take1 ? r1[i].call_oi : 0, put1 = take1 ? r1[i].put_oi : 0;
        const double call0 = take0 ? r0[j].call_oi : 0, put0 = take0 ? r0[j].put_oi : 0;
        const double cv = take1 ? r1[i].call_volume : 0, pv = take1 ? r1[i].put_volume : 0;
        if (call1 != call0)
            c[m++] = (oi_change){K, call1 - call0, cv, 0};
        if (put1 != put0)
            c[m++] = (oi_change){K, put1 - put0, pv, 1};
        i += take1;
        j += take0;
    }
    qsort(c, m, sizeof *c, change_order);
    *n = m < NARRATIVE_TOP_OI ? m : NARRATIVE_TOP_OI;
    return c;
}

/* The sentences (gex's own wording, SPEC 5.2). */
typedef struct narrative_text {
    char regime[256], gex_change[320], key_levels[256], flow[512], vanna[256], charm[256],
        zero_dte[256], outlook[320];
} narrative_text;

static void write_narrative(const gex__analysis *a, const gex__analysis *prev,
                            const gex_zero_dte *z, const oi_change *ch, size_t n_ch,
                            narrative_text *t)
{
    char g[64], p[64], x[32], cw[40], pw[40], fl[40], sp[40];
    const double net = a->totals.net_gex;
    gex_words(net, a, g, sizeof g);
    if (net > 0)
        snprintf(t->regime, sizeof t->regime,
                 "Dealers are long gamma (net GEX %s): expect mean-reverting, range-bound price "
                 "action.",
                 g);
    else if (net < 0)
        snprintf(t->regime, sizeof t->regime,
                 "Dealers are short gamma (net GEX %s): expect trending, volatile price action.",
                 g);
    else
        snprintf(t->regime, sizeof t->regime,
                 "Dealers hold no net gamma: hedging neither dampens nor amplifies moves.");
    /* The document's regime is the vendor's rule, the spot's side of the flip; with
     * --flip-method strike it can read otherwise than the sign of net GEX: said, not hidden. */
    const char *label = gex_analysis_regime(a->an)->vendor_regime;
    const int above = strcmp(label, "positive_gamma") == 0,
              below = strcmp(label, "negative_gamma") == 0;
    if ((above && net < 0) || (below && net > 0)) {
        const size_t used = strlen(t->regime);
        snprintf(t->regime + used, sizeof t->regime - used,
                 " The regime reads %s gamma, the vendor's rule: spot is %s the gamma flip.",
                 above ? "positive" : "negative", above ? "above" : "below");
    }
    if (prev != NULL && strcmp(prev->currency, a->currency) != 0) {
        snprintf(t->gex_change, sizeof t->gex_change,
                 "The earlier snapshot of %s is in %s, this one in %s: the change of net GEX is "
                 "not computed (gex converts no currency).",
                 a->symbol, prev->currency, a->currency);
    } else if (prev != NULL) {
        const double before = prev->totals.net_gex;
        char when[48];
        gex_time_format_date(gex_exposure_quote_date(prev->exposure), when, sizeof when);
        gex_words(before, a, p, sizeof p);
        const char *trend = fabs(net) > fabs(before) ? "strengthening" : "weakening";
        if ((net > 0) != (before > 0) && net != 0 && before != 0) {
            snprintf(t->gex_change, sizeof t->gex_change,
                     "Net GEX flipped from %s to %s since the snapshot of %s: the gamma regime "
                     "changed sign.",
                     p, g, when);
        } else if (before != 0) {
            /* a change from a tiny net GEX has no bound: its short form, and none past the
             * doubles */
            const double pct = (net - before) / fabs(before) * 100.0;
            char c[GEX__SHORT_SIZE + 8] = "";
            if (isfinite(pct)) {
                char v[GEX__SHORT_SIZE];
                gex__fmt_short(pct, 1, v, sizeof v);
                snprintf(c, sizeof c, " (%s%s%%)", pct >= 0 ? "+" : "", v);
            }
            snprintf(t->gex_change, sizeof t->gex_change,
                     "Net GEX %s from %s to %s%s since the snapshot of %s: gamma %s %s.",
                     net >= before ? "rose" : "fell", p, g, c, when,
                     net >= 0 ? "cushion" : "pressure", trend);
        } else {
            snprintf(t->gex_change, sizeof t->gex_change,
                     "Net GEX moved from zero to %s since the snapshot of %s.", g, when);
        }
    } else {
        snprintf(t->gex_change, sizeof t->gex_change,
                 "No earlier snapshot of %s in the folder: the change of net GEX is unknown.",
                 a->symbol);
    }
    level_word(&a->levels.call_wall, cw, sizeof cw);
    level_word(&a->levels.put_wall, pw, sizeof pw);
    if (a->levels.gamma_flip.has)
        gex__fmt_price(a->levels.gamma_flip.value, fl, sizeof fl);
    gex__fmt_price(a->spot, sp, sizeof sp);
    if (a->levels.gamma_flip.has)
        snprintf(t->key_levels, sizeof t->key_levels,
                 "Call wall at %s, put wall at %s, gamma flip at %s; spot %s is %s the flip.", cw,
                 pw, fl, sp, a->spot >= a->levels.gamma_flip.value ? "above" : "below");
    else
        snprintf(t->key_levels, sizeof t->key_levels,
                 "Call wall at %s, put wall at %s; net GEX keeps its sign around spot %s (no "
                 "gamma flip).",
                 cw, pw, sp);
    /* flow: the open interest changes when there is a previous snapshot, else volume and OI */
    const gex_strike_row *rows = gex_exposure_strikes(a->exposure);
    const size_t n = gex_exposure_strike_count(a->exposure);
    double cv = 0, pv = 0, co = 0, po = 0;
    for (size_t k = 0; k < n; k++) {
        cv += rows[k].call_volume;
        pv += rows[k].put_volume;
        co += rows[k].call_oi;
        po += rows[k].put_oi;
    }
    char vol[GEX__GROUPED_SIZE], oi[GEX__GROUPED_SIZE];
    gex__fmt_grouped(cv + pv, 0, vol, sizeof vol);
    gex__fmt_grouped(co + po, 0, oi, sizeof oi);
    size_t used = 0;
    if (n_ch > 0) {
        used += (size_t)snprintf(t->flow, sizeof t->flow, "Top OI changes:");
        for (size_t i = 0; i < n_ch && used < sizeof t->flow; i++) {
            char c[GEX__GROUPED_SIZE], k[40];
            gex__fmt_grouped(ch[i].change, 0, c, sizeof c);
            gex__fmt_roundtrip(ch[i].strike, k, sizeof k);
            used += (size_t)snprintf(t->flow + used, sizeof t->flow - used, "%s %s%s %s OI at %s",
                                     i == 0 ? "" : ",", ch[i].change > 0 ? "+" : "", c,
                                     ch[i].put ? "put" : "call", k);
        }
        if (used < sizeof t->flow)
            used += (size_t)snprintf(t->flow + used, sizeof t->flow - used, ". ");
    } else if (prev != NULL && used < sizeof t->flow) {
        used += (size_t)snprintf(t->flow, sizeof t->flow, "Open interest unchanged. ");
    }
    if (used < sizeof t->flow) {
        if (cv + pv > 0 && cv > 0)
            snprintf(t->flow + used, sizeof t->flow - used,
                     "Volume %s contracts (put/call %.2f); open interest %s.", vol, pv / cv, oi);
        else
            snprintf(t->flow + used, sizeof t->flow - used,
                     "Volume %s contracts; open interest %s%s.", vol, oi,
                     cv + pv > 0 ? "" : " (the file has no volume)");
    }
    money(a->totals.net_vex, a->currency, x, sizeof x);
    snprintf(t->vanna, sizeof t->vanna, "Net vanna %s. %s.", x,
             gex__interpret_vanna(a->totals.net_vex));
    money(a->totals.net_chex, a->currency, x, sizeof x);
    snprintf(t->charm, sizeof t->charm, "Net charm %s per day. %s.", x,
             gex__interpret_charm(a->totals.net_chex));
    if (z->has) {
        const double pct = z->pct_of_total_gex;
        snprintf(t->zero_dte, sizeof t->zero_dte,
                 "0DTE accounts for %.0f%% of gross GEX: %s intraday impact.", pct,
                 pct >= 50   ? "dominant"
                 : pct >= 20 ? "significant"
                             : "minimal");
    } else {
        const size_t expired = gex__expired_on(a, gex_exposure_quote_date(a->exposure));
        if (expired > 0)
            snprintf(t->zero_dte, sizeof t->zero_dte,
                     "The %zu contracts expiring on the quote date settled at or before the quote "
                     "instant: no "
                     "0DTE gamma is left.",
                     expired);
        else
            snprintf(t->zero_dte, sizeof t->zero_dte,
                     "No contract expires on the quote date: no 0DTE gamma.");
    }
    /* outlook: the regime, then the nearest wall within 1% of the spot */
    const char *reg = (above && net < 0) || (below && net > 0)
                          ? "Mixed gamma (net GEX and the spot's side of the flip disagree)"
                      : net > 0 ? "Positive gamma regime"
                      : net < 0 ? "Negative gamma regime"
                                : "Neutral gamma";
    const char *trend = "";
    if (prev != NULL && strcmp(prev->currency, a->currency) == 0 && prev->totals.net_gex != 0 &&
        (net > 0) == (prev->totals.net_gex > 0))
        trend = fabs(net) > fabs(prev->totals.net_gex) ? " with a strengthening cushion"
                                                       : " with a weakening cushion";
    if (net < 0 && *trend != '\0')
        trend = fabs(net) > fabs(prev->totals.net_gex) ? " with deepening short gamma"
                                                       : " with easing short gamma";
    const gex_level *wall = NULL;
    const char *side = "";
    if (a->levels.call_wall.has && a->levels.call_wall.value >= a->spot &&
        (a->levels.call_wall.value - a->spot) / a->spot <= 0.01) {
        wall = &a->levels.call_wall;
        side = "call wall";
    }
    if (a->levels.put_wall.has && a->levels.put_wall.value <= a->spot &&
        (a->spot - a->levels.put_wall.value) / a->spot <= 0.01 &&
        (wall == NULL || a->spot - a->levels.put_wall.value < wall->value - a->spot)) {
        wall = &a->levels.put_wall;
        side = "put wall";
    }
    if (wall != NULL) {
        char w[40];
        gex__fmt_roundtrip(wall->value, w, sizeof w);
        snprintf(t->outlook, sizeof t->outlook, "%s%s. Testing the %s %s, within 1%% of spot.", reg,
                 trend, w, side);
    } else {
        snprintf(t->outlook, sizeof t->outlook, "%s%s. No wall within 1%% of spot.", reg, trend);
    }
}

json_t *gex__api_narrative(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__analysis *a = in->analysis, *prev = in->previous;
    const gex_zero_dte *z = gex_analysis_zero_dte(a->an);
    size_t n_ch = 0;
    int oom = 0;
    oi_change *ch = prev != NULL ? oi_changes(a, prev, &n_ch, &oom) : NULL;
    if (oom)
        return fail_memory(ans);
    narrative_text t;
    write_narrative(a, prev, z, ch, n_ch, &t);
    gex_regime rg;
    gex_regime_classify(a->spot, a->totals.net_gex, a->totals.net_vex, &a->levels.gamma_flip, &rg);
    json_t *d = gex__doc_head(a);
    json_t *nb = json_object(), *data = json_object(), *top = json_array();
    int rc = d == NULL || nb == NULL || data == NULL || top == NULL ? GEX_ENOMEM : GEX_OK;
    rc |= gex__jset(nb, "regime", gex__jstr(t.regime));
    rc |= gex__jset(nb, "gex_change", gex__jstr(t.gex_change));
    rc |= gex__jset(nb, "key_levels", gex__jstr(t.key_levels));
    rc |= gex__jset(nb, "flow", gex__jstr(t.flow));
    rc |= gex__jset(nb, "vanna", gex__jstr(t.vanna));
    rc |= gex__jset(nb, "charm", gex__jstr(t.charm));
    rc |= gex__jset(nb, "zero_dte", gex__jstr(t.zero_dte));
    rc |= gex__jset(nb, "outlook", gex__jstr(t.outlook));
    const double net = a->totals.net_gex;
    const double prior = prev != NULL ? prev->totals.net_gex : GEX__NO_VALUE;
    rc |= gex__jset(data, "net_gex", gex__jnum(net));
    rc |= gex__jset(data, "net_gex_prior", gex__jnum_or_null(prior));
    rc |=
        gex__jset(data, "net_gex_change_pct",
                  gex__jnum_or_null(prev != NULL && prior != 0 ? (net - prior) / fabs(prior) * 100.0
                                                               : GEX__NO_VALUE));
    /* CBOE's VIX method on the folder's SPX file of the day (SPEC 1.9), null without one */
    rc |= gex__jset(data, "vix", gex__jnum_or_null(gex__api_vix_level(in->vix, a, 1)));
    rc |= gex__jset(data, "gamma_flip", gex__jlevel(&a->levels.gamma_flip));
    rc |= gex__jset(data, "call_wall", gex__jlevel(&a->levels.call_wall));
    rc |= gex__jset(data, "put_wall", gex__jlevel(&a->levels.put_wall));
    /* the vendor's enum has "unknown" where gex's summary says "undetermined" */
    rc |= gex__jset(
        data, "regime",
        gex__jstr(strcmp(rg.vendor_regime, "undetermined") == 0 ? "unknown" : rg.vendor_regime));
    rc |= gex__jset(data, "zero_dte_pct", gex__jnum(z->has ? z->pct_of_total_gex : 0.0));
    for (size_t i = 0; i < n_ch && rc == GEX_OK; i++) {
        json_t *o = json_object();
        rc |= gex__jset(o, "strike", gex__jnum(ch[i].strike));
        rc |= gex__jset(o, "type", gex__jstr(ch[i].put ? "put" : "call"));
        rc |= gex__jset(o, "oi_change", gex__jnum(ch[i].change));
        rc |= gex__jset(o, "volume", gex__jnum(ch[i].volume));
        rc |= json_array_append_new(top, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    free(ch);
    rc |= gex__jset(data, "top_oi_changes", top);
    rc |= gex__jset(nb, "data", data);
    rc |= gex__jset(d, "narrative", nb);
    d = gex__doc_complete(a, d, rc);
    static const char *const own[] = {
        "narrative.regime", "narrative.gex_change", "narrative.key_levels", "narrative.flow",
        "narrative.vanna",  "narrative.charm",      "narrative.zero_dte",   "narrative.outlook"};
    if (d == NULL || set_own(d, own, sizeof own / sizeof *own) != GEX_OK) {
        json_decref(d);
        return fail_memory(ans);
    }
    json_t *meta = json_object_get(d, "meta");
    if (prev != NULL) {
        if (gex__jset(meta, "previous_file", gex__jstr(prev->path)) != GEX_OK) {
            json_decref(d);
            return fail_memory(ans);
        }
    }
    return d;
}
