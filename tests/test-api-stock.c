/*
 * test-api-stock: the composite documents of a symbol over time (src/render/api-stock.c, SPEC
 * 5.5): /v1/volatility/{symbol}, /v1/stock/{symbol}/summary and
 * /v1/volatility/spot-vol-correlation/{symbol}. Every key of the vendor's Go SDK types present;
 * realized volatility against sums written out over the closes; open interest, volume,
 * concentration and OI-weighted DTE against brute-force sums over the chain's contracts; the
 * identities between blocks (VRP = IV - RV, smile ratio, notional = shares x spot); the
 * correlation against a series built with a known correlation (exactly -1 and +1) and a
 * one-pass formula.
 */
#include "gex-test.h"

#include <math.h>
#include <stdlib.h>

#include "api-stock.h"
#include "fixture-spx.h"

#define SPOT GEX_TEST_SPX_SPOT
#define MULT GEX_TEST_SPX_MULT
#define TOL  1e-12

/* The SPX fixture (fixture-spx.h) with 41 strikes 10 apart, expirations at +0, +7, +35 and
 * +63 days, and volumes that rise with the term, prepared at r 5.12%, q 1.57%. */
static gex_chain *fixture(void)
{
    const gex_test_spx_shape shape = {10.0, 4, 1, 0.0};
    gex_chain *chain = gex_test_spx_chain_shaped(&shape);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.rate = 0.0512;
    po.div = 0.0157;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    return chain;
}

static void analyse(gex_chain *chain, gex__analysis *a)
{
    memset(a, 0, sizeof *a);
    gex_analysis_options o;
    gex_analysis_options_default(&o);
    ck_assert_int_eq(gex_analysis_new(chain, &o, &a->an, NULL), GEX_OK);
    a->path = "fixture.csv";
    a->chain = chain;
    gex__analysis_fill(a);
}

/* n daily snapshots at New York 15:45 on weekdays from 2024-03-04 on; iv_of(i, r) gives the
 * ATM IV of day i from its log return r (NULL: a wave). */
typedef double (*iv_fn)(size_t i, double r);

typedef struct series_in {
    gex_snapshot s[90];
    gex_history_metrics m[90];
    double spot[90];
    gex__api_series se;
    gex__api_params params;
    gex__api_input in;
} series_in;

static void make_input(series_in *x, size_t n, iv_fn iv_of, const gex__analysis *a)
{
    memset(x, 0, sizeof *x);
    int32_t day = gex_time_days_from_civil(2024, 3, 4);
    double S = 5123.45, iv = 15.0;
    for (size_t i = 0; i < n; i++) {
        while (gex_time_weekday(day) == 0 || gex_time_weekday(day) == 6)
            day++;
        snprintf(x->s[i].symbol, sizeof x->s[i].symbol, "SPX");
        x->s[i].quote_time = gex_time_eastern_to_utc(day, 15 * 3600 + 45 * 60);
        const double r = 0.011 * sin(1.7 * (double)i + 0.3) + 0.002 * cos(0.9 * (double)i);
        S *= exp(r);
        iv = iv_of != NULL ? iv + iv_of(i, r) : 14.0 + 3.0 * sin(0.37 * (double)i);
        x->s[i].spot = x->spot[i] = S;
        x->s[i].atm_iv = (gex_level){1, iv};
        x->s[i].net_gex = 4.1e9;
        day++;
    }
    ck_assert_int_eq(gex_history_metrics_compute(x->s, n, x->m), GEX_OK);
    x->se = (gex__api_series){n, x->s, x->m, NULL};
    x->in.symbol = "SPX";
    x->in.params = &x->params;
    x->in.series = &x->se;
    x->in.analysis = a;
}

/* 100 sqrt(252) sample stdev of the last N log returns of c[0..m). */
static double rv_truth(const double *c, size_t m, size_t N)
{
    double r[128], mean = 0.0, ss = 0.0;
    for (size_t k = 0; k < N; k++) {
        r[k] = log(c[m - N + k] / c[m - N + k - 1]);
        mean += r[k] / (double)N;
    }
    for (size_t k = 0; k < N; k++)
        ss += (r[k] - mean) * (r[k] - mean);
    return 100.0 * sqrt(ss / (double)(N - 1)) * sqrt(252.0);
}

