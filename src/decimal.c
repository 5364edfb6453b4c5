/*
 * Decimal to double, exactly as strtod: the exact powers of ten of the inline fast path
 * (decimal-internal.h, Clinger 1990) and the slow path. Exponents and long significands come
 * here; so does everything that is not a plain decimal, to be refused.
 */
#include "decimal-internal.h"

#include <stdlib.h>

const double gex__pow10_exact[GEX__FAST_MAX_POW10 + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The text has the shape of a decimal: sign, digits with at most one point (at least one
 * digit), then optionally e or E, a sign and digits. strtod would also take hex, "inf", "nan"
 * and leading blanks, which no chain file means as a number. */
static int decimal_shape(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        i++;
    for (; i < len && is_digit(s[i]); i++)
        digits++;
    if (i < len && s[i] == '.')
        for (i++; i < len && is_digit(s[i]); i++)
            digits++;
    if (digits == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            i++;
        if (i >= len || !is_digit(s[i]))
            return 0;
        while (i < len && is_digit(s[i]))
            i++;
    }
    return i == len;
}

int gex__decimal_parse_slow(const char *s, size_t len, locale_t c_locale, double *out)
{
    if (!decimal_shape(s, len))
        return -1;
    char *end;
    double v = strtod_l(s, &end, c_locale);
    if (end != s + len)
        return -1;
    *out = v;
    return 0;
}
