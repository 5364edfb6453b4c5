/*
 * serve-answer.c: what a request is answered, without HTTP: the route and parameters checked
 * against the endpoint table (src/render/api.h), the answers that read no chain file (pricing,
 * what the folder holds, 501 for what no chain can tell), and the index's outcomes as the
 * vendor's error bodies. gex serve (serve-http.c) answers through these over HTTP; gex api
 * (cmd-api.c) prints the same bodies on the command line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "serve-internal.h"

static void set_text(cli_serve_error *e, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_text(cli_serve_error *e, unsigned status, const char *code, const char *fmt, ...)
{
    e->status = status;
    snprintf(e->code, sizeof e->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

int cli_serve_build(const gex__api_endpoint *endpoint, const gex__api_input *in,
                    cli_serve_result *out)
{
    memset(out, 0, sizeof *out);
    gex__api_answer ans = {500, "internal_error", "out of memory building the document", 0};
    json_t *d = endpoint->build(in, &ans);
    if (d == NULL) {
        out->status = ans.status;
        out->no_store = ans.status >= 500;
        snprintf(out->code, sizeof out->code, "%s", ans.code);
        out->body = cli_serve_error_body(ans.code, ans.message, &out->len);
        return out->body != NULL ? 0 : -1;
    }
    gex__jwriter w = {.fp = NULL};
    gex__json_write(&w, d);
    json_decref(d);
    gex_error err;
    gex_error_clear(&err);
    if (gex__jwriter_finish(&w, endpoint->path, &err) != GEX_OK) {
        free(w.data);
        out->status = 500;
        out->no_store = 1;
        snprintf(out->code, sizeof out->code, "internal_error");
        out->body = cli_serve_error_body("internal_error", err.text, &out->len);
        return out->body != NULL ? 0 : -1;
    }
    out->status = 200;
    out->no_store = ans.no_store;
    out->body = w.data;
    out->len = w.len;
    return 0;
}

unsigned cli_serve_prepare(const char *method, const char *path, cli_serve_param_get get, void *ctx,
                           cli_serve_query *q, cli_serve_error *e)
{
    memset(q, 0, sizeof *q);
    memset(e, 0, sizeof *e);
    int symbol_ok = 1;
    const int routed = cli_serve_route(method, path, q, &symbol_ok);
    if (routed == CLI_SERVE_ROUTE_NOT_FOUND) {
        set_text(e, 404, "not_found",
                 "no such endpoint; `gex api --list` lists the paths gex serves");
        return e->status;
    }
    if (routed == CLI_SERVE_ROUTE_METHOD) {
        set_text(e, 405, "method_not_allowed", "%s is not allowed here; use %s", method,
                 q->endpoint->method);
        e->allow = strcmp(q->endpoint->method, "GET") == 0 ? "GET, HEAD" : q->endpoint->method;
        return e->status;
    }
    if (!symbol_ok) {
        set_text(e, 404, "symbol_not_found", "not a symbol: at most %d letters, digits or . - _ ^",
                 CLI_SERVE_SYMBOL_MAX);
        return e->status;
    }
    e->status =
        cli_serve_query_params(q, get, ctx, e->code, sizeof e->code, e->message, sizeof e->message);
    return e->status;
}

void cli_serve_index_error(int found, const char *symbol, const cli_serve_file *where,
                           cli_serve_error *e)
{
    memset(e, 0, sizeof *e);
    /* The file or folder the outcome is about, as the log shows it (no byte of a name can
     * forge a line of it), cut to leave room for the rest of the message. */
    char path[256] = "";
    if (where != NULL && where->path[0] != '\0')
        cli_serve_log_escape(path, sizeof path, where->path);
    const int err = where != NULL ? where->error : 0;
    const char *reason = err != 0 ? strerror(err) : "unknown error";
    switch (found) {
    case CLI_SERVE_INDEX_NONE:
        set_text(e, 404, "symbol_not_found", "no chain file in the served folder holds %s", symbol);
        break;
    case CLI_SERVE_INDEX_CHANGING:
        if (path[0] != '\0')
            set_text(e, 503, "file_changing",
                     "%s, the chain file holding %s, is being written (it changed since the "
                     "folder was read); try again in %d s",
                     path, symbol, CLI_SERVE_RETRY_AFTER);
        else
            set_text(e, 503, "file_changing",
                     "the chain file holding %s is being written; try again in %d s", symbol,
                     CLI_SERVE_RETRY_AFTER);
        e->retry_after = CLI_SERVE_RETRY_AFTER;
        break;
    case CLI_SERVE_INDEX_UNREAD:
        if (path[0] != '\0')
            set_text(e, 503, "file_changing",
                     "no chain file read so far holds %s, and %s, a new file in the served "
                     "folder, is still being written; try again in %d s",
                     symbol, path, CLI_SERVE_RETRY_AFTER);
        else
            set_text(e, 503, "file_changing",
                     "no chain file read so far holds %s, and a new file in the served folder is "
                     "still being written; try again in %d s",
                     symbol, CLI_SERVE_RETRY_AFTER);
        e->retry_after = CLI_SERVE_RETRY_AFTER;
        break;
    case CLI_SERVE_INDEX_BUSY:
        set_text(e, 503, "index_busy",
                 "the served folder is still being scanned; try again in %d s",
                 CLI_SERVE_RETRY_AFTER);
        e->retry_after = CLI_SERVE_RETRY_AFTER;
        break;
    case CLI_SERVE_INDEX_FILE_UNREADABLE:
    case CLI_SERVE_INDEX_NONE_READABLE:
        if (cli_serve_lacks_resource(err)) { /* the scan's open ran out: it passes */
            if (path[0] != '\0')
                set_text(e, 503, "server_busy",
                         "the server had too many files open to read %s, which may hold %s: "
                         "%s; try again in %d s (if it lasts, raise the open-file limit, "
                         "ulimit -n)",
                         path, symbol, reason, CLI_SERVE_RETRY_AFTER);
            else
                set_text(e, 503, "server_busy",
                         "the server had too many files open to read the folder's files: %s; "
                         "try again in %d s (if it lasts, raise the open-file limit, ulimit -n)",
                         reason, CLI_SERVE_RETRY_AFTER);
            e->retry_after = CLI_SERVE_RETRY_AFTER;
            break;
        }
        if (found == CLI_SERVE_INDEX_NONE_READABLE) {
            set_text(e, 500, "chain_error",
                     "no chain file gex serve can read holds %s, and %s, which may, cannot be "
                     "opened: %s; %s (gex serve reads it again at once)",
                     symbol, path, reason, cli_serve_open_advice(err));
            break;
        }
        /* an input error, as the command line's for a file it cannot open (exit 3) */
        set_text(e, 500, "chain_error",
                 "cannot open %s, which held %s when it was last read: %s; %s (gex serve reads "
                 "it again at once)",
                 path, symbol, reason, cli_serve_open_advice(err));
        break;
    default:
        if (cli_serve_lacks_resource(err)) {
            set_text(e, 503, "server_busy",
                     "the server had too many files open to list the chain folder: %s; try "
                     "again in %d s (if it lasts, raise the open-file limit, ulimit -n)",
                     reason, CLI_SERVE_RETRY_AFTER);
            e->retry_after = CLI_SERVE_RETRY_AFTER;
        } else if (path[0] != '\0')
            set_text(e, 500, "internal_error", "the chain folder %s cannot be read: %s; %s", path,
                     reason, cli_serve_open_advice(err));
        else
            set_text(e, 500, "internal_error", "the chain folder cannot be read");
        break;
    }
}

