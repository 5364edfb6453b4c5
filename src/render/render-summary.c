/*
 * render-summary.c: the document of gex's main job (SPEC 3 summary): spot, net GEX and label,
 * the flip and the distance to it, walls and magnet, net DEX, VEX and CHEX, the classifier,
 * the hedging estimate and the 0DTE share.
 */
#include <math.h>
#include <string.h>

#include "render.h"

/* What the summary shows beside the levels (SPEC 1.7). */
typedef struct summary_block {
    gex_regime regime;
    gex_hedge down, up;         /* gex's full revaluation (SPEC 1.7) */
    gex_hedge lin_down, lin_up; /* the vendor's linear estimate (SPEC 1.7) */
    gex_zero_dte zero_dte;
} summary_block;

/* The analysis's classifier and 0DTE block, and its two hedging estimates computed now. */
static int summary_compute(const gex__analysis *a, summary_block *s)
{
    memset(s, 0, sizeof *s);
    s->regime = *gex_analysis_regime(a->an);
    s->zero_dte = *gex_analysis_zero_dte(a->an);
    const int rc = gex_hedging_linear(a->exposure, GEX_HEDGE_MOVE, &s->lin_down, &s->lin_up);
    if (rc != GEX_OK)
        return rc;
    return gex_analysis_hedging(a->an, &s->down, &s->up);
}

static const char *regime_word(int regime)
{
    return regime > 0 ? "positive" : regime < 0 ? "negative" : "neutral";
}

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

