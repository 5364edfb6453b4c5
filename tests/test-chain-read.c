/* gex/chain.h readers: every format and quirk of SPEC 2 on the fixtures in tests/data/chains/,
 * the bad-row policy, and the real chains of ../shared/chains.
 *
 * Expected instants were computed with Python's zoneinfo (America/New_York), for example
 *   python3 -c "from datetime import datetime; from zoneinfo import ZoneInfo;
 *     print(int(datetime(2024,3,22,16,0,tzinfo=ZoneInfo('America/New_York')).timestamp()))"
 * and days since 1970-01-01 with (date(y,m,d) - date(1970,1,1)).days. */
#include "gex-test.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "../src/chain-internal.h"
#include "chain-read-same.h"
#include "gex/bs.h"
#include "gex/chain.h"

/* A chunk size that puts a boundary inside every kind of field, quote and line end. */
#define CHUNK_SMALL 7

#define DAY_2024_03_15     19797
#define DAY_2024_03_22     19804
#define DAY_2024_03_28     19810
#define DAY_2024_04_19     19832
#define SPXW_PM_2024_03_22 1711137600LL /* 16:00 EDT */
#define SPX_AM_2024_03_15  1710509400LL /* 09:30 EDT */

static char fixture_path[4096];

static const char *fixture(const char *name)
{
    snprintf(fixture_path, sizeof fixture_path, "%s", gex_test_data("chains/"));
    strncat(fixture_path, name, sizeof fixture_path - strlen(fixture_path) - 1);
    return fixture_path;
}

/* Reads a fixture with default options (or the given ones); fails the test on error. */
static gex_chain *read_ok(const char *name, const gex_read_options *o, gex_read_report *rep)
{
    gex_chain *c = NULL;
    gex_error err;
    int rc = gex_chain_read_path(fixture(name), o, &c, rep, &err);
    ck_assert_msg(rc == GEX_OK, "%s: %s:%ld: %s", name, err.file, err.line, err.text);
    ck_assert_ptr_nonnull(c);
    return c;
}

static void iso_of(const gex_chain *c, char *buf, size_t size)
{
    int64_t t;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    gex_time_format_iso(t, buf, size);
}

START_TEST(test_read_long_aliases)
{
    /* Header names in other cases and with '_', '-', ' ' (SPEC 2.1), three date forms, three
     * spellings of the type, "-", "N/A", "nan" and empty cells, an unknown column. */
    gex_read_report rep;
    gex_chain *c = read_ok("long-aliases.csv", NULL, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_LONG_CSV);
    ck_assert_uint_eq(rep.rows, 4);
    ck_assert_uint_eq(rep.contracts, 4);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 4);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "SPY");
    ck_assert_int_eq(v.expiration[0], DAY_2024_03_22);
    ck_assert_int_eq(v.expiration[1], DAY_2024_03_22);
    ck_assert_int_eq(v.expiration[2], DAY_2024_03_28);
    ck_assert_int_eq(v.settlement[0], SPXW_PM_2024_03_22);
    ck_assert_double_eq(v.strike[0], 512.5);
    ck_assert_int_eq(v.type[0], GEX_CALL);
    ck_assert_int_eq(v.type[1], GEX_PUT);
    ck_assert_int_eq(v.type[2], GEX_CALL);
    ck_assert_int_eq(v.type[3], GEX_PUT);
    ck_assert_double_eq(v.bid[0], 3.41);
    ck_assert_double_eq(v.ask[0], 3.47);
    ck_assert_double_eq(v.last[0], 3.44);
    ck_assert_double_eq(v.file_iv[0], 0.1432);
    ck_assert_double_eq(v.open_interest[0], 1523);
    ck_assert_double_eq(v.volume[0], 87);
    ck_assert(isnan(v.volume[1]));
    ck_assert(isnan(v.last[2]));
    ck_assert(isnan(v.volume[2]));
    ck_assert(isnan(v.vendor_delta[2]));
    ck_assert(isnan(v.vendor_gamma[2]));
    ck_assert_double_eq(v.vendor_delta[1], -0.5712);
    ck_assert_double_eq(v.vendor_gamma[0], 0.0412);
    ck_assert_double_eq(v.multiplier[0], 100);
    ck_assert_double_eq(v.multiplier[3], 100);
    ck_assert_double_eq(v.spot[3], 511.27);
    ck_assert_int_eq(v.line[0], 2);
    ck_assert_int_eq(v.line[3], 5);
    char iso[40];
    iso_of(c, iso, sizeof iso);
    ck_assert_str_eq(iso, "2024-03-15T19:45:00Z"); /* 15:45 New York time, EDT */
    ck_assert_str_eq(rep.warning, "");
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_long_occ_symbols)
{
    /* Expiry, type and strike from OCC symbols, with an "O:" prefix and a space-padded root;
     * the root decides the settlement (SPEC 1.1) and maps to its underlying. */
    gex_chain *c = read_ok("long-occ.csv", NULL, NULL);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 4);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(c, v.root[0]), "SPXW");
    ck_assert_int_eq(v.type[0], GEX_CALL);
    ck_assert_double_eq(v.strike[0], 5150);
    ck_assert_int_eq(v.settlement[0], SPXW_PM_2024_03_22);
    ck_assert_str_eq(gex_chain_symbol(c, v.root[1]), "SPX");
    ck_assert_int_eq(v.expiration[1], DAY_2024_03_15);
    ck_assert_int_eq(v.settlement[1], SPX_AM_2024_03_15);
    ck_assert_int_eq(v.type[1], GEX_PUT);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[2]), "NDX");
    ck_assert_double_eq(v.strike[2], 18000.5);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[3]), "AAPL");
    ck_assert_double_eq(v.strike[3], 172.5);
    ck_assert_int_eq(v.expiration[3], DAY_2024_04_19);
    ck_assert_double_eq(v.spot[3], 172.62);
    ck_assert_double_eq(v.spot[0], 5117.94);
    ck_assert_double_eq(v.spot[2], 18000);
    gex_prepare_report pr;
    ck_assert_int_eq(gex_chain_prepare(c, NULL, &pr, NULL), GEX_OK);
    /* Quote 2024-03-15T19:45Z: the SPX monthly settled at 09:30 that morning. */
    ck_assert_uint_eq(pr.status[GEX_CONTRACT_EXPIRED], 1);
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.status[1], GEX_CONTRACT_EXPIRED);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_long_preamble_bom_crlf)
{
    gex_read_report rep;
    gex_chain *c = read_ok("long-preamble-bom-crlf.csv", NULL, &rep);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 2);
    ck_assert_int_eq(v.line[0], 4);
    ck_assert_int_eq(v.line[1], 5);
    ck_assert_double_eq(v.open_interest[1], 200);
    ck_assert_ptr_nonnull(strstr(rep.warning, "2 line(s) before the header ignored"));
    char iso[40];
    iso_of(c, iso, sizeof iso);
    ck_assert_str_eq(iso, "2024-03-15T19:45:00Z");
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_long_percent_iv_rescaled)
{
    /* SPEC 1.4: median IV 31.5 > 5, so the column is in percent. A quote date without a time is
     * the close: 16:00 New York time (20:00Z in March 2024, EDT). */
    gex_read_report rep;
    gex_chain *c = read_ok("long-percent-iv.csv", NULL, &rep);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(rep.iv_percent_rescaled, 1);
    ck_assert_ptr_nonnull(strstr(rep.warning, "percent"));
    ck_assert_double_eq_tol(v.file_iv[0], 0.315, 1e-15);
    ck_assert_double_eq_tol(v.file_iv[1], 0.3325, 1e-15);
    char iso[40];
    iso_of(c, iso, sizeof iso);
    ck_assert_str_eq(iso, "2024-03-15T20:00:00Z");
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_long_iv_percent_sign)
{
    /* A spreadsheet's percent format: "46.95%" is 0.4695 in the IV column, in the fast path and
     * through libcsv (a quoted cell); in a price or count column the sign has no sense. */
    static const char text[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,spot\n"
                               "SPX,2026-12-18,5000,C,101.5,102.5,46.95%,10,5012.5\n"
                               "SPX,2026-12-18,5000,P,89.5,90.5,\"44.5%\",10,5012.5\n"
                               "SPX,2026-12-18,5025,C,90.5,91.5,0.00%,10,5012.5\n"
                               "SPX,2026-12-18,5025,P,101.5%,102.5,43.1%,10,5012.5\n"
                               "SPX,2026-12-18,5050,C,80.5,81.5,%,10,5012.5\n";
    gex_read_options o = {0};
    gex_read_report rep;
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_msg(gex_chain_read_buffer(text, sizeof text - 1, "p.csv", &o, &c, &rep, &err) ==
                      GEX_OK,
                  "%s", err.text);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(gex_chain_size(c), 3);
    ck_assert_int_eq(rep.iv_percent_rescaled, 0);
    /* 46.95 / 100 rounds once: the double nearest 0.4695 or its neighbour */
    ck_assert_double_eq_tol(v.file_iv[0], 0.4695, 1e-16);
    ck_assert_double_eq_tol(v.file_iv[1], 0.445, 1e-16);
    ck_assert_double_eq(v.file_iv[2], 0);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_NUMBER], 2);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_NUMBER], 5);
    gex_chain_free(c);
    o.strict = 1;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "p.csv", &o, &c, &rep, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "bid \"101.5%\" is not a number"));
}
END_TEST

START_TEST(test_read_long_bad_rows_lenient)
{
    gex_read_report rep;
    gex_chain *c = read_ok("long-bad-rows.csv", NULL, &rep);
    ck_assert_uint_eq(rep.rows, 13); /* the all-empty padding row is not a row */
    ck_assert_uint_eq(rep.contracts, 3);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_STRIKE], 2); /* "abc", -5 */
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_STRIKE], 3);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_EXPIRATION], 2); /* 2024-13-45, empty */
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_EXPIRATION], 5);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_TYPE], 1);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_TYPE], 7);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_NUMBER], 2); /* 1.2.3, 1e400 */
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_NUMBER], 8);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_OPEN_INTEREST], 2); /* -4, "many" */
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_OPEN_INTEREST], 10);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_SHORT_ROW], 1);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_SHORT_ROW], 12);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_SYMBOL], 0);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_SYMBOL], 0);
    ck_assert_ptr_nonnull(strstr(rep.warning, "1 contract has no open interest"));
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    /* Line 13: "-", "N/A", "nan" are missing values; OI "-0" is 0. */
    ck_assert_int_eq(v.line[1], 13);
    ck_assert(isnan(v.bid[1]) && isnan(v.ask[1]) && isnan(v.file_iv[1]));
    ck_assert_double_eq(v.open_interest[1], 0);
    ck_assert(!signbit(v.open_interest[1]));
    ck_assert_int_eq(v.line[2], 14);
    ck_assert_double_eq(v.open_interest[2], 0);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_long_bad_rows_strict)
{
    gex_read_options o = {.strict = 1};
    gex_chain *c = (gex_chain *)&o;
    gex_error err;
    gex_read_report rep;
    int rc = gex_chain_read_path(fixture("long-bad-rows.csv"), &o, &c, &rep, &err);
    ck_assert_int_eq(rc, GEX_EPARSE);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err.line, 3);
    ck_assert_int_eq(err.column, 16); /* "QQQ,2024-03-22," is 15 bytes */
    ck_assert_ptr_nonnull(strstr(err.file, "long-bad-rows.csv"));
    ck_assert_ptr_nonnull(strstr(err.text, "strike \"abc\" is not a number"));
    ck_assert_ptr_nonnull(strstr(err.text, "--strict"));
}
END_TEST

