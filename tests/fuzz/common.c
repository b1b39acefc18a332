/*
 * fuzz common: the catalog, the fixed scenario and the invariant checks the harnesses share; see
 * fuzz.h.
 */
#include "fuzz.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "scenario/schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AF_FUZZ_MODELS
#define AF_FUZZ_MODELS "models"
#endif

const char af_fuzz_scenario[] =
    "aifsim: 1\n"
    "name: fuzz\n"
    "description: the fixed scenario of the fuzz harnesses\n"
    "seed: 7\n"
    "duration: 2 h\n"
    "max_events: 1e6\n"
    "facility: { preset: colocation, pue: 1.3, energy_price: 0.12 USD/kWh }\n"
    "cluster:\n"
    "  - pool: llm\n"
    "    node: dgx-h100\n"
    "    nodes: 4\n"
    "    override: { storage_nics: 2, storage_nic: ib-ndr-400, gpu: { tdp: 650 W } }\n"
    "  - pool: vit\n"
    "    node: dgx-a100\n"
    "    nodes: 2\n"
    "storage:\n"
    "  - tier: hot\n"
    "    system: flash-qlc-node\n"
    "    nodes: 2\n"
    "    override: { nics: 4, nic: { rate: 200 Gb/s } }\n"
    "  - tier: cold\n"
    "    system: hdd-nearline-node\n"
    "    nodes: 1\n"
    "workloads:\n"
    "  - train:\n"
    "      name: llm-70b\n"
    "      pool: llm\n"
    "      model: { params: 70e9 }\n"
    "      tokens_per_step: 4Mi\n"
    "      mfu: 40%\n"
    "      precision: fp8\n"
    "      batch_per_gpu: 4\n"
    "      dataset: { tier: hot, size: 60 TB, sample_size: 16 KiB, prefetch: 2 }\n"
    "  - train:\n"
    "      pool: vit\n"
    "      step_time: 250 ms\n"
    "      batch_per_gpu: 256\n"
    "      dataset: { tier: cold, size: 50 TB, sample_size: 110 kB }\n";

static af_catalog *af_fuzz_cat;

static void af_fuzz_free_catalog(void)
{
    af_catalog_free(af_fuzz_cat);
    af_fuzz_cat = NULL;
}

const af_catalog *af_fuzz_catalog(void)
{
    if (af_fuzz_cat)
        return af_fuzz_cat;
    const char *dir = getenv("AIFSIM_MODELS");
    if (!dir || !*dir)
        dir = AF_FUZZ_MODELS;
    af_diag *d = af_diag_new();
    af_fuzz_cat = af_catalog_load(dir, d);
    if (!af_fuzz_cat) {
        af_diag_print(d, stderr);
        fprintf(stderr, "fuzz: cannot load the model catalog from %s; set AIFSIM_MODELS\n", dir);
        exit(2);
    }
    af_diag_free(d);
    atexit(af_fuzz_free_catalog);
    return af_fuzz_cat;
}

/* Reports a broken invariant and aborts, so that libFuzzer saves the input. */
static void af_fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void af_fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: broken invariant: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static void af_fuzz_range(const char *what, double v, double lo, double hi, bool lo_open)
{
    if (!isfinite(v) || v < lo || v > hi || (lo_open && v == lo))
        af_fuzz_fail("%s = %g, outside %s%g, %g]", what, v, lo_open ? "(" : "[", lo, hi);
}

