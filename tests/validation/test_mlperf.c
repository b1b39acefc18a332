/*
 * Validation: the MLPerf Storage presets, epochs and accelerator utilization (workload/mlperf.h,
 * doc/formulas.md "MLPerf Storage") against independent answers.
 *
 * - AU against the closed form AU = min(1, supply / demand), demand = accelerators x batch x
 *   sample size / compute time, supply the tier's read rate. Without a sample spread the run is
 *   deterministic and, the first step of each epoch left out, its steps are spaced exactly
 *   max(compute, fetch) apart, so the only departure is the engine's rounding to the nanosecond
 *   (1e-9 s per step of 0.1 s): the tolerance is 1e-6. With a spread (the batches' bytes drawn)
 *   the AU of a run is a ratio estimator of compute / mean fetch time; it is checked against the
 *   closed form with a 99.9% Student-t interval over independent replications.
 * - The time to finish E epochs of M steps: compute-bound, the first fetch and then E M steps
 *   back to back, F + E M C; storage-bound, E M fetches back to back and the last step's
 *   compute, E M F + C.
 * - The rules' data-set size and DLIO's steps per epoch, worked by hand.
 * - The catalog's six presets load from models/ with a source for every figure and the
 *   published figures; a scenario naming a preset gets them, overridden field by field.
 */
#include "tests/unit/cutest.h"
#include "tests/world_fixture.h"

#include "base/results.h"
#include "scenario/catalog.h"
#include "scenario/scenario.h"
#include "workload/mlperf.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* One pool of 8 GPUs, each reading 4 samples of 10 MB a step of 0.1 s: demand 3.2 GB/s in all.
 * The tier's devices bind at `ratio` x demand; the job trains `epochs` epochs of 50 steps. */
enum { FIX_STEPS = 50 };
static const double FIX_STEP_S = 0.1, FIX_SAMPLE_B = 10e6, FIX_BATCH = 4, FIX_GPUS = 8;

static double fix_demand_Bps(void)
{
    return FIX_GPUS * FIX_BATCH * FIX_SAMPLE_B / FIX_STEP_S;
}

/* The tier's read rate for whole files of file_B: its devices' time per byte is
 * 1 / device_read_Bps + AF_STORAGE_FILE_OPS / (iops x file_B) (model/storage.h). */
static double fix_supply_Bps(const af_tier_config *t, double file_B)
{
    const af_storage_spec *s = &t->system;
    double per_B = 1 / s->device_read_Bps + AF_STORAGE_FILE_OPS / (s->device_read_iops * file_B);
    return (double)t->nodes * s->devices / per_B;
}

static void fix_init(af_fixture *f, double ratio, double epochs, double duration_s)
{
    /* First a guess, then the device rate that makes the supply exactly ratio x demand. */
    af_fix_init(f, 1, 1, ratio * fix_demand_Bps(), FIX_SAMPLE_B, FIX_STEP_S, duration_s);
    af_tier_config *t = &f->tiers[0];
    double file_B = FIX_SAMPLE_B;
    double per_B = t->system.devices / (ratio * fix_demand_Bps()) -
                   AF_STORAGE_FILE_OPS / (t->system.device_read_iops * file_B);
    t->system.device_read_Bps = 1 / per_B;
    af_train_config *c = &f->trains[0];
    c->samples_per_gpu = FIX_BATCH;
    c->samples_per_file = 1;
    c->dataset_B = FIX_STEPS * FIX_BATCH * FIX_GPUS * FIX_SAMPLE_B;
    c->files = FIX_STEPS * FIX_BATCH * FIX_GPUS;
    c->steps_per_epoch = FIX_STEPS;
    c->epochs = epochs;
    c->target_steps = epochs * FIX_STEPS;
    c->au_min = 0.9;
}

/* Runs f; the value of metric (NULL text: a number) and its text into *text when asked. */
static double fix_run(af_fixture *f, const char *metric, char *text, size_t n)
{
    af_results *r = af_results_new();
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL_FATAL(af_world_run(&f->cfg, r, d), AF_OK);
    const af_metric *m = af_results_find(r, metric);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    double v = m->value;
    if (text)
        snprintf(text, n, "%s", m->text ? m->text : "");
    af_results_free(r);
    af_diag_free(d);
    return v;
}

