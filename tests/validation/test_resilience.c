/*
 * Validation of checkpoints, failures and restarts (workload/resilience.c) through the whole
 * simulation, against Daly's model and counting laws:
 * - a job of N segments of tau training seconds, each but the last ending in a synchronous
 *   checkpoint of cost delta, with exponential failures of the job's MTBF M and a restart of R,
 *   takes on average M e^{R/M} [(N - 1)(e^{(tau+delta)/M} - 1) + (e^{tau/M} - 1)] (Daly 2006,
 *   eq. 13 per segment: a segment of length a costs M e^{R/M}(e^{a/M} - 1) on average, since
 *   failures strike during work, checkpoints and restarts alike and restart the segment); the
 *   mean over replications must fall within its 99.9% confidence interval, for three MTBFs;
 * - on a grid of intervals, Daly's optimum is as good as the best within the confidence
 *   intervals, and the grid's ends are measurably worse;
 * - the number of failures in a run is Poisson with mean duration / M;
 * - every second is attributed once: the parts of a job's time add up to the run.
 * The checkpoint's write is made device-bound at a known cost (delta = size x write scale /
 * devices), and its read back nearly free (the devices read 2000 times faster than they write),
 * so that the simulated restart is R; the loader's batches are 1 kB, so data waits are
 * nanoseconds.
 */
#include "tests/validation/sharing.h"

#include "model/reliability.h"

#include <gsl/gsl_statistics_double.h>

/* z of a two-sided 99.9% interval. */
#define Z999 3.2905

/* A world of one node (8 GPUs) and one tier, whose job trains `steps` one-second steps with
 * synchronous checkpoints every `every` steps costing delta_s, failures of job MTBF mtbf_s and a
 * restart of restart_s. */
static void res_world(af_fixture *f, double steps, int64_t every, double delta_s, double mtbf_s,
                      double restart_s, double duration_s, uint64_t seed)
{
    af_fix_init(f, 1, 1, 1e12, 1e3, 1.0, duration_s);
    f->pools[0].node.storage_nic.rate_Bps = 1e14; /* the devices bind writes and reads */
    af_storage_spec *s = &f->tiers[0].system;
    s->device_read_Bps = 1e13;
    s->device_read_iops = 1e9;
    s->device_write_Bps = 5e9;
    s->device_write_iops = 1e5;
    s->device_B = 1e15;
    double sw = 1 / s->device_write_Bps + 1 / (s->device_write_iops * 1048576.0);
    af_train_config *t = &f->trains[0];
    t->target_steps = steps;
    t->ckpt = (af_ckpt_config){.on = true,
                               .tier = 0,
                               .size_B = delta_s * s->devices / sw,
                               .every_steps = every,
                               .mode = AF_CKPT_SYNC,
                               .writers = 1,
                               .keep = 2,
                               .weight = 1};
    t->fail = (af_fail_config){.on = true,
                               .gpu = {AF_FAIL_EXPONENTIAL, 8 * mtbf_s, 1},
                               .restart_s = restart_s,
                               .spares = -1};
    f->cfg.seed = seed;
}

/* Daly's expected wall time of n segments of tau, each but the last with a checkpoint. */
static double res_expected(double n, double tau, double delta, double restart, double mtbf)
{
    double seg = mtbf * exp(restart / mtbf);
    return seg * ((n - 1) * expm1((tau + delta) / mtbf) + expm1(tau / mtbf));
}

/* Mean and standard error of the wall time over `reps` (at most 300) replications. */
static void res_wall(double steps, int64_t every, double delta, double mtbf, double restart,
                     int reps, double *mean, double *se)
{
    double t[300];
    for (int i = 0; i < reps && i < 300; i++) {
        af_fixture f;
        res_world(&f, steps, every, delta, mtbf, restart, 1e7, 1000 + (uint64_t)i);
        af_results *r = af_run(&f);
        t[i] = af_get(r, "train.job.time_to_target");
        af_results_free(r);
    }
    *mean = gsl_stats_mean(t, 1, (size_t)reps);
    *se = gsl_stats_sd_m(t, 1, (size_t)reps, *mean) / sqrt(reps);
}

/* Mean wall time over replications against Daly's expectation, for three MTBFs. */
static void test_daly_wall_time(void)
{
    const double mtbf[] = {500, 1000, 2000};
    for (size_t i = 0; i < 3; i++) {
        double mean, se;
        res_wall(2000, 100, 10, mtbf[i], 20, 300, &mean, &se);
        double want = res_expected(20, 100, 10, 20, mtbf[i]);
        printf("\n  M = %4.0f s: mean wall %.1f s +- %.1f (99.9%%), Daly %.1f s", mtbf[i], mean,
               Z999 * se, want);
        CU_ASSERT(fabs(mean - want) <= Z999 * se);
    }
    printf("\n");
}

