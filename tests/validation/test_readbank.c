/*
 * Validation of the read bank (workload/readbank.h) against queueing theory and the law of its
 * reads behind writes.
 *
 * M/D/1. Requests of one read arrive as a Poisson process of rate lambda at D devices, each read
 * going to a device drawn uniformly and independently: by the splitting property of the Poisson
 * process each device then sees Poisson arrivals of rate lambda / D and serves them FCFS with the
 * deterministic time d, so it is an M/D/1 queue at rho = lambda d / D, and the mean sojourn is
 * Pollaczek-Khinchine's d + rho d / (2 (1 - rho)) (Kleinrock, Queueing Systems vol. 1, 1975,
 * eq. 5.73 with C_s^2 = 0). Checked at rho = 0.3, 0.6 and 0.85 on D = 8 devices, d = 1 ms.
 *
 * Two demands (af_readbank_submit_demand: two services reading features of different sizes from
 * one tier). Two Poisson streams of one-read requests, of rates lambda_1 and lambda_2 and
 * demands d_1 and d_2, split over D devices as above: each device is an M/G/1 queue whose service
 * time is d_1 with probability lambda_1 / lambda and d_2 otherwise. Its mean wait is
 * Pollaczek-Khinchine's W = lambda' E[S^2] / (2 (1 - rho)), lambda' = lambda / D,
 * E[S^2] = (lambda_1 d_1^2 + lambda_2 d_2^2) / lambda, rho = (lambda_1 d_1 + lambda_2 d_2) / D
 * (Kleinrock 1975, eq. 5.72), and both streams see it (Poisson arrivals see time averages), so
 * class i's mean sojourn is W + d_i. Checked with d_1 = 1 ms and d_2 = 4 ms, each stream keeping
 * the devices 30% busy.
 *
 * Reads behind writes (model/storage.h, af_read_blocking). A read finds its die programming with
 * probability p0 and erasing with probability p1 and then waits U * busy, U uniform on [0, 1),
 * capped at cap when the device suspends: the share of reads that wait is p0 + p1, and the mean
 * wait over all reads is p0 b0 / 2 + p1 E[min(U b1, c1)], with E[min(U b, c)] = c - c^2 / (2 b)
 * for c < b (b / 2 without a cap). The wait delays the read's own completion but not the reads
 * behind it, so the mean sojourn is the M/D/1 one plus that mean wait.
 *
 * Method. Each case runs R = 20 independent replications (their own arrival and device streams,
 * seeded from the case's name and the replication's number). A replication submits requests at
 * Poisson times (an exact clock, rounded to the ns) over a warm-up of 2,000 service times, whose
 * requests are not measured, then over a measured window; the run goes on until every request
 * has completed. Its estimate is the mean sojourn (end_ns - submit_ns) of the requests submitted
 * in the window. The closed form must lie in the 99% confidence interval of the R estimates
 * (Student t, R - 1 degrees of freedom), and so that a wide interval cannot pass vacuously its
 * half-width must be below 2% of the closed form. The share of blocked reads and the mean wait
 * are checked on all the replications' reads together, which are independent draws: the share
 * against the 99% normal interval of a binomial proportion, the mean against the 99% interval
 * from the sample variance. Discretization: arrivals are rounded to the nearest ns and
 * completions are at most 1 ns late, 1e-6 of d, far below the intervals.
 *
 * Sanitizer builds (AIFSIM_SANITIZED=yes) run a quarter of the requests and allow twice the
 * half-width, as tests/validation/test_queue.c does. Fixed seeds: the output is the same on every
 * run.
 */
#include "tests/unit/cutest.h"

#include "engine/rng.h"
#include "engine/sim.h"
#include "workload/readbank.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scenario seed of every case; the stream names make the cases independent. */
#ifndef AF_SEED
#define AF_SEED 20250101u
#endif

/* Replications per case. */
#define AF_REPS 20

/* Confidence level of every interval. */
#define AF_CONF 0.99

/* Largest accepted half-width of the mean sojourn's interval, relative to the closed form. */
#define AF_MAX_REL_HW 0.02

/* Devices, and the service demand per read: 1 ms. */
#define AF_DEVICES 8
#define AF_D_S 1e-3

/* Warm-up, in service times. */
#define AF_WARM_SERVICES 2000.0

static bool af_sanitized(void)
{
    const char *s = getenv("AIFSIM_SANITIZED");
    return s && strcmp(s, "yes") == 0;
}

