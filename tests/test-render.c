/* The rendering layer's writers (src/render): writes that fail (/dev/full: ENOSPC) reported as
 * such, never as memory running out. */
#include "gex-test.h"

#include <errno.h>

#include "render.h"

/* /dev/full, where every write fails with ENOSPC; NULL (the test skips) where it is absent. */
static FILE *open_full(void)
{
    FILE *fp = fopen("/dev/full", "w");
    if (fp == NULL)
        printf("skipped: /dev/full cannot be opened: %s\n", strerror(errno));
    return fp;
}

START_TEST(test_table_write_failure_is_reported_as_io)
{
    static const gex__column cols[2] = {{"underlying", NULL, GEX__STYLE_TEXT},
                                        {"gex", NULL, GEX__STYLE_MONEY}};
    for (int stream = 0; stream <= 1; stream++) {
        FILE *full = open_full();
        if (full == NULL)
            return;
        gex__table *t = gex__table_new(cols, 2);
        ck_assert_ptr_nonnull(t);
        if (stream)
            gex__table_stream(t, full);
        /* More than a stdio buffer: the writes fail while the table is written. */
        int st = GEX_OK;
        for (int i = 0; i < 10000 && st == GEX_OK; i++) {
            st = gex__table_text(t, "XYZ");
            if (st == GEX_OK)
                st = gex__table_num(t, 1234.5678 * i);
        }
        ck_assert_int_eq(st, stream ? GEX_EIO : GEX_OK);
        ck_assert_int_eq(gex__table_write_failed(t), stream);
        gex_error err;
        gex_error_clear(&err);
        ck_assert_int_eq(gex__table_emit(t, GEX__OUT_CSV, NULL, full, &err), GEX_EIO);
        ck_assert_str_eq(err.text, "writing the output failed: No space left on device");
        gex__table_free(t);
        fclose(full);
    }
}
END_TEST

START_TEST(test_json_write_failure_is_reported_as_io)
{
    FILE *full = open_full();
    if (full == NULL)
        return;
    json_t *doc = json_array();
    for (int i = 0; i < 5000; i++)
        json_array_append_new(doc, json_real(1234.5678 * i));
    gex_error err;
    gex_error_clear(&err);
    ck_assert_int_eq(gex__json_emit(doc, full, &err), GEX_EIO);
    ck_assert_str_eq(err.text, "writing the output failed: No space left on device");
    json_decref(doc);
    fclose(full);
}
END_TEST

static Suite *render_suite(void)
{
    Suite *s = suite_create("render");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_table_write_failure_is_reported_as_io);
    tcase_add_test(tc, test_json_write_failure_is_reported_as_io);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(render_suite());
}
