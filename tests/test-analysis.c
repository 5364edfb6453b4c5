/*
 * test-analysis: gex/analysis.h. An analysis holds what the separate stages compute (the
 * exposure, levels, regime, 0DTE block; hedging and profile on demand), with the carry of the
 * chain's preparation and the one filter of gex/exposure.h.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture-spx.h"
#include "gex/gex.h"

#define SPOT GEX_TEST_SPX_SPOT

/* The SPX fixture (fixture-spx.h: 41 strikes around the spot, calls and puts, the quote date,
 * +7 and +35 days, quoted 2023-09-14 13:30 New York), prepared with rate and div. */
static gex_chain *fixture(double rate, double div)
{
    gex_chain *chain = gex_test_spx_chain(0.0);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.rate = rate;
    po.div = div;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    return chain;
}

START_TEST(test_analysis_new_equals_the_stages)
{
    gex_chain *chain = fixture(0.0512, 0.0157);
    gex_analysis_options o;
    gex_analysis_options_default(&o);
    ck_assert_int_eq(o.flip_method, GEX_FLIP_PROFILE);
    ck_assert_int_eq(o.exposure.gex_unit, GEX_UNIT_PCT);
    gex_analysis *a = NULL;
    ck_assert_int_eq(gex_analysis_new(chain, &o, &a, NULL), GEX_OK);
    ck_assert_ptr_eq(gex_analysis_chain(a), chain);
    ck_assert_str_eq(gex_analysis_symbol(a), "SPX");
    ck_assert_double_eq(gex_analysis_spot(a), SPOT);
    ck_assert_int_eq(gex_analysis_quote_time(a), INT64_C(1694712600));
    double r = 0, q = 0;
    gex_analysis_carry(a, &r, &q);
    ck_assert_double_eq(r, 0.0512);
    ck_assert_double_eq(q, 0.0157);

    /* The same numbers as the stages called one by one. */
    gex_exposure *e = NULL;
    ck_assert_int_eq(gex_exposure_compute(chain, &o.exposure, &e), GEX_OK);
    gex_exposure_totals t;
    gex_exposure_get_totals(e, &t);
    ck_assert_double_eq(gex_analysis_totals(a)->net_gex, t.net_gex);
    ck_assert_double_eq(gex_analysis_totals(a)->net_chex, t.net_chex);
    ck_assert_uint_eq(gex_analysis_totals(a)->contracts, t.contracts);
    ck_assert_uint_eq(t.used, 41 * 3 * 2);
    gex_levels lv;
    ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_PROFILE, &lv), GEX_OK);
    const gex_levels *al = gex_analysis_levels(a);
    const gex_level *mine[7] = {
        &al->gamma_flip, &al->max_positive_gamma, &al->max_negative_gamma, &al->call_wall,
        &al->put_wall,   &al->highest_oi_strike,  &al->zero_dte_magnet};
    const gex_level *theirs[7] = {
        &lv.gamma_flip, &lv.max_positive_gamma, &lv.max_negative_gamma, &lv.call_wall,
        &lv.put_wall,   &lv.highest_oi_strike,  &lv.zero_dte_magnet};
    for (int i = 0; i < 7; i++) {
        ck_assert_int_eq(mine[i]->has, theirs[i]->has);
        ck_assert_double_eq(mine[i]->value, theirs[i]->value);
    }
    ck_assert_uint_eq(al->flip_evaluations, lv.flip_evaluations);
    gex_regime rg;
    gex_regime_classify(SPOT, t.net_gex, t.net_vex, &lv.gamma_flip, &rg);
    const gex_regime *ar = gex_analysis_regime(a);
    ck_assert_int_eq(ar->regime, rg.regime);
    ck_assert_int_eq(ar->vanna_aligned, rg.vanna_aligned);
    ck_assert_double_eq(ar->dist_to_flip.value, rg.dist_to_flip.value);
    ck_assert_str_eq(ar->confidence, rg.confidence);
    ck_assert_str_eq(ar->vendor_regime, rg.vendor_regime);
    gex_zero_dte z;
    ck_assert_int_eq(gex_zero_dte_block(e, &z), GEX_OK);
    ck_assert_int_eq(z.has, 1);
    ck_assert_double_eq(gex_analysis_zero_dte(a)->net_gex, z.net_gex);
    ck_assert_double_eq(gex_analysis_zero_dte(a)->pct_of_total_gex, z.pct_of_total_gex);
    ck_assert_int_eq(gex_analysis_zero_dte(a)->expiration, z.expiration);
    gex_hedge d1, u1, d2, u2;
    ck_assert_int_eq(gex_hedging_estimate(e, &d1, &u1), GEX_OK);
    ck_assert_int_eq(gex_analysis_hedging(a, &d2, &u2), GEX_OK);
    ck_assert_double_eq(d1.shares, d2.shares);
    ck_assert_double_eq(u1.shares, u2.shares);
    double x[3] = {4400.5, SPOT, 4630.25}, p1[3], p2[3];
    ck_assert_int_eq(gex_profile_eval(e, x, 3, p1), GEX_OK);
    ck_assert_int_eq(gex_analysis_profile(a, x, 3, p2), GEX_OK);
    ck_assert_mem_eq(p1, p2, sizeof p1);
    double gx[5], gp[5];
    ck_assert_int_eq(gex_analysis_profile_grid(a, 4400, 4600, 5, gx, gp), GEX_OK);
    ck_assert_double_eq(gx[4], 4600);
    gex_exposure_free(e);
    gex_analysis_free(a);
    gex_chain_free(chain);
}
END_TEST

