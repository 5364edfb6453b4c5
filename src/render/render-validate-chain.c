/*
 * render-validate-chain.c: gex validate's chain-only mode (render-validate.h): the chain's own
 * delta and gamma columns against gex's greeks from the chain's IV, under each carry,
 * volatility, exercise and time convention a vendor may have priced with (the rows), the row
 * that fits the file and each expiration best, and the per-contract sections under that row.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render-validate-internal.h"

/* Contracts priced American per rate when fitting the American rows' rate: about a second of
 * boundary solves over the grid and the four time bases. */
#define AMERICAN_RATE_SAMPLE 500
/* The parity lines stop where the notes reach this many (with the notes before them). */
#define PARITY_NOTES_MAX 16
/* The expirations fitted by put-call parity (gex_chain_parity_fit), nearest first. */
#define FITS_MAX 256

/* One contract's greek (g: 0 delta, 1 gamma) into the series and its two buckets. */
static void tally(gex__validate_item *items, size_t *n, const char *label, double vendor,
                  double local, double tol, double floor, gex__validate_bucket *by_expiry,
                  gex__validate_bucket *by_moneyness, int g)
{
    if (!isfinite(vendor))
        return;
    gex__validate_item *it = &items[(*n)++];
    snprintf(it->label, sizeof it->label, "%s", label);
    it->vendor = vendor;
    it->local = local;
    const double d = fabs(vendor - local);
    const int ok = gex_validate_agrees(vendor, local, tol, floor);
    gex__validate_bucket *b[2] = {by_expiry, by_moneyness};
    for (int k = 0; k < 2; k++) {
        if (b[k] == NULL)
            continue;
        b[k]->beyond[g] += !ok;
        b[k]->max[g] = fmax(b[k]->max[g], d);
    }
}

/* One model of chain-only mode's rows: the carry, volatility, exercise and spot a vendor may
 * have priced with; each is tried under the four time bases. */
typedef struct row_model {
    const char *const *names; /* NULL: gex_validate_time_name */
    const gex_parity_fit *fits;
    size_t n_fits;
    const double *sigma;
    gex_exercise exercise;
    int american;   /* shown only where some root is priced American */
    int theo;       /* shown only where the file has theoretical prices that fit */
    int held;       /* shown only where some expiration has a parity fit */
    double spot;    /* every contract's spot (gex_validate_chain_greeks_spot); NAN: its own */
    int theo_sigma; /* sigma is theo's IV (gex_validate_theo_iv): one row, any time basis */
    int fd;         /* each expiration on S = F D (gex_validate_chain_greeks_forward) */
} row_model;

/* What chain-only mode knows of the chain while it builds the report: the file's greeks and
 * gex's, the forwards fitted to each expiration, and the volatilities and rates its rows price
 * with. */
typedef struct chain_job {
    const gex__analysis *a;
    gex_chain_view v;
    double *vd, *vg, *gd, *gg; /* the file's delta and gamma, then gex's, per contract */
    uint8_t *computed;         /* gex's greeks of the contract are computed */
    double floor_d, floor_g;   /* differences that count as equal: half the file's digit */
    /* the carry of each expiration: put-call parity on the mids (fitted of them ok); on the
     * theoretical prices where they fit (else the mids'); at the fitted rate; and at the
     * American fitted rate with the forward from the strikes at or below the spot */
    gex_parity_fit fits[FITS_MAX], theo_fits[FITS_MAX], held_fits[FITS_MAX], below_fits[FITS_MAX];
    size_t n_fits, fitted, n_theo, theo_fitted;
    /* each strike's OTM side's IV on fits, theo_fits and below_fits (one block), and theo's IV
     * (NULL without theoretical prices that fit) */
    double *otm_iv, *otm_theo_iv, *otm_below_iv, *theo_iv;
    double fitted_rate, am_rate; /* the rates fitted, European and American */
    int fitted_basis, am_basis;  /* the time basis each was fitted under, -1: none */
    double implied_spot;         /* the spot the nearest forward implies; NAN: none */
} chain_job;

/* The greeks of every contract under a row's model and time basis (gex/validate.h). */
static int model_greeks(const gex__analysis *a, const row_model *m, gex_validate_time basis,
                        double *gd, double *gg, uint8_t *computed, size_t *american, size_t *two)
{
    if (m->fd)
        return gex_validate_chain_greeks_forward(a->chain, a->as_of, basis, m->fits, m->n_fits,
                                                 m->exercise, m->sigma, gd, gg, computed, NULL,
                                                 american, two);
    if (m->spot > 0.0)
        return gex_validate_chain_greeks_spot(a->chain, a->as_of, basis, m->fits, m->n_fits,
                                              m->exercise, m->sigma, m->spot, gd, gg, computed,
                                              american, two);
    return gex_validate_chain_greeks_sigma(a->chain, a->as_of, basis, m->fits, m->n_fits,
                                           m->exercise, m->sigma, gd, gg, computed, NULL, american,
                                           two);
}

/* The forward of each expiration from put-call parity on the mids, and on the theoretical
 * prices where the file has them, with the report's notes on them. */
