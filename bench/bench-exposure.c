/*
 * bench-exposure: the full aggregation (gex_exposure_compute: greeks, exposures, per-strike and
 * per-expiration tables) and the profile flip (gex_levels_flip_profile) on a realistic index
 * chain of 50,000 contracts, built in memory with a fixed seed:
 *
 *   SPX-like, spot 5123.37, quoted Wednesday 2024-03-20 14:30 New York; a 0DTE expiration, the
 *   other dailies for three weeks, Friday weeklies for three months, monthlies (third Friday)
 *   for two years; strikes every 5 points over a range that widens with the square root of the
 *   time to expiry (+-6% for the 0DTE, up to -50%/+50%); a skewed smile; open interest
 *   decaying away from the money, mostly out of the money (puts below, calls above, more puts),
 *   and concentrated on round strikes (100s, then 50s, then 25s).
 *
 *   bench-exposure [--contracts N] [--repeat R]
 *
 * Prints one line per figure, the best of R runs (default 20) on one core (the aggregation also
 * gives its first run, which pays the kernel for the first touch of ~7 MB of fresh pages):
 *   bench-exposure: aggregation: 1.02 ms (n=50000, 48 expirations, 741 strikes; first run ...)
 *   bench-exposure: greeks within the aggregation: 0.80 ms (n=50000, avx512)
 *   bench-exposure: profile flip: 3.10 ms, 33 evaluations of P (n=50000, flip 5017.27)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gex/gex.h"
#include "splitmix64.h"

#define SPOT        5123.37
#define STRIKE_STEP 5.0

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Expiration days after 2024-03-20 (a Wednesday): 0DTE and dailies for three weeks, Fridays for
 * three months, third Fridays for two years. Returns how many (at most max). */
