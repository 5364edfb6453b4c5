/*
 * The pricing and reference builders (src/render/api-pricing.c, api-reference.c; SPEC 5.4).
 *
 * Truth: the vendor's documented responses (its API documentation's examples for
 * /v1/pricing/greeks, /iv, /kelly and POST /v1/structures/pnl), matched value for value and
 * key for key; brute-force sampling of the P&L curve for breakevens and extremes; identities
 * (a leg bought and sold cancels; one leg equals /v1/pricing/greeks); a generated chain whose
 * expirations and strikes are known by construction.
 */
#include "gex-test.h"

#include <math.h>
#include <string.h>

#include "api-builders.h"
#include "splitmix64.h"

/* Query text "a=1&b=2" into params (the test's strings are not percent-encoded). */
typedef struct query {
    char buf[1024];
    gex__api_params p;
} query;

static void parse_query(query *q, const char *text)
{
    memset(q, 0, sizeof *q);
    snprintf(q->buf, sizeof q->buf, "%s", text);
    for (char *save = NULL, *tok = strtok_r(q->buf, "&", &save); tok != NULL;
         tok = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(tok, '=');
        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        q->p.name[q->p.n] = tok;
        q->p.value[q->p.n] = eq + 1;
        q->p.n++;
    }
}

static json_t *run_get(gex__api_build_fn fn, const char *text, gex__api_answer *ans)
{
    query q;
    parse_query(&q, text);
    gex__api_input in = {.params = &q.p, .now = INT64_C(1780669930)}; /* 2026-06-05 14:32:10 */
    memset(ans, 0, sizeof *ans);
    return fn(&in, ans);
}

static json_t *run_post(gex__api_build_fn fn, const char *body, gex__api_answer *ans)
{
    query q;
    parse_query(&q, "");
    gex__api_input in = {
        .params = &q.p, .body = body, .body_len = strlen(body), .now = INT64_C(1780669930)};
    memset(ans, 0, sizeof *ans);
    return fn(&in, ans);
}

/* Every member of want is in got with the same value (numbers exactly: both are the same
 * decimal rounded to a double), and got has no vendor member that want lacks; got may add
 * "meta". */
static void assert_same(const json_t *got, const json_t *want, const char *where)
{
    if (json_is_number(want)) {
        ck_assert_msg(json_is_number(got), "%s: not a number", where);
        ck_assert_msg(json_number_value(got) == json_number_value(want), "%s: %.17g, vendor %.17g",
                      where, json_number_value(got), json_number_value(want));
        return;
    }
    ck_assert_msg(json_typeof(got) == json_typeof(want), "%s: type %d, vendor %d", where,
                  json_typeof(got), json_typeof(want));
    if (json_is_object(want)) {
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)want, key, v)
        {
            char sub[256];
            snprintf(sub, sizeof sub, "%s.%s", where, key);
            const json_t *g = json_object_get(got, key);
            ck_assert_msg(g != NULL, "%s missing", sub);
            assert_same(g, v, sub);
        }
        json_object_foreach((json_t *)got, key, v)
        {
            ck_assert_msg(strcmp(key, "meta") == 0 || json_object_get(want, key) != NULL,
                          "%s.%s is not the vendor's", where, key);
        }
    } else if (json_is_array(want)) {
        ck_assert_msg(json_array_size(got) == json_array_size(want), "%s: %zu entries, vendor %zu",
                      where, json_array_size(got), json_array_size(want));
        for (size_t i = 0; i < json_array_size(want); i++) {
            char sub[256];
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            assert_same(json_array_get(got, i), json_array_get(want, i), sub);
        }
    } else if (json_is_string(want)) {
        ck_assert_str_eq(json_string_value(got), json_string_value(want));
    }
}

static void assert_vendor(json_t *doc, const char *vendor_json)
{
    json_error_t err;
    json_t *want = json_loads(vendor_json, 0, &err);
    ck_assert_msg(want != NULL, "vendor JSON: %s", err.text);
    ck_assert_ptr_nonnull(doc);
    assert_same(doc, want, "$");
    json_decref(want);
    json_decref(doc);
}

