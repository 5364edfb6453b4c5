/*
 * api-basket.c: GET /v1/exposure/basket?symbols=A,B,...&weights=w1,w2,... (SPEC 5.2): the
 * weighted sum of several symbols' net GEX, DEX, VEX and CHEX, each from the symbol's
 * /v1/exposure/summary answer at the instant asked. Symbols without data are dropped and
 * listed in missing_symbols; the weights of the others are renormalised to sum to 1 (equal
 * weights when none are given).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api-exposure.h"
#include "api.h"
#include "gex/gex.h"

int gex__api_basket_symbols(const gex__api_params *params, gex__api_basket *b, gex__api_answer *ans)
{
    memset(b, 0, sizeof *b);
    const char *s = gex__api_param(params, "symbols");
    if (s == NULL || s[0] == '\0') {
        gex__api_fail(ans, 400, "invalid_symbols",
                      "symbols is required: the basket's tickers, comma-separated, e.g. "
                      "?symbols=SPY,QQQ,IWM");
        return -1;
    }
    while (*s != '\0') {
        size_t len = strcspn(s, ",");
        if (len == 0 || len >= sizeof b->entry[0].symbol) {
            gex__api_fail(ans, 400, "invalid_symbols",
                          "symbols holds %s: give 1 to 15 characters between commas",
                          len == 0 ? "an empty name" : "a name over 15 characters");
            return -1;
        }
        if (b->n == GEX__API_BASKET_MAX) {
            gex__api_fail(ans, 400, "invalid_symbols", "a basket holds at most %d symbols",
                          GEX__API_BASKET_MAX);
            return -1;
        }
        char *sym = b->entry[b->n].symbol;
        for (size_t k = 0; k < len; k++) {
            if (!gex__api_symbol_char((unsigned char)s[k])) {
                gex__api_fail(ans, 400, "invalid_symbols",
                              "symbols holds '%.*s', which is not a ticker (letters, digits, "
                              ". - _ ^)",
                              (int)len, s);
                return -1;
            }
            sym[k] = (char)toupper((unsigned char)s[k]);
        }
        sym[len] = '\0';
        for (size_t j = 0; j < b->n; j++)
            if (strcmp(b->entry[j].symbol, sym) == 0) {
                gex__api_fail(ans, 400, "invalid_symbols",
                              "%s appears twice in symbols: give each symbol once (with its "
                              "weight)",
                              sym);
                return -1;
            }
        b->n++;
        s += len;
        if (*s == ',') {
            s++;
            if (*s == '\0') {
                gex__api_fail(ans, 400, "invalid_symbols", "symbols ends with a comma");
                return -1;
            }
        }
    }
    return 0;
}

/* The weights parameter: one finite number >= 0 per symbol, or all 1 when absent. */
static int parse_weights(const gex__api_input *in, size_t n, double *w, gex__api_answer *ans)
{
    const char *s = gex__api_param(in->params, "weights");
    if (s == NULL || s[0] == '\0') {
        for (size_t i = 0; i < n; i++)
            w[i] = 1.0;
        return 0;
    }
    size_t k = 0;
    while (*s != '\0') {
        char *end = NULL;
        double v = strtod(s, &end);
        /* a comma ends a number only where another follows it ("1," is a value missing); an
         * underflow is the number nearest (ERANGE set), an overflow infinite */
        if (end == s || !gex__decimal_text(s, (size_t)(end - s)) || (*end != ',' && *end != '\0') ||
            (*end == ',' && end[1] == '\0') || !isfinite(v) || v < 0 ||
            isspace((unsigned char)*s)) {
            gex__api_fail(ans, 400, "invalid_weights",
                          "weights must be numbers >= 0, comma-separated, one per symbol (got "
                          "'%.64s')",
                          s);
            return -1;
        }
        if (k == n) {
            gex__api_fail(ans, 400, "invalid_weights",
                          "weights has more values than symbols has names (%zu)", n);
            return -1;
        }
        w[k++] = v;
        s = *end == ',' ? end + 1 : end;
    }
    if (k != n) {
        gex__api_fail(ans, 400, "invalid_weights",
                      "weights has %zu values for %zu symbols: give one per symbol", k, n);
        return -1;
    }
    return 0;
}

static const char *const measures[4] = {"net_gex", "net_dex", "net_vex", "net_chex"};

