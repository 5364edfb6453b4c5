/*
 * gex plot: the drawing. One cairo code path draws every format; a chart is a header (title,
 * quote instant, spot, net exposure) over one or more panels. A panel reserves, top to bottom,
 * a band for the labels of the marked levels (placed on rows so that no two overlap), the plot
 * area with gridlines, the strike axis, and a legend that also says which levels are absent.
 */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gex/plot.h"
#include "gex/time.h"
#include "plot-internal.h"

typedef struct rgb {
    double r, g, b;
} rgb;

typedef struct rect {
    double x, y, w, h;
} rect;

/* A palette readable in print and for the common red-green colour deficiencies: calls teal,
 * puts coral, the net in navy; levels in distinct hues and dash patterns. */
static const rgb col_text = {0.10, 0.12, 0.16};
static const rgb col_muted = {0.40, 0.43, 0.48};
static const rgb col_grid = {0.89, 0.90, 0.92};
static const rgb col_axis = {0.55, 0.57, 0.60};
static const rgb col_call = {0.16, 0.62, 0.56};
static const rgb col_put = {0.91, 0.44, 0.32};
static const rgb col_net = {0.11, 0.21, 0.34};
static const rgb col_spot = {0.10, 0.12, 0.16};
static const rgb col_flip = {0.48, 0.17, 0.75};
static const rgb col_alt = {0.89, 0.51, 0.08}; /* the profile without the next expiration */
static const rgb col_call_wall = {0.05, 0.47, 0.30};
static const rgb col_put_wall = {0.75, 0.16, 0.17};
static const rgb col_magnet = {0.85, 0.55, 0.00};
static const rgb col_panel = {0.96, 0.97, 0.98};

static const char *const font_family = "DejaVu Sans";

/* Type sizes, in points. */
#define SIZE_TITLE       20.0
#define SIZE_SUBTITLE    12.0
#define SIZE_PANEL_TITLE 14.0
#define SIZE_LABEL       11.0
#define SIZE_TICK        10.5
#define SIZE_LEGEND      10.5

/* Space between items, in points. */
#define PAD          10.0
#define LABEL_ROW    17.0 /* one row of level labels */
#define LABEL_GAP    8.0  /* least space between two labels on a row */
#define TICK_GAP     14.0 /* least space between two strike labels */
#define Y_TICKS      6    /* about this many value gridlines */
#define X_AXIS_SPACE 38   /* strike labels and the axis title under the plot */
/* A gridline this close to 0, in steps, is the zero line: the loop adds the step to the axis's
 * low end one gridline at a time, and the rounding of those sums leaves a few ulps of the range
 * where 0 falls, not 0, which would draw as a gridline labelled "-0". */
#define GRID_ZERO_STEPS 1e-9

static void set_colour(cairo_t *cr, rgb c, double alpha)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

static void set_font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, font_family, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* Text with its baseline at y; align 0 left, 0.5 centre, 1 right of x. */
static void text_at(cairo_t *cr, double x, double y, const char *s, double align)
{
    cairo_move_to(cr, x - align * text_width(cr, s), y);
    cairo_show_text(cr, s);
}

/* 1, 2, 2.5 or 5 times a power of ten: the step of about target ticks over span. */
static double nice_step(double span, int target)
{
    const double raw = span / target;
    const double mag = pow(10.0, floor(log10(raw)));
    const double norm = raw / mag;
    const double m = norm <= 1.0   ? 1.0
                     : norm <= 2.0 ? 2.0
                     : norm <= 2.5 ? 2.5
                     : norm <= 5.0 ? 5.0
                                   : 10.0;
    return m * mag;
}

/* The least step of 1, 2, 2.5, 5 x 10^k with at least min_step. */
static double step_at_least(double min_step)
{
    static const double m[] = {1.0, 2.0, 2.5, 5.0};
    double mag = pow(10.0, floor(log10(min_step)));
    for (;;) {
        for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
            if (m[i] * mag >= min_step)
                return m[i] * mag;
        }
        mag *= 10.0;
    }
}

/* --- levels marked on a chart --- */

enum { MARK_SPOT = 0, MARK_FLIP, MARK_CALL_WALL, MARK_PUT_WALL, MARK_MAGNET, MARK_COUNT };

typedef struct marker {
    const char *name;
    double value;
    rgb colour;
    double dash;    /* dash length, 0 solid */
    int has;        /* the level exists */
    int hidden;     /* drawn by another marker (a put wall on the call wall's strike) */
    int inside;     /* within the panel's x range */
    double x;       /* device x when inside */
    double width;   /* of the label */
    int row;        /* label row */
    double label_x; /* left end of the label */
    char label[96];
} marker;

static void build_markers(const gex_plot_data *d, marker m[MARK_COUNT])
{
    const gex_levels *l = &d->levels;
    const struct {
        const char *name;
        gex_level level;
        rgb colour;
        double dash;
    } def[MARK_COUNT] = {
        {"Spot", {1, d->spot}, col_spot, 0.0},
        {"Gamma flip", l->gamma_flip, col_flip, 6.0},
        {"Call wall", l->call_wall, col_call_wall, 4.0},
        {"Put wall", l->put_wall, col_put_wall, 4.0},
        {"0DTE magnet", l->zero_dte_magnet, col_magnet, 2.0},
    };
    for (int i = 0; i < MARK_COUNT; i++) {
        m[i].name = def[i].name;
        m[i].value = def[i].level.value;
        m[i].has = def[i].level.has;
        m[i].colour = def[i].colour;
        m[i].dash = def[i].dash;
        m[i].inside = 0;
        m[i].hidden = 0;
        m[i].row = 0;
    }
    /* Both walls on one strike (common on index chains: the round strike holds the most of
     * both): one line, one label. */
    if (l->call_wall.has && l->put_wall.has && l->call_wall.value == l->put_wall.value) {
        m[MARK_CALL_WALL].name = "Call and put wall";
        m[MARK_PUT_WALL].hidden = 1;
    }
    for (int i = 0; i < MARK_COUNT; i++) {
        char price[48];
        snprintf(m[i].label, sizeof m[i].label, "%s %s", m[i].name,
                 gex__plot_format_price(m[i].value, price, sizeof price));
    }
}

/* Rows for the labels of the markers inside [x0, x1], spot first: each label goes on the first
 * row where it overlaps no other, centred on its line, else beside it (right, then left).
 * Returns the number of rows. */
