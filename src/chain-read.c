/*
 * The chain readers' entry points (gex/chain.h): input in chunks from a path, a stream or
 * memory, format detection from content (SPEC 2), the format's reader (chain-csv.c,
 * chain-json.c, chain-split.c), and the checks once a file is read (spot, IV in percent,
 * --symbol). What the formats share row by row is in chain-row.c, below all of them: no reader
 * calls back up into this file (a stream's further chunks reach the CSV reader through a
 * callback).
 */
#include "gex/chain.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chain-csv-internal.h"
#include "chain-decompress-internal.h"
#include "chain-internal.h"
#include "chain-json-internal.h"
#include "chain-layout-internal.h"
#include "chain-row-internal.h"
#include "median-internal.h"

/* Bytes read per chunk from a stream: large enough that the per-call costs of fread and
 * csv_parse vanish, small enough to stay in the L2 cache. */
#define READ_CHUNK (256 * 1024)
/* gex_read_options.threads: a range of rows read on its own thread holds at least this many
 * bytes: about 4 ms of reading (at 250 MB/s on one core), against some 0.1 ms to start a thread
 * and copy its contracts into the file's chain. Measured on this project's 2-core machine, a
 * 1.5 MB CBOE file reads in 4.4 ms in two ranges against 6.4 ms in one, the 5.4 MB SPX index in
 * 13 ms against 22 ms; below two ranges (2 MB) the calling thread reads alone. */
#define SPLIT_MIN_RANGE ((size_t)1 << 20)

static const unsigned char utf8_bom[3] = {0xEF, 0xBB, 0xBF};

/* --- after a file is read --- */

void gex__read_checks_count(const gex_chain *c, gex__read_checks *out)
{
    gex__read_checks k = {0};
    for (size_t i = 0; i < c->n; i++)
        gex__read_checks_add(&k, c->file_iv[i], c->spot[i], c->sym_spot[c->underlying[i]]);
    *out = k;
}

/* SPEC 1.4: an IV column in percent (median of the positive IVs up to 500 above 5) is divided
 * by 100. */
static int rescale_percent_iv(gex__reader *r, const gex__read_checks *k, int *rescaled)
{
    gex_chain *c = r->chain;
    const size_t n = k->iv_votes;
    /* The median exceeds the threshold only if the upper middle value does, which needs at
     * least n/2 values above it: otherwise no sort is needed (the usual case). */
    if (n == 0 || k->iv_above < n / 2 + (n % 2))
        return GEX_OK;
    double *v = malloc(n * sizeof *v);
    if (v == NULL)
        return GEX_ENOMEM;
    size_t j = 0;
    for (size_t i = 0; i < c->n; i++)
        if (gex__iv_votes(c->file_iv[i]))
            v[j++] = c->file_iv[i];
    const double median = gex__median(v, n);
    free(v);
    if (median > GEX__IV_PERCENT_MEDIAN) {
        for (size_t i = 0; i < c->n; i++)
            c->file_iv[i] /= 100.0;
        r->rep->iv_percent_rescaled = 1;
        *rescaled = 1;
        gex__reader_warn(r, "the IV column is in percent (median %.4g): divided by 100", median);
    }
    return GEX_OK;
}

/* One listing of each contract (SPEC 2.5): the later of a contract listed twice, with a
 * warning; the warnings' counts and the checks then describe the contracts kept. GEX_OK or
 * GEX_ENOMEM with r->err filled. */
static int drop_duplicates(gex__reader *r)
{
    gex_chain *c = r->chain;
    gex__duplicates dup;
    uint8_t *dropped = NULL;
    const size_t threads = r->opt != NULL && r->opt->threads > 1 ? (size_t)r->opt->threads : 1;
    if (gex__chain_drop_duplicates(c, threads, &dup, &dropped) != GEX_OK)
        return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    if (dup.count > 0) {
        /* the warnings' counts and the checks are of the contracts kept */
        gex__reader_marks_drop(r, dropped);
        r->checks_stale = 1;
        r->rep->contracts -= dup.count < r->rep->contracts ? dup.count : r->rep->contracts;
        char day[16], lines[64] = "";
        gex_time_format_date(dup.expiration, day, sizeof day);
        if (dup.first_line > 0) /* CBOE JSON's contracts have no line */
            snprintf(lines, sizeof lines, ", lines %ld and %ld", dup.first_line, dup.again_line);
        gex__reader_warn(
            r,
            "%zu %s listed again later in the file, each read once, from its last listing "
            "(the first: %s %s %.10g %s%s)",
            dup.count, dup.count == 1 ? "contract is" : "contracts are", c->sym[dup.root], day,
            dup.strike, dup.type == GEX_CALL ? "call" : "put", lines);
    }
    free(dropped);
    return GEX_OK;
}

/* What holds for the whole chain once it is read, whatever its format: the venue's exercise
 * style (SPEC 1.8: Deribit's and NSE's options are European), its currency (the one the reader
 * found: a currency column, NSE's rupees; Deribit's reader converts the coin to the strike's
 * dollars) and the open interest GEX needs
 * (SPEC 2.5: a chain whose every contract has none is refused, as the JSON layouts refuse their
 * documents with their own advice). GEX_OK or a status with r->err filled. */
static int after_read(gex__reader *r)
{
    gex_chain *c = r->chain;
    if (r->rep->format == GEX_FORMAT_DERIBIT_CSV || r->rep->format == GEX_FORMAT_NSE_CSV)
        c->venue_european = 1;
    if (gex_currency_valid(r->currency)) /* the file's: a currency column, NSE's rupees */
        (void)gex_chain_set_currency(c, r->currency);
    if (gex__chain_any_open_interest(c))
        return GEX_OK; /* the usual chain: its first contracts say so, and no message is made */
    uint32_t ids[2];
    const size_t n_u = gex_chain_underlyings(c, ids, 2);
    char what[160];
    char at[64] = "";
    if (r->in_snapshot) { /* one snapshot of a file of several: named, as SPEC 2.9 asks */
        char iso[40];
        gex_time_format_iso(r->time, iso, sizeof iso);
        snprintf(at, sizeof at, " at %s", iso);
    }
    if (n_u == 1)
        snprintf(what, sizeof what, "the %s chain of %.64s%s", gex_format_name(r->rep->format),
                 c->sym[ids[0]], at);
    else
        snprintf(what, sizeof what, "the %s file of %zu underlyings%s",
                 gex_format_name(r->rep->format), n_u, at);
    return gex__chain_require_oi(c, r->kept_oi, r->name, what, GEX__OI_ADVICE, r->err);
}

/* A chain with no contract left is refused, with why: the rows skipped, by reason and the first
 * one's message, the contracts of other underlyings than --symbol, or a file of a header alone. */
