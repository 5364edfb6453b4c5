/*
 * Batch greeks over structure-of-arrays inputs, vectorised.
 *
 * The loop body is gex__bs_core_eval (src/bs-internal.h), the one formula of the scalar greeks,
 * inlined into an OpenMP SIMD loop (-fopenmp-simd): its exp, log and erfc are declared with the
 * x86-64 vector function ABI, so each becomes a call to glibc's libmvec vector variant
 * (_ZGVeN8v_exp and so on). Input checks and statuses run in a second loop over the block.
 *
 * The same body is compiled three times, for AVX-512 (8 lanes), AVX2 (4 lanes) and the x86-64
 * baseline SSE2 (2 lanes); the widest the CPU supports is chosen at run time with
 * __builtin_cpu_supports, so the default build runs on any x86-64. On other architectures the
 * body is compiled once, for the baseline, and vectorised as far as the compiler can.
 *
 * libmvec is accurate to 4 ulps rather than glibc's scalar 1, so the batch greeks equal
 * gex_bs_greeks within 1e-12 relative (tests/test-bs.c checks a million contracts). The price,
 * when asked for, comes from the scalar normalised Black function, whose region series do not
 * vectorise: it is not one of the exposure greeks.
 */
#include "gex/bs.h"

#include <math.h>
#include <string.h>

#include "bs-internal.h"
#include "gex/error.h"

/* Contracts per block: the inputs given as one scalar (S_all, r_all, q_all) and the outputs the
 * caller does not want live in block-sized scratch arrays on the stack. */
#define BLOCK 256

static inline __attribute__((always_inline)) void
kernel(size_t n, const double *restrict S, const double *restrict K, const double *restrict T,
       const double *restrict sigma, const uint8_t *restrict type, const double *restrict r,
       const double *restrict q, double *restrict o_delta, double *restrict o_gamma,
       double *restrict o_vega, double *restrict o_vanna, double *restrict o_charm,
       double *restrict o_status)
{
    /* The sign of the type as a double first, so that the main loop holds doubles only (mixed
     * widths make the vectoriser fall back to narrower vectors). */
    double sign[BLOCK];
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        sign[i] = type[i] == GEX_CALL ? 1.0 : -1.0;
        /* The greeks, for every contract, with no mask. */
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        const gex__bs_core c = gex__bs_core_eval(S[i], K[i], T[i], sigma[i], r[i], q[i], sign[i]);
        o_delta[i] = c.delta;
        o_gamma[i] = c.gamma;
        o_vega[i] = c.vega;
        o_vanna[i] = c.vanna;
        o_charm[i] = c.charm;
    }
    /* Then the statuses: gex__bs_inputs_ok and isfinite, as comparisons of doubles (|g| < inf
     * is false for inf and nan), and zeros where a contract fails. */
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        const double s = S[i], k = K[i], t = T[i], v0 = sigma[i], ri = r[i], qi = q[i];
        const long ok_in = (long)(s > 0) & (s < HUGE_VAL) & (k > 0) & (k < HUGE_VAL) & (t > 0) &
                           (t < HUGE_VAL) & (v0 > 0) & (v0 < HUGE_VAL) & (fabs(ri) < HUGE_VAL) &
                           (fabs(qi) < HUGE_VAL) & (type[i] <= 1);
        const long ok = ok_in & (long)(fabs(o_delta[i]) < HUGE_VAL) &
                        (fabs(o_gamma[i]) < HUGE_VAL) & (fabs(o_vega[i]) < HUGE_VAL) &
                        (fabs(o_vanna[i]) < HUGE_VAL) & (fabs(o_charm[i]) < HUGE_VAL);
        o_delta[i] = ok ? o_delta[i] : 0.0;
        o_gamma[i] = ok ? o_gamma[i] : 0.0;
        o_vega[i] = ok ? o_vega[i] : 0.0;
        o_vanna[i] = ok ? o_vanna[i] : 0.0;
        o_charm[i] = ok ? o_charm[i] : 0.0;
        o_status[i] =
            ok ? (double)GEX_BS_OK : (ok_in ? (double)GEX_BS_OVERFLOW : (double)GEX_BS_BAD_INPUT);
    }
}

typedef void kernel_fn(size_t n, const double *restrict S, const double *restrict K,
                       const double *restrict T, const double *restrict sigma,
                       const uint8_t *restrict type, const double *restrict r,
                       const double *restrict q, double *restrict o_delta, double *restrict o_gamma,
                       double *restrict o_vega, double *restrict o_vanna, double *restrict o_charm,
                       double *restrict o_status);

