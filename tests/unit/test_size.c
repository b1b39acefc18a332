/*
 * test_size: the storage sizing plan (plan/size.h) against figures worked by hand here from a
 * small made-up system with round numbers: a capacity-bound and a bandwidth-bound sizing (node
 * counts, the binding constraint and the over-provisioning of the others, power at load and all
 * busy, W per usable TB, energy per year and the lifetime TCO with its four parts), a partly
 * populated box that costs and draws less, the headroom, the usable fraction from an erasure
 * code, --devices auto choosing the cheaper drive count, and the mistakes it refuses.
 */
#include "plan/size.h"

#include "base/diag.h"
#include "base/units.h"

#include "cutest.h"

#include <math.h>
#include <string.h>

#define YEAR_H 8760.0

/* Ten 10 TB drives (2 GB/s read, 1 GB/s write; 5 W idle, 10 W reading, 15 W writing) behind one
 * 10 GB/s NIC port (10 W) in a 2U box with a 100 W server and a 40 W enclosure; half the raw
 * capacity is usable. Per node, every bay filled:
 *     raw 100 TB, usable 50 TB
 *     read  min(10 x 2, 10) = 10 GB/s (the NIC binds), write min(10 x 1, 10) = 10 GB/s
 *     overhead 100 + 40 + 10 = 150 W; idle 150 + 10 x 5 = 200 W; all busy 150 + 10 x 15 = 300 W
 *     price 5,000 + 10 x 1,000 = 15,000 USD */
static const af_storage_spec box = {
    .name = "t-box",
    .description = "test box",
    .media = AF_MEDIA_TLC,
    .devices = 10,
    .device_B = 10e12,
    .device_read_Bps = 2e9,
    .device_write_Bps = 1e9,
    .device_read_iops = 100000,
    .device_write_iops = 10000,
    .device_latency_s = 100e-6,
    .device_idle_W = 5,
    .device_read_W = 10,
    .device_write_W = 15,
    .nic = {"t-nic", "test port", AF_LINK_ETHERNET, 10e9, 2e-6, 10},
    .nics = 1,
    .usable_fraction = 0.5,
    .server_W = 100,
    .enclosure_W = 40,
    .rack_units = 2,
    .device_price_usd = 1000,
    .chassis_price_usd = 5000,
};

/* PUE 1.5, 0.10 USD/kWh, storage written off over 5 y, 10% maintenance a year, 42 U and 20 kW
 * racks at 1 USD/h, a 5 y TCO. A rack holds min(42 / 2, 20,000 / 300) = 21 boxes. */
static const af_facility_spec fac = {
    .name = "t-fac",
    .pue = 1.5,
    .energy_price_usd_J = 0.1 / 3.6e6,
    .amortization_s = 5 * AF_YEAR_S,
    .storage_life_s = 5 * AF_YEAR_S,
    .network_life_s = 6 * AF_YEAR_S,
    .maintenance = 0.1,
    .rack_power_W = 20000,
    .rack_units = 42,
    .space_usd_s_per_rack = 1.0 / 3600,
    .lifetime_s = 5 * AF_YEAR_S,
};

/* Plans box for dem with opt, expecting success. */
static af_size_result plan_ok(const af_storage_spec *s, const af_storage_demand *dem,
                              const af_size_options *opt)
{
    af_diag *d = af_diag_new();
    af_size_result r;
    memset(&r, 0, sizeof r);
    CU_ASSERT_EQUAL(af_size_plan(s, dem, opt, &fac, &r, d), AF_OK);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_diag_free(d);
    return r;
}

