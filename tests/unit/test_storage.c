/*
 * test_storage: node rates, the device-time model, read/write interference, capacity accounting,
 * sizing for a demand (flash versus disk), the power model against the Scality figures of
 * doc/sources.md (bf-scality), and flash reads behind writes (af_flash_blocking and the wait's
 * closed forms). Every expected value is worked by hand in a comment.
 */
#include "model/storage.h"

#include "base/alloc.h"
#include "base/diag.h"

#include "cutest.h"

#include <string.h>

/* models/storage.yaml flash-qlc-node: 32 x Solidigm D5-P5336 61.44 TB, 2 x roce-400. */
static const af_storage_spec qlc = {
    .name = "flash-qlc-node",
    .description = "1U all-flash QLC node",
    .media = AF_MEDIA_QLC,
    .devices = 32,
    .device_B = 61.44e12,
    .device_read_Bps = 7.0e9,
    .device_write_Bps = 3.3e9,
    .device_read_iops = 1005000,
    .device_write_iops = 38000,
    .device_latency_s = 80e-6,
    .device_idle_W = 5,
    .device_read_W = 18.75,
    .device_write_W = 25,
    .nic = {"roce-400", "400 GbE", AF_LINK_ETHERNET, 50e9, 2e-6, 29},
    .nics = 2,
    .usable_fraction = 0.72,
    .server_W = 402, /* with the 2 x 29 W NIC ports, 460 W besides the drives */
    .rack_units = 1,
    .chassis_price_usd = 175000, /* the node's price, drives included (device_price 0) */
};

/* models/storage.yaml hdd-nearline-node: 102 x Seagate Exos X24 24 TB, 2 x ethernet-200. */
static const af_storage_spec hdd = {
    .name = "hdd-nearline-node",
    .description = "4U102 JBOD + 1U head",
    .media = AF_MEDIA_HDD,
    .devices = 102,
    .device_B = 24e12,
    .device_read_Bps = 150e6,
    .device_write_Bps = 150e6,
    .device_read_iops = 150,
    .device_write_iops = 150,
    .device_latency_s = 11.6e-3,
    .device_idle_W = 5.7,
    .device_read_W = 9.4,
    .device_write_W = 6.4,
    .nic = {"ethernet-200", "200 GbE", AF_LINK_ETHERNET, 25e9, 2e-6, 15},
    .nics = 2,
    .usable_fraction = 0.72,
    .server_W = 400,
    .enclosure_W = 250, /* with the 2 x 15 W NIC ports, 680 W besides the drives */
    .rack_units = 5,
    .chassis_price_usd = 125000, /* the node's price, drives included (device_price 0) */
};

/* Sizes spec for dem, expecting success. */
static af_storage_sizing size_ok(const af_storage_spec *s, const af_storage_demand *dem)
{
    af_diag *d = af_diag_new();
    af_storage_sizing z;
    memset(&z, 0, sizeof z);
    CU_ASSERT_EQUAL(af_storage_size(s, dem, &z, d), AF_OK);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_diag_free(d);
    return z;
}

/* Per node: flash reads min(32 x 7.0, 2 x 50) = 100 GB/s (NIC-bound), writes min(105.6, 100) =
 * 100 GB/s; disk min(102 x 0.15 = 15.3, 2 x 25) = 15.3 GB/s (drive-bound). */
static void test_node_rates(void)
{
    AF_ASSERT_REL(af_storage_node_read_Bps(&qlc), 100e9, 1e-12);
    AF_ASSERT_REL(af_storage_node_write_Bps(&qlc), 100e9, 1e-12);
    AF_ASSERT_REL(af_storage_node_read_Bps(&hdd), 15.3e9, 1e-12);
    AF_ASSERT_REL(af_storage_node_write_Bps(&hdd), 15.3e9, 1e-12);
    AF_ASSERT_REL(af_storage_node_usable_B(&qlc), 1415.5776e12, 1e-12); /* 32 x 61.44 x 0.72 */
    AF_ASSERT_REL(af_storage_node_usable_B(&hdd), 1762.56e12, 1e-12);   /* 102 x 24 x 0.72 */
}

/* ops/s per device = 1 / (1/IOPS + s/bandwidth). For 1 MiB reads:
 *   disk  1 / (1/150 + 1048576/150e6)     = 1 / (6.6667 ms + 6.9905 ms) = 73.2216 ops/s
 *   QLC   1 / (1/1005000 + 1048576/7e9)   = 1 / (0.995 us + 149.80 us)  = 6631.67 ops/s
 * so a flash drive does ~90x the 1 MiB reads of a disk; at 4 KiB (QLC 632,844 vs disk 149.39)
 * ~4,200x. */
