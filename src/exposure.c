/*
 * Dealer exposures per contract, per strike and per expiration (SPEC 1.5; definitions in
 * gex/exposure.h).
 *
 * One pass of the vectorised greeks over the chain's arrays, one pass computing the exposures,
 * then the aggregation: strikes and expirations are interned in hash tables, the contracts are
 * ordered by (expiration, strike) with two stable counting sorts, and each run of equal keys
 * becomes one row of the breakdown. Every buffer is allocated once per call, none per contract.
 */
#include "gex/exposure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "american-internal.h"
#include "exposure-internal.h"
#include "gex/american.h"
#include "gex/bs.h"
#include "gex/error.h"
#include "gex/time.h"
#include "memory-internal.h"
#include "sort-internal.h"

/* SPEC 1.5: GEX in the default unit is per 1% spot move, VEX per vol point (0.01 of vol),
 * CHEX per calendar day (charm is per year of 365 days, SPEC 1.1). */
#define ONE_PERCENT   0.01
#define DAYS_PER_YEAR 365.0

static const char *const unit_names[] = {"pct", "point", "shares"};

const char *gex_exposure_exercise_name(int exercise)
{
    switch (exercise) {
    case GEX_EXPOSURE_EUROPEAN:
        return "european";
    case GEX_EXPOSURE_BY_ROOT:
        return "auto";
    case GEX_EXPOSURE_AMERICAN:
        return "american";
    default:
        return NULL;
    }
}

int gex_exposure_exercise_parse(const char *name, gex_exposure_exercise *exercise)
{
    if (name == NULL || exercise == NULL)
        return GEX_EINVAL;
    for (int x = GEX_EXPOSURE_EUROPEAN; x <= GEX_EXPOSURE_AMERICAN; x++) {
        if (strcmp(name, gex_exposure_exercise_name(x)) == 0) {
            *exercise = (gex_exposure_exercise)x;
            return GEX_OK;
        }
    }
    return GEX_EINVAL;
}

const char *gex_gex_unit_name(int unit)
{
    if (unit < GEX_UNIT_PCT || unit > GEX_UNIT_SHARES)
        return NULL;
    return unit_names[unit];
}

int gex_gex_unit_parse(const char *name, gex_gex_unit *unit)
{
    if (name == NULL || unit == NULL)
        return GEX_EINVAL;
    for (int u = GEX_UNIT_PCT; u <= GEX_UNIT_SHARES; u++) {
        if (strcmp(name, unit_names[u]) == 0) {
            *unit = (gex_gex_unit)u;
            return GEX_OK;
        }
    }
    return GEX_EINVAL;
}

void gex_exposure_options_default(gex_exposure_options *options)
{
    if (options == NULL)
        return;
    memset(options, 0, sizeof *options);
    options->gex_unit = GEX_UNIT_PCT;
    options->max_dte = -1;
    options->min_oi = 0;
    options->min_bid = 0;
    options->max_abs_delta = 0;
}

double gex__exposure_unit_factor(gex_gex_unit unit, double spot)
{
    switch (unit) {
    case GEX_UNIT_PCT:
        return spot * spot * ONE_PERCENT;
    case GEX_UNIT_POINT:
        return spot;
    case GEX_UNIT_SHARES:
        return 1.0;
    }
    return 0.0;
}

/* --- interning: distinct 64-bit keys in order of first appearance --- */

typedef struct intern_table {
    uint32_t *slot; /* cap entries: an index into keys, or EMPTY */
    uint64_t *keys; /* distinct keys, in order of first appearance */
    uint32_t count;
    unsigned bits; /* cap = 1 << bits */
} intern_table;

#define INTERN_EMPTY UINT32_MAX

/* The finaliser of MurmurHash3 (Appleby): a bijective mix so that strikes differing in low
 * mantissa bits, or consecutive day numbers, spread over the table. */
static uint32_t intern_hash(uint64_t k, unsigned bits)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    k *= UINT64_C(0xc4ceb9fe1a85ec53);
    k ^= k >> 33;
    return (uint32_t)(k >> (64 - bits));
}

/* The table starts small and doubles when half full: a chain has far fewer distinct strikes and
 * expirations than contracts. */
#define INTERN_INITIAL_BITS 8

static int intern_alloc_slots(intern_table *t, unsigned bits)
{
    uint32_t *slot = malloc(((size_t)1 << bits) * sizeof *slot);
    if (slot == NULL)
        return GEX_ENOMEM;
    memset(slot, 0xff, ((size_t)1 << bits) * sizeof *slot);
    free(t->slot);
    t->slot = slot;
    t->bits = bits;
    return GEX_OK;
}

