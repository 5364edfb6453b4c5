/*
 * api.c: the table of the vendor's endpoints gex answers (SPEC 5.1), the routing of a path to
 * its row, and the builders of the exposure documents the command line already prints. The
 * builders of the other endpoints live in api-*.c, a file per family; their rows are here, so
 * that the table reads as the list of what gex serves.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

const char *gex__api_param(const gex__api_params *p, const char *name)
{
    if (p == NULL)
        return NULL;
    for (size_t i = p->n; i-- > 0;) {
        if (strcmp(p->name[i], name) == 0)
            return p->value[i];
    }
    return NULL;
}

json_t *gex__api_fail(gex__api_answer *ans, unsigned status, const char *code, const char *fmt, ...)
{
    ans->status = status;
    snprintf(ans->code, sizeof ans->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ans->message, sizeof ans->message, fmt, ap);
    va_end(ap);
    return NULL;
}

/* The documents of the six endpoints gex has answered from the start: byte for byte what
 * `gex KIND --format json` prints. */
static json_t *exposure_doc(gex__doc doc, const gex__api_input *in, gex__api_answer *ans)
{
    json_t *d = gex__document(doc, in->analysis);
    if (d == NULL)
        return gex__api_fail(ans, 500, "internal_error", "out of memory building the document");
    return d;
}

static json_t *build_gex(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_GEX, in, ans);
}

static json_t *build_dex(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_DEX, in, ans);
}

static json_t *build_vex(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_VEX, in, ans);
}

static json_t *build_chex(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_CHEX, in, ans);
}

static json_t *build_levels(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_LEVELS, in, ans);
}

static json_t *build_summary(const gex__api_input *in, gex__api_answer *ans)
{
    return exposure_doc(GEX__DOC_SUMMARY, in, ans);
}

/* The filters every analysed endpoint takes (SPEC 5.1). */
#define FILTERS "expiration,min_oi"

static const gex__api_endpoint endpoints[] = {
    /* The exposure documents of the command line (SPEC 3, 5.1). */
    {"GET", "/v1/exposure/gex/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_gex, NULL},
    {"GET", "/v1/exposure/dex/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_dex, NULL},
    {"GET", "/v1/exposure/vex/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_vex, NULL},
    {"GET", "/v1/exposure/chex/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_chex, NULL},
    {"GET", "/v1/exposure/levels/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_levels, NULL},
    {"GET", "/v1/exposure/summary/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, build_summary, NULL},
    /* The browser dashboard's gex-own documents (api-heatmap.c, SPEC 5.6). */
    {"GET", "/v1/exposure/heatmap/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS, gex__api_heatmap,
     NULL},
    {"GET", "/v1/exposure/profile/{symbol}", GEX__API_NEED_ANALYSIS, FILTERS ",range,points",
     gex__api_profile, NULL},
};

const gex__api_endpoint *gex__api_endpoints(size_t *n)
{
    *n = sizeof endpoints / sizeof endpoints[0];
    return endpoints;
}

/* Characters of ticker symbols as vendors and OCC spell them: letters, digits, '.', '-', '_'
 * and the index caret. */
static int symbol_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '^';
}

/* Whether path matches pattern; the {symbol} segment is stored in symbol (cut to
 * symbol_size - 1, then *fits is 0) and checked by the caller. */
static int match(const char *pattern, const char *path, const char **seg, size_t *seg_len)
{
    static const char marker[] = "{symbol}";
    *seg = NULL;
    *seg_len = 0;
    while (*pattern != '\0') {
        if (strncmp(pattern, marker, sizeof marker - 1) == 0) {
            size_t len = strcspn(path, "/");
            /* An empty segment is another path, not a strange symbol. */
            if (len == 0)
                return 0;
            *seg = path;
            *seg_len = len;
            path += len;
            pattern += sizeof marker - 1;
            continue;
        }
        if (*pattern != *path)
            return 0;
        pattern++;
        path++;
    }
    return *path == '\0';
}

const gex__api_endpoint *gex__api_route(const char *method, const char *path, char *symbol,
                                        size_t symbol_size, int *symbol_ok, int *method_ok)
{
    *symbol_ok = 1;
    *method_ok = 1;
    symbol[0] = '\0';
    if (path == NULL)
        return NULL;
    /* HEAD is GET without the body (RFC 9110 section 9.3.2). */
    const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
    const gex__api_endpoint *other_method = NULL;
    for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++) {
        const char *seg;
        size_t seg_len;
        if (!match(endpoints[i].path, path, &seg, &seg_len))
            continue;
        if (strcmp(endpoints[i].method, m) != 0) {
            other_method = &endpoints[i];
            continue;
        }
        if (seg != NULL) {
            if (seg_len >= symbol_size) {
                *symbol_ok = 0;
                return &endpoints[i];
            }
            for (size_t k = 0; k < seg_len; k++) {
                if (!symbol_char((unsigned char)seg[k])) {
                    *symbol_ok = 0;
                    return &endpoints[i];
                }
            }
            memcpy(symbol, seg, seg_len);
            symbol[seg_len] = '\0';
        }
        return &endpoints[i];
    }
    if (other_method != NULL)
        *method_ok = 0;
    return other_method;
}
