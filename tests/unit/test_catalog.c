/*
 * test_catalog: the real catalog ($AIFSIM_MODELS) loads whole and sourced; the test catalog in
 * tests/fixtures/models reads to the exact figures; broken catalog files (built in memory from
 * the test catalog with one edit) give the right message at the right place.
 */
#include "scenario/catalog.h"

#include "base/alloc.h"
#include "base/diag.h"

#include "cutest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *models_dir(void)
{
    const char *env = getenv("AIFSIM_MODELS");
    return env && *env ? af_strdup(env) : af_test_srcpath("models");
}

static void test_real_catalog(void)
{
    char *dir = models_dir();
    af_diag *d = af_diag_new();
    af_catalog *cat = af_catalog_load(dir, d);
    af_diag_print(d, stderr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cat);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    for (int s = 0; s < AF_SECTION__COUNT; s++) {
        const af_spec_desc *desc = af_schema_desc((af_section)s);
        CU_ASSERT_TRUE(af_catalog_count(cat, (af_section)s) > 0);
        CU_ASSERT_TRUE(af_catalog_section_ok(cat, (af_section)s));
        size_t n;
        const char *const *names = af_catalog_names(cat, (af_section)s, &n);
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < desc->nfields; k++) {
                const af_field *f = &desc->fields[k];
                const char *src = af_catalog_source(cat, (af_section)s, names[i], f->key);
                bool figure = f->kind == AF_FIELD_REAL || f->kind == AF_FIELD_INT;
                CU_ASSERT_EQUAL(src != NULL, figure);
                if (src)
                    CU_ASSERT_TRUE(strlen(src) > 0);
            }
    }
    /* The entries the documentation's examples use. */
    const af_gpu_spec *h100 = af_catalog_find_gpu(cat, "h100-sxm");
    const af_node_spec *dgx = af_catalog_find_node(cat, "dgx-h100");
    const af_link_spec *ndr = af_catalog_find_link(cat, "ib-ndr-400");
    CU_ASSERT_PTR_NOT_NULL_FATAL(h100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dgx);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ndr);
    CU_ASSERT_PTR_NOT_NULL(af_catalog_find_storage(cat, "flash-qlc-node"));
    CU_ASSERT_PTR_NOT_NULL(af_catalog_find_facility(cat, "hyperscale"));
    AF_ASSERT_REL(h100->bf16_flops, 989.4e12, 1e-12);
    /* The switches the fabric examples use, with the datasheet figures. */
    const af_switch_spec *qm9700 = af_catalog_find_switch(cat, "qm9700");
    CU_ASSERT_PTR_NOT_NULL_FATAL(qm9700);
    CU_ASSERT_EQUAL(qm9700->ports, 64);
    AF_ASSERT_REL(qm9700->port_rate_Bps, 50e9, 1e-12);
    CU_ASSERT_EQUAL(qm9700->typical_W, 747);
    CU_ASSERT_EQUAL(qm9700->max_W, 1720);
    CU_ASSERT_EQUAL(qm9700->rack_units, 1);
    const af_switch_spec *sn5600 = af_catalog_find_switch(cat, "sn5600");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sn5600);
    AF_ASSERT_REL(sn5600->port_rate_Bps, 100e9, 1e-12);
    CU_ASSERT_EQUAL(sn5600->rack_units, 2);
    const af_switch_spec *qm8790 = af_catalog_find_switch(cat, "qm8790");
    CU_ASSERT_PTR_NOT_NULL_FATAL(qm8790);
    CU_ASSERT_EQUAL(qm8790->ports, 40);
    AF_ASSERT_REL(qm8790->port_rate_Bps, 25e9, 1e-12);
    /* Storage devices have distinct read and write power (Exos X22: 9.4 / 6.4 W). */
    const af_storage_spec *hdd = af_catalog_find_storage(cat, "hdd-nearline-node");
    CU_ASSERT_PTR_NOT_NULL_FATAL(hdd);
    CU_ASSERT_EQUAL(hdd->device_read_W, 9.4);
    CU_ASSERT_EQUAL(hdd->device_write_W, 6.4);
    AF_ASSERT_REL(ndr->rate_Bps, 50e9, 1e-12);
    CU_ASSERT_EQUAL(ndr->kind, AF_LINK_INFINIBAND);
    /* Each GPU's host link (PCIe Gen5 x16: 32 GT/s x 16 lanes x 128/130 / 8 = 63.0 GB/s per
     * direction) and the A100's Gen4 link at half that; both as catalog link entries. */
    CU_ASSERT_STRING_EQUAL(dgx->host_link.name, "pcie-gen5-x16");
    CU_ASSERT_EQUAL(dgx->host_link.kind, AF_LINK_PCIE);
    AF_ASSERT_REL(dgx->host_link.rate_Bps, 63e9, 1e-12);
    AF_ASSERT_REL(dgx->host_link.rate_Bps, 32e9 * 16 * 128 / 130 / 8, 0.001);
    const af_node_spec *a100 = af_catalog_find_node(cat, "dgx-a100");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a100);
    CU_ASSERT_STRING_EQUAL(a100->host_link.name, "pcie-gen4-x16");
    AF_ASSERT_REL(a100->host_link.rate_Bps, 31.5e9, 1e-12);
    for (size_t i = 0; i < af_catalog_count(cat, AF_SECTION_NODES); i++) {
        const af_node_spec *node = af_catalog_entry(cat, AF_SECTION_NODES, i);
        CU_ASSERT_EQUAL(node->host_link.kind, AF_LINK_PCIE);
        CU_ASSERT_TRUE(node->host_link.rate_Bps > 0);
    }
    /* A node holds a copy of its GPU entry. */
    CU_ASSERT_STRING_EQUAL(dgx->gpu.name, h100->name);
    CU_ASSERT_EQUAL(dgx->gpu.bf16_flops, h100->bf16_flops);
    CU_ASSERT_EQUAL(dgx->gpu.tdp_W, h100->tdp_W);
    af_catalog_free(cat);
    af_diag_free(d);
    af_free(dir);
}

