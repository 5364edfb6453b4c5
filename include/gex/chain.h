/*
 * gex/chain.h: option chains as structures of arrays, and the readers of every chain format
 * users download (SPEC 2).
 *
 * A gex_chain owns one array per field; gex_chain_view() exposes them read-only so that the
 * greeks and exposure loops run over plain arrays. Strings (underlying, root) are stored once
 * in a symbol table and referred to by index. A value a file does not carry is NAN in its array
 * (documented per field); NAN never leaves the library in a result.
 *
 * Life cycle: read (or build with gex_chain_add), then gex_chain_prepare() computes T, the
 * implied volatility used and a status per contract; the exposure module reads the result.
 */
#ifndef GEX_CHAIN_H
#define GEX_CHAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gex/currency.h"
#include "gex/error.h"
#include "gex/option.h" /* GEX_CALL, GEX_PUT */
#include "gex/time.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gex_chain gex_chain;

/* Input formats (SPEC 2). AUTO detects from content, never from the file name alone. */
typedef enum gex_format {
    GEX_FORMAT_AUTO = 0,
    GEX_FORMAT_LONG_CSV,     /* one contract per row, columns by header name (also yfinance) */
    GEX_FORMAT_CBOE_CSV,     /* CBOE delayed quotes "quotedata.csv", current and 2020-era layouts */
    GEX_FORMAT_CBOE_JSON,    /* CBOE delayed quotes JSON, with or without its wrapper */
    GEX_FORMAT_SCHWAB_JSON,  /* Schwab / TD Ameritrade option chain (callExpDateMap) */
    GEX_FORMAT_TRADIER_JSON, /* Tradier markets/options/chains (options.option[]) */
    GEX_FORMAT_POLYGON_JSON, /* Polygon (Massive) option chain snapshot (results[]) */
    GEX_FORMAT_OPC_JSON,     /* compact chain JSON keyed date -> c|p -> strike {oi, b, a, l, v} */
    GEX_FORMAT_IBKR_JSON,    /* IBKR snapshots saved as {"quotes": [...]} */
    /* Layouts read whole (SPEC 2.8), each recognised from its content: */
    GEX_FORMAT_BARCHART_CSV,      /* Barchart option download (expiration from the file name) */
    GEX_FORMAT_NSE_CSV,           /* NSE India option chain, CALLS | STRIKE | PUTS */
    GEX_FORMAT_DERIBIT_CSV,       /* Deribit book summary or option-board export */
    GEX_FORMAT_THINKORSWIM_CSV,   /* thinkorswim option-chain export, a section per expiration */
    GEX_FORMAT_CBOE_LEGACY,       /* CBOE quote table from before 2019, no expiration column */
    GEX_FORMAT_OPTIONSDX,         /* OptionsDX end-of-day file, [BRACKETED] headers */
    GEX_FORMAT_OPTIONMETRICS_CSV, /* OptionMetrics IvyDB extract (refused without OI) */
    GEX_FORMAT_COUNT
} gex_format;

/* "auto", "long-csv", "cboe-csv", "cboe-json", "schwab-json", "tradier-json", "polygon-json",
 * "opc-json", "ibkr-json", "barchart-csv", "nse-csv", "deribit-csv", "thinkorswim-csv",
 * "cboe-legacy", "optionsdx", "optionmetrics-csv"; NULL for an unknown value. */
const char *gex_format_name(int format);
/* Parses a format name (as above); returns GEX_OK or GEX_EINVAL. */
int gex_format_parse(const char *name, gex_format *format);

/* Where a contract's implied volatility came from. */
typedef enum gex_iv_source {
    GEX_IV_SOURCE_NONE = 0, /* no IV: the contract is excluded, its status says why */
    GEX_IV_SOURCE_FILE,     /* the file's IV column (rescaled when given in percent) */
    GEX_IV_SOURCE_MID,      /* solved from the mid quote */
    GEX_IV_SOURCE_PARITY    /* the same strike's other side: where the contract's own mid gives
                               none (below intrinsic, above the maximum, not converged), the IV of
                               the call or put of the same root, expiration and strike, which
                               put-call parity makes equal at one forward (issue 14) */
} gex_iv_source;

/* --iv-source (SPEC 1.4). */
typedef enum gex_iv_mode { GEX_IV_MODE_AUTO = 0, GEX_IV_MODE_FILE, GEX_IV_MODE_MID } gex_iv_mode;

/* Per-contract status after gex_chain_prepare(). Only GEX_CONTRACT_OK contracts enter
 * exposures and levels; the others are counted by reason. */
