/* Must NOT compile under -Werror=enum-conversion (tests/enum-conversion.sh): an American pricing
 * outcome is not a gex_status, though GEX_AM_DOUBLE_BOUNDARY has GEX_ENOMEM's value. */
#include "gex/american.h"
#include "gex/error.h"

const char *am_status_text(double S);

const char *am_status_text(double S)
{
    double price;
    const gex_am_status st = gex_am_price(GEX_PUT, S, 100.0, 0.25, 0.2, 0.05, 0.0, &price);
    return gex_strerror(st);
}
