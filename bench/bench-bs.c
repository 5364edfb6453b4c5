/*
 * bench-bs: throughput of the Black-Scholes module on one core.
 *
 *   bench-bs [--chain FILE] [--n CONTRACTS] [--reps R] [--seed SEED]
 *
 * Prints one line per figure: scalar greeks (gex_bs_exposure_greeks: delta, gamma, vega, vanna
 * and charm), the same with price and theta (gex_bs_greeks), batch greeks (gex_bs_greeks_batch
 * with the five greeks) and implied-volatility solves (gex_bs_implied_vol_batch). Each figure is
 * the best of R runs over the same contracts, timed with the thread's CPU clock
 * (CLOCK_THREAD_CPUTIME_ID): per core, and not inflated by the time the thread waits for a core
 * on a loaded machine.
 *
 * --chain FILE: the contracts of a chain file (bench/gen-chain's in the benchmarks), read and
 * prepared by gex (T from its quote instant, the file's IV, SPEC 1.2 carry; not timed); the
 * contracts
 * whose status is not ok are left out, and implied volatility is solved from each quote's mid
 * (contracts without a usable quote count, as they do in gex).
 * Without --chain: N contracts from a seeded generator (splitmix64) of one SPX-like underlying
 * at 5923.41, r 0.045, q 0.013, expiries log-uniform from 5 minutes to 2 years, ln(K/S) uniform
 * within +-0.3 sqrt(T) (at least +-0.02, at most +-0.3) on 5-point strikes, volatility 0.08 to
 * 0.9 with a skew, calls and puts alternating; implied volatility from the model prices.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gex/gex.h"
#include "splitmix64.h"

static uint64_t rng_state;

static double rng_uniform(double lo, double hi)
{
    return lo + (hi - lo) * gex_splitmix64_unit(&rng_state);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The contracts benchmarked, as structure of arrays. */
typedef struct contracts {
    size_t n;
    double r, q;
    double *S, *K, *T, *sigma, *price;
    uint8_t *type;
} contracts;

static int contracts_alloc(contracts *c, size_t n)
{
    c->n = n;
    c->r = 0.045;
    c->q = 0.013;
    c->S = malloc(n * sizeof *c->S);
    c->K = malloc(n * sizeof *c->K);
    c->T = malloc(n * sizeof *c->T);
    c->sigma = malloc(n * sizeof *c->sigma);
    c->price = malloc(n * sizeof *c->price);
    c->type = malloc(n);
    return c->S == NULL || c->K == NULL || c->T == NULL || c->sigma == NULL || c->price == NULL ||
                   c->type == NULL
               ? GEX_ENOMEM
               : GEX_OK;
}

static void contracts_free(contracts *c)
{
    free(c->S);
    free(c->K);
    free(c->T);
    free(c->sigma);
    free(c->price);
    free(c->type);
}

static int generate(contracts *c, size_t n, uint64_t seed)
{
    if (contracts_alloc(c, n) != GEX_OK)
        return GEX_ENOMEM;
    rng_state = seed;
    const double spot = 5923.41;
    const double minutes5 = 5.0 / (365 * 24 * 60);
    for (size_t i = 0; i < n; i++) {
        const double T = exp(rng_uniform(log(minutes5), log(2.0)));
        const double width = fmin(0.3, fmax(0.02, 0.3 * sqrt(T)));
        const double lm = rng_uniform(-width, width);
        const double K = fmax(5, 5 * round(spot * exp(lm) / 5));
        const double skew = -0.6 * log(K / spot);
        c->S[i] = spot;
        c->K[i] = K;
        c->T[i] = T;
        c->sigma[i] = fmin(0.9, fmax(0.08, rng_uniform(0.1, 0.35) + skew));
        c->type[i] = (uint8_t)(i & 1);
        if (gex_bs_price(c->type[i], spot, K, T, c->sigma[i], c->r, c->q, &c->price[i]) !=
            GEX_BS_OK)
            return GEX_EINVAL;
    }
    return GEX_OK;
}