/* AU = min(1, supply / demand) from well below to above the demand. */
static void test_au_closed_form(void)
{
    const double ratios[] = {0.3, 0.5, 0.75, 0.95, 1.0, 1.5, 3.0};
    for (size_t i = 0; i < sizeof ratios / sizeof ratios[0]; i++) {
        af_fixture f;
        fix_init(&f, ratios[i], 4, 3600);
        double supply = fix_supply_Bps(&f.tiers[0], FIX_SAMPLE_B);
        AF_ASSERT_REL(supply, ratios[i] * fix_demand_Bps(), 1e-12);
        double want = fmin(1, supply / fix_demand_Bps());
        double au = fix_run(&f, "train.job.mlperf_au", NULL, 0);
        if (fabs(au - want) > 1e-6 * want)
            printf("\n  supply/demand %g: AU %.9f, closed form %.9f\n", ratios[i], au, want);
        AF_ASSERT_REL(au, want, 1e-6);
        char verdict[160];
        fix_run(&f, "train.job.mlperf_result", verdict, sizeof verdict);
        CU_ASSERT_EQUAL(strncmp(verdict, want >= 0.9 ? "pass:" : "fail:", 5), 0);
        CU_ASSERT_EQUAL(fix_run(&f, "train.job.epochs", NULL, 0), 4);
    }
}

/* The time to finish E epochs, compute-bound and storage-bound. */
static void test_epochs_end(void)
{
    const double E = 3, steps = E * FIX_STEPS;
    af_fixture f;
    fix_init(&f, 2, E, 3600);
    double F = FIX_GPUS * FIX_BATCH * FIX_SAMPLE_B / fix_supply_Bps(&f.tiers[0], FIX_SAMPLE_B);
    double t = fix_run(&f, "train.job.time_to_target", NULL, 0);
    AF_ASSERT_REL(t, F + steps * FIX_STEP_S, 1e-6);
    CU_ASSERT_EQUAL(fix_run(&f, "train.job.steps", NULL, 0), steps);

    fix_init(&f, 0.5, E, 3600);
    F = FIX_GPUS * FIX_BATCH * FIX_SAMPLE_B / fix_supply_Bps(&f.tiers[0], FIX_SAMPLE_B);
    t = fix_run(&f, "train.job.time_to_target", NULL, 0);
    AF_ASSERT_REL(t, steps * F + FIX_STEP_S, 1e-6);

    /* A run shorter than the epochs: the epochs done, and the verdict says so. */
    fix_init(&f, 0.5, E, 12);
    char verdict[160];
    CU_ASSERT_EQUAL(fix_run(&f, "train.job.epochs", NULL, 0), floor(floor(12 / F) / FIX_STEPS));
    fix_run(&f, "train.job.mlperf_result", verdict, sizeof verdict);
    CU_ASSERT_PTR_NOT_NULL(strstr(verdict, "incomplete: 1 of 3 epochs"));
}

/* With the records' sizes spread, each run's AU is an estimate of supply / demand: the mean of R
 * seeds lies within the 99.9% Student-t interval of the closed form. */
static void test_au_spread_replications(void)
{
    enum { R = 8 };
    double au[R], mean = 0;
    double want = 0;
    for (int k = 0; k < R; k++) {
        af_fixture f;
        fix_init(&f, 0.5, 3, 3600);
        f.trains[0].sample_sd_B = 0.5 * FIX_SAMPLE_B;
        f.cfg.seed = 1000 + (uint64_t)k;
        want = fix_supply_Bps(&f.tiers[0], FIX_SAMPLE_B) / fix_demand_Bps();
        au[k] = fix_run(&f, "train.job.mlperf_au", NULL, 0);
        mean += au[k] / R;
    }
    double var = 0;
    for (int k = 0; k < R; k++)
        var += (au[k] - mean) * (au[k] - mean) / (R - 1);
    double half = gsl_cdf_tdist_Pinv(0.9995, R - 1) * sqrt(var / R);
    printf("\n  AU with spread: mean %.5f +- %.5f (99.9%%), closed form %.5f\n", mean, half, want);
    CU_ASSERT(var > 0); /* the spread does reach the batches */
    CU_ASSERT(fabs(mean - want) <= half);
}

