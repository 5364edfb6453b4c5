/*
 * Deribit option dumps (SPEC 2.8), both recognised from their header:
 *  - the API's public/get_book_summary_by_currency saved as CSV (instrument_name, mark_iv,
 *    estimated_delivery_price, creation_timestamp, open_interest, bid_price, ask_price, ...);
 *  - the website's option-board export (Instrument, Open, Bid, Mark, Ask, IV Bid, IV Ask,
 *    "Δ|Delta", ...), one expiration, "-" for no value, no spot and no time.
 * The contract is in the instrument name, BTC-25DEC20-36000-C (underlying, expiration DDMMMYY,
 * strike, C or P). Deribit options are inverse: prices are in the coin and are converted to the
 * strike's currency with the spot; one contract is one coin (multiplier 1), so open interest in
 * coins is the contract count. The spot is the index (estimated_delivery_price: the price the
 * options settle against), not the per-expiry underlying_price of the future the mark IV is
 * quoted on. IV in percent. Settlement at 08:00 UTC on the expiration date. Timestamps in ms.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gex/option.h"
#include "gex/time.h"
#include "chain-internal.h"
#include "chain-layout-internal.h"

/* Deribit's expiry: 08:00 UTC. */
#define DERIBIT_SETTLE_UTC_SECONDS (8 * 3600)
/* The book summary writes exactly this mark IV (percent) on far wings, calls and puts alike, on
 * hundreds of rows of one file: a cap, not a market (see ../shared/formats/README.md). When at
 * least DERIBIT_CAP_ROWS rows carry it, those IVs are dropped and solved from the mid. */
#define DERIBIT_IV_CAP   100.0
#define DERIBIT_CAP_ROWS 10

/* "BTC-25DEC20-36000-C": underlying (length in *u_len), expiration, strike, type. */
static int instrument(gex__span s, size_t *u_len, int32_t *exp, double *strike, int *type,
                      const gex__reader *r)
{
    const char *d1 = memchr(s.s, '-', s.len);
    if (d1 == NULL || d1 == s.s)
        return -1;
    *u_len = (size_t)(d1 - s.s);
    const char *e = d1 + 1, *end = s.s + s.len;
    const char *d2 = memchr(e, '-', (size_t)(end - e));
    if (d2 == NULL)
        return -1;
    size_t el = (size_t)(d2 - e);
    size_t dl = el == 7 ? 2 : el == 6 ? 1 : 0;
    if (dl == 0)
        return -1;
    int day = 0, year = 0;
    for (size_t i = 0; i < dl; i++) {
        if (e[i] < '0' || e[i] > '9')
            return -1;
        day = day * 10 + (e[i] - '0');
    }
    int month = gex_time_month_from_name(e + dl, 3);
    for (size_t i = dl + 3; i < el; i++) {
        if (e[i] < '0' || e[i] > '9')
            return -1;
        year = year * 10 + (e[i] - '0');
    }
    year += 2000;
    if (month == 0 || !gex_time_valid_date(year, month, day))
        return -1;
    *exp = gex_time_days_from_civil(year, month, day);
    const char *k = d2 + 1;
    const char *d3 = memchr(k, '-', (size_t)(end - k));
    if (d3 == NULL || d3 + 2 != end)
        return -1;
    if (gex__read_loose(r, (gex__span){k, (size_t)(d3 - k)}, strike) != 0 || !(*strike > 0) ||
        *strike > GEX_PRICE_MAX)
        return -1;
    if (d3[1] == 'C')
        *type = GEX_CALL;
    else if (d3[1] == 'P')
        *type = GEX_PUT;
    else
        return -1;
    return 0;
}

static const char *const col_inst[] = {"instrument_name", "Instrument", NULL};
static const char *const col_oi[] = {"open_interest", "Open", NULL};
static const char *const col_bid[] = {"bid_price", "Bid", NULL};
static const char *const col_ask[] = {"ask_price", "Ask", NULL};
static const char *const col_mark[] = {"mark_price", "Mark", NULL};
static const char *const col_last[] = {"last", "Last", NULL};
static const char *const col_vol[] = {"volume", "Volume", NULL};
static const char *const col_iv[] = {"mark_iv", NULL};
static const char *const col_index[] = {"estimated_delivery_price", NULL};
static const char *const col_time[] = {"creation_timestamp", NULL};
static const char *const col_delta[] = {"\xce\x94|Delta", "Delta", NULL};

/* A price in the coin, in the strike's currency. */
static double in_currency(double coin, double spot)
{
    return isfinite(coin) ? coin * spot : (double)NAN;
}

