/*
 * render.c: the rendering layer's entry points, each document by the file that builds it.
 */
#include "render.h"

int gex__render(const gex__render_options *options, const gex__analysis *a, FILE *out,
                gex_error *err)
{
    if (options->doc == GEX__DOC_SUMMARY)
        return gex__render_summary(options, a, out, err);
    if (options->doc == GEX__DOC_EXPIRATIONS)
        return gex__render_expirations(options, a, out, err);
    if (options->doc == GEX__DOC_CARRY)
        return gex__render_carry(options, a, out, err);
    if (options->doc == GEX__DOC_VIX)
        return gex__render_vix(options, a, out, err);
    return gex__render_exposure(options, a, out, err);
}

json_t *gex__document(gex__doc doc, const gex__analysis *a)
{
    return gex__document_previous(doc, a, NULL);
}

json_t *gex__document_previous(gex__doc doc, const gex__analysis *a, const gex__analysis *prev)
{
    if (doc == GEX__DOC_SUMMARY)
        return gex__summary_document(a);
    if (doc == GEX__DOC_EXPIRATIONS)
        return gex__expirations_document(a);
    if (doc == GEX__DOC_CARRY)
        return gex__carry_document(a);
    if (doc == GEX__DOC_VIX)
        return gex__vix_document(a);
    return gex__exposure_document_previous(doc, a, prev);
}
