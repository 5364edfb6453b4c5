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
    r->last_exp_ok = gex_time_parse_date(s, len, &r->last_exp_day) == GEX_OK;
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
    if (rc == GEX_OK) {
        r->rep->contracts++;
        /* The row's own spot (NAN when it has none), compared with its underlying's by
         * finish(), which then gives every contract the underlying's. */
        r->chain->spot[r->chain->n - 1] = spot > 0 && isfinite(spot) ? spot : (double)NAN;
    }
    return rc;
}
