/*
 * Compressed chain files: gzip (zlib), zstd (libzstd), xz (liblzma) and bzip2 (libbz2), each
 * recognised from its magic number and read as a stream of decompressed bytes, a bounded
 * buffer at a time, never the whole file. The libraries are loaded with dlopen when a
 * compressed file is opened, so that the program reading a plain CSV (every run but these)
 * loads none of them (tests/loaded-libraries.sh). Their headers give the types only.
 */
#include "chain-decompress-internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

/* Compressed bytes read from the file at a time. */
#define INFLATE_IN_CHUNK (64 * 1024)
/* The decoders' output window. What a decoder gives out depends on the room it is given:
 * libzstd decodes a frame in one pass when the output can hold the size the frame declares,
 * block by block otherwise, and reports the same corrupt frame differently in each ("Destination
 * buffer is too small", "Data corruption detected"); liblzma decodes ahead into its dictionary
 * and loses what it has not yet given out when it meets damage, so that the bytes before an
 * error depend on the room too. Each call of a decoder is given exactly this much output,
 * straight into the caller's buffer when it has the room and into a window of the reader's own
 * when it has less, so that the same bytes give the same bytes, and the same error, however
 * much a caller asks for at a time (the fuzzer's check that a stream read in chunks of a few
 * bytes reads and fails as the read from memory does). A full block of zstd's (128 KiB). */
#define OUT_WINDOW ((size_t)128 << 10)
/* liblzma's memory limit for the decoder: xz -9 needs 65 MiB, --extreme presets no more; a
 * header asking for more than 1 GiB is a corrupt or hostile file. */
#define XZ_MEMLIMIT ((uint64_t)1 << 30)

/* The functions each library gives (loaded with dlsym). */
typedef struct zlib_api {
    __typeof__(&inflateInit2_) init2;
    __typeof__(&inflate) inflate;
    __typeof__(&inflateReset) reset;
    __typeof__(&inflateEnd) end;
} zlib_api;

typedef struct zstd_api {
    __typeof__(&ZSTD_createDStream) create;
    __typeof__(&ZSTD_freeDStream) free;
    __typeof__(&ZSTD_decompressStream) decompress;
    __typeof__(&ZSTD_isError) is_error;
    __typeof__(&ZSTD_getErrorName) error_name;
} zstd_api;

typedef struct lzma_api {
    __typeof__(&lzma_stream_decoder) decoder;
    __typeof__(&lzma_code) code;
    __typeof__(&lzma_end) end;
} lzma_api;

typedef struct bz2_api {
    __typeof__(&BZ2_bzDecompressInit) init;
    __typeof__(&BZ2_bzDecompress) decompress;
    __typeof__(&BZ2_bzDecompressEnd) end;
} bz2_api;

struct gex__inflate {
    gex__compression kind;
    const char *name;
    void *lib;          /* dlopen handle */
    FILE *fp;           /* the compressed bytes after pre, NULL when none */
    unsigned char *pre; /* the bytes given at the open (a copy), pre_pos of them taken */
    size_t pre_len, pre_pos;
    /* The decoder's input: a window of INFLATE_IN_CHUNK bytes, topped up from pre, then fp
     * (refill), so that the same calls see the same bytes whether the file came from memory or
     * from a stream, and in whatever pieces (zstd decodes a frame in one pass only when all of
     * it is in its input, and reports a corrupt one differently then). */
    unsigned char *in;
    size_t in_cap, in_pos, in_len;
    int in_eof;   /* pre and fp are used up */
    char *window; /* the output for a caller with less room (OUT_WINDOW bytes, made when first
                   * needed): window_len made, window_pos given out */
    size_t window_pos, window_len;
    int mid;     /* inside a stream (or member): its end not yet seen */
    int started; /* the decoder is initialised */
    int done;
    unsigned long long out_total, limit;
    int rc;
    gex_error err;
    union {
        zlib_api z;
        zstd_api zs;
        lzma_api x;
        bz2_api b;
    } api;
    union {
        z_stream z;
        ZSTD_DStream *zs;
        lzma_stream x;
        bz_stream b;
    } s;
};

