/*
 * American option prices and greeks (SPEC 1.8): Andersen, Lake and Offengelt's fixed-point
 * method for the put's exercise boundary, the early-exercise premium integral over it, and the
 * call through put-call symmetry.
 *
 * Sources, cited where used:
 *  [ALO]  L. Andersen, M. Lake, D. Offengelt, "High-performance American option pricing",
 *         Journal of Computational Finance 20(1), 2016: the fixed-point equations of the boundary
 *         (their (FP-A) and (FP-B) forms), the Chebyshev interpolation of ln(B/X)^2 in
 *         sqrt(tau), the Jacobi-Newton step. Form A is tried first and form B takes over when A
 *         stops contracting (gex's own rule, SPEC 1.8).
 *  [Li]   M. Li, "Analytical approximations for the critical stock prices of American options:
 *         a performance comparison", Journal of Computational Finance 8(4), 2005: the QD+
 *         boundary the iteration starts from.
 *  [Kim]  I. J. Kim, "The analytic valuation of American options", Review of Financial Studies
 *         3(4), 1990: the price as European price plus early-exercise premium.
 *  [MS]   R. McDonald, M. Schroder, "A parity result for American options", Journal of
 *         Computational Finance 1(3), 1998: C(S, K, r, q) = P(K, S, q, r).
 *
 * Every integral over [0, tau] is taken in theta with u = tau sin^2(theta): the boundary is a
 * smooth function of sqrt(u) and the integrands of sqrt(tau - u), so in theta both ends are
 * smooth and Gauss-Legendre converges geometrically (ALO's own substitution removes one end's
 * square root only).
 */
#include "gex/american.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "american-internal.h"
#include "bs-internal.h"

/* Default: within 1e-6 relative of the converged value over SPEC 1.8's grid (see the header).
 * Fine: the tests' converged value, 1e-11 or better. */
const gex__am_scheme gex__am_default_scheme = {
    .n = 24, .l = 16, .m = 64, .newton = 1, .tol = 1e-8, .try_a = true, .p = 48};
/* Light: within 0.22 of the tolerance of the converged value wherever gex__am_scheme_for picks
 * it (tests/test-american.c holds it against the fine scheme on a dense grid up to the rule's
 * edge; 0.35 on a denser one of 47,520 contracts); about a third of the default's cost for the
 * boundary. Its premium keeps 48 points: with 32 the price stays within the tolerance but gamma
 * near the exercise boundary is off by percents.
 * Its iteration keeps 12 points: with 8 every test passes in the release build, but where the
 * put's rate is tiny (1e-20, sigma sqrt(T) 0.6, K/S 0.3) the sanitizers' build (scalar libm)
 * put a call in the exercise region. */
const gex__am_scheme gex__am_light_scheme = {
    .n = 12, .l = 12, .m = 64, .newton = 1, .tol = 1e-8, .try_a = true, .p = 48};
/* Wide: where the put's other rate (q for a put, r for a call) is negative, outside SPEC 1.8's
 * grid (a parity fit's q on an ETF's file runs to -0.17): there the carry r - q reaches 0.27 and
 * the default scheme missed the converged price by up to 4.5 times the tolerance (the light one,
 * where its rule picked it, by up to 98 times); with 32 nodes, 24 points and 64 for the premium
 * the worst is 0.62 on 31,680 puts of a grid (scratch) and 0.63 on the 113 contracts of
 * tests/test-american.c's test_am_negative_carry_fine. */
const gex__am_scheme gex__am_wide_scheme = {
    .n = 32, .l = 24, .m = 64, .newton = 1, .tol = 1e-8, .try_a = true, .p = 64};
const gex__am_scheme gex__am_fine_scheme = {
    .n = 32, .l = 48, .m = 200, .newton = 1, .tol = 1e-13, .try_a = false, .p = 128};

/* Below this |r - q| form B contracts too slowly and form A is used without a fallback (the
 * choice QuantLib's QdFpAmericanEngine makes between the two). */
#define AM_FPA_CARRY 1e-3
/* Form A converges in about 8 iterations where it converges at all (it can diverge, here at
 * low volatility over long maturities); it gets this many before form B takes
 * over from the same start. */
#define AM_FPA_MAX_STEPS 24
/* The fixed-point iteration's stop (iterate): the largest move left is estimated from the ratio
 * of the last two moves where that ratio is below this, a contraction fast enough for the
 * estimate to hold (the real files' and the benchmark's boundaries contract by 0.03 to 0.1 a
 * step). */
#define AM_CONTRACTION_MAX 0.5
/* QD+'s Halley iteration [Li] stops when a step is below this fraction of the strike. The
 * boundary it gives is only a start, which the fixed-point iteration's 4 to 8 contractions shrink
 * by 1e-4 or more, so a step left at the stop moves the price by far less than the central
 * differences of vega and vanna resolve. Halley reaches it in about 4 steps a node; the earlier
 * 1e-13 was below the rounding of its function (terms of order K at 1e-16), so most nodes ran
 * on to 10 steps or more until a step fell below it by chance (a quarter of a light price). */
#define AM_QD_STEP_TOL  1e-10
#define AM_QD_MAX_STEPS 64
/* The boundary is kept above this fraction of its expiry value X (it never comes near: B/X is
 * above 0.05 at sigma sqrt(T) = 2.6); a floor keeps a wild first iterate finite. */
#define AM_BOUNDARY_FLOOR 1e-8
/* Newton steps from Tricomi's guess for the Gauss-Legendre nodes: its error is O(n^-4), about
 * 1e-5 for the smallest rules, so four quadratic steps reach rounding. */
#define AM_GL_NEWTON_STEPS 4
/* From this sigma sqrt(T) up the European part of a value is K e^{-rT} N(-d2) - S e^{-qT} N(-d1)
 * computed directly (two erfc and the boundary's discount factors), 1e-13 relative or better;
 * below it gex_bs_price's normalised form, exact where the two terms cancel (SPEC 1.8's grid
 * starts at 2.6e-3). */
#define AM_EURO_DIRECT_VOL 1e-3
/* Within this many sigma sqrt(T) of the exercise boundary now, in ln(S/K), a value's delta,
 * gamma and speed take the premium's derivatives on AM_NEAR_POINTS points rather than the
 * scheme's p (48), from the contract's own boundary (its price keeps the p points). The premium's
 * integrand then peaks at small t, narrower the closer the spot: on 18,470 contracts where the
 * light scheme applies, the 23 whose delta or gamma on 48 points missed their tolerance against the
 * fine scheme (up to 105 times: gamma 10 % off) were all within 0.037 sigma sqrt(T) of the
 * boundary, and on 128 points the worst is 0.13 of it. */
#define AM_NEAR_BOUNDARY 0.1
#define AM_NEAR_POINTS   128
/* Relative step in sigma of the central differences for vega and vanna: truncation error
 * h^2/6 of the third derivative (1e-9 relative), rounding 1e-15/h of the price (1e-11). */
#define AM_VEGA_STEP 1e-4

/* N(x) and n(x) of src/bs-internal.h through the names that carry the vector function ABI, so
 * that the quadrature loops below, under OpenMP SIMD, call libmvec's vector erfc and exp (4 ulps
 * rather than 1: a relative change near 1e-15, far below the scheme's 1e-6). The argument is
 * kept within +-AM_TAIL: past it libmvec leaves its vector path for a scalar call in every lane
 * that underflows (erfc beyond 26.5, exp below -708: measured 3 to 20 times the cost of a
 * value, and the premium's points near t = 0 put most of their d there), and N and n are
 * below 1e-280 anyway, far under any value's tolerance. */
#define AM_TAIL 36.0

/* x kept within +-AM_TAIL. N and n of the kept value equal those of x to double precision
 * on the upper side too (N(36) rounds to 1). Clamp a value once and take both N and n of it:
 * GCC does not if-convert two clamps of the same value in one loop, and leaves it scalar. */
static inline double am_tail(double x)
{
    return x < -AM_TAIL ? -AM_TAIL : x > AM_TAIL ? AM_TAIL : x;
}

/* N and n of a value already kept within +-AM_TAIL. */
static inline double am_ncdf_kept(double y)
{
    return 0.5 * gex__simd_erfc(-y * GEX_BS_SQRT1_2);
}

static inline double am_npdf_kept(double y)
{
    return GEX_BS_INV_SQRT2PI * gex__simd_exp(-0.5 * y * y);
}

static inline double am_ncdf(double x)
{
    return am_ncdf_kept(am_tail(x));
}

static inline double am_npdf(double x)
{
    return am_npdf_kept(am_tail(x));
}

/* The failures' names, from GEX_AM_BAD_INPUT on (gex/error.h numbers them apart). */
static const char *const am_status_names[GEX_AM_STATUS_END - GEX_AM_BAD_INPUT] = {
    [GEX_AM_BAD_INPUT - GEX_AM_BAD_INPUT] = "bad input",
    [GEX_AM_DOUBLE_BOUNDARY - GEX_AM_BAD_INPUT] = "double boundary",
    [GEX_AM_NO_QUOTE - GEX_AM_BAD_INPUT] = "no quote",
    [GEX_AM_BELOW_INTRINSIC - GEX_AM_BAD_INPUT] = "below intrinsic",
    [GEX_AM_ABOVE_MAX - GEX_AM_BAD_INPUT] = "above maximum",
    [GEX_AM_NOT_CONVERGED - GEX_AM_BAD_INPUT] = "not converged",
};