START_TEST(test_read_long_several_underlyings)
{
    /* One read, then a selection per underlying (SPEC 2: several underlyings, --symbol). */
    gex_chain *c = read_ok("long-multi.csv", NULL, NULL);
    uint32_t ids[8];
    ck_assert_uint_eq(gex_chain_underlyings(c, ids, 8), 3);
    ck_assert_str_eq(gex_chain_symbol(c, ids[0]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(c, ids[1]), "QQQ");
    ck_assert_str_eq(gex_chain_symbol(c, ids[2]), "RUT"); /* written "^RUT" */
    gex_chain *q = NULL;
    ck_assert_int_eq(gex_chain_select(c, "qqq", &q), GEX_OK);
    ck_assert_uint_eq(gex_chain_size(q), 2);
    gex_chain_view v;
    gex_chain_get_view(q, &v);
    ck_assert_double_eq(v.spot[1], 445.65);
    gex_chain_free(q);
    gex_chain_free(c);

    gex_read_options o = {.symbol = "spx"};
    gex_read_report rep;
    c = read_ok("long-multi.csv", &o, &rep);
    ck_assert_uint_eq(rep.contracts, 2);
    ck_assert_uint_eq(rep.other_symbol, 3);
    ck_assert_uint_eq(gex_chain_size(c), 2);
    gex_chain_free(c);

    o.symbol = "NDX";
    gex_error err;
    ck_assert_int_eq(gex_chain_read_path(fixture("long-multi.csv"), &o, &c, &rep, &err),
                     GEX_EEMPTY);
    ck_assert_ptr_nonnull(strstr(err.text, "--symbol"));
}
END_TEST

/* A bad row of another underlying than --symbol's is left out as that underlying's good rows
 * are, not counted as bad nor an error under --strict; the row's underlying is its column, else
 * its option symbol's root (SPXW is SPX). A bad row that does not say its underlying (the
 * underlying field is the bad one) is still bad; --symbol's own bad rows are too. */
START_TEST(test_read_symbol_leaves_other_bad_rows)
{
    static const char text[] =
        "underlying,option_symbol,expiration,strike,type,bid,ask,iv,open_interest,spot\n"
        "XYZ,XYZ261218C00100000,2026-12-18,100,C,5,5.2,0.3,10,100\n"
        "ABC,ABC261218C00100000,2026-12-18,x,C,5,5.2,0.3,10,50\n"     /* bad strike */
        ",SPXW261218C05000000,2026-12-18,5000,C,5,5.2,nope,10,5000\n" /* bad IV */
        "XYZ,XYZ261218P00100000,2026-12-18,100,P,5,5.2,0.3,10,100\n"
        "ABC,ABC261218P00100000\n"; /* short */
    const size_t len = sizeof text - 1;
    gex_read_options o = {.symbol = "xyz", .strict = 1};
    gex_read_report rep;
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_msg(gex_chain_read_buffer(text, len, "s.csv", &o, &c, &rep, &err) == GEX_OK, "%s",
                  err.text);
    ck_assert_uint_eq(gex_chain_size(c), 2);
    ck_assert_uint_eq(rep.other_symbol, 3);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_STRIKE] + rep.skipped[GEX_SKIP_SHORT_ROW], 0);
    gex_chain_free(c);
    /* Without --symbol, or with the bad rows' own, they are bad rows. */
    o.symbol = NULL;
    ck_assert_int_eq(gex_chain_read_buffer(text, len, "s.csv", &o, &c, &rep, &err), GEX_EPARSE);
    ck_assert_int_eq(err.line, 3);
    o.symbol = "SPX";
    ck_assert_int_eq(gex_chain_read_buffer(text, len, "s.csv", &o, &c, &rep, &err), GEX_EPARSE);
    ck_assert_int_eq(err.line, 4);
    o.symbol = "abc";
    o.strict = 0;
    ck_assert_int_eq(gex_chain_read_buffer(text, len, "s.csv", &o, &c, &rep, &err), GEX_EEMPTY);
    ck_assert_ptr_nonnull(strstr(err.text, "2 rows are bad"));
    /* Why, as --strict would say (SPEC 2.5): the count per reason, the first row's own message
     * at its line. */
    ck_assert_int_eq(err.line, 3);
    ck_assert_ptr_nonnull(strstr(err.text, "(bad_strike 1, short_row 1)"));
    ck_assert_ptr_nonnull(strstr(err.text, "; the first, here: strike \"x\" is not a number"));
    /* Every row bad, and none of another underlying: the same. */
    static const char all_bad[] = "underlying,expiration,strike,type,iv,open_interest,spot\n"
                                  "SPX,2026-12-18,5000,C,46.95%,10%,5012.5\n"
                                  "SPX,2026-12-18,5000,Q,0.3,10,5012.5\n"
                                  "SPX,2026-12-18,5025,P,44.5%,10,5012.5%\n";
    o.symbol = NULL;
    ck_assert_int_eq(
        gex_chain_read_buffer(all_bad, sizeof all_bad - 1, "b.csv", &o, &c, &rep, &err),
        GEX_EEMPTY);
    ck_assert_int_eq(err.line, 2);
    ck_assert_str_eq(err.text, "no contract could be read: all 3 rows are bad (bad_type 1, "
                               "bad_number 1, bad_open_interest 1); the first, here: open "
                               "interest \"10%\" is not a number");
    /* An underlying that is no ticker does not say whose the row is. */
    static const char bad_u[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,spot\n"
                                "XYZ,2026-12-18,100,C,5,5.2,0.3,10,100\n"
                                "A B,2026-12-18,100,C,5,5.2,0.3,10,100\n";
    o.symbol = "XYZ";
    o.strict = 1;
    ck_assert_int_eq(gex_chain_read_buffer(bad_u, sizeof bad_u - 1, "u.csv", &o, &c, &rep, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "not a ticker"));
}
END_TEST

START_TEST(test_read_duplicated_headers_first_wins)
{
    /* Two "strike" and two "type" columns: the first of each counts; "root" beside
     * "underlying" is the OCC root, so SPXW settles PM. */
    gex_chain *c = read_ok("duplicated-headers.csv", NULL, NULL);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 1);
    ck_assert_double_eq(v.strike[0], 5100);
    ck_assert_int_eq(v.type[0], GEX_PUT);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(c, v.root[0]), "SPXW");
    ck_assert_int_eq(v.settlement[0], SPXW_PM_2024_03_22);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_yfinance_dump)
{
    gex_read_report rep;
    gex_chain *c = read_ok("yfinance.csv", NULL, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_LONG_CSV);
    ck_assert_int_eq(rep.has_quote_time, 0);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 2);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "SPY");
    ck_assert_double_eq(v.multiplier[0], 100); /* contractSize REGULAR */
    ck_assert_double_eq(v.spot[0], 692.2999877929688);
    ck_assert_double_eq(v.file_iv[1], 0.1612304687);
    ck_assert(isnan(v.volume[1]));
    ck_assert_int_eq(v.type[1], GEX_PUT);
    ck_assert_str_eq(gex_chain_currency(c), "USD"); /* its currency column */
    /* No quote instant in the file: prepare asks for --now. */
    gex_error err;
    ck_assert_int_eq(gex_chain_prepare(c, NULL, NULL, &err), GEX_ENOTIME);
    ck_assert_ptr_nonnull(strstr(err.text, "--now"));
    gex_chain_free(c);
}
END_TEST

/* The currency column names the chain's currency (any case; a cell that is not a code is a bad
 * row; an empty one says nothing); a second currency is an error at its line. */
START_TEST(test_read_currency_column)
{
    static const char head[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                               "underlying_price,quote_time,currency\n";
    static const char row[] = "DAX,2026-12-18,%d,C,10,11,0.2,100,20000,2026-11-20T15:00:00Z,%s\n";
    const char *const cells[][3] = {
        {"eur", "", "EUR"}, {"EUR", "E1R", "EUR"}, {"EUR", "CHF", NULL}, {"", "", NULL}};
    for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
        char buf[512];
        int n = snprintf(buf, sizeof buf, "%s", head);
        n += snprintf(buf + n, sizeof buf - (size_t)n, row, 20000, cells[k][0]);
        n += snprintf(buf + n, sizeof buf - (size_t)n, row, 20100, cells[k][1]);
        gex_chain *c = NULL;
        gex_read_report rep;
        gex_error err;
        const int rc = gex_chain_read_buffer(buf, (size_t)n, "dax.csv", NULL, &c, &rep, &err);
        if (strcmp(cells[k][1], "CHF") == 0) {
            ck_assert_int_eq(rc, GEX_EPARSE);
            ck_assert_int_eq(err.line, 3);
            ck_assert_str_eq(err.text, "currency CHF differs from the EUR of the rows before it: "
                                       "a file's amounts are summed in one currency and gex "
                                       "converts none; split the file by currency");
            continue;
        }
        ck_assert_int_eq(rc, GEX_OK);
        ck_assert_str_eq(gex_chain_currency(c), cells[k][2] != NULL ? cells[k][2] : "USD");
        ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_SYMBOL], strcmp(cells[k][1], "E1R") == 0);
        gex_chain_free(c);
    }
}
END_TEST

START_TEST(test_read_cboe_current_layout)
{
    /* Blank first line, a quoted name with a comma, a quoted date, an unbalanced quote at the
     * end of the date line, an IV sentinel (24.001), IV 0 rows. */
    gex_read_report rep;
    gex_chain *c = read_ok("cboe-current.csv", NULL, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_CBOE_CSV);
    ck_assert_uint_eq(rep.rows, 3);
    ck_assert_uint_eq(rep.contracts, 6);
    ck_assert_int_eq(rep.has_quote_time, 1);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "QQQ");
    ck_assert_int_eq(v.type[2], GEX_CALL);
    ck_assert_int_eq(v.type[3], GEX_PUT);
    ck_assert_double_eq(v.strike[4], 447.5);
    ck_assert_double_eq(v.bid[3], 2.41);
    ck_assert_double_eq(v.ask[3], 2.44);
    ck_assert_double_eq(v.last[3], 2.42);
    ck_assert_double_eq(v.volume[3], 4411);
    ck_assert_double_eq(v.open_interest[3], 9120);
    ck_assert_double_eq(v.vendor_delta[3], -0.4791);
    ck_assert_double_eq(v.vendor_gamma[2], 0.0512);
    ck_assert_double_eq(v.spot[5], 445.65);
    gex_underlying_quote uq = gex_chain_underlying_quote(c, v.underlying[0]);
    ck_assert_double_eq(uq.bid, 445.65);
    ck_assert_double_eq(uq.ask, 445.73);
    ck_assert_double_eq(uq.last, 445.65);
    /* A root's symbol is not an underlying's: asking for an index out of range gives none. */
    ck_assert(isnan(gex_chain_underlying_quote(c, 1000).bid));
    ck_assert_int_eq(v.line[0], 5);
    ck_assert_int_eq(v.line[5], 7);
    char iso[40];
    iso_of(c, iso, sizeof iso);
    ck_assert_str_eq(iso, "2024-03-15T20:15:00Z");
    ck_assert_ptr_nonnull(strstr(rep.warning, "1 IV above 500% is a vendor placeholder:"));
    gex_prepare_report pr;
    ck_assert_int_eq(gex_chain_prepare(c, NULL, &pr, NULL), GEX_OK);
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.status[0], GEX_CONTRACT_EXPIRED); /* 15 March, PM, quoted at 16:15 */
    ck_assert_int_eq(v.iv_source[5], GEX_IV_SOURCE_MID); /* the 24.001 sentinel */
    ck_assert_int_eq(v.iv_source[4], GEX_IV_SOURCE_FILE);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_cboe_2020_layout)
{
    gex_read_report rep;
    gex_chain *c = read_ok("cboe-2020.dat", NULL, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_CBOE_CSV);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 6);
    ck_assert_double_eq(v.spot[0], 310.68);
    ck_assert_double_eq(v.strike[4], 312.5);
    ck_assert_double_eq(v.volume[2], 20312);        /* "Vol" */
    ck_assert_double_eq(v.open_interest[3], 22107); /* "Open Int" */
    ck_assert_double_eq(v.file_iv[1], 24.001);
    char iso[40];
    iso_of(c, iso, sizeof iso);
    ck_assert_str_eq(iso, "2020-06-23T00:42:00Z"); /* 20:42 ET, EDT */
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_cboe_unquoted_date_crlf)
{
    gex_chain *c = read_ok("cboe-intraday-crlf.csv", NULL, NULL);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 4);
    ck_assert_int_eq(v.line[0], 5);
    ck_assert_int_eq(v.line[2], 6);
    ck_assert_str_eq(gex_chain_symbol(c, v.root[0]), "SPXW");
    ck_assert_str_eq(gex_chain_symbol(c, v.root[2]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[2]), "SPX");
    char iso[40];
    iso_of(c, iso, sizeof iso);
    ck_assert_str_eq(iso, "2023-06-09T17:40:00Z");
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_cboe_unicode_minus_zone)
{
    gex_chain *c = read_ok("cboe-unicode-minus.csv", NULL, NULL);
    char iso[40];
    iso_of(c, iso, sizeof iso);
    ck_assert_str_eq(iso, "2023-08-21T02:38:00Z"); /* 22:38 at UTC-4 */
    gex_chain_free(c);
}
END_TEST

static void check_needs_now(const char *name, const char *what)
{
    gex_read_report rep;
    gex_chain *c = read_ok(name, NULL, &rep);
    ck_assert_int_eq(rep.has_quote_time, 0);
    ck_assert_str_eq(rep.warning, ""); /* prepare says it, and only without --now */
    gex_error err;
    ck_assert_int_eq(gex_chain_prepare(c, NULL, NULL, &err), GEX_ENOTIME);
    ck_assert_int_eq(err.line, 2);
    ck_assert_ptr_nonnull(strstr(err.file, name));
    ck_assert_ptr_nonnull(strstr(err.text, what));
    ck_assert_ptr_nonnull(strstr(err.text, "pass --now"));
    gex_prepare_options o;
    gex_prepare_options_default(&o);
    o.has_now = 1;
    o.now = 1692585480; /* 2023-08-20T22:38:00-04:00 */
    gex_prepare_report pr;
    ck_assert_int_eq(gex_chain_prepare(c, &o, &pr, &err), GEX_OK);
    ck_assert_uint_eq(pr.status[GEX_CONTRACT_OK], 2);
    gex_chain_free(c);
}

START_TEST(test_read_cboe_date_without_year_needs_now)
{
    check_needs_now("cboe-no-year.csv", "has no year");
}
END_TEST

START_TEST(test_read_cboe_date_in_unknown_language_needs_now)
{
    check_needs_now("cboe-foreign-date.csv", "cannot be read");
}
END_TEST

