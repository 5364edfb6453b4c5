/*
 * Tradier markets/options/chains JSON (SPEC 2.6): {"options": {"option": [{"symbol" (OCC),
 * "underlying", "root_symbol", "option_type" ("call"/"put"), "expiration_date", "strike",
 * "bid", "ask", "last", "volume", "open_interest", "contract_size", "bid_date"/"ask_date" (ms),
 * "greeks": {"delta", "gamma", "mid_iv", "smv_vol", ...}}]}} (one option: an object, none:
 * null). The response holds no spot (the underlying's quote is another request): --spot.
 * A root that is its underlying's name and a digit (AAPL7, the 10-share mini options; AAPL1,
 * adjusted after a split) delivers other than 100 shares: read at its contract_size, and left
 * out, with a warning, where the record has none (2013 responses carry only the symbol).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chain-json-internal.h"

enum {
    F_SYMBOL,
    F_UNDERLYING,
    F_ROOT,
    F_TYPE,
    F_EXPIRATION,
    F_STRIKE,
    F_BID,
    F_ASK,
    F_LAST,
    F_VOLUME,
    F_OI,
    F_SIZE,
    F_BID_DATE,
    F_ASK_DATE,
    F_DELTA,
    F_GAMMA,
    F_MID_IV,
    F_SMV_VOL,
};
static const char *const fields[] = {
    [F_SYMBOL] = "symbol",
    [F_UNDERLYING] = "underlying",
    [F_ROOT] = "root_symbol",
    [F_TYPE] = "option_type",
    [F_EXPIRATION] = "expiration_date",
    [F_STRIKE] = "strike",
    [F_BID] = "bid",
    [F_ASK] = "ask",
    [F_LAST] = "last",
    [F_VOLUME] = "volume",
    [F_OI] = "open_interest",
    [F_SIZE] = "contract_size",
    [F_BID_DATE] = "bid_date",
    [F_ASK_DATE] = "ask_date",
    [F_DELTA] = "greeks.delta",
    [F_GAMMA] = "greeks.gamma",
    [F_MID_IV] = "greeks.mid_iv",
    [F_SMV_VOL] = "greeks.smv_vol",
};

/* Contracts of a non-standard deliverable left out for want of a contract_size: how many, and
 * the first's root and underlying. */
typedef struct tradier_state {
    size_t minis;
    int other_roots; /* some of another root than the first's */
    char root[GEX__FIELD_MAX + 1];
    char underlying[GEX__FIELD_MAX + 1];
} tradier_state;

/* Whether --symbol (none: every underlying) is root or its underlying's first base bytes. */
static int symbol_wanted(const gex__reader *r, const char *root, size_t len, size_t base)
{
    const char *s = r->opt->symbol;
    if (s == NULL)
        return 1;
    const size_t n = strlen(s);
    return (n == len && gex__strncasecmp_ascii(s, root, len) == 0) ||
           (n == base && gex__strncasecmp_ascii(s, root, base) == 0);
}

/* Skips the record for what (a field, its value and why), at line (the field's). */
static int bad(gex__reader *r, const gex__jrec *rec, gex_skip_reason reason, long line,
               const char *what)
{
    char text[512];
    const char *sym = gex__jrec_text(rec, F_SYMBOL);
    snprintf(text, sizeof text, "options.option[%zu] (%s): %s", rec->index,
             sym != NULL ? sym : "no symbol", what);
    return gex__reader_skip(r, reason, line, 0, text);
}

/* Skips the record for its field f, which is not what it should be (why): named with its
 * value, at its line. */
static int bad_field(gex__reader *r, const gex__jrec *rec, gex_skip_reason reason, size_t f,
                     const char *why)
{
    char shown[64], what[256];
    gex__jrec_shown(rec, f, shown, sizeof shown);
    snprintf(what, sizeof what, "\"%s\" %s %s", fields[f], shown, why);
    return bad(r, rec, reason, gex__jrec_line(rec, f), what);
}

