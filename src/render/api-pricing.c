/*
 * api-pricing.c: the vendor's pricing endpoints, which need no chain (SPEC 5.4):
 * GET /v1/pricing/greeks, /v1/pricing/iv, /v1/pricing/kelly and POST /v1/structures/pnl,
 * /v1/structures/greeks. The numbers come from libgex (gex/bs.h, gex/pricing.h); this file
 * reads the parameters, refuses bad ones with the vendor's error shape naming the parameter,
 * and writes the vendor's units and digits.
 *
 * Units, measured on the vendor's documented example (spot 580, strike 580, dte 30, sigma
 * 0.18, r 0.045, q 0.013; reproduced by tests/test-pricing.c and tests/test-api-pricing.c):
 * T = dte / 365; theta per calendar day of time passing; vega per vol point (1/100); rho per
 * 1.00 of rate; vanna, vomma, speed, zomma, ultima, dual_delta and lambda raw; charm, color and
 * veta per day of T growing (d/dT / 365: the opposite sign of theta's time passing). Digits:
 * 6 decimals, 8 for speed, zomma and color, 4 for lambda, as the vendor prints them.
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api-builders.h"
#include "gex/pricing.h"
#include "gex/time.h"

/* The vendor's defaults when r and q are not given (its API documentation). */
#define PRICING_DEFAULT_RATE     0.045
#define PRICING_DEFAULT_DIVIDEND 0.013
#define PRICING_DAYS_PER_YEAR    365.0
#define PRICING_VOL_POINT        100.0
/* Kelly: the vendor refuses a drift outside +-200%. */
#define KELLY_MU_MAX 2.0
/* The values messages give for a volatility and a drift: decimals a year (18%, 12%). */
#define SIGMA_EXAMPLE "0.18"
#define MU_EXAMPLE    "0.12"
/* The recommendation's text: 75 bytes of words, two "%.1f" of at most "100.0" and the ROI's
 * short form, at most 9 ("999999.9", "2.67e+302"): 94 bytes and the NUL, with room to spare. */
#define KELLY_RECOMMENDATION_SIZE 160
/* Structures: the vendor's defaults (81 points, strikes +-30%) and gex's own bound on the
 * curve's size (a request is 64 KiB at most; the answer stays under a megabyte). */
#define PNL_DEFAULT_POINTS 81
#define PNL_MAX_POINTS     10001
#define PNL_RANGE_FRACTION 0.30
#define STRUCTURE_MAX_LEGS 64

/* v rounded half away from zero to decimals places (the vendor's printed digits). */
static double rounded(double v, int decimals)
{
    const double scale = pow(10.0, decimals);
    const double r = round(v * scale) / scale;
    return isfinite(r) ? r : v;
}

static json_t *jround(double v, int decimals)
{
    return gex__jnum(rounded(v, decimals));
}

/* A number parameter: required, with example a value the endpoint takes (absent: 400 giving
 * it), or defaulting to dflt when example is NULL. Finite; the checks of its range are the
 * caller's. Returns 0, or -1 with *ans set. */
static int param_number(const gex__api_input *in, const char *name, const char *example,
                        double dflt, double *out, gex__api_answer *ans)
{
    const char *s = gex__api_param(in->params, name);
    char code[40];
    snprintf(code, sizeof code, "invalid_%s", name);
    if (s == NULL || s[0] == '\0') {
        if (example == NULL) {
            *out = dflt;
            return 0;
        }
        gex__api_fail(ans, 400, code, "%s is required: give it as a number, e.g. ?%s=%s", name,
                      name, example);
        return -1;
    }
    char *end = NULL;
    const double v = strtod(s, &end);
    if (!gex__decimal_text(s, strlen(s)) || end == s || *end != '\0' ||
        isspace((unsigned char)*s)) {
        gex__api_fail(ans, 400, code, "%s '%.64s' is not a finite number", name, s);
        return -1;
    }
    /* too small for a double (1e-320) is still a number, strtod's nearest (subnormal or 0) for
     * the caller's checks; too large (1e400) has no finite value to check */
    if (!isfinite(v)) {
        gex__api_fail(ans, 400, code, "%s '%.64s' is out of range (%.6g to %.6g)", name, s,
                      -DBL_MAX, DBL_MAX);
        return -1;
    }
    *out = v;
    return 0;
}

