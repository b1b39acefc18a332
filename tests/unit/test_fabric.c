/*
 * test_fabric: fat-tree and rail-optimized switch counts against hand counts and Al-Fares et al.
 * (SIGCOMM 2008), oversubscription, power, path stages and input checks. The collective costs are
 * tested in test_collective.c.
 */
#include "model/fabric.h"

#include "base/alloc.h"
#include "base/diag.h"

#include "cutest.h"

#include <string.h>

/* NVIDIA Quantum-2 QM9700 as the catalog gives it (models/switches.yaml; doc/sources.md,
 * nvidia-qm97x0-spec): 64 x 400G, 1U, 747 W typical, 1720 W max; price unknown. */
static const af_switch_spec qm9700 = {"qm9700", "Quantum-2 NDR 64 x 400G", 64, 50e9, 747, 1720, 1,
                                      0};

/* A 400G endpoint group of `nodes` nodes with `nics` NICs each. */
static af_fabric_group group(const char *name, int nodes, int nics, double rate_Bps, bool rail)
{
    return (af_fabric_group){name, nodes, nics, rate_Bps, rail};
}

/* Plans a fat-tree of QM9700s with one 400G group of `endpoints` single-NIC nodes. */
static int plan_fat_tree(af_fabric *f, int endpoints, double oversub, int levels)
{
    af_fabric_spec spec = {"backend", AF_FABRIC_FAT_TREE, qm9700, oversub, levels};
    af_fabric_group g = group("train", endpoints, 1, 50e9, false);
    af_diag *d = af_diag_new();
    int rc = af_fabric_init(f, &spec, &g, 1, d);
    CU_ASSERT_EQUAL(af_diag_errors(d), rc == AF_OK ? 0 : 1);
    af_diag_free(d);
    return rc;
}

static void test_one_switch(void)
{
    af_fabric f;
    CU_ASSERT_EQUAL_FATAL(plan_fat_tree(&f, 64, 1, 0), AF_OK);
    CU_ASSERT_EQUAL(f.levels, 1);
    CU_ASSERT_EQUAL(f.switches, 1);
    CU_ASSERT_EQUAL(f.spines, 0);
    CU_ASSERT_EQUAL(f.cables, 64);
    CU_ASSERT_EQUAL(f.ports_used, 64);
    AF_ASSERT_REL(f.bisection_Bps, 32 * 50e9, 1e-12);
    af_fabric_stage st[AF_FABRIC_MAX_STAGES];
    CU_ASSERT_EQUAL(af_fabric_stages(&f, 0, 0, st), 2);
    CU_ASSERT_EQUAL(st[0].kind, AF_STAGE_SRC_NIC);
    CU_ASSERT_EQUAL(st[1].kind, AF_STAGE_DST_NIC);
    /* One more endpoint needs a second level. */
    CU_ASSERT_EQUAL_FATAL(plan_fat_tree(&f, 65, 1, 0), AF_OK);
    CU_ASSERT_EQUAL(f.levels, 2);
    CU_ASSERT_EQUAL(plan_fat_tree(&f, 65, 1, 1), AF_EINPUT);
}

/* 2048 endpoints on 64-port switches at 1:1: 64 leaves of 32 down + 32 up, 2048 uplinks over
 * 64-port spines = 32 spines, every port of all 96 switches used. */
static void test_two_level_counts(void)
{
    af_fabric f;
    CU_ASSERT_EQUAL_FATAL(plan_fat_tree(&f, 2048, 1, 0), AF_OK);
    CU_ASSERT_EQUAL(f.levels, 2);
    CU_ASSERT_EQUAL(f.down, 32);
    CU_ASSERT_EQUAL(f.up, 32);
    CU_ASSERT_EQUAL(f.leaves, 64);
    CU_ASSERT_EQUAL(f.spines, 32);
    CU_ASSERT_EQUAL(f.cores, 0);
    CU_ASSERT_EQUAL(f.switches, 96);
    CU_ASSERT_EQUAL(f.switch_cables, 2048);
    CU_ASSERT_EQUAL(f.cables, 4096);
    CU_ASSERT_EQUAL(f.ports_used, 96 * 64);
    CU_ASSERT_EQUAL(f.optics, 8192);
    /* Power, height and price are per switch times the count. */
    AF_ASSERT_REL(f.typical_W, 96 * 747.0, 1e-12);
    AF_ASSERT_REL(f.max_W, 96 * 1720.0, 1e-12);
    AF_ASSERT_REL(f.rack_units, 96, 1e-12);
    CU_ASSERT_EQUAL(f.price_usd, 0);
    /* Non-blocking: every endpoint keeps its 50 GB/s; bisection = 1024 x 50 GB/s. */
    AF_ASSERT_REL(f.place[0].uplink_per_endpoint_Bps, 50e9, 1e-12);
    AF_ASSERT_REL(f.bisection_Bps, 1024 * 50e9, 1e-12);
    AF_ASSERT_REL(f.oversubscription, 1, 1e-12);
    /* 2048 is the two-level limit k^2/2: forcing two levels on one more is refused. */
    CU_ASSERT_EQUAL(plan_fat_tree(&f, 2049, 1, 2), AF_EINPUT);
}

