/* Data that used to be lost without a word (issue 15), now an error or a warning with the line:
 * a quote never closed (the rest of the file read as one field), rows whose spots differ (the
 * first used for all), two CBOE downloads joined into one file (read at the first one's spot
 * and date). Each read alike in one piece, in chunks and in ranges on threads. */
#include "gex-test.h"

#include "../src/chain-internal.h"
#include "gex/chain.h"

/* The read of buf (whole, in chunks of 5 bytes, in ranges of 64 bytes on 3 threads) fails with
 * status at line, its text holding words; all three alike. */
static void expect_error(const char *buf, size_t len, int status, long line, const char *words)
{
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(buf, len, "f.csv", NULL, &c, NULL, &err), status);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err.line, line);
    ck_assert_msg(strstr(err.text, words) != NULL, "\"%s\" lacks \"%s\"", err.text, words);
    FILE *fp = fmemopen((void *)buf, len, "rb");
    gex_error e2;
    ck_assert_int_eq(gex__chain_read_file_chunked(fp, "f.csv", NULL, &c, NULL, &e2, 5), status);
    fclose(fp);
    ck_assert_str_eq(e2.text, err.text);
    ck_assert_int_eq(e2.line, line);
    gex_read_options o = {.threads = 3};
    ck_assert_int_eq(
        gex__chain_read_buffer_split(buf, len, "f.csv", &o, &c, NULL, &e2, 64, 5, NULL), status);
    ck_assert_str_eq(e2.text, err.text);
    ck_assert_int_eq(e2.line, line);
}

START_TEST(test_loss_unclosed_quote_is_an_error)
{
    /* 30 contracts; the quote opened on line 4 swallowed 27 of them as one field. */
    char buf[8192];
    size_t n = (size_t)snprintf(buf, sizeof buf,
                                "underlying,expiration,strike,type,bid,ask,open_interest,spot\n");
    for (int i = 0; i < 30; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "XYZ,2030-01-18,%d,%s,%s1.25,1.35,17,100.25\n", 90 + i,
                              i % 2 ? "P" : "C", i == 2 ? "\"" : "");
    expect_error(buf, n, GEX_EPARSE, 4, "a quote opened in the row of this line is never closed");
    /* Closed, the same quote is a field like any other. */
    char *q = strchr(buf, '"');
    *q = ' ';
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(buf, n, "f.csv", NULL, &c, NULL, &err), GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), 30);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_loss_spots_that_differ_are_warned)
{
    const char csv[] = "underlying,expiration,strike,type,bid,ask,open_interest,spot\n"
                       "XYZ,2030-01-18,100,C,1.25,1.35,17,100.25\n"
                       "ABC,2030-01-18,50,C,1.25,1.35,17,50.5\n"
                       "XYZ,2030-01-18,101,C,1.25,1.35,17,100.25\n"
                       "XYZ,2030-01-18,102,C,1.25,1.35,17,\n"
                       "XYZ,2030-01-18,103,C,1.25,1.35,17,101.75\n"
                       "XYZ,2030-01-18,104,C,1.25,1.35,17,99.5\n";
    for (int threads = 1; threads <= 3; threads += 2) {
        gex_chain *c = NULL;
        gex_read_report rep;
        gex_error err;
        gex_read_options o = {.threads = threads};
        ck_assert_int_eq(gex__chain_read_buffer_split(csv, sizeof csv - 1, "s.csv", &o, &c, &rep,
                                                      &err, 40, 7, NULL),
                         GEX_OK);
        ck_assert_str_eq(rep.warning,
                         "the spot differs between rows: XYZ is read at 100.25 (its first row's), "
                         "but 2 rows say otherwise, the first on line 6 (101.75); pass --spot to "
                         "choose");
        gex_chain_view v;
        gex_chain_get_view(c, &v);
        for (size_t i = 0; i < v.n; i++)
            ck_assert_double_eq(v.spot[i], i == 1 ? 50.5 : 100.25);
        gex_chain_free(c);
    }
    /* --spot chooses: nothing to warn about. */
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    gex_read_options o = {.spot = 100.5};
    ck_assert_int_eq(gex_chain_read_buffer(csv, sizeof csv - 1, "s.csv", &o, &c, &rep, &err),
                     GEX_OK);
    ck_assert_str_eq(rep.warning, "");
    gex_chain_free(c);
}
END_TEST

START_TEST(test_loss_joined_cboe_downloads_refused)
{
    size_t len;
    char *one = gex_test_slurp(gex_test_data("chains/cboe-current.csv"), &len);
    char *buf = malloc(2 * len); /* the file, then the file again */
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, one, len);
    free(one);
    long lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    memcpy(buf + len, buf, len);
    /* The second file opens with a blank line (as CBOE's do), then its "Last:" line. */
    ck_assert_int_eq(buf[0], '\n');
    expect_error(buf, 2 * len, GEX_EPARSE, lines + 2, "another CBOE download starts on this line");
    free(buf);
}
END_TEST

static Suite *loss_suite(void)
{
    Suite *s = suite_create("chain-loss");
    TCase *tc = tcase_create("loss");
    tcase_add_test(tc, test_loss_unclosed_quote_is_an_error);
    tcase_add_test(tc, test_loss_spots_that_differ_are_warned);
    tcase_add_test(tc, test_loss_joined_cboe_downloads_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(loss_suite());
}