int gex__read_deribit(gex__reader *r, const char *text, size_t len, const gex__detected *det)
{
    gex__span h[GEX__LAYOUT_FIELDS_MAX], f[GEX__LAYOUT_FIELDS_MAX], line;
    size_t pos;
    const size_t nh =
        gex__header_fields(text, len, det->header_offset, h, GEX__LAYOUT_FIELDS_MAX, &pos);
    int c_inst = gex__column(h, nh, col_inst), c_oi = gex__column(h, nh, col_oi),
        c_bid = gex__column(h, nh, col_bid), c_ask = gex__column(h, nh, col_ask),
        c_mark = gex__column(h, nh, col_mark), c_last = gex__column(h, nh, col_last),
        c_vol = gex__column(h, nh, col_vol), c_iv = gex__column(h, nh, col_iv),
        c_index = gex__column(h, nh, col_index), c_time = gex__column(h, nh, col_time),
        c_delta = gex__column(h, nh, col_delta);
    int board = gex__span_is(h[0], "Instrument");
    if (c_oi < 0)
        return gex_error_set(r->err, GEX_EFORMAT, r->name, det->header_line, 0,
                             "a Deribit file without open interest (open_interest, or Open in "
                             "the option-board export): GEX needs it");
    double given_spot = r->opt->spot > 0 ? r->opt->spot : (double)NAN;
    if (c_index < 0 && isnan(given_spot))
        return gex_error_set(r->err, GEX_EPARSE, r->name, det->header_line, 0,
                             "a Deribit option-board export holds no index price, and its "
                             "prices are in the coin; pass --spot (the index, e.g. BTC in USD)");
    /* Mark IVs at the cap: counted first, so that they can be dropped. */
    size_t at_cap = 0;
    if (c_iv >= 0) {
        size_t p2 = pos;
        while (gex__next_line(text, len, &p2, &line)) {
            size_t n = gex__split_fields(line, ',', f, GEX__LAYOUT_FIELDS_MAX);
            double iv;
            at_cap +=
                n > (size_t)c_iv && gex__read_loose(r, f[c_iv], &iv) == 0 && iv == DERIBIT_IV_CAP;
        }
    }
    int drop_cap = at_cap >= DERIBIT_CAP_ROWS;
    r->snapshot_rows = c_time >= 0; /* book summaries captured at several instants */
    size_t first = r->chain->n, dropped = 0;
    long lineno = det->header_line;
    size_t n;
    while (gex__layout_row(text, len, &pos, &lineno, f, &n)) {
        r->rep->rows++;
        if (n < nh)
            SKIP(GEX_SKIP_SHORT_ROW, 0, "the row has fewer fields than the header");
        gex_contract k = {.multiplier = 1.0, .vendor_gamma = (double)NAN, .line = lineno};
        size_t u_len;
        if (instrument(f[c_inst], &u_len, &k.expiration, &k.strike, &k.type, r) != 0)
            SKIP(GEX_SKIP_BAD_SYMBOL, c_inst + 1,
                 "the instrument is not a Deribit option name (BTC-25DEC20-36000-C)");
        double bid, ask, mark, last, index = (double)NAN, ms = (double)NAN;
        const gex__cell_want numbers[] = {{c_bid, &bid},
                                          {c_ask, &ask},
                                          {c_mark, &mark},
                                          {c_last, &last},
                                          {c_vol, &k.volume},
                                          {c_iv, &k.iv},
                                          {c_delta, &k.vendor_delta},
                                          {c_index, &index},
                                          {c_time, &ms}};
        char what[160];
        const int bad_col = gex__cell_numbers(
            r, h, f, n, numbers, sizeof numbers / sizeof numbers[0], what, sizeof what);
        if (bad_col >= 0)
            SKIP(GEX_SKIP_BAD_NUMBER, bad_col + 1, what);
        if (gex__cell_open_interest(r, f, n, c_oi, &k) != 0) {
            gex__cell_said(what, sizeof what, h, f, n, c_oi, "is not a count of contracts");
            SKIP(GEX_SKIP_BAD_OPEN_INTEREST, c_oi + 1, what);
        }
        double spot = isfinite(given_spot) ? given_spot : index;
        if (!(spot > 0) || spot > GEX_PRICE_MAX)
            SKIP(GEX_SKIP_BAD_NUMBER, c_index + 1, "the index price is not a positive number");
        /* The board's bid or ask is "-" when there is none: its mark stands for both. */
        if (board && (isnan(bid) || isnan(ask)))
            bid = ask = mark;
        k.bid = in_currency(bid, spot);
        k.ask = in_currency(ask, spot);
        k.last = in_currency(last, spot);
        if (drop_cap && k.iv == DERIBIT_IV_CAP) {
            k.iv = (double)NAN;
            dropped++;
        } else {
            k.iv = k.iv > 0 ? k.iv / 100.0 : (double)NAN;
        }
        if (isfinite(ms) && ms > 0 && c_time >= 0) /* an instant past 9999 is said, not cast */
            gex__note_time(r, ms / 1000.0, f[c_time].s, f[c_time].len, lineno);
        int rc = gex__reader_add(r, f[c_inst].s, u_len, f[c_inst].s, u_len, &k, index);
        if (rc != GEX_OK)
            return gex__reader_add_failed(r, rc, lineno);
    next:;
    }
    gex__settle_utc(r, first, DERIBIT_SETTLE_UTC_SECONDS);
    if (r->rep->contracts > 0 && c_iv >= 0)
        r->rep->iv_percent_rescaled = 1;
    if (dropped > 0) {
        gex__reader_warn(r,
                         "%zu mark IVs at exactly %.0f%% (Deribit's cap on the far wings) are "
                         "solved from the mid instead",
                         dropped, DERIBIT_IV_CAP);
    }
    if (!r->has_time && r->time_note[0] == '\0') {
        r->time_note_line = det->header_line;
        snprintf(r->time_note, sizeof r->time_note,
                 "a Deribit option-board export carries no time; pass --now");
    }
    return GEX_OK;
}
