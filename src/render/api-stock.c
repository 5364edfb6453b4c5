/*
 * api-stock.c: the vendor's composite documents of one underlying over time (SPEC 5.5,
 * api-stock.h): /v1/volatility/{symbol}, /v1/stock/{symbol}/summary and
 * /v1/volatility/spot-vol-correlation/{symbol}. Realized volatility, VRP and ATM IV come from
 * the series (gex/history.h, gex/volatility.h); skew, term structure, exposure, open interest
 * and volume from the analysis of the last snapshot, through the documents the other builders
 * already write (skew-term, term-structure, summary, gex, max pain), so that the numbers agree
 * across endpoints. What a chain series cannot tell (quotes of the stock, macro indices, the
 * trade tape) is null and meta.null_fields says why; formulas the vendor does not publish are
 * gex's own and listed in meta.gex_own.
 */
#include "api-stock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api-exposure.h"
#include "api-history.h"
#include "api-volatility.h"
#include "gex/gex.h"

/* The trailing window of the vendor's hv_60 / rv_60d, trading days. */
#define RV_LONG 60
/* iv_rv_spreads.assessment (gex's own): vrp_20d beyond +-FAIR_BAND vol points is rich/cheap. */
#define FAIR_BAND 2.0
/* term_structure.state (gex's own): a relative change of the ATM IV from the first to the last
 * expiration beyond +-FLAT_PCT percent is contango/backwardation. */
#define FLAT_PCT 1.0
/* put_call_profile.by_moneyness (gex's own): strikes within ATM_BAND of spot (relative) are at
 * the money. */
#define ATM_BAND 0.01
/* liquidity (gex's own bands of |delta|): at the money 0.40-0.60, wings 0.10-0.25 (the
 * vendor's "10-25 delta"). */
#define ATM_DELTA_LO  0.40
#define ATM_DELTA_HI  0.60
#define WING_DELTA_LO 0.10
#define WING_DELTA_HI 0.25
/* exposure.top_strikes: the strikes of largest |net_gex|. */
#define TOP_STRIKES 5
/* theta_by_dte: the DTE buckets of /v1/exposure/term-structure (inclusive), and a year of
 * SPEC 1.1's 365 days for theta per day. */
#define THETA_BUCKETS 5
static const struct {
    const char *name;
    long lo, hi;
} theta_bucket[THETA_BUCKETS] = {{"0-7d", 0, 7},
                                 {"8-30d", 8, 30},
                                 {"31-60d", 31, 60},
                                 {"61-180d", 61, 180},
                                 {"180d+", 181, 2147483647L}};
#define DAYS_A_YEAR 365.0
/* The correlation windows and the fewest daily pairs with which one is given (the vendor's). */
#define CORR_SHORT 20
#define CORR_LONG  60
#define CORR_MIN   20

static json_t *oom(json_t *d, gex__api_answer *ans)
{
    json_decref(d);
    return gex__api_fail(ans, 500, "internal_error", "out of memory building the document");
}

/* Realized volatility over the last window trading days of the series; has 0 when it is too
 * short, -1 out of memory. */
static int rv_window(const gex__api_series *se, int window, gex_level *out)
{
    double *c = malloc((se->n > 0 ? se->n : 1) * sizeof *c);
    size_t m = 0;
    if (c == NULL)
        return -1;
    *out = (gex_level){0, 0.0};
    if (gex_vol_closes(se->snapshot, se->n, c, &m) == GEX_OK)
        *out = gex_vol_realized(c, m, window);
    free(c);
    return 0;
}

/* symbol, as_of (the vendor's 7-digit fraction) and market_open of the last snapshot. */
static int head(json_t *d, const gex_snapshot *s, int with_price)
{
    char iso[48];
    gex__json_time(s->quote_time, iso, sizeof iso);
    int st = gex__jset(d, "symbol", gex__jstr(s->symbol));
    if (with_price)
        st |= gex__jset(d, "underlying_price", gex__jnum(s->spot));
    st |= gex__jset(d, "as_of", gex__jstr(iso));
    st |= gex__jset(d, "market_open", json_boolean(gex_time_regular_session(s->quote_time)));
    return st;
}

/* A member of a sub-document (a new reference), or null. */
static json_t *take(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v != NULL ? json_incref(v) : json_null();
}

static double numof(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : (double)NAN;
}

/* A whole count as the vendor's integer (open interest and volume are whole in every file). */
static json_t *jcount(double v)
{
    return isfinite(v) ? json_integer((json_int_t)llround(v)) : json_null();
}

static json_t *jratio(double num, double den)
{
    return isfinite(num) && isfinite(den) && den > 0 ? gex__vol_num(num / den) : json_null();
}

/* meta: the analysis's (file, format, contracts ...), the series' length, what is gex's own and
 * why each null field is null (pairs name, reason). */
static json_t *meta_of(const gex__api_input *in, const char *const *own, size_t n_own,
                       const char *const *nulls, size_t n_nulls)
{
    json_t *m = in->analysis != NULL ? gex__json_meta(in->analysis) : json_object();
    if (m == NULL)
        return NULL;
    int st = gex__jset(m, "snapshots", json_integer((json_int_t)in->series->n));
    char first[48];
    gex__json_time(in->series->snapshot[0].quote_time, first, sizeof first);
    st |= gex__jset(m, "first_snapshot", gex__jstr(first));
    json_t *arr = json_array(), *nf = json_object();
    for (size_t i = 0; i < n_own && arr != NULL; i++)
        st |= json_array_append_new(arr, gex__jstr(own[i])) == 0 ? GEX_OK : GEX_ENOMEM;
    for (size_t i = 0; i + 1 < n_nulls; i += 2)
        st |= gex__jset(nf, nulls[i], gex__jstr(nulls[i + 1]));
    st |= gex__jset(m, "gex_own", arr);
    st |= gex__jset(m, "null_fields", nf);
    if (st != GEX_OK) {
        json_decref(m);
        return NULL;
    }
    return m;
}

