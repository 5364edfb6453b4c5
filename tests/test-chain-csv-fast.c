/*
 * The CSV reader's fast path (chain-csv.c: a line without a quote is split by hand, every other
 * byte goes to libcsv) must give exactly what libcsv alone gives: the same contracts in the
 * same order (every array compared bit for bit), the same symbols, the same report (rows,
 * counts, first line per reason, warnings) and, in strict mode, the same error (file, line,
 * column, text). The independent truth is libcsv's tokenisation of the same bytes
 * (gex__chain_read_file_libcsv), itself tested against the files' contents in test-chain-read.c.
 *
 * Inputs: every real CSV in ../shared/chains and ../shared/formats (read in place; "skipped:
 * ../shared absent" without them), the committed sample, and random mutations of long and CBOE
 * chains with what a tokeniser can get wrong: quoted fields (with commas, doubled quotes and
 * newlines), CRLF and lone CR, a byte order mark, blanks and tabs around fields, empty fields,
 * short and long rows, blank lines and lines of blanks, unclosed quotes, a line longer than the
 * fast path takes. Each is read whole and in chunks of 4096 bytes (the crafted and mutated
 * texts also of 7 bytes), and the real files also on two threads in ranges. And the one-word
 * decimal parser of the fast path (gex__decimal_parse8) against the decimal parser it stands in
 * for.
 */
#include "gex-test.h"

#include <stdint.h>

#include <locale.h>

#include "../src/decimal-internal.h"
#include "gex/bs.h"
#include "chain-read-same.h"
#include "splitmix64.h"

/* Reads fp both ways, lenient and strict, whole and in chunks of 4096 bytes and (small inputs)
 * of 7 bytes, and in ranges on two threads when split_min > 0; returns the contracts of the
 * lenient whole read. */
static size_t check_fp(FILE *fp, int split_min, const char *what)
{
    static const size_t chunks[] = {0, 4096, 7};
    const size_t n_chunks = split_min > 0 ? 2 : 3; /* a real file in 7-byte chunks is slow */
    size_t contracts = 0;
    for (int strict = 0; strict < 2; strict++) {
        for (size_t k = 0; k < n_chunks; k++) {
            for (int threads = 1; threads <= (split_min > 0 ? 2 : 1); threads++) {
                gex_read_options o;
                memset(&o, 0, sizeof o);
                o.strict = strict;
                o.threads = threads;
                outcome a, b;
                read_fp(fp, "chain.csv", &o, 1, (size_t)split_min, chunks[k], &a);
                read_fp(fp, "chain.csv", &o, 0, (size_t)split_min, chunks[k], &b);
                char label[512];
                snprintf(label, sizeof label, "%s (strict %d, chunk %zu, threads %d)", what, strict,
                         chunks[k], threads);
                assert_same(&a, &b, label);
                if (!strict && k == 0 && threads == 1)
                    contracts = a.rep.contracts;
                gex_chain_free(a.chain);
                gex_chain_free(b.chain);
            }
        }
    }
    return contracts;
}

static size_t check_buffer(const char *buf, size_t len, const char *what)
{
    FILE *fp = fmemopen((void *)buf, len, "rb");
    ck_assert_ptr_nonnull(fp);
    size_t n = check_fp(fp, 0, what);
    fclose(fp);
    return n;
}

static int is_csv(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && (strcmp(name + n - 4, ".csv") == 0 || strcmp(name + n - 4, ".dat") == 0);
}

/* A real file: in ranges of 64 KB, so that the larger files are read on two threads in several
 * ranges. */
static size_t check_real(FILE *fp, const char *name)
{
    return check_fp(fp, 64 << 10, name);
}

START_TEST(test_fast_path_real_files_same_chain)
{
    size_t contracts = 0;
    int files = check_shared_folder("chains", is_csv, check_real, &contracts) +
                check_shared_folder("formats", is_csv, check_real, &contracts);
    if (files == 0) {
        printf("skipped: ../shared absent\n");
        return;
    }
    /* Six CSV chains and five CSV layouts at least (the folders' READMEs). */
    ck_assert_int_ge(files, 8);
    ck_assert_uint_gt(contracts, 10000);
}
END_TEST

