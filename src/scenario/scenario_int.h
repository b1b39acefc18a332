/*
 * scenario_int: the scenario checker's private parts, shared by scenario.c (the top level, the
 * helpers every section uses, and the entry points), scen_infra.c (facility, cluster, storage
 * and fabric), scen_workloads.c (the workloads list, burst and lookup), scen_train.c (train
 * and its dataset, model, checkpoint, failures and parallel), scen_arrivals.c (`arrivals:`
 * and trace files), scen_ingest.c (ingest), scen_flywheel.c (flywheel) and scen_field.c (a
 * field's value by its --set path) and nothing else.
 */
#ifndef AF_SCENARIO_SCENARIO_INT_H
#define AF_SCENARIO_SCENARIO_INT_H

#include "scenario/scenario.h"

#include "base/alloc.h"
#include "base/units.h"
#include "scenario/schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The state of one check. */
typedef struct scen {
    af_check c;                /* errors */
    const char *file;          /* the scenario's name as given (af_doc_name), for the paths in it */
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
    const af_node **infer_pool_at; /* per serving workload: its pool's node (checked against
                                    * the training jobs' pools once all are read) */
    size_t *infer_wi;              /* per serving workload: its index in `workloads:` */
    const af_node **ingest_feeds_at; /* per ingest: its `feeds` node (resolved once every workload
                                      * is read), or NULL */
    const af_node **ingest_out_at;   /* per ingest: its `preprocess.to` node, or NULL */
    size_t *ingest_wi;               /* per ingest: its index in `workloads:` */
    size_t nwork;                    /* entries of work_at: the items of `workloads:` */
    const af_node **fly_from_at;     /* per flywheel: its `from`, `to` and `retrain.job` nodes */
    const af_node **fly_to_at;       /* (resolved once every workload is read), or NULL */
    const af_node **fly_job_at;
    size_t *fly_wi;                  /* per flywheel: its index in `workloads:` */
} scen;

/* ---------------------------------------------------------------------------------------------
 * Key tables. Each kind of mapping in a scenario has a struct with one member per key, holding
 * the value under that key (NULL when the key is absent), and a table of its keys saying which
 * member each fills and whether it must be given. scen_fields splits a mapping through a table,
 * so the section readers name what they read (v.batch_per_gpu) instead of counting positions. A
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
#define SCEN_MAX_KEYS 20

#define SCEN_N(table) (sizeof(table) / sizeof((table)[0]))
/* The tables read better unwrapped. */
/* clang-format off */
#define SCEN_KEY(type, key, member, need) {key, offsetof(type, member), need, NULL}
#define SCEN_KEY_OR(type, key, member, or_key) {key, offsetof(type, member), SCEN_REQUIRED, or_key}
/* clang-format on */

/* Reports an error at node under key of the current path. */
#define SCEN_ERROR_AT(s, key, node, ...)                                                           \
    do {                                                                                           \
        size_t k_ = af_path_key(&(s)->path, key);                                                  \
        af_check_error(&(s)->c, node, &(s)->path, __VA_ARGS__);                                    \
        af_path_pop(&(s)->path, k_);                                                               \
    } while (0)

/* ---------------------------------------------------------------------------------------------
 * Helpers every section uses (scenario.c). */

/* The af_doc_namer of --set paths: cluster entries by pool, storage by tier, workloads by name
 * (or a training job's pool), any other list by name. */
const char *scen_namer(const char *seq_key, af_node **elem, af_node ***next);

/* Checks doc (overrides already applied) as af_scenario_load does, the config going nowhere but
 * arena, and records in *seen how the checker read node watch (scen_field.c). Returns AF_OK, or
 * AF_EINPUT with the mistakes in d (in checking order: flush them with af_check_flush). */
int scen_check_watch(const af_doc *doc, const af_catalog *cat, af_arena *arena,
                     const af_node *watch, af_check_seen *seen, af_diag *d);

/* Splits mapping map by a key table into *fields, reporting unknown and missing keys. */
void scen_fields(scen *s, const af_node *map, const scen_key *keys, size_t n, void *fields);
/* The names of the first n entries whose name node is set (a new array; af_free it). */
const char **scen_names(const af_node *const *at, size_t n, size_t *count);
/* Index of the entry called name among the first n, or SIZE_MAX. */
size_t scen_index(const af_node *const *at, size_t n, const char *name);
/* The entry of mapping map under key (for the key's position), or NULL. */
const af_pair *scen_pair(const af_node *map, const char *key);
/* Reads a unique entry name at node; NULL when it is malformed or taken (reported). */
const char *scen_unique(scen *s, const af_node *node, const af_node *const *at, size_t n,
                        const char *noun, const char *hint);
