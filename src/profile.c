/*
 * The repriced GEX profile P(x) and the gamma flip as its zero nearest the spot (SPEC 1.6,
 * method profile).
 *
 * P is a sum of smooth gamma kernels, so it is smooth in x, and it does not depend on the spot
 * at all: the spot only chooses which zero is the flip. That is why the flip found here moves
 * continuously with the spot, where the vendor's per-strike interpolation jumps from one pair
 * of strikes to another.
 */
#include "gex/levels.h"
#include "gex/profile.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exposure-internal.h"
#include "gex/bs.h"
#include "gex/error.h"
#include "levels-internal.h"
#include "memory-internal.h"

#define INV_SQRT_2PI 0.39894228040143267794 /* 1/sqrt(2 pi), correctly rounded */

static int x_ok(double x)
{
    return x > 0 && x < HUGE_VAL;
}

void gex__book_free(gex__book *b)
{
    if (b == NULL)
        return;
    free(b->block);
    free(b->type);
    memset(b, 0, sizeof *b);
}

int gex__book_init(gex__book *b, const gex_exposure *exposure, gex__book_kind kind)
{
    memset(b, 0, sizeof *b);
    const gex_chain *chain = gex_exposure_chain(exposure);
    if (exposure == NULL || chain == NULL)
        return GEX_EINVAL;
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    gex_contract_exposures c;
    gex_exposure_get_contracts(exposure, &c);
    size_t n = 0;
    for (size_t i = 0; i < v.n; i++)
        n += c.included[i];
    const gex_exposure_options *o = gex_exposure_get_options(exposure);
    gex_exposure_carry(exposure, &b->rate, &b->div);
    b->unit = o->gex_unit;
    b->spot = gex_exposure_spot(exposure);
    b->n = n;
    const size_t m = n > 0 ? n : 1;
    if (kind == GEX_BOOK_DELTA) {
        b->block = malloc(7 * m * sizeof *b->block); /* K, T, sigma, w, scratch, r, q */
        b->type = malloc(m);
    } else {
        b->block = malloc(3 * m * sizeof *b->block); /* pa, pb, pc */
    }
    if (b->block == NULL || (kind == GEX_BOOK_DELTA && b->type == NULL)) {
        gex__book_free(b);
        return GEX_ENOMEM;
    }
    if (kind == GEX_BOOK_DELTA) {
        b->K = b->block;
        b->T = b->K + m;
        b->sigma = b->T + m;
        b->w = b->sigma + m;
        b->scratch = b->w + m;
        b->r = b->scratch + m;
        b->q = b->r + m;
    } else {
        b->pa = b->block;
        b->pb = b->pa + m;
        b->pc = b->pb + m;
    }
    size_t j = 0;
    /* the previous contract's strike and expiry terms: chains list a strike's call and put,
     * and an expiration's strikes, side by side, so most contracts reuse them (the same
     * values: the same operations on the same inputs) */
    double last_K = (double)NAN, last_T = (double)NAN, last_sigma = (double)NAN,
           last_q = (double)NAN;
    double log_SK = 0, sq = 1, carry_sq = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (!c.included[i])
            continue;
        /* SPEC 1.5: s = +1 calls, -1 puts */
        const double w =
            (v.type[i] == GEX_CALL ? 1.0 : -1.0) * v.open_interest[i] * v.multiplier[i];
        if (kind == GEX_BOOK_DELTA) {
            b->K[j] = v.strike[i];
            b->T[j] = v.T[i];
            b->sigma[j] = v.iv[i];
            b->type[j] = v.type[i];
            b->w[j] = w;
            b->r[j] = v.r[i];
            b->q[j] = v.q[i];
            j++;
            continue;
        }
        /* SPEC 1.3: gamma(x) = e^{-qT} n(d1) / (x sigma sqrt(T)) with
         * d1 = (ln(x/S) + ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt(T)) = pb ln(x/S) + pa,
         * so that w gamma(x) = pc exp(-d1^2 / 2) / x: everything but one exponential per
         * contract is independent of x and computed once here. Splitting the logarithm at the
         * spot keeps both terms small where P matters (x and K near S), so d1 is not the
         * difference of two large numbers (ln x and ln K over a 0DTE sigma sqrt(T)). */
        if (v.strike[i] != last_K) {
            last_K = v.strike[i];
            log_SK = log(b->spot / last_K);
        }
        if (v.T[i] != last_T || v.iv[i] != last_sigma || v.q[i] != last_q) {
            last_T = v.T[i];
            last_sigma = v.iv[i];
            last_q = v.q[i];
            sq = last_sigma * sqrt(last_T);
            carry_sq = exp(-last_q * last_T);
        }
        b->pb[j] = 1.0 / sq;
        b->pa[j] = (log_SK + (v.r[i] - v.q[i] + 0.5 * v.iv[i] * v.iv[i]) * v.T[i]) / sq;
        b->pc[j] = w * carry_sq / sq * INV_SQRT_2PI;
        if (!isfinite(b->pa[j]) || !isfinite(b->pb[j]) || !isfinite(b->pc[j])) {
            gex__book_free(b);
            return GEX_ERANGE;
        }
        j++;
    }
    return GEX_OK;
}

/* exp(y) for y <= 0, written so that the compiler vectorises it (glibc's vector exp is only
 * declared under -ffast-math): Cody-Waite reduction y = n ln2 + r with |r| <= ln2/2 (fdlibm's
 * split of ln2, exact for |n| < 2^20), the Taylor series of e^r to degree 13 (truncation below
 * 4e-18 relative), and the scaling by 2^n done in two exact steps so that results down to the
 * subnormal range round once. Accurate to a few ulps, far inside the 1e-12 relative SPEC 1.3
 * allows between vectorised and scalar greeks. */
#define EXP_MIN_ARG   (-746.0) /* e^-746 < 2^-1075: rounds to 0 */
#define EXP_LOG2E     0x1.71547652b82fep+0
#define EXP_LN2_HI    0x1.62e42fee00000p-1
#define EXP_LN2_LO    0x1.a39ef35793c76p-33
#define EXP_SHIFTER   0x1.8p52 /* adding it rounds to an integer held in the low bits */
#define EXP_BIAS_HALF 511      /* 2^n = 2^(n + 511) 2^-511, both factors normal */

static inline double exp_nonpositive(double y)
{
    y = y < EXP_MIN_ARG ? EXP_MIN_ARG : y;
    const double t = y * EXP_LOG2E + EXP_SHIFTER;
    const double n = t - EXP_SHIFTER;
    const double r = (y - n * EXP_LN2_HI) - n * EXP_LN2_LO;
    /* e^r = 1 + r + r^2 (q1 + q2 r^2 + ... + q6 r^10), q_k = 1/(2k)! + r/(2k+1)!, the bracket
     * by Estrin's scheme: six multiplications deep instead of Horner's fourteen, so that the
     * vectorised kernels are not held up by one long chain of dependent operations (within
     * 1.03 ulp of e^y on 5e7 random y, Horner's 0.89) */
    const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    const double q1 = 0.5 + r * (1.0 / 6.0), q2 = 1.0 / 24.0 + r * (1.0 / 120.0),
                 q3 = 1.0 / 720.0 + r * (1.0 / 5040.0), q4 = 1.0 / 40320.0 + r * (1.0 / 362880.0),
                 q5 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0),
                 q6 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0); /* 1/12! + r/13! */
    const double tail = (q1 + q2 * r2) + (q3 + q4 * r2) * r4 + (q5 + q6 * r2) * r8;
    const double p = 1.0 + (r + r2 * tail);
    int64_t tb, shifter_bits;
    const double shifter = EXP_SHIFTER;
    memcpy(&tb, &t, sizeof tb);
    memcpy(&shifter_bits, &shifter, sizeof shifter_bits);
    const int64_t e = (tb - shifter_bits + EXP_BIAS_HALF + 1023) << 52;
    double scale;
    memcpy(&scale, &e, sizeof scale);
    return p * scale * 0x1p-511;
}

