/*
 * A pull tokenizer of JSON (RFC 8259) for the streaming chain readers: the input arrives in
 * chunks into one buffer that holds at least the token being read (it grows only for a token
 * longer than itself, up to GEX__JSON_TOKEN_MAX); strings are unescaped in place. The grammar
 * is checked as the tokens come (a stack of the open containers), so a reader that walks the
 * tokens sees only well-formed structure, and errors carry the line and column. Beside the
 * token-by-token path, two shortcuts for the readers' records: a member of plain strings and a
 * scalar read in one step (gex__json_member), and the run of members a record repeats from the
 * one before read in one call (gex__json_members_known); each hands anything else to the
 * token-by-token path from the same place, so the tokens and errors are the same.
 */
#include "json-pull-internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal-internal.h"
#include "gex/error.h"
#include "error-internal.h"

/* The first buffer: 64 KiB, as many whole records as the chunk reads give. */
#define JSON_BUF_INITIAL ((size_t)64 * 1024)

enum { BEFORE_VALUE, BEFORE_KEY, AFTER_KEY, AFTER_VALUE, FAILED };
enum { IN_OBJECT = 1, IN_ARRAY = 2 };

int gex__json_init(gex__json *j, gex__chunk_fn next, void *data)
{
    memset(j, 0, sizeof *j);
    j->next = next;
    j->data = data;
    j->cap = JSON_BUF_INITIAL;
    j->buf = malloc(j->cap + GEX__JSON_PAD);
    j->line = 1;
    j->state = BEFORE_VALUE;
    return j->buf != NULL ? GEX_OK : GEX_ENOMEM;
}

void gex__json_free(gex__json *j)
{
    free(j->buf);
    j->buf = NULL;
}

static gex__jtok fail_at(gex__json *j, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Records the error at buf offset at; the tokenizer stays failed. */
static gex__jtok fail_at(gex__json *j, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gex__vsnprintf_c(j->error, sizeof j->error, fmt, ap);
    va_end(ap);
    j->tok_line = j->line;
    j->tok_col = (long)(j->base + at - j->line_abs) + 1;
    j->state = FAILED;
    return GEX__JTOK_ERROR;
}

/* Reads more input, keeping buf[keep..len) (moved to the front). Returns the bytes read (0 at
 * the end or when the buffer cannot grow: then *grow_failed). */
static size_t refill(gex__json *j, size_t keep, int *grow_failed)
{
    *grow_failed = 0;
    if (j->eof)
        return 0;
    if (keep > 0) {
        memmove(j->buf, j->buf + keep, j->len - keep);
        j->len -= keep;
        j->pos -= keep;
        j->base += keep;
    }
    if (j->len == j->cap) {
        if (j->cap >= GEX__JSON_TOKEN_MAX + JSON_BUF_INITIAL) {
            *grow_failed = 1;
            return 0;
        }
        char *grown = realloc(j->buf, 2 * j->cap + GEX__JSON_PAD);
        if (grown == NULL) {
            *grow_failed = 2;
            return 0;
        }
        j->buf = grown;
        j->cap *= 2;
    }
    size_t got = j->next(j->buf + j->len, j->cap - j->len, j->data);
    if (got == 0)
        j->eof = 1;
    j->len += got;
    return got;
}

/* Skips blanks, counting lines; 1 when a byte follows, 0 at the end of the input. */
static int skip_blanks(gex__json *j)
{
    if (j->pos < j->len && (unsigned char)j->buf[j->pos] > ' ')
        return 1;
    for (;;) {
        while (j->pos < j->len) {
            char c = j->buf[j->pos];
            if (c == '\n') {
                j->line++;
                j->line_abs = j->base + j->pos + 1;
            } else if (c != ' ' && c != '\t' && c != '\r')
                return 1;
            j->pos++;
        }
        int g;
        if (refill(j, j->pos, &g) == 0)
            return 0;
    }
}

static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d > 15)
            return -1;
        *v = *v * 16 + d;
    }
    return 0;
}

