/*
 * chain-row-internal.h: what the chain readers share (chain-row.c, and the static inline cell
 * helpers below): the reader's state, OCC symbols, expirations, the quote instant, the bad-row
 * policy and appending a contract. Included by the entry points (chain-read.c) and the format
 * readers (chain-csv.c, chain-json.c, chain-split.c); chain-row.c calls none of them. Not
 * installed.
 */
#ifndef GEX_CHAIN_ROW_INTERNAL_H
#define GEX_CHAIN_ROW_INTERNAL_H

#include <locale.h>
#include <math.h>
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>

#include "gex/chain.h"
#include "chain-internal.h"
#include "decimal-internal.h"

/* SPEC 1.4: an IV column whose median over the file exceeds this is in percent. */
#define GEX__IV_PERCENT_MEDIAN 5.0
/* SPEC 1.4: the largest IV a column in percent can mean, 500 (%), as GEX__IV_PERCENT_MEDIAN is
 * the largest of a fractional one. A larger value is a placeholder in either unit (1e308, 9999),
 * so it has no say in the median that decides the unit: it would pull the median past 5 when
 * placeholders are half the column, and two of 1e308 have no finite mean. */
#define GEX__IV_PERCENT_MAX (100.0 * GEX__IV_PERCENT_MEDIAN)

/* Whether a file IV takes part in the median that decides the column's unit: positive and
 * not a placeholder in either unit (false for NAN). */
static inline int gex__iv_votes(double iv)
{
    return iv > 0 && iv <= GEX__IV_PERCENT_MAX;
}

/* The longest text field a reader keeps (symbols, dates, types): longer ones are refused. */
#define GEX__FIELD_MAX 96
_Static_assert(GEX__FIELD_MAX == GEX_SYMBOL_MAX, "a name is one field");

/* What the end of a read (chain-read.c's finish()) needs to know of every contract before it
 * decides the IV column's unit and each contract's spot. Counted as each contract is added
 * (gex__reader_add), so that finish() makes no pass over the file's arrays for them; a split
 * read (chain-split.c) adds up its ranges' counts. */
typedef struct gex__read_checks {
    size_t n;                         /* the contracts counted */
    size_t iv_votes, iv_above;        /* file IVs with a say in the unit; those above 5 */
    size_t iv_sentinels;              /* file IVs above 5 (placeholders in a decimal column) */
    size_t iv_low;                    /* positive file IVs below GEX__FILE_IV_MIN (placeholders) */
    size_t spot_missing;              /* contracts without a spot of their own */
    size_t spot_differ, first_differ; /* contracts whose spot is not their underlying's */
} gex__read_checks;

/* Counts one more contract: its file IV, its own spot (NAN when it has none) and its
 * underlying's. */
static inline void gex__read_checks_add(gex__read_checks *ck, double iv, double spot,
                                        double underlying_spot)
{
    const int votes = gex__iv_votes(iv);
    ck->iv_votes += (size_t)votes;
    ck->iv_above += (size_t)(votes && iv > GEX__IV_PERCENT_MEDIAN);
    ck->iv_sentinels += (size_t)(isfinite(iv) && iv > GEX__IV_PERCENT_MEDIAN);
    ck->iv_low += (size_t)(iv > 0 && iv < GEX__FILE_IV_MIN);
    ck->spot_missing += (size_t)!isfinite(spot);
    if (isfinite(spot) && spot != underlying_spot && ck->spot_differ++ == 0)
        ck->first_differ = ck->n;
    ck->n++;
}

