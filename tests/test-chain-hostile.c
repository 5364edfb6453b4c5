/* The chain readers on hostile input (empty, binary, a 10 MB line, header only, truncation at
 * every byte, invalid UTF-8, NUL bytes, unbalanced quotes, hostile JSON), and the replay of every
 * input the fuzzer (fuzz/fuzz-chain-read.c) found, kept in tests/data/fuzz-regressions/. Each
 * input goes through the fuzzer's own check (fuzz/fuzz-chain-one.h): no crash, no sanitizer
 * report, and a chain that is sane and prepares without nan or inf, or an error that says why. */
#include "gex-test.h"

#include <stdint.h>

#include "../fuzz/fuzz-chain-one.h"

/* Option bytes tried on each input: lenient and strict, each format, --symbol, --spot and the
 * three IV sources (see fuzz-chain-one.h). */
static const uint8_t option_bytes[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x06, 0x10, 0x20, 0x41, 0x80};

static void check_all_options(const char *data, size_t len, const char *what)
{
    uint8_t *buf = malloc(len + 1);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf + 1, data, len);
    for (size_t k = 0; k < sizeof option_bytes; k++) {
        buf[0] = option_bytes[k];
        int bad = gex_fuzz_chain_one(buf, len + 1);
        if (bad != 0)
            ck_abort_msg("%s (options 0x%02x): invariant %d broken", what, option_bytes[k], bad);
    }
    free(buf);
}

START_TEST(test_hostile_empty_and_blank)
{
    static const char *const inputs[] = {
        "",   "\n", "\r\n\r\n",    "   ", "\xef\xbb\xbf", "{",
        "[]", "{}", ",,,,\n,,,\n", "\"",  "\"\"\"",       "\0\0\0"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        check_all_options(inputs[i], strlen(inputs[i]) + (i == 11 ? 3 : 0), inputs[i]);
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(NULL, 0, "empty", NULL, &c, NULL, &err), GEX_EEMPTY);
    ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_hostile_binary_garbage)
{
    uint64_t x = 0x2545F4914F6CDD1Dull;
    enum { N = 1 << 16 };
    char *buf = malloc(N);
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < N; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = (char)(x >> 24);
        }
        check_all_options(buf, N, "random bytes");
        /* Garbage after a valid header. */
        const char header[] = "underlying,expiration,strike,type,bid,ask,open_interest,spot\n";
        memcpy(buf, header, sizeof header - 1);
        check_all_options(buf, N, "random rows");
    }
    free(buf);
}
END_TEST

START_TEST(test_hostile_ten_megabyte_line)
{
    enum { BIG = 10 * 1024 * 1024 };
    const char header[] = "underlying,expiration,strike,type,bid,ask,open_interest,spot\n";
    char *buf = malloc(BIG + 256);
    memcpy(buf, header, sizeof header - 1);
    memset(buf + sizeof header - 1, '7', BIG);
    size_t len = sizeof header - 1 + BIG;
    const char tail[] = "\nSPX,2023-09-15,4500,C,1,2,3,4505\n";
    memcpy(buf + len, tail, sizeof tail - 1);
    len += sizeof tail - 1;
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(buf, len, "big.csv", NULL, &c, &rep, &err), GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), 1);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_SHORT_ROW], 1);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.line[0], 3);
    gex_chain_free(c);
    /* The same line first: no header within reach, an unknown format. */
    ck_assert_int_eq(
        gex_chain_read_buffer(buf + sizeof header - 1, BIG, "big.csv", NULL, &c, NULL, &err),
        GEX_EFORMAT);
    /* Through a stream (chunks), and as one quoted field spanning the chunks. */
    buf[sizeof header - 1] = '"';
    FILE *fp = fmemopen(buf, len, "rb");
    ck_assert_ptr_nonnull(fp);
    int rc = gex_chain_read_file(fp, "big.csv", NULL, &c, &rep, &err);
    fclose(fp);
    ck_assert_int_ne(rc, GEX_OK); /* the quote never closes: no row survives */
    ck_assert_ptr_null(c);
    free(buf);
}
END_TEST

START_TEST(test_hostile_truncated_fixtures)
{
    /* Every fixture cut at every byte: a read that stops anywhere must not crash. */
    static const char *const names[] = {
        "long-aliases.csv",           "cboe-current.csv",  "cboe-2020.dat", "cboe-json.json",
        "long-preamble-bom-crlf.csv", "long-bad-rows.csv", "yfinance.csv"};
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s", gex_test_data("chains/"));
        strncat(path, names[f], sizeof path - strlen(path) - 1);
        size_t len;
        char *text = gex_test_slurp(path, &len);
        for (size_t cut = 0; cut <= len; cut++) {
            uint8_t *buf = malloc(cut + 1);
            memcpy(buf + 1, text, cut);
            for (int k = 0; k < 2; k++) {
                buf[0] = (uint8_t)k;
                int bad = gex_fuzz_chain_one(buf, cut + 1);
                if (bad != 0)
                    ck_abort_msg("%s cut at %zu: invariant %d broken", names[f], cut, bad);
            }
            free(buf);
        }
        free(text);
    }
}
END_TEST

