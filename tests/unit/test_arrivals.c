/*
 * Unit tests of workload/arrivals.c: the cosine day and its normalisation, the rate and its
 * integral worked by hand (hours across midnight, bursts across period edges, a profile with
 * bursts against a sum over seconds), additivity at edges and far out, traces, and the draws of
 * a plain Poisson stream (the same as gsl_ran_exponential's, so look-up runs did not change); a
 * stream's end, one draw per arrival however uneven the rate, and the fuzz findings' profiles
 * (tests/fuzz/findings/arrivals-*.yaml: a day of weight 1e-300 until noon, 1-ns bursts of 1e6,
 * bursts every 2.2e-308 s, times past 9.2e18 hours) drawn at once.
 * Then the scenario side (scenario/scen_arrivals.c) against the test catalog: `arrivals:` read
 * into the config, a trace file read relative to the scenario, and a trace's mistakes and
 * hostile files reported at its line and column.
 */
#include "tests/unit/cutest.h"

#include "base/arena.h"
#include "base/diag.h"
#include "engine/rng.h"
#include "scenario/scenario.h"
#include "workload/arrivals.h"

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The cosine day: weights by the formula of arrivals.h, mean 1, symmetric about the peak. */
static void test_diurnal_cosine(void)
{
    double w[24], sum = 0;
    af_arrivals_diurnal(w, 3, 20);
    for (int h = 0; h < 24; h++)
        sum += w[h];
    CU_ASSERT_DOUBLE_EQUAL(sum / 24, 1, 1e-12);
    /* A peak on the hour: the mid-hour cosines reach +-cos(pi / 24) at most, so a = (3 - 1) /
     * ((3 + 1) cos(pi / 24)) = 0.5 / cos(pi / 24); 24 cosines at equally spaced phases add up
     * to 0, so the normalisation leaves 1 + a cos(...) as it is. */
    double a = 0.5 / cos(M_PI / 24);
    for (int h = 0; h < 24; h++)
        CU_ASSERT_DOUBLE_EQUAL(w[h], 1 + a * cos(2 * M_PI * (h + 0.5 - 20) / 24), 1e-12);
    /* Hours 19 and 20 sit half an hour either side of the peak; 7 and 8 either side of the
     * trough: 1.5 and 0.5, three times the rate. */
    CU_ASSERT_DOUBLE_EQUAL(w[19], w[20], 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(w[7], w[8], 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(w[19], 1.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(w[7], 0.5, 1e-12);
    /* A ratio of 1 is flat. */
    af_arrivals_diurnal(w, 1, 5);
    for (int h = 0; h < 24; h++)
        CU_ASSERT_DOUBLE_EQUAL(w[h], 1, 1e-15);
}

/* The busiest hour's weight over the quietest's is the peak-to-trough ratio asked for, whatever
 * the peak's time: on the hour, on the half hour (where the cosine reaches +-1 at mid-hour) and
 * in between; the weights stay positive and of mean 1. */
static void test_diurnal_ratio(void)
{
    static const double ratios[] = {1, 3, 10, 100, 1e6};
    static const double peaks[] = {20, 7.5, 3.2, 0, 23.9};
    for (size_t i = 0; i < sizeof ratios / sizeof *ratios; i++)
        for (size_t j = 0; j < sizeof peaks / sizeof *peaks; j++) {
            double w[24], lo = INFINITY, hi = 0, sum = 0;
            af_arrivals_diurnal(w, ratios[i], peaks[j]);
            for (int h = 0; h < 24; h++) {
                lo = w[h] < lo ? w[h] : lo;
                hi = w[h] > hi ? w[h] : hi;
                sum += w[h];
            }
            CU_ASSERT(lo > 0);
            CU_ASSERT_DOUBLE_EQUAL(hi / lo / ratios[i], 1, 1e-9);
            CU_ASSERT_DOUBLE_EQUAL(sum / 24, 1, 1e-12);
            /* the busiest hour holds the peak (or is one of the two either side of it) */
            int busiest = (int)floor(peaks[j]) % 24, before = (busiest + 23) % 24;
            CU_ASSERT(ratios[i] == 1 || w[busiest] == hi || w[before] == hi);
        }
}

/* A profile of hourly weights (h + 1) / 12.5 (mean 1) starting at 23:00. */
static af_arrivals_config hourly_cfg(double rate, double start_hour)
{
    af_arrivals_config c = {.rate_per_s = rate, .diurnal = true, .start_hour = start_hour};
    for (int h = 0; h < 24; h++)
        c.hourly[h] = (h + 1) / 12.5;
    return c;
}

/* The rate follows the hour of day and wraps at midnight. */
static void test_rate_midnight(void)
{
    af_arrivals_config c = hourly_cfg(100, 22.5);
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 0), 100 * 23 / 12.5, 1e-9);     /* 22:30 */
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 1799), 100 * 23 / 12.5, 1e-9);  /* 22:59 */
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 1800), 100 * 24 / 12.5, 1e-9);  /* 23:00 */
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 5400), 100 * 1 / 12.5, 1e-9);   /* 00:00 */
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 86400), 100 * 23 / 12.5, 1e-9); /* day 2 */
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_peak_rate(&c), 100 * 24 / 12.5, 1e-9);
}

