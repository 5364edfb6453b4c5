/*
 * test-api-screener.c: POST /v1/screener (src/render/api-screener.c, SPEC 5.4). The filter
 * tree, sorting, selection and pages on rows worked by hand, every refusal of a bad request,
 * and one symbol's row against the documents the other endpoints give for the same analysis.
 */
#include "gex-test.h"

#include <math.h>

#include "api-builders.h"
#include "api-exposure.h"
#include "api-history.h"
#include "api-volatility.h"
#include "api.h"
#include "fixture-spx.h"

/* Four rows worked by hand and a symbol without data. */
static const char row_a[] =
    "{\"symbol\":\"AAA\",\"price\":100,\"regime\":\"positive_gamma\",\"atm_iv\":20,"
    "\"net_gex\":5,\"market_open\":true,\"as_of\":\"2026-01-02T20:00:00.0000000Z\"}";
static const char row_b[] =
    "{\"symbol\":\"BBB\",\"price\":50,\"regime\":\"negative_gamma\",\"atm_iv\":35,"
    "\"net_gex\":-7,\"market_open\":false,\"as_of\":\"2026-01-02T21:00:00.0000000Z\"}";
static const char row_c[] =
    "{\"symbol\":\"CCC\",\"price\":10,\"regime\":\"undetermined\",\"atm_iv\":null,"
    "\"net_gex\":0,\"market_open\":true,\"as_of\":\"2026-01-02T19:00:00.0000000Z\"}";
static const char row_d[] =
    "{\"symbol\":\"DDD\",\"price\":75,\"regime\":\"negative_gamma\",\"atm_iv\":20,"
    "\"net_gex\":-1,\"market_open\":true,\"as_of\":\"2026-01-02T20:30:00.0000000Z\"}";
static const char row_e[] =
    "{\"error\":\"file_changing\",\"message\":\"the chain file holding EEE is being written\"}";

/* The screener on the five entries with body (NULL: none). */
static json_t *screen(const char *body, gex__api_answer *ans)
{
    static gex__api_basket_entry e[5];
    const char *rows[5] = {row_a, row_b, row_c, row_d, row_e};
    const char *names[5] = {"AAA", "BBB", "CCC", "DDD", "EEE"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(e[i].symbol, sizeof e[i].symbol, "%s", names[i]);
        e[i].status = i == 4 ? 503 : 200;
        e[i].body = rows[i];
        e[i].len = strlen(rows[i]);
    }
    const gex__api_screener_input u = {5, 6, e};
    gex__api_params p = {0};
    gex__api_input in = {
        .params = &p, .body = body, .body_len = body != NULL ? strlen(body) : 0, .screener = &u};
    memset(ans, 0, sizeof *ans);
    return gex__api_screener(&in, ans);
}

/* The symbols of data, comma-separated. */
static void symbols_of(const json_t *d, char *out, size_t size)
{
    out[0] = '\0';
    const json_t *data = json_object_get(d, "data");
    for (size_t i = 0; i < json_array_size(data); i++) {
        const char *s = json_string_value(json_object_get(json_array_get(data, i), "symbol"));
        ck_assert_ptr_nonnull(s);
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i > 0 ? "," : "", s);
    }
}

static void expect_symbols(const char *body, const char *want)
{
    gex__api_answer ans;
    json_t *d = screen(body, &ans);
    ck_assert_msg(d != NULL, "%s: %u %s", body, ans.status, ans.message);
    char got[256];
    symbols_of(d, got, sizeof got);
    ck_assert_msg(strcmp(got, want) == 0, "%s: got %s, want %s", body, got, want);
    json_decref(d);
}

static void expect_refusal(const char *body, const char *code, const char *says)
{
    gex__api_answer ans;
    json_t *d = screen(body, &ans);
    ck_assert_msg(d == NULL, "%s: answered", body);
    ck_assert_uint_eq(ans.status, 400);
    ck_assert_msg(strcmp(ans.code, code) == 0, "%s: code %s, want %s", body, ans.code, code);
    ck_assert_msg(strstr(ans.message, says) != NULL, "%s: message '%s' lacks '%s'", body,
                  ans.message, says);
    /* The same refusal from the check the program runs before computing any row. */
    gex__api_answer early;
    ck_assert_int_eq(gex__api_screener_check(body, strlen(body), &early), -1);
    ck_assert_str_eq(early.code, ans.code);
}