/* A reader's state common to every format. */
typedef struct gex__reader {
    const char *name;
    const gex_read_options *opt;
    gex_read_report *rep;
    gex_error *err;
    gex_chain *chain;
    locale_t c_locale;
    /* The first bad row in strict mode ends the read with this status (err filled). */
    int failed;
    /* Size of the whole input in bytes when known (0 otherwise), to size the arrays once. */
    size_t total_bytes;
    /* From the CBOE preamble: the spot (NAN when none); lines before a long header. */
    double preamble_spot;
    /* The underlying's quote a file prints once (CBOE's preamble and JSON); 0 when none.
     * finish() gives it to every underlying of the chain. */
    gex_underlying_quote file_quote;
    long preamble_lines;
    /* Counters for the report's warning line. The readers count missing_oi and weekly_roots
     * row by row, before the row's contract is kept, skipped as bad or left out by --symbol;
     * seen_oi and seen_weekly are their values after the last such row, and kept_oi and
     * kept_weekly count the contracts kept that they concern (the warning's figures). */
    size_t missing_oi;
    size_t weekly_roots; /* index contracts without a root, off the monthly cycle: PM */
    size_t seen_oi, seen_weekly, kept_oi, kept_weekly;
    /* The contracts of r->chain that count in kept_oi or kept_weekly, ascending: mark_at[k] the
     * index, mark_bits[k] which (gex__reader_mark_*), n_marks of them (malloc'ed, mark_cap
     * long; none in most files): so that contracts dropped later (a duplicate, another
     * snapshot) take their counts with them. */
    uint32_t *mark_at;
    uint8_t *mark_bits;
    size_t n_marks, mark_cap;
    size_t iv_sentinels;
    /* The file's currency: the one its rows name (a currency column, SPEC 2.1; every row that
     * names one must name the same) or its layout's (NSE's rupees); "" until known. */
    char currency[4];
    /* Quote instant gathered from the file. */
    int has_time;
    int64_t time;
    int time_varies;
    long time_note_line;
    char time_note[512];
    /* The spot a file prints once (CBOE's "Last:", its JSON's current_price) when it was there
     * but no price: why, and its line, for finish()'s message when no contract has a spot
     * (gex__reader_bad_spot); "" when none was. */
    long bad_spot_line;
    char bad_spot[160];
    /* Rows whose quote instant could not be read (gex__read_quote_time), the first's line and
     * text: where other rows' can, finish() refuses the file, since those rows' snapshot is
     * unknown (they would take the instant of the row before them). */
    size_t bad_times;
    long bad_time_line;
    char bad_time_text[64];
    const char *bad_time_problem; /* why the first could not be read (a static text), or NULL */
    /* CSV records that run over several lines (a quoted field holding a line break), and the
     * first one's lines: an unclosed quote makes the rows after it one field, so they are
     * said in a warning whatever becomes of the record. */
    size_t multiline;
    long multiline_from, multiline_to;
    /* Lines of a long CSV that repeat its header (two files of the same columns joined):
     * skipped, and the first one's line, for finish()'s warning. */
    size_t header_repeats;
    long header_repeat_line;
    /* The first bad row skipped: its line and what was wrong (gex__reader_skip), for finish()'s
     * message when every row is bad. */
    long first_bad_line;
    char first_bad[256];
    /* Root cache: the last root seen and its symbol index. */
    char last_root[GEX__FIELD_MAX + 1];
    size_t last_root_len;
    uint32_t last_root_index;
    /* Underlying cache for the --symbol filter. */
    char last_u[GEX__FIELD_MAX + 1];
    size_t last_u_len;
    uint32_t last_u_index;
    int last_u_keep;
    /* Snapshots (SPEC 2.9), for readers whose rows carry the instant of their capture (set
     * snapshot_rows): the instant of the row being read (row_has_time 0: none), the
     * first contract's, and, once a contract of another instant is added, the instant and the
     * spot of every contract (snap_time and snap_spot, snap_cap of each; NULL until then). */
    int64_t row_time;
    int row_has_time;
    int snapshot_rows; /* the rows' instants are capture instants (a quote-time column) */
    int64_t first_instant;
    int64_t snap_min, snap_max; /* the earliest and latest instants of the contracts added */
    /* Contracts added with no instant (no quote time read yet, or none in the file): in a
     * range of a split read, those before its first quote time, which one reader reading the
     * whole file would have given the instant of an earlier range's last row. */
    size_t untimed;
    int64_t *snap_time;
    double *snap_spot;
    size_t snap_cap;
    /* The instants of rows left out by --symbol (each run of one instant once): the snapshots
     * are cut over every row's instant, so that --symbol does not change them. */
    int64_t *other_time;
    size_t other_n, other_cap;
    /* gex_chain_read_snapshots: list the snapshots (their first and last instants, ascending)
     * instead of refusing a file of several; snap_first and snap_list are malloc'ed, snap_n
     * long (gex__snapshot_take makes each one's chain). */
    int list_snapshots;
    int64_t *snap_first, *snap_list;
    size_t snap_n;
    /* With them, the contracts of each snapshot: snap_order[snap_start[j] .. snap_start[j + 1])
     * are snapshot j's indexes in the chain read, ascending (malloc'ed). */
    uint32_t *snap_order;
    size_t *snap_start;
    /* The chain is a snapshot of a file of several (its messages name its instant). */
    int in_snapshot;
    /* Expiration cache: files repeat one expiration on consecutive rows. */
    char last_exp[GEX__FIELD_MAX + 1];
    size_t last_exp_len;
    int32_t last_exp_day;
    int last_exp_ok;
    /* The order of the day and the month in the slash dates of a CSV's expiration and quote-time
     * columns (SPEC 2.5, chain-csv.c): 0 not known yet (read month first, as US files write them),
     * 1 month first (a second part over 12, or a row's option symbol agreed), 2 day first (a first
     * part over 12, or a row's option symbol with day and month swapped). date_guess_line: the
     * first line whose date, of either order, was read month first while the order was not
     * known (0: none), date_guess its text. date_day_first: day-first evidence was seen (a read
     * cut into ranges is then read again in one piece, chain-split.c). */
    int date_order;
    long date_guess_line;
    char date_guess[24];
    int date_guess_time; /* date_guess is a quote time's (the quote-time column: chain-csv.c) */
    int date_day_first;
    /* Tests: every CSV line through libcsv, none through the fast path (chain-csv.c). */
    int csv_libcsv_only;
    /* The checks of the contracts added. checks_stale: they no longer describe the chain (a
     * snapshot chosen from it, ranges whose spots disagree), and finish() counts them again
     * over the chain, as it does when the chain holds another number of contracts. */
    gex__read_checks checks;
    int checks_stale;
} gex__reader;

