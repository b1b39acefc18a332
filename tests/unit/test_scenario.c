/*
 * test_scenario: scenarios against the test catalog (tests/fixtures/models): a valid file fills
 * the config exactly, overrides and --set apply, and each class of mistake gives its message at
 * its line and column, all of them in one pass, in document order.
 */
#include "scenario/scenario.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/diag.h"

#include "cutest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static af_catalog *catalog(void)
{
    char *dir = af_test_srcpath("tests/fixtures/models");
    af_diag *d = af_diag_new();
    af_catalog *cat = af_catalog_load(dir, d);
    af_diag_print(d, stderr);
    af_diag_free(d);
    af_free(dir);
    CU_ASSERT_PTR_NOT_NULL(cat);
    return cat;
}

/* A valid scenario; the mistakes below are edits of it. Line numbers matter. */
static const char base[] = "aifsim: 1\n"               /* 1 */
                           "name: test\n"              /* 2 */
                           "duration: 2 h\n"           /* 3 */
                           "cluster:\n"                /* 4 */
                           "  - pool: train\n"         /* 5 */
                           "    node: node-a\n"        /* 6 */
                           "    nodes: 4\n"            /* 7 */
                           "storage:\n"                /* 8 */
                           "  - tier: hot\n"           /* 9 */
                           "    system: flash\n"       /* 10 */
                           "    nodes: 2\n"            /* 11 */
                           "workloads:\n"              /* 12 */
                           "  - train:\n"              /* 13 */
                           "      pool: train\n"       /* 14 */
                           "      step_time: 500 ms\n" /* 15 */
                           "      batch_per_gpu: 32\n" /* 16 */
                           "      dataset: { tier: hot, size: 10 TB, sample_size: 1 MB }\n";

/* base with the first `from` replaced by `to` (from NULL: base itself). A new string. */
static char *edit(const char *from, const char *to)
{
    if (!from)
        return af_strdup(base);
    const char *at = strstr(base, from);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    return af_strfmt("%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
}

/* Loads text as "t.yaml" with the given sets; returns the status. */
static int load(const char *text, const af_scenario_set *sets, size_t nsets, af_arena *arena,
                af_world_config *out, af_diag *d)
{
    af_catalog *cat = catalog();
    int rc = af_scenario_parse("t.yaml", text, strlen(text), cat, sets, nsets, arena, out, d);
    af_catalog_free(cat);
    return rc;
}

/* Checks the messages of d against want (a message ending in '*' need only match up to there,
 * for texts owned by the units parser). */
static void expect_messages(af_diag *d, const char *const *want)
{
    size_t n = 0;
    while (want[n])
        n++;
    CU_ASSERT_EQUAL(af_diag_count(d), n);
    size_t max = af_diag_count(d) > n ? af_diag_count(d) : n;
    for (size_t i = 0; i < max; i++) {
        char *got = i < af_diag_count(d) ? af_diag_format(d, i) : af_strdup("(nothing)");
        size_t len = i < n ? strlen(want[i]) : 0;
        bool prefix = len && want[i][len - 1] == '*';
        bool ok =
            i < n && (prefix ? strncmp(got, want[i], len - 1) == 0 : strcmp(got, want[i]) == 0);
        if (!ok)
            fprintf(stderr, "\n  got:  %s\n  want: %s\n", got, i < n ? want[i] : "(nothing)");
        CU_ASSERT_TRUE(ok);
        af_free(got);
    }
}

/* Loads base edited by (from -> to) with the sets, expecting failure with exactly want. */
static void expect_edit(const char *from, const char *to, const char *const *sets,
                        const char *const *want)
{
    char *text = edit(from, to);
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_scenario_set set[8];
    size_t nsets = 0;
    for (; sets && sets[nsets]; nsets++)
        CU_ASSERT_EQUAL(af_scenario_parse_set(sets[nsets], &set[nsets], d), AF_OK);
    af_world_config cfg;
    memset(&cfg, 0xab, sizeof cfg);
    CU_ASSERT_EQUAL(load(text, set, nsets, arena, &cfg, d), AF_EINPUT);
    /* The output is untouched on failure. */
    CU_ASSERT_EQUAL(((unsigned char *)&cfg)[0], 0xab);
    expect_messages(d, want);
    af_arena_free(arena);
    af_diag_free(d);
    af_free(text);
}

#define EXPECT(from, to, ...)                                                                      \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__, NULL};                                    \
        expect_edit(from, to, NULL, want_);                                                        \
    } while (0)

#define EXPECT_SET(set_, ...)                                                                      \
    do {                                                                                           \
        static const char *const sets_[] = {set_, NULL};                                           \
        static const char *const want_[] = {__VA_ARGS__, NULL};                                    \
        expect_edit(NULL, NULL, sets_, want_);                                                     \
    } while (0)

/* ---------------------------------------------------------------------------------------------
 * Valid scenarios. */

static void test_valid_fills_config(void)
{
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_world_config w;
    char *text = af_strfmt("%s", base);
    CU_ASSERT_EQUAL_FATAL(load(text, NULL, 0, arena, &w, d), AF_OK);
    af_free(text);
    /* The catalog is freed inside load(): every string below must live in the arena. */
    CU_ASSERT_STRING_EQUAL(w.name, "test");
    CU_ASSERT_EQUAL(w.seed, 1);
    CU_ASSERT_EQUAL(w.duration_s, 7200);
    CU_ASSERT_EQUAL(w.max_events, 0);
    CU_ASSERT_STRING_EQUAL(w.facility.name, "hyperscale");
    CU_ASSERT_STRING_EQUAL(w.facility.description, "test preset");
    CU_ASSERT_EQUAL(w.facility.pue, 1.1);
    CU_ASSERT_EQUAL_FATAL(w.npools, 1);
    CU_ASSERT_STRING_EQUAL(w.pools[0].name, "train");
    CU_ASSERT_EQUAL(w.pools[0].nodes, 4);
    CU_ASSERT_STRING_EQUAL(w.pools[0].node.name, "node-a");
    CU_ASSERT_STRING_EQUAL(w.pools[0].node.gpu.name, "gpu-a");
    CU_ASSERT_STRING_EQUAL(w.pools[0].node.nic.name, "net-100");
    CU_ASSERT_EQUAL(w.pools[0].node.gpus, 4);
    CU_ASSERT_EQUAL(w.pools[0].node.gpu.tdp_W, 400);
    CU_ASSERT_EQUAL_FATAL(w.ntiers, 1);
    CU_ASSERT_STRING_EQUAL(w.tiers[0].name, "hot");
    CU_ASSERT_STRING_EQUAL(w.tiers[0].system.name, "flash");
    CU_ASSERT_STRING_EQUAL(w.tiers[0].system.nic.name, "net-400");
    CU_ASSERT_EQUAL(w.tiers[0].nodes, 2);
    CU_ASSERT_EQUAL_FATAL(w.ntrains, 1);
    const af_train_config *t = &w.trains[0];
    CU_ASSERT_STRING_EQUAL(t->name, "train");
    CU_ASSERT_EQUAL(t->pool, 0);
    CU_ASSERT_EQUAL(t->tier, 0);
    CU_ASSERT_EQUAL(t->step_time_s, 0.5);
    CU_ASSERT_EQUAL(t->params, 0);
    CU_ASSERT_EQUAL(t->precision, AF_PREC_BF16);
    CU_ASSERT_EQUAL(t->samples_per_gpu, 32);
    CU_ASSERT_EQUAL(t->dataset_B, 10e12);
    CU_ASSERT_EQUAL(t->sample_B, 1e6);
    CU_ASSERT_EQUAL(t->prefetch, 2);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_arena_free(arena);
    af_diag_free(d);
}

static const char full[] =
    "aifsim: 1\n"
    "name: full\n"
    "description: every optional field\n"
    "seed: 18446744073709551615\n"
    "duration: 90 min\n"
    "max_events: 1e8\n"
    "facility: { preset: colocation, pue: 1.3, energy_price: 0.05 USD/kWh }\n"
    "cluster:\n"
    "  - pool: a\n"
    "    node: node-a\n"
    "    nodes: 2\n"
    "    override: { storage_nics: 2, gpu: { tdp: 600 W }, nic: net-400, host_link: { rate: 32 "
    "GB/s } }\n"
    "  - pool: b\n"
    "    node: node-b\n"
    "    nodes: 3\n"
    "    override: { gpu: gpu-a, storage_nic: { rate: 200 Gb/s } }\n"
    "storage:\n"
    "  - tier: hot\n"
    "    system: flash\n"
    "    nodes: 1\n"
    "    override: { device_read: 6 GB/s, nic: net-100, usable_fraction: 60% }\n"
    "  - tier: cold\n"
    "    system: disk\n"
    "    nodes: 8\n"
    "workloads:\n"
    "  - train:\n"
    "      name: llm\n"
    "      pool: b\n"
    "      model: { params: 70e9 }\n"
    "      tokens_per_step: 4Mi\n"
    "      mfu: 0.4\n"
    "      precision: bf16\n"
    "      batch_per_gpu: 4\n"
    "      dataset: { tier: cold, size: 60 TB, sample_size: 16 KiB, prefetch: 3 }\n"
    "  - train:\n"
    "      pool: a\n"
    "      step_time: 200 ms\n"
    "      batch_per_gpu: 256\n"
    "      dataset: { tier: hot, size: 1 PB, sample_size: 110 kB }\n";