static int place_labels(cairo_t *cr, marker *m, int n, double x0, double x1)
{
    double left[MARK_COUNT][MARK_COUNT], right[MARK_COUNT][MARK_COUNT];
    int count[MARK_COUNT] = {0};
    int rows = 0;
    set_font(cr, SIZE_LABEL, 1);
    for (int i = 0; i < n; i++) {
        if (!m[i].inside)
            continue;
        m[i].width = text_width(cr, m[i].label);
        const double candidates[3] = {m[i].x - m[i].width / 2.0, m[i].x + 4.0,
                                      m[i].x - m[i].width - 4.0};
        int row = 0;
        double l = candidates[0];
        for (; row < MARK_COUNT; row++) {
            int found = 0;
            for (int c = 0; c < 3 && !found; c++) {
                l = fmin(fmax(candidates[c], x0), x1 - m[i].width);
                int clash = 0;
                for (int k = 0; k < count[row]; k++) {
                    if (l < right[row][k] + LABEL_GAP && l + m[i].width + LABEL_GAP > left[row][k])
                        clash = 1;
                }
                found = !clash;
            }
            if (found)
                break;
        }
        if (row == MARK_COUNT) { /* cannot happen: MARK_COUNT rows hold every label */
            row = MARK_COUNT - 1;
            l = candidates[0];
        }
        left[row][count[row]] = l;
        right[row][count[row]] = l + m[i].width;
        count[row]++;
        m[i].row = row;
        m[i].label_x = l;
        if (row + 1 > rows)
            rows = row + 1;
    }
    return rows;
}

