/*
 * test-api-volatility: the builders of max pain, the expected move and the volatility family
 * (src/render/api-maxpain.c, api-volatility.c; SPEC 5.3), on generated chains whose answers
 * are known (IVs drawn from given SVI smiles, quotes priced by Black-Scholes with a known
 * spread) and on the real chains: max pain against the direct sum at every strike, the SVI
 * parameters recovered, a flat smile's skew, surface and variance swap equal to its vol, and
 * every document of every real chain free of non-finite numbers.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api-volatility.h"
#include "chain-prepared.h"
#include "gex-test.h"
#include "gex/gex.h"
#include "render.h"

#define SPOT  101.37
#define QUOTE INT64_C(1694712600) /* 2023-09-14 17:30:00 UTC */
#define RATE  0.0512
#define DIV   0.0157

static const int DAYS[3] = {7, 30, 91};
/* The smiles the generated IVs come from, per expiration. */
static const gex_svi_params SMILE[3] = {
    {0.0021, 0.0344, -0.283, 0.0117, 0.0466},
    {0.0061, 0.0517, -0.412, 0.0213, 0.0871},
    {0.0187, 0.0823, -0.553, 0.0342, 0.1217},
};

typedef struct fixture {
    gex_chain *chain;
    gex__analysis a;
} fixture;

/* A chain of strikes 60 to 140 by 2.5 at three expirations; flat: every IV is flat_iv, else
 * the smiles above in the forward's log-moneyness. Quotes: the Black-Scholes price at that IV
 * +-1% (a spread of 2% of the mid). Two passes: the first finds each expiration's T. */
static gex_chain *generate_oi(double flat_iv, const double *T, int no_oi_expiration)
{
    gex_chain *chain = gex_chain_new();
    ck_assert_ptr_nonnull(chain);
    const int32_t today = gex_time_days_from_civil(2023, 9, 14);
    for (int e = 0; e < 3; e++)
        for (int s = 0; s <= 32; s++) {
            const double K = 60 + 2.5 * s;
            for (int t = 0; t < 2; t++) {
                double iv = flat_iv, bid = NAN, ask = NAN;
                if (T != NULL) {
                    const double F = SPOT * exp((RATE - DIV) * T[e]);
                    if (!(flat_iv > 0))
                        iv = sqrt(gex_svi_total_variance(&SMILE[e], log(K / F), NULL, NULL) / T[e]);
                    gex_greeks g;
                    ck_assert_int_eq(gex_bs_greeks(t, SPOT, K, T[e], iv, RATE, DIV, &g), GEX_BS_OK);
                    bid = g.price * 0.99;
                    ask = g.price * 1.01;
                } else {
                    iv = 0.2;
                }
                gex_contract c = {.underlying = "XYZ",
                                  .expiration = today + DAYS[e],
                                  .strike = K,
                                  .type = t,
                                  .bid = bid,
                                  .ask = ask,
                                  .last = NAN,
                                  .iv = iv,
                                  .open_interest = e == no_oi_expiration
                                                       ? 0.0
                                                       : 100.0 + 37.0 * ((s * 7 + t * 3 + e) % 11),
                                  .volume = 5.0 + s,
                                  .multiplier = 100.0,
                                  .vendor_delta = NAN,
                                  .vendor_gamma = NAN};
                ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
            }
        }
    ck_assert_int_eq(gex_chain_set_spot(chain, "XYZ", SPOT), GEX_OK);
    gex_chain_set_quote_time(chain, QUOTE);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.rate = RATE;
    po.div = DIV;
    po.iv_mode = GEX_IV_MODE_FILE;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    return chain;
}

static gex_chain *generate(double flat_iv, const double *T)
{
    return generate_oi(flat_iv, T, -1);
}

static void analyse_with(fixture *f, gex_chain *chain, const char *path,
                         const gex_analysis_options *ao)
{
    memset(f, 0, sizeof *f);
    f->chain = chain;
    f->a.path = path;
    f->a.chain = chain;
    gex_error err;
    ck_assert_msg(gex_analysis_new(chain, ao, &f->a.an, &err) == GEX_OK, "%s", err.text);
    gex__analysis_fill(&f->a);
}

static void analyse(fixture *f, gex_chain *chain, const char *path)
{
    analyse_with(f, chain, path, NULL);
}

