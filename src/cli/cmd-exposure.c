/*
 * cmd-exposure.c: the commands that show one underlying (greeks, gex, dex, vex, chex, exposure,
 * levels, summary, profile, expirations): read and analyse the file, render the document
 * (src/render), and in a terminal add the strike bars.
 */
#include "cli.h"

/* The document of a command. */
static gex__doc doc_of(cli_command command)
{
    switch (command) {
    case CLI_CMD_GREEKS:
        return GEX__DOC_GREEKS;
    case CLI_CMD_GEX:
        return GEX__DOC_GEX;
    case CLI_CMD_DEX:
        return GEX__DOC_DEX;
    case CLI_CMD_VEX:
        return GEX__DOC_VEX;
    case CLI_CMD_CHEX:
        return GEX__DOC_CHEX;
    case CLI_CMD_LEVELS:
        return GEX__DOC_LEVELS;
    case CLI_CMD_SUMMARY:
        return GEX__DOC_SUMMARY;
    case CLI_CMD_PROFILE:
        return GEX__DOC_PROFILE;
    case CLI_CMD_EXPIRATIONS:
        return GEX__DOC_EXPIRATIONS;
    case CLI_CMD_CARRY:
        return GEX__DOC_CARRY;
    case CLI_CMD_VIX:
        return GEX__DOC_VIX;
    default:
        return GEX__DOC_EXPOSURE;
    }
}

int cli_render_options_of(const cli_options *opts, gex__render_options *ro)
{
    ro->doc = doc_of(opts->command);
    ro->format = opts->format;
    ro->range_pct = opts->range_pct;
    ro->points = opts->points;
    ro->threads = opts->jobs;
    return 0;
}

int cli_cmd_show(const cli_options *opts, FILE *out)
{
    gex__render_options ro;
    cli_render_options_of(opts, &ro);
    gex__analysis a;
    /* greeks lists every contract, expirations and carry every date, vix reads every quote,
     * used or not */
    const int need_used = ro.doc != GEX__DOC_GREEKS && ro.doc != GEX__DOC_EXPIRATIONS &&
                          ro.doc != GEX__DOC_CARRY && ro.doc != GEX__DOC_VIX;
    /* Those documents show no level, regime or 0DTE block: the analysis skips them (the
     * profile flip's search was a quarter of greeks' time on an index chain). */
    cli_options o = *opts;
    o.analysis.skip_levels = !need_used;
    const gex_exposure_options *f = &opts->analysis.exposure;
    const int filtered = f->n_expirations > 0 || f->zero_dte || f->n_exclude_expirations > 0 ||
                         f->exclude_zero_dte || f->max_dte >= 0 || f->min_oi > 0 ||
                         f->min_bid > 0 || (f->max_abs_delta > 0 && f->max_abs_delta < 1);
    if (filtered && !opts->quiet && ro.doc == GEX__DOC_VIX)
        cli_error(NULL, 0,
                  "warning: vix reads every quote of the file, as CBOE's method does: the "
                  "contract filters (--expiration, --exclude-expiration, --max-dte, --min-oi, "
                  "--min-bid, --max-delta) do not apply");
    if (filtered && !opts->quiet && ro.doc == GEX__DOC_CARRY)
        cli_error(NULL, 0,
                  "warning: carry lists every expiration, each fitted on all of its two-sided "
                  "quotes: the contract filters (--expiration, --exclude-expiration, --max-dte, "
                  "--min-oi, --min-bid, --max-delta) do not apply to it (they choose the "
                  "contracts the other commands use)");
    int rc = cli_analyze_file(&o, opts->files[0], need_used, &a);
    if (rc != CLI_EXIT_OK)
        return rc;
    gex_error err;
    gex_error_clear(&err);
    const int st = gex__render(&ro, &a, out, &err);
    if (st != GEX_OK) {
        rc = cli_written_to(st, &err, opts->output);
    } else if (opts->format == GEX__OUT_TABLE) {
        /* The per-strike tables of one measure and the summary end with its strike bars. */
        switch (ro.doc) {
        case GEX__DOC_GEX:
        case GEX__DOC_SUMMARY:
            rc = cli_plot_terminal(opts, &a, GEX_PLOT_GEX, out);
            break;
        case GEX__DOC_DEX:
            rc = cli_plot_terminal(opts, &a, GEX_PLOT_DEX, out);
            break;
        case GEX__DOC_VEX:
            rc = cli_plot_terminal(opts, &a, GEX_PLOT_VEX, out);
            break;
        case GEX__DOC_CHEX:
            rc = cli_plot_terminal(opts, &a, GEX_PLOT_CHEX, out);
            break;
        default:
            break;
        }
    }
    cli_analysis_free(&a);
    return rc;
}
