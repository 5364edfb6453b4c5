/*
 * api-volatility.c: the volatility documents of the API from one chain (SPEC 5.3): the
 * expected move, the skew term structure, the IV surface, the SVI fits with their arbitrage
 * checks (surface/svi and adv_volatility), and liquidity; and the per-expiration slices
 * (forward, straddle, ATM IV, smile, SVI fit) they and max pain read.
 */
#include "api-volatility.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gex/gex.h"

int gex__vol_keeps(const gex__analysis *a, const gex_chain_view *v, size_t i)
{
    gex_contract_exposures ce;
    gex_exposure_get_contracts(a->exposure, &ce);
    return v->T[i] > 0 && i < ce.n && ce.kept[i];
}

json_t *gex__vol_num(double v)
{
    return isfinite(v) ? json_real(v == 0.0 ? 0.0 : v) : json_null();
}

json_t *gex__vol_finish(const gex__analysis *a, json_t *d, int st, const char *own,
                        gex__api_answer *ans)
{
    d = gex__doc_complete(a, d, st);
    if (d != NULL && own != NULL) {
        json_t *list = json_array();
        for (const char *p = own; list != NULL && *p != '\0';) {
            const size_t len = strcspn(p, ",");
            if (json_array_append_new(list, json_stringn(p, len)) != 0) {
                json_decref(list);
                list = NULL;
                break;
            }
            p += len + (p[len] == ',');
        }
        if (gex__jset(json_object_get(d, "meta"), "gex_own", list) != GEX_OK) {
            json_decref(d);
            d = NULL;
        }
    }
    if (d == NULL)
        return gex__api_fail(ans, 500, "internal_error", "out of memory building the document");
    return d;
}

void gex__vol_free(gex__vol_chain *c)
{
    if (c == NULL)
        return;
    free(c->slice);
    free(c->k);
    free(c->iv);
    free(c->strike);
    memset(c, 0, sizeof *c);
}

/* The smile's reach, in standard deviations of the forward's log-moneyness. */
#define SMILE_SDS 6.0

typedef struct vol_point {
    double k, iv, strike;
} vol_point;

static int point_cmp(const void *x, const void *y)
{
    const double a = ((const vol_point *)x)->k, b = ((const vol_point *)y)->k;
    return (a > b) - (a < b);
}

static int two_sided(const gex_chain_view *v, size_t i)
{
    return isfinite(v->bid[i]) && isfinite(v->ask[i]) && v->bid[i] > 0 && v->ask[i] >= v->bid[i];
}

/* The straddle of slice s: the strike nearest the forward with a two-sided call and put.
 * idx holds the slice's m kept contracts. */
static void straddle(const gex_chain_view *v, const size_t *idx, size_t m, gex__vol_slice *s)
{
    s->atm_strike = s->call_mid = s->put_mid = s->straddle = NAN;
    double best = HUGE_VAL;
    for (size_t a = 0; a < m; a++) {
        const size_t i = idx[a];
        if (v->type[i] != GEX_CALL || !two_sided(v, i) || !(fabs(v->strike[i] - s->forward) < best))
            continue;
        for (size_t b = 0; b < m; b++) {
            const size_t j = idx[b];
            if (v->type[j] == GEX_PUT && v->strike[j] == v->strike[i] && v->root[j] == v->root[i] &&
                two_sided(v, j)) {
                best = fabs(v->strike[i] - s->forward);
                s->atm_strike = v->strike[i];
                s->call_mid = (v->bid[i] + v->ask[i]) / 2;
                s->put_mid = (v->bid[j] + v->ask[j]) / 2;
                s->straddle = s->call_mid + s->put_mid;
                break;
            }
        }
    }
}

