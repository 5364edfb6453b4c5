/*
 * api-zero-dte.c: GET /v1/exposure/zero-dte/{symbol} (SPEC 5.2): the same-day expiration of one
 * analysis, in the vendor's shape: regime against its own flip, exposures, expected move, pin
 * risk, dealer hedging at four move sizes, decay, volatility context, flow, levels, liquidity,
 * metadata and per-strike rows near the spot; the vendor's no_zero_dte answer when the file has
 * no contract expiring on the quote date. The 0DTE part is a second exposure of the same
 * prepared chain restricted to that expiration (gex_exposure_compute), so every number comes
 * from the library's greeks; scores whose formula the vendor does not publish are gex's own
 * and named in meta.gex_own.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api-exposure.h"

/* The vendor's window of strikes[] around the spot, and its bounds (API reference). */
#define ZDTE_RANGE_DEFAULT 0.03
#define ZDTE_RANGE_MIN     0.001
#define ZDTE_RANGE_MAX     0.10
/* A regular session, 09:30 to 16:00 New York: 6.5 hours. */
#define SESSION_OPEN_S  (9 * 3600 + 1800)
#define SESSION_CLOSE_S (16 * 3600)
/* Warnings near the close (the vendor: under 5 minutes). */
#define CLOSE_WARNING_S 300
/* flow.atm_volume_share_pct: strikes within 0.5% of the spot (the vendor's definition). */
#define ATM_BAND 0.005
/* greek_smoothness_score: a mean jump of 5 vol points between neighbouring strikes scores 0. */
#define SMOOTHNESS_SCALE_VOL_PTS 5.0
/* execution_score: each point of OI-weighted spread in percent of mid costs 10 points. */
#define EXECUTION_SPREAD_PENALTY 10.0

static double round_score(double v)
{
    if (!isfinite(v))
        return GEX__NO_VALUE;
    return nearbyint(fmin(100.0, fmax(0.0, v)));
}

/* The contracts of one strike of the target expiration: the call and the put that entered the
 * exposure (the one of larger open interest when several roots share the strike). */
typedef struct zstrike {
    const gex_strike_row *row;
    long call, put; /* contract index in the chain view, -1 when none */
} zstrike;

typedef struct zctx {
    const gex__analysis *a;
    gex_chain_view v;
    gex_exposure *ex; /* the target expiration alone */
    gex_contract_exposures ce;
    gex_exposure_totals t;
    const gex_strike_row *rows;
    size_t n;
    zstrike *z;
    int32_t expiry, quote_date;
    double S;
    double hours_to_close, pct_elapsed;
    int market_open;
    long seconds_to_close;
} zctx;

static double mid_of(const gex_chain_view *v, long i)
{
    if (i < 0)
        return GEX__NO_VALUE;
    const double b = v->bid[i], k = v->ask[i];
    if (!isfinite(b) || !isfinite(k) || b < 0 || k < b || k <= 0)
        return GEX__NO_VALUE;
    return 0.5 * (b + k);
}

static double spread_pct(const gex_chain_view *v, long i)
{
    const double m = mid_of(v, i);
    return isfinite(m) && m > 0 ? (v->ask[i] - v->bid[i]) / m * 100.0 : GEX__NO_VALUE;
}

static double iv_of(const zctx *c, long i)
{
    return i >= 0 && c->v.status[i] == GEX_CONTRACT_OK ? c->v.iv[i] : GEX__NO_VALUE;
}

/* The mean of the finite ones of two values, GEX__NO_VALUE when neither is. */
static double mean2(double x, double y)
{
    if (isfinite(x) && isfinite(y))
        return 0.5 * (x + y);
    return isfinite(x) ? x : y;
}

/* Index of the row nearest the spot (the lower on a tie), or n when there is none. */
static size_t nearest_row(const gex_strike_row *rows, size_t n, double S)
{
    size_t best = n;
    for (size_t k = 0; k < n; k++)
        if (best == n || fabs(rows[k].strike - S) < fabs(rows[best].strike - S))
            best = k;
    return best;
}

/* ATM IV and gamma (per share) of expiration day in the analysis's own exposure: the mean of
 * the call's and the put's at the used strike nearest the spot. */
static void atm_of_expiry(const zctx *c, int32_t day, double *iv, double *gamma)
{
    gex_contract_exposures all;
    gex_exposure_get_contracts(c->a->exposure, &all);
    double best = INFINITY;
    *iv = *gamma = GEX__NO_VALUE;
    for (size_t i = 0; i < c->v.n; i++)
        if (all.included[i] && c->v.expiration[i] == day && fabs(c->v.strike[i] - c->S) < best)
            best = fabs(c->v.strike[i] - c->S);
    if (!isfinite(best))
        return;
    double s_iv = 0, s_g = 0;
    int m = 0;
    for (size_t i = 0; i < c->v.n; i++) {
        if (all.included[i] && c->v.expiration[i] == day && fabs(c->v.strike[i] - c->S) == best) {
            s_iv += c->v.iv[i];
            s_g += all.gamma[i];
            m++;
        }
    }
    *iv = s_iv / m;
    *gamma = s_g / m;
}

/* The session clock of the quote instant (New York): open, time to the close and the share of
 * the session elapsed. Weekends count as closed; exchange holidays are not known to gex. */
static void session_clock(zctx *c)
{
    const int64_t t = c->a->as_of;
    const int64_t open = gex_time_eastern_to_utc(c->quote_date, SESSION_OPEN_S);
    const int64_t close = gex_time_eastern_to_utc(c->quote_date, SESSION_CLOSE_S);
    const int wd = gex_time_weekday(c->quote_date);
    const int weekday = wd >= 1 && wd <= 5;
    c->market_open = weekday && t >= open && t < close;
    c->seconds_to_close = c->market_open ? (long)(close - t) : 0;
    c->hours_to_close = (double)c->seconds_to_close / 3600.0;
    double f = (double)(t - open) / (double)(close - open);
    if (!weekday)
        f = 1.0;
    c->pct_elapsed = 100.0 * fmin(1.0, fmax(0.0, f));
}