/* The k-ary fat-tree of Al-Fares et al.: k = 64 holds k^3/4 = 65536 hosts with k^2/2 edge,
 * k^2/2 aggregation and k^2/4 core switches = 5k^2/4 = 5120, in k pods, k^3/4 links per layer. */
static void test_three_level_al_fares(void)
{
    af_fabric f;
    CU_ASSERT_EQUAL_FATAL(plan_fat_tree(&f, 65536, 1, 0), AF_OK);
    CU_ASSERT_EQUAL(f.levels, 3);
    CU_ASSERT_EQUAL(f.pods, 64);
    CU_ASSERT_EQUAL(f.leaves, 2048);
    CU_ASSERT_EQUAL(f.spines, 2048);
    CU_ASSERT_EQUAL(f.cores, 1024);
    CU_ASSERT_EQUAL(f.switches, 5 * 64 * 64 / 4);
    CU_ASSERT_EQUAL(f.cables, 3 * 65536);
    CU_ASSERT_EQUAL(f.ports_used, f.switches * 64);
    AF_ASSERT_REL(f.bisection_Bps, 32768 * 50e9, 1e-12);
    CU_ASSERT_EQUAL(plan_fat_tree(&f, 65537, 1, 0), AF_EINPUT);

    /* A partial build: 2049 endpoints = 65 leaves in pods of 32, 32 and 1; pod spines carry
     * 32 x 32 / 32, 32 and ceil(1 x 32 / 32) = 65; cores ceil(65 x 32 / 64) = 33. */
    CU_ASSERT_EQUAL_FATAL(plan_fat_tree(&f, 2049, 1, 0), AF_OK);
    CU_ASSERT_EQUAL(f.levels, 3);
    CU_ASSERT_EQUAL(f.leaves, 65);
    CU_ASSERT_EQUAL(f.pods, 3);
    CU_ASSERT_EQUAL(f.spines, 65);
    CU_ASSERT_EQUAL(f.cores, 33);
    /* Three levels may also be asked for a fabric that would fit two. */
    CU_ASSERT_EQUAL_FATAL(plan_fat_tree(&f, 2048, 1, 3), AF_OK);
    CU_ASSERT_EQUAL(f.levels, 3);
    CU_ASSERT_EQUAL(f.spines, 64);
    CU_ASSERT_EQUAL(f.cores, 32);
}

/* Leaves split 64 ports by the ratio: 2:1 gives 42 down + 21 up (one port idle), 3:1 gives 48 +
 * 16; each endpoint's uplink share falls by the ratio. */
