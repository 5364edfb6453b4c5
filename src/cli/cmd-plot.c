/*
 * cmd-plot.c: gex plot, the exposure charts (SVG, PNG or PDF after -o FILE's extension), and
 * the per-strike block-character bars that summary and the gex table add in a terminal, and the
 * history chart of a folder (gex history's rows, from the module gex-history). The
 * drawing is libgex-plot's (gex/plot.h); this file, the program's module gex-plot (modules.c
 * loads it), gathers the options and the analysis for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

/* Strikes shown as terminal bars: about half a 50-line terminal, the band traders watch. */
#define TERMINAL_STRIKES 24
/* The width when the terminal does not say (ioctl TIOCGWINSZ) and COLUMNS is unset. */
#define TERMINAL_DEFAULT_WIDTH 80

/* The module's entry points (found by name, modules.c). */
int cli_cmd_plot(const cli_options *opts, FILE *out);
int cli_plot_terminal_bars(const cli_options *opts, const gex__analysis *a, gex_plot_kind kind,
                           FILE *out);

/* gex plot --kind history: gex history's rows of one underlying, drawn over time. */
static int plot_history(const cli_options *opts, gex_plot_format format, FILE *out)
{
    cli_history h;
    int rc = cli_history_rows(opts, &h);
    if (h.rows == NULL)
        return rc;
    int st = GEX_OK;
    gex_snapshot *s = malloc((h.n + 1) * sizeof *s);
    if (s == NULL)
        st = GEX_ENOMEM;
    /* rows are in time order, underlyings interleaved: one underlying is drawn */
    for (size_t i = 1; st == GEX_OK && i < h.n; i++)
        if (strcmp(h.rows[i].snap.symbol, h.rows[0].snap.symbol) != 0) {
            cli_error(NULL, 0,
                      "the history holds several underlyings (%s, %s, ...): give --symbol to "
                      "draw one",
                      h.rows[0].snap.symbol, h.rows[i].snap.symbol);
            free(s);
            cli_history_release(&h);
            return CLI_EXIT_USAGE;
        }
    for (size_t i = 0; st == GEX_OK && i < h.n; i++)
        s[i] = h.rows[i].snap;
    gex_error err;
    gex_error_clear(&err);
    if (st == GEX_OK && h.n == 0) {
        if (opts->read.symbol != NULL && h.matched == 0)
            cli_error(NULL, 0,
                      "no snapshot to draw: no file read holds %s (--symbol); check the symbol",
                      opts->read.symbol);
        else if (h.matched > 0)
            cli_error(NULL, 0,
                      "no snapshot to draw between --from and --to (the files read hold %zu %s%s%s "
                      "outside them)",
                      h.matched, h.matched == 1 ? "snapshot" : "snapshots",
                      opts->read.symbol != NULL ? " of " : "",
                      opts->read.symbol != NULL ? opts->read.symbol : "");
        else
            cli_error(NULL, 0, "no snapshot to draw");
        rc = rc != CLI_EXIT_OK ? rc : CLI_EXIT_INPUT;
    } else if (st == GEX_OK) {
        gex_plot_options po;
        gex_plot_options_default(&po);
        st = gex_plot_history_write(out, format, s, h.n, opts->analysis.exposure.gex_unit, &po,
                                    &err);
        if (st == GEX_EIO) {
            rc = cli_written_to(st, &err, opts->output);
        } else if (st != GEX_OK) {
            cli_error(NULL, 0, "%s", err.text[0] != '\0' ? err.text : gex_strerror(st));
            rc = cli_exit_status(st);
        } else if (rc == CLI_EXIT_INPUT) {
            /* files that could not be read were said; the chart of the others is whole, and
             * kept, as gex history keeps its table */
            rc = CLI_EXIT_INPUT_KEPT;
        }
    } else {
        cli_error(NULL, 0, "out of memory");
        rc = CLI_EXIT_INTERNAL;
    }
    free(s);
    cli_history_release(&h);
    gex_plot_release_caches();
    return rc;
}

