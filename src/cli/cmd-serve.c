/*
 * gex serve [--port 8787] [--bind 127.0.0.1] [--api-key-file FILE] [--threads N] DIR
 *
 * Serves the remote API's exposure endpoints from the chain files in DIR (SPEC 5). Runs until
 * SIGINT or SIGTERM, then stops accepting, lets the open requests finish and exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "serve-internal.h"

static void serve_usage(FILE *out)
{
    fputs("usage: gex serve [--port N] [--bind ADDRESS] [--api-key-file FILE] [--threads N] DIR\n"
          "\n"
          "Answers the vendor's API from the chain files in DIR: GET\n"
          "/v1/exposure/{gex,dex,vex,chex,levels,summary}/{symbol} (query:\n"
          "expiration=yyyy-MM-dd|0dte, min_oi=N) from the newest file holding the symbol, with\n"
          "the JSON `gex COMMAND --format json` prints for it, and the other endpoints that\n"
          "`gex api --list` lists; `gex api PATH DIR` prints one answer.\n"
          "\n"
          "  --port N             TCP port (default 8787; 0 picks a free one, printed at start)\n"
          "  --bind ADDRESS       IPv4 or IPv6 address to listen on (default 127.0.0.1)\n"
          "  --api-key-file FILE  require the key on FILE's first line in the X-Api-Key header\n"
          "                       (or ?apiKey=); also from the environment: GEX_API_KEY\n"
          "  --api-key KEY        the same, but every local user sees KEY in ps: prefer the above\n"
          "  --threads N          worker threads (default: one per CPU)\n"
          "  --max-per-client N   connections from one client address (default 64)\n"
          "  --now-from-mtime     a file without a quote instant of its own takes its\n"
          "                       modification time (else it is left out of time order)\n"
          "Every endpoint of a snapshot takes at=INSTANT (ISO 8601; no zone: New York) or\n"
          "date=YYYY-MM-DD (New York): the latest snapshot at or before it (SPEC 5.5).\n"
          "These options of the other commands apply to every answer, as on their command\n"
          "line: --now TIME, --rate R, --div Q, --carry C, --exercise E, --max-dte N,\n"
          "--gex-unit U, --flip-method M, --iv-source S, --strict, --multiplier M,\n"
          "--settle ROOT=am|pm.\n"
          "Stops on SIGINT or SIGTERM. One access-log line per request on standard error.\n",
          out);
}

/* The options of the other commands that a server applies to every answer; the request
 * controls --symbol, --expiration and --min-oi, and the server --format. */
static const struct {
    const char *name;
    int has_value;
} passed_on[] = {
    {"--now", 1},        {"--rate", 1},        {"--div", 1},       {"--max-dte", 1},
    {"--gex-unit", 1},   {"--flip-method", 1}, {"--iv-source", 1}, {"--strict", 0},
    {"--multiplier", 1}, {"--settle", 1},      {"--carry", 1},     {"--exercise", 1},
};

int cli_serve_passed_on(const char *name)
{
    for (size_t k = 0; k < sizeof passed_on / sizeof passed_on[0]; k++) {
        if (strcmp(name, passed_on[k].name) == 0)
            return passed_on[k].has_value;
    }
    return -1;
}

int cli_serve_take_passed_on(int argc, char **argv, int *i, cli_serve_extra *extra, const char *cmd,
                             const char *answers)
{
    const char *a = argv[*i];
    const int passed = cli_serve_passed_on(a);
    if (passed < 0)
        return 0;
    if (passed && *i + 1 >= argc) {
        cli_error(NULL, 0, "%s: %s needs a value (see gex %s --help)", cmd, a, cmd);
        return -1;
    }
    if (extra->n + 2 > 2 * CLI_SERVE_EXTRA_MAX) {
        cli_error(NULL, 0, "%s: at most %d options for the %s", cmd, CLI_SERVE_EXTRA_MAX, answers);
        return -1;
    }
    extra->arg[extra->n++] = argv[*i];
    if (passed)
        extra->arg[extra->n++] = argv[++*i];
    return 1;
}

