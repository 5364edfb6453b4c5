/*
 * Reading one chain file in ranges on several threads (gex_read_options.threads, chain-split.c)
 * must give exactly what one reader gives: the same contracts in the same order (every array
 * compared bit for bit), the same symbols in the same order, the same report (rows, counts,
 * first line per reason, warnings), the same error in strict mode (file, line, column, text),
 * and the same outcome of gex_chain_prepare (which reports the quote-time note and its line).
 *
 * The independent truth is the one-thread read, itself tested against the files' contents in
 * test-chain-read.c. Inputs: every real chain in ../shared/chains (read in place; a documented
 * no-op that says "skipped: ../shared absent" without it), the seeded generator's files
 * (data/sample-spx.csv and a gen-chain --market of 60 underlyings, from GEX_GEN_CHAIN), crafted
 * files for each thing a range boundary could break, and random mutations of a chain.
 */
#include "gex-test.h"

#include <dirent.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <unistd.h>

#include "chain-read-same.h"
#include "../src/chain-internal.h"
#include "gex/chain.h"
#include "splitmix64.h"

/* --- one read and its outcome --- */

/* The read (chain-read-same.h's outcome), how many ranges it combined, and its preparation. */
typedef struct split_outcome {
    outcome r;
    gex__split_count count;
    int prep_rc;
    gex_error prep_err;
    gex_prepare_report prep;
} split_outcome;

/* Prepares the chain twice over: without --now (the quote-time note and its line, when the
 * file has no instant) and, when that fails for want of one, with a --now, so that T, IV and
 * the statuses are compared too. */
static void prepare(split_outcome *o)
{
    if (o->r.rc != GEX_OK)
        return;
    gex_prepare_options p;
    gex_prepare_options_default(&p);
    o->prep_rc = gex_chain_prepare(o->r.chain, &p, &o->prep, &o->prep_err);
    if (o->prep_rc == GEX_ENOTIME) {
        gex_error ignored;
        p.has_now = 1;
        p.now = 1700000000; /* 2023-11-14T22:13:20Z */
        (void)gex_chain_prepare(o->r.chain, &p, &o->prep, &ignored);
    }
}

static void read_mem(const char *buf, size_t len, const gex_read_options *options, int threads,
                     size_t split_min, size_t chunk, split_outcome *o)
{
    memset(o, 0, sizeof *o);
    gex_read_options opt = *options;
    opt.threads = threads;
    o->r.rc = gex__chain_read_buffer_split(buf, len, "chain.csv", &opt, &o->r.chain, &o->r.rep,
                                           &o->r.err, split_min, chunk, &o->count);
    prepare(o);
}

static void read_path(const char *path, const gex_read_options *options, int threads,
                      size_t split_min, size_t chunk, split_outcome *o)
{
    memset(o, 0, sizeof *o);
    gex_read_options opt = *options;
    opt.threads = threads;
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    o->r.rc = gex__chain_read_file_split(fp, "chain.csv", &opt, &o->r.chain, &o->r.rep, &o->r.err,
                                         split_min, chunk, &o->count);
    /* The stream is read to its end, as by one reader. */
    ck_assert_int_eq(fgetc(fp), EOF);
    fclose(fp);
    prepare(o);
}

static void outcome_free(split_outcome *o)
{
    gex_chain_free(o->r.chain);
    o->r.chain = NULL;
}

/* a: one reader, b: in ranges. The read's outcome (chain-read-same.h), then what
 * gex_chain_prepare made of it: T, IV and the statuses, its error and its report. */
static void assert_same_split(const split_outcome *a, const split_outcome *b, const char *what)
{
    assert_same(&a->r, &b->r, what);
    if (a->r.rc != GEX_OK)
        return;
    gex_chain_view va, vb;
    gex_chain_get_view(a->r.chain, &va);
    gex_chain_get_view(b->r.chain, &vb);
    SAME_ARRAY(T);
    SAME_ARRAY(iv);
    SAME_ARRAY(iv_source);
    SAME_ARRAY(status);
    ck_assert_msg(a->prep_rc == b->prep_rc, "%s: prepare status differs", what);
    ck_assert_msg(a->prep_err.line == b->prep_err.line &&
                      strcmp(a->prep_err.text, b->prep_err.text) == 0,
                  "%s: prepare says \"%s\" (line %ld), one reader \"%s\" (line %ld)", what,
                  b->prep_err.text, b->prep_err.line, a->prep_err.text, a->prep_err.line);
    ck_assert_msg(memcmp(a->prep.status, b->prep.status, sizeof a->prep.status) == 0,
                  "%s: prepare statuses differ", what);
}

/* Reads buf with one reader and in ranges (threads 2, 3 and 7, ranges of split_min bytes and
 * more, chunks of 4096 and of 7 bytes), asserts they agree, and returns the most ranges any
 * split read combined (1: every read fell back to one piece). */
