/*
 * api-exposure.h: the builders of the vendor's exposure family beyond the six first endpoints
 * (SPEC 5.2): zero-dte (api-zero-dte.c), sheet, term-structure and narrative (api-exposure.c),
 * and the parts they share. Each is a gex__api_build_fn of api.h over one analysis.
 */
#ifndef GEX_RENDER_API_EXPOSURE_H
#define GEX_RENDER_API_EXPOSURE_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

/* GET /v1/exposure/zero-dte/{symbol}?strike_range=F&expiry=YYYY-MM-DD */
json_t *gex__api_zero_dte(const gex__api_input *in, gex__api_answer *ans);
/* GET /v1/exposure/sheet/{symbol}?expiration=&min_oi= */
json_t *gex__api_sheet(const gex__api_input *in, gex__api_answer *ans);
/* GET /v1/exposure/term-structure/{symbol} */
json_t *gex__api_term_structure(const gex__api_input *in, gex__api_answer *ans);
/* GET /v1/exposure/narrative/{symbol} (in->previous: the day-over-day fields) */
json_t *gex__api_narrative(const gex__api_input *in, gex__api_answer *ans);
/* GET /v1/exposure/basket (NEED_BASKET, api-basket.c): the weighted sum of several symbols'
 * summaries. */
json_t *gex__api_exposure_basket(const gex__api_input *in, gex__api_answer *ans);

/* The builders' mark for a value that does not exist, written as null (a double: NAN is a
 * float and would be promoted in every conditional). */
#define GEX__NO_VALUE ((double)NAN)

/* A number, or null for GEX__NO_VALUE (the builders' mark for a value that does not exist). */
json_t *gex__jnum_or_null(double v);

/* Whether day is the monthly options expiration: the third Friday, or the Thursday before it
 * when that Friday is a US market holiday (Good Friday, Juneteenth, Independence Day,
 * Christmas, New Year's Day); the holiday Friday itself is not. *triple (may be NULL): also
 * in March, June, September or December. */
int gex__is_opex(int32_t day, int *triple);

/* Max pain of per-strike rows (ascending): the strike K* among the rows minimising the value
 * holders receive at expiry, sum over rows k of call_oi_k max(0, K* - K_k) + put_oi_k
 * max(0, K_k - K*) (ties: the lowest strike); NAN when no row has open interest. */
double gex__max_pain(const gex_strike_row *rows, size_t n);

#endif /* GEX_RENDER_API_EXPOSURE_H */