START_TEST(test_empty_request_every_row)
{
    gex__api_answer ans;
    json_t *d = screen(NULL, &ans);
    ck_assert_ptr_nonnull(d);
    char got[256];
    symbols_of(d, got, sizeof got);
    ck_assert_str_eq(got, "AAA,BBB,CCC,DDD"); /* by symbol without a sort */
    const json_t *m = json_object_get(d, "meta");
    ck_assert_int_eq(json_integer_value(json_object_get(m, "total_count")), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(m, "returned_count")), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(m, "universe_size")), 6);
    ck_assert_int_eq(json_integer_value(json_object_get(m, "limit")), 50);
    ck_assert_str_eq(json_string_value(json_object_get(m, "tier")), "alpha");
    ck_assert_str_eq(json_string_value(json_object_get(m, "as_of")),
                     "2026-01-02T21:00:00.0000000Z"); /* the newest row's */
    const json_t *miss = json_object_get(m, "missing");
    ck_assert_uint_eq(json_array_size(miss), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(miss, 0), "symbol")), "EEE");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(miss, 0), "status")), 503);
    /* Without select, every field; a field the row lacks is null. */
    const json_t *r0 = json_array_get(json_object_get(d, "data"), 0);
    ck_assert_ptr_nonnull(json_object_get(r0, "gamma_flip"));
    ck_assert(json_is_null(json_object_get(r0, "gamma_flip")));
    ck_assert(json_is_true(json_object_get(r0, "market_open")));
    json_decref(d);
    expect_symbols("{}", "AAA,BBB,CCC,DDD");
    expect_symbols("{\"filters\":null,\"sort\":null,\"formulas\":[]}", "AAA,BBB,CCC,DDD");
}
END_TEST

START_TEST(test_leaves)
{
    expect_symbols("{\"filters\":{\"field\":\"regime\",\"operator\":\"eq\",\"value\":"
                   "\"negative_gamma\"}}",
                   "BBB,DDD");
    /* A comparison with a null field is false: CCC's atm_iv is null. */
    expect_symbols("{\"filters\":{\"field\":\"atm_iv\",\"operator\":\"neq\",\"value\":20}}", "BBB");
    expect_symbols("{\"filters\":{\"field\":\"atm_iv\",\"operator\":\"lte\",\"value\":20}}",
                   "AAA,DDD");
    expect_symbols("{\"filters\":{\"field\":\"atm_iv\",\"operator\":\"gt\",\"value\":20}}", "BBB");
    expect_symbols("{\"filters\":{\"field\":\"atm_iv\",\"operator\":\"gte\",\"value\":35}}", "BBB");
    expect_symbols("{\"filters\":{\"field\":\"net_gex\",\"operator\":\"lt\",\"value\":0}}",
                   "BBB,DDD");
    expect_symbols("{\"filters\":{\"field\":\"price\",\"operator\":\"between\",\"value\":[50,"
                   "100]}}",
                   "AAA,BBB,DDD"); /* inclusive at both ends */
    expect_symbols("{\"filters\":{\"field\":\"atm_iv\",\"operator\":\"is_null\"}}", "CCC");
    expect_symbols("{\"filters\":{\"field\":\"atm_iv\",\"operator\":\"is_not_null\"}}",
                   "AAA,BBB,DDD");
    expect_symbols("{\"filters\":{\"field\":\"regime\",\"operator\":\"in\",\"value\":["
                   "\"positive_gamma\",\"undetermined\"]}}",
                   "AAA,CCC");
    expect_symbols("{\"filters\":{\"field\":\"price\",\"operator\":\"in\",\"value\":[10,75]}}",
                   "CCC,DDD");
    expect_symbols("{\"filters\":{\"field\":\"market_open\",\"operator\":\"eq\",\"value\":false}}",
                   "BBB");
    /* The symbol compares ignoring case. */
    expect_symbols("{\"filters\":{\"field\":\"symbol\",\"operator\":\"eq\",\"value\":\"ddd\"}}",
                   "DDD");
    expect_symbols("{\"filters\":{\"field\":\"symbol\",\"operator\":\"in\",\"value\":["
                   "\"ddd\",\"Bbb\"]}}",
                   "BBB,DDD");
    /* other texts compare exactly */
    expect_symbols("{\"filters\":{\"field\":\"regime\",\"operator\":\"in\",\"value\":["
                   "\"Positive_Gamma\"]}}",
                   "");
}
END_TEST

