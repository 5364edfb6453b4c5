/*
 * The SVI smile (gex/svi.h, SPEC 5.3): evaluation, Gatheral's g, the calibration of one
 * expiration (a grid start solved linearly, then Levenberg-Marquardt on all five parameters)
 * and the butterfly and calendar checks.
 */
#include "gex/svi.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "gex/error.h"

enum { NP = 5 }; /* a, m, u = ln b, v = atanh rho, s = ln sigma */

/* The start's grid: m over the data's k range, sigma log-spaced over [SIG_LO, SIG_HI]: from a
 * smile whose curvature spans 0.1% of log-moneyness to one that is a line over 100% of it. */
#define GRID_M   21
#define GRID_SIG 21
#define SIG_LO   1e-3
#define SIG_HI   1.0
/* |rho| and b kept inside their domain at the start (tanh^-1 of 1 is infinite). */
#define RHO_START_MAX 0.999
#define B_START_MIN   1e-8
/* Levenberg-Marquardt: the damping's start, its bounds, the iteration limit, and the stop:
 * a relative step or cost decrease below a few units of double rounding is no progress. */
#define LM_LAMBDA0    1e-3
#define LM_LAMBDA_MAX 1e16
#define LM_ITER_MAX   500
#define LM_STOP_REL   (64 * DBL_EPSILON)

double gex_svi_total_variance(const gex_svi_params *p, double k, double *w1, double *w2)
{
    const double x = k - p->m, r = sqrt(x * x + p->sigma * p->sigma);
    if (w1 != NULL)
        *w1 = p->b * (p->rho + x / r);
    if (w2 != NULL)
        *w2 = p->b * p->sigma * p->sigma / (r * r * r);
    return p->a + p->b * (p->rho * x + r);
}

double gex_svi_g(const gex_svi_params *p, double k)
{
    double w1, w2;
    const double w = gex_svi_total_variance(p, k, &w1, &w2);
    if (!(w > 0))
        return NAN;
    const double t = 1 - k * w1 / (2 * w);
    return t * t - w1 * w1 / 4 * (1 / w + 0.25) + w2 / 2;
}

/* Solves the symmetric positive definite system A x = y of order n <= NP (Cholesky, in
 * place); 0 when A is not positive definite. */
static int chol_solve(double A[NP][NP], double *y, int n)
{
    for (int j = 0; j < n; j++) {
        double d = A[j][j];
        for (int k = 0; k < j; k++)
            d -= A[j][k] * A[j][k];
        if (!(d > 0))
            return 0;
        A[j][j] = sqrt(d);
        for (int i = j + 1; i < n; i++) {
            double s = A[i][j];
            for (int k = 0; k < j; k++)
                s -= A[i][k] * A[j][k];
            A[i][j] = s / A[j][j];
        }
    }
    for (int i = 0; i < n; i++) {
        double s = y[i];
        for (int k = 0; k < i; k++)
            s -= A[i][k] * y[k];
        y[i] = s / A[i][i];
    }
    for (int i = n; i-- > 0;) {
        double s = y[i];
        for (int k = i + 1; k < n; k++)
            s -= A[k][i] * y[k];
        y[i] = s / A[i][i];
    }
    return 1;
}

static void to_params(const double *x, gex_svi_params *p)
{
    p->a = x[0];
    p->m = x[1];
    p->b = exp(x[2]);
    p->rho = tanh(x[3]);
    p->sigma = exp(x[4]);
}

/* The data point i in total variance: iv_i^2 T. */
#define W_OF(i) (iv[i] * iv[i] * T)

/* Half the sum of squared residuals in total variance; inf when a value is not finite. */
static double cost(const double *x, const double *k, const double *iv, double T, size_t n)
{
    gex_svi_params p;
    to_params(x, &p);
    double c = 0;
    for (size_t i = 0; i < n; i++) {
        const double r = gex_svi_total_variance(&p, k[i], NULL, NULL) - W_OF(i);
        c += r * r;
    }
    return isfinite(c) ? c / 2 : HUGE_VAL;
}

/* The start: for each (m, sigma) of the grid, w = a + d R(k) + c (k - m) with R = sqrt((k -
 * m)^2 + sigma^2) is linear in (a, d = b, c = b rho); the grid point of least cost, its
 * (b, rho) put back inside their domain. 0 when no grid point gives a finite fit. */
