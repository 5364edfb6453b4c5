/* gex__fmt_roundtrip, the shortest text that reads back (Giulietti's Schubfach, in
 * src/render/render-number.c), against independent truth: the C library's correctly rounded
 * printf and strtod. Over millions of random bit patterns (every exponent, subnormals included),
 * decimal-looking values like the prices and exposures in chains, and the edge cases, each text
 * must read back to the same double; no text with one digit fewer may read back (a proof of
 * shortness: the two decimals of one digit fewer around it are the only candidates); when
 * printf's correctly rounded value with as many digits reads back, the digits are the same
 * (the nearest), and the text has the form printf's %.{max(15, digits)}g gives, the form the
 * documents had before. A sample is compared with the shortest %.{1..17}g that reads back.
 * GEX_ROUNDTRIP_COUNT sets how many random values (default 1,000,000 of each kind; a tenth
 * under the sanitizers, which run the same checks slower).
 *
 * gex__fmt_sig_to (tables' "%.6g" columns) against printf's "%.{p}g" itself.
 *
 * gex__fmt_grouped (tables: "1,234,567.89"), whose fixed-point digits come from one 128-bit
 * product instead of printf, against printf's own "%.*f" grouped by hand: random bit patterns
 * below GEX__GROUPED_MAX, values with few decimals, exact ties at every number of decimals
 * (printf rounds them to even), and the edges. */
#include "gex-test.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "render.h"
#include "splitmix64.h"

typedef struct {
    long checked;
    long not_nearest; /* shorter than printf's rounding allows: only at powers of two */
} tally;

