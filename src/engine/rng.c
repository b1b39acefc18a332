/*
 * rng: per-component random streams; see rng.h for the interface.
 *
 * Seed derivation. A component's seed is
 *
 *     af_rng_seed(seed, name) = splitmix64(splitmix64(seed) ^ fnv1a64(name))
 *
 * where fnv1a64 is the 64-bit FNV-1a hash of the name's bytes (offset basis
 * 0xcbf29ce484222325, prime 0x100000001b3; Fowler, Noll and Vo, draft-eastlake-fnv) and
 * splitmix64(x) is one step of Steele, Lea and Flood's SplitMix64 generator from state x: add
 * the golden-ratio increment 0x9e3779b97f4a7c15, then the variant-13 finaliser (Stafford's
 * Mix13). Both steps are fixed integer arithmetic on uint64_t, so the value is the same on every
 * platform and release. The inner splitmix64 keeps a small change of seed from cancelling a
 * small change of hash; the outer one makes every output bit depend on every input bit.
 *
 * Seeding GSL. gsl_rng_set takes an unsigned long, which is 32 bits on some ABIs, and GSL's
 * MT19937 uses only the low 32 bits of it anyway (its seeding routine masks with 0xffffffff;
 * a seed of 0 is replaced by GSL's default 4357). So the 64-bit seed is folded to 32 bits,
 * (s ^ (s >> 32)) & 0xffffffff, which lets every bit of it count and behaves identically on
 * every ABI. The price is a 32-bit seed space: two components collide with probability about
 * k^2 / 2^33 for k components (1e-4 at k = 1000), which we accept.
 */
#include "engine/rng.h"

#include <stdint.h>
#include <stdlib.h>

/* FNV-1a 64-bit parameters. */
#define AF_FNV64_OFFSET UINT64_C(0xcbf29ce484222325)
#define AF_FNV64_PRIME UINT64_C(0x100000001b3)

/* 64-bit FNV-1a hash of the NUL-terminated string s. */
static uint64_t rng_fnv1a64(const char *s)
{
    uint64_t h = AF_FNV64_OFFSET;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= AF_FNV64_PRIME;
    }
    return h;
}

/* One SplitMix64 step from state x: the next output of the generator whose state was x. */
static uint64_t rng_splitmix64(uint64_t x)
{
    uint64_t z = x + UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t af_rng_seed(uint64_t seed, const char *name)
{
    return rng_splitmix64(rng_splitmix64(seed) ^ rng_fnv1a64(name));
}

gsl_rng *af_rng_new(uint64_t seed, const char *name)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) {
        /* GSL's default error handler has already aborted; this covers a caller that turned
         * it off, keeping the "allocation never returns NULL" rule. */
        abort();
    }
    uint64_t s = af_rng_seed(seed, name);
    gsl_rng_set(r, (unsigned long)((s ^ (s >> 32)) & UINT64_C(0xffffffff)));
    return r;
}

void af_rng_free(gsl_rng *r)
{
    if (r)
        gsl_rng_free(r);
}
