/*
 * rng: random streams, one per component.
 *
 * Each component (a workload, a failure process, a storage tier) draws from its own GSL
 * generator, seeded from the scenario seed and the component's name, so adding a workload does
 * not change the draws of another, and the same seed always gives the same run.
 */
#ifndef AF_ENGINE_RNG_H
#define AF_ENGINE_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* Returns the 64-bit seed for component `name` under scenario seed `seed`: a strong mix
 * (SplitMix64 over FNV-1a of the name), stable across platforms and releases. */
uint64_t af_rng_seed(uint64_t seed, const char *name);

/* Creates a new generator (MT19937) for component `name`; free with af_rng_free. */
gsl_rng *af_rng_new(uint64_t seed, const char *name);

/* Releases a generator; NULL is allowed. */
void af_rng_free(gsl_rng *r);

#endif
