/* gex/error.h: status names and the error report. */
#include "gex-test.h"

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
