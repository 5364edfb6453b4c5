/*
 * gex/volatility.h: volatility of a series of snapshots of one underlying (gex/history.h): the
 * daily closes, close-to-close realized volatility over any window, and its downside and upside
 * halves (realized semivariance). Units as gex/history.h: volatilities in percent a year.
 */
#ifndef GEX_VOLATILITY_H
#define GEX_VOLATILITY_H

#include <stddef.h>

#include "gex/history.h"
#include "gex/levels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The closes of snapshots[0..n) (ascending quote_time, one underlying), as gex history takes
 * them (SPEC 6.3): for each earlier New York trading day the spot of its last snapshot, then the
 * spot of the last snapshot (the close so far of its day). closes has room for n; *m receives
 * their count (0 when n is 0). Returns GEX_OK, or GEX_EINVAL (NULL with n > 0, a spot not > 0
 * and finite, or snapshots not in ascending time). */
int gex_vol_closes(const gex_snapshot *snapshots, size_t n, double *closes, size_t *m);

/* Close-to-close realized volatility over the last window log returns of closes[0..m):
 * 100 sqrt(252) times their sample standard deviation (n - 1), as gex history's rv_N
 * (SPEC 6.3). Absent (has 0) with fewer than window + 1 closes, or window < 2. */
gex_level gex_vol_realized(const double *closes, size_t m, int window);

/* The downside and upside realized volatility over the last window log returns: the realized
 * semivariances RS- = sum of r^2 over r < 0 and RS+ = sum over r > 0 (Barndorff-Nielsen,
 * Kinnebrock and Shephard 2010, "Measuring downside risk: realised semivariance"), each
 * annualised as a volatility that would hold if the whole variance were like that half:
 * 100 sqrt(252 * 2 RS / window). For returns symmetric about 0 both equal the uncentred
 * realized volatility. Absent with fewer than window + 1 closes or window < 2. */
void gex_vol_semi(const double *closes, size_t m, int window, gex_level *down, gex_level *up);

/* --- forecasts from daily log returns r[0..n) (r_i = ln(close_i / close_{i-1})) --- */

/* EWMA (J.P. Morgan/Reuters, RiskMetrics Technical Document, 1996, eq. 5.1):
 * s2_t = lambda s2_{t-1} + (1 - lambda) r_{t-1}^2, seeded with the mean of r^2 over the first
 * min(n, 20) returns; the forecast is s2_{n} (the variance of the next day). next_day: 100 sqrt(s2)
 * (percent a day); annualized: next_day sqrt(252). Absent with fewer than 2 returns. */
typedef struct gex_vol_ewma {
    double lambda;
    gex_level next_day, annualized;
} gex_vol_ewma;
int gex_vol_forecast_ewma(const double *r, size_t n, double lambda, gex_vol_ewma *out);

/* HAR-RV (Corsi 2009, "A simple approximate long-memory model of realized volatility", eq. 8)
 * with daily squared returns as the realized variance: RV_{t+1} = b0 + bd RV_t + bw RV_t^(w) +
 * bm RV_t^(m), RV^(w) and RV^(m) the means of the last 5 and 22 daily values, fitted by ordinary
 * least squares over every day that has 22 before it. The forecast is the fitted model at the
 * last day (floored at 0). Components: the three regressors at the last day, as annualised
 * volatilities in percent (100 sqrt(252 RV)). Absent (has 0) with fewer than 22 + 10 returns or
 * a singular fit. */
typedef struct gex_vol_har {
    double beta[4]; /* b0, bd, bw, bm */
    gex_level daily, weekly, monthly;
    gex_level next_day, annualized; /* percent a day; percent a year */
} gex_vol_har;
int gex_vol_forecast_har(const double *r, size_t n, gex_vol_har *out);

/* GARCH(1,1) (Bollerslev 1986) with Gaussian innovations, fitted by maximum likelihood:
 * s2_t = omega + alpha r_{t-1}^2 + beta s2_{t-1}, s2_0 the sample variance, the returns taken
 * with mean zero; log-likelihood -1/2 sum(ln 2 pi + ln s2_t + r_t^2 / s2_t), maximised by
 * Nelder-Mead over omega = e^x0, alpha = L(x1), beta = L(x2) (1 - alpha) (L logistic), so
 * alpha + beta < 1. Forecasts: s2_{n+h} = VL + (alpha + beta)^(h-1) (s2_{n+1} - VL), VL =
 * omega / (1 - alpha - beta); the volatility over h days is 100 sqrt(252 mean(s2_{n+1..n+h})).
 * converged: the simplex shrank below the tolerance within the iterations. Needs 30 returns.
 * With persistence alpha + beta >= 0.999 (integrated) the long-run volatility and half-life are
 * absent: not identified. */
#define GEX_VOL_GARCH_HORIZONS 4 /* 1, 5, 10, 21 days */
typedef struct gex_vol_garch {
    double omega, alpha, beta, loglik;
    int converged;
    gex_level persistence, long_run_annualized, half_life_days;
    int horizon[GEX_VOL_GARCH_HORIZONS];
    gex_level annualized[GEX_VOL_GARCH_HORIZONS];
} gex_vol_garch;
int gex_vol_forecast_garch(const double *r, size_t n, gex_vol_garch *out);

/* The Gaussian GARCH(1,1) log-likelihood of r at the parameters (as above), for tests. */
double gex_vol_garch_loglik(const double *r, size_t n, double omega, double alpha, double beta);

#ifdef __cplusplus
}
#endif

#endif /* GEX_VOLATILITY_H */
