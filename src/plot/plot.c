/*
 * gex plot: kinds, formats, the strike window, and the cairo surfaces for SVG, PNG and PDF. The
 * drawing itself is in plot-chart.c, the terminal bars in plot-term.c, the number forms and
 * labels both use in plot-label.c.
 */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gex/plot.h"
#include "plot-internal.h"

static const char *const kind_names[GEX_PLOT_KIND_COUNT] = {
    "gex", "dex", "vex", "chex", "profile", "dashboard", "heatmap"};
static const char *const format_names[GEX_PLOT_FORMAT_COUNT] = {"svg", "png", "pdf"};

const char *gex_plot_kind_name(int kind)
{
    if (kind < 0 || kind >= GEX_PLOT_KIND_COUNT)
        return NULL;
    return kind_names[kind];
}

int gex_plot_kind_parse(const char *name, gex_plot_kind *kind)
{
    if (name == NULL || kind == NULL)
        return GEX_EINVAL;
    for (int k = 0; k < GEX_PLOT_KIND_COUNT; k++) {
        if (strcasecmp(name, kind_names[k]) == 0) {
            *kind = (gex_plot_kind)k;
            return GEX_OK;
        }
    }
    return GEX_EINVAL;
}

const char *gex_plot_format_name(int format)
{
    if (format < 0 || format >= GEX_PLOT_FORMAT_COUNT)
        return NULL;
    return format_names[format];
}

int gex_plot_format_from_path(const char *path, gex_plot_format *format)
{
    if (path == NULL || format == NULL)
        return GEX_EINVAL;
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        return GEX_EINVAL;
    for (int f = 0; f < GEX_PLOT_FORMAT_COUNT; f++) {
        if (strcasecmp(dot + 1, format_names[f]) == 0) {
            *format = (gex_plot_format)f;
            return GEX_OK;
        }
    }
    return GEX_EINVAL;
}

void gex_plot_options_default(gex_plot_options *options)
{
    if (options == NULL)
        return;
    options->kind = GEX_PLOT_GEX;
    options->range_pct = 0.0;
    options->width = 0.0;
    options->height = 0.0;
}

/* The automatic windows, narrowest first: a few percent shows an index's dense strikes around
 * the spot; single stocks list strikes 2.5-10% apart and need a wider band. */
static const double auto_ranges_pct[] = {2.5, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 50.0};

int gex_plot_window(const gex_strike_row *rows, size_t n_rows, double spot, double range_pct,
                    double *lo, double *hi)
{
    if (lo == NULL || hi == NULL || (rows == NULL && n_rows > 0) || !isfinite(spot) ||
        !(spot > 0.0) || !isfinite(range_pct) || range_pct < 0.0)
        return GEX_EINVAL;
    double pct = range_pct;
    if (pct == 0.0) {
        const size_t n_auto = sizeof auto_ranges_pct / sizeof auto_ranges_pct[0];
        pct = auto_ranges_pct[n_auto - 1];
        for (size_t a = 0; a < n_auto; a++) {
            const double l = spot * (1.0 - auto_ranges_pct[a] / 100.0);
            const double h = spot * (1.0 + auto_ranges_pct[a] / 100.0);
            size_t inside = 0;
            for (size_t i = 0; i < n_rows; i++) {
                if (rows[i].strike >= l && rows[i].strike <= h &&
                    rows[i].call_oi + rows[i].put_oi > 0.0)
                    inside++;
            }
            if (inside >= GEX_PLOT_AUTO_MIN_STRIKES) {
                pct = auto_ranges_pct[a];
                break;
            }
        }
    }
    const double l = spot * (1.0 - pct / 100.0), h = spot * (1.0 + pct / 100.0);
    if (!(h > l) || !isfinite(h))
        return GEX_EINVAL; /* a range too small (or large) to tell its ends apart */
    *lo = l < 0.0 ? 0.0 : l;
    *hi = h;
    return GEX_OK;
}

