/*
 * Validation of the arrival processes (workload/arrivals.c): the counts that af_arrivals_next
 * draws in windows match the rate of the model written out here independently (the cosine day
 * of arrivals.h, hourly weights, bursts) by a chi-square test over the windows at the 0.1%
 * level, for several seeds, with a check that the same test rejects a wrong rate (so it can
 * fail); burst and off-burst counts within their Poisson 99.9% intervals; and the look-up kind
 * run by the world with a daily profile and bursts, and with a trace, sees the arrivals the
 * closed form expects. Three cases stress what the exact inversion skips or walks: a day a
 * thousand times busier after noon with bursts of 200 times for 0.5 s in 97 (hours crossed one
 * by one, bursts walked piece by piece), sparse bursts (whole periods skipped) and a sparse day
 * (whole days skipped).
 */
#include "tests/validation/sharing.h"

#include "engine/rng.h"
#include "workload/arrivals.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>

enum { SEEDS = 5 };

/* z of the two-sided 99.9% interval of a normal. */
#define Z999 3.2905

/* The cosine day of arrivals.h written out: weight of hour h for a peak-to-trough ratio and
 * a peak hour on the hour, mean 1 over the 24 hours. The mid-hour cosines then reach
 * +-cos(pi / 24), so a = (ratio - 1) / ((ratio + 1) cos(pi / 24)) makes the busiest hour ratio
 * times the quietest. */
static double cosine_weight(int h, double ratio, double peak)
{
    double a = (ratio - 1) / ((ratio + 1) * cos(M_PI / 24)), sum = 0;
    for (int k = 0; k < 24; k++)
        sum += 1 + a * cos(2 * M_PI * (k + 0.5 - peak) / 24);
    return (1 + a * cos(2 * M_PI * (h + 0.5 - peak) / 24)) * 24 / sum;
}

/* Draws the arrivals of cfg over [0, n x bin_s) (the stream's end) from a stream seeded by seed
 * and counts them in the n bins. */
static void count_bins(const af_arrivals_config *cfg, uint64_t seed, double bin_s, size_t n,
                       double *count)
{
    gsl_rng *rng = af_rng_new(seed, "arrivals");
    af_arrivals a;
    af_arrivals_init(&a, cfg, bin_s * (double)n);
    for (size_t i = 0; i < n; i++)
        count[i] = 0;
    for (;;) {
        double t = af_arrivals_next(&a, rng, NULL);
        if (!(t < bin_s * (double)n))
            break;
        count[(size_t)(t / bin_s)]++;
    }
    af_rng_free(rng);
}

/* Pearson's chi-square of counts against expectations over n bins. */
static double chi_square(const double *count, const double *expect, size_t n)
{
    double x = 0;
    for (size_t i = 0; i < n; i++)
        x += (count[i] - expect[i]) * (count[i] - expect[i]) / expect[i];
    return x;
}

/* Counts in each bin against expect[] (no parameter fitted: n degrees of freedom) for SEEDS
 * seeds at the 0.1% level; and against wrong[], which the same test must reject. */
static void chi_square_check(const af_arrivals_config *cfg, double bin_s, size_t n,
                             const double *expect, const double *wrong)
{
    double *count = af_malloc_array(n, sizeof *count);
    double limit = gsl_cdf_chisq_Qinv(0.001, (double)n);
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        count_bins(cfg, seed, bin_s, n, count);
        double x = chi_square(count, expect, n), y = chi_square(count, wrong, n);
        if (x > limit || y < limit)
            fprintf(stderr, "seed %d: chi-square %.1f (wrong rate %.1f), limit %.1f, %zu bins\n",
                    (int)seed, x, y, limit, n);
        CU_ASSERT(x <= limit);
        CU_ASSERT(y > limit);
    }
    af_free(count);
}

/* A cosine day (ratio 4, peak at 15:00) started at 06:00: counts in the 96 hours of four days. */
static void test_diurnal_hours(void)
{
    af_arrivals_config c = {.rate_per_s = 0.5, .diurnal = true, .start_hour = 6};
    af_arrivals_diurnal(c.hourly, 4, 15);
    enum { N = 96 };
    double expect[N], flat[N];
    for (int i = 0; i < N; i++) {
        expect[i] = 0.5 * 3600 * cosine_weight((i + 6) % 24, 4, 15);
        flat[i] = 0.5 * 3600;
    }
    chi_square_check(&c, 3600, N, expect, flat);
}

