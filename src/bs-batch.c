/*
 * Batch greeks over structure-of-arrays inputs.
 */
#include "gex/bs.h"

#include <string.h>

#include "bs-internal.h"
#include "gex/error.h"

const char *gex_bs_batch_path(void)
{
    return "scalar";
}

int gex_bs_greeks_batch(const gex_bs_batch_in *in, const gex_bs_batch_out *out, size_t *n_bad)
{
    if (in == NULL || out == NULL || in->K == NULL || in->T == NULL || in->sigma == NULL ||
        in->type == NULL)
        return GEX_EINVAL;
    size_t bad = 0;
    for (size_t i = 0; i < in->n; i++) {
        const double S = in->S != NULL ? in->S[i] : in->S_all;
        const double r = in->r != NULL ? in->r[i] : in->r_all;
        const double q = in->q != NULL ? in->q[i] : in->q_all;
        gex_greeks g;
        const int rc = gex_bs_greeks(in->type[i], S, in->K[i], in->T[i], in->sigma[i], r, q, &g);
        if (rc != GEX_BS_OK) {
            memset(&g, 0, sizeof g);
            bad++;
        }
        if (out->price != NULL)
            out->price[i] = g.price;
        if (out->delta != NULL)
            out->delta[i] = g.delta;
        if (out->gamma != NULL)
            out->gamma[i] = g.gamma;
        if (out->vega != NULL)
            out->vega[i] = g.vega;
        if (out->vanna != NULL)
            out->vanna[i] = g.vanna;
        if (out->charm != NULL)
            out->charm[i] = g.charm;
        if (out->status != NULL)
            out->status[i] = (uint8_t)rc;
    }
    if (n_bad != NULL)
        *n_bad = bad;
    return GEX_OK;
}
