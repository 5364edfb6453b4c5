/*
 * test-macro: gex/macro.h, FRED's CSV downloads. The layouts FRED writes (the current
 * "observation_date" header, the older "DATE" one, several series from one graph, "." for a
 * missing day, CRLF and a byte order mark), the observation in force on a day (weekends and
 * holidays take the last value before them), and the refusals with their line.
 */
#include <check.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "gex-test.h"
#include "gex/gex.h"

static int32_t day_of(int y, int m, int d)
{
    return gex_time_days_from_civil(y, m, d);
}

START_TEST(test_fred_one_series_missing_days)
{
    static const char text[] = "observation_date,DGS10\n"
                               "2024-01-02,3.95\n"
                               "2024-01-03,3.91\n"
                               "2024-01-04,.\n"
                               "2024-01-05,4.05\n";
    char ids[64];
    ck_assert(gex_macro_is_fred(text, sizeof text - 1, ids, sizeof ids));
    ck_assert_str_eq(ids, "DGS10");
    gex_macro_file f;
    gex_error err;
    ck_assert_int_eq(gex_macro_read_fred_buffer(text, sizeof text - 1, "DGS10.csv", &f, &err),
                     GEX_OK);
    ck_assert_uint_eq(f.n, 1);
    const gex_macro_series *s = gex_macro_find(&f, "dgs10");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->n, 4);
    ck_assert(isnan(s->value[2]));
    double v;
    int32_t obs;
    /* the day itself; a missing day takes the day before; a Sunday the Friday before */
    ck_assert_int_eq(gex_macro_value_at(s, day_of(2024, 1, 3), &v, &obs), GEX_OK);
    ck_assert_double_eq(v, 3.91);
    ck_assert_int_eq(gex_macro_value_at(s, day_of(2024, 1, 4), &v, &obs), GEX_OK);
    ck_assert_double_eq(v, 3.91);
    ck_assert_int_eq(obs, day_of(2024, 1, 3));
    ck_assert_int_eq(gex_macro_value_at(s, day_of(2024, 1, 7), &v, &obs), GEX_OK);
    ck_assert_double_eq(v, 4.05);
    /* before the first observation: none */
    ck_assert_int_eq(gex_macro_value_at(s, day_of(2024, 1, 1), &v, &obs), GEX_ENOTFOUND);
    ck_assert_ptr_null(gex_macro_find(&f, "DFF"));
    gex_macro_file_free(&f);
}
END_TEST

START_TEST(test_fred_graph_of_two_series_old_header_crlf_bom)
{
    static const char text[] = "\xEF\xBB\xBF"
                               "DATE,DFF,BAMLH0A0HYM2\r\n"
                               "2023-09-13,5.33,3.92\r\n"
                               "2023-09-14,5.33,\r\n"
                               "2023-09-15,5.33,3.85\r\n";
    char ids[64];
    ck_assert(gex_macro_is_fred(text, sizeof text - 1, ids, sizeof ids));
    ck_assert_str_eq(ids, "DFF,BAMLH0A0HYM2"); /* after the byte order mark, without CR */
    gex_macro_file f;
    gex_error err;
    ck_assert_int_eq(gex_macro_read_fred_buffer(text, sizeof text - 1, "fredgraph.csv", &f, &err),
                     GEX_OK);
    ck_assert_uint_eq(f.n, 2);
    const gex_macro_series *hy = gex_macro_find(&f, "BAMLH0A0HYM2");
    double v;
    int32_t obs;
    ck_assert_int_eq(gex_macro_value_at(hy, day_of(2023, 9, 14), &v, &obs), GEX_OK);
    ck_assert_double_eq(v, 3.92); /* the 14th is empty: the 13th's */
    ck_assert_int_eq(gex_macro_value_at(gex_macro_find(&f, "DFF"), day_of(2023, 9, 14), &v, &obs),
                     GEX_OK);
    ck_assert_double_eq(v, 5.33);
    gex_macro_file_free(&f);
}
END_TEST

/* Lone CR line ends (the old Mac "CSV (Macintosh)" save): read as the LF copy, as the chain
 * readers read them; the server took such a download for no FRED file and left dgs10 null. */
