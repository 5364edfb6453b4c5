/*
 * Max pain (gex/maxpain.h, SPEC 5.3): the pain curve at every listed strike by prefix sums
 * over the contracts sorted by strike, and the direct sum it is tested against.
 */
#include "gex/maxpain.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "gex/option.h"
#include "gex/error.h"

/* Rounding units of the prefix sums' error bound: each of P W - S is two sums of n products,
 * each rounding once per addition; 4 covers both sums of both sides. */
#define MP_ROUNDING_ULPS 4.0

typedef struct mp_item {
    double strike, weight;
    uint8_t type;
} mp_item;

static int mp_cmp(const void *a, const void *b)
{
    double x = ((const mp_item *)a)->strike, y = ((const mp_item *)b)->strike;
    return (x > y) - (x < y);
}

void gex_maxpain_pain_at(const double *strike, const uint8_t *type, const double *weight, size_t n,
                         double p, gex_maxpain_point *out)
{
    double call = 0, put = 0;
    for (size_t i = 0; i < n; i++) {
        if (type[i] == GEX_CALL && p > strike[i])
            call += weight[i] * (p - strike[i]);
        else if (type[i] == GEX_PUT && strike[i] > p)
            put += weight[i] * (strike[i] - p);
    }
    out->strike = p;
    out->call_pain = call;
    out->put_pain = put;
    out->total_pain = call + put;
}

int gex_maxpain_curve(const double *strike, const uint8_t *type, const double *weight, size_t n,
                      double spot, gex_maxpain_point *curve, size_t *n_curve, size_t *best)
{
    if (strike == NULL || type == NULL || weight == NULL || curve == NULL || n_curve == NULL ||
        best == NULL)
        return GEX_EINVAL;
    *n_curve = 0;
    *best = 0;
    if (n == 0)
        return GEX_EEMPTY;
    int weighed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(isfinite(strike[i]) && strike[i] > 0) ||
            (type[i] != GEX_CALL && type[i] != GEX_PUT) || !(isfinite(weight[i]) && weight[i] >= 0))
            return GEX_EINVAL;
        weighed |= weight[i] > 0;
    }
    if (!weighed)
        return GEX_EEMPTY; /* no open interest: every strike pays nothing, none is the least */
    mp_item *item = malloc(n * sizeof *item);
    if (item == NULL)
        return GEX_ENOMEM;
    for (size_t i = 0; i < n; i++)
        item[i] = (mp_item){strike[i], weight[i], type[i]};
    qsort(item, n, sizeof *item, mp_cmp);

    /* Ascending pass: calls at strikes below P pay P W_c - S_c, where W_c and S_c are the
     * weight and the weighted strike of the calls below (every call at a strike < P). */
    size_t m = 0;
    double wc = 0, sc = 0;
    for (size_t i = 0; i < n;) {
        double k = item[i].strike;
        curve[m].strike = k;
        curve[m].call_pain = fmax(0, k * wc - sc);
        for (; i < n && item[i].strike == k; i++)
            if (item[i].type == GEX_CALL) {
                wc += item[i].weight;
                sc += item[i].weight * k;
            }
        m++;
    }
    /* Descending pass for the puts above P: S_p - P W_p. */
    double wp = 0, sp = 0;
    size_t j = n;
    for (size_t c = m; c-- > 0;) {
        double k = curve[c].strike;
        curve[c].put_pain = fmax(0, sp - k * wp);
        for (; j > 0 && item[j - 1].strike == k; j--)
            if (item[j - 1].type == GEX_PUT) {
                wp += item[j - 1].weight;
                sp += item[j - 1].weight * k;
            }
    }
    double item_kmax = item[n - 1].strike;
    free(item);

    /* A flat stretch: the prefix sums at its ends differ in their last bits, so equal means
     * equal within the rounding of the terms P W and S (at most K_max W_total each, n terms). */
    double tol = MP_ROUNDING_ULPS * DBL_EPSILON * (double)n * item_kmax * (wc + wp);
    size_t b = 0;
    for (size_t c = 0; c < m; c++) {
        curve[c].total_pain = curve[c].call_pain + curve[c].put_pain;
        if (c == 0)
            continue;
        if (curve[c].total_pain < curve[b].total_pain - tol)
            b = c;
        else if (fabs(curve[c].total_pain - curve[b].total_pain) <= tol && isfinite(spot) &&
                 fabs(curve[c].strike - spot) < fabs(curve[b].strike - spot))
            b = c;
    }
    *n_curve = m;
    *best = b;
    return GEX_OK;
}
