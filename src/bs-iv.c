/*
 * Implied volatility (SPEC 1.4).
 *
 * The method is gex's own, built on the framework of P. Jaeckel, "Let's Be Rational", Wilmott
 * (2015) (not on his code): normalise, pick an objective that is close to linear in the region of
 * the root, start from a good initial guess, and take Householder steps of order 3.
 *
 * Normalisation (Jaeckel sec. 2): with the forward F = S e^{(r-q)T}, x = ln(F/K) and the discount
 * e^{-rT}, an in-the-money price is turned into the out-of-the-money price of the other type by
 * put-call parity, and divided by sqrt(F K) e^{-rT}: beta = b(-|x|, s), s = sigma sqrt(T), where b
 * is the normalised Black function (src/bs-normalised.c). b increases in s from 0 to b_max =
 * e^{-|x|/2}, with one inflection point at s_c = sqrt(2|x|) (b'' = b' (x^2/s^3 - s/4)).
 *
 * Objectives, by where beta lies:
 *   below b(s_c):   f(s) = (-2 ln b(s))^{-1/2} - (-2 ln beta)^{-1/2}
 *                   (-2 ln b ~ x^2/s^2 in the lower wing, so f is nearly linear in s),
 *   up to b_max/2:  f(s) = b(s) - beta,
 *   above:          f(s) = ln(b_max - b(s)) - ln(b_max - beta)  (b_max - b ~ 2 cosh(x/2) N(-s/2)),
 * where b_max - b = e^{x/2} N(-h-t) + e^{-x/2} N(h-t) is summed without cancellation, and ln b
 * comes from gex__bs_normalised_log: in the lower wing, without the exponential of b's density
 * factor (and without underflow while s is far below the root).
 *
 * Initial guess: below s_c, the inverse of the normalised Bachelier form b ~ s B(x/s) (the
 * small-s limit, guess_lower), one Newton step on it; above, the upper-tail asymptote of b_max - b.
 *
 * Iteration: Householder's method of order 3 (convergence of order 4), each step kept inside a
 * bracket that only shrinks, falling back to bisection when it would leave it, so the iteration
 * always terminates. It stops when a step is below 2^-16 s (the next error is then of order
 * 2^-64 s) or below the precision the price allows (its rounding over the slope), and reports
 * GEX_IV_NOT_CONVERGED after GEX_BS_IV_MAX_ITERATIONS (32). Far from the root, where b is flat,
 * steps are bounded (STEP_GROWTH, HOUSEHOLDER_RATIO_MIN) so that a start a thousand times too
 * small or too large still ends at the root (tests/test-bs.c). Over x from -1e-9 to -30 and s
 * from 1e-4 to 30 (470,000 points), it takes at most 6 evaluations of b, 1.73 on average; on a
 * realistic chain, two. Jaeckel's own method takes two, with a more elaborate initial guess.
 */
#include "gex/bs.h"

#include <float.h>
#include <math.h>

#include "bs-internal.h"
#include "gex/error.h"

/* A step below this many ulps of s, or below the price's own rounding over the slope, is the
 * end: the next one would only move in the noise. */
#define STEP_ULPS 4.0
/* Relative rounding of a computed b, in ulps, per unit of h^2 + t^2 (the exponent's size):
 * src/bs-normalised.c keeps it to a few ulps plus the cancellation of its bracket. */
#define PRICE_NOISE_ULPS 16.0
/* Above this fraction of its maximum, b is found from b_max - b (which keeps its digits as b
 * approaches b_max); between the inflection point and here, from b itself. */
#define UPPER_FRACTION 0.5
/* Householder's third-order method converges with order 4: once a step is below
 * 2^-16 s, the error after it is of order (2^-16)^4 s, far below an ulp. */
#define QUARTIC_STEP 0x1p-16
/* Below this fraction of Newton's step, Householder's comes from a model of f far outside where
 * it holds (see the iteration). It happens from the initial guess too, where b is flat: over a
 * 470,000-point grid of x and s, Newton's step there (with STEP_GROWTH and the geometric
 * bisection) brought the worst case from 11 evaluations to 6. */
