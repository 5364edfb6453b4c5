/*
 * fsync-fails.c: a disk that fails when gex asks for its bytes to be written (fsync(2) answers
 * EIO, as it does after a failed writeback), preloaded into gex by tests/output-fsync.sh so that
 * the path of an output whose bytes did not reach the disk is taken: the output is not given
 * its name, the file there stays as it was. When GEX_FSYNC_MARK names a file, each failure
 * creates it, so that the test knows the preload took effect.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int fsync(int fd)
{
    (void)fd;
    const char *mark = getenv("GEX_FSYNC_MARK");
    if (mark != NULL) {
        const int m = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (m >= 0)
            close(m);
    }
    errno = EIO;
    return -1;
}