static int finite_level(const gex_level *level)
{
    return !level->has || isfinite(level->value);
}

/* The heatmap's cells: every expiration's per-strike net GEX. */
static int expiries_finite(const gex_exposure *e)
{
    const size_t n = e != NULL ? gex_exposure_expiry_count(e) : 0;
    for (size_t i = 0; i < n; i++) {
        size_t n_rows = 0;
        const gex_strike_row *rows = gex_exposure_expiry_strikes(e, i, &n_rows);
        for (size_t k = 0; k < n_rows; k++) {
            if (!isfinite(rows[k].strike) || !isfinite(rows[k].net_gex))
                return 0;
        }
    }
    return 1;
}

/* Every number the chart may print is finite (the brief's rule: never nan or inf). */
static int data_finite(const gex_plot_data *d)
{
    for (size_t i = 0; i < d->n_rows; i++) {
        const gex_strike_row *r = &d->rows[i];
        const double v[] = {r->strike,    r->call_gex, r->put_gex,  r->net_gex, r->call_dex,
                            r->put_dex,   r->net_dex,  r->call_vex, r->put_vex, r->net_vex,
                            r->call_chex, r->put_chex, r->net_chex, r->call_oi, r->put_oi};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
            if (!isfinite(v[k]))
                return 0;
        }
    }
    for (size_t i = 0; i < d->n_profile; i++) {
        if (!isfinite(d->profile_x[i]) || !isfinite(d->profile_p[i]))
            return 0;
    }
    const gex_levels *l = &d->levels;
    const gex_exposure_totals *t = &d->totals;
    return finite_level(&l->gamma_flip) && finite_level(&l->call_wall) &&
           finite_level(&l->put_wall) && finite_level(&l->zero_dte_magnet) &&
           finite_level(&l->max_positive_gamma) && finite_level(&l->max_negative_gamma) &&
           finite_level(&l->highest_oi_strike) && finite_level(&d->regime.dist_to_flip) &&
           isfinite(t->net_gex) && isfinite(t->net_dex) && isfinite(t->net_vex) &&
           isfinite(t->net_chex) &&
           (!d->zero_dte.has ||
            (isfinite(d->zero_dte.net_gex) && isfinite(d->zero_dte.pct_of_total_gex))) &&
           expiries_finite(d->exposure);
}

/* Cairo's output stream: the file, and the errno of its first failed write (cairo's status says
 * only that a write failed, not why). */
typedef struct plot_stream {
    FILE *fp;
    int write_errno;
} plot_stream;

static cairo_status_t write_stream(void *closure, const unsigned char *data, unsigned int length)
{
    plot_stream *w = closure;
    if (w->write_errno != 0)
        return CAIRO_STATUS_WRITE_ERROR;
    errno = 0;
    if (fwrite(data, 1, length, w->fp) == length)
        return CAIRO_STATUS_SUCCESS;
    w->write_errno = errno != 0 ? errno : EIO;
    return CAIRO_STATUS_WRITE_ERROR;
}

static int cairo_status_to_gex(cairo_status_t status)
{
    switch (status) {
    case CAIRO_STATUS_SUCCESS:
        return GEX_OK;
    case CAIRO_STATUS_NO_MEMORY:
        return GEX_ENOMEM;
    case CAIRO_STATUS_WRITE_ERROR:
        return GEX_EIO;
    default:
        return GEX_EINVAL;
    }
}

