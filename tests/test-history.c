/*
 * test-history: gex/history.h (SPEC 6). The 30-day implied volatilities against values
 * computed here by other means (the total-variance formula by hand, the 25-delta strike by
 * bisection on a delta written out from its textbook formula), and the series measures against
 * hand-written sums over the closes.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gex/gex.h"

#define SPOT 4012.37
#define RATE 0.0431
#define DIV  0.0127

/* A smile: sigma(K) = a + b ln(K / F) per expiration. */
typedef struct smile {
    int32_t days; /* expiration: quote date + days */
    double a, b;
} smile;

/* 2023-10-04 16:00 New York (EDT): PM settlements 16:00 the same wall-clock time. */
static int64_t quote_utc(void)
{
    return gex_time_eastern_to_utc(gex_time_days_from_civil(2023, 10, 4), 16 * 3600);
}

static double years_to(int32_t days)
{
    const int32_t today = gex_time_days_from_civil(2023, 10, 4);
    return (double)(gex_time_settlement(today + days, GEX_SETTLE_PM) - quote_utc()) /
           (365.0 * 86400.0);
}

/* Calls and puts every step points from 0.6 S to 1.4 S on each smile's expiration; added as
 * files list them (expirations and strikes ascending, each strike's call then put), or, when
 * reversed, every order turned round. */
static double delta_of(int type, double K, double T, double sigma);

/* vendor_shift != 0: the file's delta columns are the textbook delta moved by it away from
 * zero (another model's), with a gamma, for --greeks file. */
static gex_analysis *build_with(const smile *s, size_t n, double step, int reversed,
                                const gex_analysis_options *ao, double vendor_shift,
                                gex_chain **chain_out)
{
    gex_chain *chain = gex_chain_new();
    ck_assert_ptr_nonnull(chain);
    const int32_t today = gex_time_days_from_civil(2023, 10, 4);
    const double K_lo = ceil(0.6 * SPOT / step) * step;
    const size_t n_strikes = (size_t)floor((1.4 * SPOT - K_lo) / step) + 1;
    for (size_t ee = 0; ee < n; ee++) {
        const size_t e = reversed ? n - 1 - ee : ee;
        const double T = years_to(s[e].days);
        const double F = SPOT * exp((RATE - DIV) * T);
        for (size_t kk = 0; kk < n_strikes; kk++)
            for (int tt = 0; tt < 2; tt++) {
                const double K = K_lo + step * (double)(reversed ? n_strikes - 1 - kk : kk);
                const int t = reversed ? 1 - tt : tt;
                gex_contract c = {.underlying = "SPX",
                                  .root = "SPXW",
                                  .expiration = today + s[e].days,
                                  .strike = K,
                                  .type = t,
                                  .bid = NAN,
                                  .ask = NAN,
                                  .last = NAN,
                                  .iv = s[e].a + s[e].b * log(K / F),
                                  .open_interest = 10.0 + t,
                                  .volume = NAN,
                                  .multiplier = 100.0,
                                  .vendor_delta = NAN,
                                  .vendor_gamma = NAN};
                if (vendor_shift != 0.0) {
                    c.vendor_delta =
                        delta_of(t, K, T, c.iv) + (t == GEX_CALL ? 1 : -1) * vendor_shift;
                    c.vendor_gamma = 0.00123;
                }
                ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
            }
    }
    ck_assert_int_eq(gex_chain_set_spot(chain, "SPX", SPOT), GEX_OK);
    gex_chain_set_quote_time(chain, quote_utc());
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.rate = RATE;
    po.div = DIV;
    po.iv_mode = GEX_IV_MODE_FILE;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    gex_analysis *a = NULL;
    ck_assert_int_eq(gex_analysis_new(chain, ao, &a, NULL), GEX_OK);
    *chain_out = chain;
    return a;
}

static gex_analysis *build_ordered(const smile *s, size_t n, double step, int reversed,
                                   gex_chain **chain_out)
{
    return build_with(s, n, step, reversed, NULL, 0.0, chain_out);
}

