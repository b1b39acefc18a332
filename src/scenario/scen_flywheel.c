/*
 * scen_flywheel: checking a scenario's `flywheel:` workloads (af_flywheel_config,
 * workload/flywheel.c): the serving workload whose answers log, the ingest the logs go through,
 * and the training job that fine-tunes when a trigger fires.
 *
 *   - flywheel:
 *       name: loop
 *       from: recsys          # an inference workload: each answered request (LLM turn) logs
 *       log: 2 KB             # bytes per answered request
 *       to: clicks            # an ingest with preprocess: the logs land and become training data
 *       flush: 1 min          # the logs are shipped this often (and new_data looked at)
 *       retrain:
 *         job: finetune       # a training job without `steps`: it idles until a trigger
 *         steps: 500          # steps per fine-tune
 *         every: 6 h          # retrain by time since the last fine-tune started, and/or
 *         new_data: 200 GB    # by training data made since then
 *
 * `from`, `to` and `job` may name workloads declared later in the list, so they are resolved
 * once every workload is read (scen_flywheel_refs), which also marks the job held.
 */
#include "scenario/scenario_int.h"

#include <string.h>

/* A `flywheel:` workload. */
typedef struct flywheel_fields {
    const af_node *name, *from, *log, *to, *flush, *retrain;
} flywheel_fields;
static const scen_key flywheel_keys[] = {
    SCEN_KEY(flywheel_fields, "name", name, SCEN_REQUIRED),
    SCEN_KEY(flywheel_fields, "from", from, SCEN_REQUIRED),
    SCEN_KEY(flywheel_fields, "log", log, SCEN_REQUIRED),
    SCEN_KEY(flywheel_fields, "to", to, SCEN_REQUIRED),
    SCEN_KEY(flywheel_fields, "flush", flush, SCEN_OPTIONAL),
    SCEN_KEY(flywheel_fields, "retrain", retrain, SCEN_REQUIRED),
};

/* `retrain:`. */
typedef struct retrain_fields {
    const af_node *job, *steps, *every, *new_data;
} retrain_fields;
static const scen_key retrain_keys[] = {
    SCEN_KEY(retrain_fields, "job", job, SCEN_REQUIRED),
    SCEN_KEY(retrain_fields, "steps", steps, SCEN_REQUIRED),
    SCEN_KEY(retrain_fields, "every", every, SCEN_OPTIONAL),
    SCEN_KEY(retrain_fields, "new_data", new_data, SCEN_OPTIONAL),
};

/* retrain: { job, steps, every, new_data }; *job_at gets the `job` node. */
static void scen_retrain(scen *s, const af_node *node, af_flywheel_config *c,
                         const af_node **job_at)
{
    size_t k = af_path_key(&s->path, "retrain");
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { job: finetune, steps: 500, every: 6 h }")) {
        af_path_pop(&s->path, k);
        return;
    }
    retrain_fields v;
    scen_fields(s, node, retrain_keys, SCEN_N(retrain_keys), &v);
    *job_at = v.job;
    int64_t steps;
    if (scen_integer(s, v.steps, "steps", 1, 1000000000000000LL, &steps))
        c->steps = (double)steps;
    scen_quantity(s, v.every, "every", AF_DIM_TIME, (af_range){0, 100 * AF_YEAR_S, true},
                  &c->every_s);
    scen_quantity(s, v.new_data, "new_data", AF_DIM_SIZE, (af_range){0, 1e18, true},
                  &c->new_data_B);
    if (!v.every && !v.new_data)
        af_check_error(&s->c, node, &s->path,
                       "say when to retrain: give every (e.g. \"every: 6 h\"), new_data (e.g. "
                       "\"new_data: 200 GB\") or both");
    af_path_pop(&s->path, k);
}

void scen_flywheel(scen *s, const af_node *body, size_t wi)
{
    if (!af_check_map(&s->c, body, &s->path,
                      "a mapping of flywheel fields (name, from, log, to, retrain)"))
        return;
    flywheel_fields v;
    scen_fields(s, body, flywheel_keys, SCEN_N(flywheel_keys), &v);
    size_t j = s->w.nflywheels++;
    af_flywheel_config *c = &s->w.flywheels[j];
    c->from = c->to = c->job = AF_WORLD_NONE;
    c->flush_s = 60;
    if (v.name)
        c->name = scen_work_name(s, v.name, "name", wi, "");
    scen_quantity(s, v.log, "log", AF_DIM_SIZE, (af_range){0, 1e12, true}, &c->log_B);
    scen_quantity(s, v.flush, "flush", AF_DIM_TIME, (af_range){0, AF_YEAR_S, true}, &c->flush_s);
    const af_node *job_at = NULL;
    if (v.retrain)
        scen_retrain(s, v.retrain, c, &job_at);
    s->fly_from_at[j] = v.from;
    s->fly_to_at[j] = v.to;
    s->fly_job_at[j] = job_at;
    s->fly_wi[j] = wi;
}

