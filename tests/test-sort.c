/* src/sort.c: gex__sort_stable and gex__sort_stable_grouped give what a stable sort gives (the
 * order of the keys, equal keys in their input order), checked against qsort on (key, input
 * position), on 20,000 random arrays of every shape the library meets (one run, a few runs,
 * interleaved runs, many equal keys, descending, random), with elements of 4 to 48 bytes and a
 * comparison that uses its context; the grouped sort with groups of every size, and with more
 * groups than it counts into place. */
#include "gex-test.h"

#include <stdint.h>
#include <string.h>

#include "../src/sort-internal.h"
#include "gex/error.h"
#include "splitmix64.h"

/* An element: a key, where it stood in the input, and padding to the size under test. */
typedef struct elem {
    int32_t key;
    uint32_t pos;
    char pad[40];
} elem;

/* Ascending keys when *ctx is +1 (what qsort_r's context is for: here, the direction). */
static int by_key(const void *a, const void *b, void *ctx)
{
    const int dir = *(const int *)ctx;
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return dir * ((x > y) - (x < y));
}

/* The stable order's truth: keys, then input positions. */
static int by_key_then_pos(const void *a, const void *b)
{
    const elem *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Fills keys[0..n) in one of the shapes. */
static void fill(int32_t *keys, size_t n, int shape, uint64_t *seed)
{
    const uint64_t span = 1 + gex_splitmix64(seed) % (n + 1);
    for (size_t i = 0; i < n; i++) {
        switch (shape) {
        case 0: /* ascending, with ties */
            keys[i] = (int32_t)(i / (1 + span % 3));
            break;
        case 1: /* a few ascending runs, restarting */
            keys[i] = (int32_t)(i % span);
            break;
        case 2: /* two interleaved ascending sequences (calls and puts listed apart) */
            keys[i] = (int32_t)(i % 2 ? i : i / 2);
            break;
        case 3: /* descending */
            keys[i] = (int32_t)(n - i);
            break;
        case 4: /* few distinct keys */
            keys[i] = (int32_t)(gex_splitmix64(seed) % 4);
            break;
        default: /* random */
            keys[i] = (int32_t)(gex_splitmix64(seed) % span) - 100;
            break;
        }
    }
}

#define N_MAX 4096

/* The group of a key for the grouped sort: floor(key / width), ascending with the key, so that
 * by_key orders by group first as gex__sort_stable_grouped requires. */
static int64_t group_of(int32_t key, int64_t width)
{
    const int64_t k = key;
    return k >= 0 ? k / width : -((-k + width - 1) / width);
}

/* Sorts keys as elements of size bytes (key first, then the position) both ways: with
 * gex__sort_stable when width is 0, else with gex__sort_stable_grouped by group_of(key,
 * width). */
static void check_sort(const int32_t *keys, size_t n, size_t size, int64_t width)
{
    static char a[N_MAX * sizeof(elem)], b[N_MAX * sizeof(elem)];
    static int64_t group[N_MAX];
    ck_assert_uint_le(n, N_MAX);
    for (size_t i = 0; i < n; i++) {
        elem e;
        memset(&e, 0, sizeof e);
        e.key = keys[i];
        e.pos = (uint32_t)i;
        memcpy(a + i * size, &e, size);
        memcpy(b + i * sizeof e, &e, sizeof e);
        group[i] = width > 0 ? group_of(keys[i], width) : 0;
    }
    int ascending = 1;
    if (width > 0)
        ck_assert_int_eq(gex__sort_stable_grouped(a, n, size, group, by_key, &ascending), GEX_OK);
    else
        ck_assert_int_eq(gex__sort_stable(a, n, size, by_key, &ascending), GEX_OK);
    qsort(b, n, sizeof(elem), by_key_then_pos);
    for (size_t i = 0; i < n; i++) {
        elem got, want;
        memset(&got, 0, sizeof got);
        memcpy(&got, a + i * size, size);
        memcpy(&want, b + i * sizeof(elem), sizeof want);
        if (got.key != want.key)
            ck_abort_msg("n %zu, size %zu, groups of %lld: key %d at %zu, want %d", n, size,
                         (long long)width, got.key, i, want.key);
        if (size >= 8 && got.pos != want.pos)
            ck_abort_msg("n %zu, size %zu, groups of %lld: equal keys out of input order at %zu", n,
                         size, (long long)width, i);
    }
}

static void check(const int32_t *keys, size_t n, size_t size)
{
    check_sort(keys, n, size, 0);
}

START_TEST(test_sort_stable_matches_a_stable_sort)
{
    uint64_t seed = 20261205;
    static const size_t sizes[] = {4, 8, 24, 48};
    int32_t keys[300];
    for (int round = 0; round < 20000; round++) {
        const size_t n = gex_splitmix64(&seed) % 300;
        fill(keys, n, round % 6, &seed);
        check(keys, n, sizes[round % 4]);
    }
}
END_TEST

START_TEST(test_sort_stable_edges)
{
    int32_t one[1] = {7};
    check(one, 1, 8);
    check(one, 0, 8);
    int32_t two[2] = {2, 1};
    check(two, 2, 8);
    int32_t same[300];
    for (size_t i = 0; i < 300; i++)
        same[i] = 5;
    check(same, 300, 48);
}
END_TEST

/* The grouped sort against the truth: groups of one key, of a few and of all of them, on the
 * same shapes; then more distinct groups than it counts (the whole merge instead). */
START_TEST(test_sort_grouped_matches_a_stable_sort)
{
    uint64_t seed = 20261206;
    static const size_t sizes[] = {4, 8, 24, 48};
    static const int64_t widths[] = {1, 3, 50, 1000000};
    int32_t keys[300];
    for (int round = 0; round < 20000; round++) {
        const size_t n = gex_splitmix64(&seed) % 300;
        fill(keys, n, round % 6, &seed);
        check_sort(keys, n, sizes[round % 4], widths[(round / 6) % 4]);
    }
    static int32_t many[N_MAX];
    for (size_t i = 0; i < N_MAX; i++)
        many[i] = (int32_t)(gex_splitmix64(&seed) % 3000);
    check_sort(many, N_MAX, 8, 1); /* about 2,300 distinct groups */
    check_sort(many, N_MAX, 48, 4);
    check_sort(many, 0, 8, 1);
}
END_TEST

static Suite *sort_suite(void)
{
    Suite *s = suite_create("sort");
    TCase *tc = tcase_create("stable");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sort_stable_matches_a_stable_sort);
    tcase_add_test(tc, test_sort_stable_edges);
    tcase_add_test(tc, test_sort_grouped_matches_a_stable_sort);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(sort_suite());
}