typedef enum gex_contract_status {
    GEX_CONTRACT_OK = 0,
    GEX_CONTRACT_EXPIRED,         /* T <= 0 */
    GEX_CONTRACT_NO_IV,           /* no file IV and no usable quote (bid <= 0, ask < bid) */
    GEX_CONTRACT_BELOW_INTRINSIC, /* mid at or below intrinsic: no IV exists */
    GEX_CONTRACT_ABOVE_MAX,       /* mid at or above the no-arbitrage maximum */
    GEX_CONTRACT_NOT_CONVERGED,   /* the IV solver did not converge */
    GEX_CONTRACT_GREEKS_OVERFLOW, /* a greek is not representable */
    GEX_CONTRACT_STATUS_COUNT
} gex_contract_status;

/* A static snake_case name for a contract status ("below_intrinsic"). */
const char *gex_contract_status_name(int status);

/* Why the reader skipped a row (lenient mode) or stopped (strict mode). */
typedef enum gex_skip_reason {
    GEX_SKIP_BAD_STRIKE = 0,    /* missing, non-numeric, non-positive or non-finite strike */
    GEX_SKIP_BAD_EXPIRATION,    /* missing or unreadable expiration */
    GEX_SKIP_BAD_TYPE,          /* neither call nor put */
    GEX_SKIP_BAD_NUMBER,        /* a numeric field (bid, ask, iv, ...) is not a number */
    GEX_SKIP_BAD_OPEN_INTEREST, /* negative or non-numeric open interest */
    GEX_SKIP_SHORT_ROW,         /* fewer fields than the header */
    GEX_SKIP_BAD_SYMBOL,        /* an OCC symbol that cannot be decoded when it is the only source,
                                   or an underlying or root that is not printable ASCII */
    GEX_SKIP_REASON_COUNT
} gex_skip_reason;

/* A static snake_case name for a skip reason ("bad_strike"). */
const char *gex_skip_reason_name(int reason);

/* The largest plausible values the readers take (SPEC 2.5). A row holding a larger one (in
 * magnitude) is bad as a non-number would be: bad_strike, bad_open_interest or bad_number,
 * skipped and counted, or an error with --strict; a larger --spot or --multiplier is refused.
 * Beyond them a value is a placeholder or a corrupted cell, never a market: a strike of 1e308
 * or a multiplier of 1e300 would otherwise pass for numbers and overflow the exposures.
 *
 * Strikes, spots and quotes (bid, ask, last), in the file's currency unit: 1e7. The dearest
 * listed share (Berkshire Hathaway class A) trades below 1e6 USD; index levels stay in the tens
 * of thousands (NDX, NSE's NIFTY in INR); Deribit's bitcoin strikes reach 2e5 USD and
 * OptionMetrics' strikes in thousandths of a dollar 3.5e5: 1e7 keeps a factor of ten above the
 * largest. An option's price is at most its spot (a call) or its strike (a put), so the quotes
 * share the bound. */
#define GEX_PRICE_MAX 1e7
/* The smallest plausible positive strike or spot: 1e-6 in the file's currency unit, four orders
 * below the smallest that lists options (the yen's futures, 0.0067 USD; penny stocks, 0.01 USD).
 * A positive strike or spot below it is a placeholder or a corrupted cell ("44e-222"): a
 * spot of 1e-221 made the hedging estimate's shares overflow. The quotes have no lower bound
 * (a price of zero or near it is a market). */
#define GEX_PRICE_MIN 1e-6
/* Open interest and volume, in contracts: 1e9, a thousand times the largest open interest or
 * daily volume of any one listed contract (a few hundred thousand to a few million). */
#define GEX_CONTRACTS_MAX 1e9
/* A vendor's own delta or gamma (the file's greeks, which validate compares): 1e7 in magnitude.
 * A delta is at most the shares a contract delivers (a few thousand where a vendor prints it
 * in shares), a gamma per unit of spot stays below 1e5 even hours from expiry on a one-cent
 * underlying. A larger one is a placeholder or a corrupted cell, whose square overflowed
 * validate's sums (an RMS of inf). */
#define GEX_GREEK_MAX 1e7
/* Shares (units) per contract: 1e6. Equity and index options deliver 100 (10 for minis, 1000
 * for some adjusted contracts); the units of options on futures run to the tens of thousands
 * (42,000 gallons of heating oil). */
#define GEX_MULTIPLIER_MAX 1e6
/* The longest underlying or root name, in bytes: 96. Tickers, OCC roots and Deribit's
 * currencies are a few characters; a row naming a longer one is a bad row (GEX_SKIP_BAD_SYMBOL)
 * and gex_read_options.symbol longer than it is refused (GEX_EINVAL). */
#define GEX_SYMBOL_MAX 96