static void test_valid_overrides(void)
{
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_world_config w;
    CU_ASSERT_EQUAL_FATAL(load(full, NULL, 0, arena, &w, d), AF_OK);
    CU_ASSERT_EQUAL(w.seed, UINT64_MAX);
    CU_ASSERT_EQUAL(w.duration_s, 5400);
    CU_ASSERT_EQUAL(w.max_events, 100000000);
    CU_ASSERT_STRING_EQUAL(w.facility.name, "colocation");
    CU_ASSERT_EQUAL(w.facility.pue, 1.3);
    AF_ASSERT_REL(w.facility.energy_price_usd_J, 0.05 / 3.6e6, 1e-12);
    CU_ASSERT_EQUAL(w.facility.rack_power_W, 20000); /* from the preset */
    /* Pool a: plain field, field of the referenced GPU, swapped NIC. */
    const af_node_spec *a = &w.pools[0].node;
    CU_ASSERT_EQUAL(a->storage_nics, 2);
    CU_ASSERT_EQUAL(a->gpu.tdp_W, 600);
    CU_ASSERT_EQUAL(a->gpu.idle_W, 50);
    CU_ASSERT_STRING_EQUAL(a->gpu.name, "gpu-a");
    CU_ASSERT_STRING_EQUAL(a->nic.name, "net-400");
    CU_ASSERT_EQUAL(a->nic.rate_Bps, 50e9);
    CU_ASSERT_STRING_EQUAL(a->storage_nic.name, "net-100");
    /* Pool a's host link: rate overridden, the rest of the catalog's entry kept. */
    CU_ASSERT_STRING_EQUAL(a->host_link.name, "pci");
    CU_ASSERT_EQUAL(a->host_link.kind, AF_LINK_PCIE);
    CU_ASSERT_EQUAL(a->host_link.rate_Bps, 32e9);
    CU_ASSERT_EQUAL(a->host_link.latency_s, 1e-6);
    /* Pool b: swapped GPU, overridden storage NIC rate. */
    const af_node_spec *b = &w.pools[1].node;
    CU_ASSERT_STRING_EQUAL(b->gpu.name, "gpu-a");
    CU_ASSERT_EQUAL(b->gpu.bf16_flops, 100e12);
    CU_ASSERT_EQUAL(b->gpus, 8);
    CU_ASSERT_EQUAL(b->storage_nic.rate_Bps, 25e9);
    CU_ASSERT_STRING_EQUAL(b->storage_nic.name, "net-400");
    CU_ASSERT_STRING_EQUAL(b->host_link.name, "pci");
    CU_ASSERT_EQUAL(b->host_link.rate_Bps, 63e9);
    /* The catalog itself is untouched by overrides (checked through a second load below). */
    const af_storage_spec *hot = &w.tiers[0].system;
    CU_ASSERT_EQUAL(hot->device_read_Bps, 6e9);
    CU_ASSERT_EQUAL(hot->nic.rate_Bps, 12.5e9);
    CU_ASSERT_EQUAL(hot->usable_fraction, 0.6);
    CU_ASSERT_EQUAL(w.tiers[1].nodes, 8);
    CU_ASSERT_EQUAL_FATAL(w.ntrains, 2);
    const af_train_config *llm = &w.trains[0];
    CU_ASSERT_STRING_EQUAL(llm->name, "llm");
    CU_ASSERT_EQUAL(llm->pool, 1);
    CU_ASSERT_EQUAL(llm->tier, 1);
    CU_ASSERT_EQUAL(llm->step_time_s, 0);
    CU_ASSERT_EQUAL(llm->params, 70e9);
    CU_ASSERT_EQUAL(llm->tokens_per_step, 4194304);
    CU_ASSERT_EQUAL(llm->mfu, 0.4);
    CU_ASSERT_EQUAL(llm->sample_B, 16384);
    CU_ASSERT_EQUAL(llm->prefetch, 3);
    CU_ASSERT_STRING_EQUAL(w.trains[1].name, "a");
    CU_ASSERT_EQUAL(w.trains[1].pool, 0);
    CU_ASSERT_EQUAL(w.trains[1].sample_B, 110e3);
    af_arena_free(arena);

    arena = af_arena_new();
    CU_ASSERT_EQUAL_FATAL(load(base, NULL, 0, arena, &w, d), AF_OK);
    CU_ASSERT_EQUAL(w.pools[0].node.gpu.tdp_W, 400);
    af_arena_free(arena);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_diag_free(d);
}

static void test_valid_fp8_and_facility_name(void)
{
    char *text = edit("    node: node-a\n", "    node: node-b\n");
    char *text2 = af_strfmt("%s", text);
    af_free(text);
    const char *from = "      step_time: 500 ms\n";
    char *at = strstr(text2, from);
    text = af_strfmt("facility: colocation\n%.*s      model: { params: 1e9 }\n      "
                     "tokens_per_step: 1Mi\n      mfu: 50%%\n      precision: fp8\n%s",
                     (int)(at - text2), text2, at + strlen(from));
    af_free(text2);
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_world_config w;
    CU_ASSERT_EQUAL(load(text, NULL, 0, arena, &w, d), AF_OK);
    af_diag_print(d, stderr);
    CU_ASSERT_STRING_EQUAL(w.facility.name, "colocation");
    CU_ASSERT_EQUAL(w.trains[0].precision, AF_PREC_FP8);
    CU_ASSERT_EQUAL(w.trains[0].mfu, 0.5);
    CU_ASSERT_EQUAL(w.trains[0].tokens_per_step, 1048576);
    af_arena_free(arena);
    af_diag_free(d);
    af_free(text);
}

static void test_sets(void)
{
    static const char *const args[] = {"storage.hot.nodes=8",
                                       "cluster[0].override.gpu.tdp=300 W",
                                       "workloads.train.step_time=\"250 ms\"",
                                       "seed=42",
                                       "name=renamed=twice",
                                       "facility=colocation"};
    enum { N = sizeof args / sizeof args[0] };
    af_scenario_set sets[N];
    af_diag *d = af_diag_new();
    for (size_t i = 0; i < N; i++)
        CU_ASSERT_EQUAL(af_scenario_parse_set(args[i], &sets[i], d), AF_OK);
    CU_ASSERT_STRING_EQUAL(sets[0].path, "storage.hot.nodes");
    CU_ASSERT_STRING_EQUAL(sets[0].value, "8");
    CU_ASSERT_PTR_EQUAL(sets[0].arg, args[0]);
    CU_ASSERT_STRING_EQUAL(sets[4].path, "name");
    CU_ASSERT_STRING_EQUAL(sets[4].value, "renamed=twice");
    af_arena *arena = af_arena_new();
    af_world_config w;
    CU_ASSERT_EQUAL_FATAL(load(base, sets, N, arena, &w, d), AF_OK);
    CU_ASSERT_EQUAL(w.tiers[0].nodes, 8);
    CU_ASSERT_EQUAL(w.pools[0].node.gpu.tdp_W, 300);
    CU_ASSERT_EQUAL(w.trains[0].step_time_s, 0.25);
    CU_ASSERT_EQUAL(w.seed, 42);
    CU_ASSERT_STRING_EQUAL(w.name, "renamed=twice");
    CU_ASSERT_STRING_EQUAL(w.facility.name, "colocation");
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_arena_free(arena);
    af_diag_free(d);
}

