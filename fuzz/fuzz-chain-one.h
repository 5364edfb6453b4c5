/*
 * One fuzz input through the chain readers, shared by the libFuzzer target
 * (fuzz/fuzz-chain-read.c) and the replay of its findings (tests/test-fuzz-regressions.c).
 *
 * The first byte chooses the options (strict, format, --symbol, --spot, --iv-source); the rest
 * is the file. The same bytes read from a stream in chunks, and in ranges on several threads,
 * must give the same outcome; read as every snapshot, each snapshot what --at its instant reads. A
 * successful read must give a chain whose every array is sane and that prepares without nan or inf;
 * a failed read must leave no chain and say why.
 */
#ifndef GEX_FUZZ_CHAIN_ONE_H
#define GEX_FUZZ_CHAIN_ONE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gex/chain.h"
#include "../src/chain-internal.h"

/* Reads data from a stream (fmemopen) in chunks of 1 to 61 bytes (chosen by the size) and
 * compares with the read from memory: status, counts and every array. 0 when equal. */
static inline int gex_fuzz_same_from_stream(const uint8_t *data, size_t size,
                                            const gex_read_options *o, int rc_mem,
                                            const gex_chain *mem, const gex_read_report *rep_mem)
{
    FILE *fp = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (fp == NULL)
        return 0; /* not a check of gex */
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    int rc = gex__chain_read_file_chunked(fp, "fuzz", o, &c, &rep, &err, 1 + size % 61);
    fclose(fp);
    int bad = rc != rc_mem ? 20 : 0;
    if (!bad && rc == GEX_OK) {
        gex_chain_view a, b;
        gex_chain_get_view(mem, &a);
        gex_chain_get_view(c, &b);
        if (a.n != b.n || rep.rows != rep_mem->rows || rep.contracts != rep_mem->contracts ||
            memcmp(rep.skipped, rep_mem->skipped, sizeof rep.skipped) != 0 ||
            memcmp(rep.first_line, rep_mem->first_line, sizeof rep.first_line) != 0)
            bad = 21;
        for (size_t i = 0; i < a.n && !bad; i++)
            if (memcmp(&a.strike[i], &b.strike[i], sizeof a.strike[i]) != 0 ||
                a.expiration[i] != b.expiration[i] || a.settlement[i] != b.settlement[i] ||
                a.type[i] != b.type[i] || a.line[i] != b.line[i] ||
                memcmp(&a.bid[i], &b.bid[i], sizeof a.bid[i]) != 0 ||
                memcmp(&a.open_interest[i], &b.open_interest[i], sizeof a.open_interest[i]) != 0 ||
                memcmp(&a.file_iv[i], &b.file_iv[i], sizeof a.file_iv[i]) != 0)
                bad = 22;
        int64_t ta = 0, tb = 0;
        if (!bad && (gex_chain_quote_time(mem, &ta) != gex_chain_quote_time(c, &tb) || ta != tb))
            bad = 23;
    }
    gex_chain_free(c);
    return bad;
}

/* Reads data in ranges on 2 to 7 threads (ranges of 1 to 997 bytes, chunks of 1 to 61, chosen by
 * the size), and compares with the one-thread read from memory: status, error, report, symbols
 * and every array. 0 when equal. */
static inline int gex_fuzz_same_split(const uint8_t *data, size_t size, const gex_read_options *o,
                                      int rc_mem, const gex_chain *mem,
                                      const gex_read_report *rep_mem, const gex_error *err_mem)
{
    gex_read_options so = *o;
    so.threads = 2 + (int)(size % 6);
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    int rc = gex__chain_read_buffer_split((const char *)data, size, "fuzz", &so, &c, &rep, &err,
                                          1 + size % 997, 1 + size % 61, NULL);
    int bad = rc != rc_mem ? 24 : 0;
    if (!bad && rc != GEX_OK &&
        (err.line != err_mem->line || err.column != err_mem->column ||
         strcmp(err.text, err_mem->text) != 0))
        bad = 25;
    if (!bad && (rep.rows != rep_mem->rows || rep.contracts != rep_mem->contracts ||
                 rep.other_symbol != rep_mem->other_symbol ||
                 memcmp(rep.skipped, rep_mem->skipped, sizeof rep.skipped) != 0 ||
                 memcmp(rep.first_line, rep_mem->first_line, sizeof rep.first_line) != 0 ||
                 strcmp(rep.warning, rep_mem->warning) != 0))
        bad = 26;
    if (!bad && rc == GEX_OK) {
        gex_chain_view a, b;
        gex_chain_get_view(mem, &a);
        gex_chain_get_view(c, &b);
        size_t ns = gex_chain_symbol_count(mem);
        if (a.n != b.n || ns != gex_chain_symbol_count(c))
            bad = 27;
        for (uint32_t k = 0; k < ns && !bad; k++)
            if (strcmp(gex_chain_symbol(mem, k), gex_chain_symbol(c, k)) != 0)
                bad = 27;
        for (size_t i = 0; i < a.n && !bad; i++)
            if (a.underlying[i] != b.underlying[i] || a.root[i] != b.root[i] ||
                memcmp(&a.strike[i], &b.strike[i], sizeof a.strike[i]) != 0 ||
                a.expiration[i] != b.expiration[i] || a.settlement[i] != b.settlement[i] ||
                a.type[i] != b.type[i] || a.line[i] != b.line[i] ||
                memcmp(&a.bid[i], &b.bid[i], sizeof a.bid[i]) != 0 ||
                memcmp(&a.spot[i], &b.spot[i], sizeof a.spot[i]) != 0 ||
                memcmp(&a.open_interest[i], &b.open_interest[i], sizeof a.open_interest[i]) != 0 ||
                memcmp(&a.file_iv[i], &b.file_iv[i], sizeof a.file_iv[i]) != 0)
                bad = 28;
        int64_t ta = 0, tb = 0;
        if (!bad && (gex_chain_quote_time(mem, &ta) != gex_chain_quote_time(c, &tb) || ta != tb))
            bad = 29;
    }
    gex_chain_free(c);
    return bad;
}

