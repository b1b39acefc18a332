/*
 * test_cost: the power, rack and cost roll-up (model/cost.h) against hand-computed figures, and
 * its conservation laws: energy is power x time, the three costs add up to the total, per hour
 * and per GPU-hour are the total spread over hours, racks bind by units or by power.
 */
#include "model/cost.h"

#include "cutest.h"

#include <math.h>

static const af_facility_spec fac = {.name = "t",
                                     .pue = 1.25,
                                     .energy_price_usd_J = 0.1 / 3.6e6,
                                     .amortization_s = 4 * 365 * 86400.0,
                                     .rack_power_W = 40000,
                                     .rack_units = 42,
                                     .space_usd_s_per_rack = 2.0 / 3600};

static void test_hand_worked(void)
{
    af_cost_input in = {.duration_s = 7200, .useful_gpu_s = 32 * 7200 * 0.5};
    af_cost_add(&in, 4, 6000, 10000, 300000, 8); /* 4 GPU nodes */
    af_cost_add(&in, 2, 400, 500, 100000, 2);    /* 2 storage nodes */
    af_cost_add(&in, 1, 750, 1700, 30000, 1);    /* a switch */
    AF_ASSERT_REL(in.it_power_W, 24000 + 800 + 750, 1e-15);
    AF_ASSERT_REL(in.it_max_power_W, 40000 + 1000 + 1700, 1e-15);
    AF_ASSERT_REL(in.capital_usd, 1.2e6 + 2e5 + 3e4, 1e-15);
    AF_ASSERT_REL(in.rack_units, 32 + 4 + 1, 1e-15);
    af_cost c;
    af_cost_rollup(&in, &fac, &c);
    AF_ASSERT_REL(c.facility_W, 25550 * 1.25, 1e-15);
    AF_ASSERT_REL(c.energy_J, 25550 * 1.25 * 7200, 1e-15);
    /* 37 U fit one rack, 42.7 kW need two. */
    CU_ASSERT_DOUBLE_EQUAL(c.racks, 2, 0);
    AF_ASSERT_REL(c.capital_usd, 1.43e6 * 7200 / fac.amortization_s, 1e-15);
    AF_ASSERT_REL(c.energy_usd, 25550 * 1.25 * 2 * 0.1 / 1000, 1e-12);
    AF_ASSERT_REL(c.space_usd, 2 * 2.0 * 2, 1e-12);
    AF_ASSERT_REL(c.total_usd, c.capital_usd + c.energy_usd + c.space_usd, 1e-15);
    AF_ASSERT_REL(c.per_hour_usd, c.total_usd / 2, 1e-15);
    AF_ASSERT_REL(c.per_gpu_hour_usd, c.total_usd / (32 * 2 * 0.5), 1e-15);
}

static void test_racks_by_units(void)
{
    af_cost_input in = {.duration_s = 3600};
    af_cost_add(&in, 100, 10, 10, 1, 1); /* 100 U at 1 kW: units bind */
    af_cost c;
    af_cost_rollup(&in, &fac, &c);
    CU_ASSERT_DOUBLE_EQUAL(c.racks, 3, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.per_gpu_hour_usd, 0, 0); /* no GPU computed */
}

/* Conservation over random inputs: the parts add up, doubling the run doubles every amount and
 * leaves the rates alone. */
static void test_conservation(void)
{
    unsigned s = 12345;
    for (int i = 0; i < 1000; i++) {
        af_cost_input in = {.duration_s = 1 + (s = s * 1103515245u + 12345u) % 100000};
        in.useful_gpu_s = in.duration_s * ((s = s * 1103515245u + 12345u) % 100);
        for (int k = 0; k < 3; k++) {
            double n = 1 + (s = s * 1103515245u + 12345u) % 50;
            af_cost_add(&in, n, 100 + s % 9000, 10000, 1000 + s % 100000, 1 + s % 8);
        }
        af_cost a, b;
        af_cost_rollup(&in, &fac, &a);
        in.duration_s *= 2;
        in.useful_gpu_s *= 2;
        af_cost_rollup(&in, &fac, &b);
        AF_ASSERT_REL(a.total_usd, a.capital_usd + a.energy_usd + a.space_usd, 1e-14);
        AF_ASSERT_REL(a.energy_J, a.facility_W * in.duration_s / 2, 1e-14);
        AF_ASSERT_REL(b.total_usd, 2 * a.total_usd, 1e-12);
        AF_ASSERT_REL(b.per_hour_usd, a.per_hour_usd, 1e-12);
        if (a.per_gpu_hour_usd > 0)
            AF_ASSERT_REL(b.per_gpu_hour_usd, a.per_gpu_hour_usd, 1e-12);
    }
}

static const af_test tests[] = {
    {"a hand-worked roll-up", test_hand_worked},
    {"racks bound by rack units", test_racks_by_units},
    {"the parts add up and scale with time", test_conservation},
    {NULL, NULL},
};
AF_TEST_MAIN("cost", tests)
