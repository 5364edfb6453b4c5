/*
 * gex: the command line. Parses options into a struct, validates, dispatches, and cleans up in
 * one place; calls nothing that is not in include/gex/.
 */
#include <stdio.h>
#include <string.h>

#include "gex/gex.h"

enum { EXIT_OK = 0, EXIT_DIFF = 1, EXIT_USAGE = 2, EXIT_INPUT = 3, EXIT_INTERNAL = 4 };

static void usage(FILE *out)
{
    fputs("usage: gex COMMAND [options] FILE...\n"
          "       gex --help | --version\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("gex %s\n", gex_version());
        return EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    usage(stderr);
    return EXIT_USAGE;
}
