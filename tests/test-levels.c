/* gex/levels.h and gex/vendor.h: the per-strike levels of SPEC 1.6 on hand-checkable tables and
 * on the vendor's own capture in ../shared/flashalpha, and the vendor response reader. */
#include "gex-test.h"

#include <gsl/gsl_errno.h>
#include <math.h>

#include "gex/levels.h"
#include "gex/profile.h"
#include "gex/regime.h"
#include "gex/vendor.h"
#include "test-exposure-ref.h"

/* A row with the gex fields set (net = call + put, as SPEC 1.5 builds them). */
static gex_strike_row row(double strike, double call_gex, double put_gex, double call_oi,
                          double put_oi)
{
    gex_strike_row r;
    memset(&r, 0, sizeof r);
    r.strike = strike;
    r.call_gex = call_gex;
    r.put_gex = put_gex;
    r.net_gex = call_gex + put_gex;
    r.call_oi = call_oi;
    r.put_oi = put_oi;
    return r;
}

START_TEST(test_flip_method_name_and_parse)
{
    gex_flip_method m = GEX_FLIP_PROFILE;
    ck_assert_str_eq(gex_flip_method_name(GEX_FLIP_PROFILE), "profile");
    ck_assert_str_eq(gex_flip_method_name(GEX_FLIP_STRIKE), "strike");
    ck_assert_ptr_null(gex_flip_method_name(2));
    ck_assert_ptr_null(gex_flip_method_name(-1));
    ck_assert_int_eq(gex_flip_method_parse("strike", &m), GEX_OK);
    ck_assert_int_eq(m, GEX_FLIP_STRIKE);
    ck_assert_int_eq(gex_flip_method_parse("profile", &m), GEX_OK);
    ck_assert_int_eq(m, GEX_FLIP_PROFILE);
    ck_assert_int_eq(gex_flip_method_parse("Strike", &m), GEX_EINVAL);
    ck_assert_int_eq(gex_flip_method_parse(NULL, &m), GEX_EINVAL);
    ck_assert_int_eq(gex_flip_method_parse("strike", NULL), GEX_EINVAL);
}
END_TEST

/* One sign change: the zero is the SPEC 1.6 interpolation, computed here by hand:
 * 101.5 + 2.5 * (1234.5 / (1234.5 + 3086.25)) = 101.5 + 2.5 * 0.2857142857... = 102.2142857... */
START_TEST(test_flip_strike_single_change)
{
    const double k[] = {99.0, 101.5, 104.0, 106.5};
    const double g[] = {-5000.25, -1234.5, 3086.25, 7000.75};
    gex_level flip;
    size_t changes = 99;
    ck_assert_int_eq(gex_levels_flip_strike(k, g, 4, 103.17, &flip, &changes), GEX_OK);
    ck_assert_int_eq(flip.has, 1);
    ck_assert_uint_eq(changes, 1);
    ck_assert_rel(flip.value, 101.5 + 2.5 * (1234.5 / 4320.75), 1e-15, 0);
    ck_assert_rel(flip.value, 102.21428571428571, 1e-15, 0);
}
END_TEST

/* Several sign changes: the zero nearest the spot wins, whichever side it is on. */
START_TEST(test_flip_strike_several_changes_nearest_spot)
{
    /* zeros at 10 + 5 * 0.5 = 12.5, 15 + 5 * 0.25 = 16.25, 20 + 5 * 0.75 = 23.75 */
    const double k[] = {10, 15, 20, 25};
    const double g[] = {-2, 2, -6, 2};
    gex_level flip;
    size_t changes = 0;
    ck_assert_int_eq(gex_levels_flip_strike(k, g, 4, 12.9, &flip, &changes), GEX_OK);
    ck_assert_uint_eq(changes, 3);
    ck_assert_double_eq(flip.value, 12.5);
    ck_assert_int_eq(gex_levels_flip_strike(k, g, 4, 14.9, &flip, NULL), GEX_OK);
    ck_assert_double_eq(flip.value, 16.25);
    ck_assert_int_eq(gex_levels_flip_strike(k, g, 4, 21.0, &flip, NULL), GEX_OK);
    ck_assert_double_eq(flip.value, 23.75);
    /* spot 14.375 is equidistant from 12.5 and 16.25: the lower zero (SPEC 1.6 ties) */
    ck_assert_int_eq(gex_levels_flip_strike(k, g, 4, 14.375, &flip, NULL), GEX_OK);
    ck_assert_double_eq(flip.value, 12.5);
}
END_TEST

START_TEST(test_flip_strike_no_change_is_null)
{
    const double k[] = {50.5, 51.5, 52.5};
    const double g[] = {3.25, 0.0, 7.5};
    gex_level flip = {1, 42};
    size_t changes = 99;
    ck_assert_int_eq(gex_levels_flip_strike(k, g, 3, 51.7, &flip, &changes), GEX_OK);
    ck_assert_int_eq(flip.has, 0);
    ck_assert_uint_eq(changes, 0);
    ck_assert_int_eq(gex_levels_flip_strike(NULL, NULL, 0, 51.7, &flip, &changes), GEX_OK);
    ck_assert_int_eq(flip.has, 0);
    ck_assert_uint_eq(changes, 0);
}
END_TEST

/* A zero row has no sign: the change is between the rows around it, interpolated between them:
 * 40 + 20 * (3 / (3 + 1)) = 55. */
START_TEST(test_flip_strike_zero_rows_skipped)
{
    const double k[] = {40, 50, 60};
    const double g[] = {-3, 0, 1};
    gex_level flip;
    size_t changes = 0;
    ck_assert_int_eq(gex_levels_flip_strike(k, g, 3, 49.0, &flip, &changes), GEX_OK);
    ck_assert_uint_eq(changes, 1);
    ck_assert_double_eq(flip.value, 55.0);
}
END_TEST