static void generated_oi(fixture *f, double flat_iv, int no_oi_expiration)
{
    gex_chain *probe = generate(flat_iv, NULL);
    gex_chain_view v;
    gex_chain_get_view(probe, &v);
    double T[3];
    for (int e = 0; e < 3; e++)
        T[e] = v.T[(size_t)e * 66];
    gex_chain_free(probe);
    analyse(f, generate_oi(flat_iv, T, no_oi_expiration), "generated");
}

static void generated(fixture *f, double flat_iv)
{
    generated_oi(f, flat_iv, -1);
}

static void release(fixture *f)
{
    gex_analysis_free(f->a.an);
    gex_chain_free(f->chain);
}

static json_t *build(gex__api_build_fn fn, const gex__analysis *a, const char *param,
                     const char *value)
{
    gex__api_params p = {0};
    if (param != NULL) {
        p.n = 1;
        p.name[0] = param;
        p.value[0] = value;
    }
    gex__api_input in = {.symbol = a->symbol, .params = &p, .analysis = a, .now = QUOTE};
    gex__api_answer ans = {0};
    json_t *d = fn(&in, &ans);
    ck_assert_msg(d != NULL, "%u %s: %s", ans.status, ans.code, ans.message);
    /* Never a non-finite number: the writer counts them. */
    gex__jwriter w = {0};
    gex__json_write(&w, d);
    ck_assert_uint_eq(w.nonfinite, 0);
    ck_assert(!w.failed);
    free(w.data);
    return d;
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_number(v), "%s is not a number", key);
    return json_number_value(v);
}

/* Max pain of the document against the direct sum at every strike of the kept contracts. */
static void check_maxpain(const gex__analysis *a, const json_t *d, int32_t expiration)
{
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    double *w = malloc((v.n + 1) * sizeof *w), *k = malloc((v.n + 1) * sizeof *k);
    uint8_t *t = malloc(v.n + 1);
    size_t n = 0;
    for (size_t i = 0; i < v.n; i++)
        if (gex__vol_keeps(a, &v, i) && (expiration == 0 || v.expiration[i] == expiration)) {
            w[n] = v.open_interest[i] * v.multiplier[i];
            k[n] = v.strike[i];
            t[n++] = v.type[i];
        }
    const json_t *curve = json_object_get(d, "pain_curve");
    ck_assert_uint_gt(json_array_size(curve), 0);
    double least = HUGE_VAL, scale = 0;
    for (size_t i = 0; i < n; i++)
        scale += w[i] * k[i];
    for (size_t c = 0; c < json_array_size(curve); c++) {
        const json_t *row = json_array_get(curve, c);
        gex_maxpain_point p;
        gex_maxpain_pain_at(k, t, w, n, num(row, "strike"), &p);
        ck_assert_double_eq_tol(num(row, "total_pain"), p.total_pain, 1e-12 * scale);
        ck_assert_double_eq_tol(num(row, "call_pain"), p.call_pain, 1e-12 * scale);
        least = fmin(least, p.total_pain);
    }
    gex_maxpain_point at;
    gex_maxpain_pain_at(k, t, w, n, num(d, "max_pain_strike"), &at);
    ck_assert_double_eq_tol(at.total_pain, least, 1e-12 * scale);
    free(w);
    free(k);
    free(t);
}

START_TEST(test_api_maxpain_generated)
{
    fixture f;
    generated(&f, 0);
    json_t *d = build(gex__api_maxpain, &f.a, NULL, NULL);
    check_maxpain(&f.a, d, 0);
    const double mp = num(d, "max_pain_strike");
    const json_t *dist = json_object_get(d, "distance");
    ck_assert_double_eq_tol(num(dist, "absolute"), fabs(SPOT - mp), 1e-12);
    ck_assert_str_eq(json_string_value(json_object_get(dist, "direction")),
                     SPOT > mp ? "above" : "below");
    ck_assert_str_eq(json_string_value(json_object_get(d, "expiration")), "2023-09-21");
    /* Open interest by strike sums to the chain's. */
    const json_t *oi = json_object_get(d, "oi_by_strike");
    double call = 0, put = 0;
    for (size_t i = 0; i < json_array_size(oi); i++) {
        call += num(json_array_get(oi, i), "call_oi");
        put += num(json_array_get(oi, i), "put_oi");
    }
    ck_assert_double_eq_tol(num(d, "put_call_oi_ratio"), put / call, 1e-12);
    const json_t *by = json_object_get(d, "max_pain_by_expiration");
    ck_assert_uint_eq(json_array_size(by), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(by, 1), "dte")), 30);
    const json_int_t pin = json_integer_value(json_object_get(d, "pin_probability"));
    ck_assert(pin >= 0 && pin <= 100);
    const json_t *em = json_object_get(d, "expected_move");
    ck_assert(json_is_number(json_object_get(em, "straddle_price")));
    ck_assert(json_is_boolean(json_object_get(em, "max_pain_within_expected_range")));
    json_decref(d);
    release(&f);
}
END_TEST

