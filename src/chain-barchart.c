/*
 * Barchart option downloads (SPEC 2.8): one expiration per file, written only in the file name
 * ("gpre-options-exp-2026-06-18-monthly-show-all-stacked-04-14-2026.csv") or given with
 * --expiration-of-file; calls and puts stacked, one per row, with a Type column; quoted
 * thousands ("4,025.00"), IV and Moneyness in percent ("476.66%", "+93.62%"); no spot column,
 * so the spot is recovered from Moneyness; a footer "Downloaded from Barchart.com as of
 * 04-14-2026 05:39am CDT" that is the quote instant. The 2022 layout's header has one name more
 * than its rows have fields: rows one field short are read against the first names.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gex/option.h"
#include "gex/time.h"
#include "chain-internal.h"
#include "chain-layout-internal.h"

static const char *const col_strike[] = {"Strike", NULL};
static const char *const col_moneyness[] = {"Moneyness", NULL};
static const char *const col_bid[] = {"Bid", NULL};
static const char *const col_ask[] = {"Ask", NULL};
static const char *const col_last[] = {"Latest", "Last", NULL};
static const char *const col_volume[] = {"Volume", NULL};
static const char *const col_oi[] = {"Open Int", "Open Interest", NULL};
static const char *const col_iv[] = {"IV", "Imp Vol", NULL};
static const char *const col_delta[] = {"Delta", NULL};
static const char *const col_type[] = {"Type", NULL};
static const char *const col_exp[] = {"Expiration", "Exp Date", "Expiration Date", NULL};

static const char footer[] = "Downloaded from Barchart.com as of ";

/* The footer line: its text alone, or followed by empty fields only (a sheet saved as CSV again
 * pads every line to the header's width: "...as of 04-14-2026 05:39am CDT,,,,,"). */
static int is_footer(const gex__span *f, size_t n)
{
    if (n == 0 || f[0].len < sizeof footer - 1 || memcmp(f[0].s, footer, sizeof footer - 1) != 0)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (f[i].len > 0)
            return 0;
    return 1;
}

/* The footer's instant: "04-14-2026 05:39am CDT" (month-day-year with dashes, which the
 * instant parser reads with slashes). */
static void footer_time(gex__reader *r, gex__span f, long line)
{
    size_t n = sizeof footer - 1;
    char text[80];
    size_t len = f.len - n < sizeof text - 1 ? f.len - n : sizeof text - 1;
    memcpy(text, f.s + n, len);
    text[len] = '\0';
    if (len >= 10 && text[2] == '-' && text[5] == '-') {
        text[2] = '/';
        text[5] = '/';
    }
    gex__read_quote_time(r, text, len, GEX_ZONE_EASTERN, line);
}

/* The underlying from Barchart's own file name: "gpre-options-exp-...": GPRE. */
static size_t name_symbol(const char *name, char *out)
{
    const char *base = strrchr(name, '/');
    base = base != NULL ? base + 1 : name;
    const char *tail = strstr(base, "-options-");
    size_t n = tail != NULL ? (size_t)(tail - base) : 0;
    if (n == 0 || n > 12)
        return 0;
    memcpy(out, base, n);
    out[n] = '\0';
    return n;
}

