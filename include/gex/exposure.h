/*
 * gex/exposure.h: dealer exposures per contract, per strike and per expiration (SPEC 1.5).
 *
 * Sign convention: dealers are long calls and short puts, s = +1 for calls, -1 for puts
 * (SqueezeMetrics/SpotGamma, and the signs of the vendor's own numbers). With gamma, delta,
 * vanna and charm per share (gex/bs.h), OI the open interest, M the multiplier and S the spot,
 * per contract:
 *   GEX  s * gamma * OI * M * S^2 * 0.01   USD of delta per 1% spot move (GEX_UNIT_PCT)
 *        s * gamma * OI * M * S            USD of delta per $1 spot move  (GEX_UNIT_POINT)
 *        s * gamma * OI * M                shares per $1 spot move       (GEX_UNIT_SHARES)
 *   DEX  delta * OI * M * S                USD delta notional (put delta is negative; no s)
 *   VEX  s * vanna * OI * M * S * 0.01     USD of delta per vol point
 *   CHEX s * charm * OI * M * S / 365      USD of delta per calendar day passing
 * So call_gex >= 0 and put_gex <= 0 always, and point = pct * 100 / S, shares = pct * 100 / S^2.
 *
 * Which contracts enter ("used"): those that pass the options' filters and whose prepared
 * status is GEX_CONTRACT_OK (and whose greeks are representable). Every other contract is
 * counted once, in `filtered` when a filter left it out (whatever its status), else in
 * `excluded[status]`: contracts = used + filtered + sum(excluded).
 *
 * Per-strike rows: one row per strike that has a contract passing the filters and not expired
 * (SPEC 1.5: "zero OI included"; a contract without IV gives its strike a row of zeros),
 * ascending by strike. A row sums the used contracts at that strike: exposures, open interest
 * and volume. net = call + put per row. A row of the whole chain is the sum, in ascending
 * expiration order, of that strike's rows in the per-expiration breakdown, each of which sums
 * its contracts in chain order; so the table of a chain equals the sum of the tables of its
 * expirations, exactly. Totals are the sums of the rows in ascending strike order.
 *
 * Gross GEX: sum over used contracts of |GEX_i| = sum of the rows' call_gex - put_gex (no
 * netting of calls against puts); the 0DTE block's share of GEX is its gross over this gross.
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

/* --exercise for the exposures (SPEC 1.8): whose delta and gamma come from the American model
 * (gex/american.h) instead of Black-Scholes-Merton. */
typedef enum gex_exposure_exercise {
    GEX_EXPOSURE_EUROPEAN = 0, /* Black-Scholes-Merton for every contract (the default) */
    GEX_EXPOSURE_BY_ROOT,      /* American where gex_exercise_for_root says the root is (auto) */
    GEX_EXPOSURE_AMERICAN      /* American for every contract */
} gex_exposure_exercise;

/* "european", "auto", "american"; NULL for a value out of range. And the parser of those words
(GEX_OK, or GEX_EINVAL with *exercise untouched). */
const char *gex_exposure_exercise_name(int exercise);
int gex_exposure_exercise_parse(const char *name, gex_exposure_exercise *exercise);

/* What to compute and over which contracts. The carry (r, q) is not here: it is each
 * contract's, fixed by gex_chain_prepare (gex_chain_view r and q: the flat rates or, with
 * GEX_CARRY_PARITY, its expiration's), so the greeks use the rate and dividend the implied
 * volatilities were solved with. */
