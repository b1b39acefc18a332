/*
 * scen_workloads: checking a scenario's `workloads:` list, its `burst:` and `lookup:` workloads
 * and what every kind shares (qos, names); `train:` is in scen_train.c, `ingest:` in
 * scen_ingest.c, `flywheel:` in scen_flywheel.c.
 */
#include "scenario/scenario_int.h"

#include <string.h>

/* A workload's `qos:`. */
typedef struct qos_fields {
    const af_node *weight;
} qos_fields;
static const scen_key qos_keys[] = {
    SCEN_KEY(qos_fields, "weight", weight, SCEN_OPTIONAL),
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
    const af_node *name, *tier, *rate, *arrivals, *size, *slo;
} lookup_fields;
static const scen_key lookup_keys[] = {
    SCEN_KEY(lookup_fields, "name", name, SCEN_REQUIRED),
    SCEN_KEY(lookup_fields, "tier", tier, SCEN_REQUIRED),
    SCEN_KEY_OR(lookup_fields, "rate", rate, "arrivals"),
    SCEN_KEY(lookup_fields, "arrivals", arrivals, SCEN_OPTIONAL),
    SCEN_KEY(lookup_fields, "size", size, SCEN_OPTIONAL),
    SCEN_KEY(lookup_fields, "slo", slo, SCEN_OPTIONAL),
};

/* qos: { weight: NUMBER } in (0, 1e6]; *weight is 1 when absent. */
void scen_qos(scen *s, const af_node *node, double *weight)
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
const char *scen_work_name(scen *s, const af_node *node, const char *key, size_t wi,
                           const char *hint)
{
    size_t k = af_path_key(&s->path, key);
    const char *name = scen_unique(s, node, s->work_at, wi, "workload", hint);
    af_path_pop(&s->path, k);
    s->work_at[wi] = name ? node : NULL;
    return name ? af_arena_strdup(s->arena, name) : NULL;
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
    if (v.rate && v.arrivals) {
        SCEN_ERROR_AT(s, "arrivals", v.arrivals, "give either rate or arrivals, not both");
    } else if (v.rate) {
        scen_quantity(s, v.rate, "rate", AF_DIM_RATE, (af_range){0, 1e9, true}, &l->rate_per_s);
    } else if (v.arrivals) {
        /* rate_per_s is the mean over the run, for the tier's load check and the summary. */
        scen_arrivals(s, v.arrivals, "arrivals", &l->arrivals);
        double T = s->w.duration_s;
        if ((l->arrivals.rate_per_s > 0 || l->arrivals.trace_s) && T > 0)
            l->rate_per_s = af_arrivals_expected(&l->arrivals, 0, T) / T;
    }
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
    /* for "did you mean" */
    static const char *const kinds[] = {"train",     "burst",  "lookup",
                                        "inference", "ingest", "flywheel"};
    const af_node *kind = item->pairs[0].key;
    size_t k = af_path_key(&s->path, kind->text);
    if (strcmp(kind->text, "train") == 0) {
        scen_train(s, item->pairs[0].value, wi);
    } else if (strcmp(kind->text, "burst") == 0) {
        scen_burst(s, item->pairs[0].value, wi);
    } else if (strcmp(kind->text, "lookup") == 0) {
        scen_lookup(s, item->pairs[0].value, wi);
    } else if (strcmp(kind->text, "inference") == 0) {
        scen_infer(s, item->pairs[0].value, wi);
    } else if (strcmp(kind->text, "ingest") == 0) {
        scen_ingest(s, item->pairs[0].value, wi);
    } else if (strcmp(kind->text, "flywheel") == 0) {
        scen_flywheel(s, item->pairs[0].value, wi);
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
                           "unknown workload kind \"%s\"; supported: train, burst, lookup, "
                           "inference, ingest, flywheel",
                           af_doc_quote(kind->text, q, sizeof q));
    }
    af_path_pop(&s->path, k);
}

/* workloads: a list of one-key mappings naming the kind. */
void scen_workloads(scen *s, const af_node *list)
{
    size_t old = af_path_key(&s->path, "workloads");
    if (!scen_list(s, list, "a list of workloads such as \"- train: { pool: train, ... }\"")) {
        af_path_pop(&s->path, old);
        return;
    }
    s->w.trains = af_arena_calloc(s->arena, list->n, sizeof *s->w.trains);
    s->w.bursts = af_arena_calloc(s->arena, list->n, sizeof *s->w.bursts);
    s->w.lookups = af_arena_calloc(s->arena, list->n, sizeof *s->w.lookups);
    s->w.infers = af_arena_calloc(s->arena, list->n, sizeof *s->w.infers);
    s->infer_pool_at = af_arena_calloc(s->arena, list->n, sizeof *s->infer_pool_at);
    s->infer_wi = af_arena_calloc(s->arena, list->n, sizeof *s->infer_wi);
    s->w.ingests = af_arena_calloc(s->arena, list->n, sizeof *s->w.ingests);
    s->ingest_feeds_at = af_arena_calloc(s->arena, list->n, sizeof *s->ingest_feeds_at);
    s->ingest_out_at = af_arena_calloc(s->arena, list->n, sizeof *s->ingest_out_at);
    s->ingest_wi = af_arena_calloc(s->arena, list->n, sizeof *s->ingest_wi);
    s->train_at = af_arena_calloc(s->arena, list->n, sizeof *s->train_at);
    s->work_at = af_arena_calloc(s->arena, list->n, sizeof *s->work_at);
    s->nwork = list->n;
    s->w.flywheels = af_arena_calloc(s->arena, list->n, sizeof *s->w.flywheels);
    s->fly_from_at = af_arena_calloc(s->arena, list->n, sizeof *s->fly_from_at);
    s->fly_to_at = af_arena_calloc(s->arena, list->n, sizeof *s->fly_to_at);
    s->fly_job_at = af_arena_calloc(s->arena, list->n, sizeof *s->fly_job_at);
    s->fly_wi = af_arena_calloc(s->arena, list->n, sizeof *s->fly_wi);
    for (size_t i = 0; i < list->n; i++) {
        size_t o = af_path_index(&s->path, i);
        scen_workload(s, list->items[i], i);
        af_path_pop(&s->path, o);
    }
    scen_infer_pools(s);
    scen_ingest_feeds(s);
    scen_flywheel_refs(s);
    af_path_pop(&s->path, old);
}
