/*
 * api-history.c: the documents of a folder over time (SPEC 5.5, api-history.h): the vendor's
 * VRP dashboard and its daily history, the open-interest changes against the previous
 * snapshot, realized volatility, and gex's own history rows. Measures come from the library
 * (gex/history.h, gex/volatility.h); what the vendor does not publish (harvest score, VRP
 * regime, vanna outlook, semivariance) is gex's own and named so in meta.gex_own; what no chain
 * file holds (macro data, strategy scores, intraday ranges) is null and meta.not_computed says
 * why.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api-exposure.h"
#include "api-history.h"
#include "render-history.h"

/* VRP history's lookback, the vendor's: default 30 days, 1 to 365. */
#define VRP_HISTORY_DAYS_DEFAULT 30
#define VRP_HISTORY_DAYS_MAX     365
/* oi-diff's topN, the vendor's: default 10, clamped to [1, 100]. */
#define OI_DIFF_TOP_DEFAULT 10
#define OI_DIFF_TOP_MAX     100
/* |z| from which a VRP is extreme (warnings): two standard deviations. */
#define EXTREME_Z 2.0
/* The vendor's term_vrp tenors in days (7, 14, 30, 60); 30 is the snapshot's own (SPEC 6.1). */
#define TERM_DAYS GEX_HISTORY_TENOR_DAYS
static const int term_tenors[] = {7, 14, TERM_DAYS, 60};
#define TERM_COUNT (sizeof term_tenors / sizeof term_tenors[0])

/* An integer parameter in [lo, hi] (outside: clamped when clamp, else refused): 0, or -1. */
static int int_param(const gex__api_input *in, const char *name, long def, long lo, long hi,
                     int clamp, long *out, gex__api_answer *ans)
{
    const char *v = gex__api_param(in->params, name);
    *out = def;
    if (v == NULL)
        return 0;
    char *end = NULL;
    const long x = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || ((x < lo || x > hi) && !clamp)) {
        gex__api_fail(ans, 400, "invalid_parameter",
                      "%s=%.32s: give a whole number from %ld to %ld", name, v, lo, hi);
        return -1;
    }
    *out = x < lo ? lo : x > hi ? hi : x;
    return 0;
}

static json_t *out_of_memory(json_t *d, gex__api_answer *ans)
{
    json_decref(d);
    return gex__api_fail(ans, 500, "internal_error", "out of memory building the document");
}

static json_t *jlevel_or_null(int has, double v)
{
    gex_level l = {has && isfinite(v), v};
    return gex__jlevel(&l);
}

/* The last step of a document of this file: its meta set in d; d, or the out-of-memory answer
 * when st says a step failed or meta is NULL. */
static json_t *with_meta(json_t *d, json_t *meta, int st, gex__api_answer *ans)
{
    st |= gex__jset(d, "meta", meta);
    if (st != GEX_OK || meta == NULL)
        return out_of_memory(d, ans);
    return d;
}

/* meta.not_computed holding one field and why gex leaves it null. GEX_OK or GEX_ENOMEM. */
static int not_computed(json_t *meta, const char *field, const char *why)
{
    json_t *nc = json_object();
    int st = gex__jset(nc, field, gex__jstr(why));
    return st | gex__jset(meta, "not_computed", nc);
}

const gex_snapshot *gex__api_series_last(const gex__api_input *in, gex__api_answer *ans)
{
    if (in->series == NULL || in->series->n == 0) {
        gex__api_fail(ans, 404, "no_data", "no snapshot of %s in the folder at the instant asked",
                      in->symbol != NULL ? in->symbol : "the symbol");
        return NULL;
    }
    return &in->series->snapshot[in->series->n - 1];
}

/* The daily closes of the series (gex_vol_closes), malloc'ed; NULL when out of memory. */
static double *series_closes(const gex__api_series *s, size_t *m)
{
    double *closes = malloc((s->n > 0 ? s->n : 1) * sizeof *closes);
    if (closes != NULL && gex_vol_closes(s->snapshot, s->n, closes, m) != GEX_OK) {
        free(closes);
        return NULL;
    }
    return closes;
}

/* meta of a series document: the generator, how many snapshots, and what is gex's own. */
static json_t *series_meta(const gex__api_input *in, const char *const *own, size_t n_own)
{
    json_t *m = in->analysis != NULL ? gex__json_meta(in->analysis) : json_object();
    if (m == NULL)
        return NULL;
    int st = GEX_OK;
    if (in->analysis == NULL) {
        char version[64];
        snprintf(version, sizeof version, "gex %s", gex_version());
        st |= gex__jset(m, "generator", gex__jstr(version));
    }
    st |= gex__jset(m, "snapshots", json_integer((json_int_t)in->series->n));
    char first[40];
    gex_time_format_iso(in->series->snapshot[0].quote_time, first, sizeof first);
    st |= gex__jset(m, "first_snapshot", gex__jstr(first));
    json_t *arr = json_array();
    for (size_t i = 0; i < n_own && arr != NULL; i++)
        st |= json_array_append_new(arr, gex__jstr(own[i])) == 0 ? GEX_OK : GEX_ENOMEM;
    st |= gex__jset(m, "gex_own", arr);
    if (st != GEX_OK) {
        json_decref(m);
        return NULL;
    }
    return m;
}