/* The significant digits of a formatter's text: value = m * 10^k, m without trailing zeros. */
static int parse_digits(const char *s, uint64_t *m, int *k, int *n)
{
    uint64_t acc = 0;
    int digits = 0, point = 0, scale = 0;
    if (*s == '-')
        s++;
    for (; *s != '\0' && *s != 'e'; s++) {
        if (*s == '.') {
            point = 1;
            continue;
        }
        if (*s < '0' || *s > '9')
            return -1;
        if (acc == 0 && *s == '0') { /* leading zero */
            if (point)
                scale--;
            continue;
        }
        if (digits == 19)
            return -1;
        acc = acc * 10 + (uint64_t)(*s - '0');
        digits++;
        if (point)
            scale--;
    }
    if (*s == 'e')
        scale += atoi(s + 1);
    while (acc != 0 && acc % 10 == 0) {
        acc /= 10;
        scale++;
        digits--;
    }
    *m = acc;
    *k = scale;
    *n = digits;
    return 0;
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static int reads_back(const char *s, double v)
{
    return same_bits(strtod(s, NULL), v);
}

static void check_one(double v, tally *t)
{
    char s[64], alt[64];
    gex__fmt_roundtrip(v, s, sizeof s);
    if (v == 0.0) {
        ck_assert_str_eq(s, "0");
        return;
    }
    ck_assert_msg(reads_back(s, v), "%a: \"%s\" reads back as %a", v, s, strtod(s, NULL));
    uint64_t m;
    int k, n;
    ck_assert_int_eq(parse_digits(s, &m, &k, &n), 0);
    ck_assert_msg(n >= 1 && n <= 17, "%a: \"%s\" has %d digits", v, s, n);
    /* Shortness: a decimal of n - 1 digits in the rounding interval would make one of the two
     * around this one (c0 and c0 + 1 units of 10^(k+1)) lie in it too: the interval is convex. */
    if (n > 1) {
        for (uint64_t c = m / 10; c <= m / 10 + 1; c++) {
            snprintf(alt, sizeof alt, "%s%" PRIu64 "e%d", v < 0 ? "-" : "", c, k + 1);
            ck_assert_msg(!reads_back(alt, v), "%a: \"%s\" is shorter than \"%s\"", v, alt, s);
        }
    }
    /* The nearest of its length: printf's correctly rounded n digits, when they read back. */
    snprintf(alt, sizeof alt, "%.*e", n - 1, v);
    if (!reads_back(alt, v)) {
        /* Only where the interval is lopsided, at a power of two: fraction bits all zero. */
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        ck_assert_msg((bits & ((UINT64_C(1) << 52) - 1)) == 0,
                      "%a: \"%s\" is not the nearest %d digits (%s)", v, s, n, alt);
        t->not_nearest++;
        t->checked++;
        return;
    }
    uint64_t m2;
    int k2, n2;
    ck_assert_int_eq(parse_digits(alt, &m2, &k2, &n2), 0);
    ck_assert_msg(m2 == m && k2 == k, "%a: \"%s\" but printf's nearest is %s", v, s, alt);
    /* The form: %.{max(15, n)}g; subnormals, always in exponent form, as %.{n}g. */
    const int p = fabs(v) < DBL_MIN ? n : (n > 15 ? n : 15);
    snprintf(alt, sizeof alt, "%.*g", p, v);
    ck_assert_msg(strcmp(s, alt) == 0, "%a: \"%s\", printf's form \"%s\"", v, s, alt);
    t->checked++;
}

/* The brief's own comparison: the fewest digits p with %.{p}g reading back. */
static void check_against_printf_scan(double v)
{
    char s[64], alt[64];
    gex__fmt_roundtrip(v, s, sizeof s);
    uint64_t m;
    int k, n;
    ck_assert_int_eq(parse_digits(s, &m, &k, &n), 0);
    int p = 1;
    for (; p < 17; p++) {
        snprintf(alt, sizeof alt, "%.*g", p, v);
        if (reads_back(alt, v))
            break;
    }
    ck_assert_msg(n <= p, "%a: \"%s\" has %d digits, %%.%dg reads back", v, s, n, p);
}

static long random_count(void)
{
    const char *e = getenv("GEX_ROUNDTRIP_COUNT");
    long n = e != NULL ? atol(e) : 0;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    const long fallback = 100000; /* the sanitizers' builds run the same checks, slower */
#else
    const long fallback = 1000000;
#endif
    return n > 0 ? n : fallback;
}

START_TEST(test_fmt_roundtrip_edge_cases)
{
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {5e-324, "5e-324"},
        {-5e-324, "-5e-324"},
        {1e-323, "1e-323"},
        {2.2250738585072009e-308, "2.225073858507201e-308"},  /* largest subnormal */
        {2.2250738585072014e-308, "2.2250738585072014e-308"}, /* DBL_MIN */
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {-1.7976931348623157e308, "-1.7976931348623157e+308"},
        {0.1, "0.1"},
        {0.3, "0.3"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1.0, "1"},
        {-2.5, "-2.5"},
        {100.0, "100"},
        {1e14, "100000000000000"},
        {1e15, "1e+15"},
        {123456789012345.0, "123456789012345"},
        {1234567890123456.0, "1234567890123456"},
        {12345678901234568.0, "12345678901234568"},
        {1e16, "1e+16"},
        {1e23, "1e+23"},
        {9007199254740993.0, "9007199254740992"},
        {0.0001, "0.0001"},
        {0.00001, "1e-05"},
        {1.5e-5, "1.5e-05"},
        {4480.125, "4480.125"},
        {2.0 / 3.0, "0.6666666666666666"},
        {1e100, "1e+100"},
        {1e-100, "1e-100"},
        {-0.0, "0"},
        {0.0, "0"},
    };
    char s[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gex__fmt_roundtrip(cases[i].v, s, sizeof s);
        ck_assert_str_eq(s, cases[i].text);
    }
    tally t = {0, 0};
    /* Every power of ten and of two, and the doubles either side of each. */
    for (int e = -323; e <= 308; e++) {
        char p10[16];
        snprintf(p10, sizeof p10, "1e%d", e);
        const double v = strtod(p10, NULL);
        check_one(v, &t);
        check_one(nextafter(v, 0.0), &t);
        check_one(nextafter(v, INFINITY), &t);
        check_one(-v, &t);
    }
    for (int e = -1074; e <= 1023; e++) {
        const double v = ldexp(1.0, e);
        check_one(v, &t);
        check_one(nextafter(v, 0.0), &t);
        check_one(nextafter(v, INFINITY), &t);
    }
    check_one(DBL_MAX, &t);
    check_one(DBL_MIN, &t);
    check_one(nextafter(DBL_MIN, 0.0), &t);
    /* A buffer too small is cut, never overrun. */
    char small[4];
    gex__fmt_roundtrip(1.7976931348623157e308, small, sizeof small);
    ck_assert_str_eq(small, "1.7");
}
END_TEST

/* Integers, which take their own path below 10^15 (strikes, open interest): every one from
 * -100,000 to 100,000, random ones of every length to 17 digits, and the doubles around the
 * path's end (10^15) and around 2^53; gex__fmt_roundtrip_to gives the same text and its length. */
