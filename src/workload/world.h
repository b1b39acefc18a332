/*
 * world: a whole scenario's configuration as plain structs in SI units, and the function that
 * builds the simulated world from it, runs it and writes the results.
 *
 * The scenario layer fills an af_world_config (strings and arrays in its arena); nothing here
 * knows about YAML. The run is deterministic: same configuration, same results.
 *
 * What moves data (see world.c for the details):
 * - Bulk transfers (training batch reads, bursts, cache fills, drains) are flows of the fluid
 *   model (engine/flow.h) over a path of resources: the client pool's storage NICs, the fabric
 *   stages between the pool and the tier (leaf uplinks, spine) when a fabric connects them, the
 *   tier's storage NICs, and the tier's devices. The devices are one resource measured in
 *   device-seconds per second (nodes x devices); a flow of op-size s bytes uses
 *   1/bandwidth + 1/(IOPS x s) device-seconds per byte, with the read or write figures by
 *   direction, so reads and writes interfere through one device-time budget.
 * - Small random reads (look-ups) are discrete requests queued at a tier's devices
 *   (engine/queue.h), served at the share of device time the fluid traffic leaves.
 */
#ifndef AF_WORKLOAD_WORLD_H
#define AF_WORKLOAD_WORLD_H

#include "base/diag.h"
#include "base/results.h"
#include "model/fabric.h"
#include "model/facility.h"
#include "model/node.h"
#include "model/storage.h"
#include "workload/train.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A pool of identical GPU nodes. */
typedef struct af_pool_config {
    const char *name;  /* pool name, unique */
    af_node_spec node; /* node model (catalog entry with scenario overrides applied) */
    int64_t nodes;     /* number of nodes, >= 1 */
} af_pool_config;

/* No tier (an index field that names none). */
#define AF_WORLD_NONE SIZE_MAX

/* A storage tier: a catalog system times a node count, optionally in front of another tier. */
typedef struct af_tier_config {
    const char *name;       /* tier name, unique */
    af_storage_spec system; /* storage node model (with overrides applied) */
    int64_t nodes;          /* number of storage nodes, >= 1 */
    /* Cache: this tier caches `cache_for` (a tier index, or AF_WORLD_NONE). A read of a data
     * set that lives on `cache_for` is served from this tier with probability hit_ratio; a miss
     * reads the backing tier and writes the bytes into this one (the cache fill). */
    size_t cache_for;       /* backing tier, or AF_WORLD_NONE */
    double hit_ratio;       /* share of reads served by this tier, [0, 1] */
    /* Drain: bytes written to this tier are copied in the background to `drain_to` (a tier
     * index, or AF_WORLD_NONE) and then freed here, with QoS weight drain_weight. */
    size_t drain_to;        /* drain target, or AF_WORLD_NONE */
    double drain_weight;    /* weight of the drain flows, > 0 (default 0.25) */
    /* QoS: a share of the devices' time held back for the latency class (look-ups): bulk flows
     * together use at most (1 - reserve) of it. */
    double reserve;         /* reserved share for the latency class, [0, 1) */
} af_tier_config;

/* A network fabric between pools and tiers (model/fabric.h). Pools and tiers a storage fabric
 * (one that connects a tier) connects reach each other through its stages; a pair no fabric
 * connects is assumed joined by a non-blocking network (only the NICs limit it). A fabric of
 * pools only is a backend (GPU) fabric on the nodes' compute NICs: planned and counted in power,
 * space and cost, it carries no storage traffic. A tier is on at most one fabric, a pool on at
 * most one storage and one backend fabric. */
typedef struct af_fabric_config {
    const char *name;         /* fabric name, unique */
    af_fabric_spec spec;      /* topology, switch model (catalog), oversubscription, levels */
    size_t *pools;            /* indices of the pools it connects */
    size_t npools;
    size_t *tiers;            /* indices of the tiers it connects */
    size_t ntiers;
} af_fabric_config;

/* QoS class of a workload on its tier. */
typedef enum {
    AF_QOS_BULK,   /* fluid traffic: shares by weight, kept out of a tier's reserve */
    AF_QOS_LATENCY /* discrete look-ups: served first from the reserve */
} af_qos_class;

/* A periodic bulk transfer between a pool (or outside clients) and a tier: a checkpoint write,
 * an ingest burst, a model load. */
typedef struct af_burst_config {
    const char *name;   /* workload name, unique among workloads */
    size_t pool;        /* client pool whose storage NICs carry it, or AF_WORLD_NONE (outside
                           clients: only the tier's NICs and devices limit it) */
    size_t tier;        /* tier written to or read from */
    bool write;         /* true: write to the tier; false: read from it */
    double size_B;      /* bytes per burst, > 0 */
    double every_s;     /* period: a burst starts every every_s, > 0 */
    double start_s;     /* time of the first burst, >= 0 */
    double op_B;        /* operation size for the device-time cost, bytes (default 1 MiB) */
    int keep;           /* writes: copies kept on the tier, older ones freed; 0 = keep all */
    double weight;      /* QoS weight per client node (or per tier node without a pool), > 0 */
} af_burst_config;

/* Small random reads arriving as a Poisson process at a tier (inference feature look-ups,
 * metadata). Latency class: served from the devices' time that bulk flows leave. */
typedef struct af_lookup_config {
    const char *name;   /* workload name, unique among workloads */
    size_t tier;        /* tier read from */
    double rate_per_s;  /* mean arrival rate, requests/s, > 0 */
    double size_B;      /* bytes per request, > 0 */
    double slo_s;       /* latency objective for the p99, s (0 = none) */
} af_lookup_config;

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
    af_fabric_config *fabrics; /* fabrics in declaration order (may be none) */
    size_t nfabrics;
    af_train_config *trains;   /* training jobs in declaration order */
    size_t ntrains;
    af_burst_config *bursts;   /* bursts in declaration order */
    size_t nbursts;
    af_lookup_config *lookups; /* look-up streams in declaration order */
    size_t nlookups;
} af_world_config;

/* Builds the world described by cfg, runs it for cfg->duration_s and stores its metrics in res.
 * Returns AF_OK; AF_EINPUT with a message in d when the configuration cannot be built (a fabric
 * that cannot be planned, data sets that do not fit their tiers, an out-of-range step time); or
 * AF_EIO when the run could not complete (e.g. the event budget ran out before the end time). */
int af_world_run(const af_world_config *cfg, af_results *res, af_diag *d);

/* Builds the world without running it: the checks of af_world_run that need no simulation (the
 * fabrics can be planned, the data sets fit, the step times are in range, the event budget is
 * not certain to run out). Same return codes; for `aifsim validate`. */
int af_world_check(const af_world_config *cfg, af_diag *d);

#endif