const char *gex_am_strstatus(gex_am_status status)
{
    if (status == GEX_AM_OK)
        return "ok";
    /* Unsigned: a value below the first failure (a gex_status code) is out of range too. */
    if ((unsigned)status - GEX_AM_BAD_INPUT >= GEX_AM_STATUS_END - GEX_AM_BAD_INPUT)
        return "unknown status";
    return am_status_names[status - GEX_AM_BAD_INPUT];
}

int gex_am_early_exercise(int type, double r, double q)
{
    /* Put: early exercise pays when cash earns (r > 0), or when the stock costs more to hold than
     * cash (q < r): at r = 0 one boundary still (its lower end is at 0), with r < 0 the
     * double-boundary case. The call is the put with r and q exchanged [MS]. */
    const double rr = type == GEX_CALL ? q : r;
    const double qq = type == GEX_CALL ? r : q;
    return rr > 0 || qq < rr;
}

/* The Legendre polynomial P_n(z) and its derivative (Bonnet's recurrence). */
static double legendre(int n, double z, double *deriv)
{
    double p0 = 1, p1 = z;
    for (int j = 2; j <= n; j++) {
        const double p2 = ((2 * j - 1) * z * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
    }
    *deriv = n * (z * p1 - p0) / (z * z - 1);
    return p1;
}

/* Gauss-Legendre nodes and weights on [-1, 1]: Newton on P_n from Tricomi's initial guess
 * (A&S 22.16.6), which converges quadratically from the first step, so AM_GL_NEWTON_STEPS
 * steps reach a few ulps; the rule is symmetric, so half the nodes are computed. */
static void gauss_legendre(int n, double *x, double *w)
{
    for (int i = 0; i < (n + 1) / 2; i++) {
        double z = cos(M_PI * (i + 0.75) / (n + 0.5));
        double dp;
        for (int it = 0; it < AM_GL_NEWTON_STEPS; it++)
            z -= legendre(n, z, &dp) / dp;
        (void)legendre(n, z, &dp);
        const double wi = 2 / ((1 - z * z) * dp * dp);
        x[i] = z;
        w[i] = wi;
        x[n - 1 - i] = -z;
        w[n - 1 - i] = wi;
    }
    if (n % 2 == 1)
        x[n / 2] = 0;
}

/* The theta rule on [0, pi/2] for u = tau sin^2 theta: sine, cosine and weight with the
 * Jacobian du/dtheta / tau = 2 sin cos folded in. */
typedef struct theta_rule {
    int n;
    double s[GEX__AM_MAX_QUAD];
    double c[GEX__AM_MAX_QUAD];
    double w[GEX__AM_MAX_QUAD];  /* pi/4 w_i 2 s c: integral of f(u) du is tau sum w f */
    double ws[GEX__AM_MAX_QUAD]; /* pi/4 w_i 2 s: integral of f(u) / sqrt(tau - u) du is
                                      sqrt(tau) sum ws f */
} theta_rule;

void gex__am_rule_compute(int n, double *s, double *c, double *w, double *ws)
{
    double x[GEX__AM_MAX_QUAD], gw[GEX__AM_MAX_QUAD];
    gauss_legendre(n, x, gw);
    for (int i = 0; i < n; i++) {
        const double th = M_PI / 4 * (1 + x[i]);
        s[i] = sin(th);
        c[i] = cos(th);
        w[i] = M_PI / 4 * gw[i] * 2 * s[i] * c[i];
        ws[i] = M_PI / 4 * gw[i] * 2 * s[i];
    }
}

/* From the constant tables where the size has one (finding the nodes costs as much as the
 * rest of a price), else computed. */
static void theta_rule_init(theta_rule *rule, int n)
{
    rule->n = n;
    for (int t = 0; t < gex__am_rule_table_count; t++) {
        const gex__am_rule_table *tab = &gex__am_rule_tables[t];
        if (tab->n != n)
            continue;
        memcpy(rule->s, tab->s, (size_t)n * sizeof *rule->s);
        memcpy(rule->c, tab->c, (size_t)n * sizeof *rule->c);
        memcpy(rule->w, tab->w, (size_t)n * sizeof *rule->w);
        memcpy(rule->ws, tab->ws, (size_t)n * sizeof *rule->ws);
        return;
    }
    gex__am_rule_compute(n, rule->s, rule->c, rule->w, rule->ws);
}

/* The put's boundary as ALO keep it: H(x) = ln(B/X)^2 on x = 2 sqrt(tau/T) - 1 in [-1, 1],
 * interpolated at the Chebyshev-Lobatto nodes x_k = cos(k pi/n), k = 0..n (x_0 = 1 is tau = T,
 * x_n = -1 is tau = 0 where B = X). */
typedef struct boundary {
    int n;
    double X; /* B at expiry: K min(1, r/q) [ALO] */
    double T;
    double x[GEX__AM_MAX_NODES];
    double tau[GEX__AM_MAX_NODES];
    /* What the fixed-point map needs of each node and does not change between iterations:
     * sqrt(tau) and K e^{-(r - q) tau}; and ln(X / K) (libm's calls are not merged or hoisted
     * by the compiler, errno being a side effect: computed once, not per node and step). */
    double sq[GEX__AM_MAX_NODES];
    double alpha[GEX__AM_MAX_NODES];
    double log_xk;
    double H[GEX__AM_MAX_NODES];
    double a[GEX__AM_MAX_NODES]; /* Chebyshev coefficients, a_0 and a_n already halved */
    /* QD+'s boundary at the nodes, as H: where the iteration started, or what a start shifted
     * from it was shifted from (smile_solve). */
    double H_qd[GEX__AM_MAX_NODES];
} boundary;

/* The discrete cosine transform from H to a: a_j = sum_k fit[j][k] H_k, the halving of the
 * end terms and of a_0 and a_n folded in (one product per iteration). */
typedef double fit_matrix[GEX__AM_MAX_NODES][GEX__AM_MAX_NODES];

static void boundary_fit(const fit_matrix fit, boundary *bd)
{
    const int n = bd->n;
    for (int j = 0; j <= n; j++) {
        double sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int k = 0; k <= n; k++)
            sum += fit[j][k] * bd->H[k];
        bd->a[j] = sum;
    }
}

/* The matrix of boundary_fit: a_j = (2/n) sum'' H_k cos(j k pi / n), the double prime halving
 * the k = 0 and k = n terms, and a_0, a_n halved again (Chebyshev interpolation at the
 * Lobatto nodes). */
static void boundary_fit_init(int n, fit_matrix fit)
{
    double cos_table[2 * GEX__AM_MAX_NODES]; /* cos(m pi / n), m < 2n */
    for (int m = 0; m < 2 * n; m++)
        cos_table[m] = cos(M_PI * m / n);
    for (int j = 0; j <= n; j++) {
        const double end = (j == 0 || j == n) ? 0.5 : 1.0;
        int m = 0; /* (j k) mod 2n, stepped: an integer division an entry cost 169 (light) to
                    * 625 divisions a solve */
        for (int k = 0; k <= n; k++) {
            const double half = (k == 0 || k == n) ? 0.5 : 1.0;
            fit[j][k] = 2.0 / n * end * half * cos_table[m];
            m += j;
            if (m >= 2 * n)
                m -= 2 * n;
        }
    }
}

/* The fixed-point iteration and the premium's loop, most of a price, are compiled also for AVX2
 * (four lanes of libmvec's erfc and exp rather than SSE2's two); the loader picks one for the
 * CPU (GCC's target_clones, an ifunc). Under ThreadSanitizer the resolver, itself instrumented,
 * would run before the sanitizer's runtime is set up and crash the loader (as in profile.c):
 * that build compiles the baseline body only. */
#if defined(GEX__BS_X86_PATHS) && !defined(__SANITIZE_THREAD__)
#define GEX__AM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GEX__AM_CLONES
#endif

/* Li's QD+ boundary [Li] at every node k < n of bd (tau = bd->tau[k]) by Halley's method from X,
 * the nodes' iterations run side by side in one vector loop (libmvec's log, erfc and exp rather
 * than scalar calls: QD+ was a fifth of a light solve). A node whose step falls below
 * AM_QD_STEP_TOL K, or is not finite, keeps its value while the others go on; each node's steps
 * and result are those of its own iteration. */
