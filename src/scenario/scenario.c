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
#include "scenario/schema.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AF_YEAR_S (365.0 * 86400) /* as units.c reads "y" */

/* The state of one check. */
typedef struct af_scen {
    af_check c;               /* errors */
    const af_catalog *cat;    /* catalog for node, system and preset names */
    af_arena *arena;          /* where the config goes */
    af_path path;             /* path of the field being read */
    af_world_config w;        /* the config being built */
    const af_node **pool_at;  /* per pool: its name node, or NULL when the name was bad */
    const af_node **tier_at;  /* per tier: likewise */
    const af_node **train_at; /* per training job: the node its name came from */
    size_t *pool_job;         /* per pool: index of the job running on it, or SIZE_MAX */
} af_scen;

/* The names of the first n entries whose name node is set, for "did you mean" and "defined:";
 * a new array (release with af_free) of borrowed strings. */
static const char **af_scen_names(const af_node *const *at, size_t n, size_t *count)
{
    const char **names = af_malloc_array(n ? n : 1, sizeof *names);
    *count = 0;
    for (size_t i = 0; i < n; i++)
        if (at[i])
            names[(*count)++] = at[i]->text;
    return names;
}

/* Index of the entry called name among the first n, or SIZE_MAX. */
static size_t af_scen_index(const af_node *const *at, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (at[i] && strcmp(at[i]->text, name) == 0)
            return i;
    return SIZE_MAX;
}

/* Reads a unique entry name (pool, tier or workload) at node; returns it, or NULL when it is
 * malformed or taken (both reported). at[0..n) are the names so far. */
static const char *af_scen_unique(af_scen *s, const af_node *node, const af_node *const *at,
                                  size_t n, const char *noun, const char *hint)
{
    const char *name = af_check_name(&s->c, node, &s->path);
    if (!name)
        return NULL;
    size_t i = af_scen_index(at, n, name);
    if (i == SIZE_MAX)
        return name;
    char q[128];
    af_check_error(&s->c, node, &s->path, "duplicate %s name \"%s\"; first defined at line %d%s",
                   noun, af_doc_quote(name, q, sizeof q), at[i]->line, hint);
    return NULL;
}