/* A date the parser refuses for a reason: the reason is in the note, as --now gives it. */
START_TEST(test_read_cboe_date_with_wrong_weekday_needs_now)
{
    check_needs_now("cboe-wrong-weekday.csv",
                    "\"Date: Monday, August 20, 2023 at 10:38 PM EDT\" cannot be read (the "
                    "weekday does not match the date)");
}
END_TEST

START_TEST(test_read_cboe_date_in_unknown_zone_needs_now)
{
    check_needs_now("cboe-unknown-zone.csv", "cannot be read (unknown time zone name)");
}
END_TEST

/* Puts the process in a locale whose decimal separator is a comma: de_DE.UTF-8 where the system
 * has it, else one made with localedef into a temporary folder (LOCPATH; *made names it, to
 * remove). 0 when neither can be had. */
static int comma_locale(char *made, size_t size)
{
    made[0] = '\0';
    if (setlocale(LC_ALL, "de_DE.UTF-8") == NULL) {
        char dir[] = "/tmp/gex-test-locale.XXXXXX", cmd[256];
        if (mkdtemp(dir) == NULL)
            return 0;
        snprintf(made, size, "%s", dir);
        snprintf(cmd, sizeof cmd, "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1",
                 dir);
        if (system(cmd) == -1 || setenv("LOCPATH", dir, 1) != 0 ||
            setlocale(LC_ALL, "de_DE.UTF-8") == NULL)
            return 0;
    }
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 0.5);
    return strcmp(probe, "0,5") == 0;
}

/* A program that set a locale with a decimal comma (Python's locale.setlocale(LC_ALL,
 * "de_DE.UTF-8")) still reads the library's messages with decimal points: the plausible bound
 * of a spot, the flat carry's rates. */
START_TEST(test_read_messages_in_a_comma_locale)
{
    char made[64];
    if (!comma_locale(made, sizeof made)) {
        printf("note: no locale with a decimal comma (de_DE.UTF-8, nor localedef to make it): "
               "test_read_messages_in_a_comma_locale checked nothing\n");
    } else {
        const char csv[] =
            "\"Tesla Inc\",Last: 0.0000001,Change: -3.73\n"
            "\"Date: August 20, 2023 at 10:38 PM EDT\",Bid: 218.78,Ask: 218.8\n"
            "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open "
            "Interest,Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest\n"
            "Fri Aug 25 2023,TSLA230825C00220000,8.1,-1.2,8.05,8.2,5120,0.5421,0.5213,0.0512,"
            "8213,220.00,TSLA230825P00220000,9.4,1.1,9.35,9.5,4411,0.5502,-0.4791,0.0498,9120\n";
        gex_chain *c = NULL;
        gex_error err;
        ck_assert_int_eq(gex_chain_read_buffer(csv, sizeof csv - 1, "t.csv", NULL, &c, NULL, &err),
                         GEX_EPARSE);
        ck_assert_msg(strstr(err.text, "is below the plausible 0.000001") != NULL, "%s", err.text);
        /* xyz.csv keeps the flat carry for one expiration: r = 0.045, q = 0.013 */
        c = NULL;
        ck_assert_int_eq(
            gex_chain_read_path(gex_test_data("cli-inputs/xyz.csv"), NULL, &c, NULL, &err), GEX_OK);
        gex_prepare_options po;
        gex_prepare_options_default(&po);
        po.carry = GEX_CARRY_PARITY;
        gex_prepare_report pr;
        ck_assert_int_eq(gex_chain_prepare(c, &po, &pr, NULL), GEX_OK);
        ck_assert_msg(strstr(pr.warning, "r = 0.045, q = 0.013") != NULL, "%s", pr.warning);
        gex_chain_free(c);
    }
    setlocale(LC_ALL, "C");
    if (made[0] != '\0') {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", made);
        ck_assert_int_eq(system(cmd), 0);
    }
}
END_TEST

START_TEST(test_read_cboe_without_spot_needs_spot)
{
    gex_chain *c = NULL;
    gex_error err;
    int rc = gex_chain_read_path(fixture("cboe-no-spot.csv"), NULL, &c, NULL, &err);
    ck_assert_int_eq(rc, GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "pass --spot"));
    ck_assert_ptr_nonnull(strstr(err.text, "TSLA"));
    gex_read_options o = {.spot = 218.8};
    c = read_ok("cboe-no-spot.csv", &o, NULL);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_double_eq(v.spot[1], 218.8);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_cboe_unreadable_spot_named)
{
    /* A "Last:" (CSV) or current_price (JSON) that is there but no price: the error names its
     * line, the text and why, not the header's line as for a file without one. */
    static const struct {
        const char *value, *why;
    } cases[] = {{"nan", "is not a number"},
                 {"1e308", "is above the plausible 1e+07"},
                 {"-218.8", "is not positive"},
                 {"", "is empty"},
                 {"0.0000001", "is below the plausible 0.000001"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char csv[1024], want[256];
        snprintf(csv, sizeof csv,
                 "\"Tesla Inc\",Last: %s,Change: -3.73\n"
                 "\"Date: August 20, 2023 at 10:38 PM EDT\",Bid: 218.78,Ask: 218.8\n"
                 "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open "
                 "Interest,Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open "
                 "Interest\n"
                 "Fri Aug 25 2023,TSLA230825C00220000,8.1,-1.2,8.05,8.2,5120,0.5421,0.5213,0.0512,"
                 "8213,220.00,TSLA230825P00220000,9.4,1.1,9.35,9.5,4411,0.5502,-0.4791,0.0498,"
                 "9120\n",
                 cases[i].value);
        gex_chain *c = NULL;
        gex_error err;
        ck_assert_int_eq(gex_chain_read_buffer(csv, strlen(csv), "t.csv", NULL, &c, NULL, &err),
                         GEX_EPARSE);
        ck_assert_int_eq(err.line, 1);
        snprintf(want, sizeof want,
                 "the \"Last:\" value \"%s\" %s, so the file gives no spot price for TSLA; pass "
                 "--spot",
                 cases[i].value, cases[i].why);
        ck_assert_str_eq(err.text, want);
    }
    /* CBOE JSON, over two lines: the current_price's. */
    const char json[] = "{\"timestamp\":\"2023-09-21 03:17:42\",\"symbol\":\"^RUT\",\"data\":{\n"
                        "\"current_price\":\"nan\",\"options\":["
                        "{\"option\":\"RUT231020C01830000\",\"bid\":5,\"ask\":6,"
                        "\"open_interest\":7}]}}";
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(json, sizeof json - 1, "r.json", NULL, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_int_eq(err.line, 2);
    ck_assert_str_eq(err.text, "the \"current_price\" \"nan\" is not a number, so the file gives "
                               "no spot price for RUT; pass --spot");
    /* --spot still reads it. */
    gex_read_options o = {.spot = 1806.1193};
    ck_assert_int_eq(gex_chain_read_buffer(json, sizeof json - 1, "r.json", &o, &c, NULL, &err),
                     GEX_OK);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_cboe_2020_spot_after_blank_line)
{
    /* CBOE's 2020 layout prints its spot after the name on its first line; a blank line before
     * it (SPEC 2.5) leaves it the first line that is not blank, and a spot there that is no
     * price is said with its line and text, as a "Last:" one is. */
    static const char rows[] =
        "Jun 22 2020 @ 20:42 ET,Bid,0,Ask,0,Size,0x0,Vol,74649389\n"
        "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Vol,IV,Delta,Gamma,Open Int,Strike,Puts,"
        "Last Sale,Net,Bid,Ask,Vol,IV,Delta,Gamma,Open Int\n"
        "07/17/2020,SPY200717C00310000,7.41,0.23,7.38,7.45,1207,0.2613,0.5391,0.0236,48117,"
        "310.000,SPY200717P00310000,6.82,-0.52,6.8,6.86,3355,0.2689,-0.4617,0.0231,71223\n";
    static const struct {
        const char *first, *spot;
        long line;
    } cases[] = {{"\n", "310.68", 2},
                 {"\r\n  \r\n", "310.68", 3},
                 {"", "abc", 1},
                 {"\n", "abc", 2},
                 {"\n", "", 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char csv[1024];
        snprintf(csv, sizeof csv, "%sSPY (SPDR S&P 500 ETF Trust),%s,1.98\n%s", cases[i].first,
                 cases[i].spot, rows);
        gex_chain *c = NULL;
        gex_error err;
        const int rc = gex_chain_read_buffer(csv, strlen(csv), "x.dat", NULL, &c, NULL, &err);
        if (strcmp(cases[i].spot, "310.68") == 0) {
            ck_assert_msg(rc == GEX_OK, "case %zu: %ld: %s", i, err.line, err.text);
            gex_chain_view v;
            gex_chain_get_view(c, &v);
            ck_assert_double_eq(v.spot[0], 310.68);
            gex_chain_free(c);
            continue;
        }
        ck_assert_int_eq(rc, GEX_EPARSE);
        ck_assert_int_eq(err.line, cases[i].line);
        char want[256];
        snprintf(want, sizeof want,
                 "the spot after the underlying's name \"%s\" is %s, so the file gives no spot "
                 "price for SPY; pass --spot",
                 cases[i].spot, cases[i].spot[0] == '\0' ? "empty" : "not a number");
        ck_assert_str_eq(err.text, want);
    }
}
END_TEST

/* A zoneless midnight is a date (the close) only where zoneless times are New York's: a long
 * CSV's "2024-03-22 00:00:00" as pandas writes a date; CBOE JSON's timestamp is UTC, so its
 * midnight is 20:00 New York the day before (it was read as the next day's 16:00). */
START_TEST(test_read_zoneless_midnight)
{
    const char json[] = "{\"timestamp\":\"2023-09-21 00:00:00\",\"symbol\":\"^RUT\",\"data\":{"
                        "\"current_price\":1806.12,\"options\":["
                        "{\"option\":\"RUT231020C01830000\",\"bid\":5,\"ask\":6,"
                        "\"open_interest\":7}]}}";
    gex_chain *c = NULL;
    gex_error err;
    int64_t t = 0;
    ck_assert_int_eq(gex_chain_read_buffer(json, sizeof json - 1, "r.json", NULL, &c, NULL, &err),
                     GEX_OK);
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, 1695254400); /* 2023-09-21T00:00:00Z */
    gex_chain_free(c);
    const char csv[] = "underlying,expiration,strike,type,bid,ask,open_interest,"
                       "underlying_price,quote_date\n"
                       "SPY,2024-03-28,500,C,3,3.2,100,500,2024-03-22 00:00:00\n";
    ck_assert_int_eq(gex_chain_read_buffer(csv, sizeof csv - 1, "p.csv", NULL, &c, NULL, &err),
                     GEX_OK);
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    ck_assert_int_eq(t, 1711137600); /* 2024-03-22 16:00 New York */
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_cboe_json)
{
    gex_read_report rep;
    gex_chain *c = read_ok("cboe-json.json", NULL, &rep);
    ck_assert_int_eq(rep.format, GEX_FORMAT_CBOE_JSON);
    ck_assert_uint_eq(rep.rows, 6);
    ck_assert_uint_eq(rep.contracts, 3);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_SYMBOL], 1);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_SYMBOL], 5); /* the 4th record's line */
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_NUMBER], 1);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_NUMBER], 6);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_OPEN_INTEREST], 1);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_OPEN_INTEREST], 7);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "RUT");
    ck_assert_str_eq(gex_chain_symbol(c, v.root[1]), "RUTW");
    ck_assert_double_eq(v.spot[0], 1806.1193);
    ck_assert_double_eq(v.file_iv[0], 0.1812);
    ck_assert_double_eq(v.last[0], 52.9);
    ck_assert(isnan(v.last[1]));
    ck_assert(isnan(v.last[2]));
    ck_assert_double_eq(v.vendor_delta[1], -0.4101);
    char iso[40];
    iso_of(c, iso, sizeof iso);
    ck_assert_str_eq(iso, "2023-09-21T03:17:42Z");
    gex_prepare_report pr;
    ck_assert_int_eq(gex_chain_prepare(c, NULL, &pr, NULL), GEX_OK);
    ck_assert_uint_eq(pr.status[GEX_CONTRACT_EXPIRED], 1); /* RUTW 20 Sep, 16:00 EDT */
    ck_assert_uint_eq(pr.iv_from_mid, 1);                  /* iv 0.0 */

    gex_chain_free(c);

    gex_read_options o = {.strict = 1};
    gex_error err;
    ck_assert_int_eq(gex_chain_read_path(fixture("cboe-json.json"), &o, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err.line, 5);
    ck_assert_str_eq(err.text, "data.options[3]: \"option\" \"garbage\" is not an OCC symbol; fix "
                               "the row, or read without --strict to skip bad rows");
}
END_TEST