/* The integral by hand, across midnight and over whole days. */
static void test_expected_midnight(void)
{
    af_arrivals_config c = hourly_cfg(2, 23);
    double w23 = 24 / 12.5, w0 = 1 / 12.5, w1 = 2 / 12.5;
    AF_ASSERT_REL(af_arrivals_expected(&c, 0, 7200), 2 * 3600 * (w23 + w0), 1e-12);
    AF_ASSERT_REL(af_arrivals_expected(&c, 1800, 5400), 2 * 1800 * (w23 + w0), 1e-12);
    AF_ASSERT_REL(af_arrivals_expected(&c, 3000, 8000), 2 * (600 * w23 + 3600 * w0 + 800 * w1),
                  1e-12);
    /* Ten days and an hour: the days' weights average 1. */
    AF_ASSERT_REL(af_arrivals_expected(&c, 0, 10 * 86400.0 + 3600), 2 * (864000 + 3600 * w23),
                  1e-12);
    CU_ASSERT_EQUAL(af_arrivals_expected(&c, 500, 500), 0);
    /* A fractional start hour: 23:30, so the first half hour is w23. */
    c.start_hour = 23.5;
    AF_ASSERT_REL(af_arrivals_expected(&c, 0, 3600), 2 * 1800 * (w23 + w0), 1e-12);
}

/* Bursts: every 100 s from 50 s, 30 s long, 4 times the rate of 10/s. */
static void test_bursts(void)
{
    af_arrivals_config c = {.rate_per_s = 10,
                            .burst_every_s = 100,
                            .burst_s = 30,
                            .burst_start_s = 50,
                            .burst_factor = 4};
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 0), 10, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 49.9), 10, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 50), 40, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 79.9), 40, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 80), 10, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 150), 40, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_peak_rate(&c), 40, 0);
    AF_ASSERT_REL(af_arrivals_expected(&c, 0, 50), 500, 1e-12);
    AF_ASSERT_REL(af_arrivals_expected(&c, 40, 90), 10 * 20 + 40 * 30, 1e-12);
    /* Across two period edges: off 10 s, on 30, off 70, on 10. */
    AF_ASSERT_REL(af_arrivals_expected(&c, 140, 260), 10 * 80 + 40 * 40, 1e-12);
    /* Inside one burst, and a window ending exactly on a burst's end. */
    AF_ASSERT_REL(af_arrivals_expected(&c, 155, 165), 400, 1e-12);
    AF_ASSERT_REL(af_arrivals_expected(&c, 0, 380), 10 * 380 + 30 * 30 * 4, 1e-12);
    /* A year: 315,360 bursts (the first at 50 s, the last ends at 31,535,980 s). */
    double year = 365 * 86400.0;
    AF_ASSERT_REL(af_arrivals_expected(&c, 0, year), 10 * year + 30 * 30 * 315360, 1e-12);
    /* A lull (factor below 1) leaves the peak at the plain rate. */
    c.burst_factor = 0.5;
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_peak_rate(&c), 10, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 60), 5, 0);
}

/* A profile with bursts (edges all on whole seconds) against the sum of the rate at the middle
 * of every second, which is exact for a rate constant over each second. */
static void test_profile_and_bursts(void)
{
    af_arrivals_config c = hourly_cfg(3, 23.5);
    c.burst_every_s = 700;
    c.burst_s = 130;
    c.burst_start_s = 45;
    c.burst_factor = 2.5;
    const double windows[][2] = {{0, 86400}, {1000, 1001}, {1790, 5420}, {43, 260000}, {0, 0}};
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
        double sum = 0;
        for (double t = windows[i][0]; t < windows[i][1]; t++)
            sum += af_arrivals_rate_at(&c, t + 0.5);
        double got = af_arrivals_expected(&c, windows[i][0], windows[i][1]);
        if (sum == 0) {
            CU_ASSERT_EQUAL(got, 0);
        } else {
            AF_ASSERT_REL(got, sum, 1e-11);
        }
    }
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_peak_rate(&c), 3 * 24 / 12.5 * 2.5, 1e-12);
}

