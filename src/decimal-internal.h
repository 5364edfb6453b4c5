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
#include <string.h>

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

/* Bytes b of a little-endian word where (b == 0), as 0x80 in that byte, exactly (no false
 * positives above a zero byte, unlike the borrow trick). */
static inline uint64_t gex__swar_zero_bytes(uint64_t x)
{
    const uint64_t low7 = UINT64_C(0x7F7F7F7F7F7F7F7F);
    return ~(((x & low7) + low7) | x | low7);
}

/* gex__decimal_parse for the common cell of a chain file, without a loop per digit: s holds
 * at least 8 readable bytes and 1 <= len <= 8. Returns 0 and *out, the double
 * gex__decimal_parse gives for s[0..len), when the text is digits with at most one '.' (at
 * least one digit); -1 otherwise (a sign, an exponent, anything else: the caller then asks
 * gex__decimal_parse). The eight bytes are one word: the point is found and removed, the
 * digits checked and converted in three multiplications (Lemire, "Parsing series of integers
 * with SIMD", 2018, and simdjson's parse_eight_digits_unrolled); the significand m < 10^8 and
 * the number of decimals frac are those of gex__decimal_parse, so the value m / 10^frac is
 * the same correctly rounded double. Little-endian machines only (-1 elsewhere). */
static inline int gex__decimal_parts8(const char *s, size_t len, uint64_t *m, int *decimals);

static inline int gex__decimal_parse8(const char *s, size_t len, double *out)
{
    uint64_t m;
    int frac;
    if (gex__decimal_parts8(s, len, &m, &frac) != 0)
        return -1;
    double v = (double)m;
    if (frac > 0)
        v /= gex__pow10_exact[frac];
    *out = v;
    return 0;
}

/* gex__decimal_parse8 in two parts: the significand m < 10^8 and the number of decimals (the
 * value is m / 10^decimals, gex__decimal_parse8's *out), for a caller that decides on m before
 * it divides. Returns 0, or -1 where gex__decimal_parse8 does. */
static inline int gex__decimal_parts8(const char *s, size_t len, uint64_t *m, int *decimals)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = UINT64_C(0x0101010101010101);
    uint64_t w;
    memcpy(&w, s, 8);
    const uint64_t lenmask = len >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * len)) - 1;
    w &= lenmask;
    uint64_t dots = gex__swar_zero_bytes(w ^ (ones * '.')) & lenmask;
    size_t n = len;
    int frac = 0;
    if (dots != 0) {
        if ((dots & (dots - 1)) != 0)
            return -1; /* two points */
        unsigned d = (unsigned)__builtin_ctzll(dots) / 8;
        const uint64_t below = (UINT64_C(1) << (8 * d)) - 1;
        w = (w & below) | ((w >> 8) & ~below);
        n = len - 1;
        frac = (int)(n - d);
    }
    if (n == 0)
        return -1;
    const uint64_t nmask = n >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * n)) - 1;
    const uint64_t high = UINT64_C(0xF0F0F0F0F0F0F0F0) & nmask, zeros = (ones * '0') & nmask;
    /* '0'..'9' are 0x30..0x39: high nibble 3, and still 3 after adding 6 (a carry out of a
     * byte comes only from a byte above 0xF9, which the first test has already refused). */
    if ((w & high) != zeros || ((w + ones * 6) & high) != zeros)
        return -1;
    uint64_t t = (w << (8 * (8 - n))) & (ones * 0x0F); /* leading zero digits, last digit high */
    t = (t * 2561) >> 8;
    t = ((t & UINT64_C(0x00FF00FF00FF00FF)) * 6553601) >> 16;
    t = ((t & UINT64_C(0x0000FFFF0000FFFF)) * UINT64_C(42949672960001)) >> 32;
    *m = t;
    *decimals = frac;
    return 0;
#else
    (void)s;
    (void)len;
    (void)m;
    (void)decimals;
    return -1;
#endif
}

#endif /* GEX_DECIMAL_INTERNAL_H */