/* Room for up to max_keys keys. */
static int intern_init(intern_table *t, size_t max_keys)
{
    t->count = 0;
    t->slot = NULL;
    t->keys = malloc((max_keys > 0 ? max_keys : 1) * sizeof *t->keys);
    if (t->keys == NULL)
        return GEX_ENOMEM;
    return intern_alloc_slots(t, INTERN_INITIAL_BITS);
}

static void intern_free(intern_table *t)
{
    free(t->slot);
    free(t->keys);
}

/* The slot of key: where it is, or the empty slot where it belongs (linear probing). */
static uint32_t intern_find(const intern_table *t, uint64_t key)
{
    const uint32_t mask = (uint32_t)(((size_t)1 << t->bits) - 1);
    uint32_t h = intern_hash(key, t->bits);
    while (t->slot[h] != INTERN_EMPTY && t->keys[t->slot[h]] != key)
        h = (h + 1) & mask;
    return h;
}

/* The id of key, added when absent (the caller guarantees room in keys): *id, GEX_OK or
 * GEX_ENOMEM when the table cannot grow. */
static int intern_add(intern_table *t, uint64_t key, uint32_t *id)
{
    uint32_t h = intern_find(t, key);
    if (t->slot[h] != INTERN_EMPTY) {
        *id = t->slot[h];
        return GEX_OK;
    }
    if (2 * ((size_t)t->count + 1) > ((size_t)1 << t->bits)) {
        /* keep the load factor at most 1/2: rehash into twice the slots */
        if (intern_alloc_slots(t, t->bits + 1) != GEX_OK)
            return GEX_ENOMEM;
        for (uint32_t i = 0; i < t->count; i++)
            t->slot[intern_find(t, t->keys[i])] = i;
        h = intern_find(t, key);
    }
    t->slot[h] = t->count;
    t->keys[t->count] = key;
    *id = t->count++;
    return GEX_OK;
}

static uint64_t strike_key(double strike)
{
    uint64_t k;
    memcpy(&k, &strike, sizeof k); /* strikes are > 0: equal values have equal bits */
    return k;
}

static double key_strike(uint64_t k)
{
    double s;
    memcpy(&s, &k, sizeof s);
    return s;
}

/* rank[id] = position of key id in ascending order (keys compared as doubles or as int32). */
typedef struct rank_sort_item {
    double value;
    uint32_t id;
} rank_sort_item;

static int rank_cmp(const void *a, const void *b)
{
    const rank_sort_item *x = a, *y = b;
    return (x->value > y->value) - (x->value < y->value);
}

static int intern_ranks(const intern_table *t, int as_double, uint32_t *rank)
{
    rank_sort_item *items = malloc((t->count > 0 ? t->count : 1) * sizeof *items);
    if (items == NULL)
        return GEX_ENOMEM;
    for (uint32_t i = 0; i < t->count; i++) {
        items[i].value = as_double ? key_strike(t->keys[i]) : (double)(int32_t)t->keys[i];
        items[i].id = i;
    }
    qsort(items, t->count, sizeof *items, rank_cmp);
    for (uint32_t i = 0; i < t->count; i++)
        rank[items[i].id] = i;
    free(items);
    return GEX_OK;
}

/* --- the exposure object --- */

/* The per-contract arrays of an exposure's block: delta, gamma, vega, vanna, charm, gex, dex,
 * vex and chex. */
#define CONTRACT_ARRAYS 9

struct gex_exposure {
    const gex_chain *chain; /* borrowed: the chain it was computed from */
    double rate, div;       /* the chain's carry (gex_chain_carry) */
    gex_exposure_options options;
    int32_t *expirations; /* the options' lists, owned: the kept dates, then the excluded */
    double spot;
    int64_t quote_time;
    int32_t quote_date;
    size_t n;
    double *block; /* the CONTRACT_ARRAYS per-contract arrays below, one allocation */
    double *delta, *gamma, *vega, *vanna, *charm, *gex, *dex, *vex, *chex;
    uint8_t *included; /* n marks, then kept: n more (one allocation) */
    uint8_t *kept;
    gex_strike_row *rows;
    size_t n_rows;
    gex_exposure_totals totals;
    size_t n_exp;
    int32_t *exp_date;
    size_t *exp_first; /* n_exp + 1 offsets into exp_rows */
    gex_strike_row *exp_rows;
    size_t exp_rows_room; /* exp_rows' allocation, in rows (gex__big_free's size) */
    gex_exposure_totals *exp_totals;
};

void gex_exposure_free(gex_exposure *e)
{
    if (e == NULL)
        return;
    free(e->expirations);
    gex__big_free(e->block, CONTRACT_ARRAYS * e->n * sizeof *e->block);
    free(e->included);
    free(e->rows);
    free(e->exp_date);
    free(e->exp_first);
    gex__big_free(e->exp_rows, e->exp_rows_room * sizeof *e->exp_rows);
    free(e->exp_totals);
    free(e);
}

