/*
 * gexpy-bs.c: Black-Scholes in Python: the greeks and the implied volatility of arrays of
 * contracts through the library's batch functions, without the GIL. The package broadcasts
 * the inputs and allocates the outputs (numpy); here every buffer is contiguous and of n items.
 */
#include "gexpy.h"

#include <string.h>

/* The buffers of a call: inputs read-only, outputs writable; released together. */
typedef struct buffers {
    Py_buffer b[16];
    int n;
} buffers;

static void buffers_release(buffers *bs)
{
    for (int i = 0; i < bs->n; i++)
        PyBuffer_Release(&bs->b[i]);
    bs->n = 0;
}

/* Gets obj's contiguous buffer of n items of size itemsize (writable when asked); NULL and an
 * exception otherwise. None gives NULL without an exception when optional. */
static void *take(buffers *bs, PyObject *obj, Py_ssize_t n, Py_ssize_t itemsize, int writable,
                  int *failed)
{
    if (*failed)
        return NULL;
    if (obj == Py_None)
        return NULL;
    Py_buffer *b = &bs->b[bs->n];
    if (PyObject_GetBuffer(
            obj, b, writable ? PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS : PyBUF_C_CONTIGUOUS) < 0) {
        *failed = 1;
        return NULL;
    }
    bs->n++;
    if (b->len != n * itemsize) {
        PyErr_SetString(PyExc_ValueError, "gex: internal error: a buffer of the wrong size");
        *failed = 1;
        return NULL;
    }
    return b->buf;
}

/* The market inputs that greeks and implied_vol share, S, K, T, r and q, from o[0..5) into *in,
 * in that order (take's rules). */
static void take_market(buffers *bs, PyObject *const *o, Py_ssize_t n, gex_bs_batch_in *in,
                        int *failed)
{
    in->S = take(bs, o[0], n, 8, 0, failed);
    in->K = take(bs, o[1], n, 8, 0, failed);
    in->T = take(bs, o[2], n, 8, 0, failed);
    in->r = take(bs, o[3], n, 8, 0, failed);
    in->q = take(bs, o[4], n, 8, 0, failed);
}

/* The package's per-contract codes: 0 ok, then 1, 2, ... for the library's failures from first
 * on (gex/error.h numbers them from GEX_OUTCOME_BASE, apart from gex_status; Python has no
 * gex_status codes to tell them from, and the package documents the small numbers). */
static void number_from_one(uint8_t *status, size_t n, int first)
{
    if (status == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        if (status[i] != 0)
            status[i] = (uint8_t)(status[i] - first + 1);
}

/* greeks(n, S, K, T, r, q, sigma, type, price, delta, gamma, vega, vanna, charm, status) ->
 * number of contracts outside the domain (their outputs NAN, status says why). */
PyObject *gexpy_greeks(PyObject *module, PyObject *args)
{
    Py_ssize_t n;
    PyObject *o[14];
    if (!PyArg_ParseTuple(args, "nOOOOOOOOOOOOOO", &n, &o[0], &o[1], &o[2], &o[3], &o[4], &o[5],
                          &o[6], &o[7], &o[8], &o[9], &o[10], &o[11], &o[12], &o[13]))
        return NULL;
    buffers bs = {.n = 0};
    int failed = 0;
    gex_bs_batch_in in = {.n = (size_t)n};
    take_market(&bs, o, n, &in, &failed);
    in.sigma = take(&bs, o[5], n, 8, 0, &failed);
    in.type = take(&bs, o[6], n, 1, 0, &failed);
    gex_bs_batch_out out;
    out.price = take(&bs, o[7], n, 8, 1, &failed);
    out.delta = take(&bs, o[8], n, 8, 1, &failed);
    out.gamma = take(&bs, o[9], n, 8, 1, &failed);
    out.vega = take(&bs, o[10], n, 8, 1, &failed);
    out.vanna = take(&bs, o[11], n, 8, 1, &failed);
    out.charm = take(&bs, o[12], n, 8, 1, &failed);
    out.status = take(&bs, o[13], n, 1, 1, &failed);
    if (failed) {
        buffers_release(&bs);
        return NULL;
    }
    size_t n_bad = 0;
    int st;
    Py_BEGIN_ALLOW_THREADS st = gex_bs_greeks_batch(&in, &out, &n_bad);
    if (st == GEX_OK)
        number_from_one(out.status, (size_t)n, GEX_BS_BAD_INPUT);
    Py_END_ALLOW_THREADS buffers_release(&bs);
    if (st != GEX_OK)
        return gexpy_raise(module, st, NULL, NULL);
    return PyLong_FromSize_t(n_bad);
}

/* implied_vol(n, price, S, K, T, r, q, type, sigma, status): sigma and status written. */
PyObject *gexpy_implied_vol(PyObject *module, PyObject *args)
{
    Py_ssize_t n;
    PyObject *o[9];
    if (!PyArg_ParseTuple(args, "nOOOOOOOOO", &n, &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6],
                          &o[7], &o[8]))
        return NULL;
    buffers bs = {.n = 0};
    int failed = 0;
    const double *price = take(&bs, o[0], n, 8, 0, &failed);
    gex_bs_batch_in in = {.n = (size_t)n};
    take_market(&bs, o + 1, n, &in, &failed);
    in.type = take(&bs, o[6], n, 1, 0, &failed);
    double *sigma = take(&bs, o[7], n, 8, 1, &failed);
    uint8_t *status = take(&bs, o[8], n, 1, 1, &failed);
    if (failed) {
        buffers_release(&bs);
        return NULL;
    }
    int st;
    Py_BEGIN_ALLOW_THREADS st = gex_bs_implied_vol_batch(&in, price, sigma, status);
    if (st == GEX_OK)
        number_from_one(status, (size_t)n, GEX_IV_NO_QUOTE);
    Py_END_ALLOW_THREADS buffers_release(&bs);
    if (st != GEX_OK)
        return gexpy_raise(module, st, NULL, NULL);
    Py_RETURN_NONE;
}
