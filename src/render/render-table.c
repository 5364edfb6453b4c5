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
    char currency[4]; /* the one its units name (gex_currency_text) */
    cell *cells;
    size_t n_cells, cap; /* cells appended; the room in cells, or in lens when texts are kept */
    FILE *stream;        /* CSV written as the cells come (gex__table_stream), else NULL */
    size_t column;       /* streaming or keeping texts: the column of the next cell */
    size_t nonfinite;    /* non-finite numbers appended (written as empty cells) */
    int write_errno;     /* streaming: errno of the first failed write, 0 while none failed */
    /* streaming: the record being assembled, written with one call when it ends (a stdio call
     * per piece was a fifth of greeks --format csv), and per column the last number written
     * and its text (a chain's rows repeat the spot, the time to expiry of their expiration,
     * and a put's gamma, vega and vanna are its call's); NULL when it could not be allocated */
    char record[4096];
    size_t record_len;
    struct last_number *last;
    /* gex__table_keep_texts: each cell as the table shows it, as it comes (no cells): the texts
     * one after another in text, each one's length in lens (LEN_LONG: in the text, see
     * text_cell), and per column the widest text so far in width; NULL when the cells are kept
     * instead */
    char *text;
    size_t text_len, text_cap;
    unsigned char *lens;
    size_t *width;
};

/* Texts mode: a length in lens that is not the cell's, which is too long for a byte: its
 * length is the size_t written in text before its bytes. Texts are not cut (a file's path, an
 * unavailable tenor's reason) and numbers' are short, so one byte a cell holds nearly all. */
#define LEN_LONG 255
/* The room a number's text is written into (a formatter may write past the text it returns);
 * no number's text comes near it, nor LEN_LONG. */
#define TEXT_ROOM (128 > GEX__ROUNDTRIP_SIZE ? 128 : GEX__ROUNDTRIP_SIZE)

struct last_number {
    double v;
    unsigned char len; /* 0: none yet */
    char text[31];
};

gex__table *gex__table_new(const gex__column *columns, size_t n_columns, const char *currency)
{
    gex__table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->columns = columns;
    t->n_columns = n_columns;
    snprintf(t->currency, sizeof t->currency, "%s",
             gex_currency_valid(currency) ? currency : GEX_CURRENCY_DEFAULT);
    return t;
}

void gex__table_free(gex__table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; t->cells != NULL && i < t->n_cells; i++)
        free(t->cells[i].s);
    free(t->cells);
    free(t->last);
    free(t->text);
    free(t->lens);
    free(t->width);
    free(t);
}

static int csv_field(FILE *out, const char *s, int formula);
static int csv_formula_start(const char *s);
static void csv_cell(const cell *c, FILE *out);