/* Values of a decoded OCC symbol (root, expiration, type, strike). */
typedef struct gex__occ {
    char root[8];
    size_t root_len;
    int32_t expiration;
    int type;
    double strike;
} gex__occ;

/* Decodes "ROOT YYMMDD C|P strike*1000 in 8 digits", with an optional "O:" prefix and a
 * space-padded root (OCC symbology, 2010). Returns 0 or -1. */
int gex__occ_decode(const char *s, size_t len, gex__occ *out);

/* The root alone of an OCC symbol (root and root_len of *out; the tail is not checked). */
int gex__occ_root(const char *s, size_t len, gex__occ *out);

/* The underlying of an OCC root: the weekly and PM roots of the index options map to their
 * index (SPXW -> SPX), every other root to itself. Writes a NUL-terminated upper-case copy of
 * at most GEX__FIELD_MAX bytes and returns its length. */
size_t gex__root_underlying(const char *root, size_t len, char *out);

/* ASCII case-insensitive comparison of n bytes (no locale). */
static inline int gex__strncasecmp_ascii(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        x = (unsigned char)(x >= 'A' && x <= 'Z' ? x + 32 : x);
        y = (unsigned char)(y >= 'A' && y <= 'Z' ? y + 32 : y);
        if (x != y)
            return x - y;
    }
    return 0;
}

/* The length of the underlying's name in a root of a non-standard deliverable (OCC: the
 * underlying's root and digits, AAPL7 the 10-share minis, TSLA1 adjusted after a split), 0 for
 * any other root, or for one that is the record's own underlying (u, u_len; u_len 0 when the
 * record names none). */
static inline size_t gex__deliverable_base(const char *root, size_t len, const char *u,
                                           size_t u_len)
{
    size_t n = len;
    while (n > 0 && isdigit((unsigned char)root[n - 1]))
        n--;
    if (n == len || n == 0)
        return 0;
    if (u_len == len && gex__strncasecmp_ascii(u, root, len) == 0)
        return 0;
    return n;
}