/* The AU meter on hand-made step ends. */
static void test_au_meter(void)
{
    af_au_meter m;
    af_au_meter_start(&m, 3, 1.0, 0);
    CU_ASSERT_EQUAL(af_au_meter_value(&m), -1);
    /* Epoch 1: the first step waits 5 s for data (left out), then steps every 2 s: AU 2/4. */
    CU_ASSERT_FALSE(af_au_meter_step(&m, af_time_from_s(6)));
    AF_ASSERT_REL(af_au_meter_value(&m), 1.0 / 6, 1e-12); /* one step: its whole time */
    CU_ASSERT_FALSE(af_au_meter_step(&m, af_time_from_s(8)));
    AF_ASSERT_REL(af_au_meter_value(&m), 0.5, 1e-12);
    CU_ASSERT_TRUE(af_au_meter_step(&m, af_time_from_s(10)));
    /* Epoch 2: compute-bound after its first step: AU 1. */
    af_au_meter_step(&m, af_time_from_s(13));
    af_au_meter_step(&m, af_time_from_s(14));
    CU_ASSERT_TRUE(af_au_meter_step(&m, af_time_from_s(15)));
    CU_ASSERT_EQUAL(m.epochs, 2);
    AF_ASSERT_REL(af_au_meter_value(&m), (0.5 + 1.0) / 2, 1e-12);
}

/* The rules' minimum data set (their sec. 7) and DLIO's steps per epoch, by hand. */
static void test_dataset_rule(void)
{
    af_mlperf_spec u = {.sample_B = 146600628,
                        .samples_per_file = 1,
                        .batch = 7,
                        .min_steps = 500,
                        .memory_factor = 5};
    /* 8 hosts of 2 TB: 80 TB / 146,600,628 B = 545,700.25 -> 545,701 records; 500 steps of 7 x
     * 64 would be only 224,000. */
    CU_ASSERT_EQUAL(af_mlperf_dataset_samples(&u, 7, 64, 8, 2e12), 545701);
    CU_ASSERT_EQUAL(af_mlperf_steps_per_epoch(545701, 7, 64), 1218); /* 545,701 / 448 = 1218.1 */
    /* Without the memory rule, or with little memory, the 500 steps decide. */
    CU_ASSERT_EQUAL(af_mlperf_dataset_samples(&u, 7, 64, 8, 0), 224000);
    CU_ASSERT_EQUAL(af_mlperf_dataset_samples(&u, 7, 64, 1, 1e9), 224000);
    /* ResNet-50: whole files of 1,251 records: 500 x 400 x 8 = 1,600,000 -> 1,279 files. */
    af_mlperf_spec r = {.sample_B = 114660.07,
                        .samples_per_file = 1251,
                        .batch = 400,
                        .min_steps = 500,
                        .memory_factor = 5};
    CU_ASSERT_EQUAL(af_mlperf_dataset_samples(&r, 400, 8, 1, 0), 1279.0 * 1251);
    CU_ASSERT_EQUAL(af_mlperf_steps_per_epoch(1279.0 * 1251, 400, 8), 500);
    CU_ASSERT_EQUAL(af_mlperf_steps_per_epoch(10, 4, 8), 0);
}