static const json_t *at(const json_t *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *v = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k != NULL;
         k = strtok_r(NULL, ".", &save)) {
        v = json_object_get(v, k);
        ck_assert_msg(v != NULL, "%s: no %s", path, k);
    }
    return v;
}

static double num(const json_t *o, const char *path)
{
    const json_t *v = at(o, path);
    ck_assert_msg(json_is_number(v), "%s is not a number", path);
    return json_number_value(v);
}

static void close_to(double got, double want, double tol, const char *what)
{
    ck_assert_msg(fabs(got - want) <= tol * fmax(1.0, fabs(want)), "%s: %.17g, want %.17g", what,
                  got, want);
}

/* Every key present (null allowed). */
static void keys(const json_t *o, const char *what, const char *const *k)
{
    ck_assert_msg(json_is_object(o), "%s is not an object", what);
    for (; *k != NULL; k++)
        ck_assert_msg(json_object_get(o, *k) != NULL, "%s.%s missing", what, *k);
}

static void assert_writable(const json_t *d)
{
    gex__jwriter w = {0};
    gex__json_write(&w, d);
    ck_assert_int_eq(w.failed, 0);
    ck_assert_uint_eq(w.nonfinite, 0);
    free(w.data);
}

/* The keys of the Go SDK's VolatilityResponse and its blocks (flashalpha-go volatility.go). */
static const char *const vol_top[] = {"symbol",
                                      "underlying_price",
                                      "as_of",
                                      "market_open",
                                      "realized_vol",
                                      "atm_iv",
                                      "iv_rv_spreads",
                                      "skew_profiles",
                                      "term_structure",
                                      "iv_dispersion",
                                      "gex_by_dte",
                                      "theta_by_dte",
                                      "put_call_profile",
                                      "oi_concentration",
                                      "hedging_scenarios",
                                      "liquidity",
                                      NULL};
static const char *const vol_rv[] = {"rv_5d", "rv_10d", "rv_20d", "rv_30d", "rv_60d", NULL};
static const char *const vol_spread[] = {"vrp_5d",  "vrp_10d",    "vrp_20d",
                                         "vrp_30d", "assessment", NULL};
static const char *const vol_skew[] = {"expiry",      "days_to_expiry", "put_10d_iv",  "put_25d_iv",
                                       "atm_iv",      "call_25d_iv",    "call_10d_iv", "skew_25d",
                                       "smile_ratio", "tail_convexity", NULL};
static const char *const vol_term[] = {"near_slope_pct", "far_slope_pct", "state", NULL};
static const char *const vol_disp[] = {"cross_expiry", "cross_strike", NULL};
static const char *const vol_gex[] = {"bucket", "net_gex", "pct_of_total", "contract_count", NULL};
static const char *const vol_pce[] = {"expiry",      "call_oi",    "put_oi",          "pc_ratio_oi",
                                      "call_volume", "put_volume", "pc_ratio_volume", NULL};
static const char *const vol_pcm[] = {"otm_call_oi", "atm_call_oi", "itm_call_oi", "otm_put_oi",
                                      "atm_put_oi",  "itm_put_oi",  NULL};
static const char *const vol_conc[] = {"top_3_pct", "top_5_pct", "top_10_pct", "herfindahl", NULL};
static const char *const vol_hedge[] = {"move_pct", "dealer_shares", "direction", "notional_usd",
                                        NULL};
static const char *const vol_liq[] = {"atm_avg_spread_pct", "wing_avg_spread_pct", "atm_contracts",
                                      "wing_contracts", NULL};

/* Brute force over the chain: open interest and volume of the kept contracts. */
typedef struct truth {
    double call_oi, put_oi, call_vol, put_vol, oi_dte;
    double strike[64], strike_oi[64];
    size_t strikes;
} truth;

