/*
 * Private to the levels, profile and regime code (src/levels.c, src/profile.c, src/regime.c).
 */
#ifndef GEX_LEVELS_INTERNAL_H
#define GEX_LEVELS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "gex/exposure.h"
#include "gex/levels.h"

/* The tie rule of SPEC 1.6 for an argmax: a candidate (score, strike) beats the best so far when
 * its score is larger, or equal with its strike nearer the spot, or as near and lower. */
int gex__levels_better(double score, double strike, double best_score, double best_strike,
                       double spot);

/* The index of the exposure's 0DTE expiration (the one on its quote date) in its breakdown
 * (gex_exposure_expiry_*), or gex_exposure_expiry_count when there is none. For the magnet
 * (src/levels.c) and the 0DTE block (src/regime.c). */
size_t gex__levels_zero_dte_index(const gex_exposure *exposure);

/* Walls, extremes and highest open interest of a table (out zeroed first; flip untouched).
 * GEX_OK or GEX_EINVAL (see gex_levels_from_rows). */
int gex__levels_table(const gex_strike_row *rows, size_t n, double spot, gex_levels *out);

/* The dealer book of an exposure, repriced at hypothetical spots x (IV, T, r, q held): the
 * included contracts gathered into structs of arrays. A delta book holds the batch inputs,
 * w_i = s_i OI_i M_i (s = +1 calls, -1 puts, SPEC 1.5) and a scratch array; a profile book
 * only the three constants per contract of the gamma kernel (src/profile.c). */
typedef enum gex__book_kind { GEX_BOOK_PROFILE = 0, GEX_BOOK_DELTA } gex__book_kind;

typedef struct gex__book {
    size_t n;
    double *block;                               /* owns the arrays below */
    double *K, *T, *sigma, *w, *scratch, *r, *q; /* r, q: each contract's carry */
    double *pa, *pb, *pc;
    uint8_t *type;
    double rate, div, spot;
    gex_gex_unit unit;
} gex__book;

/* Gathers the book from the exposure's chain (GEX_OK, GEX_EINVAL for a NULL exposure, GEX_ENOMEM,
 * GEX_ERANGE when a contract's kernel constants are not representable). gex__book_free accepts
 * a zeroed or half-built book. */
int gex__book_init(gex__book *book, const gex_exposure *exposure, gex__book_kind kind);
void gex__book_free(gex__book *book);

/* P(x) = u(x) sum_i w_i gamma_i(x), in the exposure's GEX unit (SPEC 1.6), on a profile book.
 * GEX_OK, or GEX_ERANGE when the result is not representable. */
int gex__book_gex(gex__book *book, double x, double *p);

/* D(x) = sum_i w_i delta_i(x): the dealer book's delta in shares, on a delta book. GEX_OK or
 * GEX_ERANGE. */
int gex__book_delta(gex__book *book, double x, double *d);

#endif /* GEX_LEVELS_INTERNAL_H */
