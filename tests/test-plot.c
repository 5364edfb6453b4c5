/*
 * gex/plot.h: every kind drawn to SVG, PNG and PDF; the SVG checked as XML (xmllint), the PDF's
 * text (pdftotext) checked for the labels of the marked levels with their values, the PNG read
 * back with cairo and its background and bars checked; the terminal bars; every error path.
 *
 * The fixture is an SPX-like chain built here from the Black-Scholes greeks (gex/bs.h) with the
 * exposure formulas of SPEC 1.5, so that its levels are known independently of the exposure
 * module: the walls from gex_levels_from_rows, the flip by bisection of the fixture's own P(x).
 */
#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <unistd.h>

#include "gex-test.h"

#include "gex/bs.h"
#include "gex/chain.h"
#include "gex/exposure.h"
#include "gex/levels.h"
#include "gex/profile.h"
#include "gex/regime.h"
#include "gex/plot.h"
#include "gex/time.h"

#define FIX_SPOT 4505.42
#define FIX_RATE 0.045
#define FIX_DIV  0.013
#define FIX_MULT 100.0
/* 2023-09-14 20:15:00 UTC = 16:15 EDT. */
#define FIX_QUOTE    INT64_C(1694722500)
#define FIX_MAX_ROWS 128
#define FIX_PROFILE  201

/* Three expirations: the quote date (0DTE, 3h45m... here 0.3 day), one week, five weeks. */
static const double fix_T[3] = {0.3 / 365.0, 8.0 / 365.0, 36.0 / 365.0};

typedef struct fixture {
    gex_strike_row rows[FIX_MAX_ROWS];
    double oi[FIX_MAX_ROWS][2];
    double px[FIX_PROFILE], pp[FIX_PROFILE];
    gex_plot_data data;
    double flip;
    double magnet;
} fixture;

static double fix_sigma(double K)
{
    /* A put skew: higher vol below the spot. */
    const double m = log(K / FIX_SPOT);
    return 0.13 - 0.35 * m + 1.2 * m * m;
}

/* OI per strike and type: a call hump above the spot, a put hump below, round strikes heavier,
 * the walls at 4,600 (calls) and 4,400 (puts). Not round numbers on purpose. */
static void fix_oi(double K, double oi[2])
{
    const int round50 = fmod(K, 50.0) == 0.0;
    oi[0] = 731.0 + 4113.0 * exp(-pow((K - 4560.0) / 70.0, 2)) + (round50 ? 2917.0 : 0.0) +
            (K == 4600.0 ? 9311.0 : 0.0);
    oi[1] = 887.0 + 5209.0 * exp(-pow((K - 4420.0) / 80.0, 2)) + (round50 ? 3533.0 : 0.0) +
            (K == 4400.0 ? 8123.0 : 0.0);
}

/* P(x) of the fixture: SPEC 1.6, sum of s Gamma(x) OI M x^2 0.01 over every contract. */
static double fix_profile(const fixture *f, size_t n, double x)
{
    double p = 0.0;
    for (size_t i = 0; i < n; i++) {
        for (int e = 0; e < 3; e++) {
            for (int t = 0; t < 2; t++) {
                gex_greeks g;
                ck_assert_int_eq(gex_bs_greeks(t, x, f->rows[i].strike, fix_T[e],
                                               fix_sigma(f->rows[i].strike), FIX_RATE, FIX_DIV, &g),
                                 GEX_BS_OK);
                p += (t == GEX_CALL ? 1.0 : -1.0) * g.gamma * f->oi[i][t] / 3.0 * FIX_MULT * x * x *
                     0.01;
            }
        }
    }
    return p;
}

static void fixture_build(fixture *f, int with_flip, int with_zero_dte)
{
    memset(f, 0, sizeof *f);
    size_t n = 0;
    for (double K = 4000.0; K <= 5000.0; K += K < 4400.0 || K >= 4600.0 ? 25.0 : 5.0) {
        gex_strike_row *r = &f->rows[n];
        r->strike = K;
        fix_oi(K, f->oi[n]);
        r->call_oi = f->oi[n][0];
        r->put_oi = f->oi[n][1];
        double zero_dte_net = 0.0;
        /* Each expiration holds a third of the open interest. */
        for (int e = 0; e < 3; e++) {
            for (int t = 0; t < 2; t++) {
                gex_greeks g;
                ck_assert_int_eq(
                    gex_bs_greeks(t, FIX_SPOT, K, fix_T[e], fix_sigma(K), FIX_RATE, FIX_DIV, &g),
                    GEX_BS_OK);
                const double s = t == GEX_CALL ? 1.0 : -1.0;
                const double oi = f->oi[n][t] / 3.0;
                /* SPEC 1.5. */
                const double gex = s * g.gamma * oi * FIX_MULT * FIX_SPOT * FIX_SPOT * 0.01;
                const double dex = g.delta * oi * FIX_MULT * FIX_SPOT;
                const double vex = s * g.vanna * oi * FIX_MULT * FIX_SPOT * 0.01;
                const double chex = s * g.charm * oi * FIX_MULT * FIX_SPOT / 365.0;
                if (t == GEX_CALL) {
                    r->call_gex += gex, r->call_dex += dex, r->call_vex += vex,
                        r->call_chex += chex;
                } else {
                    r->put_gex += gex, r->put_dex += dex, r->put_vex += vex, r->put_chex += chex;
                }
                if (e == 0)
                    zero_dte_net += gex;
            }
        }
        r->net_gex = r->call_gex + r->put_gex;
        r->net_dex = r->call_dex + r->put_dex;
        r->net_vex = r->call_vex + r->put_vex;
        r->net_chex = r->call_chex + r->put_chex;
        if (with_zero_dte && fabs(zero_dte_net) > f->magnet) {
            f->magnet = fabs(zero_dte_net);
            f->data.levels.zero_dte_magnet.value = K;
        }
        n++;
        ck_assert_uint_lt(n, FIX_MAX_ROWS);
    }
    gex_plot_data *d = &f->data;
    gex_level magnet = d->levels.zero_dte_magnet;
    ck_assert_int_eq(gex_levels_from_rows(f->rows, n, FIX_SPOT, &d->levels), GEX_OK);
    d->levels.zero_dte_magnet.has = with_zero_dte;
    d->levels.zero_dte_magnet.value = with_zero_dte ? magnet.value : 0.0;
    f->magnet = magnet.value;

    for (size_t i = 0; i < FIX_PROFILE; i++) {
        f->px[i] = FIX_SPOT * (0.9 + 0.2 * (double)i / (FIX_PROFILE - 1));
        f->pp[i] = fix_profile(f, n, f->px[i]);
    }
    /* The flip: bisection of P between the profile samples that bracket it. */
    double a = 0.0, b = 0.0;
    for (size_t i = 1; i < FIX_PROFILE; i++) {
        const int nearer = b == 0.0 || fabs(f->px[i] - FIX_SPOT) < fabs(b - FIX_SPOT);
        if ((f->pp[i - 1] < 0.0) != (f->pp[i] < 0.0) && nearer) {
            a = f->px[i - 1];
            b = f->px[i];
        }
    }
    ck_assert_msg(b > a, "the fixture's profile must cross zero");
    double pa = fix_profile(f, n, a);
    for (int it = 0; it < 60; it++) {
        const double m = 0.5 * (a + b), pm = fix_profile(f, n, m);
        if ((pm < 0.0) == (pa < 0.0))
            a = m, pa = pm;
        else
            b = m;
    }
    f->flip = 0.5 * (a + b);
    d->levels.gamma_flip.has = with_flip;
    d->levels.gamma_flip.value = with_flip ? f->flip : 0.0;

    d->symbol = "SPX";
    d->spot = FIX_SPOT;
    d->quote_time = FIX_QUOTE;
    d->unit = GEX_UNIT_PCT;
    d->rows = f->rows;
    d->n_rows = n;
    d->profile_x = f->px;
    d->profile_p = f->pp;
    d->n_profile = FIX_PROFILE;
    for (size_t i = 0; i < n; i++) {
        d->totals.net_gex += f->rows[i].net_gex;
        d->totals.net_dex += f->rows[i].net_dex;
        d->totals.net_vex += f->rows[i].net_vex;
        d->totals.net_chex += f->rows[i].net_chex;
    }
    d->totals.contracts = n * 6;
    d->totals.used = n * 6;
    d->regime.regime = d->totals.net_gex > 0.0 ? 1 : -1;
    d->regime.vanna_aligned = d->regime.regime > 0 && d->totals.net_vex < 0.0;
    d->regime.dist_to_flip.has = with_flip;
    d->regime.dist_to_flip.value = with_flip ? (FIX_SPOT - f->flip) / FIX_SPOT * 100.0 : 0.0;
    d->regime.confidence = "moderate";
    d->regime.meaning = "Dealers long gamma: hedging dampens moves, but vanna flows work "
                        "against the dampening.";
    d->regime.vendor_regime = "positive_gamma";
    d->zero_dte.has = with_zero_dte;
    if (with_zero_dte) {
        d->zero_dte.expiration = (int32_t)(FIX_QUOTE / 86400);
        d->zero_dte.net_gex = 1.234e9;
        d->zero_dte.pct_of_total_gex = 12.5;
    }
}

/* --- helpers --- */

static char tmp_dir[] = "/tmp/gex-test-plot-XXXXXX";

static const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

