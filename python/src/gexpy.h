/*
 * gexpy.h: the parts of the _gex extension module (the C half of the Python package gex, over
 * libgex): the module state (the exception type and the handle types), the handles of a chain
 * and of an analysis, and the helpers the files share. Only python/gex/__init__.py calls _gex:
 * its functions take positional arguments already checked and converted there.
 */
#ifndef GEXPY_H
#define GEXPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "gex/gex.h"
#include "render.h"

/* What the module holds (PEP 489 multi-phase initialisation: no static mutable state). */
typedef struct gexpy_state {
    PyObject *error;             /* gex.Error, a subclass of ValueError */
    PyTypeObject *column_type;   /* a read-only buffer over memory its owner keeps alive */
    PyTypeObject *chain_type;    /* gexpy_chain */
    PyTypeObject *analysis_type; /* gexpy_analysis */
} gexpy_state;

/* A chain, read and (after prepare) prepared: immutable once made, so any number of threads
 * may read and analyse it at once. */
typedef struct gexpy_chain {
    PyObject_HEAD gex_chain *chain;
    char *path; /* the name messages and documents use ("<bytes>" for memory) */
    gex_read_report read;
    gex_prepare_report prepare;
    int prepared;
} gexpy_chain;

/* An analysis of a prepared chain; holds a reference to its chain (the analysis borrows it). */
typedef struct gexpy_analysis {
    PyObject_HEAD gex_analysis *an;
    gexpy_chain *chain;
} gexpy_analysis;

gexpy_state *gexpy_state_of(PyObject *module);

/* Raises gex.Error for a failed status: the message is what gex prints after "gex: "
 * ("FILE:LINE: text" or "FILE: text"), with attributes status, file, line and text. Returns
 * NULL. */
PyObject *gexpy_raise(PyObject *module, int status, const gex_error *err, const char *file);
/* The same gex.Error, made and not raised (a new reference; NULL with an exception set). */
PyObject *gexpy_error(PyObject *module, int status, const gex_error *err, const char *file);
/* The same gex.Error of a text longer than a gex_error holds: file ("" or NULL: none), line
 * (0: none) and text. */
PyObject *gexpy_error_text(PyObject *module, int status, const char *file, long line,
                           const char *text);

/* text, a message of libgex's, with the command line's options it names as the package's
 * keywords: "pass --spot" is "pass spot=...", "read without --strict" "read without
 * strict=True", "--symbol XYZ --spot PRICE" 'symbol="XYZ", spot=PRICE' (a new reference; NULL
 * with an exception set). gex.Error's messages and the read report's texts are said so. */
PyObject *gexpy_python_words_of(const char *text);

/* Raises the command's gex.Error (GEX_EEMPTY, "nothing usable", gex__nothing_usable) for an
 * analysis none of whose contracts is used, and returns -1; 0 when one is. Every command that
 * shows such an analysis's numbers refuses it, and so do the documents and snapshot(). */
int gexpy_refuse_unused(PyObject *module, const gexpy_analysis *a);

/* A read-only buffer of n items of format (a struct module code: "d", "i", "I", "q", "B", "l")
 * at data, kept valid by owner (referenced). */
PyObject *gexpy_column(PyObject *module, PyObject *owner, const void *data, Py_ssize_t n,
                       const char *format, Py_ssize_t itemsize);

/* The functions of each file, for the module's method table. */
PyObject *gexpy_read(PyObject *module, PyObject *args);
PyObject *gexpy_chain_info(PyObject *module, PyObject *args);
PyObject *gexpy_chain_column(PyObject *module, PyObject *args);
PyObject *gexpy_prepare(PyObject *module, PyObject *args);
PyObject *gexpy_select(PyObject *module, PyObject *args);
PyObject *gexpy_check_open_interest(PyObject *module, PyObject *args);
PyObject *gexpy_check_spot(PyObject *module, PyObject *args);
PyObject *gexpy_analyze(PyObject *module, PyObject *args);
PyObject *gexpy_analysis_info(PyObject *module, PyObject *args);
PyObject *gexpy_analysis_hedging(PyObject *module, PyObject *args);
PyObject *gexpy_analysis_strikes(PyObject *module, PyObject *args);
PyObject *gexpy_analysis_expirations(PyObject *module, PyObject *args);
PyObject *gexpy_analysis_contracts(PyObject *module, PyObject *args);
PyObject *gexpy_analysis_profile(PyObject *module, PyObject *args);
PyObject *gexpy_analysis_document(PyObject *module, PyObject *args);
PyObject *gexpy_snapshot(PyObject *module, PyObject *args);
PyObject *gexpy_history_metrics(PyObject *module, PyObject *args);
PyObject *gexpy_python_words(PyObject *module, PyObject *args);
PyObject *gexpy_greeks(PyObject *module, PyObject *args);
PyObject *gexpy_implied_vol(PyObject *module, PyObject *args);

/* The handle types' specifications (gexpy-chain.c, gexpy-analysis.c). */
extern PyType_Spec gexpy_chain_spec;
extern PyType_Spec gexpy_analysis_spec;

#endif /* GEXPY_H */
