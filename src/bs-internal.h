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

#include "gex/bs.h"

/* 1/sqrt(2), sqrt(2), 1/sqrt(2 pi) and sqrt(pi/2), correctly rounded. */
#define GEX_BS_SQRT1_2     0.70710678118654752440
#define GEX_BS_SQRT2       1.41421356237309504880
#define GEX_BS_INV_SQRT2PI 0.39894228040143267794
#define GEX_BS_SQRT_PI_2   1.25331413731550025121

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

/* ln b(x, s), and b'/b (b' its derivative in s) through *vega_over_b: what the solver's lower
 * objective needs, without the exponential of the density factor where b is a multiple of it
 * (Jaeckel's regions 1 and 2), and finite where b itself underflows. -HUGE_VAL for s <= 0. */
double gex__bs_normalised_log(double x, double s, double *vega_over_b);

/* d b / d s = n(x/s + s/2) e^{x/2} = exp(-(h^2 + t^2)/2)/sqrt(2 pi), h = x/s, t = s/2. */
static inline double gex__bs_normalised_vega(double x, double s)
{
    const double h = x / s, t = 0.5 * s;
    return GEX_BS_INV_SQRT2PI * exp(-0.5 * (h * h + t * t));
}

/* The implied normalised volatility s with b(x, s) = beta (src/bs-iv.c), for x <= 0 and
 * DBL_MIN <= beta < e^{x/2}, and the number of Householder iterations it took (each one
 * evaluation of b), for the tests of the iteration bound. The iteration starts from s0 when
 * s0 > 0 (the tests' bad starting points), else from the solver's initial guess. */
gex_iv_status gex__bs_implied_normalised(double x, double beta, double s0, double *s,
                                         int *iterations);

/* libm's exp, log and erfc under names whose declarations carry the x86-64 vector function
 * ABI (simd), so that a loop under OpenMP SIMD calls glibc's libmvec variants (_ZGVeN8v_exp and
 * so on; glibc's <math.h> declares them only under -ffast-math, which gex does not use: it would
 * break the nan checks). The asm labels keep the symbols: in scalar code these are the same
 * calls as exp, log and erfc. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define GEX__BS_SIMD_DECL __attribute__((simd("notinbranch"), const, nothrow))
double gex__simd_exp(double) __asm__("exp") GEX__BS_SIMD_DECL;
double gex__simd_log(double) __asm__("log") GEX__BS_SIMD_DECL;
double gex__simd_erfc(double) __asm__("erfc") GEX__BS_SIMD_DECL;
#define GEX__BS_X86_PATHS 1
#else
#define gex__simd_exp  exp
#define gex__simd_log  log
#define gex__simd_erfc erfc
#endif

/* The five exposure greeks and the intermediate values theta needs. */
typedef struct gex__bs_core {
    double delta, gamma, vega, vanna, charm;
    double dq, dq_nd1, n_sd1, d2, sqrt_t;
} gex__bs_core;

/* SPEC 1.3 (Haug 2007, sec. 2.1) for one contract, sgn = +1 for a call and -1 for a put: the one
 * formula of gex_bs_exposure_greeks, gex_bs_greeks and the vectorised batch (src/bs-batch.c
 * inlines it into an OpenMP SIMD loop). No checks: the callers validate. Two divisions in all:
 * 1/(S v) gives 1/v = S/(S v), 1/sigma = sqrt(T)/v and 1/T = (sigma/v)^2 (divisions dominate the
 * cost of the vectorised batch). */
static inline __attribute__((always_inline)) gex__bs_core
gex__bs_core_eval(double S, double K, double T, double sigma, double r, double q, double sgn)
{
    gex__bs_core c;
    const double sqrt_t = sqrt(T);
    const double v = sigma * sqrt_t;
    const double inv_sv = 1 / (S * v);
    const double inv_v = S * inv_sv;
    const double inv_sqrt_t = sigma * inv_v;
    /* d1 = (ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt T); d2 = d1 - sigma sqrt T. */
    const double m = (gex__simd_log(S / K) + (r - q) * T) * inv_v;
    const double d1 = m + 0.5 * v;
    const double d2 = m - 0.5 * v;
    const double dq = gex__simd_exp(-q * T);
    const double dq_nd1 = dq * (GEX_BS_INV_SQRT2PI * gex__simd_exp(-0.5 * d1 * d1));
    /* N(d1) for a call, N(-d1) for a put, each from its own erfc (A&S 26.2.29), never 1 - N. */
    const double n_sd1 = 0.5 * gex__simd_erfc(-(sgn * d1) * GEX_BS_SQRT1_2);
    c.delta = sgn * dq * n_sd1;                /* Haug 2.1.1 */
    c.gamma = dq_nd1 * inv_sv;                 /* Haug 2.1.3 */
    c.vega = S * dq_nd1 * sqrt_t;              /* Haug 2.1.5 */
    c.vanna = -dq_nd1 * d2 * (sqrt_t * inv_v); /* Haug 2.1.2 (DdeltaDvol), / sigma */
    /* Haug 2.1.1 (charm), t = -T: (2(r-q)T - d2 sigma sqrt T) / (2 T sigma sqrt T)
     * = (r - q)/v - d2/(2T). */
    c.charm =
        sgn * q * dq * n_sd1 - dq_nd1 * ((r - q) * inv_v - 0.5 * d2 * (inv_sqrt_t * inv_sqrt_t));
    c.dq = dq;
    c.dq_nd1 = dq_nd1;
    c.n_sd1 = n_sd1;
    c.d2 = d2;
    c.sqrt_t = sqrt_t;
    return c;
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