int gex__read_barchart(gex__reader *r, const char *text, size_t len, const gex__detected *det)
{
    gex__span h[GEX__LAYOUT_FIELDS_MAX], f[GEX__LAYOUT_FIELDS_MAX];
    size_t pos;
    const size_t nh =
        gex__header_fields(text, len, det->header_offset, h, GEX__LAYOUT_FIELDS_MAX, &pos);
    int c_strike = gex__column(h, nh, col_strike), c_m = gex__column(h, nh, col_moneyness),
        c_bid = gex__column(h, nh, col_bid), c_ask = gex__column(h, nh, col_ask),
        c_last = gex__column(h, nh, col_last), c_vol = gex__column(h, nh, col_volume),
        c_oi = gex__column(h, nh, col_oi), c_iv = gex__column(h, nh, col_iv),
        c_delta = gex__column(h, nh, col_delta), c_type = gex__column(h, nh, col_type),
        c_exp = gex__column(h, nh, col_exp);
    if (c_oi < 0)
        return gex_error_set(r->err, GEX_EFORMAT, r->name, det->header_line, 0,
                             "a Barchart options download without an \"Open Int\" column: GEX "
                             "needs the open interest; download a Barchart view that shows it");
    int32_t file_exp = r->opt->file_expiration;
    if (c_exp < 0 && file_exp == 0 && gex__name_expiration(r->name, &file_exp) != 0)
        return gex_error_set(r->err, GEX_EPARSE, r->name, det->header_line, 0,
                             "a Barchart options download has no expiration column: it names "
                             "the expiration only in the file name (\"...-exp-YYYY-MM-DD-...\"), "
                             "and this name has none; pass --expiration-of-file YYYY-MM-DD");
    char sym[GEX__FIELD_MAX + 1];
    size_t sym_len;
    if (gex__layout_symbol(r, name_symbol, sym, &sym_len) != 0)
        return gex_error_set(r->err, GEX_EPARSE, r->name, det->header_line, 0,
                             "a Barchart options download names its underlying only in the "
                             "file name (\"SYMBOL-options-exp-...\"), and this name has none; "
                             "pass --symbol");
    /* The spot from the Moneyness of the row nearest the money: Barchart writes
     * (spot - strike) / spot for calls and (strike - spot) / spot for puts, in percent. */
    double spot = (double)NAN, best_m = (double)INFINITY;
    int footer_seen = 0;
    long lineno = det->header_line;
    size_t n;
    while (gex__layout_row(text, len, &pos, &lineno, f, &n)) {
        if (is_footer(f, n)) {
            footer_time(r, f[0], lineno);
            footer_seen = 1;
            continue;
        }
        r->rep->rows++;
        if (n + 1 < nh)
            SKIP(GEX_SKIP_SHORT_ROW, 0, "the row has fewer fields than the header");
        gex_contract k = {.multiplier = (double)NAN, .vendor_gamma = (double)NAN, .line = lineno};
        char what[160];
        gex__span type = c_type >= 0 && (size_t)c_type < n ? f[c_type] : (gex__span){"", 0};
        if (gex__span_is(type, "Call"))
            k.type = GEX_CALL;
        else if (gex__span_is(type, "Put"))
            k.type = GEX_PUT;
        else {
            gex__cell_said(what, sizeof what, h, f, n, c_type, "is neither Call nor Put");
            SKIP(GEX_SKIP_BAD_TYPE, c_type + 1, what);
        }
        if (gex__cell_number(r, f, n, c_strike, &k.strike) != 0 || !(k.strike > 0) ||
            k.strike > GEX_PRICE_MAX) {
            gex__cell_said(what, sizeof what, h, f, n, c_strike, "is not a positive number");
            SKIP(GEX_SKIP_BAD_STRIKE, c_strike + 1, what);
        }
        k.expiration = file_exp;
        if (c_exp >= 0 && ((size_t)c_exp >= n ||
                           gex__read_expiration(r, f[c_exp].s, f[c_exp].len, &k.expiration) != 0)) {
            gex__cell_said(what, sizeof what, h, f, n, c_exp, "is not a date");
            SKIP(GEX_SKIP_BAD_EXPIRATION, c_exp + 1, what);
        }
        double m = (double)NAN;
        const gex__cell_want numbers[] = {{c_bid, &k.bid},   {c_ask, &k.ask},
                                          {c_last, &k.last}, {c_vol, &k.volume},
                                          {c_iv, &k.iv},     {c_delta, &k.vendor_delta},
                                          {c_m, &m}};
        const int bad_col = gex__cell_numbers(
            r, h, f, n, numbers, sizeof numbers / sizeof numbers[0], what, sizeof what);
        if (bad_col >= 0)
            SKIP(GEX_SKIP_BAD_NUMBER, bad_col + 1, what);
        if (gex__cell_open_interest(r, f, n, c_oi, &k) != 0) {
            gex__cell_said(what, sizeof what, h, f, n, c_oi, "is not a count of contracts");
            SKIP(GEX_SKIP_BAD_OPEN_INTEREST, c_oi + 1, what);
        }
        /* IV in percent; 0.00% is Barchart's "no IV" (with Delta 0). */
        k.iv = k.iv > 0 ? k.iv / 100.0 : (double)NAN;
        if (isfinite(m) && fabs(m) < best_m && fabs(m) < 100.0) {
            double s =
                k.type == GEX_CALL ? k.strike / (1.0 - m / 100.0) : k.strike / (1.0 + m / 100.0);
            if (s > 0 && isfinite(s)) {
                spot = s;
                best_m = fabs(m);
            }
        }
        int rc = gex__reader_add(r, sym, sym_len, sym, sym_len, &k, (double)NAN);
        if (rc != GEX_OK)
            return gex__reader_add_failed(r, rc, lineno);
    next:;
    }
    if (r->rep->contracts > 0)
        r->rep->iv_percent_rescaled = 1;
    if (isfinite(spot) && r->chain->n > 0)
        r->chain->sym_spot[r->chain->underlying[0]] = spot;
    if (!footer_seen && r->time_note[0] == '\0') {
        r->time_note_line = lineno;
        snprintf(r->time_note, sizeof r->time_note,
                 "the Barchart download has no \"Downloaded from Barchart.com as of ...\" footer, "
                 "so the quote instant is unknown; pass --now");
    }
    return GEX_OK;
}