/* A --settle ROOT=am|pm override. */
typedef struct gex_settle_override {
    const char *root;
    gex_settle style;
} gex_settle_override;

/* Reader options. Zero-initialise, then set what you need: all zeros means "auto-detect,
 * lenient, every symbol, multiplier from the file or 100". */
typedef struct gex_read_options {
    gex_format format; /* GEX_FORMAT_AUTO to detect */
    int strict;        /* non-zero: the first bad row is an error (GEX_EPARSE) */
    /* keep only this underlying (case-insensitive, at most GEX_SYMBOL_MAX bytes); NULL: all */
    const char *symbol;
    double multiplier; /* > 0 overrides the file's multiplier; 0: file's, else 100 */
    double spot;       /* > 0 overrides the file's spot for every underlying */
    /* n_settle overrides of the settlement style; n_settle > 0 with settle NULL: GEX_EINVAL */
    const gex_settle_override *settle;
    size_t n_settle;
    /* Threads reading one input: 0 or 1, the calling thread alone. N > 1: a long or CBOE CSV
     * in memory or in a regular file, of at least 1 MB of rows per range, has its rows cut at
     * row boundaries into up to N ranges read at once (the calling thread reads one). The
     * result is the same in every respect (contracts and their order, symbols, report,
     * warnings, errors) as with one thread; a file whose boundaries cannot be proven (a quoted
     * field holding a newline across one) is read by one thread. The check for contracts listed
     * twice also runs on up to N threads, over a chain of at least 524,288 contracts. */
    int threads;
    /* The expiration of every contract of a file whose layout writes it only in the file name
     * (Barchart, NSE), in days since 1970-01-01 (--expiration-of-file); 0: from the file name,
     * else the read is refused (SPEC 2.8). 1970-01-01 is no option's expiration. */
    int32_t file_expiration;
    /* A file of several snapshots of a chain (quote instants GEX__SNAPSHOT_GAP = 30 s or more
     * apart: OptionsDX months, intraday captures with a quote-time column) is refused unless
     * one is chosen: has_at non-zero reads the snapshot quoted at `at` (UTC seconds, within
     * 30 s of its instants), with its own spot and quote instant (--at, SPEC 2.9).
     * gex_chain_read_snapshots reads them all. */
    int has_at;
    int64_t at;
    /* The instant the caller dates a file by when it carries no quote instant of its own
     * (--now, UTC seconds), given has_now non-zero: such a file is then one snapshot at now,
     * and has_at's instant must fall within 30 s of it, as of a dated file's one snapshot
     * (GEX_EPARSE and at_missing otherwise). It dates nothing: gex_prepare_options.now does.
     * Zero: a file without a quote instant is read whatever at is. */
    int has_now;
    int64_t now;
} gex_read_options;

/* What the reader did. */
typedef struct gex_read_report {
    gex_format format;                     /* the format read */
    size_t rows;                           /* data rows seen (a CBOE row holds a call and a put) */
    size_t contracts;                      /* contracts kept */
    size_t skipped[GEX_SKIP_REASON_COUNT]; /* rows (or CBOE row halves) skipped per reason */
    /* First line skipped for each reason, 0 if none; for CBOE JSON the record's 1-based
     * position in data.options, for the other JSON layouts the line where its object opens. */
    long first_line[GEX_SKIP_REASON_COUNT];
    size_t other_symbol;     /* contracts of other underlyings left out by options.symbol */
    int iv_percent_rescaled; /* the IV column was in percent and was divided by 100 */
    int has_quote_time;      /* the file carried a quote instant */
    size_t bad_quote_times;  /* rows whose quote time could not be read (none read: the chain's
                                gex_chain_time_note says which) */
    /* Snapshots in the file: 0 when it carries no quote instant; 1 for one chain, dated by its
     * rows or once by the file (a CBOE date line, a JSON timestamp); more for several. */
    size_t snapshots;
    int at_missing; /* the read failed: no snapshot of the file is at options->at */
    /* One line of warnings for the user, "; "-separated ("" when none): IV column rescaled
     * from percent, IV placeholders above 5 ignored, open interest missing (read as 0), lines
     * before a long CSV header, quote times that differ between rows, spots that differ between
     * rows of one underlying, index rows without a root read as PM weeklies. (A date that gives no
     * quote instant is reported by gex_chain_prepare, and only when no --now is given.) */
    char warning[512];
    /* In the report of one snapshot of several (gex_chain_read_snapshots' reports): where its
     * own warnings begin in warning, after the file's rows' ("; "-separated); 0 otherwise. */
    size_t snapshot_warning;
    /* Also there: GEX_OK, or the status of a snapshot the read with --at its instant refuses
     * (no spot in its rows, no open interest), whose chain is then NULL; error says why. */
    int status;
    gex_error error;
} gex_read_report;