/* Resolves reference `node` under `key` (NULL: nothing) to one of the n workloads of a kind
 * whose name nodes are at[0..n), called `noun` ("inference workload"); SIZE_MAX when it names
 * none (reported: a workload of another kind as such, an unknown one with the nearest). */
static size_t fly_ref(scen *s, const af_node *node, const char *key, const af_node *const *at,
                      size_t n, const char *noun, const char *kind)
{
    if (!node)
        return SIZE_MAX;
    char q[128];
    if (node->kind == AF_NODE_SCALAR && scen_index(at, n, node->text) == SIZE_MAX) {
        if (scen_index(s->work_at, s->nwork, node->text) != SIZE_MAX) {
            SCEN_ERROR_AT(s, key, node,
                          "\"%s\" names a workload of another kind; %s expects an %s workload",
                          af_doc_quote(node->text, q, sizeof q), key, kind);
            return SIZE_MAX;
        }
        if (n == 0) {
            SCEN_ERROR_AT(s, key, node,
                          "expected the name of an %s, but the scenario has none; add an %s "
                          "workload",
                          noun, kind);
            return SIZE_MAX;
        }
    }
    return scen_ref_key(s, node, key, at, n, noun);
}

void scen_flywheel_refs(scen *s)
{
    if (s->w.nflywheels == 0)
        return;
    /* The name nodes of the serving workloads and ingests, by their own indices. */
    const af_node **infer_at = af_arena_calloc(s->arena, s->w.ninfers + 1, sizeof *infer_at);
    const af_node **ingest_at = af_arena_calloc(s->arena, s->w.ningests + 1, sizeof *ingest_at);
    for (size_t i = 0; i < s->w.ninfers; i++)
        infer_at[i] = s->work_at[s->infer_wi[i]];
    for (size_t i = 0; i < s->w.ningests; i++)
        ingest_at[i] = s->work_at[s->ingest_wi[i]];
    for (size_t j = 0; j < s->w.nflywheels; j++) {
        af_flywheel_config *c = &s->w.flywheels[j];
        size_t o = af_path_index(&s->path, s->fly_wi[j]);
        size_t kk = af_path_key(&s->path, "flywheel");
        char q[128];
        c->from = fly_ref(s, s->fly_from_at[j], "from", infer_at, s->w.ninfers,
                          "inference workload", "inference");
        const af_node *to_at = s->fly_to_at[j];
        c->to = fly_ref(s, to_at, "to", ingest_at, s->w.ningests, "ingest workload", "ingest");
        if (c->to != AF_WORLD_NONE && s->w.ingests[c->to].nodes <= 0)
            SCEN_ERROR_AT(s, "to", to_at,
                          "ingest \"%s\" has no preprocess, so the logs never become training "
                          "data; give it preprocess: { nodes: ..., throughput: ... }",
                          af_doc_quote(to_at->text, q, sizeof q));
        const af_node *job_at = s->fly_job_at[j];
        size_t rk = af_path_key(&s->path, "retrain");
        size_t job = SIZE_MAX;
        if (job_at && s->w.ntrains == 0)
            SCEN_ERROR_AT(s, "job", job_at,
                          "expected the name of a training job, but the scenario has none; add "
                          "a train workload to fine-tune");
        else
            job = scen_ref_key(s, job_at, "job", s->train_at, s->w.ntrains, "training job");
        if (job != SIZE_MAX) {
            af_train_config *t = &s->w.trains[job];
            size_t other = SIZE_MAX;
            for (size_t i = 0; i < j; i++)
                if (s->w.flywheels[i].job == job)
                    other = i;
            if (other != SIZE_MAX)
                SCEN_ERROR_AT(s, "job", job_at,
                              "training job \"%s\" is already retrained by flywheel \"%s\" (line "
                              "%d); a job fine-tunes for one flywheel",
                              af_doc_quote(job_at->text, q, sizeof q),
                              s->w.flywheels[other].name ? s->w.flywheels[other].name : "?",
                              s->fly_job_at[other]->line);
            else if (t->target_steps > 0)
                SCEN_ERROR_AT(s, "job", job_at,
                              "training job \"%s\" has steps: %.0f, but a flywheel's job trains "
                              "retrain.steps per fine-tune; remove steps from the job",
                              af_doc_quote(job_at->text, q, sizeof q), t->target_steps);
            else {
                t->held = true;
                c->job = job;
            }
        }
        af_path_pop(&s->path, rk);
        af_path_pop(&s->path, kk);
        af_path_pop(&s->path, o);
    }
}
