/* The layouts read whole (SPEC 2.8, src/chain-layout.c and src/chain-<layout>.c): the real
 * samples of ../shared/formats (read in place, skipped when absent) and the synthetic fixtures
 * of tests/data/formats/, and the refusals of the files GEX cannot be computed from.
 *
 * Expected counts and sums on the real samples were measured independently of gex with
 * Python's csv module (see ../shared/formats/README.md for the published figures), e.g. for NSE
 *   rows = list(csv.reader(open(path))); s = rows[1].index('STRIKE')
 *   calls = sum(int(r[1].replace(',', '')) for r in rows[2:] if r[1] != '-')
 * and for the CBOE table of 2016 the composite rows only (the code in parentheses without a
 * "-X" exchange suffix), root AAPL only. Days since 1970-01-01 are
 * (date(y, m, d) - date(1970, 1, 1)).days; instants datetime(..., tzinfo=timezone.utc). */
#include "gex-test.h"

#include <math.h>
#include <unistd.h>

#include "../src/chain-internal.h"
#include "../src/chain-row-internal.h"
#include "chain-read-same.h"
#include "gex/american.h"
#include "gex/bs.h"
#include "gex/chain.h"

#define DAY_2016_11_04 17109
#define DAY_2022_09_13 19248
#define DAY_2022_09_16 19251
#define DAY_2023_11_07 19668
#define DAY_2023_11_10 19671
#define DAY_2024_03_14 19796
#define DAY_2025_12_30 20452
#define DAY_2026_05_01 20574
#define DAY_2026_06_18 20622

/* A chunk size that puts a boundary inside every kind of field, quote and line end. */
#define CHUNK_SMALL 7

static const char *sample(const char *name)
{
    char rel[512];
    snprintf(rel, sizeof rel, "formats/%s", name);
    const char *path = gex_test_shared(rel);
    if (path == NULL)
        printf("skipped: ../shared absent (%s)\n", name);
    return path;
}

static const char *fixture(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s", gex_test_data("formats/"));
    strncat(path, name, sizeof path - strlen(path) - 1);
    return path;
}

static gex_read_options options(void)
{
    gex_read_options o;
    memset(&o, 0, sizeof o);
    return o;
}

static gex_chain *read_ok(const char *path, const gex_read_options *o, gex_read_report *rep)
{
    gex_chain *c = NULL;
    gex_error err;
    int rc = gex_chain_read_path(path, o, &c, rep, &err);
    ck_assert_msg(rc == GEX_OK, "%s:%ld: %s", err.file, err.line, err.text);
    return c;
}

/* Reads path expecting status rc and a message holding every one of the texts. */
static void read_refused(const char *path, const gex_read_options *o, int rc, const char *t1,
                         const char *t2)
{
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_path(path, o, &c, NULL, &err), rc);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err.text, t1) != NULL, "\"%s\" not in: %s", t1, err.text);
    ck_assert_msg(t2 == NULL || strstr(err.text, t2) != NULL, "\"%s\" not in: %s", t2, err.text);
}

/* Sum of open interest per type, and count per type. */
static void oi_sums(const gex_chain *c, double *calls, double *puts, size_t *nc, size_t *np)
{
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    *calls = *puts = 0;
    *nc = *np = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.type[i] == GEX_CALL) {
            *calls += v.open_interest[i];
            (*nc)++;
        } else {
            *puts += v.open_interest[i];
            (*np)++;
        }
    }
}

/* The whole file from memory under another name, and from a stream in 7-byte chunks: the same
 * contracts as from the path. */
static void same_from_memory_and_stream(const char *path, const char *name,
                                        const gex_read_options *o, const gex_chain *ref)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    size_t len = (size_t)ftell(fp);
    rewind(fp);
    char *buf = malloc(len);
    ck_assert_uint_eq(fread(buf, 1, len, fp), len);
    rewind(fp);
    gex_chain *m = NULL, *s = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(buf, len, name, o, &m, NULL, &err), GEX_OK);
    ck_assert_int_eq(gex__chain_read_file_chunked(fp, name, o, &s, NULL, &err, CHUNK_SMALL),
                     GEX_OK);
    fclose(fp);
    free(buf);
    gex_chain_view a, b, d;
    gex_chain_get_view(ref, &a);
    gex_chain_get_view(m, &b);
    gex_chain_get_view(s, &d);
    ck_assert_uint_eq(a.n, b.n);
    ck_assert_uint_eq(a.n, d.n);
    for (size_t i = 0; i < a.n; i++) {
        ck_assert(a.strike[i] == b.strike[i] && a.strike[i] == d.strike[i]);
        ck_assert(a.settlement[i] == b.settlement[i] && a.settlement[i] == d.settlement[i]);
        ck_assert(memcmp(&a.open_interest[i], &d.open_interest[i], sizeof(double)) == 0);
        ck_assert(memcmp(&a.file_iv[i], &d.file_iv[i], sizeof(double)) == 0);
    }
    gex_chain_free(m);
    gex_chain_free(s);
}

/* --- Barchart --- */

START_TEST(test_barchart_sample)
{
    const char *path = sample("barchart2026_gpre_2026-04-14_exp-2026-06-18_no-expiry-col.csv");
    if (path == NULL)
        return;
    /* The sample's name is not Barchart's: it names no underlying. */
    gex_read_options o = options();
    read_refused(path, &o, GEX_EPARSE, "only in the file name", "pass --symbol");
    o.symbol = "GPRE";
    gex_read_report rep;
    gex_chain *c = read_ok(path, &o, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_BARCHART_CSV);
    ck_assert_uint_eq(rep.rows, 58);
    double calls, puts;
    size_t nc, np;
    oi_sums(c, &calls, &puts, &nc, &np);
    ck_assert_uint_eq(nc, 29);
    ck_assert_uint_eq(np, 29);
    ck_assert_double_eq(calls, 2007);
    ck_assert_double_eq(puts, 277);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    for (size_t i = 0; i < v.n; i++)
        ck_assert_int_eq(v.expiration[i], DAY_2026_06_18);
    /* The footer: 04-14-2026 05:39am CDT. */
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, 1776163140LL);
    /* The spot from Moneyness (README: +93.62% at strike 1 gives 15.67); the row nearest the
     * money is written to 0.01%, so the spot is good to about 1e-4 relative. */
    ck_assert_rel(v.spot[0], 15.67, 2e-3, 0);
    /* IVs in percent: 400.29% at strike 1 (the first row). */
    ck_assert_rel(v.file_iv[0], 4.0029, 1e-12, 0);
    same_from_memory_and_stream(path, "x/gpre-options-exp-2026-06-18-monthly.csv", NULL, c);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_barchart_fixture_from_name)
{
    /* Barchart's own file name gives the underlying and the expiration; quoted thousands,
     * percent IV and moneyness, 0.00% IV is no IV, the footer is the quote instant. */
    gex_read_report rep;
    gex_chain *c = read_ok(
        fixture("gpre-options-exp-2026-06-18-monthly-show-all-stacked-04-14-2026.csv"), NULL, &rep);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 4);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "GPRE");
    ck_assert_double_eq(v.strike[0], 1000);
    ck_assert_double_eq(v.open_interest[0], 1250);
    ck_assert_double_eq(v.volume[1], 2015);
    ck_assert_double_eq(v.spot[0], 1250); /* 0.00% moneyness at strike 1,250 */
    ck_assert_rel(v.file_iv[1], 0.382, 1e-12, 0);
    ck_assert(isnan(v.file_iv[3]));
    ck_assert_rel(v.vendor_delta[2], -0.469, 1e-12, 0);
    ck_assert_int_eq(v.expiration[0], DAY_2026_06_18);
    ck_assert_int_eq(v.type[3], GEX_PUT);
    gex_chain_free(c);
    /* --expiration-of-file wins over the name. */
    gex_read_options o = options();
    o.file_expiration = DAY_2026_05_01;
    c = read_ok(fixture("gpre-options-exp-2026-06-18-monthly-show-all-stacked-04-14-2026.csv"), &o,
                NULL);
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.expiration[0], DAY_2026_05_01);
    gex_chain_free(c);
}
END_TEST

/* The footer of a download saved again from a sheet, padded with empty fields to the header's
 * width (and quoted by pandas): still the footer, whose instant is the file's, and no row. */
START_TEST(test_barchart_footer_padded)
{
    static const char *const footers[] = {
        "Downloaded from Barchart.com as of 04-14-2026 05:39am CDT,,,,,,,,,\n",
        "\"Downloaded from Barchart.com as of 04-14-2026 05:39am CDT\",,,,,,,,,\n",
        "Downloaded from Barchart.com as of 04-14-2026 05:39am CDT,,,\n",
    };
    for (size_t k = 0; k < sizeof footers / sizeof footers[0]; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "Strike,Moneyness,Bid,Mid,Ask,Latest,Volume,\"Open Int\",IV,Type\n"
                 "10.00,+5.00%%,1.0,1.1,1.2,1.1,3,40,30.00%%,Call\n"
                 "12.50,+18.75%%,2.35,2.4,2.45,2.4,7,115,41.25%%,Put\n%s",
                 footers[k]);
        gex_chain *c = NULL;
        gex_read_report rep;
        gex_error err;
        gex_read_options o = options();
        ck_assert_int_eq(gex_chain_read_buffer(text, strlen(text),
                                               "gpre-options-exp-2026-06-18-resaved.csv", &o, &c,
                                               &rep, &err),
                         GEX_OK);
        ck_assert_uint_eq(rep.rows, 2);
        ck_assert_uint_eq(rep.contracts, 2);
        for (int r = 0; r < GEX_SKIP_REASON_COUNT; r++)
            ck_assert_uint_eq(rep.skipped[r], 0);
        ck_assert_int_eq(rep.has_quote_time, 1);
        gex_chain_free(c);
    }
    /* A footer line with another cell is a row (bad: no type). */
    static const char other[] = "Strike,Moneyness,Bid,Mid,Ask,Latest,Volume,\"Open Int\",IV,Type\n"
                                "10.00,+5.00%,1.0,1.1,1.2,1.1,3,40,30.00%,Call\n"
                                "Downloaded from Barchart.com as of 04-14-2026 05:39am CDT,x\n";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    gex_read_options o = options();
    int rc = gex_chain_read_buffer(other, sizeof other - 1, "gpre-options-exp-2026-06-18-x.csv", &o,
                                   &c, &rep, &err);
    ck_assert_msg(rc != GEX_OK ||
                      rep.skipped[GEX_SKIP_SHORT_ROW] + rep.skipped[GEX_SKIP_BAD_TYPE] == 1,
                  "the line with another cell was taken for the footer");
    gex_chain_free(c);
}
END_TEST

START_TEST(test_barchart_name_without_expiration)
{
    static const char text[] = "Strike,Moneyness,Bid,Mid,Ask,Latest,Volume,\"Open Int\",IV,Type\n"
                               "10.00,+5.00%,1.0,1.1,1.2,1.1,3,40,30.00%,Call\n";
    gex_chain *c = NULL;
    gex_error err;
    gex_read_options o = options();
    o.symbol = "XYZ";
    ck_assert_int_eq(
        gex_chain_read_buffer(text, sizeof text - 1, "download.csv", &o, &c, NULL, &err),
        GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "--expiration-of-file"));
    o.file_expiration = DAY_2026_06_18;
    ck_assert_int_eq(
        gex_chain_read_buffer(text, sizeof text - 1, "download.csv", &o, &c, NULL, &err), GEX_OK);
    /* No footer: no quote instant, and prepare will ask for --now. */
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_ENOTIME);
    gex_chain_free(c);
    /* Without an "Open Int" column: refused, saying why. */
    static const char no_oi[] = "Strike,Moneyness,Bid,Ask,IV,Type\n10,+5.00%,1,1.2,30.00%,Call\n";
    ck_assert_int_eq(
        gex_chain_read_buffer(no_oi, sizeof no_oi - 1, "download.csv", &o, &c, NULL, &err),
        GEX_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "open interest"));
}
END_TEST

