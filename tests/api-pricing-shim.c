/*
 * api-pricing-shim.c: gex__api_param and gex__api_fail (api.h) for test-api-pricing until the
 * dispatch (src/render/api.c) defines them; removed when it lands.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

const char *gex__api_param(const gex__api_params *p, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; p != NULL && i < p->n; i++)
        if (strcmp(p->name[i], name) == 0)
            v = p->value[i];
    return v;
}

json_t *gex__api_fail(gex__api_answer *ans, unsigned status, const char *code, const char *fmt,
                      ...)
{
    ans->status = status;
    snprintf(ans->code, sizeof ans->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ans->message, sizeof ans->message, fmt, ap);
    va_end(ap);
    return NULL;
}
