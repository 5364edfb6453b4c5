/*
 * gex/american.h: American option prices, greeks and implied volatility, and the exercise style
 * of an option root.
 *
 * Model: the underlying of gex/bs.h (lognormal, continuous yield q, rate r, both flat), with
 * exercise allowed at any time up to T. Units are those of gex/bs.h: per share, vega per 1.00 of
 * volatility, theta and charm per year of calendar time passing.
 *
 * Method (SPEC 1.8): Andersen, Lake and Offengelt, "High-performance American option pricing",
 * Journal of Computational Finance 20(1), 2016. The put's exercise boundary B(tau) is found by the
 * Jacobi-Newton fixed-point iteration of its integral equation, started from Li's QD+ boundary
 * ("Analytical approximations for the critical stock prices of American options", Journal of
 * Computational Finance 8(4), 2005), and kept as a Chebyshev interpolant of
 * ln(B/X)^2 in sqrt(tau); the price is the European price plus the early-exercise premium, an
 * integral over that boundary (Kim 1990; Carr, Jarrow and Myneni 1992). A call is priced as the
 * put with S and K, r and q exchanged (McDonald and Schroder 1998 put-call symmetry).
 *
 * Where early exercise is never optimal the price is the European one, from gex/bs.h: a call
 * with q <= 0 and r >= q (a stock without dividends), a put with r <= 0 and q >= r. When r and q
 * are both negative and the holder's carry makes two exercise boundaries (r < q < 0 for a call,
 * q < r < 0 for a put), the one-boundary method does not apply and the functions refuse with
 * GEX_AM_DOUBLE_BOUNDARY rather than return a wrong number.
 *
 * Accuracy (SPEC 1.8): prices within 1e-6 relative of a converged reference, or 1e-9 absolute
 * (spot 100) for prices below 1e-3, over K/S in [0.5, 1.5], T in [1 day, 3 years], sigma in
 * [0.05, 1.5], r and q in [0, 0.1] (tests/test-american.c, tests/data/american/). A function
 * never returns nan or inf: bad input yields a status and leaves the outputs untouched. Every
 * function is thread safe and allocates nothing, except gex_am_boundary_new.
 */
#ifndef GEX_AMERICAN_H
#define GEX_AMERICAN_H

#include "gex/bs.h"
#include "gex/chain.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The outcome of an American pricing or implied-volatility solve: an enum of its own, not a
 * gex_status, its failures numbered from GEX_OUTCOME_BASE + 20, apart from every gex_status code
 * and every other outcome (gex/error.h); gex_am_strstatus names them. The functions that are not
 * one contract's evaluation (gex_am_boundary_new, gex_am_expiration_values) return a gex_status. */
typedef enum gex_am_status {
    GEX_AM_OK = GEX_OK,
    GEX_AM_BAD_INPUT = GEX_OUTCOME_BASE + 20, /* S, K, T or sigma not > 0 and finite, r or q not
                                                 finite, bad type */
    GEX_AM_DOUBLE_BOUNDARY, /* r < q < 0 call or q < r < 0 put: two exercise boundaries */
    GEX_AM_NO_QUOTE,        /* implied volatility: the price is not > 0 and finite */
    GEX_AM_BELOW_INTRINSIC, /* implied volatility: price at or below the lowest American price */
    GEX_AM_ABOVE_MAX,       /* implied volatility: price at or above S (call) or K (put) */
    GEX_AM_NOT_CONVERGED,   /* implied volatility: the solve did not reach its precision */
    GEX_AM_STATUS_END       /* one past the last failure */
} gex_am_status;

/* A static name for an outcome ("double boundary"); "unknown status" for a value out of range. */
const char *gex_am_strstatus(gex_am_status status);

/* Whether an option can be exercised early with profit: 1 when the American price differs from
 * the European one (a call with q > 0, or q > r; a put with r > 0, or r > q), 0 when it does
 * not. The double-boundary cases count as 1. Inputs as gex_am_price; no check of S, K, T. */
int gex_am_early_exercise(int type, double r, double q);

