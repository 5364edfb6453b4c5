/* The rendering layer's writers (src/render): number forms (gex__fmt_grouped for every finite
 * double), CSV text cells that a spreadsheet would take for formulas (OWASP, "CSV Injection"),
 * tables kept as texts and written in parts (the same bytes as kept as cells), and writes that
 * fail (/dev/full: ENOSPC) reported as such, never as memory running out. */
#include "gex-test.h"

#include <errno.h>
#include <float.h>
#include <math.h>

#include "render.h"

#include "fixture-spx.h"

/* gex__fmt_grouped's text with its commas removed, read back. */
static double read_grouped(const char *s)
{
    char plain[GEX__GROUPED_SIZE];
    size_t n = 0;
    for (; *s != '\0' && n + 1 < sizeof plain; s++)
        if (*s != ',')
            plain[n++] = *s;
    plain[n] = '\0';
    return strtod(plain, NULL);
}

START_TEST(test_fmt_grouped_ordinary_values)
{
    char buf[GEX__GROUPED_SIZE];
    gex__fmt_grouped(1234567.891, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "1,234,567.89");
    gex__fmt_grouped(-4480.126, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "-4,480.13");
    gex__fmt_grouped(-0.0041, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.00"); /* no "-0.00" */
    gex__fmt_grouped(712.4, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "712");
    gex__fmt_grouped(987654321098765.4, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "987,654,321,098,765");
    /* The most that rounds up from below the bound, with the most decimals: it fits. */
    gex__fmt_grouped(-999999999999999.9, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "-1,000,000,000,000,000");
    gex__fmt_grouped(-999999999999999.9, GEX__GROUPED_DECIMALS_MAX, buf, sizeof buf);
    ck_assert_str_eq(buf, "-999,999,999,999,999.87500000000000000"); /* the double's value */
}
END_TEST

START_TEST(test_fmt_grouped_huge_values)
{
    /* %.*f of 1e300 has 301 digits: the old 64-byte buffer cut it to 63. From 1e15 on, the
     * shortest exponent form that reads back. */
    char buf[GEX__GROUPED_SIZE];
    gex__fmt_grouped(1e300, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1e+300");
    gex__fmt_grouped(-1e300, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "-1e+300");
    gex__fmt_grouped(DBL_MAX, 3, buf, sizeof buf);
    ck_assert_str_eq(buf, "1.7976931348623157e+308");
    gex__fmt_grouped(-DBL_MAX, GEX__GROUPED_DECIMALS_MAX, buf, sizeof buf);
    ck_assert_str_eq(buf, "-1.7976931348623157e+308");
    gex__fmt_grouped(GEX__GROUPED_MAX, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1e+15");
    gex__fmt_grouped(3.0517578125e17, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "3.0517578125e+17");
}
END_TEST

START_TEST(test_fmt_grouped_reads_back_for_every_magnitude)
{
    /* Every power of ten from 1e-7 to 1e308, times a factor that is not round, each sign and
     * every number of decimals: the text fits GEX__GROUPED_SIZE and reads back to the value
     * within half a unit of its last decimal (grouped) or exactly (exponent form). */
    char buf[GEX__GROUPED_SIZE], wide[512];
    for (int e = -7; e <= 308; e++) {
        for (int sign = -1; sign <= 1; sign += 2) {
            const double v = sign * 1.7320508075688772 * pow(10.0, e - (e == 308));
            for (int d = 0; d <= GEX__GROUPED_DECIMALS_MAX; d++) {
                gex__fmt_grouped(v, d, buf, sizeof buf);
                gex__fmt_grouped(v, d, wide, sizeof wide);
                ck_assert_msg(strcmp(buf, wide) == 0, "%.17g, %d decimals: \"%s\" does not fit", v,
                              d, wide);
                const double back = read_grouped(buf);
                if (fabs(v) < GEX__GROUPED_MAX) {
                    /* The tolerance: the rounding to d decimals, and the last bit of v. */
                    const double tol = 0.5 * pow(10.0, -d) + 4 * DBL_EPSILON * fabs(v);
                    ck_assert_msg(fabs(back - v) <= tol, "%.17g, %d decimals: \"%s\"", v, d, buf);
                } else {
                    ck_assert_msg(back == v, "%.17g, %d decimals: \"%s\"", v, d, buf);
                }
            }
        }
    }
}
END_TEST

START_TEST(test_table_strike_style_keeps_exponents)
{
    /* Strikes drop their trailing zeros after the point, never an exponent's ("1.5e+20" is not
     * "1.5e+2"). */
    static const gex__column cols[1] = {{"strike", "USD", GEX__STYLE_STRIKE}};
    char *data = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&data, &len);
    ck_assert_ptr_nonnull(out);
    gex__table *t = gex__table_new(cols, 1, NULL);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(gex__table_num(t, 4480.5), GEX_OK);
    ck_assert_int_eq(gex__table_num(t, 4500.0), GEX_OK);
    ck_assert_int_eq(gex__table_num(t, 1.5e20), GEX_OK);
    gex_error err;
    ck_assert_int_eq(gex__table_emit(t, GEX__OUT_TABLE, NULL, out, &err), GEX_OK);
    gex__table_free(t);
    fclose(out);
    ck_assert_str_eq(data, " strike\n    USD\n4,480.5\n  4,500\n1.5e+20\n");
    free(data);
}
END_TEST

/* The bytes a table writes in a format (streamed as gex__table_stream does when stream). */
static char *table_bytes(gex__out_format format, int stream)
{
    static const gex__column cols[3] = {{"underlying", NULL, GEX__STYLE_TEXT},
                                        {"note", NULL, GEX__STYLE_TEXT},
                                        {"gex", NULL, GEX__STYLE_MONEY}};
    static const char *const texts[][2] = {
        {"=HYPERLINK(\"HTTP://X.EXAMPLE\",\"Y\")", "+1+2"},
        {"-2+3", "@SUM(A1)"},
        {"\tTAB", "\rCR"},
        {"SPX", "a=b"},
    };
    char *data = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&data, &len);
    ck_assert_ptr_nonnull(out);
    gex__table *t = gex__table_new(cols, 3, NULL);
    ck_assert_ptr_nonnull(t);
    if (stream)
        gex__table_stream(t, out);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ck_assert_int_eq(gex__table_text(t, texts[i][0]), GEX_OK);
        ck_assert_int_eq(gex__table_text(t, texts[i][1]), GEX_OK);
        ck_assert_int_eq(gex__table_num(t, -1234.5 * (double)(i + 1)), GEX_OK);
    }
    gex_error err;
    ck_assert_int_eq(gex__table_emit(t, format, NULL, out, &err), GEX_OK);
    gex__table_free(t);
    fclose(out);
    return data;
}

