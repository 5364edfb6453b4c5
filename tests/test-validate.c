/*
 * Tests of gex/validate.h: least-squares factor, correlation, conventions (SPEC 4), worst
 * pairs, ranks, print quantum and moneyness buckets.
 *
 * References: the least-squares factor through the origin and Pearson's r are checked against
 * values worked out by hand in exact fractions, shown in the comments.
 */
#include <math.h>
#include <string.h>

#include "gex-test.h"
#include "gex/error.h"
#include "gex/time.h"
#include "gex/validate.h"
#include "gex/bs.h"
#include "gex/chain.h"

/* validate prices the European contracts through the vectorised greeks (gex_bs_greeks_batch),
 * which gex/bs.h holds within 1e-12 relative of gex_bs_greeks. */
#define ck_assert_batch_eq(got, want) ck_assert_double_eq_tol((got), (want), 1e-12 * fabs(want))

/* validate's pick (gex_validate_better): the larger share of gamma matched wins even over a row
 * with fewer contracts beyond tolerance in all (the old rule's pick, where delta decides the
 * count); shares compared exactly (2/3 against 4/6 is a tie, decided by the delta RMS); a row that
 * computed fewer contracts is compared on its share; without gamma, the share of delta. */
START_TEST(test_gex_validate_better_by_share)
{
    /* a: 90 of 100 gamma, 10 of 100 delta (100 beyond); b: 80 of 100 and 100 of 100 (20) */
    const gex_validate_score a = {100, 90, 100, 10, 0.02}, b = {100, 80, 100, 100, 0.001};
    ck_assert_int_eq(gex_validate_better(&a, &b), 1);
    ck_assert_int_eq(gex_validate_better(&b, &a), 0);
    const gex_validate_score c = {3, 2, 3, 0, 0.5}, d = {6, 4, 6, 0, 0.4};
    ck_assert_int_eq(gex_validate_better(&c, &d), 0);
    ck_assert_int_eq(gex_validate_better(&d, &c), 1);
    ck_assert_int_eq(gex_validate_better(&c, &c), 0); /* strictly better only */
    /* 9 of 10 (fewer covered) beats 850 of 1000 */
    const gex_validate_score few = {10, 9, 10, 0, 1.0}, many = {1000, 850, 1000, 1000, 0.0};
    ck_assert_int_eq(gex_validate_better(&few, &many), 1);
    /* nothing compared: share 0, below any match, tied with another empty row */
    const gex_validate_score none = {0, 0, 0, 0, 0.0}, one = {5, 1, 5, 0, 9.0};
    ck_assert_int_eq(gex_validate_better(&one, &none), 1);
    ck_assert_int_eq(gex_validate_better(&none, &one), 0);
    /* no gamma column: delta decides */
    const gex_validate_score da = {0, 0, 10, 7, 0.3}, db = {0, 0, 10, 6, 0.1};
    ck_assert_int_eq(gex_validate_better(&da, &db), 1);
    ck_assert_int_eq(gex_validate_better(&db, &da), 0);
    ck_assert_int_eq(gex_validate_better(NULL, &da), 0);
    ck_assert_int_eq(gex_validate_better(&da, NULL), 0);
}
END_TEST

START_TEST(test_gex_validate_fit_series_exact_multiple)
{
    /* vendor = 2.5 * local exactly: k = 2.5, r = 1, no pair within 1% of equality. */
    const double local[] = {1.25, -3.5, 7.75, 0.125};
    double vendor[4];
    for (int i = 0; i < 4; i++)
        vendor[i] = 2.5 * local[i];
    gex_validate_fit f;
    ck_assert_int_eq(gex_validate_fit_series(vendor, local, 4, 0.0, 0.01, 0.0, &f), GEX_OK);
    ck_assert_uint_eq(f.n, 4);
    ck_assert(f.has_k);
    ck_assert_rel(f.k, 2.5, 1e-15, 0.0);
    ck_assert(f.has_correlation);
    ck_assert_rel(f.correlation, 1.0, 1e-15, 0.0);
    ck_assert_uint_eq(f.beyond, 4);
    ck_assert_ptr_null(f.convention);
    /* the largest |v - l| is at 7.75: 1.5 * 7.75 = 11.625 */
    ck_assert_uint_eq(f.max_abs_index, 2);
    ck_assert_rel(f.max_abs_diff, 11.625, 1e-15, 0.0);
    ck_assert_rel(f.max_rel_diff, 0.6, 1e-15, 0.0);
}
END_TEST