/* The vendor's documented example of GET /v1/pricing/greeks, as published. */
START_TEST(test_api_pricing_greeks_vendor_example)
{
    gex__api_answer ans;
    json_t *doc =
        run_get(gex__api_pricing_greeks, "spot=580&strike=580&dte=30&sigma=0.18&type=call", &ans);
    assert_vendor(doc, "{\"inputs\":{\"spot\":580,\"strike\":580,\"dte\":30,\"sigma\":0.18,"
                       "\"type\":\"call\",\"risk_free_rate\":0.045,\"dividend_yield\":0.013},"
                       "\"theoretical_price\":12.687211,"
                       "\"first_order\":{\"delta\":0.53003,\"gamma\":0.013276,"
                       "\"theta\":-0.223599,\"vega\":0.660706,\"rho\":24.224395},"
                       "\"second_order\":{\"vanna\":-0.055551,\"charm\":0.00049,"
                       "\"vomma\":0.709126,\"dual_delta\":-0.508155},"
                       "\"third_order\":{\"speed\":-0.00005694,\"zomma\":-0.07361041,"
                       "\"color\":-0.00022304,\"ultima\":-17.241619},"
                       "\"additional\":{\"lambda\":24.2305,\"veta\":1.092334}}");
}
END_TEST

START_TEST(test_api_pricing_iv_vendor_example)
{
    gex__api_answer ans;
    json_t *doc =
        run_get(gex__api_pricing_iv, "spot=580&strike=580&dte=30&price=12.69&type=call", &ans);
    assert_vendor(doc, "{\"inputs\":{\"spot\":580,\"strike\":580,\"dte\":30,\"price\":12.69,"
                       "\"type\":\"call\",\"risk_free_rate\":0.045,\"dividend_yield\":0.013},"
                       "\"implied_volatility\":0.180042,\"implied_volatility_pct\":18.0}");
    /* Round trip: the IV of the greeks' own price is the sigma given. */
    doc = run_get(gex__api_pricing_iv, "spot=431.5&strike=440&dte=17&price=12.1&type=put&r=0.03",
                  &ans);
    ck_assert_ptr_nonnull(doc);
    char q[200];
    snprintf(q, sizeof q, "spot=431.5&strike=440&dte=17&sigma=%.17g&type=put&r=0.03",
             json_number_value(json_object_get(doc, "implied_volatility")));
    json_decref(doc);
    doc = run_get(gex__api_pricing_greeks, q, &ans);
    /* The IV is rounded to 6 decimals: the price moves by up to vega x 5e-7 (vega per vol
     * point x 100), and is itself rounded to 6 decimals. */
    const double vega =
        100 * json_number_value(json_object_get(json_object_get(doc, "first_order"), "vega"));
    ck_assert_rel(json_number_value(json_object_get(doc, "theoretical_price")), 12.1, 0,
                  vega * 5e-7 + 5e-7);
    json_decref(doc);
}
END_TEST