static gex_analysis *build(const smile *s, size_t n, double step, gex_chain **chain_out)
{
    return build_ordered(s, n, step, 0, chain_out);
}

/* Flat smiles: every strike's IV is the expiration's, so the 30-day ATM and wing IVs are the
 * total-variance interpolation of SPEC 6.1, written out here. */
START_TEST(test_snapshot_from_analysis_total_variance)
{
    const smile s[3] = {{9, 0.121, 0.0}, {23, 0.147, 0.0}, {51, 0.188, 0.0}};
    gex_chain *chain = NULL;
    gex_analysis *a = build(s, 3, 25.0, &chain);
    gex_snapshot snap;
    ck_assert_int_eq(gex_snapshot_from_analysis(a, &snap), GEX_OK);
    const double T1 = years_to(23), T2 = years_to(51), T30 = 30.0 / 365.0;
    const double w1 = 0.147 * 0.147 * T1, w2 = 0.188 * 0.188 * T2;
    const double expect = 100.0 * sqrt((w1 + (w2 - w1) * (T30 - T1) / (T2 - T1)) / T30);
    ck_assert(snap.atm_iv.has && snap.put_iv_25d.has && snap.call_iv_25d.has);
    /* 1e-12: a few roundings of the same sums */
    ck_assert_double_eq_tol(snap.atm_iv.value, expect, 1e-12);
    ck_assert_double_eq_tol(snap.put_iv_25d.value, expect, 1e-12);
    ck_assert_double_eq_tol(snap.call_iv_25d.value, expect, 1e-12);
    ck_assert_str_eq(snap.symbol, "SPX");
    ck_assert_int_eq(snap.quote_time, quote_utc());
    ck_assert_double_eq(snap.spot, SPOT);
    ck_assert_double_eq(snap.net_gex, gex_analysis_totals(a)->net_gex);
    /* open interest: 10 per call, 11 per put, every strike of every expiration */
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    ck_assert_double_eq(snap.call_oi, 10.0 * (double)v.n / 2.0);
    ck_assert_double_eq(snap.put_oi, 11.0 * (double)v.n / 2.0);
    gex_analysis_free(a);
    gex_chain_free(chain);

    /* Every expiration beyond 30 days: the nearest one's IV (flat extrapolation). */
    const smile far[2] = {{44, 0.171, 0.0}, {72, 0.2, 0.0}};
    a = build(far, 2, 25.0, &chain);
    ck_assert_int_eq(gex_snapshot_from_analysis(a, &snap), GEX_OK);
    ck_assert_double_eq_tol(snap.atm_iv.value, 17.1, 1e-12);
    gex_analysis_free(a);
    gex_chain_free(chain);
}
END_TEST

/* A smile linear in k = ln(K/F): interpolation in k between the strikes around F is exact, so
 * the ATM IV is the smile's a, whatever the strikes. */
START_TEST(test_snapshot_from_analysis_atm_is_forward_moneyness)
{
    const smile s[1] = {{30, 0.1634, -0.21}};
    gex_chain *chain = NULL;
    gex_analysis *a = build(s, 1, 35.0, &chain);
    gex_snapshot snap;
    ck_assert_int_eq(gex_snapshot_from_analysis(a, &snap), GEX_OK);
    /* T is 30 days to the second here, so no interpolation in T either */
    ck_assert_double_eq_tol(years_to(30), 30.0 / 365.0, 1e-15);
    ck_assert_double_eq_tol(snap.atm_iv.value, 16.34, 1e-10);
    gex_analysis_free(a);
    gex_chain_free(chain);
}
END_TEST

/* Black-Scholes-Merton delta per share, from its textbook formula (Hull, Options, Futures and
 * Other Derivatives, 10th ed., 19.2): e^{-qT} N(d1) for a call, e^{-qT} (N(d1) - 1) for a put. */
