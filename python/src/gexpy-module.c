/*
 * gexpy-module.c: the _gex module: its state and initialisation, gex.Error and how a gex_status
 * becomes one, and the column type (a read-only buffer over a chain's or an analysis's arrays,
 * which numpy wraps without a copy).
 */
#include "gexpy.h"

#include <ctype.h>
#include <string.h>

gexpy_state *gexpy_state_of(PyObject *module)
{
    return (gexpy_state *)PyModule_GetState(module);
}

/* --- the command's options as the package's keywords --- */

/* The command line's options that libgex's texts name, as the keywords of gex.read,
 * Chain.prepare and gex.file_snapshots. */
typedef enum python_kind {
    PY_NUMBER, /* keyword=VALUE when a number or a placeholder follows, else keyword=... */
    PY_TEXT,   /* keyword="VALUE" (a placeholder bare) when a value follows, else keyword=... */
    PY_FLAG,   /* keyword=True */
    PY_NAME,   /* the keyword alone ("bad --settle root") */
} python_kind;

typedef struct python_keyword {
    const char *option, *keyword;
    python_kind kind;
} python_keyword;

static const python_keyword python_keywords[] = {
    {"--now", "now", PY_TEXT},
    {"--at", "at", PY_TEXT},
    {"--symbol", "symbol", PY_TEXT},
    {"--input-format", "format", PY_TEXT},
    {"--carry", "carry", PY_TEXT},
    {"--spot", "spot", PY_NUMBER},
    {"--rate", "rate", PY_NUMBER},
    {"--div", "div", PY_NUMBER},
    {"--multiplier", "multiplier", PY_NUMBER},
    {"--jobs", "threads", PY_NUMBER},
    {"--strict", "strict", PY_FLAG},
    {"--now-from-mtime", "now_from_mtime", PY_FLAG},
    {"--settle", "settle", PY_NAME},
    {"--expiration-of-file", "expiration_of_file", PY_TEXT},
};