static void test_fixture_figures(void)
{
    char buf[64];
    char *dir = af_test_srcpath("tests/fixtures/models/");
    af_diag *d = af_diag_new();
    af_catalog *cat = af_catalog_load(dir, d);
    af_diag_print(d, stderr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cat);
    size_t n;
    const af_gpu_spec *gpus = af_catalog_gpus(cat, &n);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(gpus[0].name, "gpu-a");
    CU_ASSERT_STRING_EQUAL(gpus[0].description, "test GPU without FP8");
    CU_ASSERT_STRING_EQUAL(gpus[1].name, "gpu-b");
    AF_ASSERT_REL(gpus[0].bf16_flops, 100e12, 1e-15);
    CU_ASSERT_EQUAL(gpus[0].fp8_flops, 0);
    AF_ASSERT_REL(gpus[0].hbm_B, 80e9, 1e-15);
    AF_ASSERT_REL(gpus[0].hbm_Bps, 2e12, 1e-15);
    CU_ASSERT_EQUAL(gpus[0].tdp_W, 400);
    CU_ASSERT_EQUAL(gpus[0].idle_W, 50);
    CU_ASSERT_EQUAL(gpus[0].price_usd, 10000);
    CU_ASSERT_EQUAL(gpus[1].tdp_W, 1000);

    const af_link_spec *links = af_catalog_links(cat, &n);
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_EQUAL(links[0].kind, AF_LINK_ETHERNET);
    CU_ASSERT_EQUAL(links[1].kind, AF_LINK_INFINIBAND);
    CU_ASSERT_EQUAL(links[2].kind, AF_LINK_NVLINK);
    CU_ASSERT_EQUAL(links[3].kind, AF_LINK_PCIE);
    AF_ASSERT_REL(links[0].rate_Bps, 12.5e9, 1e-15);
    AF_ASSERT_REL(links[0].latency_s, 2e-6, 1e-15);

    const af_node_spec *node = af_catalog_find_node(cat, "node-a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(node);
    CU_ASSERT_STRING_EQUAL(node->nvlink.name, "nvl");
    AF_ASSERT_REL(node->nvlink.rate_Bps, 450e9, 1e-15);
    CU_ASSERT_STRING_EQUAL(node->host_link.name, "pci");
    CU_ASSERT_STRING_EQUAL(node->host_link.description, "GPU-to-host test link");
    AF_ASSERT_REL(node->host_link.rate_Bps, 63e9, 1e-15);
    AF_ASSERT_REL(node->host_link.latency_s, 1e-6, 1e-15);
    CU_ASSERT_STRING_EQUAL(node->gpu.name, "gpu-a");
    CU_ASSERT_EQUAL(node->gpus, 4);
    CU_ASSERT_EQUAL(node->nics, 4);
    CU_ASSERT_EQUAL(node->storage_nics, 1);
    CU_ASSERT_STRING_EQUAL(node->storage_nic.name, "net-100");
    AF_ASSERT_REL(af_node_storage_Bps(node), 12.5e9, 1e-15);
    CU_ASSERT_EQUAL(node->max_power_W, 3000);
    CU_ASSERT_EQUAL(node->rack_units, 4);

    const af_storage_spec *flash = af_catalog_find_storage(cat, "flash");
    const af_storage_spec *disk = af_catalog_find_storage(cat, "disk");
    CU_ASSERT_PTR_NOT_NULL_FATAL(flash);
    CU_ASSERT_PTR_NOT_NULL_FATAL(disk);
    CU_ASSERT_EQUAL(flash->media, AF_MEDIA_QLC);
    CU_ASSERT_EQUAL(disk->media, AF_MEDIA_HDD);
    CU_ASSERT_EQUAL(flash->devices, 10);
    AF_ASSERT_REL(flash->device_read_iops, 1e6, 1e-15);
    AF_ASSERT_REL(flash->device_latency_s, 100e-6, 1e-12);
    CU_ASSERT_EQUAL(flash->usable_fraction, 0.5);
    AF_ASSERT_REL(disk->usable_fraction, 0.8, 1e-15);
    AF_ASSERT_REL(af_storage_node_usable_B(flash), 50e12, 1e-15);
    AF_ASSERT_REL(af_storage_node_read_Bps(flash), 50e9, 1e-15);
    CU_ASSERT_STRING_EQUAL(flash->nic.name, "net-400");
    CU_ASSERT_EQUAL(flash->device_idle_W, 5);
    CU_ASSERT_EQUAL(flash->device_read_W, 15);
    CU_ASSERT_EQUAL(flash->device_write_W, 20);
    CU_ASSERT_EQUAL(disk->device_read_W, 10);
    CU_ASSERT_EQUAL(disk->device_write_W, 7);
    /* Flash die operations, in seconds; none on the disk. */
    AF_ASSERT_REL(flash->program_s, 1e-3, 1e-12);
    AF_ASSERT_REL(flash->erase_s, 4e-3, 1e-12);
    AF_ASSERT_REL(flash->program_suspend_s, 100e-6, 1e-12);
    CU_ASSERT_EQUAL(flash->erase_suspend_s, 0);
    CU_ASSERT_EQUAL(flash->programs_per_erase, 96);
    CU_ASSERT_EQUAL(disk->program_s + disk->erase_s + disk->programs_per_erase, 0);
    CU_ASSERT_STRING_EQUAL(af_catalog_source(cat, AF_SECTION_STORAGE, "disk",
                                             "device_write_power"),
                           "test");
    CU_ASSERT_PTR_NULL(af_catalog_source(cat, AF_SECTION_STORAGE, "disk", "device_active_power"));

    const af_switch_spec *sws = af_catalog_switches(cat, &n);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(sws[0].name, "sw-a");
    CU_ASSERT_STRING_EQUAL(sws[0].description, "64 x 400 Gb/s test switch");
    CU_ASSERT_EQUAL(sws[0].ports, 64);
    AF_ASSERT_REL(sws[0].port_rate_Bps, 50e9, 1e-15);
    CU_ASSERT_EQUAL(sws[0].typical_W, 700);
    CU_ASSERT_EQUAL(sws[0].max_W, 1700);
    CU_ASSERT_EQUAL(sws[0].rack_units, 1);
    CU_ASSERT_EQUAL(sws[0].price_usd, 30000);
    CU_ASSERT_EQUAL(sws[1].ports, 40);
    AF_ASSERT_REL(sws[1].port_rate_Bps, 25e9, 1e-15);
    CU_ASSERT_EQUAL(sws[1].price_usd, 0);
    CU_ASSERT_PTR_EQUAL(af_catalog_find_switch(cat, "sw-b"), &sws[1]);
    CU_ASSERT_PTR_EQUAL(af_catalog_find(cat, AF_SECTION_SWITCHES, "sw-a"), &sws[0]);
    CU_ASSERT_PTR_NULL(af_catalog_find_switch(cat, "sw-c"));
    CU_ASSERT_PTR_NULL(af_catalog_find_switch(cat, "gpu-a"));
    CU_ASSERT_STRING_EQUAL(af_catalog_source(cat, AF_SECTION_SWITCHES, "sw-b", "price"),
                           "test: unknown");
    CU_ASSERT_STRING_EQUAL(
        af_schema_format(af_schema_field(af_schema_desc(AF_SECTION_SWITCHES), "port_rate"),
                         &sws[0], buf, sizeof buf),
        "50 GB/s");

    const af_llm_spec *lms = af_catalog_llms(cat, &n);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_STRING_EQUAL(lms[0].name, "lm-a");
    CU_ASSERT_EQUAL(lms[0].params, 1e9);
    CU_ASSERT_EQUAL(lms[0].layers, 4);
    CU_ASSERT_EQUAL(lms[0].hidden, 1024);
    CU_ASSERT_EQUAL(lms[0].ffn, 4096);
    CU_ASSERT_EQUAL(lms[0].heads, 8);
    CU_ASSERT_EQUAL(lms[0].kv_heads, 2);
    CU_ASSERT_EQUAL(lms[0].head_dim, 128);
    CU_ASSERT_EQUAL(lms[0].vocab, 32000);
    CU_ASSERT_EQUAL(lms[0].context, 8192);
    CU_ASSERT_PTR_EQUAL(af_catalog_find_llm(cat, "lm-a"), &lms[0]);
    CU_ASSERT_PTR_NULL(af_catalog_find_llm(cat, "lm-b"));

    const af_mlperf_spec *mps = af_catalog_mlperf(cat, &n);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_STRING_EQUAL(mps[0].name, "bench-x");
    CU_ASSERT_EQUAL(mps[0].sample_B, 1e6);
    CU_ASSERT_EQUAL(mps[0].samples_per_file, 4);
    CU_ASSERT_EQUAL(mps[0].batch, 2);
    AF_ASSERT_REL(mps[0].compute_s, 0.1, 1e-15);
    CU_ASSERT_EQUAL(mps[0].reader_threads, 2);
    CU_ASSERT_EQUAL(mps[0].epochs, 3);
    AF_ASSERT_REL(mps[0].au_min, 0.9, 1e-15);
    CU_ASSERT_EQUAL(mps[0].min_steps, 10);
    CU_ASSERT_EQUAL(mps[0].memory_factor, 5);
    CU_ASSERT_PTR_EQUAL(af_catalog_find_mlperf(cat, "bench-x"), &mps[0]);
    CU_ASSERT_STRING_EQUAL(af_catalog_source(cat, AF_SECTION_MLPERF, "bench-x", "min_au"), "test");

    const af_facility_spec *fac = af_catalog_facilities(cat, &n);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(fac[0].name, "hyperscale");
    CU_ASSERT_EQUAL(fac[0].pue, 1.1);
    AF_ASSERT_REL(fac[0].energy_price_usd_J, 0.1 / 3.6e6, 1e-12);
    AF_ASSERT_REL(fac[0].amortization_s, 5 * 365 * 86400.0, 1e-12);
    AF_ASSERT_REL(fac[0].space_usd_s_per_rack, 2 / 3600.0, 1e-12);
    CU_ASSERT_EQUAL(fac[1].rack_power_W, 20000);

    /* Look-ups and sources. */
    CU_ASSERT_PTR_NULL(af_catalog_find_gpu(cat, "gpu-c"));
    CU_ASSERT_PTR_EQUAL(af_catalog_find(cat, AF_SECTION_GPUS, "gpu-b"), &gpus[1]);
    CU_ASSERT_PTR_EQUAL(af_catalog_entry(cat, AF_SECTION_GPUS, 1), &gpus[1]);
    CU_ASSERT_PTR_NULL(af_catalog_entry(cat, AF_SECTION_GPUS, 2));
    CU_ASSERT_STRING_EQUAL(af_catalog_source(cat, AF_SECTION_GPUS, "gpu-a", "fp8"), "test: none");
    CU_ASSERT_PTR_NULL(af_catalog_source(cat, AF_SECTION_LINKS, "net-100", "kind"));
    CU_ASSERT_PTR_NULL(af_catalog_source(cat, AF_SECTION_NODES, "node-a", "gpu"));
    CU_ASSERT_PTR_NULL(af_catalog_source(cat, AF_SECTION_NODES, "node-a", "host_link"));
    CU_ASSERT_PTR_NULL(af_catalog_source(cat, AF_SECTION_GPUS, "gpu-a", "tdpp"));
    CU_ASSERT_PTR_NULL(af_catalog_source(cat, AF_SECTION_GPUS, "gpu-c", "tdp"));

    /* The field table formats what it reads. */
    const af_spec_desc *desc = af_schema_desc(AF_SECTION_NODES);
    CU_ASSERT_STRING_EQUAL(af_schema_format(af_schema_field(desc, "gpu"), node, buf, sizeof buf),
                           "gpu-a");
    CU_ASSERT_STRING_EQUAL(af_schema_format(af_schema_field(desc, "gpus"), node, buf, sizeof buf),
                           "4");
    CU_ASSERT_STRING_EQUAL(
        af_schema_format(af_schema_field(desc, "host_link"), node, buf, sizeof buf), "pci");
    CU_ASSERT_STRING_EQUAL(
        af_schema_format(af_schema_field(af_schema_desc(AF_SECTION_LINKS), "kind"), &links[3], buf,
                         sizeof buf),
        "pcie");
    CU_ASSERT_STRING_EQUAL(
        af_schema_format(af_schema_field(af_schema_desc(AF_SECTION_LINKS), "kind"), &links[1], buf,
                         sizeof buf),
        "infiniband");
    af_catalog_free(cat);
    af_diag_free(d);
    af_free(dir);
}

/* ----------------------------------------------------------------------------------------------
 * Broken files: the test catalog in memory with one edit. */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char *buf = af_malloc_array(1 << 16, 1);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Loads the test catalog with `from` replaced by `to` in section sec (from must occur). */
static af_catalog *load_edited(af_section sec, const char *from, const char *to, af_diag *d)
{
    static const char *const files[] = {"gpus.yaml",     "links.yaml",    "nodes.yaml",
                                        "storage.yaml",  "facility.yaml", "switches.yaml",
                                        "llms.yaml",     "mlperf.yaml",   "servers.yaml"};
    _Static_assert(sizeof files / sizeof files[0] == AF_SECTION__COUNT, "one file per section");
    char *texts[AF_SECTION__COUNT];
    af_catalog_text src[AF_SECTION__COUNT];
    for (int s = 0; s < AF_SECTION__COUNT; s++) {
        char *rel = af_strfmt("tests/fixtures/models/%s", files[s]);
        char *path = af_test_srcpath(rel);
        texts[s] = read_all(path);
        af_free(path);
        af_free(rel);
        if (s == (int)sec && from) {
            char *at = strstr(texts[s], from);
            CU_ASSERT_PTR_NOT_NULL_FATAL(at);
            char *edited =
                af_strfmt("%.*s%s%s", (int)(at - texts[s]), texts[s], to, at + strlen(from));
            af_free(texts[s]);
            texts[s] = edited;
        }
        src[s] = (af_catalog_text){files[s], texts[s], strlen(texts[s])};
    }
    af_catalog *cat = af_catalog_parse(src, d);
    for (int s = 0; s < AF_SECTION__COUNT; s++)
        af_free(texts[s]);
    return cat;
}

/* Checks that the edit fails with exactly the messages want (NULL-terminated); a message ending
 * in '*' need only match up to there (for texts owned by the units parser). */
static void expect_edit(af_section sec, const char *from, const char *to, const char *const *want)
{
    af_diag *d = af_diag_new();
    af_catalog *cat = load_edited(sec, from, to, d);
    CU_ASSERT_PTR_NULL(cat);
    af_catalog_free(cat);
    size_t n = 0;
    while (want[n])
        n++;
    CU_ASSERT_EQUAL(af_diag_count(d), n);
    for (size_t i = 0; i < af_diag_count(d); i++) {
        char *got = af_diag_format(d, i);
        size_t len = i < n ? strlen(want[i]) : 0;
        bool prefix = len && want[i][len - 1] == '*';
        bool ok =
            i < n && (prefix ? strncmp(got, want[i], len - 1) == 0 : strcmp(got, want[i]) == 0);
        if (!ok)
            fprintf(stderr, "\n  got:  %s\n  want: %s\n", got, i < n ? want[i] : "(nothing)");
        CU_ASSERT_TRUE(ok);
        af_free(got);
    }
    af_diag_free(d);
}

#define EXPECT(sec, from, to, ...)                                                                 \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__, NULL};                                    \
        expect_edit(sec, from, to, want_);                                                         \
    } while (0)

