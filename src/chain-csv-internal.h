/*
 * chain-csv-internal.h: format detection and the CSV readers (chain-csv.c), as used by the
 * entry points in chain-read.c and the read in ranges (chain-split.c). Not installed.
 */
#ifndef GEX_CHAIN_CSV_INTERNAL_H
#define GEX_CHAIN_CSV_INTERNAL_H

#include <stddef.h>

#include "chain-row-internal.h"

/* The header line must start within the first lines of a file: the longest real preamble
 * (CBOE) has three lines before it; the margin covers placeholder and blank lines. */
#define HEADER_SEARCH_LINES 32

/* What detection found in the first bytes of a file. */
typedef struct gex__detected {
    gex_format format;
    size_t header_offset; /* byte offset of the CSV header line in the prefix */
    long header_line;     /* its 1-based line number */
    int semicolon;        /* the header's fields are separated by ';' (chain-semicolon.c) */
} gex__detected;

/* Finds the format of a file from its first len bytes (the whole file when is_all), honouring
 * options->format; reads the CBOE preamble (spot, date line) into the reader. GEX_OK, or
 * GEX_EFORMAT / GEX_EPARSE with err filled (and what to do). */
int gex__detect(gex__reader *r, const char *prefix, size_t len, int is_all, gex__detected *det);

/* The next chunk of an input read in chunks, from its caller's data: its length (0 at the end)
 * and *chunk, valid until the next call. */
typedef size_t (*gex__pull_fn)(void *data, const char **chunk);

/* Reads a long or CBOE CSV: the prefix from det->header_offset, then the further chunks that
 * next(data) gives (next NULL when the prefix is the whole input). */
int gex__read_csv(gex__reader *r, const gex__detected *det, const char *prefix, size_t len,
                  gex__pull_fn next, void *data);

/* --- reading the rows of a CSV in ranges, on several threads (chain-split.c) --- */

/* A CSV reader that has read the header line and stops between two records. */
typedef struct gex__csv_part gex__csv_part;

/* Reads the header line (line, len bytes: the line and its terminator) of a long or CBOE CSV
 * into a new part, as gex__read_csv would (the columns, the warning for lines before a long
 * header). GEX_OK and *out, or GEX_OK and *out NULL when the line is not one whole record (the
 * file must then be read in one piece), or the status and err of gex__read_csv. */
int gex__csv_header(gex__reader *r, const gex__detected *det, const char *line, size_t len,
                    gex__csv_part **out);

/* A part reading rows into reader r with the header's columns, its first row on line. The
 * header part must outlive it. GEX_OK or GEX_ENOMEM. */
int gex__csv_part_new(const gex__csv_part *header, gex__reader *r, long line, gex__csv_part **out);

/* Reads the next chunk of the part's rows; returns its status (err filled when not GEX_OK). */
int gex__csv_part_feed(gex__csv_part *p, const char *chunk, size_t n);

/* Ends a part: the last of the input reads a final record without a terminator and sets
 * *row_start; another sets *row_start when its last byte ended a record (nothing held over for
 * the next range). Returns the part's status. */
int gex__csv_part_end(gex__csv_part *p, int last, int *row_start);

/* The line where the part's next record would start. */
long gex__csv_part_line(const gex__csv_part *p);

/* A CBOE part's underlying, from its first decodable symbol (length 0 when none yet). */
size_t gex__csv_part_underlying(const gex__csv_part *p, const char **underlying);

void gex__csv_part_free(gex__csv_part *p);

/* Where the bytes of an input come from for a read in ranges: memory, or a regular file read
 * with pread. */
typedef struct gex__split_input {
    const char *mem;         /* the input from the prefix on; NULL for a file */
    int fd;                  /* else the file, */
    long long offset;        /* and the file offset of the prefix's first byte */
    size_t len;              /* bytes from the prefix's first byte to the end */
    size_t threads;          /* at most this many ranges */
    size_t min_range;        /* at least this many bytes per range */
    size_t chunk;            /* bytes read at once */
    gex__split_count *count; /* when not NULL: set to how the ranges were read (tests) */
} gex__split_input;

/* Reads the rows of a CSV (det found in prefix, prefix_len bytes) in up to in->threads ranges at
 * once and combines them into r exactly as gex__read_csv would have read them. *done is 0 when
 * the input is not split (too small, no row boundary proven between the ranges): r is then as
 * it was and the caller reads in one piece; otherwise the status is that of gex__read_csv. */
int gex__read_csv_split(gex__reader *r, const gex__detected *det, const char *prefix,
                        size_t prefix_len, const gex__split_input *in, int *done);

#endif /* GEX_CHAIN_CSV_INTERNAL_H */