/* Unescapes buf[from..to) in place; the length written, or -1 at a bad escape (*bad its
 * offset). */
static long unescape(char *buf, size_t from, size_t to, size_t *bad)
{
    size_t w = from;
    for (size_t i = from; i < to;) {
        char c = buf[i];
        if (c != '\\') {
            buf[w++] = c;
            i++;
            continue;
        }
        *bad = i;
        if (i + 1 >= to)
            return -1;
        char e = buf[i + 1];
        static const char plain[] = "\"\\/bfnrt", value[] = "\"\\/\b\f\n\r\t";
        const char *p = e != '\0' ? strchr(plain, e) : NULL;
        if (p != NULL) {
            buf[w++] = value[p - plain];
            i += 2;
            continue;
        }
        unsigned u;
        if (e != 'u' || i + 6 > to || hex4(buf + i + 2, &u) != 0)
            return -1;
        i += 6;
        if (u >= 0xD800 && u <= 0xDBFF) { /* a surrogate pair (RFC 8259, 7) */
            unsigned lo;
            if (i + 6 > to || buf[i] != '\\' || buf[i + 1] != 'u' || hex4(buf + i + 2, &lo) != 0 ||
                lo < 0xDC00 || lo > 0xDFFF)
                return -1;
            i += 6;
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        } else if (u >= 0xDC00 && u <= 0xDFFF)
            return -1;
        /* UTF-8 of u: never longer than the 6 or 12 bytes of its escape. */
        if (u < 0x80)
            buf[w++] = (char)u;
        else if (u < 0x800) {
            buf[w++] = (char)(0xC0 | (u >> 6));
            buf[w++] = (char)(0x80 | (u & 0x3F));
        } else if (u < 0x10000) {
            buf[w++] = (char)(0xE0 | (u >> 12));
            buf[w++] = (char)(0x80 | ((u >> 6) & 0x3F));
            buf[w++] = (char)(0x80 | (u & 0x3F));
        } else {
            buf[w++] = (char)(0xF0 | (u >> 18));
            buf[w++] = (char)(0x80 | ((u >> 12) & 0x3F));
            buf[w++] = (char)(0x80 | ((u >> 6) & 0x3F));
            buf[w++] = (char)(0x80 | (u & 0x3F));
        }
    }
    return (long)(w - from);
}

static gex__jtok too_long(gex__json *j, int g)
{
    if (g == 2)
        return fail_at(j, j->pos, "out of memory");
    return fail_at(j, j->pos, "a string or number longer than %zu MiB: not a chain's",
                   GEX__JSON_TOKEN_MAX >> 20);
}