static const char tdp[] = "tdp: { value: 400 W, source: \"test\" }";

static void test_broken_figures(void)
{
    af_diag *d = af_diag_new();
    af_catalog *cat = load_edited(AF_SECTION_GPUS, NULL, NULL, d);
    CU_ASSERT_PTR_NOT_NULL(cat);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_catalog_free(cat);
    af_diag_free(d);

    EXPECT(AF_SECTION_GPUS, tdp, "tdp: { value: 400 W }",
           "gpus.yaml:10:10: error: gpus[0].tdp: missing required field \"source\"");
    EXPECT(AF_SECTION_GPUS, tdp, "tdp: 400 W",
           "gpus.yaml:10:10: error: gpus[0].tdp: expected { value: <quantity>, source: \"<where "
           "it comes from>\" } (every catalog figure has a source), got \"400 W\"");
    EXPECT(AF_SECTION_GPUS, tdp, "tdp: { value: 400 W, source: \"\" }",
           "gpus.yaml:10:34: error: gpus[0].tdp.source: expected a source such as \"datasheet\", "
           "got nothing");
    EXPECT(AF_SECTION_GPUS, tdp, "tdp: { value: 400 W, source: x, year: 2024 }",
           "gpus.yaml:10:37: error: gpus[0].tdp: unknown key \"year\"; expected one of: value, "
           "source");
    EXPECT(AF_SECTION_GPUS, "hbm_bandwidth: { value: 2 TB/s", "hbm_bandwidth: { value: 2 TB",
           "gpus.yaml:9:29: error: gpus[0].hbm_bandwidth: expected a bandwidth such as*");
    EXPECT(AF_SECTION_GPUS, "hbm: { value: 80 GB", "hbm: { value: 80",
           "gpus.yaml:8:19: error: gpus[0].hbm: expected a size such as*");
    EXPECT(AF_SECTION_GPUS, "bf16: { value: 100 TFLOP/s", "bf16: { value: nan TFLOP/s",
           "gpus.yaml:6:20: error: gpus[0].bf16: expected a FLOP rate*");
    EXPECT(AF_SECTION_GPUS, "bf16: { value: 100 TFLOP/s", "bf16: { value: 0 TFLOP/s",
           "gpus.yaml:6:20: error: gpus[0].bf16: expected at least 1 GFLOP/s, got \"0 TFLOP/s\"");
    EXPECT(AF_SECTION_GPUS, tdp, "tdp: { value: 400 kW, source: x }",
           "gpus.yaml:10:19: error: gpus[0].tdp: expected at most 100 kW, got \"400 kW\"");
    EXPECT(AF_SECTION_GPUS, "idle_power: { value: 50 W", "idle_power: { value: 500 W",
           "gpus.yaml:11:26: error: gpus[0].idle_power: expected at most tdp (400 W), got 500 W");
    EXPECT(AF_SECTION_STORAGE, "usable_fraction: { value: 0.5", "usable_fraction: { value: 1.5",
           "storage.yaml:19:31: error: storage[0].usable_fraction: expected a value in (0, 1], "
           "got \"1.5\"");
    EXPECT(AF_SECTION_STORAGE, "devices: { value: 10,", "devices: { value: ten,",
           "storage.yaml:7:23: error: storage[0].devices: expected a positive integer, got "
           "\"ten\"");
    EXPECT(AF_SECTION_NODES, "nics: { value: 4,", "nics: { value: 2.5,",
           "nodes.yaml:9:20: error: nodes[0].nics: expected a non-negative integer, got \"2.5\"");
}