START_TEST(test_api_pricing_kelly_vendor_example)
{
    gex__api_answer ans;
    json_t *doc =
        run_get(gex__api_pricing_kelly,
                "spot=580&strike=580&dte=30&sigma=0.18&premium=12.69&mu=0.12&type=call", &ans);
    assert_vendor(
        doc, "{\"inputs\":{\"spot\":580,\"strike\":580,\"dte\":30,\"sigma\":0.18,\"premium\":12.69,"
             "\"mu\":0.12,\"type\":\"call\",\"risk_free_rate\":0.045,\"dividend_yield\":0.013},"
             "\"sizing\":{\"kelly_fraction\":0.076842,\"half_kelly\":0.038421,"
             "\"quarter_kelly\":0.01921,\"kelly_pct\":7.68,\"half_kelly_pct\":3.84},"
             "\"analysis\":{\"expected_roi\":0.160546,\"expected_roi_pct\":16.05,"
             "\"expected_payoff\":14.7273,\"probability_of_profit\":0.391739,"
             "\"probability_of_profit_pct\":39.17,\"probability_itm\":0.557494,"
             "\"probability_itm_pct\":55.75,\"max_loss\":12.69,\"breakeven\":592.69,"
             "\"expected_growth_rate\":0.00584368},"
             "\"recommendation\":\"Risk 3.8% of bankroll (half-Kelly). Probability of profit: "
             "39.2%. Expected ROI: 16.1%.\"}");
    /* No edge: the vendor's sizing zeros and sentence. */
    doc = run_get(gex__api_pricing_kelly,
                  "spot=580&strike=580&dte=30&sigma=0.18&premium=12.69&mu=-0.1", &ans);
    ck_assert_ptr_nonnull(doc);
    ck_assert(
        json_number_value(json_object_get(json_object_get(doc, "sizing"), "kelly_fraction")) == 0);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "recommendation")),
                     "Negative expected value \xe2\x80\x94 Kelly recommends no position.");
    json_decref(doc);
    /* A premium of 1e-300: an ROI of 2.7e302, whose %.1f (303 digits) cut the sentence
     * mid-number; its short form keeps it whole. */
    doc = run_get(gex__api_pricing_kelly,
                  "spot=100&strike=100&dte=30&sigma=0.2&premium=1e-300&mu=0.1", &ans);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "recommendation")),
                     "Risk 26.9% of bankroll (half-Kelly). Probability of profit: 53.8%. Expected "
                     "ROI: 2.67e+302%.");
    json_decref(doc);
}
END_TEST

