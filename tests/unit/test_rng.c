/*
 * test_rng: per-component random streams.
 *
 * Known answers pin the seed derivation (they were computed independently, in Python, from the
 * FNV-1a and SplitMix64 definitions), so a change that would alter every published run fails
 * here. Statistical checks use bounds from the sampling distribution at 5 sigma: the sample
 * correlation of n independent pairs has standard deviation 1/sqrt(n), the mean of n
 * exponentials of mean mu has standard deviation mu/sqrt(n). Seeds are fixed, so the outcome is
 * deterministic; the bounds say the checks would hold for almost any seed.
 */
#include "engine/rng.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "base/alloc.h"
#include "cutest.h"

static void test_seed_known_answers(void)
{
    CU_ASSERT_EQUAL(af_rng_seed(0, ""), UINT64_C(0x5b21f68ffa77f14c));
    CU_ASSERT_EQUAL(af_rng_seed(1, "workload"), UINT64_C(0x741d4af9a60f1d41));
    CU_ASSERT_EQUAL(af_rng_seed(42, "storage/tier0"), UINT64_C(0xa170a208fcaa6a1e));
    CU_ASSERT_EQUAL(af_rng_seed(UINT64_MAX, "gpu"), UINT64_C(0xc228e18f8df0e6a7));
}

/* Similar names and neighbouring seeds give unrelated seeds: on average half the bits differ. */
static void test_seed_avalanche(void)
{
    enum { N = 2000 };
    double bits_name = 0, bits_seed = 0;
    for (unsigned i = 0; i < N; i++) {
        char a[32], b[32];
        snprintf(a, sizeof(a), "gpu%u", i);
        snprintf(b, sizeof(b), "gpu%u", i + 1);
        bits_name += __builtin_popcountll(af_rng_seed(7, a) ^ af_rng_seed(7, b));
        bits_seed += __builtin_popcountll(af_rng_seed(i, "x") ^ af_rng_seed(i + 1, "x"));
    }
    /* Popcount of 64 random bits: mean 32, sd 4; the mean of N has sd 4/sqrt(N). */
    double tol = 5 * 4 / sqrt(N);
    CU_ASSERT_DOUBLE_EQUAL(bits_name / N, 32, tol);
    CU_ASSERT_DOUBLE_EQUAL(bits_seed / N, 32, tol);
}

static void test_same_stream(void)
{
    gsl_rng *a = af_rng_new(123, "workload/train0");
    gsl_rng *b = af_rng_new(123, "workload/train0");
    CU_ASSERT_STRING_EQUAL(gsl_rng_name(a), "mt19937");
    size_t diff = 0;
    for (int i = 0; i < 10000; i++)
        diff += gsl_rng_get(a) != gsl_rng_get(b);
    CU_ASSERT_EQUAL(diff, 0);
    af_rng_free(a);
    af_rng_free(b);
    af_rng_free(NULL);
}

/* Counts equal draws among the first n of two streams. */
static size_t count_equal(gsl_rng *a, gsl_rng *b, size_t n)
{
    size_t same = 0;
    for (size_t i = 0; i < n; i++)
        same += gsl_rng_get(a) == gsl_rng_get(b);
    return same;
}

static void test_different_streams(void)
{
    gsl_rng *a = af_rng_new(123, "workload/train0");
    gsl_rng *b = af_rng_new(123, "workload/train1");
    gsl_rng *c = af_rng_new(124, "workload/train0");
    gsl_rng *d = af_rng_new(123, "workload/train0");
    /* Two 32-bit streams agree on a draw with probability 2^-32: none in 1000. */
    CU_ASSERT_EQUAL(count_equal(a, b, 1000), 0);
    CU_ASSERT_EQUAL(count_equal(c, d, 1000), 0);
    af_rng_free(a);
    af_rng_free(b);
    af_rng_free(c);
    af_rng_free(d);
}