gex__compression gex__compression_detect(const unsigned char *p, size_t len)
{
    static const unsigned char xz[6] = {0xFD, '7', 'z', 'X', 'Z', 0x00};
    static const unsigned char zstd[4] = {0x28, 0xB5, 0x2F, 0xFD};
    if (len >= 3 && p[0] == 0x1F && p[1] == 0x8B && p[2] == 8) /* deflate, the only method */
        return GEX__COMPRESSION_GZIP;
    if (len >= 4 && memcmp(p, zstd, 4) == 0)
        return GEX__COMPRESSION_ZSTD;
    if (len >= 6 && memcmp(p, xz, 6) == 0)
        return GEX__COMPRESSION_XZ;
    if (len >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9')
        return GEX__COMPRESSION_BZIP2;
    return GEX__COMPRESSION_NONE;
}

const char *gex__compression_name(gex__compression c)
{
    switch (c) {
    case GEX__COMPRESSION_GZIP:
        return "gzip";
    case GEX__COMPRESSION_ZSTD:
        return "zstd";
    case GEX__COMPRESSION_XZ:
        return "xz";
    case GEX__COMPRESSION_BZIP2:
        return "bzip2";
    case GEX__COMPRESSION_NONE:
        break;
    }
    return "none";
}

/* The library of each compression: its soname, the Debian package that ships it and the
 * command that decompresses by hand. */
static const struct {
    const char *soname, *package, *tool;
} libraries[] = {
    [GEX__COMPRESSION_GZIP] = {"libz.so.1", "zlib1g", "gzip -d"},
    [GEX__COMPRESSION_ZSTD] = {"libzstd.so.1", "libzstd1", "zstd -d"},
    [GEX__COMPRESSION_XZ] = {"liblzma.so.5", "liblzma5", "xz -d"},
    [GEX__COMPRESSION_BZIP2] = {"libbz2.so.1.0", "libbz2-1.0", "bzip2 -d"},
};

/* dlsym into a function pointer (POSIX guarantees the conversion). */
static int load(void *lib, const char *symbol, void *fn_ptr)
{
    void *f = dlsym(lib, symbol);
    if (f == NULL)
        return -1;
    memcpy(fn_ptr, &f, sizeof f);
    return 0;
}

static int load_api(gex__inflate *z)
{
    void *l = z->lib;
    switch (z->kind) {
    case GEX__COMPRESSION_GZIP:
        return load(l, "inflateInit2_", &z->api.z.init2) | load(l, "inflate", &z->api.z.inflate) |
               load(l, "inflateReset", &z->api.z.reset) | load(l, "inflateEnd", &z->api.z.end);
    case GEX__COMPRESSION_ZSTD:
        return load(l, "ZSTD_createDStream", &z->api.zs.create) |
               load(l, "ZSTD_freeDStream", &z->api.zs.free) |
               load(l, "ZSTD_decompressStream", &z->api.zs.decompress) |
               load(l, "ZSTD_isError", &z->api.zs.is_error) |
               load(l, "ZSTD_getErrorName", &z->api.zs.error_name);
    case GEX__COMPRESSION_XZ:
        return load(l, "lzma_stream_decoder", &z->api.x.decoder) |
               load(l, "lzma_code", &z->api.x.code) | load(l, "lzma_end", &z->api.x.end);
    case GEX__COMPRESSION_BZIP2:
        return load(l, "BZ2_bzDecompressInit", &z->api.b.init) |
               load(l, "BZ2_bzDecompress", &z->api.b.decompress) |
               load(l, "BZ2_bzDecompressEnd", &z->api.b.end);
    case GEX__COMPRESSION_NONE:
        break;
    }
    return -1;
}

static size_t fail(gex__inflate *z, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Records the first error (the message formatted from fmt); returns 0 (no bytes) for
 * gex__inflate_read. */
static size_t fail(gex__inflate *z, int status, const char *fmt, ...)
{
    if (z->rc == GEX_OK) {
        z->rc = status;
        char text[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        gex_error_set(&z->err, status, z->name, 0, 0, "%s", text);
    }
    return 0;
}

static size_t corrupt(gex__inflate *z, const char *detail)
{
    return fail(z, GEX_EPARSE,
                "the %s data is corrupt (%s): the file is damaged; download or copy it again",
                gex__compression_name(z->kind), detail);
}

static size_t truncated(gex__inflate *z)
{
    return fail(z, GEX_EPARSE,
                "the %s data ends early, after %llu decompressed bytes: the file is truncated; "
                "download or copy it again",
                gex__compression_name(z->kind), z->out_total);
}

static size_t out_of_memory(gex__inflate *z)
{
    return fail(z, GEX_ENOMEM, "the %s decoder is out of memory", gex__compression_name(z->kind));
}

/* Starts (or restarts, for the next member) the decoder. 0, or -1 with the error recorded. */
static int start(gex__inflate *z)
{
    switch (z->kind) {
    case GEX__COMPRESSION_GZIP:
        if (z->started) {
            z->mid = 1;
            return z->api.z.reset(&z->s.z) == Z_OK ? 0 : -1;
        }
        memset(&z->s.z, 0, sizeof z->s.z);
        /* 15 + 16: a gzip wrapper and its CRC, the largest window (RFC 1952). */
        if (z->api.z.init2(&z->s.z, 15 + 16, ZLIB_VERSION, (int)sizeof(z_stream)) != Z_OK)
            return -1;
        break;
    case GEX__COMPRESSION_ZSTD:
        if (z->started) {
            z->mid = 1;
            return 0;
        }
        z->s.zs = z->api.zs.create();
        if (z->s.zs == NULL)
            return -1;
        break;
    case GEX__COMPRESSION_XZ: {
        if (z->started) {
            z->mid = 1;
            return 0;
        }
        lzma_stream init = LZMA_STREAM_INIT;
        z->s.x = init;
        if (z->api.x.decoder(&z->s.x, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
            return -1;
        break;
    }
    case GEX__COMPRESSION_BZIP2:
        if (z->started)
            z->api.b.end(&z->s.b);
        memset(&z->s.b, 0, sizeof z->s.b);
        z->started = 0;
        if (z->api.b.init(&z->s.b, 0, 0) != BZ_OK)
            return -1;
        break;
    case GEX__COMPRESSION_NONE:
        return -1;
    }
    z->started = 1;
    z->mid = 1;
    return 0;
}

int gex__inflate_open(gex__compression c, const void *pre, size_t pre_len, FILE *fp,
                      const char *name, unsigned long long limit, gex_error *err,
                      gex__inflate **out)
{
    *out = NULL;
    if (c == GEX__COMPRESSION_NONE)
        return gex_error_set(err, GEX_EINVAL, name, 0, 0, "not a compressed file");
    gex__inflate *z = calloc(1, sizeof *z);
    if (z == NULL)
        return gex_error_set(err, GEX_ENOMEM, name, 0, 0, "out of memory");
    z->kind = c;
    z->name = name;
    z->fp = fp;
    z->limit = limit > 0 ? limit : GEX__DECOMPRESS_MAX;
    z->in_cap = INFLATE_IN_CHUNK;
    z->in = malloc(z->in_cap);
    z->pre = pre_len > 0 ? malloc(pre_len) : NULL;
    if (z->in == NULL || (pre_len > 0 && z->pre == NULL)) {
        free(z->in);
        free(z->pre);
        free(z);
        return gex_error_set(err, GEX_ENOMEM, name, 0, 0, "out of memory");
    }
    if (pre_len > 0)
        memcpy(z->pre, pre, pre_len);
    z->pre_len = pre_len;
    z->lib = dlopen(libraries[c].soname, RTLD_NOW | RTLD_LOCAL);
    if (z->lib == NULL || load_api(z) != 0) {
        gex__inflate_close(z);
        return gex_error_set(err, GEX_EIO, name, 0, 0,
                             "the file is %s-compressed, but %s cannot be loaded: install the "
                             "Debian package %s, or decompress the file first (%s)",
                             gex__compression_name(c), libraries[c].soname, libraries[c].package,
                             libraries[c].tool);
    }
    if (start(z) != 0) {
        gex__inflate_close(z);
        return gex_error_set(err, GEX_ENOMEM, name, 0, 0,
                             "cannot start the %s decoder: out of memory",
                             gex__compression_name(c));
    }
    *out = z;
    return GEX_OK;
}

/* Tops the input window up once less than half of it is left to decode (a decoder asked for a
 * byte at a time consumes a few at a time; moving the rest every time would cost more than the
 * decoding): the bytes not yet decoded moved to its start, then as many as fit from pre, then
 * from the file. The window's contents depend only on the calls made so far, never on the
 * pieces the bytes came in. */
static void refill(gex__inflate *z)
{
    if (z->in_eof || z->in_len - z->in_pos >= z->in_cap / 2)
        return;
    if (z->in_pos > 0) {
        memmove(z->in, z->in + z->in_pos, z->in_len - z->in_pos);
        z->in_len -= z->in_pos;
        z->in_pos = 0;
    }
    while (z->in_len < z->in_cap && !z->in_eof) {
        size_t room = z->in_cap - z->in_len, got;
        if (z->pre_pos < z->pre_len) {
            got = z->pre_len - z->pre_pos < room ? z->pre_len - z->pre_pos : room;
            memcpy(z->in + z->in_len, z->pre + z->pre_pos, got);
            z->pre_pos += got;
        } else if (z->fp != NULL) {
            got = fread(z->in + z->in_len, 1, room, z->fp);
            if (got == 0) {
                z->in_eof = 1;
                if (ferror(z->fp))
                    fail(z, GEX_EIO, "cannot read the %s file: %s", gex__compression_name(z->kind),
                         strerror(errno));
            }
        } else {
            got = 0;
            z->in_eof = 1;
        }
        z->in_len += got;
    }
}

/* One call of the decoder from the input at in_pos into dst[0..cap): *made bytes written,
 * in_pos advanced; sets mid to 0 at the end of a stream (member). -1 on an error (recorded). */
static int step(gex__inflate *z, char *dst, size_t cap, size_t *made)
{
    const unsigned char *in = z->in + z->in_pos;
    size_t avail = z->in_len - z->in_pos, used = 0;
    *made = 0;
    switch (z->kind) {
    case GEX__COMPRESSION_GZIP: {
        z_stream *s = &z->s.z;
        s->next_in = (unsigned char *)(uintptr_t)in;
        s->avail_in = avail > UINT32_MAX ? UINT32_MAX : (uInt)avail;
        s->next_out = (unsigned char *)dst;
        s->avail_out = cap > UINT32_MAX ? UINT32_MAX : (uInt)cap;
        uInt in0 = s->avail_in, out0 = s->avail_out;
        int ret = z->api.z.inflate(s, Z_NO_FLUSH);
        used = in0 - s->avail_in;
        *made = out0 - s->avail_out;
        if (ret == Z_STREAM_END)
            z->mid = 0;
        else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
            corrupt(z, s->msg != NULL ? s->msg : "zlib: invalid data");
            return -1;
        } else if (ret == Z_MEM_ERROR) {
            out_of_memory(z);
            return -1;
        }
        break;
    }
    case GEX__COMPRESSION_ZSTD: {
        ZSTD_inBuffer ib = {in, avail, 0};
        ZSTD_outBuffer ob = {dst, cap, 0};
        size_t ret = z->api.zs.decompress(z->s.zs, &ob, &ib);
        if (z->api.zs.is_error(ret)) {
            corrupt(z, z->api.zs.error_name(ret));
            return -1;
        }
        used = ib.pos;
        *made = ob.pos;
        /* 0: a frame decoded and flushed; a next frame, if any, starts a new one. */
        z->mid = ret != 0;
        break;
    }
    case GEX__COMPRESSION_XZ: {
        lzma_stream *s = &z->s.x;
        s->next_in = in;
        s->avail_in = avail;
        s->next_out = (uint8_t *)dst;
        s->avail_out = cap;
        lzma_ret ret = z->api.x.code(s, z->in_eof ? LZMA_FINISH : LZMA_RUN);
        used = avail - s->avail_in;
        *made = cap - s->avail_out;
        if (ret == LZMA_STREAM_END)
            z->mid = 0;
        else if (ret == LZMA_BUF_ERROR) {
            truncated(z);
            return -1;
        } else if (ret == LZMA_MEM_ERROR) {
            out_of_memory(z);
            return -1;
        } else if (ret == LZMA_MEMLIMIT_ERROR) {
            corrupt(z, "liblzma: the stream asks for more than 1 GiB of memory");
            return -1;
        } else if (ret != LZMA_OK) {
            corrupt(z, ret == LZMA_DATA_ERROR      ? "liblzma: invalid data"
                       : ret == LZMA_FORMAT_ERROR  ? "liblzma: not an xz stream"
                       : ret == LZMA_OPTIONS_ERROR ? "liblzma: unsupported options"
                                                   : "liblzma: integrity check failed");
            return -1;
        }
        break;
    }
    case GEX__COMPRESSION_BZIP2: {
        bz_stream *s = &z->s.b;
        s->next_in = (char *)(uintptr_t)in;
        s->avail_in = avail > UINT32_MAX ? UINT32_MAX : (unsigned)avail;
        s->next_out = dst;
        s->avail_out = cap > UINT32_MAX ? UINT32_MAX : (unsigned)cap;
        unsigned in0 = s->avail_in, out0 = s->avail_out;
        int ret = z->api.b.decompress(s);
        used = in0 - s->avail_in;
        *made = out0 - s->avail_out;
        if (ret == BZ_STREAM_END)
            z->mid = 0;
        else if (ret == BZ_MEM_ERROR) {
            out_of_memory(z);
            return -1;
        } else if (ret != BZ_OK) {
            corrupt(z, ret == BZ_DATA_ERROR_MAGIC ? "libbz2: not a bzip2 stream"
                                                  : "libbz2: invalid data or checksum");
            return -1;
        }
        break;
    }
    case GEX__COMPRESSION_NONE:
        return -1;
    }
    z->in_pos += used;
    return 0;
}

/* Decompresses up to cap bytes into dst: what gex__inflate_read does, the window aside.
 * The bytes a decoder gives out in the call that finds the damage (zlib, liblzma and libbz2
 * give every byte decoded before it, a gzip or bzip2 checksum comes after its data), and the
 * bytes up to the limit, are returned with the error recorded, which ends the read at the next
 * call: the reader then sees the same bytes before the error however much it asks for at a
 * time, and its counts (rows read before the failure) do not depend on it. */
static size_t inflate_into(gex__inflate *z, char *dst, size_t cap)
{
    if (z->rc != GEX_OK || z->done || cap == 0)
        return 0;
    size_t produced = 0;
    while (produced == 0) {
        refill(z);
        if (z->rc != GEX_OK)
            return 0;
        if (!z->mid) {
            /* The end of a stream (member): another may follow (gzip members, bzip2 streams
             * concatenated by `cat`); what follows must be one. */
            if (z->in_pos == z->in_len && z->in_eof) {
                z->done = 1;
                return 0;
            }
            if (start(z) != 0)
                return out_of_memory(z);
        }
        size_t in_before = z->in_pos, made;
        const int damaged = step(z, dst, cap, &made) != 0;
        produced = made;
        if (damaged)
            break;
        if (made == 0 && z->in_pos == in_before && z->in_pos == z->in_len && z->in_eof && z->mid)
            return truncated(z);
    }
    if (produced > z->limit - z->out_total) {
        /* the limit comes before any damage found in the same call (past its bytes): a reader
         * asking for less at a time meets the limit first */
        produced = (size_t)(z->limit - z->out_total);
        z->rc = GEX_OK;
        fail(z, GEX_EPARSE,
             "the %s data decompresses to more than %llu MiB: refused as a decompression bomb "
             "(real chain files are far smaller); decompress it by hand if it truly is one chain",
             gex__compression_name(z->kind), z->limit >> 20);
    }
    z->out_total += produced;
    return produced;
}

size_t gex__inflate_read(gex__inflate *z, char *dst, size_t cap)
{
    if (z == NULL || cap == 0)
        return 0;
    if (z->window_pos == z->window_len) {
        if (cap >= OUT_WINDOW)
            return inflate_into(z, dst, OUT_WINDOW);
        if (z->window == NULL && (z->window = malloc(OUT_WINDOW)) == NULL)
            return out_of_memory(z);
        z->window_pos = 0;
        z->window_len = inflate_into(z, z->window, OUT_WINDOW);
    }
    size_t n = z->window_len - z->window_pos;
    if (n > cap)
        n = cap;
    memcpy(dst, z->window + z->window_pos, n);
    z->window_pos += n;
    return n;
}

int gex__inflate_status(const gex__inflate *z, gex_error *err)
{
    if (z->rc != GEX_OK && err != NULL)
        *err = z->err;
    return z->rc;
}

void gex__inflate_close(gex__inflate *z)
{
    if (z == NULL)
        return;
    if (z->started) {
        switch (z->kind) {
        case GEX__COMPRESSION_GZIP:
            z->api.z.end(&z->s.z);
            break;
        case GEX__COMPRESSION_ZSTD:
            z->api.zs.free(z->s.zs);
            break;
        case GEX__COMPRESSION_XZ:
            z->api.x.end(&z->s.x);
            break;
        case GEX__COMPRESSION_BZIP2:
            z->api.b.end(&z->s.b);
            break;
        case GEX__COMPRESSION_NONE:
            break;
        }
    }
    if (z->lib != NULL)
        dlclose(z->lib);
    free(z->window);
    free(z->pre);
    free(z->in);
    free(z);
}