static int refuse_empty(gex__reader *r, long header_line)
{
    size_t skipped = 0;
    long first = 0;
    /* The count per reason, as the summary of skipped rows gives it (SPEC 2.5). */
    char reasons[160] = "";
    size_t len = 0;
    for (int k = 0; k < GEX_SKIP_REASON_COUNT; k++) {
        skipped += r->rep->skipped[k];
        if (r->rep->first_line[k] > 0 && (first == 0 || r->rep->first_line[k] < first))
            first = r->rep->first_line[k];
        if (r->rep->skipped[k] == 0)
            continue;
        int w = snprintf(reasons + len, sizeof reasons - len, "%s%s %zu", len ? ", " : "",
                         gex_skip_reason_name(k), r->rep->skipped[k]);
        if (w > 0 && (size_t)w < sizeof reasons - len)
            len += (size_t)w;
    }
    /* The first bad row's own message: why, which --strict would have said. */
    char why[300] = "";
    if (r->first_bad[0] != '\0')
        snprintf(why, sizeof why, "; the first, here: %s", r->first_bad);
    else
        snprintf(why, sizeof why, "; the first here (read with --strict to see why)");
    /* Bad rows may have been the symbol's: then they, not --symbol, are the news. */
    if (r->rep->other_symbol > 0 && skipped > 0)
        return gex_error_set(r->err, GEX_EEMPTY, r->name, first, 0,
                             "no contract of %s could be read: %zu %s bad (%s) and %zu %s "
                             "of other underlyings%s",
                             r->opt->symbol, skipped, skipped == 1 ? "row is" : "rows are", reasons,
                             r->rep->other_symbol,
                             r->rep->other_symbol == 1 ? "contract is" : "contracts are", why);
    if (r->rep->other_symbol > 0)
        return gex_error_set(r->err, GEX_EEMPTY, r->name, 0, 0,
                             "no contracts of %s in the file (%zu contracts of other "
                             "underlyings); check --symbol",
                             r->opt->symbol, r->rep->other_symbol);
    if (skipped > 0)
        return gex_error_set(r->err, GEX_EEMPTY, r->name, first, 0,
                             "no contract could be read: all %zu %s bad (%s)%s", skipped,
                             skipped == 1 ? "row is" : "rows are", reasons, why);
    return gex_error_set(r->err, GEX_EEMPTY, r->name, header_line, 0,
                         "the file holds no contracts, only a header");
}

/* The file's IVs: a column in percent divided by 100 (rescale_percent_iv), and the vendors'
 * placeholders (above 500%, below 0.1%) said, as they are solved from the mid instead. */
static int check_ivs(gex__reader *r, const gex__read_checks *checks)
{
    gex_chain *c = r->chain;
    int rescaled = 0;
    int rc = rescale_percent_iv(r, checks, &rescaled);
    if (rc != GEX_OK)
        return rc;
    size_t iv_low = checks->iv_low;
    if (rescaled) { /* counted again in the column's new unit */
        iv_low = 0;
        for (size_t i = 0; i < c->n; i++) {
            r->iv_sentinels += isfinite(c->file_iv[i]) && c->file_iv[i] > GEX__IV_PERCENT_MEDIAN;
            iv_low += c->file_iv[i] > 0 && c->file_iv[i] < GEX__FILE_IV_MIN;
        }
    } else
        r->iv_sentinels += checks->iv_sentinels;
    if (r->iv_sentinels > 0)
        gex__reader_warn(r, "%zu %s above 500%% %s: solved from the mid instead", r->iv_sentinels,
                         r->iv_sentinels == 1 ? "IV" : "IVs",
                         r->iv_sentinels == 1 ? "is a vendor placeholder"
                                              : "are vendor placeholders");
    if (iv_low > 0)
        gex__reader_warn(r,
                         "%zu %s below 0.1%% %s (yfinance writes 1e-05 where it solved none): "
                         "solved from the mid instead",
                         iv_low, iv_low == 1 ? "IV" : "IVs",
                         iv_low == 1 ? "is a vendor placeholder" : "are vendor placeholders");
    return GEX_OK;
}

/* What the rows' reading counted, said: rows over several lines, repeated headers, index
 * weeklies told by their date, contracts without open interest. */
static void warn_rows(gex__reader *r)
{
    if (r->multiline > 0)
        gex__reader_warn(r,
                         "%zu %s over several lines (a quoted field holds a line break), the "
                         "first from line %ld to %ld: a quote opened on line %ld closes on a "
                         "later line, so those lines are read as one row; if they are rows of "
                         "their own, remove the stray quotes",
                         r->multiline, r->multiline == 1 ? "row runs" : "rows run",
                         r->multiline_from, r->multiline_to, r->multiline_from);
    if (r->header_repeats == 1)
        gex__reader_warn(r,
                         "line %ld repeats the header (two files of the same columns joined): "
                         "skipped",
                         r->header_repeat_line);
    else if (r->header_repeats > 1)
        gex__reader_warn(r,
                         "%zu lines repeat the header (files of the same columns joined), the "
                         "first line %ld: skipped",
                         r->header_repeats, r->header_repeat_line);
    if (r->kept_weekly > 0)
        gex__reader_warn(
            r,
            "%zu index %s without an option symbol or root %s off the third-Friday cycle: "
            "read as PM-settled weeklies (SPXW, NDXP, RUTW)",
            r->kept_weekly, r->kept_weekly == 1 ? "contract" : "contracts",
            r->kept_weekly == 1 ? "expires" : "expire");
    if (r->kept_oi > 0)
        gex__reader_warn(r, "%zu %s no open interest: read as 0", r->kept_oi,
                         r->kept_oi == 1 ? "contract has" : "contracts have");
}

/* Contract i has no spot, and no underlying of the chain has one: the read is refused, at the
 * line that explains it. */
static int refuse_no_spot(gex__reader *r, size_t i, long header_line)
{
    gex_chain *c = r->chain;
    /* The file printed its spot, but no price: that line, and why. */
    if (!r->in_snapshot && r->bad_spot[0] != '\0')
        return gex_error_set(r->err, GEX_EPARSE, r->name, r->bad_spot_line, 0,
                             "%s, so the file gives no spot price for %s; pass --spot", r->bad_spot,
                             c->sym[c->underlying[i]]);
    /* Other underlyings, left out by --symbol: this one's first row is the place */
    long first = header_line;
    if (r->rep->other_symbol > 0 && c->line[i] > 0) {
        first = c->line[i];
        for (size_t j = i + 1; j < c->n; j++)
            if (c->underlying[j] == c->underlying[i] && c->line[j] > 0 && c->line[j] < first)
                first = c->line[j];
    }
    if (!r->in_snapshot)
        return gex_error_set(r->err, GEX_EPARSE, r->name, first, 0,
                             "the file gives no spot price for %s%s; pass --spot",
                             c->sym[c->underlying[i]],
                             first != header_line ? ": its rows have none (the first here)" : "");
    char iso[40];
    gex_time_format_iso(r->time, iso, sizeof iso);
    return gex_error_set(r->err, GEX_EPARSE, r->name, header_line, 0,
                         "the snapshot quoted at %s gives no spot price for %s (its "
                         "rows have none); pass --spot",
                         iso, c->sym[c->underlying[i]]);
}