int gex__plot_page(FILE *fp, gex_plot_format format, double width, double height, const char *title,
                   int (*draw)(cairo_t *, double, double, const void *, gex_error *),
                   const void *ctx, gex_error *err)
{
    cairo_surface_t *surface = NULL;
    plot_stream w = {fp, 0};
    switch (format) {
    case GEX_PLOT_SVG:
        surface = cairo_svg_surface_create_for_stream(write_stream, &w, width, height);
#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 16, 0)
        /* CSS pixels: a browser shows the SVG at the size of the PNG. */
        cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX);
#endif
        break;
    case GEX_PLOT_PDF:
        surface = cairo_pdf_surface_create_for_stream(write_stream, &w, width, height);
        break;
    default:
        /* One pixel per point; opaque, so RGB24 (a PNG without alpha, a third smaller). */
        surface =
            cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(width), (int)ceil(height));
        break;
    }
    int rc = cairo_status_to_gex(cairo_surface_status(surface));
    if (rc != GEX_OK) {
        cairo_surface_destroy(surface);
        return gex_error_set(err, rc, NULL, 0, 0, "cannot create the %s surface: %s",
                             format_names[format], gex_strerror(rc));
    }
#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 16, 0)
    if (format == GEX_PLOT_PDF) {
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "gex plot");
    }
#endif
    cairo_t *cr = cairo_create(surface);
    rc = draw(cr, width, height, ctx, err);
    if (rc == GEX_OK) {
        cairo_show_page(cr);
        rc = cairo_status_to_gex(cairo_status(cr));
        if (rc != GEX_OK)
            gex_error_set(err, rc, NULL, 0, 0, "drawing failed: %s",
                          cairo_status_to_string(cairo_status(cr)));
    }
    cairo_destroy(cr);
    /* Past the drawing, a failure is the output's (libpng out of memory, a surface that cannot
     * finish): GEX_EIO, which callers say of the output, in cairo's own words (the status alone
     * read "invalid argument"). */
    if (rc == GEX_OK && format == GEX_PLOT_PNG) {
        cairo_surface_flush(surface);
        const cairo_status_t png = cairo_surface_write_to_png_stream(surface, write_stream, &w);
        if (png != CAIRO_STATUS_SUCCESS && png != CAIRO_STATUS_WRITE_ERROR) {
            rc = gex_error_set(err, GEX_EIO, NULL, 0, 0,
                               "writing the png failed: %s (libpng fails so when memory runs "
                               "out: raise a limit such as ulimit -v, or write svg or pdf)",
                               cairo_status_to_string(png));
        } else {
            rc = cairo_status_to_gex(png);
        }
    }
    cairo_surface_finish(surface);
    if (rc == GEX_OK) {
        const cairo_status_t done = cairo_surface_status(surface);
        rc = cairo_status_to_gex(done);
        if (rc != GEX_OK && rc != GEX_EIO)
            rc = gex_error_set(err, GEX_EIO, NULL, 0, 0, "finishing the %s failed: %s",
                               format_names[format], cairo_status_to_string(done));
    }
    cairo_surface_destroy(surface);
    errno = 0;
    if (w.write_errno == 0 && (rc == GEX_OK || rc == GEX_EIO) && fflush(fp) != 0)
        w.write_errno = errno != 0 ? errno : EIO;
    /* A failed write is the output's (a full disk, a closed pipe), said as every writer of the
     * program says it, whatever cairo's status made of it. */
    if (w.write_errno != 0)
        return gex_error_set(err, GEX_EIO, NULL, 0, 0, "writing the output failed: %s",
                             strerror(w.write_errno));
    if (rc == GEX_EIO && err != NULL && err->text[0] == '\0')
        gex_error_set(err, rc, NULL, 0, 0, "writing the output failed");
    return rc;
}

typedef struct chart_ctx {
    const gex_plot_data *data;
    const gex_plot_options *options;
    double lo, hi;
} chart_ctx;

static int draw_chart(cairo_t *cr, double width, double height, const void *ctx_, gex_error *err)
{
    const chart_ctx *c = ctx_;
    return gex__plot_draw(cr, c->data, c->options, width, height, c->lo, c->hi, err);
}