/* Each bad parameter: 400 (422 for an unattainable price) with a code naming it. */
START_TEST(test_api_pricing_bad_parameters)
{
    static const struct {
        gex__api_build_fn fn;
        const char *query;
        unsigned status;
        const char *code;
    } cases[] = {
        {gex__api_pricing_greeks, "strike=580&dte=30&sigma=0.18", 400, "invalid_spot"},
        {gex__api_pricing_greeks, "spot=580&strike=580&dte=30&sigma=abc", 400, "invalid_sigma"},
        {gex__api_pricing_greeks, "spot=580&strike=580&dte=30&sigma=0", 400, "invalid_sigma"},
        {gex__api_pricing_greeks, "spot=580&strike=-5&dte=30&sigma=0.2", 400, "invalid_strike"},
        {gex__api_pricing_greeks, "spot=580&strike=580&dte=0&sigma=0.2", 400, "invalid_dte"},
        {gex__api_pricing_greeks, "spot=580&strike=580&dte=30&sigma=0.2&type=straddle", 400,
         "invalid_type"},
        {gex__api_pricing_greeks, "spot=580&strike=580&dte=30&sigma=0.2&r=inf", 400, "invalid_r"},
        {gex__api_pricing_greeks, "spot=580&strike=580&dte=30&sigma=0.2&q=1e999", 400, "invalid_q"},
        {gex__api_pricing_iv, "spot=580&strike=580&dte=30", 400, "invalid_price"},
        {gex__api_pricing_iv, "spot=580&strike=580&dte=30&price=600", 422, "iv_not_found"},
        {gex__api_pricing_iv, "spot=580&strike=500&dte=30&price=1", 422, "iv_not_found"},
        {gex__api_pricing_kelly, "spot=580&strike=580&dte=30&sigma=0.18&premium=12.69", 400,
         "invalid_mu"},
        {gex__api_pricing_kelly, "spot=580&strike=580&dte=30&sigma=0.18&premium=12.69&mu=2.5", 400,
         "invalid_mu"},
        {gex__api_pricing_kelly, "spot=580&strike=580&dte=30&sigma=0.18&premium=0&mu=0.1", 400,
         "invalid_premium"},
        /* an ROI in percent past the doubles: refused, not an internal error */
        {gex__api_pricing_kelly, "spot=100&strike=100&dte=30&sigma=0.2&premium=1e-306&mu=0.1", 422,
         "kelly_undefined"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gex__api_answer ans;
        json_t *doc = run_get(cases[i].fn, cases[i].query, &ans);
        ck_assert_msg(doc == NULL, "case %zu answered", i);
        ck_assert_uint_eq(ans.status, cases[i].status);
        ck_assert_str_eq(ans.code, cases[i].code);
        /* The message names the parameter. */
        const char *param = strchr(cases[i].code, '_') + 1;
        if (cases[i].status == 400)
            ck_assert_msg(strstr(ans.message, param) != NULL, "case %zu: '%s' lacks %s", i,
                          ans.message, param);
    }
}
END_TEST

/* A required parameter left out: the message's example ("e.g. ?NAME=VALUE") is a value the
 * endpoint takes (the same "?...=100" for every parameter was 10000% volatility, and a drift
 * that kelly refuses). */
START_TEST(test_api_pricing_required_examples_are_taken)
{
    static const struct {
        gex__api_build_fn fn;
        const char *names[7]; /* the required parameters, NULL after the last */
    } endpoints[] = {
        {gex__api_pricing_greeks, {"spot", "strike", "dte", "sigma", NULL}},
        {gex__api_pricing_iv, {"spot", "strike", "dte", "price", NULL}},
        {gex__api_pricing_kelly, {"spot", "strike", "dte", "sigma", "premium", "mu", NULL}},
    };
    for (size_t e = 0; e < sizeof endpoints / sizeof endpoints[0]; e++) {
        /* the query without one parameter, then with it at the message's example */
        char given[7][32] = {{0}};
        for (size_t k = 0; endpoints[e].names[k] != NULL; k++) {
            const char *name = endpoints[e].names[k];
            char text[512] = "";
            for (size_t j = 0; j < k; j++)
                snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s=%s", j ? "&" : "",
                         endpoints[e].names[j], given[j]);
            gex__api_answer ans;
            json_t *doc = run_get(endpoints[e].fn, text, &ans);
            ck_assert_msg(doc == NULL, "%s left out: answered", name);
            ck_assert_uint_eq(ans.status, 400);
            char want[64];
            snprintf(want, sizeof want, "e.g. ?%s=", name);
            const char *at = strstr(ans.message, want);
            ck_assert_msg(at != NULL, "'%s' gives no example of %s", ans.message, name);
            at += strlen(want);
            const size_t n = strspn(at, "0123456789.-");
            ck_assert(n > 0 && n < sizeof given[k]);
            memcpy(given[k], at, n);
        }
        char text[512] = "";
        for (size_t j = 0; endpoints[e].names[j] != NULL; j++)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s=%s", j ? "&" : "",
                     endpoints[e].names[j], given[j]);
        gex__api_answer ans;
        json_t *doc = run_get(endpoints[e].fn, text, &ans);
        ck_assert_msg(doc != NULL, "%s: %u %s", text, ans.status, ans.message);
        json_decref(doc);
    }
    /* a volatility and a drift as the decimals the reference gives */
    gex__api_answer ans;
    ck_assert_ptr_null(run_get(gex__api_pricing_greeks, "spot=580&strike=580&dte=30", &ans));
    ck_assert_ptr_nonnull(strstr(ans.message, "e.g. ?sigma=0.18"));
    ck_assert_ptr_null(
        run_get(gex__api_pricing_kelly, "spot=580&strike=580&dte=30&sigma=0.18&premium=12", &ans));
    ck_assert_ptr_nonnull(strstr(ans.message, "e.g. ?mu=0.12"));
}
END_TEST

static const char spread_body[] =
    "{\"legs\":[{\"action\":\"buy\",\"type\":\"call\",\"strike\":100,\"premium\":3.20,"
    "\"quantity\":1},{\"action\":\"sell\",\"type\":\"call\",\"strike\":110,\"premium\":1.10,"
    "\"quantity\":1}],\"minUnderlying\":80,\"maxUnderlying\":130,\"points\":81}";