/* One replication. */
typedef struct af_rep {
    af_sim *sim;
    af_readbank *b;
    gsl_rng *arr;                /* interarrival stream */
    double rate_per_s;           /* lambda */
    double next_s;               /* exact time of the next arrival, s */
    af_time_ns warm_ns;          /* requests submitted before are not measured */
    af_time_ns stop_ns;          /* no arrivals from here on */
    uint64_t n;                  /* measured requests completed */
    double soj_sum_s;            /* sum of their sojourns */
    uint64_t blk_n;              /* measured requests whose read waited behind a write */
    double blk_sum_s, blk_sq_s2; /* sum and sum of squares of the waits of all measured reads */
} af_rep;

static void af_rep_done(af_sim *sim, void *ctx, uint64_t arg, const af_readbank_done *d)
{
    (void)sim;
    (void)arg;
    af_rep *r = ctx;
    if (d->submit_ns < r->warm_ns)
        return;
    r->n++;
    r->soj_sum_s += af_time_to_s(d->end_ns - d->submit_ns);
    if (d->blocked_s > 0)
        r->blk_n++;
    r->blk_sum_s += d->blocked_s;
    r->blk_sq_s2 += d->blocked_s * d->blocked_s;
}

static void af_rep_arrive(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_rep *r = ctx;
    af_readbank_submit(r->b, 1, af_rep_done, r, 0);
    r->next_s += gsl_ran_exponential(r->arr, 1 / r->rate_per_s);
    af_time_ns t = af_time_from_s(r->next_s);
    if (t < r->stop_ns)
        af_sim_at(sim, t > af_sim_now(sim) ? t : af_sim_now(sim), af_rep_arrive, r, 0);
}

/* The totals of a case. */
typedef struct af_case {
    double mean[AF_REPS]; /* each replication's mean sojourn, s */
    uint64_t reads;       /* measured reads, all replications */
    uint64_t blk_n;       /* of which blocked */
    double blk_sum_s, blk_sq_s2;
} af_case;

/* Runs R replications at load rho with blocking blk (NULL: none), measuring `per_device`
 * services per device in each. */
