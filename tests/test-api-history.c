/*
 * test-api-history: the builders of the endpoints over time (src/render/api-history.c, SPEC
 * 5.5) and gex/volatility.h. Realized volatility and its halves against sums written out here
 * over the closes; the VRP document's keys against the vendor's real response
 * (/work/shared/flashalpha); the open-interest changes against chains built with known open
 * interest; the per-strike oi change of the gex document against the same.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api-history.h"
#include "gex-test.h"
#include "render-history.h"

/* Relative tolerance of quantities computed the same way in double by two code paths (a few
 * ulps of sums of some tens of terms). */
#define TOL 1e-12

/* n daily snapshots, New York 15:45 on weekdays from 2024-03-04 on, spot on a path that is not
 * round, ATM IV varying. */
static void make_series(gex_snapshot *s, size_t n, double *spot)
{
    int32_t day = gex_time_days_from_civil(2024, 3, 4);
    double x = 5123.45;
    for (size_t i = 0; i < n; i++) {
        while (gex_time_weekday(day) == 0 || gex_time_weekday(day) == 6)
            day++;
        memset(&s[i], 0, sizeof s[i]);
        snprintf(s[i].symbol, sizeof s[i].symbol, "SPX");
        s[i].quote_time = gex_time_eastern_to_utc(day, 15 * 3600 + 45 * 60);
        x *= exp(0.011 * sin(1.7 * (double)i + 0.3) + 0.002 * cos(0.9 * (double)i));
        s[i].spot = spot[i] = x;
        s[i].atm_iv = (gex_level){1, 14.0 + 3.0 * sin(0.37 * (double)i)};
        s[i].put_iv_25d = (gex_level){1, 19.5 + sin(0.21 * (double)i)};
        s[i].call_iv_25d = (gex_level){1, 11.25};
        s[i].net_gex = i % 7 == 3 ? -2.5e9 : 4.1e9;
        s[i].net_vex = 1.3e8;
        s[i].gamma_flip = (gex_level){1, x * 0.99};
        s[i].call_oi = 1000.0 + 17.0 * (double)i;
        s[i].put_oi = 1500.0 - 3.0 * (double)i;
        day++;
    }
}

/* 100 sqrt(252) sample stdev of the last N log returns of c[0..m). */
static double rv_truth(const double *c, size_t m, size_t N)
{
    double r[64], mean = 0.0, ss = 0.0;
    for (size_t k = 0; k < N; k++) {
        r[k] = log(c[m - N + k] / c[m - N + k - 1]);
        mean += r[k] / (double)N;
    }
    for (size_t k = 0; k < N; k++)
        ss += (r[k] - mean) * (r[k] - mean);
    return 100.0 * sqrt(ss / (double)(N - 1)) * sqrt(252.0);
}

static double num(const json_t *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *v = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k != NULL;
         k = strtok_r(NULL, ".", &save))
        v = json_object_get(v, k);
    ck_assert_msg(json_is_number(v), "%s is not a number", path);
    return json_number_value(v);
}

static void close_to(double got, double want, const char *what)
{
    ck_assert_msg(fabs(got - want) <= TOL * fmax(1.0, fabs(want)), "%s: %.17g, want %.17g", what,
                  got, want);
}

START_TEST(test_vol_realized_and_semi_against_sums)
{
    enum { N = 40 };
    gex_snapshot s[N];
    double spot[N], closes[N];
    make_series(s, N, spot);
    size_t m = 0;
    ck_assert_int_eq(gex_vol_closes(s, N, closes, &m), GEX_OK);
    ck_assert_uint_eq(m, N); /* one snapshot a day: every spot closes its day */
    for (size_t w = 2; w <= 30; w += 7)
        close_to(gex_vol_realized(closes, m, (int)w).value, rv_truth(closes, m, w), "rv");
    ck_assert_int_eq(gex_vol_realized(closes, 20, 20).has, 0); /* 20 closes: 19 returns */
    ck_assert_int_eq(gex_vol_realized(closes, 21, 20).has, 1);
    ck_assert_int_eq(gex_vol_realized(closes, m, 1).has, 0);
    /* The halves: sums of squared negative and positive returns, written out. */
    gex_level down, up;
    gex_vol_semi(closes, m, 20, &down, &up);
    double neg = 0.0, pos = 0.0;
    for (size_t k = m - 20; k < m; k++) {
        const double r = log(closes[k] / closes[k - 1]);
        if (r < 0)
            neg += r * r;
        else
            pos += r * r;
    }
    ck_assert(down.has && up.has);
    close_to(down.value, 100.0 * sqrt(2.0 * 252.0 / 20.0 * neg), "downside");
    close_to(up.value, 100.0 * sqrt(2.0 * 252.0 / 20.0 * pos), "upside");
    gex_vol_semi(closes, 20, 20, &down, &up);
    ck_assert(!down.has && !up.has);
    /* Two snapshots on a day: only the later closes it; the last snapshot closes its own. */
    gex_snapshot two[3] = {s[0], s[1], s[1]};
    two[1].quote_time -= 3600;
    two[1].spot = 1.0; /* intraday, not a close */
    ck_assert_int_eq(gex_vol_closes(two, 3, closes, &m), GEX_OK);
    ck_assert_uint_eq(m, 2);
    ck_assert(closes[1] == s[1].spot);
    /* Errors: out of order, a spot that is no price. */
    gex_snapshot bad[2] = {s[1], s[0]};
    ck_assert_int_eq(gex_vol_closes(bad, 2, closes, &m), GEX_EINVAL);
    bad[0] = s[0];
    bad[1] = s[1];
    bad[1].spot = NAN;
    ck_assert_int_eq(gex_vol_closes(bad, 2, closes, &m), GEX_EINVAL);
    ck_assert_int_eq(gex_vol_closes(NULL, 0, NULL, &m), GEX_OK);
    ck_assert_uint_eq(m, 0);
}
END_TEST

