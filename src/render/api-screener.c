/*
 * api-screener.c: POST /v1/screener over the served folder (SPEC 5.4): the vendor's request
 * (a filter tree of leaves and and/or groups, sort specs, select, limit, offset) and response
 * (meta and flat rows), on a universe that is the folder's symbols, each row from the symbol's
 * newest snapshot. GET /v1/screener/row/{symbol} (gex's own) is one symbol's row, through
 * which the program caches each row as its own answer; GET /v1/screener/fields lists the
 * fields. gex offers the stock-level fields one snapshot answers; the vendor's formulas,
 * cascading filters (expiries., strikes., contracts.) and history-based fields (VRP, realized
 * volatility, strategy scores) are refused with a 400 that says what gex offers instead.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api-builders.h"
#include "api-exposure.h"
#include "api-history.h"
#include "api-volatility.h"
#include "api.h"
#include "gex/gex.h"

/* The deepest filter tree accepted: a guard against a request that would recurse without end,
 * far beyond what a person writes. */
#define SCREENER_DEPTH_MAX 16
#define SCREENER_LIMIT_MAX 50

typedef enum { FT_STRING, FT_NUMBER, FT_BOOL } ftype;

typedef struct field {
    const char *name;
    ftype type;
    const char *text; /* for /v1/screener/fields and the manual */
} field;

