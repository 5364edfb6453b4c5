/* Must NOT compile under -Werror=enum-conversion (tests/enum-conversion.sh): an implied-volatility
 * outcome is not a gex_status (gex_strerror would call it "unknown status": gex/error.h numbers
 * the outcomes apart). */
#include "gex/bs.h"
#include "gex/error.h"

const char *iv_status_text(double price);

const char *iv_status_text(double price)
{
    double sigma;
    return gex_strerror(gex_bs_implied_vol(GEX_PUT, price, 100.0, 95.0, 0.25, 0.0, 0.0, &sigma));
}
