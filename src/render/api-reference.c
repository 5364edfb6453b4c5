/*
 * api-reference.c: the vendor's reference endpoints as a folder of chain files answers them
 * (SPEC 5.4): GET /v1/options/{symbol} (the file's expirations, their strikes and contract
 * counts), /v1/tickers and /v1/symbols (the underlyings the folder holds) and /health.
 */
#include <stdlib.h>
#include <string.h>

#include "api-builders.h"
#include "gex/time.h"

typedef struct exp_strike {
    int32_t expiration;
    double strike;
} exp_strike;

static int cmp_exp_strike(const void *a, const void *b)
{
    const exp_strike *x = a, *y = b;
    if (x->expiration != y->expiration)
        return x->expiration < y->expiration ? -1 : 1;
    return (x->strike > y->strike) - (x->strike < y->strike);
}

static json_t *oom(gex__api_answer *ans)
{
    return gex__api_fail(ans, 500, "internal_error", "out of memory building the document");
}

/* One row per expiration of the file (gex_chain_expirations), in ascending order: its date,
 * its distinct strikes ascending, and (gex's own) its number of contracts, calls and puts. */
json_t *gex__api_options(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__analysis *a = in->analysis;
    if (a == NULL || a->chain == NULL)
        return gex__api_fail(ans, 500, "internal_error", "no chain was given to the builder");
    int32_t *days = NULL;
    size_t *counts = NULL, n_exp = 0;
    if (gex_chain_expirations(a->chain, &days, &counts, &n_exp) != GEX_OK)
        return oom(ans);
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    exp_strike *pairs = v.n > 0 ? malloc(v.n * sizeof *pairs) : NULL;
    json_t *rows = json_array();
    int rc = rows == NULL || (v.n > 0 && pairs == NULL);
    for (size_t i = 0; i < v.n && !rc; i++)
        pairs[i] = (exp_strike){v.expiration[i], v.strike[i]};
    if (!rc)
        qsort(pairs, v.n, sizeof *pairs, cmp_exp_strike);
    size_t total = 0, p = 0;
    for (size_t e = 0; e < n_exp && !rc; e++) {
        json_t *strikes = json_array();
        rc |= strikes == NULL;
        for (; p < v.n && pairs[p].expiration <= days[e] && !rc; p++) {
            if (pairs[p].expiration < days[e])
                continue;
            if (p > 0 && pairs[p - 1].expiration == days[e] &&
                pairs[p - 1].strike == pairs[p].strike)
                continue;
            rc |= json_array_append_new(strikes, gex__jnum(pairs[p].strike));
        }
        char date[16];
        gex_time_format_date(days[e], date, sizeof date);
        total += strikes != NULL ? json_array_size(strikes) : 0;
        json_t *row = json_pack("{s:s,s:o,s:I}", "expiration", date, "strikes", strikes,
                                "contracts", (json_int_t)counts[e]);
        rc |= row == NULL || json_array_append_new(rows, row) != 0;
    }
    free(pairs);
    free(days);
    free(counts);
    if (rc) {
        json_decref(rows);
        return oom(ans);
    }
    const size_t n_rows = json_array_size(rows);
    json_t *doc =
        json_pack("{s:s,s:o,s:I,s:I,s:I}", "symbol", in->symbol != NULL ? in->symbol : a->symbol,
                  "expirations", rows, "expiration_count", (json_int_t)n_rows, "total_contracts",
                  (json_int_t)total, "contracts", (json_int_t)v.n);
    if (doc == NULL || gex__jset(doc, "meta", gex__json_meta(a)) != GEX_OK) {
        json_decref(doc);
        return oom(ans);
    }
    json_t *meta = json_object_get(doc, "meta");
    if (gex__jset(meta, "gex_own", json_pack("[s,s]", "contracts", "expirations[].contracts")) !=
        GEX_OK) {
        json_decref(doc);
        return oom(ans);
    }
    return doc;
}

static int cmp_symbol(const void *a, const void *b)
{
    return strcmp(((const gex__api_folder_symbol *)a)->symbol,
                  ((const gex__api_folder_symbol *)b)->symbol);
}

/* The folder's symbols in alphabetical order (a copy: the folder is the caller's), or NULL. */
static gex__api_folder_symbol *sorted_symbols(const gex__api_folder *f)
{
    gex__api_folder_symbol *s = malloc((f->n > 0 ? f->n : 1) * sizeof *s);
    if (s == NULL)
        return NULL;
    if (f->n > 0)
        memcpy(s, f->symbol, f->n * sizeof *s);
    qsort(s, f->n, sizeof *s, cmp_symbol);
    return s;
}

