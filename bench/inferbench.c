/*
 * inferbench: the serving kind (workload/infer.c) in a whole world at the load of a
 * recommendation service: 10,000 requests/s as a Poisson process for one simulated hour, each
 * reading 20 features of 4 KiB at random from a tier of 64 QLC-like devices, batched (up to 64
 * requests, 2 ms wait) onto 32 one-GPU replicas for 3 ms + 50 us per request. Target: under 20 s
 * of wall time on one core for the hour.
 *
 * Model. The world is built by hand (as bench/worldbench.c does), without the scenario layer or
 * the catalog: one pool of 4 nodes of 8 GPUs, one tier of 2 storage nodes of 32 drives of the
 * D5-P5336's class (1,005,000 random-read IOPS, 7 GB/s read, 3.3 GB/s write, 80 us latency,
 * 12.2 ms programs and 3 ms erases suspended after 100 and 700 us, 64 programs per erase: the
 * figures of models/storage.yaml's flash-qlc-node), 2 x 50 GB/s NICs each. A read costs
 * 1 / 1,005,000 s + 4096 B / 7 GB/s = 1.58 us of device time, so 200,000 reads/s keep each
 * device 0.5% busy; a batch of the mean size (about 20 at 10,000/s and 2 ms) holds its replica
 * 4 ms, so the replicas are about 6% busy. Per request the world runs about one arrival, one
 * completion of its reads (af_readbank: one event pops every request due by then), and its share
 * of the batch timers and batch ends.
 *
 * Cases:
 *   serve   the service alone (the target's case);
 *   ckpt    the same with a 1 TB checkpoint written to the tier every 10 min from outside
 *           clients (the tier keeping 10% of its device time for the reads), so that the reads
 *           run at the device time the writes leave and wait behind programs and erases
 *           (af_flash_blocking) while it lasts, which costs a speed change of the read bank at
 *           every start and end of the write and one uniform per blocked read.
 * Default: both.
 *
 * Measured per case: wall time (CLOCK_MONOTONIC) and process CPU time of af_world_run as a whole
 * (build, run, report), requests arrived, engine events (run.events) per request, wall ns per
 * request, and the p99 latency (inference.svc.latency_p99) as a sanity figure.
 *
 * Usage: inferbench [-s SECONDS] [CASE ...]   (simulated time, default 3600)
 */
#include "workload/world.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The load. */
#define IB_RATE_PER_S 10000.0
#define IB_READS 20u
#define IB_READ_B 4096.0
#define IB_REPLICAS 32
#define IB_MAX_BATCH 64u
#define IB_WAIT_S 2e-3
#define IB_SERVICE_S 3e-3
#define IB_PER_REQUEST_S 50e-6
#define IB_TARGET_WALL_S 20.0

/* The checkpoint of the ckpt case, and the share of device time the tier keeps for the reads
 * then (without one the writes take every device's time and the reads stall until they end). */
#define IB_CKPT_B 1e12
#define IB_CKPT_EVERY_S 600.0
#define IB_RESERVE 0.1

static double ib_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A GPU node: 8 GPUs; the serving kind uses only their count. */
static af_node_spec ib_node(void)
{
    af_node_spec n;
    memset(&n, 0, sizeof n);
    n.name = "bench-node";
    n.gpu = (af_gpu_spec){.name = "bench-gpu",
                          .bf16_flops = 989.4e12,
                          .hbm_B = 80e9,
                          .hbm_Bps = 3.35e12,
                          .tdp_W = 700,
                          .idle_W = 70};
    n.gpus = 8;
    n.storage_nic = (af_link_spec){.name = "nic", .rate_Bps = 50e9};
    n.storage_nics = 2;
    n.max_power_W = 10200;
    n.host_W = 4600;
    n.rack_units = 8;
    n.price_usd = 300000;
    return n;
}

/* A storage node of 32 QLC drives (see Model). */
static af_storage_spec ib_storage(void)
{
    af_storage_spec s;
    memset(&s, 0, sizeof s);
    s.name = "bench-qlc-node";
    s.media = AF_MEDIA_QLC;
    s.devices = 32;
    s.device_B = 61.44e12;
    s.device_read_Bps = 7e9;
    s.device_write_Bps = 3.3e9;
    s.device_read_iops = 1005000;
    s.device_write_iops = 38000;
    s.device_latency_s = 80e-6;
    s.device_idle_W = 5;
    s.device_read_W = 18.75;
    s.device_write_W = 25;
    s.nic = (af_link_spec){.name = "nic", .rate_Bps = 50e9};
    s.nics = 2;
    s.usable_fraction = 0.72;
    s.server_W = 400;
    s.rack_units = 1;
    s.chassis_price_usd = 40000;
    s.program_s = 12.2e-3;
    s.erase_s = 3e-3;
    s.program_suspend_s = 100e-6;
    s.erase_suspend_s = 700e-6;
    s.programs_per_erase = 64;
    return s;
}

/* What one case measured. */
typedef struct ib_result {
    double wall_s, cpu_s; /* af_world_run as a whole */
    double requests;      /* inference.svc.arrived */
    double events;        /* run.events */
    double p99_s;         /* inference.svc.latency_p99 */
} ib_result;

static double ib_get(const af_results *r, const char *name)
{
    const af_metric *m = af_results_find(r, name);
    return m ? m->value : NAN;
}

