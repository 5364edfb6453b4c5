/*
 * render-table.c: the table (for people: aligned columns, thousands separators, units in the
 * header) and CSV (RFC 4180: one header row, CRLF line ends, fields quoted when they hold a
 * comma, a quote or a line break, numbers in the shortest form that reads back to the same
 * double, text that a spreadsheet would take for a formula after a single quote) renderings of
 * one result table.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

typedef struct cell {
    int kind; /* 0 empty, 1 number, 2 text */
    double v;
    char *s;
} cell;

struct gex__table {
    const gex__column *columns;
    size_t n_columns;
    cell *cells;
    size_t n_cells, cap;
    FILE *stream;     /* CSV written as the cells come (gex__table_stream), else NULL */
    size_t column;    /* streaming: the column of the next cell */
    size_t nonfinite; /* non-finite numbers appended (written as empty cells) */
    int write_errno;  /* streaming: errno of the first failed write, 0 while none failed */
    /* streaming: the record being assembled, written with one call when it ends (a stdio call
     * per piece was a fifth of greeks --format csv), and per column the last number written
     * and its text (a chain's rows repeat the spot, the time to expiry of their expiration,
     * and a put's gamma, vega and vanna are its call's); NULL when it could not be allocated */
    char record[4096];
    size_t record_len;
    struct last_number *last;
};

struct last_number {
    double v;
    unsigned char len; /* 0: none yet */
    char text[31];
};

gex__table *gex__table_new(const gex__column *columns, size_t n_columns)
{
    gex__table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->columns = columns;
    t->n_columns = n_columns;
    return t;
}

void gex__table_free(gex__table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_cells; i++)
        free(t->cells[i].s);
    free(t->cells);
    free(t->last);
    free(t);
}

static int csv_field(FILE *out, const char *s);
static int csv_formula_start(const char *s);
static void format_cell(const cell *c, gex__style style, gex__out_format format, char *buf,
                        size_t size);

void gex__table_stream(gex__table *t, FILE *out)
{
    for (size_t j = 0; j < t->n_columns; j++) {
        if (j)
            fputc(',', out);
        csv_field(out, t->columns[j].name);
    }
    fputs("\r\n", out);
    gex__table_stream_rows(t, out);
}

void gex__table_stream_rows(gex__table *t, FILE *out)
{
    t->stream = out;
    t->column = 0;
    t->record_len = 0;
    free(t->last);
    t->last = calloc(t->n_columns, sizeof *t->last); /* NULL: every number formatted */
}

static cell *push(gex__table *t)
{
    if (t->n_cells == t->cap) {
        const size_t cap = t->cap ? 2 * t->cap : 256;
        cell *c = realloc(t->cells, cap * sizeof *c);
        if (c == NULL)
            return NULL;
        t->cells = c;
        t->cap = cap;
    }
    cell *c = &t->cells[t->n_cells++];
    memset(c, 0, sizeof *c);
    return c;
}

/* Streaming: the record assembled so far goes to the stream. */
static void record_flush(gex__table *t)
{
    if (t->record_len > 0)
        fwrite_unlocked(t->record, 1, t->record_len, t->stream);
    t->record_len = 0;
}

/* Streaming: appends n bytes to the record, or writes them through when they do not fit. */
static void record_put(gex__table *t, const char *s, size_t n)
{
    if (t->record_len + n > sizeof t->record) {
        record_flush(t);
        if (n > sizeof t->record) {
            fwrite_unlocked(s, 1, n, t->stream);
            return;
        }
    }
    memcpy(t->record + t->record_len, s, n);
    t->record_len += n;
}

/* Streaming: a number's text into the record, the column's last text when it is the same
 * number (the same bits: v == 0.0 is never -0 here). Both are copied whole (a constant size,
 * no call) into the record, which keeps GEX__ROUNDTRIP_SIZE bytes free for them. */
