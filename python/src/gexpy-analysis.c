/*
 * gexpy-analysis.c: analyses in Python: building one from a prepared chain with the command
 * line's filters, its figures (totals, levels, regime, 0DTE block, hedging estimate), its
 * tables as columns (per strike, per expiration, per contract), the profile P(x), and the
 * documents gex prints, rendered by the rendering layer exactly as the command prints them.
 */
#include "gexpy.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A per-strike row is read by numpy as GEXPY_ROW_FIELDS doubles. */
#define GEXPY_ROW_FIELDS 17
static_assert(sizeof(gex_strike_row) == GEXPY_ROW_FIELDS * sizeof(double),
              "gex_strike_row is 17 doubles without padding");

static void analysis_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    gexpy_analysis *a = (gexpy_analysis *)self;
    gex_analysis_free(a->an);
    Py_XDECREF(a->chain);
    type->tp_free(self);
    Py_DECREF(type);
}

static PyType_Slot analysis_slots[] = {
    {Py_tp_dealloc, (void *)analysis_dealloc},
    {Py_tp_doc, (void *)"A gex analysis (use gex.Analysis)."},
    {0, NULL},
};

PyType_Spec gexpy_analysis_spec = {
    .name = "gex._gex.AnalysisHandle",
    .basicsize = sizeof(gexpy_analysis),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = analysis_slots,
};

static gexpy_analysis *analysis_arg(PyObject *module, PyObject *obj)
{
    if (!PyObject_TypeCheck(obj, gexpy_state_of(module)->analysis_type)) {
        PyErr_SetString(PyExc_TypeError, "expected a gex analysis handle");
        return NULL;
    }
    return (gexpy_analysis *)obj;
}

/* The analysis of a function whose one argument is an analysis handle (*obj): NULL with an
 * exception when args is not that. */
static const gexpy_analysis *only_analysis(PyObject *module, PyObject *args, PyObject **obj)
{
    if (!PyArg_ParseTuple(args, "O", obj))
        return NULL;
    return analysis_arg(module, *obj);
}

/* The rendering layer's view of an analysis (where it came from, and its figures). */
static void analysis_view(const gexpy_analysis *a, gex__analysis *ga)
{
    memset(ga, 0, sizeof *ga);
    ga->path = a->chain->path;
    ga->chain = a->chain->chain;
    ga->read = a->chain->read;
    ga->prepare = a->chain->prepare;
    ga->an = a->an;
    gex__analysis_fill(ga);
}

/* A list of ints (days since 1970-01-01) as a PyMem array; *n its length. */
static int32_t *days_of(PyObject *list, size_t *n)
{
    const Py_ssize_t len = PyList_GET_SIZE(list);
    *n = (size_t)len;
    int32_t *days = PyMem_Calloc(len > 0 ? (size_t)len : 1, sizeof *days);
    if (days == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        const long d = PyLong_AsLong(PyList_GET_ITEM(list, i));
        if (d == -1 && PyErr_Occurred()) {
            PyMem_Free(days);
            return NULL;
        }
        days[i] = (int32_t)d;
    }
    return days;
}

/* analyze(chain, unit, expirations [days], zero_dte, exclude [days], exclude_zero_dte,
 *         max_dte, min_oi, min_bid, max_abs_delta, flip_method, exercise, greeks) -> handle. */
