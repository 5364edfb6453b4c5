/*
 * history.c: snapshots of analyses and the measures of a series of them (gex/history.h,
 * SPEC 6): the 30-day ATM and 25-delta implied volatilities, realized volatility, the
 * volatility risk premium with its z-score and percentile, and the change in open interest.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gex/bs.h"
#include "gex/history.h"
#include "gex/time.h"
#include "sort-internal.h"

static const int rv_windows[GEX_HISTORY_RV_COUNT] = {5, 10, 20, 30};

/* The index of rv_20d, the window of variance_risk_premium and of the z-score (the vendor's). */
#define RV_20D 2

int gex_history_rv_window(size_t i)
{
    return i < GEX_HISTORY_RV_COUNT ? rv_windows[i] : 0;
}

int32_t gex_history_trading_day(int64_t utc)
{
    const int32_t day = gex_time_eastern_date(utc);
    const int wd = gex_time_weekday(day); /* 0 Sunday ... 6 Saturday */
    return wd == 0 ? day - 2 : wd == 6 ? day - 1 : day;
}

/* --- the snapshot --- */

typedef struct sort_ctx {
    const gex_chain_view *v;
} sort_ctx;

/* Used contracts by settlement instant, then type, then strike. */
static int by_expiry_type_strike(const void *pa, const void *pb, void *ctx_)
{
    const gex_chain_view *v = ((const sort_ctx *)ctx_)->v;
    const uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    if (v->settlement[a] != v->settlement[b])
        return v->settlement[a] < v->settlement[b] ? -1 : 1;
    if (v->type[a] != v->type[b])
        return v->type[a] < v->type[b] ? -1 : 1;
    if (v->strike[a] != v->strike[b])
        return v->strike[a] < v->strike[b] ? -1 : 1;
    return (a > b) - (a < b);
}

/* idx (ascending positions) into the order of by_expiry_type_strike, in linear time on what
 * files hold: grouped by (settlement, type), each group's strikes then sorted only where they
 * are not already ascending (gex__sort_stable_grouped). Files list an expiration's strikes in
 * order with a strike's call and put side by side (one run per contract for a merge sort), and
 * CBOE's SPX downloads interleave the AM and PM roots of a date. GEX_OK or GEX_ENOMEM. */
static int sort_by_expiry_type_strike(const gex_chain_view *v, uint32_t *idx, size_t m)
{
    sort_ctx ctx = {v};
    int64_t *group = malloc((m + 1) * sizeof *group);
    if (group == NULL)
        return GEX_ENOMEM;
    /* 2 settlement + (put): the order of (settlement, type), settlements being dates' seconds */
    int fits = 1;
    for (size_t k = 0; k < m && fits; k++) {
        const int64_t t = v->settlement[idx[k]];
        fits = t > INT64_MIN / 4 && t < INT64_MAX / 4;
        if (fits)
            group[k] = 2 * t + (v->type[idx[k]] == GEX_PUT);
    }
    const int rc =
        fits ? gex__sort_stable_grouped(idx, m, sizeof *idx, group, by_expiry_type_strike, &ctx)
             : gex__sort_stable(idx, m, sizeof *idx, by_expiry_type_strike, &ctx);
    free(group);
    return rc;
}

/* One expiration's value of a measure, for the 30-day interpolation. */
typedef struct term_point {
    double T, sigma; /* years; a fraction */
} term_point;

/* sigma at T30 from points in ascending T: total variance linear in T between the nearest
 * points on either side, else the nearest point's sigma (SPEC 6.1). */
static gex_level at_tenor_days(const term_point *p, size_t n, int days)
{
    const double T30 = days * 86400.0 / GEX_SECONDS_PER_YEAR;
    gex_level out = {0, 0.0};
    if (n == 0)
        return out;
    size_t hi = 0;
    while (hi < n && p[hi].T <= T30)
        hi++;
    double sigma;
    if (hi == 0)
        sigma = p[0].sigma;
    else if (hi == n)
        sigma = p[n - 1].sigma;
    else {
        const term_point *a = &p[hi - 1], *b = &p[hi];
        const double w1 = a->sigma * a->sigma * a->T, w2 = b->sigma * b->sigma * b->T;
        const double w = w1 + (w2 - w1) * (T30 - a->T) / (b->T - a->T);
        if (!(w > 0.0))
            return out;
        sigma = sqrt(w / T30);
    }
    if (!isfinite(sigma))
        return out;
    out.has = 1;
    out.value = 100.0 * sigma;
    return out;
}

