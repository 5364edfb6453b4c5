/*
 * Pricing utilities that need no chain (gex/pricing.h, SPEC 5.4): the higher-order
 * Black-Scholes-Merton greeks on top of gex_bs_greeks, and the Kelly fraction of a long option.
 *
 * Greeks: Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007), ch. 2, with
 * cost of carry b = r - q. tests/test-pricing.c checks each against central differences of
 * gex_bs_price and gex_bs_greeks, and the set against the vendor's published example.
 * Kelly: maximise E[log(1 + f R)] (Kelly 1956; Thorp, "The Kelly criterion in blackjack, sports
 * betting and the stock market", 2006, sec. 7 for a continuous outcome) over the lognormal
 * terminal spot under the drift mu, by the midpoint rule over the normal variate.
 */
#include "gex/pricing.h"

#include <math.h>
#include <stdbool.h>

#include "gex/error.h"

static double norm_pdf(double x)
{
    return exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
}

/* N(x) through erfc, which keeps relative accuracy in the lower tail (A&S 26.2.29). */
static double norm_cdf(double x)
{
    return 0.5 * erfc(-x / M_SQRT2);
}

static bool all_finite(const gex_greeks_full *g)
{
    const double v[] = {g->rho,   g->dual_delta, g->vomma,  g->veta,  g->speed,
                        g->zomma, g->color,      g->ultima, g->lambda};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

int gex_pricing_greeks(int type, double S, double K, double T, double sigma, double r, double q,
                       gex_greeks_full *out)
{
    if (out == NULL)
        return GEX_EINVAL;
    gex_greeks bs;
    const gex_bs_status st = gex_bs_greeks(type, S, K, T, sigma, r, q, &bs);
    if (st != GEX_BS_OK)
        return st == GEX_BS_OVERFLOW ? GEX_ERANGE : GEX_EINVAL;
    const double sqrt_t = sqrt(T);
    const double vol_t = sigma * sqrt_t;
    const double d1 = (log(S / K) + (r - q + 0.5 * sigma * sigma) * T) / vol_t;
    const double d2 = d1 - vol_t;
    const double disc_r = exp(-r * T), disc_q = exp(-q * T);
    const double pdf1 = norm_pdf(d1);
    const double call = type == GEX_CALL;
    /* Gamma, vega and their derivatives are the same for a call and a put. */
    const double gamma = disc_q * pdf1 / (S * vol_t);
    const double vega = S * disc_q * pdf1 * sqrt_t;
    gex_greeks_full g = {.bs = bs};
    g.rho = call ? K * T * disc_r * norm_cdf(d2) : -K * T * disc_r * norm_cdf(-d2);
    g.dual_delta = call ? -disc_r * norm_cdf(d2) : disc_r * norm_cdf(-d2);
    /* Each of these is the density e^(-qT) n(d1) times powers of d1, d2, 1/sigma, 1/T. Where
     * that density underflows to 0 (|d1| beyond about 38.6: a tiny sigma or T far from the
     * forward, a huge T; or qT beyond about 745) each is 0, as its limit is (the density falls
     * as e^(-d1^2/2), faster than any of those powers grows), and is set so: the products
     * would read 0 x inf = nan where d1 d2 or 1/sigma^2 overflows. */
    if (disc_q * pdf1 != 0) {
        g.vomma = vega * d1 * d2 / sigma;
        g.veta = -vega * (q + (r - q) * d1 / vol_t - (1.0 + d1 * d2) / (2.0 * T));
        g.speed = -gamma / S * (d1 / vol_t + 1.0);
        g.zomma = gamma * (d1 * d2 - 1.0) / sigma;
        g.color = -disc_q * pdf1 / (2.0 * S * T * vol_t) *
                  (2.0 * q * T + 1.0 + (2.0 * (r - q) * T - d2 * vol_t) / vol_t * d1);
        g.ultima = -vega / (sigma * sigma) * (d1 * d2 * (1.0 - d1 * d2) + d1 * d1 + d2 * d2);
    }
    g.has_lambda = bs.price > 0;
    g.lambda = g.has_lambda ? bs.delta * S / bs.price : 0.0;
    if (!all_finite(&g))
        return GEX_ERANGE;
    *out = g;
    return GEX_OK;
}

/* The payoff at expiry of one share's option at terminal spot st. */
static double payoff(int type, double K, double st)
{
    const double v = type == GEX_CALL ? st - K : K - st;
    return v > 0 ? v : 0;
}

/* d/df E[log(1 + f R)] = E[R / (1 + f R)] over the cells (R >= -1; at f = 1 a cell with R = -1
 * makes it -inf, which bisection reads as "too far"). */
static double growth_slope(const double *ret, const double *w, size_t n, double f)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += w[i] * ret[i] / (1.0 + f * ret[i]);
    return s;
}

