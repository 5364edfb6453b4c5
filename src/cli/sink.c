/*
 * sink.c: standard output, or -o FILE written to a temporary file in the same directory and
 * renamed over FILE only when the command succeeded, so a failed run never leaves a
 * half-written file (rename(2) is atomic within a file system), nor, when it is interrupted by
 * a signal, a temporary file.
 */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The temporary file being written, removed by the handler if the program is interrupted
 * (unlink and raise are async-signal-safe, POSIX.1-2008 2.4.3). */
static char *volatile pending_tmp = NULL;

static void on_signal(int sig)
{
    char *tmp = pending_tmp;
    if (tmp != NULL)
        unlink(tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void watch_signals(char *tmp)
{
    pending_tmp = tmp;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = tmp != NULL ? on_signal : SIG_DFL;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

int gex__sink_open(gex__sink *sink, const char *path)
{
    sink->fp = stdout;
    sink->tmp_path = NULL;
    sink->final_path = path;
    if (path == NULL || strcmp(path, "-") == 0)
        return GEX__EXIT_OK;
    const size_t n = strlen(path);
    sink->tmp_path = malloc(n + sizeof ".tmp-XXXXXX");
    if (sink->tmp_path == NULL) {
        gex__error(path, 0, "out of memory");
        return GEX__EXIT_INTERNAL;
    }
    memcpy(sink->tmp_path, path, n);
    memcpy(sink->tmp_path + n, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
    const int fd = mkstemp(sink->tmp_path);
    if (fd < 0) {
        gex__error(path, 0, "cannot create the output file: %s", strerror(errno));
        free(sink->tmp_path);
        sink->tmp_path = NULL;
        return GEX__EXIT_INTERNAL;
    }
    /* mkstemp creates the file 0600; an output file gets the usual permissions. */
    const mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    sink->fp = fdopen(fd, "w");
    if (sink->fp == NULL) {
        gex__error(path, 0, "cannot open the output file: %s", strerror(errno));
        close(fd);
        unlink(sink->tmp_path);
        free(sink->tmp_path);
        sink->tmp_path = NULL;
        return GEX__EXIT_INTERNAL;
    }
    watch_signals(sink->tmp_path);
    return GEX__EXIT_OK;
}

int gex__sink_close(gex__sink *sink, int ok)
{
    int rc = GEX__EXIT_OK;
    if (sink->tmp_path == NULL) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            gex__error(NULL, 0, "writing the output failed: %s", strerror(errno));
            rc = GEX__EXIT_INTERNAL;
        }
        return rc;
    }
    int failed = ferror(sink->fp) != 0;
    if (fclose(sink->fp) != 0)
        failed = 1;
    if (failed && ok) {
        gex__error(sink->final_path, 0, "writing the output failed: %s", strerror(errno));
        rc = GEX__EXIT_INTERNAL;
        ok = 0;
    }
    if (ok && rename(sink->tmp_path, sink->final_path) != 0) {
        gex__error(sink->final_path, 0, "cannot rename the output into place: %s", strerror(errno));
        rc = GEX__EXIT_INTERNAL;
        ok = 0;
    }
    if (!ok)
        unlink(sink->tmp_path);
    watch_signals(NULL);
    free(sink->tmp_path);
    sink->tmp_path = NULL;
    return rc;
}