/* The kernels below are vectorised with one clone per instruction set chosen at load time.
 * The choice is an IFUNC resolved by the dynamic loader once, before any thread starts (no
 * state of ours). Under ThreadSanitizer the resolver, itself instrumented, would run before the
 * sanitizer's runtime is set up and crash the loader: that build compiles the baseline body
 * only. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define KERNEL_CLONES
#endif

/* sum_i pc_i exp(-(pb_i lx + pa_i)^2 / 2): the profile kernel. */
KERNEL_CLONES
static double profile_kernel(const double *restrict pa, const double *restrict pb,
                             const double *restrict pc, size_t n, double lx)
{
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (size_t i = 0; i < n; i++) {
        const double d = pb[i] * lx + pa[i];
        s += pc[i] * exp_nonpositive(-0.5 * d * d);
    }
    return s;
}

/* The greeks of every contract of the book at spot x that out asks for (the vectorised batch
 * of gex/bs.h, which computes them all from one d1 and d2 whatever is asked). */
static int book_batch_out(const gex__book *b, double x, const gex_bs_batch_out *out)
{
    const gex_bs_batch_in in = {.n = b->n,
                                .S = NULL,
                                .S_all = x,
                                .K = b->K,
                                .T = b->T,
                                .sigma = b->sigma,
                                .type = b->type,
                                .r = b->r,
                                .r_all = b->rate,
                                .q = b->q,
                                .q_all = b->div};
    size_t bad = 0;
    int rc = gex_bs_greeks_batch(&in, out, &bad);
    if (rc != GEX_OK)
        return rc;
    return bad > 0 ? GEX_ERANGE : GEX_OK;
}

/* The sum of the greeks g of the book's contracts weighted by w in book order (abs_w: by |w|,
 * the weights of DEX, which has no dealer sign: SPEC 1.5). */
static double weighted_sum(const gex__book *b, const double *g, int abs_w)
{
    const double *w = b->w;
    double s = 0;
    for (size_t i = 0; i < b->n; i++)
        s += (abs_w ? fabs(w[i]) : w[i]) * g[i];
    return s;
}

/* The delta of every contract of the book at spot x, summed with the weights w in book order
 * (abs_w: with |w|, the weights of DEX, which has no dealer sign: SPEC 1.5). */
static int book_delta_sum(gex__book *b, double x, int abs_w, double *sum)
{
    if (b->n == 0) {
        *sum = 0;
        return GEX_OK;
    }
    gex_bs_batch_out out;
    memset(&out, 0, sizeof out);
    out.delta = b->scratch;
    const int rc = book_batch_out(b, x, &out);
    if (rc != GEX_OK)
        return rc;
    const double s = weighted_sum(b, b->scratch, abs_w);
    if (!isfinite(s))
        return GEX_ERANGE;
    *sum = s;
    return GEX_OK;
}

int gex__book_gex(gex__book *b, double x, double *p)
{
    const double s = profile_kernel(b->pa, b->pb, b->pc, b->n, log(x / b->spot)) / x;
    /* SPEC 1.6: the S^2 (or S) of the unit is x too. */
    const double v = s * gex__exposure_unit_factor(b->unit, x);
    if (!isfinite(v))
        return GEX_ERANGE;
    *p = v;
    return GEX_OK;
}

int gex__book_delta(gex__book *b, double x, double *d)
{
    return book_delta_sum(b, x, 0, d);
}

/* DEX, VEX or CHEX from the greeks g of the book's contracts at x, in the units of SPEC 1.5
 * with the spot taken as x: DEX weighs by |w| (no dealer sign), the others by w. */
static int measure_sum(const gex__book *b, gex_profile_measure m, const double *g, double x,
                       double *v)
{
    const double sum = weighted_sum(b, g, m == GEX_PROFILE_DEX);
    const double scale = m == GEX_PROFILE_DEX ? x : m == GEX_PROFILE_VEX ? x * 0.01 : x / 365.0;
    const double r = sum * scale;
    if (!isfinite(sum) || !isfinite(r))
        return GEX_ERANGE;
    *v = r;
    return GEX_OK;
}

static void book_merge_kernels(gex__book *b);

int gex_profile_eval(const gex_exposure *exposure, const double *x, size_t n, double *p)
{
    if ((n > 0 && (x == NULL || p == NULL)))
        return GEX_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!x_ok(x[i]))
            return GEX_EINVAL;
    gex__book b;
    int rc = gex__book_init(&b, exposure, GEX_BOOK_PROFILE);
    /* the function the flip searches (gex_levels_flip_profile): a strike's call and put of one
     * kernel as one term, so that a book whose pairs cancel is 0, not their sums' rounding */
    if (rc == GEX_OK)
        book_merge_kernels(&b);
    for (size_t i = 0; i < n && rc == GEX_OK; i++)
        rc = gex__book_gex(&b, x[i], &p[i]);
    gex__book_free(&b);
    return rc;
}

int gex_profile_eval_measure(const gex_exposure *exposure, gex_profile_measure measure,
                             const double *x, size_t n, double *p)
{
    if ((n > 0 && p == NULL) || measure < GEX_PROFILE_GEX || measure > GEX_PROFILE_CHEX)
        return GEX_EINVAL;
    double *all[GEX_PROFILE_MEASURES] = {NULL, NULL, NULL, NULL};
    all[measure] = p;
    return gex_profile_eval_all(exposure, x, n, all);
}

int gex_profile_eval_all(const gex_exposure *exposure, const double *x, size_t n,
                         double *const p[GEX_PROFILE_MEASURES])
{
    if (p == NULL || (n > 0 && x == NULL))
        return GEX_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!x_ok(x[i]))
            return GEX_EINVAL;
    int rc =
        p[GEX_PROFILE_GEX] != NULL ? gex_profile_eval(exposure, x, n, p[GEX_PROFILE_GEX]) : GEX_OK;
    const int greeks =
        p[GEX_PROFILE_DEX] != NULL || p[GEX_PROFILE_VEX] != NULL || p[GEX_PROFILE_CHEX] != NULL;
    if (rc != GEX_OK || !greeks)
        return rc;
    gex__book b;
    rc = gex__book_init(&b, exposure, GEX_BOOK_DELTA);
    if (rc != GEX_OK)
        return rc;
    /* the book's scratch holds the deltas; the vannas and charms an array more each */
    const size_t extra = (p[GEX_PROFILE_VEX] != NULL) + (p[GEX_PROFILE_CHEX] != NULL);
    double *more = extra > 0 ? malloc(extra * (b.n > 0 ? b.n : 1) * sizeof *more) : NULL;
    if (extra > 0 && more == NULL)
        rc = GEX_ENOMEM;
    gex_bs_batch_out out;
    memset(&out, 0, sizeof out);
    out.delta = p[GEX_PROFILE_DEX] != NULL ? b.scratch : NULL;
    out.vanna = p[GEX_PROFILE_VEX] != NULL ? more : NULL;
    out.charm = p[GEX_PROFILE_CHEX] != NULL ? more + (out.vanna != NULL ? b.n : 0) : NULL;
    double *const g[GEX_PROFILE_MEASURES] = {NULL, out.delta, out.vanna, out.charm};
    for (size_t i = 0; i < n && rc == GEX_OK; i++) {
        if (b.n > 0)
            rc = book_batch_out(&b, x[i], &out);
        for (int m = GEX_PROFILE_DEX; m < GEX_PROFILE_MEASURES && rc == GEX_OK; m++) {
            if (p[m] == NULL)
                continue;
            if (b.n == 0)
                p[m][i] = 0;
            else
                rc = measure_sum(&b, (gex_profile_measure)m, g[m], x[i], &p[m][i]);
        }
    }
    free(more);
    gex__book_free(&b);
    return rc;
}