static void test_device_time_model(void)
{
    double mib = 1048576;
    AF_ASSERT_REL(af_storage_device_read_ops(&hdd, mib), 73.2216, 1e-5);
    AF_ASSERT_REL(af_storage_device_read_ops(&qlc, mib), 6631.67, 1e-5);
    AF_ASSERT_REL(af_storage_read_cost_s(&hdd, mib), 1 / 150.0 + mib / 150e6, 1e-12);
    AF_ASSERT_REL(af_storage_write_cost_s(&qlc, mib), 1 / 38000.0 + mib / 3.3e9, 1e-12);
    AF_ASSERT_REL(af_storage_device_write_ops(&hdd, 0), 150, 1e-12);
    AF_ASSERT_REL(af_storage_device_read_ops(&qlc, 4096), 632844.2, 1e-6);
    /* Large ops approach the bandwidth: 1 GB reads on disk take 1/150 + 6.6667 s. */
    AF_ASSERT_REL(af_storage_device_read_ops(&hdd, 1e9) * 1e9, 1e9 / (1 / 150.0 + 1e9 / 150e6),
                  1e-12);
    /* Per node: QLC 4 KiB reads 32 x 632,844 = 20.25 M/s, below the NICs' 100e9 / 4096 = 24.4 M/s;
     * 64 KiB reads are NIC-bound at 100e9 / 65536 = 1.526 M/s. */
    AF_ASSERT_REL(af_storage_node_read_ops(&qlc, 4096), 20251014.7, 1e-6);
    AF_ASSERT_REL(af_storage_node_read_ops(&qlc, 65536), 100e9 / 65536, 1e-12);
    AF_ASSERT_REL(af_storage_node_write_ops(&hdd, 0), 102 * 150.0, 1e-12);
    AF_ASSERT_REL(af_storage_node_write_ops(&qlc, 1e9), 100e9 / 1e9, 1e-12);
    /* Device time sums the sides: 1000 disk reads of 1 MiB = 1000/150 + 1000 x 1048576/150e6
     * = 6.6667 + 6.9905 s; 1 GB written by QLC devices = 1/3.3 s. */
    AF_ASSERT_REL(af_storage_device_time_s(&hdd, 1000 * mib, 0, 1000, 0), 13.6572, 1e-5);
    AF_ASSERT_REL(af_storage_device_time_s(&qlc, 0, 1e9, 0, 0), 1 / 3.3, 1e-12);
    AF_ASSERT_REL(af_storage_device_time_s(&qlc, 7e9, 3.3e9, 1005000, 38000), 4, 1e-12);
    CU_ASSERT_EQUAL(af_storage_device_time_s(&qlc, 0, 0, 0, 0), 0);
}

/* A write burst at half the devices' write bandwidth leaves half the device time for reads. */
static void test_interference(void)
{
    /* Disk node: writing 7.65 GB/s (half of 15.3) leaves 7.65 GB/s of reads. */
    AF_ASSERT_REL(af_storage_node_busy(&hdd, 0, 7.65e9, 0, 0), 0.5, 1e-12);
    AF_ASSERT_REL(af_storage_node_read_left_Bps(&hdd, 7.65e9, 0), 7.65e9, 1e-12);
    AF_ASSERT_REL(af_storage_node_write_left_Bps(&hdd, 7.65e9, 0), 7.65e9, 1e-12);
    AF_ASSERT_REL(af_storage_node_read_left_Bps(&hdd, 0, 0), 15.3e9, 1e-12);
    /* Random writes cost device time too: 7,650 ops/s = half of 102 x 150 IOPS. */
    AF_ASSERT_REL(af_storage_node_read_left_Bps(&hdd, 0, 7650), 7.65e9, 1e-12);
    /* Writes at or past the device bandwidth leave nothing. */
    CU_ASSERT_EQUAL(af_storage_node_read_left_Bps(&hdd, 15.3e9, 0), 0);
    CU_ASSERT_EQUAL(af_storage_node_read_left_Bps(&hdd, 20e9, 0), 0);
    CU_ASSERT_EQUAL(af_storage_node_write_left_Bps(&hdd, 16e9, 0), 0);
    /* QLC node: half its 105.6 GB/s of device write bandwidth leaves 0.5 x 224 = 112 GB/s of
     * device reads, which the 100 GB/s of NICs cap (they are full duplex, so the writes do not
     * take them); at 3/4 (79.2 GB/s) the devices bind: 0.25 x 224 = 56 GB/s. */
    AF_ASSERT_REL(af_storage_node_read_left_Bps(&qlc, 52.8e9, 0), 100e9, 1e-12);
    AF_ASSERT_REL(af_storage_node_read_left_Bps(&qlc, 79.2e9, 0), 56e9, 1e-12);
    /* Reads at 112 GB/s (half of 224) leave half of the 105.6 GB/s of writes. */
    AF_ASSERT_REL(af_storage_node_write_left_Bps(&qlc, 112e9, 0), 52.8e9, 1e-12);
    AF_ASSERT_REL(af_storage_node_busy(&qlc, 112e9, 52.8e9, 0, 0), 1, 1e-12);
}