static int options_ok(const gex_exposure_options *o)
{
    return o->gex_unit >= GEX_UNIT_PCT && o->gex_unit <= GEX_UNIT_SHARES && o->min_oi >= 0 &&
           o->min_oi < HUGE_VAL && o->min_bid >= 0 && o->min_bid < HUGE_VAL &&
           o->max_abs_delta >= 0 && o->max_abs_delta <= 1 &&
           (o->n_expirations == 0 || o->expirations != NULL) &&
           (o->n_exclude_expirations == 0 || o->exclude_expirations != NULL) &&
           gex_exposure_exercise_name(o->exercise) != NULL;
}

/* The filter of gex_exposure_keeps, inlined into the per-contract loop (an exported function
 * is called through the PLT from inside the library, 50,000 times a chain). */
static inline int keeps(const gex_exposure_options *o, const gex_chain_view *v, size_t i,
                        int32_t quote_date)
{
    const int32_t expiration = v->expiration[i];
    if (o->n_expirations > 0 || o->zero_dte) {
        int listed = o->zero_dte && expiration == quote_date;
        for (size_t j = 0; j < o->n_expirations && !listed; j++)
            listed = o->expirations[j] == expiration;
        if (!listed)
            return 0;
    }
    if (o->exclude_zero_dte && expiration == quote_date)
        return 0;
    for (size_t j = 0; j < o->n_exclude_expirations; j++)
        if (o->exclude_expirations[j] == expiration)
            return 0;
    if (o->max_dte >= 0 && (int64_t)expiration - quote_date > o->max_dte)
        return 0;
    if (o->min_bid > 0 && !(v->bid[i] >= o->min_bid)) /* no bid: not shown to meet it */
        return 0;
    return v->open_interest[i] >= o->min_oi;
}

int gex_exposure_keeps(const gex_exposure_options *o, const gex_chain_view *view, size_t i,
                       int32_t quote_date)
{
    return o == NULL || view == NULL || i >= view->n || keeps(o, view, i, quote_date);
}

/* Adds contract i's values to a row. */
static void row_add(gex_strike_row *r, const gex_exposure *e, const gex_chain_view *v, size_t i)
{
    const double volume = isfinite(v->volume[i]) ? v->volume[i] : 0.0;
    if (v->type[i] == GEX_CALL) {
        r->call_gex += e->gex[i];
        r->call_dex += e->dex[i];
        r->call_vex += e->vex[i];
        r->call_chex += e->chex[i];
        r->call_oi += v->open_interest[i];
        r->call_volume += volume;
    } else {
        r->put_gex += e->gex[i];
        r->put_dex += e->dex[i];
        r->put_vex += e->vex[i];
        r->put_chex += e->chex[i];
        r->put_oi += v->open_interest[i];
        r->put_volume += volume;
    }
}

/* Adds row b to row a (same strike). */
static void row_merge(gex_strike_row *a, const gex_strike_row *b)
{
    a->call_gex += b->call_gex;
    a->put_gex += b->put_gex;
    a->call_dex += b->call_dex;
    a->put_dex += b->put_dex;
    a->call_vex += b->call_vex;
    a->put_vex += b->put_vex;
    a->call_chex += b->call_chex;
    a->put_chex += b->put_chex;
    a->call_oi += b->call_oi;
    a->put_oi += b->put_oi;
    a->call_volume += b->call_volume;
    a->put_volume += b->put_volume;
}

/* SPEC 1.5: net = call + put per row, totals = sums of the rows in ascending strike order. */
static void rows_finish(gex_strike_row *rows, size_t n, gex_exposure_totals *t)
{
    t->net_gex = t->net_dex = t->net_vex = t->net_chex = 0;
    t->call_gex = t->put_gex = 0;
    for (size_t i = 0; i < n; i++) {
        gex_strike_row *r = &rows[i];
        r->net_gex = r->call_gex + r->put_gex;
        r->net_dex = r->call_dex + r->put_dex;
        r->net_vex = r->call_vex + r->put_vex;
        r->net_chex = r->call_chex + r->put_chex;
        t->net_gex += r->net_gex;
        t->net_dex += r->net_dex;
        t->net_vex += r->net_vex;
        t->net_chex += r->net_chex;
        t->call_gex += r->call_gex;
        t->put_gex += r->put_gex;
    }
    t->gross_gex = t->call_gex - t->put_gex; /* call_gex >= 0 >= put_gex: sum of |GEX| */
}

/* Per-contract flags kept in the scratch array between the two passes. */
enum { FLAG_KEPT = 1, FLAG_ROW = 2 };

/* Where a contract left out of the exposures is counted: FILTERED, or its status (a contract
 * whose greeks or exposures are not representable counts as GREEKS_OVERFLOW). */