static int tradier_record(gex__reader *r, void *state_, const gex__jrec *rec)
{
    tradier_state *state = state_;
    gex_contract k = {.line = rec->line};
    gex__occ occ;
    char what[160];
    const char *sym = gex__jrec_text(rec, F_SYMBOL);
    int has_occ = sym != NULL && gex__occ_decode(sym, rec->len[F_SYMBOL], &occ) == 0;
    /* Type, expiration and strike from their fields, else from the OCC symbol (2013 responses
     * carry only the symbol). */
    gex_skip_reason why;
    if (gex__jrec_terms(r, rec, F_TYPE, F_EXPIRATION, F_STRIKE, has_occ ? &occ : NULL, &k, &why) !=
        0) {
        if (why == GEX_SKIP_BAD_TYPE)
            return bad_field(r, rec, why, F_TYPE, "is neither \"call\" nor \"put\"");
        if (why == GEX_SKIP_BAD_EXPIRATION)
            return bad_field(r, rec, why, F_EXPIRATION, "is not a date (\"2024-03-22\")");
        if (rec->type[F_STRIKE] == GEX__JTOK_END || rec->type[F_STRIKE] == GEX__JTOK_NULL)
            return bad_field(r, rec, why, F_STRIKE, "is not a positive price");
        gex__jrec_number_said(r, rec, F_STRIKE, fields[F_STRIKE], DBL_MIN, GEX_PRICE_MAX, what,
                              sizeof what);
        return bad(r, rec, why, gex__jrec_line(rec, F_STRIKE), what);
    }
    double mid_iv, smv;
    const gex__jnumber numbers[] = {
        {F_BID, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.bid},
        {F_ASK, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.ask},
        {F_LAST, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.last},
        {F_VOLUME, 0, GEX_CONTRACTS_MAX, &k.volume},
        {F_SIZE, 0, GEX_MULTIPLIER_MAX, &k.multiplier},
        {F_DELTA, -DBL_MAX, DBL_MAX, &k.vendor_delta},
        {F_GAMMA, -DBL_MAX, DBL_MAX, &k.vendor_gamma},
        {F_MID_IV, -DBL_MAX, DBL_MAX, &mid_iv},
        {F_SMV_VOL, -DBL_MAX, DBL_MAX, &smv},
    };
    const int f = gex__jrec_numbers(r, rec, fields, numbers, sizeof numbers / sizeof numbers[0],
                                    NAN, what, sizeof what);
    if (f >= 0)
        return bad(r, rec, GEX_SKIP_BAD_NUMBER, gex__jrec_line(rec, (size_t)f), what);
    /* mid_iv (from the mid quote, a fraction); ORATS' smoothed smv_vol where it has none.
     * Placeholders (10.0 and the like, above 5) are counted after the read and solved from
     * the mid (SPEC 1.4). */
    k.iv = mid_iv > 0 ? mid_iv : smv > 0 ? smv : (double)NAN;
    if (gex__jrec_open_interest(r, rec, F_OI, NAN, &k) != 0) {
        gex__jrec_number_said(r, rec, F_OI, fields[F_OI], 0, GEX_CONTRACTS_MAX, what, sizeof what);
        return bad(r, rec, GEX_SKIP_BAD_OPEN_INTEREST, gex__jrec_line(rec, F_OI), what);
    }
    gex__jrec_epoch(r, rec, F_BID_DATE, 0);
    gex__jrec_epoch(r, rec, F_ASK_DATE, 0);
    const char *root = gex__jrec_text(rec, F_ROOT);
    size_t root_len = root != NULL ? rec->len[F_ROOT] : 0;
    if (root_len == 0 && has_occ) {
        root = occ.root;
        root_len = occ.root_len;
    }
    if (root_len == 0)
        return bad(r, rec, GEX_SKIP_BAD_SYMBOL, gex__jrec_line(rec, F_SYMBOL),
                   "neither \"root_symbol\" nor \"symbol\" names the option's root");
    const char *u = gex__jrec_text(rec, F_UNDERLYING);
    size_t u_len = u != NULL ? rec->len[F_UNDERLYING] : 0;
    char mapped[GEX__FIELD_MAX + 1];
    /* A mini or adjusted option: at its contract_size, an option on the root's underlying;
     * without one, never at 100 shares: left out (--multiplier states it, for the root alone). */
    const size_t mini = gex__deliverable_base(root, root_len, u, u_len);
    const size_t base = r->opt->multiplier > 0 ? 0 : mini;
    if (base > 0 && !(k.multiplier > 0)) {
        /* Not kept: the row's counts (its open interest missing) are no kept contract's. */
        gex__reader_drop_row(r);
        if (!symbol_wanted(r, root, root_len, base)) {
            r->rep->other_symbol++; /* another underlying than --symbol's */
            return GEX_OK;
        }
        if (state->minis++ == 0) {
            snprintf(state->root, sizeof state->root, "%.*s", (int)root_len, root);
            if (u_len > 0)
                snprintf(state->underlying, sizeof state->underlying, "%.*s", (int)u_len, u);
            else
                gex__root_underlying(root, base, state->underlying);
        } else if (strlen(state->root) != root_len ||
                   gex__strncasecmp_ascii(state->root, root, root_len) != 0) {
            state->other_roots = 1;
        }
        return GEX_OK;
    }
    if (mini > 0 && r->opt->multiplier > 0 && r->opt->symbol != NULL &&
        strlen(r->opt->symbol) == root_len &&
        gex__strncasecmp_ascii(r->opt->symbol, root, root_len) == 0) {
        /* --symbol AAPL7 --multiplier N (the left-out warning's advice): the minis alone, as
         * their own underlying, whatever underlying the record names */
        u = root;
        u_len = root_len;
    } else if (u_len == 0) {
        u_len = gex__root_underlying(root, base > 0 ? base : root_len, mapped);
        u = mapped;
    }
    return gex__jrec_store(r, u, u_len, root, root_len, &k, (double)NAN);
}

