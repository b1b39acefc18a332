/*
 * Validation of the burst kind (workload/burst.c) against closed forms and counts:
 * - a burst competing with a data-bound training job on one device budget runs at the weighted
 *   max-min share k w_b L with L = C / (sum of scale x k x w), and never slower than the QoS bound;
 * - capacity accounting: writes beyond a full tier are refused and counted byte for byte, `keep`
 *   frees old copies, drains move bytes from one tier to another;
 * - the schedule: start + n x every for every n with a time before the end (none at or after it),
 *   a burst due while the previous one runs skipped and counted.
 */
#include "tests/validation/sharing.h"

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
    /* 159 TB free: three whole bursts, 9 TB of the fourth, nothing of the other seven, which
     * are refused rather than started. */
    CU_ASSERT_EQUAL(af_get(r, "burst.ingest.started"), 4);
    CU_ASSERT_EQUAL(af_get(r, "burst.ingest.refused"), 7);
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

/* Bursts start at start + n x every for every n whose time is before the end of the run, and
 * none at or after it: every hour from 1 h in a 6 h run is five bursts, not six; from 0 h six; a
 * run one nanosecond longer starts the one at 6 h. */
static void test_none_at_or_after_the_end(void)
{
    const struct {
        double start_s, duration_s, started;
    } cases[] = {{3600, 21600, 5}, {0, 21600, 6}, {3600, 21600 + 1e-9, 6}, {21600, 21600, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        af_fixture f;
        af_fix_init(&f, 1, 2, 1e12, 1e6, 1.0, cases[i].duration_s);
        f.cfg.ntrains = 0;
        /* 1 TB at about 680 GB/s: each is done in under 2 s. */
        af_fix_add_burst(&f, "ckpt", AF_WORLD_NONE, 0, true, 1e12, 3600, cases[i].start_s);
        af_results *r = af_run(&f);
        double started = af_get(r, "burst.ckpt.started");
        if (started != cases[i].started)
            fprintf(stderr, "case %zu: %g bursts started, expected %g\n", i, started,
                    cases[i].started);
        CU_ASSERT_DOUBLE_EQUAL(started, cases[i].started, 0);
        double done = cases[i].start_s + (cases[i].started - 1) * 3600 + 2 <= cases[i].duration_s
                          ? cases[i].started
                          : cases[i].started - 1;
        CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.completed"), done, 0);
        CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.skipped"), 0, 0);
        af_results_free(r);
    }
}

/* A burst due while the previous one still runs is skipped and counted. Bursts of 26.2 s alone
 * every 10 s in a 100 s run: started at 0, 30, 60 and 90 s, skipped at 10, 20, 40, 50, 70 and
 * 80 s; every due time is either. */
static void test_skipped_are_counted(void)
{
    af_fixture f;
    af_fix_init(&f, 1, 2, 1e11, 1e6, 1.0, 100);
    f.cfg.ntrains = 0;
    af_fix_add_burst(&f, "ckpt", AF_WORLD_NONE, 0, true, 2.5e12, 10, 0);
    double R = 20 / af_write_scale(&f.tiers[0].system, 1048576);
    CU_ASSERT(2.5e12 / R > 20 && 2.5e12 / R < 30);
    af_results *r = af_run(&f);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.started"), 4, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.skipped"), 6, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.completed"), 3, 0);
    AF_ASSERT_REL(af_get(r, "burst.ckpt.moved"), 3 * 2.5e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "burst.ckpt.time_mean"), 2.5e12 / R, 1e-6);
    AF_ASSERT_REL(af_get(r, "burst.ckpt.slowdown"), 1, 1e-6);
    /* The fourth is 10 s in at the end. */
    AF_ASSERT_REL(af_get(r, "storage.hot.write_bytes"), 3 * 2.5e12 + 10 * R, 1e-9);
    af_results_free(r);
}

/* A write to a full tier is refused whole: counted as refused (not started) and as rejected
 * bytes; it moves nothing, takes no time, does not complete and does not make the next one skip.
 * 159 TB free take three 53 TB bursts exactly; the other eight of the eleven are refused. */
static void test_refused_when_full(void)
{
    af_fixture f;
    af_fix_init(&f, 1, 2, 1e12, 1e6, 1.0, 1100);
    af_fix_add_burst(&f, "ingest", AF_WORLD_NONE, 0, true, 53e12, 100, 10);
    af_results *r = af_run(&f);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ingest.started"), 3, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ingest.refused"), 8, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ingest.completed"), 3, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ingest.skipped"), 0, 0);
    AF_ASSERT_REL(af_get(r, "burst.ingest.moved"), 159e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "burst.ingest.rejected"), 8 * 53e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.rejected_writes"), 8 * 53e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.write_bytes"), 159e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.used_capacity"), 160e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.peak_capacity"), 160e12, 1e-12);
    af_results_free(r);
}

static const af_test tests[] = {
    {"a burst gets its weighted share of device time", test_burst_share_matches_weights},
    {"full tiers refuse writes; keep frees copies", test_capacity_accounting},
    {"a drain moves bytes to the next tier", test_drain_moves_bytes},
    {"keep with slow drains frees each copy once", test_keep_with_slow_drains},
    {"partial bursts are compared with their own time alone", test_partial_bursts_slowdown},
    {"no burst starts at or after the end", test_none_at_or_after_the_end},
    {"bursts due while one runs are skipped and counted", test_skipped_are_counted},
    {"a write to a full tier is refused whole", test_refused_when_full},
    {NULL, NULL}};

AF_TEST_MAIN("burst", tests)
