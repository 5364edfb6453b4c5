/*
 * test-plot-history: gex_plot_history_write (gex/plot.h). A series drawn to PNG is read back
 * with cairo: the page size, a white margin, the bars of positive net GEX (teal) above the
 * bars of negative net GEX (coral) where the series says so, a dot for a lone point, and each
 * error path.
 */
#include <cairo.h>
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gex/gex.h"

enum { N = 40 };

/* Weekdays from 2025-06-02 at 15:45 New York; net GEX positive for the first half. */
static void series(gex_snapshot *s)
{
    int32_t day = gex_time_days_from_civil(2025, 6, 2);
    for (size_t i = 0; i < N; i++) {
        while (gex_time_weekday(day) == 0 || gex_time_weekday(day) == 6)
            day++;
        memset(&s[i], 0, sizeof s[i]);
        snprintf(s[i].symbol, sizeof s[i].symbol, "SPX");
        s[i].quote_time = gex_time_eastern_to_utc(day++, 15 * 3600 + 45 * 60);
        s[i].spot = 5900.0 + 40.0 * sin(0.3 * (double)i);
        s[i].net_gex = i < N / 2 ? 3.1e9 + 1e8 * (double)i : -2.7e9 - 1e8 * (double)i;
        s[i].gamma_flip = (gex_level){i % 7 != 3, 5880.0 + 10.0 * cos(0.2 * (double)i)};
        s[i].call_wall = (gex_level){1, 6000.0};
        s[i].put_wall = (gex_level){1, 5800.0};
    }
}

static uint32_t pixel(cairo_surface_t *img, int x, int y)
{
    const unsigned char *data = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    return ((const uint32_t *)(const void *)(data + y * stride))[x] & 0xffffffu;
}

static int near(uint32_t p, double r, double g, double b)
{
    const double pr = ((p >> 16) & 0xff) / 255.0, pg = ((p >> 8) & 0xff) / 255.0,
                 pb = (p & 0xff) / 255.0;
    return fabs(pr - r) < 0.02 && fabs(pg - g) < 0.02 && fabs(pb - b) < 0.02;
}

START_TEST(test_plot_history_write_png)
{
    gex_snapshot s[N];
    series(s);
    char path[] = "/tmp/gex-test-plot-history.XXXXXX";
    const int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "wb");
    gex_error err;
    gex_error_clear(&err);
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_PNG, s, N, GEX_UNIT_PCT, NULL, &err),
                     GEX_OK);
    fclose(fp);
    cairo_surface_t *img = cairo_image_surface_create_from_png(path);
    remove(path);
    ck_assert_int_eq(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    ck_assert_int_eq(cairo_image_surface_get_width(img), (int)GEX_PLOT_WIDTH);
    ck_assert_int_eq(cairo_image_surface_get_height(img), (int)GEX_PLOT_HEIGHT);
    ck_assert_uint_eq(pixel(img, 2, 2), 0xffffffu);
    double pos_x = 0, pos_y = 0, neg_x = 0, neg_y = 0;
    long pos = 0, neg = 0;
    for (int y = 0; y < (int)GEX_PLOT_HEIGHT; y++)
        for (int x = 0; x < (int)GEX_PLOT_WIDTH; x++) {
            const uint32_t p = pixel(img, x, y);
            if (near(p, 0.16, 0.62, 0.56))
                pos++, pos_x += x, pos_y += y;
            else if (near(p, 0.91, 0.44, 0.32))
                neg++, neg_x += x, neg_y += y;
        }
    cairo_surface_destroy(img);
    /* twenty bars of each sign, thousands of pixels: positive ones left of and above the
     * negative ones, as the series puts them */
    ck_assert_int_gt(pos, 1000);
    ck_assert_int_gt(neg, 1000);
    ck_assert(pos_x / (double)pos < neg_x / (double)neg);
    ck_assert(pos_y / (double)pos < neg_y / (double)neg);
    gex_plot_release_caches(); /* the fonts' caches, which leak checkers would report */
}
END_TEST

/* Draws n snapshots of s to PNG and reads the picture back. */
static cairo_surface_t *drawn(const gex_snapshot *s, size_t n)
{
    char path[] = "/tmp/gex-test-plot-history.XXXXXX";
    const int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "wb");
    gex_error err;
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_PNG, s, n, GEX_UNIT_PCT, NULL, &err),
                     GEX_OK);
    fclose(fp);
    cairo_surface_t *img = cairo_image_surface_create_from_png(path);
    remove(path);
    ck_assert_int_eq(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    return img;
}

/* The pixels of colour (r, g, b) in the price panel: below the legend (which draws each line's
 * colour at y 47), above the net GEX panel, right of the value labels. */
static long in_price_panel(cairo_surface_t *img, double r, double g, double b)
{
    long count = 0;
    for (int y = 60; y < 390; y++)
        for (int x = 90; x < (int)GEX_PLOT_WIDTH; x++)
            count += near(pixel(img, x, y), r, g, b);
    return count;
}

/* A line needs two points: a lone one is drawn as a dot, for one snapshot (spot, flip and
 * walls) and for a level present between two gaps. */
