/*
 * macro.c: FRED's CSV downloads (gex/macro.h): the header's series ids, one row per date, "."
 * for a missing value; and the observation in force on a day.
 */
#include "gex/macro.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal-internal.h"
#include "gex/time.h"

/* Series in one file, at most (a FRED graph download holds one column per series added). */
#define MACRO_SERIES_MAX 16
/* A row's length, at most: a date and MACRO_SERIES_MAX numbers. */
#define MACRO_LINE_MAX 1024

/* The header's date label, as FRED writes it (exactly: OptionMetrics' files begin "date,"). */
static size_t date_label(const char *s, size_t len)
{
    static const char *const labels[] = {"observation_date,", "DATE,"};
    for (size_t k = 0; k < 2; k++) {
        size_t n = strlen(labels[k]);
        if (len >= n && strncmp(s, labels[k], n) == 0)
            return n;
    }
    return 0;
}

/* A series id's character: FRED's ids are upper case, digits and '_' ("DGS3MO", "GDP_PCH"). */
static int id_char(unsigned char c)
{
    return isupper(c) || isdigit(c) || c == '_';
}

/* The ids of a header line (without its date label) into ids; their count, or 0 when one is
 * not an id. */
static size_t header_ids(const char *s, size_t len, char ids[MACRO_SERIES_MAX][32])
{
    size_t n = 0, i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != ',')
            j++;
        size_t k = j - i;
        if (k == 0 || k >= 32 || n == MACRO_SERIES_MAX)
            return 0;
        for (size_t c = i; c < j; c++)
            if (!id_char((unsigned char)s[c]))
                return 0;
        memcpy(ids[n], s + i, k);
        ids[n][k] = '\0';
        n++;
        i = j + 1;
    }
    return n;
}

/* The length of the line at s (of len bytes) without its end, and in *next the bytes to the
 * next line: a line ends at LF, CRLF or a lone CR (the old Mac "CSV (Macintosh)" save, read as
 * the chain readers read it); *next is len when the line runs to the end unterminated, and
 * *ended says whether it had an end. */
static size_t line_length(const char *s, size_t len, size_t *next, int *ended)
{
    size_t k = 0;
    while (k < len && s[k] != '\n' && s[k] != '\r')
        k++;
    *ended = k < len;
    *next = k == len ? len : k + (s[k] == '\r' && k + 1 < len && s[k + 1] == '\n' ? 2 : 1);
    return k;
}

/* The first line of buf, without its end of line (and a UTF-8 byte order mark); *rest is the
 * offset in buf of the next line, *ended whether the line had an end. */
static const char *first_line(const char *buf, size_t len, size_t *n, size_t *rest, int *ended)
{
    size_t bom = 0;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF)
        bom = 3;
    size_t next;
    *n = line_length(buf + bom, len - bom, &next, ended);
    *rest = bom + next;
    return buf + bom;
}

int gex_macro_is_fred(const char *head, size_t len, char *out, size_t out_size)
{
    if (head == NULL)
        return 0;
    size_t n, after;
    int ended;
    const char *line = first_line(head, len, &n, &after, &ended);
    if (!ended)
        return 0; /* a header must end within the bytes given */
    size_t at = date_label(line, n);
    char ids[MACRO_SERIES_MAX][32];
    if (at == 0 || header_ids(line + at, n - at, ids) == 0)
        return 0;
    /* the first row, where the bytes given reach it, starts with a date */
    const char *row = head + after;
    const size_t rest = len - after;
    int32_t day;
    if (rest >= 11 && (gex_time_parse_date(row, 10, &day) != GEX_OK || row[10] != ','))
        return 0;
    if (out != NULL && out_size > 0)
        snprintf(out, out_size, "%.*s", (int)(n - at), line + at);
    return 1;
}

void gex_macro_file_free(gex_macro_file *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->series[i].day);
        free(f->series[i].value);
    }
    free(f->series);
    f->series = NULL;
    f->n = 0;
}

/* A cell: "." or empty is missing (NAN). 0 and *v, or -1. */
static int cell_value(const char *s, size_t len, locale_t loc, double *v)
{
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\r'))
        len--;
    while (len > 0 && *s == ' ') {
        s++;
        len--;
    }
    if (len == 0 || (len == 1 && s[0] == '.')) {
        *v = (double)NAN;
        return 0;
    }
    char buf[64];
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return gex__decimal_parse(buf, len, loc, v) == 0 && isfinite(*v) ? 0 : -1;
}

