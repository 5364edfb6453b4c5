/*
 * api-history.h: the builders of the endpoints of a folder over time (SPEC 5.5): the vendor's
 * /v1/vrp/{symbol} and its history, /v1/exposure/oi-diff/{symbol},
 * /v1/volatility/realized/{symbol}, and gex's own /v1/history/{symbol} (the rows of
 * gex history --format json). Pure functions of a gex__api_input (api.h).
 */
#ifndef GEX_RENDER_API_HISTORY_H
#define GEX_RENDER_API_HISTORY_H

#include "api.h"

/* NEED_SERIES (in->analysis, when given, is the last snapshot's: term_vrp uses it). */
json_t *gex__api_vrp(const gex__api_input *in, gex__api_answer *ans);
/* NEED_SERIES; parameter days (1-365, default 30). */
json_t *gex__api_vrp_history(const gex__api_input *in, gex__api_answer *ans);
/* NEED_SERIES. */
json_t *gex__api_realized(const gex__api_input *in, gex__api_answer *ans);
/* NEED_SERIES: gex's own. */
json_t *gex__api_history(const gex__api_input *in, gex__api_answer *ans);
/* NEED_SERIES: EWMA, HAR-RV and GARCH(1,1) forecasts of the daily closes (gex/volatility.h);
 * parameter dist (gaussian only). */
json_t *gex__api_forecast(const gex__api_input *in, gex__api_answer *ans);
/* NEED_ANALYSIS with in->previous; parameter topN (1-100, default 10). */
json_t *gex__api_oi_diff(const gex__api_input *in, gex__api_answer *ans);

/* The series' last snapshot (in->series), or NULL with the 404 naming the symbol in *ans. */
const gex_snapshot *gex__api_series_last(const gex__api_input *in, gex__api_answer *ans);

/* The expected move over one trading day (gex's own, SPEC 5.5): spot * atm_iv / 100 /
 * sqrt(252), in the underlying's currency. */
double gex__api_expected_move_1d(double spot, double atm_iv_pct);

/* The harvest score (gex's own, SPEC 5.5), 0 to 1, or has 0 without a vrp_20d. */
gex_level gex__api_harvest_score(const gex_snapshot *s, const gex_history_metrics *m);

/* /v1/vrp's regime.vrp_regime (gex's own, SPEC 5.5): cheap_convexity, toxic_short_vol or
 * harvestable; NULL while the z-score needs history. */
const char *gex__api_vrp_regime(const gex_snapshot *s, const gex_history_metrics *m);

/* /v1/vrp's dealer_flow_risk (gex's own, SPEC 5.5), 0 to 100: 50 for negative net GEX, 25 for
 * spot below the gamma flip, 25 for the vanna outlook "Vol expansion likely" (negative net VEX
 * with spot at or below the flip). */
int gex__api_dealer_flow_risk(const gex_snapshot *s);

/* /v1/vrp's net_harvest_score before rounding (gex's own, SPEC 5.5): 100 harvest (1 - risk /
 * 200), NAN without a harvest score. */
double gex__api_net_harvest(gex_level harvest, int risk);

/* /v1/vrp's measures of a snapshot's series into o: rv_5d .. rv_30d, vrp_5d .. vrp_30d,
 * z_score and percentile (a whole number, the vendor's type). GEX_OK or GEX_ENOMEM. */
int gex__api_vrp_measures(json_t *o, const gex_history_metrics *m);

#endif /* GEX_RENDER_API_HISTORY_H */
