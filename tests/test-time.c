/*
 * gex/time.h: civil dates, US Eastern time, settlement instants and formatting.
 *
 * Independent truths: Hinnant's published values and identities for the calendar
 * (https://howardhinnant.github.io/date_algorithms.html), GNU date(1) for the pinned epoch
 * seconds, and the system's tz database (America/New_York, read by the C library's
 * localtime_r under TZ) for every transition: the library never reads it, the test compares
 * against it.
 */
#define _DEFAULT_SOURCE /* tm_gmtoff, setenv, tzset */
#include "gex-test.h"

#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "gex/time.h"
#include "splitmix64.h"

#define ZONEINFO_NEW_YORK "/usr/share/zoneinfo/America/New_York"

/* For loops of many iterations: Check records each assertion it evaluates (a write to a
 * pipe), which makes million-iteration loops slow; expect() asserts only on failure. */
#define expect(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* Instants (GNU date -u -d DATE +%s) bounding the random draws. */
#define T_1884  (-2713910400LL)  /* 1884-01-01T00:00:00Z, after New York adopted standard time */
#define T_2038  2145916800LL     /* 2038-01-01T00:00:00Z */
#define T_2200  7258118400LL     /* 2200-01-01T00:00:00Z */
#define T_0001  (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define T_10000 253402300800LL   /* 10000-01-01T00:00:00Z */

/* A random instant in [from, to). */
static int64_t random_instant(uint64_t *state, int64_t from, int64_t to)
{
    return from + (int64_t)(gex_splitmix64(state) % (uint64_t)(to - from));
}

/* ---- civil dates ---------------------------------------------------------------------- */