START_TEST(test_table_csv_text_cells_never_formulas)
{
    /* OWASP's rule: a text cell starting with =, +, -, @, tab or CR gets a leading single
     * quote; numbers (a negative exposure) and other text are written as they are. */
    const char expected[] = "underlying,note,gex\r\n"
                            "\"'=HYPERLINK(\"\"HTTP://X.EXAMPLE\"\",\"\"Y\"\")\",'+1+2,-1234.5\r\n"
                            "'-2+3,'@SUM(A1),-2469\r\n"
                            "'\tTAB,\"'\rCR\",-3703.5\r\n"
                            "SPX,a=b,-4938\r\n";
    for (int stream = 0; stream <= 1; stream++) {
        char *csv = table_bytes(GEX__OUT_CSV, stream);
        ck_assert_str_eq(csv, expected);
        free(csv);
    }
    /* A table for people is not a spreadsheet's input: its text is shown as it is. */
    char *table = table_bytes(GEX__OUT_TABLE, 0);
    ck_assert_ptr_nonnull(strstr(table, "=HYPERLINK(\"HTTP://X.EXAMPLE\",\"Y\")  +1+2"));
    ck_assert_ptr_nonnull(strstr(table, "-1,234"));
    free(table);
}
END_TEST

/* The cells of test_table_parts_same_as_cells: texts (long ones, an empty one, none), numbers
 * of every style (-0, an exponent form, a value that is not finite), empty cells. */
