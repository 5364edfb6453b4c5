/*
 * vix.c: CBOE's VIX method on a prepared chain (gex/vix.h): the expirations that bracket the
 * tenor, each one's model-free variance from its out-of-the-money mids, and their
 * interpolation.
 */
#include "gex/vix.h"

#include "gex/option.h"
#include "gex/time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY_YEARS (1.0 / 365.0)

/* A contract of the expiration, by strike. */
typedef struct vix_quote {
    double strike;
    double bid, mid;
    uint8_t type;
} vix_quote;

/* One strike: its call and put (has_* 0 when the chain has none with a finite mid). */
typedef struct vix_strike {
    double k;
    int has_call, has_put;
    double call_bid, call_mid, put_bid, put_mid;
} vix_strike;

static int by_strike(const void *a, const void *b)
{
    const vix_quote *x = a, *y = b;
    if (x->strike != y->strike)
        return x->strike < y->strike ? -1 : 1;
    return (int)x->type - (int)y->type;
}

/* The strikes of one expiration (contracts idx[0..n)), ascending. *m receives their count. */
static int strikes_of(const gex_chain_view *v, const size_t *idx, size_t n, vix_strike **out,
                      size_t *m)
{
    vix_quote *q = malloc((n > 0 ? n : 1) * sizeof *q);
    vix_strike *s = malloc((n > 0 ? n : 1) * sizeof *s);
    if (q == NULL || s == NULL) {
        free(q);
        free(s);
        return GEX_ENOMEM;
    }
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        size_t i = idx[j];
        double bid = v->bid[i], ask = v->ask[i];
        if (!(bid >= 0) || !(ask >= bid) || !isfinite(ask))
            continue; /* no two-sided quote: not a price CBOE's method can use */
        q[k++] = (vix_quote){v->strike[i], bid, 0.5 * (bid + ask), v->type[i]};
    }
    qsort(q, k, sizeof *q, by_strike);
    size_t c = 0;
    for (size_t j = 0; j < k; j++) {
        if (c == 0 || s[c - 1].k != q[j].strike)
            s[c++] = (vix_strike){.k = q[j].strike};
        vix_strike *t = &s[c - 1];
        /* Two contracts of one type and strike (two roots of one settlement): the first. */
        if (q[j].type == GEX_CALL && !t->has_call) {
            t->has_call = 1;
            t->call_bid = q[j].bid;
            t->call_mid = q[j].mid;
        } else if (q[j].type == GEX_PUT && !t->has_put) {
            t->has_put = 1;
            t->put_bid = q[j].bid;
            t->put_mid = q[j].mid;
        }
    }
    free(q);
    *out = s;
    *m = c;
    return GEX_OK;
}

/* The strikes used and their Q, ascending: puts below K0, K0, calls above. */
typedef struct vix_used {
    double k, q;
} vix_used;

/* One side from K0 outwards (step -1: puts going down; +1: calls going up), appended to u. */
static void side(const vix_strike *s, size_t m, size_t k0, int step, vix_used *u, size_t *nu,
                 size_t *count, size_t *zero_bids)
{
    size_t zeros = 0; /* zero bids since the last option used */
    for (long j = (long)k0 + step; j >= 0 && j < (long)m; j += step) {
        const vix_strike *t = &s[j];
        int has = step < 0 ? t->has_put : t->has_call;
        double bid = step < 0 ? t->put_bid : t->call_bid;
        double mid = step < 0 ? t->put_mid : t->call_mid;
        if (!has)
            continue; /* not listed (or no two-sided quote): no bid of the side to count */
        if (!(bid > 0)) {
            if (++zeros == 2)
                break;
            continue;
        }
        *zero_bids += zeros; /* skipped inside the side */
        zeros = 0;
        u[(*nu)++] = (vix_used){t->k, mid};
        (*count)++;
    }
}

static int by_k(const void *a, const void *b)
{
    const vix_used *x = a, *y = b;
    return x->k < y->k ? -1 : x->k > y->k;
}

