/*
 * chain-json-internal.h: the CBOE JSON reader (chain-json.c), as used by the entry points in
 * chain-read.c. Not installed.
 */
#ifndef GEX_CHAIN_JSON_INTERNAL_H
#define GEX_CHAIN_JSON_INTERNAL_H

#include <stddef.h>

#include "chain-row-internal.h"

/* The chunks of a JSON document (jansson's json_load_callback_t): up to size bytes into buffer,
 * their count returned (0 at the end). */
typedef size_t (*gex__chunk_fn)(void *buffer, size_t size, void *data);
/* Reads the whole document through next_chunk(..., data) into r. */
int gex__read_cboe_json(gex__reader *r, gex__chunk_fn next_chunk, void *data);

#endif /* GEX_CHAIN_JSON_INTERNAL_H */