static int start(const double *k, const double *iv, double T, size_t n, double k_lo, double k_hi,
                 double *x)
{
    double best = HUGE_VAL;
    for (int im = 0; im < GRID_M; im++) {
        const double m = k_lo + (k_hi - k_lo) * im / (GRID_M - 1.0);
        for (int is = 0; is < GRID_SIG; is++) {
            const double sig = SIG_LO * pow(SIG_HI / SIG_LO, is / (GRID_SIG - 1.0));
            double A[NP][NP] = {{0}}, y[NP] = {0};
            for (size_t i = 0; i < n; i++) {
                const double f[3] = {1, sqrt((k[i] - m) * (k[i] - m) + sig * sig), k[i] - m};
                for (int r = 0; r < 3; r++) {
                    y[r] += f[r] * W_OF(i);
                    for (int c = 0; c < 3; c++)
                        A[r][c] += f[r] * f[c];
                }
            }
            if (!chol_solve(A, y, 3))
                continue;
            const double b = fmax(y[1], B_START_MIN);
            const double rho = fmax(-RHO_START_MAX, fmin(RHO_START_MAX, y[2] / b));
            const double xt[NP] = {y[0], m, log(b), atanh(rho), log(sig)};
            const double c = cost(xt, k, iv, T, n);
            if (c < best) {
                best = c;
                memcpy(x, xt, sizeof xt);
            }
        }
    }
    return best < HUGE_VAL;
}

/* J^T J and J^T r of the residuals w(k_i) - w_i in x = (a, m, u, v, s), with
 * dw/da = 1, dw/dm = -b (rho + (k - m)/R), dw/du = b (rho (k - m) + R),
 * dw/dv = b (k - m)(1 - rho^2), dw/ds = b sigma^2 / R. */
static void normal_equations(const double *x, const double *k, const double *iv, double T, size_t n,
                             double A[NP][NP], double *g)
{
    gex_svi_params p;
    to_params(x, &p);
    memset(A, 0, sizeof(double) * NP * NP);
    memset(g, 0, sizeof(double) * NP);
    for (size_t i = 0; i < n; i++) {
        const double d = k[i] - p.m, R = sqrt(d * d + p.sigma * p.sigma);
        const double r = p.a + p.b * (p.rho * d + R) - W_OF(i);
        const double J[NP] = {1, -p.b * (p.rho + d / R), p.b * (p.rho * d + R),
                              p.b * d * (1 - p.rho * p.rho), p.b * p.sigma * p.sigma / R};
        for (int a = 0; a < NP; a++) {
            g[a] += J[a] * r;
            for (int b = 0; b <= a; b++)
                A[a][b] += J[a] * J[b];
        }
    }
    for (int a = 0; a < NP; a++)
        for (int b = a + 1; b < NP; b++)
            A[a][b] = A[b][a];
}

