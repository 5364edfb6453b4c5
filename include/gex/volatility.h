/*
 * gex/volatility.h: volatility of a series of snapshots of one underlying (gex/history.h): the
 * daily closes, close-to-close realized volatility over any window, and its downside and upside
 * halves (realized semivariance). Units as gex/history.h: volatilities in percent a year.
 */
#ifndef GEX_VOLATILITY_H
#define GEX_VOLATILITY_H

#include <stddef.h>

#include "gex/history.h"
#include "gex/levels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The closes of snapshots[0..n) (ascending quote_time, one underlying), as gex history takes
 * them (SPEC 6.3): for each earlier New York trading day the spot of its last snapshot, then the
 * spot of the last snapshot (the close so far of its day). closes has room for n; *m receives
 * their count (0 when n is 0). Returns GEX_OK, or GEX_EINVAL (NULL with n > 0, a spot not > 0
 * and finite, or snapshots not in ascending time). */
int gex_vol_closes(const gex_snapshot *snapshots, size_t n, double *closes, size_t *m);

/* Close-to-close realized volatility over the last window log returns of closes[0..m):
 * 100 sqrt(252) times their sample standard deviation (n - 1), as gex history's rv_N
 * (SPEC 6.3). Absent (has 0) with fewer than window + 1 closes, or window < 2. */
gex_level gex_vol_realized(const double *closes, size_t m, int window);

/* The downside and upside realized volatility over the last window log returns: the realized
 * semivariances RS- = sum of r^2 over r < 0 and RS+ = sum over r > 0 (Barndorff-Nielsen,
 * Kinnebrock and Shephard 2010, "Measuring downside risk: realised semivariance"), each
 * annualised as a volatility that would hold if the whole variance were like that half:
 * 100 sqrt(252 * 2 RS / window). For returns symmetric about 0 both equal the uncentred
 * realized volatility. Absent with fewer than window + 1 closes or window < 2. */
void gex_vol_semi(const double *closes, size_t m, int window, gex_level *down, gex_level *up);

#ifdef __cplusplus
}
#endif

#endif /* GEX_VOLATILITY_H */
