/*
 * scen_ingest: checking a scenario's `ingest:` workloads (af_ingest_config, workload/ingest.c):
 * the source (a bandwidth, or scen_arrivals.c's forms with the rate in bytes per second), the
 * landing tier, the preprocessing and the training job fed.
 *
 *   - ingest:
 *       name: clicks
 *       source: 2 GB/s              # or { rate: 2 GB/s, diurnal, start, bursts } or
 *                                   #    { trace: file.csv } (time,bytes rows)
 *       to: landing                 # the landing tier
 *       preprocess: { nodes: 16, throughput: 400 MB/s, ratio: 0.3, to: hot, keep_raw: false,
 *                     node: epyc-9654-2s }  # a CPU server of models/servers.yaml
 *       feeds: llm                  # a training job whose data set (on preprocess.to) grows
 *       entry_size: 1 GB            # bytes per trace entry, for a trace without sizes
 *       chunk: 1 GB                 # bytes per write and per node's read at most
 *       op_size: 1 MiB
 *       qos: { weight: 1 }
 *
 * `feeds` may name a job declared later in the list, so it is resolved once every workload is
 * read (scen_ingest_feeds).
 *
 * The preprocessing nodes are a catalog CPU server (`node:`, AF_INGEST_DEFAULT_SERVER when it is
 * left out), so that they draw power and cost money in the world's ledger like every other box.
 */
#include "scenario/scenario_int.h"

#include <string.h>

/* The preprocessing nodes' server model when `node:` is left out: a current two-socket x86
 * server, the kind a preprocessing fleet is built from (models/servers.yaml). */
#define AF_INGEST_DEFAULT_SERVER "epyc-9654-2s"

/* An `ingest:` workload. */
typedef struct ingest_fields {
    const af_node *name, *source, *to, *preprocess, *feeds, *entry_size, *chunk, *op_size, *qos;
} ingest_fields;
static const scen_key ingest_keys[] = {
    SCEN_KEY(ingest_fields, "name", name, SCEN_REQUIRED),
    SCEN_KEY(ingest_fields, "source", source, SCEN_REQUIRED),
    SCEN_KEY(ingest_fields, "to", to, SCEN_REQUIRED),
    SCEN_KEY(ingest_fields, "preprocess", preprocess, SCEN_OPTIONAL),
    SCEN_KEY(ingest_fields, "feeds", feeds, SCEN_OPTIONAL),
    SCEN_KEY(ingest_fields, "entry_size", entry_size, SCEN_OPTIONAL),
    SCEN_KEY(ingest_fields, "chunk", chunk, SCEN_OPTIONAL),
    SCEN_KEY(ingest_fields, "op_size", op_size, SCEN_OPTIONAL),
    SCEN_KEY(ingest_fields, "qos", qos, SCEN_OPTIONAL),
};

/* `preprocess:`. */
typedef struct preprocess_fields {
    const af_node *nodes, *throughput, *ratio, *to, *keep_raw, *node;
} preprocess_fields;
static const scen_key preprocess_keys[] = {
    SCEN_KEY(preprocess_fields, "nodes", nodes, SCEN_REQUIRED),
    SCEN_KEY(preprocess_fields, "throughput", throughput, SCEN_REQUIRED),
    SCEN_KEY(preprocess_fields, "ratio", ratio, SCEN_OPTIONAL),
    SCEN_KEY(preprocess_fields, "to", to, SCEN_OPTIONAL),
    SCEN_KEY(preprocess_fields, "keep_raw", keep_raw, SCEN_OPTIONAL),
    SCEN_KEY(preprocess_fields, "node", node, SCEN_OPTIONAL),
};

/* A source's rate: bytes per second, (0, 1 PB/s]. */
static const af_range rate_range = {0, 1e15, true};

/* source: a bandwidth, or a mapping of arrival fields whose `rate` is a bandwidth. The mapping
 * goes to scen_arrivals with its rate read here and replaced by a unit rate "1/s" (the rate is a
 * factor of lambda(t), workload/arrivals.h), so that the profile, bursts and trace are checked
 * exactly as every other kind's arrivals are. */