START_TEST(test_fred_lone_cr_line_ends)
{
    static const char text[] = "observation_date,DGS10\r"
                               "2026-11-16,4.10\r"
                               "2026-11-17,4.2\r"
                               "\r"
                               "2026-11-18,4.30\r";
    char ids[64];
    ck_assert(gex_macro_is_fred(text, sizeof text - 1, ids, sizeof ids));
    ck_assert_str_eq(ids, "DGS10");
    gex_macro_file f;
    gex_error err;
    ck_assert_int_eq(gex_macro_read_fred_buffer(text, sizeof text - 1, "DGS10.csv", &f, &err),
                     GEX_OK);
    ck_assert_uint_eq(f.n, 1);
    double v;
    int32_t obs;
    ck_assert_int_eq(
        gex_macro_value_at(gex_macro_find(&f, "DGS10"), day_of(2026, 11, 18), &v, &obs), GEX_OK);
    ck_assert_double_eq(v, 4.30);
    ck_assert_int_eq(
        gex_macro_value_at(gex_macro_find(&f, "DGS10"), day_of(2026, 11, 17), &v, &obs), GEX_OK);
    ck_assert_double_eq(v, 4.2);
    gex_macro_file_free(&f);
    /* a bad row is named at its line, counted over lone CRs */
    static const char bad[] = "observation_date,DGS10\r2026-11-16,4.10\r2026-11-17,abc\r";
    ck_assert_int_eq(gex_macro_read_fred_buffer(bad, sizeof bad - 1, "DGS10.csv", &f, &err),
                     GEX_EPARSE);
    ck_assert_int_eq(err.line, 3);
}
END_TEST

/* OptionMetrics' option files begin "date," and lower-case column names: a chain, not FRED's
 * "DATE," header (gex serve took its GLD file for a series of /v1/vrp's macro block). */
START_TEST(test_fred_not_an_optionmetrics_chain)
{
    static const char om[] = "date,exdate,cp_flag,strike_price,best_bid,best_offer\n"
                             "2022-08-31,2022-09-02,C,115000,44.25,44.35\n";
    ck_assert(!gex_macro_is_fred(om, sizeof om - 1, NULL, 0));
    static const char upper[] = "DATE,EXDATE,CP_FLAG\nSPX,2022-09-02,C\n";
    ck_assert(!gex_macro_is_fred(upper, sizeof upper - 1, NULL, 0));
    static const char fred[] = "DATE,DGS3MO\n2024-01-02,5.40\n";
    ck_assert(gex_macro_is_fred(fred, sizeof fred - 1, NULL, 0));
    /* a head cut before its first row is judged by the header */
    ck_assert(gex_macro_is_fred(fred, 17, NULL, 0));
    gex_macro_file f;
    gex_error err;
    ck_assert_int_eq(gex_macro_read_fred_buffer(om, sizeof om - 1, "om.csv", &f, &err),
                     GEX_EFORMAT);
}
END_TEST

START_TEST(test_fred_refusals_name_the_line)
{
    gex_macro_file f;
    gex_error err;
    static const char chain[] = "underlying,expiration,strike\nSPX,2024-01-19,4800\n";
    ck_assert(!gex_macro_is_fred(chain, sizeof chain - 1, NULL, 0));
    ck_assert_int_eq(gex_macro_read_fred_buffer(chain, sizeof chain - 1, "c.csv", &f, &err),
                     GEX_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "observation_date"));
    static const char bad_value[] = "observation_date,DGS10\n2024-01-02,3.95\n2024-01-03,n/a\n";
    ck_assert_int_eq(
        gex_macro_read_fred_buffer(bad_value, sizeof bad_value - 1, "DGS10.csv", &f, &err),
        GEX_EPARSE);
    ck_assert_int_eq(err.line, 3);
    ck_assert_ptr_nonnull(strstr(err.text, "DGS10"));
    static const char bad_date[] = "observation_date,DGS10\n2024-13-02,3.95\n";
    ck_assert_int_eq(
        gex_macro_read_fred_buffer(bad_date, sizeof bad_date - 1, "DGS10.csv", &f, &err),
        GEX_EPARSE);
    ck_assert_int_eq(err.line, 2);
    static const char order[] = "observation_date,DGS10\n2024-01-03,3.9\n2024-01-02,3.95\n";
    ck_assert_int_eq(gex_macro_read_fred_buffer(order, sizeof order - 1, "DGS10.csv", &f, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "ascending"));
    static const char extra[] = "observation_date,DGS10\n2024-01-02,3.95,1\n";
    ck_assert_int_eq(gex_macro_read_fred_buffer(extra, sizeof extra - 1, "DGS10.csv", &f, &err),
                     GEX_EPARSE);
    ck_assert_int_eq(gex_macro_read_fred("/nonexistent/DGS10.csv", &f, &err), GEX_EIO);
}
END_TEST

START_TEST(test_fred_null_arguments)
{
    /* gex/macro.h: a NULL path, buffer or result is the caller's mistake, said as such. */
    gex_macro_file f = {.n = 7};
    gex_error err;
    ck_assert_int_eq(gex_macro_read_fred(NULL, &f, &err), GEX_EINVAL);
    ck_assert_str_eq(err.text, "no path");
    ck_assert_uint_eq(f.n, 0);
    ck_assert_int_eq(gex_macro_read_fred("/nonexistent/DGS10.csv", NULL, &err), GEX_EINVAL);
    ck_assert_int_eq(gex_macro_read_fred_buffer(NULL, 3, "x.csv", &f, &err), GEX_EINVAL);
    static const char one[] = "observation_date,DGS10\n2024-01-02,3.95\n";
    ck_assert_int_eq(gex_macro_read_fred_buffer(one, sizeof one - 1, "x.csv", NULL, &err),
                     GEX_EINVAL);
    ck_assert_int_eq(gex_macro_read_fred(NULL, &f, NULL), GEX_EINVAL);
}
END_TEST

