/*
 * Compact chain JSON in the layout of optionsprofitcalculator.com's chain requests (SPEC 2.6):
 * {"options": {"2026-02-11": {"c": {"500.00": {"oi", "l" (last), "b" (bid), "a" (ask), "v"
 * (volume)}, ...}, "p": {...}}, ...}, "status", "data_source", ...}. It names no underlying,
 * spot, quote instant or IV: --symbol, --spot and --now are needed, and every IV is solved from
 * the mid quote.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gex/option.h"
#include "chain-json-internal.h"

enum { F_OI, F_LAST, F_BID, F_ASK, F_VOLUME };
static const char *const fields[] = {
    [F_OI] = "oi", [F_LAST] = "l", [F_BID] = "b", [F_ASK] = "a", [F_VOLUME] = "v",
};

/* Skips the record for what (a key, or a field with its value, and why), at line. */
static int bad(gex__reader *r, const gex__jrec *rec, gex_skip_reason reason, long line,
               const char *what)
{
    char text[512];
    snprintf(text, sizeof text, "options[\"%s\"][\"%s\"][\"%s\"]: %s", rec->key[0], rec->key[1],
             rec->key[2], what);
    return gex__reader_skip(r, reason, line, 0, text);
}

static int opc_record(gex__reader *r, void *state, const gex__jrec *rec)
{
    (void)state;
    const char *u = r->opt->symbol;
    if (u == NULL || u[0] == '\0' || strlen(u) > GEX__FIELD_MAX)
        return gex_error_set(r->err, GEX_EPARSE, r->name, rec->line, 0,
                             "a compact chain JSON (options.<date>.c|p.<strike>, as "
                             "optionsprofitcalculator.com serves) names no underlying; pass "
                             "--symbol (and --spot and --now: it carries no spot or time)");
    if (rec->n_keys != 3)
        return bad(r, rec, GEX_SKIP_BAD_STRIKE, rec->line,
                   "the record is not at options.<date>.c|p.<strike>");
    gex_contract k = {.line = rec->line,
                      .iv = (double)NAN,
                      .vendor_delta = (double)NAN,
                      .vendor_gamma = (double)NAN,
                      .multiplier = (double)NAN};
    if (gex__read_expiration(r, rec->key[0], rec->key_len[0], &k.expiration) != 0)
        return bad(r, rec, GEX_SKIP_BAD_EXPIRATION, rec->line,
                   "the date key is not a date (\"2026-02-11\")");
    if (strcmp(rec->key[1], "c") == 0 || strcmp(rec->key[1], "p") == 0)
        k.type = rec->key[1][0] == 'c' ? GEX_CALL : GEX_PUT;
    else
        return bad(r, rec, GEX_SKIP_BAD_TYPE, rec->line, "the side key is neither \"c\" nor \"p\"");
    if (rec->key_len[2] > GEX__FIELD_MAX ||
        gex__read_number(r, rec->key[2], rec->key_len[2], &k.strike) != 0 || !(k.strike > 0) ||
        k.strike > GEX_PRICE_MAX)
        return bad(r, rec, GEX_SKIP_BAD_STRIKE, rec->line,
                   "the strike key is not a positive price (\"500.00\")");
    char what[160];
    const gex__jnumber numbers[] = {
        {F_BID, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.bid},
        {F_ASK, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.ask},
        {F_LAST, -GEX_PRICE_MAX, GEX_PRICE_MAX, &k.last},
        {F_VOLUME, 0, GEX_CONTRACTS_MAX, &k.volume},
    };
    const int f = gex__jrec_numbers(r, rec, fields, numbers, sizeof numbers / sizeof numbers[0],
                                    NAN, what, sizeof what);
    if (f >= 0)
        return bad(r, rec, GEX_SKIP_BAD_NUMBER, gex__jrec_line(rec, (size_t)f), what);
    /* "l" 0 is "no trade", not a price of 0. */
    if (k.last == 0)
        k.last = (double)NAN;
    if (gex__jrec_open_interest(r, rec, F_OI, NAN, &k) != 0) {
        gex__jrec_number_said(r, rec, F_OI, fields[F_OI], 0, GEX_CONTRACTS_MAX, what, sizeof what);
        return bad(r, rec, GEX_SKIP_BAD_OPEN_INTEREST, gex__jrec_line(rec, F_OI), what);
    }
    return gex__jrec_store(r, u, strlen(u), u, strlen(u), &k, (double)NAN);
}

static int opc_finish(gex__reader *r, void *state, const gex__jtop *top)
{
    (void)state;
    (void)top;
    if (r->chain->n > 0 && !(r->opt->spot > 0))
        return gex_error_set(r->err, GEX_EPARSE, r->name, 0, 0,
                             "a compact chain JSON (options.<date>.c|p.<strike>) carries no "
                             "spot price of %s; pass --spot (and --now: it carries no time)",
                             r->opt->symbol);
    snprintf(r->time_note, sizeof r->time_note,
             "a compact chain JSON (options.<date>.c|p.<strike>) carries no quote instant; pass "
             "--now");
    return gex__json_require_oi(r, "a compact chain JSON", "fetch the chain with its oi");
}

const gex__jlayout gex__jlayout_opc = {
    .format = GEX_FORMAT_OPC_JSON,
    .name = "compact chain JSON (options.<date>.c|p.<strike>)",
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .record = opc_record,
    .finish = opc_finish,
};