/* The series input of n snapshots (metrics computed by the library). */
typedef struct series_in {
    gex_snapshot s[80];
    gex_history_metrics m[80];
    double spot[80];
    gex__api_series se;
    gex__api_params params;
    gex__api_input in;
} series_in;

static void make_input(series_in *x, size_t n)
{
    memset(x, 0, sizeof *x);
    make_series(x->s, n, x->spot);
    ck_assert_int_eq(gex_history_metrics_compute(x->s, n, x->m), GEX_OK);
    x->se = (gex__api_series){n, x->s, x->m, NULL};
    x->in.symbol = "SPX";
    x->in.params = &x->params;
    x->in.series = &x->se;
}

/* Every key of the vendor's object is in ours, recursively (objects; arrays by their first
 * element). */
static void keys_cover(const json_t *vendor, const json_t *ours, const char *where)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)vendor, key, v)
    {
        const json_t *o = json_object_get(ours, key);
        ck_assert_msg(o != NULL, "%s.%s: missing", where, key);
        char sub[256];
        snprintf(sub, sizeof sub, "%s.%s", where, key);
        if (json_is_object(v) && json_is_object(o))
            keys_cover(v, o, sub);
        if (json_is_array(v) && json_array_size(v) > 0 && json_is_array(o) &&
            json_array_size(o) > 0)
            keys_cover(json_array_get(v, 0), json_array_get(o, 0), sub);
    }
}

