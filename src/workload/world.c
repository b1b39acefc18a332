/*
 * world: builds the simulated world from an af_world_config, runs it and reports.
 *
 * Resources (engine/flow.h). Every pool has its storage NICs in each direction (receive for
 * reads, transmit for writes), every tier its storage NICs in each direction and its devices. A
 * tier's devices are one resource in device-seconds per second: nodes x devices x (1 - reserve),
 * the reserve being held back for look-ups. A flow crossing the devices uses, per byte,
 *     read:  1/device_read_Bps  + ops/(device_read_iops  x op_B)
 *     write: 1/device_write_Bps + ops/(device_write_iops x op_B)
 * device-seconds (the device-time model of ../shared/reference/formulas.md, "Storage sizing"), so
 * small operations are IOPS-bound, large ones bandwidth-bound, and reads and writes take time
 * from one budget. A fabric (model/fabric.h) adds, between two of the pools and tiers it
 * connects, the stages af_fabric_stages names: the source leaves' uplinks, the spine layer and
 * the destination leaves' downlinks, each one shared resource per (fabric, stage, group); its
 * NIC stages are the endpoints' NIC resources, capped at the switch port rate. Pairs that no
 * fabric connects meet through a non-blocking network: only their NICs limit them.
 *
 * Training (workload/train.h). Each job is one flow group of N GPUs in lock-step. Its loader
 * fetches one batch for the whole group at a time and keeps up to `prefetch` batches ready. A
 * fetch is one flow (k = N members, each its batch) from the data set's tier to the pool, or,
 * when a cache tier fronts the data set's tier, two: the hits (hit_ratio of the bytes) from the
 * cache, and the misses read through it (backing devices -> backing NICs -> cache NICs -> cache
 * devices, written -> cache NICs -> pool). Files of samples_per_file samples are read whole and
 * in order: two device operations per file (the open's metadata look-up and the first read's
 * seek) plus its bytes, so one-sample files of small samples are IOPS-bound where large shard
 * files stream. With reader_threads T per GPU, each with one file in flight taking device
 * latency + file / device_read_Bps, a GPU reads at most T x file / (latency + file /
 * device_read_Bps) (Little's law), a per-member cap on the flow.
 * Batches vary with the sample-size spread: a fetch draws its per-GPU batch from a normal
 * distribution with mean n x mean and standard deviation sqrt(n) x spread (n samples per GPU),
 * truncated at a tenth of the mean.
 *
 * Time attribution: every second of a job is computing or waiting for data (utilization + data
 * wait = 1 exactly); a wait is charged to the bottleneck of the fetch it waits for (af_flownet_
 * bottleneck: client NICs, fabric, storage NICs, devices, or the reader threads' cap).
 *
 * Bursts: every `every` seconds a burst moves `size` bytes between the pool's nodes (k = nodes
 * members) or outside clients (k = tier nodes) and the tier; a burst due while the previous one
 * still runs is skipped and counted. Writes take capacity when they start; what does not fit is
 * reported as rejected. `keep` copies are kept and older ones freed. A tier with a drain copies
 * every completed write to its target in the background (weight drain_weight) and frees it.
 *
 * QoS bounds. Progressive filling never lets a resource saturate below the level C_r / W_r, where
 * W_r sums scale x k x weight over every flow that may cross r, so a flow's rate per unit weight
 * is at least min over its path of C_r / W_r whatever else runs. The report gives, per job, the
 * utilization this floor guarantees and, per burst, the slowdown it bounds: its duration alone
 * (size over min_r C_r / scale_r) against its duration at the floor.
 *
 * Look-ups: Poisson arrivals queued at the tier's devices (engine/queue.h, one server per
 * device, FIFO), each a demand of 1/read_iops + size/device_read_Bps device-seconds, served at
 * speed 1 - (bulk device load / all device time): what the fluid traffic leaves. A request's
 * latency is its sojourn plus the part of the device latency its service time does not cover,
 * max(0, latency - 1/read_iops), so an idle tier answers in the catalog latency.
 *
 * Power follows utilization (model/gpu.h) and the devices' read and write time
 * (af_storage_node_power_W); switches draw their typical power. Energy, capital and space costs
 * add up to the total by construction, which the tests check.
 */
#include "workload/world.h"

#include "base/alloc.h"
#include "engine/flow.h"
#include "engine/queue.h"
#include "engine/rng.h"
#include "engine/sim.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Default event budget when the scenario gives none: about a minute of engine time. */
#define AF_WORLD_DEFAULT_EVENTS 200000000ULL

/* Look-ups in a tier's queue at most; arrivals beyond are dropped and counted (an overload that
 * lasts would otherwise grow the queue without bound). */
#define AF_WORLD_MAX_QUEUED 1000000u

/* No resource / no index. */
#define AF_NIL UINT32_MAX

/* What holds a flow back, for the attribution of data waits. */
typedef enum {
    AF_HOLD_CLIENT,  /* the client pool's storage NICs */
    AF_HOLD_FABRIC,  /* leaf uplinks or the spine layer */
    AF_HOLD_SNIC,    /* the tier's storage NICs */
    AF_HOLD_DEVICES, /* the tier's devices (bandwidth, IOPS, or both, in device time) */
    AF_HOLD_READERS, /* the loader's reader threads (the flow's own cap) */
    AF_HOLD__COUNT
} af_hold;

static const char *const af_hold_metric[AF_HOLD__COUNT] = {
    "wait_client_nics", "wait_fabric", "wait_storage_nics", "wait_devices", "wait_readers"};
static const char *const af_hold_label[AF_HOLD__COUNT] = {
    "waits held by client NICs", "waits held by fabric", "waits held by storage NICs",
    "waits held by devices", "waits held by reader threads"};

/* A path under construction. */
typedef struct af_path {
    uint32_t res[AF_FLOWNET_MAX_PATH];
    double scale[AF_FLOWNET_MAX_PATH];
    uint32_t n;
} af_path;

typedef enum { AF_XF_TRAIN, AF_XF_BURST, AF_XF_DRAIN } af_xfer_kind;

/* Device traffic of a transfer on one tier, for the read/write accounting. */
typedef struct af_devuse {
    uint32_t tier; /* tier index */
    bool write;    /* written (else read) */
    double scale;  /* device-seconds per byte */
} af_devuse;

/* A flow the world started, with what its completion means. */
typedef struct af_xfer {
    af_flow_id id;
    af_xfer_kind kind;
    uint32_t owner;     /* job, burst or (for drains) burst index */
    double size_B;      /* bytes per member */
    uint32_t k;         /* members */
    uint32_t ndev;      /* entries in dev */
    af_devuse dev[2];   /* device traffic */
    uint32_t next_free; /* free list */
} af_xfer;

/* Where a pool or tier meets the network. */
typedef struct af_endpoint {
    uint32_t rx, tx; /* NIC resources, receive and transmit */
    uint32_t fabric; /* fabric index, or AF_NIL */
    uint32_t group;  /* group index within the fabric */
} af_endpoint;

typedef struct af_fabric_state {
    af_fabric plan;
    uint32_t stage_res[AF_FABRIC_MAX_STAGES][AF_FABRIC_MAX_GROUPS + 1]; /* lazily created */
} af_fabric_state;

typedef struct af_world af_world;

/* A training job in flight. */
typedef struct af_job {
    const af_train_config *cfg;
    af_world *world;
    uint32_t index;
    size_t pool;
    double gpus;
    af_time_ns compute_ns;
    double batch_B;    /* mean bytes per GPU per batch */
    double batch_sd_B; /* standard deviation of a GPU's batch bytes */
    double cap_Bps;    /* reader-thread cap per GPU, 0 = none */
    uint32_t serve;    /* tier the hits come from (the cache, or the data set's tier) */
    double hit;        /* share of bytes from `serve` when it caches the data set's tier */
    gsl_rng *rng;      /* batch-size draws (only with a spread) */
    af_path path_hit, path_miss;
    double scale_hit_dev, scale_miss_read, scale_miss_write;
    int ready;
    bool fetching;
    int flows_left; /* flows of the fetch in flight */
    af_flow_id flow[2];
    bool computing;
    af_time_ns since_ns;
    af_time_ns compute_total_ns, wait_total_ns;
    af_time_ns wait_by_ns[AF_HOLD__COUNT];
    af_hold hold;                /* what the current wait is charged to */
    const af_path *flow_path[2]; /* the path of each flow of the fetch in flight */
    int hold_flow, hold_hop;     /* the flow and hop of the current hold, -1 when none (a cap) */
    af_time_ns wait_hop_ns[2][AF_FLOWNET_MAX_PATH]; /* wait charged to each hop of the two
                                                       paths (hit, miss) */
    af_time_ns compute_in_burst_ns;
    uint64_t steps;
    double read_B;    /* bytes delivered to the GPUs */
    double floor_Bps; /* QoS floor: per-GPU read rate guaranteed by the weights */
} af_job;

/* A copy written by a burst, numbered 1, 2, ... in the order written. */
typedef struct af_copy {
    uint64_t seq;   /* its number */
    double here_B;  /* bytes on the burst's tier */
    double there_B; /* bytes on the drain target */
} af_copy;

/* A copy waiting for its drain. */
typedef struct af_pending {
    uint64_t seq; /* the copy's number */
    double bytes; /* bytes to drain */
} af_pending;

