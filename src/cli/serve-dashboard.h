/*
 * serve-dashboard.h: the browser dashboard's static routes of gex serve (SPEC 5.6): GET or
 * HEAD / (the page) and /assets/NAME (its script, style sheet and icon), answered from the
 * assets the build embeds in the program (dashboard-embed.py writes them from
 * src/cli/dashboard/), never from a file, a CDN or the network.
 */
#ifndef GEX_CLI_SERVE_DASHBOARD_H
#define GEX_CLI_SERVE_DASHBOARD_H

#include <stddef.h>

/* One embedded asset: its file name, content type, strong ETag (quoted) and bytes. */
typedef struct cli_dashboard_asset {
    const char *name;
    const char *content_type;
    const char *etag;
    const unsigned char *data;
    size_t len;
} cli_dashboard_asset;

/* The generated table (dashboard-assets.c). */
extern const cli_dashboard_asset cli_dashboard_assets[];
extern const size_t cli_dashboard_asset_count;

/* The asset a request path names: "/" is index.html, "/assets/NAME" is NAME; NULL for any
 * other path, or an unknown NAME (*is_asset_path is then 1 for a path under /assets/). */
const cli_dashboard_asset *cli_dashboard_find(const char *path, int *is_asset_path);

struct MHD_Connection;

/* Answers a request for the dashboard's routes: returns -1 when path is not one of them (the
 * caller goes on to the API table); otherwise queues the answer (200 with the asset, 304 when
 * If-None-Match holds its ETag, 404 for an unknown asset, 405 with Allow for a method other
 * than GET or HEAD) and returns libmicrohttpd's result (MHD_YES or MHD_NO). *status and *bytes,
 * when not NULL, receive the status and body length for the access log. */
int cli_serve_dashboard(struct MHD_Connection *con, const char *path, const char *method,
                        unsigned *status, long long *bytes);

#endif /* GEX_CLI_SERVE_DASHBOARD_H */