/* --max-delta is one of the filters the documents keep contracts by, as the exposures do:
 * with |delta| <= 0.41, max pain sums the contracts whose textbook delta (Hull, Options,
 * Futures and Other Derivatives, 10th ed., 19.2: e^{-qT} N(d1), e^{-qT} (N(d1) - 1)) is
 * within it. */
START_TEST(test_api_maxpain_max_delta)
{
    gex_chain *probe = generate(0, NULL);
    gex_chain_view v;
    gex_chain_get_view(probe, &v);
    double T[3];
    for (int e = 0; e < 3; e++)
        T[e] = v.T[(size_t)e * 66];
    gex_chain_free(probe);
    gex_analysis_options ao;
    gex_analysis_options_default(&ao);
    ao.exposure.max_abs_delta = 0.41;
    fixture f;
    analyse_with(&f, generate_oi(0, T, -1), "generated", &ao);
    gex_chain_get_view(f.chain, &v);
    size_t kept = 0;
    for (size_t i = 0; i < v.n; i++) {
        const double sd = v.iv[i] * sqrt(v.T[i]);
        const double d1 = (log(SPOT / v.strike[i]) + (v.r[i] - v.q[i]) * v.T[i]) / sd + 0.5 * sd;
        const double nd1 = 0.5 * erfc(-d1 / sqrt(2.0));
        const double delta = exp(-v.q[i] * v.T[i]) * (v.type[i] == GEX_CALL ? nd1 : nd1 - 1.0);
        ck_assert_int_eq(gex__vol_keeps(&f.a, &v, i), fabs(delta) <= 0.41);
        kept += fabs(delta) <= 0.41;
    }
    ck_assert(kept > 0 && kept < v.n);
    json_t *d = build(gex__api_maxpain, &f.a, NULL, NULL);
    check_maxpain(&f.a, d, 0);
    json_decref(d);
    release(&f);
}
END_TEST

/* An expiration without open interest has no max pain (no strike pays holders least when
 * every strike pays nothing): null among the expirations (asked for alone: 404, the golden
 * case cli-api-maxpain-no-oi). */
START_TEST(test_api_maxpain_without_open_interest)
{
    fixture f;
    generated_oi(&f, 0, 1);
    json_t *d = build(gex__api_maxpain, &f.a, NULL, NULL);
    const json_t *by = json_object_get(d, "max_pain_by_expiration");
    ck_assert_uint_eq(json_array_size(by), 3);
    ck_assert(json_is_number(json_object_get(json_array_get(by, 0), "max_pain_strike")));
    ck_assert(json_is_null(json_object_get(json_array_get(by, 1), "max_pain_strike")));
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(by, 1), "total_oi")), 0);
    json_decref(d);
    release(&f);
}
END_TEST

/* A flat smile at 23.7%: the ATM IV is it, the IV move S sigma sqrt(T), and the straddle's
 * 1-sigma move agrees with it to the straddle's first-order approximation (a few percent,
 * at the strike nearest the forward on a 2.5 grid). */
