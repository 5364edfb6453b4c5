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

/* --- forecasts --- */

#define EWMA_SEED_DAYS 20
#define HAR_WEEK       5
#define HAR_MONTH      22
#define HAR_MIN_ROWS   10
#define GARCH_MIN      30
/* Nelder-Mead: iterations and the spread of the simplex's values (log-likelihood units) below
 * which it has converged; far below any difference that moves a forecast. */
/* Persistence from which the fit is taken as integrated (IGARCH, Engle and Bollerslev 1986):
 * the long-run variance omega / (1 - alpha - beta) and the half-life are then not identified
 * (a short or trending sample drives beta to 1) and are left absent. */
#define GARCH_INTEGRATED 0.999
#define NM_ITER          4000
#define NM_TOL           1e-9

static gex_level pct(int has, double v)
{
    gex_level l = {has && isfinite(v), has && isfinite(v) ? v : 0.0};
    return l;
}

int gex_vol_forecast_ewma(const double *r, size_t n, double lambda, gex_vol_ewma *out)
{
    if (out == NULL || (r == NULL && n > 0) || !(lambda > 0.0 && lambda < 1.0))
        return GEX_EINVAL;
    memset(out, 0, sizeof *out);
    out->lambda = lambda;
    if (n < 2)
        return GEX_OK;
    const size_t seed = n < EWMA_SEED_DAYS ? n : EWMA_SEED_DAYS;
    double s2 = 0.0;
    for (size_t i = 0; i < seed; i++)
        s2 += r[i] * r[i] / (double)seed;
    for (size_t i = 0; i < n; i++)
        s2 = lambda * s2 + (1.0 - lambda) * r[i] * r[i];
    out->next_day = pct(1, 100.0 * sqrt(s2));
    out->annualized = pct(1, 100.0 * sqrt(s2 * GEX_HISTORY_TRADING_DAYS));
    return GEX_OK;
}

/* The smallest pivot solve4 divides by. A singular system (the HAR fit of a series whose
 * regressors are collinear, a constant one) leaves a pivot of 0 or rounding residue near it;
 * any pivot of a real fit is many orders above (the normal equations' entries are sums of
 * squared daily variances, 1e-8 a day at 1% moves, 1e-20 at 0.001%); and above it the
 * quotients stay finite, so the fit is absent rather than inf (pct also checks). */
#define SOLVE_PIVOT_MIN 1e-300

/* Solves the 4x4 system a x = b by Gaussian elimination with partial pivoting: GEX_OK, or
 * GEX_ERANGE (x not written) when singular, a pivot not above SOLVE_PIVOT_MIN. */
static int solve4(double a[4][4], double b[4], double x[4])
{
    for (int c = 0; c < 4; c++) {
        int p = c;
        for (int i = c + 1; i < 4; i++)
            if (fabs(a[i][c]) > fabs(a[p][c]))
                p = i;
        if (!(fabs(a[p][c]) > SOLVE_PIVOT_MIN))
            return GEX_ERANGE;
        for (int j = 0; j < 4; j++) {
            const double t = a[c][j];
            a[c][j] = a[p][j];
            a[p][j] = t;
        }
        const double t = b[c];
        b[c] = b[p];
        b[p] = t;
        for (int i = c + 1; i < 4; i++) {
            const double f = a[i][c] / a[c][c];
            for (int j = c; j < 4; j++)
                a[i][j] -= f * a[c][j];
            b[i] -= f * b[c];
        }
    }
    for (int i = 3; i >= 0; i--) {
        double s = b[i];
        for (int j = i + 1; j < 4; j++)
            s -= a[i][j] * x[j];
        x[i] = s / a[i][i];
    }
    return GEX_OK;
}