/* --- random mutations --- */

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        ck_assert_ptr_nonnull(t->s);
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* Writes one field of a row, mutated with probability about 1/rate. */
static void mutate_field(text *t, const char *f, size_t n, uint64_t *seed, int rate)
{
    uint64_t r = gex_splitmix64(seed);
    if (r % (uint64_t)rate != 0) {
        put(t, f, n);
        return;
    }
    switch ((r / (uint64_t)rate) % 12) {
    case 0: /* quoted */
        puts_(t, "\"");
        put(t, f, n);
        puts_(t, "\"");
        break;
    case 1: /* blanks around */
        puts_(t, " \t");
        put(t, f, n);
        puts_(t, "\t ");
        break;
    case 2: /* empty */
        break;
    case 3: /* a quoted comma */
        puts_(t, "\"");
        put(t, f, n);
        puts_(t, ",x\"");
        break;
    case 4: /* a doubled quote inside a quoted field */
        puts_(t, "\"");
        put(t, f, n / 2);
        puts_(t, "\"\"");
        put(t, f + n / 2, n - n / 2);
        puts_(t, "\"");
        break;
    case 5: /* a quote inside an unquoted field */
        put(t, f, n / 2);
        puts_(t, "\"");
        put(t, f + n / 2, n - n / 2);
        break;
    case 6: /* a newline inside a quoted field */
        puts_(t, "\"");
        put(t, f, n);
        puts_(t, "\n\"");
        break;
    case 7: /* an extra field */
        put(t, f, n);
        puts_(t, ",extra");
        break;
    case 8: /* a lone CR */
        put(t, f, n / 2);
        puts_(t, "\r");
        put(t, f + n / 2, n - n / 2);
        break;
    case 9: /* garbage */
        puts_(t, "x7");
        put(t, f, n);
        break;
    case 10: /* quoted, then blanks */
        puts_(t, "\"");
        put(t, f, n);
        puts_(t, "\"  ");
        break;
    default: /* a NUL byte */
        put(t, f, n);
        put(t, "", 1);
        break;
    }
}

/* A mutation of the lines of src (a header line first): each line's end as LF, CRLF or CR,
 * fields mutated, rows cut short, blank lines and lines of blanks added, a byte order mark. */
static void mutate(const char *src, size_t len, uint64_t seed, int rate, text *out)
{
    out->len = 0;
    if (gex_splitmix64(&seed) % 4 == 0)
        puts_(out, "\xEF\xBB\xBF");
    const char *end = src + len;
    int first = 1;
    for (const char *p = src; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl != NULL ? nl : end;
        if (e > p && e[-1] == '\r')
            e--;
        uint64_t r = gex_splitmix64(&seed);
        if (!first && r % (uint64_t)(rate * 4) == 0)
            puts_(out, r % 3 == 0 ? "\n" : r % 3 == 1 ? " \t \r\n" : ",,,\n");
        if (first) {
            put(out, p, (size_t)(e - p)); /* the header stays readable */
        } else {
            size_t cut = r % (uint64_t)(rate * 8) == 1 ? (size_t)(e - p) / 2 : (size_t)(e - p);
            const char *f = p;
            const char *line_end = p + cut;
            for (;;) {
                const char *comma = memchr(f, ',', (size_t)(line_end - f));
                const char *fe = comma != NULL ? comma : line_end;
                mutate_field(out, f, (size_t)(fe - f), &seed, rate * 6);
                if (comma == NULL)
                    break;
                puts_(out, ",");
                f = comma + 1;
            }
        }
        uint64_t t = gex_splitmix64(&seed) % 16;
        puts_(out, t < 11 ? "\n" : t < 15 ? "\r\n" : "\r");
        first = 0;
        p = nl != NULL ? nl + 1 : end;
    }
    /* Sometimes no terminator after the last line, sometimes an unclosed quote. */
    uint64_t t = gex_splitmix64(&seed) % 8;
    if (t == 0 && out->len > 0)
        out->s[--out->len] = '\0';
    else if (t == 1)
        puts_(out, "SPX,\"unclosed,1\n");
}

/* The first max_lines lines of the committed sample (a long CSV of the generator). */
static char *sample_lines(size_t max_lines, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data/sample-spx.csv", GEX_SOURCE_ROOT);
    char *buf = gex_test_slurp(path, len);
    size_t lines = 0;
    for (size_t i = 0; i < *len; i++)
        if (buf[i] == '\n' && ++lines == max_lines) {
            *len = i + 1;
            break;
        }
    return buf;
}

