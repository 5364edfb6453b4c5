/*
 * gex/plot.h: the exposure charts (per-strike GEX, DEX, VEX and CHEX bars, the GEX profile P(x),
 * a one-page dashboard) drawn with cairo to SVG, PNG or PDF, and the per-strike bars drawn with
 * block characters for a terminal.
 *
 * Drawing never computes an exposure: it takes a gex_plot_data, the numbers already computed
 * by gex/exposure.h and gex/levels.h, so a chart can be drawn from any source (a chain, a vendor
 * table, a test). gex_plot_data_fill() fills one from an analysis (gex/analysis.h).
 *
 * Units on the axes follow SPEC 1.5: GEX in USD of delta per 1% spot move (or per $1, or
 * shares, after the exposure's gex_unit), DEX in USD of delta notional, VEX in USD of delta per
 * vol point, CHEX in USD of delta per calendar day. Amounts are written for people: 1.25B,
 * -340.6M, 12.4K.
 */
#ifndef GEX_PLOT_H
#define GEX_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gex/analysis.h"
#include "gex/chain.h"
#include "gex/error.h"
#include "gex/exposure.h"
#include "gex/history.h"
#include "gex/levels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What to draw. */
typedef enum gex_plot_kind {
    GEX_PLOT_GEX = 0,   /* per-strike GEX bars, calls and puts, net line, levels marked */
    GEX_PLOT_DEX,       /* the same for DEX */
    GEX_PLOT_VEX,       /* the same for VEX */
    GEX_PLOT_CHEX,      /* the same for CHEX */
    GEX_PLOT_PROFILE,   /* P(x), the total GEX repriced at hypothetical spots, its zero crossing */
    GEX_PLOT_DASHBOARD, /* GEX bars, the profile and a panel of figures on one page */
    GEX_PLOT_HEATMAP,   /* net GEX by strike (columns) and expiration (rows), a colour a cell */
    GEX_PLOT_KIND_COUNT
} gex_plot_kind;

/* "gex", "dex", "vex", "chex", "profile", "dashboard", "heatmap"; NULL for an unknown value. */
const char *gex_plot_kind_name(int kind);
/* Parses a kind name (case-insensitive); GEX_OK or GEX_EINVAL. */
int gex_plot_kind_parse(const char *name, gex_plot_kind *kind);

/* Output formats. */
typedef enum gex_plot_format {
    GEX_PLOT_SVG = 0,
    GEX_PLOT_PNG,
    GEX_PLOT_PDF,
    GEX_PLOT_FORMAT_COUNT
} gex_plot_format;

/* "svg", "png", "pdf"; NULL for an unknown value. */
const char *gex_plot_format_name(int format);
/* The format named by a file's extension (.svg, .png, .pdf, any case). GEX_OK, or GEX_EINVAL
 * when path is NULL or its extension is none of them. */
int gex_plot_format_from_path(const char *path, gex_plot_format *format);

/* The numbers a chart shows. Every pointer is borrowed: the caller keeps what it points to
 * alive while drawing. Values must be finite (GEX_ERANGE otherwise). */