/* --- NSE --- */

START_TEST(test_nse_sample)
{
    const char *path = sample("nse_nifty_2025-12-19_exp-30-Dec-2025_wing-steps.csv");
    if (path == NULL)
        return;
    gex_read_options o = options();
    o.symbol = "NIFTY";
    read_refused(path, &o, GEX_EPARSE, "no price of the underlying", "--spot");
    o.spot = 26050;
    gex_read_report rep;
    gex_chain *c = read_ok(path, &o, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_NSE_CSV);
    ck_assert_uint_eq(rep.rows, 118);
    double calls, puts;
    size_t nc, np;
    oi_sums(c, &calls, &puts, &nc, &np);
    /* README: OI calls 892,975, puts 956,735; sides entirely "-" are no contract. */
    ck_assert_double_eq(calls, 892975);
    ck_assert_double_eq(puts, 956735);
    ck_assert_uint_eq(nc, 115);
    ck_assert_uint_eq(np, 117);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    for (size_t i = 0; i < v.n; i++) {
        ck_assert_int_eq(v.expiration[i], DAY_2025_12_30);
        ck_assert_double_eq(v.multiplier[i], 75);
        /* 15:30 IST is 10:00 UTC. */
        ck_assert_int_eq(v.settlement[i], (int64_t)DAY_2025_12_30 * 86400 + 10 * 3600);
        ck_assert(isnan(v.file_iv[i]) || (v.file_iv[i] > 0.06 && v.file_iv[i] < 1.21));
    }
    /* The time is not in the file. */
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_ENOTIME);
    same_from_memory_and_stream(path, "option-chain-ED-NIFTY-30-Dec-2025.csv", &o, c);
    gex_chain_free(c);
    /* Another symbol has no built-in lot: --multiplier is asked for, and given, used. */
    o.symbol = "BANKNIFTY";
    read_refused(path, &o, GEX_EPARSE, "lot size", "--multiplier");
    o.multiplier = 35;
    c = read_ok(path, &o, NULL);
    gex_chain_get_view(c, &v);
    ck_assert_double_eq(v.multiplier[0], 35);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_nse_fixture_lakh_grouping)
{
    gex_read_options o = options();
    o.spot = 26000;
    gex_read_report rep;
    gex_chain *c = read_ok(fixture("option-chain-ED-NIFTY-30-Dec-2025.csv"), &o, &rep);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    /* 13,000: puts only; 26,000: both; 27,000: calls only. */
    ck_assert_uint_eq(v.n, 4);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "NIFTY");
    ck_assert_int_eq(v.type[0], GEX_PUT);
    ck_assert_double_eq(v.strike[0], 13000);
    ck_assert_double_eq(v.open_interest[1], 130835); /* "1,30,835" */
    ck_assert_double_eq(v.volume[1], 352725);        /* "3,52,725" */
    ck_assert_double_eq(v.open_interest[2], 102615); /* "1,02,615", the put's OI, mirrored */
    ck_assert_double_eq(v.bid[2], 128.05);
    ck_assert_double_eq(v.ask[2], 128.60);
    ck_assert_rel(v.file_iv[2], 0.1012, 1e-12, 0);
    ck_assert_int_eq(v.type[3], GEX_CALL);
    ck_assert_double_eq(v.strike[3], 27000);
    /* NSE's options are European (SPEC 1.8): --exercise auto prices none American. */
    ck_assert_int_eq(gex_chain_venue_european(c), 1);
    /* and priced in rupees, which every amount's unit then names (SPEC 2) */
    ck_assert_str_eq(gex_chain_currency(c), "INR");
    ck_assert_int_eq(gex_exercise_for_chain(c, v.root[0], GEX_EXERCISE_AUTO),
                     GEX_EXERCISE_EUROPEAN);
    gex_chain_free(c);
    /* A name without the expiration: --expiration-of-file is asked for. */
    gex_chain *d = NULL;
    gex_error err;
    static const char text[] = "CALLS,,PUTS\n,OI,CHNG IN OI,IV,STRIKE,IV,CHNG IN OI,OI,\n"
                               ",10,1,12.0,\"100.00\",13.0,2,20,\n";
    o.symbol = "NIFTY";
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "nifty.csv", &o, &d, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "--expiration-of-file"));
}
END_TEST

/* --- Deribit --- */

START_TEST(test_deribit_book_summary_sample)
{
    const char *path = sample("deribit-booksummary_btc_2024-03-12_iv-100-wings.csv");
    if (path == NULL)
        return;
    gex_read_report rep;
    gex_chain *c = read_ok(path, NULL, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_DERIBIT_CSV);
    double calls, puts;
    size_t nc, np;
    oi_sums(c, &calls, &puts, &nc, &np);
    ck_assert_uint_eq(nc, 599);
    ck_assert_uint_eq(np, 599);
    ck_assert_rel(calls + puts, 175665.7, 1e-12, 0);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    size_t no_iv = 0;
    for (size_t i = 0; i < v.n; i++) {
        ck_assert_double_eq(v.spot[i], 72011.29); /* the index, not underlying_price */
        ck_assert_double_eq(v.multiplier[i], 1);
        ck_assert_int_eq(v.settlement[i] % 86400, 8 * 3600);
        no_iv += isnan(v.file_iv[i]);
    }
    /* 344 mark IVs at the 100% cap are dropped (README), and warned. */
    ck_assert_uint_eq(no_iv, 344);
    ck_assert_ptr_nonnull(strstr(rep.warning, "344 mark IVs at exactly 100%"));
    /* creation_timestamp 1710223032940 ms. */
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, 1710223032LL);
    /* The first row: BTC-14MAR24-72250-C, ask 0.07 BTC, no bid, mark IV 40.0. */
    ck_assert_int_eq(v.expiration[0], DAY_2024_03_14);
    ck_assert_double_eq(v.strike[0], 72250);
    ck_assert_int_eq(v.type[0], GEX_CALL);
    ck_assert_rel(v.ask[0], 0.07 * 72011.29, 1e-12, 0);
    ck_assert(isnan(v.bid[0]));
    ck_assert_rel(v.file_iv[0], 0.40, 1e-12, 0);
    ck_assert_double_eq(v.open_interest[0], 25);
    /* Deribit's options are European (SPEC 1.8), their coin prices read in the strike's
     * dollars. */
    ck_assert_int_eq(gex_chain_venue_european(c), 1);
    ck_assert_str_eq(gex_chain_currency(c), "USD");
    ck_assert_int_eq(gex_exercise_for_chain(c, v.root[0], GEX_EXERCISE_AUTO),
                     GEX_EXERCISE_EUROPEAN);
    same_from_memory_and_stream(path, "deribit.csv", NULL, c);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_deribit_board_export_sample)
{
    const char *path = sample("deribit-ui-export_btc_2026-04-30_exp-1MAY26_dash-placeholders.csv");
    if (path == NULL)
        return;
    gex_read_options o = options();
    read_refused(path, &o, GEX_EPARSE, "no index price", "--spot");
    o.spot = 75560;
    gex_read_report rep;
    gex_chain *c = read_ok(path, &o, &rep);
    double calls, puts;
    size_t nc, np;
    oi_sums(c, &calls, &puts, &nc, &np);
    ck_assert_uint_eq(nc, 29);
    ck_assert_uint_eq(np, 29);
    ck_assert_rel(calls, 10558.7, 1e-12, 0);
    ck_assert_rel(puts, 11609.5, 1e-12, 0);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    /* BTC-1MAY26-60000-C: bid 0.187, ask 0.2085 BTC; delta from the "Δ|Delta" column. */
    ck_assert_int_eq(v.expiration[0], DAY_2026_05_01);
    ck_assert_rel(v.bid[0], 0.187 * 75560, 1e-12, 0);
    ck_assert_rel(v.ask[0], 0.2085 * 75560, 1e-12, 0);
    ck_assert_rel(v.vendor_delta[0], 0.99999, 1e-12, 0);
    /* BTC-1MAY26-60000-P: no bid ("-"): the mark stands for both... and the mark is "-" too. */
    ck_assert(isnan(v.bid[1]) && isnan(v.ask[1]));
    ck_assert_int_eq(gex_chain_quote_time(c, &(int64_t){0}), GEX_ENOTIME);
    gex_chain_free(c);
}
END_TEST

/* --- CBOE before 2019 --- */

START_TEST(test_cboe_legacy_sample)
{
    const char *path = sample("cboe-legacy2016_aapl_2016-11-04_no-expiry-col.dat");
    if (path == NULL)
        return;
    gex_read_report rep;
    gex_chain *c = read_ok(path, NULL, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_CBOE_LEGACY);
    ck_assert_uint_eq(rep.rows, 10350);
    double calls, puts;
    size_t nc, np;
    oi_sums(c, &calls, &puts, &nc, &np);
    /* 700 composite rows, 15 of them AAPL7 (left out, warned): 685 a side. */
    ck_assert_uint_eq(nc, 685);
    ck_assert_uint_eq(np, 685);
    ck_assert_double_eq(calls, 3188834);
    ck_assert_double_eq(puts, 2222388);
    ck_assert_ptr_nonnull(strstr(rep.warning, "30 contracts of root AAPL7"));
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_double_eq(v.spot[0], 109.80);
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, 1478284500LL); /* Nov 04 2016 @ 14:35 ET */
    /* 16 Nov 99.50 (AAPL1604K99.5): expires 2016-11-04 (yy 16, dd 04, K = November call). */
    int found = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.strike[i] == 99.5 && v.expiration[i] == DAY_2016_11_04) {
            found++;
            if (v.type[i] == GEX_CALL) {
                ck_assert_double_eq(v.bid[i], 10.15);
                ck_assert_double_eq(v.ask[i], 10.70);
            } else {
                ck_assert_double_eq(v.open_interest[i], 3446);
            }
        }
    }
    ck_assert_int_eq(found, 2);
    same_from_memory_and_stream(path, "QuoteData.dat", NULL, c);
    gex_chain_free(c);
}
END_TEST

/* --- thinkorswim --- */

START_TEST(test_thinkorswim_fixture)
{
    gex_read_report rep;
    gex_chain *c = read_ok(fixture("tos-spy-2023-11-07.csv"), NULL, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_THINKORSWIM_CSV);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    /* Two sections, a repeated header skipped, 5 strikes a side. */
    ck_assert_uint_eq(v.n, 10);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "SPY");
    ck_assert_double_eq(v.spot[0], 437.25);
    ck_assert_int_eq(v.expiration[0], DAY_2023_11_07);
    ck_assert_int_eq(v.expiration[9], DAY_2023_11_10);
    ck_assert_double_eq(v.multiplier[0], 100);
    ck_assert_double_eq(v.open_interest[1], 4512); /* "4,512", the put */
    ck_assert_rel(v.file_iv[1], 0.151, 1e-12, 0);
    ck_assert_rel(v.vendor_gamma[0], 0.052, 1e-12, 0);
    /* "<empty>" cells: no value; an empty Open.Int is 0, warned. */
    ck_assert(isnan(v.bid[4]));
    ck_assert_double_eq(v.open_interest[4], 0);
    ck_assert_ptr_nonnull(strstr(rep.warning, "2 contracts have no open interest"));
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, 1699385412LL); /* 11/7/23 14:30:12 New York (EST) */
    gex_chain_free(c);
}
END_TEST