/* Splitting a window at an edge, or anywhere, changes nothing; nor does it far from 0. */
static void test_additive(void)
{
    af_arrivals_config c = hourly_cfg(7, 3.25);
    c.burst_every_s = 3 * 3600.0;
    c.burst_s = 600;
    c.burst_start_s = 900;
    c.burst_factor = 6;
    const double far = 99 * 365 * 86400.0; /* 99 years in */
    const double cuts[] = {3600 - 3.25 * 3600 + 86400, 900, 1500, 11700, 0.1, 12345.678};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        for (int k = 0; k < 2; k++) {
            double base = k ? far : 0, a = base, m = base + cuts[i], b = base + 2 * 86400;
            double whole = af_arrivals_expected(&c, a, b);
            double parts = af_arrivals_expected(&c, a, m) + af_arrivals_expected(&c, m, b);
            /* 99 years in, a time itself is known to 5e-7 s (its ulp). */
            AF_ASSERT_REL(parts, whole, k ? 1e-10 : 1e-12);
        }
    }
    /* Without bursts, whole days come from the day's sum: 100 years equal 100 x 365 days. */
    c.burst_every_s = 0;
    AF_ASSERT_REL(af_arrivals_expected(&c, 0, 100 * 365 * 86400.0), 7 * 100 * 365 * 86400.0, 1e-12);
    AF_ASSERT_REL(af_arrivals_expected(&c, far, far + 86400), 7 * 86400.0, 1e-12);
}

/* A trace: its entries in order with their sizes, counts in windows, then none. */
static void test_trace(void)
{
    static const double t[] = {0.5, 1, 1, 2.5}, size[] = {10, 20, 30, 40};
    af_arrivals_config c = {.trace_s = t, .trace_size = size, .trace_n = 4};
    CU_ASSERT_EQUAL(af_arrivals_expected(&c, 0, 1), 1);
    CU_ASSERT_EQUAL(af_arrivals_expected(&c, 1, 2.5), 2);
    CU_ASSERT_EQUAL(af_arrivals_expected(&c, 0, 10), 4);
    CU_ASSERT_EQUAL(af_arrivals_expected(&c, 2.6, 10), 0);
    CU_ASSERT_EQUAL(af_arrivals_rate_at(&c, 1), 0);
    af_arrivals a;
    af_arrivals_init(&a, &c, INFINITY);
    for (int i = 0; i < 4; i++) {
        double sz = -1;
        CU_ASSERT_EQUAL(af_arrivals_next(&a, NULL, &sz), t[i]);
        CU_ASSERT_EQUAL(sz, size[i]);
    }
    double sz = -1;
    CU_ASSERT(isinf(af_arrivals_next(&a, NULL, &sz)));
    CU_ASSERT_EQUAL(sz, 0);
    CU_ASSERT(isinf(af_arrivals_next(&a, NULL, NULL)));
    /* Without sizes: 0. */
    c.trace_size = NULL;
    af_arrivals_init(&a, &c, INFINITY);
    CU_ASSERT_EQUAL(af_arrivals_next(&a, NULL, &sz), 0.5);
    CU_ASSERT_EQUAL(sz, 0);
    /* An end at 1 s: the entries before it; one at the end is past it. */
    af_arrivals_init(&a, &c, 1);
    CU_ASSERT_EQUAL(af_arrivals_next(&a, NULL, NULL), 0.5);
    CU_ASSERT(isinf(af_arrivals_next(&a, NULL, NULL)));
}

/* A plain rate draws what gsl_ran_exponential draws from a twin generator, bit for bit; a
 * profile's arrivals increase and land only where the rate is positive. */
