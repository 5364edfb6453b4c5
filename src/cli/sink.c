/*
 * sink.c: where a command's output goes, standard output or -o FILE, and -o never harms a file.
 *
 * A regular file, or a new one, is written to an unnamed temporary file (O_TMPFILE) in its
 * directory and given its name only when the command succeeded: linked under a fresh name and
 * renamed over FILE, rename(2) being atomic within a file system. A failed run leaves FILE as it
 * was, and a killed one leaves nothing beside it either: the kernel frees an unnamed inode with
 * its last descriptor, so no signal handler (and no global state) is needed. Where the file
 * system has no O_TMPFILE, the temporary file is a named FILE.tmp-XXXXXX renamed the same way,
 * which a killed run leaves behind (never a partial FILE). The file's bytes reach the disk
 * (fsync) before it takes the name, so that a crash or power loss just after leaves the old FILE
 * or the whole new one, not a name on an empty file.
 *
 * What FILE already is decides the rest, before the command runs: a symbolic link stays a link
 * (the file written is its final target); a character device or a FIFO is written directly, as
 * a shell's ">" would; a directory, socket, block device, read-only file or dangling link is
 * refused with a message saying what it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* cli_sink.how */
enum {
    SINK_STDOUT,  /* standard output */
    SINK_DIRECT,  /* a character device or a FIFO, written as it is */
    SINK_UNNAMED, /* an O_TMPFILE inode in dir_fd, linked as name on success */
    SINK_NAMED,   /* tmp_name in dir_fd, renamed to name on success (no O_TMPFILE) */
};

#define TMP_SUFFIX "-XXXXXX"
/* Fresh temporary names tried before giving up; only a name already taken makes one fail. */
#define TMP_NAME_ATTEMPTS 100

/* name + ".tmp" + TMP_SUFFIX (mkstemp's pattern, as the names of earlier versions), to be
 * filled by tmp_name_fill; NULL when memory ran out. */
static char *tmp_name_new(const char *name)
{
    static const char suffix[] = ".tmp" TMP_SUFFIX;
    const size_t n = strlen(name);
    char *t = malloc(n + sizeof suffix);
    if (t != NULL) {
        memcpy(t, name, n);
        memcpy(t + n, suffix, sizeof suffix);
    }
    return t;
}

/* Fills the X's of a tmp_name_new name. The name need not be secret, only free, which O_EXCL
 * and linkat(2) check (neither follows a link planted there), so the clock stands in when the
 * kernel's random numbers are not ready. */
static void tmp_name_fill(char *t, unsigned attempt)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const size_t nx = sizeof TMP_SUFFIX - 2; /* the X's */
    unsigned char r[sizeof TMP_SUFFIX];
    if (getrandom(r, nx, GRND_NONBLOCK) != (ssize_t)nx) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned long v = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 20) ^ attempt;
        for (size_t i = 0; i < nx; i++, v /= sizeof chars - 1)
            r[i] = (unsigned char)(v % (sizeof chars - 1));
    }
    char *x = t + strlen(t) - nx;
    for (size_t i = 0; i < nx; i++)
        x[i] = chars[r[i] % (sizeof chars - 1)];
}

/* Gives the unnamed file fd the name name in dir_fd. linkat(2)'s AT_EMPTY_PATH needs
 * CAP_DAC_READ_SEARCH (ENOENT without it); the descriptor's /proc link needs only /proc.
 * Returns 0, or -1 with errno (EEXIST when name is taken). */
static int link_unnamed(int fd, int dir_fd, const char *name)
{
    if (linkat(fd, "", dir_fd, name, AT_EMPTY_PATH) == 0)
        return 0;
    if (errno == EEXIST)
        return -1;
    char proc[sizeof "/proc/self/fd/" + 3 * sizeof(int)];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, dir_fd, name, AT_SYMLINK_FOLLOW);
}

/* Refuses -o path, which is (or, resolved != NULL, links to resolved, which is) what; says
 * what to do. Returns the sink's failure status. */
static int refuse(const char *path, const char *resolved, const char *what, const char *todo)
{
    if (resolved != NULL)
        cli_error(path, 0, "is a symbolic link to %s, %s; %s", resolved, what, todo);
    else
        cli_error(path, 0, "is %s; %s", what, todo);
    return CLI_EXIT_INTERNAL;
}

