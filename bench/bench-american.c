/*
 * bench-american: throughput of the American pricer (gex/american.h) on one core.
 *
 *   bench-american [--n CONTRACTS] [--reps R] [--seed SEED] [--strikes STRIKES]
 *   bench-american --chain FILE [--reps R] [--now TIME]
 *
 * Prints one line per figure, in contracts per second per core: price only (gex_am_price),
 * price and greeks (gex_am_greeks: three boundary solves) and implied volatility
 * (gex_am_implied_vol, from the model prices). Each figure is the best of R runs over the same
 * contracts, timed with the thread's CPU clock (CLOCK_THREAD_CPUTIME_ID): per core, and not
 * inflated by the time the thread waits for a core on a loaded machine.
 *
 * Shared boundary (gex_am_boundary_new, gex_am_boundary_value): the same N contracts' strikes
 * and expiries, but each expiration with one volatility (the mean of its contracts') so that
 * one boundary per expiration and type serves all its strikes: 20 expirations, log-spaced from
 * 1 week to 2 years. Two figures: the values alone (price, delta and gamma per contract, the
 * boundaries solved before), and everything (the 40 solves included).
 *
 * Expiration batches (gex_am_expiration_values): the N contracts regrouped into expirations of
 * --strikes STRIKES contracts each (calls and puts alternating, 20 expiries as above, T, r and q
 * shared), each contract with its own volatility (the generator's skew at its strike): the
 * figure counts everything, the solves at each family's sigma nodes included.
 *
 * Contracts: N from a seeded generator (splitmix64) of an ETF-like underlying at 431.7, r 0.045,
 * q 0.013 (so calls and puts both carry early exercise), expiries log-uniform from 1 day to 2
 * years, ln(K/S) uniform within +-0.3 sqrt(T) (at least +-0.02), volatility 0.12 to 0.6 with a
 * skew, calls and puts alternating.
 *
 * With --chain FILE, one figure instead: the file's contracts, an expiration at a time, through
 * gex_am_expiration_values at their own spot, strike and volatility (bench_chain below). --now
 * TIME: the quote instant, as gex's --now reads it, for a file that carries none (a yfinance
 * or NSE download).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gex/gex.h"
#include "splitmix64.h"

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench-american [--n CONTRACTS] [--reps R] [--seed SEED] "
                    "[--strikes STRIKES] [--chain FILE [--now TIME]]\n");
    return 2;
}

/* Orders contract indexes by settlement instant, then by index (qsort_r is not C11: the
 * settlements are copied beside the indexes). */
typedef struct by_settlement {
    int64_t settlement;
    size_t index;
} by_settlement;

