/*
 * train: the training kind of the world; see train.h.
 *
 * Each job is one flow group of N GPUs in lock-step. Its loader fetches one batch for the whole
 * group at a time and keeps up to `prefetch` batches ready. A fetch is one flow (k = N members,
 * each its batch) from the data set's tier to the pool, or, when a cache tier fronts the data
 * set's tier, two: the hits (hit_ratio of the bytes) from the cache, and the misses read through
 * it (backing devices -> backing NICs -> cache NICs -> cache devices, written -> cache NICs ->
 * pool). Files of samples_per_file samples are read whole and in order, each costing
 * AF_STORAGE_FILE_OPS device operations (model/storage.h: the open's metadata look-up and the
 * first read's seek) plus its bytes, so one-sample files of small samples are IOPS-bound where
 * large shard files stream. With reader_threads T per GPU, each with one file in flight taking
 * device latency + file / device_read_Bps, a GPU reads at most T x file / (latency + file /
 * device_read_Bps) (Little's law), a per-member cap on the flow.
 *
 * The step. Without `parallel:` a step is its compute. With it the GPUs split into tensor x
 * pipeline x data-parallel groups, and a step is: its compute, plus the pipeline bubble
 * (p - 1) / (m + p - 1) of it (GPipe), plus the model-parallel traffic on its critical path
 * (tensor ranks' activation all-reduces over NVLink, stages' activation sends over the NICs;
 * closed forms, with the model's shape), plus the wait for the slowest node (one draw of the
 * maximum of n step-time factors, model/reliability.h), and then the part of the data-parallel
 * gradient all-reduce that the backward pass does not hide: that all-reduce runs as a flow group
 * on the compute NICs and the backend fabric (shared with every other job there), started
 * `overlap` x its time alone before the compute ends, plus its latency steps and its NVLink
 * phases (model/collective.h). The next step starts when both have ended and a batch is ready.
 *
 * Targets. A job with `steps` stops there and idles. A held job (af_train_config.held, a
 * flywheel's fine-tune) idles from time 0; whoever drives it (af_train_on_done, af_train_run_more)
 * raises its target, and it resumes, its loader starting afresh, until it reaches it again.
 *
 * Time attribution: every second of a job is computing, waiting for data, exposed communication,
 * pipeline bubble, straggler wait, or one of the phases of resilience.c (train_int.h); the parts
 * add up to the run. Without those features, utilization + data wait = 1 exactly; a wait is charged to the bottleneck of the fetch it waits for
 * (af_flownet_bottleneck: client NICs, fabric, storage NICs, devices, or the reader threads' cap)
 * and to the exact resource on its path, so the report can name the one that held the job back.
 */
#include "workload/train_int.h"

#include "base/alloc.h"
#include "base/metrics.h"
#include "base/trace.h"
#include "engine/rng.h"
#include "workload/world_int.h"

#include <gsl/gsl_randist.h>
#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

/* Waiting below this share of the run is not worth naming a bottleneck for. */
#define TRAIN_MATERIAL_WAIT 1e-3

double af_train_compute_s(const af_train_config *c, double gpus, double peak_flops)
{
    if (c->step_time_s > 0)
        return c->step_time_s;
    /* 6 FLOPs per parameter per token: 2 forward, 4 backward (Kaplan et al. 2020); with the
     * model's shape, plus the attention scores' 12 L d s (model/collective.h). */
    double per_token = af_flops_per_token(c->params, c->layers, c->hidden, c->seq_len,
                                          c->layers > 0 && c->hidden > 0 && c->seq_len > 0);
    return per_token * c->tokens_per_step / (gpus * peak_flops * c->mfu);
}

double af_train_batch_B(const af_train_config *c)
{
    return c->samples_per_gpu * c->sample_B;
}

void af_train_plan_make(const af_world_config *cfg, size_t j, af_train_plan *out)
{
    const af_train_config *tc = &cfg->trains[j];
    const af_pool_config *pc = &cfg->pools[tc->pool];
    out->gpus = (double)pc->nodes * pc->node.gpus;
    out->peak_flops =
        tc->precision == AF_PREC_FP8 ? pc->node.gpu.fp8_flops : pc->node.gpu.bf16_flops;
    /* A power limit slows the GPUs by the catalog's curve, a given step time included (it was
     * measured at full power). */
    out->power_share = af_gpu_throughput_at(&pc->node.gpu, pc->power_limit_W);
    out->compute_s = af_train_compute_s(tc, out->gpus, out->peak_flops) / out->power_share;
    out->batch_B = af_train_batch_B(tc);
    out->batch_sd_B = sqrt(tc->samples_per_gpu / out->gpus) * tc->sample_sd_B;
    out->demand_Bps = out->batch_B / out->compute_s;
    out->file_B = (tc->samples_per_file >= 1 ? tc->samples_per_file : 1) * tc->sample_B;
}

double af_train_draw_batch_B(const af_train_plan *p, gsl_rng *rng)
{
    if (!rng || !(p->batch_sd_B > 0))
        return p->batch_B;
    double b = p->batch_B + gsl_ran_gaussian(rng, p->batch_sd_B);
    return b < 0.1 * p->batch_B ? 0.1 * p->batch_B : b;
}

/* The state a job's time is charged to, as its timeline names it. */
static const char *job_state_name(const job *jb)
{
    static const char *const phase[AF_PHASE__COUNT] = {
        [AF_PHASE_CKPT] = "checkpoint stall",
        [AF_PHASE_DOWN] = "down (failure)",
        [AF_PHASE_RELOAD] = "reloading checkpoint",
        [AF_PHASE_DONE] = "idle (target reached)",
    };
    if (jb->phase != AF_PHASE_RUN)
        return phase[jb->phase];
    return jb->communicating ? "communicating" : jb->computing ? "computing" : "waiting for data";
}

/* The trace's spans of [from, to): a step's computing time is drawn as its compute, then its
 * pipeline bubble and straggler wait, then its model-parallel traffic, the order in which the
 * metrics take them out of computing (job_step_done); every other state as one span. */
