/*
 * api.c: the table of the vendor's endpoints gex answers (SPEC 5.1), the routing of a path to
 * its row, and the builders of the exposure documents the command line already prints. The
 * builders of the other endpoints live in api-*.c, a file per family; their rows are here, so
 * that the table reads as the list of what gex serves.
 */
#include <stdio.h>
#include <string.h>

#include "api-exposure.h"
#include "api-history.h"
#include "api-stock.h"
#include "api-builders.h"
#include "api.h"
#include "api-volatility.h"

/* The documents of the six endpoints gex has answered from the start: byte for byte what
 * `gex KIND --format json` prints. */
static json_t *exposure_doc(gex__doc doc, const gex__api_input *in, gex__api_answer *ans)
{
    /* The previous snapshot fills the gex document's oi changes (SPEC 5.5). */
    json_t *d = gex__document_previous(doc, in->analysis, in->previous);
    if (d == NULL)
        return gex__api_fail(ans, 500, "internal_error", "out of memory building the document");
    return d;
}

static json_t *build_gex(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_GEX, in, ans);
}

static json_t *build_dex(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_DEX, in, ans);
}

static json_t *build_vex(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_VEX, in, ans);
}

static json_t *build_chex(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_CHEX, in, ans);
}

static json_t *build_levels(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_LEVELS, in, ans);
}

static json_t *build_summary(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_SUMMARY, in, ans);
}

/* The filters every analysed endpoint takes (SPEC 5.1), and the instant asked (SPEC 5.5). */
#define FILTERS "expiration,min_oi,at,date"

/* What data would answer the endpoints no chain file can (501, SPEC 5.4): noun phrases, for
 * "PATH needs TEXT, which no option chain file holds". */
static const char needs_quotes[] = "a live quote feed (bid, ask, last and sizes as they change)";
static const char needs_quote_history[] =
    "an intraday history of quotes (bid, ask and last through the day)";
static const char needs_tape[] =
    "the options trade tape (every print with its price, size, side and time, from which the "
    "vendor infers opening and closing flow and a live open interest)";
static const char needs_stock_tape[] =
    "the stock trade tape (every print with its price, size and time)";
static const char needs_earnings[] =
    "an earnings calendar (report dates and times) and each report's EPS and revenue surprises";
static const char needs_strategy[] =
    "the vendor's strategy scores (proprietary models over live chains, trade flow and history, "
    "whose formulas are unpublished)";

/* clang-format off */
#define NO_DATA(method, path, what) {method, path, GEX__API_NEED_NO_DATA, "", NULL, what, 0}
/* clang-format on */