static const gex__column parts_cols[5] = {{"name", NULL, GEX__STYLE_TEXT},
                                          {"strike", "USD", GEX__STYLE_STRIKE},
                                          {"gamma", "per $1", GEX__STYLE_SIG},
                                          {"gex", "USD/1%", GEX__STYLE_MONEY},
                                          {"status", NULL, GEX__STYLE_TEXT}};

static void parts_row(gex__table *t, int i, const char *long_text, const char *mid_text)
{
    static const char *const names[] = {"SPX", "", NULL, "SPXW"};
    const char *name = i == 5 ? long_text : i == 7 ? mid_text : names[i % 4];
    ck_assert_int_eq(gex__table_text(t, name), GEX_OK);
    ck_assert_int_eq(gex__table_num(t, i == 3 ? 1.5e20 : 4480.125 + 5.0 * i), GEX_OK);
    if (i == 4)
        ck_assert_int_eq(gex__table_null(t), GEX_OK);
    else
        ck_assert_int_eq(gex__table_num(t, i == 2 ? -0.0 : 0.0123456789 / (i + 1)), GEX_OK);
    ck_assert_int_eq(gex__table_num(t, i == 6 ? (double)NAN : -1234567.5 * (i - 3)), GEX_OK);
    ck_assert_int_eq(gex__table_text(t, i == 8  ? long_text
                                        : i % 2 ? "ok"
                                                : "below_intrinsic"),
                     GEX_OK);
}

/* The long texts of parts_row: one over a byte's length (and a first block's room), one over
 * the 127 bytes texts were once cut to. */
#define PARTS_LONG 3000
#define PARTS_MID  200

/* The table's bytes and status kept as cells (parts 0), or as texts in that many parts of the
 * rows, each foreseeing hint rows. */
static char *parts_bytes(int parts, size_t hint, int *status, char *message)
{
    enum { ROWS = 9 };
    char long_text[PARTS_LONG + 1], mid_text[PARTS_MID + 1];
    memset(long_text, 'x', PARTS_LONG);
    long_text[PARTS_LONG] = '\0';
    memset(mid_text, 'y', PARTS_MID);
    mid_text[PARTS_MID] = '\0';
    char *data = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&data, &len);
    ck_assert_ptr_nonnull(out);
    gex__table *t[ROWS];
    const int n = parts > 0 ? parts : 1;
    for (int k = 0; k < n; k++) {
        t[k] = gex__table_new(parts_cols, 5, NULL);
        ck_assert_ptr_nonnull(t[k]);
        if (parts > 0)
            ck_assert_int_eq(gex__table_keep_texts(t[k], hint), GEX_OK);
    }
    for (int i = 0; i < ROWS; i++)
        parts_row(t[i * n / ROWS], i, long_text, mid_text);
    gex_error err;
    gex_error_clear(&err);
    *status = parts > 0 ? gex__table_emit_parts((const gex__table *const *)t, (size_t)n, "title",
                                                out, &err)
                        : gex__table_emit(t[0], GEX__OUT_TABLE, "title", out, &err);
    snprintf(message, 512, "%s", err.text);
    for (int k = 0; k < n; k++)
        gex__table_free(t[k]);
    fclose(out);
    return data;
}

