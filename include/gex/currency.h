/*
 * gex/currency.h: the currency of a chain's amounts, and gex's units written in it.
 *
 * A chain's prices and strikes are in one currency, and so is every amount computed from them:
 * GEX, DEX, VEX and CHEX, the hedging notional, theta. gex_chain_currency (gex/chain.h) says
 * which: an ISO 4217 code of three capital letters, GEX_CURRENCY_DEFAULT unless the file says
 * otherwise (a currency column, an NSE download). gex's units and labels are written in dollars
 * ("USD/vol pt", "GEX in USD per $1 spot move"); gex_currency_text puts a chain's currency in their
 * place.
 */
#ifndef GEX_CURRENCY_H
#define GEX_CURRENCY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GEX_CURRENCY_DEFAULT "USD"

/* Room for any unit or label gex writes through gex_currency_text, its end included. */
#define GEX_CURRENCY_TEXT_MAX 96

/* 1 when code is three capital letters A to Z and nothing after them, else 0 (NULL included). */
int gex_currency_valid(const char *code);

/* text in currency: each "USD" becomes currency's code and each "$1" "1 " and the code ("USD
 * per $1 spot move" in rupees: "INR per 1 INR spot move"). Returns text itself for the dollar, a
 * code that is not valid or a NULL text; otherwise buf (size bytes, the text cut to fit, never
 * NULL when size > 0). */
const char *gex_currency_text(const char *text, const char *currency, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* GEX_CURRENCY_H */