/* The row's fields, in the order select=["*"] writes them. */
static const field fields[] = {
    {"symbol", FT_STRING, "the underlying"},
    {"currency", FT_STRING, "the ISO 4217 code of the row's prices and amounts (SPEC 1.5)"},
    {"price", FT_NUMBER, "the spot gex computes with (SPEC 1.3)"},
    {"bid", FT_NUMBER, "the underlying's bid as the file prints it (null: none)"},
    {"ask", FT_NUMBER, "the underlying's ask as the file prints it (null: none)"},
    {"mid", FT_NUMBER, "(bid + ask) / 2 (null without both)"},
    {"market_open", FT_BOOL, "NYSE's regular session open at the quote instant"},
    {"as_of", FT_STRING, "the snapshot's quote instant"},
    {"regime", FT_STRING,
     "positive_gamma, negative_gamma, or undetermined without a flip (SPEC 1.7)"},
    {"net_gex", FT_NUMBER, "net dealer GEX, the analysis's unit"},
    {"net_dex", FT_NUMBER, "net DEX"},
    {"net_vex", FT_NUMBER, "net VEX"},
    {"net_chex", FT_NUMBER, "net CHEX"},
    {"gamma_flip", FT_NUMBER, "SPEC 1.6"},
    {"call_wall", FT_NUMBER, "SPEC 1.6"},
    {"put_wall", FT_NUMBER, "SPEC 1.6"},
    {"max_positive_gamma", FT_NUMBER, "SPEC 1.6"},
    {"max_negative_gamma", FT_NUMBER, "SPEC 1.6"},
    {"highest_oi_strike", FT_NUMBER, "SPEC 1.6"},
    {"zero_dte_magnet", FT_NUMBER, "SPEC 1.6"},
    {"max_pain", FT_NUMBER, "the strike of least payout over every expiration (/v1/maxpain)"},
    {"zero_dte_net_gex", FT_NUMBER, "net GEX of the 0DTE expiration (0 without one)"},
    {"zero_dte_pct_of_total", FT_NUMBER, "its share of gross GEX, percent (0 without one)"},
    {"atm_iv", FT_NUMBER, "30-day ATM implied volatility, percent (SPEC 6.1)"},
    {"put_iv_25d", FT_NUMBER, "30-day 25-delta put IV, percent (SPEC 6.2)"},
    {"call_iv_25d", FT_NUMBER, "30-day 25-delta call IV, percent (SPEC 6.2)"},
    {"skew_25d", FT_NUMBER, "put_iv_25d - call_iv_25d, volatility points"},
    {"vix", FT_NUMBER,
     "CBOE's VIX method on the folder's SPX file of the snapshot's New York day "
     "(SPEC 1.9; null without one)"},
    {"total_call_oi", FT_NUMBER, "open interest of the calls the analysis keeps"},
    {"total_put_oi", FT_NUMBER, "open interest of the puts the analysis keeps"},
    {"pc_ratio_oi", FT_NUMBER, "total_put_oi / total_call_oi (null when no call OI)"},
    /* From the symbol's snapshots up to the newest (SPEC 6.3, 5.5), as /v1/vrp gives them. */
    {"rv_5d", FT_NUMBER, "realized volatility over 5 daily returns, percent a year"},
    {"rv_10d", FT_NUMBER, "realized volatility over 10 daily returns, percent a year"},
    {"rv_20d", FT_NUMBER, "realized volatility over 20 daily returns, percent a year"},
    {"rv_30d", FT_NUMBER, "realized volatility over 30 daily returns, percent a year"},
    {"vrp_5d", FT_NUMBER, "atm_iv - rv_5d, volatility points"},
    {"vrp_10d", FT_NUMBER, "atm_iv - rv_10d"},
    {"vrp_20d", FT_NUMBER, "atm_iv - rv_20d"},
    {"vrp_30d", FT_NUMBER, "atm_iv - rv_30d"},
    {"z_score", FT_NUMBER, "of vrp_20d against the previous trading days (/v1/vrp)"},
    {"percentile", FT_NUMBER, "of vrp_20d, a whole number from 0 to 100 (/v1/vrp)"},
    {"vrp_regime", FT_STRING, "gex's own: harvestable, toxic_short_vol, cheap_convexity (/v1/vrp)"},
    {"harvest_score", FT_NUMBER, "gex's own: /v1/vrp's gex_conditioned.harvest_score x 100"},
    {"net_harvest_score", FT_NUMBER, "gex's own, as /v1/vrp's, 0 to 100"},
    {"dealer_flow_risk", FT_NUMBER, "gex's own, as /v1/vrp's, 0 to 100"},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

/* The vendor's stock-level fields gex does not offer, and why (a 400 says so). */
static const char *const history_fields[] = {
    "vrp_assessment", "iron_condor_score", "iv_rank", "iv_percentile", "vvix", "move",
};

static const field *find_field(const char *name)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

/* Sets *ans for a field name that is not a field of gex's screener, saying what to use. */
static void unknown_field(const char *name, const char *where, gex__api_answer *ans)
{
    for (size_t i = 0; i < sizeof history_fields / sizeof *history_fields; i++)
        if (strcmp(history_fields[i], name) == 0) {
            gex__api_fail(ans, 400, "invalid_field",
                          "%s: %s is one of the vendor's fields whose formula it does not "
                          "publish, or that needs data beyond the folder's chains: gex's "
                          "screener does not offer it (GET /v1/screener/fields lists the "
                          "fields it offers, the VRP measures among them)",
                          where, name);
            return;
        }
    if (strncmp(name, "expiries.", 9) == 0 || strncmp(name, "strikes.", 8) == 0 ||
        strncmp(name, "contracts.", 10) == 0) {
        gex__api_fail(ans, 400, "invalid_field",
                      "%s: %s is a cascading filter, which gex's screener does not offer: it "
                      "filters the stock level (GET /v1/screener/fields)",
                      where, name);
        return;
    }
    gex__api_fail(ans, 400, "invalid_field",
                  "%s: %s is not a field of gex's screener: GET /v1/screener/fields lists them",
                  where, name);
}

/* ---- one symbol's row ---- */

json_t *gex__api_screener_row(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__analysis *a = in->analysis;
    if (a == NULL)
        return gex__api_fail(ans, 500, "internal_error", "a screener row needs a chain");
    gex_snapshot snap;
    if (gex_snapshot_from_analysis(a->an, &snap) != GEX_OK)
        return gex__api_fail(ans, 500, "internal_error", "out of memory measuring %s", a->symbol);
    gex_underlying_quote uq = {(double)NAN, (double)NAN, (double)NAN};
    if (gex_chain_size(a->chain) > 0) {
        gex_chain_view cv;
        gex_chain_get_view(a->chain, &cv);
        uq = gex_chain_underlying_quote(a->chain, cv.underlying[0]);
    }
    const double mid = isfinite(uq.bid) && isfinite(uq.ask) ? 0.5 * (uq.bid + uq.ask) : (double)NAN;
    const gex_zero_dte *z = gex_analysis_zero_dte(a->an);
    const gex_regime *rg = gex_analysis_regime(a->an);
    char as_of[48];
    gex__json_time(a->as_of, as_of, sizeof as_of);
    json_t *d = json_object();
    int st = d == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(d, "symbol", gex__jstr(a->symbol));
    st |= gex__jset(d, "currency", gex__jstr(a->currency));
    st |= gex__jset(d, "price", gex__jnum(a->spot));
    st |= gex__jset(d, "bid", gex__jnum_or_null(uq.bid));
    st |= gex__jset(d, "ask", gex__jnum_or_null(uq.ask));
    st |= gex__jset(d, "mid", gex__jnum_or_null(mid));
    st |= gex__jset(d, "market_open", json_boolean(gex_time_regular_session(a->as_of)));
    st |= gex__jset(d, "as_of", gex__jstr(as_of));
    st |= gex__jset(d, "regime", gex__jstr(rg->vendor_regime));
    st |= gex__jset(d, "net_gex", gex__jnum(a->totals.net_gex));
    st |= gex__jset(d, "net_dex", gex__jnum(a->totals.net_dex));
    st |= gex__jset(d, "net_vex", gex__jnum(a->totals.net_vex));
    st |= gex__jset(d, "net_chex", gex__jnum(a->totals.net_chex));
    st |= gex__jset(d, "gamma_flip", gex__jlevel(&a->levels.gamma_flip));
    st |= gex__jset(d, "call_wall", gex__jlevel(&a->levels.call_wall));
    st |= gex__jset(d, "put_wall", gex__jlevel(&a->levels.put_wall));
    st |= gex__jset(d, "max_positive_gamma", gex__jlevel(&a->levels.max_positive_gamma));
    st |= gex__jset(d, "max_negative_gamma", gex__jlevel(&a->levels.max_negative_gamma));
    st |= gex__jset(d, "highest_oi_strike", gex__jlevel(&a->levels.highest_oi_strike));
    st |= gex__jset(d, "zero_dte_magnet", gex__jlevel(&a->levels.zero_dte_magnet));
    st |= gex__jset(d, "max_pain", gex__jnum_or_null(gex__api_maxpain_strike(a)));
    st |= gex__jset(d, "zero_dte_net_gex", gex__jnum(z->has ? z->net_gex : 0.0));
    st |= gex__jset(d, "zero_dte_pct_of_total", gex__jnum(z->has ? z->pct_of_total_gex : 0.0));
    st |= gex__jset(d, "atm_iv", gex__jlevel(&snap.atm_iv));
    st |= gex__jset(d, "put_iv_25d", gex__jlevel(&snap.put_iv_25d));
    st |= gex__jset(d, "call_iv_25d", gex__jlevel(&snap.call_iv_25d));
    st |= gex__jset(d, "skew_25d",
                    snap.put_iv_25d.has && snap.call_iv_25d.has
                        ? gex__jnum(snap.put_iv_25d.value - snap.call_iv_25d.value)
                        : json_null());
    st |= gex__jset(d, "vix", gex__jnum_or_null(gex__api_vix_level(in->vix, a, 1)));
    st |= gex__jset(d, "total_call_oi", gex__jnum(snap.call_oi));
    st |= gex__jset(d, "total_put_oi", gex__jnum(snap.put_oi));
    st |= gex__jset(d, "pc_ratio_oi",
                    gex__jnum_or_null(snap.call_oi > 0 ? snap.put_oi / snap.call_oi : (double)NAN));
    if (st != GEX_OK) {
        json_decref(d);
        return gex__api_fail(ans, 500, "internal_error", "out of memory building the row");
    }
    /* The symbol's series (SPEC 5.5): its newest snapshot is this one. */
    const gex__api_series *se = in->series;
    const int hist = se != NULL && se->n > 0;
    const gex_snapshot *ls = hist ? &se->snapshot[se->n - 1] : &snap;
    gex_history_metrics none;
    memset(&none, 0, sizeof none);
    const gex_history_metrics *lm = hist ? &se->metrics[se->n - 1] : &none;
    st |= gex__api_vrp_measures(d, lm);
    const char *vr = gex__api_vrp_regime(ls, lm);
    st |= gex__jset(d, "vrp_regime", vr != NULL ? gex__jstr(vr) : json_null());
    const gex_level harvest = gex__api_harvest_score(ls, lm);
    const int risk = gex__api_dealer_flow_risk(ls);
    st |= gex__jset(d, "harvest_score",
                    harvest.has ? json_integer((json_int_t)lround(100.0 * harvest.value))
                                : json_null());
    const double net_harvest = gex__api_net_harvest(harvest, risk);
    st |= gex__jset(d, "net_harvest_score",
                    isfinite(net_harvest) ? json_integer((json_int_t)lround(net_harvest))
                                          : json_null());
    st |= gex__jset(d, "dealer_flow_risk", json_integer(risk));
    if (st != GEX_OK) {
        json_decref(d);
        return gex__api_fail(ans, 500, "internal_error", "out of memory building the row");
    }
    json_t *meta = gex__json_meta(a);
    if (meta == NULL || gex__jset(d, "meta", meta) != GEX_OK) {
        json_decref(d);
        return gex__api_fail(ans, 500, "internal_error", "out of memory building the row");
    }
    return d;
}

/* ---- the request ---- */

/* Checks a leaf or group at depth; where names it in messages ("filters", "filters.conditions[2]").
 */
static int check_filter(const json_t *f, int depth, const char *where, gex__api_answer *ans)
{
    if (!json_is_object(f)) {
        gex__api_fail(ans, 400, "invalid_filter",
                      "%s must be an object: a leaf {\"field\", \"operator\", \"value\"} or a "
                      "group {\"op\": \"and\"|\"or\", \"conditions\": [...]}",
                      where);
        return -1;
    }
    if (depth > SCREENER_DEPTH_MAX) {
        gex__api_fail(ans, 400, "invalid_filter", "%s: filters nest at most %d groups deep", where,
                      SCREENER_DEPTH_MAX);
        return -1;
    }
    const json_t *op = json_object_get(f, "op");
    if (op != NULL) {
        const char *o = json_string_value(op);
        const json_t *c = json_object_get(f, "conditions");
        if (o == NULL || (strcmp(o, "and") != 0 && strcmp(o, "or") != 0)) {
            gex__api_fail(ans, 400, "invalid_filter", "%s.op must be \"and\" or \"or\"", where);
            return -1;
        }
        if (!json_is_array(c)) {
            gex__api_fail(ans, 400, "invalid_filter", "%s.conditions must be an array", where);
            return -1;
        }
        for (size_t i = 0; i < json_array_size(c); i++) {
            char sub[512];
            const int len = snprintf(sub, sizeof sub, "%s.conditions[%zu]", where, i);
            if (len < 0 || (size_t)len >= sizeof sub) {
                gex__api_fail(ans, 400, "invalid_filter", "filters nest at most %d groups deep",
                              SCREENER_DEPTH_MAX);
                return -1;
            }
            if (check_filter(json_array_get(c, i), depth + 1, sub, ans) != 0)
                return -1;
        }
        return 0;
    }
    if (json_object_get(f, "formula") != NULL) {
        gex__api_fail(ans, 400, "invalid_filter",
                      "%s: formulas are not offered by gex's screener: filter on its fields "
                      "(GET /v1/screener/fields)",
                      where);
        return -1;
    }
    const char *name = json_string_value(json_object_get(f, "field"));
    if (name == NULL) {
        gex__api_fail(ans, 400, "invalid_filter", "%s: a leaf needs field (a string)", where);
        return -1;
    }
    const field *fd = find_field(name);
    if (fd == NULL) {
        unknown_field(name, where, ans);
        return -1;
    }
    const char *oper = json_string_value(json_object_get(f, "operator"));
    const json_t *v = json_object_get(f, "value");
    if (oper == NULL) {
        gex__api_fail(ans, 400, "invalid_operator", "%s: a leaf needs operator (a string)", where);
        return -1;
    }
    if (strcmp(oper, "is_null") == 0 || strcmp(oper, "is_not_null") == 0)
        return 0;
    const int numeric = fd->type == FT_NUMBER;
    if (strcmp(oper, "eq") == 0 || strcmp(oper, "neq") == 0) {
        const int ok = fd->type == FT_NUMBER   ? json_is_number(v)
                       : fd->type == FT_STRING ? json_is_string(v)
                                               : json_is_boolean(v);
        if (!ok) {
            gex__api_fail(ans, 400, "invalid_value", "%s: %s %s takes a %s value", where, name,
                          oper,
                          fd->type == FT_NUMBER   ? "number"
                          : fd->type == FT_STRING ? "string"
                                                  : "true or false");
            return -1;
        }
        return 0;
    }
    if (strcmp(oper, "gt") == 0 || strcmp(oper, "gte") == 0 || strcmp(oper, "lt") == 0 ||
        strcmp(oper, "lte") == 0) {
        if (!numeric || !json_is_number(v)) {
            gex__api_fail(ans, 400, "invalid_value",
                          "%s: %s compares a number field with a "
                          "number (%s is %s)",
                          where, oper, name, numeric ? "a number" : "not a number");
            return -1;
        }
        return 0;
    }
    if (strcmp(oper, "between") == 0) {
        if (!numeric || !json_is_array(v) || json_array_size(v) != 2 ||
            !json_is_number(json_array_get(v, 0)) || !json_is_number(json_array_get(v, 1))) {
            gex__api_fail(ans, 400, "invalid_value",
                          "%s: between takes a number field and a value [low, high] of two "
                          "numbers",
                          where);
            return -1;
        }
        return 0;
    }
    if (strcmp(oper, "in") == 0) {
        int ok = json_is_array(v) && json_array_size(v) > 0 && fd->type != FT_BOOL;
        for (size_t i = 0; ok && i < json_array_size(v); i++)
            ok = numeric ? json_is_number(json_array_get(v, i))
                         : json_is_string(json_array_get(v, i));
        if (!ok) {
            gex__api_fail(ans, 400, "invalid_value", "%s: in takes a non-empty array of %s", where,
                          numeric ? "numbers" : "strings");
            return -1;
        }
        return 0;
    }
    gex__api_fail(ans, 400, "invalid_operator",
                  "%s: operator %s is not one of eq, neq, gt, gte, lt, lte, between, in, "
                  "is_null, is_not_null",
                  where, oper);
    return -1;
}

/* The request body parsed and checked: the object (the caller's), or NULL with *ans. An absent
 * or empty body is {}. *limit and *offset receive the page. */
static json_t *parse_request(const char *body, size_t len, size_t *limit, size_t *offset,
                             gex__api_answer *ans)
{
    json_t *r;
    if (body == NULL || len == 0) {
        r = json_object();
    } else {
        json_error_t jerr;
        r = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        if (r == NULL)
            return gex__api_fail(ans, 400, "invalid_body", "the body is not JSON: line %d: %s",
                                 jerr.line, jerr.text);
    }
    if (r == NULL)
        return gex__api_fail(ans, 500, "internal_error", "out of memory");
    if (!json_is_object(r)) {
        json_decref(r);
        return gex__api_fail(ans, 400, "invalid_body", "the body must be a JSON object");
    }
    const char *key;
    json_t *v;
    json_object_foreach(r, key, v)
    {
        if (json_is_null(v))
            continue;
        if (strcmp(key, "filters") == 0) {
            if (check_filter(v, 0, "filters", ans) != 0)
                goto fail;
        } else if (strcmp(key, "sort") == 0) {
            if (!json_is_array(v)) {
                gex__api_fail(ans, 400, "invalid_sort",
                              "sort must be an array of {\"field\", \"direction\"}");
                goto fail;
            }
            for (size_t i = 0; i < json_array_size(v); i++) {
                const json_t *s = json_array_get(v, i);
                char where[64];
                snprintf(where, sizeof where, "sort[%zu]", i);
                if (json_is_object(s) && json_object_get(s, "formula") != NULL) {
                    gex__api_fail(ans, 400, "invalid_sort",
                                  "%s: formulas are not offered by gex's screener", where);
                    goto fail;
                }
                const char *name = json_string_value(json_object_get(s, "field"));
                const char *dir = json_string_value(json_object_get(s, "direction"));
                if (name == NULL) {
                    gex__api_fail(ans, 400, "invalid_sort", "%s needs field (a string)", where);
                    goto fail;
                }
                if (find_field(name) == NULL) {
                    unknown_field(name, where, ans);
                    goto fail;
                }
                const json_t *dir_j = json_object_get(s, "direction");
                if ((dir_j != NULL && !json_is_null(dir_j) && dir == NULL) ||
                    (dir != NULL && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)) {
                    gex__api_fail(ans, 400, "invalid_sort",
                                  "%s: direction must be \"asc\" or \"desc\"", where);
                    goto fail;
                }
            }
        } else if (strcmp(key, "select") == 0) {
            if (!json_is_array(v)) {
                gex__api_fail(ans, 400, "invalid_select",
                              "select must be an array of field names, or [\"*\"]");
                goto fail;
            }
            for (size_t i = 0; i < json_array_size(v); i++) {
                const char *name = json_string_value(json_array_get(v, i));
                char where[64];
                snprintf(where, sizeof where, "select[%zu]", i);
                if (name == NULL) {
                    gex__api_fail(ans, 400, "invalid_select", "%s must be a string", where);
                    goto fail;
                }
                if (strcmp(name, "*") != 0 && find_field(name) == NULL) {
                    unknown_field(name, where, ans);
                    goto fail;
                }
            }
        } else if (strcmp(key, "formulas") == 0) {
            if (!json_is_array(v) || json_array_size(v) > 0) {
                gex__api_fail(ans, 400, "invalid_formula",
                              "formulas are not offered by gex's screener: filter and sort on its "
                              "fields (GET /v1/screener/fields)");
                goto fail;
            }
        } else if (strcmp(key, "limit") != 0 && strcmp(key, "offset") != 0) {
            gex__api_fail(ans, 400, "invalid_body",
                          "the body holds %s: the screener takes filters, sort, select, limit "
                          "and offset",
                          key);
            goto fail;
        }
    }
    *limit = SCREENER_LIMIT_MAX;
    *offset = 0;
    const json_t *l = json_object_get(r, "limit"), *o = json_object_get(r, "offset");
    if (l != NULL && !json_is_null(l)) {
        if (!json_is_integer(l) || json_integer_value(l) < 1 ||
            json_integer_value(l) > SCREENER_LIMIT_MAX) {
            gex__api_fail(ans, 400, "invalid_limit", "limit must be an integer from 1 to %d",
                          SCREENER_LIMIT_MAX);
            goto fail;
        }
        *limit = (size_t)json_integer_value(l);
    }
    if (o != NULL && !json_is_null(o)) {
        if (!json_is_integer(o) || json_integer_value(o) < 0) {
            gex__api_fail(ans, 400, "invalid_offset", "offset must be an integer >= 0");
            goto fail;
        }
        *offset = (size_t)json_integer_value(o);
    }
    return r;
fail:
    json_decref(r);
    return NULL;
}

int gex__api_screener_check(const char *body, size_t len, gex__api_answer *ans)
{
    size_t limit, offset;
    json_t *r = parse_request(body, len, &limit, &offset, ans);
    json_decref(r);
    return r != NULL ? 0 : -1;
}

/* ---- evaluation ---- */

/* A leaf's value against a row (checked by check_filter): a comparison with a null field is
 * false, except is_null. */
/* Whether a row's value x of field name equals a filter's value v (eq, neq and each of in's):
 * numbers by value, texts exactly but `symbol` ignoring case, booleans by truth. */
static int same_value(const char *name, const json_t *x, const json_t *v)
{
    if (json_is_number(x))
        return json_number_value(x) == json_number_value(v);
    if (json_is_string(x)) {
        const char *a = json_string_value(x), *b = json_string_value(v);
        if (b == NULL)
            return 0;
        return strcmp(name, "symbol") == 0 ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
    }
    return json_is_true(x) == json_is_true(v);
}

static int leaf_true(const json_t *leaf, const json_t *row)
{
    const char *name = json_string_value(json_object_get(leaf, "field"));
    const char *oper = json_string_value(json_object_get(leaf, "operator"));
    const json_t *x = json_object_get(row, name);
    const int null = x == NULL || json_is_null(x);
    if (strcmp(oper, "is_null") == 0)
        return null;
    if (strcmp(oper, "is_not_null") == 0)
        return !null;
    if (null)
        return 0;
    const json_t *v = json_object_get(leaf, "value");
    if (strcmp(oper, "eq") == 0 || strcmp(oper, "neq") == 0) {
        const int eq = same_value(name, x, v);
        return oper[0] == 'e' ? eq : !eq;
    }
    if (strcmp(oper, "in") == 0) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (same_value(name, x, json_array_get(v, i)))
                return 1;
        return 0;
    }
    const double a = json_number_value(x);
    if (strcmp(oper, "between") == 0)
        return a >= json_number_value(json_array_get(v, 0)) &&
               a <= json_number_value(json_array_get(v, 1));
    const double b = json_number_value(v);
    if (strcmp(oper, "gt") == 0)
        return a > b;
    if (strcmp(oper, "gte") == 0)
        return a >= b;
    if (strcmp(oper, "lt") == 0)
        return a < b;
    return a <= b; /* lte */
}