/* Whether two chains hold the same symbols, quote instant and contracts (every array a reader
 * fills, bit for bit). */
static inline int gex_fuzz_same_chain(const gex_chain *x, const gex_chain *y)
{
    gex_chain_view a, b;
    gex_chain_get_view(x, &a);
    gex_chain_get_view(y, &b);
    const size_t ns = gex_chain_symbol_count(x);
    if (a.n != b.n || ns != gex_chain_symbol_count(y))
        return 0;
    for (uint32_t k = 0; k < ns; k++)
        if (strcmp(gex_chain_symbol(x, k), gex_chain_symbol(y, k)) != 0)
            return 0;
#define GEX_FUZZ_SAME(f) (a.n == 0 || memcmp(a.f, b.f, a.n * sizeof *a.f) == 0)
    if (!GEX_FUZZ_SAME(underlying) || !GEX_FUZZ_SAME(root) || !GEX_FUZZ_SAME(expiration) ||
        !GEX_FUZZ_SAME(settlement) || !GEX_FUZZ_SAME(strike) || !GEX_FUZZ_SAME(type) ||
        !GEX_FUZZ_SAME(bid) || !GEX_FUZZ_SAME(ask) || !GEX_FUZZ_SAME(last) ||
        !GEX_FUZZ_SAME(file_iv) || !GEX_FUZZ_SAME(open_interest) || !GEX_FUZZ_SAME(volume) ||
        !GEX_FUZZ_SAME(multiplier) || !GEX_FUZZ_SAME(spot) || !GEX_FUZZ_SAME(vendor_delta) ||
        !GEX_FUZZ_SAME(vendor_gamma) || !GEX_FUZZ_SAME(theo) || !GEX_FUZZ_SAME(line))
        return 0;
#undef GEX_FUZZ_SAME
    int64_t ta = 0, tb = 0;
    return gex_chain_quote_time(x, &ta) == gex_chain_quote_time(y, &tb) && ta == tb;
}

/* Reads data as its every snapshot (gex_chain_read_snapshots, one read cut into them) and
 * compares: a file of one snapshot (or one that fails before its snapshots are known) gives
 * what the plain read gives; a file of several (the plain read refused it) gives, for each, what
 * the read with --at its quote instant gives. 0 when so. */
static inline int gex_fuzz_same_snapshots(const uint8_t *data, size_t size,
                                          const gex_read_options *o, int rc_mem,
                                          const gex_chain *mem, const gex_read_report *rep_mem)
{
    gex_chain **snaps = NULL;
    gex_read_report *reps = NULL;
    size_t n = 0;
    gex_read_report rep;
    gex_error err;
    const int rc = gex__chain_read_buffer_snapshots((const char *)data, size, "fuzz", o, &snaps,
                                                    &reps, &n, &rep, &err);
    int bad = 0;
    if (rep_mem->snapshots <= 1) {
        if (rc != rc_mem)
            bad = 30;
        else if (rc == GEX_OK && (n != 1 || !gex_fuzz_same_chain(mem, snaps[0]) ||
                                  rep.contracts != rep_mem->contracts ||
                                  strcmp(rep.warning, rep_mem->warning) != 0))
            bad = 31;
    } else if (rc == GEX_OK) {
        if (n != rep_mem->snapshots)
            bad = 32;
        for (size_t j = 0; j < n && !bad; j++) {
            if (snaps[j] == NULL) { /* refused: its report says why */
                if (reps[j].status == GEX_OK)
                    bad = 35;
                continue;
            }
            gex_read_options at = *o;
            at.has_at = 1;
            gex_chain *one = NULL;
            gex_read_report rep_at;
            if (gex_chain_quote_time(snaps[j], &at.at) != GEX_OK ||
                gex_chain_read_buffer((const char *)data, size, "fuzz", &at, &one, &rep_at, &err) !=
                    GEX_OK ||
                !gex_fuzz_same_chain(one, snaps[j]))
                bad = 33;
            else if (rep_at.contracts != reps[j].contracts ||
                     strcmp(rep_at.warning, reps[j].warning) != 0)
                bad = 34;
            gex_chain_free(one);
        }
    }
    for (size_t j = 0; j < n; j++)
        gex_chain_free(snaps[j]);
    free(snaps);
    free(reps);
    return bad;
}

