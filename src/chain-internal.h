/*
 * chain-internal.h: what the chain storage (chain.c) shares with the readers (chain-*.c) and
 * chain-prepare.c, and the test hooks of the readers' entry points (chain-read.c). What the
 * readers share with each other is in chain-row-internal.h. Not installed; nothing here is part
 * of the public API.
 */
#ifndef GEX_CHAIN_INTERNAL_H
#define GEX_CHAIN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <math.h>
#include <string.h>

#include "gex/chain.h"

/* The multiplier of a contract whose source has none: 100 shares, the standard US equity and
 * index option (OCC). */
#define GEX__DEFAULT_MULTIPLIER 100.0

/* SPEC 1.4: a file IV below this (0.1% a year) is a vendor placeholder, not a volatility:
 * yfinance writes 1e-05 where it solved none (133 contracts of its SPY dump, among them a 0DTE
 * put of 13,437 open interest whose gamma it would zero). The mid quote decides instead. */
#define GEX__FILE_IV_MIN 1e-3

/* No settlement override recorded for a symbol. */
#define SETTLE_NONE (-1)

/* The chain: one array per field of gex_chain_view (same names), grown together. chain.c owns
 * the storage; chain-prepare.c writes T, iv, iv_source and status. */
/* The arrays of a chain, one per field below from underlying to q (chain.c's chain_arrays). */
#define GEX__CHAIN_ARRAYS 24

struct gex_chain {
    size_t n, cap;
    /* The length of the mapping of each array the chain owns that has one (chain.c's array
     * memory), in the order of chain_arrays; 0 for malloc's arrays and a window's, SIZE_MAX
     * for an array in the slab. */
    size_t array_mapped[GEX__CHAIN_ARRAYS];
    /* Elements before every array's first in its memory: the room a split read's ranges left
     * below the first once each was moved up against the next (chain-split.c); 0 otherwise.
     * The memory functions of chain.c free and resize from that far below the array. */
    size_t front;
    /* The slab: one block of slab_len bytes (gex__big_alloc's) holding arrays of slab_cap
     * elements (chain.c's array memory); NULL when there is none. */
    char *slab;
    size_t slab_len, slab_cap;
    /* One array per field (the view's fields, same names). */
    uint32_t *underlying, *root;
    int32_t *expiration;
    int64_t *settlement;
    double *strike;
    uint8_t *type;
    double *bid, *ask, *last, *file_iv, *open_interest, *volume, *multiplier, *spot;
    double *vendor_delta, *vendor_gamma, *theo;
    long *line;
    double *T, *iv;
    uint8_t *iv_source, *status;
    double *r, *q; /* per-contract carry, written by gex_chain_prepare */

    /* A window (gex__chain_lend): the arrays are lender's from element lent_at on, cap of
     * them, and lender owns them; NULL for a chain that owns its arrays. */
    const gex_chain *lender;
    size_t lent_at;

    /* Symbols: strings, their spot (NAN when unknown), the file's quote of the underlying
     * and settlement override. */
    char **sym;
    double *sym_spot;
    gex_underlying_quote *sym_quote;
    signed char *sym_settle;
    size_t n_sym, cap_sym;
    uint32_t *hash; /* n_hash slots of symbol indexes, SYMBOL_NONE when empty */
    size_t n_hash;

    int has_quote_time;
    int64_t quote_time;

    /* The file's venue lists European-style options only (Deribit, NSE: SPEC 1.8), so that
     * --exercise auto prices none American; 0 when the root decides. */
    int venue_european;

    /* The currency of its prices, strikes and so of every amount (ISO 4217, "USD" unless the
     * reader knows better: NSE's rupees, a broker file that names its currency). */
    char currency[4];

    /* The carry gex_chain_prepare used (prepared is non-zero once it ran): the exposures and
     * everything after them take r and q from here, so that they cannot differ from the ones
     * the implied volatilities were solved with. */
    int prepared;
    double rate, div;
    gex_carry_mode carry;

    /* The last settlement instant computed (root, expiration -> instant). */
    int settle_cached;
    uint32_t settle_root;
    int32_t settle_expiration;
    int64_t settle_value;

    /* Why a reader found no quote instant, for gex_chain_prepare's message ("" when none). */
    char time_note[512];
    char time_file[256];
    long time_line;
};

/* The index of a symbol (interned on first use, case kept), or GEX_ENOMEM. len bytes of s. */
int gex__chain_intern(gex_chain *chain, const char *s, size_t len, uint32_t *index);

/* Appends a contract whose strings are already interned: the readers' fast path (no hashing
 * of strings per row). The fields other than underlying and root are those of gex_contract;
 * root_index may equal underlying_index. Returns GEX_OK, GEX_EINVAL or GEX_ENOMEM. */
int gex__chain_add_interned(gex_chain *chain, uint32_t underlying_index, uint32_t root_index,
                            const gex_contract *contract);