static double delta_of(int type, double K, double T, double sigma)
{
    const double d1 = (log(SPOT / K) + (RATE - DIV + 0.5 * sigma * sigma) * T) / (sigma * sqrt(T));
    const double n = 0.5 * erfc(-d1 / sqrt(2.0));
    return exp(-DIV * T) * (type == GEX_CALL ? n : n - 1.0);
}

/* The strike where delta(K, sigma(K)) = target, by bisection; returns sigma there. */
static double wing_truth(int type, double target, double a, double b, double T)
{
    const double F = SPOT * exp((RATE - DIV) * T);
    double lo = 0.6 * SPOT, hi = 1.4 * SPOT; /* delta falls as K rises, for both types */
    for (int i = 0; i < 200; i++) {
        const double mid = 0.5 * (lo + hi);
        if (delta_of(type, mid, T, a + b * log(mid / F)) > target)
            lo = mid;
        else
            hi = mid;
    }
    return a + b * log(0.5 * (lo + hi) / F);
}

/* With a skewed smile and strikes 1 point apart, the 25-delta IVs interpolated in delta agree
 * with the exact 25-delta strikes' IVs to the interpolation's error on a 1-point grid (the
 * smile changes by b / K per point, 5e-5 of a vol point: 1e-4 of a percent bounds it). */
START_TEST(test_snapshot_from_analysis_wings_at_25_delta)
{
    const smile s[1] = {{30, 0.1534, -0.27}};
    gex_chain *chain = NULL;
    gex_analysis *a = build(s, 1, 1.0, &chain);
    gex_snapshot snap;
    ck_assert_int_eq(gex_snapshot_from_analysis(a, &snap), GEX_OK);
    const double T = years_to(30);
    const double put = 100.0 * wing_truth(GEX_PUT, -0.25, 0.1534, -0.27, T);
    const double call = 100.0 * wing_truth(GEX_CALL, 0.25, 0.1534, -0.27, T);
    ck_assert(put > 16.0 && call < 15.0); /* the skew: puts richer than calls */
    ck_assert_double_eq_tol(snap.put_iv_25d.value, put, 1e-4);
    ck_assert_double_eq_tol(snap.call_iv_25d.value, call, 1e-4);
    gex_analysis_free(a);
    gex_chain_free(chain);
}
END_TEST

/* Total open interest counts the contracts the filters keep, --max-delta among them (SPEC
 * 6.3): with |delta| <= 0.37, the contracts whose textbook delta (Hull 19.2, delta_of) is
 * within it, which are also those the exposure's rows sum (every contract has an IV here). */
START_TEST(test_snapshot_from_analysis_oi_max_delta)
{
    const smile s[2] = {{9, 0.1417, -0.19}, {37, 0.1623, -0.11}};
    gex_analysis_options ao;
    gex_analysis_options_default(&ao);
    ao.exposure.max_abs_delta = 0.37;
    gex_chain *chain = NULL;
    gex_analysis *a = build_with(s, 2, 5.0, 0, &ao, 0.0, &chain);
    gex_snapshot snap;
    ck_assert_int_eq(gex_snapshot_from_analysis(a, &snap), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    double call_oi = 0.0, put_oi = 0.0;
    size_t left_out = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (fabs(delta_of(v.type[i], v.strike[i], v.T[i], v.iv[i])) > 0.37) {
            left_out++;
            continue;
        }
        if (v.type[i] == GEX_CALL)
            call_oi += v.open_interest[i];
        else
            put_oi += v.open_interest[i];
    }
    ck_assert(left_out > 0 && left_out < v.n);
    ck_assert_double_eq(snap.call_oi, call_oi);
    ck_assert_double_eq(snap.put_oi, put_oi);
    const gex_exposure *e = gex_analysis_exposure(a);
    const gex_strike_row *rows = gex_exposure_strikes(e);
    double row_call = 0.0, row_put = 0.0;
    for (size_t k = 0; k < gex_exposure_strike_count(e); k++) {
        row_call += rows[k].call_oi;
        row_put += rows[k].put_oi;
    }
    ck_assert_double_eq(snap.call_oi, row_call);
    ck_assert_double_eq(snap.put_oi, row_put);
    gex_analysis_free(a);
    gex_chain_free(chain);
}
END_TEST