START_TEST(test_api_expected_move_flat)
{
    fixture f;
    generated(&f, 0.237);
    json_t *d = build(gex__api_expected_move, &f.a, NULL, NULL);
    const json_t *arr = json_object_get(d, "expected_moves");
    ck_assert_uint_eq(json_array_size(arr), 3);
    for (size_t e = 0; e < 3; e++) {
        const json_t *o = json_array_get(arr, e);
        ck_assert_double_eq_tol(num(o, "atmIv"), 0.237, 1e-12);
        const double T = DAYS[e] / 365.0; /* within hours of the prepared T */
        ck_assert_double_eq_tol(num(o, "ivMove"), SPOT * 0.237 * sqrt(T), 0.01 * SPOT * 0.237);
        ck_assert_double_eq_tol(num(o, "expectedMove") / num(o, "ivMove"), 1, 0.06);
        ck_assert_double_eq_tol(num(o, "upperBound") - num(o, "lowerBound"),
                                2 * num(o, "expectedMove"), 1e-9);
        ck_assert_str_eq(json_string_value(json_object_get(o, "method")), "straddle");
    }
    json_decref(d);
    d = build(gex__api_expected_move, &f.a, "expiry", "2023-10-14");
    ck_assert_uint_eq(json_array_size(json_object_get(d, "expected_moves")), 1);
    json_decref(d);
    gex__api_params p = {1, {"expiry"}, {"2023-10-15"}};
    gex__api_input in = {.params = &p, .analysis = &f.a};
    gex__api_answer ans = {0};
    ck_assert_ptr_null(gex__api_expected_move(&in, &ans));
    ck_assert_uint_eq(ans.status, 404);
    p.value[0] = "next friday";
    ck_assert_ptr_null(gex__api_expected_move(&in, &ans));
    ck_assert_uint_eq(ans.status, 400);
    release(&f);
}
END_TEST

/* A flat smile: every skew IV equals it, skew and butterfly are 0, the surface is flat, and
 * the variance swap's fair vol is the vol (Fukasawa's integral of a constant). */
START_TEST(test_api_volatility_flat)
{
    fixture f;
    generated(&f, 0.237);
    json_t *d = build(gex__api_skew_term, &f.a, NULL, NULL);
    const json_t *arr = json_object_get(d, "expiries");
    ck_assert_uint_eq(json_array_size(arr), 3);
    for (size_t e = 0; e < 3; e++) {
        const json_t *o = json_array_get(arr, e);
        const char *keys[] = {"atm_iv", "put_25d_iv", "call_25d_iv", "put_10d_iv", "call_10d_iv"};
        for (int i = 0; i < 5; i++) /* the fit of a flat smile is flat to its residual */
            ck_assert_double_eq_tol(num(o, keys[i]), 23.7, 1e-6);
        ck_assert_double_eq_tol(num(o, "skew_25d"), 0, 1e-6);
        ck_assert_double_eq_tol(num(o, "butterfly_25d"), 0, 1e-6);
    }
    json_decref(d);
    d = build(gex__api_surface, &f.a, NULL, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(d, "grid_size")), 50);
    ck_assert_int_eq(json_integer_value(json_object_get(d, "slices_used")), 3);
    const json_t *iv = json_object_get(d, "iv");
    ck_assert_uint_eq(json_array_size(iv), 50);
    size_t cells = 0; /* null where no smile's data (6 standard deviations) reaches */
    for (size_t i = 0; i < 50; i++)
        for (size_t j = 0; j < 50; j++) {
            const json_t *x = json_array_get(json_array_get(iv, i), j);
            if (json_is_null(x))
                continue;
            ck_assert_double_eq_tol(json_number_value(x), 23.7, 1e-6);
            cells++;
        }
    ck_assert_uint_ge(cells, 1000);
    json_decref(d);
    d = build(gex__api_adv_volatility, &f.a, NULL, NULL);
    const json_t *vs = json_object_get(d, "variance_swap_fair_values");
    ck_assert_uint_eq(json_array_size(vs), 3);
    for (size_t e = 0; e < 3; e++) {
        /* The trapezoid rule over +-12 standard deviations: error far below 1e-6. */
        ck_assert_double_eq_tol(num(json_array_get(vs, e), "fair_vol"), 23.7, 1e-5);
        ck_assert_double_eq_tol(num(json_array_get(vs, e), "convexity_adjustment"), 0, 1e-5);
    }
    ck_assert_uint_eq(json_array_size(json_object_get(d, "arbitrage_flags")), 0);
    json_decref(d);
    release(&f);
}
END_TEST

/* A 7-day expiration of five strikes (fewer smile points than an SVI fit needs, as a 0DTE
 * slice often has): the wings' IVs come from the points, interpolated linearly in d1, and are
 * near the smile the IVs were drawn from; a delta beyond the quoted strikes is null. */
static double smile_d1(double k, double iv, double T)
{
    return -k / (iv * sqrt(T)) + iv * sqrt(T) / 2;
}

