/*
 * plot-history.c: the history chart (gex_plot_history_write): one underlying over time, the
 * spot with its gamma flip and walls in the upper panel, net GEX as bars in the lower one, on a
 * shared time axis of quote instants.
 */
#include <cairo.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "gex/plot.h"
#include "gex/time.h"
#include "plot-internal.h"

typedef struct rgb {
    double r, g, b;
} rgb;

/* The palette of the other charts (plot-chart.c). */
static const rgb col_text = {0.10, 0.12, 0.16};
static const rgb col_muted = {0.40, 0.43, 0.48};
static const rgb col_grid = {0.89, 0.90, 0.92};
static const rgb col_axis = {0.55, 0.57, 0.60};
static const rgb col_spot = {0.10, 0.12, 0.16};
static const rgb col_flip = {0.48, 0.17, 0.75};
static const rgb col_call_wall = {0.05, 0.47, 0.30};
static const rgb col_put_wall = {0.75, 0.16, 0.17};
static const rgb col_pos = {0.16, 0.62, 0.56};
static const rgb col_neg = {0.91, 0.44, 0.32};

#define FONT        "DejaVu Sans"
#define SIZE_TITLE  18.0
#define SIZE_TICK   10.5
#define MARGIN_L    90.0 /* value labels */
#define MARGIN_R    24.0
#define MARGIN_T    64.0 /* title and legend */
#define MARGIN_B    40.0 /* dates */
#define GAP         18.0 /* between the panels */
#define PRICE_SHARE 0.68 /* of the plot height for the price panel */
#define Y_TICKS     5
#define X_TICKS     6
/* A price range narrower than this fraction of the price (of 1 at least) is flat: one price, or
 * the rounding of one, which no tick step can split; it is widened by FLAT_PAD of the price
 * (of 1 at least) each side so that the panel has a range to draw. */
#define FLAT_RANGE_REL 1e-9
#define FLAT_PAD       0.01

typedef struct hist_ctx {
    const gex_snapshot *s;
    size_t n;
    gex_gex_unit unit;
} hist_ctx;

static void colour(cairo_t *cr, rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static void text(cairo_t *cr, double x, double y, const char *s, double align)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - align * e.x_advance, y);
    cairo_show_text(cr, s);
}

/* 1, 2, 2.5 or 5 times a power of ten: the step of about target ticks over span. */
static double nice(double span, int target)
{
    const double raw = span / target;
    const double mag = pow(10.0, floor(log10(raw)));
    const double norm = raw / mag;
    return (norm <= 1.0   ? 1.0
            : norm <= 2.0 ? 2.0
            : norm <= 2.5 ? 2.5
            : norm <= 5.0 ? 5.0
                          : 10.0) *
           mag;
}

/* x of snapshot i: quote instants mapped linearly (one snapshot: the middle). */
static double x_of(const hist_ctx *h, size_t i, double x0, double w)
{
    const double t0 = (double)h->s[0].quote_time, t1 = (double)h->s[h->n - 1].quote_time;
    if (t1 <= t0)
        return x0 + 0.5 * w;
    return x0 + w * ((double)h->s[i].quote_time - t0) / (t1 - t0);
}

/* The radius of the dot that marks a lone point: a line needs two. */
#define DOT_RADIUS 3.5

static void dot(cairo_t *cr, double x, double y)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, DOT_RADIUS, 0.0, 2.0 * M_PI);
    cairo_fill(cr);
}

static const gex_level *level_at(const hist_ctx *h, size_t i, size_t offset)
{
    return (const gex_level *)((const char *)&h->s[i] + offset);
}

/* A level's line over time: a gap where it is absent, and a dot for a point with no neighbour
 * to draw a line to (one snapshot, or one between two gaps). */
static void level_line(cairo_t *cr, const hist_ctx *h, size_t offset, double x0, double w,
                       double y0, double ph, double lo, double hi, rgb c, double dash)
{
    colour(cr, c);
    cairo_set_line_width(cr, dash > 0.0 ? 1.4 : 1.8);
    cairo_set_dash(cr, &dash, dash > 0.0 ? 1 : 0, 0.0);
    int open = 0;
    for (size_t i = 0; i < h->n; i++) {
        const gex_level *l = level_at(h, i, offset);
        if (!l->has) {
            open = 0;
            continue;
        }
        const double x = x_of(h, i, x0, w), y = y0 + ph * (hi - l->value) / (hi - lo);
        if (open)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        open = 1;
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0.0);
    for (size_t i = 0; i < h->n; i++) {
        const gex_level *l = level_at(h, i, offset);
        if (l->has && (i == 0 || !level_at(h, i - 1, offset)->has) &&
            (i + 1 == h->n || !level_at(h, i + 1, offset)->has))
            dot(cr, x_of(h, i, x0, w), y0 + ph * (hi - l->value) / (hi - lo));
    }
}

