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

/* Appends s to out (NULL: counts only) with control characters escaped (\n, \r, \t, \xNN), so
 * that a file name, or a cell's text, holding a line end cannot end the message and forge
 * another line, in a terminal or in gex serve's log. Returns the bytes it takes. */
static size_t put_shown(char *out, const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++) {
        const unsigned char c = (unsigned char)*s;
        char esc[8];
        size_t k = 1;
        if (c >= 0x20 && c != 0x7f)
            esc[0] = (char)c;
        else if (c == '\n' || c == '\r' || c == '\t')
            k = (size_t)snprintf(esc, sizeof esc, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        else
            k = (size_t)snprintf(esc, sizeof esc, "\\x%02x", c);
        if (out != NULL)
            memcpy(out + n, esc, k);
        n += k;
    }
    return n;
}

/* The whole message, "gex: FILE:LINE: text\n", its file name and text shown as put_shown shows
 * them, malloc'ed; NULL when memory ran out. */
static char *message_text(const char *file, long line, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    const int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *body = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (body == NULL)
        return NULL;
    vsnprintf(body, (size_t)n + 1, fmt, ap);
    char where[32] = "";
    const int named = file != NULL && file[0] != '\0';
    if (named && line > 0)
        snprintf(where, sizeof where, ":%ld", line);
    const size_t len =
        5 + (named ? put_shown(NULL, file) + strlen(where) + 2 : 0) + put_shown(NULL, body) + 1;
    char *text = malloc(len + 1);
    if (text != NULL) {
        size_t at = 0;
        memcpy(text, "gex: ", 5);
        at += 5;
        if (named) {
            at += put_shown(text + at, file);
            at += (size_t)sprintf(text + at, "%s: ", where);
        }
        at += put_shown(text + at, body);
        text[at++] = '\n';
        text[at] = '\0';
    }
    free(body);
    return text;
}

/* The message into the calling thread's capture; 0 when it ran out of memory (nothing added). */
static int capture_message(cli_messages *m, const char *file, long line, const char *fmt,
                           va_list ap)
{
    char *text = message_text(file, line, fmt, ap);
    if (text == NULL)
        return 0;
    const size_t n = strlen(text);
    const int kept = capture_reserve(m, n);
    if (kept) {
        memcpy(m->text + m->len, text, n + 1);
        m->len += n;
    }
    free(text);
    return kept;
}

/* The message printed whole on stderr, under its lock (flockfile), so that lines of threads
 * printing at once never mix. Out of memory: as it is, unescaped, rather than not at all. */
static void print_message(const char *file, long line, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    char *text = message_text(file, line, fmt, copy);
    va_end(copy);
    flockfile(stderr); /* recursive: the calls below take it again */
    if (text != NULL) {
        fputs(text, stderr);
    } else {
        fputs("gex: ", stderr);
        if (file != NULL && file[0] != '\0') {
            if (line > 0)
                fprintf(stderr, "%s:%ld: ", file, line);
            else
                fprintf(stderr, "%s: ", file);
        }
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    funlockfile(stderr);
    free(text);
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