START_TEST(test_fast_path_sample_same_chain)
{
    size_t len;
    char *buf = sample_lines(SIZE_MAX, &len);
    ck_assert_uint_gt(check_buffer(buf, len, "sample-spx.csv"), 1000);
    free(buf);
}
END_TEST

/* A CBOE quotedata file: the preamble and rows of calls and puts side by side. */
static const char cboe_text[] =
    "SPX,Last: 4450.38,Change: 12.5\n"
    "Date: September 14, 2023 at 4:15 PM EDT,Bid: 4449.1,Ask: 4451.7,Size: 1*1,Volume: 0\n"
    "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,"
    "Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest\n"
    "Fri Sep 15 2023,SPXW230915C04400000,51.2,0,50.1,52.3,120,0.1345,0.91,0.0012,1520,4400.00,"
    "SPXW230915P04400000,0.35,0,0.3,0.4,3010,0.1502,-0.08,0.0011,8812\n"
    "Fri Sep 15 2023,SPXW230915C04450000,8.7,0,8.5,9.1,2250,0.1101,0.52,0.0061,4410,4450.00,"
    "SPXW230915P04450000,8.1,0,7.9,8.4,2980,0.1123,-0.48,0.0060,5120\n"
    "Fri Sep 15 2023,SPXW230915C04500000,0.25,0,0.2,0.3,910,0.1043,0.05,0.0013,3300,4500.00,"
    "SPXW230915P04500000,49.8,0,49.1,51.0,40,0.1422,-0.93,0.0012,2050\n"
    "Mon Sep 18 2023,SPXW230918C04425000,31.5,0,31.0,32.2,45,0.1221,0.71,0.0041,611,4425.00,"
    "SPXW230918P04425000,6.3,0,6.1,6.6,81,0.1248,-0.29,0.0040,902\n"
    "Mon Sep 18 2023,SPXW230918C04475000,6.05,0,5.9,6.3,77,0.1112,0.36,0.0052,1230,4475.00,"
    "SPXW230918P04475000,30.4,0,30.0,31.1,12,0.1170,-0.63,0.0050,407\n";

START_TEST(test_fast_path_mutations_same_chain)
{
    size_t sample_len;
    char *sample = sample_lines(400, &sample_len);
    text t = {0};
    uint64_t seed = 0x5eedfa57c0ffee21u;
    for (int round = 0; round < 300; round++) {
        int cboe = round % 3 == 2;
        int rate = 2 + round % 7; /* from about every second field to every eighth */
        const char *src = cboe ? cboe_text : sample;
        size_t len = cboe ? sizeof cboe_text - 1 : sample_len;
        mutate(src, len, gex_splitmix64(&seed), rate, &t);
        char what[64];
        snprintf(what, sizeof what, "mutation %d (%s, rate %d)", round, cboe ? "CBOE" : "long",
                 rate);
        check_buffer(t.s, t.len, what);
    }
    free(t.s);
    free(sample);
}
END_TEST

