/*
 * scen_infra: checking a scenario's facility, its pools (`cluster:`), its tiers (`storage:`,
 * with their cache, drain and reserve) and its fabrics (`fabric:`); see scenario.c.
 */
#include "scenario/scenario_int.h"

#include <math.h>
#include <string.h>

/* An entry of `cluster:` (a pool) or of `storage:` (a tier); see scen_group. */
typedef struct group_fields {
    const af_node *name;     /* pool: / tier: */
    const af_node *model;    /* node: / system: (a catalog name) */
    const af_node *nodes;    /* nodes: */
    const af_node *override; /* override: */
    const af_node *cache;    /* tiers only, read by scen_tier_links */
    const af_node *drain;    /* likewise */
    const af_node *reserve;  /* likewise */
    const af_node *power_limit; /* pools only, read by scen_cluster */
} group_fields;
static const scen_key pool_keys[] = {
    SCEN_KEY(group_fields, "pool", name, SCEN_REQUIRED),
    SCEN_KEY(group_fields, "node", model, SCEN_REQUIRED),
    SCEN_KEY(group_fields, "nodes", nodes, SCEN_REQUIRED),
    SCEN_KEY(group_fields, "override", override, SCEN_OPTIONAL),
    SCEN_KEY(group_fields, "power_limit", power_limit, SCEN_OPTIONAL),
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
    const af_node *override; /* switch fields (price, power, ports) */
} fabric_fields;
static const scen_key fabric_keys[] = {
    SCEN_KEY(fabric_fields, "name", name, SCEN_REQUIRED),
    SCEN_KEY(fabric_fields, "switch", sw, SCEN_REQUIRED),
    SCEN_KEY(fabric_fields, "override", override, SCEN_OPTIONAL),
    SCEN_KEY(fabric_fields, "topology", topology, SCEN_OPTIONAL),
    SCEN_KEY(fabric_fields, "oversubscription", oversubscription, SCEN_OPTIONAL),
    SCEN_KEY(fabric_fields, "levels", levels, SCEN_OPTIONAL),
    SCEN_KEY(fabric_fields, "connects", connects, SCEN_REQUIRED),
};

/* Looks up a catalog entry by the name at node; copies it into spec and returns true, or
 * reports an unknown name (with "did you mean") and returns false. */
bool scen_catalog(scen *s, af_section sec, const af_node *node, void *spec)
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

/* cluster: the pools (s->w.pools, s->pool_at, s->pool_job). */
void scen_cluster(scen *s, const af_node *list)
{
    const af_node **items;
    s->w.pools = scen_group_read(s, &pool_group, list, &s->w.npools, &s->pool_at, &items);
    s->pool_job = af_arena_calloc(s->arena, s->w.npools, sizeof *s->pool_job);
    for (size_t i = 0; i < s->w.npools; i++)
        s->pool_job[i] = SIZE_MAX;
    /* power_limit: a GPU power limit inside the range the driver accepts, [min, TDP]. */
    for (size_t i = 0; i < s->w.npools; i++) {
        const af_node *pl = items && items[i] ? af_node_find(items[i], "power_limit") : NULL;
        if (!pl)
            continue;
        af_pool_config *pc = &s->w.pools[i];
        size_t o = af_path_key(&s->path, "cluster");
        size_t o2 = af_path_index(&s->path, i);
        const af_gpu_spec *g = &pc->node.gpu;
        bool range = s->pool_at[i] && g->tdp_W > 0;
        double lo = g->min_limit_W < g->tdp_W ? g->min_limit_W : g->tdp_W;
        af_range r = range ? (af_range){lo, g->tdp_W, false} : (af_range){0, 1e5, true};
        scen_quantity(s, pl, "power_limit", AF_DIM_POWER, r, &pc->power_limit_W);
        af_path_pop(&s->path, o2);
        af_path_pop(&s->path, o);
    }
}

/* facility: a preset name, or a mapping with an optional preset and figures to override. */
void scen_facility(scen *s, const af_node *root, const af_node *node)
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

/* storage: the tiers, then their cache, drain and reserve. */
void scen_storage(scen *s, const af_node *list)
{
    s->w.tiers = scen_group_read(s, &tier_group, list, &s->w.ntiers, &s->tier_at, &s->tier_item);
    scen_tier_links(s);
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
void scen_fabrics(scen *s, const af_node *list)
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
        bool sw_known = false;
        if (v.sw) {
            k = af_path_key(&s->path, "switch");
            sw_known = scen_switch(s, v.sw, &f->spec.sw);
            af_path_pop(&s->path, k);
        }
        /* override: switch fields with plain values (a quoted price, measured power). */
        scen_override(s, AF_SECTION_SWITCHES, v.override, sw_known ? &f->spec.sw : NULL);
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