static void test_capacity_accounting(void)
{
    double per = 1415.5776e12;
    AF_ASSERT_REL(af_storage_usable_B(&qlc, 8), 8 * per, 1e-12);
    CU_ASSERT_EQUAL(af_storage_usable_B(&qlc, 0), 0);
    /* 1 TB free: a 5 TB write fits 1 TB, a 0.5 TB write fits whole. */
    AF_ASSERT_REL(af_storage_fit_B(&qlc, 8, 8 * per - 1e12, 5e12), 1e12, 1e-6);
    CU_ASSERT_EQUAL(af_storage_fit_B(&qlc, 8, 8 * per - 1e12, 0.5e12), 0.5e12);
    CU_ASSERT_EQUAL(af_storage_fit_B(&qlc, 8, 0, 1e12), 1e12);
    /* Full or over-full (after a failure shrank the tier): nothing fits. */
    CU_ASSERT_EQUAL(af_storage_fit_B(&qlc, 8, 8 * per, 1e12), 0);
    CU_ASSERT_EQUAL(af_storage_fit_B(&qlc, 7, 8 * per, 1e12), 0);
    CU_ASSERT_EQUAL(af_storage_fit_B(&qlc, 8, 0, 0), 0);
}

/* 10 PB usable + 500 GB/s of reads.
 * Flash: capacity 10e15 / 1415.58e12 = 7.06 -> 8 nodes; reads 500 / 100 = 5; capacity binds.
 *   idle 8 x (460 + 32 x 5) = 4,960 W; active (every device in its hungrier state, writing at
 *   25 W) 8 x (460 + 32 x 25) = 10,080 W; devices busy reading (500 / 7) / (8 x 32) = 27.9% at
 *   18.75 W, so load 8 x (460 + 32 x (5 + 0.279 x 13.75)) = 5,942.14 W; 8 U; 1.4 M USD.
 * Disk: capacity 10e15 / 1762.56e12 = 5.67 -> 6; reads 500 / 15.3 = 32.68 -> 33; reads bind.
 *   idle 33 x (680 + 102 x 5.7) = 41,626.2 W; active 33 x (680 + 102 x 9.4) = 54,080.4 W; busy
 *   (500e9 / 150e6) / (33 x 102) = 99.03%, load 33 x (680 + 102 x (5.7 + 0.9903 x 3.7))
 *   = 53,959.53 W; 165 U; 4.125 M USD. */
static void test_size_flash_vs_disk(void)
{
    af_storage_demand dem = {.capacity_B = 10e15, .read_Bps = 500e9};
    af_storage_sizing f = size_ok(&qlc, &dem);
    CU_ASSERT_EQUAL(f.nodes, 8);
    CU_ASSERT_EQUAL(f.binding, AF_SIZE_CAPACITY);
    CU_ASSERT_STRING_EQUAL(af_storage_constraint_name(f.binding), "capacity");
    AF_ASSERT_REL(f.need[AF_SIZE_CAPACITY], 7.064254, 1e-6);
    CU_ASSERT_EQUAL(f.nodes_for[AF_SIZE_CAPACITY], 8);
    CU_ASSERT_EQUAL(f.nodes_for[AF_SIZE_READ_BW], 5); /* exactly 5.0: no rounding up */
    CU_ASSERT_EQUAL(f.nodes_for[AF_SIZE_WRITE_BW], 0);
    CU_ASSERT_EQUAL(f.nodes_for[AF_SIZE_READ_IOPS], 0);
    CU_ASSERT_EQUAL(f.nodes_for[AF_SIZE_MIXED], 5);
    CU_ASSERT_EQUAL(f.nodes_for[AF_SIZE_MINIMUM], 1);
    AF_ASSERT_REL(f.usable_B, 8 * 1415.5776e12, 1e-12);
    AF_ASSERT_REL(f.read_Bps, 800e9, 1e-12);
    AF_ASSERT_REL(f.idle_W, 4960, 1e-12);
    AF_ASSERT_REL(f.active_W, 10080, 1e-12);
    AF_ASSERT_REL(f.busy, 0.279017857, 1e-8);
    AF_ASSERT_REL(f.load_W, 5942.142857, 1e-9);
    AF_ASSERT_REL(f.rack_units, 8, 1e-12);
    AF_ASSERT_REL(f.price_usd, 1.4e6, 1e-12);

    af_storage_sizing h = size_ok(&hdd, &dem);
    CU_ASSERT_EQUAL(h.nodes, 33);
    CU_ASSERT_EQUAL(h.binding, AF_SIZE_READ_BW);
    CU_ASSERT_STRING_EQUAL(af_storage_constraint_name(h.binding), "read bandwidth");
    CU_ASSERT_EQUAL(h.nodes_for[AF_SIZE_CAPACITY], 6);
    AF_ASSERT_REL(h.need[AF_SIZE_READ_BW], 32.679739, 1e-6);
    AF_ASSERT_REL(h.idle_W, 41626.2, 1e-12);
    AF_ASSERT_REL(h.active_W, 54080.4, 1e-12);
    AF_ASSERT_REL(h.busy, 0.990295, 1e-6);
    AF_ASSERT_REL(h.load_W, 53959.533, 1e-7);
    AF_ASSERT_REL(h.rack_units, 165, 1e-12);
    AF_ASSERT_REL(h.price_usd, 4.125e6, 1e-12);

    /* Side by side: disk takes 4.1x the nodes, 20.6x the rack units, 2.9x the price and 9.1x the
     * power at this load. */
    af_diag *d = af_diag_new();
    af_storage_comparison c;
    CU_ASSERT_EQUAL_FATAL(af_storage_compare(&qlc, &hdd, &dem, &c, d), AF_OK);
    CU_ASSERT_EQUAL(c.a.nodes, 8);
    CU_ASSERT_EQUAL(c.b.nodes, 33);
    AF_ASSERT_REL(c.nodes_ratio, 4.125, 1e-12);
    AF_ASSERT_REL(c.rack_units_ratio, 20.625, 1e-12);
    AF_ASSERT_REL(c.price_ratio, 4.125e6 / 1.4e6, 1e-12);
    AF_ASSERT_REL(c.load_W_ratio, 53959.533 / 5942.142857, 1e-6);

    /* Capacity alone (no bandwidth demand): disk needs 6 nodes and idles at 6 x 1,261.4 W =
     * 7,568.4 W against flash's 8 x 620 = 4,960 W. */
    dem.read_Bps = 0;
    CU_ASSERT_EQUAL_FATAL(af_storage_compare(&qlc, &hdd, &dem, &c, d), AF_OK);
    CU_ASSERT_EQUAL(c.b.nodes, 6);
    CU_ASSERT_EQUAL(c.b.binding, AF_SIZE_CAPACITY);
    AF_ASSERT_REL(c.b.load_W, 7568.4, 1e-12);
    AF_ASSERT_REL(c.a.load_W, 4960, 1e-12);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_diag_free(d);
}

