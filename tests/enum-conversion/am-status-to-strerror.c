/* Must NOT compile under -Werror=enum-conversion (tests/enum-conversion.sh): an American pricing
 * outcome held in its own enum type is not a gex_status (gex_strerror would call it "unknown
 * status": gex/error.h numbers the outcomes apart). */
#include "gex/american.h"
#include "gex/error.h"

const char *am_status_text(double S);

const char *am_status_text(double S)
{
    double price;
    const gex_am_status st = gex_am_price(GEX_PUT, S, 100.0, 0.25, 0.2, 0.05, 0.0, &price);
    return gex_strerror(st);
}
