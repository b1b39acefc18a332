/*
 * resilience: a training job's checkpoints, failures and restarts (the configuration is
 * af_ckpt_config and af_fail_config in config.h; the job's phases are in train_int.h).
 *
 * Checkpoints. After the step that makes one due, the job writes its training state to a tier:
 * `writers` of its nodes each write their shard (size / writers bytes) as one flow group from the
 * pool's storage NICs to the tier's devices, sharing every resource on the way with whatever else
 * crosses it. Synchronous: the GPUs stall until the write is done (durable). Asynchronous: the
 * GPUs stall only while each copies its share of the state to host memory over its GPU-to-host
 * link (size / GPUs bytes at the node's host_link rate); the write then drains while training goes
 * on and competes with the loader's reads. A checkpoint can be restarted from once its write is
 * durable; a checkpoint due while the previous one still drains waits for it (the GPUs stall: a
 * second snapshot has nowhere to go). The last `keep` durable copies stay on the tier; older ones
 * are freed, or first copied to a colder tier (`drain`, one copy at a time, read from the tier's
 * devices and written to the other's, sharing both with everything else), and a write that does
 * not fit is refused (counted; the job goes on).
 *   The interval is training (compute) time between checkpoints, rounded to whole steps, or a
 *   number of steps, or `auto`: Daly's optimum (model/reliability.h, af_daly_interval_s) from
 *   the job's mean time between failures and the checkpoint's cost as simulated (the stall of
 *   the last checkpoint, or before the first one the write at the narrowest of the pool's NICs
 *   and the tier's devices alone), recomputed after every checkpoint.
 *
 * Failures. Every GPU and every node of the job, and every switch of its pool's backend fabric,
 * fails independently (exponential or Weibull, model/reliability.h); the job's time to its next failure is the first of them, drawn in O(1)
 * whatever the GPU count, and drawn afresh after each failure (renewal: the failed part is
 * replaced). A failure stops the whole job wherever it is, also during a checkpoint, a restart
 * or a reload (as Daly's model assumes): the step and the fetches in flight are dropped, a
 * checkpoint not yet durable is abandoned, and the compute since the last durable checkpoint
 * becomes lost work (its steps are done again). Then the job is down for detection plus restart,
 * plus a repair when no spare node is left (spares are used up one per node failure), and then
 * every GPU reads its shard of the last durable checkpoint back (the read storm competes with
 * everything else on the tier); without one the job starts over from step 0. A cause is drawn
 * for each failure from the named causes' weights (or "gpu", "node" or "switch" by the
 * component). A switch failure is repaired by rerouting: it costs detection and restart alone.
 */
#include "workload/train_int.h"

#include "base/alloc.h"
#include "base/metrics.h"
#include "base/trace.h"
#include "engine/rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The component classes that fail. */
enum { RES_GPU, RES_NODE, RES_SWITCH };

/* Operation size of checkpoint writes and reads for the devices' time, B (large sequential
 * shard files). */
#define RES_CKPT_OP_B 1048576.0

/* A checkpoint copy on the tier. */
typedef struct ckpt_copy {
    uint64_t steps;     /* the job's steps when it was taken */
    af_time_ns compute; /* the job's compute time then */
    double bytes;       /* bytes it holds on the tier */
} ckpt_copy;