/* The bytes that end the plain run of a string: '"', '\\' and the control characters. */
static const unsigned char string_special_table[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0A] = 1, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1,
    [0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1,
    [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1, ['"'] = 1,  ['\\'] = 1,
};

static int string_special(unsigned char c)
{
    return string_special_table[c];
}

/* A string at buf[pos] == '"'. */
static gex__jtok read_string(gex__json *j, gex__jtok kind)
{
    size_t i = j->pos + 1;
    int escaped = 0;
    for (;;) {
        while (i < j->len) {
            const unsigned char *b = (const unsigned char *)j->buf;
            while (i + 4 <= j->len && !string_special(b[i]) && !string_special(b[i + 1]) &&
                   !string_special(b[i + 2]) && !string_special(b[i + 3]))
                i += 4;
            while (i < j->len && !string_special(b[i]))
                i++;
            if (i >= j->len)
                break;
            unsigned char c = b[i];
            if (c == '"')
                break;
            if (c == '\\') {
                escaped = 1;
                i += 2;
                continue;
            }
            if (c < 0x20)
                return fail_at(j, i, "a control character (0x%02x) inside a string", c);
            i++;
        }
        if (i < j->len)
            break;
        size_t start = j->pos;
        int g;
        if (refill(j, start, &g) == 0) {
            if (g != 0)
                return too_long(j, g);
            return fail_at(j, j->pos, "the document ends inside a string");
        }
        i -= start;
    }
    size_t from = j->pos + 1;
    long n = (long)(i - from);
    if (escaped) {
        size_t bad = 0;
        n = unescape(j->buf, from, i, &bad);
        if (n < 0)
            return fail_at(j, bad, "a bad escape in a string");
    }
    j->text = j->buf + from;
    j->len_text = (size_t)n;
    j->pos = i + 1;
    return kind;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The end of the number -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (RFC 8259, 6) that
 * starts at s[0], n bytes available: its length, or -1 when malformed, or -2 when it may go on
 * past s[n). */
static long scan_number(const char *s, size_t n, int eof)
{
    size_t k = 0;
#define NEED_MORE()                                                                                \
    do {                                                                                           \
        if (k >= n)                                                                                \
            return eof ? -1 : -2;                                                                  \
    } while (0)
    if (s[k] == '-')
        k++;
    NEED_MORE();
    if (s[k] == '0')
        k++;
    else if (is_digit(s[k]))
        while (k < n && is_digit(s[k]))
            k++;
    else
        return -1;
    if (k >= n)
        return eof ? (long)k : -2;
    if (s[k] == '.') {
        k++;
        NEED_MORE();
        if (!is_digit(s[k]))
            return -1;
        while (k < n && is_digit(s[k]))
            k++;
        if (k >= n)
            return eof ? (long)k : -2;
    }
    if (s[k] == 'e' || s[k] == 'E') {
        k++;
        NEED_MORE();
        if (s[k] == '+' || s[k] == '-')
            k++;
        NEED_MORE();
        if (!is_digit(s[k]))
            return -1;
        while (k < n && is_digit(s[k]))
            k++;
        if (k >= n)
            return eof ? (long)k : -2;
    }
#undef NEED_MORE
    /* A number ends at a byte that cannot continue it. */
    char c = s[k];
    if (is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
        return -1;
    return (long)k;
}

/* A number at buf[pos] (a digit or '-'). */
static gex__jtok read_number(gex__json *j)
{
    for (;;) {
        long k = scan_number(j->buf + j->pos, j->len - j->pos, j->eof);
        if (k == -1)
            return fail_at(j, j->pos, "a malformed number");
        if (k > GEX__JSON_NUMBER_MAX || (k == -2 && j->len - j->pos > GEX__JSON_NUMBER_MAX))
            return fail_at(j, j->pos, "a number of more than %d characters", GEX__JSON_NUMBER_MAX);
        if (k >= 0) {
            j->text = j->buf + j->pos;
            j->len_text = (size_t)k;
            j->pos += (size_t)k;
            return GEX__JTOK_NUMBER;
        }
        int g;
        refill(j, j->pos, &g);
        if (g != 0)
            return too_long(j, g);
    }
}

static gex__jtok read_literal(gex__json *j)
{
    while (j->len - j->pos < 5 && !j->eof) {
        int g;
        refill(j, j->pos, &g);
    }
    size_t avail = j->len - j->pos;
    const char *s = j->buf + j->pos;
    static const struct {
        const char *text;
        size_t len;
        gex__jtok tok;
    } lits[] = {
        {"true", 4, GEX__JTOK_TRUE}, {"false", 5, GEX__JTOK_FALSE}, {"null", 4, GEX__JTOK_NULL}};
    for (size_t k = 0; k < 3; k++)
        if (avail >= lits[k].len && memcmp(s, lits[k].text, lits[k].len) == 0) {
            j->pos += lits[k].len;
            j->text = lits[k].text;
            j->len_text = lits[k].len;
            return lits[k].tok;
        }
    return fail_at(j, j->pos, "an unexpected character '%c'", s[0]);
}

static gex__jtok push(gex__json *j, int kind, gex__jtok tok)
{
    if (j->depth >= GEX__JSON_DEPTH_MAX)
        return fail_at(j, j->pos, "containers nested more than %d deep", GEX__JSON_DEPTH_MAX);
    j->stack[j->depth++] = (unsigned char)kind;
    j->pos++;
    j->first = 1;
    j->state = kind == IN_OBJECT ? BEFORE_KEY : BEFORE_VALUE;
    return tok;
}

static gex__jtok pop(gex__json *j, gex__jtok tok)
{
    j->depth--;
    j->pos++;
    j->first = 0;
    j->state = AFTER_VALUE;
    if (j->depth == 0)
        j->done = 1;
    return tok;
}

static gex__jtok scalar(gex__json *j, gex__jtok tok)
{
    j->state = AFTER_VALUE;
    j->first = 0;
    if (j->depth == 0)
        j->done = 1;
    return tok;
}

gex__jtok gex__json_next(gex__json *j)
{
    for (;;) {
        if (j->state == FAILED)
            return GEX__JTOK_ERROR;
        if (!skip_blanks(j)) {
            if (j->done)
                return GEX__JTOK_END;
            return fail_at(j, j->pos,
                           j->depth > 0 || j->state != BEFORE_VALUE
                               ? "the document ends early (%d containers left open)"
                               : "the document is empty%.0d",
                           j->depth);
        }
        j->tok_line = j->line;
        j->tok_col = (long)(j->base + j->pos - j->line_abs) + 1;
        char c = j->buf[j->pos];
        int top = j->depth > 0 ? j->stack[j->depth - 1] : 0;
        switch (j->state) {
        case AFTER_VALUE:
            if (j->depth == 0)
                return fail_at(j, j->pos, "more after the end of the document");
            if (c == ',') {
                j->pos++;
                j->first = 0;
                j->state = top == IN_OBJECT ? BEFORE_KEY : BEFORE_VALUE;
                continue;
            }
            if (c == '}' && top == IN_OBJECT)
                return pop(j, GEX__JTOK_OBJECT_END);
            if (c == ']' && top == IN_ARRAY)
                return pop(j, GEX__JTOK_ARRAY_END);
            return fail_at(j, j->pos, "'%c' where ',' or '%c' was expected", c,
                           top == IN_OBJECT ? '}' : ']');
        case BEFORE_KEY:
            if (c == '}' && j->first)
                return pop(j, GEX__JTOK_OBJECT_END);
            if (c != '"')
                return fail_at(j, j->pos, "'%c' where a key (a string) was expected", c);
            j->state = AFTER_KEY;
            return read_string(j, GEX__JTOK_KEY);
        case AFTER_KEY:
            if (c != ':')
                return fail_at(j, j->pos, "'%c' where ':' was expected", c);
            j->pos++;
            j->state = BEFORE_VALUE;
            continue;
        case BEFORE_VALUE:
            if (c == ']' && j->first && top == IN_ARRAY)
                return pop(j, GEX__JTOK_ARRAY_END);
            if (c == '{')
                return push(j, IN_OBJECT, GEX__JTOK_OBJECT);
            if (c == '[')
                return push(j, IN_ARRAY, GEX__JTOK_ARRAY);
            if (c == '"') {
                gex__jtok t = read_string(j, GEX__JTOK_STRING);
                return t == GEX__JTOK_ERROR ? t : scalar(j, t);
            }
            if (c == '-' || is_digit(c)) {
                gex__jtok t = read_number(j);
                return t == GEX__JTOK_ERROR ? t : scalar(j, t);
            }
            {
                gex__jtok t = read_literal(j);
                return t == GEX__JTOK_ERROR ? t : scalar(j, t);
            }
        default:
            return GEX__JTOK_ERROR;
        }
    }
}

/* The end of the plain string that starts after the quote at buf[at]: the offset of its
 * closing quote, or 0 when the string holds an escape or a control character, or is not
 * whole in the buffer (the general path then reads it). */
static size_t plain_string_end(const gex__json *j, size_t at)
{
    const unsigned char *b = (const unsigned char *)j->buf;
    size_t i = at + 1;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Eight bytes at a time: the bytes that are '"', '\\' or below 0x20 (string_special), each
     * test exact (no carry between bytes), so the lowest one found is the first. */
    const uint64_t ones = UINT64_C(0x0101010101010101), low7 = ones * 0x7F;
    while (i + 8 <= j->len) {
        uint64_t x;
        memcpy(&x, b + i, 8);
        /* (b & 0x7F) + 0x60 reaches 0x80 exactly when b & 0x7F >= 0x20 */
        const uint64_t control = ~(((x & low7) + ones * 0x60) | x | low7);
        const uint64_t m = gex__swar_zero_bytes(x ^ (ones * '"')) |
                           gex__swar_zero_bytes(x ^ (ones * '\\')) | control;
        if (m != 0) {
            i += (size_t)__builtin_ctzll(m) / 8;
            return b[i] == '"' ? i : 0;
        }
        i += 8;
    }
#endif
    while (i < j->len && !string_special(b[i]))
        i++;
    return i < j->len && b[i] == '"' ? i : 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static const uint64_t byte_ones = UINT64_C(0x0101010101010101);

/* The bytes of x that are not ASCII digits, as 0x80 in each, exact up to the lowest such byte
 * (that one included): a byte is a digit when its high nibble is 3 and adding 6 keeps it so; a
 * carry out of a byte comes only from a non-digit (>= 0xFA). */
static inline uint64_t non_digit_bytes(uint64_t x)
{
    const uint64_t hi = byte_ones * 0xF0;
    const uint64_t v =
        ((x & hi) ^ (byte_ones * 0x30)) | (((x + byte_ones * 0x06) & hi) ^ (byte_ones * 0x30));
    /* the bytes of v that are not zero, each found exactly */
    return (((v & (byte_ones * 0x7F)) + byte_ones * 0x7F) | v) & (byte_ones * 0x80);
}
#endif

/* The length of the number at buf[p] when it is digits with at most one point and nothing
 * unusual around them (a minus, no leading zero before a digit, no exponent), scanned a word at
 * a time; 0 for any other (scan_number then decides, so the result is always its). */
static size_t plain_number_len(const gex__json *j, size_t p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const unsigned char *b = (const unsigned char *)j->buf;
    size_t k = p + (b[p] == '-');
    if (k + 8 > j->len)
        return 0;
    uint64_t x;
    memcpy(&x, b + k, 8);
    /* A number of less than 8 bytes after its sign, in one word: the digits, its point, and
     * the first other byte (each found exactly up to the first such byte). */
    const uint64_t non_digit = non_digit_bytes(x);
    const uint64_t point_at = gex__swar_zero_bytes(x ^ (byte_ones * '.'));
    const uint64_t other = non_digit & ~point_at;
    if (other != 0) {
        const size_t n = (size_t)__builtin_ctzll(other) / 8;
        const uint64_t points = point_at & ((UINT64_C(1) << (8 * n)) - 1);
        const unsigned char c = b[k + n];
        if (n == 0 || b[k] == '.' || (points & (points - 1)) != 0 ||
            (points != 0 && (points >> (8 * (n - 1))) != 0) ||
            (b[k] == '0' && n > 1 && b[k + 1] != '.') || c == 'e' || c == 'E' || c == '+' ||
            c == '-')
            return 0;
        return k + n - p;
    }
    int point = 0;
    for (;;) {
        /* The run of digits from k, 8 bytes at a time. */
        size_t run = 0;
        for (;;) {
            if (k + run + 8 > j->len)
                return 0;
            memcpy(&x, b + k + run, 8);
            const uint64_t nz = non_digit_bytes(x);
            if (nz != 0) {
                run += (size_t)__builtin_ctzll(nz) / 8;
                break;
            }
            run += 8;
        }
        if (run == 0 || (!point && b[k] == '0' && run > 1))
            return 0;
        k += run;
        if (point || b[k] != '.')
            break;
        point = 1;
        k++;
    }
    const unsigned char c = b[k];
    if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
        return 0;
    return k - p;
#else
    (void)j;
    (void)p;
    return 0;
#endif
}

/* The scalar value of a member at buf[p] (a non-blank byte) read in one step: its token, with
 * j->text, j->len_text set and *end after it; GEX__JTOK_END when it is not a scalar whole in
 * the buffer and plain (the general path reads it). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline gex__jtok
member_value(gex__json *j, size_t p, size_t *end)
{
    const char c = j->buf[p];
    gex__jtok t;
    if (c == '"') {
        size_t q = plain_string_end(j, p);
        if (q == 0)
            return GEX__JTOK_END;
        t = GEX__JTOK_STRING;
        j->text = j->buf + p + 1;
        j->len_text = q - p - 1;
        *end = q + 1;
    } else if (c == '-' || is_digit(c)) {
        size_t n = plain_number_len(j, p);
        long k = n > 0 ? (long)n : scan_number(j->buf + p, j->len - p, j->eof);
        if (k < 0 || k > GEX__JSON_NUMBER_MAX)
            return GEX__JTOK_END;
        t = GEX__JTOK_NUMBER;
        j->text = j->buf + p;
        j->len_text = (size_t)k;
        *end = p + (size_t)k;
    } else if (j->len - p >= 5 && (c == 't' || c == 'f' || c == 'n')) {
        /* read_literal's comparison, with the five bytes it would wait for at hand */
        const char *s = j->buf + p;
        size_t n = memcmp(s, "true", 4) == 0    ? 4
                   : memcmp(s, "false", 5) == 0 ? 5
                   : memcmp(s, "null", 4) == 0  ? 4
                                                : 0;
        if (n == 0)
            return GEX__JTOK_END;
        t = c == 't' ? GEX__JTOK_TRUE : c == 'f' ? GEX__JTOK_FALSE : GEX__JTOK_NULL;
        j->text = c == 't' ? "true" : c == 'f' ? "false" : "null";
        j->len_text = n;
        *end = p + n;
    } else
        /* objects, arrays, blanks across lines, a short buffer: the general path */
        return GEX__JTOK_END;
    return t;
}

/* Skips spaces, tabs and CRs from p (no newline: the line stays the same); the offset of the
 * next byte, or len. */
static size_t skip_inline_blanks(const gex__json *j, size_t p)
{
    while (p < j->len && (j->buf[p] == ' ' || j->buf[p] == '\t' || j->buf[p] == '\r'))
        p++;
    return p;
}

/* The member's value token of the general path: the key read by gex__json_next, copied (its
 * first GEX__JSON_KEY_KEPT bytes) before the value's token may move the buffer. */
static gex__jtok member_general(gex__json *j, const char **key, size_t *key_len)
{
    gex__jtok t = gex__json_next(j);
    if (t != GEX__JTOK_KEY)
        return t == GEX__JTOK_OBJECT_END ? t : GEX__JTOK_ERROR;
    size_t n = j->len_text < GEX__JSON_KEY_KEPT ? j->len_text : GEX__JSON_KEY_KEPT;
    memcpy(j->key_kept, j->text, n);
    *key = j->key_kept;
    *key_len = j->len_text;
    t = gex__json_next(j);
    return t == GEX__JTOK_END ? GEX__JTOK_ERROR : t;
}

gex__jtok gex__json_member(gex__json *j, const char **key, size_t *key_len)
{
    /* The fast path: the separator, the key, the colon and a scalar value all in the buffer, on
     * one line, the key and a string value without escapes. Nothing is consumed until the
     * whole member is seen; anything else is read by the general path from the same place, so
     * the tokens and the errors are the general path's. */
    if (j->general || j->depth == 0 || j->stack[j->depth - 1] != IN_OBJECT)
        return member_general(j, key, key_len);
    size_t p = j->pos;
    if (j->state == AFTER_VALUE) {
        p = skip_inline_blanks(j, p);
        if (p >= j->len || j->buf[p] != ',')
            return member_general(j, key, key_len);
        p++;
    } else if (j->state != BEFORE_KEY)
        return member_general(j, key, key_len);
    p = skip_inline_blanks(j, p);
    if (p >= j->len || j->buf[p] != '"')
        return member_general(j, key, key_len);
    size_t key_end = plain_string_end(j, p);
    if (key_end == 0)
        return member_general(j, key, key_len);
    size_t key_at = p + 1;
    p = skip_inline_blanks(j, key_end + 1);
    if (p >= j->len || j->buf[p] != ':')
        return member_general(j, key, key_len);
    p = skip_inline_blanks(j, p + 1);
    if (p >= j->len)
        return member_general(j, key, key_len);
    size_t end;
    const gex__jtok t = member_value(j, p, &end);
    if (t == GEX__JTOK_END)
        return member_general(j, key, key_len);
    *key = j->buf + key_at;
    *key_len = key_end - key_at;
    j->tok_line = j->line;
    j->tok_col = (long)(j->base + p - j->line_abs) + 1;
    j->pos = end;
    j->state = AFTER_VALUE;
    j->first = 0;
    return t;
}

/* tmpl[0..n) == b[0..n), a word at a time: b has 8 bytes readable past n, tmpl up to n rounded
 * up to 8. */
static int same_words(const char *b, const char *tmpl, size_t n)
{
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t x, y;
        memcpy(&x, b + k, 8);
        memcpy(&y, tmpl + k, 8);
        if (x != y)
            return 0;
    }
    if (k == n)
        return 1;
    uint64_t x, y;
    memcpy(&x, b + k, 8);
    memcpy(&y, tmpl + k, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t mask = (UINT64_C(1) << (8 * (n - k))) - 1;
    return ((x ^ y) & mask) == 0;
#else
    return memcmp(b + k, tmpl + k, n - k) == 0;
#endif
}

size_t gex__json_members_known(gex__json *j, const gex__jknown *known, size_t count,
                               gex__jvalue *out)
{
    if (j->general || j->depth == 0 || j->stack[j->depth - 1] != IN_OBJECT)
        return 0;
    if (j->state != AFTER_VALUE && j->state != BEFORE_KEY)
        return 0;
    size_t p = j->pos, got = 0;
    int after_value = j->state == AFTER_VALUE;
    for (; got < count && known[got].len > 0; got++) {
        const size_t n = known[got].len;
        size_t q = p;
        if (after_value) {
            if (q >= j->len || j->buf[q] != ',')
                break;
            q++;
        }
        if (j->len - q < n + 8 || !same_words(j->buf + q, known[got].text, n))
            break;
        q = skip_inline_blanks(j, q + n);
        if (q >= j->len)
            break;
        size_t end;
        const gex__jtok t = member_value(j, q, &end);
        if (t == GEX__JTOK_END)
            break;
        out[got].type = t;
        out[got].text = j->text;
        out[got].len = j->len_text;
        j->tok_col = (long)(j->base + q - j->line_abs) + 1;
        p = end;
        after_value = 1;
    }
    if (got > 0) {
        /* the state after the last member read, as gex__json_member leaves it */
        j->tok_line = j->line;
        j->pos = p;
        j->state = AFTER_VALUE;
        j->first = 0;
    }
    return got;
}

gex__jtok gex__json_skip(gex__json *j, gex__jtok t)
{
    if (t != GEX__JTOK_OBJECT && t != GEX__JTOK_ARRAY)
        return t;
    int depth = j->depth - 1;
    for (;;) {
        gex__jtok u = gex__json_next(j);
        if (u == GEX__JTOK_ERROR || u == GEX__JTOK_END)
            return GEX__JTOK_ERROR;
        if ((u == GEX__JTOK_OBJECT_END || u == GEX__JTOK_ARRAY_END) && j->depth == depth)
            return u;
    }
}