typedef struct af_burst {
    const af_burst_config *cfg;
    af_world *world;
    uint32_t index;
    uint32_t k;
    af_path path;
    double dev_scale;
    bool running;
    af_time_ns started_ns;
    uint64_t started, completed, skipped;
    uint64_t fires; /* burst times scheduled so far after the first */
    double time_sum_s, time_max_s;
    double alone_sum_s; /* sum over completed bursts of their bytes / alone_Bps */
    double moved_B, rejected_B;
    double alone_Bps; /* aggregate rate with nothing else running */
    double floor_Bps; /* aggregate rate the QoS weights guarantee */
    /* Copies (writes): numbers [seq_oldest, seq_next) are kept; with keep > 0 copy n sits in
     * ring[n % ring_cap] and older ones are freed. */
    bool track;    /* copies are tracked (writes with keep > 0) */
    af_copy *ring; /* grown as copies accumulate, up to keep + 1 */
    size_t ring_cap;
    uint64_t seq_next, seq_oldest;
    uint64_t cur_seq; /* the copy being written */
    /* Drain of this burst's writes: one copy at a time, the others wait in order. */
    af_path drain_path;
    double drain_read_scale, drain_write_scale;
    uint32_t drain_k;
    af_pending *dq; /* waiting copies: dq[dq_head .. dq_head + dq_n) */
    size_t dq_head, dq_n, dq_cap;
    bool draining;
    uint64_t drain_seq; /* the copy being drained */
    uint64_t drains_started, drains_completed;
} af_burst;

typedef struct af_tier_state {
    const af_tier_config *cfg;
    uint32_t dev;   /* devices resource */
    double devices; /* nodes x devices (all device time, device-s/s) */
    double usable_B;
    double used_B, peak_B, rejected_B;
    double read_B, write_B;         /* bytes read from and written to the devices */
    double read_dev_s, write_dev_s; /* device-seconds spent reading and writing */
    af_queue *lookups;              /* look-up queue, or NULL */
    const af_lookup_config *lookup;
    gsl_rng *lookup_rng;
    double lookup_demand_s;  /* device-seconds per look-up */
    double lookup_next_s;    /* exact time of the next arrival, s */
    uint64_t lookup_dropped; /* arrivals refused: AF_WORLD_MAX_QUEUED already waiting */
    double lookup_extra_s;   /* latency not covered by the service time */
    uint32_t cached_by;      /* cache tier in front of this one, or AF_NIL */
} af_tier_state;

struct af_world {
    const af_world_config *cfg;
    af_sim *sim;
    af_flownet *net;
    af_job *jobs;
    af_burst *bursts;
    af_tier_state *tiers;
    af_fabric_state *fabrics;
    af_endpoint *eps; /* pools then tiers */
    uint8_t *hold;    /* per resource */
    size_t nres, cap_res;
    af_xfer *xfers;
    uint32_t nxfers, cap_xfers, free_xfer;
    uint32_t bursts_active;
    af_time_ns burst_since_ns;
    af_time_ns burst_time_ns;
};

/* A QoS weight as configured, or its default when the configuration left it 0 (hand-built
 * configurations; the scenario layer always sets one). */
static double af_weight(double w, double dflt)
{
    return w > 0 ? w : dflt;
}

/* ---- resources and paths ---------------------------------------------------------------- */

static uint32_t af_res_add(af_world *w, const char *name, double cap, af_hold hold)
{
    uint32_t r = af_flownet_resource_add(w->net, name, cap);
    if (w->nres == w->cap_res)
        w->hold = af_grow(w->hold, &w->cap_res, w->nres + 1, sizeof *w->hold);
    w->hold[w->nres++] = (uint8_t)hold;
    return r;
}

static void af_path_push(af_path *p, uint32_t r, double scale)
{
    if (p->n < AF_FLOWNET_MAX_PATH) {
        p->res[p->n] = r;
        p->scale[p->n] = scale;
        p->n++;
    }
}

/* Appends the network from endpoint a to endpoint b: a's NICs out, the fabric stages between
 * them when one fabric connects both, b's NICs in. */
static void af_path_net(af_world *w, af_path *p, size_t a, size_t b)
{
    const af_endpoint *ea = &w->eps[a], *eb = &w->eps[b];
    af_path_push(p, ea->tx, 1);
    if (ea->fabric != AF_NIL && ea->fabric == eb->fabric) {
        af_fabric_state *fs = &w->fabrics[ea->fabric];
        af_fabric_stage st[AF_FABRIC_MAX_STAGES];
        size_t n = af_fabric_stages(&fs->plan, ea->group, eb->group, st);
        for (size_t i = 0; i < n; i++) {
            if (st[i].kind == AF_STAGE_SRC_NIC || st[i].kind == AF_STAGE_DST_NIC)
                continue;
            size_t g = st[i].group < 0 ? AF_FABRIC_MAX_GROUPS : (size_t)st[i].group;
            uint32_t *slot = &fs->stage_res[st[i].kind][g];
            if (*slot == AF_NIL) {
                char name[160];
                const char *gname = st[i].group < 0 ? "" : fs->plan.place[g].group.name;
                snprintf(name, sizeof name, "%s %s%s%s", w->cfg->fabrics[ea->fabric].name,
                         st[i].label, *gname ? " of " : "", gname);
                *slot = af_res_add(w, name, st[i].capacity_Bps, AF_HOLD_FABRIC);
            }
            af_path_push(p, *slot, 1);
        }
    }
    af_path_push(p, eb->rx, 1);
}

static size_t af_ep_pool(size_t p)
{
    return p;
}

static size_t af_ep_tier(const af_world *w, size_t t)
{
    return w->cfg->npools + t;
}

/* Device-seconds per byte of reads (write = false) or writes of op_B-byte operations, with
 * `ops` device operations per op_B bytes. */
static double af_dev_scale(const af_storage_spec *s, bool write, double op_B, double ops)
{
    if (write)
        return 1 / s->device_write_Bps + ops / (s->device_write_iops * op_B);
    return 1 / s->device_read_Bps + ops / (s->device_read_iops * op_B);
}

/* ---- transfers ----------------------------------------------------------------------------- */

static void af_xfer_done(af_sim *sim, void *ctx, uint64_t arg);

static uint32_t af_xfer_new(af_world *w)
{
    if (w->free_xfer != AF_NIL) {
        uint32_t i = w->free_xfer;
        w->free_xfer = w->xfers[i].next_free;
        return i;
    }
    if (w->nxfers == w->cap_xfers) {
        size_t cap = w->cap_xfers;
        w->xfers = af_grow(w->xfers, &cap, (size_t)w->nxfers + 1, sizeof *w->xfers);
        w->cap_xfers = (uint32_t)cap;
    }
    return w->nxfers++;
}

static void af_xfer_free(af_world *w, uint32_t i)
{
    w->xfers[i].next_free = w->free_xfer;
    w->free_xfer = i;
}

/* Credits the device traffic of `bytes` bytes per member of transfer x to its tiers. */
static void af_xfer_credit(af_world *w, const af_xfer *x, double bytes)
{
    double all = bytes * x->k;
    for (uint32_t i = 0; i < x->ndev; i++) {
        af_tier_state *t = &w->tiers[x->dev[i].tier];
        if (x->dev[i].write) {
            t->write_B += all;
            t->write_dev_s += all * x->dev[i].scale;
        } else {
            t->read_B += all;
            t->read_dev_s += all * x->dev[i].scale;
        }
    }
}

static uint32_t af_xfer_start(af_world *w, af_xfer_kind kind, uint32_t owner, const af_path *p,
                              double size_B, double weight, double cap, uint32_t k)
{
    uint32_t i = af_xfer_new(w);
    af_xfer *x = &w->xfers[i];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->owner = owner;
    x->size_B = size_B;
    x->k = k;
    x->id = af_flownet_start_scaled(w->net, p->res, p->scale, p->n, size_B, weight, cap, k,
                                    af_xfer_done, w, i);
    return i;
}

/* Lets each tier's look-ups run at the device time the bulk flows leave. */
static void af_world_sync(af_world *w)
{
    for (size_t t = 0; t < w->cfg->ntiers; t++) {
        af_tier_state *ts = &w->tiers[t];
        if (!ts->lookups)
            continue;
        double s = 1 - af_flownet_resource_load(w->net, ts->dev) / ts->devices;
        s = s < 0 ? 0 : s > 1 ? 1 : s;
        if (s != af_queue_speed(ts->lookups))
            af_queue_set_speed(ts->lookups, s);
    }
}

/* ---- training ----------------------------------------------------------------------------- */

static void af_job_account(af_job *job, af_time_ns now)
{
    af_time_ns dt = now - job->since_ns;
    if (job->computing) {
        job->compute_total_ns += dt;
        if (job->world->bursts_active)
            job->compute_in_burst_ns += dt;
    } else {
        job->wait_total_ns += dt;
        job->wait_by_ns[job->hold] += dt;
        if (job->hold_hop >= 0)
            job->wait_hop_ns[job->flow_path[job->hold_flow] == &job->path_hit ? 0 : 1]
                            [job->hold_hop] += dt;
    }
    job->since_ns = now;
}