/* Every contract at its underlying's spot: --spot's, else the file's (its first row's, a quote
 * the file prints once); rows that say another are said, and a chain without any is refused. */
static int set_spots(gex__reader *r, const gex__read_checks *checks, long header_line)
{
    gex_chain *c = r->chain;
    const int spot_given = r->opt->spot > 0 && isfinite(r->opt->spot);
    if (spot_given) {
        for (size_t s = 0; s < c->n_sym; s++)
            c->sym_spot[s] = r->opt->spot;
    }
    /* A quote the file prints once is its underlying's (such files hold one). */
    const gex_underlying_quote *fq = &r->file_quote;
    if (fq->bid > 0 || fq->ask > 0 || fq->last > 0)
        for (size_t s = 0; s < c->n_sym; s++) {
            gex_underlying_quote q = gex_chain_underlying_quote(c, (uint32_t)s);
            if (isnan(q.bid) && isnan(q.ask) && isnan(q.last) &&
                gex_chain_set_underlying_quote(c, c->sym[s], fq) != GEX_OK)
                return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
        }
    /* Rows whose spot differs from their underlying's (its first row's): said, with the first
     * such row's line, since every contract is computed at one spot. */
    const size_t differ = spot_given ? 0 : checks->spot_differ;
    if (differ > 0) {
        const size_t i = checks->first_differ;
        gex__reader_warn(
            r,
            "the spot differs between rows: %s is read at %.10g (its first row's), but %zu "
            "rows say otherwise, the first on line %ld (%.10g); pass --spot to choose",
            c->sym[c->underlying[i]], c->sym_spot[c->underlying[i]], differ, c->line[i],
            c->spot[i]);
    }
    /* Every contract at its underlying's spot: already so when each has its own and none
     * differs (the usual file), and then none is missing. */
    if (!(spot_given || differ > 0 || checks->spot_missing > 0))
        return GEX_OK;
    size_t missing = c->n;
    int any_spot = 0;
    for (size_t i = 0; i < c->n; i++) {
        c->spot[i] = c->sym_spot[c->underlying[i]];
        if (isnan(c->spot[i]))
            missing = missing < c->n ? missing : i;
        else
            any_spot = 1;
    }
    /* An underlying whose rows give no spot, in a file (or snapshot) of several of which
     * others give theirs: its contracts keep no spot, and gex_chain_check_spot refuses it
     * alone (screen, history), as gex_chain_check_open_interest refuses an underlying
     * without open interest; gex_chain_prepare refuses a chain holding it. A chain of
     * one underlying, or of several none of which gives a spot, is refused here. */
    for (size_t i = missing; i < c->n && !any_spot; i++)
        if (isnan(c->spot[i]))
            return refuse_no_spot(r, i, header_line);
    return GEX_OK;
}

/* --settle's roots, each the settlement time of its contracts. */
static int set_settle(gex__reader *r)
{
    for (size_t k = 0; k < r->opt->n_settle; k++) {
        int rc = gex_chain_set_settle(r->chain, r->opt->settle[k].root, r->opt->settle[k].style);
        if (rc != GEX_OK)
            return gex_error_set(r->err, rc, r->name, 0, 0, "bad --settle root");
    }
    return GEX_OK;
}

/* The chain's quote instant, from the file (refused where some rows' cannot be read), or the
 * note that says why it has none (prepare reports it when --now is not given). */
static int set_quote_time(gex__reader *r)
{
    gex_chain *c = r->chain;
    if (r->has_time && r->bad_times > 0)
        /* those rows took the instant of the row before them: their snapshot is unknown */
        return gex_error_set(
            r->err, GEX_EPARSE, r->name, r->bad_time_line, 0,
            "the quote time \"%s\" cannot be read (%s%s%zu %s), where other "
            "rows' can: the snapshot of %s is unknown; correct the %s, or leave "
            "the %s out",
            r->bad_time_text, r->bad_time_problem != NULL ? r->bad_time_problem : "",
            r->bad_time_problem != NULL ? "; " : "", r->bad_times,
            r->bad_times == 1 ? "row" : "rows", r->bad_times == 1 ? "that row" : "those rows",
            r->bad_times == 1 ? "cell" : "cells", r->bad_times == 1 ? "row" : "rows");
    r->rep->bad_quote_times = r->bad_times;
    if (r->has_time) {
        gex_chain_set_quote_time(c, r->time);
        r->rep->has_quote_time = 1;
        if (r->time_varies)
            gex__reader_warn(r, "the quote time differs between rows: the latest is used");
    } else if (r->time_note[0] != '\0') {
        /* Not a warning: with --now it does not matter, without it prepare reports it. */
        gex__chain_set_time_note(c, r->name, r->time_note_line, r->time_note);
    } else if (r->snapshot_rows) {
        /* a quote-time column whose every cell has no value */
        gex__chain_set_time_note(c, r->name, 0,
                                 "the file's quote-time column gives no instant (every cell is "
                                 "empty or N/A); pass --now");
    } else {
        gex__chain_set_time_note(c, r->name, 0,
                                 "the file carries no quote instant (no date line, quote_time "
                                 "column or timestamp); pass --now");
    }
    return GEX_OK;
}

/* A chain read, made what the read promises (a file's, or one snapshot's): one listing of each
 * contract, at least one contract, the IVs and the rows' oddities said, every contract at its
 * spot, --settle applied, its quote instant, then what holds for the whole chain (after_read). */
static int finish(gex__reader *r, long header_line)
{
    gex_chain *c = r->chain;
    gex__chain_shrink(c);
    /* One listing of each contract (SPEC 2.5: the later of a contract listed twice, said),
     * before anything is counted. */
    int rc = drop_duplicates(r);
    if (rc != GEX_OK)
        return rc;
    if (c->n == 0)
        return refuse_empty(r, header_line);
    gex__read_checks checks;
    if (!r->checks_stale && r->checks.n == c->n)
        checks = r->checks;
    else
        gex__read_checks_count(c, &checks);
    rc = check_ivs(r, &checks);
    if (rc != GEX_OK)
        return rc;
    warn_rows(r);
    rc = set_spots(r, &checks, header_line);
    if (rc == GEX_OK)
        rc = set_settle(r);
    if (rc == GEX_OK)
        rc = set_quote_time(r);
    return rc == GEX_OK ? after_read(r) : rc;
}