#define HOUSEHOLDER_RATIO_MIN 0.0625
/* A step moves s by at most this factor: from the initial guess the steps are a small fraction
 * of s; only a start far from the root takes larger ones. */
#define STEP_GROWTH 16.0
/* Above the inflection point the guess is at least this much beyond it (the crude form of
 * guess_upper can fall below s_c when beta is close to b_c). */
#define UPPER_GUESS_FLOOR 1e-3
/* The initial guess below the inflection point (guess_lower): G(1) = n(1) - N(-1) separates
 * the small-y and large-y asymptotes of G; two Newton steps on the Bachelier form bring the
 * guess within about 1e-3 of the root over the lower region. */
#define BACHELIER_G_AT_1   0.083315470
#define GUESS_NEWTON_STEPS 1
/* Fixed-point steps on the large-y asymptote of G before the Newton step. */
#define GUESS_FIXED_POINT_STEPS 1
/* Relative room left by below_inflection between its bounds on b_c and beta: the bounds are
 * computed to a few ulps, so a decision they make with this much room is b_c's own. */
#define BOUND_MARGIN       1e-12
#define GEX_BS_SQRT2PI_    2.50662827463100050242
#define GEX_BS_LN_SQRT2PI_ 0.91893853320467274178

/* The failures' names, from GEX_IV_NO_QUOTE on (gex/error.h numbers them apart). */
static const char *const iv_status_names[GEX_IV_STATUS_END - GEX_IV_NO_QUOTE] = {
    [GEX_IV_NO_QUOTE - GEX_IV_NO_QUOTE] = "no quote",
    [GEX_IV_BELOW_INTRINSIC - GEX_IV_NO_QUOTE] = "below intrinsic",
    [GEX_IV_ABOVE_MAX - GEX_IV_NO_QUOTE] = "above maximum",
    [GEX_IV_NOT_CONVERGED - GEX_IV_NO_QUOTE] = "not converged",
    [GEX_IV_BAD_INPUT - GEX_IV_NO_QUOTE] = "bad input",
};

const char *gex_iv_strstatus(gex_iv_status status)
{
    if (status == GEX_IV_OK)
        return "ok";
    /* Unsigned: a value below the first failure (a gex_status code, a negative int) is out of
     * range too. */
    if ((unsigned)status - GEX_IV_NO_QUOTE >= GEX_IV_STATUS_END - GEX_IV_NO_QUOTE)
        return "unknown status";
    return iv_status_names[status - GEX_IV_NO_QUOTE];
}

/* b_max - b(x, s) for x <= 0: both terms positive (N(-h-t), N(h-t) from erfc). */
static double complement(double x, double s)
{
    const double h = x / s, t = 0.5 * s;
    return exp(0.5 * x) * gex__bs_ncdf(-h - t) + exp(-0.5 * x) * gex__bs_ncdf(h - t);
}

/* Initial guess below the inflection point: for small s the normalised Black price is the
 * normalised Bachelier price, b ~ s B(x/s) with B(h) = n(h) + h N(h) (Jaeckel 2015, eq. (3.5) to
 * first order in t: b = 2t n(h)(1 + h Y(h)) + O(t^3)), and deep in the wing the error of that
 * form stays small in s. With y = |x|/s, beta/|x| = G(y) = (n(y) - y N(-y))/y, decreasing in y:
 * start from its asymptotes (G ~ 1/(sqrt(2 pi) y) - 1/2 as y -> 0; G ~ n(y)/y^3 as y -> inf,
 * A&S 26.2.12), then Newton steps on ln G (G' = -N(-y)/y - G/y). */
