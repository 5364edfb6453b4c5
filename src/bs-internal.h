/*
 * Private to the Black-Scholes module (src/bs.c, src/bs-batch.c, src/bs-iv.c): the constants and
 * small functions the scalar, batch and implied-volatility paths share, so that all three use
 * the same formulas.
 */
#ifndef GEX_BS_INTERNAL_H
#define GEX_BS_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

/* 1/sqrt(2), sqrt(2), 1/sqrt(2 pi) and sqrt(pi/2), correctly rounded. */
#define GEX_BS_SQRT1_2     0.70710678118654752440
#define GEX_BS_SQRT2       1.41421356237309504880
#define GEX_BS_INV_SQRT2PI 0.39894228040143267794
#define GEX_BS_SQRT_PI_2   1.25331413731550025121

/* The implied-volatility iteration's hard bound (src/bs-iv.c): far above the 2 to 4 steps it
 * takes, so that reaching it means the price is beyond what double precision can invert. */
#define GEX_BS_IV_MAX_ITERATIONS 32

/* The model's inputs are usable: S, K, T and sigma > 0 and finite, r and q finite, type a
 * GEX_CALL or a GEX_PUT. Written so that nan fails every comparison. */
static inline bool gex__bs_inputs_ok(int type, double S, double K, double T, double sigma, double r,
                                     double q)
{
    return (type == 0 || type == 1) && S > 0 && S < HUGE_VAL && K > 0 && K < HUGE_VAL && T > 0 &&
           T < HUGE_VAL && sigma > 0 && sigma < HUGE_VAL && isfinite(r) && isfinite(q);
}

/* N(x) = erfc(-x/sqrt(2))/2 keeps relative accuracy in the lower tail (N(-8) = 6.2e-16, not
 * 0 as 1 - N(8) would give): Abramowitz and Stegun 26.2.29. */
static inline double gex__bs_ncdf(double x)
{
    return 0.5 * erfc(-x * GEX_BS_SQRT1_2);
}

/* The standard normal density n(x) = exp(-x^2/2)/sqrt(2 pi). */
static inline double gex__bs_npdf(double x)
{
    return GEX_BS_INV_SQRT2PI * exp(-0.5 * x * x);
}

/* Normalised Black function (Jaeckel, "Let's Be Rational", Wilmott 2015, eq. (1.5)): the
 * undiscounted out-of-the-money option price divided by sqrt(F K), for x = ln(F/K) <= 0 (a call;
 * a put at -x has the same value) and s = sigma sqrt(T) > 0:
 *   b(x, s) = e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2).
 * Evaluated without the cancellation of the two terms (see src/bs-iv.c). */
double gex__bs_normalised_otm(double x, double s);

/* b(x, s) as above, and its derivative in s (gex__bs_normalised_vega) through *vega, from the
 * same exponential. */
double gex__bs_normalised_otm_vega(double x, double s, double *vega);

/* d b / d s = n(x/s + s/2) e^{x/2} = exp(-(h^2 + t^2)/2)/sqrt(2 pi), h = x/s, t = s/2. */
static inline double gex__bs_normalised_vega(double x, double s)
{
    const double h = x / s, t = 0.5 * s;
    return GEX_BS_INV_SQRT2PI * exp(-0.5 * (h * h + t * t));
}

/* The instruction-set paths of the batch greeks (src/bs-batch.c), so that the tests can run
 * each one this CPU supports, not only the widest. */
enum { GEX__BS_PATH_SSE2 = 0, GEX__BS_PATH_AVX2 = 1, GEX__BS_PATH_AVX512 = 2 };

/* gex_bs_greeks_batch on a given path (or the widest supported when path < 0); a path the CPU
 * lacks falls back to the next narrower one. */
struct gex_bs_batch_in;
struct gex_bs_batch_out;
int gex__bs_greeks_batch_path(int path, const struct gex_bs_batch_in *in,
                              const struct gex_bs_batch_out *out, size_t *n_bad);

/* The name of the path gex__bs_greeks_batch_path(path, ...) runs ("avx2"). */
const char *gex__bs_batch_path_name(int path);

#endif /* GEX_BS_INTERNAL_H */
