/*
 * volatility.c: daily closes of a series of snapshots, realized volatility and realized
 * semivariance over any window (gex/volatility.h).
 */
#include <math.h>
#include <string.h>

#include "gex/error.h"
#include "gex/volatility.h"

int gex_vol_closes(const gex_snapshot *snapshots, size_t n, double *closes, size_t *m)
{
    if (m != NULL)
        *m = 0;
    if (n == 0)
        return GEX_OK;
    if (snapshots == NULL || closes == NULL || m == NULL)
        return GEX_EINVAL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const gex_snapshot *s = &snapshots[i];
        if (!(s->spot > 0.0) || !isfinite(s->spot) ||
            (i > 0 && s->quote_time < snapshots[i - 1].quote_time))
            return GEX_EINVAL;
        const int last_of_day =
            i + 1 == n || gex_history_trading_day(snapshots[i + 1].quote_time) !=
                              gex_history_trading_day(s->quote_time);
        if (last_of_day)
            closes[k++] = s->spot;
    }
    *m = k;
    return GEX_OK;
}

gex_level gex_vol_realized(const double *closes, size_t m, int window)
{
    gex_level out = {0, 0.0};
    if (closes == NULL || window < 2 || m < (size_t)window + 1)
        return out;
    const size_t first = m - (size_t)window; /* returns closes[first..m) over their previous */
    double mean = 0.0;
    for (size_t i = first; i < m; i++)
        mean += log(closes[i] / closes[i - 1]);
    mean /= window;
    double ss = 0.0;
    for (size_t i = first; i < m; i++) {
        const double d = log(closes[i] / closes[i - 1]) - mean;
        ss += d * d;
    }
    const double v = 100.0 * sqrt(ss / (window - 1)) * sqrt((double)GEX_HISTORY_TRADING_DAYS);
    if (isfinite(v)) {
        out.has = 1;
        out.value = v;
    }
    return out;
}

void gex_vol_semi(const double *closes, size_t m, int window, gex_level *down, gex_level *up)
{
    gex_level none = {0, 0.0};
    if (down != NULL)
        *down = none;
    if (up != NULL)
        *up = none;
    if (closes == NULL || window < 2 || m < (size_t)window + 1)
        return;
    double neg = 0.0, pos = 0.0;
    for (size_t i = m - (size_t)window; i < m; i++) {
        const double r = log(closes[i] / closes[i - 1]);
        if (r < 0.0)
            neg += r * r;
        else
            pos += r * r;
    }
    const double scale = 2.0 * GEX_HISTORY_TRADING_DAYS / window;
    if (down != NULL && isfinite(neg))
        *down = (gex_level){1, 100.0 * sqrt(scale * neg)};
    if (up != NULL && isfinite(pos))
        *up = (gex_level){1, 100.0 * sqrt(scale * pos)};
}