START_TEST(test_hostile_invalid_utf8_nul_and_quotes)
{
    static const char *const inputs[] = {
        "underlying,expiration,strike,type,bid,ask,open_interest,spot\n"
        "\xff\xfe,2023-09-15,4500,C,1,2,3,4505\n"
        "S\xc0\xafX,2023-09-15,4500,C,1,2,3,4505\n"
        "SPX,2023-09-15\xe2\x80,4500,C,1,2,3,4505\n"
        "SPX,2023-09-15,45\xed\xa0\x80,C,1,2,3,4505\n",
        "\xef\xbb\xbf\xef\xbb\xbfunderlying,expiration,strike,type,open_interest,spot\nSPX,2023-09-"
        "15,1,C,1,2\n",
        "underlying,expiration,strike,type,bid,ask,open_interest,spot\n"
        "SPX,\"2023-09-15,4500,C,1,2,3,4505\n"
        "SPX,2023-09-15,4500,C,1,2,3,4505\n",
        "underlying,expiration,strike,type,bid,ask,open_interest,spot\n"
        "SPX,\"2023-09-15\n\",4500,C,1,2,3,4505\nSPX,2023-09-15,-0,C,1,2,3,4505\n"
        "SPX,2023-09-15,1e400,C,1,2,3,4505\nSPX,2023-09-15,4500,C,1,2,1e400,4505\n"
        "SPX,2023-09-15,4500,C,1,2,3,1e400\nSPX,2023-09-15,4500,C,1,2,3,-0\n"
        "SPX,99999-09-15,4500,C,1,2,3,4505\nSPX,1900-02-29,4500,C,1,2,3,4505\n",
        "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,"
        "Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest\n"
        "Fri Mar 22 2024,QQQ240322C00445000,1,0,1,2,0,0.2,0.5,0.01,5,445.00,"
        "QQQ240322P00445000,1,0,1,2,0,0.2,-0.5,0.01,5\n",
        "{\"data\":{\"options\":[{\"option\":\"SPX231020C04500000\",\"bid\":1e308,\"ask\":1e308,"
        "\"open_interest\":1e308}],\"current_price\":1e308},\"timestamp\":\"x\"}",
        "{\"data\":{\"options\":[1,\"x\",null,[],{\"option\":null}],\"current_price\":-1}}",
        "{\"data\":{\"options\":{}}}",
        "{\"data\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "hostile input %zu", i);
        check_all_options(inputs[i], strlen(inputs[i]), what);
    }
    /* NUL bytes inside fields. */
    static const char nul_row[] = "underlying,expiration,strike,type,bid,ask,open_interest,spot\n"
                                  "SP\0X,2023-09-15,45\0,C,1,2,3,4505\n"
                                  "SPX,2023-09-15,4500,C,1,2,3,4505\n";
    check_all_options(nul_row, sizeof nul_row - 1, "NUL bytes");
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(
        gex_chain_read_buffer(nul_row, sizeof nul_row - 1, "nul.csv", NULL, &c, &rep, &err),
        GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), 1);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_STRIKE] + rep.skipped[GEX_SKIP_BAD_SYMBOL], 1);
    gex_chain_free(c);
}
END_TEST

/* One of the fuzzer's findings through its check. */
static void replay_one(const char *path, const char *name, void *ctx)
{
    (void)ctx;
    size_t len;
    char *data = gex_test_slurp(path, &len);
    int bad = gex_fuzz_chain_one((const uint8_t *)data, len);
    if (bad != 0)
        ck_abort_msg("%s: invariant %d broken", name, bad);
    free(data);
}

START_TEST(test_fuzz_regressions_replay)
{
    size_t count = gex_test_each_file(gex_test_data("fuzz-regressions"), "", replay_one, NULL);
    printf("fuzz regressions replayed: %zu\n", count);
}
END_TEST

static Suite *hostile_suite(void)
{
    Suite *s = suite_create("chain-hostile");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_hostile_empty_and_blank);
    tcase_add_test(tc, test_hostile_binary_garbage);
    tcase_add_test(tc, test_hostile_ten_megabyte_line);
    tcase_add_test(tc, test_hostile_truncated_fixtures);
    tcase_add_test(tc, test_hostile_invalid_utf8_nul_and_quotes);
    tcase_add_test(tc, test_fuzz_regressions_replay);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(hostile_suite());
}
