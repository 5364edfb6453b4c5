/*
 * test-api-exposure: the vendor's exposure endpoints built from one analysis (SPEC 5.2,
 * src/render/api-zero-dte.c, api-exposure.c): every key the vendor's SDKs check present, the
 * numbers against independent sums over the chain's contracts (the library's per-contract
 * greeks and gex_bs_greeks at shifted spots), the session clock, max pain by brute force, the
 * OPEX calendar against published dates, and the errors of bad parameters.
 */
#include "chain-prepared.h"
#include "gex-test.h"

#include <math.h>
#include <stdarg.h>

#include "api-exposure.h"

#include "fixture-spx.h"

#define SPOT GEX_TEST_SPX_SPOT
#define MULT GEX_TEST_SPX_MULT

/* The SPX fixture (fixture-spx.h), prepared with r = 5.12% and q = 1.57%. */
static gex_chain *fixture_bumped(double call_oi_bump)
{
    gex_chain *chain = gex_test_spx_chain(call_oi_bump);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.rate = 0.0512;
    po.div = 0.0157;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    return chain;
}

static gex_chain *fixture(void)
{
    return fixture_bumped(0.0);
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

/* Runs a builder with query parameters "name=value" ...; NULL-terminated. */
static const gex__analysis *previous_analysis; /* build()'s in->previous */

static json_t *build(gex__api_build_fn fn, const gex__analysis *a, gex__api_answer *ans, ...)
{
    gex__api_params p = {0};
    char buf[8][64];
    va_list ap;
    va_start(ap, ans);
    for (const char *kv; (kv = va_arg(ap, const char *)) != NULL && p.n < 8;) {
        snprintf(buf[p.n], sizeof buf[p.n], "%s", kv);
        char *eq = strchr(buf[p.n], '=');
        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        p.name[p.n] = buf[p.n];
        p.value[p.n] = eq + 1;
        p.n++;
    }
    va_end(ap);
    gex__api_input in = {.symbol = "SPX",
                         .params = &p,
                         .analysis = a,
                         .previous = previous_analysis,
                         .now = 1694712700};
    memset(ans, 0, sizeof *ans);
    return fn(&in, ans);
}

static double num(const json_t *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *v = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k != NULL;
         k = strtok_r(NULL, ".", &save)) {
        v = json_object_get(v, k);
        ck_assert_msg(v != NULL, "%s: no %s", path, k);
    }
    ck_assert_msg(json_is_number(v), "%s is not a number", path);
    return json_number_value(v);
}

/* The document written as JSON holds no non-finite number. */
static void assert_writable(const json_t *d)
{
    gex__jwriter w = {0};
    gex__json_write(&w, d);
    ck_assert_int_eq(w.failed, 0);
    ck_assert_uint_eq(w.nonfinite, 0);
    free(w.data);
}

static void assert_keys(const json_t *o, const char *what, const char *const *keys)
{
    ck_assert_msg(json_is_object(o), "%s is not an object", what);
    for (; *keys != NULL; keys++)
        ck_assert_msg(json_object_get(o, *keys) != NULL, "%s.%s missing", what, *keys);
}

/* The keys the vendor's Python integration test checks (tests/test_integration.py,
 * test_zero_dte_new_fields), block by block. */