START_TEST(test_name_not_printable_is_a_bad_row)
{
    /* The title's symbol with a byte outside ASCII (a damaged file; the analysis fuzzer found
     * one that reached the JSON documents, which take UTF-8 only): every row is bad, so
     * nothing is read, and --strict says why. */
    FILE *fp = fopen(fixture("tos-spy-2023-11-07.csv"), "rb");
    ck_assert_ptr_nonnull(fp);
    char text[8192];
    size_t len = fread(text, 1, sizeof text, fp);
    fclose(fp);
    ck_assert_uint_lt(len, sizeof text);
    char *spy = strstr(text, "SPY");
    ck_assert_ptr_nonnull(spy);
    spy[1] = (char)0xd7;
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, len, "tos.csv", NULL, &c, &rep, &err), GEX_EEMPTY);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_SYMBOL], 10);
    gex_read_options o = options();
    o.strict = 1;
    ck_assert_int_eq(gex_chain_read_buffer(text, len, "tos.csv", &o, &c, &rep, &err), GEX_EPARSE);
    ck_assert_str_eq(err.text, "the underlying \"S?Y\" holds a byte that is not printable ASCII "
                               "(3 bytes: a damaged file?); fix the row, or read without --strict "
                               "to skip bad rows");
}
END_TEST

/* The title's time read as any quote time: a 12-hour time and a zone are what they say, a time
 * out of range or with text after it is said at line 1 (it was read as 02:30, the zone
 * ignored, a negative hour the evening before, second 60 the next minute). */
START_TEST(test_thinkorswim_title_time)
{
    FILE *fp = fopen(fixture("tos-spy-2023-11-07.csv"), "rb");
    ck_assert_ptr_nonnull(fp);
    char original[8192];
    size_t olen = fread(original, 1, sizeof original, fp);
    fclose(fp);
    ck_assert_uint_lt(olen, sizeof original);
    original[olen] = '\0';
    char *at = strstr(original, "14:30:12");
    ck_assert_ptr_nonnull(at);
    const struct {
        const char *time;
        int64_t utc; /* 0: refused */
    } cases[] = {
        {"14:30:12", 1699385412},
        {"2:30:12 PM", 1699385412},
        {"14:30:12 CST", 1699389012},
        {"-5:30:12", 0},
        {"14:30:60", 0},
        {"14:30:12 XYZ", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[8300];
        int len = snprintf(text, sizeof text, "%.*s%s%s", (int)(at - original), original,
                           cases[i].time, at + strlen("14:30:12"));
        gex_chain *c = NULL;
        gex_read_report rep;
        gex_error err;
        int rc = gex_chain_read_buffer(text, (size_t)len, "tos.csv", NULL, &c, &rep, &err);
        if (cases[i].utc != 0) {
            ck_assert_msg(rc == GEX_OK, "%s: %s", cases[i].time, err.text);
            int64_t t = 0;
            ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
            ck_assert_int_eq(t, cases[i].utc);
            gex_chain_free(c);
        } else {
            /* no instant, the reader's note naming line 1 (gex_chain_prepare reports it) */
            ck_assert_msg(rc == GEX_OK, "%s: %s", cases[i].time, err.text);
            int64_t t = 0;
            ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_ENOTIME);
            long line = 0;
            const char *note = gex_chain_time_note(c, &line);
            ck_assert_ptr_nonnull(strstr(note, "cannot be read"));
            ck_assert_int_eq(line, 1);
            /* the title's own text, not the ISO date written for the parser */
            char own[64];
            snprintf(own, sizeof own, "\"11/7/23 %s\"", cases[i].time);
            ck_assert_msg(strstr(note, own) != NULL, "%s", note);
            ck_assert_uint_eq(rep.bad_quote_times, 1);
            gex_chain_free(c);
        }
    }
    /* a four-digit year, as a spreadsheet may save the title */
    char *date = strstr(original, "11/7/23");
    ck_assert_ptr_nonnull(date);
    char text[8300];
    int len = snprintf(text, sizeof text, "%.*s11/7/2023%s", (int)(date - original), original,
                       date + strlen("11/7/23"));
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, (size_t)len, "tos.csv", NULL, &c, NULL, &err),
                     GEX_OK);
    int64_t t = 0;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, 1699385412);
    gex_chain_free(c);
}
END_TEST

/* Reads text expecting one bad_symbol row of three at line 3 (kept: the other two), and
 * under --strict the message naming the length and the limit. */
static void long_name_is_a_bad_row(const char *text, const char *name, double spot)
{
    gex_read_options o = options();
    o.spot = spot;
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    int rc = gex_chain_read_buffer(text, strlen(text), name, &o, &c, &rep, &err);
    ck_assert_msg(rc == GEX_OK, "%s:%ld: %s", err.file, err.line, err.text);
    ck_assert_uint_eq(rep.contracts, 2);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_SYMBOL], 1);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_SYMBOL], 3);
    gex_chain_free(c);
    o.strict = 1;
    ck_assert_int_eq(gex_chain_read_buffer(text, strlen(text), name, &o, &c, &rep, &err),
                     GEX_EPARSE);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err.line, 3);
    ck_assert_str_eq(err.text, "the underlying \"BBBBBBBBBBBBBBBBBBBBBBBB...\" is 97 bytes long, "
                               "longer than the 96 a name may hold; fix the row, or read without "
                               "--strict to skip bad rows");
}

START_TEST(test_name_too_long_is_a_bad_row)
{
    /* A Deribit instrument whose currency is 97 bytes, one more than a name may hold: one bad
     * row, as the long CSV reader's, in both Deribit layouts (it was an internal error that
     * failed the whole file). */
    char name[98];
    memset(name, 'B', 97);
    name[97] = '\0';
    char text[2048];
    snprintf(text, sizeof text,
             "mid_price,volume_usd,quote_currency,estimated_delivery_price,creation_timestamp,"
             "base_currency,underlying_index,underlying_price,mark_iv,volume,interest_rate,"
             "price_change,open_interest,ask_price,bid_price,instrument_name,mark_price,last,low,"
             "high\n"
             ",365055.49,BTC,72011.29,1710223032940,BTC,SYN.BTC-14MAR24,72505.58,40.0,325.0,0.0,"
             "0.0,25.0,0.07,,BTC-14MAR24-72250-C,0.01552579,0.0152,0.0152,0.016\n"
             ",365055.49,BTC,72011.29,1710223032940,BTC,SYN.BTC-14MAR24,72505.58,40.0,325.0,0.0,"
             "0.0,25.0,0.07,,%s-14MAR24-72500-C,0.01552579,0.0152,0.0152,0.016\n"
             "0.01925,42874.6,BTC,72011.29,1710223032940,BTC,SYN.BTC-12MAR24,72366.10,95.44,22.1,"
             "0.0,-21.1196,12.5,0.03,0.0085,BTC-12MAR24-74000-P,0.03046327,0.031,0.0001,0.0393\n",
             name);
    long_name_is_a_bad_row(text, "deribit.csv", 0);
    snprintf(text, sizeof text,
             "Instrument,Volume,Open,ExtValue,Rho,Theta,Vega,Gamma,NDelta,\xce\x94|Delta,Last,Size,"
             "IV Bid,Bid,Mark,Ask,IV Ask,Size\r\n"
             "BTC-1MAY26-70000-P,227.7,1625.9,,-0.04262,-18.65576,1.8669,0.00002,,-0.01819,0.0002,"
             "20,64.68,0.0002,0.0002,0.0003,68.72,20\r\n"
             "%s-1MAY26-71000-C,0.3,18.4,,2.10572,-72.53311,2.71504,0.00003,,0.97163,0.071,0.4,-,"
             "0.059,0.0608,0.062,80.35,0.6\r\n"
             "BTC-1MAY26-71000-P,52.7,487.1,,-0.06643,-27.54947,2.71506,0.00003,,-0.02837,0.0003,"
             "20,57.78,0.0003,0.0004,0.0005,63.09,59.9\r\n",
             name);
    long_name_is_a_bad_row(text, "deribit-board.csv", 75560);
}
END_TEST

START_TEST(test_deribit_bad_cell_named)
{
    /* A bad number or open interest in a Deribit book summary: the strict error names the
     * column, the cell and its column number. */
    static const struct {
        const char *ask, *oi, *text;
        long column;
    } cases[] = {
        {"abc", "25.0", "ask_price \"abc\" is not a number", 14},
        {"0.07", "x12", "open_interest \"x12\" is not a count of contracts", 13},
        {"0.07", "-3", "open_interest \"-3\" is not a count of contracts", 13},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024], want[256];
        snprintf(text, sizeof text,
                 "mid_price,volume_usd,quote_currency,estimated_delivery_price,creation_timestamp,"
                 "base_currency,underlying_index,underlying_price,mark_iv,volume,interest_rate,"
                 "price_change,open_interest,ask_price,bid_price,instrument_name,mark_price,last,"
                 "low,high\n"
                 "0.01925,42874.6,BTC,72011.29,1710223032940,BTC,SYN.BTC-12MAR24,72366.10,95.44,"
                 "22.1,0.0,-21.1196,12.5,0.03,0.0085,BTC-12MAR24-74000-P,0.03046327,0.031,0.0001,"
                 "0.0393\n"
                 ",365055.49,BTC,72011.29,1710223032940,BTC,SYN.BTC-14MAR24,72505.58,40.0,325.0,"
                 "0.0,0.0,%s,%s,,BTC-14MAR24-72250-C,0.01552579,0.0152,0.0152,0.016\n",
                 cases[i].oi, cases[i].ask);
        gex_read_options o = options();
        o.strict = 1;
        gex_chain *c = NULL;
        gex_error err;
        ck_assert_int_eq(gex_chain_read_buffer(text, strlen(text), "d.csv", &o, &c, NULL, &err),
                         GEX_EPARSE);
        ck_assert_int_eq(err.line, 3);
        ck_assert_int_eq(err.column, cases[i].column);
        snprintf(want, sizeof want, "%s; fix the row, or read without --strict to skip bad rows",
                 cases[i].text);
        ck_assert_str_eq(err.text, want);
    }
}
END_TEST

/* Reads text (named name) under --strict expecting its first bad cell said as said, at line
 * and column: the cell's header name, its value and what it should be. */