static void job_trace(const job *jb, af_time_ns from, af_time_ns to)
{
    af_trace *t = jb->world->cfg->trace;
    if (jb->phase != AF_PHASE_RUN || jb->communicating || !jb->computing ||
        jb->step_extra_ns <= 0) {
        af_trace_span(t, jb->trace_track, job_state_name(jb), from, to);
        return;
    }
    af_time_ns c_end = af_time_add(jb->step_begin_ns, jb->compute_ns);
    af_time_ns b_end = af_time_add(c_end, jb->step_extra_ns - jb->mp_comm_ns);
    static const char *const part[3] = {"computing", "bubble and stragglers", "communicating"};
    af_time_ns ends[3] = {c_end, b_end, to};
    af_time_ns a = from;
    for (int k = 0; k < 3 && a < to; k++) {
        af_time_ns b = ends[k] < to ? ends[k] : to;
        if (b > a) {
            af_trace_span(t, jb->trace_track, part[k], a, b);
            a = b;
        }
    }
}

void af_job_account(job *jb, af_time_ns now)
{
    af_time_ns dt = now - jb->since_ns;
    if (jb->world->cfg->trace && dt > 0)
        job_trace(jb, jb->since_ns, now);
    if (jb->phase != AF_PHASE_RUN) {
        jb->phase_ns[jb->phase] += dt;
    } else if (jb->communicating) {
        jb->comm_total_ns += dt;
    } else if (jb->computing) {
        jb->compute_total_ns += dt;
        if (jb->world->bursts_active)
            jb->compute_in_burst_ns += dt;
    } else {
        jb->wait_total_ns += dt;
        jb->wait_by_ns[jb->hold] += dt;
        if (jb->hold_hop >= 0)
            jb->wait_hop_ns[jb->flow_path[jb->hold_flow] == &jb->path_hit ? 0 : 1][jb->hold_hop] +=
                dt;
    }
    jb->since_ns = now;
}

/* Charges the current wait of a job to the bottleneck of the slowest flow of its fetch. */
static void job_find_hold(job *jb)
{
    af_world *w = jb->world;
    double worst = -1;
    for (int i = 0; i < 2; i++) {
        if (!af_flownet_live(w->net, jb->flow[i]))
            continue;
        double rate = af_flownet_rate(w->net, jb->flow[i]);
        double left = af_flownet_left(w->net, jb->flow[i]);
        double t = rate > 0 ? left / rate : INFINITY;
        if (t > worst) {
            worst = t;
            uint32_t b = af_flownet_bottleneck(w->net, jb->flow[i]);
            jb->hold = b == AF_FLOWNET_CAPPED ? AF_HOLD_READERS
                       : b < w->nres          ? (af_hold)w->hold[b]
                                              : AF_HOLD_DEVICES;
            jb->hold_flow = i;
            jb->hold_hop = -1;
            const af_path *p = jb->flow_path[i];
            for (uint32_t h = 0; p && h < p->n; h++)
                if (p->res[h] == b) {
                    jb->hold_hop = (int)h;
                    break;
                }
        }
    }
}

/* Asks for the job's hold to be looked at when the instant ends, after the flow network has
 * reshared (train_load_changed). The hold is the bottleneck of the slower flow of the fetch; it
 * can change only when the job's own state does or when a flow of its fetch is told of a new
 * rate or bottleneck (job_fetch_changed): a fetch's two flows share the pool's NICs and the
 * cache's devices, so they are always in one component, and a change that scales every rate of a
 * block by one factor, of which the network tells no one, keeps which flow is slower and what
 * holds it. So the jobs looked at per instant are those that changed, not every job. */
void af_job_mark(job *jb)
{
    if (!jb->dirty) {
        train_state *s = train_of(jb->world);
        jb->dirty = true;
        s->dirty = af_grow(s->dirty, &s->cap_dirty, s->n_dirty + 1, sizeof *s->dirty);
        s->dirty[s->n_dirty++] = jb;
    }
    af_world_load_changed(jb->world);
}

static void job_fetch_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
static void job_fetch_partial(af_world *w, void *owner, uint64_t arg, double bytes);
static void job_fetch_changed(af_world *w, void *owner, uint64_t arg);
static const af_xfer_ops job_fetch_ops = {job_fetch_done, job_fetch_partial, job_fetch_changed};

static bool job_maybe_fetch(job *jb)
{
    af_world *w = jb->world;
    if (jb->fetching || jb->ready >= jb->cfg->prefetch ||
        (jb->phase != AF_PHASE_RUN && jb->phase != AF_PHASE_CKPT))
        return false;
    double b = af_train_draw_batch_B(&jb->plan, jb->rng);
    jb->fetching = true;
    jb->flows_left = 0;
    jb->flow[0] = jb->flow[1] = (af_flow_id){0, 0};
    double w8 = af_weight(jb->cfg->weight, 1);
    uint32_t k = (uint32_t)jb->plan.gpus;
    double hit = jb->hit;
    if (hit > 0) {
        af_devuse dev = {jb->serve, false, jb->scale_hit_dev};
        jb->flow_path[jb->flows_left] = &jb->path_hit;
        jb->flow[jb->flows_left++] = af_xfer_start(w, &jb->path_hit, hit * b, w8,
                                                   jb->cap_Bps * hit, k, &dev, 1, &job_fetch_ops,
                                                   jb, 0);
    }
    if (hit < 1) {
        uint32_t src = (uint32_t)jb->cfg->tier;
        af_devuse dev[2] = {{src, false, jb->scale_miss_read},
                            {jb->serve, true, jb->scale_miss_write}};
        jb->flow_path[jb->flows_left] = &jb->path_miss;
        jb->flow[jb->flows_left++] =
            af_xfer_start(w, &jb->path_miss, (1 - hit) * b, w8, jb->cap_Bps * (1 - hit), k, dev,
                          src != jb->serve ? 2 : 1, &job_fetch_ops, jb, 0);
    }
    af_job_mark(jb);
    return true;
}

static void job_step_done(af_sim *sim, void *ctx, uint64_t arg);