/* Hand-made lines, one case each, with a row after them that must still be read. */
START_TEST(test_fast_path_crafted_lines_same_chain)
{
    static const char header[] = "underlying,option_symbol,expiration,strike,type,bid,ask,"
                                 "iv,open_interest,underlying_price\n";
    static const char row[] = "SPX,SPXW261118C07140000,2026-11-18,7140,C,325.1,361.5,0.48,169,"
                              "7483.26";
    static const char *const cases[] = {
        "",
        "\r\n",
        "\r",
        "   \n",
        " \t \r\n",
        ",,,,,,,,,\n",
        ", , ,\t,\n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,P,0,0.05,0.48,598,7483.26\r\n",
        " SPX , SPXW261118P07140000 ,2026-11-18\t,\t7140,P,0,0.05,0.48,598,7483.26  \n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,P,0,0.05,0.48,598\n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,P,0,0.05,0.48,598,7483.26,1,2\n",
        "SPX,\"SPXW261118P07140000\",2026-11-18,7140,P,0,0.05,0.48,598,7483.26\n",
        "SPX,SPXW261118P07140000,\"2026-11-18\r\n\",7140,P,0,0.05,0.48,598,7483.26\n",
        "SPX,SPXW261118P07140000,2026-11-18,71\"40,P,0,0.05,0.48,598,7483.26\n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,P,0,0.05,0.48,598,7483.26\r\r\n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,P,0,0.05,0.48,598,7483.26\n\n\n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,P,0,0.05,0.48,598,7483.26\r\n\r\n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,P,1e-1,5E-2,0.48,598,7483.26\n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,P,0x1p3,inf,nan,598,7483.26\n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,P,N/A,--,null,598,7483.26\n",
        "SPX,SPXW261118P07140000,2026-11-18,-7140,P,0,0.05,0.48,-598,7483.26\n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,Q,0,0.05,0.48,598,7483.26\n",
        "SPX,SPXW261118P07140000,2026-13-18,7140,P,0,0.05,0.48,598,7483.26\n",
        "SPX,SPXW261118P07140000,2026-11-18,7140,P,0,0.05,0.48,598,7483.26",
    };
    text t = {0};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (int crlf = 0; crlf < 2; crlf++) {
            t.len = 0;
            if (k % 2 == 1)
                puts_(&t, "\xEF\xBB\xBF");
            puts_(&t, header);
            puts_(&t, row);
            puts_(&t, crlf ? "\r\n" : "\n");
            puts_(&t, cases[k]);
            if (k + 1 < sizeof cases / sizeof cases[0]) {
                puts_(&t, row);
                puts_(&t, "\n");
            }
            char what[64];
            snprintf(what, sizeof what, "crafted case %zu, crlf %d", k, crlf);
            check_buffer(t.s, t.len, what);
        }
    }
    /* A line longer than the fast path takes (64 KB), and a field as long. */
    t.len = 0;
    puts_(&t, header);
    puts_(&t, row);
    puts_(&t, "\n");
    for (int i = 0; i < 12000; i++)
        puts_(&t, "SPX,");
    puts_(&t, "\n");
    for (int i = 0; i < 70000; i++)
        puts_(&t, "x");
    puts_(&t, ",SPXW261118P07140000,2026-11-18,7140,P,0,0.05,0.48,598,7483.26\n");
    puts_(&t, row);
    puts_(&t, "\n");
    check_buffer(t.s, t.len, "long lines");
    free(t.s);
}
END_TEST

/* Reads text (fast path, lenient, whole) and returns the outcome; the caller frees the chain. */
static outcome read_text(const char *t, size_t len, int strict)
{
    FILE *fp = fmemopen((void *)t, len, "rb");
    ck_assert_ptr_nonnull(fp);
    gex_read_options o;
    memset(&o, 0, sizeof o);
    o.strict = strict;
    o.threads = 1;
    outcome a;
    read_fp(fp, "chain.csv", &o, 0, 0, 0, &a);
    fclose(fp);
    return a;
}

/* The plan of a header (chain-csv.c, make_plan) with every kind of column: two names of the
 * underlying (the better one wins, the other is not used), a root beside them, a multiplier, a
 * quote time; cells longer than SHORT_FIELD (32 bytes), numbers longer than 8 bytes, the range of a
 * column at its edge, types and missing-value tokens, rows with more and fewer fields than the
 * header, quoted fields and CRLF. The same chain and report both ways, and what each row must
 * give from its text alone. */
