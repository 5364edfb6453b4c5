/*
 * gex/time.h: calendar dates, US Eastern time, settlement instants and the date forms found
 * in option-chain files (SPEC 1.1).
 *
 * Dates are days since 1970-01-01 (int32_t, proleptic Gregorian); instants are seconds since
 * the Unix epoch, UTC (int64_t). US Eastern daylight saving is computed from the rules in force
 * for each year (Uniform Time Act 1966, the 1974-75 emergency rules, the 1987 and 2007 changes,
 * and before 1967 New York City's own rules and the 1942-45 war time, as the tz database's
 * America/New_York records them), never from the machine's time zone database, the TZ variable
 * or the locale. Every function here is total: any argument yields a defined result.
 */
#ifndef GEX_TIME_H
#define GEX_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "gex/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GEX_SECONDS_PER_DAY 86400
/* SPEC 1.1: T = seconds / (365 x 86400). */
#define GEX_SECONDS_PER_YEAR (365.0 * 86400.0)

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31; not validated;
 * the result fits int32_t for years -5877641 to 5881580). */
int32_t gex_time_days_from_civil(int year, int month, int day);

/* The civil date of a day number. Any pointer may be NULL. */
void gex_time_civil_from_days(int32_t days, int *year, int *month, int *day);

/* 1 when year-month-day is a real date, else 0. */
int gex_time_valid_date(int year, int month, int day);

/* UTC offset of US Eastern time, in seconds (-14400 in daylight time, -18000 otherwise), at the
 * UTC instant utc: the tz database's America/New_York from 1883-11-18 on (changes at 02:00
 * local time; from 2007 the second Sunday of March to the first Sunday of November, and that
 * rule for every later year). Before New York adopted standard time (1883-11-18 17:00 UTC) the
 * tz database has local mean time (-4:56:02); gex answers -18000 there. */
int gex_time_eastern_offset(int64_t utc);

/* The UTC instant of a US Eastern wall-clock time on a date (seconds after local midnight).
 * A time inside the spring-forward gap is read as standard time; a time in the repeated autumn
 * hour as the first (daylight) occurrence. */
int64_t gex_time_eastern_to_utc(int32_t day, int seconds_of_day);

/* Settlement style of an option root (SPEC 1.1). */
typedef enum gex_settle { GEX_SETTLE_PM = 0, GEX_SETTLE_AM = 1 } gex_settle;

/* AM for the OCC roots SPX, NDX, RUT, VIX and VIXW; PM for everything else (SPXW, NDXP, RUTW,
 * XSP, equities and ETFs). Case-insensitive (ASCII); len is the root's length, and blanks
 * around it are ignored (OSI symbols pad the root to six characters). NULL or empty: PM. */
gex_settle gex_time_root_settle(const char *root, size_t len);

/* Settlement instant of an expiration: 09:30 (AM) or 16:00 (PM) New York time on that date. */
int64_t gex_time_settlement(int32_t expiration, gex_settle style);

/* Parses an expiration date: YYYY-MM-DD, YYYYMMDD, MM/DD/YYYY, and CBOE's "Fri Mar 22 2024"
 * (weekday optional, English month names or abbreviations). Leading and trailing blanks are
 * ignored. Returns GEX_OK and writes *day, or GEX_EPARSE. */
int gex_time_parse_date(const char *s, size_t len, int32_t *day);

/* What gex_time_parse_instant found in the text. */
typedef struct gex_instant_info {
    int has_zone;     /* an explicit zone or offset was present (else US Eastern is assumed) */
    int has_year;     /* the text carried a year */
    int has_time;     /* the text carried a time of day (else 00:00) */
    int utc_offset_s; /* the offset applied, seconds east of UTC */
} gex_instant_info;

/* Parses a quote instant in any of the forms found in chain files and on the command line:
 *   ISO 8601 "2023-09-21T03:17:42Z", "2023-09-21 03:17:42" (then zone_default applies),
 *   "+00:00"-style offsets; "9 June 2023, 1:40 PM EDT"; "September 14, 2023 at 4:31 PM EDT";
 *   "Jun 22 2020 @ 20:42 ET"; zones EST, EDT, ET (Eastern, DST by date), UTC, GMT, Z,
 *   "UTC-4" / "GMT-5" / "UTC\u22124" (Unicode minus); a leading "Date:" is ignored.
 * zone_default: the UTC offset in seconds to assume when the text has no zone, or the special
 * value GEX_ZONE_EASTERN for New York time. Returns GEX_OK and writes *utc (and *info if not
 * NULL); GEX_ENOTIME when the text has a date but no year (the caller must ask for --now);
 * GEX_EPARSE when it cannot be read at all. */
#define GEX_ZONE_EASTERN (-999999)
int gex_time_parse_instant(const char *s, size_t len, int zone_default, int64_t *utc,
                           gex_instant_info *info);

/* Formats an instant as ISO 8601 UTC with a Z: "2023-09-21T03:17:42Z" (buf of >= 32 bytes holds
 * any int64_t instant; a smaller buffer receives a truncated, NUL-terminated prefix; NULL or
 * size 0 writes nothing). Years before 0 are written with a minus sign ("-0001-12-31..."). */
void gex_time_format_iso(int64_t utc, char *buf, size_t size);

/* Formats a date as YYYY-MM-DD (buf of >= 16 bytes holds any int32_t day; truncation as for
 * gex_time_format_iso). */
void gex_time_format_date(int32_t day, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* GEX_TIME_H */