START_TEST(test_flip_strike_bad_input)
{
    const double k[] = {10, 15, 15};
    const double g[] = {-1, 1, 2};
    const double kk[] = {10, 15, 20};
    const double gn[] = {-1, NAN, 2};
    gex_level flip;
    ck_assert_int_eq(gex_levels_flip_strike(k, g, 3, 12, &flip, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_flip_strike(kk, gn, 3, 12, &flip, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_flip_strike(kk, g, 3, 0, &flip, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_flip_strike(kk, g, 3, NAN, &flip, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_flip_strike(kk, g, 3, INFINITY, &flip, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_flip_strike(NULL, g, 3, 12, &flip, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_flip_strike(kk, g, 3, 12, NULL, NULL), GEX_EINVAL);
}
END_TEST

/* Walls and extremes by hand, every tie rule of SPEC 1.6 exercised:
 * call_gex 4.5 at 95 and 105 (spot 100.2: 105 is 4.8 away, 95 is 5.2): call wall 105;
 * |put_gex| 7.25 at 97.5 and 102.5 (2.7 and 2.3 away): put wall 102.5;
 * net_gex: 95 -> 4.5 - 1 = 3.5, 97.5 -> 1 - 7.25 = -6.25, 100 -> 3.5 - 0 = 3.5,
 *          102.5 -> 0.5 - 7.25 = -6.75, 105 -> 4.5 - 1 = 3.5:
 *   max positive 3.5 at 95, 100, 105 -> 100 (nearest); max negative -6.75 at 102.5;
 * OI 30 at 97.5 and 102.5 (equidistant from spot 100 in the second case): the lower. */
START_TEST(test_levels_from_rows_ties)
{
    const gex_strike_row rows[] = {
        row(95, 4.5, -1, 10, 5),        row(97.5, 1, -7.25, 12, 18), row(100, 3.5, 0, 3, 4),
        row(102.5, 0.5, -7.25, 20, 10), row(105, 4.5, -1, 1, 2),
    };
    gex_levels lv;
    ck_assert_int_eq(gex_levels_from_rows(rows, 5, 100.2, &lv), GEX_OK);
    ck_assert_int_eq(lv.call_wall.has, 1);
    ck_assert_double_eq(lv.call_wall.value, 105);
    ck_assert_double_eq(lv.put_wall.value, 102.5);
    ck_assert_double_eq(lv.max_positive_gamma.value, 100);
    ck_assert_double_eq(lv.max_negative_gamma.value, 102.5);
    ck_assert_double_eq(lv.highest_oi_strike.value, 102.5); /* 2.3 away versus 2.7 */
    ck_assert_int_eq(lv.zero_dte_magnet.has, 0);
    ck_assert_int_eq(lv.flip_method, GEX_FLIP_STRIKE);
    ck_assert_uint_eq(lv.flip_evaluations, 0);
    /* sign changes of net: + - + - + : four, nearest to 100.2 is between 100 and 102.5:
     * 100 + 2.5 * (3.5 / (3.5 + 6.75)) = 100.85365853658537 */
    ck_assert_uint_eq(lv.flip_sign_changes, 4);
    ck_assert_rel(lv.gamma_flip.value, 100 + 2.5 * (3.5 / 10.25), 1e-15, 0);

    /* the same table seen from spot 100: OI 30 at 97.5 and 102.5 both 2.5 away -> 97.5; call
     * 4.5 at 95 and 105 both 5 away -> 95 */
    ck_assert_int_eq(gex_levels_from_rows(rows, 5, 100, &lv), GEX_OK);
    ck_assert_double_eq(lv.highest_oi_strike.value, 97.5);
    ck_assert_double_eq(lv.call_wall.value, 95);
    ck_assert_double_eq(lv.put_wall.value, 97.5);
}
END_TEST

/* Puts only: no call exposure, so no call wall and no positive gamma (null, not a strike of 0). */
START_TEST(test_levels_from_rows_puts_only)
{
    const gex_strike_row rows[] = {row(410, 0, -2.5e6, 0, 1200), row(415, 0, -9.75e6, 0, 800),
                                   row(420, 0, -4.125e6, 0, 3100)};
    gex_levels lv;
    ck_assert_int_eq(gex_levels_from_rows(rows, 3, 417.35, &lv), GEX_OK);
    ck_assert_int_eq(lv.call_wall.has, 0);
    ck_assert_int_eq(lv.max_positive_gamma.has, 0);
    ck_assert_int_eq(lv.put_wall.has, 1);
    ck_assert_double_eq(lv.put_wall.value, 415);
    ck_assert_double_eq(lv.max_negative_gamma.value, 415);
    ck_assert_double_eq(lv.highest_oi_strike.value, 420);
    ck_assert_int_eq(lv.gamma_flip.has, 0);
    ck_assert_uint_eq(lv.flip_sign_changes, 0);
}
END_TEST

START_TEST(test_levels_from_rows_empty_and_zero)
{
    gex_levels lv;
    ck_assert_int_eq(gex_levels_from_rows(NULL, 0, 100, &lv), GEX_OK);
    ck_assert_int_eq(lv.call_wall.has + lv.put_wall.has + lv.max_positive_gamma.has +
                         lv.max_negative_gamma.has + lv.highest_oi_strike.has + lv.gamma_flip.has,
                     0);
    /* rows with no exposure and no open interest: every level null */
    const gex_strike_row rows[] = {row(99, 0, 0, 0, 0), row(101, 0, 0, 0, 0)};
    ck_assert_int_eq(gex_levels_from_rows(rows, 2, 100, &lv), GEX_OK);
    ck_assert_int_eq(lv.call_wall.has + lv.put_wall.has + lv.max_positive_gamma.has +
                         lv.max_negative_gamma.has + lv.highest_oi_strike.has + lv.gamma_flip.has,
                     0);
}
END_TEST

START_TEST(test_levels_from_rows_bad_input)
{
    gex_strike_row rows[] = {row(99, 1, -2, 1, 1), row(101, 1, -2, 1, 1)};
    gex_levels lv;
    ck_assert_int_eq(gex_levels_from_rows(rows, 2, -1, &lv), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_from_rows(NULL, 2, 100, &lv), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_from_rows(rows, 2, 100, NULL), GEX_EINVAL);
    rows[1].call_oi = NAN;
    ck_assert_int_eq(gex_levels_from_rows(rows, 2, 100, &lv), GEX_EINVAL);
    rows[1].call_oi = 1;
    rows[1].strike = 99;
    ck_assert_int_eq(gex_levels_from_rows(rows, 2, 100, &lv), GEX_EINVAL);
}
END_TEST

/* The vendor's capture (shared/flashalpha/README.md): its live per-strike flip is reproduced to
 * the last bit, and the extremes it publishes one second later follow from the table. */
START_TEST(test_levels_vendor_capture)
{
    const char *path = gex_test_shared("flashalpha/exposure_gex_SPY_2026-05-27T175814Z.json");
    if (path == NULL) {
        printf("skipped: ../shared absent (flashalpha/exposure_gex_SPY_*.json)\n");
        return;
    }
    gex_vendor_response *v = NULL;
    gex_error err;
    gex_error_clear(&err);
    ck_assert_msg(gex_vendor_read_path(path, &v, &err) == GEX_OK, "%s", err.text);
    ck_assert_int_eq(v->kind, GEX_VENDOR_GEX);
    ck_assert_str_eq(v->symbol, "SPY");
    ck_assert_uint_eq(v->n_rows, 491);
    ck_assert_double_eq(v->underlying_price, 749.8);
    ck_assert_int_eq(v->gamma_flip.has, 1);
    ck_assert_double_eq(v->gamma_flip.value, 749.304001148812834);

    /* the invariants the README states hold on what gex read */
    double sum = 0;
    for (size_t i = 0; i < v->n_rows; i++) {
        ck_assert_double_eq(v->rows[i].net_gex, v->rows[i].call_gex + v->rows[i].put_gex);
        sum += v->rows[i].net_gex;
    }
    ck_assert_double_eq(sum, v->net);

    double *k = malloc(v->n_rows * sizeof *k), *g = malloc(v->n_rows * sizeof *g);
    ck_assert_ptr_nonnull(k);
    ck_assert_ptr_nonnull(g);
    for (size_t i = 0; i < v->n_rows; i++) {
        k[i] = v->rows[i].strike;
        g[i] = v->rows[i].net_gex;
    }
    gex_level flip;
    size_t changes = 0;
    ck_assert_int_eq(gex_levels_flip_strike(k, g, v->n_rows, v->underlying_price, &flip, &changes),
                     GEX_OK);
    ck_assert_int_eq(flip.has, 1);
    ck_assert_double_eq(flip.value, 749.304001148812834); /* exactly, not within a tolerance */
    ck_assert_uint_eq(changes, 39);
    free(k);
    free(g);

    gex_levels lv;
    ck_assert_int_eq(gex_levels_from_rows(v->rows, v->n_rows, v->underlying_price, &lv), GEX_OK);
    ck_assert_double_eq(lv.gamma_flip.value, 749.304001148812834);
    ck_assert_double_eq(lv.max_positive_gamma.value, 750);
    ck_assert_double_eq(lv.max_negative_gamma.value, 749);
    ck_assert_double_eq(lv.highest_oi_strike.value, 700);
    /* SPEC 1.6 on this table gives both walls at 750; the vendor's 751 and 749 follow from no
     * simple rule on it (shared/flashalpha/README.md), so they are not asserted here. */
    ck_assert_double_eq(lv.call_wall.value, 750);
    ck_assert_double_eq(lv.put_wall.value, 750);
    /* gex's own: the support (largest |put GEX| at or below the spot, 749.8) is the vendor's
     * put wall, 749, on its own table; the resistance (largest call GEX at or above it) is 750,
     * not the vendor's 751; the absolute-gamma strike (call + |put|) is 750. */
    ck_assert_int_eq(lv.support.has, 1);
    ck_assert_double_eq(lv.support.value, 749);
    ck_assert_double_eq(lv.resistance.value, 750);
    ck_assert_double_eq(lv.abs_gamma_strike.value, 750);
    gex_vendor_free(v);

    path = gex_test_shared("flashalpha/exposure_levels_SPY_2026-05-27T175815Z.json");
    ck_assert_ptr_nonnull(path);
    ck_assert_msg(gex_vendor_read_path(path, &v, &err) == GEX_OK, "%s", err.text);
    ck_assert_int_eq(v->kind, GEX_VENDOR_LEVELS);
    ck_assert_double_eq(v->underlying_price, 749.87);
    ck_assert_double_eq(v->levels.gamma_flip.value, 749.304001148812834);
    ck_assert_double_eq(v->levels.max_positive_gamma.value, lv.max_positive_gamma.value);
    ck_assert_double_eq(v->levels.max_negative_gamma.value, lv.max_negative_gamma.value);
    ck_assert_double_eq(v->levels.highest_oi_strike.value, lv.highest_oi_strike.value);
    ck_assert_double_eq(v->levels.call_wall.value, 751);
    ck_assert_double_eq(v->levels.put_wall.value, 749);
    ck_assert_double_eq(v->levels.zero_dte_magnet.value, 749);
    ck_assert_ptr_null(v->rows);
    gex_vendor_free(v);
}
END_TEST

START_TEST(test_vendor_read_kinds_and_nulls)
{
    const char dex[] = "{\"symbol\":\"QQQ\",\"underlying_price\":512.37,\"as_of\":\"x\","
                       "\"net_dex\":-3.5,\"strikes\":[{\"strike\":510,\"call_dex\":1.25,"
                       "\"put_dex\":-4.75,\"net_dex\":-3.5}]}";
    gex_vendor_response *v = NULL;
    ck_assert_int_eq(gex_vendor_read_buffer(dex, strlen(dex), "dex.json", &v, NULL), GEX_OK);
    ck_assert_int_eq(v->kind, GEX_VENDOR_DEX);
    ck_assert_str_eq(gex_vendor_kind_name(v->kind), "dex");
    ck_assert_uint_eq(v->n_rows, 1);
    ck_assert_double_eq(v->rows[0].put_dex, -4.75);
    ck_assert_double_eq(v->rows[0].call_gex, 0);
    ck_assert_double_eq(v->net, -3.5);
    ck_assert_int_eq(v->gamma_flip.has, 0);
    gex_vendor_free(v);

    const char gex[] = "{\"symbol\":\"SPX\",\"underlying_price\":6012.5,\"as_of\":\"y\","
                       "\"gamma_flip\":null,\"net_gex\":0,\"strikes\":[]}";
    ck_assert_int_eq(gex_vendor_read_buffer(gex, strlen(gex), NULL, &v, NULL), GEX_OK);
    ck_assert_int_eq(v->kind, GEX_VENDOR_GEX);
    ck_assert_int_eq(v->gamma_flip.has, 0);
    ck_assert_uint_eq(v->n_rows, 0);
    gex_vendor_free(v);
    gex_vendor_free(NULL);
    ck_assert_ptr_null(gex_vendor_kind_name(GEX_VENDOR_KIND_COUNT));
}
END_TEST

START_TEST(test_vendor_read_errors)
{
    gex_vendor_response *v = (gex_vendor_response *)&v;
    gex_error err;
    const char bad[] = "{\"net_gex\": 1,\n \"strikes\": [}";
    ck_assert_int_eq(gex_vendor_read_buffer(bad, strlen(bad), "bad.json", &v, &err), GEX_EPARSE);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(err.line, 2);
    ck_assert_str_eq(err.file, "bad.json");

    const char unknown[] = "{\"symbol\":\"SPY\",\"underlying_price\":1}";
    ck_assert_int_eq(gex_vendor_read_buffer(unknown, strlen(unknown), "u.json", &v, &err),
                     GEX_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "net_gex"));

    const char missing[] = "{\"symbol\":\"SPY\",\"underlying_price\":1,\"net_gex\":2,"
                           "\"strikes\":[{\"strike\":1,\"call_gex\":1,\"put_gex\":\"x\","
                           "\"net_gex\":1}]}";
    ck_assert_int_eq(gex_vendor_read_buffer(missing, strlen(missing), "m.json", &v, &err),
                     GEX_EFORMAT);
    ck_assert_str_eq(err.text, "strikes[0].put_gex is the string \"x\", where a number is "
                               "required; pass the API's response unchanged, or a document of "
                               "its shape (as gex's JSON documents are)");

    const char no_strikes[] = "{\"underlying_price\":1,\"net_vex\":2}";
    ck_assert_int_eq(gex_vendor_read_buffer(no_strikes, strlen(no_strikes), "s.json", &v, &err),
                     GEX_EFORMAT);
    ck_assert_str_eq(err.text, "strikes is missing, where an array of per-strike rows is "
                               "required; pass the API's response unchanged, or a document of "
                               "its shape (as gex's JSON documents are)");

    const char no_price[] = "{\"levels\":{}}";
    ck_assert_int_eq(gex_vendor_read_buffer(no_price, strlen(no_price), "p.json", &v, &err),
                     GEX_EFORMAT);
    ck_assert_str_eq(err.text, "underlying_price is missing, where a number is required; pass "
                               "the API's response unchanged, or a document of its shape (as "
                               "gex's JSON documents are)");

    const char bad_level[] = "{\"underlying_price\":1,\"levels\":{\"call_wall\":\"751\"}}";
    ck_assert_int_eq(gex_vendor_read_buffer(bad_level, strlen(bad_level), "l.json", &v, &err),
                     GEX_EFORMAT);
    ck_assert_str_eq(err.text, "levels.call_wall is the string \"751\", where a number is "
                               "required; pass the API's response unchanged, or a document of "
                               "its shape (as gex's JSON documents are)");

    const char object_level[] = "{\"underlying_price\":1,\"levels\":{\"put_wall\":{\"a\":1}}}";
    ck_assert_int_eq(gex_vendor_read_buffer(object_level, strlen(object_level), "l.json", &v, &err),
                     GEX_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "levels.put_wall is an object, where a number"));

    const char array[] = "[1, 2]";
    ck_assert_int_eq(gex_vendor_read_buffer(array, strlen(array), "a.json", &v, &err), GEX_EFORMAT);

    ck_assert_int_eq(gex_vendor_read_path("/nonexistent/gex-vendor.json", &v, &err), GEX_EIO);
    ck_assert_ptr_nonnull(strstr(err.text, "cannot open"));
    ck_assert_int_eq(gex_vendor_read_buffer(NULL, 3, "x", &v, &err), GEX_EINVAL);
    ck_assert_int_eq(gex_vendor_read_buffer(array, strlen(array), "x", NULL, &err), GEX_EINVAL);
    ck_assert_int_eq(gex_vendor_read_path(NULL, &v, &err), GEX_EINVAL);
}
END_TEST

/* --- levels, profile, regime and hedging of hand-built chains --- */

/* 2024-03-20 at hh:mm New York (EDT, UTC-4). */
static int64_t new_york(int hh, int mm)
{
    return (int64_t)gex_time_days_from_civil(2024, 3, 20) * 86400 + (hh + 4) * 3600 + mm * 60;
}

static int32_t day(int m, int d)
{
    return gex_time_days_from_civil(2024, m, d);
}

/* Builds chain c (expiration slots: 0 = 2024-03-20, 1 = 2024-03-22, 2 = 2024-04-19). */
static gex_chain *slots_chain(const ref_contract *c, size_t n, double spot, int64_t quote)
{
    ref_contract *cc = malloc(n * sizeof *cc);
    ck_assert_ptr_nonnull(cc);
    const int32_t dates[] = {day(3, 20), day(3, 22), day(4, 19)};
    for (size_t i = 0; i < n; i++) {
        cc[i] = c[i];
        cc[i].expiration = dates[c[i].expiration];
    }
    gex_chain *chain = ref_chain(cc, n, spot, quote);
    free(cc);
    ck_assert_ptr_nonnull(chain);
    return chain;
}

static gex_exposure *compute(const gex_chain *chain, const gex_exposure_options *o)
{
    gex_exposure *e = NULL;
    ck_assert_int_eq(gex_exposure_compute(chain, o, &e), GEX_OK);
    return e;
}

/* The zeros of the reference P in [0.5 S, 1.5 S]: a scan of 4000 cells, each sign change
 * bisected to 1e-13 S. Returns how many (up to max). */
static size_t ref_zeros(const gex_chain *chain, const gex_exposure *e, double S, double *z,
                        size_t max)
{
    const size_t cells = 4000;
    size_t n = 0;
    double x0 = 0.5 * S, p0 = ref_profile(chain, e, x0, NULL);
    for (size_t i = 1; i <= cells; i++) {
        const double x1 = 0.5 * S + S * (double)i / (double)cells;
        const double p1 = ref_profile(chain, e, x1, NULL);
        if ((p0 < 0 && p1 > 0) || (p0 > 0 && p1 < 0)) {
            double a = x0, b = x1, pa = p0;
            while (b - a > 1e-13 * S) {
                const double m = 0.5 * (a + b), pm = ref_profile(chain, e, m, NULL);
                if ((pm < 0) == (pa < 0)) {
                    a = m;
                    pa = pm;
                } else {
                    b = m;
                }
            }
            if (n < max)
                z[n] = 0.5 * (a + b);
            n++;
        }
        x0 = x1;
        p0 = p1;
    }
    return n;
}

/* The zero nearest S among z[0..n). */
static double nearest(const double *z, size_t n, double S)
{
    double best = z[0];
    for (size_t i = 1; i < n; i++)
        if (fabs(z[i] - S) < fabs(best - S))
            best = z[i];
    return best;
}

/* P(flip) is zero to the solver's tolerance: P changes sign across [flip - tol, flip + tol]. */
static void assert_sign_change_at(const gex_chain *chain, const gex_exposure *e, double flip,
                                  double S)
{
    const double tol = GEX_FLIP_XTOL * S;
    const double x[2] = {flip - tol, flip + tol};
    double p[2];
    ck_assert_int_eq(gex_profile_eval(e, x, 2, p), GEX_OK);
    ck_assert_msg((p[0] <= 0 && p[1] >= 0) || (p[0] >= 0 && p[1] <= 0),
                  "P(%.17g) = %g and P(%.17g) = %g have the same sign", x[0], p[0], x[1], p[1]);
}

/* A one-month SPX book: puts below the spot, calls above, a steeper put skew. */
#define SPOT_B 5123.37
static const ref_contract chain_b[] = {
    {2, 4900, GEX_PUT, 0.205, 6000, NAN}, {2, 5000, GEX_PUT, 0.181, 9000, NAN},
    {2, 5050, GEX_CALL, 0.166, 1200, 5},  {2, 5200, GEX_CALL, 0.139, 7000, 44},
    {2, 5300, GEX_CALL, 0.128, 5000, 9},
};

/* The grid every profile uses: lo + (hi - lo) i / (n - 1), bit for bit, the ends included
 * (the profile command's, which gex_profile_grid's step times i differed from in the last bit
 * at 5 of 81 points of +-20% around 7483.26); gex_profile_grid takes the same spots. */
START_TEST(test_profile_spots_formula)
{
    const double lo = 7483.26 * 0.8, hi = 7483.26 * 1.2;
    double x[81], gx[81], gp[81];
    ck_assert_int_eq(gex_profile_spots(lo, hi, 81, x), GEX_OK);
    for (size_t i = 0; i < 81; i++)
        ck_assert_double_eq(x[i], lo + (hi - lo) * (double)i / 80.0);
    ck_assert_double_eq(x[0], lo);
    ck_assert_double_eq(x[80], hi); /* hi <= 2 lo: the span is exact (Sterbenz) */
    gex_chain *chain = slots_chain(chain_b, 5, SPOT_B, new_york(14, 30));
    gex_exposure *e = compute(chain, NULL);
    ck_assert_int_eq(gex_profile_grid(e, lo, hi, 81, gx, gp), GEX_OK);
    ck_assert_mem_eq(gx, x, sizeof x);
    ck_assert_int_eq(gex_profile_spots(lo, hi, 1, x), GEX_EINVAL);
    ck_assert_int_eq(gex_profile_spots(hi, lo, 5, x), GEX_EINVAL);
    ck_assert_int_eq(gex_profile_spots(0, hi, 5, x), GEX_EINVAL);
    ck_assert_int_eq(gex_profile_spots(lo, HUGE_VAL, 5, x), GEX_EINVAL);
    ck_assert_int_eq(gex_profile_spots(lo, hi, 5, NULL), GEX_EINVAL);
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* P against the reference, and P(S) against the exposure's own net GEX. */
START_TEST(test_profile_eval_matches_reference)
{
    gex_chain *chain = slots_chain(chain_b, 5, SPOT_B, new_york(14, 30));
    gex_exposure *e = compute(chain, NULL);
    const double x[] = {2600.5, 4870.25, SPOT_B, 5211.75, 7600.125};
    double p[5];
    ck_assert_int_eq(gex_profile_eval(e, x, 5, p), GEX_OK);
    for (size_t i = 0; i < 5; i++) {
        double gross;
        const double ref = ref_profile(chain, e, x[i], &gross);
        /* SPEC 1.3: each gamma within 1e-9 relative; the sum within 1e-9 of its gross */
        ck_assert_rel(p[i], ref, 1e-9, 1e-9 * gross);
    }
    gex_exposure_totals t;
    gex_exposure_get_totals(e, &t);
    /* the same greeks summed in another order: 1e-12 of the gross */
    ck_assert_rel(p[2], t.net_gex, 1e-12, 1e-12 * t.gross_gex);

    double gx[GEX_PROFILE_POINTS], gp[GEX_PROFILE_POINTS];
    ck_assert_int_eq(gex_profile_grid(e, 0, 0, GEX_PROFILE_POINTS, gx, gp), GEX_OK);
    ck_assert_double_eq(gx[0], 0.5 * SPOT_B);
    ck_assert_double_eq(gx[GEX_PROFILE_POINTS - 1], 1.5 * SPOT_B);
    ck_assert_rel(gx[100], SPOT_B, 1e-15, 0);
    ck_assert_rel(gx[1] - gx[0], 0.005 * SPOT_B, 1e-12, 0);
    for (size_t i = 0; i < GEX_PROFILE_POINTS; i += 50) {
        double one;
        ck_assert_int_eq(gex_profile_eval(e, &gx[i], 1, &one), GEX_OK);
        ck_assert_double_eq(one, gp[i]);
    }
    ck_assert_int_eq(gex_profile_grid(e, 5000, 5250, 2, gx, gp), GEX_OK);
    ck_assert_double_eq(gx[1], 5250);

    ck_assert_int_eq(gex_profile_grid(e, 0, 0, 1, gx, gp), GEX_EINVAL);
    ck_assert_int_eq(gex_profile_grid(e, 5250, 5000, 5, gx, gp), GEX_EINVAL);
    ck_assert_int_eq(gex_profile_grid(e, -1, 5000, 5, gx, gp), GEX_EINVAL);
    const double bad[] = {5000, 0};
    ck_assert_int_eq(gex_profile_eval(e, bad, 2, p), GEX_EINVAL);
    ck_assert_int_eq(gex_profile_eval(e, x, 1, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_profile_eval(NULL, x, 1, p), GEX_EINVAL);
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* One contract in the shares unit: P(x) is 100 gamma(x), and the profile's kernel agrees with
 * gex_bs_greeks within 1e-13 relative for a one-month contract (d1 from -30 to +6.5), and
 * within the 1e-12 SPEC 1.3 allows a vectorised path for a 0DTE contract 90 minutes before
 * the close (sigma sqrt(T) = 0.0017) within 1% of its strike (d1 up to 6); a put's gamma is the
 * call's. */
START_TEST(test_profile_eval_single_contract_equals_bs)
{
    for (int which = 0; which < 4; which++) {
        const int type = which % 2 ? GEX_PUT : GEX_CALL, zero_dte = which >= 2;
        const ref_contract c[] = {{zero_dte ? 0 : 2, 5125, type, 0.1437, 1, NAN}};
        gex_chain *chain = slots_chain(c, 1, SPOT_B, new_york(14, 30));
        gex_exposure_options o;
        gex_exposure_options_default(&o);
        o.gex_unit = GEX_UNIT_SHARES;
        gex_exposure *e = compute(chain, &o);
        gex_chain_view v;
        gex_chain_get_view(chain, &v);
        const double month[] = {1480.5, 2900.5, 4876.5, 5124.99, 5125, 5400.75, 6700.125};
        const double today[] = {5075.5, 5101.25, 5118.5, 5124.99, 5125, 5131.75, 5174.125};
        const double *x = zero_dte ? today : month;
        double p[7];
        ck_assert_int_eq(gex_profile_eval(e, x, 7, p), GEX_OK);
        for (size_t i = 0; i < 7; i++) {
            gex_greeks g;
            ck_assert_int_eq(gex_bs_greeks(type, x[i], 5125, v.T[0], 0.1437, REF_RATE, REF_DIV, &g),
                             GEX_BS_OK);
            const double s = type == GEX_CALL ? 1 : -1;
            ck_assert_rel(p[i], s * 100 * g.gamma, zero_dte ? 1e-12 : 1e-13, 0);
        }
        gex_exposure_free(e);
        gex_chain_free(chain);
    }
}
END_TEST

/* The profile flip is the reference zero nearest the spot; P changes sign across it; at most
 * 40 evaluations of P. */
START_TEST(test_flip_profile_matches_reference_zero)
{
    gex_chain *chain = slots_chain(chain_b, 5, SPOT_B, new_york(14, 30));
    gex_exposure *e = compute(chain, NULL);
    double z[16];
    const size_t nz = ref_zeros(chain, e, SPOT_B, z, 16);
    ck_assert_uint_ge(nz, 1);
    gex_level flip;
    size_t evals = 0, changes = 0;
    ck_assert_int_eq(gex_levels_flip_profile(e, &flip, &evals, &changes), GEX_OK);
    ck_assert_int_eq(flip.has, 1);
    /* the search stops once no zero nearer than the flip can remain: it sees at least that one
     * sign change and at most all of them */
    ck_assert_uint_ge(changes, 1);
    ck_assert_uint_le(changes, nz);
    ck_assert_uint_le(evals, 40);
    ck_assert_uint_gt(evals, 2);
    /* the greeks' 1e-9 relative accuracy moves a zero by at most 1e-9 gross / |P'|, well
     * under 1e-7 S on this book */
    ck_assert_rel(flip.value, nearest(z, nz, SPOT_B), 1e-7, 0);
    assert_sign_change_at(chain, e, flip.value, SPOT_B);

    /* P in point or shares is P in pct divided by x / 100 or x^2 / 100: the same zeros */
    for (int unit = GEX_UNIT_POINT; unit <= GEX_UNIT_SHARES; unit++) {
        gex_exposure_options o;
        gex_exposure_options_default(&o);
        o.gex_unit = (gex_gex_unit)unit;
        gex_exposure *eu = compute(chain, &o);
        gex_level fu;
        ck_assert_int_eq(gex_levels_flip_profile(eu, &fu, NULL, NULL), GEX_OK);
        ck_assert_double_le(fabs(fu.value - flip.value), 2 * GEX_FLIP_XTOL * SPOT_B);
        gex_exposure_free(eu);
    }

    gex_levels lv;
    ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_PROFILE, &lv), GEX_OK);
    ck_assert_int_eq(lv.flip_method, GEX_FLIP_PROFILE);
    ck_assert_double_eq(lv.gamma_flip.value, flip.value);
    ck_assert_uint_eq(lv.flip_evaluations, evals);
    ck_assert_double_eq(lv.call_wall.value, 5200);
    ck_assert_double_eq(lv.put_wall.value, 5000);
    ck_assert_double_eq(lv.highest_oi_strike.value, 5000);
    ck_assert_int_eq(lv.zero_dte_magnet.has, 0);
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* Several zeros: puts, calls, puts, calls a few percent apart. The nearest to the spot wins,
 * whichever side; each spot picks its own. */
START_TEST(test_flip_profile_several_zeros)
{
    static const ref_contract c[] = {
        {2, 4600, GEX_PUT, 0.17, 8000, NAN},
        {2, 4950, GEX_CALL, 0.17, 8000, NAN},
        {2, 5300, GEX_PUT, 0.17, 8000, NAN},
        {2, 5650, GEX_CALL, 0.17, 8000, NAN},
    };
    const double spots[] = {4801.3, 5107.9, 5512.6};
    for (size_t k = 0; k < 3; k++) {
        gex_chain *chain = slots_chain(c, 4, spots[k], new_york(14, 30));
        gex_exposure *e = compute(chain, NULL);
        double z[16];
        const size_t nz = ref_zeros(chain, e, spots[k], z, 16);
        ck_assert_uint_ge(nz, 3);
        gex_level flip;
        size_t evals = 0, changes = 0;
        ck_assert_int_eq(gex_levels_flip_profile(e, &flip, &evals, &changes), GEX_OK);
        ck_assert_uint_ge(changes, 1);
        ck_assert_uint_le(changes, nz);
        ck_assert_uint_le(evals, 60);
        ck_assert_rel(flip.value, nearest(z, nz, spots[k]), 1e-7, 0);
        assert_sign_change_at(chain, e, flip.value, spots[k]);
        gex_exposure_free(e);
        gex_chain_free(chain);
    }
}
END_TEST

/* No sign change: calls only (P > 0), puts only (P < 0), and an empty selection (P = 0):
 * the flip is null, after the grid alone. */
START_TEST(test_flip_profile_no_sign_change_is_null)
{
    static const ref_contract calls[] = {{2, 5100, GEX_CALL, 0.15, 100, NAN},
                                         {2, 5200, GEX_CALL, 0.14, 300, NAN}};
    static const ref_contract puts[] = {{2, 5000, GEX_PUT, 0.19, 700, NAN},
                                        {1, 5100, GEX_PUT, 0.16, 300, NAN},
                                        {2, 5100, GEX_PUT, 0.17, 1100, NAN}};
    gex_level flip;
    size_t evals = 0, changes = 9;
    for (int which = 0; which < 3; which++) {
        gex_chain *chain = which == 0 ? slots_chain(calls, 2, 5150.5, new_york(10, 5))
                                      : slots_chain(puts, 3, 5150.5, new_york(10, 5));
        gex_exposure_options o;
        gex_exposure_options_default(&o);
        o.max_dte = which == 2 ? 0 : -1; /* nothing expires on the quote date */
        gex_exposure *e = compute(chain, &o);
        ck_assert_int_eq(gex_levels_flip_profile(e, &flip, &evals, &changes), GEX_OK);
        ck_assert_int_eq(flip.has, 0);
        ck_assert_uint_eq(changes, 0);
        /* the whole interval searched: every cell of the grid at least once; the empty book
         * none (P = 0 needs no evaluation) */
        if (which == 2)
            ck_assert_uint_eq(evals, 0);
        else
            ck_assert_uint_ge(evals, 2 * GEX_FLIP_GRID_HALF + 1);
        gex_levels lv;
        ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_PROFILE, &lv), GEX_OK);
        ck_assert_int_eq(lv.gamma_flip.has, 0);
        ck_assert_int_eq(lv.call_wall.has, which == 0);
        ck_assert_int_eq(lv.put_wall.has, which == 1);
        ck_assert_int_eq(lv.max_negative_gamma.has, which == 1);
        if (which == 1) {
            ck_assert_double_eq(lv.put_wall.value, 5100); /* 1400 puts at 5100 near the spot */
            ck_assert_double_eq(lv.highest_oi_strike.value, 5100);
        }
        ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_STRIKE, &lv), GEX_OK);
        ck_assert_int_eq(lv.gamma_flip.has, 0);
        gex_exposure_free(e);
        gex_chain_free(chain);
    }
}
END_TEST

/* A 0DTE book an hour before the close with its strikes 30% from the spot: every gamma
 * underflows to exactly 0 between them (d1 beyond 38), so P is exactly 0 on the grid points
 * there, negative below, positive above. Its zero is where the put's and the call's terms
 * balance, ln(0.31) + d_put^2 / 2 = ln(0.22) + d_call^2 / 2 (equal open interest, one T), at
 * 5177.1256 (scipy's brentq on that equation, r - q = 0.032): found on f scaled by its largest
 * term, whatever the spot on the plateau (flat carry). It was the spot itself, the plateau's
 * point nearest it. */
START_TEST(test_flip_profile_zero_plateau)
{
    static const ref_contract c[] = {{0, 3600, GEX_PUT, 0.31, 5000, NAN},
                                     {0, 6700, GEX_CALL, 0.22, 5000, NAN}};
    const double spots[] = {5150.25, 4500.0, 5900.0};
    for (size_t k = 0; k < sizeof spots / sizeof spots[0]; k++) {
        const double S = spots[k];
        gex_chain *chain = slots_chain(c, 2, S, new_york(15, 0));
        gex_exposure *e = compute(chain, NULL);
        double p;
        ck_assert_int_eq(gex_profile_eval(e, &S, 1, &p), GEX_OK);
        ck_assert_double_eq(p, 0);
        gex_level flip;
        size_t evals = 0, changes = 0;
        ck_assert_int_eq(gex_levels_flip_profile(e, &flip, &evals, &changes), GEX_OK);
        ck_assert_int_eq(flip.has, 1);
        ck_assert_msg(fabs(flip.value - 5177.125625149077) <= 2 * GEX_FLIP_XTOL * S,
                      "spot %g: flip %.12g", S, flip.value);
        ck_assert_uint_eq(changes, 1);
        gex_exposure_free(e);
        gex_chain_free(chain);
    }
}
END_TEST

/* Continuity in the spot (SPEC 1.6; the vendor reports a $215 jump of its per-strike flip for a
 * $0.13 move). Around a strike whose net GEX has the opposite sign of its neighbours the
 * per-strike method has a zero on each side; a spot one cent either side of their midpoint
 * switches it from one to the other, a jump of a strike interval. P does not depend on the spot
 * (IV and T held), so the profile flip stays within the solver's tolerance. */
START_TEST(test_flip_profile_continuous_in_spot)
{
    static const ref_contract c[] = {
        {2, 4950, GEX_PUT, 0.19, 20000, NAN},  {2, 5095, GEX_CALL, 0.16, 3000, NAN},
        {2, 5100, GEX_PUT, 0.16, 4500, NAN},   {2, 5105, GEX_CALL, 0.16, 3000, NAN},
        {2, 5250, GEX_CALL, 0.14, 20000, NAN},
    };
    /* the two per-strike zeros around 5100 at a first spot, and their midpoint */
    gex_chain *chain = slots_chain(c, 5, 5100.0, new_york(11, 45));
    gex_exposure *e = compute(chain, NULL);
    gex_levels lv;
    ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_STRIKE, &lv), GEX_OK);
    const gex_strike_row *rows = gex_exposure_strikes(e);
    ck_assert_uint_eq(gex_exposure_strike_count(e), 5);
    ck_assert(rows[1].net_gex > 0 && rows[2].net_gex < 0 && rows[3].net_gex > 0);
    const double z1 = rows[1].strike + 5 * (rows[1].net_gex / (rows[1].net_gex - rows[2].net_gex));
    const double z2 = rows[2].strike + 5 * (-rows[2].net_gex / (rows[3].net_gex - rows[2].net_gex));
    const double mid = 0.5 * (z1 + z2);
    gex_exposure_free(e);
    gex_chain_free(chain);

    gex_level strike_flip[2], profile_flip[2];
    for (int side = 0; side < 2; side++) {
        const double spot = mid + (side == 0 ? -0.005 : 0.005); /* one cent apart */
        chain = slots_chain(c, 5, spot, new_york(11, 45));
        e = compute(chain, NULL);
        ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_STRIKE, &lv), GEX_OK);
        strike_flip[side] = lv.gamma_flip;
        ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_PROFILE, &lv), GEX_OK);
        profile_flip[side] = lv.gamma_flip;
        ck_assert_int_eq(lv.gamma_flip.has, 1);
        assert_sign_change_at(chain, e, lv.gamma_flip.value, spot);
        gex_exposure_free(e);
        gex_chain_free(chain);
    }
    /* the per-strike flip jumps by about a strike interval (5) for a one-cent move */
    ck_assert_double_gt(strike_flip[1].value - strike_flip[0].value, 2.5);
    /* the profile flip moves by at most twice the solver's tolerance */
    ck_assert_double_le(fabs(profile_flip[1].value - profile_flip[0].value),
                        2 * GEX_FLIP_XTOL * mid);
}
END_TEST