static void test_draws(void)
{
    af_arrivals_config c = {.rate_per_s = 1234.5};
    gsl_rng *r1 = af_rng_new(7, "lookup.x"), *r2 = af_rng_new(7, "lookup.x");
    af_arrivals a;
    af_arrivals_init(&a, &c, INFINITY);
    double t = 0;
    for (int i = 0; i < 10000; i++) {
        t += gsl_ran_exponential(r2, 1 / c.rate_per_s);
        if (af_arrivals_next(&a, r1, NULL) != t) {
            CU_FAIL("plain Poisson draws differ");
            break;
        }
    }
    af_arrivals_config d = hourly_cfg(50, 0);
    d.burst_every_s = 60;
    d.burst_s = 5;
    d.burst_factor = 10;
    af_arrivals_init(&a, &d, INFINITY);
    double prev = 0;
    bool ok = true;
    for (int i = 0; i < 100000; i++) {
        double x = af_arrivals_next(&a, r1, NULL);
        ok &= x >= prev && af_arrivals_rate_at(&d, x) > 0;
        prev = x;
    }
    CU_ASSERT(ok);
    af_rng_free(r1);
    af_rng_free(r2);
}

/* The end of a stream: the draws before it are those of an endless stream, the first at or past
 * it comes back INFINITY, and from then on nothing is drawn. */
static void test_end(void)
{
    const af_arrivals_config cfgs[] = {
        {.rate_per_s = 3},
        hourly_cfg(3, 22),
        {.rate_per_s = 3, .burst_every_s = 7, .burst_s = 2, .burst_factor = 5}};
    for (size_t i = 0; i < sizeof cfgs / sizeof *cfgs; i++) {
        gsl_rng *r1 = af_rng_new(3, "end"), *r2 = af_rng_new(3, "end");
        af_arrivals a, b;
        af_arrivals_init(&a, &cfgs[i], 100);
        af_arrivals_init(&b, &cfgs[i], INFINITY);
        size_t n = 0;
        double x, y;
        while ((x = af_arrivals_next(&a, r1, NULL)) < INFINITY) {
            y = af_arrivals_next(&b, r2, NULL);
            CU_ASSERT_EQUAL(x, y);
            CU_ASSERT(x < 100);
            n++;
        }
        /* 300 expected without the profile, 3 x 100 x (w(22) + w(23)) / 2 ~ 566 with it */
        CU_ASSERT(n > 150);
        y = af_arrivals_next(&b, r2, NULL);
        CU_ASSERT(y >= 100 && y < INFINITY);
        /* past the end: INFINITY again, and r1 untouched: in step with r2 */
        CU_ASSERT(isinf(af_arrivals_next(&a, r1, NULL)));
        CU_ASSERT_EQUAL(gsl_rng_get(r1), gsl_rng_get(r2));
        af_rng_free(r1);
        af_rng_free(r2);
    }
    /* An end at 0: nothing. */
    af_arrivals a;
    gsl_rng *r = af_rng_new(3, "end");
    af_arrivals_init(&a, &cfgs[0], 0);
    CU_ASSERT(isinf(af_arrivals_next(&a, r, NULL)));
    af_rng_free(r);
}

/* Draws arrivals of cfg until end_s (at most max of them) and checks that each took exactly one
 * draw from the generator (a twin advanced once per arrival stays in step), that they increase
 * and that each lands where the rate is positive; returns how many came. */
static size_t one_draw_each(const af_arrivals_config *cfg, double end_s, size_t max)
{
    gsl_rng *r1 = af_rng_new(11, "uneven"), *r2 = af_rng_new(11, "uneven");
    af_arrivals a;
    af_arrivals_init(&a, cfg, end_s);
    size_t n = 0;
    double prev = 0, x;
    bool ok = true;
    while (n < max && (x = af_arrivals_next(&a, r1, NULL)) < INFINITY) {
        gsl_rng_uniform(r2);
        ok &= x >= prev && x < end_s && af_arrivals_rate_at(cfg, x) > 0;
        prev = x;
        n++;
    }
    CU_ASSERT(ok);
    if (n < max) /* ended: the call that passed the end drew once more */
        gsl_rng_uniform(r2);
    CU_ASSERT_EQUAL(gsl_rng_get(r1), gsl_rng_get(r2));
    af_rng_free(r1);
    af_rng_free(r2);
    return n;
}

/* Each arrival is where the integral of the rate from the last one reaches the exponential
 * drawn for it (the draw read from a twin generator): af_arrivals_expected over the gap equals
 * it, for bursts alone (sparse: whole periods skipped), a profile alone (sparse: whole days
 * skipped), both, and a day of weights 1e-300 but one. */