/* Charges the current wait of a job to the bottleneck of the slowest flow of its fetch. */
static void af_job_find_hold(af_job *job)
{
    af_world *w = job->world;
    double worst = -1;
    for (int i = 0; i < 2; i++) {
        if (!af_flownet_live(w->net, job->flow[i]))
            continue;
        double rate = af_flownet_rate(w->net, job->flow[i]);
        double left = af_flownet_left(w->net, job->flow[i]);
        double t = rate > 0 ? left / rate : INFINITY;
        if (t > worst) {
            worst = t;
            uint32_t b = af_flownet_bottleneck(w->net, job->flow[i]);
            job->hold = b == AF_FLOWNET_CAPPED ? AF_HOLD_READERS
                        : b < w->nres          ? (af_hold)w->hold[b]
                                               : AF_HOLD_DEVICES;
            job->hold_flow = i;
            job->hold_hop = -1;
            const af_path *p = job->flow_path[i];
            for (uint32_t h = 0; p && h < p->n; h++)
                if (p->res[h] == b) {
                    job->hold_hop = (int)h;
                    break;
                }
        }
    }
}

static bool af_job_maybe_fetch(af_job *job)
{
    af_world *w = job->world;
    if (job->fetching || job->ready >= job->cfg->prefetch)
        return false;
    double b = job->batch_B;
    if (job->rng) {
        b += gsl_ran_gaussian(job->rng, job->batch_sd_B);
        if (b < 0.1 * job->batch_B)
            b = 0.1 * job->batch_B;
    }
    job->fetching = true;
    job->flows_left = 0;
    job->flow[0] = job->flow[1] = (af_flow_id){0, 0};
    double w8 = af_weight(job->cfg->weight, 1);
    uint32_t k = (uint32_t)job->gpus;
    double hit = job->hit;
    if (hit > 0) {
        uint32_t x = af_xfer_start(w, AF_XF_TRAIN, job->index, &job->path_hit, hit * b, w8,
                                   job->cap_Bps * hit, k);
        w->xfers[x].ndev = 1;
        w->xfers[x].dev[0] = (af_devuse){job->serve, false, job->scale_hit_dev};
        job->flow_path[job->flows_left] = &job->path_hit;
        job->flow[job->flows_left++] = w->xfers[x].id;
    }
    if (hit < 1) {
        uint32_t src = (uint32_t)job->cfg->tier;
        uint32_t x = af_xfer_start(w, AF_XF_TRAIN, job->index, &job->path_miss, (1 - hit) * b, w8,
                                   job->cap_Bps * (1 - hit), k);
        af_xfer *xf = &w->xfers[x];
        xf->dev[xf->ndev++] = (af_devuse){src, false, job->scale_miss_read};
        if (src != job->serve)
            xf->dev[xf->ndev++] = (af_devuse){job->serve, true, job->scale_miss_write};
        job->flow_path[job->flows_left] = &job->path_miss;
        job->flow[job->flows_left++] = xf->id;
    }
    if (!job->computing) {
        af_job_account(job, af_sim_now(w->sim));
        af_job_find_hold(job);
    }
    return true;
}

static void af_step_done(af_sim *sim, void *ctx, uint64_t arg);

static void af_job_start_step(af_job *job)
{
    af_sim *sim = job->world->sim;
    af_job_account(job, af_sim_now(sim));
    job->ready--;
    job->computing = true;
    af_sim_after(sim, job->compute_ns, af_step_done, job, 0);
    af_job_maybe_fetch(job);
}

static void af_step_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_job *job = ctx;
    af_job_account(job, af_sim_now(sim));
    job->computing = false;
    job->steps++;
    if (job->ready > 0)
        af_job_start_step(job);
    else
        af_job_find_hold(job);
    af_world_sync(job->world);
}

static void af_job_fetch_flow_done(af_job *job, af_flow_id id)
{
    for (int i = 0; i < 2; i++)
        if (job->flow[i].slot == id.slot && job->flow[i].gen == id.gen)
            job->flow[i] = (af_flow_id){0, 0};
    if (--job->flows_left > 0) {
        if (!job->computing) {
            af_job_account(job, af_sim_now(job->world->sim));
            af_job_find_hold(job);
        }
        return;
    }
    job->fetching = false;
    job->ready++;
    if (!job->computing)
        af_job_start_step(job);
    af_job_maybe_fetch(job);
}

/* ---- bursts and drains ------------------------------------------------------------------- */

static void af_bursts_toggle(af_world *w, int delta)
{
    af_time_ns now = af_sim_now(w->sim);
    for (size_t j = 0; j < w->cfg->ntrains; j++)
        af_job_account(&w->jobs[j], now);
    if (w->bursts_active)
        w->burst_time_ns += now - w->burst_since_ns;
    w->burst_since_ns = now;
    w->bursts_active = (uint32_t)((int)w->bursts_active + delta);
}

/* Bytes of a write of `want` bytes that fit on tier t; takes them and counts the rest. */
static double af_tier_take(af_tier_state *t, double want)
{
    double room = t->usable_B - t->used_B;
    double fit = want < room ? want : room > 0 ? room : 0;
    t->used_B += fit;
    if (t->used_B > t->peak_B)
        t->peak_B = t->used_B;
    t->rejected_B += want - fit;
    return fit;
}

static void af_tier_release(af_tier_state *t, double bytes)
{
    t->used_B -= bytes;
    if (t->used_B < 0)
        t->used_B = 0;
}

/* Schedules the next burst of b: the n-th after the first at start + n x every exactly, so
 * that periods that are not whole nanoseconds do not drift and none rounds to zero. */
static void af_burst_fire(af_sim *sim, void *ctx, uint64_t arg);

static void af_burst_schedule(af_burst *b)
{
    af_sim *sim = b->world->sim;
    b->fires++;
    double t = (b->cfg->start_s + (double)b->fires * b->cfg->every_s) * 1e9;
    if (t >= (double)AF_TIME_MAX)
        return;
    af_time_ns at = (af_time_ns)llround(t);
    if (at < af_sim_now(sim))
        at = af_sim_now(sim);
    af_sim_at(sim, at, af_burst_fire, b, 0);
}

/* The kept copy numbered seq, or NULL when it was freed (or copies are not tracked). */
static af_copy *af_burst_copy(af_burst *b, uint64_t seq)
{
    if (!b->track || seq < b->seq_oldest || seq >= b->seq_next)
        return NULL;
    return &b->ring[seq % b->ring_cap];
}

/* Records copy seq (the next number) of fit bytes, growing the ring when the kept copies fill
 * it: to twice its size, at most keep + 1, the live copies moved to their new slots. */
static void af_burst_ring_push(af_burst *b, uint64_t seq, double fit)
{
    if (seq - b->seq_oldest + 1 > b->ring_cap) {
        size_t cap = b->ring_cap ? 2 * b->ring_cap : 4;
        if (cap > (size_t)b->cfg->keep + 1)
            cap = (size_t)b->cfg->keep + 1;
        af_copy *ring = af_calloc(cap, sizeof *ring);
        for (uint64_t n = b->seq_oldest; n < seq; n++)
            ring[n % cap] = b->ring[n % b->ring_cap];
        af_free(b->ring);
        b->ring = ring;
        b->ring_cap = cap;
    }
    b->ring[seq % b->ring_cap] = (af_copy){.seq = seq, .here_B = fit};
}

static void af_burst_fire(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_burst *b = ctx;
    af_world *w = b->world;
    const af_burst_config *c = b->cfg;
    af_burst_schedule(b);
    if (b->running) {
        b->skipped++;
        return;
    }
    b->started++;
    double bytes = c->size_B;
    if (c->write) {
        af_tier_state *t = &w->tiers[c->tier];
        double fit = af_tier_take(t, bytes);
        b->rejected_B += bytes - fit;
        bytes = fit;
        if (bytes <= 0)
            return;
        b->cur_seq = b->seq_next++;
        if (b->track)
            af_burst_ring_push(b, b->cur_seq, fit);
    }
    b->running = true;
    b->started_ns = af_sim_now(sim);
    af_bursts_toggle(w, +1);
    uint32_t x = af_xfer_start(w, AF_XF_BURST, b->index, &b->path, bytes / b->k,
                               af_weight(c->weight, 1), 0, b->k);
    w->xfers[x].ndev = 1;
    w->xfers[x].dev[0] = (af_devuse){(uint32_t)c->tier, c->write, b->dev_scale};
    af_world_sync(w);
}

/* Frees the copies beyond `keep`, oldest first, on whichever tiers they sit. */
static void af_burst_trim(af_burst *b)
{
    af_world *w = b->world;
    const af_burst_config *c = b->cfg;
    while (b->seq_next - b->seq_oldest > (uint64_t)c->keep) {
        af_copy *cp = af_burst_copy(b, b->seq_oldest);
        af_tier_release(&w->tiers[c->tier], cp->here_B);
        if (b->drain_k)
            af_tier_release(&w->tiers[w->cfg->tiers[c->tier].drain_to], cp->there_B);
        b->seq_oldest++;
    }
}

/* Starts draining the oldest waiting copy that is still kept and fits on the target, if no drain
 * of this burst runs. */
static void af_drain_next(af_world *w, af_burst *b)
{
    const af_tier_config *tc = &w->cfg->tiers[b->cfg->tier];
    while (!b->draining && b->dq_n > 0) {
        af_pending p = b->dq[b->dq_head++];
        b->dq_n--;
        if (b->track && !af_burst_copy(b, p.seq))
            continue; /* freed while it waited */
        double fit = af_tier_take(&w->tiers[tc->drain_to], p.bytes);
        if (fit <= 0)
            continue; /* the target is full: the copy stays where it is */
        b->draining = true;
        b->drain_seq = p.seq;
        b->drains_started++;
        uint32_t x = af_xfer_start(w, AF_XF_DRAIN, b->index, &b->drain_path, fit / b->drain_k,
                                   af_weight(tc->drain_weight, 0.25), 0, b->drain_k);
        af_xfer *xf = &w->xfers[x];
        xf->ndev = 2;
        xf->dev[0] = (af_devuse){(uint32_t)b->cfg->tier, false, b->drain_read_scale};
        xf->dev[1] = (af_devuse){(uint32_t)tc->drain_to, true, b->drain_write_scale};
    }
}

