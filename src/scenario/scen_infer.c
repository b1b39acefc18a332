/*
 * scen_infer: checking a scenario's `inference:` workloads (af_infer_config, workload/infer.c):
 * the pool and its replicas, the arrivals (scen_arrivals.c), the feature reads, batching, the
 * GPU service time, admission and the latency objective.
 *
 *   - inference:
 *       name: recsys
 *       pool: serve                 # the GPUs; a serving pool runs nothing else
 *       replicas: 64                # default: the pool's GPUs / gpus_per_replica
 *       gpus_per_replica: 1
 *       arrivals: 10000/s           # or { rate, diurnal, bursts } or { trace: file.csv }
 *       features: { tier: hot, reads: 20, size: 4 KiB }
 *       batch: { max: 32, wait: 2 ms }
 *       service: { time: 4 ms, per_request: 100 us, distribution: fixed }
 *       queue_limit: 20000
 *       slo: { p99: 50 ms }         # or slo: 50 ms (a p99 objective)
 *
 * or, for an LLM, instead of features, batch and service:
 *       llm:
 *         model: llama3-8b          # models/llms.yaml
 *         precision: bf16           # or fp8 (weights); kv_precision likewise
 *         mfu: 0.5                  # prefill's share of peak; mbu: decode's share of HBM B/W
 *         prompt: 1000              # or { tokens: 1000, distribution: fixed }
 *         output: 200
 *         conversation: { turns: 4, think: 60 s }
 *         kv_cache:                 # below HBM, fastest first
 *           - { host: 512 GB, bandwidth: 50 GB/s }
 *           - { tier: hot, capacity: 100 TB }
 *       slo: { ttft: 500 ms, tpot: 50 ms }
 */
#include "scenario/scenario_int.h"

#include "model/llm.h"
#include "model/storage.h"
#include "workload/arrivals.h"

#include <string.h>

/* An `inference:` workload. */
typedef struct infer_fields {
    const af_node *name, *pool, *replicas, *gpus_per_replica, *arrivals, *features, *batch,
        *service, *queue_limit, *slo, *llm;
} infer_fields;
static const scen_key infer_keys[] = {
    SCEN_KEY(infer_fields, "name", name, SCEN_REQUIRED),
    SCEN_KEY(infer_fields, "pool", pool, SCEN_REQUIRED),
    SCEN_KEY(infer_fields, "replicas", replicas, SCEN_OPTIONAL),
    SCEN_KEY(infer_fields, "gpus_per_replica", gpus_per_replica, SCEN_OPTIONAL),
    SCEN_KEY(infer_fields, "arrivals", arrivals, SCEN_REQUIRED),
    SCEN_KEY(infer_fields, "features", features, SCEN_OPTIONAL),
    SCEN_KEY(infer_fields, "batch", batch, SCEN_OPTIONAL),
    SCEN_KEY_OR(infer_fields, "service", service, "llm"),
    SCEN_KEY(infer_fields, "queue_limit", queue_limit, SCEN_OPTIONAL),
    SCEN_KEY(infer_fields, "slo", slo, SCEN_OPTIONAL),
    SCEN_KEY(infer_fields, "llm", llm, SCEN_OPTIONAL),
};

/* llm: the model and how its turns come. */
typedef struct llm_fields {
    const af_node *model, *precision, *kv_precision, *mfu, *mbu, *memory, *prompt, *output,
        *max_batch, *conversation, *kv_cache;
} llm_fields;
static const scen_key llm_keys[] = {
    SCEN_KEY(llm_fields, "model", model, SCEN_REQUIRED),
    SCEN_KEY(llm_fields, "precision", precision, SCEN_OPTIONAL),
    SCEN_KEY(llm_fields, "kv_precision", kv_precision, SCEN_OPTIONAL),
    SCEN_KEY(llm_fields, "mfu", mfu, SCEN_OPTIONAL),
    SCEN_KEY(llm_fields, "mbu", mbu, SCEN_OPTIONAL),
    SCEN_KEY(llm_fields, "memory", memory, SCEN_OPTIONAL),
    SCEN_KEY(llm_fields, "prompt", prompt, SCEN_REQUIRED),
    SCEN_KEY(llm_fields, "output", output, SCEN_REQUIRED),
    SCEN_KEY(llm_fields, "max_batch", max_batch, SCEN_OPTIONAL),
    SCEN_KEY(llm_fields, "conversation", conversation, SCEN_OPTIONAL),
    SCEN_KEY(llm_fields, "kv_cache", kv_cache, SCEN_OPTIONAL),
};

