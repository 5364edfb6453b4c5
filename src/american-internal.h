/*
 * Private to the library: the American module's one put's exercise-boundary solve and premium
 * integral, which the price, the greeks and the implied-volatility search share (src/american.c,
 * src/american-iv.c), and what the module's callers in the library share (the exposures and
 * validate: gex__am_values_by_run, gex__root_is_american).
 */
#ifndef GEX_AMERICAN_INTERNAL_H
#define GEX_AMERICAN_INTERNAL_H

#include <stdbool.h>

#include "gex/american.h"
#include "gex/chain.h"

/* The discretisation of Andersen, Lake and Offengelt's method (their (l, m, n) and the premium
 * quadrature p): n + 1 Chebyshev-Lobatto nodes of the boundary, l Gauss-Legendre points for the
 * fixed-point integrals, iterations until the boundary settles (the first `newton` of them
 * Jacobi-Newton steps, then plain ones), p points for the premium. */
typedef struct gex__am_scheme {
    int n;
    int l;
    int m;      /* at most this many iterations */
    double tol; /* stop when no node's boundary moves, or is left to move, by more than this,
                 * relative */
    int newton; /* how many of the m iterations are Jacobi-Newton steps (the first ones) */
    bool try_a; /* try ALO's form A first (faster where it converges), form B if it fails */
    int p;
} gex__am_scheme;

/* The largest n + 1, l and p a scheme may use (stack arrays: 2 n l doubles for the fixed-point
 * iteration, 24 KiB at most). */
#define GEX__AM_MAX_NODES     33
#define GEX__AM_MAX_FP_POINTS 48
#define GEX__AM_MAX_QUAD      128

/* The default scheme (tests/test-american.c: within 1e-6 of the reference over SPEC 1.8's grid),
 * a light one for the contracts whose boundary is gentle (gex__am_scheme_for), and a much finer
 * one the tests hold both against. */
extern const gex__am_scheme gex__am_default_scheme;
extern const gex__am_scheme gex__am_light_scheme;
extern const gex__am_scheme gex__am_wide_scheme;
extern const gex__am_scheme gex__am_fine_scheme;

/* The light scheme applies where the put's rate (r for a put, q for a call) is small against
 * the volatility over the life, rate sqrt(T) <= GEX__AM_LIGHT_RATE sigma, and sigma sqrt(T) is
 * within SPEC 1.8's grid (at most GEX__AM_LIGHT_MAX_VOL): there the boundary stays within a
 * fraction of a standard deviation of its expiry value and 12 nodes describe it (SPEC 1.8).
 * The bound was 0.25; at 0.5 the light scheme's worst price error at the edge went from 0.32
 * to 0.35 of the tolerance on 47,520 contracts, and batches of 500 got 4 % faster. */
#define GEX__AM_LIGHT_RATE    0.5
#define GEX__AM_LIGHT_MAX_VOL 2.6

/* Beyond SPEC 1.8's grid where the rate is large against the volatility over the life (its
 * corner: r 0.1, T 3 years, sigma 0.05, a ratio of 3.46) the boundary hugs the strike and turns
 * sharply near expiry: at sigma 0.01 to 0.02 and r 0.1 to 0.2 the default scheme's put rose
 * above the perpetual put, an upper bound, by up to 2.4 % and fell as T grew. There,
 * rate sqrt(T) > GEX__AM_STEEP_RATE sigma, the fine scheme (within 6e-6 of the bound at sigma
 * 0.01, where the grid's 1e-6 is not promised). */
#define GEX__AM_STEEP_RATE 3.5

/* The scheme of a contract with early exercise: gex__am_wide_scheme where the put's other rate
 * (q for a put, r for a call) is negative, else gex__am_fine_scheme, gex__am_light_scheme or
 * gex__am_default_scheme by the rules above. gex_am_price, gex_am_greeks, gex_am_boundary_new and
 * the implied-volatility search all choose by it. */
const gex__am_scheme *gex__am_scheme_for(int type, double T, double sigma, double r, double q);

/* What one evaluation returns, in the option's own variables (a call's delta is dC/dS). */
typedef struct gex__am_value {
    double price;
    double delta;
    double gamma;
    double speed;   /* d gamma / dS */
    bool exercised; /* S is in the exercise region: price is the intrinsic value */
    int steps;      /* fixed-point iterations run */
    int form;       /* the fixed-point form used: 1 ALO's (FP-A), 0 (FP-B) */
} gex__am_value;