/* The strike method on an exposure is gex_levels_from_rows on its rows. */
START_TEST(test_levels_compute_strike_method)
{
    gex_chain *chain = slots_chain(chain_b, 5, SPOT_B, new_york(14, 30));
    gex_exposure *e = compute(chain, NULL);
    gex_levels a, b;
    ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_STRIKE, &a), GEX_OK);
    ck_assert_int_eq(
        gex_levels_from_rows(gex_exposure_strikes(e), gex_exposure_strike_count(e), SPOT_B, &b),
        GEX_OK);
    ck_assert_int_eq(a.flip_method, GEX_FLIP_STRIKE);
    ck_assert_int_eq(a.gamma_flip.has, b.gamma_flip.has);
    ck_assert_double_eq(a.gamma_flip.value, b.gamma_flip.value);
    ck_assert_double_eq(a.call_wall.value, b.call_wall.value);
    ck_assert_uint_eq(a.flip_evaluations, 0);
    ck_assert_int_eq(gex_levels_compute(e, (gex_flip_method)5, &a), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_compute(NULL, GEX_FLIP_STRIKE, &a), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_STRIKE, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_flip_profile(e, NULL, NULL, NULL), GEX_EINVAL);
    size_t evals = 3;
    ck_assert_int_eq(gex_levels_flip_delta(e, NULL, &evals), GEX_EINVAL);

    /* The exposure carries the chain it was computed from: there is no pair to mismatch. */
    ck_assert_ptr_eq(gex_exposure_chain(e), chain);
    gex_level flip;
    ck_assert_int_eq(gex_levels_flip_profile(NULL, &flip, NULL, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_levels_flip_delta(NULL, &flip, NULL), GEX_EINVAL);
    ck_assert_int_eq(flip.has, 0);
    gex_hedge up, down;
    ck_assert_int_eq(gex_hedging_estimate(NULL, &down, &up), GEX_EINVAL);
    ck_assert_int_eq(gex_hedging_estimate(e, NULL, &up), GEX_EINVAL);
    gex_zero_dte z;
    ck_assert_int_eq(gex_zero_dte_block(NULL, &z), GEX_EINVAL);
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* SPEC 1.7's linear estimate (the vendor's): net gamma in shares per $1 from the reference
 * gammas, times S x move; equal and opposite sides; the same in every GEX unit; and the limit of
 * the full revaluation's central difference as the move shrinks. */
