/*
 * no-threads.c: a pthread_create that always fails (EAGAIN: "insufficient resources to create
 * another thread"), preloaded into gex by tests/no-threads.sh so that every threaded path takes
 * its fallback: a file read in ranges, screen's underlyings, greeks' blocks. When the variable
 * GEX_NO_THREADS_MARK names a file, the first refusal creates it, so that the test knows the
 * preload took effect.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
    (void)thread;
    (void)attr;
    (void)start;
    (void)arg;
    const char *mark = getenv("GEX_NO_THREADS_MARK");
    if (mark != NULL) {
        const int fd = open(mark, O_WRONLY | O_CREAT, 0600);
        if (fd >= 0)
            close(fd);
    }
    return EAGAIN;
}