double gex__api_expected_move_1d(double spot, double atm_iv_pct)
{
    return spot * atm_iv_pct / 100.0 / sqrt((double)GEX_HISTORY_TRADING_DAYS);
}

/* The harvest score: the share of the previous 60 days' vrp_20d at or below today's (the
 * percentile / 100; 0.5 while it has too little history), 0 when the premium is not positive,
 * halved in negative gamma (dealers amplify moves: selling premium is less safe), rounded to
 * two decimals. */
gex_level gex__api_harvest_score(const gex_snapshot *s, const gex_history_metrics *m)
{
    gex_level out = {0, 0.0};
    const gex_level *vrp20 = &m->vrp[2];
    if (!vrp20->has)
        return out;
    double score = 0.0;
    if (vrp20->value > 0.0)
        score = m->percentile.has ? m->percentile.value / 100.0 : 0.5;
    if (s->net_gex < 0.0)
        score *= 0.5;
    out.has = 1;
    out.value = round(score * 100.0) / 100.0;
    return out;
}

/* gex's own strategy scores (the vendor's are unpublished), whole numbers 0 to 100 from the
 * VRP document's own fields (SPEC 5.5):
 *   short_strangle   = round(100 harvest (1 - risk / 200)), net_harvest_score: both wings sold;
 *   short_put_spread = short_strangle x 1 when the 25-delta put IV is above downside realized
 *                      volatility (downside_vrp > 0), x 0.5 when not, x 0.75 when unknown;
 *   iron_condor      = short_strangle x 1 when the put and call walls bracket the spot (a range
 *                      dealers' hedging defends), x 0.5 when the spot is outside them, x 0.75
 *                      when a wall is missing;
 *   calendar_spread  = round(100 clamp(0.5 + 2.5 (iv_7d - iv_60d) / iv_60d, 0, 1)): selling
 *                      the front month against the second pays when the front is the richer
 *                      (a 20% inverted term structure scores 100, flat 50, 20% upward 0).
 * Each is null when an input it needs is (harvest: no vrp_20d yet; calendar: no 7- or 60-day
 * ATM IV). */
typedef struct strategy_in {
    gex_level harvest;
    int risk;
    gex_level downside_vrp;
    int walls; /* 1 bracket the spot, 0 do not, -1 a wall missing */
    gex_level iv_front, iv_back;
} strategy_in;

