/*
 * Validation of af_queue against the closed forms of doc/formulas.md
 * ("Queueing"): M/M/1, M/D/1 (Pollaczek-Khinchine) and M/M/c (Erlang C, computed here from the
 * formula, independently of the module), Little's law on the simulator's own time averages, the
 * speed factor, exact work conservation across speed changes, and latency percentiles.
 *
 * Method. Poisson arrivals are drawn in the test from one GSL stream (af_rng_new) and service
 * demands from another, each case seeded from its own name. Time unit: mu = 1 per ms, so a mean
 * service time is 10^6 ns; interarrival times are rounded to the nearest ns (an unbiased error of
 * at most 0.5 ns, 5e-7 of a service time) and completions land at most 1 ns after the exact
 * finish (queue.h), so the discretization is four orders of magnitude below the tolerances.
 * After a warm-up of 5% of the run the statistics are reset, then n jobs complete (n >= 10^6,
 * more where the variance is large). The mean wait W_q is estimated by batch means over
 * AF_BATCHES consecutive batches of n / AF_BATCHES jobs (batches far longer than the relaxation
 * time, ~ 1 / (mu (1 - sqrt(rho))^2), about 400 service times at rho = 0.9), and the case
 * passes when the closed form lies within the 99.9% confidence interval (Student t with
 * AF_BATCHES - 1 degrees of freedom, gsl_cdf_tdist_Pinv); the mean sojourn W is checked the same
 * way. So that a huge interval cannot pass vacuously, the half-width for W_q must also be below
 * AF_MAX_REL_HW of the closed form. Little's law (L = lambda W, L_q = lambda W_q, and busy
 * servers = lambda E[S] / s) is checked within 1% on the module's own time averages of the same
 * run. Runtime: about 13 s at -O2 on one core of the development machine.
 *
 * Sanitizer builds: AddressSanitizer and UBSan make the run 3-5 times slower. When
 * AIFSIM_SANITIZED=yes (set by the Makefile's test environment) every job count is divided by
 * AF_SAN_SCALE and the half-width bound widens by sqrt(AF_SAN_SCALE), the factor by which the
 * interval grows; the statistical test itself is unchanged. The point of that build is memory
 * and undefined-behaviour checking, which does not need 10^6 jobs.
 *
 * All seeds are fixed, so the program's output is the same on every run.
 */
#include "tests/unit/cutest.h"

#include "engine/queue.h"
#include "engine/rng.h"
#include "engine/sim.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scenario seed of every case; the stream names make the cases independent. Override with
 * CPPFLAGS=-DAF_SEED=n to repeat the validation under other seeds. */
#ifndef AF_SEED
#define AF_SEED 20240611u
#endif

/* Batches for batch means. */
#define AF_BATCHES 30

/* Confidence level of every interval. */
#define AF_CONF 0.999

/* Largest accepted CI half-width, relative to the closed form (optimized build). */
#define AF_MAX_REL_HW 0.05

/* Divisor of the job counts in a sanitizer build. */
#define AF_SAN_SCALE 4

/* Little's law tolerance (relative). */
#define AF_LITTLE_TOL 0.01

/* Mean service time at full speed: 1 ms, in seconds. */
#define AF_MS 1e-3

/* Percentiles checked against the exponential sojourn law of M/M/1. */
static const double af_ps[] = {0.5, 0.9, 0.99, 0.999};
#define AF_NP (sizeof af_ps / sizeof af_ps[0])

static bool af_sanitized(void)
{
    const char *s = getenv("AIFSIM_SANITIZED");
    return s && strcmp(s, "yes") == 0;
}

static uint64_t af_scaled(uint64_t n)
{
    return af_sanitized() ? n / AF_SAN_SCALE : n;
}

static double af_max_rel_hw(void)
{
    return af_sanitized() ? AF_MAX_REL_HW * sqrt((double)AF_SAN_SCALE) : AF_MAX_REL_HW;
}

/* Student-t quantile for a two-sided interval at AF_CONF with df degrees of freedom. */
static double af_tq(int df)
{
    return gsl_cdf_tdist_Pinv(0.5 + AF_CONF / 2, df);
}

/* Erlang C: the probability that an arrival waits in M/M/c with a = lambda / mu Erlangs (a < c),
 * straight from the formula of doc/formulas.md. */
