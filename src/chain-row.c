/*
 * What every chain format's reader shares, row by row (chain-csv.c, chain-json.c, under the
 * entry points of chain-read.c): OCC symbols, the underlying of a root, expirations through the
 * reader's cache, the quote instant, the bad-row policy, and appending a contract (the --symbol
 * filter, the interning of underlying and root, the multiplier override). The bottom of the
 * readers: it calls nothing above it, only the chain storage (chain.c) and gex/time.h.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gex/option.h"
#include "gex/time.h"
#include "chain-internal.h"
#include "chain-row-internal.h"
#include "error-internal.h"
#include "memory-internal.h"
#include "time-internal.h"

/* SPEC 1.1: a quote date without a time of day is the close, 16:00 New York time. */
#define CLOSE_SECONDS_OF_DAY (16 * 3600)

/* --- OCC symbols --- */

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* OCC Options Symbology Initiative (2010): root (1-6 characters, space-padded to 6 in the
 * 21-character form), YYMMDD, C or P, strike x 1000 in 8 digits. Polygon prefixes "O:". */
enum { OCC_TAIL = 15, OCC_ROOT_MAX = 6 };

/* Strips the "O:" prefix; the tail (the last OCC_TAIL bytes) follows the root. */
static int occ_split(const char **s, size_t *len)
{
    if (*len >= 2 && (*s)[0] == 'O' && (*s)[1] == ':') {
        *s += 2;
        *len -= 2;
    }
    return *len > OCC_TAIL ? 0 : -1;
}

int gex__occ_root(const char *s, size_t len, gex__occ *out)
{
    if (occ_split(&s, &len) != 0)
        return -1;
    size_t n = len - OCC_TAIL;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0 || n > OCC_ROOT_MAX)
        return -1;
    /* ASCII letters and digits, whatever the caller's locale (isalnum and toupper in the "C"
     * locale, without a call per byte). */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        unsigned char up = (unsigned char)(ch >= 'a' && ch <= 'z' ? ch - ('a' - 'A') : ch);
        if (!((up >= 'A' && up <= 'Z') || (ch >= '0' && ch <= '9')))
            return -1;
        out->root[i] = (char)up;
    }
    out->root[n] = '\0';
    out->root_len = n;
    return 0;
}

int gex__occ_decode(const char *s, size_t len, gex__occ *out)
{
    gex__occ o;
    if (gex__occ_root(s, len, &o) != 0 || occ_split(&s, &len) != 0)
        return -1;
    const char *t = s + len - OCC_TAIL;
    if (!all_digits(t, 6) || !all_digits(t + 7, 8))
        return -1;
    if (t[6] == 'C' || t[6] == 'c')
        o.type = GEX_CALL;
    else if (t[6] == 'P' || t[6] == 'p')
        o.type = GEX_PUT;
    else
        return -1;
    int year = 2000 + digits_value(t, 2), month = digits_value(t + 2, 2),
        day = digits_value(t + 4, 2);
    if (!gex_time_valid_date(year, month, day))
        return -1;
    long strike_milli = 0;
    for (int i = 0; i < 8; i++)
        strike_milli = strike_milli * 10 + (t[7 + i] - '0');
    if (strike_milli <= 0)
        return -1;
    o.expiration = gex_time_days_from_civil(year, month, day);
    o.strike = (double)strike_milli / 1000.0;
    *out = o;
    return 0;
}

size_t gex__root_underlying(const char *root, size_t len, char *out)
{
    /* Index option roots that trade under another name than their index (Cboe and Nasdaq
     * product specifications): SPXW and SPXPM (S&P 500 weeklies and PM-settled), NDXP
     * (Nasdaq-100 PM-settled), RUTW (Russell 2000 weeklies), VIXW (VIX weeklies). */
    static const char *const map[][2] = {
        {"SPXW", "SPX"}, {"SPXPM", "SPX"}, {"NDXP", "NDX"}, {"RUTW", "RUT"}, {"VIXW", "VIX"},
    };
    if (len > GEX__FIELD_MAX)
        len = GEX__FIELD_MAX;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strlen(map[i][0]) == len && strncasecmp(map[i][0], root, len) == 0) {
            size_t n = strlen(map[i][1]);
            memcpy(out, map[i][1], n + 1);
            return n;
        }
    }
    for (size_t i = 0; i < len; i++)
        out[i] = (char)toupper((unsigned char)root[i]);
    out[len] = '\0';
    return len;
}

/* --- dates and the quote instant --- */

/* "13-09-22", "14-09-2023": day, month and a year (two digits: of this century) joined by
 * dashes, as a European spreadsheet (Dutch, Danish, Portuguese locales) writes a date when it
 * saves a CBOE CSV again. gex_time_parse_date reads neither; a dash-separated one is read in
 * this order only, because US spreadsheets write month-first dates with slashes ("9/13/22").
 * 0 or -1. */
static int european_short_date(const char *s, size_t len, int32_t *day)
{
    int part[3] = {0, 0, 0};
    size_t digits[3] = {0, 0, 0}, k = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '-' && k < 2 && digits[k] > 0) {
            k++;
        } else if (s[i] >= '0' && s[i] <= '9' && digits[k] < (k == 2 ? 4u : 2u)) {
            part[k] = part[k] * 10 + (s[i] - '0');
            digits[k]++;
        } else {
            return -1;
        }
    }
    const int year = digits[2] == 4 ? part[2] : 2000 + part[2];
    if (k != 2 || (digits[2] != 2 && digits[2] != 4) ||
        !gex_time_valid_date(year, part[1], part[0]))
        return -1;
    *day = gex_time_days_from_civil(year, part[1], part[0]);
    return 0;
}

int gex__read_expiration(gex__reader *r, const char *s, size_t len, int32_t *day)
{
    if (len > GEX__FIELD_MAX || len == 0)
        return -1;
    if (len == r->last_exp_len && memcmp(s, r->last_exp, len) == 0) {
        *day = r->last_exp_day;
        return r->last_exp_ok ? 0 : -1;
    }
    memcpy(r->last_exp, s, len);
    r->last_exp_len = len;
    r->last_exp_ok = gex_time_parse_date(s, len, &r->last_exp_day) == GEX_OK ||
                     european_short_date(s, len, &r->last_exp_day) == 0;
    *day = r->last_exp_day;
    return r->last_exp_ok ? 0 : -1;
}

int gex__read_quote_time(gex__reader *r, const char *s, size_t len, int zone_default, long line)
{
    return gex__read_quote_time_as(r, s, len, s, len, zone_default, line);
}