START_TEST(test_groups)
{
    expect_symbols("{\"filters\":{\"op\":\"and\",\"conditions\":[{\"field\":\"atm_iv\","
                   "\"operator\":\"gte\",\"value\":0},{\"field\":\"atm_iv\",\"operator\":\"lte\","
                   "\"value\":500}]}}",
                   "AAA,BBB,DDD");
    expect_symbols("{\"filters\":{\"op\":\"or\",\"conditions\":[{\"field\":\"price\","
                   "\"operator\":\"lt\",\"value\":20},{\"field\":\"net_gex\",\"operator\":\"gt\","
                   "\"value\":0}]}}",
                   "AAA,CCC");
    /* Nested: negative gamma and (price > 60 or atm_iv > 30) */
    expect_symbols("{\"filters\":{\"op\":\"and\",\"conditions\":[{\"field\":\"regime\","
                   "\"operator\":\"eq\",\"value\":\"negative_gamma\"},{\"op\":\"or\","
                   "\"conditions\":[{\"field\":\"price\",\"operator\":\"gt\",\"value\":60},{"
                   "\"field\":\"atm_iv\",\"operator\":\"gt\",\"value\":30}]}]}}",
                   "BBB,DDD");
    expect_symbols("{\"filters\":{\"op\":\"and\",\"conditions\":[]}}", "AAA,BBB,CCC,DDD");
    expect_symbols("{\"filters\":{\"op\":\"or\",\"conditions\":[]}}", "");
}
END_TEST

START_TEST(test_sort_select_pages)
{
    /* Descending IV, nulls last, ties by symbol. */
    expect_symbols("{\"sort\":[{\"field\":\"atm_iv\",\"direction\":\"desc\"}]}", "BBB,AAA,DDD,CCC");
    expect_symbols("{\"sort\":[{\"field\":\"atm_iv\",\"direction\":\"asc\"}]}", "AAA,DDD,BBB,CCC");
    /* A second key breaks the first's ties (AAA and DDD have one IV; DDD is cheaper). */
    expect_symbols("{\"sort\":[{\"field\":\"atm_iv\",\"direction\":\"asc\"},{\"field\":\"price\","
                   "\"direction\":\"asc\"}]}",
                   "DDD,AAA,BBB,CCC");
    expect_symbols("{\"sort\":[{\"field\":\"regime\",\"direction\":\"asc\"}]}", "BBB,DDD,AAA,CCC");
    /* Pages: total_count is before them. */
    gex__api_answer ans;
    json_t *d = screen("{\"sort\":[{\"field\":\"price\",\"direction\":\"desc\"}],\"limit\":2,"
                       "\"offset\":1,\"select\":[\"price\",\"regime\"]}",
                       &ans);
    ck_assert_ptr_nonnull(d);
    char got[256];
    symbols_of(d, got, sizeof got);
    ck_assert_str_eq(got, "DDD,BBB"); /* 100, [75, 50], 10 */
    const json_t *m = json_object_get(d, "meta");
    ck_assert_int_eq(json_integer_value(json_object_get(m, "total_count")), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(m, "returned_count")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(m, "offset")), 1);
    /* The selected fields, and the symbol always first. */
    const json_t *r = json_array_get(json_object_get(d, "data"), 0);
    ck_assert_uint_eq(json_object_size(r), 3);
    ck_assert_str_eq(json_object_iter_key(json_object_iter((json_t *)r)), "symbol");
    ck_assert_double_eq(json_number_value(json_object_get(r, "price")), 75);
    ck_assert_str_eq(json_string_value(json_object_get(r, "regime")), "negative_gamma");
    json_decref(d);
    d = screen("{\"offset\":9}", &ans);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(json_array_size(json_object_get(d, "data")), 0);
    json_decref(d);
}
END_TEST