struct af_resilience {
    job *jb;
    gsl_rng *rng;           /* failure times and causes */
    /* checkpoints */
    af_path write_path, read_path;
    double write_scale, read_scale; /* device-seconds per byte */
    uint32_t writers;       /* nodes that write (members of a write flow) */
    uint64_t every_steps;   /* steps between checkpoints (recomputed when auto) */
    uint64_t last_steps;    /* steps at the last checkpoint begun */
    bool writing;           /* a write is in flight */
    af_flow_id write_id;
    ckpt_copy pending;      /* the checkpoint being written */
    af_time_ns stall_since; /* start of the current checkpoint stall */
    af_time_ns write_since; /* start of the write in flight */
    bool stalled;           /* the job is stalled for a checkpoint */
    bool snapshot;          /* the stall is an asynchronous snapshot */
    af_event_id snap_ev;    /* its end */
    bool due_waiting;       /* a checkpoint is due and waits for the previous write */
    ckpt_copy *copies;      /* durable copies, oldest first */
    size_t ncopies, cap_copies;
    double delta_s;         /* checkpoint cost for the auto interval: last stall, s */
    uint64_t written, refused;
    double stall_total_s, write_total_s;
    /* failures and restarts */
    af_event_id fail_ev, down_ev;
    bool reloading;
    af_flow_id read_id;
    af_time_ns read_since;
    int64_t spares_left;
    uint64_t failures, reloads;
    uint64_t by_cause[AF_FAIL_MAX_CAUSES + 3]; /* named causes, then gpu, node, switch */
    double read_total_s;
    double mtbf_s;          /* mean time to the job's first failure (all its parts), s */
    /* drains of copies past `keep` to a colder tier, one at a time */
    af_path drain_path;
    double drain_read_scale, drain_write_scale;
    double *drain_q;        /* bytes of the copies waiting to drain, oldest first */
    size_t drain_head, drain_n, drain_cap;
    bool draining;
    double drain_B;         /* bytes of the copy draining */
    uint64_t drained;       /* copies drained */
    double drained_B, drain_rejected_B;
};

/* The job's nodes and GPUs. */
static double res_nodes(const job *jb)
{
    return (double)jb->world->cfg->pools[jb->cfg->pool].nodes;
}

/* ---- checkpoints ---------------------------------------------------------------------------- */

static void res_write_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
static const af_xfer_ops res_write_ops = {res_write_done, NULL, NULL};
static void res_read_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
static const af_xfer_ops res_read_ops = {res_read_done, NULL, NULL};

/* Steps between checkpoints for an interval of tau_s of training time: at least one. */
static uint64_t res_steps_for(const job *jb, double tau_s)
{
    double k = round(tau_s / af_time_to_s(jb->compute_ns));
    return k >= 1 ? (k < 1e15 ? (uint64_t)k : (uint64_t)1e15) : 1;
}

/* Recomputes an automatic interval from the current cost estimate. */
static void res_auto_interval(af_resilience *rs)
{
    const af_ckpt_config *c = &rs->jb->cfg->ckpt;
    if (c->every_auto && rs->mtbf_s > 0 && isfinite(rs->mtbf_s))
        rs->every_steps = res_steps_for(rs->jb, af_daly_interval_s(rs->delta_s, rs->mtbf_s));
}

/* Ends a checkpoint stall: its length becomes the cost estimate, the job goes back to work. */
static void res_stall_end(af_resilience *rs)
{
    job *jb = rs->jb;
    af_time_ns now = af_sim_now(jb->world->sim);
    double stall = af_time_to_s(now - rs->stall_since);
    rs->stall_total_s += stall;
    rs->delta_s = stall;
    rs->stalled = false;
    rs->snapshot = false;
    res_auto_interval(rs);
    af_job_resume(jb);
}

static void res_drain_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
static const af_xfer_ops res_drain_ops = {res_drain_done, NULL, NULL};

/* Whether copies past `keep` drain to a colder tier (config.h: none, or the own tier, is no). */
static bool res_drains(const af_ckpt_config *c)
{
    return c->drain_to != AF_WORLD_NONE && c->drain_to != c->tier;
}

/* Starts draining the oldest waiting copy, if none drains: it is read from the checkpoint tier
 * and written to the drain tier (what does not fit there is counted and not written), then
 * freed on the checkpoint tier. */
static void res_drain_next(af_resilience *rs)
{
    const af_ckpt_config *c = &rs->jb->cfg->ckpt;
    af_world *w = rs->jb->world;
    if (rs->draining || rs->drain_n == 0)
        return;
    rs->drain_B = rs->drain_q[rs->drain_head];
    rs->drain_head = (rs->drain_head + 1) % rs->drain_cap;
    rs->drain_n--;
    double fit = af_tier_take(&w->tiers[c->drain_to], rs->drain_B);
    rs->drain_rejected_B += rs->drain_B - fit;
    rs->draining = true;
    uint32_t k = rs->writers;
    af_devuse dev[2] = {{(uint32_t)c->tier, false, rs->drain_read_scale},
                        {(uint32_t)c->drain_to, true, rs->drain_write_scale}};
    af_xfer_start(w, &rs->drain_path, fit / k, af_weight(c->weight, 1), 0, k, dev, 2,
                  &res_drain_ops, rs, 0);
}