int gex__vol_collect(const gex__analysis *a, int fit, gex__vol_chain *out)
{
    memset(out, 0, sizeof *out);
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    out->spot = a->spot;
    out->quote_date = gex_exposure_quote_date(a->exposure);
    uint8_t *keep = malloc(v.n + 1);
    size_t *idx = malloc((v.n + 1) * sizeof *idx);
    vol_point *pt = malloc((v.n + 1) * sizeof *pt);
    out->slice = malloc((v.n + 1) * sizeof *out->slice);
    out->k = malloc((v.n + 1) * sizeof(double));
    out->iv = malloc((v.n + 1) * sizeof(double));
    out->strike = malloc((v.n + 1) * sizeof(double));
    if (keep == NULL || idx == NULL || pt == NULL || out->slice == NULL || out->k == NULL ||
        out->iv == NULL || out->strike == NULL) {
        free(keep);
        free(idx);
        free(pt);
        gex__vol_free(out);
        return GEX_ENOMEM;
    }
    for (size_t i = 0; i < v.n; i++)
        keep[i] = (uint8_t)gex__vol_keeps(a, &v, i);
    /* The expirations kept, ascending (a chain's contracts are in any order). */
    for (size_t i = 0; i < v.n; i++) {
        if (!keep[i])
            continue;
        size_t e = 0;
        while (e < out->n && out->slice[e].expiration < v.expiration[i])
            e++;
        if (e < out->n && out->slice[e].expiration == v.expiration[i])
            continue;
        memmove(out->slice + e + 1, out->slice + e, (out->n - e) * sizeof *out->slice);
        out->slice[e] = (gex__vol_slice){
            .expiration = v.expiration[i], .T = v.T[i], .rate = v.r[i], .div = v.q[i]};
        out->n++;
    }
    /* A date's T is its latest settlement's (an index's PM weeklies beside its AM monthly). */
    for (size_t i = 0; i < v.n; i++)
        if (keep[i])
            for (size_t e = 0; e < out->n; e++)
                if (out->slice[e].expiration == v.expiration[i])
                    out->slice[e].T = fmax(out->slice[e].T, v.T[i]);
    for (size_t e = 0; e < out->n; e++) {
        gex__vol_slice *s = &out->slice[e];
        s->dte = (int)(s->expiration - out->quote_date);
        s->forward = out->spot * exp((s->rate - s->div) * s->T);
        size_t m = 0;
        for (size_t i = 0; i < v.n; i++)
            if (keep[i] && v.expiration[i] == s->expiration)
                idx[m++] = i;
        straddle(&v, idx, m, s);
        size_t n = 0;
        for (size_t x = 0; x < m; x++) {
            const size_t i = idx[x];
            if (v.status[i] != GEX_CONTRACT_OK || !(v.iv[i] > 0))
                continue;
            /* Each contract's own forward: roots of one date may settle AM and PM. */
            const double F = out->spot * exp((v.r[i] - v.q[i]) * v.T[i]);
            if (v.type[i] == GEX_CALL ? v.strike[i] < F : v.strike[i] >= F)
                continue;
            /* Total variance is what contracts of one date settling at different instants
             * share: each point carries iv^2 T_i, written as the IV over the slice's T. */
            pt[n++] = (vol_point){log(v.strike[i] / F), v.iv[i] * sqrt(v.T[i] / s->T), v.strike[i]};
        }
        qsort(pt, n, sizeof *pt, point_cmp);
        s->atm_iv = NAN;
        if (n > 0) {
            size_t j = 0;
            while (j < n && pt[j].k < 0)
                j++;
            if (j == 0)
                s->atm_iv = pt[0].iv;
            else if (j == n)
                s->atm_iv = pt[n - 1].iv;
            else
                s->atm_iv = pt[j - 1].iv +
                            (pt[j].iv - pt[j - 1].iv) * (0 - pt[j - 1].k) / (pt[j].k - pt[j - 1].k);
        }
        /* The smile: the points within SMILE_SDS standard deviations (ATM IV sqrt(T)) of the
         * forward; farther ones are quotes at the minimum tick whose IVs say nothing. */
        const double band = SMILE_SDS * s->atm_iv * sqrt(s->T);
        s->first = out->points;
        s->n = 0;
        for (size_t j = 0; j < n; j++) {
            if (!(fabs(pt[j].k) <= band))
                continue;
            out->k[out->points] = pt[j].k;
            out->iv[out->points] = pt[j].iv;
            out->strike[out->points] = pt[j].strike;
            out->points++;
            s->n++;
        }
        s->fit_status = GEX_EEMPTY;
        if (fit)
            s->fit_status =
                gex_svi_fit_slice(out->k + s->first, out->iv + s->first, s->n, s->T, &s->fit);
    }
    free(keep);
    free(idx);
    free(pt);
    return GEX_OK;
}

/* --- shared pieces --- */

static json_t *no_analysis(gex__api_answer *ans)
{
    return gex__api_fail(ans, 500, "internal_error", "the endpoint was asked without a chain");
}

static json_t *no_data(const gex__analysis *a, gex__api_answer *ans, const char *what)
{
    return gex__api_fail(ans, 404, "no_data",
                         "%s: %s: ask for other expirations, a lower min_oi, or a chain file "
                         "with implied volatilities or two-sided quotes",
                         a->symbol, what);
}

static int append(json_t *arr, json_t *o)
{
    return o == NULL || json_array_append_new(arr, o) != 0;
}

/* The request's chain and its slices (with their SVI fits when fit) into *c, for the endpoints
 * that need at least one (/v1/volatility/skew-term, /v1/liquidity): the analysis, or NULL with
 * the answer in *ans (no chain, out of memory, no unexpired slice) and nothing left to free. */
static const gex__analysis *slices_input(const gex__api_input *in, int fit, gex__api_answer *ans,
                                         gex__vol_chain *c)
{
    const gex__analysis *a = in->analysis;
    if (a == NULL) {
        no_analysis(ans);
        return NULL;
    }
    if (gex__vol_collect(a, fit, c) != GEX_OK) {
        gex__api_fail(ans, 500, "internal_error", "out of memory");
        return NULL;
    }
    if (c->n == 0) {
        gex__vol_free(c);
        no_data(a, ans, "no unexpired contract passes the filters");
        return NULL;
    }
    return a;
}

/* The fitted slices, ascending T (ascending expiration; an AM and a PM settlement of one date
 * are one expiration). */
/* The chain's slices with their SVI fits into *c, and the fitted ones, in expiration order,
 * into *f (malloc'ed, *nf of them): GEX_OK, or GEX_ENOMEM with nothing left to free. */
static int collect_fitted(const gex__analysis *a, gex__vol_chain *c, const gex__vol_slice ***f,
                          size_t *nf)
{
    *f = NULL;
    *nf = 0;
    const gex__vol_slice **out = NULL;
    if (gex__vol_collect(a, 1, c) != GEX_OK || (out = malloc((c->n + 1) * sizeof *out)) == NULL) {
        gex__vol_free(c);
        return GEX_ENOMEM;
    }
    for (size_t e = 0; e < c->n; e++)
        if (c->slice[e].fit_status == GEX_OK)
            out[(*nf)++] = &c->slice[e];
    *f = out;
    return GEX_OK;
}

/* The request's chain and collect_fitted's slices, for the endpoints drawn from the fits alone
 * (/v1/surface, /v1/surface/svi, /v1/adv_volatility): the analysis with at least one fitted
 * slice, or NULL with the answer in *ans (no chain, out of memory, no fitted slice) and nothing
 * left to free. */
static const gex__analysis *fitted_input(const gex__api_input *in, gex__api_answer *ans,
                                         gex__vol_chain *c, const gex__vol_slice ***f, size_t *nf)
{
    const gex__analysis *a = in->analysis;
    if (a == NULL) {
        no_analysis(ans);
        return NULL;
    }
    if (collect_fitted(a, c, f, nf) != GEX_OK) {
        gex__api_fail(ans, 500, "internal_error", "out of memory");
        return NULL;
    }
    if (*nf == 0) {
        free(*f);
        gex__vol_free(c);
        no_data(a, ans, "no expiration has six out-of-the-money implied volatilities to fit");
        return NULL;
    }
    return a;
}

