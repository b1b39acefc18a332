/*
 * world: a whole scenario's configuration as plain structs in SI units, and the function that
 * builds the simulated world from it, runs it and writes the results.
 *
 * The scenario layer fills an af_world_config (strings and arrays in its arena); nothing here
 * knows about YAML. The run is deterministic: same configuration, same results.
 */
#ifndef AF_WORKLOAD_WORLD_H
#define AF_WORKLOAD_WORLD_H

#include "base/diag.h"
#include "base/results.h"
#include "model/facility.h"
#include "model/node.h"
#include "model/storage.h"
#include "workload/train.h"

#include <stddef.h>
#include <stdint.h>

/* A pool of identical GPU nodes. */
typedef struct af_pool_config {
    const char *name;  /* pool name, unique */
    af_node_spec node; /* node model (catalog entry with scenario overrides applied) */
    int64_t nodes;     /* number of nodes, >= 1 */
} af_pool_config;

/* A storage tier: a catalog system times a node count. */
typedef struct af_tier_config {
    const char *name;       /* tier name, unique */
    af_storage_spec system; /* storage node model (with overrides applied) */
    int64_t nodes;          /* number of storage nodes, >= 1 */
} af_tier_config;

/* The whole world. */
typedef struct af_world_config {
    const char *name;          /* scenario name */
    uint64_t seed;             /* scenario seed for all random streams */
    double duration_s;         /* simulated time to run, s (> 0) */
    uint64_t max_events;       /* event budget (0 = default limit) */
    af_facility_spec facility; /* facility figures */
    af_pool_config *pools;     /* GPU pools in declaration order */
    size_t npools;
    af_tier_config *tiers;     /* storage tiers in declaration order */
    size_t ntiers;
    af_train_config *trains;   /* training jobs in declaration order */
    size_t ntrains;
} af_world_config;

/* Builds the world described by cfg, runs it for cfg->duration_s and stores its metrics in res.
 * Returns AF_OK, or AF_EIO with a message in d if the run could not complete (e.g. the event
 * budget ran out before the end time). */
int af_world_run(const af_world_config *cfg, af_results *res, af_diag *d);

#endif