static json_t *folder_symbols(const gex__api_folder_symbol *sym, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++)
        if (json_array_append_new(arr, gex__jstr(sym[i].symbol)) != 0) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static const gex__api_folder *folder_of(const gex__api_input *in, gex__api_answer *ans)
{
    if (in->folder == NULL)
        gex__api_fail(ans, 500, "internal_error", "no folder was given to the builder");
    return in->folder;
}

/* The underlyings with at least one snapshot in the folder, alphabetically. */
json_t *gex__api_tickers(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__api_folder *f = folder_of(in, ans);
    if (f == NULL)
        return NULL;
    gex__api_folder_symbol *sym = sorted_symbols(f);
    json_t *doc = sym == NULL ? NULL
                              : json_pack("{s:o,s:I}", "tickers", folder_symbols(sym, f->n),
                                          "count", (json_int_t)f->n);
    free(sym);
    return doc != NULL ? doc : oom(ans);
}

/* The symbols, as /v1/tickers, with the vendor's note and last_updated (the latest quote
 * instant of any file; null when no file has one), and in meta each symbol's snapshots and
 * the span of their quote instants (gex's own: the dashboard reads them). */
json_t *gex__api_symbols(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__api_folder *f = folder_of(in, ans);
    if (f == NULL)
        return NULL;
    int64_t last = 0;
    gex__api_folder_symbol *sym = sorted_symbols(f);
    json_t *detail = json_array();
    int rc = detail == NULL || sym == NULL;
    for (size_t i = 0; i < f->n && !rc; i++) {
        const gex__api_folder_symbol *s = &sym[i];
        char first_iso[32], last_iso[32];
        gex_time_format_iso(s->first_time, first_iso, sizeof first_iso);
        gex_time_format_iso(s->last_time, last_iso, sizeof last_iso);
        const int has_time = s->first_time != 0 || s->last_time != 0;
        if (s->last_time > last)
            last = s->last_time;
        rc |=
            json_array_append_new(
                detail, json_pack("{s:s,s:I,s:o,s:o}", "symbol", s->symbol, "snapshots",
                                  (json_int_t)s->snapshots, "first_quote_time",
                                  has_time ? gex__jstr(first_iso) : json_null(), "last_quote_time",
                                  has_time ? gex__jstr(last_iso) : json_null())) != 0;
    }
    /* The files that cannot be opened, each "NAME: REASON" (names as the log shows them, so
     * plain ASCII): apart from the files read that are no chain, since they need fixing. */
    json_t *unreadable = json_array();
    rc |= unreadable == NULL;
    for (size_t i = 0; i < f->files_unreadable && f->unreadable != NULL && !rc; i++)
        rc |= json_array_append_new(unreadable, gex__jstr(f->unreadable[i])) != 0;
    char note[320], last_iso[32];
    snprintf(note, sizeof note,
             "The underlyings of the chain files in gex serve's folder: %zu file%s indexed, %zu "
             "left out (not a chain gex reads), %zu unreadable (cannot be opened: "
             "meta.unreadable says why).",
             f->files, f->files == 1 ? "" : "s", f->files_left_out, f->files_unreadable);
    gex_time_format_iso(last, last_iso, sizeof last_iso);
    json_t *doc = rc ? NULL
                     : json_pack("{s:o,s:I,s:s,s:o,s:{s:I,s:I,s:I,s:o,s:o,s:[s]}}", "symbols",
                                 folder_symbols(sym, f->n), "count", (json_int_t)f->n, "note", note,
                                 "last_updated", last != 0 ? gex__jstr(last_iso) : json_null(),
                                 "meta", "files", (json_int_t)f->files, "files_left_out",
                                 (json_int_t)f->files_left_out, "files_unreadable",
                                 (json_int_t)f->files_unreadable, "unreadable", unreadable,
                                 "symbols", detail, "gex_own", "meta.symbols");
    free(sym);
    if (doc == NULL) {
        if (rc) {
            json_decref(detail);
            json_decref(unreadable);
        }
        return oom(ans);
    }
    return doc;
}

/* {"status":"Healthy"}: the server answers; meta says what its folder holds. */
json_t *gex__api_health(const gex__api_input *in, gex__api_answer *ans)
{
    const gex__api_folder *f = folder_of(in, ans);
    if (f == NULL)
        return NULL;
    json_t *doc = json_pack("{s:s,s:{s:I,s:I,s:I,s:I}}", "status", "Healthy", "meta", "symbols",
                            (json_int_t)f->n, "files", (json_int_t)f->files, "files_left_out",
                            (json_int_t)f->files_left_out, "files_unreadable",
                            (json_int_t)f->files_unreadable);
    return doc != NULL ? doc : oom(ans);
}
