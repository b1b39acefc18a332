/*
 * scenario: checking a scenario doc into an af_world_config; see scenario.h for the format.
 *
 * One pass over the tree in dependency order (pools and tiers before the workloads that name
 * them) checks every field, reporting every mistake through an af_check and going on; the
 * messages are then put in document order (af_check_flush). Names are registered even when
 * the rest of their entry is wrong, so that one mistake does not cause a second one in each
 * reference to it. The config is built in the caller's arena and copied to *out only when
 * there was no error.
 */
#include "scenario/scenario.h"

#include "base/alloc.h"
#include "base/units.h"
#include "scenario/schema.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The state of one check. */
typedef struct scen {
    af_check c;                /* errors */
    const af_catalog *cat;     /* catalog for node, system, switch and preset names */
    af_schema_refs refs;       /* cat, for the references in `override:` mappings */
    af_arena *arena;           /* where the config goes */
    af_path path;              /* path of the field being read */
    af_world_config w;         /* the config being built */
    const af_node **pool_at;   /* per pool: its name node, or NULL when the name was bad */
    const af_node **tier_at;   /* per tier: likewise */
    const af_node **tier_item; /* per tier: its mapping, or NULL when it was not one */
    const af_node **work_at;   /* per workload (list index): its name node, or NULL */
    const af_node **train_at;  /* per training job: the node its name came from */
    size_t *pool_job;          /* per pool: index of the job running on it, or SIZE_MAX */
} scen;

/* ---------------------------------------------------------------------------------------------
 * Key tables. Each kind of mapping in a scenario has a struct with one member per key, holding
 * the value under that key (NULL when the key is absent), and a table of its keys saying which
 * member each fills and whether it must be given. scen_fields splits a mapping through a table,
 * so the readers below name what they read (v.batch_per_gpu) instead of counting positions. A
 * table lists its keys in the order "expected one of: ..." shows them, and the required ones in
 * the order their "missing required field" errors are reported. */

/* Whether a key must be given. */
typedef enum {
    SCEN_OPTIONAL, /* may be absent */
    SCEN_REQUIRED, /* "missing required field" when absent (see scen_key.or_key) */
} scen_need;

/* One key of a mapping. */
typedef struct scen_key {
    const char *name;   /* the YAML key, e.g. "batch_per_gpu" */
    size_t offset;      /* offsetof the `const af_node *` member that receives its value */
    scen_need need;     /* whether it must be given */
    const char *or_key; /* REQUIRED only: another key of the table that may be given instead
                           ("files" for "size"), or NULL */
} scen_key;

/* The most keys one mapping has. */
#define SCEN_MAX_KEYS 16

#define SCEN_N(table) (sizeof(table) / sizeof((table)[0]))
/* The tables read better unwrapped. */
/* clang-format off */
#define SCEN_KEY(type, key, member, need) {key, offsetof(type, member), need, NULL}
#define SCEN_KEY_OR(type, key, member, or_key) {key, offsetof(type, member), SCEN_REQUIRED, or_key}
/* clang-format on */

/* The top level of a scenario. */
typedef struct root_fields {
    const af_node *aifsim, *name, *description, *seed, *duration, *max_events, *facility, *cluster,
        *storage, *fabric, *workloads;
} root_fields;
/* `aifsim` is required too, but checked before the others (see scen_root). */
static const scen_key root_keys[] = {
    SCEN_KEY(root_fields, "aifsim", aifsim, SCEN_OPTIONAL),
    SCEN_KEY(root_fields, "name", name, SCEN_REQUIRED),
    SCEN_KEY(root_fields, "description", description, SCEN_OPTIONAL),
    SCEN_KEY(root_fields, "seed", seed, SCEN_OPTIONAL),
    SCEN_KEY(root_fields, "duration", duration, SCEN_REQUIRED),
    SCEN_KEY(root_fields, "max_events", max_events, SCEN_OPTIONAL),
    SCEN_KEY(root_fields, "facility", facility, SCEN_OPTIONAL),
    SCEN_KEY(root_fields, "cluster", cluster, SCEN_REQUIRED),
    SCEN_KEY(root_fields, "storage", storage, SCEN_REQUIRED),
    SCEN_KEY(root_fields, "fabric", fabric, SCEN_OPTIONAL),
    SCEN_KEY(root_fields, "workloads", workloads, SCEN_REQUIRED),
};

/* An entry of `cluster:` (a pool) or of `storage:` (a tier); see scen_group. */
typedef struct group_fields {
    const af_node *name;     /* pool: / tier: */
    const af_node *model;    /* node: / system: (a catalog name) */
    const af_node *nodes;    /* nodes: */
    const af_node *override; /* override: */
    const af_node *cache;    /* tiers only, read by scen_tier_links */
    const af_node *drain;    /* likewise */
    const af_node *reserve;  /* likewise */
} group_fields;
static const scen_key pool_keys[] = {
    SCEN_KEY(group_fields, "pool", name, SCEN_REQUIRED),
    SCEN_KEY(group_fields, "node", model, SCEN_REQUIRED),
    SCEN_KEY(group_fields, "nodes", nodes, SCEN_REQUIRED),
    SCEN_KEY(group_fields, "override", override, SCEN_OPTIONAL),
};
static const scen_key tier_keys[] = {
    SCEN_KEY(group_fields, "tier", name, SCEN_REQUIRED),
    SCEN_KEY(group_fields, "system", model, SCEN_REQUIRED),
    SCEN_KEY(group_fields, "nodes", nodes, SCEN_REQUIRED),
    SCEN_KEY(group_fields, "override", override, SCEN_OPTIONAL),
    SCEN_KEY(group_fields, "cache", cache, SCEN_OPTIONAL),
    SCEN_KEY(group_fields, "drain", drain, SCEN_OPTIONAL),
    SCEN_KEY(group_fields, "reserve", reserve, SCEN_OPTIONAL),
};

/* A tier's `cache:`. */
typedef struct cache_fields {
    const af_node *target, *hit_ratio; /* for:, hit_ratio: */
} cache_fields;
static const scen_key cache_keys[] = {
    SCEN_KEY(cache_fields, "for", target, SCEN_REQUIRED),
    SCEN_KEY(cache_fields, "hit_ratio", hit_ratio, SCEN_REQUIRED),
};

/* A tier's `drain:`. */
typedef struct drain_fields {
    const af_node *to, *weight;
} drain_fields;
static const scen_key drain_keys[] = {
    SCEN_KEY(drain_fields, "to", to, SCEN_REQUIRED),
    SCEN_KEY(drain_fields, "weight", weight, SCEN_OPTIONAL),
};

/* An entry of `fabric:`. */
typedef struct fabric_fields {
    const af_node *name, *sw, *topology, *oversubscription, *levels, *connects; /* sw: switch: */
} fabric_fields;
static const scen_key fabric_keys[] = {
    SCEN_KEY(fabric_fields, "name", name, SCEN_REQUIRED),
    SCEN_KEY(fabric_fields, "switch", sw, SCEN_REQUIRED),
    SCEN_KEY(fabric_fields, "topology", topology, SCEN_OPTIONAL),
    SCEN_KEY(fabric_fields, "oversubscription", oversubscription, SCEN_OPTIONAL),
    SCEN_KEY(fabric_fields, "levels", levels, SCEN_OPTIONAL),
    SCEN_KEY(fabric_fields, "connects", connects, SCEN_REQUIRED),
};

/* A workload's `qos:`. */
typedef struct qos_fields {
    const af_node *weight;
} qos_fields;
static const scen_key qos_keys[] = {
    SCEN_KEY(qos_fields, "weight", weight, SCEN_OPTIONAL),
};

/* A training job's `dataset:`. */
typedef struct dataset_fields {
    const af_node *tier, *size, *sample_size, *sample_spread, *samples_per_file, *files,
        *reader_threads, *prefetch;
} dataset_fields;
static const scen_key dataset_keys[] = {
    SCEN_KEY(dataset_fields, "tier", tier, SCEN_REQUIRED),
    SCEN_KEY_OR(dataset_fields, "size", size, "files"),
    SCEN_KEY(dataset_fields, "sample_size", sample_size, SCEN_REQUIRED),
    SCEN_KEY(dataset_fields, "sample_spread", sample_spread, SCEN_OPTIONAL),
    SCEN_KEY(dataset_fields, "samples_per_file", samples_per_file, SCEN_OPTIONAL),
    SCEN_KEY(dataset_fields, "files", files, SCEN_OPTIONAL),
    SCEN_KEY(dataset_fields, "reader_threads", reader_threads, SCEN_OPTIONAL),
    SCEN_KEY(dataset_fields, "prefetch", prefetch, SCEN_OPTIONAL),
};

/* A training job's `model:`. */
typedef struct model_fields {
    const af_node *params, *layers, *hidden, *seq_len;
} model_fields;
static const scen_key model_keys[] = {
    SCEN_KEY(model_fields, "params", params, SCEN_REQUIRED),
    SCEN_KEY(model_fields, "layers", layers, SCEN_OPTIONAL),
    SCEN_KEY(model_fields, "hidden", hidden, SCEN_OPTIONAL),
    SCEN_KEY(model_fields, "seq_len", seq_len, SCEN_OPTIONAL),
};

/* A training job's `checkpoint:`. */
typedef struct ckpt_fields {
    const af_node *to, *every, *every_steps, *mode, *size, *bytes_per_param, *writers, *keep,
        *weight, *drain;
} ckpt_fields;
static const scen_key ckpt_keys[] = {
    SCEN_KEY(ckpt_fields, "to", to, SCEN_REQUIRED),
    SCEN_KEY(ckpt_fields, "every", every, SCEN_OPTIONAL),
    SCEN_KEY(ckpt_fields, "every_steps", every_steps, SCEN_OPTIONAL),
    SCEN_KEY(ckpt_fields, "mode", mode, SCEN_OPTIONAL),
    SCEN_KEY(ckpt_fields, "size", size, SCEN_OPTIONAL),
    SCEN_KEY(ckpt_fields, "bytes_per_param", bytes_per_param, SCEN_OPTIONAL),
    SCEN_KEY(ckpt_fields, "writers", writers, SCEN_OPTIONAL),
    SCEN_KEY(ckpt_fields, "keep", keep, SCEN_OPTIONAL),
    SCEN_KEY(ckpt_fields, "weight", weight, SCEN_OPTIONAL),
    SCEN_KEY(ckpt_fields, "drain", drain, SCEN_OPTIONAL),
};

