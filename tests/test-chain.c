/* gex/chain.h: storage, builder, view, symbols, selection and gex_chain_prepare (SPEC 1.1,
 * 1.4). The instants below were computed independently with Python's zoneinfo
 * (America/New_York, IANA tz database):
 *   python3 -c "from datetime import datetime; from zoneinfo import ZoneInfo;
 *               print(int(datetime(2023,9,15,9,30,tzinfo=ZoneInfo('America/New_York')).timestamp()))"
 */
#include "gex-test.h"
#include "fixture-spx.h"

#include <math.h>

#include "../src/chain-internal.h"
#include "gex/bs.h"
#include "gex/chain.h"
#include "gex/time.h"

/* 2023-09-15 (a Friday: SPX monthly, AM-settled; SPXW same day, PM-settled). */
#define DAY_2023_09_15        19615
#define SPX_AM_2023_09_15     1694784600LL /* 09:30 EDT */
#define SPXW_PM_2023_09_15    1694808000LL /* 16:00 EDT */
#define QUOTE_2023_09_14_1631 1694723460LL /* 16:31 EDT, the close file's Date line */

static gex_contract contract(const char *u, const char *root, int32_t exp, double K, int type)
{
    gex_contract k = {
        .underlying = u,
        .root = root,
        .expiration = exp,
        .strike = K,
        .type = type,
        .bid = NAN,
        .ask = NAN,
        .last = NAN,
        .iv = NAN,
        .open_interest = 0,
        .volume = NAN,
        .multiplier = NAN,
        .vendor_delta = NAN,
        .vendor_gamma = NAN,
    };
    return k;
}

START_TEST(test_chain_add_fills_every_array)
{
    gex_chain *c = gex_chain_new();
    ck_assert_ptr_nonnull(c);
    gex_contract k = contract("SPX", "SPXW", DAY_2023_09_15, 4512.5, GEX_PUT);
    k.bid = 12.3;
    k.ask = 12.7;
    k.last = 12.45;
    k.iv = 0.1734;
    k.open_interest = 1523;
    k.volume = 87;
    k.multiplier = 50;
    k.vendor_delta = -0.4213;
    k.vendor_gamma = 0.00213;
    k.line = 42;
    ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    ck_assert_int_eq(gex_chain_set_spot(c, "SPX", 4505.1001), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 1);
    ck_assert_uint_eq(gex_chain_size(c), 1);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(c, v.root[0]), "SPXW");
    ck_assert_int_eq(v.expiration[0], DAY_2023_09_15);
    ck_assert_int_eq(v.settlement[0], SPXW_PM_2023_09_15);
    ck_assert_double_eq(v.strike[0], 4512.5);
    ck_assert_int_eq(v.type[0], GEX_PUT);
    ck_assert_double_eq(v.bid[0], 12.3);
    ck_assert_double_eq(v.ask[0], 12.7);
    ck_assert_double_eq(v.last[0], 12.45);
    ck_assert_double_eq(v.file_iv[0], 0.1734);
    ck_assert_double_eq(v.open_interest[0], 1523);
    ck_assert_double_eq(v.volume[0], 87);
    ck_assert_double_eq(v.multiplier[0], 50);
    ck_assert_double_eq(v.spot[0], 4505.1001);
    ck_assert_double_eq(v.vendor_delta[0], -0.4213);
    ck_assert_double_eq(v.vendor_gamma[0], 0.00213);
    ck_assert_int_eq(v.line[0], 42);
    ck_assert(isnan(v.T[0]) && isnan(v.iv[0]));
    ck_assert_int_eq(v.status[0], GEX_CONTRACT_OK);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_add_defaults_root_and_multiplier)
{
    gex_chain *c = gex_chain_new();
    gex_contract k = contract("SPX", NULL, DAY_2023_09_15, 4500, GEX_CALL);
    ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    k.root = "";
    k.multiplier = 0;
    ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    /* root SPX: the AM-settled monthly (SPEC 1.1). */
    ck_assert_uint_eq(v.root[0], v.underlying[0]);
    ck_assert_int_eq(v.settlement[0], SPX_AM_2023_09_15);
    ck_assert_double_eq(v.multiplier[0], 100);
    ck_assert_double_eq(v.multiplier[1], 100);
    ck_assert(isnan(v.spot[0]));
    ck_assert_uint_eq(gex_chain_symbol_count(c), 1);
    ck_assert_ptr_null(gex_chain_symbol(c, 1));
    gex_chain_free(c);
}
END_TEST

/* A chain's currency: the dollar until set, a code of three capital letters only, kept by the
 * chains made from it (tests/test-currency.c has the codes and the texts). */