/* Hourly weights (3 from midnight to 06:00, 1 after, scaled to mean 1) from 22:30: half-hour
 * counts over two days, the hours straddling midnight on the half hours. */
static void test_hourly_midnight(void)
{
    af_arrivals_config c = {.rate_per_s = 0.4, .diurnal = true, .start_hour = 22.5};
    for (int h = 0; h < 24; h++)
        c.hourly[h] = h < 6 ? 3 : 1;
    double mean = (6 * 3 + 18 * 1) / 24.0;
    for (int h = 0; h < 24; h++) /* as the scenario layer normalises them */
        c.hourly[h] /= mean;
    enum { N = 96 };
    double expect[N], shifted[N];
    for (int i = 0; i < N; i++) {
        double clock_h = fmod(22.5 + i * 0.5, 24); /* hour of day at the bin's start */
        expect[i] = 0.4 * 1800 * (clock_h < 6 ? 3 : 1) / mean;
        /* the profile an hour late: what a wrong midnight would give */
        double late = fmod(clock_h + 23, 24);
        shifted[i] = 0.4 * 1800 * (late < 6 ? 3 : 1) / mean;
    }
    chi_square_check(&c, 1800, N, expect, shifted);
}

/* A cosine day (ratio 2, peak at midnight) from 23:00 with bursts every 45 min, 10 min long, 3
 * times the rate, the first at 20 min: five-minute counts over two days (every edge falls on a
 * five-minute mark), so bursts cross hour edges and midnight. */
static void test_profile_and_bursts(void)
{
    af_arrivals_config c = {.rate_per_s = 2,
                            .diurnal = true,
                            .start_hour = 23,
                            .burst_every_s = 2700,
                            .burst_s = 600,
                            .burst_start_s = 1200,
                            .burst_factor = 3};
    af_arrivals_diurnal(c.hourly, 2, 0);
    enum { N = 576 };
    double expect[N], no_bursts[N];
    for (int i = 0; i < N; i++) {
        double t = 300.0 * i;
        int hour = (int)fmod(23 + t / 3600, 24);
        bool burst = t >= 1200 && fmod(t - 1200, 2700) < 600;
        no_bursts[i] = 2 * 300 * cosine_weight(hour, 2, 0);
        expect[i] = no_bursts[i] * (burst ? 3 : 1);
    }
    chi_square_check(&c, 300, N, expect, no_bursts);
}

/* Bursts alone (20/s, every 60 s from 10 s, 6 s long, 5 times): over an hour 60 bursts of 6 s,
 * so 20 x 5 x 360 arrivals expected inside and 20 x 3,240 outside, each Poisson. */
static void test_burst_counts(void)
{
    af_arrivals_config c = {.rate_per_s = 20,
                            .burst_every_s = 60,
                            .burst_s = 6,
                            .burst_start_s = 10,
                            .burst_factor = 5};
    double want_in = 20 * 5 * 360.0, want_out = 20 * 3240.0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        gsl_rng *rng = af_rng_new(seed, "bursts");
        af_arrivals a;
        af_arrivals_init(&a, &c, 3600);
        double in = 0, out = 0, t;
        while ((t = af_arrivals_next(&a, rng, NULL)) < 3600) {
            if (t >= 10 && fmod(t - 10, 60) < 6)
                in++;
            else
                out++;
        }
        af_rng_free(rng);
        double zin = (in - want_in) / sqrt(want_in), zout = (out - want_out) / sqrt(want_out);
        if (fabs(zin) > Z999 || fabs(zout) > Z999)
            fprintf(stderr, "seed %d: %g in bursts (%g), %g outside (%g)\n", (int)seed, in, want_in,
                    out, want_out);
        CU_ASSERT(fabs(zin) <= Z999);
        CU_ASSERT(fabs(zout) <= Z999);
    }
}

/* The rate of test_uneven written out: hours 0 to 11 of the day at weight 1e-3, 12 to 23 at 1
 * (scaled to mean 1), from 10:15, times 200 during the first 0.5 s of every 97 s from 13 s. */