START_TEST(test_read_cboe_json_bad_field_line)
{
    /* A bad field is said at its own line, not at its record's position in data.options: on
     * the line of a one-line download (its records all on line 1), and on the field's line in
     * a pretty-printed copy, with its value. */
    static const char one_line[] =
        "{\"timestamp\":\"2023-09-21 03:17:42\",\"symbol\":\"^RUT\",\"data\":{"
        "\"current_price\":1806.1193,\"options\":["
        "{\"option\":\"RUT231020C01800000\",\"bid\":5,\"ask\":6,\"open_interest\":4},"
        "{\"option\":\"RUT231020C01810000\",\"bid\":5,\"ask\":6,\"open_interest\":4},"
        "{\"option\":\"RUT231020C01820000\",\"bid\":\"abc\",\"ask\":6,\"open_interest\":4}]}}";
    static const char pretty[] = "{\n"
                                 " \"timestamp\": \"2023-09-21 03:17:42\",\n"
                                 " \"symbol\": \"^RUT\",\n"
                                 " \"data\": {\n"
                                 "  \"current_price\": 1806.1193,\n"
                                 "  \"options\": [\n"
                                 "   {\n"
                                 "    \"option\": \"RUT231020C01800000\",\n"
                                 "    \"bid\": 5,\n"
                                 "    \"ask\": 6,\n"
                                 "    \"open_interest\": 4\n"
                                 "   },\n"
                                 "   {\n"
                                 "    \"option\": \"RUT231020C01820000\",\n"
                                 "    \"bid\": 5,\n"
                                 "    \"ask\": 6,\n"
                                 "    \"open_interest\": {\"a\": 1}\n"
                                 "   }\n"
                                 "  ]\n"
                                 " }\n"
                                 "}\n";
    static const struct {
        const char *doc;
        long line;
        const char *text;
    } cases[] = {
        {one_line, 1,
         "data.options[2] (RUT231020C01820000): \"bid\" \"abc\" is not a number; fix the row, or "
         "read without --strict to skip bad rows"},
        {pretty, 17,
         "data.options[1] (RUT231020C01820000): \"open_interest\" an object is not a number from 0 "
         "to 1000000000; fix the row, or read without --strict to skip bad rows"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gex_read_options o = {.strict = 1};
        gex_chain *c = NULL;
        gex_error err;
        ck_assert_int_eq(
            gex_chain_read_buffer(cases[i].doc, strlen(cases[i].doc), "r.json", &o, &c, NULL, &err),
            GEX_EPARSE);
        ck_assert_int_eq(err.line, cases[i].line);
        ck_assert_str_eq(err.text, cases[i].text);
    }
}
END_TEST

START_TEST(test_read_buffer_and_stream_agree_with_path)
{
    const char *names[] = {"long-aliases.csv", "cboe-current.csv", "cboe-json.json",
                           "long-preamble-bom-crlf.csv"};
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        gex_chain *a = read_ok(names[f], NULL, NULL);
        FILE *fp = fopen(fixture(names[f]), "rb");
        ck_assert_ptr_nonnull(fp);
        char buf[8192];
        size_t len = fread(buf, 1, sizeof buf, fp);
        rewind(fp);
        gex_chain *b = NULL, *m = NULL;
        gex_error err;
        ck_assert_int_eq(gex_chain_read_file(fp, names[f], NULL, &b, NULL, &err), GEX_OK);
        fclose(fp);
        ck_assert_int_eq(gex_chain_read_buffer(buf, len, names[f], NULL, &m, NULL, &err), GEX_OK);
        gex_chain_view va, vb, vm;
        gex_chain_get_view(a, &va);
        gex_chain_get_view(b, &vb);
        gex_chain_get_view(m, &vm);
        ck_assert_uint_eq(va.n, vb.n);
        ck_assert_uint_eq(va.n, vm.n);
        for (size_t i = 0; i < va.n; i++) {
            ck_assert_double_eq(va.strike[i], vb.strike[i]);
            ck_assert_double_eq(va.strike[i], vm.strike[i]);
            ck_assert_int_eq(va.expiration[i], vm.expiration[i]);
            ck_assert_int_eq(va.line[i], vm.line[i]);
            ck_assert_double_eq(va.open_interest[i], vm.open_interest[i]);
        }
        gex_chain_free(a);
        gex_chain_free(b);
        gex_chain_free(m);
    }
}
END_TEST

START_TEST(test_read_format_override)
{
    gex_read_options o = {.format = GEX_FORMAT_CBOE_CSV};
    gex_chain *c = NULL;
    gex_error err;
    gex_read_report rep;
    ck_assert_int_eq(gex_chain_read_path(fixture("long-aliases.csv"), &o, &c, &rep, &err),
                     GEX_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "--input-format"));
    o.format = GEX_FORMAT_CBOE_JSON;
    ck_assert_int_eq(gex_chain_read_path(fixture("long-aliases.csv"), &o, &c, &rep, &err),
                     GEX_EPARSE);
    ck_assert_int_eq(err.line, 1);
    o.format = GEX_FORMAT_LONG_CSV;
    c = read_ok("long-aliases.csv", &o, &rep);
    gex_chain_free(c);
    o.format = (gex_format)17;
    ck_assert_int_eq(gex_chain_read_path(fixture("long-aliases.csv"), &o, &c, &rep, &err),
                     GEX_EINVAL);
}
END_TEST

START_TEST(test_read_multiplier_and_settle_overrides)
{
    gex_settle_override s = {"SPY", GEX_SETTLE_AM};
    gex_read_options o = {.multiplier = 10, .settle = &s, .n_settle = 1};
    gex_chain *c = read_ok("long-aliases.csv", &o, NULL);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_double_eq(v.multiplier[0], 10);
    ck_assert_int_eq(v.settlement[0], SPXW_PM_2024_03_22 - (16 * 3600 - 9 * 3600 - 1800));
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_settle_count_without_list)
{
    /* n_settle overrides and no list: refused before the file is read, every entry point. */
    gex_read_options o = {.n_settle = 2};
    gex_chain *c = (gex_chain *)&o;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_path(fixture("long-aliases.csv"), &o, &c, NULL, &err),
                     GEX_EINVAL);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err.text, "settlement overrides"));
    ck_assert_int_eq(gex_chain_read_buffer("a,b\n", 4, "x.csv", &o, &c, NULL, &err), GEX_EINVAL);
    gex_chain **all = NULL;
    size_t n = 1;
    ck_assert_int_eq(
        gex_chain_read_snapshots(fixture("long-aliases.csv"), &o, &all, NULL, &n, NULL, &err),
        GEX_EINVAL);
    ck_assert_ptr_null(all);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_read_report_snapshots_dated_by_file)
{
    /* A quote instant given once by the file (a CBOE date line, a legacy header, a JSON
     * timestamp) dates its one chain as rows' instants do; no instant at all is 0. */
    static const char *const dated[] = {"cboe-current.csv", "cboe-2020.dat", "cboe-json.json",
                                        "cboe-intraday-crlf.csv", "long-aliases.csv"};
    for (size_t i = 0; i < sizeof dated / sizeof dated[0]; i++) {
        gex_read_report rep;
        gex_chain *c = read_ok(dated[i], NULL, &rep);
        ck_assert_msg(rep.has_quote_time == 1 && rep.snapshots == 1,
                      "%s: has_quote_time %d, snapshots %zu", dated[i], rep.has_quote_time,
                      rep.snapshots);
        gex_chain_free(c);
    }
    gex_read_report rep;
    gex_chain *c = read_ok("yfinance.csv", NULL, &rep);
    ck_assert_int_eq(rep.has_quote_time, 0);
    ck_assert_uint_eq(rep.snapshots, 0);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_index_without_root_weeklies)
{
    /* SPX, RUT rows without a root: the third Friday (15 March 2024) is the AM monthly, the
     * other days PM weeklies (SPEC 1.1). */
    gex_read_report rep;
    gex_chain *c = read_ok("long-index-no-root.csv", NULL, &rep);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_str_eq(gex_chain_symbol(c, v.root[0]), "SPX");
    ck_assert_int_eq(v.settlement[0], SPX_AM_2024_03_15);
    ck_assert_str_eq(gex_chain_symbol(c, v.root[1]), "SPXW");
    ck_assert_int_eq(v.settlement[1], SPXW_PM_2024_03_22);
    ck_assert_str_eq(gex_chain_symbol(c, v.root[2]), "SPXW");
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[2]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(c, v.root[3]), "RUTW");
    ck_assert_ptr_nonnull(strstr(rep.warning, "3 index contracts"));
    gex_chain_free(c);
    /* A --settle for the index is the user's rule for every row. */
    gex_settle_override s = {"spx", GEX_SETTLE_PM};
    gex_read_options o = {.settle = &s, .n_settle = 1};
    c = read_ok("long-index-no-root.csv", &o, &rep);
    gex_chain_get_view(c, &v);
    ck_assert_str_eq(gex_chain_symbol(c, v.root[1]), "SPX");
    ck_assert_int_eq(v.settlement[0], SPX_AM_2024_03_15 + (16 * 3600 - 9 * 3600 - 1800));
    ck_assert_int_eq(v.settlement[1], SPXW_PM_2024_03_22);
    ck_assert_str_eq(gex_chain_symbol(c, v.root[3]), "RUTW");
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_cboe_without_preamble)
{
    /* The name and date lines missing: the rows are read, the spot must be given, and the
     * quote instant too (the note names line 1 and --now). */
    const char text[] = "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,"
                        "Open Interest,Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,"
                        "Open Interest\n"
                        "Fri Aug 25 2023,TSLA230825C00220000,5.1,-1,5.05,5.15,2011,0.5512,0.4812,"
                        "0.0211,3011,220.00,TSLA230825P00220000,6.2,1,6.15,6.25,1822,0.5588,"
                        "-0.5188,0.0210,2901\n";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "bare.csv", NULL, &c, &rep, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "--spot"));
    gex_read_options o = {.spot = 218.8};
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "bare.csv", &o, &c, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), 2);
    ck_assert_int_eq(rep.has_quote_time, 0);
    ck_assert_int_eq(gex_chain_prepare(c, NULL, NULL, &err), GEX_ENOTIME);
    ck_assert_int_eq(err.line, 1);
    ck_assert_ptr_nonnull(strstr(err.text, "no date line"));
    ck_assert_ptr_nonnull(strstr(err.text, "--now"));
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_bad_occ_symbols)
{
    /* The symbol is the only source of expiry, type and strike: each malformed one is a
     * bad_symbol row (an impossible date, a type letter, a 7-character root, strike 0, a short
     * tail, a root with a dot). */
    const char text[] = "option_symbol,bid,ask,open_interest,underlying_price\n"
                        "SPXW240322C05150000,1,2,3,5117.94\n"
                        "SPX241332C05000000,1,2,3,5117.94\n"
                        "SPXW240322X05150000,1,2,3,5117.94\n"
                        "ABCDEFG240322C00100000,1,2,3,5117.94\n"
                        "SPXW240322C00000000,1,2,3,5117.94\n"
                        "SPXW240322C0515000,1,2,3,5117.94\n"
                        "SP.X240322C05150000,1,2,3,5117.94\n"
                        "spxw240322p05150000,1,2,3,5117.94\n";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "occ.csv", NULL, &c, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(rep.contracts, 2);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_SYMBOL], 6);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_SYMBOL], 3);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_str_eq(gex_chain_symbol(c, v.root[1]), "SPXW"); /* lower case is read */
    ck_assert_int_eq(v.type[1], GEX_PUT);
    gex_chain_free(c);
    gex_read_options o = {.strict = 1};
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "occ.csv", &o, &c, &rep, &err),
                     GEX_EPARSE);
    ck_assert_int_eq(err.line, 3);
    ck_assert_int_eq(err.column, 1);
    ck_assert_ptr_nonnull(strstr(err.text, "SPX241332C05000000"));
}
END_TEST

START_TEST(test_read_symbol_too_long_refused)
{
    /* options.symbol longer than a name may be matches nothing, and a layout that takes it for
     * the underlying (NSE, Barchart) could not: refused, naming the limit. */
    const char text[] = "option_symbol,bid,ask,open_interest,underlying_price\n"
                        "SPXW240322C05150000,1,2,3,5117.94\n";
    char sym[GEX_SYMBOL_MAX + 2];
    memset(sym, 'Q', sizeof sym - 1);
    sym[sizeof sym - 1] = '\0';
    gex_read_options o = {.symbol = sym};
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "occ.csv", &o, &c, NULL, &err),
                     GEX_EINVAL);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.text, "the symbol \"QQQQQQQQQQQQQQQQQQQQQQQQ...\" is 97 bytes long, "
                               "longer than the 96 a name may hold; check --symbol");
    /* At the limit it is a symbol the file does not hold. */
    sym[GEX_SYMBOL_MAX] = '\0';
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "occ.csv", &o, &c, NULL, &err),
                     GEX_EEMPTY);
    ck_assert_ptr_nonnull(strstr(err.text, "check --symbol"));
}
END_TEST

START_TEST(test_read_errors_at_file_level)
{
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_path(fixture("empty.csv"), NULL, &c, NULL, &err), GEX_EEMPTY);
    ck_assert_ptr_nonnull(strstr(err.text, "empty"));
    ck_assert_int_eq(gex_chain_read_path(fixture("header-only.csv"), NULL, &c, NULL, &err),
                     GEX_EEMPTY);
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(gex_chain_read_path(fixture("no-such-file.csv"), NULL, &c, NULL, &err),
                     GEX_EIO);
    ck_assert_ptr_nonnull(strstr(err.file, "no-such-file.csv"));
    ck_assert_int_eq(gex_chain_read_path(NULL, NULL, &c, NULL, &err), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_read_path("x", NULL, NULL, NULL, &err), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_read_file(NULL, "x", NULL, &c, NULL, &err), GEX_EINVAL);
    ck_assert_int_eq(gex_chain_read_buffer(NULL, 3, "x", NULL, &c, NULL, &err), GEX_EINVAL);
    const char text[] = "hello,world\n1,2\n";
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "t.csv", NULL, &c, NULL, &err),
                     GEX_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "--input-format"));
    const char no_u[] = "expiration,strike,type,bid,ask,open_interest,spot\n"
                        "2024-03-22,100,C,1,2,3,101\n";
    ck_assert_int_eq(gex_chain_read_buffer(no_u, sizeof no_u - 1, "u.csv", NULL, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "--symbol"));
    gex_read_options o = {.symbol = "XYZ"};
    ck_assert_int_eq(gex_chain_read_buffer(no_u, sizeof no_u - 1, "u.csv", &o, &c, NULL, &err),
                     GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "XYZ");
    gex_chain_free(c);
}
END_TEST