static void job_comm_start(af_sim *sim, void *ctx, uint64_t arg);
static void job_step_complete(job *jb);

/* Starts a step: its compute (with the pipeline bubble and the wait for the slowest node) and,
 * when the job all-reduces, the all-reduce, timed to start comm_lead before the compute ends
 * (the overlapped share of its time alone). */
static void job_start_step(job *jb)
{
    af_sim *sim = jb->world->sim;
    af_job_account(jb, af_sim_now(sim));
    jb->ready--;
    jb->computing = true;
    jb->in_step = true;
    jb->step_begin_ns = af_sim_now(sim);
    af_time_ns strag = 0;
    if (jb->strag_rng) {
        /* The slowest of the pool's nodes, each with a step-time factor of mean 1. */
        double nodes = (double)jb->world->cfg->pools[jb->cfg->pool].nodes;
        double f = af_straggler_max_draw(&jb->strag, nodes, jb->strag_rng);
        double extra = (double)jb->compute_ns * (f - 1);
        strag = extra > 0 && extra < 1e18 ? (af_time_ns)llround(extra) : 0;
    }
    jb->step_strag_ns = strag;
    jb->step_extra_ns = af_time_add(af_time_add(jb->bubble_ns, jb->mp_comm_ns), strag);
    af_time_ns dur = af_time_add(jb->compute_ns, jb->step_extra_ns);
    jb->step_ev = af_world_after(sim, dur, job_step_done, jb);
    if (jb->comm) {
        jb->comm_pending = true;
        af_time_ns at = dur > jb->comm_lead_ns ? dur - jb->comm_lead_ns : 0;
        jb->comm_ev = af_world_after(sim, at, job_comm_start, jb);
    }
    job_maybe_fetch(jb);
}

static void job_comm_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
static const af_xfer_ops job_comm_ops = {job_comm_done, NULL, NULL};

static void job_comm_end(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    job *jb = ctx;
    af_time_ns now = af_sim_now(sim);
    jb->comm_ev = (af_event_id){0, 0};
    jb->comm_pending = false;
    jb->comms++;
    jb->comm_sum_s += af_time_to_s(now - jb->comm_since);
    if (jb->communicating) {
        af_job_account(jb, now);
        jb->communicating = false;
        job_step_complete(jb);
    }
}

/* The all-reduce's bytes across nodes are done: its latency steps and NVLink phases follow. */
static void job_comm_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)arg;
    (void)bytes;
    (void)id;
    job *jb = owner;
    jb->comm_id = (af_flow_id){0, 0};
    jb->comm_ev = af_world_after(w->sim, jb->comm_fixed_ns, job_comm_end, jb);
}

static void job_comm_start(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    job *jb = ctx;
    af_world *w = jb->world;
    jb->comm_ev = (af_event_id){0, 0};
    jb->comm_since = af_sim_now(sim);
    if (jb->comm_wire_B > 0)
        jb->comm_id = af_xfer_start(w, &jb->comm_path, jb->comm_wire_B, 1, 0,
                                    (uint32_t)jb->plan.gpus, NULL, 0, &job_comm_ops, jb, 0);
    else
        jb->comm_ev = af_world_after(sim, jb->comm_fixed_ns, job_comm_end, jb);
}

/* The compute of the step is done: the bubble and the straggler wait leave computing for their
 * own accounts; the step ends now, or when its all-reduce does. */
static void job_step_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    job *jb = ctx;
    af_time_ns now = af_sim_now(sim);
    jb->step_ev = (af_event_id){0, 0};
    af_job_account(jb, now);
    jb->computing = false;
    jb->compute_total_ns -= jb->step_extra_ns;
    jb->bubble_total_ns += jb->step_extra_ns - jb->step_strag_ns - jb->mp_comm_ns;
    jb->strag_total_ns += jb->step_strag_ns;
    jb->comm_total_ns += jb->mp_comm_ns;
    if (jb->comm_pending) {
        jb->communicating = true;
        return;
    }
    job_step_complete(jb);
}

/* A step is complete (compute and all-reduce): count it, then checkpoint, stop at the target,
 * or go on. */
static void job_step_complete(job *jb)
{
    af_time_ns now = af_sim_now(jb->world->sim);
    jb->in_step = false;
    jb->steps++;
    jb->last_step_end_ns = now;
    if (jb->cfg->steps_per_epoch > 0)
        af_au_meter_step(&jb->au, now);
    if (jb->target_steps > 0 && (double)jb->steps >= jb->target_steps) {
        /* Trained: the loader stops and the GPUs idle (until a held job's driver asks for more
         * steps, which it may do from on_done). */
        af_job_halt(jb);
        jb->phase = AF_PHASE_DONE;
        jb->done_ns = now;
        if (jb->on_done)
            jb->on_done(jb->world, jb->on_done_ctx, (size_t)(jb - train_of(jb->world)->jobs));
        return;
    }
    if (af_res_after_step(jb))
        return;
    if (jb->ready > 0)
        job_start_step(jb);
    else
        af_job_mark(jb);
}

void af_job_resume(job *jb)
{
    af_job_account(jb, af_sim_now(jb->world->sim));
    jb->phase = AF_PHASE_RUN;
    if (!jb->in_step && jb->ready > 0) {
        job_start_step(jb);
    } else {
        job_maybe_fetch(jb);
        af_job_mark(jb);
    }
}