/* A chain of one call and one put at the money on an underlying of len bytes, analysed. */
static gex_analysis *named(size_t len, char *name, gex_chain **chain_out)
{
    memset(name, 'Q', len);
    name[len - 1] = 'Z';
    name[len] = '\0';
    gex_chain *chain = gex_chain_new();
    ck_assert_ptr_nonnull(chain);
    const int32_t today = gex_time_days_from_civil(2023, 10, 4);
    for (int t = 0; t < 2; t++) {
        gex_contract c = {.underlying = name,
                          .root = "QQ",
                          .expiration = today + 23,
                          .strike = 4010.0,
                          .type = t,
                          .bid = NAN,
                          .ask = NAN,
                          .last = NAN,
                          .iv = 0.1537,
                          .open_interest = 17.0,
                          .volume = NAN,
                          .multiplier = 100.0,
                          .vendor_delta = NAN,
                          .vendor_gamma = NAN};
        ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
    }
    ck_assert_int_eq(gex_chain_set_spot(chain, name, SPOT), GEX_OK);
    gex_chain_set_quote_time(chain, quote_utc());
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.iv_mode = GEX_IV_MODE_FILE;
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    gex_analysis *a = NULL;
    ck_assert_int_eq(gex_analysis_new(chain, NULL, &a, NULL), GEX_OK);
    *chain_out = chain;
    return a;
}

/* A snapshot holds its underlying's name whole, to the readers' GEX_SYMBOL_MAX bytes (two
 * names that differ in their last byte are two series); a longer one, which gex_chain_add
 * takes, is refused rather than cut. */
START_TEST(test_snapshot_from_analysis_symbol_whole)
{
    char name[GEX_SYMBOL_MAX + 2];
    gex_chain *chain = NULL;
    gex_analysis *a = named(GEX_SYMBOL_MAX, name, &chain);
    gex_snapshot snap;
    ck_assert_int_eq(gex_snapshot_from_analysis(a, &snap), GEX_OK);
    ck_assert_str_eq(snap.symbol, name);
    ck_assert_double_eq(snap.call_oi, 17.0);
    gex_analysis_free(a);
    gex_chain_free(chain);

    a = named(GEX_SYMBOL_MAX + 1, name, &chain);
    ck_assert_int_eq(gex_snapshot_from_analysis(a, &snap), GEX_EINVAL);
    gex_level iv;
    const int days = 30;
    ck_assert_int_eq(gex_snapshot_atm_iv_at(a, &days, 1, &iv), GEX_OK); /* no name in it */
    gex_analysis_free(a);
    gex_chain_free(chain);
}
END_TEST

/* The wings use each contract's Black-Scholes-Merton delta at its own IV (SPEC 6.2), not the
 * deltas the exposures used: the file's (--greeks file, here the textbook's moved by 0.037)
 * or the American model's (--exercise american) give the same wing IVs, to the bit, while
 * their net DEX differs. */
START_TEST(test_snapshot_from_analysis_wings_model_delta)
{
    const smile s[2] = {{16, 0.1481, -0.23}, {44, 0.1592, -0.17}};
    gex_analysis_options ao;
    gex_analysis_options_default(&ao);
    gex_chain *chain = NULL;
    gex_analysis *a = build_with(s, 2, 10.0, 0, &ao, 0.037, &chain);
    gex_snapshot base;
    ck_assert_int_eq(gex_snapshot_from_analysis(a, &base), GEX_OK);
    ck_assert(base.put_iv_25d.has && base.call_iv_25d.has);
    gex_analysis_free(a);
    gex_chain_free(chain);
    for (int k = 0; k < 2; k++) {
        gex_analysis_options_default(&ao);
        if (k == 0)
            ao.exposure.greeks_from_file = 1;
        else
            ao.exposure.exercise = GEX_EXPOSURE_AMERICAN;
        a = build_with(s, 2, 10.0, 0, &ao, 0.037, &chain);
        gex_snapshot snap;
        ck_assert_int_eq(gex_snapshot_from_analysis(a, &snap), GEX_OK);
        ck_assert(snap.net_dex != base.net_dex);
        ck_assert(snap.put_iv_25d.has && snap.call_iv_25d.has);
        ck_assert_double_eq(snap.put_iv_25d.value, base.put_iv_25d.value);
        ck_assert_double_eq(snap.call_iv_25d.value, base.call_iv_25d.value);
        gex_analysis_free(a);
        gex_chain_free(chain);
    }
}
END_TEST

