/*
 * Calendar primitives shared by src/time.c and src/time-parse.c, on 64-bit day numbers and
 * years so that any int64_t instant has a date; and why an instant outside GEX_TIME_FIRST_UTC
 * to GEX_TIME_LAST_UTC is refused, as --now and the readers' quote times say it.
 */
#ifndef GEX_TIME_INTERNAL_H
#define GEX_TIME_INTERNAL_H

#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
int64_t gex__days_from_civil64(int64_t year, int month, int day);

/* The civil date of a day number (Hinnant's civil_from_days). Any pointer may be NULL. */
void gex__civil_from_days64(int64_t days, int64_t *year, int *month, int *day);

/* Day of the week of a day number: 0 Sunday .. 6 Saturday. */
int gex__weekday(int64_t days);

/* Days in a month of a year (0 for a month outside 1-12). */
int gex__days_in_month(int64_t year, int month);

/* Before 1883-11-18 17:00 UTC New York kept local mean time, which gex does not model
 * (gex_time_eastern_offset), so a time to expiry from such an instant would be off; past 9999
 * an instant is no quote's. The problem said of an instant outside the range. */
#define GEX__TIME_RANGE_PROBLEM                                                                    \
    "the instant is outside the range gex computes times for, from 1883-11-18 17:00 UTC (when "    \
    "New York took standard time) to 9999-12-31 23:59:59 UTC"

#endif /* GEX_TIME_INTERNAL_H */