START_TEST(test_fmt_roundtrip_integers)
{
    tally t = {0, 0};
    for (long i = -100000; i <= 100000; i++)
        check_one((double)i, &t);
    uint64_t state = UINT64_C(0x1e9e4);
    const long count = random_count() / 4;
    for (long i = 0; i < count; i++) {
        const int digits = 1 + (int)(gex_splitmix64(&state) % 17);
        uint64_t m = gex_splitmix64(&state) % UINT64_C(100000000000000000);
        for (int d = 17; d > digits; d--)
            m /= 10;
        const double v = (double)m;
        check_one(v, &t);
        check_one(-v, &t);
        check_one(nextafter(v, INFINITY), &t); /* not an integer below 2^52 */
    }
    const double around[] = {1e15, 999999999999999.0, 9007199254740992.0, 4503599627370496.0};
    for (size_t i = 0; i < sizeof around / sizeof around[0]; i++) {
        double v = around[i];
        for (int j = 0; j < 40; j++)
            v = nextafter(v, 0.0);
        for (int j = 0; j < 80; j++, v = nextafter(v, INFINITY)) {
            check_one(v, &t);
            check_one(-v, &t);
        }
    }
    char a[GEX__ROUNDTRIP_SIZE], b[64];
    state = UINT64_C(0x70);
    for (int i = 0; i < 100000; i++) {
        const uint64_t bits = gex_splitmix64(&state);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (i % 2 == 0)
            v = (double)(int64_t)(gex_splitmix64(&state) % UINT64_C(2000000000000000)) - 1e15;
        const size_t n = gex__fmt_roundtrip_to(v, a);
        gex__fmt_roundtrip(v, b, sizeof b);
        ck_assert_uint_eq(n, strlen(a));
        ck_assert_uint_lt(n, GEX__ROUNDTRIP_SIZE);
        ck_assert_str_eq(a, b);
    }
    printf("fmt_roundtrip: %ld integers and their neighbours\n", t.checked);
}
END_TEST

/* Every integer below 10^8 and ten million with a high half of eight digits (h 10^8 + l, 16
 * digits, l odd, below 2^53: an exact double whose shortest text is its own digits): the digits of
 * each half of a number come from one conversion of eight (SSE2 lanes on x86-64), which this
 * gives every input, against a decimal counter kept by hand. A tenth of each under the
 * sanitizers. */
START_TEST(test_fmt_roundtrip_every_eight_digits)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    const uint32_t below = 10000000; /* a tenth: the release build checks every value */
#else
    const uint32_t below = 100000000;
#endif
    char want[24] = "0", got[GEX__ROUNDTRIP_SIZE];
    size_t len = 1;
    for (uint32_t x = 0; x < below; x++) {
        const size_t n = gex__fmt_roundtrip_to((double)x, got);
        if (n != len || memcmp(got, want, len) != 0)
            ck_abort_msg("%u written as \"%s\"", x, got);
        /* want + 1 */
        size_t i = len;
        while (i > 0 && want[i - 1] == '9')
            want[--i] = '0';
        if (i == 0) {
            memmove(want + 1, want, len);
            want[0] = '1';
            want[++len] = '\0';
        } else {
            want[i - 1]++;
        }
    }
    uint64_t state = UINT64_C(0xe1647);
    for (long i = 0; i < (long)below / 10; i++) {
        const uint64_t h = 10000000 + gex_splitmix64(&state) % 80000000;
        const uint64_t l = 2 * (gex_splitmix64(&state) % 50000000) + 1; /* no zero at the end */
        const uint64_t m = h * 100000000 + l;
        snprintf(want, sizeof want, "%" PRIu64, m);
        gex__fmt_roundtrip_to((double)m, got);
        ck_assert_msg(strcmp(got, want) == 0, "%" PRIu64 " written as \"%s\"", m, got);
    }
    printf("fmt_roundtrip: every integer below %u, %u of 16 digits\n", below, below / 10);
}
END_TEST

/* gex__fmt_sig_to against printf's own "%.{p}g" over random bit patterns (every exponent,
 * subnormals included), decimal-looking values, values of all digits over forty decades, and
 * exact ties of p digits (an odd number ending in 5 times a power of two or of ten: printf rounds
 * them to even, and the shortest digits cannot tell which side v is on), p from 1 to 15. */