/* The term structure sorts the contracts by expiration, type and strike: in one pass when the
 * file lists them in order, by the merge sort otherwise. Both give the same snapshot, to the
 * bit, from the same contracts added in opposite orders. */
START_TEST(test_snapshot_same_in_any_file_order)
{
    const smile s[3] = {{9, 0.131, -0.21}, {23, 0.147, -0.18}, {51, 0.168, -0.12}};
    gex_chain *in_order = NULL, *reversed = NULL;
    gex_analysis *a = build_ordered(s, 3, 5.0, 0, &in_order);
    gex_analysis *b = build_ordered(s, 3, 5.0, 1, &reversed);
    gex_snapshot sa, sb;
    ck_assert_int_eq(gex_snapshot_from_analysis(a, &sa), GEX_OK);
    ck_assert_int_eq(gex_snapshot_from_analysis(b, &sb), GEX_OK);
    ck_assert(sa.atm_iv.has && sa.put_iv_25d.has && sa.call_iv_25d.has);
    ck_assert_int_eq(sb.atm_iv.has, 1);
    ck_assert_double_eq(sa.atm_iv.value, sb.atm_iv.value);
    ck_assert_double_eq(sa.put_iv_25d.value, sb.put_iv_25d.value);
    ck_assert_double_eq(sa.call_iv_25d.value, sb.call_iv_25d.value);
    ck_assert_double_eq(sa.call_oi, sb.call_oi);
    ck_assert_double_eq(sa.put_oi, sb.put_oi);
    gex_analysis_free(a);
    gex_analysis_free(b);
    gex_chain_free(in_order);
    gex_chain_free(reversed);
}
END_TEST

/* A series: day d at 15:45 New York from 2024-01-02 on weekdays, spot and ATM IV given. */
static void series(gex_snapshot *s, size_t n, const double *spot, const double *iv)
{
    int32_t day = gex_time_days_from_civil(2024, 1, 2);
    for (size_t i = 0; i < n; i++) {
        while (gex_time_weekday(day) == 0 || gex_time_weekday(day) == 6)
            day++;
        memset(&s[i], 0, sizeof s[i]);
        snprintf(s[i].symbol, sizeof s[i].symbol, "SPY");
        s[i].quote_time = gex_time_eastern_to_utc(day, 15 * 3600 + 45 * 60);
        s[i].spot = spot[i];
        s[i].atm_iv.has = iv != NULL;
        s[i].atm_iv.value = iv != NULL ? iv[i] : 0.0;
        s[i].call_oi = 1000.0 + 17.0 * (double)(i * i);
        s[i].put_oi = 2000.0 - 3.0 * (double)i;
        day++;
    }
}

/* sqrt(252) times the sample standard deviation of the last N log returns ending at closes[e],
 * by the one-pass sums (the library uses two passes). */
static double rv_truth(const double *closes, size_t e, size_t N)
{
    double sum = 0.0, sum2 = 0.0;
    for (size_t j = e + 1 - N; j <= e; j++) {
        const double r = log(closes[j] / closes[j - 1]);
        sum += r;
        sum2 += r * r;
    }
    const double var = (sum2 - sum * sum / (double)N) / (double)(N - 1);
    return 100.0 * sqrt(var * 252.0);
}