/* Queues a written copy for its drain. */
static void af_drain_push(af_world *w, af_burst *b, uint64_t seq, double bytes)
{
    if (b->dq_head + b->dq_n == b->dq_cap) {
        if (b->dq_head > 0) {
            memmove(b->dq, b->dq + b->dq_head, b->dq_n * sizeof *b->dq);
            b->dq_head = 0;
        } else {
            b->dq = af_grow(b->dq, &b->dq_cap, b->dq_n + 1, sizeof *b->dq);
        }
    }
    b->dq[b->dq_head + b->dq_n++] = (af_pending){seq, bytes};
    af_drain_next(w, b);
}

static void af_burst_done(af_world *w, af_burst *b, double bytes)
{
    af_time_ns now = af_sim_now(w->sim);
    double dt = (double)(now - b->started_ns) * 1e-9;
    b->running = false;
    b->completed++;
    b->time_sum_s += dt;
    b->alone_sum_s += bytes / b->alone_Bps;
    if (dt > b->time_max_s)
        b->time_max_s = dt;
    b->moved_B += bytes;
    af_bursts_toggle(w, -1);
    if (!b->cfg->write)
        return;
    if (b->drain_k)
        af_drain_push(w, b, b->cur_seq, bytes);
    if (b->track)
        af_burst_trim(b);
}

static void af_drain_done(af_world *w, af_burst *b, double bytes)
{
    const af_tier_config *tc = &w->cfg->tiers[b->cfg->tier];
    af_tier_state *src = &w->tiers[b->cfg->tier];
    af_tier_state *dst = &w->tiers[tc->drain_to];
    b->drains_completed++;
    b->draining = false;
    af_copy *cp = af_burst_copy(b, b->drain_seq);
    if (b->track && !cp) {
        /* The copy was freed while it drained (its bytes here with it): what reached the target
         * goes too. */
        af_tier_release(dst, bytes);
    } else {
        af_tier_release(src, bytes);
        if (cp) {
            cp->here_B -= bytes;
            cp->there_B += bytes;
        }
    }
    af_drain_next(w, b);
}

/* ---- completions -------------------------------------------------------------------------- */

static void af_xfer_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    af_world *w = ctx;
    uint32_t i = (uint32_t)arg;
    af_xfer x = w->xfers[i];
    af_xfer_free(w, i);
    af_xfer_credit(w, &x, x.size_B);
    double all = x.size_B * x.k;
    switch (x.kind) {
    case AF_XF_TRAIN: {
        af_job *job = &w->jobs[x.owner];
        job->read_B += all;
        af_job_fetch_flow_done(job, x.id);
        break;
    }
    case AF_XF_BURST:
        af_burst_done(w, &w->bursts[x.owner], all);
        break;
    case AF_XF_DRAIN:
        af_drain_done(w, &w->bursts[x.owner], all);
        break;
    }
    af_world_sync(w);
}

/* ---- look-ups ----------------------------------------------------------------------------- */

static void af_lookup_arrive(af_sim *sim, void *ctx, uint64_t arg);

/* Schedules the next arrival on an exact clock (rounding each gap would bias the rate when
 * gaps are a few nanoseconds); arrivals that round to one nanosecond share it. */
static void af_lookup_schedule(af_sim *sim, af_tier_state *t)
{
    t->lookup_next_s += gsl_ran_exponential(t->lookup_rng, 1 / t->lookup->rate_per_s);
    double at = t->lookup_next_s * 1e9;
    if (at >= (double)AF_TIME_MAX)
        return;
    af_time_ns ns = (af_time_ns)llround(at);
    af_sim_at(sim, ns > af_sim_now(sim) ? ns : af_sim_now(sim), af_lookup_arrive, t, 0);
}

static void af_lookup_arrive(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_tier_state *t = ctx;
    af_queue_stats st;
    af_queue_get_stats(t->lookups, &st);
    if (st.in_system < AF_WORLD_MAX_QUEUED)
        af_queue_submit(t->lookups, t->lookup_demand_s, NULL, NULL, 0);
    else
        t->lookup_dropped++;
    af_lookup_schedule(sim, t);
}

/* ---- QoS floors --------------------------------------------------------------------------- */

/* Adds a potential flow's scale x k x weight to W of every resource on its path. */
static void af_floor_add(double *W, const af_path *p, double k, double weight)
{
    for (uint32_t h = 0; h < p->n; h++)
        W[p->res[h]] += p->scale[h] * k * weight;
}

/* The level a flow on path p is guaranteed: min over p of C_r / W_r. */
static double af_floor_level(const af_world *w, const double *W, const af_path *p)
{
    double L = INFINITY;
    for (uint32_t h = 0; h < p->n; h++) {
        double c = af_flownet_resource_capacity(w->net, p->res[h]);
        double l = W[p->res[h]] > 0 ? c / W[p->res[h]] : INFINITY;
        if (l < L)
            L = l;
    }
    return L;
}

/* Aggregate rate of a flow on path p alone: min over p of C_r / scale_r. */
static double af_alone_Bps(const af_world *w, const af_path *p)
{
    double R = INFINITY;
    for (uint32_t h = 0; h < p->n; h++) {
        double r = af_flownet_resource_capacity(w->net, p->res[h]) / p->scale[h];
        if (r < R)
            R = r;
    }
    return R;
}

static void af_world_floors(af_world *w)
{
    const af_world_config *cfg = w->cfg;
    double *W = af_calloc(w->nres, sizeof *W);
    for (size_t j = 0; j < cfg->ntrains; j++) {
        af_job *job = &w->jobs[j];
        double w8 = af_weight(job->cfg->weight, 1);
        if (job->hit > 0)
            af_floor_add(W, &job->path_hit, job->gpus, w8);
        if (job->hit < 1)
            af_floor_add(W, &job->path_miss, job->gpus, w8);
    }
    for (size_t i = 0; i < cfg->nbursts; i++) {
        af_burst *b = &w->bursts[i];
        af_floor_add(W, &b->path, b->k, af_weight(b->cfg->weight, 1));
        if (b->drain_k) {
            double dw = cfg->tiers[b->cfg->tier].drain_weight;
            af_floor_add(W, &b->drain_path, b->drain_k, af_weight(dw, 0.25));
        }
    }
    for (size_t j = 0; j < cfg->ntrains; j++) {
        af_job *job = &w->jobs[j];
        double w8 = af_weight(job->cfg->weight, 1);
        /* A fetch ends when its slower part does: time per byte of batch at the floor. */
        double tpb = 0;
        if (job->hit > 0) {
            double r = w8 * af_floor_level(w, W, &job->path_hit);
            if (job->cap_Bps > 0 && job->cap_Bps * job->hit < r)
                r = job->cap_Bps * job->hit;
            tpb = fmax(tpb, job->hit / r);
        }
        if (job->hit < 1) {
            double r = w8 * af_floor_level(w, W, &job->path_miss);
            if (job->cap_Bps > 0 && job->cap_Bps * (1 - job->hit) < r)
                r = job->cap_Bps * (1 - job->hit);
            tpb = fmax(tpb, (1 - job->hit) / r);
        }
        job->floor_Bps = tpb > 0 ? 1 / tpb : INFINITY;
    }
    for (size_t i = 0; i < cfg->nbursts; i++) {
        af_burst *b = &w->bursts[i];
        double w8 = af_weight(b->cfg->weight, 1);
        b->alone_Bps = af_alone_Bps(w, &b->path);
        b->floor_Bps = b->k * w8 * af_floor_level(w, W, &b->path);
        if (b->floor_Bps > b->alone_Bps)
            b->floor_Bps = b->alone_Bps;
    }
    af_free(W);
}

/* ---- report ------------------------------------------------------------------------------- */

static void af_put(af_results *r, const char *a, const char *b, const char *c, double v, af_dim dim,
                   const char *label)
{
    char name[256];
    if (b)
        snprintf(name, sizeof name, "%s.%s.%s", a, b, c);
    else
        snprintf(name, sizeof name, "%s.%s", a, c);
    af_results_set(r, name, v, dim, label);
}

static double af_min(double a, double b)
{
    return a < b ? a : b;
}