/* The HAR regressors at day t (t >= HAR_MONTH - 1): 1, RV_t, weekly and monthly means. */
static void har_row(const double *r, size_t t, double x[4])
{
    double w = 0.0, m = 0.0;
    for (size_t k = 0; k < HAR_MONTH; k++) {
        const double v = r[t - k] * r[t - k];
        m += v / HAR_MONTH;
        if (k < HAR_WEEK)
            w += v / HAR_WEEK;
    }
    x[0] = 1.0;
    x[1] = r[t] * r[t];
    x[2] = w;
    x[3] = m;
}

int gex_vol_forecast_har(const double *r, size_t n, gex_vol_har *out)
{
    if (out == NULL || (r == NULL && n > 0))
        return GEX_EINVAL;
    memset(out, 0, sizeof *out);
    if (n < HAR_MONTH + HAR_MIN_ROWS)
        return GEX_OK;
    double xtx[4][4] = {{0}}, xty[4] = {0}, x[4];
    for (size_t t = HAR_MONTH - 1; t + 1 < n; t++) {
        har_row(r, t, x);
        const double y = r[t + 1] * r[t + 1];
        for (int i = 0; i < 4; i++) {
            xty[i] += x[i] * y;
            for (int j = 0; j < 4; j++)
                xtx[i][j] += x[i] * x[j];
        }
    }
    if (solve4(xtx, xty, out->beta) != GEX_OK)
        return GEX_OK; /* a singular fit: the forecast is absent */
    har_row(r, n - 1, x);
    double f = 0.0;
    for (int i = 0; i < 4; i++)
        f += out->beta[i] * x[i];
    if (f < 0.0)
        f = 0.0;
    const double year = GEX_HISTORY_TRADING_DAYS;
    out->daily = pct(1, 100.0 * sqrt(year * x[1]));
    out->weekly = pct(1, 100.0 * sqrt(year * x[2]));
    out->monthly = pct(1, 100.0 * sqrt(year * x[3]));
    out->next_day = pct(1, 100.0 * sqrt(f));
    out->annualized = pct(1, 100.0 * sqrt(year * f));
    return GEX_OK;
}

double gex_vol_garch_loglik(const double *r, size_t n, double omega, double alpha, double beta)
{
    double var = 0.0;
    for (size_t i = 0; i < n; i++)
        var += r[i] * r[i] / (double)n;
    double s2 = var, ll = 0.0;
    const double ln2pi = log(2.0 * M_PI);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            s2 = omega + alpha * r[i - 1] * r[i - 1] + beta * s2;
        if (!(s2 > 0.0))
            return -INFINITY;
        ll += -0.5 * (ln2pi + log(s2) + r[i] * r[i] / s2);
    }
    return ll;
}

