/*
 * gex/pricing.h: every Black-Scholes-Merton greek and the Kelly fraction of a long option.
 *
 * Truth: the vendor's published example (its API documentation, GET /v1/pricing/greeks and
 * /v1/pricing/kelly for spot 580, strike 580, 30 days, sigma 0.18, r 0.045, q 0.013, mu 0.12,
 * premium 12.69), reproduced to every printed digit; central differences of the lower greeks
 * (gex_bs_price, gex_bs_greeks: tested in test-bs.c against 50-digit references); put-call
 * identities; and, for Kelly, a brute-force maximisation with another quadrature.
 */
#include "gex-test.h"

#include <math.h>

#include "gex/error.h"
#include "gex/pricing.h"
#include "splitmix64.h"

/* Within half a unit of the last printed decimal (the vendor rounds half away from zero),
 * plus 1e-12 for the last bit of the product with 10^decimals. */
static void assert_printed(double ours, double printed, int decimals, const char *what)
{
    const double half_unit = 0.5 * pow(10, -decimals);
    ck_assert_msg(fabs(ours - printed) <= half_unit + 1e-12, "%s: ours %.12g, vendor %.*f", what,
                  ours, decimals, printed);
}

/* The vendor's example, in its units: theta per calendar day, vega per vol point, rho per 1.00,
 * vanna raw, charm = d(delta)/dT per day (the opposite sign of time passing), vomma, speed,
 * zomma and ultima raw, color = d(gamma)/dT and veta = d(vega)/dT per day. */
START_TEST(test_pricing_greeks_vendor_example)
{
    gex_greeks_full g;
    ck_assert_int_eq(gex_pricing_greeks(GEX_CALL, 580, 580, 30 / 365.0, 0.18, 0.045, 0.013, &g),
                     GEX_OK);
    assert_printed(g.bs.price, 12.687211, 6, "price");
    assert_printed(g.bs.delta, 0.53003, 6, "delta");
    assert_printed(g.bs.gamma, 0.013276, 6, "gamma");
    assert_printed(g.bs.theta / 365, -0.223599, 6, "theta");
    assert_printed(g.bs.vega / 100, 0.660706, 6, "vega");
    assert_printed(g.rho, 24.224395, 6, "rho");
    assert_printed(g.bs.vanna, -0.055551, 6, "vanna");
    assert_printed(-g.bs.charm / 365, 0.00049, 6, "charm");
    assert_printed(g.vomma, 0.709126, 6, "vomma");
    assert_printed(g.dual_delta, -0.508155, 6, "dual_delta");
    assert_printed(g.speed, -0.00005694, 8, "speed");
    assert_printed(g.zomma, -0.07361041, 8, "zomma");
    assert_printed(g.color / 365, -0.00022304, 8, "color");
    assert_printed(g.ultima, -17.241619, 6, "ultima");
    ck_assert(g.has_lambda);
    assert_printed(g.lambda, 24.2305, 4, "lambda");
    assert_printed(g.veta / 365, 1.092334, 6, "veta");
}
END_TEST

/* A central difference of step h has error h^2 f'''/6: with h 1e-4 of the scale the greek moves
 * on (S sigma sqrt(T) for S and K, T, r; 1e-5 sigma for sigma, whose third derivative ultima
 * needs the smaller step), about 1e-8 relative, and the rounding of the differenced values
 * eps / h about 1e-12. 2e-6 relative leaves a margin; below 1e-9 absolute (tiny greeks of far
 * contracts) the difference is noise. */
#define FD_REL 2e-6
#define FD_ABS 1e-9

typedef struct contract {
    int type;
    double S, K, T, sigma, r, q;
} contract;

static double price_of(contract c)
{
    double p = 0;
    ck_assert_int_eq(gex_bs_price(c.type, c.S, c.K, c.T, c.sigma, c.r, c.q, &p), GEX_BS_OK);
    return p;
}

static gex_greeks_full full_of(contract c)
{
    gex_greeks_full g;
    ck_assert_int_eq(gex_pricing_greeks(c.type, c.S, c.K, c.T, c.sigma, c.r, c.q, &g), GEX_OK);
    return g;
}