static void test_oversubscription(void)
{
    af_fabric f;
    CU_ASSERT_EQUAL_FATAL(plan_fat_tree(&f, 2048, 2, 0), AF_OK);
    CU_ASSERT_EQUAL(f.down, 42);
    CU_ASSERT_EQUAL(f.up, 21);
    AF_ASSERT_REL(f.oversubscription, 2, 1e-12);
    AF_ASSERT_REL(f.place[0].uplink_per_endpoint_Bps, 50e9 / 2, 1e-12);
    CU_ASSERT_EQUAL(f.leaves, 49); /* ceil(2048 / 42) */
    /* 49 x 21 uplinks need 17 spines' ports, but 21 links per leaf stripe evenly over 21. */
    CU_ASSERT_EQUAL(f.spines, 21);
    AF_ASSERT_REL(f.typical_W, 70 * 747.0, 1e-12);

    CU_ASSERT_EQUAL_FATAL(plan_fat_tree(&f, 2048, 3, 0), AF_OK);
    CU_ASSERT_EQUAL(f.down, 48);
    CU_ASSERT_EQUAL(f.up, 16);
    AF_ASSERT_REL(f.place[0].uplink_per_endpoint_Bps, 50e9 / 3, 1e-12);
    CU_ASSERT_EQUAL(f.leaves, 43);
    CU_ASSERT_EQUAL(f.spines, 16); /* at least ceil(43 x 16 / 64) = 11, a divisor of 16 */
    /* Bisection: half of 43 x 16 uplinks at 50 GB/s, below half the endpoints' 1024 x 50 GB/s. */
    AF_ASSERT_REL(f.bisection_Bps, 43 * 16 * 50e9 / 2, 1e-12);

    /* A ratio that does not split 64 evenly rounds to the nearest split not worse than asked. */
    CU_ASSERT_EQUAL_FATAL(plan_fat_tree(&f, 2048, 1.5, 0), AF_OK);
    CU_ASSERT_EQUAL(f.down, 38);
    CU_ASSERT_EQUAL(f.up, 26);
    CU_ASSERT(f.oversubscription <= 1.5);
}

/* The compute-fabric tables of the DGX SuperPOD reference architectures (docs.nvidia.com/
 * dgx-superpod): SUs of 32 eight-rail nodes on QM9700s.
 *   H100 RA table 4:  1, 2, 3, 4 SUs -> leaves 8, 16, 24, 32; spines 4, 8, 16, 16
 *   B200 RA:          8 SUs -> 64 / 32; 16 SUs -> 128 / 128 / 64 cores; 32 SUs -> 256 / 256 / 128;
 *                     64 SUs -> 512 / 512 / 256, with node-leaf = leaf-spine = spine-core cables */
static void test_superpod_tables(void)
{
    static const struct {
        int sus, leaves, spines, cores;
    } rows[] = {{1, 8, 4, 0},   {2, 16, 8, 0},      {3, 24, 16, 0},      {4, 32, 16, 0},
                {8, 64, 32, 0}, {16, 128, 128, 64}, {32, 256, 256, 128}, {64, 512, 512, 256}};
    af_fabric_spec spec = {"compute", AF_FABRIC_RAIL, qm9700, 1, 0};
    af_diag *d = af_diag_new();
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        af_fabric_group g = group("dgx", 32 * rows[i].sus, 8, 50e9, true);
        af_fabric f;
        CU_ASSERT_EQUAL_FATAL(af_fabric_init(&f, &spec, &g, 1, d), AF_OK);
        CU_ASSERT_EQUAL(f.leaves, rows[i].leaves);
        CU_ASSERT_EQUAL(f.spines, rows[i].spines);
        CU_ASSERT_EQUAL(f.cores, rows[i].cores);
        CU_ASSERT_EQUAL(f.levels, rows[i].cores ? 3 : 2);
        CU_ASSERT_EQUAL(f.switch_cables, (rows[i].cores ? 2 : 1) * 256 * rows[i].sus);
    }
    af_diag_free(d);
}

/* 128 DGX H100 with 8 x 400G compute NICs on 8 rails (the SuperPOD's 4 scalable units): SUs of
 * 32 nodes, 8 rail leaves each = 32 leaves, 1024 uplinks over 64-port spines = 16 spines. */