/* What gex_chain_read_snapshots asks of a read: every snapshot of a file of several (n of
 * them, chains and reports malloc'ed; n 0 for a file of one). */
typedef struct snapshots_out {
    gex_chain **chains;
    gex_read_report *reports;
    size_t n;
} snapshots_out;

/* A file of several snapshots listed by the read (r->snap_n of them): each made its own chain
 * from r->chain, through a copy of the reader, and finished as a read with --at its instant
 * finishes it (the same chain, report and error: one read instead of one per snapshot), into
 * out. Each report is the file's (rows, skipped rows, the warnings of its rows) with the
 * snapshot's contracts and the warnings about them after those (snapshot_warning); *r->rep's
 * contracts become the snapshots' sum. A snapshot that the read with --at its instant refuses
 * has no chain (NULL) and its report says why (status, error); when every one is refused, so
 * is the read, with the first one's error. r->chain is freed (NULL). */
static int split_snapshots(gex__reader *r, long header_line, snapshots_out *out)
{
    gex_chain **chains = calloc(r->snap_n, sizeof *chains);
    gex_read_report *reports = calloc(r->snap_n, sizeof *reports);
    if (chains == NULL || reports == NULL) {
        free(chains);
        free(reports);
        return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    }
    int rc = GEX_OK;
    size_t contracts = 0, made = 0, first_failed = r->snap_n;
    for (size_t j = 0; j < r->snap_n && rc == GEX_OK; j++) {
        gex__reader one = *r;
        reports[j] = *r->rep;
        one.rep = &reports[j];
        one.err = &reports[j].error;
        gex_error_clear(one.err);
        const size_t file_warning = strlen(reports[j].warning);
        int st = gex__snapshot_take(&one, r->chain, j);
        if (st == GEX_OK)
            st = finish(&one, header_line);
        if (one.mark_at != r->mark_at) { /* the snapshot's own list */
            free(one.mark_at);
            free(one.mark_bits);
        }
        if (st == GEX_OK) {
            chains[j] = one.chain;
            made++;
            contracts += reports[j].contracts;
            const size_t len = strlen(reports[j].warning);
            reports[j].snapshot_warning =
                len > file_warning && file_warning > 0 ? file_warning + 2 : file_warning;
        } else {
            if (one.chain != r->chain)
                gex_chain_free(one.chain);
            reports[j].status = st;
            reports[j].contracts = 0;
            if (first_failed == r->snap_n)
                first_failed = j;
            if (st == GEX_ENOMEM) /* not the snapshot's doing: the read fails */
                rc = gex_error_set(r->err, st, r->name, 0, 0, "out of memory");
        }
    }
    if (rc == GEX_OK && made == 0) {
        rc = reports[first_failed].status;
        if (r->err != NULL)
            *r->err = reports[first_failed].error;
    }
    r->rep->contracts = contracts;
    gex_chain_free(r->chain);
    r->chain = NULL;
    if (rc != GEX_OK) {
        for (size_t j = 0; j < r->snap_n; j++)
            gex_chain_free(chains[j]);
        free(chains);
        free(reports);
        return rc;
    }
    out->chains = chains;
    out->reports = reports;
    out->n = r->snap_n;
    return GEX_OK;
}

/* --- input --- */

/* Where the bytes come from: memory, or a stream read in chunks into buf. */
typedef struct source {
    const char *mem;
    size_t mem_len;
    FILE *fp;
    char *buf;
    size_t cap;       /* bytes of buf, and of each read after the prefix */
    size_t chunk;     /* bytes of the first read (READ_CHUNK unless a test asks for less) */
    long long start;  /* the stream's offset before the first read, -1 when unknown */
    size_t split_min; /* bytes per range of a split read (SPLIT_MIN_RANGE unless a test asks) */
    gex__split_count *count; /* when not NULL, how a split read went (tests) */
    int eof;
    int io_error;
    /* A compressed input (memory or stream) is read through z, its decompressed bytes. */
    gex__inflate *z;
    unsigned long long inflate_max; /* 0: GEX__DECOMPRESS_MAX (tests ask for less) */
    int libcsv_only;                /* tests: no CSV line through the fast path */
    /* The file's line ends (source_eol), known at its first: eol_on once the bytes read are
     * the file's own (decompressed), eol_seen the bytes seen before it was known, cr_before
     * that the last byte kept was a CR turned into LF, mem_copy memory's bytes so turned. */
    int eol, eol_on, cr_before;
    size_t eol_seen;
    char *mem_copy;
} source;

/* Whether the input is read in chunks into buf (a stream, or compressed bytes). */
static int streamed(const source *s)
{
    return s->fp != NULL || s->z != NULL;
}

/* The prefix of a stream, where the format and the header are looked for, holds at least
 * HEADER_SEARCH_LINES lines unless the input ends or PREFIX_MAX bytes come first: detection
 * then sees the same lines whatever the chunk size. */
#define PREFIX_MAX ((size_t)1 << 20)

/* The index of the first byte from `from` that is not blank (isspace, as detection skips
 * them), or len. */
static size_t first_non_blank(const char *s, size_t from, size_t len)
{
    while (from < len && isspace((unsigned char)s[from]))
        from++;
    return from;
}

static size_t count_lines(const char *s, size_t len)
{
    size_t n = 0;
    for (const char *p = memchr(s, '\n', len); p != NULL;
         p = memchr(p + 1, '\n', len - (size_t)(p + 1 - s)))
        n++;
    return n;
}

/* Line ends. LF and CRLF are read as they are (the readers take either). A file whose first
 * line ends in a lone CR (the old Mac "CSV (Macintosh)" save) has every CR read as an LF and
 * the LF of a CRLF dropped, before anything reads it: every reader, the detection and the
 * line numbers then see it as its LF copy, and the LF and CRLF files pay nothing. */
enum { EOL_UNKNOWN, EOL_LF, EOL_CR };

/* The line ends of a file whose bytes begin with p[0..n): EOL_UNKNOWN when they hold none. A
 * CR at the end is taken for a lone one (a CRLF cut there is read right as CR, only slower). */
static int eol_kind(const char *p, size_t n)
{
    const char *lf = memchr(p, '\n', n);
    const char *cr = memchr(p, '\r', lf != NULL ? (size_t)(lf - p) : n);
    if (cr == NULL)
        return lf != NULL ? EOL_LF : EOL_UNKNOWN;
    return cr + 1 == lf ? EOL_LF : EOL_CR;
}