START_TEST(test_days_from_civil_known_days)
{
    /* Epoch seconds / 86400 from GNU date -u -d DATE +%s. */
    ck_assert_int_eq(gex_time_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(gex_time_days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(gex_time_days_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(gex_time_days_from_civil(2023, 9, 14), 19614);
    ck_assert_int_eq(gex_time_days_from_civil(2023, 9, 15), 19615);
    ck_assert_int_eq(gex_time_days_from_civil(2024, 2, 29), 19782);
    ck_assert_int_eq(gex_time_days_from_civil(1600, 1, 1), -135140);
    /* Hinnant: 0000-03-01 is day -719468, the start of his era 0. */
    ck_assert_int_eq(gex_time_days_from_civil(0, 3, 1), -719468);
}
END_TEST

START_TEST(test_civil_from_days_round_trip)
{
    /* Hinnant's own test: every day of a wide range maps back to itself, and consecutive days
     * are consecutive dates. */
    int py = 0, pm = 0, pd = 0;
    for (int32_t z = -1000000; z <= 1000000; z++) {
        int y, m, d;
        gex_time_civil_from_days(z, &y, &m, &d);
        expect(gex_time_days_from_civil(y, m, d) == z, "day %d: %d-%d-%d maps back to %d", (int)z,
               y, m, d, (int)gex_time_days_from_civil(y, m, d));
        expect(gex_time_valid_date(y, m, d), "day %d: %d-%d-%d", (int)z, y, m, d);
        if (z > -1000000) {
            int next = (d == pd + 1 && m == pm && y == py) || (d == 1 && m == pm + 1 && y == py) ||
                       (d == 1 && m == 1 && pm == 12 && y == py + 1);
            expect(next, "day %d: %d-%d-%d does not follow %d-%d-%d", (int)z, y, m, d, py, pm, pd);
        }
        py = y;
        pm = m;
        pd = d;
    }
}
END_TEST

START_TEST(test_civil_from_days_extremes_and_nulls)
{
    int y, m, d;
    gex_time_civil_from_days(INT32_MAX, &y, &m, &d);
    ck_assert_int_eq(gex_time_days_from_civil(y, m, d), INT32_MAX);
    gex_time_civil_from_days(INT32_MIN, &y, &m, &d);
    ck_assert_int_eq(gex_time_days_from_civil(y, m, d), INT32_MIN);
    gex_time_civil_from_days(19615, NULL, NULL, NULL);
    gex_time_civil_from_days(19615, NULL, &m, NULL);
    ck_assert_int_eq(m, 9);
}
END_TEST

START_TEST(test_days_from_civil_out_of_range)
{
    /* gex/time.h: a date beyond int32_t days gives the nearer end; a month or day far out of
     * its range gives a defined day number (2024, INT_MAX, INT_MIN: Hinnant's formula in 64
     * bits gives 63565535640, beyond int32_t). */
    ck_assert_int_eq(gex_time_days_from_civil(INT_MAX, 12, 31), INT32_MAX);
    ck_assert_int_eq(gex_time_days_from_civil(INT_MIN, 1, 1), INT32_MIN);
    ck_assert_int_eq(gex_time_days_from_civil(5881580, 7, 12), INT32_MAX);
    ck_assert_int_eq(gex_time_days_from_civil(-5877641, 6, 22), INT32_MIN);
    ck_assert_int_eq(gex_time_days_from_civil(2024, INT_MAX, INT_MIN), INT32_MAX);
    ck_assert_int_eq(gex_time_days_from_civil(2024, INT_MIN, INT_MAX), INT32_MIN);
    /* Day INT_MIN of March 2024: 2024-03-01 (day 19783) plus INT_MIN - 1 days, within int32_t. */
    ck_assert_int_eq(gex_time_days_from_civil(2024, 3, INT_MIN), INT32_MIN + 19782);
    /* Month 13 is January of the next year, day 0 the last of the month before. */
    ck_assert_int_eq(gex_time_days_from_civil(2023, 13, 1), gex_time_days_from_civil(2024, 1, 1));
    ck_assert_int_eq(gex_time_days_from_civil(2024, 3, 0), gex_time_days_from_civil(2024, 2, 29));
}
END_TEST

START_TEST(test_valid_date_leap_rules)
{
    ck_assert(gex_time_valid_date(2024, 2, 29));
    ck_assert(gex_time_valid_date(2000, 2, 29));
    ck_assert(!gex_time_valid_date(1900, 2, 29));
    ck_assert(!gex_time_valid_date(2023, 2, 29));
    ck_assert(!gex_time_valid_date(2023, 2, 30));
    ck_assert(!gex_time_valid_date(2023, 4, 31));
    ck_assert(gex_time_valid_date(2023, 12, 31));
    ck_assert(!gex_time_valid_date(2023, 13, 1));
    ck_assert(!gex_time_valid_date(2023, 0, 1));
    ck_assert(!gex_time_valid_date(2023, 1, 0));
    ck_assert(!gex_time_valid_date(2023, 1, 32));
    ck_assert(!gex_time_valid_date(2023, -1, -1));
}
END_TEST

/* ---- US Eastern time ------------------------------------------------------------------ */

START_TEST(test_eastern_offset_pinned_transitions)
{
    /* 2023-03-12 07:00:00Z = 02:00 EST -> 03:00 EDT (second Sunday of March). */
    ck_assert_int_eq(gex_time_eastern_offset(1678604400 - 1), -18000);
    ck_assert_int_eq(gex_time_eastern_offset(1678604400), -14400);
    /* 2023-11-05 06:00:00Z = 02:00 EDT -> 01:00 EST (first Sunday of November). */
    ck_assert_int_eq(gex_time_eastern_offset(1699164000 - 1), -14400);
    ck_assert_int_eq(gex_time_eastern_offset(1699164000), -18000);
    /* 1974 emergency rule: daylight time from 1974-01-06 07:00:00Z. */
    ck_assert_int_eq(gex_time_eastern_offset(126687600 - 1), -18000);
    ck_assert_int_eq(gex_time_eastern_offset(126687600), -14400);
    /* 2006 (old rule): first Sunday of April, 2006-04-02 07:00:00Z. */
    ck_assert_int_eq(gex_time_eastern_offset(1143961200 - 1), -18000);
    ck_assert_int_eq(gex_time_eastern_offset(1143961200), -14400);
    /* War time: all of 1943 is daylight time. */
    ck_assert_int_eq(gex_time_eastern_offset(-852076800), -14400); /* 1943-01-01 */
    /* Before standard time (1883) and far away: total, standard time. */
    ck_assert_int_eq(gex_time_eastern_offset(-3000000000LL), -18000);
    ck_assert_int_eq(gex_time_eastern_offset(INT64_MIN), -18000);
    int far = gex_time_eastern_offset(INT64_MAX);
    ck_assert(far == -18000 || far == -14400);
}
END_TEST

/* The offset the C library reads from the tz database for America/New_York. */
static int tz_offset(int64_t utc)
{
    time_t t = (time_t)utc;
    struct tm tm;
    if (localtime_r(&t, &tm) == NULL)
        ck_abort_msg("localtime_r failed at %lld", (long long)utc);
    return (int)tm.tm_gmtoff;
}

static int use_new_york_zone(void)
{
    struct stat st;
    if (stat(ZONEINFO_NEW_YORK, &st) != 0) {
        printf("skipped: %s absent, no tz database to compare US Eastern time with\n",
               ZONEINFO_NEW_YORK);
        return 0;
    }
    setenv("TZ", "America/New_York", 1);
    tzset();
    return 1;
}

START_TEST(test_eastern_offset_matches_tz_database_hourly)
{
    if (!use_new_york_zone())
        return;
    /* Every hour from 1884-01-01 (after New York adopted standard time) to 2038-01-01, and
     * every second within half an hour of each change the tz database makes. */
    const int64_t from = T_1884;
    const int64_t to = T_2038;
    int transitions = 0;
    int prev = tz_offset(from);
    for (int64_t t = from; t < to; t += 3600) {
        const int want = tz_offset(t);
        expect(gex_time_eastern_offset(t) == want, "offset at %lld: %d, tz database %d",
               (long long)t, gex_time_eastern_offset(t), want);
        if (want != prev) {
            transitions++;
            for (int64_t s = t - 1800; s < t + 1800; s++)
                expect(gex_time_eastern_offset(s) == tz_offset(s),
                       "offset at %lld: %d, tz database %d", (long long)s,
                       gex_time_eastern_offset(s), tz_offset(s));
        }
        prev = want;
    }
    /* 1918-2037 without the war years' breaks: enough changes seen that the scan meant
     * something (two a year for ~115 years). */
    ck_assert_int_gt(transitions, 220);
}
END_TEST

START_TEST(test_eastern_offset_matches_tz_database_random)
{
    if (!use_new_york_zone())
        return;
    /* Random instants, 1884 to 2200 (the tz database's rule for years after its table is the
     * 2007 rule, which gex applies to every later year). */
    uint64_t state = 20230914;
    for (int i = 0; i < 200000; i++) {
        const int64_t t = random_instant(&state, T_1884, T_2200);
        expect(gex_time_eastern_offset(t) == tz_offset(t), "offset at %lld: %d, tz database %d",
               (long long)t, gex_time_eastern_offset(t), tz_offset(t));
    }
}
END_TEST

/* The New York date and the regular session against the tz database's wall clock: random
 * instants 1884 to 2200, and every minute of a week around each of 2023's two changes. */
START_TEST(test_eastern_date_and_session_match_tz_database)
{
    if (!use_new_york_zone())
        return;
    uint64_t state = 20261205;
    int open = 0, checked = 0;
    for (int i = 0; i < 400000; i++) {
        int64_t t;
        if (i < 200000)
            t = random_instant(&state, T_1884, T_2200);
        else if (i < 300000)
            t = 1678604400 - 3 * 86400 + (int64_t)(i - 200000) * 60 % (7 * 86400);
        else
            t = 1699164000 - 3 * 86400 + (int64_t)(i - 300000) * 60 % (7 * 86400);
        time_t tt = (time_t)t;
        struct tm tm;
        if (localtime_r(&tt, &tm) == NULL)
            ck_abort_msg("localtime_r failed at %lld", (long long)t);
        const int32_t want_day =
            gex_time_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        expect(gex_time_eastern_date(t) == want_day, "date at %lld: %d, tz database %d",
               (long long)t, (int)gex_time_eastern_date(t), (int)want_day);
        const int sod = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
        const int want_open =
            tm.tm_wday >= 1 && tm.tm_wday <= 5 && sod >= 9 * 3600 + 1800 && sod < 16 * 3600;
        expect(gex_time_regular_session(t) == want_open, "session at %lld: %d, tz database %d",
               (long long)t, gex_time_regular_session(t), want_open);
        open += want_open;
        checked++;
    }
    /* 32.5 of 168 hours a week are the session: the draw saw both answers often. */
    ck_assert_int_gt(open, checked / 10);
    ck_assert_int_lt(open, checked / 3);
    /* Pinned: 2023-09-14 09:29:59 and 09:30:00 EDT, 15:59:59 and 16:00:00; a Saturday noon. */
    ck_assert_int_eq(gex_time_regular_session(1694698199), 0);
    ck_assert_int_eq(gex_time_regular_session(1694698200), 1);
    ck_assert_int_eq(gex_time_regular_session(1694721599), 1);
    ck_assert_int_eq(gex_time_regular_session(1694721600), 0);
    ck_assert_int_eq(gex_time_regular_session(1694880000), 0);
    ck_assert_int_eq(gex_time_eastern_date(1694721600), gex_time_days_from_civil(2023, 9, 14));
    /* 2023-09-15 03:59:59 UTC is still the 14th in New York. */
    ck_assert_int_eq(gex_time_eastern_date(1694750399), gex_time_days_from_civil(2023, 9, 14));
    ck_assert_int_eq(gex_time_eastern_date(1694750400), gex_time_days_from_civil(2023, 9, 15));
}
END_TEST

START_TEST(test_eastern_date_and_session_extremes)
{
    /* gex/time.h: every instant has a defined date and session answer; a date beyond int32_t
     * gives the nearer end. INT64_MIN is a Sunday 03:29:52 EST (its day number -106751991167301,
     * Hinnant's weekday 0), INT64_MAX a Sunday 10:30:07 EST (day 106751991167300). */
    ck_assert_int_eq(gex_time_eastern_date(INT64_MIN), INT32_MIN);
    ck_assert_int_eq(gex_time_eastern_date(INT64_MIN + 1), INT32_MIN);
    ck_assert_int_eq(gex_time_eastern_date(INT64_MAX), INT32_MAX);
    ck_assert_int_eq(gex_time_regular_session(INT64_MIN), 0);
    ck_assert_int_eq(gex_time_regular_session(INT64_MAX), 0);
    /* The Monday after INT64_MIN at 10:00 EST (a day, plus 10:00 less 03:29:52), and the Friday
     * before INT64_MAX at 10:30:07 EST: in the session. */
    ck_assert_int_eq(gex_time_regular_session(INT64_MIN + 86400 + 36000 - 12592), 1);
    ck_assert_int_eq(gex_time_regular_session(INT64_MIN + 86400 + 36000 - 12592 - 1800 - 1), 0);
    ck_assert_int_eq(gex_time_regular_session(INT64_MAX - 2 * 86400), 1);
    /* The last instants of int32_t days, either side: 5881580-07-11 is INT32_MAX, its New York
     * evening (UTC the 12th) is beyond. */
    const int64_t last = (int64_t)INT32_MAX * 86400;
    ck_assert_int_eq(gex_time_eastern_date(last + 86400 + 4 * 3600 - 1), INT32_MAX);
    ck_assert_int_eq(gex_time_eastern_date(last + 86400 + 4 * 3600), INT32_MAX);
    const int64_t first = (int64_t)INT32_MIN * 86400;
    ck_assert_int_eq(gex_time_eastern_date(first + 5 * 3600), INT32_MIN);
    ck_assert_int_eq(gex_time_eastern_date(first + 5 * 3600 + 86400), INT32_MIN + 1);
}
END_TEST

START_TEST(test_eastern_offset_ignores_machine_zone)
{
    /* The machine's zone (here one 12:45 ahead of UTC, with its own daylight saving) changes
     * nothing: gex never reads TZ or the tz database. */
    setenv("TZ", "Pacific/Chatham", 1);
    tzset();
    ck_assert_int_eq(gex_time_eastern_offset(1678604400), -14400);
    ck_assert_int_eq(gex_time_settlement(gex_time_days_from_civil(2023, 9, 15), GEX_SETTLE_AM),
                     1694784600);
    int64_t utc;
    const char *line = "Date: 9 June 2023, 1:40 PM EDT";
    ck_assert_int_eq(gex_time_parse_instant(line, strlen(line), GEX_ZONE_EASTERN, &utc, NULL),
                     GEX_OK);
    ck_assert_int_eq(utc, 1686332400);
    setenv("TZ", "UTC", 1);
    tzset();
    ck_assert_int_eq(gex_time_eastern_offset(1678604400), -14400);
}
END_TEST

START_TEST(test_eastern_to_utc_round_trip)
{
    /* For every instant, its New York wall-clock time maps back to it, except during the
     * second pass through the repeated autumn hour (read as the first pass). */
    uint64_t state = 4505;
    for (int i = 0; i < 200000; i++) {
        const int64_t t = random_instant(&state, T_1884, T_2200);
        const int64_t local = t + gex_time_eastern_offset(t);
        const int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
        const int64_t back = gex_time_eastern_to_utc((int32_t)day, (int)(local - day * 86400));
        if (back != t)
            expect(back == t - 3600 && gex_time_eastern_offset(back) == -14400 &&
                       gex_time_eastern_offset(t) == -18000,
                   "%lld maps back to %lld", (long long)t, (long long)back);
    }
}
END_TEST

START_TEST(test_eastern_to_utc_gap_and_repeat)
{
    const int32_t spring = gex_time_days_from_civil(2023, 3, 12);
    const int32_t autumn = gex_time_days_from_civil(2023, 11, 5);
    /* 01:59:59 EST just before the gap. */
    ck_assert_int_eq(gex_time_eastern_to_utc(spring, 7199), 1678604400 - 1);
    /* 02:30 never happened: read as EST, 07:30Z. */
    ck_assert_int_eq(gex_time_eastern_to_utc(spring, 9000), 1678604400 + 1800);
    /* 03:00 EDT = 07:00Z. */
    ck_assert_int_eq(gex_time_eastern_to_utc(spring, 10800), 1678604400);
    /* 01:30 happened twice: the first (EDT) is 05:30Z. */
    ck_assert_int_eq(gex_time_eastern_to_utc(autumn, 5400), 1699164000 - 1800);
    /* 02:00 EST = 07:00Z. */
    ck_assert_int_eq(gex_time_eastern_to_utc(autumn, 7200), 1699164000 + 3600);
    /* Seconds outside the day roll over. */
    ck_assert_int_eq(gex_time_eastern_to_utc(spring - 1, 86400 + 10800), 1678604400);
}
END_TEST

/* ---- settlement ----------------------------------------------------------------------- */

START_TEST(test_root_settle_am_and_pm_roots)
{
    ck_assert_int_eq(gex_time_root_settle("SPX", 3), GEX_SETTLE_AM);
    ck_assert_int_eq(gex_time_root_settle("NDX", 3), GEX_SETTLE_AM);
    ck_assert_int_eq(gex_time_root_settle("RUT", 3), GEX_SETTLE_AM);
    ck_assert_int_eq(gex_time_root_settle("VIX", 3), GEX_SETTLE_AM);
    ck_assert_int_eq(gex_time_root_settle("VIXW", 4), GEX_SETTLE_AM);
    ck_assert_int_eq(gex_time_root_settle("spx", 3), GEX_SETTLE_AM);
    ck_assert_int_eq(gex_time_root_settle("SPX   ", 6), GEX_SETTLE_AM); /* OSI padding */
    ck_assert_int_eq(gex_time_root_settle(" Rut\t", 5), GEX_SETTLE_AM);
    ck_assert_int_eq(gex_time_root_settle("SPXW", 4), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle("NDXP", 4), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle("RUTW", 4), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle("XSP", 3), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle("SPY", 3), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle("TSLA", 4), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle("SP", 2), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle("SPXWX", 5), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle("SPXW", 3), GEX_SETTLE_AM); /* len bounds the read */
    ck_assert_int_eq(gex_time_root_settle("", 0), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle("   ", 3), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle(NULL, 3), GEX_SETTLE_PM);
    ck_assert_int_eq(gex_time_root_settle("SP\0X", 4), GEX_SETTLE_PM);
}
END_TEST

START_TEST(test_settlement_pinned_instants)
{
    /* SPX monthly 2023-09-15, AM: 09:30 EDT = 13:30:00Z. */
    ck_assert_int_eq(gex_time_settlement(gex_time_days_from_civil(2023, 9, 15), GEX_SETTLE_AM),
                     1694784600);
    /* SPXW 2023-09-14, PM: 16:00 EDT = 20:00:00Z. */
    ck_assert_int_eq(gex_time_settlement(gex_time_days_from_civil(2023, 9, 14), GEX_SETTLE_PM),
                     1694721600);
    /* Winter, 2023-12-15 PM: 16:00 EST = 21:00:00Z. */
    ck_assert_int_eq(gex_time_settlement(gex_time_days_from_civil(2023, 12, 15), GEX_SETTLE_PM),
                     1702674000);
    /* SPY 2020-06-22 PM: 20:00:00Z. */
    char buf[32];
    gex_time_format_iso(gex_time_settlement(gex_time_days_from_civil(2020, 6, 22), GEX_SETTLE_PM),
                        buf, sizeof buf);
    ck_assert_str_eq(buf, "2020-06-22T20:00:00Z");
    /* Winter AM, 2024-01-19: 14:30:00Z. */
    gex_time_format_iso(gex_time_settlement(gex_time_days_from_civil(2024, 1, 19), GEX_SETTLE_AM),
                        buf, sizeof buf);
    ck_assert_str_eq(buf, "2024-01-19T14:30:00Z");
    /* A settlement on the Monday after the spring change uses daylight time. */
    gex_time_format_iso(gex_time_settlement(gex_time_days_from_civil(2023, 3, 13), GEX_SETTLE_PM),
                        buf, sizeof buf);
    ck_assert_str_eq(buf, "2023-03-13T20:00:00Z");
}
END_TEST

/* ---- formatting ----------------------------------------------------------------------- */

START_TEST(test_format_iso_values)
{
    char buf[32];
    gex_time_format_iso(1695266262, buf, sizeof buf);
    ck_assert_str_eq(buf, "2023-09-21T03:17:42Z");
    gex_time_format_iso(0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
    gex_time_format_iso(-1, buf, sizeof buf);
    ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
    gex_time_format_iso(951782400, buf, sizeof buf);
    ck_assert_str_eq(buf, "2000-02-29T00:00:00Z");
    gex_time_format_iso(-62135683200LL, buf, sizeof buf); /* year 0 (1 BC), proleptic */
    ck_assert_str_eq(buf, "0000-12-31T00:00:00Z");
    gex_time_format_iso(-62167305600LL, buf, sizeof buf);
    ck_assert_str_eq(buf, "-0001-12-31T00:00:00Z");
    gex_time_format_iso(INT64_MAX, buf, sizeof buf);
    ck_assert_str_eq(buf, "292277026596-12-04T15:30:07Z");
    gex_time_format_iso(INT64_MIN, buf, sizeof buf);
    ck_assert_str_eq(buf, "-292277022657-01-27T08:29:52Z");
}
END_TEST

/* Years 0 to 9999, whose digits are written without printf: the text of glibc's own calendar
 * (gmtime_r) at 200,000 random instants and at the ends of the range, and a buffer one byte too
 * short for the whole text cut as snprintf cuts it. */
START_TEST(test_format_iso_against_gmtime)
{
    const int64_t first = -62167219200LL; /* 0000-01-01T00:00:00Z */
    const int64_t last = 253402300799LL;  /* 9999-12-31T23:59:59Z */
    uint64_t state = 1309;
    for (int k = 0; k < 200002; k++) {
        const int64_t t = k == 0 ? first : k == 1 ? last : random_instant(&state, first, last + 1);
        const time_t tt = (time_t)t;
        struct tm tm;
        ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
        char want[64], got[32];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        gex_time_format_iso(t, got, sizeof got);
        ck_assert_msg(strcmp(got, want) == 0, "%lld: %s, gmtime %s", (long long)t, got, want);
    }
    char buf[32];
    gex_time_format_iso(last + 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "10000-01-01T00:00:00Z");
    gex_time_format_iso(last, buf, 20);
    ck_assert_str_eq(buf, "9999-12-31T23:59:59");
    gex_time_format_iso(last, buf, 21);
    ck_assert_str_eq(buf, "9999-12-31T23:59:59Z");
}
END_TEST

/* New York time for people: the offset in force, both sides of each daylight-saving change. */
START_TEST(test_format_eastern_values)
{
    char buf[32];
    gex_time_format_eastern(1795030200, buf, sizeof buf); /* 2026-11-18T19:30:00Z */
    ck_assert_str_eq(buf, "2026-11-18 14:30 EST");
    gex_time_format_eastern(1694723460, buf, sizeof buf); /* 2023-09-14T20:31:00Z */
    ck_assert_str_eq(buf, "2023-09-14 16:31 EDT");
    gex_time_format_eastern(1710053999, buf, sizeof buf); /* 2024-03-10T06:59:59Z */
    ck_assert_str_eq(buf, "2024-03-10 01:59 EST");
    gex_time_format_eastern(1710054000, buf, sizeof buf); /* 2024-03-10T07:00:00Z */
    ck_assert_str_eq(buf, "2024-03-10 03:00 EDT");
    gex_time_format_eastern(1730613599, buf, sizeof buf); /* 2024-11-03T05:59:59Z */
    ck_assert_str_eq(buf, "2024-11-03 01:59 EDT");
    gex_time_format_eastern(1730613600, buf, sizeof buf); /* 2024-11-03T06:00:00Z */
    ck_assert_str_eq(buf, "2024-11-03 01:00 EST");
    gex_time_format_eastern(0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1969-12-31 19:00 EST");
    gex_time_format_eastern(INT64_MIN, buf, sizeof buf); /* no local instant: UTC */
    ck_assert_str_eq(buf, "-292277022657-01-27T08:29:52Z");
    gex_time_format_eastern(INT64_MAX, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, " EST"));
    gex_time_format_eastern(0, buf, 5); /* truncated, terminated */
    ck_assert_str_eq(buf, "1969");
    gex_time_format_eastern(0, NULL, 5);
}
END_TEST

START_TEST(test_format_iso_small_buffers)
{
    char buf[32];
    memset(buf, 'x', sizeof buf);
    gex_time_format_iso(1695266262, buf, 11);
    ck_assert_str_eq(buf, "2023-09-21");
    ck_assert_int_eq(buf[11], 'x');
    gex_time_format_iso(1695266262, buf, 3);
    ck_assert_str_eq(buf, "20");
    gex_time_format_iso(1695266262, buf, 1);
    ck_assert_str_eq(buf, "");
    buf[0] = 'x';
    gex_time_format_iso(1695266262, buf, 0);
    ck_assert_int_eq(buf[0], 'x');
    gex_time_format_iso(1695266262, NULL, 32);
}
END_TEST

START_TEST(test_format_date_values)
{
    char buf[16];
    gex_time_format_date(19615, buf, sizeof buf);
    ck_assert_str_eq(buf, "2023-09-15");
    gex_time_format_date(-135140, buf, sizeof buf);
    ck_assert_str_eq(buf, "1600-01-01");
    gex_time_format_date(INT32_MIN, buf, sizeof buf);
    ck_assert_str_eq(buf, "-5877641-06-23");
    gex_time_format_date(INT32_MAX, buf, sizeof buf);
    ck_assert_str_eq(buf, "5881580-07-11");
    gex_time_format_date(19615, buf, 5);
    ck_assert_str_eq(buf, "2023");
    gex_time_format_date(19615, NULL, 0);
}
END_TEST

/* ---- parsing: dates ------------------------------------------------------------------- */

/* Parses a NUL-terminated date; returns the status and writes the day. */
static int date_of(const char *text, int32_t *day)
{
    return gex_time_parse_date(text, strlen(text), day);
}

static void assert_date(const char *text, int y, int m, int d)
{
    int32_t day = -1;
    const int rc = date_of(text, &day);
    ck_assert_msg(rc == GEX_OK, "\"%s\": status %d", text, rc);
    ck_assert_msg(day == gex_time_days_from_civil(y, m, d), "\"%s\": day %d, want %04d-%02d-%02d",
                  text, (int)day, y, m, d);
}

/* The parser's problem starts with the given sentence and points inside the text. */
static void assert_problem(const char *text, const gex_instant_info *info, const char *problem)
{
    ck_assert_ptr_nonnull(info->problem);
    ck_assert_msg(strncmp(info->problem, problem, strlen(problem)) == 0,
                  "\"%s\": problem \"%s\", want \"%s\"", text, info->problem, problem);
    ck_assert_uint_le(info->problem_at + info->problem_len, strlen(text));
}

/* The date is refused, and the problem names the given sentence (a prefix of it). */
static void assert_date_refused(const char *text, const char *problem)
{
    int32_t day = 12345;
    gex_instant_info info;
    const int rc = gex_time_parse_date_ex(text, strlen(text), &day, &info);
    ck_assert_msg(rc == GEX_EPARSE, "\"%s\": status %d, want GEX_EPARSE", text, rc);
    ck_assert_int_eq(day, 12345);
    assert_problem(text, &info, problem);
}

START_TEST(test_parse_date_real_expiration_forms)
{
    /* The expiration cells of the files in ../shared/chains. */
    assert_date("Fri Mar 22 2024", 2024, 3, 22);
    assert_date("Fri Sep 15 2023", 2023, 9, 15);
    assert_date("06/22/2020", 2020, 6, 22);
    assert_date("2026-02-11", 2026, 2, 11);
    assert_date("20260211", 2026, 2, 11);
}
END_TEST

START_TEST(test_parse_date_other_forms)
{
    assert_date("  2024-02-29\t", 2024, 2, 29);
    assert_date("\"2024-03-22\"", 2024, 3, 22);
    assert_date("2024/03/22", 2024, 3, 22);
    assert_date("3/8/2024", 2024, 3, 8);
    assert_date("22.03.2024", 2024, 3, 22);
    assert_date("22-Mar-2024", 2024, 3, 22);
    assert_date("Mar 22 2024", 2024, 3, 22);
    assert_date("MAR 22, 2024", 2024, 3, 22);
    assert_date("march 22 2024", 2024, 3, 22);
    assert_date("Friday, March 22, 2024", 2024, 3, 22);
    assert_date("Sept. 15th, 2023", 2023, 9, 15);
    assert_date("22 mars 2024", 2024, 3, 22);
    assert_date("22. M\xc3\x84RZ 2024", 2024, 3, 22); /* upper-case umlaut */
    assert_date("22 de marzo de 2024", 2024, 3, 22);
    assert_date("Freitag, 22. M\xc3\xa4rz 2024", 2024, 3, 22);
    assert_date("2026-02-11 00:00:00", 2026, 2, 11);
    assert_date("2026-02-11T00:00", 2026, 2, 11);
    assert_date("2026-02-11T00:00:00.000Z", 2026, 2, 11);
    assert_date("2026-02-11 00:00:00-05:00", 2026, 2, 11);
    assert_date("2024-03-22\r\n", 2024, 3, 22);
    assert_date("0001-01-01", 1, 1, 1);
    assert_date("9999-12-31", 9999, 12, 31);
    /* len bounds the text: the rest of the buffer is not read. */
    int32_t day;
    ck_assert_int_eq(gex_time_parse_date("2024-03-229", 10, &day), GEX_OK);
    ck_assert_int_eq(day, gex_time_days_from_civil(2024, 3, 22));
}
END_TEST

START_TEST(test_parse_date_refusals)
{
    assert_date_refused("2023-02-30", "no such day");
    assert_date_refused("2023-02-29", "no such day");
    assert_date_refused("2023-13-01", "the month is out of range");
    assert_date_refused("2023-00-10", "the month is out of range");
    assert_date_refused("20230230", "no such day");
    assert_date_refused("31 February 2024", "no such day");
    assert_date_refused("Thu Mar 22 2024", "the weekday does not match");
    assert_date_refused("Mar 22", "the date has no year");
    assert_date_refused("9/15/23", "two-digit year");
    assert_date_refused("9/15/202", "the year is not a four-digit");
    assert_date_refused("Mar 22 20245", "the year is not a four-digit");
    assert_date_refused("22 Marchy 2024", "unknown month name");
    assert_date_refused("Fri Max 22 2024", "unknown month name");
    assert_date_refused("2024-03-22 16:00", "an expiration date carries a time");
    assert_date_refused("2026-02-10T23:00:00.000Z", "an expiration date carries a time");
    assert_date_refused("2026-02-11T00:00:00 XYZ", "unknown time zone name");
    assert_date_refused("2024-03-22T", "no time of day after 'T'");
    assert_date_refused("2024-03-22 x", "unexpected text after the date");
    assert_date_refused("Sep 1nd 2023", "the ordinal suffix");
    assert_date_refused("", "empty text");
    assert_date_refused("   ", "empty text");
    assert_date_refused("16:00", "a time where the date");
    assert_date_refused("2024-3", "a date starting with a year");
    assert_date_refused("1/2", "a date with slashes");
    assert_date_refused("1.2.", "a date with dots");
    assert_date_refused("1-Mar", "a date with dashes");
    assert_date_refused("22-Foo-2024", "unknown month name");
    assert_date_refused("22 2024", "no month after the day");
    assert_date_refused("Mar x", "no day of the month");
    assert_date_refused("@", "no date");
    assert_date_refused("99999999999999999999999", "a number that starts no date");
    assert_date_refused("Date: 2024-03-22", "unknown month name or word");
    int32_t day;
    ck_assert_int_eq(gex_time_parse_date(NULL, 10, &day), GEX_EPARSE);
    ck_assert_int_eq(gex_time_parse_date("2024-03-22", 0, &day), GEX_EPARSE);
    ck_assert_int_eq(gex_time_parse_date("2024-03-22", 10, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_time_parse_date_ex("2024-03-22", 10, NULL, NULL), GEX_EINVAL);
}
END_TEST

START_TEST(test_month_from_name_languages)
{
    static const struct {
        const char *name;
        int month;
    } cases[] = {
        {"Jan", 1},
        {"janv.", 1},
        {"J\xc3\xa4nner", 1},
        {"enero", 1},
        {"GENNAIO", 1},
        {"februari", 2},
        {"F\xc3\xa9vrier", 2},
        {"fevereiro", 2},
        {"M\xc3\xa4rz", 3},
        {"Mrz", 3},
        {"mar\xc3\xa7o", 3},
        {"maart", 3},
        {"abr", 4},
        {"Mai", 5},
        {"mei", 5},
        {"giugno", 6},
        {"juil.", 7},
        {"Ao\xc3\xbbt", 8},
        {"ago", 8},
        {" Sept ", 9},
        {"settembre", 9},
        {"Okt", 10},
        {"outubro", 10},
        {"noviembre", 11},
        {"D\xc3\x89"
         "C.",
         12},
        {"dezembro", 12},
        {"December", 12},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        ck_assert_msg(gex_time_month_from_name(cases[k].name, strlen(cases[k].name)) ==
                          cases[k].month,
                      "%s", cases[k].name);
    ck_assert_int_eq(gex_time_month_from_name("Marchy", 6), 0);
    ck_assert_int_eq(gex_time_month_from_name("Ma", 2), 0);
    ck_assert_int_eq(gex_time_month_from_name("", 0), 0);
    ck_assert_int_eq(gex_time_month_from_name(NULL, 3), 0);
    ck_assert_int_eq(gex_time_month_from_name("Mar", 2), 0); /* len bounds the read */
    ck_assert_int_eq(gex_time_month_from_name("\xc3\x97", 2), 0);
}
END_TEST

START_TEST(test_weekday_known_days)
{
    ck_assert_int_eq(gex_time_weekday(0), 4);                                     /* Thursday */
    ck_assert_int_eq(gex_time_weekday(gex_time_days_from_civil(2024, 3, 22)), 5); /* Friday */
    ck_assert_int_eq(gex_time_weekday(gex_time_days_from_civil(2023, 3, 12)), 0); /* Sunday */
    ck_assert_int_eq(gex_time_weekday(-1), 3);
    ck_assert_int_eq(gex_time_weekday(INT32_MIN), ((INT32_MIN % 7 + 7) % 7 + 4) % 7);
}
END_TEST

/* ---- parsing: instants ---------------------------------------------------------------- */

static void assert_instant_z(const char *text, int zone_default, const char *want_iso)
{
    int64_t utc = 0;
    gex_instant_info info;
    const int rc = gex_time_parse_instant(text, strlen(text), zone_default, &utc, &info);
    ck_assert_msg(rc == GEX_OK, "\"%s\": status %d (%s)", text, rc,
                  info.problem != NULL ? info.problem : "");
    ck_assert_ptr_null(info.problem);
    char buf[32];
    gex_time_format_iso(utc, buf, sizeof buf);
    ck_assert_msg(strcmp(buf, want_iso) == 0, "\"%s\": %s, want %s", text, buf, want_iso);
}

static void assert_instant(const char *text, const char *want_iso)
{
    assert_instant_z(text, GEX_ZONE_EASTERN, want_iso);
}

static void assert_instant_refused(const char *text, int want_rc, const char *problem)
{
    int64_t utc = 777;
    gex_instant_info info;
    const int rc = gex_time_parse_instant(text, strlen(text), GEX_ZONE_EASTERN, &utc, &info);
    ck_assert_msg(rc == want_rc, "\"%s\": status %d, want %d", text, rc, want_rc);
    ck_assert_int_eq(utc, 777);
    assert_problem(text, &info, problem);
}

START_TEST(test_parse_instant_real_date_lines)
{
    /* The date lines of ../shared/chains, as they appear there (CSV quotes included). */
    assert_instant("Date: 9 June 2023, 1:40 PM EDT", "2023-06-09T17:40:00Z");
    assert_instant("\"Date: September 14, 2023 at 4:31 PM EDT\"", "2023-09-14T20:31:00Z");
    assert_instant("\"Date: August 20, 2023 at 10:38 PM EDT\"", "2023-08-21T02:38:00Z");
    assert_instant("Date: 22 March 2024, 9:46 PM EDT", "2024-03-23T01:46:00Z");
    assert_instant("Jun 22 2020 @ 20:42 ET", "2020-06-23T00:42:00Z");
    assert_instant_z("2023-09-21 03:17:42", 0, "2023-09-21T03:17:42Z");  /* CBOE JSON, UTC */
    assert_instant("2026-01-29 15:22:33+00:00", "2026-01-29T15:22:33Z"); /* yfinance */
}
END_TEST

/* A day or an instant: a date alone and a zoneless New York midnight (pandas' dates) name a
 * day; a midnight with a zone, a zoneless midnight where zoneless times are UTC, and any other
 * time are instants. */
/* @SECONDS to 9999-12-31T23:59:59Z: a count of milliseconds (1695266262000, 2023 in ms) is
 * refused saying so, never read as a year past 50,000 that expires every contract. */
START_TEST(test_parse_now_epoch_bounds)
{
    int64_t t = 0;
    gex_instant_info info;
    ck_assert_int_eq(gex_time_parse_now("@253402300799", 13, &t, &info), GEX_OK);
    ck_assert_int_eq(t, 253402300799);
    ck_assert_int_eq(gex_time_parse_now("@253402300800", 13, &t, &info), GEX_EPARSE);
    ck_assert_int_eq(gex_time_parse_now("@-253402300800", 14, &t, &info), GEX_EPARSE);
    ck_assert_int_eq(gex_time_parse_now("@1695266262000", 14, &t, &info), GEX_EPARSE);
    ck_assert_ptr_nonnull(strstr(info.problem, "milliseconds"));
}
END_TEST

/* The valuation time lies where New York's zone rules are known (tz America/New_York: local
 * mean time before standard time began, 1883-11-18 17:00 UTC) and up to the end of the year 9999,
 * in every form --now reads; the refusal says the range. 1800 was read as EST, 3 m 58 s off. */
START_TEST(test_parse_now_outside_zone_rules)
{
    int64_t t = 7;
    gex_instant_info info;
    ck_assert_int_eq(gex_time_parse_now("@-2717650800", 12, &t, &info), GEX_OK);
    ck_assert_int_eq(t, GEX_TIME_FIRST_UTC);
    ck_assert_int_eq(gex_time_parse_now("1883-11-18 12:00", 16, &t, &info), GEX_OK);
    ck_assert_int_eq(t, GEX_TIME_FIRST_UTC);
    ck_assert_int_eq(gex_time_parse_now("9999-12-31T23:59:59Z", 20, &t, &info), GEX_OK);
    ck_assert_int_eq(t, GEX_TIME_LAST_UTC);
    const char *const refused[] = {"@-2717650801",      "1883-11-18 11:59:59", "1800-01-01 10:00",
                                   "0001-01-02T00:00Z", "@-253402300799",      "9999-12-31 19:00"};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        t = 7;
        ck_assert_int_eq(gex_time_parse_now(refused[k], strlen(refused[k]), &t, &info), GEX_EPARSE);
        ck_assert_int_eq(t, 7);
        ck_assert_ptr_nonnull(info.problem);
        ck_assert_ptr_nonnull(strstr(info.problem, "1883-11-18 17:00 UTC"));
        ck_assert_ptr_nonnull(strstr(info.problem, "9999-12-31 23:59:59 UTC"));
    }
}
END_TEST

START_TEST(test_instant_is_day)
{
    const struct {
        const char *text;
        int zone;
        int day;
    } cases[] = {
        {"2024-03-22", GEX_ZONE_EASTERN, 1},
        {"2024-03-22 00:00:00", GEX_ZONE_EASTERN, 1},
        {"2024-03-22 00:00", GEX_ZONE_EASTERN, 1},
        {"2024-03-22T00:00:00Z", GEX_ZONE_EASTERN, 0},
        {"2024-03-22T00:00:00-04:00", GEX_ZONE_EASTERN, 0},
        {"2024-03-22 00:00:00.5", GEX_ZONE_EASTERN, 0},
        {"2024-03-22 00:00:01", GEX_ZONE_EASTERN, 0},
        {"2024-03-22 16:00", GEX_ZONE_EASTERN, 0},
        {"2024-03-22 00:00:00", 0, 0},
        {"1969-12-31 00:00:00", GEX_ZONE_EASTERN, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t utc;
        gex_instant_info info;
        ck_assert_int_eq(gex_time_parse_instant(cases[i].text, strlen(cases[i].text), cases[i].zone,
                                                &utc, &info),
                         GEX_OK);
        ck_assert_msg(gex_time_instant_is_day(&info, utc, cases[i].zone) == cases[i].day, "%s",
                      cases[i].text);
    }
    ck_assert_int_eq(gex_time_instant_is_day(NULL, 0, GEX_ZONE_EASTERN), 0);
    /* the same rule as one reading: a day, an instant, or neither */
    int32_t day = 0;
    int64_t utc = 0;
    ck_assert_int_eq(gex_time_parse_day_or_instant("2024-03-22 00:00:00", 19, &day, &utc), 1);
    ck_assert_int_eq(day, gex_time_days_from_civil(2024, 3, 22));
    ck_assert_int_eq(gex_time_parse_day_or_instant("20240322", 8, &day, &utc), 1);
    ck_assert_int_eq(gex_time_parse_day_or_instant("2024-03-22T00:00:00Z", 20, &day, &utc), 2);
    ck_assert_int_eq(utc, 1711065600);
    ck_assert_int_eq(gex_time_parse_day_or_instant("yesterday", 9, &day, &utc), 0);
}
END_TEST

START_TEST(test_parse_instant_iso_forms)
{
    assert_instant("2023-09-21T03:17:42Z", "2023-09-21T03:17:42Z");
    assert_instant("2023-09-21t03:17:42z", "2023-09-21T03:17:42Z");
    assert_instant("2023-09-21T03:17:42+00:00", "2023-09-21T03:17:42Z");
    assert_instant("2023-09-21T03:17:42-04:00", "2023-09-21T07:17:42Z");
    assert_instant("2023-09-21T03:17:42-0400", "2023-09-21T07:17:42Z");
    assert_instant("2023-09-21T03:17:42+05:30", "2023-09-20T21:47:42Z");
    assert_instant("2023-09-21T03:17:42+14", "2023-09-20T13:17:42Z");
    assert_instant("2023-09-21 03:17:42 UTC", "2023-09-21T03:17:42Z");
    assert_instant("2023-09-21T03:17Z", "2023-09-21T03:17:00Z");
    assert_instant("20230921T031742Z", "2023-09-21T03:17:42Z");
    assert_instant("20230921T0317Z", "2023-09-21T03:17:00Z");
    assert_instant_z("2023-09-21 03:17:42", 3600, "2023-09-21T02:17:42Z");
    assert_instant_z("2023-09-21 03:17:42", -18000, "2023-09-21T08:17:42Z");
    /* Without a zone, Eastern time by date: EDT in September, EST in January. */
    assert_instant("2023-09-21 03:17:42", "2023-09-21T07:17:42Z");
    assert_instant("2024-01-19 16:00", "2024-01-19T21:00:00Z");
    /* Date only: midnight. */
    assert_instant_z("2023-09-21", 0, "2023-09-21T00:00:00Z");
}
END_TEST

START_TEST(test_parse_instant_fractional_seconds)
{
    int64_t utc;
    gex_instant_info info;
    const char *text = "2023-09-21T03:17:42.123456789123Z";
    ck_assert_int_eq(gex_time_parse_instant(text, strlen(text), 0, &utc, &info), GEX_OK);
    ck_assert_int_eq(utc, 1695266262);
    ck_assert_int_eq(info.nanoseconds, 123456789);
    text = "2023-09-21 03:17:42.75";
    ck_assert_int_eq(gex_time_parse_instant(text, strlen(text), 0, &utc, &info), GEX_OK);
    ck_assert_int_eq(utc, 1695266262);
    ck_assert_int_eq(info.nanoseconds, 750000000);
    /* Before 1970 the whole second is still the one written, the fraction comes after it. */
    text = "1969-12-31T23:59:59.5Z";
    ck_assert_int_eq(gex_time_parse_instant(text, strlen(text), 0, &utc, &info), GEX_OK);
    ck_assert_int_eq(utc, -1);
    ck_assert_int_eq(info.nanoseconds, 500000000);
}
END_TEST

START_TEST(test_parse_instant_english_forms)
{
    assert_instant("June 9, 2023, 1:40 PM EDT", "2023-06-09T17:40:00Z");
    assert_instant("June 9 2023 1:40pm EDT", "2023-06-09T17:40:00Z");
    assert_instant("9 June 2023 13:40 EDT", "2023-06-09T17:40:00Z");
    assert_instant("9 June 2023 13:40:27 EDT", "2023-06-09T17:40:27Z");
    assert_instant("Friday, June 9, 2023 at 1:40:27 p.m. ET", "2023-06-09T17:40:27Z");
    assert_instant("Sept. 14th, 2023 4:31 PM ET", "2023-09-14T20:31:00Z");
    assert_instant("June 9 2023 4 PM", "2023-06-09T20:00:00Z");
    assert_instant("June 9 2023 12:00 AM", "2023-06-09T04:00:00Z");
    assert_instant("June 9 2023 12:00 PM", "2023-06-09T16:00:00Z");
    assert_instant("June 9 2023 12:30 a.m.", "2023-06-09T04:30:00Z");
    assert_instant("06/09/2023 13:40", "2023-06-09T17:40:00Z");
    assert_instant("Tue Nov 24 01:01:51 UTC 2026", "2026-11-24T01:01:51Z"); /* date(1) */
    assert_instant("Fri Jun  9 13:40:00 2023", "2023-06-09T17:40:00Z");     /* asctime */
    /* Unicode spaces from date formatters: U+202F before PM, U+00A0 between words. */
    assert_instant("9/14/2023, 4:31\xe2\x80\xafPM", "2023-09-14T20:31:00Z");
    assert_instant("June\xc2\xa0"
                   "9 2023 4:31 PM",
                   "2023-06-09T20:31:00Z");
}
END_TEST

START_TEST(test_parse_instant_zones)
{
    assert_instant("June 9 2023 4:31 PM EST", "2023-06-09T21:31:00Z"); /* literal: UTC-5 */
    assert_instant("Jan 9 2023 4:31 PM EDT", "2023-01-09T20:31:00Z");  /* literal: UTC-4 */
    assert_instant("Jan 9 2023 4:31 PM ET", "2023-01-09T21:31:00Z");
    assert_instant("June 9 2023 4:31 PM Eastern", "2023-06-09T20:31:00Z");
    assert_instant("June 9 2023 4:31 PM EST5EDT", "2023-06-09T20:31:00Z");
    assert_instant("Jan 9 2023 4:31 PM EST5EDT", "2023-01-09T21:31:00Z");
    assert_instant("June 9 2023 4:31 PM GMT", "2023-06-09T16:31:00Z");
    assert_instant("June 9 2023 4:31 PM UT", "2023-06-09T16:31:00Z");
    assert_instant("June 9 2023 4:31 PM UTC-4", "2023-06-09T20:31:00Z");
    assert_instant("June 9 2023 4:31 PM UTC\xe2\x88\x92"
                   "4",
                   "2023-06-09T20:31:00Z");
    assert_instant("June 9 2023 4:31 PM UTC\xe2\x80\x93"
                   "4",
                   "2023-06-09T20:31:00Z");
    assert_instant("June 9 2023 4:31 PM GMT-5", "2023-06-09T21:31:00Z");
    assert_instant("June 9 2023 4:31 PM UTC+1", "2023-06-09T15:31:00Z");
    assert_instant("June 9 2023 4:31 PM GMT+05:30", "2023-06-09T11:01:00Z");
    assert_instant("June 9 2023 4:31 PM \xe2\x88\x92"
                   "04:00",
                   "2023-06-09T20:31:00Z");
    assert_instant("June 9 2023 4:31 PM CST", "2023-06-09T22:31:00Z");
    assert_instant("June 9 2023 4:31 PM CDT", "2023-06-09T21:31:00Z");
    assert_instant("June 9 2023 4:31 PM MST", "2023-06-09T23:31:00Z");
    assert_instant("June 9 2023 4:31 PM MDT", "2023-06-09T22:31:00Z");
    assert_instant("June 9 2023 4:31 PM PST", "2023-06-10T00:31:00Z");
    assert_instant("June 9 2023 4:31 PM PDT", "2023-06-09T23:31:00Z");
    assert_instant("June 9 2023 4:31 PM WET", "2023-06-09T16:31:00Z");
    assert_instant("June 9 2023 4:31 PM WEST", "2023-06-09T15:31:00Z");
    assert_instant("June 9 2023 4:31 PM BST", "2023-06-09T15:31:00Z");
    assert_instant("June 9 2023 4:31 PM CET", "2023-06-09T15:31:00Z");
    assert_instant("June 9 2023 4:31 PM CEST", "2023-06-09T14:31:00Z");
    assert_instant("June 9 2023 4:31 PM mesz", "2023-06-09T14:31:00Z");
    /* ET across the spring change: 01:59 is EST, 03:00 EDT, 02:30 (never shown) as EST. */
    assert_instant("2023-03-12 01:59 ET", "2023-03-12T06:59:00Z");
    assert_instant("2023-03-12 03:00 ET", "2023-03-12T07:00:00Z");
    assert_instant("2023-03-12 02:30 ET", "2023-03-12T07:30:00Z");
    /* and autumn: 01:30 happened twice, read as the first (EDT). */
    assert_instant("2023-11-05 01:30 ET", "2023-11-05T05:30:00Z");
    assert_instant("2023-11-05 01:30 EST", "2023-11-05T06:30:00Z");
}
END_TEST

START_TEST(test_parse_instant_other_languages)
{
    assert_instant("22 mars 2024, 21:46", "2024-03-23T01:46:00Z");
    assert_instant("vendredi 22 mars 2024 \xc3\xa0 21h46", "2024-03-23T01:46:00Z");
    assert_instant("22. M\xc3\xa4rz 2024 21:46 MEZ", "2024-03-22T20:46:00Z");
    assert_instant("Freitag, 22. M\xc3\xa4rz 2024 um 21:46 Uhr", "2024-03-23T01:46:00Z");
    assert_instant("Datum: 22.03.2024 21:46 MEZ", "2024-03-22T20:46:00Z");
    assert_instant("22 de marzo de 2024 a las 21:46", "2024-03-23T01:46:00Z");
    assert_instant("Fecha: viernes, 22 de marzo de 2024, 21:46", "2024-03-23T01:46:00Z");
    assert_instant("22 marzo 2024 alle ore 21:46 CET", "2024-03-22T20:46:00Z");
    assert_instant("sexta-feira, 22 de mar\xc3\xa7o de 2024 \xc3\xa0s 21:46",
                   "2024-03-23T01:46:00Z");
    assert_instant("vrijdag 22 maart 2024 om 21:46", "2024-03-23T01:46:00Z");
}
END_TEST

START_TEST(test_parse_instant_no_year)
{
    static const char *const texts[] = {
        "Date: 9 June, 1:40 PM EDT", "June 9 at 1:40 PM EDT", "Fri Jun 9 13:40:00",
        "29 February, 10:00",        "22 mars, 21:46",
    };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        int64_t utc = 777;
        gex_instant_info info;
        const int rc =
            gex_time_parse_instant(texts[k], strlen(texts[k]), GEX_ZONE_EASTERN, &utc, &info);
        ck_assert_msg(rc == GEX_ENOTIME, "\"%s\": status %d", texts[k], rc);
        ck_assert_int_eq(info.has_year, 0);
        ck_assert_int_eq(info.has_time, 1);
        ck_assert_str_eq(info.problem, "the date has no year");
        ck_assert_int_eq(utc, 777);
    }
    /* A yearless date that no year makes real is a parse error, not a missing year. */
    assert_instant_refused("30 February, 10:00", GEX_EPARSE, "no such day");
    assert_instant_refused("June 9, 1:40 PM XST", GEX_EPARSE, "unknown time zone name");
}
END_TEST

START_TEST(test_parse_instant_refusals)
{
    assert_instant_refused("", GEX_EPARSE, "empty text");
    assert_instant_refused("\"\"", GEX_EPARSE, "no date");
    assert_instant_refused("June 9 2023 4:31 PM XYZ", GEX_EPARSE, "unknown time zone name");
    assert_instant_refused("June 9 2023 4:31 PM IST", GEX_EPARSE, "unknown time zone name");
    assert_instant_refused("22. M\xc3\xa4rz 2024 21:46 OEZ", GEX_EPARSE, "unknown time zone");
    assert_instant_refused("June 9 2023 25:00", GEX_EPARSE, "the hour is out of range");
    assert_instant_refused("June 9 2023 24:00", GEX_EPARSE, "the hour is out of range");
    assert_instant_refused("June 9 2023 13:00 PM", GEX_EPARSE, "a 12-hour time");
    assert_instant_refused("June 9 2023 0:30 AM", GEX_EPARSE, "a 12-hour time");
    assert_instant_refused("June 9 2023 12:60", GEX_EPARSE, "the minutes are out of range");
    assert_instant_refused("June 9 2023 12:59:60", GEX_EPARSE, "the seconds are out of range");
    assert_instant_refused("June 9 2023 12:5", GEX_EPARSE, "the minutes must be two digits");
    assert_instant_refused("June 9 2023 12:05:7", GEX_EPARSE, "the seconds must be two");
    assert_instant_refused("2023-13-01 10:00", GEX_EPARSE, "the month is out of range");
    assert_instant_refused("2023-02-29 10:00", GEX_EPARSE, "no such day");
    assert_instant_refused("Thu June 9 2023 10:00", GEX_EPARSE, "the weekday does not match");
    assert_instant_refused("June 9 2023 10:00 UTC+19", GEX_EPARSE, "the UTC offset is out");
    assert_instant_refused("June 9 2023 10:00 +0960", GEX_EPARSE, "the UTC offset is out");
    assert_instant_refused("June 9 2023 10:00 +123", GEX_EPARSE, "a UTC offset must be");
    assert_instant_refused("June 9 2023 10:00 +1:3", GEX_EPARSE, "the offset's minutes");
    assert_instant_refused("June 9 2023 10:00 EDT and more", GEX_EPARSE, "unexpected text");
    assert_instant_refused("June 9 2023, Bid: 4", GEX_EPARSE, "unexpected text");
    assert_instant_refused("2023-09-21T", GEX_EPARSE, "no time of day after 'T'");
    assert_instant_refused("2023-09-21T03:17.5Z", GEX_EPARSE, "unexpected text");
    assert_instant_refused("4:31 PM June 9 2023", GEX_EPARSE, "a time where the date");
    assert_instant_refused("99999-01-01 10:00", GEX_EPARSE, "a number that starts no date");
    assert_instant_refused("June 9 99999 10:00", GEX_EPARSE, "the year is not a four-digit");
    assert_instant_refused("June 9 18446744073709551616 10:00", GEX_EPARSE, "the year is not");
    int64_t utc;
    ck_assert_int_eq(gex_time_parse_instant("2023-09-21", 10, 0, NULL, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_time_parse_instant("2023-09-21", 10, 64801, &utc, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_time_parse_instant("2023-09-21", 10, -64801, &utc, NULL), GEX_EINVAL);
    ck_assert_int_eq(gex_time_parse_instant(NULL, 10, 0, &utc, NULL), GEX_EPARSE);
    ck_assert_int_eq(gex_time_parse_instant("2023-09-21", 0, 0, &utc, NULL), GEX_EPARSE);
    /* Far too many tokens for a date. */
    char long_text[400];
    memset(long_text, 0, sizeof long_text);
    strcpy(long_text, "June 9 2023 10:00");
    for (size_t k = strlen(long_text); k + 2 < sizeof long_text; k += 2)
        memcpy(long_text + k, " x", 2);
    assert_instant_refused(long_text, GEX_EPARSE, "text too long");
}
END_TEST

START_TEST(test_scan_instant_whole_preamble_lines)
{
    static const struct {
        const char *line;
        const char *iso;
        size_t end;
    } cases[] = {
        {"Date: 9 June 2023, 1:40 PM EDT,Bid: 4299.3398,Ask: 4300.8301,Size: 1*1,Volume: 0",
         "2023-06-09T17:40:00Z", 30},
        {"\"Date: September 14, 2023 at 4:31 PM EDT\",Bid: 4483.25,Ask: 4526.27,Size: 1*1",
         "2023-09-14T20:31:00Z", 40},
        {"Date: 22 March 2024, 9:46 PM EDT,Bid: 445.65,Ask: 445.73,Size: 18*3,\"Volume: 28,",
         "2024-03-23T01:46:00Z", 32},
        {"Jun 22 2020 @ 20:42 ET,Bid,0,Ask,0,Size,0x0,Vol,74649389", "2020-06-23T00:42:00Z", 22},
        {"2026-01-29 15:22:33+00:00,500.0,192.08", "2026-01-29T15:22:33Z", 25},
        {"Date: 9 June 2023,Bid: 4299.3398", "2023-06-09T04:00:00Z", 17},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int64_t utc;
        gex_instant_info info;
        const int rc = gex_time_scan_instant(cases[k].line, strlen(cases[k].line), GEX_ZONE_EASTERN,
                                             &utc, &info);
        ck_assert_msg(rc == GEX_OK, "\"%s\": status %d (%s)", cases[k].line, rc,
                      info.problem != NULL ? info.problem : "");
        char buf[32];
        gex_time_format_iso(utc, buf, sizeof buf);
        ck_assert_str_eq(buf, cases[k].iso);
        ck_assert_uint_eq(info.end, cases[k].end);
    }
    /* A word after the time that is not a zone is refused, not skipped. */
    int64_t utc;
    gex_instant_info info;
    const char *line = "Date: 9 June 2023, 1:40 PM MEX,Bid: 4299.3398";
    ck_assert_int_eq(gex_time_scan_instant(line, strlen(line), GEX_ZONE_EASTERN, &utc, &info),
                     GEX_EPARSE);
    ck_assert_str_eq(info.problem, "unknown time zone name");
    ck_assert_uint_eq(info.problem_at, 27);
    ck_assert_uint_eq(info.problem_len, 3);
    /* A long line is fine: the instant is at its start. */
    char long_line[2000];
    memset(long_line, ',', sizeof long_line);
    memcpy(long_line, "Jun 22 2020 @ 20:42 ET", 22);
    for (size_t k = 30; k < sizeof long_line; k += 3)
        long_line[k] = 'x';
    ck_assert_int_eq(
        gex_time_scan_instant(long_line, sizeof long_line, GEX_ZONE_EASTERN, &utc, &info), GEX_OK);
    ck_assert_int_eq(utc, 1592872920);
    ck_assert_int_eq(
        gex_time_scan_instant("Date: 9 June, 1:40 PM EDT,Bid", 29, GEX_ZONE_EASTERN, &utc, &info),
        GEX_ENOTIME);
}
END_TEST

START_TEST(test_parse_now_forms)
{
    int64_t utc;
    gex_instant_info info;
    const char *text = "2023-09-14 15:45";
    ck_assert_int_eq(gex_time_parse_now(text, strlen(text), &utc, &info), GEX_OK);
    ck_assert_int_eq(utc, 1694720700); /* 15:45 EDT = 19:45Z */
    text = "2023-09-14T19:45:00Z";
    ck_assert_int_eq(gex_time_parse_now(text, strlen(text), &utc, &info), GEX_OK);
    ck_assert_int_eq(utc, 1694720700);
    text = " @1694720700 ";
    ck_assert_int_eq(gex_time_parse_now(text, strlen(text), &utc, &info), GEX_OK);
    ck_assert_int_eq(utc, 1694720700);
    ck_assert_uint_eq(info.end, 12);
    text = "@-1";
    ck_assert_int_eq(gex_time_parse_now(text, strlen(text), &utc, &info), GEX_OK);
    ck_assert_int_eq(utc, -1);
    /* Refusals */
    utc = 777;
    text = "2023-09-14";
    ck_assert_int_eq(gex_time_parse_now(text, strlen(text), &utc, &info), GEX_EPARSE);
    ck_assert_str_eq(info.problem,
                     "a time of day is needed as well as the date (16:00 for the close)");
    text = "Sep 14 15:45";
    ck_assert_int_eq(gex_time_parse_now(text, strlen(text), &utc, &info), GEX_EPARSE);
    ck_assert_str_eq(info.problem, "the date has no year");
    text = "@";
    ck_assert_int_eq(gex_time_parse_now(text, strlen(text), &utc, &info), GEX_EPARSE);
    ck_assert_ptr_nonnull(info.problem);
    text = "@12x";
    ck_assert_int_eq(gex_time_parse_now(text, strlen(text), &utc, &info), GEX_EPARSE);
    ck_assert_uint_eq(info.problem_at, 1);
    text = "@99999999999999999999";
    ck_assert_int_eq(gex_time_parse_now(text, strlen(text), &utc, &info), GEX_EPARSE);
    ck_assert_str_eq(info.problem, "the number of seconds is too large");
    text = "yesterday";
    ck_assert_int_eq(gex_time_parse_now(text, strlen(text), &utc, &info), GEX_EPARSE);
    ck_assert_int_eq(utc, 777);
    ck_assert_int_eq(gex_time_parse_now("@1", 2, NULL, &info), GEX_EINVAL);
    ck_assert_int_eq(gex_time_parse_now(NULL, 5, &utc, NULL), GEX_EPARSE);
}
END_TEST

START_TEST(test_parse_instant_round_trip_iso)
{
    /* parse(format_iso(t)) == t and format_iso(parse(x)) == x, years 0001-9999. */
    uint64_t state = 1592872920;
    for (int i = 0; i < 100000; i++) {
        const int64_t t = random_instant(&state, T_0001, T_10000);
        char buf[32];
        gex_time_format_iso(t, buf, sizeof buf);
        int64_t back = 0;
        gex_instant_info info;
        const int rc = gex_time_parse_instant(buf, strlen(buf), GEX_ZONE_EASTERN, &back, &info);
        expect(rc == GEX_OK && back == t && info.has_zone == 1 && info.utc_offset_s == 0,
               "%s: status %d, %lld", buf, rc, (long long)back);
        char again[32];
        gex_time_format_iso(back, again, sizeof again);
        expect(strcmp(again, buf) == 0, "%s formats back as %s", buf, again);
        /* and its date alone */
        int32_t day = 0;
        expect(gex_time_parse_date(buf, 10, &day) == GEX_OK &&
                   (int64_t)day * 86400 == t - ((t % 86400) + 86400) % 86400,
               "%.10s: day %d", buf, (int)day);
    }
}
END_TEST

/* Text in an exact-size heap block, so that a read past len is caught by AddressSanitizer. */
static char *exact_copy(const char *bytes, size_t len)
{
    char *copy = malloc(len > 0 ? len : 1);
    ck_assert_ptr_nonnull(copy);
    if (len > 0)
        memcpy(copy, bytes, len);
    return copy;
}

START_TEST(test_parse_hostile_bytes)
{
    /* Random texts drawn from date-like pieces and raw bytes (fixed seed): every call returns
     * a documented status, reports problems inside the text and never reads past len. */
    static const char *const pieces[] = {
        "2023",
        "-",
        "09",
        ":",
        "17",
        " ",
        "June",
        "PM",
        "EDT",
        "UTC",
        "\xe2\x88\x92",
        "+",
        ",",
        ".",
        "/",
        "@",
        "T",
        "Z",
        "Date:",
        "\"",
        "\xc3\xa4",
        "99999999999999999999",
        "\xe2\x80",
        "\xc3",
        "at",
        "a",
        "m",
        "h",
        "Fri",
        "de",
        "\xe2\x80\xaf",
        "12",
    };
    uint64_t state = 77;
    for (int i = 0; i < 200000; i++) {
        char text[64];
        size_t len = 0;
        const int parts = (int)(gex_splitmix64(&state) % 12);
        for (int k = 0; k < parts; k++) {
            const uint64_t r = gex_splitmix64(&state);
            if (r % 4 == 0) {
                text[len++] = (char)(r >> 8);
            } else {
                const char *piece = pieces[(r >> 8) % (sizeof pieces / sizeof pieces[0])];
                const size_t n = strlen(piece);
                if (len + n > sizeof text)
                    break;
                memcpy(text + len, piece, n);
                len += n;
            }
            if (len == sizeof text)
                break;
        }
        char *copy = exact_copy(text, len);
        int64_t utc;
        int32_t day;
        gex_instant_info info;
        int rc = gex_time_parse_instant(copy, len, GEX_ZONE_EASTERN, &utc, &info);
        expect(rc == GEX_OK || rc == GEX_EPARSE || rc == GEX_ENOTIME, "instant: status %d", rc);
        if (rc != GEX_OK)
            expect(info.problem != NULL && info.problem_at + info.problem_len <= len,
                   "instant: problem outside the text");
        else
            expect(info.problem == NULL && info.end <= len, "instant: end outside the text");
        rc = gex_time_scan_instant(copy, len, 0, &utc, &info);
        expect(rc == GEX_OK || rc == GEX_EPARSE || rc == GEX_ENOTIME, "scan: status %d", rc);
        expect(info.end <= len, "scan: end outside the text");
        rc = gex_time_parse_date_ex(copy, len, &day, &info);
        expect(rc == GEX_OK || rc == GEX_EPARSE, "date: status %d", rc);
        expect(rc == GEX_OK || info.problem_at + info.problem_len <= len,
               "date: problem outside the text");
        rc = gex_time_parse_now(copy, len, &utc, &info);
        expect(rc == GEX_OK || rc == GEX_EPARSE, "now: status %d", rc);
        (void)gex_time_month_from_name(copy, len);
        free(copy);
    }
}
END_TEST

/* ---- the real files in ../shared/chains ---------------------------------------------------- */

/* Reads up to size - 1 bytes of a shared chain file; NULL (after saying so) when absent. */
static char *read_shared(const char *name, char *buf, size_t size, size_t *len)
{
    const char *path = gex_test_shared(name);
    if (path == NULL) {
        printf("skipped: ../shared absent (%s)\n", name);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    *len = fread(buf, 1, size - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* The line (without its end) that starts at or after the n-th line break (0: the first line). */
static const char *nth_line(const char *text, int n, size_t *len)
{
    for (int k = 0; k < n && text != NULL; k++) {
        text = strchr(text, '\n');
        if (text != NULL)
            text++;
    }
    ck_assert_ptr_nonnull(text);
    *len = strcspn(text, "\r\n");
    return text;
}

START_TEST(test_scan_instant_shared_chain_files)
{
    static const struct {
        const char *file;
        int line;
        int zone_default;
        size_t skip; /* bytes before the instant on that line */
        const char *iso;
    } cases[] = {
        {"chains/cboe_spx_2023-06-09_intraday.csv", 2, GEX_ZONE_EASTERN, 0, "2023-06-09T17:40:00Z"},
        {"chains/cboe_spx_2023-09-14_close.csv", 2, GEX_ZONE_EASTERN, 0, "2023-09-14T20:31:00Z"},
        {"chains/cboe_tsla_2023-08-20_single-stock.csv", 2, GEX_ZONE_EASTERN, 0,
         "2023-08-21T02:38:00Z"},
        {"chains/cboe_qqq_2024-03-22_unbalanced-quote.csv", 2, GEX_ZONE_EASTERN, 0,
         "2024-03-23T01:46:00Z"},
        {"chains/cboe-legacy2020_spy_2020-06-22.dat", 1, GEX_ZONE_EASTERN, 0,
         "2020-06-23T00:42:00Z"},
        {"chains/cboe-json_rut_2023-09-20.json", 0, 0, 14, "2023-09-21T03:17:42Z"},
        {"chains/yfinance_spy_2026-02-11_intraday.csv", 1, GEX_ZONE_EASTERN, 19,
         "2026-01-29T15:22:33Z"},
    };
    static char buf[1 << 16];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t len;
        if (read_shared(cases[k].file, buf, sizeof buf, &len) == NULL)
            return;
        size_t line_len;
        const char *line = nth_line(buf, cases[k].line, &line_len);
        ck_assert_uint_gt(line_len, cases[k].skip);
        int64_t utc;
        gex_instant_info info;
        const int rc = gex_time_scan_instant(line + cases[k].skip, line_len - cases[k].skip,
                                             cases[k].zone_default, &utc, &info);
        ck_assert_msg(rc == GEX_OK, "%s: status %d (%s)", cases[k].file, rc,
                      info.problem != NULL ? info.problem : "");
        char iso[32];
        gex_time_format_iso(utc, iso, sizeof iso);
        ck_assert_msg(strcmp(iso, cases[k].iso) == 0, "%s: %s, want %s", cases[k].file, iso,
                      cases[k].iso);
    }
}
END_TEST

START_TEST(test_parse_date_shared_expiration_cells)
{
    /* Every expiration cell of the CBOE files parses, and its weekday (when written) is right:
     * a sign that the month and day were read the right way round. */
    static const char *const files[] = {
        "chains/cboe_spx_2023-06-09_intraday.csv",
        "chains/cboe_spx_2023-09-14_close.csv",
        "chains/cboe_tsla_2023-08-20_single-stock.csv",
        "chains/cboe_qqq_2024-03-22_unbalanced-quote.csv",
        "chains/cboe-legacy2020_spy_2020-06-22.dat",
    };
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        const char *path = gex_test_shared(files[k]);
        if (path == NULL) {
            printf("skipped: ../shared absent (%s)\n", files[k]);
            return;
        }
        FILE *f = fopen(path, "rb");
        ck_assert_ptr_nonnull(f);
        char line[4096];
        int in_rows = 0, rows = 0;
        int32_t first = INT32_MAX, last = INT32_MIN;
        while (fgets(line, sizeof line, f) != NULL) {
            if (!in_rows) {
                in_rows = strncmp(line, "Expiration Date,", 16) == 0;
                continue;
            }
            const size_t cell = strcspn(line, ",\r\n");
            int32_t day;
            ck_assert_msg(gex_time_parse_date(line, cell, &day) == GEX_OK, "%s: \"%.*s\"", files[k],
                          (int)cell, line);
            first = day < first ? day : first;
            last = day > last ? day : last;
            rows++;
        }
        fclose(f);
        ck_assert_int_gt(rows, 100);
        /* Expirations lie between the quote year and a few years later. */
        ck_assert_int_ge(first, gex_time_days_from_civil(2020, 1, 1));
        ck_assert_int_le(last, gex_time_days_from_civil(2032, 1, 1));
    }
}
END_TEST

static Suite *time_suite(void)
{
    Suite *s = suite_create("time");
    TCase *tc = tcase_create("calendar");
    tcase_add_test(tc, test_days_from_civil_known_days);
    tcase_add_test(tc, test_civil_from_days_round_trip);
    tcase_add_test(tc, test_civil_from_days_extremes_and_nulls);
    tcase_add_test(tc, test_days_from_civil_out_of_range);
    tcase_add_test(tc, test_valid_date_leap_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("eastern");
    tcase_add_test(tc, test_eastern_offset_pinned_transitions);
    tcase_add_test(tc, test_eastern_offset_matches_tz_database_hourly);
    tcase_add_test(tc, test_eastern_offset_matches_tz_database_random);
    tcase_add_test(tc, test_eastern_date_and_session_match_tz_database);
    tcase_add_test(tc, test_eastern_date_and_session_extremes);
    tcase_add_test(tc, test_eastern_offset_ignores_machine_zone);
    tcase_add_test(tc, test_eastern_to_utc_round_trip);
    tcase_add_test(tc, test_eastern_to_utc_gap_and_repeat);
    suite_add_tcase(s, tc);

    tc = tcase_create("settlement");
    tcase_add_test(tc, test_root_settle_am_and_pm_roots);
    tcase_add_test(tc, test_settlement_pinned_instants);
    tcase_add_test(tc, test_format_iso_values);
    tcase_add_test(tc, test_format_iso_against_gmtime);
    tcase_add_test(tc, test_format_eastern_values);
    tcase_add_test(tc, test_format_iso_small_buffers);
    tcase_add_test(tc, test_format_date_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse");
    tcase_add_test(tc, test_parse_date_real_expiration_forms);
    tcase_add_test(tc, test_parse_date_other_forms);
    tcase_add_test(tc, test_parse_date_refusals);
    tcase_add_test(tc, test_month_from_name_languages);
    tcase_add_test(tc, test_weekday_known_days);
    tcase_add_test(tc, test_parse_instant_real_date_lines);
    tcase_add_test(tc, test_parse_now_epoch_bounds);
    tcase_add_test(tc, test_parse_now_outside_zone_rules);
    tcase_add_test(tc, test_instant_is_day);
    tcase_add_test(tc, test_parse_instant_iso_forms);
    tcase_add_test(tc, test_parse_instant_fractional_seconds);
    tcase_add_test(tc, test_parse_instant_english_forms);
    tcase_add_test(tc, test_parse_instant_zones);
    tcase_add_test(tc, test_parse_instant_other_languages);
    tcase_add_test(tc, test_parse_instant_no_year);
    tcase_add_test(tc, test_parse_instant_refusals);
    tcase_add_test(tc, test_scan_instant_whole_preamble_lines);
    tcase_add_test(tc, test_parse_now_forms);
    tcase_add_test(tc, test_parse_instant_round_trip_iso);
    tcase_add_test(tc, test_parse_hostile_bytes);
    tcase_add_test(tc, test_scan_instant_shared_chain_files);
    tcase_add_test(tc, test_parse_date_shared_expiration_cells);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(time_suite());
}
