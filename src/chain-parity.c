/*
 * gex_chain_parity_fit: the forward and discount factor of each expiration implied by put-call
 * parity on the mids of the strikes near the money where both sides quote (issue 14; the carry
 * CBOE's own greeks use), or on the file's theoretical prices (gex_chain_parity_fit_prices).
 */
#include "gex/chain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chain-internal.h"
#include "gex/option.h"
#include "median-internal.h"
#include "sort-internal.h"

/* One two-sided strike: K and y = C_mid - P_mid = D (F - K) (Hull, "Options, Futures, and Other
 * Derivatives", 10th ed., eq. 11.10 with a continuous yield: C - P = S e^{-qT} - K e^{-rT}). */
typedef struct parity_pair {
    int64_t settlement;
    double K, y, T;
} parity_pair;

/* A quote's mid when it is two-sided (SPEC 1.4's rule), else NAN. */
static double mid_of(double bid, double ask)
{
    if (bid > 0 && bid < HUGE_VAL && ask >= bid && ask < HUGE_VAL)
        return 0.5 * bid + 0.5 * ask;
    return (double)NAN;
}

/* Contract positions in order of underlying, settlement, strike, type: a call and its put side
 * by side. The keys are read from the chain's own arrays (ctx), so the sort moves 4 bytes a
 * contract. */
static int cmp_position(const void *a, const void *b, void *ctx)
{
    return gex__chain_cmp_contracts(ctx, *(const uint32_t *)a, *(const uint32_t *)b, 0);
}

/* Fits one expiration's pairs p[0..n) (sorted by strike), writing *f. scratch holds n^2 / 2 + n
 * doubles. */
static void fit_expiration(parity_pair *p, size_t n, double spot, double rate, double *scratch,
                           gex_parity_fit *f)
{
    f->pairs = n;
    f->ok = 0;
    if (n < GEX_PARITY_MIN_PAIRS || !(p[0].T > 0))
        return;
    /* the m pairs nearest the money: in strike order they are the m consecutive ones around
     * the spot, found outward from it (a tie to the lower strike) */
    const size_t m = n < GEX_PARITY_NEAR_PAIRS ? n : GEX_PARITY_NEAR_PAIRS;
    size_t lo = 0, hi = n; /* the first pair at or above the spot: p[lo..hi) holds it */
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (p[mid].K < spot)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t taken = 0; taken < m; taken++) {
        if (hi < n && (lo == 0 || p[hi].K - spot < spot - p[lo - 1].K))
            hi++;
        else
            lo--;
    }
    p += lo;
    f->pairs = m;
    const double T = p[0].T;
    double D;
    if (T >= GEX_PARITY_MIN_T_FOR_RATE) {
        /* Theil-Sen (Sen 1968): the median of the pairwise slopes -D, then the median of the
         * intercepts D F. */
        size_t k = 0;
        for (size_t i = 0; i < m; i++)
            for (size_t j = i + 1; j < m; j++)
                if (p[j].K != p[i].K)
                    scratch[k++] = (p[j].y - p[i].y) / (p[j].K - p[i].K);
        if (k == 0)
            return;
        D = -gex__median(scratch, k);
    } else {
        /* over a few days e^{-rT} is 1 to within the quotes' noise: held at the chain's rate */
        D = exp(-rate * T);
    }
    if (!(D > GEX_PARITY_D_MIN && D <= GEX_PARITY_D_MAX))
        return;
    for (size_t i = 0; i < m; i++)
        scratch[i] = p[i].K + p[i].y / D;
    const double F = gex__median(scratch, m);
    if (!(F > 0 && F < HUGE_VAL))
        return;
    for (size_t i = 0; i < m; i++)
        scratch[i] = fabs(p[i].y - D * (F - p[i].K));
    f->residual = gex__median(scratch, m);
    f->forward = F;
    f->discount = D;
    f->rate = -log(D) / T;
    f->div = f->rate - log(F / spot) / T;
    f->ok = isfinite(f->rate) && isfinite(f->div);
}

/* The work of both entry points: every contract's position, sorted, and scratch space. */
typedef struct parity_work {
    const gex_chain *chain;
    gex_parity_prices prices;
    uint32_t *order;
    parity_pair *pairs;
    double *scratch;
} parity_work;

static void work_free(parity_work *w)
{
    free(w->order);
    free(w->pairs);
    free(w->scratch);
}