static int bad_time(gex__reader *r, const char *s, size_t len, long line, int rc,
                    const char *problem);

int gex__read_quote_time_as(gex__reader *r, const char *text, size_t text_len, const char *s,
                            size_t len, int zone_default, long line)
{
    int64_t utc;
    gex_instant_info info;
    int rc = gex_time_parse_instant(text, text_len, zone_default, &utc, &info);
    /* A date, or a midnight without a zone where such a time is New York's (pandas' dates:
     * gex_time_instant_is_day); a layout whose zoneless times are UTC (CBOE JSON, IBKR) keeps
     * its midnight: 20:00 New York the day before. */
    if (rc == GEX_OK && gex_time_instant_is_day(&info, utc, zone_default)) {
        /* A date alone: the close of that New York day (utc is its local midnight). */
        int64_t local = utc + info.utc_offset_s;
        int64_t day = local / GEX_SECONDS_PER_DAY - (local % GEX_SECONDS_PER_DAY < 0);
        utc = gex_time_eastern_to_utc((int32_t)day, CLOSE_SECONDS_OF_DAY);
    }
    if (rc == GEX_OK && (utc < GEX_TIME_FIRST_UTC || utc > GEX_TIME_LAST_UTC)) {
        rc = GEX_EPARSE; /* what --now refuses (gex_time_parse_now): no time to expiry from it */
        info.problem = GEX__TIME_RANGE_PROBLEM;
    }
    if (rc == GEX_OK) {
        gex__note_time(r, (double)utc, s, len, line);
        return 0;
    }
    return bad_time(r, s, len, line, rc, info.problem);
}

void gex__note_time(gex__reader *r, double utc, const char *s, size_t len, long line)
{
    if (!(utc >= (double)GEX_TIME_FIRST_UTC && utc <= (double)GEX_TIME_LAST_UTC)) {
        bad_time(r, s, len, line, GEX_EPARSE, GEX__TIME_RANGE_PROBLEM);
        return;
    }
    const int64_t t = (int64_t)utc;
    r->row_time = t;
    r->row_has_time = 1;
    if (r->has_time && t != r->time)
        r->time_varies = 1;
    if (!r->has_time || t > r->time)
        r->time = t;
    r->has_time = 1;
}

/* A row's quote time, the cell s of len bytes at line, that cannot be read (rc: GEX_ENOTIME for
 * a date without a year, else GEX_EPARSE with problem, a static text, or NULL): counted, the
 * first kept for finish's message, and the note that says why the file has no quote instant.
 * Returns -1. */
static int bad_time(gex__reader *r, const char *s, size_t len, long line, int rc,
                    const char *problem)
{
    int shown = len > 60 ? 60 : (int)len;
    if (r->bad_times++ == 0) {
        r->bad_time_line = line;
        snprintf(r->bad_time_text, sizeof r->bad_time_text, "%.*s", shown, s);
        r->bad_time_problem = problem;
    }
    if (r->time_note[0] != '\0')
        return -1;
    r->time_note_line = line;
    if (rc == GEX_ENOTIME)
        snprintf(r->time_note, sizeof r->time_note,
                 "the date \"%.*s\" has no year, so the quote instant is unknown; pass --now",
                 shown, s);
    else if (problem != NULL) /* what --now with the same text would say */
        snprintf(r->time_note, sizeof r->time_note,
                 "the date \"%.*s\" cannot be read (%s), so the quote instant is unknown; pass "
                 "--now",
                 shown, s, problem);
    else
        snprintf(r->time_note, sizeof r->time_note,
                 "the date \"%.*s\" cannot be read, so the quote instant is unknown; pass --now",
                 shown, s);
    return -1;
}