/* Checks that a list has 1 to AF_SCENARIO_MAX_ENTRIES entries. */
static bool af_scen_list(af_scen *s, const af_node *list, const char *what)
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
static bool af_scen_catalog(af_scen *s, af_section sec, const af_node *node, void *spec)
{
    const af_spec_desc *desc = af_schema_desc(sec);
    char what[96];
    snprintf(what, sizeof what, "a %s name from the catalog", desc->noun);
    const char *name = af_check_string(&s->c, node, &s->path, what);
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
static void af_scen_override(af_scen *s, af_section sec, const af_node *override, void *spec)
{
    if (override) {
        size_t old = af_path_key(&s->path, "override");
        af_schema_read(&s->c, s->cat, sec, override, &s->path, AF_SCHEMA_OVERRIDE, spec, NULL);
        af_path_pop(&s->path, old);
    }
    if (spec)
        af_schema_intern(sec, spec, s->arena);
}

/* A list of named entries that each take a catalog model and a node count: the pools of
 * `cluster:` and the tiers of `storage:`. The entry structs are read through offsets so that
 * one reader serves both. */
typedef struct af_scen_group {
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
} af_scen_group;

static const af_scen_group af_scen_pools = {
    "cluster",
    "pool",
    "node",
    AF_SECTION_NODES,
    "a list of pools such as \"- { pool: train, node: dgx-h100, nodes: 16 }\"",
    "a mapping of pool fields (pool, node, nodes)",
    sizeof(af_pool_config),
    offsetof(af_pool_config, name),
    offsetof(af_pool_config, node),
    offsetof(af_pool_config, nodes)};

static const af_scen_group af_scen_tiers = {
    "storage",
    "tier",
    "system",
    AF_SECTION_STORAGE,
    "a list of tiers such as \"- { tier: hot, system: flash-qlc-node, nodes: 4 }\"",
    "a mapping of tier fields (tier, system, nodes)",
    sizeof(af_tier_config),
    offsetof(af_tier_config, name),
    offsetof(af_tier_config, system),
    offsetof(af_tier_config, nodes)};

/* Reads a group's list into a new array of entries (returned; *n receives the count, *at the
 * name node of each entry, NULL where the name was wrong). Returns NULL when the list is
 * unusable (reported). */
static void *af_scen_group_read(af_scen *s, const af_scen_group *g, const af_node *list, size_t *n,
                                const af_node ***at)
{
    *n = 0;
    size_t old = af_path_key(&s->path, g->list_key);
    if (!af_scen_list(s, list, g->what)) {
        af_path_pop(&s->path, old);
        return NULL;
    }
    char *entries = af_arena_calloc(s->arena, list->n, g->size);
    *at = af_arena_calloc(s->arena, list->n, sizeof **at);
    for (size_t i = 0; i < list->n; i++) {
        const af_node *item = list->items[i];
        char *e = entries + i * g->size;
        *n = i + 1;
        size_t o = af_path_index(&s->path, i);
        if (!af_check_map(&s->c, item, &s->path, g->item_what)) {
            af_path_pop(&s->path, o);
            continue;
        }
        const char *const keys[] = {g->name_key, g->model_key, "nodes", "override"};
        af_node *v[4];
        af_check_keys(&s->c, item, &s->path, keys, 4, v);
        for (int k = 0; k < 3; k++)
            af_check_required(&s->c, item, &s->path, keys[k], v[k]);
        size_t k = af_path_key(&s->path, g->name_key);
        if (v[0] && af_scen_unique(s, v[0], *at, i, g->name_key, "")) {
            (*at)[i] = v[0];
            *(const char **)(e + g->name_offset) = af_arena_strdup(s->arena, v[0]->text);
        }
        af_path_pop(&s->path, k);
        k = af_path_key(&s->path, g->model_key);
        bool known = v[1] && af_scen_catalog(s, g->section, v[1], e + g->model_offset);
        af_path_pop(&s->path, k);
        k = af_path_key(&s->path, "nodes");
        if (v[2])
            af_check_integer(&s->c, v[2], &s->path, 1, AF_SCENARIO_MAX_NODES,
                             (int64_t *)(void *)(e + g->nodes_offset));
        af_path_pop(&s->path, k);
        af_scen_override(s, g->section, v[3], known ? e + g->model_offset : NULL);
        af_path_pop(&s->path, o);
    }
    af_path_pop(&s->path, old);
    return entries;
}

/* facility: a preset name, or a mapping with an optional preset and figures to override. */
static void af_scen_facility(af_scen *s, const af_node *root, const af_node *node)
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
        known = af_scen_catalog(s, AF_SECTION_FACILITY, preset, &s->w.facility);
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
        af_schema_read(&s->c, s->cat, AF_SECTION_FACILITY, &over, &s->path, AF_SCHEMA_OVERRIDE,
                       known ? &s->w.facility : NULL, NULL);
    if (known)
        af_schema_intern(AF_SECTION_FACILITY, &s->w.facility, s->arena);
    af_path_pop(&s->path, old);
}

/* Resolves a pool or tier reference at node; returns its index or SIZE_MAX (reported). */
static size_t af_scen_ref(af_scen *s, const af_node *node, const af_node *const *at, size_t n,
                          const char *noun)
{
    char what[64];
    snprintf(what, sizeof what, "a %s name", noun);
    const char *name = af_check_string(&s->c, node, &s->path, what);
    if (!name)
        return SIZE_MAX;
    size_t i = af_scen_index(at, n, name);
    if (i != SIZE_MAX)
        return i;
    size_t count;
    const char **names = af_scen_names(at, n, &count);
    /* Without any valid name (the list missing or all of its names wrong) the reference error
     * would only repeat an earlier one. */
    if (count)
        af_check_unknown(&s->c, node, &s->path, noun, name, names, count, NULL);
    af_free(names);
    return SIZE_MAX;
}