START_TEST(test_fast_path_plan_edges_same_chain)
{
    static const char csv[] =
        "ticker,underlying,root,contractSymbol,expiration,strike,type,bid,ask,lastPrice,"
        "impliedVolatility,openInterest,volume,contractSize,quote_time,underlying_price\n"
        /* line 2: good, REGULAR multiplier */
        "X,SPX,SPXW,SPXW261118C07140000,2026-11-18,7140,C,1.5,1.7,1.6,0.25,100,10,REGULAR,"
        "2026-11-18T19:30:00Z,4500.5\n"
        /* line 3: good, a 36-byte quote time, a 12-byte bid, type "put" */
        "X,SPX,SPXW,SPXW261118P07140000,2026-11-18,7140,put,1.5000000000,1.7,1.6,0.25,100,10,100,"
        "2026-11-18T19:30:00.000000000000000Z,4500.5\n"
        /* line 4: good, a 40-byte symbol that is no OCC symbol: the root column names the root */
        "X,SPX,SPXW,ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMN,2026-11-18,7150,Call,1,2,1.5,0.2,"
        "7,1,100,2026-11-18T19:30:00Z,4500.5\r\n"
        /* line 5: bad, the strike 10000001 over GEX_PRICE_MAX (8 bytes: the one-word parser) */
        "X,SPX,SPXW,SPXW261118C07160000,2026-11-18,10000001,C,1,2,1.5,0.2,7,1,100,"
        "2026-11-18T19:30:00Z,4500.5\n"
        /* line 6: good, the bid 10000000 at GEX_PRICE_MAX */
        "X,SPX,SPXW,SPXW261118C07170000,2026-11-18,7170,C,10000000,2,1.5,0.2,7,1,100,"
        "2026-11-18T19:30:00Z,4500.5\n"
        /* line 7: bad, the strike 123456789 (9 bytes: the general parser) over the range */
        "X,SPX,SPXW,SPXW261118C07180000,2026-11-18,123456789,C,1,2,1.5,0.2,7,1,100,"
        "2026-11-18T19:30:00Z,4500.5\n"
        /* line 8: good, a missing type: the option symbol's */
        "X,SPX,SPXW,SPXW261118C07190000,2026-11-18,7190,N/A,1,2,1.5,0.2,7,1,100,"
        "2026-11-18T19:30:00Z,4500.5\n"
        /* line 9: bad, the row has 15 fields */
        "X,SPX,SPXW,SPXW261118C07200000,2026-11-18,7200,C,1,2,1.5,0.2,7,1,100,"
        "2026-11-18T19:30:00Z\n"
        /* line 10: good, 17 fields (the last ignored), quoted cells */
        "X,\"SPX\",SPXW,SPXW261118C07210000,\"2026-11-18\",7210,C,1,2,1.5,0.2,7,1,100,"
        "2026-11-18T19:30:00Z,4500.5,more\n"
        /* line 11: bad, "1.2.3" is no number */
        "X,SPX,SPXW,SPXW261118C07220000,2026-11-18,7220,C,1.2.3,2,1.5,0.2,7,1,100,"
        "2026-11-18T19:30:00Z,4500.5\n"
        /* line 12: good, a 35-byte underlying (no ticker seen before), blanks around cells */
        "X, SPXSPXSPXSPXSPXSPXSPXSPXSPXSPXSPXSP ,SPXW,SPXW261118C07230000, 2026-11-18 ,7230,"
        "C,1,2,1.5,0.2,,1,100,2026-11-18T19:30:00Z,4500.5\n";
    const size_t len = sizeof csv - 1;
    ck_assert_uint_eq(check_buffer(csv, len, "plan edges"), 7);
    outcome a = read_text(csv, len, 0);
    ck_assert_msg(a.rc == GEX_OK, "%d %s:%ld: %s", a.rc, a.err.file, a.err.line, a.err.text);
    ck_assert_uint_eq(a.rep.rows, 11);
    ck_assert_uint_eq(gex_chain_size(a.chain), 7);
    gex_chain_view v;
    gex_chain_get_view(a.chain, &v);
    /* Line 3: the 12-byte bid, the put, the multiplier column; line 6: the bid at the limit;
     * line 8: the type of the symbol. */
    ck_assert(v.type[1] == GEX_PUT && v.bid[1] == 1.5 && v.multiplier[1] == 100);
    ck_assert(v.type[2] == GEX_CALL && v.strike[2] == 7150);
    ck_assert(v.bid[3] == 1e7);
    ck_assert(v.type[4] == GEX_CALL && v.strike[4] == 7190);
    ck_assert(v.open_interest[6] == 0); /* line 12's empty open interest */
    gex_chain_free(a.chain);
    /* Strict: the first bad row, line 5. */
    a = read_text(csv, len, 1);
    ck_assert_int_eq(a.rc, GEX_EPARSE);
    ck_assert_msg(a.err.line == 5, "%ld: %s", a.err.line, a.err.text);
    ck_assert_msg(strstr(a.err.text, "strike \"10000001\" is out of range") != NULL, "%s",
                  a.err.text);
    gex_chain_free(a.chain);
}
END_TEST

/* Two CBOE downloads joined into one file: the second one's preamble and header would change
 * the columns' plan mid-file; the read stops there, both ways, naming the line. With CRLF, a
 * quoted symbol and a row of more fields than the header before it. */