/* Price of an American call (type GEX_CALL) or put (GEX_PUT). Returns GEX_AM_OK and writes
 * *price, or GEX_AM_BAD_INPUT (also for a NULL price) or GEX_AM_DOUBLE_BOUNDARY and leaves
 * *price untouched. Cost: one boundary solve, 24 nodes times 16 points times 4 to 40
 * iterations, or 12 nodes times 12 points where the put's rate (r for a put, q for a call) is
 * at most a quarter of sigma / sqrt(T) (SPEC 1.8; bench/bench-american.c gives the figures;
 * far slower than gex/bs.h). */
gex_am_status gex_am_price(int type, double S, double K, double T, double sigma, double r, double q,
                           double *price);

/* Price and greeks of an American option, in gex/bs.h's struct and units: price, delta, gamma
 * (analytic derivatives of the premium integral, whose boundary does not depend on S), vega and
 * vanna (central differences in sigma, each side a full boundary solve), theta and charm (from
 * the pricing equation, which holds where the option is held; 0 where it is exercised: there the
 * price is the intrinsic value, delta is +-1 and the other greeks are 0). Three boundary solves.
 * Same statuses as gex_am_price; *out untouched on failure. */
gex_am_status gex_am_greeks(int type, double S, double K, double T, double sigma, double r,
                            double q, gex_greeks *out);

/* An exercise boundary solved once and shared (SPEC 1.8): the price of an American option
 * depends on S and K only through S/K once T, sigma, r and q are fixed (the problem is
 * homogeneous of degree 1 in S and K), so the boundary one solve finds serves every strike and
 * spot of an expiration that has one volatility. A price on it is the early-exercise premium
 * integral and the European price, without the solve: bench/bench-american.c gives the figure.
 * The values are those of gex_am_price and gex_am_greeks to the bit: they run the same code. */
typedef struct gex_am_boundary gex_am_boundary;

/* Solves the boundary of an option of type (GEX_CALL or GEX_PUT) with T, sigma, r and q as in
 * gex_am_price; where early exercise is never optimal no solve is needed and the values are the
 * European ones. Returns GEX_OK (gex/error.h) and writes *out (free it with
 * gex_am_boundary_free), or leaves *out untouched and returns GEX_EINVAL for inputs
 * gex_am_price refuses (bad input, a NULL out, or the two-boundary carry for which gex_am_price
 * answers GEX_AM_DOUBLE_BOUNDARY) or GEX_ENOMEM when the allocation fails. */
int gex_am_boundary_new(int type, double T, double sigma, double r, double q,
                        gex_am_boundary **out);

/* Frees a boundary; NULL is allowed. */
void gex_am_boundary_free(gex_am_boundary *boundary);

/* Price, delta and gamma of the boundary's option at spot S and strike K (both > 0 and finite),
 * equal to gex_am_greeks's price, delta and gamma at the same inputs. delta and gamma may be
 * NULL when not wanted (the price alone costs less). Returns GEX_AM_OK, or GEX_AM_BAD_INPUT for a
 * NULL boundary or price or a bad S or K, leaving the outputs untouched. Thread safe: the
 * boundary is only read. */
gex_am_status gex_am_boundary_value(const gex_am_boundary *boundary, double S, double K,
                                    double *price, double *delta, double *gamma);

/* Values of the n contracts of one expiration (T, r and q shared), each with its own type
 * (GEX_CALL or GEX_PUT), spot S, strike K and volatility sigma (SPEC 1.8): price[i] within
 * the accuracy above (a converged reference's 1e-6 relative) and, where delta and gamma are not
 * NULL, delta[i] within 1e-5 and gamma[i] within 1e-3 of itself (or 1e-6) of gex_am_greeks's
 * (tests/test-american.c holds them to these). The calls' boundary and the puts' are
 * solved at a few volatilities spanning the expiration's (Chebyshev points in ln sigma, more
 * for a wider span, at most 12) and interpolated to each contract's; a family with too few
 * contracts to share those solves is valued contract by contract (gex_am_boundary_value's
 * numbers), and so is a contract within 0.1 sigma sqrt(T) of its interpolated exercise boundary
 * (SPEC 1.8). status[i] is GEX_AM_OK, GEX_AM_BAD_INPUT (S, K or sigma not > 0 and finite, or a
 * type other than GEX_CALL and GEX_PUT) or GEX_AM_DOUBLE_BOUNDARY; the outputs of a contract not
 * OK are untouched. Returns GEX_OK (gex/error.h), or GEX_EINVAL (nothing written) for a NULL
 * array (delta and gamma excepted) where n > 0 or for T, r or q not as gex_am_price takes them.
 * Allocates nothing (about 160 KiB of stack); thread safe. bench/bench-american.c gives the
 * figure. */
