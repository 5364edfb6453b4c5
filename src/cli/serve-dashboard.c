/*
 * serve-dashboard.c: gex serve's static routes for the browser dashboard (SPEC 5.6): the page
 * at / and its assets at /assets/NAME, from the table the build embeds (dashboard-embed.py).
 *
 * Every answer carries its content type, a strong ETag and Cache-Control: no-cache, so that a
 * browser keeps its copy but asks each time (a 304 of no body) and a new gex never runs with
 * an old script. The Content-Security-Policy allows nothing but this origin: the page loads no
 * script, style, font or image from elsewhere, and runs no inline script.
 */
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve-dashboard.h"
#include "serve-internal.h"

#define ASSET_PREFIX "/assets/"

/* What the page may do: only this origin's script, style, images (and data: URLs for the
 * icon), fetches to this origin's API, and no framing. */
static const char content_security_policy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const cli_dashboard_asset *cli_dashboard_find(const char *path, int *is_asset_path)
{
    *is_asset_path = 0;
    const char *name = NULL;
    if (strcmp(path, "/") == 0) {
        name = "index.html";
    } else if (strncmp(path, ASSET_PREFIX, sizeof ASSET_PREFIX - 1) == 0) {
        *is_asset_path = 1;
        name = path + sizeof ASSET_PREFIX - 1;
    } else {
        return NULL;
    }
    for (size_t i = 0; i < cli_dashboard_asset_count; i++)
        if (strcmp(cli_dashboard_assets[i].name, name) == 0)
            return &cli_dashboard_assets[i];
    return NULL;
}

/* 1 when the If-None-Match header lists etag (or is "*"). */
static int etag_matches(struct MHD_Connection *con, const char *etag)
{
    const char *inm =
        MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm == NULL)
        return 0;
    const size_t n = strlen(etag);
    for (const char *p = inm; *p != '\0';) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (strncmp(p, "W/", 2) == 0) /* weak comparison, as RFC 9110 13.1.2 asks */
            p += 2;
        if (*p == '*' || (strncmp(p, etag, n) == 0 &&
                          (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t')))
            return 1;
        while (*p != '\0' && *p != ',')
            p++;
    }
    return 0;
}

static int queue(struct MHD_Connection *con, struct MHD_Response *resp, unsigned status,
                 const char *content_type, size_t len, unsigned *st, long long *bytes)
{
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (st != NULL)
        *st = status;
    if (bytes != NULL)
        *bytes = (long long)len;
    const enum MHD_Result r = MHD_queue_response(con, status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* An error in the vendor's shape, as the API's. */
static int queue_error(struct MHD_Connection *con, unsigned status, const char *code,
                       const char *message, const char *allow, unsigned *st, long long *bytes)
{
    size_t len = 0;
    char *body = cli_serve_error_body(code, message, &len);
    if (body == NULL)
        return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback_cls(len, body, free, body);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    if (allow != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    return queue(con, resp, status, "application/json; charset=utf-8", len, st, bytes);
}

int cli_serve_dashboard(struct MHD_Connection *con, const char *path, const char *method,
                        unsigned *status, long long *bytes)
{
    int under_assets = 0;
    const cli_dashboard_asset *a = cli_dashboard_find(path, &under_assets);
    if (a == NULL && !under_assets)
        return -1;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return queue_error(con, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                           "the dashboard's page and assets are read with GET", "GET, HEAD", status,
                           bytes);
    if (a == NULL)
        return queue_error(con, MHD_HTTP_NOT_FOUND, "not_found",
                           "no such asset of the dashboard; its page is at /", NULL, status, bytes);
    const int fresh = etag_matches(con, a->etag);
    /* The asset is the program's own constant: libmicrohttpd sends it without a copy. */
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        fresh ? 0 : a->len, fresh ? NULL : (void *)(uintptr_t)a->data, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, a->etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    if (strcmp(a->name, "index.html") == 0) {
        MHD_add_response_header(resp, "Content-Security-Policy", content_security_policy);
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    }
    return queue(con, resp, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, a->content_type,
                 fresh ? 0 : a->len, status, bytes);
}
