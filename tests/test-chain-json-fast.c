/*
 * The JSON reader's fast path (json-pull.c: gex__json_member reads a member of plain strings
 * and a scalar in one step; chain-json.c: the record's fields found by a hash of their keys;
 * chain-json-internal.h: short numbers read as one word) must give exactly what the reference
 * path gives, token by token through gex__json_next with the fields compared one by one and
 * every number through gex__read_number (gex__chain_read_file_libcsv asks every reader for its
 * reference path): the same contracts in the same order (every array compared bit for bit),
 * the same symbols, quotes and quote time, the same report (rows, counts, first line per
 * reason, warnings) and, lenient or strict, the same error (file, line, column, text).
 *
 * Inputs: every real JSON in ../shared/chains and ../shared/formats (read in place; "skipped:
 * ../shared absent" without them), the committed CBOE JSON of tests/data/chains, crafted CBOE
 * records, and random mutations of a CBOE document with what a tokenizer can get wrong: blanks
 * and newlines between and inside tokens, escapes in keys and values, long keys, duplicate
 * keys, nested objects and arrays in records, literals, exponents, long and negative numbers,
 * numeric strings, control characters, NUL bytes, bytes replaced or cut off; documents on one
 * line whose records change their members' order, drop or add members (the members read by
 * their position in the record before: gex__json_members_known); numbers of every form in a
 * wanted and an unused member. Each is read whole and in chunks of 4096, 61 and 7 bytes (a
 * token cut by the buffer's end goes to the general path).
 */
#include "gex-test.h"

#include <stdint.h>

#include "chain-read-same.h"
#include "splitmix64.h"

/* Reads fp both ways, lenient and strict, whole and in chunks of 4096, 61 and 7 bytes (each
 * chunk read into the tokenizer's buffer as it empties: members cut at every place, the fast
 * path between the cuts); returns the contracts of the lenient whole read (0 when it failed). */
static size_t check_fp(FILE *fp, const char *what)
{
    static const size_t chunks[] = {0, 4096, 61, 7};
    size_t contracts = 0;
    for (int strict = 0; strict < 2; strict++) {
        for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
            gex_read_options o;
            memset(&o, 0, sizeof o);
            o.strict = strict;
            outcome a, b;
            read_fp(fp, "chain.json", &o, 1, 0, chunks[k], &a);
            read_fp(fp, "chain.json", &o, 0, 0, chunks[k], &b);
            char label[512];
            snprintf(label, sizeof label, "%s (strict %d, chunk %zu)", what, strict, chunks[k]);
            assert_same(&a, &b, label);
            if (!strict && k == 0 && a.rc == GEX_OK)
                contracts = a.rep.contracts;
            gex_chain_free(a.chain);
            gex_chain_free(b.chain);
        }
    }
    return contracts;
}

static size_t check_buffer(const char *buf, size_t len, const char *what)
{
    FILE *fp = fmemopen((void *)buf, len, "rb");
    ck_assert_ptr_nonnull(fp);
    size_t n = check_fp(fp, what);
    fclose(fp);
    return n;
}

static int is_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

START_TEST(test_json_fast_path_real_files_same_chain)
{
    size_t contracts = 0;
    int files = check_shared_folder("chains", is_json, check_fp, &contracts) +
                check_shared_folder("formats", is_json, check_fp, &contracts);
    if (files == 0) {
        printf("skipped: ../shared absent\n");
        return;
    }
    /* CBOE in chains; IBKR, OPC, Polygon, Schwab and Tradier in formats (the READMEs). */
    ck_assert_int_ge(files, 6);
    ck_assert_uint_gt(contracts, 6000);
}
END_TEST

START_TEST(test_json_fast_path_committed_sample_same_chain)
{
    /* The committed CBOE JSON (tests/data/chains), read without ../shared. */
    FILE *fp = fopen(GEX_SOURCE_ROOT "/tests/data/chains/cboe-json.json", "rb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_gt(check_fp(fp, "cboe-json.json"), 0);
    fclose(fp);
}
END_TEST

/* --- crafted documents --- */

/* One CBOE record (fields in CBOE's order, unused ones between), for the crafted texts. */
static const char record_text[] =
    "{\"option\":\"SPXW261118C07140000\",\"bid\":325.10,\"bid_size\":7.0,\"ask\":361.50,"
    "\"ask_size\":7.0,\"iv\":0.4834,\"open_interest\":169.0,\"volume\":118.0,\"delta\":0.5312,"
    "\"gamma\":0.0012,\"theta\":-1.25,\"rho\":0.0,\"vega\":0.0,\"theo\":343.2984,\"change\":0.0,"
    "\"tick\":\"no_change\",\"last_trade_price\":345.20,"
    "\"last_trade_time\":\"2026-11-18T14:29:51\",\"percent_change\":0.0,"
    "\"prev_day_close\":345.199993896484}";

static void put(char **s, size_t *len, size_t *cap, const char *t, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *s = realloc(*s, *cap);
        ck_assert_ptr_nonnull(*s);
    }
    memcpy(*s + *len, t, n);
    *len += n;
    (*s)[*len] = '\0';
}