void af_job_halt(job *jb)
{
    af_world *w = jb->world;
    af_time_ns now = af_sim_now(w->sim);
    af_job_account(jb, now);
    if (jb->computing) {
        /* A step cut short: its bubble, straggler wait and model-parallel traffic so far, in
         * proportion to the time it ran, are taken out of its compute time as a completed step's
         * are, so that they are not counted (or lost) as work. */
        double dur = (double)jb->compute_ns + (double)jb->step_extra_ns;
        double in = (double)(now - jb->step_begin_ns);
        if (dur > 0 && in > 0) {
            af_time_ns mp = (af_time_ns)llround(in * (double)jb->mp_comm_ns / dur);
            af_time_ns st = (af_time_ns)llround(in * (double)jb->step_strag_ns / dur);
            af_time_ns bu = (af_time_ns)llround(
                in * (double)(jb->step_extra_ns - jb->mp_comm_ns - jb->step_strag_ns) / dur);
            af_time_ns all = mp + st + bu;
            if (all > jb->compute_total_ns)
                all = mp = st = bu = 0;
            jb->compute_total_ns -= all;
            jb->bubble_total_ns += bu;
            jb->strag_total_ns += st;
            jb->comm_total_ns += mp;
        }
    }
    if (jb->step_ev.slot)
        af_sim_cancel(w->sim, jb->step_ev);
    jb->step_ev = (af_event_id){0, 0};
    if (jb->comm_ev.slot)
        af_sim_cancel(w->sim, jb->comm_ev);
    jb->comm_ev = (af_event_id){0, 0};
    if (jb->comm_id.slot && af_flownet_live(w->net, jb->comm_id))
        af_xfer_cancel(w, jb->comm_id);
    jb->comm_id = (af_flow_id){0, 0};
    jb->computing = jb->communicating = jb->comm_pending = jb->in_step = false;
    for (int i = 0; i < 2; i++) {
        if (jb->flow[i].slot && af_flownet_live(w->net, jb->flow[i]))
            jb->read_B += af_xfer_cancel(w, jb->flow[i]);
        jb->flow[i] = (af_flow_id){0, 0};
    }
    jb->fetching = false;
    jb->flows_left = 0;
    jb->ready = 0;
}

void af_train_on_done(af_world *w, size_t j, af_train_done_fn fn, void *ctx)
{
    train_state *s = train_of(w);
    assert(j < s->n);
    s->jobs[j].on_done = fn;
    s->jobs[j].on_done_ctx = ctx;
}

void af_train_run_more(af_world *w, size_t j, double steps)
{
    train_state *s = train_of(w);
    assert(j < s->n && steps > 0);
    job *jb = &s->jobs[j];
    /* From the steps kept: a failure may have undone some of the last target's. */
    jb->target_steps = fmax(jb->target_steps, (double)jb->steps) + steps;
    if (jb->phase == AF_PHASE_DONE)
        af_job_resume(jb);
}

static void job_fetch_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)w;
    (void)arg;
    job *jb = owner;
    jb->read_B += bytes;
    for (int i = 0; i < 2; i++)
        if (jb->flow[i].slot == id.slot && jb->flow[i].gen == id.gen)
            jb->flow[i] = (af_flow_id){0, 0};
    if (--jb->flows_left > 0) {
        af_job_mark(jb);
        return;
    }
    jb->fetching = false;
    jb->ready++;
    if (!jb->in_step && jb->phase == AF_PHASE_RUN)
        job_start_step(jb);
    job_maybe_fetch(jb);
}

static void job_fetch_changed(af_world *w, void *owner, uint64_t arg)
{
    (void)w;
    (void)arg;
    af_job_mark(owner);
}

static void job_fetch_partial(af_world *w, void *owner, uint64_t arg, double bytes)
{
    (void)w;
    (void)arg;
    job *jb = owner;
    jb->read_B += bytes;
}

/* ---- the kind's operations ------------------------------------------------------------------ */

static size_t train_count(const af_world_config *cfg)
{
    return cfg->ntrains;
}

static const char *train_instance(const af_world_config *cfg, size_t i)
{
    return cfg->trains[i].name;
}

/* The step model of job jb (see "The step" in the opening comment): the pipeline bubble, the
 * stragglers and, with a data-parallel degree above 1, the gradient all-reduce: each GPU holds
 * params / (tp x pp) of the model and all-reduces its gradients with its dp replicas, g of them
 * in its node over NVLink (reduce-scatter, then all-gather) and the rest across the pool's nodes
 * over its compute NICs and the backend fabric, as flows that share those links with everything
 * else on them (model/collective.h, af_coll_hier_allreduce, for the forms and their sources). */