static void res_drain_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)arg;
    (void)id;
    af_resilience *rs = owner;
    af_tier_release(&w->tiers[rs->jb->cfg->ckpt.tier], rs->drain_B);
    rs->draining = false;
    rs->drained++;
    rs->drained_B += bytes;
    res_drain_next(rs);
}

/* Keeps the last `keep` durable copies: older ones are drained to the colder tier when there is
 * one, else freed at once. */
static void res_trim(af_resilience *rs)
{
    const af_ckpt_config *c = &rs->jb->cfg->ckpt;
    af_world *w = rs->jb->world;
    if (c->keep <= 0)
        return;
    size_t drop = rs->ncopies > (size_t)c->keep ? rs->ncopies - (size_t)c->keep : 0;
    for (size_t i = 0; i < drop; i++) {
        if (!res_drains(c)) {
            af_tier_release(&w->tiers[c->tier], rs->copies[i].bytes);
            continue;
        }
        if (rs->drain_n == rs->drain_cap) {
            /* Grow the ring, keeping its order. */
            size_t cap = rs->drain_cap ? 2 * rs->drain_cap : 4;
            double *q = af_calloc(cap, sizeof *q);
            for (size_t j = 0; j < rs->drain_n; j++)
                q[j] = rs->drain_q[(rs->drain_head + j) % rs->drain_cap];
            af_free(rs->drain_q);
            rs->drain_q = q;
            rs->drain_head = 0;
            rs->drain_cap = cap;
        }
        rs->drain_q[(rs->drain_head + rs->drain_n++) % rs->drain_cap] = rs->copies[i].bytes;
    }
    res_drain_next(rs);
    if (drop) {
        memmove(rs->copies, rs->copies + drop, (rs->ncopies - drop) * sizeof *rs->copies);
        rs->ncopies -= drop;
    }
}

static void res_snapshot_done(af_sim *sim, void *ctx, uint64_t arg);

/* Starts the checkpoint of the job's state now (its steps so far): the write, and the stall. */
static void res_begin(af_resilience *rs)
{
    job *jb = rs->jb;
    af_world *w = jb->world;
    const af_ckpt_config *c = &jb->cfg->ckpt;
    af_time_ns now = af_sim_now(w->sim);
    rs->last_steps = jb->steps;
    double fit = af_tier_take(&w->tiers[c->tier], c->size_B);
    if (fit < c->size_B) {
        af_tier_release(&w->tiers[c->tier], fit);
        rs->refused++;
        if (rs->stalled)
            res_stall_end(rs);
        return;
    }
    rs->pending = (ckpt_copy){.steps = jb->steps, .compute = jb->compute_total_ns, .bytes = fit};
    rs->writing = true;
    w->tiers[c->tier].bulk_writes++;
    rs->write_since = now;
    af_devuse dev = {(uint32_t)c->tier, true, rs->write_scale};
    rs->write_id = af_xfer_start(w, &rs->write_path, c->size_B / rs->writers,
                                 af_weight(c->weight, 1), 0, rs->writers, &dev, 1, &res_write_ops,
                                 rs, 0);
    if (!rs->stalled) {
        af_job_account(jb, now);
        jb->phase = AF_PHASE_CKPT;
        rs->stalled = true;
        rs->stall_since = now;
    }
    if (c->mode == AF_CKPT_ASYNC) {
        /* Each GPU copies its share to host memory over its own GPU-to-host link. */
        const af_node_spec *node = &w->cfg->pools[jb->cfg->pool].node;
        double per_gpu = c->size_B / jb->plan.gpus;
        rs->snapshot = true;
        rs->snap_ev = af_world_after(w->sim, af_time_from_s(per_gpu / node->host_link.rate_Bps),
                                     res_snapshot_done, rs);
    }
}

static void res_snapshot_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    af_resilience *rs = ctx;
    rs->snap_ev = (af_event_id){0, 0};
    res_stall_end(rs);
}