START_TEST(test_api_structures_pnl_vendor_example)
{
    gex__api_answer ans;
    json_t *doc = run_post(gex__api_structures_pnl, spread_body, &ans);
    ck_assert_ptr_nonnull(doc);
    const json_t *curve = json_object_get(doc, "pnl_curve");
    ck_assert_uint_eq(json_array_size(curve), 81);
    /* The vendor's published points (80, -2.1), (80.625, -2.1), (100, -2.1), (110, 7.9),
     * (130, 7.9): the curve is 81 equal steps, so they are entries 0, 1, 32, 48 and 80. */
    const double pts[][3] = {
        {0, 80, -2.1}, {1, 80.625, -2.1}, {32, 100, -2.1}, {48, 110, 7.9}, {80, 130, 7.9}};
    for (size_t i = 0; i < 5; i++) {
        const json_t *p = json_array_get(curve, (size_t)pts[i][0]);
        ck_assert(json_number_value(json_object_get(p, "underlying")) == pts[i][1]);
        ck_assert(json_number_value(json_object_get(p, "pnl")) == pts[i][2]);
    }
    json_object_del(doc, "pnl_curve");
    assert_vendor(doc, "{\"legs\":[{\"action\":\"buy\",\"type\":\"call\",\"strike\":100,"
                       "\"premium\":3.2,\"quantity\":1},{\"action\":\"sell\",\"type\":\"call\","
                       "\"strike\":110,\"premium\":1.1,\"quantity\":1}],"
                       "\"breakevens\":[102.1],\"max_profit\":7.9,\"max_loss\":-2.1}");
}
END_TEST

/* Random structures: the breakevens are zeros of the P&L and every sign change of a dense
 * sampling lies next to one; the extremes are those of the sampling (which includes the
 * strikes) and null exactly when the slope beyond the last strike makes that side unbounded. */
START_TEST(test_api_structures_pnl_brute_force)
{
    uint64_t state = 0x9e3779b97f4a7c15u;
    for (int iter = 0; iter < 60; iter++) {
        const int n = 1 + (int)(gex_splitmix64(&state) % 4);
        double K[4], prem[4], qty[4];
        int buy[4], call[4];
        char body[2048];
        size_t len = (size_t)snprintf(body, sizeof body, "{\"legs\":[");
        for (int i = 0; i < n; i++) {
            K[i] = 80 + 5 * (double)(gex_splitmix64(&state) % 9);
            prem[i] = 0.5 + 0.25 * (double)(gex_splitmix64(&state) % 20);
            qty[i] = 1 + (double)(gex_splitmix64(&state) % 3);
            buy[i] = (int)(gex_splitmix64(&state) & 1);
            call[i] = (int)(gex_splitmix64(&state) & 1);
            len += (size_t)snprintf(body + len, sizeof body - len,
                                    "%s{\"action\":\"%s\",\"type\":\"%s\",\"strike\":%g,"
                                    "\"premium\":%g,\"quantity\":%g}",
                                    i ? "," : "", buy[i] ? "buy" : "sell", call[i] ? "call" : "put",
                                    K[i], prem[i], qty[i]);
        }
        snprintf(body + len, sizeof body - len, "],\"minUnderlying\":0,\"maxUnderlying\":400}");
        gex__api_answer ans;
        json_t *doc = run_post(gex__api_structures_pnl, body, &ans);
        ck_assert_msg(doc != NULL, "%s: %s", body, ans.message);
        double slope = 0, lo = INFINITY, hi = -INFINITY;
        const double step = 0.01;
        double prev = NAN;
        size_t crossings = 0;
        const json_t *roots = json_object_get(doc, "breakevens");
        for (double x = 0; x <= 400 + 1e-9; x += step) {
            double v = 0;
            for (int i = 0; i < n; i++)
                v += (buy[i] ? 1 : -1) * qty[i] *
                     ((call[i] ? fmax(x - K[i], 0) : fmax(K[i] - x, 0)) - prem[i]);
            lo = fmin(lo, v), hi = fmax(hi, v);
            if (!isnan(prev) && prev != 0 && v != 0 && (prev < 0) != (v < 0)) {
                crossings++;
                int near = 0;
                for (size_t r = 0; r < json_array_size(roots); r++) {
                    const double b = json_number_value(json_array_get(roots, r));
                    near |= b >= x - step - 1e-6 && b <= x + 1e-6;
                }
                ck_assert_msg(near, "%s: a sign change at %g has no breakeven", body, x);
            }
            prev = v;
        }
        for (int i = 0; i < n; i++)
            slope += call[i] ? (buy[i] ? 1 : -1) * qty[i] : 0;
        ck_assert_uint_ge(json_array_size(roots), crossings);
        const json_t *mp = json_object_get(doc, "max_profit"),
                     *ml = json_object_get(doc, "max_loss");
        ck_assert_int_eq(json_is_null(mp), slope > 0);
        ck_assert_int_eq(json_is_null(ml), slope < 0);
        if (slope <= 0)
            ck_assert_rel(json_number_value(mp), hi, 1e-9, 1e-6);
        if (slope >= 0)
            ck_assert_rel(json_number_value(ml), lo, 1e-9, 1e-6);
        json_decref(doc);
    }
}
END_TEST

