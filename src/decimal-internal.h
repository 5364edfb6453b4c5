/*
 * decimal-internal.h: reading decimal numbers exactly as strtod does, faster.
 * Not installed; used by the chain readers. The fast path is inline here (it runs once per
 * numeric cell of a chain file); src/decimal.c holds the rest.
 *
 * W. D. Clinger, "How to Read Floating Point Numbers Accurately", PLDI 1990, section 5 (the
 * "fast path"): when the decimal significand m is an integer below 2^53 and |e| <= 22, both m
 * and 10^|e| are exact doubles, so the single IEEE-754 multiplication or division m * 10^e or
 * m / 10^-e is correctly rounded, i.e. equals the correctly rounded value of the decimal, which
 * is what glibc's strtod returns (it rounds correctly in round-to-nearest). Every other input
 * goes to strtod_l. tests/test-decimal.c compares with strtod on millions of inputs.
 */
#ifndef GEX_DECIMAL_INTERNAL_H
#define GEX_DECIMAL_INTERNAL_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>

/* Exact powers of ten: 10^22 is the largest power of ten representable exactly in a double
 * (5^22 < 2^53). */
#define GEX__FAST_MAX_POW10 22
/* 2^53: every integer up to it is an exact double. */
#define GEX__FAST_MAX_SIGNIFICAND (UINT64_C(1) << 53)
/* Digits a uint64_t always holds without overflow (10^19 - 1 < 2^64). */
#define GEX__SIGNIFICAND_DIGITS_MAX 19

extern const double gex__pow10_exact[GEX__FAST_MAX_POW10 + 1];

/* The whole conversion for the inputs the fast path leaves: strtod_l after a check that the
 * text holds only what a decimal may (same contract as gex__decimal_parse). */
int gex__decimal_parse_slow(const char *s, size_t len, locale_t c_locale, double *out);

/* Reads the decimal number s[0..len) (s[len] must be '\0'): an optional sign, digits with an
 * optional '.', an optional exponent. Returns 0 and writes *out, the very double strtod
 * returns for the same text (overflow gives +-inf, as strtod does), or -1 when the text is not
 * entirely such a number (hexadecimal, "inf", "nan", blanks and other bytes are refused).
 * c_locale is a "C" locale (newlocale) for the strtod_l fallback, so the user's LC_NUMERIC
 * never changes what a file means. */
static inline int gex__decimal_parse(const char *s, size_t len, locale_t c_locale, double *out)
{
    size_t i = 0;
    int negative = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        negative = s[i] == '-';
        i++;
    }
    /* Every digit counts toward the 19 a uint64_t holds, leading zeros included: "0.25" is
     * three digits; longer texts take the slow path, which is exact too. */
    uint64_t m = 0;
    size_t first = i;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        m = m * 10 + (uint64_t)(s[i] - '0');
    size_t digits = i - first;
    int frac = 0; /* digits after the point */
    if (i < len && s[i] == '.') {
        size_t point = ++i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            m = m * 10 + (uint64_t)(s[i] - '0');
        frac = (int)(i - point);
        digits += (size_t)frac;
    }
    int any_digit = digits > 0;
    if (digits > GEX__SIGNIFICAND_DIGITS_MAX)
        return gex__decimal_parse_slow(s, len, c_locale, out);
    if (!any_digit)
        return -1;
    if (i != len) /* an exponent, or something that is not a number */
        return gex__decimal_parse_slow(s, len, c_locale, out);
    if (m > GEX__FAST_MAX_SIGNIFICAND || frac > GEX__FAST_MAX_POW10)
        return gex__decimal_parse_slow(s, len, c_locale, out);
    double v = (double)m;
    if (frac > 0)
        v /= gex__pow10_exact[frac];
    *out = negative ? -v : v;
    return 0;
}

#endif /* GEX_DECIMAL_INTERNAL_H */