/* A training job's `failures:`. */
typedef struct fail_fields {
    const af_node *gpu_mtbf, *node_mtbf, *switch_mtbf, *distribution, *shape, *detect, *restart,
        *spares, *repair, *causes;
} fail_fields;
static const scen_key fail_keys[] = {
    SCEN_KEY(fail_fields, "gpu_mtbf", gpu_mtbf, SCEN_OPTIONAL),
    SCEN_KEY(fail_fields, "node_mtbf", node_mtbf, SCEN_OPTIONAL),
    SCEN_KEY(fail_fields, "switch_mtbf", switch_mtbf, SCEN_OPTIONAL),
    SCEN_KEY(fail_fields, "distribution", distribution, SCEN_OPTIONAL),
    SCEN_KEY(fail_fields, "shape", shape, SCEN_OPTIONAL),
    SCEN_KEY(fail_fields, "detect", detect, SCEN_OPTIONAL),
    SCEN_KEY(fail_fields, "restart", restart, SCEN_OPTIONAL),
    SCEN_KEY(fail_fields, "spares", spares, SCEN_OPTIONAL),
    SCEN_KEY(fail_fields, "repair", repair, SCEN_OPTIONAL),
    SCEN_KEY(fail_fields, "causes", causes, SCEN_OPTIONAL),
};

/* A training job's `parallel:`. */
typedef struct par_fields {
    const af_node *tensor, *pipeline, *microbatches, *overlap, *algorithm, *grad_bytes_per_param,
        *straggler_spread;
} par_fields;
static const scen_key par_keys[] = {
    SCEN_KEY(par_fields, "tensor", tensor, SCEN_OPTIONAL),
    SCEN_KEY(par_fields, "pipeline", pipeline, SCEN_OPTIONAL),
    SCEN_KEY(par_fields, "microbatches", microbatches, SCEN_OPTIONAL),
    SCEN_KEY(par_fields, "overlap", overlap, SCEN_OPTIONAL),
    SCEN_KEY(par_fields, "algorithm", algorithm, SCEN_OPTIONAL),
    SCEN_KEY(par_fields, "grad_bytes_per_param", grad_bytes_per_param, SCEN_OPTIONAL),
    SCEN_KEY(par_fields, "straggler_spread", straggler_spread, SCEN_OPTIONAL),
};

/* A `train:` workload. Either step_time or model, tokens_per_step and mfu is required; that
 * is checked by scen_compute. */
typedef struct train_fields {
    const af_node *name, *pool, *step_time, *model, *tokens_per_step, *mfu, *precision,
        *batch_per_gpu, *dataset, *qos, *steps, *checkpoint, *failures, *parallel;
} train_fields;
static const scen_key train_keys[] = {
    SCEN_KEY(train_fields, "name", name, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "pool", pool, SCEN_REQUIRED),
    SCEN_KEY(train_fields, "step_time", step_time, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "model", model, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "tokens_per_step", tokens_per_step, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "mfu", mfu, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "precision", precision, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "batch_per_gpu", batch_per_gpu, SCEN_REQUIRED),
    SCEN_KEY(train_fields, "dataset", dataset, SCEN_REQUIRED),
    SCEN_KEY(train_fields, "qos", qos, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "steps", steps, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "checkpoint", checkpoint, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "failures", failures, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "parallel", parallel, SCEN_OPTIONAL),
};

/* A `burst:` workload. */
typedef struct burst_fields {
    const af_node *name, *pool, *tier, *direction, *size, *every, *start, *op_size, *keep, *qos;
} burst_fields;
static const scen_key burst_keys[] = {
    SCEN_KEY(burst_fields, "name", name, SCEN_REQUIRED),
    SCEN_KEY(burst_fields, "pool", pool, SCEN_OPTIONAL),
    SCEN_KEY(burst_fields, "tier", tier, SCEN_REQUIRED),
    SCEN_KEY(burst_fields, "direction", direction, SCEN_OPTIONAL),
    SCEN_KEY(burst_fields, "size", size, SCEN_REQUIRED),
    SCEN_KEY(burst_fields, "every", every, SCEN_REQUIRED),
    SCEN_KEY(burst_fields, "start", start, SCEN_OPTIONAL),
    SCEN_KEY(burst_fields, "op_size", op_size, SCEN_OPTIONAL),
    SCEN_KEY(burst_fields, "keep", keep, SCEN_OPTIONAL),
    SCEN_KEY(burst_fields, "qos", qos, SCEN_OPTIONAL),
};

/* A `lookup:` workload. */
typedef struct lookup_fields {
    const af_node *name, *tier, *rate, *size, *slo;
} lookup_fields;
static const scen_key lookup_keys[] = {
    SCEN_KEY(lookup_fields, "name", name, SCEN_REQUIRED),
    SCEN_KEY(lookup_fields, "tier", tier, SCEN_REQUIRED),
    SCEN_KEY(lookup_fields, "rate", rate, SCEN_REQUIRED),
    SCEN_KEY(lookup_fields, "size", size, SCEN_OPTIONAL),
    SCEN_KEY(lookup_fields, "slo", slo, SCEN_OPTIONAL),
};

/* The member of a fields struct at offset. */
static const af_node **scen_member(void *fields, size_t offset)
{
    return (const af_node **)(void *)((char *)fields + offset);
}

/* Splits mapping `map` by the n keys of `keys` into *fields (a struct of `const af_node *`
 * members: the value under each key, NULL when absent), reporting every other key as unknown
 * (af_check_keys). Required keys are not checked (scen_require). */
static void scen_split(scen *s, const af_node *map, const scen_key *keys, size_t n, void *fields)
{
    const char *names[SCEN_MAX_KEYS];
    af_node *vals[SCEN_MAX_KEYS];
    assert(n <= SCEN_MAX_KEYS);
    for (size_t i = 0; i < n; i++)
        names[i] = keys[i].name;
    af_check_keys(&s->c, map, &s->path, names, n, vals);
    for (size_t i = 0; i < n; i++)
        *scen_member(fields, keys[i].offset) = vals[i];
}

/* Reports, at map, each required key of `keys` that *fields lacks, in table order: `missing
 * required field "size"`, or `missing required field "size" (or "files")` when its or_key is
 * absent too. */
static void scen_require(scen *s, const af_node *map, const scen_key *keys, size_t n, void *fields)
{
    for (size_t i = 0; i < n; i++) {
        if (keys[i].need != SCEN_REQUIRED || *scen_member(fields, keys[i].offset))
            continue;
        if (!keys[i].or_key) {
            af_check_required(&s->c, map, &s->path, keys[i].name, NULL);
            continue;
        }
        size_t j = 0;
        while (j < n && strcmp(keys[j].name, keys[i].or_key) != 0)
            j++;
        assert(j < n);
        if (!*scen_member(fields, keys[j].offset))
            af_check_error(&s->c, map, &s->path, "missing required field \"%s\" (or \"%s\")",
                           keys[i].name, keys[i].or_key);
    }
}

/* scen_split, then scen_require: the usual way to read a mapping's keys. */
static void scen_fields(scen *s, const af_node *map, const scen_key *keys, size_t n, void *fields)
{
    scen_split(s, map, keys, n, fields);
    scen_require(s, map, keys, n, fields);
}

/* The names of the first n entries whose name node is set, for "did you mean" and "defined:";
 * a new array (release with af_free) of borrowed strings. */
static const char **scen_names(const af_node *const *at, size_t n, size_t *count)
{
    const char **names = af_malloc_array(n ? n : 1, sizeof *names);
    *count = 0;
    for (size_t i = 0; i < n; i++)
        if (at[i])
            names[(*count)++] = at[i]->text;
    return names;
}

/* Index of the entry called name among the first n, or SIZE_MAX. */
static size_t scen_index(const af_node *const *at, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (at[i] && strcmp(at[i]->text, name) == 0)
            return i;
    return SIZE_MAX;
}

/* The entry of mapping map under key (for the key's position), or NULL. */
static const af_pair *scen_pair(const af_node *map, const char *key)
{
    if (!map || map->kind != AF_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->pairs[i].key->text, key) == 0)
            return &map->pairs[i];
    return NULL;
}

/* Reads a unique entry name (pool, tier, fabric or workload) at node; returns it, or NULL when
 * it is malformed or taken (both reported). at[0..n) are the names so far. */
static const char *scen_unique(scen *s, const af_node *node, const af_node *const *at, size_t n,
                               const char *noun, const char *hint)
{
    const char *name = af_check_name(&s->c, node, &s->path);
    if (!name)
        return NULL;
    size_t i = scen_index(at, n, name);
    if (i == SIZE_MAX)
        return name;
    char q[128];
    af_check_error(&s->c, node, &s->path, "duplicate %s name \"%s\"; first defined at line %d%s",
                   noun, af_doc_quote(name, q, sizeof q), at[i]->line, hint);
    return NULL;
}

/* Checks that a list has 1 to AF_SCENARIO_MAX_ENTRIES entries. */
static bool scen_list(scen *s, const af_node *list, const char *what)
{
    if (!af_check_seq(&s->c, list, &s->path, what))
        return false;
    if (list->n >= 1 && list->n <= AF_SCENARIO_MAX_ENTRIES)
        return true;
    if (list->n == 0)
        af_check_error(&s->c, list, &s->path, "expected %s, got an empty list", what);
    else
        af_check_error(&s->c, list, &s->path, "expected at most %d entries, got %zu",
                       AF_SCENARIO_MAX_ENTRIES, list->n);
    return false;
}

/* Looks up a catalog entry by the name at node; copies it into spec and returns true, or
 * reports an unknown name (with "did you mean") and returns false. */
static bool scen_catalog(scen *s, af_section sec, const af_node *node, void *spec)
{
    const af_spec_desc *desc = af_schema_desc(sec);
    char what[96];
    snprintf(what, sizeof what, "a %s name from the catalog", desc->noun);
    const char *name = af_check_label(&s->c, node, &s->path, what, desc->example);
    if (!name)
        return false;
    const void *entry = af_catalog_find(s->cat, sec, name);
    if (entry) {
        memcpy(spec, entry, desc->size);
        return true;
    }
    size_t n;
    const char *const *names = af_catalog_names(s->cat, sec, &n);
    af_check_unknown(&s->c, node, &s->path, desc->noun, name, names, n, desc->key);
    return false;
}

/* Applies an `override:` mapping to spec (NULL: only check it) and copies the spec's strings
 * into the arena. */
static void scen_override(scen *s, af_section sec, const af_node *override, void *spec)
{
    if (override) {
        size_t old = af_path_key(&s->path, "override");
        af_schema_read(&s->c, &s->refs, sec, override, &s->path, AF_SCHEMA_OVERRIDE, spec, NULL);
        af_path_pop(&s->path, old);
    }
    if (spec)
        af_schema_intern(sec, spec, s->arena);
}

/* A list of named entries that each take a catalog model and a node count: the pools of
 * `cluster:` and the tiers of `storage:`. The entry structs are read through offsets so that
 * one reader serves both. */