void gex__reader_warn(gex__reader *r, const char *fmt, ...)
{
    char *w = r->rep->warning;
    size_t used = strlen(w), size = sizeof r->rep->warning;
    if (used + 3 >= size)
        return;
    if (used > 0) {
        memcpy(w + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    gex__vsnprintf_c(w + used, size - used, fmt, ap);
    va_end(ap);
}

void gex__reader_bad_spot(gex__reader *r, long line, const char *what, const char *s, size_t len,
                          double x)
{
    if (r->bad_spot[0] != '\0')
        return;
    char why[64];
    if (len == 0)
        snprintf(why, sizeof why, "empty");
    else if (isnan(x))
        snprintf(why, sizeof why, "not a number");
    else if (!(x > 0))
        snprintf(why, sizeof why, "not positive");
    else if (x > GEX_PRICE_MAX)
        gex__snprintf_c(why, sizeof why, "above the plausible %g", GEX_PRICE_MAX);
    else
        gex__snprintf_c(why, sizeof why, "below the plausible %.6f", GEX_PRICE_MIN);
    snprintf(r->bad_spot, sizeof r->bad_spot, "%s \"%.*s%s\" is %s", what,
             (int)(len < 40 ? len : 40), s, len > 40 ? "..." : "", why);
    for (char *c = r->bad_spot; *c != '\0'; c++) /* the message stays printable */
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
            *c = '?';
    r->bad_spot_line = line;
}

/* --- the bad-row policy --- */

int gex__reader_skip(gex__reader *r, gex_skip_reason reason, long line, long column,
                     const char *what)
{
    if (r->opt->strict) {
        r->failed = 1;
        return gex_error_set(r->err, GEX_EPARSE, r->name, line, column,
                             "%s; fix the row, or read without --strict to skip bad rows", what);
    }
    if (r->rep->skipped[reason]++ == 0)
        r->rep->first_line[reason] = line;
    if (r->first_bad_line == 0 || (line > 0 && line < r->first_bad_line)) {
        r->first_bad_line = line > 0 ? line : -1;
        snprintf(r->first_bad, sizeof r->first_bad, "%s", what);
    }
    gex__reader_drop_row(r); /* the row's counts are not a kept contract's */
    return GEX_OK;
}

int gex__reader_skip_of(gex__reader *r, const char *u, size_t u_len, gex_skip_reason reason,
                        long line, long column, const char *what)
{
    const char *want = r->opt->symbol;
    if (want != NULL && u_len > 0 &&
        !(strlen(want) == u_len && gex__strncasecmp_ascii(want, u, u_len) == 0)) {
        r->rep->other_symbol++;
        gex__reader_drop_row(r);
        return GEX_OK;
    }
    return gex__reader_skip(r, reason, line, column, what);
}

void gex__reader_drop_row(gex__reader *r)
{
    r->seen_oi = r->missing_oi;
    r->seen_weekly = r->weekly_roots;
}

/* No instant: a row of a file without quote times. */
#define NO_INSTANT INT64_MIN

/* A mark's bits: the contract has no open interest; it is an index weekly without a root. */
enum { MARK_OI = 1, MARK_WEEKLY = 2 };

/* Appends contract i's mark to the list; GEX_OK or GEX_ENOMEM. */
static int push_mark(gex__reader *r, size_t i, unsigned bits)
{
    if (r->n_marks == r->mark_cap) {
        const size_t cap = r->mark_cap > 0 ? 2 * r->mark_cap : 256;
        if (gex__realloc_array(&r->mark_at, cap, sizeof *r->mark_at) != GEX_OK ||
            gex__realloc_array(&r->mark_bits, cap, sizeof *r->mark_bits) != GEX_OK)
            return GEX_ENOMEM;
        r->mark_cap = cap;
    }
    r->mark_at[r->n_marks] = (uint32_t)i;
    r->mark_bits[r->n_marks++] = (uint8_t)bits;
    return GEX_OK;
}

/* The warnings' counts of the contract just kept (the readers counted them on its row), added
 * to kept_oi and kept_weekly and marked. */
static int take_marks(gex__reader *r)
{
    const unsigned m = (r->missing_oi != r->seen_oi ? MARK_OI : 0U) |
                       (r->weekly_roots != r->seen_weekly ? MARK_WEEKLY : 0U);
    r->seen_oi = r->missing_oi;
    r->seen_weekly = r->weekly_roots;
    if (m == 0)
        return GEX_OK;
    r->kept_oi += (m & MARK_OI) != 0;
    r->kept_weekly += (m & MARK_WEEKLY) != 0;
    return push_mark(r, r->chain->n - 1, m);
}

int gex__reader_marks_append(gex__reader *to, const gex__reader *from, size_t offset)
{
    for (size_t k = 0; k < from->n_marks; k++)
        if (push_mark(to, offset + from->mark_at[k], from->mark_bits[k]) != GEX_OK)
            return GEX_ENOMEM;
    return GEX_OK;
}

void gex__reader_marks_drop(gex__reader *r, const uint8_t *drop)
{
    size_t oi = 0, weekly = 0, kept = 0, before = 0, next = 0;
    for (size_t k = 0; k < r->n_marks; k++) {
        const size_t i = r->mark_at[k];
        if (drop != NULL) {
            while (next < i) /* contracts before i that go */
                before += drop[next++] != 0;
            if (drop[i])
                continue;
        }
        oi += (r->mark_bits[k] & MARK_OI) != 0;
        weekly += (r->mark_bits[k] & MARK_WEEKLY) != 0;
        r->mark_at[kept] = (uint32_t)(i - before);
        r->mark_bits[kept++] = r->mark_bits[k];
    }
    r->n_marks = kept;
    r->kept_oi = oi;
    r->kept_weekly = weekly;
}

/* A row left out by --symbol: its counts are dropped and its instant noted, so that the
 * snapshots are cut over every row's instant, whatever --symbol keeps. */
static int note_other_row(gex__reader *r)
{
    gex__reader_drop_row(r);
    if (!r->row_has_time || !r->snapshot_rows ||
        (r->other_n > 0 && r->other_time[r->other_n - 1] == r->row_time))
        return GEX_OK;
    if (r->other_n == r->other_cap) {
        size_t cap = r->other_cap > 0 ? 2 * r->other_cap : 64;
        if (gex__realloc_array(&r->other_time, cap, sizeof *r->other_time) != GEX_OK)
            return GEX_ENOMEM;
        r->other_cap = cap;
    }
    r->other_time[r->other_n++] = r->row_time;
    return GEX_OK;
}

/* Notes the instant and spot of the contract just added (the chain's last). Nothing is stored
 * while every contract has the first one's instant (a file of one snapshot: the usual case). */
static int track_snapshot(gex__reader *r, double spot)
{
    size_t i = r->chain->n - 1;
    int64_t t = r->row_has_time && r->snapshot_rows ? r->row_time : NO_INSTANT;
    r->untimed += t == NO_INSTANT;
    if (i == 0 || t < r->snap_min)
        r->snap_min = t;
    if (i == 0 || t > r->snap_max)
        r->snap_max = t;
    if (r->snap_time == NULL) {
        if (i == 0)
            r->first_instant = t;
        if (i == 0 || t == r->first_instant)
            return GEX_OK;
    }
    if (i >= r->snap_cap) {
        size_t cap = r->snap_cap > 0 ? 2 * r->snap_cap : (i + 1 > 1024 ? 2 * (i + 1) : 1024);
        if (gex__realloc_array(&r->snap_time, cap, sizeof *r->snap_time) != GEX_OK ||
            gex__realloc_array(&r->snap_spot, cap, sizeof *r->snap_spot) != GEX_OK)
            return GEX_ENOMEM;
        if (r->snap_cap == 0) {
            /* The contracts so far are of the first instant, and their spot the first. */
            for (size_t j = 0; j < i; j++) {
                r->snap_time[j] = r->first_instant;
                r->snap_spot[j] = r->chain->sym_spot[r->chain->underlying[j]];
            }
        }
        r->snap_cap = cap;
    }
    r->snap_time[i] = t;
    r->snap_spot[i] = spot > 0 && isfinite(spot) ? spot : (double)NAN;
    return GEX_OK;
}

/* Whether a name read from a file can name an underlying or root: printable ASCII only. A
 * control byte or one outside ASCII (a file's damage, a JSON escape) would reach every document
 * gex prints, and JSON takes no text that is not UTF-8. */
static int printable_name(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

/* The bad-row policy for a row whose underlying or root is no such name. */
static int skip_unprintable(gex__reader *r, const char *what, const char *s, size_t len, long line)
{
    char text[160];
    snprintf(text, sizeof text,
             "the %s \"%.*s\" holds a byte that is not printable ASCII (%zu bytes: a damaged "
             "file?)",
             what, (int)(len < 40 ? len : 40), s, len);
    for (char *c = text; *c != '\0'; c++) /* the message itself stays printable */
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
            *c = '?';
    return gex__reader_skip(r, GEX_SKIP_BAD_SYMBOL, line, 0, text);
}

int gex__reader_add_failed(gex__reader *r, int rc, long line)
{
    if (r->failed)
        return rc;
    return gex_error_set(r->err, rc, r->name, line, 0, "cannot store the contract: %s",
                         gex_strerror(rc));
}

int gex__reader_currency(gex__reader *r, const char code[4], long line)
{
    if (r->currency[0] == '\0') {
        memcpy(r->currency, code, sizeof r->currency);
        return GEX_OK;
    }
    if (memcmp(r->currency, code, sizeof r->currency) == 0)
        return GEX_OK;
    r->failed = 1;
    return gex_error_set(r->err, GEX_EPARSE, r->name, line, 0,
                         "currency %s differs from the %s of the rows before it: a file's amounts "
                         "are summed in one currency and gex converts none; split the file by "
                         "currency",
                         code, r->currency);
}

/* The bad-row policy for a row whose underlying or root is longer than a name may be: a
 * file's damage (or a name no venue gives) is one bad row, as for the CSV reader's column. */
static int skip_too_long(gex__reader *r, const char *u, size_t u_len, const char *what,
                         const char *s, size_t len, long line)
{
    char text[192];
    snprintf(text, sizeof text,
             "the %s \"%.*s...\" is %zu bytes long, longer than the %d a name may hold", what, 24,
             s, len, GEX__FIELD_MAX);
    for (char *c = text; *c != '\0'; c++) /* the message itself stays printable */
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
            *c = '?';
    return gex__reader_skip_of(r, u, u_len, GEX_SKIP_BAD_SYMBOL, line, 0, text);
}

int gex__reader_add(gex__reader *r, const char *u, size_t u_len, const char *root, size_t root_len,
                    gex_contract *k, double spot)
{
    if (u_len > GEX__FIELD_MAX)
        return skip_too_long(r, u, u_len, "underlying", u, u_len, k->line);
    if (root_len > GEX__FIELD_MAX)
        return skip_too_long(r, u, u_len, "root", root, root_len, k->line);
    /* The lower bound of strikes and spots (the readers hold them to the upper one). */
    if (k->strike < GEX_PRICE_MIN || (spot > 0 && spot < GEX_PRICE_MIN)) {
        char what[128];
        gex__snprintf_c(what, sizeof what, "the %s %g is below the plausible %.6f",
                        k->strike < GEX_PRICE_MIN ? "strike" : "spot",
                        k->strike < GEX_PRICE_MIN ? k->strike : spot, GEX_PRICE_MIN);
        return gex__reader_skip_of(
            r, u, u_len, k->strike < GEX_PRICE_MIN ? GEX_SKIP_BAD_STRIKE : GEX_SKIP_BAD_NUMBER,
            k->line, 0, what);
    }
    /* The upper bounds of the quotes, the spot, the volume and the vendor's greeks (SPEC 2.5),
     * for every layout alike (a volume of 1e308 in a Deribit file overflowed the output, a
     * vendor gamma of 1e300 validate's sums); the CSV and JSON readers hold most cells to them
     * already, naming the column. */
    const struct {
        const char *name;
        double value, max;
    } bound[] = {{"bid", fabs(k->bid), GEX_PRICE_MAX},
                 {"ask", fabs(k->ask), GEX_PRICE_MAX},
                 {"last price", fabs(k->last), GEX_PRICE_MAX},
                 {"spot", spot, GEX_PRICE_MAX},
                 {"volume", k->volume, GEX_CONTRACTS_MAX},
                 {"vendor delta", fabs(k->vendor_delta), GEX_GREEK_MAX},
                 {"vendor gamma", fabs(k->vendor_gamma), GEX_GREEK_MAX}};
    for (size_t b = 0; b < sizeof bound / sizeof bound[0]; b++)
        if (bound[b].value > bound[b].max) { /* false for NAN: no value */
            char what[128];
            gex__snprintf_c(what, sizeof what, "the %s %g is above the plausible %g", bound[b].name,
                            bound[b].value, bound[b].max);
            return gex__reader_skip_of(r, u, u_len, GEX_SKIP_BAD_NUMBER, k->line, 0, what);
        }
    /* The underlying of consecutive rows is usually the same: one comparison per row. */
    if (u_len != r->last_u_len || r->last_u[0] == '\0' ||
        (memcmp(u, r->last_u, u_len) != 0 && strncasecmp(u, r->last_u, u_len) != 0)) {
        if (!printable_name(u, u_len))
            return skip_unprintable(r, "underlying", u, u_len, k->line);
        char up[GEX__FIELD_MAX + 1];
        for (size_t i = 0; i < u_len; i++)
            up[i] = (char)toupper((unsigned char)u[i]);
        up[u_len] = '\0';
        r->last_u_keep = r->opt->symbol == NULL || strcasecmp(r->opt->symbol, up) == 0;
        if (r->last_u_keep) {
            int rc = gex__chain_intern(r->chain, up, u_len, &r->last_u_index);
            if (rc != GEX_OK)
                return rc;
        }
        memcpy(r->last_u, up, u_len + 1);
        r->last_u_len = u_len;
    }
    if (!r->last_u_keep) {
        r->rep->other_symbol++;
        return note_other_row(r);
    }
    uint32_t ri = r->last_u_index;
    if (root_len > 0 && (root_len != u_len || memcmp(root, r->last_u, u_len) != 0)) {
        if (root_len == r->last_root_len && memcmp(root, r->last_root, root_len) == 0) {
            ri = r->last_root_index;
        } else {
            if (!printable_name(root, root_len))
                return skip_unprintable(r, "root", root, root_len, k->line);
            char up[GEX__FIELD_MAX + 1];
            for (size_t i = 0; i < root_len; i++)
                up[i] = (char)toupper((unsigned char)root[i]);
            int rc = gex__chain_intern(r->chain, up, root_len, &ri);
            if (rc != GEX_OK)
                return rc;
            memcpy(r->last_root, root, root_len);
            r->last_root_len = root_len;
            r->last_root_index = ri;
        }
    }
    /* The first spot of an underlying is its spot; finish() gives it to every contract. */
    if (spot > 0 && isfinite(spot) && isnan(r->chain->sym_spot[r->last_u_index]))
        r->chain->sym_spot[r->last_u_index] = spot;
    if (r->opt->multiplier > 0 && isfinite(r->opt->multiplier))
        k->multiplier = r->opt->multiplier;
    int rc = gex__chain_add_interned(r->chain, r->last_u_index, ri, k);
    if (rc == GEX_OK) {
        r->rep->contracts++;
        /* The row's own spot (NAN when it has none), compared with its underlying's by
         * finish(), which then gives every contract the underlying's. */
        const double own = spot > 0 && isfinite(spot) ? spot : (double)NAN;
        r->chain->spot[r->chain->n - 1] = own;
        gex__read_checks_add(&r->checks, k->iv, own, r->chain->sym_spot[r->last_u_index]);
    }
    if (rc == GEX_OK)
        rc = take_marks(r);
    if (rc == GEX_OK)
        rc = track_snapshot(r, spot);
    return rc;
}

/* --- whole-text layouts --- */

int gex__next_line(const char *text, size_t len, size_t *pos, gex__span *line)
{
    if (*pos >= len)
        return 0;
    const char *s = text + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t n = nl != NULL ? (size_t)(nl - s) : len - *pos;
    *pos += n + (nl != NULL);
    if (n > 0 && s[n - 1] == '\r')
        n--;
    line->s = s;
    line->len = n;
    return 1;
}

static gex__span span_trim(gex__span f)
{
    while (f.len > 0 && (f.s[0] == ' ' || f.s[0] == '\t')) {
        f.s++;
        f.len--;
    }
    while (f.len > 0 && (f.s[f.len - 1] == ' ' || f.s[f.len - 1] == '\t' || f.s[f.len - 1] == '\r'))
        f.len--;
    return f;
}

size_t gex__split_fields(gex__span line, char sep, gex__span *fields, size_t max)
{
    size_t n = 0, i = 0;
    const char *s = line.s;
    size_t len = line.len;
    for (;;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        gex__span f;
        if (i < len && s[i] == '"') {
            size_t start = ++i;
            while (i < len && !(s[i] == '"' && (i + 1 >= len || s[i + 1] != '"')))
                i += s[i] == '"' ? 2 : 1;
            f = (gex__span){s + start, (i < len ? i : len) - start};
            if (i < len)
                i++;
            while (i < len && s[i] != sep)
                i++;
        } else {
            size_t start = i;
            while (i < len && s[i] != sep)
                i++;
            f = (gex__span){s + start, i - start};
        }
        if (n < max)
            fields[n] = span_trim(f);
        n++;
        if (i >= len)
            break;
        i++; /* the separator */
    }
    return n;
}

size_t gex__header_fields(const char *text, size_t len, size_t offset, gex__span *h, size_t max,
                          size_t *pos)
{
    gex__span line;
    *pos = offset;
    gex__next_line(text, len, pos, &line);
    const size_t n = gex__split_fields(line, ',', h, max);
    return n < max ? n : max;
}

int gex__span_is(gex__span f, const char *text)
{
    size_t n = strlen(text);
    return f.len == n && gex__strncasecmp_ascii(f.s, text, n) == 0;
}

/* The longest number text gex__read_loose takes (after grouping commas are removed). */
#define LOOSE_NUMBER_MAX 64

/* Whether the integer part s[0..len) (digits, and commas between digits) groups its digits as
 * SPEC 2.8 allows: no comma, Western groups of three ("4,025", "1,234,567"), or Indian ones,
 * the last three and the others two ("3,52,725"). Any other comma ("9,5", "1,2,3") is not
 * grouping: a decimal comma read as one would make the value ten to a thousand times larger. */
static int grouping_ok(const char *s, size_t len)
{
    size_t group[LOOSE_NUMBER_MAX + 1], n = 0, run = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ',') {
            run++;
            continue;
        }
        if (n == LOOSE_NUMBER_MAX)
            return 0;
        group[n++] = run;
        run = 0;
    }
    if (n == 0)
        return 1;
    group[n++] = run;
    int western = group[0] <= 3, indian = group[0] <= 2;
    for (size_t g = 1; g < n; g++) {
        western &= group[g] == 3;
        indian &= group[g] == (g + 1 == n ? 3u : 2u);
    }
    return western || indian;
}

int gex__read_loose(const gex__reader *r, gex__span f, double *v)
{
    if (gex__is_missing(f.s, f.len) || gex__span_is(f, "<empty>")) {
        *v = (double)NAN;
        return 0;
    }
    char buf[LOOSE_NUMBER_MAX + 1];
    size_t n = 0, i = 0, len = f.len;
    if (len > 0 && f.s[len - 1] == '%')
        len--;
    if (i < len && f.s[i] == '+')
        i++;
    size_t int_from = i < len && f.s[i] == '-' ? i + 1 : i, int_to = int_from;
    while (int_to < len && f.s[int_to] != '.' && f.s[int_to] != 'e' && f.s[int_to] != 'E')
        int_to++;
    if (memchr(f.s + int_from, ',', int_to - int_from) != NULL &&
        !grouping_ok(f.s + int_from, int_to - int_from))
        return -1;
    int in_fraction = 0;
    for (; i < len; i++) {
        char ch = f.s[i];
        if (ch == ',') {
            /* Grouping: between two digits of the integer part only. */
            if (in_fraction || n == 0 || i + 1 >= len || buf[n - 1] < '0' || buf[n - 1] > '9' ||
                f.s[i + 1] < '0' || f.s[i + 1] > '9')
                return -1;
            continue;
        }
        if (ch == '.' || ch == 'e' || ch == 'E')
            in_fraction = 1;
        if (n >= LOOSE_NUMBER_MAX)
            return -1;
        buf[n++] = ch;
    }
    buf[n] = '\0';
    if (n == 0)
        return -1;
    return gex__decimal_parse(buf, n, r->c_locale, v) == 0 && isfinite(*v) ? 0 : -1;
}

/* A date of the form YYYY-MM-DD or DD-Mon-YYYY at the start of s (len bytes). */
static int name_date_at(const char *s, size_t len, int32_t *day)
{
    if (len >= 10 && all_digits(s, 4) && s[4] == '-' && all_digits(s + 5, 2) && s[7] == '-' &&
        all_digits(s + 8, 2)) {
        int y = digits_value(s, 4), m = digits_value(s + 5, 2), d = digits_value(s + 8, 2);
        if (!gex_time_valid_date(y, m, d))
            return -1;
        *day = gex_time_days_from_civil(y, m, d);
        return 0;
    }
    size_t dl = len >= 1 && s[0] >= '0' && s[0] <= '9' ? 1 : 0;
    if (dl == 1 && len >= 2 && s[1] >= '0' && s[1] <= '9')
        dl = 2;
    if (dl == 0 || len < dl + 9 || s[dl] != '-' || s[dl + 4] != '-' || !all_digits(s + dl + 5, 4))
        return -1;
    int m = gex_time_month_from_name(s + dl + 1, 3);
    int y = digits_value(s + dl + 5, 4), d = digits_value(s, dl);
    if (m == 0 || !gex_time_valid_date(y, m, d))
        return -1;
    *day = gex_time_days_from_civil(y, m, d);
    return 0;
}

int gex__name_expiration(const char *name, int32_t *day)
{
    if (name == NULL)
        return -1;
    const char *base = strrchr(name, '/');
    base = base != NULL ? base + 1 : name;
    size_t len = strlen(base);
    for (size_t i = 0; i + 4 <= len; i++) {
        size_t from;
        if (gex__strncasecmp_ascii(base + i, "exp", 3) == 0 &&
            (base[i + 3] == '-' || base[i + 3] == '_') &&
            (i == 0 || !isalpha((unsigned char)base[i - 1])))
            from = i + 4;
        else if (strncmp(base + i, "-ED-", 4) == 0) {
            /* NSE: option-chain-ED-SYMBOL-DD-Mon-YYYY */
            const char *dash = memchr(base + i + 4, '-', len - i - 4);
            if (dash == NULL)
                continue;
            from = (size_t)(dash - base) + 1;
        } else
            continue;
        if (name_date_at(base + from, len - from, day) == 0)
            return 0;
    }
    return -1;
}

void gex__settle_utc(gex__reader *r, size_t from, int seconds_utc)
{
    gex_chain *c = r->chain;
    for (size_t i = from; i < c->n; i++)
        c->settlement[i] = (int64_t)c->expiration[i] * GEX_SECONDS_PER_DAY + seconds_utc;
}

int gex__column(const gex__span *f, size_t n, const char *const *names)
{
    for (const char *const *name = names; *name != NULL; name++)
        for (size_t i = 0; i < n; i++)
            if (gex__span_is(f[i], *name))
                return (int)i;
    return -1;
}

/* The value of a column (-1: absent, NAN) through gex__read_loose; -1 when the cell is not a
 * number. */
int gex__cell_number(const gex__reader *r, const gex__span *f, size_t n, int col, double *v)
{
    if (col < 0 || (size_t)col >= n) {
        *v = (double)NAN;
        return 0;
    }
    return gex__read_loose(r, f[col], v);
}

void gex__cell_said(char *what, size_t size, const gex__span *h, const gex__span *f, size_t n,
                    int col, const char *why)
{
    const gex__span name = col >= 0 ? h[col] : (gex__span){"", 0};
    const gex__span v = col >= 0 && (size_t)col < n ? f[col] : (gex__span){"", 0};
    snprintf(what, size, "%.*s \"%.*s%s\" %s", (int)(name.len < 40 ? name.len : 40), name.s,
             (int)(v.len < 40 ? v.len : 40), v.s, v.len > 40 ? "..." : "", why);
    for (char *c = what; *c != '\0'; c++) /* the message stays printable */
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
            *c = '?';
}

void gex__cell_of_side(char *what, size_t size, int type)
{
    const char *side = type == GEX_CALL ? "the call side's " : "the put side's ";
    const size_t n = strlen(side), len = strnlen(what, size - 1);
    if (size <= n)
        return;
    const size_t kept = len < size - 1 - n ? len : size - 1 - n;
    memmove(what + n, what, kept);
    memcpy(what, side, n);
    what[n + kept] = '\0';
}

int gex__cell_numbers(const gex__reader *r, const gex__span *h, const gex__span *f, size_t n,
                      const gex__cell_want *cells, size_t count, char *what, size_t size)
{
    for (size_t i = 0; i < count; i++)
        if (gex__cell_number(r, f, n, cells[i].col, cells[i].v) != 0) {
            gex__cell_said(what, size, h, f, n, cells[i].col, "is not a number");
            return cells[i].col;
        }
    return -1;
}

int gex__cell_open_interest(gex__reader *r, const gex__span *f, size_t n, int col, gex_contract *k)
{
    if (gex__cell_number(r, f, n, col, &k->open_interest) != 0 || k->open_interest < 0 ||
        k->open_interest > GEX_CONTRACTS_MAX)
        return -1;
    if (isnan(k->open_interest)) {
        k->open_interest = 0;
        r->missing_oi++;
    }
    return 0;
}

/* --- snapshots --- */

/* r->chain made the contracts idx[0..n) of c (the chain read, indexed as r->snap_time; not
 * changed), the snapshot's: a new chain whose spot of each underlying is its first contract's
 * that gives one (none: NAN, which finish() refuses unless --spot), whose instant is the latest
 * of its contracts', and whose report and warnings' counts are its own. GEX_OK, or GEX_ENOMEM
 * (r->chain unchanged). */
static int snapshot_of(gex__reader *r, const gex_chain *c, const uint32_t *idx, size_t n)
{
    gex_chain *sub = NULL;
    int rc = gex_chain_extract(c, idx, n, &sub);
    double *spot = rc == GEX_OK ? malloc((c->n_sym > 0 ? c->n_sym : 1) * sizeof *spot) : NULL;
    if (rc == GEX_OK && spot == NULL)
        rc = GEX_ENOMEM;
    if (rc != GEX_OK) {
        gex_chain_free(sub);
        return gex_error_set(r->err, rc, r->name, 0, 0, "out of memory");
    }
    for (size_t u = 0; u < c->n_sym; u++)
        spot[u] = (double)NAN;
    int64_t lo = 0, hi = 0;
    for (size_t j = 0; j < n; j++) {
        const uint32_t i = idx[j];
        const uint32_t u = c->underlying[i];
        if (isnan(spot[u]))
            spot[u] = r->snap_spot[i];
        const int64_t t = r->snap_time[i];
        if (j == 0 || t < lo)
            lo = t;
        if (j == 0 || t > hi)
            hi = t;
    }
    /* Its marks: those of its contracts (idx ascending, as the list), at their new places. */
    uint32_t *mark_at = NULL;
    uint8_t *mark_bits = NULL;
    size_t n_marks = 0;
    if (r->n_marks > 0) {
        mark_at = malloc(r->n_marks * sizeof *mark_at);
        mark_bits = malloc(r->n_marks * sizeof *mark_bits);
        if (mark_at == NULL || mark_bits == NULL) {
            free(mark_at);
            free(mark_bits);
            free(spot);
            gex_chain_free(sub);
            return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
        }
        for (size_t j = 0, k = 0; j < n && k < r->n_marks; j++) {
            while (k < r->n_marks && r->mark_at[k] < idx[j])
                k++;
            if (k < r->n_marks && r->mark_at[k] == idx[j]) {
                mark_at[n_marks] = (uint32_t)j;
                mark_bits[n_marks++] = r->mark_bits[k];
            }
        }
    }
    for (size_t j = 0; j < n; j++) {
        const double s = spot[c->underlying[idx[j]]];
        sub->spot[j] = s;
        sub->sym_spot[sub->underlying[j]] = s;
    }
    free(spot);
    r->chain = sub;
    r->checks_stale = 1; /* its spots are the snapshot's */
    r->rep->contracts = n;
    /* the reader's list is the chain read's: r (a copy, or the reader that selects one) takes
     * its own, which gex__snapshot_take's caller frees and gex__snapshots_finish swaps in */
    r->mark_at = mark_at;
    r->mark_bits = mark_bits;
    r->n_marks = r->mark_cap = n_marks;
    gex__reader_marks_drop(r, NULL);
    r->time = hi;
    r->has_time = 1;
    r->time_varies = lo != hi;
    r->in_snapshot = 1;
    return GEX_OK;
}

int gex__snapshot_take(gex__reader *r, const gex_chain *whole, size_t j)
{
    if (j >= r->snap_n || r->snap_order == NULL)
        return gex_error_set(r->err, GEX_EINVAL, r->name, 0, 0, "no snapshot %zu", j);
    return snapshot_of(r, whole, r->snap_order + r->snap_start[j],
                       r->snap_start[j + 1] - r->snap_start[j]);
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void gex__snapshots_free(gex__reader *r)
{
    free(r->snap_time);
    free(r->snap_spot);
    free(r->mark_at);
    free(r->mark_bits);
    free(r->other_time);
    free(r->snap_order);
    free(r->snap_start);
    r->snap_time = NULL;
    r->snap_spot = NULL;
    r->mark_at = NULL;
    r->mark_bits = NULL;
    r->n_marks = r->mark_cap = 0;
    r->other_time = NULL;
    r->snap_order = NULL;
    r->snap_start = NULL;
    r->snap_cap = 0;
    r->other_n = r->other_cap = 0;
}

int gex__snapshots_differ(const gex__reader *const *readers, size_t n)
{
    int64_t lo = 0, hi = 0;
    int any = 0;
    for (size_t k = 0; k < n; k++) {
        const gex__reader *g = readers[k];
        if (g->chain == NULL || g->chain->n == 0)
            continue;
        if (!any || g->snap_min < lo)
            lo = g->snap_min;
        if (!any || g->snap_max > hi)
            hi = g->snap_max;
        any = 1;
    }
    /* Within one gap of each other, every instant is of one snapshot. A missing instant
     * (NO_INSTANT, the smallest) beside a real one makes the span huge: one piece. */
    return any && (uint64_t)hi - (uint64_t)lo >= GEX__SNAPSHOT_GAP;
}

/* Appends ", 2023-01-04T21:00:00Z" for up to shown instants, then ", ..." */
static void list_instants(char *buf, size_t size, const int64_t *last, size_t n, size_t shown)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n && k < shown && used + 32 < size; k++) {
        char iso[40];
        gex_time_format_iso(last[k], iso, sizeof iso);
        used += (size_t)snprintf(buf + used, size - used, "%s%s", k > 0 ? ", " : "", iso);
    }
    if (n > shown && used + 8 < size)
        snprintf(buf + used, size - used, ", ... %s", "");
}