static void af_run_case(const char *name, double rho, const af_read_blocking *blk,
                        double per_device, af_case *c)
{
    memset(c, 0, sizeof *c);
    if (af_sanitized())
        per_device /= 4;
    double lambda = rho * AF_DEVICES / AF_D_S;
    for (int i = 0; i < AF_REPS; i++) {
        char sa[96], sd[96];
        snprintf(sa, sizeof sa, "readbank.%s.%d.arrivals", name, i);
        snprintf(sd, sizeof sd, "readbank.%s.%d.devices", name, i);
        gsl_rng *dev = af_rng_new(AF_SEED, sd);
        af_rep r = {.sim = af_sim_new(0), .arr = af_rng_new(AF_SEED, sa), .rate_per_s = lambda};
        r.b = af_readbank_new(r.sim, dev, NULL, AF_DEVICES, AF_D_S, 0);
        af_readbank_set_blocking(r.b, blk);
        r.warm_ns = af_time_from_s(AF_WARM_SERVICES * AF_D_S);
        r.stop_ns = r.warm_ns + af_time_from_s(per_device * AF_DEVICES / lambda);
        af_sim_at(r.sim, 0, af_rep_arrive, &r, 0);
        CU_ASSERT_EQUAL(af_sim_run(r.sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
        af_readbank_stats st;
        af_readbank_get_stats(r.b, &st);
        CU_ASSERT_EQUAL(st.pending, 0);
        CU_ASSERT_EQUAL(st.completed, st.requests);
        CU_ASSERT(r.n > 0);
        c->mean[i] = r.soj_sum_s / (double)r.n;
        c->reads += r.n;
        c->blk_n += r.blk_n;
        c->blk_sum_s += r.blk_sum_s;
        c->blk_sq_s2 += r.blk_sq_s2;
        af_readbank_free(r.b);
        af_sim_free(r.sim);
        gsl_rng_free(r.arr);
        gsl_rng_free(dev);
    }
}

/* Checks that `expected` lies in the AF_CONF interval of the replication means, and that the
 * interval is narrow. */
static void af_check_mean(const char *what, const af_case *c, double expected)
{
    double m = 0, v = 0;
    for (int i = 0; i < AF_REPS; i++)
        m += c->mean[i];
    m /= AF_REPS;
    for (int i = 0; i < AF_REPS; i++)
        v += (c->mean[i] - m) * (c->mean[i] - m);
    v /= AF_REPS - 1;
    double hw = gsl_cdf_tdist_Pinv(0.5 + AF_CONF / 2, AF_REPS - 1) * sqrt(v / AF_REPS);
    double max_hw = AF_MAX_REL_HW * expected * (af_sanitized() ? 2 : 1);
    printf("\n    %s: mean sojourn %.6f ms +- %.6f, closed form %.6f ms ", what, m * 1e3, hw * 1e3,
           expected * 1e3);
    CU_ASSERT(fabs(m - expected) <= hw);
    CU_ASSERT(hw < max_hw);
}

/* Pollaczek-Khinchine: mean sojourn of M/D/1 at load rho, s. */
static double af_pk(double rho)
{
    return AF_D_S + rho * AF_D_S / (2 * (1 - rho));
}

static void test_md1(void)
{
    static const double rhos[] = {0.3, 0.6, 0.85};
    /* Services per device: more where the variance of the mean is larger (it grows like
     * 1 / (1 - rho)^4 for the mean wait of M/D/1 near saturation). */
    static const double per_device[] = {10000, 20000, 80000};
    for (size_t k = 0; k < sizeof rhos / sizeof rhos[0]; k++) {
        char name[32], what[48];
        snprintf(name, sizeof name, "md1.%g", rhos[k]);
        snprintf(what, sizeof what, "M/D/1 rho %g", rhos[k]);
        af_case c;
        af_run_case(name, rhos[k], NULL, per_device[k], &c);
        af_check_mean(what, &c, af_pk(rhos[k]));
        CU_ASSERT_EQUAL(c.blk_n, 0);
    }
}

/* E[min(U b, c)] for U uniform on [0, 1), c = 0 meaning no cap. */
static double af_capped_mean(double b, double c)
{
    return c > 0 && c < b ? c - c * c / (2 * b) : b / 2;
}

/* Checks the share of blocked reads and the mean wait against p0 + p1 and the closed form. */
static void af_check_blocking(const char *what, const af_case *c, const af_read_blocking *blk)
{
    double z = gsl_cdf_ugaussian_Pinv(0.5 + AF_CONF / 2);
    double n = (double)c->reads;
    double p = blk->p[0] + blk->p[1];
    double share = (double)c->blk_n / n;
    double share_hw = z * sqrt(p * (1 - p) / n);
    double wait = blk->p[0] * af_capped_mean(blk->busy_s[0], blk->cap_s[0]) +
                  blk->p[1] * af_capped_mean(blk->busy_s[1], blk->cap_s[1]);
    double m = c->blk_sum_s / n;
    double var = (c->blk_sq_s2 - n * m * m) / (n - 1);
    double wait_hw = z * sqrt(var / n);
    printf("\n    %s: blocked share %.5f +- %.5f (p %.5f), mean wait %.6f ms +- %.6f (closed form "
           "%.6f ms) ",
           what, share, share_hw, p, m * 1e3, wait_hw * 1e3, wait * 1e3);
    CU_ASSERT(fabs(share - p) <= share_hw);
    CU_ASSERT(fabs(m - wait) <= wait_hw);
    CU_ASSERT(wait_hw < 0.02 * wait * (af_sanitized() ? 2 : 1));
}

/* Programs only (no suspend), erases only with a suspend cap, and both; the mean sojourn is
 * Pollaczek-Khinchine's plus the mean wait. */
static void test_blocking(void)
{
    static const af_read_blocking cases[] = {
        {.p = {0.3, 0}, .busy_s = {2e-3, 0}, .cap_s = {0, 0}},
        {.p = {0, 0.1}, .busy_s = {0, 5e-3}, .cap_s = {0, 1e-3}},
        {.p = {0.2, 0.05}, .busy_s = {0.6e-3, 4e-3}, .cap_s = {0.2e-3, 0.5e-3}},
    };
    static const char *names[] = {"programs", "erases, suspended", "both, suspended"};
    const double rho = 0.5;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char name[32];
        snprintf(name, sizeof name, "blocking.%zu", k);
        af_case c;
        af_run_case(name, rho, &cases[k], 10000, &c);
        af_check_blocking(names[k], &c, &cases[k]);
        const af_read_blocking *b = &cases[k];
        double wait = b->p[0] * af_capped_mean(b->busy_s[0], b->cap_s[0]) +
                      b->p[1] * af_capped_mean(b->busy_s[1], b->cap_s[1]);
        af_check_mean(names[k], &c, af_pk(rho) + wait);
    }
}

/* One replication of the two-demand case: stream c of rate rate[c] submits one-read requests of
 * demand d[c]. */
typedef struct af_rep2 {
    af_sim *sim;
    af_readbank *b;
    gsl_rng *arr[2];      /* interarrival streams */
    double rate_per_s[2]; /* lambda_c */
    double d_s[2];        /* d_c */
    double next_s[2];     /* exact time of each stream's next arrival, s */
    af_time_ns warm_ns, stop_ns;
    uint64_t n[2];       /* measured requests completed, per stream */
    double soj_sum_s[2]; /* sum of their sojourns */
} af_rep2;

static void af_rep2_done(af_sim *sim, void *ctx, uint64_t arg, const af_readbank_done *d)
{
    (void)sim;
    af_rep2 *r = ctx;
    if (d->submit_ns < r->warm_ns)
        return;
    r->n[arg]++;
    r->soj_sum_s[arg] += af_time_to_s(d->end_ns - d->submit_ns);
}

static void af_rep2_arrive(af_sim *sim, void *ctx, uint64_t arg)
{
    af_rep2 *r = ctx;
    af_readbank_submit_demand(r->b, 1, r->d_s[arg], 0, af_rep2_done, r, arg);
    r->next_s[arg] += gsl_ran_exponential(r->arr[arg], 1 / r->rate_per_s[arg]);
    af_time_ns t = af_time_from_s(r->next_s[arg]);
    if (t < r->stop_ns)
        af_sim_at(sim, t > af_sim_now(sim) ? t : af_sim_now(sim), af_rep2_arrive, r, arg);
}

static void test_two_demands(void)
{
    const double d[2] = {1e-3, 4e-3}, rho_each = 0.3;
    const double lambda[2] = {rho_each * AF_DEVICES / d[0], rho_each * AF_DEVICES / d[1]};
    double per_device = af_sanitized() ? 30000 / 4.0 : 30000; /* reads per device measured */
    af_case c[2];
    memset(c, 0, sizeof c);
    for (int i = 0; i < AF_REPS; i++) {
        char sa[96], sd[96];
        af_rep2 r = {.sim = af_sim_new(0)};
        for (int k = 0; k < 2; k++) {
            snprintf(sa, sizeof sa, "readbank.two.%d.arrivals.%d", i, k);
            r.arr[k] = af_rng_new(AF_SEED, sa);
            r.rate_per_s[k] = lambda[k];
            r.d_s[k] = d[k];
        }
        snprintf(sd, sizeof sd, "readbank.two.%d.devices", i);
        gsl_rng *dev = af_rng_new(AF_SEED, sd);
        /* the bank's own demand is neither: every request gives its own */
        r.b = af_readbank_new(r.sim, dev, NULL, AF_DEVICES, 0.5e-3, 0);
        r.warm_ns = af_time_from_s(AF_WARM_SERVICES * d[1]);
        r.stop_ns = r.warm_ns + af_time_from_s(per_device * AF_DEVICES / (lambda[0] + lambda[1]));
        af_sim_at(r.sim, 0, af_rep2_arrive, &r, 0);
        af_sim_at(r.sim, 0, af_rep2_arrive, &r, 1);
        CU_ASSERT_EQUAL(af_sim_run(r.sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
        af_readbank_stats st;
        af_readbank_get_stats(r.b, &st);
        CU_ASSERT_EQUAL(st.pending, 0);
        for (int k = 0; k < 2; k++) {
            CU_ASSERT(r.n[k] > 0);
            c[k].mean[i] = r.soj_sum_s[k] / (double)r.n[k];
            gsl_rng_free(r.arr[k]);
        }
        af_readbank_free(r.b);
        af_sim_free(r.sim);
        gsl_rng_free(dev);
    }
    double lam_dev = (lambda[0] + lambda[1]) / AF_DEVICES;
    double es2 = (lambda[0] * d[0] * d[0] + lambda[1] * d[1] * d[1]) / (lambda[0] + lambda[1]);
    double rho = (lambda[0] * d[0] + lambda[1] * d[1]) / AF_DEVICES;
    double wait = lam_dev * es2 / (2 * (1 - rho));
    af_check_mean("two demands, 1 ms reads", &c[0], wait + d[0]);
    af_check_mean("two demands, 4 ms reads", &c[1], wait + d[1]);
}

static const af_test tests[] = {
    {"Poisson one-read requests on D devices are M/D/1 (Pollaczek-Khinchine)", test_md1},
    {"reads behind writes: share, mean wait and sojourn", test_blocking},
    {"two demands on one bank are M/G/1 (Pollaczek-Khinchine)", test_two_demands},
    {NULL, NULL}};

AF_TEST_MAIN("readbank validation", tests)