#define FILTERED (-1)
static int left_out_reason(uint8_t flags, int status)
{
    if (!(flags & FLAG_KEPT))
        return FILTERED;
    if (status != GEX_CONTRACT_OK && status < GEX_CONTRACT_STATUS_COUNT)
        return status;
    return GEX_CONTRACT_GREEKS_OVERFLOW;
}

static void count_contract(gex_exposure_totals *t, int included, uint8_t flags, int status)
{
    t->contracts++;
    if (included) {
        t->used++;
        return;
    }
    const int reason = left_out_reason(flags, status);
    if (reason == FILTERED)
        t->filtered++;
    else
        t->excluded[reason]++;
}

/* Per contract, whether it is priced American (SPEC 1.8): 1 American, 0 European, by the
 * options' exercise and, for GEX_EXPOSURE_BY_ROOT, the root's style (gex__root_is_american,
 * each root looked up once). */
static int is_american(const gex_exposure *e, const gex_chain_view *v, size_t i,
                       uint8_t *root_style)
{
    return e->options.exercise == GEX_EXPOSURE_AMERICAN ||
           gex__root_is_american(e->chain, v->root[i], GEX_EXERCISE_AUTO, root_style);
}

/* A contract priced American, keyed by what its expiration's batch shares (T, r and q). */
typedef struct american_key {
    double T, r, q;
    size_t index;
} american_key;

/* By T, r and q; equal keys compare equal, so the stable sort keeps them in chain order. */
static int cmp_american_key(const void *pa, const void *pb, void *ctx)
{
    (void)ctx;
    const american_key *a = pa, *b = pb;
    if (a->T != b->T)
        return a->T < b->T ? -1 : 1;
    if (a->r != b->r)
        return a->r < b->r ? -1 : 1;
    if (a->q != b->q)
        return a->q < b->q ? -1 : 1;
    return 0;
}

/* The American delta and gamma of the kept, computable contracts that are priced American,
 * over the Black-Scholes-Merton ones (SPEC 1.8): the contracts of equal T, r and q (an
 * expiration, in chain order) are valued together by gex_am_expiration_values, which shares
 * its boundary solves among them (delta within 1e-5 and gamma within 1e-3 of itself, or 1e-6,
 * of gex_am_greeks's). Marks american[i] 1 where they were replaced, 2 where the model refused
 * (two boundaries). GEX_OK or GEX_ENOMEM. */
static int american_greeks(gex_exposure *e, const gex_chain_view *v, const uint8_t *bs_status,
                           uint8_t *american)
{
    const size_t n_sym = gex_chain_symbol_count(e->chain);
    uint8_t *root_style = calloc(n_sym > 0 ? n_sym : 1, 1);
    american_key *key = malloc((v->n > 0 ? v->n : 1) * sizeof *key);
    if (root_style == NULL || key == NULL) {
        free(root_style);
        free(key);
        return GEX_ENOMEM;
    }
    size_t m = 0;
    for (size_t i = 0; i < v->n; i++) {
        american[i] = 0;
        if (v->status[i] == GEX_CONTRACT_OK && bs_status[i] == GEX_BS_OK &&
            keeps(&e->options, v, i, e->quote_date) && is_american(e, v, i, root_style))
            key[m++] = (american_key){v->T[i], v->r[i], v->q[i], i};
    }
    free(root_style);
    /* The batch's arrays, in key order: type, then T, r, q, S, K, sigma, price, delta, gamma
     * in one block, and the statuses. */
    const size_t c = m > 0 ? m : 1;
    int *type = malloc(c * sizeof *type);
    double *T = malloc(10 * c * sizeof *T);
    gex_am_status *status = malloc(c * sizeof *status);
    int rc = type == NULL || T == NULL || status == NULL
                 ? GEX_ENOMEM
                 : gex__sort_stable(key, m, sizeof *key, cmp_american_key, NULL);
    if (rc == GEX_OK) {
        double *r = T + c, *q = T + 2 * c, *S = T + 3 * c, *K = T + 4 * c, *sigma = T + 5 * c,
               *price = T + 6 * c, *delta = T + 7 * c, *gamma = T + 8 * c;
        for (size_t j = 0; j < m; j++) {
            const size_t i = key[j].index;
            type[j] = v->type[i];
            T[j] = key[j].T;
            r[j] = key[j].r;
            q[j] = key[j].q;
            S[j] = e->spot;
            K[j] = v->strike[i];
            sigma[j] = v->iv[i];
        }
        /* a run whose T, r or q the model does not take keeps Black-Scholes, as before */
        gex__am_values_by_run(m, T, r, q, type, S, K, sigma, price, delta, gamma, status);
        for (size_t j = 0; j < m; j++) {
            const size_t i = key[j].index;
            if (status[j] == GEX_AM_OK && isfinite(delta[j]) && isfinite(gamma[j])) {
                e->delta[i] = delta[j];
                e->gamma[i] = gamma[j];
                american[i] = 1;
            } else if (status[j] == GEX_AM_DOUBLE_BOUNDARY) {
                american[i] = 2;
            }
        }
    }
    free(type);
    free(T);
    free(status);
    free(key);
    return rc;
}

