/* gex_version (gex/gex.h). */
#include "gex/gex.h"
#include "gex/version.h"

const char *gex_version(void)
{
    return GEX_VERSION;
}
