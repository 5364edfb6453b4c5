/*
 * The analysis of one underlying (gex/analysis.h): the exposure, then (unless the options skip
 * them) the levels, the regime and the 0DTE block from it, once.
 */
#include "gex/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct gex_analysis {
    const gex_chain *chain;
    gex_exposure *exposure;
    gex_analysis_options options; /* options.exposure.expirations: the exposure's copy */
    const char *symbol;
    gex_exposure_totals totals;
    int has_levels;
    gex_levels levels;
    gex_regime regime;
    gex_zero_dte zero_dte;
};

void gex_analysis_options_default(gex_analysis_options *options)
{
    if (options == NULL)
        return;
    memset(options, 0, sizeof *options);
    gex_exposure_options_default(&options->exposure);
    options->flip_method = GEX_FLIP_PROFILE;
}

/* The failure of one stage, named as the program prints it. */
static int stage_failed(gex_error *err, int status, const char *symbol, const char *stage)
{
    return gex_error_set(err, status, NULL, 0, 0, "%s: computing the %s failed: %s",
                         symbol != NULL ? symbol : "?", stage, gex_strerror(status));
}

/* What gex_exposure_compute's GEX_EINVAL was about (gex/exposure.h), said with what to do: a
 * chain of several underlyings, one not prepared or without a spot, an option out of its
 * domain. */
static int invalid_input(gex_error *err, const gex_chain *chain, const gex_exposure_options *o,
                         const char *symbol)
{
    uint32_t ids[2];
    const size_t n_u = gex_chain_underlyings(chain, ids, 2);
    if (n_u > 1)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0,
                             "the chain holds several underlyings (%s, %s, ...): analyse one at a "
                             "time (gex_chain_select; --symbol on the command line)",
                             gex_chain_symbol(chain, ids[0]), gex_chain_symbol(chain, ids[1]));
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    for (size_t i = 0; i < v.n; i++) {
        if (isnan(v.T[i]))
            return gex_error_set(err, GEX_EINVAL, NULL, 0, 0,
                                 "%s: the chain is not prepared: call gex_chain_prepare first",
                                 symbol);
        if (!(v.spot[i] > 0) || !isfinite(v.spot[i]))
            return gex_error_set(err, GEX_EINVAL, NULL, 0, 0,
                                 "%s: the chain gives no spot price: set one (gex_chain_set_spot; "
                                 "--spot on the command line)",
                                 symbol);
    }
    if (o != NULL && (!(o->min_oi >= 0) || !isfinite(o->min_oi) || !(o->min_bid >= 0) ||
                      !isfinite(o->min_bid) || !(o->max_abs_delta >= 0 && o->max_abs_delta <= 1)))
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0,
                             "%s: a filter is out of its domain (min_oi %g and min_bid %g must be "
                             "finite and >= 0, max_abs_delta %g from 0 to 1)",
                             symbol, o->min_oi, o->min_bid, o->max_abs_delta);
    if (o != NULL && gex_exposure_exercise_name(o->exercise) == NULL)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "%s: unknown exercise style %d", symbol,
                             (int)o->exercise);
    if (o != NULL && (o->gex_unit < GEX_UNIT_PCT || o->gex_unit > GEX_UNIT_SHARES))
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "%s: unknown GEX unit %d", symbol,
                             (int)o->gex_unit);
    return stage_failed(err, GEX_EINVAL, symbol, "exposures");
}