/* 1 PB at 20 GB/s of reads. Capacity needs 1e15 / 50e12 = 20 nodes; reads 20e9 / 10e9 = 2 (the
 * mixed load too: max(10 device-s/s / 10 drives, 20 / 10 GB/s of NIC) = 2). Capacity binds at
 * 20; reads are 20 / 2 = 10x over-provisioned. On 200 drives the reads take 20e9 / 2e9 = 10
 * device-s/s, busy 5%:
 *     power at load  20 x (150 + 10 x (5 x 0.95 + 10 x 0.05)) = 20 x 202.5 = 4,050 W
 *     all busy       20 x 300 = 6,000 W
 *     W per usable TB 4,050 W / 1,000 TB = 4.05
 *     facility 4,050 x 1.5 = 6,075 W; a year 6.075 kW x 8,760 h = 53,217 kWh, 5,321.7 USD
 *     price 20 x 15,000 = 300,000 USD; 20 boxes in 1 rack
 *     TCO 5 y: capital 300,000 x 5 / 5 = 300,000; maintenance 0.1 x 300,000 x 5 = 150,000;
 *              energy 5 x 5,321.7 = 26,608.5; space 1 rack x 1 USD/h x 43,800 h = 43,800;
 *              total 520,408.5 USD */
static void test_capacity_bound(void)
{
    af_storage_demand dem = {.capacity_B = 1e15, .read_Bps = 20e9};
    af_size_options opt = {0};
    af_size_result r = plan_ok(&box, &dem, &opt);
    CU_ASSERT_EQUAL(r.sizing.nodes, 20);
    CU_ASSERT_EQUAL(r.sizing.binding, AF_SIZE_CAPACITY);
    AF_ASSERT_REL(r.sizing.need[AF_SIZE_READ_BW], 2, 1e-12);
    AF_ASSERT_REL(r.over[AF_SIZE_READ_BW], 10, 1e-12);
    AF_ASSERT_REL(r.over[AF_SIZE_CAPACITY], 1, 1e-12);
    CU_ASSERT_EQUAL(r.over[AF_SIZE_WRITE_BW], 0);
    CU_ASSERT_EQUAL(r.spec.devices, 10);
    CU_ASSERT_EQUAL(r.bays, 10);
    CU_ASSERT_EQUAL(r.devices_from, AF_SIZE_CHOSE_ALL);
    CU_ASSERT_EQUAL(r.usable_from, AF_SIZE_USABLE_SPEC);
    AF_ASSERT_REL(r.sizing.busy, 0.05, 1e-12);
    AF_ASSERT_REL(r.nic_busy, 0.1, 1e-12); /* 20 GB/s of 200 GB/s */
    AF_ASSERT_REL(r.sizing.load_W, 4050, 1e-12);
    AF_ASSERT_REL(r.sizing.active_W, 6000, 1e-12);
    CU_ASSERT_EQUAL(r.basis, AF_SIZE_POWER_LOAD);
    AF_ASSERT_REL(r.power_W, 4050, 1e-12);
    AF_ASSERT_REL(r.W_per_usable_B * 1e12, 4.05, 1e-12);
    AF_ASSERT_REL(r.facility_power_W, 6075, 1e-12);
    AF_ASSERT_REL(r.energy_year_J / 3.6e6, 6.075 * YEAR_H, 1e-12);
    AF_ASSERT_REL(r.energy_year_usd, 5321.7, 1e-12);
    AF_ASSERT_REL(r.sizing.price_usd, 300000, 1e-12);
    AF_ASSERT_REL(r.cost.racks, 1, 1e-12);
    AF_ASSERT_REL(r.cost.tco_capital_usd, 300000, 1e-12);
    AF_ASSERT_REL(r.cost.tco_maintenance_usd, 150000, 1e-12);
    AF_ASSERT_REL(r.cost.tco_energy_usd, 26608.5, 1e-12);
    AF_ASSERT_REL(r.cost.tco_space_usd, 43800, 1e-12);
    AF_ASSERT_REL(r.cost.tco_usd, 520408.5, 1e-12);
    /* One node as sized. */
    AF_ASSERT_REL(r.node.raw_B, 100e12, 1e-12);
    AF_ASSERT_REL(r.node.usable_B, 50e12, 1e-12);
    AF_ASSERT_REL(r.node.read_Bps, 10e9, 1e-12);
    AF_ASSERT_REL(r.node.idle_W, 200, 1e-12);
    AF_ASSERT_REL(r.node.max_W, 300, 1e-12);
    AF_ASSERT_REL(r.node.price_usd, 15000, 1e-12);

    /* All busy: 6,000 W, 6 W/TB, 9 kW x 8,760 h = 78,840 kWh = 7,884 USD a year. */
    opt.basis = AF_SIZE_POWER_BUSY;
    af_size_result b = plan_ok(&box, &dem, &opt);
    CU_ASSERT_EQUAL(b.sizing.nodes, 20);
    AF_ASSERT_REL(b.power_W, 6000, 1e-12);
    AF_ASSERT_REL(b.W_per_usable_B * 1e12, 6, 1e-12);
    AF_ASSERT_REL(b.energy_year_usd, 7884, 1e-12);
    AF_ASSERT_REL(b.cost.tco_energy_usd, 5 * 7884, 1e-12);
    AF_ASSERT_REL(b.sizing.load_W, 4050, 1e-12); /* the load figure does not follow the basis */
}

