/*
 * gex/bs.h: generalized Black-Scholes-Merton prices, greeks and implied volatility.
 *
 * Model: European option on an underlying paying a continuous yield q, continuously
 * compounded rate r (Merton 1973; Haug, "The Complete Guide to Option Pricing Formulas",
 * 2nd ed., ch. 1 and 2). Every value is per share of underlying:
 *   price  USD
 *   delta  per $1 of spot                 (put delta is negative)
 *   gamma  per $1 of spot, per $1 of spot
 *   vega   per 1.00 of volatility          (not per vol point)
 *   vanna  d(delta)/d(sigma), per 1.00 of volatility
 *   charm  d(delta)/dt with t calendar time *passing* (t = -T), per year
 * Inputs: S spot > 0, K strike > 0, T years > 0, sigma > 0, all finite; r and q finite.
 * A function never returns nan or inf in a result: bad input or an overflowing result yields
 * a status and leaves the outputs untouched (scalar) or zeroed with the status set (batch).
 * Accuracy (SPEC 1.3): every greek within 1e-9 relative of a 50-digit reference (3e-11 at worst
 * over tests/data/bs-reference, where the inputs' own rounding limits it); tail probabilities
 * from erfc keep relative accuracy (N(-30) is 4.9e-198, not 0); the price of a far
 * out-of-the-money contract keeps its digits (Jaeckel's normalised Black function).
 */
#ifndef GEX_BS_H
#define GEX_BS_H

#include <stddef.h>
#include <stdint.h>

#include "gex/error.h"
#include "gex/option.h" /* GEX_CALL, GEX_PUT */

