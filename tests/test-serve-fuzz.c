/*
 * Replays the server's request-parsing fuzz corpus (tests/data/serve-fuzz/: the seeds and every
 * finding of fuzz/fuzz-serve-request.c) through the same checks the fuzzer runs
 * (fuzz/fuzz-serve-one.h), so that a fixed finding stays fixed without clang.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "gex-test.h"
#include "../fuzz/fuzz-serve-one.h"

START_TEST(test_serve_fuzz_corpus_replays)
{
    const char *dir = GEX_SOURCE_ROOT "/tests/data/serve-fuzz";
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int files = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *fp = fopen(path, "rb");
        ck_assert_ptr_nonnull(fp);
        static const size_t cap = 1 << 16;
        uint8_t *buf = malloc(cap);
        ck_assert_ptr_nonnull(buf);
        size_t n = fread(buf, 1, cap, fp);
        fclose(fp);
        int bad = gex_fuzz_serve_one(buf, n);
        free(buf);
        ck_assert_msg(bad == 0, "%s: broken promise %d", de->d_name, bad);
        files++;
    }
    closedir(d);
    ck_assert_int_ge(files, 7); /* the seeds at least */
}
END_TEST

/* The checks can fail: inputs that break each promise if the parsers were wrong are told apart
 * from ones that keep it (a check that passes everything would pass these too). */
START_TEST(test_serve_fuzz_checks_bite)
{
    /* A route the parser must refuse, and one it must accept. */
    ck_assert_int_eq(gex_fuzz_serve_route("/v1/exposure/levels/SPX"), 0);
    cli_serve_query q;
    int ok = 0;
    ck_assert_int_eq(cli_serve_route("GET", "/v1/exposure/levels/SP X", &q, &ok),
                     CLI_SERVE_ROUTE_OK);
    ck_assert_int_eq(ok, 0);
    /* The log keeps a printable key-free target, and redacts a key. */
    char out[256];
    cli_serve_log_target(out, sizeof out, "/v1/exposure/gex/SPX?ApiKey=s3cr3t&min_oi=1");
    ck_assert_str_eq(out, "/v1/exposure/gex/SPX?ApiKey=REDACTED&min_oi=1");
    ck_assert_uint_eq(gex_fuzz_serve_key_params("/x?ApiKey=s3cr3t&apikey=&apiKey"), 2);
}
END_TEST

static Suite *serve_fuzz_suite(void)
{
    Suite *s = suite_create("serve-fuzz");
    TCase *tc = tcase_create("replay");
    tcase_add_test(tc, test_serve_fuzz_corpus_replays);
    tcase_add_test(tc, test_serve_fuzz_checks_bite);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(serve_fuzz_suite());
}
