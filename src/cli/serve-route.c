/*
 * gex serve: the request side that needs no network. Paths and query parameters are validated
 * here, before anything touches the folder: a symbol only ever selects an entry of the index
 * built from DIR, it is never joined to a path.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gex/time.h"
#include "serve-internal.h"

int cli_serve_route(const char *method, const char *path, cli_serve_query *q, int *symbol_ok)
{
    int method_ok = 1;
    q->endpoint = gex__api_route(method, path, q->symbol, sizeof q->symbol, symbol_ok, &method_ok);
    if (q->endpoint == NULL)
        return CLI_SERVE_ROUTE_NOT_FOUND;
    return method_ok ? CLI_SERVE_ROUTE_OK : CLI_SERVE_ROUTE_METHOD;
}

static int two_digits(const char *s)
{
    return isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]);
}

int cli_serve_parse_expiration(const char *value, cli_serve_query *q)
{
    q->expiration[0] = '\0';
    if (value == NULL)
        return 0;
    if (strcasecmp(value, "0dte") == 0) {
        strcpy(q->expiration, "0dte");
        return 0;
    }
    /* The vendor's documented form, yyyy-MM-dd, and only real calendar dates. */
    if (strlen(value) != 10 || value[4] != '-' || value[7] != '-' || !two_digits(value) ||
        !two_digits(value + 2) || !two_digits(value + 5) || !two_digits(value + 8))
        return -1;
    int year = atoi(value), month = atoi(value + 5), day = atoi(value + 8);
    if (!gex_time_valid_date(year, month, day))
        return -1;
    memcpy(q->expiration, value, 11);
    return 0;
}

int cli_serve_parse_min_oi(const char *value, cli_serve_query *q)
{
    q->min_oi[0] = '\0';
    if (value == NULL)
        return 0;
    /* Digits with at most one decimal point: no sign, exponent, hex, inf or nan, so the value
     * is exactly what the command line's --min-oi receives. Leading zeros are dropped so that
     * "0100" and "100" share a cache entry. */
    size_t len = strlen(value);
    if (len == 0 || len >= sizeof q->min_oi)
        return -1;
    int digits = 0, points = 0;
    for (size_t i = 0; i < len; i++) {
        if (isdigit((unsigned char)value[i]))
            digits++;
        else if (value[i] == '.')
            points++;
        else
            return -1;
    }
    if (digits == 0 || points > 1)
        return -1;
    while (value[0] == '0' && isdigit((unsigned char)value[1]))
        value++;
    strcpy(q->min_oi, value);
    return 0;
}