static gex_level at_tenor(const term_point *p, size_t n)
{
    return at_tenor_days(p, n, GEX_HISTORY_TENOR_DAYS);
}

/* IV at k = ln(K/F) = 0 from contracts idx[0..n) of one type, ascending strike. */
static int atm_of_type(const gex_chain_view *v, const uint32_t *idx, size_t n, double F,
                       double *sigma)
{
    size_t above = 0;
    while (above < n && v->strike[idx[above]] < F)
        above++;
    if (above < n && v->strike[idx[above]] == F) {
        *sigma = v->iv[idx[above]];
        return 1;
    }
    if (above == 0 || above == n)
        return 0;
    const uint32_t a = idx[above - 1], b = idx[above];
    const double ka = log(v->strike[a] / F), kb = log(v->strike[b] / F);
    *sigma = v->iv[a] + (v->iv[b] - v->iv[a]) * (0.0 - ka) / (kb - ka);
    return isfinite(*sigma) && *sigma > 0.0;
}

/* IV at delta target, scanning idx[0..n) (ascending strike) upward (step +1, from the lowest)
 * or downward (step -1, from the highest) for the first consecutive pair bracketing it. */
static int wing_of_type(const gex_chain_view *v, const double *delta, const uint32_t *idx, size_t n,
                        double target, int upward, double *sigma)
{
    for (size_t j = 1; j < n; j++) {
        const uint32_t a = upward ? idx[j - 1] : idx[n - j];
        const uint32_t b = upward ? idx[j] : idx[n - j - 1];
        const double da = delta[a] - target, db = delta[b] - target;
        if (da == 0.0) {
            *sigma = v->iv[a];
            return 1;
        }
        if (da * db <= 0.0 && delta[a] != delta[b]) {
            *sigma = v->iv[a] + (v->iv[b] - v->iv[a]) * (target - delta[a]) / (delta[b] - delta[a]);
            return isfinite(*sigma) && *sigma > 0.0;
        }
    }
    return 0;
}

