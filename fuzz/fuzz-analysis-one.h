/*
 * One fuzz input from the file to the documents gex prints, shared by the libFuzzer target
 * (fuzz/fuzz-analysis.c) and the replay of its findings (tests/test-analysis-hostile.c).
 *
 * The first byte chooses the options (carry, IV source, exercise, flip method, the file's own
 * greeks, GEX unit, a fixed --now); the rest is the file, read leniently. Each underlying of a
 * chain that reads and prepares is analysed; every document is rendered in every format, as the
 * commands print them; every endpoint of the vendor's API that answers from one snapshot or a
 * series of them (gex serve's, SPEC 5) answers without parameters. What must hold (SPEC 3, "a
 * number gex prints is right, or gex says why"): an analysis or a document succeeds or fails
 * with a message, and neither fails because a computed value was not finite (GEX_ERANGE), which
 * a bounded input (SPEC 2.5) must not produce; an endpoint answers a document, or an error with a
 * status and a message but never the internal error that stands for a document that could not
 * be built; and no document holds nan or inf.
 */
#ifndef GEX_FUZZ_ANALYSIS_ONE_H
#define GEX_FUZZ_ANALYSIS_ONE_H

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "gex/gex.h"
#include "render.h"

/* Non-zero when text holds "nan" or "inf" as a word of its own, as C's printf writes a value that
 * is not finite ("-nan", "inf"; "infinity" too), which no document may print. Lower case only:
 * the readers upper-case every underlying and root, and a ticker may be NAN or INF (a Nuveen
 * fund is NAN), as may the root of its option symbols (INF240419C00100000). */
static inline int gex_fuzz_has_non_finite(const char *text, size_t len)
{
    for (size_t i = 0; i + 3 <= len; i++) {
        if (i > 0 && isalpha((unsigned char)text[i - 1]))
            continue;
        const int nan = memcmp(text + i, "nan", 3) == 0;
        const int inf = memcmp(text + i, "inf", 3) == 0;
        if (!nan && !inf)
            continue;
        size_t end = i + 3;
        if (inf && len - end >= 5 && memcmp(text + end, "inity", 5) == 0)
            end += 5;
        if (end == len || !isalpha((unsigned char)text[end]))
            return 1;
    }
    return 0;
}

/* Renders doc in format; 0 when the document is good or refused with a message, 1 when it is
 * not (a non-finite value, or a failure that says nothing). */
static inline int gex_fuzz_render_one(const gex__analysis *ga, gex__doc doc, gex__out_format format)
{
    gex__render_options ro = {.doc = doc, .format = format, .range_pct = 20, .points = 41};
    char *data = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&data, &len);
    if (out == NULL)
        return 0;
    gex_error err;
    gex_error_clear(&err);
    int st = gex__render(&ro, ga, out, &err);
    fclose(out);
    int bad = 0;
    if (st == GEX_ERANGE)
        bad = 1;
    else if (st != GEX_OK && st != GEX_ENOMEM && err.text[0] == '\0')
        bad = 1;
    else if (st == GEX_OK && gex_fuzz_has_non_finite(data, len))
        bad = 1;
    if (bad)
        fprintf(stderr, "fuzz-analysis: document %d, format %d: status %d (%s)\n%.*s\n", (int)doc,
                (int)format, st, err.text, (int)(len < 4000 ? len : 4000), data);
    free(data);
    return bad;
}

/* The series the endpoints over time read: n daily snapshots ending with the analysis's own,
 * the earlier ones a copy of it a day apart, their spots and open interest moved by factors
 * the input's bytes choose (up to e^(+-1/4) a day), and their measures. 0, or -1 out of memory
 * (nothing to free). */
static inline int gex_fuzz_series(const gex__analysis *ga, const uint8_t *data, size_t size,
                                  gex_snapshot **snaps, gex_history_metrics **metrics, size_t *n)
{
    *n = 1 + (size > 1 ? data[1] % 30 : 0);
    *snaps = calloc(*n, sizeof **snaps);
    *metrics = calloc(*n, sizeof **metrics);
    if (*snaps == NULL || *metrics == NULL ||
        gex_snapshot_from_analysis(ga->an, &(*snaps)[*n - 1]) != GEX_OK) {
        free(*snaps);
        free(*metrics);
        return -1;
    }
    for (size_t k = *n - 1; k-- > 0;) {
        gex_snapshot *s = &(*snaps)[k];
        *s = (*snaps)[k + 1];
        const double move = ((double)data[(2 + k) % size] - 128.0) / 512.0;
        s->quote_time -= 86400;
        s->spot *= exp(move);
        s->call_oi = floor(s->call_oi * exp(-move));
        s->put_oi = floor(s->put_oi * exp(move));
    }
    if (gex_history_metrics_compute(*snaps, *n, *metrics) != GEX_OK) {
        free(*snaps);
        free(*metrics);
        return -1;
    }
    return 0;
}

/* Every endpoint that answers from one snapshot or from a series of them, asked about ga without
 * parameters (the previous snapshot: ga itself; the series: gex_fuzz_series's); 0 when each
 * answers a document or a refusal with a status and a message, and no document holds nan or
 * inf. */