static int require_positive(const char *name, double v, gex__api_answer *ans)
{
    if (v > 0)
        return 0;
    char code[40];
    snprintf(code, sizeof code, "invalid_%s", name);
    gex__api_fail(ans, 400, code, "%s must be > 0 (got %g)", name, v);
    return -1;
}

/* "call" / "put" (also "c" / "p", any case); GEX_CALL, GEX_PUT, or -1. */
static int parse_type(const char *s)
{
    if (s == NULL)
        return -1;
    if (strcasecmp(s, "call") == 0 || strcasecmp(s, "c") == 0)
        return GEX_CALL;
    if (strcasecmp(s, "put") == 0 || strcasecmp(s, "p") == 0)
        return GEX_PUT;
    return -1;
}

static int param_type(const gex__api_input *in, int *type, gex__api_answer *ans)
{
    const char *s = gex__api_param(in->params, "type");
    if (s == NULL || s[0] == '\0') {
        *type = GEX_CALL;
        return 0;
    }
    *type = parse_type(s);
    if (*type < 0) {
        gex__api_fail(ans, 400, "invalid_type", "type '%.32s' is not call or put", s);
        return -1;
    }
    return 0;
}

static const char *type_name(int type)
{
    return type == GEX_CALL ? "call" : "put";
}

/* The contract every GET pricing endpoint starts from. */
typedef struct contract_params {
    int type;
    double spot, strike, dte, r, q;
} contract_params;

static int read_contract(const gex__api_input *in, contract_params *c, gex__api_answer *ans)
{
    if (param_number(in, "spot", "580", 0, &c->spot, ans) ||
        require_positive("spot", c->spot, ans) ||
        param_number(in, "strike", "580", 0, &c->strike, ans) ||
        require_positive("strike", c->strike, ans) ||
        param_number(in, "dte", "30", 0, &c->dte, ans) || require_positive("dte", c->dte, ans) ||
        param_type(in, &c->type, ans) ||
        param_number(in, "r", NULL, PRICING_DEFAULT_RATE, &c->r, ans) ||
        param_number(in, "q", NULL, PRICING_DEFAULT_DIVIDEND, &c->q, ans))
        return -1;
    return 0;
}

static json_t *oom(gex__api_answer *ans)
{
    return gex__api_fail(ans, 500, "internal_error", "out of memory building the document");
}

/* The greeks of gex_pricing_greeks in the vendor's units and digits. */
static json_t *first_order(const gex_greeks_full *g)
{
    return json_pack("{s:o,s:o,s:o,s:o,s:o}", "delta", jround(g->bs.delta, 6), "gamma",
                     jround(g->bs.gamma, 6), "theta",
                     jround(g->bs.theta / PRICING_DAYS_PER_YEAR, 6), "vega",
                     jround(g->bs.vega / PRICING_VOL_POINT, 6), "rho", jround(g->rho, 6));
}

