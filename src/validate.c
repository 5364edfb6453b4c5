/*
 * validate.c: agreement statistics between a vendor's series and gex's (SPEC 4).
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "gex/american.h"
#include "gex/bs.h"
#include "gex/error.h"
#include "gex/time.h"
#include "gex/validate.h"
#include "american-internal.h"
#include "median-internal.h"
#include "sort-internal.h"

/* Slack when deciding that a printed value is a whole multiple q of 10^-d, in units of q: values
 * read from text carry a binary representation error of a few ulps (relative 1e-16), far below
 * both the absolute and the relative allowance. */
#define QUANTUM_ABS_SLACK 1e-6
#define QUANTUM_REL_SLACK 1e-12
/* The finest quantum looked for (12 decimals); finer values are taken as full precision. */
#define QUANTUM_MAX_DECIMALS 12

/* gex_validate_agrees, inlined where the library counts a row's matches (a call through the
 * exported symbol per contract and row was a tenth of validate on the SPX files). */
static inline int agrees(double vendor, double local, double tol, double abs_floor)
{
    if (!isfinite(vendor) || !isfinite(local))
        return 0;
    /* The allowances add: a printed value stands for an interval of half its quantum
     * (abs_floor) around it, and agrees when a value of that interval is within tol. */
    const double d = fabs(vendor - local);
    const double scale = fmax(fabs(vendor), fabs(local));
    return d <= tol * scale + abs_floor;
}

int gex_validate_agrees(double vendor, double local, double tol, double abs_floor)
{
    return agrees(vendor, local, tol, abs_floor);
}

/* vendor = factor * local. The S-based factors follow from SPEC 1.5: GEX per 1% move is
 * Gamma * S^2 * 0.01, GEX per $1 move is Gamma * S, so pct = point * S / 100. */
static const struct {
    const char *name;
    int kind; /* 0: constant factor, 1: S/100, 2: 100/S */
    double factor;
} conventions[] = {
    {"same convention", 0, 1.0},
    {"opposite sign (the vendor's dealers are short calls and long puts)", 0, -1.0},
    {"vendor per 1% spot move, gex per $1 move (factor S/100)", 1, 0.0},
    {"vendor per $1 spot move, gex per 1% move (factor 100/S)", 2, 0.0},
    {"vendor per vol point, gex per 1.00 of vol (factor 0.01)", 0, 0.01},
    {"vendor per 1.00 of vol, gex per vol point (factor 100)", 0, 100.0},
    {"vendor per day, gex per year (factor 1/365)", 0, 1.0 / 365.0},
    {"vendor per year, gex per day (factor 365)", 0, 365.0},
};

const char *gex_validate_convention(double k, double spot, double tol, double *factor)
{
    if (!isfinite(k) || k == 0.0 || !(tol >= 0.0))
        return NULL;
    static const char *const flipped[] = {
        NULL,
        NULL,
        "opposite sign, and vendor per 1% spot move, gex per $1 move (factor -S/100)",
        "opposite sign, and vendor per $1 spot move, gex per 1% move (factor -100/S)",
        "opposite sign, and vendor per vol point, gex per 1.00 of vol (factor -0.01)",
        "opposite sign, and vendor per 1.00 of vol, gex per vol point (factor -100)",
        "opposite sign, and vendor per day, gex per year (factor -1/365)",
        "opposite sign, and vendor per year, gex per day (factor -365)",
    };
    const char *best = NULL;
    double best_factor = 0.0, best_err = INFINITY;
    for (size_t i = 0; i < sizeof conventions / sizeof conventions[0]; i++) {
        double f = conventions[i].factor;
        if (conventions[i].kind != 0) {
            if (!(spot > 0.0) || !isfinite(spot))
                continue;
            f = conventions[i].kind == 1 ? spot / 100.0 : 100.0 / spot;
        }
        for (int sign = 1; sign >= -1; sign -= 2) {
            const char *name = sign > 0 ? conventions[i].name : flipped[i];
            if (name == NULL)
                continue;
            const double c = sign * f;
            const double err = fabs(k / c - 1.0);
            if (err <= tol && err < best_err) {
                best = name;
                best_factor = c;
                best_err = err;
            }
        }
    }
    if (best != NULL && factor != NULL)
        *factor = best_factor;
    return best;
}

int gex_validate_fit_series(const double *vendor, const double *local, size_t n, double spot,
                            double tol, double abs_floor, gex_validate_fit *out)
{
    if (out == NULL || (n > 0 && (vendor == NULL || local == NULL)) || !isfinite(tol))
        return GEX_EINVAL;
    gex_validate_fit f = {0};
    /* Two passes: the means first, then centred sums, which keep the correlation accurate
     * when the series carry a large common offset (Welford's concern; Higham, "Accuracy and
     * Stability of Numerical Algorithms", 2nd ed., sec. 1.9). */
    double mean_v = 0.0, mean_l = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(vendor[i]) || !isfinite(local[i])) {
            f.skipped++;
            continue;
        }
        f.n++;
        mean_v += vendor[i];
        mean_l += local[i];
    }
    if (f.n > 0) {
        mean_v /= (double)f.n;
        mean_l /= (double)f.n;
    }
    double svl = 0.0, sll = 0.0, cvv = 0.0, cll = 0.0, cvl = 0.0;
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        const double v = vendor[i], l = local[i];
        if (!isfinite(v) || !isfinite(l))
            continue;
        svl += v * l;
        sll += l * l;
        const double dv = v - mean_v, dl = l - mean_l;
        cvv += dv * dv;
        cll += dl * dl;
        cvl += dv * dl;
        const double d = fabs(v - l);
        if (first || d > f.max_abs_diff) {
            f.max_abs_diff = d;
            f.max_abs_index = i;
            first = 0;
        }
        const double scale = fmax(fabs(v), fabs(l));
        if (scale > 0.0 && d / scale > f.max_rel_diff)
            f.max_rel_diff = d / scale;
        if (!agrees(v, l, tol, abs_floor))
            f.beyond++;
    }
    /* Least squares through the origin: d/dk sum (v - k l)^2 = 0 gives k = sum vl / sum ll. */
    if (sll > 0.0) {
        f.has_k = 1;
        f.k = svl / sll;
        f.convention = gex_validate_convention(f.k, spot, tol, &f.convention_factor);
    }
    if (f.n >= 2 && cvv > 0.0 && cll > 0.0) {
        f.has_correlation = 1;
        f.correlation = cvl / sqrt(cvv * cll);
        if (f.correlation > 1.0)
            f.correlation = 1.0;
        if (f.correlation < -1.0)
            f.correlation = -1.0;
    }
    *out = f;
    return GEX_OK;
}