/* 100 TB at 100 GB/s of reads. Capacity needs 100e12 / 50e12 = 2 nodes, reads 100 / 10 = 10:
 * read bandwidth binds at 10 and capacity is 10 / 2 = 5x over-provisioned. 100 drives read
 * 100e9 / 2e9 = 50 device-s/s, busy 50%, and the NICs are 100% busy:
 *     power at load 10 x (150 + 10 x (5 x 0.5 + 10 x 0.5)) = 10 x 225 = 2,250 W
 *     W per usable TB 2,250 / 500 = 4.5
 *     a year 2.25 x 1.5 = 3.375 kW x 8,760 h = 29,565 kWh, 2,956.5 USD
 *     TCO: capital 150,000, maintenance 75,000, energy 14,782.5, space 43,800 = 283,582.5 USD */
static void test_bandwidth_bound(void)
{
    af_storage_demand dem = {.capacity_B = 100e12, .read_Bps = 100e9};
    af_size_options opt = {0};
    af_size_result r = plan_ok(&box, &dem, &opt);
    CU_ASSERT_EQUAL(r.sizing.nodes, 10);
    CU_ASSERT_EQUAL(r.sizing.binding, AF_SIZE_READ_BW);
    AF_ASSERT_REL(r.sizing.need[AF_SIZE_CAPACITY], 2, 1e-12);
    AF_ASSERT_REL(r.over[AF_SIZE_CAPACITY], 5, 1e-12);
    AF_ASSERT_REL(r.sizing.busy, 0.5, 1e-12);
    AF_ASSERT_REL(r.nic_busy, 1, 1e-12);
    AF_ASSERT_REL(r.power_W, 2250, 1e-12);
    AF_ASSERT_REL(r.W_per_usable_B * 1e12, 4.5, 1e-12);
    AF_ASSERT_REL(r.energy_year_usd, 2956.5, 1e-12);
    AF_ASSERT_REL(r.sizing.price_usd, 150000, 1e-12);
    AF_ASSERT_REL(r.cost.tco_usd, 283582.5, 1e-12);
}

/* The bandwidth-bound demand on boxes with 5 of their 10 bays filled: a node still reads
 * min(5 x 2, 10) = 10 GB/s, so 10 nodes (capacity needs 100 / 25 = 4). Each costs 5,000 +
 * 5 x 1,000 = 10,000 USD (100,000 against 150,000) and draws 150 + 5 x 10 = 200 W with its 5
 * drives always reading (2,000 W against 2,250; all busy 150 + 5 x 15 = 225 W a node against
 * 300). TCO: 100,000 + 50,000 + 5 x (3 kW x 8,760 h x 0.1) = 13,140 + 43,800 = 206,940 USD. */