/* Brent's method (GSL's) on the bracket [xa, xb] of F until the bracket, kept at every step,
 * is narrower than tol: *root is its estimate. *fn_rc is the function's own status, which it
 * sets on a failure (returning 0, where Brent stops): returned as it is. GEX_OK, GEX_ENOMEM,
 * GEX_ERANGE, GEX_ENOCONV (not narrowed in GEX_FLIP_MAX_ITER steps), or *fn_rc. */
static int brent_root(gsl_function *F, const int *fn_rc, double xa, double xb, double tol,
                      double *root)
{
    gsl_root_fsolver s = {.type = gsl_root_fsolver_brent, .state = NULL};
    s.state = malloc(s.type->size);
    if (s.state == NULL)
        return GEX_ENOMEM;
    int rc = GEX_ENOCONV;
    if (gsl_root_fsolver_set(&s, F, xa, xb) == GSL_SUCCESS) {
        for (int iter = 0; iter < GEX_FLIP_MAX_ITER; iter++) {
            if (gsl_root_fsolver_iterate(&s) != GSL_SUCCESS)
                break;
            if (*fn_rc != GEX_OK)
                break;
            const double lo = gsl_root_fsolver_x_lower(&s), hi = gsl_root_fsolver_x_upper(&s);
            if (!(lo <= hi)) {
                rc = GEX_ERANGE; /* Brent keeps its bracket ordered: never seen */
                break;
            }
            if (hi - lo < tol) {
                *root = gsl_root_fsolver_root(&s);
                rc = GEX_OK;
                break;
            }
        }
    }
    free(s.state);
    return *fn_rc != GEX_OK ? *fn_rc : rc;
}

/* D(x) for Brent's solver: the net DEX over x (sum |w_i| delta_i(x)), a failure kept in rc. */
typedef struct delta_fn {
    gex__book *book;
    size_t evaluations;
    int rc;
} delta_fn;

static double delta_eval(double x, void *params)
{
    delta_fn *f = params;
    double d = 0;
    const int rc = book_delta_sum(f->book, x, 1, &d);
    f->evaluations++;
    if (rc != GEX_OK && f->rc == GEX_OK)
        f->rc = rc;
    return rc == GEX_OK ? d : 0.0; /* Brent stops on an exact zero; the status is kept */
}

int gex_levels_flip_delta(const gex_exposure *exposure, gex_level *flip, size_t *evaluations)
{
    if (flip == NULL)
        return GEX_EINVAL;
    flip->has = 0;
    flip->value = 0;
    if (evaluations != NULL)
        *evaluations = 0;
    gex__book b;
    int rc = gex__book_init(&b, exposure, GEX_BOOK_DELTA);
    if (rc != GEX_OK)
        return rc;
    /* D(x) = sum |w_i| delta_i(x) rises with x (every delta does), so it has at most one
     * sign change: bracketed by the ends of the search interval, narrowed by Brent's method
     * (the bracket kept at every step) to the tolerance. */
    const double S = b.spot, tol = GEX_FLIP_XTOL * S;
    const double lo = GEX_FLIP_LOWER * S, hi = GEX_FLIP_UPPER * S;
    delta_fn f = {&b, 0, GEX_OK};
    const double dlo = delta_eval(lo, &f), dhi = delta_eval(hi, &f);
    rc = f.rc;
    if (rc == GEX_OK && b.n > 0 && (dlo == 0 || dhi == 0 || (dlo < 0) != (dhi < 0))) {
        if (dlo == 0 || dhi == 0) {
            flip->value = dlo == 0 ? lo : hi;
        } else {
            gsl_function F = {delta_eval, &f};
            rc = brent_root(&F, &f.rc, lo, hi, tol, &flip->value);
        }
        flip->has = rc == GEX_OK;
    }
    gex__book_free(&b);
    if (evaluations != NULL)
        *evaluations = f.evaluations;
    if (rc != GEX_OK)
        flip->has = 0;
    return rc;
}

int gex_profile_spots(double x_min, double x_max, size_t n, double *x)
{
    if (x == NULL || n < 2 || !x_ok(x_min) || !x_ok(x_max) || !(x_min < x_max))
        return GEX_EINVAL;
    /* The span times i, then over n - 1 (not a step times i), the last point included: the
     * grid the profile command has always printed, so that every profile of gex is computed at
     * the same spots and the command's output is what it was. */
    for (size_t i = 0; i < n; i++)
        x[i] = x_min + (x_max - x_min) * (double)i / (double)(n - 1);
    return GEX_OK;
}

int gex_profile_grid(const gex_exposure *exposure, double x_min, double x_max, size_t n, double *x,
                     double *p)
{
    if (exposure == NULL || x == NULL || p == NULL || n < 2)
        return GEX_EINVAL;
    if (x_min == 0 && x_max == 0) {
        const double S = gex_exposure_spot(exposure);
        x_min = GEX_FLIP_LOWER * S;
        x_max = GEX_FLIP_UPPER * S;
    }
    const int st = gex_profile_spots(x_min, x_max, n, x);
    return st != GEX_OK ? st : gex_profile_eval(exposure, x, n, p);
}

/* --- the flip --- */

/* P as a gsl_function. The ends of the bracket are known from the grid; GSL's Brent evaluates
 * them again in gsl_root_fsolver_set, so they are answered from memory and not counted. A
 * failed evaluation is remembered and reported after the solver returns, and the solver is
 * given 0 instead: a value that is not finite would take GSL to its error handler (see
 * polish). */
typedef struct flip_fn {
    gex__book *book;
    double xa, pa, xb, pb;
    size_t evaluations;
    int rc;
} flip_fn;

static double flip_eval(double x, void *params)
{
    flip_fn *f = params;
    if (x == f->xa)
        return f->pa;
    if (x == f->xb)
        return f->pb;
    double p = 0;
    int rc = gex__book_gex(f->book, x, &p);
    f->evaluations++;
    if (rc != GEX_OK) {
        f->rc = rc;
        return 0.0; /* Brent stops on an exact zero; the status is returned afterwards */
    }
    return p;
}

/* The zero of P in the bracket (xa, xb), P(xa) and P(xb) of opposite signs, to
 * |dx| <= GEX_FLIP_XTOL S, with gsl_root_fsolver_brent (Brent 1973; GSL manual, "One
 * Dimensional Root-Finding").
 *
 * GSL reports a broken precondition by calling its error handler, global state whose default
 * calls abort(). The library neither sets a handler nor relies on one being set, so no call
 * here can reach GSL_ERROR (GSL 2.7, roots/fsolver.c, brent.c, convergence.c):
 *   - gsl_root_fsolver_alloc calls it when malloc fails: the solver is assembled here, its
 *     state (gsl_root_fsolver_type.size bytes) from malloc, GEX_ENOMEM when that fails;
 *   - gsl_root_fsolver_set needs xa <= xb, and Brent's set-up finite values at both ends of
 *     opposite signs: checked first (GEX_ERANGE; the grid's own brackets always pass);
 *   - every later value must be finite: flip_eval never gives one that is not (GEX_ERANGE
 *     after the solver returns);
 *   - gsl_root_test_interval needs tolerances >= 0 and lower <= upper: its test with epsrel =
 *     0, |upper - lower| < tol, is written out here after checking those. */
