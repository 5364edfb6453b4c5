/*
 * chain-csv-internal.h: format detection and the CSV readers (chain-csv.c), as used by the
 * entry points in chain-read.c. Not installed.
 */
#ifndef GEX_CHAIN_CSV_INTERNAL_H
#define GEX_CHAIN_CSV_INTERNAL_H

#include <stddef.h>

#include "chain-internal.h"

/* The header line must start within the first lines of a file: the longest real preamble
 * (CBOE) has three lines before it; the margin covers placeholder and blank lines. */
#define HEADER_SEARCH_LINES 32

/* What detection found in the first bytes of a file. */
typedef struct gex__detected {
    gex_format format;
    size_t header_offset; /* byte offset of the CSV header line in the prefix */
    long header_line;     /* its 1-based line number */
} gex__detected;

/* Finds the format of a file from its first len bytes (the whole file when is_all), honouring
 * options->format; reads the CBOE preamble (spot, date line) into the reader. GEX_OK, or
 * GEX_EFORMAT / GEX_EPARSE with err filled (and what to do). */
int gex__detect(gex__reader *r, const char *prefix, size_t len, int is_all, gex__detected *det);

/* Reads a long or CBOE CSV: the prefix from det->header_offset, then the further chunks of
 * stream (NULL when the prefix is the whole input). */
int gex__read_csv(gex__reader *r, const gex__detected *det, const char *prefix, size_t len,
                  void *stream);

/* The next chunk of a stream: its length (0 at the end) and *chunk. */
size_t gex__source_next(void *stream, const char **chunk);
/* Non-zero when the stream reported a read error. */
int gex__source_failed(const void *stream);

#endif /* GEX_CHAIN_CSV_INTERNAL_H */
