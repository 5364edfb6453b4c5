/*
 * open-emfile.c: a process that has run out of descriptors for a moment, made certain instead
 * of timed. Preloaded into gex serve by tests/serve-open-fails.sh: of the open(2) calls on a path
 * ending with GEX_EMFILE_NAME, the first GEX_EMFILE_AFTER (default 0) succeed, and the next
 * fails with EMFILE ("Too many open files"), as it would while other connections hold every
 * descriptor the limit allows; every later one succeeds. The mark file GEX_EMFILE_MARK is
 * created at that failure, so that the test knows it happened. Each call is otherwise passed on
 * to the C library's open64. A test shim, in one process at a time: the count of the opens of
 * the name is the only state.
 */
#undef _FILE_OFFSET_BITS
#define _LARGEFILE64_SOURCE 1
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef int (*open_fn)(const char *, int, ...);

static atomic_long opens;

/* The C library's open64 (dlsym into a function pointer, which POSIX guarantees). */
static open_fn next_open(void)
{
    open_fn fn = NULL;
    void *f = dlsym(RTLD_NEXT, "open64");
    if (f != NULL)
        memcpy(&fn, &f, sizeof fn);
    return fn;
}

/* Whether this open of path is the one to fail (then the mark is made). */
static int fail_now(const char *path, open_fn real)
{
    const char *name = getenv("GEX_EMFILE_NAME"), *mark = getenv("GEX_EMFILE_MARK");
    if (name == NULL || mark == NULL || path == NULL || real == NULL)
        return 0;
    const size_t n = strlen(name), len = strlen(path);
    if (len < n || strcmp(path + len - n, name) != 0)
        return 0;
    const char *after = getenv("GEX_EMFILE_AFTER");
    if (atomic_fetch_add(&opens, 1) != (after != NULL ? atol(after) : 0))
        return 0;
    const int m = real(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (m >= 0)
        close(m);
    return 1;
}

static int open_shim(const char *path, int flags, va_list ap)
{
    const open_fn real = next_open();
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE))
        mode = (mode_t)va_arg(ap, int);
    if (fail_now(path, real)) {
        errno = EMFILE;
        return -1;
    }
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    const int fd = open_shim(path, flags, ap);
    va_end(ap);
    return fd;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    const int fd = open_shim(path, flags, ap);
    va_end(ap);
    return fd;
}