/* The names the texts give a value they leave to the reader ("--now TIME"). */
static int is_placeholder(const char *s, size_t n)
{
    static const char *const names[] = {"TIME", "PRICE", "N", "INSTANT", "YYYY-MM-DD"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
            return 1;
    return 0;
}

/* The length of the value of option k that the text gives at s (after the option's space); 0
 * when a word of the sentence follows instead ("pass --spot to choose", "--rate and --div"). */
static size_t option_value(const python_keyword *k, const char *s)
{
    size_t n = strcspn(s, " \t\n),;\"'");
    while (n > 0 && (s[n - 1] == ':' || s[n - 1] == '.'))
        n--; /* "--carry parity: ..." */
    if (n == 0 || is_placeholder(s, n))
        return n;
    if (strcmp(k->keyword, "format") == 0 || strcmp(k->keyword, "carry") == 0) {
        char name[40];
        if (n >= sizeof name)
            return 0;
        memcpy(name, s, n);
        name[n] = '\0';
        if (strcmp(k->keyword, "carry") == 0)
            return strcmp(name, "parity") == 0 || strcmp(name, "flat") == 0 ? n : 0;
        gex_format f;
        return gex_format_parse(name, &f) == GEX_OK ? n : 0;
    }
    const unsigned char c = (unsigned char)s[0];
    return isdigit(c) || (k->kind == PY_TEXT && isupper(c)) ? n : 0;
}

/* The text being built: b holds o bytes and a NUL, in cap; failed once memory ran out. */
typedef struct words_text {
    char *b;
    size_t o, cap;
    int failed;
} words_text;

static void words_put(words_text *w, const char *s, size_t n)
{
    if (w->failed)
        return;
    if (w->cap - w->o <= n) {
        const size_t cap = 2 * w->cap + n + 1;
        char *bigger = PyMem_Realloc(w->b, cap);
        if (bigger == NULL) {
            w->failed = 1;
            return;
        }
        w->b = bigger;
        w->cap = cap;
    }
    memcpy(w->b + w->o, s, n);
    w->o += n;
    w->b[w->o] = '\0';
}

/* The option of the table spelt at s (name bytes), or NULL. */
static const python_keyword *python_keyword_of(const char *s, size_t name)
{
    for (size_t j = 0; j < sizeof python_keywords / sizeof python_keywords[0]; j++)
        if (strlen(python_keywords[j].option) == name &&
            memcmp(python_keywords[j].option, s, name) == 0)
            return &python_keywords[j];
    return NULL;
}

PyObject *gexpy_python_words_of(const char *text)
{
    static const char cli_only[] = " on the command line"; /* said of the command, as it is */
    words_text w = {NULL, 0, strlen(text) + 64, 0};
    if ((w.b = PyMem_Malloc(w.cap)) == NULL)
        return PyErr_NoMemory();
    w.b[0] = '\0';
    int quoted = 0;
    size_t after_value = (size_t)-1; /* where the last option given a value ended */
    for (size_t i = 0; text[i] != '\0';) {
        const char *s = text + i;
        const size_t name =
            s[0] == '-' && s[1] == '-' && !quoted && (i == 0 || !isalnum((unsigned char)s[-1]))
                ? 2 + strspn(s + 2, "abcdefghijklmnopqrstuvwxyz0123456789-")
                : 0;
        const python_keyword *k = name > 2 ? python_keyword_of(s, name) : NULL;
        if (k == NULL || strncmp(s + name, cli_only, sizeof cli_only - 1) == 0) {
            if (*s == '"')
                quoted = !quoted; /* a value of the file's, as it is */
            words_put(&w, s, 1);
            i++;
            continue;
        }
        if (after_value + 1 == i && text[after_value] == ' ' && w.o > 0) {
            w.b[w.o - 1] = ','; /* "--symbol XYZ --spot PRICE": keywords of one call */
            words_put(&w, " ", 1);
        }
        words_put(&w, k->keyword, strlen(k->keyword));
        i += name;
        if (k->kind == PY_FLAG) {
            words_put(&w, "=True", 5);
        } else if (k->kind != PY_NAME) {
            const size_t v = text[i] == ' ' ? option_value(k, text + i + 1) : 0;
            if (v == 0) {
                words_put(&w, "=...", 4);
            } else {
                const int quote = k->kind == PY_TEXT && !is_placeholder(text + i + 1, v);
                words_put(&w, quote ? "=\"" : "=", quote ? 2 : 1);
                words_put(&w, text + i + 1, v);
                if (quote)
                    words_put(&w, "\"", 1);
                i += 1 + v;
                after_value = i;
            }
        }
    }
    /* as os.fsdecode: a file's name in the text that is not UTF-8 stays the name that opens it */
    PyObject *out = w.failed ? PyErr_NoMemory() : PyUnicode_DecodeFSDefault(w.b);
    PyMem_Free(w.b);
    return out;
}

PyObject *gexpy_python_words(PyObject *module, PyObject *args)
{
    (void)module;
    const char *text;
    if (!PyArg_ParseTuple(args, "s", &text))
        return NULL;
    return gexpy_python_words_of(text);
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
    PyObject *v_text = gexpy_python_words_of(text); /* what to do, in the package's words */
    if (v_text == NULL)
        return NULL;
    /* the file as os.fsdecode names it, in the message as in the attribute file */
    PyObject *v_file = PyUnicode_DecodeFSDefault(where);
    if (v_file == NULL) {
        Py_DECREF(v_text);
        return NULL;
    }
    PyObject *message;
    if (where[0] == '\0')
        message = Py_NewRef(v_text);
    else if (line > 0)
        message = PyUnicode_FromFormat("%U:%ld: %U", v_file, line, v_text);
    else
        message = PyUnicode_FromFormat("%U: %U", v_file, v_text);
    if (message == NULL) {
        Py_DECREF(v_file);
        Py_DECREF(v_text);
        return NULL;
    }
    PyObject *exc = PyObject_CallOneArg(gexpy_state_of(module)->error, message);
    Py_DECREF(message);
    if (exc == NULL) {
        Py_DECREF(v_file);
        Py_DECREF(v_text);
        return NULL;
    }
    PyObject *v_status = PyUnicode_FromString(gex_strerror((gex_status)status));
    PyObject *v_line = PyLong_FromLong(line);
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
    {"python_words", gexpy_python_words, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static int gexpy_exec(PyObject *module)
{
    gexpy_state *st = gexpy_state_of(module);
    st->error = PyErr_NewExceptionWithDoc(
        "gex.Error",
        "An error of gex: str() is the message the gex command prints after \"gex: \" (the "
        "options it names as the package's keywords: \"pass spot=...\" for \"pass --spot\"); "
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