PyObject *gexpy_analyze(PyObject *module, PyObject *args)
{
    PyObject *obj, *exp_list, *excl_list;
    const char *unit, *flip, *exercise, *greeks;
    int zero_dte, exclude_zero_dte, max_dte;
    double min_oi, min_bid, max_abs_delta;
    if (!PyArg_ParseTuple(args,
                          "OsO!pO!pidd"
                          "dsss",
                          &obj, &unit, &PyList_Type, &exp_list, &zero_dte, &PyList_Type, &excl_list,
                          &exclude_zero_dte, &max_dte, &min_oi, &min_bid, &max_abs_delta, &flip,
                          &exercise, &greeks))
        return NULL;
    gexpy_state *state = gexpy_state_of(module);
    if (!PyObject_TypeCheck(obj, state->chain_type)) {
        PyErr_SetString(PyExc_TypeError, "expected a gex chain handle");
        return NULL;
    }
    gexpy_chain *c = (gexpy_chain *)obj;
    gex_analysis_options opts;
    gex_analysis_options_default(&opts);
    if (gex_gex_unit_parse(unit, &opts.exposure.gex_unit) != GEX_OK) {
        PyErr_Format(PyExc_ValueError, "unit: '%s' is not one of pct, point, shares", unit);
        return NULL;
    }
    if (gex_flip_method_parse(flip, &opts.flip_method) != GEX_OK) {
        PyErr_Format(PyExc_ValueError, "flip_method: '%s' is not one of profile, strike", flip);
        return NULL;
    }
    if (gex_exposure_exercise_parse(exercise, &opts.exposure.exercise) != GEX_OK) {
        PyErr_Format(PyExc_ValueError, "exercise: '%s' is not one of european, auto, american",
                     exercise);
        return NULL;
    }
    if (strcmp(greeks, "model") != 0 && strcmp(greeks, "file") != 0) {
        PyErr_Format(PyExc_ValueError, "greeks: '%s' is not one of model, file", greeks);
        return NULL;
    }
    opts.exposure.greeks_from_file = strcmp(greeks, "file") == 0;
    if (!c->prepared) {
        PyErr_SetString(PyExc_ValueError, "the chain is not prepared: call chain.prepare() first");
        return NULL;
    }
    gex_chain_view view;
    gex_chain_get_view(c->chain, &view);
    uint32_t ids[9];
    const size_t n_und = gex_chain_underlyings(c->chain, ids, 9);
    if (n_und > 1) {
        gex_error err;
        gex_error_clear(&err);
        char list[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < n_und && i < 8; i++) {
            const int w = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                   gex_chain_symbol(c->chain, ids[i]));
            if (w < 0 || (size_t)w >= sizeof list - len)
                break;
            len += (size_t)w;
        }
        gex_error_set(&err, GEX_EINVAL, c->path, 0, 0,
                      "the file holds %zu or more underlyings (%s%s): choose one with symbol= "
                      "(gex.read) or chain.select()",
                      n_und, list, n_und > 8 ? ", ..." : "");
        return gexpy_raise(module, GEX_EINVAL, &err, c->path);
    }
    if (view.n > 0 && n_und > 0 && !(view.spot[0] > 0.0)) {
        gex_error err;
        gex_error_clear(&err);
        gex_error_set(&err, GEX_EINVAL, c->path, 0, 0,
                      "%s: the file gives no spot price; give it with spot=",
                      gex_chain_symbol(c->chain, ids[0]));
        return gexpy_raise(module, GEX_EINVAL, &err, c->path);
    }
    size_t n_exp = 0, n_excl = 0;
    int32_t *exp = days_of(exp_list, &n_exp);
    int32_t *excl = exp != NULL ? days_of(excl_list, &n_excl) : NULL;
    if (excl == NULL) {
        PyMem_Free(exp);
        return NULL;
    }
    opts.exposure.expirations = n_exp > 0 ? exp : NULL;
    opts.exposure.n_expirations = n_exp;
    opts.exposure.zero_dte = zero_dte;
    opts.exposure.exclude_expirations = n_excl > 0 ? excl : NULL;
    opts.exposure.n_exclude_expirations = n_excl;
    opts.exposure.exclude_zero_dte = exclude_zero_dte;
    opts.exposure.max_dte = max_dte;
    opts.exposure.min_oi = min_oi;
    opts.exposure.min_bid = min_bid;
    opts.exposure.max_abs_delta = max_abs_delta;

    gexpy_analysis *a = PyObject_New(gexpy_analysis, state->analysis_type);
    if (a == NULL) {
        PyMem_Free(exp);
        PyMem_Free(excl);
        return NULL;
    }
    Py_INCREF(state->analysis_type);
    a->an = NULL;
    a->chain = (gexpy_chain *)Py_NewRef(obj);
    gex_error err;
    gex_error_clear(&err);
    int st;
    Py_BEGIN_ALLOW_THREADS st = gex_analysis_new(c->chain, &opts, &a->an, &err);
    Py_END_ALLOW_THREADS PyMem_Free(exp); /* the analysis keeps copies of the lists */
    PyMem_Free(excl);
    if (st != GEX_OK) {
        Py_DECREF(a);
        /* the CLI prints the analysis's message after the file name (no line) */
        err.line = 0;
        err.file[0] = '\0';
        return gexpy_raise(module, st, &err, c->path);
    }
    return (PyObject *)a;
}

