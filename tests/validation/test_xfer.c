/*
 * Validation of the world's transfers (workload/xfer.c): bytes are conserved. Every byte a
 * workload moves is credited once to the devices of each tier it crosses (storage.<tier>.read_bytes
 * and write_bytes): a cached job's hits to the cache's reads, its misses to the backing tier's
 * reads and the cache's writes; a burst's bytes to its tier's writes; a drain's to its source's
 * reads and its target's writes. Transfers still in flight at the end are credited with what they
 * moved: an aggregate rate R running alone for the remaining time t has moved exactly R x t.
 *
 * The configurations keep each kind on its own resources (disjoint paths) and its transfers apart
 * in time, so that each rate is the closed form min over the path of C_r / scale_r and every
 * total can be written down.
 */
#include "tests/validation/sharing.h"

/* Device-seconds per byte of a drain's reads: one operation per op_B bytes (workload/burst.c). */
static double af_drain_read_scale(const af_storage_spec *s, double op_B)
{
    return 1 / s->device_read_Bps + 1 / (s->device_read_iops * op_B);
}

/* A cached job, periodic checkpoints to a tier that drains to a cold tier, and the last
 * checkpoint in flight at the end: each tier's device bytes equal what the workloads moved. */
static void test_bytes_conserved(void)
{
    af_fixture f;
    /* 32 GPUs read 1 GB/s each through a cache (hit ratio 0.75) in front of "hot". */
    af_fix_init(&f, 4, 2, 5e9, 1e9, 1.0, 915);
    size_t cache = af_fix_add_tier(&f, "cache");
    f.tiers[cache].cache_for = 0;
    f.tiers[cache].hit_ratio = 0.75;
    size_t ckpt = af_fix_add_tier(&f, "ckpt");
    size_t cold = af_fix_add_tier(&f, "cold");
    f.tiers[ckpt].system = af_fix_storage(1e11);
    f.tiers[cold].system = af_fix_storage(1e11);
    f.tiers[ckpt].drain_to = cold;
    /* 1 TB from the pool's 4 nodes every 100 s from 10 s; the last, at 910 s, is 5 s in at the
     * end. The pool's transmit NICs (400 GB/s) and ckpt's receive NICs carry nothing else; ckpt's
     * 20 devices write at 20 / sw, about 95 GB/s: 10.5 s a burst. Its drain reads ckpt and writes
     * cold at the same rate (the writes bind) and is done 21 s after the burst started, long
     * before the next. */
    af_fix_add_burst(&f, "ckpt", 0, ckpt, true, 1e12, 100, 10);
    double sw = af_write_scale(&f.tiers[ckpt].system, 1048576);
    CU_ASSERT(af_drain_read_scale(&f.tiers[ckpt].system, 1048576) < sw);
    double R = 20 / sw;
    CU_ASSERT(R < 400e9 && 2 * 1e12 / R < 100 - 1);
    af_results *r = af_run(&f);

    /* The job: what it was delivered (its in-flight fetch included) was read once, from the cache
     * or from hot, and every byte read from hot was written into the cache. */
    double J = af_get(r, "train.job.read_rate_per_gpu") * 32 * 915;
    CU_ASSERT(J > 0);
    double hot_read = af_get(r, "storage.hot.read_bytes");
    AF_ASSERT_REL(af_get(r, "storage.cache.read_bytes") + hot_read, J, 1e-9);
    AF_ASSERT_REL(af_get(r, "storage.cache.write_bytes"), hot_read, 1e-12);
    AF_ASSERT_REL(hot_read, 0.25 * J, 2e-2); /* the split of the fetch in flight: see test_wiring */
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "storage.hot.write_bytes"), 0, 0);

    /* The bursts: ten started, nine done and drained, the tenth 5 s in at R. */
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.started"), 10, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.completed"), 9, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.skipped"), 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.drains_started"), 9, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.drains_completed"), 9, 0);
    double moved = af_get(r, "burst.ckpt.moved");
    AF_ASSERT_REL(moved, 9e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.ckpt.write_bytes"), moved + R * 5, 1e-9);
    /* The drains: read from ckpt, written to cold, byte for byte. */
    AF_ASSERT_REL(af_get(r, "storage.ckpt.read_bytes"), 9e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.cold.write_bytes"), 9e12, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "storage.cold.read_bytes"), 0, 0);
    /* Capacity follows: the drained copies moved to cold, the one in flight holds its room. */
    AF_ASSERT_REL(af_get(r, "storage.ckpt.used_capacity"), 1e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.cold.used_capacity"), 9e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.used_capacity"), 1e12, 1e-12); /* the data set */

    /* In all: the devices read what the job was delivered plus the drains, and wrote the cache
     * fills, the bursts and the drains. */
    double reads = 0, writes = 0;
    const char *tiers[] = {"hot", "cache", "ckpt", "cold"};
    for (size_t i = 0; i < 4; i++) {
        char name[64];
        snprintf(name, sizeof name, "storage.%s.read_bytes", tiers[i]);
        reads += af_get(r, name);
        snprintf(name, sizeof name, "storage.%s.write_bytes", tiers[i]);
        writes += af_get(r, name);
    }
    AF_ASSERT_REL(reads, J + 9e12, 1e-9);
    AF_ASSERT_REL(writes, hot_read + moved + R * 5 + 9e12, 1e-9);
    af_results_free(r);
}