/* The order of contracts i and j of c by underlying, then root when by_root, then settlement,
 * strike and type, so that a strike's call and put come side by side: negative, 0 or positive,
 * as a sort's comparator gives it (the parity fits' and the other side's IV's sorts of
 * positions, chain-parity.c and chain-prepare.c). */
static inline int gex__chain_cmp_contracts(const gex_chain *c, uint32_t i, uint32_t j, int by_root)
{
    if (c->underlying[i] != c->underlying[j])
        return (c->underlying[i] > c->underlying[j]) - (c->underlying[i] < c->underlying[j]);
    if (by_root && c->root[i] != c->root[j])
        return (c->root[i] > c->root[j]) - (c->root[i] < c->root[j]);
    if (c->settlement[i] != c->settlement[j])
        return (c->settlement[i] > c->settlement[j]) - (c->settlement[i] < c->settlement[j]);
    if (c->strike[i] != c->strike[j])
        return (c->strike[i] > c->strike[j]) - (c->strike[i] < c->strike[j]);
    return c->type[i] - c->type[j];
}

/* Makes room for n contracts in all (exactly n when it grows). GEX_OK or GEX_ENOMEM. */
int gex__chain_reserve(gex_chain *chain, size_t n);

/* A window on owner's arrays: a chain with no contracts and its own symbol table whose arrays
 * are owner's from element at on, cap elements (owner->cap at least at + cap), so that a reader
 * can fill its part of owner's arrays in place, on its own thread, while other windows fill
 * theirs. Owner must not grow or be freed while a window lives, and windows must not overlap. A
 * window that needs more than cap contracts is given arrays of its own (a copy) and goes on
 * there. Free it with gex_chain_free, which leaves the arrays to owner. GEX_OK, GEX_EINVAL
 * (owner a window, or too small) or GEX_ENOMEM. */
int gex__chain_lend(gex_chain *owner, size_t at, size_t cap, gex_chain **window);

/* Moves the n contracts of array i (in chain_arrays' order) of window w to its lender's
 * element to, at or after its own: a window moved up against the next one's contracts while
 * other windows are still being filled (chain-split.c). Each array is moved on its own, so that
 * several threads can share the move; gex__chain_window_rebase then points the window there. */
void gex__chain_window_move_array(gex_chain *w, size_t i, size_t to);
void gex__chain_window_rebase(gex_chain *w, size_t to);

/* Appends the contracts of parts[0..n) to chain, in that order: their symbols are interned in
 * the order of each part's table (an underlying's spot is the first part's that has one), and
 * line_shift[k] is added to the source lines of parts[k]. When chain is empty and the parts are
 * windows that lie one after the other in its arrays (moved up against each other), chain
 * begins where the first does (its front) and nothing is moved. A part that is a window on
 * chain's arrays (gex__chain_lend) at or after its place in the result is moved down within
 * them, so that parts read into windows laid out in order are not copied again; any other part is
 * copied, and each of its arrays freed as soon as it is, so that the memory held stays that of one
 * chain. (A window that cannot be moved in place, because a part before it outgrew its own, is
 * first given a copy.) The parts are left empty (free them with gex_chain_free). The arrays are
 * moved or copied on up to threads threads. GEX_OK or GEX_ENOMEM (chain then only fit to be
 * freed). */
int gex__chain_concat(gex_chain *chain, gex_chain *const *parts, const long *line_shift, size_t n,
                      size_t threads);

/* Of the underlyings whose spot lies farther from the forward of their nearest fitted
 * expiration than carry explains (GEX_PARITY_SPOT_GAP_MAX beyond GEX_PARITY_SPOT_GAP_CARRY T in
 * log terms), the farthest (gex__chain_parity_carry): found 0 when there is none. */
typedef struct gex__spot_gap {
    int found;
    uint32_t underlying;
    double gap; /* spot / forward - 1 */
    double spot, forward, div;
    int64_t settlement; /* that expiration's */
} gex__spot_gap;

/* GEX_CARRY_PARITY for gex_chain_prepare (chain-parity.c): fits every (underlying, settlement)
 * of chain, whose T is set, and writes each contract's r and q: its expiration's fit where the
 * fit holds, else rate and div. rate is also the fit's D for expirations shorter than
 * GEX_PARITY_MIN_T_FOR_RATE. Counts the expirations fitted and kept flat, and fills *gap.
 * GEX_OK or GEX_ENOMEM. */
int gex__chain_parity_carry(gex_chain *chain, double rate, double div, size_t *fitted, size_t *flat,
                            gex__spot_gap *gap);

/* Releases the spare capacity of the arrays (after a reader is done). */
void gex__chain_shrink(gex_chain *chain);

/* Records why the file gave no quote instant (file, line, a sentence ending in what to do);
 * gex_chain_prepare reports it when no --now is given. */
void gex__chain_set_time_note(gex_chain *chain, const char *file, long line, const char *text);

/* What to do about a chain without open interest, where its format gives no better advice. */
#define GEX__OI_ADVICE                                                                             \
    "read a chain that carries it (exchanges publish the open interest once a day, before the "    \
    "open)"