static PyObject *level_value(const gex_level *l)
{
    return l->has ? PyFloat_FromDouble(l->value) : Py_NewRef(Py_None);
}

static PyObject *hedge_dict(const gex_hedge *h)
{
    return Py_BuildValue("{s:d,s:d,s:s}", "shares", h->shares, "notional_usd", h->notional_usd,
                         "direction", h->direction);
}

static PyObject *totals_dict(const gex_exposure_totals *t)
{
    PyObject *excluded = PyDict_New();
    for (int i = 0; excluded != NULL && i < GEX_CONTRACT_STATUS_COUNT; i++) {
        if (i == GEX_CONTRACT_OK)
            continue;
        PyObject *v = PyLong_FromSize_t(t->excluded[i]);
        if (v == NULL || PyDict_SetItemString(excluded, gex_contract_status_name(i), v) < 0)
            Py_CLEAR(excluded);
        Py_XDECREF(v);
    }
    if (excluded == NULL)
        return NULL;
    return Py_BuildValue(
        "{s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:n,s:n,s:n,s:N,s:n,s:n,s:n,s:n}", "net_gex", t->net_gex,
        "net_dex", t->net_dex, "net_vex", t->net_vex, "net_chex", t->net_chex, "call_gex",
        t->call_gex, "put_gex", t->put_gex, "gross_gex", t->gross_gex, "contracts",
        (Py_ssize_t)t->contracts, "used", (Py_ssize_t)t->used, "filtered", (Py_ssize_t)t->filtered,
        "excluded", excluded, "american", (Py_ssize_t)t->american, "american_refused",
        (Py_ssize_t)t->american_refused, "greeks_from_file", (Py_ssize_t)t->greeks_from_file,
        "greeks_file_missing", (Py_ssize_t)t->greeks_file_missing);
}

/* analysis_info(a) -> dict of the figures: symbol, spot, quote_time, rate, div, unit,
 * flip_method, exercise, greeks, totals, levels (None when nothing was used), regime, zero_dte
 * (None when none), flip_evaluations, flip_sign_changes. */
