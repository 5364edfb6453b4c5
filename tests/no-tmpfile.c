/*
 * no-tmpfile.c: an openat that refuses O_TMPFILE as a file system without it does (EOPNOTSUPP)
 * and passes every other call on, preloaded into gex by tests/output-file.sh so that -o takes
 * its fallback: a named FILE.tmp-XXXXXX renamed into place (src/cli/sink.c, SINK_NAMED), which
 * the file systems of a test machine (ext4, tmpfs, btrfs, xfs) never make it take. When the
 * variable GEX_NO_TMPFILE_MARK names a file, each refusal creates it, so that the test knows
 * the preload took effect. gex is built with 64-bit file offsets and calls openat64; openat is
 * wrapped too, which this file defines under its own name only without them.
 */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*openat_fn)(int, const char *, int, ...);

/* The C library's function of that name (dlsym into a function pointer, which POSIX
 * guarantees); NULL when there is none. */
static openat_fn next_openat(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    openat_fn fn = NULL;
    if (f != NULL)
        memcpy(&fn, &f, sizeof fn);
    return fn;
}

/* The refusal: 1 (errno EOPNOTSUPP, the mark made) for an O_TMPFILE open, else 0. */
static int refused(int flags)
{
    if ((flags & O_TMPFILE) != O_TMPFILE)
        return 0;
    const char *mark = getenv("GEX_NO_TMPFILE_MARK");
    if (mark != NULL) {
        openat_fn real = next_openat("openat64");
        const int fd =
            real != NULL ? real(AT_FDCWD, mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600) : -1;
        if (fd >= 0)
            close(fd);
    }
    errno = EOPNOTSUPP;
    return 1;
}

/* The call passed on to the C library's function of that name; mode is read only where the
 * flags say a mode follows. */
static int pass_on(const char *name, int dirfd, const char *path, int flags, va_list ap)
{
    mode_t mode = 0;
    if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE)
        mode = (mode_t)va_arg(ap, int);
    openat_fn real = next_openat(name);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...)
{
    if (refused(flags))
        return -1;
    va_list ap;
    va_start(ap, flags);
    const int fd = pass_on("openat64", dirfd, path, flags, ap);
    va_end(ap);
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...)
{
    if (refused(flags))
        return -1;
    va_list ap;
    va_start(ap, flags);
    const int fd = pass_on("openat", dirfd, path, flags, ap);
    va_end(ap);
    return fd;
}