size_t gex_validate_worst(const double *vendor, const double *local, size_t n, size_t *idx,
                          size_t max)
{
    if (vendor == NULL || local == NULL || idx == NULL)
        return 0;
    size_t count = 0;
    /* Insertion into a short sorted list: max is small (a report's worth of rows). */
    for (size_t i = 0; i < n; i++) {
        const double d = fabs(vendor[i] - local[i]);
        if (!isfinite(d))
            continue;
        size_t pos = count;
        while (pos > 0 && fabs(vendor[idx[pos - 1]] - local[idx[pos - 1]]) < d)
            pos--;
        if (pos >= max)
            continue;
        size_t end = count < max ? count : max - 1;
        for (size_t j = end; j > pos; j--)
            idx[j] = idx[j - 1];
        idx[pos] = i;
        if (count < max)
            count++;
    }
    return count;
}

size_t gex_validate_rank(const double *values, size_t n, size_t index)
{
    if (values == NULL || index >= n || !isfinite(values[index]))
        return 0;
    size_t rank = 1;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i]) && values[i] > values[index])
            rank++;
    return rank;
}

double gex_validate_quantum(const double *values, size_t n)
{
    if (values == NULL)
        return 0.0;
    double q = 1.0;
    for (int d = 0; d <= QUANTUM_MAX_DECIMALS; d++, q /= 10.0) {
        int whole = 1;
        for (size_t i = 0; i < n && whole; i++) {
            if (!isfinite(values[i]))
                continue;
            const double m = values[i] / q;
            if (fabs(m - nearbyint(m)) > fmax(QUANTUM_ABS_SLACK, QUANTUM_REL_SLACK * fabs(m)))
                whole = 0;
        }
        if (whole)
            return q;
    }
    return 0.0;
}

int gex_validate_moneyness_bucket(double strike, double spot)
{
    const double m = strike / spot;
    if (!(m >= 0.90))
        return 0;
    if (m < 0.97)
        return 1;
    if (m < 1.03)
        return 2;
    if (m < 1.10)
        return 3;
    return 4;
}

const char *gex_validate_moneyness_name(int bucket)
{
    static const char *const names[GEX_VALIDATE_MONEYNESS_BUCKETS] = {
        "K/S < 0.90", "0.90-0.97", "0.97-1.03", "1.03-1.10", "K/S >= 1.10"};
    if (bucket < 0 || bucket >= GEX_VALIDATE_MONEYNESS_BUCKETS)
        return "unknown";
    return names[bucket];
}

/* The regular session of US equity options, New York time: 09:30 to 16:00 (Cboe trading hours
 * for equity and ETF options); 252 sessions a year is the usual trading-day count. */
#define SESSION_OPEN_S        (9 * 3600 + 30 * 60)
#define SESSION_CLOSE_S       (16 * 3600)
#define TRADING_DAYS_PER_YEAR 252.0

static int is_weekday(int32_t day)
{
    const int wd = gex_time_weekday(day);
    return wd != 0 && wd != 6;
}

int64_t gex_validate_previous_close(int64_t utc)
{
    int32_t day = gex_time_eastern_date(utc);
    /* at most three days back (Monday morning to Friday), plus margin */
    for (int i = 0; i < 8; i++, day--) {
        const int64_t close = gex_time_eastern_to_utc(day, SESSION_CLOSE_S);
        if (is_weekday(day) && close <= utc)
            return close;
    }
    return utc;
}

double gex_validate_trading_years(int64_t from, int64_t to)
{
    if (to <= from)
        return 0.0;
    const int32_t d0 = gex_time_eastern_date(from), d1 = gex_time_eastern_date(to);
    const double length = SESSION_CLOSE_S - SESSION_OPEN_S;
    double sessions = 0.0;
    for (int32_t d = d0; d <= d1; d++) {
        /* whole weeks strictly inside the span hold 5 full sessions each */
        if (d > d0 && d + 7 < d1) {
            const int32_t weeks = (d1 - 1 - d) / 7;
            sessions += 5.0 * weeks;
            d += 7 * weeks - 1;
            continue;
        }
        if (!is_weekday(d))
            continue;
        const int64_t open = gex_time_eastern_to_utc(d, SESSION_OPEN_S);
        const int64_t close = gex_time_eastern_to_utc(d, SESSION_CLOSE_S);
        const int64_t a = from > open ? from : open;
        const int64_t b = to < close ? to : close;
        if (b > a)
            sessions += (double)(b - a) / length;
    }
    return sessions / TRADING_DAYS_PER_YEAR;
}

const char *gex_validate_time_name(int convention)
{
    static const char *const names[GEX_VALIDATE_T_COUNT] = {
        "quote instant, calendar days / 365", "quote instant, trading days / 252",
        "previous 16:00 close, calendar / 365", "previous 16:00 close, trading / 252"};
    return convention >= 0 && convention < GEX_VALIDATE_T_COUNT ? names[convention] : NULL;
}