START_TEST(test_pricing_greeks_central_differences)
{
    uint64_t state = 0x5eed0042u;
    for (int i = 0; i < 400; i++) {
        /* Moneyness within two standard deviations, so that each greek has digits to compare. */
        contract c;
        c.type = (int)(gex_splitmix64(&state) & 1);
        c.S = 20 + 980 * gex_splitmix64_unit(&state);
        c.T = 0.02 + 2 * gex_splitmix64_unit(&state);
        c.sigma = 0.08 + 0.8 * gex_splitmix64_unit(&state);
        c.K = c.S * exp((4 * gex_splitmix64_unit(&state) - 2) * c.sigma * sqrt(c.T));
        c.r = -0.01 + 0.07 * gex_splitmix64_unit(&state);
        c.q = -0.01 + 0.05 * gex_splitmix64_unit(&state);
        const gex_greeks_full g = full_of(c);
        contract a = c, b = c;
        double h;

        h = 1e-4;
        a.r = c.r + h, b.r = c.r - h;
        ck_assert_rel(g.rho, (price_of(a) - price_of(b)) / (2 * h), FD_REL, FD_ABS * c.K);
        a = c, b = c;
        h = 1e-4 * c.K * c.sigma * sqrt(c.T);
        a.K = c.K + h, b.K = c.K - h;
        ck_assert_rel(g.dual_delta, (price_of(a) - price_of(b)) / (2 * h), FD_REL, FD_ABS);
        a = c, b = c;
        h = 1e-5 * c.sigma; /* ultima: the third derivative needs the smaller step */
        a.sigma = c.sigma + h, b.sigma = c.sigma - h;
        gex_greeks_full ga = full_of(a), gb = full_of(b);
        ck_assert_rel(g.vomma, (ga.bs.vega - gb.bs.vega) / (2 * h), FD_REL, FD_ABS * c.S);
        ck_assert_rel(g.zomma, (ga.bs.gamma - gb.bs.gamma) / (2 * h), FD_REL, FD_ABS);
        ck_assert_rel(g.ultima, (ga.vomma - gb.vomma) / (2 * h), FD_REL, FD_ABS * c.S);
        a = c, b = c;
        h = 1e-4 * c.T;
        a.T = c.T + h, b.T = c.T - h;
        ga = full_of(a), gb = full_of(b);
        ck_assert_rel(g.veta, (ga.bs.vega - gb.bs.vega) / (2 * h), FD_REL, FD_ABS * c.S);
        ck_assert_rel(g.color, (ga.bs.gamma - gb.bs.gamma) / (2 * h), FD_REL, FD_ABS);
        a = c, b = c;
        h = 1e-4 * c.S * c.sigma * sqrt(c.T); /* gamma moves on the scale S sigma sqrt(T) */
        a.S = c.S + h, b.S = c.S - h;
        ga = full_of(a), gb = full_of(b);
        ck_assert_rel(g.speed, (ga.bs.gamma - gb.bs.gamma) / (2 * h), FD_REL, FD_ABS / c.S);
        ck_assert_rel(g.lambda, g.bs.delta * c.S / g.bs.price, 1e-15, 0);
    }
}
END_TEST

/* Put-call parity C - P = S e^{-qT} - K e^{-rT} differentiated: rho_C - rho_P = K T e^{-rT},
 * dual_delta_C - dual_delta_P = -e^{-rT}; the gamma and vega families are equal. */
START_TEST(test_pricing_greeks_put_call_identities)
{
    const contract c = {GEX_CALL, 431.7, 455, 0.37, 0.23, 0.041, 0.017};
    contract p = c;
    p.type = GEX_PUT;
    const gex_greeks_full gc = full_of(c), gp = full_of(p);
    const double disc = exp(-c.r * c.T);
    ck_assert_rel(gc.rho - gp.rho, c.K * c.T * disc, 1e-13, 0);
    ck_assert_rel(gc.dual_delta - gp.dual_delta, -disc, 1e-13, 0);
    ck_assert_rel(gc.vomma, gp.vomma, 1e-15, 0);
    ck_assert_rel(gc.veta, gp.veta, 1e-15, 0);
    ck_assert_rel(gc.speed, gp.speed, 1e-15, 0);
    ck_assert_rel(gc.zomma, gp.zomma, 1e-15, 0);
    ck_assert_rel(gc.color, gp.color, 1e-15, 0);
    ck_assert_rel(gc.ultima, gp.ultima, 1e-15, 0);
    ck_assert(gp.lambda < 0);
}
END_TEST