int cli_serve_unknown_option(const char *cmd, const char *a, const char *const *own, size_t n_own)
{
    const char *names[32];
    size_t n = 0;
    for (size_t k = 0; k < n_own && n < sizeof names / sizeof names[0]; k++)
        names[n++] = own[k];
    for (size_t k = 0; k < sizeof passed_on / sizeof passed_on[0]; k++)
        if (n < sizeof names / sizeof names[0])
            names[n++] = passed_on[k].name;
    char typed[64]; /* "--name=value" is no option of these either: its name is what was meant */
    snprintf(typed, sizeof typed, "%.*s", (int)strcspn(a, "="), a);
    const char *near = cli_nearest_name(typed, names, sizeof names[0], n);
    /* the options of serve and api that take no value: "--strict=yes" is told so, not to give
     * the value apart */
    static const char *const flags[] = {"--help", "--list", "--now-from-mtime"};
    int flag = cli_serve_passed_on(typed) == 0;
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
        flag |= strcmp(typed, flags[k]) == 0;
    if (near != NULL && strcmp(near, typed) == 0 && flag) /* "--strict=yes" */
        cli_error(NULL, 0, "%s: unknown option %s: %s takes no value (see gex %s --help)", cmd, a,
                  typed, cmd);
    else if (near != NULL && strcmp(near, typed) == 0) /* "--port=80" */
        cli_error(NULL, 0, "%s: unknown option %s: give the value apart, %s %s", cmd, a, typed,
                  a + strlen(typed) + 1);
    else if (near != NULL)
        cli_error(NULL, 0, "%s: unknown option %s: did you mean %s? (see gex %s --help)", cmd, a,
                  near, cmd);
    else
        cli_error(NULL, 0, "%s: unknown option %s (see gex %s --help)", cmd, a, cmd);
    return CLI_EXIT_USAGE;
}

int cli_serve_parse_passed_on(char **extra, size_t n_extra, cli_options *opts)
{
    char a_gex[] = "gex", a_levels[] = "levels", a_file[] = "DIR/FILE";
    char *argv[2 * CLI_SERVE_EXTRA_MAX + 4];
    int argc = 0;
    argv[argc++] = a_gex;
    argv[argc++] = a_levels;
    for (size_t i = 0; i < n_extra; i++)
        argv[argc++] = extra[i];
    argv[argc++] = a_file;
    argv[argc] = NULL;
    const int rc = cli_options_parse(argc, argv, opts);
    /* parsed as levels' (the analysis every answer shares), read as the server's: one file of a
     * folder, which the remarks meant for a command's one file do not concern (pipeline.c) */
    opts->command = CLI_CMD_SERVE;
    return rc;
}

/* The longest API key read from a file or the environment. */
#define API_KEY_MAX 1024

/* Reads the API key from the first line of path into key (its line end dropped). Returns 0, or
 * -1 after printing why. */
static int read_key_file(const char *path, char *key, size_t size)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        cli_error(NULL, 0, "%s: %s (--api-key-file)", path, strerror(errno));
        return -1;
    }
    char line[API_KEY_MAX + 2];
    const int got = fgets(line, sizeof line, fp) != NULL;
    const int failed = ferror(fp);
    fclose(fp);
    if (failed) {
        cli_error(NULL, 0, "%s: cannot read the API key file", path);
        return -1;
    }
    size_t len = got ? strcspn(line, "\r\n") : 0;
    if (got && line[len] == '\0' && len > API_KEY_MAX) {
        cli_error(NULL, 0, "%s: the API key is longer than %d bytes", path, API_KEY_MAX);
        return -1;
    }
    if (len == 0) {
        cli_error(NULL, 0, "%s: the first line is empty: put the API key on it", path);
        return -1;
    }
    if (len >= size)
        len = size - 1;
    memcpy(key, line, len);
    key[len] = '\0';
    return 0;
}

