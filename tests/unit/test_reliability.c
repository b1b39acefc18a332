/*
 * test_reliability: checkpoint intervals (Young, Daly) against hand-computed values and Daly's
 * published optima; the exact optimum of Daly's wall time (Lambert W, and the test's own root of
 * the stationarity condition) against Daly's series within the series' remainder and against
 * the module's minimizer within what a double can resolve; the first-order waste within its
 * proven bound; the Llama 3 interruption figures (Dubey et al. 2024, table 5) and the per-GPU
 * MTBF they imply; cause picking, group failure draws (exponential, Weibull) and Poisson counts
 * against their laws; the slowest member of a lock-step group against closed forms, Harter's
 * table of normal order statistics and its own Monte Carlo draws (doc/formulas.md,
 * "Checkpoints and failures").
 *
 * Statistical checks. Every random check is a test at confidence AF_CONF = 99.9%: a mean must
 * lie within the Student-t interval of the sample mean (from the sample standard deviation), a
 * sample's distribution must pass a Kolmogorov-Smirnov test at level 0.001 (critical value of
 * the Kolmogorov limit law, conservative for the sample sizes here), and the cause counts a
 * chi-square test at 0.001. Seeds are fixed, so the output is the same on every run; with
 * about 50 such checks a seed fails one of them by chance with probability about 5% (seeds 1
 * to 30 failed 3 of 1,530 checks, where chance predicts 1.5), and CPPFLAGS=-DAF_SEED=n repeats
 * the file under another seed. In a sanitizer build
 * (AIFSIM_SANITIZED=yes) the sample sizes are divided by AF_SAN_SCALE; the tests are the same.
 */
#include "model/reliability.h"

#include "base/diag.h"
#include "engine/rng.h"

#include "cutest.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_lambert.h>
#include <gsl/gsl_sort.h>
#include <stdbool.h>
#include <stdio.h>

#ifndef AF_SEED
#define AF_SEED 20240731u
#endif

/* Confidence of every interval, and the level of every distribution test (1 - AF_CONF). */
#define AF_CONF 0.999

/* Divisor of the sample sizes in a sanitizer build. */
#define AF_SAN_SCALE 4

#define AF_HOUR 3600.0
#define AF_DAY 86400.0
#define AF_YEAR (365.25 * AF_DAY)
#define AF_PI 3.14159265358979323846

static bool af_sanitized(void)
{
    const char *s = getenv("AIFSIM_SANITIZED");
    return s && strcmp(s, "yes") == 0;
}

static size_t af_scaled(size_t n)
{
    return af_sanitized() ? n / AF_SAN_SCALE : n;
}

/* ---- statistics helpers -------------------------------------------------------------------- */

/* Mean and half-width of the two-sided AF_CONF Student-t interval of n samples. */
static void af_mean_ci(const double *x, size_t n, double *mean, double *hw)
{
    *mean = gsl_stats_mean(x, 1, n);
    *hw = gsl_cdf_tdist_Pinv(0.5 + AF_CONF / 2, (double)(n - 1)) *
          gsl_stats_sd_m(x, 1, n, *mean) / sqrt((double)n);
}

/* Checks that `want` lies in the AF_CONF interval of the sample mean; prints one line. */
static void af_check_mean(const char *what, const double *x, size_t n, double want)
{
    double m, hw;
    af_mean_ci(x, n, &m, &hw);
    bool ok = fabs(m - want) <= hw;
    printf("\n    %-40s want %.8g  mean %.8g +- %.3g (%.2g%%)%s", what, want, m, hw,
           100 * hw / fabs(want), ok ? "" : "  OUTSIDE CI");
    CU_ASSERT(ok);
}

/* Critical value of sqrt(n) D at level 1 - AF_CONF from the Kolmogorov limit law,
 * P(sqrt(n) D > x) -> 2 sum (-1)^(k-1) e^(-2 k^2 x^2): the first term alone gives
 * x = sqrt(-ln(alpha/2) / 2) = 1.9495 (the next term is 1e-13 of it). For finite n the law of
 * sqrt(n) D lies below its limit, so the test is slightly conservative. */
static double af_ks_crit(void)
{
    return sqrt(-log((1 - AF_CONF) / 2) / 2);
}

/* One-sample Kolmogorov-Smirnov statistic of x (sorted here) against the CDF cdf. */
static double af_ks1(double *x, size_t n, double (*cdf)(double, const void *), const void *ctx)
{
    gsl_sort(x, 1, n);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = cdf(x[i], ctx);
        double hi = (double)(i + 1) / (double)n - f, lo = f - (double)i / (double)n;
        d = fmax(d, fmax(hi, lo));
    }
    return d;
}

/* Two-sample Kolmogorov-Smirnov statistic of x and y (both sorted here). */
static double af_ks2(double *x, size_t nx, double *y, size_t ny)
{
    gsl_sort(x, 1, nx);
    gsl_sort(y, 1, ny);
    size_t i = 0, j = 0;
    double d = 0;
    while (i < nx && j < ny) {
        double v = fmin(x[i], y[j]);
        while (i < nx && x[i] <= v)
            i++;
        while (j < ny && y[j] <= v)
            j++;
        d = fmax(d, fabs((double)i / (double)nx - (double)j / (double)ny));
    }
    return d;
}