int gex_analysis_new(const gex_chain *chain, const gex_analysis_options *options,
                     gex_analysis **out, gex_error *err)
{
    if (out != NULL)
        *out = NULL;
    gex_analysis_options defaults;
    if (options == NULL) {
        gex_analysis_options_default(&defaults);
        options = &defaults;
    }
    if (chain == NULL || out == NULL)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "no chain to analyse");
    uint32_t id = 0;
    if (gex_chain_size(chain) == 0 || gex_chain_underlyings(chain, &id, 1) == 0)
        return gex_error_set(err, GEX_EEMPTY, NULL, 0, 0, "no contracts to compute");

    gex_analysis *a = calloc(1, sizeof *a);
    if (a == NULL)
        return gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory");
    a->chain = chain;
    a->symbol = gex_chain_symbol(chain, id);
    int st = gex_exposure_compute(chain, &options->exposure, &a->exposure);
    if (st == GEX_EINVAL) {
        invalid_input(err, chain, &options->exposure, a->symbol);
        gex_analysis_free(a);
        return st;
    }
    if (st != GEX_OK) {
        stage_failed(err, st, a->symbol, "exposures");
        gex_analysis_free(a);
        return st;
    }
    a->options = *options;
    a->options.exposure = *gex_exposure_get_options(a->exposure);
    gex_exposure_get_totals(a->exposure, &a->totals);
    if (options->skip_levels) {
        a->levels.flip_method = options->flip_method;
        *out = a; /* the exposures only: no levels, regime or 0DTE block */
        return GEX_OK;
    }
    if (a->totals.used > 0) {
        st = gex_levels_compute(a->exposure, options->flip_method, &a->levels);
        if (st == GEX_OK)
            st = gex_zero_dte_block(a->exposure, &a->zero_dte);
        if (st == GEX_EINVAL && gex_flip_method_name(options->flip_method) == NULL)
            gex_error_set(err, st, NULL, 0, 0, "%s: unknown flip method %d", a->symbol,
                          (int)options->flip_method);
        else if (st != GEX_OK)
            stage_failed(err, st, a->symbol, "levels");
        if (st != GEX_OK) {
            gex_analysis_free(a);
            return st;
        }
        a->has_levels = 1;
    } else {
        a->levels.flip_method = options->flip_method;
    }
    gex_regime_classify(gex_exposure_spot(a->exposure), a->totals.net_gex, a->totals.net_vex,
                        &a->levels.gamma_flip, &a->regime);
    *out = a;
    return GEX_OK;
}

void gex_analysis_free(gex_analysis *a)
{
    if (a == NULL)
        return;
    gex_exposure_free(a->exposure);
    free(a);
}

const gex_chain *gex_analysis_chain(const gex_analysis *a)
{
    return a != NULL ? a->chain : NULL;
}

const gex_exposure *gex_analysis_exposure(const gex_analysis *a)
{
    return a != NULL ? a->exposure : NULL;
}

const gex_analysis_options *gex_analysis_get_options(const gex_analysis *a)
{
    return a != NULL ? &a->options : NULL;
}

const char *gex_analysis_symbol(const gex_analysis *a)
{
    return a != NULL ? a->symbol : NULL;
}

double gex_analysis_spot(const gex_analysis *a)
{
    return gex_exposure_spot(gex_analysis_exposure(a));
}

int64_t gex_analysis_quote_time(const gex_analysis *a)
{
    return gex_exposure_quote_time(gex_analysis_exposure(a));
}

void gex_analysis_carry(const gex_analysis *a, double *rate, double *div)
{
    gex_exposure_carry(gex_analysis_exposure(a), rate, div);
}

const gex_exposure_totals *gex_analysis_totals(const gex_analysis *a)
{
    return a != NULL ? &a->totals : NULL;
}

const gex_levels *gex_analysis_levels(const gex_analysis *a)
{
    return a != NULL && a->has_levels ? &a->levels : NULL;
}

const gex_regime *gex_analysis_regime(const gex_analysis *a)
{
    return a != NULL && !a->options.skip_levels ? &a->regime : NULL;
}

const gex_zero_dte *gex_analysis_zero_dte(const gex_analysis *a)
{
    return a != NULL && !a->options.skip_levels ? &a->zero_dte : NULL;
}

int gex_analysis_hedging(const gex_analysis *a, gex_hedge *down, gex_hedge *up)
{
    return gex_hedging_estimate(gex_analysis_exposure(a), down, up);
}

int gex_analysis_profile(const gex_analysis *a, const double *x, size_t n, double *p)
{
    return gex_profile_eval(gex_analysis_exposure(a), x, n, p);
}

int gex_analysis_profile_grid(const gex_analysis *a, double x_min, double x_max, size_t n,
                              double *x, double *p)
{
    return gex_profile_grid(gex_analysis_exposure(a), x_min, x_max, n, x, p);
}