typedef struct scen_group {
    const char *list_key;  /* "cluster" */
    const char *name_key;  /* "pool" */
    const char *model_key; /* "node" */
    af_section section;    /* the catalog section of the model */
    const char *what;      /* the list, for "expected ..." */
    const char *item_what; /* one entry, for "expected ..." */
    size_t size;           /* sizeof the entry struct */
    size_t name_offset;    /* offsetof its `const char *name` */
    size_t model_offset;   /* offsetof its spec */
    size_t nodes_offset;   /* offsetof its `int64_t nodes` */
    const scen_key *keys;  /* the keys of an entry (pool_keys, tier_keys) */
    size_t nkeys;
} scen_group;

static const scen_group pool_group = {
    "cluster",
    "pool",
    "node",
    AF_SECTION_NODES,
    "a list of pools such as \"- { pool: train, node: dgx-h100, nodes: 16 }\"",
    "a mapping of pool fields (pool, node, nodes)",
    sizeof(af_pool_config),
    offsetof(af_pool_config, name),
    offsetof(af_pool_config, node),
    offsetof(af_pool_config, nodes),
    pool_keys,
    SCEN_N(pool_keys)};

static const scen_group tier_group = {
    "storage",
    "tier",
    "system",
    AF_SECTION_STORAGE,
    "a list of tiers such as \"- { tier: hot, system: flash-qlc-node, nodes: 4 }\"",
    "a mapping of tier fields (tier, system, nodes)",
    sizeof(af_tier_config),
    offsetof(af_tier_config, name),
    offsetof(af_tier_config, system),
    offsetof(af_tier_config, nodes),
    tier_keys,
    SCEN_N(tier_keys)};

/* Reads a group's list into a new array of entries (returned; *n receives the count, *at the
 * name node of each entry, NULL where the name was wrong, and *items each entry's mapping, NULL
 * where it was not one). Returns NULL when the list is unusable (reported). */
static void *scen_group_read(scen *s, const scen_group *g, const af_node *list, size_t *n,
                             const af_node ***at, const af_node ***items)
{
    *n = 0;
    size_t old = af_path_key(&s->path, g->list_key);
    if (!scen_list(s, list, g->what)) {
        af_path_pop(&s->path, old);
        return NULL;
    }
    char *entries = af_arena_calloc(s->arena, list->n, g->size);
    *at = af_arena_calloc(s->arena, list->n, sizeof **at);
    *items = af_arena_calloc(s->arena, list->n, sizeof **items);
    for (size_t i = 0; i < list->n; i++) {
        const af_node *item = list->items[i];
        char *e = entries + i * g->size;
        *n = i + 1;
        size_t o = af_path_index(&s->path, i);
        if (!af_check_map(&s->c, item, &s->path, g->item_what)) {
            af_path_pop(&s->path, o);
            continue;
        }
        (*items)[i] = item;
        group_fields v = {0}; /* a pool's table leaves the tier-only members */
        scen_fields(s, item, g->keys, g->nkeys, &v);
        size_t k = af_path_key(&s->path, g->name_key);
        if (v.name && scen_unique(s, v.name, *at, i, g->name_key, "")) {
            (*at)[i] = v.name;
            *(const char **)(e + g->name_offset) = af_arena_strdup(s->arena, v.name->text);
        }
        af_path_pop(&s->path, k);
        k = af_path_key(&s->path, g->model_key);
        bool known = v.model && scen_catalog(s, g->section, v.model, e + g->model_offset);
        af_path_pop(&s->path, k);
        k = af_path_key(&s->path, "nodes");
        if (v.nodes)
            af_check_integer(&s->c, v.nodes, &s->path, 1, AF_SCENARIO_MAX_NODES,
                             (int64_t *)(void *)(e + g->nodes_offset));
        af_path_pop(&s->path, k);
        scen_override(s, g->section, v.override, known ? e + g->model_offset : NULL);
        af_path_pop(&s->path, o);
    }
    af_path_pop(&s->path, old);
    return entries;
}

/* facility: a preset name, or a mapping with an optional preset and figures to override. */
static void scen_facility(scen *s, const af_node *root, const af_node *node)
{
    const af_node *preset = NULL;
    af_node over = {0}; /* the mapping without its `preset:` entry */
    size_t old = af_path_key(&s->path, "facility");
    if (node && node->kind == AF_NODE_MAP) {
        over = *node;
        over.pairs = af_arena_calloc(s->arena, node->n, sizeof *over.pairs);
        over.n = 0;
        for (size_t i = 0; i < node->n; i++)
            if (strcmp(node->pairs[i].key->text, "preset") == 0)
                preset = node->pairs[i].value;
            else
                over.pairs[over.n++] = node->pairs[i];
    } else if (node) {
        preset = node;
    }
    bool known;
    if (preset) {
        size_t k = node->kind == AF_NODE_MAP ? af_path_key(&s->path, "preset") : s->path.len;
        known = scen_catalog(s, AF_SECTION_FACILITY, preset, &s->w.facility);
        af_path_pop(&s->path, k);
    } else {
        const af_facility_spec *def = af_catalog_find_facility(s->cat, "hyperscale");
        if (def)
            s->w.facility = *def;
        else
            af_check_error(&s->c, node ? node : root, &s->path,
                           "the catalog has no \"hyperscale\" preset to default to; name one");
        known = def != NULL;
    }
    if (node && node->kind == AF_NODE_MAP)
        af_schema_read(&s->c, &s->refs, AF_SECTION_FACILITY, &over, &s->path, AF_SCHEMA_OVERRIDE,
                       known ? &s->w.facility : NULL, NULL);
    if (known)
        af_schema_intern(AF_SECTION_FACILITY, &s->w.facility, s->arena);
    af_path_pop(&s->path, old);
}

/* Resolves a pool or tier reference (noun "pool" or "tier") at node; returns its index or
 * SIZE_MAX (reported). */
static size_t scen_ref(scen *s, const af_node *node, const af_node *const *at, size_t n,
                       const char *noun)
{
    char what[64];
    snprintf(what, sizeof what, "a %s name", noun);
    const char *example = strcmp(noun, "pool") == 0 ? "train" : "hot";
    const char *name = af_check_label(&s->c, node, &s->path, what, example);
    if (!name)
        return SIZE_MAX;
    size_t i = scen_index(at, n, name);
    if (i != SIZE_MAX)
        return i;
    size_t count;
    const char **names = scen_names(at, n, &count);
    /* Without any valid name (the list missing or all of its names wrong) the reference error
     * would only repeat an earlier one. */
    if (count)
        af_check_unknown(&s->c, node, &s->path, noun, name, names, count, NULL);
    af_free(names);
    return SIZE_MAX;
}

/* Like scen_ref under key `key` of the current path; node may be NULL (returns SIZE_MAX). */
static size_t scen_ref_key(scen *s, const af_node *node, const char *key, const af_node *const *at,
                           size_t n, const char *noun)
{
    if (!node)
        return SIZE_MAX;
    size_t k = af_path_key(&s->path, key);
    size_t i = scen_ref(s, node, at, n, noun);
    af_path_pop(&s->path, k);
    return i;
}

/* Reads an optional quantity under key of map at the current path. */
static bool scen_quantity(scen *s, const af_node *node, const char *key, af_dim dim, af_range r,
                          double *out)
{
    if (!node)
        return false;
    size_t k = af_path_key(&s->path, key);
    bool ok = af_check_quantity(&s->c, node, &s->path, dim, r, out);
    af_path_pop(&s->path, k);
    return ok;
}

/* Reads an optional integer in [min, max] under key; returns whether one was read. */
static bool scen_integer(scen *s, const af_node *node, const char *key, int64_t min, int64_t max,
                         int64_t *out)
{
    if (!node)
        return false;
    size_t k = af_path_key(&s->path, key);
    bool ok = af_check_integer(&s->c, node, &s->path, min, max, out);
    af_path_pop(&s->path, k);
    return ok;
}

/* Reports an error at node under key of the current path. */
#define SCEN_ERROR_AT(s, key, node, ...)                                                           \
    do {                                                                                           \
        size_t k_ = af_path_key(&(s)->path, key);                                                  \
        af_check_error(&(s)->c, node, &(s)->path, __VA_ARGS__);                                    \
        af_path_pop(&(s)->path, k_);                                                               \
    } while (0)

/* ---------------------------------------------------------------------------------------------
 * Tiers: cache, drain and reserve (read after every tier name is known, since they refer to
 * tiers declared later too). */

/* The name of tier i for messages. */
static const char *scen_tier_name(const scen *s, size_t i, char *buf, size_t n)
{
    if (s->tier_at[i])
        return af_doc_quote(s->tier_at[i]->text, buf, n);
    snprintf(buf, n, "storage[%zu]", i);
    return buf;
}

/* cache: { for: TIER, hit_ratio: RATIO } of tier i. cache[j] is tier j's `cache` entry or NULL;
 * cached_by[j] the tier that caches tier j so far, or AF_WORLD_NONE. */
static void scen_cache(scen *s, size_t i, const af_pair *const *cache, size_t *cached_by)
{
    af_tier_config *t = &s->w.tiers[i];
    const af_node *m = cache[i]->value;
    size_t old = af_path_key(&s->path, "cache");
    if (!af_check_map(&s->c, m, &s->path, "a mapping such as { for: capacity, hit_ratio: 80% }")) {
        af_path_pop(&s->path, old);
        return;
    }
    cache_fields v;
    scen_fields(s, m, cache_keys, SCEN_N(cache_keys), &v);
    size_t b = scen_ref_key(s, v.target, "for", s->tier_at, s->w.ntiers, "tier");
    char q[128], r[128];
    if (b == i) {
        SCEN_ERROR_AT(s, "for", v.target, "expected another tier; a tier cannot cache itself");
    } else if (b != SIZE_MAX && cache[b]) {
        SCEN_ERROR_AT(s, "for", v.target,
                      "tier \"%s\" is itself a cache (line %d); caches do not chain",
                      scen_tier_name(s, b, q, sizeof q), cache[b]->key->line);
    } else if (b != SIZE_MAX && cached_by[b] != AF_WORLD_NONE) {
        SCEN_ERROR_AT(s, "for", v.target,
                      "tier \"%s\" already has a cache, \"%s\" (line %d); a tier has at "
                      "most one",
                      scen_tier_name(s, b, q, sizeof q),
                      scen_tier_name(s, cached_by[b], r, sizeof r), cache[cached_by[b]]->key->line);
    } else if (b != SIZE_MAX) {
        cached_by[b] = i;
        t->cache_for = b;
    }
    scen_quantity(s, v.hit_ratio, "hit_ratio", AF_DIM_RATIO, (af_range){0, 1, false},
                  &t->hit_ratio);
    af_path_pop(&s->path, old);
}