static void test_inverse(void)
{
    af_arrivals_config cfgs[4] = {
        {.rate_per_s = 0.02, .burst_every_s = 1, .burst_s = 0.01, .burst_factor = 50},
        hourly_cfg(1e-4, 5.5),
        hourly_cfg(0.05, 23.25),
        {.rate_per_s = 10, .diurnal = true, .start_hour = 3}};
    cfgs[2].burst_every_s = 97;
    cfgs[2].burst_s = 0.5;
    cfgs[2].burst_start_s = 13;
    cfgs[2].burst_factor = 200;
    for (int h = 0; h < 24; h++)
        cfgs[3].hourly[h] = h == 7 ? 24 : 1e-300;
    for (size_t i = 0; i < sizeof cfgs / sizeof *cfgs; i++) {
        gsl_rng *r1 = af_rng_new(9, "inverse"), *r2 = af_rng_new(9, "inverse");
        af_arrivals a;
        af_arrivals_init(&a, &cfgs[i], 1e9);
        double prev = 0, peak = af_arrivals_peak_rate(&cfgs[i]);
        int bad = 0;
        for (int k = 0; k < 2000; k++) {
            double E = gsl_ran_exponential(r2, 1);
            double x = af_arrivals_next(&a, r1, NULL);
            if (!(x < INFINITY))
                break;
            double got = af_arrivals_expected(&cfgs[i], prev, x);
            /* the times are known to an ulp, the sums to a few */
            if (fabs(got - E) > 1e-12 * (E + 1) + peak * x * 1e-15 && bad++ < 3)
                fprintf(stderr, "config %zu, arrival %d at %.17g: integral %.17g, drawn %.17g\n", i,
                        k, x, got, E);
            prev = x;
        }
        CU_ASSERT_EQUAL(bad, 0);
        af_rng_free(r1);
        af_rng_free(r2);
    }
}

/* The profiles of tests/fuzz/findings/arrivals-thinning-hang.yaml and the bursts its header
 * names, which thinning drew in minutes to hours: one draw per arrival now, so these finish at
 * once (a hang here is the failure). */
static void test_uneven(void)
{
    /* 1e5/s, all of it at noon (weight 1e-300 in the other hours): none in the first
     * millisecond from midnight; without an end, the first arrivals fall in hour 12. */
    af_arrivals_config c = {.rate_per_s = 1e5, .diurnal = true};
    for (int h = 0; h < 24; h++)
        c.hourly[h] = h == 12 ? 24 / (1 + 23e-300) : 1e-300 * 24 / (1 + 23e-300);
    CU_ASSERT_EQUAL(one_draw_each(&c, 1e-3, 10), 0);
    gsl_rng *r = af_rng_new(5, "noon");
    af_arrivals a;
    af_arrivals_init(&a, &c, INFINITY);
    for (int i = 0; i < 1000; i++) {
        double x = af_arrivals_next(&a, r, NULL);
        CU_ASSERT(x >= 12 * 3600.0 && x < 13 * 3600.0);
    }
    /* a day later: 24 x 1e5 x 3600 s are 8.64e9 arrivals at noon; from 12:59:59.99 on, some
     * come still in hour 12 and the next ones at noon on day 2 */
    af_arrivals_init(&a, &c, 2 * 86400.0);
    a.t = 13 * 3600.0 - 1e-6;
    double x = af_arrivals_next(&a, r, NULL);
    while (x < 13 * 3600.0)
        x = af_arrivals_next(&a, r, NULL);
    CU_ASSERT(x >= 36 * 3600.0 && x < 37 * 3600.0);
    af_rng_free(r);
    CU_ASSERT(one_draw_each(&c, 86400, 1000) == 1000);
    /* A profile of 1e-30/s (arrivals-hour-overflow.yaml): none before the end, nor before
     * AF_ARRIVALS_MAX_S without one; the rate 1e30 s in is an hour's, not a read out of
     * bounds. */
    af_arrivals_config o = {.rate_per_s = 1e-30, .diurnal = true};
    af_arrivals_diurnal(o.hourly, 2, 12);
    CU_ASSERT_EQUAL(one_draw_each(&o, 1, 10), 0);
    CU_ASSERT_EQUAL(one_draw_each(&o, INFINITY, 10), 0);
    double far = af_arrivals_rate_at(&o, 1e30), sum = 0;
    for (int h = 0; h < 24; h++)
        sum += far == 1e-30 * o.hourly[h];
    CU_ASSERT(sum >= 1);
    CU_ASSERT(af_arrivals_rate_at(&o, 1e300) > 0);
    /* Bursts of 1e6 for 1 ns every hour, at 1/s: 3600 + 1e-3 expected an hour (thinning drew
     * 1e6 candidates a second); a day of them. */
    af_arrivals_config b = {
        .rate_per_s = 1, .burst_every_s = 3600, .burst_s = 1e-9, .burst_factor = 1e6};
    size_t n = one_draw_each(&b, 86400, 1000000);
    CU_ASSERT(fabs((double)n - 86400.024) < 6 * sqrt(86400.024));
    /* With a profile as well, and a lull of 1e-6 (the factor below 1) over all but 1 ns. */
    b.diurnal = true;
    af_arrivals_diurnal(b.hourly, 1e6, 3);
    one_draw_each(&b, 86400, 1000000);
    b.burst_factor = 1e-6;
    b.burst_s = 3600 - 1e-9;
    one_draw_each(&b, 86400, 1000000);
    /* Bursts every 2.2e-308 s, all of the period, at a factor of 2.2e-308, from 0.34 us: a
     * lull forever after; over a day at 1e9/s, a few arrivals before it and none after. */
    af_arrivals_config l = {.rate_per_s = 1e9,
                            .burst_every_s = 2.2e-308,
                            .burst_s = 2.2e-308,
                            .burst_factor = 2.2e-308,
                            .burst_start_s = 0.34e-6};
    n = one_draw_each(&l, 86400, 1000000);
    CU_ASSERT(n < 1000);
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_expected(&l, 0, 86400), 340, 1e-6);
    /* the same periods at half length and a factor of 3: their mean, 2/s x 1e9 */
    l.burst_s = 1.1e-308;
    l.burst_factor = 3;
    n = one_draw_each(&l, 1e-3, 10000000);
    CU_ASSERT(fabs((double)n - 2e6) < 6 * sqrt(2e6));
    l.diurnal = true;
    af_arrivals_diurnal(l.hourly, 3, 0);
    one_draw_each(&l, 1e-3, 10000000);
}

