/*
 * chain-read-same.h: what the tests of the readers' fast paths share (test-chain-csv-fast.c,
 * test-chain-json-fast.c; test-chain-split.c compares with it too): one read of a file by the
 * fast or the reference path (gex__chain_read_file_libcsv asks every reader for its reference
 * path), the assertion that two reads gave the same outcome bit for bit, and the walk over the
 * real files of a shared folder.
 */
#ifndef GEX_TEST_CHAIN_READ_SAME_H
#define GEX_TEST_CHAIN_READ_SAME_H

#include <dirent.h>
#include <stdint.h>

#include "../src/chain-internal.h"
#include "gex-test.h"
#include "gex/chain.h"

typedef struct outcome {
    int rc;
    gex_chain *chain;
    gex_read_report rep;
    gex_error err;
} outcome;

/* Reads fp (rewound first) as the file name by the fast path or the reference path, in ranges
 * on two threads when split_min > 0, in chunks of chunk bytes when chunk > 0. */
static inline void read_fp(FILE *fp, const char *name, const gex_read_options *o, int reference,
                           size_t split_min, size_t chunk, outcome *out)
{
    memset(out, 0, sizeof *out);
    rewind(fp);
    if (reference)
        out->rc = gex__chain_read_file_libcsv(fp, name, o, &out->chain, &out->rep, &out->err,
                                              split_min, chunk);
    else
        out->rc = gex__chain_read_file_split(fp, name, o, &out->chain, &out->rep, &out->err,
                                             split_min, chunk, NULL);
}

#define SAME_ARRAY(field)                                                                          \
    ck_assert_msg(va.n == 0 || memcmp(va.field, vb.field, va.n * sizeof *va.field) == 0,           \
                  "%s: array " #field " differs", what)

/* a: the reference path, b: the fast path. The same status and error (file, line, column,
 * text), report, symbols and their quotes, quote time, and every array the reader fills. */
static inline void assert_same(const outcome *a, const outcome *b, const char *what)
{
    ck_assert_msg(a->rc == b->rc, "%s: status %d, reference %d (%s / %s)", what, b->rc, a->rc,
                  b->err.text, a->err.text);
    if (a->rc != GEX_OK) {
        ck_assert_msg(a->err.line == b->err.line && a->err.column == b->err.column,
                      "%s: error at %ld:%ld, reference %ld:%ld (%s)", what, b->err.line,
                      b->err.column, a->err.line, a->err.column, a->err.text);
        ck_assert_msg(strcmp(a->err.text, b->err.text) == 0, "%s: error \"%s\", reference \"%s\"",
                      what, b->err.text, a->err.text);
        ck_assert_str_eq(a->err.file, b->err.file);
    }
    const gex_read_report *ra = &a->rep, *rb = &b->rep;
    ck_assert_msg(ra->format == rb->format && ra->rows == rb->rows &&
                      ra->contracts == rb->contracts && ra->other_symbol == rb->other_symbol,
                  "%s: report counts differ (rows %zu/%zu, contracts %zu/%zu)", what, rb->rows,
                  ra->rows, rb->contracts, ra->contracts);
    for (int k = 0; k < GEX_SKIP_REASON_COUNT; k++)
        ck_assert_msg(ra->skipped[k] == rb->skipped[k] && ra->first_line[k] == rb->first_line[k],
                      "%s: skipped %s: %zu from line %ld, reference %zu from line %ld", what,
                      gex_skip_reason_name(k), rb->skipped[k], rb->first_line[k], ra->skipped[k],
                      ra->first_line[k]);
    ck_assert_msg(ra->iv_percent_rescaled == rb->iv_percent_rescaled &&
                      ra->has_quote_time == rb->has_quote_time,
                  "%s: report flags differ", what);
    ck_assert_msg(strcmp(ra->warning, rb->warning) == 0, "%s: warning \"%s\", reference \"%s\"",
                  what, rb->warning, ra->warning);
    if (a->rc != GEX_OK)
        return;
    gex_chain_view va, vb;
    gex_chain_get_view(a->chain, &va);
    gex_chain_get_view(b->chain, &vb);
    ck_assert_msg(va.n == vb.n, "%s: %zu contracts, reference %zu", what, vb.n, va.n);
    size_t ns = gex_chain_symbol_count(a->chain);
    ck_assert_msg(ns == gex_chain_symbol_count(b->chain), "%s: symbol count differs", what);
    for (uint32_t s = 0; s < ns; s++) {
        ck_assert_msg(strcmp(gex_chain_symbol(a->chain, s), gex_chain_symbol(b->chain, s)) == 0,
                      "%s: symbol %u is %s, reference %s", what, s, gex_chain_symbol(b->chain, s),
                      gex_chain_symbol(a->chain, s));
        gex_underlying_quote qa = gex_chain_underlying_quote(a->chain, s),
                             qb = gex_chain_underlying_quote(b->chain, s);
        ck_assert_msg(memcmp(&qa, &qb, sizeof qa) == 0, "%s: quote of symbol %u differs", what, s);
    }
    SAME_ARRAY(underlying);
    SAME_ARRAY(root);
    SAME_ARRAY(expiration);
    SAME_ARRAY(settlement);
    SAME_ARRAY(strike);
    SAME_ARRAY(type);
    SAME_ARRAY(bid);
    SAME_ARRAY(ask);
    SAME_ARRAY(last);
    SAME_ARRAY(file_iv);
    SAME_ARRAY(open_interest);
    SAME_ARRAY(volume);
    SAME_ARRAY(multiplier);
    SAME_ARRAY(spot);
    SAME_ARRAY(vendor_delta);
    SAME_ARRAY(vendor_gamma);
    SAME_ARRAY(theo);
    SAME_ARRAY(line);
    int64_t ta = 0, tb = 0;
    ck_assert_int_eq(gex_chain_quote_time(a->chain, &ta), gex_chain_quote_time(b->chain, &tb));
    ck_assert_msg(ta == tb, "%s: quote time differs", what);
    ck_assert_msg(strcmp(gex_chain_currency(a->chain), gex_chain_currency(b->chain)) == 0,
                  "%s: currency %s, one reader %s", what, gex_chain_currency(b->chain),
                  gex_chain_currency(a->chain));
}

/* Runs check on every file of the shared folder that want accepts, adding what it returns to
 * *contracts; returns the files checked (0 when ../shared is absent). */
static inline int check_shared_folder(const char *folder, int (*want)(const char *name),
                                      size_t (*check)(FILE *fp, const char *name),
                                      size_t *contracts)
{
    const char *dir = gex_test_shared(folder);
    if (dir == NULL)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!want(e->d_name))
            continue;
        char file[8192];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        FILE *fp = fopen(file, "rb");
        ck_assert_ptr_nonnull(fp);
        *contracts += check(fp, e->d_name);
        fclose(fp);
        files++;
    }
    closedir(d);
    return files;
}

#endif /* GEX_TEST_CHAIN_READ_SAME_H */
