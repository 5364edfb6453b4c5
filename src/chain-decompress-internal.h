/*
 * chain-decompress-internal.h: compressed chain files (gzip, zstd, xz, bzip2) read as a stream
 * of their decompressed bytes (chain-decompress.c), for the input layer (chain-read.c). Not
 * installed.
 */
#ifndef GEX_CHAIN_DECOMPRESS_INTERNAL_H
#define GEX_CHAIN_DECOMPRESS_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "gex/error.h"

/* The compressions gex reads, recognised from their magic numbers (never from a file name). */
typedef enum gex__compression {
    GEX__COMPRESSION_NONE = 0,
    GEX__COMPRESSION_GZIP,  /* 1f 8b (RFC 1952), also concatenated members */
    GEX__COMPRESSION_ZSTD,  /* 28 b5 2f fd (RFC 8878), also several frames */
    GEX__COMPRESSION_XZ,    /* fd 37 7a 58 5a 00 (.xz), also concatenated streams */
    GEX__COMPRESSION_BZIP2, /* "BZh" and a block size digit 1-9, also concatenated streams */
} gex__compression;

/* The most decompressed bytes read from one file: 2 GiB. The largest real chain files are some
 * hundreds of MB (a whole OPRA day of every underlying), while gzip's ratio reaches 1032:1 and
 * bzip2's and zstd's far more: a small file decompressing past this is a decompression bomb,
 * refused before it fills the memory or the disk of the reader. */
#define GEX__DECOMPRESS_MAX ((unsigned long long)1 << 31)

/* The most leading bytes gex__compression_detect looks at (xz's magic number). */
#define GEX__COMPRESSION_MAGIC_MAX 6

/* The compression of a file whose first len bytes are p, or GEX__COMPRESSION_NONE (also when
 * len is too short to tell). */
gex__compression gex__compression_detect(const unsigned char *p, size_t len);

/* "gzip", "zstd", "xz", "bzip2". */
const char *gex__compression_name(gex__compression c);

/* A decompressing reader. */
typedef struct gex__inflate gex__inflate;

/* Opens a reader of compression c over the compressed bytes pre[0..pre_len) (already read,
 * copied here), then those of fp (when not NULL) to its end. The library (libz.so.1,
 * libzstd.so.1, liblzma.so.5, libbz2.so.1.0) is loaded now, with dlopen, so that a program
 * reading no compressed file loads none. limit: the most decompressed bytes (0:
 * GEX__DECOMPRESS_MAX). GEX_OK and *out, or GEX_EIO (the library cannot be loaded: err says
 * which and what to do) or GEX_ENOMEM, *out NULL. name is kept for messages and must outlive
 * the reader. */
int gex__inflate_open(gex__compression c, const void *pre, size_t pre_len, FILE *fp,
                      const char *name, unsigned long long limit, gex_error *err,
                      gex__inflate **out);

/* Up to cap decompressed bytes into dst: their count, 0 at the end of the data or on an error
 * (then gex__inflate_status says which). The bytes before an error, and the error, are the same
 * whatever cap each call gives. */
size_t gex__inflate_read(gex__inflate *z, char *dst, size_t cap);

/* GEX_OK while the data is sound, else the status of the first error (GEX_EPARSE: corrupt or
 * truncated data, or more than the limit; GEX_EIO: the file cannot be read; GEX_ENOMEM), with
 * its message (the file's name, what is wrong, what to do) copied into err when not NULL. */
int gex__inflate_status(const gex__inflate *z, gex_error *err);

/* Unloads the library and frees the reader. Accepts NULL. */
void gex__inflate_close(gex__inflate *z);

#endif /* GEX_CHAIN_DECOMPRESS_INTERNAL_H */
