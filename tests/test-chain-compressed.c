/* Compressed chain files (gzip, zstd, xz, bzip2): compressed at test time with the command-line
 * tools, read through the path, stream and buffer entry points, and compared field by field
 * with the read of the uncompressed file (the independent truth: the plain reader). Then the
 * damaged ones: a flipped byte (corrupt), a cut file (truncated), a small file decompressing
 * past the limit (a bomb). A tool that is absent skips its cases, saying so. */
#include "gex-test.h"

#include <math.h>
#include <unistd.h>

#include "../src/chain-internal.h"
#include "gex/chain.h"

static const struct {
    const char *name, *compress; /* the command: reads stdin, writes stdout */
} tools[] = {
    {"gzip", "gzip -c -6"},
    {"zstd", "zstd -q -c -3"},
    {"xz", "xz -c -3"},
    {"bzip2", "bzip2 -c -9"},
};
#define N_TOOLS (sizeof tools / sizeof tools[0])

/* The inputs: the sample long CSV, a CBOE JSON fixture, a long CSV of several underlyings, and
 * two real downloads of ../shared/chains (skipped when absent), each read plain as the truth. */
static const char *const inputs[] = {
    "data/sample-spx.csv",
    "tests/data/chains/cboe-json.json",
    "tests/data/chains/long-multi.csv",
    "shared:chains/cboe_spx_2023-09-14_close.csv",
    "shared:chains/cboe-json_rut_2023-09-20.json",
};
#define N_INPUTS (sizeof inputs / sizeof inputs[0])

/* Whether tools[t]'s command is missing: the test then says it skips, and returns. */
static int tool_missing(size_t t)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tools[t].name);
    if (system(cmd) == 0)
        return 0;
    printf("skipped: %s is not installed\n", tools[t].name);
    return 1;
}

/* A temporary folder for this process's files, made by main before the tests run (they run
 * in child processes). */
static char tmp_path[256] = "/tmp/gex-compressed.XXXXXX";

static const char *tmp_dir(void)
{
    return tmp_path;
}

/* Runs "cmd < in > out"; fails the test when it fails. */
static void run_to(const char *cmd, const char *in, const char *out)
{
    char line[16384];
    snprintf(line, sizeof line, "%s < '%s' > '%s'", cmd, in, out);
    ck_assert_msg(system(line) == 0, "failed: %s", line);
}

static void spill(const char *path, const char *buf, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(buf, 1, len, fp), len);
    fclose(fp);
}

static void same_doubles(const double *a, const double *b, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg((isnan(a[i]) && isnan(b[i])) || a[i] == b[i], "%s[%zu]: %.17g vs %.17g", what,
                      i, a[i], b[i]);
}

