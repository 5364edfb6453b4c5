/*
 * render-exposure.c: the documents of the per-strike commands (gex, dex, vex, chex, exposure),
 * levels, greeks and profile. JSON documents follow the vendor's field names and nesting
 * (SPEC 3), plus "meta".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* --- gex dex vex chex exposure --- */

typedef struct measure {
    const char *name;      /* "gex" */
    size_t call, put, net; /* offsets in gex_strike_row */
} measure;

static const measure measures[4] = {
    {"gex", offsetof(gex_strike_row, call_gex), offsetof(gex_strike_row, put_gex),
     offsetof(gex_strike_row, net_gex)},
    {"dex", offsetof(gex_strike_row, call_dex), offsetof(gex_strike_row, put_dex),
     offsetof(gex_strike_row, net_dex)},
    {"vex", offsetof(gex_strike_row, call_vex), offsetof(gex_strike_row, put_vex),
     offsetof(gex_strike_row, net_vex)},
    {"chex", offsetof(gex_strike_row, call_chex), offsetof(gex_strike_row, put_chex),
     offsetof(gex_strike_row, net_chex)},
};

static double field(const gex_strike_row *r, size_t offset)
{
    double v;
    memcpy(&v, (const char *)r + offset, sizeof v);
    return v;
}

static double total_of(const gex_exposure_totals *t, int m)
{
    switch (m) {
    case 0:
        return t->net_gex;
    case 1:
        return t->net_dex;
    case 2:
        return t->net_vex;
    default:
        return t->net_chex;
    }
}

static const char *unit_of(const gex__analysis *a, int m)
{
    static const char *const units[4] = {NULL, "USD", "USD/vol pt", "USD/day"};
    return m == 0 ? gex__unit_short(gex__unit_of(a)) : units[m];
}

/* The sentences (gex's own wording, SPEC 5.2), read from gex's signs (SPEC 1.5): dealers long
 * the calls and short the puts, so net GEX > 0 means their hedging trades against moves; VEX is
 * the change of their delta per vol point, so with net VEX > 0 a rise in volatility raises
 * their delta and they sell to re-hedge (and buy as volatility falls); CHEX is the change of
 * their delta per day passing, so with net CHEX > 0 time makes them sell. */
const char *gex__interpret_gamma(double net_gex)
{
    if (net_gex > 0.0)
        return "Dealers long gamma: they sell rallies and buy dips, so moves are dampened and "
               "mean reversion is likely";
    if (net_gex < 0.0)
        return "Dealers short gamma: they buy rallies and sell dips, so moves are amplified and "
               "trends are likely";
    return "No net dealer gamma: hedging neither dampens nor amplifies moves";
}

const char *gex__interpret_vanna(double net_vex)
{
    if (net_vex > 0.0)
        return "Positive vanna: falling volatility makes dealers buy (vol compression supports "
               "the price); a volatility spike makes them sell";
    if (net_vex < 0.0)
        return "Negative vanna: a volatility spike makes dealers buy (cushioning a selloff); "
               "falling volatility makes them sell";
    return "No net vanna: volatility changes move dealer hedges neither way";
}

const char *gex__interpret_charm(double net_chex)
{
    if (net_chex > 0.0)
        return "Positive charm: time decay pushes dealers to sell, pressure into the close";
    if (net_chex < 0.0)
        return "Negative charm: time decay pushes dealers to buy, support into the close";
    return "No net charm: time decay moves dealer hedges neither way";
}

/* The row of strike in rows[0..n) (ascending strikes), or NULL. */
static const gex_strike_row *row_of_strike(const gex_strike_row *rows, size_t n, double strike)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (rows[mid].strike < strike)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && rows[lo].strike == strike ? &rows[lo] : NULL;
}