static int polish(flip_fn *f, double xa, double pa, double xb, double pb, double tol, double *root)
{
    if (!(xa < xb) || !isfinite(xa) || !isfinite(xb) || !isfinite(pa) || !isfinite(pb) ||
        !((pa < 0 && pb > 0) || (pa > 0 && pb < 0)) || !(tol >= 0 && tol < HUGE_VAL))
        return GEX_ERANGE;
    f->xa = xa;
    f->pa = pa;
    f->xb = xb;
    f->pb = pb;
    gsl_function F = {flip_eval, f};
    return brent_root(&F, &f->rc, xa, xb, tol, root);
}
/* --- a complete search for the sign changes of P ---
 *
 * P(x) = u(x)/x f(l), l = ln(x/S), f(l) = sum_i c_i exp(-d_i(l)^2 / 2), d_i = b_i l + a_i, and
 * u(x)/x > 0, so P and f change sign together. Each term is a Gaussian bump in l of width
 * 1/b_i = sigma_i sqrt(T_i); on a cell [l_c - r, l_c + r] Taylor's theorem with the Lagrange
 * remainder gives, with M2 >= max |f''| over the cell,
 *   f(l) = f(l_c) + f'(l_c)(l - l_c) + R, |R| <= M2 r^2 / 2    (no zero when |f(l_c)| > |f'(l_c)| r
 *                                                                + M2 r^2 / 2),
 *   f'(l) = f'(l_c) + R',  |R'| <= M2 r                          (f strictly monotone, so at
 *                                                                 most one zero, when
 *                                                                 |f'(l_c)| > M2 r).
 * f'' = sum_i c_i b_i^2 s(d_i), s(u) = (u^2 - 1) exp(-u^2 / 2): s rises from -1 at u = 0 to its
 * peak 2 e^{-3/2} at sqrt 3 and falls after, so over the cell's range of |d_i| its minimum is at
 * an end of that range and its maximum at an end or at the peak. Each term's range is then
 * exact, and M2 is the larger magnitude of the sums of the terms' lower and upper ends: the
 * calls' and puts' terms, of opposite signs, offset each other there, where the sum of their
 * magnitudes (h = |s|, the bound before, kept as a ceiling and for the rounding) cannot: a sixth
 * to a third of the halvings go. A cell that passes neither test is halved. Every cell
 * of the search interval ends either without a zero, or with at most one (its sign change is
 * then seen at its ends), or narrower than GEX_FLIP_XTOL (two zeros closer than that are one
 * zero at the solver's resolution, and a touch of zero without a crossing is no flip): the sign
 * changes of P between the cells' ends are all the sign changes of P. The rounding of the sums
 * is allowed for with the bound of Higham (2002, "Accuracy and Stability of Numerical
 * Algorithms", 2nd ed., eq. 3.5: |error| <= gamma_n sum |terms|). */

/* A cell's sums: f at both ends and the centre, f' at the centre, M2 over the cell, and the
 * sums of the terms' magnitudes that bound the rounding of f and f'. */
typedef struct cell_sums {
    double fa, fb, fc, dfc, m2, abs_f, abs_df;
    double pos_lo, pos_hi, neg_lo, neg_hi; /* bounds of the positive and negative parts */
    double d2_lo, d2_hi;                   /* bounds of f'' over the cell, as summed */
} cell_sums;

#define H_AT_SQRT3 0.44626032029685964 /* 2 e^{-3/2}, the maximum of h on [1, inf) */
#define SQRT3      1.7320508075688772

/* exp(-d^2 / 2) of every term at l, d = pb l + pa: a cell end's Gaussians, computed once and
 * shared by the cells that end there. */
KERNEL_CLONES
static void gauss_kernel(const double *restrict pa, const double *restrict pb, size_t n, double l,
                         double *restrict g)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        const double d = pb[i] * l + pa[i];
        g[i] = exp_nonpositive(-0.5 * d * d);
    }
}

/* The cell's value sums from the Gaussians at its ends (ga at la, gb at lb, from gauss_kernel
 * or an earlier cell) and at its centre lc = (la + lb) / 2, which it computes and leaves in gc:
 * the centre is an end of both halves when the cell is halved. Fills fa, fb, fc and the bounds
 * of the positive and negative parts, enough for the interval test; cell_kernel_slope adds the
 * rest when that test does not decide. */
KERNEL_CLONES
static void cell_kernel(const double *restrict pa, const double *restrict pb,
                        const double *restrict pc, size_t n, double la, double lb,
                        const double *restrict ga_in, const double *restrict gb_in,
                        double *restrict gc_out, cell_sums *out)
{
    const double lc = 0.5 * (la + lb);
    double fa = 0, fb = 0, fc = 0, pos_lo = 0, pos_hi = 0, neg_lo = 0, neg_hi = 0;
#pragma omp simd reduction(+ : fa, fb, fc, pos_lo, pos_hi, neg_lo, neg_hi)
    for (size_t i = 0; i < n; i++) {
        const double da = pb[i] * la + pa[i], db = pb[i] * lb + pa[i], dc = pb[i] * lc + pa[i];
        const double ga = ga_in[i];
        const double gb = gb_in[i];
        const double gc = exp_nonpositive(-0.5 * dc * dc);
        gc_out[i] = gc;
        fa += pc[i] * ga;
        fb += pc[i] * gb;
        fc += pc[i] * gc;
        const double ac = fabs(pc[i]);
        /* pb > 0, so da < db; exp(-d^2/2) falls with |d|: its extremes over the cell are at
         * the ends, or 1 where the cell reaches d = 0 */
        const int straddles = da <= 0 && db >= 0;
        const double gmin = ga < gb ? ga : gb;
        const double gmax = straddles ? 1.0 : (ga > gb ? ga : gb);
        const int pos = pc[i] > 0;
        pos_lo += pos ? ac * gmin : 0.0;
        pos_hi += pos ? ac * gmax : 0.0;
        neg_lo += pos ? 0.0 : ac * gmin;
        neg_hi += pos ? 0.0 : ac * gmax;
    }
    out->fa = fa;
    out->fb = fb;
    out->fc = fc;
    out->pos_lo = pos_lo;
    out->pos_hi = pos_hi;
    out->neg_lo = neg_lo;
    out->neg_hi = neg_hi;
}

/* The rest of the cell's sums, from the Gaussians at its ends and centre (gc from
 * cell_kernel): f' at the centre, M2 and the bounds of f'' over the cell, and the sums of
 * magnitudes that bound the rounding of f and f'. */
