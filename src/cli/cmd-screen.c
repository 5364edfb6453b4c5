/*
 * cmd-screen.c: one row per underlying over many files (or several underlyings in one file),
 * with a progress bar on a terminal. A file that cannot be read is reported and the others
 * are still screened; the exit status is then 3.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

typedef struct screen_row {
    char symbol[64];
    const char *file;
    double spot;
    int64_t as_of;
    double net_gex;
    gex_level flip, dist, call_wall, put_wall;
    const char *confidence;
    int vanna_aligned;
    double zero_dte_pct;
} screen_row;

enum {
    COL_SYMBOL,
    COL_SPOT,
    COL_NET_GEX,
    COL_LABEL,
    COL_FLIP,
    COL_DIST,
    COL_CONFIDENCE,
    COL_VANNA,
    COL_CALL_WALL,
    COL_PUT_WALL,
    COL_ZERO_DTE,
    COL_COUNT
};

static const gex__column columns[COL_COUNT] = {
    {"symbol", NULL, GEX__STYLE_TEXT},
    {"spot", "USD", GEX__STYLE_PRICE},
    {"net_gex", NULL, GEX__STYLE_MONEY},
    {"label", NULL, GEX__STYLE_TEXT},
    {"gamma_flip", "USD", GEX__STYLE_PRICE},
    {"dist_to_flip", "%", GEX__STYLE_PCT},
    {"confidence", NULL, GEX__STYLE_TEXT},
    {"vanna_aligned", NULL, GEX__STYLE_TEXT},
    {"call_wall", "USD", GEX__STYLE_STRIKE},
    {"put_wall", "USD", GEX__STYLE_STRIKE},
    {"zero_dte_pct", "% of GEX", GEX__STYLE_PCT},
};

static int sort_column = -1;
static int sort_desc = 0;

/* A row's sort key: text (key_s) or number (has, v). */
static void key(const screen_row *r, int col, const char **s, int *has, double *v)
{
    *s = NULL;
    *has = 1;
    *v = 0.0;
    switch (col) {
    case COL_SYMBOL:
        *s = r->symbol;
        break;
    case COL_SPOT:
        *v = r->spot;
        break;
    case COL_NET_GEX:
    case COL_LABEL:
        *v = r->net_gex;
        break;
    case COL_FLIP:
        *has = r->flip.has;
        *v = r->flip.value;
        break;
    case COL_DIST:
        *has = r->dist.has;
        *v = r->dist.value;
        break;
    case COL_CONFIDENCE:
        *v = strcmp(r->confidence, "high") == 0 ? 2 : strcmp(r->confidence, "moderate") == 0;
        break;
    case COL_VANNA:
        *v = r->vanna_aligned;
        break;
    case COL_CALL_WALL:
        *has = r->call_wall.has;
        *v = r->call_wall.value;
        break;
    case COL_PUT_WALL:
        *has = r->put_wall.has;
        *v = r->put_wall.value;
        break;
    default:
        *v = r->zero_dte_pct;
        break;
    }
}

/* Rows without a value go last in either direction; equal keys keep the input order. */
static int compare(const void *pa, const void *pb)
{
    const screen_row *a = pa, *b = pb;
    const char *sa, *sb;
    int ha, hb;
    double va, vb;
    key(a, sort_column, &sa, &ha, &va);
    key(b, sort_column, &sb, &hb, &vb);
    int c = 0;
    if (sa != NULL)
        c = strcmp(sa, sb);
    else if (ha != hb)
        return ha ? -1 : 1;
    else
        c = (va > vb) - (va < vb);
    if (sort_desc)
        c = -c;
    if (c == 0)
        c = (a > b) - (a < b);
    return c;
}

/* The progress bar: drawn on stderr when it is a terminal and the work is long (several files,
 * or a file of many underlyings); messages clear it first (gex__progress_shown). */
static struct {
    int on;
    size_t file, files;
    struct timespec start;
} bar;

/* The bar appears only once the work has taken this long: a quick screen prints no bar. */
#define PROGRESS_AFTER_S 0.5

/* Underlyings in one file from which the bar is drawn for that file alone. */
#define PROGRESS_MIN_UNDERLYINGS 50