#ifdef __cplusplus
extern "C" {
#endif

/* Per-contract outcome of a greeks evaluation: an enum of its own, not a gex_status. Its
 * failures are numbered from GEX_OUTCOME_BASE, apart from every gex_status code and every other
 * outcome (gex/error.h): gex_strerror calls them "unknown status"; gex_bs_strstatus names them.
 * The values fit the uint8_t status arrays of the batch functions. */
typedef enum gex_bs_status {
    GEX_BS_OK = GEX_OK,
    GEX_BS_BAD_INPUT = GEX_OUTCOME_BASE, /* S, K, T or sigma not > 0 and finite, r or q not
                                            finite, bad type */
    GEX_BS_OVERFLOW,  /* a greek is not representable (for example gamma as T -> 0 at K = S) */
    GEX_BS_STATUS_END /* one past the last failure */
} gex_bs_status;

/* A static name for a greeks outcome ("overflow"); "unknown status" for a value out of range. */
const char *gex_bs_strstatus(gex_bs_status status);

/* One contract's price and greeks (units in the file comment). */
typedef struct gex_greeks {
    double price;
    double delta;
    double gamma;
    double vega;
    double vanna;
    double charm;
    double theta; /* d(price)/dt, t calendar time passing, per year */
} gex_greeks;

/* Price and greeks of one contract. type is GEX_CALL or GEX_PUT. Returns GEX_BS_OK and fills
 * *out, or a gex_bs_status and leaves *out untouched. */
gex_bs_status gex_bs_greeks(int type, double S, double K, double T, double sigma, double r,
                            double q, gex_greeks *out);

/* The five greeks the exposures use (delta, gamma, vega, vanna and charm) of one contract,
 * without the price and theta: four transcendental calls (log, two exp, erfc) instead of about
 * twelve, so about three times faster than gex_bs_greeks, with the same values. Same domain and
 * statuses; on success writes those five fields and leaves out->price and out->theta untouched;
 * on failure leaves *out untouched. */
gex_bs_status gex_bs_exposure_greeks(int type, double S, double K, double T, double sigma, double r,
                                     double q, gex_greeks *out);

/* Price only (same domain and statuses as gex_bs_greeks). */
gex_bs_status gex_bs_price(int type, double S, double K, double T, double sigma, double r, double q,
                           double *price);

/* Batch inputs, structure of arrays. Every array has n elements. For S, r and q an array may be
 * NULL, and then the scalar field applies to every contract (one underlying, flat carry). */
typedef struct gex_bs_batch_in {
    size_t n;
    const double *S; /* NULL: S_all */
    double S_all;
    const double *K;
    const double *T;
    const double *sigma;
    const uint8_t *type; /* GEX_CALL or GEX_PUT */
    const double *r;     /* NULL: r_all */
    double r_all;
    const double *q; /* NULL: q_all */
    double q_all;
} gex_bs_batch_in;

/* Batch outputs: caller-owned arrays of n elements. Any pointer may be NULL, and then that
 * value is not computed. status (if not NULL) receives a gex_bs_status per contract; a contract
 * whose status is not GEX_BS_OK has every requested output set to 0. */
typedef struct gex_bs_batch_out {
    double *price;
    double *delta;
    double *gamma;
    double *vega;
    double *vanna;
    double *charm;
    uint8_t *status;
} gex_bs_batch_out;

/* Greeks of n contracts, vectorised (glibc libmvec's SIMD exp, log and erfc), equal to
 * gex_bs_greeks within 1e-12 relative (of the terms a greek is the difference of, for vanna
 * near d2 = 0 and charm near its zero). The price, when asked for, is gex_bs_price's, computed
 * per contract (its series do not vectorise): leave out->price NULL for speed. Returns GEX_OK,
 * or GEX_EINVAL when in or out is NULL or a required input array (K, T, sigma, type) is NULL;
 * per-contract problems are reported through out->status, and the number of contracts whose
 * status is not GEX_BS_OK is written to *n_bad when n_bad is not NULL. No allocation; thread
 * safe. */
int gex_bs_greeks_batch(const gex_bs_batch_in *in, const gex_bs_batch_out *out, size_t *n_bad);

/* The name of the instruction-set path gex_bs_greeks_batch takes on this machine: "avx512"
 * (AVX-512F and DQ, 8 lanes), "avx2" (4 lanes) or "sse2" (the x86-64 baseline, 2 lanes), the
 * widest the CPU supports (cpuid, at each call: no global state); "scalar" on other
 * architectures. Static string. */
const char *gex_bs_batch_path(void);

/* Implied volatility. */
/* The hard bound of the implied-volatility iteration: far above the 2 to 6 steps it takes, so
 * reaching it (GEX_IV_NOT_CONVERGED) means a price beyond what double precision can invert. */
#define GEX_BS_IV_MAX_ITERATIONS 32
/* The outcome of an implied-volatility solve: an enum of its own, not a gex_status, its failures
 * numbered from GEX_OUTCOME_BASE + 10, apart from every gex_status code and every other outcome
 * (gex/error.h); gex_iv_strstatus names them. */
typedef enum gex_iv_status {
    GEX_IV_OK = GEX_OK,
    GEX_IV_NO_QUOTE = GEX_OUTCOME_BASE + 10, /* no usable price: bid <= 0, ask < bid, or not
                                                finite */
    GEX_IV_BELOW_INTRINSIC,                  /* price at or below the discounted intrinsic value */
    GEX_IV_ABOVE_MAX,                        /* price at or above the no-arbitrage maximum */
    GEX_IV_NOT_CONVERGED, /* the solver could not reach the attainable precision */
    GEX_IV_BAD_INPUT,     /* S, K, T not > 0 and finite, r or q not finite, bad type */
    GEX_IV_STATUS_END     /* one past the last failure */
} gex_iv_status;

/* A static name for an IV outcome ("below intrinsic"); "unknown status" for a value out of
 * range. */
const char *gex_iv_strstatus(gex_iv_status status);

/* The volatility sigma at which the model price equals price (discounted, per share, as
 * gex_bs_price). Solved on Jaeckel's normalised Black function ("Let's Be Rational", 2015) by
 * Householder steps of order 3 from an initial guess (src/bs-iv.c): to the precision the price
 * allows in double (about eps (price / vega + sigma)), in 2 evaluations of the price on a
 * realistic chain, at most 6 over x = ln(F/K) in [-30, 0) and sigma sqrt(T) in [1e-4, 30]
 * (a grid of 470,000 points; tests/test-bs.c runs a coarser one of 19,000), and never more
 * than GEX_BS_IV_MAX_ITERATIONS.
 * Returns GEX_IV_OK and writes *sigma, or a gex_iv_status and leaves *sigma untouched:
 * GEX_IV_NO_QUOTE when price is not finite; GEX_IV_BELOW_INTRINSIC when price is at or below
 * max(S e^{-qT} - K e^{-rT}, 0) for a call (K e^{-rT} - S e^{-qT} for a put) or its
 * out-of-the-money part is below the smallest normal double in units of sqrt(F K) e^{-rT} (it
 * has no digits left); GEX_IV_ABOVE_MAX at or above S e^{-qT} (call) or K e^{-rT} (put);
 * GEX_IV_BAD_INPUT for S, K, T not > 0 and finite, r or q not finite, or a bad type;
 * GEX_IV_NOT_CONVERGED if the iteration ends without reaching that precision (never seen from
 * the solver's own start; the tests reach it only from deliberately absurd ones). */
gex_iv_status gex_bs_implied_vol(int type, double price, double S, double K, double T, double r,
                                 double q, double *sigma);

/* Implied volatility from a quote: the mid (bid + ask) / 2 when bid > 0 and ask >= bid
 * (SPEC 1.4), else GEX_IV_NO_QUOTE. */
gex_iv_status gex_bs_implied_vol_quote(int type, double bid, double ask, double S, double K,
                                       double T, double r, double q, double *sigma);

/* Batch implied volatility: price[i] -> sigma[i] with status[i] (both caller-owned, n each;
 * sigma[i] is 0 where status[i] is not GEX_IV_OK), the values gex_bs_implied_vol gives; the
 * discount factors are computed once per run of contracts with equal T, r and q. in->sigma is
 * ignored. Returns GEX_OK or GEX_EINVAL for NULL arguments. */
int gex_bs_implied_vol_batch(const gex_bs_batch_in *in, const double *price, double *sigma,
                             uint8_t *status);

#ifdef __cplusplus
}
#endif

#endif /* GEX_BS_H */