/* --- the chain's open interest and volume --- */

/* Per expiration of the contracts the request keeps (not expired). */
typedef struct flow_expiry {
    int32_t day;
    double call_oi, put_oi, call_vol, put_vol;
    int call_has_vol, put_has_vol, used;
} flow_expiry;

typedef struct flow {
    size_t n;
    flow_expiry *e; /* ascending day */
    double call_oi, put_oi, call_vol, put_vol;
    int has_vol;
    double oi_dte; /* sum of oi times calendar days to expiration */
    /* by moneyness: [type][0 otm, 1 atm, 2 itm] */
    double money[2][3];
    /* concentration over strikes */
    double top[3], herfindahl; /* top 3, 5, 10 shares in percent; HHI (0 to 1) */
    int has_concentration;
    /* liquidity */
    double atm_spread, wing_spread;
    size_t atm_n, wing_n;
    /* dealers' theta per day by DTE bucket (SPEC 1.5's signs), and the contracts in it */
    double theta[THETA_BUCKETS];
    size_t theta_n[THETA_BUCKETS];
} flow;

typedef struct strike_oi {
    double strike, oi;
} strike_oi;

static int by_strike(const void *x, const void *y)
{
    const strike_oi *a = x, *b = y;
    return (a->strike > b->strike) - (a->strike < b->strike);
}

static int by_oi_desc(const void *x, const void *y)
{
    const strike_oi *a = x, *b = y;
    return (a->oi < b->oi) - (a->oi > b->oi);
}

static int by_day(const void *x, const void *y)
{
    const int32_t a = *(const int32_t *)x, b = ((const flow_expiry *)y)->day;
    return (a > b) - (a < b);
}

/* Sums of the kept contracts of analysis a. GEX_OK or GEX_ENOMEM. */
static int flow_collect(const gex__analysis *a, flow *f)
{
    memset(f, 0, sizeof *f);
    int32_t *days = NULL;
    size_t *counts = NULL, nd = 0;
    if (gex_chain_expirations(a->chain, &days, &counts, &nd) != GEX_OK)
        return GEX_ENOMEM;
    free(counts);
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    f->e = calloc(nd > 0 ? nd : 1, sizeof *f->e);
    strike_oi *so = malloc((v.n > 0 ? v.n : 1) * sizeof *so);
    if (f->e == NULL || so == NULL) {
        free(days);
        free(f->e);
        free(so);
        f->e = NULL;
        return GEX_ENOMEM;
    }
    for (size_t k = 0; k < nd; k++)
        f->e[k].day = days[k];
    f->n = nd;
    free(days);
    const int32_t today = gex_exposure_quote_date(a->exposure);
    const double S = a->spot;
    size_t ns = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (!gex__vol_keeps(a, &v, i))
            continue;
        flow_expiry *e = bsearch(&v.expiration[i], f->e, f->n, sizeof *f->e, by_day);
        if (e == NULL)
            continue;
        const int call = v.type[i] == GEX_CALL;
        const double oi = isfinite(v.open_interest[i]) ? v.open_interest[i] : 0.0;
        const double vol = v.volume[i];
        e->used = 1;
        if (call)
            e->call_oi += oi;
        else
            e->put_oi += oi;
        if (isfinite(vol)) {
            f->has_vol = 1;
            if (call) {
                e->call_vol += vol;
                e->call_has_vol = 1;
            } else {
                e->put_vol += vol;
                e->put_has_vol = 1;
            }
        }
        f->oi_dte += oi * (double)(v.expiration[i] - today);
        const double K = v.strike[i];
        const int m = fabs(K / S - 1.0) <= ATM_BAND ? 1 : (call ? K > S : K < S) ? 0 : 2;
        f->money[call ? 0 : 1][m] += oi;
        so[ns++] = (strike_oi){K, oi};
        /* liquidity: a two-sided quote and the model delta at the contract's volatility */
        gex_greeks g;
        const int priced =
            v.status[i] == GEX_CONTRACT_OK &&
            gex_bs_greeks(v.type[i], S, K, v.T[i], v.iv[i], v.r[i], v.q[i], &g) == GEX_BS_OK;
        const long dte = (long)v.expiration[i] - today;
        for (int b = 0; priced && b < THETA_BUCKETS; b++)
            if (dte >= theta_bucket[b].lo && dte <= theta_bucket[b].hi) {
                const double mult = isfinite(v.multiplier[i]) ? v.multiplier[i] : 100.0;
                f->theta[b] += (call ? 1.0 : -1.0) * g.theta / DAYS_A_YEAR * oi * mult;
                f->theta_n[b]++;
            }
        if (v.bid[i] > 0 && v.ask[i] >= v.bid[i] && priced) {
            const double mid = (v.bid[i] + v.ask[i]) / 2, spread = (v.ask[i] - v.bid[i]) / mid;
            const double d = fabs(g.delta);
            if (d >= ATM_DELTA_LO && d <= ATM_DELTA_HI) {
                f->atm_spread += spread;
                f->atm_n++;
            } else if (d >= WING_DELTA_LO && d <= WING_DELTA_HI) {
                f->wing_spread += spread;
                f->wing_n++;
            }
        }
    }
    for (size_t k = 0; k < f->n; k++) {
        f->call_oi += f->e[k].call_oi;
        f->put_oi += f->e[k].put_oi;
        f->call_vol += f->e[k].call_vol;
        f->put_vol += f->e[k].put_vol;
    }
    /* open interest by strike, over every kept expiration */
    qsort(so, ns, sizeof *so, by_strike);
    size_t m = 0;
    for (size_t i = 0; i < ns; i++) {
        if (m > 0 && so[m - 1].strike == so[i].strike)
            so[m - 1].oi += so[i].oi;
        else
            so[m++] = so[i];
    }
    qsort(so, m, sizeof *so, by_oi_desc);
    const double total = f->call_oi + f->put_oi;
    if (total > 0) {
        static const size_t tops[3] = {3, 5, 10};
        double run = 0.0;
        for (size_t i = 0; i < m; i++) {
            run += so[i].oi;
            for (int t = 0; t < 3; t++)
                if (i + 1 == tops[t] || (i + 1 == m && m < tops[t]))
                    f->top[t] = 100.0 * run / total;
            f->herfindahl += (so[i].oi / total) * (so[i].oi / total);
        }
        f->has_concentration = 1;
    }
    free(so);
    return GEX_OK;
}