/* Every field of the two chains, their symbols and quote instants, and the reports. */
static void same_chain(const gex_chain *a, const gex_chain *b, const gex_read_report *ra,
                       const gex_read_report *rb)
{
    gex_chain_view x, y;
    gex_chain_get_view(a, &x);
    gex_chain_get_view(b, &y);
    ck_assert_uint_eq(x.n, y.n);
    ck_assert_uint_gt(x.n, 0);
    ck_assert_mem_eq(x.underlying, y.underlying, x.n * sizeof *x.underlying);
    ck_assert_mem_eq(x.root, y.root, x.n * sizeof *x.root);
    ck_assert_mem_eq(x.expiration, y.expiration, x.n * sizeof *x.expiration);
    ck_assert_mem_eq(x.settlement, y.settlement, x.n * sizeof *x.settlement);
    ck_assert_mem_eq(x.type, y.type, x.n * sizeof *x.type);
    ck_assert_mem_eq(x.line, y.line, x.n * sizeof *x.line);
    same_doubles(x.strike, y.strike, x.n, "strike");
    same_doubles(x.bid, y.bid, x.n, "bid");
    same_doubles(x.ask, y.ask, x.n, "ask");
    same_doubles(x.last, y.last, x.n, "last");
    same_doubles(x.file_iv, y.file_iv, x.n, "file_iv");
    same_doubles(x.open_interest, y.open_interest, x.n, "open_interest");
    same_doubles(x.volume, y.volume, x.n, "volume");
    same_doubles(x.multiplier, y.multiplier, x.n, "multiplier");
    same_doubles(x.spot, y.spot, x.n, "spot");
    same_doubles(x.vendor_delta, y.vendor_delta, x.n, "vendor_delta");
    same_doubles(x.vendor_gamma, y.vendor_gamma, x.n, "vendor_gamma");
    ck_assert_uint_eq(gex_chain_symbol_count(a), gex_chain_symbol_count(b));
    for (uint32_t s = 0; s < gex_chain_symbol_count(a); s++)
        ck_assert_str_eq(gex_chain_symbol(a, s), gex_chain_symbol(b, s));
    int64_t ta = 0, tb = 0;
    ck_assert_int_eq(gex_chain_quote_time(a, &ta), gex_chain_quote_time(b, &tb));
    ck_assert_int_eq(ta, tb);
    ck_assert_int_eq(ra->format, rb->format);
    ck_assert_uint_eq(ra->rows, rb->rows);
    ck_assert_mem_eq(ra->skipped, rb->skipped, sizeof ra->skipped);
    ck_assert_str_eq(ra->warning, rb->warning);
}

static gex_chain *read_path_ok(const char *path, gex_read_report *rep)
{
    gex_chain *c = NULL;
    gex_error err;
    int rc = gex_chain_read_path(path, NULL, &c, rep, &err);
    ck_assert_msg(rc == GEX_OK, "%s: %s:%ld: %s", path, err.file, err.line, err.text);
    return c;
}

/* _i: tool * N_INPUTS + input. The path, the stream (a pipe: not seekable, as stdin is) and
 * the buffer give what the plain file gives. */
START_TEST(test_read_compressed_agrees_with_plain)
{
    size_t t = (size_t)_i / N_INPUTS, k = (size_t)_i % N_INPUTS;
    if (tool_missing(t))
        return;
    char plain[4096], packed[4096];
    if (strncmp(inputs[k], "shared:", 7) == 0) {
        const char *real = gex_test_shared(inputs[k] + 7);
        if (real == NULL) {
            printf("skipped: ../shared absent\n");
            return;
        }
        snprintf(plain, sizeof plain, "%s", real);
    } else
        snprintf(plain, sizeof plain, "%s/%s", GEX_SOURCE_ROOT, inputs[k]);
    snprintf(packed, sizeof packed, "%s/in-%d.%s", tmp_dir(), _i, tools[t].name);
    run_to(tools[t].compress, plain, packed);

    gex_read_report r0, r1, r2, r3;
    gex_chain *c0 = read_path_ok(plain, &r0);
    gex_chain *c1 = read_path_ok(packed, &r1);
    same_chain(c0, c1, &r0, &r1);

    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cat '%s'", packed);
    FILE *pipe = popen(cmd, "r");
    ck_assert_ptr_nonnull(pipe);
    gex_chain *c2 = NULL;
    gex_error err;
    ck_assert_int_eq(gex_chain_read_file(pipe, "-", NULL, &c2, &r2, &err), GEX_OK);
    pclose(pipe);
    same_chain(c0, c2, &r0, &r2);

    size_t len;
    char *buf = gex_test_slurp(packed, &len);
    gex_chain *c3 = NULL;
    ck_assert_int_eq(gex_chain_read_buffer(buf, len, "mem", NULL, &c3, &r3, &err), GEX_OK);
    same_chain(c0, c3, &r0, &r3);
    free(buf);
    unlink(packed);
    gex_chain_free(c0);
    gex_chain_free(c1);
    gex_chain_free(c2);
    gex_chain_free(c3);
}
END_TEST

/* Two halves of a file compressed apart and concatenated (`cat a.gz b.gz`): one stream of the
 * whole file, as the tools themselves decompress it. */