START_TEST(test_table_parts_same_as_cells)
{
    /* A table kept as texts, whole or in parts (gex greeks' blocks), aligned over all of them,
     * writes the bytes and the status of the same table kept as cells. */
    int st0;
    char msg0[512];
    char *want = parts_bytes(0, 0, &st0, msg0);
    ck_assert_int_eq(st0, GEX_ERANGE); /* the NAN: written as "-", and said */
    ck_assert_ptr_nonnull(strstr(msg0, "1 "));
    /* the long texts whole (the first column padded to the longest, the last one not), "-" for
     * none and for the empty cell, no "-0" */
    char whole[PARTS_LONG + 3];
    memset(whole, 'x', PARTS_LONG);
    memcpy(whole + PARTS_LONG, " \0", 3);
    ck_assert_ptr_nonnull(strstr(want, whole)); /* the name, then the column's gap */
    memcpy(whole + PARTS_LONG, "\n\0", 3);
    ck_assert_ptr_nonnull(strstr(want, whole)); /* the status, at the line's end */
    memset(whole, 'y', PARTS_MID);
    memset(whole + PARTS_MID, ' ', PARTS_LONG - PARTS_MID + 2);
    whole[PARTS_LONG + 2] = '\0';
    ck_assert_ptr_nonnull(strstr(want, whole));
    ck_assert_ptr_null(strstr(want, "-0 "));
    ck_assert_ptr_nonnull(strstr(want, "1.5e+20"));
    static const int parts[] = {1, 2, 3, 9};
    static const size_t hints[] = {0, 1, 1000};
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
        for (size_t h = 0; h < sizeof hints / sizeof hints[0]; h++) {
            int st;
            char msg[512];
            char *got = parts_bytes(parts[p], hints[h], &st, msg);
            ck_assert_str_eq(got, want);
            ck_assert_int_eq(st, st0);
            ck_assert_str_eq(msg, msg0);
            free(got);
        }
    free(want);
}
END_TEST

START_TEST(test_table_texts_written_as_a_table_only)
{
    /* A table kept as texts has no cells a CSV could be written from: said, not guessed. */
    static const gex__column cols[1] = {{"gex", NULL, GEX__STYLE_MONEY}};
    gex__table *t = gex__table_new(cols, 1, NULL);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(gex__table_keep_texts(t, 1), GEX_OK);
    ck_assert_int_eq(gex__table_keep_texts(t, 1), GEX_EINVAL); /* twice */
    ck_assert_int_eq(gex__table_num(t, 1.0), GEX_OK);
    FILE *out = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(out);
    gex_error err;
    ck_assert_int_eq(gex__table_emit(t, GEX__OUT_CSV, NULL, out, &err), GEX_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.text, "only as a table"));
    fclose(out);
    gex__table_free(t);
    /* too late once cells are kept, or when the table is streamed; never without columns */
    t = gex__table_new(cols, 1, NULL);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(gex__table_num(t, 1.0), GEX_OK);
    ck_assert_int_eq(gex__table_keep_texts(t, 1), GEX_EINVAL);
    gex__table_free(t);
    FILE *sink = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(sink);
    t = gex__table_new(cols, 1, NULL);
    ck_assert_ptr_nonnull(t);
    gex__table_stream(t, sink);
    ck_assert_int_eq(gex__table_keep_texts(t, 1), GEX_EINVAL);
    gex__table_free(t);
    fclose(sink);
    t = gex__table_new(cols, 0, NULL);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(gex__table_keep_texts(t, 1), GEX_EINVAL);
    gex__table_free(t);
}
END_TEST