START_TEST(test_api_structures_bad_bodies)
{
    static const struct {
        gex__api_build_fn fn;
        const char *body, *code;
    } cases[] = {
        {gex__api_structures_pnl, "{}", "empty_legs"},
        {gex__api_structures_pnl, "{\"legs\":[]}", "empty_legs"},
        {gex__api_structures_pnl, "not json", "invalid_body"},
        {gex__api_structures_pnl, "{\"legs\":[{\"action\":\"hold\",\"strike\":1,\"premium\":1}]}",
         "invalid_action"},
        {gex__api_structures_pnl, "{\"legs\":[{\"type\":\"straddle\",\"strike\":1,\"premium\":1}]}",
         "invalid_type"},
        {gex__api_structures_pnl, "{\"legs\":[{\"strike\":0,\"premium\":1}]}", "invalid_strike"},
        {gex__api_structures_pnl, "{\"legs\":[{\"strike\":5,\"premium\":-1}]}", "invalid_premium"},
        {gex__api_structures_pnl, "{\"legs\":[{\"strike\":5}]}", "invalid_premium"},
        {gex__api_structures_pnl, "{\"legs\":[{\"strike\":5,\"premium\":1,\"quantity\":0}]}",
         "invalid_quantity"},
        {gex__api_structures_greeks,
         "{\"spot\":100,\"legs\":[{\"strike\":100,\"expiry\":\"2026-07-17\"}]}", "invalid_iv"},
        {gex__api_structures_greeks,
         "{\"spot\":100,\"legs\":[{\"strike\":100,\"impliedVol\":0.2,\"expiry\":\"2026-02-30\"}]}",
         "invalid_expiry"},
        {gex__api_structures_greeks,
         "{\"legs\":[{\"strike\":100,\"impliedVol\":0.2,\"expiry\":\"2026-07-17\"}]}",
         "invalid_spot"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gex__api_answer ans;
        json_t *doc = run_post(cases[i].fn, cases[i].body, &ans);
        ck_assert_msg(doc == NULL, "case %zu answered", i);
        ck_assert_uint_eq(ans.status, 400);
        ck_assert_str_eq(ans.code, cases[i].code);
    }
}
END_TEST

START_TEST(test_api_structures_greeks_identities)
{
    gex__api_answer ans;
    /* One leg of 3 contracts equals 3 x /v1/pricing/greeks for the same contract: 42 days
     * from the valuation date 2026-06-05 to 2026-07-17. */
    json_t *doc = run_post(gex__api_structures_greeks,
                           "{\"legs\":[{\"action\":\"buy\",\"type\":\"put\",\"strike\":100,"
                           "\"expiry\":\"2026-07-17\",\"impliedVol\":0.28,\"quantity\":3}],"
                           "\"spot\":102.5,\"today\":\"2026-06-05\"}",
                           &ans);
    ck_assert_ptr_nonnull(doc);
    json_t *one =
        run_get(gex__api_pricing_greeks, "spot=102.5&strike=100&dte=42&sigma=0.28&type=put", &ans);
    ck_assert_ptr_nonnull(one);
    const json_t *pg = json_object_get(doc, "position_greeks");
    const json_t *fo = json_object_get(one, "first_order");
    const char *keys[] = {"delta", "gamma", "theta", "vega", "rho"};
    for (size_t i = 0; i < 5; i++)
        ck_assert_rel(json_number_value(json_object_get(pg, keys[i])),
                      3 * json_number_value(json_object_get(fo, keys[i])), 0, 3.5e-6);
    ck_assert_rel(
        json_number_value(json_object_get(pg, "vanna")),
        3 * json_number_value(json_object_get(json_object_get(one, "second_order"), "vanna")), 0,
        3.5e-6);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "valuation_date")), "2026-06-05");
    ck_assert(json_number_value(json_object_get(doc, "rate")) == 0.045);
    json_decref(doc);
    json_decref(one);
    /* Bought and sold: nothing. An expired leg: nothing. today defaults to the request's day. */
    doc = run_post(gex__api_structures_greeks,
                   "{\"legs\":[{\"action\":\"buy\",\"strike\":100,\"expiry\":\"2026-07-17\","
                   "\"impliedVol\":0.28},{\"action\":\"short\",\"strike\":100,\"expiry\":"
                   "\"2026-07-17\",\"impliedVol\":0.28},{\"strike\":90,\"expiry\":\"2026-06-01\","
                   "\"impliedVol\":0.3}],\"spot\":102.5}",
                   &ans);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "valuation_date")), "2026-06-05");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "as_of")), "2026-06-05T14:32:10Z");
    const char *key;
    const json_t *v;
    json_object_foreach(json_object_get(doc, "position_greeks"), key, v)
    {
        ck_assert_msg(json_number_value(v) == 0, "%s = %g", key, json_number_value(v));
    }
    json_decref(doc);
}
END_TEST

