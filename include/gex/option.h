/*
 * gex/option.h: the type of an option contract, call or put.
 *
 * Its own header because two stages use it and neither may pull in the other: the contracts of
 * a chain (gex/chain.h: gex_contract.type, the view's type column) and the greeks of one
 * contract (gex/bs.h, gex/american.h, gex/pricing.h), which know nothing of chains.
 */
#ifndef GEX_OPTION_H
#define GEX_OPTION_H

#ifdef __cplusplus
extern "C" {
#endif

/* Option type, as stored in int fields and uint8_t arrays. */
enum { GEX_CALL = 0, GEX_PUT = 1 };

#ifdef __cplusplus
}
#endif

#endif /* GEX_OPTION_H */