static double fit_w(const gex__vol_slice *s, double k)
{
    return gex_svi_total_variance(&s->fit.params, k, NULL, NULL);
}

/* --- /v1/expected-move --- */

/* The straddle's 1-sigma move: an at-the-money straddle is worth S sigma sqrt(T) sqrt(2/pi)
 * to first order (Brenner and Subrahmanyam, Financial Analysts Journal 44(5), 1988), so the
 * 1-sigma move is the straddle times sqrt(pi/2). */
#define SQRT_PI_2 1.2533141373155003

json_t *gex__api_expected_move(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__analysis *a = in->analysis;
    if (a == NULL)
        return no_analysis(ans);
    const char *want = gex__api_param(in->params, "expiry");
    int32_t want_day = 0;
    if (want != NULL && gex_time_parse_date(want, strlen(want), &want_day) != GEX_OK)
        return gex__api_fail(ans, 400, "invalid_parameter",
                             "expiry %s is not a date: write it as YYYY-MM-DD", want);
    gex__vol_chain c;
    if (gex__vol_collect(a, 0, &c) != GEX_OK)
        return gex__api_fail(ans, 500, "internal_error", "out of memory");
    json_t *d = gex__doc_head(a), *arr = json_array();
    int st = d == NULL || arr == NULL;
    size_t shown = 0;
    for (size_t e = 0; !st && e < c.n; e++) {
        const gex__vol_slice *s = &c.slice[e];
        if (want != NULL && s->expiration != want_day)
            continue;
        const double by_straddle = s->straddle * SQRT_PI_2;
        const double by_iv = a->spot * s->atm_iv * sqrt(s->T);
        const double move = isfinite(by_straddle) ? by_straddle : by_iv;
        char date[16];
        gex_time_format_date(s->expiration, date, sizeof date);
        json_t *o = json_object();
        st |= gex__jset(o, "expiry", gex__jstr(date));
        st |= gex__jset(o, "daysToExpiry", json_integer(s->dte));
        st |= gex__jset(o, "atmIv", gex__vol_num(s->atm_iv));
        st |= gex__jset(o, "expectedMove", gex__vol_num(move));
        st |= gex__jset(o, "expectedMovePct", gex__vol_num(move / a->spot * 100));
        st |= gex__jset(o, "lowerBound", gex__vol_num(a->spot - move));
        st |= gex__jset(o, "upperBound", gex__vol_num(a->spot + move));
        st |= gex__jset(o, "method",
                        isfinite(by_straddle) ? gex__jstr("straddle")
                        : isfinite(by_iv)     ? gex__jstr("iv")
                                              : json_null());
        st |= gex__jset(o, "straddle", gex__vol_num(s->straddle));
        st |= gex__jset(o, "straddleStrike", gex__vol_num(s->atm_strike));
        st |= gex__jset(o, "straddleMove", gex__vol_num(by_straddle));
        st |= gex__jset(o, "ivMove", gex__vol_num(by_iv));
        st |= append(arr, o);
        shown++;
    }
    gex__vol_free(&c);
    if (!st && shown == 0) {
        json_decref(d);
        json_decref(arr);
        return want != NULL ? gex__api_fail(ans, 404, "no_data",
                                            "%s: no contract of expiry %s passes the request's "
                                            "filters: GET /v1/options/%s lists the expirations",
                                            a->symbol, want, a->symbol)
                            : no_data(a, ans, "no unexpired contract passes the filters");
    }
    st |= gex__jset(d, "expected_moves", arr);
    return gex__vol_finish(a, d, st, "method,straddle,straddleStrike,straddleMove,ivMove", ans);
}

/* --- /v1/volatility/skew-term --- */

/* Forward (undiscounted) deltas, the vol desk's convention: a call of delta D has
 * d1 = N^-1(D), a put of delta -D has d1 = -N^-1(D). N^-1(0.25) and N^-1(0.10): */
#define Z25 (-0.67448975019608171)
#define Z10 (-1.2815515655446004)
/* Bisection over log-moneyness [-SKEW_K_MAX, SKEW_K_MAX]: 3 is 95% below or 20 times above
 * the forward, past any listed strike; 200 halvings reach double precision. */
#define SKEW_K_MAX 3.0
#define SKEW_ITER  200

/* The IV (a fraction) of the strike whose d1 = -k / sqrt(w) + sqrt(w) / 2 equals target on the
 * fitted smile; NAN when no k in range has it. d1 falls with k on a smile free of butterfly
 * arbitrage. */
static double iv_at_d1(const gex__vol_slice *s, double target)
{
    double lo = -SKEW_K_MAX, hi = SKEW_K_MAX;
#define D1(k) (-(k) / sqrt(fit_w(s, k)) + sqrt(fit_w(s, k)) / 2)
    double flo = D1(lo) - target, fhi = D1(hi) - target;
    if (!(fit_w(s, lo) > 0 && fit_w(s, hi) > 0) || !(flo > 0 && fhi < 0))
        return NAN;
    for (int i = 0; i < SKEW_ITER; i++) {
        const double mid = (lo + hi) / 2, wm = fit_w(s, mid);
        if (!(wm > 0))
            return NAN;
        if (D1(mid) - target > 0)
            lo = mid;
        else
            hi = mid;
    }
#undef D1
    const double w = fit_w(s, (lo + hi) / 2);
    return sqrt(w / s->T);
}

/* Without an SVI fit (a slice of fewer than GEX_SVI_MIN_POINTS smile points: a 0DTE
 * expiration often has only a handful within the band), the IV at d1 = target from the smile's
 * own points: each point's d1 = -k / (iv sqrt T) + iv sqrt(T) / 2, the IV interpolated linearly
 * in d1 between the two neighbouring points whose d1 bracket target (the market's delta-space
 * interpolation); NAN when no pair brackets it (the delta lies beyond the quoted wings). */