/* The snapshot, and the ATM IV at n_tenors other tenors (days) by the same method. */
static int snapshot_tenors(const gex_analysis *analysis, gex_snapshot *out, const int *tenor_days,
                           size_t n_tenors, gex_level *tenor_iv)
{
    memset(out, 0, sizeof *out);
    for (size_t t = 0; t < n_tenors; t++)
        tenor_iv[t] = (gex_level){0, 0.0};
    const gex_chain *chain = gex_analysis_chain(analysis);
    const gex_exposure *exposure = gex_analysis_exposure(analysis);
    const gex_exposure_totals *totals = gex_analysis_totals(analysis);
    const gex_levels *levels = gex_analysis_levels(analysis);
    const gex_zero_dte *zero_dte = gex_analysis_zero_dte(analysis);
    snprintf(out->symbol, sizeof out->symbol, "%s", gex_analysis_symbol(analysis));
    memcpy(out->currency, gex_chain_currency(gex_analysis_chain(analysis)), sizeof out->currency);
    out->quote_time = gex_analysis_quote_time(analysis);
    out->spot = gex_analysis_spot(analysis);
    out->net_gex = totals->net_gex;
    out->net_dex = totals->net_dex;
    out->net_vex = totals->net_vex;
    out->net_chex = totals->net_chex;
    if (levels != NULL) {
        out->gamma_flip = levels->gamma_flip;
        out->call_wall = levels->call_wall;
        out->put_wall = levels->put_wall;
        out->max_positive_gamma = levels->max_positive_gamma;
        out->max_negative_gamma = levels->max_negative_gamma;
    }
    out->zero_dte_pct = zero_dte != NULL && zero_dte->has ? zero_dte->pct_of_total_gex : 0.0;

    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    gex_contract_exposures ce;
    gex_exposure_get_contracts(exposure, &ce);
    const gex_exposure_options *opts = gex_exposure_get_options(exposure);

    /* Open interest of every contract the filters keep (--max-delta included) that has not
     * expired, whether or not it has an IV: positions exist whatever their quotes. */
    size_t used = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.T[i] > 0.0 && i < ce.n && ce.kept[i]) {
            if (v.type[i] == GEX_CALL)
                out->call_oi += v.open_interest[i];
            else
                out->put_oi += v.open_interest[i];
        }
        used += i < ce.n && ce.included[i] && v.T[i] > 0.0 && v.iv[i] > 0.0;
    }
    if (used == 0)
        return GEX_OK;

    uint32_t *idx = malloc(used * sizeof *idx);
    term_point *atm = malloc(used * sizeof *atm);
    term_point *put = malloc(used * sizeof *put);
    term_point *call = malloc(used * sizeof *call);
    if (idx == NULL || atm == NULL || put == NULL || call == NULL) {
        free(idx);
        free(atm);
        free(put);
        free(call);
        return GEX_ENOMEM;
    }
    size_t m = 0;
    for (size_t i = 0; i < v.n && i < ce.n; i++)
        if (ce.included[i] && v.T[i] > 0.0 && v.iv[i] > 0.0)
            idx[m++] = (uint32_t)i;
    if (sort_by_expiry_type_strike(&v, idx, m) != GEX_OK) {
        free(idx);
        free(atm);
        free(put);
        free(call);
        return GEX_ENOMEM;
    }

    /* SPEC 6.2: each used contract's Black-Scholes-Merton delta at its own sigma. The
     * exposure's deltas are those, computed by the same batch on the same inputs, unless the
     * file's (--greeks file) or the American model's (--exercise) replaced them. */
    const double *delta = ce.delta;
    double *bsm = NULL;
    if (opts->greeks_from_file || opts->exercise != GEX_EXPOSURE_EUROPEAN) {
        bsm = malloc(v.n * sizeof *bsm);
        double rate = 0.0, div = 0.0;
        gex_exposure_carry(exposure, &rate, &div);
        const gex_bs_batch_in in = {.n = v.n,
                                    .S_all = gex_exposure_spot(exposure),
                                    .K = v.strike,
                                    .T = v.T,
                                    .sigma = v.iv,
                                    .type = v.type,
                                    .r = v.r,
                                    .r_all = rate,
                                    .q = v.q,
                                    .q_all = div};
        const gex_bs_batch_out bo = {.delta = bsm};
        if (bsm == NULL || gex_bs_greeks_batch(&in, &bo, NULL) != GEX_OK) {
            free(bsm);
            free(idx);
            free(atm);
            free(put);
            free(call);
            return GEX_ENOMEM;
        }
        delta = bsm;
    }

    size_t n_atm = 0, n_put = 0, n_call = 0;
    for (size_t s = 0; s < m;) {
        size_t e = s;
        while (e < m && v.settlement[idx[e]] == v.settlement[idx[s]])
            e++;
        size_t c = s; /* calls [s, c), puts [c, e): GEX_CALL (0) sorts before GEX_PUT (1) */
        while (c < e && v.type[idx[c]] == GEX_CALL)
            c++;
        const uint32_t *calls = idx + s, *puts = idx + c;
        const size_t n_calls = c - s, n_puts = e - c;
        const double T = v.T[idx[s]];
        /* the expiration's carry (one r and q per expiration, SPEC 1.2) */
        const double F = out->spot * exp((v.r[idx[s]] - v.q[idx[s]]) * T);
        double sc = 0.0, sp = 0.0, sigma = 0.0;
        const int hc = atm_of_type(&v, calls, n_calls, F, &sc);
        const int hp = atm_of_type(&v, puts, n_puts, F, &sp);
        if (hc || hp)
            atm[n_atm++] = (term_point){T, hc && hp ? 0.5 * (sc + sp) : hc ? sc : sp};
        if (wing_of_type(&v, delta, puts, n_puts, -GEX_HISTORY_WING_DELTA, 1, &sigma))
            put[n_put++] = (term_point){T, sigma};
        if (wing_of_type(&v, delta, calls, n_calls, GEX_HISTORY_WING_DELTA, 0, &sigma))
            call[n_call++] = (term_point){T, sigma};
        s = e;
    }
    out->atm_iv = at_tenor(atm, n_atm);
    out->put_iv_25d = at_tenor(put, n_put);
    out->call_iv_25d = at_tenor(call, n_call);
    for (size_t t = 0; t < n_tenors; t++)
        tenor_iv[t] = at_tenor_days(atm, n_atm, tenor_days[t]);
    free(bsm);
    free(idx);
    free(atm);
    free(put);
    free(call);
    return GEX_OK;
}