/* Reads a chain from a path ("-" reads standard input). On success returns GEX_OK and *out owns
 * a new chain (free it with gex_chain_free). On failure returns a gex_status, *out is NULL, and
 * err (if not NULL) says where and why, ending with what to do when that is known:
 *   GEX_EIO       the file cannot be opened or read;
 *   GEX_EFORMAT   not a format gex reads ("pass --input-format");
 *   GEX_EPARSE    strict mode and a bad row (file, line, column of the field: exact for
 *                 unquoted fields), JSON that does not parse, a header naming no underlying
 *                 ("pass --symbol"), no spot for an underlying ("pass --spot"), a field over
 *                 64 MB;
 *   GEX_EEMPTY    an empty file, a header without rows, every row bad, or no contract of
 *                 options->symbol;
 *   GEX_EINVAL    bad arguments (an override beyond its bound, a symbol longer than
 *                 GEX_SYMBOL_MAX);
 *   GEX_ENOMEM    out of memory, also when the file cannot be opened for want of a descriptor
 *                 (EMFILE, ENFILE) or of memory: the process's trouble, not the file's.
 * A date line or quote-time cell that gives no instant is not an error here: the chain has no
 * quote instant and gex_chain_prepare() reports the file, line and reason ("pass --now") unless
 * --now is given. report may be NULL. Input is read in chunks (no copy of the whole file) and
 * nothing is allocated per row; JSON is read token by token, one contract's object at a time; a
 * gzip, zstd, xz or bzip2 file (told by its first bytes) is read decompressed, and is an error
 * (GEX_EPARSE) when corrupt, truncated or more than 2 GiB decompressed. */
int gex_chain_read_path(const char *path, const gex_read_options *options, gex_chain **out,
                        gex_read_report *report, gex_error *err);

/* Every snapshot of a file (SPEC 2.9), each its own chain, in the order of their quote
 * instants: GEX_OK, *out a new array of *n chains (free each, then the array with free()). A
 * file of one snapshot gives one chain; with options->has_at, the one snapshot read as
 * gex_chain_read_path reads it. Each chain is what gex_chain_read_path with options->has_at at
 * its quote instant gives; the file is read once and the chain read cut into them ("-" reads
 * standard input). reports (may be NULL): *reports a new array of *n reports (free()), each
 * what the read with --at gives: the file's rows and skipped rows, the snapshot's contracts, the
 * warnings of the file's rows and then those of the snapshot's (from snapshot_warning on).
 * A snapshot the read with --at its instant refuses is NULL in *out, its report's status and
 * error saying why; the read fails only when every snapshot is refused (with the first one's
 * error). report (may be NULL): the file's, with the warnings of its rows alone and the
 * snapshots' contracts summed; for a file of one snapshot, that snapshot's. Statuses and err as
 * gex_chain_read_path (report then says what the read found). */
int gex_chain_read_snapshots(const char *path, const gex_read_options *options, gex_chain ***out,
                             gex_read_report **reports, size_t *n, gex_read_report *report,
                             gex_error *err);

/* The same from an open stream; name is used in messages. The stream is read to its end and
 * not closed. */
int gex_chain_read_file(FILE *fp, const char *name, const gex_read_options *options,
                        gex_chain **out, gex_read_report *report, gex_error *err);

/* The same from memory (len bytes, need not be NUL-terminated). */
int gex_chain_read_buffer(const char *buf, size_t len, const char *name,
                          const gex_read_options *options, gex_chain **out, gex_read_report *report,
                          gex_error *err);

/* --- building a chain by hand (tests, generators, other readers) --- */

/* A new empty chain, or NULL when out of memory. */
gex_chain *gex_chain_new(void);

/* Frees a chain and everything it owns. Accepts NULL. */
void gex_chain_free(gex_chain *chain);

/* One contract to append. NAN marks a value the source does not have. */
typedef struct gex_contract {
    const char *underlying; /* e.g. "SPX" */
    const char *root;       /* OCC root, e.g. "SPXW"; NULL: same as underlying */
    int32_t expiration;     /* days since 1970-01-01 */
    double strike;
    int type;              /* GEX_CALL or GEX_PUT (gex/option.h) */
    double bid, ask, last; /* NAN when absent */
    double iv;             /* the file's IV as a fraction (0.2 = 20%); NAN when absent */
    double open_interest;  /* contracts, >= 0 */
    double volume;         /* contracts; NAN when absent */
    double multiplier;     /* shares per contract; NAN or 0: the chain default (100) */
    double vendor_delta;   /* the file's own greeks; NAN when absent */
    double vendor_gamma;
    double theo; /* the file's theoretical price (CBOE JSON's "theo", its model's value of the
                  * option); 0 or NAN when absent: only a positive finite value is kept */
    long line;   /* source line, for messages; 0 when none */
} gex_contract;

