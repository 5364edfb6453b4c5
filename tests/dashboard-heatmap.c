/* The dashboard's gex-own documents (src/render/api-heatmap.c, SPEC 5.6) on a real SPX chain:
 * every heatmap cell equals a brute-force sum of the per-contract GEX of its strike and
 * expiration, each strike's cells sum to the chain's per-strike net GEX, the profile changes
 * sign across the flip it reports, and bad parameters get 400 with a message. Skips when
 * ../shared is absent. */
#include "gex-test.h"

#include <math.h>

#include "api.h"

static const char *spx_path(void)
{
    return gex_test_shared("chains/cboe_spx_2023-09-14_close.csv");
}

/* The real chain, read, prepared and analysed with the defaults: 0, or -1 when absent. */
static int analyse(gex__analysis *a)
{
    memset(a, 0, sizeof *a);
    const char *path = spx_path();
    if (path == NULL)
        return -1;
    a->path = path;
    gex_chain *chain = NULL;
    ck_assert_int_eq(gex_chain_read_path(path, NULL, &chain, &a->read, NULL), GEX_OK);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    ck_assert_int_eq(gex_chain_prepare(chain, &po, &a->prepare, NULL), GEX_OK);
    a->chain = chain;
    a->owns_chain = 1;
    ck_assert_int_eq(gex_analysis_new(chain, NULL, &a->an, NULL), GEX_OK);
    gex__analysis_fill(a);
    return 0;
}

static void release(gex__analysis *a)
{
    gex_analysis_free(a->an);
    gex_chain_free(a->chain);
}

/* Relative agreement of two sums of the same terms in another order. */
static int close_to(double x, double y)
{
    return fabs(x - y) <= 1e-9 * fmax(1.0, fmax(fabs(x), fabs(y)));
}

START_TEST(test_heatmap_cells_equal_brute_force_sums)
{
    gex__analysis a;
    if (analyse(&a) != 0) {
        puts("skipped: ../shared absent");
        return;
    }
    gex__api_params params = {0};
    gex__api_input in = {0};
    in.symbol = "SPX";
    in.params = &params;
    in.analysis = &a;
    gex__api_answer ans = {0};
    json_t *d = gex__api_heatmap(&in, &ans);
    ck_assert_msg(d != NULL, "%u %s", ans.status, ans.message);
    json_t *exps = json_object_get(d, "expirations");
    json_t *strikes = json_object_get(d, "strikes");
    json_t *grid = json_object_get(d, "net_gex");
    const size_t n_exp = json_array_size(exps), n_k = json_array_size(strikes);
    ck_assert_uint_gt(n_exp, 10);
    ck_assert_uint_gt(n_k, 100);
    ck_assert_uint_eq(json_array_size(grid), n_k);
    ck_assert_str_eq(json_string_value(json_object_get(d, "symbol")), "SPX");
    json_t *own = json_object_get(json_object_get(d, "meta"), "gex_own");
    ck_assert_str_eq(json_string_value(json_array_get(own, 0)), "heatmap");

    /* Brute force: every used contract's GEX, added to the cell of its strike and expiration. */
    const gex_chain *chain = gex_analysis_chain(a.an);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    gex_contract_exposures c;
    gex_exposure_get_contracts(a.exposure, &c);
    ck_assert_uint_eq(c.n, v.n);
    double *sum = calloc(n_exp * n_k, sizeof *sum);
    int *seen = calloc(n_exp * n_k, sizeof *seen);
    ck_assert_ptr_nonnull(sum);
    ck_assert_ptr_nonnull(seen);
    size_t used = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (!c.included[i])
            continue;
        used++;
        char iso[16];
        gex_time_format_date(v.expiration[i], iso, sizeof iso);
        size_t e = n_exp, k = n_k;
        for (size_t j = 0; j < n_exp; j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(exps, j), "expiration")),
                       iso) == 0)
                e = j;
        for (size_t j = 0; j < n_k; j++)
            if (json_real_value(json_array_get(strikes, j)) == v.strike[i])
                k = j;
        ck_assert_msg(e < n_exp && k < n_k, "contract %zu (%s %g) has no cell", i, iso,
                      v.strike[i]);
        sum[k * n_exp + e] += c.gex[i];
        seen[k * n_exp + e] = 1;
    }
    ck_assert_uint_eq(used, a.totals.used);
    size_t cells = 0;
    for (size_t k = 0; k < n_k; k++) {
        json_t *row = json_array_get(grid, k);
        ck_assert_uint_eq(json_array_size(row), n_exp);
        for (size_t e = 0; e < n_exp; e++) {
            json_t *cell = json_array_get(row, e);
            if (!seen[k * n_exp + e]) {
                ck_assert_msg(json_is_null(cell), "strike %zu expiration %zu: not null", k, e);
                continue;
            }
            cells++;
            ck_assert_msg(close_to(json_real_value(cell), sum[k * n_exp + e]),
                          "strike %g expiration %zu: %.17g, brute force %.17g",
                          json_real_value(json_array_get(strikes, k)), e, json_real_value(cell),
                          sum[k * n_exp + e]);
        }
    }
    ck_assert_uint_gt(cells, n_k);
    /* Each expiration's net_gex is its column's sum, and the columns add up to the chain's
     * per-strike rows (the breakdown partitions the used contracts). */
    const size_t n_rows = gex_exposure_strike_count(a.exposure);
    const gex_strike_row *rows = gex_exposure_strikes(a.exposure);
    ck_assert_uint_eq(n_rows, n_k);
    for (size_t k = 0; k < n_k; k++) {
        double across = 0.0;
        for (size_t e = 0; e < n_exp; e++)
            across += sum[k * n_exp + e];
        ck_assert_msg(close_to(across, rows[k].net_gex), "strike %g", rows[k].strike);
    }
    for (size_t e = 0; e < n_exp; e++) {
        double down = 0.0;
        for (size_t k = 0; k < n_k; k++)
            down += sum[k * n_exp + e];
        ck_assert(
            close_to(down, json_real_value(json_object_get(json_array_get(exps, e), "net_gex"))));
    }
    free(sum);
    free(seen);
    json_decref(d);
    release(&a);
}
END_TEST

