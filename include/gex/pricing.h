/*
 * gex/pricing.h: option pricing utilities that need no chain: every Black-Scholes-Merton greek
 * up to the third order, and the Kelly fraction of a long option position (SPEC 5.4).
 *
 * Model and inputs as gex/bs.h: a European option on an underlying paying a continuous yield
 * q, continuously compounded rate r, S spot > 0, K strike > 0, T years > 0, sigma > 0, all
 * finite. Every value is per share, in natural units (per 1.00 of volatility, per 1.00 of
 * rate, per year); the vendor's display units (per vol point, per day) are the caller's to
 * apply (src/render/api-pricing.c does).
 */
#ifndef GEX_PRICING_H
#define GEX_PRICING_H

#include "gex/bs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every greek of one contract. Formulas: Haug, "The Complete Guide to Option Pricing
 * Formulas", 2nd ed. (2007), ch. 2 (generalized BSM, cost of carry b = r - q). */
typedef struct gex_greeks_full {
    gex_greeks bs;     /* price, delta, gamma, vega, vanna, charm, theta: gex/bs.h's units */
    double rho;        /* d(price)/dr, per 1.00 of rate */
    double dual_delta; /* d(price)/dK */
    double vomma;      /* d(vega)/d(sigma), per 1.00 of volatility */
    double veta;       /* d(vega)/dT, T time to expiry growing, per year */
    double speed;      /* d(gamma)/dS */
    double zomma;      /* d(gamma)/d(sigma), per 1.00 of volatility */
    double color;      /* d(gamma)/dT, T time to expiry growing, per year */
    double ultima;     /* d(vomma)/d(sigma), per 1.00 of volatility */
    double lambda;     /* delta S / price, the elasticity; 0 with has_lambda 0 when price is 0 */
    int has_lambda;
} gex_greeks_full;

/* Every greek of one contract. type is GEX_CALL or GEX_PUT. Returns GEX_OK (gex/error.h) and
 * fills *out, or leaves *out untouched and returns GEX_EINVAL (inputs as gex_bs_greeks takes
 * them, or a NULL out) or GEX_ERANGE (a greek not representable), as gex_pricing_kelly does. */
int gex_pricing_greeks(int type, double S, double K, double T, double sigma, double r, double q,
                       gex_greeks_full *out);

/* Kelly sizing of a long option bought at premium, under a real-world drift mu: the terminal
 * spot is lognormal, S_T = S exp((mu - q - sigma^2 / 2) T + sigma sqrt(T) Z). */
typedef struct gex_kelly_in {
    int type; /* GEX_CALL or GEX_PUT */
    double S, K, T, sigma;
    double premium; /* paid per share, > 0 */
    double mu;      /* the buyer's expected annual return of the underlying, finite */
    double q;       /* dividend yield */
} gex_kelly_in;

/* The midpoint rule's cells over Z in [-GEX_KELLY_Z_MAX, GEX_KELLY_Z_MAX]: the vendor's
 * published method ("2000 steps over +-6 sigma"), whose figures this reproduces (its example
 * to all 6 printed digits of the fraction and the growth rate; tests/test-pricing.c). */
#define GEX_KELLY_STEPS 2000
#define GEX_KELLY_Z_MAX 6.0

typedef struct gex_kelly_out {
    double fraction;        /* f in [0, 1] maximising E[log(1 + f R)], R = payoff / premium - 1;
                               0 when E[R] <= 0 */
    double growth_rate;     /* E[log(1 + f R)] at that f (per position held to expiry) */
    double expected_payoff; /* E[payoff at expiry] per share, undiscounted, by the midpoint
                               rule (as the vendor: its ROI's last digit shows it) */
    double probability_itm; /* P(S_T > K) for a call, P(S_T < K) for a put (closed form) */
    double probability_of_profit; /* P(payoff > premium) (closed form) */
    double breakeven;             /* K + premium (call), K - premium (put) */
} gex_kelly_out;

/* Fills *out. Returns GEX_OK, or GEX_EINVAL (out untouched) when an input is out of its domain
 * (S, K, T, sigma, premium not > 0 and finite, mu or q not finite, bad type) or NULL, or
 * GEX_ERANGE when a result is not finite. The
 * expectations over Z use the midpoint rule above; the maximiser is found by bisection on the
 * derivative of the concave objective, to 1e-12 in f. */
int gex_pricing_kelly(const gex_kelly_in *in, gex_kelly_out *out);

#ifdef __cplusplus
}
#endif

#endif /* GEX_PRICING_H */
