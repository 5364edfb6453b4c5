/*
 * Schwab / TD Ameritrade option-chain JSON (SPEC 2.6): {"symbol": "$SPX", "underlyingPrice",
 * "underlying": {"last", "mark", ...} (TD), "callExpDateMap": {"2025-05-20:9": {"5660.0":
 * [{"putCall", "symbol", "bid", "ask", "last", "totalVolume", "volatility" (PERCENT), "delta",
 * "gamma", "openInterest", "quoteTimeInLong" (ms), "multiplier", "optionRoot", ...}]}},
 * "putExpDateMap": {...}}. Numeric fields hold the string "NaN" or the sentinel -999.0 for no
 * value.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "gex/option.h"
#include "chain-json-internal.h"
#include "error-internal.h"

/* Schwab's "no value" in numeric fields (greeks, volatility, sometimes quotes). */
#define SCHWAB_SENTINEL (-999.0)

enum {
    F_SYMBOL,
    F_ROOT,
    F_BID,
    F_ASK,
    F_LAST,
    F_VOLUME,
    F_VOL,
    F_DELTA,
    F_GAMMA,
    F_OI,
    F_STRIKE,
    F_MULT,
    F_QUOTE_TIME,
};
static const char *const fields[] = {
    [F_SYMBOL] = "symbol",
    [F_ROOT] = "optionRoot",
    [F_BID] = "bid",
    [F_ASK] = "ask",
    [F_LAST] = "last",
    [F_VOLUME] = "totalVolume",
    [F_VOL] = "volatility",
    [F_DELTA] = "delta",
    [F_GAMMA] = "gamma",
    [F_OI] = "openInterest",
    [F_STRIKE] = "strikePrice",
    [F_MULT] = "multiplier",
    [F_QUOTE_TIME] = "quoteTimeInLong",
};

/* Skips the record for what (a key or a field and why), at line. */
static int bad(gex__reader *r, const gex__jrec *rec, gex_skip_reason reason, long line,
               const char *what)
{
    char text[512];
    snprintf(text, sizeof text, "%s[\"%s\"][\"%s\"]: %s",
             rec->key[0][0] == 'c' ? "callExpDateMap" : "putExpDateMap", rec->key[1], rec->key[2],
             what);
    return gex__reader_skip(r, reason, line, 0, text);
}

/* Skips the record for its numeric field f, which is no number in [lo, hi]: named with its
 * value, at its line. */
static int bad_number(gex__reader *r, const gex__jrec *rec, gex_skip_reason reason, size_t f,
                      double lo, double hi)
{
    char what[160];
    gex__jrec_number_said(r, rec, f, fields[f], lo, hi, what, sizeof what);
    return bad(r, rec, reason, gex__jrec_line(rec, f), what);
}

