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
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exposure-internal.h"
#include "gex/bs.h"
#include "gex/error.h"
#include "levels-internal.h"

#define INV_SQRT_2PI 0.39894228040143267794 /* 1/sqrt(2 pi), correctly rounded */

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
        b->block = malloc(5 * m * sizeof *b->block); /* K, T, sigma, w, scratch */
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
    } else {
        b->pa = b->block;
        b->pb = b->pa + m;
        b->pc = b->pb + m;
    }
    size_t j = 0;
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
            j++;
            continue;
        }
        /* SPEC 1.3: gamma(x) = e^{-qT} n(d1) / (x sigma sqrt(T)) with
         * d1 = (ln(x/S) + ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt(T)) = pb ln(x/S) + pa,
         * so that w gamma(x) = pc exp(-d1^2 / 2) / x: everything but one exponential per
         * contract is independent of x and computed once here. Splitting the logarithm at the
         * spot keeps both terms small where P matters (x and K near S), so d1 is not the
         * difference of two large numbers (ln x and ln K over a 0DTE sigma sqrt(T)). */
        const double sq = v.iv[i] * sqrt(v.T[i]);
        b->pb[j] = 1.0 / sq;
        b->pa[j] =
            (log(b->spot / v.strike[i]) + (b->rate - b->div + 0.5 * v.iv[i] * v.iv[i]) * v.T[i]) /
            sq;
        b->pc[j] = w * exp(-b->div * v.T[i]) / sq * INV_SQRT_2PI;
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
    double p = 1.0 / 6227020800.0; /* 1/13! */
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    int64_t tb, shifter_bits;
    const double shifter = EXP_SHIFTER;
    memcpy(&tb, &t, sizeof tb);
    memcpy(&shifter_bits, &shifter, sizeof shifter_bits);
    const int64_t e = (tb - shifter_bits + EXP_BIAS_HALF + 1023) << 52;
    double scale;
    memcpy(&scale, &e, sizeof scale);
    return p * scale * 0x1p-511;
}

/* sum_i pc_i exp(-(pb_i lx + pa_i)^2 / 2): the profile kernel, vectorised, with one clone per
 * instruction set chosen at load time. The choice is an IFUNC resolved by the dynamic loader
 * once, before any thread starts (no state of ours). Under ThreadSanitizer the resolver, itself
 * instrumented, would run before the sanitizer's runtime is set up and crash the loader: that
 * build compiles the baseline body only. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
static double
profile_kernel(const double *restrict pa, const double *restrict pb, const double *restrict pc,
               size_t n, double lx)
{
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (size_t i = 0; i < n; i++) {
        const double d = pb[i] * lx + pa[i];
        s += pc[i] * exp_nonpositive(-0.5 * d * d);
    }
    return s;
}

/* The delta of every contract of the book at spot x (the vectorised batch of gex/bs.h), summed
 * with the weights w in book order. */
static int book_delta_sum(gex__book *b, double x, double *sum)
{
    if (b->n == 0) {
        *sum = 0;
        return GEX_OK;
    }
    const gex_bs_batch_in in = {.n = b->n,
                                .S = NULL,
                                .S_all = x,
                                .K = b->K,
                                .T = b->T,
                                .sigma = b->sigma,
                                .type = b->type,
                                .r = NULL,
                                .r_all = b->rate,
                                .q = NULL,
                                .q_all = b->div};
    gex_bs_batch_out out;
    memset(&out, 0, sizeof out);
    out.delta = b->scratch;
    size_t bad = 0;
    int rc = gex_bs_greeks_batch(&in, &out, &bad);
    if (rc != GEX_OK)
        return rc;
    if (bad > 0)
        return GEX_ERANGE;
    const double *g = b->scratch, *w = b->w;
    double s = 0;
    for (size_t i = 0; i < b->n; i++)
        s += w[i] * g[i];
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
    return book_delta_sum(b, x, d);
}

static int x_ok(double x)
{
    return x > 0 && x < HUGE_VAL;
}

