/*
 * gex/gex.h: the whole public API in one include: libgex (every header but gex/plot.h) and
 * libgex-plot (gex/plot.h, the charts: link it as well to draw; pkg-config gex-plot).
 *
 * Data flows one way: read a chain and prepare it (gex/chain.h; greeks from gex/bs.h), then
 * one analysis of it (gex/analysis.h): exposures per contract, strike and expiration
 * (gex/exposure.h), levels (gex/levels.h), the profile (gex/profile.h), the regime, hedging and
 * 0DTE block (gex/regime.h). Later stages take the analysis; validate and vendor check a
 * vendor's numbers against it.
 *
 * Names: gex_MODULE_VERB; an accessor is gex_MODULE_THING, or gex_MODULE_get_THING where
 * gex_MODULE_THING already names a type (gex_chain_get_view fills a gex_chain_view). Statuses are
 * gex_status (gex/error.h); a price's and an implied volatility's outcomes are their own enums.
 */
#ifndef GEX_GEX_H
#define GEX_GEX_H

#include "gex/error.h"
#include "gex/time.h"
#include "gex/currency.h"
#include "gex/option.h"
#include "gex/bs.h"
#include "gex/pricing.h"
#include "gex/american.h"
#include "gex/chain.h"
#include "gex/exposure.h"
#include "gex/levels.h"
#include "gex/profile.h"
#include "gex/regime.h"
#include "gex/analysis.h"
#include "gex/history.h"
#include "gex/volatility.h"
#include "gex/maxpain.h"
#include "gex/macro.h"
#include "gex/vix.h"
#include "gex/svi.h"
#include "gex/plot.h"
#include "gex/validate.h"
#include "gex/vendor.h"
#include "gex/version.h"

#endif /* GEX_GEX_H */
