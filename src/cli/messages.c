/*
 * messages.c: every message of the program reads "gex: FILE:LINE: what is wrong" (SPEC 3),
 * and every library status maps to one exit status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Room for n more bytes and a NUL in a capture; returns 0 when memory ran out. */
static int capture_reserve(cli_messages *m, size_t n)
{
    if (m->len + n + 1 <= m->cap)
        return 1;
    size_t cap = m->cap ? m->cap : 256;
    while (cap < m->len + n + 1)
        cap *= 2;
    char *t = realloc(m->text, cap);
    if (t == NULL)
        return 0;
    m->text = t;
    m->cap = cap;
    return 1;
}

/* A file name as messages show it: control characters escaped (\n, \r, \t, \xNN), so that a
 * name holding a line end cannot end the message and forge another line, in a terminal or in
 * gex serve's log. file itself when it has none. */
static const char *shown_file(const char *file, char *buf, size_t size)
{
    size_t i = 0;
    while (file[i] != '\0' && (unsigned char)file[i] >= 0x20 && file[i] != 0x7f)
        i++;
    if (file[i] == '\0')
        return file;
    size_t n = 0;
    for (const char *p = file; *p != '\0' && n + 5 < size; p++) {
        const unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != 0x7f)
            buf[n++] = (char)c;
        else if (c == '\n' || c == '\r' || c == '\t') {
            buf[n++] = '\\';
            buf[n++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else
            n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
    }
    buf[n] = '\0';
    return buf;
}

/* The message into the calling thread's capture; 0 when it ran out of memory (nothing added). */
static int capture_message(cli_messages *m, const char *file, long line, const char *fmt,
                           va_list ap)
{
    char where[64 + 1024], name[1024];
    int w = 0;
    if (file != NULL && file[0] != '\0')
        file = shown_file(file, name, sizeof name);
    if (file != NULL && file[0] != '\0')
        w = line > 0 ? snprintf(where, sizeof where, "gex: %s:%ld: ", file, line)
                     : snprintf(where, sizeof where, "gex: %s: ", file);
    else
        w = snprintf(where, sizeof where, "gex: ");
    if (w < 0 || (size_t)w >= sizeof where)
        return 0; /* a path too long for the prefix: printed directly instead */
    va_list copy;
    va_copy(copy, ap);
    const int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || !capture_reserve(m, (size_t)w + (size_t)n + 1))
        return 0;
    memcpy(m->text + m->len, where, (size_t)w);
    vsnprintf(m->text + m->len + w, (size_t)n + 1, fmt, ap);
    m->len += (size_t)w + (size_t)n;
    m->text[m->len++] = '\n';
    m->text[m->len] = '\0';
    return 1;
}

/* The message printed whole on stderr, under its lock (flockfile), so that lines of threads
 * printing at once never mix. */
static void print_message(const char *file, long line, const char *fmt, va_list ap)
{
    char name[4096];
    if (file != NULL && file[0] != '\0')
        file = shown_file(file, name, sizeof name);
    flockfile(stderr); /* recursive: the calls below take it again */
    fputs("gex: ", stderr);
    if (file != NULL && file[0] != '\0') {
        if (line > 0)
            fprintf(stderr, "%s:%ld: ", file, line);
        else
            fprintf(stderr, "%s: ", file);
    }
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
}

void cli_say(cli_messages *to, const char *file, long line, const char *fmt, ...)
{
    va_list ap;
    if (to != NULL) {
        va_start(ap, fmt);
        const int kept = capture_message(to, file, line, fmt, ap);
        va_end(ap);
        if (kept)
            return;
    }
    va_start(ap, fmt);
    print_message(file, line, fmt, ap);
    va_end(ap);
}

void cli_messages_append(cli_messages *to, const cli_messages *from)
{
    if (from->len == 0)
        return;
    if (to != NULL && capture_reserve(to, from->len)) {
        memcpy(to->text + to->len, from->text, from->len + 1);
        to->len += from->len;
    } else {
        cli_messages_print(from->text, NULL);
    }
}