/* skip_levels: the same exposures (every contract's greeks and exposures, the strike rows, the
 * totals) as a full analysis, and no levels, regime or 0DTE block; the default computes them. */
START_TEST(test_analysis_skip_levels)
{
    gex_chain *chain = fixture(0.0512, 0.0157);
    gex_analysis_options o;
    gex_analysis_options_default(&o);
    ck_assert_int_eq(o.skip_levels, 0);
    o.flip_method = GEX_FLIP_STRIKE;
    gex_analysis *full = NULL, *bare = NULL;
    ck_assert_int_eq(gex_analysis_new(chain, &o, &full, NULL), GEX_OK);
    o.skip_levels = 1;
    ck_assert_int_eq(gex_analysis_new(chain, &o, &bare, NULL), GEX_OK);
    ck_assert_ptr_nonnull(gex_analysis_levels(full));
    ck_assert_ptr_nonnull(gex_analysis_regime(full));
    ck_assert_ptr_nonnull(gex_analysis_zero_dte(full));
    ck_assert_int_eq(gex_analysis_zero_dte(full)->has, 1);
    ck_assert_ptr_null(gex_analysis_levels(bare));
    ck_assert_ptr_null(gex_analysis_regime(bare));
    ck_assert_ptr_null(gex_analysis_zero_dte(bare));
    ck_assert_int_eq(gex_analysis_get_options(bare)->skip_levels, 1);
    ck_assert_int_eq(gex_analysis_get_options(bare)->flip_method, GEX_FLIP_STRIKE);
    ck_assert_int_eq(gex_analysis_get_options(full)->skip_levels, 0);

    const gex_exposure_totals *tf = gex_analysis_totals(full), *tb = gex_analysis_totals(bare);
    ck_assert_mem_eq(tf, tb, sizeof *tf);
    gex_contract_exposures cf, cb;
    gex_exposure_get_contracts(gex_analysis_exposure(full), &cf);
    gex_exposure_get_contracts(gex_analysis_exposure(bare), &cb);
    ck_assert_uint_eq(cf.n, 41 * 3 * 2);
    ck_assert_uint_eq(cb.n, cf.n);
    const double *af[9] = {cf.delta, cf.gamma, cf.vega, cf.vanna, cf.charm,
                           cf.gex,   cf.dex,   cf.vex,  cf.chex};
    const double *ab[9] = {cb.delta, cb.gamma, cb.vega, cb.vanna, cb.charm,
                           cb.gex,   cb.dex,   cb.vex,  cb.chex};
    for (int k = 0; k < 9; k++)
        ck_assert_mem_eq(af[k], ab[k], cf.n * sizeof *af[k]);
    ck_assert_mem_eq(cf.included, cb.included, cf.n);
    const size_t ns = gex_exposure_strike_count(gex_analysis_exposure(full));
    ck_assert_uint_eq(ns, 41);
    ck_assert_uint_eq(gex_exposure_strike_count(gex_analysis_exposure(bare)), ns);
    ck_assert_mem_eq(gex_exposure_strikes(gex_analysis_exposure(full)),
                     gex_exposure_strikes(gex_analysis_exposure(bare)),
                     ns * sizeof(gex_strike_row));
    /* what is computed on demand still is */
    gex_hedge d1, u1, d2, u2;
    ck_assert_int_eq(gex_analysis_hedging(full, &d1, &u1), GEX_OK);
    ck_assert_int_eq(gex_analysis_hedging(bare, &d2, &u2), GEX_OK);
    ck_assert_double_eq(d1.shares, d2.shares);
    ck_assert_double_eq(u1.shares, u2.shares);
    gex_analysis_free(full);
    gex_analysis_free(bare);
    gex_chain_free(chain);
}
END_TEST