static size_t check_buffer(const char *buf, size_t len, const gex_read_options *o, size_t split_min,
                           const char *what)
{
    static const int threads[] = {2, 3, 7};
    split_outcome one;
    read_mem(buf, len, o, 1, split_min, 0, &one);
    ck_assert_msg(one.count.ranges == 1, "%s: one thread read %zu ranges", what, one.count.ranges);
    size_t most = 1;
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        for (int small = 0; small < 2; small++) {
            split_outcome many;
            char label[512];
            snprintf(label, sizeof label, "%s, %d threads, chunk %d", what, threads[t],
                     small ? 7 : 4096);
            read_mem(buf, len, o, threads[t], split_min, small ? 7 : 4096, &many);
            assert_same_split(&one, &many, label);
            ck_assert_msg(many.count.ranges <= (size_t)threads[t], "%s: %zu ranges", label,
                          many.count.ranges);
            if (many.count.ranges > most)
                most = many.count.ranges;
            outcome_free(&many);
        }
    }
    outcome_free(&one);
    return most;
}

/* Both policies, strict and lenient. */
static size_t check_both(const char *buf, size_t len, size_t split_min, const char *what)
{
    gex_read_options o;
    memset(&o, 0, sizeof o);
    size_t most = check_buffer(buf, len, &o, split_min, what);
    o.strict = 1;
    char label[320];
    snprintf(label, sizeof label, "%s, strict", what);
    size_t strict = check_buffer(buf, len, &o, split_min, label);
    return most > strict ? most : strict;
}

/* --- crafted files --- */

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void put(text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        ck_assert_int_ge(n, 0);
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap ? 2 * t->cap + (size_t)n : 4096 + (size_t)n;
        t->s = realloc(t->s, t->cap);
        ck_assert_ptr_nonnull(t->s);
    }
}

#define LONG_HEADER                                                                                \
    "underlying,expiration,strike,type,bid,ask,iv,open_interest,underlying_price,quote_time,note"

/* One long-CSV row of underlying u, number i: non-round strikes and quotes. eol ends it. */
static void long_row(text *t, const char *u, long i, const char *iv, const char *oi,
                     const char *spot, const char *when, const char *note, const char *eol)
{
    put(t, "%s,2026-12-18,%.2f,%s,%.3f,%.3f,%s,%s,%s,%s,%s%s", u, 4000.25 + 5.0 * (double)(i % 97),
        i % 2 ? "P" : "C", 1.125 + 0.01 * (double)(i % 13), 1.375 + 0.01 * (double)(i % 13), iv, oi,
        spot, when, note, eol);
}

static const char *const tickers[] = {"SPX", "AAPL", "msft", "QQQ", "IWM"};

/* A long CSV of n rows over the tickers, each block of 37 rows one underlying. */
static void long_file(text *t, long n, const char *eol)
{
    put(t, "%s%s", LONG_HEADER, eol);
    for (long i = 0; i < n; i++)
        long_row(t, tickers[(i / 37) % 5], i, "0.2125", "1317", "4512.37", "2026-11-20T15:00:00Z",
                 "", eol);
}

START_TEST(test_split_long_csv_ranges)
{
    text t = {0};
    long_file(&t, 3000, "\n");
    /* Ranges of a few kB: every thread count reads its ranges, none falls back. */
    size_t most = check_both(t.s, t.len, 1024, "long CSV");
    ck_assert_uint_eq(most, 7);
    free(t.s);
}
END_TEST

START_TEST(test_split_crlf_and_no_final_newline)
{
    text t = {0};
    long_file(&t, 2000, "\r\n");
    ck_assert_uint_eq(check_both(t.s, t.len, 512, "CRLF"), 7);
    /* The last row without its line end, and then with a lone CR. */
    ck_assert_uint_eq(check_both(t.s, t.len - 2, 512, "no final line end"), 7);
    ck_assert_uint_eq(check_both(t.s, t.len - 1, 512, "final CR"), 7);
    free(t.s);
    text u = {0};
    long_file(&u, 2000, "\n");
    ck_assert_uint_eq(check_both(u.s, u.len - 1, 512, "no final newline"), 7);
    free(u.s);
    /* CR line ends (old Mac exports): throughout, and for the header and the first rows. In
     * memory they are read as the LF copy (chain-read.c), in ranges as that. */
    text v = {0};
    long_file(&v, 2000, "\r");
    ck_assert_uint_eq(check_both(v.s, v.len, 512, "CR line ends"), 7);
    for (long i = 0; i < 2000; i++)
        long_row(&v, "QQQ", i, "0.2125", "1317", "4512.37", "2026-11-20T15:00:00Z", "", "\n");
    check_both(v.s, v.len, 512, "CR then LF line ends");
    free(v.s);
}
END_TEST

/* Quoted fields holding newlines: rare (then the ranges stay split and the lines after them
 * are still the file's lines), near every nominal boundary (then the reader either proves
 * its boundaries or reads in one piece), and in every row. */
