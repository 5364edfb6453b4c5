/*
 * gex/validate.h: the arithmetic of `gex validate` (SPEC 4): how well a vendor's series agrees
 * with gex's recomputation, which convention explains a constant factor between them, and where
 * they disagree most.
 *
 * Every function works on plain arrays (vendor[i] and local[i] describe the same strike or the
 * same contract), so the command line can feed it per-strike exposures, per-contract greeks or
 * levels alike. Non-finite pairs are skipped and counted, never propagated.
 */
#ifndef GEX_VALIDATE_H
#define GEX_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "gex/american.h"
#include "gex/chain.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default relative tolerance of `gex validate --tol` (SPEC 4). */
#define GEX_VALIDATE_DEFAULT_TOL 0.01

/* Agreement of two series. */
typedef struct gex_validate_fit {
    size_t n;                 /* pairs compared (both finite) */
    size_t skipped;           /* pairs skipped because a value was not finite */
    int has_k;                /* 0 when every local value is 0 (no factor can be fitted) */
    double k;                 /* least squares: argmin_k sum (vendor - k local)^2 */
    int has_correlation;      /* 0 when a series is constant or n < 2 */
    double correlation;       /* Pearson's r between vendor and local */
    double max_abs_diff;      /* max |vendor - local| */
    size_t max_abs_index;     /* the index where it occurs */
    double max_rel_diff;      /* max |vendor - local| / max(|vendor|, |local|) */
    size_t beyond;            /* pairs outside the tolerance (gex_validate_agrees) */
    const char *convention;   /* the convention k matches (static), or NULL */
    double convention_factor; /* the exact factor of that convention */
} gex_validate_fit;

/* 1 when vendor and local agree: |v - l| <= tol * max(|v|, |l|) + abs_floor. abs_floor is half
 * the quantum a vendor printed its values to (gex_validate_quantum), so that a printed value
 * stands for the interval it was rounded from and agrees when a value of that interval is
 * within tol; pass 0 for values printed in full. Non-finite values never agree. */
int gex_validate_agrees(double vendor, double local, double tol, double abs_floor);

/* Fits vendor ~ k * local over n pairs, with the correlation, the largest differences and the
 * count of pairs beyond tol / abs_floor. spot (> 0) names the conventions that involve S (GEX
 * per 1% versus per $1 move); pass 0 when there is none. Returns GEX_OK, or GEX_EINVAL for NULL
 * arrays or a non-finite tol. n may be 0 (then has_k = has_correlation = 0). */
int gex_validate_fit_series(const double *vendor, const double *local, size_t n, double spot,
                            double tol, double abs_floor, gex_validate_fit *out);

/* The known convention nearest a factor k, within relative tolerance tol (SPEC 4): 1 (same),
 * -1 (opposite sign), S/100 or 100/S (GEX per 1% move versus per $1 move), 0.01 or 100 (per vol
 * point versus per 1.00 of vol), 1/365 or 365 (per day versus per year), and the sign-flipped
 * forms of each. Returns a static sentence and writes the exact factor to *factor, or returns
 * NULL when none matches. spot <= 0 leaves out the S-based conventions. */
const char *gex_validate_convention(double k, double spot, double tol, double *factor);

/* The indexes of the max pairs with the largest |vendor - local|, largest first (ties: lower
 * index first), written to idx; returns how many were written (at most n and max). */
size_t gex_validate_worst(const double *vendor, const double *local, size_t n, size_t *idx,
                          size_t max);

/* The rank (1 = largest) of values[index] among values[0..n) in descending order, counting
 * the values strictly greater than it plus one. 0 when index >= n or the value is not finite. */
size_t gex_validate_rank(const double *values, size_t n, size_t index);

/* The decimal quantum the values were printed with: the smallest 10^-d (d = 0..12) such that
 * every finite value is a whole multiple of it (within 1e-6 of the quantum), or 0 when none is
 * (full precision). CBOE prints greeks to 4 decimals: 1e-4. */
double gex_validate_quantum(const double *values, size_t n);

/* Moneyness bucket of strike K at spot S (SPEC 4 breakdown "by moneyness"): 0 for K/S < 0.90,
 * 1 for [0.90, 0.97), 2 for [0.97, 1.03) (at the money), 3 for [1.03, 1.10), 4 for >= 1.10. */
#define GEX_VALIDATE_MONEYNESS_BUCKETS 5
int gex_validate_moneyness_bucket(double strike, double spot);
/* "K/S < 0.90", "0.90-0.97", ... (static). */
const char *gex_validate_moneyness_name(int bucket);

/* --- the time conventions a vendor may have used (SPEC 4, chain-only mode) --- */

/* The last 16:00 New York close on a weekday at or before the UTC instant utc (holidays are
 * not known: a holiday counts as a trading day). */
int64_t gex_validate_previous_close(int64_t utc);