/* Price (and, when greeks is true, delta, gamma and speed) of an American option with early
 * exercise (gex_am_early_exercise is 1, not a double boundary; the caller checks the inputs).
 * fixed_steps > 0 and fixed_form >= 0 repeat another evaluation's iteration count and form
 * (out->steps, out->form), so that nearby sigmas give a smooth price; 0 and -1: chosen here. */
void gex__am_evaluate(const gex__am_scheme *scheme, int type, double S, double K, double T,
                      double sigma, double r, double q, bool greeks, int fixed_steps,
                      int fixed_form, gex__am_value *out);

/* A theta quadrature rule of n points as src/american.c uses it (Gauss-Legendre on [0, pi/2] for
 * u = tau sin^2 theta): sines, cosines, the weights with du/dtheta / tau = 2 sin cos folded in,
 * and with 2 sin folded in (for integrands with 1 / sqrt(tau - u)). */
typedef struct gex__am_rule_table {
    int n;
    const double *s, *c, *w, *ws;
} gex__am_rule_table;

/* The default scheme's rules as constants (src/american-rules.c, written by
 * tools/american-rules.py); other sizes are computed at run time. */
extern const gex__am_rule_table gex__am_rule_tables[];
extern const int gex__am_rule_table_count;

/* The run-time rule of n points (n <= GEX__AM_MAX_QUAD), for the tests to hold the tables
 * against. */
void gex__am_rule_compute(int n, double *s, double *c, double *w, double *ws);

/* gex_am_expiration_values (src/american.c): a family (an expiration's calls, or its puts) whose
 * volatilities span ln(hi / lo) = L gets ceil(GEX__AM_SMILE_BASE + GEX__AM_SMILE_PER_LOG L)
 * boundary solves in sigma (at most 12; 1 where every sigma is the same), each contract's
 * boundary interpolated between them (tests/test-american.c holds it within 1e-6 of the
 * direct pricer on a dense grid). The base was 3: on 8,000 random families (T a day to 3
 * years, r and q 0 to 0.1, spans up to GEX__AM_SMILE_MAX_LOG) 3 then missed the tolerances
 * (prices 1.3 and 1.7 times, a gamma 2.6 times), none with 4; a family of fewer than
 * GEX__AM_SMILE_MIN_PER_NODE contracts a node is valued contract by contract, as
 * gex_am_boundary_value does. */
#define GEX__AM_SMILE_BASE         4.0
#define GEX__AM_SMILE_PER_LOG      4.0
#define GEX__AM_SMILE_MIN_PER_NODE 2
/* A family whose volatilities span more than this in ln sigma (a factor of 9.5) is cut into
 * equal pieces of at most this span, each with its own nodes (12 at most). */
#define GEX__AM_SMILE_MAX_LOG 2.25
int gex__am_smile_nodes(double log_range);

/* gex_am_expiration_values with at most max_nodes sigma nodes a family (the tests compare node
 * counts). */
int gex__am_expiration_values(int max_nodes, double T, double r, double q, size_t n,
                              const int *type, const double *S, const double *K,
                              const double *sigma, double *price, double *delta, double *gamma,
                              gex_am_status *status);

/* Values n contracts packed so that those of equal T[i], r[i] and q[i] (an expiration's) are
 * consecutive: each run by one gex_am_expiration_values call, which shares its boundary solves.
 * A run whose T, r or q the model does not take gets GEX_AM_BAD_INPUT statuses. Outputs and
 * statuses as gex_am_expiration_values's; delta and gamma may be NULL. */
void gex__am_values_by_run(size_t n, const double *T, const double *r, const double *q,
                           const int *type, const double *S, const double *K, const double *sigma,
                           double *price, double *delta, double *gamma, gex_am_status *status);

/* Whether root symbol index root of chain is American-style under override
 * (gex_exercise_for_root), the answer kept in style[root]: 0 not yet looked up, 1 European, 2
 * American. style holds gex_chain_symbol_count(chain) entries, zeroed by the caller, so that
 * each root's name is compared once, not once per contract. */
int gex__root_is_american(const gex_chain *chain, uint32_t root, gex_exercise override,
                          uint8_t *style);

#endif /* GEX_AMERICAN_INTERNAL_H */