/* put() of a record whose OCC symbol (its first "SPXW261118", a type letter and 8 digits) gets
 * strike number k instead: records that are each their own contract, since the read keeps one
 * listing of a contract listed twice (SPEC 2.5). */
static void put_contract(char **s, size_t *len, size_t *cap, const char *t, int k)
{
    const size_t at = *len;
    put(s, len, cap, t, strlen(t));
    char *sym = strstr(*s + at, "SPXW261118");
    ck_assert_ptr_nonnull(sym);
    char digits[16];
    snprintf(digits, sizeof digits, "%08d", (1000 + k) * 1000);
    memcpy(sym + 11, digits, 8);
}

/* A CBOE document around the records text. */
static size_t check_records(const char *records, const char *what)
{
    char *doc = NULL;
    size_t len = 0, cap = 0;
    const char *head = "{\"timestamp\":\"2026-11-18 19:30:00\",\"symbol\":\"_SPX\",\"data\":{"
                       "\"current_price\":6512.25,\"options\":[";
    put(&doc, &len, &cap, head, strlen(head));
    put(&doc, &len, &cap, records, strlen(records));
    put(&doc, &len, &cap, "]}}\n", 4);
    size_t n = check_buffer(doc, len, what);
    free(doc);
    return n;
}

START_TEST(test_json_fast_path_crafted_records_same_chain)
{
    /* Each a record or two, the whole document read both ways. */
    static const char *const cases[] = {
        /* pretty-printed: blanks around every token, newlines between members */
        "{ \"option\" : \"SPXW261118P07140000\" , \"bid\" : 1.5 ,\n \"ask\":\t2.5,\r\n"
        "\"open_interest\" :\n 12 , \"iv\": 0.25 }",
        /* escapes in a key and in a value */
        "{\"option\":\"SPXW261118C07140000\",\"b\\u0069d\":1.25,\"ask\":\"2.5\",\"tick\":"
        "\"a\\\"b\","
        "\"open_interest\":3}",
        /* an escaped symbol, an escaped NUL in a numeric string */
        "{\"option\":\"SPXW261118C0714\\u00300000\",\"bid\":\"1\\u00005\",\"open_interest\":3}",
        /* duplicate keys: the last one counts */
        "{\"option\":\"SPXW261118C07140000\",\"bid\":1,\"bid\":2.75,\"open_interest\":4,"
        "\"open_interest\":5}",
        /* nested objects and arrays inside the record, literals */
        "{\"option\":\"SPXW261118C07140000\",\"greeks\":{\"delta\":0.5,\"x\":[1,{\"y\":null}]},"
        "\"bid\":true,\"ask\":false,\"iv\":null,\"open_interest\":7,\"list\":[]}",
        /* exponents, signs, long numbers, numbers of 8 and 9 bytes */
        "{\"option\":\"SPXW261118C07140000\",\"bid\":1.5e2,\"ask\":-0.25,\"iv\":0."
        "12345678901234567,"
        "\"delta\":1234.567,\"gamma\":12345.678,\"theo\":1E-3,\"open_interest\":1.0e1}",
        /* a 100-byte key, a 200-byte key, a key of 70 bytes before a nested object */
        "{\"option\":\"SPXW261118C07140000\",\"bid\":1,\"open_interest\":2,"
        "\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
        "kkkkkkkkkkkkkkkkk\":3,\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\":4,\"kkkkkkkkkkkkkkkkkkkkkkkkkk"
        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\":{\"bid\":9}}",
        /* a value longer than a field holds */
        "{\"option\":\"SPXW261118C07140000\",\"bid\":1,\"open_interest\":2,\"tick\":\""
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxx\",\"option\":\"SPXW261118C0714000000000000000000000000000000000"
        "00000000000000000000000000000000000000000000000000000000000000000000000000\"}",
        /* numeric strings and missing-value tokens */
        "{\"option\":\"SPXW261118C07140000\",\"bid\":\"NaN\",\"ask\":\"\",\"iv\":\"-\","
        "\"open_interest\":\"12\"}",
        /* errors: a control character in a string, a bad escape, a malformed number, a bad
         * literal, a missing colon, a missing comma, an unclosed record */
        "{\"option\":\"SPXW26\t1118C07140000\",\"bid\":1}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\":\"\\x\"}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\":01.5}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\":1.}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\":-}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\":nul}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\":truex}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\" 1}",
        "{\"option\":\"SPXW261118C07140000\" \"bid\":1}",
        "{\"option\":\"SPXW261118C07140000\",,\"bid\":1}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\":1,}",
        "{\"option\":\"SPXW261118C07140000\",bid:1}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\":1]",
        /* a key remembered unescaped must not match the raw bytes it unescapes to: an escaped
         * quote, then the quote raw (malformed); an escaped newline, then the newline raw (a
         * control character in a string) */
        "{\"option\":\"SPXW261118C07140000\",\"a\\\"b\":1,\"open_interest\":3},"
        "{\"option\":\"SPXW261118C07140000\",\"a\"b\":1,\"open_interest\":3}",
        "{\"option\":\"SPXW261118C07140000\",\"a\\nb\":1,\"open_interest\":3},"
        "{\"option\":\"SPXW261118C07140000\",\"a\nb\":1,\"open_interest\":3}",
        /* bad records: a symbol that is no OCC symbol, a number out of range, a negative open
         * interest, a record that is not an object */
        "{\"option\":\"SPX\",\"bid\":1,\"open_interest\":2}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\":1e300,\"open_interest\":2}",
        "{\"option\":\"SPXW261118C07140000\",\"bid\":1,\"open_interest\":-2}",
        "17",
        "null",
        "{}",
    };
    char what[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *records = NULL;
        size_t len = 0, cap = 0;
        /* a good record on each side, so that the case sits in the middle of a document */
        put(&records, &len, &cap, record_text, strlen(record_text));
        put(&records, &len, &cap, ",\n", 2);
        put(&records, &len, &cap, cases[i], strlen(cases[i]));
        put(&records, &len, &cap, ",", 1);
        put(&records, &len, &cap, record_text, strlen(record_text));
        snprintf(what, sizeof what, "crafted case %zu", i);
        check_records(records, what);
        free(records);
    }
    /* 2,000 records: several buffers of the tokenizer, every record kept */
    char *many = NULL;
    size_t len = 0, cap = 0;
    for (int k = 0; k < 2000; k++) {
        if (k > 0)
            put(&many, &len, &cap, k % 7 == 0 ? ",\n" : ",", k % 7 == 0 ? 2 : 1);
        put_contract(&many, &len, &cap, record_text, k);
    }
    ck_assert_uint_eq(check_records(many, "2,000 records"), 2000);
    free(many);
}
END_TEST