typedef struct gex_exposure_options {
    gex_gex_unit gex_unit;
    /* The contract filters (the one definition; gex_exposure_keeps applies it). A contract is
     * kept when all of these hold:
     *  - expirations: when n_expirations > 0 or zero_dte is non-zero, its expiration is one of
     *    the listed dates (days since 1970-01-01) OR, with zero_dte, the quote date (New York):
     *    `--expiration 2026-11-20 --expiration 0dte` keeps both (their union); neither given
     *    keeps every expiration;
     *  - its expiration is none of the excluded dates, nor, with exclude_zero_dte, the quote
     *    date (`--exclude-expiration`);
     *  - max_dte >= 0: expiration - quote date (New York) <= max_dte (< 0: no limit);
     *  - open interest >= min_oi (0 keeps all);
     *  - min_bid > 0: its bid >= min_bid (a contract whose file gives no bid is left out);
     *  - 0 < max_abs_delta < 1: |delta| <= max_abs_delta, delta computed at the spot (this one
     *    is applied by gex_exposure_compute once the greeks are known; gex_exposure_keeps,
     *    which has no greeks, applies the others). 1 keeps every contract, like 0: with q < 0
     *    a deep call's delta e^(-qT) N(d1) can exceed 1. */
    const int32_t *expirations; /* NULL when n_expirations is 0 */
    size_t n_expirations;
    int zero_dte;
    const int32_t *exclude_expirations; /* NULL when n_exclude_expirations is 0 */
    size_t n_exclude_expirations;
    int exclude_zero_dte;
    int max_dte;
    double min_oi;
    double min_bid;       /* 0: no limit */
    double max_abs_delta; /* 0 or 1: no limit; else in (0, 1) */
    /* Non-zero (--greeks file): a contract's gamma and delta are the file's own columns
     * (vendor_gamma, vendor_delta of gex/chain.h) as they are, where the file has both for it;
     * vanna and charm, and the contracts without them, keep the model's (counted in the
     * totals). The repriced profile P(x) and the hedging estimate reprice with the model. */
    int greeks_from_file;
    /* Which contracts are priced American: their delta and gamma (so DEX and GEX) are the
     * American model's at the contract's IV, spot and carry (gex_am_boundary_new and
     * gex_am_boundary_value: one boundary solve per contract, about 160 us); vanna, charm, the
     * repriced profile and its flip and the hedging estimate stay Black-Scholes-Merton. A
     * contract the American model refuses (two exercise boundaries: r < q < 0 call, q < r < 0
     * put) keeps Black-Scholes-Merton, counted. --greeks file wins where it applies. */
    gex_exposure_exercise exercise;
} gex_exposure_options;

/* Unit pct, no filters (max_dte -1, min_oi, min_bid and max_abs_delta 0). */
void gex_exposure_options_default(gex_exposure_options *options);

/* Whether the filters of options keep contract i of a chain's view on a quote date (New York,
 * days since 1970-01-01; gex_exposure_quote_date), all but max_abs_delta (which needs the
 * greeks: gex_exposure_compute applies it). NULL options keep everything. Used by
 * gex_exposure_compute; a caller holding the computed exposure reads its contracts' kept
 * marks instead (gex_exposure_get_contracts), which add max_abs_delta, so that "passes the
 * filters" has one meaning. */
int gex_exposure_keeps(const gex_exposure_options *options, const gex_chain_view *view, size_t i,
                       int32_t quote_date);

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
    double gross_gex; /* call_gex - put_gex: sum of |GEX| over used contracts (see above) */
    size_t contracts; /* contracts in the chain */
    size_t used;      /* contracts that entered the exposures */
    size_t filtered;  /* left out by the options' filters */
    size_t excluded[GEX_CONTRACT_STATUS_COUNT]; /* left out by status (expired, no IV, ...) */
    /* With greeks_from_file: used contracts whose gamma and delta are the file's, and those
     * without them in the file (their model greeks are used). 0 otherwise. */
    size_t greeks_from_file, greeks_file_missing;
    /* With an exercise other than GEX_EXPOSURE_EUROPEAN: used contracts priced American, and
     * those the American model refused (two boundaries) that kept Black-Scholes-Merton. */
    size_t american, american_refused;
} gex_exposure_totals;

typedef struct gex_exposure gex_exposure;

