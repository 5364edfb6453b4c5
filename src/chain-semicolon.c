/*
 * CSV re-saved by a European spreadsheet (SPEC 2.8): `;` between fields and a decimal comma in
 * the numbers ("99,45", "1.234,56"), the CBOE or long layout otherwise unchanged. The input is
 * gathered whole (as the layouts of chain-layout.c are), its decimal mark decided from the
 * numbers the file holds, and rewritten as the comma CSV it was (fields quoted where they hold
 * a comma, numbers with a decimal point and no grouping, every line break kept so line numbers
 * stay those of the file), which the CSV reader of chain-csv.c then reads as any other.
 */
#include <stdlib.h>
#include <string.h>

#include "chain-internal.h"
#include "chain-layout-internal.h"

/* What a cell's text says about the decimal mark. */
typedef enum mark_evidence {
    MARK_NONE = 0,    /* not a number (text, a date such as 22.03.2024), or digits alone */
    MARK_COMMA,       /* a decimal comma for sure: "99,45", "0,123", "1.234,5", "1.234.567" */
    MARK_POINT,       /* a decimal point for sure: "99.45", "1,234.5", "1,234,567" */
    MARK_AMBIG_COMMA, /* "1,250": a decimal comma, or a thousands separator */
    MARK_AMBIG_POINT, /* "1.250": a decimal point, or a thousands separator */
} mark_evidence;

/* The parts of a cell read as a number: an optional sign, a body of digits and separators, an
 * optional exponent and an optional final '%'. 0 when the cell is no such thing. */
typedef struct number_shape {
    size_t body, body_len; /* the digits and separators */
    size_t commas, points;
    size_t last_sep; /* offset in the body of the last separator */
} number_shape;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int shape_of(const char *s, size_t len, number_shape *sh)
{
    size_t i = 0;
    memset(sh, 0, sizeof *sh);
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i >= len || !is_digit(s[i]))
        return 0;
    sh->body = i;
    while (i < len && (is_digit(s[i]) || s[i] == ',' || s[i] == '.')) {
        if (s[i] == ',' || s[i] == '.') {
            if (i + 1 >= len || !is_digit(s[i + 1]))
                return 0; /* a separator must be followed by a digit */
            sh->commas += s[i] == ',';
            sh->points += s[i] == '.';
            sh->last_sep = i - sh->body;
        }
        i++;
    }
    sh->body_len = i - sh->body;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= len || !is_digit(s[i]))
            return 0;
        while (i < len && is_digit(s[i]))
            i++;
    }
    if (i < len && s[i] == '%')
        i++;
    return i == len;
}

/* Whether body[0..n) is digits grouped by sep in threes: 1 to 3 digits, then ",ddd" groups. */
static int grouped(const char *b, size_t n, char sep)
{
    size_t first = 0;
    while (first < n && is_digit(b[first]))
        first++;
    if (first == 0 || first > 3 || first == n)
        return 0;
    for (size_t i = first; i < n; i += 4)
        if (b[i] != sep || i + 4 > n || !is_digit(b[i + 1]) || !is_digit(b[i + 2]) ||
            !is_digit(b[i + 3]))
            return 0;
    return 1;
}

static mark_evidence evidence(const char *s, size_t len, number_shape *sh)
{
    if (!shape_of(s, len, sh) || sh->commas + sh->points == 0)
        return MARK_NONE;
    const char *b = s + sh->body;
    size_t n = sh->body_len, last = sh->last_sep;
    char dec = b[last];
    if (sh->commas > 0 && sh->points > 0) {
        /* The last separator is the decimal mark, the others group thousands. */
        if ((dec == ',' ? sh->commas : sh->points) != 1 ||
            !grouped(b, last, dec == ',' ? '.' : ','))
            return MARK_NONE;
        return dec == ',' ? MARK_COMMA : MARK_POINT;
    }
    if (sh->commas + sh->points > 1) /* "1.234.567": only grouping has two */
        return grouped(b, n, dec) ? (dec == '.' ? MARK_COMMA : MARK_POINT) : MARK_NONE;
    /* One separator: three digits after it and one to three before, not led by a zero, could
     * group thousands. */
    if (n - last - 1 == 3 && last >= 1 && last <= 3 && b[0] != '0')
        return dec == ',' ? MARK_AMBIG_COMMA : MARK_AMBIG_POINT;
    return dec == ',' ? MARK_COMMA : MARK_POINT;
}