static void stroke_marker(cairo_t *cr, const marker *m, double y0, double y1)
{
    cairo_save(cr);
    set_colour(cr, m->colour, 0.9);
    cairo_set_line_width(cr, m->dash == 0.0 ? 1.6 : 1.4);
    if (m->dash > 0.0) {
        const double dashes[] = {m->dash, m->dash * 0.7 + 1.5};
        cairo_set_dash(cr, dashes, 2, 0.0);
    }
    cairo_move_to(cr, floor(m->x) + 0.5, y0);
    cairo_line_to(cr, floor(m->x) + 0.5, y1);
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* The label band above the plot: each label on its row, a hairline down to the plot. */
static void draw_marker_labels(cairo_t *cr, const marker *m, int n, double band_top, int rows,
                               double plot_top, double x0, double x1)
{
    set_font(cr, SIZE_LABEL, 1);
    for (int i = 0; i < n; i++) {
        if (!m[i].inside)
            continue;
        const double l = m[i].label_x;
        /* Row 0 is nearest the plot. */
        const double baseline = band_top + (rows - m[i].row) * LABEL_ROW - 4.0;
        set_colour(cr, m[i].colour, 1.0);
        text_at(cr, l, baseline, m[i].label, 0.0);
        cairo_save(cr);
        set_colour(cr, m[i].colour, 0.5);
        cairo_set_line_width(cr, 0.8);
        cairo_move_to(cr, floor(m[i].x) + 0.5, baseline + 3.0);
        cairo_line_to(cr, floor(m[i].x) + 0.5, plot_top);
        cairo_stroke(cr);
        cairo_restore(cr);
    }
}

/* --- legend --- */

enum { SWATCH_BOX, SWATCH_LINE, SWATCH_NONE };

typedef struct legend_item {
    int swatch;
    rgb colour;
    double alpha;
    double dash;
    char text[160];
} legend_item;

#define LEGEND_MAX 24
#define LEGEND_ROW 16.0

typedef struct legend {
    legend_item item[LEGEND_MAX];
    int n;
} legend;

static void legend_add(legend *lg, int swatch, rgb colour, double alpha, double dash,
                       const char *text)
{
    if (lg->n >= LEGEND_MAX)
        return;
    legend_item *it = &lg->item[lg->n++];
    it->swatch = swatch;
    it->colour = colour;
    it->alpha = alpha;
    it->dash = dash;
    snprintf(it->text, sizeof it->text, "%s", text);
}

/* Lays the legend out left to right, wrapping at width; draws it when draw is non-zero.
 * Returns its height. */
static double legend_layout(cairo_t *cr, const legend *lg, double x, double y, double width,
                            int draw)
{
    set_font(cr, SIZE_LEGEND, 0);
    double cx = x, cy = y;
    for (int i = 0; i < lg->n; i++) {
        const legend_item *it = &lg->item[i];
        const double sw = it->swatch == SWATCH_NONE ? 0.0 : 22.0;
        const double w = sw + text_width(cr, it->text) + 18.0;
        if (cx > x && cx + w > x + width) {
            cx = x;
            cy += LEGEND_ROW;
        }
        if (draw) {
            cairo_save(cr);
            const double mid = cy + LEGEND_ROW / 2.0;
            if (it->swatch == SWATCH_BOX) {
                set_colour(cr, it->colour, it->alpha);
                cairo_rectangle(cr, cx, mid - 5.0, 14.0, 10.0);
                cairo_fill(cr);
            } else if (it->swatch == SWATCH_LINE) {
                set_colour(cr, it->colour, it->alpha);
                cairo_set_line_width(cr, 2.0);
                if (it->dash > 0.0) {
                    const double dashes[] = {it->dash * 0.6 + 1.0, it->dash * 0.5 + 1.0};
                    cairo_set_dash(cr, dashes, 2, 0.0);
                }
                cairo_move_to(cr, cx, mid);
                cairo_line_to(cr, cx + 16.0, mid);
                cairo_stroke(cr);
            }
            cairo_restore(cr);
            set_colour(cr, it->swatch == SWATCH_NONE ? col_muted : col_text, 1.0);
            text_at(cr, cx + sw, mid + 4.0, it->text, 0.0);
        }
        cx += w;
    }
    return cy - y + LEGEND_ROW;
}

/* The markers' legend entries, and a note for each level that is absent or off the chart. */
static void legend_add_markers(legend *lg, const marker *m, int n, double x_lo, double x_hi)
{
    char note[160], price[48];
    for (int i = 0; i < n; i++) {
        if (m[i].hidden)
            continue;
        if (m[i].inside) {
            legend_add(lg, SWATCH_LINE, m[i].colour, 0.9, m[i].dash, m[i].name);
        } else if (m[i].has) {
            snprintf(note, sizeof note, "%s %s off chart (%s)", m[i].name,
                     gex__plot_format_price(m[i].value, price, sizeof price),
                     m[i].value < x_lo ? "below" : "above");
            legend_add(lg, SWATCH_NONE, col_muted, 1.0, 0.0, note);
        }
    }
    for (int i = 0; i < n; i++) {
        if (m[i].has)
            continue;
        if (i == MARK_FLIP)
            legend_add(lg, SWATCH_NONE, col_muted, 1.0, 0.0,
                       "No gamma flip: P(x) keeps its sign from 0.5x to 1.5x spot");
        else if (i == MARK_MAGNET)
            legend_add(lg, SWATCH_NONE, col_muted, 1.0, 0.0, "No 0DTE contracts: no 0DTE magnet");
        else if (i == MARK_CALL_WALL)
            legend_add(lg, SWATCH_NONE, col_muted, 1.0, 0.0, "No call wall");
        else if (i == MARK_PUT_WALL)
            legend_add(lg, SWATCH_NONE, col_muted, 1.0, 0.0, "No put wall");
    }
}

/* --- axes --- */

typedef struct axis {
    double lo, hi; /* data range */
    double d0, d1; /* device range (d0 maps lo) */
} axis;

static double map(const axis *a, double v)
{
    return a->d0 + (v - a->lo) / (a->hi - a->lo) * (a->d1 - a->d0);
}

/* The value range of the plot, padded so that bars do not touch the frame, with ticks on a
 * nice step. */
static void value_range(double vmin, double vmax, axis *a, double *step)
{
    if (vmin > 0.0)
        vmin = 0.0;
    if (vmax < 0.0)
        vmax = 0.0;
    if (vmax - vmin <= 0.0) {
        vmin = -1.0;
        vmax = 1.0;
    }
    const double pad = (vmax - vmin) * 0.06;
    if (vmax > 0.0)
        vmax += pad;
    if (vmin < 0.0)
        vmin -= pad;
    *step = nice_step(vmax - vmin, Y_TICKS);
    a->lo = floor(vmin / *step) * *step;
    a->hi = ceil(vmax / *step) * *step;
}

/* Width of the widest value tick label. */
static double value_ticks_width(cairo_t *cr, const axis *a, double step)
{
    char buf[32];
    double w = 0.0;
    set_font(cr, SIZE_TICK, 0);
    for (double v = a->lo; v <= a->hi + step * 0.5; v += step) {
        const double t = text_width(cr, gex__plot_format_tick(v, step, buf, sizeof buf));
        if (t > w)
            w = t;
    }
    return w;
}

static void draw_value_grid(cairo_t *cr, const axis *y, double step, double x0, double x1)
{
    char buf[32];
    set_font(cr, SIZE_TICK, 0);
    cairo_set_line_width(cr, 1.0);
    for (double v = y->lo; v <= y->hi + step * 0.5; v += step) {
        const double val = fabs(v) < step * GRID_ZERO_STEPS ? 0.0 : v;
        const double py = floor(map(y, val)) + 0.5;
        set_colour(cr, val == 0.0 ? col_axis : col_grid, 1.0);
        cairo_move_to(cr, x0, py);
        cairo_line_to(cr, x1, py);
        cairo_stroke(cr);
        set_colour(cr, col_muted, 1.0);
        text_at(cr, x0 - 6.0, py + 3.5, gex__plot_format_tick(val, step, buf, sizeof buf), 1.0);
    }
}

/* Strike labels on a step wide enough that none overlaps the next. */
static void draw_strike_axis(cairo_t *cr, const axis *x, double y, const char *title)
{
    char buf[48];
    set_font(cr, SIZE_TICK, 0);
    const double px_per_unit = (x->d1 - x->d0) / (x->hi - x->lo);
    /* The step from the widest label, the labels' decimals from the step (at least a price's
     * two, more where the step is finer, so that neighbours differ): a second pass when the
     * step's decimals widen the labels. */
    int decimals = 2;
    double step = 0.0;
    for (int pass = 0; pass < 2; pass++) {
        const double widest =
            text_width(cr, gex__plot_format_price_dp(x->hi, decimals, buf, sizeof buf));
        step = step_at_least((widest + TICK_GAP) / px_per_unit);
        const int need = gex__plot_step_decimals(step);
        if (need <= decimals)
            break;
        decimals = need;
    }
    if (gex__plot_step_decimals(step) > decimals)
        decimals = gex__plot_step_decimals(step);
    cairo_set_line_width(cr, 1.0);
    for (double v = ceil(x->lo / step) * step; v <= x->hi; v += step) {
        const double px = floor(map(x, v)) + 0.5;
        set_colour(cr, col_axis, 1.0);
        cairo_move_to(cr, px, y);
        cairo_line_to(cr, px, y + 4.0);
        cairo_stroke(cr);
        set_colour(cr, col_muted, 1.0);
        text_at(cr, px, y + 16.0, gex__plot_format_price_dp(v, decimals, buf, sizeof buf), 0.5);
    }
    set_font(cr, SIZE_TICK, 1);
    set_colour(cr, col_muted, 1.0);
    text_at(cr, (x->d0 + x->d1) / 2.0, y + 32.0, title, 0.5);
}

static void draw_value_title(cairo_t *cr, double x, double y_mid, const char *title)
{
    cairo_save(cr);
    set_font(cr, SIZE_TICK, 1);
    set_colour(cr, col_muted, 1.0);
    cairo_move_to(cr, x, y_mid + text_width(cr, title) / 2.0);
    cairo_rotate(cr, -M_PI / 2.0);
    cairo_show_text(cr, title);
    cairo_restore(cr);
}

static const char *kind_title(gex_plot_kind kind)
{
    switch (kind) {
    case GEX_PLOT_DEX:
        return "Delta exposure (DEX) by strike";
    case GEX_PLOT_VEX:
        return "Vanna exposure (VEX) by strike";
    case GEX_PLOT_CHEX:
        return "Charm exposure (CHEX) by strike";
    case GEX_PLOT_PROFILE:
        return "GEX profile: total gamma exposure P(x) at hypothetical spot x";
    case GEX_PLOT_DASHBOARD:
        return "Dealer exposure dashboard";
    case GEX_PLOT_HEATMAP:
        return "Net GEX by strike and expiration";
    default:
        return "Gamma exposure (GEX) by strike";
    }
}

static const char *kind_short(gex_plot_kind kind)
{
    switch (kind) {
    case GEX_PLOT_DEX:
        return "DEX";
    case GEX_PLOT_VEX:
        return "VEX";
    case GEX_PLOT_CHEX:
        return "CHEX";
    default:
        return "GEX";
    }
}

/* Title and one line of context; returns the height used. */
static double draw_header(cairo_t *cr, const gex_plot_data *d, gex_plot_kind kind, double width,
                          double lo, double hi)
{
    char title[256], sub[512], when[64], spot[48], net[32], l[48], h[48], symbol[64];
    gex__plot_symbol(d->symbol, symbol, sizeof symbol);
    snprintf(title, sizeof title, "%s%s%s", symbol, symbol[0] != '\0' ? "  " : "",
             kind_title(kind));
    set_font(cr, SIZE_TITLE, 1);
    set_colour(cr, col_text, 1.0);
    text_at(cr, PAD * 2.0, 32.0, title, 0.0);

    const gex_plot_kind net_kind =
        kind == GEX_PLOT_PROFILE || kind == GEX_PLOT_DASHBOARD || kind == GEX_PLOT_HEATMAP
            ? GEX_PLOT_GEX
            : kind;
    const double net_value = net_kind == GEX_PLOT_DEX    ? d->totals.net_dex
                             : net_kind == GEX_PLOT_VEX  ? d->totals.net_vex
                             : net_kind == GEX_PLOT_CHEX ? d->totals.net_chex
                                                         : d->totals.net_gex;
    char range[160];
    if (kind == GEX_PLOT_PROFILE)
        snprintf(range, sizeof range, "x from %s to %s", gex__plot_format_price(lo, l, sizeof l),
                 gex__plot_format_price(hi, h, sizeof h));
    else
        snprintf(range, sizeof range, "Strikes %s to %s (spot \u00b1%.3g%%)",
                 gex__plot_format_price(lo, l, sizeof l), gex__plot_format_price(hi, h, sizeof h),
                 (hi / d->spot - 1.0) * 100.0);
    snprintf(sub, sizeof sub, "As of %s   |   Spot %s   |   Net %s %s   |   %s",
             gex__plot_format_instant(d->quote_time, when, sizeof when),
             gex__plot_format_price(d->spot, spot, sizeof spot), kind_short(net_kind),
             gex_plot_format_amount(net_value, 1, net, sizeof net), range);
    set_font(cr, SIZE_SUBTITLE, 0);
    set_colour(cr, col_muted, 1.0);
    text_at(cr, PAD * 2.0, 52.0, sub, 0.0);
    set_colour(cr, col_grid, 1.0);
    cairo_set_line_width(cr, 1.0);
    cairo_move_to(cr, PAD * 2.0, 64.5);
    cairo_line_to(cr, width - PAD * 2.0, 64.5);
    cairo_stroke(cr);
    return 72.0;
}

/* --- the per-strike bars --- */

/* --- panels: the frame the bars and the profile share --- */

/* A panel's axes, its marked levels (the first n_marks of them) and its legend. */
typedef struct panel {
    rect r;
    axis x, y;
    double ystep;
    double band_top; /* the labels' band, above the plot */
    double plot_top, plot_bottom, left, right;
    marker m[MARK_COUNT];
    int n_marks;
    int rows; /* rows of labels */
    legend lg;
    double legend_h;
} panel;

/* Title, value range, the x axis over [lo, hi], and the markers that fall in it. */
static void panel_begin(cairo_t *cr, const gex_plot_data *d, rect r, const char *title, double lo,
                        double hi, double vmin, double vmax, int n_marks, panel *p)
{
    p->r = r;
    p->band_top = r.y;
    if (title != NULL) {
        set_font(cr, SIZE_PANEL_TITLE, 1);
        set_colour(cr, col_text, 1.0);
        text_at(cr, r.x, r.y + 14.0, title, 0.0);
        p->band_top += 22.0;
    }
    value_range(vmin, vmax, &p->y, &p->ystep);
    p->left = r.x + value_ticks_width(cr, &p->y, p->ystep) + 30.0;
    p->right = r.x + r.w - PAD;
    p->x = (axis){lo, hi, p->left, p->right};
    p->n_marks = n_marks;
    build_markers(d, p->m);
    for (int i = 0; i < MARK_COUNT; i++) {
        p->m[i].inside = i < n_marks && p->m[i].has && !p->m[i].hidden && p->m[i].value >= lo &&
                         p->m[i].value <= hi;
        if (p->m[i].inside)
            p->m[i].x = map(&p->x, p->m[i].value);
    }
    p->rows = place_labels(cr, p->m, n_marks, p->left, p->right);
    p->lg.n = 0;
}

/* With the legend complete: the plot area between the labels and the legend, and its grid. */
static void panel_layout(cairo_t *cr, panel *p)
{
    legend_add_markers(&p->lg, p->m, p->n_marks, p->x.lo, p->x.hi);
    p->legend_h = legend_layout(cr, &p->lg, p->left, 0.0, p->right - p->left, 0);
    p->plot_top = p->band_top + p->rows * LABEL_ROW + 4.0;
    p->plot_bottom = p->r.y + p->r.h - p->legend_h - X_AXIS_SPACE - 6.0;
    p->y.d0 = p->plot_bottom;
    p->y.d1 = p->plot_top;
    draw_value_grid(cr, &p->y, p->ystep, p->x.d0, p->x.d1);
}

/* Over what the panel drew: the level lines and labels, the axes and the legend. */
static void panel_finish(cairo_t *cr, const panel *p, const char *x_title, const char *y_title)
{
    for (int i = p->n_marks - 1; i >= 0; i--) {
        if (p->m[i].inside)
            stroke_marker(cr, &p->m[i], p->plot_top, p->plot_bottom);
    }
    draw_marker_labels(cr, p->m, p->n_marks, p->band_top, p->rows, p->plot_top, p->left, p->right);
    set_colour(cr, col_axis, 1.0);
    cairo_set_line_width(cr, 1.0);
    cairo_move_to(cr, p->x.d0, floor(p->plot_bottom) + 0.5);
    cairo_line_to(cr, p->x.d1, floor(p->plot_bottom) + 0.5);
    cairo_stroke(cr);
    draw_strike_axis(cr, &p->x, p->plot_bottom, x_title);
    draw_value_title(cr, p->r.x + 12.0, (p->plot_top + p->plot_bottom) / 2.0, y_title);
    legend_layout(cr, &p->lg, p->left, p->r.y + p->r.h - p->legend_h, p->right - p->left, 1);
}

/* A polyline through n points (x[i], y[i]) in data units. */
static void trace(cairo_t *cr, const axis *ax, const axis *ay, const double *x, const double *y,
                  size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i == 0)
            cairo_move_to(cr, map(ax, x[i]), map(ay, y[i]));
        else
            cairo_line_to(cr, map(ax, x[i]), map(ay, y[i]));
    }
}

