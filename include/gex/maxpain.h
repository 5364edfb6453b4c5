/*
 * gex/maxpain.h: max pain (SPEC 5.3): the settlement price, among the listed strikes, at which
 * the options' holders would be paid the least intrinsic value at expiration.
 *
 * With contracts i of strike K_i and weight w_i = open interest x multiplier (shares), the pain
 * of a settlement price P is
 *   call_pain(P) = sum over calls of w_i max(P - K_i, 0)
 *   put_pain(P)  = sum over puts  of w_i max(K_i - P, 0)
 * in the underlying's currency, and total_pain = call_pain + put_pain. total_pain is convex and
 * piecewise linear in P with its kinks at the strikes, so its minimum over every P >= 0 is
 * reached at a listed strike (or on a flat stretch between two): evaluating it at every listed
 * strike finds the true minimum. The max pain strike is the strike of least total_pain; among
 * strikes of equal pain (a flat stretch) the one nearest the spot, then the lower.
 */
#ifndef GEX_MAXPAIN_H
#define GEX_MAXPAIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The pain at one candidate settlement price (currency units). */
typedef struct gex_maxpain_point {
    double strike;
    double call_pain, put_pain, total_pain;
} gex_maxpain_point;

/* The pain curve of n contracts: strike[i] > 0 and finite, type[i] GEX_CALL or GEX_PUT
 * (gex/bs.h), weight[i] >= 0 and finite (open interest x multiplier). curve receives one point
 * per distinct strike, ascending (the caller provides n points; *n_curve says how many were
 * written); *best the index of the max pain strike in curve (ties as above, nearest spot: pass
 * the spot, or NAN to take the lowest). O(n log n): sorted once, then prefix sums.
 * Returns GEX_OK; GEX_EEMPTY when n is 0 or every weight is 0 (no open interest: every
 * settlement pays nothing, and no strike is the max pain); GEX_EINVAL for NULL arguments, a strike,
 * type or weight out of its domain; GEX_ENOMEM. */
int gex_maxpain_curve(const double *strike, const uint8_t *type, const double *weight, size_t n,
                      double spot, gex_maxpain_point *curve, size_t *n_curve, size_t *best);

/* The pain of settlement price p, summed directly over the n contracts (O(n)); the reference
 * gex_maxpain_curve is tested against. Same arguments' domain; no status (nothing allocates):
 * out-of-domain contracts are the caller's to avoid. */
void gex_maxpain_pain_at(const double *strike, const uint8_t *type, const double *weight, size_t n,
                         double p, gex_maxpain_point *out);

#ifdef __cplusplus
}
#endif

#endif /* GEX_MAXPAIN_H */