/* The carry is the preparation's: the greeks of the exposure differ with the rate the chain was
 * prepared with, and equal gex_bs_greeks at that rate. */
START_TEST(test_analysis_carry_is_the_preparations)
{
    gex_chain *chain = fixture(0.0, 0.0);
    gex_analysis *a = NULL;
    ck_assert_int_eq(gex_analysis_new(chain, NULL, &a, NULL), GEX_OK);
    gex_contract_exposures ce;
    gex_exposure_get_contracts(gex_analysis_exposure(a), &ce);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    gex_greeks g;
    ck_assert_int_eq(gex_bs_greeks(v.type[7], SPOT, v.strike[7], v.T[7], v.iv[7], 0.0, 0.0, &g),
                     GEX_BS_OK);
    ck_assert_double_eq_tol(ce.delta[7], g.delta, 1e-14);
    double r = 1, q = 1;
    ck_assert_int_eq(gex_chain_carry(chain, &r, &q), GEX_OK);
    ck_assert_double_eq(r, 0.0);
    ck_assert_double_eq(q, 0.0);
    gex_analysis_free(a);

    gex_chain *raw = gex_chain_new();
    ck_assert_int_eq(gex_chain_carry(raw, &r, &q), GEX_EINVAL); /* not prepared */
    ck_assert_int_eq(gex_chain_carry(NULL, &r, &q), GEX_EINVAL);
    gex_chain_free(raw);
    gex_chain_free(chain);
}
END_TEST

/* One contract as a chain's view, for gex_exposure_keeps. */
static int keeps_one(const gex_exposure_options *o, int32_t expiration, double oi, double bid,
                     int32_t today)
{
    const gex_chain_view v = {.n = 1, .expiration = &expiration, .open_interest = &oi, .bid = &bid};
    return gex_exposure_keeps(o, &v, 0, today);
}

/* gex_exposure_keeps is the one filter: listed dates and 0DTE are a union, then the excluded
 * dates, max_dte, min_oi and min_bid; the analysis's counts follow it. */