static int draw(cairo_t *cr, double width, double height, const void *ctx, gex_error *err)
{
    const hist_ctx *h = ctx;
    (void)err;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    /* the price range: spot and every level present */
    double lo = h->s[0].spot, hi = lo, g = 0.0;
    for (size_t i = 0; i < h->n; i++) {
        const gex_snapshot *s = &h->s[i];
        const gex_level *lv[3] = {&s->gamma_flip, &s->call_wall, &s->put_wall};
        lo = fmin(lo, s->spot);
        hi = fmax(hi, s->spot);
        for (int k = 0; k < 3; k++)
            if (lv[k]->has) {
                lo = fmin(lo, lv[k]->value);
                hi = fmax(hi, lv[k]->value);
            }
        g = fmax(g, fabs(s->net_gex));
    }
    if (hi - lo < FLAT_RANGE_REL * fmax(1.0, hi)) {
        lo -= FLAT_PAD * fmax(1.0, lo);
        hi += FLAT_PAD * fmax(1.0, hi);
    }
    const double pstep = nice(hi - lo, Y_TICKS);
    lo = floor(lo / pstep) * pstep;
    hi = ceil(hi / pstep) * pstep;
    if (!(g > 0.0))
        g = 1.0;
    const double gstep = nice(g, 2);
    g = ceil(g / gstep) * gstep;

    const double x0 = MARGIN_L, w = width - MARGIN_L - MARGIN_R;
    const double plot_h = height - MARGIN_T - MARGIN_B - GAP;
    const double py = MARGIN_T, ph = plot_h * PRICE_SHARE;
    const double gy = py + ph + GAP, gh = plot_h - ph;

    /* title and legend */
    char sym[64], title[256], a[40], b[40];
    gex__plot_symbol(h->s[0].symbol, sym, sizeof sym);
    gex_time_format_date(gex_history_trading_day(h->s[0].quote_time), a, sizeof a);
    gex_time_format_date(gex_history_trading_day(h->s[h->n - 1].quote_time), b, sizeof b);
    snprintf(title, sizeof title, "%s: spot, gamma flip and walls; net GEX, %s to %s (%zu)", sym, a,
             b, h->n);
    colour(cr, col_text);
    font(cr, SIZE_TITLE, 1);
    text(cr, x0, 28.0, title, 0.0);
    font(cr, SIZE_TICK, 0);
    const struct {
        const char *name;
        rgb c;
        double dash;
    } legend[] = {{"spot", col_spot, 0.0},
                  {"gamma flip", col_flip, 6.0},
                  {"call wall", col_call_wall, 3.0},
                  {"put wall", col_put_wall, 3.0}};
    double lx = x0;
    for (size_t k = 0; k < sizeof legend / sizeof legend[0]; k++) {
        colour(cr, legend[k].c);
        cairo_set_line_width(cr, 2.0);
        cairo_set_dash(cr, &legend[k].dash, legend[k].dash > 0.0 ? 1 : 0, 0.0);
        cairo_move_to(cr, lx, 47.0);
        cairo_line_to(cr, lx + 24.0, 47.0);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0.0);
        colour(cr, col_text);
        text(cr, lx + 30.0, 51.0, legend[k].name, 0.0);
        cairo_text_extents_t e;
        cairo_text_extents(cr, legend[k].name, &e);
        lx += 30.0 + e.x_advance + 18.0;
    }
    char unit_note[GEX_CURRENCY_TEXT_MAX + 16], unit[GEX_CURRENCY_TEXT_MAX];
    snprintf(unit_note, sizeof unit_note, "net GEX in %s",
             gex__plot_unit_in(GEX_PLOT_GEX, h->unit, gex_snapshot_currency(&h->s[0]), unit,
                               sizeof unit));
    colour(cr, col_muted);
    text(cr, width - MARGIN_R, 51.0, unit_note, 1.0);

    /* price gridlines and labels */
    cairo_set_line_width(cr, 1.0);
    for (double v = lo; v <= hi + 0.5 * pstep; v += pstep) {
        const double y = py + ph * (hi - v) / (hi - lo);
        colour(cr, col_grid);
        cairo_move_to(cr, x0, y);
        cairo_line_to(cr, x0 + w, y);
        cairo_stroke(cr);
        char buf[48];
        colour(cr, col_muted);
        const int dp = gex__plot_step_decimals(pstep);
        text(cr, x0 - 8.0, y + 4.0, gex__plot_format_price_dp(v, dp > 2 ? dp : 2, buf, sizeof buf),
             1.0);
    }
    /* GEX gridlines: -g, 0, +g, written with the decimals of their step (g is a multiple of
     * gstep), as the other charts' value ticks: "+0.002", not an amount's "0" */
    for (int k = -1; k <= 1; k++) {
        const double v = k * g, y = gy + gh * (g - v) / (2.0 * g);
        colour(cr, k == 0 ? col_axis : col_grid);
        cairo_move_to(cr, x0, y);
        cairo_line_to(cr, x0 + w, y);
        cairo_stroke(cr);
        char tick[48], buf[56];
        gex__plot_format_tick(v, gstep, tick, sizeof tick);
        snprintf(buf, sizeof buf, "%s%s", k > 0 ? "+" : "", tick);
        colour(cr, col_muted);
        text(cr, x0 - 8.0, y + 4.0, buf, 1.0);
    }

    /* the levels, then the spot on top */
    level_line(cr, h, offsetof(gex_snapshot, put_wall), x0, w, py, ph, lo, hi, col_put_wall, 3.0);
    level_line(cr, h, offsetof(gex_snapshot, call_wall), x0, w, py, ph, lo, hi, col_call_wall, 3.0);
    level_line(cr, h, offsetof(gex_snapshot, gamma_flip), x0, w, py, ph, lo, hi, col_flip, 6.0);
    colour(cr, col_spot);
    cairo_set_line_width(cr, 2.0);
    for (size_t i = 0; i < h->n; i++) {
        const double x = x_of(h, i, x0, w), y = py + ph * (hi - h->s[i].spot) / (hi - lo);
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
    if (h->n == 1)
        dot(cr, x_of(h, 0, x0, w), py + ph * (hi - h->s[0].spot) / (hi - lo));

    /* net GEX bars: a bar per snapshot, as wide as the spacing allows */
    const double bw = fmax(1.0, fmin(12.0, 0.7 * w / (double)h->n));
    const double zero = gy + 0.5 * gh;
    for (size_t i = 0; i < h->n; i++) {
        const double v = h->s[i].net_gex, x = x_of(h, i, x0, w);
        const double y = gy + gh * (g - v) / (2.0 * g);
        colour(cr, v >= 0.0 ? col_pos : col_neg);
        cairo_rectangle(cr, x - 0.5 * bw, fmin(y, zero), bw, fabs(zero - y));
        cairo_fill(cr);
    }

    /* the time axis: dates of about X_TICKS snapshots, first and last included */
    colour(cr, col_muted);
    const size_t every = h->n > X_TICKS ? (h->n - 1 + X_TICKS - 1) / (X_TICKS - 1) : 1;
    for (size_t i = 0; i < h->n; i += every) {
        char d[40];
        gex_time_format_date(gex_history_trading_day(h->s[i].quote_time), d, sizeof d);
        const double x = x_of(h, i, x0, w);
        const double align = h->n == 1 ? 0.5 : i == 0 ? 0.0 : (i + every >= h->n ? 1.0 : 0.5);
        text(cr, x, height - MARGIN_B + 20.0, d, align);
        if (i + every >= h->n && i + 1 < h->n) {
            /* the last snapshot's date too, when the stride skipped it */
            gex_time_format_date(gex_history_trading_day(h->s[h->n - 1].quote_time), d, sizeof d);
            if (x_of(h, h->n - 1, x0, w) - x > 90.0)
                text(cr, x0 + w, height - MARGIN_B + 20.0, d, 1.0);
        }
    }
    return GEX_OK;
}