START_TEST(test_split_quoted_newlines)
{
    for (int every = 1; every <= 400; every = every < 7 ? every + 3 : every * 10) {
        text t = {0};
        put(&t, "%s\n", LONG_HEADER);
        for (long i = 0; i < 3000; i++)
            long_row(&t, tickers[(i / 37) % 5], i, "0.2125", "1317", "4512.37",
                     "2026-11-20T15:00:00Z",
                     i % every == 0 ? "\"two\nlines, \"\"quoted\"\"\n\"" : "x", "\n");
        char what[64];
        snprintf(what, sizeof what, "a quoted newline every %d rows", every);
        size_t most = check_both(t.s, t.len, 1024, what);
        if (every >= 400)
            ck_assert_uint_gt(most, 1);
        free(t.s);
    }
    /* One long quoted field across the nominal middle: the boundary cannot be proven. */
    text t = {0};
    put(&t, "%s\n", LONG_HEADER);
    for (long i = 0; i < 1000; i++) {
        const char *note = "x";
        char big[40000];
        if (i == 500) {
            memset(big, 0, sizeof big);
            big[0] = '"';
            for (size_t k = 1; k + 2 < sizeof big; k++)
                big[k] = k % 50 == 0 ? '\n' : 'a';
            big[sizeof big - 2] = '"';
            note = big;
        }
        long_row(&t, "SPX", i, "0.2125", "1317", "4512.37", "2026-11-20T15:00:00Z", note, "\n");
    }
    gex_read_options o;
    memset(&o, 0, sizeof o);
    split_outcome one, two;
    read_mem(t.s, t.len, &o, 1, 1024, 0, &one);
    read_mem(t.s, t.len, &o, 2, t.len / 3, 4096, &two);
    assert_same_split(&one, &two, "a quoted field across the middle");
    ck_assert_uint_eq(two.count.ranges, 1);
    outcome_free(&one);
    outcome_free(&two);
    check_both(t.s, t.len, 1024, "a long quoted field");
    free(t.s);
}
END_TEST

/* Bad rows: in the second range only, in both, in every range; strict mode must give the error
 * of the lowest line, lenient mode the first line per reason in file lines. */
START_TEST(test_split_bad_rows)
{
    static const long bad_sets[][3] = {{2400, -1, -1}, {300, 2500, -1}, {10, 1500, 2999}};
    for (size_t b = 0; b < sizeof bad_sets / sizeof bad_sets[0]; b++) {
        text t = {0};
        put(&t, "%s\n", LONG_HEADER);
        for (long i = 0; i < 3000; i++) {
            int bad = i == bad_sets[b][0] || i == bad_sets[b][1] || i == bad_sets[b][2];
            if (bad && i % 3 == 0)
                put(&t, "SPX,2026-12-18,abc,C,1,2,0.2,10,4512.37,2026-11-20T15:00:00Z,\n");
            else if (bad && i % 3 == 1)
                put(&t, "SPX,2026-12-18,4100,C,1,2,0.2,-5,4512.37,2026-11-20T15:00:00Z,\n");
            else if (bad)
                put(&t, "SPX,not a date,4100\n");
            else
                long_row(&t, "SPX", i, "0.2125", "1317", "4512.37", "2026-11-20T15:00:00Z", "",
                         "\n");
        }
        char what[64];
        snprintf(what, sizeof what, "bad rows, set %zu", b);
        ck_assert_uint_eq(check_both(t.s, t.len, 1024, what), 7);
        free(t.s);
    }
}
END_TEST

/* Two files joined into one (SPEC 2.5): the header again on the line after row 1500, of the
 * same names in its order (also in other case and blanks, quoted, padded by a re-save: the
 * line skipped and said), or in another order or of other columns (the read refused at it). The
 * quoted lines are libcsv's, the others the fast path's; in ranges as by one reader. */
START_TEST(test_split_header_repeated)
{
    static const struct {
        const char *header;
        int refused;
    } cases[] = {
        {LONG_HEADER, 0},
        {" Underlying,Expiration , STRIKE,Type,Bid,Ask,IV,Open Interest,Underlying-Price,"
         "Quote_Time,Note",
         0},
        {"\"underlying\",\"expiration\",\"strike\",\"type\",\"bid\",\"ask\",\"iv\","
         "\"open_interest\",\"underlying_price\",\"quote_time\",\"note\"",
         0},
        {LONG_HEADER ",,,", 0},
        {"underlying,expiration,strike,type,ask,bid,iv,open_interest,underlying_price,"
         "quote_time,note",
         1},
        {"\"underlying\",\"expiration\",\"strike\",\"type\",\"bid\",\"ask\",\"iv\","
         "\"underlying_price\",\"open_interest\",\"quote_time\",\"note\"",
         1},
        {"underlying,expiration,strike,type,bid,ask,iv,open_interest", 2},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        text t = {0};
        put(&t, "%s\n", LONG_HEADER);
        for (long i = 0; i < 3000; i++) {
            if (i == 1500)
                put(&t, "%s\n", cases[k].header);
            long_row(&t, tickers[(i / 37) % 5], i, "0.2125", "1317", "4512.37",
                     "2026-11-20T15:00:00Z", "", "\n");
        }
        char what[64];
        snprintf(what, sizeof what, "the header again, case %zu", k);
        ck_assert_uint_eq(check_both(t.s, t.len, 1024, what), 7);
        gex_read_options o;
        memset(&o, 0, sizeof o);
        split_outcome one;
        read_mem(t.s, t.len, &o, 1, 1024, 0, &one);
        if (cases[k].refused) {
            ck_assert_int_eq(one.r.rc, GEX_EPARSE);
            ck_assert_int_eq(one.r.err.line, 1502);
            ck_assert_msg(strstr(one.r.err.text,
                                 cases[k].refused == 1 ? "in another order" : "of other columns") !=
                                  NULL &&
                              strstr(one.r.err.text, "joins two files of different columns"),
                          "%s", one.r.err.text);
        } else {
            ck_assert_int_eq(one.r.rc, GEX_OK);
            ck_assert_uint_eq(one.r.rep.rows, 3000);
            for (int r = 0; r < GEX_SKIP_REASON_COUNT; r++)
                ck_assert_uint_eq(one.r.rep.skipped[r], 0);
            ck_assert_msg(strstr(one.r.rep.warning, "; line 1502 repeats the header (two files "
                                                    "of the same columns joined): skipped") != NULL,
                          "%s", one.r.rep.warning);
        }
        outcome_free(&one);
        free(t.s);
    }
}
END_TEST