KERNEL_CLONES
static void cell_kernel_slope(const double *restrict pa, const double *restrict pb,
                              const double *restrict pc, size_t n, double la, double lb,
                              const double *restrict ga_in, const double *restrict gb_in,
                              const double *restrict gc_in, cell_sums *out)
{
    const double lc = 0.5 * (la + lb);
    double dfc = 0, m2 = 0, abs_f = 0, abs_df = 0, d2_lo = 0, d2_hi = 0;
#pragma omp simd reduction(+ : dfc, m2, abs_f, abs_df, d2_lo, d2_hi)
    for (size_t i = 0; i < n; i++) {
        const double da = pb[i] * la + pa[i], db = pb[i] * lb + pa[i], dc = pb[i] * lc + pa[i];
        const double ga = ga_in[i];
        const double gb = gb_in[i];
        const double gc = gc_in[i];
        const double slope = pc[i] * pb[i] * dc * gc;
        dfc -= slope;
        abs_f += fabs(pc[i]) * gc;
        abs_df += fabs(slope);
        /* pb > 0, so da < db: the range of |d| over the cell is [lo, hi] */
        const double absa = fabs(da), absb = fabs(db);
        const int straddles = da <= 0 && db >= 0;
        const double sa = (da * da - 1.0) * ga, sb = (db * db - 1.0) * gb;
        const double ha = fabs(sa), hb = fabs(sb);
        double h = ha > hb ? ha : hb;
        const double lo = absa < absb ? absa : absb, hi = absa < absb ? absb : absa;
        const int peak = lo <= SQRT3 && hi >= SQRT3;
        h = (peak && h < H_AT_SQRT3) ? H_AT_SQRT3 : h;
        h = straddles ? 1.0 : h;
        const double c2 = pc[i] * pb[i] * pb[i];
        m2 += fabs(c2) * h;
        /* s(u) = (u^2 - 1) e^{-u^2/2} over the cell's range of |d|: its minimum at an end (s
         * rises from -1 at 0 to its peak at sqrt 3, then falls towards 0), its maximum at an end
         * or at the peak; a straddling cell reaches u = 0, where s = -1. */
        const double s_lo = straddles ? -1.0 : (absa < absb ? sa : sb);
        const double s_hi = absa < absb ? sb : sa;
        const double smin = s_lo < s_hi ? s_lo : s_hi;
        double smax = s_lo > s_hi ? s_lo : s_hi;
        smax = peak || (straddles && hi >= SQRT3) ? H_AT_SQRT3 : smax;
        d2_lo += c2 > 0 ? c2 * smin : c2 * smax;
        d2_hi += c2 > 0 ? c2 * smax : c2 * smin;
    }
    out->dfc = dfc;
    out->m2 = m2;
    out->abs_f = abs_f;
    out->abs_df = abs_df;
    out->d2_lo = d2_lo;
    out->d2_hi = d2_hi;
}

/* What the tests of a cell concluded. */
typedef enum cell_verdict {
    CELL_SPLIT = 0,  /* undecided: halve it */
    CELL_NO_ZERO,    /* f keeps one sign */
    CELL_MONOTONE,   /* at most one zero */
    CELL_FLAT,       /* every term underflowed: f is 0 throughout, as computed */
    CELL_ONE_SIGNED, /* f >= 0 or f <= 0 throughout: no crossing inside */
    CELL_RESOLUTION, /* narrower than GEX_FLIP_XTOL: not divided further */
} cell_verdict;

/* gamma_n of Higham's bound with n + 16 for the exponential's few ulps, the products forming
 * each term and the sum of a merged term's weights (book_merge_kernels); doubled for the
 * quantities the tests combine. */
static double cell_gamma(size_t n)
{
    return 2.0 * (double)(n + 16) * DBL_EPSILON;
}

/* The interval test, from cell_kernel's sums alone: CELL_FLAT, CELL_ONE_SIGNED, or CELL_SPLIT
 * when it does not decide. */
static cell_verdict cell_classify_parts(const cell_sums *s, size_t n)
{
    if (s->pos_hi == 0 && s->neg_hi == 0)
        return CELL_FLAT;
    /* f = f+ - f- with f+ in [pos_lo, pos_hi] and f- in [neg_lo, neg_hi] over the cell: the
     * interval bound decides where the Gaussians' tails make Taylor's bound loose, and a part
     * that is exactly 0 (every term of that sign underflowed) leaves f one-signed. */
    const double err_parts = cell_gamma(n) * (s->pos_hi + s->neg_hi);
    if (s->pos_hi == 0 || s->neg_hi == 0 || s->pos_lo - s->neg_hi > err_parts ||
        s->neg_lo - s->pos_hi > err_parts)
        return CELL_ONE_SIGNED;
    return CELL_SPLIT;
}

/* Taylor's tests, from all the cell's sums (cell_kernel_slope's too), once the interval test
 * has not decided. */
static cell_verdict cell_classify(const cell_sums *s, double r, size_t n)
{
    const double gamma = cell_gamma(n);
    const double err_f = gamma * s->abs_f, err_df = gamma * s->abs_df;
    /* max |f''| over the cell: the signed bounds' larger magnitude, with their rounding (the
     * sums of magnitudes behind them are at most m2), and never above the magnitudes' sum */
    double m2 = fmax(fabs(s->d2_lo), fabs(s->d2_hi)) + gamma * s->m2;
    m2 = m2 < s->m2 ? m2 : s->m2;
    if (fabs(s->fc) > fabs(s->dfc) * r + 0.5 * m2 * r * r + err_f + err_df * r)
        return CELL_NO_ZERO;
    if (fabs(s->dfc) > m2 * r + err_df)
        return CELL_MONOTONE;
    if (r < 0.5 * GEX_FLIP_XTOL)
        return CELL_RESOLUTION;
    return CELL_SPLIT;
}

/* The ends of the resolved cells, in order: l = ln(x/S), x, and f(l) (whose sign is P's). */
typedef struct flip_points {
    double *l, *x, *f;
    size_t n, cap;
} flip_points;

static int points_push(flip_points *pts, double l, double x, double f)
{
    if (pts->n == pts->cap) {
        const size_t cap = pts->cap ? 2 * pts->cap : 256;
        double *block = malloc(3 * cap * sizeof *block);
        if (block == NULL)
            return GEX_ENOMEM;
        if (pts->n > 0) {
            memcpy(block, pts->l, pts->n * sizeof *block);
            memcpy(block + cap, pts->x, pts->n * sizeof *block);
            memcpy(block + 2 * cap, pts->f, pts->n * sizeof *block);
        }
        free(pts->l);
        pts->l = block;
        pts->x = block + cap;
        pts->f = block + 2 * cap;
        pts->cap = cap;
    }
    pts->l[pts->n] = l;
    pts->x[pts->n] = x;
    pts->f[pts->n] = f;
    pts->n++;
    return GEX_OK;
}

/* The deepest halving: the grid's widest cell is under 0.4 in l, and a cell stops halving below
 * GEX_FLIP_XTOL, so 2^-32 of it is already narrower. The stack of a depth-first walk holds at
 * most one pending right half per level. */
#define FLIP_MAX_DEPTH 64

/* The Gaussians of the book's terms at the points the walk still needs (a pending cell's ends):
 * arrays of n, each with the number of pending cells and points that use it, reused once
 * unused. At most FLIP_MAX_DEPTH + 4 are held at once: the ends of at most FLIP_MAX_DEPTH + 1
 * pending cells (consecutive: one more end than cells), the centre being computed and the
 * other side's outermost grid point. */
#define GAUSS_SLOTS (FLIP_MAX_DEPTH + 4)
typedef struct gauss_pool {
    size_t n;
    int refs[GAUSS_SLOTS];
    /* every slot's array, one after the other (slot k's at mem + k n), allocated at the first
     * take: the walk touches the first slots' memory only, so the rest costs no page; on huge
     * pages the ones it touches cost about 300 page faults fewer on the index chain than arrays
     * of their own */
    double *mem;
} gauss_pool;

/* The length of a slot's array (1 for an empty book). */
static size_t gauss_len(const gauss_pool *p)
{
    return p->n ? p->n : 1;
}

/* Slot k's array. */
static double *gauss_slot(const gauss_pool *p, int k)
{
    return p->mem + (size_t)k * gauss_len(p);
}