/* Checks a one-sample KS statistic; prints one line. */
static void af_check_ks1(const char *what, double d, size_t n)
{
    double z = sqrt((double)n) * d, crit = af_ks_crit();
    printf("\n    %-40s KS sqrt(n) D = %.3f (critical %.3f, n = %zu)%s", what, z, crit, n,
           z <= crit ? "" : "  REJECTED");
    CU_ASSERT(z <= crit);
}

/* Checks a two-sample KS statistic; prints one line. */
static void af_check_ks2(const char *what, double d, size_t nx, size_t ny)
{
    double z = sqrt((double)nx * (double)ny / (double)(nx + ny)) * d, crit = af_ks_crit();
    printf("\n    %-40s KS2 sqrt(n m/(n+m)) D = %.3f (critical %.3f)%s", what, z, crit,
           z <= crit ? "" : "  REJECTED");
    CU_ASSERT(z <= crit);
}

/* ---- checkpoint intervals ------------------------------------------------------------------ */

/* Daly's three cases (Daly 2006, figs. 3-5): delta = 5 min, R = 10 min, T_s = 500 h, and
 * M = 24 h, 6 h, 15 min, for which the paper gives tau_opt = 117 min, 57 min and 9.1 min. */
static void test_young_daly_hand(void)
{
    /* M = 24 h: sqrt(2 x 300 x 86400) = sqrt(51,840,000) = 7200 s. delta/(2M) = 300/172800 =
     * 1/576, whose root is 1/24, so Daly's tau = 7200 (1 + 1/72 + 1/5184) - 300
     * = 7200 + 100 + 25/18 - 300 = 7001.3889 s = 116.69 min. */
    AF_ASSERT_REL(af_young_interval_s(300, 86400), 7200, 1e-15);
    AF_ASSERT_REL(af_daly_interval_s(300, 86400), 7000 + 25.0 / 18, 1e-14);
    CU_ASSERT(fabs(af_daly_interval_s(300, 86400) / 60 - 117) <= 0.5);
    /* M = 6 h: sqrt(2 x 300 x 21600) = 3600 s; delta/(2M) = 1/144, root 1/12: tau = 3600
     * (1 + 1/36 + 1/1296) - 300 = 3400 + 25/9 = 3402.7778 s = 56.71 min. */
    AF_ASSERT_REL(af_young_interval_s(300, 6 * AF_HOUR), 3600, 1e-15);
    AF_ASSERT_REL(af_daly_interval_s(300, 6 * AF_HOUR), 3400 + 25.0 / 9, 1e-14);
    CU_ASSERT(fabs(af_daly_interval_s(300, 6 * AF_HOUR) / 60 - 57) <= 0.5);
    /* M = 15 min: delta/(2M) = 1/6 < 1; sqrt(2 x 300 x 900) = sqrt(540000) = 734.847 s;
     * tau = 734.847 (1 + 1/(3 sqrt 6) + 1/54) - 300 = 548.455 s = 9.14 min. */
    AF_ASSERT_REL(af_daly_interval_s(300, 900),
                  sqrt(540000) * (1 + 1 / (3 * sqrt(6)) + 1.0 / 54) - 300, 1e-14);
    CU_ASSERT(fabs(af_daly_interval_s(300, 900) / 60 - 9.1) <= 0.05);
    /* delta >= 2M: Daly's rule gives M, at the boundary and beyond. Just below it the series
     * gives 2M (1 + 1/3 + 1/9) - 2M = 8M/9. */
    CU_ASSERT_DOUBLE_EQUAL(af_daly_interval_s(1800, 900), 900, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_daly_interval_s(1e6, 900), 900, 0);
    AF_ASSERT_REL(af_daly_interval_s(1800 * (1 - 1e-12), 900), 800, 1e-9);
    /* A free checkpoint is taken continuously. */
    CU_ASSERT_DOUBLE_EQUAL(af_young_interval_s(0, 900), 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_daly_interval_s(0, 900), 0, 0);
    /* Outside the domain: NaN. */
    CU_ASSERT(isnan(af_young_interval_s(-1, 900)));
    CU_ASSERT(isnan(af_daly_interval_s(300, 0)));
    CU_ASSERT(isnan(af_daly_interval_s(NAN, 900)));
    CU_ASSERT(isnan(af_daly_interval_s(300, INFINITY)));
    CU_ASSERT(isnan(af_daly_wall_s(1, 0, 300, 600, 900)));
    CU_ASSERT(isnan(af_waste_first_order(100, 300, -1, 900)));
    CU_ASSERT(isnan(af_best_interval_s(0, 600, 900)));
    CU_ASSERT(isnan(af_job_mtbf_s(1e6, 0)));
}

/* Daly's wall time on numbers chosen to come out round: M = 1 h, R = M ln 2 (e^(R/M) = 2),
 * tau + delta = M ln 3 (e^((tau + delta)/M) - 1 = 2), T_s = 10 tau: T_w = 3600 x 2 x 2 x 10 =
 * 144,000 s. Without failures (M -> inf) it is T_s (tau + delta) / tau. */
