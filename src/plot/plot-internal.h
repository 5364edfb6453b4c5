/*
 * Shared between the plot files: the number forms and labels of the charts (src/plot-label.c,
 * used by plot.c, plot-chart.c and plot-term.c) and the chart drawing entry point
 * (src/plot-chart.c), called by gex_plot_write (src/plot.c).
 */
#ifndef GEX_PLOT_INTERNAL_H
#define GEX_PLOT_INTERNAL_H

#include <cairo.h>

#include "gex/plot.h"

/* A price with thousands separators and at most two decimals, trailing zeros dropped:
 * "4,300", "4,302.5", "449.13"; below 10 the decimals of 4 significant digits, as the tables
 * write it (render-digits.h): "0.0005", "0.01234". */
char *gex__plot_format_price(double value, char *buf, size_t size);

/* A strike the same way, with every decimal it has up to 12 (render-digits.h): the rows of the
 * terminal's bars, which differ, never read alike. */
char *gex__plot_format_strike(double value, char *buf, size_t size);

/* The same with at most decimals decimals (0 to 12), for the ticks of an axis whose step is
 * finer than a cent: gex__plot_step_decimals(step) of them. */
char *gex__plot_format_price_dp(double value, int decimals, char *buf, size_t size);

/* The decimals a multiple of step needs to be written exactly (0 for 5, 1 for 0.5, 3 for
 * 0.025), at most 12; 0 for a step that is not a positive number. */
int gex__plot_step_decimals(double step);

/* A value tick on an axis of the given step, for people: K, M, B or T after |value| as
 * gex_plot_format_amount, with the decimals of the step in that unit and no trailing zeros
 * ("2B", "2.5B", "500M", "0.005"), so that ticks a step apart never read the same. */
char *gex__plot_format_tick(double value, double step, char *buf, size_t size);

/* The symbol as printable ASCII, other bytes as '?' (it comes from the file, and cairo refuses
 * text that is not UTF-8); "" for NULL. */
char *gex__plot_symbol(const char *symbol, char *buf, size_t size);

/* The quote instant in New York time, the way a desk reads it: "2023-09-14 16:15 EDT". */
char *gex__plot_format_instant(int64_t utc, char *buf, size_t size);

/* The net value of a row for a per-strike kind (gex, dex, vex, chex), and its call and put
 * parts. */
double gex__plot_row_net(const gex_strike_row *row, gex_plot_kind kind);
double gex__plot_row_call(const gex_strike_row *row, gex_plot_kind kind);
double gex__plot_row_put(const gex_strike_row *row, gex_plot_kind kind);

/* The unit of a kind's values for the axis ("USD of delta per 1% spot move", SPEC 1.5) in
 * currency (gex/currency.h; NULL: the dollar): buf (GEX_CURRENCY_TEXT_MAX bytes will do) or a
 * constant. */
const char *gex__plot_unit_in(gex_plot_kind kind, gex_gex_unit unit, const char *currency,
                              char *buf, size_t size);

/* Draws the chart described by options on cr, a page of width x height. The data has been
 * validated; lo and hi are the strike window. Returns GEX_OK or GEX_EEMPTY (err filled). */
int gex__plot_draw(cairo_t *cr, const gex_plot_data *data, const gex_plot_options *options,
                   double width, double height, double lo, double hi, gex_error *err);

/* One page of a chart in format, written to fp: creates the surface (title: the PDF's title
 * metadata), calls draw on it, finishes and writes it. Returns draw's status, or GEX_ENOMEM,
 * GEX_EINVAL (a surface cairo refused), GEX_EIO (a write failed), with err filled. */
int gex__plot_page(FILE *fp, gex_plot_format format, double width, double height, const char *title,
                   int (*draw)(cairo_t *, double, double, const void *, gex_error *),
                   const void *ctx, gex_error *err);

#endif /* GEX_PLOT_INTERNAL_H */