static void test_rail_optimized(void)
{
    af_fabric_spec spec = {"backend", AF_FABRIC_RAIL, qm9700, 1, 0};
    af_fabric_group g[2] = {group("train", 128, 8, 50e9, true), group("hot", 8, 2, 50e9, false)};
    af_diag *d = af_diag_new();
    af_fabric f;
    CU_ASSERT_EQUAL_FATAL(af_fabric_init(&f, &spec, g, 1, d), AF_OK);
    CU_ASSERT_EQUAL(f.levels, 2);
    CU_ASSERT_EQUAL(f.endpoints, 1024);
    CU_ASSERT_EQUAL(f.leaves, 32);
    CU_ASSERT_EQUAL(f.spines, 16);
    CU_ASSERT_EQUAL(f.switches, 48);
    CU_ASSERT_EQUAL(f.cables, 1024 + 32 * 32);
    AF_ASSERT_REL(f.typical_W, 48 * 747.0, 1e-12);
    /* Rail-aligned traffic of the pool stays on its SU's leaves a quarter of the time. */
    AF_ASSERT_REL(f.place[0].local_fraction, 0.25, 1e-12);

    /* 100 nodes: 4 SUs still (the last holds 4 nodes), so 32 leaves. */
    g[0].nodes = 100;
    CU_ASSERT_EQUAL_FATAL(af_fabric_init(&f, &spec, g, 1, d), AF_OK);
    CU_ASSERT_EQUAL(f.leaves, 32);
    AF_ASSERT_REL(f.place[0].local_fraction, (3 * 32.0 * 32 + 4 * 4) / (100.0 * 100), 1e-12);

    /* With a storage group packed on its own leaf: 33 leaves need ceil(33 x 32 / 64) = 17
     * spines' ports, and 32 uplinks per leaf stripe evenly over 32 spines. */
    g[0].nodes = 128;
    CU_ASSERT_EQUAL_FATAL(af_fabric_init(&f, &spec, g, 2, d), AF_OK);
    CU_ASSERT_EQUAL(f.leaves, 33);
    CU_ASSERT_EQUAL(f.spines, 32);
    CU_ASSERT_EQUAL(f.place[1].first_leaf, 32);
    CU_ASSERT_EQUAL(f.place[1].leaves, 1);

    /* Storage reads: data from hot (1) to train (0). */
    af_fabric_stage st[AF_FABRIC_MAX_STAGES];
    CU_ASSERT_EQUAL_FATAL(af_fabric_stages(&f, 1, 0, st), 5);
    CU_ASSERT_EQUAL(st[0].kind, AF_STAGE_SRC_NIC);
    CU_ASSERT_EQUAL(st[0].group, 1);
    AF_ASSERT_REL(st[0].capacity_Bps, 16 * 50e9, 1e-12);
    CU_ASSERT_EQUAL(st[1].kind, AF_STAGE_SRC_UPLINK);
    AF_ASSERT_REL(st[1].capacity_Bps, 32 * 50e9, 1e-12);
    CU_ASSERT_EQUAL(st[2].kind, AF_STAGE_SPINE);
    CU_ASSERT_EQUAL(st[2].group, -1);
    AF_ASSERT_REL(st[2].capacity_Bps, 33 * 32 * 50e9, 1e-12);
    CU_ASSERT_EQUAL(st[3].kind, AF_STAGE_DST_DOWNLINK);
    CU_ASSERT_EQUAL(st[3].group, 0);
    AF_ASSERT_REL(st[3].capacity_Bps, 32 * 32 * 50e9, 1e-12);
    CU_ASSERT_EQUAL(st[4].kind, AF_STAGE_DST_NIC);
    AF_ASSERT_REL(st[4].capacity_Bps, 1024 * 50e9, 1e-12);
    for (size_t i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(st[i].crossing, 1);
        CU_ASSERT_PTR_NOT_NULL(st[i].label);
    }

    /* The pool to itself: 3/4 of the traffic crosses the uplinks, so they carry 4/3 of it. */
    CU_ASSERT_EQUAL_FATAL(af_fabric_stages(&f, 0, 0, st), 5);
    AF_ASSERT_REL(st[1].crossing, 0.75, 1e-12);
    AF_ASSERT_REL(st[1].link_Bps, 32 * 32 * 50e9, 1e-12);
    AF_ASSERT_REL(st[1].capacity_Bps, 32 * 32 * 50e9 / 0.75, 1e-12);
    AF_ASSERT_REL(st[0].capacity_Bps, 1024 * 50e9, 1e-12);
    CU_ASSERT_EQUAL(af_diag_errors(d), 0);
    af_diag_free(d);
}

/* A fat-tree with two groups: 200G NICs run at 200G on 400G ports; a group on one leaf talking
 * to itself never leaves it. */