PyObject *gexpy_analysis_info(PyObject *module, PyObject *args)
{
    PyObject *obj;
    const gexpy_analysis *a = only_analysis(module, args, &obj);
    if (a == NULL)
        return NULL;
    const gex_analysis *an = a->an;
    double rate = 0.0, div = 0.0;
    gex_analysis_carry(an, &rate, &div);
    const gex_analysis_options *o = gex_analysis_get_options(an);
    PyObject *levels = Py_NewRef(Py_None);
    const gex_levels *l = gex_analysis_levels(an);
    if (l != NULL) {
        Py_DECREF(levels);
        levels = Py_BuildValue(
            "{s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:n,s:n}", "gamma_flip",
            level_value(&l->gamma_flip), "max_positive_gamma", level_value(&l->max_positive_gamma),
            "max_negative_gamma", level_value(&l->max_negative_gamma), "call_wall",
            level_value(&l->call_wall), "put_wall", level_value(&l->put_wall), "highest_oi_strike",
            level_value(&l->highest_oi_strike), "zero_dte_magnet", level_value(&l->zero_dte_magnet),
            "resistance", level_value(&l->resistance), "support", level_value(&l->support),
            "abs_gamma_strike", level_value(&l->abs_gamma_strike), "flip_evaluations",
            (Py_ssize_t)l->flip_evaluations, "flip_sign_changes", (Py_ssize_t)l->flip_sign_changes);
    }
    const gex_regime *r = gex_analysis_regime(an);
    PyObject *regime = Py_BuildValue(
        "{s:i,s:O,s:N,s:s,s:s,s:s}", "regime", r->regime, "vanna_aligned",
        r->vanna_aligned ? Py_True : Py_False, "dist_to_flip", level_value(&r->dist_to_flip),
        "confidence", r->confidence, "meaning", r->meaning, "vendor_regime", r->vendor_regime);
    const gex_zero_dte *z = gex_analysis_zero_dte(an);
    PyObject *zero = z->has
                         ? Py_BuildValue("{s:d,s:d,s:i}", "net_gex", z->net_gex, "pct_of_total_gex",
                                         z->pct_of_total_gex, "expiration", (int)z->expiration)
                         : Py_NewRef(Py_None);
    PyObject *totals = totals_dict(gex_analysis_totals(an));
    if (levels == NULL || regime == NULL || zero == NULL || totals == NULL) {
        Py_XDECREF(levels);
        Py_XDECREF(regime);
        Py_XDECREF(zero);
        Py_XDECREF(totals);
        return NULL;
    }
    return Py_BuildValue("{s:s,s:d,s:L,s:d,s:d,s:s,s:s,s:s,s:s,s:N,s:N,s:N,s:N}", "symbol",
                         gex_analysis_symbol(an), "spot", gex_analysis_spot(an), "quote_time",
                         (long long)gex_analysis_quote_time(an), "rate", rate, "div", div, "unit",
                         gex_gex_unit_name(o->exposure.gex_unit), "flip_method",
                         gex_flip_method_name(o->flip_method), "exercise",
                         gex_exposure_exercise_name(o->exposure.exercise), "greeks",
                         o->exposure.greeks_from_file ? "file" : "model", "totals", totals,
                         "levels", levels, "regime", regime, "zero_dte", zero);
}

/* analysis_hedging(a) -> (down, up) dicts: computed anew each call, without the GIL. */
PyObject *gexpy_analysis_hedging(PyObject *module, PyObject *args)
{
    PyObject *obj;
    const gexpy_analysis *a = only_analysis(module, args, &obj);
    if (a == NULL)
        return NULL;
    gex_hedge down, up;
    int st;
    Py_BEGIN_ALLOW_THREADS st = gex_analysis_hedging(a->an, &down, &up);
    Py_END_ALLOW_THREADS if (st != GEX_OK) return gexpy_raise(module, st, NULL, a->chain->path);
    return Py_BuildValue("NN", hedge_dict(&down), hedge_dict(&up));
}

/* analysis_strikes(a) -> (Column of rows x 17 doubles, rows): gex_strike_row's fields. */
PyObject *gexpy_analysis_strikes(PyObject *module, PyObject *args)
{
    PyObject *obj;
    const gexpy_analysis *a = only_analysis(module, args, &obj);
    if (a == NULL)
        return NULL;
    const gex_exposure *e = gex_analysis_exposure(a->an);
    const Py_ssize_t rows = (Py_ssize_t)gex_exposure_strike_count(e);
    PyObject *col = gexpy_column(module, obj, gex_exposure_strikes(e), rows * GEXPY_ROW_FIELDS, "d",
                                 (Py_ssize_t)sizeof(double));
    return col == NULL ? NULL : Py_BuildValue("Nn", col, rows);
}

/* analysis_expirations(a) -> (bytes of int32 dates, bytes of rows x 11 doubles: net_gex,
 * net_dex, net_vex, net_chex, call_gex, put_gex, gross_gex, contracts, used, call_oi, put_oi),
 * rows): every expiration of the chain, ascending date, the rows of gex expirations
 * (gex__expiry_rows): the breakdown's totals where it has the date, else zeros with the chain's
 * contracts of the date and none used (every contract expired, filtered or without an IV). */