json_t *gex__api_pricing_greeks(const gex__api_input *in, gex__api_answer *ans)
{
    contract_params c;
    double sigma;
    if (read_contract(in, &c, ans) || param_number(in, "sigma", SIGMA_EXAMPLE, 0, &sigma, ans) ||
        require_positive("sigma", sigma, ans))
        return NULL;
    gex_greeks_full g;
    const int st = gex_pricing_greeks(c.type, c.spot, c.strike, c.dte / PRICING_DAYS_PER_YEAR,
                                      sigma, c.r, c.q, &g);
    if (st != GEX_OK)
        return gex__api_fail(ans, 422, "greeks_undefined",
                             "the greeks of this contract are not representable in double "
                             "precision (%s): a shorter or less extreme contract has them",
                             gex_strerror(st));
    json_t *doc = json_pack(
        "{s:{s:o,s:o,s:o,s:o,s:s,s:o,s:o},s:o,s:o,s:{s:o,s:o,s:o,s:o},s:{s:o,s:o,s:o,s:o},"
        "s:{s:o,s:o}}",
        "inputs", "spot", gex__jnum(c.spot), "strike", gex__jnum(c.strike), "dte", gex__jnum(c.dte),
        "sigma", gex__jnum(sigma), "type", type_name(c.type), "risk_free_rate", gex__jnum(c.r),
        "dividend_yield", gex__jnum(c.q), "theoretical_price", jround(g.bs.price, 6), "first_order",
        first_order(&g), "second_order", "vanna", jround(g.bs.vanna, 6), "charm",
        jround(-g.bs.charm / PRICING_DAYS_PER_YEAR, 6), "vomma", jround(g.vomma, 6), "dual_delta",
        jround(g.dual_delta, 6), "third_order", "speed", jround(g.speed, 8), "zomma",
        jround(g.zomma, 8), "color", jround(g.color / PRICING_DAYS_PER_YEAR, 8), "ultima",
        jround(g.ultima, 6), "additional", "lambda",
        g.has_lambda ? jround(g.lambda, 4) : json_null(), "veta",
        jround(g.veta / PRICING_DAYS_PER_YEAR, 6));
    return doc != NULL ? doc : oom(ans);
}

json_t *gex__api_pricing_iv(const gex__api_input *in, gex__api_answer *ans)
{
    contract_params c;
    double price;
    if (read_contract(in, &c, ans) || param_number(in, "price", "12.69", 0, &price, ans) ||
        require_positive("price", price, ans))
        return NULL;
    double sigma = 0;
    const gex_iv_status st = gex_bs_implied_vol(c.type, price, c.spot, c.strike,
                                                c.dte / PRICING_DAYS_PER_YEAR, c.r, c.q, &sigma);
    if (st != GEX_IV_OK)
        return gex__api_fail(ans, 422, "iv_not_found",
                             "no volatility gives price %g (%s): a %s of this spot, strike and "
                             "dte is worth between its discounted intrinsic value and %s",
                             price, gex_iv_strstatus(st), type_name(c.type),
                             c.type == GEX_CALL ? "the discounted spot" : "the discounted strike");
    json_t *doc = json_pack(
        "{s:{s:o,s:o,s:o,s:o,s:s,s:o,s:o},s:o,s:o}", "inputs", "spot", gex__jnum(c.spot), "strike",
        gex__jnum(c.strike), "dte", gex__jnum(c.dte), "price", gex__jnum(price), "type",
        type_name(c.type), "risk_free_rate", gex__jnum(c.r), "dividend_yield", gex__jnum(c.q),
        "implied_volatility", jround(sigma, 6), "implied_volatility_pct", jround(100 * sigma, 2));
    return doc != NULL ? doc : oom(ans);
}

