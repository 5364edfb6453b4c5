/* The JSON layouts (SPEC 2.6): the real samples of ../shared/formats read in place (their counts
 * measured with Python's json module, as in ../shared/formats/README.md; skipped, saying so,
 * when absent), small synthetic documents for each layout's quirks, and the streaming reader's
 * errors. Every document is also read in chunks of 1 to 7 bytes from a stream, which must give
 * what one read of the whole buffer gives. */
#include "gex-test.h"

#include <math.h>

#include "../src/chain-internal.h"
#include "gex/bs.h"
#include "gex/chain.h"

static double oi_sum(const gex_chain *c, int type, const char *root)
{
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    double s = 0;
    for (size_t i = 0; i < v.n; i++)
        if ((type < 0 || v.type[i] == type) &&
            (root == NULL || strcmp(gex_chain_symbol(c, v.root[i]), root) == 0))
            s += v.open_interest[i];
    return s;
}

/* Reads buf with options o, and again from a stream in chunks of 1 to 7 bytes: the same status,
 * error text, contracts and report. Returns the status; *out the chain of the buffer read. */
static int read_both(const char *buf, const gex_read_options *o, gex_chain **out,
                     gex_read_report *rep, gex_error *err)
{
    size_t len = strlen(buf);
    int rc = gex_chain_read_buffer(buf, len, "t.json", o, out, rep, err);
    for (size_t chunk = 1; chunk <= 7; chunk += 3) {
        FILE *fp = fmemopen((void *)buf, len, "rb");
        ck_assert_ptr_nonnull(fp);
        gex_chain *c = NULL;
        gex_read_report r2;
        gex_error e2;
        int rc2 = gex__chain_read_file_chunked(fp, "t.json", o, &c, &r2, &e2, chunk);
        fclose(fp);
        ck_assert_int_eq(rc2, rc);
        if (rc != GEX_OK) {
            ck_assert_str_eq(e2.text, err->text);
            ck_assert_int_eq(e2.line, err->line);
            continue;
        }
        gex_chain_view a, b;
        gex_chain_get_view(*out, &a);
        gex_chain_get_view(c, &b);
        ck_assert_uint_eq(a.n, b.n);
        ck_assert_mem_eq(a.strike, b.strike, a.n * sizeof *a.strike);
        ck_assert_mem_eq(a.open_interest, b.open_interest, a.n * sizeof *a.open_interest);
        ck_assert_mem_eq(a.expiration, b.expiration, a.n * sizeof *a.expiration);
        ck_assert_str_eq(rep->warning, r2.warning);
        ck_assert_uint_eq(rep->rows, r2.rows);
        gex_chain_free(c);
    }
    return rc;
}

static void expect_text(const gex_error *err, const char *words)
{
    ck_assert_msg(strstr(err->text, words) != NULL, "\"%s\" lacks \"%s\"", err->text, words);
}

/* Each skip reason's count, one bad row or none, and the line of its first (0 for none). */
static void expect_skipped(const gex_read_report *rep, const long first_line[GEX_SKIP_REASON_COUNT])
{
    for (int k = 0; k < GEX_SKIP_REASON_COUNT; k++) {
        ck_assert_msg(rep->skipped[k] == (first_line[k] > 0 ? 1u : 0u), "reason %d: %zu skipped", k,
                      rep->skipped[k]);
        ck_assert_msg(rep->first_line[k] == first_line[k], "reason %d: first on line %ld, not %ld",
                      k, rep->first_line[k], first_line[k]);
    }
}

/* A document holding contracts of every kind a reader refuses, one per line, read lenient: the
 * good contracts kept (good), each reason's bad ones counted with the line of the first
 * (expect_skipped); and strict: the first bad one's error, its line and words. Returns the
 * lenient read's chain, for the caller's own checks (free it). */
static gex_chain *expect_bad_rows(const char *doc, const gex_read_options *lenient, size_t good,
                                  const long first_line[GEX_SKIP_REASON_COUNT], long strict_line,
                                  const char *strict_words)
{
    gex_chain *c = NULL, *strict_chain = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(read_both(doc, lenient, &c, &rep, &err), GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), good);
    ck_assert_uint_eq(rep.contracts, good);
    expect_skipped(&rep, first_line);
    gex_read_options strict = *lenient;
    strict.strict = 1;
    ck_assert_int_eq(read_both(doc, &strict, &strict_chain, &rep, &err), GEX_EPARSE);
    ck_assert_ptr_null(strict_chain);
    ck_assert_int_eq(err.line, strict_line);
    expect_text(&err, strict_words);
    return c;
}

static int64_t quote_time(const gex_chain *c)
{
    int64_t t = 0;
    ck_assert_int_eq(gex_chain_quote_time(c, &t), GEX_OK);
    return t;
}

/* --- Schwab --- */

static const char schwab_doc[] =
    "{\"symbol\":\"$SPX\",\"status\":\"SUCCESS\",\"underlying\":{\"last\":5661.25,\"mark\":5660.5},"
    "\"underlyingPrice\":5659.91,\"volatility\":29,\n"
    "\"callExpDateMap\":{\"2025-05-20:9\":{\"5660.0\":[{\"putCall\":\"CALL\",\"symbol\":\"SPXW  "
    "250520C05660000\",\"bid\":76,\"ask\":77.4,\"last\":78.9,\"totalVolume\":35,"
    "\"quoteTimeInLong\":1746824397889,\"volatility\":18.658,\"delta\":0.509,\"gamma\":0.002,"
    "\"openInterest\":1234,\"strikePrice\":5660,\"multiplier\":100,\"optionRoot\":\"SPXW\","
    "\"optionDeliverablesList\":[{\"symbol\":\"$SPX\"}]}]}},\n"
    "\"putExpDateMap\":{\"2025-05-20:9\":{\"5655.0\":[{\"putCall\":\"PUT\",\"symbol\":\"SPXW  "
    "250520P05655000\",\"bid\":\"NaN\",\"ask\":-999.0,\"last\":12.5,\"totalVolume\":3,"
    "\"quoteTimeInLong\":1746824400000,\"volatility\":-999.0,\"delta\":\"NaN\",\"gamma\":-999.0,"
    "\"openInterest\":77,\"strikePrice\":5655.0,\"multiplier\":100.0}]}}}";