START_TEST(test_gex_validate_fit_series_hand_values)
{
    /* v = (1, 2, 4), l = (1.5, 1.75, 3.5): sum vl = 19, sum ll = 17.5625, so
     * k = 19 / 17.5625 = 304/281 exactly. */
    const double v[] = {1.0, 2.0, 4.0};
    const double l[] = {1.5, 1.75, 3.5};
    gex_validate_fit f;
    ck_assert_int_eq(gex_validate_fit_series(v, l, 3, 0.0, 0.01, 0.0, &f), GEX_OK);
    ck_assert_rel(f.k, 304.0 / 281.0, 1e-15, 0.0);
    /* means 7/3 and 6.75/3 = 2.25; dv = (-4/3, -1/3, 5/3), dl = (-0.75, -0.5, 1.25);
     * cvl = 1 + 1/6 + 25/12 = 13/4; cvv = 42/9 = 14/3; cll = 0.5625 + 0.25 + 1.5625 = 2.375;
     * r = 3.25 / sqrt(14/3 * 2.375) */
    ck_assert_rel(f.correlation, 3.25 / sqrt(14.0 / 3.0 * 2.375), 1e-14, 0.0);
}
END_TEST

START_TEST(test_gex_validate_fit_series_skips_non_finite)
{
    const double v[] = {1.0, NAN, 3.0, INFINITY};
    const double l[] = {1.0, 2.0, 3.0, 4.0};
    gex_validate_fit f;
    ck_assert_int_eq(gex_validate_fit_series(v, l, 4, 0.0, 0.01, 0.0, &f), GEX_OK);
    ck_assert_uint_eq(f.n, 2);
    ck_assert_uint_eq(f.skipped, 2);
    ck_assert_rel(f.k, 1.0, 1e-15, 0.0);
    ck_assert_uint_eq(f.beyond, 0);
    ck_assert_str_eq(f.convention, "same convention");
}
END_TEST

START_TEST(test_gex_validate_fit_series_degenerate)
{
    const double zero[] = {0.0, 0.0};
    const double v[] = {1.0, 1.0};
    gex_validate_fit f;
    ck_assert_int_eq(gex_validate_fit_series(v, zero, 2, 0.0, 0.01, 0.0, &f), GEX_OK);
    ck_assert(!f.has_k);
    ck_assert(!f.has_correlation);
    ck_assert_int_eq(gex_validate_fit_series(v, zero, 0, 0.0, 0.01, 0.0, &f), GEX_OK);
    ck_assert_uint_eq(f.n, 0);
    ck_assert_int_eq(gex_validate_fit_series(NULL, zero, 2, 0.0, 0.01, 0.0, &f), GEX_EINVAL);
    ck_assert_int_eq(gex_validate_fit_series(v, zero, 2, 0.0, NAN, 0.0, &f), GEX_EINVAL);
    ck_assert_int_eq(gex_validate_fit_series(v, zero, 2, 0.0, 0.01, 0.0, NULL), GEX_EINVAL);
}
END_TEST