START_TEST(test_vrp_against_sums_and_vendor_keys)
{
    series_in *x = malloc(sizeof *x);
    make_input(x, 70);
    gex__api_answer ans;
    json_t *d = gex__api_vrp(&x->in, &ans);
    ck_assert_ptr_nonnull(d);
    const size_t last = 69;
    const double rv20 = rv_truth(x->spot, 70, 20), iv = x->s[last].atm_iv.value;
    close_to(num(d, "vrp.rv_20d"), rv20, "rv_20d");
    close_to(num(d, "vrp.rv_5d"), rv_truth(x->spot, 70, 5), "rv_5d");
    close_to(num(d, "vrp.vrp_20d"), iv - rv20, "vrp_20d");
    close_to(num(d, "variance_risk_premium"), (iv / 100) * (iv / 100) - (rv20 / 100) * (rv20 / 100),
             "variance_risk_premium");
    /* The z-score over the previous 60 trading days' vrp_20d, written out. */
    double w[60], mean = 0.0, ss = 0.0;
    size_t k = 0;
    for (size_t i = last - 60; i < last; i++)
        if (i >= 20) /* vrp_20d exists from the 21st close on */
            w[k++] = x->s[i].atm_iv.value - rv_truth(x->spot, i + 1, 20);
    for (size_t i = 0; i < k; i++)
        mean += w[i] / (double)k;
    for (size_t i = 0; i < k; i++)
        ss += (w[i] - mean) * (w[i] - mean);
    ck_assert_int_eq((int)num(d, "vrp.history_days"), (int)k);
    /* the percentile: a whole number, the share of the window at or below today's, rounded */
    size_t below = 0;
    for (size_t i = 0; i < k; i++)
        below += w[i] <= iv - rv20;
    const json_t *pct = json_object_get(json_object_get(d, "vrp"), "percentile");
    ck_assert(json_is_integer(pct));
    ck_assert_int_eq((int)json_integer_value(pct), (int)lround(100.0 * (double)below / (double)k));
    ck_assert_msg(fabs(num(d, "vrp.z_score") - (iv - rv20 - mean) / sqrt(ss / (double)(k - 1))) <
                      1e-9,
                  "z_score");
    double neg = 0.0;
    for (size_t i = 50; i < 70; i++) {
        const double r = log(x->spot[i] / x->spot[i - 1]);
        neg += r < 0 ? r * r : 0.0;
    }
    close_to(num(d, "directional.downside_rv_20d"), 100.0 * sqrt(2.0 * 252.0 / 20.0 * neg),
             "downside_rv_20d");
    close_to(num(d, "directional.downside_vrp"),
             x->s[last].put_iv_25d.value - num(d, "directional.downside_rv_20d"), "downside_vrp");
    /* term_vrp: the 30-day point against realized volatility over 30 trading days. */
    const json_t *t = json_array_get(json_object_get(d, "term_vrp"), 0);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq((int)num(t, "dte"), 30);
    close_to(num(t, "rv"), rv_truth(x->spot, 70, 30), "term rv");
    close_to(num(d, "underlying_price"), x->spot[last], "underlying_price");
    /* 15:45 New York on a weekday: open. */
    ck_assert(json_is_true(json_object_get(d, "market_open")));
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "regime"), "gamma")),
                     x->s[last].net_gex >= 0 ? "positive_gamma" : "negative_gamma");
    ck_assert(json_is_null(json_object_get(d, "fair_vol")));
    ck_assert(json_is_array(json_object_get(json_object_get(d, "meta"), "gex_own")));
    /* Every key of the vendor's real response is present. */
    const char *path = gex_test_shared("flashalpha/historical_vrp_SPY_2024-08-05T103000.json");
    if (path != NULL) {
        json_error_t jerr;
        json_t *vendor = json_load_file(path, 0, &jerr);
        ck_assert_msg(vendor != NULL, "%s: %s", path, jerr.text);
        keys_cover(vendor, d, "vrp");
        json_decref(vendor);
    } else {
        printf("skipped: ../shared absent\n");
    }
    json_decref(d);

    /* Fewer than 5 previous days: z-score and percentile null, the regime too. */
    make_input(x, 24);
    d = gex__api_vrp(&x->in, &ans);
    ck_assert_ptr_nonnull(d);
    const json_t *v = json_object_get(d, "vrp");
    ck_assert(json_is_null(json_object_get(v, "z_score")));
    ck_assert(json_is_null(json_object_get(v, "percentile")));
    ck_assert(json_is_number(json_object_get(v, "rv_20d")));
    ck_assert(json_is_null(json_object_get(v, "rv_30d")));
    ck_assert(json_is_null(json_object_get(json_object_get(d, "regime"), "vrp_regime")));
    ck_assert_uint_eq(json_array_size(json_object_get(d, "term_vrp")), 0);
    json_decref(d);

    /* No snapshot: 404 no_data. */
    x->in.series = NULL;
    ck_assert_ptr_null(gex__api_vrp(&x->in, &ans));
    ck_assert_uint_eq(ans.status, 404);
    ck_assert_str_eq(ans.code, "no_data");
    ck_assert_ptr_nonnull(strstr(ans.message, "SPX"));
    free(x);
}
END_TEST

