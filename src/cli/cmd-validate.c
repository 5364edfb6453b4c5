/*
 * cmd-validate.c: gex validate (SPEC 4) in its three modes:
 *   CHAIN --vendor R...  the vendor's responses against gex's recomputation from CHAIN;
 *   CHAIN                the chain's own delta and gamma columns against gex's greeks from the
 *                        chain's IV, and the time convention the columns fit best;
 *   --vendor R...        the vendor's levels against its own per-strike table.
 * The program reads the vendor's responses and analyses the chain; the rendering layer
 * (render-validate.h) builds the report and writes it as text (table), per-item rows (csv) or
 * JSON. Exit status 0 when every hard check is within --tol, 1 otherwise.
 */
#include <stdio.h>

#include "cli.h"
#include "render-validate.h"

/* Builds the report of the mode the options ask for from the vendor's responses read (docs);
 * an exit status, with *report set on CLI_EXIT_OK. */
static int build(const cli_options *opts, const gex_vendor_response *const *docs,
                 gex__validate_report **report)
{
    const gex__validate_input in = {opts->tol, docs, opts->vendor, opts->n_vendor};
    gex_error err;
    gex_error_clear(&err);
    int st;
    if (opts->n_vendor > 0 && opts->n_files == 0) {
        st = gex__validate_vendor_only(&in, report, &err);
    } else {
        /* alone, the chain is compared under its own IV, as its greeks used */
        cli_options o = *opts;
        if (opts->n_vendor == 0)
            o.prepare.iv_mode = GEX_IV_MODE_FILE;
        gex__analysis a;
        const int rc = cli_analyze_file(&o, opts->files[0], opts->n_vendor > 0, &a);
        if (rc != CLI_EXIT_OK)
            return rc;
        st = opts->n_vendor > 0 ? gex__validate_chain_and_vendor(&in, &a, report, &err)
                                : gex__validate_chain_only(&in, &a, report, &err);
        cli_analysis_free(&a);
    }
    return st == GEX_OK ? CLI_EXIT_OK : cli_report(st, &err, NULL);
}

int cli_cmd_validate(const cli_options *opts, FILE *out)
{
    gex_vendor_response *docs[CLI_MAX_REPEAT] = {NULL};
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < opts->n_vendor && rc == CLI_EXIT_OK; i++) {
        gex_error err;
        gex_error_clear(&err);
        const int st = gex_vendor_read_path(opts->vendor[i], &docs[i], &err);
        if (st != GEX_OK)
            rc = cli_report(st, &err, opts->vendor[i]);
    }
    gex__validate_report *report = NULL;
    if (rc == CLI_EXIT_OK)
        rc = build(opts, (const gex_vendor_response *const *)docs, &report);
    for (size_t i = 0; i < opts->n_vendor; i++)
        gex_vendor_free(docs[i]);
    if (rc == CLI_EXIT_OK) {
        gex_error err;
        gex_error_clear(&err);
        rc = cli_written_to(gex__render_validate(report, opts->format, out, &err), &err,
                            opts->output);
        if (rc == CLI_EXIT_OK && !gex__validate_within(report))
            rc = CLI_EXIT_DIFF;
    }
    gex__validate_report_free(report);
    return rc;
}