int cli_cmd_plot(const cli_options *opts, FILE *out)
{
    gex_plot_format format;
    if (opts->output == NULL || gex_plot_format_from_path(opts->output, &format) != GEX_OK) {
        cli_error(NULL, 0, "plot writes a chart file: give -o FILE.svg, FILE.png or FILE.pdf");
        return CLI_EXIT_USAGE;
    }
    if (opts->plot_history)
        return plot_history(opts, format, out);
    gex__analysis a;
    int rc = cli_analyze_file(opts, opts->files[0], 1, &a);
    if (rc != CLI_EXIT_OK)
        return rc;

    double x[GEX_PROFILE_POINTS], p[GEX_PROFILE_POINTS];
    double without_next[GEX_PROFILE_POINTS], without_monthly[GEX_PROFILE_POINTS];
    gex_plot_data data;
    int st = gex_plot_data_fill(a.an, opts->plot_range_pct, x, p, GEX_PROFILE_POINTS, &data);
    /* The profile chart draws the curves the widely copied scripts draw beside P. */
    if (st == GEX_OK && opts->plot_kind == GEX_PLOT_PROFILE)
        st = gex_plot_data_curves(a.an, without_next, without_monthly, &data);
    if (st != GEX_OK) {
        cli_error(a.path, 0, "cannot gather the chart's levels and profile: %s", gex_strerror(st));
        cli_analysis_free(&a);
        return cli_exit_status(st);
    }
    gex_plot_options po;
    gex_plot_options_default(&po);
    po.kind = opts->plot_kind;
    po.range_pct = opts->plot_range_pct;
    gex_error err;
    gex_error_clear(&err);
    st = gex_plot_write(out, format, &data, &po, &err);
    /* GEX_EIO: the chart's file could not be written (the chart draws from memory) */
    if (st == GEX_EIO) {
        rc = cli_written_to(st, &err, opts->output);
    } else if (st != GEX_OK) {
        cli_error(a.path, 0, "%s", err.text[0] != '\0' ? err.text : gex_strerror(st));
        rc = cli_exit_status(st);
    }
    cli_analysis_free(&a);
    /* The program draws once: the font caches go now, so leak checkers see none. */
    gex_plot_release_caches();
    return rc;
}

/* The terminal's width: the tty's own (TIOCGWINSZ), else COLUMNS, else 80. */
static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *columns = getenv("COLUMNS");
    if (columns != NULL) {
        char *end = NULL;
        const long c = strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && c > 0 && c < 10000)
            return (int)c;
    }
    return TERMINAL_DEFAULT_WIDTH;
}

int cli_plot_terminal_bars(const cli_options *opts, const gex__analysis *a, gex_plot_kind kind,
                           FILE *out)
{
    const int width = terminal_width();
    if (width < GEX_PLOT_TERMINAL_MIN_WIDTH)
        return CLI_EXIT_OK; /* too narrow for bars: the table says it all */
    gex_plot_data data = {0};
    data.symbol = a->symbol;
    data.spot = a->spot;
    data.quote_time = a->as_of;
    data.unit = opts->analysis.exposure.gex_unit;
    data.currency = a->currency;
    data.rows = gex_exposure_strikes(a->exposure);
    data.n_rows = gex_exposure_strike_count(a->exposure);
    if (a->has_levels)
        data.levels = a->levels;
    data.totals = a->totals;
    if (fputc('\n', out) == EOF)
        return CLI_EXIT_INTERNAL;
    const int st = gex_plot_terminal_bars(out, &data, kind, TERMINAL_STRIKES, width);
    if (st != GEX_OK) {
        cli_error(NULL, 0, "cannot draw the strike bars: %s", gex_strerror(st));
        return cli_exit_status(st);
    }
    return CLI_EXIT_OK;
}