START_TEST(test_vrp_history_days_and_rows)
{
    series_in *x = malloc(sizeof *x);
    make_input(x, 40);
    /* A second, earlier snapshot on the last day: the day's row is its last snapshot. */
    x->s[40] = x->s[39];
    x->s[39].quote_time -= 7200;
    x->s[39].spot = 1.0;
    ck_assert_int_eq(gex_history_metrics_compute(x->s, 41, x->m), GEX_OK);
    x->se.n = 41;
    x->params.n = 1;
    x->params.name[0] = "days";
    x->params.value[0] = "7";
    gex__api_answer ans;
    json_t *d = gex__api_vrp_history(&x->in, &ans);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq((int)num(d, "days"), 7);
    ck_assert_int_eq((int)num(d, "data_points"), 7);
    const json_t *h = json_object_get(d, "history");
    ck_assert_uint_eq(json_array_size(h), 7);
    const json_t *r = json_array_get(h, 6);
    close_to(num(r, "spot"), x->s[40].spot, "last day's close");
    char date[16];
    gex_time_format_date(gex_history_trading_day(x->s[40].quote_time), date, sizeof date);
    ck_assert_str_eq(json_string_value(json_object_get(r, "date")), date);
    close_to(num(r, "rv_20d"), x->m[40].rv[2].value, "rv_20d");
    close_to(num(r, "expected_move_1d"), x->s[40].spot * x->s[40].atm_iv.value / 100 / sqrt(252),
             "expected_move_1d");
    ck_assert(json_is_null(json_object_get(r, "straddle")));
    json_decref(d);
    /* Default 30; more than there is: what there is. */
    x->params.n = 0;
    d = gex__api_vrp_history(&x->in, &ans);
    ck_assert_int_eq((int)num(d, "days"), 30);
    ck_assert_int_eq((int)num(d, "data_points"), 30);
    json_decref(d);
    x->params.n = 1;
    x->params.value[0] = "365";
    d = gex__api_vrp_history(&x->in, &ans);
    ck_assert_int_eq((int)num(d, "data_points"), 40);
    json_decref(d);
    /* Out of range or not a number: 400. */
    const char *bad[] = {"0", "366", "7x", "", "-3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        x->params.value[0] = bad[i];
        ck_assert_ptr_null(gex__api_vrp_history(&x->in, &ans));
        ck_assert_uint_eq(ans.status, 400);
        ck_assert_str_eq(ans.code, "invalid_parameter");
    }
    free(x);
}
END_TEST

START_TEST(test_realized_and_history_rows)
{
    series_in *x = malloc(sizeof *x);
    make_input(x, 35);
    gex__api_answer ans;
    json_t *d = gex__api_realized(&x->in, &ans);
    ck_assert_ptr_nonnull(d);
    const json_t *cc = json_object_get(json_object_get(d, "estimators"), "close_to_close");
    close_to(num(cc, "rv10"), rv_truth(x->spot, 35, 10), "rv10");
    close_to(num(cc, "rv20"), rv_truth(x->spot, 35, 20), "rv20");
    close_to(num(cc, "rv30"), rv_truth(x->spot, 35, 30), "rv30");
    ck_assert(json_is_null(
        json_object_get(json_object_get(json_object_get(d, "estimators"), "yang_zhang"), "rv20")));
    json_decref(d);

    const char *files[35];
    for (size_t i = 0; i < 35; i++)
        files[i] = i % 2 ? "odd.csv" : "even.csv";
    x->se.file = files;
    d = gex__api_history(&x->in, &ans);
    ck_assert_ptr_nonnull(d);
    const json_t *h = json_object_get(d, "history");
    ck_assert_uint_eq(json_array_size(h), 35);
    /* Each row has exactly gex history's columns, and the currency of its amounts. */
    const json_t *r = json_array_get(h, 34);
    size_t cols = 0;
    for (const char *const *c = gex__history_columns; *c != NULL; c++, cols++)
        ck_assert_msg(json_object_get(r, *c) != NULL, "column %s missing", *c);
    ck_assert_str_eq(json_string_value(json_object_get(r, "currency")), "USD");
    ck_assert_uint_eq(json_object_size(r), cols);
    ck_assert_str_eq(json_string_value(json_object_get(r, "file")), "even.csv");
    close_to(num(r, "call_oi_change"), 17.0, "call_oi_change");
    close_to(num(r, "rv_30d"), rv_truth(x->spot, 35, 30), "rv_30d");
    json_decref(d);
    free(x);
}
END_TEST

/* --- oi-diff and the gex document's oi change: chains with known open interest --- */

/* A chain of SPX: calls and puts at strikes 4000 + 25 k on two expirations, open interest
 * oi(day, expiration, type, k); prepared at 2024-03-05 + day 15:45 New York. */
static double oi_of(int day, int e, int t, int k)
{
    return 100.0 + 10.0 * k + 3.0 * e + t + (day == 1 ? 7.0 * ((k * 3 + e + t) % 5) - 9.0 : 0.0);
}

