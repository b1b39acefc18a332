/*
 * test_text: the text summary (report/text.c). Each verdict form is checked on results built by
 * hand: compute-bound (also with a wait too small to matter), data-bound with each bottleneck
 * category and the resource named, bursts (completed, none, skipped, refused) in the same form as
 * their lines, look-ups meeting and missing their objective, none answered and starved of device
 * time. Also the metric table (base/metrics.h): names unique and parsed back, labels present.
 */
#include "base/metrics.h"
#include "report/text.h"

#include "cutest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The summary of r as a string (free it). */
static char *summary(const af_results *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    af_report_text(r, "title", f);
    fclose(f);
    return buf;
}

#define HAS(s, what)                                                                               \
    do {                                                                                           \
        if (!strstr((s), (what)))                                                                  \
            fprintf(stderr, "\n  missing \"%s\" in:\n%s\n", (what), (s));                          \
        CU_ASSERT_PTR_NOT_NULL(strstr((s), (what)));                                               \
    } while (0)
#define HASNT(s, what) CU_ASSERT_PTR_NULL(strstr((s), (what)))

static af_results *train_results(double util, double wait)
{
    af_results *r = af_results_new();
    af_results_put(r, AF_M_TRAIN_GPUS, "job", 8);
    af_results_put(r, AF_M_TRAIN_UTIL, "job", util);
    af_results_put(r, AF_M_TRAIN_DATA_WAIT, "job", wait);
    return r;
}

static void test_compute_bound(void)
{
    af_results *r = train_results(1, 0);
    af_results_put(r, AF_M_TRAIN_DEMAND, "job", 1e9);
    af_results_put(r, AF_M_TRAIN_READ_RATE, "job", 1e9);
    char *s = summary(r);
    HAS(s, "train.job\n  verdict: compute-bound; GPUs busy 100% of the time, storage keeps up\n");
    HASNT(s, "bottleneck");
    free(s);
    af_results_free(r);

    /* A wait of 1e-8 of the run (the first batch) is no bottleneck and reads "<0.01%". */
    r = train_results(1 - 1e-8, 1e-8);
    af_results_put(r, AF_M_TRAIN_WAIT_SNIC, "job", 1e-8);
    af_results_put(r, AF_M_TRAIN_DEMAND, "job", 1e9);
    af_results_put(r, AF_M_TRAIN_READ_RATE, "job", 1e9);
    s = summary(r);
    HAS(s, "verdict: compute-bound; GPUs busy 100% of the time");
    HAS(s, "waiting for data                           <0.01%");
    HASNT(s, "e-08");
    HASNT(s, "e-6%");
    free(s);
    af_results_free(r);
}

/* A job that waits a material 0.72% is not "compute-bound; storage keeps up", even at 99.28%
 * busy: the verdict says data-bound and names what held it. */
static void test_nearly_compute_bound(void)
{
    af_results *r = train_results(0.9928, 0.0072);
    af_results_put(r, AF_M_TRAIN_WAIT_SNIC, "job", 0.0072);
    af_results_put(r, AF_M_TRAIN_DEMAND, "job", 1e9);
    af_results_put(r, AF_M_TRAIN_READ_RATE, "job", 0.9928e9);
    char *s = summary(r);
    HAS(s, "verdict: data-bound; GPUs busy 99.28% of the time\n");
    HAS(s, "bottleneck: the storage tier's NICs (100% of the wait)");
    HASNT(s, "storage keeps up");
    free(s);
    af_results_free(r);
}