static size_t expirations(int32_t today, int32_t *out, size_t max)
{
    size_t n = 0;
    for (int32_t d = today; d <= today + 730 && n < max; d++) {
        const int dow = (int)(((d % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday: 0 = Monday */
        if (dow >= 5)
            continue;
        int year, month, mday;
        gex_time_civil_from_days(d, &year, &month, &mday);
        const int third_friday = dow == 4 && mday >= 15 && mday <= 21;
        if (d - today <= 21 || (dow == 4 && d - today <= 92) || third_friday)
            out[n++] = d;
    }
    return n;
}

/* A skewed smile: higher volatility below the spot, a term structure rising slowly. */
static double smile(double K, double T)
{
    const double m = log(K / SPOT) / sqrt(T > 1.0 / 365 ? T : 1.0 / 365);
    const double v = 0.13 + 0.01 * sqrt(T) - 0.045 * m + 0.012 * m * m;
    return v < 0.05 ? 0.05 : (v > 1.5 ? 1.5 : v);
}

static double round_weight(double K)
{
    if (fmod(K, 100.0) == 0)
        return 6.0;
    if (fmod(K, 50.0) == 0)
        return 3.0;
    if (fmod(K, 25.0) == 0)
        return 1.8;
    return 1.0;
}

static gex_chain *make_chain(size_t target)
{
    gex_chain *chain = gex_chain_new();
    if (chain == NULL)
        return NULL;
    const int32_t today = gex_time_days_from_civil(2024, 3, 20);
    const int64_t quote = (int64_t)today * 86400 + 18 * 3600 + 30 * 60; /* 14:30 EDT */
    int32_t dates[256];
    const size_t ne = expirations(today, dates, 256);
    /* Which strikes: passes over the expirations add the next strike out from the money,
     * alternating sides, until the target is reached; each expiration's selection is a range
     * of strike indexes. */
    double lo[256];
    size_t first[256], last[256], count = 0, last_e = 0, last_k = 0;
    int have[256] = {0};
    for (size_t pass = 0; count < target; pass++) {
        int any = 0;
        for (size_t e = 0; e < ne && count < target; e++) {
            const double T = ((double)(dates[e] - today) + 0.0625) / 365.0;
            const double width = fmin(0.5, 0.06 + 0.45 * sqrt(T));
            lo[e] = ceil(SPOT * (1 - width) / STRIKE_STEP) * STRIKE_STEP;
            const size_t n_strikes = (size_t)floor(2 * width * SPOT / STRIKE_STEP);
            const size_t mid = (size_t)((SPOT - lo[e]) / STRIKE_STEP);
            const size_t off = (pass + 1) / 2;
            if (off > mid || mid + off >= n_strikes)
                continue;
            const size_t k = pass % 2 ? mid - off : mid + off;
            if (!have[e] || k < first[e])
                first[e] = k;
            if (!have[e] || k > last[e])
                last[e] = k;
            have[e] = 1;
            any = 1;
            count += 2;
            last_e = e;
            last_k = k;
        }
        if (!any)
            break;
    }
    /* Emitted as chain files list them: by expiration, then strike, call then put (the put of
     * the last strike chosen is left out when the target is odd). */
    uint64_t seed = 20240320;
    for (size_t e = 0; e < ne; e++) {
        if (!have[e])
            continue;
        const double T = ((double)(dates[e] - today) + 0.0625) / 365.0;
        for (size_t k = first[e]; k <= last[e]; k++) {
            const double K = lo[e] + STRIKE_STEP * (double)k;
            for (int type = GEX_CALL; type <= GEX_PUT; type++) {
                if (count > target && e == last_e && k == last_k && type == GEX_PUT)
                    continue;
                /* out-of-the-money open interest dominates: puts below the spot, calls
                 * above, puts more (index hedging) */
                const double x = log(K / SPOT) / (0.15 * sqrt(T) + 0.01);
                const int otm = type == GEX_CALL ? K >= SPOT : K <= SPOT;
                const double side = otm ? (type == GEX_PUT ? 1.6 : 1.0) : 0.25;
                const double oi = floor(round_weight(K) * side * 4000.0 * exp(-0.5 * x * x) *
                                        (0.3 + gex_splitmix64_unit(&seed)) / (1.0 + 4.0 * T));
                const gex_contract c = {.underlying = "SPX",
                                        .root = "SPXW",
                                        .expiration = dates[e],
                                        .strike = K,
                                        .type = type,
                                        .bid = NAN,
                                        .ask = NAN,
                                        .last = NAN,
                                        .iv = smile(K, T) *
                                              (1 + 0.01 * (gex_splitmix64_unit(&seed) - 0.5)),
                                        .open_interest = oi,
                                        .volume = floor(oi * gex_splitmix64_unit(&seed)),
                                        .multiplier = NAN,
                                        .vendor_delta = NAN,
                                        .vendor_gamma = NAN,
                                        .line = 0};
                if (gex_chain_add(chain, &c) != GEX_OK) {
                    gex_chain_free(chain);
                    return NULL;
                }
            }
        }
    }
    gex_chain_set_quote_time(chain, quote);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    if (gex_chain_set_spot(chain, "SPX", SPOT) != GEX_OK ||
        gex_chain_prepare(chain, &po, NULL, NULL) != GEX_OK) {
        gex_chain_free(chain);
        return NULL;
    }
    return chain;
}

int main(int argc, char **argv)
{
    size_t target = 50000;
    int repeat = 20;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--contracts") == 0 && i + 1 < argc) {
            target = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: bench-exposure [--contracts N] [--repeat R]\n");
            return 2;
        }
    }
    if (target < 2 || repeat < 1) {
        fprintf(stderr, "bench-exposure: --contracts must be >= 2 and --repeat >= 1\n");
        return 2;
    }
    gex_chain *chain = make_chain(target);
    if (chain == NULL) {
        fprintf(stderr, "bench-exposure: cannot build the chain\n");
        return 4;
    }
    const size_t n = gex_chain_size(chain);

    /* The greeks alone, as gex_exposure_compute asks for them: the part of the aggregation
     * that belongs to gex/bs.h. */
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    double *g = malloc(5 * n * sizeof *g);
    uint8_t *st = malloc(n);
    double best_greeks = INFINITY;
    if (g == NULL || st == NULL) {
        fprintf(stderr, "bench-exposure: out of memory\n");
        return 4;
    }
    const gex_bs_batch_in in = {.n = n,
                                .S_all = SPOT,
                                .K = v.strike,
                                .T = v.T,
                                .sigma = v.iv,
                                .type = v.type,
                                .r_all = 0.045,
                                .q_all = 0.013};
    const gex_bs_batch_out out = {.delta = g,
                                  .gamma = g + n,
                                  .vega = g + 2 * n,
                                  .vanna = g + 3 * n,
                                  .charm = g + 4 * n,
                                  .status = st};
    for (int r = 0; r < repeat; r++) {
        const double t0 = now_ms();
        gex_bs_greeks_batch(&in, &out, NULL);
        best_greeks = fmin(best_greeks, now_ms() - t0);
    }
    free(g);
    free(st);

    double best_agg = INFINITY, best_flip = INFINITY, first_agg = 0;
    size_t evals = 0, strikes = 0, expiries = 0;
    gex_level flip = {0, 0};
    int rc = GEX_OK;
    for (int r = 0; r < repeat && rc == GEX_OK; r++) {
        gex_exposure *e = NULL;
        const double t0 = now_ms();
        rc = gex_exposure_compute(chain, NULL, &e);
        const double t1 = now_ms();
        if (rc != GEX_OK)
            break;
        rc = gex_levels_flip_profile(e, &flip, &evals, NULL);
        const double t2 = now_ms();
        strikes = gex_exposure_strike_count(e);
        expiries = gex_exposure_expiry_count(e);
        gex_exposure_free(e);
        best_agg = fmin(best_agg, t1 - t0);
        if (r == 0)
            first_agg = t1 - t0; /* the first run also pays for the first touch of its pages */
        best_flip = fmin(best_flip, t2 - t1);
    }
    gex_chain_free(chain);
    if (rc != GEX_OK) {
        fprintf(stderr, "bench-exposure: %s\n", gex_strerror(rc));
        return 4;
    }
    printf("bench-exposure: aggregation: %.2f ms (n=%zu, %zu expirations, %zu strikes; first run "
           "%.2f ms)\n",
           best_agg, n, expiries, strikes, first_agg);
    printf("bench-exposure: greeks within the aggregation: %.2f ms (n=%zu, %s)\n", best_greeks, n,
           gex_bs_batch_path());
    if (flip.has)
        printf("bench-exposure: profile flip: %.2f ms, %zu evaluations of P (n=%zu, flip %.2f)\n",
               best_flip, evals, n, flip.value);
    else
        printf("bench-exposure: profile flip: %.2f ms, %zu evaluations of P (n=%zu, no flip)\n",
               best_flip, evals, n);
    return 0;
}
