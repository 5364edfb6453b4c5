/* gex/error.h: status names and the error report. */
#include "gex-test.h"

#include "gex/american.h"
#include "gex/bs.h"
#include "gex/error.h"

/* Every status has a non-empty name of its own, distinct from every other status's. */
START_TEST(test_strerror_every_code_named)
{
    for (int s = 0; s < GEX_STATUS_COUNT; s++) {
        const char *name = gex_strerror((gex_status)s);
        ck_assert_ptr_nonnull(name);
        ck_assert_str_ne(name, "");
        ck_assert_str_ne(name, "unknown status");
        for (int t = 0; t < s; t++)
            ck_assert_str_ne(name, gex_strerror((gex_status)t));
    }
    ck_assert_str_eq(gex_strerror(GEX_OK), "success");
    ck_assert_str_eq(gex_strerror(GEX_ENOTIME), "no quote instant");
    ck_assert_str_eq(gex_strerror(GEX_ENOMEM), "out of memory");
    ck_assert_str_eq(gex_strerror(GEX_EFORMAT), "unrecognised input format");
}
END_TEST

/* The int statuses the API's functions return convert to gex_status as they are. */
START_TEST(test_strerror_out_of_range)
{
    int minus_one = -1, large = 1 << 20;
    ck_assert_str_eq(gex_strerror(minus_one), "unknown status");
    ck_assert_str_eq(gex_strerror(GEX_STATUS_COUNT), "unknown status");
    ck_assert_str_eq(gex_strerror(large), "unknown status");
}
END_TEST

/* The outcome enums (gex/bs.h, gex/american.h) share only success with gex_status: their
 * failures lie in blocks of their own above every gex_status code, so a value read in the wrong
 * space is "unknown status", never another thing's name (a double boundary is not "out of
 * memory"). Each name function names its own values and no one else's. */
typedef struct outcome_space {
    const char *what;
    int ok, first, end;
    const char *(*name)(int);
} outcome_space;

static const char *bs_name(int v)
{
    return gex_bs_strstatus((gex_bs_status)v);
}

static const char *iv_name(int v)
{
    return gex_iv_strstatus((gex_iv_status)v);
}

static const char *am_name(int v)
{
    return gex_am_strstatus((gex_am_status)v);
}

START_TEST(test_strerror_outcomes_numbered_apart)
{
    const outcome_space spaces[] = {
        {"gex_bs_status", GEX_BS_OK, GEX_BS_BAD_INPUT, GEX_BS_STATUS_END, bs_name},
        {"gex_iv_status", GEX_IV_OK, GEX_IV_NO_QUOTE, GEX_IV_STATUS_END, iv_name},
        {"gex_am_status", GEX_AM_OK, GEX_AM_BAD_INPUT, GEX_AM_STATUS_END, am_name},
    };
    const size_t n_spaces = sizeof spaces / sizeof spaces[0];
    ck_assert_int_le(GEX_STATUS_COUNT, GEX_OUTCOME_BASE);
    for (size_t i = 0; i < n_spaces; i++) {
        const outcome_space *a = &spaces[i];
        ck_assert_msg(a->ok == GEX_OK, "%s: success is not GEX_OK", a->what);
        ck_assert_str_eq(a->name(a->ok), "ok");
        ck_assert_msg(a->first >= GEX_OUTCOME_BASE && a->first < a->end && a->end <= UINT8_MAX,
                      "%s: failures [%d, %d) not above gex_status or not a uint8_t", a->what,
                      a->first, a->end);
        for (size_t j = 0; j < i; j++)
            ck_assert_msg(a->end <= spaces[j].first || spaces[j].end <= a->first,
                          "%s and %s overlap", a->what, spaces[j].what);
        for (int v = a->first; v < a->end; v++) {
            const char *name = a->name(v);
            ck_assert_str_ne(name, "unknown status");
            ck_assert_str_ne(name, "");
            for (int w = a->first; w < v; w++)
                ck_assert_str_ne(name, a->name(w));
            ck_assert_str_eq(gex_strerror(v), "unknown status");
            for (size_t j = 0; j < n_spaces; j++)
                if (j != i)
                    ck_assert_str_eq(spaces[j].name(v), "unknown status");
        }
        /* A gex_status code is no outcome's failure either. */
        for (int s = GEX_OK + 1; s < GEX_STATUS_COUNT; s++)
            ck_assert_str_eq(a->name(s), "unknown status");
        ck_assert_str_eq(a->name(-1), "unknown status");
        ck_assert_str_eq(a->name(a->end), "unknown status");
    }
    ck_assert_str_eq(gex_am_strstatus(GEX_AM_DOUBLE_BOUNDARY), "double boundary");
    ck_assert_str_eq(gex_bs_strstatus(GEX_BS_OVERFLOW), "overflow");
}
END_TEST

START_TEST(test_error_set_fills_and_returns_status)
{
    gex_error err;
    gex_error_clear(&err);
    int rc = gex_error_set(&err, GEX_EPARSE, "chain.csv", 17, 4, "strike %s is not a number", "x1");
    ck_assert_int_eq(rc, GEX_EPARSE);
    ck_assert_str_eq(err.file, "chain.csv");
    ck_assert_int_eq(err.line, 17);
    ck_assert_int_eq(err.column, 4);
    ck_assert_str_eq(err.text, "strike x1 is not a number");
}
END_TEST

START_TEST(test_error_set_null_report_and_file)
{
    ck_assert_int_eq(gex_error_set(NULL, GEX_EIO, "f", 1, 1, "x"), GEX_EIO);
    gex_error_clear(NULL);
    gex_error err;
    gex_error_clear(&err);
    gex_error_set(&err, GEX_EIO, "kept.csv", 1, 0, "first");
    gex_error_set(&err, GEX_EIO, NULL, 2, 0, "second");
    ck_assert_str_eq(err.file, "kept.csv");
    ck_assert_int_eq(err.line, 2);
    ck_assert_str_eq(err.text, "second");
}
END_TEST

START_TEST(test_error_set_truncates_long_text)
{
    gex_error err;
    char long_text[2000];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    gex_error_set(&err, GEX_EPARSE, long_text, 1, 0, "%s", long_text);
    ck_assert_uint_eq(strlen(err.file), sizeof err.file - 1);
    ck_assert_uint_eq(strlen(err.text), sizeof err.text - 1);
}
END_TEST

static Suite *error_suite(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_strerror_every_code_named);
    tcase_add_test(tc, test_strerror_out_of_range);
    tcase_add_test(tc, test_strerror_outcomes_numbered_apart);
    tcase_add_test(tc, test_error_set_fills_and_returns_status);
    tcase_add_test(tc, test_error_set_null_report_and_file);
    tcase_add_test(tc, test_error_set_truncates_long_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(error_suite());
}