/* The file's bytes p[0..n), read after those before them: decides its line ends at the first
 * (by PREFIX_MAX bytes without one, LF: a document of one line), and in a file of CR line ends
 * turns each CR into LF and drops the LF after one. Returns the bytes kept, from p. */
static size_t source_eol(source *s, char *p, size_t n)
{
    if (s->eol == EOL_UNKNOWN) {
        s->eol = eol_kind(p, n);
        s->eol_seen += n;
        if (s->eol == EOL_UNKNOWN && s->eol_seen >= PREFIX_MAX)
            s->eol = EOL_LF;
    }
    if (s->eol != EOL_CR)
        return n;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        const char c = p[i];
        if (c == '\n' && s->cr_before) {
            s->cr_before = 0;
            continue;
        }
        s->cr_before = c == '\r';
        p[w++] = c == '\r' ? '\n' : c;
    }
    return w;
}

/* Fills buf with up to cap bytes from the stream; returns the count (0 at the end). */
static size_t source_read(source *s, char *dst, size_t cap)
{
    size_t n = 0;
    while (n < cap && !s->eof) {
        size_t got = s->z != NULL ? gex__inflate_read(s->z, dst + n, cap - n)
                                  : fread(dst + n, 1, cap - n, s->fp);
        if (got == 0) {
            s->eof = 1;
            s->io_error = s->z == NULL && ferror(s->fp);
        }
        n += s->eol_on ? source_eol(s, dst + n, got) : got;
    }
    return n;
}

/* The JSON reader pulls its input through this (a stream after its prefix). */
typedef struct json_feed {
    source *src;
    const char *prefix;
    size_t prefix_len;
} json_feed;

static size_t json_next(void *buffer, size_t size, void *data)
{
    json_feed *f = data;
    if (f->prefix_len > 0) {
        size_t n = f->prefix_len < size ? f->prefix_len : size;
        memcpy(buffer, f->prefix, n);
        f->prefix += n;
        f->prefix_len -= n;
        return n;
    }
    if (!streamed(f->src))
        return 0;
    /* At most a chunk at a time: READ_CHUNK, more than the tokenizer asks for but when a token
     * has grown its buffer; a test's chunk of a few bytes cuts the members everywhere. */
    return source_read(f->src, buffer, size < f->src->cap ? size : f->src->cap);
}

/* The CSV reader's gex__pull_fn: each further chunk of a stream. */
static size_t source_next(void *src_, const char **chunk)
{
    source *src = src_;
    size_t n = source_read(src, src->buf, src->cap);
    *chunk = src->buf;
    return n;
}

/* Whether the input can be read in ranges (options->threads > 1, memory or a regular file
 * whose offset is known), and where its bytes are from the first after the BOM. */
static int split_input(const source *src, const gex_read_options *options, size_t skip,
                       size_t prefix_len, gex__split_input *in)
{
    memset(in, 0, sizeof *in);
    /* The ranges of a file are read from it (chain-split.c): not those of CR line ends. */
    if (options->threads < 2 || src->z != NULL || (src->fp != NULL && src->eol == EOL_CR))
        return 0;
    in->threads = (size_t)options->threads;
    in->min_range = src->split_min > 0 ? src->split_min : SPLIT_MIN_RANGE;
    in->chunk = src->chunk > 0 ? src->chunk : READ_CHUNK;
    in->count = src->count;
    if (src->fp == NULL) {
        in->mem = src->mem + skip;
        in->len = src->mem_len - skip;
        return 1;
    }
    struct stat st;
    in->fd = fileno(src->fp);
    if (src->start < 0 || in->fd < 0 || fstat(in->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (long long)st.st_size < src->start + (long long)prefix_len)
        return 0;
    in->offset = src->start + (long long)skip;
    in->len = (size_t)(st.st_size - in->offset);
    return 1;
}

/* The bounds of what the caller asks of a read, each refused with a message naming its option:
 * overrides are held to the bounds of the values they replace (gex/chain.h, SPEC 2.5). */
static int check_read_options(const gex_read_options *options, const char *name, gex_error *err)
{
    if (options->format < 0 || options->format >= GEX_FORMAT_COUNT)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0, "unknown input format %d",
                             (int)options->format);
    if (options->spot > GEX_PRICE_MAX || (options->spot > 0 && options->spot < GEX_PRICE_MIN))
        return gex_error_set(err, GEX_EINVAL, name, 0, 0,
                             "the spot %g is out of range (%.6f to %.0f); check --spot",
                             options->spot, GEX_PRICE_MIN, GEX_PRICE_MAX);
    if (options->multiplier > GEX_MULTIPLIER_MAX)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0,
                             "the multiplier %g is out of range (at most %.0f); check "
                             "--multiplier",
                             options->multiplier, GEX_MULTIPLIER_MAX);
    /* No underlying is longer than a name may be (a longer one is a bad row): a longer symbol
     * would match nothing, and the layouts that take it for their underlying could not. */
    if (options->symbol != NULL && strlen(options->symbol) > GEX_SYMBOL_MAX)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0,
                             "the symbol \"%.24s...\" is %zu bytes long, longer than the %d a "
                             "name may hold; check --symbol",
                             options->symbol, strlen(options->symbol), GEX_SYMBOL_MAX);
    /* The readers walk settle[0..n_settle) (the index roots' rule, then the chain's): a count
     * without its list is refused here, as every other list and count of the API. */
    if (options->n_settle > 0 && options->settle == NULL)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0,
                             "%zu settlement overrides but no list of them", options->n_settle);
    return GEX_OK;
}

/* The reader of one input, with its chain and the C locale its numbers are read in. GEX_OK, or
 * GEX_ENOMEM with nothing held. */
static int reader_start(gex__reader *r, const source *src, const char *name,
                        const gex_read_options *options, gex_read_report *report, gex_error *err)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->opt = options;
    r->rep = report;
    r->err = err;
    r->csv_libcsv_only = src->libcsv_only;
    r->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    r->chain = gex_chain_new();
    if (r->c_locale == (locale_t)0 || r->chain == NULL) {
        if (r->c_locale != (locale_t)0)
            freelocale(r->c_locale);
        gex_chain_free(r->chain);
        return gex_error_set(err, GEX_ENOMEM, name, 0, 0, "out of memory");
    }
    return GEX_OK;
}

/* A compressed input in memory (told by its first bytes) is read as the stream of its
 * decompressed bytes, through src->z. */
