/*
 * gex api [options] PATH[?QUERY] DIR|FILE
 * gex api --list
 *
 * One answer of gex serve, printed: the request is routed through the same endpoint table,
 * its parameters checked by the same code, and its document built by the same builders from
 * the same analysis (SPEC 5.1), so a script, a golden test and a server never disagree. The
 * body goes to standard output; an error body too, with its message on standard error.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "serve-internal.h"

static void api_usage(FILE *out)
{
    fputs("usage: gex api [options] PATH[?QUERY] DIR|FILE\n"
          "       gex api --list\n"
          "\n"
          "Prints what `gex serve DIR` answers to GET PATH?QUERY (or POST with --body): the\n"
          "same routes, parameters, documents and error bodies, e.g.\n"
          "  gex api '/v1/exposure/levels/SPX?expiration=2026-03-20' data/\n"
          "\n"
          "  --list         the endpoints: method, path, and what answers them\n"
          "  --body FILE    POST FILE's contents (- for standard input) as the request body\n"
          "  --asked-at TIME  answer as if asked at TIME (default: now): the pricing\n"
          "                 endpoints' today, zero-dte's snapshot_age_seconds\n"
          "These options of the other commands apply, as for gex serve: --now TIME, --rate R,\n"
          "--div Q, --carry C, --exercise E, --max-dte N, --gex-unit U, --flip-method M,\n"
          "--iv-source S, --strict, --multiplier M, --settle ROOT=am|pm.\n"
          "Exit status: 0 for an answer (2xx); 2 for a path or parameter the API refuses;\n"
          "3 when the files cannot answer (no such symbol, no data, 501); 4 for an internal\n"
          "error.\n",
          out);
}

static const char *need_text(gex__api_need need)
{
    switch (need) {
    case GEX__API_NEED_PARAMS:
        return "the parameters";
    case GEX__API_NEED_FOLDER:
        return "the folder";
    case GEX__API_NEED_ANALYSIS:
        return "a snapshot";
    case GEX__API_NEED_SERIES:
        return "the snapshots over time";
    case GEX__API_NEED_NO_DATA:
        return "501: needs data no chain holds";
    case GEX__API_NEED_BASKET:
        return "several symbols' snapshots";
    case GEX__API_NEED_SCREENER:
        return "every symbol of the folder";
    }
    return "?";
}

static int list_endpoints(void)
{
    size_t n = 0;
    const gex__api_endpoint *ep = gex__api_endpoints(&n);
    printf("%-6s %-44s %s\n", "method", "path", "answered from");
    for (size_t i = 0; i < n; i++)
        printf("%-6s %-44s %s\n", ep[i].method, ep[i].path, need_text(ep[i].need));
    return cli_stdout_done();
}

/* The query string, decoded. The target is at most CLI_SERVE_URL_MAX bytes (a longer one is
 * answered 414 before its query is read, as gex serve answers it), and every parameter but the
 * last takes a byte and its '&' at least: so the query holds at most API_QUERY_MAX, however
 * many gex serve would take. */
#define API_QUERY_MAX ((CLI_SERVE_URL_MAX + 1) / 2)
typedef struct api_query {
    size_t n;
    char *name[API_QUERY_MAX];
    char *value[API_QUERY_MAX];
} api_query;

/* Decodes %XX and '+' in place, as a server decodes a query (RFC 3986, HTML forms). s holds no
 * "%00" (a target holding one is answered 400 before its query is read), so no NUL is made. */
static void decode(char *s)
{
    char *w = s;
    for (const char *r = s; *r != '\0'; r++) {
        int hi, lo;
        if (*r == '%' && (hi = gex__api_hex_digit((unsigned char)r[1])) >= 0 &&
            (lo = gex__api_hex_digit((unsigned char)r[2])) >= 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else {
            *w++ = *r == '+' ? ' ' : *r;
        }
    }
    *w = '\0';
}

/* A query parameter (cli_serve_param_get): its first value, names matched ignoring case, as
 * gex serve (libmicrohttpd) reads them. */
static const char *query_get(void *ctx, const char *name, size_t *times)
{
    const api_query *q = ctx;
    const char *value = NULL;
    *times = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (strcasecmp(q->name[i], name) == 0 && (*times)++ == 0)
            value = q->value[i];
    }
    return value;
}

/* Splits and decodes the query of a target (modified in place) that was not refused: at most
 * CLI_SERVE_URL_MAX bytes, no "%00". */