static void chain_truth(const gex__analysis *a, truth *t)
{
    memset(t, 0, sizeof *t);
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    const int32_t today = gex_time_days_from_civil(2023, 9, 14);
    for (size_t i = 0; i < v.n; i++) {
        if (!(v.T[i] > 0)) /* expired: the same-day contracts are not (PM settlement) */
            continue;
        if (v.type[i] == GEX_CALL) {
            t->call_oi += v.open_interest[i];
            t->call_vol += v.volume[i];
        } else {
            t->put_oi += v.open_interest[i];
            t->put_vol += v.volume[i];
        }
        t->oi_dte += v.open_interest[i] * (double)(v.expiration[i] - today);
        size_t s = 0;
        while (s < t->strikes && t->strike[s] != v.strike[i])
            s++;
        if (s == t->strikes) {
            t->strike[s] = v.strike[i];
            t->strikes++;
        }
        t->strike_oi[s] += v.open_interest[i];
    }
}

static int desc(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a < b) - (a > b);
}

START_TEST(test_volatility_against_sums_and_vendor_keys)
{
    gex_chain *chain = fixture();
    gex__analysis a;
    analyse(chain, &a);
    series_in *x = malloc(sizeof *x);
    make_input(x, 80, NULL, &a);
    gex__api_answer ans;
    json_t *d = gex__api_volatility(&x->in, &ans);
    ck_assert_msg(d != NULL, "%u %s", ans.status, ans.message);
    assert_writable(d);
    keys(d, "volatility", vol_top);
    keys(at(d, "realized_vol"), "realized_vol", vol_rv);
    keys(at(d, "iv_rv_spreads"), "iv_rv_spreads", vol_spread);
    keys(at(d, "term_structure"), "term_structure", vol_term);
    keys(at(d, "iv_dispersion"), "iv_dispersion", vol_disp);
    keys(at(d, "oi_concentration"), "oi_concentration", vol_conc);
    keys(at(d, "liquidity"), "liquidity", vol_liq);
    keys(at(d, "put_call_profile.by_moneyness"), "by_moneyness", vol_pcm);
    ck_assert_uint_eq(json_array_size(at(d, "skew_profiles")), 4);
    keys(json_array_get(at(d, "skew_profiles"), 0), "skew_profiles", vol_skew);
    keys(json_array_get(at(d, "gex_by_dte"), 0), "gex_by_dte", vol_gex);
    keys(json_array_get(at(d, "put_call_profile.by_expiry"), 0), "by_expiry", vol_pce);
    keys(json_array_get(at(d, "hedging_scenarios"), 0), "hedging_scenarios", vol_hedge);
    ck_assert(json_is_object(at(d, "meta.null_fields")));

    /* The realized ladder, rv_60d included, against the closes; VRP = IV - RV. */
    const double iv = x->s[79].atm_iv.value;
    close_to(num(d, "realized_vol.rv_60d"), rv_truth(x->spot, 80, 60), TOL, "rv_60d");
    close_to(num(d, "realized_vol.rv_20d"), rv_truth(x->spot, 80, 20), TOL, "rv_20d");
    close_to(num(d, "iv_rv_spreads.vrp_20d"), iv - rv_truth(x->spot, 80, 20), TOL, "vrp_20d");
    close_to(num(d, "atm_iv"), iv, TOL, "atm_iv");
    const double v20 = num(d, "iv_rv_spreads.vrp_20d");
    ck_assert_str_eq(json_string_value(at(d, "iv_rv_spreads.assessment")), v20 > 2    ? "iv_rich"
                                                                           : v20 < -2 ? "iv_cheap"
                                                                                      : "fair");

    /* Skew rows: smile ratio (p25 + c25) / (2 atm); the term structure rises (IVs + 1 point an
     * expiration): contango, slopes from the rows' ATM IVs. */
    const json_t *sk = at(d, "skew_profiles");
    double atm[4];
    int wings = 0;
    for (size_t e = 0; e < 4; e++) {
        const json_t *r = json_array_get(sk, e);
        atm[e] = num(r, "atm_iv");
        if (json_is_number(json_object_get(r, "put_25d_iv")) &&
            json_is_number(json_object_get(r, "call_25d_iv")) && ++wings)
            close_to(num(r, "smile_ratio"),
                     (num(r, "put_25d_iv") + num(r, "call_25d_iv")) / (2 * atm[e]), TOL,
                     "smile_ratio");
    }
    ck_assert_int_ge(wings, 1);
    ck_assert_str_eq(json_string_value(at(d, "term_structure.state")), "contango");
    close_to(num(d, "term_structure.near_slope_pct"), 100 * (atm[2] - atm[1]) / atm[1], TOL,
             "near slope");
    close_to(num(d, "term_structure.far_slope_pct"), 100 * (atm[3] - atm[2]) / atm[2], TOL,
             "far slope");

    /* Open interest and volume per expiration sum to the chain's; concentration by brute
     * force. */
    truth t;
    chain_truth(&a, &t);
    double coi = 0, poi = 0, cv = 0, pv = 0;
    size_t i;
    json_t *row;
    json_array_foreach(at(d, "put_call_profile.by_expiry"), i, row)
    {
        coi += num(row, "call_oi");
        poi += num(row, "put_oi");
        cv += num(row, "call_volume");
        pv += num(row, "put_volume");
        close_to(num(row, "pc_ratio_oi"), num(row, "put_oi") / num(row, "call_oi"), TOL, "pc");
    }
    ck_assert(coi == t.call_oi && poi == t.put_oi && cv == t.call_vol && pv == t.put_vol);
    const json_t *m = at(d, "put_call_profile.by_moneyness");
    ck_assert(num(m, "otm_call_oi") + num(m, "atm_call_oi") + num(m, "itm_call_oi") == t.call_oi);
    ck_assert(num(m, "otm_put_oi") + num(m, "atm_put_oi") + num(m, "itm_put_oi") == t.put_oi);
    const double total = t.call_oi + t.put_oi;
    double hhi = 0;
    for (size_t s = 0; s < t.strikes; s++)
        hhi += (t.strike_oi[s] / total) * (t.strike_oi[s] / total);
    qsort(t.strike_oi, t.strikes, sizeof t.strike_oi[0], desc);
    const double top3 = 100 * (t.strike_oi[0] + t.strike_oi[1] + t.strike_oi[2]) / total;
    close_to(num(d, "oi_concentration.top_3_pct"), top3, 1e-12, "top 3");
    close_to(num(d, "oi_concentration.herfindahl"), hhi, 1e-12, "herfindahl");

    /* gex_by_dte shares add to 100; hedging notional is shares x spot. */
    double share = 0;
    json_array_foreach(at(d, "gex_by_dte"), i, row) share += num(row, "pct_of_total");
    close_to(share, 100.0, 1e-12, "gex_by_dte shares");
    json_array_foreach(at(d, "hedging_scenarios"), i, row)
    {
        ck_assert(num(row, "dealer_shares") >= 0);
        close_to(num(row, "notional_usd"), num(row, "dealer_shares") * SPOT, 1e-9, "notional");
    }
    /* theta_by_dte: the dealers' theta a day, brute force over the contracts with
     * gex_bs_greeks (long calls, short puts); buckets by calendar days. */
    double theta_truth[2] = {0, 0}; /* 0-7d, 31-60d; none in 8-30d, 61-180d holds +63 */
    {
        gex_chain_view v;
        gex_chain_get_view(a.chain, &v);
        const int32_t today = gex_time_days_from_civil(2023, 9, 14);
        for (size_t c = 0; c < v.n; c++) {
            gex_greeks g;
            ck_assert_int_eq(
                gex_bs_greeks(v.type[c], SPOT, v.strike[c], v.T[c], v.iv[c], 0.0512, 0.0157, &g),
                GEX_BS_OK);
            const int dte = v.expiration[c] - today;
            const double th =
                (v.type[c] == GEX_CALL ? 1 : -1) * g.theta / 365 * v.open_interest[c] * MULT;
            if (dte <= 7)
                theta_truth[0] += th;
            else if (dte >= 31 && dte <= 60)
                theta_truth[1] += th;
        }
    }
    const json_t *tb = at(d, "theta_by_dte");
    ck_assert_uint_eq(json_array_size(tb), 3); /* 0-7d, 31-60d, 61-180d */
    ck_assert_str_eq(json_string_value(at(json_array_get(tb, 0), "bucket")), "0-7d");
    close_to(num(json_array_get(tb, 0), "net_theta"), theta_truth[0], 1e-9, "theta 0-7d");
    close_to(num(json_array_get(tb, 1), "net_theta"), theta_truth[1], 1e-9, "theta 31-60d");
    ck_assert_int_eq((int)num(json_array_get(tb, 0), "contract_count"), 164);
    ck_assert(num(d, "liquidity.atm_contracts") > 0 && num(d, "liquidity.wing_contracts") > 0);
    json_decref(d);

    /* A short series: the ladder is null, not invented. */
    make_input(x, 10, NULL, &a);
    d = gex__api_volatility(&x->in, &ans);
    ck_assert_ptr_nonnull(d);
    ck_assert(json_is_null(at(d, "realized_vol.rv_20d")));
    ck_assert(json_is_null(at(d, "realized_vol.rv_60d")));
    ck_assert(json_is_null(at(d, "iv_rv_spreads.assessment")));
    json_decref(d);
    /* No snapshot: 404. */
    x->se.n = 0;
    ck_assert_ptr_null(gex__api_volatility(&x->in, &ans));
    ck_assert_uint_eq(ans.status, 404);
    free(x);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

/* The Go SDK's StockSummaryResponse (flashalpha-go stock_summary.go). */
static const char *const sum_top[] = {"symbol",   "as_of",      "market_open",
                                      "price",    "volatility", "options_flow",
                                      "exposure", "macro",      NULL};
static const char *const sum_price[] = {"bid", "ask", "mid", "last", "last_update", NULL};
static const char *const sum_vol[] = {
    "atm_iv", "hv_20", "hv_60", "vrp", "skew_25d", "iv_term_structure", NULL};
static const char *const sum_skew[] = {"expiry",      "days_to_expiry", "put_25d_iv",  "atm_iv",
                                       "call_25d_iv", "skew_25d",       "smile_ratio", NULL};
static const char *const sum_flow[] = {
    "total_call_oi", "total_put_oi",    "total_call_volume",  "total_put_volume",
    "pc_ratio_oi",   "pc_ratio_volume", "active_expirations", NULL};
static const char *const sum_exp[] = {
    "net_gex",           "net_dex",     "net_vex",         "net_chex",
    "gamma_flip",        "call_wall",   "put_wall",        "max_pain",
    "highest_oi_strike", "regime",      "interpretation",  "hedging_estimate",
    "zero_dte",          "top_strikes", "oi_weighted_dte", NULL};
static const char *const sum_macro[] = {"vix",         "vvix",           "skew",
                                        "spx",         "move",           "vix_term_structure",
                                        "vix_futures", "fear_and_greed", NULL};

START_TEST(test_stock_summary_against_sums_and_vendor_keys)
{
    gex_chain *chain = fixture();
    gex__analysis a;
    analyse(chain, &a);
    series_in *x = malloc(sizeof *x);
    make_input(x, 70, NULL, &a);
    gex__api_answer ans;
    json_t *d = gex__api_stock_summary(&x->in, &ans);
    ck_assert_msg(d != NULL, "%u %s", ans.status, ans.message);
    assert_writable(d);
    keys(d, "summary", sum_top);
    keys(at(d, "price"), "price", sum_price);
    keys(at(d, "volatility"), "volatility", sum_vol);
    keys(at(d, "volatility.skew_25d"), "skew_25d", sum_skew);
    keys(at(d, "options_flow"), "options_flow", sum_flow);
    keys(at(d, "exposure"), "exposure", sum_exp);
    keys(at(d, "macro"), "macro", sum_macro);
    keys(at(d, "exposure.interpretation"), "interpretation",
         (const char *const[]){"gamma", "vanna", "charm", NULL});
    keys(at(d, "exposure.zero_dte"), "zero_dte",
         (const char *const[]){"net_gex", "pct_of_total", "expiration", NULL});
    keys(json_array_get(at(d, "exposure.top_strikes"), 0), "top_strikes",
         (const char *const[]){"strike", "net_gex", "call_oi", "put_oi", "total_oi", NULL});
    ck_assert(json_is_null(at(d, "price.bid")) && json_is_null(at(d, "macro.vvix.value")));
    ck_assert(json_is_null(at(d, "price.ask")) && json_is_null(at(d, "price.last")));
    /* The fixture is SPX's: the VIX levels are CBOE's method on its chain (SPEC 1.9), null
     * where the chain has no expiration on each side of the tenor. */
    {
        static const char *const lv[] = {"vix9d", "vix", "vix3m", "vix6m"};
        static const double days[] = {9, 30, 93, 182};
        int computed = 0;
        for (int k = 0; k < 4; k++) {
            char key[64];
            snprintf(key, sizeof key, "macro.vix_term_structure.levels.%s", lv[k]);
            gex_vix v;
            gex_error e;
            if (gex_vix_compute(chain, days[k], &v, &e) == GEX_OK) {
                ck_assert_double_eq_tol(num(d, key), v.index, 1e-12);
                computed++;
            } else {
                ck_assert(json_is_null(at(d, key)));
            }
        }
        ck_assert_int_gt(computed, 0); /* the fixture answers some tenor */
        gex_vix v;
        gex_error e;
        if (gex_vix_compute(chain, 30, &v, &e) == GEX_OK)
            ck_assert_double_eq_tol(num(d, "macro.vix.value"), v.index, 1e-12);
    }
    ck_assert(json_is_null(at(d, "macro.fear_and_greed.score")));

    close_to(num(d, "volatility.hv_20"), rv_truth(x->spot, 70, 20), TOL, "hv_20");
    close_to(num(d, "volatility.hv_60"), rv_truth(x->spot, 70, 60), TOL, "hv_60");
    close_to(num(d, "volatility.vrp"), x->s[69].atm_iv.value - rv_truth(x->spot, 70, 20), TOL,
             "vrp");
    close_to(num(d, "price.mid"), x->s[69].spot, TOL, "mid");
    ck_assert_uint_eq(json_array_size(at(d, "volatility.iv_term_structure")), 4);
    json_decref(d);
    /* The file's quote of the underlying, where it has one, as it is; mid stays the spot. */
    gex_chain_view cv;
    gex_chain_get_view(chain, &cv);
    const char *u = gex_chain_symbol(chain, cv.underlying[0]);
    ck_assert_int_eq(
        gex_chain_set_underlying_quote(chain, u, &(gex_underlying_quote){99.5, 100.25, -1}),
        GEX_OK);
    d = gex__api_stock_summary(&x->in, &ans);
    ck_assert_ptr_nonnull(d);
    ck_assert(num(d, "price.bid") == 99.5 && num(d, "price.ask") == 100.25);
    ck_assert(json_is_null(at(d, "price.last"))); /* -1 is no price */
    close_to(num(d, "price.mid"), x->s[69].spot, TOL, "mid with a quote");

    truth t;
    chain_truth(&a, &t);
    ck_assert(num(d, "options_flow.total_call_oi") == t.call_oi);
    ck_assert(num(d, "options_flow.total_put_oi") == t.put_oi);
    ck_assert(num(d, "options_flow.total_call_volume") == t.call_vol);
    ck_assert(num(d, "options_flow.total_put_volume") == t.put_vol);
    close_to(num(d, "options_flow.pc_ratio_oi"), t.put_oi / t.call_oi, TOL, "pc oi");
    ck_assert_int_eq((int)num(d, "options_flow.active_expirations"), 4);
    close_to(num(d, "exposure.oi_weighted_dte"), t.oi_dte / (t.call_oi + t.put_oi), TOL, "oi dte");
    close_to(num(d, "exposure.net_gex"), a.totals.net_gex, TOL, "net_gex");
    /* top strikes: descending |net_gex|, total = call + put */
    double prev = INFINITY;
    size_t i;
    json_t *row;
    json_array_foreach(at(d, "exposure.top_strikes"), i, row)
    {
        ck_assert(fabs(num(row, "net_gex")) <= prev);
        prev = fabs(num(row, "net_gex"));
        ck_assert(num(row, "total_oi") == num(row, "call_oi") + num(row, "put_oi"));
    }
    const json_t *up = at(d, "exposure.hedging_estimate.spot_up_1pct");
    ck_assert(num(up, "dealer_shares") >= 0);
    close_to(num(up, "notional_usd"), num(up, "dealer_shares") * SPOT, 1e-9, "notional");
    json_decref(d);
    free(x);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

static double minus_fifty(size_t i, double r)
{
    (void)i;
    return -50.0 * r;
}

static double plus_three(size_t i, double r)
{
    (void)i;
    return 3.0 * r;
}

/* A one-pass Pearson (sums of products), independent of the builder's two-pass form. */
static double pearson_sums(const double *x, const double *y, size_t n)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        syy += y[i] * y[i];
        sxy += x[i] * y[i];
    }
    const double N = (double)n;
    return (N * sxy - sx * sy) / sqrt((N * sxx - sx * sx) * (N * syy - sy * sy));
}