/* Reads an optional quantity under key of map at the current path. */
static bool af_scen_quantity(af_scen *s, const af_node *node, const char *key, af_dim dim,
                             af_range r, double *out)
{
    if (!node)
        return false;
    size_t k = af_path_key(&s->path, key);
    bool ok = af_check_quantity(&s->c, node, &s->path, dim, r, out);
    af_path_pop(&s->path, k);
    return ok;
}

/* dataset: of a training job. */
static void af_scen_dataset(af_scen *s, const af_node *node, af_train_config *t)
{
    size_t old = af_path_key(&s->path, "dataset");
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { tier: hot, size: 50 TB, sample_size: 110 kB }")) {
        af_path_pop(&s->path, old);
        return;
    }
    static const char *const keys[] = {"tier", "size", "sample_size", "prefetch"};
    af_node *v[4];
    af_check_keys(&s->c, node, &s->path, keys, 4, v);
    af_check_required(&s->c, node, &s->path, "tier", v[0]);
    af_check_required(&s->c, node, &s->path, "size", v[1]);
    af_check_required(&s->c, node, &s->path, "sample_size", v[2]);
    if (v[0]) {
        size_t k = af_path_key(&s->path, "tier");
        t->tier = af_scen_ref(s, v[0], s->tier_at, s->w.ntiers, "tier");
        af_path_pop(&s->path, k);
    }
    bool size_ok =
        af_scen_quantity(s, v[1], "size", AF_DIM_SIZE, (af_range){0, 1e18, true}, &t->dataset_B);
    bool sample_ok = af_scen_quantity(s, v[2], "sample_size", AF_DIM_SIZE,
                                      (af_range){0, 1e12, true}, &t->sample_B);
    if (size_ok && sample_ok && t->sample_B > t->dataset_B) {
        char a[64], b[64];
        size_t k = af_path_key(&s->path, "sample_size");
        af_check_error(&s->c, v[2], &s->path, "expected at most the data set's size (%s), got %s",
                       af_units_format(t->dataset_B, AF_DIM_SIZE, a, sizeof a),
                       af_units_format(t->sample_B, AF_DIM_SIZE, b, sizeof b));
        af_path_pop(&s->path, k);
    }
    t->prefetch = 2;
    if (v[3]) {
        int64_t p;
        size_t k = af_path_key(&s->path, "prefetch");
        if (af_check_integer(&s->c, v[3], &s->path, 1, 1024, &p))
            t->prefetch = (int)p;
        af_path_pop(&s->path, k);
    }
    af_path_pop(&s->path, old);
}