/* The IV of SMILE[0] where d1 = target, by bisection over k. */
static double smile_iv_at_d1(double T, double target)
{
    double lo = -0.5, hi = 0.5;
    for (int i = 0; i < 200; i++) {
        const double mid = (lo + hi) / 2;
        const double sv = sqrt(gex_svi_total_variance(&SMILE[0], mid, NULL, NULL) / T);
        if (smile_d1(mid, sv, T) > target)
            lo = mid;
        else
            hi = mid;
    }
    return sqrt(gex_svi_total_variance(&SMILE[0], lo, NULL, NULL) / T);
}

static gex_chain *five_strikes(const double *strikes, double T)
{
    const int32_t today = gex_time_days_from_civil(2023, 9, 14);
    gex_chain *chain = gex_chain_new();
    ck_assert_ptr_nonnull(chain);
    for (int s = 0; s < 5; s++)
        for (int t = 0; t < 2; t++) {
            double iv = 0.2;
            if (T > 0) {
                const double F = SPOT * exp((RATE - DIV) * T);
                iv = sqrt(gex_svi_total_variance(&SMILE[0], log(strikes[s] / F), NULL, NULL) / T);
            }
            gex_contract c = {.underlying = "XYZ",
                              .expiration = today + 7,
                              .strike = strikes[s],
                              .type = t,
                              .bid = NAN,
                              .ask = NAN,
                              .last = NAN,
                              .iv = iv,
                              .open_interest = 100,
                              .volume = 5,
                              .multiplier = 100.0,
                              .vendor_delta = NAN,
                              .vendor_gamma = NAN};
            ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
        }
    ck_assert_int_eq(gex_chain_set_spot(chain, "XYZ", SPOT), GEX_OK);
    gex_chain_set_quote_time(chain, QUOTE);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.rate = RATE;
    po.div = DIV;
    po.iv_mode = GEX_IV_MODE_FILE;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    return chain;
}

START_TEST(test_api_skew_term_unfitted_slice)
{
    const double strikes[5] = {88, 94, 100.5, 107, 114};
    gex_chain *probe = five_strikes(strikes, 0);
    gex_chain_view v;
    gex_chain_get_view(probe, &v);
    const double T = v.T[0];
    gex_chain_free(probe);
    fixture f;
    analyse(&f, five_strikes(strikes, T), "five strikes");
    json_t *d = build(gex__api_skew_term, &f.a, NULL, NULL);
    const json_t *o = json_array_get(json_object_get(d, "expiries"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "points")), 5);
    ck_assert(json_is_null(json_object_get(o, "rmse_vol_points"))); /* no fit */
    /* The points: out-of-the-money IVs at k = ln(K / F). */
    const double F = SPOT * exp((RATE - DIV) * T);
    double iv[5], d1[5];
    for (int s = 0; s < 5; s++) {
        const double k = log(strikes[s] / F);
        iv[s] = sqrt(gex_svi_total_variance(&SMILE[0], k, NULL, NULL) / T);
        d1[s] = smile_d1(k, iv[s], T);
    }
    const char *keys[4] = {"put_25d_iv", "call_25d_iv", "put_10d_iv", "call_10d_iv"};
    const double targets[4] = {0.67448975019608171, -0.67448975019608171, 1.2815515655446004,
                               -1.2815515655446004};
    int found = 0;
    for (int w = 0; w < 4; w++) {
        int j = 1;
        while (j < 5 && !((d1[j - 1] - targets[w]) * (d1[j] - targets[w]) <= 0))
            j++;
        if (j == 5) { /* beyond the quoted strikes: null */
            ck_assert(json_is_null(json_object_get(o, keys[w])));
            continue;
        }
        found |= 1 << w;
        const double want =
            iv[j - 1] + (iv[j] - iv[j - 1]) * (targets[w] - d1[j - 1]) / (d1[j] - d1[j - 1]);
        ck_assert_double_eq_tol(num(o, keys[w]), want * 100, 1e-9);
        const double truth = smile_iv_at_d1(T, targets[w]) * 100;
        ck_assert_msg(fabs(num(o, keys[w]) - truth) < 1.0, "%s: %g, the smile's %g", keys[w],
                      num(o, keys[w]), truth);
    }
    ck_assert_int_eq(found & 3, 3); /* both 25-delta wings are quoted */
    ck_assert_double_eq_tol(num(o, "skew_25d"), num(o, "put_25d_iv") - num(o, "call_25d_iv"),
                            1e-12);
    json_decref(d);
    release(&f);
}
END_TEST