/* prompt: / output: a token count, or { tokens, distribution }. */
typedef struct tokens_fields {
    const af_node *tokens, *distribution;
} tokens_fields;
static const scen_key tokens_keys[] = {
    SCEN_KEY(tokens_fields, "tokens", tokens, SCEN_REQUIRED),
    SCEN_KEY(tokens_fields, "distribution", distribution, SCEN_OPTIONAL),
};

/* conversation: { turns, think } */
typedef struct conv_fields {
    const af_node *turns, *think;
} conv_fields;
static const scen_key conv_keys[] = {
    SCEN_KEY(conv_fields, "turns", turns, SCEN_OPTIONAL),
    SCEN_KEY(conv_fields, "think", think, SCEN_OPTIONAL),
};

/* One KV-cache tier: { host: SIZE, bandwidth } | { local: SIZE, bandwidth } | { tier, capacity }.
 */
typedef struct kv_fields {
    const af_node *host, *local, *tier, *capacity, *bandwidth;
} kv_fields;
static const scen_key kv_keys[] = {
    SCEN_KEY(kv_fields, "host", host, SCEN_OPTIONAL),
    SCEN_KEY(kv_fields, "local", local, SCEN_OPTIONAL),
    SCEN_KEY(kv_fields, "tier", tier, SCEN_OPTIONAL),
    SCEN_KEY(kv_fields, "capacity", capacity, SCEN_OPTIONAL),
    SCEN_KEY(kv_fields, "bandwidth", bandwidth, SCEN_OPTIONAL),
};

/* slo: of an LLM service: { ttft, tpot }. */
typedef struct llm_slo_fields {
    const af_node *ttft, *tpot;
} llm_slo_fields;
static const scen_key llm_slo_keys[] = {
    SCEN_KEY(llm_slo_fields, "ttft", ttft, SCEN_OPTIONAL),
    SCEN_KEY(llm_slo_fields, "tpot", tpot, SCEN_OPTIONAL),
};

/* features: { tier, reads, size } */
typedef struct feature_fields {
    const af_node *tier, *reads, *size;
} feature_fields;
static const scen_key feature_keys[] = {
    SCEN_KEY(feature_fields, "tier", tier, SCEN_REQUIRED),
    SCEN_KEY(feature_fields, "reads", reads, SCEN_OPTIONAL),
    SCEN_KEY(feature_fields, "size", size, SCEN_OPTIONAL),
};

/* batch: { max, wait } */
typedef struct batch_fields {
    const af_node *max, *wait;
} batch_fields;
static const scen_key batch_keys[] = {
    SCEN_KEY(batch_fields, "max", max, SCEN_OPTIONAL),
    SCEN_KEY(batch_fields, "wait", wait, SCEN_OPTIONAL),
};

/* service: { time, per_request, distribution } */
typedef struct service_fields {
    const af_node *time, *per_request, *distribution;
} service_fields;
static const scen_key service_keys[] = {
    SCEN_KEY(service_fields, "time", time, SCEN_REQUIRED),
    SCEN_KEY(service_fields, "per_request", per_request, SCEN_OPTIONAL),
    SCEN_KEY(service_fields, "distribution", distribution, SCEN_OPTIONAL),
};

/* The quantiles an objective may name. */
static const struct {
    const char *key;
    double q;
} slo_quantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99.9", 0.999}};

