/*
 * Helpers shared by the Check test runners: where the test data and the real chains are, and a
 * main() that runs one suite and exits with the right status (0 pass, 1 fail, 77 skip).
 */
#ifndef GEX_TEST_H
#define GEX_TEST_H

#include <check.h>
#include <dirent.h>
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

/* The whole of a file, NUL-terminated (malloc'd; the caller frees), its length in *len; the
 * test fails when it cannot be read. */
static inline char *gex_test_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    ck_assert_int_ge(n, 0);
    rewind(fp);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* Calls each(path, name, ctx) for every file of folder dir whose name ends in suffix ("": any),
 * hidden files and the README left out; returns how many. The test fails when dir cannot be
 * opened. */
static inline size_t gex_test_each_file(const char *dir, const char *suffix,
                                        void (*each)(const char *path, const char *name, void *ctx),
                                        void *ctx)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    size_t count = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        const size_t nl = strlen(e->d_name), sl = strlen(suffix);
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0 || nl < sl ||
            strcmp(e->d_name + nl - sl, suffix) != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        each(path, e->d_name, ctx);
        count++;
    }
    closedir(d);
    return count;
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