static json_t *summary_doc(const gex__analysis *a, const summary_block *s)
{
    char iso[48], exp[16];
    gex__json_time(a->as_of, iso, sizeof iso);
    json_t *d = json_object();
    int rc = d == NULL ? GEX_ENOMEM : GEX_OK;
    rc |= gex__jset(d, "symbol", gex__jstr(a->symbol));
    rc |= gex__jset(d, "underlying_price", gex__jnum(a->spot));
    rc |= gex__jset(d, "as_of", gex__jstr(iso));
    rc |= gex__jset(d, "gamma_flip", gex__jlevel(&a->levels.gamma_flip));
    rc |= gex__jset(d, "regime", gex__jstr(s->regime.vendor_regime));
    json_t *ex = json_object();
    rc |= gex__jset(ex, "net_gex", gex__jnum(a->totals.net_gex));
    rc |= gex__jset(ex, "net_dex", gex__jnum(a->totals.net_dex));
    rc |= gex__jset(ex, "net_vex", gex__jnum(a->totals.net_vex));
    rc |= gex__jset(ex, "net_chex", gex__jnum(a->totals.net_chex));
    rc |= gex__jset(d, "exposures", ex);
    json_t *in = json_object();
    rc |= gex__jset(in, "gamma", gex__jstr(gex__interpret_gamma(a->totals.net_gex)));
    rc |= gex__jset(in, "vanna", gex__jstr(gex__interpret_vanna(a->totals.net_vex)));
    rc |= gex__jset(in, "charm", gex__jstr(gex__interpret_charm(a->totals.net_chex)));
    rc |= gex__jset(d, "interpretation", in);
    /* The vendor's fields hold its linear estimate; gex's full revaluation stands beside them
     * (SPEC 1.7). */
    json_t *he = json_object();
    rc |= gex__jset(he, "spot_down_1pct", hedge_json(&s->lin_down));
    rc |= gex__jset(he, "spot_up_1pct", hedge_json(&s->lin_up));
    rc |= gex__jset(d, "hedging_estimate", he);
    json_t *hf = json_object();
    rc |= gex__jset(hf, "spot_down_1pct", hedge_json(&s->down));
    rc |= gex__jset(hf, "spot_up_1pct", hedge_json(&s->up));
    rc |= gex__jset(d, "hedging_full_revaluation", hf);
    json_t *z = json_object();
    rc |= gex__jset(z, "net_gex", gex__jnum(s->zero_dte.has ? s->zero_dte.net_gex : 0.0));
    rc |= gex__jset(z, "pct_of_total_gex",
                    gex__jnum(s->zero_dte.has ? s->zero_dte.pct_of_total_gex : 0.0));
    if (s->zero_dte.has) {
        gex_time_format_date(s->zero_dte.expiration, exp, sizeof exp);
        rc |= gex__jset(z, "expiration", gex__jstr(exp));
    } else {
        rc |= gex__jset(z, "expiration", json_null());
    }
    rc |= gex__jset(d, "zero_dte", z);
    json_t *c = json_object();
    rc |= gex__jset(c, "regime", gex__jstr(regime_word(s->regime.regime)));
    rc |= gex__jset(c, "vanna_aligned", json_boolean(s->regime.vanna_aligned));
    rc |= gex__jset(c, "dist_to_flip", gex__jlevel(&s->regime.dist_to_flip));
    rc |= gex__jset(c, "confidence", gex__jstr(s->regime.confidence));
    rc |= gex__jset(c, "meaning", gex__jstr(s->regime.meaning));
    rc |= gex__jset(d, "classifier", c);
    json_t *meta = gex__json_meta(a);
    json_t *lv = json_object();
    rc |= gex__jset(lv, "call_wall", gex__jlevel(&a->levels.call_wall));
    rc |= gex__jset(lv, "put_wall", gex__jlevel(&a->levels.put_wall));
    rc |= gex__jset(lv, "zero_dte_magnet", gex__jlevel(&a->levels.zero_dte_magnet));
    rc |= gex__jset(lv, "max_positive_gamma", gex__jlevel(&a->levels.max_positive_gamma));
    rc |= gex__jset(lv, "max_negative_gamma", gex__jlevel(&a->levels.max_negative_gamma));
    rc |= gex__jset(lv, "highest_oi_strike", gex__jlevel(&a->levels.highest_oi_strike));
    rc |= gex__jset(meta, "levels", lv);
    /* gex's own three, as the levels document carries them (SPEC 1.6) */
    json_t *own_levels = json_object();
    rc |= gex__jset(own_levels, "resistance", gex__jlevel(&a->levels.resistance));
    rc |= gex__jset(own_levels, "support", gex__jlevel(&a->levels.support));
    rc |= gex__jset(own_levels, "abs_gamma_strike", gex__jlevel(&a->levels.abs_gamma_strike));
    rc |= gex__jset(meta, "gex_levels", own_levels);
    rc |= gex__jset(meta, "net_gex_label", gex__jstr(gex__label(a->totals.net_gex)));
    json_t *own = json_array();
    rc |= json_array_append_new(own, json_string("interpretation")) == 0 ? GEX_OK : GEX_ENOMEM;
    static const char *const owns[] = {"hedging_full_revaluation", "zero_dte.pct_of_total_gex",
                                       "classifier.meaning"};
    for (size_t k = 0; k < sizeof owns / sizeof owns[0]; k++)
        rc |= json_array_append_new(own, json_string(owns[k])) == 0 ? GEX_OK : GEX_ENOMEM;
    rc |= gex__jset(meta, "gex_own", own);
    json_t *hm = json_object();
    char estimate[256];
    rc |= gex__jset(hm, "hedging_estimate",
                    gex__jstr(gex_currency_text(
                        "the vendor's linear estimate: shares = net gamma (shares per $1) x S x "
                        "0.01, i.e. net_gex / S per 1% move; dealers buy on the way down when "
                        "positive, spot_up = -spot_down",
                        a->currency, estimate, sizeof estimate)));
    rc |= gex__jset(hm, "hedging_full_revaluation",
                    gex__jstr("gex's own: every used contract's delta revalued at S x 0.99 and "
                              "S x 1.01, shares = -(D(S') - D(S))"));
    rc |= gex__jset(meta, "hedging_methods", hm);
    rc |= gex__jset(d, "meta", meta);
    if (rc != GEX_OK) {
        json_decref(d);
        return NULL;
    }
    return d;
}