static void test_set_parse_errors(void)
{
    static const struct {
        const char *arg;
        const char *want;
    } cases[] = {
        {"nodes", "--set:1:1: error: expected PATH=VALUE such as \"storage.hot.nodes=8\", got "
                  "\"nodes\""},
        {"=8", "--set:1:1: error: expected PATH=VALUE such as \"storage.hot.nodes=8\", got "
               "\"=8\""},
        {"storage[x].nodes=8", "--set:1:9: error: expected a path such as \"storage[0].nodes\" or "
                               "\"storage.hot.nodes\", got \"storage[x].nodes\""},
        {"storage.=8", "--set:1:9: error: expected a path such as \"storage[0].nodes\" or "
                       "\"storage.hot.nodes\", got \"storage.\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        af_diag *d = af_diag_new();
        af_scenario_set set;
        CU_ASSERT_EQUAL(af_scenario_parse_set(cases[i].arg, &set, d), AF_EINPUT);
        const char *const want[] = {cases[i].want, NULL};
        expect_messages(d, want);
        af_diag_free(d);
    }
    char *longer = af_strfmt("%0300d=1", 0);
    af_diag *d = af_diag_new();
    af_scenario_set set;
    CU_ASSERT_EQUAL(af_scenario_parse_set(longer, &set, d), AF_EINPUT);
    const char *const want[] = {"--set:1:1: error: the path is longer than 255 bytes", NULL};
    expect_messages(d, want);
    af_diag_free(d);
    af_free(longer);
}

static void test_set_errors(void)
{
    EXPECT_SET("storage.hots.nodes=8",
               "--set:1:9: error: storage.hots: no such field; did you mean \"storage.hot\"?");
    EXPECT_SET("storage[0].nodes=eight",
               "--set:1:18: error: storage[0].nodes: expected a positive integer, got \"eight\"");
    EXPECT_SET("storage.hot.nodez=8",
               "--set:1:13: error: storage[0]: unknown key \"nodez\"; did you mean \"nodes\"?");
    EXPECT_SET("workloads.train.mfu=0.4",
               "t.yaml:15:18: error: workloads[0].train.step_time: give either step_time or "
               "model.params with tokens_per_step and mfu, not both");
    EXPECT_SET("duration=2 m", "--set:1:10: error: duration: expected a time such as*");
    EXPECT_SET("seed=x", "--set:1:6: error: seed: expected a non-negative integer below 2^64 such "
                         "as \"42\", got \"x\"");
}

/* ---------------------------------------------------------------------------------------------
 * One mistake at a time. */

static void test_wrong_types(void)
{
    EXPECT("    nodes: 4\n", "    nodes: [4]\n",
           "t.yaml:7:12: error: cluster[0].nodes: expected a positive integer, got a list");
    EXPECT("    node: node-a\n", "    node: { name: node-a }\n",
           "t.yaml:6:11: error: cluster[0].node: expected a node name from the catalog, got a "
           "mapping");
    EXPECT("cluster:\n  - pool: train\n    node: node-a\n    nodes: 4\n", "cluster: train\n",
           "t.yaml:4:10: error: cluster: expected a list of pools such as \"- { pool: train, "
           "node: dgx-h100, nodes: 16 }\", got \"train\"");
    EXPECT("      dataset: { tier: hot, size: 10 TB, sample_size: 1 MB }\n", "      dataset: hot\n",
           "t.yaml:17:16: error: workloads[0].train.dataset: expected a mapping such as { tier: "
           "hot, size: 50 TB, sample_size: 110 kB }, got \"hot\"");
    EXPECT("aifsim: 1\n", "- aifsim: 1\n",
           "t.yaml:2:1: error: YAML syntax: did not find expected '-' indicator (while parsing a "
           "block collection that starts at line 1, column 1)");
    EXPECT(base, "- 1\n- 2\n",
           "t.yaml:1:1: error: expected a mapping of scenario fields starting with \"aifsim: "
           "1\", got a list");
    EXPECT(base, "# nothing\n",
           "t.yaml:1:1: error: the file is empty; expected a scenario starting with \"aifsim: "
           "1\"");
}

static void test_missing_fields(void)
{
    EXPECT("      pool: train\n", "",
           "t.yaml:14:7: error: workloads[0].train: missing required field \"pool\"");
    EXPECT("    nodes: 4\n", "", "t.yaml:5:5: error: cluster[0]: missing required field \"nodes\"");
    EXPECT("duration: 2 h\n", "", "t.yaml:1:1: error: missing required field \"duration\"");
    EXPECT("tier: hot, ", "",
           "t.yaml:17:16: error: workloads[0].train.dataset: missing required "
           "field \"tier\"");
    EXPECT("      step_time: 500 ms\n", "",
           "t.yaml:14:7: error: workloads[0].train: missing required field \"step_time\" (or "
           "model.params with tokens_per_step and mfu)");
    EXPECT("      step_time: 500 ms\n", "      model: { params: 1e9 }\n      mfu: 0.5\n",
           "t.yaml:14:7: error: workloads[0].train: missing required field \"tokens_per_step\"");
    EXPECT("      step_time: 500 ms\n",
           "      model: {}\n      tokens_per_step: 1k\n      "
           "mfu: 0.5\n",
           "t.yaml:15:14: error: workloads[0].train.model: missing required field \"params\"");
}

static void test_unknown_names(void)
{
    EXPECT("    nodes: 4\n", "    nodez: 4\n",
           "t.yaml:5:5: error: cluster[0]: missing required field \"nodes\"",
           "t.yaml:7:5: error: cluster[0]: unknown key \"nodez\"; did you mean \"nodes\"?");
    EXPECT(
        "name: test\n", "name: test\nowner: me\n",
        "t.yaml:3:1: error: unknown key \"owner\"; expected one of: aifsim, name, "
        "description, seed, duration, max_events, facility, cluster, storage, fabric, workloads");
    EXPECT("node: node-a", "node: node-c",
           "t.yaml:6:11: error: cluster[0].node: unknown node \"node-c\"; did you mean "
           "\"node-a\"?");
    EXPECT("node: node-a", "node: dgx-h100",
           "t.yaml:6:11: error: cluster[0].node: unknown node \"dgx-h100\"; see \"aifsim catalog "
           "nodes\"");
    EXPECT("system: flash", "system: flsh",
           "t.yaml:10:13: error: storage[0].system: unknown storage system \"flsh\"; did you "
           "mean \"flash\"?");
    EXPECT("duration: 2 h\n", "duration: 2 h\nfacility: hyperscal\n",
           "t.yaml:4:11: error: facility: unknown facility preset \"hyperscal\"; did you mean "
           "\"hyperscale\"?");
    EXPECT("duration: 2 h\n", "duration: 2 h\nfacility: { preset: colo, pue: 0.5 }\n",
           "t.yaml:4:21: error: facility.preset: unknown facility preset \"colo\"; see \"aifsim "
           "catalog facility\"",
           "t.yaml:4:32: error: facility.pue: expected at least 1, got \"0.5\"");
    EXPECT("    nodes: 4\n", "    nodes: 4\n    override: { nic: net-40 }\n",
           "t.yaml:8:22: error: cluster[0].override.nic: unknown link \"net-40\"; did you mean "
           "\"net-400\"?");
    EXPECT("    nodes: 4\n", "    nodes: 4\n    override: { host_link: pcie-gen9 }\n",
           "t.yaml:8:28: error: cluster[0].override.host_link: unknown link \"pcie-gen9\"; see "
           "\"aifsim catalog links\"");
    EXPECT("    nodes: 4\n", "    nodes: 4\n    override: { gpu: { tdpw: 1 kW } }\n",
           "t.yaml:8:24: error: cluster[0].override.gpu: unknown key \"tdpw\"; did you mean "
           "\"tdp\"?");
    EXPECT("    nodes: 4\n", "    nodes: 4\n    override: { name: x }\n",
           "t.yaml:8:17: error: cluster[0].override: unknown key \"name\"; expected one of: gpu, "
           "gpus, nic, nics, storage_nic, storage_nics, max_power, host_power, rack_units, "
           "price, embodied_carbon, nvlink, host_link");
    EXPECT("  - train:", "  - evaluate:",
           "t.yaml:13:5: error: workloads[0]: unknown workload kind \"evaluate\"; supported: "
           "train, burst, lookup, inference, ingest, flywheel");
    EXPECT("      pool: train\n", "      pool: trian\n",
           "t.yaml:14:13: error: workloads[0].train.pool: unknown pool \"trian\"; did you mean "
           "\"train\"?");
    EXPECT("tier: hot,", "tier: cold,",
           "t.yaml:17:24: error: workloads[0].train.dataset.tier: unknown tier \"cold\"; "
           "defined: hot");
}

static void test_bad_values(void)
{
    EXPECT("duration: 2 h", "duration: 2",
           "t.yaml:3:11: error: duration: expected a time such as*");
    EXPECT("duration: 2 h", "duration: 2 m",
           "t.yaml:3:11: error: duration: expected a time such as*");
    EXPECT("duration: 2 h", "duration: inf h",
           "t.yaml:3:11: error: duration: expected a time such as*");
    EXPECT("duration: 2 h", "duration: 0 s",
           "t.yaml:3:11: error: duration: expected at least 1 us, got \"0 s\"");
    /* Shorter than a microsecond means nothing to a clock in nanoseconds, and rates over it
     * overflow (a fuzz finding). */
    EXPECT("duration: 2 h", "duration: 1e-20 s",
           "t.yaml:3:11: error: duration: expected at least 1 us, got \"1e-20 s\"");
    EXPECT("duration: 2 h", "duration: 200 y",
           "t.yaml:3:11: error: duration: expected at most 100 y, got \"200 y\"");
    EXPECT("    nodes: 2\n", "    nodes: 2\n    override: { device_read: 5 GB }\n",
           "t.yaml:12:30: error: storage[0].override.device_read: expected a bandwidth such as*");
    EXPECT("nodes: 4", "nodes: 0",
           "t.yaml:7:12: error: cluster[0].nodes: expected a positive integer, got \"0\"");
    EXPECT("nodes: 4", "nodes: -3",
           "t.yaml:7:12: error: cluster[0].nodes: expected a positive integer, got \"-3\"");
    EXPECT("nodes: 4", "nodes: 2.5",
           "t.yaml:7:12: error: cluster[0].nodes: expected a positive integer, got \"2.5\"");
    EXPECT("nodes: 4", "nodes: eight",
           "t.yaml:7:12: error: cluster[0].nodes: expected a positive integer, got \"eight\"");
    EXPECT("nodes: 4", "nodes: nan",
           "t.yaml:7:12: error: cluster[0].nodes: expected a positive integer, got \"nan\"");
    EXPECT("nodes: 4", "nodes: 2e6",
           "t.yaml:7:12: error: cluster[0].nodes: expected at most 1000000, got \"2e6\"");
    EXPECT("nodes: 4", "nodes:",
           "t.yaml:7:11: error: cluster[0].nodes: expected a positive integer, got nothing");
    EXPECT("      step_time: 500 ms\n",
           "      model: { params: 1e9 }\n      tokens_per_step: "
           "1Mi\n      mfu: 1.5\n",
           "t.yaml:17:12: error: workloads[0].train.mfu: expected a value in (0, 1], got \"1.5\"");
    EXPECT("      step_time: 500 ms\n",
           "      model: { params: 1e9 }\n      tokens_per_step: "
           "1Mi\n      mfu: .nan\n",
           "t.yaml:17:12: error: workloads[0].train.mfu: expected a ratio such as*");
    EXPECT("size: 10 TB, sample_size: 1 MB", "size: 1 GB, sample_size: 2 GB",
           "t.yaml:17:54: error: workloads[0].train.dataset.sample_size: expected at most the "
           "data set's size (1 GB), got 2 GB");
    EXPECT("sample_size: 1 MB }", "sample_size: 1 MB, prefetch: 0 }",
           "t.yaml:17:71: error: workloads[0].train.dataset.prefetch: expected a positive "
           "integer, got \"0\"");
    EXPECT("name: test\n", "name: test\nseed: -1\n",
           "t.yaml:3:7: error: seed: expected a non-negative integer below 2^64 such as \"42\", "
           "got \"-1\"");
    EXPECT("name: test\n", "name: test\nseed: 18446744073709551616\n",
           "t.yaml:3:7: error: seed: expected a non-negative integer below 2^64 such as \"42\", "
           "got \"18446744073709551616\"");
    EXPECT("    nodes: 4\n", "    nodes: 4\n    override: { gpu: { idle_power: 500 W } }\n",
           "t.yaml:8:36: error: cluster[0].override.gpu.idle_power: expected at most tdp (400 "
           "W), got 500 W");
    EXPECT("  - pool: train\n", "  - pool: my pool\n",
           "t.yaml:5:11: error: cluster[0].pool: expected a name of letters, digits, \"-\" and "
           "\"_\" such as \"train\" (at most 64), got \"my pool\"");
}

static void test_structure_mistakes(void)
{
    EXPECT("aifsim: 1", "aifsim: 2",
           "t.yaml:1:9: error: aifsim: unsupported format version \"2\"; this aifsim reads "
           "version 1");
    EXPECT("    nodes: 4\n", "    nodes: 4\n  - pool: train\n    node: node-a\n    nodes: 1\n",
           "t.yaml:8:11: error: cluster[1].pool: duplicate pool name \"train\"; first defined at "
           "line 5");
    EXPECT("    nodes: 2\n", "    nodes: 2\n  - tier: hot\n    system: disk\n    nodes: 1\n",
           "t.yaml:12:11: error: storage[1].tier: duplicate tier name \"hot\"; first defined at "
           "line 9");
    static const char second[] = "  - train:\n"
                                 "      name: train\n"
                                 "      pool: other\n"
                                 "      step_time: 1 s\n"
                                 "      batch_per_gpu: 1\n"
                                 "      dataset: { tier: hot, size: 1 TB, sample_size: 1 MB }\n";
    char *two = af_strfmt("    nodes: 4\n  - pool: other\n    node: node-b\n    nodes: 1\n");
    char *text = edit("    nodes: 4\n", two);
    char *with = af_strfmt("%s%s", text, second);
    {
        af_diag *d = af_diag_new();
        af_arena *arena = af_arena_new();
        af_world_config w;
        CU_ASSERT_EQUAL(load(with, NULL, 0, arena, &w, d), AF_EINPUT);
        const char *const want[] = {"t.yaml:22:13: error: workloads[1].train.name: duplicate "
                                    "workload name \"train\"; first defined at line 17",
                                    NULL};
        expect_messages(d, want);
        af_arena_free(arena);
        af_diag_free(d);
    }
    af_free(with);
    af_free(text);
    af_free(two);
    EXPECT("      dataset: { tier: hot, size: 10 TB, sample_size: 1 MB }\n",
           "      dataset: { tier: hot, size: 10 TB, sample_size: 1 MB }\n  - train:\n      name: "
           "b\n      pool: train\n      step_time: 1 s\n      batch_per_gpu: 1\n      dataset: "
           "{ tier: hot, size: 1 TB, sample_size: 1 MB }\n",
           "t.yaml:20:13: error: workloads[1].train.pool: pool \"train\" already runs training "
           "job \"train\" (line 14); one training job per pool");
    EXPECT("      step_time: 500 ms\n", "      step_time: 500 ms\n      model: { params: 1e9 }\n",
           "t.yaml:15:18: error: workloads[0].train.step_time: give either step_time or "
           "model.params with tokens_per_step and mfu, not both");
    EXPECT("  - train:\n      pool: train\n      step_time: 500 ms\n      batch_per_gpu: 32\n"
           "      dataset:",
           "  - train:\n    pool: train\n    step_time: 500 ms\n    batch_per_gpu: 32\n"
           "    dataset:",
           "t.yaml:13:5: error: workloads[0]: expected one workload kind such as \"train:\" with "
           "the job's fields indented below it, got 5 keys (\"train\", \"pool\", \"step_time\", "
           "\"batch_per_gpu\", \"dataset\")");
    EXPECT("      step_time: 500 ms\n",
           "      model: { params: 1e9 }\n      tokens_per_step: "
           "1Mi\n      mfu: 0.5\n      precision: fp8\n",
           "t.yaml:18:18: error: workloads[0].train.precision: the pool's GPU \"gpu-a\" has no "
           "FP8 peak; use bf16");
    EXPECT("cluster:\n", "cluster: []\nx:\n",
           "t.yaml:4:10: error: cluster: expected a list of pools such as \"- { pool: train, "
           "node: dgx-h100, nodes: 16 }\", got an empty list",
           "t.yaml:5:1: error: unknown key \"x\"; expected one of: aifsim, name, description, "
           "seed, duration, max_events, facility, cluster, storage, fabric, workloads");
}

static void test_many_mistakes_one_pass(void)
{
    static const char text[] = "aifsim: 1\n"
                               "name: many\n"
                               "duration: 6\n"
                               "cluster:\n"
                               "  - pool: train\n"
                               "    node: node-x\n"
                               "    nodes: 0\n"
                               "storage:\n"
                               "  - tier: hot\n"
                               "    system: flash\n"
                               "    nodes: eight\n"
                               "    colour: blue\n"
                               "workloads:\n"
                               "  - train:\n"
                               "      pool: train\n"
                               "      step_time: 250 ms\n"
                               "      batch_per_gpu: 256\n"
                               "      dataset: { tier: cold, size: 50 TB, sample_size: 110 kB }\n"
                               "  - evaluate:\n"
                               "      from: hot\n";
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_world_config w;
    CU_ASSERT_EQUAL(load(text, NULL, 0, arena, &w, d), AF_EINPUT);
    const char *const want[] = {
        "t.yaml:3:11: error: duration: expected a time such as*",
        "t.yaml:6:11: error: cluster[0].node: unknown node \"node-x\"; did you mean \"node-a\"?",
        "t.yaml:7:12: error: cluster[0].nodes: expected a positive integer, got \"0\"",
        "t.yaml:11:12: error: storage[0].nodes: expected a positive integer, got \"eight\"",
        "t.yaml:12:5: error: storage[0]: unknown key \"colour\"; expected one of: tier, system, "
        "nodes, override, cache, drain, reserve",
        "t.yaml:18:24: error: workloads[0].train.dataset.tier: unknown tier \"cold\"; defined: hot",
        "t.yaml:19:5: error: workloads[1]: unknown workload kind \"evaluate\"; supported: "
        "train, burst, lookup, inference, ingest, flywheel",
        NULL};
    expect_messages(d, want);
    af_arena_free(arena);
    af_diag_free(d);
}

static void test_error_cap(void)
{
    /* 150 unknown keys: 100 reported, then one line saying the rest were not. */
    size_t cap = 1 << 14, n = 0;
    char *text = af_malloc_array(cap, 1);
    n += (size_t)snprintf(text, cap, "%s", base);
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(text + n, cap - n, "junk%d: 1\n", i);
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_world_config w;
    CU_ASSERT_EQUAL(load(text, NULL, 0, arena, &w, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_count(d), AF_CHECK_MAX_ERRORS + 1);
    char *last = af_diag_format(d, af_diag_count(d) - 1);
    CU_ASSERT_STRING_EQUAL(last, "t.yaml:118:1: error: more than 100 errors; not reporting the "
                                 "rest");
    af_free(last);
    af_arena_free(arena);
    af_diag_free(d);
    af_free(text);
}

static void test_load_file(void)
{
    af_catalog *cat = catalog();
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_world_config w;
    CU_ASSERT_EQUAL(af_scenario_load("/nonexistent.yaml", cat, NULL, 0, arena, &w, d), AF_EIO);
    const char *const want[] = {"/nonexistent.yaml: error: cannot open: No such file or directory",
                                NULL};
    expect_messages(d, want);
    af_arena_free(arena);
    af_diag_free(d);
    af_catalog_free(cat);
}

/* ---------------------------------------------------------------------------------------------
 * Format v2 fields: tier cache, drain and reserve; fabrics; bursts and look-ups; the new training
 * fields. */

/* A valid scenario with every new field; the mistakes below are edits of it. Line numbers
 * matter. */
static const char v2[] = "aifsim: 1\n"                                    /* 1 */
                         "name: v2\n"                                     /* 2 */
                         "duration: 1 h\n"                                /* 3 */
                         "cluster:\n"                                     /* 4 */
                         "  - pool: train\n"                              /* 5 */
                         "    node: node-a\n"                             /* 6 */
                         "    nodes: 4\n"                                 /* 7 */
                         "  - pool: infer\n"                              /* 8 */
                         "    node: node-b\n"                             /* 9 */
                         "    nodes: 2\n"                                 /* 10 */
                         "storage:\n"                                     /* 11 */
                         "  - tier: hot\n"                                /* 12 */
                         "    system: flash\n"                            /* 13 */
                         "    nodes: 2\n"                                 /* 14 */
                         "    cache: { for: capacity, hit_ratio: 80% }\n" /* 15 */
                         "    drain: { to: archive, weight: 0.5 }\n"      /* 16 */
                         "    reserve: 20%\n"                             /* 17 */
                         "  - tier: capacity\n"                           /* 18 */
                         "    system: disk\n"                             /* 19 */
                         "    nodes: 4\n"                                 /* 20 */
                         "  - tier: archive\n"                            /* 21 */
                         "    system: disk\n"                             /* 22 */
                         "    nodes: 1\n"                                 /* 23 */
                         "fabric:\n"                                      /* 24 */
                         "  - name: storage-net\n"                        /* 25 */
                         "    switch: sw-a\n"                             /* 26 */
                         "    topology: rail\n"                           /* 27 */
                         "    oversubscription: 2:1\n"                    /* 28 */
                         "    levels: 2\n"                                /* 29 */
                         "    connects: [train, hot, capacity]\n"         /* 30 */
                         "  - name: front\n"                              /* 31 */
                         "    switch: sw-b\n"                             /* 32 */
                         "    connects: [infer, archive]\n"               /* 33 */
                         "workloads:\n"                                   /* 34 */
                         "  - train:\n"                                   /* 35 */
                         "      pool: train\n"                            /* 36 */
                         "      step_time: 500 ms\n"                      /* 37 */
                         "      batch_per_gpu: 32\n"                      /* 38 */
                         "      qos: { weight: 2 }\n"                     /* 39 */
                         "      dataset:\n"                               /* 40 */
                         "        tier: capacity\n"                       /* 41 */
                         "        sample_size: 100 kB\n"                  /* 42 */
                         "        sample_spread: 20 kB\n"                 /* 43 */
                         "        samples_per_file: 1000\n"               /* 44 */
                         "        files: 5e5\n"                           /* 45 */
                         "        reader_threads: 8\n"                    /* 46 */
                         "        prefetch: 3\n"                          /* 47 */
                         "  - burst:\n"                                   /* 48 */
                         "      name: ckpt\n"                             /* 49 */
                         "      pool: train\n"                            /* 50 */
                         "      tier: hot\n"                              /* 51 */
                         "      size: 2 TB\n"                             /* 52 */
                         "      every: 30 min\n"                          /* 53 */
                         "      start: 5 min\n"                           /* 54 */
                         "      op_size: 4 MiB\n"                         /* 55 */
                         "      keep: 3\n"                                /* 56 */
                         "      qos: { weight: 0.5 }\n"                   /* 57 */
                         "  - burst:\n"                                   /* 58 */
                         "      name: load\n"                             /* 59 */
                         "      tier: archive\n"                          /* 60 */
                         "      direction: read\n"                        /* 61 */
                         "      size: 100 GB\n"                           /* 62 */
                         "      every: 1 h\n"                             /* 63 */
                         "  - lookup:\n"                                  /* 64 */
                         "      name: features\n"                         /* 65 */
                         "      tier: hot\n"                              /* 66 */
                         "      rate: 20000/s\n"                          /* 67 */
                         "      size: 8 KiB\n"                            /* 68 */
                         "      slo: 5 ms\n"                              /* 69 */
                         "  - lookup:\n"                                  /* 70 */
                         "      name: meta\n"                             /* 71 */
                         "      tier: capacity\n"                         /* 72 */
                         "      rate: 2 k/s\n";                           /* 73 */

/* The whole fabric section of v2. */
#define fabrics_v2                                                                                 \
    "fabric:\n  - name: storage-net\n    switch: sw-a\n    topology: rail\n    oversubscription: " \
    "2:1\n    levels: 2\n    connects: [train, hot, capacity]\n  - name: front\n    switch: "      \
    "sw-b\n    connects: [infer, archive]\n"

/* v2 with each (from[i] -> to[i]) applied in turn; a new string. */
static char *edit_v2(const char *const *from, const char *const *to, size_t n)
{
    char *text = af_strdup(v2);
    for (size_t i = 0; i < n; i++) {
        const char *at = strstr(text, from[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(at);
        char *next = af_strfmt("%.*s%s%s", (int)(at - text), text, to[i], at + strlen(from[i]));
        af_free(text);
        text = next;
    }
    return text;
}

/* Loads v2 edited by (from -> to) pairs (a NULL-terminated list of alternating strings),
 * expecting failure with exactly want. */
static void expect_v2(const char *const *edits, const char *const *want)
{
    const char *from[8], *to[8];
    size_t n = 0;
    for (; edits[2 * n]; n++) {
        from[n] = edits[2 * n];
        to[n] = edits[2 * n + 1];
    }
    char *text = edit_v2(from, to, n);
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_world_config cfg;
    memset(&cfg, 0xab, sizeof cfg);
    CU_ASSERT_EQUAL(load(text, NULL, 0, arena, &cfg, d), AF_EINPUT);
    CU_ASSERT_EQUAL(((unsigned char *)&cfg)[0], 0xab);
    expect_messages(d, want);
    af_arena_free(arena);
    af_diag_free(d);
    af_free(text);
}

/* EXPECT2((from, to, from, to, ...), messages...) */
#define AF_UNPAREN(...) __VA_ARGS__
#define EXPECT2(edits, ...)                                                                        \
    do {                                                                                           \
        static const char *const edits_[] = {AF_UNPAREN edits, NULL};                              \
        static const char *const want_[] = {__VA_ARGS__, NULL};                                    \
        expect_v2(edits_, want_);                                                                  \
    } while (0)

/* Loads text, expecting success; returns the arena holding *w. */
static af_arena *load_ok(const char *text, const af_scenario_set *sets, size_t nsets,
                         af_world_config *w)
{
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    CU_ASSERT_EQUAL(load(text, sets, nsets, arena, w, d), AF_OK);
    af_diag_print(d, stderr);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_diag_free(d);
    return arena;
}

static void test_v2_fills_config(void)
{
    af_world_config w;
    af_arena *arena = load_ok(v2, NULL, 0, &w);
    CU_ASSERT_EQUAL_FATAL(w.ntiers, 3);
    const af_tier_config *hot = &w.tiers[0];
    CU_ASSERT_EQUAL(hot->cache_for, 1);
    CU_ASSERT_EQUAL(hot->hit_ratio, 0.8);
    CU_ASSERT_EQUAL(hot->drain_to, 2);
    CU_ASSERT_EQUAL(hot->drain_weight, 0.5);
    AF_ASSERT_REL(hot->reserve, 0.2, 1e-15);
    for (size_t i = 1; i < 3; i++) {
        CU_ASSERT_EQUAL(w.tiers[i].cache_for, AF_WORLD_NONE);
        CU_ASSERT_EQUAL(w.tiers[i].hit_ratio, 0);
        CU_ASSERT_EQUAL(w.tiers[i].drain_to, AF_WORLD_NONE);
        CU_ASSERT_EQUAL(w.tiers[i].drain_weight, 0.25);
        CU_ASSERT_EQUAL(w.tiers[i].reserve, 0);
    }

    CU_ASSERT_EQUAL_FATAL(w.nfabrics, 2);
    const af_fabric_config *f = &w.fabrics[0];
    CU_ASSERT_STRING_EQUAL(f->name, "storage-net");
    CU_ASSERT_STRING_EQUAL(f->spec.name, "storage-net");
    CU_ASSERT_EQUAL(f->spec.topology, AF_FABRIC_RAIL);
    CU_ASSERT_EQUAL(f->spec.oversubscription, 2);
    CU_ASSERT_EQUAL(f->spec.levels, 2);
    CU_ASSERT_STRING_EQUAL(f->spec.sw.name, "sw-a");
    CU_ASSERT_STRING_EQUAL(f->spec.sw.description, "64 x 400 Gb/s test switch");
    CU_ASSERT_EQUAL(f->spec.sw.ports, 64);
    CU_ASSERT_EQUAL(f->spec.sw.port_rate_Bps, 50e9);
    CU_ASSERT_EQUAL_FATAL(f->npools, 1);
    CU_ASSERT_EQUAL(f->pools[0], 0);
    CU_ASSERT_EQUAL_FATAL(f->ntiers, 2);
    CU_ASSERT_EQUAL(f->tiers[0], 0);
    CU_ASSERT_EQUAL(f->tiers[1], 1);
    f = &w.fabrics[1];
    CU_ASSERT_STRING_EQUAL(f->name, "front");
    CU_ASSERT_STRING_EQUAL(f->spec.sw.name, "sw-b");
    CU_ASSERT_EQUAL(f->spec.topology, AF_FABRIC_FAT_TREE);
    CU_ASSERT_EQUAL(f->spec.oversubscription, 1);
    CU_ASSERT_EQUAL(f->spec.levels, 0);
    CU_ASSERT_EQUAL_FATAL(f->npools, 1);
    CU_ASSERT_EQUAL(f->pools[0], 1);
    CU_ASSERT_EQUAL_FATAL(f->ntiers, 1);
    CU_ASSERT_EQUAL(f->tiers[0], 2);

    CU_ASSERT_EQUAL_FATAL(w.ntrains, 1);
    const af_train_config *t = &w.trains[0];
    CU_ASSERT_STRING_EQUAL(t->name, "train");
    CU_ASSERT_EQUAL(t->tier, 1);
    CU_ASSERT_EQUAL(t->weight, 2);
    CU_ASSERT_EQUAL(t->sample_B, 100e3);
    CU_ASSERT_EQUAL(t->sample_sd_B, 20e3);
    CU_ASSERT_EQUAL(t->samples_per_file, 1000);
    CU_ASSERT_EQUAL(t->files, 5e5);
    CU_ASSERT_EQUAL(t->dataset_B, 50e12); /* files x samples_per_file x sample_size */
    CU_ASSERT_EQUAL(t->reader_threads, 8);
    CU_ASSERT_EQUAL(t->prefetch, 3);

    CU_ASSERT_EQUAL_FATAL(w.nbursts, 2);
    const af_burst_config *b = &w.bursts[0];
    CU_ASSERT_STRING_EQUAL(b->name, "ckpt");
    CU_ASSERT_EQUAL(b->pool, 0);
    CU_ASSERT_EQUAL(b->tier, 0);
    CU_ASSERT_TRUE(b->write);
    CU_ASSERT_EQUAL(b->size_B, 2e12);
    CU_ASSERT_EQUAL(b->every_s, 1800);
    CU_ASSERT_EQUAL(b->start_s, 300);
    CU_ASSERT_EQUAL(b->op_B, 4194304);
    CU_ASSERT_EQUAL(b->keep, 3);
    CU_ASSERT_EQUAL(b->weight, 0.5);
    b = &w.bursts[1];
    CU_ASSERT_STRING_EQUAL(b->name, "load");
    CU_ASSERT_EQUAL(b->pool, AF_WORLD_NONE);
    CU_ASSERT_EQUAL(b->tier, 2);
    CU_ASSERT_FALSE(b->write);
    CU_ASSERT_EQUAL(b->size_B, 100e9);
    CU_ASSERT_EQUAL(b->every_s, 3600);
    CU_ASSERT_EQUAL(b->start_s, 3600); /* defaults to every */
    CU_ASSERT_EQUAL(b->op_B, 1048576);
    CU_ASSERT_EQUAL(b->keep, 0);
    CU_ASSERT_EQUAL(b->weight, 1);

    CU_ASSERT_EQUAL_FATAL(w.nlookups, 2);
    const af_lookup_config *l = &w.lookups[0];
    CU_ASSERT_STRING_EQUAL(l->name, "features");
    CU_ASSERT_EQUAL(l->tier, 0);
    CU_ASSERT_EQUAL(l->rate_per_s, 20000);
    CU_ASSERT_EQUAL(l->size_B, 8192);
    CU_ASSERT_EQUAL(l->slo_s, 0.005);
    l = &w.lookups[1];
    CU_ASSERT_STRING_EQUAL(l->name, "meta");
    CU_ASSERT_EQUAL(l->tier, 1);
    CU_ASSERT_EQUAL(l->rate_per_s, 2000);
    CU_ASSERT_EQUAL(l->size_B, 4096);
    CU_ASSERT_EQUAL(l->slo_s, 0);
    af_arena_free(arena);
}

static void test_v2_defaults(void)
{
    /* base has none of the new fields. */
    af_world_config w;
    af_arena *arena = load_ok(base, NULL, 0, &w);
    CU_ASSERT_EQUAL(w.nfabrics, 0);
    CU_ASSERT_EQUAL(w.nbursts, 0);
    CU_ASSERT_EQUAL(w.nlookups, 0);
    CU_ASSERT_EQUAL(w.tiers[0].cache_for, AF_WORLD_NONE);
    CU_ASSERT_EQUAL(w.tiers[0].drain_to, AF_WORLD_NONE);
    CU_ASSERT_EQUAL(w.tiers[0].drain_weight, 0.25);
    CU_ASSERT_EQUAL(w.tiers[0].reserve, 0);
    const af_train_config *t = &w.trains[0];
    CU_ASSERT_EQUAL(t->weight, 1);
    CU_ASSERT_EQUAL(t->sample_sd_B, 0);
    CU_ASSERT_EQUAL(t->samples_per_file, 1);
    CU_ASSERT_EQUAL(t->files, 1e7); /* 10 TB / 1 MB */
    CU_ASSERT_EQUAL(t->reader_threads, 0);
    af_arena_free(arena);

    /* Size and files both given and within 1%; oversubscription as a number; an empty fabric
     * list; files derived with samples_per_file. */
    static const char *const from[] = {"        files: 5e5\n", "    oversubscription: 2:1\n"};
    static const char *const to[] = {"        files: 5e5\n        size: 50.4 TB\n",
                                     "    oversubscription: 1.5\n"};
    char *text = edit_v2(from, to, 2);
    arena = load_ok(text, NULL, 0, &w);
    CU_ASSERT_EQUAL(w.trains[0].dataset_B, 50.4e12);
    CU_ASSERT_EQUAL(w.trains[0].files, 5e5);
    CU_ASSERT_EQUAL(w.fabrics[0].spec.oversubscription, 1.5);
    af_arena_free(arena);
    af_free(text);

    static const char *const from2[] = {"        files: 5e5\n", fabrics_v2};
    static const char *const to2[] = {"        size: 1 TB\n", "fabric: []\n"};
    text = edit_v2(from2, to2, 2);
    arena = load_ok(text, NULL, 0, &w);
    CU_ASSERT_EQUAL(w.nfabrics, 0);
    CU_ASSERT_EQUAL(w.trains[0].dataset_B, 1e12);
    CU_ASSERT_EQUAL(w.trains[0].files, 1e4); /* 1 TB / (100 kB x 1000) */
    af_arena_free(arena);
    af_free(text);
}

static void test_v2_sets(void)
{
    static const char *const args[] = {
        "fabric.storage-net.levels=3",     "fabric.front.oversubscription=4:1",
        "workloads.ckpt.every=1 h",        "workloads.features.slo=10 ms",
        "storage.hot.cache.hit_ratio=50%", "workloads.train.dataset.reader_threads=16"};
    enum { N = sizeof args / sizeof args[0] };
    af_scenario_set sets[N];
    af_diag *d = af_diag_new();
    for (size_t i = 0; i < N; i++)
        CU_ASSERT_EQUAL(af_scenario_parse_set(args[i], &sets[i], d), AF_OK);
    af_diag_free(d);
    af_world_config w;
    af_arena *arena = load_ok(v2, sets, N, &w);
    CU_ASSERT_EQUAL(w.fabrics[0].spec.levels, 3);
    CU_ASSERT_EQUAL(w.fabrics[1].spec.oversubscription, 4);
    CU_ASSERT_EQUAL(w.bursts[0].every_s, 3600);
    CU_ASSERT_EQUAL(w.lookups[0].slo_s, 0.01);
    CU_ASSERT_EQUAL(w.tiers[0].hit_ratio, 0.5);
    CU_ASSERT_EQUAL(w.trains[0].reader_threads, 16);
    af_arena_free(arena);

    static const char *const bad[] = {"fabric.storag-net.levels=3", NULL};
    static const char *const want[] = {
        "--set:1:8: error: fabric.storag-net: no such field; did you mean \"fabric.storage-net\"?",
        NULL};
    d = af_diag_new();
    af_scenario_set set;
    CU_ASSERT_EQUAL(af_scenario_parse_set(bad[0], &set, d), AF_OK);
    arena = af_arena_new();
    CU_ASSERT_EQUAL(load(v2, &set, 1, arena, &w, d), AF_EINPUT);
    expect_messages(d, want);
    af_arena_free(arena);
    af_diag_free(d);
}

static void test_v2_tier_errors(void)
{
    EXPECT2(("for: capacity", "for: capacty"),
            "t.yaml:15:19: error: storage[0].cache.for: unknown tier \"capacty\"; did you mean "
            "\"capacity\"?");
    EXPECT2(("for: capacity", "for: hot"),
            "t.yaml:15:19: error: storage[0].cache.for: expected another tier; a tier cannot "
            "cache itself");
    /* No chains: the backing tier may not itself be a cache. */
    EXPECT2(("    system: disk\n    nodes: 4\n",
             "    system: disk\n    nodes: 4\n    cache: { for: archive, hit_ratio: 0.5 }\n"),
            "t.yaml:15:19: error: storage[0].cache.for: tier \"capacity\" is itself a cache (line "
            "21); caches do not chain");
    /* A tier has at most one cache. */
    EXPECT2(("    nodes: 1\n", "    nodes: 1\n    cache: { for: capacity, hit_ratio: 0.5 }\n"),
            "t.yaml:24:19: error: storage[2].cache.for: tier \"capacity\" already has a cache, "
            "\"hot\" (line 15); a tier has at most one");
    EXPECT2((", hit_ratio: 80%", ""),
            "t.yaml:15:12: error: storage[0].cache: missing required field \"hit_ratio\"");
    EXPECT2(("hit_ratio: 80%", "hit_ratio: 120%"),
            "t.yaml:15:40: error: storage[0].cache.hit_ratio: expected a value in [0, 1], got "
            "\"120%\"");
    EXPECT2(("cache: { for: capacity, hit_ratio: 80% }", "cache: capacity"),
            "t.yaml:15:12: error: storage[0].cache: expected a mapping such as { for: capacity, "
            "hit_ratio: 80% }, got \"capacity\"");
    EXPECT2(("to: archive", "to: hot"),
            "t.yaml:16:18: error: storage[0].drain.to: expected another tier; a tier cannot drain "
            "into itself");
    EXPECT2(("    nodes: 1\n", "    nodes: 1\n    drain: { to: capacity }\n"),
            "t.yaml:16:18: error: storage[0].drain.to: tier \"archive\" itself drains (line 24); "
            "drains do not chain");
    EXPECT2(("weight: 0.5 }", "weight: 0 }"),
            "t.yaml:16:35: error: storage[0].drain.weight: expected more than 0, got \"0\"");
    EXPECT2(("to: archive, ", "tO: archive, "),
            "t.yaml:16:12: error: storage[0].drain: missing required field \"to\"",
            "t.yaml:16:14: error: storage[0].drain: unknown key \"tO\"; did you mean \"to\"?");
    EXPECT2(("reserve: 20%", "reserve: 95%"),
            "t.yaml:17:14: error: storage[0].reserve: expected a value in [0, 0.9], got \"95%\"");
}

static void test_v2_fabric_errors(void)
{
    EXPECT2(("switch: sw-a", "switch: sw-c"),
            "t.yaml:26:13: error: fabric[0].switch: unknown switch \"sw-c\"; did you mean "
            "\"sw-a\"?");
    EXPECT2(("switch: sw-a", "switch: qm9700"),
            "t.yaml:26:13: error: fabric[0].switch: unknown switch \"qm9700\"; see \"aifsim "
            "catalog switches\"");
    EXPECT2(("  - name: front", "  - name: storage-net"),
            "t.yaml:31:11: error: fabric[1].name: duplicate fabric name \"storage-net\"; first "
            "defined at line 25");
    EXPECT2(("topology: rail", "topology: rails"),
            "t.yaml:27:15: error: fabric[0].topology: expected one of fat-tree, rail, got "
            "\"rails\"; did you mean \"rail\"?");
    EXPECT2(("oversubscription: 2:1", "oversubscription: 0.5"),
            "t.yaml:28:23: error: fabric[0].oversubscription: expected at least 1, got \"0.5\"");
    EXPECT2(("oversubscription: 2:1", "oversubscription: 65"),
            "t.yaml:28:23: error: fabric[0].oversubscription: expected at most 64, got \"65\"");
    EXPECT2(("oversubscription: 2:1", "oversubscription: 1:2"),
            "t.yaml:28:23: error: fabric[0].oversubscription: expected an oversubscription from 1 "
            "to 64 such as \"2\" or \"2:1\", got \"1:2\"");
    EXPECT2(("oversubscription: 2:1", "oversubscription: x:1"),
            "t.yaml:28:23: error: fabric[0].oversubscription: expected an oversubscription from 1 "
            "to 64 such as \"2\" or \"2:1\", got \"x:1\"");
    EXPECT2(("levels: 2", "levels: 4"),
            "t.yaml:29:13: error: fabric[0].levels: expected at most 3, got \"4\"");
    EXPECT2(("    switch: sw-b\n", ""),
            "t.yaml:31:5: error: fabric[1]: missing required field \"switch\"");
    EXPECT2(("[infer, archive]", "[]"),
            "t.yaml:33:15: error: fabric[1].connects: expected a list of pool and tier names such "
            "as [train, hot], got an empty list");
    EXPECT2(("[infer, archive]", "[infer, archiv]"),
            "t.yaml:33:23: error: fabric[1].connects[1]: unknown pool or tier \"archiv\"; did you "
            "mean \"archive\"?");
    EXPECT2(("[infer, archive]", "[infer, hot]"),
            "t.yaml:33:23: error: fabric[1].connects[1]: tier \"hot\" is already on fabric "
            "\"storage-net\" (line 30); a tier is on at most one fabric");
    EXPECT2(("[infer, archive]", "[train, archive]"),
            "t.yaml:33:16: error: fabric[1].connects: pool \"train\" is on two storage fabrics, "
            "\"storage-net\" and \"front\"; a pool joins at most one storage fabric (one that "
            "connects tiers) and one backend fabric (pools only)");
    /* A storage fabric and a backend fabric (pools only) may share a pool; a third may not. */
    EXPECT2(("[infer, archive]", "[train]\n  - name: third\n    switch: sw-b\n    connects: [train]"),
            "t.yaml:36:16: error: fabric[2].connects[0]: pool \"train\" is already on two fabrics "
            "(the second \"front\", line 33); a pool joins at most one storage fabric and one "
            "backend fabric");
    EXPECT2(("[infer, archive]", "[infer, archive, infer]"),
            "t.yaml:33:32: error: fabric[1].connects[2]: \"infer\" is listed twice (first at "
            "column 16)");
    EXPECT2(("    nodes: 1\n", "    nodes: 1\n  - tier: infer\n    system: disk\n    nodes: 1\n"),
            "t.yaml:36:16: error: fabric[1].connects[0]: \"infer\" is both a pool (line 8) and a "
            "tier (line 24); rename one");
    EXPECT2((fabrics_v2, "fabric: backend\n"),
            "t.yaml:24:9: error: fabric: expected a list of fabrics such as \"- { name: backend, "
            "switch: qm9700, connects: [train, hot] }\", got \"backend\"");
}

static void test_v2_workload_errors(void)
{
    EXPECT2(("  - burst:\n      name: ckpt", "  - brust:\n      name: ckpt"),
            "t.yaml:48:5: error: workloads[1]: unknown workload kind \"brust\"; did you mean "
            "\"burst\"?");
    EXPECT2(("      name: ckpt\n", "      name: train\n"),
            "t.yaml:49:13: error: workloads[1].burst.name: duplicate workload name \"train\"; "
            "first defined at line 36");
    EXPECT2(("      name: meta\n", "      name: features\n"),
            "t.yaml:71:13: error: workloads[4].lookup.name: duplicate workload name \"features\"; "
            "first defined at line 65");
    EXPECT2(("      name: load\n", "", "      every: 1 h\n", ""),
            "t.yaml:59:7: error: workloads[2].burst: missing required field \"name\"",
            "t.yaml:59:7: error: workloads[2].burst: missing required field \"every\"");
    EXPECT2(("      pool: train\n      tier: hot\n", "      pool: trian\n      tier: hot\n"),
            "t.yaml:50:13: error: workloads[1].burst.pool: unknown pool \"trian\"; did you mean "
            "\"train\"?");
    EXPECT2(("      direction: read\n", "      direction: read\n      keep: 2\n"),
            "t.yaml:62:13: error: workloads[2].burst.keep: keep applies to writes only; remove it "
            "or use direction: write");
    EXPECT2(("direction: read", "direction: up"),
            "t.yaml:61:18: error: workloads[2].burst.direction: expected one of write, read, got "
            "\"up\"");
    EXPECT2(("every: 30 min", "every: 0 s"),
            "t.yaml:53:14: error: workloads[1].burst.every: expected more than 0 s, got \"0 s\"");
    EXPECT2(("keep: 3", "keep: -1"),
            "t.yaml:56:13: error: workloads[1].burst.keep: expected a non-negative integer, got "
            "\"-1\"");
    EXPECT2(("op_size: 4 MiB", "op_size: 2 TB"),
            "t.yaml:55:16: error: workloads[1].burst.op_size: expected at most 1 TB, got \"2 "
            "TB\"");
    EXPECT2(("rate: 20000/s", "rate: 20000"),
            "t.yaml:67:13: error: workloads[3].lookup.rate: expected a rate such as*");
    EXPECT2(("size: 8 KiB", "size: 2 GB"),
            "t.yaml:68:13: error: workloads[3].lookup.size: expected at most 1 GB, got \"2 GB\"");
    EXPECT2(("slo: 5 ms", "slo: 2 h"),
            "t.yaml:69:12: error: workloads[3].lookup.slo: expected at most 1 h, got \"2 h\"");
    EXPECT2(("      rate: 2 k/s\n", "      rat: 2 k/s\n"),
            "t.yaml:71:7: error: workloads[4].lookup: missing required field \"rate\" (or "
            "\"arrivals\")",
            "t.yaml:73:7: error: workloads[4].lookup: unknown key \"rat\"; did you mean "
            "\"rate\"?");
    EXPECT2(("qos: { weight: 2 }", "qos: { weight: 0 }"),
            "t.yaml:39:22: error: workloads[0].train.qos.weight: expected more than 0, got \"0\"");
    EXPECT2(("qos: { weight: 0.5 }", "qos: 0.5"),
            "t.yaml:57:12: error: workloads[1].burst.qos: expected a mapping such as { weight: 2 "
            "}, got \"0.5\"");
}

static void test_v2_dataset_errors(void)
{
    EXPECT2(("        files: 5e5\n", ""),
            "t.yaml:41:9: error: workloads[0].train.dataset: missing required field \"size\" (or "
            "\"files\")");
    EXPECT2(("        files: 5e5\n", "        files: 5e5\n        size: 52 TB\n"),
            "t.yaml:45:16: error: workloads[0].train.dataset.files: files x samples_per_file x "
            "sample_size make 50 TB but size is 52 TB; they must agree within 1% (or give only "
            "one)");
    EXPECT2(("files: 5e5", "files: 0"),
            "t.yaml:45:16: error: workloads[0].train.dataset.files: expected a positive integer, "
            "got \"0\"");
    EXPECT2(("files: 5e5", "files: 1e15", "samples_per_file: 1000", "samples_per_file: 1e9"),
            "t.yaml:45:16: error: workloads[0].train.dataset.files: files x samples_per_file x "
            "sample_size make 1e14 PB; expected at most 1 EB");
    EXPECT2(("samples_per_file: 1000", "samples_per_file: 0.5"),
            "t.yaml:44:27: error: workloads[0].train.dataset.samples_per_file: expected a positive "
            "integer, got \"0.5\"");
    EXPECT2(("reader_threads: 8", "reader_threads: 5000"),
            "t.yaml:46:25: error: workloads[0].train.dataset.reader_threads: expected at most "
            "4096, got \"5000\"");
    EXPECT2(("sample_spread: 20 kB", "sample_spread: -1 B"),
            "t.yaml:43:24: error: workloads[0].train.dataset.sample_spread: expected at least 0 "
            "B, got \"-1 B\"");
}

/* Control characters (C0, DEL, C1) in names and references would reach a terminal raw: each is
 * refused at its place, naming the field; the neighbours of each range are accepted. */
static void test_control_characters(void)
{
#define CTRL(code, example)                                                                        \
    "control character U+" code " is not allowed; expected printable text "                        \
    "such as \"" example "\""
    EXPECT("name: test\n", "name: \"test\\e[31m\"\n",
           "t.yaml:2:7: error: name: " CTRL("001B", "llm-pretrain"));
    EXPECT("name: test\n", "name: \"a\\tb\"\n",
           "t.yaml:2:7: error: name: " CTRL("0009", "llm-pretrain"));
    EXPECT("name: test\n", "name: \"\\x1f\"\n",
           "t.yaml:2:7: error: name: " CTRL("001F", "llm-pretrain"));
    EXPECT("name: test\n", "name: \"a\\x7f\"\n",
           "t.yaml:2:7: error: name: " CTRL("007F", "llm-pretrain"));
    EXPECT("name: test\n", "name: \"a\\u0080\"\n",
           "t.yaml:2:7: error: name: " CTRL("0080", "llm-pretrain"));
    EXPECT("name: test\n", "name: \"a\\u009b[31m\"\n",
           "t.yaml:2:7: error: name: " CTRL("009B", "llm-pretrain"));
    EXPECT("name: test\n", "name: \"a\\u009f\"\n",
           "t.yaml:2:7: error: name: " CTRL("009F", "llm-pretrain"));
    EXPECT("  - pool: train\n", "  - pool: \"train\\a\"\n",
           "t.yaml:5:11: error: cluster[0].pool: " CTRL("0007", "train"));
    EXPECT("  - tier: hot\n", "  - tier: \"hot\\r\"\n",
           "t.yaml:9:11: error: storage[0].tier: " CTRL("000D", "train"));
    EXPECT("      pool: train\n", "      name: \"a\\x7fb\"\n      pool: train\n",
           "t.yaml:14:13: error: workloads[0].train.name: " CTRL("007F", "train"));
    EXPECT("    node: node-a\n", "    node: \"node-a\\n\"\n",
           "t.yaml:6:11: error: cluster[0].node: " CTRL("000A", "dgx-h100"));
    EXPECT("    system: flash\n", "    system: \"fla\\x1bsh\"\n",
           "t.yaml:10:13: error: storage[0].system: " CTRL("001B", "flash-qlc-node"));
    EXPECT("name: test\n", "name: test\nfacility: \"hyperscale\\x02\"\n",
           "t.yaml:3:11: error: facility: " CTRL("0002", "hyperscale"));
    EXPECT("    nodes: 4\n", "    nodes: 4\n    override: { gpu: \"gpu-a\\x01\" }\n",
           "t.yaml:8:22: error: cluster[0].override.gpu: " CTRL("0001", "h100-sxm"));
    /* References: the pool and tier exist, only the control character is wrong. */
    EXPECT("      pool: train\n", "      pool: \"train\\e\"\n",
           "t.yaml:14:13: error: workloads[0].train.pool: " CTRL("001B", "train"));
    EXPECT("{ tier: hot,", "{ tier: \"hot\\u009b\",",
           "t.yaml:17:24: error: workloads[0].train.dataset.tier: " CTRL("009B", "hot"));
    EXPECT_SET("name=\"x\\e\"", "--set:1:6: error: name: " CTRL("001B", "llm-pretrain"));
#undef CTRL

    /* Space, '~', U+00A0 and other printable text beside the refused ranges are accepted. */
    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_world_config w;
    char *text = edit("name: test\n", "name: \" ~\\u00a0\\u00ff\\u00e9t\\u00e9\"\n");
    CU_ASSERT_EQUAL(load(text, NULL, 0, arena, &w, d), AF_OK);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    CU_ASSERT_STRING_EQUAL(w.name, " ~\xc2\xa0\xc3\xbf\xc3\xa9t\xc3\xa9");
    af_free(text);
    af_arena_free(arena);
    af_diag_free(d);
}

static const af_test tests[] = {
    {"a valid scenario fills the config", test_valid_fills_config},
    {"overrides of fields, references and the facility", test_valid_overrides},
    {"derived step time with fp8 and a facility name", test_valid_fp8_and_facility_name},
    {"--set by name and index, adding fields", test_sets},
    {"--set arguments that do not parse", test_set_parse_errors},
    {"--set mistakes are reported at the argument", test_set_errors},
    {"wrong types", test_wrong_types},
    {"missing required fields", test_missing_fields},
    {"unknown keys and names, with did-you-mean", test_unknown_names},
    {"bad values: units, counts, ranges, limits", test_bad_values},
    {"structure: version, duplicates, exclusivity, kinds", test_structure_mistakes},
    {"several mistakes, one pass, document order", test_many_mistakes_one_pass},
    {"errors stop after 100", test_error_cap},
    {"an unreadable file is an I/O error", test_load_file},
    {"v2: every new field lands in the config", test_v2_fills_config},
    {"v2: defaults and derived data set figures", test_v2_defaults},
    {"v2: --set on fabrics, bursts, look-ups, tiers", test_v2_sets},
    {"v2: tier cache, drain and reserve mistakes", test_v2_tier_errors},
    {"v2: fabric mistakes", test_v2_fabric_errors},
    {"v2: burst, look-up and kind mistakes", test_v2_workload_errors},
    {"v2: data set mistakes", test_v2_dataset_errors},
    {"control characters in names and references", test_control_characters},
    {NULL, NULL},
};

AF_TEST_MAIN("scenario", tests)