/* The contracts chain_greeks_stride prices American, gathered while it walks the chain and valued
 * an expiration at a time (gex_am_expiration_values: the contracts with the same T, r and q,
 * consecutive in the walk, share their boundary solves). */
typedef struct american_batch {
    size_t n;
    size_t *index;
    int *type;
    double *T, *r, *q, *S, *K, *sigma, *price, *delta, *gamma;
    gex_am_status *status;
} american_batch;

static void american_batch_free(american_batch *ab)
{
    free(ab->index);
    free(ab->type);
    free(ab->T);
    free(ab->status);
}

static int american_batch_init(american_batch *ab, size_t capacity)
{
    *ab = (american_batch){0};
    const size_t c = capacity > 0 ? capacity : 1;
    ab->index = malloc(c * sizeof *ab->index);
    ab->type = malloc(c * sizeof *ab->type);
    ab->T = malloc(9 * c * sizeof *ab->T);
    ab->status = malloc(c * sizeof *ab->status);
    if (ab->index == NULL || ab->type == NULL || ab->T == NULL || ab->status == NULL) {
        american_batch_free(ab);
        return GEX_ENOMEM;
    }
    ab->r = ab->T + c;
    ab->q = ab->T + 2 * c;
    ab->S = ab->T + 3 * c;
    ab->K = ab->T + 4 * c;
    ab->sigma = ab->T + 5 * c;
    ab->price = ab->T + 6 * c;
    ab->delta = ab->T + 7 * c;
    ab->gamma = ab->T + 8 * c;
    return GEX_OK;
}

/* The fit of settlement instant t among fits[0..n) (ok or not), or NULL; *hint is where the last
 * one was found (contracts come grouped by expiration: it is tried first). */
static const gex_parity_fit *fit_of(const gex_parity_fit *fits, size_t n, int64_t t, size_t *hint)
{
    if (fits == NULL)
        return NULL;
    if (!(*hint < n && fits[*hint].settlement == t))
        for (*hint = 0; *hint < n && fits[*hint].settlement != t; (*hint)++)
            ;
    return *hint < n ? &fits[*hint] : NULL;
}

typedef struct strike_key {
    uint32_t underlying, root;
    int64_t settlement;
    double strike;
    size_t index;
} strike_key;

