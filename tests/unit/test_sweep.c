/*
 * test_sweep: the sweep engine (plan/sweep.h). The grid: lists, linear and log ranges with and
 * without units, point order (the last axis fastest), the canonical spec, and every mistake a
 * --vary can hold (with the path and the expected form in the message) including the point
 * limit. Replications: seeds (the first is the scenario's, the others distinct and the same every
 * time) and the Student-t interval against hand computations (t quantiles from a printed table:
 * t(0.975, 4) = 2.776, t(0.975, 2) = 4.303, t(0.975, 1) = 12.706). The executor: with 1 and 8
 * threads and jobs of uneven length, every job is taken once, in order; a tick that says stop
 * takes the finished jobs and no more; a failed take stops the sweep and nothing more is taken.
 */
#include "plan/sweep.h"

#include "base/alloc.h"
#include "base/diag.h"

#include "cutest.h"

#include <math.h>
#include <string.h>
#include <time.h>

static bool diag_has(const af_diag *d, const char *text)
{
    for (size_t i = 0; i < af_diag_count(d); i++)
        if (strstr(af_diag_get(d, i)->text, text))
            return true;
    return false;
}

/* Axis a's values joined by "|". */
static char *values(const af_sweep_grid *g, size_t a)
{
    char *s = af_strdup("");
    for (size_t k = 0; k < g->axes[a].n; k++) {
        char *t = af_strfmt("%s%s%s", s, k ? "|" : "", g->axes[a].values[k]);
        af_free(s);
        s = t;
    }
    return s;
}

static void expect_axis(const char *arg, const char *want)
{
    af_sweep_grid g;
    af_sweep_grid_init(&g);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL_FATAL(af_sweep_grid_add(&g, arg, d), AF_OK);
    char *v = values(&g, 0);
    if (strcmp(v, want) != 0)
        fprintf(stderr, "\n%s: got %s, want %s\n", arg, v, want);
    CU_ASSERT_STRING_EQUAL(v, want);
    af_free(v);
    af_diag_free(d);
    af_sweep_grid_fini(&g);
}

static void test_values(void)
{
    expect_axis("storage.hot.nodes=2,4,8", "2|4|8");
    expect_axis("x= 2 , 4 ", "2|4");
    expect_axis("x=2..32:2", "2|4|6|8|10|12|14|16|18|20|22|24|26|28|30|32");
    expect_axis("x=2..9:3", "2|5|8");
    expect_axis("x=1..64x2", "1|2|4|8|16|32|64");
    expect_axis("x=1..100x10", "1|10|100");
    expect_axis("x=3..5", "3|4|5");
    expect_axis("x=5..5", "5");
    expect_axis("x=0.1..0.5:0.1", "0.1|0.2|0.3|0.4|0.5");
    expect_axis("t=30 min..120 min:30 min", "30 min|60 min|90 min|120 min");
    expect_axis("t=30 min..120 min:30", "30 min|60 min|90 min|120 min");
    expect_axis("b=100 GB/s..400 GB/sx2", "100 GB/s|200 GB/s|400 GB/s");
    expect_axis("workloads[0].train.checkpoint.every=30 min,1 h", "30 min|1 h");
    expect_axis("s=flash-qlc-node,disk-node", "flash-qlc-node|disk-node");
    /* The numeric view: one unit for all, else none. */
    af_sweep_grid g;
    af_sweep_grid_init(&g);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, "a=30 min,60 min", d), AF_OK);
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, "b=30 min,1 h", d), AF_OK);
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, "c=x,y", d), AF_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g.axes[0].x);
    CU_ASSERT_STRING_EQUAL(g.axes[0].unit, "min");
    CU_ASSERT_DOUBLE_EQUAL(g.axes[0].x[1], 60, 0);
    CU_ASSERT_PTR_NULL(g.axes[1].x);
    CU_ASSERT_PTR_NULL(g.axes[2].x);
    af_sweep_grid_fini(&g);
    af_diag_free(d);
}