static int work_new(const gex_chain *chain, gex_parity_prices prices, parity_work *w)
{
    const size_t n = chain->n;
    w->chain = chain;
    w->prices = prices;
    w->order = NULL;
    w->pairs = NULL;
    w->scratch = NULL;
    if (n > UINT32_MAX) /* positions are 32-bit, as the sort's (sort-internal.h) */
        return GEX_ENOMEM;
    w->order = malloc(n * sizeof *w->order);
    w->pairs = malloc(n * sizeof *w->pairs);
    w->scratch =
        malloc((GEX_PARITY_NEAR_PAIRS * GEX_PARITY_NEAR_PAIRS / 2 + n + 1) * sizeof *w->scratch);
    if (w->order == NULL || w->pairs == NULL || w->scratch == NULL) {
        work_free(w);
        return GEX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        w->order[i] = (uint32_t)i;
    /* files list a chain by expiration and strike: mostly in this order already, or in it
     * settlement by settlement; with one underlying the settlement is the group (the positions
     * start in chain order, so position i's is the chain's settlement[i]) */
    size_t same = 1;
    while (same < n && chain->underlying[same] == chain->underlying[0])
        same++;
    void *ctx = (void *)chain; /* read only: the comparator's context is not const */
    const int rc = same == n ? gex__sort_stable_grouped(w->order, n, sizeof *w->order,
                                                        chain->settlement, cmp_position, ctx)
                             : gex__sort_stable(w->order, n, sizeof *w->order, cmp_position, ctx);
    if (rc != GEX_OK) {
        work_free(w);
        return GEX_ENOMEM;
    }
    return GEX_OK;
}

/* Contract i's price for the fit: its mid, or the file's theoretical price, which is NAN where
 * absent (chain.c keeps positive finite ones). */
static double price_of(const parity_work *w, uint32_t i)
{
    const gex_chain *c = w->chain;
    return w->prices == GEX_PARITY_THEO ? c->theo[i] : mid_of(c->bid[i], c->ask[i]);
}

/* The end of the group (one underlying and settlement) starting at order[i], and its fit. */
static size_t fit_group(parity_work *w, size_t n, size_t i, double spot, double rate,
                        gex_parity_fit *f)
{
    const gex_chain *c = w->chain;
    const uint32_t *order = w->order;
    const uint32_t first = order[i];
    size_t j = i, np = 0;
    while (j < n && c->settlement[order[j]] == c->settlement[first] &&
           c->underlying[order[j]] == c->underlying[first])
        j++;
    for (size_t k = i; k + 1 < j; k++) {
        const uint32_t a = order[k], b = order[k + 1];
        if (c->type[a] != GEX_CALL || c->type[b] != GEX_PUT || c->strike[a] != c->strike[b])
            continue;
        const double call = price_of(w, a), put = price_of(w, b);
        if (isfinite(call) && isfinite(put)) {
            w->pairs[np].settlement = c->settlement[a];
            w->pairs[np].K = c->strike[a];
            w->pairs[np].y = call - put;
            w->pairs[np].T = c->T[a];
            np++;
        }
    }
    memset(f, 0, sizeof *f);
    f->settlement = c->settlement[first];
    f->T = c->T[first];
    fit_expiration(w->pairs, np, spot, rate, w->scratch, f);
    return j;
}

int gex__chain_parity_carry(gex_chain *chain, double rate, double div, size_t *fitted, size_t *flat,
                            gex__spot_gap *gap)
{
    *fitted = *flat = 0;
    memset(gap, 0, sizeof *gap);
    const size_t n = chain->n;
    if (n == 0)
        return GEX_OK;
    parity_work w;
    if (work_new(chain, GEX_PARITY_MIDS, &w) != GEX_OK)
        return GEX_ENOMEM;
    int64_t gap_of = -1; /* the underlying whose nearest fit was compared with its spot */
    for (size_t i = 0; i < n;) {
        gex_parity_fit f;
        const uint32_t first = w.order[i];
        const double spot = chain->spot[first];
        const size_t j = fit_group(&w, n, i, spot, rate, &f);
        /* an expired expiration has no carry to fit; it is left out anyway (SPEC 1.1) */
        if (f.T > 0) {
            *fitted += f.ok != 0;
            *flat += f.ok == 0;
        }
        /* the groups come in order of settlement: an underlying's first fit is its nearest,
         * whose forward is the spot its quotes imply to within (r - q) T; what carry cannot
         * explain (GEX_PARITY_SPOT_GAP_CARRY) is the gap */
        if (f.T > 0 && f.ok && gap_of != (int64_t)chain->underlying[first]) {
            gap_of = (int64_t)chain->underlying[first];
            const double g = spot / f.forward - 1;
            const double beyond = fabs(log(spot / f.forward)) - GEX_PARITY_SPOT_GAP_CARRY * f.T;
            if (beyond > GEX_PARITY_SPOT_GAP_MAX && (!gap->found || fabs(g) > fabs(gap->gap)))
                *gap = (gex__spot_gap){
                    1, chain->underlying[first], g, spot, f.forward, f.div, f.settlement};
        }
        for (size_t k = i; k < j; k++) {
            chain->r[w.order[k]] = f.ok ? f.rate : rate;
            chain->q[w.order[k]] = f.ok ? f.div : div;
        }
        i = j;
    }
    work_free(&w);
    return GEX_OK;
}

int gex_chain_parity_fit(const gex_chain *chain, gex_parity_fit *out, size_t max, size_t *count)
{
    return gex_chain_parity_fit_prices(chain, GEX_PARITY_MIDS, out, max, count);
}

int gex_chain_parity_fit_prices(const gex_chain *chain, gex_parity_prices prices,
                                gex_parity_fit *out, size_t max, size_t *count)
{
    if (chain == NULL || count == NULL || (out == NULL && max > 0) || !chain->prepared ||
        (prices != GEX_PARITY_MIDS && prices != GEX_PARITY_THEO))
        return GEX_EINVAL;
    *count = 0;
    const size_t n = chain->n;
    if (n == 0)
        return GEX_OK;
    for (size_t i = 1; i < n; i++)
        if (chain->underlying[i] != chain->underlying[0])
            return GEX_EINVAL;
    parity_work w;
    if (work_new(chain, prices, &w) != GEX_OK)
        return GEX_ENOMEM;
    const double spot = chain->spot[0];
    size_t e = 0;
    for (size_t i = 0; i < n; e++) {
        gex_parity_fit f;
        i = fit_group(&w, n, i, spot, chain->rate, &f);
        if (e < max)
            out[e] = f;
    }
    *count = e;
    work_free(&w);
    return GEX_OK;
}