/* The checks on an existing FILE whose (followed) status is st: CLI_EXIT_OK when it may be
 * written, else a message and the failure status. */
static int check_existing(const char *path, const char *resolved, const struct stat *st)
{
    const mode_t m = st->st_mode;
    if (S_ISDIR(m))
        return refuse(path, resolved, "a directory", "give -o the name of a file in it");
    if (S_ISSOCK(m))
        return refuse(path, resolved, "a socket",
                      "gex writes regular files, FIFOs and character devices; give -o another "
                      "name");
    if (S_ISBLK(m))
        return refuse(path, resolved, "a block device",
                      "gex does not write to one (it would overwrite the device's data); write "
                      "to a file and copy it if that is meant");
    if (S_ISCHR(m) || S_ISFIFO(m))
        return CLI_EXIT_OK;
    if (!S_ISREG(m))
        return refuse(path, resolved, "neither a regular file, a FIFO nor a character device",
                      "give -o another name");
    /* The write bits, since root passes access(2)'s test on any file; then the test itself,
     * with the effective user, for the file of another user or group. */
    char what[64];
    const int read_only = (m & 0222) == 0;
    if (!read_only && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0) {
        if (errno != EACCES) {
            cli_error(path, 0, "cannot write the output: %s", strerror(errno));
            return CLI_EXIT_INTERNAL;
        }
        snprintf(what, sizeof what, "a file this user may not write (mode %04o)",
                 (unsigned)(m & 07777));
        return refuse(path, resolved, what, "give -o another name");
    }
    if (read_only) {
        snprintf(what, sizeof what, "a read-only file (mode %04o)", (unsigned)(m & 07777));
        return refuse(path, resolved, what, "make it writable (chmod u+w) or give -o another name");
    }
    return CLI_EXIT_OK;
}

/* A character device or FIFO, opened as a shell's ">" would (a FIFO's open waits for a
 * reader); the type is checked again on the descriptor, in case path changed meanwhile. */
static int open_direct(cli_sink *sink, const char *path)
{
    const int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        cli_error(path, 0, "cannot open the output: %s", strerror(errno));
        return CLI_EXIT_INTERNAL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
        cli_error(path, 0, "changed while gex opened it; run the command again");
        close(fd);
        return CLI_EXIT_INTERNAL;
    }
    sink->fp = fdopen(fd, "w");
    if (sink->fp == NULL) {
        cli_error(path, 0, "cannot open the output: %s", strerror(errno));
        close(fd);
        return CLI_EXIT_INTERNAL;
    }
    sink->how = SINK_DIRECT;
    return CLI_EXIT_OK;
}

/* Releases what open_beside holds (on its failure, or after the close). */
static void release_beside(cli_sink *sink)
{
    if (sink->dir_fd >= 0)
        close(sink->dir_fd);
    sink->dir_fd = -1;
    free(sink->name);
    sink->name = NULL;
    free(sink->tmp_name);
    sink->tmp_name = NULL;
}

/* A temporary file in target's directory, to become target; st is the status of the file it
 * replaces, or NULL for a new file. */
