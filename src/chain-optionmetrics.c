/*
 * OptionMetrics IvyDB option price extracts (SPEC 2.6), as users export them from WRDS:
 * date, exdate, cp_flag, strike_price (in thousandths of a dollar), best_bid, best_offer, and
 * the columns the user chose. Recognised and refused when the extract has no open_interest
 * column (GEX is open interest times gamma) or no spot (IvyDB keeps the underlying's price in
 * another table): the message says which columns to add to the extract, or how to give the
 * spot.
 */
#include <stdio.h>
#include <string.h>

#include "chain-internal.h"
#include "chain-layout-internal.h"

int gex__read_optionmetrics(gex__reader *r, const char *text, size_t len, const gex__detected *det)
{
    gex__span h[GEX__LAYOUT_FIELDS_MAX], f[GEX__LAYOUT_FIELDS_MAX], line;
    size_t pos = det->header_offset;
    gex__next_line(text, len, &pos, &line);
    size_t nh = gex__split_fields(line, ',', h, GEX__LAYOUT_FIELDS_MAX);
    if (nh > GEX__LAYOUT_FIELDS_MAX)
        nh = GEX__LAYOUT_FIELDS_MAX;
    int c_date = gex__column(h, nh, (const char *const[]){"date", NULL});
    size_t rows = 0, dates = 0;
    gex__span prev = {"", 0};
    while (gex__next_line(text, len, &pos, &line)) {
        size_t n = gex__split_fields(line, ',', f, GEX__LAYOUT_FIELDS_MAX);
        if (n == 1 && f[0].len == 0)
            continue;
        rows++;
        if (c_date >= 0 && (size_t)c_date < n &&
            (f[c_date].len != prev.len || memcmp(f[c_date].s, prev.s, prev.len) != 0)) {
            dates++;
            prev = f[c_date];
        }
    }
    int oi = gex__column(h, nh, (const char *const[]){"open_interest", NULL}) >= 0;
    int iv = gex__column(h, nh, (const char *const[]){"impl_volatility", NULL}) >= 0;
    if (!oi)
        return gex_error_set(r->err, GEX_EFORMAT, r->name, det->header_line, 0,
                             "an OptionMetrics option price extract (%zu rows, %zu quote dates) "
                             "without an open_interest column: GEX is open interest times gamma "
                             "and cannot be computed from it; extract again with open_interest%s "
                             "(and pass --spot: IvyDB keeps the underlying's price in another "
                             "table)",
                             rows, dates, iv ? "" : ", impl_volatility, delta and gamma");
    return gex_error_set(r->err, GEX_EFORMAT, r->name, det->header_line, 0,
                         "an OptionMetrics option price extract (%zu rows, %zu quote dates) is "
                         "recognised but not read: gex reads its open interest only from a long "
                         "CSV; rename cp_flag to type, exdate to expiration, divide strike_price "
                         "by 1000 into strike, add spot, and keep one date per file",
                         rows, dates);
}