typedef struct gex_plot_data {
    const char *symbol;         /* underlying, for the title; NULL: none */
    double spot;                /* > 0 */
    int64_t quote_time;         /* UTC seconds, the quote instant shown in the title */
    gex_gex_unit unit;          /* the unit of the GEX columns */
    const gex_strike_row *rows; /* ascending strikes */
    size_t n_rows;
    gex_levels levels;       /* has == 0 marks a level that does not exist */
    const double *profile_x; /* ascending hypothetical spots, n_profile of them */
    const double *profile_p; /* P(x) in the GEX unit */
    size_t n_profile;        /* 0: no profile (the profile kind then fails with GEX_EEMPTY) */
    /* Two more curves of P on profile_x, drawn by the profile chart as the scripts traders copy
     * draw them: without the next expiration, and without the next monthly (third-Friday)
     * expiration; NULL when not computed (gex_plot_data_curves) or when there is no such
     * expiration (or the monthly is the next one). Their dates, days since 1970-01-01. */
    const double *profile_without_next, *profile_without_monthly;
    int32_t without_next_day, without_monthly_day;
    gex_exposure_totals totals; /* net_gex, net_dex, net_vex, net_chex, used, contracts */
    gex_regime regime;          /* the classifier, for the dashboard's panel */
    gex_zero_dte zero_dte;      /* the 0DTE block, for the dashboard's panel */
    /* The breakdown by expiration (gex_exposure_expiry_*), for the heatmap; NULL: none (the
     * heatmap kind then fails with GEX_EEMPTY). Its numbers are checked finite like the rows. */
    const gex_exposure *exposure;
    /* The currency of the amounts and strikes (gex_chain_currency, gex/currency.h), which the
     * labels name; NULL: GEX_CURRENCY_DEFAULT. */
    const char *currency;
} gex_plot_data;

/* Page sizes, in points (PDF) and pixels (SVG, CSS pixels; PNG, one pixel per point). */
#define GEX_PLOT_WIDTH            1000.0
#define GEX_PLOT_HEIGHT           600.0
#define GEX_PLOT_DASHBOARD_WIDTH  1280.0
#define GEX_PLOT_DASHBOARD_HEIGHT 800.0

typedef struct gex_plot_options {
    gex_plot_kind kind;
    double range_pct; /* strikes shown: spot +- range_pct percent; 0: automatic (below) */
    double width;     /* page width; 0: the kind's default above */
    double height;    /* page height; 0: the kind's default above */
} gex_plot_options;

/* kind gex, range automatic, default page size. */
void gex_plot_options_default(gex_plot_options *options);

/* The strike window of a chart: [spot (1 - range_pct/100), spot (1 + range_pct/100)]. With
 * range_pct 0, the narrowest of 2.5, 5, 7.5, 10, 15, 20, 30, 50 percent that holds at least
 * GEX_PLOT_AUTO_MIN_STRIKES strikes with open interest (the widest when none does). GEX_OK, or
 * GEX_EINVAL (spot not > 0, range_pct negative or not finite). */
#define GEX_PLOT_AUTO_MIN_STRIKES 24
int gex_plot_window(const gex_strike_row *rows, size_t n_rows, double spot, double range_pct,
                    double *lo, double *hi);

/* Fills *out from an analysis (gex/analysis.h): symbol, spot, quote instant, unit, rows, the
 * levels, totals, regime, the 0DTE block (all as the analysis computed them, nothing twice),
 * the exposure (its breakdown by expiration, for the heatmap), and P(x) at n_profile points evenly
 * spaced over the chart window (range_pct as in gex_plot_window), widened to take in the gamma flip
 * when there is one. profile_x and profile_p are caller-owned arrays of n_profile doubles
 * (n_profile >= 2, or 0 with both NULL for no profile; GEX_PROFILE_POINTS of gex/levels.h draws a
 * smooth curve). out borrows from the analysis: keep it alive while drawing. An analysis without
 * levels (no contract used) gives every level absent. Returns GEX_OK or the status of the first
 * computation that failed. */
int gex_plot_data_fill(const gex_analysis *analysis, double range_pct, double *profile_x,
                       double *profile_p, size_t n_profile, gex_plot_data *out);

/* Adds the profile chart's two other curves to data filled by gex_plot_data_fill from the same
 * analysis: P without the contracts of the next expiration used, and without those of the next
 * monthly expiration (the first used one that is a third Friday, when it is not the next one),
 * each computed on data->profile_x into caller-owned arrays of data->n_profile doubles. The
 * exposures are the analysis's, with that date excluded as --exclude-expiration does. Returns
 * GEX_OK (a curve whose expiration does not exist is left NULL), GEX_EINVAL, GEX_ENOMEM or
 * GEX_ERANGE. */