static double iv_at_d1_points(const gex__vol_chain *c, const gex__vol_slice *s, double target)
{
    const double *k = c->k + s->first, *iv = c->iv + s->first, sq = sqrt(s->T);
    for (size_t j = 1; j < s->n; j++) {
        const double a = -k[j - 1] / (iv[j - 1] * sq) + iv[j - 1] * sq / 2,
                     b = -k[j] / (iv[j] * sq) + iv[j] * sq / 2;
        if (!isfinite(a) || !isfinite(b) || a == b)
            continue;
        if ((a - target) * (b - target) <= 0)
            return iv[j - 1] + (iv[j] - iv[j - 1]) * (target - a) / (b - a);
    }
    return NAN;
}

/* The IV at d1 = target: on the SVI fit when the slice has one, else from its points. */
static double slice_iv_at_d1(const gex__vol_chain *c, const gex__vol_slice *s, int fitted,
                             double target)
{
    return fitted ? iv_at_d1(s, target) : iv_at_d1_points(c, s, target);
}

json_t *gex__api_skew_term(const gex__api_input *in, gex__api_answer *ans)
{
    gex__vol_chain c;
    const gex__analysis *a = slices_input(in, 1, ans, &c);
    if (a == NULL)
        return NULL;
    json_t *d = gex__doc_head(a), *arr = json_array();
    int st = d == NULL || arr == NULL;
    for (size_t e = 0; !st && e < c.n; e++) {
        const gex__vol_slice *s = &c.slice[e];
        const int ok = s->fit_status == GEX_OK && fit_w(s, 0) > 0;
        /* Unfitted: the smile's own ATM IV, and the deltas' IVs from its points. */
        const double atm = ok ? sqrt(fit_w(s, 0) / s->T) * 100 : s->atm_iv * 100;
        const double p25 = slice_iv_at_d1(&c, s, ok, -Z25) * 100,
                     c25 = slice_iv_at_d1(&c, s, ok, Z25) * 100,
                     p10 = slice_iv_at_d1(&c, s, ok, -Z10) * 100,
                     c10 = slice_iv_at_d1(&c, s, ok, Z10) * 100;
        char date[16];
        gex_time_format_date(s->expiration, date, sizeof date);
        json_t *o = json_object();
        st |= gex__jset(o, "expiry", gex__jstr(date));
        st |= gex__jset(o, "dte", json_integer(s->dte));
        st |= gex__jset(o, "atm_iv", gex__vol_num(atm));
        st |= gex__jset(o, "put_25d_iv", gex__vol_num(p25));
        st |= gex__jset(o, "call_25d_iv", gex__vol_num(c25));
        st |= gex__jset(o, "put_10d_iv", gex__vol_num(p10));
        st |= gex__jset(o, "call_10d_iv", gex__vol_num(c10));
        st |= gex__jset(o, "skew_25d", gex__vol_num(p25 - c25));
        st |= gex__jset(o, "risk_reversal_25d", gex__vol_num(c25 - p25));
        st |= gex__jset(o, "butterfly_25d", gex__vol_num((p25 + c25) / 2 - atm));
        st |= gex__jset(o, "tail_convexity", gex__vol_num(p10 - 2 * p25 + atm));
        st |= gex__jset(o, "points", json_integer((json_int_t)s->n));
        st |= gex__jset(o, "rmse_vol_points",
                        s->fit_status == GEX_OK ? gex__vol_num(s->fit.rmse_vol) : json_null());
        st |= append(arr, o);
    }
    gex__vol_free(&c);
    st |= gex__jset(d, "expiries", arr);
    return gex__vol_finish(a, d, st, "tail_convexity,points,rmse_vol_points", ans);
}

/* --- /v1/surface: an IV grid interpolated between the SVI fits --- */

/* The vendor's grid: grid_size x grid_size (flashalpha-js types.ts, "typically 50"). */
#define SURFACE_GRID 50
/* The moneyness axis spans the smiles' data, within +-SURFACE_K_MAX (beyond, one far
 * expiration's deep wings would stretch every other smile's extrapolation). */
#define SURFACE_K_MAX 0.5

/* Whether k lies within the data of slice s (the fit is extrapolation beyond). */
static int covers(const gex__vol_chain *c, const gex__vol_slice *s, double k)
{
    return k >= c->k[s->first] && k <= c->k[s->first + s->n - 1];
}

/* Total variance at (k, t) linear in t between the fitted slices around t (at equal k); NAN
 * where k is outside the data of either (no smile was seen there). */
static double surface_w(const gex__vol_chain *c, const gex__vol_slice *const *f, size_t n, double k,
                        double t)
{
    size_t i = 1;
    while (i < n - 1 && t > f[i]->T)
        i++;
    if (n == 1 || t <= f[0]->T)
        return covers(c, f[0], k) ? fit_w(f[0], k) * t / f[0]->T : (double)NAN;
    if (!covers(c, f[i - 1], k) || !covers(c, f[i], k))
        return NAN;
    const double u = (t - f[i - 1]->T) / (f[i]->T - f[i - 1]->T);
    return fit_w(f[i - 1], k) * (1 - u) + fit_w(f[i], k) * u;
}

/* The moneyness axis of the fitted slices: their data's range, within +-SURFACE_K_MAX. */
static void surface_k_range(const gex__vol_chain *c, const gex__vol_slice *const *f, size_t n,
                            double *lo, double *hi)
{
    *lo = HUGE_VAL;
    *hi = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        *lo = fmin(*lo, c->k[f[i]->first]);
        *hi = fmax(*hi, c->k[f[i]->first + f[i]->n - 1]);
    }
    *lo = fmax(*lo, -SURFACE_K_MAX);
    *hi = fmin(*hi, SURFACE_K_MAX);
}