int gex_plot_history_write(FILE *fp, gex_plot_format format, const gex_snapshot *snapshots,
                           size_t n, gex_gex_unit unit, const gex_plot_options *options,
                           gex_error *err)
{
    if (fp == NULL || (snapshots == NULL && n > 0))
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "no stream or snapshots");
    if (format < 0 || format >= GEX_PLOT_FORMAT_COUNT)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "unknown chart format %d", format);
    if (n == 0)
        return gex_error_set(err, GEX_EEMPTY, NULL, 0, 0, "no snapshot to draw");
    for (size_t i = 0; i < n; i++) {
        const gex_snapshot *s = &snapshots[i];
        if (strcmp(s->symbol, snapshots[0].symbol) != 0)
            return gex_error_set(err, GEX_EINVAL, NULL, 0, 0,
                                 "a history chart draws one underlying: %s and %s given",
                                 snapshots[0].symbol, s->symbol);
        if (strcmp(gex_snapshot_currency(s), gex_snapshot_currency(&snapshots[0])) != 0)
            return gex_error_set(
                err, GEX_EINVAL, NULL, 0, 0,
                "a history chart draws one currency: %s and %s given; give snapshots of "
                "one currency",
                gex_snapshot_currency(&snapshots[0]), gex_snapshot_currency(s));
        if (i > 0 && s->quote_time < snapshots[i - 1].quote_time)
            return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "snapshots not in time order");
        if (!(s->spot > 0.0) || !isfinite(s->spot))
            return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "a spot is not a positive number");
        if (!isfinite(s->net_gex) || (s->gamma_flip.has && !isfinite(s->gamma_flip.value)) ||
            (s->call_wall.has && !isfinite(s->call_wall.value)) ||
            (s->put_wall.has && !isfinite(s->put_wall.value)))
            return gex_error_set(err, GEX_ERANGE, NULL, 0, 0, "a value to draw is not finite");
    }
    double width = GEX_PLOT_WIDTH, height = GEX_PLOT_HEIGHT;
    if (options != NULL && options->width > 0.0 && isfinite(options->width))
        width = options->width;
    if (options != NULL && options->height > 0.0 && isfinite(options->height))
        height = options->height;
    const hist_ctx ctx = {snapshots, n, unit};
    char title[96], sym[64];
    snprintf(title, sizeof title, "%s history",
             gex__plot_symbol(snapshots[0].symbol, sym, sizeof sym));
    return gex__plot_page(fp, format, width, height, title, draw, &ctx, err);
}