static void test_daly_wall(void)
{
    double M = AF_HOUR, delta = 300, tau = M * log(3) - delta;
    AF_ASSERT_REL(af_daly_wall_s(10 * tau, tau, delta, M * log(2), M), 144000, 1e-14);
    /* The factor e^(R/M) alone: R = 0 halves it. */
    AF_ASSERT_REL(af_daly_wall_s(10 * tau, tau, delta, 0, M), 72000, 1e-14);
    /* M = 1e15 s: the failure terms are ~1e-11 of T_w; expm1 keeps them from cancelling. */
    AF_ASSERT_REL(af_daly_wall_s(1800000, 7200, 300, 600, 1e15), 1800000 * 7500.0 / 7200, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(af_daly_wall_s(0, 7200, 300, 600, 86400), 0, 0);
}

/* The first-order waste delta/tau + (tau + delta)/(2M) + R/M. Hand value at delta = 5 min,
 * tau = 2 h, R = 10 min, M = 24 h: 1/24 + 7500/172800 + 1/144 = 0.0416667 + 0.0434028 +
 * 0.0069444 = 0.0920139. Bound: with u = delta/tau, v = (tau + delta)/(2M), w = R/M and
 * S = u + v + w, T_w/T_s = (1 + u) e^w (e^(2v) - 1)/(2v). Since e^w >= 1 + w and
 * (e^(2v) - 1)/(2v) >= 1 + v, T_w/T_s - 1 >= S; since 1 + u <= e^u and
 * ln((e^(2v) - 1)/(2v)) = v + ln(sinh v / v) <= v + v^2/6 (sinh v / v = prod(1 + v^2/(k pi)^2)),
 * T_w/T_s - 1 <= e^(S + S^2/6) - 1 - S + S <= S + 0.92 S^2 for S <= 0.3. So the exact overhead
 * exceeds the first-order one by between 0 and S^2. */
static void test_waste_first_order(void)
{
    AF_ASSERT_REL(af_waste_first_order(7200, 300, 600, 86400),
                  1.0 / 24 + 7500.0 / 172800 + 1.0 / 144, 1e-14);
    int checked = 0;
    for (double M = 1800; M <= 1e7; M *= 3)
        for (double delta = 1; delta <= 3000; delta *= 4)
            for (double R = 0; R <= 3000; R += 750)
                for (double f = 0.25; f <= 4; f *= 2) {
                    double tau = f * af_young_interval_s(delta, M);
                    double S = af_waste_first_order(tau, delta, R, M);
                    if (S > 0.3)
                        continue;
                    double exact = af_daly_wall_s(1, tau, delta, R, M) - 1;
                    CU_ASSERT(exact - S >= -1e-15);
                    CU_ASSERT(exact - S <= S * S);
                    checked++;
                }
    CU_ASSERT(checked > 100);
}

/* The exact optimum tau* = M t of Daly's T_w, by the test's own solver: t is the root in (0, 1)
 * of h(t) = t + d + ln(1 - t) (d = delta/M), the logarithm of the stationarity condition
 * e^(t + d) (1 - t) = 1. h(0) = d > 0, h -> -inf at 1 and h' = -t/(1 - t) < 0, so bisection finds
 * the one root; log1p keeps h accurate where t and d are small. */
static double af_exact_optimum(double delta, double M)
{
    double d = delta / M, lo = 0, hi = 1;
    for (int i = 0; i < 200 && hi - lo > 0; i++) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        if (mid + d + log1p(-mid) > 0)
            lo = mid;
        else
            hi = mid;
    }
    return M * 0.5 * (lo + hi);
}

/* Daly's series against the exact optimum, and the module's minimizer against both.
 *
 * Series: with s = sqrt(delta/(2M)), reverting h(t) = 0 as a series in s (2s^2 = d =
 * t^2/2 + t^3/3 + ...) gives t = 2s - (4/3)s^2 + (2/9)s^3 + (8/135)s^4 + (1/135)s^5
 * - (32/8505)s^6 - (139/42525)s^7 - ...; Daly's tau is the first three terms, so
 * tau* - tau_Daly = M[(8/135)s^4 + r] where r sums the terms from s^5 on. For s <= 1/2 those
 * terms sum to between 0 and s^5/135 (the s^5 term is positive and those after it negative; a
 * 30-digit evaluation of M (1 + W0(-e^(-1-d))) with mpmath shows r / (s^5/135) falling from 1
 * to 0.61 as s goes from 0 to 1/2), so the check is |tau* - tau_Daly - (8/135)s^4 M| <=
 * s^5 M/135, plus rounding.
 *
 * Minimizer: at the optimum T_w'' = T_w / (M tau*) (differentiate T_w = c (e^x - 1)/tau twice
 * and use the stationarity condition), so tau* + e moves T_w by T_w e^2 / (2 M tau*): a move
 * the rounding of T_w (a few ulps, say 8 eps) cannot show is |e| <= tau* sqrt(16 eps M/tau*).
 * The minimizer also stops at a bracket of 1e-8 relative. Its result must lie within the sum of
 * the two of tau*. */