static void test_broken_entries(void)
{
    EXPECT(AF_SECTION_NODES, "gpu: gpu-a", "gpu: gpu-c",
           "nodes.yaml:6:10: error: nodes[0].gpu: unknown gpu \"gpu-c\"; did you mean \"gpu-a\"?");
    EXPECT(AF_SECTION_NODES, "gpu: gpu-a", "gpu: h100",
           "nodes.yaml:6:10: error: nodes[0].gpu: unknown gpu \"h100\"; see \"aifsim catalog "
           "gpus\"");
    /* A control character in a reference is refused as in a scenario, not reported raw. */
    EXPECT(AF_SECTION_NODES, "gpu: gpu-a", "gpu: \"gpu-a\\e\"",
           "nodes.yaml:6:10: error: nodes[0].gpu: control character U+001B is not allowed; "
           "expected printable text such as \"h100-sxm\"");
    EXPECT(AF_SECTION_STORAGE, "nic: net-400", "nic: { rate: 1 GB/s }",
           "storage.yaml:17:10: error: storage[0].nic: expected a link name such as "
           "\"ib-ndr-400\", got a mapping");
    EXPECT(AF_SECTION_LINKS, "kind: ethernet", "kind: ethernt",
           "links.yaml:6:11: error: links[0].kind: expected one of infiniband, ethernet, nvlink, "
           "pcie, got \"ethernt\"; did you mean \"ethernet\"?");
    /* The host link names a link entry like nvlink: a typo, a name from another section, a
     * missing one (every node field is required in the catalog) and a mapping. */
    EXPECT(AF_SECTION_NODES, "host_link: pci\n", "host_link: pic\n",
           "nodes.yaml:18:16: error: nodes[0].host_link: unknown link \"pic\"; did you mean "
           "\"pci\"?");
    EXPECT(AF_SECTION_NODES, "host_link: pci\n", "host_link: pcie-gen5-x16\n",
           "nodes.yaml:18:16: error: nodes[0].host_link: unknown link \"pcie-gen5-x16\"; see "
           "\"aifsim catalog links\"");
    EXPECT(AF_SECTION_NODES, "    host_link: pci\n", "",
           "nodes.yaml:4:5: error: nodes[0]: missing required field \"host_link\"");
    EXPECT(AF_SECTION_NODES, "host_link: pci\n", "host_link: { rate: 63 GB/s }\n",
           "nodes.yaml:18:16: error: nodes[0].host_link: expected a link name such as "
           "\"ib-ndr-400\", got a mapping");
    EXPECT(AF_SECTION_GPUS, tdp, "tdpp: { value: 400 W, source: x }",
           "gpus.yaml:4:5: error: gpus[0]: missing required field \"tdp\"",
           "gpus.yaml:10:5: error: gpus[0]: unknown key \"tdpp\"; did you mean \"tdp\"?");
    EXPECT(AF_SECTION_GPUS, "name: gpu-a", "name: GPU A",
           "gpus.yaml:4:11: error: gpus[0].name: expected a kebab-case name (lower-case words "
           "joined by \"-\") such as \"h100-sxm\", got \"GPU A\"");
    EXPECT(AF_SECTION_GPUS, "name: gpu-b", "name: gpu-a",
           "gpus.yaml:16:11: error: gpus[1].name: duplicate gpu name \"gpu-a\"; first defined at "
           "line 4");
    EXPECT(AF_SECTION_GPUS, "    description: \"test GPU without FP8\"\n", "",
           "gpus.yaml:4:5: error: gpus[0]: missing required field \"description\"");
    EXPECT(AF_SECTION_FACILITY, "aifsim-catalog: 1", "aifsim-catalog: 2",
           "facility.yaml:2:17: error: aifsim-catalog: expected catalog format 1, got \"2\"");
    EXPECT(AF_SECTION_FACILITY, "facility:", "facilities:",
           "facility.yaml:2:1: error: missing required field \"facility\"",
           "facility.yaml:3:1: error: unknown key \"facilities\"; did you mean \"facility\"?");
    EXPECT(AF_SECTION_FACILITY, "facility:\n", "facility: []\nunused:\n",
           "facility.yaml:3:11: error: facility: expected 1 to 1000 entries, got 0",
           "facility.yaml:4:1: error: unknown key \"unused\"; expected one of: aifsim-catalog, "
           "facility");
}