static void record_number(gex__table *t, double v)
{
    if (t->record_len + GEX__ROUNDTRIP_SIZE > sizeof t->record)
        record_flush(t);
    char *const text = t->record + t->record_len;
    struct last_number *last = t->last != NULL ? &t->last[t->column] : NULL;
    if (last != NULL && last->len > 0 && memcmp(&last->v, &v, sizeof v) == 0) {
        memcpy(text, last->text, sizeof last->text);
        t->record_len += last->len;
        return;
    }
    const size_t n = gex__fmt_roundtrip_to(v, text); /* formatted in place */
    t->record_len += n;
    if (last != NULL && n < sizeof last->text) {
        last->v = v;
        last->len = (unsigned char)n;
        memcpy(last->text, text, sizeof last->text);
    }
}

/* Streaming: one text cell into the record, quoted when it must be (csv_field's rules), after
 * a single quote when a spreadsheet would take it for a formula (format_cell's). */
static void record_text(gex__table *t, const char *s)
{
    const int formula = csv_formula_start(s);
    const size_t n = strcspn(s, ",\"\r\n");
    if (s[n] == '\0') {
        if (formula)
            record_put(t, "'", 1);
        record_put(t, s, n);
        return;
    }
    record_put(t, formula ? "\"'" : "\"", formula ? 2 : 1);
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            record_put(t, "\"", 1);
        record_put(t, p, 1);
    }
    record_put(t, "\"", 1);
}

/* Streaming: writes one cell, with its separator or the record's end, straight from the
 * caller's value (no copy of a text), into the record, which goes to the stream when it ends.
 * The stream is this table's alone while it writes, so the unlocked forms of stdio serve (a
 * lock per character was a tenth of greeks --format csv). */
static int stream_cell(gex__table *t, const cell *c)
{
    if (t->column > 0) {
        if (t->record_len == sizeof t->record)
            record_flush(t);
        t->record[t->record_len++] = ',';
    }
    if (c->kind == 1)
        record_number(t, c->v);
    else if (c->kind == 2)
        record_text(t, c->s);
    if (++t->column == t->n_columns) {
        record_put(t, "\r\n", 2);
        record_flush(t);
        t->column = 0;
    }
    if (!ferror_unlocked(t->stream))
        return GEX_OK;
    if (t->write_errno == 0)
        t->write_errno = errno != 0 ? errno : EIO;
    return GEX_EIO;
}

int gex__table_write_failed(const gex__table *t)
{
    return t != NULL && t->write_errno != 0;
}

int gex__table_num(gex__table *t, double v)
{
    if (t->stream != NULL) {
        const cell c = {isfinite(v) ? 1 : 0, v == 0.0 ? 0.0 : v, NULL};
        t->nonfinite += !isfinite(v);
        return stream_cell(t, &c);
    }
    cell *c = push(t);
    if (c == NULL)
        return GEX_ENOMEM;
    if (isfinite(v)) {
        c->kind = 1;
        c->v = v == 0.0 ? 0.0 : v; /* no "-0" */
    } else {
        t->nonfinite++;
    }
    return GEX_OK;
}

int gex__table_level(gex__table *t, const gex_level *level)
{
    return level->has ? gex__table_num(t, level->value) : gex__table_null(t);
}

int gex__table_null(gex__table *t)
{
    if (t->stream != NULL) {
        const cell c = {0, 0.0, NULL};
        return stream_cell(t, &c);
    }
    return push(t) == NULL ? GEX_ENOMEM : GEX_OK;
}

int gex__table_text(gex__table *t, const char *s)
{
    if (t->stream != NULL) {
        const cell c = {s != NULL ? 2 : 0, 0.0, (char *)s};
        return stream_cell(t, &c);
    }
    cell *c = push(t);
    if (c == NULL)
        return GEX_ENOMEM;
    if (s != NULL) {
        c->s = strdup(s);
        if (c->s == NULL)
            return GEX_ENOMEM;
        c->kind = 2;
    }
    return GEX_OK;
}

/* OWASP, "CSV Injection": a spreadsheet takes a cell that starts with '=', '+', '-', '@', a tab
 * or a carriage return for a formula (=HYPERLINK(...) in an underlying's name would run when the
 * CSV is opened). Such a text cell is written after a single quote, which spreadsheets show as
 * text. Numbers are cells of their own kind, written by gex (a negative exposure keeps its '-'). */