START_TEST(test_json_schwab_synthetic)
{
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(read_both(schwab_doc, NULL, &c, &rep, &err), GEX_OK);
    ck_assert_int_eq(rep.format, GEX_FORMAT_SCHWAB_JSON);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 2);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(c, v.root[0]), "SPXW");
    ck_assert_str_eq(gex_chain_symbol(c, v.root[1]), "SPXW"); /* from the OCC symbol */
    ck_assert_int_eq(v.type[0], GEX_CALL);
    ck_assert_int_eq(v.type[1], GEX_PUT);
    ck_assert_int_eq(v.expiration[0], 20228); /* 2025-05-20 */
    ck_assert_double_eq(v.strike[1], 5655.0);
    ck_assert_double_eq(v.spot[0], 5659.91); /* underlyingPrice, not underlying.last */
    ck_assert_double_eq_tol(v.file_iv[0], 0.18658, 1e-15);
    ck_assert(isnan(v.file_iv[1])); /* -999.0 */
    ck_assert(isnan(v.bid[1]));     /* "NaN" */
    ck_assert(isnan(v.ask[1]));
    ck_assert(isnan(v.vendor_delta[1]));
    ck_assert(isnan(v.vendor_gamma[1]));
    ck_assert_double_eq(v.open_interest[0], 1234);
    /* The latest quoteTimeInLong, in seconds; the instants differ: warned. */
    ck_assert_int_eq(quote_time(c), 1746824400);
    ck_assert_ptr_nonnull(strstr(rep.warning, "underlyingPrice 5659.91 is used"));
    ck_assert_ptr_nonnull(strstr(rep.warning, "quote time differs"));
    gex_chain_free(c);
}
END_TEST

START_TEST(test_json_schwab_real_refused_no_oi)
{
    const char *path = gex_test_shared("formats/schwab-json_spxw_2025-05-09_otm-only-oi-zero.json");
    if (path == NULL) {
        printf("skipped: ../shared absent\n");
        return;
    }
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_path(path, NULL, &c, &rep, &err), GEX_EEMPTY);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(rep.format, GEX_FORMAT_SCHWAB_JSON);
    ck_assert_uint_eq(rep.rows, 162);
    expect_text(&err, "a Schwab option chain whose 162 contracts all have zero open interest");
    expect_text(&err, "none can be computed");
}
END_TEST

/* Every kind of bad contract a Schwab chain can hold, one per line: skipped and counted by
 * reason with the line of the first (lenient), or the first one's error naming its keys and
 * what is wrong (strict). The good ones, a call with optionRoot absent and a put whose root
 * comes from TD's "SPXW_..." symbol, are read. */
static const char schwab_bad_doc[] =
    "{\"symbol\":\"$SPX\",\"underlyingPrice\":5659.91,\n"
    "\"callExpDateMap\":{\"2025-05-20:9\":{\n"
    "\"5660.0\":[{\"putCall\":\"CALL\",\"symbol\":\"SPXW  "
    "250520C05660000\",\"bid\":76,\"ask\":77.4,"
    "\"openInterest\":1234,\"strikePrice\":5660,\"quoteTimeInLong\":1746824397889}],\n"
    "\"5665.0\":[{\"putCall\":\"CALL\",\"symbol\":\"SPXW  250520C05665000\",\"bid\":\"x12\","
    "\"ask\":77.4,\"openInterest\":10,\"strikePrice\":5665}],\n"
    "\"5670.0\":[{\"putCall\":\"CALL\",\"symbol\":\"SPXW  250520C05670000\",\"bid\":70,\"ask\":71,"
    "\"openInterest\":-5,\"strikePrice\":5670}]},\n"
    "\"2025-13-45:9\":{\"5660.0\":[{\"putCall\":\"CALL\",\"symbol\":\"SPXW  251345C05660000\","
    "\"bid\":1,\"ask\":2,\"openInterest\":1,\"strikePrice\":5660}]}},\n"
    "\"putExpDateMap\":{\"2025-05-20:9\":{\n"
    "\"5655.0\":[{\"putCall\":\"PUT\",\"symbol\":\"SPXW_052025P5655\",\"bid\":10,\"ask\":11,"
    "\"openInterest\":77,\"strikePrice\":5655,\"quoteTimeInLong\":1746824400000}],\n"
    "\"abc\":[{\"putCall\":\"PUT\",\"symbol\":\"SPXW  250520P05650000\",\"bid\":10,\"ask\":11,"
    "\"openInterest\":7,\"strikePrice\":\"n/a\"}],\n"
    "\"5645.0\":[{\"putCall\":\"PUT\",\"bid\":10,\"ask\":11,\"openInterest\":7,"
    "\"strikePrice\":5645}]}}}";

START_TEST(test_json_schwab_bad_rows)
{
    const gex_read_options o = {0};
    gex_chain *c =
        expect_bad_rows(schwab_bad_doc, &o, 2,
                        (const long[GEX_SKIP_REASON_COUNT]){[GEX_SKIP_BAD_NUMBER] = 4,
                                                            [GEX_SKIP_BAD_OPEN_INTEREST] = 5,
                                                            [GEX_SKIP_BAD_EXPIRATION] = 6,
                                                            [GEX_SKIP_BAD_STRIKE] = 9,
                                                            [GEX_SKIP_BAD_SYMBOL] = 10},
                        4,
                        "callExpDateMap[\"2025-05-20:9\"][\"5665.0\"]: \"bid\" \"x12\" is not a "
                        "number; fix the row, "
                        "or read without --strict");
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[1]), "SPX");
    ck_assert_str_eq(gex_chain_symbol(c, v.root[1]), "SPXW"); /* before TD's '_' */
    ck_assert_double_eq(v.strike[1], 5655);
    gex_chain_free(c);
}
END_TEST

/* A pretty-printed Schwab contract with one bad number: the error names the field, its value
 * and its own line (7; the contract's object opens on line 4), once. */
