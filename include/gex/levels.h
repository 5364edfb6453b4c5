/*
 * gex/levels.h: the gamma flip, walls, extremes and the 0DTE magnet (SPEC 1.6). The repriced
 * GEX profile P(x) is gex/profile.h's; the regime, hedging estimate and 0DTE block are
 * gex/regime.h's.
 *
 * Every level is a strike (or, for the flip, a price) in the underlying's currency, or absent
 * (has = 0, JSON null): gex never prints a sentinel number for a level that does not exist.
 *
 * Ties (SPEC 1.6): when several strikes share the extreme value, the one nearest the spot wins,
 * then the lower strike.
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

/* "profile", "strike" (NULL for an unknown value); and the parser (GEX_OK or GEX_EINVAL). */
const char *gex_flip_method_name(int method);
int gex_flip_method_parse(const char *name, gex_flip_method *method);

/* The profile flip's search interval [GEX_FLIP_LOWER S, GEX_FLIP_UPPER S] and the Brent
 * solver's tolerance |dx| <= GEX_FLIP_XTOL S (SPEC 1.6). */
#define GEX_FLIP_LOWER 0.5
#define GEX_FLIP_UPPER 1.5
#define GEX_FLIP_XTOL  1e-9

/* The first cut of the profile flip's interval: 2 GEX_FLIP_GRID_HALF + 1 points x = S (1 + u_j),
 * u_j = sign(j) (GEX_FLIP_UPPER - 1) (j / GEX_FLIP_GRID_HALF)^2, j = -half..half, 0.26% of S
 * apart next to the spot and 6.9% at the ends. Each of its cells is then halved until it is
 * proven to keep one sign or to hold at most one zero (SPEC 1.6), so no pair of zeros is missed
 * however close (down to GEX_FLIP_XTOL). */
#define GEX_FLIP_GRID_HALF 14

/* The solver's iteration cap: Brent's method converges superlinearly on the smooth P and falls
 * back to bisection otherwise, which needs log2(0.07 / 1e-9) < 27 steps from the widest cell;
 * a cap far above that only guards against a non-terminating loop. */
#define GEX_FLIP_MAX_ITER 200

typedef struct gex_levels {
    gex_level gamma_flip;
    gex_level max_positive_gamma; /* strike of the largest net_gex > 0 */
    gex_level max_negative_gamma; /* strike of the most negative net_gex < 0 */
    gex_level call_wall;          /* strike of the largest call_gex > 0 */
    gex_level put_wall;           /* strike of the largest |put_gex| > 0 */
    gex_level highest_oi_strike;  /* strike of the largest call_oi + put_oi > 0 */
    gex_level zero_dte_magnet;    /* strike of the largest |net_gex| > 0 of the 0DTE contracts */
    /* gex's own, for traders who read the walls as resistance and support: */
    gex_level resistance;        /* strike >= spot of the largest call_gex > 0 */
    gex_level support;           /* strike <= spot of the largest |put_gex| > 0 (the vendor's put
                                    wall, on its own examples) */
    gex_level abs_gamma_strike;  /* strike of the largest call_gex + |put_gex| > 0 (SpotGamma's
                                    absolute-gamma strike) */
    gex_flip_method flip_method; /* how gamma_flip was found */
    size_t flip_evaluations;     /* evaluations of P(x) and cell bounds, each one pass over the
                                    book (profile method; 0 for strike) */
    size_t flip_sign_changes;    /* sign changes found: of P in the part of the interval the
                                    search resolved (profile), or of the per-strike net_gex
                                    (strike) */
} gex_levels;

/* Every level of SPEC 1.6 for an exposure (whose chain, gex_exposure_chain, gives the
 * contracts of the profile flip). The walls, extremes and highest open interest come from the
 * exposure's per-strike rows; the magnet from its 0DTE expiration; the flip by method. Returns
 * GEX_OK and fills *out, GEX_EINVAL (NULL, an unknown method), GEX_ENOMEM, GEX_ERANGE when P is not
 * representable somewhere in the search interval, or GEX_ENOCONV when Brent's solver did not
 * converge within GEX_FLIP_MAX_ITER iterations (never seen on a finite P).
 * Safe whatever GSL error handler the caller has installed, GSL's default (which calls abort())
 * included: the solver is never given what would reach that handler (a failed allocation, a
 * bracket without a sign change, a value of P that is not finite: those are the statuses above),
 * and the library never calls gsl_set_error_handler. */
int gex_levels_compute(const gex_exposure *exposure, gex_flip_method method, gex_levels *out);

/* The profile flip alone (SPEC 1.6, method profile): the cells of the grid above are resolved
 * outward from the spot, each halved until a bound proves it keeps one sign or holds at most one
 * zero (Taylor's theorem on ln x with an exact per-term bound of |P''|, and interval bounds of
 * the positive and negative parts), so every sign change of P in the resolved part is a bracket;
 * a bracket that can hold a zero nearer than the best so far is polished with
 * gsl_root_fsolver_brent to |dx| <= GEX_FLIP_XTOL S (a point where P is exactly 0 between
 * values of opposite signs is itself the zero). The search stops when no unresolved cell can
 * hold a nearer zero. flip->has = 0 when P has no sign change in
 * [GEX_FLIP_LOWER S, GEX_FLIP_UPPER S] (an empty exposure included). evaluations (passes over
 * the book: values of P and cell bounds) and sign_changes (in the resolved part) may be NULL.
 * Statuses as gex_levels_compute, and as safe under any GSL error handler (GSL's aborting
 * default included; none is set). */
int gex_levels_flip_profile(const gex_exposure *exposure, gex_level *flip, size_t *evaluations,
                            size_t *sign_changes);

/* The vendor's per-strike method on a plain table (SPEC 1.6, method strike): strikes ascending,
 * rows whose net_gex is exactly 0 carry no sign and are skipped; each change of sign between
 * consecutive remaining rows k1, k2 gives the zero k1 + (k2 - k1) (-g1 / (g2 - g1)); the zero
 * nearest spot wins (then the lower one). flip->has = 0 when there is no sign change.
 * sign_changes (may be NULL) receives their number. Returns GEX_OK, or GEX_EINVAL (NULL with
 * n > 0, spot not > 0 and finite, strikes not strictly ascending, a value not finite). */
int gex_levels_flip_strike(const double *strike, const double *net_gex, size_t n, double spot,
                           gex_level *flip, size_t *sign_changes);

/* The levels that follow from a per-strike table alone (walls, extremes, highest open interest,
 * and the strike-method flip); the magnet is left has = 0 and flip_evaluations 0. Rows ascending
 * by strike. Used on vendor tables by validate. Statuses as gex_levels_flip_strike. */
int gex_levels_from_rows(const gex_strike_row *rows, size_t n, double spot, gex_levels *out);

#ifdef __cplusplus
}
#endif

#endif /* GEX_LEVELS_H */
