/*
 * gex/vendor.h: responses of the remote exposure API gex replaces, read into gex's own types
 * (doc/SPEC.md: the table of commands in section 3, "Command line", lists their shapes, which
 * gex's own gex, dex, vex, chex and levels documents keep; section 4, "Validation against
 * vendors", what validate does with them).
 *
 * Recognised from their keys, never from the file name:
 *   gex     net_gex + strikes[{strike, call_gex, put_gex, net_gex, call_oi, put_oi,
 *           call_volume, put_volume}] (+ gamma_flip)
 *   dex     net_dex + strikes[{strike, call_dex, put_dex, net_dex}], likewise vex and chex
 *   levels  levels{gamma_flip, max_positive_gamma, max_negative_gamma, call_wall, put_wall,
 *           highest_oi_strike, zero_dte_magnet}
 * Every response carries symbol, underlying_price and as_of. A level or gamma_flip that is JSON
 * null, or absent, is a gex_level with has = 0. Keys gex does not know are ignored.
 */
#ifndef GEX_VENDOR_H
#define GEX_VENDOR_H

#include <stddef.h>

#include "gex/error.h"
#include "gex/exposure.h"
#include "gex/levels.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gex_vendor_kind {
    GEX_VENDOR_GEX = 0,
    GEX_VENDOR_DEX,
    GEX_VENDOR_VEX,
    GEX_VENDOR_CHEX,
    GEX_VENDOR_LEVELS,
    GEX_VENDOR_KIND_COUNT
} gex_vendor_kind;

/* "gex", "dex", "vex", "chex", "levels"; NULL for an unknown value. */
const char *gex_vendor_kind_name(int kind);

typedef struct gex_vendor_response {
    gex_vendor_kind kind;
    char symbol[32];
    double underlying_price;
    char as_of[64];       /* as written by the vendor */
    double net;           /* the top-level net_gex, net_dex, net_vex or net_chex (0 for levels) */
    gex_level gamma_flip; /* gex and levels responses */
    gex_levels levels;    /* levels responses (flip_method GEX_FLIP_STRIKE, counts 0) */
    /* Per-strike rows, ascending strike (a strike listed twice is refused), of gex/dex/vex/chex
     * responses: the fields of the response's kind are filled (strike, call_X, put_X, net_X; for
     * gex also the open interest and volume), every other field is 0. NULL and 0 for levels.
     * Every number is at most 1e15 in magnitude and the underlying price above 0 (else
     * GEX_EFORMAT). */
    gex_strike_row *rows;
    size_t n_rows;
} gex_vendor_response;

/* Reads a vendor response from memory (len bytes; name is used in messages). Returns GEX_OK and
 * a new *out (free it with gex_vendor_free); GEX_EPARSE when the text is not JSON (err has the
 * line and column), GEX_EFORMAT when it is JSON but not a response gex recognises or a field
 * has the wrong type (err names the field, e.g. "strikes[12].call_gex"), GEX_EINVAL for NULL
 * arguments, GEX_ENOMEM. */
int gex_vendor_read_buffer(const char *buf, size_t len, const char *name, gex_vendor_response **out,
                           gex_error *err);

/* The same from a file; GEX_EIO when it cannot be read (err says why). */
int gex_vendor_read_path(const char *path, gex_vendor_response **out, gex_error *err);

/* Frees. Accepts NULL. */
void gex_vendor_free(gex_vendor_response *response);

#ifdef __cplusplus
}
#endif

#endif /* GEX_VENDOR_H */