GEX__AM_CLONES static void qdplus_nodes(double K, double sigma, double r, double q,
                                        const boundary *bd, double *b)
{
    const int n = bd->n;
    const double X = bd->X, s2 = sigma * sigma, lo = AM_BOUNDARY_FLOOR * X;
    double v[GEX__AM_MAX_NODES], dr[GEX__AM_MAX_NODES], dq[GEX__AM_MAX_NODES];
    double alpha[GEX__AM_MAX_NODES], beta[GEX__AM_MAX_NODES], x[GEX__AM_MAX_NODES];
    int live[GEX__AM_MAX_NODES];
    const double omega = 2 * (r - q) / s2;
    for (int k = 0; k < n; k++) {
        const double tau = bd->tau[k];
        v[k] = sigma * bd->sq[k];
        dr[k] = exp(-r * tau);
        dq[k] = exp(-q * tau);
        const double h = -expm1(-r * tau);
        const double root = sqrt((omega - 1) * (omega - 1) + 8 * r / (s2 * h));
        const double lambda = 0.5 * (-(omega - 1) - root);
        const double lambda_h = 2 * r / (s2 * h * h * root);
        alpha[k] = 2 * dr[k] * r / (s2 * (2 * lambda + omega - 1));
        beta[k] = alpha[k] * (1 / h + lambda_h / (2 * lambda + omega - 1)) - lambda;
        x[k] = X;
        live[k] = 1;
    }
    for (int it = 0; it < AM_QD_MAX_STEPS; it++) {
        int running = 0;
#pragma omp simd reduction(+ : running)
        for (int k = 0; k < n; k++) {
            const double tau = bd->tau[k], vk = v[k], drk = dr[k], dqk = dq[k];
            const double xk = x[k];
            const double dp = gex__simd_log(xk * dqk / (K * drk)) / vk + 0.5 * vk;
            const double dm = dp - vk;
            const double yp = am_tail(dp);
            const double Np = am_ncdf_kept(-yp), Nm = am_ncdf(-dm);
            const double np = am_npdf_kept(yp);
            const double euro = drk * K * Nm - xk * dqk * Np;
            const double theta =
                r * K * drk * Nm - q * xk * dqk * Np - s2 * xk / (2 * vk) * dqk * np;
            const double charm = -dqk * (np * ((r - q) / vk - dm / (2 * tau)) + q * Np);
            const double ak = alpha[k] / (r * drk), bk = beta[k];
            const double f = (1 - dqk * Np) * xk - bk * (K - xk - euro) + ak * theta;
            const double f1 = 1 - dqk * Np + dqk * np / vk + bk * (1 - dqk * Np) + ak * charm;
            const double gamma = np * dqk / (vk * xk);
            const double colour = gamma * (q + (r - q) * dp / vk + (1 - dp * dm) / (2 * tau));
            const double f2 =
                dqk * (np / (xk * vk) - np * dp / (xk * vk * vk)) + bk * gamma + ak * colour;
            const double lf = f * f2 / (f1 * f1);
            const double step = f / f1 / (1 - 0.5 * lf);
            const int finite = step - step == 0; /* not nan or inf */
            double next = xk - step;
            next = next < lo ? lo : next > X ? X : next;
            const int go = live[k] & finite;
            const double moved = fabs(next - xk);
            x[k] = go ? next : xk;
            live[k] = go & !(moved < AM_QD_STEP_TOL * K);
            running += live[k];
        }
        if (running == 0)
            break;
    }
    for (int k = 0; k < n; k++)
        b[k] = x[k];
}

typedef struct put_problem {
    double K, T, sigma, r, q;
} put_problem;

/* What a boundary solve and its premium points need of the scheme, K, T, r and q but not of
 * sigma: the boundary's nodes with their discount terms (H not set), the matrix that fits H,
 * the iteration's rule with e^{r u} and e^{q u} at every node's points (u = tau_k sin^2
 * theta_i), and the premium's rule with its weights and discount factors. A family's solves at
 * its sigma nodes share one (smile_solve): making it is about a tenth of a light solve. */
typedef struct solve_frame {
    const gex__am_scheme *scheme;
    double K, T, r, q;
    boundary bd;
    fit_matrix fit;
    theta_rule rule;
    double er[GEX__AM_MAX_NODES * GEX__AM_MAX_FP_POINTS];
    double eq[GEX__AM_MAX_NODES * GEX__AM_MAX_FP_POINTS];
    theta_rule premium_rule;
    double wr[GEX__AM_MAX_QUAD]; /* the premium's T w r K e^{-rt} at t = T s_i^2 */
    double wq[GEX__AM_MAX_QUAD]; /* T w q e^{-qt} */
    double we[GEX__AM_MAX_QUAD]; /* T w e^{-qt} */
} solve_frame;

/* The premium's weights on rule rp with the discount factors and rates folded in, at
 * t = T s_i^2: T w r K e^{-rt}, T w q e^{-qt}, T w e^{-qt}. */
GEX__AM_CLONES static void premium_weights(const theta_rule *rp, double K, double T, double r,
                                           double q, double *wr, double *wq, double *we)
{
#pragma omp simd
    for (int i = 0; i < rp->n; i++) {
        const double s = rp->s[i];
        const double t = T * s * s;
        const double w = T * rp->w[i];
        const double eq = gex__simd_exp(-q * t);
        wr[i] = w * r * K * gex__simd_exp(-r * t);
        wq[i] = w * q * eq;
        we[i] = w * eq;
    }
}

GEX__AM_CLONES static void frame_init(const gex__am_scheme *scheme, double K, double T, double r,
                                      double q, solve_frame *fr)
{
    const int n = scheme->n, l = scheme->l;
    fr->scheme = scheme;
    fr->K = K;
    fr->T = T;
    fr->r = r;
    fr->q = q;
    boundary *bd = &fr->bd;
    bd->n = n;
    bd->T = T;
    bd->X = q > 0 && r < q ? K * r / q : K;
    for (int k = 0; k <= n; k++) {
        bd->x[k] = cos(M_PI * k / n);
        const double half = 0.5 * (1 + bd->x[k]);
        bd->tau[k] = T * half * half;
        bd->sq[k] = sqrt(bd->tau[k]);
        bd->alpha[k] = K * exp(-(r - q) * bd->tau[k]);
    }
    bd->log_xk = log(bd->X / K);
    boundary_fit_init(n, fr->fit);
    theta_rule_init(&fr->rule, l);
    for (int k = 0; k < n; k++) {
#pragma omp simd
        for (int i = 0; i < l; i++) {
            const double u = bd->tau[k] * fr->rule.s[i] * fr->rule.s[i];
            fr->er[k * l + i] = gex__simd_exp(r * u);
            fr->eq[k * l + i] = gex__simd_exp(q * u);
        }
    }
    theta_rule_init(&fr->premium_rule, scheme->p);
    premium_weights(&fr->premium_rule, K, T, r, q, fr->wr, fr->wq, fr->we);
}

/* What the fixed-point map needs of each node apart from its integrals, for every node at once
 * (one vector loop: libmvec's erfc and exp over the nodes rather than four scalar libm calls a
 * node): the node's boundary b = X e^{-sqrt(H)}, sqrt(H) = -ln(b/X), d+ and d- at b, N(d+-) and
 * n(d+-). */
typedef struct node_terms {
    double sh[GEX__AM_MAX_NODES], b[GEX__AM_MAX_NODES];
    double dp[GEX__AM_MAX_NODES], ncp[GEX__AM_MAX_NODES], ncm[GEX__AM_MAX_NODES];
    double npp[GEX__AM_MAX_NODES], npm[GEX__AM_MAX_NODES];
} node_terms;

static inline __attribute__((always_inline)) void
node_terms_fill(const put_problem *pp, const boundary *bd, node_terms *nt)
{
    const double sigma = pp->sigma, rq = pp->r - pp->q, X = bd->X, log_xk = bd->log_xk;
    const int n = bd->n;
#pragma omp simd
    for (int k = 0; k < n; k++) {
        const double H = bd->H[k];
        const double sh = sqrt(H > 0 ? H : 0);
        const double v = sigma * bd->sq[k];
        const double dp = (log_xk - sh + rq * bd->tau[k]) / v + 0.5 * v;
        const double dm = dp - v;
        nt->sh[k] = sh;
        nt->b[k] = X * gex__simd_exp(-sh);
        nt->dp[k] = dp;
        const double yp = am_tail(dp), ym = am_tail(dm);
        nt->ncp[k] = am_ncdf_kept(yp);
        nt->ncm[k] = am_ncdf_kept(ym);
        nt->npp[k] = am_npdf_kept(yp);
        nt->npm[k] = am_npdf_kept(ym);
    }
}

/* How many nodes' points clenshaw_sqrt_h evaluates in one pass. */
#define AM_CLENSHAW_NODES 4

/* sqrt(H) at the fixed-point points of nodes k0 to k1 - 1 (u = tau_k s_i^2, at Chebyshev
 * abscissa s_i (1 + x_k) - 1, since sqrt(u / T) = s_i sqrt(tau_k / T) and 1 + x_k =
 * 2 sqrt(tau_k / T)), point i of node k at sh[(k - k0) l + i]: Clenshaw's recurrence run
 * across all those points at once. Each step of it is a chain of dependent operations; over
 * one node's l points (three vectors under the light scheme) the chains' latency bounded the
 * loop, over several nodes' they overlap. */
static inline __attribute__((always_inline)) void
clenshaw_sqrt_h(const boundary *bd, const theta_rule *rule, int k0, int k1, double *sh)
{
    const int l = rule->n, np_ = (k1 - k0) * l;
    double b1[AM_CLENSHAW_NODES * GEX__AM_MAX_FP_POINTS];
    double b2[AM_CLENSHAW_NODES * GEX__AM_MAX_FP_POINTS];
    for (int k = k0; k < k1; k++) {
        const double xk1 = 1 + bd->x[k]; /* 2 sqrt(tau/T) */
        double *z = sh + (k - k0) * l;
#pragma omp simd
        for (int i = 0; i < l; i++)
            z[i] = rule->s[i] * xk1 - 1;
    }
#pragma omp simd
    for (int i = 0; i < np_; i++) {
        b1[i] = 0;
        b2[i] = 0;
    }
    for (int j = bd->n; j >= 1; j--) {
        const double aj = bd->a[j];
#pragma omp simd
        for (int i = 0; i < np_; i++) {
            const double t = 2 * sh[i] * b1[i] - b2[i] + aj;
            b2[i] = b1[i];
            b1[i] = t;
        }
    }
#pragma omp simd
    for (int i = 0; i < np_; i++) {
        const double H = sh[i] * b1[i] - b2[i] + bd->a[0];
        sh[i] = sqrt(H > 0 ? H : 0);
    }
}