static void progress(size_t done, size_t total)
{
    if (!bar.on)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const double elapsed =
        (double)(now.tv_sec - bar.start.tv_sec) + (double)(now.tv_nsec - bar.start.tv_nsec) * 1e-9;
    if (elapsed < PROGRESS_AFTER_S)
        return;
    /* the share of the whole work: finished files plus the share of this one */
    const double share =
        ((double)bar.file + (total ? (double)done / (double)total : 0.0)) / (double)bar.files;
    const int width = 30;
    int filled = (int)(width * share);
    if (filled > width)
        filled = width;
    fprintf(stderr, "\r\033[Kgex: screen [%.*s%*s] file %zu/%zu", filled,
            "==============================", width - filled, "", bar.file + 1, bar.files);
    if (total > 1)
        fprintf(stderr, ", underlying %zu/%zu", done, total);
    fflush(stderr);
    gex__progress_shown = 1;
}

static void progress_clear(void)
{
    if (gex__progress_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        gex__progress_shown = 0;
    }
}

static int add_row(const gex__options *opts, const char *path, gex_chain *chain,
                   const gex_read_report *read, const gex_prepare_report *prep, screen_row **rows,
                   size_t *n, size_t *cap)
{
    gex__analysis a;
    int rc = gex__analyze(opts, path, chain, read, prep, 1, &a);
    gex__summary s;
    if (rc == GEX__EXIT_OK) {
        const int st = gex__summary_compute(&a, &s);
        if (st != GEX_OK) {
            gex__error(path, 0, "%s: the summary could not be computed: %s", a.symbol,
                       gex_strerror(st));
            rc = GEX__EXIT_INTERNAL;
        }
    }
    if (rc == GEX__EXIT_OK && *n == *cap) {
        const size_t c = *cap ? 2 * *cap : 16;
        screen_row *r = realloc(*rows, c * sizeof *r);
        if (r == NULL)
            rc = GEX__EXIT_INTERNAL;
        else {
            *rows = r;
            *cap = c;
        }
    }
    if (rc == GEX__EXIT_OK) {
        screen_row *r = &(*rows)[(*n)++];
        memset(r, 0, sizeof *r);
        snprintf(r->symbol, sizeof r->symbol, "%s", a.symbol);
        r->file = path;
        r->spot = a.spot;
        r->as_of = a.as_of;
        r->net_gex = a.totals.net_gex;
        r->flip = a.levels.gamma_flip;
        r->dist = s.regime.dist_to_flip;
        r->call_wall = a.levels.call_wall;
        r->put_wall = a.levels.put_wall;
        r->confidence = s.regime.confidence;
        r->vanna_aligned = s.regime.vanna_aligned;
        r->zero_dte_pct = s.zero_dte.has ? s.zero_dte.pct_of_total_gex : 0.0;
    }
    gex__analysis_free(&a);
    return rc;
}

/* Splits a chain of several underlyings into one chain per underlying, in one pass over the
 * contracts (gex_chain_select per underlying would pass over the whole chain once for each),
 * through the public builder: the same contracts, spots, quote instant and --settle overrides.
 * Returns a gex status; *subs holds *n chains in order of first appearance. */
static int split_chain(const gex__options *opts, const gex_chain *big, gex_chain ***subs, size_t *n)
{
    uint32_t first = 0;
    const size_t count = gex_chain_underlyings(big, &first, 1);
    const size_t n_sym = gex_chain_symbol_count(big);
    uint32_t *ids = malloc((count + 1) * sizeof *ids);
    size_t *slot = malloc((n_sym + 1) * sizeof *slot);
    gex_chain **out = calloc(count + 1, sizeof *out);
    int st = ids == NULL || slot == NULL || out == NULL ? GEX_ENOMEM : GEX_OK;
    if (st == GEX_OK) {
        gex_chain_underlyings(big, ids, count);
        for (size_t s = 0; s < n_sym; s++)
            slot[s] = count;
        for (size_t k = 0; k < count && st == GEX_OK; k++) {
            slot[ids[k]] = k;
            out[k] = gex_chain_new();
            if (out[k] == NULL)
                st = GEX_ENOMEM;
        }
    }
    gex_chain_view v;
    gex_chain_get_view(big, &v);
    for (size_t i = 0; i < v.n && st == GEX_OK; i++) {
        const gex_contract c = {
            .underlying = gex_chain_symbol(big, v.underlying[i]),
            .root = gex_chain_symbol(big, v.root[i]),
            .expiration = v.expiration[i],
            .strike = v.strike[i],
            .type = v.type[i],
            .bid = v.bid[i],
            .ask = v.ask[i],
            .last = v.last[i],
            .iv = v.file_iv[i],
            .open_interest = v.open_interest[i],
            .volume = v.volume[i],
            .multiplier = v.multiplier[i],
            .vendor_delta = v.vendor_delta[i],
            .vendor_gamma = v.vendor_gamma[i],
            .line = v.line[i],
        };
        gex_chain *sub = out[slot[v.underlying[i]]];
        st = gex_chain_add(sub, &c);
        if (st == GEX_OK && isfinite(v.spot[i]) && v.spot[i] > 0.0 && gex_chain_size(sub) == 1)
            st = gex_chain_set_spot(sub, c.underlying, v.spot[i]);
    }
    int64_t quote = 0;
    const int has_quote = gex_chain_quote_time(big, &quote) == GEX_OK;
    for (size_t k = 0; k < count && st == GEX_OK; k++) {
        if (has_quote)
            gex_chain_set_quote_time(out[k], quote);
        for (size_t s = 0; s < opts->read.n_settle && st == GEX_OK; s++)
            st =
                gex_chain_set_settle(out[k], opts->read.settle[s].root, opts->read.settle[s].style);
    }
    free(ids);
    free(slot);
    if (st != GEX_OK) {
        for (size_t k = 0; out != NULL && k < count; k++)
            gex_chain_free(out[k]);
        free(out);
        return st;
    }
    *subs = out;
    *n = count;
    return GEX_OK;
}