START_TEST(test_read_compressed_concatenated_members)
{
    if (tool_missing((size_t)_i))
        return;
    char plain[4096], half[4096], a[4096], b[4096], both[4096];
    snprintf(plain, sizeof plain, "%s/data/sample-spx.csv", GEX_SOURCE_ROOT);
    size_t len;
    char *buf = gex_test_slurp(plain, &len);
    size_t cut = len / 2 + 17; /* mid-line */
    snprintf(half, sizeof half, "%s/half-%d", tmp_dir(), _i);
    snprintf(a, sizeof a, "%s/a-%d", tmp_dir(), _i);
    snprintf(b, sizeof b, "%s/b-%d", tmp_dir(), _i);
    snprintf(both, sizeof both, "%s/both-%d", tmp_dir(), _i);
    spill(half, buf, cut);
    run_to(tools[_i].compress, half, a);
    spill(half, buf + cut, len - cut);
    run_to(tools[_i].compress, half, b);
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "cat '%s' '%s' > '%s'", a, b, both);
    ck_assert_int_eq(system(cmd), 0);
    gex_read_report r0, r1;
    gex_chain *c0 = read_path_ok(plain, &r0);
    gex_chain *c1 = read_path_ok(both, &r1);
    same_chain(c0, c1, &r0, &r1);
    gex_chain_free(c0);
    gex_chain_free(c1);
    free(buf);
    unlink(half);
    unlink(a);
    unlink(b);
    unlink(both);
}
END_TEST

static void expect_error(const char *path, int status, const char *words)
{
    gex_chain *c = NULL;
    gex_error err;
    int rc = gex_chain_read_path(path, NULL, &c, NULL, &err);
    ck_assert_msg(rc == status, "%s: status %d (%s), expected %d", path, rc, err.text, status);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.file, path);
    ck_assert_msg(strstr(err.text, words) != NULL, "%s: \"%s\" lacks \"%s\"", path, err.text,
                  words);
}

/* A byte flipped in the middle (the checksums and the structure catch it), and the file cut
 * at two thirds (the end of the stream never comes): errors naming the file and the damage,
 * never a partial chain. */
START_TEST(test_read_compressed_corrupt_and_truncated)
{
    if (tool_missing((size_t)_i))
        return;
    char plain[4096], packed[4096], bad[4096];
    snprintf(plain, sizeof plain, "%s/data/sample-spx.csv", GEX_SOURCE_ROOT);
    snprintf(packed, sizeof packed, "%s/ok-%d.%s", tmp_dir(), _i, tools[_i].name);
    snprintf(bad, sizeof bad, "%s/bad-%d.%s", tmp_dir(), _i, tools[_i].name);
    run_to(tools[_i].compress, plain, packed);
    size_t len;
    char *buf = gex_test_slurp(packed, &len);
    buf[len / 2] ^= 0x55;
    spill(bad, buf, len);
    char words[64];
    snprintf(words, sizeof words, "the %s data is corrupt", tools[_i].name);
    expect_error(bad, GEX_EPARSE, words);
    buf[len / 2] ^= 0x55;
    spill(bad, buf, len * 2 / 3);
    snprintf(words, sizeof words, "the %s data ends early", tools[_i].name);
    expect_error(bad, GEX_EPARSE, words);
    /* Cut inside the header (after the magic, 6 bytes for xz): no byte of data comes out. */
    spill(bad, buf, 8);
    expect_error(bad, GEX_EPARSE, "the file is truncated");
    free(buf);
    unlink(packed);
    unlink(bad);
}
END_TEST

