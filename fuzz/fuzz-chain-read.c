/*
 * libFuzzer target for the chain readers (every format, strict and lenient, with and without
 * --symbol and --spot). Build with clang:
 *   CC=clang meson setup build-fuzz -Dfuzzer=true -Dtests=false && ninja -C build-fuzz
 *   nice build-fuzz/fuzz/fuzz-chain-read -max_len=65536 -max_total_time=300 CORPUS_DIR
 * Crashes and broken invariants abort; keep each finding in tests/data/fuzz-regressions/,
 * where tests/test-fuzz-regressions.c replays it on every test run.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz-chain-one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (gex_fuzz_chain_one(data, size) != 0)
        abort();
    return 0;
}