/* Computes every exposure of a prepared chain holding a single underlying (gex_chain_select
 * splits others), with options (NULL: the defaults). The greeks come from the vectorised
 * gex_bs_greeks_batch at the chain's spot with each contract's carry (gex_chain_view r, q).
 * The exposure borrows chain: the levels, the profile and the hedging estimate read its
 * contracts through it (gex_exposure_chain), so keep chain alive and unmodified until the
 * exposure is freed.
 * Returns GEX_OK and a new *out; GEX_EINVAL when an argument is NULL, the chain holds several
 * underlyings, has not been prepared (gex_chain_prepare), has no spot (the spot is unknown:
 * gex computes nothing rather than guess one; the caller asks for --spot), options hold a
 * negative or non-finite min_oi or min_bid, max_abs_delta outside [0, 1], an unknown unit, or
 * a NULL expirations or exclude_expirations list with a count above 0; GEX_EEMPTY for a chain with
 * no contract; GEX_ERANGE beyond 4,294,967,294 contracts; GEX_ENOMEM. A chain whose filters leave
 * nothing still succeeds, with zero contracts used (the caller decides whether that is an error).
 */
int gex_exposure_compute(const gex_chain *chain, const gex_exposure_options *options,
                         gex_exposure **out);

/* Frees. Accepts NULL. */
void gex_exposure_free(gex_exposure *exposure);

/* The chain it was computed from (borrowed, see gex_exposure_compute), and its flat carry
 * (gex_chain_carry; the per-contract r and q are the view's). */
const gex_chain *gex_exposure_chain(const gex_exposure *exposure);
void gex_exposure_carry(const gex_exposure *exposure, double *rate, double *div);

/* The options it was computed with (the expiration lists are copies the exposure owns), the
 * spot, the quote instant (UTC seconds: the one gex_chain_prepare measured T from, so its
 * --now when one was given), and the quote date in New York (days since 1970-01-01: the date
 * of 0DTE contracts and the origin of max_dte). */
const gex_exposure_options *gex_exposure_get_options(const gex_exposure *exposure);
double gex_exposure_spot(const gex_exposure *exposure);
int64_t gex_exposure_quote_time(const gex_exposure *exposure);
int32_t gex_exposure_quote_date(const gex_exposure *exposure);

/* Per-strike rows, ascending by strike. */
size_t gex_exposure_strike_count(const gex_exposure *exposure);
const gex_strike_row *gex_exposure_strikes(const gex_exposure *exposure);

void gex_exposure_get_totals(const gex_exposure *exposure, gex_exposure_totals *totals);

/* The breakdown by expiration: count, then for expiration i (ascending date) its date, rows
 * (the strikes of that expiration, same rules as the chain's rows) and totals (contracts,
 * used, filtered and excluded count that expiration's contracts). An expiration appears when
 * one of its contracts passes the filters and is not expired. Out-of-range i: 0, NULL with
 * *n_rows = 0, zeroed totals. */
size_t gex_exposure_expiry_count(const gex_exposure *exposure);
int32_t gex_exposure_expiry_date(const gex_exposure *exposure, size_t i);
const gex_strike_row *gex_exposure_expiry_strikes(const gex_exposure *exposure, size_t i,
                                                  size_t *n_rows);
void gex_exposure_expiry_totals(const gex_exposure *exposure, size_t i,
                                gex_exposure_totals *totals);

/* Per-contract greeks (per share, gex/bs.h units) and exposures (units above), aligned with the
 * chain's view (index i is contract i), valid until the exposure is freed. included[i] is 1
 * when contract i entered the exposures; elsewhere every value is 0. kept[i] is 1 when the
 * options' filters keep contract i, max_abs_delta included, whatever its status (expired, no
 * IV, ...: max_abs_delta leaves out only a contract whose delta was computed); the filter that
 * "passes the filters" means wherever the exposure is at hand (gex_exposure_keeps, which has no
 * greeks, leaves max_abs_delta out). */
typedef struct gex_contract_exposures {
    size_t n;
    const double *delta, *gamma, *vega, *vanna, *charm;
    const double *gex, *dex, *vex, *chex;
    const uint8_t *included;
    const uint8_t *kept;
} gex_contract_exposures;

void gex_exposure_get_contracts(const gex_exposure *exposure, gex_contract_exposures *view);

#ifdef __cplusplus
}
#endif

#endif /* GEX_EXPOSURE_H */
