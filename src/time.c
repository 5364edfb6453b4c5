/*
 * Calendar arithmetic, US Eastern time, settlement instants and formatting (SPEC 1.1).
 *
 * Nothing here reads the machine's time zone database, the TZ variable or the C locale: the
 * America/New_York rules are written out below, for every year, so that T is the same on every
 * machine.
 */
#include "gex/time.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "time-internal.h"

/* Standard and daylight offsets of US Eastern time, seconds east of UTC. */
#define EASTERN_STANDARD_S (-5 * 3600)
#define EASTERN_DAYLIGHT_S (-4 * 3600)

/* Every US Eastern transition happens at 02:00 local wall-clock time (tz database, Rule US and
 * Rule NYC, column AT = 2:00), i.e. 02:00 standard time in spring and 01:00 standard time
 * (02:00 daylight time) in autumn. All comparisons below are in local standard time. */
#define DST_START_SOD_STD (2 * 3600)
#define DST_END_SOD_STD   (1 * 3600)

/* Settlement wall-clock times in New York (SPEC 1.1). */
#define SETTLE_AM_SOD (9 * 3600 + 30 * 60)
#define SETTLE_PM_SOD (16 * 3600)

/* Floor division and modulo for a positive divisor. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* days_from_civil: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" (2013),
 * https://howardhinnant.github.io/date_algorithms.html#days_from_civil. Proleptic Gregorian,
 * 400-year eras of 146097 days, with March as the first month so that the leap day is last. */
int64_t gex__days_from_civil64(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400; /* [0, 399] */
    /* [0, 365] for a real date; in 64 bits, so that any int month and day (not validated by
     * gex_time_days_from_civil) gives a defined result. */
    const int64_t m64 = m, d64 = d;
    const int64_t doy = (153 * (m64 > 2 ? m64 - 3 : m64 + 9) + 2) / 5 + d64 - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* civil_from_days: same source, #civil_from_days; the inverse of the above. */
void gex__civil_from_days64(int64_t z, int64_t *year, int *month, int *day)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    const int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    const int d = (int)(doy - (153 * mp + 2) / 5 + 1);                         /* [1, 31] */
    const int m = (int)(mp < 10 ? mp + 3 : mp - 9);                            /* [1, 12] */
    if (year != NULL)
        *year = yoe + era * 400 + (m <= 2);
    if (month != NULL)
        *month = m;
    if (day != NULL)
        *day = d;
}

