/*
 * test_goal: the planner's goals and search (plan/goal.h). Goals: comparisons with each operator,
 * joined by "and", thresholds read in the metric's unit (90% -> 0.9, 50 ms -> 0.05 s, 65 GB/s),
 * holds on a value and on the right bound of an interval, and every mistake (no operator, "=",
 * an empty side, an unknown metric with its nearest name and the user's instance, a text metric,
 * a unit of another dimension) with its message. The search: on synthetic monotone predicates
 * (the answer at every index of ranges of 1 to 70 values, both directions, nothing passing,
 * everything passing) it returns the exact boundary and its failing neighbour, evaluates no index
 * twice, and makes at most 2 ceil(log2(n + 1)) + 1 evaluations.
 */
#include "plan/goal.h"

#include "base/alloc.h"
#include "base/diag.h"

#include "cutest.h"

#include <math.h>
#include <string.h>

static bool diag_has(const af_diag *d, const char *text)
{
    for (size_t i = 0; i < af_diag_count(d); i++)
        if (strstr(af_diag_get(d, i)->text, text))
            return true;
    return false;
}

static void test_parse(void)
{
    af_goals gs;
    af_goals_init(&gs);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_goals_parse(&gs,
                                   "train.llm.gpu_utilization >= 90% and "
                                   "inference.recsys.latency_p99<=50 ms AND cost.tco < 2 M USD",
                                   d),
                    AF_OK);
    CU_ASSERT_EQUAL(af_diag_errors(d), 0);
    CU_ASSERT_EQUAL_FATAL(gs.n, 3);
    CU_ASSERT_STRING_EQUAL(gs.g[0].metric, "train.llm.gpu_utilization");
    CU_ASSERT_EQUAL(gs.g[0].op, AF_GOAL_GE);
    CU_ASSERT_DOUBLE_EQUAL(gs.g[0].value, 0.9, 1e-12);
    CU_ASSERT_STRING_EQUAL(gs.g[0].text, "train.llm.gpu_utilization >= 90%");
    CU_ASSERT_STRING_EQUAL(gs.g[1].metric, "inference.recsys.latency_p99");
    CU_ASSERT_EQUAL(gs.g[1].op, AF_GOAL_LE);
    CU_ASSERT_DOUBLE_EQUAL(gs.g[1].value, 0.05, 1e-12);
    CU_ASSERT_EQUAL(gs.g[1].dim, AF_DIM_TIME);
    CU_ASSERT_EQUAL(gs.g[2].op, AF_GOAL_LT);
    CU_ASSERT_DOUBLE_EQUAL(gs.g[2].value, 2e6, 1e-6);
    CU_ASSERT_EQUAL(af_goals_parse(&gs, "storage.hot.read_rate > 65 GB/s", d), AF_OK);
    CU_ASSERT_EQUAL_FATAL(gs.n, 4);
    CU_ASSERT_EQUAL(gs.g[3].op, AF_GOAL_GT);
    CU_ASSERT_DOUBLE_EQUAL(gs.g[3].value, 65e9, 1e-3);

    /* holds, with the boundary itself and NaN */
    CU_ASSERT_TRUE(af_goal_holds(&gs.g[0], 0.9));
    CU_ASSERT_FALSE(af_goal_holds(&gs.g[0], 0.8999));
    CU_ASSERT_FALSE(af_goal_holds(&gs.g[0], NAN));
    CU_ASSERT_TRUE(af_goal_holds(&gs.g[1], 0.05));
    CU_ASSERT_FALSE(af_goal_holds(&gs.g[1], 0.0501));
    CU_ASSERT_FALSE(af_goal_holds(&gs.g[2], 2e6));
    CU_ASSERT_FALSE(af_goal_holds(&gs.g[3], 65e9));
    /* on an interval: >= judges the lower bound, <= the upper */
    CU_ASSERT_EQUAL(af_goal_bound(&gs.g[0], 0.88, 0.95), 0.88);
    CU_ASSERT_EQUAL(af_goal_bound(&gs.g[1], 0.04, 0.06), 0.06);
    af_goals_fini(&gs);
    af_diag_free(d);
}

/* expr must be refused with a message containing want. */
static void refused(const char *expr, const char *want)
{
    af_goals gs;
    af_goals_init(&gs);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_goals_parse(&gs, expr, d), AF_EINPUT);
    CU_ASSERT_TRUE(af_diag_errors(d) > 0);
    if (!diag_has(d, want)) {
        fprintf(stderr, "\n%s: no \"%s\" in:\n", expr, want);
        af_diag_print(d, stderr);
        CU_FAIL("message");
    }
    af_goals_fini(&gs);
    af_diag_free(d);
}

