/*
 * Private to the levels, profile and regime code (src/levels.c, src/profile.c, src/regime.c).
 */
#ifndef GEX_LEVELS_INTERNAL_H
#define GEX_LEVELS_INTERNAL_H

#include <stddef.h>

#include "gex/exposure.h"
#include "gex/levels.h"

/* The tie rule of SPEC 1.6 for an argmax: a candidate (score, strike) beats the best so far when
 * its score is larger, or equal with its strike nearer the spot, or as near and lower. */
int gex__levels_better(double score, double strike, double best_score, double best_strike,
                       double spot);

/* The 0DTE magnet over one expiration's rows: the strike of the largest |net_gex| > 0. */
gex_level gex__levels_magnet(const gex_strike_row *rows, size_t n, double spot);

/* Walls, extremes and highest open interest of a table (out zeroed first; flip untouched).
 * GEX_OK or GEX_EINVAL (see gex_levels_from_rows). */
int gex__levels_table(const gex_strike_row *rows, size_t n, double spot, gex_levels *out);

#endif /* GEX_LEVELS_INTERNAL_H */
