/*
 * render-validate.c: gex validate's report (render-validate.h, its model in
 * render-validate-internal.h): adding series, checks and notes, the verdict, and the three
 * writers: the text report, per-item CSV rows and the JSON document.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "render-validate-internal.h"

gex__validate_report *gex__validate_report_new(const char *mode, double tol)
{
    gex__validate_report *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->mode = mode;
    r->tol = tol;
    r->best_conv = -1;
    return r;
}

void gex__validate_note(gex__validate_report *r, const char *fmt, ...)
{
    if (r->n_notes >= sizeof r->notes / sizeof r->notes[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->notes[r->n_notes++], sizeof r->notes[0], fmt, ap);
    va_end(ap);
}

int gex__validate_add_series(gex__validate_report *r, const char *name, const char *unit,
                             gex__validate_item *items, size_t n, double spot, double floor,
                             int hard)
{
    if (r->n_series >= sizeof r->s / sizeof r->s[0]) {
        free(items);
        return GEX_ENOMEM;
    }
    gex__validate_series *s = &r->s[r->n_series++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->unit, sizeof s->unit, "%s", unit);
    s->items = items;
    s->n_items = n;
    s->floor = floor;
    s->hard = hard;
    double *v = malloc((2 * n + 1) * sizeof *v);
    if (v == NULL)
        return GEX_ENOMEM;
    double *l = v + n;
    for (size_t i = 0; i < n; i++) {
        v[i] = items[i].vendor;
        l[i] = items[i].local;
        items[i].ok = gex_validate_agrees(v[i], l[i], r->tol, floor);
    }
    gex_validate_fit_series(v, l, n, spot, r->tol, floor, &s->fit);
    s->n_worst = gex_validate_worst(v, l, n, s->worst, GEX__VALIDATE_WORST_ROWS);
    free(v);
    return GEX_OK;
}

gex__validate_check *gex__validate_add_check(gex__validate_report *r, const char *name,
                                             const gex_level *vendor, const gex_level *local,
                                             int hard, int exact, double spot)
{
    if (r->n_checks >= sizeof r->c / sizeof r->c[0])
        return NULL;
    gex__validate_check *c = &r->c[r->n_checks++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->vendor = *vendor;
    c->local = *local;
    c->hard = hard;
    c->exact = exact;
    if (vendor->has != local->has)
        c->ok = 0;
    else if (!vendor->has)
        c->ok = 1;
    else if (exact)
        c->ok = vendor->value == local->value;
    else
        c->ok = fabs(vendor->value - local->value) <= r->tol * spot;
    return c;
}

void gex__validate_report_free(gex__validate_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_series; i++)
        free(r->s[i].items);
    free(r);
}

int gex__validate_within(const gex__validate_report *r)
{
    for (size_t i = 0; i < r->n_series; i++)
        if (r->s[i].hard && r->s[i].fit.beyond > 0)
            return 0;
    for (size_t i = 0; i < r->n_checks; i++)
        if (r->c[i].hard && !r->c[i].ok)
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- writing */

int gex__validate_is_noise(const gex__validate_item *it)
{
    return fabs(it->vendor - it->local) <=
           GEX__VALIDATE_ROUNDING_NOISE_REL * fmax(fabs(it->vendor), fabs(it->local));
}

static void level_str(const gex_level *l, char *buf, size_t size)
{
    if (l->has)
        gex__fmt_roundtrip(l->value, buf, size);
    else
        snprintf(buf, size, "none");
}