/* One node's fixed-point map [ALO, forms FP-A and FP-B]: f(b) = K e^{-(r-q) tau} N/D and its
 * derivative in b through the non-integral terms (the Jacobi-Newton step's f'). nt holds the
 * node's boundary b, sqrt(H) at the node (-ln(b/X)) and its d and normal terms; er and eq hold
 * e^{r u} and e^{q u} at the node's points. Since ln B(u) = ln X - sqrt(H(u)), ln(b/B(u)) =
 * sqrt(H(u)) - sh_k: no logarithm or exponential of the boundary in the loop. Inlined into
 * iterate, so that its AVX2 clone calls libmvec's four-lane erfc and exp here too (called, it
 * stayed the SSE2 body: 35% of a price). */
static inline __attribute__((always_inline)) void fp_map(const put_problem *pp, const boundary *bd,
                                                         const theta_rule *rule, int k,
                                                         const node_terms *nt, const double *sh,
                                                         const double *er, const double *eq,
                                                         bool form_a, double *f, double *fd)
{
    const double sigma = pp->sigma, r = pp->r, q = pp->q;
    const double tau = bd->tau[k];
    const double sq = bd->sq[k];
    const double v = sigma * sq;
    const double sh_k = nt->sh[k], b = nt->b[k];
    const double dp = nt->dp[k];
    const double dm = dp - v;
    const double carry = (r - q) * tau;
    const int np_ = rule->n;
    double N, D, Nd, Dd;
    if (!form_a) {
        double ni = 0, di = 0;
#pragma omp simd reduction(+ : ni, di)
        for (int i = 0; i < np_; i++) {
            const double c = rule->c[i];
            const double vv = v * c; /* sigma sqrt(tau - u) */
            const double ddp = (sh[i] - sh_k + carry * c * c) / vv + 0.5 * vv;
            ni += rule->w[i] * er[i] * am_ncdf(ddp - vv);
            di += rule->w[i] * eq[i] * am_ncdf(ddp);
        }
        N = nt->ncm[k] + r * tau * ni;
        D = nt->ncp[k] + q * tau * di;
        Nd = nt->npm[k] / (b * v);
        Dd = nt->npp[k] / (b * v);
    } else {
        double k3 = 0, k12 = 0;
#pragma omp simd reduction(+ : k3, k12)
        for (int i = 0; i < np_; i++) {
            const double c = rule->c[i];
            const double vv = v * c;
            const double ddp = (sh[i] - sh_k + carry * c * c) / vv + 0.5 * vv;
            /* n(d-) = n(d+) e^{d+ vv - vv^2/2} */
            const double yd = am_tail(ddp);
            const double np = am_npdf_kept(yd);
            const double nm = np * gex__simd_exp(ddp * vv - 0.5 * vv * vv);
            k3 += rule->ws[i] * er[i] * nm;
            k12 +=
                tau * rule->w[i] * eq[i] * am_ncdf_kept(yd) + sq / sigma * rule->ws[i] * eq[i] * np;
        }
        k3 *= sq / sigma;
        const double np = nt->npp[k], nm = nt->npm[k];
        N = nm / v + r * k3;
        D = np / v + nt->ncp[k] + q * k12;
        Nd = -nm * dm / (b * v * v);
        Dd = -np * dp / (b * v * v) + np / (b * v);
    }
    const double alpha = bd->alpha[k];
    *f = alpha * N / D;
    *fd = alpha * (Nd / D - Dd * N / (D * D));
}

/* Runs the fixed-point iteration on bd from its current H in one form: exactly fixed_steps
 * iterations when fixed_steps > 0, else until no node moves by more than scheme->tol
 * (relative), or the moves left, estimated from the last two, are below it, at most
 * max_steps. With watch set (form A tried first), gives up and returns -1
 * as soon as the iteration stops contracting: the largest move grows, or a node falls to the
 * floor. Returns the iterations run. */
GEX__AM_CLONES static int iterate(const solve_frame *fr, const put_problem *pp, bool form_a,
                                  int fixed_steps, int max_steps, bool watch, boundary *bd)
{
    const gex__am_scheme *scheme = fr->scheme;
    const theta_rule *rule = &fr->rule;
    const double *er = fr->er, *eq = fr->eq;
    const int n = bd->n, l = rule->n;
    const double lo = AM_BOUNDARY_FLOOR * bd->X;
    double H[GEX__AM_MAX_NODES];
    const int steps = fixed_steps > 0 ? fixed_steps : max_steps;
    double previous = HUGE_VAL;
    int it = 0;
    while (it < steps) {
        node_terms nt;
        node_terms_fill(pp, bd, &nt);
        double f[GEX__AM_MAX_NODES], fd[GEX__AM_MAX_NODES];
        for (int k0 = 0; k0 < n; k0 += AM_CLENSHAW_NODES) {
            const int k1 = k0 + AM_CLENSHAW_NODES < n ? k0 + AM_CLENSHAW_NODES : n;
            double sh[AM_CLENSHAW_NODES * GEX__AM_MAX_FP_POINTS];
            clenshaw_sqrt_h(bd, rule, k0, k1, sh);
            for (int k = k0; k < k1; k++)
                fp_map(pp, bd, rule, k, &nt, sh + (k - k0) * l, er + k * l, eq + k * l, form_a,
                       &f[k], &fd[k]);
        }
        /* The first steps are Jacobi-Newton, the others plain  [ALO]. */
        const bool newton = it < scheme->newton;
        const double X = bd->X;
        double moved = 0;
        int floored = 0;
#pragma omp simd reduction(max : moved, floored)
        for (int k = 0; k < n; k++) {
            const double b = nt.b[k];
            double next = newton ? b - (f[k] - b) / (fd[k] - 1) : f[k];
            const int low = !(next > lo); /* also nan */
            next = low ? lo : next > X ? X : next;
            floored = low > floored ? low : floored;
            const double lb = gex__simd_log(next / X);
            H[k] = lb * lb;
            const double change = fabs(next - b) / b;
            moved = change > moved ? change : moved;
        }
        if (watch && (floored || (it > 0 && !(moved < previous))))
            return -1;
        /* Past the Newton steps the iteration contracts linearly, each move about rho times
         * the one before: what is left to move is then about moved rho / (1 - rho), and the
         * iteration stops when that is below the tolerance (or the move itself is). */
        const double rho = it > scheme->newton ? moved / previous : 1;
        previous = moved;
        for (int k = 0; k < n; k++)
            bd->H[k] = H[k];
        boundary_fit(fr->fit, bd);
        it++;
        if (fixed_steps <= 0 && (moved < scheme->tol || (rho < AM_CONTRACTION_MAX &&
                                                         moved * rho < scheme->tol * (1 - rho))))
            return it;
    }
    if (watch && fixed_steps <= 0)
        return -1; /* form A did not settle within its budget: form B will */
    return it;
}

/* The put's boundary for pp (K, T, r and q those of fr), on fr's nodes [ALO], started from
 * QD+ [Li], plus shift at every node where shift is not NULL. The form: fixed_form 0 (B)
 * or 1 (A) when >= 0; else form A where |r - q| is small, else (scheme->try_a) form A watched
 * for divergence and form B from the same start if it fails, else form B. With fixed_steps > 0
 * exactly that many iterations. Returns the iterations and writes the form used to *form. */
GEX__AM_CLONES static int solve_boundary(const solve_frame *fr, const put_problem *pp,
                                         int fixed_steps, int fixed_form, const double *shift,
                                         boundary *bd, int *form)
{
    const gex__am_scheme *scheme = fr->scheme;
    const double K = pp->K, r = pp->r, q = pp->q;
    const int n = scheme->n;
    *bd = fr->bd;
    bd->H[n] = 0;
    double H0[GEX__AM_MAX_NODES];
    /* Each node's Halley iteration starts from X: started from the node before's boundary
     * (closer), it finds another root of QD+'s equation where q < 0 < r (a put) and the price
     * moves by percents. */
    double qd[GEX__AM_MAX_NODES];
    qdplus_nodes(K, pp->sigma, r, q, bd, qd);
    for (int k = 0; k < n; k++) {
        const double b = qd[k];
        const double lb = log(b / bd->X);
        bd->H_qd[k] = lb * lb;
        const double h = shift != NULL ? bd->H_qd[k] + shift[k] : bd->H_qd[k];
        bd->H[k] = h > 0 ? h : 0;
        H0[k] = bd->H[k];
    }
    boundary_fit(fr->fit, bd);
    if (fixed_form >= 0) {
        *form = fixed_form;
        return iterate(fr, pp, fixed_form == 1, fixed_steps, scheme->m, false, bd);
    }
    if (fabs(r - q) < AM_FPA_CARRY) {
        *form = 1;
        return iterate(fr, pp, true, fixed_steps, scheme->m, false, bd);
    }
    if (scheme->try_a) {
        const int it = iterate(fr, pp, true, fixed_steps, AM_FPA_MAX_STEPS, true, bd);
        if (it >= 0) {
            *form = 1;
            return it;
        }
        for (int k = 0; k < n; k++)
            bd->H[k] = H0[k];
        boundary_fit(fr->fit, bd);
    }
    *form = 0;
    return iterate(fr, pp, false, fixed_steps, scheme->m, false, bd);
}

