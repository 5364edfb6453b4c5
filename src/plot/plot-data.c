/*
 * gex plot: what a chart shows, gathered from an analysis (the chart itself computes nothing).
 */
#include <math.h>
#include <string.h>

#include "gex/analysis.h"
#include "gex/levels.h"
#include "gex/plot.h"

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
