/* Must NOT compile under -Werror=enum-conversion (tests/enum-conversion.sh): a pricing outcome
 * held in its own enum type is not a gex_status (gex_strerror would call it "unknown status":
 * gex/error.h numbers the outcomes apart). */
#include "gex/bs.h"
#include "gex/error.h"

const char *bs_status_text(double S);

const char *bs_status_text(double S)
{
    gex_greeks g;
    const gex_bs_status st = gex_bs_greeks(GEX_CALL, S, 100.0, 0.25, 0.2, 0.0, 0.0, &g);
    return gex_strerror(st);
}
