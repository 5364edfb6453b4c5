/*
 * decimal-internal.h: reading decimal numbers exactly as strtod does, faster.
 * Not installed; used by the chain readers.
 */
#ifndef GEX_DECIMAL_INTERNAL_H
#define GEX_DECIMAL_INTERNAL_H

#include <locale.h>
#include <stddef.h>

/* Reads the decimal number s[0..len) (s[len] must be '\0'): an optional sign, digits with an
 * optional '.', an optional exponent. Returns 0 and writes *out, the very double strtod
 * returns for the same text (overflow gives +-inf, as strtod does), or -1 when the text is not
 * entirely such a number (hexadecimal, "inf", "nan", blanks and other bytes are refused).
 * c_locale is a "C" locale (newlocale) for the strtod_l fallback, so the user's LC_NUMERIC
 * never changes what a file means. */
int gex__decimal_parse(const char *s, size_t len, locale_t c_locale, double *out);

#endif /* GEX_DECIMAL_INTERNAL_H */