START_TEST(test_fast_path_cboe_joined_same_error)
{
    static const char second[] =
        "SPX,Last: 4460.1,Change: 2.5\r\n"
        "Date: September 15, 2023 at 4:15 PM EDT,Bid: 4459.1,Ask: 4461.7\r\n"
        "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,"
        "Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest\r\n"
        "Fri Sep 15 2023,SPXW230915C04400000,51.2,0,50.1,52.3,120,0.1345,0.91,0.0012,1520,4400.00,"
        "SPXW230915P04400000,0.35,0,0.3,0.4,3010,0.1502,-0.08,0.0011,8812\r\n";
    static const char extra[] =
        "Fri Sep 15 2023,\"SPXW230915C04425000\",51.2,0,50.1,52.3,120,0.1345,0.91,0.0012,1520,"
        "4425.00,SPXW230915P04425000,0.35,0,0.3,0.4,3010,0.1502,-0.08,0.0011,8812,x\r\n";
    text t = {0};
    /* The three preamble lines of the second download, each alone after the first's rows. */
    for (int k = 0; k < 3; k++) {
        t.len = 0;
        puts_(&t, cboe_text);
        puts_(&t, extra);
        const char *line = second;
        for (int skip = 0; skip < k; skip++)
            line = strchr(line, '\n') + 1;
        puts_(&t, line);
        check_buffer(t.s, t.len, "joined CBOE downloads");
        outcome a = read_text(t.s, t.len, 0);
        ck_assert_int_eq(a.rc, GEX_EPARSE);
        ck_assert_int_eq(a.err.line, 10); /* 3 preamble lines, 5 rows, the extra row */
        ck_assert_msg(strstr(a.err.text, "another CBOE download starts") != NULL, "%s", a.err.text);
        gex_chain_free(a.chain);
    }
    /* Without the second download: every row read, the extra field ignored. */
    t.len = 0;
    puts_(&t, cboe_text);
    puts_(&t, extra);
    ck_assert_uint_eq(check_buffer(t.s, t.len, "CBOE with an extra field"), 12);
    free(t.s);
}
END_TEST

/* A long CSV whose header comes again (two files joined, SPEC 2.5), plain and quoted, of the
 * same names and in another order: libcsv alone and the fast path skip or refuse the same. */
START_TEST(test_fast_path_header_repeated_same)
{
    static const char *const again[] = {
        "underlying,expiration,strike,type,bid,ask,open_interest,quote_time,spot",
        "\"Underlying\",\"Expiration\",\"Strike\",\"Type\",\"Bid\",\"Ask\",\"Open Interest\","
        "\"Quote Time\",\"Spot\"",
        "underlying,expiration,strike,type,bid,ask,quote_time,open_interest,spot",
        "\"underlying\",\"expiration\",\"strike\",\"type\",\"ask\",\"bid\",\"open_interest\","
        "\"quote_time\",\"spot\"",
    };
    static const char row[] =
        "SPX,2026-12-18,4105.5,C,1.25,1.375,1317,2026-11-20T15:00:00Z,4110.37\n";
    text t = {0};
    for (size_t k = 0; k < sizeof again / sizeof again[0]; k++) {
        t.len = 0;
        puts_(&t, again[0]);
        puts_(&t, "\n");
        puts_(&t, row);
        puts_(&t, again[k]);
        puts_(&t, "\n");
        puts_(&t, "SPX,2026-12-18,4110.25,P,2.5,2.625,1502,2026-11-20T15:00:00Z,4110.37\n");
        check_buffer(t.s, t.len, "the header again");
        outcome a = read_text(t.s, t.len, 0);
        if (k < 2) {
            ck_assert_int_eq(a.rc, GEX_OK);
            ck_assert_uint_eq(a.rep.contracts, 2);
            ck_assert_msg(strstr(a.rep.warning, "line 3 repeats the header") != NULL, "%s",
                          a.rep.warning);
        } else {
            ck_assert_int_eq(a.rc, GEX_EPARSE);
            ck_assert_int_eq(a.err.line, 3);
        }
        gex_chain_free(a.chain);
    }
    free(t.s);
}
END_TEST

