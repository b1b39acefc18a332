/*
 * test_series: the time series a run samples (world.c, "Sampling") add up to its totals, and
 * sampling changes none of its metrics. Over the windows of a run, the window-width-weighted mean
 * of a share or a power is its run value (the GPU utilization, the facility power, the tier's
 * power), a rate's integral is the total moved, and a job's shares of each window add up to one.
 */
#include "tests/validation/sharing.h"

#include "base/metrics.h"

#include <math.h>

/* Width-weighted mean of series name over the run (windows of equal width). */
static double ser_mean(const af_results *r, const char *name)
{
    const af_series *s = af_results_series_find(r, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += s->v[i];
    return sum / (double)s->n;
}

/* The job's seven shares of the GPU time, in s (each must exist); every window's are at least
 * 0 and add up to one, up to the nanosecond rounding of the window's ends (1e-9 of a second). */
static void ser_shares(const af_results *r, const af_series *s[AF_TRAIN_SHARES])
{
    for (int i = 0; i < AF_TRAIN_SHARES; i++) {
        char nm[96];
        snprintf(nm, sizeof nm, "train.job.%s", af_train_share_leaf[i]);
        s[i] = af_results_series_find(r, nm);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s[i]);
    }
    for (size_t k = 0; k < s[0]->n; k++) {
        double sum = 0;
        for (int i = 0; i < 7; i++) {
            CU_ASSERT(s[i]->v[k] >= -1e-9);
            sum += s[i]->v[k];
        }
        CU_ASSERT_DOUBLE_EQUAL(sum, 1, 1e-9);
    }
}

/* One pool of 2 nodes training 300 one-second steps of 1 GB per GPU from a tier that delivers
 * 10 GB/s (data-bound), with a checkpoint-like write burst every 200 s, in a 1,000 s run. */
static void ser_world(af_fixture *f)
{
    af_fix_init(f, 2, 1, 10e9, 1e9, 1.0, 1000);
    f->pools[0].node.storage_nic.rate_Bps = 1e12;
    f->trains[0].target_steps = 300;
    af_fix_add_burst(f, "ckpt", 0, 0, true, 200e9, 200, 50);
}

static void test_series_add_up(void)
{
    af_fixture f;
    ser_world(&f);
    af_results *plain = af_run(&f);
    f.cfg.sample_s = 10;
    af_results *r = af_run(&f);
    /* Sampling changes no metric. */
    CU_ASSERT_EQUAL(af_results_count(plain), af_results_count(r));
    for (size_t i = 0; i < af_results_count(plain); i++) {
        const af_metric *a = af_results_get(plain, i), *b = af_results_get(r, i);
        CU_ASSERT_STRING_EQUAL(a->name, b->name);
        if (!a->text)
            CU_ASSERT(a->value == b->value || (isnan(a->value) && isnan(b->value)));
    }
    /* 100 windows of 10 s. */
    const af_series *u = af_results_series_find(r, "pool.gpus.gpu_utilization");
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_EQUAL(u->n, 100);
    CU_ASSERT_DOUBLE_EQUAL(u->dt, 10, 1e-12);
    AF_ASSERT_REL(ser_mean(r, "pool.gpus.gpu_utilization"), af_get(r, "pool.gpus.gpu_utilization"),
                  1e-9);
    AF_ASSERT_REL(ser_mean(r, "pool.gpus.power"), af_get(r, "pool.gpus.power"), 1e-9);
    AF_ASSERT_REL(ser_mean(r, "facility.it_power_gpus"), af_get(r, "facility.it_power_gpus"), 1e-9);
    /* The tier's NIC traffic integrates to what its NICs carried. */
    double out = ser_mean(r, "storage.hot.read_rate") * 1000;
    double nic_out = af_get(r, "storage.hot.nic_out_utilization") * 1e15 * 1000;
    AF_ASSERT_REL(out, nic_out, 1e-9);
    /* A job's shares of each window add up to one. */
    const af_series *s[7];
    ser_shares(r, s);
    /* The job reaches its target and idles: the last windows are all idle. */
    CU_ASSERT_DOUBLE_EQUAL(s[6]->v[s[6]->n - 1], 1, 1e-12);
    af_results_free(plain);
    af_results_free(r);
}

/* A window that does not divide the run: 1,000 s at 300 s gives 4 windows of 250 s. */
static void test_series_windows(void)
{
    af_fixture f;
    ser_world(&f);
    f.cfg.sample_s = 300;
    af_results *r = af_run(&f);
    const af_series *u = af_results_series_find(r, "facility.power");
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_EQUAL(u->n, 4);
    CU_ASSERT_DOUBLE_EQUAL(u->dt, 250, 1e-12);
    AF_ASSERT_REL(ser_mean(r, "facility.power"), af_get(r, "facility.power"), 1e-9);
    af_results_free(r);
}

/* Look-ups: the rate series integrates to the requests completed, the mean latency series
 * weighted by each window's requests is the run's mean latency, and the window p99 lies within
 * the run's extremes. */