static int screen_file(const gex__options *opts, const char *path, screen_row **rows, size_t *n,
                       size_t *cap)
{
    gex_chain *chain = NULL;
    gex_read_report read;
    gex_prepare_report prep;
    int rc = gex__read(opts, path, &chain, &read);
    if (rc != GEX__EXIT_OK)
        return rc;
    uint32_t first = 0;
    const size_t count = gex_chain_underlyings(chain, &first, 1);
    int64_t quote = 0;
    if (count <= 1 || gex_chain_quote_time(chain, &quote) != GEX_OK) {
        /* one underlying, or none with a quote instant: prepare says precisely why */
        rc = gex__prepare(opts, path, chain, &prep);
        if (rc != GEX__EXIT_OK) {
            gex_chain_free(chain);
            return rc;
        }
        if (count <= 1)
            return add_row(opts, path, chain, &read, &prep, rows, n, cap);
    }
    gex_chain **subs = NULL;
    size_t n_subs = 0;
    const int st = split_chain(opts, chain, &subs, &n_subs);
    gex_chain_free(chain);
    if (st != GEX_OK) {
        gex__error(path, 0, "splitting the file by underlying failed: %s", gex_strerror(st));
        return gex__exit_status(st);
    }
    int worst = GEX__EXIT_OK;
    const int was_on = bar.on;
    bar.on |= isatty(STDERR_FILENO) && n_subs >= PROGRESS_MIN_UNDERLYINGS;
    for (size_t i = 0; i < n_subs; i++) {
        if (i % 16 == 0)
            progress(i, n_subs);
        int r = gex__prepare(opts, path, subs[i], &prep);
        if (r == GEX__EXIT_OK)
            r = add_row(opts, path, subs[i], &read, &prep, rows, n, cap);
        else
            gex_chain_free(subs[i]);
        if (r != GEX__EXIT_OK)
            worst = r;
    }
    free(subs);
    bar.on = was_on;
    return worst;
}