static json_t *strategy_scores(const strategy_in *x)
{
    json_t *o = json_object();
    int st = o == NULL;
    const double strangle = gex__api_net_harvest(x->harvest, x->risk);
    const double put_w = !x->downside_vrp.has ? 0.75 : x->downside_vrp.value > 0.0 ? 1.0 : 0.5;
    const double range_w = x->walls < 0 ? 0.75 : x->walls ? 1.0 : 0.5;
    double cal = (double)NAN;
    if (x->iv_front.has && x->iv_back.has && x->iv_back.value > 0.0) {
        cal = 0.5 + 2.5 * (x->iv_front.value - x->iv_back.value) / x->iv_back.value;
        cal = 100.0 * (cal < 0.0 ? 0.0 : cal > 1.0 ? 1.0 : cal);
    }
    const double v[4] = {strangle * put_w, strangle, strangle * range_w, cal};
    static const char *const names[4] = {"short_put_spread", "short_strangle", "iron_condor",
                                         "calendar_spread"};
    for (int k = 0; k < 4; k++)
        st |= gex__jset(o, names[k],
                        isfinite(v[k]) ? json_integer((json_int_t)lround(v[k])) : json_null());
    if (st) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int gex__api_dealer_flow_risk(const gex_snapshot *s)
{
    const int below = s->gamma_flip.has && s->spot < s->gamma_flip.value;
    const int above = s->gamma_flip.has && s->spot > s->gamma_flip.value;
    const int expansion = s->gamma_flip.has && s->net_vex < 0.0 && !above;
    return (s->net_gex < 0.0 ? 50 : 0) + (below ? 25 : 0) + (expansion ? 25 : 0);
}

double gex__api_net_harvest(gex_level harvest, int risk)
{
    return harvest.has ? 100.0 * harvest.value * (1.0 - risk / 200.0) : (double)NAN;
}

int gex__api_vrp_measures(json_t *o, const gex_history_metrics *m)
{
    static const char *const rv_names[] = {"rv_5d", "rv_10d", "rv_20d", "rv_30d"};
    static const char *const vrp_names[] = {"vrp_5d", "vrp_10d", "vrp_20d", "vrp_30d"};
    int st = GEX_OK;
    for (int i = 0; i < GEX_HISTORY_RV_COUNT; i++)
        st |= gex__jset(o, rv_names[i], gex__jlevel(&m->rv[i]));
    for (int i = 0; i < GEX_HISTORY_RV_COUNT; i++)
        st |= gex__jset(o, vrp_names[i], gex__jlevel(&m->vrp[i]));
    st |= gex__jset(o, "z_score", gex__jlevel(&m->z_score));
    /* The vendor's type is a whole number from 0 to 100 (its SDKs assert an int). */
    st |= gex__jset(o, "percentile",
                    m->percentile.has && isfinite(m->percentile.value)
                        ? json_integer((json_int_t)lround(m->percentile.value))
                        : json_null());
    return st;
}

/* The VRP regime (gex's own; the vendor's labels): null while the z-score needs history;
 * cheap_convexity when implied is at or below realized, toxic_short_vol when the premium is
 * positive but dealers are short gamma, else harvestable. */
const char *gex__api_vrp_regime(const gex_snapshot *s, const gex_history_metrics *m)
{
    if (!m->z_score.has || !m->vrp[2].has)
        return NULL;
    if (m->vrp[2].value <= 0.0)
        return "cheap_convexity";
    return s->net_gex < 0.0 ? "toxic_short_vol" : "harvestable";
}

/* The vendor's fair_vol (its API doc: "OI-weighted average IV across +-20% moneyness"): over
 * the used contracts of every unexpired expiration of the last snapshot with |K / S - 1| <= 0.2,
 * the mean IV weighted by open interest, percent; none without such a contract with OI. */
#define FAIR_VOL_BAND 0.20
static gex_level fair_vol(const gex__analysis *a)
{
    gex_level out = {0, 0.0};
    if (a == NULL || a->chain == NULL || a->exposure == NULL)
        return out;
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    gex_contract_exposures ce;
    gex_exposure_get_contracts(a->exposure, &ce);
    double sw = 0.0, swiv = 0.0;
    for (size_t i = 0; i < v.n && i < ce.n; i++) {
        if (!ce.included[i] || !(v.T[i] > 0.0) || !(v.iv[i] > 0.0) || !(v.open_interest[i] > 0))
            continue;
        if (!(fabs(v.strike[i] / a->spot - 1.0) <= FAIR_VOL_BAND))
            continue;
        sw += v.open_interest[i];
        swiv += v.open_interest[i] * v.iv[i];
    }
    if (sw > 0.0 && isfinite(swiv)) {
        out.has = 1;
        out.value = 100.0 * swiv / sw;
    }
    return out;
}

json_t *gex__api_vrp(const gex__api_input *in, gex__api_answer *ans)
{
    const gex_snapshot *s = gex__api_series_last(in, ans);
    if (s == NULL)
        return NULL;
    const gex_history_metrics *m = &in->series->metrics[in->series->n - 1];
    size_t n_closes = 0;
    double *closes = series_closes(in->series, &n_closes);
    if (closes == NULL)
        return out_of_memory(NULL, ans);
    gex_level down = {0, 0}, up = {0, 0}, rv_term[TERM_COUNT], iv_term[TERM_COUNT];
    for (size_t t = 0; t < TERM_COUNT; t++) {
        rv_term[t] = gex_vol_realized(closes, n_closes, term_tenors[t]);
        iv_term[t] = term_tenors[t] == TERM_DAYS ? s->atm_iv : (gex_level){0, 0.0};
    }
    gex_vol_semi(closes, n_closes, 20, &down, &up);
    free(closes);
    /* The other tenors' ATM IV from the last snapshot's analysis (the same method at their T). */
    if (in->analysis != NULL && in->analysis->an != NULL) {
        int days[TERM_COUNT];
        gex_level iv[TERM_COUNT];
        for (size_t t = 0; t < TERM_COUNT; t++)
            days[t] = term_tenors[t];
        if (gex_snapshot_atm_iv_at(in->analysis->an, days, TERM_COUNT, iv) == GEX_OK)
            for (size_t t = 0; t < TERM_COUNT; t++)
                if (term_tenors[t] != TERM_DAYS)
                    iv_term[t] = iv[t];
    }

    char iso[40];
    gex_time_format_iso(s->quote_time, iso, sizeof iso);
    json_t *d = json_object();
    int st = d == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(d, "symbol", gex__jstr(s->symbol));
    st |= gex__jset(d, "underlying_price", gex__jnum(s->spot));
    st |= gex__jset(d, "as_of", gex__jstr(iso));
    st |= gex__jset(d, "market_open", json_boolean(gex_time_regular_session(s->quote_time)));

    json_t *v = json_object();
    st |= gex__jset(v, "atm_iv", gex__jlevel(&s->atm_iv));
    st |= v == NULL ? GEX_ENOMEM : gex__api_vrp_measures(v, m);
    st |= gex__jset(v, "history_days", json_integer((json_int_t)m->history_days));
    st |= gex__jset(d, "vrp", v);
    st |= gex__jset(d, "variance_risk_premium", gex__jlevel(&m->variance_risk_premium));
    const gex_level fv = fair_vol(in->analysis);
    st |= gex__jset(d, "convexity_premium",
                    jlevel_or_null(fv.has && s->atm_iv.has, fv.value - s->atm_iv.value));
    st |= gex__jset(d, "fair_vol", gex__jlevel(&fv));

    json_t *dir = json_object();
    st |= gex__jset(dir, "put_wing_iv_25d", gex__jlevel(&s->put_iv_25d));
    st |= gex__jset(dir, "call_wing_iv_25d", gex__jlevel(&s->call_iv_25d));
    st |= gex__jset(dir, "downside_rv_20d", gex__jlevel(&down));
    st |= gex__jset(dir, "upside_rv_20d", gex__jlevel(&up));
    st |=
        gex__jset(dir, "downside_vrp",
                  jlevel_or_null(s->put_iv_25d.has && down.has, s->put_iv_25d.value - down.value));
    st |= gex__jset(dir, "upside_vrp",
                    jlevel_or_null(s->call_iv_25d.has && up.has, s->call_iv_25d.value - up.value));
    st |= gex__jset(d, "directional", dir);

    /* term_vrp: at 7, 14, 30 and 60 days, the ATM IV at that tenor (SPEC 6.1's method at
     * T = days / 365) against realized volatility over as many daily returns, as the 30-day
     * point; a tenor without both is left out. */
    json_t *term = json_array();
    for (size_t k = 0; k < TERM_COUNT; k++) {
        if (!iv_term[k].has || !rv_term[k].has)
            continue;
        json_t *t = json_object();
        st |= gex__jset(t, "dte", json_integer(term_tenors[k]));
        st |= gex__jset(t, "iv", gex__jnum(iv_term[k].value));
        st |= gex__jset(t, "rv", gex__jnum(rv_term[k].value));
        st |= gex__jset(t, "vrp", gex__jnum(iv_term[k].value - rv_term[k].value));
        st |= term == NULL || json_array_append_new(term, t) != 0 ? GEX_ENOMEM : GEX_OK;
    }
    st |= gex__jset(d, "term_vrp", term);

    const int positive = s->net_gex >= 0.0;
    const char *gamma = positive ? "positive_gamma" : "negative_gamma";
    const gex_level harvest = gex__api_harvest_score(s, m);
    json_t *gc = json_object();
    st |= gex__jset(gc, "regime", gex__jstr(gamma));
    st |= gex__jset(gc, "harvest_score", gex__jlevel(&harvest));
    st |= gex__jset(gc, "interpretation",
                    gex__jstr(positive ? "Dealers long gamma: hedging dampens moves, so a rich "
                                         "premium is more likely to be harvested."
                                       : "Dealers short gamma: hedging amplifies moves, so a "
                                         "rich premium may reflect genuine tail risk."));
    st |= gex__jset(d, "gex_conditioned", gc);

    /* Vanna: with spot above the flip and positive net vanna exposure, dealers' hedging of a
     * falling volatility sells into rallies (compression); below it with negative vanna, the
     * reverse. */
    const int above = s->gamma_flip.has && s->spot > s->gamma_flip.value;
    const char *outlook = "Mixed", *why = "Vanna and the gamma flip disagree: no clear "
                                          "volatility outlook from dealer hedging.";
    if (!s->gamma_flip.has) {
        outlook = "Unknown";
        why = "No gamma flip in the chain: the vanna outlook needs one.";
    } else if (s->net_vex > 0.0 && above) {
        outlook = "Vol compression likely";
        why = "Positive vanna + spot above gamma flip: dealer hedging compresses vol. "
              "Supports premium selling.";
    } else if (s->net_vex < 0.0 && !above) {
        outlook = "Vol expansion likely";
        why = "Negative vanna + spot below gamma flip: dealer hedging expands vol. Caution "
              "selling premium.";
    }
    json_t *vc = json_object();
    st |= gex__jset(vc, "outlook", gex__jstr(outlook));
    st |= gex__jset(vc, "interpretation", gex__jstr(why));
    st |= gex__jset(d, "vanna_conditioned", vc);

    json_t *rg = json_object();
    const char *regime = gex__api_vrp_regime(s, m);
    st |= gex__jset(rg, "gamma", gex__jstr(gamma));
    st |= gex__jset(rg, "vrp_regime", regime != NULL ? gex__jstr(regime) : json_null());
    st |= gex__jset(rg, "net_gex", gex__jnum(s->net_gex));
    st |= gex__jset(rg, "gamma_flip", gex__jlevel(&s->gamma_flip));
    st |= gex__jset(d, "regime", rg);
    /* gex's own composites (SPEC 5.5), from the numbers above: dealer_flow_risk adds 50 for
     * negative net GEX, 25 for spot below the gamma flip, 25 for the vanna outlook "Vol
     * expansion likely"; net_harvest_score is the harvest score in percent, cut by up to half as
     * the flow risk rises: round(100 harvest (1 - risk / 200)), null with the harvest score. */
    const int risk = gex__api_dealer_flow_risk(s);
    const double net_harvest = gex__api_net_harvest(harvest, risk);
    st |= gex__jset(d, "net_harvest_score",
                    isfinite(net_harvest) ? json_integer((json_int_t)lround(net_harvest))
                                          : json_null());
    st |= gex__jset(d, "dealer_flow_risk", json_integer(risk));
    strategy_in sx = {.harvest = harvest, .risk = risk, .walls = -1};
    sx.downside_vrp = (gex_level){s->put_iv_25d.has && down.has, s->put_iv_25d.value - down.value};
    if (in->analysis != NULL && in->analysis->has_levels) {
        const gex_levels *lv = &in->analysis->levels;
        if (lv->put_wall.has && lv->call_wall.has)
            sx.walls = lv->put_wall.value <= s->spot && s->spot <= lv->call_wall.value;
    }
    sx.iv_front = iv_term[0];
    sx.iv_back = iv_term[TERM_COUNT - 1];
    json_t *ss = strategy_scores(&sx);
    st |= ss == NULL ? GEX_ENOMEM : gex__jset(d, "strategy_scores", ss);

    json_t *warn = json_array();
    if (warn != NULL && !positive)
        st |= json_array_append_new(warn, gex__jstr("negative_gamma"));
    if (warn != NULL && m->z_score.has && fabs(m->z_score.value) >= EXTREME_Z)
        st |= json_array_append_new(warn, gex__jstr("extreme_vrp"));
    st |= gex__jset(d, "warnings", warn);

    /* macro: the VIX and VIX3M by CBOE's method on the folder's SPX file of the day (SPEC
     * 1.9); the rates and the credit spread are in no chain file */
    json_t *macro = json_object();
    const double vix = gex__api_vix_level(in->vix, in->analysis, 1),
                 vix3m = gex__api_vix_level(in->vix, in->analysis, 2);
    st |= gex__jset(macro, "vix", gex__jnum_or_null(vix));
    st |= gex__jset(macro, "vix_3m", gex__jnum_or_null(vix3m));
    st |= gex__jset(macro, "vix_term_slope", gex__jnum_or_null(vix3m - vix));
    /* the rates and the credit spread: the folder's FRED downloads (gex/macro.h), in percent */
    static const char *const macro_names[GEX__API_MACRO_COUNT] = {"dgs10", "fed_funds",
                                                                  "hy_spread"};
    json_t *sources = json_array();
    st |= sources == NULL;
    for (size_t i = 0; i < GEX__API_MACRO_COUNT; i++) {
        const gex__api_macro_value *mv = in->macro != NULL ? &in->macro->v[i] : NULL;
        st |= gex__jset(macro, macro_names[i],
                        mv != NULL && mv->has ? gex__jnum(mv->value) : json_null());
        if (mv != NULL && mv->has && sources != NULL) {
            char date[16];
            int y, mo, dd;
            gex_time_civil_from_days(mv->day, &y, &mo, &dd);
            snprintf(date, sizeof date, "%04d-%02d-%02d", y, mo, dd);
            json_t *o = json_object();
            st |= gex__jset(o, "field", gex__jstr(macro_names[i]));
            st |= gex__jset(o, "series", gex__jstr(mv->id));
            st |= gex__jset(o, "observation_date", gex__jstr(date));
            st |= gex__jset(o, "file", gex__jstr(mv->file));
            st |= o == NULL || json_array_append_new(sources, o) != 0;
        }
    }
    st |= gex__jset(d, "macro", macro);

    static const char *const own[] = {"directional.downside_rv_20d",
                                      "directional.upside_rv_20d",
                                      "gex_conditioned.harvest_score",
                                      "gex_conditioned.interpretation",
                                      "vanna_conditioned",
                                      "regime.vrp_regime",
                                      "warnings",
                                      "net_harvest_score",
                                      "dealer_flow_risk",
                                      "fair_vol",
                                      "convexity_premium",
                                      "strategy_scores"};
    json_t *meta = series_meta(in, own, sizeof own / sizeof own[0]);
    json_t *nc = json_object();
    json_t *how = json_object();
    st |= gex__jset(how, "fair_vol",
                    gex__jstr("the vendor's documented definition: open-interest-weighted mean IV "
                              "of the used contracts of every unexpired expiration with strikes "
                              "within 20% of spot, percent"));
    st |= gex__jset(how, "convexity_premium", gex__jstr("fair_vol - vrp.atm_iv"));
    st |= gex__jset(how, "term_vrp",
                    gex__jstr("ATM IV at 7, 14, 30 and 60 days (SPEC 6.1's interpolation at that "
                              "tenor) minus realized volatility over as many daily returns"));
    st |= gex__jset(how, "dealer_flow_risk",
                    gex__jstr("gex's own: 50 if net GEX < 0, + 25 if spot is below the gamma "
                              "flip, + 25 if the vanna outlook is vol expansion"));
    st |= gex__jset(how, "net_harvest_score",
                    gex__jstr("gex's own: round(100 x gex_conditioned.harvest_score x "
                              "(1 - dealer_flow_risk / 200))"));
    st |= gex__jset(meta, "methods", how);
    st |= gex__jset(meta, "macro_sources", sources);
    st |= gex__jset(how, "strategy_scores",
                    gex__jstr("gex's own (the vendor's are unpublished): short_strangle = "
                              "net_harvest_score; short_put_spread = it x 1 if downside_vrp > 0, "
                              "x 0.5 if not, x 0.75 if unknown; iron_condor = it x 1 if the put "
                              "and call walls bracket the spot, x 0.5 if not, x 0.75 if a wall is "
                              "missing; calendar_spread = 100 clamp(0.5 + 2.5 (iv_7d - iv_60d) / "
                              "iv_60d, 0, 1); null where an input is"));
    st |= gex__jset(how, "macro.vix_term_slope", gex__jstr("gex's own: vix_3m - vix, points"));
    st |= gex__jset(nc, "macro",
                    gex__jstr("vix and vix_3m are CBOE's VIX method (SPEC 1.9) on the folder's "
                              "SPX file of the snapshot's New York day, null when it has none; "
                              "dgs10, fed_funds and hy_spread come from FRED downloads in the "
                              "folder (DGS10, DFF or FEDFUNDS, BAMLH0A0HYM2: the value in force "
                              "on that day; meta.macro_sources), null without one"));
    st |= gex__jset(meta, "not_computed", nc);
    return with_meta(d, meta, st, ans);
}

json_t *gex__api_vrp_history(const gex__api_input *in, gex__api_answer *ans)
{
    long days = 0;
    if (int_param(in, "days", VRP_HISTORY_DAYS_DEFAULT, 1, VRP_HISTORY_DAYS_MAX, 0, &days, ans))
        return NULL;
    const gex_snapshot *last = gex__api_series_last(in, ans);
    if (last == NULL)
        return NULL;
    const gex__api_series *se = in->series;
    /* One row per New York trading day, its last snapshot; the last `days` of them. */
    size_t *rows = malloc(se->n * sizeof *rows);
    if (rows == NULL)
        return out_of_memory(NULL, ans);
    size_t n = 0;
    for (size_t i = 0; i < se->n; i++)
        if (i + 1 == se->n || gex_history_trading_day(se->snapshot[i + 1].quote_time) !=
                                  gex_history_trading_day(se->snapshot[i].quote_time))
            rows[n++] = i;
    const size_t first = n > (size_t)days ? n - (size_t)days : 0;
    json_t *d = json_object(), *arr = json_array();
    int st = d == NULL || arr == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(d, "symbol", gex__jstr(last->symbol));
    st |= gex__jset(d, "days", json_integer(days));
    st |= gex__jset(d, "data_points", json_integer((json_int_t)(n - first)));
    static const char *const rv_names[] = {"rv_5d", "rv_10d", "rv_20d", "rv_30d"};
    for (size_t k = first; k < n && st == GEX_OK; k++) {
        const gex_snapshot *s = &se->snapshot[rows[k]];
        const gex_history_metrics *m = &se->metrics[rows[k]];
        char date[16];
        gex_time_format_date(gex_history_trading_day(s->quote_time), date, sizeof date);
        json_t *o = json_object();
        st |= gex__jset(o, "date", gex__jstr(date));
        st |= gex__jset(o, "spot", gex__jnum(s->spot));
        st |= gex__jset(o, "atm_iv", gex__jlevel(&s->atm_iv));
        for (int i = 0; i < GEX_HISTORY_RV_COUNT; i++)
            st |= gex__jset(o, rv_names[i], gex__jlevel(&m->rv[i]));
        st |= gex__jset(o, "vrp_20d", gex__jlevel(&m->vrp[2]));
        st |= gex__jset(o, "straddle", json_null());
        st |= gex__jset(
            o, "expected_move_1d",
            jlevel_or_null(s->atm_iv.has, gex__api_expected_move_1d(s->spot, s->atm_iv.value)));
        st |= o == NULL || json_array_append_new(arr, o) != 0 ? GEX_ENOMEM : GEX_OK;
    }
    free(rows);
    st |= gex__jset(d, "history", arr);
    static const char *const own[] = {"history.expected_move_1d"};
    json_t *meta = series_meta(in, own, 1);
    st |= not_computed(meta, "straddle",
                       "a per-day ATM straddle price needs the chain of every day: not kept in "
                       "the series");
    return with_meta(d, meta, st, ans);
}

json_t *gex__api_realized(const gex__api_input *in, gex__api_answer *ans)
{
    const gex_snapshot *s = gex__api_series_last(in, ans);
    if (s == NULL)
        return NULL;
    const gex_history_metrics *m = &in->series->metrics[in->series->n - 1];
    char iso[40];
    gex_time_format_iso(s->quote_time, iso, sizeof iso);
    json_t *d = json_object();
    int st = d == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(d, "symbol", gex__jstr(s->symbol));
    st |= gex__jset(d, "as_of", gex__jstr(iso));
    st |= gex__jset(d, "underlying_price", gex__jnum(s->spot));
    json_t *est = json_object();
    static const char *const names[] = {"close_to_close", "parkinson", "garman_klass",
                                        "rogers_satchell", "yang_zhang"};
    for (size_t e = 0; e < sizeof names / sizeof names[0]; e++) {
        json_t *w = json_object();
        /* rv10, rv20, rv30: gex history's rv_10d, rv_20d, rv_30d (SPEC 6.3) */
        st |= gex__jset(w, "rv10", e == 0 ? gex__jlevel(&m->rv[1]) : json_null());
        st |= gex__jset(w, "rv20", e == 0 ? gex__jlevel(&m->rv[2]) : json_null());
        st |= gex__jset(w, "rv30", e == 0 ? gex__jlevel(&m->rv[3]) : json_null());
        st |= gex__jset(est, names[e], w);
    }
    st |= gex__jset(d, "estimators", est);
    json_t *meta = series_meta(in, NULL, 0);
    st |= not_computed(meta, "range_estimators",
                       "Parkinson, Garman-Klass, Rogers-Satchell and Yang-Zhang need each day's "
                       "open, high and low: a chain file holds one spot");
    return with_meta(d, meta, st, ans);
}

json_t *gex__api_history(const gex__api_input *in, gex__api_answer *ans)
{
    const gex_snapshot *last = gex__api_series_last(in, ans);
    if (last == NULL)
        return NULL;
    const gex__api_series *se = in->series;
    json_t *d = json_object(), *arr = json_array();
    int st = d == NULL || arr == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(d, "symbol", gex__jstr(last->symbol));
    for (size_t i = 0; i < se->n && st == GEX_OK; i++) {
        const gex__history_row r = {se->snapshot[i], se->metrics[i],
                                    se->file != NULL ? se->file[i] : NULL};
        json_t *o = gex__history_row_json(&r);
        st |= o == NULL || json_array_append_new(arr, o) != 0 ? GEX_ENOMEM : GEX_OK;
    }
    st |= gex__jset(d, "history", arr);
    json_t *meta = series_meta(in, NULL, 0);
    return with_meta(d, meta, st, ans);
}

/* --- oi-diff --- */

/* A contract line: open interest summed over the roots of one expiration, type and strike. */
typedef struct oi_line {
    int32_t expiry;
    uint8_t type;
    double strike, oi;
} oi_line;

static int by_line(const void *pa, const void *pb)
{
    const oi_line *a = pa, *b = pb;
    if (a->expiry != b->expiry)
        return a->expiry < b->expiry ? -1 : 1;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return (a->strike > b->strike) - (a->strike < b->strike);
}

/* The lines of a chain's contracts with an open interest (and, when live, not expired at the
 * quote), sorted and merged; NULL when out of memory. */
static oi_line *lines_of(const gex_chain *chain, int live, size_t *n)
{
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    oi_line *l = malloc((v.n > 0 ? v.n : 1) * sizeof *l);
    if (l == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (!isfinite(v.open_interest[i]) || (live && !(v.T[i] > 0.0)))
            continue;
        l[k++] = (oi_line){v.expiration[i], v.type[i], v.strike[i], v.open_interest[i]};
    }
    qsort(l, k, sizeof *l, by_line);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m > 0 && by_line(&l[m - 1], &l[i]) == 0)
            l[m - 1].oi += l[i].oi;
        else
            l[m++] = l[i];
    }
    *n = m;
    return l;
}