int gex_svi_fit_slice(const double *k, const double *iv, size_t n, double T, gex_svi_fit *out)
{
    if (k == NULL || iv == NULL || out == NULL || !(isfinite(T) && T > 0))
        return GEX_EINVAL;
    memset(out, 0, sizeof *out);
    double k_lo = HUGE_VAL, k_hi = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(k[i]) || !(isfinite(iv[i]) && iv[i] > 0))
            return GEX_EINVAL;
        k_lo = fmin(k_lo, k[i]);
        k_hi = fmax(k_hi, k[i]);
    }
    if (n < GEX_SVI_MIN_POINTS)
        return GEX_EEMPTY;
    size_t distinct = 0;
    for (size_t i = 0; i < n && distinct < 3; i++) {
        size_t j = 0;
        while (j < i && k[j] != k[i])
            j++;
        distinct += j == i;
    }
    if (distinct < 3)
        return GEX_EEMPTY;

    double x[NP];
    if (!start(k, iv, T, n, k_lo, k_hi, x))
        return GEX_ENOCONV;
    double c = cost(x, k, iv, T, n), lambda = LM_LAMBDA0;
    int it = 0;
    for (; it < LM_ITER_MAX && c > 0; it++) {
        double A[NP][NP], g[NP];
        normal_equations(x, k, iv, T, n, A, g);
        int accepted = 0;
        while (!accepted && lambda < LM_LAMBDA_MAX) {
            double M[NP][NP], step[NP];
            memcpy(M, A, sizeof M);
            for (int a = 0; a < NP; a++) {
                /* Marquardt's scaling, with a floor so a flat direction still damps. */
                M[a][a] += lambda * fmax(A[a][a], DBL_EPSILON);
                step[a] = -g[a];
            }
            if (!chol_solve(M, step, NP)) {
                lambda *= 10;
                continue;
            }
            double xn[NP], dx = 0, xs = 0;
            for (int a = 0; a < NP; a++) {
                xn[a] = x[a] + step[a];
                dx += step[a] * step[a];
                xs += x[a] * x[a];
            }
            const double cn = cost(xn, k, iv, T, n);
            if (cn < c) {
                const double gain = (c - cn) / c;
                memcpy(x, xn, sizeof x);
                c = cn;
                lambda = fmax(lambda / 3, DBL_EPSILON);
                accepted = 1;
                if (gain < LM_STOP_REL && sqrt(dx) <= LM_STOP_REL * (sqrt(xs) + LM_STOP_REL))
                    it = LM_ITER_MAX; /* no more progress to make */
            } else {
                lambda *= 2;
            }
        }
        if (!accepted)
            break; /* no step lowers the cost: a minimum to the precision of doubles */
    }
    to_params(x, &out->params);
    if (!isfinite(c) || !isfinite(out->params.a) || !isfinite(out->params.m) ||
        !(out->params.b >= 0 && isfinite(out->params.b)) || !(out->params.sigma > 0))
        return GEX_ENOCONV;
    double se_w = 0, se_v = 0, max_v = 0;
    for (size_t i = 0; i < n; i++) {
        const double wf = gex_svi_total_variance(&out->params, k[i], NULL, NULL);
        const double rw = wf - W_OF(i);
        /* The fitted vol where the fitted variance is negative is 0: no smile there. */
        const double rv = (sqrt(fmax(wf, 0) / T) - iv[i]) * 100;
        se_w += rw * rw;
        se_v += rv * rv;
        max_v = fmax(max_v, fabs(rv));
    }
    out->points = n;
    out->rmse_w = sqrt(se_w / (double)n);
    out->rmse_vol = sqrt(se_v / (double)n);
    out->max_abs_vol = max_v;
    out->iterations = it > LM_ITER_MAX ? LM_ITER_MAX : it;
    return GEX_OK;
}

int gex_svi_butterfly_check(const gex_svi_params *p, double k_lo, double k_hi, size_t n,
                            double *g_min, double *k_at)
{
    if (p == NULL || g_min == NULL || k_at == NULL || n < 2 || !isfinite(k_lo) || !isfinite(k_hi) ||
        !(k_lo < k_hi))
        return GEX_EINVAL;
    *g_min = HUGE_VAL;
    *k_at = k_lo;
    for (size_t i = 0; i < n; i++) {
        const double kk = k_lo + (k_hi - k_lo) * (double)i / (double)(n - 1);
        const double g = gex_svi_g(p, kk);
        if (isnan(g)) {
            *g_min = NAN;
            *k_at = kk;
            return GEX_EINVAL;
        }
        if (g < *g_min) {
            *g_min = g;
            *k_at = kk;
        }
    }
    return GEX_OK;
}

int gex_svi_calendar_check(const gex_svi_params *near, const gex_svi_params *far, double k_lo,
                           double k_hi, size_t n, double *diff_min, double *k_at)
{
    if (near == NULL || far == NULL || diff_min == NULL || k_at == NULL || n < 2 ||
        !isfinite(k_lo) || !isfinite(k_hi) || !(k_lo < k_hi))
        return GEX_EINVAL;
    *diff_min = HUGE_VAL;
    *k_at = k_lo;
    for (size_t i = 0; i < n; i++) {
        const double kk = k_lo + (k_hi - k_lo) * (double)i / (double)(n - 1);
        const double d = gex_svi_total_variance(far, kk, NULL, NULL) -
                         gex_svi_total_variance(near, kk, NULL, NULL);
        if (d < *diff_min) {
            *diff_min = d;
            *k_at = kk;
        }
    }
    return GEX_OK;
}
