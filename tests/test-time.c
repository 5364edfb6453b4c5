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

#define ZONEINFO_NEW_YORK "/usr/share/zoneinfo/America/New_York"

/* A small deterministic generator (SplitMix64, Steele, Lea and Flood, OOPSLA 2014), so that
 * the random instants are the same on every run. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
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
        ck_assert_int_eq(gex_time_days_from_civil(y, m, d), z);
        ck_assert(gex_time_valid_date(y, m, d));
        if (z > -1000000) {
            int next = (d == pd + 1 && m == pm && y == py) || (d == 1 && m == pm + 1 && y == py) ||
                       (d == 1 && m == 1 && pm == 12 && y == py + 1);
            ck_assert_msg(next, "day %d: %d-%d-%d does not follow %d-%d-%d", (int)z, y, m, d, py,
                          pm, pd);
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
    ck_assert_ptr_nonnull(localtime_r(&t, &tm));
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
    const int64_t from = -2713910400LL; /* 1884-01-01T00:00:00Z */
    const int64_t to = 2145916800LL;    /* 2038-01-01T00:00:00Z */
    int transitions = 0;
    int prev = tz_offset(from);
    for (int64_t t = from; t < to; t += 3600) {
        const int want = tz_offset(t);
        ck_assert_msg(gex_time_eastern_offset(t) == want, "offset at %lld: %d, tz database %d",
                      (long long)t, gex_time_eastern_offset(t), want);
        if (want != prev) {
            transitions++;
            for (int64_t s = t - 1800; s < t + 1800; s++)
                ck_assert_msg(gex_time_eastern_offset(s) == tz_offset(s),
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
    const int64_t from = -2713910400LL, span = 7258118400LL - from; /* 1884 .. 2200 */
    for (int i = 0; i < 200000; i++) {
        const int64_t t = from + (int64_t)(splitmix64(&state) % (uint64_t)span);
        ck_assert_msg(gex_time_eastern_offset(t) == tz_offset(t),
                      "offset at %lld: %d, tz database %d", (long long)t,
                      gex_time_eastern_offset(t), tz_offset(t));
    }
}
END_TEST

START_TEST(test_eastern_to_utc_round_trip)
{
    /* For every instant, its New York wall-clock time maps back to it, except during the
     * second pass through the repeated autumn hour (read as the first pass). */
    uint64_t state = 4505;
    const int64_t from = -2713910400LL, span = 7258118400LL - from;
    for (int i = 0; i < 200000; i++) {
        const int64_t t = from + (int64_t)(splitmix64(&state) % (uint64_t)span);
        const int64_t local = t + gex_time_eastern_offset(t);
        const int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
        const int64_t back = gex_time_eastern_to_utc((int32_t)day, (int)(local - day * 86400));
        if (back != t) {
            ck_assert_int_eq(back, t - 3600);
            ck_assert_int_eq(gex_time_eastern_offset(back), -14400);
            ck_assert_int_eq(gex_time_eastern_offset(t), -18000);
        }
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

static Suite *time_suite(void)
{
    Suite *s = suite_create("time");
    TCase *tc = tcase_create("calendar");
    tcase_add_test(tc, test_days_from_civil_known_days);
    tcase_add_test(tc, test_civil_from_days_round_trip);
    tcase_add_test(tc, test_civil_from_days_extremes_and_nulls);
    tcase_add_test(tc, test_valid_date_leap_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("eastern");
    tcase_add_test(tc, test_eastern_offset_pinned_transitions);
    tcase_add_test(tc, test_eastern_offset_matches_tz_database_hourly);
    tcase_add_test(tc, test_eastern_offset_matches_tz_database_random);
    tcase_add_test(tc, test_eastern_to_utc_round_trip);
    tcase_add_test(tc, test_eastern_to_utc_gap_and_repeat);
    suite_add_tcase(s, tc);

    tc = tcase_create("settlement");
    tcase_add_test(tc, test_root_settle_am_and_pm_roots);
    tcase_add_test(tc, test_settlement_pinned_instants);
    tcase_add_test(tc, test_format_iso_values);
    tcase_add_test(tc, test_format_iso_small_buffers);
    tcase_add_test(tc, test_format_date_values);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(time_suite());
}