static int zctx_init(zctx *c, const gex__analysis *a, int32_t expiry)
{
    memset(c, 0, sizeof *c);
    c->a = a;
    c->expiry = expiry;
    c->S = a->spot;
    gex_chain_get_view(a->chain, &c->v);
    c->quote_date = gex_exposure_quote_date(a->exposure);
    gex_exposure_options o = *gex_exposure_get_options(a->exposure);
    o.expirations = &c->expiry;
    o.n_expirations = 1;
    o.zero_dte = 0;
    o.exclude_expirations = NULL;
    o.n_exclude_expirations = 0;
    o.exclude_zero_dte = 0;
    int rc = gex_exposure_compute(a->chain, &o, &c->ex);
    if (rc != GEX_OK)
        return rc;
    gex_exposure_get_contracts(c->ex, &c->ce);
    gex_exposure_get_totals(c->ex, &c->t);
    c->rows = gex_exposure_strikes(c->ex);
    c->n = gex_exposure_strike_count(c->ex);
    c->z = calloc(c->n > 0 ? c->n : 1, sizeof *c->z);
    if (c->z == NULL)
        return GEX_ENOMEM;
    for (size_t k = 0; k < c->n; k++)
        c->z[k] = (zstrike){&c->rows[k], -1, -1};
    for (size_t i = 0; i < c->v.n; i++) {
        if (!c->ce.included[i])
            continue;
        /* rows ascend by strike: binary search */
        size_t lo = 0, hi = c->n;
        while (lo < hi) {
            const size_t mid = lo + (hi - lo) / 2;
            if (c->rows[mid].strike < c->v.strike[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == c->n || c->rows[lo].strike != c->v.strike[i])
            continue;
        long *slot = c->v.type[i] == GEX_PUT ? &c->z[lo].put : &c->z[lo].call;
        if (*slot < 0 || c->v.open_interest[i] > c->v.open_interest[*slot])
            *slot = (long)i;
    }
    session_clock(c);
    return GEX_OK;
}

static void zctx_free(zctx *c)
{
    gex_exposure_free(c->ex);
    free(c->z);
}

static int parse_day(const char *s, int32_t *day)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return GEX_EPARSE;
    for (int k = 0; k < 10; k++)
        if (k != 4 && k != 7 && (s[k] < '0' || s[k] > '9'))
            return GEX_EPARSE;
    return gex_time_parse_date(s, 10, day);
}

/* The hedging bucket of the vendor: shares, direction, notional. */
static json_t *hedge_json(const gex_hedge *h)
{
    json_t *o = json_object();
    int rc = gex__jset(o, "dealer_shares_to_trade", gex__jnum(h->shares));
    rc |= gex__jset(o, "direction", gex__jstr(h->direction));
    rc |= gex__jset(o, "notional_usd", gex__jnum(h->notional_usd));
    if (rc != GEX_OK) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* "SPY-260319-C-590": the vendor's contract key. */
static void contract_key(const char *sym, int32_t day, int put, double strike, char *buf,
                         size_t size)
{
    int y, m, d;
    gex_time_civil_from_days(day, &y, &m, &d);
    char k[40];
    gex__fmt_roundtrip(strike, k, sizeof k);
    snprintf(buf, size, "%s-%02d%02d%02d-%c-%s", sym, y % 100, m, d, put ? 'P' : 'C', k);
}

/* Everything the document needs, computed once. */
typedef struct zfig {
    gex_levels lv;
    gex_regime regime;
    size_t atm; /* row nearest the spot, n when none */
    double atm_iv, atm_T, atm_gamma, straddle;
    double implied_1sd, remaining_1sd;
    double gross_abs_net; /* sum |net_gex| over rows */
    double oi_total, vol_total, call_vol, put_vol, call_oi, put_oi;
    double top3_oi_pct, top3_vol_pct, atm_vol_pct;
    double max_pain;
    size_t magnet; /* row of the largest |net_gex|, n when none */
    double net_theta;
    double iv7, gamma7;
    double skew_25d;
} zfig;

/* The sum of the k largest of n values (k <= 3). */
static double top3_sum(const double *x, size_t n)
{
    double t[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        for (int j = 0; j < 3; j++) {
            if (v > t[j]) {
                const double s = t[j];
                t[j] = v;
                v = s;
            }
        }
    }
    return t[0] + t[1] + t[2];
}

static int figures(const zctx *c, zfig *f)
{
    memset(f, 0, sizeof *f);
    int rc = gex_levels_from_rows(c->rows, c->n, c->S, &f->lv);
    if (rc != GEX_OK)
        return rc;
    gex_regime_classify(c->S, c->t.net_gex, c->t.net_vex, &f->lv.gamma_flip, &f->regime);
    f->atm = nearest_row(c->rows, c->n, c->S);
    f->atm_iv = f->atm_T = f->atm_gamma = f->straddle = GEX__NO_VALUE;
    if (f->atm < c->n) {
        const zstrike *z = &c->z[f->atm];
        f->atm_iv = mean2(iv_of(c, z->call), iv_of(c, z->put));
        f->atm_T = mean2(z->call >= 0 ? c->v.T[z->call] : GEX__NO_VALUE,
                         z->put >= 0 ? c->v.T[z->put] : GEX__NO_VALUE);
        f->atm_gamma = mean2(z->call >= 0 ? c->ce.gamma[z->call] : GEX__NO_VALUE,
                             z->put >= 0 ? c->ce.gamma[z->put] : GEX__NO_VALUE);
        f->straddle = mid_of(&c->v, z->call) + mid_of(&c->v, z->put);
    }
    /* SPEC 5.2: one session is 6.5 hours of the library's calendar-time T (SPEC 1.1); what
     * remains is the ATM contract's own T to its settlement. */
    const double session_T = 6.5 / (24.0 * 365.0);
    f->implied_1sd = c->S * f->atm_iv * sqrt(session_T);
    f->remaining_1sd =
        isfinite(f->atm_T) ? c->S * f->atm_iv * sqrt(fmax(0.0, f->atm_T)) : GEX__NO_VALUE;

    double *oi = malloc((2 * c->n + 1) * sizeof *oi);
    if (oi == NULL)
        return GEX_ENOMEM;
    double *vol = oi + c->n;
    f->magnet = c->n;
    double atm_vol = 0;
    for (size_t k = 0; k < c->n; k++) {
        const gex_strike_row *r = &c->rows[k];
        oi[k] = r->call_oi + r->put_oi;
        vol[k] = r->call_volume + r->put_volume;
        f->oi_total += oi[k];
        f->vol_total += vol[k];
        f->call_vol += r->call_volume;
        f->put_vol += r->put_volume;
        f->call_oi += r->call_oi;
        f->put_oi += r->put_oi;
        f->gross_abs_net += fabs(r->net_gex);
        if (fabs(r->strike - c->S) <= ATM_BAND * c->S)
            atm_vol += vol[k];
        if (fabs(r->net_gex) > 0 &&
            (f->magnet == c->n || fabs(r->net_gex) > fabs(c->rows[f->magnet].net_gex)))
            f->magnet = k;
    }
    f->top3_oi_pct = f->oi_total > 0 ? 100.0 * top3_sum(oi, c->n) / f->oi_total : GEX__NO_VALUE;
    f->top3_vol_pct = f->vol_total > 0 ? 100.0 * top3_sum(vol, c->n) / f->vol_total : GEX__NO_VALUE;
    f->atm_vol_pct = f->vol_total > 0 ? 100.0 * atm_vol / f->vol_total : GEX__NO_VALUE;
    free(oi);
    f->max_pain = gex__max_pain(c->rows, c->n);

    /* Theta of the dealer book (long calls, short puts), USD per calendar day (SPEC 1.3's theta
     * per year / 365), over the used contracts of the expiration. */
    for (size_t i = 0; i < c->v.n; i++) {
        if (!c->ce.included[i])
            continue;
        gex_greeks g;
        if (gex_bs_greeks(c->v.type[i], c->S, c->v.strike[i], c->v.T[i], c->v.iv[i], c->v.r[i],
                          c->v.q[i], &g) != GEX_BS_OK)
            continue;
        const double s = c->v.type[i] == GEX_PUT ? -1.0 : 1.0;
        f->net_theta += s * g.theta / 365.0 * c->v.open_interest[i] * c->v.multiplier[i];
    }

    /* The expiration nearest 7 days out, other than the target, for the term comparisons. */
    f->iv7 = f->gamma7 = GEX__NO_VALUE;
    const size_t ne = gex_exposure_expiry_count(c->a->exposure);
    long best = -1;
    for (size_t k = 0; k < ne; k++) {
        const int32_t d = gex_exposure_expiry_date(c->a->exposure, k);
        if (d == c->expiry)
            continue;
        if (best < 0 || labs((long)d - c->quote_date - 7) <
                            labs((long)gex_exposure_expiry_date(c->a->exposure, (size_t)best) -
                                 c->quote_date - 7))
            best = (long)k;
    }
    if (best >= 0)
        atm_of_expiry(c, gex_exposure_expiry_date(c->a->exposure, (size_t)best), &f->iv7,
                      &f->gamma7);

    /* 25-delta risk reversal: IV of the put whose delta is nearest -0.25 minus that of the call
     * nearest +0.25, each within 0.20 of it (the vendor's rule), in vol points. */
    long p25 = -1, c25 = -1;
    for (size_t i = 0; i < c->v.n; i++) {
        if (!c->ce.included[i])
            continue;
        const double d = c->ce.delta[i];
        if (c->v.type[i] == GEX_PUT && fabs(d + 0.25) <= 0.20 &&
            (p25 < 0 || fabs(d + 0.25) < fabs(c->ce.delta[p25] + 0.25)))
            p25 = (long)i;
        if (c->v.type[i] != GEX_PUT && fabs(d - 0.25) <= 0.20 &&
            (c25 < 0 || fabs(d - 0.25) < fabs(c->ce.delta[c25] - 0.25)))
            c25 = (long)i;
    }
    f->skew_25d = p25 >= 0 && c25 >= 0 ? 100.0 * (c->v.iv[p25] - c->v.iv[c25]) : GEX__NO_VALUE;
    return GEX_OK;
}

static double pct_or_null(double part, double whole)
{
    return whole > 0 ? 100.0 * part / whole : GEX__NO_VALUE;
}

static double ratio_or_null(double num, double den)
{
    return den > 0 ? num / den : GEX__NO_VALUE;
}

static json_t *regime_block(const zctx *c, const zfig *f)
{
    json_t *o = json_object();
    const gex_level *fl = &f->lv.gamma_flip;
    /* The label is the vendor's rule (spot against the flip, SPEC 1.7); the description reads
     * the sign of net GEX at spot. They disagree where the profile falls through the flip (it is
     * positive below it and negative above, or the reverse beyond it): then it says so, rather
     * than put "long gamma" beside "short gamma". */
    const char *label = f->regime.vendor_regime;
    const int above = strcmp(label, "positive_gamma") == 0,
              below = strcmp(label, "negative_gamma") == 0;
    char desc[512];
    if ((above && c->t.net_gex < 0) || (below && c->t.net_gex > 0))
        snprintf(desc, sizeof desc,
                 "%s. The label is the vendor's rule, spot %s the gamma flip; net GEX at spot, "
                 "summed over every strike, is %s here",
                 gex__interpret_gamma(c->t.net_gex), above ? "above" : "below",
                 c->t.net_gex < 0 ? "negative" : "positive");
    else
        snprintf(desc, sizeof desc, "%s", gex__interpret_gamma(c->t.net_gex));
    int rc = gex__jset(o, "label", gex__jstr(label));
    rc |= gex__jset(o, "description", gex__jstr(desc));
    rc |= gex__jset(o, "gamma_flip", gex__jlevel(fl));
    rc |= gex__jset(o, "spot_vs_flip",
                    fl->has ? gex__jstr(c->S >= fl->value ? "above" : "below") : json_null());
    rc |= gex__jset(o, "spot_to_flip_pct", gex__jlevel(&f->regime.dist_to_flip));
    rc |= gex__jset(o, "distance_to_flip_dollars",
                    fl->has ? gex__jnum(fabs(c->S - fl->value)) : json_null());
    const double sigma = f->remaining_1sd > 0 ? f->remaining_1sd : f->implied_1sd;
    rc |= gex__jset(
        o, "distance_to_flip_sigmas",
        gex__jnum_or_null(fl->has && sigma > 0 ? fabs(c->S - fl->value) / sigma : GEX__NO_VALUE));
    return rc == GEX_OK ? o : (json_decref(o), NULL);
}

static json_t *exposures_block(const zctx *c)
{
    gex_exposure_totals all = c->a->totals;
    json_t *o = json_object();
    int rc = gex__jset(o, "net_gex", gex__jnum(c->t.net_gex));
    rc |= gex__jset(o, "net_dex", gex__jnum(c->t.net_dex));
    rc |= gex__jset(o, "net_vex", gex__jnum(c->t.net_vex));
    rc |= gex__jset(o, "net_chex", gex__jnum(c->t.net_chex));
    /* SPEC 1.7's share: of the gross GEX */
    rc |= gex__jset(o, "pct_of_total_gex",
                    gex__jnum_or_null(pct_or_null(c->t.gross_gex, all.gross_gex)));
    rc |= gex__jset(o, "total_chain_net_gex", gex__jnum(all.net_gex));
    return rc == GEX_OK ? o : (json_decref(o), NULL);
}

static json_t *expected_move_block(const zctx *c, const zfig *f)
{
    json_t *o = json_object();
    int rc = gex__jset(o, "implied_1sd_dollars", gex__jnum_or_null(f->implied_1sd));
    rc |= gex__jset(o, "implied_1sd_pct", gex__jnum_or_null(f->implied_1sd / c->S * 100.0));
    rc |= gex__jset(o, "remaining_1sd_dollars", gex__jnum_or_null(f->remaining_1sd));
    rc |= gex__jset(o, "remaining_1sd_pct", gex__jnum_or_null(f->remaining_1sd / c->S * 100.0));
    rc |= gex__jset(o, "upper_bound", gex__jnum_or_null(c->S + f->remaining_1sd));
    rc |= gex__jset(o, "lower_bound", gex__jnum_or_null(c->S - f->remaining_1sd));
    rc |= gex__jset(o, "straddle_price", gex__jnum_or_null(f->straddle));
    rc |= gex__jset(o, "atm_iv", gex__jnum_or_null(f->atm_iv));
    return rc == GEX_OK ? o : (json_decref(o), NULL);
}

/* Pin risk (gex's own sub-scores, the vendor's published weights 30/25/25/20). */
static json_t *pin_block(const zctx *c, const zfig *f)
{
    const int has = f->magnet < c->n;
    const double K = has ? c->rows[f->magnet].strike : GEX__NO_VALUE;
    const double g = has ? c->rows[f->magnet].net_gex : GEX__NO_VALUE;
    const double sigma = f->remaining_1sd > 0 ? f->remaining_1sd : f->implied_1sd;
    const double oi_s = round_score(f->top3_oi_pct);
    double prox = GEX__NO_VALUE;
    if (has && isfinite(sigma))
        prox = sigma > 0 ? 100.0 * (1.0 - fabs(c->S - K) / sigma) : (c->S == K ? 100.0 : 0.0);
    const double prox_s = round_score(prox);
    const double time_s = round_score(c->pct_elapsed);
    const double gamma_s =
        round_score(has ? pct_or_null(fabs(g), f->gross_abs_net) : GEX__NO_VALUE);
    double pin = GEX__NO_VALUE;
    if (isfinite(oi_s) && isfinite(prox_s) && isfinite(gamma_s))
        pin = round_score(0.30 * oi_s + 0.25 * prox_s + 0.25 * time_s + 0.20 * gamma_s);
    json_t *o = json_object();
    int rc = gex__jset(o, "magnet_strike", gex__jnum_or_null(K));
    rc |= gex__jset(o, "magnet_gex", gex__jnum_or_null(g));
    rc |= gex__jset(o, "distance_to_magnet_pct", gex__jnum_or_null((K - c->S) / c->S * 100.0));
    rc |= gex__jset(o, "pin_score", gex__jnum_or_null(pin));
    json_t *cm = json_object();
    rc |= gex__jset(cm, "oi_score", gex__jnum_or_null(oi_s));
    rc |= gex__jset(cm, "proximity_score", gex__jnum_or_null(prox_s));
    rc |= gex__jset(cm, "time_score", gex__jnum_or_null(time_s));
    rc |= gex__jset(cm, "gamma_score", gex__jnum_or_null(gamma_s));
    rc |= gex__jset(o, "components", cm);
    rc |= gex__jset(o, "max_pain", gex__jnum_or_null(f->max_pain));
    rc |= gex__jset(o, "oi_concentration_top3_pct", gex__jnum_or_null(f->top3_oi_pct));
    char text[256], k[40];
    if (has && isfinite(pin)) {
        gex__fmt_roundtrip(K, k, sizeof k);
        snprintf(text, sizeof text,
                 "%s pin at %s: %.0f/100 pin score with %.0f%% of open interest in the top 3 "
                 "strikes.",
                 pin >= 70   ? "Strong"
                 : pin >= 40 ? "Moderate"
                             : "Weak",
                 k, pin, isfinite(f->top3_oi_pct) ? f->top3_oi_pct : 0.0);
    } else {
        snprintf(text, sizeof text, "No pin: no strike of the expiration has net gamma.");
    }
    rc |= gex__jset(o, "description", gex__jstr(text));
    return rc == GEX_OK ? o : (json_decref(o), NULL);
}

static json_t *hedging_block(const zctx *c, const zfig *f, int *st)
{
    static const double moves[4] = {0.001, 0.0025, 0.005, 0.01};
    static const char *const names[4][2] = {{"spot_up_10bp", "spot_down_10bp"},
                                            {"spot_up_25bp", "spot_down_25bp"},
                                            {"spot_up_half_pct", "spot_down_half_pct"},
                                            {"spot_up_1pct", "spot_down_1pct"}};
    json_t *o = json_object();
    int rc = o == NULL ? GEX_ENOMEM : GEX_OK;
    for (int m = 0; m < 4 && rc == GEX_OK; m++) {
        gex_hedge down, up;
        const int hs = gex_hedging_move(c->ex, moves[m], &down, &up);
        if (hs != GEX_OK) {
            *st = hs;
            json_decref(o);
            return NULL;
        }
        rc |= gex__jset(o, names[m][0], hedge_json(&up));
        rc |= gex__jset(o, names[m][1], hedge_json(&down));
    }
    /* Second difference of net GEX over the three strikes around the one nearest the spot,
     * unequal spacing: 2 [(g3 - g2)/(k3 - k2) - (g2 - g1)/(k2 - k1)] / (k3 - k1), GEX per $^2. */
    double conv = GEX__NO_VALUE;
    if (c->n >= 3 && f->atm < c->n) {
        const size_t m = f->atm == 0 ? 1 : f->atm == c->n - 1 ? c->n - 2 : f->atm;
        const gex_strike_row *r1 = &c->rows[m - 1], *r2 = &c->rows[m], *r3 = &c->rows[m + 1];
        conv = 2.0 *
               ((r3->net_gex - r2->net_gex) / (r3->strike - r2->strike) -
                (r2->net_gex - r1->net_gex) / (r2->strike - r1->strike)) /
               (r3->strike - r1->strike);
    }
    rc |= gex__jset(o, "convexity_at_spot", gex__jnum_or_null(conv));
    if (rc != GEX_OK) {
        json_decref(o);
        *st = GEX_ENOMEM;
        return NULL;
    }
    return o;
}

/* Why theta_per_hour_remaining is null, or NULL when it is not. It is the day's theta spread
 * over the session's remaining hours: what E's contracts decay by before they settle at the
 * close, so only for an E that settles on the quote date. A later E's theta per day is paid
 * over calendar days to its own settlement, not over this session's hours. */
static const char *per_hour_null(const zctx *c)
{
    if (c->expiry > c->quote_date)
        return "the expiration settles after the quote date: its theta per day is not paid in "
               "the session's remaining hours (net_theta_dollars is its theta per day)";
    if (!(c->hours_to_close > 0))
        return "the session is closed: no hours remain";
    return NULL;
}

static json_t *decay_block(const zctx *c, const zfig *f)
{
    json_t *o = json_object();
    const int settles_today = c->expiry <= c->quote_date;
    const double per_hour =
        per_hour_null(c) == NULL ? f->net_theta / c->hours_to_close : GEX__NO_VALUE;
    const double accel = f->gamma7 > 0 ? f->atm_gamma / f->gamma7 : GEX__NO_VALUE;
    int rc = gex__jset(o, "net_theta_dollars", gex__jnum(f->net_theta));
    rc |= gex__jset(o, "theta_per_hour_remaining", gex__jnum_or_null(per_hour));
    rc |= gex__jset(o, "charm_regime",
                    gex__jstr(c->t.net_chex > 0   ? "time_decay_dealers_sell"
                              : c->t.net_chex < 0 ? "time_decay_dealers_buy"
                                                  : "neutral"));
    rc |= gex__jset(o, "charm_description", gex__jstr(gex__interpret_charm(c->t.net_chex)));
    rc |= gex__jset(o, "gamma_acceleration", gex__jnum_or_null(accel));
    char text[256], th[GEX__GROUPED_SIZE];
    gex__fmt_grouped(isfinite(per_hour) ? per_hour : f->net_theta, 0, th, sizeof th);
    const char *per = isfinite(per_hour) ? "per hour to the close"
                      : settles_today    ? "per day (session closed)"
                                         : "per day (the expiration settles after today)";
    char ax[GEX__SHORT_SIZE];
    if (isfinite(accel))
        gex__fmt_short(accel, 1, ax, sizeof ax); /* no bound: the next week's gamma may be tiny */
    if (isfinite(accel))
        snprintf(text, sizeof text, "Dealer theta %s %s %s. ATM gamma %sx the next week's.", th,
                 c->a->currency, per, ax);
    else
        snprintf(text, sizeof text, "Dealer theta %s %s %s.", th, c->a->currency, per);
    rc |= gex__jset(o, "description", gex__jstr(text));
    return rc == GEX_OK ? o : (json_decref(o), NULL);
}

static json_t *vol_block(const zctx *c, const zfig *f, const gex__api_vix *vix)
{
    json_t *o = json_object();
    const double iv0 = f->atm_iv * 100.0, iv7 = f->iv7 * 100.0;
    int rc = gex__jset(o, "zero_dte_atm_iv", gex__jnum_or_null(iv0));
    rc |= gex__jset(o, "seven_dte_atm_iv", gex__jnum_or_null(iv7));
    rc |=
        gex__jset(o, "iv_ratio_0dte_7dte", gex__jnum_or_null(iv7 > 0 ? iv0 / iv7 : GEX__NO_VALUE));
    /* CBOE's VIX method on the folder's SPX file of the day (SPEC 1.9), null without one */
    rc |= gex__jset(o, "vix", gex__jnum_or_null(gex__api_vix_level(vix, c->a, 1)));
    rc |= gex__jset(o, "skew_25d", gex__jnum_or_null(f->skew_25d));
    rc |= gex__jset(o, "vanna_exposure", gex__jnum(c->t.net_vex));
    rc |= gex__jset(o, "vanna_interpretation",
                    gex__jstr(c->t.net_vex > 0   ? "vol_up_dealers_sell"
                              : c->t.net_vex < 0 ? "vol_up_dealers_buy"
                                                 : "neutral"));
    char text[256];
    if (isfinite(iv0) && isfinite(iv7))
        snprintf(text, sizeof text, "ATM IV %.1f%% against %.1f%% a week out. %s.", iv0, iv7,
                 gex__interpret_vanna(c->t.net_vex));
    else if (isfinite(iv0))
        snprintf(text, sizeof text, "ATM IV %.1f%%. %s.", iv0, gex__interpret_vanna(c->t.net_vex));
    else
        snprintf(text, sizeof text, "%s.", gex__interpret_vanna(c->t.net_vex));
    rc |= gex__jset(o, "description", gex__jstr(text));
    return rc == GEX_OK ? o : (json_decref(o), NULL);
}

static json_t *flow_block(const zfig *f)
{
    json_t *o = json_object();
    int rc = gex__jset(o, "total_volume", gex__jnum(f->vol_total));
    rc |= gex__jset(o, "call_volume", gex__jnum(f->call_vol));
    rc |= gex__jset(o, "put_volume", gex__jnum(f->put_vol));
    rc |= gex__jset(o, "net_call_minus_put_volume", gex__jnum(f->call_vol - f->put_vol));
    rc |= gex__jset(o, "total_oi", gex__jnum(f->oi_total));
    rc |= gex__jset(o, "call_oi", gex__jnum(f->call_oi));
    rc |= gex__jset(o, "put_oi", gex__jnum(f->put_oi));
    rc |=
        gex__jset(o, "pc_ratio_volume", gex__jnum_or_null(ratio_or_null(f->put_vol, f->call_vol)));
    rc |= gex__jset(o, "pc_ratio_oi", gex__jnum_or_null(ratio_or_null(f->put_oi, f->call_oi)));
    rc |= gex__jset(o, "volume_to_oi_ratio",
                    gex__jnum_or_null(ratio_or_null(f->vol_total, f->oi_total)));
    rc |= gex__jset(o, "atm_volume_share_pct", gex__jnum_or_null(f->atm_vol_pct));
    rc |= gex__jset(o, "top3_strike_volume_pct", gex__jnum_or_null(f->top3_vol_pct));
    return rc == GEX_OK ? o : (json_decref(o), NULL);
}

/* The row of a level's strike, or NULL. */
static const gex_strike_row *row_at(const zctx *c, const gex_level *l)
{
    for (size_t k = 0; l->has && k < c->n; k++)
        if (c->rows[k].strike == l->value)
            return &c->rows[k];
    return NULL;
}

static json_t *levels_block(const zctx *c, const zfig *f)
{
    const gex_strike_row *cw = row_at(c, &f->lv.call_wall), *pw = row_at(c, &f->lv.put_wall);
    const gex_strike_row *hi = row_at(c, &f->lv.highest_oi_strike);
    double call_side = 0, put_side = 0;
    for (size_t k = 0; k < c->n; k++) {
        call_side += fabs(c->rows[k].call_gex);
        put_side += fabs(c->rows[k].put_gex);
    }
    /* level_cluster_score (gex's own): 100 (1 - spread of the levels that exist / 2 sigma of
     * the session), where the levels are flip, magnet, max pain, highest OI and the walls. */
    const double pts[6] = {
        f->lv.gamma_flip.has ? f->lv.gamma_flip.value : GEX__NO_VALUE,
        f->magnet < c->n ? c->rows[f->magnet].strike : GEX__NO_VALUE,
        f->max_pain,
        f->lv.highest_oi_strike.has ? f->lv.highest_oi_strike.value : GEX__NO_VALUE,
        f->lv.call_wall.has ? f->lv.call_wall.value : GEX__NO_VALUE,
        f->lv.put_wall.has ? f->lv.put_wall.value : GEX__NO_VALUE,
    };
    double lo = INFINITY, hi_v = -INFINITY;
    int m = 0;
    for (int k = 0; k < 6; k++) {
        if (isfinite(pts[k])) {
            lo = fmin(lo, pts[k]);
            hi_v = fmax(hi_v, pts[k]);
            m++;
        }
    }
    const double cluster = m >= 2 && f->implied_1sd > 0
                               ? round_score(100.0 * (1.0 - (hi_v - lo) / (2.0 * f->implied_1sd)))
                               : GEX__NO_VALUE;
    json_t *o = json_object();
    int rc = gex__jset(o, "call_wall", gex__jlevel(&f->lv.call_wall));
    rc |= gex__jset(o, "call_wall_gex", cw ? gex__jnum(cw->call_gex) : json_null());
    rc |= gex__jset(o, "call_wall_strength",
                    cw && call_side > 0 ? gex__jnum(fabs(cw->call_gex) / call_side) : json_null());
    rc |= gex__jset(o, "distance_to_call_wall_pct",
                    cw ? gex__jnum((cw->strike - c->S) / c->S * 100.0) : json_null());
    rc |= gex__jset(o, "put_wall", gex__jlevel(&f->lv.put_wall));
    rc |= gex__jset(o, "put_wall_gex", pw ? gex__jnum(pw->put_gex) : json_null());
    rc |= gex__jset(o, "put_wall_strength",
                    pw && put_side > 0 ? gex__jnum(fabs(pw->put_gex) / put_side) : json_null());
    rc |= gex__jset(o, "distance_to_put_wall_pct",
                    pw ? gex__jnum((pw->strike - c->S) / c->S * 100.0) : json_null());
    rc |= gex__jset(o, "distance_to_magnet_dollars",
                    f->magnet < c->n ? gex__jnum(fabs(c->rows[f->magnet].strike - c->S))
                                     : json_null());
    rc |= gex__jset(o, "highest_oi_strike", gex__jlevel(&f->lv.highest_oi_strike));
    rc |= gex__jset(o, "highest_oi_total", hi ? gex__jnum(hi->call_oi + hi->put_oi) : json_null());
    rc |= gex__jset(o, "max_positive_gamma", gex__jlevel(&f->lv.max_positive_gamma));
    rc |= gex__jset(o, "max_negative_gamma", gex__jlevel(&f->lv.max_negative_gamma));
    rc |= gex__jset(o, "level_cluster_score", gex__jnum_or_null(cluster));
    return rc == GEX_OK ? o : (json_decref(o), NULL);
}

static json_t *liquidity_block(const zctx *c, const zfig *f, double range)
{
    /* atm_spread_pct: the strike nearest the spot with a quote on at least one side */
    double atm_spread = GEX__NO_VALUE, best = INFINITY, atm_oi = 0, max_oi = 0;
    for (size_t k = 0; k < c->n; k++) {
        const double s = mean2(spread_pct(&c->v, c->z[k].call), spread_pct(&c->v, c->z[k].put));
        const double d = fabs(c->rows[k].strike - c->S);
        if (isfinite(s) && d < best) {
            best = d;
            atm_spread = s;
        }
        max_oi = fmax(max_oi, c->rows[k].call_oi + c->rows[k].put_oi);
    }
    if (f->atm < c->n)
        atm_oi = c->rows[f->atm].call_oi + c->rows[f->atm].put_oi;
    /* weighted_spread_pct: OI-weighted over the quoted contracts within the strikes window */
    double ws = 0, wo = 0;
    for (size_t i = 0; i < c->v.n; i++) {
        if (!c->ce.included[i] || fabs(c->v.strike[i] - c->S) > range * c->S)
            continue;
        const double s = spread_pct(&c->v, (long)i);
        if (isfinite(s) && c->v.open_interest[i] > 0) {
            ws += s * c->v.open_interest[i];
            wo += c->v.open_interest[i];
        }
    }
    const double weighted = wo > 0 ? ws / wo : GEX__NO_VALUE;
    /* execution_score (gex's own): 70% spread (100 - 10 points per % of weighted spread), 30%
     * ATM depth (the ATM strike's OI against the largest strike's). */
    double exec = GEX__NO_VALUE;
    if (isfinite(weighted) && max_oi > 0)
        exec = round_score(0.7 * fmax(0.0, 100.0 - EXECUTION_SPREAD_PENALTY * weighted) +
                           0.3 * 100.0 * atm_oi / max_oi);
    json_t *o = json_object();
    int rc = gex__jset(o, "atm_spread_pct", gex__jnum_or_null(atm_spread));
    rc |= gex__jset(o, "weighted_spread_pct", gex__jnum_or_null(weighted));
    rc |= gex__jset(o, "execution_score", gex__jnum_or_null(exec));
    return rc == GEX_OK ? o : (json_decref(o), NULL);
}

static json_t *metadata_block(const zctx *c, double range, int64_t now)
{
    size_t in_file = 0;
    for (size_t i = 0; i < c->v.n; i++)
        in_file += c->v.expiration[i] == c->expiry;
    /* greek_smoothness_score (gex's own): mean |IV step| between neighbouring strikes in the
     * window, in vol points, 0 at SMOOTHNESS_SCALE_VOL_PTS or more. */
    double prev = GEX__NO_VALUE, sum = 0;
    size_t steps = 0;
    for (size_t k = 0; k < c->n; k++) {
        if (fabs(c->rows[k].strike - c->S) > range * c->S)
            continue;
        const double iv = mean2(iv_of(c, c->z[k].call), iv_of(c, c->z[k].put));
        if (!isfinite(iv))
            continue;
        if (isfinite(prev)) {
            sum += fabs(iv - prev) * 100.0;
            steps++;
        }
        prev = iv;
    }
    const double smooth =
        steps > 0 ? round_score(100.0 * (1.0 - sum / (double)steps / SMOOTHNESS_SCALE_VOL_PTS))
                  : GEX__NO_VALUE;
    json_t *o = json_object();
    /* the vendor's: the snapshot's age when the answer is assembled (the request's instant) */
    int rc = gex__jset(o, "snapshot_age_seconds", json_real((double)(now - c->a->as_of)));
    rc |= gex__jset(o, "chain_contract_count", json_integer((json_int_t)in_file));
    rc |= gex__jset(o, "data_quality_score",
                    gex__jnum_or_null(in_file > 0
                                          ? round_score(100.0 * (double)c->t.used / (double)in_file)
                                          : GEX__NO_VALUE));
    rc |= gex__jset(o, "greek_smoothness_score", gex__jnum_or_null(smooth));
    return rc == GEX_OK ? o : (json_decref(o), NULL);
}

static json_t *strikes_block(const zctx *c, const zfig *f, double range)
{
    json_t *arr = json_array();
    int rc = arr == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t k = 0; k < c->n && rc == GEX_OK; k++) {
        const gex_strike_row *r = &c->rows[k];
        if (fabs(r->strike - c->S) > range * c->S)
            continue;
        const long ci = c->z[k].call, pi = c->z[k].put;
        char key[96];
        json_t *o = json_object();
        rc |= gex__jset(o, "strike", gex__jnum(r->strike));
        rc |= gex__jset(o, "distance_from_spot_pct", gex__jnum((r->strike - c->S) / c->S * 100.0));
        contract_key(c->a->symbol, c->expiry, 0, r->strike, key, sizeof key);
        rc |= gex__jset(o, "call_symbol", ci >= 0 ? gex__jstr(key) : json_null());
        contract_key(c->a->symbol, c->expiry, 1, r->strike, key, sizeof key);
        rc |= gex__jset(o, "put_symbol", pi >= 0 ? gex__jstr(key) : json_null());
        rc |= gex__jset(o, "call_gex", gex__jnum(r->call_gex));
        rc |= gex__jset(o, "put_gex", gex__jnum(r->put_gex));
        rc |= gex__jset(o, "net_gex", gex__jnum(r->net_gex));
        rc |= gex__jset(o, "call_dex", gex__jnum(r->call_dex));
        rc |= gex__jset(o, "put_dex", gex__jnum(r->put_dex));
        rc |= gex__jset(o, "net_dex", gex__jnum(r->net_dex));
        rc |= gex__jset(o, "net_vex", gex__jnum(r->net_vex));
        rc |= gex__jset(o, "net_chex", gex__jnum(r->net_chex));
        rc |= gex__jset(o, "call_oi", gex__jnum(r->call_oi));
        rc |= gex__jset(o, "put_oi", gex__jnum(r->put_oi));
        rc |= gex__jset(o, "call_volume", gex__jnum(r->call_volume));
        rc |= gex__jset(o, "put_volume", gex__jnum(r->put_volume));
        rc |= gex__jset(o, "gex_share_pct",
                        gex__jnum_or_null(pct_or_null(fabs(r->net_gex), f->gross_abs_net)));
        rc |= gex__jset(o, "oi_share_pct",
                        gex__jnum_or_null(pct_or_null(r->call_oi + r->put_oi, f->oi_total)));
        rc |=
            gex__jset(o, "volume_share_pct",
                      gex__jnum_or_null(pct_or_null(r->call_volume + r->put_volume, f->vol_total)));
        rc |= gex__jset(o, "call_iv", gex__jnum_or_null(iv_of(c, ci)));
        rc |= gex__jset(o, "put_iv", gex__jnum_or_null(iv_of(c, pi)));
        rc |= gex__jset(o, "call_delta", ci >= 0 ? gex__jnum(c->ce.delta[ci]) : json_null());
        rc |= gex__jset(o, "put_delta", pi >= 0 ? gex__jnum(c->ce.delta[pi]) : json_null());
        rc |= gex__jset(o, "call_gamma", ci >= 0 ? gex__jnum(c->ce.gamma[ci]) : json_null());
        rc |= gex__jset(o, "put_gamma", pi >= 0 ? gex__jnum(c->ce.gamma[pi]) : json_null());
        for (int side = 0; side < 2; side++) {
            const long i = side == 0 ? ci : pi;
            double theta = GEX__NO_VALUE;
            gex_greeks g;
            if (i >= 0 && gex_bs_greeks(c->v.type[i], c->S, c->v.strike[i], c->v.T[i], c->v.iv[i],
                                        c->v.r[i], c->v.q[i], &g) == GEX_BS_OK)
                theta = g.theta / 365.0;
            rc |= gex__jset(o, side == 0 ? "call_theta" : "put_theta", gex__jnum_or_null(theta));
        }
        rc |= gex__jset(o, "call_mid", gex__jnum_or_null(mid_of(&c->v, ci)));
        rc |= gex__jset(o, "put_mid", gex__jnum_or_null(mid_of(&c->v, pi)));
        rc |= gex__jset(o, "call_spread_pct", gex__jnum_or_null(spread_pct(&c->v, ci)));
        rc |= gex__jset(o, "put_spread_pct", gex__jnum_or_null(spread_pct(&c->v, pi)));
        rc |= json_array_append_new(arr, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    return rc == GEX_OK ? arr : (json_decref(arr), NULL);
}

/* The names gex_own lists for this document. */
static const char *const zdte_own[] = {
    "regime.description",
    "expected_move",
    "pin_risk.pin_score",
    "pin_risk.components",
    "pin_risk.description",
    "decay.net_theta_dollars",
    "decay.description",
    "vol_context.description",
    "levels.level_cluster_score",
    "liquidity.execution_score",
    "metadata.data_quality_score",
    "metadata.greek_smoothness_score",
    "market_open",
    "time_to_close_hours",
    "time_to_close_pct",
    "exposures.pct_of_total_gex",
    "hedging",
    "liquidity",
};

static json_t *own_list(const char *const *names, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n && a != NULL; i++)
        if (json_array_append_new(a, json_string(names[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* The vendor's answer when there is no contract of the expiration asked for. */
static json_t *no_zero_dte(const gex__analysis *a, int32_t target, int explicit_expiry)
{
    const int32_t quote_date = gex_exposure_quote_date(a->exposure);
    const size_t ne = gex_exposure_expiry_count(a->exposure);
    int32_t next = 0;
    int has_next = 0;
    for (size_t k = 0; k < ne && !has_next; k++) {
        const int32_t d = gex_exposure_expiry_date(a->exposure, k);
        gex_exposure_totals t;
        gex_exposure_expiry_totals(a->exposure, k, &t);
        if (d > target && t.used > 0) {
            next = d;
            has_next = 1;
        }
    }
    zctx clock;
    memset(&clock, 0, sizeof clock);
    clock.a = a;
    clock.quote_date = quote_date;
    session_clock(&clock);
    static const char *const days[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};
    char msg[256], day[16], nx[16];
    gex_time_format_date(target, day, sizeof day);
    if (has_next)
        gex_time_format_date(next, nx, sizeof nx);
    const size_t expired = gex__expired_on(a, target);
    if (expired > 0)
        snprintf(msg, sizeof msg,
                 "The %zu contracts of %s expiring %s settled at or before the quote instant: no "
                 "0DTE gamma is left.%s%s%s",
                 expired, a->symbol, day, has_next ? " Next expiry: " : "", has_next ? nx : "",
                 has_next ? "." : "");
    else if (explicit_expiry)
        snprintf(msg, sizeof msg, "No contract of %s expiring %s in the file.%s%s%s", a->symbol,
                 day, has_next ? " Next expiry: " : "", has_next ? nx : "", has_next ? "." : "");
    else
        snprintf(msg, sizeof msg, "No 0DTE expiry for %s on %s (%s).%s%s%s", a->symbol, day,
                 days[gex_time_weekday(target)], has_next ? " Next expiry: " : "",
                 has_next ? nx : "", has_next ? "." : "");
    json_t *d = gex__doc_head(a);
    int rc = d == NULL ? GEX_ENOMEM : GEX_OK;
    rc |= gex__jset(d, "expiration", json_null());
    rc |= gex__jset(d, "market_open", json_boolean(clock.market_open));
    rc |= gex__jset(d, "no_zero_dte", json_true());
    rc |= gex__jset(d, "message", gex__jstr(msg));
    rc |= gex__jset(d, "next_zero_dte_expiry", has_next ? gex__jstr(nx) : json_null());
    /* the vendor's key order puts expiration after underlying_price */
    return gex__doc_complete(a, d, rc);
}

json_t *gex__api_zero_dte(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__analysis *a = in->analysis;
    double range = ZDTE_RANGE_DEFAULT;
    const char *sr = gex__api_param(in->params, "strike_range");
    if (sr != NULL) {
        char *end = NULL;
        range = strtod(sr, &end);
        if (!gex__decimal_text(sr, strlen(sr)) || end == sr || *end != '\0' ||
            !(range >= ZDTE_RANGE_MIN && range <= ZDTE_RANGE_MAX))
            return gex__api_fail(ans, 400, "invalid_parameter",
                                 "strike_range '%s' is not a fraction of spot from %g to %g: "
                                 "pass e.g. strike_range=0.03",
                                 sr, ZDTE_RANGE_MIN, ZDTE_RANGE_MAX);
    }
    const int32_t quote_date = gex_exposure_quote_date(a->exposure);
    int32_t target = quote_date;
    const char *ex = gex__api_param(in->params, "expiry");
    if (ex != NULL && parse_day(ex, &target) != GEX_OK)
        return gex__api_fail(ans, 400, "invalid_expiry",
                             "expiry '%s' is not a date YYYY-MM-DD: pass e.g. expiry=2026-03-20",
                             ex);
    /* the target must be an expiration of the analysis with a used contract */
    const size_t ne = gex_exposure_expiry_count(a->exposure);
    int found = 0;
    for (size_t k = 0; k < ne; k++) {
        gex_exposure_totals t;
        gex_exposure_expiry_totals(a->exposure, k, &t);
        found |= gex_exposure_expiry_date(a->exposure, k) == target && t.used > 0;
    }
    if (!found) {
        json_t *d = no_zero_dte(a, target, ex != NULL);
        return d != NULL ? d
                         : gex__api_fail(ans, 500, "internal_error",
                                         "out of memory building the document");
    }

    zctx c;
    zfig f;
    int st = zctx_init(&c, a, target);
    if (st == GEX_OK)
        st = figures(&c, &f);
    if (st != GEX_OK) {
        zctx_free(&c);
        return gex__api_fail(ans, 500, "internal_error", "%s: the 0DTE analysis failed: %s",
                             a->symbol, gex_strerror(st));
    }
    char exp[16];
    gex_time_format_date(target, exp, sizeof exp);
    json_t *d = json_object();
    char iso[48];
    gex__json_time(a->as_of, iso, sizeof iso);
    int rc = d == NULL ? GEX_ENOMEM : GEX_OK;
    rc |= gex__jset(d, "symbol", gex__jstr(a->symbol));
    rc |= gex__jset(d, "underlying_price", gex__jnum(a->spot));
    rc |= gex__jset(d, "expiration", gex__jstr(exp));
    rc |= gex__jset(d, "as_of", gex__jstr(iso));
    rc |= gex__jset(d, "market_open", json_boolean(c.market_open));
    rc |= gex__jset(d, "time_to_close_hours", gex__jnum(c.hours_to_close));
    rc |= gex__jset(d, "time_to_close_pct", gex__jnum(c.pct_elapsed));
    rc |= gex__jset(d, "regime", regime_block(&c, &f));
    rc |= gex__jset(d, "exposures", exposures_block(&c));
    rc |= gex__jset(d, "expected_move", expected_move_block(&c, &f));
    rc |= gex__jset(d, "pin_risk", pin_block(&c, &f));
    int hs = GEX_OK;
    json_t *hedging = hedging_block(&c, &f, &hs);
    if (hedging == NULL && hs != GEX_OK && hs != GEX_ENOMEM) {
        json_decref(d);
        zctx_free(&c);
        return gex__api_fail(ans, 500, "internal_error", "%s: the hedging estimate failed: %s",
                             a->symbol, gex_strerror(hs));
    }
    rc |= gex__jset(d, "hedging", hedging);
    rc |= gex__jset(d, "decay", decay_block(&c, &f));
    rc |= gex__jset(d, "vol_context", vol_block(&c, &f, in->vix));
    rc |= gex__jset(d, "flow", flow_block(&f));
    rc |= gex__jset(d, "levels", levels_block(&c, &f));
    rc |= gex__jset(d, "liquidity", liquidity_block(&c, &f, range));
    rc |= gex__jset(d, "metadata", metadata_block(&c, range, in->now));
    ans->no_store = 1; /* snapshot_age_seconds is the request's */
    rc |= gex__jset(d, "strikes", strikes_block(&c, &f, range));
    if (c.market_open && c.seconds_to_close < CLOSE_WARNING_S) {
        json_t *w = json_array();
        rc |= json_array_append_new(
                  w, json_string("Under 5 minutes to the close: 0DTE greeks are unstable.")) == 0
                  ? GEX_OK
                  : GEX_ENOMEM;
        rc |= gex__jset(d, "warnings", w);
    }
    const char *theta_null = per_hour_null(&c);
    zctx_free(&c);
    d = gex__doc_complete(a, d, rc);
    if (d != NULL) {
        json_t *meta = json_object_get(d, "meta");
        json_t *nulls = json_object();
        int r2 = gex__jset(meta, "gex_own", own_list(zdte_own, sizeof zdte_own / sizeof *zdte_own));
        r2 |= gex__jset(nulls, "vol_context.vix",
                        gex__jstr("CBOE's VIX method (SPEC 1.9) on the folder's SPX file of the "
                                  "snapshot's New York day: null when it has none"));
        if (theta_null != NULL)
            r2 |= gex__jset(nulls, "decay.theta_per_hour_remaining", gex__jstr(theta_null));
        r2 |= gex__jset(meta, "null_fields", nulls);
        if (r2 != GEX_OK) {
            json_decref(d);
            d = NULL;
        }
    }
    if (d == NULL)
        return gex__api_fail(ans, 500, "internal_error", "out of memory building the document");
    return d;
}