static int memory_inflate_open(source *src, const char *name, gex_error *err)
{
    gex__compression comp = gex__compression_detect((const unsigned char *)src->mem, src->mem_len);
    return comp == GEX__COMPRESSION_NONE ? GEX_OK
                                         : gex__inflate_open(comp, src->mem, src->mem_len, NULL,
                                                             name, src->inflate_max, err, &src->z);
}

/* A regular file's size and modification time before its bytes are read (*before; returns
 * whether the input is one), to tell a file that changed while it was read (a download still
 * being written, a file rewritten in place) from one that ended: what was read of it is no
 * answer (input_end). The bytes to read, where known, go to r->total_bytes. */
static int input_size(const source *src, gex__reader *r, struct stat *before)
{
    memset(before, 0, sizeof *before);
    const int regular =
        src->fp != NULL && fstat(fileno(src->fp), before) == 0 && S_ISREG(before->st_mode);
    if (src->z != NULL)
        r->total_bytes = 0; /* unknown until decompressed */
    else if (src->fp == NULL)
        r->total_bytes = src->mem_len;
    else if (regular && before->st_size > 0)
        r->total_bytes = (size_t)before->st_size;
    return regular;
}

/* The input's first bytes, where the format and the header are looked for: the whole buffer,
 * or the first chunks of a stream (whole: nothing follows them). */
typedef struct input_prefix {
    const char *bytes;
    size_t len;
    int whole;
} input_prefix;

/* The prefix of an uncompressed input in memory: all of it, its CRs turned into LFs first in a
 * copy when its line ends are a lone CR's. */
static int memory_prefix(source *src, const char *name, gex_error *err, input_prefix *p)
{
    if (eol_kind(src->mem, src->mem_len < PREFIX_MAX ? src->mem_len : PREFIX_MAX) == EOL_CR) {
        src->mem_copy = malloc(src->mem_len);
        if (src->mem_copy == NULL)
            return gex_error_set(err, GEX_ENOMEM, name, 0, 0, "out of memory");
        memcpy(src->mem_copy, src->mem, src->mem_len);
        src->eol = EOL_CR;
        src->mem_len = source_eol(src, src->mem_copy, src->mem_len);
        src->mem = src->mem_copy;
    }
    p->bytes = src->mem;
    p->len = src->mem_len;
    p->whole = 1;
    return GEX_OK;
}

/* The first chunk of a stream (or of compressed memory) into src->buf, its length in *len: a
 * stream whose first bytes tell a compression is read on as the stream of its decompressed
 * bytes, and the chunk is the first of those. */
static int stream_first_chunk(source *src, const char *name, gex_error *err, size_t *len)
{
    src->start = src->fp != NULL ? ftello(src->fp) : -1;
    src->cap = src->chunk > 0 ? src->chunk : READ_CHUNK;
    /* The first read holds a compression's whole magic number, whatever chunk a test asks
     * for (a stream read 3 bytes at a time was taken for an uncompressed CSV). */
    if (src->cap < GEX__COMPRESSION_MAGIC_MAX)
        src->cap = GEX__COMPRESSION_MAGIC_MAX;
    src->buf = malloc(src->cap);
    if (src->buf == NULL)
        return gex_error_set(err, GEX_ENOMEM, name, 0, 0, "out of memory");
    size_t prefix_len = source_read(src, src->buf, src->cap);
    gex__compression comp = src->z != NULL
                                ? GEX__COMPRESSION_NONE
                                : gex__compression_detect((unsigned char *)src->buf, prefix_len);
    /* From here the bytes read are the file's (decompressed): their line ends are read. */
    src->eol_on = 1;
    if (comp == GEX__COMPRESSION_NONE)
        prefix_len = source_eol(src, src->buf, prefix_len);
    if (comp != GEX__COMPRESSION_NONE) {
        src->start = -1;
        int rc = gex__inflate_open(comp, src->buf, prefix_len, src->eof ? NULL : src->fp, name,
                                   src->inflate_max, err, &src->z);
        if (rc != GEX_OK)
            return rc;
        src->eof = 0;
        prefix_len = source_read(src, src->buf, src->cap);
    }
    *len = prefix_len;
    return GEX_OK;
}

/* The prefix of a stream: its first chunk, grown (by doubling: linear in the bytes read) until
 * the first non-blank byte shows (what detection looks at first), and then until the header
 * search has its lines, unless the file opens a JSON object (JSON needs no lines: AUTO takes a
 * file opening with '{' as JSON, whatever follows), the input ends or PREFIX_MAX bytes came. */
static int stream_prefix(source *src, const gex_read_options *options, const char *name,
                         gex_error *err, input_prefix *p)
{
    size_t prefix_len = 0;
    int rc = stream_first_chunk(src, name, err, &prefix_len);
    if (rc != GEX_OK)
        return rc;
    size_t lines = count_lines(src->buf, prefix_len);
    int csv_possible = !gex__format_is_json(options->format);
    int json_possible = options->format == GEX_FORMAT_AUTO || gex__format_is_json(options->format);
    size_t bom = prefix_len >= 3 && memcmp(src->buf, utf8_bom, 3) == 0 ? 3 : 0;
    size_t nb = first_non_blank(src->buf, bom, prefix_len);
    while (!src->eof && prefix_len < PREFIX_MAX &&
           (nb == prefix_len || (csv_possible && lines < HEADER_SEARCH_LINES &&
                                 !(json_possible && src->buf[nb] == '{')))) {
        size_t cap = 2 * src->cap;
        char *grown = realloc(src->buf, cap);
        if (grown == NULL)
            return gex_error_set(err, GEX_ENOMEM, name, 0, 0, "out of memory");
        src->buf = grown;
        src->cap = cap;
        size_t got = source_read(src, src->buf + prefix_len, cap - prefix_len);
        lines += count_lines(src->buf + prefix_len, got);
        prefix_len += got;
        if (nb == prefix_len - got)
            nb = first_non_blank(src->buf, nb, prefix_len);
    }
    p->bytes = src->buf;
    p->len = prefix_len;
    p->whole = src->eof;
    return GEX_OK;
}

/* The input's format, detected from its prefix (SPEC 2) into *det, and the format's reader
 * (JSON, semicolon CSV, a fixed layout, CSV: in ranges on threads where split_input allows,
 * else in chunks) on the prefix and the rest of the input after it. */