int cli_serve_error_result(const cli_serve_error *e, cli_serve_result *out)
{
    memset(out, 0, sizeof *out);
    out->status = e->status;
    out->retry_after = e->retry_after;
    out->no_store = 1;
    snprintf(out->code, sizeof out->code, "%s", e->code);
    out->body = cli_serve_error_body(e->code, e->message, &out->len);
    return out->body != NULL ? 0 : -1;
}

/* The basket request's at= and date=, for its constituents' queries (each given once: the
 * basket's own query was refused otherwise). */
static const char *basket_param(void *ctx, const char *name, size_t *times)
{
    const gex__api_params *p = ctx;
    const char *value =
        strcmp(name, "at") == 0 || strcmp(name, "date") == 0 ? gex__api_param(p, name) : NULL;
    *times = value != NULL;
    return value;
}

/* One constituent of a basket or a row of the screener: the GET of path asked through one, its
 * answer (status and body, owned by res) noted in entry. Returns 0, -1 when memory ran out, or 1
 * when path's query is refused (*e says why; one was not asked). */
static int ask_constituent(cli_serve_summary_fn one, void *ctx, const char *path,
                           cli_serve_param_get get, void *get_ctx, int64_t asked_at,
                           cli_serve_result *res, gex__api_basket_entry *entry, cli_serve_error *e)
{
    cli_serve_query sq;
    if (cli_serve_prepare("GET", path, get, get_ctx, &sq, e) != 0)
        return 1;
    sq.asked_at = asked_at;
    const int rc = one(ctx, &sq, res);
    entry->status = res->status;
    entry->body = res->body;
    entry->len = res->len;
    return rc;
}