/* The six greeks built on the density e^(-qT) n(d1) (vomma, veta, speed, zomma, color,
 * ultima) where it underflows to 0: their limit, 0, with the first-order ones at theirs. Spot
 * 100, strike 100, r 0.05, q 0.02, a year: as sigma -> 0 the call is worth its forward
 * intrinsic value S e^(-qT) - K e^(-rT) (Haug 2007, ch. 2: N(d1), N(d2) -> 1), with rho ->
 * K T e^(-rT), dual delta -> -e^(-rT), delta -> e^(-qT); the put is worth 0. */
static void assert_density_greeks_zero(const gex_greeks_full *g, const char *what)
{
    const double v[] = {g->vomma, g->veta, g->speed, g->zomma, g->color, g->ultima};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        ck_assert_msg(v[i] == 0, "%s: greek %zu is %.17g, not 0", what, i, v[i]);
}

START_TEST(test_pricing_greeks_density_underflow_limits)
{
    const double S = 100, K = 100, T = 1, r = 0.05, q = 0.02;
    const double disc_r = exp(-r * T), disc_q = exp(-q * T);
    static const double sigmas[] = {1e-12, 1e-100, 1e-300};
    for (size_t i = 0; i < sizeof sigmas / sizeof sigmas[0]; i++) {
        gex_greeks_full c, p;
        ck_assert_int_eq(gex_pricing_greeks(GEX_CALL, S, K, T, sigmas[i], r, q, &c), GEX_OK);
        ck_assert_int_eq(gex_pricing_greeks(GEX_PUT, S, K, T, sigmas[i], r, q, &p), GEX_OK);
        assert_density_greeks_zero(&c, "call, sigma -> 0");
        assert_density_greeks_zero(&p, "put, sigma -> 0");
        /* 1e-14: a few ulps of the exponentials, and of their difference (2.9, from 98 and
         * 95: 30 times less than either, so its relative error 30 times theirs). */
        ck_assert_rel(c.bs.price, S * disc_q - K * disc_r, 1e-14, 0);
        ck_assert_rel(c.rho, K * T * disc_r, 1e-15, 0);
        ck_assert_rel(c.dual_delta, -disc_r, 1e-15, 0);
        ck_assert_rel(c.lambda, disc_q * S / (S * disc_q - K * disc_r), 1e-14, 0);
        ck_assert(p.bs.price == 0 && p.rho == 0 && p.dual_delta == 0 && !p.has_lambda);
    }
    /* Approaching the limit: at sigma 0.002, d1 = 15 and n(d1) ~ 5e-50, so each greek (the
     * density times at most d1^4 / sigma^2 ~ 1e10) is below 1e-30. */
    gex_greeks_full near;
    ck_assert_int_eq(gex_pricing_greeks(GEX_CALL, S, K, T, 0.002, r, q, &near), GEX_OK);
    const double v[] = {near.vomma, near.veta, near.speed, near.zomma, near.color, near.ultima};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        ck_assert_msg(fabs(v[i]) < 1e-30, "greek %zu at sigma 0.002: %.17g", i, v[i]);
    /* T = 1e300: every discount and density underflows; gex_bs_greeks answers, so does this. */
    for (int type = GEX_CALL; type <= GEX_PUT; type++) {
        gex_greeks_full g;
        ck_assert_int_eq(gex_pricing_greeks(type, S, K, 1e300, 0.2, r, q, &g), GEX_OK);
        assert_density_greeks_zero(&g, "T 1e300");
        ck_assert(g.bs.price == 0 && g.rho == 0 && g.dual_delta == 0 && !g.has_lambda);
    }
}
END_TEST