PyObject *gexpy_analysis_expirations(PyObject *module, PyObject *args)
{
    PyObject *obj;
    const gexpy_analysis *a = only_analysis(module, args, &obj);
    if (a == NULL)
        return NULL;
    gex__analysis ga;
    analysis_view(a, &ga);
    size_t n = 0;
    gex__expiry_row *rows = gex__expiry_rows(&ga, &n);
    if (rows == NULL && gex_chain_size(ga.chain) > 0)
        return PyErr_NoMemory();
    enum { FIELDS = 11 };
    PyObject *dates = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * sizeof(int32_t)));
    PyObject *values = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * FIELDS * sizeof(double)));
    if (dates == NULL || values == NULL) {
        Py_XDECREF(dates);
        Py_XDECREF(values);
        free(rows);
        return NULL;
    }
    int32_t *d = (int32_t *)(void *)PyBytes_AS_STRING(dates);
    double *v = (double *)(void *)PyBytes_AS_STRING(values);
    for (size_t i = 0; i < n; i++) {
        const gex__expiry_row *e = &rows[i];
        const gex_exposure_totals *t = &e->totals;
        double *r = v + i * FIELDS;
        d[i] = e->date;
        r[0] = t->net_gex;
        r[1] = t->net_dex;
        r[2] = t->net_vex;
        r[3] = t->net_chex;
        r[4] = t->call_gex;
        r[5] = t->put_gex;
        r[6] = t->gross_gex;
        /* the breakdown's count where it has the date (each date it has holds a contract) */
        r[7] = (double)(t->contracts > 0 ? t->contracts : e->contracts);
        r[8] = (double)t->used;
        r[9] = e->call_oi;
        r[10] = e->put_oi;
    }
    free(rows);
    return Py_BuildValue("NNn", dates, values, (Py_ssize_t)n);
}

/* analysis_contracts(a) -> dict of Columns: delta, gamma, vega, vanna, charm (per share),
 * gex, dex, vex, chex (the analysis's units) as "d", included as "B"; aligned with the chain. */
PyObject *gexpy_analysis_contracts(PyObject *module, PyObject *args)
{
    PyObject *obj;
    const gexpy_analysis *a = only_analysis(module, args, &obj);
    if (a == NULL)
        return NULL;
    gex_contract_exposures v;
    gex_exposure_get_contracts(gex_analysis_exposure(a->an), &v);
    const Py_ssize_t n = (Py_ssize_t)v.n;
    const char *names[] = {"delta", "gamma", "vega", "vanna", "charm", "gex", "dex", "vex", "chex"};
    const double *arrays[] = {v.delta, v.gamma, v.vega, v.vanna, v.charm,
                              v.gex,   v.dex,   v.vex,  v.chex};
    PyObject *d = PyDict_New();
    for (size_t i = 0; d != NULL && i < sizeof names / sizeof names[0]; i++) {
        PyObject *col = gexpy_column(module, obj, arrays[i], n, "d", (Py_ssize_t)sizeof(double));
        if (col == NULL || PyDict_SetItemString(d, names[i], col) < 0)
            Py_CLEAR(d);
        Py_XDECREF(col);
    }
    PyObject *inc = d != NULL ? gexpy_column(module, obj, v.included, n, "B", 1) : NULL;
    if (inc == NULL || PyDict_SetItemString(d, "included", inc) < 0)
        Py_CLEAR(d);
    Py_XDECREF(inc);
    return d;
}

/* analysis_profile(a, x_min, x_max, n) -> (bytes of n x, bytes of n P(x)). */
PyObject *gexpy_analysis_profile(PyObject *module, PyObject *args)
{
    PyObject *obj;
    double lo, hi;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "Oddn", &obj, &lo, &hi, &n))
        return NULL;
    const gexpy_analysis *a = analysis_arg(module, obj);
    if (a == NULL)
        return NULL;
    if (n < 2) {
        PyErr_SetString(PyExc_ValueError, "profile: n must be at least 2");
        return NULL;
    }
    PyObject *xs = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(double));
    PyObject *ps = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(double));
    if (xs == NULL || ps == NULL) {
        Py_XDECREF(xs);
        Py_XDECREF(ps);
        return NULL;
    }
    double *x = (double *)(void *)PyBytes_AS_STRING(xs);
    double *p = (double *)(void *)PyBytes_AS_STRING(ps);
    int st;
    Py_BEGIN_ALLOW_THREADS st = gex_analysis_profile_grid(a->an, lo, hi, (size_t)n, x, p);
    Py_END_ALLOW_THREADS if (st != GEX_OK)
    {
        Py_DECREF(xs);
        Py_DECREF(ps);
        gex_error err;
        gex_error_clear(&err);
        gex_error_set(&err, st, NULL, 0, 0,
                      "profile from %g to %g with %zd points: %s (x_min must be > 0 and below "
                      "x_max)",
                      lo, hi, n, gex_strerror((gex_status)st));
        return gexpy_raise(module, st, &err, a->chain->path);
    }
    return Py_BuildValue("NN", xs, ps);
}

