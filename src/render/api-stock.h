/*
 * api-stock.h: the builders of the vendor's composite documents of one underlying over time
 * (SPEC 5.5, api-stock.c): the volatility dashboard /v1/volatility/{symbol}, the stock summary
 * /v1/stock/{symbol}/summary and /v1/volatility/spot-vol-correlation/{symbol}. Pure functions
 * of a gex__api_input (api.h) with NEED_SERIES: the series of the symbol and the analysis of
 * its last snapshot.
 */
#ifndef GEX_RENDER_API_STOCK_H
#define GEX_RENDER_API_STOCK_H

#include <stddef.h>

#include "api.h"

/* GET /v1/volatility/{symbol} */
json_t *gex__api_volatility(const gex__api_input *in, gex__api_answer *ans);
/* GET /v1/stock/{symbol}/summary */
json_t *gex__api_stock_summary(const gex__api_input *in, gex__api_answer *ans);
/* GET /v1/volatility/spot-vol-correlation/{symbol} */
json_t *gex__api_spot_vol_correlation(const gex__api_input *in, gex__api_answer *ans);

/* The Pearson correlation of x[0..n) and y[0..n) (sample moments); NAN when n < 2 or either
 * variance is 0. */
double gex__api_pearson(const double *x, const double *y, size_t n);

#endif /* GEX_RENDER_API_STOCK_H */