/* gex/chain.h's bounds (SPEC 2.5): a value beyond them is a bad row like a non-number. Each row
 * holds one implausible value, with the reason it is counted under; the last two rows hold the
 * bounds themselves, and are read. (Before the bounds, the strike of 1e308 was read and made
 * gex levels fail with "computed values were not finite", and the multiplier of 1e300 gave
 * exposures of 1e50.) */
static const char implausible_csv[] =
    "underlying,expiration,strike,type,bid,ask,last,iv,open_interest,volume,multiplier,"
    "underlying_price,quote_time\n"
    "XYZ,2024-03-22,1e308,C,1.1,1.2,1.15,0.21,100,5,100,100.37,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,100.5,C,1.1,1.2,1.15,0.21,100,5,1e300,100.37,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,100.5,P,1.1,1.2,1.15,0.21,2.5e9,5,100,100.37,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,100.5,P,1.1,1.2,1.15,0.21,100,1e10,100,100.37,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,100.5,P,1.1,3.5e7,1.15,0.21,100,5,100,100.37,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,100.5,P,-2e7,1.2,1.15,0.21,100,5,100,100.37,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,100.5,P,1.1,1.2,1.15,0.21,100,5,100,1e308,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,-1e308,P,1.1,1.2,1.15,0.21,100,5,100,100.37,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,1e7,C,0,1e7,1e7,0.21,1e9,1e9,1e6,1e7,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,95.5,C,5.1,5.2,5.15,0.21,100,5,100,100.37,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,4e-7,C,5.1,5.2,5.15,0.21,100,5,100,100.37,2024-03-15T18:00:00Z\n"
    "XYZ,2024-03-22,95.5,P,5.1,5.2,5.15,0.21,100,5,100,44e-222,2024-03-15T18:00:00Z\n";

START_TEST(test_read_implausible_values_lenient)
{
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(implausible_csv, sizeof implausible_csv - 1, "i.csv",
                                           NULL, &c, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(rep.rows, 12);
    ck_assert_uint_eq(rep.contracts, 2);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_STRIKE], 3); /* 1e308, -1e308, 4e-7 */
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_STRIKE], 2);
    /* multiplier, volume, ask, bid, spot; the spot 44e-222, below GEX_PRICE_MIN */
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_NUMBER], 6);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_NUMBER], 3);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_OPEN_INTEREST], 1);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_OPEN_INTEREST], 4);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.line[0], 10);
    ck_assert_double_eq(v.strike[0], GEX_PRICE_MAX);
    ck_assert_double_eq(v.open_interest[0], GEX_CONTRACTS_MAX);
    ck_assert_double_eq(v.multiplier[0], GEX_MULTIPLIER_MAX);
    ck_assert_double_eq(v.spot[0], GEX_PRICE_MAX); /* the first spot of a row that was read */
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_implausible_values_strict)
{
    gex_read_options o = {.strict = 1};
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(implausible_csv, sizeof implausible_csv - 1, "i.csv", &o,
                                           &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.column, 16); /* "XYZ,2024-03-22," is 15 bytes */
    ck_assert_ptr_nonnull(strstr(err.text, "strike \"1e308\" is out of range (at most 10000000)"));
    ck_assert_ptr_nonnull(strstr(err.text, "--strict"));
    /* The multiplier's row, alone after the header. */
    const char *second = strchr(strchr(implausible_csv, '\n') + 1, '\n') + 1;
    const size_t header = (size_t)(strchr(implausible_csv, '\n') + 1 - implausible_csv);
    const size_t row = (size_t)(strchr(second, '\n') + 1 - second);
    char text[sizeof implausible_csv];
    memcpy(text, implausible_csv, header);
    memcpy(text + header, second, row);
    text[header + row] = '\0';
    ck_assert_int_eq(gex_chain_read_buffer(text, strlen(text), "m.csv", &o, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(
        strstr(err.text, "multiplier \"1e300\" is out of range (at most 1000000)"));
    /* The last two rows, each alone: a strike and a spot below the lower bound. */
    const char *tiny = strstr(implausible_csv, "XYZ,2024-03-22,4e-7");
    ck_assert_ptr_nonnull(tiny);
    static const char *const said[] = {"the strike 4e-07 is below the plausible 0.000001",
                                       "the spot 4.4e-221 is below the plausible 0.000001"};
    for (int k = 0; k < 2; k++) {
        const char *end = strchr(tiny, '\n') + 1;
        memcpy(text + header, tiny, (size_t)(end - tiny));
        text[header + (size_t)(end - tiny)] = '\0';
        ck_assert_int_eq(gex_chain_read_buffer(text, strlen(text), "t.csv", &o, &c, NULL, &err),
                         GEX_EPARSE);
        ck_assert_msg(strstr(err.text, said[k]) != NULL, "%s", err.text);
        tiny = end;
    }
}
END_TEST

START_TEST(test_read_implausible_values_cboe)
{
    /* CBOE JSON: a bid, a volume and an open interest beyond the bounds; a current_price
     * beyond them is no spot. */
    const char json[] =
        "{\"timestamp\":\"2023-09-21 03:17:42\",\"symbol\":\"^RUT\",\"data\":{"
        "\"current_price\":1806.1193,\"options\":["
        "{\"option\":\"RUT231020C01800000\",\"bid\":1e308,\"ask\":53.3,\"open_interest\":4},"
        "{\"option\":\"RUT231020C01810000\",\"bid\":5,\"volume\":\"1e12\",\"open_interest\":4},"
        "{\"option\":\"RUT231020C01820000\",\"bid\":5,\"ask\":6,\"open_interest\":1e300},"
        "{\"option\":\"RUT231020C01830000\",\"bid\":5,\"ask\":6,\"open_interest\":7}]}}";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(json, sizeof json - 1, "r.json", NULL, &c, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(rep.contracts, 1);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_NUMBER], 2);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_NUMBER], 1);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_OPEN_INTEREST], 1);
    ck_assert_int_eq(rep.first_line[GEX_SKIP_BAD_OPEN_INTEREST], 1); /* the document's line */
    gex_chain_free(c);
    char huge[sizeof json + 8];
    snprintf(huge, sizeof huge, "%s", json);
    memcpy(strstr(huge, "1806.1193"), "1.00e+308", 9);
    ck_assert_int_eq(gex_chain_read_buffer(huge, strlen(huge), "r.json", NULL, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "pass --spot"));
    /* CBOE CSV: a "Last:" spot beyond the bound is no spot either. */
    const char csv[] =
        "\"Nasdaq 100\",Last: 2e7,Change: 0.51\n"
        "\"Date: March 15, 2024 at 4:15 PM EDT\",Bid: 445.65\n"
        "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,"
        "Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest\n"
        "Fri Mar 22 2024,QQQ240322C00445000,3.17,0.21,3.15,3.19,5120,0.1421,0.5213,0.0512,8213,"
        "445.00,QQQ240322P00445000,2.42,-0.2,2.41,2.44,4411,0.1502,-0.4791,0.0498,9120\n";
    ck_assert_int_eq(gex_chain_read_buffer(csv, sizeof csv - 1, "q.csv", NULL, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.text, "pass --spot"));
    /* Overrides beyond the bounds are refused. */
    gex_read_options o = {.spot = 2e7};
    ck_assert_int_eq(gex_chain_read_buffer(csv, sizeof csv - 1, "q.csv", &o, &c, NULL, &err),
                     GEX_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.text, "--spot"));
    o.spot = 1e-7;
    ck_assert_int_eq(gex_chain_read_buffer(csv, sizeof csv - 1, "q.csv", &o, &c, NULL, &err),
                     GEX_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.text, "out of range (0.000001 to 10000000); check --spot"));
    o = (gex_read_options){.spot = 445.65, .multiplier = 1e300};
    ck_assert_int_eq(gex_chain_read_buffer(csv, sizeof csv - 1, "q.csv", &o, &c, NULL, &err),
                     GEX_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.text, "--multiplier"));
    o.multiplier = GEX_MULTIPLIER_MAX;
    ck_assert_int_eq(gex_chain_read_buffer(csv, sizeof csv - 1, "q.csv", &o, &c, NULL, &err),
                     GEX_OK);
    gex_chain_free(c);
}
END_TEST

/* SPEC 2: GEX weighs every contract by its open interest, so a chain whose every contract has
 * 0 is refused, whatever its format (the JSON layouts with their own advice); a file of several
 * underlyings only when all of them have none, one underlying's chain by
 * gex_chain_check_open_interest (gex screen's per underlying). */
START_TEST(test_read_zero_open_interest_refused)
{
    const char csv[] =
        "\"Nasdaq 100\",Last: 445.61,Change: 0.51\n"
        "\"Date: March 15, 2024 at 4:15 PM EDT\",Bid: 445.65\n"
        "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,"
        "Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest\n"
        "Fri Mar 22 2024,QQQ240322C00445000,3.17,0.21,3.15,3.19,5120,0.1421,0.5213,0.0512,0,"
        "445.00,QQQ240322P00445000,2.42,-0.2,2.41,2.44,4411,0.1502,-0.4791,0.0498,0\n";
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(csv, sizeof csv - 1, "q.csv", NULL, &c, NULL, &err),
                     GEX_EEMPTY);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err.text, "the cboe-csv chain of QQQ whose 2 contracts all have "
                                           "zero open interest: GEX weighs every contract"));
    /* One open interest is enough. */
    char one[sizeof csv];
    memcpy(one, csv, sizeof csv);
    memcpy(strstr(one, "0.0498,0") + 7, "7", 1);
    ck_assert_int_eq(gex_chain_read_buffer(one, sizeof one - 1, "q.csv", NULL, &c, NULL, &err),
                     GEX_OK);
    ck_assert_int_eq(gex_chain_check_open_interest(c, "q.csv", &err), GEX_OK);
    gex_chain_free(c);
    const char json[] =
        "{\"timestamp\":\"2023-09-21 03:17:42\",\"symbol\":\"^RUT\",\"data\":{"
        "\"current_price\":1806.1193,\"options\":["
        "{\"option\":\"RUT231020C01800000\",\"bid\":5,\"ask\":6,\"open_interest\":0},"
        "{\"option\":\"RUT231020P01800000\",\"bid\":5,\"ask\":6,\"open_interest\":0}]}}";
    ck_assert_int_eq(gex_chain_read_buffer(json, sizeof json - 1, "r.json", NULL, &c, NULL, &err),
                     GEX_EEMPTY);
    ck_assert_ptr_nonnull(strstr(err.text, "the cboe-json chain of RUT whose 2 contracts"));
    /* A long CSV of two underlyings: refused when neither has any; read whole when one has,
     * the other's chain then refused on its own, and refused in the read under --symbol. */
    const char two[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                       "underlying_price\n"
                       "AAA,2026-12-18,100,C,5,5.2,0.3,0,100\n"
                       "BBB,2026-12-18,100,C,5,5.2,0.3,0,100\n";
    ck_assert_int_eq(gex_chain_read_buffer(two, sizeof two - 1, "t.csv", NULL, &c, NULL, &err),
                     GEX_EEMPTY);
    ck_assert_ptr_nonnull(strstr(err.text, "the long-csv file of 2 underlyings whose 2 contracts "
                                           "all have zero open interest"));
    char two_one[sizeof two];
    memcpy(two_one, two, sizeof two);
    memcpy(strstr(two_one, "AAA,2026-12-18,100,C,5,5.2,0.3,0") + 31, "9", 1);
    ck_assert_int_eq(
        gex_chain_read_buffer(two_one, sizeof two_one - 1, "t.csv", NULL, &c, NULL, &err), GEX_OK);
    gex_chain *b = NULL;
    ck_assert_int_eq(gex_chain_select(c, "BBB", &b), GEX_OK);
    ck_assert_int_eq(gex_chain_check_open_interest(b, "t.csv", &err), GEX_EEMPTY);
    ck_assert_str_eq(err.text, "the chain of BBB whose 1 contracts all have zero open interest: "
                               "GEX weighs every contract by its open interest, so none can be "
                               "computed; read a chain that carries it (exchanges publish the "
                               "open interest once a day, before the open)");
    gex_chain_free(b);
    gex_chain_free(c);
    gex_read_options o = {.symbol = "bbb"};
    ck_assert_int_eq(
        gex_chain_read_buffer(two_one, sizeof two_one - 1, "t.csv", &o, &c, NULL, &err),
        GEX_EEMPTY);
    ck_assert_ptr_nonnull(strstr(err.text, "the long-csv chain of BBB whose 1 contracts"));
    ck_assert_int_eq(gex_chain_check_open_interest(NULL, "t.csv", &err), GEX_EINVAL);
}
END_TEST

