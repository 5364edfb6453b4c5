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

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31; not validated:
 * any other month or day gives a day number that is no date's). The result fits int32_t for
 * years -5877641 to 5881580; a date beyond gives INT32_MIN or INT32_MAX, the nearer. */
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

/* The New York calendar date (days since 1970-01-01) of the UTC instant utc; an instant whose
 * date is beyond int32_t (a year beyond -5877641 to 5881580) gives INT32_MIN or INT32_MAX, the
 * nearer. */
int32_t gex_time_eastern_date(int64_t utc);

/* 1 when NYSE's regular session is open at utc: Monday to Friday, 09:30 to 16:00 New York time.
 * Exchange holidays are not known to gex: a holiday reads as open. */
int gex_time_regular_session(int64_t utc);

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

/* What the date and instant parsers found, and on failure why (for the caller's message).
 * The parsers fill every field whatever the status (zeros where nothing was found). */
typedef struct gex_instant_info {
    int has_zone;        /* an explicit zone or offset was present (else zone_default applied) */
    int has_year;        /* the text carried a year */
    int has_time;        /* the text carried a time of day (else 00:00) */
    int utc_offset_s;    /* the offset applied, seconds east of UTC (for ET: the one in force) */
    int32_t nanoseconds; /* the fraction of a second the text carried, 0-999999999: *utc is the
                            whole second, truncated ("03:17:42.75" gives :42 and 750000000) */
    size_t end;          /* bytes of the text the date or instant used (gex_time_scan_instant) */
    const char *problem; /* on GEX_EPARSE or GEX_ENOTIME: a static sentence saying what was
                            wrong ("unknown time zone name"); NULL otherwise */
    size_t problem_at;   /* byte offset in the text of what the problem is about */
    size_t problem_len;  /* its length in bytes (0: the end of the text) */
} gex_instant_info;

/* Parses an expiration date:
 *   YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD, MM/DD/YYYY (US order, as CBOE writes it), DD.MM.YYYY
 *   (German order), DD-Mon-YYYY, "Fri Mar 22 2024", "March 22, 2024", "22 mars 2024";
 *   a midnight time, with or without a zone, is allowed ("2026-02-11 00:00:00" as pandas
 *   writes dates, "2026-02-11T00:00:00.000Z" as JavaScript does: the date is the one
 *   written); any other time of day is refused.
 * Month names and abbreviations in English, French, German, Spanish, Italian, Portuguese and
 * Dutch, in any case (ASCII and Latin-1 letters), with or without an abbreviation dot. A
 * weekday is optional; when present it must match the date (a wrong weekday means the text
 * was misread: refused). Years have four digits (two-digit years are refused). Blanks (also
 * non-breaking spaces, CR, LF) and quotes around the date are ignored. Never reads past len;
 * s need not be NUL-terminated; no allocation; no locale. Returns GEX_OK and writes *day, or
 * GEX_EPARSE (impossible dates such as 2023-02-30 included; *day untouched), or GEX_EINVAL
 * when day is NULL. */
int gex_time_parse_date(const char *s, size_t len, int32_t *day);

/* gex_time_parse_date, also filling *info (if not NULL) with has_year, end and, on failure,
 * problem / problem_at / problem_len. */
int gex_time_parse_date_ex(const char *s, size_t len, int32_t *day, gex_instant_info *info);

/* Parses a quote instant in any of the forms found in chain files and on the command line:
 *   ISO 8601 "2023-09-21T03:17:42Z", "2023-09-21 03:17:42" (then zone_default applies),
 *   "2026-01-29 15:22:33+00:00", "-0400", fractional seconds, the basic "20230921T031742Z";
 *   CBOE's "9 June 2023, 1:40 PM EDT", "September 14, 2023 at 4:31 PM EDT",
 *   "Jun 22 2020 @ 20:42 ET"; date(1)'s "Tue Nov 24 01:01:51 UTC 2026"; every date form of
 *   gex_time_parse_date followed by a time; 12-hour times with AM/PM ("a.m." too) or 24-hour
 *   times ("21:46", French "21h46", German "21:46 Uhr"); between date and time ",", "at",
 *   "@", German "um", French "a" with a grave accent, Spanish "a las", Italian "alle ore",
 *   Portuguese "as" with a grave accent, Dutch "om"; a leading label "Date:" (German "Datum:",
 *   Spanish "Fecha:", Italian and Portuguese "Data:") and surrounding quotes are ignored.
 * Zones: UTC, UT, GMT, Z; EST (UTC-5) and EDT (UTC-4) taken literally, even when the date says
 * otherwise (an "EST" in June is UTC-5); ET, "Eastern" and EST5EDT: New York time with daylight
 * saving by date; CST CDT MST MDT PST PDT (North American); WET WEST BST CET CEST MEZ MESZ;
 * offsets after UTC/GMT/UT or alone: "UTC-4", "GMT-5", "UTC+1", "+05:30", "-0400", and the
 * minus written as U+2212 MINUS SIGN ("UTC\u22124") or an en dash. Any other zone name is
 * refused ("unknown time zone name").
 * When the text has no zone: zone_default, the UTC offset in seconds (-64800 .. 64800), or
 * GEX_ZONE_EASTERN for New York time with daylight saving by date. A New York wall-clock time
 * that did not exist (spring gap) is read as standard time; one that happened twice (autumn)
 * as the first, daylight, occurrence.
 * Returns GEX_OK and writes *utc (and *info if not NULL); GEX_ENOTIME when the text is a
 * valid date and time without a year (info->has_year = 0: the caller asks for --now);
 * GEX_EPARSE when it cannot be read (info->problem says why); GEX_EINVAL when utc is NULL or
 * zone_default is out of range. The whole text must be the instant. Same guarantees as
 * gex_time_parse_date (bounds, no NUL needed, no allocation, no locale). */
