/*
 * gex serve: the HTTP daemon, on GNU libmicrohttpd. One internal polling thread per worker
 * (a thread pool, epoll where the kernel has it), a bound on connections, an idle timeout for
 * slow clients, and a bounded memory per connection, which bounds the request line and the
 * headers (libmicrohttpd answers 414 or 431 by itself past it). Every request leaves one line
 * in the access log when it completes, whoever answered it.
 *
 * The polling threads answer only what is quick: routing, errors and cached answers, the file
 * found in the index's last snapshot. A cache miss, or a request that needs the folder scanned
 * again first (its file changed or went), suspends its connection and goes to a pool of render
 * threads, which wait for the scan, compute the answer and resume the connection; so a cached
 * answer never waits behind a computation or a scan.
 *
 * Each connection has a record of ours (libmicrohttpd's socket context) that holds its current
 * request's access-log line: nothing is allocated per request, and a request that
 * libmicrohttpd abandons without calling the completion callback (it does so when the query's
 * parameters exhaust the connection's memory) is logged and released when its connection
 * closes. A watchdog thread closes connections whose request head does not arrive in time
 * (libmicrohttpd's own timeout only bounds the idle time between two reads).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve-dashboard.h"
#include "serve-internal.h"

/* Memory per connection: the request line and headers must fit in it with room to spare for
 * libmicrohttpd's own bookkeeping. 16 KiB takes any real client's headers and the longest
 * target we answer (CLI_SERVE_URL_MAX), and keeps 1024 connections within 16 MiB. */
#define CONNECTION_MEMORY 16384
/* Pending connections the kernel queues while every worker is busy. */
#define LISTEN_BACKLOG 1024
/* How often the watchdog looks for request heads past their deadline. */
#define WATCHDOG_PERIOD_NS 250000000LL
/* Seconds a connection is kept once libmicrohttpd has abandoned its request (then it only
 * waits for the client to go away). */
#define ABANDONED_TIMEOUT 1

/* A cache miss being computed by the render pool. */
typedef struct render_job {
    struct render_job *next;
    struct MHD_Connection *con;
    cli_serve_file file;
    cli_serve_query q;
    char key[sizeof((cli_serve_file *)0)->path + 256 + CLI_SERVE_PARAMS_BYTES * 2];
    size_t key_len;
    int lookup;        /* the index needs a scan first: the file is found by the job */
    int basket;        /* /v1/exposure/basket, /v1/screener: several symbols' answers (no file) */
    const char *cache; /* "hit", "miss" or "-": what the job did, for the log */
    cli_serve_blob *blob; /* the answer once done; NULL then means out of memory */
    int done;
} render_job;

typedef struct conn_ctx conn_ctx;

struct cli_server {
    struct MHD_Daemon *daemon;
    /* The open connections (their records), for the watchdog and the tests. */
    pthread_mutex_t conns_lock;
    conn_ctx *conns;
    size_t n_conns;
    int64_t head_timeout_ns; /* a request's head must arrive within this; 0: no bound */
    pthread_t watchdog;
    int watchdog_running;
    int watchdog_stop; /* under conns_lock */
    pthread_cond_t watchdog_wake;
    /* The render pool: a queue of jobs and the threads that compute them. */
    pthread_mutex_t queue_lock;
    pthread_cond_t queue_ready;
    render_job *head, *tail;
    int stopping; /* no new job is queued: the threads finish the queue and end */
    pthread_t *renderers;
    unsigned n_renderers;
    cli_serve_index *index;
    cli_serve_cache *cache;
    cli_serve_backend backend;
    char *api_key;
    char *dir;
    FILE *log;
    unsigned port;
    /* The status of libmicrohttpd's own error page, from its log line, per polling thread until
     * the connection it belongs to closes on that thread (under conns_lock). */
    struct mhd_pending {
        pthread_t thread;
        unsigned status; /* 0: none */
    } * pending;
    size_t n_pending;
};

/* What the access log line needs, gathered over a request's life. */
typedef struct req_log {
    struct timespec start;
    size_t target_len;
    char target[256]; /* the request target as received, apiKey redacted, control bytes
                         escaped, cut */
    char method[16];
    /* The target's path as received, before libmicrohttpd decodes it in place: the router splits
     * it at its literal '/' before decoding a segment ("" when the target is over
     * CLI_SERVE_URL_MAX bytes: answered 414). */
    char path[CLI_SERVE_URL_MAX + 1];
    long long bytes;   /* -1: not known (answered by libmicrohttpd) */
    unsigned status;   /* the status queued (ours or libmicrohttpd's); 0: none yet */
    int headers_seen;  /* the handler was called once: the request is complete next time */
    int nul;           /* the target decodes to a NUL byte (%00) somewhere */
    int abandoned;     /* libmicrohttpd queued its own error while parsing the request line */
    uintptr_t uri_at;  /* where libmicrohttpd's buffer holds the target (compared, never read) */
    int mhd;           /* libmicrohttpd answered it with its own page */
    const char *cache; /* "hit", "miss" or "-" */
    render_job *job;   /* a miss sent to the render pool, owned here */
    char *body; /* POST: the body received so far (malloc'ed), at most CLI_SERVE_BODY_MAX bytes */
    size_t body_len;    /* the body's bytes so far, whatever the method (kept for a POST) */
    int body_too_large; /* more than CLI_SERVE_BODY_MAX bytes came: answered 413 */
} req_log;

/* One per connection, from its accept to its close. */
struct conn_ctx {
    cli_server *srv;
    conn_ctx *prev, *next; /* srv->conns, under conns_lock */
    int fd;
    char addr[INET6_ADDRSTRLEN]; /* the client, for the log */
    /* Monotonic nanoseconds by which the current request's head must have arrived; 0 while a
     * request is being answered. Written by the connection's thread, read by the watchdog. */
    _Atomic int64_t head_deadline_ns;
    int open; /* rl holds a request whose completion has not been logged */
    req_log rl;
};

void cli_serve_config_default(cli_serve_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->bind = "127.0.0.1";
    cfg->port = 8787;
    cfg->threads = 0;
    cfg->max_connections = 1024;
    cfg->max_per_client = 64;
    cfg->timeout_seconds = 10;
    cfg->cache_entries = 512;
    cfg->cache_bytes = (size_t)256 << 20;
    cfg->access_log = stderr;
}

static int64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Starts the clock on the next request's head (at accept, and after each answer). */
static void await_head(conn_ctx *cc)
{
    const int64_t t = cc->srv->head_timeout_ns;
    atomic_store_explicit(&cc->head_deadline_ns, t > 0 ? monotonic_ns() + t : 0,
                          memory_order_relaxed);
}