static void res_write_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)w;
    (void)arg;
    (void)bytes;
    (void)id;
    af_resilience *rs = owner;
    af_time_ns now = af_sim_now(rs->jb->world->sim);
    rs->writing = false;
    rs->jb->world->tiers[rs->jb->cfg->ckpt.tier].bulk_writes--;
    rs->write_total_s += af_time_to_s(now - rs->write_since);
    rs->written++;
    rs->copies = af_grow(rs->copies, &rs->cap_copies, rs->ncopies + 1, sizeof *rs->copies);
    rs->copies[rs->ncopies++] = rs->pending;
    res_trim(rs);
    if (rs->due_waiting) {
        /* The next one waited for this write: the job is stalled already. */
        rs->due_waiting = false;
        res_begin(rs);
    } else if (rs->stalled && !rs->snapshot) {
        res_stall_end(rs);
    }
}

bool af_res_after_step(job *jb)
{
    af_resilience *rs = jb->res;
    if (!rs || !jb->cfg->ckpt.on || jb->steps - rs->last_steps < rs->every_steps)
        return false;
    af_time_ns now = af_sim_now(jb->world->sim);
    if (rs->writing) {
        /* The previous write still drains: stall until it is durable, then checkpoint. */
        af_job_account(jb, now);
        jb->phase = AF_PHASE_CKPT;
        rs->stalled = true;
        rs->stall_since = now;
        rs->due_waiting = true;
        rs->last_steps = jb->steps;
        return true;
    }
    res_begin(rs);
    return rs->stalled;
}

/* ---- failures and restarts ------------------------------------------------------------------ */

static void res_fail(af_sim *sim, void *ctx, uint64_t arg);

/* Switches of the pool's backend fabric (0 without one). */
static double res_switches(const job *jb)
{
    const af_world *w = jb->world;
    uint32_t f = w->beps[jb->cfg->pool].fabric;
    return f != AF_NIL ? (double)w->fabrics[f].plan.switches : 0;
}

/* Draws the job's next failure from now: the first of its GPUs', its nodes' and its backend
 * fabric's switches' (arg: RES_GPU, RES_NODE or RES_SWITCH). */
static void res_draw_failure(af_resilience *rs)
{
    const af_fail_config *f = &rs->jb->cfg->fail;
    af_world *w = rs->jb->world;
    double t[3] = {INFINITY, INFINITY, INFINITY};
    if (f->gpu.mean_s > 0)
        t[RES_GPU] = af_failure_first_s(&f->gpu, rs->jb->plan.gpus, rs->rng);
    if (f->node.mean_s > 0)
        t[RES_NODE] = af_failure_first_s(&f->node, res_nodes(rs->jb), rs->rng);
    if (f->sw.mean_s > 0 && res_switches(rs->jb) > 0)
        t[RES_SWITCH] = af_failure_first_s(&f->sw, res_switches(rs->jb), rs->rng);
    int which = t[RES_NODE] < t[RES_GPU] ? RES_NODE : RES_GPU;
    if (t[RES_SWITCH] < t[which])
        which = RES_SWITCH;
    af_time_ns at = af_time_from_s(af_time_to_s(af_sim_now(w->sim)) + t[which]);
    if (!isfinite(t[which]) || at > w->end_ns)
        return;
    rs->fail_ev = af_sim_at(w->sim, at, res_fail, rs, (uint64_t)which);
}

static void res_down_end(af_sim *sim, void *ctx, uint64_t arg);

/* Stops whatever resilience has in flight for a failure: a checkpoint not yet durable (its
 * bytes freed), the snapshot, the reload. */
static void res_abandon(af_resilience *rs)
{
    af_world *w = rs->jb->world;
    const af_ckpt_config *c = &rs->jb->cfg->ckpt;
    if (rs->writing) {
        af_xfer_cancel(w, rs->write_id);
        af_tier_release(&w->tiers[c->tier], rs->pending.bytes);
        w->tiers[c->tier].bulk_writes--;
        rs->writing = false;
    }
    if (rs->snap_ev.slot)
        af_sim_cancel(w->sim, rs->snap_ev);
    rs->snap_ev = (af_event_id){0, 0};
    if (rs->stalled)
        rs->stall_total_s += af_time_to_s(af_sim_now(w->sim) - rs->stall_since);
    rs->stalled = rs->snapshot = rs->due_waiting = false;
    if (rs->reloading) {
        af_xfer_cancel(w, rs->read_id);
        rs->read_total_s += af_time_to_s(af_sim_now(w->sim) - rs->read_since);
        rs->reloading = false;
    }
    if (rs->down_ev.slot)
        af_sim_cancel(w->sim, rs->down_ev);
    rs->down_ev = (af_event_id){0, 0};
}

