/*
 * chain-layout-internal.h: the layouts read whole (SPEC 2.8): detection from the first lines,
 * the input gathered in memory, and one reader per layout (src/chain-<layout>.c), all under the
 * entry points of chain-read.c. Not installed.
 */
#ifndef GEX_CHAIN_LAYOUT_INTERNAL_H
#define GEX_CHAIN_LAYOUT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "chain-csv-internal.h"
#include "chain-row-internal.h"

/* The largest input a whole-text layout is read from: these files are downloads of one chain
 * (kilobytes to a few megabytes); a larger one is refused rather than held in memory. */
#define GEX__LAYOUT_BYTES_MAX ((size_t)256 << 20)

/* The most fields a line of these layouts has (OptionsDX: 33). */
#define GEX__LAYOUT_FIELDS_MAX 64

/* In a reader's row loop (variables r and lineno): counts the bad row, or returns the strict
 * mode's error, and goes to label. */
#define SKIP_TO(label, reason, column, what)                                                       \
    do {                                                                                           \
        int skip_rc_ = gex__reader_skip(r, (reason), lineno, (column), (what));                    \
        if (skip_rc_ != GEX_OK)                                                                    \
            return skip_rc_;                                                                       \
        goto label;                                                                                \
    } while (0)

/* The row is left out: a label next: at the end of the row loop's body. */
#define SKIP(reason, column, what) SKIP_TO(next, reason, column, what)

/* In a loop over the two sides of a row (calls, then puts), the side's contract is left out
 * and the loop goes on with the other side: a label next_side: at the end of that loop's body. */
#define SKIP_SIDE(reason, column, what) SKIP_TO(next_side, reason, column, what)

/* The same for a row that names its underlying (u, u_len; u_len 0 when it does not): a row of
 * another underlying than --symbol's is left out as such (gex__reader_skip_of). */
#define SKIP_OF(u, u_len, reason, column, what)                                                    \
    do {                                                                                           \
        int skip_rc_ = gex__reader_skip_of(r, (u), (u_len), (reason), lineno, (column), (what));   \
        if (skip_rc_ != GEX_OK)                                                                    \
            return skip_rc_;                                                                       \
        goto next;                                                                                 \
    } while (0)

/* The next data line of text[0..len) from *pos (gex__next_line), split at commas into
 * f[0..*n), *n at most GEX__LAYOUT_FIELDS_MAX; blank lines are passed over, and *lineno counts
 * every line read. Returns 0 at the end of the text, else 1. Inline: the readers sit under
 * chain-layout.c, and no file calls back into the one that calls it. */
static inline int gex__layout_row(const char *text, size_t len, size_t *pos, long *lineno,
                                  gex__span *f, size_t *n)
{
    gex__span line;
    while (gex__next_line(text, len, pos, &line)) {
        (*lineno)++;
        *n = gex__split_fields(line, ',', f, GEX__LAYOUT_FIELDS_MAX);
        if (*n == 1 && f[0].len == 0)
            continue;
        if (*n > GEX__LAYOUT_FIELDS_MAX)
            *n = GEX__LAYOUT_FIELDS_MAX;
        return 1;
    }
    return 0;
}

/* The underlying of a layout that names it only in its file name: --symbol when it is given
 * and fits, else what from_name (the layout's own, returning the length, 0 for none) finds in
 * r->name. Written to sym (GEX__FIELD_MAX + 1 bytes) and its length to *len: 0, or -1 when
 * neither names one (the reader says what to pass). */
static inline int gex__layout_symbol(const gex__reader *r,
                                     size_t (*from_name)(const char *name, char *out), char *sym,
                                     size_t *len)
{
    if (r->opt->symbol != NULL && strlen(r->opt->symbol) <= GEX__FIELD_MAX) {
        *len = strlen(r->opt->symbol);
        memcpy(sym, r->opt->symbol, *len + 1);
        return 0;
    }
    *len = from_name(r->name, sym);
    return *len > 0 ? 0 : -1;
}

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