static int cmp_strike_key(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    const strike_key *x = a, *y = b;
    if (x->underlying != y->underlying)
        return x->underlying < y->underlying ? -1 : 1;
    if (x->root != y->root)
        return x->root < y->root ? -1 : 1;
    if (x->settlement != y->settlement)
        return x->settlement < y->settlement ? -1 : 1;
    if (x->strike != y->strike)
        return x->strike < y->strike ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* The keys of v's contracts, those of status OK alone when ok_only, roots apart when by_root
 * (else every root as one), sorted by underlying, root, settlement, strike and position: a
 * strike's call and put side by side. *m their number; NULL when memory ran out. */
static strike_key *sorted_strike_keys(const gex_chain_view *v, int ok_only, int by_root, size_t *m)
{
    strike_key *k = malloc((v->n + 1) * sizeof *k);
    *m = 0;
    if (k == NULL)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (!ok_only || v->status[i] == GEX_CONTRACT_OK)
            k[(*m)++] = (strike_key){v->underlying[i], by_root ? v->root[i] : 0, v->settlement[i],
                                     v->strike[i], i};
    /* files list an expiration's strikes in order, so the runs are long: gex__sort_stable
     * merges them (the key ends with the position, so the order is the one qsort gave) */
    if (gex__sort_stable(k, *m, sizeof *k, cmp_strike_key, NULL) != GEX_OK) {
        free(k);
        return NULL;
    }
    return k;
}

int gex_validate_otm_iv(const gex_chain *chain, const gex_parity_fit *fits, size_t n_fits,
                        double *sigma, size_t *replaced)
{
    double rate = 0.0, div = 0.0;
    if (chain == NULL || sigma == NULL || (fits == NULL && n_fits > 0) ||
        gex_chain_carry(chain, &rate, &div) != GEX_OK)
        return GEX_EINVAL;
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    size_t n_replaced = 0;
    for (size_t i = 0; i < v.n; i++)
        sigma[i] = v.iv[i];
    size_t m = 0;
    strike_key *k = sorted_strike_keys(&v, 1, 1, &m);
    if (k == NULL)
        return GEX_ENOMEM;
    size_t hint = 0;
    for (size_t j = 0; j + 1 < m; j++) {
        const size_t a = k[j].index, b = k[j + 1].index;
        if (v.type[a] == v.type[b] || k[j].underlying != k[j + 1].underlying ||
            k[j].root != k[j + 1].root || k[j].settlement != k[j + 1].settlement ||
            k[j].strike != k[j + 1].strike)
            continue;
        /* the forward of the expiration: the parity fit's, else the flat carry's */
        const gex_parity_fit *f = fit_of(fits, n_fits, v.settlement[a], &hint);
        const double F = f != NULL && f->ok ? f->forward : v.spot[a] * exp((rate - div) * v.T[a]);
        const size_t call = v.type[a] == GEX_CALL ? a : b, put = call == a ? b : a;
        const double otm = v.strike[a] >= F ? v.iv[call] : v.iv[put];
        for (int side = 0; side < 2; side++) {
            const size_t i = side ? b : a;
            n_replaced += sigma[i] != otm;
            sigma[i] = otm;
        }
        j++;
    }
    free(k);
    if (replaced != NULL)
        *replaced = n_replaced;
    return GEX_OK;
}

/* SPEC 1.1's T of contract i, measured from the instant from (the quote or the previous close)
 * in calendar or trading years; the quote instant's calendar T is the prepared chain's own, to
 * the bit. */
/* The years to settlement under a time basis, counted from from (convention_from) in trading
 * sessions or calendar seconds; T_quote, the chain's own T, under the quote instant's calendar
 * basis. */
static double basis_T(int64_t settlement, double T_quote, gex_validate_time convention,
                      int64_t from, int trading)
{
    if (convention == GEX_VALIDATE_T_QUOTE_CALENDAR)
        return T_quote;
    return trading ? gex_validate_trading_years(from, settlement)
                   : (double)(settlement - from) / GEX_SECONDS_PER_YEAR;
}

static double contract_T(const gex_chain_view *v, size_t i, gex_validate_time convention,
                         int64_t from, int trading)
{
    return basis_T(v->settlement[i], v->T[i], convention, from, trading);
}

/* What a row prices an expiration's contracts with, kept for the last few settlements seen
 * and computed once for a run of its contracts, not per contract: its T under the row's basis
 * (contract_T: the trading-session count walks the calendar) and its carry from the parity fit
 * (two logarithms). Files list an expiration's contracts together, but a monthly's AM and PM
 * roots (SPX and SPXW) strike by strike. */
#define EXPIRY_CACHE_SIZE 4

typedef struct expiry_entry {
    int64_t settlement;
    int has_T;
    double T;
    /* the carry at carry_T and carry_S, once has_carry: r and q, the spot priced at, and
     * whether a parity fit gave them (else the chain's flat carry) */
    int has_carry, fitted;
    double carry_T, carry_S, r, q, S_out;
} expiry_entry;

typedef struct expiry_cache {
    expiry_entry e[EXPIRY_CACHE_SIZE];
    int n, next;
} expiry_cache;

/* The entry of a settlement: the one kept, or a new empty one in place of the oldest. */
static expiry_entry *cached_expiry(expiry_cache *c, int64_t settlement)
{
    for (int k = 0; k < c->n; k++)
        if (c->e[k].settlement == settlement)
            return &c->e[k];
    expiry_entry *e = &c->e[c->next];
    *e = (expiry_entry){.settlement = settlement};
    c->next = (c->next + 1) % EXPIRY_CACHE_SIZE;
    c->n += c->n < EXPIRY_CACHE_SIZE;
    return e;
}

/* contract_T of contract i, computed once for its settlement. */
static double cached_T(expiry_cache *c, const gex_chain_view *v, size_t i,
                       gex_validate_time convention, int64_t from, int trading)
{
    expiry_entry *e = cached_expiry(c, v->settlement[i]);
    if (!e->has_T) {
        e->T = contract_T(v, i, convention, from, trading);
        e->has_T = 1;
    }
    return e->T;
}

static int64_t convention_from(gex_validate_time convention, int64_t quote)
{
    const int from_close =
        convention == GEX_VALIDATE_T_CLOSE_CALENDAR || convention == GEX_VALIDATE_T_CLOSE_TRADING;
    return from_close ? gex_validate_previous_close(quote) : quote;
}

static int convention_trading(gex_validate_time convention)
{
    return convention == GEX_VALIDATE_T_QUOTE_TRADING || convention == GEX_VALIDATE_T_CLOSE_TRADING;
}

/* The greeks of gex_validate_chain_greeks, _parity, _exercise, _sigma, _spot and _forward: fits
 * NULL for the chain's carry, exercise GEX_EXERCISE_EUROPEAN for Black-Scholes throughout, sigma
 * NULL for each contract's own IV, spot NAN for each contract's own; spot_fd non-zero prices each
 * expiration with a parity fit at the spot F D and q = 0 (gex_validate_chain_greeks_forward);
 * only every stride-th contract is computed (the others are left not computed: a sample for the
 * rate fits). */
static int chain_greeks_stride(const gex_chain *chain, int64_t quote, gex_validate_time convention,
                               const gex_parity_fit *fits, size_t n_fits, gex_exercise exercise,
                               const double *sigma, double spot, int spot_fd, size_t stride,
                               double *delta, double *gamma, uint8_t *computed, size_t *flat,
                               size_t *american, size_t *double_boundary)
{
    double rate = 0.0, div = 0.0;
    if (chain == NULL || delta == NULL || gamma == NULL || computed == NULL ||
        (int)convention < 0 || convention >= GEX_VALIDATE_T_COUNT ||
        gex_chain_carry(chain, &rate, &div) != GEX_OK || (fits == NULL && n_fits > 0) ||
        (int)exercise < GEX_EXERCISE_AUTO || exercise > GEX_EXERCISE_AMERICAN)
        return GEX_EINVAL;
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    const int trading = convention_trading(convention);
    const int64_t from = convention_from(convention, quote);
    size_t n_flat = 0, n_american = 0, n_double = 0, fi = 0;
    expiry_cache times = {.n = 0};
    american_batch ab;
    if (american_batch_init(&ab, exercise != GEX_EXERCISE_EUROPEAN ? v.n : 0) != GEX_OK)
        return GEX_ENOMEM;
    /* The contracts priced by 1.3, gathered for one call of the vectorised greeks: index, then
     * S, K, T, sigma, r, q, delta and gamma, and type and status. */
    const size_t cap = v.n > 0 ? v.n : 1;
    size_t *eu_index = malloc(cap * sizeof *eu_index);
    double *eu = malloc(8 * cap * sizeof *eu);
    uint8_t *eu_flags = malloc(2 * cap);
    /* each root's exercise style, looked up once (gex__root_is_american) */
    uint8_t *root_style = calloc(gex_chain_symbol_count(chain) + 1, 1);
    if (eu_index == NULL || eu == NULL || eu_flags == NULL || root_style == NULL) {
        free(eu_index);
        free(eu);
        free(eu_flags);
        free(root_style);
        american_batch_free(&ab);
        return GEX_ENOMEM;
    }
    double *eu_S = eu, *eu_K = eu + cap, *eu_T = eu + 2 * cap, *eu_sigma = eu + 3 * cap,
           *eu_r = eu + 4 * cap, *eu_q = eu + 5 * cap, *eu_delta = eu + 6 * cap,
           *eu_gamma = eu + 7 * cap;
    uint8_t *eu_type = eu_flags, *eu_status = eu_flags + cap;
    size_t n_eu = 0;
    for (size_t i = 0; i < v.n; i++) {
        delta[i] = gamma[i] = 0.0;
        computed[i] = 0;
        if (v.status[i] != GEX_CONTRACT_OK || (stride > 1 && i % stride != 0))
            continue;
        /* the chain's own T under the quote instant's calendar basis; under the others, the
         * settlement's T, computed once for a run of them */
        const double T = convention == GEX_VALIDATE_T_QUOTE_CALENDAR
                             ? v.T[i]
                             : cached_T(&times, &v, i, convention, from, trading);
        if (!(T > 0.0))
            continue;
        double r = rate, q = div;
        double S = spot > 0.0 ? spot : v.spot[i];
        if (fits != NULL) {
            /* the expiration's carry, computed once for a run of its contracts */
            expiry_entry *ce = cached_expiry(&times, v.settlement[i]);
            if (!ce->has_carry || ce->carry_T != T || ce->carry_S != S) {
                const gex_parity_fit *f = fit_of(fits, n_fits, v.settlement[i], &fi);
                ce->has_carry = 1;
                ce->carry_T = T;
                ce->carry_S = S;
                ce->fitted = f != NULL && f->ok;
                ce->r = rate;
                ce->q = div;
                ce->S_out = S;
                if (ce->fitted) {
                    ce->r = -log(f->discount) / T;
                    if (spot_fd) {
                        /* the expiration's own underlying: S = F D, no dividend to settlement */
                        ce->S_out = f->forward * f->discount;
                        ce->q = 0.0;
                    } else {
                        ce->q = ce->r - log(f->forward / S) / T;
                    }
                }
            }
            r = ce->r;
            q = ce->q;
            S = ce->S_out;
            n_flat += !ce->fitted;
        }
        const double vol = sigma != NULL ? sigma[i] : v.iv[i];
        const int am = exercise != GEX_EXERCISE_EUROPEAN &&
                       gex__root_is_american(chain, v.root[i], exercise, root_style);
        if (am) {
            const size_t j = ab.n++;
            ab.index[j] = i;
            ab.type[j] = v.type[i];
            ab.T[j] = T;
            ab.r[j] = r;
            ab.q[j] = q;
            ab.S[j] = S;
            ab.K[j] = v.strike[i];
            ab.sigma[j] = vol;
            continue;
        }
        const size_t j = n_eu++;
        eu_index[j] = i;
        eu_type[j] = v.type[i];
        eu_S[j] = S;
        eu_K[j] = v.strike[i];
        eu_T[j] = T;
        eu_sigma[j] = vol;
        eu_r[j] = r;
        eu_q[j] = q;
    }
    const gex_bs_batch_in in = {.n = n_eu,
                                .S = eu_S,
                                .K = eu_K,
                                .T = eu_T,
                                .sigma = eu_sigma,
                                .type = eu_type,
                                .r = eu_r,
                                .q = eu_q};
    const gex_bs_batch_out out = {.delta = eu_delta, .gamma = eu_gamma, .status = eu_status};
    if (gex_bs_greeks_batch(&in, &out, NULL) == GEX_OK)
        for (size_t j = 0; j < n_eu; j++) {
            if (eu_status[j] != GEX_BS_OK)
                continue;
            const size_t i = eu_index[j];
            delta[i] = eu_delta[j];
            gamma[i] = eu_gamma[j];
            computed[i] = 1;
        }
    free(eu_index);
    free(eu);
    free(eu_flags);
    free(root_style);
    /* each run of equal T, r and q in one batch: status OK (American), GEX_AM_DOUBLE_BOUNDARY
     * (the carry makes two exercise boundaries: a parity fit's negative rate; Black-Scholes
     * kept and counted below) or another (not priced) */
    gex__am_values_by_run(ab.n, ab.T, ab.r, ab.q, ab.type, ab.S, ab.K, ab.sigma, ab.price, ab.delta,
                          ab.gamma, ab.status);
    for (size_t j = 0; j < ab.n; j++) {
        const size_t i = ab.index[j];
        if (ab.status[j] == GEX_AM_OK) {
            n_american++;
            delta[i] = ab.delta[j];
            gamma[i] = ab.gamma[j];
            computed[i] = 1;
        } else if (ab.status[j] == GEX_AM_DOUBLE_BOUNDARY) {
            gex_greeks g;
            if (gex_bs_greeks(ab.type[j], ab.S[j], ab.K[j], ab.T[j], ab.sigma[j], ab.r[j], ab.q[j],
                              &g) != GEX_BS_OK)
                continue;
            n_double++;
            delta[i] = g.delta;
            gamma[i] = g.gamma;
            computed[i] = 1;
        }
    }
    american_batch_free(&ab);
    if (flat != NULL)
        *flat = n_flat;
    if (american != NULL)
        *american = n_american;
    if (double_boundary != NULL)
        *double_boundary = n_double;
    return GEX_OK;
}

static int chain_greeks(const gex_chain *chain, int64_t quote, gex_validate_time convention,
                        const gex_parity_fit *fits, size_t n_fits, gex_exercise exercise,
                        const double *sigma, double spot, double *delta, double *gamma,
                        uint8_t *computed, size_t *flat, size_t *american, size_t *double_boundary)
{
    return chain_greeks_stride(chain, quote, convention, fits, n_fits, exercise, sigma, spot, 0, 1,
                               delta, gamma, computed, flat, american, double_boundary);
}

int gex_validate_chain_greeks(const gex_chain *chain, int64_t quote, gex_validate_time convention,
                              double *delta, double *gamma, uint8_t *computed)
{
    return chain_greeks(chain, quote, convention, NULL, 0, GEX_EXERCISE_EUROPEAN, NULL, (double)NAN,
                        delta, gamma, computed, NULL, NULL, NULL);
}

int gex_validate_chain_greeks_parity(const gex_chain *chain, int64_t quote,
                                     gex_validate_time convention, const gex_parity_fit *fits,
                                     size_t n_fits, double *delta, double *gamma, uint8_t *computed,
                                     size_t *flat)
{
    if (fits == NULL)
        return GEX_EINVAL;
    return chain_greeks(chain, quote, convention, fits, n_fits, GEX_EXERCISE_EUROPEAN, NULL,
                        (double)NAN, delta, gamma, computed, flat, NULL, NULL);
}

int gex_validate_chain_greeks_exercise(const gex_chain *chain, int64_t quote,
                                       gex_validate_time convention, const gex_parity_fit *fits,
                                       size_t n_fits, gex_exercise exercise, double *delta,
                                       double *gamma, uint8_t *computed, size_t *flat,
                                       size_t *american, size_t *double_boundary)
{
    return chain_greeks(chain, quote, convention, fits, n_fits, exercise, NULL, (double)NAN, delta,
                        gamma, computed, flat, american, double_boundary);
}

int gex_validate_chain_greeks_sigma(const gex_chain *chain, int64_t quote,
                                    gex_validate_time convention, const gex_parity_fit *fits,
                                    size_t n_fits, gex_exercise exercise, const double *sigma,
                                    double *delta, double *gamma, uint8_t *computed, size_t *flat,
                                    size_t *american, size_t *double_boundary)
{
    if (sigma == NULL)
        return GEX_EINVAL;
    return chain_greeks(chain, quote, convention, fits, n_fits, exercise, sigma, (double)NAN, delta,
                        gamma, computed, flat, american, double_boundary);
}

int gex_validate_better(const gex_validate_score *a, const gex_validate_score *b)
{
    if (a == NULL || b == NULL)
        return 0;
    const int by_gamma = a->gamma_n > 0 || b->gamma_n > 0;
    const size_t ma = by_gamma ? a->gamma_matched : a->delta_matched;
    const size_t na = by_gamma ? a->gamma_n : a->delta_n;
    const size_t mb = by_gamma ? b->gamma_matched : b->delta_matched;
    const size_t nb = by_gamma ? b->gamma_n : b->delta_n;
    /* ma / na against mb / nb without division, a row with n = 0 at share 0; the counts are
     * contracts, far below 2^32, so the products fit 64 bits */
    const unsigned long long lhs = na ? (unsigned long long)ma * (nb ? nb : 1) : 0;
    const unsigned long long rhs = nb ? (unsigned long long)mb * (na ? na : 1) : 0;
    if (lhs != rhs)
        return lhs > rhs;
    return a->delta_rms < b->delta_rms;
}

void gex_validate_hold_rate(const gex_parity_fit *fits, size_t n, double rate, gex_parity_fit *out)
{
    gex_validate_hold_rate_basis(fits, n, rate, 0, GEX_VALIDATE_T_QUOTE_CALENDAR, out);
}

void gex_validate_hold_rate_basis(const gex_parity_fit *fits, size_t n, double rate, int64_t quote,
                                  gex_validate_time convention, gex_parity_fit *out)
{
    if (fits == NULL || out == NULL || (int)convention < 0 || convention >= GEX_VALIDATE_T_COUNT)
        return;
    const int trading = convention_trading(convention);
    const int64_t from = convention_from(convention, quote);
    for (size_t e = 0; e < n; e++) {
        out[e] = fits[e];
        if (!fits[e].ok || !(fits[e].T > 0.0))
            continue;
        /* the T the rows of that basis price with (contract_T), so that -ln(D) / T is rate */
        const double T = basis_T(fits[e].settlement, fits[e].T, convention, from, trading);
        if (!(T > 0.0))
            continue;
        out[e].discount = exp(-rate * T);
        /* F = S e^{(r - q) T} with S the spot the fit's div was measured from */
        out[e].div = fits[e].div + (rate - fits[e].rate);
        out[e].rate = rate;
    }
}

/* The counts of one row: the chain's own columns against delta[], gamma[] where computed. */
static gex_validate_score score_row(const gex_chain_view *v, const double *delta,
                                    const double *gamma, const uint8_t *computed, double tol,
                                    double floor_d, double floor_g)
{
    gex_validate_score s = {0, 0, 0, 0, 0.0};
    double sd = 0.0;
    for (size_t i = 0; i < v->n; i++) {
        if (!computed[i])
            continue;
        if (isfinite(v->vendor_delta[i])) {
            const double d = v->vendor_delta[i] - delta[i];
            sd += d * d;
            s.delta_n++;
            s.delta_matched += (size_t)agrees(v->vendor_delta[i], delta[i], tol, floor_d);
        }
        if (isfinite(v->vendor_gamma[i])) {
            s.gamma_n++;
            s.gamma_matched += (size_t)agrees(v->vendor_gamma[i], gamma[i], tol, floor_g);
        }
    }
    s.delta_rms = s.delta_n ? sqrt(sd / (double)s.delta_n) : 0.0;
    return s;
}

/* The rate of the grid 0, step, ... GEX_VALIDATE_RATE_MAX that reproduces the file's columns
 * best (gex_validate_better), every expiration held at it (gex_validate_hold_rate). European:
 * every contract at its own IV. American: the forward from the strikes at or below the spot,
 * the strike's OTM IV and the implied spot, exercise by root, on every stride-th contract. */
static int fit_rate(const gex_chain *chain, int64_t quote, gex_validate_time convention,
                    const gex_parity_fit *fits, size_t n_fits, double tol, int american,
                    double step, size_t sample, double *rate, gex_validate_score *score)
{
    if (chain == NULL || rate == NULL || (fits == NULL && n_fits > 0) || (int)convention < 0 ||
        convention >= GEX_VALIDATE_T_COUNT || !(tol >= 0.0))
        return GEX_EINVAL;
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    double *delta = malloc((3 * v.n + 1) * sizeof *delta);
    uint8_t *computed = malloc(v.n + 1);
    gex_parity_fit *held = malloc((n_fits + 1) * sizeof *held);
    if (delta == NULL || computed == NULL || held == NULL) {
        free(delta);
        free(computed);
        free(held);
        return GEX_ENOMEM;
    }
    double *gamma = delta + v.n, *sigma = gamma + v.n;
    const double floor_d = gex_validate_quantum(v.vendor_delta, v.n) / 2.0;
    const double floor_g = gex_validate_quantum(v.vendor_gamma, v.n) / 2.0;
    const size_t stride = sample > 0 && v.n > sample ? (v.n + sample - 1) / sample : 1;
    gex_validate_score best = {0, 0, 0, 0, 0.0};
    double best_rate = 0.0;
    int st = GEX_OK, have = 0;
    const int steps = (int)lround(GEX_VALIDATE_RATE_MAX / step);
    for (int k = 0; k <= steps && st == GEX_OK; k++) {
        const double r = k * step;
        gex_validate_hold_rate_basis(fits, n_fits, r, quote, convention, held);
        double spot = (double)NAN;
        if (american) {
            st = gex_validate_forward_below_spot(chain, held, n_fits, held);
            if (st == GEX_OK)
                st = gex_validate_otm_iv(chain, held, n_fits, sigma, NULL);
            spot = gex_validate_implied_spot(held, n_fits);
        }
        if (st == GEX_OK)
            st = chain_greeks_stride(chain, quote, convention, held, n_fits,
                                     american ? GEX_EXERCISE_AUTO : GEX_EXERCISE_EUROPEAN,
                                     american ? sigma : NULL, spot, 0, stride, delta, gamma,
                                     computed, NULL, NULL, NULL);
        if (st != GEX_OK)
            break;
        const gex_validate_score s = score_row(&v, delta, gamma, computed, tol, floor_d, floor_g);
        if (!have || gex_validate_better(&s, &best)) {
            best = s;
            best_rate = r;
            have = 1;
        }
    }
    free(delta);
    free(computed);
    free(held);
    if (st != GEX_OK)
        return st;
    *rate = best_rate;
    if (score != NULL)
        *score = best;
    return GEX_OK;
}

int gex_validate_fit_rate(const gex_chain *chain, int64_t quote, gex_validate_time convention,
                          const gex_parity_fit *fits, size_t n_fits, double tol, double *rate,
                          gex_validate_score *score)
{
    return fit_rate(chain, quote, convention, fits, n_fits, tol, 0, GEX_VALIDATE_RATE_STEP, 0, rate,
                    score);
}

/* A two-sided quote's mid (SPEC 1.4), else NAN. */
static double two_sided_mid(double bid, double ask)
{
    return bid > 0.0 && ask >= bid && ask < HUGE_VAL ? 0.5 * bid + 0.5 * ask : (double)NAN;
}

int gex_validate_forward_below_spot(const gex_chain *chain, const gex_parity_fit *fits, size_t n,
                                    gex_parity_fit *out)
{
    double rate = 0.0, div = 0.0;
    if (chain == NULL || (n > 0 && (fits == NULL || out == NULL)) ||
        gex_chain_carry(chain, &rate, &div) != GEX_OK)
        return GEX_EINVAL;
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    size_t n_keys = 0;
    strike_key *k = sorted_strike_keys(&v, 0, 0, &n_keys);
    /* per strike: K and C - P, then K + (C - P) / D of the nearest ones */
    double *pk = malloc((2 * v.n + 1) * sizeof *pk);
    if (k == NULL || pk == NULL) {
        free(k);
        free(pk);
        return GEX_ENOMEM;
    }
    double *py = pk + v.n;
    for (size_t e = 0; e < n; e++) {
        out[e] = fits[e];
        if (!fits[e].ok || !(fits[e].T > 0.0) || !(fits[e].discount > 0.0))
            continue;
        /* the contracts of this settlement, sorted by strike: call-put pairs at or below S */
        size_t m = 0;
        double spot = (double)NAN;
        for (size_t j = 0; j + 1 < n_keys; j++) {
            if (k[j].settlement != fits[e].settlement)
                continue;
            const size_t a = k[j].index, b = k[j + 1].index;
            spot = v.spot[a];
            if (k[j + 1].settlement != k[j].settlement || k[j + 1].strike != k[j].strike ||
                v.type[a] == v.type[b] || !(k[j].strike <= v.spot[a]))
                continue;
            const size_t call = v.type[a] == GEX_CALL ? a : b, put = call == a ? b : a;
            const double c = two_sided_mid(v.bid[call], v.ask[call]);
            const double p = two_sided_mid(v.bid[put], v.ask[put]);
            if (isfinite(c) && isfinite(p)) {
                pk[m] = k[j].strike;
                py[m] = c - p;
                m++;
            }
            j++;
        }
        if (m < GEX_VALIDATE_BELOW_MIN_PAIRS)
            continue;
        /* the nearest strikes below S are the last ones: strikes ascend */
        const size_t use = m < GEX_VALIDATE_BELOW_PAIRS ? m : GEX_VALIDATE_BELOW_PAIRS;
        double *x = pk + (m - use);
        const double *y = py + (m - use);
        for (size_t j = 0; j < use; j++)
            x[j] = x[j] + y[j] / fits[e].discount;
        const double F = gex__median(x, use);
        if (!(F > 0.0 && F < HUGE_VAL) || !(spot > 0.0))
            continue;
        out[e].forward = F;
        out[e].div = out[e].rate - log(F / spot) / fits[e].T;
    }
    free(k);
    free(pk);
    return GEX_OK;
}

int gex_validate_chain_greeks_spot(const gex_chain *chain, int64_t quote,
                                   gex_validate_time convention, const gex_parity_fit *fits,
                                   size_t n_fits, gex_exercise exercise, const double *sigma,
                                   double spot, double *delta, double *gamma, uint8_t *computed,
                                   size_t *american, size_t *double_boundary)
{
    if (sigma == NULL || !(spot > 0.0) || !isfinite(spot))
        return GEX_EINVAL;
    return chain_greeks(chain, quote, convention, fits, n_fits, exercise, sigma, spot, delta, gamma,
                        computed, NULL, american, double_boundary);
}

double gex_validate_implied_spot(const gex_parity_fit *fits, size_t n)
{
    if (fits == NULL)
        return (double)NAN;
    for (size_t e = 0; e < n; e++)
        if (fits[e].ok && fits[e].T > 0.0 && fits[e].discount > 0.0 && fits[e].forward > 0.0)
            return fits[e].forward * fits[e].discount;
    return (double)NAN;
}

int gex_validate_fit_rate_american(const gex_chain *chain, int64_t quote,
                                   gex_validate_time convention, const gex_parity_fit *fits,
                                   size_t n_fits, double tol, size_t sample, double *rate,
                                   gex_validate_score *score)
{
    return fit_rate(chain, quote, convention, fits, n_fits, tol, 1, GEX_VALIDATE_AM_RATE_STEP,
                    sample, rate, score);
}

int gex_validate_chain_greeks_forward(const gex_chain *chain, int64_t quote,
                                      gex_validate_time convention, const gex_parity_fit *fits,
                                      size_t n_fits, gex_exercise exercise, const double *sigma,
                                      double *delta, double *gamma, uint8_t *computed, size_t *flat,
                                      size_t *american, size_t *double_boundary)
{
    if (fits == NULL || sigma == NULL)
        return GEX_EINVAL;
    return chain_greeks_stride(chain, quote, convention, fits, n_fits, exercise, sigma, (double)NAN,
                               1, 1, delta, gamma, computed, flat, american, double_boundary);
}

/* The implied volatility of theoretical price theo of contract i at its expiration's fit f:
 * Black-Scholes at S = F D, q = 0, r = -ln(D) / T (the price depends on F, D and sigma sqrt(T)
 * only). 1 and *sigma, or 0 where there is no price or it has no IV. */
static int theo_iv(const gex_chain_view *v, size_t i, const gex_parity_fit *f, double T,
                   double *sigma)
{
    const double p = v->theo[i];
    if (!(p > 0.0) || !isfinite(p))
        return 0;
    const double r = -log(f->discount) / T;
    return gex_bs_implied_vol(v->type[i], p, f->forward * f->discount, v->strike[i], T, r, 0.0,
                              sigma) == GEX_IV_OK;
}

int gex_validate_theo_iv(const gex_chain *chain, int64_t quote, gex_validate_time convention,
                         const gex_parity_fit *fits, size_t n_fits, double *sigma, size_t *solved)
{
    if (chain == NULL || sigma == NULL || (fits == NULL && n_fits > 0) || (int)convention < 0 ||
        convention >= GEX_VALIDATE_T_COUNT)
        return GEX_EINVAL;
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    if (v.theo == NULL || v.T == NULL)
        return GEX_EINVAL;
    for (size_t i = 0; i < v.n; i++)
        sigma[i] = v.iv[i];
    /* every contract of the file: a strike's OTM side may carry a theoretical price though its
     * own quote gave no IV */
    size_t n_keys = 0;
    strike_key *k = sorted_strike_keys(&v, 0, 1, &n_keys);
    if (k == NULL)
        return GEX_ENOMEM;
    const int trading = convention_trading(convention);
    const int64_t from = convention_from(convention, quote);
    expiry_cache times = {.n = 0};
    size_t n_solved = 0, hint = 0;
    for (size_t j = 0; j < n_keys;) {
        size_t end = j + 1;
        while (end < n_keys && k[end].underlying == k[j].underlying && k[end].root == k[j].root &&
               k[end].settlement == k[j].settlement && k[end].strike == k[j].strike)
            end++;
        size_t call = v.n, put = v.n;
        for (size_t m = j; m < end; m++) {
            const size_t i = k[m].index;
            if (v.type[i] == GEX_CALL && call == v.n)
                call = i;
            else if (v.type[i] == GEX_PUT && put == v.n)
                put = i;
        }
        const size_t first = k[j].index;
        const gex_parity_fit *f = fit_of(fits, n_fits, v.settlement[first], &hint);
        const double T = cached_T(&times, &v, first, convention, from, trading);
        j = end;
        if (f == NULL || !f->ok || !(f->discount > 0.0) || !(f->forward > 0.0) || !(T > 0.0))
            continue;
        /* the out-of-the-money side first (the call at or above the forward), else the other */
        const size_t otm = v.strike[first] >= f->forward ? call : put;
        const size_t itm = otm == call ? put : call;
        double s = 0.0;
        if (!((otm < v.n && theo_iv(&v, otm, f, T, &s)) ||
              (itm < v.n && theo_iv(&v, itm, f, T, &s))))
            continue;
        if (call < v.n) {
            sigma[call] = s;
            n_solved += v.status[call] == GEX_CONTRACT_OK;
        }
        if (put < v.n) {
            sigma[put] = s;
            n_solved += v.status[put] == GEX_CONTRACT_OK;
        }
    }
    free(k);
    if (solved != NULL)
        *solved = n_solved;
    return GEX_OK;
}
