/*
 * OptionMetrics IvyDB option price extracts (SPEC 2.8), as users export them from WRDS:
 * date, exdate, cp_flag, strike_price (in thousandths of a dollar), best_bid, best_offer, and
 * the columns the user chose (volume, open_interest, impl_volatility, delta, gamma, ...). An
 * extract without open_interest is refused (GEX is open interest times gamma), saying which
 * columns to add. One with it is read: the quote instant of a row is its date's close (16:00 New
 * York time), so an extract of several dates is several snapshots (SPEC 2.9); the spot is not in
 * the table (IvyDB keeps it in another), so --spot is required.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gex/option.h"
#include "gex/time.h"
#include "chain-internal.h"
#include "chain-layout-internal.h"

/* IvyDB writes strikes in thousandths of a dollar. */
#define STRIKE_SCALE 1000.0
/* The close, 16:00 New York time: the instant of an end-of-day row. */
#define CLOSE_SECONDS (16 * 3600)

static const char *const col_date[] = {"date", NULL};
static const char *const col_exdate[] = {"exdate", NULL};
static const char *const col_cp[] = {"cp_flag", NULL};
static const char *const col_strike[] = {"strike_price", NULL};
static const char *const col_bid[] = {"best_bid", NULL};
static const char *const col_ask[] = {"best_offer", NULL};
static const char *const col_vol[] = {"volume", NULL};
static const char *const col_oi[] = {"open_interest", NULL};
static const char *const col_iv[] = {"impl_volatility", NULL};
static const char *const col_delta[] = {"delta", NULL};
static const char *const col_gamma[] = {"gamma", NULL};
static const char *const col_symbol[] = {"ticker", "symbol", "root", NULL};

/* Counts the rows and quote dates of an extract (for the refusal). */
static void census(const char *text, size_t len, size_t pos, int c_date, size_t *rows,
                   size_t *dates)
{
    gex__span f[GEX__LAYOUT_FIELDS_MAX], line, prev = {"", 0};
    *rows = *dates = 0;
    while (gex__next_line(text, len, &pos, &line)) {
        size_t n = gex__split_fields(line, ',', f, GEX__LAYOUT_FIELDS_MAX);
        if (n == 1 && f[0].len == 0)
            continue;
        (*rows)++;
        if (c_date >= 0 && (size_t)c_date < n &&
            (f[c_date].len != prev.len || memcmp(f[c_date].s, prev.s, prev.len) != 0)) {
            (*dates)++;
            prev = f[c_date];
        }
    }
}