static int fit_forwards(gex__validate_report *r, chain_job *j)
{
    /* The carry of each expiration from put-call parity on the file's own mids (issue 14:
     * CBOE's greeks use the parity forward). */
    int st =
        gex_chain_parity_fit(j->a->chain, j->fits, sizeof j->fits / sizeof j->fits[0], &j->n_fits);
    if (j->n_fits > sizeof j->fits / sizeof j->fits[0])
        j->n_fits = sizeof j->fits / sizeof j->fits[0];
    for (size_t e = 0; e < j->n_fits; e++)
        j->fitted += j->fits[e].ok != 0;
    if (st == GEX_OK)
        gex__validate_note(
            r,
            "put-call parity gives a forward for %zu of %zu expirations (at least %d two-sided "
            "strikes); the others keep the flat carry",
            j->fitted, j->n_fits, GEX_PARITY_MIN_PAIRS);
    for (size_t e = 0; e < j->n_fits && st == GEX_OK; e++) {
        if (!j->fits[e].ok || r->n_notes + 4 >= PARITY_NOTES_MAX)
            continue;
        /* the nearest expirations, where the forward matters most for gamma; the notes after
         * them (the rows' fits, the pick) have room of their own */
        char when[40];
        gex_time_format_iso(j->fits[e].settlement, when, sizeof when);
        gex__validate_note(
            r,
            "parity %s: forward %.4f (spot %g), implied r %.4f q %.4f, residual %.3g on %zu "
            "strikes",
            when, j->fits[e].forward, j->a->spot, j->fits[e].rate, j->fits[e].div,
            j->fits[e].residual, j->fits[e].pairs);
    }

    /* The carry of each expiration from parity on the file's theoretical prices where it has
     * them (CBOE's JSON: "theo", its model's price of each option): the forward CBOE's own
     * model used, free of the quotes' spreads. An expiration without enough strikes priced on
     * both sides keeps the fit on the mids. */
    if (st == GEX_OK)
        st = gex_chain_parity_fit_prices(j->a->chain, GEX_PARITY_THEO, j->theo_fits,
                                         sizeof j->theo_fits / sizeof j->theo_fits[0], &j->n_theo);
    if (j->n_theo > j->n_fits)
        j->n_theo = j->n_fits; /* the same expirations, in the same order, as the fit on the mids */
    for (size_t e = 0; e < j->n_theo && st == GEX_OK; e++) {
        if (j->theo_fits[e].ok && j->theo_fits[e].settlement == j->fits[e].settlement)
            j->theo_fitted++;
        else
            j->theo_fits[e] = j->fits[e];
    }
    if (st == GEX_OK && j->theo_fitted > 0)
        gex__validate_note(
            r,
            "put-call parity on the file's theoretical prices (\"theo\") gives a forward for %zu "
            "of %zu expirations; the rows \"parity forward from theo\" use it (the others keep "
            "the fit on the mids)",
            j->theo_fitted, j->n_fits);
    return st;
}

/* The carries, volatilities and time conventions a vendor may have used (SPEC 4, chain-only
 * mode), each under the four time bases: the flat carry; the parity forward; the parity
 * forward at each strike's out-of-the-money IV (CBOE prints one gamma for a strike's call
 * and put); where the file has theoretical prices, the same two with the forward from them;
 * where the chain has roots priced American (single stocks, ETFs: gex_exercise_for_root),
 * the parity rows again with the American model's greeks for those roots (SPEC 1.8), at the
 * contracts' own and at the OTM IV. */
static const char *const parity_names[GEX_VALIDATE_T_COUNT] = {
    "parity forward; quote instant, calendar days / 365",
    "parity forward; quote instant, trading days / 252",
    "parity forward; previous 16:00 close, calendar / 365",
    "parity forward; previous 16:00 close, trading / 252"};
static const char *const otm_names[GEX_VALIDATE_T_COUNT] = {
    "parity forward, strike's OTM IV; quote instant, calendar days / 365",
    "parity forward, strike's OTM IV; quote instant, trading days / 252",
    "parity forward, strike's OTM IV; previous 16:00 close, calendar / 365",
    "parity forward, strike's OTM IV; previous 16:00 close, trading / 252"};
static const char *const theo_names[GEX_VALIDATE_T_COUNT] = {
    "parity forward from theo; quote instant, calendar days / 365",
    "parity forward from theo; quote instant, trading days / 252",
    "parity forward from theo; previous 16:00 close, calendar / 365",
    "parity forward from theo; previous 16:00 close, trading / 252"};
static const char *const theo_otm_names[GEX_VALIDATE_T_COUNT] = {
    "parity forward from theo, strike's OTM IV; quote instant, calendar days / 365",
    "parity forward from theo, strike's OTM IV; quote instant, trading days / 252",
    "parity forward from theo, strike's OTM IV; previous 16:00 close, calendar / 365",
    "parity forward from theo, strike's OTM IV; previous 16:00 close, trading / 252"};
static const char *const american_names[GEX_VALIDATE_T_COUNT] = {
    "American by root; parity forward; quote instant, calendar days / 365",
    "American by root; parity forward; quote instant, trading days / 252",
    "American by root; parity forward; previous 16:00 close, calendar / 365",
    "American by root; parity forward; previous 16:00 close, trading / 252"};