/* Checks one spec of section sec against the field table, embedded specs included. */
static void af_fuzz_check_spec(af_section sec, const void *spec, const char *owner)
{
    const af_spec_desc *desc = af_schema_desc(sec);
    const char *name = *(const char *const *)(const void *)((const char *)spec + desc->name_offset);
    if (!name)
        af_fuzz_fail("%s: a %s without a name", owner, desc->noun);
    for (size_t i = 0; i < desc->nfields; i++) {
        const af_field *f = &desc->fields[i];
        const void *member = (const char *)spec + f->offset;
        char what[256];
        snprintf(what, sizeof what, "%s: %s %s.%s", owner, desc->noun, name, f->key);
        switch (f->kind) {
        case AF_FIELD_REAL:
        case AF_FIELD_INT:
            af_fuzz_range(what, af_schema_value(f, spec), f->range.min, f->range.max,
                          f->range.min_open);
            break;
        case AF_FIELD_ENUM: {
            int v = *(const int *)member, n = 0;
            while (f->words[n])
                n++;
            if (v < 0 || v >= n)
                af_fuzz_fail("%s = %d, not an enum index below %d", what, v, n);
            break;
        }
        case AF_FIELD_REF:
            af_fuzz_check_spec(f->ref, member, what);
            break;
        }
    }
    for (size_t i = 0; i < desc->norders; i++) {
        const af_field *lo = af_schema_field(desc, desc->orders[i].lo);
        const af_field *hi = af_schema_field(desc, desc->orders[i].hi);
        if (lo && hi && af_schema_value(lo, spec) > af_schema_value(hi, spec))
            af_fuzz_fail("%s: %s %s: %s above %s", owner, desc->noun, name, lo->key, hi->key);
    }
}

void af_fuzz_check_catalog(const af_catalog *cat)
{
    for (int sec = 0; sec < AF_SECTION__COUNT; sec++) {
        size_t n = af_catalog_count(cat, (af_section)sec);
        if (n == 0 || n > AF_CATALOG_MAX_ENTRIES || !af_catalog_section_ok(cat, (af_section)sec))
            af_fuzz_fail("catalog section %s: %zu entries", af_schema_desc((af_section)sec)->key, n);
        size_t nn;
        const char *const *names = af_catalog_names(cat, (af_section)sec, &nn);
        for (size_t i = 0; i < n; i++) {
            const void *e = af_catalog_entry(cat, (af_section)sec, i);
            af_fuzz_check_spec((af_section)sec, e, "catalog");
            if (af_catalog_find(cat, (af_section)sec, names[i]) == NULL)
                af_fuzz_fail("catalog: \"%s\" listed but not found", names[i]);
            for (size_t j = 0; j < i; j++)
                if (strcmp(names[i], names[j]) == 0)
                    af_fuzz_fail("catalog: \"%s\" twice", names[i]);
        }
    }
    /* The typed accessors of the newest section agree with the generic ones. */
    size_t nsw;
    const af_switch_spec *sw = af_catalog_switches(cat, &nsw);
    if (nsw != af_catalog_count(cat, AF_SECTION_SWITCHES) ||
        (const void *)sw != af_catalog_entry(cat, AF_SECTION_SWITCHES, 0))
        af_fuzz_fail("catalog: af_catalog_switches disagrees with af_catalog_entry");
    for (size_t i = 0; i < nsw; i++)
        if (af_catalog_find_switch(cat, sw[i].name) != &sw[i] || sw[i].ports < 2 ||
            sw[i].typical_W > sw[i].max_W)
            af_fuzz_fail("catalog: switch \"%s\" not found or out of range", sw[i].name);
}

/* Checks that the n names (at stride bytes apart) are set and unique. */
static void af_fuzz_unique(const char *what, const void *first, size_t n, size_t stride)
{
    for (size_t i = 0; i < n; i++) {
        const char *a = *(const char *const *)(const void *)((const char *)first + i * stride);
        if (!a || !*a)
            af_fuzz_fail("%s[%zu] has no name", what, i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(a, *(const char *const *)(const void *)((const char *)first +
                                                                j * stride)) == 0)
                af_fuzz_fail("%s[%zu]: name \"%s\" twice", what, i, a);
    }
}

/* Inference service i keeps scenario.h's promises: its pool, replicas within the pool's GPUs,
 * its figures in their ranges, its tiers valid. */