static void test_partial_population(void)
{
    af_storage_demand dem = {.capacity_B = 100e12, .read_Bps = 100e9};
    af_size_options opt = {.devices = 5};
    af_size_result r = plan_ok(&box, &dem, &opt);
    CU_ASSERT_EQUAL(r.devices_from, AF_SIZE_CHOSE_GIVEN);
    CU_ASSERT_EQUAL(r.spec.devices, 5);
    CU_ASSERT_EQUAL(r.bays, 10);
    CU_ASSERT_EQUAL(r.sizing.nodes, 10);
    CU_ASSERT_EQUAL(r.sizing.binding, AF_SIZE_READ_BW);
    AF_ASSERT_REL(r.sizing.need[AF_SIZE_CAPACITY], 4, 1e-12);
    AF_ASSERT_REL(r.node.price_usd, 10000, 1e-12);
    AF_ASSERT_REL(r.sizing.price_usd, 100000, 1e-12);
    AF_ASSERT_REL(r.sizing.busy, 1, 1e-12);
    AF_ASSERT_REL(r.power_W, 2000, 1e-12);
    AF_ASSERT_REL(r.node.max_W, 225, 1e-12);
    AF_ASSERT_REL(r.sizing.active_W, 2250, 1e-12);
    AF_ASSERT_REL(r.cost.tco_usd, 206940, 1e-12);
    /* Less than every bay filled on each count. */
    af_size_options all = {0};
    af_size_result f = plan_ok(&box, &dem, &all);
    CU_ASSERT(r.sizing.price_usd < f.sizing.price_usd);
    CU_ASSERT(r.power_W < f.power_W);
    CU_ASSERT(r.sizing.active_W < f.sizing.active_W);
    CU_ASSERT(r.cost.tco_usd < f.cost.tco_usd);
}

/* Headroom 50%: the 100 GB/s is sized as 200 GB/s, 20 nodes; capacity is not scaled (still 2).
 * At the real demand the 200 drives are 50 / 200 = 25% busy and the NICs 100 / 200 = 50%:
 * 20 x (150 + 10 x (5 x 0.75 + 10 x 0.25)) = 20 x 212.5 = 4,250 W. */
static void test_headroom(void)
{
    af_storage_demand dem = {.capacity_B = 100e12, .read_Bps = 100e9};
    af_size_options opt = {.headroom = 0.5};
    af_size_result r = plan_ok(&box, &dem, &opt);
    CU_ASSERT_EQUAL(r.sizing.nodes, 20);
    CU_ASSERT_EQUAL(r.sizing.binding, AF_SIZE_READ_BW);
    AF_ASSERT_REL(r.headroom, 0.5, 1e-12);
    AF_ASSERT_REL(r.sized_demand.read_Bps, 200e9, 1e-12);
    AF_ASSERT_REL(r.sized_demand.capacity_B, 100e12, 1e-12);
    AF_ASSERT_REL(r.sizing.need[AF_SIZE_READ_BW], 20, 1e-12);
    AF_ASSERT_REL(r.sizing.need[AF_SIZE_CAPACITY], 2, 1e-12);
    AF_ASSERT_REL(r.sizing.busy, 0.25, 1e-12);
    AF_ASSERT_REL(r.nic_busy, 0.5, 1e-12);
    AF_ASSERT_REL(r.power_W, 4250, 1e-12);
    /* IOPS are divided too: 1 M random 4 KiB reads/s at 50% is 2 M/s. A drive does
     * 1 / (1e-5 + 4096 / 2e9) = 83,022 reads/s, a node 830,220, so 2e6 / 830,220 = 2.409 ->
     * 3 nodes (against 1.2 -> 2 without headroom). */
    af_storage_demand iops = {.read_iops = 1e6, .read_op_B = 4096};
    af_size_result q = plan_ok(&box, &iops, &opt);
    double node_ops = 10 / (1e-5 + 4096 / 2e9);
    AF_ASSERT_REL(q.sizing.need[AF_SIZE_READ_IOPS], 2e6 / node_ops, 1e-12);
    CU_ASSERT_EQUAL(q.sizing.nodes, 3);
}

/* Usable fraction from an erasure code: 8 + 2 filled to 90% keeps 8 / 10 x 0.9 = 72%; 3-way
 * replication (1 + 2) a third. The capacity-bound demand, 1 PB, on 100 TB x 0.72 = 72 TB a
 * node, needs 13.89 -> 14 nodes (against 20 at the spec's 50%); --usable 0.8 gives 12.5 -> 13. */