static conn_ctx *ctx_of(struct MHD_Connection *con)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci != NULL ? ci->socket_context : NULL;
}

/* Notes the status of libmicrohttpd's own error page for the connection being processed on this
 * thread (its log line names no connection). */
static void mhd_pending_put(cli_server *srv, unsigned status)
{
    const pthread_t me = pthread_self();
    pthread_mutex_lock(&srv->conns_lock);
    struct mhd_pending *slot = NULL;
    for (size_t i = 0; i < srv->n_pending && slot == NULL; i++) {
        if (srv->pending[i].status != 0 && pthread_equal(srv->pending[i].thread, me))
            slot = &srv->pending[i];
    }
    for (size_t i = 0; i < srv->n_pending && slot == NULL; i++) {
        if (srv->pending[i].status == 0)
            slot = &srv->pending[i];
    }
    if (slot != NULL) {
        slot->thread = me;
        slot->status = status;
    }
    pthread_mutex_unlock(&srv->conns_lock);
}

/* Takes (and clears) this thread's noted status: 0 when none. */
static unsigned mhd_pending_take(cli_server *srv)
{
    const pthread_t me = pthread_self();
    unsigned status = 0;
    pthread_mutex_lock(&srv->conns_lock);
    for (size_t i = 0; i < srv->n_pending; i++) {
        if (srv->pending[i].status != 0 && pthread_equal(srv->pending[i].thread, me)) {
            status = srv->pending[i].status;
            srv->pending[i].status = 0;
            break;
        }
    }
    pthread_mutex_unlock(&srv->conns_lock);
    return status;
}

/* What libmicrohttpd's own answers mean, for the log. */
static const char *mhd_answer(unsigned status)
{
    switch (status) {
    case MHD_HTTP_URI_TOO_LONG:
        return "the request line does not fit the connection's memory";
    case MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE:
        return "the headers do not fit the connection's memory";
    case MHD_HTTP_HTTP_VERSION_NOT_SUPPORTED:
        return "an HTTP version other than 1.x";
    case MHD_HTTP_BAD_REQUEST:
        return "a malformed request line or header";
    default:
        return "refused while parsing";
    }
}

/* Writes the access-log line of the connection's current request and releases what it holds.
 * On the connection's thread. */
static void finish_request(conn_ctx *cc, unsigned status, int completed)
{
    cli_server *srv = cc->srv;
    req_log *rl = &cc->rl;
    if (!cc->open)
        return;
    cc->open = 0;
    if (srv->log != NULL) {
        struct timespec now, wall;
        clock_gettime(CLOCK_MONOTONIC, &now);
        clock_gettime(CLOCK_REALTIME, &wall);
        double ms = (double)(now.tv_sec - rl->start.tv_sec) * 1e3 +
                    (double)(now.tv_nsec - rl->start.tv_nsec) / 1e6;
        struct tm tm;
        gmtime_r(&wall.tv_sec, &tm);
        char when[32];
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
        char bytes[32] = "-";
        if (rl->bytes >= 0)
            snprintf(bytes, sizeof bytes, "%lld", rl->bytes);
        /* One fprintf per line: stdio locks the stream, so lines from workers never mix. */
        fprintf(srv->log, "%s.%03ldZ %s \"%s %s\" %u %s %.3fms %s%s%s%s%s%s\n", when,
                wall.tv_nsec / 1000000, cc->addr, rl->method, rl->target, status, bytes, ms,
                rl->cache, completed ? "" : " aborted",
                rl->abandoned ? " (dropped by libmicrohttpd: too many query parameters or headers "
                                "for the connection's memory)"
                              : "",
                rl->mhd ? " (answered by libmicrohttpd: " : "", rl->mhd ? mhd_answer(status) : "",
                rl->mhd ? ")" : "");
    }
    if (rl->job != NULL) {
        cli_serve_blob_unref(rl->job->blob); /* NULL once sent */
        free(rl->job);
        rl->job = NULL;
    }
    free(rl->body);
    rl->body = NULL;
}

/* The access-log line of a request that libmicrohttpd answered itself before any request
 * callback: no method or target is known. */
static void log_unparsed(conn_ctx *cc, unsigned status)
{
    if (cc->srv->log == NULL)
        return;
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    struct tm tm;
    gmtime_r(&wall.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(cc->srv->log, "%s.%03ldZ %s \"- -\" %u - - - (answered by libmicrohttpd: %s)\n", when,
            wall.tv_nsec / 1000000, cc->addr, status, mhd_answer(status));
}

static void on_connection(void *cls, struct MHD_Connection *con, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    cli_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_ctx *cc = calloc(1, sizeof *cc);
        *socket_context = cc;
        if (cc == NULL)
            return; /* served without a log line or a deadline */
        cc->srv = srv;
        cc->fd = -1;
        strcpy(cc->addr, "-");
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci != NULL)
            cc->fd = ci->connect_fd;
        ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci != NULL && ci->client_addr != NULL) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                          cc->addr, sizeof cc->addr);
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                          cc->addr, sizeof cc->addr);
        }
        await_head(cc);
        pthread_mutex_lock(&srv->conns_lock);
        cc->next = srv->conns;
        if (srv->conns != NULL)
            srv->conns->prev = cc;
        srv->conns = cc;
        srv->n_conns++;
        pthread_mutex_unlock(&srv->conns_lock);
        return;
    }
    conn_ctx *cc = *socket_context;
    *socket_context = NULL;
    if (cc == NULL)
        return;
    /* Closed. A request still open here is one libmicrohttpd never completed. Unlinked under
     * the lock, so the watchdog is not using the descriptor, which libmicrohttpd closes after
     * this. */
    const unsigned mhd_status = mhd_pending_take(srv);
    if (cc->open) {
        /* libmicrohttpd answered it (431: headers past the connection's memory, 400: a broken
         * header line) without calling the handler: its status, said so in the log. */
        if (mhd_status != 0 && cc->rl.bytes < 0 && !cc->rl.abandoned) {
            cc->rl.status = mhd_status;
            cc->rl.mhd = 1;
        }
        finish_request(cc, cc->rl.status, 0);
    } else if (mhd_status != 0) {
        /* libmicrohttpd answered a request line it could not parse (414 past the connection's
         * memory, 505, 400) before calling anything of ours: its status is all there is. */
        log_unparsed(cc, mhd_status);
    }
    pthread_mutex_lock(&srv->conns_lock);
    if (cc->prev != NULL)
        cc->prev->next = cc->next;
    else
        srv->conns = cc->next;
    if (cc->next != NULL)
        cc->next->prev = cc->prev;
    srv->n_conns--;
    pthread_mutex_unlock(&srv->conns_lock);
    free(cc);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)cls;
    conn_ctx *cc = ctx_of(con);
    if (cc == NULL)
        return NULL;
    finish_request(cc, cc->rl.status, 0); /* never the case unless libmicrohttpd skipped one */
    req_log *rl = &cc->rl;
    memset(rl, 0, sizeof *rl);
    clock_gettime(CLOCK_MONOTONIC, &rl->start);
    rl->target_len = strlen(uri);
    cli_serve_log_target(rl->target, sizeof rl->target, uri);
    const size_t path_len = strcspn(uri, "?");
    if (path_len < sizeof rl->path) {
        memcpy(rl->path, uri, path_len);
        rl->path[path_len] = '\0';
    }
    strcpy(rl->method, "-");
    rl->bytes = -1;
    rl->cache = "-";
    rl->uri_at = (uintptr_t)uri;
    cc->open = 1;
    return rl;
}

