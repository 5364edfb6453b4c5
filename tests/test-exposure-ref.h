/*
 * An independent reference for the exposure and levels tests: the greeks of SPEC 1.3 written
 * out directly from the generalized Black-Scholes-Merton formulas (Haug, "The Complete Guide to
 * Option Pricing Formulas", 2nd ed., 2007, sections 1.1 and 2.2; N through erfc, Abramowitz and
 * Stegun 26.2.29), one contract at a time, sharing no code with src/; and small hand-built
 * chains.
 */
#ifndef GEX_TEST_EXPOSURE_REF_H
#define GEX_TEST_EXPOSURE_REF_H

#include <math.h>

#include "gex/bs.h"
#include "gex/chain.h"
#include "gex/exposure.h"
#include "gex/time.h"

typedef struct ref_greeks {
    double delta, gamma, vanna, charm;
} ref_greeks;

static inline double ref_ncdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

static inline double ref_npdf(double x)
{
    return exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
}

static inline ref_greeks ref_bs(int type, double S, double K, double T, double sigma, double r,
                                double q)
{
    const double sq = sigma * sqrt(T);
    const double d1 = (log(S / K) + (r - q + 0.5 * sigma * sigma) * T) / sq;
    const double d2 = d1 - sq;
    const double dq = exp(-q * T), nd1 = ref_npdf(d1);
    ref_greeks g;
    const double charm_common = dq * nd1 * (2.0 * (r - q) * T - d2 * sq) / (2.0 * T * sq);
    if (type == GEX_CALL) {
        g.delta = dq * ref_ncdf(d1);
        g.charm = q * dq * ref_ncdf(d1) - charm_common;
    } else {
        g.delta = -dq * ref_ncdf(-d1);
        g.charm = -q * dq * ref_ncdf(-d1) - charm_common;
    }
    g.gamma = dq * nd1 / (S * sq);
    g.vanna = -dq * nd1 * d2 / sigma;
    return g;
}

/* SPEC 1.2 defaults, used by every test chain. */
#define REF_RATE 0.045
#define REF_DIV  0.013

typedef struct ref_contract {
    int32_t expiration; /* days since 1970-01-01 */
    double strike;
    int type;
    double iv, oi, volume; /* iv NAN: no IV (and no quote) */
} ref_contract;

/* A prepared chain of one underlying ("SPX" root "SPXW", PM-settled) at spot and quote time,
 * or NULL on failure. */
static inline gex_chain *ref_chain(const ref_contract *c, size_t n, double spot, int64_t quote)
{
    gex_chain *chain = gex_chain_new();
    if (chain == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        gex_contract k = {.underlying = "SPX",
                          .root = "SPXW",
                          .expiration = c[i].expiration,
                          .strike = c[i].strike,
                          .type = c[i].type,
                          .bid = NAN,
                          .ask = NAN,
                          .last = NAN,
                          .iv = c[i].iv,
                          .open_interest = c[i].oi,
                          .volume = c[i].volume,
                          .multiplier = NAN,
                          .vendor_delta = NAN,
                          .vendor_gamma = NAN,
                          .line = (long)i + 2};
        if (gex_chain_add(chain, &k) != GEX_OK) {
            gex_chain_free(chain);
            return NULL;
        }
    }
    gex_chain_set_quote_time(chain, quote);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    if (gex_chain_set_spot(chain, "SPX", spot) != GEX_OK ||
        gex_chain_prepare(chain, &po, NULL, NULL) != GEX_OK) {
        gex_chain_free(chain);
        return NULL;
    }
    return chain;
}

/* The reference P(x) of SPEC 1.6 over the contracts an exposure included, in its unit; *gross
 * (may be NULL) receives the sum of the terms' magnitudes, the scale of its rounding. */
static inline double ref_profile(const gex_chain *chain, const gex_exposure *e, double x,
                                 double *gross)
{
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    gex_contract_exposures c;
    gex_exposure_get_contracts(e, &c);
    const gex_gex_unit unit = gex_exposure_get_options(e)->gex_unit;
    const double u = unit == GEX_UNIT_PCT ? x * x * 0.01 : (unit == GEX_UNIT_POINT ? x : 1.0);
    double p = 0, a = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (!c.included[i])
            continue;
        const ref_greeks g = ref_bs(v.type[i], x, v.strike[i], v.T[i], v.iv[i], REF_RATE, REF_DIV);
        const double term = g.gamma * v.open_interest[i] * v.multiplier[i] * u;
        p += v.type[i] == GEX_CALL ? term : -term;
        a += term;
    }
    if (gross != NULL)
        *gross = a;
    return p;
}

#endif /* GEX_TEST_EXPOSURE_REF_H */
