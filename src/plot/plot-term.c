/*
 * gex plot: per-strike bars in a terminal, drawn with Unicode block characters. Positive values
 * grow right of the axis in eighths of a cell (U+2589..U+258F are left-aligned partial blocks);
 * negative values grow left in halves (U+2590, the right half block, is the only right-aligned
 * partial wide enough to read).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gex/plot.h"
#include "plot-internal.h"

/* Full block, then the left-aligned 7/8 .. 1/8 blocks. */
static const char *const eighths[9] = {"",       "\u258f", "\u258e", "\u258d", "\u258c",
                                       "\u258b", "\u258a", "\u2589", "\u2588"};
static const char *const full_block = "\u2588";
static const char *const right_half = "\u2590";
static const char *const axis_char = "\u2502";
static const char *const rule_char = "\u2508";
static const char *const rule_axis = "\u253c";

#define TAGS_MAX 48

/* Level names at a strike, comma-separated, into tags. */
static void strike_tags(const gex_plot_data *d, double strike, char *tags, size_t size)
{
    const struct {
        const gex_level *level;
        const char *name;
    } names[] = {
        {&d->levels.call_wall, "call wall"},
        {&d->levels.put_wall, "put wall"},
        {&d->levels.zero_dte_magnet, "0DTE magnet"},
        {&d->levels.max_positive_gamma, "max +gamma"},
        {&d->levels.max_negative_gamma, "max -gamma"},
    };
    size_t used = 0;
    tags[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!names[i].level->has || names[i].level->value != strike)
            continue;
        const int w =
            snprintf(tags + used, size - used, "%s%s", used > 0 ? ", " : "", names[i].name);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

static const char *kind_short_name(gex_plot_kind kind)
{
    return kind == GEX_PLOT_DEX    ? "DEX"
           : kind == GEX_PLOT_VEX  ? "VEX"
           : kind == GEX_PLOT_CHEX ? "CHEX"
                                   : "GEX";
}

static int put_repeat(FILE *out, const char *s, int n)
{
    for (int i = 0; i < n; i++) {
        if (fputs(s, out) == EOF)
            return -1;
    }
    return 0;
}

/* One rule line for the spot or the flip, between two strikes. */
static int rule_line(FILE *out, const char *price, int sw, int half, const char *name)
{
    if (fprintf(out, "%*s ", sw, price) < 0 || put_repeat(out, rule_char, half) ||
        fputs(rule_axis, out) == EOF || put_repeat(out, rule_char, half) ||
        fprintf(out, " %s\n", name) < 0)
        return -1;
    return 0;
}

int gex_plot_terminal_bars(FILE *out, const gex_plot_data *d, gex_plot_kind kind, size_t n_strikes,
                           int width)
{
    if (out == NULL || d == NULL || kind < GEX_PLOT_GEX || kind > GEX_PLOT_CHEX ||
        width < GEX_PLOT_TERMINAL_MIN_WIDTH || n_strikes == 0 || (d->rows == NULL && d->n_rows) ||
        !isfinite(d->spot) || !(d->spot > 0.0))
        return GEX_EINVAL;
    if (d->n_rows == 0)
        return fputs("(no strikes to draw)\n", out) == EOF ? GEX_EIO : GEX_OK;

    /* The n_strikes rows nearest the spot: grow a contiguous run from the nearest strike,
     * taking the nearer neighbour each time. */
    size_t near = 0;
    for (size_t i = 1; i < d->n_rows; i++) {
        if (fabs(d->rows[i].strike - d->spot) < fabs(d->rows[near].strike - d->spot))
            near = i;
    }
    size_t first = near, end = near + 1;
    while (end - first < n_strikes && (first > 0 || end < d->n_rows)) {
        if (first == 0)
            end++;
        else if (end == d->n_rows)
            first--;
        else if (d->spot - d->rows[first - 1].strike <= d->rows[end].strike - d->spot)
            first--;
        else
            end++;
    }

    char price[48], value[32], tags[TAGS_MAX], spot_s[48], flip_s[48];
    int sw = 0, vw = 0, tw = 0;
    double scale = 0.0;
    for (size_t i = first; i < end; i++) {
        const double v = gex__plot_row_net(&d->rows[i], kind);
        if (!isfinite(v) || !isfinite(d->rows[i].strike))
            return GEX_ERANGE;
        scale = fmax(scale, fabs(v));
        sw = (int)fmax(
            sw, (double)strlen(gex__plot_format_strike(d->rows[i].strike, price, sizeof price)));
        vw = (int)fmax(vw, (double)strlen(gex_plot_format_amount(v, 1, value, sizeof value)));
        strike_tags(d, d->rows[i].strike, tags, sizeof tags);
        tw = (int)fmax(tw, (double)strlen(tags));
    }
    const gex_level *flip = &d->levels.gamma_flip;
    const int show_flip = flip->has && isfinite(flip->value) &&
                          flip->value > d->rows[first].strike &&
                          flip->value < d->rows[end - 1].strike;
    gex__plot_format_price(d->spot, spot_s, sizeof spot_s);
    gex__plot_format_price(show_flip ? flip->value : 0.0, flip_s, sizeof flip_s);
    sw = (int)fmax(sw, (double)strlen(spot_s));
    if (show_flip)
        sw = (int)fmax(sw, (double)strlen(flip_s));
    /* Level names take at most a quarter of the width, cut with ".." beyond. */
    const int tag_budget = width / 4;
    if (tw > tag_budget)
        tw = tag_budget;
    /* Columns: strike, space, half bar, axis, half bar, space, value, space, tags. */
    int half = (width - sw - 3 - vw - (tw > 0 ? tw + 1 : 0)) / 2;
    if (half < 6 && tw > 0) {
        tw = 0; /* a narrow terminal keeps the bars and drops the level names */
        half = (width - sw - 3 - vw) / 2;
    }
    if (half < 3)
        return GEX_EINVAL;

    char head[256], unit[GEX_CURRENCY_TEXT_MAX];
    snprintf(head, sizeof head, "Net %s by strike, %s; %s = %s", kind_short_name(kind),
             gex__plot_unit_in(kind, d->unit, d->currency, unit, sizeof unit), full_block,
             gex_plot_format_amount(scale > 0.0 ? scale / half : 0.0, 0, value, sizeof value));
    /* Too wide for the terminal: the unit goes (the block is 3 bytes and one column). */
    if ((int)strlen(head) - 2 > width)
        snprintf(head, sizeof head, "Net %s by strike; %s = %s", kind_short_name(kind), full_block,
                 value);
    if (fprintf(out, "%s\n", head) < 0)
        return GEX_EIO;

    /* The spot among the strikes drawn gets its rule; beside them, a line after them. */
    const int show_spot = d->spot >= d->rows[first].strike && d->spot <= d->rows[end - 1].strike;
    int spot_done = !show_spot, flip_done = !show_flip;
    for (size_t i = first; i < end; i++) {
        const gex_strike_row *row = &d->rows[i];
        /* The rules go before the first strike at or above them, lower one first. */
        for (int pass = 0; pass < 2; pass++) {
            const int spot_first = !show_flip || d->spot <= flip->value;
            const int is_spot = pass == 0 ? spot_first : !spot_first;
            if (is_spot && !spot_done && row->strike >= d->spot) {
                if (rule_line(out, spot_s, sw, half, "spot") != 0)
                    return GEX_EIO;
                spot_done = 1;
            } else if (!is_spot && !flip_done && row->strike >= flip->value) {
                if (rule_line(out, flip_s, sw, half, "gamma flip") != 0)
                    return GEX_EIO;
                flip_done = 1;
            }
        }
        const double v = gex__plot_row_net(row, kind);
        const double cells = scale > 0.0 ? fabs(v) / scale * half : 0.0;
        if (fprintf(out, "%*s ", sw, gex__plot_format_strike(row->strike, price, sizeof price)) < 0)
            return GEX_EIO;
        int rc = 0;
        if (v < 0.0) {
            const int halves = (int)lround(cells * 2.0);
            const int full = halves / 2, part = halves % 2;
            rc |= put_repeat(out, " ", half - full - part);
            rc |= put_repeat(out, right_half, part);
            rc |= put_repeat(out, full_block, full);
        } else {
            rc |= put_repeat(out, " ", half);
        }
        rc |= fputs(axis_char, out) == EOF;
        int drawn = 0;
        if (v > 0.0) {
            const int e = (int)lround(cells * 8.0);
            rc |= put_repeat(out, full_block, e / 8);
            drawn = e / 8;
            if (e % 8 != 0) {
                rc |= fputs(eighths[e % 8], out) == EOF;
                drawn++;
            }
        }
        rc |= put_repeat(out, " ", half - drawn);
        strike_tags(d, row->strike, tags, sizeof tags);
        if (tw == 0)
            tags[0] = '\0';
        else if ((int)strlen(tags) > tw && tw >= 3)
            snprintf(tags + tw - 2, sizeof tags - (size_t)(tw - 2), "..");
        rc |= fprintf(out, " %*s%s%s\n", vw, gex_plot_format_amount(v, 1, value, sizeof value),
                      tags[0] != '\0' ? " " : "", tags) < 0;
        if (rc != 0)
            return GEX_EIO;
    }
    /* A spot outside the strikes drawn (a chain listed on one side of it) gets a line. */
    if (!show_spot) {
        const char *where = d->spot < d->rows[first].strike ? "below" : "above";
        char lo_s[48], hi_s[48];
        gex__plot_format_price(d->rows[first].strike, lo_s, sizeof lo_s);
        gex__plot_format_price(d->rows[end - 1].strike, hi_s, sizeof hi_s);
        if (fprintf(out, "spot %s: %s the strikes shown (%s to %s)\n", spot_s, where, lo_s, hi_s) <
            0)
            return GEX_EIO;
    }
    /* A flip outside the strikes drawn still gets a line: a trader reads the bars for it. */
    if (flip->has && isfinite(flip->value) && !show_flip) {
        gex__plot_format_price(flip->value, flip_s, sizeof flip_s);
        const char *where = flip->value <= d->rows[first].strike ? "below" : "above";
        if (fprintf(out, "gamma flip %s: %s the strikes shown (%+.2f%% from spot)\n", flip_s, where,
                    (flip->value - d->spot) / d->spot * 100.0) < 0)
            return GEX_EIO;
    }
    return ferror(out) ? GEX_EIO : GEX_OK;
}