/* ---------------------------------------------------------------------------------------------
 * The scenario side. */

/* A scenario with one look-up whose arrivals are `arrivals` (the rest of its line). */
static char *scenario_text(const char *arrivals)
{
    return af_strfmt("aifsim: 1\nname: t\nduration: 2 h\n"
                     "cluster: [ { pool: train, node: node-a, nodes: 1 } ]\n"
                     "storage: [ { tier: hot, system: flash, nodes: 4 } ]\n"
                     "workloads:\n"
                     "  - lookup: { name: feat, tier: hot, arrivals: %s }\n",
                     arrivals);
}

/* Writes text (len bytes) to dir/name. */
static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char *path = af_strfmt("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fwrite(text, 1, len, f);
    fclose(f);
    af_free(path);
}

/* Parses scenario_text(arrivals) as dir/t.yaml into *w (arena); returns the status, messages in
 * d. */
static int parse_in(const char *dir, const char *arrivals, af_arena *arena, af_world_config *w,
                    af_diag *d)
{
    char *models = af_test_srcpath("tests/fixtures/models");
    af_catalog *cat = af_catalog_load(models, d);
    af_free(models);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cat);
    char *text = scenario_text(arrivals), *name = af_strfmt("%s/t.yaml", dir);
    int rc = af_scenario_parse(name, text, strlen(text), cat, NULL, 0, arena, w, d);
    af_free(text);
    af_free(name);
    af_catalog_free(cat);
    return rc;
}

/* A new temporary directory (remove with rm_dir). */
static char *make_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = af_strfmt("%s/aifsim-arrivals.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    return dir;
}

static void rm_dir(char *dir, const char *const *files)
{
    for (; *files; files++) {
        char *p = af_strfmt("%s/%s", dir, *files);
        unlink(p);
        rmdir(p);
        af_free(p);
    }
    rmdir(dir);
    af_free(dir);
}

/* `arrivals:` read into the config: weights scaled to mean 1, the start hour, the bursts, and
 * the mean rate over the run. */