int gex_plot_write(FILE *fp, gex_plot_format format, const gex_plot_data *data,
                   const gex_plot_options *options, gex_error *err)
{
    if (fp == NULL || data == NULL || options == NULL)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "no stream, data or options");
    if (format < 0 || format >= GEX_PLOT_FORMAT_COUNT)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "unknown chart format %d", format);
    if (options->kind < 0 || options->kind >= GEX_PLOT_KIND_COUNT)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "unknown chart kind %d", options->kind);
    if (!isfinite(data->spot) || !(data->spot > 0.0))
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0,
                             "the spot is not a positive number: give it with --spot");
    if ((data->rows == NULL && data->n_rows > 0) ||
        ((data->profile_x == NULL || data->profile_p == NULL) && data->n_profile > 0))
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "rows or profile missing");
    if (!isfinite(options->width) || !isfinite(options->height) || options->width < 0.0 ||
        options->height < 0.0)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0, "the page size is not valid");
    if (!data_finite(data))
        return gex_error_set(err, GEX_ERANGE, NULL, 0, 0,
                             "an exposure or level to draw is not a finite number");
    double lo, hi;
    if (gex_plot_window(data->rows, data->n_rows, data->spot, options->range_pct, &lo, &hi) !=
        GEX_OK)
        return gex_error_set(err, GEX_EINVAL, NULL, 0, 0,
                             "the range must be a non-negative percentage of the spot");

    const int dashboard = options->kind == GEX_PLOT_DASHBOARD;
    const double width = options->width > 0.0
                             ? options->width
                             : (dashboard ? GEX_PLOT_DASHBOARD_WIDTH : GEX_PLOT_WIDTH);
    const double height = options->height > 0.0
                              ? options->height
                              : (dashboard ? GEX_PLOT_DASHBOARD_HEIGHT : GEX_PLOT_HEIGHT);

    char title[160], symbol[64];
    snprintf(title, sizeof title, "%s %s", gex__plot_symbol(data->symbol, symbol, sizeof symbol),
             kind_names[options->kind]);
    chart_ctx ctx = {data, options, lo, hi};
    return gex__plot_page(fp, format, width, height, title, draw_chart, &ctx, err);
}

/* Fresh temporary names tried before giving up; only a name already taken makes one fail. */
#define RENDER_TMP_ATTEMPTS 100

/* The temporary file beside target: target + ".tmp-XXXXXX" with the X's from the kernel's
 * random numbers (the clock when they are not ready: the name must be free, not secret, which
 * O_EXCL checks without following a link planted there). Returns the open descriptor and the
 * name in *tmp (caller frees), or -1 with errno. */
static int open_beside(const char *target, const struct stat *st, char **tmp)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    enum { NX = 6 };
    const size_t n = strlen(target);
    char *t = malloc(n + sizeof ".tmp-" + NX);
    if (t == NULL) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(t, target, n);
    memcpy(t + n, ".tmp-", sizeof ".tmp-");
    char *x = t + n + sizeof ".tmp-" - 1;
    int fd = -1;
    errno = EEXIST;
    for (unsigned attempt = 0; fd < 0 && errno == EEXIST && attempt < RENDER_TMP_ATTEMPTS;
         attempt++) {
        unsigned char r[NX];
        if (getrandom(r, NX, GRND_NONBLOCK) != NX) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            unsigned long v = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 20) ^ attempt;
            for (size_t i = 0; i < NX; i++, v /= sizeof chars - 1)
                r[i] = (unsigned char)(v % (sizeof chars - 1));
        }
        for (size_t i = 0; i < NX; i++)
            x[i] = chars[r[i] % (sizeof chars - 1)];
        x[NX] = '\0';
        /* 0666: the kernel applies the umask, as for any new file. */
        fd = open(t, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    }
    if (fd < 0) {
        const int e = errno;
        free(t);
        errno = e;
        return -1;
    }
    if (st != NULL) {
        /* The chart replacing a file keeps its owner and group where this user may give them,
         * then its permission bits (set-id bits are not carried over). */
        if (fchown(fd, st->st_uid, st->st_gid) != 0 && fchown(fd, (uid_t)-1, st->st_gid) != 0) {
            /* the running user's owner and group, as for a new file */
        }
        (void)fchmod(fd, st->st_mode & 0777);
    }
    *tmp = t;
    return fd;
}