START_TEST(test_refusals)
{
    expect_refusal("{\"filters\":{\"field\":\"not_a_real_field_xyz\",\"operator\":\"eq\","
                   "\"value\":1}}",
                   "invalid_field", "/v1/screener/fields");
    expect_refusal("{\"filters\":{\"field\":\"iv_rank\",\"operator\":\"gte\",\"value\":65}}",
                   "invalid_field", "does not offer it");
    expect_refusal("{\"filters\":{\"field\":\"expiries.days_to_expiry\",\"operator\":\"lte\","
                   "\"value\":7}}",
                   "invalid_field", "cascading");
    expect_refusal("{\"filters\":{\"formula\":\"iv_premium\",\"operator\":\"gt\",\"value\":0}}",
                   "invalid_filter", "formulas");
    expect_refusal("{\"formulas\":[{\"alias\":\"x\",\"expression\":\"atm_iv - 1\"}]}",
                   "invalid_formula", "formulas");
    expect_refusal("{\"filters\":{\"field\":\"atm_iv\",\"operator\":\"like\",\"value\":1}}",
                   "invalid_operator", "is_not_null");
    expect_refusal("{\"filters\":{\"field\":\"regime\",\"operator\":\"gt\",\"value\":1}}",
                   "invalid_value", "regime");
    expect_refusal("{\"filters\":{\"field\":\"atm_iv\",\"operator\":\"eq\",\"value\":\"20\"}}",
                   "invalid_value", "number");
    expect_refusal("{\"filters\":{\"field\":\"atm_iv\",\"operator\":\"between\",\"value\":[1]}}",
                   "invalid_value", "[low, high]");
    expect_refusal("{\"filters\":{\"field\":\"regime\",\"operator\":\"in\",\"value\":[]}}",
                   "invalid_value", "non-empty");
    expect_refusal("{\"filters\":{\"op\":\"xor\",\"conditions\":[]}}", "invalid_filter", "\"or\"");
    expect_refusal("{\"filters\":[1]}", "invalid_filter", "must be an object");
    expect_refusal("{\"sort\":[{\"field\":\"atm_iv\",\"direction\":\"up\"}]}", "invalid_sort",
                   "\"desc\"");
    expect_refusal("{\"sort\":[{\"field\":\"vrp_assessment\"}]}", "invalid_field", "publish");
    expect_refusal("{\"select\":[\"symbol\",\"bogus\"]}", "invalid_field", "select[1]");
    expect_refusal("{\"limit\":0}", "invalid_limit", "1 to 50");
    expect_refusal("{\"limit\":51}", "invalid_limit", "1 to 50");
    expect_refusal("{\"offset\":-1}", "invalid_offset", ">= 0");
    expect_refusal("{\"filter\":{}}", "invalid_body", "filter");
    expect_refusal("[1,2]", "invalid_body", "object");
    expect_refusal("{\"limit\":", "invalid_body", "not JSON");
    /* Nested past the depth allowed. */
    char deep[2048] = "";
    for (int i = 0; i < 20; i++)
        strcat(deep, "{\"op\":\"and\",\"conditions\":[");
    for (int i = 0; i < 20; i++)
        strcat(deep, "]}");
    char body[2100];
    snprintf(body, sizeof body, "{\"filters\":%s}", deep);
    expect_refusal(body, "invalid_filter", "nest at most");
}
END_TEST

/* One symbol's row against the documents of the same analysis: the SPX fixture
 * (fixture-spx.h) with the file's quote of the underlying, the default carry. */
static gex_chain *fixture(void)
{
    gex_chain *chain = gex_test_spx_chain(0.0);
    const gex_underlying_quote q = {4512.0, 4513.0, 4512.37};
    ck_assert_int_eq(gex_chain_set_underlying_quote(chain, "SPX", &q), GEX_OK);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    return chain;
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_number(v), "%s is not a number", key);
    return json_number_value(v);
}