static int schwab_record(gex__reader *r, void *state, const gex__jrec *rec)
{
    (void)state;
    if (rec->n_keys != 3 || rec->key_len[1] > GEX__FIELD_MAX)
        return bad(r, rec, GEX_SKIP_BAD_EXPIRATION, rec->line,
                   "the expiration key is not a date (\"2025-05-20:9\")");
    gex_contract k = {.type = rec->key[0][0] == 'c' ? GEX_CALL : GEX_PUT, .line = rec->line};
    /* "2025-05-20:9": the date, then the days to it. */
    const char *colon = memchr(rec->key[1], ':', rec->key_len[1]);
    size_t dlen = colon != NULL ? (size_t)(colon - rec->key[1]) : rec->key_len[1];
    char date[GEX__FIELD_MAX + 1];
    memcpy(date, rec->key[1], dlen);
    date[dlen] = '\0';
    if (gex__read_expiration(r, date, dlen, &k.expiration) != 0)
        return bad(r, rec, GEX_SKIP_BAD_EXPIRATION, rec->line,
                   "the expiration key is not a date (\"2025-05-20:9\")");
    if (gex__jrec_bounded(r, rec, F_STRIKE, DBL_MIN, GEX_PRICE_MAX, NAN, &k.strike) != 0)
        return bad_number(r, rec, GEX_SKIP_BAD_STRIKE, F_STRIKE, DBL_MIN, GEX_PRICE_MAX);
    if (isnan(k.strike) && (rec->key_len[2] > GEX__FIELD_MAX ||
                            gex__read_number(r, rec->key[2], rec->key_len[2], &k.strike) != 0 ||
                            !(k.strike > 0) || k.strike > GEX_PRICE_MAX))
        return bad(r, rec, GEX_SKIP_BAD_STRIKE, rec->line,
                   "the strike key is not a positive price, and there is no \"strikePrice\"");
    static const struct {
        size_t field;
        size_t offset;
        double lo, hi;
    } numbers[] = {
        {F_BID, offsetof(gex_contract, bid), -GEX_PRICE_MAX, GEX_PRICE_MAX},
        {F_ASK, offsetof(gex_contract, ask), -GEX_PRICE_MAX, GEX_PRICE_MAX},
        {F_LAST, offsetof(gex_contract, last), -GEX_PRICE_MAX, GEX_PRICE_MAX},
        {F_VOLUME, offsetof(gex_contract, volume), 0, GEX_CONTRACTS_MAX},
        {F_VOL, offsetof(gex_contract, iv), -DBL_MAX, DBL_MAX},
        {F_DELTA, offsetof(gex_contract, vendor_delta), -DBL_MAX, DBL_MAX},
        {F_GAMMA, offsetof(gex_contract, vendor_gamma), -DBL_MAX, DBL_MAX},
        {F_MULT, offsetof(gex_contract, multiplier), 0, GEX_MULTIPLIER_MAX},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        double *dst = (double *)((char *)&k + numbers[i].offset);
        if (gex__jrec_bounded(r, rec, numbers[i].field, numbers[i].lo, numbers[i].hi,
                              SCHWAB_SENTINEL, dst) != 0)
            return bad_number(r, rec, GEX_SKIP_BAD_NUMBER, numbers[i].field, numbers[i].lo,
                              numbers[i].hi);
    }
    k.iv /= 100.0; /* "volatility" is in percent in every Schwab and TD chain */
    if (gex__jrec_open_interest(r, rec, F_OI, SCHWAB_SENTINEL, &k) != 0)
        return bad_number(r, rec, GEX_SKIP_BAD_OPEN_INTEREST, F_OI, 0, GEX_CONTRACTS_MAX);
    /* The root: optionRoot (Schwab), else the OCC symbol's ("SPXW  250520C05660000"), else
     * TD's "SPY_052322C400" before its '_'. */
    gex__occ occ;
    const char *root = gex__jrec_text(rec, F_ROOT);
    size_t root_len = root != NULL ? rec->len[F_ROOT] : 0;
    const char *sym = gex__jrec_text(rec, F_SYMBOL);
    if (root_len == 0 && sym != NULL && gex__occ_root(sym, rec->len[F_SYMBOL], &occ) == 0 &&
        gex__occ_decode(sym, rec->len[F_SYMBOL], &occ) == 0) {
        root = occ.root;
        root_len = occ.root_len;
    } else if (root_len == 0 && sym != NULL) {
        const char *us = memchr(sym, '_', rec->len[F_SYMBOL]);
        root = sym;
        root_len = us != NULL ? (size_t)(us - sym) : 0;
    }
    if (root_len == 0)
        return bad(r, rec, GEX_SKIP_BAD_SYMBOL, gex__jrec_line(rec, F_SYMBOL),
                   "neither \"optionRoot\" nor \"symbol\" names the option's root");
    gex__jrec_epoch(r, rec, F_QUOTE_TIME, 0);
    /* Stored under the root's underlying; finish relabels with the document's "symbol". */
    char mapped[GEX__FIELD_MAX + 1];
    size_t u_len = gex__root_underlying(root, root_len, mapped);
    return gex__jrec_store(r, mapped, u_len, root, root_len, &k, (double)NAN);
}

static int schwab_finish(gex__reader *r, void *state, const gex__jtop *top)
{
    (void)state;
    gex__jtok t = GEX__JTOK_END;
    const char *sym = gex__jtop_get(top, "symbol", &t);
    int rc = gex__reader_relabel(r, sym != NULL && t == GEX__JTOK_STRING ? sym : NULL);
    if (rc != GEX_OK)
        return rc;
    /* The spot: underlyingPrice (both layouts; the price the chain's greeks were computed
     * at), else TD's underlying.last, else underlying.mark. After hours underlying.last can
     * differ: said in a warning. */
    double price = (double)NAN, last = (double)NAN, mark = (double)NAN;
    int has_price = gex__jtop_price(r, top, "underlyingPrice", &price) == 0;
    int has_last = gex__jtop_price(r, top, "underlying.last", &last) == 0;
    int has_mark = gex__jtop_price(r, top, "underlying.mark", &mark) == 0;
    double spot = has_price ? price : has_last ? last : has_mark ? mark : (double)NAN;
    if (!isnan(spot))
        gex__reader_default_spot(r, spot);
    if (has_price && has_last && fabs(price - last) > GEX__SPOT_DIFF_WARN * price) {
        char w[160];
        gex__snprintf_c(w, sizeof w, "spot: underlyingPrice %.6g is used; underlying.last is %.6g",
                        price, last);
        gex__jwarn(r, w);
    }
    if (!r->has_time)
        snprintf(r->time_note, sizeof r->time_note,
                 "the Schwab chain's contracts carry no quoteTimeInLong (the quote instant); "
                 "pass --now");
    return gex__json_require_oi(r, "a Schwab option chain",
                                "fetch the chain again during or after a trading day (Schwab "
                                "reports open interest 0 on a chain fetched over a weekend), or "
                                "pass a file with open interest");
}

const gex__jlayout gex__jlayout_schwab = {
    .format = GEX_FORMAT_SCHWAB_JSON,
    .name = "Schwab option-chain JSON",
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .record = schwab_record,
    .finish = schwab_finish,
};