/* The real catalog: six presets, every figure sourced, the published figures. */
static void test_catalog_presets(void)
{
    char *dir = af_test_srcpath("models");
    af_diag *d = af_diag_new();
    af_catalog *cat = af_catalog_load(dir, d);
    af_diag_print(d, stderr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cat);
    size_t n;
    const af_mlperf_spec *p = af_catalog_mlperf(cat, &n);
    CU_ASSERT_EQUAL(n, 6);
    const af_spec_desc *desc = af_schema_desc(AF_SECTION_MLPERF);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < desc->nfields; k++) {
            const char *src =
                af_catalog_source(cat, AF_SECTION_MLPERF, p[i].name, desc->fields[k].key);
            CU_ASSERT_PTR_NOT_NULL(src);
            CU_ASSERT(src && strstr(src, "[mlperf-storage-"));
        }
    static const struct {
        const char *name;
        double step_s, au;
        int batch, readers, spf;
    } want[] = {
        {"unet3d-a100", 0.636, 0.9, 7, 4, 1},        {"unet3d-h100", 0.323, 0.9, 7, 4, 1},
        {"resnet50-a100", 0.435, 0.9, 400, 8, 1251}, {"resnet50-h100", 0.224, 0.9, 400, 8, 1251},
        {"cosmoflow-a100", 0.00551, 0.7, 1, 4, 1},   {"cosmoflow-h100", 0.0035, 0.7, 1, 4, 1},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const af_mlperf_spec *e = af_catalog_find_mlperf(cat, want[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        AF_ASSERT_REL(e->compute_s, want[i].step_s, 1e-12);
        AF_ASSERT_REL(e->au_min, want[i].au, 1e-12);
        CU_ASSERT_EQUAL(e->batch, want[i].batch);
        CU_ASSERT_EQUAL(e->reader_threads, want[i].readers);
        CU_ASSERT_EQUAL(e->samples_per_file, want[i].spf);
        CU_ASSERT_EQUAL(e->epochs, 5);
        CU_ASSERT_EQUAL(e->min_steps, 500);
        CU_ASSERT_EQUAL(e->memory_factor, 5);
    }
    af_catalog_free(cat);
    af_diag_free(d);
    af_free(dir);
}

/* Parses text against the test catalog. */
static int parse(const char *text, af_arena *arena, af_world_config *out, af_diag *d)
{
    char *dir = af_test_srcpath("tests/fixtures/models");
    af_catalog *cat = af_catalog_load(dir, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cat);
    int rc = af_scenario_parse("t.yaml", text, strlen(text), cat, NULL, 0, arena, out, d);
    af_catalog_free(cat);
    af_free(dir);
    return rc;
}

#define SCEN_HEAD                                                                                  \
    "aifsim: 1\nname: t\nduration: 1 h\ncluster:\n  - pool: p\n    node: node-a\n    nodes: "      \
    "2\nstorage:\n  - tier: hot\n    system: flash\n    nodes: 1\nworkloads:\n  - train:\n      "  \
    "pool: p\n      preset: bench-x\n"

/* A preset fills the job; the job's own keys win; the rule sizes the data set. */
static void test_scenario_preset(void)
{
    af_arena *arena = af_arena_new();
    af_diag *d = af_diag_new();
    af_world_config w;
    /* bench-x: 1 MB records, 4 a file, batch 2, 0.1 s, 2 readers, 3 epochs, 10 steps at least.
     * 2 nodes of 4 GPUs: 10 x 2 x 8 = 160 samples by steps; 5 x 2 x 100 MB / 1 MB = 1,000 by
     * memory: 250 files, 62 steps an epoch (1000 / 16 = 62.5), 186 steps in all. */
    const char *a = SCEN_HEAD "      dataset: { tier: hot, host_memory: 100 MB }\n";
    CU_ASSERT_EQUAL_FATAL(parse(a, arena, &w, d), AF_OK);
    const af_train_config *t = &w.trains[0];
    AF_ASSERT_REL(t->step_time_s, 0.1, 1e-12);
    CU_ASSERT_EQUAL(t->samples_per_gpu, 2);
    CU_ASSERT_EQUAL(t->sample_B, 1e6);
    CU_ASSERT_EQUAL(t->samples_per_file, 4);
    CU_ASSERT_EQUAL(t->reader_threads, 2);
    CU_ASSERT_EQUAL(t->dataset_B, 1000 * 1e6);
    CU_ASSERT_EQUAL(t->files, 250);
    CU_ASSERT_EQUAL(t->steps_per_epoch, 62);
    CU_ASSERT_EQUAL(t->epochs, 3);
    CU_ASSERT_EQUAL(t->target_steps, 186);
    AF_ASSERT_REL(t->au_min, 0.9, 1e-12);
    /* Overrides: batch 4 and 2 MB records; no memory: 10 x 4 x 8 = 320 samples (80 files),
     * 10 steps an epoch; epochs 2; the size given wins over the rule. */
    const char *b = SCEN_HEAD "      batch_per_gpu: 4\n      epochs: 2\n      min_au: 50%\n"
                              "      step_time: 1 s\n"
                              "      dataset: { tier: hot, sample_size: 2 MB }\n";
    CU_ASSERT_EQUAL_FATAL(parse(b, arena, &w, d), AF_OK);
    t = &w.trains[0];
    AF_ASSERT_REL(t->step_time_s, 1, 1e-12);
    CU_ASSERT_EQUAL(t->dataset_B, 320 * 2e6);
    CU_ASSERT_EQUAL(t->steps_per_epoch, 10);
    CU_ASSERT_EQUAL(t->target_steps, 20);
    AF_ASSERT_REL(t->au_min, 0.5, 1e-12);
    const char *c = SCEN_HEAD "      dataset: { tier: hot, size: 64 MB }\n";
    CU_ASSERT_EQUAL_FATAL(parse(c, arena, &w, d), AF_OK);
    CU_ASSERT_EQUAL(w.trains[0].dataset_B, 64e6);
    CU_ASSERT_EQUAL(w.trains[0].steps_per_epoch, 4);
    af_diag_print(d, stderr);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);

    /* Mistakes: an unknown preset (did you mean), steps with epochs, a data set of no step. */
    const char *bad = "aifsim: 1\nname: t\nduration: 1 h\ncluster:\n  - pool: p\n    node: "
                      "node-a\n    nodes: 2\nstorage:\n  - tier: hot\n    system: flash\n    "
                      "nodes: 1\nworkloads:\n  - train:\n      pool: p\n      preset: bench-y\n"
                      "      dataset: { tier: hot }\n";
    CU_ASSERT_EQUAL(parse(bad, arena, &w, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_count(d), 1);
    char *msg = af_diag_format(d, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "t.yaml:15:15: error: workloads[0].train.preset: unknown "
                                       "MLPerf Storage workload \"bench-y\"; did you mean "
                                       "\"bench-x\"?"));
    af_free(msg);
    af_diag_clear(d);
    const char *both = SCEN_HEAD "      steps: 5\n      epochs: 2\n      dataset: { tier: hot }\n";
    CU_ASSERT_EQUAL(parse(both, arena, &w, d), AF_EINPUT);
    msg = af_diag_format(d, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "epochs: give either steps or epochs, not both"));
    af_free(msg);
    af_diag_clear(d);
    const char *tiny = SCEN_HEAD "      dataset: { tier: hot, size: 4 MB }\n";
    CU_ASSERT_EQUAL(parse(tiny, arena, &w, d), AF_EINPUT);
    msg = af_diag_format(d, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "make no whole step"));
    af_free(msg);
    af_diag_clear(d);
    const char *mem = "aifsim: 1\nname: t\nduration: 1 h\ncluster:\n  - pool: p\n    node: "
                      "node-a\n    nodes: 2\nstorage:\n  - tier: hot\n    system: flash\n    "
                      "nodes: 1\nworkloads:\n  - train:\n      pool: p\n      step_time: 1 s\n"
                      "      batch_per_gpu: 1\n"
                      "      dataset: { tier: hot, sample_size: 1 MB, host_memory: 1 GB }\n";
    CU_ASSERT_EQUAL(parse(mem, arena, &w, d), AF_EINPUT);
    CU_ASSERT_EQUAL_FATAL(af_diag_count(d), 2); /* and the size it lacks */
    msg = af_diag_format(d, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "host_memory sizes the data set by the MLPerf rule"));
    af_free(msg);
    af_diag_free(d);
    af_arena_free(arena);
}

static const af_test tests[] = {
    {"AU = min(1, supply/demand) across regimes", test_au_closed_form},
    {"epochs end at F + E M C and E M F + C", test_epochs_end},
    {"AU with a record spread within its 99.9% interval", test_au_spread_replications},
    {"AU meter leaves out each epoch's first step", test_au_meter},
    {"the rules' data set and DLIO's steps per epoch", test_dataset_rule},
    {"the catalog's presets and their sources", test_catalog_presets},
    {"a scenario's preset, overrides and mistakes", test_scenario_preset},
    {NULL, NULL},
};
AF_TEST_MAIN("mlperf", tests)
