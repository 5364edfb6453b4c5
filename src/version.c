/* gex_version (gex/version.h). */
#include "gex/version.h"

const char *gex_version(void)
{
    return GEX_VERSION;
}