static void af_fuzz_check_infer(const af_world_config *cfg, size_t i)
{
    const af_infer_config *c = &cfg->infers[i];
    if (!c->name || !*c->name || c->pool >= cfg->npools)
        af_fuzz_fail("inference %zu: pool %zu of %zu", i, c->pool, cfg->npools);
    const af_pool_config *pc = &cfg->pools[c->pool];
    af_fuzz_range("replicas", (double)c->replicas, 1, 1e6, false);
    af_fuzz_range("gpus_per_replica", (double)c->gpus_per_replica, 1, 1024, false);
    if ((double)c->replicas * (double)c->gpus_per_replica > (double)pc->nodes * pc->node.gpus)
        af_fuzz_fail("inference %s: %lld replicas of %lld GPUs on %lld nodes of %d", c->name,
                     (long long)c->replicas, (long long)c->gpus_per_replica,
                     (long long)pc->nodes, pc->node.gpus);
    if (!c->arrivals.trace_s)
        af_fuzz_range("inference rate", c->arrivals.rate_per_s, 0, 1e9, true);
    af_fuzz_range("inference slo", c->slo_s, 0, 3600, false);
    af_fuzz_range("queue_limit", c->queue_limit, 0, 1e6, false);
    if (c->llm.on) {
        const af_llm_serve_config *l = &c->llm;
        af_fuzz_range("mfu", l->mfu, 0, 1, true);
        af_fuzz_range("mbu", l->mbu, 0, 1, true);
        af_fuzz_range("memory", l->mem_fraction, 0, 1, true);
        af_fuzz_range("prompt", l->prompt_tokens, 1, 1e7, false);
        af_fuzz_range("output", l->output_tokens, 1, 1e7, false);
        af_fuzz_range("max_batch", l->max_batch, 0, 65536, false);
        af_fuzz_range("turns", l->turns, 1, 1e4, false);
        af_fuzz_range("think", l->think_s, 0, 100 * 365.0 * 86400, true);
        af_fuzz_range("ttft", l->ttft_slo_s, 0, 3600, false);
        af_fuzz_range("tpot", l->tpot_slo_s, 0, 3600, false);
        if (l->nkv > AF_KV_MAX_TIERS)
            af_fuzz_fail("inference %s: %zu KV tiers", c->name, l->nkv);
        for (size_t k = 0; k < l->nkv; k++) {
            const af_kv_tier_config *t = &l->kv_tiers[k];
            af_fuzz_range("kv capacity", t->capacity_B, 1, 1e18, false);
            if (t->where == AF_KV_TIER ? t->tier >= cfg->ntiers
                                       : t->tier != AF_WORLD_NONE || !(t->bandwidth_Bps >= 1))
                af_fuzz_fail("inference %s: KV tier %zu (tier %zu)", c->name, k, t->tier);
        }
        return;
    }
    if (c->feature_tier != AF_WORLD_NONE && c->feature_tier >= cfg->ntiers)
        af_fuzz_fail("inference %s: feature tier %zu of %zu", c->name, c->feature_tier,
                     cfg->ntiers);
    af_fuzz_range("feature reads", c->feature_reads, 0, 1e5, false);
    af_fuzz_range("feature size", c->feature_B, 1, 1e9, false);
    af_fuzz_range("batch max", c->max_batch, 1, 65536, false);
    af_fuzz_range("batch wait", c->max_wait_s, 0, 3600, false);
    af_fuzz_range("service time", c->service_s, 0, 3600, false);
    af_fuzz_range("per_request", c->per_request_s, 0, 3600, false);
    if (!(c->service_s + c->per_request_s > 0))
        af_fuzz_fail("inference %s: a batch takes no time", c->name);
}