/* Greeks and per-contract exposures; marks kept[] and included[] and counts what was left
 * out. */
static int compute_contracts(gex_exposure *e, const gex_chain_view *v, uint8_t *flags,
                             uint8_t *bs_status, uint8_t *american)
{
    const gex_exposure_options *o = &e->options;
    const size_t n = v->n;
    const gex_bs_batch_in in = {.n = n,
                                .S = NULL,
                                .S_all = e->spot,
                                .K = v->strike,
                                .T = v->T,
                                .sigma = v->iv,
                                .type = v->type,
                                .r = v->r,
                                .r_all = e->rate,
                                .q = v->q,
                                .q_all = e->div};
    const gex_bs_batch_out out = {.delta = e->delta,
                                  .gamma = e->gamma,
                                  .vega = e->vega,
                                  .vanna = e->vanna,
                                  .charm = e->charm,
                                  .status = bs_status};
    int rc = gex_bs_greeks_batch(&in, &out, NULL);
    if (rc == GEX_OK && o->exercise != GEX_EXPOSURE_EUROPEAN)
        rc = american_greeks(e, v, bs_status, american);
    if (rc != GEX_OK)
        return rc;

    const double S = e->spot;
    const double unit = gex__exposure_unit_factor(o->gex_unit, S);
    for (size_t i = 0; i < n; i++) {
        const int status = v->status[i];
        int kept = keeps(o, v, i, e->quote_date);
        /* --max-delta: a filter, once the greeks are known. 1 is no limit: a carry with
         * q < 0 (a parity fit's, say) gives deep calls e^(-qT) N(d1) > 1, and --max-delta 1
         * means to keep every contract. */
        if (kept && o->max_abs_delta > 0 && o->max_abs_delta < 1 && status == GEX_CONTRACT_OK &&
            bs_status[i] == GEX_BS_OK && fabs(e->delta[i]) > o->max_abs_delta)
            kept = 0;
        e->kept[i] = (uint8_t)kept;
        flags[i] = (uint8_t)((kept ? FLAG_KEPT : 0) |
                             (kept && status != GEX_CONTRACT_EXPIRED ? FLAG_ROW : 0));
        int used = kept && status == GEX_CONTRACT_OK && bs_status[i] == GEX_BS_OK;
        int from_file = 0;
        if (used && o->greeks_from_file) {
            /* the file's own columns as they are (peers' convention), where it has both */
            from_file = isfinite(v->vendor_gamma[i]) && isfinite(v->vendor_delta[i]);
            if (from_file) {
                e->gamma[i] = v->vendor_gamma[i];
                e->delta[i] = v->vendor_delta[i];
            }
        }
        double gex = 0, dex = 0, vex = 0, chex = 0;
        if (used) {
            /* SPEC 1.5; s = +1 calls, -1 puts (dealers long calls, short puts). */
            const double s = v->type[i] == GEX_CALL ? 1.0 : -1.0;
            const double w = v->open_interest[i] * v->multiplier[i];
            gex = s * e->gamma[i] * w * unit;
            dex = e->delta[i] * w * S;
            vex = s * e->vanna[i] * w * S * ONE_PERCENT;
            chex = s * e->charm[i] * w * S / DAYS_PER_YEAR;
            used = isfinite(gex) && isfinite(dex) && isfinite(vex) && isfinite(chex);
        }
        if (!used) {
            e->delta[i] = e->gamma[i] = e->vega[i] = e->vanna[i] = e->charm[i] = 0;
            gex = dex = vex = chex = 0;
        }
        count_contract(&e->totals, used, flags[i], status);
        if (used && o->greeks_from_file) {
            e->totals.greeks_from_file += (size_t)from_file;
            e->totals.greeks_file_missing += (size_t)!from_file;
        }
        if (used && o->exercise != GEX_EXPOSURE_EUROPEAN && !from_file) {
            e->totals.american += american[i] == 1;
            e->totals.american_refused += american[i] == 2;
        }
        e->included[i] = (uint8_t)used;
        e->gex[i] = gex;
        e->dex[i] = dex;
        e->vex[i] = vex;
        e->chex[i] = chex;
    }
    return GEX_OK;
}

