/*
 * Interactive Brokers snapshots saved as {"quotes": [{"ticker", "expiry_date", "strike",
 * "option_type", "bid", "ask", "last", "volume", "open_interest", "implied_volatility" (a
 * fraction), "delta", "gamma", "under_price", "snapshot_timestamp"}], "connection",
 * "diagnostics"} (SPEC 2.6): not a native IB format (TWS has none) but what the common capture
 * scripts write. IB sends open interest only with generic tick 101 on a subscription; without
 * it every open_interest is null and the file is refused.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gex/option.h"
#include "chain-json-internal.h"

enum {
    F_TICKER,
    F_EXPIRATION,
    F_STRIKE,
    F_TYPE,
    F_BID,
    F_ASK,
    F_LAST,
    F_VOLUME,
    F_OI,
    F_IV,
    F_DELTA,
    F_GAMMA,
    F_U_PRICE,
    F_TIME,
};
static const char *const fields[] = {
    [F_TICKER] = "ticker",
    [F_EXPIRATION] = "expiry_date",
    [F_STRIKE] = "strike",
    [F_TYPE] = "option_type",
    [F_BID] = "bid",
    [F_ASK] = "ask",
    [F_LAST] = "last",
    [F_VOLUME] = "volume",
    [F_OI] = "open_interest",
    [F_IV] = "implied_volatility",
    [F_DELTA] = "delta",
    [F_GAMMA] = "gamma",
    [F_U_PRICE] = "under_price",
    [F_TIME] = "snapshot_timestamp",
};

/* Skips the record for what (a field, its value and why), at line (the field's). */
static int bad(gex__reader *r, const gex__jrec *rec, gex_skip_reason reason, long line,
               const char *what)
{
    char text[512];
    snprintf(text, sizeof text, "quotes[%zu]: %s", rec->index, what);
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

static int ibkr_record(gex__reader *r, void *state, const gex__jrec *rec)
{
    (void)state;
    gex_contract k = {.line = rec->line};
    char what[160];
    const char *u = gex__jrec_text(rec, F_TICKER);
    if (u == NULL || rec->len[F_TICKER] == 0)
        return bad_field(r, rec, GEX_SKIP_BAD_SYMBOL, F_TICKER, "is not an underlying's name");
    const char *type = gex__jrec_text(rec, F_TYPE);
    if (type != NULL && (strcmp(type, "call") == 0 || strcmp(type, "put") == 0 ||
                         strcmp(type, "C") == 0 || strcmp(type, "P") == 0))
        k.type = type[0] == 'c' || type[0] == 'C' ? GEX_CALL : GEX_PUT;
    else
        return bad_field(r, rec, GEX_SKIP_BAD_TYPE, F_TYPE,
                         "is not \"call\", \"put\", \"C\" or \"P\"");
    const char *exp = gex__jrec_text(rec, F_EXPIRATION);
    if (exp == NULL || gex__read_expiration(r, exp, rec->len[F_EXPIRATION], &k.expiration) != 0)
        return bad_field(r, rec, GEX_SKIP_BAD_EXPIRATION, F_EXPIRATION,
                         "is not a date (\"2026-05-15\")");
    if (gex__jrec_bounded(r, rec, F_STRIKE, DBL_MIN, GEX_PRICE_MAX, NAN, &k.strike) != 0 ||
        isnan(k.strike)) {
        if (rec->type[F_STRIKE] == GEX__JTOK_END || rec->type[F_STRIKE] == GEX__JTOK_NULL)
            return bad_field(r, rec, GEX_SKIP_BAD_STRIKE, F_STRIKE, "is not a positive price");
        gex__jrec_number_said(r, rec, F_STRIKE, fields[F_STRIKE], DBL_MIN, GEX_PRICE_MAX, what,
                              sizeof what);
        return bad(r, rec, GEX_SKIP_BAD_STRIKE, gex__jrec_line(rec, F_STRIKE), what);
    }
    double spot;
    const gex__jnumber numbers[] = {
        {F_BID, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.bid},
        {F_ASK, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.ask},
        {F_LAST, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.last},
        {F_VOLUME, 0, GEX_CONTRACTS_MAX, &k.volume},
        {F_IV, -DBL_MAX, DBL_MAX, &k.iv},
        {F_DELTA, -DBL_MAX, DBL_MAX, &k.vendor_delta},
        {F_GAMMA, -DBL_MAX, DBL_MAX, &k.vendor_gamma},
        {F_U_PRICE, 0, GEX_PRICE_MAX, &spot},
    };
    const int f = gex__jrec_numbers(r, rec, fields, numbers, sizeof numbers / sizeof numbers[0],
                                    NAN, what, sizeof what);
    if (f >= 0)
        return bad(r, rec, GEX_SKIP_BAD_NUMBER, gex__jrec_line(rec, (size_t)f), what);
    k.multiplier = (double)NAN;
    if (gex__jrec_open_interest(r, rec, F_OI, NAN, &k) != 0) {
        gex__jrec_number_said(r, rec, F_OI, fields[F_OI], 0, GEX_CONTRACTS_MAX, what, sizeof what);
        return bad(r, rec, GEX_SKIP_BAD_OPEN_INTEREST, gex__jrec_line(rec, F_OI), what);
    }
    const char *ts = gex__jrec_text(rec, F_TIME);
    if (ts != NULL)
        gex__read_quote_time(r, ts, rec->len[F_TIME], 0, gex__jrec_line(rec, F_TIME));
    return gex__jrec_store(r, u, rec->len[F_TICKER], u, rec->len[F_TICKER], &k,
                           spot > 0 ? spot : (double)NAN);
}

static int ibkr_finish(gex__reader *r, void *state, const gex__jtop *top)
{
    (void)state;
    (void)top;
    int rc = gex__reader_relabel(r, NULL);
    if (rc != GEX_OK)
        return rc;
    return gex__json_require_oi(r, "an IBKR snapshot file (quotes[])",
                                "IB sends open interest only with generic tick 101 (option open "
                                "interest) on a market-data subscription: capture the chain "
                                "with it, or use a source that has open interest");
}

const gex__jlayout gex__jlayout_ibkr = {
    .format = GEX_FORMAT_IBKR_JSON,
    .name = "IBKR snapshot JSON (quotes[])",
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .record = ibkr_record,
    .finish = ibkr_finish,
};