START_TEST(test_analysis_filters)
{
    const int32_t today = gex_time_days_from_civil(2023, 9, 14);
    gex_exposure_options o;
    gex_exposure_options_default(&o);
    ck_assert_int_eq(keeps_one(&o, today + 400, 0.0, NAN, today), 1);
    ck_assert_int_eq(keeps_one(NULL, today, 0.0, NAN, today), 1);
    const int32_t listed[1] = {today + 7};
    o.expirations = listed;
    o.n_expirations = 1;
    o.zero_dte = 1;
    ck_assert_int_eq(keeps_one(&o, today, 5.0, NAN, today), 1);
    ck_assert_int_eq(keeps_one(&o, today + 7, 5.0, NAN, today), 1);
    ck_assert_int_eq(keeps_one(&o, today + 35, 5.0, NAN, today), 0);
    o.max_dte = 3;
    ck_assert_int_eq(keeps_one(&o, today + 7, 5.0, NAN, today), 0);
    o.max_dte = -1;
    o.min_oi = 5.5;
    ck_assert_int_eq(keeps_one(&o, today, 5.0, NAN, today), 0);
    ck_assert_int_eq(keeps_one(&o, today, 5.5, NAN, today), 1);
    /* excluded dates and 0DTE win over listed ones */
    o.exclude_zero_dte = 1;
    ck_assert_int_eq(keeps_one(&o, today, 5.5, NAN, today), 0);
    o.exclude_expirations = listed;
    o.n_exclude_expirations = 1;
    ck_assert_int_eq(keeps_one(&o, today + 7, 5.5, NAN, today), 0);
    gex_exposure_options_default(&o);
    o.exclude_expirations = listed;
    o.n_exclude_expirations = 1;
    ck_assert_int_eq(keeps_one(&o, today + 8, 0.0, NAN, today), 1);
    ck_assert_int_eq(keeps_one(&o, today + 7, 0.0, NAN, today), 0);
    /* a minimum bid: a contract without a bid is not shown to meet it */
    gex_exposure_options_default(&o);
    o.min_bid = 0.05;
    ck_assert_int_eq(keeps_one(&o, today, 1.0, 0.05, today), 1);
    ck_assert_int_eq(keeps_one(&o, today, 1.0, 0.04, today), 0);
    ck_assert_int_eq(keeps_one(&o, today, 1.0, NAN, today), 0);

    gex_chain *chain = fixture(0.045, 0.013);
    gex_analysis_options ao;
    gex_analysis_options_default(&ao);
    ao.exposure.expirations = listed;
    ao.exposure.n_expirations = 1;
    ao.exposure.zero_dte = 1;
    gex_analysis *a = NULL;
    ck_assert_int_eq(gex_analysis_new(chain, &ao, &a, NULL), GEX_OK);
    ck_assert_uint_eq(gex_analysis_totals(a)->used, 41 * 2 * 2);
    ck_assert_uint_eq(gex_analysis_totals(a)->filtered, 41 * 2);
    /* The options are the analysis's own copy. */
    ck_assert_ptr_ne(gex_analysis_get_options(a)->exposure.expirations, listed);
    ck_assert_int_eq(gex_analysis_get_options(a)->exposure.expirations[0], today + 7);
    gex_analysis_free(a);

    /* --max-delta: applied once the greeks are known; what it leaves out counts as filtered,
     * and every contract used has |delta| within it. Excluded dates are copied too. */
    gex_analysis_options_default(&ao);
    ao.exposure.max_abs_delta = 0.5;
    ao.exposure.exclude_expirations = listed;
    ao.exposure.n_exclude_expirations = 1;
    ck_assert_int_eq(gex_analysis_new(chain, &ao, &a, NULL), GEX_OK);
    const gex_exposure_totals *t = gex_analysis_totals(a);
    ck_assert_uint_gt(t->used, 0);
    ck_assert_uint_gt(t->filtered, 41 * 2); /* the excluded date's, and the deep ones */
    size_t excluded = 0;
    for (int i = 0; i < GEX_CONTRACT_STATUS_COUNT; i++)
        excluded += t->excluded[i];
    ck_assert_uint_eq(t->used + t->filtered + excluded, t->contracts);
    gex_contract_exposures ce;
    gex_exposure_get_contracts(gex_analysis_exposure(a), &ce);
    size_t deep = 0;
    for (size_t i = 0; i < ce.n; i++) {
        if (ce.included[i])
            ck_assert_double_le(fabs(ce.delta[i]), 0.5);
    }
    gex_analysis_options unfiltered;
    gex_analysis_options_default(&unfiltered);
    gex_analysis *all = NULL;
    ck_assert_int_eq(gex_analysis_new(chain, &unfiltered, &all, NULL), GEX_OK);
    gex_exposure_get_contracts(gex_analysis_exposure(all), &ce);
    for (size_t i = 0; i < ce.n; i++)
        deep += ce.included[i] && fabs(ce.delta[i]) > 0.5;
    ck_assert_uint_gt(deep, 0); /* the fixture has contracts the filter must drop */
    ck_assert_ptr_ne(gex_analysis_get_options(a)->exposure.exclude_expirations, listed);
    ck_assert_int_eq(gex_analysis_get_options(a)->exposure.exclude_expirations[0], today + 7);
    gex_analysis_free(all);
    gex_analysis_free(a);
    /* --max-delta 1 keeps every contract, even a deep call whose delta e^(-qT) N(d1) is
     * above 1 because q < 0 (a parity fit gives such carries). */
    gex_chain *negative_q = fixture(0.045, -0.9);
    gex_analysis_options_default(&unfiltered);
    ck_assert_int_eq(gex_analysis_new(negative_q, &unfiltered, &all, NULL), GEX_OK);
    gex_exposure_get_contracts(gex_analysis_exposure(all), &ce);
    size_t above_one = 0;
    for (size_t i = 0; i < ce.n; i++)
        above_one += ce.included[i] && fabs(ce.delta[i]) > 1.0;
    ck_assert_uint_gt(above_one, 0);
    gex_analysis_options one;
    gex_analysis_options_default(&one);
    one.exposure.max_abs_delta = 1.0;
    gex_analysis *kept = NULL;
    ck_assert_int_eq(gex_analysis_new(negative_q, &one, &kept, NULL), GEX_OK);
    ck_assert_uint_eq(gex_analysis_totals(kept)->used, gex_analysis_totals(all)->used);
    ck_assert_uint_eq(gex_analysis_totals(kept)->filtered, 0);
    gex_analysis_free(kept);
    gex_analysis_free(all);
    gex_chain_free(negative_q);
    ao.exposure.max_abs_delta = 1.5; /* outside [0, 1] */
    ck_assert_int_eq(gex_analysis_new(chain, &ao, &a, NULL), GEX_EINVAL);
    gex_analysis_options_default(&ao);
    ao.exposure.expirations = listed;
    ao.exposure.n_expirations = 1;
    ao.exposure.zero_dte = 1;

    /* Nothing left: built, without levels. */
    ao.exposure.min_oi = 1e9;
    ck_assert_int_eq(gex_analysis_new(chain, &ao, &a, NULL), GEX_OK);
    ck_assert_uint_eq(gex_analysis_totals(a)->used, 0);
    ck_assert_ptr_null(gex_analysis_levels(a));
    ck_assert_int_eq(gex_analysis_zero_dte(a)->has, 0);
    ck_assert_int_eq(gex_analysis_regime(a)->regime, 0);
    gex_analysis_free(a);
    gex_chain_free(chain);
}
END_TEST