/* Appends a contract (copies it; settlement from the root's style unless overridden).
 * Returns GEX_OK, GEX_EINVAL (NULL, empty underlying, bad strike or type) or GEX_ENOMEM. */
int gex_chain_add(gex_chain *chain, const gex_contract *contract);

/* Sets the spot of an underlying (every contract of it, present and future). GEX_EINVAL when
 * spot is not > 0 and finite. */
int gex_chain_set_spot(gex_chain *chain, const char *underlying, double spot);

/* The underlying's own quote, as a file prints it: CBOE's CSV preamble ("Last: 4505.10",
 * "Bid: 4483.25,Ask: 4526.27"), CBOE's JSON (data.bid, data.ask) and a long CSV's
 * underlying_bid, underlying_ask and underlying_last columns. Each is NAN where the file has
 * none (a 0 bid or ask, CBOE's placeholder for an index, is none). The spot gex computes with
 * is gex_chain_view's spot, which --spot may override; this quote is the file's. */
typedef struct gex_underlying_quote {
    double bid, ask, last;
} gex_underlying_quote;

/* Sets the quote of an underlying. Values that are not > 0 and finite are stored as NAN.
 * GEX_EINVAL (NULL arguments, empty underlying) or GEX_ENOMEM. */
int gex_chain_set_underlying_quote(gex_chain *chain, const char *underlying,
                                   const gex_underlying_quote *quote);

/* The quote of underlying (an index of gex_chain_symbol): every field NAN when the file gave
 * none or the index is out of range. */
gex_underlying_quote gex_chain_underlying_quote(const gex_chain *chain, uint32_t underlying);

/* Overrides the settlement style of a root (--settle ROOT=am|pm), compared ignoring case, for
 * the contracts present and those added later; their settlement instants are recomputed.
 * GEX_EINVAL for a NULL or empty root or an unknown style, GEX_ENOMEM. */
int gex_chain_set_settle(gex_chain *chain, const char *root, gex_settle style);

/* Sets the quote instant (UTC seconds). */
void gex_chain_set_quote_time(gex_chain *chain, int64_t utc);

/* The quote instant: GEX_OK and *utc, or GEX_ENOTIME when the chain has none. */
int gex_chain_quote_time(const gex_chain *chain, int64_t *utc);

/* Why a chain read from a file has no quote instant, as its reader said it ("the date
 * \"yesterday\" cannot be read (...), so the quote instant is unknown; pass --now"), with the
 * line it names into *line (may be NULL; 0: none); "" when the reader said nothing (a chain
 * with an instant, or one built in memory). gex_chain_prepare reports the same without --now. */
const char *gex_chain_time_note(const gex_chain *chain, long *line);

/* GEX weighs every contract by its open interest: GEX_EEMPTY, with err (file name, may be NULL)
 * saying so ("the chain of SYM whose N contracts all have zero open interest: GEX weighs every
 * contract by its open interest, so none can be computed; ..."), when chain holds contracts and
 * none has a positive open interest; GEX_OK otherwise (an empty chain included), GEX_EINVAL for
 * a NULL chain. The readers refuse such a file (SPEC 2); a file of several underlyings read
 * whole is refused only when all of its contracts have none, and this checks one underlying's
 * chain (gex screen's). */
int gex_chain_check_open_interest(const gex_chain *chain, const char *name, gex_error *err);

/* A spot for every contract: GEX_EPARSE, with err (file name, may be NULL; the line of the
 * first contract without one) saying so ("the file gives no spot price for SYM: its rows have
 * none (the first here); pass --symbol SYM --spot PRICE to read it alone"), when a contract of
 * chain has none; GEX_OK otherwise (an empty chain included), GEX_EINVAL for a NULL chain. The
 * readers refuse a file whose underlyings give no spot (SPEC 2.5); a file of several
 * underlyings read whole keeps those of its underlyings whose rows give none without one when
 * others give theirs, and this checks one underlying's chain (gex screen's and gex history's),
 * as gex_chain_check_open_interest does. */
int gex_chain_check_spot(const gex_chain *chain, const char *name, gex_error *err);

/* Whether the file's venue lists European-style options only (SPEC 1.8): 1 for a chain read
 * from a Deribit or NSE file (every Deribit option and every NSE option, index or stock, is
 * European), 0 when the file says nothing and the root decides (gex_exercise_for_root). The
 * reader sets it; the setter is for chains built by hand. Chains made from a chain (select,
 * extract, split) keep it. */