/* slo: a time (the p99's objective) or a one-key mapping { p50 | p90 | p99 | p99.9: time }. */
static void scen_infer_slo(scen *s, const af_node *node, af_infer_config *c)
{
    c->slo_quantile = 0.99;
    if (!node)
        return;
    if (c->llm.on) {
        size_t k = af_path_key(&s->path, "slo");
        if (af_check_map(&s->c, node, &s->path,
                         "a mapping such as { ttft: 500 ms, tpot: 50 ms } for an LLM service")) {
            llm_slo_fields v;
            scen_fields(s, node, llm_slo_keys, SCEN_N(llm_slo_keys), &v);
            const af_range r = {0, 3600, true};
            scen_quantity(s, v.ttft, "ttft", AF_DIM_TIME, r, &c->llm.ttft_slo_s);
            scen_quantity(s, v.tpot, "tpot", AF_DIM_TIME, r, &c->llm.tpot_slo_s);
        }
        af_path_pop(&s->path, k);
        return;
    }
    const af_range r = {0, 3600, true};
    if (node->kind != AF_NODE_MAP) {
        scen_quantity(s, node, "slo", AF_DIM_TIME, r, &c->slo_s);
        return;
    }
    size_t k = af_path_key(&s->path, "slo");
    if (node->n != 1) {
        af_check_error(&s->c, node, &s->path,
                       "expected one objective such as { p99: 50 ms } (p50, p90, p99 or p99.9), "
                       "got %zu keys",
                       node->n);
        af_path_pop(&s->path, k);
        return;
    }
    const af_pair *p = &node->pairs[0];
    size_t at = SIZE_MAX;
    for (size_t i = 0; i < SCEN_N(slo_quantiles); i++)
        if (strcmp(p->key->text, slo_quantiles[i].key) == 0)
            at = i;
    if (at == SIZE_MAX) {
        char q[128];
        af_check_error(&s->c, p->key, &s->path,
                       "unknown quantile \"%s\"; expected p50, p90, p99 or p99.9",
                       af_doc_quote(p->key->text, q, sizeof q));
    } else {
        c->slo_quantile = slo_quantiles[at].q;
        scen_quantity(s, p->value, p->key->text, AF_DIM_TIME, r, &c->slo_s);
    }
    af_path_pop(&s->path, k);
}

static void scen_infer_features(scen *s, const af_node *node, af_infer_config *c)
{
    c->feature_tier = AF_WORLD_NONE;
    c->feature_reads = 0;
    c->feature_B = 4096;
    if (!node)
        return;
    size_t k = af_path_key(&s->path, "features");
    if (af_check_map(&s->c, node, &s->path,
                     "a mapping such as { tier: hot, reads: 20, size: 4 KiB }")) {
        feature_fields v;
        scen_fields(s, node, feature_keys, SCEN_N(feature_keys), &v);
        c->feature_tier = scen_ref_key(s, v.tier, "tier", s->tier_at, s->w.ntiers, "tier");
        int64_t n = 1;
        scen_integer(s, v.reads, "reads", 1, 100000, &n);
        c->feature_reads = (uint32_t)n;
        scen_quantity(s, v.size, "size", AF_DIM_SIZE, (af_range){1, 1e9, false}, &c->feature_B);
    }
    af_path_pop(&s->path, k);
}

static void scen_infer_batch(scen *s, const af_node *node, af_infer_config *c)
{
    c->max_batch = 1;
    c->max_wait_s = 0;
    if (!node)
        return;
    size_t k = af_path_key(&s->path, "batch");
    if (af_check_map(&s->c, node, &s->path, "a mapping such as { max: 32, wait: 2 ms }")) {
        batch_fields v;
        scen_fields(s, node, batch_keys, SCEN_N(batch_keys), &v);
        int64_t n = 1;
        scen_integer(s, v.max, "max", 1, 65536, &n);
        c->max_batch = (uint32_t)n;
        scen_quantity(s, v.wait, "wait", AF_DIM_TIME, (af_range){0, 3600, false}, &c->max_wait_s);
    }
    af_path_pop(&s->path, k);
}

static void scen_infer_service(scen *s, const af_node *node, af_infer_config *c)
{
    c->service_dist = AF_SERVICE_FIXED;
    if (!node)
        return;
    size_t k = af_path_key(&s->path, "service");
    if (af_check_map(&s->c, node, &s->path,
                     "a mapping such as { time: 4 ms, per_request: 100 us }")) {
        service_fields v;
        scen_fields(s, node, service_keys, SCEN_N(service_keys), &v);
        scen_quantity(s, v.time, "time", AF_DIM_TIME, (af_range){0, 3600, false}, &c->service_s);
        scen_quantity(s, v.per_request, "per_request", AF_DIM_TIME, (af_range){0, 3600, false},
                      &c->per_request_s);
        if (v.distribution) {
            static const char *const words[] = {
                [AF_SERVICE_FIXED] = "fixed", [AF_SERVICE_EXPONENTIAL] = "exponential", NULL};
            size_t d = af_path_key(&s->path, "distribution");
            int w = af_check_word(&s->c, v.distribution, &s->path, words);
            if (w >= 0)
                c->service_dist = (af_service_dist)w;
            af_path_pop(&s->path, d);
        }
        if (v.time && c->service_s + c->per_request_s <= 0)
            SCEN_ERROR_AT(s, "time", v.time,
                          "a batch must take some time: give time or per_request above 0");
    }
    af_path_pop(&s->path, k);
}