START_TEST(test_json_schwab_bad_field_named)
{
    static const struct {
        const char *field, *value, *why;
    } cases[] = {
        {"bid", "\"abc\"", "is not a number"},
        {"ask", "{}", "is not a number"},
        {"last", "1e300", "is out of range (-10000000 to 10000000)"},
        {"totalVolume", "-2", "is out of range (0 to 1000000000)"},
        {"volatility", "\"high\"", "is not a number"},
        {"delta", "true", "is not a number"},
        {"gamma", "[1]", "is not a number"},
        {"multiplier", "-100", "is out of range (0 to 1000000)"},
        {"openInterest", "\"12x\"", "is not a number"},
        {"strikePrice", "0", "is out of range (above 0 to 10000000)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[1024], want[256];
        snprintf(doc, sizeof doc,
                 "{\"symbol\": \"$SPX\", \"underlyingPrice\": 5659.91,\n"
                 " \"callExpDateMap\": {\"2025-05-20:9\": {\n"
                 "  \"5675.0\": [\n"
                 "   {\n"
                 "    \"putCall\": \"CALL\",\n"
                 "    \"symbol\": \"SPXW  250520C05675000\",\n"
                 "    \"%s\": %s,\n"
                 "    \"mark\": 68.45\n"
                 "   }\n"
                 "  ]\n"
                 " }}\n"
                 "}\n",
                 cases[i].field, cases[i].value);
        gex_read_options o = {.strict = 1};
        gex_chain *c = NULL;
        gex_error err;
        ck_assert_int_eq(read_both(doc, &o, &c, NULL, &err), GEX_EPARSE);
        ck_assert_int_eq(err.line, 7);
        snprintf(want, sizeof want,
                 "callExpDateMap[\"2025-05-20:9\"][\"5675.0\"]: \"%s\" %s %s; fix the row, or read "
                 "without --strict to skip bad rows",
                 cases[i].field,
                 cases[i].value[0] == '{'   ? "an object"
                 : cases[i].value[0] == '[' ? "an array"
                                            : cases[i].value,
                 cases[i].why);
        ck_assert_str_eq(err.text, want);
    }
}
END_TEST

/* --- Tradier --- */

START_TEST(test_json_tradier_real_needs_spot)
{
    const char *path =
        gex_test_shared("formats/tradier-json2013_aapl_2013-08-22_no-greeks-mini-aapl7.json");
    if (path == NULL) {
        printf("skipped: ../shared absent\n");
        return;
    }
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_path(path, NULL, &c, &rep, &err), GEX_EPARSE);
    expect_text(&err, "carries no spot price of AAPL");
    expect_text(&err, "pass --spot");
    gex_read_options o = {.spot = 502.97};
    ck_assert_int_eq(gex_chain_read_path(path, &o, &c, &rep, &err), GEX_OK);
    ck_assert_int_eq(rep.format, GEX_FORMAT_TRADIER_JSON);
    /* The 108 AAPL7 minis (10 shares, which the file does not state: README) are left out,
     * never read at 100 shares. */
    ck_assert_uint_eq(gex_chain_size(c), 222);
    ck_assert_double_eq(oi_sum(c, -1, NULL), 283252 - 4463);
    ck_assert_double_eq(oi_sum(c, -1, "AAPL7"), 0);
    ck_assert_double_eq(oi_sum(c, GEX_CALL, NULL) + oi_sum(c, GEX_PUT, NULL), 283252 - 4463);
    ck_assert_ptr_nonnull(strstr(rep.warning, "108 contracts of root AAPL7 (a deliverable other "
                                              "than 100 shares of AAPL"));
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_int_eq(v.expiration[0], 16452); /* 2015-01-17 */
    ck_assert_int_eq(gex_chain_quote_time(c, &(int64_t){0}), GEX_ENOTIME);
    gex_chain_free(c);
    /* Asked for alone: refused, saying how to state the deliverable; stated, read at it. */
    o.symbol = "AAPL7";
    ck_assert_int_eq(gex_chain_read_path(path, &o, &c, &rep, &err), GEX_EEMPTY);
    expect_text(&err, "108 contracts of root AAPL7");
    expect_text(&err, "--multiplier");
    o.multiplier = 10;
    ck_assert_int_eq(gex_chain_read_path(path, &o, &c, &rep, &err), GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), 108);
    ck_assert_double_eq(oi_sum(c, -1, "AAPL7"), 4463);
    gex_chain_get_view(c, &v);
    ck_assert_double_eq(v.multiplier[0], 10);
    gex_chain_free(c);
}
END_TEST

START_TEST(test_json_tradier_single_option_object)
{
    const char doc[] =
        "{\"options\":{\"option\":{\"symbol\":\"SPY240322C00510000\",\"underlying\":\"SPY\","
        "\"root_symbol\":\"SPY\",\"option_type\":\"call\",\"expiration_date\":\"2024-03-22\","
        "\"strike\":510.0,\"bid\":3.15,\"ask\":3.19,\"last\":3.17,\"volume\":5120,"
        "\"open_interest\":8213,\"contract_size\":100,\"bid_date\":1710532800000,"
        "\"ask_date\":1710532799000,\"greeks\":{\"delta\":0.52,\"gamma\":0.051,\"mid_iv\":0.1421,"
        "\"smv_vol\":0.139}}}}";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    gex_read_options o = {.spot = 509.83};
    ck_assert_int_eq(read_both(doc, &o, &c, &rep, &err), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 1);
    ck_assert_double_eq(v.file_iv[0], 0.1421);
    ck_assert_double_eq(v.vendor_gamma[0], 0.051);
    ck_assert_double_eq(v.spot[0], 509.83);
    ck_assert_int_eq(quote_time(c), 1710532800); /* the later of bid_date and ask_date */
    gex_chain_free(c);
}
END_TEST

/* A mini option's root (AAPL7: 10 shares of AAPL) is read at the record's contract_size, as an
 * option on AAPL; without contract_size it is left out with a warning, never read at 100. */