START_TEST(test_row_matches_the_other_documents)
{
    gex_chain *chain = fixture();
    gex__analysis a;
    memset(&a, 0, sizeof a);
    gex_analysis_options o;
    gex_analysis_options_default(&o);
    ck_assert_int_eq(gex_analysis_new(chain, &o, &a.an, NULL), GEX_OK);
    a.path = "fixture.csv";
    a.chain = chain;
    gex__analysis_fill(&a);
    gex__api_params p = {0};
    gex__api_input in = {.symbol = "SPX", .params = &p, .analysis = &a};
    gex__api_answer ans;
    json_t *row = gex__api_screener_row(&in, &ans);
    ck_assert_ptr_nonnull(row);
    json_t *sum = gex__document(GEX__DOC_SUMMARY, &a);
    json_t *lev = gex__document(GEX__DOC_LEVELS, &a);
    json_t *mp = gex__api_maxpain(&in, &ans);
    ck_assert_ptr_nonnull(sum);
    ck_assert_ptr_nonnull(lev);
    ck_assert_ptr_nonnull(mp);
    const json_t *ex = json_object_get(sum, "exposures");
    ck_assert_double_eq(num(row, "net_gex"), num(ex, "net_gex"));
    ck_assert_double_eq(num(row, "net_dex"), num(ex, "net_dex"));
    ck_assert_double_eq(num(row, "net_vex"), num(ex, "net_vex"));
    ck_assert_double_eq(num(row, "net_chex"), num(ex, "net_chex"));
    ck_assert_str_eq(json_string_value(json_object_get(row, "regime")),
                     json_string_value(json_object_get(sum, "regime")));
    ck_assert_double_eq(num(row, "price"), num(sum, "underlying_price"));
    ck_assert_str_eq(json_string_value(json_object_get(row, "as_of")),
                     json_string_value(json_object_get(sum, "as_of")));
    const json_t *lv = json_object_get(lev, "levels");
    static const char *const same[] = {
        "gamma_flip",         "call_wall",         "put_wall",       "max_positive_gamma",
        "max_negative_gamma", "highest_oi_strike", "zero_dte_magnet"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        ck_assert_msg(json_equal(json_object_get(row, same[i]), json_object_get(lv, same[i])),
                      "%s differs from the levels document's", same[i]);
    ck_assert_double_eq(num(row, "max_pain"), num(mp, "max_pain_strike"));
    const json_t *z = json_object_get(sum, "zero_dte");
    ck_assert_double_eq(num(row, "zero_dte_net_gex"), num(z, "net_gex"));
    ck_assert_double_eq(num(row, "zero_dte_pct_of_total"), num(z, "pct_of_total_gex"));
    /* The file's own quote of the underlying. */
    ck_assert_double_eq(num(row, "bid"), 4512.0);
    ck_assert_double_eq(num(row, "ask"), 4513.0);
    ck_assert_double_eq(num(row, "mid"), 4512.5);
    /* 30-day ATM IV: the fixture's IV at the money is about 13-16%. */
    ck_assert(num(row, "atm_iv") > 12 && num(row, "atm_iv") < 17);
    /* Open interest: the sums over the contracts (none expired at the quote instant). */
    double coi = 0, poi = 0;
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    for (size_t i = 0; i < v.n; i++)
        *(v.type[i] == GEX_CALL ? &coi : &poi) += v.open_interest[i];
    ck_assert_double_eq(num(row, "total_call_oi"), coi);
    ck_assert_double_eq(num(row, "total_put_oi"), poi);
    ck_assert_double_eq_tol(num(row, "pc_ratio_oi"), poi / coi, 1e-15);
    /* Every field /v1/screener/fields lists is in the row. */
    json_t *fields = gex__api_screener_fields(&in, &ans);
    const json_t *list = json_object_get(fields, "fields");
    ck_assert_int_eq(json_integer_value(json_object_get(fields, "count")),
                     (json_int_t)json_array_size(list));
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *name = json_string_value(json_object_get(json_array_get(list, i), "name"));
        ck_assert_msg(json_object_get(row, name) != NULL, "the row lacks %s", name);
        if (i > 0)
            ck_assert_msg(
                strcmp(json_string_value(json_object_get(json_array_get(list, i - 1), "name")),
                       name) < 0,
                "fields not sorted by name at %s", name);
    }
    json_decref(fields);
    /* The 25-delta skew; the VIX of the chain itself (SPX), or of the folder's SPX file. */
    ck_assert_double_eq(num(row, "skew_25d"), num(row, "put_iv_25d") - num(row, "call_iv_25d"));
    const double own = gex__vix_level(chain, 1);
    if (isfinite(own))
        ck_assert_double_eq(num(row, "vix"), own);
    else
        ck_assert(json_is_null(json_object_get(row, "vix")));
    gex__api_vix vix = {{13.1, 17.5, 18.2, 19.0}, 4500.0, "spx.csv", 0, 0, 0};
    in.vix = &vix;
    json_t *with_vix = gex__api_screener_row(&in, &ans);
    ck_assert_double_eq(num(with_vix, "vix"), 17.5);
    json_decref(with_vix);
    in.vix = NULL;
    /* Without a series (one file), the history fields are null and the flow risk is there. */
    ck_assert(json_is_null(json_object_get(row, "rv_20d")));
    ck_assert(json_is_null(json_object_get(row, "vrp_regime")));
    ck_assert(json_is_integer(json_object_get(row, "dealer_flow_risk")));
    json_decref(row);

    /* With 40 daily snapshots (this one the last, the others its copies at other spots on the
     * weekdays before it: a weekend's would be Friday's), the history fields are /v1/vrp's on
     * the same input. */
    enum { N = 40 };
    gex_snapshot snaps[N];
    gex_history_metrics ms[N];
    ck_assert_int_eq(gex_snapshot_from_analysis(a.an, &snaps[N - 1]), GEX_OK);
    int64_t t = snaps[N - 1].quote_time;
    for (int i = N - 2; i >= 0; i--) {
        do
            t -= 86400;
        while (gex_time_weekday(gex_time_eastern_date(t)) % 6 == 0);
        snaps[i] = snaps[N - 1];
        snaps[i].quote_time = t;
        snaps[i].spot *= 1.0 + 0.012 * sin(1.7 * i) + 0.004 * cos(0.3 * i * i);
    }
    ck_assert_int_eq(gex_history_metrics_compute(snaps, N, ms), GEX_OK);
    const gex__api_series se = {N, snaps, ms, NULL};
    in.series = &se;
    row = gex__api_screener_row(&in, &ans);
    json_t *vrp = gex__api_vrp(&in, &ans);
    ck_assert_ptr_nonnull(row);
    ck_assert_msg(vrp != NULL, "%s", ans.message);
    const json_t *vv = json_object_get(vrp, "vrp");
    static const char *const hist[] = {"rv_5d",   "rv_10d",  "rv_20d",  "rv_30d",  "vrp_5d",
                                       "vrp_10d", "vrp_20d", "vrp_30d", "z_score", "percentile"};
    for (size_t i = 0; i < sizeof hist / sizeof *hist; i++) {
        ck_assert_msg(!json_is_null(json_object_get(row, hist[i])), "%s is null", hist[i]);
        ck_assert_msg(json_equal(json_object_get(row, hist[i]), json_object_get(vv, hist[i])),
                      "%s differs from /v1/vrp's", hist[i]);
    }
    ck_assert_str_eq(
        json_string_value(json_object_get(row, "vrp_regime")),
        json_string_value(json_object_get(json_object_get(vrp, "regime"), "vrp_regime")));
    ck_assert(json_equal(json_object_get(row, "dealer_flow_risk"),
                         json_object_get(vrp, "dealer_flow_risk")));
    ck_assert(json_equal(json_object_get(row, "net_harvest_score"),
                         json_object_get(vrp, "net_harvest_score")));
    const double h = num(json_object_get(vrp, "gex_conditioned"), "harvest_score");
    ck_assert_double_eq(num(row, "harvest_score"), round(100.0 * h));
    json_decref(vrp);
    json_decref(row);
    json_decref(sum);
    json_decref(lev);
    json_decref(mp);
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api-screener");
    TCase *tc = tcase_create("screener");
    tcase_add_test(tc, test_empty_request_every_row);
    tcase_add_test(tc, test_leaves);
    tcase_add_test(tc, test_groups);
    tcase_add_test(tc, test_sort_select_pages);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_row_matches_the_other_documents);
    suite_add_tcase(s, tc);
    return gex_test_run(s);
}