int gex_plot_data_curves(const gex_analysis *analysis, double *without_next,
                         double *without_monthly, gex_plot_data *data);

/* Draws a chart to a stream in the given format. GEX_OK; GEX_EINVAL (NULL, bad kind or format,
 * spot not > 0); GEX_ERANGE (a value is not finite); GEX_EEMPTY (no strike in the window, or no
 * profile for the profile kind; err says what to change); GEX_ENOMEM; GEX_EIO (the stream
 * refused a write). err may be NULL; its file name is left empty. */
int gex_plot_write(FILE *fp, gex_plot_format format, const gex_plot_data *data,
                   const gex_plot_options *options, gex_error *err);

/* The same to a file, the format from its extension (gex_plot_format_from_path). The chart is
 * written to a temporary file beside path (path.tmp-XXXXXX) and renamed over path only when it
 * is whole: on failure the temporary file is removed and a file path already named is left as
 * it was. A symbolic link stays a link (its target is replaced); a character device or a FIFO
 * is written directly. GEX_EIO also when path is a directory or a dangling link. err names the
 * path. */
int gex_plot_render(const char *path, const gex_plot_data *data, const gex_plot_options *options,
                    gex_error *err);

/* The n_strikes strikes nearest the spot as horizontal bars of block characters (UTF-8), one
 * line per strike, ascending, scaled to width columns: negative values grow left of a centre
 * axis, positive ones right, each line ending with the value written for people and the levels
 * at that strike (call wall, put wall, 0DTE magnet, max +/- gamma); a line marks where the spot
 * and the gamma flip fall between strikes, or, for one outside the strikes drawn, a line after
 * them says on which side it lies. kind picks the net column: gex, dex, vex or chex.
 * GEX_OK; GEX_EINVAL (NULL, kind not a per-strike one, width below GEX_PLOT_TERMINAL_MIN_WIDTH,
 * n_strikes 0); GEX_ERANGE (a value is not finite); GEX_EIO (the stream refused a write). No
 * strikes writes one line saying so. */
#define GEX_PLOT_TERMINAL_MIN_WIDTH 40
int gex_plot_terminal_bars(FILE *out, const gex_plot_data *data, gex_plot_kind kind,
                           size_t n_strikes, int width);

/* The history chart (gex plot --kind history) of one underlying's snapshots in ascending
 * quote_time order (gex/history.h): above, the spot as a line with the gamma flip and the call
 * and put walls over time (a level absent on a day leaves a gap); beneath, net GEX as bars
 * (above the axis positive, below negative) in unit. The time axis is the quote instants.
 * options: only width and height are read (0: GEX_PLOT_WIDTH x GEX_PLOT_HEIGHT; NULL: those).
 * GEX_OK; GEX_EINVAL (NULL, an unknown format, snapshots of several underlyings or currencies
 * or not in time order, a spot not > 0); GEX_EEMPTY (no snapshot); GEX_ERANGE (a value not finite);
 * GEX_ENOMEM; GEX_EIO. */
int gex_plot_history_write(FILE *fp, gex_plot_format format, const gex_snapshot *snapshots,
                           size_t n, gex_gex_unit unit, const gex_plot_options *options,
                           gex_error *err);

/* Releases the font caches that cairo and fontconfig keep for the life of the process once a
 * chart has drawn text. Call it at most once, at exit, when no other thread draws: a program
 * that does not call it is correct too, only leak checkers then report those caches. */
void gex_plot_release_caches(void);

/* Writes an amount for people into buf: three significant digits and a K, M, B or T suffix
 * ("1.25B", "-340M", "12.4K", "812"), with a leading '+' when plus_sign is non-zero and the
 * value is positive. Never nan or inf: a non-finite value writes "n/a". Returns buf. */
char *gex_plot_format_amount(double value, int plus_sign, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* GEX_PLOT_H */