static void res_fail(af_sim *sim, void *ctx, uint64_t arg)
{
    af_resilience *rs = ctx;
    job *jb = rs->jb;
    const af_fail_config *f = &jb->cfg->fail;
    af_time_ns now = af_sim_now(sim);
    rs->fail_ev = (af_event_id){0, 0};
    if (jb->phase == AF_PHASE_DONE) {
        /* Trained: its GPUs are no longer the job's. A held job's idle GPUs are, but a failure
         * of idle GPUs costs it nothing: the next one is drawn, for when it trains again. */
        if (jb->cfg->held)
            res_draw_failure(rs);
        return;
    }
    rs->failures++;
    size_t cause = f->ncauses ? af_cause_pick(f->cause_weight, f->ncauses, rs->rng)
                              : (size_t)AF_FAIL_MAX_CAUSES + (size_t)arg;
    if (cause < AF_FAIL_MAX_CAUSES + 3)
        rs->by_cause[cause]++;
    af_job_halt(jb);
    res_abandon(rs);
    /* The work since the last durable checkpoint is lost (the whole run without one). */
    uint64_t keep_steps = rs->ncopies ? rs->copies[rs->ncopies - 1].steps : 0;
    af_time_ns keep_compute = rs->ncopies ? rs->copies[rs->ncopies - 1].compute : 0;
    jb->lost_ns += jb->compute_total_ns - keep_compute;
    jb->compute_total_ns = keep_compute;
    jb->steps_redone += jb->steps - keep_steps;
    jb->steps = keep_steps;
    rs->last_steps = keep_steps;
    jb->phase = AF_PHASE_DOWN;
    if (jb->world->cfg->trace)
        af_trace_instant(jb->world->cfg->trace, jb->trace_track, "failure", now);
    double down = f->detect_s + f->restart_s;
    if (arg == RES_NODE && f->spares >= 0) {
        if (rs->spares_left > 0)
            rs->spares_left--;
        else
            down += f->repair_s;
    }
    rs->down_ev = af_sim_at(sim, af_time_add(now, af_time_from_s(down)), res_down_end, rs, 0);
    res_draw_failure(rs);
}

static void res_down_end(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_resilience *rs = ctx;
    job *jb = rs->jb;
    af_world *w = jb->world;
    const af_ckpt_config *c = &jb->cfg->ckpt;
    af_time_ns now = af_sim_now(sim);
    rs->down_ev = (af_event_id){0, 0};
    af_job_account(jb, now);
    if (!rs->ncopies) {
        af_job_resume(jb);
        return;
    }
    /* Every GPU reads its shard of the last durable checkpoint. */
    jb->phase = AF_PHASE_RELOAD;
    rs->reloading = true;
    rs->read_since = now;
    rs->reloads++;
    uint32_t k = (uint32_t)jb->plan.gpus;
    af_devuse dev = {(uint32_t)c->tier, false, rs->read_scale};
    rs->read_id = af_xfer_start(w, &rs->read_path, c->size_B / k, af_weight(c->weight, 1), 0, k,
                                &dev, 1, &res_read_ops, rs, 0);
}

static void res_read_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)w;
    (void)arg;
    (void)bytes;
    (void)id;
    af_resilience *rs = owner;
    rs->reloading = false;
    rs->read_total_s += af_time_to_s(af_sim_now(rs->jb->world->sim) - rs->read_since);
    af_job_resume(rs->jb);
}

/* ---- build, start, report ------------------------------------------------------------------- */