static int job_plan_step(af_world *w, job *jb, af_diag *d)
{
    const af_train_config *tc = jb->cfg;
    const af_node_spec *node = &w->cfg->pools[tc->pool].node;
    int tp = tc->tp > 0 ? tc->tp : 1, pp = tc->pp > 0 ? tc->pp : 1;
    int m = tc->microbatches > 0 ? tc->microbatches : 1;
    if (node->gpus % tp != 0 || fmod(jb->plan.gpus, (double)tp * pp) != 0) {
        af_diag_error(d,
                      "train job \"%s\": tensor parallelism %d must divide the node's %d GPUs "
                      "and tensor x pipeline (%d) the job's %.0f GPUs",
                      tc->name, tp, node->gpus, tp * pp, jb->plan.gpus);
        return AF_EINPUT;
    }
    double bubble = af_pipeline_bubble(pp, m);
    jb->bubble_ns = af_time_from_s(jb->plan.compute_s * bubble / (1 - bubble));
    jb->dp = jb->plan.gpus / ((double)tp * pp);
    if (tc->layers > 0 && tc->hidden > 0 && tc->tokens_per_step > 0 && (tp > 1 || pp > 1)) {
        /* Model-parallel traffic on the critical path (Shoeybi et al. 2019, Megatron-LM: two
         * all-reduces of a layer's activations forward and two backward per layer, among the
         * tensor ranks over NVLink; Narayanan et al. 2021, sec. 4.1: each micro-batch's
         * activations forward and their gradients backward between adjacent stages, each
         * tensor rank sending its 1/tp slice over its NIC share). A pipeline's tokens per step
         * are tokens_per_step / dp, in m micro-batches; its stage holds layers / pp layers. */
        double mb_B = tc->tokens_per_step / jb->dp / m * tc->hidden * 2; /* bf16 activations */
        double t = 0;
        if (tp > 1 && node->nvlink.rate_Bps > 0)
            t += 4.0 * tc->layers / pp * m *
                 af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_RING, tp, mb_B,
                                node->nvlink.latency_s, node->nvlink.rate_Bps);
        if (pp > 1 && node->nics > 0 && node->nic.rate_Bps > 0)
            t += 2.0 * m * (node->nic.latency_s +
                            mb_B / tp / (node->nic.rate_Bps * node->nics / node->gpus));
        jb->mp_comm_ns = af_time_from_s(t);
    }
    if (tc->straggler_cv > 0) {
        jb->strag = af_straggler_lognormal(1, tc->straggler_cv);
        char name[160];
        snprintf(name, sizeof name, "train.%s.stragglers", tc->name);
        jb->strag_rng = af_rng_new(w->cfg->seed, name);
    }
    if (!(tc->grad_bytes_per_param > 0) || !(tc->params > 0) || jb->dp < 2)
        return AF_OK;
    jb->comm = true;
    jb->comm_n_B = tc->params * tc->grad_bytes_per_param / ((double)tp * pp);
    int g = node->gpus / tp;                        /* replicas of a GPU inside its node */
    double nodes = jb->dp / g;                      /* across nodes, per rail */
    af_coll_hier h = {.nodes = nodes < 1 ? 1 : (int)nodes,
                      .gpus_per_node = g,
                      .intra_alpha_s = node->nvlink.latency_s,
                      .intra_Bps = node->nvlink.rate_Bps,
                      .inter_alpha_s = node->nic.latency_s,
                      /* All the node's GPUs run their groups' all-reduces at once (one group
                       * per tensor rank), so the g GPUs of one group have g GPUs' share of the
                       * node's NICs: one NIC each on a DGX (one per GPU, rail by rail). */
                      .nics_per_node = g,
                      .nic_Bps = node->nic.rate_Bps * node->nics / node->gpus,
                      .inter_algo = tc->coll_algo};
    if (!(h.intra_Bps > 0) || (h.nodes > 1 && !(h.nic_Bps > 0))) {
        /* No link to carry it (the scenario layer refuses a pool of several nodes without
         * compute NICs; a hand-built configuration may still give one): no all-reduce. */
        jb->comm = false;
        return AF_OK;
    }
    af_coll_hier_cost cost;
    jb->comm_alone_s = af_coll_hier_allreduce(&h, jb->comm_n_B, &cost);
    jb->comm_wire_B = h.nodes > 1 ? cost.inter.wire_B : 0;
    jb->comm_fixed_ns = af_time_from_s(cost.reduce_scatter.time_s + cost.all_gather.time_s +
                                       cost.inter.steps * cost.inter.alpha_s);
    jb->comm_lead_ns = af_time_from_s(tc->overlap * jb->comm_alone_s);
    if (jb->comm_wire_B > 0)
        af_path_backend(w, &jb->comm_path, tc->pool);
    return AF_OK;
}

/* Sets up job j: its step time, batch, paths and reader cap. */
static int train_build_job(af_world *w, job *jb, size_t j, af_diag *d)
{
    const af_world_config *cfg = w->cfg;
    const af_train_config *tc = &cfg->trains[j];
    jb->cfg = tc;
    jb->world = w;
    jb->hold_hop = -1;
    jb->target_steps = tc->target_steps;
    if (cfg->trace)
        jb->trace_track = af_trace_track(cfg->trace, "train", tc->name);
    af_train_plan_make(cfg, j, &jb->plan);
    double compute_s = jb->plan.compute_s;
    if (!(compute_s >= 1e-9) || !isfinite(compute_s) || compute_s > 1e9) {
        af_diag_error(d,
                      "train job \"%s\": compute time per step of %g s is out of range "
                      "(1 ns to 1e9 s); check step_time, params, tokens_per_step, mfu "
                      "and the GPU's peak",
                      tc->name, compute_s);
        return AF_EINPUT;
    }
    if (jb->plan.gpus > (double)UINT32_MAX) {
        af_diag_error(d, "train job \"%s\": %.0f GPUs is more than this version can simulate",
                      tc->name, jb->plan.gpus);
        return AF_EINPUT;
    }
    jb->compute_ns = af_time_from_s(compute_s);
    if (tc->steps_per_epoch > 0)
        af_au_meter_start(&jb->au, tc->steps_per_epoch, af_time_to_s(jb->compute_ns), 0);
    if (job_plan_step(w, jb, d) != AF_OK)
        return AF_EINPUT;
    if (jb->plan.batch_sd_B > 0) {
        char name[160];
        snprintf(name, sizeof name, "train.%s.batches", tc->name);
        jb->rng = af_rng_new(cfg->seed, name);
    }

    uint32_t src = (uint32_t)tc->tier;
    uint32_t cache = w->tiers[src].cached_by;
    jb->serve = cache != AF_NIL ? cache : src;
    jb->hit = cache != AF_NIL ? cfg->tiers[cache].hit_ratio : 0;
    double file_B = jb->plan.file_B;
    const af_storage_spec *sv = &cfg->tiers[jb->serve].system;
    const af_storage_spec *sb = &cfg->tiers[src].system;
    size_t pool_ep = af_ep_pool(tc->pool);
    if (cache != AF_NIL) {
        jb->scale_hit_dev = af_dev_scale(sv, false, file_B, AF_STORAGE_FILE_OPS);
        af_path_push(&jb->path_hit, w->tiers[cache].dev, jb->scale_hit_dev);
        af_path_net(w, &jb->path_hit, af_ep_tier(w, cache), pool_ep);
        /* Misses: read from the backing tier, written into the cache, sent on to the pool. */
        jb->scale_miss_read = af_dev_scale(sb, false, file_B, AF_STORAGE_FILE_OPS);
        jb->scale_miss_write = af_dev_scale(sv, true, file_B, 1);
        af_path_push(&jb->path_miss, w->tiers[src].dev, jb->scale_miss_read);
        af_path_net(w, &jb->path_miss, af_ep_tier(w, src), af_ep_tier(w, cache));
        af_path_push(&jb->path_miss, w->tiers[cache].dev, jb->scale_miss_write);
        af_path_net(w, &jb->path_miss, af_ep_tier(w, cache), pool_ep);
    } else {
        jb->hit = 0;
        jb->scale_miss_read = af_dev_scale(sb, false, file_B, AF_STORAGE_FILE_OPS);
        af_path_push(&jb->path_miss, w->tiers[src].dev, jb->scale_miss_read);
        af_path_net(w, &jb->path_miss, af_ep_tier(w, src), pool_ep);
    }
    if (tc->reader_threads > 0) {
        /* Little's law: T files in flight, each taking latency + transfer time on the tier it
         * comes from (the cache for hits, the backing tier for misses). */
        double per_hit = sv->device_latency_s + file_B / sv->device_read_Bps;
        double per_miss = sb->device_latency_s + file_B / sb->device_read_Bps;
        double per = (jb->hit > 0 ? jb->hit * per_hit : 0) +
                     (jb->hit < 1 ? (1 - jb->hit) * per_miss : 0);
        jb->cap_Bps = tc->reader_threads * file_B / per;
        /* The schema's floors on device figures keep this finite and positive; should it not
         * be, the slowest readers must not become unlimited ones (a cap of 0 is none). */
        if (!(jb->cap_Bps > 0) || !isfinite(jb->cap_Bps))
            jb->cap_Bps = jb->cap_Bps > 0 ? DBL_MAX : DBL_MIN;
    }
    return AF_OK;
}