START_TEST(test_gex_validate_convention_names)
{
    double c = 0.0;
    const double S = 4505.1001;
    ck_assert_str_eq(gex_validate_convention(1.004, S, 0.01, &c), "same convention");
    ck_assert_rel(c, 1.0, 0.0, 0.0);
    ck_assert_ptr_nonnull(strstr(gex_validate_convention(-0.997, S, 0.01, &c), "opposite sign"));
    ck_assert_rel(c, -1.0, 0.0, 0.0);
    /* pct = point * S / 100 (SPEC 1.5) */
    ck_assert_ptr_nonnull(strstr(gex_validate_convention(45.05, S, 0.01, &c), "S/100"));
    ck_assert_rel(c, S / 100.0, 1e-15, 0.0);
    ck_assert_ptr_nonnull(strstr(gex_validate_convention(100.0 / S, S, 0.01, &c), "100/S"));
    ck_assert_ptr_nonnull(strstr(gex_validate_convention(0.0100321, S, 0.01, &c), "vol point"));
    ck_assert_ptr_nonnull(strstr(gex_validate_convention(1.0 / 365.25, S, 0.01, &c), "per day"));
    ck_assert_ptr_nonnull(strstr(gex_validate_convention(-365.0, S, 0.01, &c), "-365"));
    /* nothing near 3.7; S-based ones need a spot */
    ck_assert_ptr_null(gex_validate_convention(3.7, S, 0.01, &c));
    ck_assert_ptr_null(gex_validate_convention(45.05, 0.0, 0.01, &c));
    ck_assert_ptr_null(gex_validate_convention(0.0, S, 0.01, &c));
    ck_assert_ptr_null(gex_validate_convention(NAN, S, 0.01, &c));
}
END_TEST

START_TEST(test_gex_validate_agrees_tolerance_and_floor)
{
    ck_assert(gex_validate_agrees(100.0, 100.9, 0.01, 0.0));
    ck_assert(!gex_validate_agrees(100.0, 101.2, 0.01, 0.0));
    ck_assert(gex_validate_agrees(0.0001, 0.00014, 0.01, 0.00005));
    /* the allowances add: 0.0001 printed to 1e-4 stands for [0.00005, 0.00015], and 0.0001508
     * is within 1% of 0.00015 (CBOE's SPX file: gex 0.0001508, printed 0.0001) */
    ck_assert(gex_validate_agrees(0.0001, 0.0001508, 0.01, 0.00005));
    ck_assert(!gex_validate_agrees(0.0001, 0.0001508, 0.0, 0.00005));
    ck_assert(!gex_validate_agrees(0.0001, 0.000153, 0.01, 0.00005));
    ck_assert(!gex_validate_agrees(NAN, 1.0, 0.01, 1.0));
    ck_assert(!gex_validate_agrees(1.0, INFINITY, 0.01, 1.0));
}
END_TEST

START_TEST(test_gex_validate_worst_order)
{
    const double v[] = {1.0, 5.0, 2.0, 10.0, 3.0};
    const double l[] = {1.5, 1.0, 2.0, 7.0, 7.0};
    /* |d| = 0.5, 4, 0, 3, 4: ties at 4 keep the lower index first */
    size_t idx[3];
    ck_assert_uint_eq(gex_validate_worst(v, l, 5, idx, 3), 3);
    ck_assert_uint_eq(idx[0], 1);
    ck_assert_uint_eq(idx[1], 4);
    ck_assert_uint_eq(idx[2], 3);
    size_t all[8];
    ck_assert_uint_eq(gex_validate_worst(v, l, 5, all, 8), 5);
    ck_assert_uint_eq(all[4], 2);
    ck_assert_uint_eq(gex_validate_worst(NULL, l, 5, all, 8), 0);
}
END_TEST

START_TEST(test_gex_validate_rank_descending)
{
    const double g[] = {3.5, 9.25, 1.0, 9.25, NAN};
    ck_assert_uint_eq(gex_validate_rank(g, 5, 1), 1);
    ck_assert_uint_eq(gex_validate_rank(g, 5, 3), 1);
    ck_assert_uint_eq(gex_validate_rank(g, 5, 0), 3);
    ck_assert_uint_eq(gex_validate_rank(g, 5, 2), 4);
    ck_assert_uint_eq(gex_validate_rank(g, 5, 4), 0);
    ck_assert_uint_eq(gex_validate_rank(g, 5, 5), 0);
}
END_TEST