START_TEST(test_history_metrics_compute_daily)
{
    enum { N = 70 };
    double spot[N], iv[N];
    double x = 471.23;
    for (size_t i = 0; i < N; i++) {
        /* a deterministic walk with varying steps */
        x *= exp(0.011 * sin(1.7 * (double)i) + 0.004 * cos(0.3 * (double)i * (double)i));
        spot[i] = x;
        iv[i] = 14.0 + 3.0 * sin(0.2 * (double)i);
    }
    gex_snapshot s[N];
    gex_history_metrics m[N];
    series(s, N, spot, iv);
    ck_assert_int_eq(gex_history_metrics_compute(s, N, m), GEX_OK);
    for (size_t i = 0; i < N; i++) {
        for (size_t w = 0; w < GEX_HISTORY_RV_COUNT; w++) {
            const size_t win = (size_t)gex_history_rv_window(w);
            ck_assert_int_eq(m[i].rv[w].has, i >= win);
            if (i < win)
                continue;
            /* 1e-9 percent: one-pass sums lose a few digits to cancellation */
            ck_assert_double_eq_tol(m[i].rv[w].value, rv_truth(spot, i, win), 1e-9);
            ck_assert_double_eq_tol(m[i].vrp[w].value, iv[i] - m[i].rv[w].value, 1e-12);
        }
        if (i >= 20) {
            const double a = iv[i] / 100.0, r = m[i].rv[2].value / 100.0;
            ck_assert_double_eq_tol(m[i].variance_risk_premium.value, a * a - r * r, 1e-15);
        } else
            ck_assert(!m[i].variance_risk_premium.has);
        /* vrp_20d exists from day 20: the z-score needs 5 earlier days of it */
        const size_t prior = i > 20 ? (i - 20 < 60 ? i - 20 : 60) : 0;
        ck_assert_uint_eq(m[i].history_days, prior);
        ck_assert_int_eq(m[i].z_score.has, prior >= 5);
        if (prior >= 5) {
            double sum = 0.0, sum2 = 0.0;
            size_t below = 0;
            for (size_t d = i - prior; d < i; d++) {
                const double v = m[d].vrp[2].value;
                sum += v;
                sum2 += v * v;
                below += v <= m[i].vrp[2].value;
            }
            const double mean = sum / (double)prior;
            const double sd = sqrt((sum2 - sum * mean) / (double)(prior - 1));
            ck_assert_double_eq_tol(m[i].z_score.value, (m[i].vrp[2].value - mean) / sd, 1e-9);
            ck_assert_double_eq(m[i].percentile.value, 100.0 * (double)below / (double)prior);
        }
        ck_assert_int_eq(m[i].call_oi_change.has, i > 0);
        if (i > 0) {
            ck_assert_double_eq(m[i].call_oi_change.value, 17.0 * (double)(2 * i - 1));
            ck_assert_double_eq(m[i].put_oi_change.value, -3.0);
        }
    }
    /* Without ATM IV there is RV but no VRP. */
    series(s, N, spot, NULL);
    ck_assert_int_eq(gex_history_metrics_compute(s, N, m), GEX_OK);
    ck_assert(m[40].rv[3].has && !m[40].vrp[3].has && !m[40].z_score.has);
}
END_TEST

/* Several snapshots a day: only the last closes the day; an earlier one uses its own spot as
 * the day's close so far. */
START_TEST(test_history_metrics_compute_intraday)
{
    enum { N = 8 };
    const double spot[N] = {100.0, 101.3, 99.7, 102.2, 98.4, 103.1, 97.9, 104.6};
    gex_snapshot s[N + 1];
    gex_history_metrics m[N + 1];
    series(s, N, spot, NULL);
    /* one more snapshot on day 5 (index 5), an hour before its close, at another spot */
    memmove(&s[6], &s[5], (N - 5) * sizeof s[0]);
    s[5].quote_time -= 3600;
    s[5].spot = 110.0;
    ck_assert_int_eq(gex_history_metrics_compute(s, N + 1, m), GEX_OK);
    const double closes_a[6] = {100.0, 101.3, 99.7, 102.2, 98.4, 110.0};
    ck_assert_double_eq_tol(m[5].rv[0].value, rv_truth(closes_a, 5, 5), 1e-9);
    ck_assert_double_eq_tol(m[6].rv[0].value, rv_truth(spot, 5, 5), 1e-9);
    /* the day after: the day's close was 103.1, not 110 */
    ck_assert_double_eq_tol(m[8].rv[0].value, rv_truth(spot, 7, 5), 1e-9);
    ck_assert_double_eq(gex_history_trading_day(s[5].quote_time),
                        gex_history_trading_day(s[6].quote_time));
}
END_TEST