json_t *gex__api_pricing_kelly(const gex__api_input *in, gex__api_answer *ans)
{
    contract_params c;
    double sigma, premium, mu;
    if (read_contract(in, &c, ans) || param_number(in, "sigma", SIGMA_EXAMPLE, 0, &sigma, ans) ||
        require_positive("sigma", sigma, ans) ||
        param_number(in, "premium", "12.69", 0, &premium, ans) ||
        require_positive("premium", premium, ans) ||
        param_number(in, "mu", MU_EXAMPLE, 0, &mu, ans))
        return NULL;
    if (fabs(mu) > KELLY_MU_MAX)
        return gex__api_fail(ans, 400, "invalid_mu",
                             "mu %g is outside -2 to 2 (-200%% to +200%% a year): give the "
                             "expected annual return as a decimal, e.g. " MU_EXAMPLE,
                             mu);
    const gex_kelly_in kin = {c.type, c.spot,  c.strike, c.dte / PRICING_DAYS_PER_YEAR,
                              sigma,  premium, mu,       c.q};
    gex_kelly_out k;
    if (gex_pricing_kelly(&kin, &k) != GEX_OK)
        return gex__api_fail(ans, 422, "kelly_undefined",
                             "the Kelly fraction of this position is not representable in "
                             "double precision: check spot, strike, dte, sigma and premium");
    const double roi = k.expected_payoff / premium - 1.0;
    if (!isfinite(100.0 * roi))
        return gex__api_fail(ans, 422, "kelly_undefined",
                             "the expected ROI of premium %g is not representable in double "
                             "precision: the premium is too small for the expected payoff %g",
                             premium, k.expected_payoff);
    /* the fraction and the probability are at most 100%; the ROI has no bound (a premium of
     * 1e-300), hence its short form */
    char rec[KELLY_RECOMMENDATION_SIZE], roi_pct[GEX__SHORT_SIZE];
    gex__fmt_short(100.0 * roi, 1, roi_pct, sizeof roi_pct);
    if (k.fraction > 0)
        snprintf(rec, sizeof rec,
                 "Risk %.1f%% of bankroll (half-Kelly). Probability of profit: %.1f%%. Expected "
                 "ROI: %s%%.",
                 50.0 * k.fraction, 100.0 * k.probability_of_profit, roi_pct);
    else
        snprintf(rec, sizeof rec,
                 "Negative expected value \xe2\x80\x94 Kelly recommends no "
                 "position.");
    json_t *doc = json_pack(
        "{s:{s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o},s:{s:o,s:o,s:o,s:o,s:o},"
        "s:{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o},s:s}",
        "inputs", "spot", gex__jnum(c.spot), "strike", gex__jnum(c.strike), "dte", gex__jnum(c.dte),
        "sigma", gex__jnum(sigma), "premium", gex__jnum(premium), "mu", gex__jnum(mu), "type",
        type_name(c.type), "risk_free_rate", gex__jnum(c.r), "dividend_yield", gex__jnum(c.q),
        "sizing", "kelly_fraction", jround(k.fraction, 6), "half_kelly", jround(k.fraction / 2, 6),
        "quarter_kelly", jround(k.fraction / 4, 6), "kelly_pct", jround(100 * k.fraction, 2),
        "half_kelly_pct", jround(50 * k.fraction, 2), "analysis", "expected_roi", jround(roi, 6),
        "expected_roi_pct", jround(100 * roi, 2), "expected_payoff", jround(k.expected_payoff, 4),
        "probability_of_profit", jround(k.probability_of_profit, 6), "probability_of_profit_pct",
        jround(100 * k.probability_of_profit, 2), "probability_itm", jround(k.probability_itm, 6),
        "probability_itm_pct", jround(100 * k.probability_itm, 2), "max_loss", gex__jnum(premium),
        "breakeven", jround(k.breakeven, 6), "expected_growth_rate", jround(k.growth_rate, 8),
        "recommendation", rec);
    return doc != NULL ? doc : oom(ans);
}

/* --- structures (POST, a JSON body) --- */

typedef struct leg {
    int sign; /* +1 buy, -1 sell */
    int type;
    double strike, premium, quantity, iv;
    int32_t expiry;
} leg;

static json_t *body_object(const gex__api_input *in, gex__api_answer *ans)
{
    if (in->body == NULL || in->body_len == 0)
        return gex__api_fail(ans, 400, "empty_legs",
                             "the request has no body: POST a JSON object with a legs array");
    json_error_t jerr;
    json_t *body = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (body == NULL)
        return gex__api_fail(ans, 400, "invalid_body", "the body is not JSON: line %d: %s",
                             jerr.line, jerr.text);
    if (!json_is_object(body)) {
        json_decref(body);
        return gex__api_fail(ans, 400, "invalid_body", "the body must be a JSON object");
    }
    return body;
}

/* A member that must be a number if present: returns 1 (found, *v set), 0 (absent or null), -1
 * (not a number: *ans set with code). */
static int member_number(const json_t *obj, const char *key, const char *code, const char *what,
                         double *v, gex__api_answer *ans)
{
    const json_t *m = json_object_get(obj, key);
    if (m == NULL || json_is_null(m))
        return 0;
    if (!json_is_number(m)) {
        gex__api_fail(ans, 400, code, "%s must be a number", what);
        return -1;
    }
    *v = json_number_value(m);
    return 1;
}