START_TEST(test_chain_currency_set_and_kept)
{
    gex_chain *c = gex_chain_new();
    gex_contract k = contract("NIFTY", NULL, DAY_2023_09_15, 20000, GEX_CALL);
    ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    ck_assert_str_eq(gex_chain_currency(c), "USD");
    ck_assert_int_eq(gex_chain_set_currency(c, "inr"), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_set_currency(c, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_set_currency(NULL, "INR"), GEX_EINVAL);
    ck_assert_str_eq(gex_chain_currency(c), "USD");
    ck_assert_int_eq(gex_chain_set_currency(c, "INR"), GEX_OK);
    ck_assert_str_eq(gex_chain_currency(c), "INR");
    gex_chain *d = NULL, *e = NULL;
    ck_assert_int_eq(gex_chain_select(c, "NIFTY", &d), GEX_OK);
    ck_assert_str_eq(gex_chain_currency(d), "INR");
    const uint32_t idx[] = {0};
    ck_assert_int_eq(gex_chain_extract(c, idx, 1, &e), GEX_OK);
    ck_assert_str_eq(gex_chain_currency(e), "INR");
    gex_chain_free(d);
    gex_chain_free(e);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_add_rejects_bad_contracts)
{
    gex_chain *c = gex_chain_new();
    gex_contract k = contract("SPX", NULL, DAY_2023_09_15, 4500, GEX_CALL);
    ck_assert_int_eq(gex_chain_add(NULL, &k), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_add(c, NULL), GEX_EINVAL);
    gex_contract bad = k;
    bad.underlying = NULL;
    ck_assert_int_eq(gex_chain_add(c, &bad), GEX_EINVAL);
    bad.underlying = "";
    ck_assert_int_eq(gex_chain_add(c, &bad), GEX_EINVAL);
    const double strikes[] = {0, -5, NAN, INFINITY};
    for (size_t i = 0; i < sizeof strikes / sizeof strikes[0]; i++) {
        bad = k;
        bad.strike = strikes[i];
        ck_assert_int_eq(gex_chain_add(c, &bad), GEX_EINVAL);
    }
    bad = k;
    bad.type = 2;
    ck_assert_int_eq(gex_chain_add(c, &bad), GEX_EINVAL);
    bad = k;
    bad.open_interest = -1;
    ck_assert_int_eq(gex_chain_add(c, &bad), GEX_EINVAL);
    bad.open_interest = NAN;
    ck_assert_int_eq(gex_chain_add(c, &bad), GEX_EINVAL);
    ck_assert_uint_eq(gex_chain_size(c), 0);
    gex_chain_free(c);
    gex_chain_free(NULL);
}
END_TEST

START_TEST(test_chain_add_grows_and_keeps_values)
{
    /* Enough contracts for many growth steps; every value is checked after the last one. */
    enum { N = 200003 };
    gex_chain *c = gex_chain_new();
    char name[16];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "U%d", i % 37);
        gex_contract k = contract(name, NULL, DAY_2023_09_15 + i % 400, 1.25 + i, i & 1);
        k.open_interest = i;
        k.line = i + 2;
        ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    }
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, N);
    ck_assert_uint_eq(gex_chain_symbol_count(c), 37);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "U%d", i % 37);
        ck_assert_str_eq(gex_chain_symbol(c, v.underlying[i]), name);
        ck_assert_int_eq(v.expiration[i], DAY_2023_09_15 + i % 400);
        ck_assert_double_eq(v.strike[i], 1.25 + i);
        ck_assert_int_eq(v.type[i], i & 1);
        ck_assert_double_eq(v.open_interest[i], i);
        ck_assert_int_eq(v.line[i], i + 2);
    }
    uint32_t ids[64];
    ck_assert_uint_eq(gex_chain_underlyings(c, ids, 64), 37);
    for (uint32_t j = 0; j < 37; j++) {
        snprintf(name, sizeof name, "U%u", j);
        ck_assert_str_eq(gex_chain_symbol(c, ids[j]), name);
    }
    /* max smaller than the count: the count is still returned, only max ids written. */
    ids[3] = 999;
    ck_assert_uint_eq(gex_chain_underlyings(c, ids, 3), 37);
    ck_assert_uint_eq(ids[3], 999);
    gex_chain_free(c);
}
END_TEST

/* Arrays of 4 MiB and more have mappings of their own (chain.c, "Array memory"): a chain
 * grown past that size one contract at a time (malloc's memory copied into a mapping, then
 * mappings moved to larger ones), shrunk (a mapping's tail given back, and a mapping turned back
 * into malloc's memory), copied out and freed keeps every value. */
static void check_big(const gex_chain *c, size_t n, const char *when)
{
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_msg(v.n == n, "%s: %zu contracts, not %zu", when, v.n, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(v.strike[i] == 1.5 + (double)i && v.open_interest[i] == (double)(i % 977) &&
                          v.line[i] == (long)i + 2 && v.type[i] == (i & 1) &&
                          v.expiration[i] == DAY_2023_09_15 + (int32_t)(i % 400) && isnan(v.T[i]) &&
                          v.status[i] == GEX_CONTRACT_OK,
                      "%s: contract %zu differs", when, i);
    }
}

START_TEST(test_chain_big_arrays_keep_values)
{
    enum { N = 800000 }; /* 8-byte arrays pass 4 MiB at 524,288 contracts, then grow again */
    gex_chain *c = gex_chain_new();
    for (size_t i = 0; i < N; i++) {
        gex_contract k = contract(i % 3 ? "SPY" : "QQQ", NULL, DAY_2023_09_15 + (int32_t)(i % 400),
                                  1.5 + (double)i, (int)(i & 1));
        k.open_interest = (double)(i % 977);
        k.line = (long)i + 2;
        ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    }
    check_big(c, N, "grown");
    gex__chain_shrink(c);
    check_big(c, N, "shrunk");
    uint32_t *idx = malloc(N * sizeof *idx);
    ck_assert_ptr_nonnull(idx);
    for (size_t i = 0; i < N; i++)
        idx[i] = (uint32_t)i;
    gex_chain *copy = NULL;
    ck_assert_int_eq(gex_chain_extract(c, idx, N, &copy), GEX_OK);
    gex_chain_free(c);
    check_big(copy, N, "copied");
    gex_chain_free(copy);
    free(idx);

    /* Room for a million reserved at once, a thousand used, then shrunk below 4 MiB. */
    c = gex_chain_new();
    ck_assert_int_eq(gex__chain_reserve(c, 1000000), GEX_OK);
    for (size_t i = 0; i < 1000; i++) {
        gex_contract k = contract("SPY", NULL, DAY_2023_09_15 + (int32_t)(i % 400), 1.5 + (double)i,
                                  (int)(i & 1));
        k.open_interest = (double)(i % 977);
        k.line = (long)i + 2;
        ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    }
    gex__chain_shrink(c);
    check_big(c, 1000, "reserved, then shrunk");
    gex_chain_free(c);
}
END_TEST

/* Contract i with a value of its own in every field a contract gives, so that arrays laid over
 * each other in the slab would show. */
static gex_contract every_field(size_t i)
{
    gex_contract k = contract(i % 3 ? "SPY" : "QQQ", i % 5 ? NULL : "SPYW",
                              DAY_2023_09_15 + (int32_t)(i % 400), 1.5 + (double)i, (int)(i & 1));
    const double x = (double)i;
    k.bid = x + 0.25;
    k.ask = x + 0.5;
    k.last = x + 0.375;
    k.iv = 0.1 + x * 1e-7;
    k.open_interest = (double)(i % 977);
    k.volume = (double)(i % 1013);
    k.multiplier = i % 7 ? 100.0 : 10.0;
    k.vendor_delta = x * 1e-7;
    k.vendor_gamma = x * 1e-9;
    k.theo = x + 0.4375;
    k.line = (long)i + 2;
    return k;
}