static int csv_formula_start(const char *s)
{
    return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

static void format_cell(const cell *c, gex__style style, gex__out_format format, char *buf,
                        size_t size)
{
    buf[0] = '\0';
    if (c->kind == 0)
        return;
    if (c->kind == 2) {
        size_t o = 0;
        if (format == GEX__OUT_CSV && csv_formula_start(c->s) && size > 1)
            buf[o++] = '\'';
        const size_t n = strnlen(c->s, size - 1 - o); /* cut to the buffer, as snprintf did */
        memcpy(buf + o, c->s, n);
        buf[o + n] = '\0';
        return;
    }
    if (format == GEX__OUT_CSV) {
        gex__fmt_roundtrip(c->v, buf, size);
        return;
    }
    switch (style) {
    case GEX__STYLE_STRIKE: {
        gex__fmt_grouped(c->v, 3, buf, size);
        char *dot = strchr(buf, '.');
        if (dot != NULL && strchr(dot, 'e') == NULL) { /* not in an exponent form's digits */
            char *end = buf + strlen(buf) - 1;
            while (end > dot && *end == '0')
                *end-- = '\0';
            if (end == dot)
                *end = '\0';
        }
        break;
    }
    case GEX__STYLE_MONEY:
    case GEX__STYLE_COUNT:
        gex__fmt_grouped(c->v, 0, buf, size);
        break;
    case GEX__STYLE_PRICE:
    case GEX__STYLE_PCT:
        gex__fmt_grouped(c->v, 2, buf, size);
        break;
    case GEX__STYLE_SIG:
    default: {
        char text[GEX__ROUNDTRIP_SIZE];
        const size_t n = gex__fmt_sig_to(c->v, 6, text); /* "%.6g" */
        const size_t len = n < size ? n : size - 1;
        memcpy(buf, text, len);
        buf[len] = '\0';
        break;
    }
    }
}

/* Unlocked stdio: a table's stream is written by one thread (see stream_cell). */
static int csv_field(FILE *out, const char *s)
{
    const size_t n = strcspn(s, ",\"\r\n");
    if (s[n] == '\0')
        return fwrite_unlocked(s, 1, n, out) == n ? 0 : -1;
    putc_unlocked('"', out);
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            putc_unlocked('"', out);
        putc_unlocked(*p, out);
    }
    return putc_unlocked('"', out) == EOF ? -1 : 0;
}

static int table_write(const gex__table *t, gex__out_format format, const char *title, FILE *out);

int gex__table_write(const gex__table *t, gex__out_format format, const char *title, FILE *out)
{
    const int st = table_write(t, format, title, out);
    return st == GEX_OK && t->nonfinite > 0 ? GEX_ERANGE : st;
}

int gex__table_emit(const gex__table *t, gex__out_format format, const char *title, FILE *out,
                    gex_error *err)
{
    const int st = gex__table_write(t, format, title, out);
    if (st == GEX_EIO) {
        /* errno is the last failed write's: only stdio calls came after it. */
        const int e = t->write_errno != 0 ? t->write_errno : errno != 0 ? errno : EIO;
        return gex_error_set(err, GEX_EIO, "", 0, 0, "writing the output failed: %s", strerror(e));
    }
    if (st == GEX_ERANGE)
        return gex__nonfinite_error(err, NULL, t->nonfinite);
    if (st == GEX_ENOMEM)
        return gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory writing the table");
    return GEX_OK;
}

size_t gex__table_nonfinite(const gex__table *t)
{
    return t != NULL ? t->nonfinite : 0;
}

/* A table's cell as printf's "%*s" (right-aligned) or "%-*s" (left) writes it in width
 * characters, but a left-aligned cell of the last column is not padded on the right. Unlocked
 * stdio: the table is written by one thread. */
