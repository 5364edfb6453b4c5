/*
 * gex/profile.h: the GEX profile P(x), the total GEX of an exposure repriced at hypothetical
 * spots (SPEC 1.6): the curve whose zero crossing is the profile gamma flip (gex/levels.h).
 */
#ifndef GEX_PROFILE_H
#define GEX_PROFILE_H

#include <stddef.h>

#include "gex/exposure.h"
#include "gex/levels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* P(x): the total GEX in the exposure's unit recomputed at hypothetical spots x[0..n), with IV,
 * T, r and q held and the S^2 (pct) or S (point) of the unit taken as x too, over the contracts
 * included in exposure:
 *   P(x) = sum_i s_i gamma_i(x) OI_i M_i u(x),  u(x) = 0.01 x^2, x or 1.
 * x and p are caller-owned arrays of n; x[i] must be > 0 and finite. Returns GEX_OK, GEX_EINVAL
 * (NULL, a bad x), GEX_ENOMEM or GEX_ERANGE (a value not
 * representable). P of an exposure with no contract is 0 everywhere. The gamma of each contract
 * is evaluated by a kernel specialised for a fixed book at many spots (src/profile.c), equal to
 * gex_bs_greeks's gamma within a few ulps. */
int gex_profile_eval(const gex_exposure *exposure, const double *x, size_t n, double *p);

/* The default number of points of a profile for charts and the `profile` command: 201 points
 * over the flip's search interval, a step of 0.5% of the spot. */
#define GEX_PROFILE_POINTS 201

/* The spots of a uniform grid, the one every profile of gex uses (the profile command's and
 * document's, charts', the Python package's): n >= 2 points from x_min to x_max inclusive,
 * x[i] = x_min + (x_max - x_min) i / (n - 1) for every i, so x[n - 1] is x_max within an ulp
 * (exactly when x_max <= 2 x_min: the span is then exact, Sterbenz's lemma). Returns GEX_OK,
 * or GEX_EINVAL (x NULL, n < 2, 0 < x_min < x_max violated or not finite). */
int gex_profile_spots(double x_min, double x_max, size_t n, double *x);

/* The profile on a uniform grid: the n spots of gex_profile_spots written to x[], P at them to
 * p[]. x_min = x_max = 0 means the flip's search interval [GEX_FLIP_LOWER S, GEX_FLIP_UPPER S].
 * Returns GEX_OK, GEX_EINVAL (n < 2, 0 < x_min < x_max violated) or GEX_ENOMEM. */
int gex_profile_grid(const gex_exposure *exposure, double x_min, double x_max, size_t n, double *x,
                     double *p);

/* The measures a profile can reprice. */
typedef enum gex_profile_measure {
    GEX_PROFILE_GEX = 0, /* P(x) above, in the exposure's GEX unit */
    GEX_PROFILE_DEX,     /* sum delta_i(x) OI_i M_i x: USD delta notional (SPEC 1.5, no s) */
    GEX_PROFILE_VEX,     /* sum s_i vanna_i(x) OI_i M_i x 0.01: USD of delta per vol point */
    GEX_PROFILE_CHEX,    /* sum s_i charm_i(x) OI_i M_i x / 365: USD of delta per day */
} gex_profile_measure;

/* The net DEX, VEX or CHEX of the exposure's contracts recomputed at hypothetical spots x, as
 * gex_profile_eval does for GEX (IV, T, r, q held; the spot of the unit is x too), so that the
 * value at the spot is the exposure's net total. GEX_PROFILE_GEX is gex_profile_eval. Greeks
 * from the vectorised batch (gex_bs_greeks_batch). Statuses as gex_profile_eval's. */
int gex_profile_eval_measure(const gex_exposure *exposure, gex_profile_measure measure,
                             const double *x, size_t n, double *p);

/* The number of gex_profile_measure values. */
#define GEX_PROFILE_MEASURES 4

/* Every measure at once: p[m] receives the n values of measure m where p[m] is not NULL, the
 * same values gex_profile_eval_measure gives one measure at a time; DEX, VEX and CHEX come
 * from one batch of greeks per point, where one call per measure computes it three times.
 * Statuses as gex_profile_eval_measure's (GEX_EINVAL for a NULL p). */
int gex_profile_eval_all(const gex_exposure *exposure, const double *x, size_t n,
                         double *const p[GEX_PROFILE_MEASURES]);

/* The zero-delta flip (gex's own level, SPEC 1.6): the spot x in [GEX_FLIP_LOWER S,
 * GEX_FLIP_UPPER S] where the dealer book's net DEX changes sign. Every contract's delta rises
 * with x, so DEX(x)/x rises and has at most one sign change: bracketed by the interval's ends
 * and narrowed by Brent's method (GSL's) to GEX_FLIP_XTOL S. flip->has = 0 when DEX keeps one
 * sign over the interval (or no contract is used). evaluations (may be NULL) counts the passes
 * over the book. Returns GEX_OK, GEX_EINVAL, GEX_ENOMEM, GEX_ERANGE, or GEX_ENOCONV when
 * Brent's method has not narrowed the bracket in GEX_FLIP_MAX_ITER steps (never seen). */
int gex_levels_flip_delta(const gex_exposure *exposure, gex_level *flip, size_t *evaluations);

#ifdef __cplusplus
}
#endif

#endif /* GEX_PROFILE_H */