static int train_build(af_world *w, af_diag *d)
{
    train_state *s = af_calloc(1, sizeof *s);
    w->kind[AF_WL_TRAIN] = s;
    s->n = w->cfg->ntrains;
    s->jobs = af_calloc(s->n, sizeof *s->jobs);
    int rc = AF_OK;
    for (size_t j = 0; j < s->n; j++)
        if (train_build_job(w, &s->jobs[j], j, d) != AF_OK ||
            af_res_build(w, &s->jobs[j], d) != AF_OK)
            rc = AF_EINPUT;
    return rc;
}

/* A step is one end event and consumes one batch; a batch is one completion per flow of its
 * fetch (one, or two behind a cache). Steps take at least the compute time, and the loader fetches
 * at most `prefetch` batches (and one in flight) ahead of the steps: so at most S = duration /
 * compute + 1 step ends and S + prefetch + 1 fetches. */
static double train_events(const af_world *w, size_t i)
{
    const job *jb = &train_of(w)->jobs[i];
    double flows = jb->hit > 0 && jb->hit < 1 ? 2 : 1;
    double steps = w->cfg->duration_s / af_time_to_s(jb->compute_ns) + 1;
    return steps * (jb->comm ? 4 : 1) + (steps + jb->cfg->prefetch + 1) * flows +
           af_res_events(jb, w->cfg->duration_s);
}

static void train_weigh(const af_world *w, double *W)
{
    train_state *s = train_of(w);
    for (size_t j = 0; j < s->n; j++) {
        const job *jb = &s->jobs[j];
        double w8 = af_weight(jb->cfg->weight, 1);
        if (jb->hit > 0)
            af_qos_add(W, &jb->path_hit, jb->plan.gpus, w8);
        if (jb->hit < 1)
            af_qos_add(W, &jb->path_miss, jb->plan.gpus, w8);
    }
}

static void train_floors(af_world *w, const double *W)
{
    train_state *s = train_of(w);
    for (size_t j = 0; j < s->n; j++) {
        job *jb = &s->jobs[j];
        double w8 = af_weight(jb->cfg->weight, 1);
        /* A fetch ends when its slower part does: time per byte of batch at the floor. */
        double tpb = 0;
        if (jb->hit > 0) {
            double r = w8 * af_qos_level(w, W, &jb->path_hit);
            if (jb->cap_Bps > 0 && jb->cap_Bps * jb->hit < r)
                r = jb->cap_Bps * jb->hit;
            tpb = fmax(tpb, jb->hit / r);
        }
        if (jb->hit < 1) {
            double r = w8 * af_qos_level(w, W, &jb->path_miss);
            if (jb->cap_Bps > 0 && jb->cap_Bps * (1 - jb->hit) < r)
                r = jb->cap_Bps * (1 - jb->hit);
            tpb = fmax(tpb, (1 - jb->hit) / r);
        }
        jb->floor_Bps = tpb > 0 ? 1 / tpb : INFINITY;
    }
}

/* Every loader starts fetching at time 0, but a held job's: it idles until it is driven. */
static void train_start(af_world *w)
{
    train_state *s = train_of(w);
    for (size_t j = 0; j < s->n; j++) {
        if (s->jobs[j].cfg->held)
            s->jobs[j].phase = AF_PHASE_DONE;
        else
            job_maybe_fetch(&s->jobs[j]);
        af_res_start(&s->jobs[j]);
    }
}

static void train_after_start(af_world *w)
{
    train_state *s = train_of(w);
    for (size_t j = 0; j < s->n; j++)
        job_find_hold(&s->jobs[j]);
}

/* The end of an instant: a waiting job whose fetch changed, or whose flows' rates or bottlenecks
 * did (job_mark), charges its wait so far to the old hold and what follows to the new. */
static void train_load_changed(af_world *w)
{
    train_state *s = train_of(w);
    af_time_ns now = af_sim_now(w->sim);
    for (size_t i = 0; i < s->n_dirty; i++) {
        job *jb = s->dirty[i];
        jb->dirty = false;
        if (jb->in_step || jb->phase != AF_PHASE_RUN)
            continue;
        af_job_account(jb, now);
        job_find_hold(jb);
    }
    s->n_dirty = 0;
}

static void train_account(af_world *w, af_time_ns now)
{
    train_state *s = train_of(w);
    for (size_t j = 0; j < s->n; j++)
        af_job_account(&s->jobs[j], now);
}

static void train_finish(af_world *w, af_time_ns end_ns)
{
    train_state *s = train_of(w);
    double T = w->cfg->duration_s;
    for (size_t j = 0; j < s->n; j++) {
        job *jb = &s->jobs[j];
        af_job_account(jb, end_ns);
        double compute_s = af_time_to_s(jb->compute_total_ns);
        w->useful_gpu_s += compute_s * jb->plan.gpus;
        w->pool_util[jb->cfg->pool] = compute_s / T;
        w->pool_busy[jb->cfg->pool] = compute_s / T + af_time_to_s(jb->lost_ns) / T;
        if (jb->cfg->tokens_per_step > 0)
            w->tokens_trained += (double)jb->steps * jb->cfg->tokens_per_step;
    }
}

