/*
 * Generalized Black-Scholes-Merton price and greeks of one contract (SPEC 1.3).
 *
 * Formulas: Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007), sec. 1.1.6
 * (generalized BSM with cost of carry b = r - q) and sec. 2.1 (delta, gamma, vega, vanna, charm,
 * theta), in gex__bs_core_eval (src/bs-internal.h). Tail probabilities use erfc (A&S 26.2.29) so
 * that N(d) keeps relative accuracy far in the tails. The price is the out-of-the-money price from
 * the normalised Black function (src/bs-normalised.c, Jaeckel 2015), plus the discounted intrinsic
 * value for an in-the-money contract (put-call parity): the direct formula S e^{-qT} N(d1) - K
 * e^{-rT} N(d2) cancels to nothing for a far out-of-the-money contract.
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

/* The failures' names, from GEX_BS_BAD_INPUT on (gex/error.h numbers them apart). */
static const char *const bs_status_names[GEX_BS_STATUS_END - GEX_BS_BAD_INPUT] = {
    [GEX_BS_BAD_INPUT - GEX_BS_BAD_INPUT] = "bad input",
    [GEX_BS_OVERFLOW - GEX_BS_BAD_INPUT] = "overflow",
};

const char *gex_bs_strstatus(gex_bs_status status)
{
    if (status == GEX_BS_OK)
        return "ok";
    /* Unsigned: a value below the first failure (a gex_status code, a negative int) is out of
     * range too. */
    if ((unsigned)status - GEX_BS_BAD_INPUT >= GEX_BS_STATUS_END - GEX_BS_BAD_INPUT)
        return "unknown status";
    return bs_status_names[status - GEX_BS_BAD_INPUT];
}

gex_bs_status gex_bs_price(int type, double S, double K, double T, double sigma, double r, double q,
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

static bool exposure_finite(const gex_greeks *g)
{
    return isfinite(g->delta) && isfinite(g->gamma) && isfinite(g->vega) && isfinite(g->vanna) &&
           isfinite(g->charm);
}

gex_bs_status gex_bs_exposure_greeks(int type, double S, double K, double T, double sigma, double r,
                                     double q, gex_greeks *out)
{
    if (out == NULL || !gex__bs_inputs_ok(type, S, K, T, sigma, r, q))
        return GEX_BS_BAD_INPUT;
    const gex__bs_core c = gex__bs_core_eval(S, K, T, sigma, r, q, type == GEX_CALL ? 1.0 : -1.0);
    const gex_greeks g = {0, c.delta, c.gamma, c.vega, c.vanna, c.charm, 0};
    if (!exposure_finite(&g))
        return GEX_BS_OVERFLOW;
    out->delta = g.delta;
    out->gamma = g.gamma;
    out->vega = g.vega;
    out->vanna = g.vanna;
    out->charm = g.charm;
    return GEX_BS_OK;
}

gex_bs_status gex_bs_greeks(int type, double S, double K, double T, double sigma, double r,
                            double q, gex_greeks *out)
{
    if (out == NULL || !gex__bs_inputs_ok(type, S, K, T, sigma, r, q))
        return GEX_BS_BAD_INPUT;
    const double sgn = type == GEX_CALL ? 1.0 : -1.0;
    const gex__bs_core c = gex__bs_core_eval(S, K, T, sigma, r, q, sgn);
    gex_greeks g = {0, c.delta, c.gamma, c.vega, c.vanna, c.charm, 0};
    const double dr = exp(-r * T);
    const double n_sd2 = gex__bs_ncdf(sgn * c.d2);
    /* Haug 2.1.6, per year of time passing. */
    g.theta = -S * c.dq_nd1 * sigma / (2 * c.sqrt_t) +
              sgn * (q * S * c.dq * c.n_sd1 - r * K * dr * n_sd2);
    g.price = price_from_normalised(type, S, K, T, sigma, r, q);
    if (g.price < 0)
        g.price = 0;
    if (!exposure_finite(&g) || !isfinite(g.price) || !isfinite(g.theta))
        return GEX_BS_OVERFLOW;
    *out = g;
    return GEX_BS_OK;
}