START_TEST(test_table_csv_repeats_and_long_texts)
{
    /* Streamed CSV assembles each record before writing it and reuses a column's text when the
     * number repeats: the bytes must be what each value alone gives. A repeated value, its
     * negative, -0 after 0 and the next double must not take the previous text; a text longer
     * than a record's buffer (with a comma: quoted) is written whole, and so is one after '='
     * (after a single quote). The same bytes from the cells kept (they were cut to 127). */
    static const gex__column cols[3] = {{"file", NULL, GEX__STYLE_TEXT},
                                        {"T", NULL, GEX__STYLE_SIG},
                                        {"gamma", NULL, GEX__STYLE_SIG}};
    const double t_col[] = {0.00017123287671232877,
                            0.00017123287671232877,
                            -0.00017123287671232877,
                            0.0,
                            -0.0,
                            0.0,
                            1.0,
                            nextafter(1.0, 2.0),
                            1.0};
    const size_t rows = sizeof t_col / sizeof t_col[0];
    char *long_text = malloc(5001);
    ck_assert_ptr_nonnull(long_text);
    for (int i = 0; i < 5000; i++)
        long_text[i] = i == 2500 ? ',' : (char)('a' + i % 26);
    long_text[5000] = '\0';
    char *formula_text = malloc(5002);
    ck_assert_ptr_nonnull(formula_text);
    formula_text[0] = '=';
    memcpy(formula_text + 1, long_text, 5001);
    const char *want_t[] = {"0.00017123287671232877",
                            "0.00017123287671232877",
                            "-0.00017123287671232877",
                            "0",
                            "0",
                            "0",
                            "1",
                            "1.0000000000000002",
                            "1"};
    size_t cap = 11000 + rows * 80, o = 0;
    char *want = malloc(cap);
    ck_assert_ptr_nonnull(want);
    o += (size_t)snprintf(want + o, cap - o, "file,T,gamma\r\n");
    for (size_t i = 0; i < rows; i++) {
        if (i == 1)
            o += (size_t)snprintf(want + o, cap - o, "\"%s\"", long_text);
        else if (i == 3)
            o += (size_t)snprintf(want + o, cap - o, "\"'%s\"", formula_text);
        else
            o += (size_t)snprintf(want + o, cap - o, "f.csv");
        o += (size_t)snprintf(want + o, cap - o, ",%s,8.855432154001546e-15\r\n", want_t[i]);
    }
    for (int stream = 0; stream <= 1; stream++) {
        char *data = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&data, &len);
        ck_assert_ptr_nonnull(out);
        gex__table *t = gex__table_new(cols, 3, NULL);
        ck_assert_ptr_nonnull(t);
        if (stream)
            gex__table_stream(t, out);
        for (size_t i = 0; i < rows; i++) {
            const char *file = i == 1 ? long_text : i == 3 ? formula_text : "f.csv";
            ck_assert_int_eq(gex__table_text(t, file), GEX_OK);
            ck_assert_int_eq(gex__table_num(t, t_col[i]), GEX_OK);
            ck_assert_int_eq(gex__table_num(t, 8.855432154001546e-15), GEX_OK);
        }
        gex_error err;
        ck_assert_int_eq(gex__table_emit(t, GEX__OUT_CSV, NULL, out, &err), GEX_OK);
        gex__table_free(t);
        fclose(out);
        ck_assert_uint_eq(len, o);
        ck_assert_str_eq(data, want);
        free(data);
    }
    free(want);
    free(formula_text);
    free(long_text);
}
END_TEST

/* The JSON a writer in memory holds after f; the count of non-finite values in *nonfinite. */
static char *jwriter_bytes(void (*f)(gex__jwriter *, size_t), size_t i, size_t *nonfinite)
{
    gex__jwriter w = {.fp = NULL};
    f(&w, i);
    ck_assert_int_eq(w.failed, 0);
    *nonfinite = w.nonfinite;
    return w.data != NULL ? w.data : strdup("");
}

static const char *const jstrings[] = {"SPX",
                                       "a\"b\\c",
                                       "tab\there\nline\x01",
                                       "caf\xc3\xa9 \xe2\x82\xac", /* valid UTF-8 */
                                       "Latin-1 caf\xe9",          /* not UTF-8 */
                                       "\xc0\xaf overlong",
                                       "\xed\xa0\x80 surrogate",
                                       "\xf4\x90\x80\x80 too high",
                                       NULL};
static const double jnumbers[] = {0.0,   -0.0,     1.5,       -2.0e-300, 8.855432154001546e-15,
                                  1e300, INFINITY, -INFINITY, NAN};

