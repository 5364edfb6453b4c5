/*
 * The normalised Black function of an out-of-the-money option, evaluated to (close to) machine
 * precision everywhere, following the four regions of P. Jaeckel, "Let's Be Rational", Wilmott
 * (2015), sec. 3 (the expansions are derived below, the code is gex's own):
 *
 *   b(x, s) = e^{x/2} N(h + t) - e^{-x/2} N(h - t),  x <= 0, s > 0, h = x/s, t = s/2.
 *
 * With Y(z) = N(z)/n(z) (the inverse Mills ratio, Y(z) = sqrt(pi/2) erfcx(-z/sqrt 2)) this is
 *   b = e^{-(h^2+t^2)/2}/sqrt(2 pi) [Y(h + t) - Y(h - t)],                        (J 3.3)
 * which never underflows before b does, but whose bracket cancels when t is small or h is very
 * negative. Those two regions use series with terms of one sign (small t) or an exact
 * asymptotic expansion (large -h). There b is the density factor e^{-(h^2+t^2)/2}/sqrt(2 pi)
 * (which is also db/ds) times a series, so ln b, which the implied-volatility solver's lower
 * objective needs, comes without that factor's exponential and without underflow
 * (gex__bs_normalised_log).
 */
#include <math.h>

#include "bs-internal.h"

/* Region boundaries (Jaeckel 2015, sec. 3): the asymptotic expansion in 1/h^2 is accurate to
 * machine precision for h + t below -10 + TAU; the Taylor series in t needs few terms below
 * t = TAU = 2 DBL_EPSILON^(1/16); above 0.85 of b's maximum the two terms of the direct formula
 * no longer cancel. */
#define ASYMPTOTIC_H    (-10.0)
#define SMALL_T         0.21022410381342863 /* 2 * 2^(-52/16) */
#define DIRECT_H_PLUS_T 0.85
/* exp(z^2) erfc(z) overflows beyond z ~ 26.6: switch to the asymptotic series of erfcx. */
#define ERFCX_ASYMPTOTIC_Z 26.0
/* Series stop when a term falls below a quarter ulp of the sum; the counts bound them. */
#define SERIES_EPS        (0.25 * 2.220446049250313e-16)
#define ASYMPTOTIC_TERMS  40
#define SMALL_T_MAX_ORDER 41
/* exp(-A/2) is 0 in double precision beyond A = 1500. */
#define UNDERFLOW_EXPONENT 1500.0

/* 1/((n+1)(n+2)) for n = 1, 3, 5, ...: the Taylor coefficients' ratios in region 2, as products
 * (a division per term would cost more than the rest of the term). */
static const double inv_pair[(SMALL_T_MAX_ORDER + 1) / 2] = {
    1.0 / (2 * 3),   1.0 / (4 * 5),   1.0 / (6 * 7),   1.0 / (8 * 9),   1.0 / (10 * 11),
    1.0 / (12 * 13), 1.0 / (14 * 15), 1.0 / (16 * 17), 1.0 / (18 * 19), 1.0 / (20 * 21),
    1.0 / (22 * 23), 1.0 / (24 * 25), 1.0 / (26 * 27), 1.0 / (28 * 29), 1.0 / (30 * 31),
    1.0 / (32 * 33), 1.0 / (34 * 35), 1.0 / (36 * 37), 1.0 / (38 * 39), 1.0 / (40 * 41),
    1.0 / (42 * 43),
};

/* erfcx(z) = exp(z^2) erfc(z) for z >= -1. Computing z^2 exactly (fma) leaves the product as
 * accurate as erfc and exp themselves; beyond 26 the asymptotic series A&S 7.1.23. */
static double erfcx(double z)
{
    if (z < ERFCX_ASYMPTOTIC_Z) {
        const double zz = z * z;
        const double zl = fma(z, z, -zz);
        return exp(zz) * erfc(z) * (1 + zl);
    }
    const double w = 1 / (2 * z * z);
    double term = 1, sum = 1;
    for (int k = 1; k < 12; k++) {
        term *= -(2 * k - 1) * w;
        sum += term;
    }
    return sum / (z * 1.7724538509055160273); /* sqrt(pi) */
}

