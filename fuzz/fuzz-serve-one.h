/*
 * One fuzz input through the server's request parsing, shared by the libFuzzer target
 * (fuzz/fuzz-serve-request.c) and the replay of its corpus and findings in the suite
 * (tests/test-serve-fuzz.c).
 *
 * The input is up to five fields separated by '\n' (a NUL ends a field early, as C strings
 * given by libmicrohttpd do): a path as received (percent-encoded), an expiration value, a min_oi
 * value, a raw request target, an offered API key. Each goes through its parser
 * (src/cli/serve-route.c), and each result is checked against what the parser promises,
 * computed independently here:
 *   route        OK for /v1/exposure/KIND/SYMBOL with KIND a command and SYMBOL non-empty
 *                without '/'; any route has the pattern's segments, split at the literal '/'
 *                and each decoded (%XX) then; a symbol kept only when its decoded segment is
 *                1-15 characters of [A-Za-z0-9.-_^] (an encoded '/' in it is no ticker's)
 *   expiration   accepted only as "0dte" (any case) or a real calendar date YYYY-MM-DD, kept
 *                canonical
 *   min_oi       accepted only as digits with at most one '.', kept with the same value
 *   log target   NUL-terminated, no control byte, quote or backslash unescaped, within its
 *                size; every parameter named apiKey once decoded shows REDACTED; a printable
 *                target without one is kept unless cut
 *   error body   {"error":"...","message":"..."} that jansson reads back to the same strings
 *                (when they are UTF-8)
 *   key          equal exactly when the strings are
 * Returns 0, or a number naming the broken promise.
 */
#ifndef GEX_FUZZ_SERVE_ONE_H
#define GEX_FUZZ_SERVE_ONE_H

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../src/cli/serve-internal.h"

#define GEX_FUZZ_SERVE_FIELD_MAX 4096

/* Field i of data (split at '\n') into out, cut at a NUL or the bound. */
static inline void gex_fuzz_serve_field(const uint8_t *data, size_t size, int i, char *out)
{
    size_t at = 0;
    for (int k = 0; k < i && at <= size; k++) {
        while (at < size && data[at] != '\n')
            at++;
        at++;
    }
    size_t n = 0;
    while (at < size && data[at] != '\n' && data[at] != '\0' && n < GEX_FUZZ_SERVE_FIELD_MAX - 1)
        out[n++] = (char)data[at++];
    out[n] = '\0';
}

static inline int gex_fuzz_serve_symbol_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '^';
}

/* Decodes the len bytes of a path segment (%XX with two hex digits; any other '%' kept) into
 * out; returns the decoded length. */
static inline size_t gex_fuzz_serve_decode(const char *seg, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (seg[i] == '%' && i + 2 < len && isxdigit((unsigned char)seg[i + 1]) &&
            isxdigit((unsigned char)seg[i + 2])) {
            const char hex[3] = {seg[i + 1], seg[i + 2], '\0'};
            out[n++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            out[n++] = seg[i];
        }
    }
    return n;
}

