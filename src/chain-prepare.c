/* gex_chain_prepare: time to settlement, the implied volatility used and a status per contract
 * (SPEC 1.1 and 1.4). */
#include "gex/chain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain-internal.h"
#include "gex/bs.h"
#include "gex/time.h"
#include "sort-internal.h"
#include "error-internal.h"

/* SPEC 1.2: the documented defaults of the vendor API the seed article uses. */
#define PREPARE_DEFAULT_RATE 0.045
#define PREPARE_DEFAULT_DIV  0.013
/* SPEC 1.4: a file IV is used when it is a finite number in [GEX__FILE_IV_MIN, FILE_IV_MAX];
 * above it the value is a sentinel (CBOE's 2020 files carry 24.001 on far out-of-the-money
 * puts) or a percent the reader could not recognise, below it a placeholder (yfinance's
 * 1e-05), and the mid quote decides instead. */
#define FILE_IV_MAX 5.0

/* Whether a contract's own quote was there but gave no IV: the cases the other side of the
 * strike may answer (issue 14). A contract without a usable quote stays out. */
static int quote_gave_no_iv(uint8_t status)
{
    return status == GEX_CONTRACT_BELOW_INTRINSIC || status == GEX_CONTRACT_ABOVE_MAX ||
           status == GEX_CONTRACT_NOT_CONVERGED;
}

/* Contract positions in order of underlying, root, settlement, strike and type: the call and the
 * put of one strike side by side. The keys are read from the chain's arrays (ctx). */
static int cmp_side(const void *a, const void *b, void *ctx)
{
    return gex__chain_cmp_contracts(ctx, *(const uint32_t *)a, *(const uint32_t *)b, 1);
}

/* The IV from the other side (GEX_IV_SOURCE_PARITY): under Black-Scholes with one forward, the
 * call and the put of a strike have the same implied volatility (C - P = D (F - K) holds for
 * every sigma), so where one side's mid gives none and the other side has one, it is used.
 * Returns GEX_OK or GEX_ENOMEM. */
static int iv_from_other_side(gex_chain *chain, gex_prepare_report *r)
{
    const size_t n = chain->n;
    size_t candidates = 0;
    for (size_t i = 0; i < n; i++)
        candidates += quote_gave_no_iv(chain->status[i]);
    if (candidates == 0)
        return GEX_OK;
    if (n > UINT32_MAX) /* positions are 32-bit, as the sort's (sort-internal.h) */
        return GEX_ENOMEM;
    uint32_t *k = malloc(n * sizeof *k);
    if (k == NULL)
        return GEX_ENOMEM;
    for (size_t i = 0; i < n; i++)
        k[i] = (uint32_t)i;
    if (gex__sort_stable(k, n, sizeof *k, cmp_side, chain) != GEX_OK) {
        free(k);
        return GEX_ENOMEM;
    }
    const uint32_t *under = chain->underlying, *root = chain->root;
    const int64_t *settlement = chain->settlement;
    const double *strike = chain->strike;
    for (size_t j = 0; j + 1 < n; j++) {
        const uint32_t a = k[j], b = k[j + 1];
        if (chain->type[a] == chain->type[b] || under[a] != under[b] || root[a] != root[b] ||
            settlement[a] != settlement[b] || strike[a] != strike[b])
            continue;
        for (int side = 0; side < 2; side++) {
            const size_t to = side ? b : a, from = side ? a : b;
            if (!quote_gave_no_iv(chain->status[to]) || chain->status[from] != GEX_CONTRACT_OK ||
                (chain->iv_source[from] != GEX_IV_SOURCE_MID &&
                 chain->iv_source[from] != GEX_IV_SOURCE_FILE))
                continue;
            r->status[chain->status[to]]--;
            r->status[GEX_CONTRACT_OK]++;
            chain->status[to] = GEX_CONTRACT_OK;
            chain->iv[to] = chain->iv[from];
            chain->iv_source[to] = GEX_IV_SOURCE_PARITY;
            r->iv_from_parity++;
        }
    }
    free(k);
    return GEX_OK;
}

void gex_prepare_options_default(gex_prepare_options *o)
{
    memset(o, 0, sizeof *o);
    o->rate = PREPARE_DEFAULT_RATE;
    o->div = PREPARE_DEFAULT_DIV;
    o->iv_mode = GEX_IV_MODE_AUTO;
    o->carry = GEX_CARRY_FLAT;
}