/* Trading time from one UTC instant to another in years of 252 sessions: the share of each
 * weekday's 09:30-16:00 New York session that lies between them, summed, / 252. 0 when
 * to <= from. */
double gex_validate_trading_years(int64_t from, int64_t to);

/* Where T may be measured from and how it may be counted, in the order they are tried. */
typedef enum gex_validate_time {
    GEX_VALIDATE_T_QUOTE_CALENDAR =
        0,                         /* the quote instant, calendar seconds / 365 days (SPEC 1.1) */
    GEX_VALIDATE_T_QUOTE_TRADING,  /* the quote instant, trading time / 252 sessions */
    GEX_VALIDATE_T_CLOSE_CALENDAR, /* the previous 16:00 close, calendar / 365 */
    GEX_VALIDATE_T_CLOSE_TRADING,  /* the previous 16:00 close, trading / 252 */
    GEX_VALIDATE_T_COUNT
} gex_validate_time;

/* "quote instant, calendar days / 365", ... (static); NULL when out of range. */
const char *gex_validate_time_name(int convention);

/* The delta and gamma of every contract of a prepared chain (gex_chain_prepare) with T measured
 * by convention from quote (the UTC instant the chain was prepared at: gex_analysis_quote_time),
 * at each contract's spot and implied volatility and the chain's carry (gex_chain_carry): what
 * a vendor's own greeks columns are recomputed with (gex validate, chain-only mode), by the
 * vectorised greeks (gex_bs_greeks_batch: within 1e-12 relative of gex_bs_greeks). delta,
 * gamma and computed are caller-owned arrays of gex_chain_size(chain); computed[i] is 1 where
 * contract i has status GEX_CONTRACT_OK, a positive T and representable greeks, else 0 with
 * delta and gamma 0. Returns GEX_OK, or GEX_EINVAL (NULL, an unknown convention, a chain not
 * prepared). */
int gex_validate_chain_greeks(const gex_chain *chain, int64_t quote, gex_validate_time convention,
                              double *delta, double *gamma, uint8_t *computed);

/* The same with the carry of each contract's expiration from a put-call parity fit
 * (gex_chain_parity_fit: fits[0..n_fits), matched by settlement instant): the forward F and
 * discount factor D of the fit held, the rate and yield re-derived for the convention's T
 * (r = -ln(D) / T, q = r - ln(F / S) / T), so that the greeks are those on the forward. An
 * expiration without a fit (ok == 0, or none given) keeps the chain's carry; *flat (may be NULL)
 * receives how many contracts did. Statuses as gex_validate_chain_greeks. */
int gex_validate_chain_greeks_parity(const gex_chain *chain, int64_t quote,
                                     gex_validate_time convention, const gex_parity_fit *fits,
                                     size_t n_fits, double *delta, double *gamma, uint8_t *computed,
                                     size_t *flat);

/* The same with the exercise style of each contract's root (gex_exercise_for_root(root,
 * exercise): GEX_EXERCISE_AUTO decides by root, GEX_EXERCISE_AMERICAN or _EUROPEAN apply to every
 * contract): where it is American, delta and gamma are those of the American model at the same
 * inputs (gex/american.h, one boundary solve per contract: a few thousand contracts a second per
 * core). fits may be NULL with n_fits 0 for the chain's flat carry. Where the carry makes two
 * exercise boundaries (a fitted negative rate with q < r < 0 for a put, r < q < 0 for a call),
 * which gex/american.h refuses, the contract keeps the Black-Scholes greeks. *american and
 * *double_boundary (each may be NULL) receive how many contracts were priced American and how
 * many American ones kept Black-Scholes for that reason. Statuses as gex_validate_chain_greeks,
 * and GEX_EINVAL for an exercise out of range. */
int gex_validate_chain_greeks_exercise(const gex_chain *chain, int64_t quote,
                                       gex_validate_time convention, const gex_parity_fit *fits,
                                       size_t n_fits, gex_exercise exercise, double *delta,
                                       double *gamma, uint8_t *computed, size_t *flat,
                                       size_t *american, size_t *double_boundary);

/* The volatility a vendor may price both contracts of a strike with: the implied volatility of
 * its out-of-the-money side (the call at or above the expiration's forward, the put below it),
 * as CBOE's delayed quotes do (their call and put of a strike carry one gamma although their IV
 * columns differ). The forward is the parity fit's where fits[] (matched by settlement) has
 * one, else spot * e^{(r - q) T} at the chain's carry. sigma (caller-owned, gex_chain_size
 * doubles) receives each contract's own IV, replaced by the OTM side's where the strike has
 * both sides with status GEX_CONTRACT_OK; *replaced (may be NULL) how many changed. Returns
 * GEX_OK, GEX_EINVAL, or GEX_ENOMEM. */
