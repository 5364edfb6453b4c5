/*
 * gex/exposure.h: dealer exposures per contract, per strike and per expiration (SPEC 1.5).
 *
 * Sign convention: dealers are long calls and short puts, s = +1 for calls, -1 for puts
 * (SqueezeMetrics/SpotGamma, and the signs of the vendor's own numbers). Per contract:
 *   GEX  s * gamma * OI * M * S^2 * 0.01   USD of delta per 1% spot move (GEX_UNIT_PCT)
 *        s * gamma * OI * M * S            USD of delta per $1 spot move  (GEX_UNIT_POINT)
 *        s * gamma * OI * M                shares per $1 spot move       (GEX_UNIT_SHARES)
 *   DEX  delta * OI * M * S                USD delta notional (put delta is negative)
 *   VEX  s * vanna * OI * M * S * 0.01     USD of delta per vol point
 *   CHEX s * charm * OI * M * S / 365      USD of delta per calendar day passing
 * Per-strike rows sum every expiration at that strike, ascending by strike, one row per strike
 * with any listed contract (zero OI included); net = call + put; totals are the sums of the rows
 * in ascending order.
 */
#ifndef GEX_EXPOSURE_H
#define GEX_EXPOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "gex/chain.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gex_gex_unit { GEX_UNIT_PCT = 0, GEX_UNIT_POINT, GEX_UNIT_SHARES } gex_gex_unit;

/* "pct", "point", "shares"; and the parser (GEX_OK or GEX_EINVAL). */
const char *gex_gex_unit_name(int unit);
int gex_gex_unit_parse(const char *name, gex_gex_unit *unit);

typedef struct gex_exposure_options {
    double rate; /* r used for the greeks: the same as gex_chain_prepare's */
    double div;  /* q */
    gex_gex_unit gex_unit;
    const int32_t *expirations; /* keep only these expirations (days); NULL or 0: all */
    size_t n_expirations;
    int zero_dte;  /* non-zero: keep only expirations on the quote date (New York) */
    int max_dte;   /* < 0: no limit; else keep calendar days to expiry <= max_dte */
    double min_oi; /* drop contracts with open interest below this */
} gex_exposure_options;

/* rate 0.045, div 0.013, unit pct, no filters (max_dte -1, min_oi 0). */
void gex_exposure_options_default(gex_exposure_options *options);

typedef struct gex_strike_row {
    double strike;
    double call_gex, put_gex, net_gex;
    double call_dex, put_dex, net_dex;
    double call_vex, put_vex, net_vex;
    double call_chex, put_chex, net_chex;
    double call_oi, put_oi;
    double call_volume, put_volume; /* 0 where the file has no volume */
} gex_strike_row;

typedef struct gex_exposure_totals {
    double net_gex, net_dex, net_vex, net_chex; /* sums of the rows, ascending strike order */
    double call_gex, put_gex;
    double gross_gex; /* sum of |net_gex| per contract... see exposure.c for the definition */
    size_t contracts; /* contracts in the chain */
    size_t used;      /* contracts that entered the exposures */
    size_t filtered;  /* left out by the options' filters */
    size_t excluded[GEX_CONTRACT_STATUS_COUNT]; /* left out by status (expired, no IV, ...) */
} gex_exposure_totals;

typedef struct gex_exposure gex_exposure;

/* Computes every exposure of a prepared chain holding a single underlying (gex_chain_select
 * splits others). Returns GEX_OK and a new *out, GEX_EINVAL (NULL, several underlyings, not
 * prepared, no spot), GEX_ENOMEM. A chain whose filters leave nothing still succeeds, with
 * zero rows used (the caller decides whether that is an error). */
int gex_exposure_compute(const gex_chain *chain, const gex_exposure_options *options,
                         gex_exposure **out);

/* Frees. Accepts NULL. */
void gex_exposure_free(gex_exposure *exposure);

/* The options it was computed with, the spot, and the quote instant. */
const gex_exposure_options *gex_exposure_get_options(const gex_exposure *exposure);
double gex_exposure_spot(const gex_exposure *exposure);
int64_t gex_exposure_quote_time(const gex_exposure *exposure);

/* Per-strike rows, ascending by strike. */
size_t gex_exposure_strike_count(const gex_exposure *exposure);
const gex_strike_row *gex_exposure_strikes(const gex_exposure *exposure);

void gex_exposure_get_totals(const gex_exposure *exposure, gex_exposure_totals *totals);

/* The breakdown by expiration: count, then for expiration i (ascending date) its date, rows
 * and totals. */
size_t gex_exposure_expiry_count(const gex_exposure *exposure);
int32_t gex_exposure_expiry_date(const gex_exposure *exposure, size_t i);
const gex_strike_row *gex_exposure_expiry_strikes(const gex_exposure *exposure, size_t i,
                                                  size_t *n_rows);
void gex_exposure_expiry_totals(const gex_exposure *exposure, size_t i,
                                gex_exposure_totals *totals);

/* Per-contract greeks and exposures, aligned with the chain's view (index i is contract i).
 * included[i] is 1 when contract i entered the exposures; elsewhere the values are 0. */
typedef struct gex_contract_exposures {
    size_t n;
    const double *delta, *gamma, *vega, *vanna, *charm;
    const double *gex, *dex, *vex, *chex;
    const uint8_t *included;
} gex_contract_exposures;

void gex_exposure_get_contracts(const gex_exposure *exposure, gex_contract_exposures *view);

#ifdef __cplusplus
}
#endif

#endif /* GEX_EXPOSURE_H */