START_TEST(test_zero_dte_has_every_vendor_key)
{
    gex_chain *chain = fixture();
    gex__analysis a;
    analyse(chain, &a);
    gex__api_answer ans;
    json_t *d = build(gex__api_zero_dte, &a, &ans, NULL);
    ck_assert_ptr_nonnull(d);
    assert_writable(d);
    static const char *const top[] = {"symbol",
                                      "underlying_price",
                                      "expiration",
                                      "as_of",
                                      "market_open",
                                      "time_to_close_hours",
                                      "time_to_close_pct",
                                      "regime",
                                      "exposures",
                                      "expected_move",
                                      "pin_risk",
                                      "hedging",
                                      "decay",
                                      "vol_context",
                                      "flow",
                                      "levels",
                                      "liquidity",
                                      "metadata",
                                      "strikes",
                                      "meta",
                                      NULL};
    assert_keys(d, "top", top);
    static const char *const regime[] = {"label",
                                         "description",
                                         "gamma_flip",
                                         "spot_vs_flip",
                                         "spot_to_flip_pct",
                                         "distance_to_flip_dollars",
                                         "distance_to_flip_sigmas",
                                         NULL};
    assert_keys(json_object_get(d, "regime"), "regime", regime);
    static const char *const ex[] = {"net_gex",  "net_dex",          "net_vex",
                                     "net_chex", "pct_of_total_gex", "total_chain_net_gex",
                                     NULL};
    assert_keys(json_object_get(d, "exposures"), "exposures", ex);
    static const char *const em[] = {
        "implied_1sd_dollars", "implied_1sd_pct", "remaining_1sd_dollars",
        "remaining_1sd_pct",   "upper_bound",     "lower_bound",
        "straddle_price",      "atm_iv",          NULL};
    assert_keys(json_object_get(d, "expected_move"), "expected_move", em);
    static const char *const pr[] = {"magnet_strike",
                                     "magnet_gex",
                                     "distance_to_magnet_pct",
                                     "pin_score",
                                     "components",
                                     "max_pain",
                                     "oi_concentration_top3_pct",
                                     "description",
                                     NULL};
    assert_keys(json_object_get(d, "pin_risk"), "pin_risk", pr);
    static const char *const comp[] = {"oi_score", "proximity_score", "time_score", "gamma_score",
                                       NULL};
    assert_keys(json_object_get(json_object_get(d, "pin_risk"), "components"), "components", comp);
    static const char *const hedging[] = {"spot_up_10bp",      "spot_down_10bp",
                                          "spot_up_25bp",      "spot_down_25bp",
                                          "spot_up_half_pct",  "spot_down_half_pct",
                                          "spot_up_1pct",      "spot_down_1pct",
                                          "convexity_at_spot", NULL};
    assert_keys(json_object_get(d, "hedging"), "hedging", hedging);
    static const char *const bucket[] = {"dealer_shares_to_trade", "direction", "notional_usd",
                                         NULL};
    for (int i = 0; i < 8; i++)
        assert_keys(json_object_get(json_object_get(d, "hedging"), hedging[i]), hedging[i], bucket);
    static const char *const decay[] = {"net_theta_dollars",
                                        "theta_per_hour_remaining",
                                        "charm_regime",
                                        "charm_description",
                                        "gamma_acceleration",
                                        "description",
                                        NULL};
    assert_keys(json_object_get(d, "decay"), "decay", decay);
    static const char *const vc[] = {
        "zero_dte_atm_iv", "seven_dte_atm_iv",     "iv_ratio_0dte_7dte", "vix",
        "vanna_exposure",  "vanna_interpretation", "description",        NULL};
    assert_keys(json_object_get(d, "vol_context"), "vol_context", vc);
    static const char *const flow[] = {"total_volume",
                                       "call_volume",
                                       "put_volume",
                                       "net_call_minus_put_volume",
                                       "total_oi",
                                       "call_oi",
                                       "put_oi",
                                       "pc_ratio_volume",
                                       "pc_ratio_oi",
                                       "volume_to_oi_ratio",
                                       "atm_volume_share_pct",
                                       "top3_strike_volume_pct",
                                       NULL};
    assert_keys(json_object_get(d, "flow"), "flow", flow);
    static const char *const lv[] = {"call_wall",
                                     "call_wall_gex",
                                     "call_wall_strength",
                                     "distance_to_call_wall_pct",
                                     "put_wall",
                                     "put_wall_gex",
                                     "put_wall_strength",
                                     "distance_to_put_wall_pct",
                                     "distance_to_magnet_dollars",
                                     "highest_oi_strike",
                                     "highest_oi_total",
                                     "max_positive_gamma",
                                     "max_negative_gamma",
                                     "level_cluster_score",
                                     NULL};
    assert_keys(json_object_get(d, "levels"), "levels", lv);
    static const char *const liq[] = {"atm_spread_pct", "weighted_spread_pct", "execution_score",
                                      NULL};
    assert_keys(json_object_get(d, "liquidity"), "liquidity", liq);
    static const char *const md[] = {"snapshot_age_seconds", "chain_contract_count",
                                     "data_quality_score", "greek_smoothness_score", NULL};
    assert_keys(json_object_get(d, "metadata"), "metadata", md);
    static const char *const sk[] = {"strike",           "distance_from_spot_pct",
                                     "call_symbol",      "put_symbol",
                                     "call_gex",         "put_gex",
                                     "net_gex",          "call_dex",
                                     "put_dex",          "net_dex",
                                     "net_vex",          "net_chex",
                                     "call_oi",          "put_oi",
                                     "call_volume",      "put_volume",
                                     "gex_share_pct",    "oi_share_pct",
                                     "volume_share_pct", "call_iv",
                                     "put_iv",           "call_delta",
                                     "put_delta",        "call_gamma",
                                     "put_gamma",        "call_theta",
                                     "put_theta",        "call_mid",
                                     "put_mid",          "call_spread_pct",
                                     "put_spread_pct",   NULL};
    const json_t *strikes = json_object_get(d, "strikes");
    ck_assert(json_array_size(strikes) > 0);
    for (size_t i = 0; i < json_array_size(strikes); i++)
        assert_keys(json_array_get(strikes, i), "strikes[]", sk);
    ck_assert_str_eq(json_string_value(json_object_get(d, "as_of")),
                     "2023-09-14T17:30:00.0000000Z");
    ck_assert_str_eq(json_string_value(json_object_get(d, "expiration")), "2023-09-14");
    ck_assert(json_is_array(json_object_get(json_object_get(d, "meta"), "gex_own")));
    json_decref(d);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

/* The 0DTE theta at each contract's own carry: on the sample chain the parity fit gives the
 * day's expiration its own dividend yield (0.4% against the flat 1.3%), and theta there is that
 * carry's, as every greek of SPEC 1.3 is (the flat carry gave 17.8 M where 16.1 M is right). */
START_TEST(test_zero_dte_theta_at_the_parity_carry)
{
    gex_chain *chain =
        gex_test_read_prepared(GEX_SOURCE_ROOT "/data/sample-spx.csv", GEX_CARRY_PARITY, NULL);
    gex__analysis a;
    analyse(chain, &a);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    gex_contract_exposures ce;
    gex_exposure_get_contracts(a.exposure, &ce);
    const int32_t today = gex_exposure_quote_date(a.exposure);
    double rate, div, theta = 0;
    gex_exposure_carry(a.exposure, &rate, &div);
    int own = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.expiration[i] != today || !ce.included[i])
            continue;
        own |= v.r[i] != rate || v.q[i] != div;
        gex_greeks g;
        ck_assert_int_eq(
            gex_bs_greeks(v.type[i], v.spot[i], v.strike[i], v.T[i], v.iv[i], v.r[i], v.q[i], &g),
            GEX_BS_OK);
        theta += (v.type[i] == GEX_CALL ? 1 : -1) * v.open_interest[i] * v.multiplier[i] * g.theta /
                 365.0;
    }
    ck_assert_msg(own, "the sample's 0DTE expiration keeps the flat carry: the test tests nothing");
    gex__api_params p = {0};
    gex__api_input in = {.symbol = "SPX", .params = &p, .analysis = &a, .now = 1795030200};
    gex__api_answer ans = {0};
    json_t *d = gex__api_zero_dte(&in, &ans);
    ck_assert_msg(d != NULL, "%s", ans.message);
    ck_assert_rel(num(d, "decay.net_theta_dollars"), theta, 1e-9, 0);
    json_decref(d);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