/* The premium integral's quadrature points with everything that does not depend on S [Kim]:
 * at t = T s_i^2, sigma sqrt(t), its inverse, sqrt(H) + (r - q) t (ln(S/B(t)) less ln(S/X)),
 * and the weights with the discount factors and rates folded in. Filled once per boundary. */
typedef struct premium_points {
    int n;
    double sv[GEX__AM_MAX_QUAD];     /* sigma sqrt(t) */
    double inv_sv[GEX__AM_MAX_QUAD]; /* 1 / (sigma sqrt(t)) */
    double a0[GEX__AM_MAX_QUAD];     /* sqrt(H(t)) + (r - q) t */
    double wr[GEX__AM_MAX_QUAD];     /* T w r K e^{-rt} */
    double wq[GEX__AM_MAX_QUAD];     /* T w q e^{-qt} */
    double we[GEX__AM_MAX_QUAD];     /* T w e^{-qt} */
    double cc[GEX__AM_MAX_QUAD];     /* q - r K / B(t) */
} premium_points;

GEX__AM_CLONES static void premium_prepare(const theta_rule *rp, const double *wr, const double *wq,
                                           const double *we, const put_problem *pp,
                                           const boundary *bd, premium_points *pts)
{
    const double K = pp->K, T = pp->T, r = pp->r, q = pp->q;
    const double vT = pp->sigma * sqrt(T);
    /* sqrt(H) at every point, Clenshaw across the points (as in fp_map). */
    double sh[GEX__AM_MAX_QUAD], b1[GEX__AM_MAX_QUAD], b2[GEX__AM_MAX_QUAD];
    const int np_ = rp->n;
    pts->n = np_;
#pragma omp simd
    for (int i = 0; i < np_; i++) {
        b1[i] = 0;
        b2[i] = 0;
        sh[i] = 2 * rp->c[i] - 1;
    }
    for (int j = bd->n; j >= 1; j--) {
        const double aj = bd->a[j];
#pragma omp simd
        for (int i = 0; i < np_; i++) {
            const double t = 2 * sh[i] * b1[i] - b2[i] + aj;
            b2[i] = b1[i];
            b1[i] = t;
        }
    }
#pragma omp simd
    for (int i = 0; i < np_; i++) {
        const double H = sh[i] * b1[i] - b2[i] + bd->a[0];
        sh[i] = sqrt(H > 0 ? H : 0);
    }
    const double rKX = r * K / bd->X;
#pragma omp simd
    for (int i = 0; i < np_; i++) {
        const double s = rp->s[i];
        const double t = T * s * s;
        pts->sv[i] = vT * s;
        pts->inv_sv[i] = 1 / pts->sv[i];
        pts->a0[i] = sh[i] + (r - q) * t;
        pts->wr[i] = wr[i];
        pts->wq[i] = wq[i];
        pts->we[i] = we[i];
        /* B(t) = X e^{-sqrt(H)} */
        pts->cc[i] = q - rKX * gex__simd_exp(sh[i]);
    }
}

/* The early-exercise premium of the put and its first three derivatives in S [Kim], log_sx being
 * ln(S / X):
 * the integral over t in [0, T] of r K e^{-rt} N(-d-) - q S e^{-qt} N(-d+), d at S / B(T - t).
 * The boundary does not depend on S, so the derivatives are those of the integrand. */
GEX__AM_CLONES static void premium(const put_problem *pp, const premium_points *pts, double S,
                                   double log_sx, bool greeks, double out[4])
{
    const double q = pp->q;
    const double inv_s = 1 / S;
    double p = 0, d1 = 0, d2 = 0, d3 = 0;
    const int np_ = pts->n;
    /* Two loops rather than one with a branch: libmvec has no masked erfc, so a call under a
     * condition would keep the loop scalar. */
    if (!greeks) {
#pragma omp simd reduction(+ : p)
        for (int i = 0; i < np_; i++) {
            const double sv = pts->sv[i], iv = pts->inv_sv[i];
            const double dp = (log_sx + pts->a0[i]) * iv + 0.5 * sv;
            p += pts->wr[i] * am_ncdf(sv - dp) - S * pts->wq[i] * am_ncdf(-dp);
        }
    } else {
#pragma omp simd reduction(+ : p, d1, d2, d3)
        for (int i = 0; i < np_; i++) {
            const double sv = pts->sv[i], iv = pts->inv_sv[i];
            const double dp = (log_sx + pts->a0[i]) * iv + 0.5 * sv;
            const double yp = am_tail(dp);
            const double Np = am_ncdf_kept(-yp);
            p += pts->wr[i] * am_ncdf(sv - dp) - S * pts->wq[i] * Np;
            const double cc = pts->cc[i];
            const double a = pts->we[i] * am_npdf_kept(yp) * iv;
            const double ds = dp * iv;
            d1 += -pts->wq[i] * Np + a * cc;
            d2 += a * inv_s * (q - cc * ds);
            d3 -= a * inv_s * inv_s * ((1 + ds) * (q - cc * ds) + cc * iv * iv);
        }
    }
    out[0] = p;
    out[1] = d1;
    out[2] = d2;
    out[3] = d3;
}

/* A put with early exercise solved at strike 1: its boundary, the premium's quadrature rule, and
 * what the solve chose. The boundary of strike K is K times this one (the problem is homogeneous
 * in S and K), so one solve serves every strike and spot with the same T, sigma, r and q. */
typedef struct put_solved {
    put_problem pp; /* K = 1 */
    boundary bd;
    premium_points pts; /* the premium's, scheme->p points */
    int steps, form;
    /* What every value needs of T, sigma, r and q: e^{-rT}, e^{-qT}, sigma sqrt(T), ln X and
     * B(T) / K, the boundary now (below it the put is exercised), and its logarithm. */
    double dr, dq, v, log_x, b_now, log_b_now;
    /* bd is the boundary at pp.sigma (solved there), not another sigma's with the premium's
     * points interpolated to pp.sigma (smile_at) */
    bool own;
} put_solved;

/* The put at sigma on fr (its strike, T, r and q), its start shifted as solve_boundary takes
 * shift. */
static void put_solve_framed(const solve_frame *fr, double sigma, int fixed_steps, int fixed_form,
                             const double *shift, put_solved *ps)
{
    const double T = fr->T, r = fr->r, q = fr->q;
    ps->pp = (put_problem){.K = fr->K, .T = T, .sigma = sigma, .r = r, .q = q};
    ps->steps = solve_boundary(fr, &ps->pp, fixed_steps, fixed_form, shift, &ps->bd, &ps->form);
    premium_prepare(&fr->premium_rule, fr->wr, fr->wq, fr->we, &ps->pp, &ps->bd, &ps->pts);
    ps->dr = exp(-r * T);
    ps->dq = exp(-q * T);
    ps->v = sigma * sqrt(T);
    ps->log_x = log(ps->bd.X);
    const double sh_now = sqrt(ps->bd.H[0] > 0 ? ps->bd.H[0] : 0);
    ps->b_now = ps->bd.X * exp(-sh_now);
    ps->log_b_now = ps->log_x - sh_now;
    ps->own = true;
}

static void put_solve(const gex__am_scheme *scheme, double T, double sigma, double r, double q,
                      int fixed_steps, int fixed_form, put_solved *ps)
{
    solve_frame fr;
    frame_init(scheme, 1, T, r, q, &fr);
    put_solve_framed(&fr, sigma, fixed_steps, fixed_form, NULL, ps);
}

/* The put of spot S and strike K on a solved boundary, in its own variables. P(S, K) =
 * K P1(S / K), so delta is P1', gamma P1'' / K and speed P1''' / K^2 at x = S / K. */