int gex_validate_otm_iv(const gex_chain *chain, const gex_parity_fit *fits, size_t n_fits,
                        double *sigma, size_t *replaced);

/* gex_validate_chain_greeks_exercise at the volatilities sigma[i] (gex_validate_otm_iv) instead
 * of each contract's own IV. GEX_EINVAL when sigma is NULL. */
int gex_validate_chain_greeks_sigma(const gex_chain *chain, int64_t quote,
                                    gex_validate_time convention, const gex_parity_fit *fits,
                                    size_t n_fits, gex_exercise exercise, const double *sigma,
                                    double *delta, double *gamma, uint8_t *computed, size_t *flat,
                                    size_t *american, size_t *double_boundary);

/* One row of chain-only validate's table of conventions: the contracts whose file gamma (delta)
 * was compared and those that agreed (gex_validate_agrees), and the delta RMS. */
typedef struct gex_validate_score {
    size_t gamma_n, gamma_matched;
    size_t delta_n, delta_matched;
    double delta_rms;
} gex_validate_score;

/* Non-zero when row a fits the file better than row b (SPEC 4, the row validate names): the
 * larger share of gamma matched (issue 14's measure), or of delta when neither row compared a
 * gamma; on equal shares the smaller delta RMS. Shares are compared exactly (cross-multiplied
 * counts); a row that compared nothing has share 0. 0 when a or b is NULL. */
int gex_validate_better(const gex_validate_score *a, const gex_validate_score *b);

/* The rates gex_validate_fit_rate tries: 0 to GEX_VALIDATE_RATE_MAX a year by
 * GEX_VALIDATE_RATE_STEP (0%, 0.25%, ..., 8%). */
#define GEX_VALIDATE_RATE_STEP 0.0025
#define GEX_VALIDATE_RATE_MAX  0.08

/* The discount rate that reproduces a prepared chain's own delta and gamma columns best (its
 * vendor_delta and vendor_gamma; the rule of gex_validate_better with tolerance tol and half
 * the printed quantum of each column) when every expiration keeps its parity forward
 * (fits[e].forward, where fits[e].ok) and takes D = e^{-rT}: Black-Scholes greeks at each
 * contract's own IV, T by convention (gex_validate_chain_greeks_parity). The parity fit's own D
 * is biased where the mids carry an early-exercise premium (American chains) and noisy on thin
 * long expirations; a vendor's model uses one rate. Tries the rates of the grid above; *rate is
 * the best and *score (may be NULL) its counts. Returns GEX_OK, GEX_EINVAL (NULL chain, fits
 * with n_fits > 0 or rate, bad convention, chain not prepared) or GEX_ENOMEM. */
int gex_validate_fit_rate(const gex_chain *chain, int64_t quote, gex_validate_time convention,
                          const gex_parity_fit *fits, size_t n_fits, double tol, double *rate,
                          gex_validate_score *score);

/* fits[0..n) with each ok fit's D held at e^{-rate T} (its forward kept; rate and div follow),
 * into out[0..n) (out may equal fits). */
void gex_validate_hold_rate(const gex_parity_fit *fits, size_t n, double rate, gex_parity_fit *out);

/* The same with T of a time basis (gex_validate_time, from the quote instant quote): D held at
 * e^{-rate T} with T the time to the fit's settlement the rows of that basis price with, so
 * that they discount at rate exactly (gex_validate_hold_rate: the quote instant's T, the
 * basis GEX_VALIDATE_T_QUOTE_CALENDAR). An unknown basis leaves out untouched. */
void gex_validate_hold_rate_basis(const gex_parity_fit *fits, size_t n, double rate, int64_t quote,
                                  gex_validate_time convention, gex_parity_fit *out);

/* The strikes gex_validate_forward_below_spot fits per expiration, at most, and fewest. */
#define GEX_VALIDATE_BELOW_PAIRS     12
#define GEX_VALIDATE_BELOW_MIN_PAIRS 3

/* An early-exercise-aware forward for American chains: for each ok fit of fits[0..n) (a
 * prepared chain of one underlying, as gex_chain_parity_fit gives them, their D kept), the
 * median of K + (C - P) / D over the GEX_VALIDATE_BELOW_PAIRS two-sided strikes at or below the
 * spot nearest to it (mids, SPEC 1.4's two-sided rule), into out (out may equal fits). There
 * the put is out of the money and its early-exercise premium smallest, and a call on a stock
 * paying little carries none, so C - P is nearest the European D (F - K); the strikes above
 * the spot price the in-the-money put's premium into C - P and pull the forward down. A fit
 * with fewer than GEX_VALIDATE_BELOW_MIN_PAIRS such strikes keeps its forward. rate and div
 * follow the new forward. Returns GEX_OK, GEX_EINVAL (NULL chain, fits or out with n > 0, not
 * prepared) or GEX_ENOMEM. */
