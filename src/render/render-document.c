/*
 * render-document.c: the parts every document shares: the vendor's head (symbol,
 * underlying_price, as_of), meta added last, and the writing of a finished JSON document or
 * table. Above render-json.c (the writer, meta) and render-table.c; used by the files that
 * build documents (render-exposure.c, render-expiry.c).
 */
#include <stdio.h>
#include <string.h>

#include "render.h"

/* The vendor writes as_of with seven fractional digits ("2026-05-27T17:58:14.9303577Z", its
 * captures in shared/flashalpha: .NET's round-trip format); gex's instants are whole seconds,
 * so the fraction is ".0000000". UTC, as the vendor's. */
void gex__json_time(int64_t utc, char *buf, size_t size)
{
    char iso[40];
    gex_time_format_iso(utc, iso, sizeof iso);
    const size_t n = strlen(iso);
    if (n > 0 && iso[n - 1] == 'Z')
        iso[n - 1] = '\0';
    snprintf(buf, size, "%s.0000000Z", iso);
}

/* symbol, underlying_price, as_of: the head of every vendor document. */
json_t *gex__doc_head(const gex__analysis *a)
{
    char iso[48];
    gex__json_time(a->as_of, iso, sizeof iso);
    json_t *d = json_object();
    if (d == NULL)
        return NULL;
    int rc = gex__jset(d, "symbol", gex__jstr(a->symbol));
    rc |= gex__jset(d, "underlying_price", gex__jnum(a->spot));
    rc |= gex__jset(d, "as_of", gex__jstr(iso));
    if (rc != GEX_OK) {
        json_decref(d);
        return NULL;
    }
    return d;
}

/* Adds meta to a document under construction; returns it, or NULL (freed) when st says an
 * allocation failed. */
json_t *gex__doc_complete(const gex__analysis *a, json_t *d, int st)
{
    if (d != NULL && st == GEX_OK && gex__jset(d, "meta", gex__json_meta(a)) == GEX_OK)
        return d;
    json_decref(d);
    return NULL;
}

/* Writes and frees a document; NULL means building it failed. */
int gex__doc_write(json_t *d, FILE *out, gex_error *err)
{
    if (d == NULL)
        return gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory building the JSON document");
    const int st = gex__json_emit(d, out, err);
    json_decref(d);
    return st;
}

/* Writes and frees a table; rc says whether building it failed. */
int gex__table_finish(gex__table *t, int rc, gex__out_format format, const char *title, FILE *out,
                      gex_error *err)
{
    if (t == NULL || rc != GEX_OK) {
        gex__table_free(t);
        return gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory building the table");
    }
    const int st = gex__table_emit(t, format, title, out, err);
    gex__table_free(t);
    return st;
}
