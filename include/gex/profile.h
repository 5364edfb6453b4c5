/*
 * gex/profile.h: the GEX profile P(x), the total GEX of an exposure repriced at hypothetical
 * spots (SPEC 1.6): the curve whose zero crossing is the profile gamma flip (gex/levels.h).
 */
#ifndef GEX_PROFILE_H
#define GEX_PROFILE_H

#include <stddef.h>

#include "gex/exposure.h"

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

/* The profile on a uniform grid: n >= 2 points from x_min to x_max inclusive written to x[],
 * P at them to p[]. x_min = x_max = 0 means the flip's search interval
 * [GEX_FLIP_LOWER S, GEX_FLIP_UPPER S]. Returns GEX_OK, GEX_EINVAL (n < 2, 0 < x_min < x_max
 * violated) or GEX_ENOMEM. */
int gex_profile_grid(const gex_exposure *exposure, double x_min, double x_max, size_t n, double *x,
                     double *p);

#ifdef __cplusplus
}
#endif

#endif /* GEX_PROFILE_H */