int gex_snapshot_from_analysis(const gex_analysis *analysis, gex_snapshot *out)
{
    if (analysis == NULL || out == NULL)
        return GEX_EINVAL;
    /* the name whole or no snapshot: a cut one would merge two underlyings' series */
    const char *symbol = gex_analysis_symbol(analysis);
    if (symbol == NULL || strlen(symbol) >= sizeof out->symbol)
        return GEX_EINVAL;
    return snapshot_tenors(analysis, out, NULL, 0, NULL);
}

int gex_snapshot_atm_iv_at(const gex_analysis *analysis, const int *days, size_t n, gex_level *out)
{
    if (analysis == NULL || (n > 0 && (days == NULL || out == NULL)))
        return GEX_EINVAL;
    for (size_t t = 0; t < n; t++)
        if (days[t] <= 0)
            return GEX_EINVAL;
    gex_snapshot s;
    return snapshot_tenors(analysis, &s, days, n, out);
}

/* --- the series --- */

/* Sample standard deviation (n - 1) of x[0..n), n >= 2, by the two-pass formula on a mean
 * refined once by the mean of the deviations from the first (Higham, "Accuracy and Stability
 * of Numerical Algorithms", 2nd ed., sec. 1.9): the sum's rounding leaves the mean of n equal
 * values an ulp off, which made their standard deviation 1e-15 instead of 0 and a z-score of
 * 7.7e11 (SPEC 6.3: none when the standard deviation is 0). */
static double sample_stdev(const double *x, size_t n, double *mean_out)
{
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += x[i];
    mean /= (double)n;
    double drift = 0.0;
    for (size_t i = 0; i < n; i++)
        drift += x[i] - mean;
    mean += drift / (double)n;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    if (mean_out != NULL)
        *mean_out = mean;
    return sqrt(ss / (double)(n - 1));
}

static gex_level level_of(int has, double value)
{
    gex_level l = {0, 0.0};
    if (has && isfinite(value)) {
        l.has = 1;
        l.value = value;
    }
    return l;
}

const char *gex_snapshot_currency(const gex_snapshot *s)
{
    return s != NULL && gex_currency_valid(s->currency) ? s->currency : GEX_CURRENCY_DEFAULT;
}

static int metrics_run(const gex_snapshot *snapshots, size_t n, gex_history_metrics *out);

int gex_history_metrics_compute(const gex_snapshot *snapshots, size_t n, gex_history_metrics *out)
{
    if (n == 0)
        return GEX_OK;
    if (snapshots == NULL || out == NULL)
        return GEX_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!(snapshots[i].spot > 0.0) || !isfinite(snapshots[i].spot))
            return GEX_EINVAL;
        if (i > 0 && (snapshots[i].quote_time < snapshots[i - 1].quote_time ||
                      strcmp(snapshots[i].symbol, snapshots[0].symbol) != 0))
            return GEX_EINVAL;
    }
    /* A change of currency starts the series again: no return, change of open interest or
     * window spans it (gex converts no currency). */
    for (size_t a = 0, b; a < n; a = b) {
        for (b = a + 1; b < n && strcmp(gex_snapshot_currency(&snapshots[b]),
                                        gex_snapshot_currency(&snapshots[a])) == 0;
             b++) {
        }
        const int st = metrics_run(snapshots + a, b - a, out + a);
        if (st != GEX_OK)
            return st;
    }
    return GEX_OK;
}