static int tradier_finish(gex__reader *r, void *state_, const gex__jtop *top)
{
    const tradier_state *state = state_;
    (void)top;
    int rc = gex__reader_relabel(r, NULL);
    if (rc != GEX_OK)
        return rc;
    if (state->minis > 0) {
        char what[320];
        snprintf(what, sizeof what,
                 "%zu %s of root %.32s%s (a deliverable other than 100 shares of %.32s: mini "
                 "or adjusted options, whose contract_size the file does not state)",
                 state->minis, state->minis == 1 ? "contract" : "contracts", state->root,
                 state->other_roots ? " and others" : "", state->underlying);
        if (r->chain->n == 0)
            return gex_error_set(r->err, GEX_EEMPTY, r->name, 0, 0,
                                 "%s %s left out, and no other contract is left; pass "
                                 "--symbol %.32s --multiplier N, N the shares one contract "
                                 "delivers (10 for a mini), to read them",
                                 what, state->minis == 1 ? "is" : "are", state->root);
        gex__reader_warn(r, "%s %s left out; pass --symbol %.32s --multiplier N to read them alone",
                         what, state->minis == 1 ? "is" : "are", state->root);
    }
    if (r->chain->n > 0 && !(r->opt->spot > 0))
        return gex_error_set(r->err, GEX_EPARSE, r->name, 0, 0,
                             "a Tradier options chain carries no spot price of %s (the "
                             "underlying's quote is another request, markets/quotes); pass "
                             "--spot",
                             r->chain->sym[r->chain->underlying[0]]);
    if (!r->has_time)
        snprintf(r->time_note, sizeof r->time_note,
                 "the Tradier chain's options carry no bid_date or ask_date (the quote "
                 "instant); pass --now");
    return gex__json_require_oi(r, "a Tradier options chain",
                                "request the chain from Tradier's markets/options/chains, which "
                                "carries open_interest");
}

const gex__jlayout gex__jlayout_tradier = {
    .format = GEX_FORMAT_TRADIER_JSON,
    .name = "Tradier options-chain JSON",
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .state_size = sizeof(tradier_state),
    .record = tradier_record,
    .finish = tradier_finish,
};
