/*
 * currency.c: the currency's code checked, and gex's units written in it (gex/currency.h).
 */
#include "gex/currency.h"

#include <stdio.h>
#include <string.h>

int gex_currency_valid(const char *code)
{
    if (code == NULL)
        return 0;
    for (int i = 0; i < 3; i++)
        if (code[i] < 'A' || code[i] > 'Z')
            return 0;
    return code[3] == '\0';
}

const char *gex_currency_text(const char *text, const char *currency, char *buf, size_t size)
{
    /* gex's texts are written in dollars: in them, nothing to replace */
    if (text == NULL || buf == NULL || size == 0 || !gex_currency_valid(currency) ||
        strcmp(currency, "USD") == 0)
        return text;
    char one[8]; /* "$1" in the currency: "1 INR" */
    snprintf(one, sizeof one, "1 %s", currency);
    size_t o = 0;
    for (const char *p = text; *p != '\0';) {
        const char *put;
        size_t len;
        if (strncmp(p, "USD", 3) == 0) {
            put = currency;
            len = 3;
            p += 3;
        } else if (strncmp(p, "$1", 2) == 0) {
            put = one;
            len = strlen(one);
            p += 2;
        } else {
            put = p++;
            len = 1;
        }
        for (size_t k = 0; k < len && o + 1 < size; k++)
            buf[o++] = put[k];
    }
    buf[o] = '\0';
    return buf;
}
