/*
 * gex/analysis.h: one underlying's analysis, built once from a prepared chain: the exposures
 * (whole chain and per expiration), the levels, the regime, the 0DTE block and the counts of
 * used, filtered and excluded contracts; the profile P(x) and the hedging estimate on demand.
 *
 * Every later stage takes an analysis: the documents, tables and charts render one, the server
 * caches them. The carry (r, q) is each contract's, fixed by gex_chain_prepare (gex_chain_view
 * r and q; gex_analysis_carry gives the flat --rate and --div); the filters and the unit are
 * the analysis options' (gex/exposure.h defines them once).
 *
 * An analysis is immutable once built, so any number of threads may read one at once.
 */
#ifndef GEX_ANALYSIS_H
#define GEX_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "gex/chain.h"
#include "gex/error.h"
#include "gex/exposure.h"
#include "gex/levels.h"
#include "gex/profile.h"
#include "gex/regime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gex_analysis gex_analysis;

typedef struct gex_analysis_options {
    gex_exposure_options exposure; /* unit and contract filters */
    gex_flip_method flip_method;   /* how the gamma flip is found (SPEC 1.6) */
    /* Non-zero: the exposures only, for a caller that shows none of the levels, the regime or
     * the 0DTE block (a per-contract greeks listing, the expirations or the carry): the levels
     * (the profile flip's search above all), the regime and the 0DTE block are not computed,
     * and gex_analysis_levels, gex_analysis_regime and gex_analysis_zero_dte return NULL.
     * 0 (the default): everything. */
    int skip_levels;
} gex_analysis_options;

/* Unit pct, no filters, the profile flip, the levels computed. */
void gex_analysis_options_default(gex_analysis_options *options);

/* Builds the analysis of a prepared chain holding one underlying (gex_chain_prepare, then
 * gex_chain_select or gex_chain_extract for a file of several), with options (NULL: the
 * defaults). The analysis borrows chain: keep it alive and unmodified until the analysis is
 * freed (several analyses, with other filters, may share one chain).
 *
 * An analysis whose filters leave no contract is still built (gex_analysis_totals says
 * used == 0); it then has no levels (every level absent), the regime is 0 and there is no 0DTE
 * block: whether that is an error is the caller's choice.
 *
 * Returns GEX_OK and a new *out, or a status with *out NULL and err (may be NULL) saying what
 * failed, prefixed with the underlying ("SPX: computing the levels failed: ..."):
 *   GEX_EEMPTY  a chain without contracts;
 *   GEX_EINVAL  NULL arguments, a chain of several underlyings, not prepared, without a spot,
 *               or options out of their domain (gex_exposure_compute), err naming which and
 *               what to do ("SPX: the chain is not prepared: call gex_chain_prepare first");
 *   GEX_ERANGE, GEX_ENOCONV  the levels could not be computed (gex_levels_compute);
 *   GEX_ENOMEM. */
int gex_analysis_new(const gex_chain *chain, const gex_analysis_options *options,
                     gex_analysis **out, gex_error *err);

/* Frees. Accepts NULL. The chain is not the analysis's to free. */
void gex_analysis_free(gex_analysis *analysis);

/* What it was built from and with: the chain, the exposure (per contract, per strike, per
 * expiration: gex/exposure.h), the options (the expirations list is the exposure's copy). */
const gex_chain *gex_analysis_chain(const gex_analysis *analysis);
const gex_exposure *gex_analysis_exposure(const gex_analysis *analysis);
const gex_analysis_options *gex_analysis_get_options(const gex_analysis *analysis);

/* The underlying's name (owned by the chain), the spot, the quote instant T was measured from
 * (UTC seconds) and the chain's carry. */
const char *gex_analysis_symbol(const gex_analysis *analysis);
double gex_analysis_spot(const gex_analysis *analysis);
int64_t gex_analysis_quote_time(const gex_analysis *analysis);
void gex_analysis_carry(const gex_analysis *analysis, double *rate, double *div);

/* The totals and counts (contracts = used + filtered + sum of excluded). */
const gex_exposure_totals *gex_analysis_totals(const gex_analysis *analysis);

/* The levels (SPEC 1.6), by the options' flip method; NULL when no contract was used or the
 * options' skip_levels was set. */
const gex_levels *gex_analysis_levels(const gex_analysis *analysis);

/* The classifier (SPEC 1.7) of the net GEX, net VEX and the flip; NULL under skip_levels. */
const gex_regime *gex_analysis_regime(const gex_analysis *analysis);

/* The 0DTE block (gex/levels.h); has = 0 when no used contract expires on the quote date; NULL
 * under skip_levels. */
const gex_zero_dte *gex_analysis_zero_dte(const gex_analysis *analysis);

/* On demand, each call computing anew (they revalue every used contract, which the commands
 * that do not show them should not pay for): the dealer hedging estimate for -1% and +1%
 * (gex_hedging_estimate), and P(x) at caller-chosen spots (gex_profile_eval) or on a uniform
 * grid (gex_profile_grid). Statuses as those functions'. */
int gex_analysis_hedging(const gex_analysis *analysis, gex_hedge *down, gex_hedge *up);
int gex_analysis_profile(const gex_analysis *analysis, const double *x, size_t n, double *p);
int gex_analysis_profile_grid(const gex_analysis *analysis, double x_min, double x_max, size_t n,
                              double *x, double *p);

#ifdef __cplusplus
}
#endif

#endif /* GEX_ANALYSIS_H */