/* drain: { to: TIER, weight: NUMBER } of tier i. drain[j] is tier j's `drain` entry or NULL. */
static void scen_drain(scen *s, size_t i, const af_pair *const *drain)
{
    af_tier_config *t = &s->w.tiers[i];
    const af_node *m = drain[i]->value;
    size_t old = af_path_key(&s->path, "drain");
    if (!af_check_map(&s->c, m, &s->path, "a mapping such as { to: archive, weight: 0.25 }")) {
        af_path_pop(&s->path, old);
        return;
    }
    drain_fields v;
    scen_fields(s, m, drain_keys, SCEN_N(drain_keys), &v);
    size_t b = scen_ref_key(s, v.to, "to", s->tier_at, s->w.ntiers, "tier");
    char q[128];
    if (b == i) {
        SCEN_ERROR_AT(s, "to", v.to, "expected another tier; a tier cannot drain into itself");
    } else if (b != SIZE_MAX && drain[b]) {
        SCEN_ERROR_AT(s, "to", v.to, "tier \"%s\" itself drains (line %d); drains do not chain",
                      scen_tier_name(s, b, q, sizeof q), drain[b]->key->line);
    } else if (b != SIZE_MAX) {
        t->drain_to = b;
    }
    scen_quantity(s, v.weight, "weight", AF_DIM_NUMBER, (af_range){0, 1e6, true}, &t->drain_weight);
    af_path_pop(&s->path, old);
}

/* The cache, drain and reserve fields of every tier (defaults where absent). */
static void scen_tier_links(scen *s)
{
    size_t n = s->w.ntiers;
    const af_pair **cache = af_arena_calloc(s->arena, n, sizeof *cache);
    const af_pair **drain = af_arena_calloc(s->arena, n, sizeof *drain);
    size_t *cached_by = af_arena_calloc(s->arena, n, sizeof *cached_by);
    for (size_t i = 0; i < n; i++) {
        af_tier_config *t = &s->w.tiers[i];
        t->cache_for = AF_WORLD_NONE;
        t->drain_to = AF_WORLD_NONE;
        t->drain_weight = 0.25;
        cached_by[i] = AF_WORLD_NONE;
        cache[i] = scen_pair(s->tier_item[i], "cache");
        drain[i] = scen_pair(s->tier_item[i], "drain");
    }
    size_t old = af_path_key(&s->path, "storage");
    for (size_t i = 0; i < n; i++) {
        if (!s->tier_item[i])
            continue;
        size_t o = af_path_index(&s->path, i);
        if (cache[i])
            scen_cache(s, i, cache, cached_by);
        if (drain[i])
            scen_drain(s, i, drain);
        scen_quantity(s, af_node_find(s->tier_item[i], "reserve"), "reserve", AF_DIM_RATIO,
                      (af_range){0, 0.9, false}, &s->w.tiers[i].reserve);
        af_path_pop(&s->path, o);
    }
    af_path_pop(&s->path, old);
}

/* ---------------------------------------------------------------------------------------------
 * Fabrics. */

/* switch: a catalog switch copied into *sw with its strings in the arena. */
static bool scen_switch(scen *s, const af_node *node, af_switch_spec *sw)
{
    const char *name = af_check_label(&s->c, node, &s->path, "a switch name from the catalog",
                                      af_schema_desc(AF_SECTION_SWITCHES)->example);
    if (!name)
        return false;
    const af_switch_spec *e = af_catalog_find_switch(s->cat, name);
    if (e) {
        *sw = *e;
        sw->name = e->name ? af_arena_strdup(s->arena, e->name) : NULL;
        sw->description = e->description ? af_arena_strdup(s->arena, e->description) : NULL;
        return true;
    }
    size_t n;
    const char *const *names = af_catalog_names(s->cat, AF_SECTION_SWITCHES, &n);
    af_check_unknown(&s->c, node, &s->path, "switch", name, names, n, "switches");
    return false;
}

/* Parses a whole decimal number of the text [p, end) into *out; true when it is one. */
static bool scen_ratio_part(const char *p, const char *end, double *out)
{
    char buf[64];
    while (p < end && *p == ' ')
        p++;
    while (end > p && end[-1] == ' ')
        end--;
    size_t len = (size_t)(end - p);
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, p, len);
    buf[len] = '\0';
    char err[160];
    return af_units_parse(buf, AF_DIM_NUMBER, out, err, sizeof err) == 0 && isfinite(*out) &&
           *out > 0;
}

/* oversubscription: a number in [1, 64] ("2"), or the ratio written "2:1". */
static void scen_oversub(scen *s, const af_node *node, double *out)
{
    size_t k = af_path_key(&s->path, "oversubscription");
    static const char what[] = "an oversubscription from 1 to 64 such as \"2\" or \"2:1\"";
    const char *colon = node->kind == AF_NODE_SCALAR ? strchr(node->text, ':') : NULL;
    if (colon) {
        double a, b;
        char q[128];
        if (scen_ratio_part(node->text, colon, &a) &&
            scen_ratio_part(colon + 1, node->text + node->n, &b) && a / b >= 1 && a / b <= 64)
            *out = a / b;
        else
            af_check_error(&s->c, node, &s->path, "expected %s, got \"%s\"", what,
                           af_doc_quote(node->text, q, sizeof q));
    } else {
        af_check_quantity(&s->c, node, &s->path, AF_DIM_NUMBER, (af_range){1, 64, false}, out);
    }
    af_path_pop(&s->path, k);
}

/* Where each pool and tier sits while fabrics are read. */
typedef struct scen_on {
    size_t *pool_fabric;       /* per pool: its fabric, or SIZE_MAX */
    const af_node **pool_at;   /* per pool: the connects entry that put it there */
    size_t *pool_fabric2;      /* per pool: a second fabric, or SIZE_MAX */
    const af_node **pool_at2;  /* per pool: the connects entry that put it on the second */
    size_t *tier_fabric;       /* per tier: likewise (one fabric) */
    const af_node **tier_at;   /* per tier: likewise */
    const af_node **fabric_at; /* per fabric: its name node, or NULL */
} scen_on;

/* Name of fabric fi for a message: its name, or fabric[fi]. */
static const char *scen_fabric_label(const scen_on *on, size_t fi, char *buf, size_t len)
{
    if (on->fabric_at[fi])
        return af_doc_quote(on->fabric_at[fi]->text, buf, len);
    snprintf(buf, len, "fabric[%zu]", fi);
    return buf;
}

/* connects: the pools and tiers of fabric fi. */
static void scen_connects(scen *s, size_t fi, const af_node *list, scen_on *on)
{
    af_fabric_config *f = &s->w.fabrics[fi];
    static const char what[] = "a list of pool and tier names such as [train, hot]";
    size_t old = af_path_key(&s->path, "connects");
    if (!af_check_seq(&s->c, list, &s->path, what)) {
        af_path_pop(&s->path, old);
        return;
    }
    if (list->n == 0 || list->n > AF_FABRIC_MAX_GROUPS) {
        if (list->n == 0)
            af_check_error(&s->c, list, &s->path, "expected %s, got an empty list", what);
        else
            af_check_error(&s->c, list, &s->path, "expected at most %d pools and tiers, got %zu",
                           AF_FABRIC_MAX_GROUPS, list->n);
        af_path_pop(&s->path, old);
        return;
    }
    f->pools = af_arena_calloc(s->arena, list->n, sizeof *f->pools);
    f->tiers = af_arena_calloc(s->arena, list->n, sizeof *f->tiers);
    for (size_t i = 0; i < list->n; i++) {
        const af_node *item = list->items[i];
        size_t o = af_path_index(&s->path, i);
        const char *name = af_check_label(&s->c, item, &s->path, "a pool or tier name", "train");
        size_t p = name ? scen_index(s->pool_at, s->w.npools, name) : SIZE_MAX;
        size_t t = name ? scen_index(s->tier_at, s->w.ntiers, name) : SIZE_MAX;
        char q[128], r[128];
        if (!name) {
            ;
        } else if (p != SIZE_MAX && t != SIZE_MAX) {
            af_check_error(&s->c, item, &s->path,
                           "\"%s\" is both a pool (line %d) and a tier (line %d); rename one",
                           af_doc_quote(name, q, sizeof q), s->pool_at[p]->line,
                           s->tier_at[t]->line);
        } else if (p == SIZE_MAX && t == SIZE_MAX) {
            size_t np, nt;
            const char **pools = scen_names(s->pool_at, s->w.npools, &np);
            const char **tiers = scen_names(s->tier_at, s->w.ntiers, &nt);
            const char **all = af_malloc_array(np + nt + 1, sizeof *all);
            if (np)
                memcpy(all, pools, np * sizeof *all);
            if (nt)
                memcpy(all + np, tiers, nt * sizeof *all);
            if (np + nt)
                af_check_unknown(&s->c, item, &s->path, "pool or tier", name, all, np + nt, NULL);
            af_free(all);
            af_free(tiers);
            af_free(pools);
        } else {
            bool pool = p != SIZE_MAX;
            size_t idx = pool ? p : t;
            size_t *fab = pool ? &on->pool_fabric[idx] : &on->tier_fabric[idx];
            const af_node **at = pool ? &on->pool_at[idx] : &on->tier_at[idx];
            if (pool && *fab != SIZE_MAX && *fab != fi && on->pool_fabric2[idx] == SIZE_MAX) {
                /* A pool may also join a second fabric: a storage fabric and a backend one. */
                fab = &on->pool_fabric2[idx];
                at = &on->pool_at2[idx];
            }
            if (*fab == fi || (pool && on->pool_fabric2[idx] == fi)) {
                const af_node *first = *fab == fi ? *at : on->pool_at2[idx];
                af_check_error(&s->c, item, &s->path, "\"%s\" is listed twice (first at column %d)",
                               af_doc_quote(name, q, sizeof q), first->col);
            } else if (*fab != SIZE_MAX) {
                if (pool) {
                    fab = &on->pool_fabric2[idx];
                    at = &on->pool_at2[idx];
                }
                scen_fabric_label(on, *fab, r, sizeof r);
                af_check_error(&s->c, item, &s->path,
                               pool ? "pool \"%s\" is already on two fabrics (the second \"%s\", "
                                      "line %d); a pool joins at most one storage fabric and one "
                                      "backend fabric"
                                    : "tier \"%s\" is already on fabric \"%s\" (line %d); a tier "
                                      "is on at most one fabric",
                               af_doc_quote(name, q, sizeof q), r, (*at)->line);
            } else {
                *fab = fi;
                *at = item;
                if (pool)
                    f->pools[f->npools++] = idx;
                else
                    f->tiers[f->ntiers++] = idx;
            }
        }
        af_path_pop(&s->path, o);
    }
    af_path_pop(&s->path, old);
}