static const gex__column csv_columns[] = {
    {"symbol", NULL, GEX__STYLE_TEXT},
    {"underlying_price", NULL, GEX__STYLE_PRICE},
    {"as_of", NULL, GEX__STYLE_TEXT},
    {"net_gex", NULL, GEX__STYLE_MONEY},
    {"net_gex_label", NULL, GEX__STYLE_TEXT},
    {"gamma_flip", NULL, GEX__STYLE_PRICE},
    {"dist_to_flip", NULL, GEX__STYLE_PCT},
    {"call_wall", NULL, GEX__STYLE_STRIKE},
    {"put_wall", NULL, GEX__STYLE_STRIKE},
    {"zero_dte_magnet", NULL, GEX__STYLE_STRIKE},
    {"max_positive_gamma", NULL, GEX__STYLE_STRIKE},
    {"max_negative_gamma", NULL, GEX__STYLE_STRIKE},
    {"highest_oi_strike", NULL, GEX__STYLE_STRIKE},
    {"net_dex", NULL, GEX__STYLE_MONEY},
    {"net_vex", NULL, GEX__STYLE_MONEY},
    {"net_chex", NULL, GEX__STYLE_MONEY},
    {"regime", NULL, GEX__STYLE_TEXT},
    {"classifier_regime", NULL, GEX__STYLE_TEXT},
    {"vanna_aligned", NULL, GEX__STYLE_TEXT},
    {"confidence", NULL, GEX__STYLE_TEXT},
    {"meaning", NULL, GEX__STYLE_TEXT},
    {"down_1pct_dealer_shares", NULL, GEX__STYLE_MONEY},
    {"down_1pct_direction", NULL, GEX__STYLE_TEXT},
    {"down_1pct_notional_usd", NULL, GEX__STYLE_MONEY},
    {"up_1pct_dealer_shares", NULL, GEX__STYLE_MONEY},
    {"up_1pct_direction", NULL, GEX__STYLE_TEXT},
    {"up_1pct_notional_usd", NULL, GEX__STYLE_MONEY},
    {"zero_dte_net_gex", NULL, GEX__STYLE_MONEY},
    {"zero_dte_pct_of_total_gex", NULL, GEX__STYLE_PCT},
    {"zero_dte_expiration", NULL, GEX__STYLE_TEXT},
    /* gex's own levels (SPEC 1.6), after the columns the summary had before them */
    {"resistance", NULL, GEX__STYLE_STRIKE},
    {"support", NULL, GEX__STYLE_STRIKE},
    {"abs_gamma_strike", NULL, GEX__STYLE_STRIKE},
};

static int summary_csv(const gex__analysis *a, const summary_block *s, FILE *out, gex_error *err)
{
    gex__table *t =
        gex__table_new(csv_columns, sizeof csv_columns / sizeof csv_columns[0], a->currency);
    if (t == NULL)
        return gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory building the table");
    char iso[40], exp[16];
    gex_time_format_iso(a->as_of, iso, sizeof iso);
    int rc = gex__table_text(t, a->symbol);
    rc |= gex__table_num(t, a->spot);
    rc |= gex__table_text(t, iso);
    rc |= gex__table_num(t, a->totals.net_gex);
    rc |= gex__table_text(t, gex__label(a->totals.net_gex));
    rc |= gex__table_level(t, &a->levels.gamma_flip);
    rc |= gex__table_level(t, &s->regime.dist_to_flip);
    rc |= gex__table_level(t, &a->levels.call_wall);
    rc |= gex__table_level(t, &a->levels.put_wall);
    rc |= gex__table_level(t, &a->levels.zero_dte_magnet);
    rc |= gex__table_level(t, &a->levels.max_positive_gamma);
    rc |= gex__table_level(t, &a->levels.max_negative_gamma);
    rc |= gex__table_level(t, &a->levels.highest_oi_strike);
    rc |= gex__table_num(t, a->totals.net_dex);
    rc |= gex__table_num(t, a->totals.net_vex);
    rc |= gex__table_num(t, a->totals.net_chex);
    rc |= gex__table_text(t, s->regime.vendor_regime);
    rc |= gex__table_text(t, regime_word(s->regime.regime));
    rc |= gex__table_text(t, s->regime.vanna_aligned ? "true" : "false");
    rc |= gex__table_text(t, s->regime.confidence);
    rc |= gex__table_text(t, s->regime.meaning);
    rc |= gex__table_num(t, s->down.shares);
    rc |= gex__table_text(t, s->down.direction);
    rc |= gex__table_num(t, s->down.notional_usd);
    rc |= gex__table_num(t, s->up.shares);
    rc |= gex__table_text(t, s->up.direction);
    rc |= gex__table_num(t, s->up.notional_usd);
    rc |= gex__table_num(t, s->zero_dte.has ? s->zero_dte.net_gex : 0.0);
    rc |= gex__table_num(t, s->zero_dte.has ? s->zero_dte.pct_of_total_gex : 0.0);
    if (s->zero_dte.has) {
        gex_time_format_date(s->zero_dte.expiration, exp, sizeof exp);
        rc |= gex__table_text(t, exp);
    } else {
        rc |= gex__table_null(t);
    }
    rc |= gex__table_level(t, &a->levels.resistance);
    rc |= gex__table_level(t, &a->levels.support);
    rc |= gex__table_level(t, &a->levels.abs_gamma_strike);
    int st = GEX_OK;
    if (rc == GEX_OK)
        st = gex__table_emit(t, GEX__OUT_CSV, NULL, out, err);
    else
        st = gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory building the table");
    gex__table_free(t);
    return st;
}

