/*
 * gex plot: what a chart shows, gathered from an analysis (the chart itself computes nothing):
 * the analysis's numbers, P(x) over the chart's window, and the profile's two other curves.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gex/analysis.h"
#include "gex/levels.h"
#include "gex/plot.h"
#include "gex/profile.h"
#include "gex/time.h"

/* The profile reaches this far past the gamma flip when the flip lies outside the strike
 * window, so that the zero crossing is not drawn on the frame. */
#define PROFILE_FLIP_MARGIN 0.01

int gex_plot_data_fill(const gex_analysis *analysis, double range_pct, double *profile_x,
                       double *profile_p, size_t n_profile, gex_plot_data *out)
{
    if (analysis == NULL || out == NULL || n_profile == 1 ||
        (n_profile > 0 && (profile_x == NULL || profile_p == NULL)))
        return GEX_EINVAL;
    memset(out, 0, sizeof *out);
    const gex_exposure *exposure = gex_analysis_exposure(analysis);
    out->symbol = gex_analysis_symbol(analysis);
    out->spot = gex_analysis_spot(analysis);
    out->quote_time = gex_analysis_quote_time(analysis);
    out->unit = gex_analysis_get_options(analysis)->exposure.gex_unit;
    out->currency = gex_chain_currency(gex_analysis_chain(analysis));
    out->rows = gex_exposure_strikes(exposure);
    out->n_rows = gex_exposure_strike_count(exposure);
    out->totals = *gex_analysis_totals(analysis);
    const gex_levels *levels = gex_analysis_levels(analysis);
    if (levels != NULL)
        out->levels = *levels;
    else
        out->levels.flip_method = gex_analysis_get_options(analysis)->flip_method;
    out->regime = *gex_analysis_regime(analysis);
    out->zero_dte = *gex_analysis_zero_dte(analysis);
    out->exposure = exposure;
    if (n_profile == 0)
        return GEX_OK;

    double lo, hi;
    int rc = gex_plot_window(out->rows, out->n_rows, out->spot, range_pct, &lo, &hi);
    if (rc != GEX_OK)
        return rc;
    const gex_level *flip = &out->levels.gamma_flip;
    if (flip->has) {
        lo = fmin(lo, flip->value * (1.0 - PROFILE_FLIP_MARGIN));
        hi = fmax(hi, flip->value * (1.0 + PROFILE_FLIP_MARGIN));
    }
    /* P(x) is defined for x > 0 only: a window of 100% or more starts at the flip search's
     * lower end instead of at zero. */
    if (!(lo > 0.0))
        lo = out->spot * GEX_FLIP_LOWER;
    rc = gex_analysis_profile_grid(analysis, lo, hi, n_profile, profile_x, profile_p);
    if (rc != GEX_OK)
        return rc;
    out->profile_x = profile_x;
    out->profile_p = profile_p;
    out->n_profile = n_profile;
    return GEX_OK;
}

/* P on the data's spots from the analysis's exposure with one more expiration excluded. */
static int profile_without(const gex_analysis *analysis, int32_t day, const gex_plot_data *d,
                           double *p)
{
    const gex_exposure *base = gex_analysis_exposure(analysis);
    gex_exposure_options o = *gex_exposure_get_options(base);
    int32_t *excluded = malloc((o.n_exclude_expirations + 1) * sizeof *excluded);
    if (excluded == NULL)
        return GEX_ENOMEM;
    for (size_t i = 0; i < o.n_exclude_expirations; i++)
        excluded[i] = o.exclude_expirations[i];
    excluded[o.n_exclude_expirations] = day;
    o.exclude_expirations = excluded;
    o.n_exclude_expirations++;
    gex_exposure *e = NULL;
    int rc = gex_exposure_compute(gex_exposure_chain(base), &o, &e);
    if (rc == GEX_OK)
        rc = gex_profile_eval(e, d->profile_x, d->n_profile, p);
    gex_exposure_free(e);
    free(excluded);
    return rc;
}

/* Whether day is the third Friday of its month: a Friday on the 15th to the 21st. */
static int third_friday(int32_t day)
{
    int y, m, dd;
    gex_time_civil_from_days(day, &y, &m, &dd);
    /* 1970-01-01 was a Thursday: Fridays are the days congruent to 1 modulo 7. */
    const int weekday_friday = ((day % 7) + 7) % 7 == 1;
    return weekday_friday && dd >= 15 && dd <= 21;
}

int gex_plot_data_curves(const gex_analysis *analysis, double *without_next,
                         double *without_monthly, gex_plot_data *data)
{
    if (analysis == NULL || data == NULL || data->n_profile < 2 || without_next == NULL ||
        without_monthly == NULL)
        return GEX_EINVAL;
    data->profile_without_next = data->profile_without_monthly = NULL;
    data->without_next_day = data->without_monthly_day = 0;
    const gex_exposure *e = gex_analysis_exposure(analysis);
    int has_next = 0, has_monthly = 0;
    int32_t next = 0, monthly = 0;
    for (size_t i = 0; i < gex_exposure_expiry_count(e); i++) {
        gex_exposure_totals t;
        gex_exposure_expiry_totals(e, i, &t);
        if (t.used == 0)
            continue;
        const int32_t day = gex_exposure_expiry_date(e, i);
        if (!has_next) {
            has_next = 1;
            next = day;
        }
        if (third_friday(day)) {
            has_monthly = 1;
            monthly = day;
            break;
        }
    }
    int rc = GEX_OK;
    if (has_next) {
        rc = profile_without(analysis, next, data, without_next);
        if (rc != GEX_OK)
            return rc;
        data->profile_without_next = without_next;
        data->without_next_day = next;
    }
    if (has_monthly && monthly != next) {
        rc = profile_without(analysis, monthly, data, without_monthly);
        if (rc != GEX_OK)
            return rc;
        data->profile_without_monthly = without_monthly;
        data->without_monthly_day = monthly;
    }
    return GEX_OK;
}
