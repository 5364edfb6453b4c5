/*
 * gexpy-module.c: the _gex module: its state and initialisation, gex.Error and how a gex_status
 * becomes one, and the column type (a read-only buffer over a chain's or an analysis's arrays,
 * which numpy wraps without a copy).
 */
#include "gexpy.h"

#include <string.h>

gexpy_state *gexpy_state_of(PyObject *module)
{
    return (gexpy_state *)PyModule_GetState(module);
}

/* A gex.Error for a status (not raised): str() "FILE[:LINE]: TEXT", with the attributes
 * status (gex_strerror's name), file, line and text. NULL with an exception set on failure. */
PyObject *gexpy_error(PyObject *module, int status, const gex_error *err, const char *file)
{
    const char *where = file != NULL ? file : "";
    long line = 0;
    const char *text = gex_strerror((gex_status)status);
    if (err != NULL) {
        if (err->file[0] != '\0')
            where = err->file;
        line = err->line;
        if (err->text[0] != '\0')
            text = err->text;
    }
    return gexpy_error_text(module, status, where, line, text);
}

PyObject *gexpy_error_text(PyObject *module, int status, const char *file, long line,
                           const char *text)
{
    const char *where = file != NULL ? file : "";
    PyObject *message;
    if (where[0] == '\0')
        message = PyUnicode_FromString(text);
    else if (line > 0)
        message = PyUnicode_FromFormat("%s:%ld: %s", where, line, text);
    else
        message = PyUnicode_FromFormat("%s: %s", where, text);
    if (message == NULL)
        return NULL;
    PyObject *exc = PyObject_CallOneArg(gexpy_state_of(module)->error, message);
    Py_DECREF(message);
    if (exc == NULL)
        return NULL;
    PyObject *v_status = PyUnicode_FromString(gex_strerror((gex_status)status));
    PyObject *v_file = PyUnicode_DecodeFSDefault(where);
    PyObject *v_line = PyLong_FromLong(line);
    PyObject *v_text = PyUnicode_FromString(text);
    const int ok = v_status != NULL && v_file != NULL && v_line != NULL && v_text != NULL &&
                   PyObject_SetAttrString(exc, "status", v_status) == 0 &&
                   PyObject_SetAttrString(exc, "file", v_file) == 0 &&
                   PyObject_SetAttrString(exc, "line", v_line) == 0 &&
                   PyObject_SetAttrString(exc, "text", v_text) == 0;
    Py_XDECREF(v_status);
    Py_XDECREF(v_file);
    Py_XDECREF(v_line);
    Py_XDECREF(v_text);
    if (!ok)
        Py_CLEAR(exc);
    return exc;
}

/* Raises gexpy_error's exception; returns NULL. */
PyObject *gexpy_raise(PyObject *module, int status, const gex_error *err, const char *file)
{
    PyObject *exc = gexpy_error(module, status, err, file);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

/* --- columns --- */

typedef struct gexpy_column_obj {
    PyObject_HEAD PyObject *owner;
    const void *data;
    Py_ssize_t n;
    Py_ssize_t itemsize;
    const char *format; /* static */
} gexpy_column_obj;

static int column_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    gexpy_column_obj *c = (gexpy_column_obj *)self;
    if ((flags & PyBUF_WRITABLE) == PyBUF_WRITABLE) {
        PyErr_SetString(PyExc_BufferError, "gex columns are read-only");
        view->obj = NULL;
        return -1;
    }
    /* A zero-length buffer still needs a valid address. */
    static const double empty = 0.0;
    view->buf = (void *)(c->n > 0 && c->data != NULL ? c->data : &empty);
    view->obj = Py_NewRef(self);
    view->len = c->n * c->itemsize;
    view->readonly = 1;
    view->itemsize = c->itemsize;
    view->format = (flags & PyBUF_FORMAT) == PyBUF_FORMAT ? (char *)c->format : NULL;
    view->ndim = 1;
    view->shape = (flags & PyBUF_ND) == PyBUF_ND ? &c->n : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? &c->itemsize : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    return 0;
}

static void column_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    Py_XDECREF(((gexpy_column_obj *)self)->owner);
    type->tp_free(self);
    Py_DECREF(type);
}

static PyType_Slot column_slots[] = {
    {Py_bf_getbuffer, (void *)column_getbuffer},
    {Py_tp_dealloc, (void *)column_dealloc},
    {Py_tp_doc, (void *)"A read-only buffer over arrays a gex chain or analysis owns."},
    {0, NULL},
};

static PyType_Spec column_spec = {
    .name = "gex._gex.Column",
    .basicsize = sizeof(gexpy_column_obj),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = column_slots,
};

PyObject *gexpy_column(PyObject *module, PyObject *owner, const void *data, Py_ssize_t n,
                       const char *format, Py_ssize_t itemsize)
{
    PyTypeObject *type = gexpy_state_of(module)->column_type;
    gexpy_column_obj *c = PyObject_New(gexpy_column_obj, type);
    if (c == NULL)
        return NULL;
    Py_INCREF(type); /* heap type instances own a reference to their type */
    c->owner = Py_NewRef(owner);
    c->data = data;
    c->n = n;
    c->itemsize = itemsize;
    c->format = format;
    return (PyObject *)c;
}

/* --- the module --- */

/* strerror(code): gex_strerror's name of a status, the vocabulary of gex.Error.status, for the
 * errors the package's Python half raises itself (gex/_history.py). */