int gex_profile_eval(const gex_exposure *exposure, const double *x, size_t n, double *p)
{
    if ((n > 0 && (x == NULL || p == NULL)))
        return GEX_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!x_ok(x[i]))
            return GEX_EINVAL;
    gex__book b;
    int rc = gex__book_init(&b, exposure, GEX_BOOK_PROFILE);
    for (size_t i = 0; i < n && rc == GEX_OK; i++)
        rc = gex__book_gex(&b, x[i], &p[i]);
    gex__book_free(&b);
    return rc;
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
    if (!x_ok(x_min) || !x_ok(x_max) || !(x_min < x_max))
        return GEX_EINVAL;
    const double step = (x_max - x_min) / (double)(n - 1);
    for (size_t i = 0; i + 1 < n; i++)
        x[i] = x_min + step * (double)i;
    x[n - 1] = x_max; /* exactly the end asked for */
    return gex_profile_eval(exposure, x, n, p);
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
    gsl_root_fsolver s = {.type = gsl_root_fsolver_brent, .state = NULL};
    s.state = malloc(s.type->size);
    if (s.state == NULL)
        return GEX_ENOMEM;
    gsl_function F = {flip_eval, f};
    int rc = GEX_ENOCONV;
    if (gsl_root_fsolver_set(&s, &F, xa, xb) == GSL_SUCCESS) {
        for (int iter = 0; iter < GEX_FLIP_MAX_ITER; iter++) {
            if (gsl_root_fsolver_iterate(&s) != GSL_SUCCESS)
                break;
            if (f->rc != GEX_OK)
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
    if (f->rc != GEX_OK)
        return f->rc;
    return rc;
}

/* A sign change of P on the grid: between grid points a and b (b > a), P(a) and P(b) non-zero
 * of opposite signs, P exactly 0 at the points between (none when b = a + 1). */
typedef struct sign_change {
    size_t a, b;
    double near; /* a lower bound of the distance from the spot to the zero */
} sign_change;

int gex_levels_flip_profile(const gex_exposure *exposure, gex_level *flip, size_t *evaluations,
                            size_t *sign_changes)
{
    if (flip == NULL)
        return GEX_EINVAL;
    flip->has = 0;
    flip->value = 0;
    enum { N_GRID = 2 * GEX_FLIP_GRID_HALF + 1 };
    double x[N_GRID], p[N_GRID];
    sign_change changes[N_GRID];
    gex__book b;
    int rc = gex__book_init(&b, exposure, GEX_BOOK_PROFILE);
    if (rc != GEX_OK)
        return rc;
    const double S = b.spot;
    flip_fn f = {.book = &b, .evaluations = 0, .rc = GEX_OK};

    /* The grid of gex/levels.h: x = S (1 + u_j), u_j = sign(j) (GEX_FLIP_UPPER - 1) (j/half)^2,
     * so u runs from GEX_FLIP_LOWER - 1 = -0.5 to +0.5. */
    for (int j = -GEX_FLIP_GRID_HALF; j <= GEX_FLIP_GRID_HALF && rc == GEX_OK; j++) {
        const double r = (double)j / GEX_FLIP_GRID_HALF;
        const double u = (j < 0 ? 1.0 - GEX_FLIP_LOWER : GEX_FLIP_UPPER - 1.0) * r * fabs(r);
        const size_t k = (size_t)(j + GEX_FLIP_GRID_HALF);
        x[k] = j == 0 ? S : S * (1.0 + u);
        rc = gex__book_gex(&b, x[k], &p[k]);
        f.evaluations++;
    }

    size_t n_changes = 0;
    if (rc == GEX_OK) {
        size_t last = N_GRID; /* the last grid point with P != 0 */
        for (size_t k = 0; k < N_GRID; k++) {
            if (p[k] == 0)
                continue;
            if (last < N_GRID && (p[last] < 0) != (p[k] < 0)) {
                sign_change *c = &changes[n_changes++];
                c->a = last;
                c->b = k;
                c->near = x[last] >= S ? x[last] - S : (x[k] <= S ? S - x[k] : 0.0);
                if (k > last + 1) {
                    /* P is exactly 0 on the points between: the zero is the one nearest the
                     * spot (then the lower), and its distance is exact. */
                    double best = x[last + 1];
                    for (size_t z = last + 2; z < k; z++)
                        if (fabs(x[z] - S) < fabs(best - S))
                            best = x[z];
                    c->near = fabs(best - S);
                }
            }
            last = k;
        }
    }

    /* Polish the brackets in order of their distance bound; stop once no remaining bracket
     * can hold a zero nearer than the best found (a zero lies strictly inside its bracket). */
    const double tol = GEX_FLIP_XTOL * S;
    int done[N_GRID] = {0};
    for (size_t round = 0; round < n_changes && rc == GEX_OK; round++) {
        size_t c = n_changes;
        for (size_t i = 0; i < n_changes; i++)
            if (!done[i] && (c == n_changes || changes[i].near < changes[c].near))
                c = i;
        done[c] = 1;
        if (flip->has && changes[c].near >= fabs(flip->value - S))
            break;
        double zero;
        const size_t a = changes[c].a, z = changes[c].b;
        if (z > a + 1) {
            zero = x[a + 1];
            for (size_t k = a + 2; k < z; k++)
                if (fabs(x[k] - S) < fabs(zero - S))
                    zero = x[k];
        } else {
            rc = polish(&f, x[a], p[a], x[z], p[z], tol, &zero);
            if (rc != GEX_OK)
                break;
        }
        const double d = fabs(zero - S);
        if (!flip->has || d < fabs(flip->value - S) ||
            (d == fabs(flip->value - S) && zero < flip->value)) {
            flip->has = 1;
            flip->value = zero;
        }
    }
    gex__book_free(&b);
    if (rc != GEX_OK) {
        flip->has = 0;
        flip->value = 0;
    }
    if (evaluations != NULL)
        *evaluations = f.evaluations;
    if (sign_changes != NULL)
        *sign_changes = n_changes;
    return rc;
}