/* 2 M random 4 KiB reads/s: a disk node does 102 / (1/150 + 4096/150e6) = 15,237.6 ops/s, so
 * 2e6 / 15,237.6 = 131.25 -> 132 nodes; one flash node does 20.25 M/s. */
static void test_size_iops(void)
{
    af_storage_demand dem = {.capacity_B = 1e12, .read_iops = 2e6, .read_op_B = 4096};
    af_storage_sizing h = size_ok(&hdd, &dem);
    CU_ASSERT_EQUAL(h.binding, AF_SIZE_READ_IOPS);
    AF_ASSERT_REL(h.need[AF_SIZE_READ_IOPS], 131.254379, 1e-8);
    CU_ASSERT_EQUAL(h.nodes, 132);
    af_storage_sizing f = size_ok(&qlc, &dem);
    CU_ASSERT_EQUAL(f.nodes, 1);
    AF_ASSERT_REL(f.need[AF_SIZE_READ_IOPS], 2e6 / 20251014.7, 1e-6);

    /* Random writes on QLC: 1 M writes/s of 4 KiB at 1 / (1/38000 + 4096/3.3e9) = 36,293 per
     * device, 1,161,376 per node -> 1 node; 2 M -> 2 nodes (1.72). */
    dem = (af_storage_demand){.write_iops = 2e6, .write_op_B = 4096};
    f = size_ok(&qlc, &dem);
    CU_ASSERT_EQUAL(f.binding, AF_SIZE_WRITE_IOPS);
    CU_ASSERT_EQUAL(f.nodes, 2);
    AF_ASSERT_REL(f.need[AF_SIZE_WRITE_IOPS], 2e6 / (32 / (1 / 38000.0 + 4096 / 3.3e9)), 1e-12);
}

/* A file read whole costs AF_STORAGE_FILE_OPS operations (open, first read) plus its bytes, the
 * same charge `aifsim run` makes for training reads; a single random read costs one. 100,000
 * files/s of 110 kB on disk: 2/150 + 110e3/150e6 = 14.07 ms each, 102 / 14.07 ms = 7,251 per
 * node -> 13.79 nodes; as single reads 1/150 + 110e3/150e6 = 7.40 ms, 13,783 per node -> 7.26. */
static void test_size_file_reads(void)
{
    af_storage_demand dem = {.read_iops = 1e5, .read_op_B = 110e3};
    af_storage_sizing one = size_ok(&hdd, &dem);
    dem.read_ops_per_read = AF_STORAGE_FILE_OPS;
    af_storage_sizing file = size_ok(&hdd, &dem);
    double per_file = 2 / 150.0 + 110e3 / 150e6, per_op = 1 / 150.0 + 110e3 / 150e6;
    AF_ASSERT_REL(file.need[AF_SIZE_READ_IOPS], 1e5 * per_file / 102, 1e-12);
    AF_ASSERT_REL(one.need[AF_SIZE_READ_IOPS], 1e5 * per_op / 102, 1e-12);
    CU_ASSERT_EQUAL(file.nodes, 14);
    CU_ASSERT_EQUAL(one.nodes, 8);
    AF_ASSERT_REL(af_storage_file_read_cost_s(&hdd, 110e3), per_file, 1e-15);
    /* The busy share counts the file reads' device time. */
    AF_ASSERT_REL(file.busy, 1e5 * per_file / (14 * 102.0), 1e-12);
}

/* Demands that each fit one node can need two together: 10 GB/s of reads and 10 GB/s of writes
 * on disk take 10/15.3 + 10/15.3 = 1.307 nodes of device time. */
