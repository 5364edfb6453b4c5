/*
 * Calendar primitives shared by src/time.c and src/time-parse.c, on 64-bit day numbers and
 * years so that any int64_t instant has a date.
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

#endif /* GEX_TIME_INTERNAL_H */