static void gauss_pool_free(gauss_pool *p)
{
    gex__big_free(p->mem, GAUSS_SLOTS * gauss_len(p) * sizeof *p->mem);
}

/* A free slot (refs 0), or -1 when memory ran out. */
static int gauss_take(gauss_pool *p)
{
    const size_t n = gauss_len(p);
    if (p->mem == NULL && (n > SIZE_MAX / sizeof *p->mem / GAUSS_SLOTS ||
                           (p->mem = gex__big_alloc(GAUSS_SLOTS * n * sizeof *p->mem)) == NULL))
        return -1;
    for (int k = 0; k < GAUSS_SLOTS; k++) {
        if (p->refs[k] != 0)
            continue;
        p->refs[k] = 1;
        return k;
    }
    return -1; /* never: the walk holds fewer */
}

static void gauss_release(gauss_pool *p, int k)
{
    if (k >= 0)
        p->refs[k]--;
}

/* The slot holding the Gaussians at l (a new one), or -1 when memory ran out. */
static int gauss_at(gex__book *b, gauss_pool *p, double l)
{
    const int k = gauss_take(p);
    if (k >= 0)
        gauss_kernel(b->pa, b->pb, b->n, l, gauss_slot(p, k));
    return k;
}

/* Resolves the cell (xa, xb) of the grid by halving; la and lb are ln(xa/S) and ln(xb/S), ka
 * and kb the slots of their Gaussians (each keeps its reference: the caller releases it). A
 * half's ends are the cell's end and centre, in l exactly: lc = (la + lb) / 2, the centre the
 * kernel evaluated, so its Gaussians serve both halves and each cell computes one per term; its
 * x is S e^{lc}. Going right (outward = +1), appends the right end of each resolved cell, left
 * to right (the cell's left end is already in pts); going left (-1), the left end of each,
 * right to left. Stops at the first sign change of pts (setting *closed): a zero lies
 * between its two points, nearer than anything farther out on this side. */
static int resolve_cell(gex__book *b, gauss_pool *pool, double xa, double xb, double la, double lb,
                        int ka, int kb, int outward, flip_points *pts, size_t *cells, int *closed)
{
    const double S = b->spot;
    struct {
        double xa, xb, la, lb;
        int ka, kb;
    } stack[FLIP_MAX_DEPTH + 1];
    /* the sign of the last point of pts where f != 0: a point of the other sign closes the
     * first bracket outward from the spot on this side, and no zero beyond it is nearer */
    int side_sign = 0;
    for (size_t k = pts->n; k-- > 0 && side_sign == 0;)
        side_sign = (pts->f[k] > 0) - (pts->f[k] < 0);
    size_t top = 0;
    stack[top].xa = xa;
    stack[top].xb = xb;
    stack[top].la = la;
    stack[top].lb = lb;
    stack[top].ka = ka;
    stack[top].kb = kb;
    pool->refs[ka]++;
    pool->refs[kb]++;
    top++;
    int rc = GEX_OK;
    while (top > 0 && rc == GEX_OK) {
        top--;
        const double ca = stack[top].xa, cb = stack[top].xb;
        const double cla = stack[top].la, clb = stack[top].lb;
        const int cka = stack[top].ka, ckb = stack[top].kb;
        const int kc = gauss_take(pool);
        if (kc < 0) {
            gauss_release(pool, cka);
            gauss_release(pool, ckb);
            rc = GEX_ENOMEM;
            break;
        }
        cell_sums s;
        cell_kernel(b->pa, b->pb, b->pc, b->n, cla, clb, gauss_slot(pool, cka),
                    gauss_slot(pool, ckb), gauss_slot(pool, kc), &s);
        (*cells)++;
        int finite = isfinite(s.fa) && isfinite(s.fb) && isfinite(s.fc) && isfinite(s.pos_hi) &&
                     isfinite(s.neg_hi);
        cell_verdict v = finite ? cell_classify_parts(&s, b->n) : CELL_SPLIT;
        if (finite && v == CELL_SPLIT) {
            cell_kernel_slope(b->pa, b->pb, b->pc, b->n, cla, clb, gauss_slot(pool, cka),
                              gauss_slot(pool, ckb), gauss_slot(pool, kc), &s);
            finite = isfinite(s.dfc) && isfinite(s.m2) && isfinite(s.abs_f) && isfinite(s.abs_df);
            if (finite)
                v = top < FLIP_MAX_DEPTH ? cell_classify(&s, 0.5 * (clb - cla), b->n)
                                         : CELL_RESOLUTION;
        }
        if (!finite) {
            gauss_release(pool, cka);
            gauss_release(pool, ckb);
            gauss_release(pool, kc);
            rc = GEX_ERANGE;
            break;
        }
        const double lc = 0.5 * (cla + clb);
        const double xm = S * exp(lc);
        if (v == CELL_SPLIT && !(xm > ca && xm < cb && lc > cla && lc < clb))
            v = CELL_RESOLUTION; /* no double between the ends: nothing left to divide */
        if (v == CELL_SPLIT) {
            /* the inner half (resolved first) on top; the centre's Gaussians are shared by
             * both halves, the ends' passed on */
            const size_t inner_left = outward > 0 ? 1 : 0;
            stack[top + inner_left].xa = ca;
            stack[top + inner_left].xb = xm;
            stack[top + inner_left].la = cla;
            stack[top + inner_left].lb = lc;
            stack[top + inner_left].ka = cka;
            stack[top + inner_left].kb = kc;
            stack[top + !inner_left].xa = xm;
            stack[top + !inner_left].xb = cb;
            stack[top + !inner_left].la = lc;
            stack[top + !inner_left].lb = clb;
            stack[top + !inner_left].ka = kc;
            stack[top + !inner_left].kb = ckb;
            pool->refs[kc]++; /* taken with one reference: now one per half */
            top += 2;
            continue;
        }
        gauss_release(pool, cka);
        gauss_release(pool, ckb);
        gauss_release(pool, kc);
        const double fe = outward > 0 ? s.fb : s.fa, xe = outward > 0 ? cb : ca;
        if (!isfinite(fe * (gex__exposure_unit_factor(b->unit, xe) / xe))) {
            rc = GEX_ERANGE; /* f is finite, P = f u(x) / x is not */
            break;
        }
        rc = outward > 0 ? points_push(pts, clb, cb, fe) : points_push(pts, cla, ca, fe);
        const int sign = (fe > 0) - (fe < 0);
        if (sign != 0 && side_sign != 0 && sign != side_sign) {
            *closed = 1; /* the cells left, and the grid's beyond, are all farther out */
            break;
        }
        side_sign = sign != 0 ? sign : side_sign;
    }
    while (top > 0) { /* after a failure or a close: the references of the cells left */
        top--;
        gauss_release(pool, stack[top].ka);
        gauss_release(pool, stack[top].kb);
    }
    return rc;
}

/* The zero of P between two consecutive resolved points a < b whose f have opposite signs: the
 * cell between them holds exactly one zero (or, below resolution, an odd number within
 * GEX_FLIP_XTOL). P is evaluated at the ends the way Brent will see it; where rounding gives
 * an end P = 0 or the same sign at both ends, that end is the zero to within rounding. */
static int zero_between(flip_fn *f, double xa, double xb, double tol, double *zero)
{
    double pa, pb;
    int rc = gex__book_gex(f->book, xa, &pa);
    if (rc == GEX_OK)
        rc = gex__book_gex(f->book, xb, &pb);
    f->evaluations += 2;
    if (rc != GEX_OK)
        return rc;
    if ((pa < 0 && pb > 0) || (pa > 0 && pb < 0))
        return polish(f, xa, pa, xb, pb, tol, zero);
    *zero = fabs(pa) <= fabs(pb) ? xa : xb;
    return GEX_OK;
}