/* Records on one line (as CBOE writes them) whose members change from one record to the next:
 * the members read by their position in the record before must be read as the reference reads
 * them whatever changes. */
START_TEST(test_json_fast_path_member_order_changes_same_chain)
{
    static const char *const variants[] = {
        /* CBOE's record */
        record_text,
        /* the same members, two swapped (bid and ask), an unused one dropped */
        "{\"option\":\"SPXW261118P07140000\",\"ask\":12.5,\"bid\":11.25,\"iv\":0.21,"
        "\"open_interest\":11.0,\"volume\":3.0,\"delta\":-0.4,\"gamma\":0.002,\"theo\":12.0,"
        "\"tick\":\"up\",\"last_trade_price\":12.1,\"last_trade_time\":null}",
        /* keys that begin as the remembered ones do (bid_size at bid's place, open at
         * open_interest's), a key as remembered but for blanks around its colon, an escaped
         * key equal to a remembered one, unused members of every kind */
        "{\"option\":\"SPXW261118C07150000\",\"bid_size\":1.0,\"bid\":3.5,\"ask\" :4.5,"
        "\"iv\": 0.3,\"open\":0.0,\"open_interest\":2.0,\"volum\\u0065\":9.0,"
        "\"delta\":true,\"gamma\":false,\"theta\":null,\"rho\":[1,2],\"vega\":{\"x\":1},"
        "\"theo\":\"4.0\",\"change\":\"\",\"tick\":\"down\",\"last_trade_price\":4.25}",
        /* no members but two, then a member more than CBOE's */
        "{\"option\":\"SPXW261118C07160000\",\"open_interest\":5}",
        "{\"option\":\"SPXW261118C07170000\",\"bid\":325.10,\"bid_size\":7.0,\"ask\":361.50,"
        "\"ask_size\":7.0,\"iv\":0.4834,\"open_interest\":169.0,\"volume\":118.0,"
        "\"delta\":0.5312,\"gamma\":0.0012,\"theta\":-1.25,\"rho\":0.0,\"vega\":0.0,"
        "\"theo\":343.2984,\"change\":0.0,\"tick\":\"no_change\",\"last_trade_price\":345.20,"
        "\"last_trade_time\":\"2026-11-18T14:29:51\",\"percent_change\":0.0,"
        "\"prev_day_close\":345.199993896484,\"extra\":1}",
        /* a long key where a remembered one was, a key of 37 bytes (the longest remembered) */
        "{\"option\":\"SPXW261118C07180000\",\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\":1,"
        "\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\":2,\"ask\":361.50,\"open_interest\":1}",
    };
    const size_t n_variants = sizeof variants / sizeof variants[0];
    uint64_t seed = 0x6f726465726a736fu; /* "orderjso" */
    char *records = NULL;
    size_t len = 0, cap = 0;
    size_t n = 0; /* the records kept: all but the third variant's (its delta is true) */
    for (int k = 0; k < 600; k++) {
        /* mostly CBOE's record, remembered, and now and then another variant */
        size_t i = (gex_splitmix64(&seed) % 4 == 0 ? gex_splitmix64(&seed) : 0) % n_variants;
        if (k > 0)
            put(&records, &len, &cap, ",", 1);
        put_contract(&records, &len, &cap, variants[i], k);
        n += i != 2;
    }
    ck_assert_uint_eq(check_records(records, "records whose members change"), n);
    free(records);
}
END_TEST