static void test_order(void)
{
    af_sweep_grid g;
    af_sweep_grid_init(&g);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(g.npoints, 1);
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, "a=1,2", d), AF_OK);
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, "b=x,y,z", d), AF_OK);
    CU_ASSERT_EQUAL(g.npoints, 6);
    /* The last axis fastest: (1,x) (1,y) (1,z) (2,x) (2,y) (2,z). */
    static const char *const want[6] = {"a=1, b=x", "a=1, b=y", "a=1, b=z",
                                        "a=2, b=x", "a=2, b=y", "a=2, b=z"};
    for (size_t p = 0; p < 6; p++) {
        char *l = af_sweep_grid_label(&g, p);
        CU_ASSERT_STRING_EQUAL(l, want[p]);
        af_free(l);
        size_t idx[2];
        af_sweep_grid_index(&g, p, idx);
        CU_ASSERT_EQUAL(idx[0], p / 3);
        CU_ASSERT_EQUAL(idx[1], p % 3);
        CU_ASSERT_STRING_EQUAL(af_sweep_grid_value(&g, p, 1), g.axes[1].values[p % 3]);
    }
    char *spec = af_sweep_grid_spec(&g);
    CU_ASSERT_STRING_EQUAL(spec, "a=1,2; b=x,y,z");
    af_free(spec);
    af_sweep_grid_fini(&g);
    /* Two spellings of the same values: the same spec. */
    af_sweep_grid_init(&g);
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, "n=2..8x2", d), AF_OK);
    spec = af_sweep_grid_spec(&g);
    CU_ASSERT_STRING_EQUAL(spec, "n=2,4,8");
    af_free(spec);
    af_sweep_grid_fini(&g);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_diag_free(d);
}

/* arg is refused with a message holding each of the texts; the grid is unchanged. */
static void expect_bad(const char *arg, const char *t1, const char *t2)
{
    af_sweep_grid g;
    af_sweep_grid_init(&g);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, "keep=1,2", d), AF_OK);
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, arg, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    bool ok = diag_has(d, t1) && (!t2 || diag_has(d, t2));
    if (!ok && af_diag_count(d))
        fprintf(stderr, "\n%s: %s\n", arg, af_diag_get(d, 0)->text);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(g.naxes, 1);
    CU_ASSERT_EQUAL(g.npoints, 2);
    af_diag_free(d);
    af_sweep_grid_fini(&g);
}

static void test_mistakes(void)
{
    expect_bad("storage.hot.nodes", "expected PATH=VALUES", "storage.hot.nodes=2,4,8");
    expect_bad("=2,4", "expected PATH=VALUES", NULL);
    expect_bad("n=", "n: expected a value after '='", NULL);
    expect_bad("n=2,,4", "n: expected a value between the commas", NULL);
    expect_bad("n=2,", "n: expected a value between the commas", NULL);
    expect_bad("keep=3,4", "keep is varied twice", NULL);
    expect_bad("n=2..", "n: expected a range of numbers", "2..32:2");
    expect_bad("n=a..b", "n: expected a range of numbers", NULL);
    expect_bad("n=2..8:z", "n: expected a number after \":\"", NULL);
    expect_bad("n=8..2", "n: the range ends below its start", NULL);
    expect_bad("n=2..8:0", "n: expected a step above 0", NULL);
    expect_bad("n=2..8:-1", "n: expected a step above 0", NULL);
    expect_bad("n=0..8x2", "a start above 0 and a factor above 1", NULL);
    expect_bad("n=1..8x1", "a start above 0 and a factor above 1", NULL);
    expect_bad("t=30 min..2 h:30 min", "t: expected one unit on both ends", "30 min..120 min");
    expect_bad("t=30 min..90 min:1 h", "t: expected one unit on both ends", NULL);
    expect_bad("n=inf..8", "expected a range of numbers", NULL);
    /* The limit, of an axis and of the grid: 2 x 50,001 > 100,000. */
    expect_bad("n=1..1e9:1", "more than the 100000 points", NULL);
    expect_bad("n=1..50001", "more than the 100000 points", NULL);
    af_sweep_grid g;
    af_sweep_grid_init(&g);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, "a=1..50000", d), AF_OK);
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, "b=1,2", d), AF_OK);
    CU_ASSERT_EQUAL(g.npoints, AF_SWEEP_MAX_POINTS);
    CU_ASSERT_EQUAL(af_sweep_grid_add(&g, "c=1,2", d), AF_EINPUT);
    CU_ASSERT_TRUE(diag_has(d, "more than the 100000 points"));
    af_sweep_grid_fini(&g);
    af_diag_free(d);
}