static const char *const american_otm_names[GEX_VALIDATE_T_COUNT] = {
    "American by root; parity forward, strike's OTM IV; quote instant, calendar days / 365",
    "American by root; parity forward, strike's OTM IV; quote instant, trading days / 252",
    "American by root; parity forward, strike's OTM IV; previous 16:00 close, calendar / 365",
    "American by root; parity forward, strike's OTM IV; previous 16:00 close, trading / 252"};

/* One rate for every expiration, fitted to the file's own columns (gex_validate_fit_rate):
 * the parity fit's D is biased where the mids carry an early-exercise premium (American
 * chains: QQQ's D above 1) and follows no one rate on thin long expirations, while a
 * vendor's model discounts at one rate; the forward of each expiration is kept. */
static const char *const held_names[GEX_VALIDATE_T_COUNT] = {
    "parity forward, fitted rate; quote instant, calendar days / 365",
    "parity forward, fitted rate; quote instant, trading days / 252",
    "parity forward, fitted rate; previous 16:00 close, calendar / 365",
    "parity forward, fitted rate; previous 16:00 close, trading / 252"};
static const char *const held_otm_names[GEX_VALIDATE_T_COUNT] = {
    "parity forward, fitted rate, strike's OTM IV; quote instant, calendar days / 365",
    "parity forward, fitted rate, strike's OTM IV; quote instant, trading days / 252",
    "parity forward, fitted rate, strike's OTM IV; previous 16:00 close, calendar / 365",
    "parity forward, fitted rate, strike's OTM IV; previous 16:00 close, trading / 252"};
static const char *const held_american_names[GEX_VALIDATE_T_COUNT] = {
    "American by root; implied spot, forward below it, fitted rate; "
    "quote instant, calendar days / 365",
    "American by root; implied spot, forward below it, fitted rate; "
    "quote instant, trading days / 252",
    "American by root; implied spot, forward below it, fitted rate; "
    "previous 16:00 close, calendar / 365",
    "American by root; implied spot, forward below it, fitted rate; "
    "previous 16:00 close, trading / 252"};
static const char *const held_american_otm_names[GEX_VALIDATE_T_COUNT] = {
    "American by root; implied spot, forward below it, fitted rate, strike's OTM IV; "
    "quote instant, calendar days / 365",
    "American by root; implied spot, forward below it, fitted rate, strike's OTM IV; "
    "quote instant, trading days / 252",
    "American by root; implied spot, forward below it, fitted rate, strike's OTM IV; "
    "previous 16:00 close, calendar / 365",
    "American by root; implied spot, forward below it, fitted rate, strike's OTM IV; "
    "previous 16:00 close, trading / 252"};

/* CBOE's own model (its JSON's "theo" prices): each strike at the IV of its OTM side's
 * theoretical price (gex_validate_theo_iv, solved once, at the previous close's T: sigma
 * sqrt(T) is the price's whatever the basis), and each expiration priced on its own underlying
 * F D with q = 0 (gex_validate_chain_greeks_forward) rather than the file's last price */
static const char *const theo_iv_names[GEX_VALIDATE_T_COUNT] = {
    "parity forward from theo, theo's IV; any time basis (sigma sqrt(T) from the price)"};
static const char *const theo_fd_names[GEX_VALIDATE_T_COUNT] = {
    "parity forward from theo, theo's IV, spot F D; any time basis (sigma sqrt(T) from the "
    "price)"};
static const char *const otm_fd_names[GEX_VALIDATE_T_COUNT] = {
    "parity forward, strike's OTM IV, spot F D; quote instant, calendar days / 365",
    "parity forward, strike's OTM IV, spot F D; quote instant, trading days / 252",
    "parity forward, strike's OTM IV, spot F D; previous 16:00 close, calendar / 365",
    "parity forward, strike's OTM IV, spot F D; previous 16:00 close, trading / 252"};

/* Each strike's call and put at the IV of its out-of-the-money side, on the parity forwards
 * of the mids and of theo. */
static int otm_volatilities(gex__validate_report *r, chain_job *j)
{
    j->otm_iv = malloc((3 * j->v.n + 1) * sizeof *j->otm_iv);
    if (j->otm_iv == NULL)
        return GEX_ENOMEM;
    j->otm_theo_iv = j->otm_iv + j->v.n;
    j->otm_below_iv = j->otm_iv + 2 * j->v.n;
    size_t otm_replaced = 0;
    int st = gex_validate_otm_iv(j->a->chain, j->fits, j->n_fits, j->otm_iv, &otm_replaced);
    if (st == GEX_OK && j->theo_fitted > 0)
        st = gex_validate_otm_iv(j->a->chain, j->theo_fits, j->n_theo, j->otm_theo_iv, NULL);
    if (st == GEX_OK)
        gex__validate_note(
            r,
            "the strike's OTM IV: the rows so named price a strike's call and put at the IV of "
            "its out-of-the-money side (the call at or above the parity forward, the put "
            "below): %zu contracts take the other side's IV",
            otm_replaced);
    return st;
}