static void test_data_bound_each_category(void)
{
    static const struct {
        af_metric_id id;
        const char *what;
    } cases[] = {
        {AF_M_TRAIN_WAIT_CLIENT, "bottleneck: the pool's storage NICs (75% of the wait)"},
        {AF_M_TRAIN_WAIT_FABRIC, "bottleneck: the fabric (leaf uplinks or spine) (75% of"},
        {AF_M_TRAIN_WAIT_SNIC, "bottleneck: the storage tier's NICs (75% of the wait)"},
        {AF_M_TRAIN_WAIT_DEVICES, "bottleneck: the storage tier's devices (75% of the wait)"},
        {AF_M_TRAIN_WAIT_READERS, "bottleneck: the data loader's reader threads (75% of"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        af_results *r = train_results(0.6, 0.4);
        /* The named category holds 0.3 of the run, another 0.1. */
        af_results_put(r, cases[i].id, "job", 0.3);
        af_results_put(r, cases[(i + 1) % 5].id, "job", 0.1);
        af_results_put_text(r, AF_M_TRAIN_BOTTLENECK, "job", "tier hot devices");
        af_results_put(r, AF_M_TRAIN_DEMAND, "job", 1e9);
        af_results_put(r, AF_M_TRAIN_READ_RATE, "job", 6e8);
        char *s = summary(r);
        HAS(s, "verdict: data-bound; GPUs busy 60% of the time\n");
        HAS(s, "each GPU got 600 MB/s of the 1 GB/s it needs, 400 MB/s short\n");
        HAS(s, cases[i].what);
        HAS(s, "held back longest by: tier hot devices\n");
        free(s);
        af_results_free(r);
    }
}

static void test_during_bursts(void)
{
    af_results *r = train_results(1, 0);
    af_results_put(r, AF_M_TRAIN_FLOOR_UTIL, "job", 0.5425);
    af_results_put(r, AF_M_TRAIN_UTIL_BURSTS, "job", 0.9);
    char *s = summary(r);
    HAS(s, "during bursts: GPUs busy 90%; the QoS weights guarantee at least 54.25%\n");
    free(s);
    af_results_free(r);
}

static void test_burst_verdicts(void)
{
    af_results *r = af_results_new();
    af_results_put(r, AF_M_BURST_SIZE, "ck", 1e12);
    af_results_put(r, AF_M_BURST_SKIPPED, "ck", 2);
    af_results_put(r, AF_M_BURST_REJECTED, "ck", 5e12);
    af_results_put(r, AF_M_BURST_SLOWDOWN, "ck", 1.526);
    af_results_put(r, AF_M_BURST_SLOWDOWN_BOUND, "ck", 9.194);
    char *s = summary(r);
    /* One form for the slowdown: the verdict says what the line below it says. */
    HAS(s, "verdict: bursts took 152.6% of their time alone; the QoS weights allow at most "
           "919.4%\n");
    HAS(s, "duration / duration alone                  152.6%\n");
    HAS(s, "2 bursts skipped: the previous one was still running\n");
    HAS(s, "5 TB refused: the tier was full\n");
    free(s);
    af_results_free(r);

    /* A weight too small to guarantee anything leaves no bound. */
    r = af_results_new();
    af_results_put(r, AF_M_BURST_SIZE, "ck", 1e12);
    af_results_put(r, AF_M_BURST_SLOWDOWN, "ck", 1.0001);
    s = summary(r);
    HAS(s, "verdict: bursts took 100% of their time alone; their QoS weight guarantees them no "
           "measurable rate\n");
    free(s);
    af_results_free(r);

    /* None completed: said, and the refusals that explain it still printed. */
    r = af_results_new();
    af_results_put(r, AF_M_BURST_SIZE, "ck", 1e12);
    af_results_put(r, AF_M_BURST_COMPLETED, "ck", 0);
    af_results_put(r, AF_M_BURST_REJECTED, "ck", 9e12);
    s = summary(r);
    HAS(s, "verdict: no burst completed in the simulated time\n");
    HAS(s, "9 TB refused: the tier was full\n");
    free(s);
    af_results_free(r);
}

static void test_lookup_verdicts(void)
{
    static const struct {
        double p99, slo, unserved;
        const char *want;
    } cases[] = {
        {94.8e-6, 1e-3, 0, "verdict: p99 latency 94.8 us meets the 1 ms objective\n"},
        {17.7, 1e-3, 0, "verdict: p99 latency 17.7 s MISSES the 1 ms objective\n"},
        {-1, 1e-3, 0.25, "verdict: no look-up was answered; the 1 ms objective is MISSED\n"},
        {-1, 1e-3, 0.25, "for 25% of the run bulk traffic left look-ups no device time\n"},
        /* Without an objective the starvation is the verdict. */
        {1e-3, 0, 0.25, "  verdict: for 25% of the run bulk traffic left look-ups no device"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        af_results *r = af_results_new();
        af_results_put(r, AF_M_LOOKUP_REQUESTS, "f", cases[i].p99 >= 0 ? 100 : 0);
        if (cases[i].p99 >= 0)
            af_results_put(r, AF_M_LOOKUP_P99, "f", cases[i].p99);
        if (cases[i].slo > 0)
            af_results_put(r, AF_M_LOOKUP_SLO, "f", cases[i].slo);
        if (cases[i].unserved > 0)
            af_results_put(r, AF_M_LOOKUP_UNSERVED, "f", cases[i].unserved);
        char *s = summary(r);
        HAS(s, cases[i].want);
        free(s);
        af_results_free(r);
    }
}

/* What the slowest 1% spent their time on: an LLM service's "reads" are its KV-cache reloads
 * (workload/infer_llm.c), not feature reads. */
static void test_infer_tail(void)
{
    for (int llm = 0; llm < 2; llm++) {
        af_results *r = af_results_new();
        af_results_put(r, AF_M_INFER_ARRIVED, "svc", 100);
        af_results_put(r, AF_M_INFER_P99, "svc", 0.5);
        if (llm)
            af_results_put(r, AF_M_INFER_TOKENS, "svc", 1000);
        af_results_put(r, AF_M_INFER_TAIL_READS, "svc", 0.7);
        af_results_put(r, AF_M_INFER_TAIL_SERVICE, "svc", 0.3);
        char *s = summary(r);
        HAS(s, llm ? "the slowest 1% spent 70% of their time on KV cache reloads\n"
                   : "the slowest 1% spent 70% of their time on feature reads\n");
        free(s);
        af_results_free(r);
    }
}

/* Every name is unique, parses back to its own row, and has a label and a meaning; units agree
 * with the names that promise one. */
static void test_metric_table(void)
{
    for (int i = 0; i < AF_M__COUNT; i++) {
        const af_metric_def *m = af_metric_get((af_metric_id)i);
        char a[200];
        af_metric_name((af_metric_id)i, "x", a, sizeof a);
        CU_ASSERT_PTR_EQUAL(af_metric_of_name(a), m);
        CU_ASSERT(m->label && *m->label && m->meaning && *m->meaning);
        for (int j = 0; j < i; j++) {
            char b[200];
            af_metric_name((af_metric_id)j, "x", b, sizeof b);
            CU_ASSERT(strcmp(a, b) != 0);
        }
        if (strstr(m->leaf, "utilization") || strstr(m->leaf, "busy"))
            CU_ASSERT_EQUAL(m->dim, AF_DIM_RATIO);
        if (strstr(m->leaf, "per_hour") || strstr(m->leaf, "gpu_hour"))
            CU_ASSERT_EQUAL(m->dim, AF_DIM_MONEY);
    }
    CU_ASSERT_PTR_NULL(af_metric_of_name("train.x.no_such_leaf"));
    CU_ASSERT_PTR_NULL(af_metric_of_name("nodots"));
    CU_ASSERT_PTR_NULL(af_metric_of_name("cost.x.total")); /* cost has no instances */
    /* A metric written by id carries the table's unit and label. */
    af_results *r = af_results_new();
    af_results_put(r, AF_M_STORAGE_READ_RATE, "hot", 5);
    const af_metric *m = af_results_find(r, "storage.hot.read_rate");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->dim, AF_DIM_BANDWIDTH);
    CU_ASSERT_STRING_EQUAL(m->label, "read from devices");
    CU_ASSERT_DOUBLE_EQUAL(af_results_value(r, AF_M_STORAGE_READ_RATE, "hot", -1), 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(af_results_value(r, AF_M_STORAGE_READ_RATE, "cold", -1), -1, 0);
    af_results_free(r);
}

static const af_test tests[] = {
    {"compute-bound verdicts", test_compute_bound},
    {"data-bound verdict names each bottleneck", test_data_bound_each_category},
    {"a material wait is data-bound even at 99% busy", test_nearly_compute_bound},
    {"utilization during bursts against the floor", test_during_bursts},
    {"burst verdicts", test_burst_verdicts},
    {"look-up verdicts", test_lookup_verdicts},
    {"serving: the tail's cause, feature reads or KV reloads", test_infer_tail},
    {"the metric table", test_metric_table},
    {NULL, NULL},
};
AF_TEST_MAIN("text", tests)