void gex_chain_set_venue_european(gex_chain *chain, int european);
int gex_chain_venue_european(const gex_chain *chain);

/* The currency of a chain's prices and strikes, and so of every amount computed from them: an
 * ISO 4217 code of three capital letters. GEX_CURRENCY_DEFAULT unless the file says otherwise
 * (a long CSV's currency column, as yfinance's dumps have; an NSE download: INR; SPEC 1.5, 2). The
 * setter takes a code of three capital letters (GEX_EINVAL otherwise, the chain unchanged); chains
 * made from a chain keep it. */
int gex_chain_set_currency(gex_chain *chain, const char *code);
const char *gex_chain_currency(const gex_chain *chain);

/* --- reading a chain --- */

/* Read-only arrays, n elements each, valid until the chain is modified or freed. */
typedef struct gex_chain_view {
    size_t n;
    const uint32_t *underlying; /* index for gex_chain_symbol() */
    const uint32_t *root;       /* index for gex_chain_symbol() */
    const int32_t *expiration;  /* days since 1970-01-01 */
    const int64_t *settlement;  /* UTC seconds of the settlement instant */
    const double *strike;
    const uint8_t *type;            /* GEX_CALL or GEX_PUT */
    const double *bid, *ask, *last; /* NAN when absent */
    const double *file_iv;          /* the file's IV as a fraction, NAN when absent */
    const double *open_interest;
    const double *volume; /* NAN when absent */
    const double *multiplier;
    const double *spot; /* the underlying's spot, per contract; NAN when unknown */
    const double *vendor_delta, *vendor_gamma; /* NAN when absent */
    const double *theo; /* the file's theoretical price (gex_contract.theo), NAN when absent */
    const long *line;   /* source line, 0 when none */
    /* Set by gex_chain_prepare(); before it, T and iv are NAN and status is 0: */
    const double *T;          /* years, SPEC 1.1 (may be <= 0: expired) */
    const double *iv;         /* the volatility used, 0 where status != OK */
    const uint8_t *iv_source; /* gex_iv_source */
    const uint8_t *status;    /* gex_contract_status */
    /* The carry of each contract, set by gex_chain_prepare(): the --rate and --div given, or,
     * with GEX_CARRY_PARITY, the r and q of its expiration's parity fit (NAN before): */
    const double *r; /* continuously compounded rate, a fraction a year */
    const double *q; /* continuous dividend yield, a fraction a year */
} gex_chain_view;

/* Fills *view. Both must not be NULL. */
void gex_chain_get_view(const gex_chain *chain, gex_chain_view *view);

/* Number of contracts. */
size_t gex_chain_size(const gex_chain *chain);

/* Number of distinct strings in the symbol table, and the string of an index (NULL when out of
 * range). Underlyings and roots share the table. */
size_t gex_chain_symbol_count(const gex_chain *chain);
const char *gex_chain_symbol(const gex_chain *chain, uint32_t index);

/* The distinct underlyings, in order of first appearance: writes up to max indexes into ids and
 * returns how many there are. */
size_t gex_chain_underlyings(const gex_chain *chain, uint32_t *ids, size_t max);

/* The distinct expirations of the contracts, ascending (days since 1970-01-01), each with its
 * number of contracts: *days and *counts are new arrays of *n entries, for the caller to free
 * (NULL with *n 0 for a chain without contracts). GEX_OK, GEX_EINVAL (a NULL argument) or
 * GEX_ENOMEM (then both are NULL). */
int gex_chain_expirations(const gex_chain *chain, int32_t **days, size_t **counts, size_t *n);

/* A new chain holding only the contracts of one underlying (same quote instant; prepared
 * fields copied). GEX_ENOTFOUND when the chain has no such underlying. */
int gex_chain_select(const gex_chain *chain, const char *underlying, gex_chain **out);

/* Splits a chain into one chain per underlying in a single pass over the contracts (for a
 * file of many underlyings: gex_chain_select per underlying would pass over all of them each
 * time). out[k] receives the contracts of the k-th underlying in the order of
 * gex_chain_underlyings(), with the quote instant, spots, settlement overrides and prepared
 * fields; n must be that number of underlyings. Returns GEX_OK, or GEX_EINVAL (NULL arguments,
 * n not the number of underlyings) / GEX_ENOMEM, and then every out[k] is NULL. */
int gex_chain_split(const gex_chain *chain, gex_chain **out, size_t n);

/* A new chain holding contracts indexes[0..n) of chain, in that order, with their symbols'
 * spots and settlement overrides, the quote instant and the prepared fields: what
 * gex_chain_select gives, for a set of contracts the caller chose (for example one underlying of
 * a file grouped once, built only when it is computed); n 0 (indexes may then be NULL) gives a
 * chain without contracts. Returns GEX_OK, GEX_EINVAL (chain or out NULL, indexes NULL with
 * n > 0, an index out of range) or GEX_ENOMEM; *out is NULL on failure. */
