/*
 * Helpers shared by the Check test runners: where the test data and the real chains are, and a
 * main() that runs one suite and exits with the right status (0 pass, 1 fail, 77 skip).
 */
#ifndef GEX_TEST_H
#define GEX_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* GEX_SOURCE_ROOT is set by tests/meson.build. */
#ifndef GEX_SOURCE_ROOT
#error "GEX_SOURCE_ROOT must be defined by the build"
#endif

/* A path under tests/data/ (static buffer, one at a time per call site is enough in tests). */
static inline const char *gex_test_data(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/%s", GEX_SOURCE_ROOT, name);
    return path;
}

/* The folder of real chains (../shared/chains beside the project, or $GEX_SHARED_DIR/chains),
 * or NULL when it is absent: a user's clone has no ../shared. */
static inline const char *gex_test_shared(const char *name)
{
    static char path[4096];
    const char *env = getenv("GEX_SHARED_DIR");
    if (env != NULL && env[0] != '\0')
        snprintf(path, sizeof path, "%s/%s", env, name);
    else
        snprintf(path, sizeof path, "%s/../shared/%s", GEX_SOURCE_ROOT, name);
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL;
    return path;
}

/* Runs a suite; the exit status follows Check's result. */
static inline int gex_test_run(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* |a - b| <= tol * max(|a|, |b|), or both below abs_floor apart. */
#define ck_assert_rel(a, b, rel, abs_floor)                                                        \
    do {                                                                                           \
        double ck_a_ = (a), ck_b_ = (b);                                                           \
        double ck_d_ = ck_a_ > ck_b_ ? ck_a_ - ck_b_ : ck_b_ - ck_a_;                              \
        double ck_m_ = ck_a_ < 0 ? -ck_a_ : ck_a_;                                                 \
        double ck_n_ = ck_b_ < 0 ? -ck_b_ : ck_b_;                                                 \
        double ck_s_ = ck_m_ > ck_n_ ? ck_m_ : ck_n_;                                              \
        ck_assert_msg(ck_d_ <= (rel)*ck_s_ || ck_d_ <= (abs_floor),                                \
                      "%s = %.17g, %s = %.17g: difference %.3g beyond rel %.1g / abs %.1g", #a,    \
                      ck_a_, #b, ck_b_, ck_d_, (double)(rel), (double)(abs_floor));                \
    } while (0)

#endif /* GEX_TEST_H */