static double logistic(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static void garch_params(const double x[3], double *omega, double *alpha, double *beta)
{
    *omega = exp(x[0]);
    *alpha = logistic(x[1]);
    *beta = logistic(x[2]) * (1.0 - *alpha);
}

/* The negative log-likelihood at transformed parameters x. */
static double garch_cost(const double *r, size_t n, const double x[3])
{
    double o, a, b;
    garch_params(x, &o, &a, &b);
    const double ll = gex_vol_garch_loglik(r, n, o, a, b);
    return isfinite(ll) ? -ll : HUGE_VAL;
}

int gex_vol_forecast_garch(const double *r, size_t n, gex_vol_garch *out)
{
    if (out == NULL || (r == NULL && n > 0))
        return GEX_EINVAL;
    memset(out, 0, sizeof *out);
    static const int horizons[GEX_VOL_GARCH_HORIZONS] = {1, 5, 10, 21};
    for (int h = 0; h < GEX_VOL_GARCH_HORIZONS; h++)
        out->horizon[h] = horizons[h];
    if (n < GARCH_MIN)
        return GEX_OK;
    double var = 0.0;
    for (size_t i = 0; i < n; i++)
        var += r[i] * r[i] / (double)n;
    if (!(var > 0.0))
        return GEX_OK;
    /* Start: alpha 0.05, beta 0.90, omega for the sample variance as the long-run one (a usual
     * daily-equity starting point). Nelder and Mead (1965) with the standard coefficients. */
    double p[4][3], f[4];
    const double a0 = 0.05, b0 = 0.90;
    const double x0[3] = {log(var * (1.0 - a0 - b0)), log(a0 / (1.0 - a0)),
                          log((b0 / (1.0 - a0)) / (1.0 - b0 / (1.0 - a0)))};
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 3; j++)
            p[i][j] = x0[j] + (i == j + 1 ? 0.5 : 0.0);
        f[i] = garch_cost(r, n, p[i]);
    }
    int it = 0, converged = 0;
    for (; it < NM_ITER; it++) {
        /* order: best first */
        for (int i = 1; i < 4; i++)
            for (int k = i; k > 0 && f[k] < f[k - 1]; k--) {
                double t = f[k];
                f[k] = f[k - 1];
                f[k - 1] = t;
                for (int j = 0; j < 3; j++) {
                    t = p[k][j];
                    p[k][j] = p[k - 1][j];
                    p[k - 1][j] = t;
                }
            }
        if (fabs(f[3] - f[0]) < NM_TOL * (1.0 + fabs(f[0]))) {
            converged = 1;
            break;
        }
        double c[3] = {0, 0, 0}, xr[3], xe[3], xc[3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                c[j] += p[i][j] / 3.0;
        for (int j = 0; j < 3; j++)
            xr[j] = c[j] + (c[j] - p[3][j]);
        const double fr = garch_cost(r, n, xr);
        if (fr < f[0]) {
            for (int j = 0; j < 3; j++)
                xe[j] = c[j] + 2.0 * (c[j] - p[3][j]);
            const double fe = garch_cost(r, n, xe);
            const double *take = fe < fr ? xe : xr;
            memcpy(p[3], take, sizeof p[3]);
            f[3] = fe < fr ? fe : fr;
        } else if (fr < f[2]) {
            memcpy(p[3], xr, sizeof p[3]);
            f[3] = fr;
        } else {
            for (int j = 0; j < 3; j++)
                xc[j] = c[j] + 0.5 * (p[3][j] - c[j]);
            const double fc = garch_cost(r, n, xc);
            if (fc < f[3]) {
                memcpy(p[3], xc, sizeof p[3]);
                f[3] = fc;
            } else {
                for (int i = 1; i < 4; i++) {
                    for (int j = 0; j < 3; j++)
                        p[i][j] = p[0][j] + 0.5 * (p[i][j] - p[0][j]);
                    f[i] = garch_cost(r, n, p[i]);
                }
            }
        }
    }
    garch_params(p[0], &out->omega, &out->alpha, &out->beta);
    out->loglik = -f[0];
    out->converged = converged && isfinite(f[0]);
    const double pers = out->alpha + out->beta;
    out->persistence = pct(1, pers);
    const double vl = out->omega / (1.0 - pers);
    out->long_run_annualized =
        pct(pers < GARCH_INTEGRATED, 100.0 * sqrt(vl * GEX_HISTORY_TRADING_DAYS));
    out->half_life_days = pct(pers > 0.0 && pers < GARCH_INTEGRATED, log(0.5) / log(pers));
    if (!out->converged)
        return GEX_OK;
    /* s2_{n+1} from the filter at the fitted parameters */
    double s2 = var;
    for (size_t i = 1; i < n; i++)
        s2 = out->omega + out->alpha * r[i - 1] * r[i - 1] + out->beta * s2;
    const double next = out->omega + out->alpha * r[n - 1] * r[n - 1] + out->beta * s2;
    for (int h = 0; h < GEX_VOL_GARCH_HORIZONS; h++) {
        double sum = 0.0;
        for (int k = 1; k <= horizons[h]; k++)
            sum += vl + pow(pers, k - 1) * (next - vl);
        out->annualized[h] =
            pct(1, 100.0 * sqrt(GEX_HISTORY_TRADING_DAYS * sum / (double)horizons[h]));
    }
    return GEX_OK;
}