/* The variance of one expiration. */
static int term_variance(const gex_chain_view *v, const size_t *idx, size_t n, gex_vix_term *t,
                         gex_error *err)
{
    vix_strike *s = NULL;
    size_t m = 0;
    int rc = strikes_of(v, idx, n, &s, &m);
    if (rc != GEX_OK)
        return gex_error_set(err, rc, "", 0, 0, "out of memory computing the volatility index");
    const double T = t->T, R = t->rate, growth = exp(R * T);
    /* The forward at the strike of least |C - P|, both sides bid. */
    size_t best = m;
    double best_diff = INFINITY;
    for (size_t j = 0; j < m; j++) {
        if (!s[j].has_call || !s[j].has_put || !(s[j].call_bid > 0) || !(s[j].put_bid > 0))
            continue;
        double d = fabs(s[j].call_mid - s[j].put_mid);
        if (d < best_diff) {
            best_diff = d;
            best = j;
        }
    }
    char date[32];
    gex_time_format_iso(t->settlement, date, sizeof date);
    if (best == m) {
        free(s);
        return gex_error_set(err, GEX_ENOTFOUND, "", 0, 0,
                             "the expiration settling %s has no strike with both a call and a put "
                             "bid, so its forward cannot be found",
                             date);
    }
    const double F = s[best].k + growth * (s[best].call_mid - s[best].put_mid);
    if (!isfinite(F) || !(F > 0)) {
        /* not a price: the carry's growth e^{RT} overflowed or magnified C - P past the strike */
        free(s);
        if (!isfinite(F))
            return gex_error_set(err, GEX_ERANGE, "", 0, 0,
                                 "the expiration settling %s gives no finite forward: its growth "
                                 "e^(RT) overflows at the rate %.6g (check --rate and --div)",
                                 date, R);
        return gex_error_set(err, GEX_ERANGE, "", 0, 0,
                             "the expiration settling %s gives a forward of %.10g, no price, at "
                             "the rate %.6g (check --rate and --div)",
                             date, F, R);
    }
    size_t k0 = m;
    for (size_t j = 0; j < m; j++)
        if (s[j].k <= F)
            k0 = j;
    if (k0 == m || !s[k0].has_call || !s[k0].has_put) {
        free(s);
        return gex_error_set(err, GEX_ENOTFOUND, "", 0, 0,
                             "the expiration settling %s has no call and put quoted at the "
                             "highest strike at or below its forward %.10g",
                             date, F);
    }
    vix_used *u = malloc((m + 1) * sizeof *u);
    if (u == NULL) {
        free(s);
        return gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory");
    }
    size_t nu = 0;
    u[nu++] = (vix_used){s[k0].k, 0.5 * (s[k0].call_mid + s[k0].put_mid)};
    t->puts = t->calls = t->zero_bids = 0;
    side(s, m, k0, -1, u, &nu, &t->puts, &t->zero_bids);
    side(s, m, k0, +1, u, &nu, &t->calls, &t->zero_bids);
    t->forward = F;
    t->k0 = s[k0].k;
    free(s);
    if (nu < 2) {
        free(u);
        return gex_error_set(err, GEX_ENOTFOUND, "", 0, 0,
                             "the expiration settling %s has no out-of-the-money option with a "
                             "bid beside its at-the-money strike",
                             date);
    }
    qsort(u, nu, sizeof *u, by_k);
    double sum = 0;
    for (size_t j = 0; j < nu; j++) {
        double dk = j == 0        ? u[1].k - u[0].k
                    : j + 1 == nu ? u[j].k - u[j - 1].k
                                  : 0.5 * (u[j + 1].k - u[j - 1].k);
        sum += dk / (u[j].k * u[j].k) * growth * u[j].q;
    }
    free(u);
    double x = F / t->k0 - 1.0;
    t->variance = 2.0 / T * sum - x * x / T;
    if (!isfinite(t->variance))
        /* no finite number to print: the carry made the forward or the growth overflow */
        return gex_error_set(err, GEX_ERANGE, "", 0, 0,
                             "the expiration settling %s gives no finite variance: its forward "
                             "or discount overflows (check --rate and --div)",
                             date);
    if (!(t->variance > 0))
        return gex_error_set(err, GEX_ERANGE, "", 0, 0,
                             "the expiration settling %s gives a variance of %g: its quotes "
                             "contradict each other at the rate %.6g (check them, and --rate "
                             "and --div)",
                             date, t->variance, R);
    return GEX_OK;
}