static void test_stages_fat_tree(void)
{
    af_fabric_spec spec = {"front", AF_FABRIC_FAT_TREE, qm9700, 2, 0};
    af_fabric_group g[2] = {group("ingest", 100, 1, 25e9, false),
                            group("archive", 12, 2, 25e9, false)};
    af_diag *d = af_diag_new();
    af_fabric f;
    CU_ASSERT_EQUAL_FATAL(af_fabric_init(&f, &spec, g, 2, d), AF_OK);
    CU_ASSERT_EQUAL(f.levels, 2);
    CU_ASSERT_EQUAL(f.place[0].leaves, 3); /* ceil(100 / 42) */
    CU_ASSERT_EQUAL(f.place[1].leaves, 1); /* 24 endpoints */
    CU_ASSERT_EQUAL(f.place[1].first_leaf, 3);
    AF_ASSERT_REL(f.place[0].endpoint_Bps, 25e9, 1e-12);
    /* 21 x 400G up for 42 x 200G down: the 2:1 switch split is 1:1 for 200G endpoints. */
    AF_ASSERT_REL(f.place[0].uplink_per_endpoint_Bps, 25e9, 1e-12);
    af_fabric_stage st[AF_FABRIC_MAX_STAGES];
    CU_ASSERT_EQUAL(af_fabric_stages(&f, 1, 1, st), 2);
    CU_ASSERT_EQUAL_FATAL(af_fabric_stages(&f, 0, 1, st), 5);
    AF_ASSERT_REL(st[0].capacity_Bps, 100 * 25e9, 1e-12);
    AF_ASSERT_REL(st[1].capacity_Bps, 3 * 21 * 50e9, 1e-12);
    AF_ASSERT_REL(st[3].capacity_Bps, 1 * 21 * 50e9, 1e-12);
    AF_ASSERT_REL(st[4].capacity_Bps, 24 * 25e9, 1e-12);
    /* The ingest group to itself: leaves of 42, 42 and 16 keep (2 x 42^2 + 16^2) / 100^2. */
    CU_ASSERT_EQUAL_FATAL(af_fabric_stages(&f, 0, 0, st), 5);
    AF_ASSERT_REL(st[1].crossing, 1 - (2 * 42.0 * 42 + 16 * 16) / 1e4, 1e-12);
    af_diag_free(d);
}

/* Every bad input is reported, all of them in one call, and *f is left alone. */
static void test_input_checks(void)
{
    af_diag *d = af_diag_new();
    af_fabric f;
    memset(&f, 0xab, sizeof f);
    af_fabric f0 = f;
    af_switch_spec sw = qm9700;
    sw.ports = 1;
    af_fabric_spec spec = {"backend", AF_FABRIC_FAT_TREE, sw, 0.5, 4};
    af_fabric_group g[2] = {group("train", 0, 8, 50e9, false), group("hot", 4, 2, 100e9, false)};
    CU_ASSERT_EQUAL(af_fabric_init(&f, &spec, g, 2, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_errors(d), 5);
    CU_ASSERT_EQUAL(memcmp(&f, &f0, sizeof f), 0);
    char *msg = af_diag_format(d, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "nic rate 800 Gb/s exceeds the switch port rate 400"));
    af_free(msg);

    af_diag_clear(d);
    spec = (af_fabric_spec){"backend", AF_FABRIC_FAT_TREE, qm9700, 1, 0};
    CU_ASSERT_EQUAL(af_fabric_init(&f, &spec, g, 0, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_fabric_init(&f, &spec, g, AF_FABRIC_MAX_GROUPS + 1, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_errors(d), 2);

    /* Boundaries that are fine: oversubscription exactly 1, a NIC exactly at the port rate. */
    af_diag_clear(d);
    g[0].nodes = 1;
    g[1].nic_rate_Bps = 50e9;
    CU_ASSERT_EQUAL(af_fabric_init(&f, &spec, g, 2, d), AF_OK);
    CU_ASSERT_EQUAL(af_diag_errors(d), 0);
    /* A ratio so large it leaves no uplink, and a NaN one. */
    spec.oversubscription = 1e300;
    CU_ASSERT_EQUAL(af_fabric_init(&f, &spec, g, 2, d), AF_EINPUT);
    spec.oversubscription = NAN;
    CU_ASSERT_EQUAL(af_fabric_init(&f, &spec, g, 2, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_errors(d), 2);
    af_diag_free(d);
}

static const af_test tests[] = {
    {"a fabric that fits one switch has one level", test_one_switch},
    {"two-level fat-tree counts (2048 endpoints, 64 ports, 1:1)", test_two_level_counts},
    {"three-level k-ary fat-tree matches Al-Fares (k = 64)", test_three_level_al_fares},
    {"oversubscription splits leaf ports and cuts uplink share", test_oversubscription},
    {"rail-optimized counts match the SuperPOD RA tables", test_superpod_tables},
    {"rail-optimized counts (128 DGX H100, 8 rails) and stages", test_rail_optimized},
    {"fat-tree path stages with two groups", test_stages_fat_tree},
    {"input checks report every error", test_input_checks},
    {NULL, NULL}};

AF_TEST_MAIN("fabric", tests)