START_TEST(test_fmt_sig_against_printf)
{
    uint64_t state = UINT64_C(0x516);
    const long count = random_count();
    long checked = 0;
    char a[GEX__ROUNDTRIP_SIZE], b[64];
    for (long i = 0; i < count; i++) {
        const uint64_t r = gex_splitmix64(&state);
        const int p = 1 + (int)(gex_splitmix64(&state) % 15);
        const int e = (int)(gex_splitmix64(&state) % 40);
        double v;
        switch (i % 5) {
        case 0:
            memcpy(&v, &r, sizeof v);
            break;
        case 1:
            v = (double)(r % 100000000) / pow(10.0, (double)(e % 12));
            break;
        case 2:
            v = ldexp((double)((r % 1000000) * 10 + 5), e - 20);
            break;
        case 3:
            v = ((double)(r >> 11) / 9007199254740992.0 - 0.3) * pow(10.0, (double)e - 20.0);
            break;
        default:
            v = (double)((r % 100000) * 10 + 5) * pow(10.0, (double)(e % 10));
            break;
        }
        if (!isfinite(v))
            continue;
        const size_t n = gex__fmt_sig_to(v, p, a);
        snprintf(b, sizeof b, "%.*g", p, v);
        ck_assert_msg(strcmp(a, b) == 0, "%a with %d digits: \"%s\", printf \"%s\"", v, p, a, b);
        ck_assert_uint_eq(n, strlen(b));
        checked++;
    }
    ck_assert_int_gt(checked, count * 99 / 100);
    printf("fmt_sig: %ld values against printf's %%.{p}g\n", checked);
}
END_TEST

START_TEST(test_fmt_roundtrip_random_bit_patterns)
{
    uint64_t state = UINT64_C(0x5eed0021);
    tally t = {0, 0};
    const long count = random_count();
    for (long i = 0; i < count; i++) {
        const uint64_t bits = gex_splitmix64(&state);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        check_one(v, &t);
        if (i % 64 == 0)
            check_against_printf_scan(v);
    }
    ck_assert_int_gt(t.checked, count * 99 / 100);
    printf("fmt_roundtrip: %ld random bit patterns, %ld shorter than printf's rounding\n",
           t.checked, t.not_nearest);
}
END_TEST

START_TEST(test_fmt_roundtrip_random_decimals)
{
    /* What chains hold: few digits at ordinary scales (prices, strikes, exposures), and
     * results of arithmetic on them, which need all seventeen. */
    uint64_t state = UINT64_C(0xdec1a1);
    tally t = {0, 0};
    const long count = random_count() / 3;
    for (long i = 0; i < count; i++) {
        const int digits = 1 + (int)(gex_splitmix64(&state) % 17);
        uint64_t m = gex_splitmix64(&state) % UINT64_C(100000000000000000);
        for (int d = 17; d > digits; d--)
            m /= 10;
        const int e = (int)(gex_splitmix64(&state) % 60) - 30;
        char text[40];
        snprintf(text, sizeof text, "%" PRIu64 "e%d", m, e);
        const double v = strtod(text, NULL);
        check_one(v, &t);
        check_one(v * 1.0000001, &t);
        check_one(gex_splitmix64_unit(&state) * pow(10.0, e), &t);
        if (i % 16 == 0)
            check_against_printf_scan(v);
    }
    printf("fmt_roundtrip: %ld decimal-looking values\n", t.checked);
}
END_TEST

/* gex__fmt_grouped as it was written before it had its own digits: printf's "%.*f", a sign
 * dropped when every digit is 0, the integer digits grouped by three. */