/* A symbol's summary: its document and the numbers read from it, or why it has none. */
typedef struct member {
    json_t *doc;          /* NULL: missing */
    double net[4];        /* measures[] */
    const char *currency; /* its amounts' (meta.units.strike), in doc */
    const char *reason;   /* missing: the error answer's message */
} member;

static int read_member(const gex__api_basket_entry *e, member *m, json_t **err_doc)
{
    memset(m, 0, sizeof *m);
    *err_doc = NULL;
    json_t *d = e->body != NULL ? json_loadb(e->body, e->len, 0, NULL) : NULL;
    if (e->status != 200 || d == NULL) {
        *err_doc = d;
        const json_t *msg = json_object_get(d, "message");
        m->reason = json_is_string(msg) ? json_string_value(msg) : "no answer";
        return 0;
    }
    const json_t *ex = json_object_get(d, "exposures");
    for (int k = 0; k < 4; k++) {
        const json_t *v = json_object_get(ex, measures[k]);
        if (!json_is_number(v)) {
            *err_doc = d;
            m->reason = "its summary has no number for the exposures";
            return 0;
        }
        m->net[k] = json_number_value(v);
    }
    const json_t *cur =
        json_object_get(json_object_get(json_object_get(d, "meta"), "units"), "strike");
    m->currency = json_is_string(cur) ? json_string_value(cur) : GEX_CURRENCY_DEFAULT;
    m->doc = d;
    return 0;
}

/* The index of a member with data whose currency differs from the first such member's (first
 * into *first), or SIZE_MAX when they share one. */
static size_t other_currency(const member *m, size_t n, size_t *first)
{
    *first = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (m[i].doc == NULL)
            continue;
        if (*first == SIZE_MAX)
            *first = i;
        else if (strcmp(m[i].currency, m[*first].currency) != 0)
            return i;
    }
    return SIZE_MAX;
}