/* Runs one case for sim_s simulated seconds; false (after printing why) when the run fails. */
static bool ib_run(bool ckpt, double sim_s, ib_result *out)
{
    af_pool_config pool = {.name = "serve", .node = ib_node(), .nodes = IB_REPLICAS / 8};
    af_tier_config tier = {.name = "hot",
                           .system = ib_storage(),
                           .nodes = 2,
                           .cache_for = AF_WORLD_NONE,
                           .drain_to = AF_WORLD_NONE,
                           .reserve = ckpt ? IB_RESERVE : 0};
    af_infer_config svc = {.name = "svc",
                           .pool = 0,
                           .replicas = IB_REPLICAS,
                           .gpus_per_replica = 1,
                           .arrivals = {.rate_per_s = IB_RATE_PER_S},
                           .feature_tier = 0,
                           .feature_reads = IB_READS,
                           .feature_B = IB_READ_B,
                           .max_batch = IB_MAX_BATCH,
                           .max_wait_s = IB_WAIT_S,
                           .service_s = IB_SERVICE_S,
                           .per_request_s = IB_PER_REQUEST_S,
                           .service_dist = AF_SERVICE_FIXED,
                           .slo_s = 50e-3,
                           .slo_quantile = 0.99};
    af_burst_config burst = {.name = "ckpt",
                             .pool = AF_WORLD_NONE,
                             .tier = 0,
                             .write = true,
                             .size_B = IB_CKPT_B,
                             .every_s = IB_CKPT_EVERY_S,
                             .start_s = IB_CKPT_EVERY_S / 2,
                             .op_B = 1048576,
                             .keep = 1,
                             .weight = 1};
    af_world_config cfg = {.name = "inferbench",
                           .seed = 1,
                           .duration_s = sim_s,
                           .max_events = 1000000000000ULL,
                           .facility = {.name = "f",
                                        .pue = 1.2,
                                        .energy_price_usd_J = 2e-8,
                                        .amortization_s = 1.5e8,
                                        .storage_life_s = 1.5e8,
                                        .network_life_s = 1.5e8,
                                        .lifetime_s = 1.5e8,
                                        .rack_power_W = 40000,
                                        .rack_units = 42,
                                        .space_usd_s_per_rack = 1e-3},
                           .pools = &pool,
                           .npools = 1,
                           .tiers = &tier,
                           .ntiers = 1,
                           .bursts = &burst,
                           .nbursts = ckpt ? 1 : 0,
                           .infers = &svc,
                           .ninfers = 1};
    af_results *r = af_results_new();
    af_diag *d = af_diag_new();
    double w0 = ib_clock(CLOCK_MONOTONIC), c0 = ib_clock(CLOCK_PROCESS_CPUTIME_ID);
    int rc = af_world_run(&cfg, r, d);
    out->wall_s = ib_clock(CLOCK_MONOTONIC) - w0;
    out->cpu_s = ib_clock(CLOCK_PROCESS_CPUTIME_ID) - c0;
    bool ok = rc == AF_OK;
    if (!ok) {
        fprintf(stderr, "inferbench: run failed:\n");
        af_diag_print(d, stderr);
    } else {
        out->requests = ib_get(r, "inference.svc.arrived");
        out->events = ib_get(r, "run.events");
        out->p99_s = ib_get(r, "inference.svc.latency_p99");
    }
    af_results_free(r);
    af_diag_free(d);
    return ok;
}

int main(int argc, char **argv)
{
    static const char *defaults[] = {"serve", "ckpt"};
    double sim_s = 3600;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        char *end;
        if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            sim_s = strtod(argv[++i], &end);
            if (*end || !(sim_s > 0) || sim_s > 1e7) {
                fprintf(stderr,
                        "inferbench: -s: expected seconds in (0, 1e7] such as 600, got \"%s\"\n",
                        argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: inferbench [-s SECONDS] [serve|ckpt ...]\n");
            return 2;
        }
    }
    const char **cases = (const char **)argv + i;
    size_t n = (size_t)(argc - i);
    if (n == 0) {
        cases = defaults;
        n = sizeof defaults / sizeof defaults[0];
    }
    printf("inferbench: %.0f requests/s x %u reads of %.0f B on 64 QLC devices, batches of %u "
           "(%.0f ms wait) on %d replicas, %.0f s simulated\n",
           IB_RATE_PER_S, IB_READS, IB_READ_B, IB_MAX_BATCH, IB_WAIT_S * 1e3, IB_REPLICAS, sim_s);
    printf("%-6s %8s %8s %11s %12s %10s %8s %9s\n", "case", "wall_s", "cpu_s", "requests", "events",
           "ev/req", "ns/req", "p99_ms");
    int rc = 0;
    double serve_wall = NAN;
    for (size_t k = 0; k < n; k++) {
        bool ckpt = strcmp(cases[k], "ckpt") == 0;
        if (!ckpt && strcmp(cases[k], "serve") != 0) {
            fprintf(stderr, "inferbench: unknown case \"%s\" (serve or ckpt)\n", cases[k]);
            return 2;
        }
        ib_result res;
        if (!ib_run(ckpt, sim_s, &res)) {
            rc = 1;
            continue;
        }
        printf("%-6s %8.3f %8.3f %11.0f %12.0f %10.3f %8.1f %9.3f\n", cases[k], res.wall_s,
               res.cpu_s, res.requests, res.events, res.events / res.requests,
               1e9 * res.wall_s / res.requests, 1e3 * res.p99_s);
        fflush(stdout);
        if (!ckpt)
            serve_wall = res.wall_s;
    }
    if (!isnan(serve_wall)) {
        double scaled = serve_wall * 3600 / sim_s;
        printf("target wall < %.0f s for one hour of serve: %s (%.3f s)\n", IB_TARGET_WALL_S,
               scaled < IB_TARGET_WALL_S ? "met" : "MISSED", scaled);
    }
    return rc;
}