/* Time series: per job, the shares of the window its GPUs spent computing, waiting for data,
 * communicating, stalled for checkpoints, down or reloading after failures, and idle past their
 * target (world.c, "Sampling"); they add up to one in every window. Computing includes work a
 * later failure undid, so over the run the windows add up to the GPU utilization plus the lost
 * work; the computing share is also its pool's, for the power. */
static void train_sample(af_world *w, af_results *r, double dt)
{
    train_state *s = train_of(w);
    af_time_ns now = af_sim_now(w->sim);
    if (now > w->end_ns)
        now = w->end_ns;
    for (size_t j = 0; j < s->n; j++) {
        job *jb = &s->jobs[j];
        af_job_account(jb, now);
        /* Computing counts the work a later failure undid: the GPUs did compute it then (a
         * failure takes it out of compute_total_ns, which would make the window negative). */
        /* A step's bubble, straggler wait and model-parallel traffic are taken out of its
         * compute time when it ends; spread them over the step as it goes, so that a window
         * inside a long step shows its share of each (and the one where it ends no dip). */
        double pro = 0, pro_mp = 0;
        if (jb->computing) {
            double dur = (double)jb->compute_ns + (double)jb->step_extra_ns;
            double in = (double)(now - jb->step_begin_ns);
            if (dur > 0 && in > 0) {
                pro = in * (double)jb->step_extra_ns / dur;
                pro_mp = in * (double)jb->mp_comm_ns / dur;
            }
        }
        double cur[AF_TRAIN_SHARES] = {(double)jb->compute_total_ns + (double)jb->lost_ns - pro,
                         (double)jb->wait_total_ns,
                         (double)jb->comm_total_ns + pro_mp,
                         (double)jb->bubble_total_ns + (double)jb->strag_total_ns + pro - pro_mp,
                         (double)jb->phase_ns[AF_PHASE_CKPT],
                         (double)(jb->phase_ns[AF_PHASE_DOWN] + jb->phase_ns[AF_PHASE_RELOAD]),
                         (double)jb->phase_ns[AF_PHASE_DONE]};
        for (int i = 0; i < AF_TRAIN_SHARES; i++) {
            double share = (cur[i] - jb->snap_ns[i]) / 1e9 / dt;
            af_world_series(w, r, "train", jb->cfg->name, af_train_share_leaf[i], AF_DIM_RATIO,
                            af_train_share_label[i], share);
            if (i == 0)
                w->win_pool_util[jb->cfg->pool] += share;
            jb->snap_ns[i] = cur[i];
        }
    }
}

/* The one resource that held the GPUs back longest (its name says which stage, link group and
 * direction), or the reader threads when their cap did; NULL when none did. */
static const char *job_bottleneck(const af_world *w, const job *jb)
{
    af_time_ns most = jb->wait_by_ns[AF_HOLD_READERS];
    const char *which = most > 0 ? "reader threads (per-GPU cap)" : NULL;
    for (int i = 0; i < 2; i++) {
        const af_path *p = i == 0 ? &jb->path_hit : &jb->path_miss;
        for (uint32_t h = 0; h < p->n; h++)
            if (jb->wait_hop_ns[i][h] > most) {
                most = jb->wait_hop_ns[i][h];
                which = af_flownet_resource_name(w->net, p->res[h]);
            }
    }
    return which;
}

/* Where the job's time went beyond computing and waiting for data, and what it achieved: the
 * parts (computing, data waits, checkpoint stalls, lost work, restarts, reloads, idle) add up to
 * the run; effective training time is the useful compute over the time until the job was done
 * (or the end of the run). */
static void train_report_time(const job *jb, af_results *r, double T)
{
    const char *nm = jb->cfg->name;
    if (jb->comm || jb->mp_comm_ns > 0)
        af_results_put(r, AF_M_TRAIN_COMM, nm, af_time_to_s(jb->comm_total_ns) / T);
    if (jb->comm) {
        af_results_put(r, AF_M_TRAIN_ALLREDUCE_ALONE, nm, jb->comm_alone_s);
        if (jb->comms) {
            double mean = jb->comm_sum_s / (double)jb->comms;
            af_results_put(r, AF_M_TRAIN_ALLREDUCE_TIME, nm, mean);
            af_results_put(r, AF_M_TRAIN_BUSBW, nm,
                           af_coll_busbw_Bps(AF_COLL_ALLREDUCE, (int)jb->dp, jb->comm_n_B, mean));
        }
    }
    if (jb->cfg->tokens_per_step > 0) {
        /* Kept steps only: those a failure undid were done again. */
        double tokens = (double)jb->steps * jb->cfg->tokens_per_step;
        af_results_put(r, AF_M_TRAIN_TOKENS, nm, tokens);
        af_results_put(r, AF_M_TRAIN_GOODPUT, nm,
                       tokens / (jb->done_ns ? af_time_to_s(jb->done_ns) : T));
    }
    if (jb->bubble_ns > 0)
        af_results_put(r, AF_M_TRAIN_BUBBLE, nm, af_time_to_s(jb->bubble_total_ns) / T);
    if (jb->strag_rng)
        af_results_put(r, AF_M_TRAIN_STRAGGLER, nm, af_time_to_s(jb->strag_total_ns) / T);
    bool resilient = jb->res || jb->cfg->target_steps > 0 || jb->cfg->held;
    if (!resilient)
        return;
    af_results_put(r, AF_M_TRAIN_CKPT_STALL, nm, af_time_to_s(jb->phase_ns[AF_PHASE_CKPT]) / T);
    af_results_put(r, AF_M_TRAIN_LOST, nm, af_time_to_s(jb->lost_ns) / T);
    af_results_put(r, AF_M_TRAIN_DOWN, nm, af_time_to_s(jb->phase_ns[AF_PHASE_DOWN]) / T);
    af_results_put(r, AF_M_TRAIN_RELOAD, nm, af_time_to_s(jb->phase_ns[AF_PHASE_RELOAD]) / T);
    af_results_put(r, AF_M_TRAIN_IDLE, nm, af_time_to_s(jb->phase_ns[AF_PHASE_DONE]) / T);
    af_results_put(r, AF_M_TRAIN_STEPS_REDONE, nm, (double)jb->steps_redone);
    double elapsed = jb->done_ns ? af_time_to_s(jb->done_ns) : T;
    if (jb->done_ns)
        af_results_put(r, AF_M_TRAIN_TIME_TO_TARGET, nm, elapsed);
    af_results_put(r, AF_M_TRAIN_ETTR, nm, af_time_to_s(jb->compute_total_ns) / elapsed);
}

