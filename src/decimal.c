/*
 * Decimal to double, exactly as strtod, with Clinger's fast path.
 *
 * W. D. Clinger, "How to Read Floating Point Numbers Accurately", PLDI 1990, section 5 (the
 * "fast path"): when the decimal significand m is an integer below 2^53 and |e| <= 22, both m
 * and 10^|e| are exact doubles, so the single IEEE-754 multiplication or division m * 10^e or
 * m / 10^-e is correctly rounded, i.e. equals the correctly rounded value of the decimal, which
 * is what glibc's strtod returns (it rounds correctly in round-to-nearest). Every other input
 * goes to strtod_l. Prices, strikes and open interests in chain files are almost all in the
 * fast path; tests/test-decimal.c compares with strtod on millions of inputs.
 */
#include "decimal-internal.h"

#include <stdint.h>
#include <stdlib.h>

/* Exact powers of ten: 10^22 is the largest power of ten representable exactly in a double
 * (5^22 < 2^53). */
#define FAST_MAX_POW10 22
/* 2^53: every integer up to it is an exact double. */
#define FAST_MAX_SIGNIFICAND (UINT64_C(1) << 53)
/* Digits a uint64_t always holds without overflow (10^19 - 1 < 2^64). */
#define SIGNIFICAND_DIGITS_MAX 19

static const double pow10_exact[FAST_MAX_POW10 + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The text is made only of what a decimal number may contain (strtod would also take hex,
 * "inf", "nan" and leading blanks, which no chain file means as a number). */
static int decimal_charset(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!is_digit(c) && c != '.' && c != '+' && c != '-' && c != 'e' && c != 'E')
            return 0;
    }
    return 1;
}

static int slow_path(const char *s, size_t len, locale_t c_locale, double *out)
{
    if (len == 0 || !decimal_charset(s, len))
        return -1;
    char *end;
    double v = strtod_l(s, &end, c_locale);
    if (end != s + len)
        return -1;
    *out = v;
    return 0;
}

int gex__decimal_parse(const char *s, size_t len, locale_t c_locale, double *out)
{
    size_t i = 0;
    int negative = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        negative = s[i] == '-';
        i++;
    }
    uint64_t m = 0;
    int digits = 0; /* significant digits accumulated in m (leading zeros excluded) */
    int frac = 0;   /* digits after the point */
    int any_digit = 0;
    for (; i < len && is_digit(s[i]); i++) {
        any_digit = 1;
        if (m == 0 && s[i] == '0')
            continue;
        if (++digits > SIGNIFICAND_DIGITS_MAX)
            return slow_path(s, len, c_locale, out);
        m = m * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && is_digit(s[i]); i++) {
            any_digit = 1;
            frac++;
            if (m == 0 && s[i] == '0')
                continue;
            if (++digits > SIGNIFICAND_DIGITS_MAX)
                return slow_path(s, len, c_locale, out);
            m = m * 10 + (uint64_t)(s[i] - '0');
        }
    }
    if (!any_digit)
        return -1;
    int e = -frac;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        int eneg = 0;
        if (j < len && (s[j] == '-' || s[j] == '+')) {
            eneg = s[j] == '-';
            j++;
        }
        if (j >= len || !is_digit(s[j]))
            return -1;
        int x = 0;
        for (; j < len && is_digit(s[j]); j++) {
            if (x > 100000)
                return slow_path(s, len, c_locale, out);
            x = x * 10 + (s[j] - '0');
        }
        e += eneg ? -x : x;
        i = j;
    }
    if (i != len)
        return -1;
    if (m > FAST_MAX_SIGNIFICAND || e < -FAST_MAX_POW10 || e > FAST_MAX_POW10)
        return slow_path(s, len, c_locale, out);
    double v = (double)m;
    if (m != 0)
        v = e < 0 ? v / pow10_exact[-e] : v * pow10_exact[e];
    *out = negative ? -v : v;
    return 0;
}
