/*
 * Generalized Black-Scholes-Merton price and greeks of one contract (SPEC 1.3).
 *
 * Formulas: Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007), sec. 1.1.6
 * (generalized BSM with cost of carry b = r - q) and sec. 2.1 (delta, gamma, vega, vanna, charm,
 * theta). Tail probabilities use erfc (A&S 26.2.29) so that N(d) keeps relative accuracy far in
 * the tails. The price is the out-of-the-money price from the normalised Black function
 * (src/bs-iv.c, Jaeckel 2015), plus the discounted intrinsic value for an in-the-money contract
 * (put-call parity): the direct formula S e^{-qT} N(d1) - K e^{-rT} N(d2) cancels to nothing for
 * a far out-of-the-money contract.
 */
#include "gex/bs.h"

#include <math.h>

#include "bs-internal.h"

/* The price from the normalised Black function, with put-call parity for the in-the-money side.
 * F = S e^{(r-q)T}, x = ln(F/K), b = out-of-the-money normalised price; undiscounted OTM price
 * = sqrt(F K) b (Jaeckel 2015, eq. (1.5)-(1.6)). */
static double price_from_normalised(int type, double S, double K, double T, double sigma, double r,
                                    double q)
{
    const double x = log(S / K) + (r - q) * T;
    const double s = sigma * sqrt(T);
    const double b = gex__bs_normalised_otm(-fabs(x), s);
    /* sqrt(F K) e^{-rT} = sqrt(S K) e^{-(r+q)T/2}. */
    const double otm = sqrt(S) * sqrt(K) * exp(-0.5 * (r + q) * T) * b;
    const bool call_itm = x > 0;
    const bool itm = (type == GEX_CALL) == call_itm;
    if (!itm || x == 0)
        return otm;
    const double fwd_intrinsic = S * exp(-q * T) - K * exp(-r * T); /* call minus put */
    return type == GEX_CALL ? otm + fwd_intrinsic : otm - fwd_intrinsic;
}

int gex_bs_price(int type, double S, double K, double T, double sigma, double r, double q,
                 double *price)
{
    if (price == NULL || !gex__bs_inputs_ok(type, S, K, T, sigma, r, q))
        return GEX_BS_BAD_INPUT;
    const double p = price_from_normalised(type, S, K, T, sigma, r, q);
    if (!isfinite(p))
        return GEX_BS_OVERFLOW;
    *price = p < 0 ? 0 : p; /* rounding of the parity sum can leave -1 ulp of the strike */
    return GEX_BS_OK;
}

/* The five exposure greeks, shared by gex_bs_exposure_greeks and gex_bs_greeks; the batch path
 * (src/bs-batch.c) runs the same operations in the same order. Also returns e^{-qT} n(d1),
 * N(sgn d1), d2 and sqrt(T) for theta. */
typedef struct core {
    double dq, dq_nd1, n_sd1, d2, sqrt_t, sgn;
} core;

static void exposure_core(int type, double S, double K, double T, double sigma, double r, double q,
                          gex_greeks *g, core *c)
{
    const double sqrt_t = sqrt(T);
    const double v = sigma * sqrt_t;
    /* Two divisions in all: 1/(S v) gives 1/v = S/(S v), 1/sigma = sqrt(T)/v and
     * 1/T = (sigma/v)^2 (divisions dominate the cost of the vectorised batch, which runs these
     * same operations). */
    const double inv_sv = 1 / (S * v);
    const double inv_v = S * inv_sv;
    const double inv_sqrt_t = sigma * inv_v;
    /* d1 = (ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt T); d2 = d1 - sigma sqrt T. */
    const double m = (log(S / K) + (r - q) * T) * inv_v;
    const double d1 = m + 0.5 * v;
    const double d2 = m - 0.5 * v;
    const double dq = exp(-q * T);
    const double nd1 = gex__bs_npdf(d1);
    const double dq_nd1 = dq * nd1;
    /* N(d1) for a call, N(-d1) for a put: each from its own erfc, never 1 - N. */
    const double sgn = type == GEX_CALL ? 1.0 : -1.0;
    const double n_sd1 = gex__bs_ncdf(sgn * d1);
    g->delta = sgn * dq * n_sd1;                /* Haug 2.1.1 */
    g->gamma = dq_nd1 * inv_sv;                 /* Haug 2.1.3 */
    g->vega = S * dq_nd1 * sqrt_t;              /* Haug 2.1.5 */
    g->vanna = -dq_nd1 * d2 * (sqrt_t * inv_v); /* Haug 2.1.2 (DdeltaDvol): / sigma */
    /* Haug 2.1.1 (charm), t = -T: (2(r-q)T - d2 sigma sqrt T) / (2 T sigma sqrt T)
     * = (r - q)/v - d2/(2T). */
    const double drift = dq_nd1 * ((r - q) * inv_v - 0.5 * d2 * (inv_sqrt_t * inv_sqrt_t));
    g->charm = sgn * q * dq * n_sd1 - drift;
    *c = (core){dq, dq_nd1, n_sd1, d2, sqrt_t, sgn};
}

static bool exposure_finite(const gex_greeks *g)
{
    return isfinite(g->delta) && isfinite(g->gamma) && isfinite(g->vega) && isfinite(g->vanna) &&
           isfinite(g->charm);
}

int gex_bs_exposure_greeks(int type, double S, double K, double T, double sigma, double r, double q,
                           gex_greeks *out)
{
    if (out == NULL || !gex__bs_inputs_ok(type, S, K, T, sigma, r, q))
        return GEX_BS_BAD_INPUT;
    gex_greeks g;
    core c;
    exposure_core(type, S, K, T, sigma, r, q, &g, &c);
    if (!exposure_finite(&g))
        return GEX_BS_OVERFLOW;
    out->delta = g.delta;
    out->gamma = g.gamma;
    out->vega = g.vega;
    out->vanna = g.vanna;
    out->charm = g.charm;
    return GEX_BS_OK;
}

int gex_bs_greeks(int type, double S, double K, double T, double sigma, double r, double q,
                  gex_greeks *out)
{
    if (out == NULL || !gex__bs_inputs_ok(type, S, K, T, sigma, r, q))
        return GEX_BS_BAD_INPUT;
    gex_greeks g;
    core c;
    exposure_core(type, S, K, T, sigma, r, q, &g, &c);
    const double dr = exp(-r * T);
    const double n_sd2 = gex__bs_ncdf(c.sgn * c.d2);
    /* Haug 2.1.6, per year of time passing. */
    g.theta = -S * c.dq_nd1 * sigma / (2 * c.sqrt_t) +
              c.sgn * (q * S * c.dq * c.n_sd1 - r * K * dr * n_sd2);
    g.price = price_from_normalised(type, S, K, T, sigma, r, q);
    if (g.price < 0)
        g.price = 0;
    if (!exposure_finite(&g) || !isfinite(g.price) || !isfinite(g.theta))
        return GEX_BS_OVERFLOW;
    *out = g;
    return GEX_BS_OK;
}
