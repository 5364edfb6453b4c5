/*
 * Polygon.io (Massive) option chain snapshot JSON (SPEC 2.6), /v3/snapshot/options/{underlying}:
 * {"results": [{"details": {"contract_type", "expiration_date", "strike_price",
 * "shares_per_contract", "ticker" ("O:AAPL230616C00150000")}, "greeks": {"delta", "gamma",
 * ...}, "implied_volatility" (a fraction), "open_interest", "last_quote": {"bid", "ask",
 * "last_updated" (ns)}, "last_trade": {"price"}, "day": {"volume"}, "underlying_asset":
 * {"ticker", "price"}}], "status", "next_url"}. The spot is each result's
 * underlying_asset.price.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chain-json-internal.h"

enum {
    F_TICKER,
    F_TYPE,
    F_EXPIRATION,
    F_STRIKE,
    F_SHARES,
    F_DELTA,
    F_GAMMA,
    F_IV,
    F_OI,
    F_BID,
    F_ASK,
    F_QUOTE_TIME,
    F_LAST,
    F_VOLUME,
    F_U_TICKER,
    F_U_PRICE,
};
static const char *const fields[] = {
    [F_TICKER] = "details.ticker",
    [F_TYPE] = "details.contract_type",
    [F_EXPIRATION] = "details.expiration_date",
    [F_STRIKE] = "details.strike_price",
    [F_SHARES] = "details.shares_per_contract",
    [F_DELTA] = "greeks.delta",
    [F_GAMMA] = "greeks.gamma",
    [F_IV] = "implied_volatility",
    [F_OI] = "open_interest",
    [F_BID] = "last_quote.bid",
    [F_ASK] = "last_quote.ask",
    [F_QUOTE_TIME] = "last_quote.last_updated",
    [F_LAST] = "last_trade.price",
    [F_VOLUME] = "day.volume",
    [F_U_TICKER] = "underlying_asset.ticker",
    [F_U_PRICE] = "underlying_asset.price",
};

/* Skips the record for what (a field, its value and why), at line (the field's). */
static int bad(gex__reader *r, const gex__jrec *rec, gex_skip_reason reason, long line,
               const char *what)
{
    char text[512];
    const char *t = gex__jrec_text(rec, F_TICKER);
    snprintf(text, sizeof text, "results[%zu] (%s): %s", rec->index, t != NULL ? t : "no ticker",
             what);
    return gex__reader_skip(r, reason, line, 0, text);
}

/* Skips the record for its field f, which is not what it should be (why): named with its
 * value, at its line. */
static int bad_field(gex__reader *r, const gex__jrec *rec, gex_skip_reason reason, size_t f,
                     const char *why)
{
    char shown[64], what[256];
    gex__jrec_shown(rec, f, shown, sizeof shown);
    snprintf(what, sizeof what, "\"%s\" %s %s", fields[f], shown, why);
    return bad(r, rec, reason, gex__jrec_line(rec, f), what);
}

static int polygon_record(gex__reader *r, void *state_, const gex__jrec *rec)
{
    (void)state_;
    gex_contract k = {.line = rec->line};
    gex__occ occ;
    char what[160];
    const char *tk = gex__jrec_text(rec, F_TICKER);
    int has_occ = tk != NULL && gex__occ_decode(tk, rec->len[F_TICKER], &occ) == 0;
    gex_skip_reason why;
    if (gex__jrec_terms(r, rec, F_TYPE, F_EXPIRATION, F_STRIKE, has_occ ? &occ : NULL, &k, &why) !=
        0) {
        if (why == GEX_SKIP_BAD_TYPE)
            return bad_field(r, rec, why, F_TYPE, "is neither \"call\" nor \"put\"");
        if (why == GEX_SKIP_BAD_EXPIRATION)
            return bad_field(r, rec, why, F_EXPIRATION, "is not a date (\"2030-01-18\")");
        if (rec->type[F_STRIKE] == GEX__JTOK_END || rec->type[F_STRIKE] == GEX__JTOK_NULL)
            return bad_field(r, rec, why, F_STRIKE, "is not a positive price");
        gex__jrec_number_said(r, rec, F_STRIKE, fields[F_STRIKE], DBL_MIN, GEX_PRICE_MAX, what,
                              sizeof what);
        return bad(r, rec, why, gex__jrec_line(rec, F_STRIKE), what);
    }
    double spot;
    const gex__jnumber numbers[] = {
        {F_BID, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.bid},
        {F_ASK, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.ask},
        {F_LAST, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.last},
        {F_VOLUME, 0, GEX_CONTRACTS_MAX, &k.volume},
        {F_SHARES, 0, GEX_MULTIPLIER_MAX, &k.multiplier},
        {F_DELTA, -DBL_MAX, DBL_MAX, &k.vendor_delta},
        {F_GAMMA, -DBL_MAX, DBL_MAX, &k.vendor_gamma},
        {F_IV, -DBL_MAX, DBL_MAX, &k.iv},
        {F_U_PRICE, 0, GEX_PRICE_MAX, &spot},
    };
    const int f = gex__jrec_numbers(r, rec, fields, numbers, sizeof numbers / sizeof numbers[0],
                                    NAN, what, sizeof what);
    if (f >= 0)
        return bad(r, rec, GEX_SKIP_BAD_NUMBER, gex__jrec_line(rec, (size_t)f), what);
    if (gex__jrec_open_interest(r, rec, F_OI, NAN, &k) != 0) {
        gex__jrec_number_said(r, rec, F_OI, fields[F_OI], 0, GEX_CONTRACTS_MAX, what, sizeof what);
        return bad(r, rec, GEX_SKIP_BAD_OPEN_INTEREST, gex__jrec_line(rec, F_OI), what);
    }
    gex__jrec_epoch(r, rec, F_QUOTE_TIME, 1);
    const char *root = has_occ ? occ.root : NULL;
    size_t root_len = has_occ ? occ.root_len : 0;
    const char *u = gex__jrec_text(rec, F_U_TICKER);
    size_t u_len = u != NULL ? rec->len[F_U_TICKER] : 0;
    if (root_len == 0) {
        root = u;
        root_len = u_len;
    }
    if (root_len == 0)
        return bad(r, rec, GEX_SKIP_BAD_SYMBOL, gex__jrec_line(rec, F_TICKER),
                   "neither \"details.ticker\" nor \"underlying_asset.ticker\" names the "
                   "option's root");
    char mapped[GEX__FIELD_MAX + 1];
    if (u_len == 0) {
        u_len = gex__root_underlying(root, root_len, mapped);
        u = mapped;
    }
    return gex__jrec_store(r, u, u_len, root, root_len, &k, spot > 0 ? spot : (double)NAN);
}

static int polygon_finish(gex__reader *r, void *state_, const gex__jtop *top)
{
    (void)top;
    (void)state_;
    /* Results whose underlying_asset.price differs are warned about after the read, as rows
     * of a CSV whose spots differ. */
    int rc = gex__reader_relabel(r, NULL);
    if (rc != GEX_OK)
        return rc;
    if (!r->has_time)
        snprintf(r->time_note, sizeof r->time_note,
                 "the Polygon snapshot's results carry no last_quote.last_updated (the quote "
                 "instant); pass --now");
    return gex__json_require_oi(r, "a Polygon option chain snapshot",
                                "request the snapshot with open_interest (Polygon's options "
                                "plans that include it)");
}

const gex__jlayout gex__jlayout_polygon = {
    .format = GEX_FORMAT_POLYGON_JSON,
    .name = "Polygon option-chain snapshot JSON",
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .record = polygon_record,
    .finish = polygon_finish,
};