/* The documents of the other builders this one reads (NULL where the chain has none). */
typedef struct parts {
    json_t *skew, *terms, *summary, *gex, *maxpain;
} parts;

static void parts_free(parts *p)
{
    json_decref(p->skew);
    json_decref(p->terms);
    json_decref(p->summary);
    json_decref(p->gex);
    json_decref(p->maxpain);
}

/* The ATM IVs of the expirations of at least one day (the same day's are noise), in vol points,
 * with their dte; how many. */
static size_t term_ivs(const json_t *skew, double *iv, int *dte, size_t max)
{
    size_t n = 0, i;
    json_t *row;
    json_array_foreach(json_object_get(skew, "expiries"), i, row)
    {
        const double x = numof(row, "atm_iv");
        const json_t *d = json_object_get(row, "dte");
        if (n < max && isfinite(x) && json_is_integer(d) && json_integer_value(d) >= 1) {
            iv[n] = x;
            dte[n++] = (int)json_integer_value(d);
        }
    }
    return n;
}

static double sample_sd(const double *x, size_t n)
{
    if (n < 2)
        return NAN;
    double mean = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += x[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    return sqrt(ss / (double)(n - 1));
}

#define MAX_EXPIRIES 512

/* The dealers' hedge for a move of move_pct percent from the summary's hedging estimate, as the
 * vendor's volatility document and stock summary write it: a magnitude and a direction. */
static json_t *hedge_move(const json_t *est, const char *key, double move_pct, int with_move)
{
    const json_t *h = json_object_get(est, key);
    const double sh = numof(h, "dealer_shares_to_trade");
    const json_t *dir = json_object_get(h, "direction");
    if (!isfinite(sh) || !json_is_string(dir))
        return json_null();
    json_t *o = json_object();
    int st = o == NULL;
    if (with_move)
        st |= gex__jset(o, "move_pct", gex__jnum(move_pct));
    st |= gex__jset(o, "dealer_shares", gex__jnum(fabs(sh)));
    st |= gex__jset(o, "direction", json_incref((json_t *)dir));
    st |= gex__jset(o, "notional_usd", take(h, "notional_usd"));
    if (st) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int get_parts(const gex__api_input *in, parts *p)
{
    memset(p, 0, sizeof *p);
    if (in->analysis == NULL)
        return GEX_OK;
    gex__api_answer sub = {0};
    /* A 404 of a part (no expiration with a smile) leaves it NULL; only memory fails. */
    p->skew = gex__api_skew_term(in, &sub);
    if (p->skew == NULL && sub.status >= 500)
        return GEX_ENOMEM;
    p->terms = gex__api_term_structure(in, &sub);
    if (p->terms == NULL && sub.status >= 500)
        return GEX_ENOMEM;
    p->maxpain = gex__api_maxpain(in, &sub);
    if (p->maxpain == NULL && sub.status >= 500)
        return GEX_ENOMEM;
    p->summary = gex__document(GEX__DOC_SUMMARY, in->analysis);
    p->gex = gex__document(GEX__DOC_GEX, in->analysis);
    return p->summary != NULL && p->gex != NULL ? GEX_OK : GEX_ENOMEM;
}

/* What /v1/volatility and /v1/stock/summary are built from. */
typedef struct stock {
    const gex_snapshot *s;        /* the series' last snapshot */
    const gex_history_metrics *m; /* its metrics */
    int have;                     /* whether the request has a chain (in->analysis) */
    gex_level rv60;               /* realized volatility over RV_LONG days */
    parts p;
    flow f; /* the chain's (zero without one) */
} stock;

/* Fills *k: GEX_OK, or a status with the answer in *ans (no snapshot, or out of memory) and
 * nothing left to free. stock_free frees it. */
static int stock_inputs(const gex__api_input *in, gex__api_answer *ans, stock *k)
{
    memset(k, 0, sizeof *k);
    k->s = gex__api_series_last(in, ans);
    if (k->s == NULL)
        return GEX_EEMPTY;
    if (rv_window(in->series, RV_LONG, &k->rv60) != 0 || get_parts(in, &k->p) != GEX_OK ||
        (in->analysis != NULL && flow_collect(in->analysis, &k->f) != GEX_OK)) {
        parts_free(&k->p);
        oom(NULL, ans);
        return GEX_ENOMEM;
    }
    k->m = &in->series->metrics[in->series->n - 1];
    k->have = in->analysis != NULL;
    return GEX_OK;
}

static void stock_free(stock *k)
{
    free(k->f.e);
    parts_free(&k->p);
}

/* d with its meta (meta_of) added: d, or NULL with the out-of-memory answer in *ans (st not
 * GEX_OK, or meta out of memory) and d freed. */
static json_t *finish(const gex__api_input *in, json_t *d, int st, const char *const *own,
                      size_t n_own, const char *const *nulls, size_t n_nulls, gex__api_answer *ans)
{
    json_t *meta = meta_of(in, own, n_own, nulls, n_nulls);
    st |= gex__jset(d, "meta", meta);
    if (st != GEX_OK || meta == NULL)
        return oom(d, ans);
    return d;
}

/* --- /v1/volatility/{symbol} --- */

json_t *gex__api_volatility(const gex__api_input *in, gex__api_answer *ans)
{
    stock from;
    if (stock_inputs(in, ans, &from) != GEX_OK)
        return NULL;
    json_t *d = json_object();
    int st = d == NULL ? GEX_ENOMEM : head(d, from.s, 1);

    json_t *rv = json_object();
    static const char *const rv_names[] = {"rv_5d", "rv_10d", "rv_20d", "rv_30d"};
    static const char *const vrp_names[] = {"vrp_5d", "vrp_10d", "vrp_20d", "vrp_30d"};
    for (int i = 0; i < GEX_HISTORY_RV_COUNT; i++)
        st |= gex__jset(rv, rv_names[i], gex__jlevel(&from.m->rv[i]));
    st |= gex__jset(rv, "rv_60d", gex__jlevel(&from.rv60));
    st |= gex__jset(d, "realized_vol", rv);
    st |= gex__jset(d, "atm_iv", gex__jlevel(&from.s->atm_iv));

    json_t *sp = json_object();
    for (int i = 0; i < GEX_HISTORY_RV_COUNT; i++)
        st |= gex__jset(sp, vrp_names[i], gex__jlevel(&from.m->vrp[i]));
    const char *assess = !from.m->vrp[2].has                 ? NULL
                         : from.m->vrp[2].value > FAIR_BAND  ? "iv_rich"
                         : from.m->vrp[2].value < -FAIR_BAND ? "iv_cheap"
                                                             : "fair";
    st |= gex__jset(sp, "assessment", assess != NULL ? gex__jstr(assess) : json_null());
    st |= gex__jset(d, "iv_rv_spreads", sp);

    /* skew_profiles: the skew-term rows in the vendor's names, with the smile ratio */
    json_t *prof = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(from.p.skew, "expiries"), i, row)
    {
        json_t *o = json_object();
        st |= gex__jset(o, "expiry", take(row, "expiry"));
        st |= gex__jset(o, "days_to_expiry", take(row, "dte"));
        static const char *const copy[] = {"put_10d_iv",  "put_25d_iv",  "atm_iv",
                                           "call_25d_iv", "call_10d_iv", "skew_25d"};
        for (size_t c = 0; c < sizeof copy / sizeof copy[0]; c++)
            st |= gex__jset(o, copy[c], take(row, copy[c]));
        const double atm = numof(row, "atm_iv");
        st |= gex__jset(
            o, "smile_ratio",
            gex__vol_num((numof(row, "put_25d_iv") + numof(row, "call_25d_iv")) / (2 * atm)));
        st |= gex__jset(o, "tail_convexity", take(row, "tail_convexity"));
        st |= o == NULL || json_array_append_new(prof, o) != 0 ? GEX_ENOMEM : GEX_OK;
    }
    st |= gex__jset(d, "skew_profiles", prof);

    /* term_structure (gex's own): relative slopes of the ATM IV between expirations */
    double iv[MAX_EXPIRIES];
    int dte[MAX_EXPIRIES];
    const size_t nt = term_ivs(from.p.skew, iv, dte, MAX_EXPIRIES);
    json_t *ts = json_object();
    st |= gex__jset(ts, "near_slope_pct",
                    nt >= 2 ? gex__vol_num(100.0 * (iv[1] - iv[0]) / iv[0]) : json_null());
    st |= gex__jset(ts, "far_slope_pct",
                    nt >= 3 ? gex__vol_num(100.0 * (iv[nt - 1] - iv[1]) / iv[1]) : json_null());
    const double whole = nt >= 2 ? 100.0 * (iv[nt - 1] - iv[0]) / iv[0] : (double)NAN;
    st |= gex__jset(ts, "state",
                    !isfinite(whole)    ? json_null()
                    : whole > FLAT_PCT  ? gex__jstr("contango")
                    : whole < -FLAT_PCT ? gex__jstr("backwardation")
                                        : gex__jstr("flat"));
    st |= gex__jset(d, "term_structure", ts);

    /* iv_dispersion (gex's own): sample standard deviations in vol points */
    double cross_strike = NAN;
    if (from.have) {
        gex__vol_chain c;
        if (gex__vol_collect(in->analysis, 0, &c) != GEX_OK)
            st |= GEX_ENOMEM;
        else {
            double sum = 0.0;
            size_t used = 0;
            for (size_t e = 0; e < c.n; e++) {
                const double sd = sample_sd(c.iv + c.slice[e].first, c.slice[e].n);
                if (c.slice[e].dte >= 1 && isfinite(sd)) {
                    sum += 100.0 * sd;
                    used++;
                }
            }
            cross_strike = used > 0 ? sum / (double)used : (double)NAN;
            gex__vol_free(&c);
        }
    }
    json_t *disp = json_object();
    st |= gex__jset(disp, "cross_expiry", gex__vol_num(sample_sd(iv, nt)));
    st |= gex__jset(disp, "cross_strike", gex__vol_num(cross_strike));
    st |= gex__jset(d, "iv_dispersion", disp);

    /* gex_by_dte: term-structure's buckets, with each bucket's share of the gross */
    const json_t *buckets = json_object_get(from.p.terms, "by_dte_bucket");
    double gross = 0.0;
    json_array_foreach(buckets, i, row) gross += fabs(numof(row, "net_gex"));
    json_t *gbd = json_array();
    json_array_foreach(buckets, i, row)
    {
        json_t *o = json_object();
        st |= gex__jset(o, "bucket", take(row, "bucket"));
        st |= gex__jset(o, "net_gex", take(row, "net_gex"));
        st |= gex__jset(o, "pct_of_total", jratio(100.0 * fabs(numof(row, "net_gex")), gross));
        st |= gex__jset(o, "contract_count", take(row, "contract_count"));
        st |= o == NULL || json_array_append_new(gbd, o) != 0 ? GEX_ENOMEM : GEX_OK;
    }
    st |= gex__jset(d, "gex_by_dte", gbd);
    /* theta_by_dte: the dealers' theta (long the calls, short the puts, SPEC 1.5), USD a day */
    json_t *tbd = json_array();
    for (int b = 0; from.have && b < THETA_BUCKETS; b++) {
        if (from.f.theta_n[b] == 0)
            continue; /* empty buckets are left out, as term-structure's */
        json_t *o = json_object();
        st |= gex__jset(o, "bucket", gex__jstr(theta_bucket[b].name));
        st |= gex__jset(o, "net_theta", gex__vol_num(from.f.theta[b]));
        st |= gex__jset(o, "contract_count", json_integer((json_int_t)from.f.theta_n[b]));
        st |= o == NULL || json_array_append_new(tbd, o) != 0 ? GEX_ENOMEM : GEX_OK;
    }
    st |= gex__jset(d, "theta_by_dte", tbd);

    /* put_call_profile */
    json_t *pcp = json_object(), *bye = json_array();
    for (size_t k = 0; k < from.f.n; k++) {
        const flow_expiry *e = &from.f.e[k];
        if (!e->used)
            continue;
        char date[16];
        gex_time_format_date(e->day, date, sizeof date);
        json_t *o = json_object();
        const double cv = e->call_has_vol ? e->call_vol : (double)NAN,
                     pv = e->put_has_vol ? e->put_vol : (double)NAN;
        st |= gex__jset(o, "expiry", gex__jstr(date));
        st |= gex__jset(o, "call_oi", jcount(e->call_oi));
        st |= gex__jset(o, "put_oi", jcount(e->put_oi));
        st |= gex__jset(o, "pc_ratio_oi", jratio(e->put_oi, e->call_oi));
        st |= gex__jset(o, "call_volume", jcount(cv));
        st |= gex__jset(o, "put_volume", jcount(pv));
        st |= gex__jset(o, "pc_ratio_volume", jratio(pv, cv));
        st |= o == NULL || json_array_append_new(bye, o) != 0 ? GEX_ENOMEM : GEX_OK;
    }
    st |= gex__jset(pcp, "by_expiry", bye);
    json_t *bym = from.have ? json_object() : json_null();
    if (from.have) {
        static const char *const names[2][3] = {{"otm_call_oi", "atm_call_oi", "itm_call_oi"},
                                                {"otm_put_oi", "atm_put_oi", "itm_put_oi"}};
        for (int t = 0; t < 2; t++)
            for (int k = 0; k < 3; k++)
                st |= gex__jset(bym, names[t][k], jcount(from.f.money[t][k]));
    }
    st |= gex__jset(pcp, "by_moneyness", bym);
    st |= gex__jset(d, "put_call_profile", pcp);

    json_t *conc = json_object();
    const int hc = from.f.has_concentration;
    st |= gex__jset(conc, "top_3_pct", hc ? gex__vol_num(from.f.top[0]) : json_null());
    st |= gex__jset(conc, "top_5_pct", hc ? gex__vol_num(from.f.top[1]) : json_null());
    st |= gex__jset(conc, "top_10_pct", hc ? gex__vol_num(from.f.top[2]) : json_null());
    st |= gex__jset(conc, "herfindahl", hc ? gex__vol_num(from.f.herfindahl) : json_null());
    st |= gex__jset(d, "oi_concentration", conc);

    /* hedging_scenarios: the summary's linearised estimate at -1% and +1% */
    json_t *hs = json_array();
    const json_t *est = json_object_get(from.p.summary, "hedging_estimate");
    json_t *dn = hedge_move(est, "spot_down_1pct", -1.0, 1),
           *up = hedge_move(est, "spot_up_1pct", 1.0, 1);
    st |= dn == NULL || up == NULL ? GEX_ENOMEM : GEX_OK;
    if (json_is_object(dn))
        st |= json_array_append(hs, dn) != 0 ? GEX_ENOMEM : GEX_OK;
    if (json_is_object(up))
        st |= json_array_append(hs, up) != 0 ? GEX_ENOMEM : GEX_OK;
    json_decref(dn);
    json_decref(up);
    st |= gex__jset(d, "hedging_scenarios", hs);

    json_t *liq = json_object();
    st |= gex__jset(liq, "atm_avg_spread_pct",
                    jratio(100.0 * from.f.atm_spread, (double)from.f.atm_n));
    st |= gex__jset(liq, "wing_avg_spread_pct",
                    jratio(100.0 * from.f.wing_spread, (double)from.f.wing_n));
    st |= gex__jset(liq, "atm_contracts",
                    from.have ? json_integer((json_int_t)from.f.atm_n) : json_null());
    st |= gex__jset(liq, "wing_contracts",
                    from.have ? json_integer((json_int_t)from.f.wing_n) : json_null());
    st |= gex__jset(d, "liquidity", liq);
    stock_free(&from);

    static const char *const own[] = {"iv_rv_spreads.assessment",
                                      "skew_profiles.tail_convexity",
                                      "term_structure",
                                      "iv_dispersion",
                                      "put_call_profile.by_moneyness",
                                      "oi_concentration.herfindahl",
                                      "theta_by_dte",
                                      "hedging_scenarios",
                                      "liquidity"};
    static const char *const nulls[] = {
        "skew_profiles", "a wing's IV is null where the expiration has no SVI fit (skew-term)",
        "realized_vol",  "rv_N is null until the folder holds N + 1 trading days",
        "iv_rv_spreads", "vrp_N is null where rv_N or atm_iv is"};
    return finish(in, d, st, own, sizeof own / sizeof own[0], nulls, sizeof nulls / sizeof nulls[0],
                  ans);
}

/* --- /v1/stock/{symbol}/summary --- */

/* An object of the given keys, each null. */
static json_t *nulls_of(const char *const *keys)
{
    json_t *o = json_object();
    for (; o != NULL && *keys != NULL; keys++)
        if (gex__jset(o, *keys, json_null()) != GEX_OK) {
            json_decref(o);
            return NULL;
        }
    return o;
}

/* The skew block: the first expiration of at least a day with both 25-delta IVs (else the first
 * of at least a day, its wings null). */
static json_t *skew_block(const json_t *skew)
{
    const json_t *rows = json_object_get(skew, "expiries"), *pick = NULL, *row;
    size_t i;
    json_array_foreach(rows, i, row)
    {
        const json_t *d = json_object_get(row, "dte");
        if (!json_is_integer(d) || json_integer_value(d) < 1)
            continue;
        if (pick == NULL)
            pick = row;
        if (isfinite(numof(row, "put_25d_iv")) && isfinite(numof(row, "call_25d_iv"))) {
            pick = row;
            break;
        }
    }
    json_t *o = json_object();
    int st = o == NULL;
    st |= gex__jset(o, "expiry", take(pick, "expiry"));
    st |= gex__jset(o, "days_to_expiry", take(pick, "dte"));
    st |= gex__jset(o, "put_25d_iv", take(pick, "put_25d_iv"));
    st |= gex__jset(o, "atm_iv", take(pick, "atm_iv"));
    st |= gex__jset(o, "call_25d_iv", take(pick, "call_25d_iv"));
    st |= gex__jset(o, "skew_25d", take(pick, "skew_25d"));
    st |= gex__jset(o, "smile_ratio",
                    gex__vol_num((numof(pick, "put_25d_iv") + numof(pick, "call_25d_iv")) /
                                 (2 * numof(pick, "atm_iv"))));
    if (st) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The strikes of largest |net_gex| of the gex document. */
static json_t *top_strikes(const json_t *gexdoc)
{
    const json_t *rows = json_object_get(gexdoc, "strikes");
    const size_t n = json_array_size(rows);
    json_t *arr = json_array();
    char *taken = calloc(n > 0 ? n : 1, 1);
    int st = arr == NULL || taken == NULL;
    for (int t = 0; t < TOP_STRIKES && !st; t++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            const double g = fabs(numof(json_array_get(rows, i), "net_gex"));
            if (!taken[i] && isfinite(g) &&
                (best == n || g > fabs(numof(json_array_get(rows, best), "net_gex"))))
                best = i;
        }
        if (best == n)
            break;
        taken[best] = 1;
        const json_t *r = json_array_get(rows, best);
        json_t *o = json_object();
        st |= gex__jset(o, "strike", take(r, "strike"));
        st |= gex__jset(o, "net_gex", take(r, "net_gex"));
        st |= gex__jset(o, "call_oi", jcount(numof(r, "call_oi")));
        st |= gex__jset(o, "put_oi", jcount(numof(r, "put_oi")));
        st |= gex__jset(o, "total_oi", jcount(numof(r, "call_oi") + numof(r, "put_oi")));
        st |= o == NULL || json_array_append_new(arr, o) != 0;
    }
    free(taken);
    if (st) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

json_t *gex__api_stock_summary(const gex__api_input *in, gex__api_answer *ans)
{
    stock from;
    if (stock_inputs(in, ans, &from) != GEX_OK)
        return NULL;
    json_t *d = json_object();
    int st = d == NULL ? GEX_ENOMEM : head(d, from.s, 0);

    /* The file's own quote of the underlying (CBOE's preamble or JSON), where it has one. */
    gex_underlying_quote uq = {(double)NAN, (double)NAN, (double)NAN};
    if (from.have && gex_chain_size(in->analysis->chain) > 0) {
        gex_chain_view cv;
        gex_chain_get_view(in->analysis->chain, &cv);
        uq = gex_chain_underlying_quote(in->analysis->chain, cv.underlying[0]);
    }
    json_t *price = json_object();
    st |= gex__jset(price, "bid", gex__jnum_or_null(uq.bid));
    st |= gex__jset(price, "ask", gex__jnum_or_null(uq.ask));
    st |= gex__jset(price, "mid", gex__jnum(from.s->spot));
    st |= gex__jset(price, "last", gex__jnum_or_null(uq.last));
    st |= gex__jset(price, "last_update", json_null());
    st |= gex__jset(d, "price", price);

    json_t *vol = json_object();
    st |= gex__jset(vol, "atm_iv", gex__jlevel(&from.s->atm_iv));
    st |= gex__jset(vol, "hv_20", gex__jlevel(&from.m->rv[2]));
    st |= gex__jset(vol, "hv_60", gex__jlevel(&from.rv60));
    st |= gex__jset(vol, "vrp", gex__jlevel(&from.m->vrp[2]));
    json_t *sk = from.have ? skew_block(from.p.skew) : json_null();
    st |= sk == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(vol, "skew_25d", sk);
    json_t *term = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(from.p.skew, "expiries"), i, row)
    {
        json_t *o = json_object();
        st |= gex__jset(o, "expiry", take(row, "expiry"));
        st |= gex__jset(o, "iv", take(row, "atm_iv"));
        st |= gex__jset(o, "days_to_expiry", take(row, "dte"));
        st |= o == NULL || json_array_append_new(term, o) != 0 ? GEX_ENOMEM : GEX_OK;
    }
    st |= gex__jset(vol, "iv_term_structure", term);
    st |= gex__jset(d, "volatility", vol);

    json_t *fl = from.have ? json_object() : json_null();
    if (from.have) {
        size_t active = 0;
        for (size_t k = 0; k < from.f.n; k++)
            active += from.f.e[k].used && from.f.e[k].call_oi + from.f.e[k].put_oi > 0;
        const double cv = from.f.has_vol ? from.f.call_vol : (double)NAN,
                     pv = from.f.has_vol ? from.f.put_vol : (double)NAN;
        st |= gex__jset(fl, "total_call_oi", jcount(from.f.call_oi));
        st |= gex__jset(fl, "total_put_oi", jcount(from.f.put_oi));
        st |= gex__jset(fl, "total_call_volume", jcount(cv));
        st |= gex__jset(fl, "total_put_volume", jcount(pv));
        st |= gex__jset(fl, "pc_ratio_oi", jratio(from.f.put_oi, from.f.call_oi));
        st |= gex__jset(fl, "pc_ratio_volume", jratio(pv, cv));
        st |= gex__jset(fl, "active_expirations", json_integer((json_int_t)active));
    }
    st |= gex__jset(d, "options_flow", fl);

    json_t *ex = from.have ? json_object() : json_null();
    if (from.have) {
        const json_t *sum = from.p.summary, *e = json_object_get(sum, "exposures");
        const gex__analysis *a = in->analysis;
        const gex_level none = {0, 0.0};
        st |= gex__jset(ex, "net_gex", take(e, "net_gex"));
        st |= gex__jset(ex, "net_dex", take(e, "net_dex"));
        st |= gex__jset(ex, "net_vex", take(e, "net_vex"));
        st |= gex__jset(ex, "net_chex", take(e, "net_chex"));
        st |= gex__jset(ex, "gamma_flip", take(sum, "gamma_flip"));
        st |= gex__jset(ex, "call_wall", gex__jlevel(a->has_levels ? &a->levels.call_wall : &none));
        st |= gex__jset(ex, "put_wall", gex__jlevel(a->has_levels ? &a->levels.put_wall : &none));
        st |= gex__jset(ex, "max_pain", take(from.p.maxpain, "max_pain_strike"));
        st |= gex__jset(ex, "highest_oi_strike",
                        gex__jlevel(a->has_levels ? &a->levels.highest_oi_strike : &none));
        const json_t *reg = json_object_get(sum, "regime");
        st |= gex__jset(ex, "regime",
                        json_is_string(reg) ? json_incref((json_t *)reg) : gex__jstr("unknown"));
        st |= gex__jset(ex, "interpretation", take(sum, "interpretation"));
        const json_t *est = json_object_get(sum, "hedging_estimate");
        json_t *up = hedge_move(est, "spot_up_1pct", 1.0, 0),
               *dn = hedge_move(est, "spot_down_1pct", -1.0, 0);
        st |= up == NULL || dn == NULL ? GEX_ENOMEM : GEX_OK;
        json_t *he = json_is_object(up) && json_is_object(dn) ? json_object() : json_null();
        if (json_is_object(he)) {
            st |= gex__jset(he, "spot_up_1pct", up);
            st |= gex__jset(he, "spot_down_1pct", dn);
        } else {
            json_decref(up);
            json_decref(dn);
        }
        st |= gex__jset(ex, "hedging_estimate", he);
        const json_t *z = json_object_get(sum, "zero_dte");
        json_t *zo = json_object();
        st |= gex__jset(zo, "net_gex", take(z, "net_gex"));
        st |= gex__jset(zo, "pct_of_total", take(z, "pct_of_total_gex"));
        st |= gex__jset(zo, "expiration", take(z, "expiration"));
        st |= gex__jset(ex, "zero_dte", zo);
        json_t *top = top_strikes(from.p.gex);
        st |= top == NULL ? GEX_ENOMEM : GEX_OK;
        st |= gex__jset(ex, "top_strikes", top);
        const double oi = from.f.call_oi + from.f.put_oi;
        st |= gex__jset(ex, "oi_weighted_dte", jratio(from.f.oi_dte, oi));
    }
    st |= gex__jset(d, "exposure", ex);

    /* macro: the vendor's objects. The VIX levels by CBOE's method on the folder's SPX file of
     * the day (in->vix; SPX's own chain without it), SPX's level and the changes from its file
     * of an earlier day (SPEC 1.9); every other leaf null (no chain file holds the others) */
    json_t *macro = json_object();
    static const char *const quotes[] = {"vix", "vvix", "skew", "spx", "move"};
    static const char *const quote_leaves[] = {"value", "change", "change_pct", NULL};
    for (size_t k = 0; k < sizeof quotes / sizeof quotes[0]; k++)
        st |= gex__jset(macro, quotes[k], nulls_of(quote_leaves));
    const gex__analysis *an = from.have ? in->analysis : NULL;
    const double v9 = gex__api_vix_level(in->vix, an, 0), v30 = gex__api_vix_level(in->vix, an, 1),
                 v93 = gex__api_vix_level(in->vix, an, 2),
                 v182 = gex__api_vix_level(in->vix, an, 3);
    json_t *mv = json_object_get(macro, "vix"), *ms = json_object_get(macro, "spx");
    st |= gex__jset(mv, "value", gex__jnum_or_null(v30));
    if (in->vix != NULL) {
        /* SPX's own level and the changes from its last snapshot of an earlier day */
        const gex__api_vix *x = in->vix;
        const double dv = x->has_prev ? v30 - x->prev_level30 : (double)NAN,
                     ds = x->has_prev ? x->spx - x->prev_spx : (double)NAN;
        st |= gex__jset(mv, "change", gex__jnum_or_null(dv));
        st |= gex__jset(mv, "change_pct", gex__jnum_or_null(dv / x->prev_level30 * 100.0));
        st |= gex__jset(ms, "value", gex__jnum_or_null(x->spx));
        st |= gex__jset(ms, "change", gex__jnum_or_null(ds));
        st |= gex__jset(ms, "change_pct", gex__jnum_or_null(ds / x->prev_spx * 100.0));
    } else if (an != NULL && gex__vix_is_spx(an)) {
        /* SPX's own chain answers, as for the VIX levels: its spot (no earlier day here) */
        st |= gex__jset(ms, "value", gex__jnum_or_null(an->spot));
    }
    json_t *lv = json_object();
    st |= gex__jset(lv, "vix9d", gex__jnum_or_null(v9));
    st |= gex__jset(lv, "vix", gex__jnum_or_null(v30));
    st |= gex__jset(lv, "vix3m", gex__jnum_or_null(v93));
    st |= gex__jset(lv, "vix6m", gex__jnum_or_null(v182));
    json_t *vts = json_object();
    st |= gex__jset(vts, "near_slope_pct", gex__jnum_or_null((v93 - v30) / v30 * 100.0));
    st |= gex__jset(vts, "structure",
                    isfinite(v93 - v30) ? gex__jstr(v30 < v93 ? "contango" : "backwardation")
                                        : json_null());
    st |= gex__jset(vts, "levels", lv);
    st |= gex__jset(macro, "vix_term_structure", vts);
    static const char *const fut[] = {"front_month", "spot", "spread", "basis_pct", "basis", NULL};
    st |= gex__jset(macro, "vix_futures", nulls_of(fut));
    static const char *const fg[] = {"score", "rating", NULL};
    st |= gex__jset(macro, "fear_and_greed", nulls_of(fg));
    st |= gex__jset(d, "macro", macro);
    stock_free(&from);

    static const char *const own[] = {"volatility.skew_25d (the expiration picked)",
                                      "exposure.top_strikes (five)", "exposure.oi_weighted_dte"};
    static const char *const nulls[] = {
        "price.bid",
        "the underlying's bid as the file prints it (CBOE's CSV preamble and JSON); null where "
        "the file has none (the other formats, and CBOE's 0 for an index)",
        "price.ask",
        "the underlying's ask as the file prints it (CBOE's CSV preamble and JSON); null where "
        "the file has none (the other formats, and CBOE's 0 for an index)",
        "price.last",
        "the underlying's last sale as the file prints it (CBOE's \"Last:\" and JSON "
        "current_price); null where the file has no such field",
        "price.last_update",
        "a chain file holds the instant of its quotes, not of the underlying's last trade",
        "price.mid",
        "not null: the spot every number is computed at (the file's underlying price, or "
        "--spot), not the bid-ask midpoint",
        "macro",
        "vix and spx (value, change from SPX's last file of an earlier day) and "
        "vix_term_structure are CBOE's VIX method (SPEC 1.9) on the folder's SPX file of the "
        "snapshot's New York day, null when it has none; VVIX, SKEW, MOVE, VIX futures and Fear "
        "& Greed are in no chain file",
        "volatility.hv_20",
        "null until the folder holds 21 trading days",
        "volatility.hv_60",
        "null until the folder holds 61 trading days"};
    return finish(in, d, st, own, sizeof own / sizeof own[0], nulls, sizeof nulls / sizeof nulls[0],
                  ans);
}

/* --- /v1/volatility/spot-vol-correlation/{symbol} --- */

double gex__api_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    double mx = 0.0, my = 0.0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i] / (double)n;
        my += y[i] / (double)n;
    }
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (!(sxx > 0) || !(syy > 0))
        return NAN;
    const double r = sxy / sqrt(sxx * syy);
    return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
}

