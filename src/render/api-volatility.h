/*
 * api-volatility.h: what the volatility family of the API (api-volatility.c) and max pain
 * (api-maxpain.c) read from one analysis: per expiration, the forward, the at-the-money
 * straddle and implied volatility, the out-of-the-money smile in log-moneyness and its SVI fit
 * (SPEC 5.3). Internal to the rendering layer.
 */
#ifndef GEX_RENDER_API_VOLATILITY_H
#define GEX_RENDER_API_VOLATILITY_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "gex/svi.h"

/* One expiration of the contracts the request's filters keep (not expired). */
typedef struct gex__vol_slice {
    int32_t expiration; /* days since 1970-01-01 */
    int dte;            /* calendar days from the quote date (New York) */
    double T;           /* years to settlement (SPEC 1.1), of its contracts */
    double rate, div;   /* its contracts' carry (the parity fit's, SPEC 1.2, or the flat one) */
    double forward;     /* S e^{(r - q) T}, the carry the IVs were solved with */
    /* The straddle: the listed strike nearest the forward where the call and the put both
     * have a two-sided quote (bid > 0, ask >= bid), their mids and their sum; NAN without. */
    double atm_strike, call_mid, put_mid, straddle;
    /* ATM IV (a fraction): the out-of-the-money smile interpolated linearly in k at k = 0
     * (the nearest point when k = 0 is outside it); NAN without a point. */
    double atm_iv;
    size_t first, n; /* its smile points in the chain's arrays: within 6 standard deviations
                        (atm_iv sqrt(T)) of the forward in log-moneyness */
    /* The SVI fit (fit_status GEX_OK) or why not (GEX_EEMPTY: fewer than GEX_SVI_MIN_POINTS). */
    int fit_status;
    gex_svi_fit fit;
} gex__vol_slice;

typedef struct gex__vol_chain {
    size_t n;
    gex__vol_slice *slice; /* ascending expiration */
    /* The smile points, by slice, ascending k: out-of-the-money contracts (calls at K >= F,
     * puts below) with an implied volatility (status ok). */
    double *k, *iv, *strike;
    size_t points;
    double spot;
    int32_t quote_date;
} gex__vol_chain;

/* Collects the slices of an analysis (fit non-zero: and fits SVI to each). GEX_OK or
 * GEX_ENOMEM. */
int gex__vol_collect(const gex__analysis *a, int fit, gex__vol_chain *out);
void gex__vol_free(gex__vol_chain *c);

/* Whether contract i of the analysis's chain is one the request asked for: kept by the
 * analysis's filters (the exposure's kept marks, --max-delta included) and not expired. */
int gex__vol_keeps(const gex__analysis *a, const gex_chain_view *v, size_t i);

/* A number, or null where the value does not exist (NAN): never a non-finite number. */
json_t *gex__vol_num(double v);

/* Completes document d of analysis a: meta (gex__doc_complete), with "gex_own" the
 * comma-separated names of the fields whose formula is gex's own (NULL: none). st: whether
 * building d failed. NULL with ans set (500) when memory ran out. */
json_t *gex__vol_finish(const gex__analysis *a, json_t *d, int st, const char *own,
                        gex__api_answer *ans);

/* The builders of this part (SPEC 5.3). */
json_t *gex__api_maxpain(const gex__api_input *in, gex__api_answer *ans);
/* The max pain strike of every kept contract of a (all expirations), as /v1/maxpain answers it;
 * NAN when no contract is kept or memory ran out. */
double gex__api_maxpain_strike(const gex__analysis *a);
json_t *gex__api_expected_move(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_skew_term(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_surface(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_surface_svi(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_adv_volatility(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_liquidity(const gex__api_input *in, gex__api_answer *ans);

#endif /* GEX_RENDER_API_VOLATILITY_H */
