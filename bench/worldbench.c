/*
 * worldbench: the whole world (workload/world.c) at scale. N training jobs, each on its own pool
 * of 16 nodes, read from one shared tier that cannot feed them all, so every job always has a
 * fetch in flight and every fetch's start or end reshares the tier among all N. Reports events
 * per second and the wall time per simulated hour. Single run per size, best of 3.
 *
 * Also times a lock-step group at full size: one job of 16,384 GPUs (2048 nodes), which must
 * cost what one GPU costs.
 */
#include "workload/world.h"

#include "base/alloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double af_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static af_node_spec af_bench_node(void)
{
    af_node_spec n;
    memset(&n, 0, sizeof n);
    n.name = "bench-node";
    n.gpu = (af_gpu_spec){.name = "bench-gpu", .bf16_flops = 1e15, .tdp_W = 700, .idle_W = 100};
    n.gpus = 8;
    n.storage_nic = (af_link_spec){.name = "nic", .rate_Bps = 50e9};
    n.storage_nics = 2;
    n.max_power_W = 10000;
    n.overhead_W = 2000;
    n.rack_units = 8;
    n.price_usd = 300000;
    return n;
}

static af_storage_spec af_bench_storage(void)
{
    af_storage_spec s;
    memset(&s, 0, sizeof s);
    s.name = "bench-storage";
    s.devices = 24;
    s.device_B = 15e12;
    s.device_read_Bps = 7e9;
    s.device_write_Bps = 3e9;
    s.device_read_iops = 1e6;
    s.device_write_iops = 1e5;
    s.device_latency_s = 80e-6;
    s.device_idle_W = 5;
    s.device_read_W = 15;
    s.device_write_W = 20;
    s.nic = (af_link_spec){.name = "nic", .rate_Bps = 50e9};
    s.nics = 2;
    s.usable_fraction = 0.7;
    s.overhead_W = 400;
    s.rack_units = 2;
    s.price_usd = 60000;
    return s;
}

/* Runs n jobs of `nodes` nodes each for duration_s; returns events per second of wall time. */
static double af_bench(size_t n, int64_t nodes, double duration_s, double *wall, double *events)
{
    af_pool_config *pools = af_calloc(n, sizeof *pools);
    af_train_config *trains = af_calloc(n, sizeof *trains);
    char(*names)[32] = af_calloc(n, sizeof *names);
    af_tier_config tier = {.name = "hot",
                           .system = af_bench_storage(),
                           .nodes = 8,
                           .cache_for = AF_WORLD_NONE,
                           .drain_to = AF_WORLD_NONE};
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "job%zu", i);
        pools[i] = (af_pool_config){.name = names[i], .node = af_bench_node(), .nodes = nodes};
        /* 200 MB/s per GPU asked; the tier (8 x 100 GB/s) feeds 4000 GPUs. Step times differ a
         * little so that completions do not coincide. */
        trains[i] = (af_train_config){.name = names[i],
                                      .pool = i,
                                      .tier = 0,
                                      .step_time_s = 0.25 + 1e-4 * (double)(i % 97),
                                      .dataset_B = 1e9,
                                      .sample_B = 1e6,
                                      .samples_per_gpu = 50,
                                      .samples_per_file = 100,
                                      .prefetch = 2,
                                      .weight = 1};
    }
    af_world_config cfg = {.name = "bench",
                           .seed = 1,
                           .duration_s = duration_s,
                           .max_events = 1000000000ULL,
                           .facility = {.name = "f",
                                        .pue = 1.2,
                                        .energy_price_usd_J = 2e-8,
                                        .amortization_s = 1.5e8,
                                        .rack_power_W = 40000,
                                        .rack_units = 42,
                                        .space_usd_s_per_rack = 1e-3},
                           .pools = pools,
                           .npools = n,
                           .tiers = &tier,
                           .ntiers = 1,
                           .trains = trains,
                           .ntrains = n};
    double best = 1e300, ev = 0;
    for (int rep = 0; rep < 3; rep++) {
        af_results *r = af_results_new();
        af_diag *d = af_diag_new();
        double t0 = af_now_s();
        if (af_world_run(&cfg, r, d) != AF_OK) {
            fprintf(stderr, "worldbench: run failed\n");
            return 0;
        }
        double dt = af_now_s() - t0;
        const af_metric *m = af_results_find(r, "run.events");
        ev = m ? m->value : 0;
        if (dt < best)
            best = dt;
        af_results_free(r);
        af_diag_free(d);
    }
    af_free(names);
    af_free(trains);
    af_free(pools);
    *wall = best;
    *events = ev;
    return ev / best;
}

int main(void)
{
    printf("worldbench: N jobs of 16 nodes (128 GPUs) sharing one tier, always fetching\n");
    printf("%8s %10s %12s %12s %14s\n", "jobs", "GPUs", "events", "wall s", "events/s");
    const size_t ns[] = {1, 10, 100, 1000};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        double wall, ev;
        double duration = ns[i] >= 1000 ? 60 : ns[i] >= 100 ? 600 : 3600;
        double rate = af_bench(ns[i], 16, duration, &wall, &ev);
        printf("%8zu %10zu %12.0f %12.4f %14.4g\n", ns[i], ns[i] * 128, ev, wall, rate);
    }
    double wall, ev;
    double rate = af_bench(1, 2048, 3600, &wall, &ev);
    printf("one job of 16384 GPUs for 1 h: %.0f events in %.4f s (%.4g events/s)\n", ev, wall,
           rate);
    return 0;
}
