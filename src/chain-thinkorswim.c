/*
 * thinkorswim option-chain exports (SPEC 2.8): "Stock quote and option quote for SPY on 11/7/23
 * 14:30:12", an UNDERLYING block whose LAST is the spot, then one section per expiration
 * opening with a line "7 NOV 23  (0)  100" (the expiration, the days to it, the shares per
 * contract) and its own header, calls left of Exp and Strike and puts right of them, in the
 * columns the user chose; "<empty>" for no value, percent IVs, grouped thousands. Without an
 * Open.Int column GEX cannot be computed: the file is refused, saying so.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gex/option.h"
#include "gex/time.h"
#include "chain-internal.h"
#include "chain-layout-internal.h"

typedef struct side_cols {
    int oi, volume, iv, last, bid, ask, delta, gamma;
} side_cols;

static int find(const gex__span *h, size_t from, size_t to, const char *const *names)
{
    for (const char *const *name = names; *name != NULL; name++)
        for (size_t i = from; i < to; i++)
            if (gex__span_is(h[i], *name))
                return (int)i;
    return -1;
}

static const char *const n_oi[] = {"Open.Int", "Open Int", "Open Interest", NULL};
static const char *const n_vol[] = {"Volume", NULL};
static const char *const n_iv[] = {"Impl Vol", "Imp Vol", "IV", NULL};
static const char *const n_last[] = {"LAST", "Last", NULL};
static const char *const n_bid[] = {"BID", NULL};
static const char *const n_ask[] = {"ASK", NULL};
static const char *const n_delta[] = {"Delta", NULL};
static const char *const n_gamma[] = {"Gamma", NULL};

static side_cols side_columns(const gex__span *h, size_t from, size_t to)
{
    side_cols c = {find(h, from, to, n_oi),    find(h, from, to, n_vol),  find(h, from, to, n_iv),
                   find(h, from, to, n_last),  find(h, from, to, n_bid),  find(h, from, to, n_ask),
                   find(h, from, to, n_delta), find(h, from, to, n_gamma)};
    return c;
}

/* "7 NOV 23  (0)  100": the expiration and the shares per contract (NAN when not written). */
static int section(gex__span s, int32_t *exp, double *mult)
{
    size_t i = 0;
    int day = 0, year = 0;
    /* At most 3 digits of day and of year, one more than either has (refused below): no
     * overflow. */
    while (i < s.len && i < 3 && isdigit((unsigned char)s.s[i]))
        day = day * 10 + (s.s[i++] - '0');
    if (i == 0 || i + 7 > s.len || s.s[i] != ' ')
        return -1;
    int month = gex_time_month_from_name(s.s + i + 1, 3);
    i += 5;
    size_t y0 = i;
    while (i < s.len && i - y0 < 3 && isdigit((unsigned char)s.s[i]))
        year = year * 10 + (s.s[i++] - '0');
    if (i - y0 != 2 || month == 0 || !gex_time_valid_date(2000 + year, month, day))
        return -1;
    *exp = gex_time_days_from_civil(2000 + year, month, day);
    /* The multiplier: the number after the "(days)" group. */
    *mult = (double)NAN;
    const char *close = memchr(s.s + i, ')', s.len - i);
    if (close != NULL) {
        size_t j = (size_t)(close - s.s) + 1, v = 0, digits = 0;
        while (j < s.len && s.s[j] == ' ')
            j++;
        while (j < s.len && isdigit((unsigned char)s.s[j])) {
            v = v * 10 + (size_t)(s.s[j++] - '0');
            digits++;
        }
        if (digits > 0 && digits < 8)
            *mult = (double)v;
    }
    return 0;
}

/* "... for SPY on 11/7/23 14:30:12": the underlying and the instant (New York time). The date
 * is thinkorswim's M/D/YY (or M/D/YYYY, as a spreadsheet may save it); the time after it is read as
 * any quote time is (gex_time_parse_instant: "2:30:12 PM", a zone), so that a time it cannot read
 * is said at its line, never half read. */