int gex_macro_read_fred_buffer(const char *buf, size_t len, const char *name, gex_macro_file *out,
                               gex_error *err)
{
    if (out == NULL)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0, "no result to fill");
    memset(out, 0, sizeof *out);
    /* As gex_chain_read_buffer: NULL with length 0 is empty input, not a missing buffer. */
    if (buf == NULL && len > 0)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0, "no buffer");
    size_t blank = 0;
    while (blank < len && isspace((unsigned char)buf[blank]))
        blank++;
    if (blank == len)
        return gex_error_set(err, GEX_EEMPTY, name, 0, 0,
                             "the file is empty: no FRED series to read (download the series "
                             "again from fred.stlouisfed.org as CSV)");
    size_t hn, pos;
    int ended;
    const char *line = first_line(buf, len, &hn, &pos, &ended);
    const size_t at = date_label(line, hn);
    char ids[MACRO_SERIES_MAX][32];
    const size_t ns = at > 0 ? header_ids(line + at, hn - at, ids) : 0;
    if (ns == 0)
        return gex_error_set(err, GEX_EFORMAT, name, 1, 0,
                             "not a FRED series download: the header should read "
                             "\"observation_date,SERIES_ID\" (download the series as CSV)");
    locale_t loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    out->series = calloc(ns, sizeof *out->series);
    if (loc == (locale_t)0 || out->series == NULL) {
        if (loc != (locale_t)0)
            freelocale(loc);
        free(out->series);
        out->series = NULL;
        return gex_error_set(err, GEX_ENOMEM, name, 0, 0, "out of memory");
    }
    out->n = ns;
    for (size_t k = 0; k < ns; k++)
        memcpy(out->series[k].id, ids[k], sizeof ids[k]);
    size_t cap = 0;
    int rc = GEX_OK;
    long lineno = 2; /* of the row being read: the header is line 1 */
    size_t rows = 0;
    while (pos < len && rc == GEX_OK) {
        const char *s = buf + pos;
        size_t next;
        const size_t n = line_length(s, len - pos, &next, &ended);
        pos += next;
        if (n == 0) {
            lineno++;
            continue;
        }
        if (n > MACRO_LINE_MAX) {
            rc = gex_error_set(err, GEX_EPARSE, name, lineno, 0,
                               "the row is over %d bytes: not a FRED download", MACRO_LINE_MAX);
            break;
        }
        const char *comma = memchr(s, ',', n);
        int32_t day;
        if (comma == NULL || gex_time_parse_date(s, (size_t)(comma - s), &day) != GEX_OK) {
            rc = gex_error_set(err, GEX_EPARSE, name, lineno, 1,
                               "the row does not start with a date YYYY-MM-DD and a comma");
            break;
        }
        if (rows > 0 && day <= out->series[0].day[rows - 1]) {
            rc = gex_error_set(err, GEX_EPARSE, name, lineno, 1,
                               "the dates are not in ascending order: check that the file is "
                               "one FRED download");
            break;
        }
        if (rows == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            for (size_t k = 0; k < ns && rc == GEX_OK; k++) {
                int32_t *d = realloc(out->series[k].day, nc * sizeof *d);
                if (d != NULL)
                    out->series[k].day = d;
                double *v = realloc(out->series[k].value, nc * sizeof *v);
                if (v != NULL)
                    out->series[k].value = v;
                if (d == NULL || v == NULL)
                    rc = gex_error_set(err, GEX_ENOMEM, name, 0, 0, "out of memory");
            }
            cap = nc;
            if (rc != GEX_OK)
                break;
        }
        const char *c = comma + 1, *end = s + n;
        for (size_t k = 0; k < ns; k++) {
            const char *e = k + 1 < ns ? memchr(c, ',', (size_t)(end - c)) : end;
            double v;
            if (e == NULL || cell_value(c, (size_t)(e - c), loc, &v) != 0) {
                rc = gex_error_set(err, GEX_EPARSE, name, lineno, 0,
                                   "%s: the value is not a number or \".\" (missing)",
                                   out->series[k].id);
                break;
            }
            out->series[k].day[rows] = day;
            out->series[k].value[rows] = v;
            c = e + 1;
        }
        rows++;
        lineno++;
    }
    freelocale(loc);
    if (rc != GEX_OK) {
        gex_macro_file_free(out);
        return rc;
    }
    for (size_t k = 0; k < ns; k++)
        out->series[k].n = rows;
    return GEX_OK;
}

int gex_macro_read_fred(const char *path, gex_macro_file *out, gex_error *err)
{
    if (out == NULL)
        return gex_error_set(err, GEX_EINVAL, path, 0, 0, "no result to fill");
    memset(out, 0, sizeof *out);
    /* No path is the caller's mistake, not the file system's: fopen(NULL) sets no errno. */
    if (path == NULL)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "no path");
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return gex_error_set(err, GEX_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int rc = buf == NULL ? GEX_ENOMEM : GEX_OK;
    while (rc == GEX_OK) {
        if (len == cap) {
            char *b = cap < ((size_t)1 << 28) ? realloc(buf, cap * 2) : NULL;
            if (b == NULL) {
                rc = cap < ((size_t)1 << 28) ? GEX_ENOMEM : GEX_EFORMAT;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    const int read_error = !ferror(fp) ? 0 : errno != 0 ? errno : EIO; /* a directory: EISDIR */
    fclose(fp);
    if (rc == GEX_OK && read_error)
        rc = gex_error_set(err, GEX_EIO, path, 0, 0, "cannot read the file: %s",
                           strerror(read_error));
    else if (rc == GEX_ENOMEM)
        rc = gex_error_set(err, GEX_ENOMEM, path, 0, 0, "out of memory");
    else if (rc == GEX_EFORMAT)
        rc = gex_error_set(err, GEX_EFORMAT, path, 0, 0, "over 256 MB: not a FRED series download");
    else
        rc = gex_macro_read_fred_buffer(buf, len, path, out, err);
    free(buf);
    return rc;
}

const gex_macro_series *gex_macro_find(const gex_macro_file *f, const char *id)
{
    if (f == NULL || id == NULL)
        return NULL;
    for (size_t i = 0; i < f->n; i++)
        if (strcasecmp(f->series[i].id, id) == 0)
            return &f->series[i];
    return NULL;
}

int gex_macro_value_at(const gex_macro_series *s, int32_t day, double *value, int32_t *obs_day)
{
    if (s == NULL || s->n == 0)
        return GEX_ENOTFOUND;
    /* The last observation on or before day, then back over missing values. */
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->day[mid] <= day)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo > 0 && isnan(s->value[lo - 1]))
        lo--;
    if (lo == 0)
        return GEX_ENOTFOUND;
    *value = s->value[lo - 1];
    *obs_day = s->day[lo - 1];
    return GEX_OK;
}
