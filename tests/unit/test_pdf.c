/*
 * test_pdf: the report's charts match their data, its axes step nicely, its sentences say what the
 * metrics say, and its files are whole and the same for the same results (report/chart.h,
 * report/pdf.h).
 *
 * The charts are checked on real runs of small fixture worlds sampled every 10 s: a data-bound job
 * with a write burst and a look-up stream, and a job with checkpoints and failures. The shares
 * of a job's GPU time stack to 100% in every window, the power components stack to the
 * facility's IT power series, the energy's running total ends at the run's energy, the cost bars
 * add up to the cost and the TCO, and each reference line is its metric.
 */
#include "tests/unit/cutest.h"
#include "tests/validation/sharing.h"

#include "base/metrics.h"
#include "report/chart.h"
#include "report/compare.h"
#include "report/pdf.h"
#include "report/text.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Ticks ------------------------------------------------------------------------------------
 */

/* The mantissa of step (x = m x 10^k, 1 <= m < 10). */
static double mantissa(double x)
{
    double m = x / pow(10, floor(log10(x)));
    return m >= 9.9999999 ? 1 : m;
}

static bool is_125(double m)
{
    return fabs(m - 1) < 1e-6 || fabs(m - 2) < 1e-6 || fabs(m - 5) < 1e-6;
}

/* Ticks of [lo, hi] in target steps: 1-2-5 steps, equally spaced, covering the range, no more
 * than target + 1. */
static void check_linear(double lo, double hi, size_t target)
{
    af_ticks t;
    af_ticks_linear(lo, hi, target, &t);
    CU_ASSERT(t.n >= 2 && t.n <= target + 1);
    CU_ASSERT(t.step > 0);
    CU_ASSERT(is_125(mantissa(t.step)));
    /* Tolerance: a billionth of a step, and the rounding of doubles at the ticks' magnitude
     * (a range a millionth of its values wide has ticks a million steps from 0). */
    double tol = 1e-9 * t.step + 1e-15 * fmax(fabs(t.lo), fabs(t.hi));
    CU_ASSERT(t.lo <= fmin(lo, hi) + tol);
    CU_ASSERT(t.hi >= fmax(lo, hi) - tol);
    CU_ASSERT_DOUBLE_EQUAL(t.lo, t.v[0], 0);
    CU_ASSERT_DOUBLE_EQUAL(t.hi, t.v[t.n - 1], 0);
    for (size_t i = 1; i < t.n; i++)
        CU_ASSERT_DOUBLE_EQUAL(t.v[i] - t.v[i - 1], t.step, tol);
    /* Every tick a whole multiple of the step (so 0 is a tick when the range spans it). */
    for (size_t i = 0; i < t.n; i++)
        CU_ASSERT_DOUBLE_EQUAL(t.v[i] / t.step, round(t.v[i] / t.step), tol / t.step);
    if (!(t.n >= 2 && t.n <= target + 1 && is_125(mantissa(t.step))))
        printf("\n  [%g, %g] target %zu: step %g, %zu ticks", lo, hi, target, t.step, t.n);
}