START_TEST(test_json_tradier_mini_options)
{
    const char doc[] =
        "{\"options\":{\"option\":[\n"
        "{\"symbol\":\"AAPL150117C00500000\",\"bid\":30.1,\"ask\":30.6,\"open_interest\":812},\n"
        "{\"symbol\":\"AAPL7150117C00500000\",\"bid\":30.0,\"ask\":30.9,\"open_interest\":37,"
        "\"contract_size\":10},\n"
        "{\"symbol\":\"AAPL7150117P00500000\",\"underlying\":\"AAPL\",\"root_symbol\":\"AAPL7\","
        "\"bid\":31.0,\"ask\":31.7,\"open_interest\":41,\"contract_size\":10},\n"
        "{\"symbol\":\"AAPL7150117P00510000\",\"underlying\":\"AAPL\",\"root_symbol\":\"AAPL7\","
        "\"bid\":35.0,\"ask\":35.7,\"open_interest\":13},\n"
        "{\"symbol\":\"AAPL1150117P00510000\",\"bid\":35.0,\"ask\":35.7,\"open_interest\":3}]}}";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    gex_read_options o = {.spot = 502.97};
    ck_assert_int_eq(read_both(doc, &o, &c, &rep, &err), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 3);
    for (size_t i = 0; i < v.n; i++)
        ck_assert_str_eq(gex_chain_symbol(c, v.underlying[i]), "AAPL");
    ck_assert_double_eq(v.multiplier[0], 100);
    ck_assert_str_eq(gex_chain_symbol(c, v.root[1]), "AAPL7");
    ck_assert_double_eq(v.multiplier[1], 10);
    ck_assert_double_eq(v.multiplier[2], 10);
    ck_assert_str_eq(
        rep.warning,
        "2 contracts of root AAPL7 and others (a deliverable other than 100 shares of AAPL: "
        "mini or adjusted options, whose contract_size the file does not state) are "
        "left out; pass --symbol AAPL7 --multiplier N to read them alone");
    gex_chain_free(c);
    /* Minis left out without open interest: no kept contract is said to lack it. */
    const char no_oi[] =
        "{\"options\":{\"option\":[\n"
        "{\"symbol\":\"AAPL7150117P00510000\",\"underlying\":\"AAPL\",\"bid\":35.0,\"ask\":35.7},\n"
        "{\"symbol\":\"AAPL150117C00500000\",\"bid\":30.1,\"ask\":30.6,\"open_interest\":812}]}}";
    ck_assert_int_eq(read_both(no_oi, &o, &c, &rep, &err), GEX_OK);
    ck_assert_ptr_null(strstr(rep.warning, "no open interest"));
    gex_chain_free(c);
    /* The warning's advice reads the minis alone, whatever underlying their records name. */
    gex_read_options alone = {.spot = 50.297, .symbol = "AAPL7", .multiplier = 10};
    ck_assert_int_eq(read_both(doc, &alone, &c, &rep, &err), GEX_OK);
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 3);
    ck_assert_double_eq(v.multiplier[0], 10);
    gex_chain_free(c);
    /* --symbol naming another underlying than a file of minis alone: that file holds none. */
    const char minis[] =
        "{\"options\":{\"option\":[\n"
        "{\"symbol\":\"AAPL7150117P00510000\",\"bid\":35.0,\"ask\":35.7,\"open_interest\":13}]}}";
    gex_read_options msft = {.spot = 502.97, .symbol = "MSFT"};
    ck_assert_int_eq(read_both(minis, &msft, &c, &rep, &err), GEX_EEMPTY);
    expect_text(&err, "no contracts of MSFT in the file (1 contracts of other underlyings)");
}
END_TEST

/* --- Polygon --- */

START_TEST(test_json_polygon_real_mock)
{
    const char *path = gex_test_shared("formats/polygon-mock_aapl_2022-04-29_one-contract.json");
    if (path == NULL) {
        printf("skipped: ../shared absent\n");
        return;
    }
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_path(path, NULL, &c, &rep, &err), GEX_OK);
    ck_assert_int_eq(rep.format, GEX_FORMAT_POLYGON_JSON);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_uint_eq(v.n, 1);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "AAPL");
    ck_assert_int_eq(v.type[0], GEX_CALL);
    ck_assert_double_eq(v.strike[0], 150);
    ck_assert_int_eq(v.expiration[0], 19524); /* 2023-06-16 */
    ck_assert_double_eq(v.spot[0], 159.9606);
    ck_assert_double_eq(v.file_iv[0], 0.3570277203465058);
    ck_assert_double_eq(v.open_interest[0], 8133);
    ck_assert_double_eq(v.bid[0], 28.9);
    ck_assert_double_eq(v.multiplier[0], 100);
    ck_assert_int_eq(quote_time(c), 1651254260); /* last_quote.last_updated, ns */
    gex_chain_free(c);
}
END_TEST

START_TEST(test_json_polygon_spots_differ_warned)
{
    const char doc[] =
        "{\"results\":[{\"details\":{\"contract_type\":\"put\",\"expiration_date\":\"2030-01-18\","
        "\"strike_price\":95,\"ticker\":\"O:XYZ300118P00095000\"},\"open_interest\":10,"
        "\"implied_volatility\":0.3,\"underlying_asset\":{\"ticker\":\"XYZ\",\"price\":101.25}},\n"
        "{\"details\":{\"contract_type\":\"call\",\"expiration_date\":\"2030-01-18\","
        "\"strike_price\":105,\"ticker\":\"O:XYZ300118C00105000\"},\"open_interest\":20,"
        "\"implied_volatility\":0.28,\"underlying_asset\":{\"ticker\":\"XYZ\",\"price\":104.5}}],"
        "\"status\":\"OK\"}";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(read_both(doc, NULL, &c, &rep, &err), GEX_OK);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_double_eq(v.spot[1], 101.25);
    ck_assert_msg(strstr(rep.warning, "the spot differs between rows: XYZ is read at 101.25 (its "
                                      "first row's), but 1 rows say otherwise, the first on line "
                                      "2 (104.5)") != NULL,
                  "%s", rep.warning);
    gex_chain_free(c);
}
END_TEST

/* Every kind of bad result a Polygon snapshot can hold, one per line: skipped and counted by
 * reason with the line of the first (lenient), or the first one's error naming its place and
 * ticker (strict). */