/* SPEC 2.5: a file of several underlyings read whole is refused for want of a spot only when
 * none of them gives one; one that gives none keeps no spot, and its chain is refused on its own
 * by gex_chain_check_spot at its first row (gex screen's and gex history's per underlying); a
 * file of one, or the underlying under --symbol, is refused in the read. */
START_TEST(test_chain_check_spot_underlying_without_spot)
{
    const char three[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                         "underlying_price\n"
                         "AAA,2026-12-18,101.5,C,5,5.2,0.3,7,101.25\n"
                         "BBB,2026-12-18,47.5,C,2.5,2.6,0.3,9,\n"
                         "BBB,2026-12-18,47.5,P,2.1,2.2,0.3,9,\n"
                         "CCC,2026-12-18,23.5,P,1.1,1.2,0.3,3,23.75\n";
    gex_chain *c = NULL, *b = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(three, sizeof three - 1, "t.csv", NULL, &c, NULL, &err),
                     GEX_OK);
    ck_assert_int_eq(gex_chain_check_spot(c, "t.csv", &err), GEX_EPARSE);
    ck_assert_int_eq(err.line, 3);
    ck_assert_str_eq(err.file, "t.csv");
    ck_assert_str_eq(err.text, "the file gives no spot price for BBB: its rows have none (the "
                               "first here); pass --symbol BBB --spot PRICE to read it alone");
    for (const char *const *s = (const char *const[]){"AAA", "CCC", NULL}; *s != NULL; s++) {
        ck_assert_int_eq(gex_chain_select(c, *s, &b), GEX_OK);
        ck_assert_int_eq(gex_chain_check_spot(b, "t.csv", &err), GEX_OK);
        gex_chain_free(b);
    }
    ck_assert_int_eq(gex_chain_select(c, "BBB", &b), GEX_OK);
    ck_assert_int_eq(gex_chain_check_spot(b, "t.csv", &err), GEX_EPARSE);
    ck_assert_int_eq(err.line, 3);
    /* prepare refuses the chain too, never computing at a spot it does not have */
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    ck_assert_int_ne(gex_chain_prepare(b, &po, NULL, &err), GEX_OK);
    gex_chain_free(b);
    gex_chain_free(c);
    /* --symbol keeps the underlying without a spot: refused in the read, as a file of one, at
     * its first row (not the header's line: the file's other underlyings give theirs) */
    gex_read_options o = {.symbol = "BBB"};
    ck_assert_int_eq(gex_chain_read_buffer(three, sizeof three - 1, "t.csv", &o, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.text, "the file gives no spot price for BBB: its rows have none (the "
                               "first here); pass --spot");
    ck_assert_int_eq(err.line, 3);
    /* --spot gives every underlying one */
    o = (gex_read_options){.spot = 47.25};
    ck_assert_int_eq(gex_chain_read_buffer(three, sizeof three - 1, "t.csv", &o, &c, NULL, &err),
                     GEX_OK);
    ck_assert_int_eq(gex_chain_check_spot(c, "t.csv", &err), GEX_OK);
    gex_chain_free(c);
    /* none of the underlyings gives a spot: the read is refused */
    const char none[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                        "underlying_price\n"
                        "AAA,2026-12-18,101.5,C,5,5.2,0.3,7,\n"
                        "BBB,2026-12-18,47.5,C,2.5,2.6,0.3,9,\n";
    ck_assert_int_eq(gex_chain_read_buffer(none, sizeof none - 1, "n.csv", NULL, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.text, "the file gives no spot price for AAA; pass --spot");
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(gex_chain_check_spot(NULL, "t.csv", &err), GEX_EINVAL);
}
END_TEST

/* SPEC 2.5: a contract listed twice (underlying, root, expiration, strike and type) is read
 * once, from its later listing, with a warning naming the count and the first one's lines;
 * SPX and SPXW of one expiration, strike and type are two contracts. */
static gex_chain *read_text(const char *text, gex_read_report *rep)
{
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_msg(gex_chain_read_buffer(text, strlen(text), "d.csv", NULL, &c, rep, &err) == GEX_OK,
                  "%s", err.text);
    return c;
}

START_TEST(test_read_duplicates_keep_the_later)
{
    /* CBOE CSV: the row of 445 listed again with a corrected open interest. */
    const char csv[] =
        "\"Nasdaq 100\",Last: 445.61,Change: 0.51\n"
        "\"Date: March 15, 2024 at 4:15 PM EDT\",Bid: 445.65\n"
        "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,"
        "Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest\n"
        "Fri Mar 22 2024,QQQ240322C00445000,3.17,0.21,3.15,3.19,5120,0.1421,0.5213,0.0512,8213,"
        "445.00,QQQ240322P00445000,2.42,-0.2,2.41,2.44,4411,0.1502,-0.4791,0.0498,9120\n"
        "Fri Mar 22 2024,QQQ240322C00450000,1.17,0.21,1.15,1.19,5120,0.1421,0.3213,0.0412,613,"
        "450.00,QQQ240322P00450000,5.42,-0.2,5.41,5.44,4411,0.1502,-0.6791,0.0398,720\n"
        "Fri Mar 22 2024,QQQ240322C00445000,3.17,0.21,3.15,3.19,5120,0.1421,0.5213,0.0512,8214,"
        "445.00,QQQ240322P00445000,2.42,-0.2,2.41,2.44,4411,0.1502,-0.4791,0.0498,9121\n";
    gex_read_report rep;
    gex_chain *c = read_text(csv, &rep);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 4);
    ck_assert_uint_eq(rep.contracts, 4);
    ck_assert_str_eq(rep.warning, "2 contracts are listed again later in the file, each read "
                                  "once, from its last listing (the first: QQQ 2024-03-22 445 "
                                  "call, lines 4 and 6)");
    double oi = 0;
    for (size_t i = 0; i < v.n; i++)
        oi += v.open_interest[i];
    ck_assert_double_eq(oi, 613 + 720 + 8214 + 9121); /* the later listing's */
    ck_assert_int_eq(v.line[0], 5);                   /* the rest in their order */
    gex_chain_free(c);

    /* Long CSV: SPX and SPXW alike are two contracts; a strike listed again out of order
     * (strikes first, then expirations: the order the fast pass does not follow) is found. */
    const char spx[] = "underlying,root,expiration,strike,type,bid,ask,iv,open_interest,"
                       "underlying_price\n"
                       "SPX,SPX,2024-03-15,5100,C,40,41,0.13,10,5117\n"
                       "SPX,SPXW,2024-03-15,5100,C,40,41,0.13,11,5117\n"
                       "SPX,SPX,2024-03-15,5100,P,20,21,0.14,12,5117\n"
                       "SPX,SPXW,2024-03-15,5100,P,20,21,0.14,13,5117\n"
                       "SPX,SPX,2024-03-15,5110,C,35,36,0.13,14,5117\n"
                       "SPX,SPXW,2024-03-15,5110,C,35,36,0.13,15,5117\n";
    c = read_text(spx, &rep);
    ck_assert_uint_eq(gex_chain_size(c), 6);
    ck_assert_str_eq(rep.warning, "");
    gex_chain_free(c);
    const char by_strike[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                             "underlying_price\n"
                             "XYZ,2024-03-22,100,C,5,5.2,0.3,10,100\n"
                             "XYZ,2024-03-29,100,C,5,5.2,0.3,11,100\n"
                             "XYZ,2024-03-22,105,C,3,3.2,0.3,12,100\n"
                             "XYZ,2024-03-29,105,C,3,3.2,0.3,13,100\n"
                             "XYZ,2024-03-22,100,P,5,5.2,0.3,14,100\n"
                             "XYZ,2024-03-29,100,P,5,5.2,0.3,15,100\n";
    c = read_text(by_strike, &rep);
    ck_assert_uint_eq(gex_chain_size(c), 6);
    ck_assert_str_eq(rep.warning, "");
    gex_chain_free(c);
    char again[sizeof by_strike + 64];
    snprintf(again, sizeof again, "%sXYZ,2024-03-29,105,C,3,3.2,0.3,99,100\n", by_strike);
    c = read_text(again, &rep);
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 6);
    ck_assert_uint_eq(rep.contracts, 6);
    ck_assert_str_eq(rep.warning, "1 contract is listed again later in the file, each read once, "
                                  "from its last listing (the first: XYZ 2024-03-29 105 call, "
                                  "lines 5 and 8)");
    ck_assert_double_eq(v.open_interest[5], 99);
    gex_chain_free(c);

    /* CBOE JSON: a record listed twice. */
    const char json[] =
        "{\"timestamp\":\"2023-09-21 03:17:42\",\"symbol\":\"^RUT\",\"data\":{"
        "\"current_price\":1806.1193,\"options\":["
        "{\"option\":\"RUT231020C01800000\",\"bid\":5,\"ask\":6,\"open_interest\":4},"
        "{\"option\":\"RUT231020P01800000\",\"bid\":5,\"ask\":6,\"open_interest\":5},"
        "{\"option\":\"RUT231020C01800000\",\"bid\":5,\"ask\":6,\"open_interest\":4}]}}";
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(json, sizeof json - 1, "r.json", NULL, &c, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), 2);
    ck_assert_ptr_nonnull(strstr(rep.warning, "1 contract is listed again later in the file"));
    ck_assert_ptr_nonnull(strstr(rep.warning, "(the first: RUT 2023-10-20 1800 call)"));
    gex_chain_free(c);
}
END_TEST

/* A contract of ABC expiring on day 19804 with an IV and open interest 1, its quotes and the
 * vendor's greeks absent: the duplicates tests set its key. */
static gex_contract plain_contract(void)
{
    return (gex_contract){.underlying = "ABC",
                          .expiration = 19804,
                          .bid = NAN,
                          .ask = NAN,
                          .last = NAN,
                          .iv = 0.2,
                          .open_interest = 1,
                          .volume = NAN,
                          .multiplier = NAN,
                          .vendor_delta = NAN,
                          .vendor_gamma = NAN};
}

/* gex__chain_drop_duplicates on the orders files use: falling strikes, calls then puts, several
 * roots of one strike; a group of one strike too large for the pass goes to the sort. */
START_TEST(test_chain_drop_duplicates_orders)
{
    gex_chain *c = gex_chain_new();
    gex_contract k = plain_contract();
    for (int type = GEX_CALL; type <= GEX_PUT; type++)
        for (int s = 0; s < 5; s++) {
            k.type = type;
            k.strike = 120.5 - 2.5 * s;
            ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
        }
    gex__duplicates d;
    ck_assert_int_eq(gex__chain_drop_duplicates(c, 1, &d, NULL), GEX_OK);
    ck_assert_uint_eq(d.count, 0);
    ck_assert_uint_eq(gex_chain_size(c), 10);
    /* Ten roots of one strike: past the pass's group, still no duplicate. */
    const char *roots[] = {"ABC", "ABC1", "ABC2", "ABC3", "ABC4", "ABC5", "ABC6", "ABC7"};
    k.strike = 200;
    k.expiration = 19811;
    for (size_t r = 0; r < sizeof roots / sizeof roots[0]; r++)
        for (int type = GEX_CALL; type <= GEX_PUT; type++) {
            k.root = roots[r];
            k.type = type;
            ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
        }
    ck_assert_int_eq(gex__chain_drop_duplicates(c, 1, &d, NULL), GEX_OK);
    ck_assert_uint_eq(d.count, 0);
    ck_assert_uint_eq(gex_chain_size(c), 26);
    /* The second call of 118 again, at the end: dropped, the later kept. */
    k.root = NULL;
    k.expiration = 19804;
    k.strike = 118;
    k.type = GEX_CALL;
    k.open_interest = 7;
    k.line = 41;
    ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
    ck_assert_int_eq(gex__chain_drop_duplicates(c, 1, &d, NULL), GEX_OK);
    ck_assert_uint_eq(d.count, 1);
    ck_assert_int_eq(d.again_line, 41);
    ck_assert_double_eq(d.strike, 118);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 26);
    ck_assert_double_eq(v.strike[25], 118);
    ck_assert_double_eq(v.open_interest[25], 7);
    ck_assert_double_eq(v.strike[1], 115.5); /* the call of 118 before it is gone */
    ck_assert_int_eq(v.type[1], GEX_CALL);
    gex_chain_free(c);
}
END_TEST

/* A chain large enough for the pass on several threads (cut where an underlying or expiration
 * changes): the same finding as on one, a duplicate in the middle of a thread's share or
 * listed again at the end (the segments then out of order: sorted). */