static json_t *axis(const double *x, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++)
        if (append(arr, gex__vol_num(x[i]))) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

json_t *gex__api_surface(const gex__api_input *in, gex__api_answer *ans)
{
    gex__vol_chain c;
    const gex__vol_slice **f;
    size_t nf;
    const gex__analysis *a = fitted_input(in, ans, &c, &f, &nf);
    if (a == NULL)
        return NULL;
    double klo, khi, tenor[SURFACE_GRID], money[SURFACE_GRID];
    surface_k_range(&c, f, nf, &klo, &khi);
    for (int i = 0; i < SURFACE_GRID; i++) {
        tenor[i] = f[0]->T + (f[nf - 1]->T - f[0]->T) * i / (SURFACE_GRID - 1.0);
        money[i] = klo + (khi - klo) * i / (SURFACE_GRID - 1.0);
    }
    char iso[40];
    gex_time_format_iso(a->as_of, iso, sizeof iso);
    json_t *d = json_object(), *grid = json_array();
    int st = d == NULL || grid == NULL;
    st |= gex__jset(d, "symbol", gex__jstr(a->symbol));
    st |= gex__jset(d, "spot", gex__vol_num(a->spot));
    st |= gex__jset(d, "as_of", gex__jstr(iso));
    st |= gex__jset(d, "grid_size", json_integer(SURFACE_GRID));
    st |= gex__jset(d, "tenors", axis(tenor, SURFACE_GRID));
    st |= gex__jset(d, "moneyness", axis(money, SURFACE_GRID));
    for (int i = 0; !st && i < SURFACE_GRID; i++) {
        json_t *row = json_array();
        st |= row == NULL;
        for (int j = 0; !st && j < SURFACE_GRID; j++) {
            const double w = surface_w(&c, f, nf, money[j], tenor[i]);
            st |= append(row, gex__vol_num(w > 0 ? sqrt(w / tenor[i]) * 100 : (double)NAN));
        }
        st |= append(grid, row);
    }
    st |= gex__jset(d, "iv", grid);
    st |= gex__jset(d, "slices_used", json_integer((json_int_t)nf));
    free(f);
    gex__vol_free(&c);
    return gex__vol_finish(a, d, st, NULL, ans);
}

/* --- /v1/surface/svi and /v1/adv_volatility --- */

