/* gex/exposure.h: per-contract exposures against the independent reference of
 * test-exposure-ref.h (SPEC 1.3 and 1.5 written out by hand), the per-strike table's
 * invariants, units, filters and every error path. */
#include "gex-test.h"

#include "gex/exposure.h"
#include "test-exposure-ref.h"

/* SPEC 1.3 promises every greek within 1e-9 relative of an independent reference; the exposures
 * are products of a greek with exact inputs, and the rows sums of same-signed terms, so they
 * keep that bound. */
#define GREEK_REL 1e-9

/* 2024-03-20 14:30 New York (EDT, UTC-4) = 18:30 UTC. */
static int64_t quote_instant(void)
{
    return (int64_t)gex_time_days_from_civil(2024, 3, 20) * 86400 + 18 * 3600 + 30 * 60;
}

static int32_t day(int m, int d)
{
    return gex_time_days_from_civil(2024, m, d);
}

#define SPOT_A 5123.37

/* Two expirations, calls and puts, non-round inputs; strike 5200 has a call only. */
static const ref_contract chain_a[] = {
    {0, 5100, GEX_PUT, 0.151, 2871, 411},  {0, 5100, GEX_CALL, 0.142, 1523, NAN},
    {0, 5125, GEX_CALL, 0.138, 987, 53},   {0, 5125, GEX_PUT, 0.146, 1210, 7},
    {0, 5150, GEX_CALL, 0.133, 2240, 19},  {0, 5150, GEX_PUT, 0.149, 415, 0},
    {1, 5100, GEX_CALL, 0.155, 3310, 102}, {1, 5100, GEX_PUT, 0.162, 4102, 88},
    {1, 5150, GEX_CALL, 0.148, 1799, 3},   {1, 5150, GEX_PUT, 0.158, 906, NAN},
    {1, 5200, GEX_CALL, 0.141, 5120, 640},
};
#define N_A (sizeof chain_a / sizeof chain_a[0])

/* chain_a with the expiration slots 0 and 1 set to 2024-03-22 and 2024-04-19. */
static gex_chain *make_chain_a(double spot)
{
    ref_contract c[N_A];
    for (size_t i = 0; i < N_A; i++) {
        c[i] = chain_a[i];
        c[i].expiration = chain_a[i].expiration == 0 ? day(3, 22) : day(4, 19);
    }
    return ref_chain(c, N_A, spot, quote_instant());
}

static gex_exposure *compute(const gex_chain *chain, const gex_exposure_options *o)
{
    gex_exposure *e = NULL;
    ck_assert_int_eq(gex_exposure_compute(chain, o, &e), GEX_OK);
    ck_assert_ptr_nonnull(e);
    return e;
}

START_TEST(test_gex_unit_name_and_parse)
{
    gex_gex_unit u = GEX_UNIT_PCT;
    ck_assert_str_eq(gex_gex_unit_name(GEX_UNIT_PCT), "pct");
    ck_assert_str_eq(gex_gex_unit_name(GEX_UNIT_POINT), "point");
    ck_assert_str_eq(gex_gex_unit_name(GEX_UNIT_SHARES), "shares");
    ck_assert_ptr_null(gex_gex_unit_name(3));
    ck_assert_ptr_null(gex_gex_unit_name(-1));
    ck_assert_int_eq(gex_gex_unit_parse("shares", &u), GEX_OK);
    ck_assert_int_eq(u, GEX_UNIT_SHARES);
    ck_assert_int_eq(gex_gex_unit_parse("point", &u), GEX_OK);
    ck_assert_int_eq(u, GEX_UNIT_POINT);
    ck_assert_int_eq(gex_gex_unit_parse("percent", &u), GEX_EINVAL);
    ck_assert_int_eq(gex_gex_unit_parse(NULL, &u), GEX_EINVAL);
    ck_assert_int_eq(gex_gex_unit_parse("pct", NULL), GEX_EINVAL);

    gex_exposure_options o;
    gex_exposure_options_default(&o);
    ck_assert_int_eq(o.gex_unit, GEX_UNIT_PCT);
    ck_assert_int_eq(o.max_dte, -1);
    ck_assert_double_eq(o.min_oi, 0);
    ck_assert_uint_eq(o.n_expirations, 0);
    gex_exposure_options_default(NULL);
}
END_TEST