#define GEX_ZONE_EASTERN (-999999)
int gex_time_parse_instant(const char *s, size_t len, int zone_default, int64_t *utc,
                           gex_instant_info *info);

/* Whether a text gex_time_parse_instant read (into utc and info, with zone_default) names a
 * day rather than an instant: it has no time of day, or it is a midnight without a zone where
 * zoneless times are New York's (zone_default GEX_ZONE_EASTERN), as pandas writes a date
 * ("2024-03-22 00:00:00"): no quote is taken at midnight New York. A midnight with a zone
 * ("2024-03-22T00:00:00Z") is an instant. 0 for info NULL. */
int gex_time_instant_is_day(const gex_instant_info *info, int64_t utc, int zone_default);

/* A text that names a New York day or an instant (New York time without a zone), as the
 * server's at= and history's --from and --to read it: 1 and *day when it names a day (a date
 * alone in any form gex_time_parse_date reads, or what gex_time_instant_is_day calls one), 2 and
 * *utc when an instant (a time with a zone, even 00:00:00Z, which gex_time_parse_date would take
 * for a date), 0 when neither. */
int gex_time_parse_day_or_instant(const char *s, size_t len, int32_t *day, int64_t *utc);

/* As gex_time_parse_instant, but reads an instant at the start of s and stops where it ends
 * (info->end), so a whole CBOE preamble line can be passed:
 * "Date: 9 June 2023, 1:40 PM EDT,Bid: 4299.3398,..." reads up to "EDT". A word right after
 * the time that is not a zone is still refused as an unknown zone. */
int gex_time_scan_instant(const char *s, size_t len, int zone_default, int64_t *utc,
                          gex_instant_info *info);

/* The instants a valuation time may take: from 1883-11-18 17:00 UTC, when New York took
 * standard time (before it the tz database has local mean time, which gex_time_eastern_offset
 * does not give), to 9999-12-31 23:59:59 UTC. */
#define GEX_TIME_FIRST_UTC INT64_C(-2717650800)
#define GEX_TIME_LAST_UTC  INT64_C(253402300799)

/* Parses the value of --now: any form gex_time_parse_instant reads, with New York time when
 * no zone is given, or "@SECONDS" (seconds since 1970-01-01T00:00:00Z, as GNU date reads
 * them; a count past the year 9999 is refused as most likely milliseconds rather than read as
 * a year past 50,000). A date needs a year and a time of day, and the instant must lie from
 * GEX_TIME_FIRST_UTC to GEX_TIME_LAST_UTC (else GEX_EPARSE with info->problem saying so).
 * Returns GEX_OK, GEX_EPARSE or GEX_EINVAL (utc NULL). */
int gex_time_parse_now(const char *s, size_t len, int64_t *utc, gex_instant_info *info);

/* The month (1-12) a name or abbreviation stands for, in the languages gex_time_parse_date
 * reads, any case, blanks and a final dot ignored; 0 when it is not a month name. */
int gex_time_month_from_name(const char *s, size_t len);

/* Day of the week of a date: 0 Sunday .. 6 Saturday. */
int gex_time_weekday(int32_t day);

/* Formats an instant as ISO 8601 UTC with a Z: "2023-09-21T03:17:42Z" (buf of >= 32 bytes holds
 * any int64_t instant; a smaller buffer receives a truncated, NUL-terminated prefix; NULL or
 * size 0 writes nothing). Years before 0 are written with a minus sign ("-0001-12-31..."). */
void gex_time_format_iso(int64_t utc, char *buf, size_t size);

/* Formats an instant in New York time, to the minute, for people: "2026-11-18 14:30 EST" (EDT in
 * daylight time). Tables, summaries and charts write the quote time so; JSON and CSV keep ISO
 * 8601 UTC (gex_time_format_iso), as the vendor does. Truncation as for gex_time_format_iso (32
 * bytes hold any instant). */
void gex_time_format_eastern(int64_t utc, char *buf, size_t size);

/* Formats a date as YYYY-MM-DD (buf of >= 16 bytes holds any int32_t day; truncation as for
 * gex_time_format_iso). */
void gex_time_format_date(int32_t day, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* GEX_TIME_H */