int gex_validate_forward_below_spot(const gex_chain *chain, const gex_parity_fit *fits, size_t n,
                                    gex_parity_fit *out);

/* gex_validate_chain_greeks_sigma at one spot for every contract instead of the chain's (the
 * parity fits' forwards kept: q follows from spot). GEX_EINVAL when sigma is NULL or spot is not
 * positive and finite. */
int gex_validate_chain_greeks_spot(const gex_chain *chain, int64_t quote,
                                   gex_validate_time convention, const gex_parity_fit *fits,
                                   size_t n_fits, gex_exercise exercise, const double *sigma,
                                   double spot, double *delta, double *gamma, uint8_t *computed,
                                   size_t *american, size_t *double_boundary);

/* The spot implied by the nearest expiration's forward with no dividend over it: F D (= S when
 * F = S e^{rT}, D = e^{-rT}) of the first ok fit of fits[0..n) with T > 0; NAN when none. A
 * file's last price can be stale (a weekend file's Last after the close; CBOE's TSLA file of a
 * Sunday), while the mids price the underlying the market makers quoted on. */
double gex_validate_implied_spot(const gex_parity_fit *fits, size_t n);

/* The volatility CBOE's own model priced a strike at: the implied volatility of the file's
 * theoretical price (gex_chain_view.theo, CBOE JSON's "theo") of the strike's out-of-the-money
 * side (the call at or above the expiration's forward, else the put; the other side where that
 * one has none), solved at its expiration's fit of fits[0..n_fits) (matched by settlement;
 * normally the parity fit on the theoretical prices, gex_chain_parity_fit_prices) as
 * Black-Scholes on S = F D with q = 0 and r = -ln(D) / T, T by convention (T measured as the
 * greeks will be, so that sigma sqrt(T) is the one the price holds). A theoretical price is a
 * vendor's model output, not a quote: validate uses it to explain the vendor's greeks only.
 * sigma (caller-owned, gex_chain_size doubles) receives each contract's own IV, replaced by the
 * strike's theo IV where one solves; *solved (may be NULL) counts the contracts with status
 * GEX_CONTRACT_OK that took one. Returns GEX_OK, GEX_EINVAL (NULL chain or sigma, fits NULL
 * with n_fits > 0, bad convention, chain not prepared) or GEX_ENOMEM. */
int gex_validate_theo_iv(const gex_chain *chain, int64_t quote, gex_validate_time convention,
                         const gex_parity_fit *fits, size_t n_fits, double *sigma, size_t *solved);

/* gex_validate_chain_greeks_sigma with each expiration priced on its own underlying:
 * where fits[] has an ok fit, S = F D, q = 0 and r = -ln(D) / T, so that the price, delta and
 * gamma are Black's on the forward F with delta and gamma taken per unit of F D (CBOE prices
 * an index option on the underlying its expiration's forward implies, not on the file's last
 * price; RUT 2023-09-20: F D is 1,809.8 for the 2-day expiration against the file's 1,806.12).
 * Other expirations keep the chain's carry and spot, counted in *flat (may be NULL). exercise,
 * *american and *double_boundary as gex_validate_chain_greeks_exercise (with q = 0 an American
 * call is the European one; a put carries the early-exercise premium at r). Returns as
 * gex_validate_chain_greeks, and GEX_EINVAL when fits or sigma is NULL. */
int gex_validate_chain_greeks_forward(const gex_chain *chain, int64_t quote,
                                      gex_validate_time convention, const gex_parity_fit *fits,
                                      size_t n_fits, gex_exercise exercise, const double *sigma,
                                      double *delta, double *gamma, uint8_t *computed, size_t *flat,
                                      size_t *american, size_t *double_boundary);

/* The American counterpart of gex_validate_fit_rate, on the rows "American by root; implied
 * spot, forward below it, fitted rate, strike's OTM IV": for each rate of 0 to
 * GEX_VALIDATE_RATE_MAX by GEX_VALIDATE_AM_RATE_STEP, D held at it (gex_validate_hold_rate), the
 * forwards from the strikes below the spot (gex_validate_forward_below_spot), the spot they
 * imply (gex_validate_implied_spot), the strike's OTM IV (gex_validate_otm_iv), the American
 * model for the roots priced American (gex_exercise_for_root); scored like
 * gex_validate_fit_rate on every k-th contract, k chosen so that at most sample are priced (0:
 * all), since an American contract costs a boundary solve. Same returns. */
#define GEX_VALIDATE_AM_RATE_STEP 0.01
int gex_validate_fit_rate_american(const gex_chain *chain, int64_t quote,
                                   gex_validate_time convention, const gex_parity_fit *fits,
                                   size_t n_fits, double tol, size_t sample, double *rate,
                                   gex_validate_score *score);

#ifdef __cplusplus
}
#endif

#endif /* GEX_VALIDATE_H */
