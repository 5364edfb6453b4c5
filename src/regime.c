/*
 * The regime classifier, the dealer hedging estimate and the 0DTE block (SPEC 1.7).
 */
#include "gex/regime.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "gex/error.h"
#include "levels-internal.h"

/* The sentences of the SPEC 1.7 table (the seed article's classifier). */
static const char MEANING_NEAR_FLIP[] =
    "Spot is near the gamma flip: the regime can change with a small move, so expect two-way, "
    "unstable trading.";
static const char MEANING_STRONGLY_DAMPENED[] =
    "Positive gamma with vanna aligned, well above the flip: dealer hedging strongly dampens "
    "moves.";
static const char MEANING_DAMPENED[] =
    "Positive gamma with vanna aligned: dealer hedging dampens moves.";
static const char MEANING_VANNA_ADVERSE[] =
    "Positive gamma but vanna against it: moves are dampened, less so when volatility changes.";
static const char MEANING_AMPLIFIED[] =
    "Negative gamma: dealer hedging amplifies moves in both directions.";
static const char MEANING_NEUTRAL[] = "No net gamma exposure: dealer hedging neither dampens nor "
                                      "amplifies moves.";

void gex_regime_classify(double spot, double net_gex, double net_vex, const gex_level *flip,
                         gex_regime *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    out->regime = net_gex > 0 ? 1 : (net_gex < 0 ? -1 : 0);
    out->vanna_aligned = out->regime > 0 && net_vex < 0;
    const int has_flip =
        flip != NULL && flip->has && spot > 0 && isfinite(spot) && isfinite(flip->value);
    if (has_flip) {
        out->dist_to_flip.has = 1;
        out->dist_to_flip.value = (spot - flip->value) / spot * 100.0;
        const double d = fabs(out->dist_to_flip.value);
        out->confidence = d > GEX_REGIME_HIGH_PCT       ? "high"
                          : d > GEX_REGIME_MODERATE_PCT ? "moderate"
                                                        : "low";
        out->vendor_regime = spot > flip->value   ? "positive_gamma"
                             : spot < flip->value ? "negative_gamma"
                                                  : "undetermined";
    } else {
        /* No zero of P within 50% of the spot: the flip, if any, is farther than any
         * threshold. With no net gamma at all there is nothing to be confident about. */
        out->confidence = out->regime != 0 ? "high" : "low";
        out->vendor_regime = "undetermined";
    }
    if (out->regime == 0)
        out->meaning = MEANING_NEUTRAL;
    else if (strcmp(out->confidence, "low") == 0)
        out->meaning = MEANING_NEAR_FLIP;
    else if (out->regime < 0)
        out->meaning = MEANING_AMPLIFIED;
    else if (!out->vanna_aligned)
        out->meaning = MEANING_VANNA_ADVERSE;
    else if (strcmp(out->confidence, "high") == 0)
        out->meaning = MEANING_STRONGLY_DAMPENED;
    else
        out->meaning = MEANING_DAMPENED;
}

static void hedge_fill(gex_hedge *h, double shares, double spot)
{
    h->shares = shares;
    h->notional_usd = fabs(shares) * spot;
    h->direction = shares > 0 ? "buy" : (shares < 0 ? "sell" : "none");
}

/* The rounding of a change of the book's delta, D(x) - D(S) with D(x) = sum_i w_i delta_i(x)
 * and |delta_i| <= 1: each sum is within gamma_{n+16} sum_i |w_i| of its value (Higham,
 * "Accuracy and Stability of Numerical Algorithms", 2nd ed., eq. 4.4, gamma_k = k u / (1 - k u),
 * u = DBL_EPSILON / 2: n - 1 additions, plus 16 for the few ulps of each delta's normal CDF and
 * the products forming its term), their difference within twice that, about (n + 16)
 * DBL_EPSILON sum_i |w_i|; doubled again for margin, as profile.c's cell_gamma. A change no
 * larger is rounding, not a trade: a book of zero gamma (the calls and puts of each strike in
 * equal numbers) otherwise reports 1e-9 shares with a direction. */
