/*
 * api-maxpain.c: /v1/maxpain/{symbol} (SPEC 5.3): the pain curve and max pain strike of the
 * contracts the request keeps (gex/maxpain.h), open interest by strike, max pain per
 * expiration, distance and signal, and the overlays the vendor adds (dealer alignment from the
 * levels, the front straddle, a pin probability of gex's own formula).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api-volatility.h"
#include "gex/gex.h"

/* The vendor's signal threshold: spot 5% or more away from max pain (flashalpha-js types.ts,
 * MaxPainResponse.signal). */
#define MP_SIGNAL_PCT 5.0
/* gex's own: max pain "near" the gamma flip within 1% of spot; the pin probability's
 * neighbourhood of the max pain strike (1% of spot) and horizon (30 calendar days). */
#define MP_NEAR_FLIP_PCT 1.0
#define MP_PIN_BAND_PCT  1.0
#define MP_PIN_DAYS      30.0

/* The contracts of one selection, compacted for gex_maxpain_curve. */
typedef struct mp_set {
    size_t n;
    double *strike, *weight, *oi, *volume;
    uint8_t *type;
} mp_set;

/* Room in s for cap contracts: 0, or -1 when out of memory (mp_set_free frees what there is). */
static int mp_set_alloc(mp_set *s, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->strike = malloc(cap * sizeof(double));
    s->weight = malloc(cap * sizeof(double));
    s->oi = malloc(cap * sizeof(double));
    s->volume = malloc(cap * sizeof(double));
    s->type = malloc(cap);
    if (s->strike == NULL || s->weight == NULL || s->oi == NULL || s->volume == NULL ||
        s->type == NULL)
        return -1;
    return 0;
}

static void mp_set_free(mp_set *s)
{
    free(s->strike);
    free(s->weight);
    free(s->oi);
    free(s->volume);
    free(s->type);
}

typedef struct mp_result {
    gex_maxpain_point *curve;
    size_t n_curve, best;
    int st;
} mp_result;

/* Keeps contract i when expiration is 0 (all) or its expiration. */
static void mp_select(const gex__analysis *a, const gex_chain_view *v, int32_t expiration,
                      mp_set *s)
{
    s->n = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (!gex__vol_keeps(a, v, i) || (expiration != 0 && v->expiration[i] != expiration))
            continue;
        s->strike[s->n] = v->strike[i];
        s->type[s->n] = v->type[i];
        s->weight[s->n] = v->open_interest[i] * v->multiplier[i];
        s->oi[s->n] = v->open_interest[i];
        s->volume[s->n] = v->volume[i];
        s->n++;
    }
}

static void mp_run(const mp_set *s, double spot, mp_result *r)
{
    r->st = gex_maxpain_curve(s->strike, s->type, s->weight, s->n, spot, r->curve, &r->n_curve,
                              &r->best);
}