static void test_size_mixed_and_minimum(void)
{
    af_storage_demand dem = {.read_Bps = 10e9, .write_Bps = 10e9};
    af_storage_sizing h = size_ok(&hdd, &dem);
    CU_ASSERT_EQUAL(h.nodes_for[AF_SIZE_READ_BW], 1);
    CU_ASSERT_EQUAL(h.nodes_for[AF_SIZE_WRITE_BW], 1);
    AF_ASSERT_REL(h.need[AF_SIZE_MIXED], 20.0 / 15.3, 1e-12);
    CU_ASSERT_EQUAL(h.nodes, 2);
    CU_ASSERT_EQUAL(h.binding, AF_SIZE_MIXED);
    AF_ASSERT_REL(h.busy, 20.0 / 30.6, 1e-12);
    /* On flash the NICs are full duplex: 60 GB/s each way fits one node (device time
     * 60/224 + 60/105.6 = 0.836). */
    dem = (af_storage_demand){.read_Bps = 60e9, .write_Bps = 60e9};
    af_storage_sizing f = size_ok(&qlc, &dem);
    CU_ASSERT_EQUAL(f.nodes, 1);
    AF_ASSERT_REL(f.need[AF_SIZE_MIXED], 60 / 224.0 + 60 / 105.6, 1e-12);

    /* An erasure-coding floor of 10 nodes binds a small demand; no demand at all gets one node. */
    dem = (af_storage_demand){.capacity_B = 1e15, .min_nodes = 10};
    f = size_ok(&qlc, &dem);
    CU_ASSERT_EQUAL(f.nodes, 10);
    CU_ASSERT_EQUAL(f.binding, AF_SIZE_MINIMUM);
    CU_ASSERT_STRING_EQUAL(af_storage_constraint_name(f.binding), "minimum nodes");
    dem = (af_storage_demand){0};
    f = size_ok(&qlc, &dem);
    CU_ASSERT_EQUAL(f.nodes, 1);
    CU_ASSERT_EQUAL(f.binding, AF_SIZE_MINIMUM);
    CU_ASSERT_EQUAL(f.busy, 0);
    AF_ASSERT_REL(f.load_W, 620, 1e-12);
    /* Exactly one node of capacity is one node, a byte more is two. */
    dem.capacity_B = 1415.5776e12;
    CU_ASSERT_EQUAL(size_ok(&qlc, &dem).nodes, 1);
    dem.capacity_B = 1415.5776e12 * (1 + 1e-6);
    CU_ASSERT_EQUAL(size_ok(&qlc, &dem).nodes, 2);
}