typedef struct oi_change {
    oi_line today;
    double prior;
} oi_change;

/* Largest |change| first; then expiry, type, strike. */
static int by_change(const void *pa, const void *pb)
{
    const oi_change *a = pa, *b = pb;
    const double ca = fabs(a->today.oi - a->prior), cb = fabs(b->today.oi - b->prior);
    if (ca != cb)
        return ca > cb ? -1 : 1;
    return by_line(&a->today, &b->today);
}

json_t *gex__api_oi_diff(const gex__api_input *in, gex__api_answer *ans)
{
    long top = 0;
    if (int_param(in, "topN", OI_DIFF_TOP_DEFAULT, 1, OI_DIFF_TOP_MAX, 1, &top, ans))
        return NULL;
    const gex__analysis *a = in->analysis;
    if (a == NULL)
        return gex__api_fail(ans, 404, "no_data", "no snapshot of %s at the instant asked",
                             in->symbol != NULL ? in->symbol : "the symbol");
    size_t n_today = 0, n_prior = 0, n = 0;
    oi_line *today = lines_of(a->chain, 1, &n_today);
    oi_line *prior = in->previous != NULL ? lines_of(in->previous->chain, 0, &n_prior) : NULL;
    oi_change *ch = malloc((n_today > 0 ? n_today : 1) * sizeof *ch);
    if (today == NULL || ch == NULL || (in->previous != NULL && prior == NULL)) {
        free(today);
        free(prior);
        free(ch);
        return out_of_memory(NULL, ans);
    }
    /* Contracts of today with a line in the previous snapshot (merge of two sorted lists). */
    double calls = 0.0, puts = 0.0;
    for (size_t i = 0, j = 0; i < n_today && j < n_prior;) {
        const int c = by_line(&today[i], &prior[j]);
        if (c < 0) {
            i++;
        } else if (c > 0) {
            j++;
        } else {
            ch[n++] = (oi_change){today[i], prior[j].oi};
            if (today[i].type == GEX_CALL)
                calls += today[i].oi - prior[j].oi;
            else
                puts += today[i].oi - prior[j].oi;
            i++;
            j++;
        }
    }
    qsort(ch, n, sizeof *ch, by_change);
    json_t *d = gex__doc_head(a), *arr = json_array();
    int st = d == NULL || arr == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(d, "prior_snapshot_available", json_boolean(in->previous != NULL));
    st |= gex__jset(d, "total_call_oi_change", gex__jnum(calls));
    st |= gex__jset(d, "total_put_oi_change", gex__jnum(puts));
    for (size_t k = 0; k < n && k < (size_t)top && st == GEX_OK; k++) {
        char date[16];
        gex_time_format_date(ch[k].today.expiry, date, sizeof date);
        json_t *o = json_object();
        st |= gex__jset(o, "strike", gex__jnum(ch[k].today.strike));
        st |= gex__jset(o, "type", gex__jstr(ch[k].today.type == GEX_CALL ? "C" : "P"));
        st |= gex__jset(o, "expiry", gex__jstr(date));
        st |= gex__jset(o, "today_oi", gex__jnum(ch[k].today.oi));
        st |= gex__jset(o, "prior_oi", gex__jnum(ch[k].prior));
        st |= gex__jset(o, "oi_change", gex__jnum(ch[k].today.oi - ch[k].prior));
        st |= o == NULL || json_array_append_new(arr, o) != 0 ? GEX_ENOMEM : GEX_OK;
    }
    free(today);
    free(prior);
    free(ch);
    st |= gex__jset(d, "top_oi_changes", arr);
    json_t *meta = gex__json_meta(a);
    if (meta != NULL && in->previous != NULL) {
        char iso[40];
        gex_time_format_iso(in->previous->as_of, iso, sizeof iso);
        st |= gex__jset(meta, "prior_file", gex__jstr(in->previous->path));
        st |= gex__jset(meta, "prior_as_of", gex__jstr(iso));
    }
    return with_meta(d, meta, st, ans);
}

