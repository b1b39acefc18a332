/*
 * Validation of Daly's expected wall time (af_daly_wall_s; doc/formulas.md, "Checkpoints and
 * failures") by Monte Carlo simulation of the process it models, at formula level: no engine,
 * no flows. The training workload repeats this through the whole simulation.
 *
 * The process (Daly 2006, sec. 4, the model behind T_w): a job needs T_s = N tau seconds of
 * computation, done as N segments of tau seconds each followed by a checkpoint of delta
 * seconds; every segment, the last included, ends with its checkpoint (the model's T_s/tau
 * segments of tau + delta). Failures arrive as a Poisson process of rate 1/M in wall-clock time,
 * drawn here as one clock of exponential gaps of mean M renewed at each failure, and strike
 * whatever the job is doing: a failure while computing or writing the checkpoint loses the
 * segment (the checkpoint being written is not usable); the job then restarts, which takes R
 * seconds and itself starts over if a failure strikes during it; then the lost segment is
 * computed again. With T_s / tau a whole number the model is exact (reliability.h), so the
 * simulated mean wall time must match it within the sampling error alone.
 *
 * Cases: Daly's three (figs. 3-5: delta = 5 min, R = 10 min, M = 24 h, 6 h and 15 min, each at
 * his interval, 117, 57 and 9.1 minutes), with T_s near his 500 h for the first two and shorter
 * for the third so that its ~3 failures per segment stay cheap, plus one interval four times
 * Daly's (M = 6 h), where failures rather than checkpoints dominate the waste.
 *
 * Method: `reps` independent replications per case, each from the case's own stream. The mean
 * wall time must lie within the 99.9% Student-t interval of the replications' mean (half-width
 * from their sample standard deviation); so that a wide interval cannot pass vacuously, the
 * half-width must also be below AF_MAX_REL_HW of T_w. The mean number of failures is checked the
 * same way against T_w / M: the failure count minus t/M is a martingale and the completion time
 * a stopping time of finite mean, so by optional stopping (Wald's identity) E[failures] =
 * E[T_w] / M. Each line printed also shows what the first-order estimate
 * T_s (1 + af_waste_first_order) would predict, in interval half-widths from the simulated mean,
 * to show the test can tell the two apart. Runtime: about 0.3 s at -O2.
 *
 * Sanitizer builds (AIFSIM_SANITIZED=yes) divide the replications by AF_SAN_SCALE and widen the
 * half-width bound by sqrt(AF_SAN_SCALE); the statistical test is unchanged. Seeds are fixed;
 * CPPFLAGS=-DAF_SEED=n repeats the validation under another seed.
 */
#include "tests/unit/cutest.h"

#include "engine/rng.h"
#include "model/reliability.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AF_SEED
#define AF_SEED 20060301u
#endif

/* Confidence level of every interval. */
#define AF_CONF 0.999

/* Largest accepted CI half-width, relative to T_w (optimized build). */
#define AF_MAX_REL_HW 0.005

/* Divisor of the replications in a sanitizer build. */
#define AF_SAN_SCALE 4

#define AF_MIN 60.0
#define AF_HOUR 3600.0

static bool af_sanitized(void)
{
    const char *s = getenv("AIFSIM_SANITIZED");
    return s && strcmp(s, "yes") == 0;
}

/* One replication's outcome. */
typedef struct af_rep {
    double wall_s;   /* wall-clock time to finish, s */
    double failures; /* failures that struck, during work, checkpoints or restarts */
} af_rep;

/* Simulates one job: N segments of tau + delta, restarts of R, Poisson failures of mean M. */
static af_rep af_simulate(unsigned N, double tau, double delta, double R, double M, gsl_rng *r)
{
    double t = 0, next_fail = gsl_ran_exponential(r, M);
    unsigned fails = 0;
    for (unsigned seg = 0; seg < N; seg++) {
        for (;;) {
            double end = t + tau + delta; /* the segment with its checkpoint */
            if (next_fail >= end) {
                t = end;
                break;
            }
            /* A failure during the work or the checkpoint: the segment is lost. Restart, which
             * must itself run R seconds without a failure. */
            t = next_fail;
            next_fail = t + gsl_ran_exponential(r, M);
            fails++;
            while (next_fail < t + R) {
                t = next_fail;
                next_fail = t + gsl_ran_exponential(r, M);
                fails++;
            }
            t += R;
        }
    }
    return (af_rep){t, fails};
}