json_t *gex__api_exposure_basket(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__api_basket *b = in->basket;
    if (b == NULL || b->n == 0)
        return gex__api_fail(ans, 500, "internal_error", "the basket's symbols were not read");
    double w[GEX__API_BASKET_MAX];
    if (parse_weights(in, b->n, w, ans) != 0)
        return NULL;
    member m[GEX__API_BASKET_MAX];
    json_t *errs[GEX__API_BASKET_MAX];
    /* The weights are renormalised, w_i / sum w, over the members with data; each is scaled by
     * the largest first, so that weights near the largest double do not sum to infinity (and
     * every weight to 0) */
    double max_w = 0, total_w = 0;
    size_t alive = 0;
    for (size_t i = 0; i < b->n; i++) {
        read_member(&b->entry[i], &m[i], &errs[i]);
        if (m[i].doc != NULL) {
            max_w = fmax(max_w, w[i]);
            alive++;
        }
    }
    for (size_t i = 0; i < b->n && max_w > 0; i++)
        if (m[i].doc != NULL)
            total_w += w[i] / max_w;
    json_t *d = NULL;
    size_t first = SIZE_MAX;
    const size_t other = other_currency(m, b->n, &first);
    if (other != SIZE_MAX) {
        /* a basket sums its members' amounts, and gex converts no currency (SPEC 1.5) */
        gex__api_fail(ans, 422, "currencies_differ",
                      "%s is in %s and %s in %s: a basket sums its members' exposures and gex "
                      "converts no currency; ask for symbols of one currency",
                      b->entry[first].symbol, m[first].currency, b->entry[other].symbol,
                      m[other].currency);
    } else if (alive == 0) {
        gex__api_fail(ans, 404, "no_data",
                      "none of the %zu symbols has a chain file in the folder at the instant "
                      "asked (the first: %s: %.200s)",
                      b->n, b->entry[0].symbol, m[0].reason);
    } else if (!(total_w > 0)) {
        gex__api_fail(ans, 400, "invalid_weights",
                      "the weights of the symbols with data sum to 0: give at least one a "
                      "positive weight");
    } else {
        d = json_object();
        int st = d == NULL;
        double agg[4] = {0, 0, 0, 0}, gross = 0;
        const char *as_of = NULL;
        for (size_t i = 0; i < b->n; i++) {
            if (m[i].doc == NULL)
                continue;
            const double wi = w[i] / max_w / total_w;
            for (int k = 0; k < 4; k++)
                agg[k] += wi * m[i].net[k];
            gross += fabs(wi * m[i].net[0]);
            const char *t = json_string_value(json_object_get(m[i].doc, "as_of"));
            if (t != NULL && (as_of == NULL || strcmp(t, as_of) > 0))
                as_of = t;
        }
        st |= gex__jset(d, "as_of", as_of != NULL ? gex__jstr(as_of) : json_null());
        st |= gex__jset(d, "constituent_count", json_integer((json_int_t)alive));
        json_t *missing = json_array(), *cons = json_array(), *mcons = json_array(),
               *mmiss = json_array();
        st |= missing == NULL || cons == NULL || mcons == NULL || mmiss == NULL;
        for (size_t i = 0; i < b->n && !st; i++) {
            if (m[i].doc == NULL) {
                st |= json_array_append_new(missing, gex__jstr(b->entry[i].symbol)) != 0;
                json_t *o = json_object();
                st |= gex__jset(o, "symbol", gex__jstr(b->entry[i].symbol));
                st |= gex__jset(o, "status", json_integer(b->entry[i].status));
                st |= gex__jset(o, "reason", gex__jstr(m[i].reason));
                st |= o == NULL || json_array_append_new(mmiss, o) != 0;
                continue;
            }
            const double wi = w[i] / max_w / total_w;
            json_t *o = json_object();
            st |= gex__jset(o, "symbol", gex__jstr(b->entry[i].symbol));
            st |= gex__jset(o, "weight", gex__jnum(wi));
            const json_t *px = json_object_get(m[i].doc, "underlying_price");
            st |= gex__jset(o, "underlying_price",
                            json_is_number(px) ? json_incref((json_t *)px) : json_null());
            for (int k = 0; k < 4; k++)
                st |= gex__jset(o, measures[k], gex__jnum(m[i].net[k]));
            st |= gex__jset(o, "contribution_pct",
                            gross > 0 ? gex__jnum(fabs(wi * m[i].net[0]) / gross * 100.0)
                                      : json_null());
            st |= gex__jset(o, "regime",
                            gex__jstr(m[i].net[0] >= 0 ? "positive_gamma" : "negative_gamma"));
            st |= o == NULL || json_array_append_new(cons, o) != 0;
            json_t *mo = json_object();
            const json_t *meta = json_object_get(m[i].doc, "meta");
            const json_t *file = json_object_get(meta, "file");
            st |= gex__jset(mo, "symbol", gex__jstr(b->entry[i].symbol));
            st |= gex__jset(mo, "as_of", json_incref(json_object_get(m[i].doc, "as_of")));
            st |= gex__jset(mo, "file",
                            json_is_string(file) ? json_incref((json_t *)file) : json_null());
            st |= mo == NULL || json_array_append_new(mcons, mo) != 0;
        }
        st |= gex__jset(d, "missing_symbols", missing);
        json_t *ag = json_object();
        for (int k = 0; k < 4; k++)
            st |= gex__jset(ag, measures[k], gex__jnum(agg[k]));
        st |= gex__jset(d, "aggregate", ag);
        st |= gex__jset(d, "constituents", cons);
        json_t *meta = json_object();
        char version[64];
        snprintf(version, sizeof version, "gex %s", gex_version());
        st |= gex__jset(meta, "generator", gex__jstr(version));
        st |= gex__jset(meta, "currency", gex__jstr(m[first].currency));
        st |= gex__jset(meta, "method",
                        gex__jstr("each symbol's /v1/exposure/summary at the instant asked; "
                                  "weights renormalised over the symbols with data; aggregate "
                                  "= sum of weight x net; contribution_pct = |weight x net_gex| "
                                  "/ sum of them x 100; as_of the latest constituent's"));
        st |= gex__jset(meta, "constituents", mcons);
        st |= gex__jset(meta, "missing", mmiss);
        st |= gex__jset(d, "meta", meta);
        if (st) {
            json_decref(d);
            d = NULL;
            gex__api_fail(ans, 500, "internal_error", "out of memory building the basket");
        }
    }
    for (size_t i = 0; i < b->n; i++) {
        json_decref(m[i].doc);
        json_decref(errs[i]);
    }
    return d;
}