int cli_serve_answer_basket(cli_serve_summary_fn one, void *ctx, const cli_serve_query *q,
                            cli_serve_result *out)
{
    memset(out, 0, sizeof *out);
    gex__api_params params;
    cli_serve_query_api_params(q, &params);
    gex__api_basket *b = malloc(sizeof *b);
    cli_serve_result *res = calloc(GEX__API_BASKET_MAX, sizeof *res);
    if (b == NULL || res == NULL) {
        free(b);
        free(res);
        return -1;
    }
    gex__api_answer ans;
    int rc = 0;
    cli_serve_when when;
    char message[512];
    if (cli_serve_query_when(q, &when, message, sizeof message) != 0) {
        cli_serve_error e = {.status = 400};
        snprintf(e.code, sizeof e.code, "invalid_parameter");
        snprintf(e.message, sizeof e.message, "%s", message);
        rc = cli_serve_error_result(&e, out);
    } else if (gex__api_basket_symbols(&params, b, &ans) != 0) {
        cli_serve_error e = {.status = ans.status};
        snprintf(e.code, sizeof e.code, "%s", ans.code);
        snprintf(e.message, sizeof e.message, "%s", ans.message);
        rc = cli_serve_error_result(&e, out);
    } else {
        for (size_t i = 0; i < b->n && rc == 0; i++) {
            char path[64];
            snprintf(path, sizeof path, "/v1/exposure/summary/%s", b->entry[i].symbol);
            cli_serve_error e;
            rc = ask_constituent(one, ctx, path, basket_param, &params, 0, &res[i], &b->entry[i],
                                 &e);
            if (rc == 1) {
                /* at= or date= the summary refuses: the basket's answer is that refusal */
                rc = cli_serve_error_result(&e, out);
                b->n = 0;
                break;
            }
        }
        if (rc == 0 && b->n > 0) {
            gex__api_input in = {
                .params = &params,
                .basket = b,
                .now = q->asked_at != 0 ? q->asked_at : (int64_t)time(NULL),
            };
            rc = cli_serve_build(q->endpoint, &in, out);
            /* a constituent's transient failure (a file being written) is not to be kept */
            for (size_t i = 0; i < b->n; i++)
                out->no_store |= res[i].no_store;
        }
    }
    for (size_t i = 0; i < GEX__API_BASKET_MAX; i++)
        free(res[i].body);
    free(res);
    free(b);
    return rc;
}

/* The screener's row queries take no parameter. */
static const char *no_param(void *ctx, const char *name, size_t *times)
{
    (void)ctx;
    (void)name;
    *times = 0;
    return NULL;
}