/* fabric: an optional list of up to AF_SCENARIO_MAX_FABRICS fabrics. */
static void scen_fabrics(scen *s, const af_node *list)
{
    size_t old = af_path_key(&s->path, "fabric");
    if (!af_check_seq(&s->c, list, &s->path,
                      "a list of fabrics such as \"- { name: backend, switch: qm9700, connects: "
                      "[train, hot] }\"")) {
        af_path_pop(&s->path, old);
        return;
    }
    if (list->n > AF_SCENARIO_MAX_FABRICS) {
        af_check_error(&s->c, list, &s->path, "expected at most %d fabrics, got %zu",
                       AF_SCENARIO_MAX_FABRICS, list->n);
        af_path_pop(&s->path, old);
        return;
    }
    scen_on on = {.pool_fabric = af_arena_calloc(s->arena, s->w.npools, sizeof *on.pool_fabric),
                  .pool_at = af_arena_calloc(s->arena, s->w.npools, sizeof *on.pool_at),
                  .pool_fabric2 = af_arena_calloc(s->arena, s->w.npools, sizeof *on.pool_fabric2),
                  .pool_at2 = af_arena_calloc(s->arena, s->w.npools, sizeof *on.pool_at2),
                  .tier_fabric = af_arena_calloc(s->arena, s->w.ntiers, sizeof *on.tier_fabric),
                  .tier_at = af_arena_calloc(s->arena, s->w.ntiers, sizeof *on.tier_at),
                  .fabric_at = af_arena_calloc(s->arena, list->n, sizeof *on.fabric_at)};
    for (size_t i = 0; i < s->w.npools; i++)
        on.pool_fabric[i] = on.pool_fabric2[i] = SIZE_MAX;
    for (size_t i = 0; i < s->w.ntiers; i++)
        on.tier_fabric[i] = SIZE_MAX;
    s->w.fabrics = af_arena_calloc(s->arena, list->n, sizeof *s->w.fabrics);
    for (size_t i = 0; i < list->n; i++) {
        const af_node *item = list->items[i];
        af_fabric_config *f = &s->w.fabrics[i];
        s->w.nfabrics = i + 1;
        f->spec.topology = AF_FABRIC_FAT_TREE;
        f->spec.oversubscription = 1;
        f->spec.levels = 0;
        size_t o = af_path_index(&s->path, i);
        if (!af_check_map(&s->c, item, &s->path,
                          "a mapping of fabric fields (name, switch, connects)")) {
            af_path_pop(&s->path, o);
            continue;
        }
        fabric_fields v;
        scen_fields(s, item, fabric_keys, SCEN_N(fabric_keys), &v);
        size_t k;
        if (v.name) {
            k = af_path_key(&s->path, "name");
            if (scen_unique(s, v.name, on.fabric_at, i, "fabric", "")) {
                on.fabric_at[i] = v.name;
                f->name = af_arena_strdup(s->arena, v.name->text);
                f->spec.name = f->name;
            }
            af_path_pop(&s->path, k);
        }
        if (v.sw) {
            k = af_path_key(&s->path, "switch");
            scen_switch(s, v.sw, &f->spec.sw);
            af_path_pop(&s->path, k);
        }
        if (v.topology) {
            static const char *const words[] = {
                [AF_FABRIC_FAT_TREE] = "fat-tree", [AF_FABRIC_RAIL] = "rail", NULL};
            k = af_path_key(&s->path, "topology");
            f->spec.topology = af_check_word(&s->c, v.topology, &s->path, words) == AF_FABRIC_RAIL
                                   ? AF_FABRIC_RAIL
                                   : AF_FABRIC_FAT_TREE;
            af_path_pop(&s->path, k);
        }
        if (v.oversubscription)
            scen_oversub(s, v.oversubscription, &f->spec.oversubscription);
        int64_t levels;
        if (scen_integer(s, v.levels, "levels", 0, 3, &levels))
            f->spec.levels = (int)levels;
        if (v.connects)
            scen_connects(s, i, v.connects, &on);
        af_path_pop(&s->path, o);
    }
    /* A pool on two fabrics needs one with tiers (storage) and one without (backend). */
    for (size_t p = 0; p < s->w.npools; p++) {
        size_t a = on.pool_fabric[p], b = on.pool_fabric2[p];
        if (b == SIZE_MAX)
            continue;
        bool sa = s->w.fabrics[a].ntiers > 0, sb = s->w.fabrics[b].ntiers > 0;
        if (sa != sb)
            continue;
        char q[128], r[128], t[128];
        size_t o = af_path_index(&s->path, b);
        size_t k = af_path_key(&s->path, "connects");
        af_check_error(&s->c, on.pool_at2[p], &s->path,
                       "pool \"%s\" is on two %s fabrics, \"%s\" and \"%s\"; a pool joins at most "
                       "one storage fabric (one that connects tiers) and one backend fabric (pools "
                       "only)",
                       af_doc_quote(on.pool_at2[p]->text, q, sizeof q), sa ? "storage" : "backend",
                       scen_fabric_label(&on, a, r, sizeof r),
                       scen_fabric_label(&on, b, t, sizeof t));
        af_path_pop(&s->path, k);
        af_path_pop(&s->path, o);
    }
    af_path_pop(&s->path, old);
}

/* ---------------------------------------------------------------------------------------------
 * Workloads. */

/* qos: { weight: NUMBER } in (0, 1e6]; *weight is 1 when absent. */
static void scen_qos(scen *s, const af_node *node, double *weight)
{
    *weight = 1;
    if (!node)
        return;
    size_t k = af_path_key(&s->path, "qos");
    if (af_check_map(&s->c, node, &s->path, "a mapping such as { weight: 2 }")) {
        qos_fields v;
        scen_fields(s, node, qos_keys, SCEN_N(qos_keys), &v);
        scen_quantity(s, v.weight, "weight", AF_DIM_NUMBER, (af_range){0, 1e6, true}, weight);
    }
    af_path_pop(&s->path, k);
}

/* Registers the name at node (under key `key`) as workload wi's; returns it (in the arena) or
 * NULL when it is malformed or taken (reported). */
static const char *scen_work_name(scen *s, const af_node *node, const char *key, size_t wi,
                                  const char *hint)
{
    size_t k = af_path_key(&s->path, key);
    const char *name = scen_unique(s, node, s->work_at, wi, "workload", hint);
    af_path_pop(&s->path, k);
    s->work_at[wi] = name ? node : NULL;
    return name ? af_arena_strdup(s->arena, name) : NULL;
}

/* dataset: of a training job. */
static void scen_dataset(scen *s, const af_node *node, af_train_config *t)
{
    size_t old = af_path_key(&s->path, "dataset");
    t->samples_per_file = 1;
    t->prefetch = 2;
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { tier: hot, size: 50 TB, sample_size: 110 kB }")) {
        af_path_pop(&s->path, old);
        return;
    }
    dataset_fields v;
    scen_fields(s, node, dataset_keys, SCEN_N(dataset_keys), &v);
    t->tier = scen_ref_key(s, v.tier, "tier", s->tier_at, s->w.ntiers, "tier");
    bool size_ok =
        scen_quantity(s, v.size, "size", AF_DIM_SIZE, (af_range){0, 1e18, true}, &t->dataset_B);
    /* At least a microbyte: far smaller files cost more device time per byte than the fluid
     * model carries (1e30 units per byte), which made its accounts and the tiers' part ways
     * (fuzz finding devices-idle-while-holding, 2.2e-308 B samples). */
    bool sample_ok = scen_quantity(s, v.sample_size, "sample_size", AF_DIM_SIZE,
                                   (af_range){1e-6, 1e12, false}, &t->sample_B);
    if (size_ok && sample_ok && t->sample_B > t->dataset_B) {
        char a[64], b[64];
        SCEN_ERROR_AT(s, "sample_size", v.sample_size,
                      "expected at most the data set's size (%s), got %s",
                      af_units_format(t->dataset_B, AF_DIM_SIZE, a, sizeof a),
                      af_units_format(t->sample_B, AF_DIM_SIZE, b, sizeof b));
    }
    scen_quantity(s, v.sample_spread, "sample_spread", AF_DIM_SIZE, (af_range){0, 1e12, false},
                  &t->sample_sd_B);
    int64_t n;
    bool spf_ok = !v.samples_per_file ||
                  scen_integer(s, v.samples_per_file, "samples_per_file", 1, 1000000000, &n);
    if (v.samples_per_file && spf_ok)
        t->samples_per_file = (double)n;
    bool files_ok = v.files && scen_integer(s, v.files, "files", 1, 1000000000000000LL, &n);
    if (files_ok)
        t->files = (double)n;
    if (files_ok && spf_ok && sample_ok) {
        double total = t->files * t->samples_per_file * t->sample_B;
        char a[64], b[64];
        if (!v.size && total > 1e18) {
            SCEN_ERROR_AT(s, "files", v.files,
                          "files x samples_per_file x sample_size make %s; "
                          "expected at most 1 EB",
                          af_units_format(total, AF_DIM_SIZE, a, sizeof a));
        } else if (!v.size) {
            t->dataset_B = total;
        } else if (size_ok && fabs(total - t->dataset_B) > 0.01 * t->dataset_B) {
            SCEN_ERROR_AT(s, "files", v.files,
                          "files x samples_per_file x sample_size make %s but "
                          "size is %s; they must agree within 1%% (or give only one)",
                          af_units_format(total, AF_DIM_SIZE, a, sizeof a),
                          af_units_format(t->dataset_B, AF_DIM_SIZE, b, sizeof b));
        }
    } else if (!v.files && size_ok && sample_ok && spf_ok) {
        t->files = t->dataset_B / (t->sample_B * t->samples_per_file);
    }
    if (scen_integer(s, v.reader_threads, "reader_threads", 0, 4096, &n))
        t->reader_threads = (int)n;
    if (scen_integer(s, v.prefetch, "prefetch", 1, 1024, &n))
        t->prefetch = (int)n;
    af_path_pop(&s->path, old);
}

