/*
 * test_cost: the power, rack, carbon and cost roll-up (model/cost.h) and the GPU power limit
 * (model/gpu.h) against figures worked by hand here, and their conservation laws: the
 * components add up to the IT power, energy is power x time, the four costs add up to the
 * total, a TCO over a lifetime equal to the run is the run's total, racks hold whole boxes, and
 * the GPU power limit found for a site cap brings the busy facility power exactly to the cap.
 */
#include "model/cost.h"
#include "model/gpu.h"

#include "cutest.h"

#include <math.h>

#define YEAR_S (365.0 * 86400)

static const af_facility_spec fac = {.name = "t",
                                     .pue = 1.25,
                                     .energy_price_usd_J = 0.1 / 3.6e6,
                                     .amortization_s = 4 * YEAR_S,
                                     .storage_life_s = 5 * YEAR_S,
                                     .network_life_s = 6 * YEAR_S,
                                     .maintenance = 0.1,
                                     .rack_power_W = 40000,
                                     .rack_units = 42,
                                     .space_usd_s_per_rack = 2.0 / 3600,
                                     .carbon_kg_J = 0.4 / 3.6e6,
                                     .lifetime_s = 5 * YEAR_S};

/* 4 GPU nodes, 2 storage nodes and a switch, as a world would describe them. */
static size_t three_kinds(af_cost_box *b)
{
    b[0] = (af_cost_box){.cls = AF_ASSET_COMPUTE,
                         .count = 4,
                         .mean_W = {[AF_PART_GPU] = 8 * 400, [AF_PART_HOST] = 2000,
                                    [AF_PART_NIC] = 200},
                         .busy_W = 8 * 700 + 2000 + 200,
                         .gpu_busy_W = 8 * 700,
                         .gpus = 8,
                         .nameplate_W = 10000,
                         .price_usd = 300000,
                         .units_U = 8,
                         .embodied_kg = 2500};
    b[1] = (af_cost_box){.cls = AF_ASSET_STORAGE,
                         .count = 2,
                         .mean_W = {[AF_PART_DEVICE] = 300, [AF_PART_SERVER] = 400,
                                    [AF_PART_NIC] = 58},
                         .busy_W = 1258,
                         .nameplate_W = 1258,
                         .price_usd = 100000,
                         .units_U = 2,
                         .embodied_kg = 10000};
    b[2] = (af_cost_box){.cls = AF_ASSET_NETWORK,
                         .count = 1,
                         .mean_W = {[AF_PART_SWITCH] = 750},
                         .busy_W = 750,
                         .nameplate_W = 1700,
                         .price_usd = 30000,
                         .units_U = 1};
    return 3;
}