static void test_mistakes(void)
{
    refused("train.llm.gpu_utilization 90%", "expected a comparison METRIC OP VALUE");
    refused("train.llm.gpu_utilization = 90%", "OP one of >=, <=, >, <");
    refused("train.llm.gpu_utilization == 90%", "OP one of >=, <=, >, <");
    refused(">= 90%", "expected a metric name before \">=\"");
    refused("train.llm.gpu_utilization >=", "expected one value after \">=\"");
    refused("train.llm.gpu_utilization >= 90% and", "an empty comparison");
    refused("", "an empty comparison");
    refused("train.llm.gpu_utilisation >= 90%",
            "unknown metric \"train.llm.gpu_utilisation\"; did you mean "
            "\"train.llm.gpu_utilization\"?");
    refused("inference.recsys.latncy_p99 <= 50 ms",
            "did you mean \"inference.recsys.latency_p99\"?");
    refused("train.llm.gpu_utilization >= 50 ms", "train.llm.gpu_utilization: expected a ratio");
    refused("inference.recsys.latency_p99 <= 50", "inference.recsys.latency_p99: expected a time");
    refused("storage.hot.read_rate >= 65 Gb", "expected a bandwidth");
}

/* A synthetic monotone predicate: for FEWEST, pass from index k on; for MOST, pass up to k. */
typedef struct syn {
    size_t n, k;
    af_search_dir dir;
    unsigned char seen[128];
    bool twice;
} syn;

static int syn_eval(void *ctx, size_t i, bool *pass)
{
    syn *s = ctx;
    CU_ASSERT_FATAL(i < s->n);
    if (s->seen[i]++)
        s->twice = true;
    *pass = s->dir == AF_SEARCH_FEWEST ? i >= s->k : i <= s->k;
    return AF_OK;
}

static void test_search(void)
{
    for (size_t n = 1; n <= 70; n++) {
        size_t limit = 1;
        while (((size_t)1 << (limit - 1)) < n + 1)
            limit++;
        limit = 2 * limit + 1;
        /* k = n: nothing passes for FEWEST; for MOST k = n means everything passes */
        for (size_t k = 0; k <= n; k++)
            for (int dd = 0; dd < 2; dd++) {
                syn s = {.n = n, .k = k, .dir = dd ? AF_SEARCH_MOST : AF_SEARCH_FEWEST};
                memset(s.seen, 0, sizeof s.seen);
                af_search_result r;
                CU_ASSERT_EQUAL_FATAL(af_search(n, s.dir, syn_eval, &s, &r), AF_OK);
                CU_ASSERT_FALSE(s.twice);
                CU_ASSERT_TRUE(r.runs <= limit);
                if (s.dir == AF_SEARCH_FEWEST) {
                    if (k == n) {
                        CU_ASSERT_FALSE(r.found);
                        CU_ASSERT_EQUAL(r.fail, n - 1);
                    } else {
                        CU_ASSERT_TRUE(r.found);
                        CU_ASSERT_EQUAL(r.pass, k);
                        CU_ASSERT_EQUAL(r.fail, k == 0 ? AF_SEARCH_NONE : k - 1);
                    }
                } else {
                    size_t kk = k == n ? n - 1 : k; /* k >= n - 1: everything passes */
                    CU_ASSERT_TRUE(r.found);
                    CU_ASSERT_EQUAL(r.pass, kk);
                    CU_ASSERT_EQUAL(r.fail, kk == n - 1 ? AF_SEARCH_NONE : kk + 1);
                }
                if (r.pass != AF_SEARCH_NONE)
                    CU_ASSERT_TRUE(s.seen[r.pass]);
                if (r.fail != AF_SEARCH_NONE)
                    CU_ASSERT_TRUE(s.seen[r.fail]);
            }
    }
    /* MOST with nothing passing */
    syn s = {.n = 10, .dir = AF_SEARCH_MOST};
    memset(s.seen, 0, sizeof s.seen);
    s.k = (size_t)-1; /* i <= SIZE_MAX holds everywhere: use a FEWEST-shaped fail instead */
    af_search_result r;
    s.dir = AF_SEARCH_FEWEST;
    s.k = 10;
    CU_ASSERT_EQUAL(af_search(10, AF_SEARCH_MOST, syn_eval, &s, &r), AF_OK);
    /* the predicate "i >= 10" is false everywhere: MOST sees a fail at 0 */
    CU_ASSERT_FALSE(r.found);
    CU_ASSERT_EQUAL(r.pass, AF_SEARCH_NONE);
    CU_ASSERT_EQUAL(r.fail, 0);
    CU_ASSERT_EQUAL(r.runs, 1);
}

static int fail_eval(void *ctx, size_t i, bool *pass)
{
    (void)ctx;
    *pass = false;
    return i == 3 ? 7 : AF_OK;
}

static void test_search_error(void)
{
    af_search_result r;
    CU_ASSERT_EQUAL(af_search(100, AF_SEARCH_FEWEST, fail_eval, NULL, &r), 7);
    CU_ASSERT_EQUAL(r.runs, 3); /* 0, 1, 3 */
}

static const af_test tests[] = {
    {"goals: operators, units, holds and interval bounds", test_parse},
    {"goals: every mistake with its message", test_mistakes},
    {"search: exact boundary on synthetic monotone predicates", test_search},
    {"search: an evaluation's error stops it", test_search_error},
    {NULL, NULL},
};

AF_TEST_MAIN("goal", tests)
