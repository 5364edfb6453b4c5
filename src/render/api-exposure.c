/*
 * api-exposure.c: the vendor's exposure endpoints that read the per-strike and per-expiration
 * tables of one analysis (SPEC 5.2): the sheet (every exposure per strike, DAG, the
 * line in the sand and the gamma peaks), the term structure (by DTE bucket and by expiry) and
 * the narrative; and the helpers the zero-dte builder shares (max pain, the OPEX calendar).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api-exposure.h"

double gex__max_pain(const gex_strike_row *rows, size_t n)
{
    double best = GEX__NO_VALUE, best_v = INFINITY, oi = 0;
    for (size_t k = 0; k < n; k++)
        oi += rows[k].call_oi + rows[k].put_oi;
    if (!(oi > 0))
        return GEX__NO_VALUE;
    for (size_t j = 0; j < n; j++) {
        const double K = rows[j].strike;
        double v = 0;
        for (size_t k = 0; k < n; k++)
            v += rows[k].call_oi * fmax(0.0, K - rows[k].strike) +
                 rows[k].put_oi * fmax(0.0, rows[k].strike - K);
        if (v < best_v) {
            best_v = v;
            best = K;
        }
    }
    return best;
}

/* Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, Meeus, Astronomical
 * Algorithms, 2nd ed., ch. 8). */
static int32_t easter(int y)
{
    const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
    const int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    const int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    const int m = (a + 11 * h + 22 * l) / 451;
    const int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return gex_time_days_from_civil(y, month, day);
}

/* Whether a third Friday (the 15th to the 21st) is a US equity market holiday: Good Friday, or
 * Juneteenth (NYSE from 2022; on a Friday the 18th when the 19th is a Saturday). No other
 * market holiday falls on those dates. */
static int friday_holiday(int32_t day)
{
    int y, m, d;
    gex_time_civil_from_days(day, &y, &m, &d);
    if (day == easter(y) - 2)
        return 1;
    return y >= 2022 && m == 6 && (d == 19 || d == 18);
}

int gex__is_opex(int32_t day, int *triple)
{
    int y, m, d;
    gex_time_civil_from_days(day, &y, &m, &d);
    const int32_t first = gex_time_days_from_civil(y, m, 1);
    const int wd = gex_time_weekday(first); /* 0 Sunday .. 6 Saturday */
    const int32_t third_friday = first + ((5 - wd + 7) % 7) + 14;
    const int32_t opex = friday_holiday(third_friday) ? third_friday - 1 : third_friday;
    const int is = day == opex;
    if (triple != NULL)
        *triple = is && m % 3 == 0;
    return is;
}