/* One rate for every expiration fitted to the file's columns, European and, where the chain
 * has American roots, American, with the forwards and the implied spot of the rows that use
 * them. */
static int fit_rates(gex__validate_report *r, chain_job *j)
{
    int st = GEX_OK;
    gex_validate_score fitted_score = {0, 0, 0, 0, 0.0};
    for (int c = 0; c < GEX_VALIDATE_T_COUNT && st == GEX_OK && j->fitted > 0; c++) {
        double rate_c = 0.0;
        gex_validate_score sc;
        st = gex_validate_fit_rate(j->a->chain, j->a->as_of, (gex_validate_time)c, j->fits,
                                   j->n_fits, r->tol, &rate_c, &sc);
        if (st == GEX_OK && (j->fitted_basis < 0 || gex_validate_better(&sc, &fitted_score))) {
            j->fitted_rate = rate_c;
            fitted_score = sc;
            j->fitted_basis = c;
        }
    }
    /* The American rows at the fitted rate take each expiration's forward from the strikes at
     * or below the spot only (gex_validate_forward_below_spot): above it the in-the-money put's
     * early-exercise premium pulls C - P, and so the forward of the mids, down. */
    /* The rate of those rows, fitted with the American model on a sample of the contracts
     * (AMERICAN_RATE_SAMPLE of them, each an exercise-boundary solve), where the chain has
     * American roots */
    j->am_rate = j->fitted_rate;
    size_t n_am_roots = 0;
    for (size_t i = 0; i < j->v.n; i++)
        n_am_roots += j->v.status[i] == GEX_CONTRACT_OK &&
                      gex_exercise_for_chain(j->a->chain, j->v.root[i], GEX_EXERCISE_AUTO) ==
                          GEX_EXERCISE_AMERICAN;
    gex_validate_score am_score = {0, 0, 0, 0, 0.0};
    for (int c = 0; c < GEX_VALIDATE_T_COUNT && st == GEX_OK && j->fitted_basis >= 0 && n_am_roots;
         c++) {
        double rate_c = 0.0;
        gex_validate_score sc;
        st = gex_validate_fit_rate_american(j->a->chain, j->a->as_of, (gex_validate_time)c, j->fits,
                                            j->n_fits, r->tol, AMERICAN_RATE_SAMPLE, &rate_c, &sc);
        if (st == GEX_OK && (j->am_basis < 0 || gex_validate_better(&sc, &am_score))) {
            j->am_rate = rate_c;
            am_score = sc;
            j->am_basis = c;
        }
    }
    if (st == GEX_OK && j->fitted_basis >= 0) {
        /* D at the rate over the T of the basis it was fitted under, as the fit priced */
        gex_validate_hold_rate_basis(j->fits, j->n_fits, j->fitted_rate, j->a->as_of,
                                     (gex_validate_time)j->fitted_basis, j->held_fits);
        gex_validate_hold_rate_basis(
            j->fits, j->n_fits, j->am_rate, j->a->as_of,
            (gex_validate_time)(j->am_basis >= 0 ? j->am_basis : j->fitted_basis), j->below_fits);
        st = gex_validate_forward_below_spot(j->a->chain, j->below_fits, j->n_fits, j->below_fits);
    }
    if (st == GEX_OK && j->fitted_basis >= 0)
        st = gex_validate_otm_iv(j->a->chain, j->below_fits, j->n_fits, j->otm_below_iv, NULL);
    /* and the spot implied by the nearest forward (gex_validate_implied_spot): a file's last
     * price can be stale where the mids are not (a weekend file) */
    j->implied_spot =
        j->fitted_basis >= 0 ? gex_validate_implied_spot(j->below_fits, j->n_fits) : (double)NAN;
    if (st == GEX_OK && j->fitted_basis >= 0) {
        gex__validate_note(
            r,
            "rows \"fitted rate\": each expiration's parity forward, discounted at r = %.2f%%, "
            "the rate of 0-%.0f%% (by %.2f%%) whose greeks at the own IV match the file best "
            "(%s)",
            100.0 * j->fitted_rate, 100.0 * GEX_VALIDATE_RATE_MAX, 100.0 * GEX_VALIDATE_RATE_STEP,
            gex_validate_time_name(j->fitted_basis));
        if (j->implied_spot > 0.0 && j->am_basis >= 0)
            gex__validate_note(
                r,
                "rows \"implied spot, forward below it\": spot %.4f (file %g) implied by the "
                "nearest forward, forwards from strikes at or below the spot, r = %.2f%% "
                "(0-%.0f%% by %.0f%%) fitted American on %d contracts (%s)",
                j->implied_spot, j->a->spot, 100.0 * j->am_rate, 100.0 * GEX_VALIDATE_RATE_MAX,
                100.0 * GEX_VALIDATE_AM_RATE_STEP, AMERICAN_RATE_SAMPLE,
                gex_validate_time_name(j->am_basis));
    }
    return st;
}

