/*
 * gexpy-chain.c: chains in Python: reading from a path or from memory, what the reader and the
 * preparation reported, the arrays of a chain as columns, and the preparation (which makes a
 * new, prepared chain, so that a chain never changes under an analysis or another thread).
 */
#include "gexpy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void chain_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    gexpy_chain *c = (gexpy_chain *)self;
    gex_chain_free(c->chain);
    free(c->path);
    type->tp_free(self);
    Py_DECREF(type);
}

static PyType_Slot chain_slots[] = {
    {Py_tp_dealloc, (void *)chain_dealloc},
    {Py_tp_doc, (void *)"A gex chain (use gex.Chain)."},
    {0, NULL},
};

PyType_Spec gexpy_chain_spec = {
    .name = "gex._gex.ChainHandle",
    .basicsize = sizeof(gexpy_chain),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = chain_slots,
};

static gexpy_chain *chain_new(PyObject *module, const char *path)
{
    PyTypeObject *type = gexpy_state_of(module)->chain_type;
    gexpy_chain *c = PyObject_New(gexpy_chain, type);
    if (c == NULL)
        return NULL;
    Py_INCREF(type);
    c->chain = NULL;
    c->prepared = 0;
    memset(&c->read, 0, sizeof c->read);
    memset(&c->prepare, 0, sizeof c->prepare);
    c->path = strdup(path);
    if (c->path == NULL) {
        Py_DECREF(c);
        return (gexpy_chain *)PyErr_NoMemory();
    }
    return c;
}

static gexpy_chain *chain_arg(PyObject *module, PyObject *obj)
{
    if (!PyObject_TypeCheck(obj, gexpy_state_of(module)->chain_type)) {
        PyErr_SetString(PyExc_TypeError, "expected a gex chain handle");
        return NULL;
    }
    return (gexpy_chain *)obj;
}

/* An instant argument named what (now, at): None (*has 0), UTC seconds (an int), or text in
 * --now's forms (New York time without a zone). 0 and *has, *utc set, or -1 with the exception
 * set (gex.Error naming the text and what is wrong with it). */
static int instant_arg(PyObject *module, const char *what, PyObject *obj, int *has, int64_t *utc)
{
    *has = 0;
    if (obj == Py_None)
        return 0;
    if (!PyUnicode_Check(obj)) {
        const long long t = PyLong_AsLongLong(obj);
        if (t == -1 && PyErr_Occurred())
            return -1;
        if (t < GEX_TIME_FIRST_UTC || t > GEX_TIME_LAST_UTC) { /* as gex_time_parse_now */
            PyErr_Format(PyExc_ValueError,
                         "%s: %lld UTC seconds lie outside the range gex computes times for, "
                         "from 1883-11-18 17:00 UTC to 9999-12-31 23:59:59 UTC",
                         what, t);
            return -1;
        }
        *has = 1;
        *utc = (int64_t)t;
        return 0;
    }
    Py_ssize_t len;
    const char *text = PyUnicode_AsUTF8AndSize(obj, &len);
    if (text == NULL)
        return -1;
    gex_instant_info info;
    memset(&info, 0, sizeof info);
    const int st = gex_time_parse_now(text, (size_t)len, utc, &info);
    if (st != GEX_OK) {
        gex_error err;
        gex_error_clear(&err);
        if (st == GEX_EPARSE)
            gex_error_set(&err, st, NULL, 0, 0, "%s: '%s': %s", what, text, info.problem);
        else
            gex_error_set(&err, st, NULL, 0, 0,
                          "%s: '%s' is not a date and time (for example "
                          "2023-09-14T16:31:00-04:00)",
                          what, text);
        gexpy_raise(module, st, &err, NULL);
        return -1;
    }
    *has = 1;
    return 0;
}

/* read(source, is_path, name, format, strict, symbol or None, multiplier, spot,
 * settle [(root, am)], threads, at or None, all, file_expiration): source is a path (str or bytes
 * of os.fsencode) when is_path, else a buffer; name, what messages call the file, is bytes
 * (os.fsencode: a name that is not UTF-8 is read, as the command reads it); at (UTC seconds, or
 * text in --at's forms) reads that snapshot (--at); all (a path only) returns a list of every
 * snapshot's handle (gex_chain_read_snapshots): 1 raises the error of a snapshot refused, 2
 * puts the gex.Error in its place (history goes on with the file's others, as the command). */