/* libmicrohttpd decodes the path and each query name and value with this, after the URI
 * callback and before the handler. Decoded lengths are compared with the strings' so that a
 * %00 cannot cut a symbol, a parameter or a key short. And since it runs right after the query
 * is parsed, it sees when libmicrohttpd has queued its own error there (out of connection
 * memory: too many parameters): libmicrohttpd then leaves the connection waiting for a request
 * it no longer reads, so it is closed at once rather than at the idle timeout. */
static size_t on_unescape(void *cls, struct MHD_Connection *con, char *s)
{
    (void)cls;
    const size_t len = MHD_http_unescape(s);
    conn_ctx *cc = ctx_of(con);
    if (cc == NULL || !cc->open || cc->rl.headers_seen)
        return len;
    if (strlen(s) != len)
        cc->rl.nul = 1;
    if (!cc->rl.abandoned) {
        const union MHD_ConnectionInfo *si =
            MHD_get_connection_info(con, MHD_CONNECTION_INFO_HTTP_STATUS);
        if (si != NULL) {
            cc->rl.abandoned = 1;
            cc->rl.status = si->http_status;
            MHD_set_connection_option(con, MHD_CONNECTION_OPTION_TIMEOUT,
                                      (unsigned)ABANDONED_TIMEOUT);
        }
    }
    return len;
}

static void on_completed(void *cls, struct MHD_Connection *con, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    cli_server *srv = cls;
    req_log *rl = *req_cls;
    *req_cls = NULL;
    if (rl == NULL)
        return;
    conn_ctx *cc = ctx_of(con);
    if (cc == NULL)
        return;
    unsigned status = rl->status;
    const union MHD_ConnectionInfo *si =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_HTTP_STATUS);
    if (si != NULL)
        status = si->http_status;
    /* A request we never answered that libmicrohttpd did (431, a broken header line). */
    const unsigned mhd_status = mhd_pending_take(srv);
    if (mhd_status != 0 && rl->bytes < 0 && !rl->abandoned) {
        status = mhd_status;
        rl->mhd = 1;
    }
    finish_request(cc, status, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    await_head(cc);
}

/* Closes connections whose request head is late: a client sending its headers a byte at a
 * time never lets libmicrohttpd's idle timeout expire. */
static void *watchdog_thread(void *arg)
{
    cli_server *srv = arg;
    pthread_mutex_lock(&srv->conns_lock);
    while (!srv->watchdog_stop) {
        const int64_t now = monotonic_ns();
        for (conn_ctx *cc = srv->conns; cc != NULL; cc = cc->next) {
            const int64_t due = atomic_load_explicit(&cc->head_deadline_ns, memory_order_relaxed);
            if (due != 0 && now > due && cc->fd >= 0) {
                /* The descriptor is open: libmicrohttpd closes it only after the connection's
                 * record is unlinked, under this lock. It then sees the end of the stream and
                 * closes the connection on its own thread. */
                shutdown(cc->fd, SHUT_RDWR);
                atomic_store_explicit(&cc->head_deadline_ns, 0, memory_order_relaxed);
            }
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += WATCHDOG_PERIOD_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->watchdog_wake, &srv->conns_lock, &until);
    }
    pthread_mutex_unlock(&srv->conns_lock);
    return NULL;
}

static void blob_free_cb(void *cls)
{
    cli_serve_blob_unref(cls);
}