/* checkpoint: of a training job (after its compute side, whose params size it by default). */
static void scen_checkpoint(scen *s, const af_node *node, af_train_config *t)
{
    size_t old = af_path_key(&s->path, "checkpoint");
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { to: hot, every: 1 h, mode: async, keep: 3 }")) {
        af_path_pop(&s->path, old);
        return;
    }
    ckpt_fields v;
    scen_fields(s, node, ckpt_keys, SCEN_N(ckpt_keys), &v);
    af_ckpt_config *c = &t->ckpt;
    c->on = true;
    c->tier = scen_ref_key(s, v.to, "to", s->tier_at, s->w.ntiers, "tier");
    c->drain_to = AF_WORLD_NONE;
    if (v.drain) {
        c->drain_to = scen_ref_key(s, v.drain, "drain", s->tier_at, s->w.ntiers, "tier");
        if (c->drain_to == SIZE_MAX) {
            c->drain_to = AF_WORLD_NONE;
        } else if (c->drain_to == c->tier) {
            SCEN_ERROR_AT(s, "drain", v.drain, "expected another tier than the checkpoint's");
            c->drain_to = AF_WORLD_NONE;
        }
    }
    c->bytes_per_param = 14;
    c->writers = 1;
    c->keep = 2;
    c->weight = 1;
    if (v.every && v.every->text && strcmp(v.every->text, "auto") == 0) {
        c->every_auto = true;
    } else {
        scen_quantity(s, v.every, "every", AF_DIM_TIME, (af_range){0, 1e9, true}, &c->every_s);
    }
    int64_t n;
    if (scen_integer(s, v.every_steps, "every_steps", 1, 1000000000000LL, &n))
        c->every_steps = n;
    if (v.every && v.every_steps)
        SCEN_ERROR_AT(s, "every_steps", v.every_steps,
                      "give either every (a time, or auto) or every_steps, not both");
    else if (!v.every && !v.every_steps)
        af_check_error(&s->c, node, &s->path,
                       "missing required field \"every\" (a time such as \"1 h\", or auto) or "
                       "\"every_steps\"");
    if (v.mode) {
        static const char *const words[] = {[AF_CKPT_SYNC] = "sync", [AF_CKPT_ASYNC] = "async",
                                            NULL};
        size_t k = af_path_key(&s->path, "mode");
        int m = af_check_word(&s->c, v.mode, &s->path, words);
        c->mode = m == AF_CKPT_ASYNC ? AF_CKPT_ASYNC : AF_CKPT_SYNC;
        af_path_pop(&s->path, k);
    }
    scen_quantity(s, v.bytes_per_param, "bytes_per_param", AF_DIM_SIZE,
                  (af_range){0, 1024, true}, &c->bytes_per_param);
    if (v.size)
        scen_quantity(s, v.size, "size", AF_DIM_SIZE, (af_range){0, 1e18, true}, &c->size_B);
    else if (t->params > 0)
        c->size_B = t->params * c->bytes_per_param;
    else
        af_check_error(&s->c, node, &s->path,
                       "missing required field \"size\" (or the job's model.params, which "
                       "sizes a checkpoint as params x bytes_per_param)");
    scen_quantity(s, v.writers, "writers", AF_DIM_RATIO, (af_range){0, 1, true}, &c->writers);
    if (v.writers && !(c->writers > 0))
        SCEN_ERROR_AT(s, "writers", v.writers, "expected a share of the nodes above 0");
    if (scen_integer(s, v.keep, "keep", 0, 1000000, &n))
        c->keep = (int)n;
    scen_quantity(s, v.weight, "weight", AF_DIM_NUMBER, (af_range){0, 1e6, true}, &c->weight);
    af_path_pop(&s->path, old);
}

/* parallel: of a training job: the split of its GPUs and the step's all-reduce. */
static void scen_parallel(scen *s, const af_node *node, af_train_config *t)
{
    size_t old = af_path_key(&s->path, "parallel");
    t->tp = t->pp = t->microbatches = 1;
    t->grad_bytes_per_param = 2;
    t->coll_algo = AF_COLL_RING;
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { tensor: 8, pipeline: 4, microbatches: 32, "
                      "overlap: 50% }")) {
        af_path_pop(&s->path, old);
        return;
    }
    par_fields v;
    scen_fields(s, node, par_keys, SCEN_N(par_keys), &v);
    int64_t n;
    if (scen_integer(s, v.tensor, "tensor", 1, 1024, &n))
        t->tp = (int)n;
    if (scen_integer(s, v.pipeline, "pipeline", 1, 100000, &n))
        t->pp = (int)n;
    if (scen_integer(s, v.microbatches, "microbatches", 1, 1000000, &n))
        t->microbatches = (int)n;
    /* The split must fit the pool: tensor ranks inside a node, tensor x pipeline groups over
     * the job's GPUs. */
    if (t->pool != SIZE_MAX && s->pool_at[t->pool] && s->w.pools[t->pool].node.gpus > 0) {
        const af_pool_config *pc = &s->w.pools[t->pool];
        double gpus = (double)pc->nodes * pc->node.gpus;
        if (v.tensor && pc->node.gpus % t->tp != 0)
            SCEN_ERROR_AT(s, "tensor", v.tensor,
                          "expected a divisor of the node's %d GPUs (tensor ranks share a "
                          "node), got %d",
                          pc->node.gpus, t->tp);
        else if (v.pipeline && fmod(gpus, (double)t->tp * t->pp) != 0)
            SCEN_ERROR_AT(s, "pipeline", v.pipeline,
                          "expected tensor x pipeline (%d x %d) to divide the job's %.0f GPUs "
                          "into data-parallel replicas",
                          t->tp, t->pp, gpus);
    }
    scen_quantity(s, v.grad_bytes_per_param, "grad_bytes_per_param", AF_DIM_SIZE,
                  (af_range){0, 64, false}, &t->grad_bytes_per_param);
    if (t->pool != SIZE_MAX && s->pool_at[t->pool] && s->w.pools[t->pool].nodes > 1 &&
        s->w.pools[t->pool].node.nics < 1 && t->grad_bytes_per_param > 0)
        af_check_error(&s->c, node, &s->path,
                       "the gradient all-reduce across the pool's nodes needs compute NICs, and "
                       "its node has none (nics: 0); give grad_bytes_per_param: 0 B or a node "
                       "with compute NICs");
    scen_quantity(s, v.overlap, "overlap", AF_DIM_RATIO, (af_range){0, 1, false}, &t->overlap);
    if (v.algorithm) {
        static const char *const words[] = {[AF_COLL_RING] = "ring", [AF_COLL_TREE] = "tree",
                                            NULL};
        size_t k = af_path_key(&s->path, "algorithm");
        int a = af_check_word(&s->c, v.algorithm, &s->path, words);
        t->coll_algo = a == AF_COLL_TREE ? AF_COLL_TREE : AF_COLL_RING;
        af_path_pop(&s->path, k);
    }
    scen_quantity(s, v.straggler_spread, "straggler_spread", AF_DIM_RATIO,
                  (af_range){0, 10, false}, &t->straggler_cv);
    af_path_pop(&s->path, old);
}

/* A failure distribution's word. */
static af_failure_dist scen_fail_dist(scen *s, const af_node *node)
{
    static const char *const words[] = {[AF_FAIL_EXPONENTIAL] = "exponential",
                                        [AF_FAIL_WEIBULL] = "weibull", NULL};
    size_t k = af_path_key(&s->path, "distribution");
    int d = af_check_word(&s->c, node, &s->path, words);
    af_path_pop(&s->path, k);
    return d == AF_FAIL_WEIBULL ? AF_FAIL_WEIBULL : AF_FAIL_EXPONENTIAL;
}

/* failures: of a training job. */
static void scen_failures(scen *s, const af_node *node, af_train_config *t)
{
    size_t old = af_path_key(&s->path, "failures");
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { gpu_mtbf: 50000 h, node_mtbf: 100000 h, "
                      "restart: 10 min }")) {
        af_path_pop(&s->path, old);
        return;
    }
    fail_fields v;
    scen_fields(s, node, fail_keys, SCEN_N(fail_keys), &v);
    af_fail_config *f = &t->fail;
    f->on = true;
    f->spares = -1;
    af_failure_dist dist = v.distribution ? scen_fail_dist(s, v.distribution) : AF_FAIL_EXPONENTIAL;
    double shape = 1;
    scen_quantity(s, v.shape, "shape", AF_DIM_NUMBER,
                  (af_range){AF_FAIL_SHAPE_MIN, AF_FAIL_SHAPE_MAX, false}, &shape);
    if (v.shape && dist != AF_FAIL_WEIBULL)
        SCEN_ERROR_AT(s, "shape", v.shape, "a shape needs distribution: weibull");
    f->gpu = (af_failure_spec){dist, 0, shape};
    f->node = (af_failure_spec){dist, 0, shape};
    f->sw = (af_failure_spec){dist, 0, shape};
    scen_quantity(s, v.switch_mtbf, "switch_mtbf", AF_DIM_TIME, (af_range){0, 1e13, true},
                  &f->sw.mean_s);
    scen_quantity(s, v.gpu_mtbf, "gpu_mtbf", AF_DIM_TIME, (af_range){0, 1e13, true},
                  &f->gpu.mean_s);
    scen_quantity(s, v.node_mtbf, "node_mtbf", AF_DIM_TIME, (af_range){0, 1e13, true},
                  &f->node.mean_s);
    if (!v.gpu_mtbf && !v.node_mtbf && !v.switch_mtbf)
        af_check_error(&s->c, node, &s->path,
                       "missing required field \"gpu_mtbf\", \"node_mtbf\" or \"switch_mtbf\" "
                       "(a time such as \"50000 h\")");
    scen_quantity(s, v.detect, "detect", AF_DIM_TIME, (af_range){0, 1e9, false}, &f->detect_s);
    scen_quantity(s, v.restart, "restart", AF_DIM_TIME, (af_range){0, 1e9, false}, &f->restart_s);
    int64_t n;
    if (scen_integer(s, v.spares, "spares", 0, 1000000000, &n))
        f->spares = n;
    scen_quantity(s, v.repair, "repair", AF_DIM_TIME, (af_range){0, 1e9, false}, &f->repair_s);
    if (v.spares && !v.repair)
        SCEN_ERROR_AT(s, "spares", v.spares,
                      "with spares, give the repair time for failures past them (repair:)");
    if (v.causes) {
        size_t k = af_path_key(&s->path, "causes");
        if (af_check_map(&s->c, v.causes, &s->path,
                         "a mapping of causes to shares such as { gpu: 58%, host: 20%, "
                         "software: 22% }")) {
            if (v.causes->n > AF_FAIL_MAX_CAUSES) {
                af_check_error(&s->c, v.causes, &s->path, "expected at most %d causes, got %zu",
                               AF_FAIL_MAX_CAUSES, v.causes->n);
            } else {
                for (size_t i = 0; i < v.causes->n; i++) {
                    const af_node *key = v.causes->pairs[i].key;
                    size_t kk = af_path_key(&s->path, key->text);
                    double w = 0;
                    if (af_check_quantity(&s->c, v.causes->pairs[i].value, &s->path,
                                          AF_DIM_RATIO, (af_range){0, 1e9, true}, &w)) {
                        f->cause[f->ncauses] = af_arena_strdup(s->arena, key->text);
                        f->cause_weight[f->ncauses++] = w;
                    }
                    af_path_pop(&s->path, kk);
                }
            }
        }
        af_path_pop(&s->path, k);
    }
    af_path_pop(&s->path, old);
}