static double guess_lower(double x, double beta, double s_c)
{
    const double ax = fabs(x);
    const double nu = beta / ax;
    const double ln_nu = log(nu);
    double y;
    if (nu > BACHELIER_G_AT_1) {
        y = 1 / (GEX_BS_SQRT2PI_ * (nu + 0.5));
    } else {
        const double a = -2 * (ln_nu + GEX_BS_LN_SQRT2PI_);
        y = sqrt(a);
        for (int i = 0; i < GUESS_FIXED_POINT_STEPS; i++) {
            const double r = a - 6 * log(y);
            if (!(r > 0))
                break;
            y = sqrt(r);
        }
    }
    const double inv_nu = 1 / nu;
    for (int i = 0; i < GUESS_NEWTON_STEPS; i++) {
        /* ln G - ln nu over (ln G)' = -(N(-y) + B/y)/B, with B = n(y) - y N(-y). */
        const double upper_tail = gex__bs_ncdf(-y); /* N(-y) */
        const double bach = gex__bs_npdf(y) - y * upper_tail;
        const double inv_y = 1 / y;
        const double next = y + log(bach * inv_y * inv_nu) * bach / (upper_tail + bach * inv_y);
        if (!(next > 0 && next < HUGE_VAL))
            break;
        y = next;
    }
    const double s = ax / y;
    return s > 0 && s < HUGE_VAL ? s : 0.5 * s_c;
}

/* Initial guess above the inflection point: b_max - b ~ 2 cosh(x/2) N(-s/2) for large s, and
 * N(-t) ~ n(t)/t inverted by fixed point for the upper tail (A&S 26.2.12), or linearly
 * near t = 0 (N(-t) ~ 1/2 - t/sqrt(2 pi)). */
static double guess_upper(double x, double c, double s_c)
{
    const double p = c / (exp(0.5 * x) + exp(-0.5 * x));
    double t;
    if (p > 0.25) {
        t = (0.5 - p) / GEX_BS_INV_SQRT2PI;
    } else {
        t = sqrt(-2 * log(p));
        for (int i = 0; i < 3; i++) {
            const double rhs = -2 * log(p * t / GEX_BS_INV_SQRT2PI);
            if (!(rhs > 0))
                break;
            t = sqrt(rhs);
        }
    }
    const double s = 2 * t;
    return s > s_c ? s : s_c + UPPER_GUESS_FLOOR;
}

/* Whether beta is below b_c = b(x, s_c) = e^{x/2}/2 - e^{-x/2} N(-s_c), b at its inflection
 * point. With n(s_c) = e^{x}/sqrt(2 pi) = b_max^2/sqrt(2 pi), three bounds on N(-s_c) usually
 * decide without the erfc of N(-s_c):
 *   N(-z) < n(z)/z (the Mills ratio bound, A&S 26.2.12's leading term; Gordon 1941)
 *     gives b_c > b_max (1/2 - 1/(sqrt(2 pi) s_c)),
 *   N(-z) <= 1/2 - z n(z) (n decreases on z > 0)
 *     gives b_c >= b_max/2 - 1/(2 b_max) + s_c b_max/sqrt(2 pi),
 *   N(-z) > z n(z)/(1 + z^2) (Gordon 1941)
 *     gives b_c < b_max (1/2 - s_c/(sqrt(2 pi)(1 + s_c^2))).
 * The bounds are strict with room far beyond their rounding (BOUND_MARGIN); between them, b_c
 * itself. The answer is the same as from b_c alone. */
static bool below_inflection(double beta, double b_max, double s_c)
{
    const double mills = b_max * (0.5 - GEX_BS_INV_SQRT2PI / s_c);
    const double rectangle = 0.5 * (b_max - 1 / b_max) + GEX_BS_INV_SQRT2PI * s_c * b_max;
    const double lower = mills > rectangle ? mills : rectangle; /* not fmax: a libm call */
    if (beta < lower - BOUND_MARGIN * fabs(lower))
        return true;
    const double upper = b_max * (0.5 - GEX_BS_INV_SQRT2PI * s_c / (1 + s_c * s_c));
    if (beta > upper * (1 + BOUND_MARGIN))
        return false;
    return beta < 0.5 * b_max - gex__bs_ncdf(-s_c) / b_max;
}

/* Which objective the iteration runs on (file comment). */
enum objective { LOWER, MIDDLE, UPPER };