void af_fuzz_check_config(const af_world_config *cfg)
{
    if (!cfg->name || !*cfg->name)
        af_fuzz_fail("the scenario has no name");
    af_fuzz_range("duration", cfg->duration_s, 0, 100 * 365.0 * 86400, true);
    af_fuzz_range("max_events", (double)cfg->max_events, 0, 1e15, false);
    af_fuzz_check_spec(AF_SECTION_FACILITY, &cfg->facility, "facility");
    size_t nwork = cfg->ntrains + cfg->nbursts + cfg->nlookups + cfg->ninfers + cfg->ningests +
                   cfg->nflywheels;
    if (cfg->npools < 1 || cfg->npools > 1000 || cfg->ntiers < 1 || cfg->ntiers > 1000 ||
        nwork < 1 || nwork > 1000 || cfg->nfabrics > 16)
        af_fuzz_fail("%zu pools, %zu tiers, %zu workloads, %zu fabrics", cfg->npools, cfg->ntiers,
                     nwork, cfg->nfabrics);
    af_fuzz_unique("cluster", &cfg->pools[0].name, cfg->npools, sizeof cfg->pools[0]);
    af_fuzz_unique("storage", &cfg->tiers[0].name, cfg->ntiers, sizeof cfg->tiers[0]);
    if (cfg->ntrains)
        af_fuzz_unique("workloads", &cfg->trains[0].name, cfg->ntrains, sizeof cfg->trains[0]);
    for (size_t i = 0; i < cfg->npools; i++) {
        af_fuzz_range("pool nodes", (double)cfg->pools[i].nodes, 1, 1e6, false);
        af_fuzz_check_spec(AF_SECTION_NODES, &cfg->pools[i].node, "pool");
    }
    for (size_t i = 0; i < cfg->ntiers; i++) {
        const af_tier_config *t = &cfg->tiers[i];
        af_fuzz_range("tier nodes", (double)t->nodes, 1, 1e6, false);
        af_fuzz_check_spec(AF_SECTION_STORAGE, &t->system, "tier");
        af_fuzz_range("reserve", t->reserve, 0, 0.9, false);
        if (t->cache_for != AF_WORLD_NONE) {
            if (t->cache_for >= cfg->ntiers || t->cache_for == i ||
                cfg->tiers[t->cache_for].cache_for != AF_WORLD_NONE)
                af_fuzz_fail("tier %zu caches tier %zu", i, t->cache_for);
            af_fuzz_range("hit_ratio", t->hit_ratio, 0, 1, false);
            for (size_t k = 0; k < i; k++)
                if (cfg->tiers[k].cache_for == t->cache_for)
                    af_fuzz_fail("tiers %zu and %zu cache tier %zu", k, i, t->cache_for);
        }
        if (t->drain_to != AF_WORLD_NONE) {
            if (t->drain_to >= cfg->ntiers || t->drain_to == i ||
                cfg->tiers[t->drain_to].drain_to != AF_WORLD_NONE)
                af_fuzz_fail("tier %zu drains to tier %zu", i, t->drain_to);
            af_fuzz_range("drain weight", t->drain_weight, 0, 1e6, true);
        }
    }
    for (size_t f = 0; f < cfg->nfabrics; f++) {
        const af_fabric_config *fc = &cfg->fabrics[f];
        if (fc->npools + fc->ntiers < 1 || fc->npools + fc->ntiers > 16)
            af_fuzz_fail("fabric %zu connects %zu", f, fc->npools + fc->ntiers);
        for (size_t i = 0; i < fc->npools; i++)
            if (fc->pools[i] >= cfg->npools)
                af_fuzz_fail("fabric %zu: pool %zu of %zu", f, fc->pools[i], cfg->npools);
        for (size_t i = 0; i < fc->ntiers; i++)
            if (fc->tiers[i] >= cfg->ntiers)
                af_fuzz_fail("fabric %zu: tier %zu of %zu", f, fc->tiers[i], cfg->ntiers);
        af_fuzz_range("oversubscription", fc->spec.oversubscription, 1, 64, false);
        af_fuzz_range("levels", fc->spec.levels, 0, 3, false);
        af_fuzz_check_spec(AF_SECTION_SWITCHES, &fc->spec.sw, "switch");
    }
    for (size_t i = 0; i < cfg->nbursts; i++) {
        const af_burst_config *b = &cfg->bursts[i];
        if (!b->name || !*b->name || b->tier >= cfg->ntiers ||
            (b->pool != AF_WORLD_NONE && b->pool >= cfg->npools))
            af_fuzz_fail("burst %zu: tier %zu, pool %zu", i, b->tier, b->pool);
        af_fuzz_range("burst size", b->size_B, 0, 1e18, true);
        af_fuzz_range("burst every", b->every_s, 0, 100 * 365.0 * 86400, true);
        af_fuzz_range("burst start", b->start_s, 0, 100 * 365.0 * 86400, false);
        af_fuzz_range("burst op_size", b->op_B, 0, 1e12, true);
        af_fuzz_range("burst keep", b->keep, 0, 1e6, false);
        af_fuzz_range("burst weight", b->weight, 0, 1e6, true);
    }
    for (size_t i = 0; i < cfg->ninfers; i++)
        af_fuzz_check_infer(cfg, i);
    for (size_t i = 0; i < cfg->nlookups; i++) {
        const af_lookup_config *l = &cfg->lookups[i];
        if (!l->name || !*l->name || l->tier >= cfg->ntiers)
            af_fuzz_fail("lookup %zu: tier %zu", i, l->tier);
        af_fuzz_range("lookup rate", l->rate_per_s, 0, 1e9, true);
        af_fuzz_range("lookup size", l->size_B, 0, 1e9, true);
        af_fuzz_range("lookup slo", l->slo_s, 0, 3600, false);
    }
    for (size_t j = 0; j < cfg->ntrains; j++) {
        const af_train_config *t = &cfg->trains[j];
        if (t->pool >= cfg->npools || t->tier >= cfg->ntiers)
            af_fuzz_fail("job %zu: pool %zu of %zu, tier %zu of %zu", j, t->pool, cfg->npools,
                         t->tier, cfg->ntiers);
        for (size_t k = 0; k < j; k++)
            if (cfg->trains[k].pool == t->pool)
                af_fuzz_fail("jobs %zu and %zu share pool %zu", k, j, t->pool);
        if (t->step_time_s != 0) {
            af_fuzz_range("step_time", t->step_time_s, 0, 86400, true);
        } else {
            af_fuzz_range("params", t->params, 0, 1e15, true);
            af_fuzz_range("tokens_per_step", t->tokens_per_step, 0, 1e12, true);
            af_fuzz_range("mfu", t->mfu, 0, 1, true);
        }
        if (t->precision == AF_PREC_FP8 && !(cfg->pools[t->pool].node.gpu.fp8_flops > 0))
            af_fuzz_fail("job %zu: fp8 on a GPU without FP8", j);
        af_fuzz_range("batch_per_gpu", t->samples_per_gpu, 1, 1e9, false);
        af_fuzz_range("dataset size", t->dataset_B, 0, 1e18, true);
        af_fuzz_range("sample_size", t->sample_B, 0, t->dataset_B < 1e12 ? t->dataset_B : 1e12,
                      true);
        af_fuzz_range("prefetch", t->prefetch, 1, 1024, false);
        af_fuzz_range("sample_spread", t->sample_sd_B, 0, 1e12, false);
        af_fuzz_range("samples_per_file", t->samples_per_file, 1, 1e9, false);
        af_fuzz_range("reader_threads", t->reader_threads, 0, 4096, false);
        af_fuzz_range("train weight", t->weight, 0, 1e6, true);
    }
}

void af_fuzz_drain(const af_diag *d)
{
    for (size_t i = 0; i < af_diag_count(d); i++)
        af_free(af_diag_format(d, i));
}