static void test_seeds(void)
{
    CU_ASSERT_EQUAL(af_sweep_seed(42, 0), 42);
    uint64_t s[6];
    for (size_t r = 0; r < 6; r++) {
        s[r] = af_sweep_seed(42, r);
        CU_ASSERT_EQUAL(s[r], af_sweep_seed(42, r)); /* a function of (seed, rep) alone */
        for (size_t q = 0; q < r; q++)
            CU_ASSERT_NOT_EQUAL(s[r], s[q]);
    }
    CU_ASSERT_NOT_EQUAL(af_sweep_seed(43, 1), s[1]);
    /* SplitMix64's published first output for state 0 after one step (gamma added once):
     * 0xe220a8397b1dcdaf. */
    CU_ASSERT_EQUAL(af_sweep_seed(0, 1), 0xe220a8397b1dcdafULL);
}

static void test_ci(void)
{
    af_sweep_stat st;
    /* 1..5: mean 3, s^2 = 10 / 4, half width 2.776445 x sqrt(2.5 / 5) = 1.963243. */
    double x[5] = {1, 2, 3, 4, 5};
    af_sweep_ci(x, 5, 0.95, &st);
    CU_ASSERT_DOUBLE_EQUAL(st.mean, 3, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(st.sd, sqrt(2.5), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(st.lo, 3 - 1.963243, 1e-5);
    CU_ASSERT_DOUBLE_EQUAL(st.hi, 3 + 1.963243, 1e-5);
    /* Three values 0.80, 0.82, 0.87: mean 0.83, s = 0.036056, t(0.975, 2) = 4.302653,
     * half = 4.302653 x 0.036056 / sqrt(3) = 0.089566. */
    double y[3] = {0.80, 0.82, 0.87};
    af_sweep_ci(y, 3, 0.95, &st);
    CU_ASSERT_DOUBLE_EQUAL(st.mean, 0.83, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(st.hi - st.mean, 0.089566, 1e-5);
    CU_ASSERT_DOUBLE_EQUAL(st.mean - st.lo, 0.089566, 1e-5);
    /* Two values 10 and 12: half = 12.706205 x sqrt(2) / sqrt(2) = 12.706205. */
    double z[2] = {10, 12};
    af_sweep_ci(z, 2, 0.95, &st);
    CU_ASSERT_DOUBLE_EQUAL(st.hi - 11, 12.706205, 1e-5);
    /* One value: a mean, no interval; equal values: a zero-width one; a NaN: NaN. */
    af_sweep_ci(z, 1, 0.95, &st);
    CU_ASSERT_DOUBLE_EQUAL(st.mean, 10, 0);
    CU_ASSERT_TRUE(isnan(st.lo) && isnan(st.hi) && isnan(st.sd));
    double e[3] = {7, 7, 7};
    af_sweep_ci(e, 3, 0.95, &st);
    CU_ASSERT_DOUBLE_EQUAL(st.lo, 7, 0);
    CU_ASSERT_DOUBLE_EQUAL(st.hi, 7, 0);
    double n[3] = {1, NAN, 3};
    af_sweep_ci(n, 3, 0.95, &st);
    CU_ASSERT_TRUE(isnan(st.mean) && isnan(st.lo));
    af_sweep_ci(n, 0, 0.95, &st);
    CU_ASSERT_TRUE(isnan(st.mean));
}

/* ---- The executor ---------------------------------------------------------------------------- */

#define NJOBS 200

typedef struct exec_ctx {
    size_t taken[NJOBS]; /* order of takes */
    size_t ntaken;
    size_t ran[NJOBS]; /* runs per job (atomic enough: each job runs on one thread) */
    size_t dropped;
    size_t fail_at;    /* take fails at this job (NJOBS: never) */
    size_t stop_after; /* tick says stop once this many are taken (NJOBS: never) */
} exec_ctx;

static int ex_run(void *ctx, size_t j, const atomic_bool *stop, void **result)
{
    exec_ctx *c = ctx;
    c->ran[j]++;
    /* With a stopping tick, the second half waits for the stop and is cut: the sweep cannot
     * end before the tick, however the threads are scheduled. */
    if (c->stop_after < NJOBS && j >= NJOBS / 2) {
        struct timespec w = {0, 100000};
        while (!atomic_load(stop))
            nanosleep(&w, NULL);
        *result = af_malloc_array(1, sizeof(size_t));
        return AF_SWEEP_CUT;
    }
    /* Uneven lengths: every 7th job is slow, so later jobs finish first. */
    struct timespec ts = {0, j % 7 == 0 ? 2000000 : 50000};
    nanosleep(&ts, NULL);
    size_t *r = af_malloc_array(1, sizeof *r);
    *r = j * j;
    *result = r;
    return (int)(j % 3 == 0 ? 2 : 0);
}

static int ex_take(void *ctx, size_t j, int status, void *result)
{
    exec_ctx *c = ctx;
    size_t *r = result;
    CU_ASSERT_EQUAL(*r, j * j);
    CU_ASSERT_EQUAL(status, j % 3 == 0 ? 2 : 0);
    af_free(r);
    c->taken[c->ntaken++] = j;
    return j == c->fail_at ? AF_EIO : AF_OK;
}

static void ex_drop(void *ctx, size_t j, void *result)
{
    (void)j;
    exec_ctx *c = ctx;
    c->dropped++;
    af_free(result);
}

static bool ex_tick(void *ctx, size_t taken, size_t njobs)
{
    exec_ctx *c = ctx;
    (void)njobs;
    return taken < c->stop_after;
}

static void test_exec_order(void)
{
    for (unsigned th = 1; th <= 8; th *= 8) {
        exec_ctx c = {.fail_at = NJOBS, .stop_after = NJOBS};
        af_sweep_ops ops = {.ctx = &c,
                            .run = ex_run,
                            .take = ex_take,
                            .drop = ex_drop,
                            .tick = ex_tick,
                            .tick_s = 0.001};
        af_diag *d = af_diag_new();
        size_t taken = 0;
        CU_ASSERT_EQUAL(af_sweep_exec(NJOBS, th, &ops, &taken, d), AF_OK);
        CU_ASSERT_EQUAL(taken, NJOBS);
        CU_ASSERT_EQUAL(c.ntaken, NJOBS);
        for (size_t j = 0; j < NJOBS; j++) {
            CU_ASSERT_EQUAL(c.taken[j], j);
            CU_ASSERT_EQUAL(c.ran[j], 1);
        }
        CU_ASSERT_EQUAL(c.dropped, 0);
        af_diag_free(d);
    }
}

static void test_exec_stop(void)
{
    /* A tick that says stop: what finished is taken, in order, what was cut is dropped, the
     * rest never ran; nothing is taken twice or lost. */
    exec_ctx c = {.fail_at = NJOBS, .stop_after = 20};
    af_sweep_ops ops = {.ctx = &c,
                        .run = ex_run,
                        .take = ex_take,
                        .drop = ex_drop,
                        .tick = ex_tick,
                        .tick_s = 0.001};
    af_diag *d = af_diag_new();
    size_t taken = 0;
    CU_ASSERT_EQUAL(af_sweep_exec(NJOBS, 4, &ops, &taken, d), AF_SWEEP_CUT);
    CU_ASSERT_TRUE(taken >= 20 && taken <= NJOBS / 2);
    CU_ASSERT_EQUAL(c.ntaken, taken);
    size_t ran = 0;
    for (size_t j = 0; j < NJOBS; j++)
        ran += c.ran[j];
    CU_ASSERT_EQUAL(ran, taken + c.dropped);
    for (size_t i = 1; i < c.ntaken; i++)
        CU_ASSERT_TRUE(c.taken[i] > c.taken[i - 1]);
    af_diag_free(d);

    /* A failed take: its status comes back, nothing after it is taken, the rest is dropped. */
    exec_ctx f = {.fail_at = 30, .stop_after = NJOBS};
    ops.ctx = &f;
    d = af_diag_new();
    CU_ASSERT_EQUAL(af_sweep_exec(NJOBS, 4, &ops, &taken, d), AF_EIO);
    CU_ASSERT_EQUAL(taken, 31);
    CU_ASSERT_EQUAL(f.ntaken, 31);
    size_t fran = 0;
    for (size_t j = 0; j < NJOBS; j++)
        fran += f.ran[j];
    CU_ASSERT_EQUAL(fran, f.ntaken + f.dropped);
    af_diag_free(d);
}

static const af_test tests[] = {
    {"values of lists and ranges, with units", test_values},
    {"point order, labels and the canonical spec", test_order},
    {"every --vary mistake and the point limit", test_mistakes},
    {"replication seeds", test_seeds},
    {"Student-t intervals against hand computations", test_ci},
    {"executor: every job taken once, in order, on 1 and 8 threads", test_exec_order},
    {"executor: stopped by a tick or a failed take", test_exec_stop},
    {NULL, NULL},
};

AF_TEST_MAIN("sweep", tests)