/* f(l) scaled by its largest term: sum_i c_i exp(E_i - E_max), E_i = -d_i^2 / 2. It has f's
 * sign and zeros, and stays representable where every term of f underflows to 0 (a spot
 * several sigma sqrt(T) from every strike of a 0DTE book): there f is exactly 0 over a run of
 * points whose true sign changes this shows. */
static double scaled_kernel(const gex__book *b, double lx)
{
    double top = -INFINITY;
    for (size_t i = 0; i < b->n; i++) {
        const double d = b->pb[i] * lx + b->pa[i], e = -0.5 * d * d;
        top = b->pc[i] != 0 && e > top ? e : top;
    }
    double s = 0;
    for (size_t i = 0; i < b->n; i++) {
        const double d = b->pb[i] * lx + b->pa[i];
        s += b->pc[i] * exp(-0.5 * d * d - top);
    }
    return isfinite(s) ? s : 0.0;
}

/* A zero of the scaled f between xa and xb (xa < xb), whose signs are sa and the opposite, by
 * bisection to tol: the run of points where f underflowed has no finite P for Brent. */
static double scaled_zero(flip_fn *f, double xa, int sa, double xb, double tol)
{
    while (xb - xa > tol) {
        const double xm = 0.5 * (xa + xb);
        const double v = scaled_kernel(f->book, log(xm / f->book->spot));
        f->evaluations++;
        if (v == 0)
            return xm;
        if ((v > 0) == (sa > 0))
            xa = xm;
        else
            xb = xm;
    }
    return 0.5 * (xa + xb);
}

/* The zero nearest the spot of f in [q->x[a], q->x[b]], where f is exactly 0 at every point
 * strictly between (every term underflowed) and of opposite signs at a and b: found on the
 * scaled f, whose sign at the points between shows where f changes sign. */
static double zero_in_underflow(flip_fn *f, const flip_points *q, size_t a, size_t b, double S,
                                double tol)
{
    double best = NAN;
    size_t from = a;
    int from_sign = q->f[a] > 0 ? 1 : -1;
    for (size_t j = a + 1; j <= b; j++) {
        int sign;
        if (j == b) {
            sign = q->f[b] > 0 ? 1 : -1;
        } else {
            const double v = scaled_kernel(f->book, log(q->x[j] / f->book->spot));
            f->evaluations++;
            sign = (v > 0) - (v < 0);
        }
        double zero = NAN;
        if (sign == 0)
            zero = q->x[j]; /* f is 0 there to the last bit of its scaled terms */
        else if (sign != from_sign)
            zero = scaled_zero(f, q->x[from], from_sign, q->x[j], tol);
        if (!isnan(zero) && (isnan(best) || fabs(zero - S) < fabs(best - S)))
            best = zero;
        if (sign != 0) {
            from = j;
            from_sign = sign;
        }
    }
    return best;
}

/* The nearest zero to the spot among the sign changes of the resolved points q[0..n) (in
 * ascending x), when nearer than *flip; n_changes receives how many sign changes they hold.
 * A sign change whose two points both lie in [seen_lo, seen_hi], the points of an earlier call,
 * was weighed then: polished into the same zero, or skipped as farther than a best that has
 * only come nearer since; it is counted, not polished again. */
static int nearest_zero(flip_fn *f, const flip_points *q, double S, double seen_lo, double seen_hi,
                        gex_level *flip, size_t *n_changes)
{
    const double tol = GEX_FLIP_XTOL * S;
    size_t last = q->n, changes = 0; /* the last point with f != 0 */
    for (size_t k = 0; k < q->n; k++) {
        if (q->f[k] == 0)
            continue;
        if (last < q->n && (q->f[last] < 0) != (q->f[k] < 0)) {
            changes++;
            /* a zero lies in [x_last, x_k]: skip it when it cannot beat the best so far */
            const double near = q->x[last] >= S ? q->x[last] - S : q->x[k] <= S ? S - q->x[k] : 0.0;
            const int seen = q->x[last] >= seen_lo && q->x[k] <= seen_hi;
            if (!seen && (!flip->has || near < fabs(flip->value - S))) {
                double zero;
                if (k > last + 1) {
                    /* f is exactly 0 at the points between: its terms underflowed there */
                    zero = zero_in_underflow(f, q, last, k, S, tol);
                } else {
                    const int rc = zero_between(f, q->x[last], q->x[k], tol, &zero);
                    if (rc != GEX_OK)
                        return rc;
                }
                const double d = fabs(zero - S);
                if (!flip->has || d < fabs(flip->value - S) ||
                    (d == fabs(flip->value - S) && zero < flip->value)) {
                    flip->has = 1;
                    flip->value = zero;
                }
            }
        }
        last = k;
    }
    *n_changes = changes;
    return GEX_OK;
}

/* A term of the profile's kernel, for book_cancels. */
typedef struct kernel_term {
    double pa, pb, pc;
} kernel_term;

static int by_kernel(const void *x, const void *y)
{
    const kernel_term *a = x, *b = y;
    if (a->pa != b->pa)
        return a->pa < b->pa ? -1 : 1;
    if (a->pb != b->pb)
        return a->pb < b->pb ? -1 : 1;
    return 0;
}

/* Whether P is identically 0: every kernel exp(-(pb l + pa)^2 / 2) of the book carries weights
 * that add up to exactly 0 (a book holding as many puts as calls of the same strike, expiry
 * and IV: the same gamma, opposite signs). No search can find a sign change of such a P, and
 * the cell bounds, made of the terms' absolute values, can never show it keeps one: the search
 * would halve every cell to the tolerance. Sets *out; GEX_OK or GEX_ENOMEM. */
static int book_cancels(const gex__book *b, int *out)
{
    *out = 0;
    kernel_term *t = malloc(b->n * sizeof *t);
    if (t == NULL)
        return GEX_ENOMEM;
    for (size_t i = 0; i < b->n; i++)
        t[i] = (kernel_term){b->pa[i], b->pb[i], b->pc[i]};
    qsort(t, b->n, sizeof *t, by_kernel);
    int cancels = 1;
    for (size_t i = 0; i < b->n && cancels;) {
        size_t j = i;
        double w = 0;
        for (; j < b->n && t[j].pa == t[i].pa && t[j].pb == t[i].pb; j++)
            w += t[j].pc;
        cancels = w == 0;
        i = j;
    }
    free(t);
    *out = cancels;
    return GEX_OK;
}

/* Merges the book's consecutive terms whose kernels are the same function (pa and pb equal to
 * the bit: a strike's call and put at one expiry and one IV, which the chain holds side by
 * side) into one term carrying the sum of their weights; a sum that is exactly 0 leaves no
 * term. P is the same function, one Gaussian a pair instead of two, and the cell bounds see
 * the pair's net weight instead of two opposite ones that only cancel in the sum. The sum's
 * rounding, relative to the merged weight, is one more in each term's product (cell_gamma
 * allows for it). */
static void book_merge_kernels(gex__book *b)
{
    size_t m = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (m > 0 && b->pa[i] == b->pa[m - 1] && b->pb[i] == b->pb[m - 1]) {
            b->pc[m - 1] += b->pc[i];
            continue;
        }
        if (m > 0 && b->pc[m - 1] == 0)
            m--; /* the previous kernel's weights cancelled */
        b->pa[m] = b->pa[i];
        b->pb[m] = b->pb[i];
        b->pc[m] = b->pc[i];
        m++;
    }
    if (m > 0 && b->pc[m - 1] == 0)
        m--;
    b->n = m;
}

