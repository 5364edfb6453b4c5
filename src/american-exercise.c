/*
 * The exercise style of an option root (SPEC 1.8): European for the cash-settled index options
 * that Cboe lists as European-style, American for everything else.
 */
#include "gex/american.h"

#include <stddef.h>
#include <strings.h>

#include "american-internal.h"
#include "gex/error.h"

/* European-style roots (Cboe's product specifications): S&P 500 (SPX, SPXW, SPXPM), Mini-SPX
 * (XSP), Nasdaq-100 (NDX, NDXP, XND), Russell 2000 (RUT, RUTW, MRUT) and Russell 1000 (RUI,
 * RLG, RLV), VIX (VIX, VIXW), Dow Jones (DJX), the European S&P 100 (XEO; OEX is the American
 * one) and MSCI EAFE and Emerging Markets (MXEA, MXEF). */
static const char *const european_roots[] = {
    "SPX", "SPXW", "SPXPM", "XSP", "NDX",  "NDXP", "XND", "RUT",  "RUTW", "MRUT",
    "RUI", "RLG",  "RLV",   "VIX", "VIXW", "DJX",  "XEO", "MXEA", "MXEF",
};

gex_exercise gex_exercise_for_root(const char *root, gex_exercise override)
{
    if (override == GEX_EXERCISE_EUROPEAN || override == GEX_EXERCISE_AMERICAN)
        return override;
    if (root == NULL)
        return GEX_EXERCISE_AMERICAN;
    if (root[0] == '^' || root[0] == '$')
        root++;
    for (size_t i = 0; i < sizeof european_roots / sizeof european_roots[0]; i++) {
        if (strcasecmp(root, european_roots[i]) == 0)
            return GEX_EXERCISE_EUROPEAN;
    }
    return GEX_EXERCISE_AMERICAN;
}

gex_exercise gex_exercise_for_chain(const gex_chain *chain, uint32_t root, gex_exercise override)
{
    if (override == GEX_EXERCISE_AUTO && gex_chain_venue_european(chain))
        return GEX_EXERCISE_EUROPEAN;
    return gex_exercise_for_root(gex_chain_symbol(chain, root), override);
}

int gex_exercise_parse(const char *text, gex_exercise *out)
{
    if (text == NULL || out == NULL)
        return GEX_EINVAL;
    static const struct {
        const char *word;
        gex_exercise style;
    } words[] = {
        {"auto", GEX_EXERCISE_AUTO},   {"european", GEX_EXERCISE_EUROPEAN},
        {"eu", GEX_EXERCISE_EUROPEAN}, {"american", GEX_EXERCISE_AMERICAN},
        {"am", GEX_EXERCISE_AMERICAN},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcasecmp(text, words[i].word) == 0) {
            *out = words[i].style;
            return GEX_OK;
        }
    }
    return GEX_EINVAL;
}

int gex__root_is_american(const gex_chain *chain, uint32_t root, gex_exercise override,
                          uint8_t *style)
{
    if (style[root] == 0)
        style[root] =
            gex_exercise_for_chain(chain, root, override) == GEX_EXERCISE_AMERICAN ? 2 : 1;
    return style[root] == 2;
}

const char *gex_exercise_name(gex_exercise style)
{
    switch (style) {
    case GEX_EXERCISE_AUTO:
        return "auto";
    case GEX_EXERCISE_EUROPEAN:
        return "european";
    case GEX_EXERCISE_AMERICAN:
        return "american";
    }
    return "unknown";
}
