/*
 * Validation of the shared-bandwidth world (workload/world.c) against closed forms:
 * - utilization = min(1, R / demand) where R is the per-GPU rate of whichever stage binds
 *   (client NICs, fabric uplinks, storage NICs, devices by bandwidth or by IOPS, reader threads),
 *   and the data wait is charged to that stage;
 * - a burst competing with a data-bound training job on one device budget runs at the weighted
 *   max-min share k w_b L with L = C / (sum of scale x k x w), and never slower than the QoS bound;
 * - capacity accounting: writes beyond a full tier are refused and counted byte for byte, `keep`
 *   frees old copies, drains move bytes from one tier to another, cache hits and misses split the
 *   reads by the hit ratio;
 * - look-ups: Poisson arrivals on one device served at the speed the fluid traffic leaves match
 *   M/D/1 (Pollaczek-Khinchine; doc/formulas.md, "Queueing") with service time
 *   D / speed, inside a 99.9% confidence interval over independent replications.
 */
#include "tests/unit/cutest.h"
#include "tests/world_fixture.h"

#include "base/alloc.h"
#include "base/results.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static af_results *af_run(af_fixture *f)
{
    af_results *r = af_results_new();
    af_diag *d = af_diag_new();
    int rc = af_world_run(&f->cfg, r, d);
    if (rc != AF_OK) {
        char *msg = af_diag_format(d, 0);
        fprintf(stderr, "world run failed: %s\n", msg ? msg : "?");
        af_free(msg);
    }
    CU_ASSERT_EQUAL_FATAL(rc, AF_OK);
    af_diag_free(d);
    return r;
}

static double af_get(const af_results *r, const char *name)
{
    const af_metric *m = af_results_find(r, name);
    CU_ASSERT_PTR_NOT_NULL(m);
    if (!m)
        fprintf(stderr, "missing metric %s\n", name);
    return m ? m->value : NAN;
}

static double af_get0(const af_results *r, const char *name)
{
    const af_metric *m = af_results_find(r, name);
    return m ? m->value : 0;
}

/* Checks utilization against R / demand, that the wait is charged to `hold`, and that the
 * resource named as holding the GPUs back longest contains `res`. */
static void af_check_bound(af_fixture *f, double R, const char *hold, const char *res)
{
    af_results *r = af_run(f);
    double demand = f->trains[0].sample_B * f->trains[0].samples_per_gpu / f->trains[0].step_time_s;
    double expect = R / demand < 1 ? R / demand : 1;
    double util = af_get(r, "train.job.gpu_utilization");
    if (fabs(util - expect) > 2e-3 * expect)
        fprintf(stderr, "%s: utilization %g, expected %g\n", hold, util, expect);
    AF_ASSERT_REL(util, expect, 2e-3);
    char name[128];
    snprintf(name, sizeof name, "train.job.%s", hold);
    double wait = af_get(r, "train.job.data_wait");
    CU_ASSERT(wait > 0.1);
    AF_ASSERT_REL(af_get0(r, name), wait, 1e-9);
    const af_metric *m = af_results_find(r, "train.job.bottleneck");
    CU_ASSERT(m && m->text && strstr(m->text, res));
    if (m && m->text && !strstr(m->text, res))
        fprintf(stderr, "bottleneck \"%s\", expected \"%s\"\n", m->text, res);
    af_results_free(r);
}