START_TEST(test_gex_validate_quantum_printed_decimals)
{
    const double cboe[] = {0.9974, -0.0004, 0.0, 1.0, 0.5123};
    ck_assert_rel(gex_validate_quantum(cboe, 5), 1e-4, 1e-12, 0.0);
    const double whole[] = {3.0, 12.0, -7.0};
    ck_assert_rel(gex_validate_quantum(whole, 3), 1.0, 0.0, 0.0);
    const double full[] = {0.1234567890123456, 0.5};
    ck_assert_rel(gex_validate_quantum(full, 2), 0.0, 0.0, 0.0);
}
END_TEST

START_TEST(test_gex_validate_moneyness_bucket_edges)
{
    ck_assert_int_eq(gex_validate_moneyness_bucket(89.0, 100.0), 0);
    ck_assert_int_eq(gex_validate_moneyness_bucket(90.0, 100.0), 1);
    ck_assert_int_eq(gex_validate_moneyness_bucket(97.0, 100.0), 2);
    ck_assert_int_eq(gex_validate_moneyness_bucket(102.9, 100.0), 2);
    ck_assert_int_eq(gex_validate_moneyness_bucket(103.0, 100.0), 3);
    ck_assert_int_eq(gex_validate_moneyness_bucket(110.0, 100.0), 4);
    ck_assert_str_eq(gex_validate_moneyness_name(2), "0.97-1.03");
    ck_assert_str_eq(gex_validate_moneyness_name(9), "unknown");
}
END_TEST

/* 2023-09-14 16:31 EDT = 20:31 UTC (EDT is UTC-4 from 2023-03-12 to 2023-11-05). */
#define UTC(y, m, d, hh, mm)                                                                       \
    ((int64_t)gex_time_days_from_civil(y, m, d) * 86400 + (hh)*3600 + (mm)*60)

START_TEST(test_gex_validate_previous_close_weekdays)
{
    /* Thursday after the close: the same day's 16:00 EDT (20:00 UTC) */
    ck_assert_int_eq(gex_validate_previous_close(UTC(2023, 9, 14, 20, 31)),
                     UTC(2023, 9, 14, 20, 0));
    /* Friday 13:40 EDT: Thursday's close */
    ck_assert_int_eq(gex_validate_previous_close(UTC(2023, 6, 9, 17, 40)), UTC(2023, 6, 8, 20, 0));
    /* Sunday 22:38 EDT (Monday 02:38 UTC): Friday's close */
    ck_assert_int_eq(gex_validate_previous_close(UTC(2023, 8, 21, 2, 38)), UTC(2023, 8, 18, 20, 0));
    /* winter: 16:00 EST is 21:00 UTC; exactly at the close counts */
    ck_assert_int_eq(gex_validate_previous_close(UTC(2024, 1, 10, 21, 0)), UTC(2024, 1, 10, 21, 0));
}
END_TEST

START_TEST(test_gex_validate_trading_years_sessions)
{
    const double y = 252.0;
    /* after Thursday's close to Friday's PM settlement: one session */
    ck_assert_rel(gex_validate_trading_years(UTC(2023, 9, 14, 20, 31), UTC(2023, 9, 15, 20, 0)),
                  1.0 / y, 1e-15, 0.0);
    /* Wednesday 13:40 EDT to Friday 16:00: 140 of 390 minutes, then two sessions */
    ck_assert_rel(gex_validate_trading_years(UTC(2023, 6, 7, 17, 40), UTC(2023, 6, 9, 20, 0)),
                  (2.0 + 140.0 / 390.0) / y, 1e-15, 0.0);
    /* Friday's close to Monday's AM settlement at 09:30: no session */
    ck_assert_rel(gex_validate_trading_years(UTC(2023, 6, 9, 20, 0), UTC(2023, 6, 12, 13, 30)), 0.0,
                  0.0, 0.0);
    /* 2023-01-03 09:30 EST to 2023-12-29 16:00 EST: the 259 weekdays of 2023 after Jan 2
     * (python3: sum(1 for d in range(...) if weekday < 5)) */
    ck_assert_rel(gex_validate_trading_years(UTC(2023, 1, 3, 14, 30), UTC(2023, 12, 29, 21, 0)),
                  259.0 / y, 1e-14, 0.0);
    ck_assert_rel(gex_validate_trading_years(UTC(2023, 1, 3, 14, 30), UTC(2023, 1, 3, 14, 30)), 0.0,
                  0.0, 0.0);
}
END_TEST