/* Daly's interval is as good as the best of a grid, and the grid's ends are worse. */
static void test_daly_best_interval(void)
{
    const int64_t grid[] = {30, 60, 135, 300, 600};
    double mean[5], se[5];
    double M = 1000, delta = 10, R = 20;
    for (int i = 0; i < 5; i++)
        res_wall(5400, grid[i], delta, M, R, 200, &mean[i], &se[i]);
    int best = 0;
    for (int i = 1; i < 5; i++)
        if (mean[i] < mean[best])
            best = i;
    double tau = af_daly_interval_s(delta, M);
    printf("\n  Daly tau = %.1f s; grid:", tau);
    for (int i = 0; i < 5; i++)
        printf(" %lld s: %.0f+-%.0f", (long long)grid[i], mean[i], Z999 * se[i]);
    printf("\n");
    /* The grid point at Daly's interval (135 s) is within the intervals of the best. */
    CU_ASSERT(fabs(tau - 135) < 5);
    CU_ASSERT(mean[2] - mean[best] <= Z999 * hypot(se[2], se[best]));
    /* Much shorter and much longer intervals are measurably worse. */
    CU_ASSERT(mean[0] - mean[2] > Z999 * hypot(se[0], se[2]));
    CU_ASSERT(mean[4] - mean[2] > Z999 * hypot(se[4], se[2]));
}

/* Failures in a run are Poisson with mean duration / MTBF; the time adds up. */
static void test_failure_count_and_attribution(void)
{
    double M = 1000, D = 100000, sum = 0;
    int reps = 60;
    for (int i = 0; i < reps; i++) {
        af_fixture f;
        res_world(&f, 0, 100, 10, M, 20, D, 77 + (uint64_t)i);
        af_results *r = af_run(&f);
        sum += af_get(r, "failures.job.count");
        AF_ASSERT_REL(af_get(r, "failures.job.mtbf"), M, 1e-12);
        double parts = af_get(r, "train.job.gpu_utilization") + af_get(r, "train.job.data_wait") +
                       af_get(r, "train.job.checkpoint_stall") + af_get(r, "train.job.lost_work") +
                       af_get(r, "train.job.restart") + af_get(r, "train.job.reload") +
                       af_get(r, "train.job.idle");
        AF_ASSERT_REL(parts, 1, 1e-9);
        af_results_free(r);
    }
    double mean = sum / reps, want = D / M, se = sqrt(want / reps);
    printf("\n  failures per run: %.2f, Poisson mean %.1f +- %.2f (99.9%%)\n", mean, want,
           Z999 * se);
    CU_ASSERT(fabs(mean - want) <= Z999 * se);
}

/* Copies past `keep` drain to a colder tier: written - keep of them, size each, which the
 * colder tier then holds; the checkpoint tier holds the kept ones. */
static void test_drain_older_copies(void)
{
    af_fixture f;
    res_world(&f, 0, 100, 10, 1e12, 20, 3000, 5); /* no failure in practice */
    size_t cold = af_fix_add_tier(&f, "cold");
    f.trains[0].ckpt.drain_to = cold;
    f.trains[0].ckpt.keep = 3;
    double size = f.trains[0].ckpt.size_B;
    af_results *r = af_run(&f);
    double written = af_get(r, "checkpoint.job.written");
    CU_ASSERT(written >= 20);
    CU_ASSERT(af_get(r, "checkpoint.job.drained") >= written - 3 - 1); /* one may be draining */
    CU_ASSERT(af_get(r, "checkpoint.job.drained") <= written - 3);
    AF_ASSERT_REL(af_get(r, "checkpoint.job.drained_bytes"),
                  af_get(r, "checkpoint.job.drained") * size, 1e-12);
    /* The colder tier holds every copy drained or draining, the hot one the data set, the kept
     * copies and the one draining. */
    double draining = written - 3 - af_get(r, "checkpoint.job.drained");
    AF_ASSERT_REL(af_get(r, "storage.cold.used_capacity"),
                  (af_get(r, "checkpoint.job.drained") + draining) * size, 1e-12);
    AF_ASSERT_REL(af_get(r, "storage.hot.used_capacity"), 1e12 + (3 + draining) * size, 1e-12);
    af_results_free(r);
}

static const af_test tests[] = {
    {"copies past keep drain to a colder tier", test_drain_older_copies},
    {"Daly: mean wall time within its 99.9% interval for three MTBFs", test_daly_wall_time},
    {"Daly: the optimum interval is the grid's best", test_daly_best_interval},
    {"failures are Poisson; the parts of a job's time add up", test_failure_count_and_attribution},
    {NULL, NULL}};

AF_TEST_MAIN("resilience", tests)