static void bad_cell_said(const char *text, const char *name, gex_read_options o, long line,
                          long column, const char *said)
{
    o.strict = 1;
    gex_chain *c = NULL;
    gex_error err;
    char want[320];
    ck_assert_int_eq(gex_chain_read_buffer(text, strlen(text), name, &o, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_null(c);
    snprintf(want, sizeof want, "%s; fix the row, or read without --strict to skip bad rows", said);
    ck_assert_str_eq(err.text, want);
    ck_assert_int_eq(err.line, line);
    ck_assert_int_eq(err.column, column);
}

START_TEST(test_layout_bad_cell_named)
{
    /* Each layout read whole says a bad cell alone, by its header's name, with its value and
     * column: a price, volume, IV or greek was one message for every such column, with no
     * column, and a bad open interest, strike, type or expiration showed no value. A layout
     * whose calls and puts have columns of the same names says the side. */
    enum { BARCHART, CBOE_LEGACY, NSE, OPTIONMETRICS, THINKORSWIM };
    static const struct {
        const char *name;
        int head;
        const char *row, *said;
        long line, column;
    } cases[] = {
        {"spx.csv", BARCHART,
         "\"1,250.00\",0.00%,70.00,71.00,7x2.00,70.50,+1.20,+1.73%,\"2,015\",845,+12,38.20%,"
         "0.5310,Call,04/14/26",
         "Ask \"7x2.00\" is not a number", 3, 5},
        {"spx.csv", BARCHART,
         "\"1,250.00\",0.00%,70.00,71.00,72.00,70.50,+1.20,+1.73%,\"2,015\",845,+12,38.20%,"
         "0.5310,Call,04/14/26x",
         NULL, 0, 0}, /* the Time column is not read */
        {"spx.csv", BARCHART,
         "\"1,250.00\",0.00%,70.00,71.00,72.00,70.50,+1.20,+1.73%,\"2,015\",\"8,4,5\",+12,"
         "38.20%,0.5310,Call,04/14/26",
         "Open Int \"8,4,5\" is not a count of contracts", 3, 10},
        {"spx.csv", BARCHART,
         "\"1,250.00\",0.00%,70.00,71.00,72.00,70.50,+1.20,+1.73%,\"2,015\",845,+12,38.20%,"
         "0.5310,Cal,04/14/26",
         "Type \"Cal\" is neither Call nor Put", 3, 14},
        {"spx.csv", BARCHART,
         "-1250,0.00%,70.00,71.00,72.00,70.50,+1.20,+1.73%,\"2,015\",845,+12,38.20%,0.5310,Call,"
         "04/14/26",
         "Strike \"-1250\" is not a positive number", 3, 1},
        {"QuoteData.dat", CBOE_LEGACY,
         "16 Nov 75.00 (AAPL1604K75),36.65,0.0,34.70,34.85,0,12,16 Nov 75.00 (AAPL1604W75),0.0,"
         "0.0,0.0,0.0x1,0,7,",
         "the put side's Ask \"0.0x1\" is not a number", 5, 12},
        {"QuoteData.dat", CBOE_LEGACY,
         "16 Nov 75.00 (AAPL1604K75),36.65,0.0,34.70,34.85,0,-4,16 Nov 75.00 (AAPL1604W75),0.0,"
         "0.0,0.0,0.01,0,7,",
         "the call side's Open Int \"-4\" is not a count of contracts", 5, 7},
        {"QuoteData.dat", CBOE_LEGACY,
         "16 Nov 75.00 (AAPL1604W75),36.65,0.0,34.70,34.85,0,12,16 Nov 75.00 (AAPL1604W75),0.0,"
         "0.0,0.0,0.01,0,7,",
         "Calls \"16 Nov 75.00 (AAPL1604W75)\" is not a call \"yy Mon STRIKE (ROOTyyddMSTRIKE)\"",
         5, 1},
        {"option-chain-ED-NIFTY-30-Dec-2025.csv", NSE,
         ",\"12,375\",300,\"98,100\",10.45,2.10,-0.35,\"7,500\",2.05,2.15,\"4,200\",\"27,000.00\","
         "975,128.05,128.60,\"1,050\",12.40,128.30,10.1x2,\"2,10,450\",\"15,300\",\"1,02,615\",",
         "the put side's IV \"10.1x2\" is not a number", 4, 19},
        {"option-chain-ED-NIFTY-30-Dec-2025.csv", NSE,
         ",\"1,2,375\",300,\"98,100\",10.45,2.10,-0.35,\"7,500\",2.05,2.15,\"4,200\",\"27,000.00\","
         "-,-,-,-,-,-,-,-,-,-,",
         "the call side's OI \"1,2,375\" is not a count of contracts", 4, 2},
        {"option-chain-ED-NIFTY-30-Dec-2025.csv", NSE,
         ",\"12,375\",300,\"98,100\",10.45,2.10,-0.35,\"7,500\",2.05,2.15,\"4,200\",27000.00.5,"
         "-,-,-,-,-,-,-,-,-,-,",
         "STRIKE \"27000.00.5\" is not a positive number", 4, 12},
        {"om.csv", OPTIONMETRICS,
         "2022-08-31,2022-09-16,P,160000,2.41,2.47,1520,18211,0.15x,0.532117,0.118402,GLD",
         "impl_volatility \"0.15x\" is not a number", 3, 9},
        {"om.csv", OPTIONMETRICS,
         "2022-08-31,2022-09-16,P,160000,2.41,2.47,1520,18211.5x,0.151204,0.532117,0.118402,GLD",
         "open_interest \"18211.5x\" is not a count of contracts", 3, 8},
        {"om.csv", OPTIONMETRICS,
         "2022-08-31,2022-09-16,X,160000,2.41,2.47,1520,18211,0.151204,0.532117,0.118402,GLD",
         "cp_flag \"X\" is neither C nor P", 3, 3},
        {"om.csv", OPTIONMETRICS,
         "2022-08-31,2022-09-31,P,160000,2.41,2.47,1520,18211,0.151204,0.532117,0.118402,GLD",
         "exdate \"2022-09-31\" is not a date", 3, 2},
        {"tos.csv", THINKORSWIM,
         ",,860,2875,.52,.101,12.85%,.41,C,.44,X,7 NOV 23,437,.18,C,.20,X,990,2140,-.48,.0x98,"
         "13.05%,,",
         "the put side's Gamma \".0x98\" is not a number", 9, 21},
        {"tos.csv", THINKORSWIM,
         ",,860,2875,.52,.101,12.85%,.41,C,.44,X,7 NOV 23,437,.18,C,.20,X,990,-5,-.48,.098,"
         "13.05%,,",
         "the put side's Open.Int \"-5\" is not a count of contracts", 9, 19},
        {"tos.csv", THINKORSWIM,
         ",,860,2875,.52,.101,12.85%,.41,C,.44,X,7 NOV 23,x437,.18,C,.20,X,990,2140,-.48,.098,"
         "13.05%,,",
         "Strike \"x437\" is not a positive number", 9, 13},
    };
    /* The lines above the row, and what the read needs that the layout does not say. */
    static const struct {
        const char *text, *symbol;
        int32_t expiration;
        double spot;
    } heads[] = {
        [BARCHART] = {"Strike,Moneyness,Bid,Mid,Ask,Latest,Change,%Change,Volume,\"Open Int\","
                      "\"OI Chg\",IV,Delta,Type,Time\n"
                      "\"1,000.00\",+20.00%,250.10,251.00,251.90,250.00,unch,unch,3,\"1,250\","
                      "unch,41.50%,0.9410,Call,04/13/26\n",
                      "SPX", DAY_2026_06_18, 0},
        [CBOE_LEGACY] = {"AAPL (APPLE INC),109.80,-0.03,\n"
                         "Nov 04 2016 @ 14:35 ET,Bid,109.79,Ask,109.80,Size,13x6,Vol,20523482,\n"
                         "Calls,Last Sale,Net,Bid,Ask,Vol,Open Int,Puts,Last Sale,Net,Bid,Ask,Vol,"
                         "Open Int,\n"
                         "16 Nov 70.00 (AAPL1604K70),41.65,0.0,39.70,39.85,0,0,16 Nov 70.00 "
                         "(AAPL1604W70),0.0,0.0,0.0,0.01,0,0,\n",
                         NULL, 0, 0},
        [NSE] = {"CALLS,,PUTS\n"
                 ",OI,CHNG IN OI,VOLUME,IV,LTP,CHNG,BID QTY,BID,ASK,ASK QTY,STRIKE,BID QTY,BID,"
                 "ASK,ASK QTY,CHNG,LTP,IV,VOLUME,CHNG IN OI,OI,\n"
                 ",\"1,30,835\",\"-4,125\",\"3,52,725\",9.87,181.40,-20.15,\"1,125\",181.10,"
                 "181.85,600,\"26,000.00\",975,128.05,128.60,\"1,050\",12.40,128.30,10.12,"
                 "\"2,10,450\",\"15,300\",\"1,02,615\",\n",
                 NULL, 0, 26000},
        [OPTIONMETRICS] = {"date,exdate,cp_flag,strike_price,best_bid,best_offer,volume,"
                           "open_interest,impl_volatility,delta,gamma,ticker\n"
                           "2022-08-31,2022-09-16,C,160000,2.41,2.47,1520,18211,0.151204,"
                           "0.532117,0.118402,GLD\n",
                           NULL, 0, 159.6},
        [THINKORSWIM] = {"Stock quote and option quote for SPY on 11/7/23 14:30:12\n"
                         "\n"
                         "UNDERLYING\n"
                         "LAST,LX,Net Chng,BID,BX,ASK,AX,Size,Volume,Open,High,Low,Exchange\n"
                         "437.25,P,+1.31,437.24,P,437.26,Q,2 x 5,\"45,123,456\",436.00,438.40,"
                         "435.55,ARCA\n"
                         "\n"
                         "7 NOV 23  (0)  100\n"
                         ",,Volume,Open.Int,Delta,Gamma,Impl Vol,BID,BX,ASK,AX,Exp,Strike,BID,BX,"
                         "ASK,AX,Volume,Open.Int,Delta,Gamma,Impl Vol,,\n",
                         NULL, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[4096];
        snprintf(text, sizeof text, "%s%s\n", heads[cases[i].head].text, cases[i].row);
        gex_read_options o = options();
        o.symbol = heads[cases[i].head].symbol;
        o.file_expiration = heads[cases[i].head].expiration;
        o.spot = heads[cases[i].head].spot;
        if (cases[i].said != NULL) {
            bad_cell_said(text, cases[i].name, o, cases[i].line, cases[i].column, cases[i].said);
            continue;
        }
        gex_chain *c = NULL;
        gex_error err;
        o.strict = 1;
        ck_assert_msg(
            gex_chain_read_buffer(text, strlen(text), cases[i].name, &o, &c, NULL, &err) == GEX_OK,
            "%s", err.text);
        gex_chain_free(c);
    }
}
END_TEST

START_TEST(test_thinkorswim_without_open_interest_refused)
{
    read_refused(fixture("tos-no-oi.csv"), NULL, GEX_EFORMAT, "without an Open.Int column",
                 "cannot be computed");
}
END_TEST

/* --- CBOE re-saved by a European spreadsheet --- */

START_TEST(test_cboe_european_dates)
{
    /* "13-09-22": day-month-two-digit year, no preamble (spot and time to be given). */
    gex_read_options o = options();
    o.spot = 398.7;
    gex_read_report rep;
    gex_chain *c = read_ok(fixture("cboe-eu-resaved.csv"), &o, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_CBOE_CSV);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 4);
    ck_assert_int_eq(v.expiration[0], DAY_2022_09_13);
    ck_assert_int_eq(v.expiration[2], DAY_2022_09_16);
    for (int k = 0; k < GEX_SKIP_REASON_COUNT; k++)
        ck_assert_uint_eq(rep.skipped[k], 0);
    gex_chain_free(c);
    /* Month-first with dashes or an impossible day stays refused (not guessed). */
    static const char text[] = "underlying,expiration,strike,type,bid,ask,open_interest,spot\n"
                               "SPY,09-31-22,400,C,1,1.1,10,399\n"
                               "SPY,13-9-2022x,400,C,1,1.1,10,399\n";
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "x.csv", NULL, &c, &rep, &err),
                     GEX_EEMPTY);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_EXPIRATION], 2);
}
END_TEST

/* A CBOE download re-saved by a European spreadsheet: the 13 rows of the real NVDA file in
 * tests/data/formats/cboe-nvda-2025-01-06-rows.csv (copied verbatim from
 * ../shared/formats/cboe_nvda_2025-01-06_single-stock.csv, its preamble and header kept),
 * written again with Python's csv module as a spreadsheet saves them: ';' between fields,
 * numbers with a decimal comma and no trailing zeros ("145.00" -> "145", "0.5573" ->
 * "0,5573"), expirations "10-01-25", CRLF, quotes only where a field holds a ';'. The chain must
 * be the one read from the original rows, value for value. */
