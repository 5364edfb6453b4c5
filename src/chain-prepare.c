/* gex_chain_prepare: time to settlement, the implied volatility used and a status per contract
 * (SPEC 1.1 and 1.4). */
#include "gex/chain.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chain-internal.h"
#include "gex/bs.h"
#include "gex/time.h"

/* SPEC 1.2: the documented defaults of the vendor API the seed article uses. */
#define PREPARE_DEFAULT_RATE 0.045
#define PREPARE_DEFAULT_DIV  0.013
/* SPEC 1.4: a file IV is used when it is a finite number in (0, FILE_IV_MAX]; above it the
 * value is a sentinel (CBOE's 2020 files carry 24.001 on far out-of-the-money puts) or a
 * percent the reader could not recognise, and the mid quote decides instead. */
#define FILE_IV_MAX 5.0

void gex_prepare_options_default(gex_prepare_options *o)
{
    memset(o, 0, sizeof *o);
    o->rate = PREPARE_DEFAULT_RATE;
    o->div = PREPARE_DEFAULT_DIV;
    o->iv_mode = GEX_IV_MODE_AUTO;
}

static int file_iv_usable(double iv)
{
    return isfinite(iv) && iv > 0 && iv <= FILE_IV_MAX;
}

/* The contract status of a solver outcome (gex/bs.h gex_iv_status). */
static gex_contract_status status_of_iv(int iv_status)
{
    switch (iv_status) {
    case GEX_IV_OK:
        return GEX_CONTRACT_OK;
    case GEX_IV_BELOW_INTRINSIC:
        return GEX_CONTRACT_BELOW_INTRINSIC;
    case GEX_IV_ABOVE_MAX:
        return GEX_CONTRACT_ABOVE_MAX;
    case GEX_IV_NOT_CONVERGED:
        return GEX_CONTRACT_NOT_CONVERGED;
    default: /* no quote, or inputs the solver refuses: there is no IV to use */
        return GEX_CONTRACT_NO_IV;
    }
}

/* Whether a quote's mid lies above the discounted intrinsic value max(S e^{-qT} - K e^{-rT}, 0)
 * (K e^{-rT} - S e^{-qT} for a put). The solver also answers "below intrinsic" for a positive
 * out-of-the-money price too small to carry any volatility (4e-305 on a far call: its
 * normalised value is below the smallest normal double); such a contract is not below its
 * intrinsic value, it has no IV (issue 14). */
static int above_intrinsic(int type, double bid, double ask, double S, double K, double T, double r,
                           double q)
{
    const double mid = 0.5 * bid + 0.5 * ask;
    const double fwd = S * exp(-q * T) - K * exp(-r * T);
    const double intrinsic = type == GEX_CALL ? fmax(fwd, 0.0) : fmax(-fwd, 0.0);
    return mid > intrinsic;
}

/* SPEC 1.2: the default carry describes 2025-2026; applied (unchanged by --rate and --div) to a
 * quote more than two years outside that period it misprices the forward (on the 2020 SPY file,
 * r = q = 0 moves net GEX from -0.547 to -0.760 bn), so the user is told. */
static void carry_warning(const gex_prepare_options *o, int64_t now, char *buf, size_t size)
{
    buf[0] = '\0';
    if (o->rate != PREPARE_DEFAULT_RATE || o->div != PREPARE_DEFAULT_DIV)
        return;
    const int64_t local = now + gex_time_eastern_offset(now); /* the New York date */
    const int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    const int64_t before = GEX_CARRY_DEFAULT_FROM_DAY - day, after = day - GEX_CARRY_DEFAULT_TO_DAY;
    if (before <= GEX_CARRY_DEFAULT_SLACK_DAYS && after <= GEX_CARRY_DEFAULT_SLACK_DAYS)
        return;
    int year, month, mday;
    gex_time_civil_from_days((int32_t)day, &year, &month, &mday);
    snprintf(buf, size,
             "the default rate 4.5%% and dividend yield 1.3%% describe 2025-2026, and this chain "
             "is quoted on %04d-%02d-%02d: pass --rate and --div with the rates of that date",
             year, month, mday);
}

