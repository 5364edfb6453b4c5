/*
 * change-while-read.c: a file that changes while gex reads it, made certain instead of timed.
 * Preloaded into gex by tests/change-while-read.sh: the first read (fread, or pread on the
 * ranges of a read on several threads) that returns bytes of the file GEX_CHANGE_FILE names
 * then sets that file's length to GEX_CHANGE_SIZE bytes (shorter: a file truncated or being
 * rewritten; longer: a download still being written), as another process could at that moment.
 * The mark file GEX_CHANGE_MARK, when named, is created then, so that the test knows the change
 * happened. Each call is passed on to the C library's function of that name. A test shim, in
 * one process at a time: the flag of the change made is the only state.
 */
#undef _FILE_OFFSET_BITS
#define _LARGEFILE64_SOURCE 1
#include <dlfcn.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef size_t (*fread_fn)(void *, size_t, size_t, FILE *);
typedef ssize_t (*pread_fn)(int, void *, size_t, off64_t);

static atomic_int changed;

/* The C library's function of that name (dlsym into a function pointer, which POSIX
 * guarantees); NULL when there is none. */
static void *next_fn(const char *name, size_t size, void *fn)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (f != NULL)
        memcpy(fn, &f, size);
    return f;
}

/* After a read that returned bytes of fd: the change, once, when fd is the file named. */
static void maybe_change(int fd)
{
    const char *path = getenv("GEX_CHANGE_FILE"), *size = getenv("GEX_CHANGE_SIZE");
    struct stat a, b;
    if (path == NULL || size == NULL || atomic_load(&changed) || fstat(fd, &a) != 0 ||
        stat(path, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return;
    if (atomic_exchange(&changed, 1))
        return;
    if (truncate(path, (off_t)strtoll(size, NULL, 10)) != 0)
        return;
    const char *mark = getenv("GEX_CHANGE_MARK");
    if (mark != NULL) {
        FILE *m = fopen(mark, "w");
        if (m != NULL)
            fclose(m);
    }
}

size_t fread(void *ptr, size_t size, size_t n, FILE *fp)
{
    fread_fn real = NULL;
    if (next_fn("fread", sizeof real, &real) == NULL)
        return 0;
    const size_t got = real(ptr, size, n, fp);
    if (got > 0)
        maybe_change(fileno(fp));
    return got;
}

static ssize_t pass_pread(const char *name, int fd, void *buf, size_t n, off64_t at)
{
    pread_fn real = NULL;
    if (next_fn(name, sizeof real, &real) == NULL)
        return -1;
    const ssize_t got = real(fd, buf, n, at);
    if (got > 0)
        maybe_change(fd);
    return got;
}

ssize_t pread64(int fd, void *buf, size_t n, off64_t at);
ssize_t pread64(int fd, void *buf, size_t n, off64_t at)
{
    return pass_pread("pread64", fd, buf, n, at);
}

ssize_t pread(int fd, void *buf, size_t n, off_t at)
{
    return pass_pread("pread", fd, buf, n, at);
}
