/*
 * render-validate-internal.h: the model of gex validate's report (render-validate.h), shared by
 * the files that build it (the modes: render-validate-vendor.c, render-validate-chain.c) and the
 * one that writes it (render-validate.c): the series of items compared, the level checks, the
 * breakdowns, the notes and, in chain-only mode, the conventions tried. Private to the
 * rendering layer.
 */
#ifndef GEX_RENDER_VALIDATE_INTERNAL_H
#define GEX_RENDER_VALIDATE_INTERNAL_H

#include <stddef.h>

#include "gex/gex.h"
#include "render-validate.h"

/* Rows listed as "disagreeing most" per series. */
#define GEX__VALIDATE_WORST_ROWS 10
typedef struct gex__validate_item {
    char label[96]; /* strike or contract */
    double vendor, local;
    int ok;
} gex__validate_item;

/* A breakdown row. Chain-only mode: [0] delta, [1] gamma. Per-strike series: [0] the series,
 * and sum[] the vendor's and gex's totals over the bucket. */
typedef struct gex__validate_bucket {
    char name[32];
    size_t n;
    size_t beyond[2];
    double max[2]; /* largest |vendor - gex| */
    double sum[2];
} gex__validate_bucket;

typedef struct gex__validate_series {
    char name[48]; /* "gex net_gex per strike" */
    char unit[32];
    gex_validate_fit fit;
    double floor;
    int hard;
    gex__validate_item *items;
    size_t n_items;
    size_t worst[GEX__VALIDATE_WORST_ROWS];
    size_t n_worst;
    int has_money; /* per-strike series: the breakdown by moneyness below is filled */
    gex__validate_bucket money[GEX_VALIDATE_MONEYNESS_BUCKETS];
} gex__validate_series;

typedef struct gex__validate_check {
    char name[48];
    gex_level vendor, local;
    int hard; /* a hard check fails the run */
    int ok;
    int exact;   /* compared for equality (strikes), else within tol * spot */
    size_t rank; /* soft checks: rank of the vendor's strike in gex's ordering, 0: none */
    char note[160];
} gex__validate_check;

typedef struct gex__validate_conv_row {
    const char *name;
    size_t n;
    double delta_rms, gamma_rms;
    size_t beyond;
    size_t gamma_n, gamma_matched; /* contracts with a vendor gamma, and those within tolerance */
    size_t delta_n, delta_matched; /* the same for delta */
    int block;                     /* its model (chain_only's blocks) and time basis */
    gex_validate_time basis;
} gex__validate_conv_row;

/* Chain-only mode: the row that fits one expiration best, every row scored on that expiration's
 * contracts alone (issue 14: a vendor may price its expirations differently). */
typedef struct gex__validate_expiry_fit {
    char name[16];          /* the expiration date */
    int conv;               /* the row (report.conv), -1 when no row computed a contract */
    gex_validate_score got; /* that row's counts on the expiration */
} gex__validate_expiry_fit;

struct gex__validate_report {
    const char *mode;
    double tol;
    gex__validate_series s[16];
    size_t n_series;
    gex__validate_check c[32];
    size_t n_checks;
    char notes[28][256];
    size_t n_notes;
    gex__validate_bucket expiry[128];
    size_t n_expiry;
    gex__validate_bucket money[GEX_VALIDATE_MONEYNESS_BUCKETS];
    /* flat carry; parity forward; the same at the strike's OTM IV; both from theo; both at the
     * fitted rate; American, own and OTM IV, on the parity fit and at the fitted rate; from theo
     * at theo's IV, on the file's spot and on F D; the mids' forward at the OTM IV on F D */
    gex__validate_conv_row conv[14 * GEX_VALIDATE_T_COUNT];
    size_t n_conv;
    int best_conv;
    gex__validate_expiry_fit expiry_best[128];
    size_t n_expiry_best;
};

/* A report of mode (a static sentence) at relative tolerance tol, empty; NULL when memory ran
 * out. */
gex__validate_report *gex__validate_report_new(const char *mode, double tol);

/* Adds a note (printf's format); notes past the report's room are dropped. */
void gex__validate_note(gex__validate_report *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Adds a series of n items compared at the report's tolerance, differences up to floor
 * counting as equal, scaled by spot where it fits a factor (gex_validate_fit_series); hard: a
 * difference beyond tolerance fails the report. Takes ownership of items (malloc'ed), also on
 * failure. GEX_OK or GEX_ENOMEM (no room, or memory ran out). */
int gex__validate_add_series(gex__validate_report *r, const char *name, const char *unit,
                             gex__validate_item *items, size_t n, double spot, double floor,
                             int hard);

/* Adds a level check: vendor against local, exact (strikes: equal) or within tol * spot;
 * hard: a difference fails the report. The check to complete (its rank, its note), or NULL
 * when the report has no room. */
gex__validate_check *gex__validate_add_check(gex__validate_report *r, const char *name,
                                             const gex_level *vendor, const gex_level *local,
                                             int hard, int exact, double spot);

/* Differences at the level of floating-point rounding are not listed as disagreements: gex's
 * vectorised and scalar greeks agree to 1e-12 relative (gex/bs.h), and net = call + put can
 * cancel a few orders of magnitude of that, so a vendor computing exactly as gex does can differ
 * by up to about 1e-10; 1e-9 is above that and far below any difference that matters. */
#define GEX__VALIDATE_ROUNDING_NOISE_REL 1e-9

/* Whether an item's two values differ by rounding noise alone. */
int gex__validate_is_noise(const gex__validate_item *it);

#endif /* GEX_RENDER_VALIDATE_INTERNAL_H */