/* h^2 + t^2 in double-double (a + *al): h = x/s carries its own rounding residual, so that
 * e^{-(h^2 + t^2)/2} keeps relative accuracy even where (h^2 + t^2)/2 is several hundred. */
static double exponent(double x, double s, double inv_s, double h, double t, double *al)
{
    const double hl = fma(-h, s, x) * inv_s; /* x/s = h + hl */
    const double h2 = h * h;
    const double h2l = fma(h, h, -h2) + 2 * h * hl;
    const double t2 = t * t;
    const double t2l = fma(t, t, -t2);
    const double a = h2 + t2; /* Knuth's two-sum: a + al = h2 + t2 exactly */
    const double bv = a - h2;
    *al = (h2 - (a - bv)) + (t2 - bv) + h2l + t2l;
    return a;
}

/* e^{-(a + al)/2}, al a residual of a few ulps of a; 0 beyond UNDERFLOW_EXPONENT. */
static double gauss_factor(double a, double al)
{
    return a > UNDERFLOW_EXPONENT ? 0 : exp(-0.5 * a) * (1 - 0.5 * al);
}

/* Whether (h, t) lies in region 1 or 2, where b is a series times the density factor. */
static bool in_series(double h, double t)
{
    return (h < ASYMPTOTIC_H && h + t < ASYMPTOTIC_H + SMALL_T) || t < SMALL_T;
}

/* Regions 1 and 2 (in_series(h, t), h^2 finite): b / n0 with n0 = e^{-(h^2+t^2)/2}/sqrt(2 pi)
 * = db/ds (Jaeckel 2015, eq. (2.3)). */
static double series(double h, double t)
{
    if (h < ASYMPTOTIC_H && h + t < ASYMPTOTIC_H + SMALL_T) {
        /* Region 1. For z -> -inf, Y(z) ~ -sum_k (-1)^k (2k-1)!! z^{-(2k+1)} (A&S 26.2.12).
         * Subtracting at z = h +- t term by term, with r = h^2 - t^2, q = (h/r)^2, e = (t/h)^2:
         *   Y(h+t) - Y(h-t) = 2 (t/r) sum_k (-1)^k (2k-1)!! q^k P_k(e),
         *   P_k(e) = sum_i C(2k+1, 2i+1) e^i = ((1+u)^{2k+1} - (1-u)^{2k+1}) / (2u), u^2 = e,
         * (Jaeckel 2015, eq. (3.4) lists the first terms). P_k runs by the recurrence
         * D_{m+1} = D_m + S_m, S_{m+1} = S_m + e D_m (D_m = P at 2k+1 = m), all terms positive. */
        const double r = (h + t) * (h - t);
        const double q = (h / r) * (h / r);
        const double e = (t / h) * (t / h);
        double c = 1, d = 1, sm = 1, sum = 0;
        for (int k = 0; k < ASYMPTOTIC_TERMS; k++) {
            const double term = c * d;
            sum += term;
            if (fabs(term) <= SERIES_EPS * fabs(sum))
                break;
            const double d1 = d + sm, s1 = sm + e * d;
            d = d1 + s1;
            sm = s1 + e * d1;
            c *= -(2 * k + 1) * q;
        }
        return 2 * (t / r) * sum;
    }
    /* Region 2 (t < SMALL_T here). Taylor series in t: Y(h+t) - Y(h-t) = 2 sum_{j odd}
     * Y^(j)(h) t^j / j!, with Y' = 1 + h Y and Y^(n+1) = n Y^(n-1) + h Y^(n) (differentiate
     * Y' = 1 + zY); every Y^(n) > 0 because Y(z) = int_0^inf exp(zu - u^2/2) du (Jaeckel 2015,
     * eq. (3.5)). */
    const double y0 = GEX_BS_SQRT_PI_2 * erfcx(-h * GEX_BS_SQRT1_2);
    double ym = y0, y = 1 + h * y0; /* Y^(n-1), Y^(n) at n = 1 */
    const double t2 = t * t;
    double tp = t, sum = y * t;
    const double hh = h * h;
    for (int n = 1; n < SMALL_T_MAX_ORDER; n += 2) {
        /* Both from (Y^(n-1), Y^(n)), so that neither waits for the other: Y^(n+2) =
         * (n+1) Y^(n) + h Y^(n+1) = (n+1+h^2) Y^(n) + n h Y^(n-1). */
        const double y1 = n * ym + h * y;                  /* Y^(n+1) */
        const double y2 = (n + 1 + hh) * y + (n * h) * ym; /* Y^(n+2) */
        tp *= t2 * inv_pair[n >> 1];
        const double term = y2 * tp;
        sum += term;
        ym = y1;
        y = y2;
        if (term <= SERIES_EPS * sum)
            break;
    }
    return 2 * sum;
}

