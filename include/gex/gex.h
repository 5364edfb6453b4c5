/*
 * gex/gex.h: the whole public API of libgex in one include.
 *
 * Data flows one way: read a chain (gex/chain.h), compute greeks (gex/bs.h), aggregate
 * exposures per strike (gex/exposure.h), find levels and the regime (gex/levels.h).
 */
#ifndef GEX_GEX_H
#define GEX_GEX_H

#include "gex/error.h"
#include "gex/time.h"
#include "gex/bs.h"
#include "gex/chain.h"
#include "gex/exposure.h"
#include "gex/levels.h"
#include "gex/analysis.h"
#include "gex/plot.h"
#include "gex/validate.h"
#include "gex/vendor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string ("0.1.0"), for --version. */
const char *gex_version(void);

#ifdef __cplusplus
}
#endif

#endif /* GEX_GEX_H */
