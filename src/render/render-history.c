/*
 * render-history.c: gex history's table, CSV and JSON (render-history.h). Column names are
 * the vendor's /v1/vrp names where it has one (atm_iv, rv_20d, vrp_20d, z_score, percentile,
 * history_days, variance_risk_premium, put_wing_iv_25d, call_wing_iv_25d).
 */
#include <string.h>

#include "render-history.h"

enum {
    C_SYMBOL,
    C_CURRENCY,
    C_AS_OF,
    C_SPOT,
    C_NET_GEX,
    C_NET_DEX,
    C_NET_VEX,
    C_NET_CHEX,
    C_FLIP,
    C_CALL_WALL,
    C_PUT_WALL,
    C_MAX_POS,
    C_MAX_NEG,
    C_ZERO_DTE,
    C_ATM_IV,
    C_PUT_WING,
    C_CALL_WING,
    C_RV,                                /* 4 columns */
    C_VRP = C_RV + GEX_HISTORY_RV_COUNT, /* 4 columns */
    C_VARIANCE = C_VRP + GEX_HISTORY_RV_COUNT,
    C_Z,
    C_PERCENTILE,
    C_HISTORY_DAYS,
    C_CALL_OI,
    C_PUT_OI,
    C_CALL_OI_CHANGE,
    C_PUT_OI_CHANGE,
    C_FILE,
    C_COUNT
};

static const gex__column columns[C_COUNT] = {
    {"symbol", NULL, GEX__STYLE_TEXT},
    {"currency", NULL, GEX__STYLE_TEXT},
    {"as_of", "UTC", GEX__STYLE_TEXT},
    {"spot", "USD", GEX__STYLE_PRICE},
    {"net_gex", NULL, GEX__STYLE_MONEY},
    {"net_dex", "USD", GEX__STYLE_MONEY},
    {"net_vex", "USD/vol pt", GEX__STYLE_MONEY},
    {"net_chex", "USD/day", GEX__STYLE_MONEY},
    {"gamma_flip", "USD", GEX__STYLE_PRICE},
    {"call_wall", "USD", GEX__STYLE_STRIKE},
    {"put_wall", "USD", GEX__STYLE_STRIKE},
    {"max_positive_gamma", "USD", GEX__STYLE_STRIKE},
    {"max_negative_gamma", "USD", GEX__STYLE_STRIKE},
    {"zero_dte_pct", "% of GEX", GEX__STYLE_PCT},
    {"atm_iv", "%", GEX__STYLE_PCT},
    {"put_wing_iv_25d", "%", GEX__STYLE_PCT},
    {"call_wing_iv_25d", "%", GEX__STYLE_PCT},
    {"rv_5d", "%", GEX__STYLE_PCT},
    {"rv_10d", "%", GEX__STYLE_PCT},
    {"rv_20d", "%", GEX__STYLE_PCT},
    {"rv_30d", "%", GEX__STYLE_PCT},
    {"vrp_5d", "vol pts", GEX__STYLE_PCT},
    {"vrp_10d", "vol pts", GEX__STYLE_PCT},
    {"vrp_20d", "vol pts", GEX__STYLE_PCT},
    {"vrp_30d", "vol pts", GEX__STYLE_PCT},
    {"variance_risk_premium", "variance", GEX__STYLE_SIG},
    {"z_score", NULL, GEX__STYLE_PCT},
    {"percentile", "%", GEX__STYLE_PCT},
    {"history_days", "days", GEX__STYLE_COUNT},
    {"call_oi", "contracts", GEX__STYLE_COUNT},
    {"put_oi", "contracts", GEX__STYLE_COUNT},
    {"call_oi_change", "contracts", GEX__STYLE_COUNT},
    {"put_oi_change", "contracts", GEX__STYLE_COUNT},
    {"file", NULL, GEX__STYLE_TEXT},
};

const char *const gex__history_columns[C_COUNT + 1] = {
    "symbol",
    "currency",
    "as_of",
    "spot",
    "net_gex",
    "net_dex",
    "net_vex",
    "net_chex",
    "gamma_flip",
    "call_wall",
    "put_wall",
    "max_positive_gamma",
    "max_negative_gamma",
    "zero_dte_pct",
    "atm_iv",
    "put_wing_iv_25d",
    "call_wing_iv_25d",
    "rv_5d",
    "rv_10d",
    "rv_20d",
    "rv_30d",
    "vrp_5d",
    "vrp_10d",
    "vrp_20d",
    "vrp_30d",
    "variance_risk_premium",
    "z_score",
    "percentile",
    "history_days",
    "call_oi",
    "put_oi",
    "call_oi_change",
    "put_oi_change",
    "file",
    NULL,
};