static void grouped_by_printf(double v, int decimals, char *buf, size_t size)
{
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", decimals, v);
    const char *p = raw;
    if (p[0] == '-' && strspn(p + 1, "0.") == strlen(p + 1))
        p++;
    size_t o = 0;
    if (*p == '-')
        buf[o++] = *p++;
    const size_t int_len = strcspn(p, ".");
    for (size_t i = 0; i < int_len && o + 2 < size; i++) {
        if (i > 0 && (int_len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = p[i];
    }
    for (const char *q = p + int_len; *q != '\0' && o + 1 < size; q++)
        buf[o++] = *q;
    buf[o] = '\0';
}

/* From 1e15 on, the manual's shortest exponent form ("1.5e+15"): printf's "%.*e" with the
 * fewest digits that read back, whatever the number of digits (%g would write a 17 digit
 * integer in full). */
static void shortest_exponent_by_printf(double v, char *buf, size_t size)
{
    for (int p = 0; p <= 16; p++) {
        snprintf(buf, size, "%.*e", p, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static long grouped_checked;

static void check_grouped(double v, int decimals)
{
    char got[64], want[64];
    const size_t len = gex__fmt_grouped(v, decimals, got, sizeof got);
    ck_assert_uint_eq(len, strlen(got));
    /* in a buffer of the text's size, then one byte short of it: the same text, then a cut one
     * (a shorter text, still ended) */
    char exact[64], cut[64];
    ck_assert_uint_eq(gex__fmt_grouped(v, decimals, exact, len + 1), len);
    ck_assert_str_eq(exact, got);
    memset(cut, 'x', sizeof cut);
    const size_t cut_len = gex__fmt_grouped(v, decimals, cut, len);
    ck_assert_uint_eq(cut_len, strlen(cut));
    ck_assert_uint_lt(cut_len, len);
    if (fabs(v) < GEX__GROUPED_MAX)
        grouped_by_printf(v, decimals, want, sizeof want);
    else if (isfinite(v))
        shortest_exponent_by_printf(v, want, sizeof want);
    else
        gex__fmt_roundtrip(v, want, sizeof want);
    ck_assert_msg(strcmp(got, want) == 0, "%.17g with %d decimals: \"%s\", printf gives \"%s\"", v,
                  decimals, got, want);
    grouped_checked++;
}

START_TEST(test_fmt_grouped_edge_cases)
{
    const double v[] = {
        0.0, -0.0, 0.5, 1.5, 2.5, -0.5, 0.125, 0.375, -0.125, 0.005, -0.004, 999.995, 9.995,
        999999.5, 1e15 - 1, -1e15 + 1, 1e15 - 0.5, 4.9e-324, 1e-300, 123456789.125, 0.045, 1e15,
        INFINITY, NAN,
        /* 16 and 17 digit integers, a summary's and a profile's: "2.2402770503442136e+16" */
        -22402770503442136.0, -18594788675690704.0, 1.5e15, 1e16, 1.789363485258867e18, DBL_MAX};
    grouped_checked = 0;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        for (int d = 0; d <= GEX__GROUPED_DECIMALS_MAX; d++)
            check_grouped(v[i], d);
    /* every double either side of the values that round up a digit */
    for (int d = 0; d <= 6; d++)
        for (double x = 0.5; x < 1e14; x *= 10) {
            const double t = x * pow(10.0, -d);
            check_grouped(nextafter(t, 0), d);
            check_grouped(t, d);
            check_grouped(nextafter(t, 1e300), d);
            check_grouped(-t, d);
        }
}
END_TEST

START_TEST(test_fmt_grouped_random)
{
    uint64_t state = UINT64_C(0x9a0ed);
    grouped_checked = 0;
    const long count = random_count();
    for (long i = 0; i < count; i++) {
        const int d = (int)(gex_splitmix64(&state) % (GEX__GROUPED_DECIMALS_MAX + 1));
        /* a random bit pattern below 2^50 (just over GEX__GROUPED_MAX), every exponent down to
         * the subnormals */
        uint64_t bits = gex_splitmix64(&state) % (UINT64_C(1074) << 52);
        double v;
        memcpy(&v, &bits, sizeof v);
        check_grouped(i % 2 ? -v : v, d);
        /* what tables show: a few decimals at ordinary scales */
        const double scale = pow(10.0, (double)(gex_splitmix64(&state) % 16));
        check_grouped((gex_splitmix64_unit(&state) - 0.5) * scale, (int)(i % 4));
        /* an exact tie at d decimals: an integer plus an odd multiple of 2^-(d+1) */
        const int dt = (int)(gex_splitmix64(&state) % 18);
        const uint64_t odd = 2 * (gex_splitmix64(&state) % (UINT64_C(1) << dt)) + 1;
        const double tie =
            (double)(gex_splitmix64(&state) % 1000000) + ldexp((double)odd, -(dt + 1));
        check_grouped(tie, dt);
        check_grouped(-tie, dt);
    }
    ck_assert_int_ge(grouped_checked, 4 * count);
    printf("fmt_grouped: %ld values against printf's %%.*f\n", grouped_checked);
}
END_TEST

static Suite *render_number_suite(void)
{
    Suite *s = suite_create("render-number");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_fmt_roundtrip_edge_cases);
    tcase_add_test(tc, test_fmt_roundtrip_integers);
    tcase_add_test(tc, test_fmt_roundtrip_every_eight_digits);
    tcase_add_test(tc, test_fmt_sig_against_printf);
    tcase_add_test(tc, test_fmt_roundtrip_random_bit_patterns);
    tcase_add_test(tc, test_fmt_roundtrip_random_decimals);
    tcase_add_test(tc, test_fmt_grouped_edge_cases);
    tcase_add_test(tc, test_fmt_grouped_random);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(render_number_suite());
}