/* 4 nodes (32 GPUs) asking 1 GB/s each of storage that each stage in turn limits. */
static void test_each_stage_can_bind(void)
{
    af_fixture f;
    /* Devices: 2 nodes x 10 devices x 0.5 GB/s = 10 GB/s for 32 GPUs; 1 GB files make the IOPS
     * term (2 ops per file at 1e6 IOPS) negligible but present. */
    af_fix_init(&f, 4, 2, 5e9, 1e9, 1.0, 6000);
    double dev_scale = 1 / 0.5e9 + 2 / (1e6 * 1e9);
    af_check_bound(&f, 20 / dev_scale / 32, "wait_devices", "tier hot devices");

    /* Client NICs: 4 nodes x 2 x 2 GB/s = 16 GB/s for 32 GPUs; storage plentiful. */
    af_fix_init(&f, 4, 2, 1e12, 1e9, 1.0, 6000);
    f.pools[0].node.storage_nic.rate_Bps = 2e9;
    af_check_bound(&f, 16e9 / 32, "wait_client_nics", "pool gpus storage NICs in");

    /* Storage NICs: 2 nodes x 1 x 6 GB/s = 12 GB/s. */
    af_fix_init(&f, 4, 2, 1e12, 1e9, 1.0, 6000);
    f.tiers[0].system.nic.rate_Bps = 6e9;
    af_check_bound(&f, 12e9 / 32, "wait_storage_nics", "tier hot NICs out");

    /* IOPS: 64 kB one-sample files on 2 x 10 devices of 1000 IOPS: a file costs 2 operations
     * (2 ms) plus 64 kB at 100 GB/s. */
    af_fix_init(&f, 4, 2, 1e12, 64e3, 0.001, 60);
    f.tiers[0].system.device_read_iops = 1000;
    double s = 1 / 1e11 + 2 / (1000 * 64e3);
    af_check_bound(&f, 20 / s / 32, "wait_devices", "tier hot devices");

    /* Reader threads: 4 per GPU, 10 MB files, 5 ms latency, 100 GB/s devices: each thread moves
     * 10 MB per 5.1 ms. */
    af_fix_init(&f, 4, 2, 1e12, 10e6, 0.001, 60);
    f.trains[0].reader_threads = 4;
    f.tiers[0].system.device_latency_s = 5e-3;
    af_check_bound(&f, 4 * 10e6 / (5e-3 + 10e6 / 1e11), "wait_readers", "reader threads");
}

/* A fabric with 3:1 leaves: the pool's leaf uplinks bind. */
static void test_fabric_uplinks_bind(void)
{
    af_fixture f;
    af_fix_init(&f, 8, 2, 1e12, 1e10, 1.0, 6000); /* 64 GPUs asking 10 GB/s each */
    af_switch_spec sw = {.name = "test-switch",
                         .ports = 16,
                         .port_rate_Bps = 50e9,
                         .typical_W = 500,
                         .max_W = 1000,
                         .rack_units = 1,
                         .price_usd = 20000};
    f.fabric_pools[0] = 0;
    f.fabric_tiers[0] = 0;
    f.fabrics[0] = (af_fabric_config){
        .name = "net",
        .spec = {.name = "net", .topology = AF_FABRIC_FAT_TREE, .sw = sw, .oversubscription = 3},
        .pools = f.fabric_pools,
        .npools = 1,
        .tiers = f.fabric_tiers,
        .ntiers = 1};
    f.cfg.nfabrics = 1;
    /* The plan, from the fabric model itself (tested on its own in test_fabric). */
    af_fabric plan;
    af_fabric_group groups[2] = {
        {.name = "gpus", .nodes = 8, .nics_per_node = 2, .nic_rate_Bps = 50e9},
        {.name = "hot", .nodes = 2, .nics_per_node = 1, .nic_rate_Bps = 50e9}};
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL_FATAL(af_fabric_init(&plan, &f.fabrics[0].spec, groups, 2, d), AF_OK);
    af_diag_free(d);
    af_fabric_stage st[AF_FABRIC_MAX_STAGES];
    size_t n = af_fabric_stages(&plan, 1, 0, st);
    double R = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (st[i].capacity_Bps < R)
            R = st[i].capacity_Bps;
    CU_ASSERT(R < 800e9); /* the uplinks, not the 16 x 50 GB/s of client NICs */
    /* The tier's NICs (2 x 50 GB/s) bind before a 3:1 leaf; give it more ports. */
    f.tiers[0].system.nics = 8;
    groups[1].nics_per_node = 8;
    d = af_diag_new();
    CU_ASSERT_EQUAL_FATAL(af_fabric_init(&plan, &f.fabrics[0].spec, groups, 2, d), AF_OK);
    af_diag_free(d);
    n = af_fabric_stages(&plan, 1, 0, st);
    R = INFINITY;
    size_t which = 0;
    for (size_t i = 0; i < n; i++)
        if (st[i].capacity_Bps < R) {
            R = st[i].capacity_Bps;
            which = i;
        }
    CU_ASSERT(st[which].kind == AF_STAGE_SRC_UPLINK || st[which].kind == AF_STAGE_DST_DOWNLINK ||
              st[which].kind == AF_STAGE_SPINE);
    af_check_bound(&f, R / 64, "wait_fabric", st[which].label);
    af_results *r = af_run(&f);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "fabric.net.switches"), (double)plan.switches, 0);
    AF_ASSERT_REL(af_get(r, "fabric.net.power"), plan.switches * 500.0, 1e-12);
    af_results_free(r);
}

