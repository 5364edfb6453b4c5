/* src/decimal.c: the chain readers' decimal parser returns exactly the double glibc's strtod
 * returns (bit for bit, sign of zero included), on millions of generated inputs and the known
 * hard cases of decimal-to-binary conversion (Clinger 1990; Paxson, "A Program for Testing
 * IEEE Decimal-Binary Conversion", 1991; the halfway cases around 2^53). */
#include "gex-test.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>

#include "../src/decimal-internal.h"

static locale_t c_locale;

static void setup(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    ck_assert(c_locale != (locale_t)0);
}

static void teardown(void)
{
    freelocale(c_locale);
}

/* xorshift64* (Vigna 2016): a fixed-seed generator so that every run tests the same inputs. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

/* Plain comparisons, and Check only on failure: a ck_assert per input would cost more than
 * the conversions under test. */
static void check_same(const char *s)
{
    char *end;
    double want = strtod_l(s, &end, c_locale);
    if (*end != '\0')
        ck_abort_msg("generator produced an input strtod does not take whole: %s", s);
    double got = -12345.678;
    if (gex__decimal_parse(s, strlen(s), c_locale, &got) != 0)
        ck_abort_msg("refused \"%s\"", s);
    if (memcmp(&got, &want, sizeof got) != 0)
        ck_abort_msg("\"%s\": %.17g, strtod %.17g", s, got, want);
}

START_TEST(test_decimal_parse_hard_cases)
{
    static const char *const cases[] = {
        "0",
        "-0",
        "+0",
        "0.0",
        "-0.000",
        "00012.5000",
        "1",
        "-1",
        "0.1",
        "0.2",
        "0.3",
        "9007199254740992",
        "9007199254740993",
        "9007199254740991",
        "9007199254740992.5",
        "900719925474099.25",
        "4503599627370496.5",
        "4503599627370497.5",
        "1e22",
        "1e23",
        "1e-22",
        "1e-23",
        "123456789012345678",
        "1234567890123456789",
        "12345678901234567890",
        "0.0000000000000000000000001",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "4.9e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1e-400",
        "-1e-400",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "1e309",
        "1e400",
        "-1e400",
        "8.988465674311579e307",
        "5e-324",
        "3.14159265358979323846264338",
        "1.",
        ".5",
        "-.5",
        "+.5e1",
        "1E5",
        "1e+05",
        "1e-05",
        "7.038531e-26",
        "9.5e-1",
        "692.2999877929688",
        "0.0027397260273972603",
        "24.001",
        "4505.1001",
        "1e000000000000000000001",
        "1e-0000000000000000000000000000000000000001",
        "0e99999999",
        "1e99999999",
        "1e-99999999",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_same(cases[i]);
}
END_TEST

START_TEST(test_decimal_parse_refuses_non_decimals)
{
    static const char *const bad[] = {
        "",    ".",        "-",  "+",  "e5",  "1e",  "1e+", "1.2.3", "0x10", "0x1p3", "inf", "-inf",
        "nan", "infinity", " 1", "1 ", "1,5", "--1", "+-1", "1e5.5", "1..2", "abc",   "12a", "1-2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 42;
        ck_assert_msg(gex__decimal_parse(bad[i], strlen(bad[i]), c_locale, &v) == -1,
                      "accepted \"%s\"", bad[i]);
        ck_assert_double_eq(v, 42);
    }
}
END_TEST

START_TEST(test_decimal_parse_prices_like_chain_files)
{
    /* Up to 7 integer digits and 0-8 decimals: what strikes, quotes and IVs look like. */
    char s[64];
    for (int n = 0; n < 2000000; n++) {
        uint64_t r = rng();
        unsigned whole = (unsigned)(r % 10000000u);
        int decimals = (int)((r >> 32) % 9);
        uint64_t frac = rng() % 100000000u;
        if (decimals == 0)
            snprintf(s, sizeof s, "%s%u", (r >> 40) % 7 == 0 ? "-" : "", whole);
        else
            snprintf(s, sizeof s, "%s%u.%0*llu", (r >> 40) % 7 == 0 ? "-" : "", whole, decimals,
                     (unsigned long long)(frac % (uint64_t)pow(10, decimals)));
        check_same(s);
    }
}
END_TEST

START_TEST(test_decimal_parse_random_significands_and_exponents)
{
    /* 1-25 significant digits with exponents -40..40: both paths and their boundary. */
    char s[96];
    for (int n = 0; n < 2000000; n++) {
        uint64_t r = rng();
        int digits = 1 + (int)(r % 25);
        int point = (int)((r >> 8) % (unsigned)(digits + 1));
        size_t k = 0;
        if ((r >> 16) & 1)
            s[k++] = '-';
        for (int d = 0; d < digits; d++) {
            if (d == point && d > 0)
                s[k++] = '.';
            s[k++] = (char)('0' + rng() % 10);
        }
        if ((r >> 17) & 1)
            k += (size_t)snprintf(s + k, sizeof s - k, "e%d", (int)((r >> 24) % 81) - 40);
        s[k] = '\0';
        check_same(s);
    }
}
END_TEST

START_TEST(test_decimal_parse_round_trips_doubles)
{
    /* Random doubles printed with 17, 15 and 6 significant digits, and as %f prices. */
    char s[64];
    for (int n = 0; n < 1000000; n++) {
        uint64_t bits = rng();
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        snprintf(s, sizeof s, "%.17g", x);
        check_same(s);
        snprintf(s, sizeof s, "%.15g", x);
        check_same(s);
        double price = (double)(rng() % 1000000000u) / 997.0;
        snprintf(s, sizeof s, "%.6f", price);
        check_same(s);
        snprintf(s, sizeof s, "%.17g", price);
        check_same(s);
    }
}
END_TEST

static Suite *decimal_suite(void)
{
    Suite *s = suite_create("decimal");
    TCase *tc = tcase_create("strtod");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_decimal_parse_hard_cases);
    tcase_add_test(tc, test_decimal_parse_refuses_non_decimals);
    tcase_add_test(tc, test_decimal_parse_prices_like_chain_files);
    tcase_add_test(tc, test_decimal_parse_random_significands_and_exponents);
    tcase_add_test(tc, test_decimal_parse_round_trips_doubles);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(decimal_suite());
}