/* The cells of one row, in column order, as levels (a plain number has has = 1). */
static void row_values(const gex__history_row *r, gex_level *v)
{
    const gex_snapshot *s = &r->snap;
    const gex_history_metrics *m = &r->m;
    v[C_SPOT] = (gex_level){1, s->spot};
    v[C_NET_GEX] = (gex_level){1, s->net_gex};
    v[C_NET_DEX] = (gex_level){1, s->net_dex};
    v[C_NET_VEX] = (gex_level){1, s->net_vex};
    v[C_NET_CHEX] = (gex_level){1, s->net_chex};
    v[C_FLIP] = s->gamma_flip;
    v[C_CALL_WALL] = s->call_wall;
    v[C_PUT_WALL] = s->put_wall;
    v[C_MAX_POS] = s->max_positive_gamma;
    v[C_MAX_NEG] = s->max_negative_gamma;
    v[C_ZERO_DTE] = (gex_level){1, s->zero_dte_pct};
    v[C_ATM_IV] = s->atm_iv;
    v[C_PUT_WING] = s->put_iv_25d;
    v[C_CALL_WING] = s->call_iv_25d;
    for (size_t w = 0; w < GEX_HISTORY_RV_COUNT; w++) {
        v[C_RV + w] = m->rv[w];
        v[C_VRP + w] = m->vrp[w];
    }
    v[C_VARIANCE] = m->variance_risk_premium;
    v[C_Z] = m->z_score;
    v[C_PERCENTILE] = m->percentile;
    v[C_HISTORY_DAYS] = (gex_level){1, (double)m->history_days};
    v[C_CALL_OI] = (gex_level){1, s->call_oi};
    v[C_PUT_OI] = (gex_level){1, s->put_oi};
    v[C_CALL_OI_CHANGE] = m->call_oi_change;
    v[C_PUT_OI_CHANGE] = m->put_oi_change;
}

