/*
 * gex plot: what a chart shows, gathered from a prepared chain and its exposure through the
 * public exposure and levels API (the chart itself computes nothing).
 */
#include <math.h>
#include <string.h>

#include "gex/levels.h"
#include "gex/plot.h"

/* The profile reaches this far past the gamma flip when the flip lies outside the strike
 * window, so that the zero crossing is not drawn on the frame. */
#define PROFILE_FLIP_MARGIN 0.01

int gex_plot_data_fill(const gex_chain *chain, const gex_exposure *exposure, gex_flip_method method,
                       double range_pct, double *profile_x, double *profile_p, size_t n_profile,
                       gex_plot_data *out)
{
    if (chain == NULL || exposure == NULL || out == NULL || n_profile == 1 ||
        (n_profile > 0 && (profile_x == NULL || profile_p == NULL)))
        return GEX_EINVAL;
    memset(out, 0, sizeof *out);
    uint32_t id;
    if (gex_chain_underlyings(chain, &id, 1) >= 1)
        out->symbol = gex_chain_symbol(chain, id);
    out->spot = gex_exposure_spot(exposure);
    out->quote_time = gex_exposure_quote_time(exposure);
    out->unit = gex_exposure_get_options(exposure)->gex_unit;
    out->rows = gex_exposure_strikes(exposure);
    out->n_rows = gex_exposure_strike_count(exposure);
    gex_exposure_get_totals(exposure, &out->totals);

    int rc = gex_levels_compute(chain, exposure, method, &out->levels);
    if (rc != GEX_OK)
        return rc;
    gex_regime_classify(out->spot, out->totals.net_gex, out->totals.net_vex,
                        &out->levels.gamma_flip, &out->regime);
    rc = gex_zero_dte_block(chain, exposure, &out->zero_dte);
    if (rc != GEX_OK)
        return rc;
    if (n_profile == 0)
        return GEX_OK;

    double lo, hi;
    rc = gex_plot_window(out->rows, out->n_rows, out->spot, range_pct, &lo, &hi);
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
    rc = gex_profile_grid(chain, exposure, lo, hi, n_profile, profile_x, profile_p);
    if (rc != GEX_OK)
        return rc;
    out->profile_x = profile_x;
    out->profile_p = profile_p;
    out->n_profile = n_profile;
    return GEX_OK;
}