static void write_text(const gex__validate_report *r, FILE *out)
{
    char a[64], b[64], c[64], d[64];
    fprintf(out, "gex validate: %s; tolerance %g relative\n", r->mode, r->tol);
    for (size_t i = 0; i < r->n_notes; i++)
        fprintf(out, "  %s\n", r->notes[i]);
    for (size_t i = 0; i < r->n_series; i++) {
        const gex__validate_series *s = &r->s[i];
        const gex_validate_fit *f = &s->fit;
        fprintf(out, "\n%s (%s)%s\n", s->name, s->unit, s->hard ? "" : " [soft]");
        fprintf(out, "  compared %zu, within tolerance %zu, beyond %zu", f->n, f->n - f->beyond,
                f->beyond);
        if (s->floor > 0.0)
            fprintf(out, " (differences up to %.3g count as equal)", s->floor);
        fputc('\n', out);
        if (f->has_k) {
            fprintf(out, "  least-squares factor vendor = k * gex: k = %.10g", f->k);
            if (f->convention != NULL)
                fprintf(out, ": %s", f->convention);
            else
                fputs(": no known convention", out);
            fputc('\n', out);
        }
        if (f->has_correlation)
            fprintf(out, "  correlation %.10f\n", f->correlation);
        size_t differing = 0;
        for (size_t k = 0; k < s->n_worst; k++)
            differing += !gex__validate_is_noise(&s->items[s->worst[k]]);
        if (f->n > 0 && differing == 0)
            fputs("  every pair agrees to 1e-9 relative (floating-point rounding)\n", out);
        if (differing > 0) {
            fprintf(out, "  disagreeing most:\n  %-28s %22s %22s %18s %10s\n", "", "vendor", "gex",
                    "difference", "relative");
            for (size_t k = 0; k < s->n_worst; k++) {
                const gex__validate_item *it = &s->items[s->worst[k]];
                if (gex__validate_is_noise(it))
                    continue;
                const double diff = it->vendor - it->local;
                const double scale = fmax(fabs(it->vendor), fabs(it->local));
                gex__fmt_roundtrip(it->vendor, a, sizeof a);
                gex__fmt_roundtrip(it->local, b, sizeof b);
                gex__fmt_roundtrip(diff, c, sizeof c);
                if (scale > 0.0)
                    snprintf(d, sizeof d, "%.3g%%", fabs(diff) / scale * 100.0);
                else
                    snprintf(d, sizeof d, "0%%");
                fprintf(out, "  %-28s %22s %22s %18s %10s%s\n", it->label, a, b, c, d,
                        it->ok ? "" : "  beyond");
            }
        }
        if (s->has_money) {
            fprintf(out, "  by moneyness (K/S):\n  %-12s %7s %7s %18s %22s %22s\n", "", "strikes",
                    "beyond", "max |difference|", "vendor sum", "gex sum");
            for (int q = 0; q < GEX_VALIDATE_MONEYNESS_BUCKETS; q++) {
                const gex__validate_bucket *k = &s->money[q];
                gex__fmt_roundtrip(k->sum[0], a, sizeof a);
                gex__fmt_roundtrip(k->sum[1], c, sizeof c);
                fprintf(out, "  %-12s %7zu %7zu %18.6g %22s %22s\n", k->name, k->n, k->beyond[0],
                        k->max[0], a, c);
            }
        }
    }
    if (r->n_checks > 0) {
        fprintf(out, "\nlevels\n  %-26s %20s %20s\n", "", "vendor", "gex");
        for (size_t i = 0; i < r->n_checks; i++) {
            const gex__validate_check *k = &r->c[i];
            level_str(&k->vendor, a, sizeof a);
            level_str(&k->local, b, sizeof b);
            const char *status = k->ok ? "same" : k->hard ? "DIFFERS" : "differs (soft)";
            if (!k->exact && k->ok && k->vendor.has &&
                fabs(k->vendor.value - k->local.value) >
                    GEX__VALIDATE_ROUNDING_NOISE_REL *
                        fmax(fabs(k->vendor.value), fabs(k->local.value)))
                status = "within tolerance";
            if (!k->hard && k->ok && k->note[0] != '\0')
                status = "not checked";
            fprintf(out, "  %-26s %20s %20s  %s", k->name, a, b, status);
            if (k->rank > 0)
                fprintf(out, "; the vendor's strike ranks #%zu in gex's ordering", k->rank);
            if (k->note[0] != '\0')
                fprintf(out, "; %s", k->note);
            fputc('\n', out);
        }
    }
    if (r->n_expiry > 0) {
        fprintf(out, "\nby expiration\n  %-12s %9s %13s %13s %14s %14s\n", "", "contracts",
                "delta beyond", "gamma beyond", "max |d delta|", "max |d gamma|");
        for (size_t i = 0; i < r->n_expiry; i++) {
            const gex__validate_bucket *k = &r->expiry[i];
            fprintf(out, "  %-12s %9zu %13zu %13zu %14.6g %14.6g\n", k->name, k->n, k->beyond[0],
                    k->beyond[1], k->max[0], k->max[1]);
        }
        fprintf(out, "\nby moneyness\n  %-12s %9s %13s %13s %14s %14s\n", "", "contracts",
                "delta beyond", "gamma beyond", "max |d delta|", "max |d gamma|");
        for (int i = 0; i < GEX_VALIDATE_MONEYNESS_BUCKETS; i++) {
            const gex__validate_bucket *k = &r->money[i];
            fprintf(out, "  %-12s %9zu %13zu %13zu %14.6g %14.6g\n", k->name, k->n, k->beyond[0],
                    k->beyond[1], k->max[0], k->max[1]);
        }
    }
    if (r->n_conv > 0) {
        int w = 0; /* the longest name */
        for (size_t i = 0; i < r->n_conv; i++)
            if ((int)strlen(r->conv[i].name) > w)
                w = (int)strlen(r->conv[i].name);
        fprintf(out,
                "\ncarry, volatility and time conventions for T (from .., in ..)\n  %-*s %9s %14s "
                "%14s %8s %8s\n",
                w, "", "contracts", "delta rms", "gamma rms", "beyond", "gamma ok");
        for (size_t i = 0; i < r->n_conv; i++) {
            const gex__validate_conv_row *k = &r->conv[i];
            fprintf(out, "  %-*s %9zu %14.6g %14.6g %8zu %7.1f%%%s\n", w, k->name, k->n,
                    k->delta_rms, k->gamma_rms, k->beyond,
                    k->gamma_n ? 100.0 * (double)k->gamma_matched / (double)k->gamma_n : 0.0,
                    (int)i == r->best_conv ? "  <- fits best" : "");
        }
    }
    if (r->n_expiry_best > 1) {
        fprintf(out,
                "\nthe row that fits each expiration best (the rule above, on its contracts)\n"
                "  %-12s %9s %8s %8s  %s\n",
                "", "contracts", "gamma ok", "delta ok", "row");
        for (size_t i = 0; i < r->n_expiry_best; i++) {
            const gex__validate_expiry_fit *f = &r->expiry_best[i];
            if (f->conv < 0)
                continue;
            const gex_validate_score *g = &f->got;
            fprintf(out, "  %-12s %9zu %7.1f%% %7.1f%%  %s\n", f->name,
                    g->gamma_n > g->delta_n ? g->gamma_n : g->delta_n,
                    g->gamma_n ? 100.0 * (double)g->gamma_matched / (double)g->gamma_n : 0.0,
                    g->delta_n ? 100.0 * (double)g->delta_matched / (double)g->delta_n : 0.0,
                    r->conv[f->conv].name);
        }
    }
    fprintf(out, "\nresult: %s\n",
            gex__validate_within(r) ? "within tolerance" : "differences beyond tolerance");
}

