/*
 * render-validate-vendor.c: the modes of gex validate that take the vendor's responses
 * (render-validate.h): the vendor's levels against its own per-strike table (no chain), and
 * its responses against gex's recomputation from the chain: per strike, the totals and the
 * levels, walls soft.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render-validate-internal.h"

/* Per-strike differences below this share of the tolerance on the largest vendor value cannot
 * move a level or a total: they are counted as agreeing (otherwise far-from-spot strikes with
 * values of a few dollars dominate the relative differences). */
#define IMMATERIAL_SHARE 1e-3

typedef gex_vendor_response vendor_doc;

static const char *kind_name(const vendor_doc *d)
{
    const char *n = gex_vendor_kind_name(d->kind);
    return n != NULL ? n : "?";
}

static int is_table(const vendor_doc *d)
{
    return d->kind >= GEX_VENDOR_GEX && d->kind <= GEX_VENDOR_CHEX;
}

/* call, put and net of measure k (0 gex .. 3 chex) in a row */
static void row_values(const gex_strike_row *row, int k, double v[3])
{
    switch (k) {
    case 0:
        v[0] = row->call_gex, v[1] = row->put_gex, v[2] = row->net_gex;
        break;
    case 1:
        v[0] = row->call_dex, v[1] = row->put_dex, v[2] = row->net_dex;
        break;
    case 2:
        v[0] = row->call_vex, v[1] = row->put_vex, v[2] = row->net_vex;
        break;
    default:
        v[0] = row->call_chex, v[1] = row->put_chex, v[2] = row->net_chex;
        break;
    }
}

static void strike_label(double k, char *buf, size_t size)
{
    char v[48];
    gex__fmt_roundtrip(k, v, sizeof v);
    snprintf(buf, size, "strike %s", v);
}

/* The vendor's own consistency: net = call + put per row, top-level net = sum of the rows in
 * ascending strike order (SPEC 1.5, which the vendor's capture follows exactly). */
static int check_vendor_table(gex__validate_report *r, const vendor_doc *d)
{
    const int k = (int)d->kind;
    gex__validate_item *items = calloc(d->n_rows + 1, sizeof *items);
    if (items == NULL)
        return GEX_ENOMEM;
    double sum = 0.0;
    for (size_t i = 0; i < d->n_rows; i++) {
        double v[3];
        row_values(&d->rows[i], k, v);
        strike_label(d->rows[i].strike, items[i].label, sizeof items[i].label);
        items[i].vendor = v[2];
        items[i].local = v[0] + v[1];
        sum += v[2];
    }
    char name[48];
    snprintf(name, sizeof name, "%s: net_%s = call + put", kind_name(d), kind_name(d));
    int st = gex__validate_add_series(r, name, "vendor's own rows", items, d->n_rows, 0.0, 0.0, 1);
    gex__validate_item *top = calloc(1, sizeof *top);
    if (top == NULL)
        return GEX_ENOMEM;
    snprintf(top->label, sizeof top->label, "net_%s", kind_name(d));
    top->vendor = d->net;
    top->local = sum;
    snprintf(name, sizeof name, "%s: net_%s = sum of the rows", kind_name(d), kind_name(d));
    const int added = gex__validate_add_series(r, name, "vendor's own total", top, 1, 0.0, 0.0, 1);
    return st != GEX_OK ? st : added;
}

/* Ranks for the soft wall checks: the vendor's strike among gex's strikes ordered by call_gex
 * (descending) or |put_gex| (descending). 0 when gex has no such strike. */
static size_t wall_rank(const gex_strike_row *rows, size_t n, double strike, int put)
{
    double *v = malloc((n + 1) * sizeof *v);
    if (v == NULL)
        return 0;
    size_t at = n;
    for (size_t i = 0; i < n; i++) {
        v[i] = put ? fabs(rows[i].put_gex) : rows[i].call_gex;
        if (rows[i].strike == strike)
            at = i;
    }
    const size_t rank = gex_validate_rank(v, n, at);
    free(v);
    return rank;
}

/* Compares a levels response with levels computed by gex; walls are soft, the magnet is not
 * checkable from a per-strike table (magnet_known 0). */