#define KERNEL_ARGS                                                                                \
    size_t n, const double *restrict S, const double *restrict K, const double *restrict T,        \
        const double *restrict sigma, const uint8_t *restrict type, const double *restrict r,      \
        const double *restrict q, double *restrict o_delta, double *restrict o_gamma,              \
        double *restrict o_vega, double *restrict o_vanna, double *restrict o_charm,               \
        double *restrict o_status
#define KERNEL_CALL                                                                                \
    kernel(n, S, K, T, sigma, type, r, q, o_delta, o_gamma, o_vega, o_vanna, o_charm, o_status)

static void kernel_base(KERNEL_ARGS)
{
    KERNEL_CALL;
}

#ifdef GEX__BS_X86_PATHS
__attribute__((target("avx2"))) static void kernel_avx2(KERNEL_ARGS)
{
    KERNEL_CALL;
}

__attribute__((target("avx512f,avx512dq,prefer-vector-width=512"))) static void
kernel_avx512(KERNEL_ARGS)
{
    KERNEL_CALL;
}
#endif

typedef struct batch_path {
    const char *name;
    kernel_fn *fn;
} batch_path;

/* The widest path this CPU runs. __builtin_cpu_supports reads what the loader's
 * __builtin_cpu_init found (cpuid), so asking each call costs a few loads. */
static batch_path select_path(int forced)
{
#ifdef GEX__BS_X86_PATHS
    __builtin_cpu_init();
    const bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    const bool has2 = __builtin_cpu_supports("avx2");
    if ((forced < 0 || forced == GEX__BS_PATH_AVX512) && has512)
        return (batch_path){"avx512", kernel_avx512};
    if ((forced < 0 || forced == GEX__BS_PATH_AVX2) && has2)
        return (batch_path){"avx2", kernel_avx2};
    return (batch_path){"sse2", kernel_base};
#else
    (void)forced;
    return (batch_path){"scalar", kernel_base};
#endif
}

const char *gex_bs_batch_path(void)
{
    return select_path(-1).name;
}

const char *gex__bs_batch_path_name(int path)
{
    return select_path(path).name;
}

int gex__bs_greeks_batch_path(int path, const gex_bs_batch_in *in, const gex_bs_batch_out *out,
                              size_t *n_bad)
{
    if (in == NULL || out == NULL || in->K == NULL || in->T == NULL || in->sigma == NULL ||
        in->type == NULL)
        return GEX_EINVAL;
    kernel_fn *const fn = select_path(path).fn;
    double s_all[BLOCK], r_all[BLOCK], q_all[BLOCK];
    double scratch[5][BLOCK], status[BLOCK];
    for (size_t j = 0; j < BLOCK; j++) {
        s_all[j] = in->S_all;
        r_all[j] = in->r_all;
        q_all[j] = in->q_all;
    }
    size_t bad = 0;
    for (size_t at = 0; at < in->n; at += BLOCK) {
        const size_t m = in->n - at < BLOCK ? in->n - at : BLOCK;
        double *const o[5] = {
            out->delta != NULL ? out->delta + at : scratch[0],
            out->gamma != NULL ? out->gamma + at : scratch[1],
            out->vega != NULL ? out->vega + at : scratch[2],
            out->vanna != NULL ? out->vanna + at : scratch[3],
            out->charm != NULL ? out->charm + at : scratch[4],
        };
        fn(m, in->S != NULL ? in->S + at : s_all, in->K + at, in->T + at, in->sigma + at,
           in->type + at, in->r != NULL ? in->r + at : r_all, in->q != NULL ? in->q + at : q_all,
           o[0], o[1], o[2], o[3], o[4], status);
        for (size_t j = 0; j < m; j++) {
            gex_bs_status st = (gex_bs_status)status[j];
            if (out->price != NULL) {
                /* The scalar price (file comment); a price that overflows fails the contract. */
                const size_t i = at + j;
                double p = 0;
                if (st == GEX_BS_OK) {
                    st = gex_bs_price(in->type[i], in->S != NULL ? in->S[i] : in->S_all, in->K[i],
                                      in->T[i], in->sigma[i], in->r != NULL ? in->r[i] : in->r_all,
                                      in->q != NULL ? in->q[i] : in->q_all, &p);
                    if (st != GEX_BS_OK)
                        for (int g = 0; g < 5; g++)
                            o[g][j] = 0;
                }
                out->price[i] = st == GEX_BS_OK ? p : 0;
            }
            if (out->status != NULL)
                out->status[at + j] = (uint8_t)st;
            bad += st != GEX_BS_OK;
        }
    }
    if (n_bad != NULL)
        *n_bad = bad;
    return GEX_OK;
}

int gex_bs_greeks_batch(const gex_bs_batch_in *in, const gex_bs_batch_out *out, size_t *n_bad)
{
    return gex__bs_greeks_batch_path(-1, in, out, n_bad);
}