int gex_chain_extract(const gex_chain *chain, const uint32_t *indexes, size_t n, gex_chain **out);

/* --- preparing: T, implied volatility, status (SPEC 1.1, 1.4) --- */

/* --carry (SPEC 1.2): where each contract's r and q come from. */
typedef enum gex_carry_mode {
    GEX_CARRY_FLAT = 0, /* options->rate and options->div for every contract */
    GEX_CARRY_PARITY    /* per expiration, the r and q of put-call parity on the chain's own mids
                           (gex_chain_parity_fit): D = e^{-rT}, F = S e^{(r-q)T}; an expiration
                           the fit refuses keeps rate and div, and is counted */
} gex_carry_mode;

/* A static name of a carry mode ("flat", "parity"), or NULL. */
const char *gex_carry_mode_name(int mode);

typedef struct gex_prepare_options {
    int has_now; /* non-zero: now overrides the file's quote instant (--now) */
    int64_t now; /* UTC seconds */
    double rate; /* r, continuously compounded (SPEC default 0.045) */
    double div;  /* q, continuous yield (SPEC default 0.013) */
    gex_iv_mode iv_mode;
    gex_carry_mode carry; /* default GEX_CARRY_FLAT */
} gex_prepare_options;

/* Defaults of SPEC 1.2 and 1.4: rate 0.045, div 0.013, iv auto, flat carry, no --now. */
void gex_prepare_options_default(gex_prepare_options *options);

typedef struct gex_prepare_report {
    size_t status[GEX_CONTRACT_STATUS_COUNT]; /* contracts per gex_contract_status */
    size_t iv_from_file;
    size_t iv_from_mid;
    size_t iv_from_parity; /* GEX_IV_SOURCE_PARITY */
    int64_t quote_time;    /* the instant T was measured from */
    gex_carry_mode carry;  /* the mode the chain was prepared with */
    /* GEX_CARRY_PARITY: the expirations (per underlying) whose parity fit was applied, and
     * those that kept the flat carry because the fit was refused (fewer than
     * GEX_PARITY_MIN_PAIRS two-sided strikes, or a D out of range); 0 and 0 when flat. */
    size_t carry_fitted, carry_flat;
    /* One line of warnings for the user ("" when none): the default carry (SPEC 1.2) applied
     * to a quote instant more than GEX_CARRY_DEFAULT_SLACK_DAYS outside the period it
     * describes (with GEX_CARRY_PARITY only when an expiration kept the flat carry), and the
     * expirations that kept the flat carry under GEX_CARRY_PARITY; "; " between the two. */
    char warning[512];
} gex_prepare_report;

/* The period the default carry of SPEC 1.2 (r = 0.045, q = 0.013) describes, as days since
 * 1970-01-01 (2025-07-01 to 2026-12-31), and how far outside it a quote may lie before
 * gex_chain_prepare warns that those rates are stale for it (two years: US rates stood near
 * 4.5-5.3% from mid 2023, near 0 in 2020-2021). */
#define GEX_CARRY_DEFAULT_FROM_DAY   20270
#define GEX_CARRY_DEFAULT_TO_DAY     20818
#define GEX_CARRY_DEFAULT_SLACK_DAYS 730

/* Computes T from the quote instant (options->now when has_now, else the chain's), resolves the
 * implied volatility per SPEC 1.4 (file IV in (0, 5], else solved from the mid), and sets each
 * contract's status. Returns GEX_OK, GEX_ENOTIME when there is no quote instant (err names
 * --now and, for a chain read from a file, the file and line of the date that could not be
 * read), GEX_EINVAL for a contract without a spot (err names the underlying and --spot) or
 * options out of their domain. options may be NULL (the defaults). report may be NULL. */
int gex_chain_prepare(gex_chain *chain, const gex_prepare_options *options,
                      gex_prepare_report *report, gex_error *err);

/* The flat carry the chain was prepared with (options->rate and options->div of the last
 * gex_chain_prepare; chains made from a prepared chain by gex_chain_select, gex_chain_split and
 * gex_chain_extract keep it). With GEX_CARRY_FLAT every computation after the preparation
 * (exposures, levels, profile, hedging) uses these r and q, the ones the implied volatilities
 * were solved with; with GEX_CARRY_PARITY the per-contract r and q of the view (gex_chain_view
 * r, q) replace them, and this is the fallback of expirations without a fit. Returns GEX_OK and
 * fills rate and div (either may be NULL), or GEX_EINVAL when chain is NULL or not prepared. */
