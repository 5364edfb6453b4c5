/*
 * gex/history.h: a folder of chain files as a time series (SPEC 6). One snapshot per analysis
 * (an underlying at a quote instant: spot, exposures, levels, the 30-day implied volatilities,
 * open interest), and the measures of a series of snapshots of one underlying: realized
 * volatility, the volatility risk premium with its z-score and percentile, and the change in
 * open interest.
 *
 * Units, as the vendor's /v1/vrp response: implied and realized volatilities in percent
 * (20.84 is 20.84%), vrp_N in volatility points, variance_risk_premium as a plain variance
 * ((atm_iv / 100)^2 - (rv_20d / 100)^2). Every value that cannot be computed is absent (has = 0,
 * JSON null), never a sentinel number.
 */
#ifndef GEX_HISTORY_H
#define GEX_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "gex/analysis.h"
#include "gex/chain.h"
#include "gex/levels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The tenor of the implied volatilities: 30 calendar days, T = 30 / 365 years (SPEC 1.1's
 * year of 365 days). */
#define GEX_HISTORY_TENOR_DAYS 30
/* The wings: the put of delta -0.25 and the call of delta +0.25 (Black-Scholes-Merton delta
 * per share at the contract's own volatility, gex/bs.h). */
#define GEX_HISTORY_WING_DELTA 0.25
/* Realized volatility windows, in trading days (the vendor's rv_5d ... rv_30d). */
#define GEX_HISTORY_RV_COUNT 4
/* Trading days a year: the annualisation of daily realized volatility (sqrt(252)). */
#define GEX_HISTORY_TRADING_DAYS 252
/* The z-score and percentile window: the previous 60 trading days (the vendor's), and the
 * fewest previous days with which they are given (fewer: null, as the vendor does). */
#define GEX_HISTORY_Z_WINDOW 60
#define GEX_HISTORY_Z_MIN    5

/* The windows of GEX_HISTORY_RV_COUNT realized volatilities: 5, 10, 20, 30. */
int gex_history_rv_window(size_t i);

/* One underlying at one quote instant. */
typedef struct gex_snapshot {
    char symbol[GEX_SYMBOL_MAX + 1]; /* the underlying, whole (readers refuse longer names) */
    int64_t quote_time;              /* UTC seconds */
    double spot;
    double net_gex, net_dex, net_vex, net_chex; /* gex/exposure.h units (the analysis's unit) */
    gex_level gamma_flip, call_wall, put_wall, max_positive_gamma, max_negative_gamma;
    double zero_dte_pct; /* the 0DTE share of gross GEX, percent; 0 without 0DTE contracts */
    gex_level atm_iv;    /* percent, at 30 days (SPEC 6.1) */
    gex_level put_iv_25d, call_iv_25d; /* percent, at 30 days (SPEC 6.2) */
    double call_oi, put_oi; /* open interest of the contracts the filters keep, not expired */
    char currency[4];       /* of spot, levels and amounts (gex_chain_currency); all zero: USD */
} gex_snapshot;

/* A snapshot's currency: its code, or GEX_CURRENCY_DEFAULT where it has none (a snapshot made
 * by hand, all zero) or a NULL one. */
const char *gex_snapshot_currency(const gex_snapshot *snapshot);

/* The snapshot of an analysis (gex/analysis.h). Needs the chain the analysis borrows.
 *
 * ATM IV (SPEC 6.1): for each expiration (each settlement instant) with used contracts, the
 * forward F = S exp((r - q) T) with the chain's carry; for calls and for puts separately, the
 * used contracts of the strikes nearest F from below and from above give IV at k = ln(K / F) = 0
 * by linear interpolation in k (the strike itself when one equals F); the expiration's ATM IV
 * is the mean of the call's and the put's (one when the other has no strikes on both sides).
 * The 30-day value: with T1 <= T30 < T2 the nearest expirations on either side of
 * T30 = 30 / 365, total variance w = sigma^2 T is linear in T between them,
 * sigma30 = sqrt((w1 + (w2 - w1) (T30 - T1) / (T2 - T1)) / T30); with expirations on one side
 * only, the nearest one's sigma (flat extrapolation).
 *
 * 25-delta IVs (SPEC 6.2): for each expiration, with each used contract's Black-Scholes-Merton
 * delta at its own IV (not the file's or the American model's that the exposures may use), the
 * puts by ascending strike are scanned from the lowest for the first pair of consecutive
 * strikes whose deltas bracket -0.25, and IV is
 * interpolated linearly in delta; the calls the same from the highest strike down for +0.25;
 * then the 30-day value as for ATM IV.
 *
 * Returns GEX_OK, GEX_EINVAL (NULL arguments, or an underlying longer than GEX_SYMBOL_MAX
 * bytes: gex_chain_add takes one, the readers refuse it, and a snapshot holds its name whole),
 * GEX_ENOMEM. */
