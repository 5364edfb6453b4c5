/* From a file to the documents, on the project's small chain files under many options and on
 * every input the analysis fuzzer (fuzz/fuzz-analysis.c) kept in tests/data/fuzz-analysis/.
 * Each goes through the fuzzer's own check (fuzz/fuzz-analysis-one.h): every underlying that
 * reads and prepares is analysed, every document rendered in every format and every endpoint of
 * one snapshot answered; none fails for a value that is not finite (nor answers the internal
 * error) and none prints nan or inf. */
#include "gex-test.h"

#include <stdint.h>

#include "../fuzz/fuzz-analysis-one.h"

START_TEST(test_non_finite_words)
{
    static const char *const found[] = {"nan", "-inf", "x,-nan,y", "infinity", "[inf]", "1e5 nan"};
    static const char *const not_found[] = {
        "banana", "infinite", "inform", "financial",         "nano", "", "na",
        "in",     "NAN",      "INF",    "INF240419C00100000"};
    for (size_t i = 0; i < sizeof found / sizeof found[0]; i++)
        ck_assert_msg(gex_fuzz_has_non_finite(found[i], strlen(found[i])), "%s", found[i]);
    for (size_t i = 0; i < sizeof not_found / sizeof not_found[0]; i++)
        ck_assert_msg(!gex_fuzz_has_non_finite(not_found[i], strlen(not_found[i])), "%s",
                      not_found[i]);
}
END_TEST

/* Options bytes (see fuzz-analysis-one.h): flat and parity carry, each IV source, each exercise,
 * the strike flip, the file's greeks, each unit, with and without the fixed --now. */
static const uint8_t option_bytes[] = {0x00, 0x01, 0x81, 0x03, 0x05, 0x09, 0x11, 0x21, 0x41, 0x95};

/* A chain file through the check under every options byte; the underlyings analysed and
 * rendered are added to *(size_t *)analysed. */
static void check_file(const char *path, const char *name, void *analysed)
{
    (void)name;
    size_t len;
    char *text = gex_test_slurp(path, &len);
    uint8_t *data = malloc(len + 1); /* the options byte, then the file */
    ck_assert_ptr_nonnull(data);
    memcpy(data + 1, text, len);
    free(text);
    for (size_t k = 0; k < sizeof option_bytes; k++) {
        data[0] = option_bytes[k];
        ck_assert_msg(gex_fuzz_analysis_one(data, len + 1, analysed) == 0,
                      "%s (options 0x%02x): a document failed or printed nan or inf", path,
                      option_bytes[k]);
    }
    free(data);
}

/* Every file of a folder under tests/data whose name ends in suffix through check_file. */
static size_t check_folder(const char *folder, const char *suffix, size_t *analysed)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", gex_test_data(folder));
    return gex_test_each_file(dir, suffix, check_file, analysed);
}

START_TEST(test_project_chain_files)
{
    size_t analysed = 0;
    size_t n = check_folder("chains", "", &analysed) + check_folder("formats", "", &analysed) +
               check_folder("cli-inputs", ".csv", &analysed);
    printf("chain files: %zu; underlyings analysed and rendered under %zu option sets: %zu\n", n,
           sizeof option_bytes, analysed);
    ck_assert_uint_ge(n, 40);
    ck_assert_uint_ge(analysed, 6 * n); /* most files reach the documents under most options */
}
END_TEST

/* One of the fuzzer's inputs, options byte included, through its check. */
static void replay_one(const char *path, const char *name, void *ctx)
{
    (void)ctx;
    size_t len;
    char *data = gex_test_slurp(path, &len);
    ck_assert_msg(gex_fuzz_analysis_one((const uint8_t *)data, len, NULL) == 0,
                  "%s: a document failed or printed nan or inf", name);
    free(data);
}

START_TEST(test_fuzz_analysis_replay)
{
    size_t count = gex_test_each_file(gex_test_data("fuzz-analysis"), "", replay_one, NULL);
    printf("analysis fuzz inputs replayed: %zu\n", count);
    ck_assert_uint_ge(count, 1);
}
END_TEST

static Suite *analysis_hostile_suite(void)
{
    Suite *s = suite_create("analysis-hostile");
    TCase *tc = tcase_create("documents");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_non_finite_words);
    tcase_add_test(tc, test_project_chain_files);
    tcase_add_test(tc, test_fuzz_analysis_replay);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(analysis_hostile_suite());
}