START_TEST(test_profile_changes_sign_across_its_flip)
{
    gex__analysis a;
    if (analyse(&a) != 0) {
        puts("skipped: ../shared absent");
        return;
    }
    gex__api_params params = {2, {"range", "points"}, {"2.5", "201"}};
    gex__api_input in = {0};
    in.symbol = "SPX";
    in.params = &params;
    in.analysis = &a;
    gex__api_answer ans = {0};
    json_t *d = gex__api_profile(&in, &ans);
    ck_assert_msg(d != NULL, "%u %s", ans.status, ans.message);
    json_t *p = json_object_get(d, "profile");
    ck_assert_uint_eq(json_array_size(p), 201);
    const double flip = json_real_value(json_object_get(d, "gamma_flip"));
    ck_assert(a.levels.gamma_flip.has);
    ck_assert(flip == a.levels.gamma_flip.value);
    /* The grid spans spot +-2.5% evenly, and P changes sign between the points around the flip
     * (SPEC 1.6: the flip is a zero of P). */
    const double x0 = json_real_value(json_object_get(json_array_get(p, 0), "x"));
    const double x1 = json_real_value(json_object_get(json_array_get(p, 200), "x"));
    ck_assert(close_to(x0, a.spot * 0.975));
    ck_assert(close_to(x1, a.spot * 1.025));
    int crossed = 0;
    for (size_t i = 0; i + 1 < 201; i++) {
        const double xa = json_real_value(json_object_get(json_array_get(p, i), "x"));
        const double xb = json_real_value(json_object_get(json_array_get(p, i + 1), "x"));
        const double ya = json_real_value(json_object_get(json_array_get(p, i), "net_gex"));
        const double yb = json_real_value(json_object_get(json_array_get(p, i + 1), "net_gex"));
        if (xa <= flip && flip <= xb)
            crossed = (ya <= 0.0 && yb >= 0.0) || (ya >= 0.0 && yb <= 0.0);
    }
    ck_assert_msg(crossed, "P does not change sign around the flip %.6f", flip);
    json_decref(d);
    release(&a);
}
END_TEST

START_TEST(test_profile_refuses_bad_parameters)
{
    gex__analysis a;
    if (analyse(&a) != 0) {
        puts("skipped: ../shared absent");
        return;
    }
    const char *bad[][2] = {{"range", "0"},      {"range", "100"},  {"range", "abc"},
                            {"range", "nan"},    {"points", "1"},   {"points", "2.5"},
                            {"points", "99999"}, {"points", "12x"}, {"range", ""}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gex__api_params params = {1, {bad[i][0]}, {bad[i][1]}};
        gex__api_input in = {0};
        in.symbol = "SPX";
        in.params = &params;
        in.analysis = &a;
        gex__api_answer ans = {0};
        json_t *d = gex__api_profile(&in, &ans);
        ck_assert_msg(d == NULL, "%s=%s accepted", bad[i][0], bad[i][1]);
        ck_assert_uint_eq(ans.status, 400);
        ck_assert_str_eq(ans.code, "invalid_parameter");
        ck_assert_msg(strstr(ans.message, bad[i][0]) != NULL, "%s", ans.message);
    }
    release(&a);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dashboard-heatmap");
    TCase *tc = tcase_create("builders");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_heatmap_cells_equal_brute_force_sums);
    tcase_add_test(tc, test_profile_changes_sign_across_its_flip);
    tcase_add_test(tc, test_profile_refuses_bad_parameters);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(suite());
}
