/*
 * NSE India option-chain downloads (SPEC 2.8): a line "CALLS,,PUTS", then a header whose calls
 * stand left of STRIKE and whose puts mirror them on the right
 * (",OI,CHNG IN OI,VOLUME,IV,LTP,...,STRIKE,...,LTP,IV,VOLUME,CHNG IN OI,OI,"); Indian digit
 * grouping ("3,52,725"), "-" for no value, IV in percent. The expiration is only in the file
 * name ("option-chain-ED-NIFTY-30-Dec-2025.csv") or given with --expiration-of-file; the file
 * holds no spot and no time (--spot, --now). NSE contracts settle at the close, 15:30 India
 * time (10:00 UTC). The contract size (lot) is NSE's, per index and period: the ones built in
 * are below; for any other, --multiplier gives it, and it overrides these.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gex/option.h"
#include "gex/time.h"
#include "chain-internal.h"
#include "chain-layout-internal.h"

/* NSE's F&O close, 15:30 IST (UTC+05:30), the final settlement instant. */
#define NSE_SETTLE_UTC_SECONDS (10 * 3600)

/* Lot sizes built in: NSE raised NIFTY's lot from 25 to 75 for the contracts from 2024-11-20
 * (SEBI's higher minimum contract value, NSE's circular of October 2024), and it was 75 for
 * the expirations of 2025 (the sample's 30-Dec-2025 included). NSE revises lots twice a year:
 * outside these dates and for other symbols the lot must be given (--multiplier). */
static const struct nse_lot {
    const char *symbol;
    int from_y, from_m, from_d, to_y, to_m, to_d;
    double lot;
} nse_lots[] = {
    {"NIFTY", 2024, 11, 20, 2025, 12, 31, 75},
};

static double nse_lot(const char *sym, int32_t expiration)
{
    for (size_t i = 0; i < sizeof nse_lots / sizeof nse_lots[0]; i++) {
        const struct nse_lot *l = &nse_lots[i];
        if (strcasecmp(sym, l->symbol) == 0 &&
            expiration >= gex_time_days_from_civil(l->from_y, l->from_m, l->from_d) &&
            expiration <= gex_time_days_from_civil(l->to_y, l->to_m, l->to_d))
            return l->lot;
    }
    return (double)NAN;
}

/* The symbol of NSE's own file name "option-chain-ED-NIFTY-30-Dec-2025.csv". */
static size_t name_symbol(const char *name, char *out)
{
    const char *base = strrchr(name, '/');
    base = base != NULL ? base + 1 : name;
    const char *ed = strstr(base, "-ED-");
    if (ed == NULL)
        return 0;
    ed += 4;
    const char *dash = strchr(ed, '-');
    size_t n = dash != NULL ? (size_t)(dash - ed) : 0;
    if (n == 0 || n > 20)
        return 0;
    memcpy(out, ed, n);
    out[n] = '\0';
    return n;
}

/* The columns of one side. */
typedef struct side_cols {
    int oi, volume, iv, last, bid, ask;
} side_cols;

static int find(const gex__span *h, size_t from, size_t to, const char *name)
{
    for (size_t i = from; i < to; i++)
        if (gex__span_is(h[i], name))
            return (int)i;
    return -1;
}

static side_cols side_columns(const gex__span *h, size_t from, size_t to)
{
    side_cols c = {find(h, from, to, "OI"),  find(h, from, to, "VOLUME"), find(h, from, to, "IV"),
                   find(h, from, to, "LTP"), find(h, from, to, "BID"),    find(h, from, to, "ASK")};
    return c;
}

/* Whether every cell of a side is "-" or empty: a strike NSE lists without that option. */
static int side_empty(const gex__span *f, size_t n, size_t from, size_t to)
{
    for (size_t i = from; i < to && i < n; i++)
        if (!gex__is_missing(f[i].s, f[i].len))
            return 0;
    return 1;
}