/* --- the per-strike bars --- */

static int draw_bar_panel(cairo_t *cr, const gex_plot_data *d, gex_plot_kind kind, double lo,
                          double hi, rect r, const char *panel_title, gex_error *err)
{
    size_t first = 0;
    while (first < d->n_rows && d->rows[first].strike < lo)
        first++;
    size_t end = first;
    while (end < d->n_rows && d->rows[end].strike <= hi)
        end++;
    if (end == first) {
        char l[48], h[48];
        return gex_error_set(err, GEX_EEMPTY, NULL, 0, 0,
                             "no strike between %s and %s: widen the window with --range",
                             gex__plot_format_price(lo, l, sizeof l),
                             gex__plot_format_price(hi, h, sizeof h));
    }
    double vmin = 0.0, vmax = 0.0, min_gap = hi - lo;
    for (size_t i = first; i < end; i++) {
        const gex_strike_row *row = &d->rows[i];
        const double c = gex__plot_row_call(row, kind), p = gex__plot_row_put(row, kind);
        const double pos = (c > 0.0 ? c : 0.0) + (p > 0.0 ? p : 0.0);
        const double neg = (c < 0.0 ? c : 0.0) + (p < 0.0 ? p : 0.0);
        const double net = gex__plot_row_net(row, kind);
        vmax = fmax(vmax, fmax(pos, net));
        vmin = fmin(vmin, fmin(neg, net));
        if (i > first && row->strike - d->rows[i - 1].strike < min_gap)
            min_gap = row->strike - d->rows[i - 1].strike;
    }

    panel p;
    panel_begin(cr, d, r, panel_title, lo, hi, vmin, vmax, MARK_COUNT, &p);
    char name[64];
    snprintf(name, sizeof name, "Calls %s", kind_short(kind));
    legend_add(&p.lg, SWATCH_BOX, col_call, 0.85, 0.0, name);
    snprintf(name, sizeof name, "Puts %s", kind_short(kind));
    legend_add(&p.lg, SWATCH_BOX, col_put, 0.85, 0.0, name);
    snprintf(name, sizeof name, "Net %s", kind_short(kind));
    legend_add(&p.lg, SWATCH_LINE, col_net, 1.0, 0.0, name);
    panel_layout(cr, &p);

    /* Bars and the net line stay in the plot: a strike at the window's edge would cover the
     * value labels beside it. */
    cairo_save(cr);
    cairo_rectangle(cr, p.x.d0, p.plot_top, p.x.d1 - p.x.d0, p.plot_bottom - p.plot_top);
    cairo_clip(cr);
    /* Bars: positive parts stacked up from zero, negative parts down, calls nearest zero. */
    double bar_w = (p.x.d1 - p.x.d0) * min_gap / (hi - lo) * 0.78;
    bar_w = fmin(fmax(bar_w, 1.0), 28.0);
    for (size_t i = first; i < end; i++) {
        const gex_strike_row *row = &d->rows[i];
        const double px = map(&p.x, row->strike) - bar_w / 2.0;
        const double parts[2] = {gex__plot_row_call(row, kind), gex__plot_row_put(row, kind)};
        const rgb colours[2] = {col_call, col_put};
        double up = 0.0, down = 0.0;
        for (int k = 0; k < 2; k++) {
            const double v = parts[k];
            if (v == 0.0)
                continue;
            const double base = v > 0.0 ? up : down;
            const double y0 = map(&p.y, base), y1 = map(&p.y, base + v);
            set_colour(cr, colours[k], 0.85);
            cairo_rectangle(cr, px, fmin(y0, y1), bar_w, fabs(y1 - y0));
            cairo_fill(cr);
            if (v > 0.0)
                up += v;
            else
                down += v;
        }
    }

    /* The net: a line through every strike, dots where the bars are wide enough to see. */
    cairo_save(cr);
    set_colour(cr, col_net, 1.0);
    cairo_set_line_width(cr, 1.6);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (size_t i = first; i < end; i++) {
        const double px = map(&p.x, d->rows[i].strike);
        const double py = map(&p.y, gex__plot_row_net(&d->rows[i], kind));
        if (i == first)
            cairo_move_to(cr, px, py);
        else
            cairo_line_to(cr, px, py);
        if (bar_w >= 5.0) {
            cairo_stroke(cr);
            cairo_arc(cr, px, py, 2.2, 0.0, 2.0 * M_PI);
            cairo_fill(cr);
            cairo_move_to(cr, px, py);
        }
    }
    cairo_stroke(cr);
    cairo_restore(cr);
    cairo_restore(cr); /* the clip */

    char unit[GEX_CURRENCY_TEXT_MAX];
    panel_finish(cr, &p, "Strike",
                 gex__plot_unit_in(kind, d->unit, d->currency, unit, sizeof unit));
    return GEX_OK;
}

