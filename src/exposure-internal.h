/*
 * Private to the exposure, profile and regime code (src/exposure.c, src/profile.c,
 * src/regime.c).
 */
#ifndef GEX_EXPOSURE_INTERNAL_H
#define GEX_EXPOSURE_INTERNAL_H

#include "gex/exposure.h"

/* The factor u of a GEX unit at spot S (SPEC 1.5): GEX = s gamma OI M u, with u = 0.01 S^2
 * (pct), S (point) or 1 (shares). */
double gex__exposure_unit_factor(gex_gex_unit unit, double spot);

#endif /* GEX_EXPOSURE_INTERNAL_H */
