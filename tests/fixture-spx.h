/*
 * fixture-spx.h: the SPX chain the library's and the API builders' tests analyse
 * (test-analysis.c, test-api-exposure.c, test-api-screener.c, test-api-stock.c): 41 strikes
 * around the spot, calls and puts, expirations on the quote date, +7 and +35 days (and +63 in
 * the four-expiration shape), quoted at 2023-09-14 (a Thursday) 13:30 New York = 17:30 UTC,
 * with bids, asks, volumes and a smile. Spot and quote instant are set; the caller prepares it
 * with the carry it wants.
 */
#ifndef GEX_TEST_FIXTURE_SPX_H
#define GEX_TEST_FIXTURE_SPX_H

#include <math.h>
#include <stdlib.h>

#include "gex-test.h"
#include "gex/bs.h"
#include "gex/chain.h"
#include "gex/time.h"

#define GEX_TEST_SPX_SPOT 4512.37
#define GEX_TEST_SPX_MULT 100.0

/* The chain's shape: strikes 4500 + strike_step k (k = -20..20); expirations 3 (+0, +7, +35
 * days) or 4 (also +63); volume_by_term adds e to the volume of expiration e; call_oi_bump is
 * added to the open interest of the at-the-money call expiring in a week (0: none). */
typedef struct gex_test_spx_shape {
    double strike_step;
    int expirations;
    int volume_by_term;
    double call_oi_bump;
} gex_test_spx_shape;

static inline gex_chain *gex_test_spx_chain_shaped(const gex_test_spx_shape *shape)
{
    const double spot = GEX_TEST_SPX_SPOT;
    const double call_oi_bump = shape->call_oi_bump;
    ck_assert(shape->expirations >= 1 && shape->expirations <= 4);
    gex_chain *chain = gex_chain_new();
    ck_assert_ptr_nonnull(chain);
    const int32_t today = gex_time_days_from_civil(2023, 9, 14);
    const int32_t expiry[4] = {today, today + 7, today + 35, today + 63};
    for (int k = -20; k <= 20; k++) {
        const double K = 4500.0 + shape->strike_step * k;
        for (int e = 0; e < shape->expirations; e++) {
            for (int t = 0; t < 2; t++) {
                const double intrinsic = t == GEX_CALL ? fmax(0, spot - K) : fmax(0, K - spot);
                const double bid = intrinsic + 1.1 + 0.07 * abs(k) + e;
                gex_contract c = {
                    .underlying = "SPX",
                    .root = "SPXW",
                    .expiration = expiry[e],
                    .strike = K,
                    .type = t,
                    .bid = bid,
                    .ask = bid + 0.2 + 0.01 * abs(k),
                    .last = NAN,
                    .iv = 0.13 + 0.0004 * (20 - k) + 0.01 * e,
                    .open_interest = 37.0 * (21 - abs(k)) + 101.0 * t + 11.0 * e +
                                     (k == 0 && e == 1 && t == GEX_CALL ? call_oi_bump : 0.0),
                    .volume = 3.0 + 5.0 * (k == 2) + t + (shape->volume_by_term ? e : 0),
                    .multiplier = GEX_TEST_SPX_MULT,
                    .vendor_delta = NAN,
                    .vendor_gamma = NAN,
                    .line = 0};
                ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
            }
        }
    }
    ck_assert_int_eq(gex_chain_set_spot(chain, "SPX", spot), GEX_OK);
    gex_chain_set_quote_time(chain, INT64_C(1694712600));
    return chain;
}

/* The three-expiration chain, strikes 5 apart, with call_oi_bump (gex_test_spx_shape). */
static inline gex_chain *gex_test_spx_chain(double call_oi_bump)
{
    const gex_test_spx_shape shape = {5.0, 3, 0, call_oi_bump};
    return gex_test_spx_chain_shaped(&shape);
}

#endif /* GEX_TEST_FIXTURE_SPX_H */