/* Epochs and the MLPerf AU (workload/mlperf.h), with its verdict against the minimum. */
static void train_report_mlperf(const job *jb, af_results *r)
{
    const char *nm = jb->cfg->name;
    af_results_put(r, AF_M_TRAIN_EPOCHS, nm, (double)jb->au.epochs);
    double au = af_au_meter_value(&jb->au);
    if (au < 0)
        return;
    af_results_put(r, AF_M_TRAIN_MLPERF_AU, nm, au);
    double min = jb->cfg->au_min;
    if (!(min > 0))
        return;
    af_results_put(r, AF_M_TRAIN_MLPERF_AU_MIN, nm, min);
    char a[48], b[48], text[160];
    af_units_format(au, AF_DIM_RATIO, a, sizeof a);
    af_units_format(min, AF_DIM_RATIO, b, sizeof b);
    if (jb->cfg->epochs > 0 && (double)jb->au.epochs < jb->cfg->epochs)
        snprintf(text, sizeof text, "incomplete: %lld of %.0f epochs in the run (AU so far %s)",
                 (long long)jb->au.epochs, jb->cfg->epochs, a);
    else
        snprintf(text, sizeof text, "%s: AU %s %s %s", au >= min ? "pass" : "fail", a,
                 au >= min ? ">=" : "<", b);
    af_results_put_text(r, AF_M_TRAIN_MLPERF_RESULT, nm, text);
}

static void train_report(const af_world *w, af_results *r)
{
    train_state *s = train_of(w);
    double T = w->cfg->duration_s;
    double burst_s = af_time_to_s(w->burst_time_ns);
    for (size_t j = 0; j < s->n; j++) {
        const job *jb = &s->jobs[j];
        const char *nm = jb->cfg->name;
        double wait = af_time_to_s(jb->wait_total_ns) / T;
        double step_s = af_time_to_s(jb->compute_ns);
        double demand = jb->plan.batch_B / step_s;
        double got = jb->read_B / jb->plan.gpus / T;
        af_results_put(r, AF_M_TRAIN_GPUS, nm, jb->plan.gpus);
        af_results_put(r, AF_M_TRAIN_UTIL, nm, af_time_to_s(jb->compute_total_ns) / T);
        af_results_put(r, AF_M_TRAIN_DATA_WAIT, nm, wait);
        for (int h = 0; h < AF_HOLD__COUNT; h++)
            if (jb->wait_by_ns[h] > 0)
                af_results_put(r, AF_M_TRAIN_WAIT_CLIENT + h, nm,
                               af_time_to_s(jb->wait_by_ns[h]) / T);
        const char *which = job_bottleneck(w, jb);
        if (which && wait >= TRAIN_MATERIAL_WAIT)
            af_results_put_text(r, AF_M_TRAIN_BOTTLENECK, nm, which);
        af_results_put(r, AF_M_TRAIN_STEPS, nm, (double)jb->steps);
        af_results_put(r, AF_M_TRAIN_COMPUTE_STEP, nm, step_s);
        if (jb->steps)
            af_results_put(r, AF_M_TRAIN_WALL_STEP, nm,
                           af_time_to_s(jb->last_step_end_ns) / (double)jb->steps);
        af_results_put(r, AF_M_TRAIN_SAMPLES_RATE, nm,
                       (double)jb->steps * jb->cfg->samples_per_gpu * jb->plan.gpus / T);
        af_results_put(r, AF_M_TRAIN_DEMAND, nm, demand);
        af_results_put(r, AF_M_TRAIN_READ_RATE, nm, got);
        af_results_put(r, AF_M_TRAIN_SHORTFALL, nm, demand > got ? demand - got : 0);
        if (jb->cap_Bps > 0)
            af_results_put(r, AF_M_TRAIN_READER_CAP, nm, jb->cap_Bps);
        if (isfinite(jb->floor_Bps)) {
            af_results_put(r, AF_M_TRAIN_FLOOR, nm, jb->floor_Bps);
            af_results_put(r, AF_M_TRAIN_FLOOR_UTIL, nm, fmin(1, jb->floor_Bps / demand));
        }
        if (burst_s > 0)
            af_results_put(r, AF_M_TRAIN_UTIL_BURSTS, nm,
                           af_time_to_s(jb->compute_in_burst_ns) / burst_s);
        train_report_time(jb, r, T);
        if (jb->cfg->steps_per_epoch > 0)
            train_report_mlperf(jb, r);
        af_res_report(w, jb, r);
    }
}

static void train_free(af_world *w)
{
    train_state *s = train_of(w);
    if (!s)
        return;
    for (size_t j = 0; j < s->n; j++) {
        af_rng_free(s->jobs[j].rng);
        af_rng_free(s->jobs[j].strag_rng);
        af_res_free(&s->jobs[j]);
    }
    af_free(s->jobs);
    af_free(s->dirty);
    af_free(s);
    w->kind[AF_WL_TRAIN] = NULL;
}

const af_wl_kind af_wl_train = {
    .name = "train",
    .count = train_count,
    .instance = train_instance,
    .build = train_build,
    .events = train_events,
    .weigh = train_weigh,
    .floors = train_floors,
    .start = train_start,
    .after_start = train_after_start,
    .account = train_account,
    .load_changed = train_load_changed,
    .finish = train_finish,
    .report = train_report,
    .sample = train_sample,
    .free = train_free,
};
