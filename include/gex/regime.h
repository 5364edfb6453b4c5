/*
 * gex/regime.h: what an exposure says about the market (SPEC 1.7): the regime classifier of
 * the seed article, the dealer hedging estimate for a 1% move, and the 0DTE block.
 */
#ifndef GEX_REGIME_H
#define GEX_REGIME_H

#include <stdint.h>

#include "gex/exposure.h"
#include "gex/levels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Regime (SPEC 1.7). Confidence thresholds on |dist_to_flip| in percent. */
#define GEX_REGIME_HIGH_PCT     2.0
#define GEX_REGIME_MODERATE_PCT 0.5

typedef struct gex_regime {
    int regime;                /* sign of net_gex: +1, -1 or 0 */
    int vanna_aligned;         /* regime positive and net_vex < 0 */
    gex_level dist_to_flip;    /* (S - flip) / S * 100; has = 0 without a flip */
    const char *confidence;    /* "high" (|dist| > 2), "moderate" (> 0.5), "low"; without a flip
                                  "high" (no flip within 50% of spot), "low" when regime is 0 */
    const char *meaning;       /* one sentence from the SPEC 1.7 table (static) */
    const char *vendor_regime; /* spot versus flip: "positive_gamma" above, "negative_gamma"
                                  below, "undetermined" without a flip or exactly on it */
} gex_regime;

/* Fills *out (which must not be NULL; flip may be NULL, meaning no flip). */
void gex_regime_classify(double spot, double net_gex, double net_vex, const gex_level *flip,
                         gex_regime *out);

/* The hedging move of SPEC 1.7 (percent of spot). */
#define GEX_HEDGE_MOVE 0.01

/* Dealer hedging for a spot move of -1% (down) and +1% (up): the dealer book is long the calls
 * and short the puts (s_i), its delta D(x) = sum_i s_i delta_i(x) OI_i M_i shares with IV, T,
 * r, q held; every included contract's delta is fully revalued at S (1 -+ 0.01), and the shares
 * to trade to stay hedged are -(D(S (1 -+ 0.01)) - D(S)). shares > 0 means dealers buy. A
 * change of D within the rounding of its two sums, 2 (n + 16) DBL_EPSILON sum_i OI_i M_i over
 * the n contracts (gex's own bound, from Higham's eq. 4.4), is no trade: shares 0, "none". */
typedef struct gex_hedge {
    double shares;
    double notional_usd;   /* |shares| * S */
    const char *direction; /* "buy" (shares > 0), "sell" (< 0) or "none" (0) */
} gex_hedge;

int gex_hedging_estimate(const gex_exposure *exposure, gex_hedge *down, gex_hedge *up);
/* The same for a move of any fraction of spot, 0 < move < 1 (the 0DTE endpoint's 10 bp, 25 bp,
 * 0.5% and 1% buckets, SPEC 5.2); gex_hedging_estimate is gex_hedging_move(.., 0.01, ..).
 * GEX_EINVAL for a move outside (0, 1) or a NULL argument. */
int gex_hedging_move(const gex_exposure *exposure, double move, gex_hedge *down, gex_hedge *up);

/* The vendor's linear estimate (its published example; SPEC 1.7): the dealers' delta changes by
 * their net gamma times the move, G = sum_i s_i gamma_i OI_i M_i shares per $1 (net GEX in
 * GEX_UNIT_SHARES), so for a move of the fraction move of S the shares to trade are
 * G * S * move when spot falls (dealers long gamma buy the dip) and -G * S * move when it rises:
 * equal and opposite, with net GEX per 1% / S at move 0.01. GEX_EINVAL for a move outside (0, 1)
 * or a NULL argument. */
int gex_hedging_linear(const gex_exposure *exposure, double move, gex_hedge *down, gex_hedge *up);

/* The 0DTE block: net GEX of the included contracts expiring on the quote date (New York), its
 * share of the gross GEX in percent, 100 * gross(0DTE) / gross(all) (gross GEX is defined in
 * gex/exposure.h; 0 when the gross is 0), and the expiration. has = 0 when no included contract
 * expires on the quote date (then the other fields are 0). */
typedef struct gex_zero_dte {
    int has;
    double net_gex;
    double pct_of_total_gex;
    int32_t expiration;
} gex_zero_dte;

int gex_zero_dte_block(const gex_exposure *exposure, gex_zero_dte *out);

#ifdef __cplusplus
}
#endif

#endif /* GEX_REGIME_H */
