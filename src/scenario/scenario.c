/*
 * scenario: checking a scenario doc into an af_world_config; see scenario.h for the format.
 *
 * One pass over the tree in dependency order (pools and tiers before the workloads that name
 * them) checks every field, reporting every mistake through an af_check and going on; the
 * messages are then put in document order (af_check_flush). Names are registered even when
 * the rest of their entry is wrong, so that one mistake does not cause a second one in each
 * reference to it. The config is built in the caller's arena and copied to *out only when
 * there was no error.
 *
 * This file reads the top level and holds the helpers that every section uses; the sections are
 * read in scen_infra.c (facility, cluster, storage, fabric), scen_workloads.c (workloads, burst,
 * lookup) and scen_train.c (train), which share scenario_int.h.
 */
#include "scenario/scenario_int.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    const char *names[SCEN_MAX_KEYS] = {NULL}; /* zeroed for GCC, which cannot see n here */
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
void scen_fields(scen *s, const af_node *map, const scen_key *keys, size_t n, void *fields)
{
    scen_split(s, map, keys, n, fields);
    scen_require(s, map, keys, n, fields);
}

/* The names of the first n entries whose name node is set, for "did you mean" and "defined:";
 * a new array (release with af_free) of borrowed strings. */
const char **scen_names(const af_node *const *at, size_t n, size_t *count)
{
    const char **names = af_malloc_array(n ? n : 1, sizeof *names);
    *count = 0;
    for (size_t i = 0; i < n; i++)
        if (at[i])
            names[(*count)++] = at[i]->text;
    return names;
}

/* Index of the entry called name among the first n, or SIZE_MAX. */
size_t scen_index(const af_node *const *at, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (at[i] && strcmp(at[i]->text, name) == 0)
            return i;
    return SIZE_MAX;
}

/* The entry of mapping map under key (for the key's position), or NULL. */
const af_pair *scen_pair(const af_node *map, const char *key)
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
const char *scen_unique(scen *s, const af_node *node, const af_node *const *at, size_t n,
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
bool scen_list(scen *s, const af_node *list, const char *what)
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

/* Resolves a pool or tier reference (noun "pool" or "tier") at node; returns its index or
 * SIZE_MAX (reported). */
size_t scen_ref(scen *s, const af_node *node, const af_node *const *at, size_t n,
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
size_t scen_ref_key(scen *s, const af_node *node, const char *key, const af_node *const *at,
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
bool scen_quantity(scen *s, const af_node *node, const char *key, af_dim dim, af_range r,
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
bool scen_integer(scen *s, const af_node *node, const char *key, int64_t min, int64_t max,
                  int64_t *out)
{
    if (!node)
        return false;
    size_t k = af_path_key(&s->path, key);
    bool ok = af_check_integer(&s->c, node, &s->path, min, max, out);
    af_path_pop(&s->path, k);
    return ok;
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
    if (v.cluster)
        scen_cluster(s, v.cluster);
    if (v.storage)
        scen_storage(s, v.storage);
    if (v.fabric)
        scen_fabrics(s, v.fabric);
    if (v.workloads)
        scen_workloads(s, v.workloads);
}

/* Selects list entries by name for --set paths (see scenario.h). */
const char *scen_namer(const char *seq_key, af_node **elem, af_node ***next)
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
    scen s = {.c = {.d = d},
              .file = af_doc_name(doc),
              .cat = cat,
              .refs = af_catalog_refs(cat),
              .arena = arena};
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

int scen_check_watch(const af_doc *doc, const af_catalog *cat, af_arena *arena,
                     const af_node *watch, af_check_seen *seen, af_diag *d)
{
    *seen = (af_check_seen){0};
    scen s = {.c = {.d = d, .watch = watch, .seen = seen},
              .file = af_doc_name(doc),
              .cat = cat,
              .refs = af_catalog_refs(cat),
              .arena = arena};
    scen_root(&s, doc);
    return s.c.errors ? AF_EINPUT : AF_OK;
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