int gex_snapshot_from_analysis(const gex_analysis *analysis, gex_snapshot *out);

/* The ATM IV (percent) of an analysis at n other tenors, days[i] calendar days (> 0), by
 * SPEC 6.1's method with T30 replaced by days[i] / 365 (total variance linear in T between the
 * expirations on either side, flat beyond): /v1/vrp's term_vrp (SPEC 5.5). GEX_OK, GEX_EINVAL
 * (NULL arguments, a tenor <= 0), GEX_ENOMEM. */
int gex_snapshot_atm_iv_at(const gex_analysis *analysis, const int *days, size_t n, gex_level *out);

/* The measures of a series (SPEC 6.3). */
typedef struct gex_history_metrics {
    gex_level rv[GEX_HISTORY_RV_COUNT];  /* percent a year, windows gex_history_rv_window(i) */
    gex_level vrp[GEX_HISTORY_RV_COUNT]; /* atm_iv - rv[i], volatility points */
    gex_level variance_risk_premium;     /* (atm_iv / 100)^2 - (rv_20d / 100)^2 */
    gex_level z_score;                   /* of vrp_20d against the previous trading days */
    gex_level percentile;                /* 0 to 100 */
    size_t history_days;                 /* previous trading days with a vrp_20d in the window */
    gex_level call_oi_change, put_oi_change; /* against the previous snapshot */
} gex_history_metrics;

/* The measures of each snapshot of a series of one underlying in ascending quote_time order
 * (n snapshots, n metrics out). A trading day is a New York date that has a snapshot; its close
 * is its last snapshot's spot. For snapshot i, the closes are those of the earlier trading days
 * and the snapshot's own spot (the close so far of its day):
 *   rv_N = 100 sqrt(252) stdev(the last N log returns of the closes), stdev the sample standard
 *          deviation (n - 1); absent with fewer than N + 1 closes;
 *   vrp_N = atm_iv - rv_N; variance_risk_premium = (atm_iv/100)^2 - (rv_20d/100)^2;
 *   z_score = (vrp_20d - mean) / stdev and percentile = 100 (count <= vrp_20d) / count over the
 *          vrp_20d of the closes of the previous GEX_HISTORY_Z_WINDOW trading days (those that
 *          have one: history_days); absent below GEX_HISTORY_Z_MIN days or when stdev is 0;
 *   call_oi_change, put_oi_change: against snapshot i - 1 (absent for the first).
 * A change of currency (gex_snapshot.currency) starts the series again, as if its first
 * snapshot were the series' first: no return, window or change spans two currencies.
 * Returns GEX_OK; GEX_EINVAL for NULL arguments with n > 0, snapshots not in ascending
 * quote_time order, of several underlyings, or with a spot not > 0 and finite; GEX_ENOMEM. */
int gex_history_metrics_compute(const gex_snapshot *snapshots, size_t n, gex_history_metrics *out);

/* The trading day of a snapshot at a UTC instant: its New York date (days since 1970-01-01),
 * a Saturday's or Sunday's the Friday before (a chain saved over a weekend holds Friday's
 * close, and is no day of trading of its own). Exchange holidays are not known. */
int32_t gex_history_trading_day(int64_t utc);

#ifdef __cplusplus
}
#endif

#endif /* GEX_HISTORY_H */