static int read_format(source *src, gex__reader *r, const input_prefix *p, gex__detected *det)
{
    const gex_read_options *options = r->opt;
    const char *name = r->name;
    gex_error *err = r->err;
    const char *prefix = p->bytes;
    const size_t prefix_len = p->len;
    int rc = GEX_OK;
    if (src->io_error)
        rc = gex_error_set(err, GEX_EIO, name, 0, 0, "cannot read the file: %s", strerror(errno));
    size_t skip = prefix_len >= 3 && memcmp(prefix, utf8_bom, 3) == 0 ? 3 : 0;
    if (rc == GEX_OK)
        rc = gex__detect(r, prefix + skip, prefix_len - skip, p->whole, det);
    if (rc != GEX_OK)
        return rc;
    r->rep->format = det->format;
    if (gex__format_is_json(det->format)) {
        json_feed feed = {src, prefix + skip, prefix_len - skip};
        return gex__read_json(r, json_next, &feed);
    }
    if (det->semicolon)
        return gex__read_semicolon(r, det, prefix + skip, prefix_len - skip,
                                   streamed(src) ? source_next : NULL, src);
    if (gex__format_is_layout(det->format))
        /* streamed(): a stream, or compressed bytes, is read on in chunks through buf */
        return gex__read_layout(r, det, prefix + skip, prefix_len - skip,
                                streamed(src) ? source_next : NULL, src);
    gex__split_input in;
    int split = 0;
    if (split_input(src, options, skip, prefix_len, &in))
        rc = gex__read_csv_split(r, det, prefix + skip, prefix_len - skip, &in, &split);
    if (split && src->fp != NULL && fseeko(src->fp, 0, SEEK_END) != 0)
        rc = gex_error_set(err, GEX_EIO, name, 0, 0, "cannot read the file: %s", strerror(errno));
    if (!split)
        rc = gex__read_csv(r, det, prefix + skip, prefix_len - skip,
                           streamed(src) ? source_next : NULL, src);
    return rc;
}

/* The checks once the reader is done, whatever it returned (rc): what ended the bytes early
 * (the decompression's error, the stream's), and a file that changed while it was read. The
 * status that explains the read. */
static int input_end(source *src, const gex__reader *r, int regular, const struct stat *before,
                     int rc)
{
    const char *name = r->name;
    gex_error *err = r->err;
    /* A corrupt, truncated or oversized compressed input ends the bytes early: its error is the
     * one that explains whatever the reader made of them. A reader that stopped on an error
     * may not have reached it (bzip2 checks a block's CRC after giving out its bytes): the rest
     * is decompressed, up to the limit, to find it. */
    if (src->z != NULL && rc != GEX_OK)
        while (gex__inflate_read(src->z, src->buf, src->cap) > 0)
            continue;
    if (src->z != NULL && gex__inflate_status(src->z, NULL) != GEX_OK)
        rc = gex__inflate_status(src->z, err);
    if (rc == GEX_OK && src->io_error)
        rc = gex_error_set(err, GEX_EIO, name, 0, 0, "cannot read the file: %s", strerror(errno));
    /* Whatever the reader made of a file that changed under it (an early end, a row cut in
     * two, a read past the end), the change is the reason. */
    struct stat after;
    if (regular && fstat(fileno(src->fp), &after) == 0 &&
        (after.st_size != before->st_size || after.st_mtim.tv_sec != before->st_mtim.tv_sec ||
         after.st_mtim.tv_nsec != before->st_mtim.tv_nsec)) {
        gex_error_clear(err);
        rc = gex_error_set(err, GEX_EIO, name, 0, 0,
                           "the file changed while it was read (%lld bytes when opened, %lld "
                           "after); read it again once it is complete",
                           (long long)before->st_size, (long long)after.st_size);
    }
    return rc;
}

/* What the reader and the source hold once the chain is made (or refused): all but the chain. */
static void reader_end(gex__reader *r, source *src)
{
    gex__snapshots_free(r);
    free(r->snap_list);
    free(r->snap_first);
    freelocale(r->c_locale);
    free(src->buf);
    src->buf = NULL;
    free(src->mem_copy);
    src->mem_copy = NULL;
    gex__inflate_close(src->z);
    src->z = NULL;
}

/* snaps: every snapshot of a file of several becomes its own chain in it (*out NULL), each
 * what a read with --at its instant gives (split_snapshots); a file of one gives *out as
 * without snaps, snaps->n 0 (gex_chain_read_snapshots). */
static int read_source(source *src, const char *name, const gex_read_options *options,
                       gex_chain **out, gex_read_report *report, gex_error *err,
                       snapshots_out *snaps)
{
    gex_read_options defaults;
    gex_read_report local_report;
    if (options == NULL) {
        memset(&defaults, 0, sizeof defaults);
        options = &defaults;
    }
    if (report == NULL)
        report = &local_report;
    memset(report, 0, sizeof *report);
    gex_error_clear(err);
    *out = NULL;
    int rc = check_read_options(options, name, err);
    if (rc != GEX_OK)
        return rc;
    gex__reader r;
    rc = reader_start(&r, src, name, options, report, err);
    if (rc != GEX_OK)
        return rc;

    if (src->fp == NULL)
        rc = memory_inflate_open(src, name, err);
    struct stat before;
    const int regular = input_size(src, &r, &before);
    input_prefix p = {NULL, 0, 0};
    if (rc == GEX_OK)
        rc = streamed(src) ? stream_prefix(src, options, name, err, &p)
                           : memory_prefix(src, name, err, &p);
    gex__detected det;
    memset(&det, 0, sizeof det);
    if (rc == GEX_OK) {
        rc = read_format(src, &r, &p, &det);
        rc = input_end(src, &r, regular, &before, rc);
    }
    r.list_snapshots = snaps != NULL;
    if (rc == GEX_OK)
        rc = gex__snapshots_finish(&r);
    if (rc == GEX_OK && r.snap_n > 1)
        rc = split_snapshots(&r, det.header_line, snaps);
    else if (rc == GEX_OK)
        rc = finish(&r, det.header_line);

    reader_end(&r, src);
    if (rc != GEX_OK) {
        if (err != NULL && err->text[0] == '\0')
            gex_error_set(err, rc, name, 0, 0, "%s", gex_strerror(rc));
        gex_chain_free(r.chain);
        return rc;
    }
    *out = r.chain;
    return GEX_OK;
}

int gex__chain_read_buffer_split(const char *buf, size_t len, const char *name,
                                 const gex_read_options *options, gex_chain **out,
                                 gex_read_report *report, gex_error *err, size_t split_min,
                                 size_t chunk, gex__split_count *count)
{
    if (count != NULL)
        *count = (gex__split_count){.ranges = 1};
    if (out == NULL)
        return GEX_EINVAL;
    *out = NULL;
    if (buf == NULL && len > 0)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0, "no buffer");
    source src = {.mem = buf != NULL ? buf : "",
                  .mem_len = len,
                  .chunk = chunk,
                  .split_min = split_min,
                  .start = -1,
                  .count = count};
    return read_source(&src, name != NULL ? name : "<memory>", options, out, report, err, NULL);
}