/* The contracts of the first underlying with settlement s (and a carry), into idx. */
static size_t contracts_of(const gex_chain_view *v, int64_t s, size_t *idx)
{
    size_t n = 0;
    for (size_t i = 0; i < v->n; i++)
        if (v->underlying[i] == v->underlying[0] && v->settlement[i] == s)
            idx[n++] = i;
    return n;
}

int gex_vix_compute(const gex_chain *chain, double tenor_days, gex_vix *out, gex_error *err)
{
    if (chain == NULL || out == NULL || !(tenor_days > 0) || !isfinite(tenor_days))
        return gex_error_set(err, GEX_EINVAL, "", 0, 0,
                             "the volatility index needs a chain and a tenor of more than 0 days");
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    if (v.n == 0 || isnan(v.T[0]))
        return gex_error_set(err, GEX_EINVAL, "", 0, 0,
                             "the volatility index needs a prepared chain (gex_chain_prepare)");
    const double tenor = tenor_days * DAY_YEARS, min_T = GEX_VIX_MIN_DAYS * DAY_YEARS;
    /* The near expiration: the last with min_T <= T <= tenor; the next: the first above. */
    int has_near = 0, has_next = 0;
    int64_t near_s = 0, next_s = 0;
    double near_T = 0, next_T = 0, near_r = 0, next_r = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.underlying[i] != v.underlying[0] || !isfinite(v.T[i]) || !isfinite(v.r[i]))
            continue;
        double T = v.T[i];
        if (T >= min_T && T <= tenor && (!has_near || T > near_T)) {
            has_near = 1;
            near_T = T;
            near_s = v.settlement[i];
            near_r = v.r[i];
        } else if (T > tenor && (!has_next || T < next_T)) {
            has_next = 1;
            next_T = T;
            next_s = v.settlement[i];
            next_r = v.r[i];
        }
    }
    const char *sym = gex_chain_symbol(chain, v.underlying[0]);
    const int exact = has_near && near_T == tenor;
    if (!exact && (!has_near || !has_next))
        return gex_error_set(err, GEX_ENOTFOUND, "", 0, 0,
                             "%s has no %s expiration %s %g days (of at least %g day): the "
                             "%g-day index needs one on each side",
                             sym, has_near ? "later" : "earlier", has_near ? "beyond" : "within",
                             tenor_days, GEX_VIX_MIN_DAYS, tenor_days);
    size_t *idx = malloc(v.n * sizeof *idx);
    if (idx == NULL)
        return gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory");
    memset(out, 0, sizeof *out);
    out->tenor_days = tenor_days;
    out->terms = exact ? 1 : 2;
    out->near = (gex_vix_term){.settlement = near_s, .T = near_T, .rate = near_r};
    int rc = term_variance(&v, idx, contracts_of(&v, near_s, idx), &out->near, err);
    if (rc == GEX_OK && !exact) {
        out->next = (gex_vix_term){.settlement = next_s, .T = next_T, .rate = next_r};
        rc = term_variance(&v, idx, contracts_of(&v, next_s, idx), &out->next, err);
    }
    free(idx);
    if (rc != GEX_OK)
        return rc;
    double w = exact ? 1.0 : (next_T - tenor) / (next_T - near_T);
    double var =
        near_T * out->near.variance * w + (exact ? 0.0 : next_T * out->next.variance * (1.0 - w));
    var /= tenor;
    if (!(var > 0) || !isfinite(var))
        return gex_error_set(err, GEX_ERANGE, "", 0, 0,
                             "the %g-day variance of %s interpolates to %g", tenor_days, sym, var);
    out->index = 100.0 * sqrt(var);
    return GEX_OK;
}