static void parse_query(char *query, api_query *q)
{
    q->n = 0;
    for (char *p = query; p != NULL && *p != '\0' && q->n < API_QUERY_MAX;) {
        char *amp = strchr(p, '&');
        if (amp != NULL)
            *amp = '\0';
        if (*p != '\0') {
            char *eq = strchr(p, '=');
            if (eq != NULL)
                *eq = '\0';
            q->name[q->n] = p;
            q->value[q->n] = eq != NULL ? eq + 1 : p + strlen(p);
            decode(q->name[q->n]);
            decode(q->value[q->n]);
            q->n++;
        }
        p = amp != NULL ? amp + 1 : NULL;
    }
}

/* Reads the whole of path ("-": standard input) into a malloc'ed buffer, or its first
 * CLI_SERVE_BODY_MAX + 1 bytes with *too_large set when it is longer (gex serve answers such a
 * body 413). */
static char *read_body(const char *path, size_t *len, int *too_large)
{
    *too_large = 0;
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (fp == NULL) {
        cli_error(NULL, 0, "%s: %s (--body)", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL)
            break;
        if (n > CLI_SERVE_BODY_MAX) {
            *too_large = 1;
            break;
        }
        if (n + 1 >= cap) {
            char *grown = realloc(buf, cap * 2);
            if (grown == NULL) {
                free(buf);
                buf = NULL;
                cli_error(NULL, 0, "%s: out of memory reading the body (--body)", path);
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    int failed = ferror(fp);
    if (fp != stdin)
        fclose(fp);
    if (buf != NULL && failed) {
        cli_error(NULL, 0, "%s: cannot read the body (--body)", path);
        free(buf);
        return NULL;
    }
    if (buf != NULL)
        buf[n] = '\0';
    *len = n;
    return buf;
}

/* One chain file as a folder (cli_serve_folder_fn): its underlyings, one snapshot each. */
typedef struct one_file {
    const char *path;
    cli_serve_file_symbols symbols;
} one_file;

static int folder_of_file(void *ctx, gex__api_folder *out, cli_serve_file *why)
{
    (void)why; /* the file given is read whole before any request */
    const one_file *f = ctx;
    const cli_serve_file_symbols *symbols = &f->symbols;
    return cli_serve_folder_of_files(&symbols, 1, 0, out);
}

static int folder_of_index(void *ctx, gex__api_folder *out, cli_serve_file *why)
{
    return cli_serve_index_folder(ctx, CLI_SERVE_FRESH_WAIT_MS, out, why);
}

/* The file answering for q->symbol: in the folder's index, or the one file given. */
static int find_file(cli_serve_index *index, one_file *single, const char *symbol,
                     const cli_serve_when *when, cli_serve_file *file)
{
    memset(file, 0, sizeof *file);
    if (index != NULL)
        return cli_serve_index_lookup_fresh_when(index, symbol, when, CLI_SERVE_FRESH_WAIT_MS, file,
                                                 NULL);
    /* One file: its snapshot (the latest of a file of several) at or before the instant asked. */
    const cli_serve_file_symbols *f = &single->symbols;
    long best = -1;
    int held = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (strcasecmp(f->symbol[i], symbol) != 0)
            continue;
        held = 1;
        const int timed = f->time != NULL || f->has_quote_time;
        const int64_t t = f->time != NULL ? f->time[i] : f->quote_time;
        if (when != NULL && when->has_until &&
            (!timed || t > when->until || (when->has_from && t < when->from)))
            continue;
        if (best < 0 || (f->time != NULL && t > f->time[best]))
            best = (long)i;
    }
    if (best < 0)
        return held ? CLI_SERVE_INDEX_NONE_AT : CLI_SERVE_INDEX_NONE;
    if (strlen(single->path) >= sizeof file->path)
        return CLI_SERVE_INDEX_UNREADABLE;
    strcpy(file->path, single->path);
    memcpy(file->symbol, f->symbol[best], sizeof file->symbol);
    if (f->time != NULL) { /* one snapshot of several: read with --at */
        file->has_at = file->has_time = 1;
        file->time = f->time[best];
    }
    return cli_serve_file_restat(file) == 0 ? CLI_SERVE_INDEX_FOUND : CLI_SERVE_INDEX_UNREADABLE;
}

static int by_time(const void *a, const void *b)
{
    const cli_serve_file *x = a, *y = b;
    return (x->time > y->time) - (x->time < y->time);
}

/* The series of one file of several snapshots (SPEC 5.5, as a folder's): the symbol's snapshots
 * at or before last's, ascending, last being the newest. *n 0 when the file has one snapshot
 * of the symbol there. 0, or -1 when out of memory. */
static int single_series(const one_file *single, const cli_serve_file *last, cli_serve_file **out,
                         size_t *n)
{
    *out = NULL;
    *n = 0;
    const cli_serve_file_symbols *f = &single->symbols;
    if (f->time == NULL || !last->has_time)
        return 0;
    size_t count = 0;
    for (size_t i = 0; i < f->n; i++)
        count += strcasecmp(f->symbol[i], last->symbol) == 0 && f->time[i] <= last->time;
    if (count < 2)
        return 0;
    cli_serve_file *s = malloc(count * sizeof *s);
    if (s == NULL)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < f->n; i++)
        if (strcasecmp(f->symbol[i], last->symbol) == 0 && f->time[i] <= last->time) {
            s[m] = *last;
            memcpy(s[m].symbol, f->symbol[i], sizeof s[m].symbol);
            s[m].has_time = s[m].has_at = 1;
            s[m].time = f->time[i];
            m++;
        }
    qsort(s, m, sizeof *s, by_time);
    *out = s;
    *n = m;
    return 0;
}

typedef struct api_ctx {
    cli_serve_index *index; /* the folder's, or NULL for one file */
    one_file *single;
    cli_serve_engine *engine;
} api_ctx;

/* The answer of a query that reads a symbol's file (NEED_ANALYSIS, NEED_SERIES; a basket's
 * constituent: cli_serve_summary_fn). 0 with *res filled, -1 when out of memory. */
static int answer_symbol(void *arg, const cli_serve_query *query, cli_serve_result *res)
{
    api_ctx *ctx = arg;
    cli_serve_query q = *query;
    cli_serve_error qe;
    cli_serve_file file;
    cli_serve_when when;
    char text[512];
    memset(res, 0, sizeof *res);
    if (cli_serve_query_when(&q, &when, text, sizeof text) != 0) {
        qe = (cli_serve_error){.status = 400};
        snprintf(qe.code, sizeof qe.code, "invalid_parameter");
        snprintf(qe.message, sizeof qe.message, "%s", text);
        return cli_serve_error_result(&qe, res);
    }
    const int found = find_file(ctx->index, ctx->single, q.symbol, &when, &file);
    if (found == CLI_SERVE_INDEX_FOUND) {
        /* The series up to the file (SPEC 5.5): the previous snapshot, the VRP; of one file
         * given, its own earlier snapshots. */
        cli_serve_file *owned = NULL, *given = NULL;
        size_t n_given = 0;
        const int failed =
            (ctx->index == NULL && single_series(ctx->single, &file, &given, &n_given) != 0) ||
            cli_serve_index_attach(ctx->index, &file, &q, given, n_given, &owned) != 0 ||
            cli_serve_chain_render(ctx->engine, &file, &q, res) != 0;
        free(owned);
        free(given);
        return failed ? -1 : 0;
    }
    if (found == CLI_SERVE_INDEX_NONE_AT) {
        qe = (cli_serve_error){.status = 404};
        snprintf(qe.code, sizeof qe.code, "no_data");
        cli_serve_none_at_message(&q, qe.message, sizeof qe.message);
        return cli_serve_error_result(&qe, res);
    }
    cli_serve_index_error(found, q.symbol, &file, &qe);
    return cli_serve_error_result(&qe, res);
}

/* The exit status of an answer's HTTP status: a parameter the API refuses is a usage error
 * (2), as on the command line, an unreadable date among them; what the files cannot answer is
 * an input error (3): no such symbol, no data, 501, a chain error, and an expiration the file
 * does not hold (a 400 too, marked files_cannot: the status `gex gex --expiration` has then);
 * anything else of 5xx is internal (4). */
static int exit_of(const cli_serve_result *res)
{
    const unsigned status = res->status;
    if (status >= 200 && status < 300)
        return CLI_EXIT_OK;
    if (status == 400)
        return res->files_cannot ? CLI_EXIT_INPUT : CLI_EXIT_USAGE;
    if (status == 500 && strcmp(res->code, "chain_error") == 0)
        return CLI_EXIT_INPUT;
    if (status >= 500 && status != 501)
        return CLI_EXIT_INTERNAL;
    return CLI_EXIT_INPUT;
}

/* Prints a result: the body on standard output (a newline added), the message of an error on
 * standard error. */
static int print_result(const cli_serve_result *res, int rc)
{
    fwrite(res->body, 1, res->len, stdout);
    if (res->len == 0 || res->body[res->len - 1] != '\n')
        fputc('\n', stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(NULL, 0, "api: writing the output failed: %s", strerror(errno));
        return CLI_EXIT_INTERNAL;
    }
    if (rc != CLI_EXIT_OK) {
        json_t *doc = json_loadb(res->body, res->len, 0, NULL);
        const char *message = json_string_value(json_object_get(doc, "message"));
        cli_error(NULL, 0, "api: answered %u%s%s", res->status, message != NULL ? ": " : "",
                  message != NULL ? message : "");
        json_decref(doc);
    }
    return rc;
}

int cli_cmd_api(int argc, char **argv)
{
    static const char *const own[] = {"--help", "--list", "--body", "--asked-at"};
    const char *target = NULL, *where = NULL, *body_path = NULL, *asked_at = NULL;
    cli_serve_extra extra;
    memset(&extra, 0, sizeof extra);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int taken = cli_serve_take_passed_on(argc, argv, &i, &extra, "api", "answer");
        if (taken < 0)
            return CLI_EXIT_USAGE;
        if (taken)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            api_usage(stdout);
            return cli_stdout_done();
        } else if (strcmp(a, "--list") == 0) {
            return list_endpoints();
        } else if (strcmp(a, "--body") == 0) {
            if (i + 1 >= argc) {
                cli_error(NULL, 0, "api: --body needs a file (- for standard input)");
                return CLI_EXIT_USAGE;
            }
            body_path = argv[++i];
        } else if (strcmp(a, "--asked-at") == 0) {
            if (i + 1 >= argc) {
                cli_error(NULL, 0, "api: --asked-at needs an instant, e.g. 2026-11-18T19:30:05Z");
                return CLI_EXIT_USAGE;
            }
            asked_at = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_serve_unknown_option("api", a, own, sizeof own / sizeof own[0]);
        } else if (target == NULL) {
            target = a;
        } else if (where == NULL) {
            where = a;
        } else {
            cli_error(NULL, 0, "api: one folder or file only (got %s and %s)", where, a);
            return CLI_EXIT_USAGE;
        }
    }
    if (target == NULL || target[0] != '/') {
        cli_error(NULL, 0, "api: name the path to ask, starting with /, e.g. /v1/exposure/gex/SPX");
        api_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (where == NULL) {
        cli_error(NULL, 0, "api: name the folder or chain file to answer from");
        return CLI_EXIT_USAGE;
    }
    cli_options answer_opts;
    int rc = cli_serve_parse_passed_on(extra.arg, extra.n, &answer_opts);
    if (rc >= 0)
        return rc;

    /* Refused before it is routed, as gex serve refuses it (serve-http.c), in its order: a
     * target that decodes to a NUL byte anywhere (only "%00" does: the '%' of one is never a
     * digit of an %XX before it), then a body over CLI_SERVE_BODY_MAX bytes (the server reads
     * a body's declared length with the headers, as a file's is known here), then a target
     * over CLI_SERVE_URL_MAX bytes. */
    cli_serve_error qe;
    cli_serve_result res = {0, NULL, 0, 0, 0, "", 0};
    const size_t tlen = strlen(target);
    char *body = NULL;
    size_t body_len = 0;
    int too_large = 0;
    const int nul = strstr(target, "%00") != NULL;
    if (!nul && body_path != NULL) {
        body = read_body(body_path, &body_len, &too_large);
        if (body == NULL)
            return CLI_EXIT_INPUT;
    }
    if (nul || too_large || tlen > CLI_SERVE_URL_MAX) {
        free(body);
        if (nul) {
            qe = (cli_serve_error){.status = 400, .code = "invalid_parameter"};
            snprintf(qe.message, sizeof qe.message,
                     "the request target holds an encoded NUL byte (%%00)");
        } else if (too_large) {
            qe = (cli_serve_error){.status = 413, .code = "payload_too_large"};
            snprintf(qe.message, sizeof qe.message, "the request body is over %d bytes",
                     CLI_SERVE_BODY_MAX);
        } else {
            qe = (cli_serve_error){.status = 414, .code = "uri_too_long"};
            snprintf(qe.message, sizeof qe.message,
                     "the request target is %zu bytes; at most %d are accepted", tlen,
                     CLI_SERVE_URL_MAX);
        }
        if (cli_serve_error_result(&qe, &res) != 0)
            return CLI_EXIT_INTERNAL;
        rc = print_result(&res, CLI_EXIT_USAGE);
        free(res.body);
        return rc;
    }

    /* The target: the path, as received (the router splits it at its literal '/' and then
     * decodes each segment, as gex serve does), and the query. */
    char *path = malloc(tlen + 1);
    if (path == NULL) {
        free(body);
        cli_error(NULL, 0, "api: out of memory");
        return CLI_EXIT_INTERNAL;
    }
    memcpy(path, target, tlen + 1);
    char *qm = strchr(path, '?');
    api_query query;
    if (qm != NULL)
        *qm = '\0';
    parse_query(qm != NULL ? qm + 1 : NULL, &query);
    cli_serve_query q;
    if (cli_serve_prepare(body_path != NULL ? "POST" : "GET", path, query_get, &query, &q, &qe) !=
        0) {
        free(path);
        free(body);
        if (cli_serve_error_result(&qe, &res) != 0)
            return CLI_EXIT_INTERNAL;
        rc = print_result(&res, CLI_EXIT_USAGE);
        free(res.body);
        return rc;
    }
    free(path);
    if (asked_at != NULL) {
        gex_instant_info info;
        const int st = gex_time_parse_now(asked_at, strlen(asked_at), &q.asked_at, &info);
        if (st != GEX_OK && info.problem != NULL) {
            cli_error(NULL, 0,
                      "api: --asked-at %s: %s; give one as --now takes it, e.g. "
                      "2026-11-18T19:30:05Z",
                      asked_at, info.problem);
            free(body);
            return CLI_EXIT_USAGE;
        }
        if (st != GEX_OK || q.asked_at == 0) {
            cli_error(NULL, 0,
                      "api: --asked-at %s is no instant: give one as --now takes it, e.g. "
                      "2026-11-18T19:30:05Z",
                      asked_at);
            free(body);
            return CLI_EXIT_USAGE;
        }
    }
    if (body != NULL) {
        q.body = body;
        q.body_len = body_len;
    }

    /* A folder's files are named DIR/NAME with DIR as given, trailing slashes dropped, as gex
     * serve names them, so that meta's file is the same. */
    char given[4096];
    size_t where_len = strlen(where);
    while (where_len > 1 && where[where_len - 1] == '/')
        where_len--;
    if (where_len >= sizeof given) {
        cli_error(NULL, 0, "%s: the path is too long", where);
        free(body);
        return CLI_EXIT_INPUT;
    }
    memcpy(given, where, where_len);
    given[where_len] = '\0';
    where = given;
    struct stat st;
    if (stat(where, &st) != 0) {
        cli_error(NULL, 0,
                  "%s: cannot be read: %s; give the folder gex serve would serve, or one "
                  "chain file",
                  where, strerror(errno));
        free(body);
        return CLI_EXIT_INPUT;
    }
    cli_serve_engine *engine = cli_serve_engine_new(&answer_opts);
    if (engine == NULL) {
        cli_error(NULL, 0, "api: out of memory");
        free(body);
        return CLI_EXIT_INTERNAL;
    }
    cli_serve_backend backend = {cli_serve_chain_symbols, cli_serve_chain_render, engine};
    cli_serve_index *index = NULL;
    one_file single = {where, {0, NULL, 0, 0, NULL}};
    int failed = 0;
    if (S_ISDIR(st.st_mode)) {
        index = cli_serve_index_new(where, &backend, stderr);
        failed = index == NULL;
    } else {
        char text[512];
        if (cli_serve_chain_symbols(engine, where, &single.symbols, text, sizeof text) != 0) {
            cli_error(NULL, 0, "%s: %s", where, text);
            cli_serve_engine_free(engine);
            free(body);
            return CLI_EXIT_INPUT;
        }
    }
    if (!failed && q.endpoint->need != GEX__API_NEED_ANALYSIS &&
        q.endpoint->need != GEX__API_NEED_SERIES && q.endpoint->need != GEX__API_NEED_BASKET &&
        q.endpoint->need != GEX__API_NEED_SCREENER) {
        failed = index != NULL ? cli_serve_answer_direct(folder_of_index, index, &q, &res)
                               : cli_serve_answer_direct(folder_of_file, &single, &q, &res);
    } else if (!failed) {
        api_ctx ctx = {index, &single, engine};
        if (q.endpoint->need == GEX__API_NEED_SCREENER)
            failed = cli_serve_answer_screener(
                         answer_symbol, &ctx, index != NULL ? folder_of_index : folder_of_file,
                         index != NULL ? (void *)index : (void *)&single, &q, &res) != 0;
        else
            failed = q.endpoint->need == GEX__API_NEED_BASKET
                         ? cli_serve_answer_basket(answer_symbol, &ctx, &q, &res) != 0
                         : answer_symbol(&ctx, &q, &res) != 0;
    }
    cli_serve_index_free(index);
    free(single.symbols.symbol);
    free(single.symbols.time);
    cli_serve_engine_free(engine);
    free(body);
    if (failed) {
        free(res.body);
        cli_error(NULL, 0, "api: out of memory");
        return CLI_EXIT_INTERNAL;
    }
    rc = print_result(&res, exit_of(&res));
    free(res.body);
    return rc;
}