START_TEST(test_json_polygon_bad_rows)
{
    const char doc[] =
        "{\"results\":[\n"
        "{\"details\":{\"contract_type\":\"call\",\"expiration_date\":\"2030-01-18\","
        "\"strike_price\":100,\"ticker\":\"O:XYZ300118C00100000\"},\"open_interest\":10,"
        "\"implied_volatility\":0.3,\"underlying_asset\":{\"ticker\":\"XYZ\",\"price\":101.25}},\n"
        "{\"details\":{\"contract_type\":\"straddle\",\"expiration_date\":\"2030-01-18\","
        "\"strike_price\":100},\"open_interest\":10,\"underlying_asset\":{\"ticker\":\"XYZ\"}},\n"
        "{\"details\":{\"contract_type\":\"put\",\"expiration_date\":\"2030-02-30\","
        "\"strike_price\":100},\"open_interest\":10,\"underlying_asset\":{\"ticker\":\"XYZ\"}},\n"
        "{\"details\":{\"contract_type\":\"put\",\"expiration_date\":\"2030-01-18\","
        "\"strike_price\":-5},\"open_interest\":10,\"underlying_asset\":{\"ticker\":\"XYZ\"}},\n"
        "{\"details\":{\"contract_type\":\"put\",\"expiration_date\":\"2030-01-18\","
        "\"strike_price\":95},\"open_interest\":\"many\",\"underlying_asset\":{\"ticker\":\"XYZ\"}}"
        ",\n"
        "{\"details\":{\"contract_type\":\"put\",\"expiration_date\":\"2030-01-18\","
        "\"strike_price\":95},\"open_interest\":5,\"last_quote\":{\"bid\":\"cheap\"},"
        "\"underlying_asset\":{\"ticker\":\"XYZ\"}},\n"
        "{\"details\":{\"contract_type\":\"put\",\"expiration_date\":\"2030-01-18\","
        "\"strike_price\":95},\"open_interest\":5,\"underlying_asset\":{\"price\":101.25}},\n"
        "{\"details\":{\"contract_type\":\"put\",\"expiration_date\":\"2030-01-18\","
        "\"strike_price\":95},\"open_interest\":5,\"underlying_asset\":{\"ticker\":\"XYZ\","
        "\"price\":101.25}}],\"status\":\"OK\"}";
    const gex_read_options o = {0};
    gex_chain *c =
        expect_bad_rows(doc, &o, 2,
                        (const long[GEX_SKIP_REASON_COUNT]){[GEX_SKIP_BAD_TYPE] = 3,
                                                            [GEX_SKIP_BAD_EXPIRATION] = 4,
                                                            [GEX_SKIP_BAD_STRIKE] = 5,
                                                            [GEX_SKIP_BAD_OPEN_INTEREST] = 6,
                                                            [GEX_SKIP_BAD_NUMBER] = 7,
                                                            [GEX_SKIP_BAD_SYMBOL] = 8},
                        3,
                        "results[1] (no ticker): \"details.contract_type\" \"straddle\" is "
                        "neither \"call\" nor \"put\"");
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_str_eq(gex_chain_symbol(c, v.root[1]), "XYZ"); /* no ticker: the underlying's */
    ck_assert_int_eq(v.type[1], GEX_PUT);
    gex_chain_free(c);
}
END_TEST

/* --- every kind of bad contract of the other JSON layouts, one per line --- */

START_TEST(test_json_opc_bad_rows)
{
    static const char doc[] =
        "{\"options\":{\"2026-02-11\":{\"c\":{\n"
        "\"500.00\":{\"oi\":2,\"l\":192.08,\"b\":190.92,\"a\":193.73,\"v\":0},\n"
        "\"505.00\":{\"oi\":-2,\"b\":1,\"a\":2},\n"
        "\"x\":{\"oi\":2,\"b\":1,\"a\":2},\n"
        "\"510.00\":{\"oi\":2,\"b\":\"bid\",\"a\":2}},\n"
        "\"q\":{\"515.00\":{\"oi\":1,\"b\":1,\"a\":2}},\n"
        "\"p\":{\"500.00\":{\"oi\":3,\"b\":0.5,\"a\":0.7}}},\n"
        "\"2026-02-30\":{\"c\":{\"500.00\":{\"oi\":1,\"b\":1,\"a\":2}}}}}";
    const gex_read_options o = {.symbol = "SPY", .spot = 690};
    gex_chain_free(
        expect_bad_rows(doc, &o, 2,
                        (const long[GEX_SKIP_REASON_COUNT]){[GEX_SKIP_BAD_OPEN_INTEREST] = 3,
                                                            [GEX_SKIP_BAD_STRIKE] = 4,
                                                            [GEX_SKIP_BAD_NUMBER] = 5,
                                                            [GEX_SKIP_BAD_TYPE] = 6,
                                                            [GEX_SKIP_BAD_EXPIRATION] = 8},
                        3,
                        "options[\"2026-02-11\"][\"c\"][\"505.00\"]: \"oi\" -2 is out of "
                        "range (0 to 1000000000)"));
}
END_TEST

START_TEST(test_json_ibkr_bad_rows)
{
    static const char doc[] =
        "{\"quotes\":[\n"
        "{\"ticker\":\"PBI\",\"expiry_date\":\"2026-05-15\",\"strike\":15,\"option_type\":\"call\","
        "\"bid\":1.2,\"ask\":1.3,\"open_interest\":10,\"under_price\":15.34,\"snapshot_timestamp\":"
        "\"2026-04-22T15:54:11Z\"},\n"
        "{\"ticker\":\"\",\"expiry_date\":\"2026-05-15\",\"strike\":15,\"option_type\":\"call\","
        "\"open_interest\":10},\n"
        "{\"ticker\":\"PBI\",\"expiry_date\":\"2026-05-15\",\"strike\":15,\"option_type\":"
        "\"straddle\",\"open_interest\":10},\n"
        "{\"ticker\":\"PBI\",\"expiry_date\":\"May "
        "15\",\"strike\":15,\"option_type\":\"P\",\"open_interest\":10},\n"
        "{\"ticker\":\"PBI\",\"expiry_date\":\"2026-05-15\",\"strike\":0,\"option_type\":\"P\","
        "\"open_interest\":10},\n"
        "{\"ticker\":\"PBI\",\"expiry_date\":\"2026-05-15\",\"strike\":15,\"option_type\":\"P\","
        "\"bid\":\"1,2\",\"open_interest\":10},\n"
        "{\"ticker\":\"PBI\",\"expiry_date\":\"2026-05-15\",\"strike\":15,\"option_type\":\"P\","
        "\"open_interest\":-1},\n"
        "{\"ticker\":\"PBI\",\"expiry_date\":\"2026-05-15\",\"strike\":14,\"option_type\":\"P\","
        "\"bid\":0.5,\"ask\":0.6,\"open_interest\":5,\"under_price\":15.34}]}";
    const gex_read_options o = {0};
    gex_chain_free(
        expect_bad_rows(doc, &o, 2,
                        (const long[GEX_SKIP_REASON_COUNT]){[GEX_SKIP_BAD_SYMBOL] = 3,
                                                            [GEX_SKIP_BAD_TYPE] = 4,
                                                            [GEX_SKIP_BAD_EXPIRATION] = 5,
                                                            [GEX_SKIP_BAD_STRIKE] = 6,
                                                            [GEX_SKIP_BAD_NUMBER] = 7,
                                                            [GEX_SKIP_BAD_OPEN_INTEREST] = 8},
                        3, "quotes[1]: \"ticker\" \"\" is not an underlying's name"));
}
END_TEST