static int have_tool(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* The whole output of a shell command (caller frees). */
static char *run_capture(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += got;
        if (cap - len < 1024) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
    }
    buf[len] = '\0';
    *status = pclose(p);
    return buf;
}

/* pdftotext's text of a PDF, or NULL (saying so) when poppler-utils is absent. */
static char *pdf_text(const char *pdf)
{
    if (!have_tool("pdftotext")) {
        printf("skipped: pdftotext absent (Debian package poppler-utils), PDF text not checked\n");
        return NULL;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' -", pdf);
    int status;
    char *text = run_capture(cmd, &status);
    ck_assert_msg(status == 0, "pdftotext failed on %s", pdf);
    return text;
}

static void check_svg_well_formed(const char *svg)
{
    if (!have_tool("xmllint")) {
        printf("skipped: xmllint absent (Debian package libxml2-utils), SVG not validated\n");
        return;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s' 2>&1", svg);
    int status;
    char *out = run_capture(cmd, &status);
    ck_assert_msg(status == 0, "xmllint rejects %s: %s", svg, out);
    free(out);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Pixel colour at (x, y) of an RGB24 image, as 0xRRGGBB. */
static uint32_t pixel(cairo_surface_t *img, int x, int y)
{
    const unsigned char *data = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    uint32_t v;
    memcpy(&v, data + (size_t)y * (size_t)stride + (size_t)x * 4, sizeof v);
    return v & 0xffffffu;
}

/* The colour a bar of colour (r, g, b) painted at alpha 0.85 on white takes (src/plot-chart.c:
 * calls teal 0.16/0.62/0.56, puts coral 0.91/0.44/0.32), within 2/255 per channel. */
static int near_colour(uint32_t px, double r, double g, double b)
{
    const double c[3] = {r, g, b};
    for (int k = 0; k < 3; k++) {
        const double want = (0.85 * c[k] + 0.15) * 255.0;
        const double got = (double)((px >> (16 - 8 * k)) & 0xff);
        if (fabs(got - want) > 2.0)
            return 0;
    }
    return 1;
}

/* Reads a PNG back: size, white corners, and for the per-strike kinds the call bars above the
 * put bars (calls carry positive GEX, puts negative: SPEC 1.5 signs). */
static void check_png(const char *png, int width, int height, int bars)
{
    cairo_surface_t *img = cairo_image_surface_create_from_png(png);
    ck_assert_int_eq(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    ck_assert_int_eq(cairo_image_surface_get_width(img), width);
    ck_assert_int_eq(cairo_image_surface_get_height(img), height);
    ck_assert_int_eq(cairo_image_surface_get_format(img), CAIRO_FORMAT_RGB24);
    ck_assert_uint_eq(pixel(img, 2, 2), 0xffffffu);
    ck_assert_uint_eq(pixel(img, width - 3, height - 3), 0xffffffu);
    ck_assert_uint_eq(pixel(img, width / 2, 4), 0xffffffu);
    if (bars) {
        double call_y = 0.0, put_y = 0.0;
        long calls = 0, puts = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                const uint32_t p = pixel(img, x, y);
                if (near_colour(p, 0.16, 0.62, 0.56))
                    calls++, call_y += y;
                else if (near_colour(p, 0.91, 0.44, 0.32))
                    puts++, put_y += y;
            }
        }
        /* At least a bar's worth of each: thousands of pixels, not a legend swatch (140). */
        ck_assert_int_gt(calls, 1000);
        ck_assert_int_gt(puts, 1000);
        ck_assert_msg(call_y / (double)calls < put_y / (double)puts,
                      "call bars (mean y %.1f) must stand above put bars (mean y %.1f)",
                      call_y / (double)calls, put_y / (double)puts);
    }
    cairo_surface_destroy(img);
}

static void assert_contains(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) != NULL, "\"%s\" not found in the chart's text", needle);
}

static void price_label(const char *name, double value, char *buf, size_t size)
{
    /* Same form as the chart: thousands separator, at most two decimals. */
    char num[64];
    snprintf(num, sizeof num, "%.2f", value);
    char *dot = strchr(num, '.');
    while (dot != NULL && num[strlen(num) - 1] == '0')
        num[strlen(num) - 1] = '\0';
    if (dot != NULL && num[strlen(num) - 1] == '.')
        num[strlen(num) - 1] = '\0';
    const size_t int_len =
        dot != NULL && strchr(num, '.') ? (size_t)(strchr(num, '.') - num) : strlen(num);
    char out[64];
    size_t o = 0;
    for (size_t i = 0; i < int_len; i++) {
        if (i > 0 && (int_len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = num[i];
    }
    snprintf(out + o, sizeof out - o, "%s", num + int_len);
    snprintf(buf, size, "%s %s", name, out);
}

static void render_all_formats(const gex_plot_data *d, gex_plot_kind kind, const char *stem)
{
    gex_plot_options o;
    gex_plot_options_default(&o);
    o.kind = kind;
    static const char *const ext[] = {"svg", "png", "pdf"};
    for (int f = 0; f < 3; f++) {
        char name[128];
        snprintf(name, sizeof name, "%s-%s.%s", stem, gex_plot_kind_name(kind), ext[f]);
        gex_error err;
        gex_error_clear(&err);
        const int rc = gex_plot_render(tmp_path(name), d, &o, &err);
        ck_assert_msg(rc == GEX_OK, "%s: %s", name, err.text);
        ck_assert_int_gt(file_size(tmp_path(name)), 1000);
    }
}

/* --- names and number forms --- */

START_TEST(test_plot_kind_parse_every_name)
{
    for (int k = 0; k < GEX_PLOT_KIND_COUNT; k++) {
        gex_plot_kind kind;
        ck_assert_int_eq(gex_plot_kind_parse(gex_plot_kind_name(k), &kind), GEX_OK);
        ck_assert_int_eq(kind, k);
    }
    gex_plot_kind kind;
    ck_assert_int_eq(gex_plot_kind_parse("Dashboard", &kind), GEX_OK);
    ck_assert_int_eq(kind, GEX_PLOT_DASHBOARD);
    ck_assert_int_eq(gex_plot_kind_parse("gamma", &kind), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_kind_parse(NULL, &kind), GEX_EINVAL);
    ck_assert_ptr_null(gex_plot_kind_name(GEX_PLOT_KIND_COUNT));
    ck_assert_ptr_null(gex_plot_kind_name(-1));
}
END_TEST

START_TEST(test_plot_format_from_path_extensions)
{
    gex_plot_format f;
    ck_assert_int_eq(gex_plot_format_from_path("out/chart.svg", &f), GEX_OK);
    ck_assert_int_eq(f, GEX_PLOT_SVG);
    ck_assert_int_eq(gex_plot_format_from_path("CHART.PNG", &f), GEX_OK);
    ck_assert_int_eq(f, GEX_PLOT_PNG);
    ck_assert_int_eq(gex_plot_format_from_path("a.b/report.pdf", &f), GEX_OK);
    ck_assert_int_eq(f, GEX_PLOT_PDF);
    ck_assert_int_eq(gex_plot_format_from_path("chart.jpg", &f), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_format_from_path("dir.svg/chart", &f), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_format_from_path("chart", &f), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_format_from_path(NULL, &f), GEX_EINVAL);
    ck_assert_str_eq(gex_plot_format_name(GEX_PLOT_PDF), "pdf");
    ck_assert_ptr_null(gex_plot_format_name(GEX_PLOT_FORMAT_COUNT));
}
END_TEST

START_TEST(test_plot_format_amount_suffixes)
{
    char b[32];
    ck_assert_str_eq(gex_plot_format_amount(1.2534e9, 0, b, sizeof b), "1.25B");
    ck_assert_str_eq(gex_plot_format_amount(1.2534e9, 1, b, sizeof b), "+1.25B");
    ck_assert_str_eq(gex_plot_format_amount(-340.6e6, 1, b, sizeof b), "-341M");
    ck_assert_str_eq(gex_plot_format_amount(12.437e3, 0, b, sizeof b), "12.4K");
    ck_assert_str_eq(gex_plot_format_amount(812.0, 0, b, sizeof b), "812");
    ck_assert_str_eq(gex_plot_format_amount(8.126, 0, b, sizeof b), "8.13");
    ck_assert_str_eq(gex_plot_format_amount(3.7e12, 0, b, sizeof b), "3.70T");
    ck_assert_str_eq(gex_plot_format_amount(4.2e15, 0, b, sizeof b), "4200T");
    /* Rounding up to 1000 moves to the next suffix. */
    ck_assert_str_eq(gex_plot_format_amount(999.7e6, 0, b, sizeof b), "1.00B");
    ck_assert_str_eq(gex_plot_format_amount(99.96e3, 0, b, sizeof b), "100K");
    ck_assert_str_eq(gex_plot_format_amount(0.0, 1, b, sizeof b), "0");
    ck_assert_str_eq(gex_plot_format_amount(NAN, 0, b, sizeof b), "n/a");
    ck_assert_str_eq(gex_plot_format_amount(-INFINITY, 0, b, sizeof b), "n/a");
}
END_TEST

START_TEST(test_plot_window_auto_and_explicit)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 1, 1);
    double lo, hi;
    /* 2.5% of 4,505.42 spans 4,393 to 4,618: 44 strikes at 5 points, at least 24. */
    ck_assert_int_eq(gex_plot_window(f->rows, f->data.n_rows, FIX_SPOT, 0.0, &lo, &hi), GEX_OK);
    ck_assert_rel(lo, FIX_SPOT * 0.975, 1e-15, 0.0);
    ck_assert_rel(hi, FIX_SPOT * 1.025, 1e-15, 0.0);
    ck_assert_int_eq(gex_plot_window(f->rows, f->data.n_rows, FIX_SPOT, 7.3, &lo, &hi), GEX_OK);
    ck_assert_rel(lo, FIX_SPOT * (1.0 - 0.073), 1e-15, 0.0);
    /* Strikes 25 apart only: 5% holds 18 of them, 7.5% 27: the window widens until 24 fit. */
    gex_strike_row sparse[FIX_MAX_ROWS];
    size_t n = 0;
    for (size_t i = 0; i < f->data.n_rows; i++) {
        if (fmod(f->rows[i].strike, 25.0) == 0.0)
            sparse[n++] = f->rows[i];
    }
    ck_assert_int_eq(gex_plot_window(sparse, n, FIX_SPOT, 0.0, &lo, &hi), GEX_OK);
    ck_assert_rel(hi, FIX_SPOT * 1.075, 1e-15, 0.0);
    /* Fewer than 24 strikes in all: the widest window, 50%. */
    ck_assert_int_eq(gex_plot_window(sparse, 20, FIX_SPOT, 0.0, &lo, &hi), GEX_OK);
    ck_assert_rel(hi, FIX_SPOT * 1.5, 1e-15, 0.0);
    ck_assert_int_eq(gex_plot_window(f->rows, 1, -1.0, 0.0, &lo, &hi), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_window(f->rows, 1, FIX_SPOT, -2.0, &lo, &hi), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_window(f->rows, 1, FIX_SPOT, NAN, &lo, &hi), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_window(NULL, 3, FIX_SPOT, 1.0, &lo, &hi), GEX_EINVAL);
    /* Ends that cannot be told apart, or not finite. */
    ck_assert_int_eq(gex_plot_window(f->rows, 1, FIX_SPOT, 1e-300, &lo, &hi), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_window(f->rows, 1, 1e308, 1e10, &lo, &hi), GEX_EINVAL);
    /* 150%: the low end stops at zero. */
    ck_assert_int_eq(gex_plot_window(f->rows, 1, FIX_SPOT, 150.0, &lo, &hi), GEX_OK);
    ck_assert_double_eq(lo, 0.0);
    free(f);
}
END_TEST