json_t *gex__history_row_json(const gex__history_row *r)
{
    char iso[40];
    gex_level v[C_COUNT];
    gex_time_format_iso(r->snap.quote_time, iso, sizeof iso);
    row_values(r, v);
    json_t *o = json_object();
    int st = o == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(o, "symbol", gex__jstr(r->snap.symbol));
    st |= gex__jset(o, "currency", gex__jstr(gex_snapshot_currency(&r->snap)));
    st |= gex__jset(o, "as_of", gex__jstr(iso));
    for (int c = C_SPOT; c < C_FILE && st == GEX_OK; c++) {
        json_t *x =
            c == C_HISTORY_DAYS ? json_integer((json_int_t)r->m.history_days) : gex__jlevel(&v[c]);
        st |= gex__jset(o, columns[c].name, x);
    }
    st |= gex__jset(o, "file", r->file != NULL ? gex__jstr(r->file) : json_null());
    if (st != GEX_OK) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int render_json(const gex__history_row *rows, size_t n, const gex__history_meta *meta,
                       FILE *out, gex_error *err)
{
    json_t *d = json_object(), *arr = json_array();
    int st = d == NULL || arr == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t i = 0; i < n && st == GEX_OK; i++) {
        json_t *o = gex__history_row_json(&rows[i]);
        st |= o == NULL ? GEX_ENOMEM : GEX_OK;
        st |= json_array_append_new(arr, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    st |= gex__jset(d, "history", arr);
    json_t *m = json_object();
    char version[64];
    snprintf(version, sizeof version, "gex %s", gex_version());
    st |= gex__jset(m, "generator", gex__jstr(version));
    st |= gex__jset(m, "files", json_integer((json_int_t)meta->files));
    st |= gex__jset(m, "files_read", json_integer((json_int_t)meta->files_read));
    st |= gex__jset(m, "files_from_store", json_integer((json_int_t)meta->files_stored));
    st |= gex__jset(m, "files_failed", json_integer((json_int_t)meta->files_failed));
    st |= gex__jset(m, "folders_failed", json_integer((json_int_t)meta->folders_failed));
    st |= gex__jset(m, "files_without_snapshot",
                    json_integer((json_int_t)meta->files_without_snapshot));
    st |= gex__jset(m, "duplicates", json_integer((json_int_t)meta->duplicates));
    st |= gex__jset(m, "store", meta->store != NULL ? gex__jstr(meta->store) : json_null());
    st |= gex__jset(m, "gex_unit", gex__jstr(gex_gex_unit_name(meta->gex_unit)));
    st |= gex__jset(m, "flip_method", gex__jstr(gex_flip_method_name(meta->flip_method)));
    st |= gex__jset(m, "rate", gex__jnum(meta->rate));
    st |= gex__jset(m, "div", gex__jnum(meta->div));
    json_t *carry = json_object();
    st |= gex__jset(carry, "mode", gex__jstr(gex_carry_mode_name(meta->carry)));
    st |= gex__jset(m, "carry", carry);
    st |= gex__jset(m, "exercise", gex__jstr(gex_exposure_exercise_name(meta->exercise)));
    st |= gex__jset(d, "meta", m);
    if (st != GEX_OK) {
        json_decref(d);
        gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory building the output");
        return GEX_ENOMEM;
    }
    st = gex__json_emit(d, out, err);
    json_decref(d);
    return st;
}

/* The terminal table's columns: what a user reads day by day, in about 140 characters (all 34
 * are over 400). CSV and JSON carry every column; the title line says so. */
static const int table_columns[] = {
    C_SYMBOL, C_AS_OF,  C_SPOT,    C_NET_GEX, C_FLIP,           C_CALL_WALL,    C_PUT_WALL,
    C_ATM_IV, C_RV + 2, C_VRP + 2, C_Z,       C_CALL_OI_CHANGE, C_PUT_OI_CHANGE};
#define N_TABLE_COLUMNS (sizeof table_columns / sizeof table_columns[0])

int gex__render_history(const gex__history_row *rows, size_t n, const gex__history_meta *meta,
                        gex__out_format format, FILE *out, gex_error *err)
{
    if (format == GEX__OUT_JSON)
        return render_json(rows, n, meta, out, err);
    /* the columns shown, in order: all of them in CSV, table_columns in the table */
    int shown[C_COUNT];
    size_t n_shown = 0;
    if (format == GEX__OUT_CSV)
        for (int c = 0; c < C_COUNT; c++)
            shown[n_shown++] = c;
    else
        for (size_t k = 0; k < N_TABLE_COLUMNS; k++)
            shown[n_shown++] = table_columns[k];
    gex__column cols[C_COUNT];
    for (size_t k = 0; k < n_shown; k++) {
        cols[k] = columns[shown[k]];
        if (shown[k] == C_NET_GEX)
            cols[k].unit = gex__unit_short(meta->gex_unit);
    }
    char currency[4] = "";
    for (size_t i = 0; i < n; i++)
        gex__currency_fold(currency, rows[i].snap.currency);
    gex__table *t = gex__table_new(cols, n_shown, currency);
    int st = t == NULL ? GEX_ENOMEM : GEX_OK;
    if (format == GEX__OUT_CSV && t != NULL)
        gex__table_stream(t, out); /* a history of years needs no memory for its text */
    gex_level v[C_COUNT];
    for (size_t i = 0; i < n && st == GEX_OK && !(t != NULL && gex__table_write_failed(t)); i++) {
        const gex__history_row *r = &rows[i];
        char iso[40];
        gex_time_format_iso(r->snap.quote_time, iso, sizeof iso);
        row_values(r, v);
        for (size_t k = 0; k < n_shown; k++)
            st |= shown[k] == C_SYMBOL     ? gex__table_text(t, r->snap.symbol)
                  : shown[k] == C_CURRENCY ? gex__table_text(t, gex_snapshot_currency(&r->snap))
                  : shown[k] == C_AS_OF    ? gex__table_text(t, iso)
                  : shown[k] == C_FILE     ? gex__table_text(t, r->file)
                                           : gex__table_level(t, &v[shown[k]]);
    }
    if (st != GEX_OK && !(t != NULL && gex__table_write_failed(t))) {
        gex__table_free(t);
        gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory building the output");
        return GEX_ENOMEM;
    }
    char title[720], folders[80] = "", without[96] = "";
    if (meta->folders_failed > 0)
        snprintf(folders, sizeof folders, "; %zu folder%s gave no chain file", meta->folders_failed,
                 meta->folders_failed == 1 ? "" : "s");
    if (meta->files_without_snapshot > 0 && meta->has_at) {
        char iso[40];
        gex_time_format_iso(meta->at, iso, sizeof iso);
        snprintf(without, sizeof without, "%zu without a snapshot at %s, ",
                 meta->files_without_snapshot, iso);
    }
    snprintf(title, sizeof title,
             "%zu snapshot%s from %zu file%s (%zu read, %zu from the store, %zu could not be read, "
             "%s%zu duplicate%s dropped%s)%s%s",
             n, n == 1 ? "" : "s", meta->files, meta->files == 1 ? "" : "s", meta->files_read,
             meta->files_stored, meta->files_failed, without, meta->duplicates,
             meta->duplicates == 1 ? "" : "s", folders,
             format == GEX__OUT_TABLE
                 ? "\n13 of its 34 columns; --format csv or json has all of them"
                 : "",
             strcmp(currency, GEX__CURRENCY_MIXED) == 0
                 ? "\nthe rows are in several currencies, each in its file's (JSON: currency)"
                 : "");
    st = gex__table_emit(t, format, title, out, err);
    gex__table_free(t);
    return st;
}
