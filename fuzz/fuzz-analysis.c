/*
 * libFuzzer target from a file to the documents: every format read leniently, prepared and
 * analysed under options the first byte chooses, every document rendered in every format; no
 * analysis or document may fail for a non-finite value, nor print nan or inf
 * (fuzz/fuzz-analysis-one.h). Build with clang:
 *   CC=clang meson setup build-fuzz -Dfuzzer=true -Dtests=false && ninja -C build-fuzz
 *   nice build-fuzz/fuzz/fuzz-analysis -max_len=4096 -max_total_time=300 CORPUS_DIR
 * Crashes and broken properties abort; keep each finding in tests/data/fuzz-regressions/,
 * where tests/test-fuzz-regressions.c replays it on every test run.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz-analysis-one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (gex_fuzz_analysis_one(data, size, NULL) != 0)
        abort();
    return 0;
}