static double delta_change_rounding(const gex__book *b)
{
    double weights = 0;
    for (size_t i = 0; i < b->n; i++)
        weights += fabs(b->w[i]);
    return 2.0 * (double)(b->n + 16) * DBL_EPSILON * weights;
}

/* -(d_x - d0), or 0 when the change is within the sums' rounding (delta_change_rounding). */
static double hedge_shares(double d_x, double d0, double rounding)
{
    const double change = d_x - d0;
    return fabs(change) <= rounding ? 0.0 : -change;
}

int gex_hedging_move(const gex_exposure *exposure, double move, gex_hedge *down, gex_hedge *up)
{
    if (down == NULL || up == NULL || !(move > 0.0 && move < 1.0))
        return GEX_EINVAL;
    gex__book b;
    int rc = gex__book_init(&b, exposure, GEX_BOOK_DELTA);
    if (rc != GEX_OK)
        return rc;
    const double S = b.spot;
    double d0 = 0, d_down = 0, d_up = 0;
    /* SPEC 1.7: full revaluation of every contract's delta at S (1 -+ move); the base D(S) is
     * computed by the same batch, so the difference carries no mixing of code paths. */
    rc = gex__book_delta(&b, S, &d0);
    if (rc == GEX_OK)
        rc = gex__book_delta(&b, S * (1.0 - move), &d_down);
    if (rc == GEX_OK)
        rc = gex__book_delta(&b, S * (1.0 + move), &d_up);
    const double rounding = delta_change_rounding(&b);
    gex__book_free(&b);
    if (rc != GEX_OK)
        return rc;
    /* To stay delta-neutral the dealers trade the opposite of their delta's change. */
    hedge_fill(down, hedge_shares(d_down, d0, rounding), S);
    hedge_fill(up, hedge_shares(d_up, d0, rounding), S);
    return GEX_OK;
}

int gex_hedging_linear(const gex_exposure *exposure, double move, gex_hedge *down, gex_hedge *up)
{
    if (exposure == NULL || down == NULL || up == NULL || !(move > 0.0 && move < 1.0))
        return GEX_EINVAL;
    gex_exposure_totals t;
    gex_exposure_get_totals(exposure, &t);
    const double S = gex_exposure_spot(exposure);
    /* The net gamma in shares per $1 from net GEX in the exposure's unit (gex/exposure.h:
     * point = pct * 100 / S, shares = pct * 100 / S^2). */
    double g;
    switch (gex_exposure_get_options(exposure)->gex_unit) {
    case GEX_UNIT_POINT:
        g = t.net_gex / S;
        break;
    case GEX_UNIT_SHARES:
        g = t.net_gex;
        break;
    default:
        g = t.net_gex * 100.0 / (S * S);
        break;
    }
    const double shares = g * S * move;
    hedge_fill(down, shares, S);
    hedge_fill(up, -shares, S);
    return GEX_OK;
}

int gex_hedging_estimate(const gex_exposure *exposure, gex_hedge *down, gex_hedge *up)
{
    return gex_hedging_move(exposure, GEX_HEDGE_MOVE, down, up);
}

int gex_zero_dte_block(const gex_exposure *exposure, gex_zero_dte *out)
{
    if (exposure == NULL || out == NULL)
        return GEX_EINVAL;
    memset(out, 0, sizeof *out);
    const size_t i = gex__levels_zero_dte_index(exposure);
    if (i == gex_exposure_expiry_count(exposure))
        return GEX_OK;
    gex_exposure_totals all, zero;
    gex_exposure_get_totals(exposure, &all);
    gex_exposure_expiry_totals(exposure, i, &zero);
    if (zero.used == 0)
        return GEX_OK; /* listed but none usable: no 0DTE exposure to speak of */
    out->has = 1;
    out->net_gex = zero.net_gex;
    out->pct_of_total_gex = all.gross_gex > 0 ? 100.0 * zero.gross_gex / all.gross_gex : 0.0;
    out->expiration = gex_exposure_expiry_date(exposure, i);
    return GEX_OK;
}