static void direct_str(gex__jwriter *w, size_t i)
{
    gex__jwriter_key(w, "k");
    gex__jwriter_str(w, jstrings[i]);
}
static void built_str(gex__jwriter *w, size_t i)
{
    json_t *o = json_object();
    ck_assert_int_eq(gex__jset(o, "k", gex__jstr(jstrings[i])), GEX_OK);
    gex__json_write_members(w, o);
    json_decref(o);
}
static void direct_num(gex__jwriter *w, size_t i)
{
    gex__jwriter_num(w, jnumbers[i]);
}
static void built_num(gex__jwriter *w, size_t i)
{
    json_t *v = gex__jnum(jnumbers[i]);
    gex__json_write_value(w, v);
    json_decref(v);
}

START_TEST(test_jwriter_pieces_match_built_values)
{
    /* render_greeks writes each contract's object piece by piece: every piece must be the
     * bytes of the jansson value the other documents build (strings checked for UTF-8 by
     * jansson, '?' for the bytes of one that fails; non-finite numbers as counted nulls). */
    for (size_t i = 0; i < sizeof jstrings / sizeof jstrings[0]; i++) {
        size_t n1, n2;
        char *a = jwriter_bytes(direct_str, i, &n1), *b = jwriter_bytes(built_str, i, &n2);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
    }
    for (size_t i = 0; i < sizeof jnumbers / sizeof jnumbers[0]; i++) {
        size_t n1, n2;
        char *a = jwriter_bytes(direct_num, i, &n1), *b = jwriter_bytes(built_num, i, &n2);
        ck_assert_str_eq(a, b);
        ck_assert_uint_eq(n1, n2);
        ck_assert_uint_eq(n1, isfinite(jnumbers[i]) ? 0 : 1);
        free(a);
        free(b);
    }
}
END_TEST

/* /dev/full, where every write fails with ENOSPC; NULL (the test skips) where it is absent. */
static FILE *open_full(void)
{
    FILE *fp = fopen("/dev/full", "w");
    if (fp == NULL)
        printf("skipped: /dev/full cannot be opened: %s\n", strerror(errno));
    return fp;
}

START_TEST(test_table_write_failure_is_reported_as_io)
{
    static const gex__column cols[2] = {{"underlying", NULL, GEX__STYLE_TEXT},
                                        {"gex", NULL, GEX__STYLE_MONEY}};
    for (int stream = 0; stream <= 1; stream++) {
        FILE *full = open_full();
        if (full == NULL)
            return;
        gex__table *t = gex__table_new(cols, 2, NULL);
        ck_assert_ptr_nonnull(t);
        if (stream)
            gex__table_stream(t, full);
        /* More than a stdio buffer: the writes fail while the table is written. */
        int st = GEX_OK;
        for (int i = 0; i < 10000 && st == GEX_OK; i++) {
            st = gex__table_text(t, "XYZ");
            if (st == GEX_OK)
                st = gex__table_num(t, 1234.5678 * i);
        }
        ck_assert_int_eq(st, stream ? GEX_EIO : GEX_OK);
        ck_assert_int_eq(gex__table_write_failed(t), stream);
        gex_error err;
        gex_error_clear(&err);
        ck_assert_int_eq(gex__table_emit(t, GEX__OUT_CSV, NULL, full, &err), GEX_EIO);
        ck_assert_str_eq(err.text, "writing the output failed: No space left on device");
        gex__table_free(t);
        fclose(full);
    }
    /* a table kept as texts, in two parts, written as one */
    FILE *full = open_full();
    if (full == NULL)
        return;
    gex__table *parts[2];
    for (int k = 0; k < 2; k++) {
        parts[k] = gex__table_new(cols, 2, NULL);
        ck_assert_ptr_nonnull(parts[k]);
        ck_assert_int_eq(gex__table_keep_texts(parts[k], 0), GEX_OK);
        for (int i = 0; i < 5000; i++) {
            ck_assert_int_eq(gex__table_text(parts[k], "XYZ"), GEX_OK);
            ck_assert_int_eq(gex__table_num(parts[k], 1234.5678 * i), GEX_OK);
        }
    }
    gex_error err;
    gex_error_clear(&err);
    ck_assert_int_eq(gex__table_emit_parts((const gex__table *const *)parts, 2, "t", full, &err),
                     GEX_EIO);
    ck_assert_str_eq(err.text, "writing the output failed: No space left on device");
    for (int k = 0; k < 2; k++)
        gex__table_free(parts[k]);
    fclose(full);
}
END_TEST