static double uneven_rate(double t)
{
    double clock_h = fmod(10.25 + t / 3600, 24), mean = (12 * 1e-3 + 12) / 24;
    double day = (clock_h < 12 ? 1e-3 : 1) / mean;
    bool burst = t >= 13 && fmod(t - 13, 97) < 0.5;
    return 3 * day * (burst ? 200 : 1);
}

/* The uneven day: counts in the 192 quarter hours of two days against the rate integrated over
 * half seconds (every edge falls on one: hours at quarter-hour marks, bursts at 13 + 97 k and
 * 13.5 + 97 k); the same without the bursts (half the arrivals) must be rejected. */
static void test_uneven(void)
{
    af_arrivals_config c = {.rate_per_s = 3,
                            .diurnal = true,
                            .start_hour = 10.25,
                            .burst_every_s = 97,
                            .burst_s = 0.5,
                            .burst_start_s = 13,
                            .burst_factor = 200};
    double mean = (12 * 1e-3 + 12) / 24;
    for (int h = 0; h < 24; h++)
        c.hourly[h] = (h < 12 ? 1e-3 : 1) / mean;
    enum { N = 192 };
    static double expect[N], no_bursts[N];
    for (int i = 0; i < N; i++) {
        expect[i] = no_bursts[i] = 0;
        for (int k = 0; k < 1800; k++) {
            double t = 900.0 * i + 0.5 * k + 0.25;
            expect[i] += 0.5 * uneven_rate(t);
            no_bursts[i] += 0.5 * 3 * (fmod(10.25 + t / 3600, 24) < 12 ? 1e-3 : 1) / mean;
        }
    }
    chi_square_check(&c, 900, N, expect, no_bursts);
}

/* Sparse bursts (0.02/s, every second, 10 ms long, 50 times: a period holds 0.0298 arrivals, so
 * the walk skips some 33 periods an arrival) over 1e5 s: 1,000 arrivals expected inside bursts
 * and 1,980 outside, each Poisson. */
static void test_sparse_bursts(void)
{
    af_arrivals_config c = {
        .rate_per_s = 0.02, .burst_every_s = 1, .burst_s = 0.01, .burst_factor = 50};
    double want_in = 0.02 * 50 * 0.01 * 1e5, want_out = 0.02 * 0.99 * 1e5;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        gsl_rng *rng = af_rng_new(seed, "sparse");
        af_arrivals a;
        af_arrivals_init(&a, &c, 1e5);
        double in = 0, out = 0, t;
        while ((t = af_arrivals_next(&a, rng, NULL)) < INFINITY) {
            if (t - floor(t) < 0.01)
                in++;
            else
                out++;
        }
        af_rng_free(rng);
        double zin = (in - want_in) / sqrt(want_in), zout = (out - want_out) / sqrt(want_out);
        if (fabs(zin) > Z999 || fabs(zout) > Z999)
            fprintf(stderr, "seed %d: %g in bursts (%g), %g outside (%g)\n", (int)seed, in, want_in,
                    out, want_out);
        CU_ASSERT(fabs(zin) <= Z999);
        CU_ASSERT(fabs(zout) <= Z999);
    }
}

/* A sparse day (a cosine of ratio 4 peaking at 15:00, 1e-5/s: 0.864 arrivals a day, so the walk
 * skips whole days) over 10,000 days, counted by hour of day: 360 x weight(h) expected in hour h;
 * a flat day must be rejected. */
static void test_sparse_day(void)
{
    af_arrivals_config c = {.rate_per_s = 1e-5, .diurnal = true, .start_hour = 7};
    af_arrivals_diurnal(c.hourly, 4, 15);
    enum { N = 24 };
    double expect[N], flat[N], count[N];
    double limit = gsl_cdf_chisq_Qinv(0.001, N);
    for (int h = 0; h < N; h++) {
        expect[h] = 1e-5 * 3600 * 1e4 * cosine_weight(h, 4, 15);
        flat[h] = 1e-5 * 3600 * 1e4;
    }
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        gsl_rng *rng = af_rng_new(seed, "sparse-day");
        af_arrivals a;
        af_arrivals_init(&a, &c, 1e4 * 86400);
        for (int h = 0; h < N; h++)
            count[h] = 0;
        double t;
        while ((t = af_arrivals_next(&a, rng, NULL)) < INFINITY)
            count[(int)fmod(7 + floor(t / 3600), 24)]++;
        af_rng_free(rng);
        double x = chi_square(count, expect, N), y = chi_square(count, flat, N);
        if (x > limit || y < limit)
            fprintf(stderr, "seed %d: chi-square %.1f (flat %.1f), limit %.1f\n", (int)seed, x, y,
                    limit);
        CU_ASSERT(x <= limit);
        CU_ASSERT(y > limit);
    }
}

