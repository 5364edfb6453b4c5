/*
 * gex/vix.h: a volatility index of a prepared chain by CBOE's VIX method (the VIX white paper,
 * "Cboe Volatility Index", 2019 edition): the model-free variance of each of the two expirations
 * that bracket a target tenor, from the out-of-the-money options' mids, interpolated to the
 * tenor. On an SPX chain at 30 days it is the VIX; at 9, 93 and 182 days VIX9D, VIX3M and
 * VIX6M; on another underlying the same measure of its options (CBOE computes such indices for
 * some: VXN on NDX, RVX on RUT).
 *
 * Per expiration (a settlement instant of the chain; SPX's AM monthlies and PM weeklies of one
 * date are two), with T its time to settlement in years (SPEC 1.1, 365-day years: CBOE's
 * minutes / 525,600) and R its continuously compounded rate (the chain's carry: the parity fit
 * of the expiration under --carry parity, else --rate; CBOE uses Treasury bill yields):
 *   - the strikes quoted on both sides with bids > 0; the forward F = K* + e^{RT} (C - P) at the
 *     strike K* where |C - P| of the mids is least (of equal ones, the lowest strike);
 *   - K0 the highest listed strike <= F;
 *   - puts below K0 going down, calls above K0 going up, each while its bid is > 0; a zero bid
 *     is skipped, and two zero bids in a row end the side (CBOE's rule); at K0 the mean of the
 *     call's and the put's mids;
 *   - sigma^2 = (2/T) sum_i dK_i / K_i^2 e^{RT} Q(K_i) - (1/T) (F/K0 - 1)^2, with dK_i half the
 *     distance between the strikes either side of K_i among those used (at the ends, the
 *     distance to the one neighbour).
 * The index: 100 sqrt{ [T1 s1^2 (N2 - Nt)/(N2 - N1) + T2 s2^2 (Nt - N1)/(N2 - N1)] (365 / t) },
 * N1, N2 the expirations' times and Nt the tenor's, in the same unit, t the tenor in days.
 * The near expiration is the last with T <= tenor (and at least one day), the next the first
 * with T > tenor; when one settles exactly at the tenor it is used alone.
 */
#ifndef GEX_VIX_H
#define GEX_VIX_H

#include <stddef.h>
#include <stdint.h>

#include "gex/chain.h"
#include "gex/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Expirations shorter than this are not used (CBOE's VIX excludes them; VIX1D is another
 * method): days. */
#define GEX_VIX_MIN_DAYS 1.0

/* One expiration's part of the index. */
typedef struct gex_vix_term {
    int64_t settlement; /* UTC seconds */
    double T;           /* years */
    double rate;        /* R: continuously compounded, a fraction a year */
    double forward;     /* F */
    double k0;          /* K0 */
    double variance;    /* sigma^2, a year (a fraction squared) */
    size_t puts, calls; /* out-of-the-money options used (K0 counted apart) */
    size_t zero_bids;   /* zero bids skipped inside the two sides */
} gex_vix_term;

typedef struct gex_vix {
    double tenor_days;
    double index; /* 100 sqrt(variance interpolated), percent a year */
    int terms;    /* 1 (an expiration at the tenor) or 2 */
    gex_vix_term near, next;
} gex_vix;

/* The index of the chain (prepared with gex_chain_prepare; one underlying: its first) at
 * tenor_days (> 0). Returns GEX_OK and *out; GEX_EINVAL (NULL, tenor_days not > 0, a chain not
 * prepared); GEX_ENOTFOUND when no two expirations bracket the tenor, or an expiration has no
 * strike quoted on both sides or no out-of-the-money option with a bid (err says which);
 * GEX_ERANGE when the variance is not positive (quotes that contradict each other); GEX_ENOMEM. */
int gex_vix_compute(const gex_chain *chain, double tenor_days, gex_vix *out, gex_error *err);

#ifdef __cplusplus
}
#endif

#endif /* GEX_VIX_H */