/* gex_history_metrics_compute over n >= 1 snapshots of one currency. */
static int metrics_run(const gex_snapshot *snapshots, size_t n, gex_history_metrics *out)
{
    /* closes[d]: the spot of the last snapshot of trading day d; vrp20[d] its vrp_20d */
    double *closes = malloc(n * sizeof *closes);
    double *returns = malloc(n * sizeof *returns);
    gex_level *vrp20 = malloc(n * sizeof *vrp20);
    double *window = malloc(n * sizeof *window);
    if (closes == NULL || returns == NULL || vrp20 == NULL || window == NULL) {
        free(closes);
        free(returns);
        free(vrp20);
        free(window);
        return GEX_ENOMEM;
    }
    size_t days = 0; /* trading days before snapshot i's */
    for (size_t i = 0; i < n; i++) {
        const gex_snapshot *s = &snapshots[i];
        gex_history_metrics *m = &out[i];
        memset(m, 0, sizeof *m);
        const int32_t day = gex_history_trading_day(s->quote_time);
        /* the closes of the earlier days, then this snapshot's spot */
        closes[days] = s->spot;
        const size_t n_closes = days + 1;
        const size_t first = n_closes > 31 ? n_closes - 31 : 0; /* the longest window's */
        for (size_t r = first + 1; r < n_closes; r++)
            returns[r - 1] = log(closes[r] / closes[r - 1]);
        for (size_t w = 0; w < GEX_HISTORY_RV_COUNT; w++) {
            const size_t N = (size_t)rv_windows[w];
            if (n_closes < N + 1)
                continue;
            const double sd = sample_stdev(returns + (n_closes - 1 - N), N, NULL);
            m->rv[w] = level_of(1, 100.0 * sd * sqrt((double)GEX_HISTORY_TRADING_DAYS));
            m->vrp[w] = level_of(s->atm_iv.has, s->atm_iv.value - m->rv[w].value);
        }
        if (s->atm_iv.has && m->rv[RV_20D].has) {
            const double iv = s->atm_iv.value / 100.0, rv = m->rv[RV_20D].value / 100.0;
            m->variance_risk_premium = level_of(1, iv * iv - rv * rv);
        }
        /* the z-score against the previous trading days' vrp_20d */
        const size_t from = days > GEX_HISTORY_Z_WINDOW ? days - GEX_HISTORY_Z_WINDOW : 0;
        size_t k = 0;
        for (size_t d = from; d < days; d++)
            if (vrp20[d].has)
                window[k++] = vrp20[d].value;
        m->history_days = k;
        if (m->vrp[RV_20D].has && k >= GEX_HISTORY_Z_MIN) {
            const double x = m->vrp[RV_20D].value;
            double mean = 0.0;
            const double sd = sample_stdev(window, k, &mean);
            if (sd > 0.0)
                m->z_score = level_of(1, (x - mean) / sd);
            size_t below = 0;
            for (size_t j = 0; j < k; j++)
                below += window[j] <= x;
            m->percentile = level_of(1, 100.0 * (double)below / (double)k);
        }
        if (i > 0) {
            m->call_oi_change = level_of(1, s->call_oi - snapshots[i - 1].call_oi);
            m->put_oi_change = level_of(1, s->put_oi - snapshots[i - 1].put_oi);
        }
        /* the last snapshot of its day closes the day */
        const int last_of_day =
            i + 1 == n || gex_history_trading_day(snapshots[i + 1].quote_time) != day;
        if (last_of_day) {
            vrp20[days] = m->vrp[RV_20D];
            days++;
        }
    }
    free(closes);
    free(returns);
    free(vrp20);
    free(window);
    return GEX_OK;
}