/* A member that is text: 1 and *v, 0 when absent or null, or -1 with *ans set when it is of
 * another type (a number or a list where a word is read is no word, not an absent one). */
static int member_text(const json_t *obj, const char *key, const char *code, const char *what,
                       const char *example, const char **v, gex__api_answer *ans)
{
    const json_t *m = json_object_get(obj, key);
    if (m == NULL || json_is_null(m))
        return 0;
    if (!json_is_string(m)) {
        gex__api_fail(ans, 400, code, "%s must be a string, e.g. %s", what, example);
        return -1;
    }
    *v = json_string_value(m);
    return 1;
}

/* Reads legs[] (with expiry and impliedVol when greeks). Returns the number of legs, or 0 with
 * *ans set. */
static size_t read_legs(const json_t *body, int greeks, leg *legs, gex__api_answer *ans)
{
    const json_t *arr = json_object_get(body, "legs");
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        gex__api_fail(ans, 400, "empty_legs", "legs is missing or empty: give one or more legs");
        return 0;
    }
    if (json_array_size(arr) > STRUCTURE_MAX_LEGS) {
        gex__api_fail(ans, 400, "too_many_legs", "legs has %zu entries; at most %d",
                      json_array_size(arr), STRUCTURE_MAX_LEGS);
        return 0;
    }
    size_t i;
    const json_t *o;
    json_array_foreach(arr, i, o)
    {
        char what[48];
        leg *l = &legs[i];
        if (!json_is_object(o)) {
            gex__api_fail(ans, 400, "invalid_leg", "legs[%zu] is not an object", i);
            return 0;
        }
        const char *action = "buy", *type = NULL;
        snprintf(what, sizeof what, "legs[%zu].action", i);
        if (member_text(o, "action", "invalid_action", what, "\"buy\" or \"sell\"", &action, ans) <
            0)
            return 0;
        snprintf(what, sizeof what, "legs[%zu].type", i);
        if (member_text(o, "type", "invalid_type", what, "\"call\" or \"put\"", &type, ans) < 0)
            return 0;
        if (strcasecmp(action, "buy") == 0 || strcasecmp(action, "long") == 0)
            l->sign = 1;
        else if (strcasecmp(action, "sell") == 0 || strcasecmp(action, "short") == 0)
            l->sign = -1;
        else {
            gex__api_fail(ans, 400, "invalid_action",
                          "legs[%zu].action '%.32s' is not buy or sell (long, short)", i, action);
            return 0;
        }
        l->type = type == NULL ? GEX_CALL : parse_type(type);
        if (l->type < 0) {
            gex__api_fail(ans, 400, "invalid_type",
                          "legs[%zu].type '%.32s' is not call or put (c, p)", i, type);
            return 0;
        }
        snprintf(what, sizeof what, "legs[%zu].strike", i);
        l->strike = 0;
        if (member_number(o, "strike", "invalid_strike", what, &l->strike, ans) < 0)
            return 0;
        if (!(l->strike > 0)) {
            gex__api_fail(ans, 400, "invalid_strike", "%s must be a number > 0", what);
            return 0;
        }
        snprintf(what, sizeof what, "legs[%zu].quantity", i);
        l->quantity = 1;
        if (member_number(o, "quantity", "invalid_quantity", what, &l->quantity, ans) < 0)
            return 0;
        if (!(l->quantity > 0)) {
            gex__api_fail(ans, 400, "invalid_quantity", "%s must be > 0", what);
            return 0;
        }
        if (!greeks) {
            snprintf(what, sizeof what, "legs[%zu].premium", i);
            if (member_number(o, "premium", "invalid_premium", what, &l->premium, ans) != 1) {
                if (ans->status == 0)
                    gex__api_fail(ans, 400, "invalid_premium", "%s is required (>= 0)", what);
                return 0;
            }
            if (!(l->premium >= 0)) {
                gex__api_fail(ans, 400, "invalid_premium", "%s must be >= 0", what);
                return 0;
            }
            continue;
        }
        snprintf(what, sizeof what, "legs[%zu].impliedVol", i);
        if (member_number(o, "impliedVol", "invalid_iv", what, &l->iv, ans) != 1 || !(l->iv > 0)) {
            gex__api_fail(ans, 400, "invalid_iv",
                          "%s must be a volatility > 0 as a decimal, e.g. 0.28", what);
            return 0;
        }
        const char *expiry = json_string_value(json_object_get(o, "expiry"));
        if (expiry == NULL || strlen(expiry) != 10 ||
            gex_time_parse_date(expiry, 10, &l->expiry) != GEX_OK) {
            gex__api_fail(ans, 400, "invalid_expiry",
                          "legs[%zu].expiry must be a date YYYY-MM-DD, e.g. 2026-07-17", i);
            return 0;
        }
    }
    return json_array_size(arr);
}