START_TEST(test_chain_drop_duplicates_threads)
{
    gex_contract k = plain_contract();
    for (int round = 0; round < 3; round++) {
        for (size_t threads = 1; threads <= 5; threads += 2) {
            gex_chain *c = gex_chain_new();
            char u[16];
            for (int a = 0; a < 60; a++) {
                snprintf(u, sizeof u, "U%d", a);
                k.underlying = u;
                for (int e = 0; e < 10; e++)
                    for (int s = 0; s < 500; s++)
                        for (int type = GEX_CALL; type <= GEX_PUT; type++) {
                            k.expiration = 19804 + 7 * e;
                            k.strike = 100 + s;
                            k.type = type;
                            ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
                            /* round 1: the put of 300 of U31's fifth expiration twice */
                            if (round == 1 && a == 31 && e == 4 && s == 200 && type == GEX_PUT)
                                ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
                        }
            }
            if (round == 2) { /* U7's call of 150 listed again at the end */
                k.underlying = "U7";
                k.expiration = 19804;
                k.strike = 150;
                k.type = GEX_CALL;
                ck_assert_int_eq(gex_chain_add(c, &k), GEX_OK);
            }
            const size_t n = gex_chain_size(c);
            gex__duplicates d;
            ck_assert_int_eq(gex__chain_drop_duplicates(c, threads, &d, NULL), GEX_OK);
            ck_assert_uint_eq(d.count, round > 0);
            ck_assert_uint_eq(gex_chain_size(c), n - (round > 0));
            if (round == 1)
                ck_assert_double_eq(d.strike, 300);
            if (round == 2)
                ck_assert_double_eq(d.strike, 150);
            gex_chain_free(c);
        }
    }
}
END_TEST

START_TEST(test_read_quote_time_unreadable)
{
    /* A row whose quote time cannot be read where other rows' can: its snapshot is unknown
     * (it took the instant of the row before it, and two captures became one): an error at
     * its line, counting the rows; the same text repeated counts each row. */
    const char text[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                        "underlying_price,quote_time\n"
                        "XYZ,2024-03-22,100,C,1.8,1.9,0.21,100,100.37,2024-03-15T18:00:00Z\n"
                        "XYZ,2024-03-22,100,P,1.3,1.4,0.22,100,100.37,2024-03-15T18:00:00Z\n"
                        "XYZ,2024-03-22,101,C,1.3,1.4,0.21,100,100.9,2024-03-15 14:05 XYZ\n"
                        "XYZ,2024-03-22,101,P,1.8,1.9,0.22,100,100.9,2024-03-15 14:05 XYZ\n";
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "qt.csv", NULL, &c, NULL, &err),
                     GEX_EPARSE);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err.line, 4);
    ck_assert_ptr_nonnull(
        strstr(err.text, "the quote time \"2024-03-15 14:05 XYZ\" cannot be read (unknown time "
                         "zone name; 2 rows)"));
    /* A file none of whose quote times can be read keeps the note for --now instead. */
    const char none[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                        "underlying_price,quote_time\n"
                        "XYZ,2024-03-22,100,C,1.8,1.9,0.21,100,100.37,15 March 14:05\n";
    ck_assert_int_eq(gex_chain_read_buffer(none, sizeof none - 1, "qt.csv", NULL, &c, NULL, &err),
                     GEX_OK);
    int64_t t;
    ck_assert_int_ne(gex_chain_quote_time(c, &t), GEX_OK);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_multiline_row_warned)
{
    /* An unclosed quote (line 3's bid) runs to the next quote, on line 5: the three lines are
     * one record, a short row, and the rows inside it are gone. The record's lines are said
     * in a warning, whatever becomes of it. */
    const char text[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                        "underlying_price,quote_time\n"
                        "XYZ,2024-03-22,100,C,1.8,1.9,0.21,100,100.37,2024-03-15T18:00:00Z\n"
                        "XYZ,2024-03-22,100,P,\"1.3,1.4,0.22,100,100.37,2024-03-15T18:00:00Z\n"
                        "XYZ,2024-03-22,101,C,1.3,1.4,0.21,100,100.37,2024-03-15T18:00:00Z\n"
                        "XYZ,2024-03-22,101,P,1.8,1.9,0.22,100,100.37,\"adjusted\"\n"
                        "XYZ,2024-03-22,102,C,1.1,1.2,0.2,100,100.37,2024-03-15T18:00:00Z\n";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(text, sizeof text - 1, "q.csv", NULL, &c, &rep, &err),
                     GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), 2);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_SHORT_ROW], 1);
    ck_assert_ptr_nonnull(strstr(rep.warning,
                                 "1 row runs over several lines (a quoted field holds "
                                 "a line break), the first from line 3 to 5: a quote "
                                 "opened on line 3 closes on a later line, so those "
                                 "lines are read as one row; if they are rows of their "
                                 "own, remove the stray quotes"));
    gex_chain_free(c);
}
END_TEST

/* text with each LF turned into CR, and the LF after the mixed-th one (1-based; 0: none) kept
 * (a CRLF). Returns the length. */
static size_t cr_copy(const char *text, char *out, int mixed)
{
    size_t n = 0;
    int k = 0;
    for (const char *p = text; *p != '\0'; p++) {
        out[n++] = *p == '\n' ? '\r' : *p;
        if (*p == '\n' && ++k == mixed)
            out[n++] = '\n';
    }
    out[n] = '\0';
    return n;
}

START_TEST(test_read_cr_line_ends_as_lf)
{
    /* A file of lone CR line ends (the old Mac "CSV (Macintosh)" save) reads as its LF copy:
     * the same contracts, report, warnings and lines, from memory, on two threads, and from a
     * stream in chunks that cut every CR from its LF; a CRLF among them is one line end, and a
     * quoted field's line break stays inside its field. */
    const char lf[] = "\n"
                      "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                      "underlying_price,note\n"
                      "XYZ,2024-03-22,100,C,1.8,1.9,0.21,100,100.37,\"two\nlines\"\n"
                      "XYZ,2024-03-22,100,P,1.3,1.4,0.22,100,100.37,\n"
                      "XYZ,2024-03-22,abc,C,1.3,1.4,0.21,100,100.37,\n"
                      "XYZ,2024-03-22,101,P,1.8,1.9,0.22,,100.37,\n"
                      "XYZ,2024-03-22,102,C,1.1,1.2,0.2,100,100.37,\n";
    outcome ref, got;
    memset(&ref, 0, sizeof ref);
    ref.rc =
        gex_chain_read_buffer(lf, sizeof lf - 1, "x.csv", NULL, &ref.chain, &ref.rep, &ref.err);
    ck_assert_int_eq(ref.rc, GEX_OK);
    ck_assert_uint_eq(ref.rep.contracts, 4);
    ck_assert_int_eq(ref.rep.first_line[GEX_SKIP_BAD_STRIKE], 6);
    ck_assert_ptr_nonnull(strstr(ref.rep.warning, "from line 3 to 4"));
    char cr[sizeof lf + 8];
    /* The first line end decides (a CRLF there makes a file of CRLF or LF line ends). */
    for (int mixed = 0; mixed <= 7; mixed += mixed == 0 ? 2 : 1) {
        const size_t n = cr_copy(lf, cr, mixed);
        char what[64];
        snprintf(what, sizeof what, "memory, CRLF %d", mixed);
        memset(&got, 0, sizeof got);
        got.rc = gex_chain_read_buffer(cr, n, "x.csv", NULL, &got.chain, &got.rep, &got.err);
        assert_same(&ref, &got, what);
        gex_chain_free(got.chain);
        gex_read_options o = {.threads = 2};
        snprintf(what, sizeof what, "memory on 2 threads, CRLF %d", mixed);
        memset(&got, 0, sizeof got);
        got.rc = gex__chain_read_buffer_split(cr, n, "x.csv", &o, &got.chain, &got.rep, &got.err,
                                              64, 0, NULL);
        assert_same(&ref, &got, what);
        gex_chain_free(got.chain);
        for (size_t chunk = 1; chunk <= 7; chunk += 6) {
            FILE *fp = fmemopen(cr, n, "rb");
            ck_assert_ptr_nonnull(fp);
            snprintf(what, sizeof what, "chunks of %zu, CRLF %d", chunk, mixed);
            read_fp(fp, "x.csv", NULL, 0, 0, chunk, &got);
            assert_same(&ref, &got, what);
            gex_chain_free(got.chain);
            read_fp(fp, "x.csv", NULL, 1, 0, chunk, &got);
            assert_same(&ref, &got, what);
            gex_chain_free(got.chain);
            fclose(fp);
        }
    }
    gex_chain_free(ref.chain);
}
END_TEST