int cli_serve_answer_screener(cli_serve_summary_fn one, void *ctx, cli_serve_folder_fn folder_fn,
                              void *folder_ctx, const cli_serve_query *q, cli_serve_result *out)
{
    memset(out, 0, sizeof *out);
    cli_serve_error e;
    memset(&e, 0, sizeof e);
    gex__api_answer ans = {500, "internal_error", "out of memory", 0};
    /* A bad request is refused before any symbol is computed. */
    if (gex__api_screener_check(q->body, q->body_len, &ans) != 0) {
        if (ans.status == 500)
            return -1;
        e.status = ans.status;
        snprintf(e.code, sizeof e.code, "%s", ans.code);
        snprintf(e.message, sizeof e.message, "%s", ans.message);
        return cli_serve_error_result(&e, out);
    }
    gex__api_folder folder = {0};
    cli_serve_file why;
    memset(&why, 0, sizeof why);
    const int frc = folder_fn(folder_ctx, &folder, &why);
    if (frc == -2)
        return -1;
    if (frc != CLI_SERVE_INDEX_FOUND) {
        cli_serve_index_error(frc, "", &why, &e);
        return cli_serve_error_result(&e, out);
    }
    if (folder.n > GEX__API_SCREENER_MAX) {
        set_text(&e, 422, "too_many_symbols",
                 "the folder holds %zu underlyings; the screener computes each one's snapshot "
                 "per request and takes at most %d: use gex screen FILES for a whole market, or "
                 "serve a folder of fewer symbols",
                 folder.n, GEX__API_SCREENER_MAX);
        cli_serve_index_folder_free(&folder);
        return cli_serve_error_result(&e, out);
    }
    gex__api_basket_entry *entry = calloc(folder.n + 1, sizeof *entry);
    cli_serve_result *res = calloc(folder.n + 1, sizeof *res);
    int rc = entry == NULL || res == NULL ? -1 : 0;
    size_t n = 0;
    for (size_t i = 0; i < folder.n && rc == 0; i++) {
        const char *sym = folder.symbol[i].symbol;
        char path[64];
        snprintf(path, sizeof path, "/v1/screener/row/%s", sym);
        if (strlen(sym) >= sizeof entry[n].symbol) {
            /* a name no path can carry: listed missing, as every row that cannot be had */
            set_text(&e, 404, "symbol_not_found",
                     "%s is longer than a path symbol may be (%zu characters)", sym,
                     sizeof entry[n].symbol - 1);
            rc = 1;
        } else {
            rc = ask_constituent(one, ctx, path, no_param, NULL, q->asked_at, &res[n], &entry[n],
                                 &e);
        }
        if (rc == 1) { /* the row's refusal is its answer: listed missing */
            rc = cli_serve_error_result(&e, &res[n]);
            entry[n].status = res[n].status;
            entry[n].body = res[n].body;
            entry[n].len = res[n].len;
        }
        snprintf(entry[n].symbol, sizeof entry[n].symbol, "%s", sym);
        n++;
    }
    if (rc == 0) {
        const gex__api_screener_input u = {n, folder.n, entry};
        gex__api_params params;
        cli_serve_query_api_params(q, &params);
        gex__api_input in = {
            .params = &params,
            .body = q->body,
            .body_len = q->body_len,
            .screener = &u,
            .now = q->asked_at != 0 ? q->asked_at : (int64_t)time(NULL),
        };
        rc = cli_serve_build(q->endpoint, &in, out);
        /* a row's transient failure (a file being written) is not to be kept */
        for (size_t i = 0; i < n; i++)
            out->no_store |= res[i].no_store;
    }
    for (size_t i = 0; res != NULL && i < n; i++)
        free(res[i].body);
    free(res);
    free(entry);
    cli_serve_index_folder_free(&folder);
    return rc;
}

int cli_serve_answer_direct(cli_serve_folder_fn folder_fn, void *folder_ctx,
                            const cli_serve_query *q, cli_serve_result *out)
{
    const gex__api_endpoint *ep = q->endpoint;
    cli_serve_error e;
    memset(&e, 0, sizeof e);
    const char *needs = ep->needs_data != NULL ? ep->needs_data : "other data";
    if (ep->need == GEX__API_NEED_NO_DATA) {
        set_text(&e, 501, "not_available_offline",
                 "%s needs %s, which no option chain file holds; gex answers only what the files "
                 "in its folder can tell",
                 ep->path, needs);
        /* the vendor's error body, with what data would answer it as a member of its own */
        json_t *body = json_object();
        int st = body == NULL ? -1 : 0;
        st |= json_object_set_new(body, "error", json_string(e.code));
        st |= json_object_set_new(body, "message", json_string(e.message));
        st |= json_object_set_new(body, "needs_data", json_string(needs));
        char *text = st == 0 ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(body);
        if (text == NULL)
            return -1;
        memset(out, 0, sizeof *out);
        out->status = 501;
        snprintf(out->code, sizeof out->code, "%s", e.code);
        out->no_store = 1;
        out->body = text;
        out->len = strlen(text);
        return 0;
    }
    gex__api_params params;
    cli_serve_query_api_params(q, &params);
    gex__api_input in = {
        .symbol = q->symbol[0] != '\0' ? q->symbol : NULL,
        .params = &params,
        .body = q->body,
        .body_len = q->body_len,
        .now = q->asked_at != 0 ? q->asked_at : (int64_t)time(NULL),
    };
    gex__api_folder folder = {0};
    if (ep->need == GEX__API_NEED_FOLDER) {
        cli_serve_file why;
        memset(&why, 0, sizeof why);
        const int rc = folder_fn(folder_ctx, &folder, &why);
        if (rc == -2)
            return -1;
        if (rc != CLI_SERVE_INDEX_FOUND) {
            cli_serve_index_error(rc, "", &why, &e);
            return cli_serve_error_result(&e, out);
        }
        in.folder = &folder;
    }
    const int rc = cli_serve_build(ep, &in, out);
    cli_serve_index_folder_free(&folder);
    return rc;
}
