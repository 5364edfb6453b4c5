/*
 * api-builders.h: the builders of the vendor's endpoints written by the pricing and reference
 * part (SPEC 5.4): pricing and structures (api-pricing.c), reference and health
 * (api-reference.c), the screener (api-screener.c). Each is a gex__api_build_fn (api.h); the table
 * in api.c names them.
 */
#ifndef GEX_RENDER_API_BUILDERS_H
#define GEX_RENDER_API_BUILDERS_H

#include "api.h"

/* GET /v1/pricing/greeks, /v1/pricing/iv, /v1/pricing/kelly (NEED_PARAMS). */
json_t *gex__api_pricing_greeks(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_pricing_iv(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_pricing_kelly(const gex__api_input *in, gex__api_answer *ans);
/* POST /v1/structures/pnl and /v1/structures/greeks (NEED_PARAMS: the JSON body). */
json_t *gex__api_structures_pnl(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_structures_greeks(const gex__api_input *in, gex__api_answer *ans);

/* GET /v1/options/{symbol} (NEED_ANALYSIS): the file's expirations and their strikes. */
json_t *gex__api_options(const gex__api_input *in, gex__api_answer *ans);
/* POST /v1/screener (NEED_SCREENER), GET /v1/screener/row/{symbol} (NEED_ANALYSIS, gex's own)
 * and GET /v1/screener/fields (NEED_PARAMS): api-screener.c. */
json_t *gex__api_screener(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_screener_row(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_screener_fields(const gex__api_input *in, gex__api_answer *ans);

/* GET /v1/tickers, /v1/symbols, /health (NEED_FOLDER). */
json_t *gex__api_tickers(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_symbols(const gex__api_input *in, gex__api_answer *ans);
json_t *gex__api_health(const gex__api_input *in, gex__api_answer *ans);

#endif /* GEX_RENDER_API_BUILDERS_H */