int af_res_build(af_world *w, job *jb, af_diag *d)
{
    const af_train_config *tc = jb->cfg;
    if (!tc->ckpt.on && !tc->fail.on)
        return AF_OK;
    const af_world_config *cfg = w->cfg;
    af_resilience *rs = af_calloc(1, sizeof *rs);
    jb->res = rs;
    rs->jb = jb;
    rs->every_steps = UINT64_MAX;
    rs->spares_left = tc->fail.spares;
    char name[160];
    snprintf(name, sizeof name, "train.%s.failures", tc->name);
    rs->rng = af_rng_new(cfg->seed, name);
    if (tc->fail.on) {
        if ((tc->fail.gpu.mean_s > 0 && af_failure_check(&tc->fail.gpu, "failures.gpu", d)) ||
            (tc->fail.node.mean_s > 0 && af_failure_check(&tc->fail.node, "failures.node", d)) ||
            (tc->fail.sw.mean_s > 0 && af_failure_check(&tc->fail.sw, "failures.switch", d)))
            return AF_EINPUT;
        double rate = 0;
        if (tc->fail.gpu.mean_s > 0)
            rate += 1 / af_failure_group_mean_s(&tc->fail.gpu, jb->plan.gpus);
        if (tc->fail.node.mean_s > 0)
            rate += 1 / af_failure_group_mean_s(&tc->fail.node, res_nodes(jb));
        if (tc->fail.sw.mean_s > 0 && res_switches(jb) > 0)
            rate += 1 / af_failure_group_mean_s(&tc->fail.sw, res_switches(jb));
        rs->mtbf_s = rate > 0 ? 1 / rate : INFINITY;
    }
    if (tc->ckpt.on) {
        const af_ckpt_config *c = &tc->ckpt;
        const af_pool_config *pc = &cfg->pools[tc->pool];
        const af_storage_spec *sys = &cfg->tiers[c->tier].system;
        if (c->mode == AF_CKPT_ASYNC && !(pc->node.host_link.rate_Bps > 0)) {
            af_diag_error(d,
                          "train job \"%s\": an asynchronous checkpoint needs the GPU-to-host "
                          "link of node \"%s\" (host_link), which the catalog does not give; "
                          "use mode: sync",
                          tc->name, pc->node.name ? pc->node.name : "?");
            return AF_EINPUT;
        }
        double w_nodes = round(res_nodes(jb) * c->writers);
        rs->writers = w_nodes >= 1 ? (uint32_t)w_nodes : 1;
        rs->write_scale = af_dev_scale(sys, true, RES_CKPT_OP_B, 1);
        rs->read_scale = af_dev_scale(sys, false, RES_CKPT_OP_B, 1);
        size_t pool_ep = af_ep_pool(tc->pool), tier_ep = af_ep_tier(w, c->tier);
        af_path_net(w, &rs->write_path, pool_ep, tier_ep);
        af_path_push(&rs->write_path, w->tiers[c->tier].dev, rs->write_scale);
        af_path_push(&rs->read_path, w->tiers[c->tier].dev, rs->read_scale);
        af_path_net(w, &rs->read_path, tier_ep, pool_ep);
        /* Before the first checkpoint the cost is estimated as its write alone: size over the
         * narrowest of the writers' NICs and the tier's devices. */
        double nic = (double)rs->writers * af_node_storage_Bps(&pc->node);
        double devs = (double)cfg->tiers[c->tier].nodes * sys->devices / rs->write_scale;
        rs->delta_s = c->size_B / fmin(nic, devs);
        if (c->every_steps > 0)
            rs->every_steps = (uint64_t)c->every_steps;
        else if (c->every_s > 0)
            rs->every_steps = res_steps_for(jb, c->every_s);
        res_auto_interval(rs);
        if (res_drains(c)) {
            const af_storage_spec *cold = &cfg->tiers[c->drain_to].system;
            rs->drain_read_scale = af_dev_scale(sys, false, RES_CKPT_OP_B, 1);
            rs->drain_write_scale = af_dev_scale(cold, true, RES_CKPT_OP_B, 1);
            af_path_push(&rs->drain_path, w->tiers[c->tier].dev, rs->drain_read_scale);
            af_path_net(w, &rs->drain_path, tier_ep, af_ep_tier(w, c->drain_to));
            af_path_push(&rs->drain_path, w->tiers[c->drain_to].dev, rs->drain_write_scale);
        }
    }
    return AF_OK;
}

void af_res_start(job *jb)
{
    if (jb->res && jb->cfg->fail.on)
        res_draw_failure(jb->res);
}