START_TEST(test_pricing_greeks_bad_input)
{
    gex_greeks_full g = {.rho = 7};
    ck_assert_int_eq(gex_pricing_greeks(GEX_CALL, 0, 580, 0.1, 0.2, 0.04, 0, &g), GEX_EINVAL);
    ck_assert_int_eq(gex_pricing_greeks(GEX_CALL, 580, 580, -1, 0.2, 0.04, 0, &g), GEX_EINVAL);
    ck_assert_int_eq(gex_pricing_greeks(GEX_CALL, 580, 580, 0.1, NAN, 0.04, 0, &g), GEX_EINVAL);
    ck_assert_int_eq(gex_pricing_greeks(7, 580, 580, 0.1, 0.2, 0.04, 0, &g), GEX_EINVAL);
    ck_assert_int_eq(gex_pricing_greeks(GEX_CALL, 580, 580, 0.1, 0.2, 0.04, 0, NULL), GEX_EINVAL);
    /* A greek not representable: gamma as T -> 0 at the money (gex_bs_greeks's overflow). */
    ck_assert_int_eq(gex_pricing_greeks(GEX_CALL, 580, 580, 1e-300, 0.2, 0.04, 0, &g), GEX_ERANGE);
    ck_assert(g.rho == 7); /* untouched */
}
END_TEST

static const gex_kelly_in vendor_kelly = {GEX_CALL, 580, 580, 30 / 365.0, 0.18, 12.69, 0.12, 0.013};

START_TEST(test_pricing_kelly_vendor_example)
{
    gex_kelly_out k;
    ck_assert_int_eq(gex_pricing_kelly(&vendor_kelly, &k), GEX_OK);
    assert_printed(k.fraction, 0.076842, 6, "kelly_fraction");
    assert_printed(k.growth_rate, 0.00584368, 8, "expected_growth_rate");
    assert_printed(k.expected_payoff, 14.7273, 4, "expected_payoff");
    assert_printed(k.expected_payoff / 12.69 - 1, 0.160546, 6, "expected_roi");
    assert_printed(k.probability_itm, 0.557494, 6, "probability_itm");
    assert_printed(k.probability_of_profit, 0.391739, 6, "probability_of_profit");
    ck_assert_rel(k.breakeven, 592.69, 1e-15, 0);
}
END_TEST

/* An independent maximisation: the growth rate by the trapezoid rule on 20,000 cells over
 * +-8 sigma, maximised by golden-section search on the (concave) growth itself rather than by
 * bisection on its slope: the optimum agrees within the quadratures' difference (the midpoint
 * rule with 2000 cells is off by about 1e-6 in f here). */
static double brute_growth(const gex_kelly_in *in, double f)
{
    const int n = 20000;
    const double zmax = 8, dz = 2 * zmax / n, vol_t = in->sigma * sqrt(in->T);
    const double m = log(in->S) + (in->mu - in->q - 0.5 * in->sigma * in->sigma) * in->T;
    double s = 0;
    for (int i = 0; i <= n; i++) {
        const double z = -zmax + i * dz;
        const double st = exp(m + vol_t * z);
        const double pay = in->type == GEX_CALL ? fmax(st - in->K, 0) : fmax(in->K - st, 0);
        const double w = exp(-0.5 * z * z) / sqrt(2 * M_PI) * dz * (i == 0 || i == n ? 0.5 : 1);
        s += w * log1p(f * (pay / in->premium - 1));
    }
    return s;
}