/* A backend fabric (pools only) carries no storage traffic: the run is the same as without it,
 * but its switches add their power and price. */
static void test_backend_fabric_counts_but_carries_nothing(void)
{
    af_fixture f;
    af_fix_init(&f, 8, 2, 1e12, 1e10, 1.0, 600);
    af_results *plain = af_run(&f);
    af_switch_spec sw = {.name = "test-switch",
                         .ports = 64,
                         .port_rate_Bps = 50e9,
                         .typical_W = 500,
                         .max_W = 1000,
                         .rack_units = 1,
                         .price_usd = 20000};
    f.pools[0].node.nic = (af_link_spec){.name = "ib", .rate_Bps = 50e9};
    f.pools[0].node.nics = 8;
    f.fabric_pools[0] = 0;
    f.fabrics[0] = (af_fabric_config){
        .name = "backend",
        .spec = {.name = "backend", .topology = AF_FABRIC_RAIL, .sw = sw, .oversubscription = 1},
        .pools = f.fabric_pools,
        .npools = 1};
    f.cfg.nfabrics = 1;
    af_results *r = af_run(&f);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "train.job.gpu_utilization"),
                           af_get(plain, "train.job.gpu_utilization"), 0);
    /* 8 nodes x 8 rails = 64 endpoints: one 64-port switch. */
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "fabric.backend.switches"), 1, 0);
    AF_ASSERT_REL(af_get(r, "facility.it_power") - af_get(plain, "facility.it_power"), 500, 1e-9);
    af_results_free(r);
    af_results_free(plain);
}

/* Device scales of the fixture tier for 1 GB training files and 1 MiB burst writes. */
static double af_read_scale(const af_storage_spec *s, double file_B)
{
    return 1 / s->device_read_Bps + 2 / (s->device_read_iops * file_B);
}

static double af_write_scale(const af_storage_spec *s, double op_B)
{
    return 1 / s->device_write_Bps + 1 / (s->device_write_iops * op_B);
}