/* Every field of the first n contracts of every_field() (NAN spots: none was set). */
static void check_every_field(const gex_chain *c, size_t n, const char *when)
{
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_msg(v.n == n, "%s: %zu contracts, not %zu", when, v.n, n);
    for (size_t i = 0; i < n; i++) {
        const gex_contract k = every_field(i);
        const char *u = gex_chain_symbol(c, v.underlying[i]);
        const char *r = gex_chain_symbol(c, v.root[i]);
        ck_assert_msg(strcmp(u, k.underlying) == 0 &&
                          strcmp(r, k.root != NULL ? k.root : k.underlying) == 0 &&
                          v.expiration[i] == k.expiration && v.settlement[i] > 0 &&
                          v.strike[i] == k.strike && v.type[i] == k.type && v.bid[i] == k.bid &&
                          v.ask[i] == k.ask && v.last[i] == k.last && v.file_iv[i] == k.iv &&
                          v.open_interest[i] == k.open_interest && v.volume[i] == k.volume &&
                          v.multiplier[i] == k.multiplier && isnan(v.spot[i]) &&
                          v.vendor_delta[i] == k.vendor_delta &&
                          v.vendor_gamma[i] == k.vendor_gamma && v.theo[i] == k.theo &&
                          v.line[i] == k.line && isnan(v.T[i]) && isnan(v.iv[i]) &&
                          v.status[i] == GEX_CONTRACT_OK,
                      "%s: contract %zu differs", when, i);
    }
}

/* Chains of 25,000 to 500,000 contracts keep their arrays together in one mapping (chain.c's
 * slab): reserved at once, grown into a larger slab, grown out of the slab's range, shrunk,
 * copied out and freed, every value kept. The sanitizer build checks that nothing is read or
 * written outside the arrays. */
START_TEST(test_chain_slab_arrays_keep_values)
{
    enum { N = 460000 }; /* from a reserve of 40,000, growth by 1.5 passes 4 MiB at 683,437 */
    gex_chain *c = gex_chain_new();
    ck_assert_int_eq(gex__chain_reserve(c, 40000), GEX_OK);
    ck_assert_ptr_nonnull(c->slab); /* a slab from the start */
    for (size_t i = 0; i < N; i++) {
        const gex_contract k = every_field(i);
        ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
        if (i + 1 == 40000 || i + 1 == 100000 || i + 1 == 300000) {
            check_every_field(c, i + 1, "grown in the slab's range");
            ck_assert_ptr_nonnull(c->slab);
        }
    }
    check_every_field(c, N, "grown past the slab's range");
    ck_assert_ptr_null(c->slab); /* its arrays have mappings of their own */
    gex_chain_free(c);

    /* Reserved for 200,000, 60,000 added, shrunk, then copied out. */
    c = gex_chain_new();
    ck_assert_int_eq(gex__chain_reserve(c, 200000), GEX_OK);
    ck_assert_ptr_nonnull(c->slab);
    for (size_t i = 0; i < 60000; i++) {
        const gex_contract k = every_field(i);
        ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    }
    gex__chain_shrink(c);
    check_every_field(c, 60000, "reserved, then shrunk");
    const gex_contract more = every_field(60000);
    ck_assert_int_eq(gex_chain_add(c, &more), GEX_OK); /* grown again after the shrink */
    check_every_field(c, 60001, "grown after the shrink");
    uint32_t *idx = malloc(60001 * sizeof *idx);
    ck_assert_ptr_nonnull(idx);
    for (size_t i = 0; i < 60001; i++)
        idx[i] = (uint32_t)i;
    gex_chain *copy = NULL;
    ck_assert_int_eq(gex_chain_extract(c, idx, 60001, &copy), GEX_OK);
    gex_chain_free(c);
    check_every_field(copy, 60001, "copied");
    gex_chain_free(copy);
    free(idx);
}
END_TEST