START_TEST(test_analysis_new_errors)
{
    gex_analysis *a = (gex_analysis *)1;
    gex_error err;
    ck_assert_int_eq(gex_analysis_new(NULL, NULL, &a, &err), GEX_EINVAL);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(gex_analysis_new(NULL, NULL, NULL, NULL), GEX_EINVAL);

    gex_chain *empty = gex_chain_new();
    ck_assert_int_eq(gex_analysis_new(empty, NULL, &a, &err), GEX_EEMPTY);
    ck_assert_str_eq(err.text, "no contracts to compute");
    gex_chain_free(empty);

    /* Not prepared: refused, and the message says what to do. */
    gex_chain *chain = gex_chain_new();
    gex_contract c = {.underlying = "XYZ",
                      .expiration = gex_time_days_from_civil(2026, 1, 16),
                      .strike = 101.5,
                      .type = GEX_CALL,
                      .bid = 1.2,
                      .ask = 1.3,
                      .last = NAN,
                      .iv = 0.31,
                      .open_interest = 12,
                      .volume = NAN,
                      .multiplier = 100,
                      .vendor_delta = NAN,
                      .vendor_gamma = NAN};
    ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
    ck_assert_int_eq(gex_chain_set_spot(chain, "XYZ", 100.25), GEX_OK);
    ck_assert_int_eq(gex_analysis_new(chain, NULL, &a, &err), GEX_EINVAL);
    ck_assert_ptr_null(a);
    ck_assert_str_eq(err.text, "XYZ: the chain is not prepared: call gex_chain_prepare first");

    /* Options out of their domain. */
    gex_chain_set_quote_time(chain, INT64_C(1767000000));
    ck_assert_int_eq(gex_chain_prepare(chain, NULL, NULL, NULL), GEX_OK);
    gex_analysis_options ao;
    gex_analysis_options_default(&ao);
    ao.flip_method = (gex_flip_method)9;
    ck_assert_int_eq(gex_analysis_new(chain, &ao, &a, &err), GEX_EINVAL);
    ck_assert_str_eq(err.text, "XYZ: unknown flip method 9");
    gex_analysis_options_default(&ao);
    ao.exposure.min_oi = -1;
    ck_assert_int_eq(gex_analysis_new(chain, &ao, &a, &err), GEX_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.text, "XYZ: a filter is out of its domain (min_oi -1"));

    /* Two underlyings: named, with what to do. */
    c.underlying = "ABC";
    ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
    ck_assert_int_eq(gex_chain_set_spot(chain, "ABC", 100.25), GEX_OK);
    ck_assert_int_eq(gex_chain_prepare(chain, NULL, NULL, NULL), GEX_OK);
    ck_assert_int_eq(gex_analysis_new(chain, NULL, &a, &err), GEX_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.text, "several underlyings (XYZ, ABC, ...)"));
    ck_assert_ptr_nonnull(strstr(err.text, "gex_chain_select"));
    gex_chain_free(chain);

    /* Accessors of NULL. */
    gex_analysis_free(NULL);
    ck_assert_ptr_null(gex_analysis_chain(NULL));
    ck_assert_ptr_null(gex_analysis_levels(NULL));
    ck_assert_ptr_null(gex_analysis_totals(NULL));
    ck_assert_double_eq(gex_analysis_spot(NULL), 0.0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("analysis");
    TCase *tc = tcase_create("analysis");
    tcase_add_test(tc, test_analysis_new_equals_the_stages);
    tcase_add_test(tc, test_analysis_skip_levels);
    tcase_add_test(tc, test_analysis_carry_is_the_preparations);
    tcase_add_test(tc, test_analysis_filters);
    tcase_add_test(tc, test_analysis_new_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