static void af_report_jobs(const af_world *w, af_results *r)
{
    const af_world_config *cfg = w->cfg;
    double T = cfg->duration_s;
    double burst_s = (double)w->burst_time_ns * 1e-9;
    for (size_t j = 0; j < cfg->ntrains; j++) {
        const af_job *job = &w->jobs[j];
        const char *nm = job->cfg->name;
        double compute_s = (double)job->compute_total_ns * 1e-9;
        double wait_s = (double)job->wait_total_ns * 1e-9;
        double util = compute_s / T;
        double step_s = (double)job->compute_ns * 1e-9;
        double demand = job->batch_B / step_s;
        double got = job->read_B / job->gpus / T;
        af_put(r, "train", nm, "gpus", job->gpus, AF_DIM_COUNT, "GPUs");
        af_put(r, "train", nm, "gpu_utilization", util, AF_DIM_RATIO, "computing");
        af_put(r, "train", nm, "data_wait", wait_s / T, AF_DIM_RATIO, "waiting for data");
        for (int h = 0; h < AF_HOLD__COUNT; h++)
            if (job->wait_by_ns[h] > 0)
                af_put(r, "train", nm, af_hold_metric[h], (double)job->wait_by_ns[h] * 1e-9 / T,
                       AF_DIM_RATIO, af_hold_label[h]);
        /* The one resource that held the GPUs back longest (its name says which stage, link
         * group and direction), or the reader threads when their cap did. */
        af_time_ns most = job->wait_by_ns[AF_HOLD_READERS];
        const char *which = most > 0 ? "reader threads (per-GPU cap)" : NULL;
        for (int i = 0; i < 2; i++) {
            const af_path *p = i == 0 ? &job->path_hit : &job->path_miss;
            for (uint32_t h = 0; h < p->n; h++)
                if (job->wait_hop_ns[i][h] > most) {
                    most = job->wait_hop_ns[i][h];
                    which = af_flownet_resource_name(w->net, p->res[h]);
                }
        }
        if (which) {
            char name[256];
            snprintf(name, sizeof name, "train.%s.bottleneck", nm);
            af_results_set_text(r, name, which, "held back longest by");
        }
        af_put(r, "train", nm, "steps", (double)job->steps, AF_DIM_COUNT, "steps completed");
        af_put(r, "train", nm, "compute_time_per_step", step_s, AF_DIM_TIME,
               "compute time per step");
        af_put(r, "train", nm, "time_per_step", job->steps ? T / (double)job->steps : 0,
               AF_DIM_TIME, "wall time per step");
        af_put(r, "train", nm, "samples_per_second",
               (double)job->steps * job->cfg->samples_per_gpu * job->gpus / T, AF_DIM_RATE,
               "samples per second");
        af_put(r, "train", nm, "read_demand_per_gpu", demand, AF_DIM_BANDWIDTH,
               "read demand per GPU");
        af_put(r, "train", nm, "read_rate_per_gpu", got, AF_DIM_BANDWIDTH, "read rate per GPU");
        af_put(r, "train", nm, "read_shortfall_per_gpu", demand > got ? demand - got : 0,
               AF_DIM_BANDWIDTH, "read shortfall per GPU");
        if (job->cap_Bps > 0)
            af_put(r, "train", nm, "reader_cap_per_gpu", job->cap_Bps, AF_DIM_BANDWIDTH,
                   "reader-thread limit per GPU");
        if (isfinite(job->floor_Bps)) {
            af_put(r, "train", nm, "qos_floor_per_gpu", job->floor_Bps, AF_DIM_BANDWIDTH,
                   "QoS floor per GPU");
            af_put(r, "train", nm, "qos_floor_utilization", af_min(1, job->floor_Bps / demand),
                   AF_DIM_RATIO, "QoS floor utilization");
        }
        if (burst_s > 0)
            af_put(r, "train", nm, "gpu_utilization_during_bursts",
                   (double)job->compute_in_burst_ns * 1e-9 / burst_s, AF_DIM_RATIO,
                   "computing while bursts run");
    }
}

static void af_report_bursts(const af_world *w, af_results *r)
{
    for (size_t i = 0; i < w->cfg->nbursts; i++) {
        const af_burst *b = &w->bursts[i];
        const char *nm = b->cfg->name;
        double mean = b->completed ? b->time_sum_s / (double)b->completed : 0;
        double alone = b->cfg->size_B / b->alone_Bps;
        af_put(r, "burst", nm, "size", b->cfg->size_B, AF_DIM_SIZE, "bytes per burst");
        af_put(r, "burst", nm, "started", (double)b->started, AF_DIM_COUNT, "bursts started");
        af_put(r, "burst", nm, "completed", (double)b->completed, AF_DIM_COUNT, "bursts completed");
        af_put(r, "burst", nm, "skipped", (double)b->skipped, AF_DIM_COUNT,
               "skipped (previous still running)");
        af_put(r, "burst", nm, "moved", b->moved_B, AF_DIM_SIZE, "bytes moved");
        if (b->cfg->write)
            af_put(r, "burst", nm, "rejected", b->rejected_B, AF_DIM_SIZE,
                   "bytes refused: tier full");
        af_put(r, "burst", nm, "time_alone", alone, AF_DIM_TIME, "duration alone");
        if (b->completed) {
            af_put(r, "burst", nm, "time_mean", mean, AF_DIM_TIME, "mean duration");
            af_put(r, "burst", nm, "time_max", b->time_max_s, AF_DIM_TIME, "longest duration");
            af_put(r, "burst", nm, "slowdown", b->time_sum_s / b->alone_sum_s, AF_DIM_RATIO,
                   "duration / duration alone");
        }
        af_put(r, "burst", nm, "slowdown_bound", b->alone_Bps / b->floor_Bps, AF_DIM_RATIO,
               "QoS bound on slowdown");
        if (b->drain_k) {
            af_put(r, "burst", nm, "drains_started", (double)b->drains_started, AF_DIM_COUNT,
                   "drains started");
            af_put(r, "burst", nm, "drains_completed", (double)b->drains_completed, AF_DIM_COUNT,
                   "drains completed");
        }
    }
}

static void af_report_lookups(const af_world *w, af_results *r)
{
    for (size_t t = 0; t < w->cfg->ntiers; t++) {
        const af_tier_state *ts = &w->tiers[t];
        if (!ts->lookups)
            continue;
        const char *nm = ts->lookup->name;
        af_queue_stats st;
        af_queue_get_stats(ts->lookups, &st);
        af_put(r, "lookup", nm, "requests", (double)st.completed, AF_DIM_COUNT,
               "requests completed");
        af_put(r, "lookup", nm, "rate", (double)st.completed / w->cfg->duration_s, AF_DIM_RATE,
               "requests per second");
        if (st.completed) {
            double mean = st.sojourn_sum_s / (double)st.completed + ts->lookup_extra_s;
            af_put(r, "lookup", nm, "latency_mean", mean, AF_DIM_TIME, "mean latency");
            static const struct {
                double p;
                const char *m, *l;
            } q[] = {{0.5, "latency_p50", "p50 latency"},
                     {0.99, "latency_p99", "p99 latency"},
                     {0.999, "latency_p999", "p99.9 latency"}};
            for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
                af_put(r, "lookup", nm, q[i].m,
                       af_queue_quantile_s(ts->lookups, AF_QUEUE_SOJOURN, q[i].p) +
                           ts->lookup_extra_s,
                       AF_DIM_TIME, q[i].l);
        }
        if (ts->lookup->slo_s > 0)
            af_put(r, "lookup", nm, "slo", ts->lookup->slo_s, AF_DIM_TIME, "p99 objective");
        af_put(r, "lookup", nm, "in_flight", (double)st.in_system, AF_DIM_COUNT,
               "requests unfinished at the end");
        af_put(r, "lookup", nm, "dropped", (double)ts->lookup_dropped, AF_DIM_COUNT,
               "requests dropped: queue full");
    }
}