START_TEST(test_chain_underlyings_skips_roots_and_spot_only_symbols)
{
    gex_chain *c = gex_chain_new();
    ck_assert_int_eq(gex_chain_set_spot(c, "NDX", 15000.5), GEX_OK);
    gex_contract k = contract("SPX", "SPXW", DAY_2023_09_15, 4500, GEX_CALL);
    gex_chain_add(c, &k);
    k = contract("RUT", "RUTW", DAY_2023_09_15, 1800, GEX_PUT);
    gex_chain_add(c, &k);
    uint32_t ids[8];
    ck_assert_uint_eq(gex_chain_underlyings(c, ids, 8), 2);
    ck_assert_str_eq(gex_chain_symbol(c, ids[0]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(c, ids[1]), "RUT");
    gex_chain_free(c);
}
END_TEST

/* The distinct expirations, ascending, with their contract counts, whatever the order of the
 * contracts; none for an empty chain. */
START_TEST(test_chain_expirations_sorted_with_counts)
{
    gex_chain *c = gex_chain_new();
    int32_t *days = (int32_t *)1;
    size_t *counts = (size_t *)1, n = 9;
    ck_assert_int_eq(gex_chain_expirations(c, &days, &counts, &n), GEX_OK);
    ck_assert_ptr_null(days);
    ck_assert_ptr_null(counts);
    ck_assert_uint_eq(n, 0);
    const int32_t order[] = {DAY_2023_09_15 + 7, DAY_2023_09_15, DAY_2023_09_15 + 7,
                             DAY_2023_09_15 + 35, DAY_2023_09_15 + 7};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        gex_contract k = contract("SPX", "SPXW", order[i], 4500 + 5.0 * (double)i, GEX_CALL);
        ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    }
    ck_assert_int_eq(gex_chain_expirations(c, &days, &counts, &n), GEX_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(days[0], DAY_2023_09_15);
    ck_assert_int_eq(days[1], DAY_2023_09_15 + 7);
    ck_assert_int_eq(days[2], DAY_2023_09_15 + 35);
    ck_assert_uint_eq(counts[0], 1);
    ck_assert_uint_eq(counts[1], 3);
    ck_assert_uint_eq(counts[2], 1);
    free(days);
    free(counts);
    ck_assert_int_eq(gex_chain_expirations(NULL, &days, &counts, &n), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_expirations(c, NULL, &counts, &n), GEX_EINVAL);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_set_spot_applies_to_present_and_future)
{
    gex_chain *c = gex_chain_new();
    gex_contract k = contract("QQQ", NULL, DAY_2023_09_15, 445.5, GEX_CALL);
    gex_chain_add(c, &k);
    k.underlying = "SPY";
    gex_chain_add(c, &k);
    ck_assert_int_eq(gex_chain_set_spot(c, "QQQ", 445.65), GEX_OK);
    k.underlying = "QQQ";
    gex_chain_add(c, &k);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_double_eq(v.spot[0], 445.65);
    ck_assert(isnan(v.spot[1]));
    ck_assert_double_eq(v.spot[2], 445.65);
    ck_assert_int_eq(gex_chain_set_spot(c, "QQQ", 0), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_set_spot(c, "QQQ", -1), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_set_spot(c, "QQQ", NAN), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_set_spot(c, "QQQ", INFINITY), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_set_spot(c, NULL, 1), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_set_spot(c, "", 1), GEX_EINVAL);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_set_settle_overrides_root)
{
    gex_chain *c = gex_chain_new();
    gex_contract k = contract("SPX", "SPX", DAY_2023_09_15, 4500, GEX_CALL);
    gex_chain_add(c, &k);
    k.root = "SPXW";
    gex_chain_add(c, &k);
    ck_assert_int_eq(gex_chain_set_settle(c, "spx", GEX_SETTLE_PM), GEX_OK);
    k.root = "SPX";
    gex_chain_add(c, &k);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.settlement[0], SPXW_PM_2023_09_15);
    ck_assert_int_eq(v.settlement[1], SPXW_PM_2023_09_15);
    ck_assert_int_eq(v.settlement[2], SPXW_PM_2023_09_15);
    ck_assert_int_eq(gex_chain_set_settle(c, "SPXW", GEX_SETTLE_AM), GEX_OK);
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.settlement[1], SPX_AM_2023_09_15);
    ck_assert_int_eq(v.settlement[0], SPXW_PM_2023_09_15);
    ck_assert_int_eq(gex_chain_set_settle(c, "", GEX_SETTLE_AM), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_set_settle(c, "SPX", (gex_settle)7), GEX_EINVAL);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_quote_time_absent_then_set)
{
    gex_chain *c = gex_chain_new();
    int64_t t = 12345;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_ENOTIME);
    ck_assert_int_eq(t, 12345);
    gex_chain_set_quote_time(c, QUOTE_2023_09_14_1631);
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, QUOTE_2023_09_14_1631);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_select_copies_one_underlying)
{
    gex_chain *c = gex_chain_new();
    gex_chain_set_quote_time(c, QUOTE_2023_09_14_1631);
    const char *u[] = {"SPX", "QQQ", "SPX", "qqq", "RUT"};
    for (int i = 0; i < 5; i++) {
        gex_contract k = contract(u[i], i == 2 ? "SPXW" : NULL, DAY_2023_09_15, 100 + i, GEX_CALL);
        k.line = i + 1;
        gex_chain_add(c, &k);
    }
    gex_chain_set_spot(c, "SPX", 4505.1);
    gex_chain_set_settle(c, "SPXW", GEX_SETTLE_AM);
    gex_chain *s = NULL;
    ck_assert_int_eq(gex_chain_select(c, "spx", &s), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(s, &v);
    ck_assert_uint_eq(v.n, 2);
    ck_assert_double_eq(v.strike[0], 100);
    ck_assert_double_eq(v.strike[1], 102);
    ck_assert_str_eq(gex_chain_symbol(s, v.root[1]), "SPXW");
    ck_assert_int_eq(v.settlement[1], SPX_AM_2023_09_15);
    ck_assert_double_eq(v.spot[1], 4505.1);
    ck_assert_int_eq(v.line[1], 3);
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(s, &t), GEX_OK);
    ck_assert_int_eq(t, QUOTE_2023_09_14_1631);
    /* A spot set after the selection still applies to the selected underlying. */
    gex_contract k = contract("SPX", NULL, DAY_2023_09_15, 200, GEX_PUT);
    ck_assert_int_eq(gex_chain_add(s, &k), GEX_OK);
    gex_chain_get_view(s, &v);
    ck_assert_double_eq(v.spot[2], 4505.1);
    gex_chain_free(s);

    /* Two spellings of one underlying are one selection. */
    ck_assert_int_eq(gex_chain_select(c, "QQQ", &s), GEX_OK);
    ck_assert_uint_eq(gex_chain_size(s), 2);
    gex_chain_free(s);

    s = (gex_chain *)c;
    ck_assert_int_eq(gex_chain_select(c, "NDX", &s), GEX_ENOTFOUND);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(gex_chain_select(c, NULL, &s), GEX_EINVAL);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_split_one_chain_per_underlying)
{
    gex_chain *c = gex_chain_new();
    gex_chain_set_quote_time(c, QUOTE_2023_09_14_1631);
    const char *u[] = {"SPX", "QQQ", "SPX", "RUT", "QQQ", "SPX"};
    const char *roots[] = {"SPXW", NULL, "SPX", "RUTW", NULL, "SPXW"};
    for (int i = 0; i < 6; i++) {
        gex_contract k = contract(u[i], roots[i], DAY_2023_09_15, 100.5 + i, i % 2);
        k.line = 10 + i;
        ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    }
    gex_chain_set_spot(c, "SPX", 4505.1);
    gex_chain_set_spot(c, "QQQ", 445.65);
    gex_chain_set_settle(c, "SPXW", GEX_SETTLE_AM);
    gex_chain *out[4];
    ck_assert_int_eq(gex_chain_split(c, out, 3), GEX_OK);
    const size_t sizes[] = {3, 2, 1};
    const char *names[] = {"SPX", "QQQ", "RUT"};
    for (int k = 0; k < 3; k++) {
        ck_assert_uint_eq(gex_chain_size(out[k]), sizes[k]);
        gex_chain_view v;
        gex_chain_get_view(out[k], &v);
        ck_assert_str_eq(gex_chain_symbol(out[k], v.underlying[0]), names[k]);
        int64_t t;
        ck_assert_int_eq(gex_chain_quote_time(out[k], &t), GEX_OK);
    }
    gex_chain_view v;
    gex_chain_get_view(out[0], &v);
    ck_assert_double_eq(v.strike[2], 105.5);
    ck_assert_int_eq(v.line[1], 12);
    ck_assert_str_eq(gex_chain_symbol(out[0], v.root[1]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(out[0], v.root[2]), "SPXW");
    ck_assert_int_eq(v.settlement[0], SPX_AM_2023_09_15); /* SPXW overridden to AM */
    ck_assert_double_eq(v.spot[0], 4505.1);
    /* The override and the spot follow the split chain. */
    gex_contract k = contract("SPX", "SPXW", DAY_2023_09_15, 200, GEX_PUT);
    gex_chain_add(out[0], &k);
    gex_chain_get_view(out[0], &v);
    ck_assert_int_eq(v.settlement[3], SPX_AM_2023_09_15);
    ck_assert_double_eq(v.spot[3], 4505.1);
    gex_chain_get_view(out[2], &v);
    ck_assert(isnan(v.spot[0]));
    for (int j = 0; j < 3; j++)
        gex_chain_free(out[j]);
    ck_assert_int_eq(gex_chain_split(c, out, 2), GEX_EINVAL);
    ck_assert_ptr_null(out[0]);
    ck_assert_ptr_null(out[1]);
    ck_assert_int_eq(gex_chain_split(c, out, 4), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_split(NULL, out, 3), GEX_EINVAL);
    gex_chain_free(c);
    /* An empty chain has no underlyings. */
    c = gex_chain_new();
    ck_assert_int_eq(gex_chain_split(c, out, 0), GEX_OK);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_extract_chosen_contracts_in_order)
{
    gex_chain *c = gex_chain_new();
    gex_chain_set_quote_time(c, QUOTE_2023_09_14_1631);
    const char *u[] = {"SPX", "QQQ", "SPX", "RUT", "QQQ", "SPX"};
    const char *roots[] = {"SPXW", NULL, "SPX", "RUTW", NULL, "SPXW"};
    for (int i = 0; i < 6; i++) {
        gex_contract k = contract(u[i], roots[i], DAY_2023_09_15, 100.5 + i, i % 2);
        k.line = 10 + i;
        ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    }
    gex_chain_set_spot(c, "SPX", 4505.1);
    gex_chain_set_settle(c, "SPXW", GEX_SETTLE_AM);
    /* The SPX contracts, listed backwards: the result keeps the order asked for. */
    const uint32_t idx[] = {5, 2, 0};
    gex_chain *e = NULL;
    ck_assert_int_eq(gex_chain_extract(c, idx, 3, &e), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(e, &v);
    ck_assert_uint_eq(v.n, 3);
    ck_assert_double_eq(v.strike[0], 105.5);
    ck_assert_double_eq(v.strike[1], 102.5);
    ck_assert_double_eq(v.strike[2], 100.5);
    ck_assert_int_eq(v.line[0], 15);
    ck_assert_str_eq(gex_chain_symbol(e, v.underlying[1]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(e, v.root[0]), "SPXW");
    ck_assert_str_eq(gex_chain_symbol(e, v.root[1]), "SPX");
    ck_assert_int_eq(v.settlement[0], SPX_AM_2023_09_15); /* SPXW overridden to AM */
    ck_assert_double_eq(v.spot[2], 4505.1);
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(e, &t), GEX_OK);
    ck_assert_int_eq(t, QUOTE_2023_09_14_1631);
    ck_assert_uint_eq(gex_chain_underlyings(e, NULL, 0), 1);
    /* The override and the spot follow the extracted chain, as they follow a selection. */
    gex_contract k = contract("SPX", "SPXW", DAY_2023_09_15, 200, GEX_PUT);
    ck_assert_int_eq(gex_chain_add(e, &k), GEX_OK);
    gex_chain_get_view(e, &v);
    ck_assert_int_eq(v.settlement[3], SPX_AM_2023_09_15);
    ck_assert_double_eq(v.spot[3], 4505.1);
    gex_chain_free(e);

    /* Nothing chosen: an empty chain. An index out of range or NULL arguments: EINVAL. */
    ck_assert_int_eq(gex_chain_extract(c, NULL, 0, &e), GEX_OK);
    ck_assert_uint_eq(gex_chain_size(e), 0);
    gex_chain_free(e);
    const uint32_t bad[] = {1, 6};
    e = (gex_chain *)c;
    ck_assert_int_eq(gex_chain_extract(c, bad, 2, &e), GEX_EINVAL);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(gex_chain_extract(c, NULL, 1, &e), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_extract(NULL, idx, 1, &e), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_extract(c, idx, 1, NULL), GEX_EINVAL);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_format_name_and_parse_round_trip)
{
    for (int f = 0; f < GEX_FORMAT_COUNT; f++) {
        const char *name = gex_format_name(f);
        ck_assert_ptr_nonnull(name);
        gex_format back;
        ck_assert_int_eq(gex_format_parse(name, &back), GEX_OK);
        ck_assert_int_eq(back, f);
    }
    ck_assert_str_eq(gex_format_name(GEX_FORMAT_CBOE_JSON), "cboe-json");
    ck_assert_ptr_null(gex_format_name(-1));
    ck_assert_ptr_null(gex_format_name(GEX_FORMAT_COUNT));
    gex_format f;
    ck_assert_int_eq(gex_format_parse("csv", &f), GEX_EINVAL);
    ck_assert_int_eq(gex_format_parse(NULL, &f), GEX_EINVAL);
}
END_TEST

START_TEST(test_status_and_skip_names)
{
    for (int s = 0; s < GEX_CONTRACT_STATUS_COUNT; s++)
        ck_assert_ptr_nonnull(gex_contract_status_name(s));
    for (int s = 0; s < GEX_SKIP_REASON_COUNT; s++)
        ck_assert_ptr_nonnull(gex_skip_reason_name(s));
    ck_assert_str_eq(gex_contract_status_name(GEX_CONTRACT_BELOW_INTRINSIC), "below_intrinsic");
    ck_assert_str_eq(gex_skip_reason_name(GEX_SKIP_BAD_STRIKE), "bad_strike");
    ck_assert_ptr_null(gex_contract_status_name(GEX_CONTRACT_STATUS_COUNT));
    ck_assert_ptr_null(gex_skip_reason_name(-1));
}
END_TEST

/* --- prepare --- */

START_TEST(test_chain_prepare_without_quote_time_names_now)
{
    gex_chain *c = gex_chain_new();
    gex_contract k = contract("SPX", NULL, DAY_2023_09_15, 4500, GEX_CALL);
    gex_chain_add(c, &k);
    gex_chain_set_spot(c, "SPX", 4505.1001);
    gex_error err;
    gex_error_clear(&err);
    ck_assert_int_eq(gex_chain_prepare(c, NULL, NULL, &err), GEX_ENOTIME);
    ck_assert_ptr_nonnull(strstr(err.text, "--now"));
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_prepare_without_spot_names_spot)
{
    gex_chain *c = gex_chain_new();
    gex_contract k = contract("TSLA", NULL, DAY_2023_09_15, 215, GEX_CALL);
    k.line = 9;
    gex_chain_add(c, &k);
    gex_chain_set_quote_time(c, QUOTE_2023_09_14_1631);
    gex_error err;
    gex_error_clear(&err);
    ck_assert_int_eq(gex_chain_prepare(c, NULL, NULL, &err), GEX_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.text, "--spot"));
    ck_assert_ptr_nonnull(strstr(err.text, "TSLA"));
    ck_assert_int_eq(err.line, 9);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_prepare_rejects_bad_options)
{
    gex_chain *c = gex_chain_new();
    gex_prepare_options o;
    gex_prepare_options_default(&o);
    ck_assert_double_eq(o.rate, 0.045);
    ck_assert_double_eq(o.div, 0.013);
    ck_assert_int_eq(o.has_now, 0);
    o.has_now = 1;
    o.rate = NAN;
    ck_assert_int_eq(gex_chain_prepare(c, &o, NULL, NULL), GEX_EINVAL);
    o.rate = 0.045;
    o.div = INFINITY;
    ck_assert_int_eq(gex_chain_prepare(c, &o, NULL, NULL), GEX_EINVAL);
    o.div = 0.013;
    o.iv_mode = (gex_iv_mode)9;
    ck_assert_int_eq(gex_chain_prepare(c, &o, NULL, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_prepare(NULL, &o, NULL, NULL), GEX_EINVAL);
    gex_chain_free(c);
}
END_TEST

/* GEX_PARITY_SPOT_GAP_MAX: under the parity carry a spot far from the quotes' forward (the
 * fixture quotes C - P = 4512.37 - K, a forward at its spot) only sets the dividend yield; the
 * preparation warns, naming the flat carry for a what-if. A spot within the bound, the quotes'
 * own, and the flat carry get no such warning. */
START_TEST(test_chain_prepare_spot_far_from_forward_warns)
{
    const struct {
        double spot;
        gex_carry_mode carry;
        const char *says; /* NULL: no such warning */
    } cases[] = {
        {GEX_TEST_SPX_SPOT, GEX_CARRY_PARITY, NULL},
        {GEX_TEST_SPX_SPOT * 1.029, GEX_CARRY_PARITY, NULL},
        {GEX_TEST_SPX_SPOT * 0.971, GEX_CARRY_PARITY, NULL},
        {GEX_TEST_SPX_SPOT * 1.1, GEX_CARRY_PARITY, "is 10.0% above the forward"},
        {GEX_TEST_SPX_SPOT * 0.9, GEX_CARRY_PARITY, "is 10.0% below the forward"},
        {GEX_TEST_SPX_SPOT * 1.1, GEX_CARRY_FLAT, NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gex_chain *c = gex_test_spx_chain(0);
        ck_assert_int_eq(gex_chain_set_spot(c, "SPX", cases[k].spot), GEX_OK);
        gex_prepare_options o;
        gex_prepare_options_default(&o);
        o.carry = cases[k].carry;
        o.rate = 0.0531; /* the rates of 2023: no stale-default warning */
        o.div = 0.0152;
        gex_prepare_report r;
        ck_assert_int_eq(gex_chain_prepare(c, &o, &r, NULL), GEX_OK);
        if (cases[k].says == NULL) {
            ck_assert_msg(strstr(r.warning, "spot") == NULL, "case %zu: %s", k, r.warning);
        } else {
            ck_assert_msg(strstr(r.warning, cases[k].says) != NULL, "case %zu: %s", k, r.warning);
            ck_assert_ptr_nonnull(strstr(r.warning, "of SPX"));
            ck_assert_ptr_nonnull(strstr(r.warning, "--carry flat"));
        }
        gex_chain_free(c);
    }
}
END_TEST

/* The nearest fitted expiration three years out (the nearer ones too thin to fit): its forward
 * lies 13.5% above the spot by carry alone (r = 4.5%, q = 0), which GEX_PARITY_SPOT_GAP_CARRY
 * grants; a spot twice the quotes' is still said. */
START_TEST(test_chain_prepare_spot_gap_grants_carry)
{
    const double spots[] = {100.0, 200.0};
    for (size_t k = 0; k < 2; k++) {
        gex_chain *c = gex_chain_new();
        const int32_t today = gex_time_days_from_civil(2023, 9, 14);
        const double T = 1096.0 / 365.0, D = exp(-0.045 * T), F = 100.0 * exp(0.045 * T);
        for (int i = -6; i <= 6; i++) {
            const double K = 100.0 + 5.0 * i;
            const double call = fmax(D * (F - K), 0) + 7.3;
            for (int t = 0; t < 2; t++) {
                const double mid = t == GEX_CALL ? call : call - D * (F - K);
                gex_contract q = contract("XYZ", "XYZ", today + 1096, K, t);
                q.bid = mid - 0.05;
                q.ask = mid + 0.05;
                q.iv = 0.3;
                q.open_interest = 50;
                q.multiplier = 100;
                ck_assert_int_eq(gex_chain_add(c, &q), GEX_OK);
            }
        }
        ck_assert_int_eq(gex_chain_set_spot(c, "XYZ", spots[k]), GEX_OK);
        gex_chain_set_quote_time(c, INT64_C(1694712600));
        gex_prepare_options o;
        gex_prepare_options_default(&o);
        o.carry = GEX_CARRY_PARITY;
        o.rate = 0.0531;
        o.div = 0.0152;
        gex_prepare_report r;
        ck_assert_int_eq(gex_chain_prepare(c, &o, &r, NULL), GEX_OK);
        const char *said = strstr(r.warning, "more than carry explains");
        if (k == 0)
            ck_assert_msg(said == NULL, "%s", r.warning);
        else
            ck_assert_msg(said != NULL && strstr(r.warning, "the spot 200 of XYZ") != NULL, "%s",
                          r.warning);
        gex_chain_free(c);
    }
}
END_TEST

START_TEST(test_chain_prepare_time_from_settlement)
{
    /* SPEC 1.1: T = (settlement - quote) / (365 x 86400); SPX monthlies settle at 09:30, SPXW
     * at 16:00 New York time. Seconds from the zoneinfo instants in the file comment. */
    gex_chain *c = gex_chain_new();
    gex_contract k = contract("SPX", "SPX", DAY_2023_09_15, 4500, GEX_CALL);
    k.iv = 0.1321;
    gex_chain_add(c, &k);
    k.root = "SPXW";
    gex_chain_add(c, &k);
    k.expiration = DAY_2023_09_15 - 1; /* expiring on the quote day, after its close: expired */
    gex_chain_add(c, &k);
    gex_chain_set_spot(c, "SPX", 4505.1001);
    gex_chain_set_quote_time(c, QUOTE_2023_09_14_1631);
    gex_prepare_report r;
    ck_assert_int_eq(gex_chain_prepare(c, NULL, &r, NULL), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_double_eq(v.T[0], (double)(SPX_AM_2023_09_15 - QUOTE_2023_09_14_1631) / 31536000.0);
    ck_assert_double_eq(v.T[1], (double)(SPXW_PM_2023_09_15 - QUOTE_2023_09_14_1631) / 31536000.0);
    ck_assert(v.T[2] < 0);
    ck_assert_int_eq(v.status[2], GEX_CONTRACT_EXPIRED);
    ck_assert_double_eq(v.iv[2], 0);
    ck_assert_int_eq(r.status[GEX_CONTRACT_EXPIRED], 1);
    ck_assert_int_eq(r.status[GEX_CONTRACT_OK], 2);
    ck_assert_int_eq(r.quote_time, QUOTE_2023_09_14_1631);

    /* --now wins over the file's instant. */
    gex_prepare_options o;
    gex_prepare_options_default(&o);
    o.has_now = 1;
    o.now = SPX_AM_2023_09_15; /* exactly at the AM settlement: T = 0 is expired */
    ck_assert_int_eq(gex_chain_prepare(c, &o, &r, NULL), GEX_OK);
    gex_chain_get_view(c, &v);
    ck_assert_double_eq(v.T[0], 0);
    ck_assert_int_eq(v.status[0], GEX_CONTRACT_EXPIRED);
    ck_assert_int_eq(v.status[1], GEX_CONTRACT_OK);
    ck_assert_int_eq(r.status[GEX_CONTRACT_EXPIRED], 2);
    ck_assert_int_eq(r.quote_time, SPX_AM_2023_09_15);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_chain_prepare_iv_sources)
{
    /* SPEC 1.4: file IV when finite in (0, 5]; else the mid; else no IV, by reason. */
    const double S = 4505.1001, r = 0.045, q = 0.013;
    gex_chain *c = gex_chain_new();
    gex_contract k = contract("SPX", "SPXW", DAY_2023_09_15 + 34, 4510, GEX_CALL);
    k.iv = 0.1432; /* 0: used as is */
    k.bid = 50.1;
    k.ask = 51.3;
    gex_chain_add(c, &k);
    k.iv = 24.001; /* 1: the 2020 file's sentinel: solved from the mid */
    gex_chain_add(c, &k);
    k.iv = 0; /* 2: IV 0 after the close: mid */
    gex_chain_add(c, &k);
    k.iv = NAN; /* 3: no IV, no bid: no_iv */
    k.bid = 0;
    gex_chain_add(c, &k);
    k.bid = 52; /* 4: ask below bid: no_iv */
    gex_chain_add(c, &k);
    k.type = GEX_PUT; /* 5: put far in the money, mid below intrinsic */
    k.strike = 5000;
    k.bid = 400;
    k.ask = 401;
    gex_chain_add(c, &k);
    k.type = GEX_CALL; /* 6: call above the spot (the no-arbitrage maximum) */
    k.bid = 4600;
    k.ask = 4601;
    gex_chain_add(c, &k);
    k.iv = 5.0; /* 7: exactly 5 is in (0, 5]: file (another strike: at 5000 it would give the
                 * put its IV, test_chain_prepare_iv_from_other_side) */
    k.strike = 5005;
    gex_chain_add(c, &k);
    gex_chain_set_spot(c, "SPX", S);
    gex_chain_set_quote_time(c, QUOTE_2023_09_14_1631);

    gex_prepare_report rep;
    ck_assert_int_eq(gex_chain_prepare(c, NULL, &rep, NULL), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.iv_source[0], GEX_IV_SOURCE_FILE);
    ck_assert_double_eq(v.iv[0], 0.1432);
    for (int i = 1; i <= 2; i++) {
        ck_assert_int_eq(v.status[i], GEX_CONTRACT_OK);
        ck_assert_int_eq(v.iv_source[i], GEX_IV_SOURCE_MID);
        /* Identity: the solved volatility reprices the mid. */
        double price;
        ck_assert_int_eq(gex_bs_price(GEX_CALL, S, 4510, v.T[i], v.iv[i], r, q, &price), GEX_BS_OK);
        ck_assert_rel(price, (50.1 + 51.3) / 2, 1e-10, 0);
    }
    ck_assert_int_eq(v.status[3], GEX_CONTRACT_NO_IV);
    ck_assert_int_eq(v.status[4], GEX_CONTRACT_NO_IV);
    ck_assert_int_eq(v.status[5], GEX_CONTRACT_BELOW_INTRINSIC);
    ck_assert_int_eq(v.status[6], GEX_CONTRACT_ABOVE_MAX);
    ck_assert_int_eq(v.iv_source[7], GEX_IV_SOURCE_FILE);
    for (int i = 3; i <= 6; i++) {
        ck_assert_double_eq(v.iv[i], 0);
        ck_assert_int_eq(v.iv_source[i], GEX_IV_SOURCE_NONE);
    }
    ck_assert_uint_eq(rep.iv_from_file, 2);
    ck_assert_uint_eq(rep.iv_from_mid, 2);
    ck_assert_uint_eq(rep.status[GEX_CONTRACT_NO_IV], 2);

    /* --iv-source file: only the file's IV. */
    gex_prepare_options o;
    gex_prepare_options_default(&o);
    o.iv_mode = GEX_IV_MODE_FILE;
    ck_assert_int_eq(gex_chain_prepare(c, &o, &rep, NULL), GEX_OK);
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.status[1], GEX_CONTRACT_NO_IV);
    ck_assert_int_eq(v.status[5], GEX_CONTRACT_NO_IV);
    ck_assert_uint_eq(rep.iv_from_mid, 0);
    ck_assert_uint_eq(rep.status[GEX_CONTRACT_OK], 2);

    /* --iv-source mid: the file's IV is ignored. */
    o.iv_mode = GEX_IV_MODE_MID;
    ck_assert_int_eq(gex_chain_prepare(c, &o, &rep, NULL), GEX_OK);
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.iv_source[0], GEX_IV_SOURCE_MID);
    ck_assert_double_eq(v.iv[0], v.iv[1]);
    ck_assert_uint_eq(rep.iv_from_file, 0);
    gex_chain_free(c);
}
END_TEST

/* Issue 14: where a contract's own mid gives no IV (below intrinsic), the same strike's other
 * side gives it (put-call parity: one Black-Scholes IV for both at one forward), counted by
 * source; a strike whose two sides both fail, another root's strike, and --iv-source file stay
 * as they were. */
START_TEST(test_chain_prepare_iv_from_other_side)
{
    const double S = 100.37, T_days = 30;
    const int32_t exp_day = gex_time_days_from_civil(2024, 4, 19);
    const int64_t now = (int64_t)(exp_day - (int32_t)T_days) * 86400 + 20 * 3600;
    gex_chain *c = gex_chain_new();
    /* strike 80: the call's mid below S e^{-qT} - K e^{-rT} (about 20.6), the put quoted with
     * an IV; strike 75: both sides below intrinsic-like prices (the put's ask 0 is no quote);
     * strike 80 of another root: the call alone, below intrinsic */
    const struct {
        const char *root;
        double K;
        int type;
        double bid, ask;
    } rows[] = {
        {"XYZ", 80, GEX_CALL, 19.9, 20.1},  {"XYZ", 80, GEX_PUT, 0.11, 0.13},
        {"XYZ", 75, GEX_CALL, 24.9, 25.1},  {"XYZ", 75, GEX_PUT, 0.0, 0.0},
        {"XYZW", 80, GEX_CALL, 19.9, 20.1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        gex_contract k = {.underlying = "XYZ",
                          .root = rows[i].root,
                          .expiration = exp_day,
                          .strike = rows[i].K,
                          .type = rows[i].type,
                          .bid = rows[i].bid,
                          .ask = rows[i].ask,
                          .last = NAN,
                          .iv = NAN,
                          .open_interest = 10,
                          .volume = NAN,
                          .multiplier = 100,
                          .vendor_delta = NAN,
                          .vendor_gamma = NAN};
        ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    }
    ck_assert_int_eq(gex_chain_set_spot(c, "XYZ", S), GEX_OK);
    gex_prepare_options o;
    gex_prepare_options_default(&o);
    o.has_now = 1;
    o.now = now;
    gex_prepare_report rep;
    ck_assert_int_eq(gex_chain_prepare(c, &o, &rep, NULL), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    /* the put's own IV, solved independently */
    double put_iv = 0;
    ck_assert_int_eq(
        gex_bs_implied_vol_quote(GEX_PUT, 0.11, 0.13, S, 80, v.T[1], o.rate, o.div, &put_iv),
        GEX_IV_OK);
    ck_assert_int_eq(v.status[1], GEX_CONTRACT_OK);
    ck_assert_int_eq(v.iv_source[1], GEX_IV_SOURCE_MID);
    ck_assert_double_eq(v.iv[1], put_iv);
    ck_assert_int_eq(v.status[0], GEX_CONTRACT_OK);
    ck_assert_int_eq(v.iv_source[0], GEX_IV_SOURCE_PARITY);
    ck_assert_double_eq(v.iv[0], put_iv);
    /* both sides without an IV: unchanged */
    ck_assert_int_eq(v.status[2], GEX_CONTRACT_BELOW_INTRINSIC);
    ck_assert_int_eq(v.iv_source[2], GEX_IV_SOURCE_NONE);
    ck_assert_int_eq(v.status[3], GEX_CONTRACT_NO_IV);
    /* another root's strike is not the same contract pair */
    ck_assert_int_eq(v.status[4], GEX_CONTRACT_BELOW_INTRINSIC);
    ck_assert_uint_eq(rep.iv_from_parity, 1);
    ck_assert_uint_eq(rep.iv_from_mid, 1);
    ck_assert_uint_eq(rep.status[GEX_CONTRACT_OK], 2);
    ck_assert_uint_eq(rep.status[GEX_CONTRACT_BELOW_INTRINSIC], 2);
    ck_assert_uint_eq(rep.status[GEX_CONTRACT_NO_IV], 1);
    /* --iv-source file: no mids, no other side */
    o.iv_mode = GEX_IV_MODE_FILE;
    ck_assert_int_eq(gex_chain_prepare(c, &o, &rep, NULL), GEX_OK);
    ck_assert_uint_eq(rep.iv_from_parity, 0);
    ck_assert_uint_eq(rep.status[GEX_CONTRACT_NO_IV], 5);
    gex_chain_free(c);
}
END_TEST

static Suite *chain_suite(void)
{
    Suite *s = suite_create("chain");
    TCase *tc = tcase_create("storage");
    tcase_add_test(tc, test_chain_add_fills_every_array);
    tcase_add_test(tc, test_chain_prepare_iv_from_other_side);
    tcase_add_test(tc, test_chain_expirations_sorted_with_counts);
    tcase_add_test(tc, test_chain_add_defaults_root_and_multiplier);
    tcase_add_test(tc, test_chain_currency_set_and_kept);
    tcase_add_test(tc, test_chain_add_rejects_bad_contracts);
    tcase_add_test(tc, test_chain_add_grows_and_keeps_values);
    tcase_add_test(tc, test_chain_big_arrays_keep_values);
    tcase_add_test(tc, test_chain_slab_arrays_keep_values);
    tcase_add_test(tc, test_chain_underlyings_skips_roots_and_spot_only_symbols);
    tcase_add_test(tc, test_chain_set_spot_applies_to_present_and_future);
    tcase_add_test(tc, test_chain_set_settle_overrides_root);
    tcase_add_test(tc, test_chain_quote_time_absent_then_set);
    tcase_add_test(tc, test_chain_select_copies_one_underlying);
    tcase_add_test(tc, test_chain_split_one_chain_per_underlying);
    tcase_add_test(tc, test_chain_extract_chosen_contracts_in_order);
    tcase_add_test(tc, test_format_name_and_parse_round_trip);
    tcase_add_test(tc, test_status_and_skip_names);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("prepare");
    tcase_add_test(tp, test_chain_prepare_without_quote_time_names_now);
    tcase_add_test(tp, test_chain_prepare_without_spot_names_spot);
    tcase_add_test(tp, test_chain_prepare_rejects_bad_options);
    tcase_add_test(tp, test_chain_prepare_spot_far_from_forward_warns);
    tcase_add_test(tp, test_chain_prepare_spot_gap_grants_carry);
    tcase_add_test(tp, test_chain_prepare_time_from_settlement);
    tcase_add_test(tp, test_chain_prepare_iv_sources);
    suite_add_tcase(s, tp);
    return s;
}

int main(void)
{
    return gex_test_run(chain_suite());
}
