/* Must NOT compile under -Werror=enum-conversion (tests/enum-conversion.sh): a pricing outcome
 * is not a gex_status, though GEX_BS_OVERFLOW has GEX_ENOMEM's value. */
#include "gex/bs.h"
#include "gex/error.h"

const char *bs_status_text(double S);

const char *bs_status_text(double S)
{
    gex_greeks g;
    const gex_bs_status st = gex_bs_greeks(GEX_CALL, S, 100.0, 0.25, 0.2, 0.0, 0.0, &g);
    return gex_strerror(st);
}