/* Theo's IV: each strike at the IV of its OTM side's theoretical price. */
static int theo_volatility(gex__validate_report *r, chain_job *j)
{
    if (j->theo_fitted == 0)
        return GEX_OK;
    j->theo_iv = malloc((j->v.n + 1) * sizeof *j->theo_iv);
    if (j->theo_iv == NULL)
        return GEX_ENOMEM;
    size_t solved = 0;
    const int st = gex_validate_theo_iv(j->a->chain, j->a->as_of, GEX_VALIDATE_T_CLOSE_CALENDAR,
                                        j->theo_fits, j->n_theo, j->theo_iv, &solved);
    if (st == GEX_OK)
        gex__validate_note(
            r,
            "rows \"theo's IV\": each strike at the IV of its out-of-the-money side's "
            "theoretical price (the file's \"theo\", CBOE's model output, not a quote) at "
            "the theo forward, S = F D, q = 0: %zu contracts",
            solved);
    return st;
}

/* Scores every row (each model under each time basis) on the file's columns: r->conv, and
 * per_expiry[row * room + place] the same counts per expiration (r->expiry_best, room of
 * them), their delta_rms the sum of squares. */
static int score_rows(gex__validate_report *r, chain_job *j, const row_model *blocks,
                      size_t n_blocks, gex_validate_score *per_expiry, size_t room)
{
    int st = GEX_OK;
    /* Each row is scored on every expiration too (by date, as the breakdown below), so that the
     * row that fits each expiration best can be named: expiry_of[i] is contract i's place in
     * r->expiry_best (EXPIRY_NONE past its room), per_expiry[row * room + place] the counts, its
     * delta_rms the sum of squares until the end. */
    enum { EXPIRY_NONE = 0xffff };
    uint16_t *expiry_of = st == GEX_OK ? malloc((j->v.n + 1) * sizeof *expiry_of) : NULL;
    if (st == GEX_OK && expiry_of == NULL)
        st = GEX_ENOMEM;
    for (size_t i = 0; i < j->v.n && st == GEX_OK; i++) {
        char exp[16];
        gex_time_format_date(j->v.expiration[i], exp, sizeof exp);
        size_t e = 0;
        while (e < r->n_expiry_best && strcmp(r->expiry_best[e].name, exp) != 0)
            e++;
        if (e == r->n_expiry_best && e < room) {
            snprintf(r->expiry_best[e].name, sizeof r->expiry_best[e].name, "%s", exp);
            r->expiry_best[e].conv = -1;
            r->n_expiry_best++;
        }
        expiry_of[i] = e < room ? (uint16_t)e : (uint16_t)EXPIRY_NONE;
    }
    int no_american = 0, american_noted = 0;
    for (size_t bl = 0; bl < n_blocks && st == GEX_OK; bl++) {
        if ((blocks[bl].theo && j->theo_fitted == 0) || (blocks[bl].american && no_american) ||
            (blocks[bl].held && j->fitted_basis < 0))
            continue;
        for (int c = 0; c < GEX_VALIDATE_T_COUNT && st == GEX_OK; c++) {
            /* theo's IV is solved at the row's T: sigma sqrt(T), and so every greek but a
             * rounding, is the same under every time basis; one row, the previous close's, on
             * the IVs solved above for that basis */
            if (blocks[bl].theo_sigma && c != GEX_VALIDATE_T_QUOTE_CALENDAR)
                continue;
            const gex_validate_time basis =
                blocks[bl].theo_sigma ? GEX_VALIDATE_T_CLOSE_CALENDAR : (gex_validate_time)c;
            gex__validate_conv_row *cr = &r->conv[r->n_conv++];
            cr->name = blocks[bl].names != NULL ? blocks[bl].names[c] : gex_validate_time_name(c);
            size_t american = 0, two = 0;
            st = model_greeks(j->a, &blocks[bl], basis, j->gd, j->gg, j->computed, &american, &two);
            cr->block = (int)bl;
            cr->basis = basis;
            if (st == GEX_OK && blocks[bl].american && american + two == 0) {
                r->n_conv--; /* every root is European: the rows would repeat the parity ones */
                no_american = 1;
                break;
            }
            if (st == GEX_OK && blocks[bl].american && !american_noted) {
                american_noted = 1;
                gex__validate_note(
                    r,
                    "American by root (gex/american.h, SPEC 1.8): %zu contracts priced American "
                    "in the first such row; %zu kept Black-Scholes where the fitted carry gives "
                    "two exercise boundaries (a negative rate)",
                    american, two);
            }
            double sd = 0.0, sg = 0.0;
            size_t n_d = 0, n_g = 0;
            gex_validate_score *row_expiry = per_expiry + (r->n_conv - 1) * room;
            for (size_t i = 0; i < j->v.n && st == GEX_OK; i++) {
                if (!j->computed[i])
                    continue;
                cr->n++;
                gex_validate_score *ex =
                    expiry_of[i] != EXPIRY_NONE ? &row_expiry[expiry_of[i]] : NULL;
                if (isfinite(j->vd[i])) {
                    const double d2 = (j->vd[i] - j->gd[i]) * (j->vd[i] - j->gd[i]);
                    sd += d2;
                    n_d++;
                    const int agrees = gex_validate_agrees(j->vd[i], j->gd[i], r->tol, j->floor_d);
                    cr->beyond += !agrees;
                    cr->delta_n++;
                    cr->delta_matched += (size_t)agrees;
                    if (ex != NULL) {
                        ex->delta_n++;
                        ex->delta_matched += (size_t)agrees;
                        ex->delta_rms += d2;
                    }
                }
                if (isfinite(j->vg[i])) {
                    sg += (j->vg[i] - j->gg[i]) * (j->vg[i] - j->gg[i]);
                    n_g++;
                    const int agrees = gex_validate_agrees(j->vg[i], j->gg[i], r->tol, j->floor_g);
                    cr->beyond += !agrees;
                    cr->gamma_n++;
                    cr->gamma_matched += (size_t)agrees;
                    if (ex != NULL) {
                        ex->gamma_n++;
                        ex->gamma_matched += (size_t)agrees;
                    }
                }
            }
            cr->delta_rms = n_d ? sqrt(sd / (double)n_d) : 0.0;
            cr->gamma_rms = n_g ? sqrt(sg / (double)n_g) : 0.0;
        }
    }
    free(expiry_of);
    return st;
}