/* A currency column: one code throughout (the chain's), the same code written otherwise, a bad
 * cell, and a second currency in a later range (the error of one reader, at its line, whether
 * the ranges that differ each name one or one range names both). */
START_TEST(test_split_currency)
{
    static const struct {
        long at;
        const char *cell;
        int on; /* the cell on every row from at on, not at alone */
    } cases[] = {{-1, "EUR", 0},   {2200, "eur", 0}, {2200, " EUR ", 0}, {2200, "EURO", 0},
                 {2200, "GBP", 0}, {10, "GBP", 0},   {1499, "GBP", 0},   {2990, "", 0},
                 {1700, "GBP", 1}, {2990, "GBP", 1}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        text t = {0};
        put(&t, "underlying,expiration,strike,type,bid,ask,iv,open_interest,underlying_price,"
                "quote_time,currency\n");
        for (long i = 0; i < 3000; i++)
            long_row(
                &t, tickers[(i / 37) % 5], i, "0.2125", "1317", "4512.37", "2026-11-20T15:00:00Z",
                i == cases[k].at || (cases[k].on && i > cases[k].at) ? cases[k].cell : "EUR", "\n");
        char what[64];
        snprintf(what, sizeof what, "currency \"%s\" on row %ld", cases[k].cell, cases[k].at);
        check_both(t.s, t.len, 1024, what);
        gex_read_options o;
        memset(&o, 0, sizeof o);
        split_outcome one;
        read_mem(t.s, t.len, &o, 1, 1024, 0, &one);
        const int differs = strcmp(cases[k].cell, "GBP") == 0;
        ck_assert_int_eq(one.r.rc, differs ? GEX_EPARSE : GEX_OK);
        if (differs) {
            ck_assert_int_eq(one.r.err.line, cases[k].at + 2);
            ck_assert_ptr_nonnull(strstr(one.r.err.text, "currency GBP differs from the EUR"));
        } else {
            ck_assert_str_eq(gex_chain_currency(one.r.chain), "EUR");
        }
        outcome_free(&one);
        free(t.s);
    }
    /* Two ranges that each name one currency, different ones: the second range's first row is
     * where one reader stops. The rows are of one length, so the boundary of two ranges is found
     * as the split finds it (the first line end from the middle of the rows on). */
    text t = {0};
    put(&t, "underlying,expiration,strike,type,bid,ask,iv,open_interest,underlying_price,"
            "quote_time,currency\n");
    for (long i = 0; i < 3000; i++)
        long_row(&t, "SPX", i, "0.2125", "1317", "4512.37", "2026-11-20T15:00:00Z", "EUR", "\n");
    const size_t rows = (size_t)(strchr(t.s, '\n') + 1 - t.s);
    const size_t nominal = rows + (size_t)((double)(t.len - rows) / 2.0);
    char *second = (char *)memchr(t.s + nominal - 1, '\n', t.len - (nominal - 1)) + 1;
    long at = 1;
    for (const char *p = t.s; p < second; p++)
        at += *p == '\n';
    for (char *p = strstr(second, ",EUR\n"); p != NULL; p = strstr(p + 1, ",EUR\n"))
        memcpy(p + 1, "GBP", 3);
    gex_read_options o;
    memset(&o, 0, sizeof o);
    split_outcome one, two;
    read_mem(t.s, t.len, &o, 1, 1024, 0, &one);
    read_mem(t.s, t.len, &o, 2, 1024, 4096, &two);
    assert_same_split(&one, &two, "two ranges of two currencies");
    ck_assert_int_eq(two.r.rc, GEX_EPARSE);
    ck_assert_int_eq(two.r.err.line, at);
    outcome_free(&one);
    outcome_free(&two);
    free(t.s);
}
END_TEST

/* File-level checks over all ranges: IV in percent decided by the median of the whole file
 * (percent IVs in the second half only, a majority or a minority), missing open interest and
 * index rows without a root (weekly) in later ranges, spots first given in a later range and
 * differing between ranges, quote times that differ between ranges, a quote time that cannot be
 * read (its line in prepare's message), and --symbol. The ranges count these checks on their
 * own threads: also spots that differ within ranges from their underlying's first (the first
 * such row named by its line), IV placeholders in a decimal column and in a percent one. */