int gex_levels_flip_profile(const gex_exposure *exposure, gex_level *flip, size_t *evaluations,
                            size_t *sign_changes)
{
    if (flip == NULL)
        return GEX_EINVAL;
    flip->has = 0;
    flip->value = 0;
    enum { N_GRID = 2 * GEX_FLIP_GRID_HALF + 1, H = GEX_FLIP_GRID_HALF };
    gex__book b;
    int rc = gex__book_init(&b, exposure, GEX_BOOK_PROFILE);
    if (rc != GEX_OK)
        return rc;
    book_merge_kernels(&b);
    const double S = b.spot;
    flip_fn f = {.book = &b, .evaluations = 0, .rc = GEX_OK};
    gauss_pool pool;
    memset(&pool, 0, sizeof pool);
    pool.n = b.n;
    /* the points resolved right of the spot (ascending), left of it (descending), and both
     * joined in ascending order */
    flip_points right = {NULL, NULL, NULL, 0, 0}, left = {NULL, NULL, NULL, 0, 0};
    flip_points joined = {NULL, NULL, NULL, 0, 0};
    size_t n_changes = 0, cells = 0;

    if (b.n == 0)
        goto done; /* P = 0 everywhere: no sign change */

    /* The grid of gex/levels.h: x = S (1 + u_j), u_j = sign(j) (GEX_FLIP_UPPER - 1) (j/half)^2,
     * so u runs from GEX_FLIP_LOWER - 1 = -0.5 to +0.5. Its cells are resolved outward from the
     * spot, the nearer end first, until no unresolved cell can hold a zero nearer than the best
     * found: the resolved points always cover one interval around the spot, so the sign changes
     * between them are all those of P there. */
    double x[N_GRID];
    for (int j = -H; j <= H; j++) {
        const double r = (double)j / H;
        const double u = (j < 0 ? 1.0 - GEX_FLIP_LOWER : GEX_FLIP_UPPER - 1.0) * r * fabs(r);
        x[j + H] = j == 0 ? S : S * (1.0 + u);
    }
    {
        double p0 = 0;
        rc = gex__book_gex(&b, S, &p0);
        f.evaluations++;
        if (rc == GEX_OK)
            rc = points_push(&right, 0.0, S, p0);
        if (rc == GEX_OK)
            rc = points_push(&left, 0.0, S, p0);
        /* P within rounding of 0 at the spot and at both ends: is it 0 everywhere? (Almost
         * never asked: a real book's P is not that small at three points.) Not "exactly 0":
         * the kernels' summation order (vectorised, or AVX-512's clone) can leave a cancelling
         * book's P at 1e-11 where the terms are 1e5, and the search would then halve every
         * cell of the range to the tolerance. */
        double pl = 0, ph = 0, weights = 0;
        for (size_t i = 0; i < b.n; i++)
            weights += fabs(b.pc[i]);
        /* the rounding of P at x: gex__book_gex's kernel sum of terms at most |pc| each, over x,
         * times the unit's factor */
        const double eps = 2.0 * (double)(b.n + 16) * DBL_EPSILON * weights;
#define P_ROUND(x) (eps / (x)*fabs(gex__exposure_unit_factor(b.unit, (x))))
        if (rc == GEX_OK && fabs(p0) <= P_ROUND(S) && gex__book_gex(&b, x[0], &pl) == GEX_OK &&
            gex__book_gex(&b, x[N_GRID - 1], &ph) == GEX_OK && fabs(pl) <= P_ROUND(x[0]) &&
            fabs(ph) <= P_ROUND(x[N_GRID - 1])) {
#undef P_ROUND
            f.evaluations += 2;
            int zero = 0;
            rc = book_cancels(&b, &zero);
            if (rc == GEX_OK && zero)
                goto done; /* P = 0 everywhere: no sign change */
        }
    }
    size_t lo = H, hi = H; /* the grid points resolved: x[lo] .. x[hi] */
    /* a side is closed once its points hold a sign change: nothing farther out on it can hold
     * a nearer zero (lo or hi then jumps to the grid's end) */
    int closed_left = 0, closed_right = 0;
    /* the points nearest_zero has weighed: none yet */
    double seen_lo = HUGE_VAL, seen_hi = -HUGE_VAL;
    /* the Gaussians at x[lo] and x[hi] (l of the spot: 0), each held by its side */
    double l_lo = 0.0, l_hi = 0.0;
    int k_lo = -1, k_hi = -1;
    if (rc == GEX_OK) {
        k_lo = k_hi = gauss_at(&b, &pool, 0.0);
        if (k_lo < 0)
            rc = GEX_ENOMEM;
        else
            pool.refs[k_lo]++;
    }
    while (rc == GEX_OK && (lo > 0 || hi < N_GRID - 1)) {
        const double near_left = lo > 0 ? S - x[lo] : HUGE_VAL;
        const double near_right = hi < N_GRID - 1 ? x[hi] - S : HUGE_VAL;
        const double near = near_left < near_right ? near_left : near_right;
        /* a zero beyond is at least `near` away; but a boundary point where f is 0 may be the
         * zero of a sign change that ends beyond it */
        if (flip->has && fabs(flip->value - S) <= near && left.f[left.n - 1] != 0 &&
            right.f[right.n - 1] != 0)
            break;
        /* the l of each grid point exactly as gex__book_gex computes it */
        if (near_left <= near_right) {
            const double l = log(x[lo - 1] / S);
            const int k = gauss_at(&b, &pool, l);
            rc = k < 0 ? GEX_ENOMEM
                       : resolve_cell(&b, &pool, x[lo - 1], x[lo], l, l_lo, k, k_lo, -1, &left,
                                      &cells, &closed_left);
            gauss_release(&pool, k_lo);
            k_lo = k;
            l_lo = l;
            lo = closed_left ? 0 : lo - 1;
        } else {
            const double l = log(x[hi + 1] / S);
            const int k = gauss_at(&b, &pool, l);
            rc = k < 0 ? GEX_ENOMEM
                       : resolve_cell(&b, &pool, x[hi], x[hi + 1], l_hi, l, k_hi, k, +1, &right,
                                      &cells, &closed_right);
            gauss_release(&pool, k_hi);
            k_hi = k;
            l_hi = l;
            hi = closed_right ? N_GRID - 1 : hi + 1;
        }
        joined.n = 0;
        for (size_t k = left.n; rc == GEX_OK && k-- > 1;)
            rc = points_push(&joined, left.l[k], left.x[k], left.f[k]);
        for (size_t k = 0; rc == GEX_OK && k < right.n; k++)
            rc = points_push(&joined, right.l[k], right.x[k], right.f[k]);
        if (rc == GEX_OK)
            rc = nearest_zero(&f, &joined, S, seen_lo, seen_hi, flip, &n_changes);
        if (rc == GEX_OK && joined.n > 0) {
            seen_lo = joined.x[0];
            seen_hi = joined.x[joined.n - 1];
        }
    }

done:
    gauss_pool_free(&pool);
    free(right.l);
    free(left.l);
    free(joined.l);
    gex__book_free(&b);
    if (rc != GEX_OK) {
        flip->has = 0;
        flip->value = 0;
        n_changes = 0;
    }
    if (evaluations != NULL)
        *evaluations = f.evaluations + cells;
    if (sign_changes != NULL)
        *sign_changes = n_changes;
    return rc;
}