static const char *const dist_words[] = {
    [AF_SERVICE_FIXED] = "fixed", [AF_SERVICE_EXPONENTIAL] = "exponential", NULL};

/* A token count under key: a number, or { tokens, distribution }. */
static void scen_tokens(scen *s, const af_node *node, const char *key, double *mean,
                        af_service_dist *dist)
{
    *dist = AF_SERVICE_EXPONENTIAL;
    if (!node)
        return;
    const af_range r = {1, 1e7, false};
    if (node->kind != AF_NODE_MAP) {
        scen_quantity(s, node, key, AF_DIM_NUMBER, r, mean);
        return;
    }
    size_t k = af_path_key(&s->path, key);
    tokens_fields v;
    scen_fields(s, node, tokens_keys, SCEN_N(tokens_keys), &v);
    scen_quantity(s, v.tokens, "tokens", AF_DIM_NUMBER, r, mean);
    if (v.distribution) {
        size_t d = af_path_key(&s->path, "distribution");
        int w = af_check_word(&s->c, v.distribution, &s->path, dist_words);
        if (w >= 0)
            *dist = (af_service_dist)w;
        af_path_pop(&s->path, d);
    }
    af_path_pop(&s->path, k);
}

/* A precision word under key ("bf16" or "fp8"). */
static void scen_precision(scen *s, const af_node *node, const char *key, af_llm_dtype *out)
{
    if (!node)
        return;
    static const char *const words[] = {[AF_LLM_BF16] = "bf16", [AF_LLM_FP8] = "fp8", NULL};
    size_t k = af_path_key(&s->path, key);
    int w = af_check_word(&s->c, node, &s->path, words);
    if (w >= 0)
        *out = (af_llm_dtype)w;
    af_path_pop(&s->path, k);
}