/* The row that fits the file best, and each expiration's (per_expiry as score_rows left it),
 * with the report's notes on them. */
static void pick_best(gex__validate_report *r, const gex_validate_score *per_expiry, size_t room)
{
    /* Best: the largest share of the file's gamma matched (issue 14's measure; the share of
     * delta where the file has no gamma column), then the smallest delta RMS. Conventions
     * under which fewer contracts could be computed (T <= 0) are compared on what they cover. */
    for (size_t c = 0; c < r->n_conv; c++) {
        const gex__validate_conv_row *x = &r->conv[c];
        if (x->n == 0)
            continue;
        if (r->best_conv < 0) {
            r->best_conv = (int)c;
            continue;
        }
        const gex__validate_conv_row *b = &r->conv[r->best_conv];
        const gex_validate_score sx = {x->gamma_n, x->gamma_matched, x->delta_n, x->delta_matched,
                                       x->delta_rms};
        const gex_validate_score sb = {b->gamma_n, b->gamma_matched, b->delta_n, b->delta_matched,
                                       b->delta_rms};
        if (gex_validate_better(&sx, &sb))
            r->best_conv = (int)c;
    }
    /* Each expiration's best row, by the same rule on its contracts alone (on equal scores the
     * earlier row, as for the file), and the share matched with each expiration under its own */
    size_t composite_n = 0, composite_matched = 0;
    for (size_t e = 0; e < r->n_expiry_best; e++) {
        gex__validate_expiry_fit *f = &r->expiry_best[e];
        for (size_t c = 0; c < r->n_conv; c++) {
            gex_validate_score sc = per_expiry[c * room + e];
            if (sc.gamma_n + sc.delta_n == 0)
                continue;
            sc.delta_rms = sc.delta_n ? sqrt(sc.delta_rms / (double)sc.delta_n) : 0.0;
            if (f->conv < 0 || gex_validate_better(&sc, &f->got)) {
                f->conv = (int)c;
                f->got = sc;
            }
        }
        if (f->conv >= 0) {
            composite_n += f->got.gamma_n;
            composite_matched += f->got.gamma_matched;
        }
    }
    if (r->best_conv >= 0) {
        const gex__validate_conv_row *b = &r->conv[r->best_conv];
        gex__validate_note(
            r, "the chain's greeks fit best with %s%s: gamma within tolerance on %.1f%% of %zu",
            b->name, r->best_conv == 0 ? " (gex's convention, SPEC 1.1)" : "",
            b->gamma_n ? 100.0 * (double)b->gamma_matched / (double)b->gamma_n : 0.0, b->gamma_n);
        if (composite_n > 0 && r->n_expiry_best > 1)
            gex__validate_note(
                r,
                "each expiration under the row that fits it best (a combination per "
                "expiration, more freedom than one row for the file): gamma within tolerance on "
                "%.1f%% of %zu",
                100.0 * (double)composite_matched / (double)composite_n, composite_n);
        if (b->gamma_n > 0 && (double)b->gamma_matched < 0.9 * (double)b->gamma_n)
            gex__validate_note(
                r, "little matches: the vendor may price American exercise (single stocks and "
                   "ETFs), use its own IV column (--iv-source file), or other rates (--rate, "
                   "--div); compare --now with the file's quote time");
    }
}

/* The per-contract sections: the file's greeks against gex's under the row that fits best,
 * into di and gi (*nd and *ng of them) and the breakdowns by expiration and moneyness. */
