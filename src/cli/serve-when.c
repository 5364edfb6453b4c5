/*
 * gex serve: the instant a request asks for (SPEC 5.5). at= is an ISO 8601 instant, UTC ("Z"),
 * with an offset ("-04:00"), or without a zone, then New York time as the vendor's as_of is
 * written; a date alone means the end of that New York day. date= is a New York trading day:
 * the last snapshot of that day, and none of another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gex/gex.h"
#include "serve-internal.h"

/* The first and last second of New York day d, UTC. */
static void day_bounds(int32_t d, int64_t *from, int64_t *until)
{
    *from = gex_time_eastern_to_utc(d, 0);
    *until = gex_time_eastern_to_utc(d + 1, 0) - 1;
}

int cli_serve_parse_when(const char *at, const char *date, cli_serve_when *when, char *message,
                         size_t size)
{
    memset(when, 0, sizeof *when);
    if (at != NULL && date != NULL) {
        snprintf(message, size, "give at= or date=, not both");
        return -1;
    }
    int32_t d = 0;
    if (date != NULL) {
        const size_t len = strlen(date);
        if (len != 10 || date[4] != '-' || gex_time_parse_date(date, len, &d) != GEX_OK) {
            snprintf(message, size, "date=%.40s is not a date: write YYYY-MM-DD (a New York day)",
                     date);
            return -1;
        }
        when->has_until = when->has_from = 1;
        day_bounds(d, &when->from, &when->until);
        return 0;
    }
    if (at == NULL)
        return 0;
    const size_t len = strlen(at);
    int64_t from = 0;
    /* a date alone, in any form the readers take (20260902, 09/02/2026, pandas' "2026-09-02
     * 00:00:00"): the end of that day, as gex history --to reads it; not the midnight that
     * begins it. A time of day with a zone, even 00:00:00Z (which gex_time_parse_date takes for a
     * date), is that instant. */
    const int kind =
        len > 0 && len <= 64 ? gex_time_parse_day_or_instant(at, len, &d, &when->until) : 0;
    if (kind == 1) {
        when->has_until = 1;
        day_bounds(d, &from, &when->until);
        return 0;
    }
    if (kind != 2 || at[0] < '0' || at[0] > '9') {
        snprintf(message, size,
                 "at=%.64s is not an instant: write ISO 8601, e.g. 2026-05-27T17:58:14Z, "
                 "2026-05-27T13:58:14-04:00, or 2026-05-27T13:58:14 (New York time)",
                 at);
        return -1;
    }
    when->has_until = 1;
    return 0;
}

int cli_serve_query_when(const cli_serve_query *q, cli_serve_when *when, char *message, size_t size)
{
    gex__api_params params;
    cli_serve_query_api_params(q, &params);
    return cli_serve_parse_when(gex__api_param(&params, "at"), gex__api_param(&params, "date"),
                                when, message, size);
}

void cli_serve_none_at_message(const cli_serve_query *q, char *message, size_t size)
{
    gex__api_params params;
    cli_serve_query_api_params(q, &params);
    const char *at = gex__api_param(&params, "at"), *date = gex__api_param(&params, "date");
    if (date != NULL)
        snprintf(message, size, "no snapshot of %s on %s (New York) in the served folder",
                 q->symbol, date);
    else
        snprintf(message, size,
                 "no snapshot of %s at or before %s in the served folder: its files start later",
                 q->symbol, at != NULL ? at : "the instant asked");
}