static void test_series_lookups(void)
{
    af_fixture f;
    ser_world(&f);
    f.lookups[0] = (af_lookup_config){.name = "feat", .tier = 0, .rate_per_s = 2000, .size_B = 4096};
    f.cfg.nlookups = 1;
    f.cfg.sample_s = 50;
    af_results *r = af_run(&f);
    const af_series *rate = af_results_series_find(r, "lookup.feat.rate");
    const af_series *mean = af_results_series_find(r, "lookup.feat.latency_mean");
    const af_series *p99 = af_results_series_find(r, "lookup.feat.latency_p99");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rate);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mean);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p99);
    double done = 0, lat = 0;
    for (size_t i = 0; i < rate->n; i++) {
        done += rate->v[i] * rate->dt;
        lat += mean->v[i] * rate->v[i] * rate->dt;
        CU_ASSERT(p99->v[i] <= af_get(r, "lookup.feat.latency_p999") * 1.01 + 1e-12);
    }
    AF_ASSERT_REL(done, af_get(r, "lookup.feat.requests"), 1e-9);
    AF_ASSERT_REL(lat / done, af_get(r, "lookup.feat.latency_mean"), 1e-9);
    af_results_free(r);
}

/* With failures (no checkpoint: each one undoes all the work so far), the windows still split
 * into shares that add up to one, none negative; computing counts the undone work when it was
 * done, so its mean is utilization + lost work; the pool's power, which follows it, averages to
 * the run's, and the pool's energy is the hand integral of the GPUs busy for that share. */
static void test_series_failures(void)
{
    af_fixture f;
    ser_world(&f);
    f.trains[0].target_steps = 0;
    f.trains[0].fail = (af_fail_config){
        .on = true, .gpu = {AF_FAIL_EXPONENTIAL, 16 * 150.0, 1}, .restart_s = 5, .spares = -1};
    f.cfg.sample_s = 10;
    af_results *r = af_run(&f);
    CU_ASSERT(af_get(r, "failures.job.count") >= 2);
    double lost = af_get(r, "train.job.lost_work");
    CU_ASSERT(lost > 0);
    const af_series *s[7];
    ser_shares(r, s);
    double util = af_get(r, "train.job.gpu_utilization");
    AF_ASSERT_REL(ser_mean(r, "train.job.gpu_utilization"), util + lost, 1e-9);
    AF_ASSERT_REL(ser_mean(r, "pool.gpus.power"), af_get(r, "pool.gpus.power"), 1e-9);
    /* 2 nodes: host 2 kW each; 16 GPUs at 100 W idle and 600 W more while busy. */
    double busy = util + lost;
    AF_ASSERT_REL(af_get(r, "pool.gpus.energy"), (2 * 2000 + 16 * (100 + 600 * busy)) * 1000, 1e-9);
    af_results_free(r);
}

/* Steps longer than the windows, with a pipeline bubble and stragglers: the bubble is spread
 * over each step as it goes, so no window goes negative, each adds up to one, the shares'
 * means are the run's (computing the GPU utilization, pipeline_bubble the bubble plus the
 * straggler wait) and the power series averages to the run's. */
static void test_series_long_steps(void)
{
    af_fixture f;
    af_fix_init(&f, 2, 1, 1e12, 1e3, 25.0, 1000);
    f.pools[0].node.storage_nic.rate_Bps = 1e14;
    f.trains[0].pp = 4;
    f.trains[0].microbatches = 4;
    f.trains[0].straggler_cv = 0.2;
    f.cfg.sample_s = 1;
    af_results *r = af_run(&f);
    const af_series *s[7];
    ser_shares(r, s);
    double bubble = af_get(r, "train.job.pipeline_bubble") + af_get0(r, "train.job.straggler_wait");
    CU_ASSERT(bubble > 0.1);
    /* The step in flight at the end keeps its bubble in the run's compute time (it is taken out
     * when a step ends) but spread in the series: they differ by at most that step's share of
     * the run, one step time (25 s plus its bubble, at most 2 x 25 s here) over 1,000 s. */
    double one = 50.0 / 1000;
    CU_ASSERT_DOUBLE_EQUAL(ser_mean(r, "train.job.gpu_utilization"),
                           af_get(r, "train.job.gpu_utilization"), one);
    CU_ASSERT_DOUBLE_EQUAL(ser_mean(r, "train.job.pipeline_bubble"), bubble, one);
    /* Power follows computing: 16 GPUs x 600 W over idle per unit of share. */
    CU_ASSERT_DOUBLE_EQUAL(ser_mean(r, "pool.gpus.power"), af_get(r, "pool.gpus.power"),
                           16 * 600 * one);
    af_results_free(r);
}

static const af_test tests[] = {
    {"series of long steps with a bubble and stragglers", test_series_long_steps},
    {"series under failures: shares add up, power follows the GPUs' busy time",
     test_series_failures},
    {"look-up series: rate, mean latency and window p99", test_series_lookups},
    {"series add up to the run's totals and change no metric", test_series_add_up},
    {"windows divide the run equally", test_series_windows},
    {NULL, NULL},
};
AF_TEST_MAIN("series", tests)