/* The per-strike rows and the per-expiration breakdown (see the file comment). */
static int aggregate(gex_exposure *e, const gex_chain_view *v, const uint8_t *flags)
{
    const size_t n = v->n;
    int rc = GEX_ENOMEM;
    intern_table ks = {0}, xs = {0};
    uint32_t *kid = malloc((n > 0 ? n : 1) * sizeof *kid);
    uint32_t *xid = malloc((n > 0 ? n : 1) * sizeof *xid);
    uint32_t *order = malloc((n > 0 ? n : 1) * sizeof *order);
    uint32_t *order2 = malloc((n > 0 ? n : 1) * sizeof *order2);
    uint32_t *krank = NULL, *xrank = NULL, *count = NULL, *exp_of_rank = NULL, *row_rank = NULL;
    if (kid == NULL || xid == NULL || order == NULL || order2 == NULL)
        goto done;
    if (intern_init(&ks, n) != GEX_OK || intern_init(&xs, n) != GEX_OK)
        goto done;

    /* Every expiration is interned (so that each gets its counts); only row members give
     * strikes. */
    /* Chains list an expiration's contracts together and a strike's call beside its put: the
     * last key looked up answers most lookups. A chain already in (expiration, strike) order
     * needs no sort. */
    size_t members = 0;
    int32_t last_exp = 0;
    uint32_t last_xid = INTERN_EMPTY, last_kid = INTERN_EMPTY;
    double last_strike = 0;
    int sorted = 1;
    for (size_t i = 0; i < n; i++) {
        if (last_xid == INTERN_EMPTY || v->expiration[i] != last_exp) {
            if (intern_add(&xs, (uint64_t)(uint32_t)v->expiration[i], &last_xid) != GEX_OK)
                goto done;
            last_exp = v->expiration[i];
        }
        xid[i] = last_xid;
        if (!(flags[i] & FLAG_ROW))
            continue;
        const double k = v->strike[i];
        if (members > 0) {
            const int32_t pe = v->expiration[order[members - 1]];
            if (v->expiration[i] < pe || (v->expiration[i] == pe && k < last_strike))
                sorted = 0;
        }
        if (last_kid == INTERN_EMPTY || k != last_strike) {
            if (intern_add(&ks, strike_key(k), &last_kid) != GEX_OK)
                goto done;
            last_strike = k;
        }
        kid[i] = last_kid;
        order[members++] = (uint32_t)i; /* chain order; sorted below when it is not */
    }
    const uint32_t nk = ks.count, nx = xs.count;
    krank = malloc((nk > 0 ? nk : 1) * sizeof *krank);
    xrank = malloc((nx > 0 ? nx : 1) * sizeof *xrank);
    count = malloc(((nk > nx ? nk : nx) + 1) * sizeof *count);
    if (krank == NULL || xrank == NULL || count == NULL)
        goto done;
    if (intern_ranks(&ks, 1, krank) != GEX_OK || intern_ranks(&xs, 0, xrank) != GEX_OK)
        goto done;

    /* Stable counting sort of the row members by strike rank, then by expiration rank: the
     * result is ordered by (expiration, strike) and by chain position within equal keys. */
    if (!sorted) {
        memset(count, 0, (nk + 1) * sizeof *count);
        for (size_t j = 0; j < members; j++)
            count[krank[kid[order[j]]] + 1]++;
        for (uint32_t k = 0; k < nk; k++)
            count[k + 1] += count[k];
        for (size_t j = 0; j < members; j++)
            order2[count[krank[kid[order[j]]]]++] = order[j];
        memset(count, 0, (nx + 1) * sizeof *count);
        for (size_t j = 0; j < members; j++)
            count[xrank[xid[order2[j]]] + 1]++;
        for (uint32_t x = 0; x < nx; x++)
            count[x + 1] += count[x];
        for (size_t j = 0; j < members; j++) {
            const uint32_t i = order2[j];
            order[count[xrank[xid[i]]]++] = i;
        }
    }

    /* Breakdown rows: one per run of equal (expiration, strike). */
    /* room for a row per member; a strike's call and put share one, so about half is written:
     * 3.7 MB on the index chain, on huge pages (gex__big_alloc) */
    e->exp_rows_room = members > 0 ? members : 1;
    e->exp_rows = gex__big_alloc(e->exp_rows_room * sizeof *e->exp_rows);
    e->rows = calloc(nk > 0 ? nk : 1, sizeof *e->rows);
    e->exp_date = malloc((nx > 0 ? nx : 1) * sizeof *e->exp_date);
    e->exp_first = malloc(((size_t)nx + 1) * sizeof *e->exp_first);
    e->exp_totals = calloc(nx > 0 ? nx : 1, sizeof *e->exp_totals);
    exp_of_rank = malloc((nx > 0 ? nx : 1) * sizeof *exp_of_rank);
    row_rank = malloc((members > 0 ? members : 1) * sizeof *row_rank);
    if (row_rank == NULL || e->exp_rows == NULL || e->rows == NULL || e->exp_date == NULL ||
        e->exp_first == NULL || e->exp_totals == NULL || exp_of_rank == NULL)
        goto done;

    size_t n_exp_rows = 0, n_exp = 0;
    uint32_t cur_x = UINT32_MAX, cur_k = UINT32_MAX;
    for (uint32_t x = 0; x < nx; x++)
        exp_of_rank[x] = UINT32_MAX;
    for (size_t j = 0; j < members; j++) {
        const uint32_t i = order[j];
        const uint32_t xr = xrank[xid[i]], kr = krank[kid[i]];
        if (xr != cur_x) {
            exp_of_rank[xr] = (uint32_t)n_exp;
            e->exp_date[n_exp] = v->expiration[i];
            e->exp_first[n_exp] = n_exp_rows;
            n_exp++;
            cur_x = xr;
            cur_k = UINT32_MAX;
        }
        if (kr != cur_k) {
            row_rank[n_exp_rows] = kr;
            /* a plain assignment: a memset call per row costs more than the row's stores */
            static const gex_strike_row zero_row;
            gex_strike_row *r = &e->exp_rows[n_exp_rows++];
            *r = zero_row;
            r->strike = v->strike[i];
            cur_k = kr;
        }
        if (e->included[i])
            row_add(&e->exp_rows[n_exp_rows - 1], e, v, i);
    }
    e->exp_first[n_exp] = n_exp_rows;
    e->n_exp = n_exp;

    /* Counts per expiration, over every contract of an expiration that has rows. */
    for (size_t i = 0; i < n; i++) {
        const uint32_t b = exp_of_rank[xrank[xid[i]]];
        if (b == UINT32_MAX)
            continue;
        count_contract(&e->exp_totals[b], e->included[i], flags[i], v->status[i]);
    }

    /* The chain's rows: each strike sums its breakdown rows in ascending expiration order. */
    for (size_t b = 0; b < n_exp; b++) {
        const size_t first = e->exp_first[b], nb = e->exp_first[b + 1] - first;
        rows_finish(&e->exp_rows[first], nb, &e->exp_totals[b]);
        for (size_t j = first; j < first + nb; j++) {
            gex_strike_row *r = &e->rows[row_rank[j]];
            r->strike = e->exp_rows[j].strike;
            row_merge(r, &e->exp_rows[j]);
        }
    }
    e->n_rows = nk;
    rows_finish(e->rows, nk, &e->totals);
    rc = GEX_OK;

done:
    intern_free(&ks);
    intern_free(&xs);
    free(kid);
    free(xid);
    free(order);
    free(order2);
    free(krank);
    free(xrank);
    free(count);
    free(exp_of_rank);
    free(row_rank);
    return rc;
}