int gex_am_expiration_values(double T, double r, double q, size_t n, const int *type,
                             const double *S, const double *K, const double *sigma, double *price,
                             double *delta, double *gamma, gex_am_status *status);

/* The hard bound of the implied-volatility iteration (each step one boundary solve; a realistic
 * contract takes 4 to 7). */
#define GEX_AM_IV_MAX_ITERATIONS 60

/* The volatility at which gex_am_price equals price: to 1e-8 relative in sigma, or where vega
 * is small to what the price allows (gex_am_price stops its boundary iteration when the
 * moves left are below 1e-8, so it is smooth in sigma only to about 1e-9 of the price). Where early
 * exercise is never optimal it is gex_bs_implied_vol's answer. Returns GEX_AM_OK and writes *sigma,
 * or leaves *sigma untouched and returns: GEX_AM_NO_QUOTE when price is not > 0 and finite;
 * GEX_AM_BELOW_INTRINSIC when price is at or below the intrinsic value max(S - K, 0) (call) or
 * max(K - S, 0) (put), or below the price at GEX_AM_IV_MIN_SIGMA; GEX_AM_ABOVE_MAX at or above S
 * (call) or K (put), or above the price at GEX_AM_IV_MAX_SIGMA; GEX_AM_BAD_INPUT,
 * GEX_AM_DOUBLE_BOUNDARY as gex_am_price; GEX_AM_NOT_CONVERGED when GEX_AM_IV_MAX_ITERATIONS steps
 * did not reach the precision. */
gex_am_status gex_am_implied_vol(int type, double price, double S, double K, double T, double r,
                                 double q, double *sigma);

/* The volatility range the implied-volatility search covers. */
#define GEX_AM_IV_MIN_SIGMA 1e-4
#define GEX_AM_IV_MAX_SIGMA 20.0

/* Exercise style of an option. */
typedef enum gex_exercise {
    GEX_EXERCISE_AUTO = 0, /* decided by the root (gex_exercise_for_root) */
    GEX_EXERCISE_EUROPEAN,
    GEX_EXERCISE_AMERICAN
} gex_exercise;

/* The exercise style of a root: european for the cash-settled, European-style index options
 * listed on Cboe (SPX, SPXW, SPXPM, XSP, NDX, NDXP, XND, RUT, RUTW, MRUT, VIX, VIXW, DJX, XEO,
 * MXEA, MXEF, and the other roots in src/american-exercise.c), american for everything else
 * (single stocks, ETFs and their weeklies, and OEX, the American-style S&P 100 index option).
 * The root is compared ignoring case, after one leading '^' or '$' (Yahoo's ^SPX, $SPX). When
 * override is not GEX_EXERCISE_AUTO it is returned as it is (--exercise). A NULL or empty root
 * with GEX_EXERCISE_AUTO gives GEX_EXERCISE_AMERICAN. */
gex_exercise gex_exercise_for_root(const char *root, gex_exercise override);

/* The exercise style of root (an index of gex_chain_symbol) in chain: override when it is not
 * GEX_EXERCISE_AUTO; european for every root of a chain whose venue lists European-style
 * options only (gex_chain_venue_european: Deribit, NSE); else gex_exercise_for_root's answer
 * for the root's name. */
gex_exercise gex_exercise_for_chain(const gex_chain *chain, uint32_t root, gex_exercise override);

/* Parses an exercise style as a user writes it: "auto", "european" or "american" (also "eu",
 * "am"), ignoring case. Returns GEX_OK (0) and writes *out, or GEX_EINVAL (gex/error.h) for a
 * NULL argument or another word, leaving *out untouched. */
int gex_exercise_parse(const char *text, gex_exercise *out);

/* "auto", "european" or "american"; "unknown" for a value out of range. Static string. */
const char *gex_exercise_name(gex_exercise style);

#ifdef __cplusplus
}
#endif

#endif /* GEX_AMERICAN_H */