/* --- the profile --- */

static int draw_profile_panel(cairo_t *cr, const gex_plot_data *d, rect r, const char *panel_title,
                              gex_error *err)
{
    if (d->n_profile < 2)
        return gex_error_set(err, GEX_EEMPTY, NULL, 0, 0,
                             "no GEX profile to draw: P(x) was not computed");
    const double *px = d->profile_x, *pp = d->profile_p;
    const size_t n = d->n_profile;
    const double lo = px[0], hi = px[n - 1];
    if (!(hi > lo))
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "the profile's spots must be ascending");
    double vmin = 0.0, vmax = 0.0;
    const double *others[2] = {d->profile_without_next, d->profile_without_monthly};
    const int32_t other_day[2] = {d->without_next_day, d->without_monthly_day};
    for (size_t i = 0; i < n; i++) {
        vmin = fmin(vmin, pp[i]);
        vmax = fmax(vmax, pp[i]);
        for (int k = 0; k < 2; k++) {
            if (others[k] == NULL)
                continue;
            if (!isfinite(others[k][i]))
                return gex_error_set(err, GEX_ERANGE, NULL, 0, 0,
                                     "a profile value is not a finite number");
            vmin = fmin(vmin, others[k][i]);
            vmax = fmax(vmax, others[k][i]);
        }
    }

    /* Every level, the magnet too: the x axis is a spot, and the levels are where the spot
     * would stand at them. */
    panel p;
    panel_begin(cr, d, r, panel_title, lo, hi, vmin, vmax, MARK_COUNT, &p);

    /* Zero crossings of the sampled curve, linearly interpolated between samples. */
    double cross[64];
    size_t n_cross = 0;
    for (size_t i = 1; i < n && n_cross < sizeof cross / sizeof cross[0]; i++) {
        if ((pp[i - 1] < 0.0 && pp[i] >= 0.0) || (pp[i - 1] > 0.0 && pp[i] <= 0.0)) {
            if (pp[i] == 0.0 && i + 1 < n && (pp[i + 1] > 0.0) == (pp[i - 1] > 0.0))
                continue; /* touches zero without crossing */
            cross[n_cross++] = px[i - 1] + (px[i] - px[i - 1]) * (-pp[i - 1] / (pp[i] - pp[i - 1]));
        }
    }

    legend_add(&p.lg, SWATCH_LINE, col_net, 1.0, 0.0, "P(x), total GEX at spot x");
    char other_label[2][72];
    for (int k = 0; k < 2; k++) {
        if (others[k] == NULL)
            continue;
        int y, mo, dd;
        gex_time_civil_from_days(other_day[k], &y, &mo, &dd);
        snprintf(other_label[k], sizeof other_label[k], "P(x) without the next %s, %04d-%02d-%02d",
                 k == 0 ? "expiration" : "monthly", y, mo, dd);
        legend_add(&p.lg, SWATCH_LINE, k == 0 ? col_alt : col_muted, 1.0, 0.0, other_label[k]);
    }
    legend_add(&p.lg, SWATCH_BOX, col_call, 0.25, 0.0, "Dealers long gamma (P > 0)");
    legend_add(&p.lg, SWATCH_BOX, col_put, 0.25, 0.0, "Dealers short gamma (P < 0)");
    char note[160], price[48];
    if (n_cross == 0) {
        legend_add(&p.lg, SWATCH_NONE, col_muted, 1.0, 0.0,
                   "P(x) does not cross zero on this range");
    } else if (!p.m[MARK_FLIP].has) {
        snprintf(note, sizeof note, "P(x) = 0 near %s",
                 gex__plot_format_price(cross[0], price, sizeof price));
        legend_add(&p.lg, SWATCH_NONE, col_muted, 1.0, 0.0, note);
    }
    panel_layout(cr, &p);

    /* The area between the curve and zero, green above and coral below (clipped halves). */
    const double zero = map(&p.y, 0.0);
    for (int half = 0; half < 2; half++) {
        cairo_save(cr);
        if (half == 0)
            cairo_rectangle(cr, p.x.d0, p.plot_top, p.x.d1 - p.x.d0, zero - p.plot_top);
        else
            cairo_rectangle(cr, p.x.d0, zero, p.x.d1 - p.x.d0, p.plot_bottom - zero);
        cairo_clip(cr);
        cairo_move_to(cr, map(&p.x, px[0]), zero);
        for (size_t i = 0; i < n; i++)
            cairo_line_to(cr, map(&p.x, px[i]), map(&p.y, pp[i]));
        cairo_line_to(cr, map(&p.x, px[n - 1]), zero);
        cairo_close_path(cr);
        set_colour(cr, half == 0 ? col_call : col_put, 0.22);
        cairo_fill(cr);
        cairo_restore(cr);
    }
    cairo_save(cr);
    set_colour(cr, col_net, 1.0);
    cairo_set_line_width(cr, 2.0);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    trace(cr, &p.x, &p.y, px, pp, n);
    cairo_stroke(cr);
    /* The other curves dashed, over the shading, under the rings. */
    const double dash[2] = {6.0, 4.0};
    for (int k = 0; k < 2; k++) {
        if (others[k] == NULL)
            continue;
        set_colour(cr, k == 0 ? col_alt : col_muted, 1.0);
        cairo_set_line_width(cr, 1.6);
        cairo_set_dash(cr, dash, 2, 0.0);
        trace(cr, &p.x, &p.y, px, others[k], n);
        cairo_stroke(cr);
    }
    cairo_restore(cr);

    char unit[GEX_CURRENCY_TEXT_MAX];
    panel_finish(cr, &p, "Hypothetical spot x",
                 gex__plot_unit_in(GEX_PLOT_GEX, d->unit, d->currency, unit, sizeof unit));
    /* Each zero crossing as a ring on the zero line, over the level lines. */
    cairo_save(cr);
    for (size_t c = 0; c < n_cross; c++) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, map(&p.x, cross[c]), zero, 4.5, 0.0, 2.0 * M_PI);
    }
    cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
    cairo_fill_preserve(cr);
    set_colour(cr, col_flip, 1.0);
    cairo_set_line_width(cr, 2.0);
    cairo_stroke(cr);
    cairo_restore(cr);
    return GEX_OK;
}