/* Whether some contract of c has a positive open interest, or c has none (nothing to refuse). */
int gex__chain_any_open_interest(const gex_chain *c);

/* GEX needs open interest (SPEC 2): GEX_EEMPTY, with err (file name) saying "WHAT whose N
 * contracts all have no (missing >= N, the reader's count of contracts without the field) or
 * zero open interest: GEX weighs every contract by its open interest, so none can be computed;
 * ADVICE", when c holds contracts and none has a positive open interest; GEX_OK otherwise. */
int gex__chain_require_oi(const gex_chain *c, size_t missing, const char *name, const char *what,
                          const char *advice, gex_error *err);

/* What gex__chain_drop_duplicates found: count contracts dropped, and the first contract listed
 * again (in file order): its key, and the lines of the listing dropped and of the later one. */
typedef struct gex__duplicates {
    size_t count;
    size_t first, again; /* positions before the drop */
    long first_line, again_line;
    uint32_t underlying, root;
    int32_t expiration;
    double strike;
    int type;
} gex__duplicates;

/* Drops every contract of c listed again later in it, with the same underlying, root,
 * expiration, strike and type (chain-duplicates.c: SPEC 2.5), keeping the last listing, the
 * rest in their order. Linear where the chain is in an order files use, a sort otherwise.
 * GEX_OK, GEX_ENOMEM (c unchanged) or GEX_EINVAL (a window). dropped (may be NULL): where some
 * were, *dropped a malloc'ed map of the contracts before (non-zero: dropped), else NULL. The
 * linear pass over a large chain runs on up to threads threads. */
int gex__chain_drop_duplicates(gex_chain *c, size_t threads, gex__duplicates *out,
                               uint8_t **dropped);

/* Whether a format is one of the JSON layouts (read by chain-json.c's walker). */
static inline int gex__format_is_json(gex_format f)
{
    return f == GEX_FORMAT_CBOE_JSON || f == GEX_FORMAT_SCHWAB_JSON ||
           f == GEX_FORMAT_TRADIER_JSON || f == GEX_FORMAT_POLYGON_JSON ||
           f == GEX_FORMAT_OPC_JSON || f == GEX_FORMAT_IBKR_JSON;
}

/* --- the entry points for the tests and the fuzzer (chain-read.c) --- */

/* gex_chain_read_file reading chunk bytes at a time (0: the default, 256 KB): for the tests
 * and the fuzzer, which check that chunk boundaries change nothing. */
int gex__chain_read_file_chunked(FILE *fp, const char *name, const gex_read_options *options,
                                 gex_chain **out, gex_read_report *report, gex_error *err,
                                 size_t chunk);

/* gex__chain_read_file_split with every line of a CSV tokenised by libcsv, none by the fast
 * path of chain-csv.c: for the test that both give the same chain. */
int gex__chain_read_file_libcsv(FILE *fp, const char *name, const gex_read_options *options,
                                gex_chain **out, gex_read_report *report, gex_error *err,
                                size_t split_min, size_t chunk);

/* gex_chain_read_file with a compressed input's decompressed bytes limited to inflate_max (0:
 * the default, GEX__DECOMPRESS_MAX): for the tests, which check the decompression-bomb refusal
 * without writing gigabytes. */
int gex__chain_read_file_inflate_max(FILE *fp, const char *name, const gex_read_options *options,
                                     gex_chain **out, gex_read_report *report, gex_error *err,
                                     unsigned long long inflate_max);

/* What a read in ranges did: the ranges its rows were read in (1: one piece), and how many of
 * them were read straight into the file's arrays (the others outgrew the room estimated for
 * them and were copied). */
typedef struct gex__split_count {
    size_t ranges, in_place;
    size_t moved_up; /* ranges moved up against the next (chain-split.c's settle) */
    size_t front;    /* where the file's chain begins in its arrays (0: the ranges moved down) */
} gex__split_count;

/* The same with threads > 1 in options: ranges of at least split_min bytes (0: the default,
 * 1 MB) read in chunks of chunk bytes (0: 256 KB); *count (when not NULL) says how. For the
 * tests and the fuzzer, which check that a read in ranges gives what one reader gives. */
int gex__chain_read_file_split(FILE *fp, const char *name, const gex_read_options *options,
                               gex_chain **out, gex_read_report *report, gex_error *err,
                               size_t split_min, size_t chunk, gex__split_count *count);
int gex__chain_read_buffer_split(const char *buf, size_t len, const char *name,
                                 const gex_read_options *options, gex_chain **out,
                                 gex_read_report *report, gex_error *err, size_t split_min,
                                 size_t chunk, gex__split_count *count);

/* gex_chain_read_snapshots from memory (tests, the fuzzer). */
int gex__chain_read_buffer_snapshots(const char *buf, size_t len, const char *name,
                                     const gex_read_options *options, gex_chain ***out,
                                     gex_read_report **reports, size_t *n, gex_read_report *report,
                                     gex_error *err);

#endif /* GEX_CHAIN_INTERNAL_H */
