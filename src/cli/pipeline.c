/*
 * pipeline.c: the one way every command reads a chain: read, prepare (T, IV, statuses), check
 * that one underlying with a spot is left, compute exposures and levels. Messages for each
 * failure are printed here, once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* One stderr line for the rows the reader skipped (SPEC 2, lenient mode). */
static void report_skipped(cli_messages *to, const char *path, const gex_read_report *r)
{
    size_t total = 0;
    long first = 0;
    char reasons[512] = "";
    size_t len = 0;
    for (int i = 0; i < GEX_SKIP_REASON_COUNT; i++) {
        if (r->skipped[i] == 0)
            continue;
        total += r->skipped[i];
        if (r->first_line[i] > 0 && (first == 0 || r->first_line[i] < first))
            first = r->first_line[i];
        int w = snprintf(reasons + len, sizeof reasons - len, "%s%s %zu", len ? ", " : "",
                         gex_skip_reason_name(i), r->skipped[i]);
        if (w > 0 && (size_t)w < sizeof reasons - len)
            len += (size_t)w;
    }
    if (total == 0)
        return;
    /* In these layouts a row holds a call and a put, and a bad side is skipped alone: the
     * counts are of rows and of sides of rows, so "4 of 4 rows" would read as nothing kept. */
    const int two_sided = r->format == GEX_FORMAT_CBOE_CSV || r->format == GEX_FORMAT_CBOE_LEGACY ||
                          r->format == GEX_FORMAT_THINKORSWIM_CSV ||
                          r->format == GEX_FORMAT_NSE_CSV || r->format == GEX_FORMAT_OPTIONSDX;
    const char *at = first > 0 ? ", the first on this line" : "";
    const char *of_rows = r->rows == 1 ? "row" : "rows";
    if (two_sided)
        cli_say(to, path, first,
                "skipped %zu bad %s (a row holds a call and a put) of %zu %s (%s)%s; --strict "
                "makes a bad row an error",
                total, total == 1 ? "row or side of a row" : "rows or sides of rows", r->rows,
                of_rows, reasons, at);
    else
        cli_say(to, path, first, "skipped %zu of %zu %s (%s)%s; --strict makes a bad row an error",
                total, r->rows, of_rows, reasons, at);
}

/* Whether a read that failed with status st found what the caller takes as no error (the bits
 * of *lacks on entry): only other underlyings than --symbol's (the reader's "no contracts of
 * SYM in the file"), and no bad row that could have been the symbol's (CLI_LACKS_SYMBOL); or no
 * snapshot at --at (CLI_LACKS_AT). Where lacks is not NULL, *lacks becomes the one found (0:
 * none, or one not taken: then the read's error is said). */
static int lacks_wanted(const cli_options *opts, int st, const gex_read_report *read, int *lacks)
{
    if (lacks == NULL)
        return 0;
    size_t skipped = 0;
    for (int k = 0; k < GEX_SKIP_REASON_COUNT; k++)
        skipped += read->skipped[k];
    const int found =
        st == GEX_EEMPTY && opts->read.symbol != NULL && read->other_symbol > 0 && skipped == 0
            ? CLI_LACKS_SYMBOL
        : st == GEX_EPARSE && opts->read.has_at && read->at_missing ? CLI_LACKS_AT
                                                                    : 0;
    *lacks &= found;
    return *lacks;
}

void cli_say_now_merges(cli_messages *to, const char *path, int64_t now, size_t snapshots,
                        const char *what)
{
    char iso[40];
    gex_time_format_iso(now, iso, sizeof iso);
    cli_say(to, path, 0,
            "--now dates every snapshot at %s, so the %zu snapshots of %s read would be one: "
            "leave --now out (each snapshot is dated by its own quote instant), or read one with "
            "--at",
            iso, snapshots, what);
}

void cli_say_none_holds(const cli_options *opts, int lacks)
{
    char at[40] = "";
    if (opts->read.has_at)
        gex_time_format_iso(opts->read.at, at, sizeof at);
    if (lacks == CLI_LACKS_SYMBOL)
        cli_error(NULL, 0, "no file read holds %s (--symbol); check the symbol", opts->read.symbol);
    else if (lacks == CLI_LACKS_AT)
        cli_error(NULL, 0, "no file read holds a snapshot at %s (--at); check --at", at);
    else
        cli_error(NULL, 0,
                  "no file read holds %s at %s (--symbol, --at); check the symbol and --at",
                  opts->read.symbol, at);
}

/* A --settle root that no contract of a command's one file has (a typo: "SPXX", "SPX W")
 * changes nothing: said. The commands of many files (screen, history, the server's folder) do
 * not say it per file, where most files lack any one root. */