/* The normalised volatility s with b(x, s) = beta, for x <= 0 and 0 < beta < e^{x/2}, from s0 if
 * s0 > 0, else from the initial guess. */
static gex_iv_status solve_normalised(double x, double beta, double b_max, double s0, double *s_out,
                                      int *iterations)
{
    *iterations = 0;
    const double s_c = sqrt(-2 * x);
    /* b at the inflection point, where h + t = 0, only chooses the objective (each is monotone
     * in s on the whole line, and the bracket starts as (0, inf)), so the cancellation of the
     * two terms of b_c for tiny |x| does not matter. */
    const double c_target = b_max - beta;
    const enum objective obj = below_inflection(beta, b_max, s_c) ? LOWER
                               : beta <= UPPER_FRACTION * b_max   ? MIDDLE
                                                                  : UPPER;
    const double target = obj == LOWER   ? 1 / sqrt(-2 * log(beta))
                          : obj == UPPER ? log(c_target)
                                         : beta;
    double lo = 0, hi = HUGE_VAL;
    double s = s0 > 0         ? s0
               : obj == LOWER ? guess_lower(x, beta, s_c)
                              : guess_upper(x, c_target, s_c);
    for (int it = 0; it < GEX_BS_IV_MAX_ITERATIONS; it++) {
        *iterations = it + 1;
        const double inv_s = 1 / s;
        const double h = x * inv_s, t = 0.5 * s;
        double bp;
        /* b''/b' = w1 = x^2/s^3 - s/4 and b'''/b' = w2 = w1^2 - 3x^2/s^4 - 1/4 (differentiate
         * b' = exp(-(x^2/s^2 + s^2/4)/2)/sqrt(2 pi)). For L = ln g with r1 = g'/g:
         * L''/L' = w1 - r1 and L'''/L' = w2 - 3 r1 w1 + 2 r1^2. */
        const double hh = h * h; /* x^2/s^2 */
        const double w1 = hh * inv_s - 0.25 * s;
        const double w2 = w1 * w1 - 3 * hh * inv_s * inv_s - 0.25;
        /* f(s), f'(s), h2 = f''/f', h3 = f'''/f', the scale of f's rounding, and whether f
         * increases with s. */
        double f, f1, h2, h3, scale;
        bool increasing = true;
        if (obj == LOWER) {
            /* f = (-2 ln b)^{-1/2}, nearly linear in s (-2 ln b ~ x^2/s^2). With L = ln b,
             * u = 1/(-2L): f' = u^{3/2} L', f''/f' = 3u L' + L''/L',
             * f'''/f' = 15 u^2 L'^2 + 9u L'' + L'''/L' (chain rule). */
            double r1;
            const double lnb = gex__bs_normalised_log(x, s, &r1);
            const double u = -0.5 / lnb;
            const double l2 = w1 - r1;
            const double l3 = w2 - 3 * r1 * w1 + 2 * r1 * r1;
            f = sqrt(u) - target;
            f1 = u * sqrt(u) * r1;
            h2 = 3 * u * r1 + l2;
            h3 = 15 * u * u * r1 * r1 + 9 * u * r1 * l2 + l3;
            scale = u * sqrt(u); /* df = u^{3/2} dL, and dL ~ an ulp */
        } else if (obj == MIDDLE) {
            const double b = gex__bs_normalised_otm_vega(x, s, &bp);
            f = b - target;
            f1 = bp;
            h2 = w1;
            h3 = w2;
            scale = b;
        } else {
            bp = gex__bs_normalised_vega(x, s);
            const double c = complement(x, s);
            const double r1 = -bp / c;
            f = log(c) - target;
            f1 = r1;
            h2 = w1 - r1;
            h3 = w2 - 3 * r1 * w1 + 2 * r1 * r1;
            increasing = false;
            scale = 1;
        }
        if (f == 0) {
            *s_out = s;
            return GEX_IV_OK;
        }
        /* f is finite wherever b can be evaluated (b is 0 or its maximum at the extremes);
         * should it not be, no bracket can be kept, and the solver says so. */
        if (isnan(f))
            return GEX_IV_NOT_CONVERGED;
        if ((f < 0) == increasing)
            lo = s;
        else
            hi = s;
        /* Householder order 3 (Householder 1970; Jaeckel 2015, eq. (4.3)): with nu = -f/f',
         * step = nu (1 + h2 nu/2) / (1 + nu (h2 + h3 nu/6)). */
        const double nu = -f / f1;
        double step = nu * (1 + 0.5 * h2 * nu) / (1 + nu * (h2 + h3 * nu / 6));
        /* Householder's step corrects Newton's by its cubic model of f, which holds while
         * h2 nu and h3 nu^2 are of order one: near the root the ratio of the steps is
         * 1 + O(nu). Far away, where f is flat, it tends to 3 h2 / h3 and would crawl; outside
         * the factors HOUSEHOLDER_RATIO_MIN and 2 of Newton's, Newton's step is taken. */
        if (!isfinite(step) || !(step * nu > 0) || fabs(step) > 2 * fabs(nu) ||
            fabs(step) < HOUSEHOLDER_RATIO_MIN * fabs(nu))
            step = nu;
        /* Attainable precision: f carries about PRICE_NOISE_ULPS (1 + h^2 + t^2) ulps of its
         * scale. A residual below it, or a step below QUARTIC_STEP s, ends the search. Both the
         * Householder and the Newton step must be that small: far from the root the first can
         * be small while the second is not (for large nu it tends to 3 h2 / h3), and stopping
         * there would report a wrong volatility as converged. */
        const double att = PRICE_NOISE_ULPS * DBL_EPSILON * scale * (1 + hh + t * t);
        const double root = s + step;
        if (((fabs(step) <= QUARTIC_STEP * s && fabs(nu) <= QUARTIC_STEP * s) ||
             (fabs(f) <= att && att < HUGE_VAL)) &&
            root > 0 && root < HUGE_VAL) {
            *s_out = root;
            return GEX_IV_OK;
        }
        /* Far from the root, where b's slope is tiny, a step can overshoot by orders of
         * magnitude: the iteration moves at most a factor STEP_GROWTH from s. A step out of
         * the bracket is replaced by its geometric midpoint (s spans orders of magnitude), or
         * by a move of that factor towards the side that is still open. */
        double next = s + step;
        if (next > STEP_GROWTH * s)
            next = STEP_GROWTH * s;
        else if (next < s / STEP_GROWTH)
            next = s / STEP_GROWTH;
        if (!(next > lo && next < hi))
            next = !isfinite(hi) ? STEP_GROWTH * s
                   : lo > 0      ? sqrt(lo) * sqrt(hi)
                                 : hi / STEP_GROWTH;
        if (hi - lo <= STEP_ULPS * DBL_EPSILON * s) {
            *s_out = next;
            return GEX_IV_OK;
        }
        s = next;
    }
    return GEX_IV_NOT_CONVERGED;
}

