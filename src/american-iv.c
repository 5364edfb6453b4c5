/*
 * Implied volatility of an American option (SPEC 1.8): the sigma at which gex_am_price equals a
 * price, by a bracketing secant search (Illinois variant of regula falsi: Dowell and Jarratt,
 * BIT 11, 1971) on sigma, started from the European implied volatility of the same price.
 *
 * The American price rises with sigma, and at equal sigma it is at least the European one, so
 * the European implied volatility of the price is an upper bound of the American one; one
 * secant step with the European vega lands near the root (the early-exercise premium changes
 * slowly with sigma), and the bracket keeps every later step safe.
 */
#include "gex/american.h"

#include <math.h>
#include <stddef.h>

#include "american-internal.h"
#include "bs-internal.h"

/* Stop when the bracket is this narrow relative to sigma, or the price is matched to a few ulps
 * (the price is smooth in sigma to about 1e-14 relative: its iteration count is fixed across
 * the search, see below). */
#define IV_SIGMA_TOL 1e-11
#define IV_PRICE_TOL 4e-15
/* Newton steps of the final polish: the first lands within the search's precision, a second
 * only where the slope of the last bracket was poor. */
#define IV_POLISH_STEPS 3
/* The second search's first step from the first one's root, relative to sigma, and its growth. */
#define IV_NEAR_STEP   1e-5
#define IV_NEAR_GROWTH 8

typedef struct iv_problem {
    int type;
    double S, K, T, r, q, target;
    const gex__am_scheme *scheme; /* every solve's: the first one's (it depends on sigma) */
    int steps;                    /* fixed-point iterations of every solve: the first one's */
    int form;                     /* and its fixed-point form (-1 until then) */
    double last_x[2];             /* the last two evaluations, for the slope of the final polish */
    double last_f[2];
} iv_problem;

/* gex_am_price(sigma) - target, with the iteration count set by the search's first solve, so
 * that the function is smooth in sigma. */
static double excess(iv_problem *pb, double sigma)
{
    gex__am_value v;
    if (pb->scheme == NULL)
        pb->scheme = gex__am_scheme_for(pb->type, pb->T, sigma, pb->r, pb->q);
    gex__am_evaluate(pb->scheme, pb->type, pb->S, pb->K, pb->T, sigma, pb->r, pb->q, false,
                     pb->steps, pb->form, &v);
    if (pb->steps == 0) {
        pb->steps = v.steps;
        pb->form = v.form;
    }
    pb->last_x[0] = pb->last_x[1];
    pb->last_f[0] = pb->last_f[1];
    pb->last_x[1] = sigma;
    pb->last_f[1] = v.price - pb->target;
    return v.price - pb->target;
}

/* The search ran every solve with one scheme, form and iteration count; gex_am_price picks its
 * scheme by sigma (gex__am_scheme_for: the root can be on the other side of the rule's edge) and
 * stops its iteration where the boundary settles, which near the root can be another count, and
 * where the iteration converges slowly (low volatility, long maturity) a price up to 1e-7 of
 * itself away. Newton steps on gex_am_price itself, with the slope of the search's last two
 * evaluations, put the root on the function users call (the counts agree between sigmas this
 * close; where the scheme or the form differ, the search is run again first: search_near).
 * price_x is gex_am_price at x when the caller has it, else nan. */
static double polish(const iv_problem *pb, double x, double price_x)
{
    const double dx = pb->last_x[1] - pb->last_x[0];
    const double slope = dx != 0 ? (pb->last_f[1] - pb->last_f[0]) / dx : 0;
    if (!(slope > 0))
        return x;
    for (int it = 0; it < IV_POLISH_STEPS; it++) {
        double p = price_x;
        if (!(it == 0 && isfinite(p)) &&
            gex_am_price(pb->type, pb->S, pb->K, pb->T, x, pb->r, pb->q, &p) != GEX_AM_OK)
            return x;
        const double next = x - (p - pb->target) / slope;
        if (!(next > 0.5 * x && next < 2 * x))
            return x;
        if (fabs(p - pb->target) <= IV_PRICE_TOL * pb->target)
            return x;
        x = next;
    }
    return x;
}