double af_res_events(const job *jb, double duration_s)
{
    const af_resilience *rs = jb->res;
    if (!rs)
        return 0;
    double n = 0;
    if (jb->cfg->ckpt.on && rs->every_steps < UINT64_MAX)
        n += 4 * (duration_s / (af_time_to_s(jb->compute_ns) * (double)rs->every_steps) + 1);
    else if (jb->cfg->ckpt.on)
        n += 4 * (duration_s / af_time_to_s(jb->compute_ns) + 1);
    if (jb->cfg->fail.on) {
        /* Poisson mean plus six standard deviations. Each failure costs its own event, the
         * restart's and the reload's, and the loader fetches again the batches it dropped (up
         * to prefetch ready and one in flight, two completions each behind a cache). A job
         * MTBF that rounds to 0 (absurdly small component MTBFs) needs more events than any
         * budget: the estimate says so rather than leave failures out (fuzz finding
         * estimate-ignores-mtbf-underflow, estimate-ignores-refetch). */
        if (!(rs->mtbf_s > 0))
            return INFINITY;
        double failures = duration_s / rs->mtbf_s + 6 * sqrt(duration_s / rs->mtbf_s) + 1;
        n += failures * (3 + 2.0 * (jb->cfg->prefetch + 2));
    }
    return n;
}

void af_res_report(const af_world *w, const job *jb, af_results *r)
{
    (void)w;
    const af_resilience *rs = jb->res;
    if (!rs)
        return;
    const char *nm = jb->cfg->name;
    if (jb->cfg->ckpt.on) {
        af_results_put(r, AF_M_CKPT_SIZE, nm, jb->cfg->ckpt.size_B);
        af_results_put(r, AF_M_CKPT_INTERVAL, nm,
                       rs->every_steps < UINT64_MAX
                           ? (double)rs->every_steps * af_time_to_s(jb->compute_ns)
                           : 0);
        af_results_put(r, AF_M_CKPT_COST, nm, rs->delta_s);
        af_results_put(r, AF_M_CKPT_WRITTEN, nm, (double)rs->written);
        af_results_put(r, AF_M_CKPT_REFUSED, nm, (double)rs->refused);
        if (rs->written)
            af_results_put(r, AF_M_CKPT_WRITE_TIME, nm, rs->write_total_s / (double)rs->written);
        if (res_drains(&jb->cfg->ckpt)) {
            af_results_put(r, AF_M_CKPT_DRAINED, nm, (double)rs->drained);
            af_results_put(r, AF_M_CKPT_DRAINED_B, nm, rs->drained_B);
            af_results_put(r, AF_M_CKPT_DRAIN_REJECTED, nm, rs->drain_rejected_B);
        }
        af_results_put(r, AF_M_CKPT_READS, nm, (double)rs->reloads);
        if (rs->reloads)
            af_results_put(r, AF_M_CKPT_READ_TIME, nm, rs->read_total_s / (double)rs->reloads);
    }
    if (jb->cfg->fail.on) {
        const af_fail_config *f = &jb->cfg->fail;
        af_results_put(r, AF_M_FAIL_COUNT, nm, (double)rs->failures);
        af_results_put(r, AF_M_FAIL_MTBF, nm, rs->mtbf_s);
        char inst[256];
        for (size_t i = 0; i < f->ncauses; i++) {
            snprintf(inst, sizeof inst, "%s.%s", nm, f->cause[i]);
            af_results_put(r, AF_M_FAIL_CAUSE, inst, (double)rs->by_cause[i]);
        }
        static const char *const classes[] = {[RES_GPU] = "gpu", [RES_NODE] = "node",
                                              [RES_SWITCH] = "switch"};
        const af_failure_spec *specs[] = {[RES_GPU] = &f->gpu, [RES_NODE] = &f->node,
                                          [RES_SWITCH] = &f->sw};
        for (int c = 0; c < 3 && !f->ncauses; c++) {
            if (!(specs[c]->mean_s > 0) || (c == RES_SWITCH && !(res_switches(jb) > 0)))
                continue;
            snprintf(inst, sizeof inst, "%s.%s", nm, classes[c]);
            af_results_put(r, AF_M_FAIL_CAUSE, inst, (double)rs->by_cause[AF_FAIL_MAX_CAUSES + c]);
        }
    }
}

void af_res_free(job *jb)
{
    af_resilience *rs = jb->res;
    if (!rs)
        return;
    af_rng_free(rs->rng);
    af_free(rs->copies);
    af_free(rs->drain_q);
    af_free(rs);
    jb->res = NULL;
}