static enum MHD_Result send_blob(struct MHD_Connection *con, cli_serve_blob *blob, req_log *rl,
                                 const char *allow, const char *file)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
        blob->len, blob->data, blob_free_cb, blob);
    if (resp == NULL) {
        cli_serve_blob_unref(blob);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    if (rl != NULL && strcmp(rl->cache, "-") != 0)
        MHD_add_response_header(resp, "X-Gex-Cache", rl->cache);
    if (allow != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (file != NULL) {
        /* Which chain answered (its name in the folder), so a user can tell which one is
         * "newest" for the server. A name is any bytes but '/' and NUL, and a header value
         * cannot carry CR or LF (libmicrohttpd refuses it) nor, portably, anything outside
         * printable ASCII: every other byte, and space and '%', is sent %XX (RFC 3986's
         * percent-encoding, so urllib.parse.unquote gives the name back). */
        static const char hex[] = "0123456789ABCDEF";
        const char *slash = strrchr(file, '/');
        const unsigned char *name = (const unsigned char *)(slash != NULL ? slash + 1 : file);
        char value[3 * 4096 + 1];
        size_t n = 0;
        for (; *name != '\0' && n + 4 <= sizeof value; name++) {
            if (*name > 0x20 && *name < 0x7f && *name != '%') {
                value[n++] = (char)*name;
            } else {
                value[n++] = '%';
                value[n++] = hex[*name >> 4];
                value[n++] = hex[*name & 15];
            }
        }
        value[n] = '\0';
        if (MHD_add_response_header(resp, "X-Gex-File", value) != MHD_YES) {
            MHD_destroy_response(resp); /* out of memory: the value itself is always valid */
            return MHD_NO;
        }
    }
    if (blob->retry_after > 0) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%u", blob->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    if (rl != NULL) {
        rl->bytes = (long long)blob->len;
        rl->status = blob->status;
    }
    enum MHD_Result r = MHD_queue_response(con, blob->status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* An error in the vendor's shape, {"error":CODE,"message":TEXT}, as a blob (NULL when out of
 * memory); retry_after non-zero adds a Retry-After header. */
static cli_serve_blob *error_blob(unsigned status, const char *code, unsigned retry_after,
                                  const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static cli_serve_blob *verror_blob(unsigned status, const char *code, unsigned retry_after,
                                   const char *fmt, va_list ap)
{
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    size_t len = 0;
    char *body = cli_serve_error_body(code, message, &len);
    if (body == NULL)
        return NULL;
    cli_serve_blob *blob = cli_serve_blob_new(status, body, len);
    free(body);
    if (blob != NULL)
        blob->retry_after = retry_after;
    return blob;
}

static cli_serve_blob *error_blob(unsigned status, const char *code, unsigned retry_after,
                                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_serve_blob *blob = verror_blob(status, code, retry_after, fmt, ap);
    va_end(ap);
    return blob;
}

/* An error in the vendor's shape: {"error":CODE,"message":TEXT}. */
static enum MHD_Result send_error(struct MHD_Connection *con, req_log *rl, unsigned status,
                                  const char *code, const char *allow, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

static enum MHD_Result send_error(struct MHD_Connection *con, req_log *rl, unsigned status,
                                  const char *code, const char *allow, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_serve_blob *blob = verror_blob(status, code, 0, fmt, ap);
    va_end(ap);
    if (blob == NULL)
        return MHD_NO;
    return send_blob(con, blob, rl, allow, NULL);
}

/* Computes the answer to a cache miss and caches it: a new reference, or NULL when out of
 * memory. Any thread. */
static cli_serve_blob *compute_answer(cli_server *srv, const cli_serve_file *file,
                                      const cli_serve_query *q, const char *key, size_t key_len)
{
    cli_serve_result res = {0, NULL, 0, 0, 0, "", 0};
    /* The series up to the file (SPEC 5.5), listed again: if it changed since the key was
     * made, the answer is not cached under that key. */
    cli_serve_query with = *q;
    cli_serve_file *owned = NULL;
    if (cli_serve_index_attach(srv->index, file, &with, NULL, 0, &owned) != 0)
        return NULL;
    if (with.series_hash != q->series_hash)
        key_len = 0;
    const int rendered = srv->backend.render(srv->backend.ctx, file, &with, &res);
    free(owned);
    if (rendered != 0)
        return NULL;
    cli_serve_blob *blob = cli_serve_blob_new(res.status, res.body, res.len);
    free(res.body);
    if (blob == NULL)
        return NULL;
    blob->retry_after = res.retry_after;
    /* Cache only what was computed from the identity the key names: a file rewritten while
     * it was being read yields an answer that belongs to no version of it. */
    cli_serve_file after = *file;
    if (key_len > 0 && !res.no_store && cli_serve_file_restat(&after) == 0 &&
        after.ino == file->ino && after.dev == file->dev && after.size == file->size &&
        after.mtime_ns == file->mtime_ns && after.ctime_ns == file->ctime_ns)
        cli_serve_cache_put(srv->cache, key, blob);
    return blob;
}

/* The answer for what the index said other than FOUND, about where (the file or folder the
 * lookup named): a new reference, NULL when out of memory. */
static cli_serve_blob *index_answer(int found, const char *symbol, const cli_serve_file *where)
{
    cli_serve_error e;
    cli_serve_index_error(found, symbol, where, &e);
    return error_blob(e.status, e.code, e.retry_after, "%s", e.message);
}

/* index_answer, with _NONE_AT: 404 no_data naming the instant (SPEC 5.5). */
static cli_serve_blob *when_answer(int found, const cli_serve_query *q, const cli_serve_file *where)
{
    if (found != CLI_SERVE_INDEX_NONE_AT)
        return index_answer(found, q->symbol, where);
    char message[512];
    cli_serve_none_at_message(q, message, sizeof message);
    return error_blob(404, "no_data", 0, "%s", message);
}

/* Sets q->series_hash from the series ending at file (SPEC 5.5); 0, or -1 out of memory. */
static int series_hash(cli_server *srv, const cli_serve_file *file, cli_serve_query *q)
{
    cli_serve_file *owned = NULL;
    const int rc = cli_serve_index_attach(srv->index, file, q, NULL, 0, &owned);
    free(owned);
    q->series = NULL;
    q->n_series = 0;
    q->series_changing = NULL;
    q->vix_file = q->vix_prev = NULL;
    q->has_vix_file = q->has_vix_prev = 0;
    q->vix_trouble = q->vix_prev_trouble = 0;
    for (size_t k = 0; k < GEX__API_MACRO_COUNT; k++) {
        q->macro_file[k] = NULL;
        q->macro_trouble[k] = 0;
    }
    return rc;
}

/* A result as a blob: a new reference, or NULL when out of memory. */
static cli_serve_blob *result_blob(cli_serve_result *res)
{
    cli_serve_blob *blob = cli_serve_blob_new(res->status, res->body, res->len);
    free(res->body);
    res->body = NULL;
    if (blob != NULL)
        blob->retry_after = res->retry_after;
    return blob;
}

/* The answer to q at when from a scan that starts now (waiting for it): the index's error, the
 * cached answer, or one computed here and cached. Sets *file (path "" when none), the cache key
 * (key, *key_len) and *cache ("-", "hit" or "miss"). A new reference, NULL when out of memory.
 * On a render thread. */
static cli_serve_blob *answer_fresh(cli_server *srv, cli_serve_query *q, const cli_serve_when *when,
                                    cli_serve_file *file, char *key, size_t key_size,
                                    size_t *key_len, const char **cache)
{
    *cache = "-";
    *key_len = 0;
    const int found = cli_serve_index_lookup_fresh_when(srv->index, q->symbol, when,
                                                        CLI_SERVE_FRESH_WAIT_MS, file, NULL);
    if (found != CLI_SERVE_INDEX_FOUND) {
        cli_serve_blob *blob = when_answer(found, q, file);
        file->path[0] = '\0'; /* no file answered: no X-Gex-File */
        return blob;
    }
    if (series_hash(srv, file, q) != 0)
        return NULL;
    *key_len = cli_serve_cache_key(file, q, key, key_size);
    cli_serve_blob *blob = *key_len > 0 ? cli_serve_cache_get(srv->cache, key) : NULL;
    if (blob != NULL) {
        *cache = "hit";
        return blob;
    }
    *cache = "miss";
    return compute_answer(srv, file, q, key, *key_len);
}

/* One constituent of a basket or row of the screener (cli_serve_summary_fn): the answer the
 * server would give it now, from the cache or computed (and cached) here, or the index's error. */
static int basket_one(void *ctx, const cli_serve_query *q, cli_serve_result *out)
{
    cli_server *srv = ctx;
    memset(out, 0, sizeof *out);
    cli_serve_when when;
    char message[512];
    cli_serve_blob *blob = NULL;
    cli_serve_file file;
    memset(&file, 0, sizeof file);
    cli_serve_query sq = *q;
    if (cli_serve_query_when(&sq, &when, message, sizeof message) != 0) {
        blob = error_blob(400, "invalid_parameter", 0, "%s", message);
    } else {
        char key[sizeof file.path + 256 + CLI_SERVE_PARAMS_BYTES * 2];
        size_t key_len;
        const char *cache;
        blob = answer_fresh(srv, &sq, &when, &file, key, sizeof key, &key_len, &cache);
    }
    if (blob == NULL)
        return -1;
    out->status = blob->status;
    out->len = blob->len;
    out->body = malloc(blob->len + 1);
    if (out->body != NULL)
        memcpy(out->body, blob->data, blob->len + 1);
    cli_serve_blob_unref(blob);
    return out->body != NULL ? 0 : -1;
}

static int folder_of_index(void *ctx, gex__api_folder *out, cli_serve_file *why)
{
    return cli_serve_index_folder(ctx, CLI_SERVE_FRESH_WAIT_MS, out, why);
}

/* The answer to a basket or screener request (on a render thread): a new reference, NULL out of
 * memory. */
static cli_serve_blob *basket_answer(cli_server *srv, const cli_serve_query *q)
{
    cli_serve_result res = {0, NULL, 0, 0, 0, "", 0};
    const int rc =
        q->endpoint->need == GEX__API_NEED_SCREENER
            ? cli_serve_answer_screener(basket_one, srv, folder_of_index, srv->index, q, &res)
            : cli_serve_answer_basket(basket_one, srv, q, &res);
    if (rc != 0) {
        free(res.body);
        return NULL;
    }
    return result_blob(&res);
}

/* The answer to a request whose file only a new scan of the folder can tell (the one the index
 * knew changed or went, or a file was added): waits for that scan, then answers from the cache
 * or computes. Sets job->file (path "" when none) and job->cache. On a render thread. */
static cli_serve_blob *answer_after_scan(cli_server *srv, render_job *job)
{
    cli_serve_when when;
    char message[512];
    cli_serve_query_when(&job->q, &when, message, sizeof message); /* checked before */
    return answer_fresh(srv, &job->q, &when, &job->file, job->key, sizeof job->key, &job->key_len,
                        &job->cache);
}

static void *render_thread(void *arg)
{
    cli_server *srv = arg;
    for (;;) {
        pthread_mutex_lock(&srv->queue_lock);
        while (srv->head == NULL && !srv->stopping)
            pthread_cond_wait(&srv->queue_ready, &srv->queue_lock);
        render_job *job = srv->head;
        if (job == NULL) { /* stopping, and the queue is done */
            pthread_mutex_unlock(&srv->queue_lock);
            return NULL;
        }
        srv->head = job->next;
        if (srv->head == NULL)
            srv->tail = NULL;
        pthread_mutex_unlock(&srv->queue_lock);
        job->blob = job->basket ? basket_answer(srv, &job->q)
                    : job->lookup
                        ? answer_after_scan(srv, job)
                        : compute_answer(srv, &job->file, &job->q, job->key, job->key_len);
        job->done = 1;
        /* The last touch of the job here: once resumed, the connection's thread owns it. */
        MHD_resume_connection(job->con);
    }
}

/* Queues a job; -1 when the pool is stopping (then the caller computes it itself). */
static int queue_job(cli_server *srv, render_job *job)
{
    pthread_mutex_lock(&srv->queue_lock);
    const int stopping = srv->stopping;
    if (!stopping) {
        job->next = NULL;
        if (srv->tail != NULL)
            srv->tail->next = job;
        else
            srv->head = job;
        srv->tail = job;
        pthread_cond_signal(&srv->queue_ready);
    }
    pthread_mutex_unlock(&srv->queue_lock);
    return stopping ? -1 : 0;
}

typedef struct framing {
    int content_length, transfer_encoding, chunked;
} framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    framing *f = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        f->content_length++;
    if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->transfer_encoding++;
        f->chunked = value != NULL && strcasecmp(value, "chunked") == 0;
    }
    return MHD_YES;
}

/* A request whose body length is ambiguous, which two servers in a chain (a proxy, then gex)
 * could read differently (request smuggling, RFC 9112 section 6.3): Content-Length together
 * with Transfer-Encoding, more than one of either, or a coding other than chunked.
 * libmicrohttpd lets Transfer-Encoding win silently. NULL when the framing is clear. */
static const char *framing_error(struct MHD_Connection *con)
{
    framing f = {0, 0, 0};
    MHD_get_connection_values(con, MHD_HEADER_KIND, count_framing, &f);
    if (f.content_length > 0 && f.transfer_encoding > 0)
        return "Content-Length and Transfer-Encoding together are refused";
    if (f.content_length > 1 || f.transfer_encoding > 1)
        return "a repeated Content-Length or Transfer-Encoding header is refused";
    if (f.transfer_encoding > 0 && !f.chunked)
        return "the only Transfer-Encoding accepted is chunked";
    return NULL;
}

/* Whether a Content-Length value declares more than limit bytes: digits alone (libmicrohttpd
 * has refused any other value before the handler sees it), of any count. */
static int declared_over(const char *value, size_t limit)
{
    size_t v = 0;
    for (const char *c = value; *c >= '0' && *c <= '9'; c++) {
        v = 10 * v + (size_t)(*c - '0');
        if (v > limit)
            return 1;
    }
    return 0;
}

/* Raw NUL bytes in the header lines. libmicrohttpd keeps each line in its buffer, in order, and
 * cuts a name or value at a NUL (its sizes are the C strings'), so a NUL shows only in where the
 * strings lie: one line's value ends, its line end follows (1 or 2 bytes, made NULs), and the
 * next line's name starts. A longer gap is a line that went on after a NUL. Only addresses are
 * compared. The last line has no next one to compare with: a NUL there is not seen (README). */
typedef struct nul_scan {
    uintptr_t prev_end; /* just past the previous string (the version, then each value) */
    int found;
} nul_scan;

static enum MHD_Result find_nul(void *cls, enum MHD_ValueKind kind, const char *key,
                                size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    nul_scan *ns = cls;
    const uintptr_t k = (uintptr_t)key;
    if (ns->prev_end != 0 && k > ns->prev_end && k - ns->prev_end > 2 &&
        k - ns->prev_end < CONNECTION_MEMORY)
        ns->found = 1;
    /* "Name: value": the value starts after the colon and any blanks. */
    const uintptr_t v = (uintptr_t)value;
    if (value != NULL && v > k && v - k - key_size > 1 + 8)
        ns->found = 1; /* not blanks alone between the name and the value: a NUL in the name */
    ns->prev_end = value != NULL ? v + value_size : k + key_size;
    return MHD_YES;
}

/* Whether the request line's target held a raw NUL byte: libmicrohttpd passes the target as a
 * C string, cut at the NUL, but the version follows the whole target (and one space) in its
 * buffer, so the distance between the two is the target's true length. Only addresses are
 * compared; a version elsewhere (or none) tells nothing. */
static int raw_nul_in_target(const req_log *rl, const char *version)
{
    const uintptr_t v = (uintptr_t)version;
    if (rl->uri_at == 0 || v <= rl->uri_at || v - rl->uri_at > CONNECTION_MEMORY)
        return 0;
    return v - rl->uri_at - 1 > rl->target_len;
}

/* How many query parameters are named name: libmicrohttpd's lookup matches names ignoring
 * case, so these are counted so too. */
typedef struct param_count {
    const char *name;
    size_t len, times;
} param_count;

static enum MHD_Result count_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    (void)value;
    (void)value_size;
    param_count *c = cls;
    if (key_size == c->len && strncasecmp(key, c->name, c->len) == 0)
        c->times++;
    return MHD_YES;
}