START_TEST(test_cboe_semicolon_decimal_comma)
{
    gex_read_report rep, rep_eu;
    gex_chain *a = read_ok(fixture("cboe-nvda-2025-01-06-rows.csv"), NULL, &rep);
    gex_chain *b = read_ok(fixture("cboe-nvda-2025-01-06-rows-eu.csv"), NULL, &rep_eu);
    ck_assert_int_eq(rep_eu.format, GEX_FORMAT_CBOE_CSV);
    gex_chain_view v, w;
    gex_chain_get_view(a, &v);
    gex_chain_get_view(b, &w);
    ck_assert_uint_eq(v.n, 26);
    ck_assert_uint_eq(w.n, v.n);
    /* A US listing says nothing of its style: the root decides (NVDA: American). */
    ck_assert_int_eq(gex_chain_venue_european(a), 0);
    ck_assert_str_eq(gex_chain_currency(a), "USD");
    ck_assert_int_eq(gex_exercise_for_chain(a, v.root[0], GEX_EXERCISE_AUTO),
                     GEX_EXERCISE_AMERICAN);
    for (size_t i = 0; i < v.n; i++) {
        ck_assert(v.strike[i] == w.strike[i] && v.expiration[i] == w.expiration[i]);
        ck_assert(v.type[i] == w.type[i] && v.open_interest[i] == w.open_interest[i]);
        ck_assert(v.bid[i] == w.bid[i] && v.ask[i] == w.ask[i] && v.file_iv[i] == w.file_iv[i]);
        ck_assert(v.vendor_gamma[i] == w.vendor_gamma[i] && v.line[i] == w.line[i]);
        ck_assert(v.spot[i] == 150.2802 && w.spot[i] == v.spot[i]);
    }
    int64_t t1, t2;
    ck_assert_int_eq(gex_chain_quote_time(a, &t1), GEX_OK);
    ck_assert_int_eq(gex_chain_quote_time(b, &t2), GEX_OK);
    ck_assert(t1 == t2);
    for (int k = 0; k < GEX_SKIP_REASON_COUNT; k++)
        ck_assert_uint_eq(rep_eu.skipped[k], 0);
    same_from_memory_and_stream(fixture("cboe-nvda-2025-01-06-rows-eu.csv"), "eu.csv", NULL, b);
    gex_chain_free(a);
    gex_chain_free(b);
}
END_TEST

static int read_text(const char *text, gex_chain **c, gex_error *err)
{
    return gex_chain_read_buffer(text, strlen(text), "eu.csv", NULL, c, NULL, err);
}

/* A file's quote instant outside the range gex computes times for (1883-11-18 17:00 UTC, when
 * New York took standard time, to the end of 9999), here a Deribit book summary's
 * creation_timestamp in milliseconds past 9999, is none: as --now refuses it, the chain's note
 * says so and asks for --now. */
START_TEST(test_quote_instant_outside_zone_rules)
{
    static const char text[] =
        "mid_price,volume_usd,quote_currency,estimated_delivery_price,creation_timestamp,"
        "base_currency,underlying_index,underlying_price,mark_iv,volume,interest_rate,"
        "price_change,open_interest,ask_price,bid_price,instrument_name,mark_price,last,low,high\n"
        "0.01925,42874.6,BTC,72011.29,253402300800000,BTC,SYN.BTC-12MAR24,72366.1,95.44,22.1,0.0,"
        "-21.1,12.5,0.03,0.0085,BTC-12MAR24-74000-P,0.03046327,0.031,0.0001,0.0393\n";
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, strlen(text), "old.csv", NULL, &c, NULL, &err),
                     GEX_OK);
    int64_t utc;
    ck_assert_int_eq(gex_chain_quote_time(c, &utc), GEX_ENOTIME);
    long line = -1;
    const char *note = gex_chain_time_note(c, &line);
    ck_assert_ptr_nonnull(note);
    ck_assert_msg(strstr(note, "1883-11-18 17:00 UTC") != NULL && strstr(note, "--now") != NULL,
                  "%s", note);
    gex_chain_free(c);
}
END_TEST

/* A long CSV with ';': grouping points and decimal commas read; mixed or undecidable marks and
 * an unclosed quote refused at their line and cell. */
START_TEST(test_long_semicolon_marks)
{
    gex_chain *c = NULL;
    gex_error err;
    /* "1.234,5" is 1234.5; "2.500" beside decimal commas groups thousands: 2500. */
    ck_assert_int_eq(read_text("underlying;expiration;strike;type;bid;ask;iv;open_interest;spot;"
                               "quote_time\n"
                               "SPX;22.03.2024;5.100;C;12,5;13,25;0,1834;2.500;1.234,5;"
                               "2024-03-15T20:00:00Z\n"
                               "SPX;22.03.2024;5.200;P;\"1.007,25\";1.008;0,2034;17;1.234,5;"
                               "2024-03-15T20:00:00Z\n",
                               &c, &err),
                     GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 2);
    ck_assert(v.strike[0] == 5100 && v.bid[0] == 12.5 && v.ask[0] == 13.25);
    ck_assert(v.file_iv[0] == 0.1834 && v.open_interest[0] == 2500);
    ck_assert(v.strike[1] == 5200 && v.bid[1] == 1007.25 && v.ask[1] == 1008);
    ck_assert(v.open_interest[1] == 17);
    ck_assert(v.spot[0] == 1234.5 && v.spot[1] == 1234.5);
    gex_chain_free(c);
    c = NULL;
    ck_assert_int_eq(read_text("underlying;expiration;strike;type;bid;ask;open_interest;spot\n"
                               "SPY;2024-03-22;500;C;1,25;1.5;10;499\n",
                               &c, &err),
                     GEX_EFORMAT);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err.text, "mix decimal marks: \"1,25\" (line 2, column 5)") != NULL &&
                      strstr(err.text, "\"1.5\" (line 2, column 6)") != NULL,
                  "%s", err.text);
    ck_assert_int_eq(read_text("underlying;expiration;strike;type;bid;ask;open_interest;spot\n"
                               "SPY;2024-03-22;500;C;1,250;2;10;499\n",
                               &c, &err),
                     GEX_EFORMAT);
    ck_assert_msg(strstr(err.text, "\"1,250\" (line 2, column 5) is a decimal comma or a "
                                   "thousands separator") != NULL,
                  "%s", err.text);
    ck_assert_int_eq(read_text("underlying;expiration;strike;type;bid;ask;open_interest;spot\n"
                               "SPY;2024-03-22;500;C;1,25;2;10;499\n"
                               "SPY;2024-03-22;\"510;C;1,25;2;10;499\n"
                               "SPY;2024-03-22;520;C;1,25;2;10;499\n",
                               &c, &err),
                     GEX_EPARSE);
    ck_assert_int_eq(err.line, 3);
    ck_assert_msg(strstr(err.text, "never closed") != NULL, "%s", err.text);
    /* Digits alone need no mark: read as they are. */
    ck_assert_int_eq(read_text("underlying;expiration;strike;type;bid;ask;open_interest;spot\n"
                               "SPY;2024-03-22;500;C;1;2;10;499\n",
                               &c, &err),
                     GEX_OK);
    gex_chain_free(c);
}
END_TEST

/* --- refused layouts --- */

START_TEST(test_optionsdx_refused)
{
    read_refused(fixture("optionsdx-spx-2023-01.txt"), NULL, GEX_EFORMAT, "no open interest column",
                 "2 quote instants from 2023-01-04T21:00:00Z");
    /* An instant no date can hold (found by the fuzzer: converted to a 64-bit integer, it was
     * undefined behaviour) is no quote instant of the message. */
    static const char text[] =
        "[QUOTE_UNIXTIME], [UNDERLYING_LAST], [EXPIRE_DATE], [C_IV], [C_BID], [C_ASK], [STRIKE], "
        "[P_BID], [P_ASK], [P_IV]\n"
        "5.9E+94, 446.48, 2024-03-22, 0.2, 1.1, 1.2, 440, 1.0, 1.1, 0.2\n"
        "1672866000, 446.48, 2024-03-22, 0.2, 1.1, 1.2, 445, 1.0, 1.1, 0.2\n";
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "dx.txt", NULL, &c, NULL, &err),
                     GEX_EFORMAT);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err.text, "2 rows, 1 quote instants from 2023-01-04T21:00:00Z") != NULL,
                  "%s", err.text);
}
END_TEST

START_TEST(test_optionmetrics_sample_refused)
{
    const char *path = sample("optionmetrics_gld_2022-08-31_3days_strike-x1000-no-oi.csv");
    if (path == NULL)
        return;
    read_refused(path, NULL, GEX_EFORMAT, "(8612 rows, 3 quote dates) without an open_interest",
                 "extract again with open_interest");
}
END_TEST

START_TEST(test_optionmetrics_with_open_interest)
{
    /* Strikes in thousandths, -99.99 for no IV, one end-of-day snapshot per date. */
    const char *path = fixture("optionmetrics-gld-oi-2days.csv");
    read_refused(path, NULL, GEX_EPARSE, "no price of the underlying", "--spot");
    gex_read_options o = options();
    o.spot = 159.6;
    read_refused(path, &o, GEX_EPARSE, "2 snapshots", "2022-08-31T20:00:00Z, 2022-09-01T20:00:00Z");
    o.has_at = 1;
    o.at = 1662062400LL; /* 2022-09-01 16:00 New York */
    gex_read_report rep;
    gex_chain *c = read_ok(path, &o, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_OPTIONMETRICS_CSV);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 2);
    ck_assert_double_eq(v.strike[0], 160);
    ck_assert_int_eq(v.expiration[0], DAY_2022_09_16);
    ck_assert_double_eq(v.open_interest[1], 22891);
    ck_assert_rel(v.file_iv[0], 0.149511, 1e-12, 0);
    ck_assert(isnan(v.file_iv[1]));
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "GLD");
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, 1662062400LL);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_optionmetrics_symbol_leaves_other_bad_rows)
{
    /* An extract of two tickers: --symbol GLD --strict reads GLD's rows, and SLV's bad row is
     * left out as SLV's good rows are; without --symbol it is an error. */
    static const char text[] =
        "date,exdate,cp_flag,strike_price,best_bid,best_offer,volume,open_interest,"
        "impl_volatility,delta,gamma,ticker\n"
        "2022-08-31,2022-09-16,C,160000,2.41,2.47,1520,18211,0.151204,0.532117,0.118402,GLD\n"
        "2022-08-31,2022-09-16,X,20000,0.41,0.47,1520,18211,0.31,0.53,0.11,SLV\n"
        "2022-08-31,2022-09-16,C,20000,0.41,0.47,1520,18211,0.31,0.53,0.11,SLV\n";
    gex_read_options o = options();
    o.spot = 159.6;
    o.symbol = "gld";
    o.strict = 1;
    gex_read_report rep;
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_msg(gex_chain_read_buffer(text, sizeof text - 1, "om.csv", &o, &c, &rep, &err) ==
                      GEX_OK,
                  "%s", err.text);
    ck_assert_uint_eq(gex_chain_size(c), 1);
    ck_assert_uint_eq(rep.other_symbol, 2);
    gex_chain_free(c);
    o.symbol = NULL;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "om.csv", &o, &c, &rep, &err),
                     GEX_EPARSE);
    ck_assert_int_eq(err.line, 3);
}
END_TEST