/* kv_cache: a list of tiers below HBM, fastest first. */
static void scen_kv_tiers(scen *s, const af_node *list, af_llm_serve_config *l)
{
    if (!list)
        return;
    size_t k = af_path_key(&s->path, "kv_cache");
    if (list->kind != AF_NODE_SEQ || list->n == 0 || list->n > AF_KV_MAX_TIERS) {
        af_check_error(&s->c, list, &s->path,
                       "expected a list of 1 to %d KV-cache tiers, fastest first, such as "
                       "[ { host: 512 GB, bandwidth: 50 GB/s }, { tier: hot, capacity: 100 TB } ]",
                       AF_KV_MAX_TIERS);
        af_path_pop(&s->path, k);
        return;
    }
    for (size_t i = 0; i < list->n; i++) {
        size_t o = af_path_index(&s->path, i);
        const af_node *item = list->items[i];
        if (af_check_map(
                &s->c, item, &s->path,
                "a KV-cache tier such as { host: 512 GB, bandwidth: 50 GB/s }, "
                "{ local: 7.68 TB, bandwidth: 12 GB/s } or { tier: hot, capacity: 100 TB }")) {
            kv_fields v;
            scen_fields(s, item, kv_keys, SCEN_N(kv_keys), &v);
            af_kv_tier_config *t = &l->kv_tiers[l->nkv];
            *t = (af_kv_tier_config){.tier = AF_WORLD_NONE};
            int kinds = (v.host != NULL) + (v.local != NULL) + (v.tier != NULL);
            const af_range cap = {1, 1e18, false}, bw = {1, 1e15, false};
            if (kinds != 1) {
                af_check_error(&s->c, item, &s->path,
                               "expected exactly one of host, local or tier in a KV-cache tier");
            } else if (v.tier) {
                t->where = AF_KV_TIER;
                t->tier = scen_ref_key(s, v.tier, "tier", s->tier_at, s->w.ntiers, "tier");
                if (!v.capacity)
                    SCEN_ERROR_AT(s, "tier", v.tier,
                                  "a storage tier in kv_cache needs its capacity (bytes of the "
                                  "tier given to the KV cache), such as capacity: 100 TB");
                scen_quantity(s, v.capacity, "capacity", AF_DIM_SIZE, cap, &t->capacity_B);
                if (v.bandwidth)
                    SCEN_ERROR_AT(s, "bandwidth", v.bandwidth,
                                  "a storage tier's KV reloads share its bandwidth as flows; "
                                  "remove bandwidth");
                for (size_t j = 0; j < l->nkv; j++)
                    if (l->kv_tiers[j].where == AF_KV_TIER)
                        SCEN_ERROR_AT(s, "tier", v.tier, "kv_cache has one storage tier at most");
            } else {
                t->where = v.host ? AF_KV_HOST : AF_KV_LOCAL;
                scen_quantity(s, v.host ? v.host : v.local, v.host ? "host" : "local", AF_DIM_SIZE,
                              cap, &t->capacity_B);
                if (!v.bandwidth)
                    SCEN_ERROR_AT(s, v.host ? "host" : "local", v.host ? v.host : v.local,
                                  "a %s KV-cache tier needs its reload bandwidth per replica, "
                                  "such as bandwidth: %s",
                                  v.host ? "host-memory" : "local-NVMe",
                                  v.host ? "50 GB/s" : "12 GB/s");
                scen_quantity(s, v.bandwidth, "bandwidth", AF_DIM_BANDWIDTH, bw, &t->bandwidth_Bps);
                if (v.capacity)
                    SCEN_ERROR_AT(
                        s, "capacity", v.capacity,
                        "the size goes under %s:, not capacity:", v.host ? "host" : "local");
            }
            l->nkv++;
        }
        af_path_pop(&s->path, o);
    }
    af_path_pop(&s->path, k);
}

/* llm: an LLM service. */
static void scen_infer_llm(scen *s, const af_node *node, af_infer_config *c)
{
    af_llm_serve_config *l = &c->llm;
    size_t k = af_path_key(&s->path, "llm");
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { model: llama3-8b, prompt: 1000, output: 200 }")) {
        af_path_pop(&s->path, k);
        return;
    }
    llm_fields v;
    scen_fields(s, node, llm_keys, SCEN_N(llm_keys), &v);
    l->on = true;
    l->weights = AF_LLM_BF16;
    l->kv = AF_LLM_BF16;
    l->mfu = 0.5;
    l->mbu = 0.8;
    l->mem_fraction = 0.9;
    l->turns = 1;
    l->think_s = 60;
    if (v.model) {
        size_t m = af_path_key(&s->path, "model");
        if (scen_catalog(s, AF_SECTION_LLMS, v.model, &l->model))
            af_schema_intern(AF_SECTION_LLMS, &l->model, s->arena);
        else
            l->on = false;
        af_path_pop(&s->path, m);
    }
    scen_precision(s, v.precision, "precision", &l->weights);
    scen_precision(s, v.kv_precision, "kv_precision", &l->kv);
    const af_range share = {0, 1, true};
    scen_quantity(s, v.mfu, "mfu", AF_DIM_RATIO, share, &l->mfu);
    scen_quantity(s, v.mbu, "mbu", AF_DIM_RATIO, share, &l->mbu);
    scen_quantity(s, v.memory, "memory", AF_DIM_RATIO, share, &l->mem_fraction);
    scen_tokens(s, v.prompt, "prompt", &l->prompt_tokens, &l->prompt_dist);
    scen_tokens(s, v.output, "output", &l->output_tokens, &l->output_dist);
    int64_t mb = 0;
    if (scen_integer(s, v.max_batch, "max_batch", 1, 65536, &mb))
        l->max_batch = (uint32_t)mb;
    if (v.conversation) {
        size_t o = af_path_key(&s->path, "conversation");
        if (af_check_map(&s->c, v.conversation, &s->path,
                         "a mapping such as { turns: 4, think: 60 s }")) {
            conv_fields cv;
            scen_fields(s, v.conversation, conv_keys, SCEN_N(conv_keys), &cv);
            scen_quantity(s, cv.turns, "turns", AF_DIM_NUMBER, (af_range){1, 1e4, false},
                          &l->turns);
            scen_quantity(s, cv.think, "think", AF_DIM_TIME, (af_range){0, 100 * AF_YEAR_S, true},
                          &l->think_s);
        }
        af_path_pop(&s->path, o);
    }
    scen_kv_tiers(s, v.kv_cache, l);
    af_path_pop(&s->path, k);
}