int gex_chain_read_buffer(const char *buf, size_t len, const char *name,
                          const gex_read_options *options, gex_chain **out, gex_read_report *report,
                          gex_error *err)
{
    return gex__chain_read_buffer_split(buf, len, name, options, out, report, err, 0, 0, NULL);
}

int gex__chain_read_file_split(FILE *fp, const char *name, const gex_read_options *options,
                               gex_chain **out, gex_read_report *report, gex_error *err,
                               size_t split_min, size_t chunk, gex__split_count *count)
{
    if (count != NULL)
        *count = (gex__split_count){.ranges = 1};
    if (out == NULL)
        return GEX_EINVAL;
    *out = NULL;
    if (fp == NULL)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0, "no stream");
    source src = {.fp = fp, .chunk = chunk, .split_min = split_min, .start = -1, .count = count};
    return read_source(&src, name != NULL ? name : "<stream>", options, out, report, err, NULL);
}

int gex__chain_read_file_inflate_max(FILE *fp, const char *name, const gex_read_options *options,
                                     gex_chain **out, gex_read_report *report, gex_error *err,
                                     unsigned long long inflate_max)
{
    if (out == NULL)
        return GEX_EINVAL;
    *out = NULL;
    if (fp == NULL)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0, "no stream");
    source src = {.fp = fp, .start = -1, .inflate_max = inflate_max};
    return read_source(&src, name != NULL ? name : "<stream>", options, out, report, err, NULL);
}

int gex__chain_read_file_libcsv(FILE *fp, const char *name, const gex_read_options *options,
                                gex_chain **out, gex_read_report *report, gex_error *err,
                                size_t split_min, size_t chunk)
{
    if (out == NULL)
        return GEX_EINVAL;
    *out = NULL;
    if (fp == NULL)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0, "no stream");
    source src = {.fp = fp, .chunk = chunk, .split_min = split_min, .start = -1, .libcsv_only = 1};
    return read_source(&src, name != NULL ? name : "<stream>", options, out, report, err, NULL);
}

int gex__chain_read_file_chunked(FILE *fp, const char *name, const gex_read_options *options,
                                 gex_chain **out, gex_read_report *report, gex_error *err,
                                 size_t chunk)
{
    return gex__chain_read_file_split(fp, name, options, out, report, err, 0, chunk, NULL);
}

int gex_chain_read_file(FILE *fp, const char *name, const gex_read_options *options,
                        gex_chain **out, gex_read_report *report, gex_error *err)
{
    return gex__chain_read_file_chunked(fp, name, options, out, report, err, 0);
}

/* fopen(path) failed with errno e: GEX_EIO, the file's trouble, or GEX_ENOMEM when the process
 * or the system ran out of descriptors or memory (EMFILE, ENFILE, ENOMEM), a resource error that
 * passes and is no fault of the file (a caller reading many files at once must not take it for
 * a bad file). */
static int open_failed(const char *path, int e, gex_error *err)
{
    if (e == EMFILE || e == ENFILE)
        return gex_error_set(err, GEX_ENOMEM, path, 0, 0,
                             "cannot open the file: %s: raise the limit of open files (ulimit -n) "
                             "or read fewer files at once (a lower --jobs)",
                             strerror(e));
    return gex_error_set(err, e == ENOMEM ? GEX_ENOMEM : GEX_EIO, path, 0, 0,
                         "cannot open the file: %s", strerror(e));
}

int gex_chain_read_path(const char *path, const gex_read_options *options, gex_chain **out,
                        gex_read_report *report, gex_error *err)
{
    if (out == NULL)
        return GEX_EINVAL;
    *out = NULL;
    if (path == NULL)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "no path");
    if (strcmp(path, "-") == 0)
        return gex_chain_read_file(stdin, "-", options, out, report, err);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return open_failed(path, errno, err);
    int rc = gex_chain_read_file(fp, path, options, out, report, err);
    fclose(fp);
    return rc;
}

/* Every snapshot of src (gex_chain_read_snapshots), read once. */
static int read_snapshots(source *src, const char *name, const gex_read_options *options,
                          gex_chain ***out, gex_read_report **reports, size_t *n,
                          gex_read_report *report, gex_error *err)
{
    gex_read_report local_report;
    if (report == NULL)
        report = &local_report;
    gex_chain *one = NULL;
    snapshots_out snaps = {NULL, NULL, 0};
    /* A file of several snapshots is cut into them; with --at, only that one is read. */
    int rc = read_source(src, name, options, &one, report, err,
                         options != NULL && options->has_at ? NULL : &snaps);
    if (rc != GEX_OK)
        return rc;
    if (snaps.n == 0) {
        snaps.chains = malloc(sizeof *snaps.chains);
        snaps.reports = malloc(sizeof *snaps.reports);
        if (snaps.chains == NULL || snaps.reports == NULL) {
            free(snaps.chains);
            free(snaps.reports);
            gex_chain_free(one);
            return gex_error_set(err, GEX_ENOMEM, name, 0, 0, "out of memory");
        }
        snaps.chains[0] = one;
        snaps.reports[0] = *report;
        snaps.n = 1;
    }
    *out = snaps.chains;
    *n = snaps.n;
    if (reports != NULL)
        *reports = snaps.reports;
    else
        free(snaps.reports);
    return GEX_OK;
}

int gex_chain_read_snapshots(const char *path, const gex_read_options *options, gex_chain ***out,
                             gex_read_report **reports, size_t *n, gex_read_report *report,
                             gex_error *err)
{
    if (out == NULL || n == NULL)
        return GEX_EINVAL;
    *out = NULL;
    *n = 0;
    if (reports != NULL)
        *reports = NULL;
    if (path == NULL)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "no path");
    const int in = strcmp(path, "-") == 0;
    FILE *fp = in ? stdin : fopen(path, "rb");
    if (fp == NULL)
        return open_failed(path, errno, err);
    source src = {.fp = fp, .start = -1};
    const int rc = read_snapshots(&src, path, options, out, reports, n, report, err);
    if (!in)
        fclose(fp);
    return rc;
}

int gex__chain_read_buffer_snapshots(const char *buf, size_t len, const char *name,
                                     const gex_read_options *options, gex_chain ***out,
                                     gex_read_report **reports, size_t *n, gex_read_report *report,
                                     gex_error *err)
{
    if (out == NULL || n == NULL)
        return GEX_EINVAL;
    *out = NULL;
    *n = 0;
    if (reports != NULL)
        *reports = NULL;
    if (buf == NULL && len > 0)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0, "no buffer");
    source src = {.mem = buf != NULL ? buf : "", .mem_len = len, .start = -1};
    return read_snapshots(&src, name != NULL ? name : "<memory>", options, out, reports, n, report,
                          err);
}
