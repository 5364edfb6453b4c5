/*
 * splitmix64.h: the seeded generator the benchmarks, the chain generator and the randomised
 * tests draw from, so that the same seed gives the same numbers everywhere, on every run.
 *
 * SplitMix64: G. L. Steele, D. Lea and C. H. Flood, "Fast Splittable Pseudorandom Number
 * Generators", OOPSLA 2014 (the constants of Vigna's public-domain splitmix64.c).
 */
#ifndef GEX_SPLITMIX64_H
#define GEX_SPLITMIX64_H

#include <stdint.h>

/* The next 64 random bits; advances *state. */
static inline uint64_t gex_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A double uniform in [0, 1) from the top 53 bits. */
static inline double gex_splitmix64_unit(uint64_t *state)
{
    return (double)(gex_splitmix64(state) >> 11) * 0x1.0p-53;
}

#endif /* GEX_SPLITMIX64_H */