/* The chain's greeks under each time convention: the quote instant's calendar T is the prepared
 * chain's own, and every value equals gex_bs_greeks at that T with the chain's carry. */
START_TEST(test_gex_validate_chain_greeks_conventions)
{
    gex_chain *chain = gex_chain_new();
    const int32_t friday = gex_time_days_from_civil(2023, 6, 16);
    const double strikes[3] = {4250.0, 4300.0, 4350.0};
    for (int k = 0; k < 3; k++) {
        gex_contract c = {.underlying = "SPX",
                          .root = "SPXW",
                          .expiration = friday,
                          .strike = strikes[k],
                          .type = k == 2 ? GEX_PUT : GEX_CALL,
                          .bid = NAN,
                          .ask = NAN,
                          .last = NAN,
                          .iv = 0.14 + 0.01 * k,
                          .open_interest = 10,
                          .volume = NAN,
                          .multiplier = 100,
                          .vendor_delta = NAN,
                          .vendor_gamma = NAN};
        ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
    }
    ck_assert_int_eq(gex_chain_set_spot(chain, "SPX", 4298.86), GEX_OK);
    double d[3], g[3];
    uint8_t ok[3];
    const int64_t quote = UTC(2023, 6, 13, 17, 40); /* Tuesday 13:40 EDT */
    /* not prepared: no carry */
    ck_assert_int_eq(
        gex_validate_chain_greeks(chain, quote, GEX_VALIDATE_T_QUOTE_CALENDAR, d, g, ok),
        GEX_EINVAL);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.has_now = 1;
    po.now = quote;
    po.rate = 0.0517;
    po.div = 0.0148;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    for (int c = 0; c < GEX_VALIDATE_T_COUNT; c++) {
        ck_assert_ptr_nonnull(gex_validate_time_name(c));
        ck_assert_int_eq(gex_validate_chain_greeks(chain, quote, (gex_validate_time)c, d, g, ok),
                         GEX_OK);
        const int64_t from = c >= GEX_VALIDATE_T_CLOSE_CALENDAR ? UTC(2023, 6, 12, 20, 0) : quote;
        for (int i = 0; i < 3; i++) {
            const double T = c == GEX_VALIDATE_T_QUOTE_CALENDAR ? v.T[i]
                             : c % 2 == 1 ? gex_validate_trading_years(from, v.settlement[i])
                                          : (double)(v.settlement[i] - from) / GEX_SECONDS_PER_YEAR;
            gex_greeks ref;
            ck_assert_int_eq(
                gex_bs_greeks(v.type[i], 4298.86, strikes[i], T, v.iv[i], 0.0517, 0.0148, &ref),
                GEX_BS_OK);
            ck_assert_int_eq(ok[i], 1);
            ck_assert_batch_eq(d[i], ref.delta);
            ck_assert_batch_eq(g[i], ref.gamma);
        }
    }
    /* from the quote instant, calendar: (settlement - quote) / 365 days, SPEC 1.1 */
    ck_assert_double_eq_tol(v.T[0], (double)(UTC(2023, 6, 16, 20, 0) - quote) / (365.0 * 86400.0),
                            1e-15);
    ck_assert_ptr_null(gex_validate_time_name(GEX_VALIDATE_T_COUNT));
    ck_assert_int_eq(gex_validate_chain_greeks(chain, quote, GEX_VALIDATE_T_COUNT, d, g, ok),
                     GEX_EINVAL);
    ck_assert_int_eq(gex_validate_chain_greeks(NULL, quote, 0, d, g, ok), GEX_EINVAL);
    gex_chain_free(chain);
}
END_TEST