START_TEST(test_barchart_header_one_name_longer)
{
    /* The 2022 layout: the header has one name more than the rows have fields. */
    static const char text[] = "Strike,Moneyness,Bid,Midpoint,Ask,Last,Volume,Open Int,IV,Delta,"
                               "Type,Last Trade\n"
                               "\"4,025.00\",+0.50%,101.2,102.0,102.8,101.9,12,\"1,204\",21.30%,"
                               "0.5200,Call\n";
    gex_read_options o = options();
    o.symbol = "SPX";
    o.file_expiration = DAY_2026_06_18;
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "spx.csv", &o, &c, NULL, &err),
                     GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 1);
    ck_assert_double_eq(v.strike[0], 4025);
    ck_assert_double_eq(v.open_interest[0], 1204);
    ck_assert_rel(v.file_iv[0], 0.213, 1e-12, 0);
    ck_assert_rel(v.spot[0], 4025 / (1 - 0.005), 1e-12, 0);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_layout_bounds_and_grouping)
{
    /* SPEC 2.5 and 2.8 in a layout read whole (Barchart here; every layout adds its contracts
     * through the same check): a volume or a quote above its plausible bound, and a comma that
     * is no thousands separator ("9,5"), make the row bad (bad_number, bad_strike), counted;
     * before, the volume of 1e300 was kept and "9,5" read as 95. */
    static const char text[] = "Strike,Moneyness,Bid,Midpoint,Ask,Last,Volume,Open Int,IV,Delta,"
                               "Type,Last Trade\n"
                               "\"4,025.00\",+0.50%,101.2,102.0,102.8,101.9,12,\"1,204\",21.30%,"
                               "0.5200,Call,\n"
                               "\"4,030.00\",+0.37%,99.2,100.0,100.8,99.9,1e300,\"1,100\",21.10%,"
                               "0.5100,Call,\n"
                               "\"4,035.00\",+0.25%,97.2,98.0,2e7,97.9,10,\"1,000\",21.00%,"
                               "0.5000,Call,\n"
                               "\"9,5\",+0.12%,95.2,96.0,96.8,95.9,10,\"1,000\",21.00%,0.4900,"
                               "Call,\n"
                               "\"4,045.00\",+0.01%,93.2,94.0,94.8,93.9,10,\"1,2,3\",21.00%,0.4800,"
                               "Call,\n";
    gex_read_options o = options();
    o.symbol = "SPX";
    o.file_expiration = DAY_2026_06_18;
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "spx.csv", &o, &c, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), 1);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_NUMBER], 2);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_STRIKE], 1);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_OPEN_INTEREST], 1);
    gex_chain_free(c);
    /* and --strict names the line and the value */
    o.strict = 1;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "spx.csv", &o, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_int_eq(err.line, 3);
    ck_assert_ptr_nonnull(strstr(err.text, "volume 1e+300 is above the plausible 1e+09"));
}
END_TEST

/* Every file of ../shared/formats that is not JSON gets a chain or a refusal naming what it
 * lacks: never the generic "not an option chain gex knows". */
START_TEST(test_every_csv_sample_recognised)
{
    static const char *const names[] = {
        "barchart2026_gpre_2026-04-14_exp-2026-06-18_no-expiry-col.csv",
        "cboe-legacy2016_aapl_2016-11-04_no-expiry-col.dat",
        "cboe_nvda_2025-01-06_single-stock.csv",
        "deribit-booksummary_btc_2024-03-12_iv-100-wings.csv",
        "deribit-ui-export_btc_2026-04-30_exp-1MAY26_dash-placeholders.csv",
        "nse_nifty_2025-12-19_exp-30-Dec-2025_wing-steps.csv",
        "optionmetrics_gld_2022-08-31_3days_strike-x1000-no-oi.csv",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *path = sample(names[i]);
        if (path == NULL)
            return;
        gex_chain *c = NULL;
        gex_error err;
        int rc = gex_chain_read_path(path, NULL, &c, NULL, &err);
        ck_assert_msg(rc == GEX_OK || strstr(err.text, "not an option chain gex knows") == NULL,
                      "%s: %s", names[i], err.text);
        gex_chain_free(c);
    }
}
END_TEST

/* --- snapshots (SPEC 2.9) --- */

/* 2024-03-15 10:00:12 and 10:05:02 New York (EDT): the snapshots' latest instants. */
#define SNAP1_LAST 1710511212LL
#define SNAP2_LAST 1710511502LL

START_TEST(test_snapshots_refused_without_at)
{
    read_refused(fixture("long-two-captures.csv"), NULL, GEX_EPARSE,
                 "2 snapshots of the chain, quoted at 2024-03-15T14:00:12Z, "
                 "2024-03-15T14:05:02Z",
                 "--at");
}
END_TEST

START_TEST(test_snapshots_at_selects_one)
{
    gex_read_options o = options();
    o.has_at = 1;
    o.at = SNAP2_LAST - 2; /* any instant within 30 s of the snapshot's */
    gex_read_report rep;
    gex_chain *c = read_ok(fixture("long-two-captures.csv"), &o, &rep);
    ck_assert_uint_eq(rep.snapshots, 2);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 2);
    ck_assert_uint_eq(rep.contracts, 2);
    /* The contracts the snapshots share are no duplicates: each snapshot is checked alone. */
    ck_assert_ptr_null(strstr(rep.warning, "listed again"));
    ck_assert_double_eq(v.spot[0], 447.10); /* the snapshot's own spot */
    ck_assert_double_eq(v.open_interest[0], 101);
    ck_assert_int_eq(v.line[0], 5);
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, SNAP2_LAST);
    gex_chain_free(c);
    /* The first: three rows over 12 seconds are one capture, its first row's spot. */
    o.at = SNAP1_LAST - 12;
    c = read_ok(fixture("long-two-captures.csv"), &o, &rep);
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 3);
    ck_assert_double_eq(v.spot[0], 445.65);
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, SNAP1_LAST);
    gex_chain_free(c);
    /* An instant of no snapshot. */
    o.at = SNAP2_LAST + 3600;
    read_refused(fixture("long-two-captures.csv"), &o, GEX_EPARSE, "no snapshot", "--at");
}
END_TEST

START_TEST(test_snapshots_read_all)
{
    gex_chain **chains = NULL;
    size_t n = 0;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_snapshots(fixture("long-two-captures.csv"), NULL, &chains, NULL,
                                              &n, NULL, &err),
                     GEX_OK);
    ck_assert_uint_eq(n, 2);
    int64_t t0, t1;
    ck_assert_int_eq(gex_chain_quote_time(chains[0], &t0), GEX_OK);
    ck_assert_int_eq(gex_chain_quote_time(chains[1], &t1), GEX_OK);
    ck_assert_int_eq(t0, SNAP1_LAST);
    ck_assert_int_eq(t1, SNAP2_LAST);
    ck_assert_uint_eq(gex_chain_size(chains[0]), 3);
    ck_assert_uint_eq(gex_chain_size(chains[1]), 2);
    for (size_t k = 0; k < n; k++)
        gex_chain_free(chains[k]);
    free(chains);
    /* A file of one snapshot gives one chain. */
    ck_assert_int_eq(gex_chain_read_snapshots(fixture("tos-spy-2023-11-07.csv"), NULL, &chains,
                                              NULL, &n, NULL, &err),
                     GEX_OK);
    ck_assert_uint_eq(n, 1);
    gex_chain_free(chains[0]);
    free(chains);
    /* Standard input, read once like a file. */
    ck_assert_ptr_nonnull(freopen(fixture("long-two-captures.csv"), "rb", stdin));
    ck_assert_int_eq(gex_chain_read_snapshots("-", NULL, &chains, NULL, &n, NULL, &err), GEX_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(gex_chain_size(chains[0]) + gex_chain_size(chains[1]), 5);
    for (size_t k = 0; k < n; k++)
        gex_chain_free(chains[k]);
    free(chains);
    ck_assert_int_eq(gex_chain_read_snapshots(NULL, NULL, &chains, NULL, &n, NULL, &err),
                     GEX_EINVAL);
}
END_TEST

/* gex_chain_read_snapshots (one read, cut into the snapshots) against a read with --at each
 * snapshot's instant: the same chains bit for bit and the same reports, whose warnings are the
 * file's rows' and then the snapshot's own. The file's report sums the snapshots' contracts. */
static void check_snapshots_as_at(const char *path, const gex_read_options *o, size_t want)
{
    gex_chain **chains = NULL;
    gex_read_report *reports = NULL;
    size_t n = 0, contracts = 0;
    outcome all;
    memset(&all, 0, sizeof all);
    all.rc = gex_chain_read_snapshots(path, o, &chains, &reports, &n, &all.rep, &all.err);
    ck_assert_msg(all.rc == GEX_OK, "%s: %s", path, all.err.text);
    ck_assert_uint_eq(n, want);
    for (size_t j = 0; j < n; j++) {
        gex_read_options at = o != NULL ? *o : options();
        at.has_at = 1;
        ck_assert_int_eq(gex_chain_quote_time(chains[j], &at.at), GEX_OK);
        outcome one;
        memset(&one, 0, sizeof one);
        one.rc = gex_chain_read_path(path, &at, &one.chain, &one.rep, &one.err);
        outcome mine = {GEX_OK, chains[j], reports[j], all.err};
        /* the file's rows' warnings first, the snapshot's after them */
        const size_t own = reports[j].snapshot_warning;
        ck_assert_uint_le(own, strlen(reports[j].warning));
        ck_assert(n > 1 || own == 0);
        ck_assert_int_eq(strncmp(reports[j].warning, all.rep.warning, strlen(all.rep.warning)), 0);
        char what[64];
        snprintf(what, sizeof what, "snapshot %zu of %zu", j, n);
        assert_same(&one, &mine, what);
        contracts += reports[j].contracts;
        gex_chain_free(one.chain);
        gex_chain_free(chains[j]);
    }
    ck_assert_uint_eq(all.rep.contracts, contracts);
    free(chains);
    free(reports);
}

START_TEST(test_snapshots_at_nearest)
{
    /* Captures exactly 30 s apart are two snapshots, and --at the second's instant (30 s from
     * the first's too) reads the second: the nearest, not the first within reach (found by the
     * fuzzer's check that every snapshot of a file is what --at its instant reads). */
    static const char text[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,spot,"
                               "quote_time\n"
                               "SPY,2024-03-22,300,C,1.1,1.2,0.2,10,445.5,2024-03-15 10:00:00\n"
                               "SPY,2024-03-22,301,C,1.1,1.2,0.2,10,446.5,2024-03-15 10:00:30\n";
    gex_read_options o = options();
    o.has_at = 1;
    const int64_t first = 1710511200LL; /* 2024-03-15 10:00 New York */
    const struct {
        int64_t at;
        double strike;
    } cases[] = {{first, 300},      {first + 30, 301}, {first + 14, 300}, {first + 15, 300},
                 {first + 16, 301}, {first + 60, 301}, {first - 30, 300}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        o.at = cases[k].at;
        gex_chain *c = NULL;
        gex_error err;
        ck_assert_int_eq(
            gex_chain_read_buffer(text, sizeof text - 1, "near.csv", &o, &c, NULL, &err), GEX_OK);
        gex_chain_view v;
        gex_chain_get_view(c, &v);
        ck_assert_msg(v.n == 1 && v.strike[0] == cases[k].strike, "--at %+lld s: strike %g",
                      (long long)(cases[k].at - first), v.n > 0 ? v.strike[0] : 0.0);
        gex_chain_free(c);
    }
    o.at = first + 61;
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "near.csv", &o, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "no snapshot of the file is quoted at the --at"));
}
END_TEST