START_TEST(test_pricing_kelly_brute_force)
{
    const gex_kelly_in cases[] = {
        vendor_kelly,
        {GEX_PUT, 101.3, 97, 45 / 365.0, 0.31, 2.05, -0.35, 0.0},
        {GEX_CALL, 48.2, 52, 120 / 365.0, 0.45, 2.4, 0.6, 0.01},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        gex_kelly_out k;
        ck_assert_int_eq(gex_pricing_kelly(&cases[c], &k), GEX_OK);
        ck_assert_msg(k.fraction > 0.001 && k.fraction < 0.999, "case %zu: f %g", c, k.fraction);
        const double phi = (sqrt(5.0) - 1) / 2;
        double lo = 0, hi = 0.999;
        while (hi - lo > 1e-7) {
            const double x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo);
            if (brute_growth(&cases[c], x1) < brute_growth(&cases[c], x2))
                lo = x1;
            else
                hi = x2;
        }
        const double best = 0.5 * (lo + hi), best_g = brute_growth(&cases[c], best);
        ck_assert_msg(fabs(k.fraction - best) < 2e-4, "case %zu: f %.6f, brute force %.6f", c,
                      k.fraction, best);
        ck_assert_rel(k.growth_rate, best_g, 1e-3, 1e-7);
        /* The expected payoff against Black's formula on the forward S e^{(mu - q) T}. */
        const gex_kelly_in *p = &cases[c];
        const double fwd = p->S * exp((p->mu - p->q) * p->T), vt = p->sigma * sqrt(p->T);
        const double d1 = (log(fwd / p->K) + 0.5 * vt * vt) / vt, d2 = d1 - vt;
        const double black =
            p->type == GEX_CALL ? fwd * 0.5 * erfc(-d1 / M_SQRT2) - p->K * 0.5 * erfc(-d2 / M_SQRT2)
                                : p->K * 0.5 * erfc(d2 / M_SQRT2) - fwd * 0.5 * erfc(d1 / M_SQRT2);
        ck_assert_rel(k.expected_payoff, black, 1e-5, 0);
    }
}
END_TEST

START_TEST(test_pricing_kelly_no_edge)
{
    gex_kelly_in in = vendor_kelly;
    in.mu = 0.0; /* below the market's carry: the call is worth less than its premium */
    gex_kelly_out k;
    ck_assert_int_eq(gex_pricing_kelly(&in, &k), GEX_OK);
    ck_assert(k.fraction == 0);
    ck_assert(k.growth_rate == 0);
    ck_assert(k.expected_payoff < in.premium);
    /* Put: P(ITM) is the complement of the call's. */
    gex_kelly_out kc;
    in.type = GEX_PUT;
    ck_assert_int_eq(gex_pricing_kelly(&in, &k), GEX_OK);
    in.type = GEX_CALL;
    ck_assert_int_eq(gex_pricing_kelly(&in, &kc), GEX_OK);
    ck_assert_rel(k.probability_itm + kc.probability_itm, 1.0, 1e-15, 0);
    ck_assert_rel(k.breakeven, in.K - in.premium, 1e-15, 0);
}
END_TEST

START_TEST(test_pricing_kelly_bad_input)
{
    gex_kelly_out k = {.fraction = 7};
    gex_kelly_in in = vendor_kelly;
    in.premium = 0;
    ck_assert_int_eq(gex_pricing_kelly(&in, &k), GEX_EINVAL);
    in = vendor_kelly, in.mu = INFINITY;
    ck_assert_int_eq(gex_pricing_kelly(&in, &k), GEX_EINVAL);
    in = vendor_kelly, in.type = 3;
    ck_assert_int_eq(gex_pricing_kelly(&in, &k), GEX_EINVAL);
    in = vendor_kelly, in.T = 0;
    ck_assert_int_eq(gex_pricing_kelly(&in, &k), GEX_EINVAL);
    ck_assert_int_eq(gex_pricing_kelly(NULL, &k), GEX_EINVAL);
    ck_assert_int_eq(gex_pricing_kelly(&vendor_kelly, NULL), GEX_EINVAL);
    ck_assert(k.fraction == 7);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pricing");
    TCase *tc = tcase_create("pricing");
    tcase_add_test(tc, test_pricing_greeks_vendor_example);
    tcase_add_test(tc, test_pricing_greeks_central_differences);
    tcase_add_test(tc, test_pricing_greeks_put_call_identities);
    tcase_add_test(tc, test_pricing_greeks_density_underflow_limits);
    tcase_add_test(tc, test_pricing_greeks_bad_input);
    tcase_add_test(tc, test_pricing_kelly_vendor_example);
    tcase_add_test(tc, test_pricing_kelly_brute_force);
    tcase_add_test(tc, test_pricing_kelly_no_edge);
    tcase_add_test(tc, test_pricing_kelly_bad_input);
    suite_add_tcase(s, tc);
    return gex_test_run(s);
}
