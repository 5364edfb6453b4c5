/*
 * gexpy-history.c: gex history in Python (gex/history.h): the snapshot of an analysis
 * (gex_snapshot_from_analysis) as a dict of the columns of `gex history`, and the measures of
 * a series of such snapshots of one underlying (gex_history_metrics_compute). The dicts carry
 * plain values only (str, int, float, None), so that they travel between processes (Dask's
 * workers) by pickle; gex/_history.py builds the command's rows from them.
 */
#include "gexpy.h"

#include <math.h>
#include <string.h>

static PyObject *level_value(const gex_level *l)
{
    return l->has ? PyFloat_FromDouble(l->value) : Py_NewRef(Py_None);
}

/* The level names of a snapshot, as `gex history` calls them, and where they are. */
typedef struct level_field {
    const char *name;
    size_t offset;
} level_field;

static const level_field snapshot_levels[] = {
    {"gamma_flip", offsetof(gex_snapshot, gamma_flip)},
    {"call_wall", offsetof(gex_snapshot, call_wall)},
    {"put_wall", offsetof(gex_snapshot, put_wall)},
    {"max_positive_gamma", offsetof(gex_snapshot, max_positive_gamma)},
    {"max_negative_gamma", offsetof(gex_snapshot, max_negative_gamma)},
    {"atm_iv", offsetof(gex_snapshot, atm_iv)},
    {"put_wing_iv_25d", offsetof(gex_snapshot, put_iv_25d)},
    {"call_wing_iv_25d", offsetof(gex_snapshot, call_iv_25d)},
};

typedef struct number_field {
    const char *name;
    size_t offset;
} number_field;