int gex_plot_render(const char *path, const gex_plot_data *data, const gex_plot_options *options,
                    gex_error *err)
{
    gex_plot_format format;
    if (path == NULL || gex_plot_format_from_path(path, &format) != GEX_OK)
        return gex_error_set(err, GEX_EINVAL, path != NULL ? path : "", 0, 0,
                             "the chart's file name must end in .svg, .png or .pdf");
    /* A regular file, or a new one, is written beside its name and renamed over it only when
     * the chart is whole (rename(2) is atomic within a file system): a failed chart leaves an
     * existing file as it was. A link stays a link: the file written is its target. A device
     * or a FIFO is written as it is, as a shell's ">" would. */
    char *target = NULL;
    struct stat st;
    int exists = lstat(path, &st) == 0;
    if (exists && S_ISLNK(st.st_mode)) {
        target = realpath(path, NULL);
        if (target == NULL || stat(target, &st) != 0) {
            const int e = errno;
            free(target);
            return gex_error_set(err, GEX_EIO, path, 0, 0,
                                 "is a link to a file that cannot be reached (%s): give the "
                                 "name of a file",
                                 strerror(e));
        }
    } else if (!exists && errno != ENOENT) {
        return gex_error_set(err, GEX_EIO, path, 0, 0, "cannot create the file: %s",
                             strerror(errno));
    }
    if (exists && S_ISDIR(st.st_mode)) {
        free(target);
        return gex_error_set(err, GEX_EIO, path, 0, 0, "is a directory: give the name of a file");
    }
    const int direct = exists && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode));
    const char *dest = target != NULL ? target : path;
    char *tmp = NULL;
    FILE *fp = NULL;
    if (direct) {
        fp = fopen(dest, "wb");
    } else {
        const int fd = open_beside(dest, exists ? &st : NULL, &tmp);
        if (fd >= 0) {
            fp = fdopen(fd, "wb");
            if (fp == NULL) {
                const int e = errno;
                close(fd);
                unlink(tmp);
                errno = e;
            }
        }
    }
    if (fp == NULL) {
        const int e = errno;
        free(tmp);
        free(target);
        return gex_error_set(err, GEX_EIO, path, 0, 0, "cannot create the file: %s", strerror(e));
    }
    int rc = gex_plot_write(fp, format, data, options, err);
    /* The chart's bytes on the disk before it takes the name (a crash just after leaves the old
     * file or the whole chart); a file system that cannot sync (EINVAL) keeps what it has. */
    if (rc == GEX_OK && tmp != NULL &&
        (fflush(fp) != 0 || (fsync(fileno(fp)) != 0 && errno != EINVAL && errno != ENOTSUP)))
        rc = gex_error_set(err, GEX_EIO, path, 0, 0, "writing the output failed: %s",
                           strerror(errno));
    if (fclose(fp) != 0 && rc == GEX_OK)
        rc = gex_error_set(err, GEX_EIO, path, 0, 0, "writing the output failed: %s",
                           strerror(errno));
    if (rc == GEX_OK && tmp != NULL && rename(tmp, dest) != 0)
        rc = gex_error_set(err, GEX_EIO, NULL, 0, 0, "cannot rename the chart into place: %s",
                           strerror(errno));
    if (rc != GEX_OK) {
        /* No half-written chart is left behind, and the file the name held stays. */
        if (tmp != NULL)
            unlink(tmp);
        if (err != NULL)
            snprintf(err->file, sizeof err->file, "%s", path);
    }
    free(tmp);
    free(target);
    return rc;
}

void gex_plot_release_caches(void)
{
    /* cairo's font maps hold fontconfig patterns: release them first, then fontconfig. */
    cairo_debug_reset_static_data();
    FcFini();
}