START_TEST(test_hedging_linear_matches_reference)
{
    gex_chain *chain = slots_chain(chain_b, 5, SPOT_B, new_york(14, 30));
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    double g = 0, scale = 0;
    for (size_t i = 0; i < 5; i++) {
        const double w = (v.type[i] == GEX_CALL ? 1 : -1) * v.open_interest[i] * 100;
        const ref_greeks r =
            ref_bs(v.type[i], SPOT_B, v.strike[i], v.T[i], v.iv[i], REF_RATE, REF_DIV);
        g += w * r.gamma;
        scale += fabs(w * r.gamma);
    }
    const gex_gex_unit units[] = {GEX_UNIT_PCT, GEX_UNIT_POINT, GEX_UNIT_SHARES};
    for (size_t u = 0; u < 3; u++) {
        gex_exposure_options o;
        gex_exposure_options_default(&o);
        o.gex_unit = units[u];
        gex_exposure *e = compute(chain, &o);
        gex_hedge down, up;
        ck_assert_int_eq(gex_hedging_linear(e, 0.01, &down, &up), GEX_OK);
        ck_assert_rel(down.shares, g * SPOT_B * 0.01, 1e-9, 1e-9 * scale * SPOT_B * 0.01);
        ck_assert_double_eq(up.shares, -down.shares);
        ck_assert_rel(down.notional_usd, fabs(down.shares) * SPOT_B, 1e-15, 0);
        ck_assert_str_eq(down.direction, down.shares > 0 ? "buy" : "sell");
        ck_assert_str_eq(up.direction, down.shares > 0 ? "sell" : "buy");
        if (units[u] == GEX_UNIT_PCT) {
            /* the vendor's example: net GEX per 1% / S */
            gex_exposure_totals t;
            gex_exposure_get_totals(e, &t);
            ck_assert_rel(down.shares, t.net_gex / SPOT_B, 1e-12, 0);
        }
        /* a small move: the full revaluation's (down - up) / 2 tends to the linear estimate */
        gex_hedge fd, fu, ld, lu;
        ck_assert_int_eq(gex_hedging_move(e, 1e-5, &fd, &fu), GEX_OK);
        ck_assert_int_eq(gex_hedging_linear(e, 1e-5, &ld, &lu), GEX_OK);
        ck_assert_rel((fd.shares - fu.shares) / 2, ld.shares, 1e-4, 0);
        ck_assert_int_eq(gex_hedging_linear(e, 0, &ld, &lu), GEX_EINVAL);
        ck_assert_int_eq(gex_hedging_linear(NULL, 0.01, &ld, &lu), GEX_EINVAL);
        gex_exposure_free(e);
    }
    gex_chain_free(chain);
}
END_TEST

