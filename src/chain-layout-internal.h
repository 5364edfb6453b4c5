/*
 * chain-layout-internal.h: the layouts read whole (SPEC 2.8): detection from the first lines,
 * the input gathered in memory, and one reader per layout (src/chain-<layout>.c), all under the
 * entry points of chain-read.c. Not installed.
 */
#ifndef GEX_CHAIN_LAYOUT_INTERNAL_H
#define GEX_CHAIN_LAYOUT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "chain-csv-internal.h"
#include "chain-row-internal.h"

/* The largest input a whole-text layout is read from: these files are downloads of one chain
 * (kilobytes to a few megabytes); a larger one is refused rather than held in memory. */
#define GEX__LAYOUT_BYTES_MAX ((size_t)256 << 20)

/* The most fields a line of these layouts has (OptionsDX: 33). */
#define GEX__LAYOUT_FIELDS_MAX 64

/* In a reader's row loop (variables r and lineno, a label next: at the end of the loop body):
 * counts the bad row, or returns the strict mode's error. */
#define SKIP(reason, column, what)                                                                 \
    do {                                                                                           \
        int skip_rc_ = gex__reader_skip(r, (reason), lineno, (column), (what));                    \
        if (skip_rc_ != GEX_OK)                                                                    \
            return skip_rc_;                                                                       \
        goto next;                                                                                 \
    } while (0)

/* The same for a row that names its underlying (u, u_len; u_len 0 when it does not): a row of
 * another underlying than --symbol's is left out as such (gex__reader_skip_of). */
#define SKIP_OF(u, u_len, reason, column, what)                                                    \
    do {                                                                                           \
        int skip_rc_ = gex__reader_skip_of(r, (u), (u_len), (reason), lineno, (column), (what));   \
        if (skip_rc_ != GEX_OK)                                                                    \
            return skip_rc_;                                                                       \
        goto next;                                                                                 \
    } while (0)

/* Whether a format is one of the whole-text layouts. */
int gex__format_is_layout(gex_format format);

/* Looks for a whole-text layout in the first lines of the prefix (honouring options->format).
 * GEX_OK with det filled, GEX_EFORMAT without touching err when none is recognised and the
 * format is AUTO, or GEX_EFORMAT with err filled when the layout asked for is not there. */
int gex__detect_layout(gex__reader *r, const char *p, size_t len, int is_all, gex__detected *det);

/* Gathers the input (the prefix, then what next(data) gives, next NULL when the prefix is
 * all) and reads it with the layout's reader. */
int gex__read_layout(gex__reader *r, const gex__detected *det, const char *prefix, size_t len,
                     gex__pull_fn next, void *data);

/* The input whole: the prefix, then what next(data) gives (next NULL when the prefix is all),
 * in *out (malloc'd, the caller frees it) of *out_len bytes; what names the layout in the
 * refusal of an input over GEX__LAYOUT_BYTES_MAX. */
int gex__layout_gather(gex__reader *r, const char *what, const char *prefix, size_t len,
                       gex__pull_fn next, void *data, char **out, size_t *out_len);

/* A CBOE or long CSV with ';' between fields (det->semicolon) and a decimal comma or point
 * (chain-semicolon.c): gathered whole, rewritten as a comma CSV and read by gex__read_csv. */
int gex__read_semicolon(gex__reader *r, const gex__detected *det, const char *prefix, size_t len,
                        gex__pull_fn next, void *data);

/* The readers: text[0..len) is the whole input (after a BOM), det->header_line the line
 * detection found. Each returns GEX_OK or a status with r->err filled. */
int gex__read_barchart(gex__reader *r, const char *text, size_t len, const gex__detected *det);
int gex__read_nse(gex__reader *r, const char *text, size_t len, const gex__detected *det);
int gex__read_deribit(gex__reader *r, const char *text, size_t len, const gex__detected *det);
int gex__read_thinkorswim(gex__reader *r, const char *text, size_t len, const gex__detected *det);
int gex__read_cboe_legacy(gex__reader *r, const char *text, size_t len, const gex__detected *det);
int gex__read_optionsdx(gex__reader *r, const char *text, size_t len, const gex__detected *det);
int gex__read_optionmetrics(gex__reader *r, const char *text, size_t len, const gex__detected *det);

#endif /* GEX_CHAIN_LAYOUT_INTERNAL_H */