/* Checks that a list has 1 to AF_SCENARIO_MAX_ENTRIES entries. */
bool scen_list(scen *s, const af_node *list, const char *what);
/* Resolves a pool or tier reference at node; its index, or SIZE_MAX (reported). */
size_t scen_ref(scen *s, const af_node *node, const af_node *const *at, size_t n,
                const char *noun);
/* scen_ref under key `key` of the current path; SIZE_MAX when node is NULL. */
size_t scen_ref_key(scen *s, const af_node *node, const char *key, const af_node *const *at,
                    size_t n, const char *noun);
/* Reads an optional quantity under key; returns whether one was read. */
bool scen_quantity(scen *s, const af_node *node, const char *key, af_dim dim, af_range r,
                   double *out);
/* Looks up the catalog entry of section sec named at node and copies it into spec; false (an
 * unknown name, reported with "did you mean") when there is none (scen_infra.c). */
bool scen_catalog(scen *s, af_section sec, const af_node *node, void *spec);
/* Reads an optional integer in [min, max] under key; returns whether one was read. */
bool scen_integer(scen *s, const af_node *node, const char *key, int64_t min, int64_t max,
                  int64_t *out);

/* ---------------------------------------------------------------------------------------------
 * Sections (scen_infra.c). */

/* facility: a preset name, or a mapping with an optional preset and figures to override. */
void scen_facility(scen *s, const af_node *root, const af_node *node);
/* cluster: the pools (s->w.pools, s->pool_at, s->pool_job). */
void scen_cluster(scen *s, const af_node *list);
/* storage: the tiers, then their cache, drain and reserve. */
void scen_storage(scen *s, const af_node *list);
/* fabric: an optional list of up to AF_SCENARIO_MAX_FABRICS fabrics. */
void scen_fabrics(scen *s, const af_node *list);

/* ---------------------------------------------------------------------------------------------
 * Workloads (scen_workloads.c, scen_train.c). */

/* workloads: a list of one-key mappings naming the kind. */
void scen_workloads(scen *s, const af_node *list);
/* qos: { weight: NUMBER } in (0, 1e6]; *weight is 1 when absent. */
void scen_qos(scen *s, const af_node *node, double *weight);
/* Registers the name at node (under key) as workload wi's; returns it, or NULL (reported). */
const char *scen_work_name(scen *s, const af_node *node, const char *key, size_t wi,
                           const char *hint);
/* One `train:` workload body; wi is its index in `workloads:`. */
void scen_train(scen *s, const af_node *body, size_t wi);

/* ---------------------------------------------------------------------------------------------
 * Arrivals (scen_arrivals.c), for every kind whose requests or data arrive over time. */

/* arrivals: a rate, or a mapping with a rate, a daily profile, a start time of day and bursts,
 * or with a trace file (read now, relative to the scenario's directory, into the arena). node
 * is the value under key `key`; NULL (absent) leaves *out untouched, and so does a mistake
 * (reported). */
void scen_arrivals(scen *s, const af_node *node, const char *key, af_arrivals_config *out);
/* One `inference:` workload body (scen_infer.c); wi is its index in `workloads:`. */
void scen_infer(scen *s, const af_node *body, size_t wi);
/* After every workload is read: a pool serving a model runs nothing else (scen_infer.c). */
void scen_infer_pools(scen *s);
/* One `ingest:` workload body (scen_ingest.c); wi is its index in `workloads:`. */
void scen_ingest(scen *s, const af_node *body, size_t wi);
/* After every workload is read: each ingest's `feeds` names a training job, whose data set's
 * tier is where the preprocessing writes (scen_ingest.c). */
void scen_ingest_feeds(scen *s);
/* One `flywheel:` workload body (scen_flywheel.c); wi is its index in `workloads:`. */
void scen_flywheel(scen *s, const af_node *body, size_t wi);
/* After every workload is read: each flywheel's `from` names a serving workload, `to` an ingest
 * with preprocessing and `retrain.job` a training job without steps of its own, which it holds
 * (scen_flywheel.c). */
void scen_flywheel_refs(scen *s);

#endif
