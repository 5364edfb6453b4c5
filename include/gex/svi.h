/*
 * gex/svi.h: Gatheral's SVI smile (raw parametrisation), its calibration to one expiration's
 * implied volatilities and the static-arbitrage checks of a fitted surface (SPEC 5.3).
 *
 * Raw SVI (Gatheral 2004; Gatheral and Jacquier, "Arbitrage-free SVI volatility surfaces",
 * Quantitative Finance 14(1), 2014, eq. 3.1): the total implied variance w = sigma_BS^2 T at
 * log-moneyness k = ln(K / F), F the forward of the expiration, is
 *   w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2))
 * with b >= 0, |rho| < 1, sigma > 0 (and a + b sigma sqrt(1 - rho^2) >= 0 for w >= 0).
 */
#ifndef GEX_SVI_H
#define GEX_SVI_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gex_svi_params {
    double a, b, rho, m, sigma;
} gex_svi_params;

/* w(k), and its first and second derivatives in k (w1, w2 may be NULL). */
double gex_svi_total_variance(const gex_svi_params *p, double k, double *w1, double *w2);

/* Gatheral's g(k) (Gatheral and Jacquier 2014, eq. 2.1): the risk-neutral density of the
 * smile is non-negative exactly where
 *   g(k) = (1 - k w'/(2w))^2 - (w'^2/4)(1/w + 1/4) + w''/2 >= 0;
 * g < 0 is butterfly arbitrage. NAN where w(k) <= 0 (no smile there). */
double gex_svi_g(const gex_svi_params *p, double k);

/* The calibration of one expiration. */
typedef struct gex_svi_fit {
    gex_svi_params params;
    size_t points;      /* the (k, iv) pairs fitted */
    double rmse_w;      /* root mean square residual in total variance */
    double rmse_vol;    /* root mean square residual in implied volatility, vol points (x100) */
    double max_abs_vol; /* the largest absolute residual, vol points */
    int iterations;     /* Levenberg-Marquardt iterations */
} gex_svi_fit;

/* The least n pairs the fit takes: five parameters and one more to leave a residual. */
#define GEX_SVI_MIN_POINTS 6

/* Fits raw SVI to n pairs of log-moneyness k[i] and implied volatility iv[i] (a fraction) of an
 * expiration T years away, minimising sum (w(k_i) - iv_i^2 T)^2 (every point weighted alike,
 * in total variance). The start is the best of a grid over (m, sigma), for each of which the
 * best (a, b, rho) is linear least squares (the quasi-explicit reduction of Zeliade Systems,
 * "Quasi-explicit calibration of Gatheral's SVI model", 2009); then Levenberg-Marquardt
 * (Marquardt 1963; Nocedal and Wright, "Numerical Optimization", 2nd ed., sec. 10.3) on all
 * five with b = e^u, rho = tanh(v), sigma = e^s so the constraints always hold.
 * Returns GEX_OK and *out; GEX_EINVAL for NULL arguments, T not finite and > 0, a k not
 * finite, an iv not finite and > 0; GEX_EEMPTY for fewer than GEX_SVI_MIN_POINTS pairs or
 * fewer than 3 distinct k (no smile to fit); GEX_ENOCONV when no finite fit was found.
 * Allocates nothing. */
int gex_svi_fit_slice(const double *k, const double *iv, size_t n, double T, gex_svi_fit *out);

/* The butterfly check: the least g(k) on n >= 2 evenly spaced k of [k_lo, k_hi] (*g_min) and
 * where (*k_at). GEX_OK, or GEX_EINVAL (bad range or n, NULL, or w <= 0 somewhere on it:
 * *g_min is then NAN and *k_at the first such k). */
int gex_svi_butterfly_check(const gex_svi_params *p, double k_lo, double k_hi, size_t n,
                            double *g_min, double *k_at);

/* The calendar check of two expirations, near before far: total variance must not decrease
 * with T at equal k. The least w_far(k) - w_near(k) on n >= 2 evenly spaced k of
 * [k_lo, k_hi] (*diff_min, negative: calendar arbitrage) and where (*k_at). GEX_OK or
 * GEX_EINVAL. */
int gex_svi_calendar_check(const gex_svi_params *near, const gex_svi_params *far, double k_lo,
                           double k_hi, size_t n, double *diff_min, double *k_at);

#ifdef __cplusplus
}
#endif

#endif /* GEX_SVI_H */