static double growth(const double *ret, const double *w, size_t n, double f)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += w[i] * log1p(f * ret[i]);
    return s;
}

/* Bisection to this width in f: far below the 6 decimals the fraction is shown with. */
#define KELLY_F_TOLERANCE 1e-12

int gex_pricing_kelly(const gex_kelly_in *in, gex_kelly_out *out)
{
    if (in == NULL || out == NULL)
        return GEX_EINVAL;
    const double S = in->S, K = in->K, T = in->T, sigma = in->sigma, prem = in->premium;
    if (!(S > 0 && isfinite(S) && K > 0 && isfinite(K) && T > 0 && isfinite(T) && sigma > 0 &&
          isfinite(sigma) && prem > 0 && isfinite(prem) && isfinite(in->mu) && isfinite(in->q)) ||
        (in->type != GEX_CALL && in->type != GEX_PUT))
        return GEX_EINVAL;
    const int type = in->type;
    const double vol_t = sigma * sqrt(T);
    const double drift = in->mu - in->q;
    const double m = log(S) + (drift - 0.5 * sigma * sigma) * T; /* mean of log S_T */

    /* Closed forms under the lognormal: P(S_T > x) = N((m - ln x) / vol_t). The expected
     * payoff comes from the cells below, as the vendor's does (Black's formula on the forward
     * differs in the 6th digit, and the vendor's expected_roi 0.160546 shows the cells'). */
    gex_kelly_out o = {0};
    const double p_above_k = norm_cdf((m - log(K)) / vol_t);
    o.probability_itm = type == GEX_CALL ? p_above_k : 1.0 - p_above_k;
    o.breakeven = type == GEX_CALL ? K + prem : K - prem;
    if (type == GEX_CALL)
        o.probability_of_profit = norm_cdf((m - log(o.breakeven)) / vol_t);
    else
        o.probability_of_profit = o.breakeven > 0 ? norm_cdf((log(o.breakeven) - m) / vol_t) : 0.0;

    double ret[GEX_KELLY_STEPS], w[GEX_KELLY_STEPS];
    const double dz = 2.0 * GEX_KELLY_Z_MAX / GEX_KELLY_STEPS;
    double mean_ret = 0;
    bool total_loss_possible = false;
    for (size_t i = 0; i < GEX_KELLY_STEPS; i++) {
        const double z = -GEX_KELLY_Z_MAX + ((double)i + 0.5) * dz;
        const double pay = payoff(type, K, exp(m + vol_t * z));
        ret[i] = pay / prem - 1.0;
        w[i] = norm_pdf(z) * dz;
        o.expected_payoff += w[i] * pay;
        mean_ret += w[i] * ret[i];
        total_loss_possible |= ret[i] <= -1.0;
    }
    if (mean_ret > 0) {
        if (!total_loss_possible && growth_slope(ret, w, GEX_KELLY_STEPS, 1.0) >= 0) {
            o.fraction = 1.0; /* bounded to [0, 1]: never leverage */
        } else {
            double lo = 0, hi = 1;
            while (hi - lo > KELLY_F_TOLERANCE) {
                const double mid = 0.5 * (lo + hi);
                if (growth_slope(ret, w, GEX_KELLY_STEPS, mid) > 0)
                    lo = mid;
                else
                    hi = mid;
            }
            o.fraction = lo;
        }
        o.growth_rate = growth(ret, w, GEX_KELLY_STEPS, o.fraction);
    }
    const double v[] = {o.fraction,        o.growth_rate,           o.expected_payoff,
                        o.probability_itm, o.probability_of_profit, o.breakeven};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!isfinite(v[i]))
            return GEX_ERANGE;
    *out = o;
    return GEX_OK;
}
