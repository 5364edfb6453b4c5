/*
 * bench-bs: throughput of the Black-Scholes module on one core.
 *
 *   bench-bs [--n CONTRACTS] [--reps R] [--seed SEED]
 *
 * Prints one line per figure: scalar greeks (gex_bs_exposure_greeks: delta, gamma, vega, vanna
 * and charm), the same with price and theta (gex_bs_greeks), batch greeks (gex_bs_greeks_batch
 * with delta, gamma, vega, vanna and charm) and implied-volatility solves (gex_bs_implied_vol_batch
 * on the chain's own model prices). Each figure is the best of R runs over the same chain, timed
 * with the thread's CPU clock (CLOCK_THREAD_CPUTIME_ID): per core, and not inflated by the time
 * the thread waits for a core on a loaded machine.
 *
 * The chain comes from a seeded generator (splitmix64): one underlying at 5923.41 (an SPX-like
 * level), r 0.045, q 0.013 (SPEC 1.2 defaults), expiries log-uniform from 5 minutes to 2 years,
 * strikes with ln(K/S) uniform in +-0.3 scaled by sqrt of time (floored at +-0.02, capped at
 * +-0.3) and rounded to 5-point steps, volatility 0.08 to 0.9 with a skew, calls and puts in
 * equal numbers.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gex/bs.h"
#include "gex/error.h"

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_uniform(double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rng_next() >> 11) * 0x1.0p-53);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct chain {
    size_t n;
    double S, r, q;
    double *K, *T, *sigma, *price;
    uint8_t *type;
} chain;

static int chain_generate(chain *c, size_t n, uint64_t seed)
{
    rng_state = seed;
    c->n = n;
    c->S = 5923.41;
    c->r = 0.045;
    c->q = 0.013;
    c->K = malloc(n * sizeof *c->K);
    c->T = malloc(n * sizeof *c->T);
    c->sigma = malloc(n * sizeof *c->sigma);
    c->price = malloc(n * sizeof *c->price);
    c->type = malloc(n);
    if (c->K == NULL || c->T == NULL || c->sigma == NULL || c->price == NULL || c->type == NULL)
        return GEX_ENOMEM;
    const double minutes5 = 5.0 / (365 * 24 * 60);
    for (size_t i = 0; i < n; i++) {
        const double T = exp(rng_uniform(log(minutes5), log(2.0)));
        const double width = fmin(0.3, fmax(0.02, 0.3 * sqrt(T)));
        const double lm = rng_uniform(-width, width);
        const double K = fmax(5, 5 * round(c->S * exp(lm) / 5));
        const double skew = -0.6 * log(K / c->S);
        const double sigma = fmin(0.9, fmax(0.08, rng_uniform(0.1, 0.35) + skew));
        c->K[i] = K;
        c->T[i] = T;
        c->sigma[i] = sigma;
        c->type[i] = (uint8_t)(i & 1);
        if (gex_bs_price(c->type[i], c->S, K, T, sigma, c->r, c->q, &c->price[i]) != GEX_BS_OK)
            return GEX_EINVAL;
    }
    return GEX_OK;
}

static void chain_free(chain *c)
{
    free(c->K);
    free(c->T);
    free(c->sigma);
    free(c->price);
    free(c->type);
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    int reps = 5;
    uint64_t seed = 20251124;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
            n = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench-bs [--n CONTRACTS] [--reps R] [--seed SEED]\n");
            return 2;
        }
    }
    if (n == 0 || reps < 1) {
        fprintf(stderr, "bench-bs: --n and --reps must be positive\n");
        return 2;
    }
    chain c;
    if (chain_generate(&c, n, seed) != GEX_OK) {
        fprintf(stderr, "bench-bs: cannot generate the chain\n");
        chain_free(&c);
        return 1;
    }
    double *out = malloc(6 * n * sizeof *out);
    uint8_t *status = malloc(n);
    if (out == NULL || status == NULL) {
        fprintf(stderr, "bench-bs: out of memory\n");
        return 1;
    }
    const gex_bs_batch_in in = {.n = n,
                                .S_all = c.S,
                                .K = c.K,
                                .T = c.T,
                                .sigma = c.sigma,
                                .type = c.type,
                                .r_all = c.r,
                                .q_all = c.q};
    const gex_bs_batch_out bout = {.delta = out,
                                   .gamma = out + n,
                                   .vega = out + 2 * n,
                                   .vanna = out + 3 * n,
                                   .charm = out + 4 * n,
                                   .status = status};
    double best_scalar = HUGE_VAL, best_full = HUGE_VAL, best_batch = HUGE_VAL, best_iv = HUGE_VAL,
           sink = 0;
    size_t bad = 0, iv_bad = 0;
    for (int rep = 0; rep < reps; rep++) {
        double t0 = now_seconds();
        for (size_t i = 0; i < n; i++) {
            gex_greeks g;
            if (gex_bs_exposure_greeks(c.type[i], c.S, c.K[i], c.T[i], c.sigma[i], c.r, c.q, &g) ==
                GEX_BS_OK)
                sink += g.delta + g.gamma + g.vega + g.vanna + g.charm;
        }
        double t1 = now_seconds();
        best_scalar = fmin(best_scalar, t1 - t0);

        t0 = now_seconds();
        for (size_t i = 0; i < n; i++) {
            gex_greeks g;
            if (gex_bs_greeks(c.type[i], c.S, c.K[i], c.T[i], c.sigma[i], c.r, c.q, &g) ==
                GEX_BS_OK)
                sink += g.price + g.theta;
        }
        t1 = now_seconds();
        best_full = fmin(best_full, t1 - t0);

        t0 = now_seconds();
        gex_bs_greeks_batch(&in, &bout, &bad);
        t1 = now_seconds();
        best_batch = fmin(best_batch, t1 - t0);
        sink += out[n / 2];

        t0 = now_seconds();
        gex_bs_implied_vol_batch(&in, c.price, out + 5 * n, status);
        t1 = now_seconds();
        best_iv = fmin(best_iv, t1 - t0);
        iv_bad = 0;
        for (size_t i = 0; i < n; i++)
            iv_bad += status[i] != GEX_IV_OK;
    }
    const double dn = (double)n;
    printf("bench-bs: scalar greeks: %.1f Mcontracts/s/core (n=%zu)\n", dn / best_scalar / 1e6, n);
    printf("bench-bs: scalar greeks with price and theta: %.1f Mcontracts/s/core (n=%zu)\n",
           dn / best_full / 1e6, n);
    printf("bench-bs: batch greeks: %.1f Mcontracts/s/core (n=%zu, %s)\n", dn / best_batch / 1e6, n,
           gex_bs_batch_path());
    printf("bench-bs: implied vol: %.1f ns/contract (n=%zu, %zu unsolved)\n", best_iv / dn * 1e9, n,
           iv_bad);
    if (bad != 0 || !isfinite(sink)) {
        fprintf(stderr, "bench-bs: %zu contracts failed\n", bad);
        return 1;
    }
    free(out);
    free(status);
    chain_free(&c);
    return 0;
}