static int file_iv_usable(double iv)
{
    return isfinite(iv) && iv >= GEX__FILE_IV_MIN && iv <= FILE_IV_MAX;
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
    const int64_t day = gex_time_eastern_date(now);
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

/* A spot far from the quotes' own under the parity carry (GEX_PARITY_SPOT_GAP_MAX): the fits
 * keep the quotes' forwards, so the spot does not move the greeks' forward; it only sets each
 * expiration's dividend yield (absurd over days) and the spot the exposures are stated at. A
 * what-if at another spot is the flat carry's. Appended to buf's warnings. */
static void spot_gap_warning(const gex_chain *chain, const gex__spot_gap *g, char *buf, size_t size)
{
    const size_t len = strlen(buf);
    char day[16];
    gex_time_format_date(gex_time_eastern_date(g->settlement), day, sizeof day);
    gex__snprintf_c(
        buf + len, size - len,
        "%sthe spot %.10g of %s is %.1f%% %s the forward %.6g its quotes imply for %s, "
        "more than carry explains: "
        "under --carry parity the greeks keep the quotes' forwards and such a spot only "
        "sets the dividend yield (q = %.0f%% a year there); for a what-if at another spot "
        "use --carry flat",
        len ? "; " : "", g->spot, gex_chain_symbol(chain, g->underlying), 100 * fabs(g->gap),
        g->gap > 0 ? "above" : "below", g->forward, day, 100 * g->div);
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
    if (gex_carry_mode_name(options->carry) == NULL)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "unknown carry mode %d",
                             (int)options->carry);
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
    r.carry = options->carry;
    /* SPEC 1.1: T = (settlement - quote instant) seconds / (365 x 86400), never floored. */
    for (size_t i = 0; i < v->n; i++) {
        T[i] = (double)(v->settlement[i] - now) / GEX_SECONDS_PER_YEAR;
        chain->r[i] = r_rate;
        chain->q[i] = q;
    }
    /* SPEC 1.2: with --carry parity each expiration's r and q are those its own quotes imply,
     * before the IVs are solved, so that the IV, the greeks and the exposures share them. */
    gex__spot_gap gap = {0, 0, 0, 0, 0, 0, 0};
    if (options->carry == GEX_CARRY_PARITY &&
        gex__chain_parity_carry(chain, r_rate, q, &r.carry_fitted, &r.carry_flat, &gap) != GEX_OK)
        return gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory");
    const double *cr = chain->r, *cq = chain->q;
    for (size_t i = 0; i < v->n; i++) {
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
                                               v->strike[i], T[i], cr[i], cq[i], &sigma);
            st = status_of_iv(ivs);
            if (st == GEX_CONTRACT_BELOW_INTRINSIC &&
                above_intrinsic(v->type[i], v->bid[i], v->ask[i], v->spot[i], v->strike[i], T[i],
                                cr[i], cq[i]))
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
    if (options->iv_mode != GEX_IV_MODE_FILE) {
        const int st = iv_from_other_side(chain, &r);
        if (st != GEX_OK)
            return gex_error_set(err, st, NULL, 0, 0, "out of memory");
    }
    /* with every expiration fitted the rates given only hold D of the expirations under
     * GEX_PARITY_MIN_T_FOR_RATE, where e^{-rT} is 1 to the quotes' noise: no stale-rate warning */
    if (options->carry != GEX_CARRY_PARITY || r.carry_flat > 0)
        carry_warning(options, now, r.warning, sizeof r.warning);
    if (r.carry_flat > 0) {
        const size_t len = strlen(r.warning);
        gex__snprintf_c(
            r.warning + len, sizeof r.warning - len,
            "%s%zu of %zu expirations keep the flat carry r = %g, q = %g (--carry parity: "
            "fewer than %d strikes quoted on both sides, or quotes that break parity)",
            len ? "; " : "", r.carry_flat, r.carry_flat + r.carry_fitted, r_rate, q,
            GEX_PARITY_MIN_PAIRS);
    }
    if (gap.found)
        spot_gap_warning(chain, &gap, r.warning, sizeof r.warning);
    chain->prepared = 1;
    chain->rate = r_rate;
    chain->div = q;
    chain->carry = options->carry;
    if (report != NULL)
        *report = r;
    return GEX_OK;
}