static int by_settlement_cmp(const void *a, const void *b)
{
    const by_settlement *x = a, *y = b;
    if (x->settlement != y->settlement)
        return x->settlement < y->settlement ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* --chain FILE: the file's contracts through gex_am_expiration_values, an expiration at a
 * time, as a user's chain meets the batch. The file is read and prepared as gex does by
 * default except for the carry, which is flat (SPEC 1.2's r 0.045 and q 0.013, so that calls
 * and puts both carry early exercise; the parity fits of a real file can give rates that make
 * two exercise boundaries, which the batch refuses at no cost). Every contract the preparation
 * values (status OK, T > 0) takes part, at its spot, strike and volatility. Prints the
 * contracts per second per core, best of reps, counting the time of every batch. */
static int bench_chain(const char *path, int reps, const int64_t *now)
{
    gex_error err;
    gex_error_clear(&err);
    gex_read_options ro;
    memset(&ro, 0, sizeof ro);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    if (now != NULL) { /* as gex's --now */
        po.has_now = ro.has_now = 1;
        po.now = ro.now = *now;
    }
    gex_chain *chain = NULL;
    int rc = gex_chain_read_path(path, &ro, &chain, NULL, &err);
    if (rc == GEX_OK)
        rc = gex_chain_prepare(chain, &po, NULL, &err);
    if (rc != GEX_OK) {
        fprintf(stderr, "bench-american: %s: %s\n", path,
                err.text[0] != '\0' ? err.text : gex_strerror(rc));
        gex_chain_free(chain);
        return 1;
    }
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    by_settlement *order = malloc((v.n > 0 ? v.n : 1) * sizeof *order);
    size_t m = 0;
    for (size_t i = 0; order != NULL && i < v.n; i++)
        if (v.status[i] == GEX_CONTRACT_OK && v.T[i] > 0)
            order[m++] = (by_settlement){v.settlement[i], i};
    int *type = malloc((m > 0 ? m : 1) * sizeof *type);
    double *buf = malloc((m > 0 ? m : 1) * 6 * sizeof *buf);
    gex_am_status *st = malloc((m > 0 ? m : 1) * sizeof *st);
    if (order == NULL || type == NULL || buf == NULL || st == NULL) {
        fprintf(stderr, "bench-american: out of memory\n");
        free(order);
        free(type);
        free(buf);
        free(st);
        gex_chain_free(chain);
        return 1;
    }
    qsort(order, m, sizeof *order, by_settlement_cmp);
    double *S = buf, *K = buf + m, *sigma = buf + 2 * m, *price = buf + 3 * m;
    double *delta = buf + 4 * m, *gamma = buf + 5 * m;
    for (size_t j = 0; j < m; j++) {
        const size_t i = order[j].index;
        type[j] = v.type[i];
        S[j] = v.spot[i];
        K[j] = v.strike[i];
        sigma[j] = v.iv[i];
    }
    double best = HUGE_VAL;
    size_t expirations = 0, valued = 0;
    for (int rep = 0; rep < reps; rep++) {
        expirations = 0;
        const double t0 = cpu_seconds();
        for (size_t a = 0; a < m;) {
            size_t b = a;
            while (b < m && order[b].settlement == order[a].settlement)
                b++;
            const size_t i = order[a].index;
            (void)gex_am_expiration_values(v.T[i], v.r[i], v.q[i], b - a, type + a, S + a, K + a,
                                           sigma + a, price + a, delta + a, gamma + a, st + a);
            expirations++;
            a = b;
        }
        best = fmin(best, cpu_seconds() - t0);
    }
    for (size_t j = 0; j < m; j++)
        valued += st[j] == GEX_AM_OK && isfinite(price[j]) && isfinite(gamma[j]);
    printf("american chain %s: %10.0f contracts/s per core (%zu contracts, %zu valued, %zu "
           "expirations; price, delta, gamma; best of %d)\n",
           path, best > 0 ? (double)m / best : 0.0, m, valued, expirations, reps);
    const int bad = valued != m;
    if (bad)
        fprintf(stderr, "bench-american: %zu contracts of %s not valued\n", m - valued, path);
    free(order);
    free(type);
    free(buf);
    free(st);
    gex_chain_free(chain);
    return bad;
}

int main(int argc, char **argv)
{
    size_t n = 2000;
    int reps = 3;
    uint64_t seed = 20261204;
    size_t strikes = 100;
    const char *chain = NULL;
    int64_t now = 0;
    int has_now = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
            n = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--strikes") == 0 && i + 1 < argc)
            strikes = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--chain") == 0 && i + 1 < argc)
            chain = argv[++i];
        else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
            const char *arg = argv[++i];
            gex_instant_info info;
            if (gex_time_parse_now(arg, strlen(arg), &now, &info) != GEX_OK) {
                fprintf(stderr,
                        "bench-american: --now: '%s' is not a date and time (%s; for example "
                        "\"2026-02-11 15:30\" in New York time, or @1770841800)\n",
                        arg, info.problem != NULL ? info.problem : "unreadable");
                return 2;
            }
            has_now = 1;
        } else
            return usage();
    }
    if (n == 0 || reps < 1 || strikes == 0)
        return usage();
    if (chain != NULL)
        return bench_chain(chain, reps, has_now ? &now : NULL);
    const double S = 431.7, r = 0.045, q = 0.013;
    double *K = malloc(n * sizeof *K), *T = malloc(n * sizeof *T);
    double *sigma = malloc(n * sizeof *sigma), *price = malloc(n * sizeof *price);
    int *type = malloc(n * sizeof *type);
    if (K == NULL || T == NULL || sigma == NULL || price == NULL || type == NULL) {
        fprintf(stderr, "bench-american: out of memory\n");
        return 1;
    }
    uint64_t state = seed;
    for (size_t i = 0; i < n; i++) {
        const double u = gex_splitmix64_unit(&state);
        T[i] = exp(log(1 / 365.0) + u * (log(2.0) - log(1 / 365.0)));
        const double width = fmax(0.3 * sqrt(T[i]), 0.02);
        const double x = width * (2 * gex_splitmix64_unit(&state) - 1);
        K[i] = S * exp(x);
        sigma[i] = fmin(fmax(0.25 - 0.4 * x + 0.1 * gex_splitmix64_unit(&state), 0.12), 0.6);
        type[i] = (int)(i % 2);
    }
    double best_price = HUGE_VAL, best_greeks = HUGE_VAL, best_iv = HUGE_VAL;
    double sink = 0;
    size_t bad = 0, iv_bad = 0;
    for (int rep = 0; rep < reps; rep++) {
        double t0 = cpu_seconds();
        for (size_t i = 0; i < n; i++) {
            if (gex_am_price(type[i], S, K[i], T[i], sigma[i], r, q, &price[i]) != GEX_AM_OK)
                bad++;
        }
        double t1 = cpu_seconds();
        best_price = fmin(best_price, t1 - t0);
        t0 = cpu_seconds();
        for (size_t i = 0; i < n; i++) {
            gex_greeks g;
            if (gex_am_greeks(type[i], S, K[i], T[i], sigma[i], r, q, &g) == GEX_AM_OK)
                sink += g.gamma;
        }
        t1 = cpu_seconds();
        best_greeks = fmin(best_greeks, t1 - t0);
        t0 = cpu_seconds();
        for (size_t i = 0; i < n; i++) {
            double iv;
            if (gex_am_implied_vol(type[i], price[i], S, K[i], T[i], r, q, &iv) == GEX_AM_OK)
                sink += iv;
            else
                iv_bad++;
        }
        t1 = cpu_seconds();
        best_iv = fmin(best_iv, t1 - t0);
    }
    /* The shared-boundary case. */
    enum { EXPIRIES = 20 };
    double eT[EXPIRIES], esig[EXPIRIES];
    size_t ecount[EXPIRIES];
    for (int e = 0; e < EXPIRIES; e++) {
        eT[e] = exp(log(7 / 365.0) + e * (log(2.0) - log(7 / 365.0)) / (EXPIRIES - 1));
        esig[e] = 0;
        ecount[e] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        const size_t e = i % EXPIRIES;
        esig[e] += sigma[i];
        ecount[e]++;
    }
    for (int e = 0; e < EXPIRIES; e++)
        esig[e] = ecount[e] > 0 ? esig[e] / (double)ecount[e] : 0.25;
    double best_values = HUGE_VAL, best_shared = HUGE_VAL;
    for (int rep = 0; rep < reps; rep++) {
        gex_am_boundary *bd[EXPIRIES][2];
        double t0 = cpu_seconds();
        for (int e = 0; e < EXPIRIES; e++)
            for (int t = 0; t < 2; t++)
                if (gex_am_boundary_new(t, eT[e], esig[e], r, q, &bd[e][t]) != GEX_OK) {
                    fprintf(stderr, "bench-american: a boundary failed to solve\n");
                    return 1;
                }
        const double t1 = cpu_seconds();
        for (size_t i = 0; i < n; i++) {
            double p, d, g;
            if (gex_am_boundary_value(bd[i % EXPIRIES][type[i]], S, K[i], &p, &d, &g) == GEX_AM_OK)
                sink += g;
            else
                bad++;
        }
        const double t2 = cpu_seconds();
        best_values = fmin(best_values, t2 - t1);
        best_shared = fmin(best_shared, t2 - t0);
        for (int e = 0; e < EXPIRIES; e++)
            for (int t = 0; t < 2; t++)
                gex_am_boundary_free(bd[e][t]);
    }
    /* Expiration batches: contracts [e0, e0 + strikes) share the expiry eT[(e0 / strikes) %
     * EXPIRIES], each keeping its strike, type and volatility. */
    double best_batch = HUGE_VAL;
    double *bd_out = malloc(4 * n * sizeof *bd_out); /* price, delta, gamma, spot */
    double *spot = bd_out == NULL ? NULL : bd_out + 3 * n;
    gex_am_status *bst = malloc(n * sizeof *bst);
    if (bd_out == NULL || bst == NULL) {
        fprintf(stderr, "bench-american: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        spot[i] = S;
    for (int rep = 0; rep < reps; rep++) {
        const double t0 = cpu_seconds();
        for (size_t e0 = 0; e0 < n; e0 += strikes) {
            const size_t m = n - e0 < strikes ? n - e0 : strikes;
            const double Te = eT[(e0 / strikes) % EXPIRIES];
            if (gex_am_expiration_values(Te, r, q, m, type + e0, spot + e0, K + e0, sigma + e0,
                                         bd_out + e0, bd_out + n + e0, bd_out + 2 * n + e0,
                                         bst + e0) != GEX_OK) {
                fprintf(stderr, "bench-american: a batch failed\n");
                return 1;
            }
        }
        const double t1 = cpu_seconds();
        best_batch = fmin(best_batch, t1 - t0);
        for (size_t i = 0; i < n; i++) {
            if (bst[i] == GEX_AM_OK)
                sink += bd_out[2 * n + i];
            else
                bad++;
        }
    }
    printf("american price:        %10.0f contracts/s per core (%zu contracts, best of %d)\n",
           (double)n / best_price, n, reps);
    printf("american price+greeks: %10.0f contracts/s per core\n", (double)n / best_greeks);
    printf("american implied vol:  %10.0f contracts/s per core (%zu without a solution)\n",
           (double)n / best_iv, iv_bad / (size_t)reps);
    printf("american shared boundary, values: %10.0f contracts/s per core (price, delta, gamma; "
           "%d expirations)\n",
           (double)n / best_values, EXPIRIES);
    printf("american shared boundary, with solves: %10.0f contracts/s per core (%d boundaries)\n",
           (double)n / best_shared, 2 * EXPIRIES);
    printf("american expiration batches: %10.0f contracts/s per core (price, delta, gamma, own "
           "sigma; %zu a batch, node solves included)\n",
           (double)n / best_batch, strikes);
    if (bad > 0 || !isfinite(sink)) {
        fprintf(stderr, "bench-american: %zu contracts failed to price\n", bad);
        return 1;
    }
    free(K);
    free(T);
    free(sigma);
    free(price);
    free(type);
    free(bd_out);
    free(bst);
    return 0;
}