/* A write burst shares the devices with a data-bound job: weighted max-min by device time. */
static void test_burst_share_matches_weights(void)
{
    const double weights[] = {1, 8, 0.25};
    for (size_t i = 0; i < sizeof weights / sizeof weights[0]; i++) {
        af_fixture f;
        af_fix_init(&f, 4, 2, 5e9, 1e9, 1.0, 4000); /* devices bind: 10 GB/s for 32 GB/s asked */
        af_burst_config *b = af_fix_add_burst(&f, "ckpt", AF_WORLD_NONE, 0, true, 200e9, 2000, 100);
        b->weight = weights[i];
        const af_storage_spec *s = &f.tiers[0].system;
        double sr = af_read_scale(s, 1e9), sw = af_write_scale(s, 1048576);
        double C = 20; /* device-seconds per second */
        double L = C / (32 * 1 * sr + 2 * weights[i] * sw);
        double burst_Bps = 2 * weights[i] * L;
        double alone_Bps = C / sw;
        af_results *r = af_run(&f);
        CU_ASSERT_EQUAL(af_get(r, "burst.ckpt.completed"), 2);
        AF_ASSERT_REL(af_get(r, "burst.ckpt.time_mean"), 200e9 / burst_Bps, 1e-6);
        AF_ASSERT_REL(af_get(r, "burst.ckpt.time_alone"), 200e9 / alone_Bps, 1e-9);
        double slow = af_get(r, "burst.ckpt.slowdown");
        double bound = af_get(r, "burst.ckpt.slowdown_bound");
        AF_ASSERT_REL(slow, alone_Bps / burst_Bps, 1e-6);
        CU_ASSERT(slow <= bound * (1 + 1e-6));
        /* The job keeps its share during the bursts: 32 x L x file bytes per its demand. */
        double floor_util = L / 1e9; /* per-GPU rate L (weight 1) over the 1 GB/s demand */
        /* Steps straddle the bursts' edges: up to a fetch time (1 GB at L per GPU) at each end
         * of each burst is charged to the wrong side. */
        double tol = 2 * (1e9 / L) / (200e9 / burst_Bps);
        AF_ASSERT_REL(af_get(r, "train.job.gpu_utilization_during_bursts"), floor_util, tol);
        AF_ASSERT_REL(af_get(r, "train.job.qos_floor_utilization"), floor_util, 1e-9);
        /* Bytes add up: the burst wrote what it moved. */
        AF_ASSERT_REL(af_get(r, "storage.hot.write_bytes"), 400e9, 1e-9);
        AF_ASSERT_REL(af_get(r, "burst.ckpt.moved"), 400e9, 1e-9);
        af_results_free(r);
    }
}