/* No bytes: empty input, whether buf is NULL or not (gex_chain_read_buffer's convention), and
 * said as such rather than as a missing buffer or a header that is not FRED's. */
START_TEST(test_fred_read_buffer_empty)
{
    gex_macro_file f = {.n = 7};
    gex_error err;
    ck_assert_int_eq(gex_macro_read_fred_buffer(NULL, 0, "DGS10.csv", &f, &err), GEX_EEMPTY);
    ck_assert_uint_eq(f.n, 0);
    ck_assert_ptr_null(f.series);
    ck_assert_str_eq(err.file, "DGS10.csv");
    ck_assert_ptr_nonnull(strstr(err.text, "empty"));
    ck_assert_ptr_nonnull(strstr(err.text, "fred.stlouisfed.org"));
    ck_assert_int_eq(gex_macro_read_fred_buffer("", 0, "DGS10.csv", &f, &err), GEX_EEMPTY);
    static const char blank[] = " \r\n\n";
    ck_assert_int_eq(gex_macro_read_fred_buffer(blank, sizeof blank - 1, "DGS10.csv", &f, &err),
                     GEX_EEMPTY);
    ck_assert_int_eq(gex_macro_read_fred_buffer(NULL, 0, "DGS10.csv", &f, NULL), GEX_EEMPTY);
    /* the chain reader's answer to the same call */
    gex_chain *c = NULL;
    ck_assert_int_eq(gex_chain_read_buffer(NULL, 0, "c.csv", NULL, &c, NULL, &err), GEX_EEMPTY);
    ck_assert_ptr_null(c);
}
END_TEST

/* From a path: 30 years of a daily series (more than the first 64 KiB the reader holds), the
 * very series the buffer gives; a folder is an error saying why. */
START_TEST(test_fred_from_a_path)
{
    char dir[] = "/tmp/gex-macro.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/DFF.csv", dir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("observation_date,DFF\n", fp);
    size_t rows = 0;
    for (int32_t d = day_of(1995, 1, 1); d < day_of(2025, 1, 1); d++, rows++) {
        int y, m, dd;
        gex_time_civil_from_days(d, &y, &m, &dd);
        if (rows % 7 == 3)
            fprintf(fp, "%04d-%02d-%02d,.\n", y, m, dd);
        else
            fprintf(fp, "%04d-%02d-%02d,%.2f\n", y, m, dd, 0.01 * (double)(rows % 600));
    }
    const long size = ftell(fp);
    ck_assert_int_eq(fclose(fp), 0);
    ck_assert_int_gt(size, 1 << 16);
    gex_macro_file f, g;
    gex_error err;
    ck_assert_int_eq(gex_macro_read_fred(path, &f, &err), GEX_OK);
    fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    char *text = malloc((size_t)size);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    ck_assert_int_eq(gex_macro_read_fred_buffer(text, (size_t)size, path, &g, &err), GEX_OK);
    free(text);
    const gex_macro_series *a = gex_macro_find(&f, "DFF"), *b = gex_macro_find(&g, "DFF");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(a->n, rows);
    ck_assert_uint_eq(b->n, rows);
    for (size_t i = 0; i < rows; i++) {
        ck_assert_int_eq(a->day[i], b->day[i]);
        ck_assert(memcmp(&a->value[i], &b->value[i], sizeof a->value[i]) == 0);
    }
    ck_assert(isnan(a->value[3]));
    ck_assert_double_eq(a->value[rows - 1], 0.01 * (double)((rows - 1) % 600));
    gex_macro_file_free(&f);
    gex_macro_file_free(&g);
    ck_assert_int_eq(gex_macro_read_fred(dir, &f, &err), GEX_EIO);
    ck_assert_msg(strstr(err.text, "cannot read the file: Is a directory") != NULL, "%s", err.text);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("macro");
    TCase *tc = tcase_create("fred");
    tcase_add_test(tc, test_fred_one_series_missing_days);
    tcase_add_test(tc, test_fred_graph_of_two_series_old_header_crlf_bom);
    tcase_add_test(tc, test_fred_lone_cr_line_ends);
    tcase_add_test(tc, test_fred_not_an_optionmetrics_chain);
    tcase_add_test(tc, test_fred_refusals_name_the_line);
    tcase_add_test(tc, test_fred_null_arguments);
    tcase_add_test(tc, test_fred_read_buffer_empty);
    tcase_add_test(tc, test_fred_from_a_path);
    suite_add_tcase(s, tc);
    return gex_test_run(s);
}