/* Exposures, flow and hedging against sums over the chain's 0DTE contracts, computed here from
 * the analysis's per-contract values and from gex_bs_greeks at the shifted spots. */
START_TEST(test_zero_dte_numbers_match_contract_sums)
{
    gex_chain *chain = fixture();
    gex__analysis a;
    analyse(chain, &a);
    gex__api_answer ans;
    json_t *d = build(gex__api_zero_dte, &a, &ans, NULL);
    ck_assert_ptr_nonnull(d);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    gex_contract_exposures ce;
    gex_exposure_get_contracts(a.exposure, &ce);
    double rate, div;
    gex_exposure_carry(a.exposure, &rate, &div);
    const int32_t today = gex_time_days_from_civil(2023, 9, 14);
    static const double moves[4] = {0.001, 0.0025, 0.005, 0.01};
    static const char *const up[4] = {"hedging.spot_up_10bp.dealer_shares_to_trade",
                                      "hedging.spot_up_25bp.dealer_shares_to_trade",
                                      "hedging.spot_up_half_pct.dealer_shares_to_trade",
                                      "hedging.spot_up_1pct.dealer_shares_to_trade"};
    double gex = 0, dex = 0, vex = 0, chex = 0, oi = 0, call_vol = 0, put_vol = 0, scale = 0;
    double dshift[4] = {0, 0, 0, 0}, theta = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.expiration[i] != today || !ce.included[i])
            continue;
        gex += ce.gex[i];
        dex += ce.dex[i];
        vex += ce.vex[i];
        chex += ce.chex[i];
        oi += v.open_interest[i];
        *(v.type[i] == GEX_CALL ? &call_vol : &put_vol) += v.volume[i];
        const double s = v.type[i] == GEX_CALL ? 1 : -1, w = s * v.open_interest[i] * MULT;
        gex_greeks g0, g1;
        ck_assert_int_eq(
            gex_bs_greeks(v.type[i], SPOT, v.strike[i], v.T[i], v.iv[i], rate, div, &g0),
            GEX_BS_OK);
        theta += w * g0.theta / 365.0;
        for (int m = 0; m < 4; m++) {
            ck_assert_int_eq(gex_bs_greeks(v.type[i], SPOT * (1 + moves[m]), v.strike[i], v.T[i],
                                           v.iv[i], rate, div, &g1),
                             GEX_BS_OK);
            dshift[m] += w * (g1.delta - g0.delta);
        }
        scale += fabs(w * g0.delta);
    }
    /* sums in another order: relative 1e-12 */
    ck_assert_rel(num(d, "exposures.net_gex"), gex, 1e-12, 0);
    ck_assert_rel(num(d, "exposures.net_dex"), dex, 1e-12, 0);
    ck_assert_rel(num(d, "exposures.net_vex"), vex, 1e-12, 0);
    ck_assert_rel(num(d, "exposures.net_chex"), chex, 1e-12, 0);
    ck_assert_double_eq(num(d, "exposures.total_chain_net_gex"), a.totals.net_gex);
    ck_assert_double_eq(num(d, "flow.total_oi"), oi);
    ck_assert_double_eq(num(d, "flow.call_volume"), call_vol);
    ck_assert_double_eq(num(d, "flow.put_volume"), put_vol);
    ck_assert_double_eq(num(d, "flow.net_call_minus_put_volume"), call_vol - put_vol);
    ck_assert_rel(num(d, "decay.net_theta_dollars"), theta, 1e-9, 0);
    /* the library's batch deltas against gex_bs_greeks: 1e-9 relative each (SPEC 1.3) */
    for (int m = 0; m < 4; m++)
        ck_assert_rel(num(d, up[m]), -dshift[m], 1e-9, 2e-9 * scale);
    /* a book long the calls and short the puts near the money: the 10 bp move is about a tenth
     * of the 1% move (gamma nearly constant over it) */
    ck_assert_rel(num(d, up[0]) * 10.0, num(d, up[3]), 0.25, 0);
    /* the session clock: 13:30 New York is 2.5 hours before the close, 4 of 6.5 hours in */
    ck_assert_double_eq_tol(num(d, "time_to_close_hours"), 2.5, 1e-12);
    ck_assert_double_eq_tol(num(d, "time_to_close_pct"), 400.0 / 6.5, 1e-9);
    ck_assert(json_is_true(json_object_get(d, "market_open")));
    ck_assert_double_eq_tol(num(d, "decay.theta_per_hour_remaining"), theta / 2.5,
                            1e-9 * fabs(theta));
    json_decref(d);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