static void scen_ingest_source(scen *s, const af_node *node, af_arrivals_config *out)
{
    if (!node)
        return;
    if (node->kind == AF_NODE_SCALAR) {
        scen_quantity(s, node, "source", AF_DIM_BANDWIDTH, rate_range, &out->rate_per_s);
        return;
    }
    size_t k = af_path_key(&s->path, "source");
    bool map = af_check_map(&s->c, node, &s->path,
                            "a rate such as \"2 GB/s\" or a mapping of arrival fields (rate, "
                            "diurnal, start, bursts, trace)");
    af_path_pop(&s->path, k);
    if (!map)
        return;
    af_node *copy = af_arena_calloc(s->arena, 1, sizeof *copy);
    *copy = *node;
    copy->pairs = af_arena_calloc(s->arena, node->n ? node->n : 1, sizeof *copy->pairs);
    memcpy(copy->pairs, node->pairs, node->n * sizeof *copy->pairs);
    double rate = 0;
    bool rate_ok = false;
    for (size_t i = 0; i < node->n; i++) {
        if (strcmp(node->pairs[i].key->text, "rate") != 0)
            continue;
        const af_node *v = node->pairs[i].value;
        k = af_path_key(&s->path, "source");
        rate_ok = scen_quantity(s, v, "rate", AF_DIM_BANDWIDTH, rate_range, &rate);
        af_path_pop(&s->path, k);
        af_node *unit = af_arena_calloc(s->arena, 1, sizeof *unit);
        *unit = (af_node){.kind = AF_NODE_SCALAR,
                          .file = v->file,
                          .line = v->line,
                          .col = v->col,
                          .plain = true,
                          .text = "1/s",
                          .n = 3};
        copy->pairs[i].value = unit;
    }
    af_arrivals_config a = {0};
    size_t errors = s->c.errors;
    scen_arrivals(s, copy, "source", &a);
    if (s->c.errors != errors)
        return;
    if (!a.trace_s) {
        if (!rate_ok)
            return;
        a.rate_per_s = rate;
    }
    *out = a;
}

/* The preprocessing nodes' server model: the catalog CPU server named at node, or the default
 * one when node is NULL (at: the `preprocess:` mapping, for a missing default's message). */
static void scen_ingest_server(scen *s, const af_node *node, const af_node *at,
                               af_ingest_config *c)
{
    if (node) {
        size_t k = af_path_key(&s->path, "node");
        if (scen_catalog(s, AF_SECTION_SERVERS, node, &c->server))
            af_schema_intern(AF_SECTION_SERVERS, &c->server, s->arena);
        af_path_pop(&s->path, k);
        return;
    }
    const af_server_spec *dflt = af_catalog_find_server(s->cat, AF_INGEST_DEFAULT_SERVER);
    if (dflt) {
        c->server = *dflt;
        af_schema_intern(AF_SECTION_SERVERS, &c->server, s->arena);
    } else if (af_catalog_section_ok(s->cat, AF_SECTION_SERVERS)) {
        SCEN_ERROR_AT(s, "node", at,
                      "the catalog has no CPU server \"%s\", the preprocessing nodes' default; "
                      "name one with node (see \"aifsim catalog servers\")",
                      AF_INGEST_DEFAULT_SERVER);
    }
}

/* preprocess: { nodes, throughput, ratio, to, keep_raw, node }; *to_at gets the `to` node. */
static void scen_ingest_preprocess(scen *s, const af_node *node, af_ingest_config *c,
                                   const af_node **to_at)
{
    size_t k = af_path_key(&s->path, "preprocess");
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { nodes: 16, throughput: 400 MB/s, ratio: 0.3, to: hot "
                      "}")) {
        af_path_pop(&s->path, k);
        return;
    }
    preprocess_fields v;
    scen_fields(s, node, preprocess_keys, SCEN_N(preprocess_keys), &v);
    scen_integer(s, v.nodes, "nodes", 1, AF_SCENARIO_MAX_NODES, &c->nodes);
    scen_quantity(s, v.throughput, "throughput", AF_DIM_BANDWIDTH, (af_range){0, 1e12, true},
                  &c->node_Bps);
    scen_quantity(s, v.ratio, "ratio", AF_DIM_NUMBER, (af_range){0, 1000, true}, &c->ratio);
    *to_at = v.to;
    if (v.to)
        c->out_tier = scen_ref_key(s, v.to, "to", s->tier_at, s->w.ntiers, "tier");
    if (v.keep_raw) {
        static const char *const words[] = {"false", "true", NULL};
        size_t kk = af_path_key(&s->path, "keep_raw");
        c->keep_raw = af_check_word(&s->c, v.keep_raw, &s->path, words) == 1;
        af_path_pop(&s->path, kk);
    }
    scen_ingest_server(s, v.node, node, c);
    af_path_pop(&s->path, k);
}

