/*
 * api-answer.c: the helpers the builders of the API call (api.h): a request's parameter, a
 * failed answer, and the characters of a ticker (the table's {symbol}, the basket's symbols). Apart
 * from the table (api.c), which names the builders, so that no builder's file and the table use
 * each other (tests/source-cycles.py).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

int gex__api_symbol_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '^';
}

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