static void test_optimum_vs_daly(void)
{
    const double M = AF_DAY;
    const double ss[] = {0.005, 0.01, 0.02, 1.0 / 24, 1.0 / 12, 0.1, 0.2, 0.3, 0.4082, 0.5};
    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++) {
        double s = ss[i], delta = 2 * M * s * s;
        double exact = af_exact_optimum(delta, M);
        /* The Lambert W closed form agrees (GSL's W0 near the branch point -1/e, where
         * 1 - e^(-d) is formed from a rounded e^(-1-d): 1e-16 / d relative, 2e-12 at the
         * smallest d here). */
        double lw = M * (1 + gsl_sf_lambert_W0(-exp(-1 - delta / M)));
        AF_ASSERT_REL(lw, exact, 1e-9);
        double daly = af_daly_interval_s(delta, M);
        double lead = 8.0 / 135 * pow(s, 4) * M,
               bound = pow(s, 5) * M / 135 + 8 * DBL_EPSILON * exact;
        double rem = exact - daly;
        CU_ASSERT(fabs(rem - lead) <= bound);
        /* The minimizer. */
        double best = af_best_interval_s(delta, 600, M);
        double res = exact * (1e-8 + sqrt(16 * DBL_EPSILON * M / exact));
        CU_ASSERT(fabs(best - exact) <= res);
        /* What the issue asks: Daly's closed form against the numerical minimizer, within the
         * series remainder plus the minimizer's resolution. */
        CU_ASSERT(fabs(best - daly) <= lead + bound + res);
        printf("\n    s=%-6.4g tau*=%-12.6f Daly %-12.6f (tau*-Daly)/((8/135)s^4 M)=%.4f  "
               "minimizer %.6f (|err| %.2g of tau*, allowed %.2g)",
               s, exact, daly, rem / lead, best, fabs(best - exact) / exact, res / exact);
    }
    /* Daly's first case (delta = 5 min, M = 24 h, s = 1/24): his interval is short of the exact
     * optimum by (8/135)(1/24)^4 86400 = 0.0154 s of 7001 s. */
    double e24 = af_exact_optimum(300, AF_DAY);
    CU_ASSERT(fabs(e24 - af_daly_interval_s(300, AF_DAY) - 0.0154) <= 0.0005);
    /* R does not move the optimum: it scales T_w by e^(R/M). */
    double b0 = af_best_interval_s(300, 0, AF_DAY), b1 = af_best_interval_s(300, 3000, AF_DAY);
    CU_ASSERT(fabs(b0 - b1) <= 2 * e24 * (1e-8 + sqrt(16 * DBL_EPSILON * AF_DAY / e24)));
    /* delta >= 2M: the rule gives M; the exact optimum lies between Daly's series at the edge
     * (8M/9) and M: t + 2 + ln(1 - t) = 0 at t = 0.947531 (1 + W0(-e^-3)). */
    double edge = af_exact_optimum(2 * 900, 900);
    AF_ASSERT_REL(edge, 900 * (1 + gsl_sf_lambert_W0(-exp(-3))), 1e-12);
    AF_ASSERT_REL(edge / 900, 0.947531, 1e-6);
    AF_ASSERT_REL(af_best_interval_s(1800, 600, 900), edge, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(af_daly_interval_s(1800, 900), 900, 0);
    /* Far beyond (delta = 50 M) the optimum tends to M: 1 + W0(-e^-51) = 1 - 7e-23. The
     * minimizer works while e^((tau + delta)/M) is a double: at 600 M, not at 699 M. */
    AF_ASSERT_REL(af_best_interval_s(50 * 900, 600, 900), 900, 1e-6);
    AF_ASSERT_REL(af_best_interval_s(600 * 900, 600, 900), 900, 1e-6);
    CU_ASSERT(isnan(af_best_interval_s(699 * 900, 600, 900)));
}

/* ---- failures: published figures --------------------------------------------------------- */

/* Llama 3 405B pre-training (Dubey et al. 2024, sec. 3.3.4, table 5): 466 job interruptions in
 * a 54-day snapshot on up to 16,384 H100 GPUs, 47 planned and 419 unexpected, the latter by
 * root cause. The printed shares match count / 419 rounded to 0.1% except the first row, printed
 * 30.1% for 148 (35.3%); the counts add up to 419 and are what the weights use. */
typedef struct af_cause {
    const char *name;
    const char *category;
    double count;
    double printed_pct;
} af_cause;

static const af_cause llama3[] = {
    {"Faulty GPU", "GPU", 148, 30.1},
    {"GPU HBM3 Memory", "GPU", 72, 17.2},
    {"Software Bug", "Dependency", 54, 12.9},
    {"Network Switch/Cable", "Network", 35, 8.4},
    {"Host Maintenance", "Unplanned Maintenance", 32, 7.6},
    {"GPU SRAM Memory", "GPU", 19, 4.5},
    {"GPU System Processor", "GPU", 17, 4.1},
    {"NIC", "Host", 7, 1.7},
    {"NCCL Watchdog Timeouts", "Unknown", 7, 1.7},
    {"Silent Data Corruption", "GPU", 6, 1.4},
    {"GPU Thermal Interface + Sensor", "GPU", 6, 1.4},
    {"SSD", "Host", 3, 0.7},
    {"Power Supply", "Host", 3, 0.7},
    {"Server Chassis", "Host", 2, 0.5},
    {"IO Expansion Board", "Host", 2, 0.5},
    {"Dependency", "Dependency", 2, 0.5},
    {"CPU", "Host", 2, 0.5},
    {"System Memory", "Host", 2, 0.5},
};
#define AF_NCAUSES (sizeof llama3 / sizeof llama3[0])