/* --- charts --- */

START_TEST(test_plot_render_every_kind_every_format)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 1, 1);
    for (int k = 0; k < GEX_PLOT_KIND_COUNT; k++) {
        if (k == GEX_PLOT_HEATMAP) {
            /* The fixture has rows but no breakdown by expiration: the heatmap says so (the
             * real chains below draw it). */
            gex_plot_options o;
            gex_plot_options_default(&o);
            o.kind = GEX_PLOT_HEATMAP;
            gex_error err;
            FILE *fp = fopen(tmp_path("fixture-heatmap.svg"), "wb");
            ck_assert_ptr_nonnull(fp);
            ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_SVG, &f->data, &o, &err), GEX_EEMPTY);
            fclose(fp);
            assert_contains(err.text, "no expiration");
            continue;
        }
        render_all_formats(&f->data, (gex_plot_kind)k, "fixture");
        char name[128];
        snprintf(name, sizeof name, "fixture-%s.svg", gex_plot_kind_name(k));
        check_svg_well_formed(tmp_path(name));
        const int dash = k == GEX_PLOT_DASHBOARD;
        /* The page size in CSS pixels, as the PNG's. */
        FILE *svg = fopen(tmp_path(name), "r");
        ck_assert_ptr_nonnull(svg);
        char head[512] = "";
        const size_t got = fread(head, 1, sizeof head - 1, svg);
        head[got] = '\0';
        fclose(svg);
        assert_contains(head, dash ? "width=\"1280px\" height=\"800px\""
                                   : "width=\"1000px\" height=\"600px\"");
        snprintf(name, sizeof name, "fixture-%s.png", gex_plot_kind_name(k));
        check_png(tmp_path(name), dash ? (int)GEX_PLOT_DASHBOARD_WIDTH : (int)GEX_PLOT_WIDTH,
                  dash ? (int)GEX_PLOT_DASHBOARD_HEIGHT : (int)GEX_PLOT_HEIGHT,
                  k == GEX_PLOT_GEX || k == GEX_PLOT_DASHBOARD);
    }
    free(f);
}
END_TEST

START_TEST(test_plot_render_pdf_labels_levels)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 1, 1);
    render_all_formats(&f->data, GEX_PLOT_GEX, "labels");
    render_all_formats(&f->data, GEX_PLOT_PROFILE, "labels");
    render_all_formats(&f->data, GEX_PLOT_DASHBOARD, "labels");
    char *text = pdf_text(tmp_path("labels-gex.pdf"));
    if (text != NULL) {
        char label[96];
        assert_contains(text, "SPX");
        assert_contains(text, "2023-09-14 16:15 EDT");
        assert_contains(text, "Spot 4,505.42");
        ck_assert(f->data.levels.call_wall.has && f->data.levels.put_wall.has);
        /* Both walls on one strike share a label. */
        if (f->data.levels.call_wall.value == f->data.levels.put_wall.value) {
            price_label("Call and put wall", f->data.levels.call_wall.value, label, sizeof label);
            assert_contains(text, label);
        } else {
            price_label("Call wall", f->data.levels.call_wall.value, label, sizeof label);
            assert_contains(text, label);
            price_label("Put wall", f->data.levels.put_wall.value, label, sizeof label);
            assert_contains(text, label);
        }
        price_label("Gamma flip", f->flip, label, sizeof label);
        assert_contains(text, label);
        price_label("0DTE magnet", f->magnet, label, sizeof label);
        assert_contains(text, label);
        assert_contains(text, "USD of delta per 1% spot move");
        free(text);
    }
    text = pdf_text(tmp_path("labels-profile.pdf"));
    if (text != NULL) {
        char label[96];
        price_label("Gamma flip", f->flip, label, sizeof label);
        assert_contains(text, label);
        assert_contains(text, "Hypothetical spot x");
        free(text);
    }
    text = pdf_text(tmp_path("labels-dashboard.pdf"));
    if (text != NULL) {
        assert_contains(text, "Net exposures");
        assert_contains(text, "Confidence");
        assert_contains(text, "moderate");
        assert_contains(text, "positive");
        char net[32];
        assert_contains(text, gex_plot_format_amount(f->data.totals.net_gex, 1, net, sizeof net));
        free(text);
    }
    free(f);
}
END_TEST

START_TEST(test_plot_render_without_flip_and_zero_dte)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 0, 0);
    render_all_formats(&f->data, GEX_PLOT_GEX, "absent");
    render_all_formats(&f->data, GEX_PLOT_DASHBOARD, "absent");
    check_svg_well_formed(tmp_path("absent-gex.svg"));
    char *text = pdf_text(tmp_path("absent-gex.pdf"));
    if (text != NULL) {
        assert_contains(text, "No gamma flip");
        assert_contains(text, "No 0DTE contracts");
        ck_assert_msg(strstr(text, "Gamma flip 4") == NULL, "a flip marker was drawn");
        ck_assert_msg(strstr(text, "0DTE magnet 4") == NULL, "a magnet marker was drawn");
        assert_contains(text, "Spot 4,505.42");
        free(text);
    }
    text = pdf_text(tmp_path("absent-dashboard.pdf"));
    if (text != NULL) {
        assert_contains(text, "No gamma flip");
        assert_contains(text, "no flip");
        free(text);
    }
    free(f);
}
END_TEST

START_TEST(test_plot_render_levels_off_chart_in_legend)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 1, 1);
    f->data.levels.call_wall.value = 4950.0; /* outside 2.5% of the spot */
    render_all_formats(&f->data, GEX_PLOT_GEX, "off");
    char *text = pdf_text(tmp_path("off-gex.pdf"));
    if (text != NULL) {
        assert_contains(text, "Call wall 4,950 off chart (above)");
        /* The walls apart again: the put wall has its own label. */
        char label[96];
        price_label("Put wall", f->data.levels.put_wall.value, label, sizeof label);
        assert_contains(text, label);
        ck_assert_msg(strstr(text, "Call and put wall") == NULL, "walls apart share a label");
        free(text);
    }
    free(f);
}
END_TEST

