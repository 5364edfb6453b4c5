/*
 * render-history.h: gex history's rows (gex/history.h snapshots with their series measures)
 * written as an aligned table, RFC 4180 CSV or JSON. Part of the rendering layer (render.h):
 * it never prints a message; it returns a gex_status and says why in a gex_error.
 */
#ifndef GEX_RENDER_HISTORY_H
#define GEX_RENDER_HISTORY_H

#include <stddef.h>
#include <stdio.h>

#include "gex/gex.h"
#include "render.h"

/* One row: a snapshot, its measures, and the file it came from. */
typedef struct gex__history_row {
    gex_snapshot snap;
    gex_history_metrics m;
    const char *file;
} gex__history_row;

/* What the title line and JSON meta say about the run. */
typedef struct gex__history_meta {
    size_t files;        /* files given (folders expanded): read + stored + failed + without */
    size_t files_read;   /* read this run */
    size_t files_stored; /* taken from the store */
    size_t files_failed; /* could not be read */
    size_t files_without_snapshot; /* read, or from the store, without a snapshot at --at */
    int has_at;                    /* --at given: at (UTC seconds) */
    int64_t at;
    size_t folders_failed; /* folders that could not be listed or hold no chain file */
    size_t duplicates;     /* snapshots dropped for a newer file of the same instant */
    const char *store;     /* the store's path, NULL without one */
    gex_gex_unit gex_unit; /* of net_gex */
    gex_flip_method flip_method;
    /* the carry asked for (--carry, and the flat --rate and --div, SPEC 1.2: each file's fits
     * are its own) and the exercise of the exposures (--exercise, SPEC 1.8) */
    gex_carry_mode carry;
    double rate, div;
    gex_exposure_exercise exercise;
} gex__history_meta;

/* The column names, in order (NULL-terminated), for messages and tests. */
extern const char *const gex__history_columns[];

/* One row as gex history --format json writes it (file null when r->file is NULL); NULL when
 * out of memory. The caller owns it. */
json_t *gex__history_row_json(const gex__history_row *r);

/* Writes rows[0..n) in format to out. Returns GEX_OK, GEX_ENOMEM, GEX_EIO (a write failed) or
 * GEX_ERANGE (a non-finite value, written as an empty cell or null), with err saying why. */
int gex__render_history(const gex__history_row *rows, size_t n, const gex__history_meta *meta,
                        gex__out_format format, FILE *out, gex_error *err);

#endif /* GEX_RENDER_HISTORY_H */