static int filter_true(const json_t *f, const json_t *row)
{
    const char *op = json_string_value(json_object_get(f, "op"));
    if (op == NULL)
        return leaf_true(f, row);
    const json_t *c = json_object_get(f, "conditions");
    const int all = strcmp(op, "and") == 0;
    for (size_t i = 0; i < json_array_size(c); i++)
        if (filter_true(json_array_get(c, i), row) != all)
            return !all;
    return all; /* an empty and is true, an empty or false */
}

/* A row with the request's sort specs, so that qsort's comparator needs no other context. */
typedef struct sort_item {
    const json_t *row;
    const json_t *sort; /* the request's sort array, or NULL */
} sort_item;

/* Nulls last whatever the direction; ties by symbol, ascending. */
static int by_sort(const void *pa, const void *pb)
{
    const sort_item *a = pa, *b = pb;
    for (size_t i = 0; i < json_array_size(a->sort); i++) {
        const json_t *s = json_array_get(a->sort, i);
        const char *name = json_string_value(json_object_get(s, "field"));
        const char *dir = json_string_value(json_object_get(s, "direction"));
        const int desc = dir != NULL && strcmp(dir, "desc") == 0;
        const json_t *x = json_object_get(a->row, name), *y = json_object_get(b->row, name);
        const int xn = x == NULL || json_is_null(x), yn = y == NULL || json_is_null(y);
        if (xn || yn) {
            if (xn != yn)
                return xn ? 1 : -1;
            continue;
        }
        int c = 0;
        if (json_is_number(x))
            c = (json_number_value(x) > json_number_value(y)) -
                (json_number_value(x) < json_number_value(y));
        else if (json_is_string(x))
            c = strcmp(json_string_value(x), json_string_value(y));
        else
            c = json_is_true(x) - json_is_true(y);
        if (c != 0)
            return desc ? -c : c;
    }
    return strcmp(json_string_value(json_object_get(a->row, "symbol")),
                  json_string_value(json_object_get(b->row, "symbol")));
}

