/*
 * test-maxpain: gex/maxpain.h. The pain curve against a chain computed by hand, against the
 * direct sum at every strike (random chains and the real chains), and its minimum against a
 * brute-force evaluation on a dense grid of settlement prices: total pain is convex and
 * piecewise linear with kinks at the strikes, so no price between strikes pays less.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gex-test.h"
#include "gex/gex.h"

/* Two calls and two puts, pains worked out by hand:
 *   P = 95.5:   calls 0;                            puts 410 x 4.5 + 90 x 8.75 = 2632.5
 *   P = 100:    calls 130 x 4.5 = 585;              puts 90 x 4.25 = 382.5     total 967.5
 *   P = 104.25: calls 130 x 8.75 + 270 x 4.25 = 2285; puts 0                   total 2285 */
START_TEST(test_maxpain_curve_by_hand)
{
    const double strike[] = {100, 95.5, 104.25, 100};
    const uint8_t type[] = {GEX_CALL, GEX_CALL, GEX_PUT, GEX_PUT};
    const double weight[] = {270, 130, 90, 410};
    gex_maxpain_point curve[4];
    size_t m, best;
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 4, 101.3, curve, &m, &best), GEX_OK);
    ck_assert_uint_eq(m, 3);
    ck_assert_uint_eq(best, 1);
    const double want_k[3] = {95.5, 100, 104.25}, want_c[3] = {0, 585, 2285},
                 want_p[3] = {2632.5, 382.5, 0};
    for (int i = 0; i < 3; i++) {
        /* Sums of a handful of products of numbers exact in binary: exact to rounding. */
        ck_assert_double_eq(curve[i].strike, want_k[i]);
        ck_assert_double_eq_tol(curve[i].call_pain, want_c[i], 1e-9);
        ck_assert_double_eq_tol(curve[i].put_pain, want_p[i], 1e-9);
        ck_assert_double_eq_tol(curve[i].total_pain, want_c[i] + want_p[i], 1e-9);
    }
}
END_TEST

/* A flat stretch: a call at 100 and a put at 110 of equal weight pay 10 wherever P settles in
 * [100, 110]; the strike nearest the spot wins, the lowest without a spot. */
START_TEST(test_maxpain_curve_ties_nearest_spot)
{
    const double strike[] = {100, 105, 110};
    const uint8_t type[] = {GEX_CALL, GEX_CALL, GEX_PUT};
    const double weight[] = {1, 0, 1};
    gex_maxpain_point curve[3];
    size_t m, best;
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 3, 106.9, curve, &m, &best), GEX_OK);
    ck_assert_uint_eq(m, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq_tol(curve[i].total_pain, 10, 1e-12);
    ck_assert_double_eq(curve[best].strike, 105);
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 3, 109.9, curve, &m, &best), GEX_OK);
    ck_assert_double_eq(curve[best].strike, 110);
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 3, NAN, curve, &m, &best), GEX_OK);
    ck_assert_double_eq(curve[best].strike, 100);
}
END_TEST

/* xorshift64*: reproducible random chains. */
static double uniform(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * UINT64_C(2685821657736338717)) >> 11) / 9007199254740992.0;
}

/* Random chains: every point equals the direct sum; no price of a dense grid (20,001 points
 * from below the lowest strike to above the highest) pays less than the max pain strike. */
START_TEST(test_maxpain_curve_dense_brute_force)
{
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    enum { N = 240, GRID = 20001 };
    double strike[N], weight[N];
    uint8_t type[N];
    gex_maxpain_point curve[N];
    for (int trial = 0; trial < 25; trial++) {
        size_t n = 20 + (size_t)(uniform(&seed) * (N - 20));
        for (size_t i = 0; i < n; i++) {
            strike[i] = 350 + 2.5 * floor(uniform(&seed) * 80); /* shared strikes, both types */
            type[i] = uniform(&seed) < 0.5 ? GEX_CALL : GEX_PUT;
            weight[i] = 100 * floor(uniform(&seed) * 7321.0);
        }
        size_t m, best;
        ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, n, 437.13, curve, &m, &best),
                         GEX_OK);
        double scale = 0; /* the size of the terms summed: K_max x W_total */
        for (size_t i = 0; i < n; i++)
            scale += weight[i] * 550;
        /* Relative to the terms, the two evaluations differ by their rounding: n ulps each. */
        const double tol = 1e-13 * scale;
        for (size_t c = 0; c < m; c++) {
            gex_maxpain_point d;
            gex_maxpain_pain_at(strike, type, weight, n, curve[c].strike, &d);
            ck_assert_double_eq_tol(curve[c].call_pain, d.call_pain, tol);
            ck_assert_double_eq_tol(curve[c].put_pain, d.put_pain, tol);
            if (c > 0)
                ck_assert(curve[c].strike > curve[c - 1].strike);
        }
        for (int g = 0; g < GRID; g++) {
            double p = 340 + (560 - 340) * g / (GRID - 1.0);
            gex_maxpain_point d;
            gex_maxpain_pain_at(strike, type, weight, n, p, &d);
            ck_assert_msg(d.total_pain >= curve[best].total_pain - tol,
                          "P = %.4f pays %.6g < max pain %.6g at %.2f", p, d.total_pain,
                          curve[best].total_pain, curve[best].strike);
        }
    }
}
END_TEST