static void build(int day, int with_extra, gex__analysis *a)
{
    const int32_t d0 = gex_time_days_from_civil(2024, 3, 5) + day;
    gex_chain *chain = gex_chain_new();
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < 9; k++)
            for (int t = 0; t < 2; t++) {
                gex_contract c = {.underlying = "SPX",
                                  .root = "SPXW",
                                  .expiration = d0 - day + 3 + 30 * e,
                                  .strike = 4000.0 + 25.0 * k,
                                  .type = t,
                                  .bid = NAN,
                                  .ask = NAN,
                                  .last = NAN,
                                  .iv = 0.15 + 0.01 * e,
                                  .open_interest = oi_of(day, e, t, k),
                                  .volume = NAN,
                                  .multiplier = 100.0,
                                  .vendor_delta = NAN,
                                  .vendor_gamma = NAN};
                ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
            }
    if (with_extra) { /* a strike listed only today: no change computable */
        gex_contract c = {.underlying = "SPX",
                          .root = "SPXW",
                          .expiration = d0 - day + 3,
                          .strike = 4321.0,
                          .type = GEX_CALL,
                          .bid = NAN,
                          .ask = NAN,
                          .last = NAN,
                          .iv = 0.15,
                          .open_interest = 5000.0,
                          .volume = NAN,
                          .multiplier = 100.0,
                          .vendor_delta = NAN,
                          .vendor_gamma = NAN};
        ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
    }
    ck_assert_int_eq(gex_chain_set_spot(chain, "SPX", 4100.0), GEX_OK);
    gex_chain_set_quote_time(chain, gex_time_eastern_to_utc(d0, 15 * 3600 + 45 * 60));
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.iv_mode = GEX_IV_MODE_FILE;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    memset(a, 0, sizeof *a);
    a->path = day == 0 ? "day0.csv" : "day1.csv";
    a->chain = chain;
    ck_assert_int_eq(gex_analysis_new(chain, NULL, &a->an, NULL), GEX_OK);
    gex__analysis_fill(a);
}

static void unbuild(gex__analysis *a)
{
    gex_analysis_free(a->an);
    gex_chain_free(a->chain);
}

/* /v1/vrp with the last snapshot's analysis: term_vrp at 7, 14, 30 and 60 days (ATM IV by
 * total variance linear in T between the chain's two flat expirations, flat beyond them, less
 * realized volatility over as many returns), fair_vol the OI-weighted mean IV, and gex's own
 * dealer_flow_risk and net_harvest_score from the document's own numbers. */
START_TEST(test_vrp_term_fair_vol_and_scores)
{
    series_in *x = malloc(sizeof *x);
    make_input(x, 70);
    gex__analysis a;
    build(0, 0, &a);
    x->in.analysis = &a;
    gex__api_answer ans;
    json_t *d = gex__api_vrp(&x->in, &ans);
    ck_assert_ptr_nonnull(d);
    gex_chain_view v;
    gex_chain_get_view(a.chain, &v);
    double T1 = 0, T2 = 0, sw = 0, swiv = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.iv[i] < 0.155)
            T1 = v.T[i];
        else
            T2 = v.T[i];
        sw += v.open_interest[i];
        swiv += v.open_interest[i] * v.iv[i];
    }
    const json_t *term = json_object_get(d, "term_vrp");
    ck_assert_uint_eq(json_array_size(term), 4);
    const int days[4] = {7, 14, 30, 60};
    for (int k = 0; k < 4; k++) {
        const json_t *t = json_array_get(term, (size_t)k);
        ck_assert_int_eq((int)num(t, "dte"), days[k]);
        const double T = days[k] / 365.0;
        double want = 16.0; /* beyond the last expiration: flat */
        if (k == 2) {
            want = x->s[69].atm_iv.value; /* the snapshot's own 30-day IV */
        } else if (T < T2) {
            const double w1 = 0.15 * 0.15 * T1, w2 = 0.16 * 0.16 * T2;
            want = 100.0 * sqrt((w1 + (w2 - w1) * (T - T1) / (T2 - T1)) / T);
        }
        close_to(num(t, "iv"), want, "term iv");
        close_to(num(t, "rv"), rv_truth(x->spot, 70, days[k]), "term rv");
        close_to(num(t, "vrp"), num(t, "iv") - num(t, "rv"), "term vrp");
    }
    close_to(num(d, "fair_vol"), 100.0 * swiv / sw, "fair_vol");
    close_to(num(d, "convexity_premium"), 100.0 * swiv / sw - x->s[69].atm_iv.value,
             "convexity_premium");
    const gex_snapshot *s = &x->s[69];
    const char *outlook =
        json_string_value(json_object_get(json_object_get(d, "vanna_conditioned"), "outlook"));
    const int risk = (s->net_gex < 0 ? 50 : 0) +
                     (s->gamma_flip.has && s->spot < s->gamma_flip.value ? 25 : 0) +
                     (strcmp(outlook, "Vol expansion likely") == 0 ? 25 : 0);
    ck_assert_int_eq((int)json_integer_value(json_object_get(d, "dealer_flow_risk")), risk);
    const double harvest = num(d, "gex_conditioned.harvest_score");
    ck_assert_int_eq((int)json_integer_value(json_object_get(d, "net_harvest_score")),
                     (int)lround(100.0 * harvest * (1.0 - risk / 200.0)));
    /* gex's own strategy scores, from the document's own numbers (SPEC 5.5). */
    const double strangle = 100.0 * harvest * (1.0 - risk / 200.0);
    const json_t *dv = json_object_get(json_object_get(d, "directional"), "downside_vrp");
    const double put_w = json_is_null(dv) ? 0.75 : json_number_value(dv) > 0 ? 1.0 : 0.5;
    double range_w = 0.75;
    if (a.levels.put_wall.has && a.levels.call_wall.has)
        range_w =
            a.levels.put_wall.value <= s->spot && s->spot <= a.levels.call_wall.value ? 1.0 : 0.5;
    const double front = num(json_array_get(term, 0), "iv"),
                 back = num(json_array_get(term, 3), "iv");
    double cal = 0.5 + 2.5 * (front - back) / back;
    cal = 100.0 * (cal < 0 ? 0 : cal > 1 ? 1 : cal);
    const json_t *ss = json_object_get(d, "strategy_scores");
    ck_assert_int_eq((int)json_integer_value(json_object_get(ss, "short_strangle")),
                     (int)lround(strangle));
    ck_assert_int_eq((int)json_integer_value(json_object_get(ss, "short_put_spread")),
                     (int)lround(strangle * put_w));
    ck_assert_int_eq((int)json_integer_value(json_object_get(ss, "iron_condor")),
                     (int)lround(strangle * range_w));
    ck_assert_int_eq((int)json_integer_value(json_object_get(ss, "calendar_spread")),
                     (int)lround(cal));
    static const char *const names[] = {"short_put_spread", "short_strangle", "iron_condor",
                                        "calendar_spread"};
    for (int k = 0; k < 4; k++) {
        const json_t *score = json_object_get(ss, names[k]);
        ck_assert(json_is_integer(score) && json_integer_value(score) >= 0 &&
                  json_integer_value(score) <= 100);
    }
    json_decref(d);
    unbuild(&a);
    free(x);
}
END_TEST

