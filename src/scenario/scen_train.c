/*
 * scen_train: checking a `train:` workload and its sub-sections: the compute side (step_time, or
 * model with tokens_per_step and mfu), dataset, checkpoint, failures and parallel.
 *
 * A job may name an MLPerf Storage workload (`preset: unet3d-h100`, models/mlperf.yaml): the
 * preset fills step_time, batch_per_gpu, the data set's sample_size, sample_spread,
 * samples_per_file and reader_threads, and the epochs, each unless the job gives its own; the
 * data set's size follows the benchmark's rule (workload/mlperf.h) unless size or files is
 * given. A job with a preset or `epochs:` counts its epochs and reports the MLPerf AU.
 */
#include "scenario/scenario_int.h"

#include "workload/mlperf.h"

#include <math.h>
#include <string.h>

/* A training job's `dataset:`. */
typedef struct dataset_fields {
    const af_node *tier, *size, *sample_size, *sample_spread, *samples_per_file, *files,
        *reader_threads, *prefetch, *host_memory;
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
    SCEN_KEY(dataset_fields, "host_memory", host_memory, SCEN_OPTIONAL),
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
        *batch_per_gpu, *dataset, *qos, *steps, *checkpoint, *failures, *parallel, *preset, *epochs,
        *min_au;
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
    SCEN_KEY(train_fields, "preset", preset, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "epochs", epochs, SCEN_OPTIONAL),
    SCEN_KEY(train_fields, "min_au", min_au, SCEN_OPTIONAL),
};

/* Splits map by keys, with the keys named in `loose` (NULL-terminated) optional: those a preset
 * fills. */
static void scen_fields_loose(scen *s, const af_node *map, const scen_key *keys, size_t n,
                              const char *const *loose, void *fields)
{
    scen_key copy[SCEN_MAX_KEYS];
    for (size_t i = 0; i < n; i++) {
        copy[i] = keys[i];
        for (const char *const *l = loose; l && *l; l++)
            if (strcmp(keys[i].name, *l) == 0)
                copy[i].need = SCEN_OPTIONAL;
    }
    scen_fields(s, map, copy, n, fields);
}

/* The GPUs of pool `pool`, or 0 when it is unknown or was refused. */
static double scen_pool_gpus(const scen *s, size_t pool)
{
    if (pool == SIZE_MAX || !s->pool_at[pool] || s->w.pools[pool].node.gpus <= 0)
        return 0;
    return (double)s->w.pools[pool].nodes * s->w.pools[pool].node.gpus;
}

/* dataset: of a training job; pre is its MLPerf preset, or NULL; named: the job names a preset
 * (pre is NULL when the name was unknown), whose fields then need not be given. */
static void scen_dataset(scen *s, const af_node *node, af_train_config *t,
                         const af_mlperf_spec *pre, bool named)
{
    size_t old = af_path_key(&s->path, "dataset");
    t->samples_per_file = 1;
    t->prefetch = 2;
    if (pre) {
        t->sample_B = pre->sample_B;
        t->sample_sd_B = pre->sample_sd_B;
        t->samples_per_file = pre->samples_per_file;
        t->reader_threads = pre->reader_threads;
    }
    if (!af_check_map(&s->c, node, &s->path,
                      "a mapping such as { tier: hot, size: 50 TB, sample_size: 110 kB }")) {
        af_path_pop(&s->path, old);
        return;
    }
    dataset_fields v;
    static const char *const loose[] = {"size", "sample_size", NULL};
    scen_fields_loose(s, node, dataset_keys, SCEN_N(dataset_keys), named ? loose : NULL, &v);
    t->tier = scen_ref_key(s, v.tier, "tier", s->tier_at, s->w.ntiers, "tier");
    bool size_ok =
        scen_quantity(s, v.size, "size", AF_DIM_SIZE, (af_range){0, 1e18, true}, &t->dataset_B);
    /* At least a microbyte: far smaller files cost more device time per byte than the fluid
     * model carries (1e30 units per byte), which made its accounts and the tiers' part ways
     * (fuzz finding devices-idle-while-holding, 2.2e-308 B samples). */
    bool sample_ok = scen_quantity(s, v.sample_size, "sample_size", AF_DIM_SIZE,
                                   (af_range){1e-6, 1e12, false}, &t->sample_B);
    if (pre && !v.sample_size)
        sample_ok = true; /* the preset's */
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
    double mem = 0;
    bool mem_ok = scen_quantity(s, v.host_memory, "host_memory", AF_DIM_SIZE,
                                (af_range){0, 1e15, true}, &mem);
    if (v.host_memory && (!named || v.size || v.files)) {
        SCEN_ERROR_AT(s, "host_memory", v.host_memory,
                      "host_memory sizes the data set by the MLPerf rule: give it with the "
                      "job's preset and without size or files");
    } else if (pre && !v.size && !v.files && (mem_ok || !v.host_memory) &&
               scen_pool_gpus(s, t->pool) > 0 && t->sample_B > 0 && t->samples_per_gpu > 0) {
        /* The benchmark's minimum: 500 steps an epoch and 5 x the clients' memory, in whole
         * files (workload/mlperf.h). */
        af_mlperf_spec rule = *pre;
        rule.sample_B = t->sample_B;
        rule.samples_per_file = (int)t->samples_per_file;
        double samples =
            af_mlperf_dataset_samples(&rule, t->samples_per_gpu, scen_pool_gpus(s, t->pool),
                                      (double)s->w.pools[t->pool].nodes, mem);
        t->dataset_B = samples * t->sample_B;
        t->files = samples / t->samples_per_file;
        if (t->dataset_B > 1e18) {
            char a[64];
            af_check_error(&s->c, node, &s->path,
                           "the MLPerf rule makes the data set %s; expected at most 1 EB (give "
                           "size or files)",
                           af_units_format(t->dataset_B, AF_DIM_SIZE, a, sizeof a));
        }
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
                         size_t pool, const af_mlperf_spec *pre)
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
    } else if (!v->step_time && !derived && pre) {
        t->step_time_s = pre->compute_s;
    } else if (!v->step_time && !derived && !v->preset) {
        af_check_error(&s->c, body, &s->path,
                       "missing required field \"step_time\" (or model.params with "
                       "tokens_per_step and mfu)");
    } else if (derived) {
        af_check_required(&s->c, body, &s->path, "model", v->model);
        af_check_required(&s->c, body, &s->path, "tokens_per_step", v->tokens_per_step);
        af_check_required(&s->c, body, &s->path, "mfu", v->mfu);
    }
}

