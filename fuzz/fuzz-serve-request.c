/*
 * libFuzzer target for the server's request parsing: paths, expiration and min_oi values, the
 * access log's view of a target (API keys redacted), error bodies and key comparison
 * (src/cli/serve-route.c). Build with clang:
 *   CC=clang meson setup build-fuzz -Dfuzzer=true -Dtests=false && ninja -C build-fuzz
 *   nice build-fuzz/fuzz/fuzz-serve-request -max_len=4096 -max_total_time=300 \
 *       -dict=tests/data/serve-fuzz.dict CORPUS_DIR tests/data/serve-fuzz
 * Broken promises abort; keep each finding in tests/data/serve-fuzz/, where
 * tests/test-serve-fuzz.c replays the folder on every test run.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz-serve-one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (gex_fuzz_serve_one(data, size) != 0)
        abort();
    return 0;
}