/* The compute side of a training job: step_time, or model.params + tokens_per_step + mfu. */
static void scen_compute(scen *s, const af_node *body, const train_fields *v, af_train_config *t,
                         size_t pool)
{
    scen_quantity(s, v->step_time, "step_time", AF_DIM_TIME, (af_range){0, 86400, true},
                  &t->step_time_s);
    if (v->model) {
        size_t k = af_path_key(&s->path, "model");
        if (af_check_map(&s->c, v->model, &s->path, "a mapping such as { params: 70e9 }")) {
            model_fields m;
            scen_fields(s, v->model, model_keys, SCEN_N(model_keys), &m);
            scen_quantity(s, m.params, "params", AF_DIM_COUNT, (af_range){0, 1e15, true},
                          &t->params);
            int64_t n;
            if (scen_integer(s, m.layers, "layers", 1, 100000, &n))
                t->layers = (int)n;
            if (scen_integer(s, m.hidden, "hidden", 1, 10000000, &n))
                t->hidden = (int)n;
            if (scen_integer(s, m.seq_len, "seq_len", 1, 100000000, &n))
                t->seq_len = (int)n;
            int given = !!m.layers + !!m.hidden + !!m.seq_len;
            if (given && given < 3)
                af_check_error(&s->c, v->model, &s->path,
                               "give layers, hidden and seq_len together (they add the "
                               "attention FLOPs 12 x layers x hidden x seq_len per token), or "
                               "none");
        }
        af_path_pop(&s->path, k);
    }
    scen_quantity(s, v->tokens_per_step, "tokens_per_step", AF_DIM_COUNT, (af_range){0, 1e12, true},
                  &t->tokens_per_step);
    scen_quantity(s, v->mfu, "mfu", AF_DIM_RATIO, (af_range){0, 1, true}, &t->mfu);
    t->precision = AF_PREC_BF16;
    if (v->precision) {
        static const char *const words[] = {[AF_PREC_BF16] = "bf16", [AF_PREC_FP8] = "fp8", NULL};
        size_t k = af_path_key(&s->path, "precision");
        int p = af_check_word(&s->c, v->precision, &s->path, words);
        if (p == AF_PREC_FP8 && pool != SIZE_MAX && s->pool_at[pool] &&
            s->w.pools[pool].node.gpu.name && s->w.pools[pool].node.gpu.fp8_flops <= 0) {
            char q[128];
            af_check_error(&s->c, v->precision, &s->path,
                           "the pool's GPU \"%s\" has no FP8 peak; use bf16",
                           af_doc_quote(s->w.pools[pool].node.gpu.name, q, sizeof q));
        }
        t->precision = p == AF_PREC_FP8 ? AF_PREC_FP8 : AF_PREC_BF16;
        af_path_pop(&s->path, k);
    }

    bool derived = v->model || v->tokens_per_step || v->mfu;
    if (v->step_time && derived) {
        size_t k = af_path_key(&s->path, "step_time");
        af_check_error(&s->c, v->step_time, &s->path,
                       "give either step_time or model.params with tokens_per_step and mfu, "
                       "not both");
        af_path_pop(&s->path, k);
    } else if (!v->step_time && !derived) {
        af_check_error(&s->c, body, &s->path,
                       "missing required field \"step_time\" (or model.params with "
                       "tokens_per_step and mfu)");
    } else if (derived) {
        af_check_required(&s->c, body, &s->path, "model", v->model);
        af_check_required(&s->c, body, &s->path, "tokens_per_step", v->tokens_per_step);
        af_check_required(&s->c, body, &s->path, "mfu", v->mfu);
    }
}

/* One `train:` workload body; wi is its index in `workloads:`. */
static void scen_train(scen *s, const af_node *body, size_t wi)
{
    if (!af_check_map(&s->c, body, &s->path,
                      "a mapping of training fields (pool, step_time or model, batch_per_gpu, "
                      "dataset)"))
        return;
    train_fields v;
    scen_fields(s, body, train_keys, SCEN_N(train_keys), &v);

    size_t j = s->w.ntrains++;
    af_train_config *t = &s->w.trains[j];
    t->pool = SIZE_MAX;
    t->tier = SIZE_MAX;
    t->samples_per_file = 1;
    t->prefetch = 2;
    bool pool_taken = false;
    if (v.pool) {
        size_t k = af_path_key(&s->path, "pool");
        t->pool = scen_ref(s, v.pool, s->pool_at, s->w.npools, "pool");
        pool_taken = t->pool != SIZE_MAX && s->pool_job[t->pool] != SIZE_MAX;
        if (pool_taken) {
            const af_node *other = s->train_at[s->pool_job[t->pool]];
            char q[128], r[128];
            af_check_error(&s->c, v.pool, &s->path,
                           "pool \"%s\" already runs training job \"%s\" (line %d); one training "
                           "job per pool",
                           af_doc_quote(v.pool->text, q, sizeof q),
                           other ? af_doc_quote(other->text, r, sizeof r) : "?",
                           other ? other->line : 0);
        } else if (t->pool != SIZE_MAX) {
            s->pool_job[t->pool] = j;
        }
        af_path_pop(&s->path, k);
    }
    /* The name: given, or the pool's (not checked again when the pool was refused). */
    const af_node *name_at = v.name;
    if (!name_at && t->pool != SIZE_MAX && !pool_taken)
        name_at = v.pool;
    if (name_at) {
        t->name = scen_work_name(s, name_at, v.name ? "name" : "pool", wi,
                                 v.name ? ""
                                        : " (a job's name defaults to its pool's; give it a "
                                          "name:)");
        s->train_at[j] = t->name ? name_at : NULL;
    }
    scen_compute(s, body, &v, t, t->pool);
    int64_t b;
    if (scen_integer(s, v.batch_per_gpu, "batch_per_gpu", 1, 1000000000, &b))
        t->samples_per_gpu = (double)b;
    if (v.dataset)
        scen_dataset(s, v.dataset, t);
    scen_qos(s, v.qos, &t->weight);
    if (scen_integer(s, v.steps, "steps", 1, 1000000000000000LL, &b))
        t->target_steps = (double)b;
    if (v.checkpoint)
        scen_checkpoint(s, v.checkpoint, t);
    if (v.failures)
        scen_failures(s, v.failures, t);
    if (v.parallel)
        scen_parallel(s, v.parallel, t);
}

/* One `burst:` workload body; wi is its index in `workloads:`. */
static void scen_burst(scen *s, const af_node *body, size_t wi)
{
    if (!af_check_map(&s->c, body, &s->path, "a mapping of burst fields (name, tier, size, every)"))
        return;
    burst_fields v;
    scen_fields(s, body, burst_keys, SCEN_N(burst_keys), &v);
    af_burst_config *b = &s->w.bursts[s->w.nbursts++];
    b->write = true;
    b->op_B = 1048576;
    if (v.name)
        b->name = scen_work_name(s, v.name, "name", wi, "");
    b->pool =
        v.pool ? scen_ref_key(s, v.pool, "pool", s->pool_at, s->w.npools, "pool") : AF_WORLD_NONE;
    b->tier = scen_ref_key(s, v.tier, "tier", s->tier_at, s->w.ntiers, "tier");
    if (v.direction) {
        enum { DIR_WRITE, DIR_READ };
        static const char *const words[] = {[DIR_WRITE] = "write", [DIR_READ] = "read", NULL};
        size_t k = af_path_key(&s->path, "direction");
        b->write = af_check_word(&s->c, v.direction, &s->path, words) != DIR_READ;
        af_path_pop(&s->path, k);
    }
    scen_quantity(s, v.size, "size", AF_DIM_SIZE, (af_range){1, 1e18, false}, &b->size_B);
    bool every_ok = scen_quantity(s, v.every, "every", AF_DIM_TIME,
                                  (af_range){0, 100 * AF_YEAR_S, true}, &b->every_s);
    if (every_ok)
        b->start_s = b->every_s;
    scen_quantity(s, v.start, "start", AF_DIM_TIME, (af_range){0, 100 * AF_YEAR_S, false},
                  &b->start_s);
    scen_quantity(s, v.op_size, "op_size", AF_DIM_SIZE, (af_range){1, 1e12, false}, &b->op_B);
    int64_t keep;
    if (scen_integer(s, v.keep, "keep", 0, 1000000, &keep))
        b->keep = (int)keep;
    if (v.keep && v.direction && !b->write)
        SCEN_ERROR_AT(s, "keep", v.keep,
                      "keep applies to writes only; remove it or use direction: write");
    scen_qos(s, v.qos, &b->weight);
}

/* One `lookup:` workload body; wi is its index in `workloads:`. */
static void scen_lookup(scen *s, const af_node *body, size_t wi)
{
    if (!af_check_map(&s->c, body, &s->path, "a mapping of look-up fields (name, tier, rate)"))
        return;
    lookup_fields v;
    scen_fields(s, body, lookup_keys, SCEN_N(lookup_keys), &v);
    af_lookup_config *l = &s->w.lookups[s->w.nlookups++];
    l->size_B = 4096;
    if (v.name)
        l->name = scen_work_name(s, v.name, "name", wi, "");
    l->tier = scen_ref_key(s, v.tier, "tier", s->tier_at, s->w.ntiers, "tier");
    scen_quantity(s, v.rate, "rate", AF_DIM_RATE, (af_range){0, 1e9, true}, &l->rate_per_s);
    scen_quantity(s, v.size, "size", AF_DIM_SIZE, (af_range){1, 1e9, false}, &l->size_B);
    scen_quantity(s, v.slo, "slo", AF_DIM_TIME, (af_range){0, 3600, true}, &l->slo_s);
}