static void test_size_input_checks(void)
{
    af_diag *d = af_diag_new();
    af_storage_sizing z;
    memset(&z, 0x5a, sizeof z);
    af_storage_sizing z0 = z;
    af_storage_demand dem = {.capacity_B = -1, .read_Bps = NAN, .write_iops = INFINITY};
    CU_ASSERT_EQUAL(af_storage_size(&qlc, &dem, &z, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_errors(d), 3);
    CU_ASSERT_EQUAL(memcmp(&z, &z0, sizeof z), 0);
    char *msg = af_diag_format(d, 0);
    CU_ASSERT_STRING_EQUAL(msg, "aifsim: error: storage sizing for flash-qlc-node: capacity must "
                                "be a finite number >= 0, got -1");
    af_free(msg);

    /* A zettabyte of disk is more than ten million nodes. */
    af_diag_clear(d);
    dem = (af_storage_demand){.capacity_B = 1e24};
    CU_ASSERT_EQUAL(af_storage_size(&hdd, &dem, &z, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    af_storage_comparison c;
    memset(&c, 0, sizeof c);
    CU_ASSERT_EQUAL(af_storage_compare(&qlc, &hdd, &dem, &c, d), AF_EINPUT);
    CU_ASSERT_EQUAL(c.a.nodes, 0);
    /* Negative operation sizes are refused too. */
    af_diag_clear(d);
    dem = (af_storage_demand){.read_iops = 1, .read_op_B = -4096};
    CU_ASSERT_EQUAL(af_storage_size(&qlc, &dem, &z, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    af_diag_free(d);
}

/* The Scality study per drive (doc/sources.md, bf-scality): Exos X22 22 TB idle 5.7 / read 9.4 /
 * write 6.4 W, Micron 6500 ION 30.72 TB 5 / 15 / 20 W.
 *   read-heavy (10% idle, 80% read, 10% write): 0.57 + 7.52 + 0.64 = 8.73 W vs
 *     0.5 + 12 + 2 = 14.5 W; 22 / 8.73 = 2.52 vs 30.72 / 14.5 = 2.12 TB/W (published 8.7 vs
 *     14.5 W, 2.5 vs 2.1 TB/W)
 *   write-heavy (10% idle, 10% read, 80% write): 6.63 vs 18.0 W; 3.32 vs 1.71 TB/W (published
 *     6.6 vs 18 W, 3.3 vs 1.7 TB/W) */
static void test_scality_power(void)
{
    af_storage_power_states x22 = {5.7, 9.4, 6.4}, ion = {5, 15, 20};
    double hr = af_storage_mix_W(&x22, 0.8, 0.1), fr = af_storage_mix_W(&ion, 0.8, 0.1);
    AF_ASSERT_REL(hr, 8.73, 1e-12);
    AF_ASSERT_REL(fr, 14.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(hr, 8.7, 0.05);
    CU_ASSERT_DOUBLE_EQUAL(22 / hr, 2.5, 0.05);
    CU_ASSERT_DOUBLE_EQUAL(30.72 / fr, 2.1, 0.05);
    double hw = af_storage_mix_W(&x22, 0.1, 0.8), fw = af_storage_mix_W(&ion, 0.1, 0.8);
    CU_ASSERT_DOUBLE_EQUAL(hw, 6.6, 0.05);
    CU_ASSERT_DOUBLE_EQUAL(fw, 18, 0.05);
    CU_ASSERT_DOUBLE_EQUAL(22 / hw, 3.3, 0.05);
    CU_ASSERT_DOUBLE_EQUAL(30.72 / fw, 1.7, 0.05);
    /* HDD's TB/W lead: +19% read-heavy, +94% write-heavy (published figures, within rounding). */
    CU_ASSERT_DOUBLE_EQUAL((22 / hr) / (30.72 / fr) - 1, 0.19, 0.01);
    CU_ASSERT_DOUBLE_EQUAL((22 / hw) / (30.72 / fw) - 1, 0.94, 0.01);
    /* The assessment's W/TB: idle 0.259 vs 0.163, read 0.427 vs 0.488. */
    CU_ASSERT_DOUBLE_EQUAL(af_storage_mix_W(&x22, 0, 0) / 22, 0.259, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(af_storage_mix_W(&ion, 0, 0) / 30.72, 0.163, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(af_storage_mix_W(&x22, 1, 0) / 22, 0.427, 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(af_storage_mix_W(&ion, 1, 0) / 30.72, 0.488, 0.0005);

    /* Fractions are clamped, and scaled down when they sum past 1. */
    CU_ASSERT_EQUAL(af_storage_mix_W(&ion, -1, -1), 5);
    CU_ASSERT_EQUAL(af_storage_mix_W(&ion, 2, 0), 15);
    AF_ASSERT_REL(af_storage_mix_W(&ion, 1, 1), 17.5, 1e-12);

    /* From a catalog spec: three distinct states; node power = overhead + devices x mix. */
    af_storage_power_states p = af_storage_device_power(&hdd);
    CU_ASSERT_EQUAL(p.idle_W, 5.7);
    CU_ASSERT_EQUAL(p.read_W, 9.4);
    CU_ASSERT_EQUAL(p.write_W, 6.4);
    p = af_storage_device_power(&qlc);
    CU_ASSERT_EQUAL(p.read_W, 18.75);
    CU_ASSERT_EQUAL(p.write_W, 25);
    AF_ASSERT_REL(af_storage_node_power_W(&hdd, 0, 0), 680 + 102 * 5.7, 1e-12);
    /* Half reading, half writing: 680 + 102 x (4.7 + 3.2) = 1,485.8 W. */
    AF_ASSERT_REL(af_storage_node_power_W(&hdd, 0.5, 0.5), 1485.8, 1e-12);
    AF_ASSERT_REL(af_storage_node_power_W(&hdd, 1, 0), 680 + 102 * 9.4, 1e-12);
    AF_ASSERT_REL(af_storage_node_power_W(&hdd, 0, 1), 680 + 102 * 6.4, 1e-12);
    /* A quarter reading on QLC: 460 + 32 x (5 + 0.25 x 13.75) = 730 W. */
    AF_ASSERT_REL(af_storage_node_power_W(&qlc, 0.25, 0), 730, 1e-12);
    /* The ceiling takes the hungrier state: reads on disk, writes on flash. */
    AF_ASSERT_REL(af_storage_node_max_W(&hdd), 680 + 102 * 9.4, 1e-12);
    AF_ASSERT_REL(af_storage_node_max_W(&qlc), 460 + 32 * 25.0, 1e-12);
    CU_ASSERT_TRUE(af_storage_node_power_W(&qlc, 0, 1) <= af_storage_node_max_W(&qlc));
    CU_ASSERT_TRUE(af_storage_node_power_W(&hdd, 0.5, 0.5) < af_storage_node_max_W(&hdd));
}

/* The Scality duty cycles again, from catalog-shaped specs (one device, no overhead) holding the
 * study's distinct read and write powers: models/storage.yaml takes them for the Exos X24 node
 * and, for the TLC node, the 6500 ION. 10% idle, 80% read, 10% write: 8.73 W and 14.5 W. */
static void test_scality_from_specs(void)
{
    af_storage_spec x22 = hdd, ion = qlc;
    x22.devices = ion.devices = 1;
    x22.server_W = ion.server_W = x22.enclosure_W = 0;
    x22.nics = ion.nics = 0;
    ion.device_idle_W = 5;
    ion.device_read_W = 15;
    ion.device_write_W = 20;
    AF_ASSERT_REL(af_storage_node_power_W(&x22, 0.8, 0.1), 8.73, 1e-12);
    AF_ASSERT_REL(af_storage_node_power_W(&ion, 0.8, 0.1), 14.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(af_storage_node_power_W(&x22, 0.8, 0.1), 8.7, 0.05);
    /* Write-heavy: 0.57 + 0.94 + 5.12 = 6.63 W and 0.5 + 1.5 + 16 = 18 W. */
    AF_ASSERT_REL(af_storage_node_power_W(&x22, 0.1, 0.8), 6.63, 1e-12);
    AF_ASSERT_REL(af_storage_node_power_W(&ion, 0.1, 0.8), 18, 1e-12);
    /* With one active power (the old model, read = write = 9.4 W) the read-heavy mix would have
     * been 0.57 + 0.9 x 9.4 = 9.03 W, off the published 8.7 W. */
    CU_ASSERT_TRUE(af_storage_node_power_W(&x22, 0.8, 0.1) < 0.57 + 0.9 * 9.4 - 0.25);
}

/* Sizing charges reads and writes each at its own power. 10 GB/s on one disk node keeps the
 * devices busy 10e9 / 150e6 = 66.67 device-seconds per second (65.4% of 102): reading, the node
 * draws 680 + 102 x 5.7 + 66.67 x 3.7 = 1,508.07 W; writing, 680 + 581.4 + 66.67 x 0.7 =
 * 1,308.07 W, 200 W less (66.67 x (9.4 - 6.4)). On flash the order flips: 10 GB/s of writes
 * (3.03 device-s at 20 W over idle) outdraw 10 GB/s of reads (1.43 device-s at 13.75 W). */
static void test_size_power_split(void)
{
    af_storage_demand rd = {.read_Bps = 10e9}, wr = {.write_Bps = 10e9};
    af_storage_sizing hr = size_ok(&hdd, &rd), hw = size_ok(&hdd, &wr);
    CU_ASSERT_EQUAL(hr.nodes, 1);
    CU_ASSERT_EQUAL(hw.nodes, 1);
    AF_ASSERT_REL(hr.busy, hw.busy, 1e-12);
    AF_ASSERT_REL(hr.load_W, 680 + 102 * 5.7 + 10e9 / 150e6 * 3.7, 1e-12);
    AF_ASSERT_REL(hw.load_W, 680 + 102 * 5.7 + 10e9 / 150e6 * 0.7, 1e-12);
    AF_ASSERT_REL(hr.load_W - hw.load_W, 200, 1e-9);
    AF_ASSERT_REL(hr.active_W, hw.active_W, 1e-12);
    af_storage_sizing fr = size_ok(&qlc, &rd), fw = size_ok(&qlc, &wr);
    AF_ASSERT_REL(fr.load_W, 620 + 10 / 7.0 * 13.75, 1e-12);
    AF_ASSERT_REL(fw.load_W, 620 + 10 / 3.3 * 20, 1e-12);
    CU_ASSERT_TRUE(fw.load_W > fr.load_W);
    /* Both at once add up. */
    af_storage_demand both = {.read_Bps = 10e9, .write_Bps = 10e9};
    af_storage_sizing fb = size_ok(&qlc, &both);
    AF_ASSERT_REL(fb.load_W, 620 + 10 / 7.0 * 13.75 + 10 / 3.3 * 20, 1e-12);
}

/* Reads behind writes: the write share split by a block's work, on the catalog's QLC die figures
 * (12.2 ms programs, 3 ms erases, 64 programs per erase, suspends of 100 and 700 us). At a
 * write share of 0.5 a block of 64 x 12.2 = 780.8 ms of programs and 3 ms of erase gives
 *     p[0] = 0.5 x 780.8 / 783.8 = 0.498086,  p[1] = 0.5 x 3 / 783.8 = 0.0019138. */
static void test_flash_blocking(void)
{
    af_storage_spec f = qlc;
    f.program_s = 12.2e-3;
    f.erase_s = 3e-3;
    f.program_suspend_s = 100e-6;
    f.erase_suspend_s = 700e-6;
    f.programs_per_erase = 64;
    af_read_blocking b;
    af_flash_blocking(&f, 0.5, &b);
    AF_ASSERT_REL(b.p[0], 0.5 * 780.8 / 783.8, 1e-12);
    AF_ASSERT_REL(b.p[1], 0.5 * 3 / 783.8, 1e-12);
    CU_ASSERT_EQUAL(b.busy_s[0], 12.2e-3);
    CU_ASSERT_EQUAL(b.busy_s[1], 3e-3);
    CU_ASSERT_EQUAL(b.cap_s[0], 100e-6);
    CU_ASSERT_EQUAL(b.cap_s[1], 700e-6);
    /* The share is clamped: above 1 the die is always busy, at or below 0 never. */
    af_flash_blocking(&f, 1.7, &b);
    AF_ASSERT_REL(b.p[0] + b.p[1], 1, 1e-15);
    af_flash_blocking(&f, 0, &b);
    CU_ASSERT_EQUAL(b.p[0] + b.p[1] + b.busy_s[0] + b.busy_s[1] + b.cap_s[0] + b.cap_s[1], 0);
    af_flash_blocking(&f, -0.2, &b);
    CU_ASSERT_EQUAL(b.p[0] + b.p[1], 0);
    /* No erases counted: the whole share is programs. */
    f.programs_per_erase = 0;
    af_flash_blocking(&f, 0.3, &b);
    CU_ASSERT_EQUAL(b.p[0], 0.3);
    CU_ASSERT_EQUAL(b.p[1], 0);
    /* A disk has no program or erase: its reads never wait, whatever it writes. */
    af_flash_blocking(&hdd, 0.9, &b);
    CU_ASSERT_EQUAL(b.p[0] + b.p[1] + b.busy_s[0] + b.busy_s[1], 0);
    CU_ASSERT_EQUAL(af_flash_wait_quantile(&b, 0.999), 0);
    CU_ASSERT_EQUAL(af_flash_wait_draw(&b, 0.3), 0);
}

/* The wait's closed forms, worked by hand for p = {0.4, 0.1}, busy = {1, 4} ms, a program suspend
 * of 0.25 ms and no erase suspend. Below 0.25 ms both classes hold reads up,
 *     P(W > x) = 0.5 - x (0.4 / 1 ms + 0.1 / 4 ms) = 0.5 - 425 x;
 * from 0.25 ms to 4 ms only erases, 0.1 (1 - x / 4 ms) (the programs' atom at their suspend,
 * 0.4 x 0.75 = 0.3, drops out at 0.25 ms). Mean 0.4 (0.25 - 0.25^2 / 2) + 0.1 x 2 = 0.2875 ms. */
static void test_flash_wait_closed_forms(void)
{
    const af_read_blocking b = {{0.4, 0.1}, {1e-3, 4e-3}, {0.25e-3, 0}};
    CU_ASSERT_EQUAL(af_flash_wait_exceed(&b, -1e-9), 1);
    AF_ASSERT_REL(af_flash_wait_exceed(&b, 0), 0.5, 1e-15);
    AF_ASSERT_REL(af_flash_wait_exceed(&b, 0.1e-3), 0.4575, 1e-12);
    AF_ASSERT_REL(af_flash_wait_exceed(&b, 0.25e-3), 0.09375, 1e-12);
    AF_ASSERT_REL(af_flash_wait_exceed(&b, 2e-3), 0.05, 1e-12);
    CU_ASSERT_EQUAL(af_flash_wait_exceed(&b, 4e-3), 0);
    /* Quantiles: none waits at p 0.5; 0.1 / 425 in the first piece at p 0.6; the suspend atom
     * (the jump from 0.19375 to 0.09375) holds p 0.9; the erases' piece at p 0.95; the longest
     * erase at p 1. */
    CU_ASSERT_EQUAL(af_flash_wait_quantile(&b, 0), 0);
    CU_ASSERT_EQUAL(af_flash_wait_quantile(&b, 0.5), 0);
    AF_ASSERT_REL(af_flash_wait_quantile(&b, 0.6), 0.1 / 425, 1e-12);
    AF_ASSERT_REL(af_flash_wait_quantile(&b, 0.9), 0.25e-3, 1e-12);
    AF_ASSERT_REL(af_flash_wait_quantile(&b, 0.95), 2e-3, 1e-12);
    AF_ASSERT_REL(af_flash_wait_quantile(&b, 1), 4e-3, 1e-12);
    AF_ASSERT_REL(af_flash_wait_mean(&b), 0.2875e-3, 1e-12);
    /* Draws from an even grid of uniforms reproduce the distribution: the empirical quantiles
     * within a grid step and the mean within 1e-5. */
    enum { N = 200000 };
    double *v = af_calloc(N, sizeof *v), sum = 0;
    for (int i = 0; i < N; i++) {
        v[i] = af_flash_wait_draw(&b, (i + 0.5) / N);
        sum += v[i];
    }
    AF_ASSERT_REL(sum / N, 0.2875e-3, 1e-5);
    int above_cap = 0, at_cap = 0;
    for (int i = 0; i < N; i++) {
        above_cap += v[i] > 0.25e-3;
        at_cap += v[i] == 0.25e-3;
    }
    AF_ASSERT_REL(above_cap, 0.09375 * N, 1e-4);
    AF_ASSERT_REL(at_cap, 0.3 * N, 1e-4);
    CU_ASSERT_EQUAL(af_flash_wait_draw(&b, 0.5), 0); /* past p[0] + p[1]: no wait */
    CU_ASSERT_EQUAL(af_flash_wait_draw(&b, 0.2), 0.25e-3);
    AF_ASSERT_REL(af_flash_wait_draw(&b, 0.45), 2e-3, 1e-12);
    af_free(v);
}

static const af_test tests[] = {
    {"node rates and usable capacity", test_node_rates},
    {"device time: 1/IOPS + size/bandwidth per op", test_device_time_model},
    {"read/write interference shares device time", test_interference},
    {"capacity accounting: usable and fit", test_capacity_accounting},
    {"sizing 10 PB + 500 GB/s: flash vs disk", test_size_flash_vs_disk},
    {"sizing for random reads and writes", test_size_iops},
    {"sizing for file reads: the run's charge", test_size_file_reads},
    {"sizing: mixed load and node floor", test_size_mixed_and_minimum},
    {"sizing input checks", test_size_input_checks},
    {"power mix reproduces the Scality figures", test_scality_power},
    {"Scality duty cycles from distinct read/write specs", test_scality_from_specs},
    {"sizing power charges reads and writes apart", test_size_power_split},
    {"flash reads behind writes: the write share split by a block's work", test_flash_blocking},
    {"flash wait: survival, quantiles, mean and draws by hand", test_flash_wait_closed_forms},
    {NULL, NULL}};

AF_TEST_MAIN("storage", tests)