static void test_erasure(void)
{
    AF_ASSERT_REL(af_size_erasure_usable(8, 2, 0.9), 0.72, 1e-15);
    AF_ASSERT_REL(af_size_erasure_usable(1, 2, 0), 1.0 / 3, 1e-15);
    AF_ASSERT_REL(af_size_erasure_usable(0, 0, 0.85), 0.85, 1e-15);
    af_storage_demand dem = {.capacity_B = 1e15, .read_Bps = 20e9};
    af_size_options opt = {.ec_data = 8, .ec_parity = 2, .fill = 0.9};
    af_size_result r = plan_ok(&box, &dem, &opt);
    CU_ASSERT_EQUAL(r.usable_from, AF_SIZE_USABLE_ERASURE);
    AF_ASSERT_REL(r.usable_fraction, 0.72, 1e-15);
    AF_ASSERT_REL(r.spec.usable_fraction, 0.72, 1e-15);
    AF_ASSERT_REL(r.sizing.need[AF_SIZE_CAPACITY], 1e15 / 72e12, 1e-12);
    CU_ASSERT_EQUAL(r.sizing.nodes, 14);
    AF_ASSERT_REL(r.sizing.usable_B, 14 * 72e12, 1e-12);
    af_size_options given = {.usable_fraction = 0.8};
    af_size_result g = plan_ok(&box, &dem, &given);
    CU_ASSERT_EQUAL(g.usable_from, AF_SIZE_USABLE_GIVEN);
    CU_ASSERT_EQUAL(g.sizing.nodes, 13);
}

/* --devices auto on the bandwidth-bound demand (100 TB at 100 GB/s). With d drives a node reads
 * min(2d, 10) GB/s and costs 5,000 + 1,000 d:
 *     d = 10: 10 nodes, TCO 283,582.5 (test_bandwidth_bound)
 *     d = 6:  10 nodes, 110,000 USD; 60 drives, 50 reading: 1,500 + 500 + 10 x 5 = 2,050 W;
 *             TCO 110,000 + 55,000 + 5 x 3.075 x 876 + 43,800 = 222,268.5
 *     d = 5:  10 nodes, 206,940 (test_partial_population)
 *     d = 4:  12.5 -> 13 nodes, 117,000 USD; 52 drives, 50 reading: 1,950 + 500 + 2 x 5 =
 *             2,460 W; TCO 117,000 + 58,500 + 5 x 3.69 x 876 + 43,800 = 235,462.2
 *     d = 1:  50 nodes, 300,000 USD, 8,000 W, 3 racks (21 + 21 + 8): TCO 300,000 + 150,000
 *             + 5 x 12 x 876 + 3 x 43,800 = 633,960
 * so 5 drives a node: the fewest that fill the NIC. The explanation keeps 1, 4, 5, 6 and 10. */
static void test_devices_auto(void)
{
    af_storage_demand dem = {.capacity_B = 100e12, .read_Bps = 100e9};
    af_size_options opt = {.devices = AF_SIZE_DEVICES_AUTO};
    af_size_result r = plan_ok(&box, &dem, &opt);
    CU_ASSERT_EQUAL(r.devices_from, AF_SIZE_CHOSE_AUTO);
    CU_ASSERT_EQUAL(r.spec.devices, 5);
    CU_ASSERT_EQUAL(r.sizing.nodes, 10);
    AF_ASSERT_REL(r.cost.tco_usd, 206940, 1e-12);
    CU_ASSERT_EQUAL(r.min_devices, 1);
    CU_ASSERT_EQUAL(r.max_devices, 10);
    CU_ASSERT_EQUAL_FATAL(r.nalts, 5);
    static const int devices[5] = {1, 4, 5, 6, 10};
    static const int nodes[5] = {50, 13, 10, 10, 10};
    static const double tco[5] = {633960, 235462.2, 206940, 222268.5, 283582.5};
    for (int k = 0; k < 5; k++) {
        CU_ASSERT_EQUAL(r.alts[k].devices, devices[k]);
        CU_ASSERT_EQUAL(r.alts[k].nodes, nodes[k]);
        AF_ASSERT_REL(r.alts[k].tco_usd, tco[k], 1e-12);
    }
    CU_ASSERT_EQUAL(r.chosen_alt, 2);
    AF_ASSERT_REL(r.alts[1].power_W, 2460, 1e-12);
    AF_ASSERT_REL(r.alts[0].price_usd, 300000, 1e-12);

    /* An erasure code sets the fewest tried: 4 + 2 starts at 6 drives (and keeps 4 / 6 of raw). */
    af_size_options ec = {.devices = AF_SIZE_DEVICES_AUTO, .ec_data = 4, .ec_parity = 2};
    af_size_result e = plan_ok(&box, &dem, &ec);
    CU_ASSERT_EQUAL(e.min_devices, 6);
    CU_ASSERT_EQUAL(e.spec.devices, 6); /* 6 is the cheapest count from 6 up (d = 6 above) */

    /* Capacity alone: every drive holds data, so full boxes (fewest chassis) win. */
    af_storage_demand cap = {.capacity_B = 1e15};
    af_size_result c = plan_ok(&box, &cap, &opt);
    CU_ASSERT_EQUAL(c.spec.devices, 10);
    CU_ASSERT_EQUAL(c.sizing.nodes, 20);
}