void gex__table_stream(gex__table *t, FILE *out)
{
    for (size_t j = 0; j < t->n_columns; j++) {
        if (j)
            fputc(',', out);
        csv_field(out, t->columns[j].name, 0);
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

/* The text a table's cell takes on average, for the first size of its block: the greeks'
 * table, most of whose cells are numbers, takes 7.5 bytes a cell. */
#define TEXT_BYTES_PER_CELL 8

int gex__table_keep_texts(gex__table *t, size_t rows)
{
    if (t->n_columns == 0 || t->n_cells > 0 || t->stream != NULL || t->width != NULL)
        return GEX_EINVAL; /* no column to lay out, or cells kept or streamed already */
    t->width = calloc(t->n_columns, sizeof *t->width);
    if (t->width == NULL)
        return GEX_ENOMEM;
    /* sized once for the rows foreseen: each doubling would copy the block into fresh pages */
    const size_t cells =
        rows < SIZE_MAX / 2 / TEXT_BYTES_PER_CELL / (t->n_columns + 1) ? rows * t->n_columns : 0;
    if (cells > 0) {
        t->lens = malloc(cells);
        t->text = malloc(cells * TEXT_BYTES_PER_CELL + TEXT_ROOM);
        if (t->lens == NULL || t->text == NULL)
            return GEX_ENOMEM;
        t->cap = cells;
        t->text_cap = cells * TEXT_BYTES_PER_CELL + TEXT_ROOM;
    }
    return GEX_OK;
}

/* Texts mode: room for the next cell's text at t->text + t->text_len, need bytes (at least
 * TEXT_ROOM: a formatter may write past the text it returns), and for its length; NULL when
 * memory ran out. */
static char *text_room(gex__table *t, size_t need)
{
    if (t->n_cells == t->cap) {
        const size_t cap = t->cap ? 2 * t->cap : 256;
        unsigned char *lens = realloc(t->lens, cap);
        if (lens == NULL)
            return NULL;
        t->lens = lens;
        t->cap = cap;
    }
    if (need < TEXT_ROOM)
        need = TEXT_ROOM;
    if (t->text_cap - t->text_len < need) {
        size_t cap = t->text_cap ? 2 * t->text_cap : 16 * TEXT_ROOM;
        while (cap - t->text_len < need) {
            if (cap > SIZE_MAX / 2)
                return NULL;
            cap *= 2;
        }
        char *text = realloc(t->text, cap);
        if (text == NULL)
            return NULL;
        t->text = text;
        t->text_cap = cap;
    }
    return t->text + t->text_len;
}

/* Texts mode: the cell written at text_room is n bytes long; held is the bytes it takes in
 * text (n, or n after its length when n is LEN_LONG or more). */
static int text_done(gex__table *t, size_t n, size_t held)
{
    t->lens[t->n_cells++] = n < LEN_LONG ? (unsigned char)n : LEN_LONG;
    t->text_len += held;
    if (n > t->width[t->column])
        t->width[t->column] = n;
    if (++t->column == t->n_columns)
        t->column = 0;
    return GEX_OK;
}

/* Texts mode: a cell of a text, whole; one of LEN_LONG bytes or more after its length. */
static int text_cell(gex__table *t, const char *s)
{
    const size_t n = strlen(s);
    const size_t at = n < LEN_LONG ? 0 : sizeof n;
    if (n > SIZE_MAX - at)
        return GEX_ENOMEM;
    char *room = text_room(t, at + n);
    if (room == NULL)
        return GEX_ENOMEM;
    if (at > 0)
        memcpy(room, &n, sizeof n);
    memcpy(room + at, s, n);
    return text_done(t, n, at + n);
}

static size_t table_number(double v, gex__style style, char *buf, size_t size);

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
 * a single quote when a spreadsheet would take it for a formula (csv_formula_start). */
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
    if (t->width != NULL) {
        if (!isfinite(v)) {
            t->nonfinite++;
            return text_cell(t, "-");
        }
        char *room = text_room(t, TEXT_ROOM);
        if (room == NULL)
            return GEX_ENOMEM;
        const gex__style style = t->columns[t->column].style;
        const size_t n = table_number(v == 0.0 ? 0.0 : v, style, room, TEXT_ROOM);
        return text_done(t, n, n); /* under TEXT_ROOM, so under LEN_LONG */
    }
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
    if (t->width != NULL)
        return text_cell(t, "-");
    if (t->stream != NULL) {
        const cell c = {0, 0.0, NULL};
        return stream_cell(t, &c);
    }
    return push(t) == NULL ? GEX_ENOMEM : GEX_OK;
}

int gex__table_text(gex__table *t, const char *s)
{
    if (t->width != NULL)
        return text_cell(t, s != NULL ? s : "-");
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

/* A CSV cell to out (csv_field quotes it when it must): a number's shortest form that reads
 * back, a text whole, after a single quote when a spreadsheet would take it for a formula. */
static void csv_cell(const cell *c, FILE *out)
{
    if (c->kind == 2) {
        csv_field(out, c->s, csv_formula_start(c->s));
    } else if (c->kind == 1) {
        char buf[GEX__ROUNDTRIP_SIZE];
        fwrite_unlocked(buf, 1, gex__fmt_roundtrip_to(c->v, buf), out);
    }
}

/* A finite number as a table's cell of the style shows it, into buf (size bytes, at least
 * GEX__ROUNDTRIP_SIZE); returns its length. */
static size_t table_number(double v, gex__style style, char *buf, size_t size)
{
    switch (style) {
    case GEX__STYLE_STRIKE: {
        size_t n = gex__fmt_grouped(v, gex__strike_decimals(v), buf, size);
        const char *dot = memchr(buf, '.', n);
        if (dot != NULL && memchr(dot, 'e', n - (size_t)(dot - buf)) == NULL) {
            /* not in an exponent form's digits */
            while (buf + n - 1 > dot && buf[n - 1] == '0')
                n--;
            if (buf + n - 1 == dot)
                n--;
            buf[n] = '\0';
        }
        return n;
    }
    case GEX__STYLE_MONEY:
    case GEX__STYLE_COUNT:
        return gex__fmt_grouped(v, 0, buf, size);
    case GEX__STYLE_PRICE:
        return gex__fmt_grouped(v, gex__price_decimals(v, 2), buf, size);
    case GEX__STYLE_PCT:
        return gex__fmt_grouped(v, 2, buf, size);
    case GEX__STYLE_SIG:
    default: {
        if (size >= GEX__ROUNDTRIP_SIZE)
            return gex__fmt_sig_to(v, 6, buf); /* "%.6g" */
        char text[GEX__ROUNDTRIP_SIZE];
        const size_t n = gex__fmt_sig_to(v, 6, text); /* "%.6g" */
        const size_t len = n < size ? n : size - 1;
        memcpy(buf, text, len);
        buf[len] = '\0';
        return len;
    }
    }
}

/* A field of text s, after a single quote when formula is not 0. Unlocked stdio: a table's
 * stream is written by one thread (see stream_cell). */
static int csv_field(FILE *out, const char *s, int formula)
{
    const size_t n = strcspn(s, ",\"\r\n");
    if (s[n] == '\0') {
        if (formula)
            putc_unlocked('\'', out);
        return fwrite_unlocked(s, 1, n, out) == n ? 0 : -1;
    }
    putc_unlocked('"', out);
    if (formula)
        putc_unlocked('\'', out);
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            putc_unlocked('"', out);
        putc_unlocked(*p, out);
    }
    return putc_unlocked('"', out) == EOF ? -1 : 0;
}

static int table_write(const gex__table *const *parts, size_t n_parts, gex__out_format format,
                       const char *title, FILE *out);

/* What writing parts gave (st: table_write's status), as gex__table_emit says it. */
static int emit_status(const gex__table *const *parts, size_t n_parts, int st, gex_error *err)
{
    size_t nonfinite = 0;
    int write_errno = 0;
    for (size_t k = 0; k < n_parts; k++) {
        nonfinite += parts[k]->nonfinite;
        if (write_errno == 0)
            write_errno = parts[k]->write_errno;
    }
    if (st == GEX_OK && nonfinite > 0)
        st = GEX_ERANGE;
    if (st == GEX_EIO) {
        /* errno is the last failed write's: only stdio calls came after it. */
        const int e = write_errno != 0 ? write_errno : errno != 0 ? errno : EIO;
        return gex_error_set(err, GEX_EIO, "", 0, 0, "writing the output failed: %s", strerror(e));
    }
    if (st == GEX_ERANGE)
        return gex__nonfinite_error(err, NULL, nonfinite);
    if (st == GEX_ENOMEM)
        return gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory writing the table");
    if (st == GEX_EINVAL)
        return gex_error_set(err, GEX_EINVAL, "", 0, 0,
                             "a table kept as texts is written only as a table");
    return GEX_OK;
}

static int emit(const gex__table *const *parts, size_t n_parts, gex__out_format format,
                const char *title, FILE *out, gex_error *err)
{
    return emit_status(parts, n_parts, table_write(parts, n_parts, format, title, out), err);
}

int gex__table_emit_written(const gex__table *const *parts, size_t n_parts, FILE *out,
                            gex_error *err)
{
    return emit_status(parts, n_parts, ferror(out) ? GEX_EIO : GEX_OK, err);
}

int gex__table_emit(const gex__table *t, gex__out_format format, const char *title, FILE *out,
                    gex_error *err)
{
    return emit(&t, 1, format, title, out, err);
}

int gex__table_emit_parts(const gex__table *const *parts, size_t n_parts, const char *title,
                          FILE *out, gex_error *err)
{
    return emit(parts, n_parts, GEX__OUT_TABLE, title, out, err);
}

size_t gex__table_nonfinite(const gex__table *t)
{
    return t != NULL ? t->nonfinite : 0;
}

/* One cell of an aligned line into o: its n bytes at s, right-aligned in width characters (as
 * printf's "%*s") or left-aligned ("%-*s"), but a left-aligned cell of the last column is not
 * padded on the right. Returns the bytes written. */
static size_t line_cell(char *o, const char *s, size_t n, size_t width, int left, int last)
{
    const size_t pad = n < width ? width - n : 0;
    size_t k = 0;
    if (!left) {
        memset(o, ' ', pad);
        k = pad;
    }
    memcpy(o + k, s, n);
    k += n;
    if (left && !last) {
        memset(o + k, ' ', pad);
        k += pad;
    }
    return k;
}

/* A table kept as cells, as one kept as texts (every cell formatted once, as the table shows
 * it); NULL when memory ran out. */
static gex__table *texts_of_cells(const gex__table *t)
{
    gex__table *x = gex__table_new(t->columns, t->n_columns, t->currency);
    const size_t rows = t->n_columns > 0 ? t->n_cells / t->n_columns : 0;
    int st = x != NULL ? gex__table_keep_texts(x, rows) : GEX_ENOMEM;
    for (size_t i = 0; i < t->n_cells && st == GEX_OK; i++) {
        const cell *c = &t->cells[i];
        st = c->kind == 1   ? gex__table_num(x, c->v)
             : c->kind == 2 ? gex__table_text(x, c->s)
                            : gex__table_null(x);
    }
    if (st == GEX_OK)
        return x;
    gex__table_free(x);
    return NULL;
}

/* The bytes of lines an aligned table writes at once. */
#define LINES_BYTES ((size_t)64 << 10)

struct gex__table_layout {
    const gex__column *columns;
    size_t n_columns;
    size_t *width; /* each column's, over the names, the units and every part's texts */
    size_t *edge;  /* where a text starts, where a number ends, on a line */
    size_t full;   /* a line with every column at its width, two spaces between */
    size_t line;   /* the most bytes of a line, its end included */
    int has_units, last_left;
    char *head;                          /* line bytes for the names and the units */
    char (*unit)[GEX_CURRENCY_TEXT_MAX]; /* each column's unit in the first part's currency, "" for
                                            none */
};

void gex__table_layout_free(gex__table_layout *l)
{
    if (l == NULL)
        return;
    free(l->width);
    free(l->edge);
    free(l->head);
    free(l->unit);
    free(l);
}

gex__table_layout *gex__table_layout_new(const gex__table *const *parts, size_t n_parts)
{
    gex__table_layout *l = calloc(1, sizeof *l);
    if (l == NULL)
        return NULL;
    l->columns = parts[0]->columns;
    const size_t nc = l->n_columns = parts[0]->n_columns;
    l->width = calloc(nc ? nc : 1, sizeof *l->width);
    l->edge = calloc(nc ? nc : 1, sizeof *l->edge);
    l->unit = calloc(nc ? nc : 1, sizeof *l->unit);
    if (l->width == NULL || l->edge == NULL || l->unit == NULL) {
        gex__table_layout_free(l);
        return NULL;
    }
    for (size_t j = 0, at = 0; j < nc; j++) {
        const gex__column *c = &l->columns[j];
        size_t w = strlen(c->name);
        if (c->unit != NULL) {
            l->has_units = 1;
            char in[GEX_CURRENCY_TEXT_MAX];
            snprintf(l->unit[j], sizeof l->unit[j], "%s",
                     gex_currency_text(c->unit, parts[0]->currency, in, sizeof in));
            if (strlen(l->unit[j]) > w)
                w = strlen(l->unit[j]);
        }
        for (size_t k = 0; k < n_parts; k++)
            if (parts[k]->width[j] > w)
                w = parts[k]->width[j];
        l->width[j] = w;
        l->edge[j] = c->style == GEX__STYLE_TEXT ? at : at + w;
        at += w + 2;
        l->full = at - 2;
    }
    l->line = l->full + 1;
    l->last_left = nc > 0 && l->columns[nc - 1].style == GEX__STYLE_TEXT;
    if ((l->head = malloc(l->line)) == NULL) {
        gex__table_layout_free(l);
        return NULL;
    }
    return l;
}

void gex__table_layout_head(const gex__table_layout *l, const char *title, FILE *out)
{
    if (title != NULL)
        fprintf(out, "%s\n\n", title);
    char *const line = l->head;
    const size_t nc = l->n_columns;
    for (int head = 0; head < 1 + l->has_units; head++) {
        size_t o = 0;
        for (size_t j = 0; j < nc; j++) {
            const char *s = head == 0 ? l->columns[j].name : l->unit[j];
            const int left = l->columns[j].style == GEX__STYLE_TEXT;
            if (j > 0 && !(left && j + 1 == nc && s[0] == '\0')) {
                memcpy(line + o, "  ", 2);
                o += 2;
            }
            o += line_cell(line + o, s, strlen(s), l->width[j], left, j + 1 == nc);
        }
        line[o++] = '\n';
        fwrite_unlocked(line, 1, o, out);
    }
}

size_t gex__table_layout_line_bytes(const gex__table_layout *l)
{
    return l->line;
}

size_t gex__table_rows(const gex__table *part)
{
    return part->n_columns > 0 ? part->n_cells / part->n_columns : 0;
}

size_t gex__table_layout_lines(const gex__table_layout *l, const gex__table *part, size_t from,
                               size_t to, size_t *at_text, char *buf)
{
    const size_t nc = l->n_columns, last = nc > 0 ? nc - 1 : 0;
    if (nc == 0)
        return 0;
    const char *s = part->text + *at_text;
    const unsigned char *len = part->lens;
    size_t o = 0;
    for (size_t r = from; r < to; r++) {
        char *const row = buf + o;
        memset(row, ' ', l->full);
        const unsigned char *held = len + r * nc;
        size_t n = 0;
        for (size_t j = 0; j < nc; j++) {
            n = held[j];
            if (n == LEN_LONG) { /* its length before it (text_cell) */
                memcpy(&n, s, sizeof n);
                s += sizeof n;
            }
            /* a text starts at its column's start, a number ends at its column's end */
            const size_t at = l->columns[j].style == GEX__STYLE_TEXT ? l->edge[j] : l->edge[j] - n;
            memcpy(row + at, s, n);
            s += n;
        }
        size_t end = l->full;
        if (l->last_left) /* the last column is not padded on the right (n: its text's) */
            end = l->edge[last] + n;
        row[end] = '\n';
        o += end + 1;
    }
    *at_text = (size_t)(s - part->text);
    return o;
}

/* The parts as one aligned table (GEX__OUT_TABLE): the title line (if not NULL), the column
 * names, the units when a column has one, then each part's rows; every part keeps texts. Lines
 * are assembled in memory, LINES_BYTES of them a write (a printf per cell was a tenth of a warm
 * gex history, an fwrite per cell and per run of spaces a third of gex greeks). */
static int write_aligned(const gex__table *const *parts, size_t n_parts, const char *title,
                         FILE *out)
{
    gex__table_layout *l = gex__table_layout_new(parts, n_parts);
    char *lines = l != NULL ? malloc(LINES_BYTES > l->line ? LINES_BYTES : l->line) : NULL;
    if (lines == NULL) {
        gex__table_layout_free(l);
        return GEX_ENOMEM;
    }
    gex__table_layout_head(l, title, out);
    const size_t per_write = LINES_BYTES > l->line ? LINES_BYTES / l->line : 1;
    for (size_t k = 0; k < n_parts; k++) {
        const size_t rows = gex__table_rows(parts[k]);
        size_t at_text = 0;
        for (size_t r = 0; r < rows; r += per_write) {
            const size_t to = r + per_write < rows ? r + per_write : rows;
            const size_t n = gex__table_layout_lines(l, parts[k], r, to, &at_text, lines);
            fwrite_unlocked(lines, 1, n, out);
        }
    }
    free(lines);
    gex__table_layout_free(l);
    return ferror(out) ? GEX_EIO : GEX_OK;
}

static int table_write(const gex__table *const *parts, size_t n_parts, gex__out_format format,
                       const char *title, FILE *out)
{
    const gex__table *t = parts[0];
    if (t->stream != NULL)
        return ferror(t->stream) ? GEX_EIO : GEX_OK; /* written as it came */
    if (format == GEX__OUT_CSV) {
        if (t->width != NULL || n_parts != 1)
            return GEX_EINVAL; /* no cells to write */
        const size_t nc = t->n_columns, nr = gex__table_rows(t);
        for (size_t j = 0; j < nc; j++) {
            if (j)
                fputc(',', out);
            csv_field(out, t->columns[j].name, 0);
        }
        fputs("\r\n", out);
        for (size_t i = 0; i < nr; i++) {
            for (size_t j = 0; j < nc; j++) {
                if (j)
                    fputc(',', out);
                csv_cell(&t->cells[i * nc + j], out);
            }
            fputs("\r\n", out);
        }
        return ferror(out) ? GEX_EIO : GEX_OK;
    }
    if (t->width != NULL)
        return write_aligned(parts, n_parts, title, out);
    if (n_parts != 1)
        return GEX_EINVAL;   /* parts keep texts */
    if (t->n_columns == 0) { /* the title and an empty line of names */
        if (title != NULL)
            fprintf(out, "%s\n\n", title);
        fputc('\n', out);
        return ferror(out) ? GEX_EIO : GEX_OK;
    }
    gex__table *x = texts_of_cells(t);
    if (x == NULL)
        return GEX_ENOMEM;
    const gex__table *one = x;
    const int st = write_aligned(&one, 1, title, out);
    gex__table_free(x);
    return st;
}