static void title(gex__reader *r, gex__span s, long line, char *sym, size_t *sym_len)
{
    const char *for_ = NULL;
    for (size_t i = 0; i + 5 <= s.len; i++)
        if (memcmp(s.s + i, " for ", 5) == 0)
            for_ = s.s + i + 5;
    if (for_ == NULL)
        return;
    const char *end = s.s + s.len, *p = for_;
    while (p < end && *p != ' ')
        p++;
    size_t n = (size_t)(p - for_);
    if (n > 0 && n <= GEX__FIELD_MAX) {
        memcpy(sym, for_, n);
        sym[n] = '\0';
        *sym_len = n;
    }
    char tail[64];
    size_t rest = (size_t)(end - p);
    if (rest >= sizeof tail)
        return;
    memcpy(tail, p, rest);
    tail[rest] = '\0';
    unsigned m, d, y;
    int used = 0;
    if (sscanf(tail, " on %2u/%2u/%4u%n", &m, &d, &y, &used) != 3 || tail[used] != ' ')
        return;                 /* no date: the file gives no instant (--now) */
    y = y < 100 ? 2000 + y : y; /* M/D/YY as thinkorswim writes it, or a four-digit year */
    char text[96];
    int len = snprintf(text, sizeof text, "%04u-%02u-%02u%s", y, m, d, tail + used);
    if (len <= 0 || (size_t)len >= sizeof text ||
        gex__read_quote_time(r, text, (size_t)len, GEX_ZONE_EASTERN, line) == 0)
        return;
    /* the messages quote the title's own text, not the ISO date written for the parser */
    const char *own = tail;
    while (*own == ' ' || *own == 'o' || *own == 'n')
        own++;
    char *at = strstr(r->time_note, text);
    if (r->time_note_line == line && at != NULL) {
        char note[sizeof r->time_note];
        snprintf(note, sizeof note, "%.*s%s%s", (int)(at - r->time_note), r->time_note, own,
                 at + len);
        memcpy(r->time_note, note, sizeof note);
    }
    if (r->bad_time_line == line)
        snprintf(r->bad_time_text, sizeof r->bad_time_text, "%s", own);
}