/* GSL's error handler, as installed by this test only (Check runs each test in its own process):
 * the library must never reach it, whatever the profile. */
static int gsl_handler_calls;

static void record_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
    gsl_handler_calls++;
    fprintf(stderr, "GSL's error handler was called: %s (%s:%d, GSL error %d)\n", reason, file,
            line, gsl_errno);
}

/* The open interest that makes a contract's profile kernel constant
 * pc = w e^{-qT} / (sigma sqrt T) / sqrt(2 pi) (src/profile.c; w = OI x 100) equal to pc, at
 * T = one hour (a 0DTE contract at 15:00 New York, PM-settled at 16:00). */
static double oi_for_kernel(double pc, double sigma)
{
    const double T = 3600.0 / (365.0 * 86400.0), sq = sigma * sqrt(T);
    return pc * sq * sqrt(2.0 * M_PI) / exp(-REF_DIV * T) / 100.0;
}

/* The profile flip under an error handler that records any call (GSL's default would abort):
 * on a book where P is finite everywhere, and on three where it is not representable, which
 * the exposure at the spot (every gamma there underflows to 0) does not see:
 *   - a kernel constant that overflows when the book is gathered (OI 1e306);
 *   - P overflowing on the grid: a call of kernel constant 5e307 at 6275, 0.01 x^2 / x times
 *     that is 3e309 at the grid point 6275.51 = 5000 (1 + 0.5 (10/14)^2);
 *   - P finite on the whole grid but not inside the bracket of its only sign change: the same
 *     call at 6400, halfway between the grid points 6275.51 and 6543.37, where a put at 6275
 *     makes P negative; the call's one-hour gamma, sigma sqrt T = 0.0021, overflows P within
 *     0.57% of 6400 only, and Brent's solver reaches that region by bisection.
 * Each ends with the right status and the handler is never called. */