/* A chain saved on a Saturday or a Sunday holds Friday's close: no trading day of its own,
 * no zero return that would lower every realized vol (a Friday file copied to Saturday and
 * Sunday leaves the metrics as they were). */
START_TEST(test_history_metrics_compute_weekend)
{
    enum { N = 30 };
    double spot[N];
    for (size_t i = 0; i < N; i++)
        spot[i] = 100.0 * exp(0.01 * sin(1.3 * (double)i));
    gex_snapshot s[N + 2];
    gex_history_metrics plain[N], m[N + 2];
    series(s, N, spot, NULL);
    ck_assert_int_eq(gex_history_metrics_compute(s, N, plain), GEX_OK);
    /* find a Friday among the first 25 days, copy it to the Saturday and Sunday after */
    size_t f = 0;
    while (gex_time_weekday(gex_history_trading_day(s[f].quote_time)) != 5)
        f++;
    ck_assert_uint_lt(f, 25);
    memmove(&s[f + 3], &s[f + 1], (N - f - 1) * sizeof s[0]);
    s[f + 1] = s[f];
    s[f + 1].quote_time += 86400;
    s[f + 2] = s[f];
    s[f + 2].quote_time += 2 * 86400;
    ck_assert_int_eq(gex_history_trading_day(s[f + 2].quote_time),
                     gex_history_trading_day(s[f].quote_time));
    ck_assert_int_eq(gex_history_metrics_compute(s, N + 2, m), GEX_OK);
    for (size_t i = 0; i < N; i++) {
        const size_t j = i <= f ? i : i + 2;
        for (size_t w = 0; w < GEX_HISTORY_RV_COUNT; w++) {
            ck_assert_int_eq(m[j].rv[w].has, plain[i].rv[w].has);
            if (plain[i].rv[w].has)
                ck_assert_double_eq_tol(m[j].rv[w].value, plain[i].rv[w].value, 1e-12);
        }
    }
}
END_TEST

/* A change of currency starts the series again: each run of one currency is measured as a
 * series of its own (a snapshot without one, all zero, is in dollars). */
START_TEST(test_history_metrics_compute_currency_break)
{
    enum { N = 40, K = 27 };
    double spot[N], iv[N];
    for (size_t i = 0; i < N; i++) {
        spot[i] = 100.0 * exp(0.01 * sin(1.3 * (double)i));
        iv[i] = 15.0 + sin(0.4 * (double)i);
    }
    gex_snapshot s[N];
    gex_history_metrics m[N], alone[N];
    series(s, N, spot, iv);
    for (size_t i = 0; i < N; i++)
        snprintf(s[i].currency, sizeof s[i].currency, "%s", i < K ? (i % 2 ? "USD" : "") : "EUR");
    ck_assert_int_eq(gex_history_metrics_compute(s, N, m), GEX_OK);
    ck_assert_int_eq(gex_history_metrics_compute(s, K, alone), GEX_OK);
    ck_assert_int_eq(gex_history_metrics_compute(s + K, N - K, alone + K), GEX_OK);
    ck_assert_mem_eq(m, alone, sizeof m);
    ck_assert(!m[K].call_oi_change.has && !m[K].rv[0].has && m[K - 1].rv[2].has);
    ck_assert(m[K + 5].rv[0].has && !m[K + 5].rv[1].has);
}
END_TEST