/* Whether name is in the comma-separated list. */
static int declared(const char *list, const char *name, size_t len)
{
    for (const char *p = list; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, ",");
        if (n == len && memcmp(p, name, len) == 0)
            return 1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

unsigned cli_serve_query_params(cli_serve_query *q, cli_serve_param_get get, void *ctx, char *code,
                                size_t code_size, char *message, size_t message_size)
{
    const char *list = q->endpoint->params;
    q->expiration[0] = '\0';
    q->min_oi[0] = '\0';
    q->n_params = 0;
    size_t used = 0;
    char shown[64];
    size_t times = 0;
    /* Every parameter the endpoint reads once at most, whatever its value. */
    for (const char *p = list; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, ",");
        char name[64];
        if (n < sizeof name) {
            memcpy(name, p, n);
            name[n] = '\0';
            get(ctx, name, &times);
            if (times > 1) {
                snprintf(code, code_size, "invalid_parameter");
                snprintf(message, message_size, "%s is given %zu times in the query; give it once",
                         name, times);
                return 400;
            }
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (declared(list, "expiration", 10)) {
        const char *exp = get(ctx, "expiration", &times);
        if (cli_serve_parse_expiration(exp, q) != 0) {
            cli_serve_log_escape(shown, sizeof shown, exp);
            snprintf(code, code_size, "invalid_expiry");
            snprintf(message, message_size, "expiration '%s' is not a date yyyy-MM-dd or 0dte",
                     shown);
            return 400;
        }
    }
    if (declared(list, "min_oi", 6)) {
        const char *min_oi = get(ctx, "min_oi", &times);
        if (cli_serve_parse_min_oi(min_oi, q) != 0) {
            cli_serve_log_escape(shown, sizeof shown, min_oi);
            snprintf(code, code_size, "invalid_parameter");
            snprintf(message, message_size, "min_oi '%s' is not a non-negative number of contracts",
                     shown);
            return 400;
        }
    }
    /* The others, as given: their builders validate them. */
    for (const char *p = list; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, ",");
        char name[64];
        if (n < sizeof name && !(n == 10 && memcmp(p, "expiration", 10) == 0) &&
            !(n == 6 && memcmp(p, "min_oi", 6) == 0)) {
            memcpy(name, p, n);
            name[n] = '\0';
            const char *value = get(ctx, name, &times);
            if (value != NULL) {
                size_t len = strlen(value);
                if (q->n_params == CLI_SERVE_PARAMS_MAX || used + n + len + 2 > sizeof q->values) {
                    snprintf(code, code_size, "invalid_parameter");
                    snprintf(message, message_size,
                             "the parameters are too long: at most %d bytes of values",
                             CLI_SERVE_PARAMS_BYTES / 2);
                    return 400;
                }
                /* the name, then the value, each NUL-terminated, in values */
                memcpy(q->values + used, name, n + 1);
                q->name_at[q->n_params] = used;
                used += n + 1;
                q->value_at[q->n_params++] = used;
                memcpy(q->values + used, value, len + 1);
                used += len + 1;
            }
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

void cli_serve_query_api_params(const cli_serve_query *q, gex__api_params *out)
{
    out->n = 0;
    if (q->expiration[0] != '\0') {
        out->name[out->n] = "expiration";
        out->value[out->n++] = q->expiration;
    }
    if (q->min_oi[0] != '\0') {
        out->name[out->n] = "min_oi";
        out->value[out->n++] = q->min_oi;
    }
    for (size_t i = 0; i < q->n_params && out->n < GEX__API_PARAM_MAX; i++) {
        out->name[out->n] = q->values + q->name_at[i];
        out->value[out->n++] = q->values + q->value_at[i];
    }
}

int cli_serve_key_equal(const char *offered, const char *expected)
{
    if (offered == NULL || expected == NULL)
        return 0;
    size_t lo = strlen(offered), le = strlen(expected);
    /* Every byte of the expected key is visited whatever the offer, so the time taken does
     * not tell an attacker how long a matching prefix is. */
    unsigned char diff = (unsigned char)(lo != le);
    for (size_t i = 0; i < le; i++) {
        unsigned char o = i < lo ? (unsigned char)offered[i] : 0;
        diff |= (unsigned char)(o ^ (unsigned char)expected[i]);
    }
    return diff == 0;
}

/* Appends s to buf as the inside of a JSON string (RFC 8259 section 7). */
static size_t json_escape(char *buf, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c < 0x20) {
            buf[n++] = '\\';
            buf[n++] = 'u';
            buf[n++] = '0';
            buf[n++] = '0';
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 15];
        } else {
            buf[n++] = (char)c;
        }
    }
    return n;
}

char *cli_serve_error_body(const char *code, const char *message, size_t *len)
{
    /* Worst case every byte becomes a six-byte \u00XX escape. */
    size_t cap = 32 + 6 * (strlen(code) + strlen(message));
    char *buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    size_t n = 0;
    memcpy(buf + n, "{\"error\":\"", 10);
    n += 10;
    n += json_escape(buf + n, code);
    memcpy(buf + n, "\",\"message\":\"", 13);
    n += 13;
    n += json_escape(buf + n, message);
    memcpy(buf + n, "\"}", 3);
    n += 2;
    *len = n;
    return buf;
}

/* ---- what the access log shows of a request ---- */

/* A bounded string being written for the log: bytes past the bound are dropped and "..."
 * marks the cut. */
typedef struct log_text {
    char *dst;
    size_t size, n;
    int cut;
} log_text;

static void put_escaped(log_text *t, const char *src, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len && !t->cut; i++) {
        unsigned char c = (unsigned char)src[i];
        int escape = c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
        if (t->n + (escape ? 4 : 1) + 4 > t->size) {
            t->cut = 1;
            break;
        }
        if (escape) {
            t->dst[t->n++] = '\\';
            t->dst[t->n++] = 'x';
            t->dst[t->n++] = hex[c >> 4];
            t->dst[t->n++] = hex[c & 15];
        } else {
            t->dst[t->n++] = (char)c;
        }
    }
}

static void finish_text(log_text *t)
{
    if (t->cut) {
        memcpy(t->dst + t->n, "...", 3);
        t->n += 3;
    }
    t->dst[t->n] = '\0';
}

void cli_serve_log_escape(char *dst, size_t size, const char *src)
{
    log_text t = {dst, size, 0, 0};
    put_escaped(&t, src, strlen(src));
    finish_text(&t);
}

/* Whether a query parameter's name, as received, is the API key's: libmicrohttpd decodes names
 * ('+' and %XX) and matches them ignoring case, so "APIKEY" and "api%4Bey" carry the key too. */
static int is_key_name(const char *name, size_t len)
{
    static const char key[] = "apikey";
    size_t k = 0;
    for (size_t i = 0; i < len; i++, k++) {
        int c = (unsigned char)name[i];
        if (c == '%' && i + 2 < len && gex__api_hex_digit(name[i + 1]) >= 0 &&
            gex__api_hex_digit(name[i + 2]) >= 0) {
            c = gex__api_hex_digit(name[i + 1]) * 16 + gex__api_hex_digit(name[i + 2]);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (k >= sizeof key - 1 || tolower(c) != key[k])
            return 0;
    }
    return k == sizeof key - 1;
}

/* The request target for the log, with the value of every API key parameter replaced by
 * "REDACTED": a key must never reach a log file. Split as libmicrohttpd splits it: the query
 * after the first '?', parameters at '&', the name up to the first '='. */
void cli_serve_log_target(char *dst, size_t size, const char *uri)
{
    log_text t = {dst, size, 0, 0};
    const char *query = strchr(uri, '?');
    if (query == NULL) {
        put_escaped(&t, uri, strlen(uri));
        finish_text(&t);
        return;
    }
    put_escaped(&t, uri, (size_t)(query - uri) + 1);
    for (const char *p = query + 1;;) {
        const char *amp = strchr(p, '&');
        const size_t seg = amp != NULL ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', seg);
        const size_t name_len = eq != NULL ? (size_t)(eq - p) : seg;
        if (eq != NULL && is_key_name(p, name_len)) {
            put_escaped(&t, p, name_len + 1);
            put_escaped(&t, "REDACTED", 8);
        } else {
            put_escaped(&t, p, seg);
        }
        if (amp == NULL)
            break;
        put_escaped(&t, "&", 1);
        p = amp + 1;
    }
    finish_text(&t);
}