static void test_ticks_linear(void)
{
    check_linear(0, 1, 5);
    check_linear(0, 0.9999, 5);
    check_linear(0, 122.9e9, 6);
    check_linear(0, 2.0e11 * 1.04, 6);
    check_linear(0, 3, 7);
    check_linear(0, 10800, 7);
    check_linear(-3.2, 17.5, 6);
    check_linear(1e-7, 3e-7, 4);
    check_linear(0.123, 0.124, 5);
    check_linear(1e15, 2.83e15, 6);
    check_linear(-5, -1, 5);
    /* A deterministic sweep of ranges over 20 orders of magnitude. */
    unsigned x = 12345;
    for (int i = 0; i < 2000; i++) {
        x = x * 1103515245u + 12345u;
        int e = (int)((x >> 20) % 20) - 10;
        double a = (double)(x % 100000) / 1000.0 * pow(10, e);
        x = x * 1103515245u + 12345u;
        /* spans from a millionth of a's magnitude to 10^5 times it */
        double b = a + (double)(x % 100000 + 1) / 1000.0 * pow(10, e - 6 + (int)((x >> 20) % 12));
        check_linear(i % 3 == 0 ? 0 : a, b, 2 + (size_t)(i % 9));
    }
    /* Degenerate ranges become a visible one. */
    af_ticks t;
    af_ticks_linear(0, 0, 5, &t);
    CU_ASSERT_DOUBLE_EQUAL(t.lo, 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(t.hi, 1, 1e-12);
    af_ticks_linear(7, 7, 5, &t);
    CU_ASSERT(t.lo <= 0 && t.hi >= 7);
    af_ticks_linear(NAN, 1, 5, &t);
    CU_ASSERT(t.n >= 2 && isfinite(t.lo) && isfinite(t.hi));
    /* The familiar cases. */
    af_ticks_linear(0, 1, 5, &t);
    CU_ASSERT_DOUBLE_EQUAL(t.step, 0.2, 1e-12);
    CU_ASSERT_EQUAL(t.n, 6);
    af_ticks_linear(0, 3, 7, &t);
    CU_ASSERT_DOUBLE_EQUAL(t.step, 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(t.hi, 3, 1e-12);
}

static void check_log(double lo, double hi, size_t target)
{
    af_ticks t;
    af_ticks_log(lo, hi, target, &t);
    CU_ASSERT(t.n >= 2 && t.n <= AF_TICKS_MAX);
    CU_ASSERT(t.lo <= lo * (1 + 1e-12));
    CU_ASSERT(t.hi >= hi * (1 - 1e-12));
    for (size_t i = 0; i < t.n; i++) {
        CU_ASSERT(is_125(mantissa(t.v[i])));
        if (i > 0)
            CU_ASSERT(t.v[i] > t.v[i - 1]);
    }
    /* Whole decades at both ends. */
    CU_ASSERT(fabs(mantissa(t.lo) - 1) < 1e-9);
    CU_ASSERT(fabs(mantissa(t.hi) - 1) < 1e-9);
}

static void test_ticks_log(void)
{
    check_log(8.2e-5, 0.05, 6);
    check_log(8.2e-5, 50.34, 6);
    check_log(1e-9, 1e9, 6);
    check_log(3, 4, 6);
    check_log(1, 10, 6);
    check_log(2e-7, 7e-6, 8);
    af_ticks t;
    af_ticks_log(1.5, 80, 9, &t); /* two decades, 1-2-5 within each */
    CU_ASSERT_EQUAL(t.n, 7);
    CU_ASSERT_DOUBLE_EQUAL(t.v[1], 2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(t.v[2], 5, 1e-12);
}

static void test_axis_units(void)
{
    af_axis_unit u;
    af_axis_unit_of(1.5e9, AF_DIM_BANDWIDTH, &u);
    CU_ASSERT_STRING_EQUAL(u.unit, "GB/s");
    CU_ASSERT_DOUBLE_EQUAL(u.scale, 1e9, 1e-3);
    af_axis_unit_of(900039.7, AF_DIM_POWER, &u);
    CU_ASSERT_STRING_EQUAL(u.unit, "kW");
    CU_ASSERT_DOUBLE_EQUAL(u.scale, 1e3, 1e-9);
    af_axis_unit_of(0.7, AF_DIM_RATIO, &u);
    CU_ASSERT_STRING_EQUAL(u.unit, "%");
    CU_ASSERT_DOUBLE_EQUAL(u.scale, 0.01, 1e-15);
    af_axis_unit_of(9.72e9, AF_DIM_ENERGY, &u);
    CU_ASSERT_STRING_EQUAL(u.unit, "MWh");
    CU_ASSERT_DOUBLE_EQUAL(u.scale, 3.6e9, 1e-3);
    af_axis_unit_of(55.38e6, AF_DIM_MONEY, &u);
    CU_ASSERT_STRING_EQUAL(u.unit, "M USD");
    af_axis_unit_of(2.831e15, AF_DIM_SIZE, &u);
    CU_ASSERT_STRING_EQUAL(u.unit, "PB");
    af_axis_unit_of(0, AF_DIM_BANDWIDTH, &u);
    CU_ASSERT_DOUBLE_EQUAL(u.scale, 1, 0);
    af_axis_time_unit(10800, &u);
    CU_ASSERT_STRING_EQUAL(u.unit, "h");
    af_axis_time_unit(1000, &u);
    CU_ASSERT_STRING_EQUAL(u.unit, "min");
    af_axis_time_unit(90, &u);
    CU_ASSERT_STRING_EQUAL(u.unit, "s");
    af_axis_time_unit(30 * 86400.0, &u);
    CU_ASSERT_STRING_EQUAL(u.unit, "d");
    char buf[32];
    af_axis_unit gb = {.scale = 1e9};
    CU_ASSERT_STRING_EQUAL(af_axis_label(1.5e9, &gb, buf, sizeof buf), "1.5");
    CU_ASSERT_STRING_EQUAL(af_axis_label(0.6 * 3.6e9 / 3.6e9 * 1e9, &gb, buf, sizeof buf), "0.6");
    CU_ASSERT_STRING_EQUAL(af_axis_label(-1e-20, &gb, buf, sizeof buf), "0");
}

/* A value axis steps by 1, 2 or 5 of its display unit: 0.5 MWh, not 0.5 GJ shown in MWh. */
static void test_value_ticks_in_display_units(void)
{
    static const struct {
        double hi;
        af_dim dim;
    } cases[] = {{9.72e9, AF_DIM_ENERGY}, {900039.7, AF_DIM_POWER}, {2.831e15, AF_DIM_SIZE},
                 {3793.4, AF_DIM_MONEY},  {0.05, AF_DIM_TIME},      {214.2e9, AF_DIM_BANDWIDTH},
                 {5.3e7, AF_DIM_CARBON},  {1, AF_DIM_RATIO}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        af_chart_frame f = {.t_end = 1, .ylo = 0, .yhi = cases[i].hi};
        af_ticks t;
        af_axis_unit u;
        af_chart_value_ticks(&f, cases[i].dim, 6, &t, &u);
        CU_ASSERT(u.scale > 0);
        CU_ASSERT(is_125(mantissa(t.step / u.scale)));
        CU_ASSERT(t.hi >= cases[i].hi);
        CU_ASSERT_DOUBLE_EQUAL(t.lo, 0, 0);
        for (size_t k = 0; k < t.n; k++) {
            double x = t.v[k] / t.step;
            CU_ASSERT_DOUBLE_EQUAL(x, round(x), 1e-6);
        }
    }
    /* A fixed share axis stays 0 to 100% in steps of 20 points. */
    af_chart_frame f = {.t_end = 1, .ylo = 0, .yhi = 1, .fixed = true};
    af_ticks t;
    af_axis_unit u;
    af_chart_value_ticks(&f, AF_DIM_RATIO, 6, &t, &u);
    CU_ASSERT_DOUBLE_EQUAL(t.hi, 1, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(t.step, 0.2, 1e-12);
    /* A log frame: decades, each labelled in its own unit. */
    af_chart_frame g = {.t_end = 1, .ylo = 8e-5, .yhi = 13, .log_y = true};
    af_chart_value_ticks(&g, AF_DIM_TIME, 6, &t, &u);
    CU_ASSERT_DOUBLE_EQUAL(u.scale, 0, 0);
    CU_ASSERT(t.lo <= 8e-5 && t.hi >= 13);
}

/* ---- Charts of real runs ----------------------------------------------------------------------
 */

/* A data-bound job (two nodes reading 1 GB per GPU per one-second step from a 10 GB/s tier) with
 * a 200 GB write burst every 200 s and a look-up stream with a 5 ms objective, over 1,000 s
 * sampled every 10 s. */
static af_results *run_bound(void)
{
    af_fixture f;
    af_fix_init(&f, 2, 1, 10e9, 1e9, 1.0, 1000);
    f.pools[0].node.storage_nic.rate_Bps = 1e12;
    f.trains[0].target_steps = 300;
    af_fix_add_burst(&f, "ckpt", 0, 0, true, 200e9, 200, 50);
    f.lookups[0] = (af_lookup_config){
        .name = "feat", .tier = 0, .rate_per_s = 200, .size_B = 4096, .slo_s = 5e-3};
    f.cfg.nlookups = 1;
    f.tiers[0].reserve = 0.05;
    f.cfg.sample_s = 10;
    return af_run(&f);
}

/* One node training with synchronous checkpoints every 100 steps and GPU failures (job MTBF
 * 500 s), over 3,000 s sampled every 30 s. */
static af_results *run_resilient(void)
{
    af_fixture f;
    af_fix_init(&f, 1, 1, 1e12, 1e3, 1.0, 3000);
    f.pools[0].node.storage_nic.rate_Bps = 1e14;
    af_storage_spec *s = &f.tiers[0].system;
    s->device_read_Bps = 1e13;
    s->device_read_iops = 1e9;
    s->device_write_Bps = 5e9;
    s->device_write_iops = 1e5;
    s->device_B = 1e15;
    af_train_config *t = &f.trains[0];
    t->target_steps = 2500;
    t->ckpt = (af_ckpt_config){.on = true,
                               .tier = 0,
                               .size_B = 2e11,
                               .every_steps = 100,
                               .mode = AF_CKPT_SYNC,
                               .writers = 1,
                               .keep = 2,
                               .weight = 1};
    t->fail = (af_fail_config){
        .on = true, .gpu = {AF_FAIL_EXPONENTIAL, 8 * 500.0, 1}, .restart_s = 20, .spares = -1};
    f.cfg.seed = 7;
    f.cfg.sample_s = 30;
    return af_run(&f);
}

/* A recommendation service on four one-GPU replicas (500 requests/s, two 4 KiB feature reads
 * each from the tier, batches of up to 8 after at most 1 ms, 2 ms + 0.1 ms per request; p99
 * objective 20 ms) while 50 GB lands on the same tier every 100 s from outside, over 300 s
 * sampled every 10 s. */
static af_results *run_serving(void)
{
    af_fixture f;
    af_fix_init(&f, 1, 1, 10e9, 1e9, 1.0, 300);
    f.cfg.ntrains = 0;
    f.infers[0] = (af_infer_config){.name = "svc",
                                    .pool = 0,
                                    .replicas = 4,
                                    .gpus_per_replica = 1,
                                    .arrivals = {.rate_per_s = 500},
                                    .feature_tier = 0,
                                    .feature_reads = 2,
                                    .feature_B = 4096,
                                    .max_batch = 8,
                                    .max_wait_s = 1e-3,
                                    .service_s = 2e-3,
                                    .per_request_s = 1e-4,
                                    .slo_s = 20e-3,
                                    .slo_quantile = 0.99};
    f.cfg.ninfers = 1;
    af_fix_add_burst(&f, "ingest", AF_WORLD_NONE, 0, true, 50e9, 100, 50);
    f.cfg.seed = 11;
    f.cfg.sample_s = 10;
    return af_run(&f);
}

static const af_series *series(const af_results *r, const char *name)
{
    const af_series *s = af_results_series_find(r, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

/* The attribution's areas stack to 100% in every window, and each is its series. */
static void check_attribution(const af_results *r, const char *job)
{
    af_chart *c = af_chart_attribution(r, job);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_FALSE(c->no_data);
    CU_ASSERT(c->fixed_y && c->ylo == 0 && c->yhi == 1);
    CU_ASSERT_EQUAL(c->nlayers, 7);
    CU_ASSERT(c->n > 0);
    for (size_t i = 0; i < c->n; i++) {
        CU_ASSERT_DOUBLE_EQUAL(af_chart_stack_top(c, i), 1, 1e-9);
        if (fabs(af_chart_stack_top(c, i) - 1) > 1e-9)
            printf("\n  window %zu of %s: shares add up to %.12g", i, job,
                   af_chart_stack_top(c, i));
    }
    char name[128];
    snprintf(name, sizeof name, "train.%s.data_wait", job);
    const af_series *w = series(r, name);
    for (size_t i = 0; i < c->n; i++)
        CU_ASSERT_DOUBLE_EQUAL(c->layers[1].v[i], w->v[i], 0);
    /* Computing is the sampled share (the work a later failure undid included, when it was
     * done): never below zero, and over the run the GPU utilization plus the lost work. */
    snprintf(name, sizeof name, "train.%s.gpu_utilization", job);
    const af_series *u = series(r, name);
    double sum = 0;
    for (size_t i = 0; i < c->n; i++) {
        CU_ASSERT(c->layers[0].v[i] >= 0);
        CU_ASSERT_DOUBLE_EQUAL(c->layers[0].v[i], u->v[i], 1e-9);
        sum += u->v[i];
    }
    char lost[128];
    snprintf(lost, sizeof lost, "train.%s.lost_work", job);
    CU_ASSERT_DOUBLE_EQUAL(sum / (double)c->n, af_get0(r, name) + af_get0(r, lost), 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c->t_end, af_get(r, "run.duration"), 0);
    af_chart_free(c);
}

static void test_attribution_sums_to_one(void)
{
    af_results *r = run_bound();
    check_attribution(r, "job");
    /* The job was data-bound: its waiting share shows. */
    af_chart *c = af_chart_attribution(r, "job");
    CU_ASSERT_TRUE(c->layers[1].legend);
    af_chart_free(c);
    af_results_free(r);
    r = run_resilient();
    check_attribution(r, "job");
    af_results_free(r);
}

static void test_power_stack_is_it_power(void)
{
    af_results *r = run_bound();
    af_chart *c = af_chart_power(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const af_series *it = series(r, "facility.it_power"), *fac = series(r, "facility.power");
    CU_ASSERT_EQUAL(c->n, it->n);
    size_t lines = 0;
    for (size_t i = 0; i < c->n; i++)
        AF_ASSERT_REL(af_chart_stack_top(c, i), it->v[i], 1e-12);
    for (size_t k = 0; k < c->nlayers; k++)
        if (c->layers[k].mode == AF_LAYER_LINE) {
            lines++;
            for (size_t i = 0; i < c->n; i++)
                CU_ASSERT_DOUBLE_EQUAL(c->layers[k].v[i], fac->v[i], 0);
        }
    CU_ASSERT_EQUAL(lines, 1);
    /* The run's mean IT power is the stack's mean (equal windows). */
    double sum = 0;
    for (size_t i = 0; i < c->n; i++)
        sum += af_chart_stack_top(c, i);
    AF_ASSERT_REL(sum / (double)c->n, af_get(r, "facility.it_power"), 1e-9);
    af_chart_free(c);
    af_results_free(r);
}

static void test_energy_total(void)
{
    af_results *r = run_bound();
    af_chart *c = af_chart_energy(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->nlayers, 1);
    CU_ASSERT_TRUE(c->layers[0].at_end);
    for (size_t i = 1; i < c->n; i++)
        CU_ASSERT(c->layers[0].v[i] >= c->layers[0].v[i - 1]);
    AF_ASSERT_REL(c->layers[0].v[c->n - 1], af_get(r, "facility.energy"), 1e-9);
    af_chart_free(c);
    af_results_free(r);
}

static void test_cost_bars_add_up(void)
{
    af_results *r = run_bound();
    af_chart *c = af_chart_cost_run(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->kind, AF_CHART_BARS);
    CU_ASSERT_EQUAL(c->nrows, 6);
    double sum = 0;
    for (size_t i = 0; i < c->nrows; i++)
        sum += c->layers[0].v[i];
    AF_ASSERT_REL(sum, af_get(r, "cost.total"), 1e-9);
    /* The three capital classes add up to the capital. */
    AF_ASSERT_REL(c->layers[0].v[0] + c->layers[0].v[1] + c->layers[0].v[2],
                  af_get(r, "cost.capital"), 1e-9);
    af_chart_free(c);
    c = af_chart_cost_tco(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    sum = 0;
    for (size_t i = 0; i < c->nrows; i++)
        sum += c->layers[0].v[i];
    AF_ASSERT_REL(sum, af_get(r, "cost.tco"), 1e-9);
    af_chart_free(c);
    af_results_free(r);
}

/* Reference lines are their metrics; series are the run's. */
static void test_refs_are_metrics(void)
{
    af_results *r = run_bound();
    af_chart *c = af_chart_throughput(r, "hot");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->nrefs, 1);
    CU_ASSERT_DOUBLE_EQUAL(c->refs[0].y, af_get(r, "storage.hot.read_bandwidth"), 0);
    const af_series *rd = series(r, "storage.hot.read_rate");
    for (size_t i = 0; i < c->n; i++)
        CU_ASSERT_DOUBLE_EQUAL(c->layers[0].v[i], rd->v[i], 0);
    /* The frame shows the capacity line and every point. */
    af_chart_frame f;
    af_chart_frame_of(c, &f);
    CU_ASSERT(f.yhi >= af_get(r, "storage.hot.read_bandwidth"));
    af_chart_free(c);

    c = af_chart_fill(r, "hot");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->nrefs, 1);
    CU_ASSERT_DOUBLE_EQUAL(c->refs[0].y, af_get(r, "storage.hot.usable_capacity"), 0);
    af_chart_free(c);

    c = af_chart_latency(r, "feat");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    bool slo = false, p99 = false;
    for (size_t i = 0; i < c->nrefs; i++) {
        if (c->refs[i].y == af_get(r, "lookup.feat.slo"))
            slo = true;
        if (c->refs[i].y == af_get(r, "lookup.feat.latency_p99"))
            p99 = true;
    }
    CU_ASSERT_TRUE(slo);
    CU_ASSERT_TRUE(p99);
    CU_ASSERT_TRUE(c->layers[0].zero_is_gap);
    CU_ASSERT_TRUE(c->log_ok);
    af_chart_free(c);
    af_results_free(r);
}

static void test_timeline(void)
{
    af_results *r = run_resilient();
    CU_ASSERT(af_get(r, "failures.job.count") > 0);
    af_chart *c = af_chart_timeline(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->kind, AF_CHART_TIMELINE);
    CU_ASSERT(c->nrows >= 1);
    CU_ASSERT_STRING_EQUAL(c->rows[0], "job: GPU time");
    const af_series *st = series(r, "train.job.checkpoint_stall");
    const af_series *dn = series(r, "train.job.failure_down");
    double stall = 0, down = 0;
    for (size_t k = 0; k < c->nlayers; k++) {
        const af_chart_layer *l = &c->layers[k];
        if (l->row != 0)
            continue;
        CU_ASSERT_DOUBLE_EQUAL(l->row_max, 1, 0);
        const af_series *s = strstr(l->label, "checkpoint") ? st : dn;
        for (size_t i = 0; i < c->n; i++) {
            CU_ASSERT_DOUBLE_EQUAL(l->v[i], s->v[i], 0);
            if (s == st)
                stall += l->v[i];
            else
                down += l->v[i];
        }
    }
    CU_ASSERT(stall > 0);
    CU_ASSERT(down > 0);
    /* The window means average to the run's shares. */
    AF_ASSERT_REL(stall / (double)c->n, af_get(r, "train.job.checkpoint_stall"), 1e-6);
    /* The tier row scales writes to their peak. */
    if (c->nrows > 1) {
        const af_chart_layer *w = &c->layers[c->nlayers - 1];
        double max = 0;
        for (size_t i = 0; i < w->n; i++)
            max = fmax(max, w->v[i]);
        CU_ASSERT_DOUBLE_EQUAL(w->row_max, max, 0);
    }
    af_chart_free(c);
    af_results_free(r);
}

/* Results without series: time charts are "no data" panels saying why; bars still have data. */
static void test_no_data(void)
{
    af_results *r = af_results_new();
    af_results_put(r, AF_M_RUN_DURATION, NULL, 3600);
    af_results_put(r, AF_M_TRAIN_GPUS, "llm", 8);
    af_results_put(r, AF_M_TRAIN_UTIL, "llm", 0.5);
    af_results_put(r, AF_M_STORAGE_NODES, "hot", 2);
    af_results_put(r, AF_M_STORAGE_READ_RATE, "hot", 1e9);
    af_results_put(r, AF_M_STORAGE_READ_BW, "hot", 2e9);
    af_results_put(r, AF_M_STORAGE_USABLE, "hot", 1e15);
    af_results_put(r, AF_M_FACILITY_IT_POWER, NULL, 1e5);
    af_results_put(r, AF_M_COST_TOTAL, NULL, 100);
    af_results_put(r, AF_M_COST_CAP_COMPUTE, NULL, 60);
    af_results_put(r, AF_M_COST_ENERGY, NULL, 40);
    af_chart_set *s = af_charts_of_results(r);
    size_t nodata = 0;
    for (size_t i = 0; i < s->n; i++) {
        const af_chart *c = s->c[i];
        if (c->kind == AF_CHART_BARS) {
            CU_ASSERT_FALSE(c->no_data);
            continue;
        }
        CU_ASSERT_TRUE(c->no_data);
        CU_ASSERT_PTR_NOT_NULL(c->note);
        if (c->note)
            CU_ASSERT_PTR_NOT_NULL(strstr(c->note, "no time series"));
        nodata++;
    }
    CU_ASSERT(nodata >= 4); /* attribution, throughput, fill, power */
    CU_ASSERT_PTR_NOT_NULL(af_chart_set_find(s, "attribution-llm"));
    CU_ASSERT_PTR_NOT_NULL(af_chart_set_find(s, "throughput-hot"));
    CU_ASSERT_PTR_NOT_NULL(af_chart_set_find(s, "cost-run"));
    CU_ASSERT_PTR_NULL(af_chart_set_find(s, "latency-feat"));
    af_chart_set_free(s);
    af_results_free(r);
}

/* The charts of a run, in report order, with unique ids. */
static void test_chart_set(void)
{
    af_results *r = run_bound();
    af_chart_set *s = af_charts_of_results(r);
    static const char *const want[] = {"attribution-job", "throughput-hot", "fill-hot",
                                       "power",           "energy",         "cost-run",
                                       "cost-tco",        "latency-feat",   "timeline"};
    CU_ASSERT_EQUAL(s->n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < s->n && i < sizeof want / sizeof want[0]; i++) {
        CU_ASSERT_STRING_EQUAL(s->c[i]->id, want[i]);
        CU_ASSERT_FALSE(s->c[i]->no_data);
        CU_ASSERT_PTR_NOT_NULL(s->c[i]->subtitle);
    }
    af_chart_set_free(s);
    af_results_free(r);
}

/* The serving chart of a real run is the world's p99 series against the run's p99, its p99
 * during writes and the objective; the chart set carries it. */
static void test_serving_chart(void)
{
    af_results *r = run_serving();
    af_chart *c = af_chart_serving(r, "svc");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_FALSE(c->no_data);
    CU_ASSERT_STRING_EQUAL(c->id, "serving-svc");
    CU_ASSERT_TRUE(c->log_ok);
    CU_ASSERT_EQUAL_FATAL(c->nlayers, 1);
    CU_ASSERT_TRUE(c->layers[0].zero_is_gap);
    const af_series *s = series(r, "inference.svc.latency_p99");
    CU_ASSERT_EQUAL(c->n, s->n);
    CU_ASSERT_EQUAL(c->n, 30); /* 300 s in windows of 10 s */
    for (size_t i = 0; i < c->n && i < s->n; i++)
        CU_ASSERT_DOUBLE_EQUAL(c->layers[0].v[i], s->v[i], 0);
    /* Every reference line is its metric; the writes' p99 is there because the burst wrote. */
    const char *refs[] = {"inference.svc.latency_p99", "inference.svc.latency_p99_writes",
                          "inference.svc.slo"};
    CU_ASSERT_EQUAL(c->nrefs, 3);
    for (size_t k = 0; k < 3; k++) {
        bool found = false;
        for (size_t i = 0; i < c->nrefs; i++)
            found = found || c->refs[i].y == af_get(r, refs[k]);
        CU_ASSERT_TRUE(found);
        if (!found)
            printf("\n  no reference line at %s", refs[k]);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(c->subtitle);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->subtitle, af_get(r, "inference.svc.latency_p99") <= 20e-3
                                                   ? "meets the 20 ms objective"
                                                   : "MISSES the 20 ms objective"));
    af_chart_free(c);
    af_chart_set *set = af_charts_of_results(r);
    CU_ASSERT_PTR_NOT_NULL(af_chart_set_find(set, "serving-svc"));
    af_chart_set_free(set);
    af_results_free(r);
}

/* Two charts on one frame show both: the wider range, the longer run, log when either needs. */
static void test_frame_join(void)
{
    af_results *a = af_results_new(), *b = af_results_new();
    af_results_put(a, AF_M_RUN_DURATION, NULL, 100);
    af_results_put(b, AF_M_RUN_DURATION, NULL, 200);
    af_results_put(a, AF_M_STORAGE_NODES, "hot", 1);
    af_results_put(b, AF_M_STORAGE_NODES, "hot", 1);
    af_results_put(a, AF_M_STORAGE_READ_RATE, "hot", 1);
    af_results_put(b, AF_M_STORAGE_READ_RATE, "hot", 1);
    af_results_put(a, AF_M_STORAGE_READ_BW, "hot", 5e9);
    af_results_put(b, AF_M_STORAGE_READ_BW, "hot", 8e9);
    af_series *sa = af_results_series(a, "storage.hot.read_rate", AF_DIM_BANDWIDTH, NULL, 10);
    af_series *sb = af_results_series(b, "storage.hot.read_rate", AF_DIM_BANDWIDTH, NULL, 10);
    for (int i = 0; i < 10; i++)
        af_series_push(sa, 1e9 * i);
    for (int i = 0; i < 20; i++)
        af_series_push(sb, 9e9);
    af_chart *ca = af_chart_throughput(a, "hot"), *cb = af_chart_throughput(b, "hot");
    af_chart_frame f;
    af_chart_frame_of(ca, &f);
    CU_ASSERT_DOUBLE_EQUAL(f.t_end, 100, 0);
    CU_ASSERT_DOUBLE_EQUAL(f.yhi, 9e9, 0);
    CU_ASSERT_FALSE(f.log_y);
    af_chart_frame_join(&f, cb);
    CU_ASSERT_DOUBLE_EQUAL(f.t_end, 200, 0);
    CU_ASSERT_DOUBLE_EQUAL(f.yhi, 9e9, 0);
    CU_ASSERT_DOUBLE_EQUAL(f.ylo, 0, 0);
    af_chart_free(ca);
    af_chart_free(cb);
    /* A capacity 100 times the reads is off the scale: the reads fill the frame. */
    af_results_put(a, AF_M_STORAGE_READ_BW, "hot", 9e11);
    ca = af_chart_throughput(a, "hot");
    af_chart_frame_of(ca, &f);
    CU_ASSERT_DOUBLE_EQUAL(f.yhi, 9e9, 0);
    CU_ASSERT_EQUAL(f.nref, 1);
    af_chart_free(ca);
    /* Latencies spanning five decades go on a log axis, for both of a pair. */
    af_results_put(a, AF_M_LOOKUP_REQUESTS, "q", 10);
    af_results_put(a, AF_M_LOOKUP_P99, "q", 1e-4);
    af_results_put(a, AF_M_LOOKUP_SLO, "q", 0.05);
    af_results_put(b, AF_M_LOOKUP_REQUESTS, "q", 10);
    af_results_put(b, AF_M_LOOKUP_P99, "q", 13);
    af_chart *la = af_chart_latency(a, "q"), *lb = af_chart_latency(b, "q");
    af_chart_frame_of(la, &f);
    CU_ASSERT_TRUE(f.log_y); /* 100 us to 50 ms */
    af_chart_frame_join(&f, lb);
    CU_ASSERT_TRUE(f.log_y);
    CU_ASSERT_DOUBLE_EQUAL(f.ylo, 1e-4, 0);
    CU_ASSERT_DOUBLE_EQUAL(f.yhi, 13, 0);
    af_chart_free(la);
    af_chart_free(lb);
    af_results_free(a);
    af_results_free(b);
}

static void test_bars_pair(void)
{
    af_results *a = af_results_new(), *b = af_results_new();
    af_results_put(a, AF_M_COST_TOTAL, NULL, 10);
    af_results_put(a, AF_M_COST_ENERGY, NULL, 10);
    af_results_put(b, AF_M_COST_TOTAL, NULL, 30);
    af_results_put(b, AF_M_COST_CAP_STORAGE, NULL, 20);
    af_results_put(b, AF_M_COST_ENERGY, NULL, 10);
    af_chart *ca = af_chart_cost_run(a), *cb = af_chart_cost_run(b);
    af_chart *p = af_chart_bars_pair(ca, cb, "flash", "disk");
    CU_ASSERT_EQUAL(p->nlayers, 2);
    CU_ASSERT_EQUAL(p->nrows, ca->nrows);
    CU_ASSERT_STRING_EQUAL(p->layers[0].label, "flash");
    CU_ASSERT_STRING_EQUAL(p->layers[1].label, "disk");
    double sa = 0, sb = 0;
    for (size_t i = 0; i < p->nrows; i++) {
        sa += p->layers[0].v[i];
        sb += p->layers[1].v[i];
    }
    CU_ASSERT_DOUBLE_EQUAL(sa, 10, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(sb, 30, 1e-12);
    af_chart_free(p);
    af_chart_free(ca);
    af_chart_free(cb);
    af_results_free(a);
    af_results_free(b);
}

/* ---- Sentences and headline figures -----------------------------------------------------------
 */

/* True when one of the sentences holds every one of the n needles. */
static bool said(const af_findings *f, size_t n, const char *const *needles)
{
    for (size_t i = 0; i < f->n; i++) {
        bool all = true;
        for (size_t k = 0; k < n && all; k++)
            all = strstr(f->s[i], needles[k]) != NULL;
        if (all)
            return true;
    }
    for (size_t i = 0; i < f->n; i++)
        printf("\n  finding: %s", f->s[i]);
    return false;
}

#define SAID(f, ...)                                                                               \
    do {                                                                                           \
        static const char *const needles_[] = {__VA_ARGS__};                                       \
        CU_ASSERT_TRUE(said((f), sizeof needles_ / sizeof needles_[0], needles_));                 \
    } while (0)

/* A data-bound job, a compute-bound one, a burst, look-ups that miss their objective, a tier, the
 * facility over a power cap and the cost. */
static af_results *made_results(void)
{
    af_results *r = af_results_new();
    af_results_put(r, AF_M_RUN_DURATION, NULL, 10800);
    af_results_put(r, AF_M_TRAIN_GPUS, "video", 256);
    af_results_put(r, AF_M_TRAIN_UTIL, "video", 0.71);
    af_results_put(r, AF_M_TRAIN_DATA_WAIT, "video", 0.29);
    af_results_put(r, AF_M_TRAIN_WAIT_SNIC, "video", 0.29);
    af_results_put(r, AF_M_TRAIN_DEMAND, "video", 480e6);
    af_results_put(r, AF_M_TRAIN_READ_RATE, "video", 340.8e6);
    af_results_put_text(r, AF_M_TRAIN_BOTTLENECK, "video", "tier hot NICs out");
    af_results_put(r, AF_M_TRAIN_GPUS, "llm", 512);
    af_results_put(r, AF_M_TRAIN_UTIL, "llm", 0.9);
    af_results_put(r, AF_M_TRAIN_DATA_WAIT, "llm", 0);
    af_results_put(r, AF_M_TRAIN_CKPT_STALL, "llm", 0.06);
    af_results_put(r, AF_M_TRAIN_DOWN, "llm", 0.04);
    af_results_put(r, AF_M_BURST_SIZE, "ckpt", 1e12);
    af_results_put(r, AF_M_BURST_COMPLETED, "ckpt", 3);
    af_results_put(r, AF_M_BURST_SLOWDOWN, "ckpt", 4.42);
    af_results_put(r, AF_M_BURST_SLOWDOWN_BOUND, "ckpt", 9.19);
    af_results_put(r, AF_M_LOOKUP_REQUESTS, "feat", 1000);
    af_results_put(r, AF_M_LOOKUP_RATE, "feat", 2000);
    af_results_put(r, AF_M_LOOKUP_P50, "feat", 1e-4);
    af_results_put(r, AF_M_LOOKUP_P99, "feat", 13.06);
    af_results_put(r, AF_M_LOOKUP_P999, "feat", 50);
    af_results_put(r, AF_M_LOOKUP_SLO, "feat", 0.05);
    af_results_put(r, AF_M_STORAGE_NODES, "hot", 2);
    af_results_put(r, AF_M_STORAGE_DEVICES, "hot", 64);
    af_results_put(r, AF_M_STORAGE_READ_RATE, "hot", 122.9e9);
    af_results_put(r, AF_M_STORAGE_WRITE_RATE, "hot", 185.2e6);
    af_results_put(r, AF_M_STORAGE_READ_BW, "hot", 200e9);
    af_results_put(r, AF_M_STORAGE_USABLE, "hot", 2.831e15);
    af_results_put(r, AF_M_STORAGE_USED, "hot", 2.062e15);
    af_results_put(r, AF_M_FACILITY_IT_POWER, NULL, 818.2e3);
    af_results_put(r, AF_M_FACILITY_P_GPU, NULL, 537.6e3);
    af_results_put(r, AF_M_FACILITY_POWER, NULL, 900e3);
    af_results_put(r, AF_M_FACILITY_BUSY_POWER, NULL, 901.2e3);
    af_results_put(r, AF_M_FACILITY_ENERGY, NULL, 9.72e9);
    af_results_put(r, AF_M_FACILITY_CARBON, NULL, 990.9);
    af_results_put(r, AF_M_FACILITY_RACKS, NULL, 20);
    af_results_put(r, AF_M_FACILITY_CAP, NULL, 850e3);
    af_results_put_text(r, AF_M_FACILITY_CAP_VERDICT, NULL, "exceeded at peak");
    af_results_put(r, AF_M_FACILITY_CAP_HEADROOM, NULL, -51.2e3);
    af_results_put(r, AF_M_FACILITY_CAP_LIMIT, NULL, 450);
    af_results_put(r, AF_M_FACILITY_CAP_SHARE, NULL, 0.92);
    af_results_put(r, AF_M_COST_TOTAL, NULL, 3793.4);
    af_results_put(r, AF_M_COST_PER_HOUR, NULL, 1264.5);
    af_results_put(r, AF_M_COST_PER_GPU_HOUR, NULL, 1.646);
    af_results_put(r, AF_M_COST_LIFETIME, NULL, 5 * AF_YEAR_S);
    af_results_put(r, AF_M_COST_TCO, NULL, 55.38e6);
    af_results_put(r, AF_M_COST_TCO_CAPITAL, NULL, 31.82e6);
    af_results_put(r, AF_M_COST_PER_YEAR, NULL, 11.08e6);
    return r;
}

static void test_findings(void)
{
    af_results *r = made_results();
    af_findings f;
    af_report_findings(r, &f);
    /* The data-bound job: the utilization storage holds it to, the rates, the bottleneck, as the
     * summary's verdict names them. */
    SAID(&f, "Storage reads hold the video job's GPU utilization to 71%",
         "each GPU gets 340.8 MB/s of the 480 MB/s it needs (139.2 MB/s short)",
         "the bottleneck is the storage tier's NICs (100% of the wait",
         "longest: tier hot NICs out");
    SAID(&f, "The llm job's 512 GPUs compute 90% of the time",
         "also lose 6% to checkpoint stalls and 4% to restarts after failures");
    SAID(&f, "ckpt", "4.42 times its time alone", "at most 9.19 times");
    SAID(&f, "Look-ups feat: p99 latency 13.06 s MISSES the 50 ms objective");
    SAID(&f, "Tier hot", "122.9 GB/s against 200 GB/s", "(61.45%)", "2.062 PB of 2.831 PB");
    SAID(&f, "900 kW on average", "901.2 kW at peak", "2.7 MWh", "990.9 kg CO2e", "20 racks");
    SAID(&f, "850 kW power cap is exceeded at peak (51.2 kW over at peak)",
         "GPU power limit of 450 W", "92% of the GPUs' throughput");
    SAID(&f, "The run costs 3.793 k USD (1.264 k USD per hour)", "1.646 USD per useful GPU-hour",
         "Over 5 y the TCO is 55.38 M USD (11.08 M USD per year), 57.46% of it capital");
    af_findings_free(&f);
    /* Meeting the objective, and a compute-bound job without losses. */
    af_results_put(r, AF_M_LOOKUP_P99, "feat", 82e-6);
    af_results_put(r, AF_M_TRAIN_DATA_WAIT, "video", 1e-5);
    af_report_findings(r, &f);
    SAID(&f, "p99 latency 82 us meets the 50 ms objective");
    SAID(&f, "The video job's 256 GPUs compute 71% of the time; storage keeps up");
    af_findings_free(&f);
    af_results_free(r);
}

static void test_compare_findings(void)
{
    af_results *a = made_results(), *b = made_results();
    af_results_put(a, AF_M_TRAIN_UTIL, "video", 1);
    af_results_put(a, AF_M_TRAIN_DATA_WAIT, "video", 0);
    af_results_put(a, AF_M_LOOKUP_P99, "feat", 82e-6);
    af_results_put(b, AF_M_FACILITY_POWER, NULL, 923.2e3);
    af_results_put(a, AF_M_STORAGE_POWER, "hot", 1480);
    af_results_put(b, AF_M_STORAGE_POWER, "hot", 22770);
    af_results_put(b, AF_M_STORAGE_NODES, "hot", 14);
    af_findings f;
    af_report_compare_findings(a, b, "flash", "disk", &f);
    SAID(&f, "GPU utilization of the video job: 100% on flash against 71% on disk",
         "on disk each GPU gets 340.8 MB/s of the 480 MB/s");
    SAID(&f, "GPU utilization of the llm job: 90% on both");
    SAID(&f, "82 us on flash (meets the 50 ms objective)", "13.06 s on disk (MISSES it)");
    SAID(&f, "Tier hot has 2 nodes", "1.48 kW on flash", "14 nodes", "22.77 kW on disk");
    SAID(&f, "Facility power: 900 kW on flash against 923.2 kW on disk (+2.578%)");
    SAID(&f, "Racks: 20 on both");
    af_findings_free(&f);
    af_results_free(a);
    af_results_free(b);
}

static void test_headline(void)
{
    af_results *r = made_results();
    af_headline h;
    af_report_headline(r, &h);
    static const struct {
        const char *label, *value;
    } want[] = {
        {"GPU utilization, video", "71%"},
        {"GPU utilization, llm", "90%"},
        {"read delivered, tier hot", "122.9 GB/s of 200 GB/s"},
        {"p99 latency, look-ups feat", "13.06 s (objective 50 ms)"},
        {"facility power, mean", "900 kW"},
        {"facility energy", "2.7 MWh"},
        {"cost per useful GPU-hour", "1.646 USD"},
        {"TCO over 5 y", "55.38 M USD"},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        bool found = false;
        for (size_t i = 0; i < h.n; i++)
            if (strcmp(h.rows[i].label, want[k].label) == 0) {
                CU_ASSERT_STRING_EQUAL(h.rows[i].value, want[k].value);
                found = true;
            }
        CU_ASSERT_TRUE(found);
        if (!found)
            printf("\n  no headline row \"%s\"", want[k].label);
    }
    /* No cost per million tokens where none were trained. */
    for (size_t i = 0; i < h.n; i++)
        CU_ASSERT_PTR_NULL(strstr(h.rows[i].label, "million tokens"));
    af_headline_free(&h);
    af_results_free(r);
}

/* A recommendation service that meets its p99 objective but not while a checkpoint writes, and
 * an LLM chat service with its KV cache in host memory and on the storage tier (the figures of
 * scenarios/serving-mixed.yaml's run). */
static void put_serving(af_results *r)
{
    af_results_put(r, AF_M_INFER_ARRIVED, "recsys", 1000);
    af_results_put(r, AF_M_INFER_SERVED, "recsys", 990);
    af_results_put(r, AF_M_INFER_REJECTED, "recsys", 10);
    af_results_put(r, AF_M_INFER_THROUGHPUT, "recsys", 10000);
    af_results_put(r, AF_M_INFER_REPLICAS, "recsys", 32);
    af_results_put(r, AF_M_INFER_REPLICA_UTIL, "recsys", 0.06014);
    af_results_put(r, AF_M_INFER_P50, "recsys", 5.242e-3);
    af_results_put(r, AF_M_INFER_P99, "recsys", 6.591e-3);
    af_results_put(r, AF_M_INFER_P999, "recsys", 0.6609);
    af_results_put(r, AF_M_INFER_P99_CALM, "recsys", 6.57e-3);
    af_results_put(r, AF_M_INFER_P99_WRITES, "recsys", 5.014);
    af_results_put(r, AF_M_INFER_TAIL_READS, "recsys", 0.9393);
    af_results_put(r, AF_M_INFER_TAIL_GPU_QUEUE, "recsys", 0.02336);
    af_results_put(r, AF_M_INFER_TAIL_BATCH_WAIT, "recsys", 0.009946);
    af_results_put(r, AF_M_INFER_TAIL_SERVICE, "recsys", 0.02738);
    af_results_put(r, AF_M_INFER_SLO, "recsys", 0.05);
    af_results_put(r, AF_M_INFER_SLO_QUANTILE, "recsys", 0.99);
    af_results_put(r, AF_M_INFER_SLO_LATENCY, "recsys", 6.591e-3);
    af_results_put(r, AF_M_INFER_SLO_MET, "recsys", 0.9989);
    af_results_put(r, AF_M_INFER_ARRIVED, "chat", 35019);
    af_results_put(r, AF_M_INFER_SERVED, "chat", 35004);
    af_results_put(r, AF_M_INFER_REJECTED, "chat", 0);
    af_results_put(r, AF_M_INFER_THROUGHPUT, "chat", 7.779);
    af_results_put(r, AF_M_INFER_REPLICAS, "chat", 16);
    af_results_put(r, AF_M_INFER_REPLICA_UTIL, "chat", 0.447);
    af_results_put(r, AF_M_INFER_P50, "chat", 0.9564);
    af_results_put(r, AF_M_INFER_P99, "chat", 6.133);
    af_results_put(r, AF_M_INFER_P999, "chat", 9.441);
    af_results_put(r, AF_M_INFER_TAIL_READS, "chat", 0.001531);
    af_results_put(r, AF_M_INFER_TAIL_SERVICE, "chat", 0.998);
    af_results_put(r, AF_M_INFER_TTFT_P99, "chat", 0.213);
    af_results_put(r, AF_M_INFER_TPOT_P99, "chat", 9.061e-3);
    af_results_put(r, AF_M_INFER_TOKENS, "chat", 1552);
    af_results_put(r, AF_M_INFER_TTFT_SLO, "chat", 0.5);
    af_results_put(r, AF_M_INFER_TPOT_SLO, "chat", 0.05);
    af_results_put(r, AF_M_INFER_SLO_MET, "chat", 0.9999);
    af_results_put(r, AF_M_INFER_KV_HIT_HOST, "chat", 0.9709);
    af_results_put(r, AF_M_INFER_KV_HIT_LOCAL, "chat", 0);
    af_results_put(r, AF_M_INFER_KV_HIT_STORAGE, "chat", 0.02905);
    af_results_put(r, AF_M_INFER_KV_RECOMPUTED, "chat", 0);
    af_results_put(r, AF_M_INFER_PREFILL_SAVED, "chat", 1.234 * 3600);
    af_results_put(r, AF_M_INFER_KV_READ_BYTES, "chat", 474e9);
    af_results_put(r, AF_M_INFER_KV_WRITE_BYTES, "chat", 5.529e12);
    af_results_put(r, AF_M_INFER_KV_STORAGE_CAP, "chat", 20e12);
}

static void test_serving_findings(void)
{
    af_results *r = made_results();
    put_serving(r);
    af_findings f;
    af_report_findings(r, &f);
    /* The objective's verdict as the summary's (p99 against 50 ms), the share within it, the
     * p99 while the tier took writes (over the objective) and without, the tail's main part, and
     * the 10 of 1,000 arrivals turned away. */
    SAID(&f, "Service recsys (32 replicas, 6.014% busy, answering 10 k/s)",
         "p99 latency 6.591 ms meets the 50 ms objective; 99.89% of requests are answered within "
         "it (p50 5.242 ms, p99 6.591 ms, p99.9 660.9 ms).",
         "While checkpoints or bursts write to the tier it reads from, its p99 is 5.014 s (OVER "
         "the objective), against 6.57 ms otherwise.",
         "The slowest 1% of requests spend 93.93% of their time on feature reads.",
         "10 requests (1% of arrivals) were REJECTED: the queue limit was reached.");
    /* The LLM service: first token and per token against their objectives, the turn's own
     * latency, and its KV caches in a sentence of their own. */
    SAID(&f,
         "LLM service chat (16 replicas, 44.7% busy, answering 7.779/s, generating 1.552 k/s "
         "output tokens)",
         "p99 time to first token 213 ms meets the 500 ms objective and p99 time per output token "
         "9.061 ms meets the 50 ms objective; 99.99% of turns meet both",
         "(a whole turn's p50 956.4 ms, p99 6.133 s)",
         "The slowest 1% of turns spend 99.8% of their time in GPU service.");
    SAID(&f,
         "The chat service's later turns found their KV cache in host memory for 97.09%, on "
         "the storage tier for 2.905%; 0% were prefilled again.",
         "The reloads saved 1.234 h of prefill GPU time.",
         "The storage tier served 474 GB of KV cache reloads and took 5.529 TB of KV cache writes "
         "into the 20 TB set aside for it.");
    /* In order: the services after the look-ups, before the tiers. */
    size_t at_lookup = f.n, at_recsys = f.n, at_tier = f.n;
    for (size_t i = 0; i < f.n; i++) {
        if (strncmp(f.s[i], "Look-ups", 8) == 0)
            at_lookup = i;
        if (strncmp(f.s[i], "Service recsys", 14) == 0)
            at_recsys = i;
        if (strncmp(f.s[i], "Tier hot", 8) == 0)
            at_tier = i;
    }
    CU_ASSERT(at_lookup < at_recsys && at_recsys < at_tier && at_tier < f.n);
    af_findings_free(&f);
    /* Missing the objectives: an objective on the p99.9 (the latency at it is what is judged,
     * and the writes' p99 is not held against it), a slow first token, no KV tier on storage,
     * nothing rejected. */
    af_results_put(r, AF_M_INFER_SLO, "recsys", 0.1);
    af_results_put(r, AF_M_INFER_SLO_QUANTILE, "recsys", 0.999);
    af_results_put(r, AF_M_INFER_SLO_LATENCY, "recsys", 0.6609);
    af_results_put(r, AF_M_INFER_REJECTED, "recsys", 0);
    af_results_put(r, AF_M_INFER_TTFT_P99, "chat", 0.75);
    af_results_put(r, AF_M_INFER_TPOT_SLO, "chat", -1);
    af_report_findings(r, &f);
    SAID(&f, "p99.9 latency 660.9 ms MISSES the 100 ms objective",
         "its p99 is 5.014 s, against 6.57 ms otherwise.");
    SAID(&f, "p99 time to first token 750 ms MISSES the 500 ms objective; 99.99% of turns meet "
             "it (a whole turn's");
    for (size_t i = 0; i < f.n; i++) {
        CU_ASSERT_PTR_NULL(strstr(f.s[i], "REJECTED"));
        CU_ASSERT_PTR_NULL(strstr(f.s[i], "time per output token"));
        CU_ASSERT_PTR_NULL(strstr(f.s[i], "OVER"));
    }
    af_findings_free(&f);
    af_results_free(r);
    /* A service that answered nothing. */
    r = af_results_new();
    af_results_put(r, AF_M_INFER_ARRIVED, "idle", 5);
    af_results_put(r, AF_M_INFER_SERVED, "idle", 0);
    af_results_put(r, AF_M_INFER_REPLICAS, "idle", 1);
    af_results_put(r, AF_M_INFER_SLO, "idle", 0.05);
    af_report_findings(r, &f);
    SAID(&f, "Service idle (1 replica, 0% busy, answering 0/s): no request was answered; its "
             "objective is MISSED.");
    af_findings_free(&f);
    af_results_free(r);
}

static void test_serving_compare_findings(void)
{
    af_results *a = made_results(), *b = made_results();
    put_serving(a);
    put_serving(b);
    af_results_put(b, AF_M_INFER_P99, "recsys", 7.2e-3);
    af_results_put(b, AF_M_INFER_SLO_LATENCY, "recsys", 7.2e-3);
    af_results_put(b, AF_M_INFER_P99_WRITES, "recsys", 6.71e-3);
    af_results_put(b, AF_M_INFER_REJECTED, "recsys", 0);
    af_results_put(b, AF_M_INFER_TTFT_P99, "chat", 0.75);
    af_findings f;
    af_report_compare_findings(a, b, "A", "B", &f);
    /* (6.71 ms - 5.014 s) / 5.014 s = -99.87% */
    SAID(&f, "The recsys service's p99 latency is 6.591 ms on A (meets the 50 ms objective) and "
             "7.2 ms on B (meets it); its p99 during checkpoint writes is 5.014 s on A against "
             "6.71 ms on B (-99.87%); it rejects 10 requests on A and 0 on B.");
    SAID(&f, "The chat service's p99 time to first token is 213 ms on A (meets the 500 ms "
             "objective) and 750 ms on B (MISSES it); its p99 time per output token is 9.061 ms "
             "on A (meets the 50 ms objective) and 9.061 ms on B (meets it).");
    af_findings_free(&f);
    af_results_free(a);
    af_results_free(b);
}

static void test_serving_headline(void)
{
    af_results *r = made_results();
    put_serving(r);
    af_headline h;
    af_report_headline(r, &h);
    static const struct {
        const char *label, *value;
    } want[] = {
        {"p99 latency, service recsys", "6.591 ms (objective 50 ms)"},
        {"p99 during checkpoint writes, service recsys", "5.014 s (objective 50 ms)"},
        {"p99 time to first token, service chat", "213 ms (objective 500 ms)"},
        {"p99 time per output token, service chat", "9.061 ms (objective 50 ms)"},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        bool found = false;
        for (size_t i = 0; i < h.n; i++)
            if (strcmp(h.rows[i].label, want[k].label) == 0) {
                CU_ASSERT_STRING_EQUAL(h.rows[i].value, want[k].value);
                found = true;
            }
        CU_ASSERT_TRUE(found);
        if (!found)
            printf("\n  no headline row \"%s\"", want[k].label);
    }
    af_headline_free(&h);
    af_results_free(r);
}

/* The serving chart of made results: a window without an answer is a gap (0 in the series), an
 * LLM service has no latency objective to draw and says its token objectives instead, and
 * without the series the chart is a no-data panel. */
static void test_serving_chart_made(void)
{
    af_results *r = af_results_new();
    put_serving(r);
    const double v[] = {5e-3, 0, 7e-3};
    af_series *s = af_results_series(r, "inference.chat.latency_p99", AF_DIM_TIME, "p99", 10);
    for (size_t i = 0; i < 3; i++)
        af_series_push(s, v[i]);
    af_chart *c = af_chart_serving(r, "chat");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_FALSE(c->no_data);
    CU_ASSERT_EQUAL_FATAL(c->n, 3);
    for (size_t i = 0; i < 3; i++)
        CU_ASSERT_DOUBLE_EQUAL(c->layers[0].v[i], v[i], 0);
    CU_ASSERT_TRUE(c->layers[0].zero_is_gap);
    CU_ASSERT_EQUAL_FATAL(c->nrefs, 1); /* the run's p99 alone */
    CU_ASSERT_DOUBLE_EQUAL(c->refs[0].y, 6.133, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c->subtitle);
    CU_ASSERT_STRING_EQUAL(c->subtitle, "p99 time to first token 213 ms (objective 500 ms), per "
                                        "output token 9.061 ms (objective 50 ms); 99.99% of "
                                        "turns within them");
    af_chart_free(c);
    c = af_chart_serving(r, "recsys");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(c->no_data);
    CU_ASSERT_PTR_NOT_NULL(c->note);
    CU_ASSERT_EQUAL(c->nrefs, 3);
    af_chart_free(c);
    CU_ASSERT_PTR_NULL(af_chart_serving(r, "nothing"));
    af_results_free(r);
}

/* ---- Files ------------------------------------------------------------------------------------
 */

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *n = 0;
    for (;;) {
        if (*n + 65536 > cap) {
            cap = cap ? 2 * cap : 1 << 20;
            buf = af_realloc_array(buf, cap, 1);
        }
        size_t got = fread(buf + *n, 1, cap - *n, f);
        *n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    return buf;
}

/* True when the n bytes at b hold the string s. */
static bool holds(const char *b, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(b + i, s, k) == 0)
            return true;
    return false;
}

/* The number of entries of dir, "." and ".." aside. */
static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void test_pdf_whole_and_deterministic(void)
{
    char dir[] = "/tmp/aifsim-test-pdf.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    af_results *r = run_bound();
    af_results_put_text(r, AF_M_RUN_SCENARIO, NULL, "fixture");
    char *p1 = af_strfmt("%s/a.pdf", dir), *p2 = af_strfmt("%s/b.pdf", dir);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_report_pdf_save(r, p1, d), AF_OK);
    CU_ASSERT_EQUAL(af_report_pdf_save(r, p2, d), AF_OK);
    size_t n1 = 0, n2 = 0;
    char *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b2);
    CU_ASSERT(n1 > 1000);
    CU_ASSERT_EQUAL(n1, n2);
    CU_ASSERT(n1 == n2 && memcmp(b1, b2, n1) == 0);
    CU_ASSERT_EQUAL(memcmp(b1, "%PDF-", 5), 0);
    /* Whole: the trailer is there; and no creation date. */
    CU_ASSERT_TRUE(holds(b1, n1, "%%EOF"));
    CU_ASSERT_FALSE(holds(b1, n1, "CreationDate"));
    af_free(b1);
    af_free(b2);
    /* A path that cannot be written: an error, and nothing left behind. */
    char *bad = af_strfmt("%s/missing/c.pdf", dir);
    CU_ASSERT_EQUAL(af_report_pdf_save(r, bad, d), AF_EIO);
    CU_ASSERT(af_diag_errors(d) > 0);
    CU_ASSERT_EQUAL(entries(dir), 2);
    af_free(bad);

    /* PNG files: one per chart, named in report order; the same bytes twice. */
    af_diag_free(d);
    d = af_diag_new();
    char *png = af_strfmt("%s/png", dir);
    CU_ASSERT_EQUAL(af_report_png_check(png, d), AF_OK);
    CU_ASSERT_EQUAL(af_report_png_save(r, png, d), AF_OK);
    CU_ASSERT_EQUAL(entries(png), 9);
    char *f1 = af_strfmt("%s/01-attribution-job.png", png);
    char *f9 = af_strfmt("%s/09-timeline.png", png);
    size_t m1 = 0, m9 = 0;
    char *c1 = slurp(f1, &m1), *c9 = slurp(f9, &m9);
    CU_ASSERT_PTR_NOT_NULL(c1);
    CU_ASSERT_PTR_NOT_NULL(c9);
    CU_ASSERT(c1 && m1 > 8 && memcmp(c1, "\x89PNG", 4) == 0);
    af_free(c9);
    CU_ASSERT_EQUAL(af_report_png_save(r, png, d), AF_OK);
    size_t m1b = 0;
    char *c1b = slurp(f1, &m1b);
    CU_ASSERT(c1 && c1b && m1 == m1b && memcmp(c1, c1b, m1) == 0);
    af_free(c1);
    af_free(c1b);
    /* --png refuses a file and a directory under a missing one. */
    CU_ASSERT_EQUAL(af_report_png_check(p1, d), AF_EIO);
    char *deep = af_strfmt("%s/no/such", dir);
    CU_ASSERT_EQUAL(af_report_png_check(deep, d), AF_EIO);
    CU_ASSERT_EQUAL(af_report_png_check("-", d), AF_EIO);

    /* Clean up. */
    DIR *dd = opendir(png);
    for (struct dirent *e; dd && (e = readdir(dd));) {
        if (e->d_name[0] == '.')
            continue;
        char *p = af_strfmt("%s/%s", png, e->d_name);
        unlink(p);
        af_free(p);
    }
    if (dd)
        closedir(dd);
    rmdir(png);
    unlink(p1);
    unlink(p2);
    rmdir(dir);
    af_free(deep);
    af_free(f1);
    af_free(f9);
    af_free(png);
    af_free(p1);
    af_free(p2);
    af_diag_free(d);
    af_results_free(r);
}

/* Pages of a PDF made by Cairo: its page objects. */
static size_t pdf_pages(const char *b, size_t n)
{
    size_t pages = 0;
    const char *key = "/Type /Page";
    size_t k = strlen(key);
    for (size_t i = 0; i + k < n; i++)
        if (memcmp(b + i, key, k) == 0 && b[i + k] != 's')
            pages++;
    return pages;
}

/* Forty jobs: the findings and headline figures run over onto more pages, and the time charts
 * of results without series are no-data panels, four to a page. */
static void test_long_cover(void)
{
    char dir[] = "/tmp/aifsim-test-pdf.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    af_results *r = made_results();
    for (int j = 0; j < 40; j++) {
        char job[48];
        snprintf(job, sizeof job, "job-%02d-with-a-rather-long-name", j);
        af_results_put(r, AF_M_TRAIN_GPUS, job, 64);
        af_results_put(r, AF_M_TRAIN_UTIL, job, 0.5 + 0.01 * j);
        af_results_put(r, AF_M_TRAIN_DATA_WAIT, job, 0.5 - 0.01 * j);
        af_results_put(r, AF_M_TRAIN_WAIT_DEVICES, job, 0.5 - 0.01 * j);
        af_results_put(r, AF_M_TRAIN_DEMAND, job, 1e9);
        af_results_put(r, AF_M_TRAIN_READ_RATE, job, 5e8);
    }
    af_chart_set *cs = af_charts_of_results(r);
    size_t charts = cs->n;
    af_chart_set_free(cs);
    char *p = af_strfmt("%s/long.pdf", dir);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_report_pdf_save(r, p, d), AF_OK);
    size_t n = 0;
    char *b = slurp(p, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    size_t pages = pdf_pages(b, n);
    /* At least two pages of cover, then the charts four to a page. */
    CU_ASSERT(pages >= 2 + (charts + 3) / 4);
    if (pages < 2 + (charts + 3) / 4)
        printf("\n  %zu pages for %zu charts", pages, charts);
    af_free(b);
    unlink(p);
    rmdir(dir);
    af_free(p);
    af_diag_free(d);
    af_results_free(r);
}

/* A comparison's PDF is whole and the same for the same runs; its PNGs pair the charts. */
static void test_compare_pdf(void)
{
    char dir[] = "/tmp/aifsim-test-pdf.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    af_results *a = run_bound(), *b = run_resilient();
    af_compare *c = af_compare_new(a, b);
    const char *none[1] = {NULL};
    af_compare_side sa = {.file = "a.yaml",
                          .name = "a",
                          .seed = 1,
                          .overrides = none,
                          .noverrides = 0,
                          .column = "a"};
    af_compare_side sb = {.file = "b.yaml",
                          .name = "b",
                          .seed = 7,
                          .overrides = none,
                          .noverrides = 0,
                          .column = "b"};
    char *p1 = af_strfmt("%s/c1.pdf", dir), *p2 = af_strfmt("%s/c2.pdf", dir);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_report_compare_pdf_save(a, b, c, &sa, &sb, p1, d), AF_OK);
    CU_ASSERT_EQUAL(af_report_compare_pdf_save(a, b, c, &sa, &sb, p2, d), AF_OK);
    size_t n1 = 0, n2 = 0;
    char *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2);
    CU_ASSERT(b1 && b2 && n1 == n2 && memcmp(b1, b2, n1) == 0);
    af_free(b1);
    af_free(b2);
    char *png = af_strfmt("%s/png", dir);
    CU_ASSERT_EQUAL(af_report_compare_png_save(a, b, &sa, &sb, png, d), AF_OK);
    /* a has a look-up stream b lacks: its pair has a "no data" side; the costs share a row. */
    CU_ASSERT(entries(png) >= 7);
    DIR *dd = opendir(png);
    for (struct dirent *e; dd && (e = readdir(dd));) {
        if (e->d_name[0] == '.')
            continue;
        char *p = af_strfmt("%s/%s", png, e->d_name);
        unlink(p);
        af_free(p);
    }
    if (dd)
        closedir(dd);
    rmdir(png);
    unlink(p1);
    unlink(p2);
    rmdir(dir);
    af_free(png);
    af_free(p1);
    af_free(p2);
    af_diag_free(d);
    af_compare_free(c);
    af_results_free(a);
    af_results_free(b);
}

static const af_test tests[] = {
    {"linear ticks step by 1, 2 or 5 x 10^k and cover the range", test_ticks_linear},
    {"log ticks are 1, 2, 5 x 10^k from decade to decade", test_ticks_log},
    {"axis units are the formatter's, scales what they parse to", test_axis_units},
    {"value axes step nicely in their display unit", test_value_ticks_in_display_units},
    {"a job's GPU time shares stack to 100% in every window", test_attribution_sums_to_one},
    {"the power stack is the facility's IT power, the line its power",
     test_power_stack_is_it_power},
    {"the energy's running total ends at the run's energy", test_energy_total},
    {"the cost bars add up to the cost and the TCO", test_cost_bars_add_up},
    {"capacity, objective and percentile lines are their metrics", test_refs_are_metrics},
    {"the timeline shows checkpoint stalls and failures as sampled", test_timeline},
    {"without series, time charts are no-data panels; bars still show", test_no_data},
    {"a run's charts come in report order with unique ids", test_chart_set},
    {"a pair of charts shares one frame", test_frame_join},
    {"paired cost bars keep each run's values", test_bars_pair},
    {"findings say what the metrics say, as the summary's verdicts do", test_findings},
    {"comparison findings name both runs' figures", test_compare_findings},
    {"headline figures are formatted as the summary formats them", test_headline},
    {"a serving workload's findings: objectives, writes, tail, rejections, KV caches",
     test_serving_findings},
    {"comparison findings hold each service's latency against its objective",
     test_serving_compare_findings},
    {"headline figures of serving workloads carry their objectives", test_serving_headline},
    {"a service's p99 chart is its series against its p99, writes' p99 and objective",
     test_serving_chart},
    {"a service's p99 chart: gaps, an LLM's token objectives, no data", test_serving_chart_made},
    {"the PDF and PNGs are whole, deterministic, and bad paths fail",
     test_pdf_whole_and_deterministic},
    {"a comparison's PDF is deterministic; its PNGs pair the charts", test_compare_pdf},
    {"a long cover runs over onto more pages", test_long_cover},
    {NULL, NULL},
};

AF_TEST_MAIN("pdf", tests)