int gex__read_nse(gex__reader *r, const char *text, size_t len, const gex__detected *det)
{
    gex__span h[GEX__LAYOUT_FIELDS_MAX], f[GEX__LAYOUT_FIELDS_MAX];
    size_t pos;
    const size_t nh =
        gex__header_fields(text, len, det->header_offset, h, GEX__LAYOUT_FIELDS_MAX, &pos);
    int c_strike = find(h, 0, nh, "STRIKE");
    side_cols calls = side_columns(h, 0, (size_t)c_strike),
              puts = side_columns(h, (size_t)c_strike + 1, nh);
    if (calls.oi < 0 || puts.oi < 0)
        return gex_error_set(r->err, GEX_EFORMAT, r->name, det->header_line, 0,
                             "an NSE option chain without an OI column on both sides: GEX needs "
                             "the open interest of calls and puts");
    int32_t exp = r->opt->file_expiration;
    if (exp == 0 && gex__name_expiration(r->name, &exp) != 0)
        return gex_error_set(r->err, GEX_EPARSE, r->name, det->header_line, 0,
                             "an NSE option chain names its expiration only in the file name "
                             "(\"option-chain-ED-NIFTY-30-Dec-2025.csv\"), and this name has "
                             "none; pass --expiration-of-file YYYY-MM-DD");
    char sym[GEX__FIELD_MAX + 1];
    size_t sym_len;
    if (gex__layout_symbol(r, name_symbol, sym, &sym_len) != 0)
        return gex_error_set(r->err, GEX_EPARSE, r->name, det->header_line, 0,
                             "an NSE option chain names its underlying only in the file name "
                             "(\"option-chain-ED-NIFTY-...\"), and this name has none; pass "
                             "--symbol");
    double lot = r->opt->multiplier > 0 ? r->opt->multiplier : nse_lot(sym, exp);
    if (isnan(lot)) {
        char day[16];
        gex_time_format_date(exp, day, sizeof day);
        return gex_error_set(r->err, GEX_EPARSE, r->name, det->header_line, 0,
                             "the NSE lot size of %s options expiring %s is not built in (NSE "
                             "revises lots twice a year); pass --multiplier with the lot NSE "
                             "published for this contract",
                             sym, day);
    }
    if (!(r->opt->spot > 0))
        return gex_error_set(r->err, GEX_EPARSE, r->name, det->header_line, 0,
                             "an NSE option chain download holds no price of the underlying; "
                             "pass --spot (the %s level when the chain was downloaded)",
                             sym);
    size_t first = r->chain->n;
    long lineno = det->header_line;
    size_t n;
    while (gex__layout_row(text, len, &pos, &lineno, f, &n)) {
        r->rep->rows++;
        double strike;
        char what[160];
        if (n < nh - 1)
            SKIP(GEX_SKIP_SHORT_ROW, 0, "the row has fewer fields than the header");
        if (gex__cell_number(r, f, n, c_strike, &strike) != 0 || !(strike > 0) ||
            strike > GEX_PRICE_MAX) {
            gex__cell_said(what, sizeof what, h, f, n, c_strike, "is not a positive number");
            SKIP(GEX_SKIP_BAD_STRIKE, c_strike + 1, what);
        }
        for (int s = 0; s < 2; s++) {
            const side_cols *c = s == 0 ? &calls : &puts;
            size_t from = s == 0 ? 0 : (size_t)c_strike + 1, to = s == 0 ? (size_t)c_strike : n;
            if (side_empty(f, n, from, to))
                continue;
            gex_contract k = {.type = s == 0 ? GEX_CALL : GEX_PUT,
                              .strike = strike,
                              .expiration = exp,
                              .multiplier = lot,
                              .vendor_delta = (double)NAN,
                              .vendor_gamma = (double)NAN,
                              .line = lineno};
            const gex__cell_want numbers[] = {{c->bid, &k.bid},
                                              {c->ask, &k.ask},
                                              {c->last, &k.last},
                                              {c->volume, &k.volume},
                                              {c->iv, &k.iv}};
            const int bad_col = gex__cell_numbers(
                r, h, f, n, numbers, sizeof numbers / sizeof numbers[0], what, sizeof what);
            if (bad_col >= 0) {
                gex__cell_of_side(what, sizeof what, k.type);
                SKIP_SIDE(GEX_SKIP_BAD_NUMBER, bad_col + 1, what);
            }
            if (gex__cell_open_interest(r, f, n, c->oi, &k) != 0) {
                gex__cell_said(what, sizeof what, h, f, n, c->oi, "is not a count of contracts");
                gex__cell_of_side(what, sizeof what, k.type);
                SKIP_SIDE(GEX_SKIP_BAD_OPEN_INTEREST, c->oi + 1, what);
            }
            k.iv = k.iv > 0 ? k.iv / 100.0 : (double)NAN; /* percent; 0 or "-": none */
            int rc = gex__reader_add(r, sym, sym_len, sym, sym_len, &k, (double)NAN);
            if (rc != GEX_OK)
                return gex__reader_add_failed(r, rc, lineno);
        next_side:;
        }
    next:;
    }
    gex__settle_utc(r, first, NSE_SETTLE_UTC_SECONDS);
    if (r->rep->contracts > 0)
        r->rep->iv_percent_rescaled = 1;
    /* NSE's prices, and so its exposures, are the rupee's (its lot sizes apply as given) */
    memcpy(r->currency, "INR", sizeof r->currency);
    if (r->time_note[0] == '\0') {
        r->time_note_line = det->header_line;
        snprintf(r->time_note, sizeof r->time_note,
                 "an NSE option chain download carries no time; pass --now");
    }
    return GEX_OK;
}