/* weekday_from_days: same source, #weekday_from_days (1970-01-01 was a Thursday). */
int gex__weekday(int64_t days)
{
    return (int)(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

/* A day number held to int32_t: the nearest end for one beyond it (gex/time.h). */
static int32_t clamp_day(int64_t day)
{
    return day < INT32_MIN ? INT32_MIN : day > INT32_MAX ? INT32_MAX : (int32_t)day;
}

int32_t gex_time_days_from_civil(int year, int month, int day)
{
    return clamp_day(gex__days_from_civil64(year, month, day));
}

void gex_time_civil_from_days(int32_t days, int *year, int *month, int *day)
{
    int64_t y;
    gex__civil_from_days64(days, &y, month, day);
    if (year != NULL)
        *year = (int)y; /* |y| < 5.9 million for any int32 day number */
}

static int is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int gex__days_in_month(int64_t year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + (month == 2 && is_leap(year));
}

int gex_time_valid_date(int year, int month, int day)
{
    return month >= 1 && month <= 12 && day >= 1 && day <= gex__days_in_month(year, month);
}

/* Day number of the first Sunday on or after a day ("Sun>=N" in the tz database). */
static int64_t sunday_on_or_after(int64_t days)
{
    return days + (7 - gex__weekday(days)) % 7;
}

/* Day number of the last Sunday of a month ("lastSun"). */
static int64_t last_sunday(int64_t year, int month)
{
    const int64_t last = gex__days_from_civil64(year, month, gex__days_in_month(year, month));
    return last - gex__weekday(last);
}

/*
 * The daylight-saving period of a year, as day numbers of the local transition days, from the
 * tz database (https://www.iana.org/time-zones, file "northamerica", tzdata 2024a and every
 * release since 2007): Zone America/New_York follows Rule US until 1920, Rule NYC 1920-1941,
 * Rule US 1942-1945, Rule NYC 1946-1966 and Rule US from 1967:
 *   US  1918-1919  Mar lastSun .. Oct lastSun
 *   NYC 1920       Mar lastSun .. Oct lastSun
 *   NYC 1921-1954  Apr lastSun .. Sep lastSun
 *   US  1942-1945  war time: 1942 Feb 9 .. 1945 Sep 30, without a break (handled by the caller)
 *   NYC 1955-1966  Apr lastSun .. Oct lastSun
 *   US  1967-1973  Apr lastSun .. Oct lastSun   (Uniform Time Act of 1966)
 *   US  1974       Jan 6       .. Oct lastSun   (Emergency Daylight Saving Time Energy
 *   US  1975       Feb lastSun .. Oct lastSun    Conservation Act of 1973)
 *   US  1976-1986  Apr lastSun .. Oct lastSun
 *   US  1987-2006  Apr Sun>=1  .. Oct lastSun   (Public Law 99-359)
 *   US  2007-      Mar Sun>=8  .. Nov Sun>=1    (Energy Policy Act of 2005)
 * Returns 0 for a year without daylight saving (before 1918, and 1942-1945 whose war time the
 * caller handles as one interval).
 */
static int dst_days(int64_t year, int64_t *start, int64_t *end)
{
    if (year >= 2007) {
        *start = sunday_on_or_after(gex__days_from_civil64(year, 3, 8));
        *end = sunday_on_or_after(gex__days_from_civil64(year, 11, 1));
    } else if (year >= 1987) {
        *start = sunday_on_or_after(gex__days_from_civil64(year, 4, 1));
        *end = last_sunday(year, 10);
    } else if (year == 1975) {
        *start = last_sunday(year, 2);
        *end = last_sunday(year, 10);
    } else if (year == 1974) {
        *start = gex__days_from_civil64(year, 1, 6);
        *end = last_sunday(year, 10);
    } else if (year >= 1955) {
        *start = last_sunday(year, 4);
        *end = last_sunday(year, 10);
    } else if (year >= 1946 || (year >= 1921 && year <= 1941)) {
        *start = last_sunday(year, 4);
        *end = last_sunday(year, 9);
    } else if (year >= 1918 && year <= 1920) {
        *start = last_sunday(year, 3);
        *end = last_sunday(year, 10);
    } else {
        return 0;
    }
    return 1;
}

/* Standard time began in New York at 1883-11-18 17:00 UTC (tz database: before it, local mean
 * time, UTC-4:56:02). gex reads any earlier instant as EST: no option quote predates it, and a
 * constant offset keeps every function total and monotonic. */
#define EASTERN_FIRST_DST_UTC INT64_C(-1633280400) /* 1918-03-31 07:00:00Z */

/* War time, tz Rule US 1942 Feb 9 2:00 to 1945 Sep 30 2:00 (daylight), as local standard
 * day numbers: 1942-02-09 and 1945-09-30. */
#define WAR_START_DAY (-10188)
#define WAR_END_DAY   (-8859)

/* (day, second) pairs compared lexicographically: -1, 0 or 1. */
static int cmp_day_sod(int64_t d1, int64_t s1, int64_t d2, int64_t s2)
{
    if (d1 != d2)
        return d1 < d2 ? -1 : 1;
    return s1 < s2 ? -1 : (s1 > s2 ? 1 : 0);
}

int gex_time_eastern_offset(int64_t utc)
{
    if (utc < EASTERN_FIRST_DST_UTC)
        return EASTERN_STANDARD_S;
    /* Local standard time; no overflow: utc is far above INT64_MIN here. */
    const int64_t local = utc + EASTERN_STANDARD_S;
    const int64_t day = floor_div(local, GEX_SECONDS_PER_DAY);
    const int64_t sod = local - day * GEX_SECONDS_PER_DAY;
    int64_t start, end;
    if (cmp_day_sod(day, sod, WAR_START_DAY, DST_START_SOD_STD) >= 0 &&
        cmp_day_sod(day, sod, WAR_END_DAY, DST_END_SOD_STD) < 0)
        return EASTERN_DAYLIGHT_S;
    int64_t year;
    gex__civil_from_days64(day, &year, NULL, NULL);
    if (!dst_days(year, &start, &end))
        return EASTERN_STANDARD_S;
    if (cmp_day_sod(day, sod, start, DST_START_SOD_STD) >= 0 &&
        cmp_day_sod(day, sod, end, DST_END_SOD_STD) < 0)
        return EASTERN_DAYLIGHT_S;
    return EASTERN_STANDARD_S;
}

int gex_time_weekday(int32_t day)
{
    return gex__weekday(day);
}

/* The New York day and second of the day of utc. Split before the offset is added: utc plus
 * the offset, or the day times 86400, overflows for the earliest instants. */
static void eastern_day_sod(int64_t utc, int64_t *day, int64_t *sod)
{
    int64_t d = utc / GEX_SECONDS_PER_DAY;
    int64_t s = utc % GEX_SECONDS_PER_DAY + gex_time_eastern_offset(utc); /* (-104400, 86400) */
    while (s < 0) {
        s += GEX_SECONDS_PER_DAY;
        d--;
    }
    *day = d;
    *sod = s;
}

int32_t gex_time_eastern_date(int64_t utc)
{
    int64_t day, sod;
    eastern_day_sod(utc, &day, &sod);
    return clamp_day(day);
}

int gex_time_regular_session(int64_t utc)
{
    int64_t day, sod;
    eastern_day_sod(utc, &day, &sod);
    const int wd = gex__weekday(day);
    return wd >= 1 && wd <= 5 && sod >= 9 * 3600 + 30 * 60 && sod < 16 * 3600;
}

int64_t gex_time_eastern_to_utc(int32_t day, int seconds_of_day)
{
    const int64_t local = (int64_t)day * GEX_SECONDS_PER_DAY + seconds_of_day;
    /* Try daylight time first: it is right in daylight time and for the first pass through the
     * repeated autumn hour. Otherwise standard time, which also reads a wall-clock time inside
     * the spring-forward gap (that never happened) as standard time. */
    const int64_t as_daylight = local - EASTERN_DAYLIGHT_S;
    if (gex_time_eastern_offset(as_daylight) == EASTERN_DAYLIGHT_S)
        return as_daylight;
    return local - EASTERN_STANDARD_S;
}

static unsigned char ascii_upper(unsigned char c)
{
    return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : c;
}

static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

gex_settle gex_time_root_settle(const char *root, size_t len)
{
    /* SPEC 1.1: the AM-settled OCC roots. */
    static const char *const am_roots[] = {"SPX", "NDX", "RUT", "VIX", "VIXW"};
    if (root == NULL)
        return GEX_SETTLE_PM;
    while (len > 0 && is_blank((unsigned char)root[0])) {
        root++;
        len--;
    }
    while (len > 0 && is_blank((unsigned char)root[len - 1]))
        len--;
    for (size_t i = 0; i < sizeof am_roots / sizeof am_roots[0]; i++) {
        const char *am = am_roots[i];
        size_t k = 0;
        while (k < len && am[k] != '\0' &&
               ascii_upper((unsigned char)root[k]) == (unsigned char)am[k])
            k++;
        if (k == len && am[k] == '\0')
            return GEX_SETTLE_AM;
    }
    return GEX_SETTLE_PM;
}

int64_t gex_time_settlement(int32_t expiration, gex_settle style)
{
    return gex_time_eastern_to_utc(expiration,
                                   style == GEX_SETTLE_AM ? SETTLE_AM_SOD : SETTLE_PM_SOD);
}

/* The length of "YYYY-MM-DDTHH:MM:SSZ". */
#define ISO_LEN 20

/* Writes a year as ISO 8601 does: at least four digits, a minus sign before year 0. */
static int format_year(int64_t year, char *buf, size_t size)
{
    if (year < 0)
        return snprintf(buf, size, "-%04" PRId64, -year);
    return snprintf(buf, size, "%04" PRId64, year);
}

void gex_time_format_iso(int64_t utc, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return;
    const int64_t day = floor_div(utc, GEX_SECONDS_PER_DAY);
    /* The second of the day as a remainder: day * 86400 overflows for the earliest instants. */
    int64_t sod = utc % GEX_SECONDS_PER_DAY;
    if (sod < 0)
        sod += GEX_SECONDS_PER_DAY;
    int64_t y;
    int m, d;
    gex__civil_from_days64(day, &y, &m, &d);
    if (y >= 0 && y <= 9999 && size > ISO_LEN) {
        /* The usual instant, its digits written directly: a screen or a history writes one per
         * row, and snprintf took most of the time of a screen's output. The same text. */
        const int field[6] = {(int)(y / 100),    (int)(y % 100),      m, d,
                              (int)(sod / 3600), (int)(sod / 60 % 60)};
        static const char sep[6] = {0, 0, '-', '-', 'T', ':'};
        char *o = buf;
        for (int i = 0; i < 6; i++) {
            if (sep[i] != 0)
                *o++ = sep[i];
            *o++ = (char)('0' + field[i] / 10);
            *o++ = (char)('0' + field[i] % 10);
        }
        *o++ = ':';
        *o++ = (char)('0' + sod % 60 / 10);
        *o++ = (char)('0' + sod % 10);
        *o++ = 'Z';
        *o = '\0';
        return;
    }
    int n = format_year(y, buf, size);
    if (n < 0 || (size_t)n >= size)
        return;
    snprintf(buf + n, size - (size_t)n, "-%02d-%02dT%02d:%02d:%02dZ", m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60));
}

void gex_time_format_eastern(int64_t utc, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return;
    const int offset = gex_time_eastern_offset(utc);
    if (utc < INT64_MIN + 86400) { /* no local instant to write: UTC itself */
        gex_time_format_iso(utc, buf, size);
        return;
    }
    /* The local instant written as if it were UTC, then cut to the minute. */
    char iso[40];
    gex_time_format_iso(utc + offset, iso, sizeof iso);
    char *t = strchr(iso, 'T');
    if (t == NULL || strlen(t) < 6) {
        snprintf(buf, size, "%s", iso);
        return;
    }
    *t = ' ';
    t[6] = '\0'; /* "T14:30:00Z" -> " 14:30" */
    snprintf(buf, size, "%s %s", iso, offset == -14400 ? "EDT" : "EST");
}

void gex_time_format_date(int32_t day, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return;
    int64_t y;
    int m, d;
    gex__civil_from_days64(day, &y, &m, &d);
    int n = format_year(y, buf, size);
    if (n < 0 || (size_t)n >= size)
        return;
    snprintf(buf + n, size - (size_t)n, "-%02d-%02d", m, d);
}