/* One item of `workloads:` (index wi): a one-key mapping whose key is the kind. */
static void scen_workload(scen *s, const af_node *item, size_t wi)
{
    if (!af_check_map(&s->c, item, &s->path, "a workload such as \"train: { pool: ... }\""))
        return;
    if (item->n != 1) {
        /* Usually the job's fields not indented under "train:". */
        char keys[256] = "";
        size_t at = 0;
        for (size_t k = 0; k < item->n && at + 1 < sizeof keys; k++) {
            char q[128];
            int w = snprintf(keys + at, sizeof keys - at, "%s\"%s\"", k ? ", " : "",
                             af_doc_quote(item->pairs[k].key->text, q, sizeof q));
            at = w > 0 ? at + (size_t)w : at;
        }
        af_check_error(&s->c, item, &s->path,
                       "expected one workload kind such as \"train:\" with the job's fields "
                       "indented below it, got %zu keys%s%s%s",
                       item->n, item->n ? " (" : "", keys, item->n ? ")" : "");
        return;
    }
    static const char *const kinds[] = {"train", "burst", "lookup"}; /* for "did you mean" */
    const af_node *kind = item->pairs[0].key;
    size_t k = af_path_key(&s->path, kind->text);
    if (strcmp(kind->text, "train") == 0) {
        scen_train(s, item->pairs[0].value, wi);
    } else if (strcmp(kind->text, "burst") == 0) {
        scen_burst(s, item->pairs[0].value, wi);
    } else if (strcmp(kind->text, "lookup") == 0) {
        scen_lookup(s, item->pairs[0].value, wi);
    } else {
        af_path_pop(&s->path, k);
        char q[128];
        const char *best = af_did_you_mean(kind->text, kinds, SCEN_N(kinds));
        if (best)
            af_check_error(&s->c, kind, &s->path,
                           "unknown workload kind \"%s\"; did you mean \"%s\"?",
                           af_doc_quote(kind->text, q, sizeof q), best);
        else
            af_check_error(&s->c, kind, &s->path,
                           "unknown workload kind \"%s\"; supported: train, burst, lookup",
                           af_doc_quote(kind->text, q, sizeof q));
    }
    af_path_pop(&s->path, k);
}

/* workloads: a list of one-key mappings naming the kind. */
static void scen_workloads(scen *s, const af_node *list)
{
    size_t old = af_path_key(&s->path, "workloads");
    if (!scen_list(s, list, "a list of workloads such as \"- train: { pool: train, ... }\"")) {
        af_path_pop(&s->path, old);
        return;
    }
    s->w.trains = af_arena_calloc(s->arena, list->n, sizeof *s->w.trains);
    s->w.bursts = af_arena_calloc(s->arena, list->n, sizeof *s->w.bursts);
    s->w.lookups = af_arena_calloc(s->arena, list->n, sizeof *s->w.lookups);
    s->train_at = af_arena_calloc(s->arena, list->n, sizeof *s->train_at);
    s->work_at = af_arena_calloc(s->arena, list->n, sizeof *s->work_at);
    for (size_t i = 0; i < list->n; i++) {
        size_t o = af_path_index(&s->path, i);
        scen_workload(s, list->items[i], i);
        af_path_pop(&s->path, o);
    }
    af_path_pop(&s->path, old);
}

/* seed: a whole number in [0, 2^64). */
static void scen_seed(scen *s, const af_node *node)
{
    size_t k = af_path_key(&s->path, "seed");
    static const char what[] = "a non-negative integer below 2^64 such as \"42\"";
    const char *text = af_check_string(&s->c, node, &s->path, what);
    if (text) {
        bool ok = text[0] >= '0' && text[0] <= '9';
        for (const char *p = text; ok && *p; p++)
            ok = *p >= '0' && *p <= '9';
        errno = 0;
        unsigned long long v = ok ? strtoull(text, NULL, 10) : 0;
        if (ok && errno != ERANGE && v <= UINT64_MAX) {
            s->w.seed = (uint64_t)v;
        } else {
            char q[128];
            af_check_error(&s->c, node, &s->path, "expected %s, got \"%s\"", what,
                           af_doc_quote(text, q, sizeof q));
        }
    }
    af_path_pop(&s->path, k);
}

/* The whole document. */
static void scen_root(scen *s, const af_doc *doc)
{
    const af_node *root = af_doc_root(doc);
    if (!root) {
        af_diag_error_at(s->c.d, af_doc_name(doc), 1, 1, NULL,
                         "the file is empty; expected a scenario starting with \"aifsim: 1\"");
        s->c.errors++;
        return;
    }
    if (!af_check_map(&s->c, root, &s->path,
                      "a mapping of scenario fields starting with \"aifsim: 1\""))
        return;
    root_fields v;
    scen_split(s, root, root_keys, SCEN_N(root_keys), &v);
    if (!af_check_required(&s->c, root, &s->path, "aifsim", v.aifsim))
        ;
    else if (v.aifsim->kind != AF_NODE_SCALAR || strcmp(v.aifsim->text, "1") != 0) {
        /* Another version's fields would only give a flood of misleading errors. */
        bool scalar = v.aifsim->kind == AF_NODE_SCALAR;
        char q[128];
        af_path_key(&s->path, "aifsim");
        af_check_error(
            &s->c, v.aifsim, &s->path,
            "unsupported format version %s%s%s; this aifsim reads version 1", scalar ? "\"" : "",
            scalar ? af_doc_quote(v.aifsim->text, q, sizeof q) : af_node_kind_name(v.aifsim->kind),
            scalar ? "\"" : "");
        return;
    }
    scen_require(s, root, root_keys, SCEN_N(root_keys), &v);

    size_t k;
    if (v.name) {
        k = af_path_key(&s->path, "name");
        const char *name =
            af_check_label(&s->c, v.name, &s->path, "a name such as \"flagship\"", "llm-pretrain");
        s->w.name = name ? af_arena_strdup(s->arena, name) : NULL;
        af_path_pop(&s->path, k);
    }
    if (v.description) {
        k = af_path_key(&s->path, "description");
        af_check_scalar(&s->c, v.description, &s->path, "a one-line description");
        af_path_pop(&s->path, k);
    }
    s->w.seed = 1;
    if (v.seed)
        scen_seed(s, v.seed);
    scen_quantity(s, v.duration, "duration", AF_DIM_TIME, (af_range){1e-6, 100 * AF_YEAR_S, false},
                  &s->w.duration_s);
    int64_t n;
    if (scen_integer(s, v.max_events, "max_events", 0, 1000000000000000LL, &n))
        s->w.max_events = (uint64_t)n;
    scen_facility(s, root, v.facility);
    if (v.cluster) {
        const af_node **items;
        s->w.pools = scen_group_read(s, &pool_group, v.cluster, &s->w.npools, &s->pool_at, &items);
        s->pool_job = af_arena_calloc(s->arena, s->w.npools, sizeof *s->pool_job);
        for (size_t i = 0; i < s->w.npools; i++)
            s->pool_job[i] = SIZE_MAX;
    }
    if (v.storage) {
        s->w.tiers =
            scen_group_read(s, &tier_group, v.storage, &s->w.ntiers, &s->tier_at, &s->tier_item);
        scen_tier_links(s);
    }
    if (v.fabric)
        scen_fabrics(s, v.fabric);
    if (v.workloads)
        scen_workloads(s, v.workloads);
}

/* Selects list entries by name for --set paths (see scenario.h). */
static const char *scen_namer(const char *seq_key, af_node **elem, af_node ***next)
{
    af_node *e = *elem;
    *next = elem;
    if (!seq_key || e->kind != AF_NODE_MAP)
        return NULL;
    const af_node *name;
    if (strcmp(seq_key, "workloads") == 0) {
        if (e->n != 1)
            return NULL;
        *next = &e->pairs[0].value;
        const af_node *body = e->pairs[0].value;
        name = af_node_find(body, "name");
        if (!name)
            name = af_node_find(body, "pool");
    } else {
        /* cluster by pool, storage by tier; fabric (and any other list) by name. */
        name = af_node_find(e, strcmp(seq_key, "cluster") == 0   ? "pool"
                               : strcmp(seq_key, "storage") == 0 ? "tier"
                                                                 : "name");
    }
    return name && name->kind == AF_NODE_SCALAR ? name->text : NULL;
}

int af_scenario_parse_set(const char *arg, af_scenario_set *out, af_diag *d)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        char q[128];
        af_diag_error_at(d, "--set", 1, 1, NULL,
                         "expected PATH=VALUE such as \"storage.hot.nodes=8\", got \"%s\"",
                         af_doc_quote(arg, q, sizeof q));
        return AF_EINPUT;
    }
    size_t len = (size_t)(eq - arg);
    if (len > AF_DOC_MAX_PATH) {
        af_diag_error_at(d, "--set", 1, 1, NULL, "the path is longer than %d bytes",
                         AF_DOC_MAX_PATH);
        return AF_EINPUT;
    }
    char path[AF_DOC_MAX_PATH + 1];
    memcpy(path, arg, len);
    path[len] = '\0';
    if (af_doc_check_path(path, "--set", 1, 1, d) != AF_OK)
        return AF_EINPUT;
    memcpy(out->path, path, len + 1);
    out->arg = arg;
    out->value = eq + 1;
    return AF_OK;
}

/* Applies the overrides to doc and checks it into *out. */
static int scen_doc(af_doc *doc, const af_catalog *cat, const af_scenario_set *sets, size_t nsets,
                    af_arena *arena, af_world_config *out, af_diag *d)
{
    scen s = {.c = {d, 0}, .cat = cat, .refs = af_catalog_refs(cat), .arena = arena};
    bool set_failed = false;
    for (size_t i = 0; i < nsets; i++)
        if (af_doc_set(doc, sets[i].path, sets[i].value, "--set", 1, 1,
                       (int)(sets[i].value - sets[i].arg) + 1, scen_namer, d) != AF_OK)
            set_failed = true;
    scen_root(&s, doc);
    if (s.c.errors || set_failed)
        return AF_EINPUT;
    *out = s.w;
    return AF_OK;
}

/* Reads the doc from path (when not NULL) or from buf, then checks it; messages go to d in
 * document order. */
static int scen_read(const char *path, const char *name, const char *buf, size_t len,
                     const af_catalog *cat, const af_scenario_set *sets, size_t nsets,
                     af_arena *arena, af_world_config *out, af_diag *d)
{
    af_diag *tmp = af_diag_new();
    af_doc *doc = NULL;
    int rc = path ? af_doc_load(path, &doc, tmp) : af_doc_parse(name, buf, len, &doc, tmp);
    if (rc == AF_OK)
        rc = scen_doc(doc, cat, sets, nsets, arena, out, tmp);
    af_check_flush(tmp, d);
    af_doc_free(doc);
    af_diag_free(tmp);
    return rc;
}

int af_scenario_parse(const char *name, const char *buf, size_t len, const af_catalog *cat,
                      const af_scenario_set *sets, size_t nsets, af_arena *arena,
                      af_world_config *out, af_diag *d)
{
    return scen_read(NULL, name, buf, len, cat, sets, nsets, arena, out, d);
}

int af_scenario_load(const char *path, const af_catalog *cat, const af_scenario_set *sets,
                     size_t nsets, af_arena *arena, af_world_config *out, af_diag *d)
{
    return scen_read(path, NULL, NULL, 0, cat, sets, nsets, arena, out, d);
}