/* How far the instant at is from [from, to], in seconds, without overflow. */
static uint64_t distance(int64_t at, int64_t from, int64_t to)
{
    if (at < from)
        return (uint64_t)from - (uint64_t)at;
    if (at > to)
        return (uint64_t)at - (uint64_t)to;
    return 0;
}

/* The snapshot holding each contract (ranges: first[k] .. last[k] ascending, k of them), as
 * snap_order and snap_start: every contract with an instant has it within one of them; one
 * without (a row before the file's first quote time) is in none, as with --at. */
static int bucket_contracts(gex__reader *r, const int64_t *first, size_t k)
{
    const size_t n = r->chain->n;
    uint32_t *of = malloc((n > 0 ? n : 1) * sizeof *of);
    r->snap_order = malloc((n > 0 ? n : 1) * sizeof *r->snap_order);
    r->snap_start = calloc(k + 1, sizeof *r->snap_start);
    if (of == NULL || r->snap_order == NULL || r->snap_start == NULL) {
        free(of);
        return GEX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        of[i] = UINT32_MAX;
        if (r->snap_time[i] == NO_INSTANT)
            continue;
        /* the last range starting at or before the contract's instant */
        size_t lo = 0, hi = k;
        while (hi - lo > 1) {
            const size_t mid = lo + (hi - lo) / 2;
            if (first[mid] <= r->snap_time[i])
                lo = mid;
            else
                hi = mid;
        }
        of[i] = (uint32_t)lo;
        r->snap_start[lo + 1]++;
    }
    for (size_t j = 0; j < k; j++)
        r->snap_start[j + 1] += r->snap_start[j];
    size_t *at = malloc((k > 0 ? k : 1) * sizeof *at);
    if (at == NULL) {
        free(of);
        return GEX_ENOMEM;
    }
    memcpy(at, r->snap_start, k * sizeof *at);
    for (size_t i = 0; i < n; i++)
        if (of[i] != UINT32_MAX)
            r->snap_order[at[of[i]]++] = (uint32_t)i;
    free(at);
    free(of);
    return GEX_OK;
}

