/*
 * chain-prepared.h: a chain file read and prepared, for the tests that analyse a real file
 * (the sample in data/, the chains of ../shared); the test fails, naming the error, when the
 * file cannot be read or prepared.
 */
#ifndef GEX_TEST_CHAIN_PREPARED_H
#define GEX_TEST_CHAIN_PREPARED_H

#include <string.h>

#include "gex-test.h"
#include "gex/chain.h"

/* The chain of path, prepared with carry (the command line's default is GEX_CARRY_PARITY) and,
 * when now is not NULL, at *now (UTC seconds) instead of the file's quote instant. */
static inline gex_chain *gex_test_read_prepared(const char *path, gex_carry_mode carry,
                                                const int64_t *now)
{
    gex_read_options ro;
    memset(&ro, 0, sizeof ro);
    gex_chain *chain = NULL;
    gex_error err;
    ck_assert_msg(gex_chain_read_path(path, &ro, &chain, NULL, &err) == GEX_OK, "%s", err.text);
    gex_prepare_options po;
    gex_prepare_options_default(&po);
    po.carry = carry;
    if (now != NULL) {
        po.has_now = 1;
        po.now = *now;
    }
    ck_assert_msg(gex_chain_prepare(chain, &po, NULL, &err) == GEX_OK, "%s", err.text);
    return chain;
}

#endif /* GEX_TEST_CHAIN_PREPARED_H */