static void test_broken_files(void)
{
    /* A file that does not parse: its own error only, no "unknown gpu" in nodes.yaml. */
    EXPECT(AF_SECTION_GPUS, "gpus:\n", "gpus:\n\t",
           "gpus.yaml:4:1: error: YAML syntax: found character that cannot start any token (a "
           "tab: YAML indents with spaces only)");
    EXPECT(AF_SECTION_GPUS, "aifsim-catalog: 1\ngpus:", "- a\n- b\n- c:",
           "gpus.yaml:2:1: error: expected a mapping with \"aifsim-catalog: 1\" and \"gpus:\", "
           "got a list");
    /* A directory that is not there is one error; files missing from one are one each, all
     * reported. */
    af_diag *d = af_diag_new();
    CU_ASSERT_PTR_NULL(af_catalog_load("/nonexistent", d));
    char *msg = af_diag_format(d, 0);
    CU_ASSERT_EQUAL(af_diag_count(d), 1);
    CU_ASSERT_STRING_EQUAL(msg, "/nonexistent: error: cannot open the model catalog: No such "
                                "file or directory; point --models or AIFSIM_MODELS at the "
                                "models/ folder");
    af_free(msg);
    af_diag_clear(d);
    char *fixtures = af_test_srcpath("tests/fixtures");
    CU_ASSERT_PTR_NULL(af_catalog_load(fixtures, d));
    CU_ASSERT_EQUAL(af_diag_count(d), AF_SECTION__COUNT);
    msg = af_diag_format(d, AF_SECTION__COUNT - 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fixtures/servers.yaml: error: cannot open: No such file "
                                       "or directory"));
    af_free(msg);
    af_free(fixtures);
    af_diag_free(d);
}