int gex__snapshots_finish(gex__reader *r)
{
    gex_chain *c = r->chain;
    /* The quote instant is that of the contracts kept, every one dated by its row: rows left
     * out by --symbol or skipped as bad do not date the chain. */
    if (c->n > 0 && r->snapshot_rows && r->untimed == 0) {
        r->time = r->snap_max;
        r->time_varies = r->snap_min != r->snap_max;
        r->has_time = 1;
    }
    if (r->snap_time == NULL) {
        /* One snapshot, dated by its rows or by the file once (a CBOE date line, a JSON
         * timestamp): either is the chain's quote instant (gex/chain.h), and --at must reach
         * it. */
        const int dated_rows = r->first_instant != NO_INSTANT;
        r->rep->snapshots = c->n > 0 && (dated_rows || r->has_time);
        const int64_t from = dated_rows ? r->first_instant : r->time;
        if (r->opt->has_at && r->rep->snapshots == 1 &&
            distance(r->opt->at, from, r->time) > GEX__SNAPSHOT_GAP) {
            r->rep->at_missing = 1;
            char iso[40];
            gex_time_format_iso(r->time, iso, sizeof iso);
            return gex_error_set(r->err, GEX_EPARSE, r->name, 0, 0,
                                 "the file holds one snapshot, quoted at %s, not at the --at "
                                 "instant; check --at",
                                 iso);
        }
        /* A file without a quote instant of its own is one snapshot at the instant the caller
         * dates it by (--now): --at must reach that, as it must a dated file's. */
        if (r->opt->has_at && r->opt->has_now && r->rep->snapshots == 0 && c->n > 0 &&
            distance(r->opt->at, r->opt->now, r->opt->now) > GEX__SNAPSHOT_GAP) {
            r->rep->at_missing = 1;
            char iso[40];
            gex_time_format_iso(r->opt->now, iso, sizeof iso);
            return gex_error_set(r->err, GEX_EPARSE, r->name, 0, 0,
                                 "the file holds one snapshot, quoted at %s (--now: the file "
                                 "carries no quote instant of its own), not at the --at "
                                 "instant; check --at",
                                 iso);
        }
        return GEX_OK;
    }
    /* Snapshots: the distinct instants of every row (those left out by --symbol too) sorted,
     * cut where two are GEX__SNAPSHOT_GAP apart; those holding no contract kept are dropped. */
    size_t n = c->n, m = 0, mk = 0;
    int64_t *t = malloc((n + r->other_n + 1) * sizeof *t);
    int64_t *kt = malloc((n + 1) * sizeof *kt);
    int64_t *first = malloc((n + r->other_n + 1) * sizeof *first);
    int64_t *last = malloc((n + r->other_n + 1) * sizeof *last);
    int64_t *newest = malloc((n + r->other_n + 1) * sizeof *newest);
    if (t == NULL || kt == NULL || first == NULL || last == NULL || newest == NULL) {
        free(t);
        free(kt);
        free(first);
        free(last);
        free(newest);
        return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        if (r->snap_time[i] != NO_INSTANT)
            kt[mk++] = r->snap_time[i];
    qsort(kt, mk, sizeof *kt, compare_i64);
    memcpy(t, kt, mk * sizeof *t);
    m = mk;
    for (size_t i = 0; i < r->other_n; i++)
        t[m++] = r->other_time[i];
    qsort(t, m, sizeof *t, compare_i64);
    /* first[k] .. last[k] of each snapshot holding contracts kept, newest[k] the latest of
     * theirs (its quote instant) */
    size_t k = 0, next = 0;
    for (size_t i = 0; i < m;) {
        size_t end = i + 1;
        while (end < m && t[end] - t[end - 1] < GEX__SNAPSHOT_GAP)
            end++;
        int held = 0;
        while (next < mk && kt[next] <= t[end - 1]) {
            newest[k] = kt[next++];
            held = 1;
        }
        if (held) {
            first[k] = t[i];
            last[k++] = t[end - 1];
        }
        i = end;
    }
    free(t);
    free(kt);
    r->rep->snapshots = k;
    /* Contracts without a quote time (read before the file's first, or with a cell of no value)
     * are of no snapshot: said. */
    if (k > 1 && mk < n) {
        size_t i = 0;
        while (r->snap_time[i] != NO_INSTANT)
            i++;
        gex__reader_warn(r,
                         "%zu %s without a quote time (before the file's first, or a cell of no "
                         "value) %s of no snapshot: left out (the first on line %ld)",
                         n - mk, n - mk == 1 ? "contract" : "contracts", n - mk == 1 ? "is" : "are",
                         c->line[i]);
    }
    int rc = GEX_OK;
    if (k <= 1) {
        /* Instants within seconds of each other, or rows without one: a single chain, which
         * --at must reach as a file of one instant. */
        if (k == 1 && r->opt->has_at &&
            distance(r->opt->at, first[0], last[0]) > GEX__SNAPSHOT_GAP) {
            r->rep->at_missing = 1;
            char iso[40];
            gex_time_format_iso(newest[0], iso, sizeof iso);
            rc = gex_error_set(r->err, GEX_EPARSE, r->name, 0, 0,
                               "the file holds one snapshot, quoted at %s, not at the --at "
                               "instant; check --at",
                               iso);
        }
    } else if (r->list_snapshots) {
        rc = bucket_contracts(r, first, k);
        if (rc != GEX_OK) {
            rc = gex_error_set(r->err, rc, r->name, 0, 0, "out of memory");
        } else {
            free(r->snap_list);
            free(r->snap_first);
            r->snap_list = last;
            r->snap_first = first;
            r->snap_n = k;
            last = NULL;
            first = NULL;
        }
    } else if (!r->opt->has_at) {
        char shown[400];
        list_instants(shown, sizeof shown, newest, k, 6);
        rc = gex_error_set(r->err, GEX_EPARSE, r->name, 0, 0,
                           "the file holds %zu snapshots of the chain, quoted at %s; pass --at "
                           "with one of these instants to read that one",
                           k, shown);
    } else {
        /* The snapshot nearest the instant, within GEX__SNAPSHOT_GAP of it: snapshots are cut at
         * gaps of GEX__SNAPSHOT_GAP or more, so an instant may lie within reach of two (the
         * earlier one wins a tie), but one of them holds it. */
        size_t pick = k;
        uint64_t best = 0;
        for (size_t j = 0; j < k; j++) {
            const uint64_t d = distance(r->opt->at, first[j], last[j]);
            if (d <= GEX__SNAPSHOT_GAP && (pick == k || d < best)) {
                pick = j;
                best = d;
            }
        }
        if (pick == k) {
            r->rep->at_missing = 1;
            char shown[400];
            list_instants(shown, sizeof shown, newest, k, 6);
            rc = gex_error_set(r->err, GEX_EPARSE, r->name, 0, 0,
                               "no snapshot of the file is quoted at the --at instant: its %zu "
                               "snapshots are quoted at %s; check --at",
                               k, shown);
        } else {
            uint32_t *idx = malloc((n > 0 ? n : 1) * sizeof *idx);
            size_t in = 0;
            if (idx == NULL) {
                rc = gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
            } else {
                for (size_t i = 0; i < n; i++)
                    if (r->snap_time[i] >= first[pick] && r->snap_time[i] <= last[pick])
                        idx[in++] = (uint32_t)i;
                uint32_t *old_at = r->mark_at; /* the chain read's, replaced by its own */
                uint8_t *old_bits = r->mark_bits;
                rc = snapshot_of(r, c, idx, in);
                if (rc == GEX_OK) {
                    gex_chain_free(c);
                    free(old_at);
                    free(old_bits);
                }
                free(idx);
            }
        }
    }
    free(first);
    free(last);
    free(newest);
    return rc;
}