START_TEST(test_oi_diff_against_known_open_interest)
{
    gex__analysis prev, today;
    build(0, 0, &prev);
    build(1, 1, &today);
    gex__api_params params = {0};
    gex__api_input in = {.symbol = "SPX", .params = &params, .analysis = &today, .previous = &prev};
    gex__api_answer ans;
    json_t *d = gex__api_oi_diff(&in, &ans);
    ck_assert_ptr_nonnull(d);
    double calls = 0.0, puts = 0.0, biggest = 0.0;
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < 9; k++)
            for (int t = 0; t < 2; t++) {
                const double c = oi_of(1, e, t, k) - oi_of(0, e, t, k);
                if (t == GEX_CALL)
                    calls += c;
                else
                    puts += c;
                biggest = fmax(biggest, fabs(c));
            }
    ck_assert(json_is_true(json_object_get(d, "prior_snapshot_available")));
    close_to(num(d, "total_call_oi_change"), calls, "calls");
    close_to(num(d, "total_put_oi_change"), puts, "puts");
    const json_t *top = json_object_get(d, "top_oi_changes");
    ck_assert_uint_eq(json_array_size(top), 10);
    const json_t *r0 = json_array_get(top, 0);
    close_to(fabs(num(r0, "oi_change")), biggest, "largest change first");
    close_to(num(r0, "oi_change"), num(r0, "today_oi") - num(r0, "prior_oi"), "row");
    for (size_t i = 1; i < json_array_size(top); i++)
        ck_assert(fabs(num(json_array_get(top, i), "oi_change")) <=
                  fabs(num(json_array_get(top, i - 1), "oi_change")));
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "meta"), "prior_file")),
                     "day0.csv");
    json_decref(d);
    /* topN clamped to [1, 100]; not a number: 400. */
    params.n = 1;
    params.name[0] = "topN";
    params.value[0] = "1000";
    d = gex__api_oi_diff(&in, &ans);
    ck_assert_uint_eq(json_array_size(json_object_get(d, "top_oi_changes")), 36);
    json_decref(d);
    params.value[0] = "ten";
    ck_assert_ptr_null(gex__api_oi_diff(&in, &ans));
    ck_assert_uint_eq(ans.status, 400);
    params.n = 0;
    /* No previous snapshot: available false, totals 0, no rows (the vendor's form). */
    in.previous = NULL;
    d = gex__api_oi_diff(&in, &ans);
    ck_assert(json_is_false(json_object_get(d, "prior_snapshot_available")));
    ck_assert(num(d, "total_call_oi_change") == 0.0);
    ck_assert_uint_eq(json_array_size(json_object_get(d, "top_oi_changes")), 0);
    json_decref(d);

    /* The gex document: each strike's change against the previous snapshot's row. */
    d = gex__document_previous(GEX__DOC_GEX, &today, &prev);
    ck_assert_ptr_nonnull(d);
    const json_t *strikes = json_object_get(d, "strikes");
    size_t checked = 0;
    for (size_t i = 0; i < json_array_size(strikes); i++) {
        const json_t *r = json_array_get(strikes, i);
        const double K = num(r, "strike");
        if (K == 4321.0) {
            ck_assert(json_is_null(json_object_get(r, "call_oi_change")));
            continue;
        }
        const int k = (int)((K - 4000.0) / 25.0);
        double want = 0.0;
        for (int e = 0; e < 2; e++)
            want += oi_of(1, e, GEX_CALL, k) - oi_of(0, e, GEX_CALL, k);
        close_to(num(r, "call_oi_change"), want, "call_oi_change");
        checked++;
    }
    ck_assert_uint_eq(checked, 9);
    json_decref(d);
    /* Without a previous snapshot: null, as before. */
    d = gex__document(GEX__DOC_GEX, &today);
    ck_assert(json_is_null(
        json_object_get(json_array_get(json_object_get(d, "strikes"), 0), "call_oi_change")));
    json_decref(d);
    unbuild(&today);
    unbuild(&prev);
}
END_TEST