/* --- forecasts --- */

/* EWMA's decay, RiskMetrics' daily value (the vendor's too). */
#define EWMA_LAMBDA 0.94

json_t *gex__api_forecast(const gex__api_input *in, gex__api_answer *ans)
{
    const char *dist = gex__api_param(in->params, "dist");
    if (dist != NULL && strcmp(dist, "gaussian") != 0)
        return gex__api_fail(ans, 400, "invalid_parameter",
                             "dist=%.32s: gex fits GARCH(1,1) with Gaussian innovations only; give "
                             "dist=gaussian or leave it out",
                             dist);
    const gex_snapshot *s = gex__api_series_last(in, ans);
    if (s == NULL)
        return NULL;
    size_t m = 0;
    double *c = series_closes(in->series, &m);
    if (c == NULL)
        return out_of_memory(NULL, ans);
    /* returns in place: r[i] = ln(c[i+1] / c[i]) */
    const size_t n = m > 0 ? m - 1 : 0;
    for (size_t i = 0; i < n; i++)
        c[i] = log(c[i + 1] / c[i]);
    gex_vol_ewma e;
    gex_vol_har h;
    gex_vol_garch g;
    gex_vol_forecast_ewma(c, n, EWMA_LAMBDA, &e);
    gex_vol_forecast_har(c, n, &h);
    gex_vol_forecast_garch(c, n, &g);
    free(c);
    char iso[40];
    gex_time_format_iso(s->quote_time, iso, sizeof iso);
    json_t *d = json_object();
    int st = d == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(d, "symbol", gex__jstr(s->symbol));
    st |= gex__jset(d, "as_of", gex__jstr(iso));
    json_t *je = json_object();
    st |= gex__jset(je, "lambda", gex__jnum(e.lambda));
    st |= gex__jset(je, "vol_annualized", gex__jlevel(&e.annualized));
    st |= gex__jset(je, "next_day_forecast", gex__jlevel(&e.next_day));
    st |= gex__jset(d, "ewma", je);
    json_t *jh = json_object(), *comp = json_object();
    st |= gex__jset(jh, "vol_annualized", gex__jlevel(&h.annualized));
    st |= gex__jset(comp, "daily", gex__jlevel(&h.daily));
    st |= gex__jset(comp, "weekly", gex__jlevel(&h.weekly));
    st |= gex__jset(comp, "monthly", gex__jlevel(&h.monthly));
    st |= gex__jset(jh, "components", comp);
    st |= gex__jset(jh, "next_day_forecast", gex__jlevel(&h.next_day));
    st |= gex__jset(d, "har_rv", jh);
    json_t *jg = json_object(), *pr = json_object();
    const int fitted = g.converged;
    st |= gex__jset(jg, "model", gex__jstr("GARCH(1,1)"));
    st |= gex__jset(jg, "distribution", gex__jstr("gaussian"));
    st |= gex__jset(pr, "omega", jlevel_or_null(fitted, g.omega));
    st |= gex__jset(pr, "alpha", jlevel_or_null(fitted, g.alpha));
    st |= gex__jset(pr, "beta", jlevel_or_null(fitted, g.beta));
    st |= gex__jset(pr, "dof", json_null());
    st |= gex__jset(jg, "params", pr);
    st |= gex__jset(jg, "persistence", fitted ? gex__jlevel(&g.persistence) : json_null());
    st |= gex__jset(jg, "long_run_vol_annualized",
                    fitted ? gex__jlevel(&g.long_run_annualized) : json_null());
    st |= gex__jset(jg, "half_life_days", fitted ? gex__jlevel(&g.half_life_days) : json_null());
    st |= gex__jset(jg, "converged", json_boolean(fitted));
    json_t *fc = fitted ? json_array() : json_null();
    for (int k = 0; fitted && k < GEX_VOL_GARCH_HORIZONS && fc != NULL; k++) {
        json_t *o = json_object();
        st |= gex__jset(o, "horizon_days", json_integer(g.horizon[k]));
        st |= gex__jset(o, "vol_annualized", gex__jlevel(&g.annualized[k]));
        st |= o == NULL || json_array_append_new(fc, o) != 0 ? GEX_ENOMEM : GEX_OK;
    }
    st |= gex__jset(jg, "forecast", fc);
    st |= gex__jset(d, "garch", jg);
    json_t *meta = series_meta(in, NULL, 0);
    st |= gex__jset(meta, "returns", json_integer((json_int_t)n));
    st |= gex__jset(meta, "forecast_units",
                    gex__jstr("vol_annualized: percent a year; next_day_forecast: "
                              "percent a day"));
    return with_meta(d, meta, st, ans);
}