int gex__read_optionmetrics(gex__reader *r, const char *text, size_t len, const gex__detected *det)
{
    gex__span h[GEX__LAYOUT_FIELDS_MAX], f[GEX__LAYOUT_FIELDS_MAX];
    size_t pos;
    const size_t nh =
        gex__header_fields(text, len, det->header_offset, h, GEX__LAYOUT_FIELDS_MAX, &pos);
    int c_date = gex__column(h, nh, col_date), c_exdate = gex__column(h, nh, col_exdate),
        c_cp = gex__column(h, nh, col_cp), c_strike = gex__column(h, nh, col_strike),
        c_bid = gex__column(h, nh, col_bid), c_ask = gex__column(h, nh, col_ask),
        c_vol = gex__column(h, nh, col_vol), c_oi = gex__column(h, nh, col_oi),
        c_iv = gex__column(h, nh, col_iv), c_delta = gex__column(h, nh, col_delta),
        c_gamma = gex__column(h, nh, col_gamma), c_sym = gex__column(h, nh, col_symbol);
    if (c_oi < 0) {
        size_t rows, dates;
        census(text, len, pos, c_date, &rows, &dates);
        return gex_error_set(r->err, GEX_EFORMAT, r->name, det->header_line, 0,
                             "an OptionMetrics option price extract (%zu rows, %zu quote dates) "
                             "without an open_interest column: GEX is open interest times gamma "
                             "and cannot be computed from it; extract again with open_interest%s "
                             "(and pass --spot: IvyDB keeps the underlying's price in another "
                             "table)",
                             rows, dates, c_iv >= 0 ? "" : ", impl_volatility, delta and gamma");
    }
    if (!(r->opt->spot > 0))
        return gex_error_set(r->err, GEX_EPARSE, r->name, det->header_line, 0,
                             "an OptionMetrics option price extract holds no price of the "
                             "underlying (IvyDB keeps it in another table); pass --spot");
    if (c_sym < 0 && r->opt->symbol == NULL)
        return gex_error_set(r->err, GEX_EPARSE, r->name, det->header_line, 0,
                             "an OptionMetrics extract without a ticker column names no "
                             "underlying; pass --symbol");
    r->snapshot_rows = 1; /* each date is an end-of-day snapshot */
    long lineno = det->header_line;
    size_t n;
    while (gex__layout_row(text, len, &pos, &lineno, f, &n)) {
        r->rep->rows++;
        /* The row's ticker, so that a bad row of another underlying than --symbol's is left
         * out as that underlying's rows are. */
        const char *ru = c_sym >= 0 && c_sym < (long)n ? f[c_sym].s : NULL;
        const size_t rul = ru != NULL && f[c_sym].len <= GEX__FIELD_MAX ? f[c_sym].len : 0;
        if (n < nh)
            SKIP_OF(ru, rul, GEX_SKIP_SHORT_ROW, 0, "the row has fewer fields than the header");
        gex_contract k = {.multiplier = (double)NAN, .line = lineno};
        char what[160];
        if (gex__span_is(f[c_cp], "C"))
            k.type = GEX_CALL;
        else if (gex__span_is(f[c_cp], "P"))
            k.type = GEX_PUT;
        else {
            gex__cell_said(what, sizeof what, h, f, n, c_cp, "is neither C nor P");
            SKIP_OF(ru, rul, GEX_SKIP_BAD_TYPE, c_cp + 1, what);
        }
        if (gex__cell_number(r, f, n, c_strike, &k.strike) != 0 || !(k.strike > 0) ||
            k.strike > GEX_PRICE_MAX) {
            gex__cell_said(what, sizeof what, h, f, n, c_strike, "is not a positive number");
            SKIP_OF(ru, rul, GEX_SKIP_BAD_STRIKE, c_strike + 1, what);
        }
        k.strike /= STRIKE_SCALE;
        if (gex__read_expiration(r, f[c_exdate].s, f[c_exdate].len, &k.expiration) != 0) {
            gex__cell_said(what, sizeof what, h, f, n, c_exdate, "is not a date");
            SKIP_OF(ru, rul, GEX_SKIP_BAD_EXPIRATION, c_exdate + 1, what);
        }
        int32_t day;
        if (c_date >= 0 && gex_time_parse_date(f[c_date].s, f[c_date].len, &day) == GEX_OK)
            gex__note_time(r, (double)gex_time_eastern_to_utc(day, CLOSE_SECONDS), f[c_date].s,
                           f[c_date].len, lineno);
        const gex__cell_want numbers[] = {{c_bid, &k.bid},
                                          {c_ask, &k.ask},
                                          {c_vol, &k.volume},
                                          {c_iv, &k.iv},
                                          {c_delta, &k.vendor_delta},
                                          {c_gamma, &k.vendor_gamma}};
        const int bad_col = gex__cell_numbers(
            r, h, f, n, numbers, sizeof numbers / sizeof numbers[0], what, sizeof what);
        if (bad_col >= 0)
            SKIP_OF(ru, rul, GEX_SKIP_BAD_NUMBER, bad_col + 1, what);
        if (gex__cell_open_interest(r, f, n, c_oi, &k) != 0) {
            gex__cell_said(what, sizeof what, h, f, n, c_oi, "is not a count of contracts");
            SKIP_OF(ru, rul, GEX_SKIP_BAD_OPEN_INTEREST, c_oi + 1, what);
        }
        /* IvyDB's missing IV is -99.99. */
        if (!(k.iv > 0))
            k.iv = (double)NAN;
        const char *u = c_sym >= 0 ? f[c_sym].s : r->opt->symbol;
        size_t ul = c_sym >= 0 ? f[c_sym].len : strlen(r->opt->symbol);
        if (ul == 0 || ul > GEX__FIELD_MAX)
            SKIP(GEX_SKIP_BAD_SYMBOL, c_sym + 1, "the ticker is empty or too long");
        int rc = gex__reader_add(r, u, ul, u, ul, &k, (double)NAN);
        if (rc != GEX_OK)
            return gex__reader_add_failed(r, rc, lineno);
    next:;
    }
    return GEX_OK;
}