static int write_csv(const gex__validate_report *r, FILE *out, gex_error *err)
{
    static const gex__column cols[] = {
        {"check", NULL, GEX__STYLE_TEXT},
        {"item", NULL, GEX__STYLE_TEXT},
        {"vendor", NULL, GEX__STYLE_SIG},
        {"gex", NULL, GEX__STYLE_SIG},
        {"difference", NULL, GEX__STYLE_SIG},
        {"relative_difference", NULL, GEX__STYLE_SIG},
        {"within_tolerance", NULL, GEX__STYLE_TEXT},
        {"hard", NULL, GEX__STYLE_TEXT},
    };
    gex__table *t = gex__table_new(cols, sizeof cols / sizeof cols[0], NULL); /* no units */
    if (t == NULL)
        return (int)gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory");
    int st = GEX_OK;
    for (size_t i = 0; i < r->n_series; i++) {
        const gex__validate_series *s = &r->s[i];
        for (size_t k = 0; k < s->n_items; k++) {
            const gex__validate_item *it = &s->items[k];
            const double scale = fmax(fabs(it->vendor), fabs(it->local));
            st |= gex__table_text(t, s->name);
            st |= gex__table_text(t, it->label);
            st |= gex__table_num(t, it->vendor);
            st |= gex__table_num(t, it->local);
            st |= gex__table_num(t, it->vendor - it->local);
            st |= scale > 0.0 ? gex__table_num(t, (it->vendor - it->local) / scale)
                              : gex__table_num(t, 0.0);
            st |= gex__table_text(t, it->ok ? "true" : "false");
            st |= gex__table_text(t, s->hard ? "true" : "false");
        }
    }
    for (size_t i = 0; i < r->n_checks; i++) {
        const gex__validate_check *k = &r->c[i];
        st |= gex__table_text(t, "level");
        st |= gex__table_text(t, k->name);
        st |= gex__table_level(t, &k->vendor);
        st |= gex__table_level(t, &k->local);
        if (k->vendor.has && k->local.has) {
            st |= gex__table_num(t, k->vendor.value - k->local.value);
            st |= gex__table_num(t, (k->vendor.value - k->local.value) /
                                        fmax(fabs(k->vendor.value), fabs(k->local.value)));
        } else {
            st |= gex__table_null(t);
            st |= gex__table_null(t);
        }
        st |= gex__table_text(t, k->ok ? "true" : "false");
        st |= gex__table_text(t, k->hard ? "true" : "false");
    }
    const int rc = st == GEX_OK ? gex__table_emit(t, GEX__OUT_CSV, NULL, out, err)
                                : (int)gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory");
    gex__table_free(t);
    return rc;
}