START_TEST(test_split_file_level_checks)
{
    for (int variant = 0; variant < 8; variant++) {
        text t = {0};
        put(&t, "%s\n", LONG_HEADER);
        long n = 3000;
        for (long i = 0; i < n; i++) {
            const char *iv = "0.2125", *oi = "1317", *spot = "4512.37",
                       *when = "2026-11-20T15:00:00Z";
            const char *u = tickers[(i / 37) % 5];
            switch (variant) {
            case 0: /* percent in the last 55% of rows: the median is above 5 */
                iv = i > n * 45 / 100 ? "21.25" : "0.2125";
                break;
            case 1: /* percent in the last 45%: the median is not */
                iv = i > n * 55 / 100 ? "21.25" : "0.2125";
                break;
            case 2: /* open interest missing and index rows off the monthly cycle, late */
                oi = i > 2000 && i % 3 == 0 ? "" : "1317";
                u = i > 1500 ? "SPX" : u;
                break;
            case 3: /* spots: none before row 1800, then one per half */
                spot = i < 1800 ? "" : i < 2400 ? "4512.37" : "4600.11";
                break;
            case 6: /* a few spots off their underlying's, placeholders in a decimal column */
                spot = i % 97 == 50 ? "4512.38" : spot;
                iv = i % 61 == 3 ? "9999" : iv;
                break;
            case 7: /* placeholders in a percent column: counted in its new unit */
                iv = i % 61 == 3 ? "9999" : "21.25";
                break;
            case 4: /* a second instant in the last range, an unreadable one in the middle */
                when = i == 1600 ? "sometime" : i > 2700 ? "2026-11-20T15:00:01Z" : when;
                break;
            default: /* no instant at all but an unreadable one late */
                when = i == 2222 ? "last Tuesday" : "";
                break;
            }
            long_row(&t, u, i, iv, oi, spot, when, "", "\n");
        }
        char what[64];
        snprintf(what, sizeof what, "file-level variant %d", variant);
        gex_read_options o;
        memset(&o, 0, sizeof o);
        if (variant != 3)
            ck_assert_uint_eq(check_buffer(t.s, t.len, &o, 1024, what), 7);
        else
            check_buffer(t.s, t.len, &o, 1024, what); /* no spot for early underlyings */
        o.symbol = "Msft";
        snprintf(what, sizeof what, "file-level variant %d, --symbol", variant);
        check_buffer(t.s, t.len, &o, 1024, what);
        o.symbol = "NONE";
        check_buffer(t.s, t.len, &o, 1024, what);
        o.symbol = NULL;
        o.spot = 4444.44;
        o.multiplier = 10;
        snprintf(what, sizeof what, "file-level variant %d, --spot", variant);
        check_buffer(t.s, t.len, &o, 1024, what);
        free(t.s);
    }
}
END_TEST

/* A CBOE CSV (preamble with the spot and the date): the same underlying throughout (split),
 * and another one in its second half (refused at its first row, in ranges as by one reader: a
 * CBOE download is of one underlying, and rows of another are another file's joined to it). */
START_TEST(test_split_cboe)
{
    for (int other = 0; other < 2; other++) {
        text t = {0};
        put(&t, "\"SPDR S&P 500 ETF Trust\",Last: 445.65,Change:  0.51\n"
                "\"Date: March 15, 2024 at 4:15 PM EDT\",Bid: 445.65,Ask: 445.73,\"Volume: "
                "28,253,899\n"
                "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open "
                "Interest,Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest\n");
        for (long i = 0; i < 2000; i++) {
            const char *root = other && i >= 1000 ? "QQQ" : "SPY";
            long k = 400000 + 500 * (i % 150);
            put(&t,
                "Fri Mar 22 2024,%s240322C00%06ld,3.17,0.21,3.15,3.19,5120,0.1421,0.5213,0.0512,"
                "%ld,%.2f,%s240322P00%06ld,2.42,-0.2,2.41,2.44,4411,0.1502,-0.479,0.05,%s\n",
                root, k, 8213 + i, (double)k / 1000.0, root, k, i == 1700 ? "-3" : "4412");
        }
        size_t most = check_both(t.s, t.len, 1024, other ? "CBOE, two underlyings" : "CBOE");
        ck_assert_uint_eq(most, 7);
        free(t.s);
    }
}
END_TEST

/* The default range size: a file of just under two ranges is read in one piece, just over in
 * two; from a file as from memory. */
START_TEST(test_split_threshold)
{
    /* Rows up to the first that takes the rows past two default ranges (1 MB each). */
    text t = {0};
    put(&t, "%s\n", LONG_HEADER);
    const size_t header = t.len, two = (size_t)2 << 20;
    size_t below = 0;
    for (long i = 0; t.len - header <= two; i++) {
        below = t.len;
        long_row(&t, tickers[(i / 37) % 5], i, "0.2125", "1317", "4512.37", "2026-11-20T15:00:00Z",
                 "", "\n");
    }
    ck_assert_uint_le(below - header, two);
    gex_read_options o;
    memset(&o, 0, sizeof o);
    split_outcome one, two_threads;
    read_mem(t.s, t.len, &o, 1, 0, 0, &one);
    read_mem(t.s, t.len, &o, 2, 0, 0, &two_threads);
    ck_assert_uint_eq(two_threads.count.ranges, 2);
    assert_same_split(&one, &two_threads, "just above two ranges");
    outcome_free(&two_threads);
    char path[] = "/tmp/gex-test-split-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, t.s, t.len), (ssize_t)t.len);
    close(fd);
    read_path(path, &o, 2, 0, 0, &two_threads);
    ck_assert_uint_eq(two_threads.count.ranges, 2);
    assert_same_split(&one, &two_threads, "just above two ranges, from a file");
    outcome_free(&two_threads);
    outcome_free(&one);
    /* One row fewer: not two ranges of rows, read in one piece. */
    read_mem(t.s, below, &o, 1, 0, 0, &one);
    read_mem(t.s, below, &o, 2, 0, 0, &two_threads);
    ck_assert_uint_eq(two_threads.count.ranges, 1);
    assert_same_split(&one, &two_threads, "just below two ranges");
    outcome_free(&one);
    outcome_free(&two_threads);
    unlink(path);
    free(t.s);
}
END_TEST

