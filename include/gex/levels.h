/*
 * gex/levels.h: the gamma flip, walls, extremes and the 0DTE magnet (SPEC 1.6); the repriced
 * GEX profile P(x); the regime classifier, hedging estimate and 0DTE block (SPEC 1.7).
 */
#ifndef GEX_LEVELS_H
#define GEX_LEVELS_H

#include <stddef.h>
#include <stdint.h>

#include "gex/chain.h"
#include "gex/exposure.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A level that may not exist (JSON null when has == 0). */
typedef struct gex_level {
    int has;
    double value;
} gex_level;

typedef enum gex_flip_method { GEX_FLIP_PROFILE = 0, GEX_FLIP_STRIKE } gex_flip_method;

/* "profile", "strike"; and the parser (GEX_OK or GEX_EINVAL). */
const char *gex_flip_method_name(int method);
int gex_flip_method_parse(const char *name, gex_flip_method *method);

typedef struct gex_levels {
    gex_level gamma_flip;
    gex_level max_positive_gamma;
    gex_level max_negative_gamma;
    gex_level call_wall;
    gex_level put_wall;
    gex_level highest_oi_strike;
    gex_level zero_dte_magnet;
    gex_flip_method flip_method; /* how gamma_flip was found */
    size_t flip_evaluations;     /* evaluations of P(x) (profile method) */
    size_t flip_sign_changes;    /* sign changes found in the search interval */
} gex_levels;

/* Every level of SPEC 1.6 for an exposure computed from chain (the same chain). */
int gex_levels_compute(const gex_chain *chain, const gex_exposure *exposure, gex_flip_method method,
                       gex_levels *out);

/* The vendor's per-strike method on a plain table (ascending strikes): the adjacent pair whose
 * net_gex changes sign nearest spot, linearly interpolated. has = 0 when there is none. */
int gex_levels_flip_strike(const double *strike, const double *net_gex, size_t n, double spot,
                           gex_level *flip, size_t *sign_changes);

/* The levels that follow from a per-strike table alone (walls, extremes, highest OI, and the
 * strike-method flip); the magnet is left has = 0. Used on vendor tables by validate. */
int gex_levels_from_rows(const gex_strike_row *rows, size_t n, double spot, gex_levels *out);

/* P(x): the total GEX recomputed at hypothetical spots x[0..n) (IV, T, r, q held; the S^2 or S
 * of the unit is x too), over the contracts included in exposure. Caller-owned arrays. */
int gex_profile_eval(const gex_chain *chain, const gex_exposure *exposure, const double *x,
                     size_t n, double *p);

/* Regime (SPEC 1.7). */
typedef struct gex_regime {
    int regime;                /* sign of net_gex: +1, -1 or 0 */
    int vanna_aligned;         /* regime positive and net_vex < 0 */
    gex_level dist_to_flip;    /* (S - flip) / S * 100 */
    const char *confidence;    /* "high", "moderate", "low" (static) */
    const char *meaning;       /* the seed article's sentence (static) */
    const char *vendor_regime; /* "positive_gamma", "negative_gamma", "undetermined" */
} gex_regime;

void gex_regime_classify(double spot, double net_gex, double net_vex, const gex_level *flip,
                         gex_regime *out);

/* Dealer hedging for a spot move of +-1%, by full revaluation of every included contract's
 * delta at S * (1 +- 0.01). shares > 0 means dealers buy. */
typedef struct gex_hedge {
    double shares;
    double notional_usd;   /* |shares| * S */
    const char *direction; /* "buy", "sell" or "none" */
} gex_hedge;

int gex_hedging_estimate(const gex_chain *chain, const gex_exposure *exposure, gex_hedge *down,
                         gex_hedge *up);

/* The 0DTE block: net GEX of contracts expiring on the quote date, its share of the gross GEX
 * (in percent), and the expiration (has = 0 when there are none). */
typedef struct gex_zero_dte {
    int has;
    double net_gex;
    double pct_of_total_gex;
    int32_t expiration;
} gex_zero_dte;

int gex_zero_dte_block(const gex_chain *chain, const gex_exposure *exposure, gex_zero_dte *out);

#ifdef __cplusplus
}
#endif

#endif /* GEX_LEVELS_H */