static int load_chain(contracts *c, const char *path)
{
    gex_chain *chain = NULL;
    gex_error err;
    gex_error_clear(&err);
    int rc = gex_chain_read_path(path, NULL, &chain, NULL, &err);
    gex_prepare_options opt;
    gex_prepare_options_default(&opt);
    if (rc == GEX_OK)
        rc = gex_chain_prepare(chain, &opt, NULL, &err);
    if (rc != GEX_OK) {
        fprintf(stderr, "bench-bs: %s:%ld: %s\n", err.file[0] != '\0' ? err.file : path, err.line,
                err.text);
        gex_chain_free(chain);
        return rc;
    }
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    size_t n = 0;
    for (size_t i = 0; i < v.n; i++)
        n += v.status[i] == GEX_CONTRACT_OK;
    if (n == 0 || contracts_alloc(c, n) != GEX_OK) {
        fprintf(stderr, "bench-bs: %s: no usable contracts\n", path);
        gex_chain_free(chain);
        return GEX_EEMPTY;
    }
    c->r = opt.rate;
    c->q = opt.div;
    size_t j = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.status[i] != GEX_CONTRACT_OK)
            continue;
        c->S[j] = v.spot[i];
        c->K[j] = v.strike[i];
        c->T[j] = v.T[i];
        c->sigma[j] = v.iv[i];
        c->type[j] = v.type[i];
        /* The mid of SPEC 1.4, or nan (no quote) where the bid is missing or zero. */
        const double bid = v.bid[i], ask = v.ask[i];
        c->price[j] = bid > 0 && ask >= bid ? 0.5 * bid + 0.5 * ask : (double)NAN;
        j++;
    }
    gex_chain_free(chain);
    return GEX_OK;
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    int reps = 5;
    uint64_t seed = 20251124;
    const char *chain_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
            n = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--chain") == 0 && i + 1 < argc)
            chain_path = argv[++i];
        else {
            fprintf(stderr,
                    "usage: bench-bs [--chain FILE] [--n CONTRACTS] [--reps R] [--seed SEED]\n");
            return 2;
        }
    }
    if (n == 0 || reps < 1) {
        fprintf(stderr, "bench-bs: --n and --reps must be positive\n");
        return 2;
    }
    contracts c = {0};
    const int rc = chain_path != NULL ? load_chain(&c, chain_path) : generate(&c, n, seed);
    if (rc != GEX_OK) {
        fprintf(stderr, "bench-bs: no contracts to time (%s)\n", gex_strerror(rc));
        contracts_free(&c);
        return 1;
    }
    n = c.n;
    double *out = malloc(6 * n * sizeof *out);
    uint8_t *status = malloc(n);
    if (out == NULL || status == NULL) {
        fprintf(stderr, "bench-bs: out of memory\n");
        return 1;
    }
    const gex_bs_batch_in in = {.n = n,
                                .S = c.S,
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
    double best_scalar = HUGE_VAL, best_full = HUGE_VAL, best_batch = HUGE_VAL, best_iv = HUGE_VAL;
    double sink = 0;
    size_t bad = 0, iv_bad = 0;
    for (int rep = 0; rep < reps; rep++) {
        double t0 = now_seconds();
        for (size_t i = 0; i < n; i++) {
            gex_greeks g;
            if (gex_bs_exposure_greeks(c.type[i], c.S[i], c.K[i], c.T[i], c.sigma[i], c.r, c.q,
                                       &g) == GEX_BS_OK)
                sink += g.delta + g.gamma + g.vega + g.vanna + g.charm;
        }
        double t1 = now_seconds();
        best_scalar = fmin(best_scalar, t1 - t0);

        t0 = now_seconds();
        for (size_t i = 0; i < n; i++) {
            gex_greeks g;
            if (gex_bs_greeks(c.type[i], c.S[i], c.K[i], c.T[i], c.sigma[i], c.r, c.q, &g) ==
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
    const char *src = chain_path != NULL ? "chain" : "generated";
    printf("bench-bs: scalar greeks: %.1f Mcontracts/s/core (n=%zu, %s)\n", dn / best_scalar / 1e6,
           n, src);
    printf("bench-bs: scalar greeks with price and theta: %.1f Mcontracts/s/core (n=%zu, %s)\n",
           dn / best_full / 1e6, n, src);
    printf("bench-bs: batch greeks: %.1f Mcontracts/s/core (n=%zu, %s, %s)\n",
           dn / best_batch / 1e6, n, src, gex_bs_batch_path());
    printf("bench-bs: implied vol: %.1f ns/contract (n=%zu, %s, %zu without a solution)\n",
           best_iv / dn * 1e9, n, src, iv_bad);
    int status_out = 0;
    if (bad != 0 || !isfinite(sink)) {
        fprintf(stderr, "bench-bs: %zu contracts failed\n", bad);
        status_out = 1;
    }
    free(out);
    free(status);
    contracts_free(&c);
    return status_out;
}