/* Every contract's exposures against SPEC 1.5 applied to the reference greeks. */
START_TEST(test_exposure_compute_contracts_match_reference)
{
    gex_chain *chain = make_chain_a(SPOT_A);
    ck_assert_ptr_nonnull(chain);
    gex_exposure *e = compute(chain, NULL);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    gex_contract_exposures c;
    gex_exposure_get_contracts(e, &c);
    ck_assert_uint_eq(c.n, N_A);
    const double S = SPOT_A;
    for (size_t i = 0; i < N_A; i++) {
        ck_assert_int_eq(c.included[i], 1);
        const ref_greeks g = ref_bs(v.type[i], S, v.strike[i], v.T[i], v.iv[i], REF_RATE, REF_DIV);
        const double s = v.type[i] == GEX_CALL ? 1 : -1, w = v.open_interest[i] * 100;
        ck_assert_double_eq(v.multiplier[i], 100);
        ck_assert_rel(c.gamma[i], g.gamma, GREEK_REL, 0);
        ck_assert_rel(c.delta[i], g.delta, GREEK_REL, 0);
        ck_assert_rel(c.gex[i], s * g.gamma * w * S * S * 0.01, GREEK_REL, 0);
        ck_assert_rel(c.dex[i], g.delta * w * S, GREEK_REL, 0);
        ck_assert_rel(c.vex[i], s * g.vanna * w * S * 0.01, GREEK_REL, 0);
        ck_assert_rel(c.chex[i], s * g.charm * w * S / 365, GREEK_REL, 0);
        /* SPEC 1.5 signs: dealers long calls (GEX > 0), short puts (GEX < 0); DEX carries the
         * delta's own sign */
        ck_assert(s * c.gex[i] > 0);
        ck_assert(v.type[i] == GEX_CALL ? c.dex[i] > 0 : c.dex[i] < 0);
    }
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* The per-strike table by hand: rows 5100, 5125, 5150, 5200 summing both expirations; net =
 * call + put exactly; totals the ascending sums of the rows exactly; gross = call - put. */
START_TEST(test_exposure_compute_rows_and_totals)
{
    gex_chain *chain = make_chain_a(SPOT_A);
    gex_exposure *e = compute(chain, NULL);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    gex_contract_exposures c;
    gex_exposure_get_contracts(e, &c);

    const double strikes[] = {5100, 5125, 5150, 5200};
    ck_assert_uint_eq(gex_exposure_strike_count(e), 4);
    const gex_strike_row *rows = gex_exposure_strikes(e);
    double net = 0, net_dex = 0, net_vex = 0, net_chex = 0, call = 0, put = 0;
    for (size_t r = 0; r < 4; r++) {
        ck_assert_double_eq(rows[r].strike, strikes[r]);
        double cg = 0, pg = 0, cd = 0, pd = 0, coi = 0, poi = 0, cv = 0, pv = 0;
        for (size_t i = 0; i < N_A; i++) {
            if (v.strike[i] != strikes[r])
                continue;
            const ref_greeks g =
                ref_bs(v.type[i], SPOT_A, v.strike[i], v.T[i], v.iv[i], REF_RATE, REF_DIV);
            const double w = v.open_interest[i] * 100;
            const double vol = isnan(chain_a[i].volume) ? 0 : chain_a[i].volume;
            if (v.type[i] == GEX_CALL) {
                cg += g.gamma * w * SPOT_A * SPOT_A * 0.01;
                cd += g.delta * w * SPOT_A;
                coi += v.open_interest[i];
                cv += vol;
            } else {
                pg -= g.gamma * w * SPOT_A * SPOT_A * 0.01;
                pd += g.delta * w * SPOT_A;
                poi += v.open_interest[i];
                pv += vol;
            }
        }
        ck_assert_rel(rows[r].call_gex, cg, GREEK_REL, 0);
        ck_assert_rel(rows[r].put_gex, pg, GREEK_REL, 0);
        ck_assert_rel(rows[r].call_dex, cd, GREEK_REL, 0);
        ck_assert_rel(rows[r].put_dex, pd, GREEK_REL, 0);
        ck_assert_double_eq(rows[r].call_oi, coi);
        ck_assert_double_eq(rows[r].put_oi, poi);
        ck_assert_double_eq(rows[r].call_volume, cv);
        ck_assert_double_eq(rows[r].put_volume, pv);
        ck_assert_double_eq(rows[r].net_gex, rows[r].call_gex + rows[r].put_gex);
        ck_assert_double_eq(rows[r].net_dex, rows[r].call_dex + rows[r].put_dex);
        ck_assert_double_eq(rows[r].net_vex, rows[r].call_vex + rows[r].put_vex);
        ck_assert_double_eq(rows[r].net_chex, rows[r].call_chex + rows[r].put_chex);
        net += rows[r].net_gex;
        net_dex += rows[r].net_dex;
        net_vex += rows[r].net_vex;
        net_chex += rows[r].net_chex;
        call += rows[r].call_gex;
        put += rows[r].put_gex;
    }
    /* 5200 has no put: its put side is exactly zero */
    ck_assert_double_eq(rows[3].put_gex, 0);
    ck_assert_double_eq(rows[3].put_oi, 0);

    gex_exposure_totals t;
    gex_exposure_get_totals(e, &t);
    ck_assert_double_eq(t.net_gex, net);
    ck_assert_double_eq(t.net_dex, net_dex);
    ck_assert_double_eq(t.net_vex, net_vex);
    ck_assert_double_eq(t.net_chex, net_chex);
    ck_assert_double_eq(t.call_gex, call);
    ck_assert_double_eq(t.put_gex, put);
    ck_assert_double_eq(t.gross_gex, call - put);
    /* gross = sum of |GEX| per contract */
    double gross = 0;
    for (size_t i = 0; i < N_A; i++)
        gross += fabs(c.gex[i]);
    ck_assert_rel(t.gross_gex, gross, 1e-14, 0);
    ck_assert_uint_eq(t.contracts, N_A);
    ck_assert_uint_eq(t.used, N_A);
    ck_assert_uint_eq(t.filtered, 0);
    ck_assert_double_eq(gex_exposure_spot(e), SPOT_A);
    ck_assert_int_eq(gex_exposure_quote_time(e), quote_instant());
    ck_assert_int_eq(gex_exposure_quote_date(e), day(3, 20));
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* The table of a chain is the sum of the tables of its expirations: the breakdown summed in
 * ascending expiration order gives the rows exactly, and each expiration computed alone (the
 * expirations filter) gives its breakdown rows. */
START_TEST(test_exposure_table_is_sum_of_expirations)
{
    gex_chain *chain = make_chain_a(SPOT_A);
    gex_exposure *e = compute(chain, NULL);
    const size_t nx = gex_exposure_expiry_count(e);
    ck_assert_uint_eq(nx, 2);
    ck_assert_int_eq(gex_exposure_expiry_date(e, 0), day(3, 22));
    ck_assert_int_eq(gex_exposure_expiry_date(e, 1), day(4, 19));

    gex_strike_row sum[4];
    memset(sum, 0, sizeof sum);
    const gex_strike_row *rows = gex_exposure_strikes(e);
    for (size_t b = 0; b < nx; b++) {
        size_t nb = 0;
        const gex_strike_row *br = gex_exposure_expiry_strikes(e, b, &nb);
        ck_assert_uint_eq(nb, b == 0 ? 3 : 3);
        gex_exposure_totals bt;
        gex_exposure_expiry_totals(e, b, &bt);
        ck_assert_uint_eq(bt.contracts, 6 - b);
        ck_assert_uint_eq(bt.used, 6 - b);
        double bnet = 0;
        for (size_t j = 0; j < nb; j++) {
            size_t r = 0;
            while (rows[r].strike != br[j].strike)
                r++;
            sum[r].call_gex += br[j].call_gex;
            sum[r].put_gex += br[j].put_gex;
            sum[r].call_chex += br[j].call_chex;
            sum[r].put_oi += br[j].put_oi;
            bnet += br[j].net_gex;
        }
        ck_assert_double_eq(bt.net_gex, bnet);

        /* the same expiration computed alone */
        gex_exposure_options o;
        gex_exposure_options_default(&o);
        const int32_t only = gex_exposure_expiry_date(e, b);
        o.expirations = &only;
        o.n_expirations = 1;
        gex_exposure *eb = compute(chain, &o);
        ck_assert_uint_eq(gex_exposure_strike_count(eb), nb);
        const gex_strike_row *rb = gex_exposure_strikes(eb);
        for (size_t j = 0; j < nb; j++) {
            ck_assert_double_eq(rb[j].strike, br[j].strike);
            ck_assert_double_eq(rb[j].call_gex, br[j].call_gex);
            ck_assert_double_eq(rb[j].put_gex, br[j].put_gex);
            ck_assert_double_eq(rb[j].net_vex, br[j].net_vex);
        }
        gex_exposure_totals t;
        gex_exposure_get_totals(eb, &t);
        ck_assert_double_eq(t.net_gex, bt.net_gex);
        ck_assert_uint_eq(t.filtered, N_A - (6 - b));
        gex_exposure_free(eb);
    }
    for (size_t r = 0; r < 4; r++) {
        ck_assert_double_eq(sum[r].call_gex, rows[r].call_gex);
        ck_assert_double_eq(sum[r].put_gex, rows[r].put_gex);
        ck_assert_double_eq(sum[r].call_chex, rows[r].call_chex);
        ck_assert_double_eq(sum[r].put_oi, rows[r].put_oi);
    }
    /* out of range */
    size_t nb = 99;
    ck_assert_ptr_null(gex_exposure_expiry_strikes(e, nx, &nb));
    ck_assert_uint_eq(nb, 0);
    ck_assert_int_eq(gex_exposure_expiry_date(e, nx), 0);
    gex_exposure_totals z;
    gex_exposure_expiry_totals(e, nx, &z);
    ck_assert_uint_eq(z.contracts, 0);
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* The order of the contracts in the file does not matter: the same chain listed backwards
 * (so not in expiration and strike order) gives the same rows, up to the order of the sums
 * within a row (a few roundings: 1e-14 relative). */
START_TEST(test_exposure_compute_order_independent)
{
    ref_contract c[N_A];
    for (size_t i = 0; i < N_A; i++) {
        c[i] = chain_a[N_A - 1 - i];
        c[i].expiration = c[i].expiration == 0 ? day(3, 22) : day(4, 19);
    }
    gex_chain *reversed = ref_chain(c, N_A, SPOT_A, quote_instant());
    gex_chain *chain = make_chain_a(SPOT_A);
    ck_assert_ptr_nonnull(reversed);
    gex_exposure *a = compute(chain, NULL), *b = compute(reversed, NULL);
    ck_assert_uint_eq(gex_exposure_strike_count(a), gex_exposure_strike_count(b));
    const gex_strike_row *ra = gex_exposure_strikes(a), *rb = gex_exposure_strikes(b);
    for (size_t r = 0; r < gex_exposure_strike_count(a); r++) {
        ck_assert_double_eq(ra[r].strike, rb[r].strike);
        ck_assert_rel(ra[r].call_gex, rb[r].call_gex, 1e-14, 0);
        ck_assert_rel(ra[r].put_gex, rb[r].put_gex, 1e-14, 0);
        ck_assert_rel(ra[r].net_chex, rb[r].net_chex, 1e-14, 1e-14 * fabs(ra[r].call_chex));
        ck_assert_double_eq(ra[r].call_oi + ra[r].put_oi, rb[r].call_oi + rb[r].put_oi);
    }
    ck_assert_uint_eq(gex_exposure_expiry_count(b), 2);
    for (size_t x = 0; x < 2; x++) {
        size_t na, nb;
        const gex_strike_row *ea = gex_exposure_expiry_strikes(a, x, &na);
        const gex_strike_row *eb = gex_exposure_expiry_strikes(b, x, &nb);
        ck_assert_int_eq(gex_exposure_expiry_date(a, x), gex_exposure_expiry_date(b, x));
        ck_assert_uint_eq(na, nb);
        for (size_t j = 0; j < na; j++) {
            ck_assert_double_eq(ea[j].strike, eb[j].strike);
            ck_assert_rel(ea[j].put_gex, eb[j].put_gex, 1e-14, 0);
        }
    }
    gex_exposure_free(a);
    gex_exposure_free(b);
    gex_chain_free(chain);
    gex_chain_free(reversed);
}
END_TEST

/* SPEC 1.5 units: point = pct * 100 / S and shares = pct * 100 / S^2, per contract and per row
 * (a few roundings of the products apart: 1e-14 relative). */
START_TEST(test_exposure_units_relate_by_spot)
{
    gex_chain *chain = make_chain_a(SPOT_A);
    gex_exposure_options o;
    gex_exposure_options_default(&o);
    gex_exposure *pct = compute(chain, &o);
    o.gex_unit = GEX_UNIT_POINT;
    gex_exposure *point = compute(chain, &o);
    o.gex_unit = GEX_UNIT_SHARES;
    gex_exposure *shares = compute(chain, &o);
    const double S = SPOT_A;
    const gex_strike_row *a = gex_exposure_strikes(pct), *b = gex_exposure_strikes(point),
                         *c = gex_exposure_strikes(shares);
    for (size_t r = 0; r < gex_exposure_strike_count(pct); r++) {
        ck_assert_rel(b[r].call_gex * S / 100, a[r].call_gex, 1e-14, 0);
        ck_assert_rel(c[r].call_gex * S * S / 100, a[r].call_gex, 1e-14, 0);
        ck_assert_rel(b[r].put_gex * S / 100, a[r].put_gex, 1e-14, 0);
        ck_assert_rel(c[r].put_gex * S * S / 100, a[r].put_gex, 1e-14, 0);
        /* the other exposures do not depend on the GEX unit */
        ck_assert_double_eq(b[r].net_dex, a[r].net_dex);
        ck_assert_double_eq(c[r].net_vex, a[r].net_vex);
    }
    gex_exposure_totals ta, tc;
    gex_exposure_get_totals(pct, &ta);
    gex_exposure_get_totals(shares, &tc);
    ck_assert_rel(tc.gross_gex * S * S / 100, ta.gross_gex, 1e-14, 0);
    ck_assert_int_eq(gex_exposure_get_options(point)->gex_unit, GEX_UNIT_POINT);
    gex_exposure_free(pct);
    gex_exposure_free(point);
    gex_exposure_free(shares);
    gex_chain_free(chain);
}
END_TEST

/* Filters: the expirations list, 0DTE, maximum days to expiry, minimum open interest; every
 * contract counted once; an empty selection succeeds with nothing used. */
START_TEST(test_exposure_compute_filters)
{
    gex_chain *chain = make_chain_a(SPOT_A);
    gex_exposure_options o;
    gex_exposure_options_default(&o);

    o.max_dte = 2; /* 2024-03-22 is 2 days after 2024-03-20 */
    gex_exposure *e = compute(chain, &o);
    gex_exposure_totals t;
    gex_exposure_get_totals(e, &t);
    ck_assert_uint_eq(t.used, 6);
    ck_assert_uint_eq(t.filtered, 5);
    ck_assert_uint_eq(gex_exposure_strike_count(e), 3);
    gex_exposure_free(e);

    o.max_dte = 1;
    e = compute(chain, &o);
    gex_exposure_get_totals(e, &t);
    ck_assert_uint_eq(t.used, 0);
    ck_assert_uint_eq(t.filtered, N_A);
    ck_assert_uint_eq(gex_exposure_strike_count(e), 0);
    ck_assert_ptr_null(gex_exposure_strikes(e));
    ck_assert_uint_eq(gex_exposure_expiry_count(e), 0);
    ck_assert_double_eq(t.net_gex, 0);
    ck_assert_double_eq(t.gross_gex, 0);
    gex_exposure_free(e);

    /* min_oi 2240 keeps OI 2240, 2871, 3310, 4102 and 5120 */
    o.max_dte = -1;
    o.min_oi = 2240;
    e = compute(chain, &o);
    gex_exposure_get_totals(e, &t);
    ck_assert_uint_eq(t.used, 5);
    ck_assert_uint_eq(t.filtered, 6);
    ck_assert_uint_eq(gex_exposure_strike_count(e), 3); /* 5100, 5150, 5200 */
    ck_assert_double_eq(gex_exposure_strikes(e)[1].call_oi, 2240);
    ck_assert_double_eq(gex_exposure_strikes(e)[1].put_oi, 0);
    gex_exposure_free(e);

    /* 0DTE: this chain has no contract expiring on 2024-03-20 */
    o.min_oi = 0;
    o.zero_dte = 1;
    e = compute(chain, &o);
    gex_exposure_get_totals(e, &t);
    ck_assert_uint_eq(t.used, 0);
    ck_assert_uint_eq(t.filtered, N_A);
    gex_exposure_free(e);

    /* 0DTE joins the listed expirations */
    const int32_t list[] = {day(4, 19)};
    o.expirations = list;
    o.n_expirations = 1;
    e = compute(chain, &o);
    gex_exposure_get_totals(e, &t);
    ck_assert_uint_eq(t.used, 5);
    ck_assert_uint_eq(gex_exposure_get_options(e)->n_expirations, 1);
    ck_assert_ptr_ne(gex_exposure_get_options(e)->expirations, list); /* the exposure's copy */
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* Contracts left out by status: an expired one makes no row, one without IV makes a row of
 * zeros (SPEC 1.5: every strike with a listed contract), both counted by reason. */
START_TEST(test_exposure_compute_statuses)
{
    const ref_contract c[] = {
        {0, 4990, GEX_PUT, 0.21, 100, NAN},  /* expired on 2024-03-19 */
        {1, 5010, GEX_CALL, NAN, 300, NAN},  /* no IV and no quote */
        {1, 5030, GEX_CALL, 0.17, 250, NAN}, /* the only one used */
    };
    ref_contract cc[3];
    for (size_t i = 0; i < 3; i++) {
        cc[i] = c[i];
        cc[i].expiration = c[i].expiration == 0 ? day(3, 19) : day(3, 22);
    }
    gex_chain *chain = ref_chain(cc, 3, 5021.4, quote_instant());
    ck_assert_ptr_nonnull(chain);
    gex_exposure *e = compute(chain, NULL);
    gex_exposure_totals t;
    gex_exposure_get_totals(e, &t);
    ck_assert_uint_eq(t.contracts, 3);
    ck_assert_uint_eq(t.used, 1);
    ck_assert_uint_eq(t.excluded[GEX_CONTRACT_EXPIRED], 1);
    ck_assert_uint_eq(t.excluded[GEX_CONTRACT_NO_IV], 1);
    ck_assert_uint_eq(gex_exposure_strike_count(e), 2);
    const gex_strike_row *rows = gex_exposure_strikes(e);
    ck_assert_double_eq(rows[0].strike, 5010);
    ck_assert_double_eq(rows[0].net_gex, 0);
    ck_assert_double_eq(rows[0].call_oi, 0); /* open interest of used contracts only */
    ck_assert_double_eq(rows[1].strike, 5030);
    ck_assert(rows[1].call_gex > 0);
    gex_contract_exposures v;
    gex_exposure_get_contracts(e, &v);
    ck_assert_int_eq(v.included[0], 0);
    ck_assert_int_eq(v.included[1], 0);
    ck_assert_int_eq(v.included[2], 1);
    ck_assert_double_eq(v.gamma[1], 0);
    ck_assert_double_eq(v.gex[0], 0);
    gex_exposure_totals bt;
    ck_assert_uint_eq(gex_exposure_expiry_count(e), 1);
    gex_exposure_expiry_totals(e, 0, &bt);
    ck_assert_uint_eq(bt.contracts, 2);
    ck_assert_uint_eq(bt.excluded[GEX_CONTRACT_NO_IV], 1);
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

/* The quote instant is the one T was measured from: --now (has_now) wins over the file's. */
START_TEST(test_exposure_compute_quote_instant_from_prepare)
{
    gex_chain *chain = make_chain_a(SPOT_A);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.has_now = 1;
    po.now = quote_instant() + 86400 + 3 * 3600 + 17; /* 2024-03-21 17:30:17 New York */
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    gex_exposure *e = compute(chain, NULL);
    ck_assert_int_eq(gex_exposure_quote_time(e), po.now);
    ck_assert_int_eq(gex_exposure_quote_date(e), day(3, 21));
    gex_exposure_free(e);
    gex_chain_free(chain);
}
END_TEST

START_TEST(test_exposure_compute_errors)
{
    gex_exposure *e = (gex_exposure *)&e;
    gex_chain *chain = make_chain_a(SPOT_A);
    ck_assert_int_eq(gex_exposure_compute(NULL, NULL, &e), GEX_EINVAL);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(gex_exposure_compute(chain, NULL, NULL), GEX_EINVAL);

    gex_exposure_options o;
    gex_exposure_options_default(&o);
    o.min_oi = -1;
    ck_assert_int_eq(gex_exposure_compute(chain, &o, &e), GEX_EINVAL);
    o.min_oi = NAN;
    ck_assert_int_eq(gex_exposure_compute(chain, &o, &e), GEX_EINVAL);
    gex_exposure_options_default(&o);
    o.gex_unit = (gex_gex_unit)7;
    ck_assert_int_eq(gex_exposure_compute(chain, &o, &e), GEX_EINVAL);
    gex_exposure_options_default(&o);
    o.n_expirations = 2;
    ck_assert_int_eq(gex_exposure_compute(chain, &o, &e), GEX_EINVAL);
    ck_assert_ptr_null(e);
    gex_chain_free(chain);

    /* empty chain: nothing to compute, not even a spot */
    chain = gex_chain_new();
    ck_assert_int_eq(gex_exposure_compute(chain, NULL, &e), GEX_EEMPTY);
    gex_chain_free(chain);

    /* not prepared */
    chain = gex_chain_new();
    const gex_contract k = {.underlying = "SPX",
                            .expiration = day(3, 22),
                            .strike = 5100,
                            .type = GEX_CALL,
                            .bid = NAN,
                            .ask = NAN,
                            .last = NAN,
                            .iv = 0.15,
                            .open_interest = 10,
                            .volume = NAN,
                            .multiplier = NAN,
                            .vendor_delta = NAN,
                            .vendor_gamma = NAN};
    ck_assert_int_eq(gex_chain_add(chain, &k), GEX_OK);
    ck_assert_int_eq(gex_chain_set_spot(chain, "SPX", 5100.5), GEX_OK);
    gex_chain_set_quote_time(chain, quote_instant());
    ck_assert_int_eq(gex_exposure_compute(chain, NULL, &e), GEX_EINVAL);

    /* several underlyings */
    gex_contract k2 = k;
    k2.underlying = "NDX";
    ck_assert_int_eq(gex_chain_add(chain, &k2), GEX_OK);
    ck_assert_int_eq(gex_chain_set_spot(chain, "NDX", 18011.25), GEX_OK);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    ck_assert_int_eq(gex_exposure_compute(chain, NULL, &e), GEX_EINVAL);
    ck_assert_ptr_null(e);
    gex_chain_free(chain);

    /* accessors accept NULL */
    gex_exposure_free(NULL);
    ck_assert_uint_eq(gex_exposure_strike_count(NULL), 0);
    ck_assert_ptr_null(gex_exposure_strikes(NULL));
    ck_assert_ptr_null(gex_exposure_get_options(NULL));
    gex_exposure_totals t;
    gex_exposure_get_totals(NULL, &t);
    ck_assert_uint_eq(t.used, 0);
    gex_contract_exposures cv;
    gex_exposure_get_contracts(NULL, &cv);
    ck_assert_uint_eq(cv.n, 0);
}
END_TEST

static Suite *exposure_suite(void)
{
    Suite *s = suite_create("exposure");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_gex_unit_name_and_parse);
    tcase_add_test(tc, test_exposure_compute_contracts_match_reference);
    tcase_add_test(tc, test_exposure_compute_rows_and_totals);
    tcase_add_test(tc, test_exposure_table_is_sum_of_expirations);
    tcase_add_test(tc, test_exposure_compute_order_independent);
    tcase_add_test(tc, test_exposure_units_relate_by_spot);
    tcase_add_test(tc, test_exposure_compute_filters);
    tcase_add_test(tc, test_exposure_compute_statuses);
    tcase_add_test(tc, test_exposure_compute_quote_instant_from_prepare);
    tcase_add_test(tc, test_exposure_compute_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(exposure_suite());
}