json_t *gex__api_spot_vol_correlation(const gex__api_input *in, gex__api_answer *ans)
{
    const gex_snapshot *s = gex__api_series_last(in, ans);
    if (s == NULL)
        return NULL;
    const gex__api_series *se = in->series;
    /* The daily pairs: a trading day's last snapshot against the previous trading day's, both
     * with an ATM IV: (ln S_t / S_{t-1}, IV_t - IV_{t-1}). */
    double *x = malloc(se->n * sizeof *x), *y = malloc(se->n * sizeof *y);
    if (x == NULL || y == NULL) {
        free(x);
        free(y);
        return oom(NULL, ans);
    }
    size_t n = 0;
    const gex_snapshot *prev = NULL;
    for (size_t i = 0; i < se->n; i++) {
        if (i + 1 < se->n && gex_history_trading_day(se->snapshot[i + 1].quote_time) ==
                                 gex_history_trading_day(se->snapshot[i].quote_time))
            continue; /* not its day's close */
        const gex_snapshot *c = &se->snapshot[i];
        if (prev != NULL && prev->atm_iv.has && c->atm_iv.has) {
            x[n] = log(c->spot / prev->spot);
            y[n++] = c->atm_iv.value - prev->atm_iv.value;
        }
        prev = c;
    }
    const size_t n20 = n < CORR_SHORT ? n : CORR_SHORT, n60 = n < CORR_LONG ? n : CORR_LONG;
    const double r20 =
        n20 >= CORR_MIN ? gex__api_pearson(x + n - n20, y + n - n20, n20) : (double)NAN;
    const double r60 =
        n60 >= CORR_MIN ? gex__api_pearson(x + n - n60, y + n - n60, n60) : (double)NAN;
    free(x);
    free(y);
    const char *why = !isfinite(r20) ? NULL
                      : r20 <= -0.5  ? "Strongly negative: volatility rises as spot falls "
                                       "(the equity-index pattern); hedges are dearer in selloffs."
                      : r20 < -0.1   ? "Moderately negative: volatility tends to rise as spot "
                                       "falls."
                      : r20 <= 0.1   ? "Weak: spot moves say little about volatility changes."
                                     : "Positive: volatility rises with spot (a spot-up, vol-up "
                                       "pattern, as in squeezes and meme rallies).";
    char iso[48];
    gex__json_time(s->quote_time, iso, sizeof iso);
    json_t *d = json_object();
    int st = d == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(d, "symbol", gex__jstr(s->symbol));
    st |= gex__jset(d, "as_of", gex__jstr(iso));
    st |= gex__jset(d, "spot_vol_correlation_20d", gex__vol_num(r20));
    st |= gex__jset(d, "spot_vol_correlation_60d", gex__vol_num(r60));
    st |= gex__jset(d, "data_points_20d", json_integer((json_int_t)n20));
    st |= gex__jset(d, "data_points_60d", json_integer((json_int_t)n60));
    st |= gex__jset(d, "interpretation", why != NULL ? gex__jstr(why) : json_null());
    static const char *const own[] = {"interpretation"};
    static const char *const nulls[] = {
        "spot_vol_correlation_20d", "null with fewer than 20 daily pairs or a constant series",
        "spot_vol_correlation_60d", "null with fewer than 20 daily pairs or a constant series"};
    return finish(in, d, st, own, 1, nulls, sizeof nulls / sizeof nulls[0], ans);
}