static void test_llama3_mtbf(void)
{
    double total = 0, gpu = 0;
    for (size_t i = 0; i < AF_NCAUSES; i++) {
        total += llama3[i].count;
        if (strcmp(llama3[i].category, "GPU") == 0)
            gpu += llama3[i].count;
        if (i > 0) /* the first row's printed share is the table's one inconsistency */
            CU_ASSERT_DOUBLE_EQUAL(round(1000 * llama3[i].count / 419) / 10, llama3[i].printed_pct,
                                   1e-9);
    }
    CU_ASSERT_DOUBLE_EQUAL(total, 419, 0);
    CU_ASSERT_DOUBLE_EQUAL(gpu, 268, 0); /* 148 + 72 + 19 + 17 + 6 + 6 */
    /* 54 days = 4,665,600 s. Job MTBF from the 419 unexpected interruptions: 4,665,600 / 419 =
     * 11,135.08 s = 3.09 h ("one failure every three hours"); from all 466: 10,012.0 s =
     * 2.78 h. */
    double span = 54 * AF_DAY, gpus = 16384;
    CU_ASSERT_DOUBLE_EQUAL(span, 4665600, 0);
    double M = span / 419;
    AF_ASSERT_REL(M, 11135.08, 1e-6);
    AF_ASSERT_REL(span / 466 / AF_HOUR, 2.7811, 1e-4);
    /* Charged to the GPUs as 16,384 independent exponential components, the per-GPU MTBF is
     * N M = 16384 x 11,135.08 = 1.82437e8 s = 50,677 h = 5.78 years, and af_job_mtbf_s maps it
     * back to the job's M. */
    double m = gpus * M;
    AF_ASSERT_REL(m, 1.82437e8, 1e-5);
    AF_ASSERT_REL(m / AF_HOUR, 50677, 1e-4);
    AF_ASSERT_REL(m / AF_YEAR, 5.781, 1e-3);
    AF_ASSERT_REL(af_job_mtbf_s(m, gpus), M, 1e-15);
    /* The GPU categories alone (268): job MTBF 4,665,600 / 268 = 17,408.96 s = 4.84 h, per GPU
     * 79,230 h = 9.04 years. */
    double m_gpu = gpus * span / gpu;
    AF_ASSERT_REL(span / gpu, 17408.96, 1e-6);
    AF_ASSERT_REL(m_gpu / AF_HOUR, 79230, 1e-4);
    AF_ASSERT_REL(m_gpu / AF_YEAR, 9.038, 1e-3);
    AF_ASSERT_REL(af_job_mtbf_s(m_gpu, gpus), span / gpu, 1e-15);
    /* With that job MTBF and a 5-minute checkpoint, Daly's interval is
     * sqrt(600 x 11135.08) (1 + (1/3) sqrt(300/22270.17) + (1/9)(300/22270.17)) - 300
     * = 2584.77 x (1 + 0.038688 + 0.001497) - 300 = 2388.6 s, 40 minutes. */
    double x = 300 / (2 * M);
    AF_ASSERT_REL(af_daly_interval_s(300, M), sqrt(600 * M) * (1 + sqrt(x) / 3 + x / 9) - 300,
                  1e-14);
    AF_ASSERT_REL(af_daly_interval_s(300, M), 2388.6, 1e-4);
}

/* Picks by the Llama 3 counts: the cause frequencies of 100,000 picks pass a chi-square test
 * (17 degrees of freedom) at level 0.001; zero weights are never picked; one uniform per pick. */
static void test_cause_pick(void)
{
    gsl_rng *r = af_rng_new(AF_SEED, "reliability.causes");
    double w[AF_NCAUSES];
    for (size_t i = 0; i < AF_NCAUSES; i++)
        w[i] = llama3[i].count;
    size_t n = af_scaled(100000), got[AF_NCAUSES] = {0};
    for (size_t k = 0; k < n; k++) {
        size_t c = af_cause_pick(w, AF_NCAUSES, r);
        CU_ASSERT_FATAL(c < AF_NCAUSES);
        got[c]++;
    }
    double chi2 = 0;
    for (size_t i = 0; i < AF_NCAUSES; i++) {
        double e = (double)n * w[i] / 419;
        chi2 += ((double)got[i] - e) * ((double)got[i] - e) / e;
    }
    double crit = gsl_cdf_chisq_Pinv(AF_CONF, AF_NCAUSES - 1);
    printf("\n    Llama 3 causes: chi2 = %.2f (critical %.2f, %zu picks), Faulty GPU %.4f "
           "(148/419 = %.4f)",
           chi2, crit, n, (double)got[0] / (double)n, 148.0 / 419);
    CU_ASSERT(chi2 <= crit);
    /* Zero weights: never picked; only one positive: always it; none positive: n. */
    double z[] = {0, 3, 0, 0};
    for (int k = 0; k < 1000; k++)
        CU_ASSERT_EQUAL(af_cause_pick(z, 4, r), 1);
    double none[] = {0, 0};
    CU_ASSERT_EQUAL(af_cause_pick(none, 2, r), 2);
    CU_ASSERT_EQUAL(af_cause_pick(none, 0, r), 0);
    /* One uniform per pick, so a stream's later draws do not depend on the table's size. */
    gsl_rng *c = gsl_rng_clone(r);
    af_cause_pick(w, AF_NCAUSES, r);
    gsl_rng_uniform(c);
    CU_ASSERT_EQUAL(gsl_rng_get(r), gsl_rng_get(c));
    gsl_rng_free(c);
    af_rng_free(r);
}

/* ---- failures: group draws --------------------------------------------------------------- */

/* The Weibull CDF with scale ctx[0] and shape ctx[1], for the KS tests. */
static double af_weibull_cdf(double x, const void *ctx)
{
    const double *p = ctx;
    return gsl_cdf_weibull_P(x, p[0], p[1]);
}