/* One field of a `;`-separated line: its text (unquoted when it was quoted: doubled quotes
 * kept doubled, as in the file), its line and whether it was quoted. */
typedef struct field {
    const char *s;
    size_t len;
    int quoted;
    int last; /* the last field of its record */
    long line, column;
} field;

typedef struct scanner {
    const char *text;
    size_t len, pos;
    long line, column;
    int at_record_end;
    long header_line; /* before it, a quote ends with its line (CBOE preambles leave some open) */
} scanner;

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* The next field, its terminator (';', a line break or the end) consumed; *eol_out the line
 * break's bytes (0, 1 or 2) when it ends a record. 1 with a field, 0 at the end of the text, -1
 * for a quote never closed (f->line its line). */
static int next_field(scanner *sc, field *f, size_t *eol_out)
{
    if (sc->pos >= sc->len)
        return 0;
    if (sc->at_record_end) {
        sc->at_record_end = 0;
        sc->column = 1;
    }
    const char *t = sc->text;
    size_t i = sc->pos;
    f->line = sc->line;
    f->column = sc->column;
    f->quoted = 0;
    while (i < sc->len && (t[i] == ' ' || t[i] == '\t'))
        i++;
    if (i < sc->len && t[i] == '"') {
        size_t start = ++i;
        long nl = 0;
        int open_to_eol = 0;
        for (;;) {
            if (i >= sc->len || (sc->line < sc->header_line && t[i] == '\n')) {
                if (sc->line >= sc->header_line)
                    return -1;
                open_to_eol = 1; /* a preamble's unbalanced quote: the field ends its line */
                i -= i > start && t[i - 1] == '\r';
                break;
            }
            if (t[i] == '"') {
                if (i + 1 < sc->len && t[i + 1] == '"') {
                    i += 2;
                    continue;
                }
                break;
            }
            nl += t[i] == '\n';
            i++;
        }
        f->s = t + start;
        f->len = i - start;
        f->quoted = 1;
        sc->line += nl;
        if (!open_to_eol)
            i++;
        while (i < sc->len && t[i] != ';' && t[i] != '\n' && t[i] != '\r')
            i++; /* text after the closing quote: dropped, as a CSV reader does */
    } else {
        size_t start = i;
        while (i < sc->len && t[i] != ';' && t[i] != '\n' && t[i] != '\r')
            i++;
        f->s = t + start;
        f->len = i - start;
        trim(&f->s, &f->len);
    }
    *eol_out = 0;
    f->last = 1;
    if (i < sc->len && t[i] == ';') {
        f->last = 0;
        i++;
        sc->column++;
    } else if (i < sc->len) {
        *eol_out = t[i] == '\r' && i + 1 < sc->len && t[i + 1] == '\n' ? 2 : 1;
        i += *eol_out;
        sc->line++;
        sc->at_record_end = 1;
    }
    sc->pos = i;
    return 1;
}

/* The first cell of each kind of evidence, for the messages. */
typedef struct evidence_seen {
    int seen;
    long line, column;
    char text[40];
} evidence_seen;

static void note(evidence_seen *e, const field *f)
{
    if (e->seen)
        return;
    e->seen = 1;
    e->line = f->line;
    e->column = f->column;
    size_t n = f->len < sizeof e->text - 1 ? f->len : sizeof e->text - 1;
    memcpy(e->text, f->s, n);
    e->text[n] = '\0';
}

static int unclosed(gex__reader *r, const scanner *sc)
{
    return gex_error_set(r->err, GEX_EPARSE, r->name, sc->line, 0,
                         "a quote opened in the row of this line is never closed: the rest of "
                         "the file would be one field; close the quote, or remove it");
}

