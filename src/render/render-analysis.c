/*
 * render-analysis.c: what every document says about the analysis it shows: the copies of its
 * figures, its unit and flip method, the excluded counts and the title line of a table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

void gex__currency_fold(char common[4], const char *currency)
{
    const char *c = gex_currency_valid(currency) ? currency : GEX_CURRENCY_DEFAULT;
    if (common[0] == '\0')
        memcpy(common, c, 4);
    else if (strcmp(common, c) != 0)
        memcpy(common, GEX__CURRENCY_MIXED, 4);
}

/* Short unit of the GEX columns. */
const char *gex__unit_short(gex_gex_unit unit)
{
    switch (unit) {
    case GEX_UNIT_POINT:
        return "USD/$1";
    case GEX_UNIT_SHARES:
        return "shares/$1";
    default:
        return "USD/1%";
    }
}

static const char *gex_unit_long(gex_gex_unit unit)
{
    switch (unit) {
    case GEX_UNIT_POINT:
        return "GEX in USD per $1 spot move";
    case GEX_UNIT_SHARES:
        return "GEX in shares per $1 spot move";
    default:
        return "GEX in USD per 1% spot move";
    }
}

void gex__analysis_fill(gex__analysis *a)
{
    a->symbol = gex_analysis_symbol(a->an);
    a->exposure = gex_analysis_exposure(a->an);
    a->totals = *gex_analysis_totals(a->an);
    a->spot = gex_analysis_spot(a->an);
    a->as_of = gex_analysis_quote_time(a->an);
    a->currency = gex_chain_currency(gex_analysis_chain(a->an));
    const gex_levels *levels = gex_analysis_levels(a->an);
    a->has_levels = levels != NULL;
    if (levels != NULL)
        a->levels = *levels;
}

size_t gex__expired_on(const gex__analysis *a, int32_t day)
{
    gex_chain_view v;
    gex_chain_get_view(a->chain, &v);
    size_t n = 0;
    for (size_t i = 0; i < v.n; i++)
        n += v.expiration[i] == day && v.status[i] == GEX_CONTRACT_EXPIRED;
    return n;
}

gex_gex_unit gex__unit_of(const gex__analysis *a)
{
    return gex_analysis_get_options(a->an)->exposure.gex_unit;
}

gex_flip_method gex__flip_method_of(const gex__analysis *a)
{
    return gex_analysis_get_options(a->an)->flip_method;
}

/* What the title says the numbers are: the measure of the document. */
static const char *title_unit(gex__doc doc, const gex__analysis *a)
{
    switch (doc) {
    case GEX__DOC_DEX:
        return "DEX in USD delta notional";
    case GEX__DOC_VEX:
        return "VEX in USD of delta per vol point";
    case GEX__DOC_CHEX:
        return "CHEX in USD of delta per day";
    default:
        return gex_unit_long(gex__unit_of(a));
    }
}

/* Appends sep and part to the title, or a line break instead of sep where the line would pass
 * GEX__TITLE_WIDTH columns (an 80-column terminal). */
#define GEX__TITLE_WIDTH 80
static void title_add(char *buf, size_t size, size_t *len, size_t *line_start, const char *sep,
                      const char *part)
{
    const size_t line = *len - *line_start;
    const int wrap = *len > 0 && line + strlen(sep) + strlen(part) > GEX__TITLE_WIDTH;
    const int w = snprintf(buf + *len, size - *len, "%s%s",
                           *len == 0 ? ""
                           : wrap    ? "\n"
                                     : sep,
                           part);
    if (w < 0 || (size_t)w >= size - *len)
        return;
    if (wrap)
        *line_start = *len + 1;
    *len += (size_t)w;
}