START_TEST(test_plot_write_errors)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 1, 1);
    gex_plot_options o;
    gex_plot_options_default(&o);
    gex_error err;
    FILE *fp = tmpfile();
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(gex_plot_write(NULL, GEX_PLOT_SVG, &f->data, &o, &err), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_SVG, NULL, &o, &err), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_write(fp, (gex_plot_format)7, &f->data, &o, &err), GEX_EINVAL);
    o.kind = (gex_plot_kind)99;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_SVG, &f->data, &o, &err), GEX_EINVAL);
    o.kind = GEX_PLOT_GEX;
    o.range_pct = -1.0;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_SVG, &f->data, &o, &err), GEX_EINVAL);
    o.range_pct = 0.0;
    o.width = NAN;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_SVG, &f->data, &o, &err), GEX_EINVAL);
    o.width = 0.0;

    gex_plot_data d = f->data;
    d.spot = 0.0;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_SVG, &d, &o, &err), GEX_EINVAL);
    assert_contains(err.text, "--spot");
    d = f->data;
    d.rows = NULL;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_SVG, &d, &o, &err), GEX_EINVAL);

    /* A value that is not finite is never drawn. */
    gex_strike_row saved = f->rows[10];
    f->rows[10].put_vex = NAN;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_SVG, &f->data, &o, &err), GEX_ERANGE);
    f->rows[10] = saved;
    f->pp[3] = INFINITY;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_SVG, &f->data, &o, &err), GEX_ERANGE);
    f->pp[3] = 0.0;
    d = f->data;
    d.levels.gamma_flip.value = NAN;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_SVG, &d, &o, &err), GEX_ERANGE);

    /* A symbol that is not UTF-8 (a file's bytes) still draws. */
    d = f->data;
    d.symbol = "SP\xffX\x01";
    const int rc = gex_plot_write(fp, GEX_PLOT_PDF, &d, &o, &err);
    ck_assert_msg(rc == GEX_OK, "%s", err.text);

    /* No strike in the window: the message says how to widen it. */
    d = f->data;
    d.spot = 12000.0;
    o.range_pct = 1.0;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_PNG, &d, &o, &err), GEX_EEMPTY);
    assert_contains(err.text, "--range");
    o.range_pct = 0.0;
    /* No profile: the profile kind cannot be drawn; the bars still can. */
    d = f->data;
    d.n_profile = 0;
    d.profile_x = d.profile_p = NULL;
    o.kind = GEX_PLOT_PROFILE;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_PDF, &d, &o, &err), GEX_EEMPTY);
    assert_contains(err.text, "profile");
    o.kind = GEX_PLOT_DASHBOARD;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_PDF, &d, &o, &err), GEX_EEMPTY);
    o.kind = GEX_PLOT_VEX;
    ck_assert_int_eq(gex_plot_write(fp, GEX_PLOT_PDF, &d, &o, &err), GEX_OK);
    fclose(fp);

    /* A stream that refuses writes. */
    FILE *full = fopen("/dev/full", "wb");
    if (full != NULL) {
        o.kind = GEX_PLOT_GEX;
        ck_assert_int_eq(gex_plot_write(full, GEX_PLOT_SVG, &f->data, &o, &err), GEX_EIO);
        ck_assert_int_eq(gex_plot_write(full, GEX_PLOT_PNG, &f->data, &o, &err), GEX_EIO);
        fclose(full);
    } else {
        printf("skipped: /dev/full absent, write failure not exercised\n");
    }
    free(f);
}
END_TEST

START_TEST(test_plot_render_errors_leave_no_file)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 1, 1);
    gex_plot_options o;
    gex_plot_options_default(&o);
    gex_error err;
    gex_error_clear(&err);
    ck_assert_int_eq(gex_plot_render(tmp_path("chart.jpg"), &f->data, &o, &err), GEX_EINVAL);
    assert_contains(err.text, ".svg, .png or .pdf");
    ck_assert_int_eq(gex_plot_render(NULL, &f->data, &o, &err), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_render(tmp_path("no/such/dir/c.png"), &f->data, &o, &err), GEX_EIO);
    ck_assert_str_eq(err.file, tmp_path("no/such/dir/c.png"));
    /* A failed chart leaves nothing behind. */
    o.range_pct = 0.01;
    gex_plot_data d = f->data;
    d.spot = 4503.1; /* 0.01% holds no strike */
    ck_assert_int_eq(gex_plot_render(tmp_path("empty.svg"), &d, &o, &err), GEX_EEMPTY);
    ck_assert_str_eq(err.file, tmp_path("empty.svg"));
    ck_assert_int_eq(access(tmp_path("empty.svg"), F_OK), -1);

    /* A failed chart over a good one leaves the good one whole, and no temporary file. */
    o.range_pct = 0.0;
    ck_assert_int_eq(gex_plot_render(tmp_path("kept.png"), &f->data, &o, &err), GEX_OK);
    const long good = file_size(tmp_path("kept.png"));
    ck_assert_int_gt(good, 1000);
    ck_assert_int_eq(chmod(tmp_path("kept.png"), 0640), 0);
    d = f->data;
    d.spot = 0.0;
    ck_assert_int_eq(gex_plot_render(tmp_path("kept.png"), &d, &o, &err), GEX_EINVAL);
    ck_assert_str_eq(err.file, tmp_path("kept.png"));
    ck_assert_int_eq(file_size(tmp_path("kept.png")), good);
    check_png(tmp_path("kept.png"), (int)GEX_PLOT_WIDTH, (int)GEX_PLOT_HEIGHT, 1);
    /* A chart that succeeds replaces it, keeping its permissions. */
    o.kind = GEX_PLOT_DEX;
    ck_assert_int_eq(gex_plot_render(tmp_path("kept.png"), &f->data, &o, &err), GEX_OK);
    ck_assert_int_ne(file_size(tmp_path("kept.png")), good);
    struct stat st;
    ck_assert_int_eq(stat(tmp_path("kept.png"), &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0640);
    /* Through a link: the link stays, its target is replaced. */
    char target[512];
    snprintf(target, sizeof target, "%s", tmp_path("kept.png"));
    ck_assert_int_eq(symlink(target, tmp_path("link.png")), 0);
    o.kind = GEX_PLOT_GEX;
    ck_assert_int_eq(gex_plot_render(tmp_path("link.png"), &f->data, &o, &err), GEX_OK);
    ck_assert_int_eq(lstat(tmp_path("link.png"), &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(file_size(tmp_path("kept.png")), good);
    /* A directory is refused, as a dangling link. */
    ck_assert_int_eq(gex_plot_render(tmp_path("dir.svg/"), &f->data, &o, &err), GEX_EINVAL);
    ck_assert_int_eq(mkdir(tmp_path("dir.svg"), 0700), 0);
    ck_assert_int_eq(gex_plot_render(tmp_path("dir.svg"), &f->data, &o, &err), GEX_EIO);
    assert_contains(err.text, "directory");
    snprintf(target, sizeof target, "%s", tmp_path("nowhere/x.svg"));
    ck_assert_int_eq(symlink(target, tmp_path("dangling.svg")), 0);
    ck_assert_int_eq(gex_plot_render(tmp_path("dangling.svg"), &f->data, &o, &err), GEX_EIO);
    /* Nothing else is left in the folder: no temporary file. */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -c tmp", tmp_dir);
    int status;
    char *listing = run_capture(cmd, &status);
    ck_assert_str_eq(listing, "0\n");
    free(listing);
    free(f);
}
END_TEST

START_TEST(test_plot_render_custom_size_and_units)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 1, 1);
    gex_plot_options o;
    gex_plot_options_default(&o);
    o.width = 640.0;
    o.height = 420.0;
    o.kind = GEX_PLOT_DEX;
    gex_error err;
    ck_assert_int_eq(gex_plot_render(tmp_path("small.png"), &f->data, &o, &err), GEX_OK);
    check_png(tmp_path("small.png"), 640, 420, 0);
    f->data.unit = GEX_UNIT_SHARES;
    o.kind = GEX_PLOT_GEX;
    ck_assert_int_eq(gex_plot_render(tmp_path("shares.pdf"), &f->data, &o, &err), GEX_OK);
    char *text = pdf_text(tmp_path("shares.pdf"));
    if (text != NULL) {
        assert_contains(text, "shares per $1 spot move");
        free(text);
    }
    o.kind = GEX_PLOT_CHEX;
    ck_assert_int_eq(gex_plot_render(tmp_path("chex.pdf"), &f->data, &o, &err), GEX_OK);
    text = pdf_text(tmp_path("chex.pdf"));
    if (text != NULL) {
        assert_contains(text, "USD of delta per calendar day");
        assert_contains(text, "Charm exposure");
        free(text);
    }
    free(f);
}
END_TEST

/* --- from a chain: gex_plot_data_fill --- */

/* The fixture's strikes as a chain (file IVs, three expirations, the quote at 13:30 New York
 * so that the 0DTE expiry settles 2.5 hours later). */
static gex_chain *fixture_chain(int with_zero_dte)
{
    gex_chain *chain = gex_chain_new();
    ck_assert_ptr_nonnull(chain);
    const int32_t today = gex_time_days_from_civil(2023, 9, 14);
    const int32_t expiry[3] = {today, today + 8, today + 36};
    for (double K = 4000.0; K <= 5000.0; K += K < 4400.0 || K >= 4600.0 ? 25.0 : 5.0) {
        double oi[2];
        fix_oi(K, oi);
        for (int e = with_zero_dte ? 0 : 1; e < 3; e++) {
            for (int t = 0; t < 2; t++) {
                gex_contract c = {.underlying = "SPX",
                                  .root = "SPXW",
                                  .expiration = expiry[e],
                                  .strike = K,
                                  .type = t,
                                  .bid = NAN,
                                  .ask = NAN,
                                  .last = NAN,
                                  .iv = fix_sigma(K),
                                  .open_interest = round(oi[t] / 3.0),
                                  .volume = 17.0,
                                  .multiplier = 100.0,
                                  .vendor_delta = NAN,
                                  .vendor_gamma = NAN,
                                  .line = 0};
                ck_assert_int_eq(gex_chain_add(chain, &c), GEX_OK);
            }
        }
    }
    ck_assert_int_eq(gex_chain_set_spot(chain, "SPX", FIX_SPOT), GEX_OK);
    gex_chain_set_quote_time(chain, INT64_C(1694712600)); /* 2023-09-14 17:30:00 UTC */
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    ck_assert_int_eq(gex_chain_prepare(chain, &po, NULL, NULL), GEX_OK);
    return chain;
}