static json_t *exposure_doc(const gex__analysis *a, const gex__analysis *prev, int m)
{
    const gex_strike_row *rows = gex_exposure_strikes(a->exposure);
    const size_t n = gex_exposure_strike_count(a->exposure);
    const gex_strike_row *prev_rows = prev != NULL ? gex_exposure_strikes(prev->exposure) : NULL;
    const size_t prev_n = prev != NULL ? gex_exposure_strike_count(prev->exposure) : 0;
    json_t *d = gex__doc_head(a);
    int rc = d == NULL ? GEX_ENOMEM : GEX_OK;
    char key[32];
    if (rc == GEX_OK && m == 0) {
        rc |= gex__jset(d, "gamma_flip", gex__jlevel(&a->levels.gamma_flip));
        rc |= gex__jset(d, "net_gex", gex__jnum(a->totals.net_gex));
        rc |= gex__jset(d, "net_gex_label", gex__jstr(gex__label(a->totals.net_gex)));
    } else if (rc == GEX_OK && m > 0) {
        snprintf(key, sizeof key, "net_%s", measures[m].name);
        rc |= gex__jset(d, key, gex__jnum(total_of(&a->totals, m)));
        if (m >= 2) {
            snprintf(key, sizeof key, "%s_interpretation", measures[m].name);
            const double net = total_of(&a->totals, m);
            rc |= gex__jset(
                d, key, gex__jstr(m == 2 ? gex__interpret_vanna(net) : gex__interpret_charm(net)));
        }
    } else if (rc == GEX_OK) {
        rc |= gex__jset(d, "gamma_flip", gex__jlevel(&a->levels.gamma_flip));
        for (int k = 0; k < 4; k++) {
            snprintf(key, sizeof key, "net_%s", measures[k].name);
            rc |= gex__jset(d, key, gex__jnum(total_of(&a->totals, k)));
        }
        rc |= gex__jset(d, "net_gex_label", gex__jstr(gex__label(a->totals.net_gex)));
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n && rc == GEX_OK && arr != NULL; i++) {
        const gex_strike_row *r = &rows[i];
        json_t *o = json_object();
        rc |= gex__jset(o, "strike", gex__jnum(r->strike));
        const int first = m < 0 ? 0 : m, last = m < 0 ? 3 : m;
        for (int k = first; k <= last; k++) {
            snprintf(key, sizeof key, "call_%s", measures[k].name);
            rc |= gex__jset(o, key, gex__jnum(field(r, measures[k].call)));
            snprintf(key, sizeof key, "put_%s", measures[k].name);
            rc |= gex__jset(o, key, gex__jnum(field(r, measures[k].put)));
            snprintf(key, sizeof key, "net_%s", measures[k].name);
            rc |= gex__jset(o, key, gex__jnum(field(r, measures[k].net)));
        }
        if (m <= 0) {
            rc |= gex__jset(o, "call_oi", gex__jnum(r->call_oi));
            rc |= gex__jset(o, "put_oi", gex__jnum(r->put_oi));
            rc |= gex__jset(o, "call_volume", gex__jnum(r->call_volume));
            rc |= gex__jset(o, "put_volume", gex__jnum(r->put_volume));
        }
        if (m == 0) {
            /* The vendor's OI change against the previous snapshot of the underlying (SPEC
             * 5.5): this strike's open interest minus the previous one's; null without a
             * previous snapshot or when the strike was not in it. */
            const gex_strike_row *p =
                prev != NULL ? row_of_strike(prev_rows, prev_n, r->strike) : NULL;
            rc |= gex__jset(o, "call_oi_change",
                            p != NULL ? gex__jnum(r->call_oi - p->call_oi) : json_null());
            rc |= gex__jset(o, "put_oi_change",
                            p != NULL ? gex__jnum(r->put_oi - p->put_oi) : json_null());
        }
        rc |= json_array_append_new(arr, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    rc |= gex__jset(d, "strikes", arr);
    d = gex__doc_complete(a, d, rc);
    if (d != NULL && m >= 2) {
        /* the interpretation's wording is gex's own (the vendor publishes examples, not rules) */
        snprintf(key, sizeof key, "%s_interpretation", measures[m].name);
        json_t *own = json_array();
        if (json_array_append_new(own, json_string(key)) != 0 ||
            gex__jset(json_object_get(d, "meta"), "gex_own", own) != GEX_OK) {
            json_decref(d);
            return NULL;
        }
    }
    return d;
}

static int exposure_table(const gex__render_options *opts, const gex__analysis *a, int m, FILE *out,
                          gex_error *err)
{
    const gex_strike_row *rows = gex_exposure_strikes(a->exposure);
    const size_t n = gex_exposure_strike_count(a->exposure);
    gex__column cols[20];
    char names[20][24];
    size_t nc = 0;
    cols[nc++] = (gex__column){"strike", "USD", GEX__STYLE_STRIKE};
    const int wide = m < 0 && opts->format == GEX__OUT_CSV;
    const int first = m < 0 ? 0 : m, last = m < 0 ? 3 : m;
    for (int k = first; k <= last; k++) {
        const gex__style st = GEX__STYLE_MONEY;
        if (m >= 0 || wide) {
            snprintf(names[nc], sizeof names[nc], "call_%s", measures[k].name);
            cols[nc] = (gex__column){names[nc], unit_of(a, k), st};
            nc++;
            snprintf(names[nc], sizeof names[nc], "put_%s", measures[k].name);
            cols[nc] = (gex__column){names[nc], unit_of(a, k), st};
            nc++;
        }
        snprintf(names[nc], sizeof names[nc], "net_%s", measures[k].name);
        cols[nc] = (gex__column){names[nc], unit_of(a, k), st};
        nc++;
    }
    /* The open interest: gex's in every format, exposure's (four measures already) in CSV and
     * JSON, so that its table fits an 80-column terminal. */
    const int with_oi = m == 0 || (m < 0 && opts->format != GEX__OUT_TABLE);
    /* gex's volume columns: in CSV and JSON; a table leaves them out to fit an 80-column
     * terminal (strike, three GEX columns and the open interest). */
    const int with_volume = (m == 0 && opts->format != GEX__OUT_TABLE) || wide;
    if (with_oi) {
        cols[nc++] = (gex__column){"call_oi", "contracts", GEX__STYLE_COUNT};
        cols[nc++] = (gex__column){"put_oi", "contracts", GEX__STYLE_COUNT};
        if (with_volume) {
            cols[nc++] = (gex__column){"call_volume", "contracts", GEX__STYLE_COUNT};
            cols[nc++] = (gex__column){"put_volume", "contracts", GEX__STYLE_COUNT};
        }
    }
    gex__table *t = gex__table_new(cols, nc, a->currency);
    int rc = t == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t i = 0; i < n && rc == GEX_OK; i++) {
        const gex_strike_row *r = &rows[i];
        rc |= gex__table_num(t, r->strike);
        for (int k = first; k <= last; k++) {
            if (m >= 0 || wide) {
                rc |= gex__table_num(t, field(r, measures[k].call));
                rc |= gex__table_num(t, field(r, measures[k].put));
            }
            rc |= gex__table_num(t, field(r, measures[k].net));
        }
        if (with_oi) {
            rc |= gex__table_num(t, r->call_oi);
            rc |= gex__table_num(t, r->put_oi);
            if (with_volume) {
                rc |= gex__table_num(t, r->call_volume);
                rc |= gex__table_num(t, r->put_volume);
            }
        }
    }
    char title[1024];
    gex__title(opts->doc, a, title, sizeof title);
    const int st = gex__table_finish(t, rc, opts->format, title, out, err);
    if (st == GEX_OK && opts->format == GEX__OUT_TABLE) {
        char v[64], flip[64];
        for (int k = first; k <= last; k++) {
            gex__fmt_grouped(total_of(&a->totals, k), 0, v, sizeof v);
            /* one measure a line when there are several: an 80-column terminal */
            char unit[GEX_CURRENCY_TEXT_MAX];
            fprintf(out, "%snet_%s %s %s", k == first || first != last ? "\n" : "   ",
                    measures[k].name, v,
                    gex_currency_text(unit_of(a, k), a->currency, unit, sizeof unit));
            if (k == 0)
                fprintf(out, " (%s)", gex__label(a->totals.net_gex));
        }
        if (m <= 0) {
            if (a->levels.gamma_flip.has)
                gex__fmt_price(a->levels.gamma_flip.value, flip, sizeof flip);
            else
                snprintf(flip, sizeof flip, "none");
            fprintf(out, "%sgamma_flip %s (%s)", first != last ? "\n" : "   ", flip,
                    gex_flip_method_name(a->levels.flip_method));
        }
        fputc('\n', out);
    }
    return st;
}

/* The measure of a per-strike command: 0 gex, 1 dex, 2 vex, 3 chex, -1 exposure (all). */
static int measure_of(gex__doc doc)
{
    int m = -1;
    switch (doc) {
    case GEX__DOC_GEX:
        m = 0;
        break;
    case GEX__DOC_DEX:
        m = 1;
        break;
    case GEX__DOC_VEX:
        m = 2;
        break;
    case GEX__DOC_CHEX:
        m = 3;
        break;
    default:
        m = -1;
        break;
    }
    return m;
}

static json_t *levels_doc(const gex__analysis *a);

json_t *gex__exposure_document(gex__doc doc, const gex__analysis *a)
{
    return gex__exposure_document_previous(doc, a, NULL);
}

json_t *gex__exposure_document_previous(gex__doc doc, const gex__analysis *a,
                                        const gex__analysis *prev)
{
    if (doc == GEX__DOC_LEVELS)
        return levels_doc(a);
    return exposure_doc(a, prev, measure_of(doc));
}

/* --- levels --- */

/* The vendor's seven levels, then gex's own three (in JSON under meta.gex_levels: the
 * vendor's levels object has exactly its keys). */
#define LEVELS_VENDOR 7
#define LEVELS_ALL    10
static const char *const level_names[LEVELS_ALL] = {
    "gamma_flip", "max_positive_gamma", "max_negative_gamma", "call_wall",
    "put_wall",   "highest_oi_strike",  "zero_dte_magnet",    "resistance",
    "support",    "abs_gamma_strike"};

static const gex_level *level_at(const gex_levels *l, int i)
{
    const gex_level *all[LEVELS_ALL] = {
        &l->gamma_flip, &l->max_positive_gamma, &l->max_negative_gamma, &l->call_wall,
        &l->put_wall,   &l->highest_oi_strike,  &l->zero_dte_magnet,    &l->resistance,
        &l->support,    &l->abs_gamma_strike};
    return all[i];
}

static json_t *levels_doc(const gex__analysis *a)
{
    json_t *d = gex__doc_head(a);
    json_t *lv = json_object();
    json_t *own = json_object();
    int st = d == NULL || lv == NULL || own == NULL ? GEX_ENOMEM : GEX_OK;
    for (int i = 0; i < LEVELS_VENDOR && st == GEX_OK; i++)
        st |= gex__jset(lv, level_names[i], gex__jlevel(level_at(&a->levels, i)));
    for (int i = LEVELS_VENDOR; i < LEVELS_ALL && st == GEX_OK; i++)
        st |= gex__jset(own, level_names[i], gex__jlevel(level_at(&a->levels, i)));
    st |= gex__jset(d, "levels", lv);
    d = gex__doc_complete(a, d, st);
    if (d == NULL || gex__jset(json_object_get(d, "meta"), "gex_levels", own) != GEX_OK) {
        json_decref(d);
        return NULL;
    }
    return d;
}

static int render_levels(const gex__render_options *opts, const gex__analysis *a, FILE *out,
                         gex_error *err)
{
    int rc = GEX_OK;
    if (opts->format == GEX__OUT_JSON) {
        rc = gex__doc_write(gex__exposure_document(opts->doc, a), out, err);
    } else if (opts->format == GEX__OUT_CSV) {
        gex__column cols[3 + LEVELS_ALL] = {{"symbol", NULL, GEX__STYLE_TEXT},
                                            {"underlying_price", NULL, GEX__STYLE_PRICE},
                                            {"as_of", NULL, GEX__STYLE_TEXT}};
        for (int i = 0; i < LEVELS_ALL; i++)
            cols[3 + i] = (gex__column){level_names[i], NULL, GEX__STYLE_STRIKE};
        gex__table *t = gex__table_new(cols, 3 + LEVELS_ALL, a->currency);
        char iso[40];
        gex_time_format_iso(a->as_of, iso, sizeof iso);
        int st = t == NULL ? GEX_ENOMEM : GEX_OK;
        if (st == GEX_OK) {
            st |= gex__table_text(t, a->symbol);
            st |= gex__table_num(t, a->spot);
            st |= gex__table_text(t, iso);
            for (int i = 0; i < LEVELS_ALL; i++)
                st |= gex__table_level(t, level_at(&a->levels, i));
        }
        rc = gex__table_finish(t, st, opts->format, NULL, out, err);
    } else {
        static const gex__column cols[3] = {{"level", NULL, GEX__STYLE_TEXT},
                                            {"strike", "USD", GEX__STYLE_PRICE},
                                            {"from_spot", "%", GEX__STYLE_PCT}};
        gex__table *t = gex__table_new(cols, 3, a->currency);
        int st = t == NULL ? GEX_ENOMEM : GEX_OK;
        for (int i = 0; i < LEVELS_ALL && st == GEX_OK; i++) {
            const gex_level *l = level_at(&a->levels, i);
            st |= gex__table_text(t, level_names[i]);
            st |= gex__table_level(t, l);
            if (l->has)
                st |= gex__table_num(t, (l->value - a->spot) / a->spot * 100.0);
            else
                st |= gex__table_null(t);
        }
        char title[1024];
        gex__title(opts->doc, a, title, sizeof title);
        rc = gex__table_finish(t, st, opts->format, title, out, err);
        if (rc == GEX_OK)
            fprintf(out,
                    "\ngamma_flip by the %s method; '-': the level does not exist;\n"
                    "resistance and support: the call wall at or above the spot and the put "
                    "wall\nat or below it; abs_gamma_strike: the largest call + |put| GEX\n",
                    gex_flip_method_name(a->levels.flip_method));
    }
    return rc;
}

/* --- profile --- */

/* The profile's measures, in column order (gex_profile_measure's). */
#define PROFILE_MEASURES GEX_PROFILE_MEASURES
static const char *const profile_names[PROFILE_MEASURES] = {"net_gex", "net_dex", "net_vex",
                                                            "net_chex"};

/* The profile at points spots evenly from S (1 - range_pct/100) to S (1 + range_pct/100): x, then
 * each measure's values, in one allocation the caller frees (*x); and the zero-delta flip. */
static int profile_eval(const gex__analysis *a, double range_pct, int points, double **x_out,
                        double *p[PROFILE_MEASURES], gex_level *zero_delta, gex_error *err)
{
    const size_t n = (size_t)points;
    double *x = malloc((1 + PROFILE_MEASURES) * n * sizeof *x);
    *x_out = x;
    if (x == NULL)
        return gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory");
    for (int m = 0; m < PROFILE_MEASURES; m++)
        p[m] = x + (size_t)(m + 1) * n;
    const double lo = a->spot * (1.0 - range_pct / 100.0);
    const double hi = a->spot * (1.0 + range_pct / 100.0);
    const gex_exposure *e = gex_analysis_exposure(a->an);
    int st = gex_profile_spots(lo, hi, n, x); /* the grid of every profile of gex */
    if (st == GEX_OK)
        st = gex_profile_eval_all(e, x, n, p);
    zero_delta->has = 0;
    zero_delta->value = 0;
    if (st == GEX_OK)
        st = gex_levels_flip_delta(e, zero_delta, NULL);
    if (st != GEX_OK) {
        free(x);
        *x_out = NULL;
        return gex_error_set(err, st, a->path, 0, 0, "%s: evaluating the profile failed: %s",
                             a->symbol, gex_strerror(st));
    }
    return GEX_OK;
}

static json_t *profile_json(const gex__analysis *a, const double *x, double *const *p, size_t n,
                            const gex_level *zero_delta)
{
    json_t *d = gex__doc_head(a);
    json_t *arr = json_array();
    int st = d == NULL || arr == NULL ? GEX_ENOMEM : GEX_OK;
    if (st == GEX_OK) {
        st |= gex__jset(d, "gamma_flip", gex__jlevel(&a->levels.gamma_flip));
        st |= gex__jset(d, "zero_delta_flip", gex__jlevel(zero_delta));
    }
    for (size_t i = 0; i < n && st == GEX_OK; i++) {
        json_t *o = json_object();
        st |= gex__jset(o, "x", gex__jnum(x[i]));
        for (int m = 0; m < PROFILE_MEASURES; m++)
            st |= gex__jset(o, profile_names[m], gex__jnum(p[m][i]));
        st |= json_array_append_new(arr, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    if (st == GEX_OK) {
        st |= gex__jset(d, "profile", arr);
        arr = NULL;
    }
    json_decref(arr);
    return gex__doc_complete(a, d, st);
}

json_t *gex__profile_document(const gex__analysis *a, double range_pct, int points, gex_error *err)
{
    double *x = NULL, *p[PROFILE_MEASURES];
    gex_level zero_delta;
    if (profile_eval(a, range_pct, points, &x, p, &zero_delta, err) != GEX_OK)
        return NULL;
    json_t *d = profile_json(a, x, p, (size_t)points, &zero_delta);
    free(x);
    if (d == NULL)
        gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory building the JSON document");
    return d;
}

static int render_profile(const gex__render_options *opts, const gex__analysis *a, FILE *out,
                          gex_error *err)
{
    const size_t n = (size_t)opts->points;
    double *x = NULL, *p[PROFILE_MEASURES];
    gex_level zero_delta;
    int rc = profile_eval(a, opts->range_pct, opts->points, &x, p, &zero_delta, err);
    if (rc != GEX_OK)
        return rc;
    if (opts->format == GEX__OUT_JSON) {
        rc = gex__doc_write(profile_json(a, x, p, n, &zero_delta), out, err);
    } else {
        gex__column cols[1 + PROFILE_MEASURES] = {
            {"x", "USD", GEX__STYLE_PRICE},
            {"net_gex", gex__unit_short(gex__unit_of(a)), GEX__STYLE_MONEY},
            {"net_dex", "USD", GEX__STYLE_MONEY},
            {"net_vex", "USD/vol pt", GEX__STYLE_MONEY},
            {"net_chex", "USD/day", GEX__STYLE_MONEY}};
        gex__table *t = gex__table_new(cols, 1 + PROFILE_MEASURES, a->currency);
        int st = t == NULL ? GEX_ENOMEM : GEX_OK;
        for (size_t i = 0; i < n && st == GEX_OK; i++) {
            st |= gex__table_num(t, x[i]);
            for (int m = 0; m < PROFILE_MEASURES; m++)
                st |= gex__table_num(t, p[m][i]);
        }
        char title[1024];
        gex__title(opts->doc, a, title, sizeof title);
        rc = gex__table_finish(t, st, opts->format, title, out, err);
        if (rc == GEX_OK && opts->format == GEX__OUT_TABLE) {
            char flip[64] = "none (DEX keeps one sign from 0.5 S to 1.5 S)";
            if (zero_delta.has)
                snprintf(flip, sizeof flip, "%.*f", gex__price_decimals(zero_delta.value, 2),
                         zero_delta.value);
            fprintf(out,
                    "\neach measure recomputed at the spot x (IV, T, r, q held); zero-delta "
                    "flip,\nwhere net DEX changes sign: %s\n",
                    flip);
        }
    }
    free(x);
    return rc;
}

int gex__render_exposure(const gex__render_options *options, const gex__analysis *a, FILE *out,
                         gex_error *err)
{
    switch (options->doc) {
    case GEX__DOC_GREEKS:
        return gex__render_greeks(options, a, out, err);
    case GEX__DOC_PROFILE:
        return render_profile(options, a, out, err);
    case GEX__DOC_LEVELS:
        return render_levels(options, a, out, err);
    default:
        return options->format == GEX__OUT_JSON
                   ? gex__doc_write(gex__exposure_document(options->doc, a), out, err)
                   : exposure_table(options, a, measure_of(options->doc), out, err);
    }
}