PyObject *gexpy_read(PyObject *module, PyObject *args)
{
    PyObject *source, *symbol_obj, *settle_list, *at_obj;
    int is_path, strict, threads, all, file_expiration;
    const char *name, *format_name;
    double multiplier, spot;
    if (!PyArg_ParseTuple(args,
                          "Opysi"
                          "OddO!iOii",
                          &source, &is_path, &name, &format_name, &strict, &symbol_obj, &multiplier,
                          &spot, &PyList_Type, &settle_list, &threads, &at_obj, &all,
                          &file_expiration))
        return NULL;
    gex_read_options opts = {0};
    if (gex_format_parse(format_name, &opts.format) != GEX_OK) {
        char names[512] = "";
        size_t used = 0;
        for (int f = 0; f < GEX_FORMAT_COUNT && used < sizeof names; f++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", f ? ", " : "",
                                     gex_format_name(f));
        PyErr_Format(PyExc_ValueError, "format: '%s' is not one of %s", format_name, names);
        return NULL;
    }
    opts.strict = strict;
    opts.multiplier = multiplier;
    opts.spot = spot;
    opts.threads = threads;
    opts.file_expiration = (int32_t)file_expiration; /* days since 1970; 0: from the name */
    if (symbol_obj != Py_None) {
        opts.symbol = PyUnicode_AsUTF8(symbol_obj);
        if (opts.symbol == NULL)
            return NULL;
    }
    if (instant_arg(module, "at", at_obj, &opts.has_at, &opts.at) != 0)
        return NULL;
    if (all && (!is_path || opts.has_at)) {
        PyErr_SetString(PyExc_ValueError, "every snapshot is read from a path, without at");
        return NULL;
    }
    const Py_ssize_t n_settle = PyList_GET_SIZE(settle_list);
    gex_settle_override *settle = NULL;
    if (n_settle > 0) {
        settle = PyMem_Calloc((size_t)n_settle, sizeof *settle);
        if (settle == NULL)
            return PyErr_NoMemory();
        for (Py_ssize_t i = 0; i < n_settle; i++) {
            const char *root;
            int am;
            if (!PyArg_ParseTuple(PyList_GET_ITEM(settle_list, i), "sp", &root, &am)) {
                PyMem_Free(settle);
                return NULL;
            }
            settle[i].root = root; /* kept alive by settle_list */
            settle[i].style = am ? GEX_SETTLE_AM : GEX_SETTLE_PM;
        }
        opts.settle = settle;
        opts.n_settle = (size_t)n_settle;
    }

    gexpy_chain *c = chain_new(module, name);
    if (c == NULL) {
        PyMem_Free(settle);
        return NULL;
    }
    gex_error err;
    gex_error_clear(&err);
    int st;
    gex_chain **snaps = NULL;
    gex_read_report *reports = NULL;
    size_t n_snaps = 0;
    if (is_path) {
        PyObject *bytes = NULL;
        if (!PyUnicode_FSConverter(source, &bytes)) {
            PyMem_Free(settle);
            Py_DECREF(c);
            return NULL;
        }
        const char *path = PyBytes_AS_STRING(bytes);
        if (all) {
            Py_BEGIN_ALLOW_THREADS st =
                gex_chain_read_snapshots(path, &opts, &snaps, &reports, &n_snaps, &c->read, &err);
            Py_END_ALLOW_THREADS
        } else {
            Py_BEGIN_ALLOW_THREADS st = gex_chain_read_path(path, &opts, &c->chain, &c->read, &err);
            Py_END_ALLOW_THREADS
        }
        Py_DECREF(bytes);
    } else {
        Py_buffer buf;
        if (PyObject_GetBuffer(source, &buf, PyBUF_SIMPLE) < 0) {
            PyMem_Free(settle);
            Py_DECREF(c);
            return NULL;
        }
        Py_BEGIN_ALLOW_THREADS st =
            gex_chain_read_buffer(buf.buf, (size_t)buf.len, name, &opts, &c->chain, &c->read, &err);
        Py_END_ALLOW_THREADS PyBuffer_Release(&buf);
    }
    PyMem_Free(settle);
    if (st != GEX_OK) {
        Py_DECREF(c);
        return gexpy_raise(module, st, &err, name);
    }
    if (!all)
        return (PyObject *)c;
    /* a snapshot refused (no spot, no open interest): raised, as read(at=) its instant would */
    for (size_t k = 0; k < n_snaps && all == 1; k++)
        if (snaps[k] == NULL) {
            PyObject *raised = gexpy_raise(module, reports[k].status, &reports[k].error, name);
            for (size_t j = 0; j < n_snaps; j++)
                gex_chain_free(snaps[j]);
            free(snaps);
            free(reports);
            Py_DECREF(c);
            return raised;
        }
    /* a handle per snapshot, each with its report as a read at its instant gives it */
    PyObject *list = PyList_New((Py_ssize_t)n_snaps);
    for (size_t k = 0; k < n_snaps; k++) {
        PyObject *item = NULL;
        if (list != NULL && snaps[k] == NULL) { /* refused, all == 2 */
            item = gexpy_error(module, reports[k].status, &reports[k].error, name);
        } else if (list != NULL) {
            gexpy_chain *one = chain_new(module, name);
            if (one != NULL) {
                one->chain = snaps[k];
                one->read = reports[k];
            }
            item = (PyObject *)one;
        }
        if (item == NULL) {
            for (size_t j = k; j < n_snaps; j++)
                gex_chain_free(snaps[j]);
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)k, item);
    }
    free(snaps);
    free(reports);
    Py_DECREF(c);
    return list;
}