static void say_settle_unmatched(cli_messages *to, const cli_options *opts, const char *path,
                                 const gex_chain *chain)
{
    if (opts->quiet || opts->command == CLI_CMD_SCREEN || opts->command == CLI_CMD_HISTORY ||
        opts->command == CLI_CMD_SERVE || opts->command == CLI_CMD_API)
        return;
    gex_chain_view v;
    gex_chain_get_view(chain, &v);
    for (size_t k = 0; k < opts->read.n_settle && v.n > 0; k++) {
        const char *root = opts->read.settle[k].root;
        size_t i = 0;
        while (i < v.n && strcasecmp(gex_chain_symbol(chain, v.root[i]), root) != 0)
            i++;
        if (i == v.n)
            cli_say(to, path, 0,
                    "warning: --settle %s=%s: no contract of the file has the root %s, so it "
                    "changes nothing (the roots are the option symbols' letters: SPX, SPXW, ...)",
                    root, opts->read.settle[k].style == GEX_SETTLE_AM ? "am" : "pm", root);
    }
}

static int read_chain(cli_messages *to, const cli_options *opts, const char *path, FILE *fp,
                      gex_chain **chain, gex_read_report *read, int *lacks)
{
    gex_error err;
    gex_error_clear(&err);
    memset(read, 0, sizeof *read);
    *chain = NULL;
    const int st = fp != NULL ? gex_chain_read_file(fp, path, &opts->read, chain, read, &err)
                              : gex_chain_read_path(path, &opts->read, chain, read, &err);
    if (lacks_wanted(opts, st, read, lacks))
        return CLI_EXIT_OK;
    if (st != GEX_OK)
        return cli_report_to(to, st, &err, path);
    if (read->warning[0] != '\0' && !opts->quiet)
        cli_say(to, path, 0, "warning: %s", read->warning);
    say_settle_unmatched(to, opts, path, *chain);
    report_skipped(to, path, read);
    return CLI_EXIT_OK;
}

int cli_read(cli_messages *to, const cli_options *opts, const char *path, gex_chain **chain,
             gex_read_report *read, int *lacks)
{
    return read_chain(to, opts, path, NULL, chain, read, lacks);
}

int cli_read_snapshots(cli_messages *to, const cli_options *opts, const char *path,
                       gex_chain ***chains, size_t *n, gex_read_report *read, int *lacks,
                       size_t *refused)
{
    gex_error err;
    gex_error_clear(&err);
    memset(read, 0, sizeof *read);
    *chains = NULL;
    *n = 0;
    *refused = 0;
    gex_read_report *reports = NULL;
    const int st = gex_chain_read_snapshots(path, &opts->read, chains, &reports, n, read, &err);
    if (lacks_wanted(opts, st, read, lacks))
        return CLI_EXIT_OK;
    if (st != GEX_OK)
        return cli_report_to(to, st, &err, path);
    if (read->warning[0] != '\0' && !opts->quiet)
        cli_say(to, path, 0, "warning: %s", read->warning);
    /* Of a file of several snapshots, each one's own warnings, named by its instant, or why
     * it is refused; the snapshots made are kept, in order. */
    size_t kept = 0;
    for (size_t k = 0; k < *n; k++) {
        gex_chain *c = (*chains)[k];
        if (c == NULL) {
            (*refused)++;
            cli_report_to(to, reports[k].status, &reports[k].error, path);
            continue;
        }
        int64_t utc;
        char iso[40] = "";
        const char *own = reports[k].warning + reports[k].snapshot_warning;
        if (*n > 1 && own[0] != '\0' && !opts->quiet) {
            if (gex_chain_quote_time(c, &utc) == GEX_OK)
                gex_time_format_iso(utc, iso, sizeof iso);
            cli_say(to, path, 0, "warning: the snapshot at %s: %s", iso, own);
        }
        (*chains)[kept++] = c;
    }
    *n = kept;
    free(reports);
    report_skipped(to, path, read);
    return CLI_EXIT_OK;
}

int cli_read_stream(cli_messages *to, const cli_options *opts, const char *path, FILE *fp,
                    gex_chain **chain, gex_read_report *read)
{
    return read_chain(to, opts, path, fp, chain, read, NULL);
}

int cli_prepare_underlying(cli_messages *to, const cli_options *opts, const char *path,
                           const char *underlying, gex_chain *chain, gex_prepare_report *prepare)
{
    gex_error err;
    gex_error_clear(&err);
    /* The read refuses a file whose underlyings give no spot, or whose every contract has no
     * open interest; one underlying of a file of several is refused here, on its own line, and
     * the others go on. */
    int st = underlying != NULL ? gex_chain_check_spot(chain, path, &err) : GEX_OK;
    if (st == GEX_OK && underlying != NULL)
        st = gex_chain_check_open_interest(chain, path, &err);
    if (st == GEX_OK)
        st = gex_chain_prepare(chain, &opts->prepare, prepare, &err);
    /* A file of several read whole, one of which gives no spot: an input error at that
     * underlying's first row, where gex_chain_prepare calls the chain the caller's. */
    if (st == GEX_EINVAL && gex_chain_check_spot(chain, path, &err) != GEX_OK)
        st = GEX_EPARSE;
    const char *name = underlying != NULL ? underlying : "", *sep = underlying != NULL ? ": " : "";
    if (st == GEX_OK && prepare != NULL && prepare->warning[0] != '\0' && !opts->quiet)
        cli_say(to, path, 0, "warning: %s%s%s", name, sep, prepare->warning);
    if (st == GEX_OK)
        return CLI_EXIT_OK;
    if (underlying != NULL) {
        char text[2 * sizeof err.text]; /* the symbol and the whole text, then cut to fit */
        snprintf(text, sizeof text, "%s%s%s", name, sep,
                 err.text[0] != '\0' ? err.text : gex_strerror(st));
        size_t len = strlen(text);
        len = len < sizeof err.text - 1 ? len : sizeof err.text - 1;
        memcpy(err.text, text, len);
        err.text[len] = '\0';
    }
    return cli_report_to(to, st, &err, path);
}