static void test_hand_worked(void)
{
    af_cost_box b[3];
    size_t n = three_kinds(b);
    af_cost_output out = {.useful_gpu_s = 32 * 7200 * 0.5, .tokens = 2e9, .requests = 5e6};
    af_cost c;
    af_cost_rollup(b, n, 7200, &out, &fac, &c);
    /* IT power: 4 x 5,400 + 2 x 758 + 750 = 23,866 W, by component. */
    AF_ASSERT_REL(c.part_W[AF_PART_GPU], 12800, 1e-15);
    AF_ASSERT_REL(c.part_W[AF_PART_HOST], 8000, 1e-15);
    AF_ASSERT_REL(c.part_W[AF_PART_NIC], 800 + 116, 1e-15);
    AF_ASSERT_REL(c.part_W[AF_PART_DEVICE], 600, 1e-15);
    AF_ASSERT_REL(c.part_W[AF_PART_SERVER], 800, 1e-15);
    AF_ASSERT_REL(c.part_W[AF_PART_SWITCH], 750, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(c.part_W[AF_PART_ENCLOSURE], 0, 0);
    AF_ASSERT_REL(c.it_W, 23866, 1e-15);
    AF_ASSERT_REL(c.facility_W, 23866 * 1.25, 1e-15);
    AF_ASSERT_REL(c.it_busy_W, 4 * 7800 + 2 * 1258 + 750, 1e-15);
    AF_ASSERT_REL(c.nameplate_W, 40000 + 2516 + 1700, 1e-15);
    AF_ASSERT_REL(c.energy_J, 23866 * 1.25 * 7200, 1e-15);
    /* Racks: 4 GPU nodes take 40 kW, one rack; the storage nodes and the switch need another. */
    CU_ASSERT_DOUBLE_EQUAL(c.racks, 2, 0);
    /* Capital per class over its own life, for 2 h. */
    AF_ASSERT_REL(c.capital_class_usd[AF_ASSET_COMPUTE], 1.2e6 * 7200 / (4 * YEAR_S), 1e-14);
    AF_ASSERT_REL(c.capital_class_usd[AF_ASSET_STORAGE], 2e5 * 7200 / (5 * YEAR_S), 1e-14);
    AF_ASSERT_REL(c.capital_class_usd[AF_ASSET_NETWORK], 3e4 * 7200 / (6 * YEAR_S), 1e-14);
    AF_ASSERT_REL(c.purchase_usd, 1.43e6, 1e-15);
    AF_ASSERT_REL(c.maintenance_usd, 0.1 * 1.43e6 * 7200 / YEAR_S, 1e-14);
    /* 29,832.5 W for 2 h = 59.665 kWh at 0.10 USD = 5.9665 USD. */
    AF_ASSERT_REL(c.energy_usd, 5.9665, 1e-12);
    AF_ASSERT_REL(c.space_usd, 2 * 2.0 * 2, 1e-12);
    AF_ASSERT_REL(c.total_usd, c.capital_usd + c.maintenance_usd + c.energy_usd + c.space_usd,
                  1e-15);
    AF_ASSERT_REL(c.per_hour_usd, c.total_usd / 2, 1e-15);
    AF_ASSERT_REL(c.per_gpu_hour_usd, c.total_usd / (32 * 2 * 0.5), 1e-15);
    AF_ASSERT_REL(c.per_mtoken_usd, c.total_usd / 2000, 1e-15);
    AF_ASSERT_REL(c.per_mrequest_usd, c.total_usd / 5, 1e-15);
    /* Carbon: 59.665 kWh x 0.4 kg; embodied 4 x 2,500 + 2 x 10,000 kg, each class's share of
     * 2 h over its own life (GPU nodes 4 y, storage 5 y). */
    AF_ASSERT_REL(c.carbon_kg, 59.665 * 0.4, 1e-12);
    AF_ASSERT_REL(c.embodied_kg, 30000, 1e-15);
    AF_ASSERT_REL(c.embodied_run_kg, 10000 * 7200 / (4 * YEAR_S) + 20000 * 7200 / (5 * YEAR_S),
                  1e-14);
    /* TCO over 5 y: GPU nodes 1.25 of their life, storage one, network 5/6. */
    AF_ASSERT_REL(c.tco_capital_usd, 1.2e6 * 1.25 + 2e5 + 3e4 * 5 / 6.0, 1e-14);
    AF_ASSERT_REL(c.tco_maintenance_usd, 0.1 * 1.43e6 * 5, 1e-14);
    AF_ASSERT_REL(c.tco_energy_usd, 29832.5 * 5 * 8760 / 1000 * 0.1, 1e-12);
    AF_ASSERT_REL(c.tco_space_usd, 2 * 2.0 * 5 * 8760, 1e-12);
    AF_ASSERT_REL(c.per_year_usd, c.tco_usd / 5, 1e-14);
    CU_ASSERT_EQUAL(c.cap_set, 0);
}

/* Whole boxes, not summed units: ten 8 U boxes of 10.2 kW in 40 kW racks go three to a rack
 * (30.6 kW), so 4 racks, where 102 kW / 40 kW would say 3. */
static void test_racks_whole_boxes(void)
{
    af_cost_box b = {.count = 10, .nameplate_W = 10200, .units_U = 8};
    CU_ASSERT_DOUBLE_EQUAL(af_cost_pack_racks(&b, 1, &fac), 4, 0);
    /* By units: 100 boxes of 1 U and 10 W, 42 to a rack: 3 racks. */
    af_cost_box u = {.count = 100, .nameplate_W = 10, .units_U = 1};
    CU_ASSERT_DOUBLE_EQUAL(af_cost_pack_racks(&u, 1, &fac), 3, 0);
    /* A later kind fills the space an earlier one left: one 8 U 10 kW box leaves 34 U and
     * 30 kW, which hold ten 1 U 1 kW nodes; an eleventh... */
    af_cost_box two[2] = {{.count = 1, .nameplate_W = 10000, .units_U = 8},
                          {.count = 10, .nameplate_W = 1000, .units_U = 1}};
    CU_ASSERT_DOUBLE_EQUAL(af_cost_pack_racks(two, 2, &fac), 1, 0);
    two[1].count = 31; /* ...30 fit by power, the 31st opens a rack */
    CU_ASSERT_DOUBLE_EQUAL(af_cost_pack_racks(two, 2, &fac), 2, 0);
    /* A box hungrier than a rack takes one of its own. */
    af_cost_box big = {.count = 3, .nameplate_W = 50000, .units_U = 10};
    CU_ASSERT_DOUBLE_EQUAL(af_cost_pack_racks(&big, 1, &fac), 3, 0);
}

/* A lifetime equal to the run makes the TCO the run's total, part by part. */
static void test_tco_is_total_over_the_run(void)
{
    af_cost_box b[3];
    size_t n = three_kinds(b);
    af_facility_spec f = fac;
    f.lifetime_s = 86400;
    af_cost c;
    af_cost_rollup(b, n, 86400, NULL, &f, &c);
    AF_ASSERT_REL(c.tco_usd, c.total_usd, 1e-14);
    AF_ASSERT_REL(c.tco_capital_usd, c.capital_usd, 1e-14);
    AF_ASSERT_REL(c.tco_energy_usd, c.energy_usd, 1e-14);
    AF_ASSERT_REL(c.life_energy_J, c.energy_J, 1e-14);
    AF_ASSERT_REL(c.life_carbon_kg, c.carbon_kg + c.embodied_run_kg, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(c.per_gpu_hour_usd, 0, 0); /* no output given */
}

/* Conservation over random inputs: the parts add up, doubling the run doubles every amount and
 * leaves the rates alone. */
static void test_conservation(void)
{
    unsigned s = 12345;
#define NEXT (s = s * 1103515245u + 12345u)
    for (int i = 0; i < 1000; i++) {
        af_cost_box b[3] = {{0}};
        for (int k = 0; k < 3; k++) {
            b[k].cls = (af_asset_class)(k % AF_ASSET__COUNT);
            b[k].count = 1 + NEXT % 50;
            for (int p = 0; p < AF_PART__COUNT; p++)
                b[k].mean_W[p] = NEXT % 3000;
            b[k].busy_W = 20000;
            b[k].nameplate_W = 1 + NEXT % 20000;
            b[k].price_usd = 1000 + NEXT % 100000;
            b[k].units_U = 1 + NEXT % 8;
            b[k].embodied_kg = NEXT % 1000;
        }
        double T = 1 + NEXT % 100000;
        af_cost_output out = {.useful_gpu_s = T * (NEXT % 100), .tokens = NEXT % 1000000};
        af_cost a, d;
        af_cost_rollup(b, 3, T, &out, &fac, &a);
        out.useful_gpu_s *= 2;
        out.tokens *= 2;
        af_cost_rollup(b, 3, 2 * T, &out, &fac, &d);
        double parts = 0;
        for (int p = 0; p < AF_PART__COUNT; p++)
            parts += a.part_W[p];
        AF_ASSERT_REL(a.it_W, parts, 1e-14);
        AF_ASSERT_REL(a.total_usd, a.capital_usd + a.maintenance_usd + a.energy_usd + a.space_usd,
                      1e-14);
        AF_ASSERT_REL(a.capital_usd,
                      a.capital_class_usd[0] + a.capital_class_usd[1] + a.capital_class_usd[2],
                      1e-14);
        AF_ASSERT_REL(a.energy_J, a.facility_W * T, 1e-14);
        AF_ASSERT_REL(d.total_usd, 2 * a.total_usd, 1e-12);
        AF_ASSERT_REL(d.carbon_kg, 2 * a.carbon_kg, 1e-12);
        AF_ASSERT_REL(d.per_hour_usd, a.per_hour_usd, 1e-12);
        AF_ASSERT_REL(d.tco_usd, a.tco_usd, 1e-12); /* a rate held for the lifetime */
        if (a.per_gpu_hour_usd > 0)
            AF_ASSERT_REL(d.per_gpu_hour_usd, a.per_gpu_hour_usd, 1e-12);
        if (a.per_mtoken_usd > 0)
            AF_ASSERT_REL(d.per_mtoken_usd, a.per_mtoken_usd, 1e-12);
    }
#undef NEXT
}

/* An H100-like part: 700 W, idle 70 W, 87.5% of throughput at 600 W, accepted from 200 W. */
static const af_gpu_spec h100 = {.name = "h",
                                 .tdp_W = 700,
                                 .idle_W = 70,
                                 .min_limit_W = 200,
                                 .capped_W = 600,
                                 .capped_share = 0.875};

static void test_gpu_power_limit(void)
{
    /* The curve passes through its published point and through full power. */
    AF_ASSERT_REL(af_gpu_throughput_at(&h100, 600), 0.875, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(af_gpu_throughput_at(&h100, 700), 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_gpu_throughput_at(&h100, 0), 1, 0); /* no limit */
    /* b = ln 0.875 / ln (6/7) = 0.86626...; at 500 W: (5/7)^b. */
    double b = log(0.875) / log(600.0 / 700);
    AF_ASSERT_REL(af_gpu_throughput_at(&h100, 500), pow(500.0 / 700, b), 1e-14);
    /* Monotone and below one under TDP. */
    double prev = 0;
    for (double L = 200; L <= 700; L += 10) {
        double t = af_gpu_throughput_at(&h100, L);
        CU_ASSERT(t > prev && t <= 1);
        prev = t;
    }
    /* Power: a capped GPU draws at most its limit, idle power is kept. */
    CU_ASSERT_DOUBLE_EQUAL(af_gpu_power_capped_W(&h100, 1, 500), 500, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_gpu_power_capped_W(&h100, 0, 500), 70, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_gpu_power_capped_W(&h100, 0.5, 500), 285, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(af_gpu_power_capped_W(&h100, 0.5, 0), af_gpu_power_W(&h100, 0.5), 0);
    /* A capped GPU does the same work in longer time: energy per unit of work at full load,
     * limit / throughput, falls from 700 W to 500 / 0.7473 = 669 W-s per full-power second. */
    CU_ASSERT(500 / af_gpu_throughput_at(&h100, 500) < 700);
    /* Without a published point, throughput falls as power (b = 1). */
    af_gpu_spec plain = h100;
    plain.capped_W = plain.capped_share = 0;
    AF_ASSERT_REL(af_gpu_throughput_at(&plain, 350), 0.5, 1e-15);
}

/* A site cap: the limit found brings the busy facility power exactly to the cap. */
static void test_power_cap(void)
{
    af_cost_box b[3];
    size_t n = three_kinds(b);
    af_facility_spec f = fac;
    af_cost c;
    af_cost_rollup(b, n, 3600, NULL, &f, &c);
    double busy = c.facility_busy_W; /* (31,200 + 2,516 + 750) x 1.25 = 43,082.5 W */
    AF_ASSERT_REL(busy, 43082.5, 1e-15);
    f.power_cap_W = 40000;
    af_cost_rollup(b, n, 3600, NULL, &f, &c);
    CU_ASSERT_EQUAL(c.cap_set, 1);
    CU_ASSERT_EQUAL(c.cap_holds, 0);
    CU_ASSERT_EQUAL(c.cap_mean_holds, 1); /* mean 29.8 kW */
    AF_ASSERT_REL(c.cap_headroom_W, 40000 - 43082.5, 1e-14);
    /* L = (40,000 / 1.25 - (34,466 - 22,400)) / 32 = 19,934 / 32 = 622.9375 W. */
    AF_ASSERT_REL(c.cap_gpu_limit_W, 622.9375, 1e-14);
    /* Rebuild the GPU boxes at that limit: busy facility power is the cap. */
    double L = c.cap_gpu_limit_W;
    b[0].busy_W = 8 * L + 2000 + 200;
    b[0].gpu_busy_W = 8 * L;
    af_cost_rollup(b, n, 3600, NULL, &f, &c);
    AF_ASSERT_REL(c.facility_busy_W, 40000, 1e-14);
    CU_ASSERT_EQUAL(c.cap_holds, 1);
    /* Throughput the cap leaves an H100 pool: (622.9 / 700)^b. */
    double b_exp = log(0.875) / log(600.0 / 700);
    AF_ASSERT_REL(af_gpu_throughput_at(&h100, L), pow(L / 700, b_exp), 1e-14);
}

static const af_test tests[] = {
    {"a hand-worked roll-up by component and class", test_hand_worked},
    {"racks hold whole boxes", test_racks_whole_boxes},
    {"a TCO over the run is the run's total", test_tco_is_total_over_the_run},
    {"the parts add up and scale with time", test_conservation},
    {"a GPU power limit: curve and power", test_gpu_power_limit},
    {"a site power cap and the GPU limit that meets it", test_power_cap},
    {NULL, NULL},
};
AF_TEST_MAIN("cost", tests)
