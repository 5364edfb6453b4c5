/*
 * gex: the command line. Parses options into a struct, validates, dispatches, and cleans up in
 * one place. Calls the public API (include/gex/) and the rendering layer (src/render/render.h,
 * through cli.h), and loads the charts and the server as modules: nothing of the library's
 * internals (doc/manual.md: the layers only look down).
 */
#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli.h"

/* For the commands that read many files one after another (history, screen, serve): glibc
 * gives a freed block of more than 128 KB (a chain's arrays: 420 KB each at 50,000 contracts)
 * back to the kernel, and the next file's arrays then fault in every page again, zeroed (8 %
 * of a cold `gex history`). Blocks up to 32 MB (glibc's most) now come from the heap, and up
 * to 256 MB of free heap is kept for the next file. */
static void keep_freed_memory(void)
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
}

/* Opens /dev/null onto each of descriptors 0-2 that is closed (a program started with 2>&-, or
 * by a daemon that closed them). Otherwise the next open takes the number: the -o temporary
 * file or a served connection would become standard error, and warnings would go into the
 * output file or the HTTP reply. Each is opened the wrong way round (gnulib's stdopen does the
 * same): a read of standard input or a write to standard output still fails with EBADF, as on
 * the closed descriptor, so output written nowhere is still an error. open(2) returns the
 * lowest free descriptor, and 0-2 are tested in order, so each open lands on the one tested.
 * Returns 0, or -1 when /dev/null cannot be opened (nothing can be said then: standard error
 * may be the descriptor missing). */
static int std_descriptors_open(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        const int null_fd = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (null_fd != fd) {
            if (null_fd >= 0)
                close(null_fd);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (std_descriptors_open() != 0)
        return CLI_EXIT_INTERNAL;

    /* The library checks every GSL status it receives; GSL's default handler would abort the
     * program instead. Only the program touches this global. */
    gsl_set_error_handler_off();
    /* A write beyond the file size limit (ulimit -f) would kill the program with SIGXFSZ, no
     * message, the output cut short; ignored, write(2) fails with EFBIG instead, which the
     * output's error path reports (exit 4, "writing the output failed: File too large"). */
    signal(SIGXFSZ, SIG_IGN);

    if (argc >= 2 && (strcmp(argv[1], "serve") == 0 || strcmp(argv[1], "history") == 0 ||
                      strcmp(argv[1], "screen") == 0))
        keep_freed_memory();

    /* serve has options of its own (--port, --bind, ...) and runs until stopped. */
    if (argc >= 2 && strcmp(argv[1], "serve") == 0)
        return cli_run_serve(argc - 1, argv + 1);
    /* api answers one request as serve would, with serve's options. */
    if (argc >= 2 && strcmp(argv[1], "api") == 0)
        return cli_run_api(argc - 1, argv + 1);

    cli_options opts;
    int rc = cli_options_parse(argc, argv, &opts);
    if (rc >= 0)
        return rc;

    cli_sink sink;
    rc = cli_sink_open(&sink, opts.output);
    if (rc != CLI_EXIT_OK)
        return rc;

    switch (opts.command) {
    case CLI_CMD_GREEKS:
    case CLI_CMD_GEX:
    case CLI_CMD_DEX:
    case CLI_CMD_VEX:
    case CLI_CMD_CHEX:
    case CLI_CMD_EXPOSURE:
    case CLI_CMD_LEVELS:
    case CLI_CMD_SUMMARY:
    case CLI_CMD_PROFILE:
    case CLI_CMD_EXPIRATIONS:
    case CLI_CMD_CARRY:
    case CLI_CMD_VIX:
        rc = cli_cmd_show(&opts, sink.fp);
        break;
    case CLI_CMD_SCREEN:
        rc = cli_cmd_screen(&opts, sink.fp);
        break;
    case CLI_CMD_VALIDATE:
        rc = cli_cmd_validate(&opts, sink.fp);
        break;
    case CLI_CMD_PLOT:
        rc = cli_run_plot(&opts, sink.fp);
        break;
    case CLI_CMD_HISTORY:
        rc = cli_run_history(&opts, sink.fp);
        break;
    default:
        rc = CLI_EXIT_INTERNAL;
        break;
    }

    /* Output is kept when the command produced its document: success, validate's "differs",
     * and screen's, history's and the history chart's "some files failed" with rows from the
     * others (CLI_EXIT_INPUT_KEPT). */
    const int keep = rc == CLI_EXIT_OK || rc == CLI_EXIT_DIFF || rc == CLI_EXIT_INPUT_KEPT;
    const int partial = rc == CLI_EXIT_INPUT_KEPT;
    if (partial)
        rc = CLI_EXIT_INPUT;
    const int close_rc = cli_sink_close(&sink, keep);
    if (close_rc != CLI_EXIT_OK && (rc == CLI_EXIT_OK || rc == CLI_EXIT_DIFF))
        rc = close_rc;
    /* A chart goes to a file, so a successful plot says where (the terminal shows nothing else). */
    if ((rc == CLI_EXIT_OK || (partial && close_rc == CLI_EXIT_OK)) &&
        opts.command == CLI_CMD_PLOT && !opts.quiet)
        cli_error(NULL, 0, "wrote %s%s", opts.output,
                  partial ? " from the files that could be read" : "");
    return rc;
}