/* What the world would refuse only when it is built (workload/infer.c, infer_llm.c), checked here
 * so that the message names the field: feature reads that would keep every device of their tier
 * busy at the peak rate (without a queue limit to shed them), and an LLM whose weights leave a
 * replica no KV cache for one turn. The world keeps its own checks for configurations built by
 * hand. Skipped when what they need did not check out (reported already). */
static void scen_infer_fit(scen *s, const infer_fields *v, const af_infer_config *c)
{
    if (c->feature_tier != AF_WORLD_NONE && c->feature_reads > 0 && c->queue_limit == 0 &&
        !c->arrivals.trace_s && c->arrivals.rate_per_s > 0) {
        const af_tier_config *t = &s->w.tiers[c->feature_tier];
        double devices = (double)t->nodes * t->system.devices;
        double demand = af_storage_read_cost_s(&t->system, c->feature_B);
        double peak = af_arrivals_peak_rate(&c->arrivals);
        double load = peak * c->feature_reads * demand;
        if (devices > 0 && demand > 0 && load >= devices)
            SCEN_ERROR_AT(s, "arrivals", v->arrivals,
                          "%.4g reads/s at the peak rate of %.4g device-seconds each need %.4g "
                          "devices busy all the time, and tier \"%s\" has %.0f; the reads would "
                          "queue without bound (lower the rate, add nodes, or set queue_limit to "
                          "reject the excess)",
                          peak * c->feature_reads, demand, load, t->name, devices);
    }
    const af_llm_serve_config *l = &c->llm;
    if (l->on && c->pool != AF_WORLD_NONE && s->w.pools[c->pool].node.gpu.hbm_B > 0) {
        const af_pool_config *pc = &s->w.pools[c->pool];
        const af_llm_replica rep = {.llm = &l->model,
                                    .gpu = &pc->node.gpu,
                                    .gpus = (int)c->gpus_per_replica,
                                    .weights = l->weights,
                                    .kv = l->kv,
                                    .mfu = l->mfu,
                                    .mbu = l->mbu,
                                    .mem_fraction = l->mem_fraction};
        double cap = af_llm_kv_capacity_tokens(&rep), first = l->prompt_tokens + l->output_tokens;
        if (!(cap >= first)) {
            size_t k = af_path_key(&s->path, "llm");
            const af_pair *m = scen_pair(v->llm, "model");
            SCEN_ERROR_AT(s, "model", m ? m->value : v->llm,
                          "a replica of %lld %s GPUs holds %.0f tokens of KV cache after the "
                          "weights of %s, less than one turn of %.0f tokens (give "
                          "gpus_per_replica more GPUs, or a smaller model or precision)",
                          (long long)c->gpus_per_replica, pc->node.gpu.name, cap > 0 ? cap : 0,
                          l->model.name, first);
            af_path_pop(&s->path, k);
        }
    }
}