/* The exercise style by root: an index root keeps Black-Scholes, a stock's root gets the
 * American model's delta and gamma (gex_am_greeks at the same inputs, one boundary solve), and
 * a fitted carry with two exercise boundaries keeps Black-Scholes, counted. */
/* The strike's OTM IV: both sides of a strike take the IV of the side out of the money against
 * the expiration's forward (the parity fit's, else the flat carry's); a one-sided strike keeps
 * its own; the greeks at those volatilities are Black-Scholes' at them. */
START_TEST(test_gex_validate_otm_iv)
{
    gex_chain *chain = gex_chain_new();
    const int32_t friday = gex_time_days_from_civil(2023, 9, 15);
    /* strikes 4500 and 4520 two-sided, 4400 a put alone; spot 4505, forward near 4510 */
    const double strikes[5] = {4500.0, 4500.0, 4520.0, 4520.0, 4400.0};
    const uint8_t types[5] = {GEX_CALL, GEX_PUT, GEX_CALL, GEX_PUT, GEX_PUT};
    const double ivs[5] = {0.10, 0.12, 0.09, 0.11, 0.16};
    for (int k = 0; k < 5; k++) {
        gex_contract c = {.underlying = "SPX",
                          .root = "SPXW",
                          .expiration = friday,
                          .strike = strikes[k],
                          .type = types[k],
                          .bid = NAN,
                          .ask = NAN,
                          .last = NAN,
                          .iv = ivs[k],
                          .open_interest = 10,
                          .volume = NAN,
                          .multiplier = 100,
                          .vendor_delta = NAN,
                          .vendor_gamma = NAN};
        ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
    }
    ck_assert_int_eq(gex_chain_set_spot(chain, "SPX", 4505.1), GEX_OK);
    const int64_t quote = UTC(2023, 9, 11, 20, 0);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.has_now = 1;
    po.now = quote;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    ck_assert_uint_eq(v.n, 5);
    double sigma[5], d[5], g[5];
    uint8_t ok[5];
    size_t replaced = 99;
    ck_assert_int_eq(gex_validate_otm_iv(NULL, NULL, 0, sigma, NULL), GEX_EINVAL);
    /* flat carry: forward 4505.1 e^{(0.045-0.013) T} ~ 4506.7, so 4500 is below (put's IV) and
     * 4520 above (call's IV) */
    ck_assert_int_eq(gex_validate_otm_iv(chain, NULL, 0, sigma, &replaced), GEX_OK);
    const double flat_want[5] = {0.12, 0.12, 0.09, 0.09, 0.16};
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq(sigma[i], flat_want[i]);
    ck_assert_uint_eq(replaced, 2);
    /* a parity fit putting the forward above 4520 makes both strikes' puts out of the money */
    gex_parity_fit fit = {
        .settlement = v.settlement[0], .ok = 1, .forward = 4525.0, .discount = 0.9995};
    ck_assert_int_eq(gex_validate_otm_iv(chain, &fit, 1, sigma, &replaced), GEX_OK);
    const double fit_want[5] = {0.12, 0.12, 0.11, 0.11, 0.16};
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq(sigma[i], fit_want[i]);
    ck_assert_uint_eq(replaced, 2);
    ck_assert_int_eq(gex_validate_chain_greeks_sigma(chain, quote, GEX_VALIDATE_T_QUOTE_CALENDAR,
                                                     NULL, 0, GEX_EXERCISE_EUROPEAN, NULL, d, g, ok,
                                                     NULL, NULL, NULL),
                     GEX_EINVAL);
    ck_assert_int_eq(gex_validate_chain_greeks_sigma(chain, quote, GEX_VALIDATE_T_QUOTE_CALENDAR,
                                                     NULL, 0, GEX_EXERCISE_EUROPEAN, sigma, d, g,
                                                     ok, NULL, NULL, NULL),
                     GEX_OK);
    for (int i = 0; i < 5; i++) {
        gex_greeks want;
        ck_assert_int_eq(
            gex_bs_greeks(v.type[i], v.spot[i], v.strike[i], v.T[i], sigma[i], 0.045, 0.013, &want),
            GEX_BS_OK);
        ck_assert(ok[i]);
        ck_assert_batch_eq(g[i], want.gamma);
        ck_assert_batch_eq(d[i], want.delta);
    }
    gex_chain_free(chain);
}
END_TEST

