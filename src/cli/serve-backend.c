/*
 * gex serve: what the server knows about chain files, through the public API only. A file's
 * underlyings and quote instant come from reading it with the chain reader (never from its
 * name). The answer for a request is rendered in serve-render.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gex/gex.h"
#include "serve-internal.h"

/* Appends chain's underlyings (those a request path can name) to out, each with time t when
 * times (a file of several snapshots). 0, or -1 when out of memory. */
static int add_symbols(const gex_chain *chain, cli_serve_file_symbols *out, int times, int64_t t)
{
    const size_t n = gex_chain_underlyings(chain, NULL, 0);
    uint32_t *ids = malloc((n > 0 ? n : 1) * sizeof *ids);
    void *sym = realloc(out->symbol, (out->n + n + 1) * sizeof *out->symbol);
    if (sym != NULL)
        out->symbol = sym;
    int64_t *tm = times ? realloc(out->time, (out->n + n + 1) * sizeof *out->time) : NULL;
    if (tm != NULL)
        out->time = tm;
    if (ids == NULL || sym == NULL || (times && tm == NULL)) {
        free(ids);
        return -1;
    }
    gex_chain_underlyings(chain, ids, n);
    for (size_t i = 0; i < n; i++) {
        const char *name = gex_chain_symbol(chain, ids[i]);
        if (name == NULL || strlen(name) > CLI_SERVE_SYMBOL_MAX)
            continue; /* no request path can name it */
        memcpy(out->symbol[out->n], name, strlen(name) + 1);
        if (times)
            out->time[out->n] = t;
        out->n++;
    }
    free(ids);
    return 0;
}

int cli_serve_chain_symbols(void *ctx, const char *path, cli_serve_file_symbols *out, char *text,
                            size_t text_size)
{
    (void)ctx;
    memset(out, 0, sizeof *out);
    gex_read_options options;
    memset(&options, 0, sizeof options);
    gex_chain **chains = NULL;
    size_t n_chains = 0;
    gex_error err;
    gex_error_clear(&err);
    /* Every snapshot of the file (one read for a file of one). */
    int rc = gex_chain_read_snapshots(path, &options, &chains, NULL, &n_chains, NULL, &err);
    if (rc != GEX_OK) {
        if (err.line > 0)
            snprintf(text, text_size, "line %ld: %s", err.line, err.text);
        else
            snprintf(text, text_size, "%s", err.text[0] != '\0' ? err.text : gex_strerror(rc));
        return -1;
    }
    int failed = 0;
    for (size_t k = 0; k < n_chains; k++) {
        if (chains[k] == NULL)
            continue; /* a snapshot refused (no spot, no open interest): nothing to answer */
        int64_t utc = 0;
        const int timed = gex_chain_quote_time(chains[k], &utc) == GEX_OK;
        if (timed && (!out->has_quote_time || utc > out->quote_time)) {
            out->has_quote_time = 1;
            out->quote_time = utc;
        }
        if (!failed && add_symbols(chains[k], out, n_chains > 1, utc) != 0)
            failed = 1;
        gex_chain_free(chains[k]);
    }
    free(chains);
    if (failed || out->n == 0) {
        free(out->symbol);
        free(out->time);
        memset(out, 0, sizeof *out);
        snprintf(text, text_size, "%s",
                 failed ? "out of memory listing its underlyings"
                        : "no underlying symbol in the file");
        return -1;
    }
    return 0;
}