/* Writes to a full tier are refused and counted; keep frees old copies. */
static void test_capacity_accounting(void)
{
    af_fixture f;
    /* Usable: 2 nodes x 10 x 10 TB x 0.8 = 160 TB, 1 TB of it the data set. Writes run at
     * 20 devices x 50 GB/s less the IOPS time of 1 MiB writes at 1e5 IOPS, so a 50 TB burst
     * takes about 74 s; one starts every 100 s. */
    af_fix_init(&f, 1, 2, 1e12, 1e6, 1.0, 1100);
    af_fix_add_burst(&f, "ingest", AF_WORLD_NONE, 0, true, 50e12, 100, 10);
    af_results *r = af_run(&f);
    CU_ASSERT_EQUAL(af_get(r, "burst.ingest.started"), 11);
    /* 159 TB free: three whole bursts, 9 TB of the fourth, nothing of the other seven. */
    AF_ASSERT_REL(af_get(r, "storage.hot.rejected_writes"), 41e12 + 7 * 50e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "burst.ingest.rejected"), 41e12 + 7 * 50e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.used_capacity"), 160e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.write_bytes"), 159e12, 1e-9);
    af_results_free(r);

    af_fix_init(&f, 1, 2, 1e12, 1e6, 1.0, 1100);
    af_burst_config *b = af_fix_add_burst(&f, "ckpt", AF_WORLD_NONE, 0, true, 50e12, 100, 10);
    b->keep = 2;
    r = af_run(&f);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "storage.hot.rejected_writes"), 0, 0);
    AF_ASSERT_REL(af_get(r, "storage.hot.peak_capacity"), 151e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.used_capacity"), 101e12, 1e-12);
    af_results_free(r);

    /* keep = 10 over 30 bursts: the copy ring grows (4, 8, 11 slots) and keeps the newest ten. */
    af_fix_init(&f, 1, 2, 1e12, 1e6, 1.0, 303); /* the 31st would start at 305 s */
    b = af_fix_add_burst(&f, "ckpt", AF_WORLD_NONE, 0, true, 1e12, 10, 5);
    b->keep = 10;
    r = af_run(&f);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.completed"), 30, 0);
    AF_ASSERT_REL(af_get(r, "storage.hot.used_capacity"), 11e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.peak_capacity"), 12e12, 1e-12);
    af_results_free(r);
}

/* A drain moves written bytes to the next tier and frees them. */
static void test_drain_moves_bytes(void)
{
    af_fixture f;
    af_fix_init(&f, 1, 2, 1e12, 1e6, 1.0, 3600);
    size_t cold = af_fix_add_tier(&f, "cold");
    f.tiers[cold].system.device_write_Bps = 1e9; /* 20 GB/s of writes: 10 TB in about 500 s */
    f.tiers[0].drain_to = cold;
    f.tiers[0].drain_weight = 0.25;
    af_fix_add_burst(&f, "ckpt", AF_WORLD_NONE, 0, true, 10e12, 1e6, 10);
    af_results *r = af_run(&f);
    CU_ASSERT_EQUAL(af_get(r, "burst.ckpt.drains_completed"), 1);
    AF_ASSERT_REL(af_get(r, "storage.cold.write_bytes"), 10e12, 1e-9);
    AF_ASSERT_REL(af_get(r, "storage.cold.used_capacity"), 10e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.used_capacity"), 1e12, 1e-12); /* the data set */
    AF_ASSERT_REL(af_get(r, "storage.hot.peak_capacity"), 11e12, 1e-12);
    af_results_free(r);
}

/* A cache tier in front of the data set's tier serves hit_ratio of the bytes. */
static void test_cache_splits_reads(void)
{
    af_fixture f;
    af_fix_init(&f, 4, 2, 5e9, 1e9, 1.0, 6000);
    size_t cache = af_fix_add_tier(&f, "cache");
    f.tiers[cache].cache_for = 0;
    f.tiers[cache].hit_ratio = 0.75;
    af_results *r = af_run(&f);
    double got = af_get(r, "train.job.read_rate_per_gpu") * 32 * 6000;
    /* Exact but for the fetch in flight at the end (its hits and misses progress at their own
     * rates): one 32 GB batch in 1.5 TB, 2e-2 of a share. */
    AF_ASSERT_REL(af_get(r, "storage.cache.read_bytes"), 0.75 * got, 2e-2);
    AF_ASSERT_REL(af_get(r, "storage.hot.read_bytes"), 0.25 * got, 2e-2);
    AF_ASSERT_REL(af_get(r, "storage.cache.write_bytes"), 0.25 * got, 2e-2);
    AF_ASSERT_REL(af_get(r, "storage.cache.read_bytes") + af_get(r, "storage.hot.read_bytes"), got,
                  1e-9);
    /* Both tiers read at 10 GB/s and the cache also writes at 5 GB/s per node x 2; with the
     * misses' cache writes the cache's devices bind: 0.75 x sr + 0.25 x sw per byte. */
    const af_storage_spec *s = &f.tiers[0].system;
    double per_B = 0.75 * af_read_scale(s, 1e9) +
                   0.25 * (1 / s->device_write_Bps + 1 / (s->device_write_iops * 1e9));
    double R = 20 / per_B / 32;
    AF_ASSERT_REL(af_get(r, "train.job.gpu_utilization"), R / 1e9, 2e-3);
    af_results_free(r);
}

/* Look-ups on one device against M/D/1 at speed 1 (alone) and at speed 1/2 (a saturating job
 * holds half the device time, the other half reserved). Mean sojourn of M/D/1 with service D:
 * D + rho D / (2 (1 - rho)). Replications with distinct seeds give the confidence interval. */
static void test_lookups_match_md1(void)
{
    const struct {
        bool background;
        double rho;
    } cases[] = {{false, 0.5}, {false, 0.8}, {false, 0.9}, {true, 0.5}, {true, 0.8}, {true, 0.9}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        enum { REPS = 8 };
        double sum = 0, sum2 = 0;
        double D = 1e-3 + 1000 / 1e9; /* 1/IOPS + size / bandwidth */
        double speed = cases[c].background ? 0.5 : 1;
        double Ds = D / speed;
        double lambda = cases[c].rho / Ds;
        for (int rep = 0; rep < REPS; rep++) {
            af_fixture f;
            af_fix_init(&f, 1, 1, 1e9, 1e9, 1.0, 1);
            /* About 1e5 requests (4e5 at rho 0.9, whose busy periods are long). */
            f.cfg.duration_s = (cases[c].rho > 0.85 ? 400000 : 100000) / lambda;
            f.cfg.seed = 1000 + (uint64_t)rep;
            f.tiers[0].system.devices = 1;
            f.tiers[0].system.device_read_Bps = 1e9;
            f.tiers[0].system.device_read_iops = 1000;
            if (cases[c].background)
                f.tiers[0].reserve = 0.5; /* the job is data-bound: it takes the other half */
            else
                f.cfg.ntrains = 0;
            f.lookups[0] =
                (af_lookup_config){.name = "feat", .tier = 0, .rate_per_s = lambda, .size_B = 1000};
            f.cfg.nlookups = 1;
            af_results *r = af_run(&f);
            double W = af_get(r, "lookup.feat.latency_mean");
            sum += W;
            sum2 += W * W;
            af_results_free(r);
        }
        double mean = sum / REPS;
        double sd = sqrt((sum2 - REPS * mean * mean) / (REPS - 1));
        double half = 5.408 * sd / sqrt(REPS); /* t(0.9995, 7 d.f.): a 99.9% interval */
        double rho = cases[c].rho;
        double expect = Ds + rho * Ds / (2 * (1 - rho));
        if (fabs(mean - expect) > half)
            fprintf(stderr, "case %zu: mean %g, M/D/1 %g, half-width %g\n", c, mean, expect, half);
        CU_ASSERT(fabs(mean - expect) <= half);
        CU_ASSERT(half < 0.05 * expect); /* the interval is tight enough to catch an error */
    }
}

/* Regressions found in review. A tier draining to the data set's tier, fed by bursts faster
 * than the drains: one drain per burst runs at a time, so the QoS floor (which counts one) still
 * holds, and the burst's slowdown stays within its bound. */
static void test_floor_holds_with_drains(void)
{
    af_fixture f;
    af_fix_init(&f, 4, 1, 1e9, 1e9, 1.0, 600); /* job on tier 0: 1 GB/s of devices for 32 GB/s */
    size_t hot = af_fix_add_tier(&f, "hot");
    f.tiers[hot].system = af_fix_storage(1e11);
    f.tiers[hot].nodes = 2;
    f.tiers[hot].drain_to = 0;
    f.tiers[hot].drain_weight = 4;
    af_fix_add_burst(&f, "ckpt", AF_WORLD_NONE, hot, true, 200e9, 5, 1);
    af_results *r = af_run(&f);
    /* The floor is a rate: bytes delivered (the fetch in flight at the end included) over the
     * run are at least the floor's, whatever the drains and bursts did. */
    double got = af_get(r, "train.job.read_rate_per_gpu");
    double floor = af_get(r, "train.job.qos_floor_per_gpu");
    CU_ASSERT(floor > 0);
    CU_ASSERT(got >= floor * (1 - 1e-6));
    CU_ASSERT(af_get(r, "burst.ckpt.slowdown") <=
              af_get(r, "burst.ckpt.slowdown_bound") * (1 + 1e-9));
    CU_ASSERT(af_get(r, "storage.hot.read_bytes") > 0); /* the drains ran */
    af_results_free(r);
}

/* keep with drains slower than the bursts: every copy is freed once, wherever it sits. */
static void test_keep_with_slow_drains(void)
{
    const int keeps[] = {1, 3};
    for (size_t i = 0; i < sizeof keeps / sizeof keeps[0]; i++) {
        af_fixture f;
        af_fix_init(&f, 1, 2, 1e12, 1e6, 1.0, 100);
        size_t cold = af_fix_add_tier(&f, "cold");
        f.tiers[cold].system.device_write_Bps = 1e9; /* 20 GB/s: 100 GB in 5 s, bursts every 2 s */
        f.tiers[0].drain_to = cold;
        af_burst_config *b = af_fix_add_burst(&f, "ckpt", AF_WORLD_NONE, 0, true, 100e9, 2, 1);
        b->keep = keeps[i];
        af_results *r = af_run(&f);
        double hot = af_get(r, "storage.hot.used_capacity") - 1e12; /* less the data set */
        double cold_used = af_get(r, "storage.cold.used_capacity");
        /* The kept copies are on hot, on cold, or (while a drain runs) on both. */
        CU_ASSERT(hot >= -1 && hot <= keeps[i] * 100e9 * (1 + 1e-9));
        CU_ASSERT(cold_used <= keeps[i] * 100e9 * (1 + 1e-9) + 100e9);
        CU_ASSERT(hot + cold_used >= keeps[i] * 100e9 * (1 - 1e-9));
        af_results_free(r);
    }
}

/* Reader threads behind a cache that hits nothing read at the backing tier's latency. */
static void test_reader_cap_behind_cache(void)
{
    af_fixture f;
    af_fix_init(&f, 1, 2, 1e12, 1e6, 0.001, 10);
    f.trains[0].reader_threads = 2;
    f.tiers[0].system.device_latency_s = 10e-3;
    size_t cache = af_fix_add_tier(&f, "cache");
    f.tiers[cache].system.device_latency_s = 10e-6;
    f.tiers[cache].cache_for = 0;
    f.tiers[cache].hit_ratio = 0;
    af_results *r = af_run(&f);
    double per = 10e-3 + 1e6 / 1e11; /* latency + 1 MB at the backing devices' 100 GB/s */
    AF_ASSERT_REL(af_get(r, "train.job.reader_cap_per_gpu"), 2 * 1e6 / per, 1e-12);
    af_results_free(r);
}

/* Look-up arrivals keep their rate when the gaps are nanoseconds: 1e8/s for 10 ms. */
static void test_lookup_rate_unbiased(void)
{
    af_fixture f;
    af_fix_init(&f, 1, 1000, 1e12, 1e6, 1.0, 0.01);
    f.cfg.ntrains = 0;
    f.lookups[0] = (af_lookup_config){.name = "feat", .tier = 0, .rate_per_s = 1e8, .size_B = 4096};
    f.cfg.nlookups = 1;
    f.cfg.max_events = 10000000;
    af_results *r = af_run(&f);
    double n = af_get(r, "lookup.feat.requests") + af_get(r, "lookup.feat.in_flight");
    AF_ASSERT_REL(n, 1e6, 5e-3); /* Poisson: sd 1e3, 0.1% */
    af_results_free(r);
}

/* A burst cut short by a full tier is compared with the time alone of what it moved. */
static void test_partial_bursts_slowdown(void)
{
    af_fixture f;
    af_fix_init(&f, 1, 2, 1e12, 1e6, 1.0, 3600);
    f.cfg.ntrains = 0; /* alone on the tier */
    af_fix_add_burst(&f, "ingest", AF_WORLD_NONE, 0, true, 100e12, 600, 10);
    af_results *r = af_run(&f);
    CU_ASSERT(af_get(r, "storage.hot.rejected_writes") > 0);
    AF_ASSERT_REL(af_get(r, "burst.ingest.slowdown"), 1, 1e-6);
    af_results_free(r);
}

static const af_test tests[] = {
    {"each stage can bind and is named", test_each_stage_can_bind},
    {"a fabric's leaf uplinks can bind", test_fabric_uplinks_bind},
    {"a backend fabric counts but carries nothing", test_backend_fabric_counts_but_carries_nothing},
    {"a burst gets its weighted share of device time", test_burst_share_matches_weights},
    {"full tiers refuse writes; keep frees copies", test_capacity_accounting},
    {"a drain moves bytes to the next tier", test_drain_moves_bytes},
    {"a cache splits reads by its hit ratio", test_cache_splits_reads},
    {"look-ups over fluid background match M/D/1", test_lookups_match_md1},
    {"the QoS floor holds with drains", test_floor_holds_with_drains},
    {"keep with slow drains frees each copy once", test_keep_with_slow_drains},
    {"reader threads behind a cache use the backing latency", test_reader_cap_behind_cache},
    {"look-up arrivals keep their rate at ns gaps", test_lookup_rate_unbiased},
    {"partial bursts are compared with their own time alone", test_partial_bursts_slowdown},
    {NULL, NULL}};

AF_TEST_MAIN("world-sharing", tests)