START_TEST(test_flip_profile_never_calls_gsl_error_handler)
{
    gsl_handler_calls = 0;
    gsl_error_handler_t *previous = gsl_set_error_handler(record_gsl_error);
    const double S = 5000.0;
    const int64_t quote = new_york(15, 0);
    const ref_contract book_overflow[] = {{0, 6400, GEX_CALL, 0.2, 1e306, NAN}};
    const ref_contract grid_overflow[] = {{0, 6275, GEX_CALL, 0.2, oi_for_kernel(5e307, 0.2), NAN}};
    const ref_contract bracket_overflow[] = {
        {0, 6275, GEX_PUT, 0.2, oi_for_kernel(6e290, 0.2), NAN},
        {0, 6400, GEX_CALL, 0.2, oi_for_kernel(5e307, 0.2), NAN}};
    const struct {
        const ref_contract *c;
        size_t n;
        double spot;
        int64_t quote;
        int status;
        size_t min_evaluations, max_evaluations;
    } cases[] = {
        {chain_b, 5, SPOT_B, new_york(14, 30), GEX_OK, 3, 40},
        {book_overflow, 1, S, quote, GEX_ERANGE, 0, 0},
        {grid_overflow, 1, S, quote, GEX_ERANGE, 1, 2 * GEX_FLIP_GRID_HALF + 1},
        {bracket_overflow, 2, S, quote, GEX_ERANGE, 2, 400 + GEX_FLIP_MAX_ITER},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gex_chain *chain = slots_chain(cases[k].c, cases[k].n, cases[k].spot, cases[k].quote);
        gex_exposure *e = compute(chain, NULL);
        gex_exposure_totals t;
        gex_exposure_get_totals(e, &t);
        ck_assert_uint_eq(t.used, cases[k].n); /* the exposure at the spot is finite */
        gex_level flip = {1, 42.0};
        size_t evals = 0, changes = 0;
        const int rc = gex_levels_flip_profile(e, &flip, &evals, &changes);
        ck_assert_msg(rc == cases[k].status, "case %zu: status %s, expected %s", k,
                      gex_strerror(rc), gex_strerror(cases[k].status));
        ck_assert_msg(evals >= cases[k].min_evaluations && evals <= cases[k].max_evaluations,
                      "case %zu: %zu evaluations of P, expected %zu to %zu", k, evals,
                      cases[k].min_evaluations, cases[k].max_evaluations);
        ck_assert_int_eq(flip.has, rc == GEX_OK);
        gex_levels lv;
        ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_PROFILE, &lv), cases[k].status);
        /* The per-strike method needs no P: every book has its levels that way. */
        ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_STRIKE, &lv), GEX_OK);
        gex_exposure_free(e);
        gex_chain_free(chain);
    }
    ck_assert_int_eq(gsl_handler_calls, 0);
    gsl_set_error_handler(previous);
}
END_TEST