void scen_infer(scen *s, const af_node *body, size_t wi)
{
    if (!af_check_map(&s->c, body, &s->path,
                      "a mapping of serving fields (name, pool, arrivals, service)"))
        return;
    infer_fields v;
    scen_fields(s, body, infer_keys, SCEN_N(infer_keys), &v);
    size_t j = s->w.ninfers++;
    af_infer_config *c = &s->w.infers[j];
    c->pool = AF_WORLD_NONE;
    if (v.name)
        c->name = scen_work_name(s, v.name, "name", wi, "");
    c->pool = scen_ref_key(s, v.pool, "pool", s->pool_at, s->w.npools, "pool");
    s->infer_pool_at[j] = c->pool != SIZE_MAX ? v.pool : NULL;
    s->infer_wi[j] = wi;
    if (c->pool == SIZE_MAX)
        c->pool = AF_WORLD_NONE;
    int64_t g = 1;
    scen_integer(s, v.gpus_per_replica, "gpus_per_replica", 1, 1024, &g);
    c->gpus_per_replica = g;
    c->replicas = 0;
    if (c->pool != AF_WORLD_NONE) {
        const af_pool_config *pc = &s->w.pools[c->pool];
        int64_t gpus = pc->nodes * (int64_t)pc->node.gpus;
        c->replicas = gpus / g;
        /* no GPUs: the pool's node was refused already (and gpus_per_replica may be absent) */
        if (!v.replicas && c->replicas < 1 && gpus >= 1)
            SCEN_ERROR_AT(s, "gpus_per_replica", v.gpus_per_replica,
                          "a replica of %lld GPUs does not fit pool \"%s\" of %lld GPUs",
                          (long long)g, pc->name, (long long)gpus);
        /* the default may not leave the range a given replicas: has */
        if (!v.replicas && c->replicas > 1000000)
            SCEN_ERROR_AT(s, "pool", v.pool,
                          "pool \"%s\" of %lld GPUs makes %lld replicas of %lld GPUs, more than "
                          "the 1000000 this version serves; give replicas (at most 1000000) or "
                          "more gpus_per_replica",
                          pc->name, (long long)gpus, (long long)c->replicas, (long long)g);
        int64_t r;
        if (scen_integer(s, v.replicas, "replicas", 1, 1000000, &r)) {
            if (r * g > gpus)
                SCEN_ERROR_AT(s, "replicas", v.replicas,
                              "%lld replicas of %lld GPUs need %lld GPUs, and pool \"%s\" has "
                              "%lld",
                              (long long)r, (long long)g, (long long)(r * g), pc->name,
                              (long long)gpus);
            c->replicas = r;
        }
    }
    scen_arrivals(s, v.arrivals, "arrivals", &c->arrivals);
    if (v.llm)
        scen_infer_llm(s, v.llm, c);
    scen_infer_features(s, v.features, c);
    scen_infer_batch(s, v.batch, c);
    scen_infer_service(s, v.service, c);
    if (v.llm) {
        /* an LLM's turns are batched continuously and read no features */
        static const char *const llm_only[] = {"features", "batch", "service"};
        const af_node *given[] = {v.features, v.batch, v.service};
        for (size_t i = 0; i < SCEN_N(llm_only); i++)
            if (given[i])
                SCEN_ERROR_AT(s, llm_only[i], given[i],
                              "%s does not apply to an LLM service (its turns are batched "
                              "continuously, their costs come from the model); remove it",
                              llm_only[i]);
    }
    int64_t q = 0;
    scen_integer(s, v.queue_limit, "queue_limit", 1, 1000000, &q);
    c->queue_limit = (uint32_t)q;
    scen_infer_slo(s, v.slo, c);
    scen_infer_fit(s, &v, c);
}

void scen_infer_pools(scen *s)
{
    for (size_t j = 0; j < s->w.ninfers; j++) {
        const af_infer_config *c = &s->w.infers[j];
        const af_node *at = s->infer_pool_at[j];
        if (!at || c->pool == AF_WORLD_NONE)
            continue;
        char q[128];
        size_t o = af_path_index(&s->path, s->infer_wi[j]);
        size_t kk = af_path_key(&s->path, "inference");
        if (s->pool_job[c->pool] != SIZE_MAX) {
            const af_node *other = s->train_at[s->pool_job[c->pool]];
            SCEN_ERROR_AT(s, "pool", at,
                          "pool \"%s\" already runs training job \"%s\" (line %d); a pool serves "
                          "one model and runs nothing else (give the service its own pool)",
                          af_doc_quote(at->text, q, sizeof q), other ? other->text : "?",
                          other ? other->line : 0);
        } else {
            for (size_t k = 0; k < j; k++)
                if (s->w.infers[k].pool == c->pool && s->infer_pool_at[k]) {
                    SCEN_ERROR_AT(s, "pool", at,
                                  "pool \"%s\" already serves \"%s\" (line %d); a pool serves one "
                                  "model (give each service its own pool)",
                                  af_doc_quote(at->text, q, sizeof q),
                                  s->w.infers[k].name ? s->w.infers[k].name : "?",
                                  s->infer_pool_at[k]->line);
                    break;
                }
        }
        af_path_pop(&s->path, kk);
        af_path_pop(&s->path, o);
    }
}