gex_iv_status gex__bs_implied_normalised(double x, double beta, double s0, double *s,
                                         int *iterations)
{
    const double b_max = exp(0.5 * x);
    if (!(x <= 0) || !(beta >= DBL_MIN) || !(beta < b_max))
        return GEX_IV_BAD_INPUT;
    return solve_normalised(x, beta, b_max, s0, s, iterations);
}

/* The discount factors of one (T, r, q): e^{-qT} and e^{-rT}. */
typedef struct discount {
    double T, r, q;
    double dq, dr;
} discount;

static void discount_set(discount *d, double T, double r, double q)
{
    d->T = T;
    d->r = r;
    d->q = q;
    d->dq = exp(-q * T);
    d->dr = exp(-r * T);
}

/* gex_bs_implied_vol with checked inputs and the discount factors of (T, r, q) in d. */
static gex_iv_status implied_vol(int type, double price, double S, double K, const discount *d,
                                 double *sigma)
{
    if (!isfinite(price))
        return GEX_IV_NO_QUOTE;
    const double T = d->T, dq = d->dq, dr = d->dr;
    const double x = log(S / K) + (d->r - d->q) * T;
    /* Put-call parity (Haug 1.1.1): the call in the money by S e^{-qT} - K e^{-rT} equals that
     * much plus the put; the out-of-the-money part is what carries the volatility. */
    const double fwd_intrinsic = S * dq - K * dr;
    const double upper = type == GEX_CALL ? S * dq : K * dr;
    double otm = price;
    if (type == GEX_CALL && x > 0)
        otm = price - fwd_intrinsic;
    else if (type == GEX_PUT && x < 0)
        otm = price + fwd_intrinsic;
    if (!(otm > 0))
        return GEX_IV_BELOW_INTRINSIC;
    if (price >= upper)
        return GEX_IV_ABOVE_MAX;
    const double norm = sqrt(S * dq) * sqrt(K * dr); /* sqrt(F K) e^{-rT} */
    const double beta = otm / norm;
    /* An out-of-the-money part below the smallest normal double, in units of sqrt(F K) e^{-rT},
     * has lost its digits to subnormal rounding: the price is at its intrinsic value as far as
     * double precision can tell. */
    if (!(beta >= DBL_MIN))
        return GEX_IV_BELOW_INTRINSIC;
    const double xn = -fabs(x);
    const double b_max = exp(0.5 * xn);
    if (!(beta < b_max))
        return GEX_IV_ABOVE_MAX;
    double s;
    int iterations;
    const gex_iv_status rc = solve_normalised(xn, beta, b_max, 0, &s, &iterations);
    if (rc != GEX_IV_OK)
        return rc;
    const double v = s / sqrt(T);
    if (!(v > 0 && v < HUGE_VAL))
        return GEX_IV_NOT_CONVERGED;
    *sigma = v;
    return GEX_IV_OK;
}