/* The world's look-ups with a profile and bursts: an hour from 23:30 with weights 2 for hour 23,
 * 0.5 for hour 0 and 1 otherwise (scaled to mean 1), bursts every 300 s from 0, 60 s long, 4
 * times: each half hour has 6 bursts, so 1,800 + 3 x 360 rate-seconds in each. Every arrival is
 * completed, in flight or dropped. */
static void test_world_lookups(void)
{
    double scale = 24 / 24.5, rate = 100;
    double want = rate * (2 + 0.5) * scale * (1800 + 3 * 360);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        af_fixture f;
        af_fix_init(&f, 1, 10, 1e12, 1e6, 1.0, 3600);
        f.cfg.ntrains = 0;
        f.cfg.seed = seed;
        af_arrivals_config a = {.rate_per_s = rate,
                                .diurnal = true,
                                .start_hour = 23.5,
                                .burst_every_s = 300,
                                .burst_s = 60,
                                .burst_factor = 4};
        for (int h = 0; h < 24; h++)
            a.hourly[h] = (h == 23 ? 2 : h == 0 ? 0.5 : 1) * scale;
        f.lookups[0] = (af_lookup_config){
            .name = "feat", .tier = 0, .rate_per_s = want / 3600, .size_B = 4096, .arrivals = a};
        f.cfg.nlookups = 1;
        af_results *r = af_run(&f);
        double n = af_get(r, "lookup.feat.requests") + af_get(r, "lookup.feat.in_flight") +
                   af_get(r, "lookup.feat.dropped");
        double z = (n - want) / sqrt(want);
        if (fabs(z) > Z999)
            fprintf(stderr, "seed %d: %g look-ups, expected %g\n", (int)seed, n, want);
        CU_ASSERT(fabs(z) <= Z999);
        af_results_free(r);
    }
}

/* The world's look-ups from a trace: exactly the entries before the end of the run. */
static void test_world_trace(void)
{
    enum { N = 5000 };
    static double t[N];
    for (int i = 0; i < N; i++)
        t[i] = 0.002 * i * i / N; /* quickening, up to 10 s */
    af_fixture f;
    af_fix_init(&f, 1, 10, 1e12, 1e6, 1.0, 5);
    f.cfg.ntrains = 0;
    f.lookups[0] = (af_lookup_config){
        .name = "feat", .tier = 0, .size_B = 4096, .arrivals = {.trace_s = t, .trace_n = N}};
    f.cfg.nlookups = 1;
    af_results *r = af_run(&f);
    double n = af_get(r, "lookup.feat.requests") + af_get(r, "lookup.feat.in_flight");
    /* t < 5 s: i^2 < 5 N / 0.002, i < 3535.5. */
    CU_ASSERT_EQUAL(n, 3536);
    af_results_free(r);
}

static const af_test tests[] = {
    {"a cosine day: hourly counts over four days (chi-square)", test_diurnal_hours},
    {"hourly weights across midnight from 22:30 (chi-square)", test_hourly_midnight},
    {"a day with bursts across hours and midnight (chi-square)", test_profile_and_bursts},
    {"burst and off-burst counts within Poisson intervals", test_burst_counts},
    {"a day 1000 times busier after noon, with short bursts (chi-square)", test_uneven},
    {"sparse bursts: counts inside and outside (whole periods skipped)", test_sparse_bursts},
    {"a sparse day by hour of day (whole days skipped, chi-square)", test_sparse_day},
    {"the world's look-ups with a day and bursts", test_world_lookups},
    {"the world's look-ups from a trace", test_world_trace},
    {NULL, NULL},
};

AF_TEST_MAIN("arrivals (validation)", tests)