/* The analysis of a prepared chain by a flip method. */
static gex_analysis *analyse(const gex_chain *chain, gex_flip_method method)
{
    gex_analysis_options ao;
    gex_analysis_options_default(&ao);
    ao.flip_method = method;
    gex_analysis *a = NULL;
    ck_assert_int_eq(gex_analysis_new(chain, &ao, &a, NULL), GEX_OK);
    return a;
}

START_TEST(test_plot_data_fill_from_chain)
{
    gex_chain *chain = fixture_chain(1);
    gex_analysis *an = analyse(chain, GEX_FLIP_PROFILE);
    const gex_exposure *exp = gex_analysis_exposure(an);
    double px[GEX_PROFILE_POINTS], pp[GEX_PROFILE_POINTS];
    gex_plot_data d;
    ck_assert_int_eq(gex_plot_data_fill(an, 0.0, px, pp, GEX_PROFILE_POINTS, &d), GEX_OK);
    ck_assert_str_eq(d.symbol, "SPX");
    ck_assert_double_eq(d.spot, FIX_SPOT);
    ck_assert_int_eq(d.quote_time, INT64_C(1694712600));
    ck_assert_ptr_eq(d.rows, gex_exposure_strikes(exp));
    ck_assert_uint_eq(d.n_rows, gex_exposure_strike_count(exp));
    gex_levels levels;
    ck_assert_int_eq(gex_levels_compute(exp, GEX_FLIP_PROFILE, &levels), GEX_OK);
    ck_assert_int_eq(d.levels.gamma_flip.has, levels.gamma_flip.has);
    ck_assert_double_eq(d.levels.call_wall.value, levels.call_wall.value);
    ck_assert_int_eq(d.levels.zero_dte_magnet.has, 1);
    ck_assert_int_eq(d.zero_dte.has, 1);
    ck_assert_ptr_nonnull(d.regime.confidence);
    /* The profile spans the strike window (2.5% here, as the fixture's strikes are dense), and
     * the flip when it lies outside. */
    ck_assert_uint_eq(d.n_profile, GEX_PROFILE_POINTS);
    ck_assert_double_le(px[0], FIX_SPOT * 0.975 * (1.0 + 1e-15));
    ck_assert_double_ge(px[GEX_PROFILE_POINTS - 1], FIX_SPOT * 1.025 * (1.0 - 1e-15));
    if (d.levels.gamma_flip.has) {
        ck_assert_double_lt(px[0], d.levels.gamma_flip.value);
        ck_assert_double_gt(px[GEX_PROFILE_POINTS - 1], d.levels.gamma_flip.value);
    }
    /* Where P(x) changes sign on the grid, the flip is the crossing nearest the spot. */
    for (size_t i = 1; i < GEX_PROFILE_POINTS; i++)
        ck_assert_double_gt(px[i], px[i - 1]);

    gex_plot_options o;
    gex_plot_options_default(&o);
    o.kind = GEX_PLOT_DASHBOARD;
    gex_error err;
    ck_assert_int_eq(gex_plot_render(tmp_path("chain-dashboard.pdf"), &d, &o, &err), GEX_OK);
    char *text = pdf_text(tmp_path("chain-dashboard.pdf"));
    if (text != NULL) {
        char label[96];
        price_label("Spot", FIX_SPOT, label, sizeof label);
        assert_contains(text, label);
        if (d.levels.gamma_flip.has) {
            price_label("Gamma flip", d.levels.gamma_flip.value, label, sizeof label);
            assert_contains(text, label);
        }
        price_label("0DTE magnet", d.levels.zero_dte_magnet.value, label, sizeof label);
        assert_contains(text, label);
        assert_contains(text, "2023-09-14 13:30 EDT");
        free(text);
    }
    /* Without the profile. */
    gex_analysis *by_strike = analyse(chain, GEX_FLIP_STRIKE);
    ck_assert_int_eq(gex_plot_data_fill(by_strike, 0.0, NULL, NULL, 0, &d), GEX_OK);
    ck_assert_uint_eq(d.n_profile, 0);
    ck_assert_int_eq(d.levels.flip_method, GEX_FLIP_STRIKE);
    gex_analysis_free(by_strike);
    ck_assert_int_eq(gex_plot_data_fill(an, 0.0, px, pp, 1, &d), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_data_fill(an, 0.0, NULL, pp, 5, &d), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_data_fill(NULL, 0.0, px, pp, 5, &d), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_data_fill(an, -3.0, px, pp, 5, &d), GEX_EINVAL);
    gex_analysis_free(an);
    gex_chain_free(chain);
}
END_TEST

START_TEST(test_plot_data_fill_without_zero_dte)
{
    gex_chain *chain = fixture_chain(0);
    gex_analysis *an = analyse(chain, GEX_FLIP_PROFILE);
    double px[GEX_PROFILE_POINTS], pp[GEX_PROFILE_POINTS];
    gex_plot_data d;
    ck_assert_int_eq(gex_plot_data_fill(an, 4.0, px, pp, GEX_PROFILE_POINTS, &d), GEX_OK);
    ck_assert_int_eq(d.levels.zero_dte_magnet.has, 0);
    ck_assert_int_eq(d.zero_dte.has, 0);
    gex_plot_options o;
    gex_plot_options_default(&o);
    gex_error err;
    ck_assert_int_eq(gex_plot_render(tmp_path("no0dte.pdf"), &d, &o, &err), GEX_OK);
    char *text = pdf_text(tmp_path("no0dte.pdf"));
    if (text != NULL) {
        assert_contains(text, "No 0DTE contracts");
        ck_assert_msg(strstr(text, "0DTE magnet 4") == NULL, "a magnet marker was drawn");
        free(text);
    }
    gex_analysis_free(an);
    gex_chain_free(chain);
}
END_TEST

/* The profile chart's other curves: P without the next expiration and without the next monthly.
 * P is a sum over contracts, so P without a date plus P of that date alone is P, at every x. */
static void assert_additive(const gex_analysis *an, const gex_plot_data *d, const double *without,
                            int32_t day)
{
    const gex_exposure *base = gex_analysis_exposure(an);
    gex_exposure_options o = *gex_exposure_get_options(base);
    o.expirations = &day;
    o.n_expirations = 1;
    o.zero_dte = 0;
    gex_exposure *only = NULL;
    ck_assert_int_eq(gex_exposure_compute(gex_exposure_chain(base), &o, &only), GEX_OK);
    double p_only[GEX_PROFILE_POINTS];
    ck_assert_int_eq(gex_profile_eval(only, d->profile_x, d->n_profile, p_only), GEX_OK);
    double scale = 0;
    for (size_t i = 0; i < d->n_profile; i++)
        scale = fmax(scale, fabs(d->profile_p[i]));
    for (size_t i = 0; i < d->n_profile; i++)
        ck_assert_msg(fabs(without[i] + p_only[i] - d->profile_p[i]) <= 1e-9 * scale,
                      "x %.4f: %.17g + %.17g != %.17g", d->profile_x[i], without[i], p_only[i],
                      d->profile_p[i]);
    gex_exposure_free(only);
}

START_TEST(test_plot_data_curves_without_next_and_monthly)
{
    const int32_t today = gex_time_days_from_civil(2023, 9, 14);
    const int32_t monthly = gex_time_days_from_civil(2023, 10, 20); /* the third Friday */
    for (int with_zero_dte = 1; with_zero_dte >= 0; with_zero_dte--) {
        gex_chain *chain = fixture_chain(with_zero_dte);
        gex_analysis *an = analyse(chain, GEX_FLIP_PROFILE);
        double px[GEX_PROFILE_POINTS], pp[GEX_PROFILE_POINTS];
        double next[GEX_PROFILE_POINTS], month[GEX_PROFILE_POINTS];
        gex_plot_data d;
        ck_assert_int_eq(gex_plot_data_fill(an, 4.0, px, pp, GEX_PROFILE_POINTS, &d), GEX_OK);
        ck_assert_int_eq(gex_plot_data_curves(an, next, month, &d), GEX_OK);
        ck_assert_ptr_eq(d.profile_without_next, next);
        ck_assert_ptr_eq(d.profile_without_monthly, month);
        /* the next expiration: the 0DTE one, else 2023-09-22 (a Friday, but the fourth) */
        ck_assert_int_eq(d.without_next_day, with_zero_dte ? today : today + 8);
        ck_assert_int_eq(d.without_monthly_day, monthly);
        assert_additive(an, &d, next, d.without_next_day);
        assert_additive(an, &d, month, monthly);
        gex_plot_options o;
        gex_plot_options_default(&o);
        o.kind = GEX_PLOT_PROFILE;
        gex_error err;
        ck_assert_int_eq(gex_plot_render(tmp_path("curves.pdf"), &d, &o, &err), GEX_OK);
        char *text = pdf_text(tmp_path("curves.pdf"));
        if (text != NULL) {
            assert_contains(text, "without the next monthly, 2023-10-20");
            assert_contains(text, with_zero_dte ? "without the next expiration, 2023-09-14"
                                                : "without the next expiration, 2023-09-22");
            free(text);
        }
        gex_analysis_free(an);
        gex_chain_free(chain);
    }
    ck_assert_int_eq(gex_plot_data_curves(NULL, NULL, NULL, NULL), GEX_EINVAL);
}
END_TEST

/* --- from chain files: the sample and the real chains of ../shared --- */