int gexpy_refuse_unused(PyObject *module, const gexpy_analysis *a)
{
    gex__analysis ga;
    analysis_view(a, &ga);
    char text[GEX__NOTHING_USABLE_MAX];
    const int st = gex__nothing_usable(&ga, text, sizeof text);
    if (st == GEX_OK)
        return 0;
    PyObject *exc = gexpy_error_text(module, st, a->chain->path, 0, text);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return -1;
}

static const struct {
    const char *name;
    gex__doc doc;
} doc_names[] = {
    {"greeks", GEX__DOC_GREEKS},   {"gex", GEX__DOC_GEX},
    {"dex", GEX__DOC_DEX},         {"vex", GEX__DOC_VEX},
    {"chex", GEX__DOC_CHEX},       {"exposure", GEX__DOC_EXPOSURE},
    {"levels", GEX__DOC_LEVELS},   {"summary", GEX__DOC_SUMMARY},
    {"profile", GEX__DOC_PROFILE}, {"expirations", GEX__DOC_EXPIRATIONS},
};

/* analysis_document(a, name, range_pct, points) -> str: the JSON document of a command, the
 * bytes `gex NAME --format json` prints. */
PyObject *gexpy_analysis_document(PyObject *module, PyObject *args)
{
    PyObject *obj;
    const char *name;
    double range_pct;
    int points;
    if (!PyArg_ParseTuple(args, "Osdi", &obj, &name, &range_pct, &points))
        return NULL;
    const gexpy_analysis *a = analysis_arg(module, obj);
    if (a == NULL)
        return NULL;
    gex__render_options ro = {.format = GEX__OUT_JSON, .range_pct = range_pct, .points = points};
    int found = 0;
    for (size_t i = 0; i < sizeof doc_names / sizeof doc_names[0]; i++)
        if (strcmp(doc_names[i].name, name) == 0) {
            ro.doc = doc_names[i].doc;
            found = 1;
        }
    if (!found) {
        PyErr_Format(PyExc_ValueError,
                     "document: '%s' is not one of greeks, gex, dex, vex, chex, exposure, "
                     "levels, summary, profile, expirations",
                     name);
        return NULL;
    }
    /* the command refuses it (cli_analyze): its numbers would print as zeros where none is
     * known */
    if (ro.doc != GEX__DOC_GREEKS && ro.doc != GEX__DOC_EXPIRATIONS &&
        gexpy_refuse_unused(module, a) != 0)
        return NULL;
    gex__analysis ga;
    analysis_view(a, &ga);
    char *data = NULL;
    size_t len = 0;
    gex_error err;
    gex_error_clear(&err);
    int st;
    Py_BEGIN_ALLOW_THREADS FILE *out = open_memstream(&data, &len);
    if (out == NULL)
        st = GEX_ENOMEM;
    else {
        st = gex__render(&ro, &ga, out, &err);
        if (fclose(out) != 0 && st == GEX_OK)
            st = GEX_ENOMEM;
    }
    Py_END_ALLOW_THREADS if (st != GEX_OK)
    {
        free(data);
        return gexpy_raise(module, st, &err, a->chain->path);
    }
    PyObject *text = PyUnicode_DecodeUTF8(data, (Py_ssize_t)len, "strict");
    free(data);
    return text;
}