/* A request's query parameter (cli_serve_param_get): NULL when absent, "" when named without
 * a value ("?expiration"), as gex api reads it (libmicrohttpd gives NULL for both). */
static const char *query_value(void *ctx, const char *name, size_t *times)
{
    param_count c = {name, strlen(name), 0};
    MHD_get_connection_values_n(ctx, MHD_GET_ARGUMENT_KIND, count_param, &c);
    *times = c.times;
    const char *v = NULL;
    size_t len = 0;
    if (MHD_lookup_connection_value_n(ctx, MHD_GET_ARGUMENT_KIND, name, c.len, &v, &len) != MHD_YES)
        return NULL;
    return v != NULL ? v : "";
}

/* What the folder holds (cli_serve_folder_fn). */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    cli_server *srv = cls;
    req_log *rl = *req_cls;
    const int get =
        strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    const int post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    /* The first call has the headers only. Answering then forces libmicrohttpd to close the
     * connection (a body may follow), so a GET waits for the next call and the connection stays
     * open for the client's next request; other methods are refused at once. */
    if (rl != NULL && !rl->headers_seen) {
        rl->headers_seen = 1;
        conn_ctx *cc = ctx_of(con);
        if (cc != NULL)
            atomic_store_explicit(&cc->head_deadline_ns, 0, memory_order_relaxed);
        cli_serve_log_escape(rl->method, sizeof rl->method, method);
        if (rl->nul)
            return send_error(con, rl, MHD_HTTP_BAD_REQUEST, "invalid_parameter", NULL,
                              "the request target holds an encoded NUL byte (%%00)");
        if (raw_nul_in_target(rl, version))
            return send_error(con, rl, MHD_HTTP_BAD_REQUEST, "bad_request", NULL,
                              "the request target holds a NUL byte");
        nul_scan ns = {(uintptr_t)version + strlen(version), 0};
        MHD_get_connection_values_n(con, MHD_HEADER_KIND, find_nul, &ns);
        if (ns.found)
            return send_error(con, rl, MHD_HTTP_BAD_REQUEST, "bad_request", NULL,
                              "a header line holds a NUL byte, or is folded onto the next "
                              "line (obs-fold)");
        const char *ambiguous = framing_error(con);
        if (ambiguous != NULL)
            return send_error(con, rl, MHD_HTTP_BAD_REQUEST, "bad_request", NULL, "%s", ambiguous);
        /* A body declared over the limit is refused before any of it is read: waiting for it
         * would hold the connection (and a thread's share of the server) until its timeout. */
        const char *length =
            MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length != NULL && declared_over(length, CLI_SERVE_BODY_MAX))
            return send_error(con, rl, MHD_HTTP_CONTENT_TOO_LARGE, "payload_too_large", NULL,
                              "the request body is over %d bytes", CLI_SERVE_BODY_MAX);
        if (get || post)
            return MHD_YES;
    } else if (*upload_data_size != 0) {
        /* A body is counted whatever the method, as a declared length is: a GET's is read and
         * ignored, a POST's kept, up to CLI_SERVE_BODY_MAX bytes. */
        if (rl != NULL && !rl->body_too_large) {
            if (rl->body_len + *upload_data_size > CLI_SERVE_BODY_MAX) {
                rl->body_too_large = 1;
            } else if (!post) {
                rl->body_len += *upload_data_size;
            } else {
                char *grown = realloc(rl->body, rl->body_len + *upload_data_size + 1);
                if (grown == NULL)
                    return MHD_NO;
                memcpy(grown + rl->body_len, upload_data, *upload_data_size);
                rl->body_len += *upload_data_size;
                grown[rl->body_len] = '\0';
                rl->body = grown;
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rl != NULL && rl->job != NULL && rl->job->done) {
        /* Resumed: the render pool computed the answer. */
        cli_serve_blob *blob = rl->job->blob;
        rl->job->blob = NULL;
        rl->cache = rl->job->cache;
        if (blob == NULL)
            return send_error(con, rl, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal_error", NULL,
                              "out of memory");
        return send_blob(con, blob, rl, NULL,
                         rl->job->file.path[0] != '\0' ? rl->job->file.path : NULL);
    }

    /* A body that came over the limit without declaring its length (chunked) is refused as
     * one whose Content-Length declared it: before the target is measured or routed, whatever
     * the path (413 to an unknown path or a GET-only endpoint too, as gex api --body). */
    if (rl != NULL && rl->body_too_large)
        return send_error(con, rl, MHD_HTTP_CONTENT_TOO_LARGE, "payload_too_large", NULL,
                          "the request body is over %d bytes", CLI_SERVE_BODY_MAX);
    if (rl != NULL && rl->target_len > CLI_SERVE_URL_MAX)
        return send_error(con, rl, MHD_HTTP_URI_TOO_LONG, "uri_too_long", NULL,
                          "the request target is %zu bytes; at most %d are accepted",
                          rl->target_len, CLI_SERVE_URL_MAX);

    /* The browser dashboard's page and assets, before the API (serve-dashboard.c, SPEC 5.6). */
    const int dashboard =
        cli_serve_dashboard(con, url, method, rl ? &rl->status : NULL, rl ? &rl->bytes : NULL);
    if (dashboard >= 0)
        return (enum MHD_Result)dashboard;

    if (srv->api_key != NULL) {
        /* A key given twice is refused before either is tried, as a repeated query parameter
         * is (cli_serve_query_params): taking the first would be a guess, and a client
         * trying keys would be told which one came first. Neither value is echoed. */
        param_count header = {"X-Api-Key", 9, 0}, query = {"apiKey", 6, 0};
        MHD_get_connection_values_n(con, MHD_HEADER_KIND, count_param, &header);
        MHD_get_connection_values_n(con, MHD_GET_ARGUMENT_KIND, count_param, &query);
        if (header.times > 1)
            return send_error(con, rl, MHD_HTTP_BAD_REQUEST, "bad_request", NULL,
                              "the X-Api-Key header is given %zu times; give it once",
                              header.times);
        if (query.times > 1)
            return send_error(con, rl, MHD_HTTP_BAD_REQUEST, "invalid_parameter", NULL,
                              "apiKey is given %zu times in the query; give it once", query.times);
        const char *key = NULL;
        size_t key_len = 0;
        if (MHD_lookup_connection_value_n(con, MHD_HEADER_KIND, "X-Api-Key", 9, &key, &key_len) !=
            MHD_YES)
            MHD_lookup_connection_value_n(con, MHD_GET_ARGUMENT_KIND, "apiKey", 6, &key, &key_len);
        /* A key holding a NUL byte is not the key, whatever precedes the NUL. */
        if (key != NULL && strlen(key) != key_len)
            key = "";
        if (!cli_serve_key_equal(key, srv->api_key))
            return send_error(con, rl, MHD_HTTP_UNAUTHORIZED, "unauthorized", NULL, "%s",
                              key == NULL ? "an API key is required: send it in the X-Api-Key "
                                            "header"
                                          : "the API key is not valid");
    }

    cli_serve_query q;
    cli_serve_error qe;
    /* Routed on the path as received (libmicrohttpd's url is decoded whole, %2F made a '/'). */
    if (rl == NULL)
        return send_error(con, rl, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal_error", NULL,
                          "out of memory");
    if (cli_serve_prepare(get ? "GET" : method, rl->path, query_value, con, &q, &qe) != 0)
        return send_error(con, rl, qe.status, qe.code, qe.allow, "%s", qe.message);
    if (post && rl != NULL) {
        q.body = rl->body != NULL ? rl->body : "";
        q.body_len = rl->body_len;
    }
    if (q.endpoint->need == GEX__API_NEED_BASKET || q.endpoint->need == GEX__API_NEED_SCREENER) {
        /* Several files: on a render thread, each constituent's answer cached as its own. */
        if (rl != NULL)
            rl->cache = "-";
        render_job *job = rl != NULL ? calloc(1, sizeof *job) : NULL;
        if (job == NULL) {
            cli_serve_blob *blob = basket_answer(srv, &q);
            if (blob == NULL)
                return send_error(con, rl, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal_error", NULL,
                                  "out of memory");
            return send_blob(con, blob, rl, NULL, NULL);
        }
        job->con = con;
        job->q = q;
        job->basket = 1;
        job->cache = "-";
        rl->job = job;
        MHD_suspend_connection(con);
        if (queue_job(srv, job) != 0) { /* stopping: computed here */
            job->blob = basket_answer(srv, &job->q);
            job->done = 1;
            MHD_resume_connection(con);
        }
        return MHD_YES;
    }
    if (q.endpoint->need != GEX__API_NEED_ANALYSIS && q.endpoint->need != GEX__API_NEED_SERIES) {
        /* Answers that read no chain file: computed here, never cached (they are cheap, or
         * they describe the folder as it is now). */
        cli_serve_result res = {0, NULL, 0, 0, 0, "", 0};
        cli_serve_blob *blob = cli_serve_answer_direct(folder_of_index, srv->index, &q, &res) == 0
                                   ? result_blob(&res)
                                   : NULL;
        if (blob == NULL)
            return send_error(con, rl, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal_error", NULL,
                              "out of memory");
        return send_blob(con, blob, rl, NULL, NULL);
    }

    /* The instant asked (at=, date=; SPEC 5.5). */
    cli_serve_when when;
    char when_text[512];
    if (cli_serve_query_when(&q, &when, when_text, sizeof when_text) != 0)
        return send_error(con, rl, MHD_HTTP_BAD_REQUEST, "invalid_parameter", NULL, "%s",
                          when_text);
    /* The index as its last scan left it: a polling thread never waits for a scan. */
    cli_serve_file file;
    memset(&file, 0, sizeof file);
    const int found = cli_serve_index_lookup_when(srv->index, q.symbol, &when, &file, NULL);
    if (found != CLI_SERVE_INDEX_FOUND && found != CLI_SERVE_INDEX_STALE) {
        cli_serve_blob *answer = when_answer(found, &q, &file);
        if (answer == NULL)
            return MHD_NO;
        return send_blob(con, answer, rl, NULL, NULL);
    }
    if (found == CLI_SERVE_INDEX_FOUND && series_hash(srv, &file, &q) != 0)
        return send_error(con, rl, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal_error", NULL,
                          "out of memory");

    char key[sizeof file.path + 256];
    size_t key_len = 0;
    if (found == CLI_SERVE_INDEX_FOUND) {
        key_len = cli_serve_cache_key(&file, &q, key, sizeof key);
        cli_serve_blob *blob = key_len > 0 ? cli_serve_cache_get(srv->cache, key) : NULL;
        if (blob != NULL) {
            if (rl != NULL)
                rl->cache = "hit";
            return send_blob(con, blob, rl, NULL, file.path);
        }
    }
    if (rl != NULL)
        rl->cache = "miss";
    render_job *job = rl != NULL ? calloc(1, sizeof *job) : NULL;
    if (job == NULL) { /* computed here, on the polling thread (out of memory) */
        cli_serve_blob *blob = NULL;
        if (found == CLI_SERVE_INDEX_FOUND) {
            blob = compute_answer(srv, &file, &q, key, key_len);
        } else {
            const int again = cli_serve_index_lookup_fresh_when(
                srv->index, q.symbol, &when, CLI_SERVE_FRESH_WAIT_MS, &file, NULL);
            blob = again == CLI_SERVE_INDEX_FOUND && series_hash(srv, &file, &q) == 0
                       ? compute_answer(srv, &file, &q, key,
                                        cli_serve_cache_key(&file, &q, key, sizeof key))
                       : when_answer(again, &q, &file);
            if (again != CLI_SERVE_INDEX_FOUND)
                file.path[0] = '\0'; /* no file answered: no X-Gex-File */
        }
        if (blob == NULL)
            return send_error(con, rl, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal_error", NULL,
                              "out of memory");
        return send_blob(con, blob, rl, NULL, file.path[0] != '\0' ? file.path : NULL);
    }
    job->con = con;
    job->file = file;
    job->q = q;
    job->lookup = found == CLI_SERVE_INDEX_STALE;
    job->cache = "miss";
    if (key_len > 0)
        memcpy(job->key, key, key_len + 1 <= sizeof job->key ? key_len + 1 : sizeof job->key);
    job->key_len = key_len;
    rl->job = job;
    /* Suspended before it is queued, so that the render thread never resumes a connection
     * that is not yet suspended. */
    MHD_suspend_connection(con);
    if (queue_job(srv, job) != 0) { /* stopping: computed here */
        job->blob = job->lookup ? answer_after_scan(srv, job)
                                : compute_answer(srv, &file, &q, key, key_len);
        job->done = 1;
        MHD_resume_connection(con);
    }
    return MHD_YES;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    cli_server *srv = cls;
    char text[512];
    vsnprintf(text, sizeof text, fmt, ap);
    /* "Error processing request (HTTP response code is 414 (...)). Closing connection." */
    const char *code = strstr(text, "HTTP response code is ");
    unsigned status = 0;
    if (code != NULL && sscanf(code + 22, "%u", &status) == 1 && status >= 400 && status < 600)
        mhd_pending_put(srv, status);
    if (srv->log == NULL)
        return;
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    fprintf(srv->log, "gex serve: %s\n", text);
}

void cli_server_stop(cli_server *server)
{
    if (server == NULL)
        return;
    /* The render threads finish the queued jobs (resuming their connections) and end; jobs
     * arriving meanwhile are computed by the polling threads. Then the daemon stops, with no
     * connection left suspended. */
    pthread_mutex_lock(&server->queue_lock);
    server->stopping = 1;
    pthread_cond_broadcast(&server->queue_ready);
    pthread_mutex_unlock(&server->queue_lock);
    for (unsigned i = 0; i < server->n_renderers; i++)
        pthread_join(server->renderers[i], NULL);
    free(server->renderers);
    if (server->watchdog_running) {
        pthread_mutex_lock(&server->conns_lock);
        server->watchdog_stop = 1;
        pthread_cond_signal(&server->watchdog_wake);
        pthread_mutex_unlock(&server->conns_lock);
        pthread_join(server->watchdog, NULL);
    }
    /* Closes every connection: each record is logged (when a request was open) and freed. */
    if (server->daemon != NULL)
        MHD_stop_daemon(server->daemon);
    pthread_cond_destroy(&server->queue_ready);
    pthread_mutex_destroy(&server->queue_lock);
    pthread_cond_destroy(&server->watchdog_wake);
    pthread_mutex_destroy(&server->conns_lock);
    cli_serve_index_free(server->index);
    cli_serve_cache_free(server->cache);
    free(server->pending);
    free(server->api_key);
    free(server->dir);
    free(server);
}

unsigned cli_server_port(const cli_server *server)
{
    return server->port;
}

void cli_server_cache_stats(cli_server *server, cli_serve_cache_stats *out)
{
    cli_serve_cache_get_stats(server->cache, out);
}

size_t cli_server_open_connections(cli_server *server)
{
    pthread_mutex_lock(&server->conns_lock);
    const size_t n = server->n_conns;
    pthread_mutex_unlock(&server->conns_lock);
    return n;
}

int cli_server_start(const cli_serve_config *cfg, cli_server **out, char *text, size_t text_size)
{
    *out = NULL;
    const char *bind = cfg->bind != NULL ? cfg->bind : "127.0.0.1";
    if (cfg->port > 65535) {
        snprintf(text, text_size, "port %u is out of range (0 to 65535)", cfg->port);
        return -1;
    }
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    if (inet_pton(AF_INET, bind, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)cfg->port);
        sa = (const struct sockaddr *)&sin;
    } else if (inet_pton(AF_INET6, bind, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((uint16_t)cfg->port);
        sa = (const struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(text, text_size, "--bind %s is not an IPv4 or IPv6 address", bind);
        return -1;
    }
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL;

    cli_server *srv = calloc(1, sizeof *srv);
    if (srv == NULL) {
        snprintf(text, text_size, "out of memory");
        return -1;
    }
    pthread_mutex_init(&srv->queue_lock, NULL);
    pthread_cond_init(&srv->queue_ready, NULL);
    pthread_mutex_init(&srv->conns_lock, NULL);
    pthread_condattr_t monotonic;
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->watchdog_wake, &monotonic);
    pthread_condattr_destroy(&monotonic);
    srv->head_timeout_ns = (int64_t)cfg->timeout_seconds * 1000000000LL;
    srv->backend = cfg->backend;
    srv->log = cfg->access_log;
    srv->dir = strdup(cfg->dir);
    srv->api_key = cfg->api_key != NULL ? strdup(cfg->api_key) : NULL;
    srv->index =
        cli_serve_index_new_dated(cfg->dir, &cfg->backend, cfg->access_log, cfg->now_from_mtime);
    srv->cache = cli_serve_cache_new(cfg->cache_entries, cfg->cache_bytes);
    if (srv->dir == NULL || (cfg->api_key != NULL && srv->api_key == NULL) || srv->index == NULL ||
        srv->cache == NULL) {
        cli_server_stop(srv);
        snprintf(text, text_size, "out of memory");
        return -1;
    }

    unsigned threads = cfg->threads;
    if (threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus > 0 ? (unsigned)cpus : 1;
    }
    /* As many render threads as polling threads: the computations use every CPU. */
    srv->renderers = calloc(threads, sizeof *srv->renderers);
    srv->pending = calloc(threads, sizeof *srv->pending);
    srv->n_pending = srv->pending != NULL ? threads : 0;
    if (srv->renderers == NULL || srv->pending == NULL) {
        cli_server_stop(srv);
        snprintf(text, text_size, "out of memory");
        return -1;
    }
    for (; srv->n_renderers < threads; srv->n_renderers++) {
        if (pthread_create(&srv->renderers[srv->n_renderers], NULL, render_thread, srv) != 0) {
            snprintf(text, text_size, "cannot start the render threads");
            cli_server_stop(srv);
            return -1;
        }
    }
    errno = 0;
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, srv, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->timeout_seconds, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)LISTEN_BACKLOG,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_client, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, srv, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_UNESCAPE_CALLBACK,
        on_unescape, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        int e = errno;
        snprintf(text, text_size, "cannot listen on %s port %u%s%s", bind, cfg->port,
                 e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
        cli_server_stop(srv);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di != NULL && di->port != 0 ? di->port : cfg->port;
    if (srv->head_timeout_ns > 0) {
        if (pthread_create(&srv->watchdog, NULL, watchdog_thread, srv) != 0) {
            snprintf(text, text_size, "cannot start the watchdog thread");
            cli_server_stop(srv);
            return -1;
        }
        srv->watchdog_running = 1;
    }
    *out = srv;
    return 0;
}