gex_iv_status gex_bs_implied_vol(int type, double price, double S, double K, double T, double r,
                                 double q, double *sigma)
{
    if (sigma == NULL || !gex__bs_inputs_ok(type, S, K, T, 1.0, r, q))
        return GEX_IV_BAD_INPUT;
    discount d;
    discount_set(&d, T, r, q);
    return implied_vol(type, price, S, K, &d, sigma);
}

gex_iv_status gex_bs_implied_vol_quote(int type, double bid, double ask, double S, double K,
                                       double T, double r, double q, double *sigma)
{
    if (sigma == NULL || !gex__bs_inputs_ok(type, S, K, T, 1.0, r, q))
        return GEX_IV_BAD_INPUT;
    if (!(bid > 0 && bid < HUGE_VAL && ask >= bid && ask < HUGE_VAL))
        return GEX_IV_NO_QUOTE;
    return gex_bs_implied_vol(type, 0.5 * bid + 0.5 * ask, S, K, T, r, q, sigma);
}

int gex_bs_implied_vol_batch(const gex_bs_batch_in *in, const double *price, double *sigma,
                             uint8_t *status)
{
    if (in == NULL || price == NULL || sigma == NULL || status == NULL || in->K == NULL ||
        in->T == NULL || in->type == NULL)
        return GEX_EINVAL;
    /* A chain lists the contracts of one expiration together: the discount factors are
     * computed once per run of equal (T, r, q), with the values gex_bs_implied_vol computes. */
    discount d = {.T = NAN};
    for (size_t i = 0; i < in->n; i++) {
        const double S = in->S != NULL ? in->S[i] : in->S_all;
        const double r = in->r != NULL ? in->r[i] : in->r_all;
        const double q = in->q != NULL ? in->q[i] : in->q_all;
        const double K = in->K[i], T = in->T[i];
        const int type = in->type[i];
        double v = 0;
        gex_iv_status rc = GEX_IV_BAD_INPUT;
        if (gex__bs_inputs_ok(type, S, K, T, 1.0, r, q)) {
            if (!(T == d.T && r == d.r && q == d.q))
                discount_set(&d, T, r, q);
            rc = implied_vol(type, price[i], S, K, &d, &v);
        }
        status[i] = (uint8_t)rc;
        sigma[i] = rc == GEX_IV_OK ? v : 0;
    }
    return GEX_OK;
}