static json_t *svi_row(const gex__vol_slice *s)
{
    char date[16];
    gex_time_format_date(s->expiration, date, sizeof date);
    const gex_svi_params *p = &s->fit.params;
    const double w0 = fit_w(s, 0);
    json_t *o = json_object();
    int st = o == NULL;
    st |= gex__jset(o, "expiry", gex__jstr(date));
    st |= gex__jset(o, "days_to_expiry", json_integer(s->dte));
    st |= gex__jset(o, "forward", gex__vol_num(s->forward));
    st |= gex__jset(o, "a", gex__vol_num(p->a));
    st |= gex__jset(o, "b", gex__vol_num(p->b));
    st |= gex__jset(o, "rho", gex__vol_num(p->rho));
    st |= gex__jset(o, "m", gex__vol_num(p->m));
    st |= gex__jset(o, "sigma", gex__vol_num(p->sigma));
    st |= gex__jset(o, "atm_total_variance", gex__vol_num(w0));
    st |= gex__jset(o, "atm_iv", gex__vol_num(w0 > 0 ? sqrt(w0 / s->T) * 100 : (double)NAN));
    st |= gex__jset(o, "tenor", gex__vol_num(s->T));
    st |= gex__jset(o, "points", json_integer((json_int_t)s->fit.points));
    st |= gex__jset(o, "rmse_vol_points", gex__vol_num(s->fit.rmse_vol));
    st |= gex__jset(o, "max_abs_residual_vol_points", gex__vol_num(s->fit.max_abs_vol));
    st |= gex__jset(o, "rmse_total_variance", gex__vol_num(s->fit.rmse_w));
    if (st) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The expirations left unfitted, and why. */
static json_t *unfitted(const gex__vol_chain *c)
{
    json_t *arr = json_array();
    int st = arr == NULL;
    for (size_t e = 0; !st && e < c->n; e++) {
        const gex__vol_slice *s = &c->slice[e];
        if (s->fit_status == GEX_OK)
            continue;
        char date[16];
        gex_time_format_date(s->expiration, date, sizeof date);
        json_t *o = json_object();
        st |= gex__jset(o, "expiry", gex__jstr(date));
        st |= gex__jset(o, "points", json_integer((json_int_t)s->n));
        st |= gex__jset(o, "reason",
                        gex__jstr(s->fit_status == GEX_EEMPTY
                                      ? "fewer than 6 out-of-the-money implied volatilities "
                                        "at 3 or more strikes"
                                      : "the calibration found no finite fit"));
        st |= append(arr, o);
    }
    if (st) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static json_t *svi_head(const gex__analysis *a, const gex__vol_chain *c,
                        const gex__vol_slice *const *f, size_t nf)
{
    json_t *d = gex__doc_head(a), *arr = json_array();
    int st = d == NULL || arr == NULL;
    st |= gex__jset(d, "market_open", json_boolean(gex_time_regular_session(a->as_of)));
    for (size_t i = 0; !st && i < nf; i++)
        st |= append(arr, svi_row(f[i]));
    st |= gex__jset(d, "svi_parameters", arr);
    st |= gex__jset(d, "unfitted_expiries", unfitted(c));
    if (st) {
        json_decref(d);
        return NULL;
    }
    return d;
}

#define SVI_OWN                                                                                    \
    "market_open,svi_parameters.tenor,svi_parameters.points,svi_parameters.rmse_vol_points,"       \
    "svi_parameters.max_abs_residual_vol_points,svi_parameters.rmse_total_variance,"               \
    "unfitted_expiries"

json_t *gex__api_surface_svi(const gex__api_input *in, gex__api_answer *ans)
{
    gex__vol_chain c;
    const gex__vol_slice **f = NULL;
    size_t nf = 0;
    /* no fitted expiration: 404 as the family's other endpoints, not a 200 of none */
    const gex__analysis *a = fitted_input(in, ans, &c, &f, &nf);
    if (a == NULL)
        return NULL;
    json_t *d = gex__vol_finish(a, svi_head(a, &c, f, nf), 0, SVI_OWN, ans);
    free(f);
    gex__vol_free(&c);
    return d;
}

/* The checks' grid: points per smile. */
#define ARB_GRID 201

static json_t *flag(const char *date, const char *type, double k, const char *text)
{
    json_t *o = json_object();
    int st = o == NULL;
    st |= gex__jset(o, "expiry", gex__jstr(date));
    st |= gex__jset(o, "type", gex__jstr(type));
    st |= gex__jset(o, "strike_or_k", gex__vol_num(k));
    st |= gex__jset(o, "description", gex__jstr(text));
    if (st) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Butterfly (Gatheral's g >= 0 on each smile's data range) and calendar (total variance not
 * decreasing in T at equal k, on the range both smiles' data cover) checks. */
static json_t *arbitrage(const gex__vol_chain *c, const gex__vol_slice *const *f, size_t nf)
{
    json_t *arr = json_array();
    int st = arr == NULL;
    for (size_t i = 0; !st && i < nf; i++) {
        const gex__vol_slice *s = f[i];
        char date[16], text[256];
        gex_time_format_date(s->expiration, date, sizeof date);
        const double lo = c->k[s->first], hi = c->k[s->first + s->n - 1];
        double g, k;
        if (lo < hi) {
            const int rc = gex_svi_butterfly_check(&s->fit.params, lo, hi, ARB_GRID, &g, &k);
            if (rc != GEX_OK) {
                snprintf(text, sizeof text,
                         "The fitted total variance is not positive at log-moneyness %.4f: no "
                         "smile there.",
                         k);
                st |= append(arr, flag(date, "negative_variance", k, text));
            } else if (g < 0) {
                snprintf(text, sizeof text,
                         "Butterfly arbitrage: Gatheral's g(k) = %.4g < 0 at log-moneyness %.4f "
                         "(a negative risk-neutral density).",
                         g, k);
                st |= append(arr, flag(date, "butterfly_arb", k, text));
            }
        }
        if (i == 0)
            continue;
        const gex__vol_slice *p = f[i - 1];
        const double clo = fmax(lo, c->k[p->first]), chi = fmin(hi, c->k[p->first + p->n - 1]);
        if (clo < chi &&
            gex_svi_calendar_check(&p->fit.params, &s->fit.params, clo, chi, ARB_GRID, &g, &k) ==
                GEX_OK &&
            g < 0) {
            char pd[16];
            gex_time_format_date(p->expiration, pd, sizeof pd);
            snprintf(text, sizeof text,
                     "Calendar arbitrage: total variance falls by %.4g from %s to %s at "
                     "log-moneyness %.4f.",
                     -g, pd, date, k);
            st |= append(arr, flag(date, "calendar_arb", k, text));
        }
    }
    if (st) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* Variance swap fair variance of a smile (Fukasawa, "The normalizing transformations of the
 * implied volatility smile", Mathematical Finance 22(4), 2012; Gatheral, "The Volatility
 * Surface", 2006, ch. 11): E[w] under z = -d2(k) = k / sqrt(w) + sqrt(w) / 2 standard normal,
 * fair variance = (1/T) int phi(z(k)) w(k) z'(k) dk. The fit stands where the smile was quoted,
 * from its first point's k to its last: the trapezoid rule in z there. Beyond, the smile is held
 * flat at its edges (w constant, so z runs on to +-infinity and the tails are w Phi(z) in
 * closed form): SVI's wings past the quotes are a guess, linear in k, and on a short expiration
 * their E[w] outweighs the quoted smile's hundreds of times (SPX 2023-09-14, the next day's
 * expiration: a fair vol of 193% where the smile's ATM IV is 9.2%). Annualised, a fraction
 * squared. */
#define VS_POINTS 4001
static double var_swap(const gex__vol_chain *c, const gex__vol_slice *s)
{
    if (s->n < 2)
        return NAN;
    const double klo = c->k[s->first], khi = c->k[s->first + s->n - 1];
    double sum = 0, zp = 0, fp = 0, wlo = NAN, zlo = NAN;
    for (int i = 0; i < VS_POINTS; i++) {
        const double k = klo + (khi - klo) * i / (VS_POINTS - 1.0), w = fit_w(s, k);
        if (!(w > 0))
            return NAN;
        const double z = k / sqrt(w) + sqrt(w) / 2, fz = exp(-z * z / 2) / sqrt(2 * M_PI) * w;
        if (i > 0)
            sum += (fz + fp) / 2 * (z - zp);
        else {
            wlo = w;
            zlo = z;
        }
        zp = z;
        fp = fz;
    }
    /* the tails: w(klo) Phi(z(klo)) below, w(khi) (1 - Phi(z(khi))) above */
    sum += wlo * 0.5 * erfc(-zlo / M_SQRT2) + fit_w(s, khi) * 0.5 * erfc(zp / M_SQRT2);
    return sum / s->T;
}

/* The greek surfaces: Black-Scholes at each strike of the grid with the fitted smile's IV,
 * per share (gex/bs.h units: vanna per 1.00 of vol, charm per year, of a call); volga
 * (d vega / d sigma = vega d1 d2 / sigma) and speed (d gamma / dS = -gamma (d1 / (sigma
 * sqrt(T)) + 1) / S) from Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed.,
 * sec. 2.3. */
#define GREEK_GRID 25
enum { G_VANNA, G_CHARM, G_VOLGA, G_SPEED, G_COUNT };

static json_t *greek_surfaces(const gex__vol_chain *c, const gex__vol_slice *const *f, size_t nf,
                              double klo, double khi)
{
    double strike[GREEK_GRID];
    for (int j = 0; j < GREEK_GRID; j++)
        strike[j] = c->spot * exp(klo + (khi - klo) * j / (GREEK_GRID - 1.0));
    static const char *const names[G_COUNT] = {"vanna", "charm", "volga", "speed"};
    json_t *out = json_object();
    int st = out == NULL;
    for (int g = 0; !st && g < G_COUNT; g++) {
        json_t *o = json_object(), *exps = json_array(), *vals = json_array();
        st |= o == NULL || exps == NULL || vals == NULL;
        for (size_t i = 0; !st && i < nf; i++) {
            const gex__vol_slice *s = f[i];
            char date[16];
            gex_time_format_date(s->expiration, date, sizeof date);
            st |= append(exps, gex__jstr(date));
            json_t *row = json_array();
            st |= row == NULL;
            for (int j = 0; !st && j < GREEK_GRID; j++) {
                const double w = fit_w(s, log(strike[j] / s->forward));
                double v = NAN;
                gex_greeks gr;
                if (w > 0) {
                    const double sig = sqrt(w / s->T), sq = sig * sqrt(s->T);
                    if (gex_bs_greeks(GEX_CALL, c->spot, strike[j], s->T, sig, s->rate, s->div,
                                      &gr) == GEX_BS_OK) {
                        const double d1 = (log(c->spot / strike[j]) +
                                           (s->rate - s->div + sig * sig / 2) * s->T) /
                                          sq,
                                     d2 = d1 - sq;
                        v = g == G_VANNA   ? gr.vanna
                            : g == G_CHARM ? gr.charm
                            : g == G_VOLGA ? gr.vega * d1 * d2 / sig
                                           : -gr.gamma / c->spot * (d1 / sq + 1);
                    }
                }
                st |= append(row, gex__vol_num(v));
            }
            st |= append(vals, row);
        }
        st |= gex__jset(o, "strikes", axis(strike, GREEK_GRID));
        st |= gex__jset(o, "expiries", exps);
        st |= gex__jset(o, "values", vals);
        st |= gex__jset(out, names[g], o);
    }
    if (st) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *gex__api_adv_volatility(const gex__api_input *in, gex__api_answer *ans)
{
    gex__vol_chain c;
    const gex__vol_slice **f;
    size_t nf;
    const gex__analysis *a = fitted_input(in, ans, &c, &f, &nf);
    if (a == NULL)
        return NULL;
    json_t *d = svi_head(a, &c, f, nf);
    int st = d == NULL;
    json_t *fw = json_array(), *vs = json_array();
    st |= fw == NULL || vs == NULL;
    for (size_t i = 0; !st && i < nf; i++) {
        const gex__vol_slice *s = f[i];
        char date[16];
        gex_time_format_date(s->expiration, date, sizeof date);
        json_t *o = json_object();
        st |= gex__jset(o, "expiry", gex__jstr(date));
        st |= gex__jset(o, "days_to_expiry", json_integer(s->dte));
        st |= gex__jset(o, "forward", gex__vol_num(s->forward));
        st |= gex__jset(o, "spot", gex__vol_num(a->spot));
        st |= gex__jset(o, "basis_pct", gex__vol_num((s->forward - a->spot) / a->spot * 100));
        st |= append(fw, o);
        const double fv = var_swap(&c, s), w0 = fit_w(s, 0);
        const double atm = w0 > 0 ? sqrt(w0 / s->T) * 100 : (double)NAN, fvol = sqrt(fv) * 100;
        o = json_object();
        st |= gex__jset(o, "expiry", gex__jstr(date));
        st |= gex__jset(o, "days_to_expiry", json_integer(s->dte));
        st |= gex__jset(o, "fair_variance", gex__vol_num(fv));
        st |= gex__jset(o, "fair_vol", gex__vol_num(fvol));
        st |= gex__jset(o, "atm_iv", gex__vol_num(atm));
        st |= gex__jset(o, "convexity_adjustment", gex__vol_num(fvol - atm));
        st |= append(vs, o);
    }
    st |= gex__jset(d, "forward_prices", fw);
    /* The total variance surface: one row per fitted expiration on the surface's k axis. */
    double klo, khi, money[SURFACE_GRID];
    surface_k_range(&c, f, nf, &klo, &khi);
    for (int j = 0; j < SURFACE_GRID; j++)
        money[j] = klo + (khi - klo) * j / (SURFACE_GRID - 1.0);
    json_t *tv = json_object(), *exps = json_array(), *tw = json_array(), *ti = json_array();
    st |= tv == NULL || exps == NULL || tw == NULL || ti == NULL;
    for (size_t i = 0; !st && i < nf; i++) {
        char date[16];
        gex_time_format_date(f[i]->expiration, date, sizeof date);
        st |= append(exps, gex__jstr(date));
        json_t *rw = json_array(), *ri = json_array();
        st |= rw == NULL || ri == NULL;
        for (int j = 0; !st && j < SURFACE_GRID; j++) {
            const double w = fit_w(f[i], money[j]);
            st |= append(rw, gex__vol_num(w));
            st |= append(ri, gex__vol_num(w > 0 ? sqrt(w / f[i]->T) * 100 : (double)NAN));
        }
        st |= append(tw, rw);
        st |= append(ti, ri);
    }
    json_t *tenors = json_array();
    for (size_t i = 0; !st && i < nf; i++)
        st |= append(tenors, gex__vol_num(f[i]->T));
    st |= gex__jset(tv, "moneyness", axis(money, SURFACE_GRID));
    st |= gex__jset(tv, "expiries", exps);
    st |= gex__jset(tv, "tenors", tenors);
    st |= gex__jset(tv, "total_variance", tw);
    st |= gex__jset(tv, "implied_vol", ti);
    st |= gex__jset(d, "total_variance_surface", tv);
    st |= gex__jset(d, "arbitrage_flags", arbitrage(&c, f, nf));
    st |= gex__jset(d, "variance_swap_fair_values", vs);
    st |= gex__jset(d, "greeks_surfaces", greek_surfaces(&c, f, nf, klo, khi));
    free(f);
    gex__vol_free(&c);
    return gex__vol_finish(a, d, st, SVI_OWN, ans);
}

/* --- /v1/liquidity --- */

/* gex's own execution score: 100 (1 - spread / LIQ_SCORE_ZERO_PCT), rounded, 0 from a 20%
 * spread on, of the open-interest-weighted relative spread (percent of mid) of the two-sided
 * quotes within LIQ_BAND_PCT of the forward; the vendor's labels by score (flashalpha-python
 * types.py, LiquidityExpiry): tight >= 75, normal >= 50, wide >= 20, illiquid below. */
#define LIQ_SCORE_ZERO_PCT 20.0
#define LIQ_BAND_PCT       10.0
#define LIQ_TIGHT          75
#define LIQ_NORMAL         50
#define LIQ_WIDE           20

json_t *gex__api_liquidity(const gex__api_input *in, gex__api_answer *ans)
{
    gex__vol_chain c;
    const gex__analysis *a = slices_input(in, 0, ans, &c);
    if (a == NULL)
        return NULL;
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    json_t *d = gex__doc_head(a), *arr = json_array();
    int st = d == NULL || arr == NULL;
    double chain_num = 0, chain_den = 0;
    long best = -1, worst = LONG_MAX;
    size_t thin = 0, e_best = 0, e_worst = 0;
    for (size_t e = 0; !st && e < c.n; e++) {
        const gex__vol_slice *s = &c.slice[e];
        double wsum = 0, w = 0, atm_oi = 0, oi = 0, vol = 0, atm_spread = 0;
        size_t quoted = 0, contracts = 0, atm_n = 0;
        int has_vol = 0;
        for (size_t i = 0; i < v.n; i++) {
            if (v.expiration[i] != s->expiration || !gex__vol_keeps(a, &v, i))
                continue;
            contracts++;
            oi += v.open_interest[i];
            if (isfinite(v.volume[i])) {
                vol += v.volume[i];
                has_vol = 1;
            }
            if (v.strike[i] == s->atm_strike)
                atm_oi += v.open_interest[i];
            if (!two_sided(&v, i))
                continue;
            const double mid = (v.bid[i] + v.ask[i]) / 2, sp = (v.ask[i] - v.bid[i]) / mid * 100;
            quoted++;
            /* Weight by open interest, within LIQ_BAND_PCT of the forward (far wings of a few
             * cents quote spreads of 100% that no order near the money pays); a contract
             * without any open interest still counts once. */
            if (fabs(v.strike[i] / s->forward - 1) * 100 <= LIQ_BAND_PCT) {
                const double wt = fmax(v.open_interest[i], 1);
                wsum += wt * sp;
                w += wt;
            }
            if (v.strike[i] == s->atm_strike) {
                atm_spread += sp;
                atm_n++;
            }
        }
        const double wspread = w > 0 ? wsum / w : (double)NAN;
        const double aspread = atm_n > 0 ? atm_spread / (double)atm_n : (double)NAN;
        const long score =
            isfinite(wspread) ? lround(100 * fmax(0, 1 - wspread / LIQ_SCORE_ZERO_PCT)) : 0;
        const char *label = score >= LIQ_TIGHT    ? "tight"
                            : score >= LIQ_NORMAL ? "normal"
                            : score >= LIQ_WIDE   ? "wide"
                                                  : "illiquid";
        thin += strcmp(label, "illiquid") == 0;
        chain_num += (double)score * fmax(oi, 1);
        chain_den += fmax(oi, 1);
        if (score > best) {
            best = score;
            e_best = e;
        }
        if (score < worst) {
            worst = score;
            e_worst = e;
        }
        char date[16];
        gex_time_format_date(s->expiration, date, sizeof date);
        json_t *o = json_object();
        st |= gex__jset(o, "expiration", gex__jstr(date));
        st |= gex__jset(o, "dte", json_integer(s->dte));
        st |= gex__jset(o, "atm_spread_pct", gex__vol_num(aspread));
        st |= gex__jset(o, "weighted_spread_pct", gex__vol_num(wspread));
        st |= gex__jset(o, "atm_oi",
                        isfinite(s->atm_strike) ? json_integer((json_int_t)llround(atm_oi))
                                                : json_null());
        st |= gex__jset(o, "execution_score", json_integer(score));
        st |= gex__jset(o, "label", gex__jstr(label));
        st |= gex__jset(o, "contracts", json_integer((json_int_t)contracts));
        st |= gex__jset(o, "quoted_contracts", json_integer((json_int_t)quoted));
        st |= gex__jset(o, "open_interest", json_integer((json_int_t)llround(oi)));
        st |=
            gex__jset(o, "volume", has_vol ? json_integer((json_int_t)llround(vol)) : json_null());
        st |= append(arr, o);
    }
    char bd[16], wd[16];
    gex_time_format_date(c.slice[e_best].expiration, bd, sizeof bd);
    gex_time_format_date(c.slice[e_worst].expiration, wd, sizeof wd);
    st |= gex__jset(d, "chain_execution_score", json_integer(lround(chain_num / chain_den)));
    st |= gex__jset(d, "best_expiry", gex__jstr(bd));
    st |= gex__jset(d, "worst_expiry", gex__jstr(wd));
    st |= gex__jset(d, "thin_expiry_count", json_integer((json_int_t)thin));
    st |= gex__jset(d, "expiries", arr);
    gex__vol_free(&c);
    return gex__vol_finish(a, d, st,
                           "chain_execution_score,execution_score,label,contracts,"
                           "quoted_contracts,open_interest,volume",
                           ans);
}