static int open_beside(cli_sink *sink, const char *target, const struct stat *st)
{
    const char *path = sink->final_path;
    const char *slash = strrchr(target, '/');
    const char *base = slash != NULL ? slash + 1 : target;
    if (base[0] == '\0') {
        if (target[0] == '\0') { /* a misuse of the command line, as a missing FILE is */
            cli_error(NULL, 0, "-o names no file (an empty name); give -o the name of a file");
            return CLI_EXIT_USAGE;
        }
        cli_error(path, 0, "names a directory (it ends with '/'); give -o the name of a file");
        return CLI_EXIT_INTERNAL;
    }
    char *dir = slash == NULL     ? strdup(".")
                : slash == target ? strdup("/")
                                  : strndup(target, (size_t)(slash - target));
    sink->name = strdup(base);
    if (dir == NULL || sink->name == NULL) {
        cli_error(path, 0, "out of memory");
        free(dir);
        release_beside(sink);
        return CLI_EXIT_INTERNAL;
    }
    sink->dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (sink->dir_fd < 0) {
        /* The message of earlier versions, which a golden case (cli-output-unwritable) pins. */
        cli_error(path, 0, "cannot create the output file: %s", strerror(errno));
        release_beside(sink);
        return CLI_EXIT_INTERNAL;
    }
    sink->replace = st != NULL;

    /* 0666: the kernel applies the umask (or the directory's default ACL), as for any new file. */
    sink->how = SINK_UNNAMED;
    int fd = openat(sink->dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    /* No O_TMPFILE: EOPNOTSUPP from the file system, EISDIR or EINVAL from older kernels. */
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        sink->how = SINK_NAMED;
        sink->tmp_name = tmp_name_new(sink->name);
        if (sink->tmp_name == NULL) {
            cli_error(path, 0, "out of memory");
            release_beside(sink);
            return CLI_EXIT_INTERNAL;
        }
        errno = EEXIST;
        for (unsigned i = 0; fd < 0 && errno == EEXIST && i < TMP_NAME_ATTEMPTS; i++) {
            tmp_name_fill(sink->tmp_name, i);
            fd =
                openat(sink->dir_fd, sink->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        }
    }
    if (fd < 0) {
        cli_error(path, 0, "cannot create the output file: %s", strerror(errno));
        release_beside(sink);
        return CLI_EXIT_INTERNAL;
    }
    if (st != NULL) {
        /* The replacing file keeps the owner and group where this user may give them (as
         * sed -i does), then the permission bits; set-id bits are not carried over. */
        if (fchown(fd, st->st_uid, st->st_gid) != 0 && fchown(fd, (uid_t)-1, st->st_gid) != 0) {
            /* the running user's owner and group, as for a new file */
        }
        (void)fchmod(fd, st->st_mode & 0777);
    }
    sink->fp = fdopen(fd, "w");
    if (sink->fp == NULL) {
        cli_error(path, 0, "cannot open the output file: %s", strerror(errno));
        close(fd);
        if (sink->how == SINK_NAMED)
            unlinkat(sink->dir_fd, sink->tmp_name, 0);
        release_beside(sink);
        return CLI_EXIT_INTERNAL;
    }
    return CLI_EXIT_OK;
}

int cli_sink_open(cli_sink *sink, const char *path)
{
    sink->fp = stdout;
    sink->final_path = path;
    sink->how = SINK_STDOUT;
    sink->dir_fd = -1;
    sink->name = NULL;
    sink->tmp_name = NULL;
    sink->replace = 0;
    if (path == NULL || strcmp(path, "-") == 0)
        return CLI_EXIT_OK;

    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) {
            cli_error(path, 0, "cannot write the output: %s", strerror(errno));
            return CLI_EXIT_INTERNAL;
        }
        return open_beside(sink, path, NULL);
    }
    char *resolved = NULL; /* a link's final target */
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) != 0) {
            if (errno != ENOENT) {
                cli_error(path, 0, "cannot follow the symbolic link: %s", strerror(errno));
                return CLI_EXIT_INTERNAL;
            }
            char to[PATH_MAX];
            const ssize_t n = readlink(path, to, sizeof to - 1);
            to[n > 0 ? n : 0] = '\0';
            cli_error(path, 0,
                      "is a symbolic link to %s, which does not exist; create the target or "
                      "give -o another name",
                      to[0] != '\0' ? to : "a missing file");
            return CLI_EXIT_INTERNAL;
        }
        resolved = realpath(path, NULL);
        if (resolved == NULL) {
            cli_error(path, 0, "cannot follow the symbolic link: %s", strerror(errno));
            return CLI_EXIT_INTERNAL;
        }
    }
    int rc = check_existing(path, resolved, &st);
    if (rc == CLI_EXIT_OK) {
        if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
            rc = open_direct(sink, path);
        else
            rc = open_beside(sink, resolved != NULL ? resolved : path, &st);
    }
    free(resolved);
    return rc;
}

/* Names the finished unnamed file: FILE itself when it was new and still is, else a fresh
 * temporary name renamed over FILE. Returns the exit status, after a message on failure. */