/* A cell that means "no value": empty, "-", "--", "N/A", "NA", "nan", "null", "None", "#N/A".
 * Inline: it runs on every numeric cell. */
static inline int gex__is_missing(const char *s, size_t len)
{
    static const struct {
        const char *text;
        size_t len;
    } tokens[] = {{"-", 1},   {"--", 2},   {"N/A", 3},  {"NA", 2},
                  {"nan", 3}, {"null", 4}, {"None", 4}, {"#N/A", 4}};
    if (len == 0)
        return 1;
    if (len > 4) /* longer than every token */
        return 0;
    /* A digit, point or sign followed by one starts a number: the common case, decided fast. */
    unsigned char c0 = (unsigned char)s[0];
    if ((c0 >= '0' && c0 <= '9') || c0 == '.' ||
        ((c0 == '-' || c0 == '+') && len > 1 && ((s[1] >= '0' && s[1] <= '9') || s[1] == '.')))
        return 0;
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
        if (tokens[i].len == len && gex__strncasecmp_ascii(tokens[i].text, s, len) == 0)
            return 1;
    return 0;
}

/* Reads a numeric cell (s[len] == '\0'): 0 and *v (NAN for a missing cell), or -1. */
static inline int gex__read_number(const gex__reader *r, const char *s, size_t len, double *v)
{
    /* A number first (the common case), a missing-value token only when it is not one. */
    if (gex__decimal_parse(s, len, r->c_locale, v) == 0)
        return 0;
    if (gex__is_missing(s, len)) {
        *v = (double)NAN;
        return 0;
    }
    return -1;
}

/* Parses an expiration date through the reader's cache. 0 or -1. */
int gex__read_expiration(gex__reader *r, const char *s, size_t len, int32_t *day);

/* Notes the quote instant text of a row or preamble (zone_default per gex_time_parse_instant);
 * a date without a time of day is read as the close, 16:00 New York time. Returns 0, or -1 when
 * the text is no instant (counted in r->bad_times, the first kept with its line). */
int gex__read_quote_time(gex__reader *r, const char *s, size_t len, int zone_default, long line);

/* As gex__read_quote_time, the instant read from text, which the file wrote as s (the messages
 * quote s): a day-first slash date rewritten month first (chain-csv.c). */
int gex__read_quote_time_as(gex__reader *r, const char *text, size_t text_len, const char *s,
                            size_t len, int zone_default, long line);

/* Counts a bad row (lenient) or fails the read (strict: returns GEX_EPARSE with err filled).
 * what says what was wrong; the advice is appended. */
int gex__reader_skip(gex__reader *r, gex_skip_reason reason, long line, long column,
                     const char *what);

/* The same for a bad row whose underlying is known (u, u_len: as gex__reader_add takes it;
 * u_len 0 when the row does not say it): a row of another underlying than options.symbol's is
 * left out as that underlying's good rows are (gex_read_report.other_symbol), neither counted
 * as bad nor an error under --strict. */
int gex__reader_skip_of(gex__reader *r, const char *u, size_t u_len, gex_skip_reason reason,
                        long line, long column, const char *what);

/* The read's error for a status of gex__reader_add at line (0: none): the strict mode's bad row
 * has said why already (r->failed); anything else (out of memory) is said here. Returns rc. */
int gex__reader_add_failed(gex__reader *r, int rc, long line);

/* Notes that the file's one spot, what (a label: "the \"Last:\" value") with text s[0..len) at
 * line, is no price: x is its value, NAN when it is no number. The first note is kept. */
void gex__reader_bad_spot(gex__reader *r, long line, const char *what, const char *s, size_t len,
                          double x);

/* The currency (an upper-case ISO 4217 code) of the contract of line just added: the file's
 * when it is the first, else it must be the same. GEX_OK, or GEX_EPARSE with r->err filled
 * and r->failed set (a file's amounts are summed in one currency). */
int gex__reader_currency(gex__reader *r, const char code[4], long line);

