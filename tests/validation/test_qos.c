/*
 * Validation of the QoS floors (workload/qos.c): the level a resource guarantees is C_r / W_r with
 * W_r the sum of scale x k x weight over every flow that may cross it (doc/formulas.md, "QoS
 * floors"), computed here by hand for small worlds, and the floors hold in runs.
 */
#include "tests/validation/sharing.h"

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

/* Two data-bound jobs on one tier's devices, 32 GPUs of weight 1 and 16 of weight 3: the devices
 * carry W = sr (32 x 1 + 16 x 3) = 80 sr and give C = 20 (1 - reserve) device-seconds per second,
 * so the floor per GPU is w C / W: C / (80 sr) and 3 C / (80 sr). Nothing else runs, so each job
 * reads at its floor, and together they keep the unreserved device time busy. */
static void test_floor_is_weighted_share(void)
{
    const double reserves[] = {0, 0.25};
    for (size_t i = 0; i < sizeof reserves / sizeof reserves[0]; i++) {
        af_fixture f;
        af_fix_init(&f, 4, 2, 5e9, 1e9, 1.0, 600); /* 20 devices of 0.5 GB/s */
        f.tiers[0].reserve = reserves[i];
        f.pools[1] = f.pools[0];
        f.pools[1].name = "gpus3";
        f.pools[1].nodes = 2;
        f.cfg.npools = 2;
        f.trains[1] = f.trains[0];
        f.trains[1].name = "job3";
        f.trains[1].pool = 1;
        f.trains[1].weight = 3;
        f.cfg.ntrains = 2;
        double sr = af_read_scale(&f.tiers[0].system, 1e9);
        double C = 20 * (1 - reserves[i]);
        double L = C / (sr * (32 * 1 + 16 * 3));
        /* The pools' NICs (400 and 200 GB/s for weights 32 and 48) do not bind. */
        CU_ASSERT(L < 200e9 / 48 && L < 400e9 / 32);
        af_results *r = af_run(&f);
        AF_ASSERT_REL(af_get(r, "train.job.qos_floor_per_gpu"), 1 * L, 1e-12);
        AF_ASSERT_REL(af_get(r, "train.job3.qos_floor_per_gpu"), 3 * L, 1e-12);
        AF_ASSERT_REL(af_get(r, "train.job.qos_floor_utilization"), L / 1e9, 1e-12);
        AF_ASSERT_REL(af_get(r, "train.job3.qos_floor_utilization"), 3 * L / 1e9, 1e-12);
        AF_ASSERT_REL(af_get(r, "train.job.read_rate_per_gpu"), L, 1e-6);
        AF_ASSERT_REL(af_get(r, "train.job3.read_rate_per_gpu"), 3 * L, 1e-6);
        AF_ASSERT_REL(af_get(r, "storage.hot.device_read_busy"), 1 - reserves[i], 1e-6);
        af_results_free(r);
    }
}

/* A burst's slowdown bound is its time at the floor over its time alone: alone / (k w L). A write
 * burst of weight 2 from outside clients (k = 2 tier nodes) beside a job of 32 GPUs: W = 32 sr +
 * 2 x 2 sw, L = C / W, alone = C / sw, bound = W / (4 sw). Alone on the tier, the bound is 1. */
static void test_slowdown_bound_by_hand(void)
{
    af_fixture f;
    af_fix_init(&f, 4, 2, 5e9, 1e9, 1.0, 100);
    af_burst_config *b = af_fix_add_burst(&f, "ckpt", AF_WORLD_NONE, 0, true, 200e9, 1000, 10);
    b->weight = 2;
    double sr = af_read_scale(&f.tiers[0].system, 1e9);
    double sw = af_write_scale(&f.tiers[0].system, 1048576);
    double W = 32 * sr + 2 * 2 * sw;
    af_results *r = af_run(&f);
    AF_ASSERT_REL(af_get(r, "burst.ckpt.slowdown_bound"), W / (4 * sw), 1e-12);
    AF_ASSERT_REL(af_get(r, "train.job.qos_floor_per_gpu"), 20 / W, 1e-12);
    AF_ASSERT_REL(af_get(r, "burst.ckpt.time_alone"), 200e9 * sw / 20, 1e-12);
    af_results_free(r);

    f.cfg.ntrains = 0;
    r = af_run(&f);
    AF_ASSERT_REL(af_get(r, "burst.ckpt.slowdown_bound"), 1, 1e-12);
    AF_ASSERT_REL(af_get(r, "burst.ckpt.slowdown"), 1, 1e-6);
    af_results_free(r);
}

static const af_test tests[] = {
    {"the QoS floor holds with drains", test_floor_holds_with_drains},
    {"the floor per GPU is w C / sum of W", test_floor_is_weighted_share},
    {"a burst's slowdown bound is alone over k w L", test_slowdown_bound_by_hand},
    {NULL, NULL}};

AF_TEST_MAIN("qos", tests)