static double af_erlang_c(unsigned c, double a)
{
    double term = 1, sum = 0; /* term = a^k / k! */
    for (unsigned k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double top = term * c / (c - a); /* a^c / c! * c / (c - a) */
    return top / (sum + top);
}

/* Closed-form W_q in units of 1 / mu for M/M/c (c >= 1) at lambda (per 1 / mu). */
static double af_mmc_wq(unsigned c, double lambda)
{
    return af_erlang_c(c, lambda) / (c - lambda);
}

/* ---- one simulated case ------------------------------------------------------------------- */

/* A run of the queue under Poisson arrivals, with its measurements. */
typedef struct af_run {
    af_sim *sim;
    af_queue *q;
    gsl_rng *arr;                      /* interarrival stream */
    gsl_rng *svc;                      /* service-demand stream */
    double ia_mean_ns;                 /* mean interarrival time, ns */
    double svc_mean_s;                 /* mean service demand, device-seconds */
    bool det;                          /* deterministic service */
    uint64_t warm;                     /* completions before the statistics are reset */
    uint64_t n;                        /* completions measured after the warm-up */
    uint64_t seen;                     /* completions so far (warm-up included) */
    double batch_wait[AF_BATCHES];     /* sum of waits per batch, ns */
    double batch_soj[AF_BATCHES];      /* sum of sojourns per batch, ns */
    double q_ns[AF_NP];                /* sojourn quantiles to count below (0 = none) */
    uint64_t below[AF_NP][AF_BATCHES]; /* per batch, sojourns <= q_ns[j] */
} af_run;

static void af_run_done(af_sim *sim, void *ctx, uint64_t arg, const af_queue_done *d)
{
    (void)arg;
    af_run *r = ctx;
    r->seen++;
    if (r->seen == r->warm) {
        af_queue_reset_stats(r->q);
        return;
    }
    if (r->seen < r->warm)
        return;
    uint64_t k = r->seen - r->warm - 1; /* 0-based index of the measured job */
    if (k >= r->n)
        return;
    size_t b = (size_t)(k * AF_BATCHES / r->n);
    af_time_ns soj = d->end_ns - d->arrive_ns;
    r->batch_wait[b] += (double)(d->start_ns - d->arrive_ns);
    r->batch_soj[b] += (double)soj;
    for (size_t j = 0; j < AF_NP; j++)
        if (r->q_ns[j] > 0 && (double)soj <= r->q_ns[j])
            r->below[j][b]++;
    if (k + 1 == r->n)
        af_sim_stop(sim);
}

static void af_run_arrive(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_run *r = ctx;
    double d = r->det ? r->svc_mean_s : gsl_ran_exponential(r->svc, r->svc_mean_s);
    af_queue_submit(r->q, d, af_run_done, r, 0);
    double ia = gsl_ran_exponential(r->arr, r->ia_mean_ns);
    af_sim_after(sim, (af_time_ns)llround(ia), af_run_arrive, r, 0);
}

/* Result of a case: means in ms, interval half-widths in ms. */
typedef struct af_est {
    double wq, wq_hw; /* mean wait and its CI half-width */
    double w, w_hw;   /* mean sojourn and its CI half-width */
    af_queue_stats st;
} af_est;

/* Mean and CI half-width (at AF_CONF) of AF_BATCHES batch sums of `per` jobs each. */
static void af_batch_ci(const double *sums, double per, double *mean, double *hw)
{
    double m = 0, v = 0;
    for (int b = 0; b < AF_BATCHES; b++)
        m += sums[b] / per;
    m /= AF_BATCHES;
    for (int b = 0; b < AF_BATCHES; b++)
        v += (sums[b] / per - m) * (sums[b] / per - m);
    v /= AF_BATCHES - 1;
    *mean = m;
    *hw = af_tq(AF_BATCHES - 1) * sqrt(v / AF_BATCHES);
}

/* Runs c servers at speed `speed`, Poisson arrivals at lambda per ms, service of mean 1 ms
 * (exponential, or deterministic when det) for n measured jobs. r must be zeroed except q_ns. */
static void af_run_case(af_run *r, const char *name, unsigned c, double lambda, bool det,
                        double speed, uint64_t n, af_est *e)
{
    char sa[96], ss[96];
    snprintf(sa, sizeof sa, "queue.%s.arrivals", name);
    snprintf(ss, sizeof ss, "queue.%s.service", name);
    /* Round n up to a multiple of the batch count so that every batch holds as many jobs. */
    n += (AF_BATCHES - n % AF_BATCHES) % AF_BATCHES;
    r->sim = af_sim_new(0);
    r->q = af_queue_new(r->sim, c, 0);
    r->arr = af_rng_new(AF_SEED, sa);
    r->svc = af_rng_new(AF_SEED, ss);
    r->ia_mean_ns = 1e6 / lambda;
    r->svc_mean_s = AF_MS;
    r->det = det;
    r->n = n;
    r->warm = n / 20;
    af_queue_set_speed(r->q, speed);
    af_sim_at(r->sim, 0, af_run_arrive, r, 0);
    af_run_status rs = af_sim_run(r->sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(rs, AF_RUN_STOPPED);
    af_queue_get_stats(r->q, &e->st);
    double per = (double)(n / AF_BATCHES);
    af_batch_ci(r->batch_wait, per, &e->wq, &e->wq_hw);
    af_batch_ci(r->batch_soj, per, &e->w, &e->w_hw);
    e->wq *= 1e-6, e->wq_hw *= 1e-6, e->w *= 1e-6, e->w_hw *= 1e-6;
    CU_ASSERT_EQUAL(e->st.completed, n);
    af_rng_free(r->arr);
    af_rng_free(r->svc);
}

static void af_run_fini(af_run *r)
{
    af_queue_free(r->q);
    af_sim_free(r->sim);
}

/* Checks a case against its closed forms (ms) and prints one line of the validation table. */
static void af_check(const char *name, const af_est *e, double wq_cf, double w_cf, double lambda)
{
    const af_queue_stats *st = &e->st;
    /* The module's own sums agree with the callbacks' batch sums. */
    AF_ASSERT_REL(st->wait_sum_s / (double)st->completed * 1e3, e->wq, 1e-9);
    AF_ASSERT_REL(st->sojourn_sum_s / (double)st->completed * 1e3, e->w, 1e-9);
    /* Little's law on the module's time averages: L = lambda W, L_q = lambda W_q, with lambda
     * the observed arrival rate. */
    double lam = (double)st->arrived / st->window_s;
    double W = st->sojourn_sum_s / (double)st->completed;
    double Wq = st->wait_sum_s / (double)st->completed;
    double L = st->area_system_s / st->window_s, Lq = st->area_queue_s / st->window_s;
    double little = fabs(L - lam * W) / L, little_q = fabs(Lq - lam * Wq) / Lq;
    double rel_hw = e->wq_hw / wq_cf;
    bool in_ci = fabs(e->wq - wq_cf) <= e->wq_hw;
    bool w_in_ci = fabs(e->w - w_cf) <= e->w_hw;
    printf("\n    %-14s lambda=%-5.3g W_q closed %9.6f  sim %9.6f +- %8.6f (%4.1f%%)  W %8.5f/%8.5f"
           "  Little %.1e %.1e  n=%llu%s",
           name, lambda, wq_cf, e->wq, e->wq_hw, 100 * rel_hw, w_cf, e->w, little, little_q,
           (unsigned long long)st->completed, in_ci && w_in_ci ? "" : "  OUTSIDE CI");
    CU_ASSERT(in_ci);
    CU_ASSERT(w_in_ci);
    CU_ASSERT(rel_hw < af_max_rel_hw());
    CU_ASSERT(little < AF_LITTLE_TOL);
    CU_ASSERT(little_q < AF_LITTLE_TOL);
    /* Little's law for the servers: busy servers = lambda * E[S] / speed. */
    double Ls = st->area_service_s / st->window_s;
    CU_ASSERT(fabs(Ls - lam * (W - Wq)) / Ls < AF_LITTLE_TOL);
}

/* Measured jobs per case, in millions, before af_scaled. They were chosen from pilot runs so
 * that the expected half-width of the 99.9% interval of W_q is about 3.5% of the closed form,
 * leaving room below the AF_MAX_REL_HW guard for the noise of the half-width itself (about 13%
 * of it with 30 batches). The variance of the mean wait grows like 1 / (1 - rho)^4, and with
 * many servers at low load waiting is rare, so the mean wait is noisy there too. */
static uint64_t af_jobs(double millions)
{
    return af_scaled((uint64_t)(millions * 1e6));
}

/* ---- closed-form cases -------------------------------------------------------------------- */

static const double af_rhos[] = {0.5, 0.8, 0.9};

/* The test's Erlang C reproduces the reference table of doc/formulas.md, "Queueing" (mu = 1). */
static void test_erlang_c_table(void)
{
    /* The table is rounded to 6 decimals. */
    CU_ASSERT_DOUBLE_EQUAL(af_mmc_wq(1, 0.9), 9.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(af_mmc_wq(2, 1.8), 4.263158, 5e-7);
    CU_ASSERT_DOUBLE_EQUAL(af_mmc_wq(3, 2.0), 0.444444, 5e-7);
    CU_ASSERT_DOUBLE_EQUAL(af_mmc_wq(8, 7.2), 0.876916, 5e-7);
    CU_ASSERT_DOUBLE_EQUAL(af_mmc_wq(10, 8.0), 0.204590, 5e-7);
}

/* M/M/1 at rho 0.5, 0.8, 0.9: W_q = rho / (mu - lambda); sojourn percentiles of Exp(mu - lambda)
 * checked on the same run (see af_check_quantiles): p50, p90, p99 and p99.9 at rho 0.5, and up to
 * p99 at 0.8 and 0.9. There, exceedances of p99.9 come in clusters (one long busy period holds
 * many), so the standard error of F_n(q_p) is about 10^-3, as large as 1 - p itself, and p99.9
 * would need some 10^8 jobs to be pinned down to +-10%. */
static void af_check_quantiles(const af_run *r, double rate_per_ms, size_t np);

static void test_mm1(void)
{
    const double millions[] = {1, 2, 6};
    for (size_t i = 0; i < 3; i++) {
        double rho = af_rhos[i], lambda = rho;
        char name[32];
        snprintf(name, sizeof name, "M/M/1 %.1f", rho);
        af_run *r = calloc(1, sizeof *r);
        for (size_t j = 0; j < AF_NP; j++)
            r->q_ns[j] = -log1p(-af_ps[j]) / (1 - lambda) * 1e6;
        af_est e;
        af_run_case(r, name, 1, lambda, false, 1.0, af_jobs(millions[i]), &e);
        af_check(name, &e, rho / (1 - lambda), 1 / (1 - lambda), lambda);
        af_check_quantiles(r, 1 - lambda, i == 0 ? AF_NP : AF_NP - 1);
        af_run_fini(r);
        free(r);
    }
}

/* M/D/1 at rho 0.5, 0.8, 0.9: W_q = rho / (2 mu (1 - rho)). */
static void test_md1(void)
{
    const double millions[] = {1, 2, 3};
    for (size_t i = 0; i < 3; i++) {
        double rho = af_rhos[i];
        char name[32];
        snprintf(name, sizeof name, "M/D/1 %.1f", rho);
        af_run *r = calloc(1, sizeof *r);
        af_est e;
        af_run_case(r, name, 1, rho, true, 1.0, af_jobs(millions[i]), &e);
        double wq = rho / (2 * (1 - rho));
        af_check(name, &e, wq, wq + 1, rho);
        af_run_fini(r);
        free(r);
    }
}

/* M/M/c for c = 2, 3, 8, 10 at rho 0.5, 0.8, 0.9, plus c = 3 at lambda = 2 (the table's
 * rho = 2/3; the table's other rows are among the rho cases). */
static void test_mmc(void)
{
    static const struct {
        unsigned c;      /* servers */
        double rho;      /* lambda / (c mu) */
        double millions; /* measured jobs, see af_jobs */
    } cases[] = {{2, 0.5, 1.5}, {2, 0.8, 2},  {2, 0.9, 8},  {3, 0.5, 2}, {3, 2.0 / 3, 2},
                 {3, 0.8, 4},   {3, 0.9, 6},  {8, 0.5, 4},  {8, 0.8, 4}, {8, 0.9, 10},
                 {10, 0.5, 8},  {10, 0.8, 4}, {10, 0.9, 10}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        unsigned c = cases[k].c;
        double lambda = cases[k].rho * c;
        char name[32];
        snprintf(name, sizeof name, "M/M/%u %.2g", c, cases[k].rho);
        af_run *r = calloc(1, sizeof *r);
        af_est e;
        af_run_case(r, name, c, lambda, false, 1.0, af_jobs(cases[k].millions), &e);
        double wq = af_mmc_wq(c, lambda);
        af_check(name, &e, wq, wq + 1, lambda);
        af_run_fini(r);
        free(r);
    }
}

/* Speed 0.5 throughout: an M/M/1 with mu halved (0.5 per ms) at lambda = 0.4 per ms (rho 0.8):
 * W_q = rho / (mu' - lambda) = 8 ms, W = 10 ms; device work = half the busy time. */
static void test_speed_half(void)
{
    af_run *r = calloc(1, sizeof *r);
    af_est e;
    af_run_case(r, "M/M/1 s=0.5", 1, 0.4, false, 0.5, af_jobs(2), &e);
    af_check("M/M/1 s=0.5", &e, 0.8 / (0.5 - 0.4), 1 / (0.5 - 0.4), 0.4);
    AF_ASSERT_REL(e.st.work_s, 0.5 * e.st.area_service_s, 1e-12);
    af_run_fini(r);
    free(r);
}

/* Sojourn percentiles of M/M/1 against Exp(mu - lambda): q_p = -ln(1 - p) / (mu - lambda).
 *
 * Tolerance. The empirical quantile x_p of n sojourn times satisfies x_p <= x exactly when
 * F_n(x) >= p (F_n the empirical distribution function). F_n(q_p) has mean p and a standard
 * error se, estimated here by batch means of the indicator 1{sojourn <= q_p} (which, unlike the
 * binomial formula, allows for the correlation between successive sojourn times). With
 * delta = t * se, x_p lies in [q_{p - delta}, q_{p + delta}] at the interval's confidence. The
 * histogram then adds a relative error below 2^-8 (queue.h) and the ns grid one ns. So that the
 * check is not vacuous the resulting interval must be narrower than +-10% of q_p. */
static void af_check_quantiles(const af_run *r, double rate_per_ms, size_t np)
{
    for (size_t j = 0; j < np; j++) {
        double p = af_ps[j];
        double fr[AF_BATCHES], m, hw;
        for (int b = 0; b < AF_BATCHES; b++)
            fr[b] = (double)r->below[j][b];
        af_batch_ci(fr, (double)(r->n / AF_BATCHES), &m, &hw);
        double plo = p - hw, phi = p + hw;
        CU_ASSERT_FATAL(phi < 1);
        double qlo = -log1p(-plo) / rate_per_ms, qhi = -log1p(-phi) / rate_per_ms; /* ms */
        double err = 1.0 / 256;
        qlo = qlo * (1 - err) - 1e-6;
        qhi = qhi * (1 + err) + 1e-6;
        double qp = -log1p(-p) / rate_per_ms;
        double got = af_queue_quantile_s(r->q, AF_QUEUE_SOJOURN, p) * 1e3;
        bool ok = got >= qlo && got <= qhi;
        printf("\n      p%-5g closed %9.5f ms  histogram %9.5f ms  accepted [%9.5f, %9.5f]%s",
               100 * p, qp, got, qlo, qhi, ok ? "" : "  OUTSIDE");
        CU_ASSERT(ok);
        CU_ASSERT((qhi - qlo) / qp < 0.2 * (af_sanitized() ? sqrt((double)AF_SAN_SCALE) : 1));
    }
}

/* ---- exact behaviour ---------------------------------------------------------------------- */

/* Records completions: times and the arg of each, in order. */
typedef struct af_log {
    size_t n;
    af_time_ns end_ns[64];
    af_time_ns start_ns[64];
    uint64_t arg[64];
} af_log;

static void af_log_done(af_sim *sim, void *ctx, uint64_t arg, const af_queue_done *d)
{
    (void)sim;
    af_log *l = ctx;
    CU_ASSERT_EQUAL(d->end_ns, af_sim_now(sim));
    if (l->n < 64) {
        l->end_ns[l->n] = d->end_ns;
        l->start_ns[l->n] = d->start_ns;
        l->arg[l->n] = arg;
    }
    l->n++;
}

/* Event handler: sets the speed of queue ctx to arg / 1000. */
static void af_set_speed_ev(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    af_queue_set_speed(ctx, (double)arg / 1000.0);
}

/* A request of 1 s at speed 1 for 0.25 s, then speed 0.5, completes at 0.25 + 0.75 / 0.5 =
 * 1.75 s exactly. */
static void test_speed_change_conserves_work(void)
{
    af_sim *sim = af_sim_new(0);
    af_queue *q = af_queue_new(sim, 1, 0);
    af_log l = {0};
    af_queue_submit(q, 1.0, af_log_done, &l, 7);
    af_sim_at(sim, 250000000, af_set_speed_ev, q, 500);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(l.n, 1);
    CU_ASSERT_EQUAL(l.end_ns[0], 1750000000);
    CU_ASSERT_EQUAL(l.arg[0], 7);
    af_queue_stats st;
    af_queue_get_stats(q, &st);
    AF_ASSERT_REL(st.work_s, 1.0, 1e-15);
    AF_ASSERT_REL(st.area_service_s, 1.75, 1e-15);
    af_queue_free(q);
    af_sim_free(sim);
}

/* Two servers, three requests, speed 1 -> 0.25 -> 0 -> 1: every completion time by hand. */
static void test_speed_changes_many_in_service(void)
{
    af_sim *sim = af_sim_new(0);
    af_queue *q = af_queue_new(sim, 2, 1); /* hint 1: the pool must grow */
    af_log l = {0};
    af_queue_submit(q, 0.4, af_log_done, &l, 1);         /* server A */
    af_queue_submit(q, 0.1, af_log_done, &l, 2);         /* server B */
    af_queue_submit(q, 0.2, af_log_done, &l, 3);         /* waits for B */
    af_sim_at(sim, 200000000, af_set_speed_ev, q, 250);  /* 0.2 s: speed 0.25 */
    af_sim_at(sim, 400000000, af_set_speed_ev, q, 0);    /* 0.4 s: stalled */
    af_sim_at(sim, 900000000, af_set_speed_ev, q, 1000); /* 0.9 s: full speed */
    af_sim_run(sim, AF_TIME_MAX, 0);
    /* 2 done at 0.1 s; 3 starts at 0.1 s, has 0.1 s of work by 0.2 s, 0.05 more by 0.4 s,
     * stalls, then needs 0.05 s: done at 0.95 s. 1 has 0.2 by 0.2 s, 0.25 by 0.4 s, then 0.15
     * more: done at 1.05 s. */
    CU_ASSERT_EQUAL_FATAL(l.n, 3);
    CU_ASSERT_EQUAL(l.arg[0], 2);
    CU_ASSERT_EQUAL(l.end_ns[0], 100000000);
    CU_ASSERT_EQUAL(l.arg[1], 3);
    CU_ASSERT_EQUAL(l.start_ns[1], 100000000);
    CU_ASSERT_EQUAL(l.end_ns[1], 950000000);
    CU_ASSERT_EQUAL(l.arg[2], 1);
    CU_ASSERT_EQUAL(l.end_ns[2], 1050000000);
    af_queue_stats st;
    af_queue_get_stats(q, &st);
    AF_ASSERT_REL(st.work_s, 0.7, 1e-12);
    AF_ASSERT_REL(st.wait_sum_s, 0.1, 1e-12);
    CU_ASSERT_EQUAL(st.in_system, 0);
    CU_ASSERT(st.pool_cap >= 3);
    af_queue_free(q);
    af_sim_free(sim);
}

/* One server serves in arrival order; zero demands complete at their arrival time, in a later
 * event, and not from inside submit. */
static void test_fifo_and_zero_demand(void)
{
    af_sim *sim = af_sim_new(0);
    af_queue *q = af_queue_new(sim, 1, 0);
    af_log l = {0};
    for (uint64_t i = 0; i < 10; i++)
        af_queue_submit(q, i % 2 ? 0.0 : 1e-3, af_log_done, &l, i);
    CU_ASSERT_EQUAL(l.n, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(l.n, 10);
    af_time_ns t = 0;
    for (uint64_t i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(l.arg[i], i);
        t += i % 2 ? 0 : 1000000;
        CU_ASSERT_EQUAL(l.end_ns[i], t);
    }
    /* A zero demand on an idle, stalled queue still completes. */
    af_queue_set_speed(q, 0);
    af_queue_submit(q, 0.0, af_log_done, &l, 99);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(l.n, 11);
    af_queue_free(q);
    af_sim_free(sim);
}

/* A hold (af_queue_submit_held) lengthens its own request's sojourn and nothing else: one server,
 * A (1 ms, held 0.3 ms) then B (1 ms, no hold) at time 0. Service is untouched (A ends at 1 ms,
 * B at 2 ms, B waiting 1 ms behind A); the sojourns are 1.3 and 2 ms, the waits 0 and 1 ms. */
static void test_hold_counts_in_sojourn_only(void)
{
    af_sim *sim = af_sim_new(0);
    af_queue *q = af_queue_new(sim, 1, 0);
    af_log l = {0};
    af_queue_submit_held(q, 1e-3, 0.3e-3, af_log_done, &l, 0);
    af_queue_submit(q, 1e-3, af_log_done, &l, 1);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(l.n, 2);
    CU_ASSERT_EQUAL(l.end_ns[0], 1000000);
    CU_ASSERT_EQUAL(l.end_ns[1], 2000000);
    af_queue_stats st;
    af_queue_get_stats(q, &st);
    AF_ASSERT_REL(st.sojourn_sum_s, 3.3e-3, 1e-12);
    AF_ASSERT_REL(st.wait_sum_s, 1e-3, 1e-12);
    AF_ASSERT_REL(st.area_system_s, 3e-3, 1e-12); /* the hold is not time in system */
    AF_ASSERT_REL(af_queue_quantile_s(q, AF_QUEUE_SOJOURN, 0), 1.3e-3, 1e-12);
    AF_ASSERT_REL(af_queue_quantile_s(q, AF_QUEUE_SOJOURN, 1), 2e-3, 1e-12);
    CU_ASSERT_EQUAL(af_queue_quantile_s(q, AF_QUEUE_WAIT, 0), 0);
    af_queue_free(q);
    af_sim_free(sim);
}

/* A stalled queue holds its work; freeing it with requests in system runs no callback and leaks
 * nothing (the sanitizer build checks leaks). */
static void test_stall_and_free(void)
{
    af_sim *sim = af_sim_new(0);
    af_queue *q = af_queue_new(sim, 2, 0);
    af_log l = {0};
    af_queue_set_speed(q, 0);
    for (int i = 0; i < 5; i++)
        af_queue_submit(q, 1e-3, af_log_done, &l, (uint64_t)i);
    /* Nothing is pending while stalled: the queue schedules no event it cannot keep. */
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    af_sim_at(sim, 2000000000, af_set_speed_ev, q, 0); /* keeps the clock moving */
    CU_ASSERT_EQUAL(af_sim_run(sim, 1000000000, 0), AF_RUN_END);
    CU_ASSERT_EQUAL(l.n, 0);
    af_queue_stats st;
    af_queue_get_stats(q, &st);
    CU_ASSERT_EQUAL(st.in_service, 2);
    CU_ASSERT_EQUAL(st.in_queue, 3);
    AF_ASSERT_REL(st.area_queue_s, 3.0, 1e-15);
    CU_ASSERT_EQUAL(st.work_s, 0);
    CU_ASSERT(isnan(af_queue_quantile_s(q, AF_QUEUE_SOJOURN, 0.5)));
    af_queue_free(q);
    af_sim_free(sim);
}

/* A speed to set from an event (af_set_speed_ev takes thousandths; these need any double). */
typedef struct af_speed_at {
    af_queue *q;
    double s;
} af_speed_at;

static void af_set_speed_to(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    const af_speed_at *sp = ctx;
    af_queue_set_speed(sp->q, sp->s);
}

/* A rounding residue for a speed (1 - load / capacity computed as 1.1e-16 instead of 0) stalls
 * the queue like 0 instead of putting completions beyond the end of time; the requests stay in
 * system, more wait behind them, and at speed 1 all complete. Two servers, two requests of 1 ms
 * started at 0 and stalled at 0.2 ms, two more submitted while stalled; at 1 s the speed comes
 * back: the first two have 0.8 ms left (done at 1.0008 s), the others follow 1 ms later. */
static void test_speed_residue_then_back(void)
{
    static const double stalls[] = {1.1102230246251565e-16, 0, 1e-13};
    for (size_t i = 0; i < sizeof stalls / sizeof stalls[0]; i++) {
        af_sim *sim = af_sim_new(0);
        af_queue *q = af_queue_new(sim, 2, 0);
        af_log l = {0};
        af_queue_submit(q, 1e-3, af_log_done, &l, 0);
        af_queue_submit(q, 1e-3, af_log_done, &l, 1);
        af_speed_at stall = {q, stalls[i]}, full = {q, 1};
        af_sim_at(sim, 200000, af_set_speed_to, &stall, 0);
        af_sim_run(sim, 300000, 0);
        CU_ASSERT_EQUAL(af_queue_speed(q), 0);
        CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
        af_queue_submit(q, 1e-3, af_log_done, &l, 2);
        af_queue_submit(q, 1e-3, af_log_done, &l, 3);
        af_sim_at(sim, 1000000000, af_set_speed_to, &full, 0);
        CU_ASSERT_EQUAL(af_sim_run(sim, 999999999, 0), AF_RUN_END);
        af_queue_stats st;
        af_queue_get_stats(q, &st);
        CU_ASSERT_EQUAL(l.n, 0);
        CU_ASSERT_EQUAL(st.in_system, 4);
        CU_ASSERT_EQUAL(st.in_service, 2);
        CU_ASSERT_EQUAL(st.in_queue, 2);
        AF_ASSERT_REL(st.work_s, 4e-4, 1e-12);
        af_sim_run(sim, AF_TIME_MAX, 0);
        CU_ASSERT_EQUAL_FATAL(l.n, 4);
        CU_ASSERT_EQUAL(l.end_ns[0], 1000800000);
        CU_ASSERT_EQUAL(l.end_ns[1], 1000800000);
        CU_ASSERT_EQUAL(l.end_ns[2], 1001800000);
        CU_ASSERT_EQUAL(l.end_ns[3], 1001800000);
        af_queue_get_stats(q, &st);
        CU_ASSERT_EQUAL(st.in_system, 0);
        CU_ASSERT_EQUAL(st.completed, 4);
        AF_ASSERT_REL(st.work_s, 4e-3, 1e-12);
        af_queue_free(q);
        af_sim_free(sim);
    }
}

/* Speeds above the stall threshold whose completion would overflow the clock: 1e-11 with 1e9 s
 * of work left (1e29 ns), and a demand of 1e300 s at full speed (an infinite number of ns). No
 * completion is scheduled, the requests count in system, the run ends, and when the speed
 * rises to 1 the first request completes on time; freeing the queue with the huge one still in
 * service is clean. */
static void test_speed_overflow(void)
{
    af_sim *sim = af_sim_new(0);
    af_queue *q = af_queue_new(sim, 1, 0);
    af_log l = {0};
    af_queue_set_speed(q, 1e-11);
    CU_ASSERT_EQUAL(af_queue_speed(q), 1e-11);
    af_queue_submit(q, 1e9, af_log_done, &l, 0);
    af_queue_submit(q, 1e300, af_log_done, &l, 1);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    af_queue_stats st;
    af_queue_get_stats(q, &st);
    CU_ASSERT_EQUAL(st.in_system, 2);
    CU_ASSERT_EQUAL(st.in_service, 1);
    /* 1 s at 1e-11, then full speed: 1e9 - 1e-11 s of work left. */
    af_speed_at full = {q, 1};
    af_sim_at(sim, 1000000000, af_set_speed_to, &full, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(l.n, 1);
    CU_ASSERT_EQUAL(l.arg[0], 0);
    CU_ASSERT_EQUAL(l.end_ns[0], 1000000000 + 1000000000LL * 1000000000LL);
    af_queue_get_stats(q, &st);
    CU_ASSERT_EQUAL(st.in_system, 1);
    CU_ASSERT_EQUAL(st.in_service, 1);
    CU_ASSERT_EQUAL(st.completed, 1);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    af_queue_free(q);
    af_sim_free(sim);
}

/* Random arrivals and frequent random speed changes: the device work delivered equals the sum of
 * the demands served (each completion may run at most 1 ns late, so at most speed * 1 ns each). */
typedef struct af_churn {
    af_queue *q;
    gsl_rng *r;
    double demand_sum_s; /* demands submitted */
    uint64_t left;       /* arrivals still to make */
    uint64_t done;
} af_churn;

static void af_churn_done(af_sim *sim, void *ctx, uint64_t arg, const af_queue_done *d)
{
    (void)sim, (void)arg;
    af_churn *c = ctx;
    CU_ASSERT(d->start_ns >= d->arrive_ns && d->end_ns >= d->start_ns);
    c->done++;
}

static void af_churn_arrive(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_churn *c = ctx;
    double d = gsl_ran_exponential(c->r, 1e-3);
    c->demand_sum_s += d;
    af_queue_submit(c->q, d, af_churn_done, c, 0);
    if (--c->left)
        af_sim_after(sim, (af_time_ns)llround(gsl_ran_exponential(c->r, 0.5e6)), af_churn_arrive, c,
                     0);
}

static void af_churn_speed(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_churn *c = ctx;
    af_queue_set_speed(c->q, 0.05 + 0.95 * gsl_rng_uniform(c->r));
    if (c->left)
        af_sim_after(sim, (af_time_ns)llround(gsl_ran_exponential(c->r, 0.3e6)), af_churn_speed, c,
                     0);
}

static void test_work_conserved_under_churn(void)
{
    af_sim *sim = af_sim_new(0);
    af_churn c = {
        .q = af_queue_new(sim, 4, 0), .r = af_rng_new(AF_SEED, "queue.churn"), .left = 100000};
    af_sim_at(sim, 0, af_churn_arrive, &c, 0);
    af_sim_at(sim, 0, af_churn_speed, &c, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    af_queue_stats st;
    af_queue_get_stats(c.q, &st);
    CU_ASSERT_EQUAL(c.done, 100000);
    CU_ASSERT_EQUAL(st.in_system, 0);
    CU_ASSERT(st.work_s >= c.demand_sum_s - 1e-6);
    CU_ASSERT(st.work_s <= c.demand_sum_s + (double)st.completed * 1e-9);
    /* The pool stays at the high-water mark of requests in system. */
    CU_ASSERT(st.pool_cap <= 1024);
    af_queue_free(c.q);
    af_rng_free(c.r);
    af_sim_free(sim);
}

/* Two identical runs give identical statistics and percentiles. */
static void test_deterministic(void)
{
    af_queue_stats st[2];
    double p99[2];
    for (int k = 0; k < 2; k++) {
        af_run *r = calloc(1, sizeof *r);
        af_est e;
        af_run_case(r, "det", 3, 2.4, false, 1.0, 30000, &e);
        af_queue_get_stats(r->q, &st[k]);
        p99[k] = af_queue_quantile_s(r->q, AF_QUEUE_SOJOURN, 0.99);
        af_run_fini(r);
        free(r);
    }
    CU_ASSERT(memcmp(&st[0], &st[1], sizeof st[0]) == 0);
    CU_ASSERT_EQUAL(p99[0], p99[1]);
}

/* The histogram's quantiles are within 2^-8 of the exact empirical quantiles: N requests on N
 * servers at time 0 have sojourn = their demand (rounded up to the ns), spread log-uniformly
 * over 1 ns .. 10^4 s (past the 2^40 ns rebase of the virtual clock). */
static int af_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct af_collect {
    int64_t *v;
    size_t n;
} af_collect;

static void af_collect_done(af_sim *sim, void *ctx, uint64_t arg, const af_queue_done *d)
{
    (void)sim, (void)arg;
    af_collect *c = ctx;
    c->v[c->n++] = d->end_ns - d->arrive_ns;
    /* No wait, so the sojourn is the demand on the ns grid, also for requests that were in
     * service while the virtual clock was rebased. */
    CU_ASSERT(d->end_ns - d->arrive_ns == (af_time_ns)ceil(d->demand_s * 1e9 - 1e-3));
}

static void test_histogram_error_bound(void)
{
    enum { N = 20000 };
    af_sim *sim = af_sim_new(0);
    af_queue *q = af_queue_new(sim, N, 0);
    gsl_rng *r = af_rng_new(AF_SEED, "queue.hist");
    af_collect c = {.v = calloc(N, sizeof(int64_t))};
    for (int i = 0; i < N; i++)
        af_queue_submit(q, 1e-9 * pow(10, 13 * gsl_rng_uniform(r)), af_collect_done, &c, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(c.n, N);
    qsort(c.v, N, sizeof c.v[0], af_cmp_i64);
    double worst = 0;
    for (int i = 0; i <= 1000; i++) {
        double p = i / 1000.0;
        size_t k = (size_t)ceil(p * N - 1e-9);
        double want = (double)c.v[k ? k - 1 : 0];
        double got = af_queue_quantile_s(q, AF_QUEUE_SOJOURN, p) * 1e9;
        double rel = want > 0 ? fabs(got - want) / want : fabs(got);
        if (rel > worst)
            worst = rel;
        CU_ASSERT(rel < 1.0 / 256);
        if (want < 256) /* exact, up to the round trip through seconds */
            CU_ASSERT(fabs(got - want) <= 1e-12 * want);
    }
    printf("\n    worst relative quantile error %.5f%% (bound %.5f%%)", 100 * worst, 100.0 / 256);
    AF_ASSERT_REL(af_queue_quantile_s(q, AF_QUEUE_SOJOURN, 1) * 1e9, (double)c.v[N - 1], 1e-15);
    AF_ASSERT_REL(af_queue_quantile_s(q, AF_QUEUE_SOJOURN, 0) * 1e9, (double)c.v[0], 1e-15);
    CU_ASSERT_EQUAL(af_queue_quantile_s(q, AF_QUEUE_WAIT, 0.99), 0);
    free(c.v);
    af_rng_free(r);
    af_queue_free(q);
    af_sim_free(sim);
}

/* Per-window quantiles: after a copy of the histogram, af_queue_quantile_since_s reads the
 * quantiles of the requests completed since, against the sorted values of that window alone,
 * within the histogram's 2^-8. A window with nothing completed is NaN. */
static void test_quantiles_since(void)
{
    enum { N = 5000 };
    af_sim *sim = af_sim_new(0);
    af_queue *q = af_queue_new(sim, N, 0);
    gsl_rng *r = af_rng_new(AF_SEED, "queue.since");
    uint64_t *base = calloc(af_queue_hist_size(), sizeof *base);
    /* Window 1: short requests (1 us to 1 ms); window 2: long ones (10 ms to 1 s). */
    for (int i = 0; i < N; i++)
        af_queue_submit(q, 1e-6 * pow(10, 3 * gsl_rng_uniform(r)), NULL, NULL, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    af_queue_hist_copy(q, AF_QUEUE_SOJOURN, base);
    CU_ASSERT(isnan(af_queue_quantile_since_s(q, AF_QUEUE_SOJOURN, 0.5, base)));
    af_collect c = {.v = calloc(N, sizeof(int64_t))};
    for (int i = 0; i < N; i++)
        af_queue_submit(q, 1e-2 * pow(10, 2 * gsl_rng_uniform(r)), af_collect_done, &c, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(c.n, N);
    qsort(c.v, N, sizeof c.v[0], af_cmp_i64);
    for (int i = 1; i < 1000; i++) {
        double p = i / 1000.0;
        size_t k = (size_t)ceil(p * N - 1e-9);
        double want = (double)c.v[k - 1];
        double got = af_queue_quantile_since_s(q, AF_QUEUE_SOJOURN, p, base) * 1e9;
        CU_ASSERT(fabs(got - want) / want < 1.0 / 256);
    }
    /* The whole-run median is the first window's largest (the 5,000th of 10,000), the
     * window's above 10 ms. */
    CU_ASSERT(af_queue_quantile_s(q, AF_QUEUE_SOJOURN, 0.5) <= 1e-3 * 1.004);
    CU_ASSERT(af_queue_quantile_since_s(q, AF_QUEUE_SOJOURN, 0.5, base) >= 1e-2);
    free(c.v);
    free(base);
    af_rng_free(r);
    af_queue_free(q);
    af_sim_free(sim);
}

static const af_test tests[] = {
    {"per-window quantiles since a histogram copy", test_quantiles_since},
    {"speed change mid-service conserves work (1.75 s)", test_speed_change_conserves_work},
    {"speed changes with several requests in service", test_speed_changes_many_in_service},
    {"FIFO order and zero demands", test_fifo_and_zero_demand},
    {"a hold counts in its request's sojourn only", test_hold_counts_in_sojourn_only},
    {"stalled queue holds work; free drops requests", test_stall_and_free},
    {"a speed residue of 1e-16 stalls like 0; speed 1 resumes", test_speed_residue_then_back},
    {"completions beyond the end of time are not scheduled", test_speed_overflow},
    {"work conserved under random speed churn", test_work_conserved_under_churn},
    {"histogram quantiles within 2^-8", test_histogram_error_bound},
    {"deterministic", test_deterministic},
    {"Erlang C reproduces the doc/formulas.md table", test_erlang_c_table},
    {"M/M/1 at rho 0.5, 0.8, 0.9 (and sojourn percentiles)", test_mm1},
    {"M/D/1 at rho 0.5, 0.8, 0.9", test_md1},
    {"M/M/c, c = 2, 3, 8, 10", test_mmc},
    {"speed 0.5 equals M/M/1 with mu halved", test_speed_half},
    {NULL, NULL}};

AF_TEST_MAIN("queue", tests)