typedef struct loaded {
    gex_chain *all, *chain;
    gex_analysis *analysis;
    const gex_exposure *exposure;
    double px[GEX_PROFILE_POINTS], pp[GEX_PROFILE_POINTS];
    gex_plot_data data;
} loaded;

/* Reads a chain file, keeps its first underlying, prepares it (at now when has_now), computes
 * its exposures and fills the chart data. */
static void load_chain(const char *path, int has_now, int64_t now, loaded *l)
{
    gex_read_options ro;
    memset(&ro, 0, sizeof ro);
    gex_error err;
    gex_error_clear(&err);
    int rc = gex_chain_read_path(path, &ro, &l->all, NULL, &err);
    ck_assert_msg(rc == GEX_OK, "%s:%ld: %s", err.file, err.line, err.text);
    uint32_t id;
    ck_assert_uint_ge(gex_chain_underlyings(l->all, &id, 1), 1);
    ck_assert_int_eq(gex_chain_select(l->all, gex_chain_symbol(l->all, id), &l->chain), GEX_OK);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.has_now = has_now;
    po.now = now;
    rc = gex_chain_prepare(l->chain, &po, NULL, &err);
    ck_assert_msg(rc == GEX_OK, "%s: %s", path, err.text);
    l->analysis = analyse(l->chain, GEX_FLIP_PROFILE);
    l->exposure = gex_analysis_exposure(l->analysis);
    ck_assert_int_eq(
        gex_plot_data_fill(l->analysis, 0.0, l->px, l->pp, GEX_PROFILE_POINTS, &l->data), GEX_OK);
}

static void unload_chain(loaded *l)
{
    gex_analysis_free(l->analysis);
    gex_chain_free(l->chain);
    gex_chain_free(l->all);
}

/* Every kind in every format; the SVGs well-formed, the PNGs' size and background, and the
 * PDF of the gex kind labelled with the spot (spot_label, from the file's own description),
 * the quote instant, and each level the data holds inside the window. */
static void check_chain_charts(const loaded *l, const char *stem, const char *spot_label,
                               const char *instant)
{
    for (int k = 0; k < GEX_PLOT_KIND_COUNT; k++) {
        render_all_formats(&l->data, (gex_plot_kind)k, stem);
        char name[128];
        snprintf(name, sizeof name, "%s-%s.svg", stem, gex_plot_kind_name(k));
        check_svg_well_formed(tmp_path(name));
        snprintf(name, sizeof name, "%s-%s.png", stem, gex_plot_kind_name(k));
        const int dash = k == GEX_PLOT_DASHBOARD;
        check_png(tmp_path(name), dash ? (int)GEX_PLOT_DASHBOARD_WIDTH : (int)GEX_PLOT_WIDTH,
                  dash ? (int)GEX_PLOT_DASHBOARD_HEIGHT : (int)GEX_PLOT_HEIGHT,
                  k == GEX_PLOT_GEX || k == GEX_PLOT_DASHBOARD);
    }
    char name[128];
    snprintf(name, sizeof name, "%s-gex.pdf", stem);
    char *text = pdf_text(tmp_path(name));
    if (text == NULL)
        return;
    assert_contains(text, spot_label);
    assert_contains(text, instant);
    double lo, hi;
    ck_assert_int_eq(gex_plot_window(l->data.rows, l->data.n_rows, l->data.spot, 0.0, &lo, &hi),
                     GEX_OK);
    const gex_levels *lv = &l->data.levels;
    const struct {
        const char *name;
        const gex_level *level;
        const char *absent;
    } marks[] = {
        {"Gamma flip", &lv->gamma_flip, "No gamma flip"},
        {lv->call_wall.has && lv->put_wall.has && lv->call_wall.value == lv->put_wall.value
             ? "Call and put wall"
             : "Call wall",
         &lv->call_wall, "No call wall"},
        {"Put wall", &lv->put_wall, "No put wall"},
        {"0DTE magnet", &lv->zero_dte_magnet, "No 0DTE contracts"},
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        char label[96];
        if (!marks[i].level->has) {
            assert_contains(text, marks[i].absent);
            continue;
        }
        if (i == 2 && strcmp(marks[1].name, "Call and put wall") == 0)
            continue; /* drawn with the call wall */
        price_label(marks[i].name, marks[i].level->value, label, sizeof label);
        if (marks[i].level->value < lo || marks[i].level->value > hi)
            strcat(label, " off chart");
        assert_contains(text, label);
    }
    free(text);
}

START_TEST(test_plot_render_sample_chain)
{
    /* data/README.md: SPX, spot 7,483.26, quoted 2026-11-18 14:30 New York time, with a 0DTE
     * daily (so a magnet). */
    loaded l;
    char path[4096];
    snprintf(path, sizeof path, "%s/data/sample-spx.csv", GEX_SOURCE_ROOT);
    load_chain(path, 0, 0, &l);
    ck_assert_str_eq(l.data.symbol, "SPX");
    ck_assert_int_eq(l.data.levels.zero_dte_magnet.has, 1);
    check_chain_charts(&l, "sample", "Spot 7,483.26", "2026-11-18 14:30 EST");
    unload_chain(&l);
}
END_TEST

START_TEST(test_plot_render_real_chains)
{
    /* ../shared/chains/README.md: SPX spot 4505.1001 at "September 14, 2023 at 4:31 PM EDT",
     * after the day's expiry settled (no 0DTE); SPY yfinance at 692.30, latest trade
     * 2026-02-11 16:19 UTC, with the 0DTE expiry (the file has no quote instant: --now). */
    const char *spx = gex_test_shared("chains/cboe_spx_2023-09-14_close.csv");
    if (spx == NULL) {
        printf("skipped: ../shared absent, real chains not drawn\n");
        return;
    }
    loaded l;
    load_chain(spx, 0, 0, &l);
    ck_assert_int_eq(l.data.levels.zero_dte_magnet.has, 0);
    check_chain_charts(&l, "spx", "Spot 4,505.1", "2023-09-14 16:31 EDT");
    unload_chain(&l);

    const char *spy = gex_test_shared("chains/yfinance_spy_2026-02-11_intraday.csv");
    if (spy == NULL) {
        printf("skipped: yfinance_spy_2026-02-11_intraday.csv absent from ../shared\n");
        return;
    }
    load_chain(spy, 1, INT64_C(1770826740), &l); /* 2026-02-11T16:19:00Z */
    ck_assert_int_eq(l.data.levels.zero_dte_magnet.has, 1);
    check_chain_charts(&l, "spy", "Spot 692.3", "2026-02-11 11:19 EST");
    unload_chain(&l);
}
END_TEST

/* A sub-cent chain (tests/data/cli-inputs/make-inputs.py: xyz.csv 100,000 times smaller, spot
 * 0.0010037, strikes 0.0009 to 0.0011 by 0.00005): its prices keep 4 significant digits in the
 * labels and the panel, and its strikes every decimal they have, where 2 decimals read "Spot 0"
 * and "Strikes 0 to 0" and the bars' strikes 0.001 four times. */
START_TEST(test_plot_sub_cent_prices_keep_their_digits)
{
    loaded l;
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/cli-inputs/xyz-sub-cent.csv", GEX_SOURCE_ROOT);
    load_chain(path, 0, 0, &l);
    render_all_formats(&l.data, GEX_PLOT_DASHBOARD, "sub-cent");
    char *text = pdf_text(tmp_path("sub-cent-dashboard.pdf"));
    if (text != NULL) {
        assert_contains(text, "Spot 0.001004");
        assert_contains(text, "Strikes 0.0005018 to 0.001506");
        assert_contains(text, "Gamma flip 0.001004");
        assert_contains(text, "Max positive gamma");
        assert_contains(text, "0.00105");
        free(text);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(gex_plot_terminal_bars(out, &l.data, GEX_PLOT_GEX, 21, 80), GEX_OK);
    fclose(out);
    if (getenv("GEX_TEST_VERBOSE") != NULL)
        fputs(buf, stdout), fflush(stdout);
    /* right-aligned to the spot's 0.001004 */
    static const char *const strikes[] = {"\n  0.0009 ", "\n 0.00095 ", "\n   0.001 ",
                                          "\n 0.00105 ", "\n  0.0011 "};
    for (size_t i = 0; i < sizeof strikes / sizeof strikes[0]; i++)
        assert_contains(buf, strikes[i]);
    assert_contains(buf, "0.001004");
    free(buf);
    unload_chain(&l);
}
END_TEST

/* The edge chains of tests/data/plot (README there). */
static void load_edge(const char *name, loaded *l)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/plot/%s", GEX_SOURCE_ROOT, name);
    load_chain(path, 0, 0, l);
}

/* Columns of row y whose colour is exactly c painted opaque (the heatmap's full colour). */
static int columns_of_colour(cairo_surface_t *img, int y, double r, double g, double b)
{
    int n = 0;
    const uint32_t want = ((uint32_t)lround(r * 255.0) << 16) | ((uint32_t)lround(g * 255.0) << 8) |
                          (uint32_t)lround(b * 255.0);
    for (int x = 0; x < cairo_image_surface_get_width(img); x++) {
        const uint32_t px = pixel(img, x, y);
        int near = 1;
        for (int k = 0; k < 3; k++) {
            const int d = (int)((px >> (8 * k)) & 0xff) - (int)((want >> (8 * k)) & 0xff);
            if (d < -1 || d > 1)
                near = 0;
        }
        n += near;
    }
    return n;
}