/* Decides the decimal mark from every cell: ',' or '.', or 0 when no number has one. */
static int decide_mark(gex__reader *r, const char *text, size_t len, long header_line, char *mark)
{
    evidence_seen ev[5];
    memset(ev, 0, sizeof ev);
    scanner sc = {text, len, 0, 1, 1, 0, header_line};
    field f;
    size_t eol;
    int got;
    while ((got = next_field(&sc, &f, &eol)) > 0) {
        number_shape sh;
        note(&ev[evidence(f.s, f.len, &sh)], &f);
    }
    if (got < 0)
        return unclosed(r, &sc);
    const evidence_seen *c = &ev[MARK_COMMA], *p = &ev[MARK_POINT];
    if (c->seen && p->seen)
        return gex_error_set(
            r->err, GEX_EFORMAT, r->name, c->line, c->column,
            "a `;`-separated CSV whose numbers mix decimal marks: \"%s\" (line %ld, column %ld) "
            "has a decimal comma, \"%s\" (line %ld, column %ld) a decimal point; re-save the "
            "file with one decimal mark (or as a comma-separated CSV)",
            c->text, c->line, c->column, p->text, p->line, p->column);
    if (c->seen) {
        *mark = ',';
        return GEX_OK;
    }
    if (p->seen) {
        *mark = '.';
        return GEX_OK;
    }
    const evidence_seen *a = ev[MARK_AMBIG_COMMA].seen   ? &ev[MARK_AMBIG_COMMA]
                             : ev[MARK_AMBIG_POINT].seen ? &ev[MARK_AMBIG_POINT]
                                                         : NULL;
    if (a != NULL)
        return gex_error_set(
            r->err, GEX_EFORMAT, r->name, a->line, a->column,
            "a `;`-separated CSV whose decimal mark cannot be told: \"%s\" (line %ld, column "
            "%ld) is %s, and no number of the file has a mark that only a decimal can be; "
            "re-save the file as a comma-separated CSV, or with more decimals",
            a->text, a->line, a->column,
            a == &ev[MARK_AMBIG_COMMA] ? "a decimal comma or a thousands separator"
                                       : "a decimal point or a thousands separator");
    *mark = 0;
    return GEX_OK;
}

/* Appends the field as a comma CSV field: a number in the decimal mark `mark` rewritten with a
 * point and no grouping, other text quoted when it holds a comma, a quote or a line break. */
static size_t put_field(char *out, const field *f, char mark)
{
    number_shape sh;
    size_t n = 0;
    mark_evidence e = mark != 0 ? evidence(f->s, f->len, &sh) : MARK_NONE;
    if (e != MARK_NONE) {
        for (size_t i = 0; i < f->len; i++) {
            char ch = f->s[i];
            int in_body = i >= sh.body && i < sh.body + sh.body_len;
            if (in_body && (ch == ',' || ch == '.')) {
                if (ch != mark)
                    continue; /* grouping */
                ch = '.';
            }
            out[n++] = ch;
        }
        return n;
    }
    int quote = f->quoted || memchr(f->s, ',', f->len) != NULL;
    if (quote)
        out[n++] = '"';
    memcpy(out + n, f->s, f->len); /* a quoted field's doubled quotes stay doubled */
    n += f->len;
    if (quote)
        out[n++] = '"';
    return n;
}

int gex__read_semicolon(gex__reader *r, const gex__detected *det, const char *prefix, size_t len,
                        gex__pull_fn next, void *data)
{
    char *in = NULL;
    size_t in_len = 0;
    int rc =
        gex__layout_gather(r, gex_format_name(det->format), prefix, len, next, data, &in, &in_len);
    if (rc != GEX_OK)
        return rc;
    char mark = 0;
    rc = decide_mark(r, in, in_len, det->header_line, &mark);
    /* Each field grows by at most its two quotes, and the number of fields is at most the
     * number of separators and line breaks plus one. */
    char *out = rc == GEX_OK ? malloc(3 * in_len + 3) : NULL;
    if (rc == GEX_OK && out == NULL)
        rc = gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    size_t n = 0;
    if (rc == GEX_OK) {
        scanner sc = {in, in_len, 0, 1, 1, 0, det->header_line};
        field f;
        size_t eol;
        while (next_field(&sc, &f, &eol) > 0) {
            n += put_field(out + n, &f, mark);
            if (!f.last)
                out[n++] = ',';
            else if (eol > 0) {
                memcpy(out + n, in + sc.pos - eol, eol);
                n += eol;
            }
        }
    }
    free(in);
    if (rc == GEX_OK) {
        /* The comma CSV is detected again, as any input is, and read whole. */
        gex__detected again;
        memset(&again, 0, sizeof again);
        rc = gex__detect(r, out, n, 1, &again);
        if (rc == GEX_OK && (again.format != det->format || again.semicolon))
            rc = gex_error_set(r->err, GEX_EFORMAT, r->name, det->header_line, 0,
                               "a `;`-separated %s header whose fields do not read back as one; "
                               "re-save the file as a comma-separated CSV",
                               gex_format_name(det->format));
        if (rc == GEX_OK)
            rc = gex__read_csv(r, &again, out, n, NULL, NULL);
    }
    free(out);
    return rc;
}