static void af_world_report(const af_world *w, af_results *r)
{
    const af_world_config *cfg = w->cfg;
    double T = cfg->duration_s;
    const af_facility_spec *fac = &cfg->facility;

    af_put(r, "run", NULL, "duration", T, AF_DIM_TIME, "simulated time");
    af_put(r, "run", NULL, "seed", (double)cfg->seed, AF_DIM_COUNT, "seed");
    af_put(r, "run", NULL, "events", (double)af_sim_events_run(w->sim), AF_DIM_COUNT,
           "events executed");

    af_report_jobs(w, r);
    af_report_bursts(w, r);
    af_report_lookups(w, r);

    double useful_gpu_s = 0, it_W = 0, it_max_W = 0, capital_usd = 0, rack_u = 0;
    for (size_t j = 0; j < cfg->ntrains; j++)
        useful_gpu_s += (double)w->jobs[j].compute_total_ns * 1e-9 * w->jobs[j].gpus;
    for (size_t p = 0; p < cfg->npools; p++) {
        const af_pool_config *pc = &cfg->pools[p];
        double u = 0;
        for (size_t j = 0; j < cfg->ntrains; j++)
            if (w->jobs[j].pool == p)
                u = (double)w->jobs[j].compute_total_ns * 1e-9 / T;
        double nodes = (double)pc->nodes;
        double gpus = nodes * pc->node.gpus;
        double power = nodes * af_node_power_W(&pc->node, u);
        it_W += power;
        it_max_W += nodes * pc->node.max_power_W;
        capital_usd += nodes * pc->node.price_usd;
        rack_u += nodes * pc->node.rack_units;
        const af_endpoint *ep = &w->eps[af_ep_pool(p)];
        af_put(r, "pool", pc->name, "gpus", gpus, AF_DIM_COUNT, "GPUs");
        af_put(r, "pool", pc->name, "gpu_utilization", u, AF_DIM_RATIO, "GPU utilization");
        af_put(r, "pool", pc->name, "storage_nic_bandwidth",
               af_flownet_resource_capacity(w->net, ep->rx), AF_DIM_BANDWIDTH,
               "storage NIC bandwidth");
        af_put(r, "pool", pc->name, "storage_in_rate",
               af_flownet_resource_carried(w->net, ep->rx) / T, AF_DIM_BANDWIDTH,
               "storage traffic in");
        af_put(r, "pool", pc->name, "storage_out_rate",
               af_flownet_resource_carried(w->net, ep->tx) / T, AF_DIM_BANDWIDTH,
               "storage traffic out");
        af_put(r, "pool", pc->name, "power", power, AF_DIM_POWER, "average power");
        af_put(r, "pool", pc->name, "energy", power * T, AF_DIM_ENERGY, "IT energy");
    }
    for (size_t t = 0; t < cfg->ntiers; t++) {
        const af_tier_state *ts = &w->tiers[t];
        const af_storage_spec *s = &ts->cfg->system;
        const af_endpoint *ep = &w->eps[af_ep_tier(w, t)];
        double nodes = (double)ts->cfg->nodes;
        double lookup_dev_s = 0, read_B = ts->read_B;
        if (ts->lookups) {
            af_queue_stats st;
            af_queue_get_stats(ts->lookups, &st);
            lookup_dev_s = st.work_s;
            read_B += (double)st.completed * ts->lookup->size_B;
        }
        double rfrac = af_min(1, (ts->read_dev_s + lookup_dev_s) / (ts->devices * T));
        double wfrac = af_min(1 - rfrac, ts->write_dev_s / (ts->devices * T));
        double power = nodes * af_storage_node_power_W(s, rfrac, wfrac);
        double pmax = nodes * af_storage_node_max_W(s);
        it_W += power;
        it_max_W += pmax;
        capital_usd += nodes * s->price_usd;
        rack_u += nodes * s->rack_units;
        const char *nm = ts->cfg->name;
        af_put(r, "storage", nm, "read_rate", read_B / T, AF_DIM_BANDWIDTH, "read from devices");
        af_put(r, "storage", nm, "write_rate", ts->write_B / T, AF_DIM_BANDWIDTH,
               "written to devices");
        af_put(r, "storage", nm, "read_bandwidth", nodes * af_storage_node_read_Bps(s),
               AF_DIM_BANDWIDTH, "streaming read bandwidth");
        af_put(r, "storage", nm, "nic_out_utilization",
               af_flownet_resource_carried(w->net, ep->tx) /
                   (af_flownet_resource_capacity(w->net, ep->tx) * T),
               AF_DIM_RATIO, "storage NICs busy sending");
        af_put(r, "storage", nm, "nic_in_utilization",
               af_flownet_resource_carried(w->net, ep->rx) /
                   (af_flownet_resource_capacity(w->net, ep->rx) * T),
               AF_DIM_RATIO, "storage NICs busy receiving");
        af_put(r, "storage", nm, "device_read_busy", rfrac, AF_DIM_RATIO, "devices reading");
        af_put(r, "storage", nm, "device_write_busy", wfrac, AF_DIM_RATIO, "devices writing");
        if (ts->cfg->reserve > 0)
            af_put(r, "storage", nm, "reserve", ts->cfg->reserve, AF_DIM_RATIO,
                   "device time reserved for look-ups");
        af_put(r, "storage", nm, "read_bytes", read_B, AF_DIM_SIZE, "bytes read");
        af_put(r, "storage", nm, "write_bytes", ts->write_B, AF_DIM_SIZE, "bytes written");
        af_put(r, "storage", nm, "usable_capacity", ts->usable_B, AF_DIM_SIZE, "usable capacity");
        af_put(r, "storage", nm, "used_capacity", ts->used_B, AF_DIM_SIZE, "used at the end");
        af_put(r, "storage", nm, "peak_capacity", ts->peak_B, AF_DIM_SIZE, "peak used");
        af_put(r, "storage", nm, "rejected_writes", ts->rejected_B, AF_DIM_SIZE,
               "writes refused: tier full");
        af_put(r, "storage", nm, "power", power, AF_DIM_POWER, "average power");
    }
    for (size_t f = 0; f < cfg->nfabrics; f++) {
        const af_fabric *fp = &w->fabrics[f].plan;
        it_W += fp->typical_W;
        it_max_W += fp->max_W;
        capital_usd += fp->price_usd;
        rack_u += fp->rack_units;
        const char *nm = cfg->fabrics[f].name;
        af_put(r, "fabric", nm, "switches", fp->switches, AF_DIM_COUNT, "switches");
        af_put(r, "fabric", nm, "levels", fp->levels, AF_DIM_COUNT, "switch levels");
        af_put(r, "fabric", nm, "oversubscription", fp->oversubscription, AF_DIM_COUNT,
               "leaf oversubscription (down:up)");
        af_put(r, "fabric", nm, "spine_bandwidth", fp->spine_Bps, AF_DIM_BANDWIDTH,
               fp->levels > 1 ? "capacity into the spine" : "switch capacity");
        af_put(r, "fabric", nm, "power", fp->typical_W, AF_DIM_POWER, "switch power (typical)");
    }

    double fac_W = it_W * fac->pue;
    double energy_J = fac_W * T;
    double racks = ceil(fmax(rack_u / fac->rack_units, it_max_W / fac->rack_power_W));
    double capex_run = capital_usd * T / fac->amortization_s;
    double energy_usd = energy_J * fac->energy_price_usd_J;
    double space_usd = racks * fac->space_usd_s_per_rack * T;
    double total_usd = capex_run + energy_usd + space_usd;
    af_put(r, "facility", NULL, "it_power", it_W, AF_DIM_POWER, "IT power");
    af_put(r, "facility", NULL, "power", fac_W, AF_DIM_POWER, "facility power (PUE)");
    af_put(r, "facility", NULL, "energy", energy_J, AF_DIM_ENERGY, "facility energy");
    af_put(r, "facility", NULL, "racks", racks, AF_DIM_COUNT, "racks");
    af_put(r, "cost", NULL, "capital", capex_run, AF_DIM_MONEY, "capital (amortized)");
    af_put(r, "cost", NULL, "energy", energy_usd, AF_DIM_MONEY, "energy");
    af_put(r, "cost", NULL, "space", space_usd, AF_DIM_MONEY, "space and upkeep");
    af_put(r, "cost", NULL, "total", total_usd, AF_DIM_MONEY, "total");
    af_put(r, "cost", NULL, "per_hour", total_usd / T, AF_DIM_HOURLY_PRICE, "per hour");
    if (useful_gpu_s > 0)
        af_put(r, "cost", NULL, "per_useful_gpu_hour", total_usd / useful_gpu_s,
               AF_DIM_HOURLY_PRICE, "per useful GPU-hour");
}

/* ---- building ----------------------------------------------------------------------------- */

/* Plans the fabrics and places pools and tiers on them. */
static int af_world_fabrics(af_world *w, af_diag *d)
{
    const af_world_config *cfg = w->cfg;
    int rc = AF_OK;
    for (size_t f = 0; f < cfg->nfabrics; f++) {
        const af_fabric_config *fc = &cfg->fabrics[f];
        af_fabric_state *fs = &w->fabrics[f];
        for (size_t i = 0; i < AF_FABRIC_MAX_STAGES; i++)
            for (size_t g = 0; g <= AF_FABRIC_MAX_GROUPS; g++)
                fs->stage_res[i][g] = AF_NIL;
        size_t n = fc->npools + fc->ntiers;
        if (n > AF_FABRIC_MAX_GROUPS) {
            af_diag_error(d, "fabric \"%s\": connects %zu pools and tiers; at most %d", fc->name, n,
                          AF_FABRIC_MAX_GROUPS);
            rc = AF_EINPUT;
            continue;
        }
        /* A fabric with a tier on it is a storage fabric: pools join it by their storage NICs.
         * One with pools only is a backend (GPU) fabric: pools join it by their compute NICs,
         * rail by rail on a rail-optimized one. It carries no storage traffic; its switches
         * count in power, space and cost. */
        bool backend = fc->ntiers == 0;
        af_fabric_group groups[AF_FABRIC_MAX_GROUPS];
        for (size_t i = 0; i < fc->npools; i++) {
            const af_pool_config *pc = &cfg->pools[fc->pools[i]];
            const af_link_spec *nic = backend ? &pc->node.nic : &pc->node.storage_nic;
            groups[i] =
                (af_fabric_group){.name = pc->name,
                                  .nodes = (int)pc->nodes,
                                  .nics_per_node = backend ? pc->node.nics : pc->node.storage_nics,
                                  .nic_rate_Bps = fmin(nic->rate_Bps, fc->spec.sw.port_rate_Bps),
                                  .rail_attached = backend && fc->spec.topology == AF_FABRIC_RAIL};
        }
        for (size_t i = 0; i < fc->ntiers; i++) {
            const af_tier_config *tc = &cfg->tiers[fc->tiers[i]];
            groups[fc->npools + i] = (af_fabric_group){
                .name = tc->name,
                .nodes = (int)tc->nodes,
                .nics_per_node = tc->system.nics,
                .nic_rate_Bps = fmin(tc->system.nic.rate_Bps, fc->spec.sw.port_rate_Bps)};
        }
        af_fabric_spec spec = fc->spec;
        spec.name = fc->name;
        if (af_fabric_init(&fs->plan, &spec, groups, n, d) != AF_OK) {
            rc = AF_EINPUT;
            continue;
        }
        for (size_t i = 0; i < fc->npools && !backend; i++) {
            w->eps[af_ep_pool(fc->pools[i])].fabric = (uint32_t)f;
            w->eps[af_ep_pool(fc->pools[i])].group = (uint32_t)i;
        }
        for (size_t i = 0; i < fc->ntiers; i++) {
            w->eps[af_ep_tier(w, fc->tiers[i])].fabric = (uint32_t)f;
            w->eps[af_ep_tier(w, fc->tiers[i])].group = (uint32_t)(fc->npools + i);
        }
    }
    return rc;
}