/* Two systems side by side: the bandwidth-bound demand on full boxes (A) and on half-filled
 * ones (B): the same 10 nodes, 100,000 / 150,000 of the price, 2,000 / 2,250 of the power. */
static void test_compare(void)
{
    af_storage_demand dem = {.capacity_B = 100e12, .read_Bps = 100e9};
    af_size_options full = {0}, half = {.devices = 5};
    af_size_result a = plan_ok(&box, &dem, &full), b = plan_ok(&box, &dem, &half);
    af_size_ratios q = af_size_compare(&a, &b);
    AF_ASSERT_REL(q.nodes, 1, 1e-12);
    AF_ASSERT_REL(q.price, 2.0 / 3, 1e-12);
    AF_ASSERT_REL(q.power, 2000.0 / 2250, 1e-12);
    AF_ASSERT_REL(q.tco, 206940 / 283582.5, 1e-12);
    AF_ASSERT_REL(q.racks, 1, 1e-12);
}

/* Options out of range are refused with a message, the result untouched. */
static void test_refused(void)
{
    af_storage_demand dem = {.capacity_B = 1e15};
    const af_size_options bad[] = {
        {.devices = 11},                  /* more drives than bays */
        {.devices = -2},                  /* neither a count nor auto */
        {.headroom = 1.5},                /* busier than 100% */
        {.usable_fraction = -0.1},        /* a negative share */
        {.fill = 2},                      /* filled past full */
        {.ec_data = 0, .ec_parity = 2},   /* parity without data */
        {.ec_data = 999, .ec_parity = 2}, /* wider than 1,000 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        af_diag *d = af_diag_new();
        af_size_result r = {.bays = -7};
        CU_ASSERT_EQUAL(af_size_plan(&box, &dem, &bad[i], &fac, &r, d), AF_EINPUT);
        CU_ASSERT(af_diag_errors(d) >= 1);
        CU_ASSERT_EQUAL(r.bays, -7);
        af_diag_free(d);
    }
    /* A demand past 10,000,000 nodes fails at every drive count of auto: one message. */
    af_storage_demand huge = {.capacity_B = 1e25};
    af_size_options aut = {.devices = AF_SIZE_DEVICES_AUTO};
    af_diag *d = af_diag_new();
    af_size_result r;
    CU_ASSERT_EQUAL(af_size_plan(&box, &huge, &aut, &fac, &r, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    af_diag_free(d);
}

static const af_test tests[] = {
    {"capacity binds: 20 nodes, reads 10x over-provisioned, power, W/TB, TCO", test_capacity_bound},
    {"read bandwidth binds: 10 nodes, capacity 5x over-provisioned", test_bandwidth_bound},
    {"half the bays filled: same nodes, lower price and power", test_partial_population},
    {"headroom divides bandwidth and IOPS, not capacity", test_headroom},
    {"usable fraction from an erasure code and fill", test_erasure},
    {"--devices auto picks the drive count with the lowest TCO", test_devices_auto},
    {"two systems side by side", test_compare},
    {"options out of range are refused", test_refused},
    {NULL, NULL},
};
AF_TEST_MAIN("size", tests)
