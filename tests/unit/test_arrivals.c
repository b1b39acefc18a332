/*
 * Unit tests of workload/arrivals.c: the cosine day and its normalisation, the rate and its
 * integral worked by hand (hours across midnight, bursts across period edges, a profile with
 * bursts against a sum over seconds), additivity at edges and far out, traces, and the draws of
 * a plain Poisson stream (the same as gsl_ran_exponential's, so look-up runs did not change).
 */
#include "tests/unit/cutest.h"

#include "engine/rng.h"
#include "workload/arrivals.h"

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

/* The cosine day: weights by the formula of arrivals.h, mean 1, symmetric about the peak. */
static void test_diurnal_cosine(void)
{
    double w[24], sum = 0;
    af_arrivals_diurnal(w, 3, 20);
    for (int h = 0; h < 24; h++)
        sum += w[h];
    CU_ASSERT_DOUBLE_EQUAL(sum / 24, 1, 1e-12);
    /* a = (3 - 1) / (3 + 1) = 0.5; 24 cosines at equally spaced phases add up to 0, so the
     * normalisation leaves 1 + 0.5 cos(...) as it is. */
    for (int h = 0; h < 24; h++)
        CU_ASSERT_DOUBLE_EQUAL(w[h], 1 + 0.5 * cos(2 * M_PI * (h + 0.5 - 20) / 24), 1e-12);
    /* Hours 19 and 20 sit half an hour either side of the peak; 7 and 8 either side of the
     * trough. */
    CU_ASSERT_DOUBLE_EQUAL(w[19], w[20], 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(w[7], w[8], 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(w[19], 1 + 0.5 * cos(M_PI / 24), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(w[7], 1 - 0.5 * cos(M_PI / 24), 1e-12);
    /* A ratio of 1 is flat. */
    af_arrivals_diurnal(w, 1, 5);
    for (int h = 0; h < 24; h++)
        CU_ASSERT_DOUBLE_EQUAL(w[h], 1, 1e-15);
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
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 0), 100 * 23 / 12.5, 1e-9);      /* 22:30 */
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 1799), 100 * 23 / 12.5, 1e-9);   /* 22:59 */
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 1800), 100 * 24 / 12.5, 1e-9);   /* 23:00 */
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 5400), 100 * 1 / 12.5, 1e-9);    /* 00:00 */
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_rate_at(&c, 86400), 100 * 23 / 12.5, 1e-9);  /* day 2 */
    CU_ASSERT_DOUBLE_EQUAL(af_arrivals_peak_rate(&c), 100 * 24 / 12.5, 1e-9);
}

/* The integral by hand, across midnight and over whole days. */
static void test_expected_midnight(void)
{
    af_arrivals_config c = hourly_cfg(2, 23);
    double w23 = 24 / 12.5, w0 = 1 / 12.5, w1 = 2 / 12.5;
    AF_ASSERT_REL(af_arrivals_expected(&c, 0, 7200), 2 * 3600 * (w23 + w0), 1e-12);
    AF_ASSERT_REL(af_arrivals_expected(&c, 1800, 5400), 2 * 1800 * (w23 + w0), 1e-12);
    AF_ASSERT_REL(af_arrivals_expected(&c, 3000, 8000),
                  2 * (600 * w23 + 3600 * w0 + 800 * w1), 1e-12);
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
    AF_ASSERT_REL(af_arrivals_expected(&c, 0, 100 * 365 * 86400.0), 7 * 100 * 365 * 86400.0,
                  1e-12);
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
    af_arrivals_init(&a, &c);
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
    af_arrivals_init(&a, &c);
    CU_ASSERT_EQUAL(af_arrivals_next(&a, NULL, &sz), 0.5);
    CU_ASSERT_EQUAL(sz, 0);
}

/* A plain rate draws what gsl_ran_exponential draws from a twin generator, bit for bit; a
 * profile's arrivals increase and land only where the rate is positive. */
static void test_draws(void)
{
    af_arrivals_config c = {.rate_per_s = 1234.5};
    gsl_rng *r1 = af_rng_new(7, "lookup.x"), *r2 = af_rng_new(7, "lookup.x");
    af_arrivals a;
    af_arrivals_init(&a, &c);
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
    af_arrivals_init(&a, &d);
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

static const af_test tests[] = {
    {"the cosine day: formula, mean 1, symmetric", test_diurnal_cosine},
    {"the rate wraps at midnight", test_rate_midnight},
    {"the integral across midnight and whole days", test_expected_midnight},
    {"bursts across period edges", test_bursts},
    {"a profile with bursts against a sum over seconds", test_profile_and_bursts},
    {"the integral is additive, also 99 years in", test_additive},
    {"traces: entries, sizes, counts, then none", test_trace},
    {"plain Poisson draws are gsl_ran_exponential's", test_draws},
    {NULL, NULL},
};

AF_TEST_MAIN("arrivals", tests)