static int compare_levels(gex__validate_report *r, const vendor_doc *lv, const gex_levels *ours,
                          const gex_strike_row *rows, size_t n, double spot, int magnet_known)
{
    static const char *const names[7] = {
        "gamma_flip", "max_positive_gamma", "max_negative_gamma", "call_wall",
        "put_wall",   "highest_oi_strike",  "zero_dte_magnet"};
    const gex_level *theirs[7] = {&lv->levels.gamma_flip,         &lv->levels.max_positive_gamma,
                                  &lv->levels.max_negative_gamma, &lv->levels.call_wall,
                                  &lv->levels.put_wall,           &lv->levels.highest_oi_strike,
                                  &lv->levels.zero_dte_magnet};
    const gex_level *mine[7] = {
        &ours->gamma_flip, &ours->max_positive_gamma, &ours->max_negative_gamma, &ours->call_wall,
        &ours->put_wall,   &ours->highest_oi_strike,  &ours->zero_dte_magnet};
    for (int i = 0; i < 7; i++) {
        if (i == 6 && !magnet_known) {
            const gex_level none = {0, 0.0};
            gex__validate_check *c =
                gex__validate_add_check(r, names[i], theirs[i], &none, 0, 1, spot);
            if (c == NULL)
                return GEX_ENOMEM;
            c->ok = 1;
            snprintf(c->note, sizeof c->note,
                     "not checkable: the per-strike table sums every expiration");
            continue;
        }
        const int soft = i == 3 || i == 4;
        gex__validate_check *c =
            gex__validate_add_check(r, names[i], theirs[i], mine[i], !soft, i != 0, spot);
        if (c == NULL)
            return GEX_ENOMEM;
        if (soft && theirs[i]->has && rows != NULL) {
            c->rank = wall_rank(rows, n, theirs[i]->value, i == 4);
            if (c->rank == 0)
                snprintf(c->note, sizeof c->note, "gex has no strike %g", theirs[i]->value);
        }
    }
    return GEX_OK;
}

