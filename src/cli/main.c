/*
 * gex: the command line. Parses options into a struct, validates, dispatches, and cleans up in
 * one place; calls nothing that is not in include/gex/.
 */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
    /* The library checks every GSL status it receives; GSL's default handler would abort the
     * program instead. Only the program touches this global. */
    gsl_set_error_handler_off();

    /* serve has options of its own (--port, --bind, ...) and runs until stopped. */
    if (argc >= 2 && strcmp(argv[1], "serve") == 0)
        return gex__run_serve(argc - 1, argv + 1);

    gex__options opts;
    int rc = gex__options_parse(argc, argv, &opts);
    if (rc >= 0)
        return rc;

    gex__sink sink;
    rc = gex__sink_open(&sink, opts.output);
    if (rc != GEX__EXIT_OK)
        return rc;

    switch (opts.command) {
    case GEX__CMD_GREEKS:
    case GEX__CMD_GEX:
    case GEX__CMD_DEX:
    case GEX__CMD_VEX:
    case GEX__CMD_CHEX:
    case GEX__CMD_EXPOSURE:
    case GEX__CMD_LEVELS:
    case GEX__CMD_SUMMARY:
    case GEX__CMD_PROFILE:
        rc = gex__cmd_show(&opts, sink.fp);
        break;
    case GEX__CMD_SCREEN:
        rc = gex__cmd_screen(&opts, sink.fp);
        break;
    case GEX__CMD_VALIDATE:
        rc = gex__cmd_validate(&opts, sink.fp);
        break;
    case GEX__CMD_PLOT:
        rc = gex__run_plot(&opts, sink.fp);
        break;
    default:
        rc = GEX__EXIT_INTERNAL;
        break;
    }

    /* Output is kept when the command produced its document: success, validate's "differs",
     * and screen's "some files failed". */
    const int keep = rc == GEX__EXIT_OK || rc == GEX__EXIT_DIFF ||
                     (rc == GEX__EXIT_INPUT && opts.command == GEX__CMD_SCREEN);
    const int close_rc = gex__sink_close(&sink, keep);
    if (close_rc != GEX__EXIT_OK && (rc == GEX__EXIT_OK || rc == GEX__EXIT_DIFF))
        rc = close_rc;
    return rc;
}
