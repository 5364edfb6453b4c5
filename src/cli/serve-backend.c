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

int cli_serve_chain_symbols(void *ctx, const char *path, cli_serve_file_symbols *out, char *text,
                            size_t text_size)
{
    (void)ctx;
    memset(out, 0, sizeof *out);
    gex_read_options options;
    memset(&options, 0, sizeof options);
    gex_chain *chain = NULL;
    gex_error err;
    gex_error_clear(&err);
    int rc = gex_chain_read_path(path, &options, &chain, NULL, &err);
    if (rc != GEX_OK) {
        if (err.line > 0)
            snprintf(text, text_size, "line %ld: %s", err.line, err.text);
        else
            snprintf(text, text_size, "%s", err.text[0] != '\0' ? err.text : gex_strerror(rc));
        return -1;
    }
    const size_t n = gex_chain_underlyings(chain, NULL, 0);
    uint32_t *ids = malloc((n > 0 ? n : 1) * sizeof *ids);
    out->symbol = malloc((n > 0 ? n : 1) * sizeof *out->symbol);
    if (ids == NULL || out->symbol == NULL) {
        free(ids);
        free(out->symbol);
        out->symbol = NULL;
        gex_chain_free(chain);
        snprintf(text, text_size, "out of memory listing its underlyings");
        return -1;
    }
    gex_chain_underlyings(chain, ids, n);
    for (size_t i = 0; i < n; i++) {
        const char *sym = gex_chain_symbol(chain, ids[i]);
        if (sym == NULL || strlen(sym) > CLI_SERVE_SYMBOL_MAX)
            continue; /* no request path can name it */
        memcpy(out->symbol[out->n++], sym, strlen(sym) + 1);
    }
    free(ids);
    int64_t utc = 0;
    if (gex_chain_quote_time(chain, &utc) == GEX_OK) {
        out->has_quote_time = 1;
        out->quote_time = utc;
    }
    gex_chain_free(chain);
    if (out->n == 0) {
        free(out->symbol);
        out->symbol = NULL;
        snprintf(text, text_size, "no underlying symbol in the file");
        return -1;
    }
    return 0;
}