START_TEST(test_spot_vol_correlation)
{
    series_in *x = malloc(sizeof *x);
    gex__api_answer ans;
    /* IV moves by -50 times the log return: correlation exactly -1 on both windows. */
    make_input(x, 80, minus_fifty, NULL);
    json_t *d = gex__api_spot_vol_correlation(&x->in, &ans);
    ck_assert_ptr_nonnull(d);
    assert_writable(d);
    keys(d, "spot-vol",
         (const char *const[]){"symbol", "as_of", "spot_vol_correlation_20d",
                               "spot_vol_correlation_60d", "data_points_20d", "data_points_60d",
                               "interpretation", NULL});
    close_to(num(d, "spot_vol_correlation_20d"), -1.0, 1e-9, "r20 = -1");
    close_to(num(d, "spot_vol_correlation_60d"), -1.0, 1e-9, "r60 = -1");
    ck_assert_int_eq((int)num(d, "data_points_20d"), 20);
    ck_assert_int_eq((int)num(d, "data_points_60d"), 60);
    ck_assert_ptr_nonnull(strstr(json_string_value(at(d, "interpretation")), "negative"));
    json_decref(d);
    make_input(x, 80, plus_three, NULL);
    d = gex__api_spot_vol_correlation(&x->in, &ans);
    close_to(num(d, "spot_vol_correlation_60d"), 1.0, 1e-9, "r60 = +1");
    json_decref(d);
    /* The wave: against the one-pass formula over the last 20 daily pairs. */
    make_input(x, 80, NULL, NULL);
    d = gex__api_spot_vol_correlation(&x->in, &ans);
    double r[20], div[20];
    for (size_t k = 0; k < 20; k++) {
        r[k] = log(x->spot[60 + k] / x->spot[59 + k]);
        div[k] = x->s[60 + k].atm_iv.value - x->s[59 + k].atm_iv.value;
    }
    close_to(num(d, "spot_vol_correlation_20d"), pearson_sums(r, div, 20), 1e-9, "r20");
    close_to(gex__api_pearson(r, div, 20), pearson_sums(r, div, 20), 1e-9, "pearson");
    json_decref(d);
    /* 20 snapshots: 19 pairs, too few: null, with the count. */
    make_input(x, 20, NULL, NULL);
    d = gex__api_spot_vol_correlation(&x->in, &ans);
    ck_assert(json_is_null(at(d, "spot_vol_correlation_20d")));
    ck_assert(json_is_null(at(d, "interpretation")));
    ck_assert_int_eq((int)num(d, "data_points_20d"), 19);
    json_decref(d);
    /* Constant IV: no variance, null. */
    const double flat[3] = {1, 2, 3}, same[3] = {4, 4, 4};
    ck_assert(isnan(gex__api_pearson(flat, same, 3)));
    ck_assert(isnan(gex__api_pearson(flat, same, 1)));
    free(x);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("api-stock");
    TCase *tc = tcase_create("stock");
    tcase_add_test(tc, test_volatility_against_sums_and_vendor_keys);
    tcase_add_test(tc, test_stock_summary_against_sums_and_vendor_keys);
    tcase_add_test(tc, test_spot_vol_correlation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(suite());
}