/* The compute side of a training job: step_time, or model.params + tokens_per_step + mfu. */
static void af_scen_compute(af_scen *s, const af_node *body, af_node *const *v, af_train_config *t,
                            size_t pool)
{
    /* v: step_time, model, tokens_per_step, mfu, precision */
    af_scen_quantity(s, v[0], "step_time", AF_DIM_TIME, (af_range){0, 86400, true},
                     &t->step_time_s);
    if (v[1]) {
        size_t k = af_path_key(&s->path, "model");
        if (af_check_map(&s->c, v[1], &s->path, "a mapping such as { params: 70e9 }")) {
            static const char *const keys[] = {"params"};
            af_node *pv[1];
            af_check_keys(&s->c, v[1], &s->path, keys, 1, pv);
            if (af_check_required(&s->c, v[1], &s->path, "params", pv[0]))
                af_scen_quantity(s, pv[0], "params", AF_DIM_COUNT, (af_range){0, 1e15, true},
                                 &t->params);
        }
        af_path_pop(&s->path, k);
    }
    af_scen_quantity(s, v[2], "tokens_per_step", AF_DIM_COUNT, (af_range){0, 1e12, true},
                     &t->tokens_per_step);
    af_scen_quantity(s, v[3], "mfu", AF_DIM_RATIO, (af_range){0, 1, true}, &t->mfu);
    t->precision = AF_PREC_BF16;
    if (v[4]) {
        static const char *const words[] = {"bf16", "fp8", NULL};
        size_t k = af_path_key(&s->path, "precision");
        int p = af_check_word(&s->c, v[4], &s->path, words);
        if (p == 1 && pool != SIZE_MAX && s->pool_at[pool] && s->w.pools[pool].node.gpu.name &&
            s->w.pools[pool].node.gpu.fp8_flops <= 0) {
            char q[128];
            af_check_error(&s->c, v[4], &s->path, "the pool's GPU \"%s\" has no FP8 peak; use bf16",
                           af_doc_quote(s->w.pools[pool].node.gpu.name, q, sizeof q));
        }
        t->precision = p == 1 ? AF_PREC_FP8 : AF_PREC_BF16;
        af_path_pop(&s->path, k);
    }

    bool derived = v[1] || v[2] || v[3];
    if (v[0] && derived) {
        size_t k = af_path_key(&s->path, "step_time");
        af_check_error(&s->c, v[0], &s->path,
                       "give either step_time or model.params with tokens_per_step and mfu, "
                       "not both");
        af_path_pop(&s->path, k);
    } else if (!v[0] && !derived) {
        af_check_error(&s->c, body, &s->path,
                       "missing required field \"step_time\" (or model.params with "
                       "tokens_per_step and mfu)");
    } else if (derived) {
        af_check_required(&s->c, body, &s->path, "model", v[1]);
        af_check_required(&s->c, body, &s->path, "tokens_per_step", v[2]);
        af_check_required(&s->c, body, &s->path, "mfu", v[3]);
    }
}

/* One `train:` workload body. */
static void af_scen_train(af_scen *s, const af_node *body)
{
    if (!af_check_map(&s->c, body, &s->path,
                      "a mapping of training fields (pool, step_time or model, batch_per_gpu, "
                      "dataset)"))
        return;
    static const char *const keys[] = {
        "name", "pool",      "step_time",     "model",  "tokens_per_step",
        "mfu",  "precision", "batch_per_gpu", "dataset"};
    af_node *v[9];
    af_check_keys(&s->c, body, &s->path, keys, 9, v);
    af_check_required(&s->c, body, &s->path, "pool", v[1]);
    af_check_required(&s->c, body, &s->path, "batch_per_gpu", v[7]);
    af_check_required(&s->c, body, &s->path, "dataset", v[8]);

    size_t j = s->w.ntrains++;
    af_train_config *t = &s->w.trains[j];
    t->pool = SIZE_MAX;
    t->tier = SIZE_MAX;
    bool pool_taken = false;
    if (v[1]) {
        size_t k = af_path_key(&s->path, "pool");
        t->pool = af_scen_ref(s, v[1], s->pool_at, s->w.npools, "pool");
        pool_taken = t->pool != SIZE_MAX && s->pool_job[t->pool] != SIZE_MAX;
        if (pool_taken) {
            const af_node *other = s->train_at[s->pool_job[t->pool]];
            char q[128], r[128];
            af_check_error(&s->c, v[1], &s->path,
                           "pool \"%s\" already runs training job \"%s\" (line %d); one training "
                           "job per pool",
                           af_doc_quote(v[1]->text, q, sizeof q),
                           other ? af_doc_quote(other->text, r, sizeof r) : "?",
                           other ? other->line : 0);
        } else if (t->pool != SIZE_MAX) {
            s->pool_job[t->pool] = j;
        }
        af_path_pop(&s->path, k);
    }
    /* The name: given, or the pool's (not checked again when the pool was refused). */
    const af_node *name_at = v[0];
    if (!name_at && t->pool != SIZE_MAX && !pool_taken)
        name_at = v[1];
    if (name_at) {
        size_t k = af_path_key(&s->path, v[0] ? "name" : "pool");
        const char *name = af_scen_unique(s, name_at, s->train_at, j, "workload",
                                          v[0] ? ""
                                               : " (a job's name defaults to its pool's; "
                                                 "give it a name:)");
        s->train_at[j] = name ? name_at : NULL;
        t->name = name ? af_arena_strdup(s->arena, name) : NULL;
        af_path_pop(&s->path, k);
    }
    af_node *compute[5] = {v[2], v[3], v[4], v[5], v[6]};
    af_scen_compute(s, body, compute, t, t->pool);
    if (v[7]) {
        int64_t b;
        size_t k = af_path_key(&s->path, "batch_per_gpu");
        if (af_check_integer(&s->c, v[7], &s->path, 1, 1000000000, &b))
            t->samples_per_gpu = (double)b;
        af_path_pop(&s->path, k);
    }
    if (v[8])
        af_scen_dataset(s, v[8], t);
}