START_TEST(test_json_write_failure_is_reported_as_io)
{
    FILE *full = open_full();
    if (full == NULL)
        return;
    json_t *doc = json_array();
    for (int i = 0; i < 5000; i++)
        json_array_append_new(doc, json_real(1234.5678 * i));
    gex_error err;
    gex_error_clear(&err);
    ck_assert_int_eq(gex__json_emit(doc, full, &err), GEX_EIO);
    ck_assert_str_eq(err.text, "writing the output failed: No space left on device");
    json_decref(doc);
    fclose(full);
}
END_TEST

/* The SPX fixture's analysis with a minimum bid of min_bid (0: none). */
static void analyse_spx(double min_bid, gex_chain **chain, gex__analysis *a)
{
    *chain = gex_test_spx_chain(0.0);
    ck_assert_int_eq(gex_chain_prepare(*chain, NULL, NULL, NULL), GEX_OK);
    gex_analysis_options o;
    gex_analysis_options_default(&o);
    o.exposure.min_bid = min_bid;
    memset(a, 0, sizeof *a);
    ck_assert_int_eq(gex_analysis_new(*chain, &o, &a->an, NULL), GEX_OK);
    a->path = "fixture.csv";
    a->chain = *chain;
    gex__analysis_fill(a);
}

START_TEST(test_nothing_usable_names_the_expirations)
{
    gex_chain *chain;
    gex__analysis a;
    char buf[GEX__NOTHING_USABLE_MAX];
    analyse_spx(0.0, &chain, &a);
    ck_assert_int_eq(gex__nothing_usable(&a, buf, sizeof buf), GEX_OK);
    ck_assert_str_eq(buf, "");
    gex_analysis_free(a.an);
    gex_chain_free(chain);

    /* every contract left out by the filter: what it left out, and the dates to ask for
     * (the fixture's three expirations, 82 contracts each) */
    analyse_spx(1e9, &chain, &a);
    ck_assert_int_eq(gex__nothing_usable(&a, buf, sizeof buf), GEX_EEMPTY);
    ck_assert_str_eq(buf, "SPX: nothing usable: of 246 contracts none is left (excluded: none; "
                          "left out by the filters: 246); the file's expirations (contracts): "
                          "2023-09-14 (82), 2023-09-21 (82), 2023-10-19 (82)");
    char small[24];
    ck_assert_int_eq(gex__nothing_usable(&a, small, sizeof small), GEX_EEMPTY);
    ck_assert_str_eq(small, "SPX: nothing usable: of"); /* cut to fit */
    gex_analysis_free(a.an);
    gex_chain_free(chain);
}
END_TEST

static Suite *render_suite(void)
{
    Suite *s = suite_create("render");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fmt_grouped_ordinary_values);
    tcase_add_test(tc, test_fmt_grouped_huge_values);
    tcase_add_test(tc, test_fmt_grouped_reads_back_for_every_magnitude);
    tcase_add_test(tc, test_table_strike_style_keeps_exponents);
    tcase_add_test(tc, test_table_csv_text_cells_never_formulas);
    tcase_add_test(tc, test_table_csv_repeats_and_long_texts);
    tcase_add_test(tc, test_table_parts_same_as_cells);
    tcase_add_test(tc, test_table_texts_written_as_a_table_only);
    tcase_add_test(tc, test_jwriter_pieces_match_built_values);
    tcase_add_test(tc, test_table_write_failure_is_reported_as_io);
    tcase_add_test(tc, test_json_write_failure_is_reported_as_io);
    tcase_add_test(tc, test_nothing_usable_names_the_expirations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(render_suite());
}