/* A random number text: mostly well-formed (sign, integer part, fraction, exponent), of 1 to
 * about 25 bytes, so that numbers end on either side of a word, sometimes with one byte
 * changed into another a number may hold. */
static size_t number_text(uint64_t *seed, char *out)
{
    size_t n = 0;
    uint64_t r = gex_splitmix64(seed);
    if (r % 5 == 0)
        out[n++] = '-';
    r /= 5;
    size_t int_digits = 1 + (size_t)(r % 9);
    r /= 9;
    for (size_t i = 0; i < int_digits; i++, r /= 10)
        out[n++] = (char)('0' + (i == 0 && int_digits > 1 && r % 3 != 0 ? 1 + r % 9 : r % 10));
    uint64_t q = gex_splitmix64(seed);
    if (q % 4 != 0) {
        out[n++] = '.';
        size_t frac = 1 + (size_t)((q / 4) % 14);
        for (size_t i = 0; i < frac; i++)
            out[n++] = (char)('0' + (q >> (8 + 3 * i)) % 10);
    }
    q = gex_splitmix64(seed);
    if (q % 8 == 0) {
        out[n++] = q % 16 == 0 ? 'e' : 'E';
        if (q % 3 == 0)
            out[n++] = q % 6 == 0 ? '-' : '+';
        out[n++] = (char)('0' + (q >> 8) % 10);
    }
    q = gex_splitmix64(seed);
    if (q % 6 == 0) { /* a byte changed: a malformed number, or another well-formed one */
        static const char bytes[] = "0123456789.-+eE x,}";
        out[(q / 6) % n] = bytes[(q >> 20) % (sizeof bytes - 1)];
    }
    out[n] = '\0';
    return n;
}

/* Numbers of every form in a wanted member (bid) and an unused one (theta), in records on one
 * line: the word-at-a-time check of a number must accept and refuse exactly what scan_number
 * does, wherever the number sits against the words. */
