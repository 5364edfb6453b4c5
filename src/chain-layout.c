/*
 * The layouts read whole (SPEC 2.8): Barchart, NSE India, Deribit, thinkorswim, CBOE's quote
 * tables from before 2019, OptionsDX and OptionMetrics. Detection from the first lines, the
 * input gathered in memory (these are downloads of one chain, not the multi-gigabyte files the
 * long and CBOE CSV readers stream), and the dispatch to each layout's reader
 * (chain-<layout>.c). What the readers share with the others is in chain-row.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gex/time.h"
#include "chain-internal.h"
#include "chain-layout-internal.h"

int gex__format_is_layout(gex_format format)
{
    return format >= GEX_FORMAT_BARCHART_CSV && format <= GEX_FORMAT_OPTIONMETRICS_CSV;
}

static int has_field(const gex__span *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (gex__span_is(f[i], name))
            return 1;
    return 0;
}

/* "7 NOV 23 (0) 100", "17 NOV 23 (Weeklys) (10) 100": a thinkorswim section line (day, month,
 * two-digit year at the start). */
static int tos_section(gex__span line)
{
    size_t i = 0;
    while (i < line.len && line.s[i] >= '0' && line.s[i] <= '9')
        i++;
    if (i == 0 || i > 2 || i + 7 > line.len || line.s[i] != ' ')
        return 0;
    if (gex_time_month_from_name(line.s + i + 1, 3) == 0 || line.s[i + 4] != ' ')
        return 0;
    return line.s[i + 5] >= '0' && line.s[i + 5] <= '9' && line.s[i + 6] >= '0' &&
           line.s[i + 6] <= '9';
}

/* The layout a line is the header of (GEX_FORMAT_AUTO when none), from its fields. */
static gex_format classify(gex__span line, const gex__span *f, size_t n, int *tos_seen)
{
    if (n == 0)
        return GEX_FORMAT_AUTO;
    if (tos_section(line))
        *tos_seen = 1;
    if (*tos_seen && has_field(f, n, "Strike") && (has_field(f, n, "Exp") || n > 4))
        return GEX_FORMAT_THINKORSWIM_CSV;
    if (has_field(f, n, "STRIKE") && has_field(f, n, "CHNG IN OI") && has_field(f, n, "OI"))
        return GEX_FORMAT_NSE_CSV;
    if (has_field(f, n, "Strike") && has_field(f, n, "Moneyness") && has_field(f, n, "Type"))
        return GEX_FORMAT_BARCHART_CSV;
    if (has_field(f, n, "instrument_name") ||
        (gex__span_is(f[0], "Instrument") && has_field(f, n, "Mark") && has_field(f, n, "Open")))
        return GEX_FORMAT_DERIBIT_CSV;
    if (gex__span_is(f[0], "Calls") && has_field(f, n, "Last Sale") && has_field(f, n, "Puts") &&
        !has_field(f, n, "Expiration Date"))
        return GEX_FORMAT_CBOE_LEGACY;
    if (f[0].len >= 16 && gex__strncasecmp_ascii(f[0].s, "[QUOTE_UNIXTIME]", 16) == 0)
        return GEX_FORMAT_OPTIONSDX;
    if (has_field(f, n, "exdate") && has_field(f, n, "cp_flag") && has_field(f, n, "strike_price"))
        return GEX_FORMAT_OPTIONMETRICS_CSV;
    return GEX_FORMAT_AUTO;
}

int gex__detect_layout(gex__reader *r, const char *p, size_t len, int is_all, gex__detected *det)
{
    gex_format want = r->opt->format;
    gex__span f[GEX__LAYOUT_FIELDS_MAX];
    size_t pos = 0;
    gex__span line;
    int tos_seen = 0;
    for (long lineno = 1; lineno <= HEADER_SEARCH_LINES && gex__next_line(p, len, &pos, &line);
         lineno++) {
        if (pos >= len && !is_all && p[len - 1] != '\n')
            break; /* the line continues past the prefix */
        size_t n = gex__split_fields(line, ',', f, GEX__LAYOUT_FIELDS_MAX);
        if (n > GEX__LAYOUT_FIELDS_MAX)
            n = GEX__LAYOUT_FIELDS_MAX;
        gex_format found = classify(line, f, n, &tos_seen);
        if (found != GEX_FORMAT_AUTO && (want == GEX_FORMAT_AUTO || want == found)) {
            det->format = found;
            det->header_offset = (size_t)(line.s - p);
            det->header_line = lineno;
            return GEX_OK;
        }
    }
    if (want == GEX_FORMAT_AUTO)
        return GEX_EFORMAT;
    return gex_error_set(r->err, GEX_EFORMAT, r->name, 0, 0,
                         "no %s header line in the first %d lines; check --input-format",
                         gex_format_name(want), HEADER_SEARCH_LINES);
}

static int dispatch(gex__reader *r, const gex__detected *det, const char *text, size_t len)
{
    switch (det->format) {
    case GEX_FORMAT_BARCHART_CSV:
        return gex__read_barchart(r, text, len, det);
    case GEX_FORMAT_NSE_CSV:
        return gex__read_nse(r, text, len, det);
    case GEX_FORMAT_DERIBIT_CSV:
        return gex__read_deribit(r, text, len, det);
    case GEX_FORMAT_THINKORSWIM_CSV:
        return gex__read_thinkorswim(r, text, len, det);
    case GEX_FORMAT_CBOE_LEGACY:
        return gex__read_cboe_legacy(r, text, len, det);
    case GEX_FORMAT_OPTIONSDX:
        return gex__read_optionsdx(r, text, len, det);
    case GEX_FORMAT_OPTIONMETRICS_CSV:
        return gex__read_optionmetrics(r, text, len, det);
    default:
        return gex_error_set(r->err, GEX_EINVAL, r->name, 0, 0, "not a whole-text layout");
    }
}

int gex__layout_gather(gex__reader *r, const char *what, const char *prefix, size_t len,
                       gex__pull_fn next, void *data, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    size_t cap = len > 0 ? 2 * len : 4096, n = len;
    char *buf = malloc(cap);
    if (buf == NULL)
        return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    memcpy(buf, prefix, len);
    const char *chunk;
    size_t got;
    while (next != NULL && (got = next(data, &chunk)) > 0) {
        if (n + got > GEX__LAYOUT_BYTES_MAX) {
            free(buf);
            return gex_error_set(r->err, GEX_EFORMAT, r->name, 0, 0,
                                 "a %s file larger than %zu MB is not a download of one chain; "
                                 "split it, or convert it to a long CSV",
                                 what, GEX__LAYOUT_BYTES_MAX >> 20);
        }
        if (n + got > cap) {
            while (n + got > cap)
                cap *= 2;
            char *grown = realloc(buf, cap);
            if (grown == NULL) {
                free(buf);
                return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
            }
            buf = grown;
        }
        memcpy(buf + n, chunk, got);
        n += got;
    }
    *out = buf;
    *out_len = n;
    return GEX_OK;
}

int gex__read_layout(gex__reader *r, const gex__detected *det, const char *prefix, size_t len,
                     gex__pull_fn next, void *data)
{
    if (next == NULL)
        return dispatch(r, det, prefix, len);
    char *buf;
    size_t n;
    int rc = gex__layout_gather(r, gex_format_name(det->format), prefix, len, next, data, &buf, &n);
    if (rc == GEX_OK)
        rc = dispatch(r, det, buf, n);
    free(buf);
    return rc;
}
