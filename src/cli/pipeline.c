/*
 * pipeline.c: the one way every command reads a chain: read, prepare (T, IV, statuses), check
 * that one underlying with a spot is left, compute exposures and levels. Messages for each
 * failure are printed here, once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* One stderr line for the rows the reader skipped (SPEC 2, lenient mode). */
static void report_skipped(gex__messages *to, const char *path, const gex_read_report *r)
{
    size_t total = 0;
    long first = 0;
    char reasons[512] = "";
    size_t len = 0;
    for (int i = 0; i < GEX_SKIP_REASON_COUNT; i++) {
        if (r->skipped[i] == 0)
            continue;
        total += r->skipped[i];
        if (r->first_line[i] > 0 && (first == 0 || r->first_line[i] < first))
            first = r->first_line[i];
        int w = snprintf(reasons + len, sizeof reasons - len, "%s%s %zu", len ? ", " : "",
                         gex_skip_reason_name(i), r->skipped[i]);
        if (w > 0 && (size_t)w < sizeof reasons - len)
            len += (size_t)w;
    }
    if (total == 0)
        return;
    gex__say(to, path, first, "skipped %zu of %zu rows (%s)%s; --strict makes a bad row an error",
             total, r->rows, reasons, first > 0 ? ", the first on this line" : "");
}

static int read_chain(gex__messages *to, const gex__options *opts, const char *path, FILE *fp,
                      gex_chain **chain, gex_read_report *read)
{
    gex_error err;
    gex_error_clear(&err);
    memset(read, 0, sizeof *read);
    *chain = NULL;
    const int st = fp != NULL ? gex_chain_read_file(fp, path, &opts->read, chain, read, &err)
                              : gex_chain_read_path(path, &opts->read, chain, read, &err);
    if (st != GEX_OK)
        return gex__report_to(to, st, &err, path);
    if (read->warning[0] != '\0')
        gex__say(to, path, 0, "warning: %s", read->warning);
    report_skipped(to, path, read);
    return GEX__EXIT_OK;
}

int gex__read(gex__messages *to, const gex__options *opts, const char *path, gex_chain **chain,
              gex_read_report *read)
{
    return read_chain(to, opts, path, NULL, chain, read);
}

int gex__read_stream(gex__messages *to, const gex__options *opts, const char *path, FILE *fp,
                     gex_chain **chain, gex_read_report *read)
{
    return read_chain(to, opts, path, fp, chain, read);
}

int gex__prepare(gex__messages *to, const gex__options *opts, const char *path, gex_chain *chain,
                 gex_prepare_report *prepare)
{
    gex_error err;
    gex_error_clear(&err);
    const int st = gex_chain_prepare(chain, &opts->prepare, prepare, &err);
    return st == GEX_OK ? GEX__EXIT_OK : gex__report_to(to, st, &err, path);
}

int gex__load(gex__messages *to, const gex__options *opts, const char *path, gex_chain **chain,
              gex_read_report *read, gex_prepare_report *prepare)
{
    int rc = gex__read(to, opts, path, chain, read);
    if (rc == GEX__EXIT_OK &&
        (rc = gex__prepare(to, opts, path, *chain, prepare)) != GEX__EXIT_OK) {
        gex_chain_free(*chain);
        *chain = NULL;
    }
    return rc;
}

int gex__analyze(gex__messages *to, const gex__options *opts, const char *path, gex_chain *chain,
                 const gex_read_report *read, const gex_prepare_report *prepare, int need_used,
                 gex__analysis *out)
{
    const int rc = gex__analyze_shared(to, opts, path, chain, read, prepare, need_used, out);
    out->chain = chain;
    out->owns_chain = 1;
    return rc;
}

int gex__analyze_shared(gex__messages *to, const gex__options *opts, const char *path,
                        const gex_chain *chain, const gex_read_report *read,
                        const gex_prepare_report *prepare, int need_used, gex__analysis *out)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    out->chain = (gex_chain *)chain; /* only gex__analyze's chain is freed (owns_chain) */
    out->read = *read;
    out->prepare = *prepare;
    gex_chain_view view;
    gex_chain_get_view(chain, &view);
    uint32_t id = 0;
    if (gex_chain_underlyings(chain, &id, 1) == 0 || view.n == 0) {
        gex__say(to, path, 0, "no contracts to compute");
        return GEX__EXIT_INPUT;
    }
    out->symbol = gex_chain_symbol(chain, id);
    if (!(view.spot[0] > 0.0)) {
        gex__say(to, path, 0, "%s: the file gives no spot price; give it with --spot", out->symbol);
        return GEX__EXIT_INPUT;
    }
    gex_error err;
    gex_error_clear(&err);
    const int st = gex_analysis_new(chain, &opts->analysis, &out->an, &err);
    if (st != GEX_OK) {
        gex__say(to, path, 0, "%s", err.text);
        return gex__exit_status(st);
    }
    gex__analysis_fill(out);
    if (out->totals.used == 0 && need_used) {
        char excluded[256];
        gex__excluded_text(&out->totals, excluded, sizeof excluded);
        gex__say(to, path, 0,
                 "%s: nothing usable: of %zu contracts none is left (excluded: %s; left "
                 "out by the filters: %zu)",
                 out->symbol, out->totals.contracts, excluded, out->totals.filtered);
        return GEX__EXIT_INPUT;
    }
    return GEX__EXIT_OK;
}

int gex__analyze_file(const gex__options *opts, const char *path, int need_used, gex__analysis *out)
{
    memset(out, 0, sizeof *out);
    gex_chain *chain = NULL;
    gex_read_report read;
    gex_prepare_report prepare;
    int rc = gex__load(NULL, opts, path, &chain, &read, &prepare);
    if (rc != GEX__EXIT_OK)
        return rc;
    uint32_t ids[8];
    const size_t n = gex_chain_underlyings(chain, ids, 8);
    if (n > 1) {
        char list[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < n && i < 8; i++) {
            const int w = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                   gex_chain_symbol(chain, ids[i]));
            if (w < 0 || (size_t)w >= sizeof list - len)
                break;
            len += (size_t)w;
        }
        gex__error(path, 0,
                   "the file holds %zu underlyings (%s%s): choose one with --symbol, or use "
                   "gex screen",
                   n, list, n > 8 ? ", ..." : "");
        gex_chain_free(chain);
        return GEX__EXIT_USAGE;
    }
    rc = gex__analyze(NULL, opts, path, chain, &read, &prepare, need_used, out);
    if (rc != GEX__EXIT_OK)
        gex__analysis_free(out);
    return rc;
}

void gex__analysis_free(gex__analysis *a)
{
    if (a == NULL)
        return;
    gex_analysis_free(a->an);
    if (a->owns_chain)
        gex_chain_free(a->chain);
    a->an = NULL;
    a->exposure = NULL;
    a->chain = NULL;
}
