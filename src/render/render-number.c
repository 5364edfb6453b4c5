/*
 * render-number.c: the number forms of every document, and the report of a value that cannot
 * be written. The bottom of the rendering layer: the table and JSON writers use it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

int gex__nonfinite_error(gex_error *err, const char *file, size_t n)
{
    return gex_error_set(err, GEX_ERANGE, file != NULL ? file : "", 0, 0,
                         "internal error: %zu computed values were not finite numbers and were "
                         "left out of the output; please report this with the input file",
                         n);
}

void gex__fmt_roundtrip(double v, char *buf, size_t size)
{
    if (v == 0.0)
        v = 0.0;
    /* %.15g is exact for every value with at most 15 significant digits and drops trailing
     * zeros; 17 digits always read back (IEEE 754-2008, 5.12.2), so they need no check. */
    for (int p = 15; p <= 16; p++) {
        snprintf(buf, size, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            return;
    }
    snprintf(buf, size, "%.17g", v);
}

void gex__fmt_grouped(double v, int decimals, char *buf, size_t size)
{
    if (!(fabs(v) < GEX__GROUPED_MAX)) {
        gex__fmt_roundtrip(v, buf, size);
        return;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > GEX__GROUPED_DECIMALS_MAX)
        decimals = GEX__GROUPED_DECIMALS_MAX;
    /* Below GEX__GROUPED_MAX the integer part rounds to at most 16 digits. */
    char raw[1 + 16 + 1 + GEX__GROUPED_DECIMALS_MAX + 1];
    snprintf(raw, sizeof raw, "%.*f", decimals, v);
    /* "-0" and "-0.00" after rounding read as 0 */
    if (raw[0] == '-' && strspn(raw + 1, "0.") == strlen(raw + 1))
        memmove(raw, raw + 1, strlen(raw));
    const char *p = raw;
    size_t o = 0;
    if (*p == '-' && o + 1 < size)
        buf[o++] = *p++;
    size_t int_len = strcspn(p, ".");
    for (size_t i = 0; i < int_len && o + 1 < size; i++) {
        if (i > 0 && (int_len - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = p[i];
    }
    for (const char *q = p + int_len; *q != '\0' && o + 1 < size; q++)
        buf[o++] = *q;
    buf[o] = '\0';
}