/* From a stream: a BOM, lines before the header, and a stream that does not start at the
 * file's first byte. */
START_TEST(test_split_stream)
{
    text t = {0};
    put(&t, "skipped prefix\n");
    size_t offset = t.len;
    put(&t, "\xEF\xBB\xBF"
            "exported by a broker\r\n\r\n");
    long_file(&t, 3000, "\r\n");
    char path[] = "/tmp/gex-test-split-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, t.s, t.len), (ssize_t)t.len);
    close(fd);
    gex_read_options o;
    memset(&o, 0, sizeof o);
    split_outcome one;
    read_mem(t.s + offset, t.len - offset, &o, 1, 0, 0, &one);
    for (int threads = 2; threads <= 4; threads++) {
        split_outcome many;
        memset(&many, 0, sizeof many);
        o.threads = threads;
        FILE *fp = fopen(path, "rb");
        ck_assert_ptr_nonnull(fp);
        ck_assert_int_eq(fseek(fp, (long)offset, SEEK_SET), 0);
        many.r.rc = gex__chain_read_file_split(fp, "chain.csv", &o, &many.r.chain, &many.r.rep,
                                               &many.r.err, 1024, 1000, &many.count);
        ck_assert_int_eq(fgetc(fp), EOF);
        fclose(fp);
        prepare(&many);
        ck_assert_uint_eq(many.count.ranges, (size_t)threads);
        assert_same_split(&one, &many, "a stream with a BOM and a preamble");
        outcome_free(&many);
    }
    outcome_free(&one);
    /* The same through the path, with a ranges size that splits it. */
    char *rest = t.s + offset;
    ck_assert_uint_eq(check_both(rest, t.len - offset, 1024, "BOM and preamble"), 7);
    unlink(path);
    free(t.s);
}
END_TEST

/* The real chains, in place, from memory and from their files. */
START_TEST(test_split_shared_chains)
{
    const char *dir = gex_test_shared("chains");
    if (dir == NULL) {
        printf("skipped: ../shared absent\n");
        return;
    }
    char base[4096];
    snprintf(base, sizeof base, "%s", dir);
    DIR *d = opendir(base);
    ck_assert_ptr_nonnull(d);
    size_t files = 0, split = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", base, e->d_name);
        size_t len;
        char *buf = gex_test_slurp(path, &len);
        /* Ranges of at least 16 kB: seven of them in the smallest CBOE file. */
        size_t most = check_both(buf, len, 16384, e->d_name);
        gex_read_options o;
        memset(&o, 0, sizeof o);
        o.symbol = "SPX";
        check_buffer(buf, len, &o, 16384, e->d_name);
        split_outcome one, two;
        memset(&o, 0, sizeof o);
        read_mem(buf, len, &o, 1, 0, 0, &one);
        read_path(path, &o, 3, 16384, 0, &two);
        assert_same_split(&one, &two, e->d_name);
        outcome_free(&one);
        outcome_free(&two);
        files++;
        split += most > 1;
        free(buf);
    }
    closedir(d);
    printf("split reads of %zu real chains: %zu read in ranges\n", files, split);
    ck_assert_uint_gt(files, 0);
    ck_assert_uint_gt(split, 0);
}
END_TEST

/* The seeded generator's files: the committed sample and a market of 60 underlyings. */
START_TEST(test_split_generated)
{
    size_t len;
    char *buf = gex_test_slurp(GEX_SOURCE_ROOT "/data/sample-spx.csv", &len);
    ck_assert_uint_eq(check_both(buf, len, 4096, "data/sample-spx.csv"), 7);
    free(buf);
    const char *gen = getenv("GEX_GEN_CHAIN");
    ck_assert_msg(gen != NULL, "GEX_GEN_CHAIN (the gen-chain program) is set by meson");
    char path[] = "/tmp/gex-test-split-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' --market --underlyings 60 -o '%s' 2>/dev/null", gen, path);
    ck_assert_int_eq(system(cmd), 0);
    buf = gex_test_slurp(path, &len);
    ck_assert_uint_eq(check_both(buf, len, 65536, "gen-chain --market"), 7);
    gex_read_options o;
    memset(&o, 0, sizeof o);
    split_outcome one, two;
    read_mem(buf, len, &o, 1, 0, 0, &one);
    read_path(path, &o, 2, len / 3, 0, &two);
    ck_assert_uint_eq(two.count.ranges, 2);
    assert_same_split(&one, &two, "gen-chain --market from its file");
    /* --symbol: an underlying of the middle of the file. */
    gex_chain_view v;
    gex_chain_get_view(one.r.chain, &v);
    char symbol[64];
    snprintf(symbol, sizeof symbol, "%s", gex_chain_symbol(one.r.chain, v.underlying[v.n / 2]));
    outcome_free(&one);
    outcome_free(&two);
    o.symbol = symbol;
    ck_assert_uint_eq(check_buffer(buf, len, &o, 65536, "gen-chain --market, --symbol"), 7);
    unlink(path);
    free(buf);
}
END_TEST

/* A row with an empty quote time has no instant (never the last quote time read: SPEC 2.9).
 * Three thirds of the same bytes, each rows with empty quote times and then a row with one that
 * gives no contract: every contract is of no instant, one chain whose quote instant is the
 * file's latest, by one reader as by ranges. */
