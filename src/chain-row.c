/*
 * What every chain format's reader shares, row by row (chain-csv.c, chain-json.c, under the
 * entry points of chain-read.c): OCC symbols, the underlying of a root, expirations through the
 * reader's cache, the quote instant, the bad-row policy, and appending a contract (the --symbol
 * filter, the interning of underlying and root, the multiplier override). The bottom of the
 * readers: it calls nothing above it, only the chain storage (chain.c) and gex/time.h.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gex/bs.h"
#include "gex/time.h"
#include "chain-internal.h"
#include "chain-row-internal.h"

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
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]))
            return -1;
        out->root[i] = (char)toupper((unsigned char)s[i]);
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

/* "13-09-22": day, month and a two-digit year of this century joined by dashes, as a European
 * spreadsheet (Dutch, Danish, Portuguese locales) writes a date when it saves a CBOE CSV again.
 * gex_time_parse_date refuses two-digit years; a dash-separated one is read in this order only,
 * because US spreadsheets write month-first dates with slashes ("9/13/22"). 0 or -1. */
static int european_short_date(const char *s, size_t len, int32_t *day)
{
    int part[3] = {0, 0, 0};
    size_t digits[3] = {0, 0, 0}, k = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '-' && k < 2 && digits[k] > 0) {
            k++;
        } else if (s[i] >= '0' && s[i] <= '9' && digits[k] < 2) {
            part[k] = part[k] * 10 + (s[i] - '0');
            digits[k]++;
        } else {
            return -1;
        }
    }
    if (k != 2 || digits[2] != 2 || !gex_time_valid_date(2000 + part[2], part[1], part[0]))
        return -1;
    *day = gex_time_days_from_civil(2000 + part[2], part[1], part[0]);
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

void gex__read_quote_time(gex__reader *r, const char *s, size_t len, int zone_default, long line)
{
    int64_t utc;
    gex_instant_info info;
    int rc = gex_time_parse_instant(s, len, zone_default, &utc, &info);
    if (rc == GEX_OK && !info.has_time) {
        /* A date alone: the close of that New York day (utc is its local midnight). */
        int64_t local = utc + info.utc_offset_s;
        int64_t day = local / GEX_SECONDS_PER_DAY - (local % GEX_SECONDS_PER_DAY < 0);
        utc = gex_time_eastern_to_utc((int32_t)day, CLOSE_SECONDS_OF_DAY);
    }
    if (rc == GEX_OK) {
        if (r->has_time && utc != r->time)
            r->time_varies = 1;
        if (!r->has_time || utc > r->time)
            r->time = utc;
        r->has_time = 1;
        return;
    }
    if (r->time_note[0] != '\0')
        return;
    int shown = len > 60 ? 60 : (int)len;
    r->time_note_line = line;
    if (rc == GEX_ENOTIME)
        snprintf(r->time_note, sizeof r->time_note,
                 "the date \"%.*s\" has no year, so the quote instant is unknown; pass --now",
                 shown, s);
    else
        snprintf(r->time_note, sizeof r->time_note,
                 "the date \"%.*s\" cannot be read, so the quote instant is unknown; pass --now",
                 shown, s);
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
    return GEX_OK;
}

int gex__reader_add(gex__reader *r, const char *u, size_t u_len, const char *root, size_t root_len,
                    gex_contract *k, double spot)
{
    if (u_len > GEX__FIELD_MAX || root_len > GEX__FIELD_MAX)
        return GEX_EINVAL;
    /* The underlying of consecutive rows is usually the same: one comparison per row. */
    if (u_len != r->last_u_len || r->last_u[0] == '\0' ||
        (memcmp(u, r->last_u, u_len) != 0 && strncasecmp(u, r->last_u, u_len) != 0)) {
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
        return GEX_OK;
    }
    uint32_t ri = r->last_u_index;
    if (root_len > 0 && (root_len != u_len || memcmp(root, r->last_u, u_len) != 0)) {
        if (root_len == r->last_root_len && memcmp(root, r->last_root, root_len) == 0) {
            ri = r->last_root_index;
        } else {
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
    if (rc == GEX_OK)
        r->rep->contracts++;
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

int gex__span_is(gex__span f, const char *text)
{
    size_t n = strlen(text);
    return f.len == n && gex__strncasecmp_ascii(f.s, text, n) == 0;
}

/* The longest number text gex__read_loose takes (after grouping commas are removed). */
#define LOOSE_NUMBER_MAX 64

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

void gex__note_time(gex__reader *r, int64_t utc)
{
    if (r->has_time && utc != r->time)
        r->time_varies = 1;
    if (!r->has_time || utc > r->time)
        r->time = utc;
    r->has_time = 1;
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
