/* gex_strerror and the gex_error helpers (gex/error.h). */
#include "gex/error.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error-internal.h"

static const char *const status_names[GEX_STATUS_COUNT] = {
    [GEX_OK] = "success",
    [GEX_EINVAL] = "invalid argument",
    [GEX_ENOMEM] = "out of memory",
    [GEX_EIO] = "input/output error",
    [GEX_EFORMAT] = "unrecognised input format",
    [GEX_EPARSE] = "malformed input",
    [GEX_ENOTIME] = "no quote instant",
    [GEX_EEMPTY] = "nothing usable",
    [GEX_ERANGE] = "result out of range",
    [GEX_ENOTFOUND] = "not found",
    [GEX_ENOCONV] = "did not converge",
};

const char *gex_strerror(gex_status status)
{
    /* Unsigned: a negative int passed in is out of range too, whatever the enum's type. */
    if ((unsigned)status >= GEX_STATUS_COUNT || status_names[status] == NULL)
        return "unknown status";
    return status_names[status];
}

void gex_error_clear(gex_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof *err);
}

gex_status gex_error_set(gex_error *err, gex_status status, const char *file, long line,
                         long column, const char *fmt, ...)
{
    if (err == NULL)
        return status;
    if (file != NULL)
        snprintf(err->file, sizeof err->file, "%s", file);
    err->line = line;
    err->column = column;
    va_list ap;
    va_start(ap, fmt);
    gex__vsnprintf_c(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return status;
}

int gex__vsnprintf_c(char *buf, size_t size, const char *fmt, va_list ap)
{
    /* glibc gives the C locale's static object for "C", without allocating. */
    const locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    const locale_t was = c != (locale_t)0 ? uselocale(c) : (locale_t)0;
    const int n = vsnprintf(buf, size, fmt, ap);
    if (c != (locale_t)0) {
        uselocale(was);
        freelocale(c);
    }
    return n;
}

int gex__snprintf_c(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = gex__vsnprintf_c(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