/* The receive and transmit NIC resources of endpoint ep: nodes x nics x rate, the rate capped
 * at the switch port's on a fabric. */
static void af_endpoint_nics(af_world *w, af_endpoint *ep, const char *what, const char *name,
                             int64_t nodes, int nics, double rate, af_hold hold)
{
    if (ep->fabric != AF_NIL)
        rate = fmin(rate, w->cfg->fabrics[ep->fabric].spec.sw.port_rate_Bps);
    double cap = (double)nodes * nics * rate;
    char label[200];
    const char *nic = hold == AF_HOLD_CLIENT ? "storage NICs" : "NICs";
    snprintf(label, sizeof label, "%s %s %s in", what, name, nic);
    ep->rx = af_res_add(w, label, cap, hold);
    snprintf(label, sizeof label, "%s %s %s out", what, name, nic);
    ep->tx = af_res_add(w, label, cap, hold);
}

/* NIC resources of every pool and tier, and every tier's devices. */
static void af_world_nics(af_world *w)
{
    const af_world_config *cfg = w->cfg;
    for (size_t p = 0; p < cfg->npools; p++) {
        const af_pool_config *pc = &cfg->pools[p];
        af_endpoint_nics(w, &w->eps[af_ep_pool(p)], "pool", pc->name, pc->nodes,
                         pc->node.storage_nics, pc->node.storage_nic.rate_Bps, AF_HOLD_CLIENT);
    }
    for (size_t t = 0; t < cfg->ntiers; t++) {
        const af_tier_config *tc = &cfg->tiers[t];
        af_tier_state *ts = &w->tiers[t];
        af_endpoint_nics(w, &w->eps[af_ep_tier(w, t)], "tier", tc->name, tc->nodes, tc->system.nics,
                         tc->system.nic.rate_Bps, AF_HOLD_SNIC);
        ts->devices = (double)tc->nodes * tc->system.devices;
        char label[160];
        snprintf(label, sizeof label, "tier %s devices", tc->name);
        ts->dev = af_res_add(w, label, ts->devices * (1 - tc->reserve), AF_HOLD_DEVICES);
    }
}

/* Sets up a training job: its step time, batch, paths and reader cap. */
static int af_world_job(af_world *w, size_t j, af_diag *d)
{
    const af_world_config *cfg = w->cfg;
    const af_train_config *tc = &cfg->trains[j];
    const af_pool_config *pc = &cfg->pools[tc->pool];
    af_job *job = &w->jobs[j];
    double peak = tc->precision == AF_PREC_FP8 ? pc->node.gpu.fp8_flops : pc->node.gpu.bf16_flops;
    job->cfg = tc;
    job->world = w;
    job->index = (uint32_t)j;
    job->pool = tc->pool;
    job->hold_hop = -1;
    job->gpus = (double)pc->nodes * pc->node.gpus;
    double compute_s = af_train_compute_s(tc, job->gpus, peak);
    if (!(compute_s >= 1e-9) || !isfinite(compute_s) || compute_s > 1e9) {
        af_diag_error(d,
                      "train job \"%s\": compute time per step of %g s is out of range "
                      "(1 ns to 1e9 s); check step_time, params, tokens_per_step, mfu "
                      "and the GPU's peak",
                      tc->name, compute_s);
        return AF_EINPUT;
    }
    if (job->gpus > (double)UINT32_MAX) {
        af_diag_error(d, "train job \"%s\": %.0f GPUs is more than this version can simulate",
                      tc->name, job->gpus);
        return AF_EINPUT;
    }
    job->compute_ns = (af_time_ns)llround(compute_s * 1e9);
    job->batch_B = af_train_batch_B(tc);
    job->batch_sd_B = sqrt(tc->samples_per_gpu) * tc->sample_sd_B;
    if (job->batch_sd_B > 0) {
        char name[160];
        snprintf(name, sizeof name, "train.%s.batches", tc->name);
        job->rng = af_rng_new(cfg->seed, name);
    }

    uint32_t src = (uint32_t)tc->tier;
    uint32_t cache = w->tiers[src].cached_by;
    job->serve = cache != AF_NIL ? cache : src;
    job->hit = cache != AF_NIL ? cfg->tiers[cache].hit_ratio : 0;
    /* A file is read whole and in order: two device operations (the open's metadata and the
     * first read's seek) per file of samples_per_file samples, then its bytes streamed. */
    double spf = tc->samples_per_file >= 1 ? tc->samples_per_file : 1;
    double file_B = spf * tc->sample_B;
    double ops = 2;
    const af_storage_spec *sv = &cfg->tiers[job->serve].system;
    const af_storage_spec *sb = &cfg->tiers[src].system;
    size_t pool_ep = af_ep_pool(tc->pool);
    if (cache != AF_NIL) {
        job->scale_hit_dev = af_dev_scale(sv, false, file_B, ops);
        af_path_push(&job->path_hit, w->tiers[cache].dev, job->scale_hit_dev);
        af_path_net(w, &job->path_hit, af_ep_tier(w, cache), pool_ep);
        /* Misses: read from the backing tier, written into the cache, sent on to the pool. */
        job->scale_miss_read = af_dev_scale(sb, false, file_B, ops);
        job->scale_miss_write = af_dev_scale(sv, true, file_B, 1);
        af_path_push(&job->path_miss, w->tiers[src].dev, job->scale_miss_read);
        af_path_net(w, &job->path_miss, af_ep_tier(w, src), af_ep_tier(w, cache));
        af_path_push(&job->path_miss, w->tiers[cache].dev, job->scale_miss_write);
        af_path_net(w, &job->path_miss, af_ep_tier(w, cache), pool_ep);
    } else {
        job->hit = 0;
        job->scale_miss_read = af_dev_scale(sb, false, file_B, ops);
        af_path_push(&job->path_miss, w->tiers[src].dev, job->scale_miss_read);
        af_path_net(w, &job->path_miss, af_ep_tier(w, src), pool_ep);
    }
    if (tc->reader_threads > 0) {
        /* Little's law: T files in flight, each taking latency + transfer time on the tier it
         * comes from (the cache for hits, the backing tier for misses). */
        double per_hit = sv->device_latency_s + file_B / sv->device_read_Bps;
        double per_miss = sb->device_latency_s + file_B / sb->device_read_Bps;
        double per = job->hit * per_hit + (1 - job->hit) * per_miss;
        job->cap_Bps = tc->reader_threads * file_B / per;
    }
    return AF_OK;
}

static void af_world_burst(af_world *w, size_t i)
{
    const af_world_config *cfg = w->cfg;
    const af_burst_config *c = &cfg->bursts[i];
    af_burst *b = &w->bursts[i];
    b->cfg = c;
    b->world = w;
    b->index = (uint32_t)i;
    const af_tier_config *tc = &cfg->tiers[c->tier];
    af_tier_state *ts = &w->tiers[c->tier];
    size_t tep = af_ep_tier(w, c->tier);
    double op = c->op_B > 0 ? c->op_B : 1048576;
    b->dev_scale = af_dev_scale(&tc->system, c->write, op, 1);
    b->k = (uint32_t)(c->pool != AF_WORLD_NONE ? cfg->pools[c->pool].nodes : tc->nodes);
    b->seq_next = b->seq_oldest = 1;
    if (c->write) {
        if (c->pool != AF_WORLD_NONE)
            af_path_net(w, &b->path, af_ep_pool(c->pool), tep);
        else
            af_path_push(&b->path, w->eps[tep].rx, 1);
        af_path_push(&b->path, ts->dev, b->dev_scale);
    } else {
        af_path_push(&b->path, ts->dev, b->dev_scale);
        if (c->pool != AF_WORLD_NONE)
            af_path_net(w, &b->path, tep, af_ep_pool(c->pool));
        else
            af_path_push(&b->path, w->eps[tep].tx, 1);
    }
    b->track = c->write && c->keep > 0;
    if (c->write && tc->drain_to < cfg->ntiers && tc->drain_to != c->tier) {
        const af_tier_config *dc = &cfg->tiers[tc->drain_to];
        b->drain_k = (uint32_t)tc->nodes;
        b->drain_read_scale = af_dev_scale(&tc->system, false, op, 1);
        b->drain_write_scale = af_dev_scale(&dc->system, true, op, 1);
        af_path_push(&b->drain_path, ts->dev, b->drain_read_scale);
        af_path_net(w, &b->drain_path, tep, af_ep_tier(w, tc->drain_to));
        af_path_push(&b->drain_path, w->tiers[tc->drain_to].dev, b->drain_write_scale);
    }
}