static int compare_contracts(gex__validate_report *r, chain_job *j, const row_model *blocks,
                             gex__validate_item *di, size_t *nd, gex__validate_item *gi, size_t *ng)
{
    int st = GEX_OK;
    size_t skipped_status = 0;
    /* by expiration and moneyness */
    for (int b = 0; b < GEX_VALIDATE_MONEYNESS_BUCKETS; b++)
        snprintf(r->money[b].name, sizeof r->money[b].name, "%s", gex_validate_moneyness_name(b));
    /* The per-contract sections: the file's greeks against gex's under the row that fits
     * best, so that what disagrees is what that row leaves unexplained (gex's convention when
     * no row could be computed). */
    const gex__validate_conv_row *shown = r->best_conv >= 0 ? &r->conv[r->best_conv] : NULL;
    if (st == GEX_OK) {
        size_t american = 0, two = 0;
        st = shown != NULL ? model_greeks(j->a, &blocks[shown->block], shown->basis, j->gd, j->gg,
                                          j->computed, &american, &two)
                           : gex_validate_chain_greeks(j->a->chain, j->a->as_of,
                                                       GEX_VALIDATE_T_QUOTE_CALENDAR, j->gd, j->gg,
                                                       j->computed);
    }
    if (st == GEX_OK && shown != NULL && r->best_conv != 0)
        gex__validate_note(
            r, "the sections below compare the file's greeks with gex's under that best fit, not "
               "gex's convention");
    for (size_t i = 0; i < j->v.n && st == GEX_OK; i++) {
        if (!j->computed[i]) {
            skipped_status++;
            continue;
        }
        char label[96], exp[16];
        gex_time_format_date(j->v.expiration[i], exp, sizeof exp);
        char k[48];
        gex__fmt_roundtrip(j->v.strike[i], k, sizeof k);
        const char *root = gex_chain_symbol(j->a->chain, j->v.root[i]);
        snprintf(label, sizeof label, "%s %s %s %s", root != NULL ? root : j->a->symbol, exp, k,
                 j->v.type[i] == GEX_PUT ? "P" : "C");
        gex__validate_bucket *eb = NULL;
        for (size_t e = 0; e < r->n_expiry; e++)
            if (strcmp(r->expiry[e].name, exp) == 0)
                eb = &r->expiry[e];
        if (eb == NULL && r->n_expiry < sizeof r->expiry / sizeof r->expiry[0]) {
            eb = &r->expiry[r->n_expiry++];
            snprintf(eb->name, sizeof eb->name, "%s", exp);
        }
        gex__validate_bucket *mb =
            &r->money[gex_validate_moneyness_bucket(j->v.strike[i], j->v.spot[i])];
        if (eb != NULL)
            eb->n++;
        mb->n++;
        tally(di, nd, label, j->vd[i], j->gd[i], r->tol, j->floor_d, eb, mb, 0);
        tally(gi, ng, label, j->vg[i], j->gg[i], r->tol, j->floor_g, eb, mb, 1);
    }
    if (skipped_status > 0)
        gex__validate_note(r,
                           "%zu contracts not compared: expired, no IV in the file, or greeks not "
                           "representable",
                           skipped_status);
    return st;
}