static int publish_unnamed(cli_sink *sink, int fd)
{
    const char *path = sink->final_path;
    if (!sink->replace) {
        if (link_unnamed(fd, sink->dir_fd, sink->name) == 0)
            return CLI_EXIT_OK;
        if (errno != EEXIST) {
            cli_error(path, 0, "cannot give the output file its name: %s", strerror(errno));
            return CLI_EXIT_INTERNAL;
        }
        /* FILE appeared while the command ran: it is replaced as a file there before would be. */
    }
    sink->tmp_name = tmp_name_new(sink->name);
    if (sink->tmp_name == NULL) {
        cli_error(path, 0, "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    int linked = -1;
    errno = EEXIST;
    for (unsigned i = 0; linked != 0 && errno == EEXIST && i < TMP_NAME_ATTEMPTS; i++) {
        tmp_name_fill(sink->tmp_name, i);
        linked = link_unnamed(fd, sink->dir_fd, sink->tmp_name);
    }
    if (linked != 0) {
        cli_error(path, 0, "cannot give the output file a name: %s", strerror(errno));
        return CLI_EXIT_INTERNAL;
    }
    if (renameat(sink->dir_fd, sink->tmp_name, sink->dir_fd, sink->name) != 0) {
        cli_error(path, 0, "cannot rename the output into place: %s", strerror(errno));
        unlinkat(sink->dir_fd, sink->tmp_name, 0);
        return CLI_EXIT_INTERNAL;
    }
    return CLI_EXIT_OK;
}

int cli_stdout_done(void)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        /* the reason where this flush gives one (an earlier write's errno is long gone) */
        const int e = errno;
        cli_error(NULL, 0, "writing the output failed%s%s", e != 0 ? ": " : "",
                  e != 0 ? strerror(e) : "");
        return CLI_EXIT_INTERNAL;
    }
    return CLI_EXIT_OK;
}

int cli_sink_close(cli_sink *sink, int ok)
{
    int rc = CLI_EXIT_OK;
    if (sink->how == SINK_STDOUT) {
        /* As for a file: a failed command has said why (a write its renderer saw fail among
         * them), so only the write errors of a good run are reported here. */
        if ((fflush(stdout) != 0 || ferror(stdout)) && ok) {
            cli_error(NULL, 0, "writing the output failed: %s", strerror(errno));
            rc = CLI_EXIT_INTERNAL;
        }
        return rc;
    }
    /* Written data is flushed first, so that a write error names nothing. */
    int failed = fflush(sink->fp) != 0 || ferror(sink->fp) != 0;
    if (failed && ok) {
        cli_error(sink->final_path, 0, "writing the output failed: %s", strerror(errno));
        rc = CLI_EXIT_INTERNAL;
    }
    ok = ok && !failed;
    /* A file system that cannot sync (EINVAL: some FUSE and special ones) keeps what it has. */
    if (ok && (sink->how == SINK_UNNAMED || sink->how == SINK_NAMED) &&
        fsync(fileno(sink->fp)) != 0 && errno != EINVAL && errno != ENOTSUP) {
        cli_error(sink->final_path, 0, "writing the output failed: %s", strerror(errno));
        rc = CLI_EXIT_INTERNAL;
        ok = 0;
    }
    if (ok && sink->how == SINK_UNNAMED) {
        rc = publish_unnamed(sink, fileno(sink->fp));
        ok = rc == CLI_EXIT_OK;
    }
    if (fclose(sink->fp) != 0 && ok) {
        cli_error(sink->final_path, 0, "writing the output failed: %s", strerror(errno));
        rc = CLI_EXIT_INTERNAL;
        ok = 0;
    }
    sink->fp = NULL;
    if (sink->how == SINK_NAMED) {
        if (ok && renameat(sink->dir_fd, sink->tmp_name, sink->dir_fd, sink->name) != 0) {
            cli_error(sink->final_path, 0, "cannot rename the output into place: %s",
                      strerror(errno));
            rc = CLI_EXIT_INTERNAL;
            ok = 0;
        }
        if (!ok)
            unlinkat(sink->dir_fd, sink->tmp_name, 0);
    }
    release_beside(sink);
    return rc;
}