/* The row as select asks: every field for ["*"] or no select; symbol first always. */
static json_t *selected(const json_t *row, const json_t *select)
{
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    int st = gex__jset(out, "symbol", json_deep_copy(json_object_get(row, "symbol")));
    int all = select == NULL || json_array_size(select) == 0;
    for (size_t i = 0; !all && i < json_array_size(select); i++)
        all = strcmp(json_string_value(json_array_get(select, i)), "*") == 0;
    for (size_t i = 0; i < N_FIELDS && st == GEX_OK; i++) {
        int want = all;
        for (size_t k = 0; !want && k < json_array_size(select); k++)
            want = strcmp(json_string_value(json_array_get(select, k)), fields[i].name) == 0;
        if (want && strcmp(fields[i].name, "symbol") != 0) {
            const json_t *x = json_object_get(row, fields[i].name);
            st |= gex__jset(out, fields[i].name, x != NULL ? json_deep_copy(x) : json_null());
        }
    }
    if (st != GEX_OK) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *gex__api_screener(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__api_screener_input *u = in->screener;
    if (u == NULL)
        return gex__api_fail(ans, 500, "internal_error", "the screener's rows were not read");
    size_t limit, offset;
    json_t *req = parse_request(in->body, in->body_len, &limit, &offset, ans);
    if (req == NULL)
        return NULL;
    const json_t *filters = json_object_get(req, "filters");
    if (json_is_null(filters))
        filters = NULL;
    const json_t *sort = json_object_get(req, "sort");
    const json_t *select = json_object_get(req, "select");
    json_t **rows = calloc(u->n + 1, sizeof *rows);
    sort_item *items = calloc(u->n + 1, sizeof *items);
    json_t *missing = json_array();
    json_t *d = NULL;
    int st = rows == NULL || items == NULL || missing == NULL ? GEX_ENOMEM : GEX_OK;
    size_t matched = 0;
    int64_t newest = 0;
    for (size_t i = 0; i < u->n && st == GEX_OK; i++) {
        const gex__api_basket_entry *e = &u->entry[i];
        json_t *doc = json_loadb(e->body, e->len, 0, NULL);
        if (e->status != 200 || !json_is_string(json_object_get(doc, "symbol"))) {
            const char *why = json_string_value(json_object_get(doc, "message"));
            json_t *m = json_object();
            st |= gex__jset(m, "symbol", gex__jstr(e->symbol));
            st |= gex__jset(m, "status", json_integer((json_int_t)e->status));
            st |= gex__jset(m, "reason", gex__jstr(why != NULL ? why : "no answer"));
            st |= json_array_append_new(missing, m) == 0 ? GEX_OK : GEX_ENOMEM;
            json_decref(doc);
            continue;
        }
        rows[i] = doc;
        const char *as_of = json_string_value(json_object_get(doc, "as_of"));
        int64_t utc = 0;
        gex_instant_info info;
        if (as_of != NULL && gex_time_parse_now(as_of, strlen(as_of), &utc, &info) == GEX_OK &&
            utc > newest)
            newest = utc;
        if (filters == NULL || filter_true(filters, doc)) {
            items[matched].row = doc;
            items[matched].sort = json_is_array(sort) ? sort : NULL;
            matched++;
        }
    }
    if (st == GEX_OK && matched > 1)
        qsort(items, matched, sizeof *items, by_sort);
    json_t *data = json_array();
    st |= data == NULL;
    size_t returned = 0;
    for (size_t k = offset; k < matched && returned < limit && st == GEX_OK; k++, returned++)
        st |=
            json_array_append_new(data, selected(items[k].row, select)) == 0 ? GEX_OK : GEX_ENOMEM;
    char as_of[48] = "";
    if (newest != 0)
        gex__json_time(newest, as_of, sizeof as_of);
    json_t *meta = json_object();
    st |= meta == NULL;
    st |= gex__jset(meta, "total_count", json_integer((json_int_t)matched));
    st |= gex__jset(meta, "returned_count", json_integer((json_int_t)returned));
    st |= gex__jset(meta, "universe_size", json_integer((json_int_t)u->universe));
    st |= gex__jset(meta, "offset", json_integer((json_int_t)offset));
    st |= gex__jset(meta, "limit", json_integer((json_int_t)limit));
    st |= gex__jset(meta, "tier", gex__jstr("alpha"));
    st |= gex__jset(meta, "as_of", newest != 0 ? gex__jstr(as_of) : json_null());
    st |= gex__jset(meta, "universe",
                    gex__jstr("the symbols of the served folder, each from its "
                              "newest snapshot"));
    st |= gex__jset(meta, "missing", missing);
    missing = NULL;
    st |= gex__jset(meta, "gex_own",
                    gex__jstr("tier: gex has no plans and answers as the vendor's alpha tier "
                              "(50 rows, offset); fields: GET /v1/screener/fields; formulas, "
                              "cascading filters and history fields are refused (400)"));
    if (st == GEX_OK) {
        d = json_object();
        st |= d == NULL;
        st |= gex__jset(d, "meta", meta);
        meta = NULL;
        st |= gex__jset(d, "data", data);
        data = NULL;
    }
    json_decref(meta);
    json_decref(data);
    json_decref(missing);
    for (size_t i = 0; rows != NULL && i < u->n; i++)
        json_decref(rows[i]);
    free(rows);
    free(items);
    json_decref(req);
    if (st != GEX_OK) {
        json_decref(d);
        return gex__api_fail(ans, 500, "internal_error", "out of memory building the screener");
    }
    return d;
}

json_t *gex__api_screener_fields(const gex__api_input *in, gex__api_answer *ans)
{
    (void)in;
    /* By name, as the vendor lists them. */
    const field *order[N_FIELDS];
    for (size_t i = 0; i < N_FIELDS; i++) {
        size_t k = i;
        for (; k > 0 && strcmp(order[k - 1]->name, fields[i].name) > 0; k--)
            order[k] = order[k - 1];
        order[k] = &fields[i];
    }
    json_t *list = json_array();
    int st = list == NULL;
    for (size_t j = 0; j < N_FIELDS && st == 0; j++) {
        const field *fd = order[j];
        json_t *f = json_object();
        st |= gex__jset(f, "name", gex__jstr(fd->name));
        st |= gex__jset(f, "type",
                        gex__jstr(fd->type == FT_NUMBER   ? "number"
                                  : fd->type == FT_STRING ? "string"
                                                          : "boolean"));
        st |= gex__jset(f, "description", gex__jstr(fd->text));
        st |= json_array_append_new(list, f) != 0;
    }
    json_t *d = json_object();
    st |= d == NULL;
    st |= gex__jset(d, "fields", list);
    st |= gex__jset(d, "count", json_integer((json_int_t)N_FIELDS));
    if (st != 0) {
        json_decref(d);
        return gex__api_fail(ans, 500, "internal_error", "out of memory");
    }
    return d;
}