/* Transfers in flight at the end are credited with the bytes they moved: a burst larger than the
 * run can move, then a drain that the end cuts short, on both of its tiers. */
static void test_in_flight_credited(void)
{
    af_fixture f;
    af_fix_init(&f, 1, 2, 1e11, 1e6, 1.0, 60);
    f.cfg.ntrains = 0;
    /* 100 TB from outside clients at 10 s: 50 s at R = 20 / sw move about 4.8 TB. */
    af_fix_add_burst(&f, "ingest", AF_WORLD_NONE, 0, true, 100e12, 1000, 10);
    double R = 20 / af_write_scale(&f.tiers[0].system, 1048576);
    af_results *r = af_run(&f);
    AF_ASSERT_REL(af_get(r, "storage.hot.write_bytes"), R * 50, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ingest.started"), 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ingest.completed"), 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ingest.moved"), 0, 0); /* counts completed bursts */
    CU_ASSERT_PTR_NULL(af_results_find(r, "burst.ingest.time_mean"));
    /* The write took its room when it started, all of it. */
    AF_ASSERT_REL(af_get(r, "storage.hot.used_capacity"), 100e12, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "storage.hot.rejected_writes"), 0, 0);
    af_results_free(r);

    /* 1 TB at 0 s, done at t_b = 1 TB / R; its drain to a cold tier whose devices write at 1 GB/s
     * (about 20 GB/s in all, 50 s for the copy) runs from t_b to the end at 30 s. */
    af_fix_init(&f, 1, 2, 1e11, 1e6, 1.0, 30);
    f.cfg.ntrains = 0;
    size_t cold = af_fix_add_tier(&f, "cold");
    f.tiers[cold].system.device_write_Bps = 1e9;
    f.tiers[0].drain_to = cold;
    af_fix_add_burst(&f, "ckpt", AF_WORLD_NONE, 0, true, 1e12, 1000, 0);
    const af_storage_spec *hot = &f.tiers[0].system;
    const af_storage_spec *cs = &f.tiers[cold].system;
    R = 20 / af_write_scale(hot, 1048576);
    double Rd = 20 / fmax(af_drain_read_scale(hot, 1048576), af_write_scale(cs, 1048576));
    double tb = 1e12 / R;
    CU_ASSERT(Rd * (30 - tb) < 1e12);
    r = af_run(&f);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.completed"), 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.drains_started"), 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.drains_completed"), 0, 0);
    AF_ASSERT_REL(af_get(r, "storage.hot.write_bytes"), 1e12, 1e-12);
    /* t_b is on the nanosecond clock: 1 ns of Rd is 5e-11 of the drained bytes. */
    AF_ASSERT_REL(af_get(r, "storage.hot.read_bytes"), Rd * (30 - tb), 1e-9);
    AF_ASSERT_REL(af_get(r, "storage.cold.write_bytes"), Rd * (30 - tb), 1e-9);
    /* The copy is on both tiers until its drain completes. */
    AF_ASSERT_REL(af_get(r, "storage.hot.used_capacity"), 1e12, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.cold.used_capacity"), 1e12, 1e-12);
    af_results_free(r);
}

static const af_test tests[] = {
    {"device bytes equal the bytes the workloads moved", test_bytes_conserved},
    {"transfers in flight at the end are credited what they moved", test_in_flight_credited},
    {NULL, NULL}};

AF_TEST_MAIN("xfer", tests)