/* A book with a 0DTE expiration at 10:05 New York: its block and magnet by hand from the
 * reference; after 16:00 the same contracts are expired and both are null. */
START_TEST(test_zero_dte_block_and_magnet)
{
    static const ref_contract c[] = {
        {0, 5100, GEX_CALL, 0.121, 4000, 900}, {0, 5125, GEX_PUT, 0.118, 3100, 1200},
        {0, 5150, GEX_CALL, 0.109, 2500, 300}, {1, 5100, GEX_PUT, 0.151, 2871, NAN},
        {2, 5125, GEX_CALL, 0.138, 987, NAN},  {2, 5200, GEX_CALL, 0.141, 5120, NAN},
    };
    const double S = 5131.62;
    gex_chain *chain = slots_chain(c, 6, S, new_york(10, 5));
    gex_exposure *e = compute(chain, NULL);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    double net0 = 0, gross0 = 0, gross = 0, best = 0, best_k = 0;
    for (size_t i = 0; i < 6; i++) {
        const ref_greeks g = ref_bs(v.type[i], S, v.strike[i], v.T[i], v.iv[i], REF_RATE, REF_DIV);
        const double gex =
            (v.type[i] == GEX_CALL ? 1 : -1) * g.gamma * v.open_interest[i] * 100 * S * S * 0.01;
        gross += fabs(gex);
        if (c[i].expiration == 0) {
            net0 += gex;
            gross0 += fabs(gex);
            if (fabs(gex) > best) { /* one 0DTE contract per strike here */
                best = fabs(gex);
                best_k = v.strike[i];
            }
        }
    }
    gex_zero_dte z;
    ck_assert_int_eq(gex_zero_dte_block(e, &z), GEX_OK);
    ck_assert_int_eq(z.has, 1);
    ck_assert_int_eq(z.expiration, day(3, 20));
    ck_assert_rel(z.net_gex, net0, 1e-9, 1e-9 * gross0);
    ck_assert_rel(z.pct_of_total_gex, 100 * gross0 / gross, 1e-9, 0);
    ck_assert(z.pct_of_total_gex > 0 && z.pct_of_total_gex < 100);
    gex_levels lv;
    ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_PROFILE, &lv), GEX_OK);
    ck_assert_int_eq(lv.zero_dte_magnet.has, 1);
    ck_assert_double_eq(lv.zero_dte_magnet.value, best_k);
    gex_exposure_free(e);
    gex_chain_free(chain);

    chain = slots_chain(c, 6, S, new_york(16, 30));
    e = compute(chain, NULL);
    ck_assert_int_eq(gex_zero_dte_block(e, &z), GEX_OK);
    ck_assert_int_eq(z.has, 0);
    ck_assert_double_eq(z.pct_of_total_gex, 0);
    ck_assert_int_eq(gex_levels_compute(e, GEX_FLIP_PROFILE, &lv), GEX_OK);
    ck_assert_int_eq(lv.zero_dte_magnet.has, 0);
    gex_exposure_totals t;
    gex_exposure_get_totals(e, &t);
    ck_assert_uint_eq(t.excluded[GEX_CONTRACT_EXPIRED], 3);
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* SPEC 1.7 hedging by full revaluation, against the reference deltas; a long-gamma book sells
 * into a rise and buys a fall. */
