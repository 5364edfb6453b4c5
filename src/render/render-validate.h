/*
 * render-validate.h: gex validate's report (SPEC 4), built in one of three modes from the
 * vendor's responses (gex/vendor.h), an analysis of the chain, or both, and written as text
 * (a table), per-item rows (CSV) or JSON. Part of the rendering layer (render.h): it never
 * prints a message; it returns a gex_status and says why in a gex_error.
 *
 * The modes:
 *   chain and vendor  the vendor's responses against gex's recomputation from the chain;
 *   chain only        the chain's own delta and gamma columns against gex's greeks from the
 *                     chain's IV, and the carry and time convention the columns fit best;
 *   vendor only       the vendor's levels against its own per-strike table.
 * A report is within tolerance when every hard check is; walls are soft: reported with the rank
 * of the vendor's strike in gex's, never failing it.
 */
#ifndef GEX_RENDER_VALIDATE_H
#define GEX_RENDER_VALIDATE_H

#include <stddef.h>
#include <stdio.h>

#include "gex/gex.h"
#include "render.h"

/* A report: the modes' builders make it, gex__render_validate writes it. */
typedef struct gex__validate_report gex__validate_report;

/* What the builders take besides the chain: the relative tolerance (--tol, > 0) and the
 * vendor's responses read (gex_vendor_read_path), each with the path it was read from, which
 * the report's notes and the builders' errors name. The caller owns them; the report keeps
 * no pointer to them. */
typedef struct gex__validate_input {
    double tol;
    const gex_vendor_response *const *vendor; /* n_vendor of them */
    const char *const *vendor_path;           /* n_vendor of them */
    size_t n_vendor;
} gex__validate_input;

/* The builders. Each makes *report (the caller frees it with gex__validate_report_free) and
 * returns GEX_OK, or returns with *report NULL and err saying why (its file the path at
 * fault, line 0): GEX_ENOTFOUND when the input lacks what the mode compares (vendor only: no
 * gex response among the vendor's; chain only: the chain has no delta or gamma column),
 * GEX_ENOMEM, or the status of the computation that failed (err names it).
 *
 * Vendor only: in->vendor (n_vendor >= 1) alone. */
int gex__validate_vendor_only(const gex__validate_input *in, gex__validate_report **report,
                              gex_error *err);
/* Chain and vendor: the vendor's responses against a, the analysis of the chain with levels
 * (analysed as the other commands analyse it). */
int gex__validate_chain_and_vendor(const gex__validate_input *in, const gex__analysis *a,
                                   gex__validate_report **report, gex_error *err);
/* Chain only (in->n_vendor 0): a, the analysis of a chain prepared with its own IV
 * (GEX_IV_MODE_FILE, as its greeks used), need not have used any contract. */
int gex__validate_chain_only(const gex__validate_input *in, const gex__analysis *a,
                             gex__validate_report **report, gex_error *err);

/* Whether every hard check of r is within the tolerance (gex validate's exit status 0; 1
 * otherwise). */
int gex__validate_within(const gex__validate_report *r);

/* Writes r to out in format: GEX__OUT_TABLE the text report, GEX__OUT_CSV one row per item
 * compared, GEX__OUT_JSON the document. Returns GEX_OK; for CSV and JSON GEX_EIO when a write
 * failed, GEX_ERANGE for a value that was not finite, GEX_ENOMEM (err says so); the text's
 * failed writes are its stream's closer's to report. */
int gex__render_validate(const gex__validate_report *r, gex__out_format format, FILE *out,
                         gex_error *err);

/* Frees a report; accepts NULL. */
void gex__validate_report_free(gex__validate_report *r);

#endif /* GEX_RENDER_VALIDATE_H */