/* Mean and AF_CONF half-width of n values. */
static void af_ci(const double *x, size_t n, double *mean, double *hw)
{
    *mean = gsl_stats_mean(x, 1, n);
    *hw = gsl_cdf_tdist_Pinv(0.5 + AF_CONF / 2, (double)(n - 1)) *
          gsl_stats_sd_m(x, 1, n, *mean) / sqrt((double)n);
}

/* Runs one case and checks it. */
static void af_case(const char *name, double M, double tau, unsigned N, size_t reps)
{
    const double delta = 5 * AF_MIN, R = 10 * AF_MIN;
    if (af_sanitized())
        reps /= AF_SAN_SCALE;
    char stream[64];
    snprintf(stream, sizeof stream, "daly.%s", name);
    gsl_rng *r = af_rng_new(AF_SEED, stream);
    double *wall = af_malloc_array(reps, sizeof *wall),
           *fails = af_malloc_array(reps, sizeof *fails);
    for (size_t i = 0; i < reps; i++) {
        af_rep o = af_simulate(N, tau, delta, R, M, r);
        wall[i] = o.wall_s;
        fails[i] = o.failures;
    }
    double Ts = N * tau, Tw = af_daly_wall_s(Ts, tau, delta, R, M);
    double m, hw, fm, fhw;
    af_ci(wall, reps, &m, &hw);
    af_ci(fails, reps, &fm, &fhw);
    double first = Ts * (1 + af_waste_first_order(tau, delta, R, M));
    double max_hw = AF_MAX_REL_HW * (af_sanitized() ? sqrt((double)AF_SAN_SCALE) : 1);
    bool in = fabs(m - Tw) <= hw, fin = fabs(fm - Tw / M) <= fhw;
    printf("\n    %-8s M=%-7.0f tau=%-8.1f N=%-4u T_w %.1f h, sim %.1f +- %.2f h (%.3f%%), "
           "first-order off by %.1f hw; failures %.3f, sim %.3f +- %.3f  reps=%zu%s",
           name, M, tau, N, Tw / AF_HOUR, m / AF_HOUR, hw / AF_HOUR, 100 * hw / Tw,
           fabs(first - m) / hw, Tw / M, fm, fhw, reps, in && fin ? "" : "  OUTSIDE CI");
    CU_ASSERT(in);
    CU_ASSERT(fin);
    CU_ASSERT(hw / Tw <= max_hw);
    af_free(wall);
    af_free(fails);
    af_rng_free(r);
}

/* Daly's fig. 3: M = 24 h, tau = 7001.4 s (117 min); 256 segments, T_s = 497.9 h. */
static void test_daly_24h(void)
{
    af_case("24h", 24 * AF_HOUR, af_daly_interval_s(5 * AF_MIN, 24 * AF_HOUR), 256, 20000);
}

/* Daly's fig. 4: M = 6 h, tau = 3402.8 s (57 min); 529 segments, T_s = 500.0 h. */
static void test_daly_6h(void)
{
    af_case("6h", 6 * AF_HOUR, af_daly_interval_s(5 * AF_MIN, 6 * AF_HOUR), 529, 10000);
}

/* Daly's fig. 5: M = 15 min, tau = 548.5 s (9.1 min), a restart (10 min) two thirds of M, so
 * restarts often fail too; 128 segments, T_s = 19.5 h, about 3 failures per segment. */
static void test_daly_15min(void)
{
    af_case("15min", 15 * AF_MIN, af_daly_interval_s(5 * AF_MIN, 15 * AF_MIN), 128, 10000);
}

/* Off the optimum: M = 6 h at four times Daly's interval (13,611 s); 128 segments. */
static void test_daly_long_interval(void)
{
    af_case("6h-x4", 6 * AF_HOUR, 4 * af_daly_interval_s(5 * AF_MIN, 6 * AF_HOUR), 128, 10000);
}

static const af_test tests[] = {{"Daly fig. 3: M = 24 h at tau = 117 min", test_daly_24h},
                                {"Daly fig. 4: M = 6 h at tau = 57 min", test_daly_6h},
                                {"Daly fig. 5: M = 15 min at tau = 9.1 min", test_daly_15min},
                                {"M = 6 h at four times Daly's tau", test_daly_long_interval},
                                {NULL, NULL}};

AF_TEST_MAIN("daly", tests)