int gex__cmd_screen(const gex__options *opts, FILE *out)
{
    sort_column = -1;
    sort_desc = opts->sort_descending;
    if (opts->sort != NULL) {
        for (int c = 0; c < COL_COUNT; c++)
            if (strcmp(opts->sort, columns[c].name) == 0)
                sort_column = c;
        if (sort_column < 0) {
            gex__error(NULL, 0,
                       "--sort: '%s' is not a column: symbol, spot, net_gex, label, gamma_flip, "
                       "dist_to_flip, confidence, vanna_aligned, call_wall, put_wall, "
                       "zero_dte_pct (a leading '-' sorts descending)",
                       opts->sort);
            return GEX__EXIT_USAGE;
        }
    }
    bar.on = isatty(STDERR_FILENO) && opts->n_files > 1;
    bar.files = opts->n_files;
    clock_gettime(CLOCK_MONOTONIC, &bar.start);
    screen_row *rows = NULL;
    size_t n = 0, cap = 0, failed = 0;
    int worst = GEX__EXIT_OK;
    for (size_t i = 0; i < opts->n_files; i++) {
        bar.file = i;
        progress(0, 0);
        const int rc = screen_file(opts, opts->files[i], &rows, &n, &cap);
        if (rc != GEX__EXIT_OK) {
            failed++;
            if (rc == GEX__EXIT_INTERNAL || worst == GEX__EXIT_OK)
                worst = rc == GEX__EXIT_INTERNAL ? rc : GEX__EXIT_INPUT;
        }
    }
    progress_clear();
    if (sort_column >= 0 && n > 1)
        qsort(rows, n, sizeof *rows, compare);

    int st = GEX_OK;
    if (opts->format == GEX__OUT_JSON) {
        json_t *d = json_object(), *arr = json_array();
        st = d == NULL || arr == NULL ? GEX_ENOMEM : GEX_OK;
        for (size_t i = 0; i < n && st == GEX_OK; i++) {
            const screen_row *r = &rows[i];
            char iso[40];
            gex_time_format_iso(r->as_of, iso, sizeof iso);
            json_t *o = json_object();
            st |= gex__jset(o, "symbol", gex__jstr(r->symbol));
            st |= gex__jset(o, "underlying_price", gex__jnum(r->spot));
            st |= gex__jset(o, "as_of", gex__jstr(iso));
            st |= gex__jset(o, "net_gex", gex__jnum(r->net_gex));
            st |= gex__jset(o, "net_gex_label", gex__jstr(gex__label(r->net_gex)));
            st |= gex__jset(o, "gamma_flip", gex__jlevel(&r->flip));
            st |= gex__jset(o, "dist_to_flip", gex__jlevel(&r->dist));
            st |= gex__jset(o, "confidence", gex__jstr(r->confidence));
            st |= gex__jset(o, "vanna_aligned", json_boolean(r->vanna_aligned));
            st |= gex__jset(o, "call_wall", gex__jlevel(&r->call_wall));
            st |= gex__jset(o, "put_wall", gex__jlevel(&r->put_wall));
            st |= gex__jset(o, "zero_dte_pct", gex__jnum(r->zero_dte_pct));
            st |= gex__jset(o, "file", gex__jstr(r->file));
            st |= json_array_append_new(arr, o) == 0 ? GEX_OK : GEX_ENOMEM;
        }
        st |= gex__jset(d, "underlyings", arr);
        json_t *meta = json_object();
        char version[64];
        snprintf(version, sizeof version, "gex %s", gex_version());
        st |= gex__jset(meta, "generator", gex__jstr(version));
        st |= gex__jset(meta, "files", json_integer((json_int_t)opts->n_files));
        st |= gex__jset(meta, "files_failed", json_integer((json_int_t)failed));
        st |= gex__jset(meta, "gex_unit", gex__jstr(gex_gex_unit_name(opts->exposure.gex_unit)));
        st |= gex__jset(meta, "flip_method", gex__jstr(gex_flip_method_name(opts->flip_method)));
        st |= gex__jset(meta, "sort", opts->sort ? gex__jstr(opts->sort) : json_null());
        st |= gex__jset(d, "meta", meta);
        if (st == GEX_OK)
            gex__json_write(d, out);
        json_decref(d);
    } else {
        gex__column cols[COL_COUNT];
        memcpy(cols, columns, sizeof cols);
        cols[COL_NET_GEX].unit = opts->exposure.gex_unit == GEX_UNIT_POINT    ? "USD/$1"
                                 : opts->exposure.gex_unit == GEX_UNIT_SHARES ? "shares/$1"
                                                                              : "USD/1%";
        gex__table *t = gex__table_new(cols, COL_COUNT);
        st = t == NULL ? GEX_ENOMEM : GEX_OK;
        for (size_t i = 0; i < n && st == GEX_OK; i++) {
            const screen_row *r = &rows[i];
            st |= gex__table_text(t, r->symbol);
            st |= gex__table_num(t, r->spot);
            st |= gex__table_num(t, r->net_gex);
            st |= gex__table_text(t, gex__label(r->net_gex));
            st |= gex__table_level(t, &r->flip);
            st |= gex__table_level(t, &r->dist);
            st |= gex__table_text(t, r->confidence);
            if (opts->format == GEX__OUT_CSV)
                st |= gex__table_text(t, r->vanna_aligned ? "true" : "false");
            else
                st |= gex__table_text(t, r->vanna_aligned ? "yes" : "no");
            st |= gex__table_level(t, &r->call_wall);
            st |= gex__table_level(t, &r->put_wall);
            st |= gex__table_num(t, r->zero_dte_pct);
        }
        char title[256];
        snprintf(title, sizeof title, "%zu underlyings from %zu files (%zu could not be read)", n,
                 opts->n_files, failed);
        if (st == GEX_OK)
            gex__table_write(t, opts->format, title, out);
        gex__table_free(t);
    }
    free(rows);
    if (st != GEX_OK) {
        gex__error(NULL, 0, "out of memory building the output");
        return GEX__EXIT_INTERNAL;
    }
    return worst;
}