/* Illinois: regula falsi that halves the value kept at an end twice in a row, on a bracket
 * (f_lo < 0 < f_hi). Writes the root, before the polish, to *x and returns GEX_AM_OK, or returns
 * GEX_AM_NOT_CONVERGED after GEX_AM_IV_MAX_ITERATIONS steps. */
static gex_am_status illinois(iv_problem *pb, double lo, double f_lo, double hi, double f_hi,
                              double *x_out)
{
    int side = 0;
    for (int it = 0; it < GEX_AM_IV_MAX_ITERATIONS; it++) {
        double x = lo - f_lo * (hi - lo) / (f_hi - f_lo);
        if (!(x > lo && x < hi))
            x = 0.5 * (lo + hi);
        const double fx = excess(pb, x);
        if (fabs(fx) <= IV_PRICE_TOL * pb->target || hi - lo <= IV_SIGMA_TOL * x) {
            *x_out = x;
            return GEX_AM_OK;
        }
        if (fx > 0) {
            hi = x;
            f_hi = fx;
            if (side == 1)
                f_lo *= 0.5;
            side = 1;
        } else {
            lo = x;
            f_lo = fx;
            if (side == -1)
                f_hi *= 0.5;
            side = -1;
        }
        if (hi - lo <= IV_SIGMA_TOL * hi) {
            *x_out = 0.5 * (lo + hi);
            return GEX_AM_OK;
        }
    }
    return GEX_AM_NOT_CONVERGED;
}

/* The search again, on pb's new scheme, form and count, from the first search's root x: steps
 * away from x growing by IV_NEAR_GROWTH until the excess changes sign, then Illinois. The two
 * functions differ by about 1e-5 of the price at most (form A stopped before it settles), so
 * the first or second step brackets the root. */
static gex_am_status search_near(iv_problem *pb, double x, double *x_out)
{
    double fx = excess(pb, x);
    if (fx == 0) {
        *x_out = x;
        return GEX_AM_OK;
    }
    double d = IV_NEAR_STEP * x;
    for (int it = 0; it < GEX_AM_IV_MAX_ITERATIONS; it++) {
        double y = fx > 0 ? x - d : x + d;
        y = fmin(fmax(y, GEX_AM_IV_MIN_SIGMA), GEX_AM_IV_MAX_SIGMA);
        const double fy = excess(pb, y);
        if (fy == 0) {
            *x_out = y;
            return GEX_AM_OK;
        }
        if ((fy > 0) != (fx > 0))
            return fy > 0 ? illinois(pb, x, fx, y, fy, x_out) : illinois(pb, y, fy, x, fx, x_out);
        if (y == GEX_AM_IV_MIN_SIGMA)
            return GEX_AM_BELOW_INTRINSIC;
        if (y == GEX_AM_IV_MAX_SIGMA)
            return GEX_AM_ABOVE_MAX;
        x = y;
        fx = fy;
        d *= IV_NEAR_GROWTH;
    }
    return GEX_AM_NOT_CONVERGED;
}

static gex_am_status map_iv_status(gex_iv_status s)
{
    switch (s) {
    case GEX_IV_OK:
        return GEX_AM_OK;
    case GEX_IV_NO_QUOTE:
        return GEX_AM_NO_QUOTE;
    case GEX_IV_BELOW_INTRINSIC:
        return GEX_AM_BELOW_INTRINSIC;
    case GEX_IV_ABOVE_MAX:
        return GEX_AM_ABOVE_MAX;
    case GEX_IV_BAD_INPUT:
        return GEX_AM_BAD_INPUT;
    default:
        return GEX_AM_NOT_CONVERGED;
    }
}

