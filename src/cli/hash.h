/*
 * hash.h: 64-bit FNV-1a (Fowler, Noll, Vo; the published offset basis and prime), the hash of
 * the server's index and response cache and of the history store's build key. Private to
 * src/cli/.
 */
#ifndef GEX_CLI_HASH_H
#define GEX_CLI_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CLI_FNV1A_BASIS UINT64_C(14695981039346656037)
#define CLI_FNV1A_PRIME UINT64_C(1099511628211)

/* h continued over n bytes. */
static inline uint64_t cli_fnv1a_bytes(uint64_t h, const void *bytes, size_t n)
{
    const unsigned char *b = bytes;
    for (size_t k = 0; k < n; k++) {
        h ^= b[k];
        h *= CLI_FNV1A_PRIME;
    }
    return h;
}

/* h continued over the bytes of the string s. */
static inline uint64_t cli_fnv1a(uint64_t h, const char *s)
{
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= CLI_FNV1A_PRIME;
    }
    return h;
}

#endif /* GEX_CLI_HASH_H */