/* One item of `workloads:`: a one-key mapping whose key is the kind. */
static void af_scen_workload(af_scen *s, const af_node *item)
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
    const af_node *kind = item->pairs[0].key;
    if (strcmp(kind->text, "train") != 0) {
        char q[128];
        af_check_error(&s->c, kind, &s->path, "unknown workload kind \"%s\"; supported: train",
                       af_doc_quote(kind->text, q, sizeof q));
        return;
    }
    size_t k = af_path_key(&s->path, "train");
    af_scen_train(s, item->pairs[0].value);
    af_path_pop(&s->path, k);
}

/* workloads: a list of one-key mappings naming the kind. */
static void af_scen_workloads(af_scen *s, const af_node *list)
{
    size_t old = af_path_key(&s->path, "workloads");
    if (!af_scen_list(s, list, "a list of workloads such as \"- train: { pool: train, ... }\"")) {
        af_path_pop(&s->path, old);
        return;
    }
    s->w.trains = af_arena_calloc(s->arena, list->n, sizeof *s->w.trains);
    s->train_at = af_arena_calloc(s->arena, list->n, sizeof *s->train_at);
    for (size_t i = 0; i < list->n; i++) {
        size_t o = af_path_index(&s->path, i);
        af_scen_workload(s, list->items[i]);
        af_path_pop(&s->path, o);
    }
    af_path_pop(&s->path, old);
}

/* seed: a whole number in [0, 2^64). */
static void af_scen_seed(af_scen *s, const af_node *node)
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
static void af_scen_root(af_scen *s, const af_doc *doc)
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
    static const char *const keys[] = {"aifsim",   "name",       "description", "seed",
                                       "duration", "max_events", "facility",    "cluster",
                                       "storage",  "workloads"};
    af_node *v[10];
    af_check_keys(&s->c, root, &s->path, keys, 10, v);
    if (!af_check_required(&s->c, root, &s->path, "aifsim", v[0]))
        ;
    else if (v[0]->kind != AF_NODE_SCALAR || strcmp(v[0]->text, "1") != 0) {
        /* Another version's fields would only give a flood of misleading errors. */
        char q[128];
        af_path_key(&s->path, "aifsim");
        af_check_error(&s->c, v[0], &s->path,
                       "unsupported format version %s%s%s; this aifsim reads version 1",
                       v[0]->kind == AF_NODE_SCALAR ? "\"" : "",
                       v[0]->kind == AF_NODE_SCALAR ? af_doc_quote(v[0]->text, q, sizeof q)
                                                    : af_node_kind_name(v[0]->kind),
                       v[0]->kind == AF_NODE_SCALAR ? "\"" : "");
        return;
    }
    af_check_required(&s->c, root, &s->path, "name", v[1]);
    af_check_required(&s->c, root, &s->path, "duration", v[4]);
    af_check_required(&s->c, root, &s->path, "cluster", v[7]);
    af_check_required(&s->c, root, &s->path, "storage", v[8]);
    af_check_required(&s->c, root, &s->path, "workloads", v[9]);

    size_t k;
    if (v[1]) {
        k = af_path_key(&s->path, "name");
        const char *name = af_check_string(&s->c, v[1], &s->path, "a name such as \"flagship\"");
        s->w.name = name ? af_arena_strdup(s->arena, name) : NULL;
        af_path_pop(&s->path, k);
    }
    if (v[2]) {
        k = af_path_key(&s->path, "description");
        af_check_scalar(&s->c, v[2], &s->path, "a one-line description");
        af_path_pop(&s->path, k);
    }
    s->w.seed = 1;
    if (v[3])
        af_scen_seed(s, v[3]);
    af_scen_quantity(s, v[4], "duration", AF_DIM_TIME, (af_range){0, 100 * AF_YEAR_S, true},
                     &s->w.duration_s);
    if (v[5]) {
        int64_t n;
        k = af_path_key(&s->path, "max_events");
        if (af_check_integer(&s->c, v[5], &s->path, 0, 1000000000000000LL, &n))
            s->w.max_events = (uint64_t)n;
        af_path_pop(&s->path, k);
    }
    af_scen_facility(s, root, v[6]);
    if (v[7]) {
        s->w.pools = af_scen_group_read(s, &af_scen_pools, v[7], &s->w.npools, &s->pool_at);
        s->pool_job = af_arena_calloc(s->arena, s->w.npools, sizeof *s->pool_job);
        for (size_t i = 0; i < s->w.npools; i++)
            s->pool_job[i] = SIZE_MAX;
    }
    if (v[8])
        s->w.tiers = af_scen_group_read(s, &af_scen_tiers, v[8], &s->w.ntiers, &s->tier_at);
    if (v[9])
        af_scen_workloads(s, v[9]);
}