START_TEST(test_split_untimed_rows)
{
    text t = {0};
    put(&t, "%s\n", LONG_HEADER);
    for (int third = 0; third < 3; third++) {
        for (long i = 0; i < 200; i++)
            put(&t, "XYZ,2026-12-18,%ld,%s,1.125,1.375,0.2125,1317,51.25,,\n", 40 + i % 20,
                i % 2 ? "P" : "C");
        put(&t, "XYZ,2026-12-18,x,C,1.125,1.375,0.2125,1317,51.25,2026-11-20T1%d:00:00Z,\n",
            5 + third);
    }
    gex_read_options o;
    memset(&o, 0, sizeof o);
    split_outcome one, two;
    read_mem(t.s, t.len, &o, 1, 0, 0, &one);
    read_mem(t.s, t.len, &o, 3, 1024, 4096, &two);
    ck_assert_int_eq(one.r.rc, GEX_OK);
    assert_same_split(&one, &two, "rows with empty quote times after one");
    outcome_free(&one);
    outcome_free(&two);
    free(t.s);
}
END_TEST

/* Blocks of rows, one letter each: S sparse rows (a 300-byte note: about 380 bytes a row), D
 * dense ones (no note: about 80 bytes), rows rows a block. */
static void blocks_file(text *t, const char *pattern, long rows)
{
    char note[301];
    memset(note, 'x', 300);
    note[300] = '\0';
    put(t, "%s\n", LONG_HEADER);
    long i = 0;
    for (const char *b = pattern; *b != '\0'; b++)
        for (long k = 0; k < (*b == 'S' ? rows : 4 * rows); k++, i++)
            long_row(t, tickers[(i / 37) % 5], i, "0.2125", "1317", "4512.37",
                     "2026-11-20T15:00:00Z", *b == 'S' ? note : "", "\n");
}

/* Reads blocks_file(pattern) with one reader and with threads, in ranges of at least 4 kB, and
 * asserts that they agree; returns the split read's count. */
static gex__split_count check_blocks(const char *pattern, long rows, int threads, size_t chunk)
{
    text t = {0};
    blocks_file(&t, pattern, rows);
    gex_read_options o;
    memset(&o, 0, sizeof o);
    split_outcome one, many;
    read_mem(t.s, t.len, &o, 1, 0, 0, &one);
    read_mem(t.s, t.len, &o, threads, 4096, chunk, &many);
    char label[256];
    snprintf(label, sizeof label, "blocks %s of %ld rows, %d threads, chunk %zu", pattern, rows,
             threads, chunk);
    assert_same_split(&one, &many, label);
    gex__split_count count = many.count;
    outcome_free(&one);
    outcome_free(&many);
    free(t.s);
    return count;
}

/* Each range is read into its stretch of the file's arrays, sized from a sample of rows per byte
 * at the start of every range: a file as dense throughout is read wholly in place, and a range
 * denser than every sample outgrows its stretch and is copied, with the same chain. */
START_TEST(test_split_in_place)
{
    for (int threads = 2; threads <= 7; threads++) {
        gex__split_count c = check_blocks("DDDDDDD", 300, threads, 4096);
        ck_assert_uint_eq(c.ranges, (size_t)threads);
        ck_assert_uint_eq(c.in_place, (size_t)threads);
        /* each range but the last moved up against the next: the chain begins past the room
         * the ranges left (the margin of their stretches), and nothing is moved down */
        ck_assert_uint_eq(c.moved_up, (size_t)threads - 1);
        ck_assert_uint_gt(c.front, 0);
    }
    /* Every range starts with sparse rows (a sample of 64 kB) and goes on dense. */
    gex__split_count c = check_blocks("SDSD", 300, 2, 4096);
    ck_assert_uint_eq(c.ranges, 2);
    ck_assert_uint_eq(c.in_place, 0);
    c = check_blocks("SDSD", 300, 2, 7);
    ck_assert_uint_eq(c.in_place, 0);
    /* The first range outgrows its stretch, the three after it do not: they are read in place
     * but their stretches start before where the first range ends, so they are copied too. */
    c = check_blocks("SDSSSSSS", 300, 4, 4096);
    ck_assert_uint_eq(c.ranges, 4);
    ck_assert_uint_eq(c.in_place, 3);
    /* The same at a size whose estimate (about 14,000 contracts: sparse samples) gives the
     * file's arrays one mapping (chain.c's slab); the 35,000 read outgrow it, and each array
     * leaves the slab for memory of its own as the ranges are copied. */
    c = check_blocks("SDSD", 3500, 2, 65536);
    ck_assert_uint_eq(c.in_place, 0);
    /* Random layouts, threads and chunks. */
    uint64_t seed = 0xB10C5ULL;
    for (int round = 0; round < 24; round++) {
        char pattern[9];
        size_t n = 2 + gex_splitmix64(&seed) % 7;
        for (size_t k = 0; k < n; k++)
            pattern[k] = gex_splitmix64(&seed) % 2 ? 'S' : 'D';
        pattern[n] = '\0';
        int threads = 2 + (int)(gex_splitmix64(&seed) % 6);
        size_t chunk = 1 + gex_splitmix64(&seed) % 70000;
        (void)check_blocks(pattern, 50 + (long)(gex_splitmix64(&seed) % 300), threads, chunk);
    }
}
END_TEST

