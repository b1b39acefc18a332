/*
 * test_power: energy is the integral of power. A pool whose GPUs compute for a known time and
 * then idle must report the energy a hand integral of its power gives: the host and NIC ports
 * all run, each GPU draws TDP (or its power limit) while computing and idle power otherwise.
 * A power limit stretches the same work by the catalog curve (model/gpu.h) and changes the
 * integral accordingly. The components of facility power add up to IT power, facility energy is
 * IT energy x PUE, and a site cap is judged against the busy power.
 */
#include "tests/validation/sharing.h"

#include "model/gpu.h"

#include <math.h>

/* 2 nodes (16 GPUs, 100 W idle, 700 W TDP, 2 kW host), a job of `steps` one-second steps that
 * reads 1 kB per GPU per step from a fast tier, in a 100 s run: compute-bound, then idle. */
static void pw_world(af_fixture *f, double steps)
{
    af_fix_init(f, 2, 1, 1e12, 1e3, 1.0, 100);
    f->pools[0].node.storage_nic.rate_Bps = 1e14;
    f->pools[0].node.storage_nic.port_power_W = 25; /* 2 ports per node */
    f->trains[0].target_steps = steps;
    af_gpu_spec *g = &f->pools[0].node.gpu;
    g->min_limit_W = 200;
    g->capped_W = 600;
    g->capped_share = 0.875;
}

static void test_energy_is_the_integral(void)
{
    af_fixture f;
    pw_world(&f, 40);
    af_results *r = af_run(&f);
    double busy = af_get(r, "train.job.time_to_target");
    /* 40 steps of 1 s, plus the first batch's fetch (a microsecond here). */
    CU_ASSERT_DOUBLE_EQUAL(busy, 40, 1e-3);
    /* Per node: host 2,000 W and ports 50 W for 100 s; 8 GPUs at 100 W for 100 s and 600 W more
     * for the 40 s they computed. */
    double per_node = (2000 + 50) * 100 + 8 * (100 * 100 + 600 * 40);
    AF_ASSERT_REL(af_get(r, "pool.gpus.energy"), 2 * per_node, 1e-12);
    AF_ASSERT_REL(af_get(r, "pool.gpus.power"), 2 * per_node / 100, 1e-12);
    /* The components add up to IT power; facility energy = IT power x PUE x T. */
    double parts = 0;
    const char *names[] = {"gpus", "hosts", "nics", "switches", "storage_devices",
                           "storage_servers", "enclosures"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char nm[64];
        snprintf(nm, sizeof nm, "facility.it_power_%s", names[i]);
        parts += af_get(r, nm);
    }
    double it = af_get(r, "facility.it_power");
    AF_ASSERT_REL(parts, it, 1e-12);
    AF_ASSERT_REL(af_get(r, "facility.it_power_gpus") * 100, 16 * (100 * 100 + 600 * 40), 1e-12);
    AF_ASSERT_REL(af_get(r, "facility.energy"), it * 1.25 * 100, 1e-12);
    AF_ASSERT_REL(af_get(r, "pool.gpus.energy") + af_get(r, "storage.hot.power") * 100,
                  it * 100, 1e-12);
    /* Per million tokens is not reported without tokens; per useful GPU-hour is. */
    AF_ASSERT_REL(af_get(r, "cost.per_useful_gpu_hour"),
                  af_get(r, "cost.total") / (16 * 40 / 3600.0), 1e-9);
    af_results_free(r);
}

/* At a 500 W limit the same 40 steps take 40 / (5/7)^b s, with b from the curve's point, and
 * every GPU draws 500 W while it computes. */
static void test_power_limit_stretches_the_work(void)
{
    af_fixture f;
    pw_world(&f, 40);
    f.pools[0].power_limit_W = 500;
    af_results *r = af_run(&f);
    double share = pow(500.0 / 700, log(0.875) / log(600.0 / 700));
    double busy = 40 / share;
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "train.job.time_to_target"), busy, 1e-3);
    AF_ASSERT_REL(af_get(r, "pool.gpus.gpu_throughput_at_limit"), share, 1e-12);
    double per_node = (2000 + 50) * 100 + 8 * (100 * 100 + 400 * busy);
    AF_ASSERT_REL(af_get(r, "pool.gpus.energy"), 2 * per_node, 1e-6);
    /* The GPUs' energy for the work itself fell: 400 W x 53.5 s < 600 W x 40 s. */
    CU_ASSERT(400 * busy < 600 * 40);
    af_results_free(r);
}

/* A cap between the mean and the busy facility power: exceeded at peak; the GPU limit that fits
 * it is (cap / PUE - everything but the GPUs busy) / GPUs. */
static void test_site_cap(void)
{
    af_fixture f;
    pw_world(&f, 40);
    af_results *r0 = af_run(&f);
    double mean = af_get(r0, "facility.power");
    double busy = af_get(r0, "facility.peak_power");
    double gpu_busy = 16 * 700 * 1.25;
    af_results_free(r0);
    CU_ASSERT(mean < busy);
    f.cfg.facility.power_cap_W = (mean + busy) / 2;
    af_results *r = af_run(&f);
    const af_metric *v = af_results_find(r, "facility.power_cap_verdict");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v->text, "exceeded at peak");
    double L = ((mean + busy) / 2 / 1.25 - (busy - gpu_busy) / 1.25) / 16;
    AF_ASSERT_REL(af_get(r, "facility.power_cap_gpu_limit"), L, 1e-12);
    AF_ASSERT_REL(af_get(r, "facility.power_cap_gpu_throughput"), af_gpu_throughput_at(
                                                                      &f.pools[0].node.gpu, L),
                  1e-12);
    af_results_free(r);
    f.cfg.facility.power_cap_W = busy;
    r = af_run(&f);
    CU_ASSERT_STRING_EQUAL(af_results_find(r, "facility.power_cap_verdict")->text, "holds");
    af_results_free(r);
}

static const af_test tests[] = {
    {"energy is the integral of power", test_energy_is_the_integral},
    {"a power limit stretches the work and lowers the draw", test_power_limit_stretches_the_work},
    {"a site cap is judged at peak and gives a GPU limit", test_site_cap},
    {NULL, NULL},
};
AF_TEST_MAIN("power", tests)