START_TEST(test_snapshots_one_read_same_as_at)
{
    check_snapshots_as_at(fixture("long-two-captures.csv"), NULL, 2);
    gex_read_options o = options();
    o.spot = 159.6;
    check_snapshots_as_at(fixture("optionmetrics-gld-oi-2days.csv"), &o, 2);
    /* Three captures with what finish() decides per snapshot: an IV column in percent, a bad
     * row, open interest missing, a spot that differs within a capture, two underlyings. */
    char path[] = "/tmp/gex-snapshots-XXXXXX";
    const int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("underlying,expiration,strike,type,bid,ask,iv,open_interest,spot,quote_time\n", fp);
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 40; i++)
            fprintf(fp, "%s,2024-03-22,%d,%c,1.1,1.2,%s,%s,%.2f,2024-03-15 1%d:00:%02d\n",
                    i < 30 ? "SPY" : "QQQ", 300 + i / 2, i % 2 ? 'P' : 'C',
                    k == 1 ? "21.5" : "0.215", i == 7 ? "" : "120",
                    (i < 30 ? 445.5 : 380.25) + k + (k == 2 && i == 9 ? 0.5 : 0), k, i % 10);
    fputs("SPY,2024-03-22,bad,C,1.1,1.2,0.2,5,445.5,2024-03-15 12:00:30\n", fp);
    ck_assert_int_eq(fclose(fp), 0);
    check_snapshots_as_at(path, NULL, 3);
    unlink(path);
}
END_TEST

/* What a snapshot of a file of several takes from its own rows alone: the counts of its
 * warnings, its spot and its quote instant; and the cut into snapshots, which --symbol does not
 * change. */