static int quote_instant(const gex_chain_view *v, int64_t *utc)
{
    /* The instant gex_chain_prepare measured T from (its --now when one was given): T is
     * (settlement - now) / GEX_SECONDS_PER_YEAR exactly rounded, so the product recovers the
     * whole number of seconds to far better than half a second. */
    if (v->n == 0 || !isfinite(v->T[0]))
        return GEX_EINVAL;
    *utc = v->settlement[0] - llround(v->T[0] * GEX_SECONDS_PER_YEAR);
    return GEX_OK;
}

int gex_exposure_compute(const gex_chain *chain, const gex_exposure_options *options,
                         gex_exposure **out)
{
    if (out != NULL)
        *out = NULL;
    if (chain == NULL || out == NULL)
        return GEX_EINVAL;
    gex_exposure_options defaults;
    if (options == NULL) {
        gex_exposure_options_default(&defaults);
        options = &defaults;
    }
    if (!options_ok(options))
        return GEX_EINVAL;

    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    const size_t n = v.n;
    if (n == 0)
        return GEX_EEMPTY;
    if (n >= UINT32_MAX)
        return GEX_ERANGE; /* contract indexes are 32-bit in the aggregation */
    for (size_t i = 0; i < n; i++) {
        /* one underlying, prepared (T is NAN before gex_chain_prepare), with a known spot */
        if (v.underlying[i] != v.underlying[0] || isnan(v.T[i]) || !(v.spot[i] > 0) ||
            !isfinite(v.spot[i]))
            return GEX_EINVAL;
    }
    int64_t now;
    double rate, div;
    if (quote_instant(&v, &now) != GEX_OK || gex_chain_carry(chain, &rate, &div) != GEX_OK)
        return GEX_EINVAL;

    gex_exposure *e = calloc(1, sizeof *e);
    if (e == NULL)
        return GEX_ENOMEM;
    e->chain = chain;
    e->rate = rate;
    e->div = div;
    e->options = *options;
    e->spot = v.spot[0];
    e->quote_time = now;
    e->quote_date = gex_time_eastern_date(now);
    e->n = n;
    int rc = GEX_ENOMEM;
    uint8_t *scratch = NULL;
    const size_t n_kept = options->n_expirations, n_excl = options->n_exclude_expirations;
    if (n_kept + n_excl > 0) {
        e->expirations = malloc((n_kept + n_excl) * sizeof *e->expirations);
        if (e->expirations == NULL)
            goto fail;
        if (n_kept > 0)
            memcpy(e->expirations, options->expirations, n_kept * sizeof *e->expirations);
        if (n_excl > 0)
            memcpy(e->expirations + n_kept, options->exclude_expirations,
                   n_excl * sizeof *e->expirations);
    }
    e->options.expirations = n_kept > 0 ? e->expirations : NULL;
    e->options.exclude_expirations = n_excl > 0 ? e->expirations + n_kept : NULL;
    /* 3.7 MB on the 51,886-contract index chain: on huge pages, 900 page faults fewer */
    e->block = gex__big_alloc(CONTRACT_ARRAYS * n * sizeof *e->block);
    e->included = malloc(2 * n);
    scratch = malloc(3 * n); /* the contracts' flags, the greeks' statuses, American marks */
    if (e->block == NULL || e->included == NULL || scratch == NULL)
        goto fail;
    e->kept = e->included + n;
    e->delta = e->block;
    e->gamma = e->delta + n;
    e->vega = e->gamma + n;
    e->vanna = e->vega + n;
    e->charm = e->vanna + n;
    e->gex = e->charm + n;
    e->dex = e->gex + n;
    e->vex = e->dex + n;
    e->chex = e->vex + n;

    rc = compute_contracts(e, &v, scratch, scratch + n, scratch + 2 * n);
    if (rc == GEX_OK)
        rc = aggregate(e, &v, scratch);
    if (rc != GEX_OK)
        goto fail;
    free(scratch);
    *out = e;
    return GEX_OK;
fail:
    free(scratch);
    gex_exposure_free(e);
    return rc;
}