/* --- the dashboard's panel of figures --- */

typedef struct text_panel {
    cairo_t *cr;
    double x, y, w;
} text_panel;

static void panel_heading(text_panel *tp, const char *s)
{
    tp->y += 26.0;
    set_font(tp->cr, 12.5, 1);
    set_colour(tp->cr, col_text, 1.0);
    text_at(tp->cr, tp->x, tp->y, s, 0.0);
    set_colour(tp->cr, col_grid, 1.0);
    cairo_set_line_width(tp->cr, 1.0);
    cairo_move_to(tp->cr, tp->x, floor(tp->y + 6.0) + 0.5);
    cairo_line_to(tp->cr, tp->x + tp->w, floor(tp->y + 6.0) + 0.5);
    cairo_stroke(tp->cr);
    tp->y += 6.0;
}

static void panel_row(text_panel *tp, const char *name, const char *value, rgb value_colour)
{
    tp->y += 18.0;
    set_font(tp->cr, 11.5, 0);
    set_colour(tp->cr, col_muted, 1.0);
    text_at(tp->cr, tp->x, tp->y, name, 0.0);
    set_font(tp->cr, 11.5, 1);
    set_colour(tp->cr, value_colour, 1.0);
    text_at(tp->cr, tp->x + tp->w, tp->y, value, 1.0);
}

/* Text wrapped to the panel's width, word by word. */
static void panel_paragraph(text_panel *tp, const char *s, double size, rgb colour)
{
    set_font(tp->cr, size, 0);
    set_colour(tp->cr, colour, 1.0);
    const double leading = size * 1.36;
    char line[256] = "";
    const char *p = s;
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e != '\0' && *e != ' ')
            e++;
        if (e == p)
            break;
        /* The word joins the line when line + " " + word fits the width (and the buffer; the
         * panel's sentences are short), else the line is drawn and the word starts the next. */
        const size_t wl = (size_t)(e - p) < sizeof line - 1 ? (size_t)(e - p) : sizeof line - 1;
        const size_t ll = strlen(line);
        int joined = 0;
        if (ll == 0) {
            memcpy(line, p, wl);
            line[wl] = '\0';
            joined = 1;
        } else if (ll + 1 + wl < sizeof line) {
            char trial[sizeof line];
            memcpy(trial, line, ll);
            trial[ll] = ' ';
            memcpy(trial + ll + 1, p, wl);
            trial[ll + 1 + wl] = '\0';
            if (text_width(tp->cr, trial) <= tp->w) {
                memcpy(line, trial, ll + wl + 2);
                joined = 1;
            }
        }
        if (!joined) {
            tp->y += leading;
            text_at(tp->cr, tp->x, tp->y, line, 0.0);
            memcpy(line, p, wl);
            line[wl] = '\0';
        }
        p = e;
    }
    if (line[0] != '\0') {
        tp->y += leading;
        text_at(tp->cr, tp->x, tp->y, line, 0.0);
    }
}

static rgb sign_colour(double v)
{
    return v > 0.0 ? col_call_wall : (v < 0.0 ? col_put_wall : col_text);
}

static void panel_level(text_panel *tp, const char *name, const gex_level *level, rgb colour)
{
    char buf[48];
    if (level->has)
        panel_row(tp, name, gex__plot_format_price(level->value, buf, sizeof buf), colour);
    else
        panel_row(tp, name, "none", col_muted);
}

