/*
 * The levels of SPEC 1.6 that follow from per-strike tables: walls, extremes, highest open
 * interest, the 0DTE magnet, and the vendor's per-strike flip. The profile flip is in
 * src/profile.c; the regime, hedging and 0DTE block of SPEC 1.7 (src/regime.c) build on these
 * levels and are not called from here.
 */
#include "gex/levels.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "gex/error.h"
#include "levels-internal.h"

static const char *const flip_method_names[] = {"profile", "strike"};

const char *gex_flip_method_name(int method)
{
    if (method < 0 || method > GEX_FLIP_STRIKE)
        return NULL;
    return flip_method_names[method];
}

int gex_flip_method_parse(const char *name, gex_flip_method *method)
{
    if (name == NULL || method == NULL)
        return GEX_EINVAL;
    for (int m = GEX_FLIP_PROFILE; m <= GEX_FLIP_STRIKE; m++) {
        if (strcmp(name, flip_method_names[m]) == 0) {
            *method = (gex_flip_method)m;
            return GEX_OK;
        }
    }
    return GEX_EINVAL;
}

int gex__levels_better(double score, double strike, double best_score, double best_strike,
                       double spot)
{
    if (score != best_score)
        return score > best_score;
    const double d = fabs(strike - spot), best_d = fabs(best_strike - spot);
    if (d != best_d)
        return d < best_d;
    return strike < best_strike;
}

/* What a level ranks the rows by. */
typedef enum row_score_kind {
    SCORE_CALL_GEX,      /* call wall */
    SCORE_PUT_GEX_ABS,   /* put wall */
    SCORE_NET_GEX,       /* max positive gamma */
    SCORE_NET_GEX_NEG,   /* max negative gamma: the most negative net_gex */
    SCORE_NET_GEX_ABS,   /* 0DTE magnet */
    SCORE_OPEN_INTEREST, /* highest open interest */
    SCORE_ABS_GAMMA      /* absolute-gamma strike: call_gex + |put_gex| */
} row_score_kind;

/* Which strikes a level looks at: all, those at or above the spot, at or below it. */
typedef enum row_side { SIDE_ALL = 0, SIDE_ABOVE, SIDE_BELOW } row_side;

static double row_score(const gex_strike_row *row, row_score_kind kind)
{
    switch (kind) {
    case SCORE_CALL_GEX:
        return row->call_gex;
    case SCORE_PUT_GEX_ABS:
        return fabs(row->put_gex);
    case SCORE_NET_GEX:
        return row->net_gex;
    case SCORE_NET_GEX_NEG:
        return -row->net_gex;
    case SCORE_NET_GEX_ABS:
        return fabs(row->net_gex);
    case SCORE_OPEN_INTEREST:
        return row->call_oi + row->put_oi;
    case SCORE_ABS_GAMMA:
        return row->call_gex + fabs(row->put_gex);
    }
    return 0;
}

/* The strike of the row with the largest score > 0, ties by SPEC 1.6; has = 0 when no score is
 * positive (a wall of no exposure, or an extreme of the wrong sign, does not exist). */
static gex_level rows_argmax_side(const gex_strike_row *rows, size_t n, double spot,
                                  row_score_kind kind, row_side side)
{
    gex_level level = {0, 0.0};
    double best = 0;
    for (size_t i = 0; i < n; i++) {
        if ((side == SIDE_ABOVE && rows[i].strike < spot) ||
            (side == SIDE_BELOW && rows[i].strike > spot))
            continue;
        const double score = row_score(&rows[i], kind);
        if (!(score > 0))
            continue;
        if (!level.has || gex__levels_better(score, rows[i].strike, best, level.value, spot)) {
            level.has = 1;
            level.value = rows[i].strike;
            best = score;
        }
    }
    return level;
}

static gex_level rows_argmax(const gex_strike_row *rows, size_t n, double spot, row_score_kind kind)
{
    return rows_argmax_side(rows, n, spot, kind, SIDE_ALL);
}

size_t gex__levels_zero_dte_index(const gex_exposure *exposure)
{
    const size_t n = gex_exposure_expiry_count(exposure);
    const int32_t today = gex_exposure_quote_date(exposure);
    for (size_t i = 0; i < n; i++)
        if (gex_exposure_expiry_date(exposure, i) == today)
            return i;
    return n;
}

/* The 0DTE magnet of an exposure (SPEC 1.6): the strike of the largest |net_gex| > 0 over the
 * rows of its expiration on the quote date; has = 0 when it has none. */
static gex_level zero_dte_magnet(const gex_exposure *exposure)
{
    gex_level none = {0, 0.0};
    const size_t i = gex__levels_zero_dte_index(exposure);
    if (i == gex_exposure_expiry_count(exposure))
        return none;
    size_t n_rows = 0;
    const gex_strike_row *rows = gex_exposure_expiry_strikes(exposure, i, &n_rows);
    return rows_argmax(rows, n_rows, gex_exposure_spot(exposure), SCORE_NET_GEX_ABS);
}

static int spot_ok(double spot)
{
    return spot > 0 && spot < HUGE_VAL;
}

/* The per-strike flip over strided arrays (a plain table, or the rows of gex_strike_row), so
 * both public entry points share one implementation. Strides in bytes. */