/* Appends one contract: the --symbol filter, the interning of underlying and root, the
 * multiplier override. underlying and root are upper-cased; a row whose underlying or root is
 * not printable ASCII is a bad row (GEX_SKIP_BAD_SYMBOL, at k->line). Returns GEX_OK or a status
 * for gex__reader_add_failed. */
int gex__reader_add(gex__reader *r, const char *underlying, size_t u_len, const char *root,
                    size_t root_len, gex_contract *k, double spot);

/* --- whole-text layouts (chain-layout.c and the chain-<layout>.c readers) --- */

/* A piece of the input: len bytes from s (not NUL-terminated). */
typedef struct gex__span {
    const char *s;
    size_t len;
} gex__span;

/* The next line of text[0..len) from *pos, without its terminator (LF or CRLF), and *pos moved
 * past it. Returns 0 at the end of the text, else 1. */
int gex__next_line(const char *text, size_t len, size_t *pos, gex__span *line);

/* Splits a line at sep, honouring double quotes (sep and CR inside quotes are data); the
 * quotes around a field and the blanks around it are removed ("" inside a quoted field stays
 * doubled: no cell these layouts read holds one). Returns the number of fields, counting those
 * past max (only the first max are written). */
size_t gex__split_fields(gex__span line, char sep, gex__span *fields, size_t max);

/* The header line at text[offset] split at commas into h: the number of its fields, at most max
 * (those past it are not looked at); *pos is left at the line after it. */
size_t gex__header_fields(const char *text, size_t len, size_t offset, gex__span *h, size_t max,
                          size_t *pos);

/* Whether a field equals text, ignoring ASCII case. */
int gex__span_is(gex__span f, const char *text);

/* Reads a number as spreadsheets and vendors write it: an optional sign ('+' too), digit
 * grouping by commas in the integer part, Western ("4,025.00") or Indian ("3,52,725"), and a
 * final '%' (the value stays in percent: "12.5%" is 12.5). A missing-value token
 * (gex__is_missing) or "<empty>" is NAN. Returns 0 and *v, or -1 when the text is not such a
 * number. */
int gex__read_loose(const gex__reader *r, gex__span f, double *v);

/* The expiration a file name carries, as Barchart and NSE name their downloads: the first date
 * after "exp-", "exp_" or "-ED-SYMBOL-" in the last path component, written YYYY-MM-DD or
 * DD-Mon-YYYY ("gpre-options-exp-2026-06-18-monthly.csv",
 * "option-chain-ED-NIFTY-30-Dec-2025.csv"). Returns 0 and *day, or -1 when there is none. */
int gex__name_expiration(const char *name, int32_t *day);

/* Sets the settlement instant of contracts [from, chain size) to their expiration date at
 * seconds_utc past 00:00 UTC (Deribit 08:00 UTC, NSE 15:30 IST). */
void gex__settle_utc(gex__reader *r, size_t from, int seconds_utc);

/* Notes a quote instant of the file (UTC seconds, read from the cell text s of len bytes at
 * line); the latest wins, a difference is warned. An instant outside GEX_TIME_FIRST_UTC to
 * GEX_TIME_LAST_UTC (or not finite) is no instant: the row's quote time cannot be read, said as
 * gex__read_quote_time says it. */
void gex__note_time(gex__reader *r, double utc, const char *s, size_t len, long line);

/* The index of the first of names (a NULL-terminated list, in priority order) among the fields
 * of a header, compared ignoring ASCII case; -1 when none is there. */
int gex__column(const gex__span *f, size_t n, const char *const *names);

/* The number in column col of a row of n fields (gex__read_loose): NAN when col is -1 or past
 * the row. 0, or -1 when the cell is not a number. */
int gex__cell_number(const gex__reader *r, const gex__span *f, size_t n, int col, double *v);

/* Into what[0..size), for a row's message: the cell of column col of a row of n fields f, named
 * by the header's field h[col], and why it is bad ("is not a number"): 'bid_price "abc" is not
 * a number' (the first 40 bytes of the cell, others than printable ASCII as '?'). */
