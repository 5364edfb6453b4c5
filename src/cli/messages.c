/*
 * messages.c: every message of the program reads "gex: FILE:LINE: what is wrong" (SPEC 3),
 * and every library status maps to one exit status.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

int gex__progress_shown = 0;

void gex__error(const char *file, long line, const char *fmt, ...)
{
    if (gex__progress_shown) {
        fputs("\r\033[K", stderr); /* a message replaces the progress bar's line */
        gex__progress_shown = 0;
    }
    fputs("gex: ", stderr);
    if (file != NULL && file[0] != '\0') {
        if (line > 0)
            fprintf(stderr, "%s:%ld: ", file, line);
        else
            fprintf(stderr, "%s: ", file);
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int gex__exit_status(int status)
{
    switch (status) {
    case GEX_OK:
        return GEX__EXIT_OK;
    case GEX_EIO:
    case GEX_EFORMAT:
    case GEX_EPARSE:
    case GEX_ENOTIME:
    case GEX_EEMPTY:
    case GEX_ENOTFOUND:
        return GEX__EXIT_INPUT;
    default: /* GEX_EINVAL, GEX_ENOMEM, GEX_ERANGE, GEX_ENOCONV: not the user's input */
        return GEX__EXIT_INTERNAL;
    }
}

int gex__report(int status, const gex_error *err, const char *file)
{
    const char *where = file;
    long line = 0;
    const char *text = gex_strerror(status);
    if (err != NULL) {
        if (err->file[0] != '\0')
            where = err->file;
        line = err->line;
        if (err->text[0] != '\0')
            text = err->text;
    }
    gex__error(where, line, "%s", text);
    return gex__exit_status(status);
}