START_TEST(test_snapshots_their_own)
{
    static const char head[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                               "spot,quote_time\n";
    char text[4096];
    size_t len;
    gex_chain **chains = NULL;
    gex_read_report *reports = NULL, rep;
    size_t n = 0;
    gex_error err;
    gex_read_options o = options();
    /* Open interest missing in the first capture only: the second's report says nothing. */
    len = (size_t)snprintf(text, sizeof text,
                           "%sSPY,2024-03-22,300,C,1.1,1.2,0.2,,445.5,2024-03-15 10:00:00\n"
                           "SPY,2024-03-22,300,P,1.1,1.2,0.2,,445.5,2024-03-15 10:00:00\n"
                           "SPY,2024-03-22,305,P,1.1,1.2,0.2,3,445.5,2024-03-15 10:00:00\n"
                           "SPY,2024-03-22,300,C,1.1,1.2,0.2,7,446.5,2024-03-15 11:00:00\n",
                           head);
    ck_assert_int_eq(gex__chain_read_buffer_snapshots(text, len, "oi.csv", &o, &chains, &reports,
                                                      &n, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_ptr_nonnull(strstr(reports[0].warning + reports[0].snapshot_warning,
                                 "2 contracts have no open interest"));
    ck_assert_ptr_null(strstr(reports[1].warning, "open interest"));
    ck_assert_uint_eq(rep.contracts, 4);
    for (size_t k = 0; k < n; k++)
        gex_chain_free(chains[k]);
    free(chains);
    free(reports);
    /* A capture whose rows give no spot is refused, not read at another capture's; the other
     * capture is read, and a file of refused captures alone is refused. */
    len = (size_t)snprintf(text, sizeof text,
                           "%sSPY,2024-03-22,300,C,1.1,1.2,0.2,5,445.5,2024-03-15 10:00:00\n"
                           "SPY,2024-03-22,300,C,1.1,1.2,0.2,5,,2024-03-15 11:00:00\n",
                           head);
    ck_assert_int_eq(gex__chain_read_buffer_snapshots(text, len, "spot.csv", &o, &chains, &reports,
                                                      &n, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_ptr_nonnull(chains[0]);
    ck_assert_ptr_null(chains[1]);
    ck_assert_int_eq(reports[0].status, GEX_OK);
    ck_assert_int_eq(reports[1].status, GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(reports[1].error.text, "the snapshot quoted at "
                                                        "2024-03-15T15:00:00Z gives no spot price "
                                                        "for SPY"));
    ck_assert_uint_eq(rep.contracts, 1);
    gex_chain_free(chains[0]);
    free(chains);
    free(reports);
    len = (size_t)snprintf(text, sizeof text,
                           "%sSPY,2024-03-22,300,C,1.1,1.2,0.2,5,,2024-03-15 10:00:00\n"
                           "SPY,2024-03-22,300,C,1.1,1.2,0.2,5,,2024-03-15 11:00:00\n",
                           head);
    ck_assert_int_eq(gex__chain_read_buffer_snapshots(text, len, "spot.csv", &o, &chains, &reports,
                                                      &n, &rep, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "the snapshot quoted at 2024-03-15T14:00:00Z gives no "
                                           "spot price for SPY"));
    /* --symbol: the instant of the underlying's own rows, not of another's later ones. */
    len = (size_t)snprintf(text, sizeof text,
                           "%sABC,2024-03-22,300,C,1.1,1.2,0.2,5,445.5,2024-03-15 10:00:00\n"
                           "XYZ,2024-03-22,300,C,1.1,1.2,0.2,5,99.5,2024-03-15 10:00:00\n"
                           "XYZ,2024-03-22,300,C,1.1,1.2,0.2,5,99.5,2024-03-15 12:00:00\n",
                           head);
    o.symbol = "ABC";
    o.has_at = 1;
    o.at = 1710511200LL; /* 2024-03-15 10:00 New York */
    gex_chain *c = NULL;
    ck_assert_int_eq(gex_chain_read_buffer(text, len, "two.csv", &o, &c, &rep, &err), GEX_OK);
    int64_t t = 0;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, 1710511200LL);
    ck_assert_ptr_null(strstr(rep.warning, "quote time differs"));
    gex_chain_free(c);
    o.at += 2 * 3600; /* XYZ's second capture: none of ABC's */
    ck_assert_int_eq(gex_chain_read_buffer(text, len, "two.csv", &o, &c, &rep, &err), GEX_EPARSE);
    /* An instant as far as can be from every capture: refused, without overflow. */
    o.symbol = NULL;
    const int64_t far[] = {INT64_MIN, INT64_MAX};
    for (size_t k = 0; k < 2; k++) {
        o.at = far[k];
        ck_assert_int_eq(gex_chain_read_buffer(text, len, "two.csv", &o, &c, &rep, &err),
                         GEX_EPARSE);
        ck_assert_ptr_nonnull(strstr(err.text, "no snapshot of the file is quoted at the --at"));
    }
    /* With --at, the snapshots read are that one. */
    o.at = 1710518400LL;
    ck_assert_int_eq(gex__chain_read_buffer_snapshots(text, len, "two.csv", &o, &chains, &reports,
                                                      &n, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(gex_chain_size(chains[0]), 1);
    gex_chain_free(chains[0]);
    free(chains);
    free(reports);
    /* XYZ at 10:00:00 and 10:00:40, ABC at 10:00:20 between them: one capture, --symbol or not
     * (instants less than 30 s apart are one snapshot over every row of the file). */
    len = (size_t)snprintf(text, sizeof text,
                           "%sXYZ,2024-03-22,300,C,1.1,1.2,0.2,5,99.5,2024-03-15 10:00:00\n"
                           "ABC,2024-03-22,300,C,1.1,1.2,0.2,5,445.5,2024-03-15 10:00:20\n"
                           "XYZ,2024-03-22,301,C,1.1,1.2,0.2,5,99.5,2024-03-15 10:00:40\n",
                           head);
    o.has_at = 0;
    const char *symbols[] = {NULL, "XYZ", "ABC"};
    for (size_t k = 0; k < 3; k++) {
        o.symbol = symbols[k];
        ck_assert_int_eq(gex__chain_read_buffer_snapshots(text, len, "bridge.csv", &o, &chains,
                                                          &reports, &n, &rep, &err),
                         GEX_OK);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(gex_chain_read_buffer(text, len, "bridge.csv", &o, &c, &rep, &err),
                         GEX_OK);
        gex_chain_free(c);
        gex_chain_free(chains[0]);
        free(chains);
        free(reports);
    }
    /* One capture whose rows are seconds apart: --at far from it is refused as for one instant. */
    o.symbol = NULL;
    o.has_at = 1;
    o.at = 0;
    ck_assert_int_eq(gex_chain_read_buffer(text, len, "bridge.csv", &o, &c, &rep, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "the file holds one snapshot, quoted at "
                                           "2024-03-15T14:00:40Z, not at the --at instant"));
    o.at = 1710511210LL; /* 10:00:10 */
    ck_assert_int_eq(gex_chain_read_buffer(text, len, "bridge.csv", &o, &c, &rep, &err), GEX_OK);
    gex_chain_free(c);
    /* A file dated once (a CBOE date line): --at must reach its instant too. */
    static const char cboe[] =
        "SPY,Last: 445.5,Change: 0\n"
        "\"Date: March 15, 2024 at 10:00 AM EDT\",Bid: 445.4,Ask: 445.6,Size: 1*1,Volume: 1\n"
        "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,"
        "Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike\n"
        "Fri Mar 22 2024,SPY240322C00445000,5,0,4.9,5.1,10,0.2,0.5,0.05,100,"
        "SPY240322P00445000,4,0,3.9,4.1,10,0.2,-0.5,0.05,100,445\n";
    o.at = 1710511200LL + 3600;
    ck_assert_int_eq(gex_chain_read_buffer(cboe, sizeof cboe - 1, "spy.csv", &o, &c, &rep, &err),
                     GEX_EPARSE);
    ck_assert(rep.at_missing);
    ck_assert_ptr_nonnull(strstr(err.text, "the file holds one snapshot, quoted at "
                                           "2024-03-15T14:00:00Z, not at the --at instant"));
    o.at = 1710511200LL;
    ck_assert_int_eq(gex_chain_read_buffer(cboe, sizeof cboe - 1, "spy.csv", &o, &c, &rep, &err),
                     GEX_OK);
    gex_chain_free(c);
    /* --now dates a file that carries no instant: its one snapshot, which --at must reach;
     * a file dated by itself is held to its own instant, not to --now. */
    static const char undated[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                                  "underlying_price\n"
                                  "SPY,2024-03-22,445,C,4.9,5.1,0.2,100,445.5\n";
    o.has_now = 1;
    o.now = 1710511200LL + 86400 + 1800; /* 2024-03-16T14:30:00Z */
    o.at = 1710511200LL;                 /* a day and a half hour before it */
    ck_assert_int_eq(
        gex_chain_read_buffer(undated, sizeof undated - 1, "noq.csv", &o, &c, &rep, &err),
        GEX_EPARSE);
    ck_assert_ptr_null(c);
    ck_assert(rep.at_missing);
    ck_assert_str_eq(err.text, "the file holds one snapshot, quoted at 2024-03-16T14:30:00Z "
                               "(--now: the file carries no quote instant of its own), not at "
                               "the --at instant; check --at");
    o.at = o.now - 30; /* within 30 s, as of a dated file */
    ck_assert_int_eq(
        gex_chain_read_buffer(undated, sizeof undated - 1, "noq.csv", &o, &c, &rep, &err), GEX_OK);
    gex_chain_free(c);
    o.at = o.now + 31;
    ck_assert_int_eq(
        gex_chain_read_buffer(undated, sizeof undated - 1, "noq.csv", &o, &c, &rep, &err),
        GEX_EPARSE);
    o.has_now = 0; /* not dated: read whatever --at is */
    ck_assert_int_eq(
        gex_chain_read_buffer(undated, sizeof undated - 1, "noq.csv", &o, &c, &rep, &err), GEX_OK);
    gex_chain_free(c);
    o.has_now = 1;
    o.at = 1710511200LL;
    ck_assert_int_eq(gex_chain_read_buffer(cboe, sizeof cboe - 1, "spy.csv", &o, &c, &rep, &err),
                     GEX_OK);
    gex_chain_free(c);
    o.has_now = 0;
    /* A row before the first quote time is of no snapshot: said, with its line. */
    len = (size_t)snprintf(text, sizeof text,
                           "%sSPY,2024-03-22,299,C,1.1,1.2,0.2,5,445.5,\n"
                           "SPY,2024-03-22,300,C,1.1,1.2,0.2,5,445.5,2024-03-15 10:00:00\n"
                           "SPY,2024-03-22,300,C,1.1,1.2,0.2,5,445.5,2024-03-15 11:00:00\n",
                           head);
    o.has_at = 0;
    ck_assert_int_eq(gex__chain_read_buffer_snapshots(text, len, "early.csv", &o, &chains, &reports,
                                                      &n, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_ptr_nonnull(strstr(rep.warning, "1 contract without a quote time (before the "
                                              "file's first, or a cell of no value) is of no "
                                              "snapshot: left out (the first on line 2)"));
    for (size_t k = 0; k < n; k++)
        gex_chain_free(chains[k]);
    free(chains);
    free(reports);
    /* A cell of no value between two instants: that row has no instant either, never the row
     * before's (it took the 10:00 snapshot's, and replaced its 299 call by the duplicate rule). */
    static const char *none[] = {"", "N/A"};
    for (size_t cell = 0; cell < 2; cell++) {
        len = (size_t)snprintf(text, sizeof text,
                               "%sSPY,2024-03-22,299,C,1.1,1.2,0.2,5,445.5,2024-03-15 10:00:00\n"
                               "SPY,2024-03-22,299,C,2.1,2.2,0.3,7,445.5,%s\n"
                               "SPY,2024-03-22,300,C,1.1,1.2,0.2,5,445.5,2024-03-15 11:00:00\n",
                               head, none[cell]);
        ck_assert_int_eq(gex__chain_read_buffer_snapshots(text, len, "gap.csv", &o, &chains,
                                                          &reports, &n, &rep, &err),
                         GEX_OK);
        ck_assert_uint_eq(n, 2);
        gex_chain_view v;
        gex_chain_get_view(chains[0], &v);
        ck_assert_uint_eq(v.n, 1);
        ck_assert_double_eq(v.bid[0], 1.1);
        ck_assert_double_eq(v.open_interest[0], 5);
        ck_assert_ptr_nonnull(strstr(rep.warning, "1 contract without a quote time (before the "
                                                  "file's first, or a cell of no value) is of no "
                                                  "snapshot: left out (the first on line 3)"));
        for (size_t k = 0; k < n; k++)
            gex_chain_free(chains[k]);
        free(chains);
        free(reports);
    }
}
END_TEST

/* A contract listed again is read once, and the warnings count the contracts kept: the open
 * interest missing and the IV placeholder of the listings dropped are not said. */
START_TEST(test_duplicates_leave_the_counts)
{
    static const char text[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,spot\n"
                               "SPY,2024-04-19,490,C,1.0,1.2,9.99,100,500\n"
                               "SPY,2024-04-19,495,C,1.0,1.2,0.2,,500\n"
                               "SPY,2024-04-19,500,C,1.0,1.2,0.2,100,500\n"
                               "SPY,2024-04-19,490,P,1.0,1.2,0.2,100,500\n"
                               "SPY,2024-04-19,495,C,1.0,1.2,0.2,,500\n"
                               "SPY,2024-04-19,490,C,1.0,1.2,0.21,100,500\n"
                               "SPY,2024-04-19,495,C,1.0,1.2,0.2,,500\n";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    gex_read_options o = options();
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "dup.csv", &o, &c, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), 4);
    ck_assert_uint_eq(rep.contracts, 4);
    ck_assert_ptr_nonnull(strstr(rep.warning, "3 contracts are listed again later in the file"));
    ck_assert_ptr_nonnull(strstr(rep.warning, "1 contract has no open interest"));
    ck_assert_ptr_null(strstr(rep.warning, "placeholder"));
    gex_chain_free(c);
}
END_TEST

START_TEST(test_snapshots_same_in_ranges)
{
    /* Many captures of a long CSV read in ranges on threads: the same refusal, and with --at
     * the same chain, as one reader (the ranges are read again in one piece). */
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    len += (size_t)snprintf(buf, cap,
                            "underlying,expiration,strike,type,bid,ask,iv,"
                            "open_interest,spot,quote_time\n");
    for (int cap_k = 0; cap_k < 3; cap_k++)
        for (int i = 0; i < 2000; i++)
            len +=
                (size_t)snprintf(buf + len, cap - len,
                                 "SPY,2024-03-22,%d,%c,1.1,1.2,0.2,%d,%.2f,2024-03-15 1%d:00:00\n",
                                 300 + i / 2, i % 2 ? 'P' : 'C', 10 + i, 445.5 + cap_k, cap_k);
    gex_read_options o = options();
    o.threads = 4;
    gex_chain *c = NULL;
    gex_error err;
    gex__split_count ranges = {0};
    ck_assert_int_eq(
        gex__chain_read_buffer_split(buf, len, "caps.csv", &o, &c, NULL, &err, 4096, 0, &ranges),
        GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "3 snapshots"));
    o.has_at = 1;
    o.at = 1710518400LL; /* 2024-03-15 12:00 EDT, the third capture */
    gex_read_report rep;
    ck_assert_int_eq(
        gex__chain_read_buffer_split(buf, len, "caps.csv", &o, &c, &rep, &err, 4096, 0, &ranges),
        GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 2000);
    ck_assert_double_eq(v.spot[0], 447.5);
    ck_assert_int_eq(v.line[0], 4002);
    gex_chain_free(c);
    free(buf);
}
END_TEST

/* --- the shared helpers --- */

START_TEST(test_read_loose_numbers)
{
    gex__reader r;
    memset(&r, 0, sizeof r);
    r.c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    const struct {
        const char *text;
        int rc;
        double v;
    } cases[] = {
        {"4,025.00", 0, 4025},
        {"3,52,725", 0, 352725},
        {"+93.62%", 0, 93.62},
        {"-0.50", 0, -0.5},
        {".55", 0, 0.55},
        {"1,30,835", 0, 130835},
        {"4.03e-06", 0, 4.03e-06},
        {",5", -1, 0},
        {"5,", -1, 0},
        {"1.5,0", -1, 0},
        {"12a", -1, 0},
        {"%", -1, 0},
        /* grouping only as SPEC 2.8 writes it: a decimal comma is not a thousands one */
        {"9,5", -1, 0},
        {"1,2,3", -1, 0},
        {"1,234,567", 0, 1234567},
        {"12,34,567", 0, 1234567},
        {"-1,234.5", 0, -1234.5},
        {"1234,567", -1, 0},
        {"1,23,456,789", -1, 0},
        {"12,345", 0, 12345},
        {"1,0000", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = 0;
        gex__span s = {cases[i].text, strlen(cases[i].text)};
        ck_assert_msg(gex__read_loose(&r, s, &v) == cases[i].rc, "%s", cases[i].text);
        if (cases[i].rc == 0)
            ck_assert_msg(v == cases[i].v, "%s: %.17g", cases[i].text, v);
    }
    double v = 0;
    ck_assert_int_eq(gex__read_loose(&r, (gex__span){"-", 1}, &v), 0);
    ck_assert(isnan(v));
    ck_assert_int_eq(gex__read_loose(&r, (gex__span){"<empty>", 7}, &v), 0);
    ck_assert(isnan(v));
    freelocale(r.c_locale);
}
END_TEST

START_TEST(test_name_expiration)
{
    int32_t d = 0;
    ck_assert_int_eq(gex__name_expiration("a/b/gpre-options-exp-2026-06-18-monthly.csv", &d), 0);
    ck_assert_int_eq(d, DAY_2026_06_18);
    ck_assert_int_eq(gex__name_expiration("option-chain-ED-NIFTY-30-Dec-2025_19 Dec 2025.csv", &d),
                     0);
    ck_assert_int_eq(d, DAY_2025_12_30);
    ck_assert_int_eq(gex__name_expiration("nse_nifty_2025-12-19_exp-30-Dec-2025_x.csv", &d), 0);
    ck_assert_int_eq(d, DAY_2025_12_30);
    /* "export" is no marker, a date elsewhere in the name is not the expiration. */
    ck_assert_int_eq(gex__name_expiration("BTC-1MAY26-export.csv", &d), -1);
    ck_assert_int_eq(gex__name_expiration("chain_2026-06-18.csv", &d), -1);
    ck_assert_int_eq(gex__name_expiration("x-exp-2026-02-30.csv", &d), -1);
    ck_assert_int_eq(gex__name_expiration(NULL, &d), -1);
}
END_TEST

START_TEST(test_format_names)
{
    for (int f = GEX_FORMAT_BARCHART_CSV; f < GEX_FORMAT_COUNT; f++) {
        gex_format back;
        ck_assert_ptr_nonnull(gex_format_name(f));
        ck_assert_int_eq(gex_format_parse(gex_format_name(f), &back), GEX_OK);
        ck_assert_int_eq(back, f);
    }
    /* Forcing a layout on a file of another: refused, naming the layout. */
    gex_read_options o = options();
    o.format = GEX_FORMAT_NSE_CSV;
    read_refused(fixture("tos-spy-2023-11-07.csv"), &o, GEX_EFORMAT, "no nse-csv header", NULL);
}
END_TEST

static Suite *formats_suite(void)
{
    Suite *s = suite_create("chain-csv-formats");
    TCase *tc = tcase_create("layouts");
    tcase_add_test(tc, test_barchart_sample);
    tcase_add_test(tc, test_barchart_fixture_from_name);
    tcase_add_test(tc, test_barchart_footer_padded);
    tcase_add_test(tc, test_barchart_name_without_expiration);
    tcase_add_test(tc, test_nse_sample);
    tcase_add_test(tc, test_nse_fixture_lakh_grouping);
    tcase_add_test(tc, test_deribit_book_summary_sample);
    tcase_add_test(tc, test_deribit_board_export_sample);
    tcase_add_test(tc, test_deribit_bad_cell_named);
    tcase_add_test(tc, test_layout_bad_cell_named);
    tcase_add_test(tc, test_cboe_legacy_sample);
    tcase_add_test(tc, test_thinkorswim_fixture);
    tcase_add_test(tc, test_name_not_printable_is_a_bad_row);
    tcase_add_test(tc, test_thinkorswim_title_time);
    tcase_add_test(tc, test_name_too_long_is_a_bad_row);
    tcase_add_test(tc, test_thinkorswim_without_open_interest_refused);
    tcase_add_test(tc, test_cboe_european_dates);
    tcase_add_test(tc, test_cboe_semicolon_decimal_comma);
    tcase_add_test(tc, test_long_semicolon_marks);
    tcase_add_test(tc, test_quote_instant_outside_zone_rules);
    tcase_add_test(tc, test_optionsdx_refused);
    tcase_add_test(tc, test_optionmetrics_sample_refused);
    tcase_add_test(tc, test_optionmetrics_with_open_interest);
    tcase_add_test(tc, test_optionmetrics_symbol_leaves_other_bad_rows);
    tcase_add_test(tc, test_barchart_header_one_name_longer);
    tcase_add_test(tc, test_every_csv_sample_recognised);
    tcase_add_test(tc, test_snapshots_refused_without_at);
    tcase_add_test(tc, test_snapshots_at_selects_one);
    tcase_add_test(tc, test_snapshots_read_all);
    tcase_add_test(tc, test_snapshots_one_read_same_as_at);
    tcase_add_test(tc, test_snapshots_at_nearest);
    tcase_add_test(tc, test_snapshots_same_in_ranges);
    tcase_add_test(tc, test_snapshots_their_own);
    tcase_add_test(tc, test_duplicates_leave_the_counts);
    tcase_add_test(tc, test_read_loose_numbers);
    tcase_add_test(tc, test_layout_bounds_and_grouping);
    tcase_add_test(tc, test_name_expiration);
    tcase_add_test(tc, test_format_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(formats_suite());
}