START_TEST(test_json_tradier_bad_rows)
{
    static const char doc[] =
        "{\"options\":{\"option\":[\n"
        "{\"symbol\":\"SPY240322C00510000\",\"underlying\":\"SPY\",\"option_type\":\"call\","
        "\"expiration_date\":\"2024-03-22\",\"strike\":510.0,\"bid\":3.15,\"ask\":3.19,\"open_"
        "interest\":8213,\"bid_date\":1710532800000},\n"
        "{\"symbol\":\"SPY240322X00510000\",\"option_type\":\"straddle\",\"expiration_date\":"
        "\"2024-03-22\",\"strike\":510.0,\"open_interest\":1},\n"
        "{\"option_type\":\"put\",\"expiration_date\":\"2024-13-22\",\"strike\":510.0,\"open_"
        "interest\":1},\n"
        "{\"option_type\":\"put\",\"expiration_date\":\"2024-03-22\",\"strike\":-1,\"open_"
        "interest\":1},\n"
        "{\"symbol\":\"SPY240322P00500000\",\"bid\":\"x\",\"open_interest\":1},\n"
        "{\"symbol\":\"SPY240322P00495000\",\"open_interest\":\"lots\"},\n"
        "{\"option_type\":\"put\",\"expiration_date\":\"2024-03-22\",\"strike\":490,\"open_"
        "interest\":1},\n"
        "{\"symbol\":\"SPY240322P00500000\",\"underlying\":\"SPY\",\"option_type\":\"put\","
        "\"expiration_date\":\"2024-03-22\",\"strike\":500,\"bid\":1,\"ask\":1.1,\"open_interest\":"
        "3}]}}";
    const gex_read_options o = {.spot = 509};
    gex_chain_free(expect_bad_rows(
        doc, &o, 2,
        (const long[GEX_SKIP_REASON_COUNT]){[GEX_SKIP_BAD_TYPE] = 3,
                                            [GEX_SKIP_BAD_EXPIRATION] = 4,
                                            [GEX_SKIP_BAD_STRIKE] = 5,
                                            [GEX_SKIP_BAD_NUMBER] = 6,
                                            [GEX_SKIP_BAD_OPEN_INTEREST] = 7,
                                            [GEX_SKIP_BAD_SYMBOL] = 8},
        3,
        "options.option[1] (SPY240322X00510000): \"option_type\" \"straddle\" is neither "
        "\"call\" nor \"put\""));
}
END_TEST

/* A pretty-printed record of the IBKR, OPC, Polygon and Tradier layouts with one bad field: the
 * strict error is at the field's own line, not where the record's object opens (line 3), and
 * names the field and its value. */