void gex__title(gex__doc doc, const gex__analysis *a, char *buf, size_t size)
{
    char spot[64], when[40], excluded[256], used[32], total[32], filtered[32], part[512];
    gex__fmt_price(a->spot, spot, sizeof spot);
    gex_time_format_eastern(a->as_of, when, sizeof when);
    gex__excluded_text(&a->totals, excluded, sizeof excluded);
    gex__fmt_grouped((double)a->totals.used, 0, used, sizeof used);
    gex__fmt_grouped((double)a->totals.contracts, 0, total, sizeof total);
    gex__fmt_grouped((double)a->totals.filtered, 0, filtered, sizeof filtered);
    size_t len = 0, line_start = 0;
    buf[0] = '\0';
    snprintf(part, sizeof part, "%s  spot %s  as of %s", a->symbol, spot, when);
    title_add(buf, size, &len, &line_start, "", part);
    char unit[GEX_CURRENCY_TEXT_MAX];
    title_add(buf, size, &len, &line_start, "  ",
              gex_currency_text(title_unit(doc, a), a->currency, unit, sizeof unit));
    snprintf(part, sizeof part, "%s of %s contracts used", used, total);
    title_add(buf, size, &len, &line_start, "; ", part);
    snprintf(part, sizeof part, "excluded: %s", excluded);
    title_add(buf, size, &len, &line_start, "; ", part);
    snprintf(part, sizeof part, "left out by filters: %s", filtered);
    title_add(buf, size, &len, &line_start, "; ", part);
    /* contracts whose own quote gave no IV, priced at their strike's other side's (SPEC 1.4):
     * named where there are any, as meta.contracts.iv_source.parity counts them */
    if (a->prepare.iv_from_parity > 0) {
        char parity[32];
        gex__fmt_grouped((double)a->prepare.iv_from_parity, 0, parity, sizeof parity);
        snprintf(part, sizeof part, "IV from the strike's other side: %s", parity);
        title_add(buf, size, &len, &line_start, "; ", part);
    }
}

void gex__excluded_text(const gex_exposure_totals *t, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 1; i < GEX_CONTRACT_STATUS_COUNT; i++) {
        if (t->excluded[i] == 0)
            continue;
        char count[32];
        gex__fmt_grouped((double)t->excluded[i], 0, count, sizeof count);
        const int w = snprintf(buf + len, size - len, "%s%s %s", len ? ", " : "", count,
                               gex_contract_status_name(i));
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
    }
    if (len == 0)
        snprintf(buf, size, "none");
}

/* "; the file's expirations (contracts): 2026-11-20 (1210), ..." for a filter that left nothing:
 * the user sees what to ask for. At most 12 dates, the earliest, then how many more. */
static void expirations_text(const gex_chain *chain, char *buf, size_t size)
{
    buf[0] = '\0';
    int32_t *days = NULL;
    size_t *counts = NULL, n = 0;
    if (gex_chain_expirations(chain, &days, &counts, &n) != GEX_OK || n == 0)
        return;
    size_t len = 0, shown = 0;
    int w = snprintf(buf, size, "; the file's expirations (contracts):");
    len = w > 0 && (size_t)w < size ? (size_t)w : 0;
    for (size_t i = 0; i < n && shown < 12; i++) {
        char date[16];
        gex_time_format_date(days[i], date, sizeof date);
        w = snprintf(buf + len, size - len, "%s %s (%zu)", shown ? "," : "", date, counts[i]);
        if (w > 0 && (size_t)w < size - len) {
            len += (size_t)w;
            shown++;
        }
    }
    if (n > shown)
        snprintf(buf + len, size - len, " and %zu more", n - shown);
    free(days);
    free(counts);
}

int gex__nothing_usable(const gex__analysis *a, char *buf, size_t size)
{
    if (size > 0)
        buf[0] = '\0';
    if (a->totals.used > 0)
        return GEX_OK;
    char excluded[256], contracts[32], filtered[32], dates[512] = "";
    gex__excluded_text(&a->totals, excluded, sizeof excluded);
    gex__fmt_grouped((double)a->totals.contracts, 0, contracts, sizeof contracts);
    gex__fmt_grouped((double)a->totals.filtered, 0, filtered, sizeof filtered);
    if (a->totals.filtered > 0 && a->chain != NULL)
        expirations_text(a->chain, dates, sizeof dates);
    /* expired contracts: the quote instant (the file's, or --now) is after their expiration,
     * which a mistyped --now makes of every contract */
    char expired[160] = "";
    if (a->totals.excluded[GEX_CONTRACT_EXPIRED] > 0) {
        char at[40];
        gex_time_format_iso(a->as_of, at, sizeof at);
        snprintf(expired, sizeof expired,
                 "; expired: the quote instant %s is at or after their expiration (check "
                 "--now, or the file's own quote instant)",
                 at);
    }
    if (size > 0)
        snprintf(buf, size,
                 "%s: nothing usable: of %s contracts none is left (excluded: %s; left out by "
                 "the filters: %s)%s%s",
                 a->symbol, contracts, excluded, filtered, expired, dates);
    return GEX_EEMPTY;
}