static const char port_rate[] = "port_rate: { value: 400 Gb/s, source: \"test\" }";

/* The switch section: figures need sources and units, cross-field and range checks apply. */
static void test_broken_switches(void)
{
    EXPECT(AF_SECTION_SWITCHES, port_rate, "port_rate: { value: 400 Gb/s }",
           "switches.yaml:7:16: error: switches[0].port_rate: missing required field \"source\"");
    EXPECT(AF_SECTION_SWITCHES, port_rate, "port_rate: 400 Gb/s",
           "switches.yaml:7:16: error: switches[0].port_rate: expected { value: <quantity>, "
           "source: \"<where it comes from>\" } (every catalog figure has a source), got "
           "\"400 Gb/s\"");
    /* A size where a rate belongs, and a rate without "/s". */
    EXPECT(AF_SECTION_SWITCHES, port_rate, "port_rate: { value: 400 GB, source: x }",
           "switches.yaml:7:25: error: switches[0].port_rate: expected a bandwidth such as*");
    EXPECT(AF_SECTION_SWITCHES, port_rate, "port_rate: { value: 400 Gb, source: x }",
           "switches.yaml:7:25: error: switches[0].port_rate: expected a bandwidth such as*");
    EXPECT(AF_SECTION_SWITCHES, port_rate, "port_rate: { value: 400, source: x }",
           "switches.yaml:7:25: error: switches[0].port_rate: expected a bandwidth such as*");
    EXPECT(AF_SECTION_SWITCHES, "ports: { value: 64,", "ports: { value: 1,",
           "switches.yaml:6:21: error: switches[0].ports: expected an integer of at least 2, got "
           "\"1\"");
    EXPECT(AF_SECTION_SWITCHES, "max_power: { value: 1.7 kW", "max_power: { value: 500 W",
           "switches.yaml:8:29: error: switches[0].typical_power: expected at most max_power "
           "(500 W), got 700 W");
    EXPECT(AF_SECTION_SWITCHES, "name: sw-b", "name: sw-a",
           "switches.yaml:12:11: error: switches[1].name: duplicate switch name \"sw-a\"; first "
           "defined at line 4");
    EXPECT(AF_SECTION_SWITCHES, "    rack_units: { value: 1, source: \"test\" }\n", "",
           "switches.yaml:4:5: error: switches[0]: missing required field \"rack_units\"");
    /* Every price carries the month it was quoted, checked as a date. */
    EXPECT(AF_SECTION_SWITCHES, ", date: 2024-12 }", " }",
           "switches.yaml:11:12: error: switches[0].price: missing required field \"date\"");
    EXPECT(AF_SECTION_SWITCHES, ", date: 2024-12 }", ", date: 2024-13 }",
           "switches.yaml:11:54: error: switches[0].price.date: expected the month the price was "
           "quoted, such as \"2024-12\" (YYYY-MM or YYYY-MM-DD), got \"2024-13\"");
    EXPECT(AF_SECTION_SWITCHES, ", date: 2024-12 }", ", date: last year }",
           "switches.yaml:11:54: error: switches[0].price.date: expected the month*");
    /* A date is for prices only. */
    EXPECT(AF_SECTION_SWITCHES, "rack_units: { value: 1, source: \"test\" }",
           "rack_units: { value: 1, source: \"test\", date: 2024-12 }",
           "switches.yaml:10:45: error: switches[0].rack_units: unknown key \"date\"; expected one "
           "of: value, source");
    /* The old storage power key is gone, with a hint to the new ones. */
    EXPECT(AF_SECTION_STORAGE, "device_write_power: { value: 7 W",
           "device_active_power: { value: 7 W",
           "storage.yaml:32:5: error: storage[1]: missing required field \"device_write_power\"",
           "storage.yaml:44:5: error: storage[1]: unknown key \"device_active_power\"; did you "
           "mean \"device_write_power\"?");
    EXPECT(AF_SECTION_STORAGE, "device_write_power: { value: 7 W",
           "device_write_power: { value: 4 W",
           "storage.yaml:42:33: error: storage[1].device_idle_power: expected at most "
           "device_write_power (4 W), got 5 W");
}