static void test_scenario_fields(void)
{
    char *dir = make_dir();
    af_arena *arena = af_arena_new();
    af_diag *d = af_diag_new();
    af_world_config w;
    const char *arr =
        "{ rate: 36 k/h, start: 22.5 h,\n"
        "      diurnal: { hourly: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,\n"
        "                          16, 17, 18, 19, 20, 21, 22, 23, 24] },\n"
        "      bursts: { every: 10 min, length: 1 min, factor: 4, start: 30 s } }";
    CU_ASSERT_EQUAL_FATAL(parse_in(dir, arr, arena, &w, d), AF_OK);
    af_diag_print(d, stderr);
    const af_arrivals_config *a = &w.lookups[0].arrivals;
    CU_ASSERT_DOUBLE_EQUAL(a->rate_per_s, 10, 1e-12);
    CU_ASSERT(a->diurnal);
    for (int h = 0; h < 24; h++)
        CU_ASSERT_DOUBLE_EQUAL(a->hourly[h], (h + 1) / 12.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(a->start_hour, 22.5, 1e-12);
    CU_ASSERT_EQUAL(a->burst_every_s, 600);
    CU_ASSERT_EQUAL(a->burst_s, 60);
    CU_ASSERT_EQUAL(a->burst_factor, 4);
    CU_ASSERT_EQUAL(a->burst_start_s, 30);
    CU_ASSERT_PTR_NULL(a->trace_s);
    /* 22:30 to 00:30: half an hour of hour 22 (weight 23/12.5), an hour of hour 23 (24/12.5),
     * half an hour of hour 0 (1/12.5); on top, 12 bursts of 1 min at 3 x more, starting at
     * minutes 0.5, 10.5, ..., 110.5 of the run: 3 in hour 22, 6 in hour 23, 3 after midnight. */
    double base = 10 * 1800 * (23 + 2 * 24 + 1) / 12.5;
    double extra = 10 * 3 * 60 * (3 * 23 + 6 * 24 + 3 * 1) / 12.5;
    CU_ASSERT_DOUBLE_EQUAL(w.lookups[0].rate_per_s, (base + extra) / 7200, 1e-9);
    af_diag_free(d);
    af_arena_free(arena);
    rm_dir(dir, (const char *const[]){NULL});
}

/* A trace relative to the scenario: header, comments, blank lines, CRLF, units, sizes. */
static void test_scenario_trace(void)
{
    char *dir = make_dir();
    static const char csv[] = "time, size\r\n# recorded\r\n0.5,4096\r\n\r\n  1.5 s , 4 KiB # x\r\n"
                              "1500 ms,1e3\r\n2,0\r\n";
    write_file(dir, "tr.csv", csv, sizeof csv - 1);
    af_arena *arena = af_arena_new();
    af_diag *d = af_diag_new();
    af_world_config w;
    CU_ASSERT_EQUAL_FATAL(parse_in(dir, "{ trace: tr.csv }", arena, &w, d), AF_OK);
    const af_arrivals_config *a = &w.lookups[0].arrivals;
    static const double t[] = {0.5, 1.5, 1.5, 2}, size[] = {4096, 4096, 1000, 0};
    CU_ASSERT_EQUAL_FATAL(a->trace_n, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a->trace_size);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(a->trace_s[i], t[i]);
        CU_ASSERT_EQUAL(a->trace_size[i], size[i]);
    }
    CU_ASSERT_DOUBLE_EQUAL(w.lookups[0].rate_per_s, 4 / 7200.0, 1e-15);
    af_diag_free(d);
    af_arena_free(arena);
    rm_dir(dir, (const char *const[]){"tr.csv", NULL});
}

/* The messages of a bad trace with content text (len bytes), as "LINE:COL: error: ..." after
 * the file name, joined by newlines into a new string. */
static char *trace_errors(const char *dir, const char *text, size_t len)
{
    write_file(dir, "bad.csv", text, len);
    af_arena *arena = af_arena_new();
    af_diag *d = af_diag_new();
    af_world_config w;
    CU_ASSERT_EQUAL(parse_in(dir, "{ trace: bad.csv }", arena, &w, d), AF_EINPUT);
    char *all = af_strdup("");
    char *prefix = af_strfmt("%s/bad.csv:", dir);
    for (size_t i = 0; i < af_diag_count(d); i++) {
        char *m = af_diag_format(d, i);
        const char *rest = strncmp(m, prefix, strlen(prefix)) == 0 ? m + strlen(prefix) : m;
        char *next = af_strfmt("%s%s%s", all, i ? "\n" : "", rest);
        af_free(all);
        all = next;
        af_free(m);
    }
    af_free(prefix);
    af_diag_free(d);
    af_arena_free(arena);
    return all;
}

/* Checks the messages of a bad trace; want "" for none wanted at that place. */
static void expect_trace(const char *dir, const char *text, size_t len, const char *want)
{
    char *got = trace_errors(dir, text, len);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  got:\n%s\n  want:\n%s\n", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    af_free(got);
}

#define P "workloads[0].lookup.arrivals.trace: "
/* expect_trace with a string literal (NUL bytes included). */
#define EXPECT_TRACE(dir, lit, want) expect_trace(dir, lit, sizeof lit - 1, want)

