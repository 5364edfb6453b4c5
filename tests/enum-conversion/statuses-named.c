/* The control of tests/enum-conversion.sh: must compile under the same flags. Statuses (as
 * gex_status or as the int the API's functions return) go to gex_strerror, the other outcomes
 * to their own name functions. */
#include "gex/american.h"
#include "gex/bs.h"
#include "gex/chain.h"
#include "gex/error.h"

const char *statuses_named(const char *path, double S);

const char *statuses_named(const char *path, double S)
{
    gex_greeks g;
    double sigma;
    gex_chain *chain = NULL;
    const int rc = gex_chain_read_path(path, NULL, &chain, NULL, NULL);
    gex_chain_free(chain);
    if (rc != GEX_OK)
        return gex_strerror(rc);
    const gex_status st = GEX_EINVAL;
    if (S < 0)
        return gex_strerror(st);
    const gex_bs_status bs = gex_bs_greeks(GEX_CALL, S, 100.0, 0.25, 0.2, 0.0, 0.0, &g);
    if (bs != GEX_BS_OK)
        return gex_bs_strstatus(bs);
    double price;
    const gex_am_status am = gex_am_price(GEX_PUT, S, 100.0, 0.25, 0.2, 0.05, 0.0, &price);
    if (am != GEX_AM_OK)
        return gex_am_strstatus(am);
    return gex_iv_strstatus(gex_bs_implied_vol(GEX_PUT, 1.5, S, 95.0, 0.25, 0.0, 0.0, &sigma));
}