START_TEST(test_plot_history_write_lone_points)
{
    gex_snapshot s[N];
    series(s);
    cairo_surface_t *img = drawn(s, 1);
    ck_assert_int_gt(in_price_panel(img, 0.10, 0.12, 0.16), 10); /* spot */
    ck_assert_int_gt(in_price_panel(img, 0.48, 0.17, 0.75), 10); /* gamma flip */
    ck_assert_int_gt(in_price_panel(img, 0.05, 0.47, 0.30), 10); /* call wall */
    ck_assert_int_gt(in_price_panel(img, 0.75, 0.16, 0.17), 10); /* put wall */
    cairo_surface_destroy(img);
    for (size_t i = 0; i < N; i++)
        s[i].gamma_flip.has = i == 17;
    img = drawn(s, N);
    ck_assert_int_gt(in_price_panel(img, 0.48, 0.17, 0.75), 10);
    cairo_surface_destroy(img);
    gex_plot_release_caches();
}
END_TEST

START_TEST(test_plot_history_write_errors)
{
    gex_snapshot s[N];
    series(s);
    FILE *fp = fopen("/dev/null", "wb");
    ck_assert_ptr_nonnull(fp);
    gex_error err;
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_SVG, s, 0, GEX_UNIT_PCT, NULL, &err),
                     GEX_EEMPTY);
    ck_assert_int_eq(gex_plot_history_write(NULL, GEX_PLOT_SVG, s, N, GEX_UNIT_PCT, NULL, &err),
                     GEX_EINVAL);
    ck_assert_int_eq(gex_plot_history_write(fp, (gex_plot_format)7, s, N, GEX_UNIT_PCT, NULL, &err),
                     GEX_EINVAL);
    snprintf(s[5].symbol, sizeof s[5].symbol, "SPY");
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_SVG, s, N, GEX_UNIT_PCT, NULL, &err),
                     GEX_EINVAL);
    ck_assert(strstr(err.text, "one underlying") != NULL);
    /* one currency: a snapshot without one (made by hand) is in dollars */
    series(s);
    snprintf(s[2].currency, sizeof s[2].currency, "USD");
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_SVG, s, N, GEX_UNIT_PCT, NULL, &err),
                     GEX_OK);
    snprintf(s[4].currency, sizeof s[4].currency, "INR");
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_SVG, s, N, GEX_UNIT_PCT, NULL, &err),
                     GEX_EINVAL);
    ck_assert(strstr(err.text, "one currency: USD and INR") != NULL);
    series(s);
    s[5].quote_time = s[9].quote_time;
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_SVG, s, N, GEX_UNIT_PCT, NULL, &err),
                     GEX_EINVAL);
    series(s);
    s[3].net_gex = NAN;
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_SVG, s, N, GEX_UNIT_PCT, NULL, &err),
                     GEX_ERANGE);
    series(s);
    s[3].spot = 0.0;
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_SVG, s, N, GEX_UNIT_PCT, NULL, &err),
                     GEX_EINVAL);
    /* one snapshot draws */
    series(s);
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_PDF, s, 1, GEX_UNIT_POINT, NULL, &err),
                     GEX_OK);
    fclose(fp);
    gex_plot_release_caches();
}
END_TEST

/* The text of a series drawn to PDF, as pdftotext reads it; NULL, saying so, without it. */
static char *pdf_text_of(const gex_snapshot *s, size_t n)
{
    if (system("command -v pdftotext >/dev/null 2>&1") != 0) {
        printf("skipped: pdftotext absent (Debian package poppler-utils), PDF text not checked\n");
        return NULL;
    }
    char path[] = "/tmp/gex-test-plot-history.XXXXXX";
    const int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "wb");
    gex_error err;
    ck_assert_int_eq(gex_plot_history_write(fp, GEX_PLOT_PDF, s, n, GEX_UNIT_PCT, NULL, &err),
                     GEX_OK);
    fclose(fp);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' -", path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t len = 0, cap = 4096;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    for (size_t got; (got = fread(text + len, 1, cap - len - 1, p)) > 0;) {
        len += got;
        if (cap - len < 2) {
            cap *= 2;
            text = realloc(text, cap);
            ck_assert_ptr_nonnull(text);
        }
    }
    text[len] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    remove(path);
    return text;
}

/* Net GEX of a few thousandths (a small book in a small unit): the GEX gridlines at -g, 0 and
 * +g carry the decimals of their step, 0.001 here, as the other charts' value ticks do
 * ("+0.002", not "0" three times); the price axis of a spot near 1.7 its own. */
START_TEST(test_plot_history_write_fine_gex_labels)
{
    gex_snapshot s[N];
    series(s);
    for (size_t i = 0; i < N; i++) {
        s[i].spot = 1.7 + 0.03 * sin(0.3 * (double)i);
        s[i].net_gex = i < N / 2 ? 0.00137 : -0.00113;
        s[i].gamma_flip = (gex_level){1, 1.7348};
        s[i].call_wall = (gex_level){1, 2.0};
        s[i].put_wall = (gex_level){1, 1.5};
    }
    char *text = pdf_text_of(s, N);
    if (text != NULL) {
        ck_assert_msg(strstr(text, "+0.002") != NULL, "no +0.002 label in:\n%s", text);
        ck_assert_msg(strstr(text, "-0.002") != NULL, "no -0.002 label in:\n%s", text);
        ck_assert_msg(strstr(text, "1.5") != NULL && strstr(text, "2\n") != NULL,
                      "price labels missing in:\n%s", text);
        free(text);
    }
    gex_plot_release_caches();
}
END_TEST

int main(void)
{
    Suite *su = suite_create("plot-history");
    TCase *tc = tcase_create("plot-history");
    tcase_add_test(tc, test_plot_history_write_png);
    tcase_add_test(tc, test_plot_history_write_lone_points);
    tcase_add_test(tc, test_plot_history_write_errors);
    tcase_add_test(tc, test_plot_history_write_fine_gex_labels);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