/* gex__decimal_parse8 (decimal-internal.h) against gex__decimal_parse, which test-decimal
 * proves equal to strtod: every text of up to 8 bytes over an alphabet of digits, '.', signs,
 * 'e', a blank, a comma and a NUL, at random and exhaustively up to 5 bytes, and random prices
 * as chain files write them. Both must accept the same texts with the same bits; parse8 may
 * refuse (-1) what parse reads with a sign or an exponent, never a plain decimal. */
static void check_parse8(const char *s, size_t len, locale_t loc)
{
    char buf[16] = {0};
    memcpy(buf, s, len);
    double a = 0, b = 0;
    int ra = gex__decimal_parse(buf, len, loc, &a);
    int rb = gex__decimal_parse8(buf, len, &b);
    int plain = len > 0;
    int points = 0, digits = 0;
    for (size_t i = 0; i < len; i++) {
        points += buf[i] == '.';
        digits += buf[i] >= '0' && buf[i] <= '9';
        plain &= (buf[i] >= '0' && buf[i] <= '9') || buf[i] == '.';
    }
    plain &= points <= 1 && digits > 0;
    ck_assert_msg(rb == (plain ? 0 : -1), "parse8(\"%.*s\") = %d", (int)len, buf, rb);
    if (rb == 0) {
        ck_assert_msg(ra == 0, "parse8 read \"%.*s\", parse refused it", (int)len, buf);
        ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "\"%.*s\": parse8 %.17g, parse %.17g",
                      (int)len, buf, b, a);
    }
}

START_TEST(test_decimal_parse8_same_as_parse)
{
    static const char alphabet[] = "0123456789.-+eE ,\0";
    const size_t na = sizeof alphabet - 1;
    locale_t loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    ck_assert(loc != (locale_t)0);
    char t[8];
    /* Exhaustive to 4 bytes over the alphabet, to 5 over digits and the point. */
    for (size_t len = 1; len <= 4; len++) {
        size_t total = 1;
        for (size_t k = 0; k < len; k++)
            total *= na;
        for (size_t code = 0; code < total; code++) {
            size_t x = code;
            for (size_t k = 0; k < len; k++, x /= na)
                t[k] = alphabet[x % na];
            check_parse8(t, len, loc);
        }
    }
    for (size_t code = 0; code < 11u * 11 * 11 * 11 * 11; code++) {
        size_t x = code;
        for (size_t k = 0; k < 5; k++, x /= 11)
            t[k] = "0123456789."[x % 11];
        check_parse8(t, 5, loc);
    }
    uint64_t seed = 0x8badf00dd15ea5e5u;
    for (int i = 0; i < 1000000; i++) {
        size_t len = 1 + gex_splitmix64(&seed) % 8;
        uint64_t r = gex_splitmix64(&seed);
        int digits_only = i % 2 == 0;
        for (size_t k = 0; k < len; k++, r /= 19)
            t[k] = digits_only ? "0123456789."[r % 11] : alphabet[r % na];
        check_parse8(t, len, loc);
    }
    /* Prices, IVs and counts as chain files write them: 0 to 4 decimals. */
    for (int i = 0; i < 500000; i++) {
        uint64_t r = gex_splitmix64(&seed);
        int decimals = (int)(r % 5);
        uint64_t m = (r >> 8) % 10000000u;
        char b[32];
        int n = decimals > 0 ? snprintf(b, sizeof b, "%.*f", decimals,
                                        (double)m / gex__pow10_exact[decimals])
                             : snprintf(b, sizeof b, "%llu", (unsigned long long)(m % 1000000));
        if (n >= 1 && n <= 8)
            check_parse8(b, (size_t)n, loc);
    }
    freelocale(loc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("chain-csv-fast");
    TCase *tc = tcase_create("fast");
    tcase_add_test(tc, test_fast_path_real_files_same_chain);
    tcase_add_test(tc, test_fast_path_sample_same_chain);
    tcase_add_test(tc, test_fast_path_crafted_lines_same_chain);
    tcase_add_test(tc, test_fast_path_mutations_same_chain);
    tcase_add_test(tc, test_fast_path_plan_edges_same_chain);
    tcase_add_test(tc, test_fast_path_cboe_joined_same_error);
    tcase_add_test(tc, test_fast_path_header_repeated_same);
    tcase_add_test(tc, test_decimal_parse8_same_as_parse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(suite());
}