int gex__validate_chain_only(const gex__validate_input *in, const gex__analysis *a,
                             gex__validate_report **report, gex_error *err)
{
    *report = NULL;
    chain_job j;
    memset(&j, 0, sizeof j);
    j.a = a;
    j.fitted_basis = -1;
    j.am_basis = -1;
    j.implied_spot = (double)NAN;
    gex_chain_get_view(a->chain, &j.v);
    const size_t n = j.v.n;
    size_t have = 0;
    for (size_t i = 0; i < n; i++)
        have += isfinite(j.v.vendor_delta[i]) || isfinite(j.v.vendor_gamma[i]);
    if (have == 0)
        return gex_error_set(err, GEX_ENOTFOUND, a->path, 0, 0,
                             "the chain carries no delta or gamma columns to compare; give the "
                             "vendor's responses with --vendor");
    gex__validate_report *r = gex__validate_report_new(
        "the chain's own delta and gamma columns against gex's greeks from the chain's IV",
        in->tol);
    double rate = 0.0, div = 0.0;
    gex_analysis_carry(a->an, &rate, &div);
    gex__validate_item *di = calloc(n + 1, sizeof *di), *gi = calloc(n + 1, sizeof *gi);
    j.vd = malloc((4 * n + 1) * sizeof *j.vd);
    j.computed = malloc(n + 1);
    if (r == NULL || di == NULL || gi == NULL || j.vd == NULL || j.computed == NULL) {
        gex__validate_report_free(r);
        free(di);
        free(gi);
        free(j.vd);
        free(j.computed);
        return gex_error_set(err, GEX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    j.vg = j.vd + n, j.gd = j.vg + n, j.gg = j.gd + n; /* the file's, then gex's */
    for (size_t i = 0; i < n; i++) {
        j.vd[i] = j.v.vendor_delta[i];
        j.vg[i] = j.v.vendor_gamma[i];
    }
    const double qd = gex_validate_quantum(j.vd, n), qg = gex_validate_quantum(j.vg, n);
    j.floor_d = qd / 2.0, j.floor_g = qg / 2.0;
    gex__validate_note(
        r,
        "chain: %s (%s, spot %g, rate %g, div %g); the file prints delta to %g and gamma "
        "to %g, so differences up to half of that count as equal",
        a->path, a->symbol, a->spot, rate, div, qd, qg);

    /* The fits: the forwards, the volatilities and the rates a vendor may have priced with. */
    int st = fit_forwards(r, &j);
    if (st == GEX_OK)
        st = otm_volatilities(r, &j);
    if (st == GEX_OK)
        st = fit_rates(r, &j);
    if (st == GEX_OK)
        st = theo_volatility(r, &j);
    if (st == GEX_OK && j.fitted > 0)
        gex__validate_note(
            r, "rows \"spot F D\": each expiration priced on the underlying its parity forward "
               "implies, S = F D with q = 0, instead of the file's spot");
    /* The rows: each model under each time basis (the names above say what each prices with). */
    const row_model blocks[] = {
        {NULL, NULL, 0, j.v.iv, GEX_EXERCISE_EUROPEAN, 0, 0, 0, (double)NAN, 0, 0},
        {parity_names, j.fits, j.n_fits, j.v.iv, GEX_EXERCISE_EUROPEAN, 0, 0, 0, (double)NAN, 0, 0},
        {otm_names, j.fits, j.n_fits, j.otm_iv, GEX_EXERCISE_EUROPEAN, 0, 0, 0, (double)NAN, 0, 0},
        {theo_names, j.theo_fits, j.n_theo, j.v.iv, GEX_EXERCISE_EUROPEAN, 0, 1, 0, (double)NAN, 0,
         0},
        {theo_otm_names, j.theo_fits, j.n_theo, j.otm_theo_iv, GEX_EXERCISE_EUROPEAN, 0, 1, 0,
         (double)NAN, 0, 0},
        {held_names, j.held_fits, j.n_fits, j.v.iv, GEX_EXERCISE_EUROPEAN, 0, 0, 1, (double)NAN, 0,
         0},
        {held_otm_names, j.held_fits, j.n_fits, j.otm_iv, GEX_EXERCISE_EUROPEAN, 0, 0, 1,
         (double)NAN, 0, 0},
        {american_names, j.fits, j.n_fits, j.v.iv, GEX_EXERCISE_AUTO, 1, 0, 0, (double)NAN, 0, 0},
        {american_otm_names, j.fits, j.n_fits, j.otm_iv, GEX_EXERCISE_AUTO, 1, 0, 0, (double)NAN, 0,
         0},
        {held_american_names, j.below_fits, j.n_fits, j.v.iv, GEX_EXERCISE_AUTO, 1, 0, 1,
         j.implied_spot, 0, 0},
        {held_american_otm_names, j.below_fits, j.n_fits, j.otm_below_iv, GEX_EXERCISE_AUTO, 1, 0,
         1, j.implied_spot, 0, 0},
        {theo_iv_names, j.theo_fits, j.n_theo, j.theo_iv, GEX_EXERCISE_EUROPEAN, 0, 1, 0,
         (double)NAN, 1, 0},
        {theo_fd_names, j.theo_fits, j.n_theo, j.theo_iv, GEX_EXERCISE_EUROPEAN, 0, 1, 0,
         (double)NAN, 1, 1},
        {otm_fd_names, j.fits, j.n_fits, j.otm_iv, GEX_EXERCISE_EUROPEAN, 0, 0, 0, (double)NAN, 0,
         1},
    };
    /* The scoring: every row on the file's columns and on each expiration's, and the best. */
    const size_t room = sizeof r->expiry_best / sizeof r->expiry_best[0];
    gex_validate_score *per_expiry =
        st == GEX_OK ? calloc(room * (sizeof r->conv / sizeof r->conv[0]), sizeof *per_expiry)
                     : NULL;
    if (st == GEX_OK && per_expiry == NULL)
        st = GEX_ENOMEM;
    if (st == GEX_OK)
        st = score_rows(r, &j, blocks, sizeof blocks / sizeof blocks[0], per_expiry, room);
    if (st == GEX_OK)
        pick_best(r, per_expiry, room);
    free(per_expiry);
    /* The per-contract sections under the best row. */
    size_t nd = 0, ng = 0;
    if (st == GEX_OK)
        st = compare_contracts(r, &j, blocks, di, &nd, gi, &ng);
    char per[GEX_CURRENCY_TEXT_MAX], per2[GEX_CURRENCY_TEXT_MAX];
    /* both called whatever st is: each takes its items, also on failure */
    const int sd = gex__validate_add_series(
        r, "delta per contract", gex_currency_text("per $1", a->currency, per, sizeof per), di, nd,
        0.0, j.floor_d, 1);
    const int sg = gex__validate_add_series(
        r, "gamma per contract", gex_currency_text("per $1 per $1", a->currency, per2, sizeof per2),
        gi, ng, 0.0, j.floor_g, 1);
    if (st == GEX_OK) /* the first failure, never two statuses' bits mixed into a third */
        st = sd != GEX_OK ? sd : sg;
    free(j.otm_iv);
    free(j.theo_iv);
    free(j.vd);
    free(j.computed);
    if (st != GEX_OK) {
        gex__validate_report_free(r);
        return gex_error_set(err, st, NULL, 0, 0, "the chain's greeks could not be compared: %s",
                             gex_strerror(st));
    }
    *report = r;
    return GEX_OK;
}