START_TEST(test_json_fast_path_number_forms_same_chain)
{
    uint64_t seed = 0x6e756d6265727321u; /* "numbers!" */
    int ok = 0, failed = 0;
    for (int d = 0; d < 400; d++) {
        char *records = NULL;
        size_t len = 0, cap = 0;
        for (int k = 0; k < 3; k++) {
            char bid[64], theta[64], rec[1024];
            number_text(&seed, bid);
            number_text(&seed, theta);
            /* most documents keep the numbers well-formed but for one (the last record's) */
            snprintf(rec, sizeof rec,
                     "{\"option\":\"SPXW261118C0714%04d\",\"bid\":%s,\"bid_size\":7.0,"
                     "\"ask\":361.50,\"iv\":0.4834,\"open_interest\":169.0,\"theta\":%s,"
                     "\"theo\":343.2984,\"tick\":\"up\",\"last_trade_price\":%s}",
                     d % 10000, bid, theta, k == 2 ? "1.5" : bid);
            if (k > 0)
                put(&records, &len, &cap, ",", 1);
            put(&records, &len, &cap, rec, strlen(rec));
        }
        char what[64];
        snprintf(what, sizeof what, "number forms %d", d);
        if (check_records(records, what) > 0)
            ok++;
        else
            failed++;
        free(records);
    }
    ck_assert_int_gt(ok, 40);
    ck_assert_int_gt(failed, 40);
}
END_TEST

/* --- random mutations --- */

/* Replacements a mutation puts at a random place: what the fast path hands to the general
 * path, or what both must refuse alike. */
static const char *const inserts[] = {
    " ",
    "\n",
    "\r\n",
    "\t",
    "\\u0041",
    "\\\"",
    "\\n",
    "\\u0000",
    "\x01",
    "\x1f",
    "\"",
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    "null",
    "true",
    "false",
    "1e5",
    "-0",
    "0.5",
    "1234567.89",
    "\xc3\xa9",
    "\xff",
    "\"k\":1,",
    "\"bid\":",
    "\"open_interest\":0,",
    "{\"a\":{\"b\":1}}",
    "\"\"",
    "\\",
};

START_TEST(test_json_fast_path_mutations_same_chain)
{
    uint64_t seed = 0x6a736f6e66617374u; /* "jsonfast" */
    const size_t n_records = 6;
    int failed = 0, ok = 0;
    for (int m = 0; m < 300; m++) {
        char *records = NULL;
        size_t len = 0, cap = 0;
        for (size_t k = 0; k < n_records; k++) {
            if (k > 0)
                put(&records, &len, &cap, ",", 1);
            put(&records, &len, &cap, record_text, strlen(record_text));
        }
        /* one to four mutations: an insertion, a replaced byte, a deleted run, a cut */
        int mutations = 1 + (int)(gex_splitmix64(&seed) % 4);
        for (int u = 0; u < mutations; u++) {
            uint64_t r = gex_splitmix64(&seed);
            size_t at = (size_t)(r % len);
            r /= len;
            switch (r % 5) {
            case 0:
            case 1: { /* an insertion */
                const char *ins = inserts[(r / 5) % (sizeof inserts / sizeof inserts[0])];
                size_t n = strlen(ins);
                char *tail = strdup(records + at);
                ck_assert_ptr_nonnull(tail);
                len = at;
                put(&records, &len, &cap, ins, n);
                put(&records, &len, &cap, tail, strlen(tail));
                free(tail);
                break;
            }
            case 2: /* a replaced byte (never NUL: the text is a C string here) */
                records[at] = (char)(1 + (r / 5) % 255);
                break;
            case 3: { /* a deleted run of up to 8 bytes */
                size_t n = 1 + (r / 5) % 8;
                if (at + n > len)
                    n = len - at;
                memmove(records + at, records + at + n, len - at - n + 1);
                len -= n;
                break;
            }
            default: /* a cut */
                if (u == mutations - 1 && at > 0) {
                    records[at] = '\0';
                    len = at;
                }
                break;
            }
            if (len == 0)
                break;
        }
        char what[64];
        snprintf(what, sizeof what, "mutation %d", m);
        if (check_records(records, what) > 0)
            ok++;
        else
            failed++;
        free(records);
    }
    /* Both outcomes occur: the mutations reach the errors and the records. */
    ck_assert_int_gt(ok, 30);
    ck_assert_int_gt(failed, 30);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("chain-json-fast");
    TCase *tc = tcase_create("fast");
    tcase_add_test(tc, test_json_fast_path_real_files_same_chain);
    tcase_add_test(tc, test_json_fast_path_committed_sample_same_chain);
    tcase_add_test(tc, test_json_fast_path_crafted_records_same_chain);
    tcase_add_test(tc, test_json_fast_path_member_order_changes_same_chain);
    tcase_add_test(tc, test_json_fast_path_number_forms_same_chain);
    tcase_add_test(tc, test_json_fast_path_mutations_same_chain);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(suite());
}