static const number_field snapshot_numbers[] = {
    {"spot", offsetof(gex_snapshot, spot)},
    {"net_gex", offsetof(gex_snapshot, net_gex)},
    {"net_dex", offsetof(gex_snapshot, net_dex)},
    {"net_vex", offsetof(gex_snapshot, net_vex)},
    {"net_chex", offsetof(gex_snapshot, net_chex)},
    {"zero_dte_pct", offsetof(gex_snapshot, zero_dte_pct)},
    {"call_oi", offsetof(gex_snapshot, call_oi)},
    {"put_oi", offsetof(gex_snapshot, put_oi)},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int set_item(PyObject *d, const char *key, PyObject *v)
{
    if (v == NULL)
        return -1;
    const int rc = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return rc;
}

/* snapshot(analysis) -> dict: symbol, quote_time (UTC seconds), the numbers and the levels
 * (None when absent) of gex_snapshot; gex.Error (nothing usable) for an analysis that used no
 * contract. */
PyObject *gexpy_snapshot(PyObject *module, PyObject *args)
{
    PyObject *obj;
    if (!PyArg_ParseTuple(args, "O", &obj))
        return NULL;
    if (!PyObject_TypeCheck(obj, gexpy_state_of(module)->analysis_type)) {
        PyErr_SetString(PyExc_TypeError, "expected a gex analysis handle");
        return NULL;
    }
    const gexpy_analysis *a = (const gexpy_analysis *)obj;
    /* as gex history refuses it: a snapshot of nothing used would hold zeros for exposures
     * and open interest that are unknown */
    if (gexpy_refuse_unused(module, a) != 0)
        return NULL;
    gex_snapshot s;
    int st;
    Py_BEGIN_ALLOW_THREADS st = gex_snapshot_from_analysis(a->an, &s);
    Py_END_ALLOW_THREADS if (st != GEX_OK) return gexpy_raise(module, st, NULL, a->chain->path);
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    int rc = set_item(d, "symbol", PyUnicode_FromString(s.symbol));
    rc |= set_item(d, "currency", PyUnicode_FromString(s.currency));
    rc |= set_item(d, "quote_time", PyLong_FromLongLong((long long)s.quote_time));
    for (size_t i = 0; rc == 0 && i < COUNT(snapshot_numbers); i++)
        rc |= set_item(
            d, snapshot_numbers[i].name,
            PyFloat_FromDouble(*(const double *)((const char *)&s + snapshot_numbers[i].offset)));
    for (size_t i = 0; rc == 0 && i < COUNT(snapshot_levels); i++)
        rc |= set_item(
            d, snapshot_levels[i].name,
            level_value((const gex_level *)((const char *)&s + snapshot_levels[i].offset)));
    if (rc != 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* A dict of snapshot() back into a gex_snapshot; -1 with an exception set. */
static int snapshot_of_dict(PyObject *d, gex_snapshot *s)
{
    memset(s, 0, sizeof *s);
    if (!PyDict_Check(d)) {
        PyErr_SetString(PyExc_TypeError, "history_metrics: expected dicts of gex.snapshot()");
        return -1;
    }
    PyObject *v = PyDict_GetItemString(d, "symbol");
    const char *sym = v != NULL ? PyUnicode_AsUTF8(v) : NULL;
    if (sym == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_KeyError, "symbol");
        return -1;
    }
    if (strlen(sym) >= sizeof s->symbol) {
        PyErr_Format(PyExc_ValueError,
                     "history_metrics: symbol %R is longer than %d bytes (an underlying's name "
                     "is at most that)",
                     v, GEX_SYMBOL_MAX);
        return -1;
    }
    snprintf(s->symbol, sizeof s->symbol, "%s", sym);
    v = PyDict_GetItemString(d, "currency"); /* optional: the dollar without it */
    const char *cur = v == NULL            ? GEX_CURRENCY_DEFAULT
                      : PyUnicode_Check(v) ? PyUnicode_AsUTF8(v)
                                           : "";
    if (cur == NULL)
        return -1;
    if (!gex_currency_valid(cur)) {
        PyErr_Format(PyExc_ValueError, "history_metrics: currency %R is not three capital letters",
                     v);
        return -1;
    }
    snprintf(s->currency, sizeof s->currency, "%s", cur);
    v = PyDict_GetItemString(d, "quote_time");
    if (v == NULL) {
        PyErr_SetString(PyExc_KeyError, "quote_time");
        return -1;
    }
    s->quote_time = (int64_t)PyLong_AsLongLong(v);
    if (PyErr_Occurred())
        return -1;
    for (size_t i = 0; i < COUNT(snapshot_numbers); i++) {
        v = PyDict_GetItemString(d, snapshot_numbers[i].name);
        if (v == NULL) {
            PyErr_SetString(PyExc_KeyError, snapshot_numbers[i].name);
            return -1;
        }
        const double x = PyFloat_AsDouble(v);
        if (x == -1.0 && PyErr_Occurred())
            return -1;
        *(double *)((char *)s + snapshot_numbers[i].offset) = x;
    }
    for (size_t i = 0; i < COUNT(snapshot_levels); i++) {
        v = PyDict_GetItemString(d, snapshot_levels[i].name);
        gex_level *l = (gex_level *)((char *)s + snapshot_levels[i].offset);
        if (v == NULL || v == Py_None)
            continue;
        l->value = PyFloat_AsDouble(v);
        if (l->value == -1.0 && PyErr_Occurred())
            return -1;
        l->has = isfinite(l->value);
    }
    return 0;
}

static const char *const rv_names[GEX_HISTORY_RV_COUNT] = {"rv_5d", "rv_10d", "rv_20d", "rv_30d"};
static const char *const vrp_names[GEX_HISTORY_RV_COUNT] = {"vrp_5d", "vrp_10d", "vrp_20d",
                                                            "vrp_30d"};

static PyObject *metrics_dict(const gex_history_metrics *m)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    int rc = 0;
    for (size_t w = 0; w < GEX_HISTORY_RV_COUNT; w++) {
        rc |= set_item(d, rv_names[w], level_value(&m->rv[w]));
        rc |= set_item(d, vrp_names[w], level_value(&m->vrp[w]));
    }
    rc |= set_item(d, "variance_risk_premium", level_value(&m->variance_risk_premium));
    rc |= set_item(d, "z_score", level_value(&m->z_score));
    rc |= set_item(d, "percentile", level_value(&m->percentile));
    rc |= set_item(d, "history_days", PyLong_FromSize_t(m->history_days));
    rc |= set_item(d, "call_oi_change", level_value(&m->call_oi_change));
    rc |= set_item(d, "put_oi_change", level_value(&m->put_oi_change));
    if (rc != 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* history_metrics(snapshots) -> list of dicts: the measures of each snapshot of one
 * underlying's series (a sequence of snapshot() dicts in time order), computed over the whole
 * series without the GIL. */
PyObject *gexpy_history_metrics(PyObject *module, PyObject *args)
{
    PyObject *seq;
    if (!PyArg_ParseTuple(args, "O", &seq))
        return NULL;
    PyObject *fast = PySequence_Fast(seq, "history_metrics: expected a sequence of dicts");
    if (fast == NULL)
        return NULL;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    gex_snapshot *snaps = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof *snaps);
    gex_history_metrics *m = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof *m);
    PyObject *out = NULL;
    if (snaps == NULL || m == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (snapshot_of_dict(PySequence_Fast_GET_ITEM(fast, i), &snaps[i]) != 0)
            goto done;
    int st;
    Py_BEGIN_ALLOW_THREADS st = gex_history_metrics_compute(snaps, (size_t)n, m);
    Py_END_ALLOW_THREADS if (st != GEX_OK)
    {
        gex_error err;
        gex_error_clear(&err); /* gex_error_set leaves the file as it was when given none */
        gex_error_set(&err, st, NULL, 0, 0,
                      "the series measures failed (snapshots of one underlying, in time "
                      "order, with a spot each): %s",
                      gex_strerror(st));
        gexpy_raise(module, st, &err, NULL);
        goto done;
    }
    out = PyList_New(n);
    for (Py_ssize_t i = 0; out != NULL && i < n; i++) {
        PyObject *d = metrics_dict(&m[i]);
        if (d == NULL)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, i, d);
    }
done:
    PyMem_Free(snaps);
    PyMem_Free(m);
    Py_DECREF(fast);
    return out;
}