/* Returns 0 when every invariant holds, else the number of the broken one. */
static inline int gex_fuzz_chain_one(const uint8_t *data, size_t size)
{
    gex_read_options o;
    memset(&o, 0, sizeof o);
    int iv_mode = 0;
    if (size > 0) {
        uint8_t f = data[0];
        o.strict = f & 1;
        o.format = (gex_format)((f >> 1) % GEX_FORMAT_COUNT);
        if (f & 0x10)
            o.symbol = "SPX";
        if (f & 0x20)
            o.spot = 4505.1001;
        iv_mode = (f >> 6) % 3;
        data++;
        size--;
    }
    gex_chain *c = (gex_chain *)&o; /* must be replaced by NULL or a chain */
    gex_read_report rep;
    gex_error err;
    int rc = gex_chain_read_buffer((const char *)data, size, "fuzz", &o, &c, &rep, &err);
    /* The same bytes from a stream, read in small chunks, give the same outcome. */
    int stream_bad = size > 0 ? gex_fuzz_same_from_stream(data, size, &o, rc, c, &rep) : 0;
    if (stream_bad == 0 && size > 0)
        stream_bad = gex_fuzz_same_split(data, size, &o, rc, c, &rep, &err);
    if (stream_bad == 0)
        stream_bad = gex_fuzz_same_snapshots(data, size, &o, rc, c, &rep);
    if (stream_bad != 0) {
        gex_chain_free(rc == GEX_OK ? c : NULL);
        return stream_bad;
    }
    if (rc != GEX_OK)
        return c != NULL ? 1 : err.text[0] == '\0' ? 2 : 0;
    if (c == NULL)
        return 3;
    gex_chain_view v;
    gex_chain_get_view(c, &v);
    int bad = v.n == 0 || v.n != rep.contracts ? 4 : 0;
    for (size_t i = 0; i < v.n && !bad; i++) {
        if (!(v.strike[i] > 0 && isfinite(v.strike[i])))
            bad = 5;
        else if (!(v.open_interest[i] >= 0 && isfinite(v.open_interest[i])))
            bad = 6;
        else if (!(v.spot[i] > 0 && isfinite(v.spot[i])))
            bad = 7;
        else if (v.type[i] > 1)
            bad = 8;
        else if (gex_chain_symbol(c, v.underlying[i]) == NULL ||
                 gex_chain_symbol(c, v.root[i]) == NULL)
            bad = 9;
        else if (!(v.multiplier[i] > 0 && isfinite(v.multiplier[i])))
            bad = 10;
    }
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.has_now = 1;
    po.now = 1694723460; /* 2023-09-14T16:31:00-04:00 */
    po.iv_mode = (gex_iv_mode)iv_mode;
    gex_prepare_report pr;
    if (!bad && gex_chain_prepare(c, &po, &pr, &err) != GEX_OK)
        bad = 11;
    gex_chain_get_view(c, &v);
    for (size_t i = 0; i < v.n && !bad; i++) {
        if (!isfinite(v.T[i]) || !isfinite(v.iv[i]) || v.status[i] >= GEX_CONTRACT_STATUS_COUNT)
            bad = 12;
        else if (v.status[i] == GEX_CONTRACT_OK && !(v.iv[i] > 0))
            bad = 13;
    }
    uint32_t ids[4];
    size_t nu = gex_chain_underlyings(c, ids, 4);
    if (!bad && nu > 0) {
        gex_chain *s = NULL;
        if (gex_chain_select(c, gex_chain_symbol(c, ids[0]), &s) != GEX_OK || s == NULL)
            bad = 14;
        gex_chain_free(s);
    }
    if (!bad && nu > 0 && nu <= 4) {
        gex_chain *parts[4];
        size_t total = 0;
        if (gex_chain_split(c, parts, nu) != GEX_OK)
            bad = 15;
        for (size_t k = 0; k < nu && !bad; k++)
            total += gex_chain_size(parts[k]);
        if (!bad && total != v.n)
            bad = 16;
        for (size_t k = 0; k < nu; k++)
            gex_chain_free(parts[k]); /* NULL after a failed split */
    }
    gex_chain_free(c);
    return bad;
}

#endif /* GEX_FUZZ_CHAIN_ONE_H */
