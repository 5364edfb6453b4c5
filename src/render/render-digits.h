/*
 * render-digits.h: how many decimals a price or a strike is written with for people (the
 * tables, the summary, the narrative, the charts' labels): one rule for the rendering layer,
 * shared by src/render and src/plot (which links nothing of the other, hence inline). CSV and
 * JSON write every number's shortest exact digits instead.
 */
#ifndef GEX_RENDER_DIGITS_H
#define GEX_RENDER_DIGITS_H

#include <math.h>

/* The significant digits a sub-dollar price or strike keeps at least. From 1 up the usual
 * decimals (2 for a price, 3 for a strike) stay, every ordinary chain; a sub-dollar underlying (a
 * penny stock, DOGE or XRP options, strikes down to the readers' 1e-6) gets the decimals it
 * needs, so that 0.0001 and 0.0002 do not both read 0.00. Four: a level within 0.1% of its
 * value, finer than any chain's strike grid. */
#define GEX__PRICE_DIGITS 4
/* The most decimals that takes: the readers' smallest price, 1e-6, needs 9. */
#define GEX__PRICE_DECIMALS_MAX 12

/* The decimals v is written with: usual from 1 up (and for 0 and values that are not finite);
 * below 1, those that give it GEX__PRICE_DIGITS significant digits, less the ones that would
 * print as trailing zeros past the usual (0.5 reads 0.50, 0.0005 reads 0.0005, 0.1234 reads
 * 0.1234). */
static inline int gex__price_decimals(double v, int usual)
{
    const double a = fabs(v);
    /* every ordinary price and strike without a logarithm: a table of a million contracts calls
     * this for each */
    if (!(a > 0.0) || !isfinite(a) || a >= 1.0)
        return usual;
    /* floor(log10(a)) is the position of the leading digit: -4 for 0.0001234 */
    int need = GEX__PRICE_DIGITS - 1 - (int)floor(log10(a));
    if (need <= usual)
        return usual;
    if (need > GEX__PRICE_DECIMALS_MAX)
        need = GEX__PRICE_DECIMALS_MAX;
    double scaled = a;
    for (int i = 0; i < need; i++)
        scaled *= 10.0;
    long long digits = llround(scaled); /* below 10^GEX__PRICE_DIGITS but for the cap */
    while (need > usual && digits % 10 == 0) {
        digits /= 10;
        need--;
    }
    return need;
}

/* How near a whole number v 10^d must be for v to have no digit past the d-th decimal: the
 * rounding of a decimal strike's nearest double, a few ulps, far below a decimal. */
#define GEX__STRIKE_WHOLE_REL 1e-9

/* The decimals a strike is written with, trailing zeros then dropped by the caller: those of
 * gex__price_decimals (usual 3), or more up to GEX__PRICE_DECIMALS_MAX where the strike has
 * them (12.3456, a split's 33.3333), so that the neighbouring strikes of a table or a chart,
 * which differ, never read alike. */
static inline int gex__strike_decimals(double v)
{
    int d = gex__price_decimals(v, 3);
    const double a = fabs(v);
    if (!isfinite(a))
        return d;
    double scaled = a;
    for (int i = 0; i < d; i++)
        scaled *= 10.0;
    for (; d < GEX__PRICE_DECIMALS_MAX; d++, scaled *= 10.0)
        if (fabs(scaled - round(scaled)) <= GEX__STRIKE_WHOLE_REL * scaled)
            break;
    return d;
}

#endif
