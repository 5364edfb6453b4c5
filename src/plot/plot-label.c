/*
 * What the charts and the terminal bars write (gex/plot.h's gex_plot_format_amount and
 * plot-internal.h): amounts, prices, symbols and instants as text, the per-kind values of a
 * strike row and their unit. The bottom of the plot files: plot.c, plot-chart.c and
 * plot-term.c call it, it calls none of them.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gex/plot.h"
#include "gex/time.h"
#include "plot-internal.h"
#include "render-digits.h"

char *gex_plot_format_amount(double value, int plus_sign, char *buf, size_t size)
{
    static const char suffixes[] = {'\0', 'K', 'M', 'B', 'T'};
    if (buf == NULL || size == 0)
        return buf;
    if (!isfinite(value)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    const char *sign = value < 0.0 ? "-" : (plus_sign && value > 0.0 ? "+" : "");
    double a = fabs(value);
    size_t s = 0;
    while (a >= 1000.0 && s + 1 < sizeof suffixes) {
        a /= 1000.0;
        s++;
    }
    /* Three significant digits; a value that rounds up to 1000 moves to the next suffix. */
    int decimals = a >= 100.0 ? 0 : (a >= 10.0 ? 1 : 2);
    double rounded = round(a * pow(10.0, decimals)) / pow(10.0, decimals);
    if (rounded >= 1000.0 && s + 1 < sizeof suffixes) {
        a = rounded / 1000.0;
        s++;
        decimals = 2;
    } else if (rounded >= 100.0) {
        decimals = 0;
    } else if (rounded >= 10.0 && decimals > 1) {
        decimals = 1;
    }
    if (s == 0 && a < 0.005) {
        snprintf(buf, size, "0");
        return buf;
    }
    if (s == 0 && a == floor(a))
        decimals = 0; /* 812, not 812.00 */
    if (suffixes[s] == '\0')
        snprintf(buf, size, "%s%.*f", sign, decimals, a);
    else
        snprintf(buf, size, "%s%.*f%c", sign, decimals, a, suffixes[s]);
    return buf;
}

/* The most decimals a tick step is written with: steps are 1, 2, 2.5 or 5 times a power of
 * ten, and below 1e-12 (of an amount's unit) a chart has nothing left to tell. */
#define STEP_DECIMALS_MAX 12
/* How far from a whole number step x 10^d may be and count as one: the rounding of the step's
 * own arithmetic (a few ulps), far below any decimal a label prints. */
#define STEP_WHOLE_REL 1e-9

int gex__plot_step_decimals(double step)
{
    if (!isfinite(step) || !(step > 0.0))
        return 0;
    double scaled = step;
    for (int d = 0; d < STEP_DECIMALS_MAX; d++, scaled *= 10.0) {
        if (fabs(scaled - round(scaled)) <= STEP_WHOLE_REL * scaled)
            return d;
    }
    return STEP_DECIMALS_MAX;
}

