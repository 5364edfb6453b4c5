/*
 * OptionsDX end-of-day files (SPEC 2.8): bracketed headers separated by comma and space
 * ("[QUOTE_UNIXTIME], [QUOTE_READTIME], ..., [C_IV], [C_VOLUME], ..., [STRIKE], [P_BID], ...").
 * Recognised and refused: neither the equity layout (calls | strike | puts on one row) nor the
 * long crypto layout carries open interest, and GEX is open interest times gamma. The refusal
 * says what the file holds (its quote days: a file of a month is that many snapshots) and what
 * would make it usable: open interest joined from another source, written as a long CSV.
 */
#include <stdio.h>
#include <string.h>

#include "gex/time.h"
#include "chain-internal.h"
#include "chain-layout-internal.h"

/* The OI columns an OptionsDX file would need (none of its published layouts has one). */
static const char *const col_oi[] = {
    "[C_OI]", "[P_OI]", "[OI]", "[OPEN_INTEREST]", "[C_OPEN_INTEREST]", NULL};
static const char *const col_time[] = {"[QUOTE_UNIXTIME]", NULL};

int gex__read_optionsdx(gex__reader *r, const char *text, size_t len, const gex__detected *det)
{
    gex__span h[GEX__LAYOUT_FIELDS_MAX], f[GEX__LAYOUT_FIELDS_MAX], line;
    size_t pos;
    const size_t nh =
        gex__header_fields(text, len, det->header_offset, h, GEX__LAYOUT_FIELDS_MAX, &pos);
    int equity = gex__column(h, nh, (const char *const[]){"[C_BID]", NULL}) >= 0;
    int c_time = gex__column(h, nh, col_time);
    /* The quote days, for the message: distinct QUOTE_UNIXTIME values (files are in time
     * order), the first and the last. */
    size_t rows = 0, days = 0;
    double first = 0, last = 0, prev = -1;
    while (gex__next_line(text, len, &pos, &line)) {
        size_t n = gex__split_fields(line, ',', f, GEX__LAYOUT_FIELDS_MAX);
        double t;
        if (n == 1 && f[0].len == 0)
            continue;
        rows++;
        /* an instant before the year 10000 (one that can be written) */
        if (c_time >= 0 && gex__cell_number(r, f, n, c_time, &t) == 0 && t > 0 &&
            t < 253402300800.0 && t != prev) {
            if (days++ == 0)
                first = t;
            last = t;
            prev = t;
        }
    }
    char from[40] = "?", to[40] = "?";
    if (days > 0) {
        gex_time_format_iso((int64_t)first, from, sizeof from);
        gex_time_format_iso((int64_t)last, to, sizeof to);
    }
    if (gex__column(h, nh, col_oi) < 0)
        return gex_error_set(
            r->err, GEX_EFORMAT, r->name, det->header_line, 0,
            "an OptionsDX end-of-day file (%s layout, %zu rows, %zu quote instants from %s to "
            "%s) has no open interest column, and GEX is open interest times gamma: it cannot "
            "be computed from this file; join the open interest of each contract from another "
            "source and write the chain as a long CSV (underlying, expiration, strike, type, "
            "bid, ask, iv, open_interest, spot, quote_time)",
            equity ? "equity: calls | strike | puts" : "long", rows, days, from, to);
    return gex_error_set(r->err, GEX_EFORMAT, r->name, det->header_line, 0,
                         "an OptionsDX file with an open interest column is a layout gex has "
                         "not seen; write it as a long CSV (underlying, expiration, strike, "
                         "type, bid, ask, iv, open_interest, spot, quote_time)");
}