int cli_quote_time_unreadable(cli_messages *to, const cli_options *opts, const char *path,
                              const gex_chain *chain, const gex_read_report *read, int say)
{
    int64_t quote = 0;
    if (opts->prepare.has_now || read->bad_quote_times == 0 ||
        gex_chain_quote_time(chain, &quote) == GEX_OK)
        return 0;
    if (say) {
        long line = 0;
        const char *note = gex_chain_time_note(chain, &line);
        cli_say(to, path, line, "%s", note);
    }
    return 1;
}

int cli_prepare(cli_messages *to, const cli_options *opts, const char *path, gex_chain *chain,
                gex_prepare_report *prepare)
{
    return cli_prepare_underlying(to, opts, path, NULL, chain, prepare);
}

int cli_analyze(cli_messages *to, const cli_options *opts, const char *path, gex_chain *chain,
                const gex_read_report *read, const gex_prepare_report *prepare, int need_used,
                gex__analysis *out)
{
    const int rc = cli_analyze_shared(to, opts, path, chain, read, prepare, need_used, out);
    out->chain = chain;
    out->owns_chain = 1;
    return rc;
}

int cli_analyze_shared(cli_messages *to, const cli_options *opts, const char *path,
                       const gex_chain *chain, const gex_read_report *read,
                       const gex_prepare_report *prepare, int need_used, gex__analysis *out)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    out->chain = (gex_chain *)chain; /* only cli_analyze's chain is freed (owns_chain) */
    out->read = *read;
    out->prepare = *prepare;
    gex_chain_view view;
    gex_chain_get_view(chain, &view);
    /* A chain without contracts is the analysis's to refuse ("no contracts to compute"); one
     * without a spot is refused here, as an input error that names --spot. */
    uint32_t id = 0;
    if (view.n > 0 && gex_chain_underlyings(chain, &id, 1) > 0 && !(view.spot[0] > 0.0)) {
        cli_say(to, path, 0, "%s: the file gives no spot price; give it with --spot",
                gex_chain_symbol(chain, id));
        return CLI_EXIT_INPUT;
    }
    gex_error err;
    gex_error_clear(&err);
    const int st = gex_analysis_new(chain, &opts->analysis, &out->an, &err);
    if (st != GEX_OK) {
        cli_say(to, path, 0, "%s", err.text);
        return cli_exit_status(st);
    }
    gex__analysis_fill(out);
    char refusal[GEX__NOTHING_USABLE_MAX];
    if (need_used && gex__nothing_usable(out, refusal, sizeof refusal) != GEX_OK) {
        cli_say(to, path, 0, "%s", refusal);
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}

int cli_analyze_file(const cli_options *opts, const char *path, int need_used, gex__analysis *out)
{
    memset(out, 0, sizeof *out);
    gex_chain *chain = NULL;
    gex_read_report read;
    gex_prepare_report prepare;
    /* Which underlying is asked before any of them is prepared: the question of --symbol
     * comes before one underlying's refusal (no spot) or warnings (the carry). */
    int rc = cli_read(NULL, opts, path, &chain, &read, NULL);
    if (rc != CLI_EXIT_OK)
        return rc;
    uint32_t ids[8];
    const size_t n = gex_chain_underlyings(chain, ids, 8);
    if (n > 1) {
        char list[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < n && i < 8; i++) {
            const int w = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                   gex_chain_symbol(chain, ids[i]));
            if (w < 0 || (size_t)w >= sizeof list - len)
                break;
            len += (size_t)w;
        }
        cli_error(path, 0,
                  "the file holds %zu underlyings (%s%s): choose one with --symbol, or use "
                  "gex screen",
                  n, list, n > 8 ? ", ..." : "");
        gex_chain_free(chain);
        return CLI_EXIT_USAGE;
    }
    rc = cli_prepare(NULL, opts, path, chain, &prepare);
    if (rc != CLI_EXIT_OK) {
        gex_chain_free(chain);
        return rc;
    }
    rc = cli_analyze(NULL, opts, path, chain, &read, &prepare, need_used, out);
    if (rc != CLI_EXIT_OK)
        cli_analysis_free(out);
    return rc;
}

void cli_analysis_free(gex__analysis *a)
{
    if (a == NULL)
        return;
    gex_analysis_free(a->an);
    if (a->owns_chain)
        gex_chain_free(a->chain);
    a->an = NULL;
    a->exposure = NULL;
    a->chain = NULL;
}