static void draw_text_panel(cairo_t *cr, const gex_plot_data *d, rect r)
{
    cairo_save(cr);
    set_colour(cr, col_panel, 1.0);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_fill(cr);
    cairo_restore(cr);
    text_panel tp = {cr, r.x + 16.0, r.y - 8.0, r.w - 32.0};
    char buf[64], buf2[64];
    const gex_exposure_totals *t = &d->totals;

    panel_heading(&tp, "Net exposures");
    snprintf(buf2, sizeof buf2, "%s", gex_plot_format_amount(t->net_gex, 1, buf, sizeof buf));
    panel_row(&tp, "Net GEX", buf2, sign_colour(t->net_gex));
    panel_row(&tp, "Net DEX", gex_plot_format_amount(t->net_dex, 1, buf, sizeof buf),
              sign_colour(t->net_dex));
    panel_row(&tp, "Net VEX", gex_plot_format_amount(t->net_vex, 1, buf, sizeof buf),
              sign_colour(t->net_vex));
    panel_row(&tp, "Net CHEX", gex_plot_format_amount(t->net_chex, 1, buf, sizeof buf),
              sign_colour(t->net_chex));
    tp.y += 2.0;
    char units[GEX_CURRENCY_TEXT_MAX + 32];
    panel_paragraph(
        &tp,
        gex_currency_text(d->unit == GEX_UNIT_POINT ? "GEX in USD per $1 spot move, DEX in USD "
                                                      "notional, VEX per vol point, CHEX per day."
                          : d->unit == GEX_UNIT_SHARES
                              ? "GEX in shares per $1 spot move, DEX in USD notional, VEX per vol "
                                "point, CHEX per day."
                              : "GEX in USD per 1% spot move, DEX in USD notional, VEX per vol "
                                "point, CHEX per day.",
                          d->currency, units, sizeof units),
        9.5, col_muted);

    panel_heading(&tp, "Regime");
    const gex_regime *g = &d->regime;
    panel_row(&tp, "Gamma", g->regime > 0 ? "positive" : (g->regime < 0 ? "negative" : "neutral"),
              g->regime > 0 ? col_call_wall : (g->regime < 0 ? col_put_wall : col_text));
    panel_row(&tp, "Vanna", g->vanna_aligned ? "aligned" : "not aligned", col_text);
    if (g->dist_to_flip.has) {
        snprintf(buf, sizeof buf, "%+.2f%%", g->dist_to_flip.value);
        panel_row(&tp, "Spot vs flip", buf, sign_colour(g->dist_to_flip.value));
    } else {
        panel_row(&tp, "Spot vs flip", "no flip", col_muted);
    }
    panel_row(&tp, "Confidence", g->confidence != NULL ? g->confidence : "n/a", col_text);
    if (g->meaning != NULL && g->meaning[0] != '\0') {
        tp.y += 4.0;
        panel_paragraph(&tp, g->meaning, 11.0, col_text);
    }

    panel_heading(&tp, "Levels");
    panel_level(&tp, "Gamma flip", &d->levels.gamma_flip, col_flip);
    panel_level(&tp, "Call wall", &d->levels.call_wall, col_call_wall);
    panel_level(&tp, "Put wall", &d->levels.put_wall, col_put_wall);
    panel_level(&tp, "Max positive gamma", &d->levels.max_positive_gamma, col_text);
    panel_level(&tp, "Max negative gamma", &d->levels.max_negative_gamma, col_text);
    panel_level(&tp, "Highest OI strike", &d->levels.highest_oi_strike, col_text);
    panel_level(&tp, "0DTE magnet", &d->levels.zero_dte_magnet, col_magnet);
    panel_row(&tp, "Flip method",
              d->levels.flip_method == GEX_FLIP_STRIKE ? "per-strike interpolation"
                                                       : "repriced profile",
              col_muted);

    panel_heading(&tp, "0DTE");
    if (d->zero_dte.has) {
        char date[16];
        gex_time_format_date(d->zero_dte.expiration, date, sizeof date);
        panel_row(&tp, "Expiration", date, col_text);
        panel_row(&tp, "Net GEX", gex_plot_format_amount(d->zero_dte.net_gex, 1, buf, sizeof buf),
                  sign_colour(d->zero_dte.net_gex));
        snprintf(buf, sizeof buf, "%.1f%%", d->zero_dte.pct_of_total_gex);
        panel_row(&tp, "Share of gross GEX", buf, col_text);
    } else {
        panel_row(&tp, "0DTE contracts", "none", col_muted);
    }

    panel_heading(&tp, "Contracts");
    panel_row(&tp, "In the exposures", gex__plot_format_price((double)t->used, buf, sizeof buf),
              col_text);
    panel_row(&tp, "In the chain", gex__plot_format_price((double)t->contracts, buf, sizeof buf),
              col_text);
}

/* --- the strike x expiration heatmap --- */

/* Expirations drawn, the nearest first: a row each must stay readable on the page. */
#define HEAT_MAX_EXPIRIES 20

/* A cell's colour: white at 0, the call colour for positive net GEX and the put colour for
 * negative, reaching full colour at the largest |value| drawn. The square root of the share
 * lifts small cells out of the white: GEX is concentrated, and on a linear scale most of a
 * chain is invisible beside its largest strike. */
static rgb heat_colour(double v, double vmax)
{
    const double t = vmax > 0.0 ? sqrt(fmin(fabs(v) / vmax, 1.0)) : 0.0;
    const rgb c = v >= 0.0 ? col_call : col_put;
    return (rgb){1.0 - t * (1.0 - c.r), 1.0 - t * (1.0 - c.g), 1.0 - t * (1.0 - c.b)};
}

/* The net GEX of expiry i at a strike (0 when it has none there). */
static double expiry_net_at(const gex_exposure *e, size_t i, double strike)
{
    size_t n = 0;
    const gex_strike_row *rows = gex_exposure_expiry_strikes(e, i, &n);
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (rows[mid].strike < strike)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && rows[lo].strike == strike ? rows[lo].net_gex : 0.0;
}

/* The cell of strike k of rows[0..n) spans [*s0, *s1]: half way to each neighbouring strike
 * (those outside the window too), and at an end with no neighbour as far as on its other side,
 * so that the edge strikes do not paint the empty parts of the window. A lone strike gets a
 * cell of HEAT_LONE_CELL of its value. */
#define HEAT_LONE_CELL 0.025 /* a single stock's strikes are listed about 2.5% apart */
static void heat_cell(const gex_strike_row *rows, size_t n, size_t k, double *s0, double *s1)
{
    const double s = rows[k].strike;
    const double below = k > 0 ? (s - rows[k - 1].strike) / 2.0 : -1.0;
    const double above = k + 1 < n ? (rows[k + 1].strike - s) / 2.0 : -1.0;
    const double lone = s * HEAT_LONE_CELL / 2.0;
    *s0 = s - (below >= 0.0 ? below : (above >= 0.0 ? above : lone));
    *s1 = s + (above >= 0.0 ? above : (below >= 0.0 ? below : lone));
}