/* Selects list entries by name for --set paths (see scenario.h). */
static const char *af_scenario_namer(const char *seq_key, af_node **elem, af_node ***next)
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
static int af_scenario_doc(af_doc *doc, const af_catalog *cat, const af_scenario_set *sets,
                           size_t nsets, af_arena *arena, af_world_config *out, af_diag *d)
{
    af_scen s = {.c = {d, 0}, .cat = cat, .arena = arena};
    bool set_failed = false;
    for (size_t i = 0; i < nsets; i++)
        if (af_doc_set(doc, sets[i].path, sets[i].value, "--set", 1, 1,
                       (int)(sets[i].value - sets[i].arg) + 1, af_scenario_namer, d) != AF_OK)
            set_failed = true;
    af_scen_root(&s, doc);
    if (s.c.errors || set_failed)
        return AF_EINPUT;
    *out = s.w;
    return AF_OK;
}

/* Reads the doc from path (when not NULL) or from buf, then checks it; messages go to d in
 * document order. */
static int af_scenario_read(const char *path, const char *name, const char *buf, size_t len,
                            const af_catalog *cat, const af_scenario_set *sets, size_t nsets,
                            af_arena *arena, af_world_config *out, af_diag *d)
{
    af_diag *tmp = af_diag_new();
    af_doc *doc = NULL;
    int rc = path ? af_doc_load(path, &doc, tmp) : af_doc_parse(name, buf, len, &doc, tmp);
    if (rc == AF_OK)
        rc = af_scenario_doc(doc, cat, sets, nsets, arena, out, tmp);
    af_check_flush(tmp, d);
    af_doc_free(doc);
    af_diag_free(tmp);
    return rc;
}

int af_scenario_parse(const char *name, const char *buf, size_t len, const af_catalog *cat,
                      const af_scenario_set *sets, size_t nsets, af_arena *arena,
                      af_world_config *out, af_diag *d)
{
    return af_scenario_read(NULL, name, buf, len, cat, sets, nsets, arena, out, d);
}

int af_scenario_load(const char *path, const af_catalog *cat, const af_scenario_set *sets,
                     size_t nsets, af_arena *arena, af_world_config *out, af_diag *d)
{
    return af_scenario_read(path, NULL, NULL, 0, cat, sets, nsets, arena, out, d);
}