/* The language models' section: whole numbers, ranges, and no more KV heads than heads. */
static void test_broken_llms(void)
{
    EXPECT(AF_SECTION_LLMS, "kv_heads: { value: 2,", "kv_heads: { value: 16,",
           "llms.yaml:11:24: error: llms[0].kv_heads: expected at most heads (8), got 16");
    EXPECT(AF_SECTION_LLMS, "layers: { value: 4,", "layers: { value: 0,",
           "llms.yaml:7:22: error: llms[0].layers: expected a positive integer, got \"0\"");
    EXPECT(AF_SECTION_LLMS, "head_dim: { value: 128,", "head_dim: { value: 12.5,",
           "llms.yaml:12:24: error: llms[0].head_dim: expected a positive integer, got "
           "\"12.5\"");
    EXPECT(AF_SECTION_LLMS, "    context: { value: 8192, source: \"test\" }\n", "",
           "llms.yaml:4:5: error: llms[0]: missing required field \"context\"");
}

static const af_test tests[] = {
    {"the real catalog loads, every figure sourced", test_real_catalog},
    {"the test catalog reads to exact figures", test_fixture_figures},
    {"broken figures: source, units, ranges, cross-field", test_broken_figures},
    {"broken entries: references, words, keys, names", test_broken_entries},
    {"broken files: syntax, shape, missing files", test_broken_files},
    {"broken switches: sources, units, ranges", test_broken_switches},
    {"broken language models: integers, ranges, heads", test_broken_llms},
    {NULL, NULL},
};

AF_TEST_MAIN("catalog", tests)