/* Sample correlation of the first n uniforms of two streams. */
static double correlation(gsl_rng *a, gsl_rng *b, size_t n)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double x = gsl_rng_uniform(a), y = gsl_rng_uniform(b);
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    double cov = sxy / n - (sx / n) * (sy / n);
    double vx = sxx / n - (sx / n) * (sx / n), vy = syy / n - (sy / n) * (sy / n);
    return cov / sqrt(vx * vy);
}

static void test_uncorrelated(void)
{
    enum { N = 100000, K = 6 };
    static const char *names[K] = {"gpu0", "gpu1", "tier/nvme", "tier/hdd", "a", "b"};
    double bound = 5 / sqrt(N);
    for (size_t i = 0; i < K; i++)
        for (size_t j = i + 1; j < K; j++) {
            gsl_rng *a = af_rng_new(2024, names[i]);
            gsl_rng *b = af_rng_new(2024, names[j]);
            double r = correlation(a, b, N);
            CU_ASSERT(fabs(r) < bound);
            af_rng_free(a);
            af_rng_free(b);
        }
    /* Same name, neighbouring scenario seeds. */
    gsl_rng *a = af_rng_new(1, "gpu0"), *b = af_rng_new(2, "gpu0");
    CU_ASSERT(fabs(correlation(a, b, N)) < bound);
    af_rng_free(a);
    af_rng_free(b);
    /* The check has power: a stream against itself shifted by zero is perfectly correlated. */
    a = af_rng_new(1, "gpu0");
    b = af_rng_new(1, "gpu0");
    CU_ASSERT_DOUBLE_EQUAL(correlation(a, b, 1000), 1.0, 1e-12);
    af_rng_free(a);
    af_rng_free(b);
}

/* Adding a component (a new stream, drawn from in between) leaves another's draws unchanged. */
static void test_adding_stream(void)
{
    enum { N = 5000 };
    unsigned long *alone = af_malloc_array(N, sizeof(*alone));
    gsl_rng *a = af_rng_new(99, "workload/a");
    for (size_t i = 0; i < N; i++)
        alone[i] = gsl_rng_get(a);
    af_rng_free(a);

    gsl_rng *b = af_rng_new(99, "workload/b");
    a = af_rng_new(99, "workload/a");
    gsl_rng *c = af_rng_new(99, "failures");
    size_t diff = 0;
    for (size_t i = 0; i < N; i++) {
        gsl_rng_get(b);
        diff += gsl_rng_get(a) != alone[i];
        gsl_rng_uniform(c);
        gsl_rng_uniform(c);
    }
    CU_ASSERT_EQUAL(diff, 0);
    af_rng_free(a);
    af_rng_free(b);
    af_rng_free(c);
    af_free(alone);
}

static void test_exponential_mean(void)
{
    enum { N = 100000 };
    static const double means[] = {0.9, 1e-3, 250.0};
    for (size_t k = 0; k < sizeof(means) / sizeof(means[0]); k++) {
        gsl_rng *r = af_rng_new(7, "arrivals");
        double sum = 0;
        for (size_t i = 0; i < N; i++)
            sum += gsl_ran_exponential(r, means[k]);
        CU_ASSERT_DOUBLE_EQUAL(sum / N, means[k], 5 * means[k] / sqrt(N));
        af_rng_free(r);
    }
}

static const af_test tests[] = {
    {"seed derivation matches known answers", test_seed_known_answers},
    {"similar names and seeds give unrelated seeds", test_seed_avalanche},
    {"same seed and name give the same stream", test_same_stream},
    {"different names or seeds give different streams", test_different_streams},
    {"streams are uncorrelated (|r| < 5/sqrt(n))", test_uncorrelated},
    {"adding a stream leaves another's draws unchanged", test_adding_stream},
    {"mean of exponentials within 5 sigma", test_exponential_mean},
    {NULL, NULL},
};

AF_TEST_MAIN("rng", tests)