/* --vendor alone. */
int gex__validate_vendor_only(const gex__validate_input *in, gex__validate_report **report,
                              gex_error *err)
{
    const vendor_doc *const *docs = in->vendor;
    const size_t n = in->n_vendor;
    *report = NULL;
    const vendor_doc *g = NULL;
    size_t gi = 0;
    for (size_t i = 0; i < n && g == NULL; i++)
        if (docs[i]->kind == GEX_VENDOR_GEX) {
            g = docs[i];
            gi = i;
        }
    if (g == NULL)
        return gex_error_set(err, GEX_ENOTFOUND, in->vendor_path[0], 0, 0,
                             "validate without a chain needs the vendor's gex response too (the "
                             "per-strike table the levels follow from)");
    gex_levels ours;
    int st = gex_levels_from_rows(g->rows, g->n_rows, g->underlying_price, &ours);
    if (st != GEX_OK)
        return gex_error_set(err, st, in->vendor_path[gi], 0, 0,
                             "the levels could not be computed: %s", gex_strerror(st));
    gex__validate_report *r =
        gex__validate_report_new("the vendor's levels against its own per-strike table", in->tol);
    if (r == NULL)
        return gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory");
    gex__validate_note(
        r,
        "table: %s (%s, %zu strikes, spot %g, as of %s); levels recomputed from it, the "
        "flip by the vendor's per-strike method",
        in->vendor_path[gi], g->symbol, g->n_rows, g->underlying_price, g->as_of);
    for (size_t i = 0; i < n && st == GEX_OK; i++)
        if (is_table(docs[i]))
            st = check_vendor_table(r, docs[i]);
    gex__validate_check *c = gex__validate_add_check(r, "gamma_flip (gex response)", &g->gamma_flip,
                                                     &ours.gamma_flip, 1, 0, g->underlying_price);
    if (c != NULL)
        snprintf(c->note, sizeof c->note,
                 "linear interpolation where net_gex changes sign nearest the spot");
    for (size_t i = 0; i < n && st == GEX_OK; i++) {
        if (docs[i]->kind != GEX_VENDOR_LEVELS)
            continue;
        if (strcmp(docs[i]->symbol, g->symbol) != 0)
            gex__validate_note(
                r,
                "%s: of %s, the table of %s (another underlying): the levels cannot follow "
                "from that table",
                in->vendor_path[i], docs[i]->symbol, g->symbol);
        if (docs[i]->underlying_price != g->underlying_price ||
            strcmp(docs[i]->as_of, g->as_of) != 0)
            gex__validate_note(
                r, "%s: quoted at spot %g as of %s, the table at %g as of %s (another instant)",
                in->vendor_path[i], docs[i]->underlying_price, docs[i]->as_of, g->underlying_price,
                g->as_of);
        st = compare_levels(r, docs[i], &ours, g->rows, g->n_rows, g->underlying_price, 0);
    }
    if (st != GEX_OK) {
        gex__validate_report_free(r);
        return gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *report = r;
    return GEX_OK;
}

/* gex_levels_flip_strike over a table of rows. */
static int flip_strike_rows(const gex_strike_row *rows, size_t n, double spot, gex_level *flip,
                            size_t *changes)
{
    double *k = malloc((2 * n + 1) * sizeof *k);
    if (k == NULL)
        return GEX_ENOMEM;
    double *g = k + n;
    for (size_t i = 0; i < n; i++) {
        k[i] = rows[i].strike;
        g[i] = rows[i].net_gex;
    }
    const int st = gex_levels_flip_strike(k, g, n, spot, flip, changes);
    free(k);
    return st;
}

/* Where the per-strike differences sit: by moneyness K/S of the strike (items[i] is strike
 * strikes[i]). */
static void money_breakdown(gex__validate_series *s, const double *strikes, double spot)
{
    s->has_money = 1;
    for (int b = 0; b < GEX_VALIDATE_MONEYNESS_BUCKETS; b++)
        snprintf(s->money[b].name, sizeof s->money[b].name, "%s", gex_validate_moneyness_name(b));
    for (size_t i = 0; i < s->n_items; i++) {
        const gex__validate_item *it = &s->items[i];
        gex__validate_bucket *k = &s->money[gex_validate_moneyness_bucket(strikes[i], spot)];
        k->n++;
        k->beyond[0] += !it->ok;
        if (!gex__validate_is_noise(
                it)) /* rounding noise is not a difference (and not build-stable) */
            k->max[0] = fmax(k->max[0], fabs(it->vendor - it->local));
        k->sum[0] += it->vendor;
        k->sum[1] += it->local;
    }
}

/* Per-strike comparison of one table response with gex's rows. */
static int compare_table(gex__validate_report *r, const char *path, const vendor_doc *d,
                         const gex__analysis *a)
{
    const gex_strike_row *rows = gex_exposure_strikes(a->exposure);
    const size_t nr = gex_exposure_strike_count(a->exposure);
    const int k = (int)d->kind;
    gex__validate_item *items[3];
    for (int s = 0; s < 3; s++)
        items[s] = calloc(d->n_rows + 1, sizeof *items[s]);
    if (items[0] == NULL || items[1] == NULL || items[2] == NULL) {
        for (int s = 0; s < 3; s++)
            free(items[s]);
        return GEX_ENOMEM;
    }
    size_t m = 0, only_vendor = 0;
    double vmax = 0.0;
    double *strikes = malloc((d->n_rows + 1) * sizeof *strikes);
    if (strikes == NULL) {
        for (int s = 0; s < 3; s++)
            free(items[s]);
        return GEX_ENOMEM;
    }
    for (size_t i = 0; i < d->n_rows; i++) {
        /* gex's rows are ascending; the vendor's are taken in any order */
        size_t lo = 0, hi = nr;
        while (lo < hi) {
            const size_t mid = lo + (hi - lo) / 2;
            if (rows[mid].strike < d->rows[i].strike)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == nr || rows[lo].strike != d->rows[i].strike) {
            only_vendor++;
            continue;
        }
        double v[3], l[3];
        row_values(&d->rows[i], k, v);
        row_values(&rows[lo], k, l);
        for (int s = 0; s < 3; s++) {
            strike_label(d->rows[i].strike, items[s][m].label, sizeof items[s][m].label);
            items[s][m].vendor = v[s];
            items[s][m].local = l[s];
        }
        vmax = fmax(vmax, fabs(v[2]));
        strikes[m] = d->rows[i].strike;
        m++;
    }
    if (only_vendor > 0 || nr > m)
        gex__validate_note(
            r, "%s: %zu strikes matched; %zu only in the vendor's table, %zu only in gex's", path,
            m, only_vendor, nr - m);
    const double floor = r->tol * vmax * IMMATERIAL_SHARE;
    static const char *const side[3] = {"call", "put", "net"};
    int st = GEX_OK;
    for (int s = 0; s < 3; s++) {
        char name[48];
        snprintf(name, sizeof name, "%s_%s per strike", side[s], kind_name(d));
        if (st != GEX_OK) {
            free(items[s]);
            continue;
        }
        st = gex__validate_add_series(r, name, kind_name(d), items[s], m, a->spot, floor, s == 2);
        if (st == GEX_OK && s == 2)
            money_breakdown(&r->s[r->n_series - 1], strikes, a->spot);
    }
    free(strikes);
    const double totals[4] = {a->totals.net_gex, a->totals.net_dex, a->totals.net_vex,
                              a->totals.net_chex};
    gex__validate_item *t = calloc(1, sizeof *t);
    if (t == NULL)
        return GEX_ENOMEM;
    snprintf(t->label, sizeof t->label, "net_%s", kind_name(d));
    t->vendor = d->net;
    t->local = totals[k];
    char name[48];
    snprintf(name, sizeof name, "net_%s total", kind_name(d));
    const int added = gex__validate_add_series(r, name, kind_name(d), t, 1, a->spot, 0.0, 1);
    if (st == GEX_OK)
        st = added;
    if (k == GEX_VENDOR_GEX) {
        gex__validate_check *c = gex__validate_add_check(
            r, "gamma_flip (gex response)", &d->gamma_flip, &a->levels.gamma_flip, 1, 0, a->spot);
        if (c != NULL)
            snprintf(c->note, sizeof c->note, "gex by the %s method",
                     gex_flip_method_name(a->levels.flip_method));
        if (a->levels.flip_method != GEX_FLIP_STRIKE) {
            /* the vendor's live method on gex's own rows, to tell a method difference from a
             * data difference (SPEC 1.6) */
            gex_level by_strike = {0, 0.0};
            size_t changes = 0;
            if (flip_strike_rows(rows, nr, a->spot, &by_strike, &changes) == GEX_OK) {
                gex__validate_check *x = gex__validate_add_check(
                    r, "gamma_flip, strike method", &d->gamma_flip, &by_strike, 0, 0, a->spot);
                if (x != NULL)
                    snprintf(x->note, sizeof x->note,
                             "gex's rows by the vendor's per-strike method (%zu sign changes)",
                             changes);
            }
        }
    }
    return st;
}

/* CHAIN with --vendor. */
int gex__validate_chain_and_vendor(const gex__validate_input *in, const gex__analysis *a,
                                   gex__validate_report **report, gex_error *err)
{
    const vendor_doc *const *docs = in->vendor;
    const size_t n = in->n_vendor;
    *report = NULL;
    gex__validate_report *r = gex__validate_report_new(
        "the vendor's responses against gex's recomputation from the chain", in->tol);
    if (r == NULL)
        return gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory");
    char iso[40];
    gex_time_format_iso(a->as_of, iso, sizeof iso);
    gex__validate_note(r, "chain: %s (%s, spot %g, as of %s; %zu of %zu contracts used)", a->path,
                       a->symbol, a->spot, iso, a->totals.used, a->totals.contracts);
    const gex_strike_row *rows = gex_exposure_strikes(a->exposure);
    const size_t nr = gex_exposure_strike_count(a->exposure);
    int st = GEX_OK;
    for (size_t i = 0; i < n && st == GEX_OK; i++) {
        const vendor_doc *d = docs[i];
        if (strcasecmp(d->symbol, a->symbol) != 0)
            gex__validate_note(r, "%s: the vendor's symbol is %s, the chain's %s",
                               in->vendor_path[i], d->symbol, a->symbol);
        if (fabs(d->underlying_price - a->spot) > in->tol * a->spot)
            gex__validate_note(
                r,
                "%s: the vendor's spot %g differs from the chain's %g by more than the "
                "tolerance; every exposure scales with it",
                in->vendor_path[i], d->underlying_price, a->spot);
        if (is_table(d))
            st = compare_table(r, in->vendor_path[i], d, a);
        else
            st = compare_levels(r, d, &a->levels, rows, nr, a->spot, 1);
    }

    if (st != GEX_OK) {
        gex__validate_report_free(r);
        return gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *report = r;
    return GEX_OK;
}