void gex__cell_said(char *what, size_t size, const gex__span *h, const gex__span *f, size_t n,
                    int col, const char *why);

/* A cell a layout reads as a number: its column (-1 when the header has none: NAN) and where
 * the number goes. */
typedef struct gex__cell_want {
    int col;
    double *v;
} gex__cell_want;

/* Puts "the call side's " or "the put side's " (type) before the message in what[0..size) (cut
 * to fit), for a layout whose calls and puts have columns of the same names (NSE, CBOE before
 * 2019, thinkorswim): "the put side's IV \"x\" is not a number". */
void gex__cell_of_side(char *what, size_t size, int type);

/* Reads the cells of cells[0..count) of a row of n fields f (gex__cell_number), in that order,
 * up to the first that is not a number: its column, with what[0..size) saying so under the
 * header's name for it (gex__cell_said), or -1 when every cell is one. */
int gex__cell_numbers(const gex__reader *r, const gex__span *h, const gex__span *f, size_t n,
                      const gex__cell_want *cells, size_t count, char *what, size_t size);

/* The open interest in column col of a row of n fields (gex__cell_number), from 0 to
 * GEX_CONTRACTS_MAX, into k->open_interest: an empty cell is 0 and counted in r->missing_oi
 * (gex__chain_require_oi reads it). 0, or -1 when the cell is not such a count (the reader
 * skips the row, naming the column). */
int gex__cell_open_interest(gex__reader *r, const gex__span *f, size_t n, int col, gex_contract *k);

/* A row read and not kept (a reader's own reason, before gex__reader_add or _skip): the counts
 * its reading added (missing open interest, root-less weeklies) are no kept contract's. */
void gex__reader_drop_row(gex__reader *r);

/* Appends from's marks to to's, their contracts offset places further (the ranges of a split
 * read, one after the other). GEX_OK or GEX_ENOMEM. */
int gex__reader_marks_append(gex__reader *to, const gex__reader *from, size_t offset);

/* kept_oi and kept_weekly over the contracts of r->chain not dropped (drop[i] non-zero: about to
 * be dropped; NULL: none), and the marks list made r->chain's once they are gone. */
void gex__reader_marks_drop(gex__reader *r, const uint8_t *drop);

/* Appends a warning to the report's line ("; "-separated; left out when the line is full). */
void gex__reader_warn(gex__reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* --- snapshots (SPEC 2.9) --- */

/* Quote instants less than this many seconds apart (after sorting) belong to one snapshot: the
 * rows of one capture are quoted within seconds of each other, captures of a chain are minutes
 * or days apart. */
#define GEX__SNAPSHOT_GAP 30

/* After a read: the snapshots of the file (rep->snapshots). One: nothing changes. Several: with
 * options->has_at, the chain becomes the snapshot at that instant (its quote instant the
 * snapshot's latest, the spot its own); without, GEX_EPARSE naming the snapshots and --at
 * (r->list_snapshots: they are listed in snap_list instead). GEX_OK or a status, err filled. */
int gex__snapshots_finish(gex__reader *r);

/* Of a file of several snapshots listed (r->list_snapshots, r->snap_n of them), r->chain made
 * snapshot j of whole (the chain read, left as it is), as a read with --at its instant makes it
 * (before finish()). r is a copy of the reader for that snapshot: its report and instant become
 * the snapshot's. GEX_OK or a status, err filled. */
int gex__snapshot_take(gex__reader *r, const gex_chain *whole, size_t j);

/* Counts the checks of c's contracts over its arrays (chain-read.c). */
void gex__read_checks_count(const gex_chain *c, gex__read_checks *out);

/* Whether the readers of the ranges of one file may hold rows of several snapshots: their
 * instants span GEX__SNAPSHOT_GAP or more (the file is then read again in one piece). */
int gex__snapshots_differ(const gex__reader *const *readers, size_t n);

/* Frees the reader's snapshot arrays. */
void gex__snapshots_free(gex__reader *r);

#endif /* GEX_CHAIN_ROW_INTERNAL_H */