static void test_scenario_trace_errors(void)
{
    char *dir = make_dir();
    EXPECT_TRACE(dir, "1\n0.5\n",
                 "2:1: error: " P "times must not decrease: \"0.5\" comes after 1 s");
    EXPECT_TRACE(dir, "1,2\n 3\n4, 5 KB\n",
                 "2:2: error: " P "expected \"time,size\" like line 1, got no size\n"
                 "3:4: error: " P "expected a size such as \"4096\" (bytes) or \"4 KiB\", at least "
                 "0, got \"5 KB\"");
    EXPECT_TRACE(dir, "1\n2,3\n-1\n5 m\n",
                 "2:3: error: " P "expected a time alone like line 1, got a size too\n"
                 "3:1: error: " P "expected a time such as \"1.5\" (seconds) or \"250 ms\", at "
                 "least 0, got \"-1\"\n"
                 "4:1: error: " P "expected a time such as \"1.5\" (seconds) or \"250 ms\", at "
                 "least 0, got \"5 m\"");
    EXPECT_TRACE(dir, "1,2,3\n",
                 "1:4: error: " P "expected \"time\" or \"time,size\", got a third field");
    /* No rows; and a NUL byte or a line of 5000 bytes stop the reading at once. */
    char *t = trace_errors(dir, "time,size\n# none\n", 17);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "holds no arrivals"));
    af_free(t);
    EXPECT_TRACE(dir, "1\n2\0\n3\n",
                 "2:1: error: " P "expected lines of text of at most 4096 bytes, got a longer line "
                 "or a NUL byte; is this a trace?");
    char *longline = af_malloc_array(5001, 1);
    memset(longline, '1', 5000);
    longline[5000] = '\n';
    expect_trace(dir, longline, 5001,
                 "1:1: error: " P "expected lines of text of at most 4096 bytes, got a longer line "
                 "or a NUL byte; is this a trace?");
    af_free(longline);
    /* Twelve bad rows: ten reported, then one line says the rest was not read. */
    t = trace_errors(dir, "x,1\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\n", 28);
    int lines = 1;
    for (const char *p = t; *p; p++)
        lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 11);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "12:1: error: " P "not read: the trace has more than 10 bad "
                                     "rows"));
    af_free(t);
    /* A directory is not a regular file; a missing file says so. */
    char *sub = af_strfmt("%s/bad.csv", dir);
    unlink(sub);
    CU_ASSERT_EQUAL(mkdir(sub, 0700), 0);
    af_arena *arena = af_arena_new();
    af_diag *d = af_diag_new();
    af_world_config w;
    CU_ASSERT_EQUAL(parse_in(dir, "{ trace: bad.csv }", arena, &w, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_count(d), 1);
    char *m = af_diag_format(d, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "t.yaml:7:57: error: " P "cannot read trace \""));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "bad.csv\": not a regular file"));
    af_free(m);
    af_diag_clear(d);
    CU_ASSERT_EQUAL(parse_in(dir, "{ trace: none.csv }", arena, &w, d), AF_EINPUT);
    m = af_diag_format(d, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "none.csv\": No such file or directory"));
    af_free(m);
    af_diag_free(d);
    af_arena_free(arena);
    af_free(sub);
    rm_dir(dir, (const char *const[]){"bad.csv", NULL});
}

#undef EXPECT_TRACE
#undef P

static const af_test tests[] = {
    {"the cosine day: formula, mean 1, symmetric", test_diurnal_cosine},
    {"the cosine day: busiest over quietest hour is the ratio asked for", test_diurnal_ratio},
    {"the rate wraps at midnight", test_rate_midnight},
    {"the integral across midnight and whole days", test_expected_midnight},
    {"bursts across period edges", test_bursts},
    {"a profile with bursts against a sum over seconds", test_profile_and_bursts},
    {"the integral is additive, also 99 years in", test_additive},
    {"traces: entries, sizes, counts, then none", test_trace},
    {"plain Poisson draws are gsl_ran_exponential's", test_draws},
    {"a stream's end: the same draws before it, none after", test_end},
    {"each arrival where the integral reaches its draw", test_inverse},
    {"uneven rates (fuzz findings): one draw per arrival, at once", test_uneven},
    {"scenario: arrivals fields and the mean rate", test_scenario_fields},
    {"scenario: a trace relative to the scenario", test_scenario_trace},
    {"scenario: a trace's mistakes at its line and column", test_scenario_trace_errors},
    {NULL, NULL},
};

AF_TEST_MAIN("arrivals", tests)