/* Expected move from the ATM contract (strike 4510), max pain by brute force, the window of
 * strikes and the vendor's contract keys. */
START_TEST(test_zero_dte_expected_move_pin_and_strikes)
{
    gex_chain *chain = fixture();
    gex__analysis a;
    analyse(chain, &a);
    gex__api_answer ans;
    json_t *d = build(gex__api_zero_dte, &a, &ans, "strike_range=0.005", NULL);
    ck_assert_ptr_nonnull(d);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    const int32_t today = gex_time_days_from_civil(2023, 9, 14);
    double iv = 0, T = 0;
    int m = 0;
    for (size_t i = 0; i < v.n; i++)
        if (v.expiration[i] == today && v.strike[i] == 4510.0) {
            iv += v.iv[i];
            T += v.T[i];
            m++;
        }
    ck_assert_int_eq(m, 2);
    iv /= m;
    T /= m;
    ck_assert_rel(num(d, "expected_move.atm_iv"), iv, 1e-15, 0);
    ck_assert_rel(num(d, "expected_move.remaining_1sd_dollars"), SPOT * iv * sqrt(T), 1e-12, 0);
    ck_assert_rel(num(d, "expected_move.implied_1sd_dollars"),
                  SPOT * iv * sqrt(6.5 / (24.0 * 365.0)), 1e-12, 0);
    /* 2.5 of the 6.5 session hours remain, and T measures them to the 16:00 settlement */
    ck_assert_rel(num(d, "expected_move.remaining_1sd_dollars"),
                  num(d, "expected_move.implied_1sd_dollars") * sqrt(2.5 / 6.5), 1e-9, 0);
    /* max pain: every strike's payout to holders, the least one's strike */
    double best = INFINITY, best_k = 0;
    for (int j = -20; j <= 20; j++) {
        const double K = 4500.0 + 5.0 * j;
        double pay = 0;
        for (size_t i = 0; i < v.n; i++)
            if (v.expiration[i] == today)
                pay += v.open_interest[i] * (v.type[i] == GEX_CALL ? fmax(0, K - v.strike[i])
                                                                   : fmax(0, v.strike[i] - K));
        if (pay < best) {
            best = pay;
            best_k = K;
        }
    }
    ck_assert_double_eq(num(d, "pin_risk.max_pain"), best_k);
    /* 0.5% of 4512.37 is 22.56: strikes 4490 to 4530 */
    const json_t *s = json_object_get(d, "strikes");
    ck_assert_uint_eq(json_array_size(s), 9);
    ck_assert_double_eq(num(json_array_get(s, 0), "strike"), 4490.0);
    const json_t *row = json_array_get(s, 4);
    ck_assert_str_eq(json_string_value(json_object_get(row, "call_symbol")), "SPX-230914-C-4510");
    ck_assert_str_eq(json_string_value(json_object_get(row, "put_symbol")), "SPX-230914-P-4510");
    const double pin = num(d, "pin_risk.pin_score");
    ck_assert(pin >= 0 && pin <= 100 && pin == floor(pin));
    json_decref(d);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

/* expiry picks another expiration; one the file lacks gets the vendor's no_zero_dte answer with
 * the next expiration; bad parameters are 400 with the vendor's codes. A later expiration's
 * theta per day is not paid over the session's remaining hours (2.5 of them at 13:30 New
 * York): theta_per_hour_remaining is null, meta.null_fields says why, the description gives
 * the theta per day. */
START_TEST(test_zero_dte_expiry_and_errors)
{
    gex_chain *chain = fixture();
    gex__analysis a;
    analyse(chain, &a);
    gex__api_answer ans;
    json_t *d = build(gex__api_zero_dte, &a, &ans, "expiry=2023-09-21", NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(json_string_value(json_object_get(d, "expiration")), "2023-09-21");
    ck_assert(json_is_true(json_object_get(d, "market_open")));
    ck_assert_double_eq_tol(num(d, "time_to_close_hours"), 2.5, 1e-12);
    const json_t *decay = json_object_get(d, "decay");
    ck_assert(json_is_null(json_object_get(decay, "theta_per_hour_remaining")));
    ck_assert(num(d, "decay.net_theta_dollars") != 0.0);
    ck_assert(strstr(json_string_value(json_object_get(decay, "description")), "per day") != NULL);
    const json_t *why = json_object_get(json_object_get(json_object_get(d, "meta"), "null_fields"),
                                        "decay.theta_per_hour_remaining");
    ck_assert(json_is_string(why) && strstr(json_string_value(why), "after the quote date"));
    assert_writable(d);
    json_decref(d);
    /* the quote date's own expiration keeps its figure, and no reason for a null */
    d = build(gex__api_zero_dte, &a, &ans, "expiry=2023-09-14", NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_double_eq_tol(num(d, "decay.theta_per_hour_remaining"),
                            num(d, "decay.net_theta_dollars") / 2.5,
                            1e-12 * fabs(num(d, "decay.net_theta_dollars")));
    ck_assert_ptr_null(json_object_get(json_object_get(json_object_get(d, "meta"), "null_fields"),
                                       "decay.theta_per_hour_remaining"));
    json_decref(d);

    d = build(gex__api_zero_dte, &a, &ans, "expiry=2023-09-16", NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert(json_is_true(json_object_get(d, "no_zero_dte")));
    ck_assert(json_is_null(json_object_get(d, "expiration")));
    ck_assert_str_eq(json_string_value(json_object_get(d, "next_zero_dte_expiry")), "2023-09-21");
    ck_assert(json_is_string(json_object_get(d, "message")));
    ck_assert_ptr_null(json_object_get(d, "strikes"));
    assert_writable(d);
    json_decref(d);

    d = build(gex__api_zero_dte, &a, &ans, "expiry=2023-10-20", NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert(json_is_null(json_object_get(d, "next_zero_dte_expiry")));
    json_decref(d);

    ck_assert_ptr_null(build(gex__api_zero_dte, &a, &ans, "strike_range=0.5", NULL));
    ck_assert_uint_eq(ans.status, 400);
    ck_assert_str_eq(ans.code, "invalid_parameter");
    ck_assert_ptr_null(build(gex__api_zero_dte, &a, &ans, "strike_range=abc", NULL));
    ck_assert_uint_eq(ans.status, 400);
    ck_assert_ptr_null(build(gex__api_zero_dte, &a, &ans, "expiry=2023-9-21", NULL));
    ck_assert_uint_eq(ans.status, 400);
    ck_assert_str_eq(ans.code, "invalid_expiry");
    ck_assert_ptr_null(build(gex__api_zero_dte, &a, &ans, "expiry=2023-02-30", NULL));
    ck_assert_str_eq(ans.code, "invalid_expiry");
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

/* The sheet: the analysis's rows with DAG, DAG against gex_bs_greeks per contract, the line in
 * the sand against the uniform-spacing second difference, the peaks' rule. */
START_TEST(test_sheet_rows_dag_lis_peaks)
{
    gex_chain *chain = fixture();
    gex__analysis a;
    analyse(chain, &a);
    gex__api_answer ans;
    json_t *d = build(gex__api_sheet, &a, &ans, NULL);
    ck_assert_ptr_nonnull(d);
    assert_writable(d);
    static const char *const top[] = {"symbol",  "underlying_price",
                                      "as_of",   "expiration",
                                      "is_opex", "is_triple_witching",
                                      "totals",  "lis",
                                      "peaks",   "strikes",
                                      "meta",    NULL};
    assert_keys(d, "sheet", top);
    ck_assert(json_is_null(json_object_get(d, "is_opex")));
    const gex_strike_row *rows = gex_exposure_strikes(a.exposure);
    const size_t n = gex_exposure_strike_count(a.exposure);
    const json_t *s = json_object_get(d, "strikes");
    ck_assert_uint_eq(json_array_size(s), n);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    double rate, div, dag = 0;
    gex_exposure_carry(a.exposure, &rate, &div);
    for (size_t i = 0; i < v.n; i++) {
        gex_greeks g;
        ck_assert_int_eq(
            gex_bs_greeks(v.type[i], SPOT, v.strike[i], v.T[i], v.iv[i], rate, div, &g), GEX_BS_OK);
        dag += (v.type[i] == GEX_CALL ? 1 : -1) * fabs(g.delta) * g.gamma * v.open_interest[i] *
               MULT * SPOT * SPOT * 0.01;
    }
    /* greeks of the batch against gex_bs_greeks: 1e-9 relative; sums of both signs */
    double scale = 0;
    for (size_t k = 0; k < n; k++)
        scale += fabs(num(json_array_get(s, k), "dag"));
    ck_assert_rel(num(d, "totals.net_dag"), dag, 1e-9, 1e-9 * scale);
    ck_assert_double_eq(num(d, "totals.net_gex"), a.totals.net_gex);
    double best = 0, best_k = NAN, max_abs = 0, max_k = NAN;
    for (size_t k = 0; k < n; k++) {
        const json_t *r = json_array_get(s, k);
        ck_assert_double_eq(num(r, "net_gex"), rows[k].net_gex);
        ck_assert_double_eq(num(r, "call_chex"), rows[k].call_chex);
        ck_assert_double_eq(num(r, "put_oi"), rows[k].put_oi);
        if (k > 0 && k + 1 < n) {
            const double d2 =
                fabs(rows[k + 1].net_gex - 2 * rows[k].net_gex + rows[k - 1].net_gex) / 25.0;
            if (d2 > best * (1 + 1e-12)) {
                best = d2;
                best_k = rows[k].strike;
            }
        }
        if (fabs(rows[k].net_gex) > max_abs) {
            max_abs = fabs(rows[k].net_gex);
            max_k = rows[k].strike;
        }
    }
    ck_assert_double_eq(num(d, "lis.strike"), best_k);
    const json_t *p = json_object_get(d, "peaks");
    ck_assert(json_array_size(p) >= 1);
    ck_assert_double_eq(num(json_array_get(p, 0), "strike"), max_k);
    ck_assert_double_eq(num(json_array_get(p, 0), "strength"), 1.0);
    for (size_t i = 0; i < json_array_size(p); i++) {
        const json_t *q = json_array_get(p, i);
        ck_assert(num(q, "strength") >= 0.1 && num(q, "strength") <= 1.0);
        ck_assert_str_eq(json_string_value(json_object_get(q, "side")),
                         num(q, "net_gex") >= 0 ? "call_wall" : "put_wall");
    }
    json_decref(d);
    d = build(gex__api_sheet, &a, &ans, "expiration=2023-09-15", NULL);
    ck_assert(json_is_true(json_object_get(d, "is_opex")));
    ck_assert(json_is_true(json_object_get(d, "is_triple_witching")));
    ck_assert_str_eq(json_string_value(json_object_get(d, "expiration")), "2023-09-15");
    json_decref(d);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

/* The term structure: the fixture's expirations (0, 7 and 35 days) in their buckets, empty
 * buckets left out, the per-expiry figures adding up to the chain's. */
START_TEST(test_term_structure_buckets_and_expiries)
{
    gex_chain *chain = fixture();
    gex__analysis a;
    analyse(chain, &a);
    gex__api_answer ans;
    json_t *d = build(gex__api_term_structure, &a, &ans, NULL);
    ck_assert_ptr_nonnull(d);
    assert_writable(d);
    const json_t *b = json_object_get(d, "by_dte_bucket");
    ck_assert_uint_eq(json_array_size(b), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(b, 0), "bucket")), "0-7d");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(b, 1), "bucket")), "31-60d");
    ck_assert_double_eq(num(json_array_get(b, 0), "contract_count"), 164);
    ck_assert_double_eq(num(json_array_get(b, 1), "contract_count"), 82);
    const json_t *range = json_object_get(json_array_get(b, 1), "dte_range");
    ck_assert_int_eq(json_integer_value(json_array_get(range, 0)), 31);
    ck_assert_int_eq(json_integer_value(json_array_get(range, 1)), 60);
    const json_t *e = json_object_get(d, "by_expiry");
    ck_assert_uint_eq(json_array_size(e), 3);
    double g = 0, chex = 0, pct = 0, scale = 0;
    for (size_t k = 0; k < 3; k++) {
        const json_t *r = json_array_get(e, k);
        g += num(r, "net_gex");
        chex += num(r, "net_chex");
        pct += num(r, "pct_of_chain_gex");
        scale += fabs(num(r, "net_gex"));
    }
    ck_assert_rel(g, a.totals.net_gex, 1e-12, 1e-12 * scale);
    ck_assert_rel(chex, a.totals.net_chex, 1e-9, 0);
    ck_assert_double_eq_tol(pct, 100.0, 1e-9);
    ck_assert_double_eq(num(json_array_get(e, 2), "dte"), 35);
    ck_assert_rel(num(json_array_get(b, 0), "net_gex"),
                  num(json_array_get(e, 0), "net_gex") + num(json_array_get(e, 1), "net_gex"),
                  1e-15, 0);
    ck_assert(json_is_false(json_object_get(json_array_get(e, 0), "is_opex")));
    json_decref(d);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

/* The narrative: every string of the vendor's block non-empty (its integration suite checks
 * so), the data block's numbers the analysis's; without a previous snapshot the day-over-day
 * fields are null and top_oi_changes empty; with one (the same chain with 500 more calls at
 * 4500 a week out), the prior net GEX, the change and the largest OI change. */
START_TEST(test_narrative_with_and_without_previous)
{
    gex_chain *chain = fixture();
    gex__analysis a;
    analyse(chain, &a);
    gex__api_answer ans;
    previous_analysis = NULL;
    json_t *d = build(gex__api_narrative, &a, &ans, NULL);
    ck_assert_ptr_nonnull(d);
    assert_writable(d);
    const json_t *nb = json_object_get(d, "narrative");
    static const char *const texts[] = {"regime", "gex_change", "key_levels", "flow", "vanna",
                                        "charm",  "zero_dte",   "outlook",    NULL};
    for (const char *const *k = texts; *k != NULL; k++) {
        const char *s = json_string_value(json_object_get(nb, *k));
        ck_assert_msg(s != NULL && *s != '\0', "narrative.%s empty", *k);
    }
    static const char *const data_keys[] = {"net_gex",
                                            "net_gex_prior",
                                            "net_gex_change_pct",
                                            "vix",
                                            "gamma_flip",
                                            "call_wall",
                                            "put_wall",
                                            "regime",
                                            "zero_dte_pct",
                                            "top_oi_changes",
                                            NULL};
    const json_t *data = json_object_get(nb, "data");
    assert_keys(data, "narrative.data", data_keys);
    ck_assert_double_eq(num(data, "net_gex"), a.totals.net_gex);
    ck_assert(json_is_null(json_object_get(data, "net_gex_prior")));
    ck_assert(json_is_null(json_object_get(data, "net_gex_change_pct")));
    ck_assert_uint_eq(json_array_size(json_object_get(data, "top_oi_changes")), 0);
    ck_assert(json_is_array(json_object_get(data, "top_oi_changes")));
    ck_assert_double_eq(num(data, "zero_dte_pct"), gex_analysis_zero_dte(a.an)->pct_of_total_gex);
    ck_assert_ptr_ne(strstr(json_string_value(json_object_get(nb, "regime")),
                            a.totals.net_gex > 0 ? "long gamma" : "short gamma"),
                     NULL);
    json_decref(d);

    /* a later snapshot with 500 more calls at 4500 (+7 days) against this one */
    gex_chain *chain2 = fixture_bumped(500.0);
    gex__analysis b;
    analyse(chain2, &b);
    previous_analysis = &a;
    d = build(gex__api_narrative, &b, &ans, NULL);
    previous_analysis = NULL;
    ck_assert_ptr_nonnull(d);
    assert_writable(d);
    data = json_object_get(json_object_get(d, "narrative"), "data");
    ck_assert_double_eq(num(data, "net_gex_prior"), a.totals.net_gex);
    ck_assert_rel(num(data, "net_gex_change_pct"),
                  (b.totals.net_gex - a.totals.net_gex) / fabs(a.totals.net_gex) * 100.0, 1e-12, 0);
    const json_t *top = json_object_get(data, "top_oi_changes");
    ck_assert_uint_eq(json_array_size(top), 1);
    ck_assert_double_eq(num(json_array_get(top, 0), "strike"), 4500.0);
    ck_assert_double_eq(num(json_array_get(top, 0), "oi_change"), 500.0);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(top, 0), "type")), "call");
    ck_assert_ptr_ne(
        strstr(json_string_value(json_object_get(json_object_get(d, "narrative"), "flow")),
               "+500 call OI at 4500"),
        NULL);
    json_decref(d);
    gex_analysis_free(b.an);
    gex_chain_free(chain2);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

/* Monthly OPEX against the exchanges' published dates: third Fridays, Good Friday 2022-04-15
 * and Juneteenth 2026-06-19 moved to the Thursday, triple witching in the quarter months. */
START_TEST(test_is_opex_published_dates)
{
    int triple = -1;
    ck_assert(gex__is_opex(gex_time_days_from_civil(2023, 9, 15), &triple));
    ck_assert_int_eq(triple, 1);
    ck_assert(gex__is_opex(gex_time_days_from_civil(2023, 10, 20), &triple));
    ck_assert_int_eq(triple, 0);
    ck_assert(!gex__is_opex(gex_time_days_from_civil(2023, 9, 14), &triple));
    ck_assert_int_eq(triple, 0);
    ck_assert(!gex__is_opex(gex_time_days_from_civil(2022, 4, 15), NULL));
    ck_assert(gex__is_opex(gex_time_days_from_civil(2022, 4, 14), NULL));
    ck_assert(!gex__is_opex(gex_time_days_from_civil(2026, 6, 19), NULL));
    ck_assert(gex__is_opex(gex_time_days_from_civil(2026, 6, 18), &triple));
    ck_assert_int_eq(triple, 1);
    ck_assert(gex__is_opex(gex_time_days_from_civil(2024, 3, 15), &triple));
    ck_assert_int_eq(triple, 1);
}
END_TEST

/* The sentences follow the sign; as_of has the vendor's seven digits. */
START_TEST(test_interpretations_and_as_of)
{
    ck_assert_ptr_ne(strstr(gex__interpret_gamma(1.0), "long gamma"), NULL);
    ck_assert_ptr_ne(strstr(gex__interpret_gamma(-1.0), "short gamma"), NULL);
    ck_assert_ptr_ne(strstr(gex__interpret_vanna(-3.0), "Negative vanna"), NULL);
    ck_assert_ptr_ne(strstr(gex__interpret_charm(2.0), "sell"), NULL);
    ck_assert_ptr_ne(strstr(gex__interpret_charm(-2.0), "buy"), NULL);
    ck_assert_ptr_ne(strstr(gex__interpret_charm(0.0), "neither"), NULL);
    char buf[48];
    gex__json_time(INT64_C(1779904694), buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-05-27T17:58:14.0000000Z");
}
END_TEST

/* The basket from three summaries worked by hand: weights 3, 1, 1 over A, B and a missing C;
 * the survivors' weights renormalise to 3/4 and 1/4. */
START_TEST(test_basket_by_hand)
{
    static const char a[] =
        "{\"symbol\":\"A\",\"underlying_price\":100,\"as_of\":\"2026-01-02T20:00:00.0000000Z\","
        "\"exposures\":{\"net_gex\":400,\"net_dex\":-40,\"net_vex\":8,\"net_chex\":4},"
        "\"meta\":{\"file\":\"a.csv\"}}";
    static const char b[] =
        "{\"symbol\":\"B\",\"underlying_price\":50,\"as_of\":\"2026-01-02T21:00:00.0000000Z\","
        "\"exposures\":{\"net_gex\":-400,\"net_dex\":80,\"net_vex\":-4,\"net_chex\":0},"
        "\"meta\":{\"file\":\"b.csv\"}}";
    static const char c[] = "{\"error\":\"symbol_not_found\",\"message\":\"no file holds C\"}";
    gex__api_params p = {0};
    const char *names[] = {"symbols", "weights"}, *values[] = {"a,B,c", "3,1,1"};
    p.n = 2;
    for (size_t i = 0; i < 2; i++) {
        p.name[i] = names[i];
        p.value[i] = values[i];
    }
    gex__api_basket bk;
    gex__api_answer ans;
    ck_assert_int_eq(gex__api_basket_symbols(&p, &bk, &ans), 0);
    ck_assert_uint_eq(bk.n, 3);
    ck_assert_str_eq(bk.entry[0].symbol, "A"); /* upper-cased */
    const char *bodies[] = {a, b, c};
    const unsigned status[] = {200, 200, 404};
    for (size_t i = 0; i < 3; i++) {
        bk.entry[i].status = status[i];
        bk.entry[i].body = bodies[i];
        bk.entry[i].len = strlen(bodies[i]);
    }
    gex__api_input in = {.params = &p, .basket = &bk};
    json_t *d = gex__api_exposure_basket(&in, &ans);
    ck_assert_msg(d != NULL, "%u %s", ans.status, ans.message);
    ck_assert_int_eq((int)num(d, "constituent_count"), 2);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(d, "missing_symbols"), 0)),
                     "C");
    ck_assert_str_eq(json_string_value(json_object_get(d, "as_of")),
                     "2026-01-02T21:00:00.0000000Z");
    /* 0.75 (400, -40, 8, 4) + 0.25 (-400, 80, -4, 0) */
    ck_assert_double_eq_tol(num(d, "aggregate.net_gex"), 200, 1e-9);
    ck_assert_double_eq_tol(num(d, "aggregate.net_dex"), -10, 1e-9);
    ck_assert_double_eq_tol(num(d, "aggregate.net_vex"), 5, 1e-9);
    ck_assert_double_eq_tol(num(d, "aggregate.net_chex"), 3, 1e-9);
    const json_t *c0 = json_array_get(json_object_get(d, "constituents"), 0),
                 *c1 = json_array_get(json_object_get(d, "constituents"), 1);
    ck_assert_double_eq_tol(num(c0, "weight"), 0.75, 1e-15);
    ck_assert_double_eq_tol(num(c1, "weight"), 0.25, 1e-15);
    /* |0.75 x 400| = 300 and |0.25 x -400| = 100: 75% and 25% */
    ck_assert_double_eq_tol(num(c0, "contribution_pct"), 75, 1e-9);
    ck_assert_double_eq_tol(num(c1, "contribution_pct"), 25, 1e-9);
    ck_assert_str_eq(json_string_value(json_object_get(c1, "regime")), "negative_gamma");
    ck_assert_double_eq(num(c1, "underlying_price"), 50);
    json_decref(d);
    /* Refusals: no symbols, a repeat, a weight short, a negative weight; all missing: 404. */
    p.value[0] = "";
    ck_assert_int_eq(gex__api_basket_symbols(&p, &bk, &ans), -1);
    ck_assert_str_eq(ans.code, "invalid_symbols");
    p.value[0] = "A,a";
    ck_assert_int_eq(gex__api_basket_symbols(&p, &bk, &ans), -1);
    p.value[0] = "A,B,";
    ck_assert_int_eq(gex__api_basket_symbols(&p, &bk, &ans), -1);
    p.value[0] = "A,B,C";
    p.value[1] = "1,2";
    ck_assert_int_eq(gex__api_basket_symbols(&p, &bk, &ans), 0);
    for (size_t i = 0; i < 3; i++) {
        bk.entry[i].status = 404;
        bk.entry[i].body = c;
        bk.entry[i].len = strlen(c);
    }
    ck_assert_ptr_null(gex__api_exposure_basket(&in, &ans));
    ck_assert_str_eq(ans.code, "invalid_weights");
    p.value[1] = "1,-2,1";
    ck_assert_ptr_null(gex__api_exposure_basket(&in, &ans));
    ck_assert_str_eq(ans.code, "invalid_weights");
    p.value[1] = "1,2,1,"; /* a trailing comma: a value missing, as "A,B," is a symbol */
    ck_assert_ptr_null(gex__api_exposure_basket(&in, &ans));
    ck_assert_str_eq(ans.code, "invalid_weights");
    p.value[1] = "1,1e400,1"; /* an overflow: no finite weight */
    ck_assert_ptr_null(gex__api_exposure_basket(&in, &ans));
    ck_assert_str_eq(ans.code, "invalid_weights");
    p.value[1] = "1,1e-320,1"; /* an underflow is a number (a weight near 0), not a refusal */
    ck_assert_ptr_null(gex__api_exposure_basket(&in, &ans));
    ck_assert_uint_eq(ans.status, 404);
    p.value[1] = "1,2,1";
    ck_assert_ptr_null(gex__api_exposure_basket(&in, &ans));
    ck_assert_uint_eq(ans.status, 404);
    ck_assert_str_eq(ans.code, "no_data");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("api-exposure");
    TCase *tc = tcase_create("zero-dte");
    tcase_add_test(tc, test_zero_dte_has_every_vendor_key);
    tcase_add_test(tc, test_zero_dte_numbers_match_contract_sums);
    tcase_add_test(tc, test_zero_dte_theta_at_the_parity_carry);
    tcase_add_test(tc, test_zero_dte_expected_move_pin_and_strikes);
    tcase_add_test(tc, test_zero_dte_expiry_and_errors);
    suite_add_tcase(s, tc);
    TCase *tt = tcase_create("sheet and term structure");
    tcase_add_test(tt, test_sheet_rows_dag_lis_peaks);
    tcase_add_test(tt, test_term_structure_buckets_and_expiries);
    tcase_add_test(tt, test_narrative_with_and_without_previous);
    suite_add_tcase(s, tt);
    TCase *tm = tcase_create("parts");
    tcase_add_test(tm, test_is_opex_published_dates);
    tcase_add_test(tm, test_interpretations_and_as_of);
    tcase_add_test(tm, test_basket_by_hand);
    suite_add_tcase(s, tm);
    return s;
}

int main(void)
{
    return gex_test_run(suite());
}