static inline int gex_fuzz_endpoints(const gex__analysis *ga, const uint8_t *data, size_t size)
{
    gex_snapshot *snaps = NULL;
    gex_history_metrics *metrics = NULL;
    size_t n_series = 0;
    if (gex_fuzz_series(ga, data, size, &snaps, &metrics, &n_series) != 0)
        return 0;
    const gex__api_series series = {n_series, snaps, metrics, NULL};
    size_t n = 0;
    const gex__api_endpoint *ep = gex__api_endpoints(&n);
    const gex__api_params none = {0};
    int bad = 0;
    for (size_t i = 0; i < n && !bad; i++) {
        if ((ep[i].need != GEX__API_NEED_ANALYSIS && ep[i].need != GEX__API_NEED_SERIES) ||
            ep[i].build == NULL)
            continue;
        const gex__api_input in = {
            .symbol = ga->symbol,
            .params = &none,
            .analysis = ga,
            .previous = ep[i].need == GEX__API_NEED_ANALYSIS ? ga : NULL,
            .series = ep[i].need == GEX__API_NEED_SERIES ? &series : NULL,
            .now = 1694723460,
        };
        gex__api_answer ans;
        memset(&ans, 0, sizeof ans);
        json_t *doc = ep[i].build(&in, &ans);
        char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (doc == NULL)
            bad = ans.status < 400 || ans.message[0] == '\0' ||
                  (ans.status == 500 && strcmp(ans.code, "internal_error") == 0);
        else
            bad = text == NULL || gex_fuzz_has_non_finite(text, strlen(text));
        if (bad)
            fprintf(stderr, "fuzz-analysis: %s (a series of %zu): status %u %s (%s)\n%.4000s\n",
                    ep[i].path, n_series, ans.status, ans.code, ans.message,
                    text != NULL ? text : "");
        free(text);
        json_decref(doc);
    }
    free(snaps);
    free(metrics);
    return bad;
}

/* Analyses one underlying's prepared chain and renders every document; 0 when all hold.
 * *analysed counts the analyses whose documents were all rendered. */
static inline int gex_fuzz_analyse_one(const char *name, gex_chain *chain,
                                       const gex_read_report *read,
                                       const gex_prepare_report *prepare,
                                       const gex_analysis_options *ao, const uint8_t *data,
                                       size_t size, size_t *analysed)
{
    gex_error err;
    gex_error_clear(&err);
    if (gex_chain_check_open_interest(chain, name, &err) != GEX_OK)
        return 0;
    gex_analysis *an = NULL;
    int st = gex_analysis_new(chain, ao, &an, &err);
    if (st != GEX_OK) {
        if (st == GEX_ERANGE || (st != GEX_ENOMEM && err.text[0] == '\0')) {
            fprintf(stderr, "fuzz-analysis: the analysis failed: status %d (%s)\n", st, err.text);
            return 1;
        }
        return 0;
    }
    gex__analysis ga;
    memset(&ga, 0, sizeof ga);
    ga.path = name;
    ga.chain = chain;
    ga.read = *read;
    ga.prepare = *prepare;
    ga.an = an;
    gex__analysis_fill(&ga);
    int bad = 0;
    for (int doc = GEX__DOC_GREEKS; doc <= GEX__DOC_VIX && !bad; doc++)
        for (int format = GEX__OUT_TABLE; format <= GEX__OUT_JSON && !bad; format++)
            bad = gex_fuzz_render_one(&ga, (gex__doc)doc, (gex__out_format)format);
    if (!bad)
        bad = gex_fuzz_endpoints(&ga, data, size);
    gex_analysis_free(an);
    *analysed += !bad;
    return bad;
}

/* 0 when the input holds every property above; *analysed (may be NULL) is increased by the
 * underlyings analysed and rendered, so that a test can tell that it reached the documents. */
static inline int gex_fuzz_analysis_one(const uint8_t *data, size_t size, size_t *analysed)
{
    size_t none = 0;
    if (analysed == NULL)
        analysed = &none;
    if (size < 1)
        return 0;
    const unsigned b = data[0];
    const char *name = "f";
    gex_chain *c = NULL;
    gex_read_report rep;
    gex_error err;
    if (gex_chain_read_buffer((const char *)data + 1, size - 1, name, NULL, &c, &rep, &err) !=
        GEX_OK)
        return 0;
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.carry = (b & 1) ? GEX_CARRY_PARITY : GEX_CARRY_FLAT;
    po.iv_mode = (gex_iv_mode)((b >> 1) % 3);
    if (b & 0x80) {
        po.has_now = 1;
        po.now = 1694723460; /* 2023-09-14T16:31:00-04:00 */
    }
    gex_prepare_report pr;
    gex_analysis_options ao;
    gex_analysis_options_default(&ao);
    ao.exposure.exercise = (gex_exposure_exercise)((b >> 3) % 3);
    ao.flip_method = (b & 0x20) ? GEX_FLIP_STRIKE : GEX_FLIP_PROFILE;
    ao.exposure.greeks_from_file = (b & 0x40) != 0;
    ao.exposure.gex_unit = (gex_gex_unit)((b >> 2) % 3);
    int bad = 0;
    if (gex_chain_prepare(c, &po, &pr, &err) == GEX_OK) {
        uint32_t ids[4];
        const size_t nu = gex_chain_underlyings(c, ids, 4);
        for (size_t k = 0; k < nu && k < 4 && !bad; k++) {
            gex_chain *one = NULL;
            if (gex_chain_select(c, gex_chain_symbol(c, ids[k]), &one) != GEX_OK)
                continue;
            bad = gex_fuzz_analyse_one(name, one, &rep, &pr, &ao, data, size, analysed);
            gex_chain_free(one);
        }
    }
    gex_chain_free(c);
    return bad;
}

#endif /* GEX_FUZZ_ANALYSIS_ONE_H */
