/*
 * CBOE quote tables from before 2019 (SPEC 2.8): "AAPL (APPLE INC),109.80,-0.03," (the spot is
 * the second field), a date line "Nov 04 2016 @ 14:35 ET,Bid,...", a header
 * "Calls,Last Sale,Net,Bid,Ask,Vol,Open Int,Puts,Last Sale,...", and rows without an expiration
 * column: a contract is written "16 Nov 99.50 (AAPL1604K99.5)", the expiration only in the code
 * in parentheses (ROOT, yy, dd, a month letter A-L for calls and M-X for puts, the strike).
 * Every contract is repeated once per exchange with a suffix ("(AAPL1604K99.5-I)"): the
 * composite row, without a suffix, is kept and the copies are counted in the report's rows.
 * A root other than the underlying's (AAPL7) is a non-standard deliverable the table does not
 * state: its contracts are left out, with a warning.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gex/option.h"
#include "gex/time.h"
#include "chain-internal.h"
#include "chain-layout-internal.h"

/* The pieces of "(AAPL1604K99.5)". */
typedef struct legacy_code {
    gex__span root;
    int32_t expiration;
    int type;
    double strike;
    int exchange; /* a per-exchange copy ("-I") */
} legacy_code;

static int legacy_decode(const gex__reader *r, gex__span cell, legacy_code *out)
{
    const char *open = memchr(cell.s, '(', cell.len);
    if (open == NULL || cell.s[cell.len - 1] != ')')
        return -1;
    gex__span c = {open + 1, (size_t)(cell.s + cell.len - 1 - (open + 1))};
    const char *dash = memchr(c.s, '-', c.len);
    out->exchange = dash != NULL;
    if (dash != NULL)
        c.len = (size_t)(dash - c.s);
    /* From the end: the strike (digits and a point), the month letter, dd, yy, the root. */
    size_t i = c.len;
    while (i > 0 && (isdigit((unsigned char)c.s[i - 1]) || c.s[i - 1] == '.'))
        i--;
    if (i == c.len || i < 6)
        return -1;
    if (gex__read_loose(r, (gex__span){c.s + i, c.len - i}, &out->strike) != 0 ||
        !(out->strike > 0) || out->strike > GEX_PRICE_MAX)
        return -1;
    char letter = c.s[i - 1];
    if (letter >= 'A' && letter <= 'L')
        out->type = GEX_CALL;
    else if (letter >= 'M' && letter <= 'X')
        out->type = GEX_PUT;
    else
        return -1;
    int month = (letter - (out->type == GEX_CALL ? 'A' : 'M')) + 1;
    const char *d = c.s + i - 5;
    for (int j = 0; j < 4; j++)
        if (!isdigit((unsigned char)d[j]))
            return -1;
    int year = 2000 + (d[0] - '0') * 10 + (d[1] - '0'), day = (d[2] - '0') * 10 + (d[3] - '0');
    if (!gex_time_valid_date(year, month, day))
        return -1;
    out->expiration = gex_time_days_from_civil(year, month, day);
    out->root = (gex__span){c.s, i - 5};
    return out->root.len > 0 ? 0 : -1;
}

typedef struct side_cols {
    int sym, last, bid, ask, vol, oi;
} side_cols;