void scen_ingest(scen *s, const af_node *body, size_t wi)
{
    if (!af_check_map(&s->c, body, &s->path,
                      "a mapping of ingest fields (name, source, to, preprocess)"))
        return;
    ingest_fields v;
    scen_fields(s, body, ingest_keys, SCEN_N(ingest_keys), &v);
    size_t j = s->w.ningests++;
    af_ingest_config *c = &s->w.ingests[j];
    c->ratio = 1;
    c->chunk_B = 1e9;
    c->op_B = 1048576;
    c->out_tier = AF_WORLD_NONE;
    c->feeds = AF_WORLD_NONE;
    if (v.name)
        c->name = scen_work_name(s, v.name, "name", wi, "");
    scen_ingest_source(s, v.source, &c->source);
    c->landing = scen_ref_key(s, v.to, "to", s->tier_at, s->w.ntiers, "tier");
    const af_node *out_at = NULL;
    if (v.preprocess)
        scen_ingest_preprocess(s, v.preprocess, c, &out_at);
    if (v.preprocess && !out_at && !v.feeds)
        SCEN_ERROR_AT(s, "preprocess", v.preprocess,
                      "missing required field \"to\" (the tier the output is written to; or "
                      "name the training job it feeds with \"feeds\")");
    if (v.feeds && !v.preprocess)
        SCEN_ERROR_AT(s, "feeds", v.feeds,
                      "feeds needs preprocess: the training set is the preprocessing's output "
                      "(add preprocess: { nodes: ..., throughput: ... })");
    bool sized = c->source.trace_s && c->source.trace_size;
    if (scen_quantity(s, v.entry_size, "entry_size", AF_DIM_SIZE, (af_range){0, 1e15, true},
                      &c->entry_B) &&
        !(c->source.trace_s && !sized))
        SCEN_ERROR_AT(s, "entry_size", v.entry_size,
                      "entry_size is for a trace without sizes; remove it%s",
                      sized ? " (the trace gives each entry's size)" : "");
    if (c->source.trace_s && !sized && !v.entry_size)
        SCEN_ERROR_AT(s, "source", v.source,
                      "the trace gives no sizes: give each row a size (\"time,bytes\") or the "
                      "ingest an entry_size (bytes per entry, e.g. \"entry_size: 1 GB\")");
    scen_quantity(s, v.chunk, "chunk", AF_DIM_SIZE, (af_range){1, 1e13, false}, &c->chunk_B);
    scen_quantity(s, v.op_size, "op_size", AF_DIM_SIZE, (af_range){1, 1e12, false}, &c->op_B);
    scen_qos(s, v.qos, &c->weight);
    s->ingest_feeds_at[j] = v.feeds && v.preprocess ? v.feeds : NULL;
    s->ingest_out_at[j] = out_at;
    s->ingest_wi[j] = wi;
}

void scen_ingest_feeds(scen *s)
{
    for (size_t j = 0; j < s->w.ningests; j++) {
        af_ingest_config *c = &s->w.ingests[j];
        const af_node *at = s->ingest_feeds_at[j];
        if (!at)
            continue;
        size_t o = af_path_index(&s->path, s->ingest_wi[j]);
        size_t kk = af_path_key(&s->path, "ingest");
        size_t job = SIZE_MAX;
        if (s->w.ntrains == 0)
            SCEN_ERROR_AT(s, "feeds", at,
                          "expected the name of a training job, but the scenario has none; "
                          "remove feeds or add a train workload");
        else
            job = scen_ref_key(s, at, "feeds", s->train_at, s->w.ntrains, "training job");
        if (job != SIZE_MAX) {
            size_t tier = s->w.trains[job].tier;
            const af_node *out_at = s->ingest_out_at[j];
            if (!out_at) {
                c->out_tier = tier;
                c->feeds = job;
            } else if (c->out_tier != AF_WORLD_NONE && tier != AF_WORLD_NONE &&
                       c->out_tier != tier) {
                char q[128];
                SCEN_ERROR_AT(s, "feeds", at,
                              "training job \"%s\" reads its data set from tier \"%s\", not "
                              "from \"%s\" where the preprocessing writes; write to \"%s\" or "
                              "leave preprocess.to out",
                              af_doc_quote(at->text, q, sizeof q), s->w.tiers[tier].name,
                              s->w.tiers[c->out_tier].name, s->w.tiers[tier].name);
            } else {
                c->feeds = job;
            }
        }
        af_path_pop(&s->path, kk);
        af_path_pop(&s->path, o);
    }
}