int gex_chain_carry(const gex_chain *chain, double *rate, double *div);

/* The carry mode the chain was prepared with (GEX_CARRY_FLAT before gex_chain_prepare). */
gex_carry_mode gex_chain_carry_mode(const gex_chain *chain);

/* --- carry implied by the quotes: put-call parity per expiration --- */

/* The parity fit of one expiration: C - P = D (F - K) on the mids of the strikes where both
 * sides quote two-sided (bid > 0, ask >= bid), on the GEX_PARITY_NEAR_PAIRS strikes nearest the
 * spot (of two as near, the lower). D is the Theil-Sen slope (Sen 1968: the median of the pairwise
 * slopes) when T >= GEX_PARITY_MIN_T_FOR_RATE, else e^{-rT} at the chain's rate (over a few days
 * the quotes cannot tell D from 1); F is the median of K + (C - P) / D. */
typedef struct gex_parity_fit {
    int64_t settlement; /* the expiration's settlement instant, UTC seconds */
    double T;           /* its time to settlement (SPEC 1.1), years */
    size_t pairs;       /* two-sided strikes fitted (before the fit: all of them) */
    int ok;             /* non-zero: the fit below holds; 0: too few pairs or no sane D, F */
    double forward;     /* F, in the underlying's currency */
    double discount;    /* D = e^{-rT} */
    double rate, div;   /* implied r = -ln(D) / T and q = r - ln(F / S) / T */
    double residual;    /* median |C - P - D (F - K)| over the fitted pairs, in currency */
} gex_parity_fit;

/* gex's own bound on how far an underlying's spot S may lie from the forward F of its nearest
 * fitted expiration, beyond what carry explains, before gex_chain_prepare warns under
 * GEX_CARRY_PARITY: it warns when |ln(S / F)| > GEX_PARITY_SPOT_GAP_MAX +
 * GEX_PARITY_SPOT_GAP_CARRY T. There the fits keep the quotes' forwards and such a spot only
 * sets each expiration's dividend yield q = r - ln(F / S) / T. The real chains of
 * ../shared/chains lie within 0.22% of F (index and ETF files) and 1.42% (TSLA, priced
 * American, quoted on a Sunday); a what-if spot 10% off gives q of thousands of percent a year
 * on a near expiration. */
#define GEX_PARITY_SPOT_GAP_MAX 0.03
/* The most |r - q| a year the band above grants for carry: rates and dividend yields (with a
 * stock's borrow cost) that far apart over the nearest fit's T move F from S without any
 * disagreement (a chain whose first fitted expiration is years out, its nearer ones too thin). */
#define GEX_PARITY_SPOT_GAP_CARRY 0.15

/* Fewest two-sided strikes a fit needs, and how many nearest the spot it uses. */
#define GEX_PARITY_MIN_PAIRS  3
#define GEX_PARITY_NEAR_PAIRS 24
/* The shortest T (years, 30 days) over which D is fitted rather than held at the chain's rate. */
#define GEX_PARITY_MIN_T_FOR_RATE (30.0 / 365.0)
/* The D a fit may give (r between about -40% and +70% over a month): beyond, the quotes are
 * not a parity relation (stale or crossed), and the fit is refused. */
#define GEX_PARITY_D_MIN 0.5
#define GEX_PARITY_D_MAX 1.05

/* Fits every expiration (settlement instant) of a prepared chain of one underlying, in order
 * of settlement: writes up to max fits into out and the number of expirations into *count.
 * Returns GEX_OK, GEX_EINVAL (NULL chain or count, out NULL with max > 0, not prepared, several
 * underlyings) or GEX_ENOMEM. */
int gex_chain_parity_fit(const gex_chain *chain, gex_parity_fit *out, size_t max, size_t *count);

/* The prices a parity fit reads: the quotes' mids (gex_chain_parity_fit, and the carry of
 * gex_chain_prepare), or the file's theoretical prices (gex_contract.theo: CBOE JSON's "theo"),
 * where a strike's call and put both have one. */
typedef enum gex_parity_prices { GEX_PARITY_MIDS = 0, GEX_PARITY_THEO } gex_parity_prices;

/* gex_chain_parity_fit on the given prices: with GEX_PARITY_THEO a pair is a strike whose call
 * and put both carry a theoretical price (their quotes are not read); an expiration with fewer
 * than GEX_PARITY_MIN_PAIRS such strikes is not ok. Same returns, and GEX_EINVAL for an unknown
 * prices. */
int gex_chain_parity_fit_prices(const gex_chain *chain, gex_parity_prices prices,
                                gex_parity_fit *out, size_t max, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* GEX_CHAIN_H */