/* A whole decimal number in [lo, hi]. */
static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* A number option's value that is missing or out of range (what: the range, as words). */
static int bad_number(const char *option, const char *what, const char *v)
{
    if (v == NULL)
        cli_error(NULL, 0, "serve: %s needs a value: %s", option, what);
    else
        cli_error(NULL, 0, "serve: %s needs %s, not '%s'", option, what, v);
    return CLI_EXIT_USAGE;
}

int cli_cmd_serve(int argc, char **argv)
{
    static const char *const own[] = {"--help",           "--port",         "--bind",
                                      "--api-key",        "--api-key-file", "--max-per-client",
                                      "--now-from-mtime", "--threads"};
    cli_serve_config cfg;
    cli_serve_config_default(&cfg);
    const char *dir = NULL;
    cli_serve_extra extra;
    memset(&extra, 0, sizeof extra);
    const char *key_file = NULL;
    char file_key[API_KEY_MAX + 1];
    /* argv[0] is the command name ("serve"). */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long n = 0;
        const int taken = cli_serve_take_passed_on(argc, argv, &i, &extra, "serve", "answers");
        if (taken < 0)
            return CLI_EXIT_USAGE;
        if (taken)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            serve_usage(stdout);
            return cli_stdout_done();
        } else if (strcmp(a, "--port") == 0) {
            if (parse_uint(v, 0, 65535, &n) != 0)
                return bad_number(a, "a port number 0 to 65535", v);
            cfg.port = (unsigned)n;
            i++;
        } else if (strcmp(a, "--bind") == 0) {
            if (v == NULL) {
                cli_error(NULL, 0, "serve: --bind needs an address (127.0.0.1, ::1, ...)");
                return CLI_EXIT_USAGE;
            }
            /* the server reads it so (serve-http.c); refused here, before the folder is read */
            struct in6_addr addr;
            if (inet_pton(AF_INET, v, &addr) != 1 && inet_pton(AF_INET6, v, &addr) != 1) {
                cli_error(NULL, 0,
                          "serve: --bind '%s' is not an IPv4 or IPv6 address: give one, e.g. "
                          "127.0.0.1 or ::1 (0.0.0.0 or :: for every interface)",
                          v);
                return CLI_EXIT_USAGE;
            }
            cfg.bind = v;
            i++;
        } else if (strcmp(a, "--api-key") == 0) {
            if (v == NULL || *v == '\0') {
                cli_error(NULL, 0, "serve: --api-key needs a non-empty key");
                return CLI_EXIT_USAGE;
            }
            cfg.api_key = v;
            i++;
        } else if (strcmp(a, "--api-key-file") == 0) {
            if (v == NULL || *v == '\0') {
                cli_error(NULL, 0, "serve: --api-key-file needs the name of a file");
                return CLI_EXIT_USAGE;
            }
            key_file = v;
            i++;
        } else if (strcmp(a, "--max-per-client") == 0) {
            if (parse_uint(v, 1, 65535, &n) != 0)
                return bad_number(a, "a number 1 to 65535", v);
            cfg.max_per_client = (unsigned)n;
            i++;
        } else if (strcmp(a, "--now-from-mtime") == 0) {
            cfg.now_from_mtime = 1; /* the index places undated files, the engine dates them */
        } else if (strcmp(a, "--threads") == 0) {
            if (parse_uint(v, 1, 256, &n) != 0)
                return bad_number(a, "a number 1 to 256", v);
            cfg.threads = (unsigned)n;
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_serve_unknown_option("serve", a, own, sizeof own / sizeof own[0]);
        } else if (dir != NULL) {
            cli_error(NULL, 0, "serve: one folder only (got %s and %s)", dir, a);
            return CLI_EXIT_USAGE;
        } else {
            dir = a;
        }
    }
    if (dir == NULL) {
        cli_error(NULL, 0, "serve: name the folder of chain files to serve");
        serve_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    /* The key: --api-key-file or --api-key (one of them), else GEX_API_KEY. */
    if (key_file != NULL && cfg.api_key != NULL) {
        cli_error(NULL, 0, "serve: --api-key and --api-key-file: give one of them");
        return CLI_EXIT_USAGE;
    }
    if (key_file != NULL) {
        if (read_key_file(key_file, file_key, sizeof file_key) != 0)
            return CLI_EXIT_INPUT;
        cfg.api_key = file_key;
    } else if (cfg.api_key == NULL) {
        const char *env = getenv("GEX_API_KEY");
        if (env != NULL && *env != '\0') {
            if (strlen(env) > API_KEY_MAX) {
                cli_error(NULL, 0, "serve: GEX_API_KEY is longer than %d bytes", API_KEY_MAX);
                return CLI_EXIT_USAGE;
            }
            cfg.api_key = env;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0) {
        cli_error(NULL, 0, "%s: %s", dir, strerror(errno));
        return CLI_EXIT_INPUT;
    }
    if (!S_ISDIR(st.st_mode)) {
        cli_error(NULL, 0, "%s: not a folder: gex serve takes the folder holding the chain files",
                  dir);
        return CLI_EXIT_INPUT;
    }
    /* Files are named DIR/NAME with DIR as given (trailing slashes dropped), so that the
     * "file" of an answer's meta is what `gex COMMAND DIR/NAME` prints. */
    char given[PATH_MAX];
    size_t dir_len = strlen(dir);
    while (dir_len > 1 && dir[dir_len - 1] == '/')
        dir_len--;
    if (dir_len >= sizeof given) {
        cli_error(NULL, 0, "%s: the path is too long", dir);
        return CLI_EXIT_INPUT;
    }
    memcpy(given, dir, dir_len);
    given[dir_len] = '\0';
    cfg.dir = given;
    cli_options answer_opts;
    int rc = cli_serve_parse_passed_on(extra.arg, extra.n, &answer_opts);
    if (rc >= 0)
        return rc;
    answer_opts.now_from_mtime = cfg.now_from_mtime;
    cli_serve_engine *engine = cli_serve_engine_new(&answer_opts);
    if (engine == NULL) {
        cli_error(NULL, 0, "serve: out of memory");
        return CLI_EXIT_INTERNAL;
    }
    cfg.backend.symbols = cli_serve_chain_symbols;
    cfg.backend.render = cli_serve_chain_render;
    cfg.backend.ctx = engine;

    /* SIGINT and SIGTERM are blocked before the worker threads exist, so they inherit the
     * mask and only this thread, waiting in sigwait(), ever receives them. A peer closing a
     * connection mid-answer must not kill the server: SIGPIPE is ignored. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    cli_server *server = NULL;
    char text[512];
    if (cli_server_start(&cfg, &server, text, sizeof text) != 0) {
        cli_error(NULL, 0, "serve: %s", text);
        cli_serve_engine_free(engine);
        return CLI_EXIT_INTERNAL;
    }
    int v6 = strchr(cfg.bind, ':') != NULL;
    fprintf(stderr,
            "gex serve: serving %s at http://%s%s%s:%u/v1/exposure/gex/{symbol} and the other "
            "endpoints of `gex api --list`\n",
            given, v6 ? "[" : "", cfg.bind, v6 ? "]" : "", cli_server_port(server));
    fflush(stderr);

    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "gex serve: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    cli_serve_cache_stats cs;
    cli_server_cache_stats(server, &cs);
    cli_server_stop(server);
    cli_serve_engine_free(engine);
    fprintf(stderr, "gex serve: stopped (cache: %zu hits, %zu misses, %zu evictions)\n", cs.hits,
            cs.misses, cs.evictions);
    return CLI_EXIT_OK;
}