static int af_world_lookup(af_world *w, size_t i, af_diag *d)
{
    const af_lookup_config *c = &w->cfg->lookups[i];
    af_tier_state *ts = &w->tiers[c->tier];
    if (ts->lookups) {
        af_diag_error(d,
                      "look-ups \"%s\" and \"%s\" both read tier \"%s\"; this version models "
                      "one look-up stream per tier (merge them: rates add up)",
                      ts->lookup->name, c->name, ts->cfg->name);
        return AF_EINPUT;
    }
    const af_storage_spec *s = &ts->cfg->system;
    if (ts->devices > 1e6) {
        af_diag_error(d,
                      "look-ups \"%s\": tier \"%s\" has %.0f devices, more than this version "
                      "queues look-ups over",
                      c->name, ts->cfg->name, ts->devices);
        return AF_EINPUT;
    }
    ts->lookup = c;
    ts->lookup_demand_s = 1 / s->device_read_iops + c->size_B / s->device_read_Bps;
    double load = c->rate_per_s * ts->lookup_demand_s;
    if (load >= ts->devices) {
        af_diag_error(d,
                      "look-ups \"%s\": %.4g requests/s of %.4g device-seconds each need %.4g "
                      "devices busy all the time, and tier \"%s\" has %.0f; its queue would "
                      "grow without bound (lower the rate or add nodes)",
                      c->name, c->rate_per_s, ts->lookup_demand_s, load, ts->cfg->name,
                      ts->devices);
        return AF_EINPUT;
    }
    double extra = s->device_latency_s - 1 / s->device_read_iops;
    ts->lookup_extra_s = extra > 0 ? extra : 0;
    ts->lookups = af_queue_new(w->sim, (uint32_t)ts->devices, 0);
    char name[160];
    snprintf(name, sizeof name, "lookup.%s", c->name);
    ts->lookup_rng = af_rng_new(w->cfg->seed, name);
    return AF_OK;
}

/* Refuses up front a run that certainly cannot fit its event budget. Each step is at least one
 * event (its end; the fetches add their completions), each look-up at least its arrival, each
 * burst its start: a lower bound, so a run it refuses could never finish, and a run that passes
 * may still run out, with its own message. */
static int af_world_budget(const af_world *w, uint64_t budget, af_diag *d)
{
    const af_world_config *cfg = w->cfg;
    double steps = 0, work = 0;
    for (size_t j = 0; j < cfg->ntrains; j++)
        steps += cfg->duration_s / ((double)w->jobs[j].compute_ns * 1e-9);
    work = steps;
    for (size_t i = 0; i < cfg->nlookups; i++)
        work += cfg->lookups[i].rate_per_s * cfg->duration_s;
    for (size_t i = 0; i < cfg->nbursts; i++)
        work += cfg->duration_s / cfg->bursts[i].every_s;
    if (work > (double)budget) {
        af_diag_error(d,
                      "this run needs at least %.3g events (%.3g training steps), more than "
                      "its event budget of %llu; raise max_events or shorten the duration",
                      work, steps, (unsigned long long)budget);
        return AF_EIO;
    }
    return AF_OK;
}

/* The data sets must fit on their tiers. */
static int af_world_capacity(af_world *w, af_diag *d)
{
    const af_world_config *cfg = w->cfg;
    int rc = AF_OK;
    for (size_t t = 0; t < cfg->ntiers; t++) {
        af_tier_state *ts = &w->tiers[t];
        ts->usable_B =
            (double)cfg->tiers[t].nodes * af_storage_node_usable_B(&cfg->tiers[t].system);
        double need = 0;
        for (size_t j = 0; j < cfg->ntrains; j++)
            if (cfg->trains[j].tier == t)
                need += cfg->trains[j].dataset_B;
        if (need > ts->usable_B) {
            af_diag_error(d,
                          "storage tier \"%s\": the data sets placed on it need %.4g TB but "
                          "its %lld nodes hold %.4g TB usable; add nodes or move a data set",
                          cfg->tiers[t].name, need / 1e12, (long long)cfg->tiers[t].nodes,
                          ts->usable_B / 1e12);
            rc = AF_EINPUT;
        }
        ts->used_B = ts->peak_B = need;
    }
    return rc;
}

/* Builds the world, and runs it and reports into res unless res is NULL. */
static int af_world_go(const af_world_config *cfg, af_results *res, af_diag *d)
{
    int rc = AF_OK;
    af_world w = {.cfg = cfg, .free_xfer = AF_NIL};
    size_t neps = cfg->npools + cfg->ntiers;
    w.sim = af_sim_new(64);
    w.net = af_flownet_new(w.sim, (uint32_t)(2 * cfg->ntrains + 2 * cfg->nbursts + 16));
    w.jobs = af_calloc(cfg->ntrains, sizeof(af_job));
    w.bursts = af_calloc(cfg->nbursts, sizeof(af_burst));
    w.tiers = af_calloc(cfg->ntiers, sizeof(af_tier_state));
    w.fabrics = af_calloc(cfg->nfabrics, sizeof(af_fabric_state));
    w.eps = af_calloc(neps, sizeof(af_endpoint));
    for (size_t i = 0; i < neps; i++)
        w.eps[i].fabric = AF_NIL;
    for (size_t t = 0; t < cfg->ntiers; t++) {
        w.tiers[t].cfg = &cfg->tiers[t];
        w.tiers[t].cached_by = AF_NIL;
    }
    for (size_t t = 0; t < cfg->ntiers; t++) {
        size_t b = cfg->tiers[t].cache_for;
        if (b != AF_WORLD_NONE && b < cfg->ntiers && b != t)
            w.tiers[b].cached_by = (uint32_t)t;
    }

    if (af_world_fabrics(&w, d) != AF_OK) {
        rc = AF_EINPUT;
        goto done;
    }
    af_world_nics(&w);
    for (size_t j = 0; j < cfg->ntrains; j++)
        if (af_world_job(&w, j, d) != AF_OK)
            rc = AF_EINPUT;
    for (size_t i = 0; i < cfg->nbursts; i++)
        af_world_burst(&w, i);
    for (size_t i = 0; i < cfg->nlookups; i++)
        if (af_world_lookup(&w, i, d) != AF_OK)
            rc = AF_EINPUT;
    if (af_world_capacity(&w, d) != AF_OK)
        rc = AF_EINPUT;
    if (rc != AF_OK)
        goto done;
    uint64_t budget = cfg->max_events ? cfg->max_events : AF_WORLD_DEFAULT_EVENTS;
    rc = af_world_budget(&w, budget, d);
    if (rc != AF_OK || !res)
        goto done;
    af_world_floors(&w);

    /* Every loader starts fetching at time 0; bursts and look-ups at their first times. */
    af_flownet_defer(w.net);
    for (size_t j = 0; j < cfg->ntrains; j++)
        af_job_maybe_fetch(&w.jobs[j]);
    af_flownet_flush(w.net);
    for (size_t j = 0; j < cfg->ntrains; j++)
        af_job_find_hold(&w.jobs[j]);
    for (size_t i = 0; i < cfg->nbursts; i++) {
        double s = cfg->bursts[i].start_s * 1e9;
        af_time_ns at = s >= (double)AF_TIME_MAX ? AF_TIME_MAX : (af_time_ns)llround(s);
        af_sim_at(w.sim, at, af_burst_fire, &w.bursts[i], 0);
    }
    for (size_t t = 0; t < cfg->ntiers; t++)
        if (w.tiers[t].lookups)
            af_lookup_schedule(w.sim, &w.tiers[t]);
    af_world_sync(&w);

    double end_s = cfg->duration_s * 1e9;
    af_time_ns end_ns = end_s >= (double)AF_TIME_MAX ? AF_TIME_MAX : (af_time_ns)llround(end_s);
    af_run_status st = af_sim_run(w.sim, end_ns, budget);
    if (st == AF_RUN_BUDGET) {
        af_diag_error(d,
                      "the event budget of %llu events ran out at %.6g s of %.6g s simulated; "
                      "raise max_events or shorten the duration",
                      (unsigned long long)budget, (double)af_sim_now(w.sim) * 1e-9,
                      cfg->duration_s);
        rc = AF_EIO;
        goto done;
    }
    /* Progress of the transfers still in flight. */
    for (uint32_t i = 0; i < w.nxfers; i++) {
        af_xfer *x = &w.xfers[i];
        if (!af_flownet_live(w.net, x->id))
            continue;
        double moved = x->size_B - af_flownet_left(w.net, x->id);
        af_xfer_credit(&w, x, moved);
        if (x->kind == AF_XF_TRAIN)
            w.jobs[x->owner].read_B += moved * x->k;
    }
    for (size_t j = 0; j < cfg->ntrains; j++)
        af_job_account(&w.jobs[j], end_ns);
    if (w.bursts_active)
        w.burst_time_ns += end_ns - w.burst_since_ns;
    af_world_report(&w, res);

done:
    for (size_t j = 0; j < cfg->ntrains; j++)
        af_rng_free(w.jobs[j].rng);
    for (size_t i = 0; i < cfg->nbursts; i++) {
        af_free(w.bursts[i].ring);
        af_free(w.bursts[i].dq);
    }
    for (size_t t = 0; t < cfg->ntiers; t++) {
        af_queue_free(w.tiers[t].lookups);
        af_rng_free(w.tiers[t].lookup_rng);
    }
    af_flownet_free(w.net);
    af_free(w.xfers);
    af_free(w.hold);
    af_free(w.eps);
    af_free(w.fabrics);
    af_free(w.tiers);
    af_free(w.bursts);
    af_free(w.jobs);
    af_sim_free(w.sim);
    return rc;
}

int af_world_run(const af_world_config *cfg, af_results *res, af_diag *d)
{
    return af_world_go(cfg, res, d);
}

int af_world_check(const af_world_config *cfg, af_diag *d)
{
    return af_world_go(cfg, NULL, d);
}