int gex__read_thinkorswim(gex__reader *r, const char *text, size_t len, const gex__detected *det)
{
    gex__span f[GEX__LAYOUT_FIELDS_MAX], h[GEX__LAYOUT_FIELDS_MAX], line;
    char sym[GEX__FIELD_MAX + 1] = "";
    size_t sym_len = 0, pos = 0, nh = 0;
    double spot = (double)NAN, mult = (double)NAN;
    int32_t exp = 0;
    int in_section = 0, want_underlying = 0, c_strike = -1, c_exp = -1;
    side_cols side[2] = {{-1, -1, -1, -1, -1, -1, -1, -1}, {-1, -1, -1, -1, -1, -1, -1, -1}};
    long lineno = 0;
    (void)det;
    while (gex__next_line(text, len, &pos, &line)) {
        lineno++;
        size_t n = gex__split_fields(line, ',', f, GEX__LAYOUT_FIELDS_MAX);
        if (n > GEX__LAYOUT_FIELDS_MAX)
            n = GEX__LAYOUT_FIELDS_MAX;
        if (n == 1 && f[0].len == 0) {
            in_section = in_section == 2 ? 0 : in_section;
            continue;
        }
        if (lineno == 1 && n == 1) {
            title(r, f[0], lineno, sym, &sym_len);
            continue;
        }
        if (n == 1 && gex__span_is(f[0], "UNDERLYING")) {
            want_underlying = 1;
            continue;
        }
        if (want_underlying == 1) {
            int c = gex__column(f, n, (const char *const[]){"LAST", "Last", "Mark", NULL});
            want_underlying = c >= 0 ? 2 + c : 0;
            continue;
        }
        if (want_underlying >= 2) {
            double v;
            if (gex__cell_number(r, f, n, want_underlying - 2, &v) == 0 && v > 0)
                spot = v;
            want_underlying = 0;
            continue;
        }
        int32_t e;
        double m;
        if (section(line, &e, &m) == 0) {
            exp = e;
            mult = m;
            in_section = 1; /* its header comes next */
            continue;
        }
        if (in_section == 1) {
            memcpy(h, f, n * sizeof *f);
            nh = n;
            c_strike = gex__column(h, nh, (const char *const[]){"Strike", NULL});
            c_exp = gex__column(h, nh, (const char *const[]){"Exp", NULL});
            if (c_strike < 0)
                return gex_error_set(r->err, GEX_EFORMAT, r->name, lineno, 0,
                                     "a thinkorswim section header without a Strike column");
            size_t mid = (size_t)(c_exp >= 0 && c_exp < c_strike ? c_exp : c_strike);
            side[0] = side_columns(h, 0, mid);
            side[1] = side_columns(h, (size_t)c_strike + 1, nh);
            if (side[0].oi < 0 || side[1].oi < 0)
                return gex_error_set(
                    r->err, GEX_EFORMAT, r->name, lineno, 0,
                    "a thinkorswim option chain export without an Open.Int column for calls "
                    "and puts: GEX is open interest times gamma and cannot be computed from "
                    "this file; add Open Interest to the option chain's columns in "
                    "thinkorswim (Customize) and export again");
            in_section = 2;
            continue;
        }
        if (in_section != 2)
            continue;
        if (gex__span_is(f[c_strike < (int)n ? c_strike : 0], "Strike"))
            continue; /* a repeated header */
        r->rep->rows++;
        double strike;
        char what[160];
        if (gex__cell_number(r, f, n, c_strike, &strike) != 0 || !(strike > 0) ||
            strike > GEX_PRICE_MAX) {
            gex__cell_said(what, sizeof what, h, f, n, c_strike, "is not a positive number");
            SKIP(GEX_SKIP_BAD_STRIKE, c_strike + 1, what);
        }
        for (int s = 0; s < 2; s++) {
            const side_cols *c = &side[s];
            gex_contract k = {.type = s == 0 ? GEX_CALL : GEX_PUT,
                              .strike = strike,
                              .expiration = exp,
                              .multiplier = mult,
                              .line = lineno};
            const gex__cell_want numbers[] = {
                {c->bid, &k.bid},           {c->ask, &k.ask}, {c->last, &k.last},
                {c->volume, &k.volume},     {c->iv, &k.iv},   {c->delta, &k.vendor_delta},
                {c->gamma, &k.vendor_gamma}};
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
            k.iv = k.iv > 0 ? k.iv / 100.0 : (double)NAN; /* percent */
            if (sym_len == 0 && r->opt->symbol == NULL)
                return gex_error_set(r->err, GEX_EPARSE, r->name, 1, 0,
                                     "the thinkorswim export's first line does not name the "
                                     "underlying (\"... for SYMBOL on DATE TIME\"); pass --symbol");
            const char *u = sym_len > 0 ? sym : r->opt->symbol;
            size_t ul = sym_len > 0 ? sym_len : strlen(u);
            int rc = gex__reader_add(r, u, ul, u, ul, &k, spot);
            if (rc != GEX_OK)
                return gex__reader_add_failed(r, rc, lineno);
        next_side:;
        }
    next:;
    }
    if (r->rep->contracts > 0 && side[0].iv >= 0)
        r->rep->iv_percent_rescaled = 1;
    if (!r->has_time && r->time_note[0] == '\0') {
        r->time_note_line = 1;
        snprintf(r->time_note, sizeof r->time_note,
                 "the thinkorswim export's first line carries no \"on M/D/YY HH:MM:SS\"; pass "
                 "--now");
    }
    return GEX_OK;
}
