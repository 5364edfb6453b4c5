/*
 * modules.c: the program's modules, loaded by the commands that use them: gex-plot (the
 * charts, with cairo and its fonts) for gex plot and a terminal's strike bars, gex-serve (the
 * HTTP server) for gex serve, gex-history (the history command and its SQLite store) for gex
 * history. Every other command starts without those libraries.
 *
 * A module is looked for beside the executable (the build tree, or a relocated install), then
 * in the module folder of the installation (GEX_MODULE_DIR). Modules use the program's own
 * functions (its messages, pipeline and documents), which the executable exports.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef GEX_MODULE_DIR
#define GEX_MODULE_DIR "/usr/local/lib/gex"
#endif

/* Whether dlopen failed for want of memory (under ulimit -v, say) rather than a module or
 * library that is missing or broken: the dynamic loader's texts for a mapping or an allocation
 * that failed, or errno (which glibc's loader sets to ENOMEM for some of them, not all). */
static int load_lacked_memory(const char *e, int err)
{
    return err == ENOMEM || (e != NULL && (strstr(e, "failed to map segment") != NULL ||
                                           strstr(e, "cannot map zero-fill") != NULL ||
                                           strstr(e, "Cannot allocate memory") != NULL ||
                                           strstr(e, "out of memory") != NULL));
}

/* dlopen's handle, or NULL with what dlerror said in why and *no_memory set when it failed for
 * want of memory. */
static void *open_at(const char *dir, const char *name, char *why, size_t why_size, int *no_memory)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s.so", dir, name) >= (int)sizeof path)
        return NULL;
    if (access(path, F_OK) != 0)
        return NULL;
    /* RTLD_NODELETE: a module and the libraries it brought stay mapped after dlclose, so that
     * what their own globals still hold (cairo's and fontconfig's caches) is not taken for a
     * leak, and loading it again in the same run costs nothing. */
    errno = 0;
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (handle == NULL) {
        const int err = errno;
        const char *e = dlerror();
        snprintf(why, why_size, "%s", e != NULL ? e : "dlopen refused it");
        *no_memory = load_lacked_memory(e, err);
    }
    return handle;
}

void *cli_module_open(const char *name)
{
    char why[512] = "";
    int no_memory = 0;
    void *handle = NULL;
    char exe[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            handle = open_at(exe, name, why, sizeof why, &no_memory);
        }
    }
    if (handle == NULL && why[0] == '\0')
        handle = open_at(GEX_MODULE_DIR, name, why, sizeof why, &no_memory);
    if (handle == NULL && no_memory)
        cli_error(NULL, 0,
                  "cannot load the module %s: %s: out of memory (a limit such as ulimit -v too "
                  "low for the libraries it loads): raise the limit, or free memory",
                  name, why);
    else if (handle == NULL)
        cli_error(NULL, 0,
                  "cannot load the module %s%s%s: rebuild gex (ninja -C build) or reinstall it "
                  "(meson install -C build)",
                  name,
                  why[0] != '\0' ? ": "
                                 : " (not found beside the program nor in " GEX_MODULE_DIR ")",
                  why);
    return handle;
}

/* The address of a function of a module (POSIX: dlsym's object pointer converts to a function
 * pointer); NULL when missing, with a message. */
static void *module_function(void *handle, const char *name, const char *symbol)
{
    void *p = dlsym(handle, symbol);
    if (p == NULL)
        cli_error(NULL, 0, "the module %s has no %s: reinstall gex", name, symbol);
    return p;
}

void cli_module_close(void *handle)
{
    if (handle != NULL)
        dlclose(handle);
}

/* Runs the command function symbol of the module name on (opts, out): gex plot, gex history.
 * Its exit status, or CLI_EXIT_INTERNAL when the module or the function is missing. */