const gex_chain *gex_exposure_chain(const gex_exposure *e)
{
    return e != NULL ? e->chain : NULL;
}

void gex_exposure_carry(const gex_exposure *e, double *rate, double *div)
{
    if (rate != NULL)
        *rate = e != NULL ? e->rate : 0.0;
    if (div != NULL)
        *div = e != NULL ? e->div : 0.0;
}

const gex_exposure_options *gex_exposure_get_options(const gex_exposure *e)
{
    return e != NULL ? &e->options : NULL;
}

double gex_exposure_spot(const gex_exposure *e)
{
    return e != NULL ? e->spot : 0.0;
}

int64_t gex_exposure_quote_time(const gex_exposure *e)
{
    return e != NULL ? e->quote_time : 0;
}

int32_t gex_exposure_quote_date(const gex_exposure *e)
{
    return e != NULL ? e->quote_date : 0;
}

size_t gex_exposure_strike_count(const gex_exposure *e)
{
    return e != NULL ? e->n_rows : 0;
}

const gex_strike_row *gex_exposure_strikes(const gex_exposure *e)
{
    return e != NULL && e->n_rows > 0 ? e->rows : NULL;
}

void gex_exposure_get_totals(const gex_exposure *e, gex_exposure_totals *totals)
{
    if (totals == NULL)
        return;
    if (e == NULL)
        memset(totals, 0, sizeof *totals);
    else
        *totals = e->totals;
}

size_t gex_exposure_expiry_count(const gex_exposure *e)
{
    return e != NULL ? e->n_exp : 0;
}

int32_t gex_exposure_expiry_date(const gex_exposure *e, size_t i)
{
    return e != NULL && i < e->n_exp ? e->exp_date[i] : 0;
}

const gex_strike_row *gex_exposure_expiry_strikes(const gex_exposure *e, size_t i, size_t *n_rows)
{
    if (e == NULL || i >= e->n_exp) {
        if (n_rows != NULL)
            *n_rows = 0;
        return NULL;
    }
    if (n_rows != NULL)
        *n_rows = e->exp_first[i + 1] - e->exp_first[i];
    return &e->exp_rows[e->exp_first[i]];
}

void gex_exposure_expiry_totals(const gex_exposure *e, size_t i, gex_exposure_totals *totals)
{
    if (totals == NULL)
        return;
    if (e == NULL || i >= e->n_exp)
        memset(totals, 0, sizeof *totals);
    else
        *totals = e->exp_totals[i];
}

void gex_exposure_get_contracts(const gex_exposure *e, gex_contract_exposures *view)
{
    if (view == NULL)
        return;
    memset(view, 0, sizeof *view);
    if (e == NULL)
        return;
    view->n = e->n;
    view->delta = e->delta;
    view->gamma = e->gamma;
    view->vega = e->vega;
    view->vanna = e->vanna;
    view->charm = e->charm;
    view->gex = e->gex;
    view->dex = e->dex;
    view->vex = e->vex;
    view->chex = e->chex;
    view->included = e->included;
    view->kept = e->kept;
}
