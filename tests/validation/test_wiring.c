/*
 * Validation of the wiring of the shared-bandwidth world (workload/wiring.c: NIC, fabric and
 * device resources and the paths across them) against closed forms: utilization = min(1, R /
 * demand) where R is the per-GPU rate of whichever stage binds (client NICs, fabric uplinks,
 * storage NICs, devices by bandwidth or by IOPS, reader threads), and the data wait is charged to
 * that stage; a backend fabric carries nothing but counts its switches; a cache tier splits the
 * reads by its hit ratio and its misses cost the cache's devices a write.
 */
#include "tests/validation/sharing.h"

#include <string.h>

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

static const af_test tests[] = {
    {"each stage can bind and is named", test_each_stage_can_bind},
    {"a fabric's leaf uplinks can bind", test_fabric_uplinks_bind},
    {"a backend fabric counts but carries nothing", test_backend_fabric_counts_but_carries_nothing},
    {"a cache splits reads by its hit ratio", test_cache_splits_reads},
    {"reader threads behind a cache use the backing latency", test_reader_cap_behind_cache},
    {NULL, NULL}};

AF_TEST_MAIN("wiring", tests)