/* epochs: and min_au: of a training job, after its data set: the steps of an epoch as DLIO
 * counts them, and the epochs to train (the preset's unless steps or epochs is given). */
static void scen_epochs(scen *s, const train_fields *v, af_train_config *t,
                        const af_mlperf_spec *pre)
{
    int64_t n = 0;
    bool epochs_ok = scen_integer(s, v->epochs, "epochs", 1, 1000000, &n);
    if (v->epochs && v->steps) {
        SCEN_ERROR_AT(s, "epochs", v->epochs, "give either steps or epochs, not both");
        return;
    }
    scen_quantity(s, v->min_au, "min_au", AF_DIM_RATIO, (af_range){0, 1, true}, &t->au_min);
    if (!v->min_au && pre)
        t->au_min = pre->au_min;
    if (!pre && !v->epochs && !v->min_au)
        return;
    if (v->epochs && !epochs_ok)
        return;
    double gpus = scen_pool_gpus(s, t->pool);
    if (!(gpus > 0) || !(t->sample_B > 0) || !(t->dataset_B > 0) || !(t->samples_per_gpu > 0))
        return; /* reported where the pool, the batch or the data set was read */
    double samples = t->files > 0 ? t->files * t->samples_per_file : t->dataset_B / t->sample_B;
    t->steps_per_epoch = af_mlperf_steps_per_epoch(samples, t->samples_per_gpu, gpus);
    if (t->steps_per_epoch < 1) {
        char a[64];
        af_check_error(&s->c, v->epochs ? v->epochs : v->preset ? v->preset : v->min_au,
                       &s->path,
                       "the data set's %.0f samples (%s) make no whole step of batch_per_gpu x "
                       "GPUs = %.0f samples; an epoch needs at least one",
                       samples, af_units_format(t->dataset_B, AF_DIM_SIZE, a, sizeof a),
                       t->samples_per_gpu * gpus);
        t->steps_per_epoch = 0;
        return;
    }
    if (v->epochs)
        t->epochs = (double)n;
    else if (pre && !v->steps)
        t->epochs = pre->epochs;
    if (t->epochs > 0)
        t->target_steps = t->epochs * t->steps_per_epoch;
}

/* One `train:` workload body; wi is its index in `workloads:`. */
void scen_train(scen *s, const af_node *body, size_t wi)
{
    if (!af_check_map(&s->c, body, &s->path,
                      "a mapping of training fields (pool, step_time or model, batch_per_gpu, "
                      "dataset)"))
        return;
    train_fields v;
    static const char *const loose[] = {"batch_per_gpu", NULL};
    bool named = scen_pair(body, "preset") != NULL;
    scen_fields_loose(s, body, train_keys, SCEN_N(train_keys), named ? loose : NULL, &v);

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
    af_mlperf_spec preset;
    const af_mlperf_spec *pre = NULL;
    if (v.preset) {
        size_t k = af_path_key(&s->path, "preset");
        if (scen_catalog(s, AF_SECTION_MLPERF, v.preset, &preset)) {
            pre = &preset;
            t->preset = af_arena_strdup(s->arena, preset.name);
        }
        af_path_pop(&s->path, k);
    }
    scen_compute(s, body, &v, t, t->pool, pre);
    int64_t b;
    if (pre)
        t->samples_per_gpu = pre->batch;
    if (scen_integer(s, v.batch_per_gpu, "batch_per_gpu", 1, 1000000000, &b))
        t->samples_per_gpu = (double)b;
    if (v.dataset)
        scen_dataset(s, v.dataset, t, pre, named);
    scen_qos(s, v.qos, &t->weight);
    if (scen_integer(s, v.steps, "steps", 1, 1000000000000000LL, &b))
        t->target_steps = (double)b;
    scen_epochs(s, &v, t, pre);
    if (v.checkpoint)
        scen_checkpoint(s, v.checkpoint, t);
    if (v.failures)
        scen_failures(s, v.failures, t);
    if (v.parallel)
        scen_parallel(s, v.parallel, t);
}