static json_t *bucket_json(const gex__validate_bucket *k)
{
    json_t *o = json_object();
    gex__jset(o, "name", gex__jstr(k->name));
    gex__jset(o, "contracts", json_integer((json_int_t)k->n));
    gex__jset(o, "delta_beyond", json_integer((json_int_t)k->beyond[0]));
    gex__jset(o, "gamma_beyond", json_integer((json_int_t)k->beyond[1]));
    gex__jset(o, "max_abs_delta_diff", gex__jnum(k->max[0]));
    gex__jset(o, "max_abs_gamma_diff", gex__jnum(k->max[1]));
    return o;
}

static int write_json(const gex__validate_report *r, FILE *out, gex_error *err)
{
    json_t *d = json_object();
    gex__jset(d, "mode", gex__jstr(r->mode));
    gex__jset(d, "tolerance", gex__jnum(r->tol));
    gex__jset(d, "within_tolerance", json_boolean(gex__validate_within(r)));
    json_t *notes = json_array();
    for (size_t i = 0; i < r->n_notes; i++)
        json_array_append_new(notes, gex__jstr(r->notes[i]));
    gex__jset(d, "notes", notes);
    json_t *ss = json_array();
    for (size_t i = 0; i < r->n_series; i++) {
        const gex__validate_series *s = &r->s[i];
        json_t *o = json_object();
        gex__jset(o, "name", gex__jstr(s->name));
        gex__jset(o, "unit", gex__jstr(s->unit));
        gex__jset(o, "hard", json_boolean(s->hard));
        gex__jset(o, "compared", json_integer((json_int_t)s->fit.n));
        gex__jset(o, "beyond", json_integer((json_int_t)s->fit.beyond));
        gex__jset(o, "equal_below", gex__jnum(s->floor));
        gex__jset(o, "k", s->fit.has_k ? gex__jnum(s->fit.k) : json_null());
        gex__jset(o, "convention", s->fit.convention ? gex__jstr(s->fit.convention) : json_null());
        gex__jset(o, "correlation",
                  s->fit.has_correlation ? gex__jnum(s->fit.correlation) : json_null());
        gex__jset(o, "max_abs_diff", gex__jnum(s->fit.max_abs_diff));
        gex__jset(o, "max_rel_diff", gex__jnum(s->fit.max_rel_diff));
        json_t *w = json_array();
        for (size_t k = 0; k < s->n_worst; k++) {
            const gex__validate_item *it = &s->items[s->worst[k]];
            json_t *x = json_object();
            gex__jset(x, "item", gex__jstr(it->label));
            gex__jset(x, "vendor", gex__jnum(it->vendor));
            gex__jset(x, "gex", gex__jnum(it->local));
            gex__jset(x, "difference", gex__jnum(it->vendor - it->local));
            gex__jset(x, "within_tolerance", json_boolean(it->ok));
            json_array_append_new(w, x);
        }
        gex__jset(o, "worst", w);
        if (s->has_money) {
            json_t *m = json_array();
            for (int q = 0; q < GEX_VALIDATE_MONEYNESS_BUCKETS; q++) {
                const gex__validate_bucket *k = &s->money[q];
                json_t *x = json_object();
                gex__jset(x, "name", gex__jstr(k->name));
                gex__jset(x, "strikes", json_integer((json_int_t)k->n));
                gex__jset(x, "beyond", json_integer((json_int_t)k->beyond[0]));
                gex__jset(x, "max_abs_diff", gex__jnum(k->max[0]));
                gex__jset(x, "vendor_sum", gex__jnum(k->sum[0]));
                gex__jset(x, "gex_sum", gex__jnum(k->sum[1]));
                json_array_append_new(m, x);
            }
            gex__jset(o, "by_moneyness", m);
        }
        json_array_append_new(ss, o);
    }
    gex__jset(d, "series", ss);
    json_t *cs = json_array();
    for (size_t i = 0; i < r->n_checks; i++) {
        const gex__validate_check *k = &r->c[i];
        json_t *o = json_object();
        gex__jset(o, "level", gex__jstr(k->name));
        gex__jset(o, "vendor", gex__jlevel(&k->vendor));
        gex__jset(o, "gex", gex__jlevel(&k->local));
        gex__jset(o, "hard", json_boolean(k->hard));
        gex__jset(o, "within_tolerance", json_boolean(k->ok));
        gex__jset(o, "vendor_rank_in_gex",
                  k->rank ? json_integer((json_int_t)k->rank) : json_null());
        gex__jset(o, "note", k->note[0] ? gex__jstr(k->note) : json_null());
        json_array_append_new(cs, o);
    }
    gex__jset(d, "levels", cs);
    if (r->n_expiry > 0) {
        json_t *e = json_array(), *m = json_array();
        for (size_t i = 0; i < r->n_expiry; i++)
            json_array_append_new(e, bucket_json(&r->expiry[i]));
        for (int i = 0; i < GEX_VALIDATE_MONEYNESS_BUCKETS; i++)
            json_array_append_new(m, bucket_json(&r->money[i]));
        gex__jset(d, "by_expiration", e);
        gex__jset(d, "by_moneyness", m);
    }
    if (r->n_conv > 0) {
        json_t *c = json_array();
        for (size_t i = 0; i < r->n_conv; i++) {
            json_t *o = json_object();
            gex__jset(o, "convention", gex__jstr(r->conv[i].name));
            gex__jset(o, "contracts", json_integer((json_int_t)r->conv[i].n));
            gex__jset(o, "delta_rms", gex__jnum(r->conv[i].delta_rms));
            gex__jset(o, "gamma_rms", gex__jnum(r->conv[i].gamma_rms));
            gex__jset(o, "beyond", json_integer((json_int_t)r->conv[i].beyond));
            gex__jset(o, "gamma_compared", json_integer((json_int_t)r->conv[i].gamma_n));
            gex__jset(o, "gamma_matched", json_integer((json_int_t)r->conv[i].gamma_matched));
            gex__jset(o, "fits_best", json_boolean((int)i == r->best_conv));
            json_array_append_new(c, o);
        }
        gex__jset(d, "time_conventions", c);
    }
    if (r->n_expiry_best > 1) {
        json_t *e = json_array();
        for (size_t i = 0; i < r->n_expiry_best; i++) {
            const gex__validate_expiry_fit *f = &r->expiry_best[i];
            if (f->conv < 0)
                continue;
            json_t *o = json_object();
            gex__jset(o, "expiration", gex__jstr(f->name));
            gex__jset(o, "convention", gex__jstr(r->conv[f->conv].name));
            gex__jset(o, "gamma_compared", json_integer((json_int_t)f->got.gamma_n));
            gex__jset(o, "gamma_matched", json_integer((json_int_t)f->got.gamma_matched));
            gex__jset(o, "delta_compared", json_integer((json_int_t)f->got.delta_n));
            gex__jset(o, "delta_matched", json_integer((json_int_t)f->got.delta_matched));
            gex__jset(o, "delta_rms", gex__jnum(f->got.delta_rms));
            json_array_append_new(e, o);
        }
        gex__jset(d, "best_by_expiration", e);
    }
    json_t *meta = json_object();
    char version[64];
    snprintf(version, sizeof version, "gex %s", gex_version());
    gex__jset(meta, "generator", gex__jstr(version));
    gex__jset(d, "meta", meta);
    const int rc = gex__json_emit(d, out, err);
    json_decref(d);
    return rc;
}

int gex__render_validate(const gex__validate_report *r, gex__out_format format, FILE *out,
                         gex_error *err)
{
    switch (format) {
    case GEX__OUT_JSON:
        return write_json(r, out, err);
    case GEX__OUT_CSV:
        return write_csv(r, out, err);
    default:
        write_text(r, out);
        return GEX_OK;
    }
}