static void put_value(const put_solved *ps, double S, double K, bool greeks, gex__am_value *out)
{
    const put_problem *pp = &ps->pp;
    const double T = pp->T, sigma = pp->sigma, r = pp->r, q = pp->q;
    const double x = S / K;
    if (x <= ps->b_now) {
        *out = (gex__am_value){
            .price = K - S, .delta = -1, .exercised = true, .steps = ps->steps, .form = ps->form};
        return;
    }
    const double lx = log(x);
    double pr[4];
    if (greeks && ps->own && lx - ps->log_b_now < AM_NEAR_BOUNDARY * ps->v) {
        /* Just above the boundary: the premium's derivatives in S on AM_NEAR_POINTS points,
         * its value on the scheme's (so that the price stays one smooth function of S and
         * sigma for the implied-volatility search and vega's differences). */
        theta_rule rule;
        theta_rule_init(&rule, AM_NEAR_POINTS);
        double wr[AM_NEAR_POINTS], wq[AM_NEAR_POINTS], we[AM_NEAR_POINTS];
        premium_weights(&rule, pp->K, T, r, q, wr, wq, we);
        premium_points near;
        premium_prepare(&rule, wr, wq, we, pp, &ps->bd, &near);
        premium(pp, &near, x, lx - ps->log_x, true, pr);
        double value[4];
        premium(pp, &ps->pts, x, lx - ps->log_x, false, value);
        pr[0] = value[0];
    } else {
        premium(pp, &ps->pts, x, lx - ps->log_x, greeks, pr);
    }
    /* The European put (Haug sec. 2.1) from the boundary's discount factors. Near the money
     * K e^{-rT} N(-d2) and S e^{-qT} N(-d1) cancel to about v of themselves, so the difference
     * keeps 1e-16 / v relative: below AM_EURO_DIRECT_VOL gex_bs_price's normalised form. */
    const double v = ps->v, dq = ps->dq;
    const double d1 = (lx + (r - q) * T) / v + 0.5 * v;
    const double n_d1 = gex__bs_ncdf(-d1);
    double euro = 0;
    if (v >= AM_EURO_DIRECT_VOL)
        euro = K * (ps->dr * gex__bs_ncdf(v - d1) - x * dq * n_d1);
    else
        (void)gex_bs_price(GEX_PUT, S, K, T, sigma, r, q, &euro);
    if (euro < 0)
        euro = 0;
    double price = euro + K * (pr[0] > 0 ? pr[0] : 0);
    if (price < K - S)
        price = K - S;
    *out = (gex__am_value){.price = price, .steps = ps->steps, .form = ps->form};
    if (!greeks)
        return;
    /* The European put's delta, gamma and speed (Haug sec. 2.1; speed = -gamma/S (1 + d1/v)). */
    const double gamma = dq * gex__bs_npdf(d1) / (S * v);
    out->delta = -dq * n_d1 + pr[1];
    out->gamma = gamma + pr[2] / K;
    out->speed = -gamma / S * (1 + d1 / v) + pr[3] / (K * K);
}

/* The option of type on a put solved with r and q already exchanged for a call [MS]. */
static void option_value(const put_solved *ps, int type, double S, double K, bool greeks,
                         gex__am_value *out)
{
    if (type == GEX_PUT) {
        put_value(ps, S, K, greeks, out);
        return;
    }
    /* [MS]: C(S, K, r, q) = P(S' = K, K' = S, r' = q, q' = r). P is homogeneous of degree 1 in
     * (S', K'), so by Euler's theorem dP/dK' = (P - S' dP/dS')/K', d2P/dK'2 = S'^2 P''/K'^2 and
     * d3P/dK'3 = -S'^2 (3 P'' + S' P''')/K'^3, primes in S'. */
    gex__am_value p;
    put_value(ps, K, S, greeks, &p);
    *out = (gex__am_value){
        .price = p.price, .exercised = p.exercised, .steps = p.steps, .form = p.form};
    if (p.exercised) {
        out->price = S - K;
        out->delta = 1;
        return;
    }
    if (!greeks)
        return;
    out->delta = (p.price - K * p.delta) / S;
    out->gamma = K * K * p.gamma / (S * S);
    out->speed = -K * K * (3 * p.gamma + K * p.speed) / (S * S * S);
}

void gex__am_evaluate(const gex__am_scheme *scheme, int type, double S, double K, double T,
                      double sigma, double r, double q, bool greeks, int fixed_steps,
                      int fixed_form, gex__am_value *out)
{
    put_solved ps;
    if (type == GEX_PUT)
        put_solve(scheme, T, sigma, r, q, fixed_steps, fixed_form, &ps);
    else
        put_solve(scheme, T, sigma, q, r, fixed_steps, fixed_form, &ps);
    option_value(&ps, type, S, K, greeks, out);
}

const gex__am_scheme *gex__am_scheme_for(int type, double T, double sigma, double r, double q)
{
    /* the put's rates: a call is the put with r and q exchanged [MS] */
    const double rate = type == GEX_CALL ? q : r, other = type == GEX_CALL ? r : q;
    if (other < 0)
        return &gex__am_wide_scheme;
    const double sq = sqrt(T);
    if (rate * sq > GEX__AM_STEEP_RATE * sigma)
        return &gex__am_fine_scheme;
    if (rate * sq <= GEX__AM_LIGHT_RATE * sigma && sigma * sq <= GEX__AM_LIGHT_MAX_VOL)
        return &gex__am_light_scheme;
    return &gex__am_default_scheme;
}

/* Inputs as gex/bs.h takes them, and the case: 0 European, 1 American, -1 double boundary. */
static int am_case(int type, double r, double q)
{
    if (!gex_am_early_exercise(type, r, q))
        return 0;
    const double rr = type == GEX_CALL ? q : r;
    return rr >= 0 ? 1 : -1;
}

gex_am_status gex_am_price(int type, double S, double K, double T, double sigma, double r, double q,
                           double *price)
{
    if (price == NULL || !gex__bs_inputs_ok(type, S, K, T, sigma, r, q))
        return GEX_AM_BAD_INPUT;
    const int c = am_case(type, r, q);
    if (c < 0)
        return GEX_AM_DOUBLE_BOUNDARY;
    if (c == 0) {
        double p;
        if (gex_bs_price(type, S, K, T, sigma, r, q, &p) != GEX_BS_OK)
            return GEX_AM_BAD_INPUT;
        *price = p;
        return GEX_AM_OK;
    }
    gex__am_value v;
    gex__am_evaluate(gex__am_scheme_for(type, T, sigma, r, q), type, S, K, T, sigma, r, q, false, 0,
                     -1, &v);
    if (!isfinite(v.price))
        return GEX_AM_BAD_INPUT;
    *price = v.price;
    return GEX_AM_OK;
}

gex_am_status gex_am_greeks(int type, double S, double K, double T, double sigma, double r,
                            double q, gex_greeks *out)
{
    if (out == NULL || !gex__bs_inputs_ok(type, S, K, T, sigma, r, q))
        return GEX_AM_BAD_INPUT;
    const int c = am_case(type, r, q);
    if (c < 0)
        return GEX_AM_DOUBLE_BOUNDARY;
    if (c == 0)
        return gex_bs_greeks(type, S, K, T, sigma, r, q, out) == GEX_BS_OK ? GEX_AM_OK
                                                                           : GEX_AM_BAD_INPUT;
    /* The centre's scheme for the two sides too: the choice depends on sigma. */
    const gex__am_scheme *scheme = gex__am_scheme_for(type, T, sigma, r, q);
    gex__am_value v, up, dn;
    gex__am_evaluate(scheme, type, S, K, T, sigma, r, q, true, 0, -1, &v);
    /* The two sides run exactly the centre's form and iterations, so that the differences see
     * a smooth function of sigma and not a change in the stopping step. */
    const double h = AM_VEGA_STEP * sigma;
    gex__am_evaluate(scheme, type, S, K, T, sigma + h, r, q, true, v.steps, v.form, &up);
    gex__am_evaluate(scheme, type, S, K, T, sigma - h, r, q, true, v.steps, v.form, &dn);
    gex_greeks g = {.price = v.price, .delta = v.delta, .gamma = v.gamma};
    g.vega = (up.price - dn.price) / (2 * h);
    g.vanna = (up.delta - dn.delta) / (2 * h);
    if (!v.exercised) {
        /* The pricing equation where the option is held: theta = r V - (r - q) S delta -
         * sigma^2 S^2 gamma / 2; charm is its derivative in S. */
        const double s2 = sigma * sigma;
        g.theta = r * v.price - (r - q) * S * v.delta - 0.5 * s2 * S * S * v.gamma;
        g.charm = r * v.delta - (r - q) * (v.delta + S * v.gamma) - s2 * S * v.gamma -
                  0.5 * s2 * S * S * v.speed;
    } else {
        g.vega = 0;
        g.vanna = 0;
    }
    if (!(isfinite(g.price) && isfinite(g.delta) && isfinite(g.gamma) && isfinite(g.vega) &&
          isfinite(g.vanna) && isfinite(g.theta) && isfinite(g.charm)))
        return GEX_AM_BAD_INPUT;
    *out = g;
    return GEX_AM_OK;
}

/* The shared boundary: the put solved at strike 1 (r and q exchanged for a call), or nothing
 * where the option is European. */
struct gex_am_boundary {
    int type;
    int early; /* 1: American with early exercise (solved), 0: European */
    double T, sigma, r, q;
    put_solved ps;
};

int gex_am_boundary_new(int type, double T, double sigma, double r, double q, gex_am_boundary **out)
{
    if (out == NULL || !gex__bs_inputs_ok(type, 1, 1, T, sigma, r, q))
        return GEX_EINVAL;
    const int c = am_case(type, r, q);
    if (c < 0) /* two exercise boundaries: outside the one-boundary method's domain */
        return GEX_EINVAL;
    gex_am_boundary *b = malloc(sizeof *b);
    if (b == NULL)
        return GEX_ENOMEM;
    *b = (gex_am_boundary){.type = type, .early = c, .T = T, .sigma = sigma, .r = r, .q = q};
    if (c > 0) {
        const gex__am_scheme *scheme = gex__am_scheme_for(type, T, sigma, r, q);
        if (type == GEX_PUT)
            put_solve(scheme, T, sigma, r, q, 0, -1, &b->ps);
        else
            put_solve(scheme, T, sigma, q, r, 0, -1, &b->ps);
    }
    *out = b;
    return GEX_OK;
}