START_TEST(test_plot_heatmap_edge_cells_stay_near_their_strike)
{
    /* One strike, 100, spot 100: the window is 50 to 150 (no 24 strikes at any width). Its
     * cell spans HEAT_LONE_CELL (2.5%) of the strike, 98.75 to 101.25: 2.5 of the window's
     * 100 points, about 21 of the plot's 840 pixels, not the whole row. Net GEX > 0 (call OI
     * 1000, put OI 500): the cell is the call colour at full strength (src/plot/plot-chart.c:
     * teal 0.16/0.62/0.56). */
    loaded l;
    load_edge("one-strike.csv", &l);
    gex_plot_options o;
    gex_plot_options_default(&o);
    o.kind = GEX_PLOT_HEATMAP;
    gex_error err;
    ck_assert_int_eq(gex_plot_render(tmp_path("lone.png"), &l.data, &o, &err), GEX_OK);
    cairo_surface_t *img = cairo_image_surface_create_from_png(tmp_path("lone.png"));
    ck_assert_int_eq(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    const int cols = columns_of_colour(img, (int)GEX_PLOT_HEIGHT / 2, 0.16, 0.62, 0.56);
    ck_assert_int_ge(cols, 12);
    ck_assert_int_le(cols, 30);
    cairo_surface_destroy(img);
    unload_chain(&l);

    /* The real one-contract file of ../shared (AAPL, strike 150 in a window of 80 to 240). */
    const char *one = gex_test_shared("formats/polygon-mock_aapl_2022-04-29_one-contract.json");
    if (one == NULL) {
        printf("skipped: ../shared absent, the one-contract AAPL heatmap not drawn\n");
        return;
    }
    load_chain(one, 0, 0, &l);
    ck_assert_int_eq(gex_plot_render(tmp_path("aapl.png"), &l.data, &o, &err), GEX_OK);
    img = cairo_image_surface_create_from_png(tmp_path("aapl.png"));
    int widest = 0;
    for (int y = 100; y < 480; y += 20) {
        const int c = columns_of_colour(img, y, 0.16, 0.62, 0.56) +
                      columns_of_colour(img, y, 0.91, 0.44, 0.32);
        widest = c > widest ? c : widest;
    }
    ck_assert_int_gt(widest, 0);
    ck_assert_int_le(widest, 60);
    cairo_surface_destroy(img);
    unload_chain(&l);
}
END_TEST

START_TEST(test_plot_heatmap_rows_are_expirations_used)
{
    /* 2026-03-03's contracts have no IV and no quote: none is used, and the heatmap has rows
     * for the three others only. Its legend says which levels are absent. */
    loaded l;
    load_edge("noiv-exp.csv", &l);
    gex_plot_options o;
    gex_plot_options_default(&o);
    o.kind = GEX_PLOT_HEATMAP;
    gex_error err;
    ck_assert_int_eq(gex_plot_render(tmp_path("noiv-heatmap.pdf"), &l.data, &o, &err), GEX_OK);
    char *text = pdf_text(tmp_path("noiv-heatmap.pdf"));
    if (text != NULL) {
        ck_assert_msg(strstr(text, "2026-03-03") == NULL, "an expiration with no contract used "
                                                          "has a row");
        assert_contains(text, "2026-03-10");
        assert_contains(text, "2026-03-17");
        assert_contains(text, "2026-03-24");
        assert_contains(text, "No gamma flip");
        assert_contains(text, "No 0DTE contracts");
        free(text);
    }
    unload_chain(&l);
}
END_TEST

START_TEST(test_plot_heatmap_and_profile_legend_levels)
{
    gex_chain *chain = fixture_chain(1);
    gex_analysis *an = analyse(chain, GEX_FLIP_PROFILE);
    double px[GEX_PROFILE_POINTS], pp[GEX_PROFILE_POINTS];
    gex_plot_data d;
    ck_assert_int_eq(gex_plot_data_fill(an, 0.0, px, pp, GEX_PROFILE_POINTS, &d), GEX_OK);
    ck_assert_int_eq(d.levels.zero_dte_magnet.has, 1);
    gex_plot_options o;
    gex_plot_options_default(&o);
    gex_error err;
    char label[96];
    /* The profile marks the 0DTE magnet as every chart does. */
    o.kind = GEX_PLOT_PROFILE;
    ck_assert_int_eq(gex_plot_render(tmp_path("magnet-profile.pdf"), &d, &o, &err), GEX_OK);
    char *text = pdf_text(tmp_path("magnet-profile.pdf"));
    if (text != NULL) {
        price_label("0DTE magnet", d.levels.zero_dte_magnet.value, label, sizeof label);
        assert_contains(text, label);
        free(text);
    }
    /* The heatmap lists a level off its window in its legend, and names the ones inside. */
    d.levels.call_wall.value = 4950.0; /* outside 2.5% of the spot */
    o.kind = GEX_PLOT_HEATMAP;
    ck_assert_int_eq(gex_plot_render(tmp_path("off-heatmap.pdf"), &d, &o, &err), GEX_OK);
    text = pdf_text(tmp_path("off-heatmap.pdf"));
    if (text != NULL) {
        assert_contains(text, "Call wall 4,950 off chart (above)");
        price_label("0DTE magnet", d.levels.zero_dte_magnet.value, label, sizeof label);
        assert_contains(text, label);
        free(text);
    }
    gex_analysis_free(an);
    gex_chain_free(chain);
}
END_TEST

START_TEST(test_plot_bars_clipped_to_the_plot)
{
    /* Spot 7,500 and 1%: 7,425 and 7,575 are strikes on the window's ends, their bars half
     * outside it. No bar pixel may lie left of the plot's frame, where the value labels are:
     * the frame's zero line is the leftmost pixel of the axis colour (src/plot/plot-chart.c:
     * col_axis 0.55/0.57/0.60). */
    loaded l;
    char path[4096];
    snprintf(path, sizeof path, "%s/data/sample-spx.csv", GEX_SOURCE_ROOT);
    load_chain(path, 0, 0, &l);
    l.data.spot = 7500.0;
    gex_plot_options o;
    gex_plot_options_default(&o);
    o.range_pct = 1.0;
    gex_error err;
    ck_assert_int_eq(gex_plot_render(tmp_path("edge-bars.png"), &l.data, &o, &err), GEX_OK);
    cairo_surface_t *img = cairo_image_surface_create_from_png(tmp_path("edge-bars.png"));
    ck_assert_int_eq(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    const uint32_t axis = (140u << 16) | (145u << 8) | 153u;
    int frame = -1, bar = -1;
    const int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    for (int x = 0; x < w && (frame < 0 || bar < 0); x++) {
        for (int y = 80; y < h - 60; y++) {
            const uint32_t px = pixel(img, x, y);
            if (frame < 0 && px == axis)
                frame = x;
            if (bar < 0 && (near_colour(px, 0.16, 0.62, 0.56) || near_colour(px, 0.91, 0.44, 0.32)))
                bar = x;
        }
    }
    ck_assert_int_ge(frame, 20);
    ck_assert_int_ge(bar, 0);
    ck_assert_msg(bar >= frame, "a bar at x %d, left of the plot's frame at x %d", bar, frame);
    cairo_surface_destroy(img);
    unload_chain(&l);
}
END_TEST

START_TEST(test_plot_axis_labels_as_fine_as_their_step)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 1, 1);
    /* GEX scaled to at most 0.012 a bar: the value axis steps by 0.005 (about 6 ticks over
     * -0.013 to 0.013), each tick written with three decimals, "0.005" not "0.01". */
    double m = 0.0;
    for (size_t i = 0; i < f->data.n_rows; i++)
        m = fmax(m, fmax(fabs(f->rows[i].call_gex), fabs(f->rows[i].put_gex)));
    for (size_t i = 0; i < f->data.n_rows; i++) {
        f->rows[i].call_gex *= 0.012 / m;
        f->rows[i].put_gex *= 0.012 / m;
        f->rows[i].net_gex = f->rows[i].call_gex + f->rows[i].put_gex;
    }
    gex_plot_options o;
    gex_plot_options_default(&o);
    gex_error err;
    ck_assert_int_eq(gex_plot_render(tmp_path("fine.pdf"), &f->data, &o, &err), GEX_OK);
    char *text = pdf_text(tmp_path("fine.pdf"));
    if (text != NULL) {
        assert_contains(text, "0.01\n");
        assert_contains(text, "0.005\n");
        assert_contains(text, "-0.005\n");
        free(text);
    }
    free(f);

    /* Strikes a cent apart around a spot of 1 (tests/data/plot/tiny2.csv, multiplier 1): the
     * strike axis steps by 0.005 and writes three decimals. */
    loaded l;
    load_edge("tiny2.csv", &l);
    o.range_pct = 5.0;
    ck_assert_int_eq(gex_plot_render(tmp_path("tiny.pdf"), &l.data, &o, &err), GEX_OK);
    text = pdf_text(tmp_path("tiny.pdf"));
    if (text != NULL) {
        assert_contains(text, "0.95 ");
        assert_contains(text, "0.955 ");
        assert_contains(text, "0.96 ");
        assert_contains(text, "1.005 ");
        free(text);
    }
    unload_chain(&l);
}
END_TEST

/* --- terminal bars --- */

/* Display columns of a UTF-8 line (every code point here is one column wide). */
static int columns(const char *s, size_t len)
{
    int c = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            c++;
    }
    return c;
}