static int flip_strike_strided(const char *strike, size_t strike_stride, const char *net,
                               size_t net_stride, size_t n, double spot, gex_level *flip,
                               size_t *sign_changes)
{
    if (flip == NULL || (n > 0 && (strike == NULL || net == NULL)) || !spot_ok(spot))
        return GEX_EINVAL;
    double prev_k = 0;
    for (size_t i = 0; i < n; i++) {
        double k, g;
        memcpy(&k, strike + i * strike_stride, sizeof k);
        memcpy(&g, net + i * net_stride, sizeof g);
        if (!isfinite(k) || !isfinite(g) || (i > 0 && !(k > prev_k)))
            return GEX_EINVAL;
        prev_k = k;
    }

    gex_level best = {0, 0.0};
    size_t changes = 0;
    int have_prev = 0;
    double k1 = 0, g1 = 0;
    for (size_t i = 0; i < n; i++) {
        double k2, g2;
        memcpy(&k2, strike + i * strike_stride, sizeof k2);
        memcpy(&g2, net + i * net_stride, sizeof g2);
        if (g2 == 0)
            continue; /* a strike with no net exposure has no sign */
        if (have_prev && ((g1 < 0 && g2 > 0) || (g1 > 0 && g2 < 0))) {
            /* SPEC 1.6, the vendor's live method: linear interpolation of net_gex between the
             * two strikes, written in the SPEC's order of operations so that the vendor's own
             * figure is reproduced to the last bit. */
            const double zero = k1 + (k2 - k1) * (-g1 / (g2 - g1));
            changes++;
            if (!best.has || fabs(zero - spot) < fabs(best.value - spot)) {
                best.has = 1;
                best.value = zero;
            }
        }
        have_prev = 1;
        k1 = k2;
        g1 = g2;
    }
    *flip = best;
    if (sign_changes != NULL)
        *sign_changes = changes;
    return GEX_OK;
}

int gex_levels_flip_strike(const double *strike, const double *net_gex, size_t n, double spot,
                           gex_level *flip, size_t *sign_changes)
{
    return flip_strike_strided((const char *)strike, sizeof(double), (const char *)net_gex,
                               sizeof(double), n, spot, flip, sign_changes);
}

int gex__levels_table(const gex_strike_row *rows, size_t n, double spot, gex_levels *out)
{
    if (out == NULL || (rows == NULL && n > 0) || !spot_ok(spot))
        return GEX_EINVAL;
    for (size_t i = 0; i < n; i++) {
        const gex_strike_row *r = &rows[i];
        if (!isfinite(r->call_gex) || !isfinite(r->put_gex) || !isfinite(r->net_gex) ||
            !isfinite(r->call_oi) || !isfinite(r->put_oi))
            return GEX_EINVAL;
    }
    memset(out, 0, sizeof *out);
    out->call_wall = rows_argmax(rows, n, spot, SCORE_CALL_GEX);
    out->put_wall = rows_argmax(rows, n, spot, SCORE_PUT_GEX_ABS);
    out->max_positive_gamma = rows_argmax(rows, n, spot, SCORE_NET_GEX);
    out->max_negative_gamma = rows_argmax(rows, n, spot, SCORE_NET_GEX_NEG);
    out->highest_oi_strike = rows_argmax(rows, n, spot, SCORE_OPEN_INTEREST);
    out->resistance = rows_argmax_side(rows, n, spot, SCORE_CALL_GEX, SIDE_ABOVE);
    out->support = rows_argmax_side(rows, n, spot, SCORE_PUT_GEX_ABS, SIDE_BELOW);
    out->abs_gamma_strike = rows_argmax(rows, n, spot, SCORE_ABS_GAMMA);
    return GEX_OK;
}

int gex_levels_from_rows(const gex_strike_row *rows, size_t n, double spot, gex_levels *out)
{
    int rc = gex__levels_table(rows, n, spot, out);
    if (rc != GEX_OK)
        return rc;
    out->flip_method = GEX_FLIP_STRIKE;
    if (n == 0)
        return GEX_OK; /* no rows: no sign change, flip absent */
    const char *base = (const char *)rows;
    return flip_strike_strided(base + offsetof(gex_strike_row, strike), sizeof *rows,
                               base + offsetof(gex_strike_row, net_gex), sizeof *rows, n, spot,
                               &out->gamma_flip, &out->flip_sign_changes);
}

int gex_levels_compute(const gex_exposure *exposure, gex_flip_method method, gex_levels *out)
{
    if (exposure == NULL || out == NULL ||
        (method != GEX_FLIP_PROFILE && method != GEX_FLIP_STRIKE))
        return GEX_EINVAL;
    const gex_strike_row *rows = gex_exposure_strikes(exposure);
    const size_t n = gex_exposure_strike_count(exposure);
    const double spot = gex_exposure_spot(exposure);
    int rc;
    if (method == GEX_FLIP_STRIKE) {
        rc = gex_levels_from_rows(rows, n, spot, out);
    } else {
        rc = gex__levels_table(rows, n, spot, out);
        if (rc == GEX_OK)
            rc = gex_levels_flip_profile(exposure, &out->gamma_flip, &out->flip_evaluations,
                                         &out->flip_sign_changes);
    }
    if (rc != GEX_OK)
        return rc;
    out->flip_method = method;
    out->zero_dte_magnet = zero_dte_magnet(exposure);
    return GEX_OK;
}