gex_am_status gex_am_implied_vol(int type, double price, double S, double K, double T, double r,
                                 double q, double *sigma)
{
    if (sigma == NULL || !gex__bs_inputs_ok(type, S, K, T, 1.0, r, q))
        return GEX_AM_BAD_INPUT;
    if (!(price > 0) || !isfinite(price))
        return GEX_AM_NO_QUOTE;
    if (!gex_am_early_exercise(type, r, q))
        return map_iv_status(gex_bs_implied_vol(type, price, S, K, T, r, q, sigma));
    if ((type == GEX_CALL ? q : r) < 0)
        return GEX_AM_DOUBLE_BOUNDARY;
    const double intrinsic = type == GEX_CALL ? S - K : K - S;
    if (price <= intrinsic)
        return GEX_AM_BELOW_INTRINSIC;
    if (price >= (type == GEX_CALL ? S : K))
        return GEX_AM_ABOVE_MAX;

    iv_problem pb = {
        .type = type, .S = S, .K = K, .T = T, .r = r, .q = q, .target = price, .form = -1};
    /* The upper end: the European implied volatility of the price when it has one (an upper
     * bound, see the file comment), else doubling from 1. */
    double hi = 0, f_hi = 0, vega_eu = 0;
    double eu;
    if (gex_bs_implied_vol(type, price, S, K, T, r, q, &eu) == GEX_IV_OK &&
        eu > GEX_AM_IV_MIN_SIGMA && eu < GEX_AM_IV_MAX_SIGMA) {
        hi = eu;
        f_hi = excess(&pb, hi);
        gex_greeks g;
        if (gex_bs_greeks(type, S, K, T, eu, r, q, &g) == GEX_BS_OK)
            vega_eu = g.vega;
    }
    if (!(f_hi > 0)) {
        hi = 1;
        f_hi = excess(&pb, hi);
        while (f_hi <= 0) {
            if (hi >= GEX_AM_IV_MAX_SIGMA)
                return GEX_AM_ABOVE_MAX;
            hi = fmin(2 * hi, GEX_AM_IV_MAX_SIGMA);
            f_hi = excess(&pb, hi);
        }
        vega_eu = 0;
    }
    if (f_hi == 0) {
        *sigma = hi;
        return GEX_AM_OK;
    }
    /* The lower end: one step down by the European vega, then quartering until the price is
     * below the target. */
    double lo = vega_eu > 0 ? hi - f_hi / vega_eu : 0.5 * hi;
    if (!(lo > GEX_AM_IV_MIN_SIGMA) || lo >= hi)
        lo = 0.5 * hi;
    double f_lo = excess(&pb, lo);
    while (f_lo > 0) {
        if (lo <= GEX_AM_IV_MIN_SIGMA)
            return GEX_AM_BELOW_INTRINSIC;
        hi = lo;
        f_hi = f_lo;
        lo = fmax(0.25 * lo, GEX_AM_IV_MIN_SIGMA);
        f_lo = excess(&pb, lo);
    }
    if (f_lo == 0) {
        *sigma = lo;
        return GEX_AM_OK;
    }
    double x;
    const gex_am_status st = illinois(&pb, lo, f_lo, hi, f_hi, &x);
    if (st != GEX_AM_OK)
        return st;
    /* The search ran every solve with its first one's scheme and fixed-point form, chosen at
     * the European implied volatility. Where gex_am_price chooses another at the root, the
     * search's function is not gex_am_price's: form A [ALO] settles at the European volatility
     * and diverges at a lower one (low volatility, long maturity, a large put rate: the call K
     * 100, T 1, sigma 0.05, r 0, q 0.05 at spot 100), where gex_am_price falls back to form B.
     * Form A stopped after the first solve's count is then 2e-5 of the price off with twice the
     * true vega, and the polish's Newton steps on that slope fall short (sigma was 1.2e-6
     * relative off). Search again with gex_am_price's choice at the root: this value is
     * gex_am_price's (the same call), and the polish's first. */
    const gex__am_scheme *scheme = gex__am_scheme_for(type, T, x, r, q);
    gex__am_value v;
    gex__am_evaluate(scheme, type, S, K, T, x, r, q, false, 0, -1, &v);
    if (scheme != pb.scheme || v.form != pb.form) {
        pb.scheme = scheme;
        pb.steps = v.steps;
        pb.form = v.form;
        const gex_am_status again = search_near(&pb, x, &x);
        if (again != GEX_AM_OK)
            return again;
        v.price = nan("");
    }
    *sigma = polish(&pb, x, isfinite(v.price) ? v.price : nan(""));
    return GEX_AM_OK;
}