static inline int gex_fuzz_serve_route(const char *path)
{
    static const char *const kinds[] = {"gex", "dex", "vex", "chex", "levels", "summary"};
    cli_serve_query q;
    memset(&q, 0, sizeof q);
    int symbol_ok = -1;
    int rc = cli_serve_route("GET", path, &q, &symbol_ok);
    /* The six exposure endpoints gex has always served, expected from the path alone. */
    int want_kind = -1;
    const char *sym = NULL;
    if (strncmp(path, "/v1/exposure/", 13) == 0) {
        for (int k = 0; k < 6; k++) {
            size_t n = strlen(kinds[k]);
            if (strncmp(path + 13, kinds[k], n) == 0 && path[13 + n] == '/') {
                want_kind = k;
                sym = path + 13 + n + 1;
            }
        }
    }
    int want_route = want_kind >= 0 && sym[0] != '\0' && strchr(sym, '/') == NULL;
    if (want_route && rc != CLI_SERVE_ROUTE_OK)
        return 1;
    if (rc == CLI_SERVE_ROUTE_NOT_FOUND)
        return q.endpoint == NULL ? 0 : 6;
    if (rc != CLI_SERVE_ROUTE_OK)
        return rc == CLI_SERVE_ROUTE_METHOD && strcmp(q.endpoint->method, "GET") != 0 ? 0 : 1;
    if (want_route) {
        char pattern[64];
        snprintf(pattern, sizeof pattern, "/v1/exposure/%s/{symbol}", kinds[want_kind]);
        if (strcmp(q.endpoint->path, pattern) != 0)
            return 2;
    }
    /* Any route: the pattern's segments, each compared with the path's decoded one; the
     * symbol is the decoded segment where the pattern has {symbol}. */
    const char *pat = q.endpoint->path, *at = path;
    int symbol_seen = 0, want_ok = 1;
    char text[GEX_FUZZ_SERVE_FIELD_MAX];
    for (;;) {
        const size_t plen = strcspn(pat, "/"), len = strcspn(at, "/");
        const size_t n = gex_fuzz_serve_decode(at, len, text);
        if (plen == 8 && strncmp(pat, "{symbol}", 8) == 0) {
            if (len == 0)
                return 9;
            symbol_seen = 1;
            want_ok = n <= CLI_SERVE_SYMBOL_MAX;
            for (size_t i = 0; want_ok && i < n; i++)
                want_ok = gex_fuzz_serve_symbol_char((unsigned char)text[i]);
            if (symbol_ok != want_ok)
                return 3;
            if (want_ok && (strlen(q.symbol) != n || memcmp(q.symbol, text, n) != 0))
                return 4;
        } else if (n != plen || memcmp(text, pat, plen) != 0) {
            return 8;
        }
        pat += plen;
        at += len;
        if (*pat == '\0' || *at == '\0') {
            if (*pat != '\0' || *at != '\0')
                return 9;
            break;
        }
        pat++;
        at++;
    }
    if (!symbol_seen)
        return symbol_ok == 1 && q.symbol[0] == '\0' ? 0 : 7;
    if (!want_ok && q.symbol[0] != '\0')
        return 5;
    return 0;
}

static inline int gex_fuzz_serve_expiration(const char *v)
{
    cli_serve_query q;
    memset(&q, 0x5a, sizeof q);
    int rc = cli_serve_parse_expiration(v, &q);
    if (strcasecmp(v, "0dte") == 0)
        return rc == 0 && strcmp(q.expiration, "0dte") == 0 ? 0 : 10;
    int shape = strlen(v) == 10 && v[4] == '-' && v[7] == '-';
    for (int i = 0; shape && i < 10; i++)
        shape = i == 4 || i == 7 || (v[i] >= '0' && v[i] <= '9');
    int valid = 0;
    if (shape) {
        static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int y = atoi(v), m = atoi(v + 5), d = atoi(v + 8);
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        valid = m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap);
    }
    if (valid)
        return rc == 0 && strcmp(q.expiration, v) == 0 ? 0 : 11;
    return rc == -1 && q.expiration[0] == '\0' ? 0 : 12;
}

static inline int gex_fuzz_serve_min_oi(const char *v)
{
    cli_serve_query q;
    memset(&q, 0x5a, sizeof q);
    int rc = cli_serve_parse_min_oi(v, &q);
    size_t len = strlen(v);
    int digits = 0, points = 0, other = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] >= '0' && v[i] <= '9')
            digits++;
        else if (v[i] == '.')
            points++;
        else
            other++;
    }
    int want = len > 0 && len < sizeof q.min_oi && digits > 0 && points <= 1 && other == 0;
    if (!want)
        return rc == -1 && q.min_oi[0] == '\0' ? 0 : 20;
    if (rc != 0)
        return 21;
    for (const char *c = q.min_oi; *c != '\0'; c++)
        if (!(*c == '.' || (*c >= '0' && *c <= '9')))
            return 22;
    return strtod(q.min_oi, NULL) == strtod(v, NULL) ? 0 : 23;
}

static inline int gex_fuzz_serve_hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* How many parameters of the target's query carry a value and are named apiKey once their name
 * is decoded as libmicrohttpd decodes it ('+' is a space, %XX a byte), in any case. */