START_TEST(test_read_iv_placeholders_below)
{
    /* SPEC 1.4: a file IV below 0.1% is a placeholder (yfinance writes 1e-05 where it solved
     * none): counted in a warning, and the contract is solved from its mid. In a percent column
     * the bound is 0.1 (%), after the column is divided by 100. */
    const char frac[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                        "underlying_price,quote_time\n"
                        "XYZ,2024-03-22,100,C,1.8,1.9,0.2125,100,100.37,2024-03-15T18:00:00Z\n"
                        "XYZ,2024-03-22,100,P,1.3,1.4,1.0000000000000003e-05,100,100.37,"
                        "2024-03-15T18:00:00Z\n"
                        "XYZ,2024-03-22,101,C,1.3,1.4,0.001,100,100.37,2024-03-15T18:00:00Z\n";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(frac, sizeof frac - 1, "iv.csv", NULL, &c, &rep, &err),
                     GEX_OK);
    ck_assert_ptr_nonnull(strstr(rep.warning, "1 IV below 0.1% is a vendor placeholder"));
    gex_prepare_report pr;
    ck_assert_int_eq(gex_chain_prepare(c, NULL, &pr, NULL), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.iv_source[0], GEX_IV_SOURCE_FILE);
    ck_assert_int_eq(v.iv_source[1], GEX_IV_SOURCE_MID); /* the placeholder */
    ck_assert_int_eq(v.status[1], GEX_CONTRACT_OK);
    ck_assert_double_gt(v.iv[1], 0.05);
    ck_assert_int_eq(v.iv_source[2], GEX_IV_SOURCE_FILE); /* 0.1% itself is a volatility */
    gex_chain_free(c);
    const char pct[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                       "underlying_price,quote_time\n"
                       "XYZ,2024-03-22,100,C,1.8,1.9,21.25,100,100.37,2024-03-15T18:00:00Z\n"
                       "XYZ,2024-03-22,100,P,1.3,1.4,0.05,100,100.37,2024-03-15T18:00:00Z\n"
                       "XYZ,2024-03-22,101,C,1.3,1.4,21.75,100,100.37,2024-03-15T18:00:00Z\n";
    ck_assert_int_eq(gex_chain_read_buffer(pct, sizeof pct - 1, "iv.csv", NULL, &c, &rep, &err),
                     GEX_OK);
    ck_assert_int_eq(rep.iv_percent_rescaled, 1);
    ck_assert_ptr_nonnull(strstr(rep.warning, "1 IV below 0.1% is a vendor placeholder"));
    gex_chain_free(c);
}
END_TEST

START_TEST(test_read_iv_placeholders_not_percent)
{
    /* SPEC 1.4: IVs of 1e308 are placeholders, not percent. A column of them has no median
     * (the old reader took the mean of two, inf, and called the column "in percent (median
     * inf)"); among percent IVs they leave the median to the real ones. */
    const char all[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                       "underlying_price,quote_time\n"
                       "XYZ,2024-03-22,100.5,C,1.1,1.2,1e308,100,100.37,2024-03-15T18:00:00Z\n"
                       "XYZ,2024-03-22,100.5,P,1.1,1.2,1e308,100,100.37,2024-03-15T18:00:00Z\n";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(all, sizeof all - 1, "iv.csv", NULL, &c, &rep, &err),
                     GEX_OK);
    ck_assert_int_eq(rep.iv_percent_rescaled, 0);
    ck_assert_ptr_null(strstr(rep.warning, "percent"));
    ck_assert_ptr_null(strstr(rep.warning, "inf"));
    ck_assert_ptr_nonnull(strstr(rep.warning, "2 IVs above 500% are vendor placeholders"));
    gex_chain_free(c);
    /* Fractional IVs with more placeholders than real values: still fractional. */
    const char frac[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                        "underlying_price,quote_time\n"
                        "XYZ,2024-03-22,100.5,C,1.1,1.2,0.2125,100,100.37,2024-03-15T18:00:00Z\n"
                        "XYZ,2024-03-22,100.5,P,1.1,1.2,1e308,100,100.37,2024-03-15T18:00:00Z\n"
                        "XYZ,2024-03-22,101.5,P,1.1,1.2,9999,100,100.37,2024-03-15T18:00:00Z\n";
    ck_assert_int_eq(gex_chain_read_buffer(frac, sizeof frac - 1, "iv.csv", NULL, &c, &rep, &err),
                     GEX_OK);
    ck_assert_int_eq(rep.iv_percent_rescaled, 0);
    ck_assert_ptr_nonnull(strstr(rep.warning, "2 IVs above 500% are vendor placeholders"));
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_double_eq(v.file_iv[0], 0.2125);
    gex_chain_free(c);
    /* Percent IVs and a placeholder: in percent, by the real values' median, 21.5. */
    const char pct[] = "underlying,expiration,strike,type,bid,ask,iv,open_interest,"
                       "underlying_price,quote_time\n"
                       "XYZ,2024-03-22,100.5,C,1.1,1.2,21.25,100,100.37,2024-03-15T18:00:00Z\n"
                       "XYZ,2024-03-22,100.5,P,1.1,1.2,1e308,100,100.37,2024-03-15T18:00:00Z\n"
                       "XYZ,2024-03-22,101.5,P,1.1,1.2,1e308,100,100.37,2024-03-15T18:00:00Z\n"
                       "XYZ,2024-03-22,101.5,C,1.1,1.2,21.75,100,100.37,2024-03-15T18:00:00Z\n";
    ck_assert_int_eq(gex_chain_read_buffer(pct, sizeof pct - 1, "iv.csv", NULL, &c, &rep, &err),
                     GEX_OK);
    ck_assert_int_eq(rep.iv_percent_rescaled, 1);
    ck_assert_ptr_nonnull(strstr(rep.warning, "in percent (median 21.5)"));
    ck_assert_ptr_nonnull(strstr(rep.warning, "2 IVs above 500% are vendor placeholders"));
    gex_chain_get_view(c, &v);
    ck_assert_double_eq_tol(v.file_iv[3], 0.2175, 1e-15);
    gex_chain_free(c);
}
END_TEST

/* --- the real chains --- */

/* Expected values from tests/chain-real-counts.py (Python csv/json/zoneinfo, not gex):
 * spot, quote instant, contracts, distinct expirations, expired at the file's instant
 * (settlement <= quote), and contracts whose file IV is not a number in (0, 5]. */
static const struct real_file {
    const char *name;
    double spot;
    const char *quote; /* NULL: the file has none */
    size_t contracts;
    size_t expirations;
    size_t expired;
    size_t no_file_iv;
    long first_line, last_line; /* source lines of the first and last contract (Python: the
                                   line after the header, the file's line count) */
    gex_underlying_quote quote_of_underlying; /* as printed; 0: none (read as NAN) */
} real_files[] = {
    {"cboe_qqq_2024-03-22_unbalanced-quote.csv",
     445.65,
     "2024-03-23T01:46:00Z",
     9840,
     31,
     308,
     2857,
     5,
     4924,
     {445.65, 445.73, 445.65}},
    {"cboe_spx_2023-06-09_intraday.csv",
     4300.0098,
     "2023-06-09T17:40:00Z",
     17788,
     49,
     0,
     552,
     5,
     8898,
     {4299.3398, 4300.8301, 4300.0098}},
    {"cboe_spx_2023-09-14_close.csv",
     4505.1001,
     "2023-09-14T20:31:00Z",
     19920,
     53,
     296,
     1461,
     5,
     9964,
     {4483.25, 4526.27, 4505.1001}},
    {"cboe_tsla_2023-08-20_single-stock.csv",
     218.8,
     "2023-08-21T02:38:00Z",
     236,
     1,
     0,
     23,
     5,
     122,
     {218.78, 218.8, 218.8}},
    /* "Bid,0,Ask,0": CBOE's 2020 layout prints zeros, no quote. */
    {"cboe-legacy2020_spy_2020-06-22.dat",
     310.68,
     "2020-06-23T00:42:00Z",
     9518,
     35,
     236,
     66,
     4,
     4762,
     {0, 0, 310.68}},
    /* An index: CBOE's JSON prints bid and ask 0. */
    {"cboe-json_rut_2023-09-20.json",
     1806.1193,
     "2023-09-21T03:17:42Z",
     6680,
     26,
     338,
     1019,
     0,
     0,
     {0, 0, 1806.1193}},
    /* yfinance's dump has the underlying's price in every row, and no quote of it. */
    {"yfinance_spy_2026-02-11_intraday.csv",
     692.2999877929688,
     NULL,
     8778,
     31,
     0,
     0,
     2,
     8779,
     {0, 0, 0}},
};

/* The underlying's quote as read equals the one printed (0: none, read as NAN). */
static void check_quote_field(const char *file, const char *what, double got, double want)
{
    if (want == 0)
        ck_assert_msg(isnan(got), "%s: %s %g, expected none", file, what, got);
    else
        ck_assert_msg(got == want, "%s: %s %.10g, expected %.10g", file, what, got, want);
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* The number of contracts whose fields differ between two reads of one file (plain loops:
 * a Check assertion per field would cost more than the reads). */
static size_t views_differ(const gex_chain_view *a, const gex_chain_view *b)
{
    if (a->n != b->n)
        return a->n > b->n ? a->n - b->n : b->n - a->n;
    size_t bad = 0;
    for (size_t i = 0; i < a->n; i++)
        bad += !same_double(a->strike[i], b->strike[i]) || a->line[i] != b->line[i] ||
               a->settlement[i] != b->settlement[i] || a->expiration[i] != b->expiration[i] ||
               a->type[i] != b->type[i] || !same_double(a->bid[i], b->bid[i]) ||
               !same_double(a->ask[i], b->ask[i]) || !same_double(a->file_iv[i], b->file_iv[i]) ||
               !same_double(a->open_interest[i], b->open_interest[i]) ||
               !same_double(a->vendor_delta[i], b->vendor_delta[i]);
    return bad;
}

static int compare_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

START_TEST(test_read_real_chains)
{
    const struct real_file *f = &real_files[_i];
    char rel[256];
    snprintf(rel, sizeof rel, "chains/%s", f->name);
    const char *path = gex_test_shared(rel);
    if (path == NULL) {
        printf("skipped: ../shared absent (%s)\n", f->name);
        return;
    }
    gex_chain *c = NULL;
    gex_error err;
    gex_read_report rep;
    int rc = gex_chain_read_path(path, NULL, &c, &rep, &err);
    ck_assert_msg(rc == GEX_OK, "%s:%ld: %s", err.file, err.line, err.text);
    for (int k = 0; k < GEX_SKIP_REASON_COUNT; k++)
        ck_assert_msg(rep.skipped[k] == 0, "%s: %zu rows skipped (%s)", f->name, rep.skipped[k],
                      gex_skip_reason_name(k));
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, f->contracts);
    ck_assert_double_eq(v.spot[0], f->spot);
    gex_underlying_quote uq = gex_chain_underlying_quote(c, v.underlying[0]);
    check_quote_field(f->name, "bid", uq.bid, f->quote_of_underlying.bid);
    check_quote_field(f->name, "ask", uq.ask, f->quote_of_underlying.ask);
    check_quote_field(f->name, "last", uq.last, f->quote_of_underlying.last);
    /* The same file from memory (one piece) as from the path (256 KB chunks): chunk
     * boundaries change nothing. */
    {
        FILE *fp = fopen(path, "rb");
        ck_assert_ptr_nonnull(fp);
        fseek(fp, 0, SEEK_END);
        size_t len = (size_t)ftell(fp);
        rewind(fp);
        char *buf = malloc(len);
        ck_assert_uint_eq(fread(buf, 1, len, fp), len);
        fclose(fp);
        gex_chain *m = NULL;
        ck_assert_int_eq(gex_chain_read_buffer(buf, len, f->name, NULL, &m, NULL, &err), GEX_OK);
        free(buf);
        gex_chain_view vm;
        gex_chain_get_view(m, &vm);
        ck_assert_uint_eq(vm.n, v.n);
        ck_assert_uint_eq(views_differ(&vm, &v), 0);
        gex_chain_free(m);
        /* And from a stream read 7 bytes at a time: every boundary falls somewhere. */
        fp = fopen(path, "rb");
        ck_assert_int_eq(
            gex__chain_read_file_chunked(fp, f->name, NULL, &m, NULL, &err, CHUNK_SMALL), GEX_OK);
        fclose(fp);
        gex_chain_get_view(m, &vm);
        ck_assert_uint_eq(vm.n, v.n);
        ck_assert_uint_eq(views_differ(&vm, &v), 0);
        gex_chain_free(m);
    }
    ck_assert_double_eq(v.spot[v.n - 1], f->spot);
    ck_assert_int_eq(v.line[0], f->first_line);
    ck_assert_int_eq(v.line[v.n - 1], f->last_line);
    int32_t *days = malloc(v.n * sizeof *days);
    memcpy(days, v.expiration, v.n * sizeof *days);
    qsort(days, v.n, sizeof *days, compare_i32);
    size_t distinct = v.n > 0;
    for (size_t i = 1; i < v.n; i++)
        distinct += days[i] != days[i - 1];
    free(days);
    ck_assert_uint_eq(distinct, f->expirations);
    size_t no_iv = 0;
    for (size_t i = 0; i < v.n; i++)
        no_iv += !(isfinite(v.file_iv[i]) && v.file_iv[i] > 0 && v.file_iv[i] <= 5);
    ck_assert_uint_eq(no_iv, f->no_file_iv);
    if (f->quote == NULL) {
        ck_assert_int_eq(rep.has_quote_time, 0);
        ck_assert_int_eq(gex_chain_prepare(c, NULL, NULL, &err), GEX_ENOTIME);
    } else {
        char iso[40];
        iso_of(c, iso, sizeof iso);
        ck_assert_str_eq(iso, f->quote);
        gex_prepare_report pr;
        ck_assert_int_eq(gex_chain_prepare(c, NULL, &pr, &err), GEX_OK);
        ck_assert_uint_eq(pr.status[GEX_CONTRACT_EXPIRED], f->expired);
        /* Every contract is accounted for by exactly one status. */
        size_t total = 0;
        for (int k = 0; k < GEX_CONTRACT_STATUS_COUNT; k++)
            total += pr.status[k];
        ck_assert_uint_eq(total, v.n);
    }
    gex_chain_free(c);
}
END_TEST

static Suite *chain_read_suite(void)
{
    Suite *s = suite_create("chain-read");
    TCase *tc = tcase_create("fixtures");
    tcase_add_test(tc, test_read_long_aliases);
    tcase_add_test(tc, test_read_long_occ_symbols);
    tcase_add_test(tc, test_read_long_preamble_bom_crlf);
    tcase_add_test(tc, test_read_long_percent_iv_rescaled);
    tcase_add_test(tc, test_read_long_iv_percent_sign);
    tcase_add_test(tc, test_read_long_bad_rows_lenient);
    tcase_add_test(tc, test_read_long_bad_rows_strict);
    tcase_add_test(tc, test_read_long_several_underlyings);
    tcase_add_test(tc, test_read_symbol_leaves_other_bad_rows);
    tcase_add_test(tc, test_read_duplicated_headers_first_wins);
    tcase_add_test(tc, test_read_yfinance_dump);
    tcase_add_test(tc, test_read_currency_column);
    tcase_add_test(tc, test_read_cboe_current_layout);
    tcase_add_test(tc, test_read_cboe_2020_layout);
    tcase_add_test(tc, test_read_cboe_unquoted_date_crlf);
    tcase_add_test(tc, test_read_cboe_unicode_minus_zone);
    tcase_add_test(tc, test_read_cboe_date_without_year_needs_now);
    tcase_add_test(tc, test_read_cboe_date_in_unknown_language_needs_now);
    tcase_add_test(tc, test_read_cboe_date_with_wrong_weekday_needs_now);
    tcase_add_test(tc, test_read_cboe_date_in_unknown_zone_needs_now);
    tcase_add_test(tc, test_read_cboe_without_spot_needs_spot);
    tcase_add_test(tc, test_read_cboe_unreadable_spot_named);
    tcase_add_test(tc, test_read_messages_in_a_comma_locale);
    tcase_add_test(tc, test_read_cboe_2020_spot_after_blank_line);
    tcase_add_test(tc, test_read_zoneless_midnight);
    tcase_add_test(tc, test_read_cboe_json);
    tcase_add_test(tc, test_read_cboe_json_bad_field_line);
    tcase_add_test(tc, test_read_buffer_and_stream_agree_with_path);
    tcase_add_test(tc, test_read_format_override);
    tcase_add_test(tc, test_read_multiplier_and_settle_overrides);
    tcase_add_test(tc, test_read_settle_count_without_list);
    tcase_add_test(tc, test_read_report_snapshots_dated_by_file);
    tcase_add_test(tc, test_read_index_without_root_weeklies);
    tcase_add_test(tc, test_read_cboe_without_preamble);
    tcase_add_test(tc, test_read_bad_occ_symbols);
    tcase_add_test(tc, test_read_symbol_too_long_refused);
    tcase_add_test(tc, test_read_errors_at_file_level);
    tcase_add_test(tc, test_read_implausible_values_lenient);
    tcase_add_test(tc, test_read_implausible_values_strict);
    tcase_add_test(tc, test_read_implausible_values_cboe);
    tcase_add_test(tc, test_read_zero_open_interest_refused);
    tcase_add_test(tc, test_chain_check_spot_underlying_without_spot);
    tcase_add_test(tc, test_read_duplicates_keep_the_later);
    tcase_add_test(tc, test_chain_drop_duplicates_orders);
    tcase_add_test(tc, test_chain_drop_duplicates_threads);
    tcase_add_test(tc, test_read_iv_placeholders_not_percent);
    tcase_add_test(tc, test_read_iv_placeholders_below);
    tcase_add_test(tc, test_read_multiline_row_warned);
    tcase_add_test(tc, test_read_cr_line_ends_as_lf);
    tcase_add_test(tc, test_read_quote_time_unreadable);
    suite_add_tcase(s, tc);
    TCase *tr = tcase_create("real");
    tcase_add_loop_test(tr, test_read_real_chains, 0,
                        (int)(sizeof real_files / sizeof real_files[0]));
    suite_add_tcase(s, tr);
    return s;
}

int main(void)
{
    return gex_test_run(chain_read_suite());
}