double gex__bs_normalised_otm(double x, double s)
{
    double vega;
    return gex__bs_normalised_otm_vega(x, s, &vega);
}

/* Regions 3 and 4, outside the series: b from its two terms. */
static double two_terms(double x, double h, double t, double e_ht)
{
    if (h + t > DIRECT_H_PLUS_T) {
        /* Region 3: b is above 85% of its maximum e^{x/2}; the terms barely cancel. */
        return exp(0.5 * x) * gex__bs_ncdf(h + t) - exp(-0.5 * x) * gex__bs_ncdf(h - t);
    }
    /* Region 4: eq. (J 3.3) with erfcx; the bracket loses at most a digit here. */
    return 0.5 * e_ht * (erfcx(-(h + t) * GEX_BS_SQRT1_2) - erfcx(-(h - t) * GEX_BS_SQRT1_2));
}

double gex__bs_normalised_otm_vega(double x, double s, double *vega)
{
    *vega = 0;
    if (!(s > 0) || !(x <= 0))
        return 0;
    const double inv_s = 1 / s;
    const double h = x * inv_s, t = 0.5 * s;
    double al;
    const double a = exponent(x, s, inv_s, h, t, &al);
    /* Beyond UNDERFLOW_EXPONENT the density factor is 0, and so is b in regions 1 and 2 (a
     * multiple of it; there h may even be infinite, for a subnormal s); regions 3 and 4 do not
     * need it: there b is far from 0 (it approaches its maximum e^{x/2} as s grows). */
    const bool in_region_1_2 = in_series(h, t);
    if (a > UNDERFLOW_EXPONENT && in_region_1_2)
        return 0;
    const double e_ht = gauss_factor(a, al);
    /* d b / d s = e^{-(h^2+t^2)/2} / sqrt(2 pi) (Jaeckel 2015, eq. (2.3)). */
    *vega = GEX_BS_INV_SQRT2PI * e_ht;
    return in_region_1_2 ? *vega * series(h, t) : two_terms(x, h, t, e_ht);
}

double gex__bs_normalised_log(double x, double s, double *vega_over_b)
{
    *vega_over_b = 0;
    if (!(s > 0) || !(x <= 0))
        return -HUGE_VAL;
    const double inv_s = 1 / s;
    const double h = x * inv_s, t = 0.5 * s;
    double al;
    const double a = exponent(x, s, inv_s, h, t, &al);
    /* In regions 1 and 2, ln b = ln(k/sqrt(2 pi)) - (a + al)/2 and b'/b = 1/k: no
     * exponential, and no underflow however small b is, until h^2 itself overflows (s below
     * 1e-150 or so): there b is 0 and b'/b infinite. */
    if (in_series(h, t)) {
        if (!(a < HUGE_VAL)) {
            *vega_over_b = HUGE_VAL;
            return -HUGE_VAL;
        }
        const double k = series(h, t);
        *vega_over_b = 1 / k;
        return log(GEX_BS_INV_SQRT2PI * k) - 0.5 * a - 0.5 * al;
    }
    const double e_ht = gauss_factor(a, al);
    const double b = two_terms(x, h, t, e_ht);
    *vega_over_b = GEX_BS_INV_SQRT2PI * e_ht / b;
    return log(b);
}
