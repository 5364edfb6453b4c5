/* gex_strerror and the gex_error helpers (gex/error.h). */
#include "gex/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return status;
}