/* IVs drawn from known smiles: the SVI parameters come back (1e-7: the IVs pass through the
 * chain's storage and the fit's rounding), the residuals are nil, no arbitrage is flagged. */
START_TEST(test_api_surface_svi_recovers_smiles)
{
    fixture f;
    generated(&f, 0);
    json_t *d = build(gex__api_surface_svi, &f.a, NULL, NULL);
    const json_t *arr = json_object_get(d, "svi_parameters");
    ck_assert_uint_eq(json_array_size(arr), 3);
    for (size_t e = 0; e < 3; e++) {
        const json_t *o = json_array_get(arr, e);
        ck_assert_double_eq_tol(num(o, "a"), SMILE[e].a, 1e-7);
        ck_assert_double_eq_tol(num(o, "b"), SMILE[e].b, 1e-7);
        ck_assert_double_eq_tol(num(o, "rho"), SMILE[e].rho, 1e-7);
        ck_assert_double_eq_tol(num(o, "m"), SMILE[e].m, 1e-7);
        ck_assert_double_eq_tol(num(o, "sigma"), SMILE[e].sigma, 1e-7);
        ck_assert(num(o, "rmse_vol_points") < 1e-6);
        ck_assert_int_eq(json_integer_value(json_object_get(o, "days_to_expiry")), DAYS[e]);
    }
    json_decref(d);
    d = build(gex__api_adv_volatility, &f.a, NULL, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(d, "arbitrage_flags")), 0);
    const json_t *gs = json_object_get(d, "greeks_surfaces");
    ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(gs, "volga"), "values")), 3);
    json_decref(d);
    release(&f);
}
END_TEST

/* Every quote's spread is 2% of its mid: weighted and ATM spreads 2%, score 100 (1 - 2/20)
 * = 90, label tight (75 and above). */
START_TEST(test_api_liquidity_known_spread)
{
    fixture f;
    generated(&f, 0.237);
    json_t *d = build(gex__api_liquidity, &f.a, NULL, NULL);
    const json_t *arr = json_object_get(d, "expiries");
    ck_assert_uint_eq(json_array_size(arr), 3);
    for (size_t e = 0; e < 3; e++) {
        const json_t *o = json_array_get(arr, e);
        ck_assert_double_eq_tol(num(o, "weighted_spread_pct"), 2, 1e-9);
        ck_assert_double_eq_tol(num(o, "atm_spread_pct"), 2, 1e-9);
        ck_assert_int_eq(json_integer_value(json_object_get(o, "execution_score")), 90);
        ck_assert_str_eq(json_string_value(json_object_get(o, "label")), "tight");
    }
    ck_assert_int_eq(json_integer_value(json_object_get(d, "chain_execution_score")), 90);
    ck_assert_int_eq(json_integer_value(json_object_get(d, "thin_expiry_count")), 0);
    json_decref(d);
    release(&f);
}
END_TEST

/* The smiles stand on each expiration's own carry (the parity fit the IVs were solved with,
 * SPEC 1.2): adv_volatility's forwards are S e^{(r - q) T} at its contracts' r and q, which on the
 * sample chain differ from the flat carry (the day's fitted dividend yield is 0.4%). */