void cli_error(const char *file, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_message(file, line, fmt, ap);
    va_end(ap);
}

void cli_messages_print(const char *text, atomic_int *bar_shown)
{
    if (text == NULL || text[0] == '\0')
        return;
    flockfile(stderr);
    if (bar_shown != NULL && atomic_load(bar_shown)) {
        fputs("\r\033[K", stderr); /* the messages replace the progress bar's line */
        atomic_store(bar_shown, 0);
    }
    fputs(text, stderr);
    funlockfile(stderr);
}

int cli_exit_status(int status)
{
    switch (status) {
    case GEX_OK:
        return CLI_EXIT_OK;
    case GEX_EIO:
    case GEX_EFORMAT:
    case GEX_EPARSE:
    case GEX_ENOTIME:
    case GEX_EEMPTY:
    case GEX_ENOTFOUND:
        return CLI_EXIT_INPUT;
    default: /* GEX_EINVAL, GEX_ENOMEM, GEX_ERANGE, GEX_ENOCONV: not the user's input */
        return CLI_EXIT_INTERNAL;
    }
}

int cli_report_to(cli_messages *to, int status, const gex_error *err, const char *file)
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
    cli_say(to, where, line, "%s", text);
    return cli_exit_status(status);
}

int cli_report(int status, const gex_error *err, const char *file)
{
    return cli_report_to(NULL, status, err, file);
}

int cli_written_to(int status, const gex_error *err, const char *output)
{
    if (status == GEX_OK)
        return CLI_EXIT_OK;
    if (status != GEX_EIO)
        return cli_report(status, err, NULL);
    /* The rendering layer reads nothing: its GEX_EIO is a write to the output that failed, a
     * resource error (not the input's, whose GEX_EIO is exit status 3), named as the sink names
     * it at its close. */
    cli_report(status, err, output != NULL && strcmp(output, "-") != 0 ? output : NULL);
    return CLI_EXIT_INTERNAL;
}

int cli_written(int status, const gex_error *err)
{
    return cli_written_to(status, err, NULL);
}

void cli_progress_start(cli_progress *p, const char *what, const char *unit, long after_ms)
{
    p->what = what;
    p->unit = unit;
    p->tty = isatty(STDERR_FILENO);
    const char *env = getenv("GEX_PROGRESS_AFTER_MS");
    char *end = NULL;
    long ms = env != NULL ? strtol(env, &end, 10) : -1;
    p->after_ms = env != NULL && end != env && *end == '\0' && ms >= 0 ? ms : after_ms;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    atomic_store(&p->shown, 0);
}

void cli_progress_draw(cli_progress *p, double share, const char *counts)
{
    if (!p->tty)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long elapsed_ms = (long)(now.tv_sec - p->start.tv_sec) * 1000L +
                            (long)(now.tv_nsec - p->start.tv_nsec) / 1000000L;
    if (elapsed_ms < p->after_ms)
        return;
    const int width = 30;
    int filled = (int)((double)width * share);
    if (filled > width)
        filled = width;
    if (filled < 0)
        filled = 0;
    flockfile(stderr);
    fprintf(stderr, "\r\033[Kgex: %s [%.*s%*s] %s", p->what, filled,
            "==============================", width - filled, "", counts);
    fflush(stderr);
    atomic_store(&p->shown, 1);
    funlockfile(stderr);
}

void cli_progress_show(cli_progress *p, size_t done, size_t total)
{
    if (!p->tty || total == 0)
        return;
    char counts[96];
    snprintf(counts, sizeof counts, "%zu/%zu %s", done, total, p->unit);
    cli_progress_draw(p, (double)done / (double)total, counts);
}

void cli_progress_end(cli_progress *p)
{
    flockfile(stderr);
    if (atomic_load(&p->shown)) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        atomic_store(&p->shown, 0);
    }
    funlockfile(stderr);
}