START_TEST(test_hedging_estimate_matches_reference)
{
    gex_chain *chain = slots_chain(chain_b, 5, SPOT_B, new_york(14, 30));
    gex_exposure *e = compute(chain, NULL);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    double d[3] = {0, 0, 0}, scale = 0;
    const double xs[3] = {SPOT_B, SPOT_B * 0.99, SPOT_B * 1.01};
    for (size_t i = 0; i < 5; i++) {
        const double w = (v.type[i] == GEX_CALL ? 1 : -1) * v.open_interest[i] * 100;
        for (int k = 0; k < 3; k++) {
            const ref_greeks g =
                ref_bs(v.type[i], xs[k], v.strike[i], v.T[i], v.iv[i], REF_RATE, REF_DIV);
            d[k] += w * g.delta;
            scale += fabs(w * g.delta);
        }
    }
    gex_hedge down, up;
    ck_assert_int_eq(gex_hedging_estimate(e, &down, &up), GEX_OK);
    /* differences of deltas accurate to 1e-9 relative each (SPEC 1.3) */
    ck_assert_rel(down.shares, -(d[1] - d[0]), 1e-9, 2e-9 * scale);
    ck_assert_rel(up.shares, -(d[2] - d[0]), 1e-9, 2e-9 * scale);
    ck_assert_rel(up.notional_usd, fabs(up.shares) * SPOT_B, 1e-15, 0);
    ck_assert_str_eq(up.direction, up.shares > 0 ? "buy" : "sell");
    gex_exposure_free(e);
    gex_chain_free(chain);

    static const ref_contract calls[] = {{2, 5100, GEX_CALL, 0.15, 1000, NAN},
                                         {1, 5150, GEX_CALL, 0.13, 2000, NAN}};
    chain = slots_chain(calls, 2, 5120.5, new_york(14, 30));
    e = compute(chain, NULL);
    ck_assert_int_eq(gex_hedging_estimate(e, &down, &up), GEX_OK);
    ck_assert_str_eq(up.direction, "sell");
    ck_assert_str_eq(down.direction, "buy");
    ck_assert(up.shares < 0 && down.shares > 0);
    gex_exposure_free(e);
    gex_chain_free(chain);

    /* nothing used: no trade */
    chain = slots_chain(calls, 2, 5120.5, new_york(14, 30));
    gex_exposure_options o;
    gex_exposure_options_default(&o);
    o.min_oi = 1e9;
    e = compute(chain, &o);
    ck_assert_int_eq(gex_hedging_estimate(e, &down, &up), GEX_OK);
    ck_assert_str_eq(up.direction, "none");
    ck_assert_double_eq(up.shares, 0);
    ck_assert_double_eq(down.notional_usd, 0);
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* gex_hedging_move for the 0DTE endpoint's buckets (SPEC 5.2), against the reference deltas at
 * S (1 -+ m) for each bucket; 1% is gex_hedging_estimate exactly; a move outside (0, 1) is
 * refused. */
START_TEST(test_hedging_move_matches_reference)
{
    gex_chain *chain = slots_chain(chain_b, 5, SPOT_B, new_york(14, 30));
    gex_exposure *e = compute(chain, NULL);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    static const double moves[4] = {0.001, 0.0025, 0.005, 0.01};
    for (int m = 0; m < 4; m++) {
        double d[3] = {0, 0, 0}, scale = 0;
        const double xs[3] = {SPOT_B, SPOT_B * (1 - moves[m]), SPOT_B * (1 + moves[m])};
        for (size_t i = 0; i < 5; i++) {
            const double w = (v.type[i] == GEX_CALL ? 1 : -1) * v.open_interest[i] * 100;
            for (int k = 0; k < 3; k++) {
                const ref_greeks g =
                    ref_bs(v.type[i], xs[k], v.strike[i], v.T[i], v.iv[i], REF_RATE, REF_DIV);
                d[k] += w * g.delta;
                scale += fabs(w * g.delta);
            }
        }
        gex_hedge down, up;
        ck_assert_int_eq(gex_hedging_move(e, moves[m], &down, &up), GEX_OK);
        ck_assert_rel(down.shares, -(d[1] - d[0]), 1e-9, 2e-9 * scale);
        ck_assert_rel(up.shares, -(d[2] - d[0]), 1e-9, 2e-9 * scale);
    }
    gex_hedge d1, u1, d2, u2;
    ck_assert_int_eq(gex_hedging_move(e, 0.01, &d1, &u1), GEX_OK);
    ck_assert_int_eq(gex_hedging_estimate(e, &d2, &u2), GEX_OK);
    ck_assert_double_eq(d1.shares, d2.shares);
    ck_assert_double_eq(u1.shares, u2.shares);
    ck_assert_int_eq(gex_hedging_move(e, 0.0, &d1, &u1), GEX_EINVAL);
    ck_assert_int_eq(gex_hedging_move(e, 1.0, &d1, &u1), GEX_EINVAL);
    ck_assert_int_eq(gex_hedging_move(e, NAN, &d1, &u1), GEX_EINVAL);
    ck_assert_int_eq(gex_hedging_move(e, 0.01, NULL, &u1), GEX_EINVAL);
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* A book of zero gamma (each strike's call and put at one IV and in equal numbers: its delta is
 * OI M e^{-qT} a strike, whatever the spot) has no hedge to trade: its delta's change is the
 * rounding of two sums of 1e5-share terms, about 1e-9 shares, reported as 0 and "none", never
 * as a trade with a direction. Open interests and spots that are not round, several of each,
 * so that some sums round differently at S and S (1 -+ m). */
START_TEST(test_hedging_move_zero_gamma_book)
{
    enum { STRIKES = 24 };
    ref_contract c[2 * STRIKES];
    for (int k = 0; k < STRIKES; k++) {
        const double strike = 5000.0 + 10.0 * k, iv = 0.1437 + 0.0031 * fabs(k - 12.0);
        const double oi = 317.0 + (double)((k * 7919) % 4001);
        c[2 * k] = (ref_contract){0, strike, GEX_CALL, iv, oi, 11};
        c[2 * k + 1] = (ref_contract){0, strike, GEX_PUT, iv, oi, 7};
    }
    static const double moves[4] = {0.001, 0.0025, 0.005, 0.01};
    for (int t = 0; t < 8; t++) {
        gex_chain *chain = slots_chain(c, 2 * STRIKES, 5093.17 + 7.31 * t, new_york(14, 30));
        gex_exposure *e = compute(chain, NULL);
        for (int m = 0; m < 4; m++) {
            gex_hedge down, up;
            ck_assert_int_eq(gex_hedging_move(e, moves[m], &down, &up), GEX_OK);
            const gex_hedge *h[2] = {&down, &up};
            for (int side = 0; side < 2; side++) {
                ck_assert_msg(h[side]->shares == 0.0 && strcmp(h[side]->direction, "none") == 0 &&
                                  h[side]->notional_usd == 0.0,
                              "spot %d, move %g: %.17g shares, %s", t, moves[m], h[side]->shares,
                              h[side]->direction);
            }
        }
        gex_exposure_free(e);
        gex_chain_free(chain);
    }
}
END_TEST

/* A book of zero gamma (each strike's call and put at one IV, in equal numbers): the profile is
 * 0 at every spot, as its flip search sees it (gex_profile_eval merges a strike's call and put
 * of one kernel as the flip does); it printed the rounding of the two sums, -7e-14 at 80 and
 * 1.8e-12 at 90, a sign change beside a null flip. */
START_TEST(test_profile_zero_gamma_book)
{
    static const char csv[] =
        "underlying,option_symbol,expiration,strike,type,bid,ask,iv,open_interest,volume,"
        "underlying_price,quote_time\n"
        "XYZ,XYZ260320C00090000,2026-03-20,90,C,10.5,11,0.2,50,1,100,2026-03-02T15:00:00Z\n"
        "XYZ,XYZ260320P00090000,2026-03-20,90,P,0.5,0.6,0.2,50,1,100,2026-03-02T15:00:00Z\n"
        "XYZ,XYZ260320C00100000,2026-03-20,100,C,2,2.2,0.2,10,1,100,2026-03-02T15:00:00Z\n"
        "XYZ,XYZ260320P00100000,2026-03-20,100,P,2,2.2,0.2,10,1,100,2026-03-02T15:00:00Z\n";
    gex_chain *chain = NULL;
    gex_error err;
    ck_assert_int_eq(
        gex_chain_read_buffer(csv, sizeof csv - 1, "zero.csv", NULL, &chain, NULL, &err), GEX_OK);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.carry = GEX_CARRY_FLAT;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, &err), GEX_OK);
    gex_exposure *e = compute(chain, NULL);
    enum { POINTS = 41 };
    double x[POINTS], p[POINTS];
    for (int i = 0; i < POINTS; i++)
        x[i] = 80.0 + 1.0 * i;
    ck_assert_int_eq(gex_profile_eval(e, x, POINTS, p), GEX_OK);
    for (int i = 0; i < POINTS; i++)
        ck_assert_msg(p[i] == 0.0, "x %g: %.17g", x[i], p[i]);
    gex_level flip;
    ck_assert_int_eq(gex_levels_flip_profile(e, &flip, NULL, NULL), GEX_OK);
    ck_assert_int_eq(flip.has, 0);
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* The SPEC 1.7 table, cell by cell. */
START_TEST(test_regime_classify_table)
{
    gex_regime r;
    const gex_level flip_below = {1, 5000.0}; /* spot 5123.37: +2.41% */
    gex_regime_classify(5123.37, 4.2e9, -1.5e8, &flip_below, &r);
    ck_assert_int_eq(r.regime, 1);
    ck_assert_int_eq(r.vanna_aligned, 1);
    ck_assert_rel(r.dist_to_flip.value, (5123.37 - 5000.0) / 5123.37 * 100, 1e-15, 0);
    ck_assert_str_eq(r.confidence, "high");
    ck_assert_ptr_nonnull(strstr(r.meaning, "strongly dampens"));
    ck_assert_str_eq(r.vendor_regime, "positive_gamma");

    gex_regime_classify(5123.37, 4.2e9, 2.5e8, &flip_below, &r); /* vanna against */
    ck_assert_int_eq(r.vanna_aligned, 0);
    ck_assert_ptr_nonnull(strstr(r.meaning, "vanna against"));

    const gex_level flip_near_above = {1, 5150.0}; /* -0.52%: moderate */
    gex_regime_classify(5123.37, -3.1e9, -1e8, &flip_near_above, &r);
    ck_assert_int_eq(r.regime, -1);
    ck_assert_int_eq(r.vanna_aligned, 0);
    ck_assert_str_eq(r.confidence, "moderate");
    ck_assert_ptr_nonnull(strstr(r.meaning, "amplifies"));
    ck_assert_str_eq(r.vendor_regime, "negative_gamma");

    const gex_level flip_close = {1, 5110.0}; /* +0.26%: low, whatever the sign */
    gex_regime_classify(5123.37, 4.2e9, -1e8, &flip_close, &r);
    ck_assert_str_eq(r.confidence, "low");
    ck_assert_ptr_nonnull(strstr(r.meaning, "near the gamma flip"));
    const gex_level flip_mod = {1, 5080.0}; /* +0.85%: moderate, aligned */
    gex_regime_classify(5123.37, 4.2e9, -1e8, &flip_mod, &r);
    ck_assert_str_eq(r.confidence, "moderate");
    ck_assert_str_eq(r.meaning, "Positive gamma with vanna aligned: dealer hedging dampens moves.");

    gex_regime_classify(5123.37, 4.2e9, -1e8, NULL, &r);
    ck_assert_int_eq(r.dist_to_flip.has, 0);
    ck_assert_str_eq(r.confidence, "high");
    ck_assert_str_eq(r.vendor_regime, "undetermined");
    const gex_level none = {0, 0};
    gex_regime_classify(5123.37, 0, 0, &none, &r);
    ck_assert_int_eq(r.regime, 0);
    ck_assert_str_eq(r.confidence, "low");
    ck_assert_ptr_nonnull(strstr(r.meaning, "No net gamma"));
    const gex_level at_spot = {1, 5123.37};
    gex_regime_classify(5123.37, 1, 0, &at_spot, &r);
    ck_assert_str_eq(r.vendor_regime, "undetermined");
    ck_assert_double_eq(r.dist_to_flip.value, 0);
    gex_regime_classify(5123.37, 1, 0, &at_spot, NULL);
}
END_TEST

static Suite *levels_suite(void)
{
    Suite *s = suite_create("levels");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, test_flip_method_name_and_parse);
    tcase_add_test(tc, test_flip_strike_single_change);
    tcase_add_test(tc, test_flip_strike_several_changes_nearest_spot);
    tcase_add_test(tc, test_flip_strike_no_change_is_null);
    tcase_add_test(tc, test_flip_strike_zero_rows_skipped);
    tcase_add_test(tc, test_flip_strike_bad_input);
    tcase_add_test(tc, test_levels_from_rows_ties);
    tcase_add_test(tc, test_levels_from_rows_puts_only);
    tcase_add_test(tc, test_levels_from_rows_empty_and_zero);
    tcase_add_test(tc, test_levels_from_rows_bad_input);
    tcase_add_test(tc, test_levels_vendor_capture);
    tcase_add_test(tc, test_vendor_read_kinds_and_nulls);
    tcase_add_test(tc, test_vendor_read_errors);
    suite_add_tcase(s, tc);
    TCase *tcc = tcase_create("chains");
    tcase_add_test(tcc, test_profile_spots_formula);
    tcase_add_test(tcc, test_profile_eval_matches_reference);
    tcase_add_test(tcc, test_profile_eval_single_contract_equals_bs);
    tcase_add_test(tcc, test_flip_profile_matches_reference_zero);
    tcase_add_test(tcc, test_flip_profile_several_zeros);
    tcase_add_test(tcc, test_flip_profile_no_sign_change_is_null);
    tcase_add_test(tcc, test_flip_profile_zero_plateau);
    tcase_add_test(tcc, test_flip_profile_continuous_in_spot);
    tcase_add_test(tcc, test_levels_compute_strike_method);
    tcase_add_test(tcc, test_flip_profile_never_calls_gsl_error_handler);
    tcase_add_test(tcc, test_zero_dte_block_and_magnet);
    tcase_add_test(tcc, test_hedging_estimate_matches_reference);
    tcase_add_test(tcc, test_hedging_linear_matches_reference);
    tcase_add_test(tcc, test_hedging_move_matches_reference);
    tcase_add_test(tcc, test_hedging_move_zero_gamma_book);
    tcase_add_test(tcc, test_profile_zero_gamma_book);
    tcase_add_test(tcc, test_regime_classify_table);
    suite_add_tcase(s, tcc);
    return s;
}

int main(void)
{
    return gex_test_run(levels_suite());
}
