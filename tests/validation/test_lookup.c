/*
 * Validation of the look-up kind (workload/lookup.c): Poisson arrivals on one device served at
 * the speed the fluid traffic leaves match M/D/1 (Pollaczek-Khinchine; doc/formulas.md,
 * "Queueing") with service time D / speed, inside a 99.9% confidence interval over independent
 * replications; arrivals keep their rate; when bulk traffic takes all the device time the
 * look-ups wait, the time is reported and the run ends normally.
 */
#include "tests/validation/sharing.h"

/* Look-ups on one device against M/D/1 at speed 1 (alone) and at speed 1/2 (a saturating job
 * holds half the device time, the other half reserved). Mean sojourn of M/D/1 with service D:
 * D + rho D / (2 (1 - rho)). Replications with distinct seeds give the confidence interval. */
static void test_lookups_match_md1(void)
{
    const struct {
        bool background;
        double rho;
    } cases[] = {{false, 0.5}, {false, 0.8}, {false, 0.9}, {true, 0.5}, {true, 0.8}, {true, 0.9}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        enum { REPS = 8 };
        double sum = 0, sum2 = 0;
        double D = 1e-3 + 1000 / 1e9; /* 1/IOPS + size / bandwidth */
        double speed = cases[c].background ? 0.5 : 1;
        double Ds = D / speed;
        double lambda = cases[c].rho / Ds;
        for (int rep = 0; rep < REPS; rep++) {
            af_fixture f;
            af_fix_init(&f, 1, 1, 1e9, 1e9, 1.0, 1);
            /* About 1e5 requests (4e5 at rho 0.9, whose busy periods are long). */
            f.cfg.duration_s = (cases[c].rho > 0.85 ? 400000 : 100000) / lambda;
            f.cfg.seed = 1000 + (uint64_t)rep;
            f.tiers[0].system.devices = 1;
            f.tiers[0].system.device_read_Bps = 1e9;
            f.tiers[0].system.device_read_iops = 1000;
            if (cases[c].background)
                f.tiers[0].reserve = 0.5; /* the job is data-bound: it takes the other half */
            else
                f.cfg.ntrains = 0;
            f.lookups[0] =
                (af_lookup_config){.name = "feat", .tier = 0, .rate_per_s = lambda, .size_B = 1000};
            f.cfg.nlookups = 1;
            af_results *r = af_run(&f);
            double W = af_get(r, "lookup.feat.latency_mean");
            sum += W;
            sum2 += W * W;
            af_results_free(r);
        }
        double mean = sum / REPS;
        double sd = sqrt((sum2 - REPS * mean * mean) / (REPS - 1));
        double half = 5.408 * sd / sqrt(REPS); /* t(0.9995, 7 d.f.): a 99.9% interval */
        double rho = cases[c].rho;
        double expect = Ds + rho * Ds / (2 * (1 - rho));
        if (fabs(mean - expect) > half)
            fprintf(stderr, "case %zu: mean %g, M/D/1 %g, half-width %g\n", c, mean, expect, half);
        CU_ASSERT(fabs(mean - expect) <= half);
        CU_ASSERT(half < 0.05 * expect); /* the interval is tight enough to catch an error */
    }
}

/* Look-up arrivals keep their rate when the gaps are nanoseconds: 1e8/s for 10 ms. */
static void test_lookup_rate_unbiased(void)
{
    af_fixture f;
    af_fix_init(&f, 1, 1000, 1e12, 1e6, 1.0, 0.01);
    f.cfg.ntrains = 0;
    f.lookups[0] = (af_lookup_config){.name = "feat", .tier = 0, .rate_per_s = 1e8, .size_B = 4096};
    f.cfg.nlookups = 1;
    f.cfg.max_events = 10000000;
    af_results *r = af_run(&f);
    double n = af_get(r, "lookup.feat.requests") + af_get(r, "lookup.feat.in_flight");
    AF_ASSERT_REL(n, 1e6, 5e-3); /* Poisson: sd 1e3, 0.1% */
    af_results_free(r);
}

/* One device (1 ms + 1 us a look-up, writes at 50 MB/s), look-ups at rho 0.3, and one write burst
 * of size_B in 4 kB operations from outside clients at start_s; reserve as given. With these
 * figures the bulk load leaves a residue of about 1e-16 of the device time (1 - load is not 0),
 * which must read as none. */
