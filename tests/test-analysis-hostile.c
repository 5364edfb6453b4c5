/* From a file to the documents, on the project's small chain files under many options and on
 * every input the analysis fuzzer (fuzz/fuzz-analysis.c) kept in tests/data/fuzz-analysis/.
 * Each goes through the fuzzer's own check (fuzz/fuzz-analysis-one.h): every underlying that
 * reads and prepares is analysed, every document rendered in every format and every endpoint of
 * one snapshot answered; none fails for a value that is not finite (nor answers the internal
 * error) and none prints nan or inf. */
#include "gex-test.h"

#include <dirent.h>
#include <stdint.h>

#include "../fuzz/fuzz-analysis-one.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *buf = malloc((size_t)n + 2);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf + 1, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n + 1;
    return buf; /* buf[0] is the options byte, the caller's to set */
}

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

/* Every file of a folder under tests/data through the check under every options byte; the
 * files are counted, and the underlyings analysed and rendered added to *analysed. */
static size_t check_folder(const char *folder, const char *suffix, size_t *analysed)
{
    char dir_path[4096];
    snprintf(dir_path, sizeof dir_path, "%s", gex_test_data(folder));
    DIR *dir = opendir(dir_path);
    ck_assert_msg(dir != NULL, "cannot open %s", dir_path);
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        const size_t nl = strlen(e->d_name), sl = strlen(suffix);
        if (e->d_name[0] == '.' || nl < sl || strcmp(e->d_name + nl - sl, suffix) != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir_path, e->d_name);
        size_t len;
        char *data = slurp(path, &len);
        for (size_t k = 0; k < sizeof option_bytes; k++) {
            data[0] = (char)option_bytes[k];
            ck_assert_msg(gex_fuzz_analysis_one((const uint8_t *)data, len, analysed) == 0,
                          "%s (options 0x%02x): a document failed or printed nan or inf", path,
                          option_bytes[k]);
        }
        free(data);
        count++;
    }
    closedir(dir);
    return count;
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

START_TEST(test_fuzz_analysis_replay)
{
    char dir_path[4096];
    snprintf(dir_path, sizeof dir_path, "%s", gex_test_data("fuzz-analysis"));
    DIR *dir = opendir(dir_path);
    ck_assert_msg(dir != NULL, "cannot open %s", dir_path);
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir_path, e->d_name);
        size_t len;
        char *data = slurp(path, &len);
        /* The file is the fuzzer's whole input, options byte included. */
        ck_assert_msg(gex_fuzz_analysis_one((const uint8_t *)data + 1, len - 1, NULL) == 0,
                      "%s: a document failed or printed nan or inf", e->d_name);
        free(data);
        count++;
    }
    closedir(dir);
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