static int draw_heatmap(cairo_t *cr, const gex_plot_data *d, double lo, double hi, rect r,
                        gex_error *err)
{
    const gex_exposure *e = d->exposure;
    /* The expirations with a contract used (an expiration whose contracts were all left out,
     * for no IV say, has no row to draw), the nearest HEAT_MAX_EXPIRIES of them. */
    size_t idx[HEAT_MAX_EXPIRIES];
    size_t n_exp = 0, n_exp_all = 0;
    const size_t n_expiries = e != NULL ? gex_exposure_expiry_count(e) : 0;
    for (size_t i = 0; i < n_expiries; i++) {
        gex_exposure_totals t;
        gex_exposure_expiry_totals(e, i, &t);
        if (t.used == 0)
            continue;
        if (n_exp < HEAT_MAX_EXPIRIES)
            idx[n_exp++] = i;
        n_exp_all++;
    }
    size_t first = 0;
    while (first < d->n_rows && d->rows[first].strike < lo)
        first++;
    size_t end = first;
    while (end < d->n_rows && d->rows[end].strike <= hi)
        end++;
    if (n_exp_all == 0 || end == first)
        return gex_error_set(err, GEX_EEMPTY, NULL, 0, 0,
                             n_exp_all == 0 ? "no expiration with a contract used: nothing to "
                                              "draw by expiration"
                                            : "no strike in the window: widen it with --range");
    double vmax = 0.0;
    for (size_t i = 0; i < n_exp; i++)
        for (size_t k = first; k < end; k++)
            vmax = fmax(vmax, fabs(expiry_net_at(e, idx[i], d->rows[k].strike)));

    /* Layout: expiration labels left, cells, the strike axis and a colour scale below. */
    char buf[128], amount[32];
    set_font(cr, SIZE_TICK, 0);
    const double label_w = text_width(cr, "2026-12-31  999d") + PAD;
    const double scale_h = 34.0;
    panel p = {0};
    p.r = r;
    p.left = r.x + label_w;
    p.right = r.x + r.w - PAD;
    p.x = (axis){lo, hi, p.left, p.right};
    p.n_marks = MARK_COUNT;
    build_markers(d, p.m);
    for (int i = 0; i < MARK_COUNT; i++) {
        p.m[i].inside = p.m[i].has && !p.m[i].hidden && p.m[i].value >= lo && p.m[i].value <= hi;
        if (p.m[i].inside)
            p.m[i].x = map(&p.x, p.m[i].value);
    }
    p.band_top = r.y;
    p.rows = place_labels(cr, p.m, MARK_COUNT, p.left, p.right);
    /* The levels' legend, as on the other kinds: a level off the window or absent says so. */
    legend_add_markers(&p.lg, p.m, MARK_COUNT, lo, hi);
    p.legend_h = legend_layout(cr, &p.lg, p.left, 0.0, p.right - p.left, 0);
    p.plot_top = p.band_top + p.rows * LABEL_ROW + 4.0;
    p.plot_bottom = r.y + r.h - p.legend_h - X_AXIS_SPACE - scale_h - 6.0;
    const double row_h = (p.plot_bottom - p.plot_top) / (double)n_exp;
    const int32_t quote_date = gex_exposure_quote_date(e);

    for (size_t i = 0; i < n_exp; i++) {
        const double y0 = p.plot_top + row_h * (double)i;
        for (size_t k = first; k < end; k++) {
            const double v = expiry_net_at(e, idx[i], d->rows[k].strike);
            if (v == 0.0)
                continue;
            double s0, s1;
            heat_cell(d->rows, d->n_rows, k, &s0, &s1);
            s0 = fmax(s0, lo);
            s1 = fmin(s1, hi);
            set_colour(cr, heat_colour(v, vmax), 1.0);
            cairo_rectangle(cr, map(&p.x, s0), y0, map(&p.x, s1) - map(&p.x, s0), row_h);
            cairo_fill(cr);
        }
        const int32_t date = gex_exposure_expiry_date(e, idx[i]);
        char day[16];
        gex_time_format_date(date, day, sizeof day);
        snprintf(buf, sizeof buf, "%s  %ldd", day, (long)date - (long)quote_date);
        set_font(cr, SIZE_TICK, 0);
        set_colour(cr, col_muted, 1.0);
        text_at(cr, p.left - 6.0, y0 + row_h / 2.0 + 3.5, buf, 1.0);
        set_colour(cr, col_grid, 1.0);
        cairo_set_line_width(cr, 0.5);
        cairo_move_to(cr, p.left, floor(y0) + 0.5);
        cairo_line_to(cr, p.right, floor(y0) + 0.5);
        cairo_stroke(cr);
    }
    panel_finish(cr, &p, "Strike", "");
    if (n_exp < n_exp_all) {
        /* on the axis title's line, from the panel's left edge: right-aligned under the dates
         * it ran off the page */
        snprintf(buf, sizeof buf, "the nearest %zu of %zu expirations with a contract used", n_exp,
                 n_exp_all);
        set_font(cr, SIZE_TICK, 0);
        set_colour(cr, col_muted, 1.0);
        text_at(cr, r.x, p.plot_bottom + 32.0, buf, 0.0);
    }
    /* The colour scale: -max .. 0 .. +max. */
    const double sy = r.y + r.h - p.legend_h - scale_h + 6.0, sw = fmin(360.0, p.right - p.left);
    const double sx = p.left + (p.right - p.left - sw) / 2.0;
    for (int j = 0; j < 60; j++) {
        const double v = (j / 59.0 * 2.0 - 1.0) * vmax;
        set_colour(cr, heat_colour(v, vmax), 1.0);
        cairo_rectangle(cr, sx + sw * j / 60.0, sy, sw / 60.0 + 0.5, 10.0);
        cairo_fill(cr);
    }
    set_font(cr, SIZE_TICK, 0);
    set_colour(cr, col_muted, 1.0);
    text_at(cr, sx, sy + 24.0, gex_plot_format_amount(-vmax, 1, amount, sizeof amount), 0.0);
    text_at(cr, sx + sw / 2.0, sy + 24.0, "0", 0.5);
    text_at(cr, sx + sw, sy + 24.0, gex_plot_format_amount(vmax, 1, amount, sizeof amount), 1.0);
    char unit[GEX_CURRENCY_TEXT_MAX];
    snprintf(buf, sizeof buf, "net GEX, %s",
             gex__plot_unit_in(GEX_PLOT_GEX, d->unit, d->currency, unit, sizeof unit));
    text_at(cr, sx + sw + 12.0, sy + 9.0, buf, 0.0);
    return GEX_OK;
}

int gex__plot_draw(cairo_t *cr, const gex_plot_data *d, const gex_plot_options *o, double width,
                   double height, double lo, double hi, gex_error *err)
{
    cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
    cairo_paint(cr);
    const gex_plot_kind kind = o->kind;
    double hx_lo = lo, hx_hi = hi;
    if (kind == GEX_PLOT_PROFILE && d->n_profile >= 2) {
        hx_lo = d->profile_x[0];
        hx_hi = d->profile_x[d->n_profile - 1];
    }
    const double top = draw_header(cr, d, kind, width, hx_lo, hx_hi);
    const rect body = {PAD * 2.0, top + 4.0, width - PAD * 4.0, height - top - 4.0 - PAD * 1.5};
    switch (kind) {
    case GEX_PLOT_PROFILE:
        return draw_profile_panel(cr, d, body, NULL, err);
    case GEX_PLOT_HEATMAP:
        return draw_heatmap(cr, d, lo, hi, body, err);
    case GEX_PLOT_DASHBOARD: {
        const double side = 300.0;
        const double main_w = body.w - side - PAD * 2.0;
        const double bars_h = floor(body.h * 0.56);
        const rect bars = {body.x, body.y, main_w, bars_h};
        const rect prof = {body.x, body.y + bars_h + PAD * 1.5, main_w,
                           body.h - bars_h - PAD * 1.5};
        const rect figures = {body.x + main_w + PAD * 2.0, body.y, side, body.h};
        int rc = draw_bar_panel(cr, d, GEX_PLOT_GEX, lo, hi, bars, "Gamma exposure by strike", err);
        if (rc != GEX_OK)
            return rc;
        rc = draw_profile_panel(cr, d, prof, "GEX profile P(x)", err);
        if (rc != GEX_OK)
            return rc;
        draw_text_panel(cr, d, figures);
        return GEX_OK;
    }
    default:
        return draw_bar_panel(cr, d, kind, lo, hi, body, NULL, err);
    }
}