/* A damaged file fails with the same message, and the same rows and contracts counted before
 * the damage, however it is read: from memory, and from a stream in chunks of 1, 7, 11, 4,096
 * and 1 MiB bytes. The file is the sample's header and
 * first three rows (428 bytes), compressed, with bit 0, then bit 5, of each byte flipped in turn
 * (each bit of each byte takes four times as long and finds no more). libzstd
 * decodes a frame in one pass when all of it is in its input and its output has the room, block
 * by block otherwise, and reports a corrupt frame differently then ("Destination buffer is too
 * small", "Data corruption detected"): the fuzzer's crash-2f111dc6c6f3 found it, and before the
 * decoder's windows (src/chain-decompress.c) 18 of these reads disagreed with memory's. The
 * counts: crash-ccaeb681275e (a decoder's bytes in the call that met the damage were dropped,
 * and liblzma's before it depended on the room it was given). */
START_TEST(test_read_compressed_corrupt_same_error_any_chunk)
{
    if (tool_missing((size_t)_i))
        return;
    char plain[4096], small[4096], packed[4096];
    snprintf(plain, sizeof plain, "%s/data/sample-spx.csv", GEX_SOURCE_ROOT);
    snprintf(small, sizeof small, "%s/small-%d.csv", tmp_dir(), _i);
    snprintf(packed, sizeof packed, "%s/small-%d.%s", tmp_dir(), _i, tools[_i].name);
    size_t plain_len;
    char *text = gex_test_slurp(plain, &plain_len);
    size_t head = 0;
    for (int lines = 0; head < plain_len && lines < 4; head++)
        lines += text[head] == '\n';
    spill(small, text, head);
    free(text);
    run_to(tools[_i].compress, small, packed);
    size_t len;
    char *buf = gex_test_slurp(packed, &len);
    static const size_t chunks[] = {1, 7, 11, 4096, (size_t)1 << 20};
    size_t failed = 0, reads = 0;
    for (size_t k = 0; k < len; k++) {
        for (int bit = 0; bit <= 5; bit += 5) {
            buf[k] ^= (char)(1 << bit);
            gex_chain *c = NULL;
            gex_read_report rep;
            gex_error err;
            const int rc = gex_chain_read_buffer(buf, len, "damaged", NULL, &c, &rep, &err);
            gex_chain_free(c);
            failed += rc != GEX_OK;
            for (size_t j = 0; j < sizeof chunks / sizeof chunks[0]; j++) {
                FILE *fp = fmemopen(buf, len, "rb");
                ck_assert_ptr_nonnull(fp);
                gex_chain *cs = NULL;
                gex_read_report rs;
                gex_error es;
                const int rcs =
                    gex__chain_read_file_chunked(fp, "damaged", NULL, &cs, &rs, &es, chunks[j]);
                fclose(fp);
                gex_chain_free(cs);
                reads++;
                ck_assert_msg(rcs == rc, "%s, byte %zu bit %d, chunks of %zu: status %d, %d",
                              tools[_i].name, k, bit, chunks[j], rcs, rc);
                if (rc != GEX_OK)
                    ck_assert_msg(strcmp(es.text, err.text) == 0,
                                  "%s, byte %zu bit %d, chunks of %zu: \"%s\", memory \"%s\"",
                                  tools[_i].name, k, bit, chunks[j], es.text, err.text);
                ck_assert_msg(rs.rows == rep.rows && rs.contracts == rep.contracts &&
                                  memcmp(rs.skipped, rep.skipped, sizeof rs.skipped) == 0 &&
                                  memcmp(rs.first_line, rep.first_line, sizeof rs.first_line) == 0,
                              "%s, byte %zu bit %d, chunks of %zu: %zu rows, %zu contracts; "
                              "memory %zu, %zu",
                              tools[_i].name, k, bit, chunks[j], rs.rows, rs.contracts, rep.rows,
                              rep.contracts);
            }
            buf[k] ^= (char)(1 << bit);
        }
    }
    printf("%s: %zu of %zu damaged files refused; %zu reads in chunks, each as from memory\n",
           tools[_i].name, failed, 2 * len, reads);
    ck_assert_uint_gt(failed, 0);
    free(buf);
    unlink(small);
    unlink(packed);
}
END_TEST