START_TEST(test_api_forwards_at_the_parity_carry)
{
    const char *path = GEX_SOURCE_ROOT "/data/sample-spx.csv";
    gex_chain *chain = gex_test_read_prepared(path, GEX_CARRY_PARITY, NULL);
    double flat_r, flat_q;
    ck_assert_int_eq(gex_chain_carry(chain, &flat_r, &flat_q), GEX_OK);
    fixture f;
    analyse(&f, chain, path);
    json_t *d = build(gex__api_adv_volatility, &f.a, NULL, NULL);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    const json_t *fw = json_object_get(d, "forward_prices");
    ck_assert_uint_gt(json_array_size(fw), 10);
    size_t differ = 0;
    for (size_t e = 0; e < json_array_size(fw); e++) {
        const json_t *o = json_array_get(fw, e);
        int32_t day;
        const char *date = json_string_value(json_object_get(o, "expiry"));
        ck_assert_int_eq(gex_time_parse_date(date, strlen(date), &day), GEX_OK);
        size_t i = 0;
        while (i < v.n && v.expiration[i] != day)
            i++;
        ck_assert_uint_lt(i, v.n);
        double T = 0; /* the date's latest settlement, as the slice's */
        for (size_t j = 0; j < v.n; j++)
            if (v.expiration[j] == day && v.status[j] != GEX_CONTRACT_EXPIRED)
                T = fmax(T, v.T[j]);
        ck_assert_double_eq_tol(num(o, "forward"), v.spot[i] * exp((v.r[i] - v.q[i]) * T),
                                1e-9 * v.spot[i]);
        differ += fabs(v.q[i] - flat_q) > 1e-6;
    }
    ck_assert_uint_gt(differ, 0); /* else the test cannot tell the carries apart */
    json_decref(d);
    release(&f);
}
END_TEST

/* Every real chain answers every endpoint with finite numbers; max pain is the least of the
 * direct sums, the whole chain's and each expiration's. */
START_TEST(test_api_volatility_real_chains)
{
    const char *names[] = {"cboe_spx_2023-09-14_close.csv", "cboe_tsla_2023-08-20_single-stock.csv",
                           "cboe_qqq_2024-03-22_unbalanced-quote.csv",
                           "yfinance_spy_2026-02-11_intraday.csv"};
    size_t files = 0;
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        char rel[256];
        snprintf(rel, sizeof rel, "chains/%s", names[n]);
        const char *path = gex_test_shared(rel);
        if (path == NULL)
            continue;
        const int64_t yf_now = INT64_C(1770832800); /* no quote instant: 2026-02-11 13:00 EST */
        gex_chain *chain = gex_test_read_prepared(
            path, GEX_CARRY_FLAT, strstr(names[n], "yfinance") != NULL ? &yf_now : NULL);
        fixture f;
        analyse(&f, chain, path);
        json_t *d = build(gex__api_maxpain, &f.a, NULL, NULL);
        check_maxpain(&f.a, d, 0);
        json_decref(d);
        gex__api_build_fn fns[] = {gex__api_expected_move,  gex__api_skew_term,
                                   gex__api_surface,        gex__api_surface_svi,
                                   gex__api_adv_volatility, gex__api_liquidity};
        for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
            json_decref(build(fns[i], &f.a, NULL, NULL));
        /* A variance swap's fair vol exceeds the ATM IV by the smile's convexity, not by the
         * SVI wings' guess past the quotes (which gave 193% at an ATM IV of 9.2% on SPX's next
         * day). Within 1.6 times the ATM IV on every expiration of these files (SPX: 1.13 to
         * 1.27). */
        d = build(gex__api_adv_volatility, &f.a, NULL, NULL);
        const json_t *vs = json_object_get(d, "variance_swap_fair_values");
        ck_assert_uint_gt(json_array_size(vs), 0);
        for (size_t e = 0; e < json_array_size(vs); e++) {
            const json_t *o = json_array_get(vs, e);
            const double fv = num(o, "fair_vol"), atm = num(o, "atm_iv");
            ck_assert_msg(fv > 0.9 * atm && fv < 1.6 * atm, "%s %s: fair vol %g, ATM IV %g",
                          names[n], json_string_value(json_object_get(o, "expiry")), fv, atm);
        }
        json_decref(d);
        release(&f);
        files++;
    }
    if (files == 0)
        printf("skipped: ../shared absent\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api-volatility");
    TCase *tc = tcase_create("api-volatility");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_api_maxpain_generated);
    tcase_add_test(tc, test_api_maxpain_without_open_interest);
    tcase_add_test(tc, test_api_maxpain_max_delta);
    tcase_add_test(tc, test_api_forwards_at_the_parity_carry);
    tcase_add_test(tc, test_api_expected_move_flat);
    tcase_add_test(tc, test_api_volatility_flat);
    tcase_add_test(tc, test_api_skew_term_unfitted_slice);
    tcase_add_test(tc, test_api_surface_svi_recovers_smiles);
    tcase_add_test(tc, test_api_liquidity_known_spread);
    tcase_add_test(tc, test_api_volatility_real_chains);
    suite_add_tcase(s, tc);
    return gex_test_run(s);
}