char *gex__plot_format_tick(double value, double step, char *buf, size_t size)
{
    static const char suffixes[] = {'\0', 'K', 'M', 'B', 'T'};
    if (buf == NULL || size == 0)
        return buf;
    if (!isfinite(value) || !isfinite(step) || !(step > 0.0)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    /* A tick within rounding of zero is zero (the ticks are sums of steps). */
    if (fabs(value) < step * STEP_WHOLE_REL) {
        snprintf(buf, size, "0");
        return buf;
    }
    double a = fabs(value), unit = 1.0;
    size_t s = 0;
    while (a >= 1000.0 && s + 1 < sizeof suffixes) {
        a /= 1000.0;
        unit *= 1000.0;
        s++;
    }
    /* As many decimals as the step has in the suffix's unit, trailing zeros dropped: two ticks
     * a step apart always differ in the last decimal written. */
    char num[64];
    snprintf(num, sizeof num, "%.*f", gex__plot_step_decimals(step / unit), a);
    char *point = strchr(num, '.');
    if (point != NULL) {
        char *end = num + strlen(num) - 1;
        while (end > point && *end == '0')
            *end-- = '\0';
        if (end == point)
            *end = '\0';
    }
    if (suffixes[s] == '\0')
        snprintf(buf, size, "%s%s", value < 0.0 ? "-" : "", num);
    else
        snprintf(buf, size, "%s%s%c", value < 0.0 ? "-" : "", num, suffixes[s]);
    return buf;
}

char *gex__plot_format_price(double value, char *buf, size_t size)
{
    return gex__plot_format_price_dp(value, gex__price_decimals(value, 2), buf, size);
}

char *gex__plot_format_strike(double value, char *buf, size_t size)
{
    return gex__plot_format_price_dp(value, gex__strike_decimals(value), buf, size);
}

char *gex__plot_format_price_dp(double value, int decimals, char *buf, size_t size)
{
    char digits[64];
    if (!isfinite(value)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > STEP_DECIMALS_MAX)
        decimals = STEP_DECIMALS_MAX;
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(value));
    char *point = strchr(digits, '.');
    /* Drop trailing zeros of the decimals, and the point when nothing is left. */
    if (point != NULL) {
        char *end = digits + strlen(digits) - 1;
        while (end > point && *end == '0')
            *end-- = '\0';
        if (end == point)
            *end = '\0';
    }
    const size_t int_len =
        point != NULL && *point == '.' ? (size_t)(point - digits) : strlen(digits);
    char out[96];
    size_t o = 0;
    if (value < 0.0 && strcmp(digits, "0") != 0)
        out[o++] = '-';
    for (size_t i = 0; i < int_len; i++) {
        if (i > 0 && (int_len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf(out + o, sizeof out - o, "%s", digits + int_len);
    snprintf(buf, size, "%s", out);
    return buf;
}

char *gex__plot_symbol(const char *symbol, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *c = symbol; c != NULL && *c != '\0' && n + 1 < size; c++)
        buf[n++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
    buf[n] = '\0';
    return buf;
}

char *gex__plot_format_instant(int64_t utc, char *buf, size_t size)
{
    gex_time_format_eastern(utc, buf, size);
    return buf;
}

double gex__plot_row_net(const gex_strike_row *row, gex_plot_kind kind)
{
    switch (kind) {
    case GEX_PLOT_DEX:
        return row->net_dex;
    case GEX_PLOT_VEX:
        return row->net_vex;
    case GEX_PLOT_CHEX:
        return row->net_chex;
    default:
        return row->net_gex;
    }
}

double gex__plot_row_call(const gex_strike_row *row, gex_plot_kind kind)
{
    switch (kind) {
    case GEX_PLOT_DEX:
        return row->call_dex;
    case GEX_PLOT_VEX:
        return row->call_vex;
    case GEX_PLOT_CHEX:
        return row->call_chex;
    default:
        return row->call_gex;
    }
}

double gex__plot_row_put(const gex_strike_row *row, gex_plot_kind kind)
{
    switch (kind) {
    case GEX_PLOT_DEX:
        return row->put_dex;
    case GEX_PLOT_VEX:
        return row->put_vex;
    case GEX_PLOT_CHEX:
        return row->put_chex;
    default:
        return row->put_gex;
    }
}

/* SPEC 1.5, the unit column of the exposure table, in dollars (gex__plot_unit_in). */
static const char *unit_label(gex_plot_kind kind, gex_gex_unit unit)
{
    switch (kind) {
    case GEX_PLOT_DEX:
        return "USD delta notional";
    case GEX_PLOT_VEX:
        return "USD of delta per vol point";
    case GEX_PLOT_CHEX:
        return "USD of delta per calendar day";
    default:
        break;
    }
    switch (unit) {
    case GEX_UNIT_POINT:
        return "USD of delta per $1 spot move";
    case GEX_UNIT_SHARES:
        return "shares per $1 spot move";
    default:
        return "USD of delta per 1% spot move";
    }
}

const char *gex__plot_unit_in(gex_plot_kind kind, gex_gex_unit unit, const char *currency,
                              char *buf, size_t size)
{
    return gex_currency_text(unit_label(kind, unit), currency, buf, size);
}