/* A chain whose expirations and strikes are known: 3 expirations, 41 strikes each, a call and a
 * put at each. */
START_TEST(test_api_options_generated_chain)
{
    gex_chain *chain = gex_chain_new();
    ck_assert_ptr_nonnull(chain);
    const int32_t today = gex_time_days_from_civil(2023, 9, 14);
    const int32_t expiry[3] = {today + 35, today, today + 7}; /* out of order on purpose */
    for (int k = 20; k >= -20; k--)
        for (int e = 0; e < 3; e++)
            for (int t = 0; t < 2; t++) {
                gex_contract c = {.underlying = "SPX",
                                  .root = "SPXW",
                                  .expiration = expiry[e],
                                  .strike = 4500.0 + 5.0 * k,
                                  .type = t,
                                  .bid = NAN,
                                  .ask = NAN,
                                  .last = NAN,
                                  .iv = 0.13 + 0.0004 * (20 - k) + 0.01 * e,
                                  .open_interest = 37.0 * (21 - abs(k)) + 101.0 * t + 11.0 * e,
                                  .volume = 1,
                                  .multiplier = 100.0,
                                  .vendor_delta = NAN,
                                  .vendor_gamma = NAN};
                ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
            }
    ck_assert_int_eq(gex_chain_set_spot(chain, "SPX", 4512.37), GEX_OK);
    gex_chain_set_quote_time(chain, INT64_C(1694712600));
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    gex_analysis_options o;
    gex_analysis_options_default(&o);
    gex__analysis a = {.path = "generated.csv", .symbol = "SPX", .chain = chain};
    ck_assert_int_eq(gex_analysis_new(chain, &o, &a.an, NULL), GEX_OK);
    gex__analysis_fill(&a);
    gex__api_input in = {.symbol = "SPX", .analysis = &a};
    gex__api_answer ans = {0};
    json_t *doc = gex__api_options(&in, &ans);
    ck_assert_msg(doc != NULL, "%s", ans.message);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "symbol")), "SPX");
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "expiration_count")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "total_contracts")), 123);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "contracts")), 246);
    const char *dates[] = {"2023-09-14", "2023-09-21", "2023-10-19"};
    const json_t *rows = json_object_get(doc, "expirations");
    for (size_t e = 0; e < 3; e++) {
        const json_t *row = json_array_get(rows, e);
        ck_assert_str_eq(json_string_value(json_object_get(row, "expiration")), dates[e]);
        ck_assert_int_eq(json_integer_value(json_object_get(row, "contracts")), 82);
        const json_t *strikes = json_object_get(row, "strikes");
        ck_assert_uint_eq(json_array_size(strikes), 41);
        for (size_t i = 0; i < 41; i++)
            ck_assert(json_number_value(json_array_get(strikes, i)) == 4400.0 + 5.0 * (double)i);
    }
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "meta"), "file")),
                     "generated.csv");
    json_decref(doc);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

