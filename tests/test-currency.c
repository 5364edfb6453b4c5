/* gex/currency.h: a currency's code checked, and gex's dollar-worded units written in it. */
#include "gex-test.h"

#include "gex/currency.h"

START_TEST(test_currency_valid_three_capitals)
{
    static const char *const bad[] = {"inr", "IN", "INRX", "IN1", "", "I R", "\xc9UR"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(gex_currency_valid(bad[i]), 0);
    ck_assert_int_eq(gex_currency_valid(NULL), 0);
    ck_assert_int_eq(gex_currency_valid("INR"), 1);
    ck_assert_int_eq(gex_currency_valid(GEX_CURRENCY_DEFAULT), 1);
}
END_TEST

START_TEST(test_currency_text_replaces_the_dollar)
{
    char buf[GEX_CURRENCY_TEXT_MAX];
    const char *usd = "GEX in USD per $1 spot move";
    /* in dollars, or a code that is not one: the text itself */
    ck_assert_ptr_eq(gex_currency_text(usd, "USD", buf, sizeof buf), usd);
    ck_assert_ptr_eq(gex_currency_text(usd, "usd", buf, sizeof buf), usd);
    ck_assert_ptr_eq(gex_currency_text(usd, NULL, buf, sizeof buf), usd);
    ck_assert_ptr_eq(gex_currency_text(usd, "INR", NULL, 0), usd);
    ck_assert_ptr_eq(gex_currency_text(NULL, "INR", buf, sizeof buf), NULL);
    ck_assert_str_eq(gex_currency_text(usd, "INR", buf, sizeof buf),
                     "GEX in INR per 1 INR spot move");
    ck_assert_str_eq(gex_currency_text("USD/vol pt", "EUR", buf, sizeof buf), "EUR/vol pt");
    ck_assert_str_eq(gex_currency_text("shares/$1", "EUR", buf, sizeof buf), "shares/1 EUR");
    ck_assert_str_eq(gex_currency_text("per $1 per $1", "JPY", buf, sizeof buf),
                     "per 1 JPY per 1 JPY");
    ck_assert_str_eq(gex_currency_text("%/yr", "EUR", buf, sizeof buf), "%/yr");
    /* "$" without a 1 and "US" without a D stay */
    ck_assert_str_eq(gex_currency_text("$2 US", "EUR", buf, sizeof buf), "$2 US");
    /* cut to the buffer, never past it, always ended */
    char small[8];
    ck_assert_str_eq(gex_currency_text("USD of delta", "INR", small, sizeof small), "INR of ");
    ck_assert_str_eq(gex_currency_text("USD", "INR", small, 1), "");
}
END_TEST

static Suite *currency_suite(void)
{
    Suite *s = suite_create("currency");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_currency_valid_three_capitals);
    tcase_add_test(tc, test_currency_text_replaces_the_dollar);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return gex_test_run(currency_suite());
}