/* --- forecasts --- */

/* A seeded sequence of standard normals (Box-Muller over a 64-bit LCG, Knuth's MMIX constants). */
static double normal(uint64_t *state)
{
    double u[2];
    for (int i = 0; i < 2; i++) {
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        u[i] = ((double)(*state >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2.0 * log(u[0])) * cos(2.0 * M_PI * u[1]);
}

/* n returns of a Gaussian GARCH(1,1) with the given parameters, from its long-run variance. */
static void garch_path(double *r, size_t n, double omega, double alpha, double beta, uint64_t seed)
{
    double s2 = omega / (1.0 - alpha - beta);
    for (size_t i = 0; i < n; i++) {
        r[i] = sqrt(s2) * normal(&seed);
        s2 = omega + alpha * r[i] * r[i] + beta * s2;
    }
}

START_TEST(test_forecast_ewma_constant_and_recursion)
{
    /* Constant squared returns: every EWMA variance is that square. */
    double r[40];
    for (size_t i = 0; i < 40; i++)
        r[i] = i % 2 ? 0.0123 : -0.0123;
    gex_vol_ewma e;
    ck_assert_int_eq(gex_vol_forecast_ewma(r, 40, 0.94, &e), GEX_OK);
    close_to(e.next_day.value, 1.23, "ewma constant");
    close_to(e.annualized.value, 1.23 * sqrt(252.0), "ewma annualised");
    /* The recursion on a path, written out with the weights summed in closed form: s2_n =
     * lambda^n s2_0 + (1 - lambda) sum lambda^(n-1-i) r_i^2. */
    uint64_t seed = 7;
    for (size_t i = 0; i < 40; i++)
        r[i] = 0.01 * normal(&seed);
    double s0 = 0.0, w = 0.0;
    for (size_t i = 0; i < 20; i++)
        s0 += r[i] * r[i] / 20.0;
    for (size_t i = 0; i < 40; i++)
        w += (1.0 - 0.94) * pow(0.94, 39.0 - (double)i) * r[i] * r[i];
    ck_assert_int_eq(gex_vol_forecast_ewma(r, 40, 0.94, &e), GEX_OK);
    close_to(e.next_day.value, 100.0 * sqrt(pow(0.94, 40.0) * s0 + w), "ewma closed form");
    ck_assert_int_eq(gex_vol_forecast_ewma(r, 1, 0.94, &e), GEX_OK);
    ck_assert(!e.next_day.has);
    ck_assert_int_eq(gex_vol_forecast_ewma(r, 40, 1.0, &e), GEX_EINVAL);
}
END_TEST

START_TEST(test_forecast_har_normal_equations)
{
    enum { N = 300 };
    double r[N];
    garch_path(r, N, 2e-6, 0.1, 0.85, 11);
    gex_vol_har h;
    ck_assert_int_eq(gex_vol_forecast_har(r, N, &h), GEX_OK);
    ck_assert(h.annualized.has);
    /* Least squares: the residuals are orthogonal to every regressor (written out here). */
    double dot[4] = {0, 0, 0, 0}, scale[4] = {0, 0, 0, 0};
    for (size_t t = 21; t + 1 < N; t++) {
        double x[4] = {1.0, r[t] * r[t], 0.0, 0.0};
        for (size_t k = 0; k < 22; k++) {
            x[3] += r[t - k] * r[t - k] / 22.0;
            if (k < 5)
                x[2] += r[t - k] * r[t - k] / 5.0;
        }
        double fit = 0.0;
        for (int i = 0; i < 4; i++)
            fit += h.beta[i] * x[i];
        const double e = r[t + 1] * r[t + 1] - fit;
        for (int i = 0; i < 4; i++) {
            dot[i] += x[i] * e;
            scale[i] += fabs(x[i] * r[t + 1] * r[t + 1]);
        }
    }
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(dot[i]) <= 1e-9 * scale[i], "regressor %d: %g", i, dot[i]);
    close_to(h.daily.value, 100.0 * sqrt(252.0) * fabs(r[N - 1]), "daily component");
    ck_assert_int_eq(gex_vol_forecast_har(r, 31, &h), GEX_OK);
    ck_assert(!h.annualized.has);
}
END_TEST

/* A series whose regressors are collinear (every return the same, or 0) has no least-squares
 * fit: the forecast is absent, with GEX_OK, and nothing non-finite comes out. */
START_TEST(test_forecast_har_singular_fit_absent)
{
    enum { N = 60 };
    const double levels[] = {0.0123, 0.0};
    for (size_t k = 0; k < 2; k++) {
        double r[N];
        for (int i = 0; i < N; i++)
            r[i] = levels[k];
        gex_vol_har h;
        ck_assert_int_eq(gex_vol_forecast_har(r, N, &h), GEX_OK);
        ck_assert(!h.next_day.has && !h.annualized.has);
        for (int i = 0; i < 4; i++)
            ck_assert_double_eq(h.beta[i], 0.0);
    }
}
END_TEST

START_TEST(test_forecast_garch_recovers_known_parameters)
{
    enum { N = 4000 };
    static double r[N];
    const double omega = 2e-6, alpha = 0.08, beta = 0.90;
    garch_path(r, N, omega, alpha, beta, 2024);
    gex_vol_garch g;
    ck_assert_int_eq(gex_vol_forecast_garch(r, N, &g), GEX_OK);
    ck_assert(g.converged);
    /* Asymptotic standard errors at this n are about 0.01 for alpha and 0.015 for beta: three
     * of them. */
    ck_assert_msg(fabs(g.alpha - alpha) < 0.03, "alpha %g", g.alpha);
    ck_assert_msg(fabs(g.beta - beta) < 0.045, "beta %g", g.beta);
    /* The maximum: no worse than the true parameters, nor than small moves around it. */
    ck_assert(g.loglik >= gex_vol_garch_loglik(r, N, omega, alpha, beta));
    const double d[3] = {1.01, 1.0, 1.0};
    ck_assert(g.loglik >= gex_vol_garch_loglik(r, N, g.omega * d[0], g.alpha, g.beta) - 1e-9);
    ck_assert(g.loglik >= gex_vol_garch_loglik(r, N, g.omega, g.alpha + 0.002, g.beta) - 1e-9);
    ck_assert(g.loglik >= gex_vol_garch_loglik(r, N, g.omega, g.alpha, g.beta - 0.002) - 1e-9);
    close_to(g.persistence.value, g.alpha + g.beta, "persistence");
    close_to(g.half_life_days.value, log(0.5) / log(g.alpha + g.beta), "half life");
    /* Horizons converge to the long-run volatility. */
    ck_assert(g.annualized[0].has && g.annualized[3].has);
    const double lr = g.long_run_annualized.value;
    ck_assert(fabs(g.annualized[3].value - lr) <= fabs(g.annualized[0].value - lr) + 1e-12);
    ck_assert_int_eq(gex_vol_forecast_garch(r, 29, &g), GEX_OK);
    ck_assert(!g.converged && !g.annualized[0].has);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api-history");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_vol_realized_and_semi_against_sums);
    tcase_add_test(tc, test_vrp_against_sums_and_vendor_keys);
    tcase_add_test(tc, test_vrp_term_fair_vol_and_scores);
    tcase_add_test(tc, test_vrp_history_days_and_rows);
    tcase_add_test(tc, test_realized_and_history_rows);
    tcase_add_test(tc, test_oi_diff_against_known_open_interest);
    tcase_add_test(tc, test_forecast_ewma_constant_and_recursion);
    tcase_add_test(tc, test_forecast_har_normal_equations);
    tcase_add_test(tc, test_forecast_har_singular_fit_absent);
    tcase_add_test(tc, test_forecast_garch_recovers_known_parameters);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