void gex_am_boundary_free(gex_am_boundary *b)
{
    free(b);
}

gex_am_status gex_am_boundary_value(const gex_am_boundary *b, double S, double K, double *price,
                                    double *delta, double *gamma)
{
    if (b == NULL || price == NULL || !gex__bs_inputs_ok(b->type, S, K, b->T, b->sigma, b->r, b->q))
        return GEX_AM_BAD_INPUT;
    const bool greeks = delta != NULL || gamma != NULL;
    double p, d, g;
    if (!b->early) {
        gex_greeks e;
        if (gex_bs_greeks(b->type, S, K, b->T, b->sigma, b->r, b->q, &e) != GEX_BS_OK)
            return GEX_AM_BAD_INPUT;
        if (!greeks) {
            /* gex_am_price's European value */
            if (gex_bs_price(b->type, S, K, b->T, b->sigma, b->r, b->q, &e.price) != GEX_BS_OK)
                return GEX_AM_BAD_INPUT;
        }
        p = e.price;
        d = e.delta;
        g = e.gamma;
    } else {
        gex__am_value v;
        option_value(&b->ps, b->type, S, K, greeks, &v);
        p = v.price;
        d = v.delta;
        g = v.gamma;
    }
    if (!(isfinite(p) && isfinite(d) && isfinite(g)))
        return GEX_AM_BAD_INPUT;
    *price = p;
    if (delta != NULL)
        *delta = d;
    if (gamma != NULL)
        *gamma = g;
    return GEX_AM_OK;
}

/* An expiration's contracts at their own volatilities (gex_am_expiration_values): the put's
 * boundary (at strike 1, r and q exchanged for the calls) solved at AM_SMILE nodes in ln sigma
 * spanning the family's volatilities, Chebyshev-Lobatto points, and each contract's premium
 * points interpolated between them (barycentric Lagrange; Berrut and Trefethen, "Barycentric
 * Lagrange interpolation", SIAM Review 46(3), 2004). What the premium needs of the boundary at
 * its p points, sqrt(H(t)) + (r - q) t and q - r K / B(t), and ln(X / B(T)), the boundary now,
 * are smooth in sigma; the rest of a value (sigma sqrt(t), the discount factors, the European
 * part) is computed at the contract's own sigma. */
#define AM_SMILE_MAX_NODES 12

typedef struct smile {
    int nodes;
    double mid, half; /* ln sigma = mid + half u, u in [-1, 1] */
    double u[AM_SMILE_MAX_NODES];
    double bw[AM_SMILE_MAX_NODES]; /* barycentric weights: (-1)^j, halved at the ends */
    double a0[AM_SMILE_MAX_NODES][GEX__AM_MAX_QUAD];
    double cc[AM_SMILE_MAX_NODES][GEX__AM_MAX_QUAD];
    double sh_now[AM_SMILE_MAX_NODES]; /* ln(X / B(T)) */
    /* what each node's iteration moved H from QD+'s at its scheme's nodes (the start of the
     * next node on the same scheme, and of a contract's own solve: smile_start), and the
     * scheme every node was solved on, NULL where they differ */
    double shift[AM_SMILE_MAX_NODES][GEX__AM_MAX_NODES];
    const gex__am_scheme *scheme;
    double s[GEX__AM_MAX_QUAD];     /* the premium rule's sines: sigma sqrt(t) = v s */
    double inv_s[GEX__AM_MAX_QUAD]; /* their inverses: 1 / (sigma sqrt(t)) = inv_s / v */
} smile;

/* Solves the nodes of sm over ln sigma in [lo, hi] for the put (rr, qq: r and q exchanged for a
 * call) with scheme; scratch is left holding a solved put whose sigma-free parts (weights,
 * discount factors, ln X) every value shares. The nodes run from the highest sigma down, each
 * on a frame made once for its scheme. A node on the same scheme as the one before starts from
 * QD+ shifted by what the iteration moved the node before away from QD+: QD+'s error changes
 * slowly with sigma: the iteration then takes 4.4 steps on average rather than 4.8 on
 * bench-american's generated expirations and the QQQ file's. */
static void smile_solve(int type, double T, double rr, double qq, double lo, double hi, int nodes,
                        solve_frame *fr, smile *sm, put_solved *scratch)
{
    sm->nodes = nodes;
    sm->mid = 0.5 * (lo + hi);
    sm->half = 0.5 * (hi - lo);
    fr->scheme = NULL;
    for (int j = 0; j < nodes; j++) {
        sm->u[j] = nodes > 1 ? cos(M_PI * j / (nodes - 1)) : 0;
        sm->bw[j] = ((j % 2) ? -1.0 : 1.0) * ((j == 0 || j == nodes - 1) ? 0.5 : 1.0);
        const double sj = exp(sm->mid + sm->half * sm->u[j]);
        /* the node's own scheme: both have the same premium rule, so that the nodes' premium
         * points line up */
        const double r = type == GEX_CALL ? qq : rr, q = type == GEX_CALL ? rr : qq;
        const gex__am_scheme *scheme = gex__am_scheme_for(type, T, sj, r, q);
        const bool same = scheme == fr->scheme;
        if (!same)
            frame_init(scheme, 1, T, rr, qq, fr);
        put_solve_framed(fr, sj, 0, -1, same ? sm->shift[j - 1] : NULL, scratch);
        sm->scheme = j == 0 || sm->scheme == scheme ? scheme : NULL;
        for (int k = 0; k < scheme->n; k++)
            sm->shift[j][k] = scratch->bd.H[k] - scratch->bd.H_qd[k];
        const premium_points *pts = &scratch->pts;
        for (int i = 0; i < pts->n; i++) {
            sm->a0[j][i] = pts->a0[i];
            sm->cc[j][i] = pts->cc[i];
        }
        sm->sh_now[j] = sqrt(scratch->bd.H[0] > 0 ? scratch->bd.H[0] : 0);
        for (int i = 0; i < pts->n; i++)
            sm->s[i] = pts->sv[i] / scratch->v;
        for (int i = 0; i < pts->n; i++)
            sm->inv_s[i] = 1 / sm->s[i];
    }
}

/* smile_at's sums over the nodes run on this many premium points at a time, kept in registers
 * (four AVX2 vectors for each of the two quantities). */
#define AM_SMILE_BLOCK 16

/* Fills scratch's sigma-dependent parts at sigma from sm's nodes, and w with the nodes' weights
 * there. An AVX2 clone of its own: inlined into gex__am_expiration_values, which has none, its
 * sums ran two doubles at a time (a seventh of the QQQ file's batches; a tenth as a clone). */
GEX__AM_CLONES static void smile_at(const smile *sm, double sigma, put_solved *scratch,
                                    double w[AM_SMILE_MAX_NODES])
{
    const int m = sm->nodes;
    int exact = -1;
    double sum = 0;
    const double u = sm->half > 0 ? (log(sigma) - sm->mid) / sm->half : 0;
    for (int j = 0; j < m; j++) {
        const double d = u - sm->u[j];
        if (d == 0 || m == 1) {
            exact = j;
            break;
        }
        w[j] = sm->bw[j] / d;
        sum += w[j];
    }
    if (exact >= 0) {
        for (int j = 0; j < m; j++)
            w[j] = j == exact ? 1 : 0;
    } else {
        for (int j = 0; j < m; j++)
            w[j] /= sum;
    }
    /* Written straight into the scratch's points, AM_SMILE_BLOCK points at a time summed over
     * every node in registers: one pass a node over all the points loaded and stored the sums
     * at every node (a contract's interpolation costs about as much as a third of its
     * premium). The sums run in the same order, so the values are the same to the bit. */
    premium_points *pts = &scratch->pts;
    const int np_ = pts->n;
    const double v = sigma * sqrt(scratch->pp.T), inv_v = 1 / v;
    double *restrict a0 = pts->a0, *restrict cc = pts->cc;
    const double w0 = w[0];
#pragma omp simd
    for (int i = 0; i < np_; i++) {
        pts->sv[i] = v * sm->s[i];
        pts->inv_sv[i] = inv_v * sm->inv_s[i];
    }
    int i0 = 0;
    for (; i0 + AM_SMILE_BLOCK <= np_; i0 += AM_SMILE_BLOCK) {
        double sa[AM_SMILE_BLOCK], sc[AM_SMILE_BLOCK];
#pragma omp simd
        for (int i = 0; i < AM_SMILE_BLOCK; i++) {
            sa[i] = w0 * sm->a0[0][i0 + i];
            sc[i] = w0 * sm->cc[0][i0 + i];
        }
        for (int j = 1; j < m; j++) {
            const double wj = w[j];
#pragma omp simd
            for (int i = 0; i < AM_SMILE_BLOCK; i++) {
                sa[i] += wj * sm->a0[j][i0 + i];
                sc[i] += wj * sm->cc[j][i0 + i];
            }
        }
#pragma omp simd
        for (int i = 0; i < AM_SMILE_BLOCK; i++) {
            a0[i0 + i] = sa[i];
            cc[i0 + i] = sc[i];
        }
    }
    for (int i = i0; i < np_; i++) {
        double sa = w0 * sm->a0[0][i], sc = w0 * sm->cc[0][i];
        for (int j = 1; j < m; j++) {
            sa += w[j] * sm->a0[j][i];
            sc += w[j] * sm->cc[j][i];
        }
        a0[i] = sa;
        cc[i] = sc;
    }
    double sh_now = w0 * sm->sh_now[0];
    for (int j = 1; j < m; j++)
        sh_now += w[j] * sm->sh_now[j];
    scratch->pp.sigma = sigma;
    scratch->v = v;
    sh_now = sh_now > 0 ? sh_now : 0;
    scratch->b_now = scratch->bd.X * exp(-sh_now);
    scratch->log_b_now = scratch->log_x - sh_now;
    scratch->own = false;
}

