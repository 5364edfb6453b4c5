/*
 * gex/macro.h: macro-economic series a user keeps beside the chains, read from FRED's CSV
 * downloads (fred.stlouisfed.org, "Download Data", CSV): a header "observation_date,ID[,ID...]"
 * (older downloads: "DATE,ID,..."), then one row per date "YYYY-MM-DD,value,..." with "." or
 * an empty cell where a value is missing. gex serve reads DGS10 (the 10-year Treasury yield),
 * DFF or FEDFUNDS (the federal funds rate) and BAMLH0A0HYM2 (the ICE BofA US high-yield option-
 * adjusted spread), each in percent, for /v1/vrp's macro block (SPEC 5.5).
 */
#ifndef GEX_MACRO_H
#define GEX_MACRO_H

#include <stddef.h>
#include <stdint.h>

#include "gex/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One series: its FRED id and its observations in ascending date (days since 1970-01-01);
 * value NAN where FRED has none. */
typedef struct gex_macro_series {
    char id[32];
    size_t n;
    int32_t *day;
    double *value;
} gex_macro_series;

/* The series of one file. */
typedef struct gex_macro_file {
    size_t n;
    gex_macro_series *series;
} gex_macro_file;

/* Whether the first bytes of a file are a FRED CSV header ("observation_date," or "DATE,", as
 * written, followed by series ids in FRED's upper case) and, where they reach it, a first row
 * that starts with a date. ids (may be NULL) receives the ids, comma-separated, cut to
 * ids_size - 1 bytes. */
int gex_macro_is_fred(const char *head, size_t len, char *ids, size_t ids_size);

/* Reads a FRED CSV from memory (len bytes; name: for messages). Returns GEX_OK and *out (free it
 * with gex_macro_file_free); GEX_EEMPTY for empty input (len 0 or only white space; buf may be
 * NULL when len is 0, as for gex_chain_read_buffer); GEX_EFORMAT when the header is not FRED's;
 * GEX_EPARSE for a row whose date or value cannot be read, or dates out of order (err: the line,
 * what to do); GEX_ENOMEM; GEX_EINVAL for a NULL buf with len > 0, or a NULL out. */
int gex_macro_read_fred_buffer(const char *buf, size_t len, const char *name, gex_macro_file *out,
                               gex_error *err);

/* The same from a file (GEX_EEMPTY for an empty one); GEX_EIO when it cannot be read, GEX_EINVAL
 * for a NULL path or out. */
int gex_macro_read_fred(const char *path, gex_macro_file *out, gex_error *err);

void gex_macro_file_free(gex_macro_file *file); /* accepts NULL; leaves it empty */

/* The series of id (compared ignoring case) in file, or NULL. */
const gex_macro_series *gex_macro_find(const gex_macro_file *file, const char *id);

/* The latest observation with a value at or before day: GEX_OK with *value and *obs_day, or
 * GEX_ENOTFOUND when there is none. */
int gex_macro_value_at(const gex_macro_series *series, int32_t day, double *value,
                       int32_t *obs_day);

#ifdef __cplusplus
}
#endif

#endif /* GEX_MACRO_H */