/* "4,480.12 (+0.56% from spot)" or "none". */
static void level_text(const gex_level *l, double spot, char *buf, size_t size)
{
    if (!l->has) {
        snprintf(buf, size, "none");
        return;
    }
    char v[64];
    gex__fmt_price(l->value, v, sizeof v);
    double pct = (l->value - spot) / spot * 100.0;
    if (fabs(pct) < 0.005)
        pct = 0.0; /* no "-0.00%" */
    snprintf(buf, size, "%-14s %+.2f%% from spot", v, pct);
}

static void hedge_text(const gex_hedge *h, const char *currency, char *buf, size_t size)
{
    char sh[64], no[64];
    gex__fmt_grouped(fabs(h->shares), 0, sh, sizeof sh);
    gex__fmt_grouped(h->notional_usd, 0, no, sizeof no);
    if (strcmp(h->direction, "none") == 0)
        snprintf(buf, size, "dealers trade nothing");
    else
        snprintf(buf, size, "dealers %s %s shares (%s %s)", h->direction, sh, no, currency);
}

/* "label                  text", the text wrapped at spaces to fit 80 columns, continued under
 * itself. */
#define SUMMARY_WIDTH  80
#define SUMMARY_INDENT 23
static void put_wrapped(FILE *out, const char *label, const char *text)
{
    fprintf(out, "%-22s ", label);
    size_t col = SUMMARY_INDENT;
    const char *p = text;
    while (*p != '\0') {
        const size_t word = strcspn(p, " ");
        if (col > SUMMARY_INDENT && col + 1 + word > SUMMARY_WIDTH) {
            fprintf(out, "\n%*s", SUMMARY_INDENT, "");
            col = SUMMARY_INDENT;
        } else if (col > SUMMARY_INDENT) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, word, out);
        col += word;
        p += word;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

static int summary_table(const gex__analysis *a, const summary_block *s, FILE *out)
{
    char title[1024], v[64], buf[256], in[GEX_CURRENCY_TEXT_MAX];
    gex__title(GEX__DOC_SUMMARY, a, title, sizeof title);
    fprintf(out, "%s\n\n", title);
    const char *u = gex__unit_of(a) == GEX_UNIT_POINT    ? "USD per $1 move"
                    : gex__unit_of(a) == GEX_UNIT_SHARES ? "shares per $1 move"
                                                         : "USD per 1% move";
    const char *unit = gex_currency_text(u, a->currency, in, sizeof in);
    gex__fmt_price(a->spot, v, sizeof v);
    fprintf(out, "%-22s %s\n", "spot", v);
    gex__fmt_grouped(a->totals.net_gex, 0, v, sizeof v);
    fprintf(out, "%-22s %s %s (%s)\n", "net GEX", v, unit, gex__label(a->totals.net_gex));
    if (a->levels.gamma_flip.has) {
        gex__fmt_price(a->levels.gamma_flip.value, v, sizeof v);
        fprintf(out, "%-22s %s (%s method); spot is %.2f%% %s it\n", "gamma flip", v,
                gex_flip_method_name(a->levels.flip_method), fabs(s->regime.dist_to_flip.value),
                s->regime.dist_to_flip.value >= 0.0 ? "above" : "below");
    } else {
        fprintf(out, "%-22s none: net GEX keeps its sign from 0.5 to 1.5 times spot\n",
                "gamma flip");
    }
    const struct {
        const char *label;
        const gex_level *level;
    } levels[] = {
        {"call wall", &a->levels.call_wall},
        {"put wall", &a->levels.put_wall},
        {"0DTE magnet", &a->levels.zero_dte_magnet},
        {"max positive gamma", &a->levels.max_positive_gamma},
        {"max negative gamma", &a->levels.max_negative_gamma},
        {"highest OI strike", &a->levels.highest_oi_strike},
        {"resistance (calls)", &a->levels.resistance},
        {"support (puts)", &a->levels.support},
        {"absolute gamma strike", &a->levels.abs_gamma_strike},
    };
    for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
        level_text(levels[k].level, a->spot, buf, sizeof buf);
        fprintf(out, "%-22s %s\n", levels[k].label, buf);
    }
    fputc('\n', out);
    gex__fmt_grouped(a->totals.net_dex, 0, v, sizeof v);
    fprintf(out, "%-22s %s %s delta notional\n", "net DEX", v, a->currency);
    gex__fmt_grouped(a->totals.net_vex, 0, v, sizeof v);
    fprintf(out, "%-22s %s %s of delta per vol point\n", "net VEX", v, a->currency);
    gex__fmt_grouped(a->totals.net_chex, 0, v, sizeof v);
    fprintf(out, "%-22s %s %s of delta per day\n\n", "net CHEX", v, a->currency);
    fprintf(out, "%-22s %s gamma, vanna %s, confidence %s\n", "regime",
            regime_word(s->regime.regime), s->regime.vanna_aligned ? "aligned" : "not aligned",
            s->regime.confidence);
    put_wrapped(out, "meaning", s->regime.meaning);
    fprintf(out, "%-22s %s\n\n", "spot versus flip", s->regime.vendor_regime);
    hedge_text(&s->down, a->currency, buf, sizeof buf);
    fprintf(out, "%-22s %s\n", "hedging -1%, revalued", buf);
    hedge_text(&s->up, a->currency, buf, sizeof buf);
    fprintf(out, "%-22s %s\n", "hedging +1%, revalued", buf);
    if (s->zero_dte.has) {
        char exp[16];
        gex_time_format_date(s->zero_dte.expiration, exp, sizeof exp);
        gex__fmt_grouped(s->zero_dte.net_gex, 0, v, sizeof v);
        snprintf(buf, sizeof buf, "%.2f%% of gross GEX; net %s %s; expiration %s",
                 s->zero_dte.pct_of_total_gex, v, unit, exp);
        put_wrapped(out, "0DTE share", buf);
    } else {
        /* SPEC 1.7: none used. Say whether there were any to use. */
        gex_chain_view cv;
        gex_chain_get_view(a->chain, &cv);
        const int32_t today = (int32_t)gex_time_eastern_date(a->as_of);
        size_t unexpired = 0;
        for (size_t i = 0; i < cv.n; i++)
            unexpired += cv.expiration[i] == today && cv.status[i] != GEX_CONTRACT_EXPIRED;
        if (unexpired == 0)
            fprintf(out, "%-22s none: no unexpired contract expires on the quote date\n",
                    "0DTE share");
        else {
            snprintf(buf, sizeof buf,
                     "none used: the %zu unexpired %s expiring on the quote date %s left out (by "
                     "the filters, or without an IV)",
                     unexpired, unexpired == 1 ? "contract" : "contracts",
                     unexpired == 1 ? "is" : "are");
            put_wrapped(out, "0DTE share", buf);
        }
    }
    return GEX_OK; /* a stream's write errors are the sink's to report at its close */
}

int gex__render_summary(const gex__render_options *options, const gex__analysis *a, FILE *out,
                        gex_error *err)
{
    summary_block s;
    const int st = summary_compute(a, &s);
    if (st != GEX_OK)
        return gex_error_set(err, st, a->path, 0, 0, "%s: the summary could not be computed: %s",
                             a->symbol, gex_strerror(st));
    switch (options->format) {
    case GEX__OUT_JSON: {
        json_t *d = summary_doc(a, &s);
        if (d == NULL)
            return gex_error_set(err, GEX_ENOMEM, "", 0, 0,
                                 "out of memory building the JSON document");
        const int rc = gex__json_emit(d, out, err);
        json_decref(d);
        return rc;
    }
    case GEX__OUT_CSV:
        return summary_csv(a, &s, out, err);
    default:
        return summary_table(a, &s, out);
    }
}

json_t *gex__summary_document(const gex__analysis *a)
{
    summary_block s;
    if (summary_compute(a, &s) != GEX_OK)
        return NULL;
    return summary_doc(a, &s);
}