static void af_fix_saturated(af_fixture *f, double reserve, double size_B, double start_s)
{
    af_fix_init(f, 1, 1, 1e9, 1e9, 1.0, 200);
    f->cfg.ntrains = 0;
    f->tiers[0].system.devices = 1;
    f->tiers[0].system.device_read_Bps = 1e9;
    f->tiers[0].system.device_read_iops = 1000;
    f->tiers[0].reserve = reserve;
    double D = 1e-3 + 1000 / 1e9;
    f->lookups[0] =
        (af_lookup_config){.name = "feat", .tier = 0, .rate_per_s = 0.3 / D, .size_B = 1000};
    f->cfg.nlookups = 1;
    af_fix_add_burst(f, "ckpt", AF_WORLD_NONE, 0, true, size_B, 1e9, start_s)->op_B = 4096;
}

/* With no reserve, a burst takes all the device time while it runs: look-ups are not served then
 * (lookup.feat.unserved_time is the burst's share of the run), wait it out, and the run ends
 * normally; those still waiting at the end are counted in flight. A reserve keeps them served.
 * (A device-time residue of 1e-16 once made the queue assert here.) Arrivals are Poisson: counts
 * are checked within 6 standard deviations. */
static void test_lookups_wait_out_saturating_bursts(void)
{
    double D = 1e-3 + 1000 / 1e9, lambda = 0.3 / D, T = 200;
    af_fixture f;
    /* A 2.5 GB burst at 50 s takes d = 2.5e9 x sw, about 56 s, then the backlog drains at 0.7 of
     * the device: done well before the end. */
    af_fix_saturated(&f, 0, 2.5e9, 50);
    double d = 2.5e9 * af_write_scale(&f.tiers[0].system, 4096);
    af_results *r = af_run(&f);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.completed"), 1, 0);
    AF_ASSERT_REL(af_get(r, "burst.ckpt.time_mean"), d, 1e-6);
    AF_ASSERT_REL(af_get(r, "lookup.feat.unserved_time"), d / T, 1e-6);
    double done = af_get(r, "lookup.feat.requests"), left = af_get(r, "lookup.feat.in_flight");
    CU_ASSERT(fabs(done + left - lambda * T) <= 6 * sqrt(lambda * T));
    CU_ASSERT(left < 50);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "lookup.feat.dropped"), 0, 0);
    /* The first look-ups to arrive in the burst wait all of it; alone they take about 1.2 ms. */
    double p999 = af_get(r, "lookup.feat.latency_p999");
    CU_ASSERT(p999 > 0.9 * d && p999 < d + 1);
    af_results_free(r);

    /* A burst larger than the rest of the run can move, from 100 s: unserved half the run, and
     * the look-ups that arrived in it (plus the few waiting when it started) still in flight. */
    af_fix_saturated(&f, 0, 1e12, 100);
    r = af_run(&f);
    AF_ASSERT_REL(af_get(r, "lookup.feat.unserved_time"), 0.5, 1e-9);
    done = af_get(r, "lookup.feat.requests");
    left = af_get(r, "lookup.feat.in_flight");
    CU_ASSERT(fabs(done + left - lambda * T) <= 6 * sqrt(lambda * T));
    /* Mean in system of M/D/1 at rho 0.3 is rho + rho^2 / (2 (1 - rho)) = 0.36: 20 is far out. */
    CU_ASSERT(fabs(left - lambda * 100) <= 6 * sqrt(lambda * 100) + 20);
    CU_ASSERT(fabs(done - lambda * 100) <= 6 * sqrt(lambda * 100) + 20);
    CU_ASSERT_DOUBLE_EQUAL(af_get(r, "burst.ckpt.completed"), 0, 0);
    af_results_free(r);

    /* The same with half the device time reserved: served at speed 1/2 (rho 0.6) throughout. */
    af_fix_saturated(&f, 0.5, 1e12, 100);
    r = af_run(&f);
    CU_ASSERT_DOUBLE_EQUAL(af_get0(r, "lookup.feat.unserved_time"), 0, 0);
    done = af_get(r, "lookup.feat.requests");
    left = af_get(r, "lookup.feat.in_flight");
    CU_ASSERT(fabs(done + left - lambda * T) <= 6 * sqrt(lambda * T));
    CU_ASSERT(left < 50);
    af_results_free(r);
}

static const af_test tests[] = {
    {"look-ups over fluid background match M/D/1", test_lookups_match_md1},
    {"look-up arrivals keep their rate at ns gaps", test_lookup_rate_unbiased},
    {"look-ups wait out bursts that take all the device time",
     test_lookups_wait_out_saturating_bursts},
    {NULL, NULL}};

AF_TEST_MAIN("lookup", tests)