/* The structure's P&L per share at expiry if the underlying ends at x. */
static double pnl_at(const leg *legs, size_t n, double x)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        const double intrinsic =
            legs[i].type == GEX_CALL ? fmax(x - legs[i].strike, 0) : fmax(legs[i].strike - x, 0);
        s += legs[i].sign * legs[i].quantity * (intrinsic - legs[i].premium);
    }
    return s;
}

/* Whether the structure's P&L can be computed in doubles over [0, top]: each leg's quantity
 * times its largest intrinsic value there plus its premium, summed, bounds |P&L| and every
 * partial sum, and is kept below a sixteenth of the largest double so that the differences of
 * two values and the breakevens' interpolation cannot overflow either. */
static int pnl_representable(const leg *legs, size_t n, double top)
{
    double bound = 0;
    for (size_t i = 0; i < n; i++)
        bound += legs[i].quantity * (fmax(top, legs[i].strike) + legs[i].premium);
    return isfinite(bound) && bound <= DBL_MAX / 16;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Appends x to the breakevens unless it repeats the last one (a root at a kink is found from
 * both of its segments). */
static int add_root(json_t *roots, double *last, double x)
{
    x = rounded(x, 6);
    if (json_array_size(roots) > 0 && x == *last)
        return 0;
    *last = x;
    return json_array_append_new(roots, gex__jnum(x));
}

json_t *gex__api_structures_pnl(const gex__api_input *in, gex__api_answer *ans)
{
    memset(ans, 0, sizeof *ans);
    json_t *body = body_object(in, ans);
    if (body == NULL)
        return NULL;
    leg legs[STRUCTURE_MAX_LEGS];
    const size_t n = read_legs(body, 0, legs, ans);
    double lo = 0, hi = 0, points_d = PNL_DEFAULT_POINTS;
    int has_lo = 0, has_hi = 0;
    if (n == 0 ||
        (has_lo = member_number(body, "minUnderlying", "invalid_range", "minUnderlying", &lo,
                                ans)) < 0 ||
        (has_hi = member_number(body, "maxUnderlying", "invalid_range", "maxUnderlying", &hi,
                                ans)) < 0 ||
        member_number(body, "points", "invalid_points", "points", &points_d, ans) < 0) {
        json_decref(body);
        return NULL;
    }
    if (points_d > PNL_MAX_POINTS) {
        json_decref(body);
        return gex__api_fail(ans, 400, "invalid_points", "points %g is above gex's limit of %d",
                             points_d, PNL_MAX_POINTS);
    }
    const size_t points = points_d < 2 ? 2 : (size_t)points_d; /* the vendor clamps to 2 */
    double kinks[STRUCTURE_MAX_LEGS];
    for (size_t i = 0; i < n; i++)
        kinks[i] = legs[i].strike;
    qsort(kinks, n, sizeof kinks[0], cmp_double);
    /* The vendor's range: given bounds when strictly ordered, else the strikes +-30%. */
    if (!(has_lo == 1 && has_hi == 1 && lo >= 0 && lo < hi)) {
        lo = kinks[0] * (1 - PNL_RANGE_FRACTION);
        hi = kinks[n - 1] * (1 + PNL_RANGE_FRACTION);
    }
    if (!pnl_representable(legs, n, fmax(hi, kinks[n - 1] * (1 + PNL_RANGE_FRACTION)))) {
        json_decref(body);
        return gex__api_fail(ans, 422, "pnl_undefined",
                             "the structure's P&L is not representable in double precision: "
                             "its quantities, premiums, strikes or price range are too large");
    }
    json_t *curve = json_array();
    json_t *roots = json_array();
    int rc = curve == NULL || roots == NULL;
    for (size_t i = 0; i < points && !rc; i++) {
        const double x = i + 1 == points ? hi : lo + (hi - lo) * (double)i / (double)(points - 1);
        rc |= json_array_append_new(curve, json_pack("{s:o,s:o}", "underlying", jround(x, 6), "pnl",
                                                     jround(pnl_at(legs, n, x), 6)));
    }
    /* The payoff is linear between kinks: its extremes are at 0, a strike or infinity, and its
     * zeros are found exactly on each segment. Slope beyond the last strike: calls only. */
    double slope_up = 0;
    for (size_t i = 0; i < n; i++)
        slope_up += legs[i].type == GEX_CALL ? legs[i].sign * legs[i].quantity : 0;
    double xs[STRUCTURE_MAX_LEGS + 1], ys[STRUCTURE_MAX_LEGS + 1];
    size_t m = 0;
    xs[m] = 0, ys[m] = pnl_at(legs, n, 0), m++;
    for (size_t i = 0; i < n; i++)
        if (kinks[i] > xs[m - 1])
            xs[m] = kinks[i], ys[m] = pnl_at(legs, n, kinks[i]), m++;
    double maxv = ys[0], minv = ys[0], last = 0;
    for (size_t i = 0; i < m && !rc; i++) {
        maxv = fmax(maxv, ys[i]);
        minv = fmin(minv, ys[i]);
        if (ys[i] == 0)
            rc |= add_root(roots, &last, xs[i]);
        else if (i + 1 < m && ys[i + 1] != 0 && (ys[i] < 0) != (ys[i + 1] < 0))
            rc |= add_root(roots, &last, xs[i] + ys[i] / (ys[i] - ys[i + 1]) * (xs[i + 1] - xs[i]));
    }
    const double y_end = ys[m - 1];
    int far = 0; /* the last breakeven lies beyond the doubles (a slope near 0) */
    if (!rc && slope_up != 0 && y_end != 0 && (y_end < 0) == (slope_up > 0)) {
        const double x = xs[m - 1] - y_end / slope_up;
        far = !isfinite(x);
        if (!far)
            rc |= add_root(roots, &last, x);
    }
    json_t *legs_echo = rc || far ? NULL : json_deep_copy(json_object_get(body, "legs"));
    json_decref(body);
    if (rc || far || legs_echo == NULL) {
        json_decref(curve);
        json_decref(roots);
        json_decref(legs_echo);
        return far ? gex__api_fail(ans, 422, "pnl_undefined",
                                   "the structure's last breakeven lies beyond double precision: "
                                   "its calls' quantities nearly cancel")
                   : oom(ans);
    }
    json_t *doc =
        json_pack("{s:o,s:o,s:o,s:o,s:o}", "legs", legs_echo, "pnl_curve", curve, "breakevens",
                  roots, "max_profit", slope_up > 0 ? json_null() : jround(maxv, 6), "max_loss",
                  slope_up < 0 ? json_null() : jround(minv, 6));
    return doc != NULL ? doc : oom(ans);
}

json_t *gex__api_structures_greeks(const gex__api_input *in, gex__api_answer *ans)
{
    memset(ans, 0, sizeof *ans);
    json_t *body = body_object(in, ans);
    if (body == NULL)
        return NULL;
    leg legs[STRUCTURE_MAX_LEGS];
    double spot = 0, rate = PRICING_DEFAULT_RATE, div = PRICING_DEFAULT_DIVIDEND;
    const size_t n = read_legs(body, 1, legs, ans);
    if (n == 0 || member_number(body, "spot", "invalid_spot", "spot", &spot, ans) < 0 ||
        member_number(body, "rate", "invalid_rate", "rate", &rate, ans) < 0 ||
        member_number(body, "dividendYield", "invalid_dividend_yield", "dividendYield", &div, ans) <
            0) {
        json_decref(body);
        return NULL;
    }
    if (!(spot > 0)) {
        json_decref(body);
        return gex__api_fail(ans, 400, "invalid_spot", "spot must be a number > 0");
    }
    int32_t today = (int32_t)(in->now >= 0 ? in->now / 86400 : (in->now - 86399) / 86400);
    /* absent, null or "": the request's date; anything else must be a date (a number such as
     * 20260601 was ignored, and the legs valued at the request's date instead) */
    const char *today_s = NULL;
    const int has_today = member_text(body, "today", "invalid_today", "today",
                                      "a date YYYY-MM-DD such as \"2026-06-05\"", &today_s, ans);
    if (has_today < 0) {
        json_decref(body);
        return NULL;
    }
    if (has_today > 0 && today_s[0] != '\0' &&
        (strlen(today_s) != 10 || gex_time_parse_date(today_s, 10, &today) != GEX_OK)) {
        json_decref(body);
        return gex__api_fail(ans, 400, "invalid_today",
                             "today must be a date YYYY-MM-DD, e.g. 2026-06-05");
    }
    /* Signed, scaled by quantity, summed; a leg expiring today or before adds nothing (its
     * greeks at T = 0 do not exist). Units as /v1/pricing/greeks. */
    double sum[7] = {0};
    for (size_t i = 0; i < n; i++) {
        const int32_t days = legs[i].expiry - today;
        if (days <= 0)
            continue;
        gex_greeks_full g;
        if (gex_pricing_greeks(legs[i].type, spot, legs[i].strike, days / PRICING_DAYS_PER_YEAR,
                               legs[i].iv, rate, div, &g) != GEX_OK) {
            json_decref(body);
            return gex__api_fail(ans, 422, "greeks_undefined",
                                 "the greeks of legs[%zu] are not representable in double "
                                 "precision",
                                 i);
        }
        const double w = legs[i].sign * legs[i].quantity;
        sum[0] += w * g.bs.delta;
        sum[1] += w * g.bs.gamma;
        sum[2] += w * g.bs.theta / PRICING_DAYS_PER_YEAR;
        sum[3] += w * g.bs.vega / PRICING_VOL_POINT;
        sum[4] += w * g.rho;
        sum[5] += w * g.bs.vanna;
        sum[6] += w * -g.bs.charm / PRICING_DAYS_PER_YEAR;
    }
    for (int k = 0; k < 7; k++)
        if (!isfinite(sum[k])) {
            json_decref(body);
            return gex__api_fail(ans, 422, "greeks_undefined",
                                 "the position's greeks are not representable in double "
                                 "precision: its quantities are too large");
        }
    char as_of[32], valuation[16];
    gex_time_format_iso(in->now, as_of, sizeof as_of);
    gex_time_format_date(today, valuation, sizeof valuation);
    json_t *legs_echo = json_deep_copy(json_object_get(body, "legs"));
    json_decref(body);
    json_t *doc = json_pack(
        "{s:o,s:s,s:s,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:o,s:o,s:o,s:o}}", "spot", gex__jnum(spot),
        "as_of", as_of, "valuation_date", valuation, "rate", gex__jnum(rate), "dividend_yield",
        gex__jnum(div), "legs", legs_echo, "position_greeks", "delta", jround(sum[0], 6), "gamma",
        jround(sum[1], 6), "theta", jround(sum[2], 6), "vega", jround(sum[3], 6), "rho",
        jround(sum[4], 6), "vanna", jround(sum[5], 6), "charm", jround(sum[6], 6));
    return doc != NULL ? doc : oom(ans);
}