START_TEST(test_gex_validate_chain_greeks_exercise)
{
    gex_chain *chain = gex_chain_new();
    const int32_t friday = gex_time_days_from_civil(2023, 9, 15);
    const char *roots[4] = {"SPXW", "SPXW", "TSLA", "TSLA"};
    const char *unders[4] = {"SPX", "SPX", "TSLA", "TSLA"};
    const double strikes[4] = {4400.0, 4450.0, 210.0, 230.0};
    for (int k = 0; k < 4; k++) {
        gex_contract c = {.underlying = unders[k],
                          .root = roots[k],
                          .expiration = friday,
                          .strike = strikes[k],
                          .type = k % 2 ? GEX_PUT : GEX_CALL,
                          .bid = NAN,
                          .ask = NAN,
                          .last = NAN,
                          .iv = 0.17 + 0.13 * (k / 2),
                          .open_interest = 10,
                          .volume = NAN,
                          .multiplier = 100,
                          .vendor_delta = NAN,
                          .vendor_gamma = NAN};
        ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
    }
    ck_assert_int_eq(gex_chain_set_spot(chain, "SPX", 4421.3), GEX_OK);
    ck_assert_int_eq(gex_chain_set_spot(chain, "TSLA", 218.8), GEX_OK);
    const int64_t quote = UTC(2023, 8, 21, 17, 40);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.has_now = 1;
    po.now = quote;
    po.rate = 0.0531;
    po.div = 0.0137;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    ck_assert_uint_eq(v.n, 4);
    double d[4], g[4];
    uint8_t ok[4];
    size_t american = 99, two = 99;
    for (int e = 0; e < 3; e++) {
        const gex_exercise ex = e == 0   ? GEX_EXERCISE_AUTO
                                : e == 1 ? GEX_EXERCISE_EUROPEAN
                                         : GEX_EXERCISE_AMERICAN;
        ck_assert_int_eq(gex_validate_chain_greeks_exercise(chain, quote,
                                                            GEX_VALIDATE_T_QUOTE_CALENDAR, NULL, 0,
                                                            ex, d, g, ok, NULL, &american, &two),
                         GEX_OK);
        size_t want_am = 0;
        for (size_t i = 0; i < v.n; i++) {
            const char *root = gex_chain_symbol(chain, v.root[i]);
            const int am = ex == GEX_EXERCISE_AMERICAN ||
                           (ex == GEX_EXERCISE_AUTO && strcmp(root, "TSLA") == 0);
            want_am += (size_t)am;
            gex_greeks ref;
            if (am)
                ck_assert_int_eq(gex_am_greeks(v.type[i], v.spot[i], v.strike[i], v.T[i], v.iv[i],
                                               0.0531, 0.0137, &ref),
                                 GEX_AM_OK);
            else
                ck_assert_int_eq(gex_bs_greeks(v.type[i], v.spot[i], v.strike[i], v.T[i], v.iv[i],
                                               0.0531, 0.0137, &ref),
                                 GEX_BS_OK);
            ck_assert_int_eq(ok[i], 1);
            if (am) { /* a family this small is valued contract by contract: its bits */
                ck_assert_double_eq(d[i], ref.delta);
                ck_assert_double_eq(g[i], ref.gamma);
            } else {
                ck_assert_batch_eq(d[i], ref.delta);
                ck_assert_batch_eq(g[i], ref.gamma);
            }
        }
        ck_assert_uint_eq(american, want_am);
        ck_assert_uint_eq(two, 0);
    }
    /* the American greeks differ from Black-Scholes where early exercise pays (the put) */
    double bd[4], bg[4];
    ck_assert_int_eq(
        gex_validate_chain_greeks(chain, quote, GEX_VALIDATE_T_QUOTE_CALENDAR, bd, bg, ok), GEX_OK);
    for (size_t i = 0; i < v.n; i++)
        if (v.type[i] == GEX_PUT)
            ck_assert(fabs(g[i] - bg[i]) > 1e-6 * fabs(bg[i]));
    /* a fit with D > 1 (r < 0) and F above the spot's r-carry (q < r): the put has two
     * boundaries and keeps Black-Scholes at that carry; the call, no early exercise, is European
     * and so priced by gex/american.h's European branch */
    gex_parity_fit fit = {.settlement = v.settlement[0], .T = v.T[0], .ok = 1};
    fit.discount = exp(0.02 * v.T[0]);        /* r = -0.02 */
    fit.forward = 218.8 * exp(0.03 * v.T[0]); /* r - q = 0.03: q = -0.05 */
    ck_assert_int_eq(gex_validate_chain_greeks_exercise(chain, quote, GEX_VALIDATE_T_QUOTE_CALENDAR,
                                                        &fit, 1, GEX_EXERCISE_AUTO, d, g, ok, NULL,
                                                        &american, &two),
                     GEX_OK);
    for (size_t i = 0; i < v.n; i++) {
        const char *root = gex_chain_symbol(chain, v.root[i]);
        if (strcmp(root, "TSLA") != 0 || v.type[i] != GEX_PUT)
            continue;
        const double r = -log(fit.discount) / v.T[i];
        const double q = r - log(fit.forward / v.spot[i]) / v.T[i];
        gex_greeks ref;
        ck_assert_int_eq(
            gex_bs_greeks(GEX_PUT, v.spot[i], v.strike[i], v.T[i], v.iv[i], r, q, &ref), GEX_BS_OK);
        ck_assert_double_eq(g[i], ref.gamma);
    }
    ck_assert_uint_eq(two, 1);
    ck_assert_uint_eq(american, 1);
    ck_assert_int_eq(gex_validate_chain_greeks_exercise(chain, quote, GEX_VALIDATE_T_QUOTE_CALENDAR,
                                                        NULL, 0, (gex_exercise)7, d, g, ok, NULL,
                                                        NULL, NULL),
                     GEX_EINVAL);
    gex_chain_free(chain);
}
END_TEST

static Suite *validate_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_gex_validate_fit_series_exact_multiple);
    tcase_add_test(tc, test_gex_validate_chain_greeks_exercise);
    tcase_add_test(tc, test_gex_validate_fit_series_hand_values);
    tcase_add_test(tc, test_gex_validate_fit_series_skips_non_finite);
    tcase_add_test(tc, test_gex_validate_fit_series_degenerate);
    tcase_add_test(tc, test_gex_validate_convention_names);
    tcase_add_test(tc, test_gex_validate_agrees_tolerance_and_floor);
    tcase_add_test(tc, test_gex_validate_otm_iv);
    tcase_add_test(tc, test_gex_validate_worst_order);
    tcase_add_test(tc, test_gex_validate_rank_descending);
    tcase_add_test(tc, test_gex_validate_quantum_printed_decimals);
    tcase_add_test(tc, test_gex_validate_moneyness_bucket_edges);
    tcase_add_test(tc, test_gex_validate_previous_close_weekdays);
    tcase_add_test(tc, test_gex_validate_trading_years_sessions);
    tcase_add_test(tc, test_gex_validate_chain_greeks_conventions);
    tcase_add_test(tc, test_gex_validate_better_by_share);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(validate_suite());
}