static int run_on_options(const char *name, const char *symbol, const cli_options *opts, FILE *out)
{
    void *m = cli_module_open(name);
    if (m == NULL)
        return CLI_EXIT_INTERNAL;
    int (*cmd)(const cli_options *, FILE *);
    *(void **)&cmd = module_function(m, name, symbol);
    const int rc = cmd != NULL ? cmd(opts, out) : CLI_EXIT_INTERNAL;
    cli_module_close(m);
    return rc;
}

/* The same for a command that parses its own arguments: gex serve, gex api. */
static int run_on_arguments(const char *name, const char *symbol, int argc, char **argv)
{
    void *m = cli_module_open(name);
    if (m == NULL)
        return CLI_EXIT_INTERNAL;
    int (*cmd)(int, char **);
    *(void **)&cmd = module_function(m, name, symbol);
    const int rc = cmd != NULL ? cmd(argc, argv) : CLI_EXIT_INTERNAL;
    cli_module_close(m);
    return rc;
}

int cli_run_plot(const cli_options *opts, FILE *out)
{
    return run_on_options("gex-plot", "cli_cmd_plot", opts, out);
}

int cli_run_serve(int argc, char **argv)
{
    return run_on_arguments("gex-serve", "cli_cmd_serve", argc, argv);
}

int cli_run_api(int argc, char **argv)
{
    return run_on_arguments("gex-serve", "cli_cmd_api", argc, argv);
}

int cli_run_history(const cli_options *opts, FILE *out)
{
    return run_on_options("gex-history", "cli_cmd_history", opts, out);
}

int cli_history_rows(const cli_options *opts, cli_history *out)
{
    memset(out, 0, sizeof *out);
    void *m = cli_module_open("gex-history");
    if (m == NULL)
        return CLI_EXIT_INTERNAL;
    int (*collect)(const cli_options *, cli_history *);
    *(void **)&collect = module_function(m, "gex-history", "cli_history_collect");
    const int rc = collect != NULL ? collect(opts, out) : CLI_EXIT_INTERNAL;
    cli_module_close(m); /* RTLD_NODELETE: what it allocated stays valid */
    return rc;
}

void cli_history_release(cli_history *h)
{
    free(h->rows);
    cli_inputs_free(&h->inputs);
    free(h->store_path);
    memset(h, 0, sizeof *h);
}

int cli_plot_terminal(const cli_options *opts, const gex__analysis *a, gex_plot_kind kind,
                      FILE *out)
{
    /* Bars only for a person at a terminal: through a pipe or into a file the table is all,
     * and the charts' libraries are not loaded. */
    if (out != stdout || !isatty(STDOUT_FILENO))
        return CLI_EXIT_OK;
    void *m = cli_module_open("gex-plot");
    if (m == NULL)
        return CLI_EXIT_INTERNAL;
    int (*bars)(const cli_options *, const gex__analysis *, gex_plot_kind, FILE *);
    *(void **)&bars = module_function(m, "gex-plot", "cli_plot_terminal_bars");
    const int rc = bars != NULL ? bars(opts, a, kind, out) : CLI_EXIT_INTERNAL;
    cli_module_close(m);
    return rc;
}

int cli_plot_parse(const char *kind_name, gex_plot_kind *kind, const char *path,
                   gex_plot_format *format)
{
    void *m = cli_module_open("gex-plot");
    if (m == NULL)
        return -1;
    int rc = 0;
    if (kind_name != NULL) {
        int (*parse)(const char *, gex_plot_kind *);
        *(void **)&parse = module_function(m, "gex-plot", "gex_plot_kind_parse");
        rc = parse != NULL && parse(kind_name, kind) == GEX_OK ? 0 : 1;
    }
    if (path != NULL) {
        int (*from_path)(const char *, gex_plot_format *);
        *(void **)&from_path = module_function(m, "gex-plot", "gex_plot_format_from_path");
        rc = from_path != NULL && from_path(path, format) == GEX_OK ? 0 : 1;
    }
    cli_module_close(m);
    return rc;
}