START_TEST(test_plot_terminal_bars_lines_and_width)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 1, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(gex_plot_terminal_bars(out, &f->data, GEX_PLOT_GEX, 21, 80), GEX_OK);
    fclose(out);
    /* Header, 21 strikes, the spot rule (4,505.42 lies between 4,505 and 4,510) and the flip
     * rule when the flip falls among the strikes shown. */
    int lines = 0, full_lines = 0, spot_rule = 0, flip_rule = 0, call_wall = 0;
    const double lo = 4455.0, hi = 4555.0; /* the 21 strikes nearest 4,505.42, step 5 */
    const int flip_inside = f->flip > lo && f->flip < hi;
    if (getenv("GEX_TEST_VERBOSE") != NULL)
        fputs(buf, stdout), fflush(stdout);
    for (char *line = buf, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        *nl = '\0'; /* one line at a time; restored below */
        ck_assert_int_le(columns(line, (size_t)(nl - line)), 80);
        lines++;
        if (strstr(line, " spot") != NULL && strstr(line, "4,505.42") != NULL)
            spot_rule++;
        if (strstr(line, "gamma flip") != NULL)
            flip_rule++;
        if (strstr(line, "call wall") != NULL)
            call_wall++;
        /* The largest |net| fills its half: half full blocks in a row. */
        if (strstr(line, "\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588") != NULL)
            full_lines++;
        *nl = '\n';
    }
    /* The flip gets its rule among the strikes, or a line after them saying where it is. */
    const int has_flip = f->data.levels.gamma_flip.has;
    ck_assert_int_eq(spot_rule, 1);
    ck_assert_int_eq(flip_rule, has_flip);
    ck_assert_int_eq(lines, 1 + 21 + 1 + has_flip);
    if (has_flip && !flip_inside)
        assert_contains(buf, "the strikes shown");
    ck_assert_int_ge(full_lines, 1);
    const double cw = f->data.levels.call_wall.value;
    ck_assert_int_eq(call_wall, cw >= lo && cw <= hi);
    /* The first strike line is 4,455, the last 4,555. */
    assert_contains(buf, "  4,455 ");
    assert_contains(buf, "  4,555 ");
    ck_assert_msg(strstr(buf, "4,450 ") == NULL && strstr(buf, "4,560 ") == NULL,
                  "strikes outside the 21 nearest were drawn");
    free(buf);

    /* A flip below the strikes drawn: one line after them says so, with its distance. */
    const gex_level kept_flip = f->data.levels.gamma_flip;
    f->data.levels.gamma_flip = (gex_level){.has = 1, .value = 4000.0};
    out = open_memstream(&buf, &len);
    ck_assert_int_eq(gex_plot_terminal_bars(out, &f->data, GEX_PLOT_GEX, 21, 80), GEX_OK);
    fclose(out);
    assert_contains(buf, "gamma flip 4,000: below the strikes shown (-11.22% from spot)\n");
    free(buf);
    f->data.levels.gamma_flip = (gex_level){.has = 1, .value = 5000.0};
    out = open_memstream(&buf, &len);
    ck_assert_int_eq(gex_plot_terminal_bars(out, &f->data, GEX_PLOT_GEX, 21, 80), GEX_OK);
    fclose(out);
    assert_contains(buf, "gamma flip 5,000: above the strikes shown (+10.98% from spot)\n");
    free(buf);
    f->data.levels.gamma_flip = kept_flip;

    /* A spot outside the strikes drawn: no rule among them, one line after them says where. */
    f->data.spot = 5100.0;
    out = open_memstream(&buf, &len);
    ck_assert_int_eq(gex_plot_terminal_bars(out, &f->data, GEX_PLOT_GEX, 21, 80), GEX_OK);
    fclose(out);
    assert_contains(buf, "spot 5,100: above the strikes shown (");
    ck_assert_msg(strstr(buf, " spot\n") == NULL, "a spot rule among strikes it is not between");
    free(buf);
    f->data.spot = FIX_SPOT;
    loaded l;
    load_edge("spot-out2.csv", &l);
    out = open_memstream(&buf, &len);
    ck_assert_int_eq(gex_plot_terminal_bars(out, &l.data, GEX_PLOT_GEX, 24, 100), GEX_OK);
    fclose(out);
    assert_contains(buf, "spot 100: above the strikes shown (50 to 60)\n");
    free(buf);
    unload_chain(&l);

    /* More strikes: the walls get their names; negative values grow left of the axis. */
    out = open_memstream(&buf, &len);
    ck_assert_int_eq(gex_plot_terminal_bars(out, &f->data, GEX_PLOT_GEX, 60, 120), GEX_OK);
    fclose(out);
    if (getenv("GEX_TEST_VERBOSE") != NULL)
        fputs(buf, stdout), fflush(stdout);
    assert_contains(buf, "call wall");
    assert_contains(buf, "put wall");
    const char *put_line = strstr(buf, "  4,400 ");
    ck_assert_ptr_nonnull(put_line);
    const char *axis = strstr(put_line, "\u2502");
    const char *block = strstr(put_line, "\u2588");
    ck_assert(block != NULL && axis != NULL && block < axis); /* net GEX < 0 at the put wall */
    free(buf);
    free(f);
}
END_TEST

START_TEST(test_plot_terminal_bars_errors)
{
    fixture *f = malloc(sizeof *f);
    fixture_build(f, 1, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ck_assert_int_eq(gex_plot_terminal_bars(out, &f->data, GEX_PLOT_GEX, 10, 39), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_terminal_bars(out, &f->data, GEX_PLOT_PROFILE, 10, 80), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_terminal_bars(out, &f->data, GEX_PLOT_GEX, 0, 80), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_terminal_bars(NULL, &f->data, GEX_PLOT_GEX, 10, 80), GEX_EINVAL);
    ck_assert_int_eq(gex_plot_terminal_bars(out, NULL, GEX_PLOT_GEX, 10, 80), GEX_EINVAL);
    gex_plot_data d = f->data;
    d.spot = NAN;
    ck_assert_int_eq(gex_plot_terminal_bars(out, &d, GEX_PLOT_GEX, 10, 80), GEX_EINVAL);
    f->rows[40].net_dex = INFINITY;
    ck_assert_int_eq(gex_plot_terminal_bars(out, &f->data, GEX_PLOT_DEX, 200, 80), GEX_ERANGE);
    d = f->data;
    d.n_rows = 0;
    ck_assert_int_eq(gex_plot_terminal_bars(out, &d, GEX_PLOT_VEX, 10, 80), GEX_OK);
    fclose(out);
    assert_contains(buf, "no strikes");
    free(buf);
    FILE *full = fopen("/dev/full", "w");
    if (full != NULL) {
        setvbuf(full, NULL, _IONBF, 0);
        f->rows[40].net_dex = 1.0;
        ck_assert_int_eq(gex_plot_terminal_bars(full, &f->data, GEX_PLOT_DEX, 10, 80), GEX_EIO);
        fclose(full);
    }
    free(f);
}
END_TEST

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static void teardown(void)
{
    gex_plot_release_caches();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    if (getenv("GEX_TEST_KEEP") == NULL && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp_dir);
    strcpy(tmp_dir, "/tmp/gex-test-plot-XXXXXX");
}

static Suite *plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *names = tcase_create("names");
    tcase_add_test(names, test_plot_kind_parse_every_name);
    tcase_add_test(names, test_plot_format_from_path_extensions);
    tcase_add_test(names, test_plot_format_amount_suffixes);
    tcase_add_test(names, test_plot_window_auto_and_explicit);
    suite_add_tcase(s, names);
    TCase *charts = tcase_create("charts");
    tcase_add_checked_fixture(charts, setup, teardown);
    tcase_add_test(charts, test_plot_render_every_kind_every_format);
    tcase_add_test(charts, test_plot_render_pdf_labels_levels);
    tcase_add_test(charts, test_plot_render_without_flip_and_zero_dte);
    tcase_add_test(charts, test_plot_render_levels_off_chart_in_legend);
    tcase_add_test(charts, test_plot_write_errors);
    tcase_add_test(charts, test_plot_render_errors_leave_no_file);
    tcase_add_test(charts, test_plot_render_custom_size_and_units);
    tcase_add_test(charts, test_plot_data_fill_from_chain);
    tcase_add_test(charts, test_plot_data_fill_without_zero_dte);
    tcase_add_test(charts, test_plot_data_curves_without_next_and_monthly);
    tcase_add_test(charts, test_plot_render_sample_chain);
    tcase_add_test(charts, test_plot_render_real_chains);
    tcase_add_test(charts, test_plot_heatmap_edge_cells_stay_near_their_strike);
    tcase_add_test(charts, test_plot_heatmap_rows_are_expirations_used);
    tcase_add_test(charts, test_plot_heatmap_and_profile_legend_levels);
    tcase_add_test(charts, test_plot_bars_clipped_to_the_plot);
    tcase_add_test(charts, test_plot_axis_labels_as_fine_as_their_step);
    tcase_add_test(charts, test_plot_sub_cent_prices_keep_their_digits);
    suite_add_tcase(s, charts);
    TCase *term = tcase_create("terminal");
    tcase_add_test(term, test_plot_terminal_bars_lines_and_width);
    tcase_add_test(term, test_plot_terminal_bars_errors);
    suite_add_tcase(s, term);
    return s;
}

int main(void)
{
    return gex_test_run(plot_suite());
}