START_TEST(test_api_reference_folder)
{
    const gex__api_folder_symbol syms[] = {{"QQQ", 2, INT64_C(1711000000), INT64_C(1711100000)},
                                           {"SPX", 1, INT64_C(1694712600), INT64_C(1694712600)},
                                           {"XYZ", 1, 0, 0}};
    const gex__api_folder folder = {3, syms, 5, 1, 0, NULL};
    gex__api_input in = {.folder = &folder};
    gex__api_answer ans = {0};
    json_t *doc = gex__api_tickers(&in, &ans);
    ck_assert_ptr_nonnull(doc);
    assert_vendor(doc, "{\"tickers\":[\"QQQ\",\"SPX\",\"XYZ\"],\"count\":3}");
    doc = gex__api_symbols(&in, &ans);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "last_updated")),
                     "2024-03-22T09:33:20Z");
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(doc, "note")), "5 files indexed, 1 left out"));
    const json_t *detail = json_object_get(json_object_get(doc, "meta"), "symbols");
    ck_assert_uint_eq(json_array_size(detail), 3);
    ck_assert(json_is_null(json_object_get(json_array_get(detail, 2), "last_quote_time")));
    json_object_del(doc, "note");
    json_object_del(doc, "last_updated");
    assert_vendor(doc, "{\"symbols\":[\"QQQ\",\"SPX\",\"XYZ\"],\"count\":3}");
    doc = gex__api_health(&in, &ans);
    ck_assert_ptr_nonnull(doc);
    assert_vendor(doc, "{\"status\":\"Healthy\"}");
    /* An empty folder: no last_updated. */
    const gex__api_folder empty = {0, NULL, 0, 0, 0, NULL};
    in.folder = &empty;
    doc = gex__api_symbols(&in, &ans);
    ck_assert_ptr_nonnull(doc);
    ck_assert(json_is_null(json_object_get(doc, "last_updated")));
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "count")), 0);
    json_decref(doc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api-pricing");
    TCase *tc = tcase_create("api-pricing");
    tcase_add_test(tc, test_api_pricing_greeks_vendor_example);
    tcase_add_test(tc, test_api_pricing_iv_vendor_example);
    tcase_add_test(tc, test_api_pricing_kelly_vendor_example);
    tcase_add_test(tc, test_api_pricing_bad_parameters);
    tcase_add_test(tc, test_api_pricing_required_examples_are_taken);
    tcase_add_test(tc, test_api_structures_pnl_vendor_example);
    tcase_add_test(tc, test_api_structures_pnl_brute_force);
    tcase_add_test(tc, test_api_structures_bad_bodies);
    tcase_add_test(tc, test_api_structures_greeks_identities);
    tcase_add_test(tc, test_api_options_generated_chain);
    tcase_add_test(tc, test_api_reference_folder);
    suite_add_tcase(s, tc);
    return gex_test_run(s);
}