static void padded(FILE *out, const char *s, size_t width, int left, int last)
{
    static const char spaces[] = "                                ";
    const size_t n = strlen(s);
    size_t pad = n < width ? width - n : 0;
    if (left) {
        fwrite_unlocked(s, 1, n, out);
        if (last)
            return;
    }
    for (; pad > 0;) {
        const size_t k = pad < sizeof spaces - 1 ? pad : sizeof spaces - 1;
        fwrite_unlocked(spaces, 1, k, out);
        pad -= k;
    }
    if (!left)
        fwrite_unlocked(s, 1, n, out);
}

static int table_write(const gex__table *t, gex__out_format format, const char *title, FILE *out)
{
    const size_t nc = t->n_columns;
    const size_t nr = nc ? t->n_cells / nc : 0;
    char buf[128];
    if (t->stream != NULL)
        return ferror(t->stream) ? GEX_EIO : GEX_OK; /* written as it came */
    if (format == GEX__OUT_CSV) {
        for (size_t j = 0; j < nc; j++) {
            if (j)
                fputc(',', out);
            csv_field(out, t->columns[j].name);
        }
        fputs("\r\n", out);
        for (size_t i = 0; i < nr; i++) {
            for (size_t j = 0; j < nc; j++) {
                if (j)
                    fputc(',', out);
                format_cell(&t->cells[i * nc + j], t->columns[j].style, format, buf, sizeof buf);
                csv_field(out, buf);
            }
            fputs("\r\n", out);
        }
        return ferror(out) ? GEX_EIO : GEX_OK;
    }
    /* Each cell is formatted once, into one block of texts (offset and length per cell), for
     * the widths and then the lines; the lines are written with fwrite and runs of spaces (a
     * printf per cell was a tenth of a warm gex history). */
    size_t *width = calloc(nc ? nc : 1, sizeof *width);
    size_t *at = malloc((nr * nc + 1) * sizeof *at);
    size_t cap = 16 * (nr * nc + 1), used = 0;
    char *text = malloc(cap);
    if (width == NULL || at == NULL || text == NULL) {
        free(width);
        free(at);
        free(text);
        return GEX_ENOMEM;
    }
    int has_units = 0;
    for (size_t j = 0; j < nc; j++) {
        width[j] = strlen(t->columns[j].name);
        if (t->columns[j].unit != NULL) {
            has_units = 1;
            if (strlen(t->columns[j].unit) > width[j])
                width[j] = strlen(t->columns[j].unit);
        }
    }
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nc; j++) {
            const cell *c = &t->cells[i * nc + j];
            format_cell(c, t->columns[j].style, format, buf, sizeof buf);
            if (c->kind == 0)
                memcpy(buf, "-", 2);
            const size_t w = strlen(buf);
            if (used + w + 1 > cap) {
                while (used + w + 1 > cap)
                    cap *= 2;
                char *grown = realloc(text, cap);
                if (grown == NULL) {
                    free(width);
                    free(at);
                    free(text);
                    return GEX_ENOMEM;
                }
                text = grown;
            }
            memcpy(text + used, buf, w + 1);
            at[i * nc + j] = used;
            used += w + 1;
            if (w > width[j])
                width[j] = w;
        }
    if (title != NULL)
        fprintf(out, "%s\n\n", title);
    for (int line = 0; line < 1 + has_units; line++) {
        for (size_t j = 0; j < nc; j++) {
            const char *s = line == 0 ? t->columns[j].name : t->columns[j].unit;
            const int left = t->columns[j].style == GEX__STYLE_TEXT;
            if (j > 0 && !(left && j + 1 == nc && (s == NULL || s[0] == '\0')))
                fwrite_unlocked("  ", 1, 2, out);
            padded(out, s != NULL ? s : "", width[j], left, j + 1 == nc);
        }
        putc_unlocked('\n', out);
    }
    for (size_t i = 0; i < nr; i++) {
        for (size_t j = 0; j < nc; j++) {
            const int left = t->columns[j].style == GEX__STYLE_TEXT;
            if (j > 0)
                fwrite_unlocked("  ", 1, 2, out);
            padded(out, text + at[i * nc + j], width[j], left, j + 1 == nc);
        }
        putc_unlocked('\n', out);
    }
    free(at);
    free(text);
    free(width);
    return ferror(out) ? GEX_EIO : GEX_OK;
}
