/* Compiled by tests/meson.build with the header checks' flags: a program that includes only
 * gex/chain.h can fill and read a contract's type (GEX_CALL, GEX_PUT) without gex/bs.h's greeks. */
#include "gex/chain.h"

int gex_chain_type_alone(const gex_chain_view *v, size_t i);

int gex_chain_type_alone(const gex_chain_view *v, size_t i)
{
    gex_contract c = {.type = GEX_PUT};
    return v->type[i] == GEX_CALL ? c.type : GEX_CALL;
}