/* The group first-failure draw for the exponential and for Weibull shapes below, at and above 1:
 * its distribution against the closed form Weibull(k, lambda n^(-1/k)) by a one-sample KS test,
 * its mean against m n^(-1/k), and (n = 8, 64, where it is affordable) against the minimum of
 * n separate component draws by a two-sample KS test. */
static void test_group_first_failure(void)
{
    gsl_rng *r = af_rng_new(AF_SEED, "reliability.groups");
    size_t N = af_scaled(20000);
    double *x = af_malloc_array(N, sizeof *x), *y = af_malloc_array(N, sizeof *y);
    /* Scales: the exponential's is its mean; a Weibull's is mean / Gamma(1 + 1/k)
     * (Gamma(1 + 1/0.7) = 1.265824, Gamma(1 + 1/1.5) = 0.902745); shape 1 is the exponential. */
    af_failure_spec w07 = {AF_FAIL_WEIBULL, 5 * AF_YEAR, 0.7};
    af_failure_spec w15 = {AF_FAIL_WEIBULL, 5 * AF_YEAR, 1.5};
    af_failure_spec e = {AF_FAIL_EXPONENTIAL, 5 * AF_YEAR, 0};
    af_failure_spec w1 = {AF_FAIL_WEIBULL, 5 * AF_YEAR, 1};
    AF_ASSERT_REL(af_failure_scale_s(&w07), 5 * AF_YEAR / 1.265824, 1e-6);
    AF_ASSERT_REL(af_failure_scale_s(&w15), 5 * AF_YEAR / 0.902745, 1e-6);
    AF_ASSERT_REL(af_failure_scale_s(&e), 5 * AF_YEAR, 1e-15);
    AF_ASSERT_REL(af_failure_scale_s(&w1), 5 * AF_YEAR, 1e-14);
    AF_ASSERT_REL(af_failure_group_mean_s(&w1, 16384), af_failure_group_mean_s(&e, 16384), 1e-14);
    /* k = 0.7, n = 16384: n^(1/0.7 - 1) = 2^(14 x 3/7) = 64 times sooner than m/n. */
    AF_ASSERT_REL(af_failure_group_mean_s(&e, 16384) / af_failure_group_mean_s(&w07, 16384), 64,
                  1e-12);
    const af_failure_spec *specs[] = {&e, &w07, &w15};
    const char *names[] = {"exponential", "weibull k=0.7", "weibull k=1.5"};
    const double ns[] = {1, 8, 64, 16384};
    for (size_t si = 0; si < 3; si++) {
        const af_failure_spec *f = specs[si];
        double k = f->dist == AF_FAIL_EXPONENTIAL ? 1 : f->shape;
        for (size_t ni = 0; ni < 4; ni++) {
            double n = ns[ni];
            for (size_t i = 0; i < N; i++)
                x[i] = af_failure_first_s(f, n, r);
            char what[96];
            snprintf(what, sizeof what, "%s n=%g mean", names[si], n);
            af_check_mean(what, x, N, f->mean_s * pow(n, -1 / k));
            double p[2] = {af_failure_scale_s(f) * pow(n, -1 / k), k};
            snprintf(what, sizeof what, "%s n=%g law", names[si], n);
            af_check_ks1(what, af_ks1(x, N, af_weibull_cdf, p), N);
            if (n == 1 || n > 64)
                continue;
            /* The minimum of n separate draws of one component (GSL's Weibull directly). */
            for (size_t i = 0; i < N; i++) {
                double mn = INFINITY;
                for (int c = 0; c < (int)n; c++)
                    mn = fmin(mn, gsl_ran_weibull(r, af_failure_scale_s(f), k));
                y[i] = mn;
            }
            snprintf(what, sizeof what, "%s n=%g vs min of n", names[si], n);
            af_check_ks2(what, af_ks2(x, N, y, N), N, N);
        }
    }
    af_free(x);
    af_free(y);
    af_rng_free(r);
}

/* Poisson counts: a group of 16,384 GPUs with exponential lifetimes of mean 5 years, renewed
 * at each failure (the caller redraws), over the Llama 3 snapshot's 54 days. The count is
 * Poisson with mean n D / m = 16384 x 54 / (5 x 365.25) = 484.5: the sample mean must be within
 * its interval and the variance-to-mean ratio within its own (Var(s^2) = (mu + 2 mu^2)/N for a
 * Poisson count, so the ratio's sd is sqrt((1/mu + 2)/N)). */
static void test_poisson_counts(void)
{
    gsl_rng *r = af_rng_new(AF_SEED, "reliability.poisson");
    af_failure_spec f = {AF_FAIL_EXPONENTIAL, 5 * AF_YEAR, 0};
    double n = 16384, D = 54 * AF_DAY, mu = n * D / f.mean_s;
    AF_ASSERT_REL(mu, 484.5, 1e-3);
    size_t N = af_scaled(4000);
    double *c = af_malloc_array(N, sizeof *c);
    for (size_t i = 0; i < N; i++) {
        double t = af_failure_first_s(&f, n, r);
        unsigned k = 0;
        while (t < D) {
            k++;
            t += af_failure_first_s(&f, n, r);
        }
        c[i] = k;
    }
    af_check_mean("poisson count in 54 days", c, N, mu);
    double m, hw, v = 0;
    af_mean_ci(c, N, &m, &hw);
    for (size_t i = 0; i < N; i++)
        v += (c[i] - m) * (c[i] - m);
    v /= (double)(N - 1);
    double ratio = v / m, z = gsl_cdf_ugaussian_Pinv(0.5 + AF_CONF / 2);
    double rhw = z * sqrt((1 / mu + 2) / (double)N);
    printf("\n    %-40s variance/mean %.4f (1 +- %.3f)", "poisson dispersion", ratio, rhw);
    CU_ASSERT(fabs(ratio - 1) <= rhw);
    af_free(c);
    af_rng_free(r);
}