static inline size_t gex_fuzz_serve_key_params(const char *target)
{
    const char *q = strchr(target, '?');
    size_t n = 0;
    for (const char *p = q != NULL ? q + 1 : NULL; p != NULL;) {
        const char *amp = strchr(p, '&');
        const char *end = amp != NULL ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq != NULL) {
            char name[64];
            size_t k = 0;
            for (const char *c = p; c < eq && k < sizeof name - 1; c++) {
                if (*c == '%' && eq - c > 2 && gex_fuzz_serve_hex(c[1]) >= 0 &&
                    gex_fuzz_serve_hex(c[2]) >= 0) {
                    name[k++] = (char)(gex_fuzz_serve_hex(c[1]) * 16 + gex_fuzz_serve_hex(c[2]));
                    c += 2;
                } else {
                    name[k++] = *c == '+' ? ' ' : *c;
                }
            }
            name[k] = '\0';
            n += k == 6 && strcasecmp(name, "apikey") == 0;
        }
        p = amp != NULL ? amp + 1 : NULL;
    }
    return n;
}

static inline size_t gex_fuzz_serve_count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static inline int gex_fuzz_serve_log_target(const char *target)
{
    char out[256];
    memset(out, 0x7f, sizeof out);
    cli_serve_log_target(out, sizeof out, target);
    size_t n = strnlen(out, sizeof out);
    if (n == sizeof out)
        return 30; /* not terminated within its size */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 || c >= 0x7f || c == '"')
            return 31;
        if (c == '\\' && (i + 1 >= n || out[i + 1] != 'x'))
            return 32;
    }
    int cut = n >= 3 && strcmp(out + n - 3, "...") == 0;
    if (!cut && gex_fuzz_serve_count(out, "=REDACTED") < gex_fuzz_serve_key_params(target))
        return 33;
    /* Printable targets without a key are kept as they are. */
    int plain = gex_fuzz_serve_key_params(target) == 0;
    for (const char *c = target; plain && *c != '\0'; c++)
        plain = *c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\';
    if (plain && !cut && strcmp(out, target) != 0)
        return 34;
    return 0;
}

static inline int gex_fuzz_serve_error_body(const char *code, const char *message)
{
    size_t len = 0;
    char *body = cli_serve_error_body(code, message, &len);
    if (body == NULL)
        return 0; /* out of memory is not a finding */
    int bad = strlen(body) != len ? 40 : 0;
    for (size_t i = 0; i < len && !bad; i++)
        if ((unsigned char)body[i] < 0x20)
            bad = 41;
    json_t *utf8_code = json_string(code), *utf8_message = json_string(message);
    if (!bad && utf8_code != NULL && utf8_message != NULL) {
        json_error_t err;
        json_t *doc = json_loadb(body, len, 0, &err);
        const char *c = doc != NULL ? json_string_value(json_object_get(doc, "error")) : NULL;
        const char *m = doc != NULL ? json_string_value(json_object_get(doc, "message")) : NULL;
        if (c == NULL || m == NULL || strcmp(c, code) != 0 || strcmp(m, message) != 0 ||
            json_object_size(doc) != 2)
            bad = 42;
        json_decref(doc);
    }
    json_decref(utf8_code);
    json_decref(utf8_message);
    free(body);
    return bad;
}

static inline int gex_fuzz_serve_one(const uint8_t *data, size_t size)
{
    char f[5][GEX_FUZZ_SERVE_FIELD_MAX];
    for (int i = 0; i < 5; i++)
        gex_fuzz_serve_field(data, size, i, f[i]);
    int bad = gex_fuzz_serve_route(f[0]);
    if (!bad)
        bad = gex_fuzz_serve_expiration(f[1]);
    if (!bad)
        bad = gex_fuzz_serve_min_oi(f[2]);
    if (!bad)
        bad = gex_fuzz_serve_log_target(f[3]);
    if (!bad)
        bad = gex_fuzz_serve_error_body(f[0], f[3]);
    if (!bad && cli_serve_key_equal(f[4], f[1]) != (strcmp(f[4], f[1]) == 0))
        bad = 50;
    if (!bad && cli_serve_key_equal(NULL, f[1]) != 0)
        bad = 51;
    return bad;
}

#endif /* GEX_FUZZ_SERVE_ONE_H */