/* Whether the option of type at S and K is within AM_NEAR_BOUNDARY sigma sqrt(T) of ps's
 * boundary now, on either side, in ln(S/K) (ln(K/S) for a call, the put of the symmetry). */
static bool near_boundary(const put_solved *ps, int type, double S, double K)
{
    const double lx = type == GEX_PUT ? log(S / K) : log(K / S);
    return fabs(lx - ps->log_b_now) < AM_NEAR_BOUNDARY * ps->v;
}

/* A start for the own solve of a contract at sigma on scheme (smile_solve's frame): the nodes'
 * moves from QD+ interpolated with the weights w of sigma (smile_at), which the iteration then
 * takes from about the interpolation's error rather than QD+'s. False where a node was solved
 * on another scheme (their nodes differ): the solve then starts from QD+. */
static bool smile_start(const smile *sm, const gex__am_scheme *scheme,
                        const double w[AM_SMILE_MAX_NODES], double *start)
{
    if (sm->scheme != scheme)
        return false;
    for (int k = 0; k < scheme->n; k++) {
        double sum = 0;
        for (int j = 0; j < sm->nodes; j++)
            sum += w[j] * sm->shift[j][k];
        start[k] = sum;
    }
    return true;
}

/* The number of sigma nodes for a family whose volatilities span ln(hi / lo) (see
 * gex__am_smile_nodes in american-internal.h). */
int gex__am_smile_nodes(double log_range)
{
    if (!(log_range > 0))
        return 1;
    const int m = (int)ceil(GEX__AM_SMILE_BASE + GEX__AM_SMILE_PER_LOG * log_range);
    return m < AM_SMILE_MAX_NODES ? m : AM_SMILE_MAX_NODES;
}

/* The piece of a family's ln sigma range [lo, lo + pieces width] that sigma falls in. */
static int smile_piece(double sigma, double lo, double width, int pieces)
{
    if (pieces <= 1 || !(width > 0))
        return 0;
    const int k = (int)((log(sigma) - lo) / width);
    return k < 0 ? 0 : k >= pieces ? pieces - 1 : k;
}

/* One value, its status, written where the caller wants it. */
static void batch_store(size_t i, gex_am_status st, double p, double d, double g, double *price,
                        double *delta, double *gamma, gex_am_status *status)
{
    if (st == GEX_AM_OK && !(isfinite(p) && isfinite(d) && isfinite(g)))
        st = GEX_AM_BAD_INPUT;
    status[i] = st;
    if (st != GEX_AM_OK)
        return;
    price[i] = p;
    if (delta != NULL)
        delta[i] = d;
    if (gamma != NULL)
        gamma[i] = g;
}

int gex__am_expiration_values(int max_nodes, double T, double r, double q, size_t n,
                              const int *type, const double *S, const double *K,
                              const double *sigma, double *price, double *delta, double *gamma,
                              gex_am_status *status)
{
    if (n > 0 && (type == NULL || S == NULL || K == NULL || sigma == NULL || price == NULL ||
                  status == NULL))
        return GEX_EINVAL;
    if (!gex__bs_inputs_ok(GEX_PUT, 1, 1, T, 1, r, q))
        return GEX_EINVAL;
    const bool greeks = delta != NULL || gamma != NULL;
    for (size_t i = 0; i < n; i++)
        if (type[i] != GEX_CALL && type[i] != GEX_PUT)
            status[i] = GEX_AM_BAD_INPUT;
    for (int t = 0; t < 2; t++) {
        const int c = am_case(t, r, q);
        size_t count = 0;
        double lo = HUGE_VAL, hi = -HUGE_VAL;
        for (size_t i = 0; i < n; i++) {
            if (type[i] != t)
                continue;
            if (!gex__bs_inputs_ok(t, S[i], K[i], T, sigma[i], r, q)) {
                status[i] = GEX_AM_BAD_INPUT;
                continue;
            }
            if (c < 0) {
                status[i] = GEX_AM_DOUBLE_BOUNDARY;
                continue;
            }
            if (c == 0) {
                gex_greeks e;
                gex_am_status st = GEX_AM_OK;
                if (gex_bs_greeks(t, S[i], K[i], T, sigma[i], r, q, &e) != GEX_BS_OK ||
                    (!greeks &&
                     gex_bs_price(t, S[i], K[i], T, sigma[i], r, q, &e.price) != GEX_BS_OK))
                    st = GEX_AM_BAD_INPUT;
                batch_store(i, st, e.price, e.delta, e.gamma, price, delta, gamma, status);
                continue;
            }
            status[i] = GEX_AM_NOT_CONVERGED; /* a placeholder until valued below */
            count++;
            const double ls = log(sigma[i]);
            lo = fmin(lo, ls);
            hi = fmax(hi, ls);
        }
        if (count == 0)
            continue;
        const double rr = t == GEX_CALL ? q : r, qq = t == GEX_CALL ? r : q;
        /* Pieces of at most GEX__AM_SMILE_MAX_LOG in ln sigma, each with its own nodes. */
        const int pieces =
            hi - lo > GEX__AM_SMILE_MAX_LOG ? (int)ceil((hi - lo) / GEX__AM_SMILE_MAX_LOG) : 1;
        const double width = (hi - lo) / pieces;
        for (int piece = 0; piece < pieces; piece++) {
            const double plo = lo + piece * width, phi = piece == pieces - 1 ? hi : plo + width;
            size_t in_piece = 0;
            for (size_t i = 0; i < n; i++)
                in_piece += type[i] == t && status[i] == GEX_AM_NOT_CONVERGED &&
                            smile_piece(sigma[i], lo, width, pieces) == piece;
            if (in_piece == 0)
                continue;
            int nodes = gex__am_smile_nodes(phi - plo);
            if (nodes > max_nodes)
                nodes = max_nodes;
            const bool shared = in_piece >= (size_t)nodes * GEX__AM_SMILE_MIN_PER_NODE;
            put_solved scratch, direct;
            solve_frame fr;
            smile sm = {.nodes = 0};
            if (shared) {
                smile_solve(t, T, rr, qq, plo, phi, nodes, &fr, &sm, &scratch);
            }
            for (size_t i = 0; i < n; i++) {
                if (type[i] != t || status[i] != GEX_AM_NOT_CONVERGED ||
                    smile_piece(sigma[i], lo, width, pieces) != piece)
                    continue;
                put_solved *use = &scratch;
                if (shared) {
                    double w[AM_SMILE_MAX_NODES];
                    smile_at(&sm, sigma[i], &scratch, w);
                    /* Near the boundary the value is taken on the contract's own solve: there
                     * the premium wants more points than the nodes keep, and which side of the
                     * boundary the spot is on wants the boundary itself. The solve starts from
                     * the nodes' boundaries where it can, on their frame. */
                    if (near_boundary(&scratch, t, S[i], K[i])) {
                        const gex__am_scheme *own = gex__am_scheme_for(t, T, sigma[i], r, q);
                        double start[GEX__AM_MAX_NODES];
                        if (smile_start(&sm, own, w, start))
                            put_solve_framed(&fr, sigma[i], 0, -1, start, &direct);
                        else
                            put_solve(own, T, sigma[i], rr, qq, 0, -1, &direct);
                        use = &direct;
                    }
                } else { /* too few contracts to share a solve: gex_am_boundary_value's own */
                    put_solve(gex__am_scheme_for(t, T, sigma[i], r, q), T, sigma[i], rr, qq, 0, -1,
                              &scratch);
                }
                gex__am_value v;
                option_value(use, t, S[i], K[i], greeks, &v);
                batch_store(i, GEX_AM_OK, v.price, v.delta, v.gamma, price, delta, gamma, status);
            }
        }
    }
    return GEX_OK;
}

int gex_am_expiration_values(double T, double r, double q, size_t n, const int *type,
                             const double *S, const double *K, const double *sigma, double *price,
                             double *delta, double *gamma, gex_am_status *status)
{
    return gex__am_expiration_values(AM_SMILE_MAX_NODES, T, r, q, n, type, S, K, sigma, price,
                                     delta, gamma, status);
}

void gex__am_values_by_run(size_t n, const double *T, const double *r, const double *q,
                           const int *type, const double *S, const double *K, const double *sigma,
                           double *price, double *delta, double *gamma, gex_am_status *status)
{
    for (size_t start = 0, end; start < n; start = end) {
        for (end = start + 1;
             end < n && T[end] == T[start] && r[end] == r[start] && q[end] == q[start];)
            end++;
        if (gex_am_expiration_values(
                T[start], r[start], q[start], end - start, type + start, S + start, K + start,
                sigma + start, price + start, delta != NULL ? delta + start : NULL,
                gamma != NULL ? gamma + start : NULL, status + start) != GEX_OK)
            for (size_t j = start; j < end; j++)
                status[j] = GEX_AM_BAD_INPUT;
    }
}