static PyObject *counts_dict(const size_t *counts, int n, const char *(*name)(int))
{
    PyObject *d = PyDict_New();
    for (int i = 0; d != NULL && i < n; i++) {
        PyObject *v = PyLong_FromSize_t(counts[i]);
        if (v == NULL || PyDict_SetItemString(d, name(i), v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static PyObject *first_lines_dict(const long *lines)
{
    PyObject *d = PyDict_New();
    for (int i = 0; d != NULL && i < GEX_SKIP_REASON_COUNT; i++) {
        PyObject *v = PyLong_FromLong(lines[i]);
        if (v == NULL || PyDict_SetItemString(d, gex_skip_reason_name(i), v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* chain_info(chain) -> dict: n, path, symbols (the underlyings, in order), quote_time (UTC
 * seconds or None), prepared, rate, div, read (the reader's report), prepare (its report). */
PyObject *gexpy_chain_info(PyObject *module, PyObject *args)
{
    PyObject *obj;
    if (!PyArg_ParseTuple(args, "O", &obj))
        return NULL;
    const gexpy_chain *c = chain_arg(module, obj);
    if (c == NULL)
        return NULL;
    const size_t n_und = gex_chain_underlyings(c->chain, NULL, 0);
    uint32_t *ids = PyMem_Calloc(n_und > 0 ? n_und : 1, sizeof *ids);
    if (ids == NULL)
        return PyErr_NoMemory();
    gex_chain_underlyings(c->chain, ids, n_und);
    PyObject *symbols = PyList_New((Py_ssize_t)n_und);
    for (size_t i = 0; symbols != NULL && i < n_und; i++) {
        PyObject *s =
            PyUnicode_DecodeUTF8(gex_chain_symbol(c->chain, ids[i]),
                                 (Py_ssize_t)strlen(gex_chain_symbol(c->chain, ids[i])), "replace");
        if (s == NULL)
            Py_CLEAR(symbols);
        else
            PyList_SET_ITEM(symbols, (Py_ssize_t)i, s);
    }
    PyMem_Free(ids);
    if (symbols == NULL)
        return NULL;
    int64_t qt = 0;
    PyObject *quote_time = gex_chain_quote_time(c->chain, &qt) == GEX_OK
                               ? PyLong_FromLongLong((long long)qt)
                               : Py_NewRef(Py_None);
    double rate = NAN, div = NAN;
    gex_chain_carry(c->chain, &rate, &div);
    const gex_read_report *r = &c->read;
    long note_line = 0;
    const char *note = gex_chain_time_note(c->chain, &note_line);
    /* the texts that say what to do, in the package's words (gexpy_python_words_of) */
    PyObject *warning = gexpy_python_words_of(r->warning);
    PyObject *time_note = warning != NULL ? gexpy_python_words_of(note) : NULL;
    if (time_note == NULL) {
        Py_XDECREF(warning);
        Py_XDECREF(quote_time);
        Py_DECREF(symbols);
        return NULL;
    }
    PyObject *read = Py_BuildValue(
        "{s:s,s:n,s:n,s:N,s:N,s:n,s:O,s:O,s:N,s:n,s:N,s:l}", "format", gex_format_name(r->format),
        "rows", (Py_ssize_t)r->rows, "contracts", (Py_ssize_t)r->contracts, "skipped",
        counts_dict(r->skipped, GEX_SKIP_REASON_COUNT, gex_skip_reason_name), "first_line",
        first_lines_dict(r->first_line), "other_symbol", (Py_ssize_t)r->other_symbol,
        "iv_percent_rescaled", r->iv_percent_rescaled ? Py_True : Py_False, "has_quote_time",
        r->has_quote_time ? Py_True : Py_False, "warning", warning, "bad_quote_times",
        (Py_ssize_t)r->bad_quote_times, "time_note", time_note, "time_note_line", note_line);
    PyObject *prepare = Py_None;
    Py_INCREF(prepare);
    if (c->prepared) {
        Py_DECREF(prepare);
        const gex_prepare_report *p = &c->prepare;
        prepare = Py_BuildValue(
            "{s:N,s:n,s:n,s:n,s:L}", "status",
            counts_dict(p->status, GEX_CONTRACT_STATUS_COUNT, gex_contract_status_name),
            "iv_from_file", (Py_ssize_t)p->iv_from_file, "iv_from_mid", (Py_ssize_t)p->iv_from_mid,
            "iv_from_parity", (Py_ssize_t)p->iv_from_parity, "quote_time",
            (long long)p->quote_time);
    }
    /* as os.fsdecode: a name that is not UTF-8 comes back as the str that opens the file */
    PyObject *path = PyUnicode_DecodeFSDefault(c->path);
    if (quote_time == NULL || read == NULL || prepare == NULL || path == NULL) {
        Py_XDECREF(quote_time);
        Py_XDECREF(read);
        Py_XDECREF(prepare);
        Py_XDECREF(path);
        Py_DECREF(symbols);
        return NULL;
    }
    return Py_BuildValue("{s:n,s:N,s:N,s:N,s:O,s:d,s:d,s:N,s:N,s:s}", "n",
                         (Py_ssize_t)gex_chain_size(c->chain), "path", path, "symbols", symbols,
                         "quote_time", quote_time, "prepared", c->prepared ? Py_True : Py_False,
                         "rate", rate, "div", div, "read", read, "prepare", prepare, "currency",
                         gex_chain_currency(c->chain));
}

/* chain_column(chain, name) -> (Column, numpy dtype string), or (list of str, None) for
 * "underlying" and "root" (their symbols, one per contract, would be a copy per element: the
 * index arrays are "underlying_id" and "root_id"). */
PyObject *gexpy_chain_column(PyObject *module, PyObject *args)
{
    PyObject *obj;
    const char *name;
    if (!PyArg_ParseTuple(args, "Os", &obj, &name))
        return NULL;
    gexpy_chain *c = chain_arg(module, obj);
    if (c == NULL)
        return NULL;
    gex_chain_view v;
    gex_chain_get_view(c->chain, &v);
    const Py_ssize_t n = (Py_ssize_t)v.n;
    const struct {
        const char *name;
        const void *data;
        const char *format;
        Py_ssize_t size;
        const char *dtype;
    } cols[] = {
        {"underlying_id", v.underlying, "I", 4, "u4"},
        {"root_id", v.root, "I", 4, "u4"},
        {"expiration", v.expiration, "i", 4, "i4"},
        {"settlement", v.settlement, "q", 8, "i8"},
        {"strike", v.strike, "d", 8, "f8"},
        {"type", v.type, "B", 1, "u1"},
        {"bid", v.bid, "d", 8, "f8"},
        {"ask", v.ask, "d", 8, "f8"},
        {"last", v.last, "d", 8, "f8"},
        {"file_iv", v.file_iv, "d", 8, "f8"},
        {"open_interest", v.open_interest, "d", 8, "f8"},
        {"volume", v.volume, "d", 8, "f8"},
        {"multiplier", v.multiplier, "d", 8, "f8"},
        {"spot", v.spot, "d", 8, "f8"},
        {"vendor_delta", v.vendor_delta, "d", 8, "f8"},
        {"vendor_gamma", v.vendor_gamma, "d", 8, "f8"},
        {"line", v.line, "l", (Py_ssize_t)sizeof(long), "i8"},
        {"T", v.T, "d", 8, "f8"},
        {"iv", v.iv, "d", 8, "f8"},
        {"iv_source", v.iv_source, "B", 1, "u1"},
        {"status", v.status, "B", 1, "u1"},
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        if (strcmp(cols[i].name, name) != 0)
            continue;
        PyObject *col = gexpy_column(module, obj, cols[i].data, n, cols[i].format, cols[i].size);
        if (col == NULL)
            return NULL;
        return Py_BuildValue("Ns", col, cols[i].dtype);
    }
    if (strcmp(name, "symbols") == 0) { /* the symbol table, for the *_id columns */
        const size_t ns = gex_chain_symbol_count(c->chain);
        PyObject *list = PyList_New((Py_ssize_t)ns);
        for (size_t i = 0; list != NULL && i < ns; i++) {
            const char *s = gex_chain_symbol(c->chain, (uint32_t)i);
            PyObject *u = PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
            if (u == NULL)
                Py_CLEAR(list);
            else
                PyList_SET_ITEM(list, (Py_ssize_t)i, u);
        }
        return list == NULL ? NULL : Py_BuildValue("NO", list, Py_None);
    }
    PyErr_Format(PyExc_KeyError, "no chain column '%s'", name);
    return NULL;
}

/* prepare(chain, now, rate, div, iv_mode, carry) -> a new prepared chain: now None (the file's
 * quote instant), UTC seconds (int) or text (--now's forms); carry "parity" or "flat" (SPEC
 * 1.2). */
PyObject *gexpy_prepare(PyObject *module, PyObject *args)
{
    PyObject *obj, *now_obj;
    double rate, div;
    const char *iv_name, *carry_name;
    if (!PyArg_ParseTuple(args, "OOddss", &obj, &now_obj, &rate, &div, &iv_name, &carry_name))
        return NULL;
    gexpy_chain *src = chain_arg(module, obj);
    if (src == NULL)
        return NULL;
    gex_prepare_options opts;
    gex_prepare_options_default(&opts);
    opts.rate = rate;
    opts.div = div;
    if (strcmp(iv_name, "auto") == 0)
        opts.iv_mode = GEX_IV_MODE_AUTO;
    else if (strcmp(iv_name, "file") == 0)
        opts.iv_mode = GEX_IV_MODE_FILE;
    else if (strcmp(iv_name, "mid") == 0)
        opts.iv_mode = GEX_IV_MODE_MID;
    else {
        PyErr_Format(PyExc_ValueError, "iv_source: '%s' is not one of auto, file, mid", iv_name);
        return NULL;
    }
    if (strcmp(carry_name, "parity") == 0)
        opts.carry = GEX_CARRY_PARITY;
    else if (strcmp(carry_name, "flat") == 0)
        opts.carry = GEX_CARRY_FLAT;
    else {
        PyErr_Format(PyExc_ValueError, "carry: '%s' is not one of parity, flat", carry_name);
        return NULL;
    }
    if (instant_arg(module, "now", now_obj, &opts.has_now, &opts.now) != 0)
        return NULL;
    gexpy_chain *c = chain_new(module, src->path);
    if (c == NULL)
        return NULL;
    c->read = src->read;
    const size_t n = gex_chain_size(src->chain);
    gex_error err;
    gex_error_clear(&err);
    int st;
    Py_BEGIN_ALLOW_THREADS
        /* A copy of every contract in order (with the quote instant, spots and settlement
         * overrides), prepared: the source chain stays as it was. */
        uint32_t *all = malloc((n > 0 ? n : 1) * sizeof *all);
    if (all == NULL)
        st = GEX_ENOMEM;
    else {
        for (size_t i = 0; i < n; i++)
            all[i] = (uint32_t)i;
        st = gex_chain_extract(src->chain, all, n, &c->chain);
        free(all);
        if (st == GEX_OK)
            st = gex_chain_prepare(c->chain, &opts, &c->prepare, &err);
        /* A file of several read whole, one of which gives no spot: an input error at that
         * underlying's first row, where gex_chain_prepare calls the chain the caller's, as
         * the command says it (cli_prepare_underlying). */
        if (st == GEX_EINVAL && gex_chain_check_spot(c->chain, src->path, &err) != GEX_OK)
            st = GEX_EPARSE;
    }
    Py_END_ALLOW_THREADS if (st != GEX_OK)
    {
        Py_DECREF(c);
        return gexpy_raise(module, st, &err, src->path);
    }
    c->prepared = 1;
    return (PyObject *)c;
}

/* A check of the chain as the command makes it after a read: None, or raises gex.Error with
 * the check's message. */
static PyObject *chain_check(PyObject *module, PyObject *args,
                             int (*check)(const gex_chain *, const char *, gex_error *))
{
    PyObject *obj;
    if (!PyArg_ParseTuple(args, "O", &obj))
        return NULL;
    const gexpy_chain *src = chain_arg(module, obj);
    if (src == NULL)
        return NULL;
    gex_error err;
    gex_error_clear(&err);
    const int st = check(src->chain, src->path, &err);
    if (st != GEX_OK)
        return gexpy_raise(module, st, &err, src->path);
    Py_RETURN_NONE;
}

/* check_open_interest(chain) -> None, or raises gex.Error when every contract of the chain has
 * no open interest (gex_chain_check_open_interest: one underlying of a file of several, which
 * the read does not refuse, as the command refuses it). */
PyObject *gexpy_check_open_interest(PyObject *module, PyObject *args)
{
    return chain_check(module, args, gex_chain_check_open_interest);
}

/* check_spot(chain) -> None, or raises gex.Error when a contract of the chain has no spot
 * (gex_chain_check_spot: one underlying of a file of several whose rows give none, which the
 * read does not refuse when others give theirs, as the command refuses it). */
PyObject *gexpy_check_spot(PyObject *module, PyObject *args)
{
    return chain_check(module, args, gex_chain_check_spot);
}

/* select(chain, symbol) -> a new chain of one underlying's contracts (gex_chain_select), with
 * the reader's and the preparation's reports of the whole file. */
PyObject *gexpy_select(PyObject *module, PyObject *args)
{
    PyObject *obj;
    const char *symbol;
    if (!PyArg_ParseTuple(args, "Os", &obj, &symbol))
        return NULL;
    const gexpy_chain *src = chain_arg(module, obj);
    if (src == NULL)
        return NULL;
    gexpy_chain *c = chain_new(module, src->path);
    if (c == NULL)
        return NULL;
    c->read = src->read;
    c->prepare = src->prepare;
    c->prepared = src->prepared;
    int st;
    Py_BEGIN_ALLOW_THREADS st = gex_chain_select(src->chain, symbol, &c->chain);
    Py_END_ALLOW_THREADS if (st != GEX_OK)
    {
        Py_DECREF(c);
        gex_error err;
        gex_error_clear(&err);
        gex_error_set(&err, st, src->path, 0, 0, "no underlying '%s' in the chain", symbol);
        return gexpy_raise(module, st, &err, src->path);
    }
    return (PyObject *)c;
}