static json_t *mp_curve_json(const mp_result *r)
{
    json_t *arr = json_array();
    int st = arr == NULL;
    for (size_t c = 0; !st && c < r->n_curve; c++) {
        json_t *o = json_object();
        st |= gex__jset(o, "strike", gex__vol_num(r->curve[c].strike));
        st |= gex__jset(o, "call_pain", gex__vol_num(r->curve[c].call_pain));
        st |= gex__jset(o, "put_pain", gex__vol_num(r->curve[c].put_pain));
        st |= gex__jset(o, "total_pain", gex__vol_num(r->curve[c].total_pain));
        st |= o == NULL || json_array_append_new(arr, o) != 0;
    }
    if (st) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* Open interest and volume by strike (the curve's strikes). Volume is null at a strike where
 * no contract of that side has one in the file. */
static json_t *mp_oi_json(const mp_set *s, const mp_result *r, double *call_oi, double *put_oi)
{
    const size_t m = r->n_curve;
    double *acc = calloc(4 * m + 1, sizeof *acc);
    uint8_t *has_vol = calloc(2 * m + 1, 1);
    json_t *arr = json_array();
    int st = acc == NULL || has_vol == NULL || arr == NULL;
    *call_oi = *put_oi = 0;
    for (size_t i = 0; !st && i < s->n; i++) {
        size_t lo = 0, hi = m; /* the curve's strikes are the distinct strikes, ascending */
        while (hi - lo > 1) {
            const size_t mid = (lo + hi) / 2;
            if (r->curve[mid].strike <= s->strike[i])
                lo = mid;
            else
                hi = mid;
        }
        const int put = s->type[i] == GEX_PUT;
        acc[4 * lo + put] += s->oi[i];
        if (isfinite(s->volume[i])) {
            acc[4 * lo + 2 + put] += s->volume[i];
            has_vol[2 * lo + put] = 1;
        }
        *(put ? put_oi : call_oi) += s->oi[i];
    }
    for (size_t c = 0; !st && c < m; c++) {
        json_t *o = json_object();
        st |= gex__jset(o, "strike", gex__vol_num(r->curve[c].strike));
        st |= gex__jset(o, "call_oi", json_integer((json_int_t)llround(acc[4 * c])));
        st |= gex__jset(o, "put_oi", json_integer((json_int_t)llround(acc[4 * c + 1])));
        st |= gex__jset(o, "total_oi",
                        json_integer((json_int_t)llround(acc[4 * c] + acc[4 * c + 1])));
        st |= gex__jset(o, "call_volume",
                        has_vol[2 * c] ? json_integer((json_int_t)llround(acc[4 * c + 2]))
                                       : json_null());
        st |= gex__jset(o, "put_volume",
                        has_vol[2 * c + 1] ? json_integer((json_int_t)llround(acc[4 * c + 3]))
                                           : json_null());
        st |= o == NULL || json_array_append_new(arr, o) != 0;
    }
    free(acc);
    free(has_vol);
    if (st) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* The vendor's alignment labels with gex's own thresholds (SPEC 5.3). */
static json_t *mp_alignment(const gex__analysis *a, double mp)
{
    const gex_level *flip = &a->levels.gamma_flip, *cw = &a->levels.call_wall,
                    *pw = &a->levels.put_wall;
    const char *label = "unknown", *text = "The levels are unknown: no contract entered the "
                                           "exposures, so dealer hedging cannot be placed "
                                           "against max pain.";
    if (a->has_levels && cw->has && pw->has) {
        const double lo = fmin(cw->value, pw->value), hi = fmax(cw->value, pw->value);
        const int between = mp >= lo && mp <= hi;
        const int near = flip->has && fabs(mp - flip->value) <= MP_NEAR_FLIP_PCT / 100 * a->spot;
        if (between && near) {
            label = "converging";
            text = "Max pain lies between the put and call walls and near the gamma flip: dealer "
                   "hedging reinforces the pin.";
        } else if (between) {
            label = "moderate";
            text = "Max pain lies between the put and call walls but away from the gamma flip: "
                   "dealer hedging contains the price without pulling it to max pain.";
        } else {
            label = "diverging";
            text = "Max pain lies outside the range of the put and call walls: dealer hedging "
                   "works against a move to max pain.";
        }
    }
    json_t *o = json_object();
    int st = gex__jset(o, "alignment", gex__jstr(label));
    st |= gex__jset(o, "description", gex__jstr(text));
    st |= gex__jset(o, "gamma_flip", a->has_levels ? gex__jlevel(flip) : json_null());
    st |= gex__jset(o, "call_wall", a->has_levels ? gex__jlevel(cw) : json_null());
    st |= gex__jset(o, "put_wall", a->has_levels ? gex__jlevel(pw) : json_null());
    if (st) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* gex's own pin probability (SPEC 5.3), 0 to 100, with the vendor's four inputs and weights:
 *   30% open interest within 1% of spot of the max pain strike, as a share of all;
 *   25% proximity: 1 - |S - max pain| / S / 5% (0 beyond the signal's 5%);
 *   25% time: 1 - dte / 30 (0 beyond 30 days);
 *   20% gamma: gross GEX of the strikes within 1% of max pain, as a share of the gross GEX. */
static int mp_pin(const gex__analysis *a, const mp_set *s, double mp, int dte)
{
    const double band = MP_PIN_BAND_PCT / 100 * a->spot;
    double near_oi = 0, all_oi = 0;
    for (size_t i = 0; i < s->n; i++) {
        all_oi += s->oi[i];
        if (fabs(s->strike[i] - mp) <= band)
            near_oi += s->oi[i];
    }
    const size_t nr = gex_exposure_strike_count(a->exposure);
    const gex_strike_row *row = gex_exposure_strikes(a->exposure);
    double near_g = 0, all_g = 0;
    for (size_t r = 0; r < nr; r++) {
        const double g = row[r].call_gex - row[r].put_gex;
        all_g += g;
        if (fabs(row[r].strike - mp) <= band)
            near_g += g;
    }
    const double conc = all_oi > 0 ? near_oi / all_oi : 0;
    const double prox = fmax(0, 1 - fabs(a->spot - mp) / a->spot * 100 / MP_SIGNAL_PCT);
    const double time = fmax(0, 1 - dte / MP_PIN_DAYS);
    const double gam = all_g > 0 ? near_g / all_g : 0;
    const double p = 100 * (0.30 * conc + 0.25 * prox + 0.25 * time + 0.20 * gam);
    return (int)fmin(100, fmax(0, lround(p)));
}

double gex__api_maxpain_strike(const gex__analysis *a)
{
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    const size_t cap = v.n + 1;
    mp_set s;
    const int no_set = mp_set_alloc(&s, cap);
    mp_result r = {.curve = malloc(cap * sizeof(gex_maxpain_point))};
    double mp = NAN;
    if (no_set == 0 && r.curve != NULL) {
        mp_select(a, &v, 0, &s);
        mp_run(&s, a->spot, &r);
        if (r.st == GEX_OK)
            mp = r.curve[r.best].strike;
    }
    mp_set_free(&s);
    free(r.curve);
    return mp;
}

json_t *gex__api_maxpain(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__analysis *a = in->analysis;
    if (a == NULL)
        return gex__api_fail(ans, 500, "internal_error", "max pain was asked without a chain");
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    const size_t cap = v.n + 1;
    mp_set s;
    const int no_set = mp_set_alloc(&s, cap);
    mp_result r = {.curve = malloc(cap * sizeof(gex_maxpain_point))}, re = r;
    re.curve = malloc(cap * sizeof(gex_maxpain_point));
    gex__vol_chain vc;
    int st = no_set != 0 || r.curve == NULL || re.curve == NULL;
    if (!st)
        st = gex__vol_collect(a, 0, &vc);
    else
        memset(&vc, 0, sizeof vc);
    json_t *d = NULL;
    if (st) {
        d = gex__api_fail(ans, 500, "internal_error", "out of memory computing max pain");
        goto done;
    }
    mp_select(a, &v, 0, &s);
    mp_run(&s, a->spot, &r);
    if (r.st == GEX_EEMPTY || vc.n == 0) {
        if (s.n > 0 && vc.n > 0)
            d = gex__api_fail(ans, 404, "no_data",
                              "%s: no contract the request keeps has open interest, so no strike "
                              "pays holders least and max pain is undefined: ask for another "
                              "expiration",
                              a->symbol);
        else
            d = gex__api_fail(ans, 404, "no_data",
                              "%s: no unexpired contract passes the request's filters: ask for "
                              "another expiration or a lower min_oi",
                              a->symbol);
        goto done;
    }
    if (r.st != GEX_OK) {
        d = gex__api_fail(ans, 500, "internal_error", "%s: max pain failed: %s", a->symbol,
                          gex_strerror(r.st));
        goto done;
    }
    const double mp = r.curve[r.best].strike;
    const int filtered = gex__api_param(in->params, "expiration") != NULL;
    const gex__vol_slice *front = &vc.slice[0];
    char date[16];
    gex_time_format_date(front->expiration, date, sizeof date);

    d = gex__doc_head(a);
    st = d == NULL;
    st |= gex__jset(d, "max_pain_strike", gex__vol_num(mp));
    json_t *dist = json_object();
    const double absd = fabs(a->spot - mp);
    st |= gex__jset(dist, "absolute", gex__vol_num(absd));
    st |= gex__jset(dist, "percent", gex__vol_num(absd / a->spot * 100));
    st |= gex__jset(dist, "direction",
                    gex__jstr(a->spot > mp   ? "above"
                              : a->spot < mp ? "below"
                                             : "at"));
    st |= gex__jset(d, "distance", dist);
    const double pct = (a->spot - mp) / a->spot * 100;
    st |= gex__jset(d, "signal",
                    gex__jstr(pct <= -MP_SIGNAL_PCT  ? "bullish"
                              : pct >= MP_SIGNAL_PCT ? "bearish"
                                                     : "neutral"));
    st |= gex__jset(d, "expiration", gex__jstr(date));
    double call_oi = 0, put_oi = 0;
    json_t *oi = mp_oi_json(&s, &r, &call_oi, &put_oi);
    st |= gex__jset(d, "put_call_oi_ratio",
                    gex__vol_num(call_oi > 0 ? put_oi / call_oi : (double)NAN));
    st |= gex__jset(d, "pain_curve", mp_curve_json(&r));
    st |= gex__jset(d, "oi_by_strike", oi);
    if (filtered) {
        st |= gex__jset(d, "max_pain_by_expiration", json_null());
    } else {
        json_t *arr = json_array();
        st |= arr == NULL;
        for (size_t e = 0; !st && e < vc.n; e++) {
            mp_select(a, &v, vc.slice[e].expiration, &s);
            mp_run(&s, a->spot, &re);
            double total = 0;
            for (size_t i = 0; i < s.n; i++)
                total += s.oi[i];
            char ed[16];
            gex_time_format_date(vc.slice[e].expiration, ed, sizeof ed);
            json_t *o = json_object();
            st |= gex__jset(o, "expiration", gex__jstr(ed));
            st |= gex__jset(o, "max_pain_strike",
                            gex__vol_num(re.st == GEX_OK ? re.curve[re.best].strike : (double)NAN));
            st |= gex__jset(o, "dte", json_integer(vc.slice[e].dte));
            st |= gex__jset(o, "total_oi", json_integer((json_int_t)llround(total)));
            st |= o == NULL || json_array_append_new(arr, o) != 0;
        }
        st |= gex__jset(d, "max_pain_by_expiration", arr);
        mp_select(a, &v, 0, &s); /* back to the whole selection for the pin */
    }
    st |= gex__jset(d, "dealer_alignment", mp_alignment(a, mp));
    const char *vr = gex_analysis_regime(a->an)->vendor_regime;
    st |= gex__jset(d, "regime",
                    gex__jstr(vr != NULL && strcmp(vr, "undetermined") != 0 ? vr : "unknown"));
    json_t *em = json_object();
    st |= gex__jset(em, "straddle_price", gex__vol_num(front->straddle));
    st |= gex__jset(em, "atm_iv", gex__vol_num(front->atm_iv * 100));
    st |=
        gex__jset(em, "max_pain_within_expected_range",
                  isfinite(front->straddle) ? json_boolean(absd <= front->straddle) : json_null());
    st |= gex__jset(d, "expected_move", em);
    st |= gex__jset(d, "pin_probability", json_integer(mp_pin(a, &s, mp, front->dte)));
    d = gex__vol_finish(a, d, st, "dealer_alignment.alignment,pin_probability", ans);
done:
    mp_set_free(&s);
    free(r.curve);
    free(re.curve);
    gex__vol_free(&vc);
    return d;
}