static void test_failure_check(void)
{
    af_diag *d = af_diag_new();
    af_failure_spec ok = {AF_FAIL_WEIBULL, 1e6, 0.7};
    CU_ASSERT_EQUAL(af_failure_check(&ok, "failures.gpu", d), AF_OK);
    af_failure_spec bad = {AF_FAIL_WEIBULL, -1, 0.01};
    CU_ASSERT_EQUAL(af_failure_check(&bad, "failures.gpu", d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_errors(d), 2);
    char *m0 = af_diag_format(d, 0), *m1 = af_diag_format(d, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(m0, "failures.gpu: mean time between failures"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m1, "Weibull shape must be between 0.1 and 20, got 0.01"));
    af_free(m0);
    af_free(m1);
    /* The exponential ignores the shape. */
    af_failure_spec ex = {AF_FAIL_EXPONENTIAL, 1e6, 0};
    CU_ASSERT_EQUAL(af_failure_check(&ex, NULL, d), AF_OK);
    af_straggler_spec s = {AF_STEP_NORMAL, 1, -0.1};
    CU_ASSERT_EQUAL(af_straggler_check(&s, "step", d), AF_EINPUT);
    s.sigma = 0.1;
    CU_ASSERT_EQUAL(af_straggler_check(&s, "step", d), AF_OK);
    CU_ASSERT_EQUAL(af_diag_errors(d), 3);
    af_diag_free(d);
}

/* ---- stragglers ---------------------------------------------------------------------------- */

/* The expected slowest of n against closed forms and tables.
 * Normal: n = 1 the mean; n = 2 mu + sigma/sqrt(pi) and n = 3 mu + 3 sigma/(2 sqrt(pi))
 * (David and Nagaraja, E max of 2 and 3 standard normals); n = 10 and 100 Harter's (1961) table,
 * 1.53875 and 2.50759, to its five decimals; n = 1024 and 16384 3.2482396 and 3.9713506 from a
 * 30-digit quadrature (mpmath) of the same integral, to 1e-7.
 * Lognormal: n = 1 e^(mu + sigma^2/2); n = 2 2 e^(mu + sigma^2/2) Phi(sigma/sqrt 2) (E max =
 * 2 E[X_1; X_1 > X_2], and tilting by e^(sigma Z_1) shifts Z_1 by sigma, so the event has
 * probability P(Z_2 - Z_1 < sigma) = Phi(sigma/sqrt 2)). */
static void test_expected_max(void)
{
    af_straggler_spec z = {AF_STEP_NORMAL, 0, 1}, st = {AF_STEP_NORMAL, 2.5, 0.1};
    CU_ASSERT_DOUBLE_EQUAL(af_straggler_expected_max(&z, 1), 0, 1e-12);
    AF_ASSERT_REL(af_straggler_expected_max(&st, 1), 2.5, 1e-12);
    AF_ASSERT_REL(af_straggler_expected_max(&z, 2), 1 / sqrt(AF_PI), 1e-10);
    AF_ASSERT_REL(af_straggler_expected_max(&st, 2), 2.5 + 0.1 / sqrt(AF_PI), 1e-12);
    AF_ASSERT_REL(af_straggler_expected_max(&z, 3), 3 / (2 * sqrt(AF_PI)), 1e-10);
    CU_ASSERT_DOUBLE_EQUAL(af_straggler_expected_max(&z, 10), 1.53875, 5e-6);
    CU_ASSERT_DOUBLE_EQUAL(af_straggler_expected_max(&z, 100), 2.50759, 5e-6);
    CU_ASSERT_DOUBLE_EQUAL(af_straggler_expected_max(&z, 1024), 3.2482396, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(af_straggler_expected_max(&z, 16384), 3.9713506, 1e-7);
    af_straggler_spec ln = {AF_STEP_LOGNORMAL, log(2.0), 0.3};
    AF_ASSERT_REL(af_straggler_expected_max(&ln, 1), 2 * exp(0.045), 1e-10);
    AF_ASSERT_REL(af_straggler_expected_max(&ln, 2),
                  2 * 2 * exp(0.045) * gsl_cdf_ugaussian_P(0.3 / sqrt(2)), 1e-10);
    /* From the mean and coefficient of variation: mean 1.5 s, cv 0.2. */
    af_straggler_spec l2 = af_straggler_lognormal(1.5, 0.2);
    AF_ASSERT_REL(exp(l2.mu + l2.sigma * l2.sigma / 2), 1.5, 1e-14);
    AF_ASSERT_REL(sqrt(expm1(l2.sigma * l2.sigma)), 0.2, 1e-14);
    AF_ASSERT_REL(af_straggler_expected_max(&l2, 1), 1.5, 1e-10);
    /* No spread: every member takes the same time. */
    af_straggler_spec flat = {AF_STEP_NORMAL, 1.25, 0};
    CU_ASSERT_DOUBLE_EQUAL(af_straggler_expected_max(&flat, 16384), 1.25, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_straggler_max_quantile(&flat, 16384, 0.9), 1.25, 0);
}

/* n = 1 is the member's own law: the quantile is F^(-1)(p), and a draw is F^(-1)(U) of the
 * stream's next uniform on (0, 1). */
static void test_max_n1(void)
{
    af_straggler_spec no = {AF_STEP_NORMAL, 2.5, 0.1}, ln = {AF_STEP_LOGNORMAL, log(2.0), 0.3};
    const double ps[] = {1e-6, 0.01, 0.3, 0.5, 0.9, 0.999999};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        AF_ASSERT_REL(af_straggler_max_quantile(&no, 1, ps[i]),
                      2.5 + gsl_cdf_gaussian_Pinv(ps[i], 0.1), 1e-12);
        AF_ASSERT_REL(af_straggler_max_quantile(&ln, 1, ps[i]),
                      gsl_cdf_lognormal_Pinv(ps[i], log(2.0), 0.3), 1e-12);
    }
    gsl_rng *r = af_rng_new(AF_SEED, "reliability.n1");
    for (int k = 0; k < 100; k++) {
        gsl_rng *c = gsl_rng_clone(r);
        double x = af_straggler_max_draw(&ln, 1, r);
        AF_ASSERT_REL(x, gsl_cdf_lognormal_Pinv(gsl_rng_uniform_pos(c), log(2.0), 0.3), 1e-12);
        gsl_rng_free(c);
    }
    CU_ASSERT(isnan(af_straggler_max_quantile(&no, 8, 0)));
    CU_ASSERT(isnan(af_straggler_max_quantile(&no, 8, 1)));
    af_rng_free(r);
}

/* The CDF of the max of n: F(x)^n, with ctx the spec and n. */
typedef struct af_max_law {
    const af_straggler_spec *s;
    double n;
} af_max_law;

static double af_max_cdf(double x, const void *ctx)
{
    const af_max_law *m = ctx;
    double F = m->s->dist == AF_STEP_NORMAL ? gsl_cdf_gaussian_P(x - m->s->mu, m->s->sigma)
                                            : gsl_cdf_lognormal_P(x, m->s->mu, m->s->sigma);
    return pow(F, m->n);
}

/* The O(1) draw of the slowest member: the sample mean of 50,000 draws against
 * af_straggler_expected_max within its interval for n = 1, 8, 1024 and 16384, normal and
 * lognormal; the sample's law against F^n by a KS test; at n = 8 the draws against the max of 8
 * separate member draws by a two-sample KS test. */
static void test_straggler_draws(void)
{
    gsl_rng *r = af_rng_new(AF_SEED, "reliability.stragglers");
    size_t N = af_scaled(50000);
    double *x = af_malloc_array(N, sizeof *x), *y = af_malloc_array(N, sizeof *y);
    af_straggler_spec no = {AF_STEP_NORMAL, 2.5, 0.1};
    af_straggler_spec ln = af_straggler_lognormal(2.5, 0.1);
    const af_straggler_spec *specs[] = {&no, &ln};
    const char *names[] = {"normal", "lognormal"};
    const double ns[] = {1, 8, 1024, 16384};
    for (size_t si = 0; si < 2; si++)
        for (size_t ni = 0; ni < 4; ni++) {
            const af_straggler_spec *s = specs[si];
            double n = ns[ni];
            for (size_t i = 0; i < N; i++)
                x[i] = af_straggler_max_draw(s, n, r);
            char what[96];
            snprintf(what, sizeof what, "%s max of %g mean", names[si], n);
            af_check_mean(what, x, N, af_straggler_expected_max(s, n));
            af_max_law law = {s, n};
            snprintf(what, sizeof what, "%s max of %g law", names[si], n);
            af_check_ks1(what, af_ks1(x, N, af_max_cdf, &law), N);
            if (n != 8)
                continue;
            for (size_t i = 0; i < N; i++) {
                double mx = -INFINITY;
                for (int c = 0; c < 8; c++)
                    mx =
                        fmax(mx, s->dist == AF_STEP_NORMAL ? s->mu + gsl_ran_gaussian(r, s->sigma)
                                                           : gsl_ran_lognormal(r, s->mu, s->sigma));
                y[i] = mx;
            }
            snprintf(what, sizeof what, "%s max of 8 vs 8 draws", names[si]);
            af_check_ks2(what, af_ks2(x, N, y, N), N, N);
        }
    af_free(x);
    af_free(y);
    af_rng_free(r);
}

static const af_test tests[] = {
    {"Young and Daly intervals: hand values, Daly's figures", test_young_daly_hand},
    {"Daly's wall time on round numbers", test_daly_wall},
    {"first-order waste within its second-order bound", test_waste_first_order},
    {"exact optimum vs Daly's series and the minimizer", test_optimum_vs_daly},
    {"Llama 3 interruptions: counts and implied MTBF", test_llama3_mtbf},
    {"cause picking by weight (chi-square)", test_cause_pick},
    {"group first failure: law, mean, min of n", test_group_first_failure},
    {"renewed exponential group: Poisson counts", test_poisson_counts},
    {"failure and step-time spec checks", test_failure_check},
    {"expected slowest member: closed forms, Harter", test_expected_max},
    {"slowest of one member is the member", test_max_n1},
    {"slowest-member draws: mean and law", test_straggler_draws},
    {NULL, NULL}};

AF_TEST_MAIN("reliability", tests)
