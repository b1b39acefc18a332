/*
 * world_fixture: a small world configuration built by hand, without the scenario layer or the
 * catalog, so that workload tests check the simulation against closed forms independently of
 * the parsers. Figures are round numbers chosen to make the expected answers easy to compute.
 */
#ifndef AF_TESTS_WORLD_FIXTURE_H
#define AF_TESTS_WORLD_FIXTURE_H

#include "workload/world.h"

#include <string.h>

enum { AF_FIX_MAX = 4 };

/* Storage for a world with up to AF_FIX_MAX pools, tiers and jobs. */
typedef struct af_fixture {
    af_world_config cfg;
    af_pool_config pools[AF_FIX_MAX];
    af_tier_config tiers[AF_FIX_MAX];
    af_train_config trains[AF_FIX_MAX];
    af_burst_config bursts[AF_FIX_MAX];
    af_lookup_config lookups[AF_FIX_MAX];
    af_infer_config infers[AF_FIX_MAX];
    af_fabric_config fabrics[AF_FIX_MAX];
    size_t fabric_pools[AF_FIX_MAX], fabric_tiers[AF_FIX_MAX];
} af_fixture;

/* A GPU node: 8 GPUs of 1 PFLOP/s, 100 W idle, 700 W TDP; storage NICs 2 x 50 GB/s. */
static inline af_node_spec af_fix_node(void)
{
    af_node_spec n;
    memset(&n, 0, sizeof n);
    n.name = "test-node";
    n.gpu = (af_gpu_spec){.name = "test-gpu",
                          .bf16_flops = 1e15,
                          .fp8_flops = 2e15,
                          .hbm_B = 80e9,
                          .hbm_Bps = 3e12,
                          .tdp_W = 700,
                          .idle_W = 100,
                          .price_usd = 25000};
    n.gpus = 8;
    n.storage_nic = (af_link_spec){.name = "test-nic", .rate_Bps = 50e9};
    n.storage_nics = 2;
    n.max_power_W = 10000;
    n.host_W = 2000;
    n.rack_units = 8;
    n.price_usd = 300000;
    return n;
}

/* A storage node reading at read_Bps (devices and NICs sized so that devices bind). */
static inline af_storage_spec af_fix_storage(double read_Bps)
{
    af_storage_spec s;
    memset(&s, 0, sizeof s);
    s.name = "test-storage";
    s.devices = 10;
    s.device_B = 10e12;
    s.device_read_Bps = read_Bps / 10;
    s.device_write_Bps = read_Bps / 20;
    s.device_read_iops = 1e6;
    s.device_write_iops = 1e5;
    s.device_idle_W = 5;
    s.device_read_W = 20;
    s.device_write_W = 20;
    s.nic = (af_link_spec){.name = "test-nic", .rate_Bps = 1e15};
    s.nics = 1;
    s.usable_fraction = 0.8;
    s.server_W = 300;
    s.rack_units = 2;
    s.chassis_price_usd = 100000;
    return s;
}

/* Sets up one pool of `nodes` nodes, one tier of `snodes` storage nodes of read_Bps each, and
 * one job reading batch_B per GPU per step with compute time step_s. */
static inline void af_fix_init(af_fixture *f, int64_t nodes, int64_t snodes, double read_Bps,
                               double batch_B, double step_s, double duration_s)
{
    memset(f, 0, sizeof *f);
    f->pools[0] = (af_pool_config){.name = "gpus", .node = af_fix_node(), .nodes = nodes};
    for (int i = 0; i < AF_FIX_MAX; i++)
        f->tiers[i] = (af_tier_config){.cache_for = AF_WORLD_NONE, .drain_to = AF_WORLD_NONE};
    f->tiers[0].name = "hot";
    f->tiers[0].system = af_fix_storage(read_Bps);
    f->tiers[0].nodes = snodes;
    f->trains[0] = (af_train_config){.name = "job",
                                     .pool = 0,
                                     .tier = 0,
                                     .step_time_s = step_s,
                                     .dataset_B = 1e12,
                                     .sample_B = batch_B,
                                     .samples_per_gpu = 1,
                                     .samples_per_file = 1,
                                     .prefetch = 2,
                                     .weight = 1};
    f->cfg = (af_world_config){.name = "fixture",
                               .seed = 1,
                               .duration_s = duration_s,
                               .facility = {.name = "test",
                                            .pue = 1.25,
                                            .energy_price_usd_J = 0.1 / 3.6e6,
                                            .amortization_s = 4 * 365 * 86400.0,
                                            .storage_life_s = 4 * 365 * 86400.0,
                                            .network_life_s = 4 * 365 * 86400.0,
                                            .lifetime_s = 4 * 365 * 86400.0,
                                            .rack_power_W = 40000,
                                            .rack_units = 42,
                                            .space_usd_s_per_rack = 2.0 / 3600},
                               .pools = f->pools,
                               .npools = 1,
                               .tiers = f->tiers,
                               .ntiers = 1,
                               .trains = f->trains,
                               .ntrains = 1,
                               .bursts = f->bursts,
                               .lookups = f->lookups,
                               .infers = f->infers,
                               .fabrics = f->fabrics};
}

/* Adds a second tier like the first (same system and node count) and returns its index. */
static inline size_t af_fix_add_tier(af_fixture *f, const char *name)
{
    size_t t = f->cfg.ntiers++;
    f->tiers[t] = f->tiers[0];
    f->tiers[t].name = name;
    f->tiers[t].cache_for = AF_WORLD_NONE;
    f->tiers[t].drain_to = AF_WORLD_NONE;
    f->tiers[t].reserve = 0;
    return t;
}

/* Adds a burst of size_B bytes every every_s seconds from pool 0 (or outside clients when pool
 * is AF_WORLD_NONE) to tier `tier` (write) or back (read), first at start_s; weight 1. */
static inline af_burst_config *af_fix_add_burst(af_fixture *f, const char *name, size_t pool,
                                                size_t tier, bool write, double size_B,
                                                double every_s, double start_s)
{
    af_burst_config *b = &f->bursts[f->cfg.nbursts++];
    *b = (af_burst_config){.name = name,
                           .pool = pool,
                           .tier = tier,
                           .write = write,
                           .size_B = size_B,
                           .every_s = every_s,
                           .start_s = start_s,
                           .op_B = 1048576,
                           .weight = 1};
    return b;
}

#endif