/* The real chains: the curve of every file's contracts (open interest x multiplier) equals the
 * direct sum at each strike, and is at its least at the max pain strike. */
START_TEST(test_maxpain_curve_real_chains)
{
    const char *names[] = {"cboe_spx_2023-09-14_close.csv", "cboe_tsla_2023-08-20_single-stock.csv",
                           "cboe_qqq_2024-03-22_unbalanced-quote.csv",
                           "yfinance_spy_2026-02-11_intraday.csv"};
    int read = 0;
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char rel[256];
        snprintf(rel, sizeof rel, "chains/%s", names[f]);
        const char *path = gex_test_shared(rel);
        if (path == NULL)
            continue;
        gex_read_options ro;
        memset(&ro, 0, sizeof ro);
        gex_chain *chain = NULL;
        gex_read_report rep;
        ck_assert_int_eq(gex_chain_read_path(path, &ro, &chain, &rep, NULL), GEX_OK);
        gex_chain_view v;
        gex_chain_get_view(chain, &v);
        double *w = malloc(v.n * sizeof *w);
        gex_maxpain_point *curve = malloc(v.n * sizeof *curve);
        ck_assert(w != NULL && curve != NULL);
        double scale = 0;
        for (size_t i = 0; i < v.n; i++) {
            w[i] = v.open_interest[i] * v.multiplier[i];
            scale += w[i] * v.strike[i];
        }
        size_t m, best;
        ck_assert_int_eq(gex_maxpain_curve(v.strike, v.type, w, v.n, v.spot[0], curve, &m, &best),
                         GEX_OK);
        ck_assert_uint_gt(m, 10);
        for (size_t c = 0; c < m; c++) {
            gex_maxpain_point d;
            gex_maxpain_pain_at(v.strike, v.type, w, v.n, curve[c].strike, &d);
            ck_assert_double_eq_tol(curve[c].total_pain, d.total_pain, 1e-13 * scale);
            ck_assert(curve[best].total_pain <= d.total_pain + 1e-13 * scale);
        }
        free(w);
        free(curve);
        gex_chain_free(chain);
        read++;
    }
    if (read == 0)
        printf("skipped: ../shared absent\n");
}
END_TEST

START_TEST(test_maxpain_curve_errors)
{
    double strike[] = {100, 110};
    uint8_t type[] = {GEX_CALL, GEX_PUT};
    double weight[] = {1, 2};
    gex_maxpain_point curve[2];
    size_t m = 9, best = 9;
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 0, 100, curve, &m, &best), GEX_EEMPTY);
    /* no open interest anywhere: no strike pays least */
    const double none[2] = {0, 0};
    ck_assert_int_eq(gex_maxpain_curve(strike, type, none, 2, 100, curve, &m, &best), GEX_EEMPTY);
    ck_assert_uint_eq(m, 0);
    ck_assert_int_eq(gex_maxpain_curve(NULL, type, weight, 2, 100, curve, &m, &best), GEX_EINVAL);
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 2, 100, NULL, &m, &best), GEX_EINVAL);
    weight[1] = -1;
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 2, 100, curve, &m, &best), GEX_EINVAL);
    weight[1] = NAN;
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 2, 100, curve, &m, &best), GEX_EINVAL);
    weight[1] = 2;
    type[0] = 7;
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 2, 100, curve, &m, &best), GEX_EINVAL);
    type[0] = GEX_CALL;
    strike[0] = 0;
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 2, 100, curve, &m, &best), GEX_EINVAL);
    strike[0] = INFINITY;
    ck_assert_int_eq(gex_maxpain_curve(strike, type, weight, 2, 100, curve, &m, &best), GEX_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("maxpain");
    TCase *tc = tcase_create("maxpain");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_maxpain_curve_by_hand);
    tcase_add_test(tc, test_maxpain_curve_ties_nearest_spot);
    tcase_add_test(tc, test_maxpain_curve_dense_brute_force);
    tcase_add_test(tc, test_maxpain_curve_real_chains);
    tcase_add_test(tc, test_maxpain_curve_errors);
    suite_add_tcase(s, tc);
    return gex_test_run(s);
}