START_TEST(test_history_metrics_compute_constant_vrp)
{
    /* A flat spot (RV 0) and a flat ATM IV give a vrp_20d that never moves: its standard
     * deviation is 0 and there is no z-score (SPEC 6.3). The mean of 6, 7, 8 or 11 equal values
     * by a plain sum is an ulp off, which gave a standard deviation of 1e-15 and a z-score of
     * up to 7.7e11. */
    enum { N = 40 };
    double spot[N], iv[N];
    for (size_t i = 0; i < N; i++) {
        spot[i] = 4505.1;
        iv[i] = 14.424989451607328;
    }
    gex_snapshot s[N];
    gex_history_metrics m[N];
    series(s, N, spot, iv);
    ck_assert_int_eq(gex_history_metrics_compute(s, N, m), GEX_OK);
    for (size_t i = 25; i < N; i++) {
        ck_assert(m[i].vrp[2].has && m[i].vrp[2].value == iv[i]);
        ck_assert_msg(!m[i].z_score.has, "day %zu: z-score %g of a constant series", i,
                      m[i].z_score.value);
        ck_assert(m[i].percentile.has && m[i].percentile.value == 100.0);
    }
}
END_TEST

START_TEST(test_history_metrics_compute_errors)
{
    const double spot[3] = {100.0, 101.0, 102.0};
    gex_snapshot s[3];
    gex_history_metrics m[3];
    series(s, 3, spot, NULL);
    ck_assert_int_eq(gex_history_metrics_compute(NULL, 0, NULL), GEX_OK);
    ck_assert_int_eq(gex_history_metrics_compute(NULL, 3, m), GEX_EINVAL);
    ck_assert_int_eq(gex_history_metrics_compute(s, 3, NULL), GEX_EINVAL);
    gex_snapshot t = s[1];
    s[1] = s[2];
    s[2] = t;
    ck_assert_int_eq(gex_history_metrics_compute(s, 3, m), GEX_EINVAL); /* not in time order */
    series(s, 3, spot, NULL);
    snprintf(s[2].symbol, sizeof s[2].symbol, "QQQ");
    ck_assert_int_eq(gex_history_metrics_compute(s, 3, m), GEX_EINVAL); /* two underlyings */
    series(s, 3, spot, NULL);
    s[1].spot = 0.0;
    ck_assert_int_eq(gex_history_metrics_compute(s, 3, m), GEX_EINVAL);
    ck_assert_int_eq(gex_snapshot_from_analysis(NULL, &s[0]), GEX_EINVAL);
    ck_assert_int_eq(gex_history_rv_window(4), 0);
    /* 2024-03-08 04:30 UTC is still Thursday 2024-03-07 in New York */
    ck_assert_int_eq(gex_history_trading_day(INT64_C(1709872200)),
                     gex_time_days_from_civil(2024, 3, 7));
    /* 2024-03-10 04:30 UTC is still Saturday 2024-03-09 in New York: Friday's trading day */
    ck_assert_int_eq(gex_history_trading_day(INT64_C(1710045000)),
                     gex_time_days_from_civil(2024, 3, 8));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("history");
    TCase *tc = tcase_create("history");
    tcase_add_test(tc, test_snapshot_from_analysis_total_variance);
    tcase_add_test(tc, test_history_metrics_compute_currency_break);
    tcase_add_test(tc, test_snapshot_from_analysis_atm_is_forward_moneyness);
    tcase_add_test(tc, test_snapshot_from_analysis_wings_at_25_delta);
    tcase_add_test(tc, test_snapshot_same_in_any_file_order);
    tcase_add_test(tc, test_snapshot_from_analysis_oi_max_delta);
    tcase_add_test(tc, test_snapshot_from_analysis_symbol_whole);
    tcase_add_test(tc, test_snapshot_from_analysis_wings_model_delta);
    tcase_add_test(tc, test_history_metrics_compute_daily);
    tcase_add_test(tc, test_history_metrics_compute_intraday);
    tcase_add_test(tc, test_history_metrics_compute_weekend);
    tcase_add_test(tc, test_history_metrics_compute_constant_vrp);
    tcase_add_test(tc, test_history_metrics_compute_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
