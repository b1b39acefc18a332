/*
 * test_kvstack: the LRU stack by bytes (workload/kvstack.h) against a naive one: a list of
 * entries, newest last, whose depth is the sum of the sizes after an entry. Random pushes,
 * detaches and depth queries over 50 items, 60,000 operations (many renumberings of the 1,024
 * positions of the first tree), with and without a limit past which pushes evict.
 */
#include "workload/kvstack.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "cutest.h"

enum { ITEMS = 50, OPS = 60000, MAXE = 8192 };

/* The naive stack: entries oldest first. */
typedef struct naive {
    uint32_t owner[MAXE]; /* item, or UINT32_MAX when detached */
    double size[MAXE];
    size_t n;
} naive;

static void naive_remove(naive *s, size_t i)
{
    memmove(&s->owner[i], &s->owner[i + 1], (s->n - i - 1) * sizeof s->owner[0]);
    memmove(&s->size[i], &s->size[i + 1], (s->n - i - 1) * sizeof s->size[0]);
    s->n--;
}

static double naive_depth(const naive *s, uint32_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->owner[i] == id) {
            double above = 0;
            for (size_t j = i + 1; j < s->n; j++)
                above += s->size[j];
            return above;
        }
    return INFINITY;
}

static void naive_push(naive *s, uint32_t id, double size, double limit)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->owner[i] == id) {
            naive_remove(s, i);
            break;
        }
    s->owner[s->n] = id;
    s->size[s->n++] = size;
    /* evict from the bottom what is now deeper than the limit */
    for (;;) {
        double above = 0;
        for (size_t j = 1; j < s->n; j++)
            above += s->size[j];
        if (s->n == 0 || above <= limit)
            break;
        naive_remove(s, 0);
    }
}

static void naive_detach(naive *s, uint32_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->owner[i] == id)
            s->owner[i] = UINT32_MAX;
}

/* Every depth must equal the naive one, INFINITY for an item with no entry (never pushed,
 * detached or evicted). */
static void check(double limit, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    af_kvstack *k = af_kvstack_new(limit);
    naive *s = af_calloc(1, sizeof *s);
    size_t queries = 0, found = 0, bad = 0;
    for (int op = 0; op < OPS; op++) {
        uint32_t id = (uint32_t)gsl_rng_uniform_int(r, ITEMS);
        double u = gsl_rng_uniform(r);
        if (u < 0.5) {
            double size = 1 + floor(gsl_rng_uniform(r) * 1000);
            af_kvstack_push(k, id, size);
            naive_push(s, id, size, limit);
        } else if (u < 0.55) {
            af_kvstack_detach(k, id);
            naive_detach(s, id);
        } else {
            double want = naive_depth(s, id), got = af_kvstack_depth(k, id);
            queries++;
            found += isfinite(want);
            if (isinf(want) ? !isinf(got) : !(fabs(got - want) <= 1e-9 * (want + 1)))
                bad++;
        }
    }
    if (bad)
        fprintf(stderr, "limit %g: %zu of %zu depths wrong\n", limit, bad, queries);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(found > queries / 5); /* the test compared real depths */
    /* the total is every entry's bytes while nothing is dropped */
    if (isinf(limit)) {
        double t = 0;
        for (size_t i = 0; i < s->n; i++)
            t += s->size[i];
        CU_ASSERT(fabs(af_kvstack_total(k) - t) <= 1e-9 * t);
    }
    af_free(s);
    af_kvstack_free(k);
    gsl_rng_free(r);
}

static void test_no_limit(void)
{
    check(INFINITY, 1);
    check(INFINITY, 2);
}

static void test_limit(void)
{
    check(12000, 3);
    check(20000, 4);
}

/* By hand: a (10), b (20), c (30) pushed in order: depths 50, 30, 0; a again at 5: b 35, c 5,
 * a 0; detaching c keeps its bytes above b; a new item with c's id has no entry. */
static void test_by_hand(void)
{
    af_kvstack *k = af_kvstack_new(INFINITY);
    af_kvstack_push(k, 0, 10);
    af_kvstack_push(k, 1, 20);
    af_kvstack_push(k, 2, 30);
    CU_ASSERT_DOUBLE_EQUAL(af_kvstack_depth(k, 0), 50, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_kvstack_depth(k, 1), 30, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_kvstack_depth(k, 2), 0, 0);
    af_kvstack_push(k, 0, 5);
    CU_ASSERT_DOUBLE_EQUAL(af_kvstack_depth(k, 1), 35, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_kvstack_depth(k, 2), 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_kvstack_depth(k, 0), 0, 0);
    af_kvstack_detach(k, 2);
    CU_ASSERT(isinf(af_kvstack_depth(k, 2)));
    CU_ASSERT_DOUBLE_EQUAL(af_kvstack_depth(k, 1), 35, 0);
    CU_ASSERT(isinf(af_kvstack_depth(k, 7)));
    CU_ASSERT_DOUBLE_EQUAL(af_kvstack_total(k), 55, 0);
    af_kvstack_free(k);
}

static const af_test tests[] = {{"by hand: pushes, a re-push, a detach", test_by_hand},
                                {"against a naive stack, no limit", test_no_limit},
                                {"against a naive stack, entries past a limit dropped", test_limit},
                                {NULL, NULL}};

AF_TEST_MAIN("kvstack", tests)