/* 3 MiB of one repeated row compress to a few kB: read with a 1 MiB limit, the bomb is
 * refused as one, and the whole file is read below the limit (its rows one contract listed
 * again and again: read once, SPEC 2.5). */
START_TEST(test_read_compressed_bomb_refused)
{
    if (tool_missing((size_t)_i))
        return;
    char plain[4096], packed[4096];
    snprintf(plain, sizeof plain, "%s/bomb-%d.csv", tmp_dir(), _i);
    snprintf(packed, sizeof packed, "%s/bomb-%d.%s", tmp_dir(), _i, tools[_i].name);
    FILE *fp = fopen(plain, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "underlying,expiration,strike,type,bid,ask,open_interest,spot\n");
    const char row[] = "XYZ,2030-01-18,101.5,C,1.25,1.35,17,100.25\n";
    size_t rows = (3u << 20) / (sizeof row - 1);
    for (size_t i = 0; i < rows; i++)
        fputs(row, fp);
    fclose(fp);
    run_to(tools[_i].compress, plain, packed);
    FILE *in = fopen(packed, "rb");
    ck_assert_ptr_nonnull(in);
    gex_chain *c = NULL;
    gex_error err;
    int rc = gex__chain_read_file_inflate_max(in, packed, NULL, &c, NULL, &err, 1u << 20);
    fclose(in);
    ck_assert_int_eq(rc, GEX_EPARSE);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.file, packed);
    ck_assert_msg(strstr(err.text, "decompresses to more than 1 MiB") != NULL &&
                      strstr(err.text, "decompression bomb") != NULL,
                  "%s", err.text);
    in = fopen(packed, "rb");
    gex_read_report rep;
    rc = gex__chain_read_file_inflate_max(in, packed, NULL, &c, &rep, &err, 4u << 20);
    fclose(in);
    ck_assert_msg(rc == GEX_OK, "%s", err.text);
    ck_assert_uint_eq(rep.rows, rows);
    ck_assert_uint_eq(gex_chain_size(c), 1);
    char again[64];
    snprintf(again, sizeof again, "%zu contracts are listed again", rows - 1);
    ck_assert_msg(strstr(rep.warning, again) != NULL, "%s", rep.warning);
    gex_chain_free(c);
    unlink(plain);
    unlink(packed);
}
END_TEST

/* Bytes that look like a magic number and nothing more are not a chain of another format: a
 * compressed file's error, not "not an option chain". */
START_TEST(test_read_compressed_magic_alone)
{
    const unsigned char gz[] = {0x1F, 0x8B, 0x08};
    gex_chain *c = NULL;
    gex_error err;
    ck_assert_int_eq(
        gex_chain_read_buffer((const char *)gz, sizeof gz, "m.gz", NULL, &c, NULL, &err),
        GEX_EPARSE);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err.text, "gzip data ends early"));
}
END_TEST

static Suite *compressed_suite(void)
{
    Suite *s = suite_create("chain-compressed");
    TCase *tc = tcase_create("compressed");
    tcase_add_loop_test(tc, test_read_compressed_agrees_with_plain, 0, (int)(N_TOOLS * N_INPUTS));
    tcase_add_loop_test(tc, test_read_compressed_concatenated_members, 0, (int)N_TOOLS);
    tcase_add_loop_test(tc, test_read_compressed_corrupt_and_truncated, 0, (int)N_TOOLS);
    tcase_add_loop_test(tc, test_read_compressed_corrupt_same_error_any_chunk, 0, (int)N_TOOLS);
    tcase_add_loop_test(tc, test_read_compressed_bomb_refused, 0, (int)N_TOOLS);
    tcase_add_test(tc, test_read_compressed_magic_alone);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (mkdtemp(tmp_path) == NULL)
        return EXIT_FAILURE;
    int rc = gex_test_run(compressed_suite());
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir());
    if (system(cmd) != 0)
        return EXIT_FAILURE;
    return rc;
}