static PyObject *gexpy_strerror(PyObject *module, PyObject *args)
{
    (void)module;
    int status = 0;
    if (!PyArg_ParseTuple(args, "i", &status))
        return NULL;
    return PyUnicode_FromString(gex_strerror((gex_status)status));
}

/* The statuses by their names less GEX_ (EINVAL ...), the codes strerror takes. */
static const struct {
    const char *name;
    gex_status status;
} gexpy_statuses[] = {
    {"OK", GEX_OK},           {"EINVAL", GEX_EINVAL},
    {"ENOMEM", GEX_ENOMEM},   {"EIO", GEX_EIO},
    {"EFORMAT", GEX_EFORMAT}, {"EPARSE", GEX_EPARSE},
    {"ENOTIME", GEX_ENOTIME}, {"EEMPTY", GEX_EEMPTY},
    {"ERANGE", GEX_ERANGE},   {"ENOTFOUND", GEX_ENOTFOUND},
    {"ENOCONV", GEX_ENOCONV},
};

static PyMethodDef gexpy_methods[] = {
    {"read", gexpy_read, METH_VARARGS, NULL},
    {"chain_info", gexpy_chain_info, METH_VARARGS, NULL},
    {"chain_column", gexpy_chain_column, METH_VARARGS, NULL},
    {"prepare", gexpy_prepare, METH_VARARGS, NULL},
    {"select", gexpy_select, METH_VARARGS, NULL},
    {"check_open_interest", gexpy_check_open_interest, METH_VARARGS, NULL},
    {"check_spot", gexpy_check_spot, METH_VARARGS, NULL},
    {"analyze", gexpy_analyze, METH_VARARGS, NULL},
    {"analysis_info", gexpy_analysis_info, METH_VARARGS, NULL},
    {"analysis_hedging", gexpy_analysis_hedging, METH_VARARGS, NULL},
    {"analysis_strikes", gexpy_analysis_strikes, METH_VARARGS, NULL},
    {"analysis_expirations", gexpy_analysis_expirations, METH_VARARGS, NULL},
    {"analysis_contracts", gexpy_analysis_contracts, METH_VARARGS, NULL},
    {"analysis_profile", gexpy_analysis_profile, METH_VARARGS, NULL},
    {"analysis_document", gexpy_analysis_document, METH_VARARGS, NULL},
    {"snapshot", gexpy_snapshot, METH_VARARGS, NULL},
    {"history_metrics", gexpy_history_metrics, METH_VARARGS, NULL},
    {"greeks", gexpy_greeks, METH_VARARGS, NULL},
    {"implied_vol", gexpy_implied_vol, METH_VARARGS, NULL},
    {"strerror", gexpy_strerror, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static int gexpy_exec(PyObject *module)
{
    gexpy_state *st = gexpy_state_of(module);
    st->error = PyErr_NewExceptionWithDoc(
        "gex.Error",
        "An error of gex: str() is the message the gex command prints after \"gex: \"; "
        "attributes status (gex_strerror's name), file, line (0 when none) and text.",
        PyExc_ValueError, NULL);
    if (st->error == NULL || PyModule_AddObjectRef(module, "Error", st->error) < 0)
        return -1;
    st->column_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &column_spec, NULL);
    st->chain_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &gexpy_chain_spec, NULL);
    st->analysis_type =
        (PyTypeObject *)PyType_FromModuleAndSpec(module, &gexpy_analysis_spec, NULL);
    if (st->column_type == NULL || st->chain_type == NULL || st->analysis_type == NULL)
        return -1;
    for (size_t i = 0; i < sizeof gexpy_statuses / sizeof gexpy_statuses[0]; i++)
        if (PyModule_AddIntConstant(module, gexpy_statuses[i].name, gexpy_statuses[i].status) < 0)
            return -1;
    if (PyModule_AddStringConstant(module, "version", gex_version()) < 0 ||
        PyModule_AddStringConstant(module, "batch_path", gex_bs_batch_path()) < 0)
        return -1;
    return 0;
}

static int gexpy_traverse(PyObject *module, visitproc visit, void *arg)
{
    gexpy_state *st = gexpy_state_of(module);
    Py_VISIT(st->error);
    Py_VISIT(st->column_type);
    Py_VISIT(st->chain_type);
    Py_VISIT(st->analysis_type);
    return 0;
}

static int gexpy_clear(PyObject *module)
{
    gexpy_state *st = gexpy_state_of(module);
    Py_CLEAR(st->error);
    Py_CLEAR(st->column_type);
    Py_CLEAR(st->chain_type);
    Py_CLEAR(st->analysis_type);
    return 0;
}

static void gexpy_free(void *module)
{
    gexpy_clear((PyObject *)module);
}

static PyModuleDef_Slot gexpy_slots[] = {
    {Py_mod_exec, (void *)gexpy_exec},
    {0, NULL},
};

static struct PyModuleDef gexpy_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "gex._gex",
    .m_doc = "The C half of the gex package (libgex); use the package gex, not this module.",
    .m_size = sizeof(gexpy_state),
    .m_methods = gexpy_methods,
    .m_slots = gexpy_slots,
    .m_traverse = gexpy_traverse,
    .m_clear = gexpy_clear,
    .m_free = gexpy_free,
};

PyMODINIT_FUNC PyInit__gex(void);

PyMODINIT_FUNC PyInit__gex(void)
{
    return PyModuleDef_Init(&gexpy_module);
}
