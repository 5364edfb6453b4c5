/*
 * gex serve: an answer is what the command line prints. The request becomes the argument list
 * `gex KIND --format json --symbol SYMBOL [--expiration E] [--min-oi N] FILE`, parsed by the
 * command line's own parser and run by its own command, writing into memory: the bytes are the
 * CLI's by construction, including every default and every later change to the commands.
 *
 * Options given to `gex serve` for the answers (--rate, --flip-method, ...) come right after
 * the command name, as a user would type them.
 *
 * The command line keeps process-wide state (getopt's optind, the count of non-finite values),
 * so renders run one at a time; they happen only on a cache miss. A command's messages go to
 * standard error, the server's log, as they would for the CLI.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve-internal.h"

static pthread_mutex_t render_lock = PTHREAD_MUTEX_INITIALIZER;

/* Runs one command into memory; returns its exit status and sets *body (malloc'ed). Holds
 * render_lock. */
static int run_command(const gex__serve_extra *extra, gex__serve_kind kind, const char *path,
                       const char *symbol, const char *expiration, const char *min_oi, char **body,
                       size_t *len)
{
    char a_gex[] = "gex", a_format[] = "--format", a_json[] = "json", a_symbol[] = "--symbol",
         a_exp[] = "--expiration", a_min_oi[] = "--min-oi", a_end[] = "--";
    char a_kind[16], a_sym[GEX__SERVE_SYMBOL_MAX + 1], a_expv[16], a_min_oiv[32];
    char a_path[sizeof((gex__serve_file *)0)->path];
    snprintf(a_kind, sizeof a_kind, "%s", gex__serve_kind_name(kind));
    snprintf(a_sym, sizeof a_sym, "%s", symbol);
    snprintf(a_path, sizeof a_path, "%s", path);
    char *argv[16 + 2 * GEX__SERVE_EXTRA_MAX];
    int argc = 0;
    argv[argc++] = a_gex;
    argv[argc++] = a_kind;
    for (size_t i = 0; extra != NULL && i < extra->n; i++)
        argv[argc++] = extra->arg[i];
    argv[argc++] = a_format;
    argv[argc++] = a_json;
    argv[argc++] = a_symbol;
    argv[argc++] = a_sym;
    if (expiration[0] != '\0') {
        snprintf(a_expv, sizeof a_expv, "%s", expiration);
        argv[argc++] = a_exp;
        argv[argc++] = a_expv;
    }
    if (min_oi[0] != '\0') {
        snprintf(a_min_oiv, sizeof a_min_oiv, "%s", min_oi);
        argv[argc++] = a_min_oi;
        argv[argc++] = a_min_oiv;
    }
    argv[argc++] = a_end;
    argv[argc++] = a_path;
    argv[argc] = NULL;

    *body = NULL;
    *len = 0;
    gex__options opts;
    int rc = gex__options_parse(argc, argv, &opts);
    if (rc >= 0)
        return GEX__EXIT_INTERNAL; /* the server built an argument list the CLI refuses */
    FILE *mem = open_memstream(body, len);
    if (mem == NULL)
        return GEX__EXIT_INTERNAL;
    const size_t nonfinite = gex__nonfinite;
    switch (kind) {
    case GEX__SERVE_LEVELS:
        rc = gex__cmd_levels(&opts, mem);
        break;
    case GEX__SERVE_SUMMARY:
        rc = gex__cmd_summary(&opts, mem);
        break;
    default:
        rc = gex__cmd_exposure(&opts, mem);
        break;
    }
    if (fclose(mem) != 0 && rc == GEX__EXIT_OK)
        rc = GEX__EXIT_INTERNAL;
    /* The CLI reports any non-finite value as an internal error rather than print it. */
    if (gex__nonfinite != nonfinite) {
        gex__error(path, 0,
                   "internal error: %zu computed values were not finite numbers; "
                   "please report this with the input file",
                   gex__nonfinite - nonfinite);
        rc = GEX__EXIT_INTERNAL;
    }
    return rc;
}

static int set_error(gex__serve_result *out, unsigned status, const char *code, const char *message)
{
    out->status = status;
    out->body = gex__serve_error_body(code, message, &out->len);
    return out->body != NULL ? 0 : -1;
}

int gex__serve_chain_render(void *ctx, const char *path, const char *symbol,
                            const gex__serve_query *q, gex__serve_result *out)
{
    const gex__serve_extra *extra = ctx;
    memset(out, 0, sizeof *out);
    char *body = NULL;
    size_t len = 0;
    pthread_mutex_lock(&render_lock);
    int rc = run_command(extra, q->kind, path, symbol, q->expiration, q->min_oi, &body, &len);
    /* An input error with filters: was it the filters? Each question costs one more run, on
     * this error path only, and its answer is cached like any other. */
    int without_exp = -1, without_filters = -1;
    if (rc == GEX__EXIT_INPUT && q->expiration[0] != '\0') {
        char *b = NULL;
        size_t l = 0;
        without_exp = run_command(extra, q->kind, path, symbol, "", q->min_oi, &b, &l);
        free(b);
    }
    if (rc == GEX__EXIT_INPUT && without_exp != GEX__EXIT_OK && q->min_oi[0] != '\0') {
        char *b = NULL;
        size_t l = 0;
        without_filters = run_command(extra, q->kind, path, symbol, "", "", &b, &l);
        free(b);
    }
    pthread_mutex_unlock(&render_lock);

    if (rc == GEX__EXIT_OK) {
        out->status = 200;
        out->body = body;
        out->len = len;
        return 0;
    }
    free(body);
    const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    char message[512];
    if (without_exp == GEX__EXIT_OK) {
        snprintf(message, sizeof message, "no contract of %s in %s is left for expiration %s%s%s",
                 symbol, base, q->expiration, q->min_oi[0] != '\0' ? " with min_oi " : "",
                 q->min_oi);
        return set_error(out, 400, "invalid_expiry", message);
    }
    if (without_filters == GEX__EXIT_OK) {
        snprintf(message, sizeof message, "no contract of %s in %s has open interest of %s or more",
                 symbol, base, q->min_oi);
        return set_error(out, 404, "no_data", message);
    }
    if (rc == GEX__EXIT_INPUT) {
        snprintf(message, sizeof message,
                 "gex %s cannot answer from %s (an input error; the server's log says why)",
                 gex__serve_kind_name(q->kind), base);
        return set_error(out, 500, "chain_error", message);
    }
    snprintf(message, sizeof message,
             "gex %s failed on %s with exit status %d (the server's log says why)",
             gex__serve_kind_name(q->kind), base, rc);
    out->no_store = 1; /* out of memory, a full disk: may not happen next time */
    return set_error(out, 500, "internal_error", message);
}
