/* src/memory.c: gex__map_huge's mappings begin on a 2 MiB boundary, zeroed, and hold their
 * bytes; gex__big_alloc gives malloc's memory below GEX__BIG_MIN and from it on an array that
 * starts on a 2 MiB boundary inside a malloc'd block, each whole and writable to its last byte
 * (the sanitizer build checks the blocks' bounds), and gex__big_free takes either back. */
#include "gex-test.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "../src/memory-internal.h"

/* Writes every byte of p[0..n) and reads them back. */
static void fill_and_check(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 131 + 7);
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 131 + 7))
            ck_abort_msg("byte %zu of %zu differs", i, n);
}

START_TEST(test_map_huge_aligned_and_zeroed)
{
    const size_t lens[] = {4096, GEX__HUGE_PAGE, 3 * GEX__HUGE_PAGE + 4096};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        unsigned char *p = (unsigned char *)gex__map_huge(lens[k]);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % GEX__HUGE_PAGE, 0);
        for (size_t i = 0; i < lens[k]; i += 512)
            ck_assert_uint_eq(p[i], 0);
        fill_and_check(p, lens[k]);
        ck_assert_int_eq(munmap(p, lens[k]), 0);
    }
    ck_assert_ptr_null(gex__map_huge(0));
    ck_assert_ptr_null(gex__map_huge(SIZE_MAX - 4095));
}
END_TEST

START_TEST(test_big_alloc_both_sides_of_the_threshold)
{
    const size_t sizes[] = {
        0, 1, 4095, GEX__BIG_MIN - 1, GEX__BIG_MIN, GEX__BIG_MIN + 1, 5 * GEX__BIG_MIN + 12345};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        unsigned char *p = gex__big_alloc(sizes[k]);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % 16, 0);
        if (sizes[k] >= GEX__BIG_MIN)
            ck_assert_uint_eq((uintptr_t)p % GEX__HUGE_PAGE, 0);
        fill_and_check(p, sizes[k]);
        gex__big_free(p, sizes[k]);
    }
    gex__big_free(NULL, GEX__BIG_MIN);
    gex__big_free(NULL, 1);
    ck_assert_ptr_null(gex__big_alloc(SIZE_MAX - 10));
}
END_TEST

static Suite *memory_suite(void)
{
    Suite *s = suite_create("memory");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_map_huge_aligned_and_zeroed);
    tcase_add_test(tc, test_big_alloc_both_sides_of_the_threshold);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(memory_suite());
}