/* Random damage to a chain (quotes, line ends, commas, bytes dropped or doubled), each read by
 * one reader and in ranges of random sizes, threads and chunks: a differential fuzzer. */
START_TEST(test_split_random_damage)
{
    text t = {0};
    long_file(&t, 400, "\n");
    uint64_t seed = 0x5EEDC0FFEEULL;
    static const char damage[] = {'"', '\n', '\r', ',', '"', 'x', '\0', '-'};
    char *buf = malloc(t.len * 2 + 64);
    ck_assert_ptr_nonnull(buf);
    for (int iter = 0; iter < 300; iter++) {
        size_t len = t.len;
        memcpy(buf, t.s, len);
        int edits = 1 + (int)(gex_splitmix64(&seed) % 12);
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)(gex_splitmix64(&seed) % len);
            int kind = (int)(gex_splitmix64(&seed) % 3);
            char ch = damage[gex_splitmix64(&seed) % sizeof damage];
            if (kind == 0) {
                buf[at] = ch;
            } else if (kind == 1) {
                memmove(buf + at + 1, buf + at, len - at);
                buf[at] = ch;
                len++;
            } else if (len > 1) {
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
            }
        }
        gex_read_options o;
        memset(&o, 0, sizeof o);
        o.strict = (int)(gex_splitmix64(&seed) % 2);
        int threads = 2 + (int)(gex_splitmix64(&seed) % 6);
        size_t split_min = 1 + (size_t)(gex_splitmix64(&seed) % 8192);
        size_t chunk = 1 + (size_t)(gex_splitmix64(&seed) % 5000);
        split_outcome one, many;
        read_mem(buf, len, &o, 1, 0, 0, &one);
        read_mem(buf, len, &o, threads, split_min, chunk, &many);
        char what[96];
        snprintf(what, sizeof what, "damage %d (%d threads, ranges of %zu, chunk %zu)", iter,
                 threads, split_min, chunk);
        assert_same_split(&one, &many, what);
        outcome_free(&one);
        outcome_free(&many);
    }
    free(buf);
    free(t.s);
}
END_TEST

/* Zero and one thread are the one reader; a JSON file is never split. */
START_TEST(test_split_not_split)
{
    text t = {0};
    long_file(&t, 3000, "\n");
    gex_read_options o;
    memset(&o, 0, sizeof o);
    for (int threads = -1; threads <= 1; threads++) {
        split_outcome x;
        read_mem(t.s, t.len, &o, threads, 1024, 0, &x);
        ck_assert_int_eq(x.r.rc, GEX_OK);
        ck_assert_uint_eq(x.count.ranges, 1);
        outcome_free(&x);
    }
    free(t.s);
    const char *json = gex_test_data("chains/cboe-json.json");
    size_t len;
    char *buf = gex_test_slurp(json, &len);
    split_outcome one, two;
    read_mem(buf, len, &o, 1, 0, 0, &one);
    read_mem(buf, len, &o, 4, 1, 0, &two);
    ck_assert_uint_eq(two.count.ranges, 1);
    assert_same_split(&one, &two, "CBOE JSON");
    outcome_free(&one);
    outcome_free(&two);
    free(buf);
}
END_TEST

/* The committed test chains, each a quirk of a real format. */
START_TEST(test_split_test_chains)
{
    static const char *const names[] = {
        "cboe-2020.dat",
        "cboe-current.csv",
        "cboe-foreign-date.csv",
        "cboe-intraday-crlf.csv",
        "cboe-no-spot.csv",
        "cboe-no-year.csv",
        "cboe-unicode-minus.csv",
        "cboe-unknown-zone.csv",
        "cboe-wrong-weekday.csv",
        "duplicated-headers.csv",
        "empty.csv",
        "header-only.csv",
        "long-aliases.csv",
        "long-bad-rows.csv",
        "long-index-no-root.csv",
        "long-multi.csv",
        "long-occ.csv",
        "long-percent-iv.csv",
        "long-preamble-bom-crlf.csv",
        "yfinance.csv",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char name[256];
        snprintf(name, sizeof name, "chains/%s", names[i]);
        size_t len;
        char *buf = gex_test_slurp(gex_test_data(name), &len);
        check_both(buf, len, 1, names[i]);
        free(buf);
    }
}
END_TEST

static Suite *split_suite(void)
{
    Suite *s = suite_create("chain-split");
    TCase *tc = tcase_create("split");
    tcase_add_test(tc, test_split_long_csv_ranges);
    tcase_add_test(tc, test_split_crlf_and_no_final_newline);
    tcase_add_test(tc, test_split_quoted_newlines);
    tcase_add_test(tc, test_split_bad_rows);
    tcase_add_test(tc, test_split_header_repeated);
    tcase_add_test(tc, test_split_file_level_checks);
    tcase_add_test(tc, test_split_currency);
    tcase_add_test(tc, test_split_cboe);
    tcase_add_test(tc, test_split_threshold);
    tcase_add_test(tc, test_split_stream);
    tcase_add_test(tc, test_split_not_split);
    tcase_add_test(tc, test_split_test_chains);
    tcase_add_test(tc, test_split_random_damage);
    tcase_add_test(tc, test_split_in_place);
    tcase_add_test(tc, test_split_untimed_rows);
    tcase_add_test(tc, test_split_generated);
    tcase_add_test(tc, test_split_shared_chains);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(split_suite());
}