int gex_chain_prepare(gex_chain *chain, const gex_prepare_options *options,
                      gex_prepare_report *report, gex_error *err)
{
    gex_prepare_options defaults;
    if (options == NULL) {
        gex_prepare_options_default(&defaults);
        options = &defaults;
    }
    if (chain == NULL)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "no chain to prepare");
    if (!isfinite(options->rate) || !isfinite(options->div))
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0,
                             "the rate and the dividend yield must be finite numbers");
    if (options->iv_mode != GEX_IV_MODE_AUTO && options->iv_mode != GEX_IV_MODE_FILE &&
        options->iv_mode != GEX_IV_MODE_MID)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "unknown IV source %d",
                             (int)options->iv_mode);
    int64_t now;
    if (options->has_now)
        now = options->now;
    else if (gex_chain_quote_time(chain, &now) != GEX_OK && chain->time_note[0] != '\0')
        return gex_error_set(err, GEX_ENOTIME, chain->time_file, chain->time_line, 0, "%s",
                             chain->time_note);
    else if (gex_chain_quote_time(chain, &now) != GEX_OK)
        return gex_error_set(err, GEX_ENOTIME, NULL, 0, 0,
                             "the chain carries no quote instant, so the time to expiry is "
                             "unknown; pass --now TIME (for example --now 2024-03-22T16:00-04:00)");

    const gex_chain *v = chain;
    for (size_t i = 0; i < v->n; i++) {
        if (!(v->spot[i] > 0) || !isfinite(v->spot[i]))
            return gex_error_set(err, GEX_EINVAL, NULL, v->line[i], 0,
                                 "no spot price for %s: the file carries none; pass --spot",
                                 gex_chain_symbol(chain, v->underlying[i]));
    }

    double *T = chain->T, *iv = chain->iv;
    uint8_t *iv_source = chain->iv_source, *status = chain->status;
    gex_prepare_report r;
    memset(&r, 0, sizeof r);
    r.quote_time = now;
    const double r_rate = options->rate, q = options->div;
    for (size_t i = 0; i < v->n; i++) {
        /* SPEC 1.1: T = (settlement - quote instant) seconds / (365 x 86400), never floored. */
        T[i] = (double)(v->settlement[i] - now) / GEX_SECONDS_PER_YEAR;
        iv[i] = 0;
        iv_source[i] = GEX_IV_SOURCE_NONE;
        gex_contract_status st;
        if (!(T[i] > 0)) {
            st = GEX_CONTRACT_EXPIRED;
        } else if (options->iv_mode != GEX_IV_MODE_MID && file_iv_usable(v->file_iv[i])) {
            iv[i] = v->file_iv[i];
            iv_source[i] = GEX_IV_SOURCE_FILE;
            st = GEX_CONTRACT_OK;
        } else if (options->iv_mode == GEX_IV_MODE_FILE) {
            st = GEX_CONTRACT_NO_IV;
        } else {
            double sigma = 0;
            int ivs = gex_bs_implied_vol_quote(v->type[i], v->bid[i], v->ask[i], v->spot[i],
                                               v->strike[i], T[i], r_rate, q, &sigma);
            st = status_of_iv(ivs);
            if (st == GEX_CONTRACT_BELOW_INTRINSIC &&
                above_intrinsic(v->type[i], v->bid[i], v->ask[i], v->spot[i], v->strike[i], T[i],
                                r_rate, q))
                st = GEX_CONTRACT_NO_IV; /* a price with no digits of volatility left */
            if (st == GEX_CONTRACT_OK) {
                iv[i] = sigma;
                iv_source[i] = GEX_IV_SOURCE_MID;
            }
        }
        status[i] = (uint8_t)st;
        r.status[st]++;
        r.iv_from_file += iv_source[i] == GEX_IV_SOURCE_FILE;
        r.iv_from_mid += iv_source[i] == GEX_IV_SOURCE_MID;
    }
    carry_warning(options, now, r.warning, sizeof r.warning);
    chain->prepared = 1;
    chain->rate = r_rate;
    chain->div = q;
    if (report != NULL)
        *report = r;
    return GEX_OK;
}