START_TEST(test_json_bad_field_at_its_line)
{
    static const struct {
        const char *doc, *said;
        long line;
    } cases[] = {
        {"{\"quotes\": [\n"
         " {\"ticker\": \"PBI\", \"expiry_date\": \"2026-05-15\", \"strike\": 15,\n"
         "  \"option_type\": \"call\",\n"
         "  \"bid\": \"1,2\",\n"
         "  \"open_interest\": 10}]}\n",
         "quotes[0]: \"bid\" \"1,2\" is not a number", 4},
        {"{\"quotes\": [\n"
         " {\"ticker\": \"PBI\", \"expiry_date\": \"2026-05-15\", \"strike\": 15,\n"
         "  \"option_type\": \"call\",\n"
         "  \"bid\": 1.2,\n"
         "  \"open_interest\": -1}]}\n",
         "quotes[0]: \"open_interest\" -1 is out of range (0 to 1000000000)", 5},
        {"{\"quotes\": [\n"
         " {\"ticker\": \"PBI\", \"expiry_date\": \"2026-05-15\", \"strike\": 15,\n"
         "  \"option_type\":\n"
         "   \"straddle\",\n"
         "  \"open_interest\": 10}]}\n",
         "quotes[0]: \"option_type\" \"straddle\" is not \"call\", \"put\", \"C\" or \"P\"", 4},
        {"{\"options\": {\"2026-02-11\": {\"c\": {\n"
         " \"500.00\":\n"
         "  {\"oi\": 2, \"l\": 192.08,\n"
         "   \"b\": 190.92,\n"
         "   \"a\": \"high\",\n"
         "   \"v\": 0}}}}}\n",
         "options[\"2026-02-11\"][\"c\"][\"500.00\"]: \"a\" \"high\" is not a number", 5},
        {"{\"options\": {\"2026-02-11\": {\"c\": {\n"
         " \"500.00\":\n"
         "  {\"l\": 192.08,\n"
         "   \"b\": 190.92,\n"
         "   \"oi\": 2.5e12}}}}}\n",
         "options[\"2026-02-11\"][\"c\"][\"500.00\"]: \"oi\" 2.5e12 is out of range (0 to "
         "1000000000)",
         5},
        {"{\"results\": [\n"
         " {\"details\": {\"contract_type\": \"call\", \"expiration_date\": \"2030-01-18\",\n"
         "   \"strike_price\": 100, \"ticker\": \"O:XYZ300118C00100000\"},\n"
         "  \"last_quote\": {\"bid\": 1.2,\n"
         "   \"ask\": [1.3]},\n"
         "  \"open_interest\": 10}]}\n",
         "results[0] (O:XYZ300118C00100000): \"last_quote.ask\" an array is not a number", 5},
        {"{\"results\": [\n"
         " {\"details\": {\"contract_type\": \"call\", \"expiration_date\": \"2030-01-18\",\n"
         "   \"strike_price\": 0, \"ticker\": \"O:XYZ300118C00100000\"},\n"
         "  \"open_interest\": 10}]}\n",
         "results[0] (O:XYZ300118C00100000): \"details.strike_price\" 0 is out of range (above 0 "
         "to 10000000)",
         3},
        {"{\"results\": [\n"
         " {\"details\": {\"contract_type\": \"call\",\n"
         "   \"expiration_date\": \"2030-02-30\", \"strike_price\": 100},\n"
         "  \"open_interest\": 10}]}\n",
         "results[0] (no ticker): \"details.expiration_date\" \"2030-02-30\" is not a date "
         "(\"2030-01-18\")",
         3},
        {"{\"options\": {\"option\": [\n"
         " {\"symbol\": \"SPY240322C00510000\", \"option_type\": \"call\",\n"
         "  \"expiration_date\": \"2024-03-22\", \"strike\": 510.0,\n"
         "  \"greeks\": {\"delta\": 0.5,\n"
         "   \"gamma\": \"g\"},\n"
         "  \"open_interest\": 8213}]}}\n",
         "options.option[0] (SPY240322C00510000): \"greeks.gamma\" \"g\" is not a number", 5},
        {"{\"options\": {\"option\": [\n"
         " {\"symbol\": \"SPY240322C00510000\", \"option_type\": \"call\",\n"
         "  \"expiration_date\": \"2024-03-22\", \"strike\": 510.0,\n"
         "  \"open_interest\":\n"
         "   \"lots\"}]}}\n",
         "options.option[0] (SPY240322C00510000): \"open_interest\" \"lots\" is not a number", 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* OPC names no underlying */
        const int opc = strncmp(cases[i].doc, "{\"options\": {\"2026", 18) == 0;
        gex_read_options o = {.strict = 1, .symbol = opc ? "SPY" : NULL, .spot = 100};
        gex_chain *c = NULL;
        gex_error err;
        char want[320];
        ck_assert_int_eq(read_both(cases[i].doc, &o, &c, NULL, &err), GEX_EPARSE);
        snprintf(want, sizeof want, "%s; fix the row, or read without --strict to skip bad rows",
                 cases[i].said);
        ck_assert_str_eq(err.text, want);
        ck_assert_int_eq(err.line, cases[i].line);
    }
}
END_TEST

/* --- CBOE without its wrapper, and with its symbol and spot after the options --- */

START_TEST(test_json_cboe_unwrapped_needs_now)
{
    const char doc[] =
        "{\"options\":[{\"option\":\"SPXW240322C05200000\",\"bid\":31.2,\"ask\":31.9,\"iv\":0.121,"
        "\"open_interest\":4210,\"volume\":12}],\"current_price\":5234.18,\"symbol\":\"_SPX\"}";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(read_both(doc, NULL, &c, &rep, &err), GEX_OK);
    ck_assert_int_eq(rep.format, GEX_FORMAT_CBOE_JSON);
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    ck_assert_str_eq(gex_chain_symbol(c, v.underlying[0]), "SPX");
    ck_assert_double_eq(v.spot[0], 5234.18);
    ck_assert_int_eq(gex_chain_prepare(c, NULL, NULL, &err), GEX_ENOTIME);
    expect_text(&err, "no \"timestamp\"");
    expect_text(&err, "--now");
    gex_chain_free(c);
    /* A timestamp that is a number, not CBOE's text: said so, not "no timestamp". */
    const char numeric[] =
        "{\"timestamp\":1695266262,\"data\":{\"options\":[{\"option\":\"SPXW240322C05200000\","
        "\"bid\":31.2,\"ask\":31.9,\"iv\":0.121,\"open_interest\":4210,\"volume\":12}],"
        "\"current_price\":5234.18,\"symbol\":\"_SPX\"}}";
    ck_assert_int_eq(read_both(numeric, NULL, &c, &rep, &err), GEX_OK);
    ck_assert_int_eq(gex_chain_prepare(c, NULL, NULL, &err), GEX_ENOTIME);
    expect_text(&err, "\"timestamp\" is not the text of an instant");
    gex_chain_free(c);
}
END_TEST

START_TEST(test_json_container_field_is_bad)
{
    /* A wanted field holding an object or an array is a field of the wrong kind, a bad row
     * (the open interest's bad_open_interest, a quote's bad_number), not an absent field: an
     * open interest {"a": 1} was read as none, 0, with a warning, even under --strict. Three
     * records: two such, one good; the records after the first repeat the first's members in
     * place (the known-members path) and in another order (the general one). */
    const char doc[] =
        "{\"options\":[{\"option\":\"SPXW240322C05200000\",\"bid\":31.2,\"ask\":31.9,"
        "\"iv\":0.121,\"open_interest\":{\"a\":1},\"volume\":12},\n"
        "{\"option\":\"SPXW240322C05210000\",\"bid\":[1],\"ask\":25.9,\"iv\":0.12,"
        "\"open_interest\":4210,\"volume\":12},\n"
        "{\"open_interest\":[],\"option\":\"SPXW240322C05220000\",\"bid\":20.2,\"ask\":20.9,"
        "\"iv\":0.119,\"volume\":12},\n"
        "{\"option\":\"SPXW240322C05230000\",\"bid\":15.2,\"ask\":15.9,\"iv\":0.118,"
        "\"open_interest\":3000,\"volume\":12}],\"current_price\":5234.18,\"symbol\":\"_SPX\"}";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(read_both(doc, NULL, &c, &rep, &err), GEX_OK);
    ck_assert_uint_eq(gex_chain_size(c), 1);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_OPEN_INTEREST], 2);
    ck_assert_uint_eq(rep.skipped[GEX_SKIP_BAD_NUMBER], 1);
    ck_assert_ptr_null(strstr(rep.warning, "no open interest"));
    gex_chain_free(c);
}
END_TEST

/* --- the real IBKR and OPC samples --- */

START_TEST(test_json_ibkr_real_refused_no_oi)
{
    const char *path = gex_test_shared("formats/ibkr-json_pbi_2026-04-22_delayed-no-oi.json");
    if (path == NULL) {
        printf("skipped: ../shared absent\n");
        return;
    }
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_path(path, NULL, &c, &rep, &err), GEX_EEMPTY);
    ck_assert_ptr_null(c);
    ck_assert_uint_eq(rep.rows, 348);
    expect_text(&err, "an IBKR snapshot file (quotes[]) whose 348 contracts all have no open "
                      "interest");
    expect_text(&err, "tick 101");
}
END_TEST

START_TEST(test_json_opc_real_needs_symbol_spot_now)
{
    const char *path = gex_test_shared("formats/opc-json_spy_2026-02-11_no-spot-no-iv.json");
    if (path == NULL) {
        printf("skipped: ../shared absent\n");
        return;
    }
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_path(path, NULL, &c, &rep, &err), GEX_EPARSE);
    expect_text(&err, "names no underlying; pass --symbol");
    gex_read_options o = {.symbol = "SPY"};
    ck_assert_int_eq(gex_chain_read_path(path, &o, &c, &rep, &err), GEX_EPARSE);
    expect_text(&err, "carries no spot price of SPY; pass --spot");
    o.spot = 693.0;
    ck_assert_int_eq(gex_chain_read_path(path, &o, &c, &rep, &err), GEX_OK);
    ck_assert_int_eq(rep.format, GEX_FORMAT_OPC_JSON);
    ck_assert_uint_eq(gex_chain_size(c), 12382);
    ck_assert_double_eq(oi_sum(c, GEX_CALL, NULL), 4836130);
    ck_assert_double_eq(oi_sum(c, GEX_PUT, NULL), 10863922);
    ck_assert_int_eq(gex_chain_prepare(c, NULL, NULL, &err), GEX_ENOTIME);
    expect_text(&err, "pass --now");
    gex_chain_free(c);
}
END_TEST