int gex__read_cboe_legacy(gex__reader *r, const char *text, size_t len, const gex__detected *det)
{
    gex__span h[GEX__LAYOUT_FIELDS_MAX], f[GEX__LAYOUT_FIELDS_MAX], line;
    /* The preamble: the underlying and its spot, then the date line. */
    size_t pos = 0;
    char sym[GEX__FIELD_MAX + 1] = "";
    size_t sym_len = 0;
    double spot = (double)NAN;
    int date_seen = 0;
    for (long l = 1; l < det->header_line && gex__next_line(text, len, &pos, &line); l++) {
        size_t n = gex__split_fields(line, ',', f, GEX__LAYOUT_FIELDS_MAX);
        if (sym_len == 0 && n >= 2 && f[0].len > 0 && isalpha((unsigned char)f[0].s[0])) {
            size_t k = 0;
            while (k < f[0].len && k < GEX__FIELD_MAX && f[0].s[k] != ' ' && f[0].s[k] != '(')
                k++;
            if (gex__read_loose(r, f[1], &spot) == 0 && spot > 0) {
                memcpy(sym, f[0].s, k);
                sym[k] = '\0';
                sym_len = k;
                continue;
            }
        }
        if (!date_seen && n >= 2 && gex__span_is(f[1], "Bid")) {
            gex__read_quote_time(r, f[0].s, f[0].len, GEX_ZONE_EASTERN, l);
            date_seen = 1;
        }
    }
    if (sym_len == 0)
        return gex_error_set(
            r->err, GEX_EPARSE, r->name, 1, 0,
            "a CBOE quote table whose first line is not \"SYMBOL (NAME),SPOT,...\": "
            "the underlying and its spot are unknown; fix the first line");
    if (!date_seen && r->time_note[0] == '\0') {
        r->time_note_line = 2;
        snprintf(r->time_note, sizeof r->time_note,
                 "the CBOE quote table has no date line, so the quote instant is unknown; pass "
                 "--now");
    }
    const size_t nh =
        gex__header_fields(text, len, det->header_offset, h, GEX__LAYOUT_FIELDS_MAX, &pos);
    int c_puts = -1;
    for (size_t i = 1; i < nh; i++)
        if (gex__span_is(h[i], "Puts"))
            c_puts = (int)i;
    side_cols side[2];
    for (int s = 0; s < 2; s++) {
        size_t from = s == 0 ? 0 : (size_t)c_puts, to = s == 0 ? (size_t)c_puts : nh;
        side[s] = (side_cols){(int)from, -1, -1, -1, -1, -1};
        for (size_t i = from + 1; i < to; i++) {
            int *slot = gex__span_is(h[i], "Last Sale")  ? &side[s].last
                        : gex__span_is(h[i], "Bid")      ? &side[s].bid
                        : gex__span_is(h[i], "Ask")      ? &side[s].ask
                        : gex__span_is(h[i], "Vol")      ? &side[s].vol
                        : gex__span_is(h[i], "Open Int") ? &side[s].oi
                                                         : NULL;
            if (slot != NULL && *slot < 0)
                *slot = (int)i;
        }
    }
    if (side[0].oi < 0 || side[1].oi < 0)
        return gex_error_set(r->err, GEX_EFORMAT, r->name, det->header_line, 0,
                             "a CBOE quote table without \"Open Int\" for calls and puts: GEX "
                             "needs the open interest");
    size_t other_root = 0, copies = 0;
    char other[GEX__FIELD_MAX + 1] = "";
    long lineno = det->header_line;
    size_t n;
    while (gex__layout_row(text, len, &pos, &lineno, f, &n)) {
        r->rep->rows++;
        if (n + 1 < nh)
            SKIP(GEX_SKIP_SHORT_ROW, 0, "the row has fewer fields than the header");
        for (int s = 0; s < 2; s++) {
            const side_cols *c = &side[s];
            char what[160];
            legacy_code code;
            if (legacy_decode(r, f[c->sym], &code) != 0 ||
                code.type != (s == 0 ? GEX_CALL : GEX_PUT)) {
                gex__cell_said(what, sizeof what, h, f, n, c->sym,
                               s == 0 ? "is not a call \"yy Mon STRIKE (ROOTyyddMSTRIKE)\""
                                      : "is not a put \"yy Mon STRIKE (ROOTyyddMSTRIKE)\"");
                SKIP_SIDE(GEX_SKIP_BAD_SYMBOL, c->sym + 1, what);
            }
            if (code.exchange) {
                copies++;
                continue;
            }
            char root_u[GEX__FIELD_MAX + 1];
            size_t ru = gex__root_underlying(code.root.s, code.root.len, root_u);
            if (ru != sym_len || strncasecmp(root_u, sym, sym_len) != 0) {
                if (other_root++ == 0)
                    snprintf(other, sizeof other, "%.*s", (int)code.root.len, code.root.s);
                continue;
            }
            gex_contract k = {.type = code.type,
                              .strike = code.strike,
                              .expiration = code.expiration,
                              .iv = (double)NAN,
                              .multiplier = (double)NAN,
                              .vendor_delta = (double)NAN,
                              .vendor_gamma = (double)NAN,
                              .line = lineno};
            const gex__cell_want numbers[] = {
                {c->last, &k.last}, {c->bid, &k.bid}, {c->ask, &k.ask}, {c->vol, &k.volume}};
            const int bad_col = gex__cell_numbers(
                r, h, f, n, numbers, sizeof numbers / sizeof numbers[0], what, sizeof what);
            if (bad_col >= 0) {
                gex__cell_of_side(what, sizeof what, k.type);
                SKIP_SIDE(GEX_SKIP_BAD_NUMBER, bad_col + 1, what);
            }
            if (gex__cell_number(r, f, n, c->oi, &k.open_interest) != 0 || isnan(k.open_interest) ||
                k.open_interest < 0 || k.open_interest > GEX_CONTRACTS_MAX) {
                gex__cell_said(what, sizeof what, h, f, n, c->oi, "is not a count of contracts");
                gex__cell_of_side(what, sizeof what, k.type);
                SKIP_SIDE(GEX_SKIP_BAD_OPEN_INTEREST, c->oi + 1, what);
            }
            int rc = gex__reader_add(r, sym, sym_len, code.root.s, code.root.len, &k, spot);
            if (rc != GEX_OK)
                return gex__reader_add_failed(r, rc, lineno);
        next_side:;
        }
    next:;
    }
    (void)copies;
    if (other_root > 0) {
        gex__reader_warn(r,
                         "%zu %s of root %s (a deliverable other than 100 shares of %s, which "
                         "the table does not state) %s left out",
                         other_root, other_root == 1 ? "contract" : "contracts", other, sym,
                         other_root == 1 ? "is" : "are");
    }
    return GEX_OK;
}