static const gex__api_endpoint endpoints[] = {
    /* The exposure documents of the command line (SPEC 3, 5.1). */
    {"GET", "/v1/exposure/gex/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_gex, NULL, 0},
    {"GET", "/v1/exposure/dex/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_dex, NULL, 0},
    {"GET", "/v1/exposure/vex/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_vex, NULL, 0},
    {"GET", "/v1/exposure/chex/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_chex, NULL, 0},
    {"GET", "/v1/exposure/levels/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_levels, NULL, 0},
    {"GET", "/v1/exposure/summary/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_summary, NULL,
     0},
    /* The exposure family beyond them (SPEC 5.2, api-zero-dte.c, api-exposure.c; part A of
     * issue 18). zero-dte reads the whole chain: its expiry picks the expiration. */
    {"GET", "/v1/exposure/zero-dte/{symbol}", GEX__API_NEED_ANALYSIS, "strike_range,expiry,at,date",
     gex__api_zero_dte, NULL, GEX__API_CONTEXT_VIX},
    {"GET", "/v1/exposure/sheet/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, gex__api_sheet, NULL,
     0},
    {"GET", "/v1/exposure/term-structure/{symbol}", GEX__API_NEED_ANALYSIS, "min_oi,at,date",
     gex__api_term_structure, NULL, 0},
    {"GET", "/v1/exposure/narrative/{symbol}", GEX__API_NEED_ANALYSIS, "at,date",
     gex__api_narrative, NULL, GEX__API_CONTEXT_VIX},
    {"GET", "/v1/exposure/basket", GEX__API_NEED_BASKET, "symbols,weights,at,date",
     gex__api_exposure_basket, NULL, 0},
    /* Max pain, expected move and volatility from the chain (SPEC 5.3; api-maxpain.c,
     * api-volatility.c). */
    {"GET", "/v1/maxpain/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, gex__api_maxpain, NULL, 0},
    {"GET", "/v1/expected-move/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS ",expiry",
     gex__api_expected_move, NULL, 0},
    {"GET", "/v1/volatility/skew-term/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS,
     gex__api_skew_term, NULL, 0},
    {"GET", "/v1/surface/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, gex__api_surface, NULL, 0},
    {"GET", "/v1/surface/svi/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, gex__api_surface_svi, NULL,
     0},
    {"GET", "/v1/adv_volatility/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, gex__api_adv_volatility,
     NULL, 0},
    {"GET", "/v1/liquidity/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, gex__api_liquidity, NULL, 0},
    /* The folder over time (SPEC 5.5, api-history.c): the time helper's rows. */
    {"GET", "/v1/exposure/oi-diff/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS ",topN",
     gex__api_oi_diff, NULL, 0},
    {"GET", "/v1/vrp/{symbol}", GEX__API_NEED_SERIES, "at,date", gex__api_vrp, NULL,
     GEX__API_CONTEXT_VIX | GEX__API_CONTEXT_MACRO},
    {"GET", "/v1/vrp/{symbol}/history", GEX__API_NEED_SERIES, "at,date,days", gex__api_vrp_history,
     NULL, 0},
    {"GET", "/v1/volatility/realized/{symbol}", GEX__API_NEED_SERIES, "at,date", gex__api_realized,
     NULL, 0},
    {"GET", "/v1/volatility/forecast/{symbol}", GEX__API_NEED_SERIES, "at,date,dist",
     gex__api_forecast, NULL, 0},
    {"GET", "/v1/history/{symbol}", GEX__API_NEED_SERIES, "at,date", gex__api_history, NULL, 0},
    /* The composite documents of a symbol over time (SPEC 5.5, api-stock.c): the last history
     * endpoints of issue 18. The filters change the last snapshot's analysis. */
    {"GET", "/v1/volatility/{symbol}", GEX__API_NEED_SERIES, FILTERS, gex__api_volatility, NULL, 0},
    {"GET", "/v1/stock/{symbol}/summary", GEX__API_NEED_SERIES, FILTERS, gex__api_stock_summary,
     NULL, GEX__API_CONTEXT_VIX},
    {"GET", "/v1/volatility/spot-vol-correlation/{symbol}", GEX__API_NEED_SERIES, "at,date",
     gex__api_spot_vol_correlation, NULL, 0},
    /* Pricing and structures (api-pricing.c), reference (api-reference.c), and what no chain
     * answers: 501 (SPEC 5.4). */
    {"GET", "/v1/pricing/greeks", GEX__API_NEED_PARAMS, "spot,strike,dte,sigma,type,r,q",
     gex__api_pricing_greeks, NULL, 0},
    {"GET", "/v1/pricing/iv", GEX__API_NEED_PARAMS, "spot,strike,dte,price,type,r,q",
     gex__api_pricing_iv, NULL, 0},
    {"GET", "/v1/pricing/kelly", GEX__API_NEED_PARAMS, "spot,strike,dte,sigma,premium,mu,type,r,q",
     gex__api_pricing_kelly, NULL, 0},
    {"POST", "/v1/structures/pnl", GEX__API_NEED_PARAMS, "", gex__api_structures_pnl, NULL, 0},
    {"POST", "/v1/structures/greeks", GEX__API_NEED_PARAMS, "", gex__api_structures_greeks, NULL,
     0},
    {"GET", "/v1/options/{symbol}", GEX__API_NEED_ANALYSIS, "at,date", gex__api_options, NULL, 0},
    {"GET", "/v1/tickers", GEX__API_NEED_FOLDER, "", gex__api_tickers, NULL, 0},
    {"GET", "/v1/symbols", GEX__API_NEED_FOLDER, "", gex__api_symbols, NULL, 0},
    {"GET", "/health", GEX__API_NEED_FOLDER, "", gex__api_health, NULL, 0},
    NO_DATA("GET", "/stockquote/{symbol}", needs_quotes),
    NO_DATA("GET", "/optionquote/{symbol}", needs_quotes),
    NO_DATA("GET", "/historical/stockquote/{symbol}", needs_quote_history),
    NO_DATA("GET", "/historical/optionquote/{symbol}", needs_quote_history),
    NO_DATA("GET", "/v1/account",
            "an account and quota system (gex serve has no accounts, keys "
            "or plans)"),
    NO_DATA("GET", "/v1/dispersion",
            "the implied and realized volatilities of an index and of "
            "each of its constituents, with the index weights"),
    NO_DATA("GET", "/v1/macro/vix-state",
            "the VIX index family (VIX9D, VIX, VIX3M, VIX6M) and VIX futures"),
    NO_DATA("GET", "/v1/universe",
            "the vendor's coverage universe with its live liquidity "
            "rankings"),
    /* The screener over the folder's symbols (api-screener.c): the fields before the row, so
     * that "fields" is never read as a symbol. */
    {"POST", "/v1/screener", GEX__API_NEED_SCREENER, "", gex__api_screener, NULL, 0},
    {"GET", "/v1/screener/fields", GEX__API_NEED_PARAMS, "", gex__api_screener_fields, NULL, 0},
    {"GET", "/v1/screener/row/{symbol}", GEX__API_NEED_SERIES, "at,date", gex__api_screener_row,
     NULL, GEX__API_CONTEXT_VIX},
    NO_DATA("GET", "/v1/earnings/calendar", needs_earnings),
    NO_DATA("GET", "/v1/earnings/screener", needs_earnings),
    NO_DATA("GET", "/v1/earnings/expected-move/{symbol}", needs_earnings),
    NO_DATA("GET", "/v1/earnings/history/{symbol}", needs_earnings),
    NO_DATA("GET", "/v1/earnings/iv-crush/{symbol}", needs_earnings),
    NO_DATA("GET", "/v1/earnings/vrp/{symbol}", needs_earnings),
    NO_DATA("GET", "/v1/earnings/dealer-positioning/{symbol}", needs_earnings),
    NO_DATA("GET", "/v1/earnings/strategies/{symbol}", needs_earnings),
    NO_DATA("GET", "/v1/flow/levels/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/pin-risk/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/summary/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/oi/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/gex/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/dex/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/dealer-risk/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/live/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/options/leaderboard", needs_tape),
    NO_DATA("GET", "/v1/flow/options/outliers", needs_tape),
    NO_DATA("GET", "/v1/flow/options/{symbol}/recent", needs_tape),
    NO_DATA("GET", "/v1/flow/options/{symbol}/summary", needs_tape),
    NO_DATA("GET", "/v1/flow/options/{symbol}/blocks", needs_tape),
    NO_DATA("GET", "/v1/flow/options/{symbol}/history", needs_tape),
    NO_DATA("GET", "/v1/flow/options/{symbol}/cumulative", needs_tape),
    NO_DATA("GET", "/v1/flow/options/{symbol}/dealer-premium", needs_tape),
    NO_DATA("GET", "/v1/flow/signals/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/signals/{symbol}/summary", needs_tape),
    NO_DATA("GET", "/v1/flow/stocks/leaderboard", needs_stock_tape),
    NO_DATA("GET", "/v1/flow/stocks/outliers", needs_stock_tape),
    NO_DATA("GET", "/v1/flow/stocks/{symbol}/recent", needs_stock_tape),
    NO_DATA("GET", "/v1/flow/stocks/{symbol}/summary", needs_stock_tape),
    NO_DATA("GET", "/v1/flow/stocks/{symbol}/blocks", needs_stock_tape),
    NO_DATA("GET", "/v1/flow/stocks/{symbol}/history", needs_stock_tape),
    NO_DATA("GET", "/v1/flow/stocks/{symbol}/cumulative", needs_stock_tape),
    NO_DATA("GET", "/v1/flow/stocks/{symbol}/bars", needs_stock_tape),
    NO_DATA("GET", "/v1/flow/zero-dte/snapshot/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/zero-dte/series/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/zero-dte/hedge-flow/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/zero-dte/heatmap/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/zero-dte/strike-flow/{symbol}", needs_tape),
    NO_DATA("GET", "/v1/flow/zero-dte/leaderboard", needs_tape),
    NO_DATA("GET", "/v1/strategies/flow-anomaly/{symbol}", needs_strategy),
    NO_DATA("GET", "/v1/strategies/expiry-positioning/{symbol}", needs_strategy),
    NO_DATA("GET", "/v1/strategies/zero-dte/{symbol}", needs_strategy),
    NO_DATA("GET", "/v1/strategies/dealer-regime/{symbol}", needs_strategy),
    NO_DATA("GET", "/v1/strategies/vol-carry/{symbol}", needs_strategy),
    NO_DATA("GET", "/v1/strategies/yield-enhancement/{symbol}", needs_strategy),
    NO_DATA("GET", "/v1/strategies/surface-anomaly/{symbol}", needs_strategy),
    NO_DATA("GET", "/v1/strategies/skew/{symbol}", needs_strategy),
    NO_DATA("GET", "/v1/strategies/term-structure/{symbol}", needs_strategy),
    NO_DATA("GET", "/v1/strategies/tail-pricing/{symbol}", needs_strategy),
    /* End of the pricing and reference block. */
    /* The browser dashboard's gex-own documents (api-heatmap.c, SPEC 5.6). */
    {"GET", "/v1/exposure/heatmap/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, gex__api_heatmap,
     NULL, 0},
    {"GET", "/v1/exposure/profile/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS ",range,points",
     gex__api_profile, NULL, 0},
};

const gex__api_endpoint *gex__api_endpoints(size_t *n)
{
    *n = sizeof endpoints / sizeof endpoints[0];
    return endpoints;
}

int gex__api_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the len bytes of one path segment (%XX, RFC 3986 section 2.1; a '%' not followed by
 * two hex digits stays as it is, as libmicrohttpd leaves it) into out, NUL-terminated. Returns
 * the decoded length, which may hold a '/' or a NUL byte (data, not a delimiter), or
 * out_size when it does not fit. */
static size_t decode_segment(const char *seg, size_t len, char *out, size_t out_size)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (n + 1 >= out_size)
            return out_size;
        int hi, lo;
        if (seg[i] == '%' && i + 2 < len &&
            (hi = gex__api_hex_digit((unsigned char)seg[i + 1])) >= 0 &&
            (lo = gex__api_hex_digit((unsigned char)seg[i + 2])) >= 0) {
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[n++] = seg[i];
        }
    }
    out[n] = '\0';
    return n;
}

/* Whether path, as received, matches pattern: the path is split at its literal '/' first and
 * each segment decoded then, so that an encoded slash (%2F) is data inside a segment, not a
 * delimiter (RFC 3986 sections 2.2 and 7.3). *seg and *seg_len are the {symbol} segment, still
 * encoded (NULL when the pattern has none). */
static int match(const char *pattern, const char *path, const char **seg, size_t *seg_len)
{
    static const char marker[] = "{symbol}";
    *seg = NULL;
    *seg_len = 0;
    for (;;) {
        const size_t plen = strcspn(pattern, "/");
        const size_t len = strcspn(path, "/");
        if (plen == sizeof marker - 1 && memcmp(pattern, marker, plen) == 0) {
            /* An empty segment is another path, not a strange symbol. */
            if (len == 0)
                return 0;
            *seg = path;
            *seg_len = len;
        } else {
            char text[64]; /* longer than any segment of the table: a longer one is no match */
            if (decode_segment(path, len, text, sizeof text) != plen ||
                memcmp(text, pattern, plen) != 0)
                return 0;
        }
        pattern += plen;
        path += len;
        if (*pattern == '\0' || *path == '\0')
            return *pattern == '\0' && *path == '\0';
        pattern++; /* both at a '/' */
        path++;
    }
}

const gex__api_endpoint *gex__api_route(const char *method, const char *path, char *symbol,
                                        size_t symbol_size, int *symbol_ok, int *method_ok)
{
    *symbol_ok = 1;
    *method_ok = 1;
    symbol[0] = '\0';
    if (path == NULL)
        return NULL;
    /* HEAD is GET without the body (RFC 9110 section 9.3.2). */
    const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
    const gex__api_endpoint *other_method = NULL;
    for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++) {
        const char *seg;
        size_t seg_len;
        if (!match(endpoints[i].path, path, &seg, &seg_len))
            continue;
        if (strcmp(endpoints[i].method, m) != 0) {
            other_method = &endpoints[i];
            continue;
        }
        if (seg != NULL) {
            /* Decoded, the segment may hold a '/' or a NUL byte: no ticker does. */
            const size_t n = decode_segment(seg, seg_len, symbol, symbol_size);
            for (size_t k = 0; k < n && n < symbol_size; k++) {
                if (!gex__api_symbol_char((unsigned char)symbol[k])) {
                    symbol[0] = '\0';
                    *symbol_ok = 0;
                    return &endpoints[i];
                }
            }
            if (n >= symbol_size) {
                symbol[0] = '\0';
                *symbol_ok = 0;
            }
        }
        return &endpoints[i];
    }
    if (other_method != NULL)
        *method_ok = 0;
    return other_method;
}