/* --- what the streaming reader refuses --- */

START_TEST(test_json_malformed_documents)
{
    static const struct {
        const char *doc, *words;
        long line;
        int status;
    } cases[] = {
        {"{\"data\":{\"options\":[{\"option\":\"SPX\",\"bid\":1", "ends early", 1, GEX_EPARSE},
        {"{\"data\":{\"options\":[{\"bid\":01}]}}", "a malformed number", 1, GEX_EPARSE},
        {"{\"data\":\n{\"options\":[{\"bid\":1.}]}}", "a malformed number", 2, GEX_EPARSE},
        {"{\"a\":\"x\ty\"}", "control character", 1, GEX_EPARSE},
        {"{\"a\":\"\\q\"}", "bad escape", 1, GEX_EPARSE},
        {"{\"a\":1}{", "more after the end", 1, GEX_EPARSE},
        {"{\"a\" 1}", "':' was expected", 1, GEX_EPARSE},
        {"{\"a\":tru}", "unexpected character", 1, GEX_EPARSE},
        {"{\"quote\":{\"x\":1},\"list\":[1,2]}", "its top-level keys are quote, list", 0,
         GEX_EFORMAT},
        {"{}", "its top-level keys are none", 0, GEX_EFORMAT},
        /* JSON, but not an object: said to be JSON of no layout, not "not JSON" */
        {"[]", "a JSON document of no chain layout gex reads: it is an array", 0, GEX_EFORMAT},
        {"[{\"strike\": 100},\n {\"strike\": 105}]\n", "it is an array", 0, GEX_EFORMAT},
        {" null\n", "a JSON document of no chain layout gex reads: it is null", 0, GEX_EFORMAT},
        {"\"x\"", "it is a string", 0, GEX_EFORMAT},
        {"[1] x", "no header of a CSV layout gex reads", 0, GEX_EFORMAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gex_chain *c = NULL;
        gex_error err;
        gex_read_report rep;
        int rc = read_both(cases[i].doc, NULL, &c, &rep, &err);
        ck_assert_msg(rc == cases[i].status, "case %zu: %d %s", i, rc, err.text);
        ck_assert_ptr_null(c);
        expect_text(&err, cases[i].words);
        ck_assert_int_eq(err.line, cases[i].line);
        ck_assert_str_eq(err.file, "t.json");
    }
    /* Containers nested past the limit. */
    char deep[1200];
    size_t n = 0;
    deep[n++] = '{';
    deep[n++] = '"';
    deep[n++] = 'a';
    deep[n++] = '"';
    deep[n++] = ':';
    for (int k = 0; k < 300; k++)
        deep[n++] = '[';
    deep[n] = '\0';
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_buffer(deep, n, "d.json", NULL, &c, NULL, &err), GEX_EPARSE);
    expect_text(&err, "nested more than 256 deep");
}
END_TEST

START_TEST(test_json_forced_format_must_match)
{
    gex_read_options o = {.format = GEX_FORMAT_TRADIER_JSON};
    gex_chain *c = NULL;
    gex_error err;
    gex_read_report rep;
    ck_assert_int_eq(read_both(schwab_doc, &o, &c, &rep, &err), GEX_EFORMAT);
    expect_text(&err, "the document is Schwab option-chain JSON, not tradier-json");
    gex_format f;
    ck_assert_int_eq(gex_format_parse("polygon-json", &f), GEX_OK);
    ck_assert_int_eq(f, GEX_FORMAT_POLYGON_JSON);
    ck_assert_str_eq(gex_format_name(GEX_FORMAT_SCHWAB_JSON), "schwab-json");
    /* A CSV given a JSON format: not JSON at all, and --input-format named, not asked for */
    o.format = GEX_FORMAT_CBOE_JSON;
    ck_assert_int_eq(read_both("strike,type\n100,C\n", &o, &c, &rep, &err), GEX_EPARSE);
    expect_text(&err, "the file is not JSON (an unexpected character 's'), so not cboe-json: "
                      "drop --input-format cboe-json");
    ck_assert_ptr_null(strstr(err.text, "pass --input-format"));
    /* JSON broken further on: the file is to be checked */
    ck_assert_int_eq(read_both("{\"data\": [1,", &o, &c, &rep, &err), GEX_EPARSE);
    expect_text(&err, "the JSON cannot be read (the document ends early");
    ck_assert_ptr_null(strstr(err.text, "--input-format"));
    /* nothing at all */
    ck_assert_int_eq(read_both(" \n", &o, &c, &rep, &err), GEX_EEMPTY);
    expect_text(&err, "the file is empty");
}
END_TEST

static Suite *json_formats_suite(void)
{
    Suite *s = suite_create("chain-json-formats");
    TCase *tc = tcase_create("layouts");
    tcase_add_test(tc, test_json_schwab_synthetic);
    tcase_add_test(tc, test_json_schwab_real_refused_no_oi);
    tcase_add_test(tc, test_json_schwab_bad_rows);
    tcase_add_test(tc, test_json_schwab_bad_field_named);
    tcase_add_test(tc, test_json_tradier_real_needs_spot);
    tcase_add_test(tc, test_json_tradier_single_option_object);
    tcase_add_test(tc, test_json_tradier_mini_options);
    tcase_add_test(tc, test_json_polygon_real_mock);
    tcase_add_test(tc, test_json_polygon_spots_differ_warned);
    tcase_add_test(tc, test_json_polygon_bad_rows);
    tcase_add_test(tc, test_json_opc_bad_rows);
    tcase_add_test(tc, test_json_ibkr_bad_rows);
    tcase_add_test(tc, test_json_tradier_bad_rows);
    tcase_add_test(tc, test_json_bad_field_at_its_line);
    tcase_add_test(tc, test_json_cboe_unwrapped_needs_now);
    tcase_add_test(tc, test_json_container_field_is_bad);
    tcase_add_test(tc, test_json_ibkr_real_refused_no_oi);
    tcase_add_test(tc, test_json_opc_real_needs_symbol_spot_now);
    tcase_add_test(tc, test_json_malformed_documents);
    tcase_add_test(tc, test_json_forced_format_must_match);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(json_formats_suite());
}
