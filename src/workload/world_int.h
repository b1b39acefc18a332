/*
 * world_int: the world's private parts, shared by the files of src/workload/ and nothing else.
 *
 * The world (world.c) owns the context: the engine, the flow network, the resources and paths
 * (wiring.c), the transfer pool (xfer.c), the storage tiers' state and the QoS floors (qos.c). It
 * knows the workload kinds only through their table of operations, af_wl_kind: each kind (train.c,
 * burst.c, lookup.c) builds its instances from the configuration, starts them, reacts to the
 * completions of the transfers and events it schedules, keeps its own accounting and writes its
 * metrics. Adding a kind is one new file with one af_wl_kind, one entry in world.c's table and its
 * part of the scenario schema (doc/architecture.md, "Adding a workload kind").
 */
#ifndef AF_WORKLOAD_WORLD_INT_H
#define AF_WORKLOAD_WORLD_INT_H

#include "workload/world.h"

#include "engine/flow.h"
#include "engine/queue.h"
#include "engine/sim.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

/* No resource / no index. */
#define AF_NIL UINT32_MAX

typedef struct af_world af_world;

/* ---- wiring: resources and paths (wiring.c) ------------------------------------------------ */

/* What holds a flow back, for the attribution of data waits. Order matches the train.*.wait_*
 * metrics (AF_M_TRAIN_WAIT_CLIENT + hold). */
typedef enum {
    AF_HOLD_CLIENT,  /* the client pool's storage NICs */
    AF_HOLD_FABRIC,  /* leaf uplinks or the spine layer */
    AF_HOLD_SNIC,    /* the tier's storage NICs */
    AF_HOLD_DEVICES, /* the tier's devices (bandwidth, IOPS, or both, in device time) */
    AF_HOLD_READERS, /* the loader's reader threads (the flow's own cap) */
    AF_HOLD__COUNT
} af_hold;

/* A path of resources with the scale of each hop (units of the resource per byte). */
typedef struct af_path {
    uint32_t res[AF_FLOWNET_MAX_PATH];
    double scale[AF_FLOWNET_MAX_PATH];
    uint32_t n;
} af_path;

/* Where a pool or tier meets the network. */
typedef struct af_endpoint {
    uint32_t rx, tx; /* NIC resources, receive and transmit */
    uint32_t fabric; /* fabric index, or AF_NIL */
    uint32_t group;  /* group index within the fabric */
} af_endpoint;

/* A fabric's plan and its stage resources, created when a path first crosses them. */
typedef struct af_fabric_state {
    af_fabric plan;
    uint32_t stage_res[AF_FABRIC_MAX_STAGES][AF_FABRIC_MAX_GROUPS + 1];
} af_fabric_state;

/* A storage tier's run-time state. */
typedef struct af_tier_state {
    const af_tier_config *cfg;
    uint32_t dev;                   /* devices resource */
    double devices;                 /* nodes x devices (all device time, device-s/s) */
    double usable_B;                /* usable capacity, bytes */
    double used_B, peak_B;          /* bytes stored now, and at most */
    double rejected_B;              /* bytes of writes that did not fit */
    double read_B, write_B;         /* bytes read from and written to the devices (bulk) */
    double read_dev_s, write_dev_s; /* device-seconds spent on bulk reads and writes */
    double lookup_read_B;           /* bytes read by look-ups (set by lookup.c at the end) */
    double lookup_dev_s;            /* device-seconds of look-ups (set by lookup.c at the end) */
    double latency_load;            /* mean device load of its latency-class users, device-s/s:
                                     * look-up streams (rate x demand, lookup.c) and inference
                                     * feature reads (rate x reads x demand, infer.c), summed as
                                     * they build (look-ups first: world.c's table order) */
    uint32_t cached_by;             /* cache tier in front of this one, or AF_NIL */
    uint32_t bulk_writes;           /* checkpoint and burst writes in flight onto it (the
                                     * serving kind's "p99 during writes") */
} af_tier_state;

/* Endpoint index of pool p and of tier t. */
static inline size_t af_ep_pool(size_t p)
{
    return p;
}
size_t af_ep_tier(const af_world *w, size_t t);

/* Appends resource r with scale to path p. The longest path the world builds, a cache miss
 * through two-level fabrics (devices, 5 network hops, cache devices, 5 network hops), has 12
 * hops, AF_FLOWNET_MAX_PATH: a longer one is our bug, caught by an assertion. */
void af_path_push(af_path *p, uint32_t r, double scale);

/* Appends the network from endpoint a to endpoint b: a's NICs out, the fabric stages between
 * them when one fabric connects both, b's NICs in. */
void af_path_net(af_world *w, af_path *p, size_t a, size_t b);

/* Appends to p the path of collective traffic among pool p's nodes: its compute NICs out, the
 * stages of its backend fabric that traffic crosses (none without one: a non-blocking network
 * at the NICs' rate), its compute NICs in. */
void af_path_backend(af_world *w, af_path *p, size_t pool);

/* Device-seconds per byte of reads (write = false) or writes of op_B-byte operations, with
 * `ops` device operations per op_B bytes: 1/bandwidth + ops/(IOPS x op_B). */
double af_dev_scale(const af_storage_spec *s, bool write, double op_B, double ops);

/* Plans the fabrics and creates the NIC and device resources (build step 1). */
int af_wiring_build(af_world *w, af_diag *d);

/* Checks that the data sets fit on their tiers and sets each tier's usable and used bytes (build
 * step 3, after the kinds, so that messages come in the order of the scenario's sections). */
int af_wiring_capacity(af_world *w, af_diag *d);

/* ---- transfers (xfer.c) --------------------------------------------------------------------- */

/* Device traffic of a transfer on one tier, for the read/write accounting. */
typedef struct af_devuse {
    uint32_t tier; /* tier index */
    bool write;    /* written (else read) */
    double scale;  /* device-seconds per byte */
} af_devuse;

/* What a transfer's owner does when it ends. done: the transfer completed; owner and arg as given
 * to af_xfer_start, bytes the total moved (size x members); its slot is already free. partial
 * (may be NULL): the run ended with the transfer in flight, having moved `bytes` in all. */
typedef struct af_xfer_ops {
    void (*done)(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
    void (*partial)(af_world *w, void *owner, uint64_t arg, double bytes);
    /* The flow's bottleneck changed, or its rate other than with its block's level (flow.h,
     * af_flownet_watch); may be NULL. Called while the flow network reshares: it may note the
     * owner for the end of the instant (the kind's load_changed), not call into the network. */
    void (*changed)(af_world *w, void *owner, uint64_t arg);
} af_xfer_ops;

/* A flow the world started, with who to tell when it completes. */
typedef struct af_xfer {
    af_flow_id id;
    const af_xfer_ops *ops; /* what its end means to its owner */
    void *owner;            /* the owner, passed back */
    uint64_t arg;           /* passed back */
    double size_B;        /* bytes per member */
    uint32_t k;           /* members */
    uint32_t ndev;        /* entries in dev */
    af_devuse dev[2];     /* device traffic */
    uint32_t next_free;   /* free list */
} af_xfer;

/* Starts a flow of k members of size_B bytes each on path p with weight and per-member cap
 * (0 = none), whose end calls ops (static storage) with owner and arg. dev lists the tiers whose
 * device traffic it is (ndev <= 2), credited when it completes. Returns the flow's id. */
af_flow_id af_xfer_start(af_world *w, const af_path *p, double size_B, double weight, double cap,
                         uint32_t k, const af_devuse *dev, uint32_t ndev, const af_xfer_ops *ops,
                         void *owner, uint64_t arg);

/* At the end of the run: credits the bytes the transfers still in flight have moved to their
 * tiers and tells their owners (ops->partial). */
void af_xfer_settle(af_world *w);

/* Ends transfer id now without calling its owner: credits the bytes it moved to its tiers,
 * frees its slot and returns those bytes (all members); 0 when id is no live transfer. */
double af_xfer_cancel(af_world *w, af_flow_id id);

/* ---- workload kinds ------------------------------------------------------------------------- */

/* The operations of one workload kind. name, count, build and free are required, and instance
 * too when events is given; every other function may be NULL where the kind has nothing to do.
 * Build runs in table order after the wiring; the others run in table order too. */
typedef struct af_wl_kind {
    const char *name; /* the kind's key in the scenario and the first part of its metrics */
    /* Instances of this kind in the configuration. */
    size_t (*count)(const af_world_config *cfg);
    /* Name of instance i (for messages). */
    const char *(*instance)(const af_world_config *cfg, size_t i);
    /* Builds every instance from the configuration into w (its state in w->kind[slot]);
     * diagnostics name the instance. Returns AF_OK or AF_EINPUT. */
    int (*build)(af_world *w, af_diag *d);
    /* Events instance i will need at most, for the event budget (never below the truth when the
     * GPUs never wait; see world.c). */
    double (*events)(const af_world *w, size_t i);
    /* Adds, for the QoS floors, scale x k x weight of every flow instance may start to W (one
     * entry per resource). */
    void (*weigh)(const af_world *w, double *W);
    /* Reads the floors from the completed W. */
    void (*floors)(af_world *w, const double *W);
    /* Starts the instances at time 0. Flow starts are deferred and flushed after every kind has
     * started; after_start runs after the flush. */
    void (*start)(af_world *w);
    void (*after_start)(af_world *w);
    /* Brings time accounting up to now (called before shared state that the accounting depends
     * on changes, e.g. the burst activity). */
    void (*account)(af_world *w, af_time_ns now);
    /* At the end of every instant in which flows started or ended (or a kind called
     * af_world_load_changed), after the flow network has reshared: the bulk load on the devices,
     * and the rates of the transfers whose owners were told (af_xfer_ops.changed), are those
     * that hold from now on. */
    void (*load_changed)(af_world *w);
    /* At the end of the run: bytes moved by a transfer still in flight (see af_xfer_settle),
     * then the final accounting at end_ns. */
    void (*finish)(af_world *w, af_time_ns end_ns);
    /* Writes the kind's metrics. */
    void (*report)(const af_world *w, af_results *r);
    /* Time series (world.c, "Sampling"): called at the end of every window of dt seconds (the
     * last at the end of the run, after finish); brings its accounting to now, pushes one value
     * per series of its instances to r (af_world_series) and, for the power of the window,
     * fills w->win_pool_util (train), w->win_lookup_dev_s (look-ups) and w->win_ingest_util
     * (ingest). */
    void (*sample)(af_world *w, af_results *r, double dt);
    /* Releases the kind's state (also after a failed build). */
    void (*free)(af_world *w);
} af_wl_kind;

/* The kinds, one slot each in af_world.kind. */
enum {
    AF_WL_TRAIN,
    AF_WL_BURST,
    AF_WL_LOOKUP,
    AF_WL_INFER,
    AF_WL_INGEST,
    AF_WL_FLYWHEEL,
    AF_WL__COUNT
};
extern const af_wl_kind af_wl_train, af_wl_burst, af_wl_lookup, af_wl_infer, af_wl_ingest,
    af_wl_flywheel;

/* The table: kind AF_WL_x at index AF_WL_x (world.c). */
extern const af_wl_kind *const af_world_kinds[AF_WL__COUNT];

/* Ingest (ingest.c), for the kinds that feed one: adds `bytes` (> 0) to ingest i's landing
 * stream now, written to its landing tier after what is already queued; bytes the tier cannot
 * hold are rejected and counted. Bytes short of a chunk (cfg->chunk_B) wait up to a second for
 * more, so adding a few bytes per request costs no event per request. Call during the run (from
 * an event or a transfer's completion), not before the kinds start. The events it causes are not
 * in ingest i's estimate: the caller's own estimate counts them (about two per chunk of
 * cfg->chunk_B, or per second, whichever is more). */
void af_ingest_add(af_world *w, size_t i, double bytes);

/* Raw bytes ingest i has processed so far (read by its preprocessing nodes, the transfers in
 * flight counted by what they moved), B; what a retraining trigger watches. */
double af_ingest_processed_B(const af_world *w, size_t i);

/* Bytes added to ingest i (af_ingest_add, by every caller) that have landed so far, B: not those
 * rejected for want of room on the landing tier, nor those still queued; the write in flight
 * counts when it ends (at the end of the run, by what it moved). */
double af_ingest_added_landed_B(const af_world *w, size_t i);

/* Keeps the landing times of ingest i's backlog from now on, for af_ingest_landed_s; call at
 * build time (the flywheel's build). Costs a record per landing until it is processed. */
void af_ingest_watch(af_world *w, size_t i);

/* When the byte at position `bytes` of watched ingest i's landed stream (the newest of the first
 * `bytes` bytes landed, counted over the run) landed, s; for `bytes` between what its
 * preprocessing has completed and what has landed (af_ingest_processed_B is), the landing times
 * of the bytes processed, read in landing order. 0 for bytes <= 0 or none landed yet. */
double af_ingest_landed_s(const af_world *w, size_t i, double bytes);

/* Serving (infer.c): requests (LLM turns) serving workload i has answered so far. */
double af_infer_served(const af_world *w, size_t i);

/* Training (train.c), for the kinds that drive a held job (af_train_config.held). fn(w, ctx, j)
 * is called when job j reaches its target steps, after it has stopped (its GPUs idle); it may
 * call af_train_run_more. One per job; ctx is borrowed. Call at build time. */
typedef void (*af_train_done_fn)(af_world *w, void *ctx, size_t j);
void af_train_on_done(af_world *w, size_t j, af_train_done_fn fn, void *ctx);

/* Job j trains `steps` (> 0) more steps than it has now: an idle job (its target reached, or
 * held) starts its loader and steps at once; one running has its target raised. */
void af_train_run_more(af_world *w, size_t j, double steps);

/* ---- the world ------------------------------------------------------------------------------ */

struct af_world {
    const af_world_config *cfg;
    af_sim *sim;
    af_flownet *net;
    af_time_ns end_ns; /* end of the run */
    /* wiring */
    af_tier_state *tiers;     /* per tier */
    af_fabric_state *fabrics; /* per fabric */
    af_endpoint *eps;         /* pools then tiers */
    af_endpoint *beps;        /* per pool: its compute NICs and backend fabric (collectives) */
    uint8_t *hold;            /* per resource: its af_hold category */
    size_t nres, cap_res;
    /* transfers */
    af_xfer *xfers;
    uint32_t nxfers, cap_xfers, free_xfer;
    /* burst activity, which training accounts against */
    uint32_t bursts_active;
    af_time_ns burst_since_ns, burst_time_ns;
    /* GPU work, filled by the kinds' finish for the power and cost roll-up */
    double *pool_util;   /* per pool: share of its GPU-time spent computing (useful work) */
    double *pool_busy;   /* per pool: share of its GPU-time computing, work a failure later
                          * undid included (the GPUs drew full power for it): for power */
    double *ingest_busy; /* per ingest: share of its preprocessing capacity used over the run
                          * (raw bytes processed / (nodes x throughput x T)), set by its finish:
                          * the utilization its CPU nodes draw power by */
    double useful_gpu_s; /* GPU-seconds spent computing, all pools */
    double tokens_trained;  /* tokens of the steps kept, all training jobs */
    double requests_served; /* requests completed, all request streams */
    /* each kind's state */
    void *kind[AF_WL__COUNT];
    /* the kinds with a load_changed operation, in table order (called at the end of each
     * instant in which the load changed, so the hot path skips the others) */
    const af_wl_kind *on_load[AF_WL__COUNT];
    uint32_t n_on_load;
    bool settle_pending; /* the end-of-instant hook that calls them is set */
    /* time series (world.c, "Sampling"); off when cfg->sample_s is 0 */
    af_results *series_res;    /* where series go */
    double series_dt;          /* base window, s */
    uint64_t series_windows;   /* windows in the run */
    uint64_t series_done;      /* windows sampled */
    uint64_t series_ticks;     /* sampling events run (left out of run.events) */
    af_time_ns series_prev_ns; /* end of the last window sampled */
    double *win_pool_util;     /* per pool: computing share of its GPU-time in the window */
    double *win_lookup_dev_s;  /* per tier: look-up device-seconds in the window */
    double *win_ingest_util;   /* per ingest: share of its preprocessing capacity used in the
                                * window */
    double *snap;              /* per tier: device-s, NIC out and NIC in carried at the last
                                * window's end */
    /* every window pushes the same series in the same order: the k-th push of a window finds
     * its series here, checked by its name's parts (pointers), without formatting the name */
    struct world_series_slot *series_slots;
    size_t nseries_slots, cap_series_slots, series_k;
};

/* Pushes value v to series "<group>.<instance>.<leaf>" (instance may be NULL) of r, made with
 * the world's base window when new. */
void af_world_series(af_world *w, af_results *r, const char *group, const char *instance,
                     const char *leaf, af_dim dim, const char *label, double v);

/* A QoS weight as configured, or its default when the configuration left it 0 (hand-built
 * configurations; the scenario layer always sets one). */
static inline double af_weight(double w, double dflt)
{
    return w > 0 ? w : dflt;
}

/* Adds a resource of capacity cap (units per second) named name, charged to hold. */
uint32_t af_world_res_add(af_world *w, const char *name, double cap, af_hold hold);

/* Estimates the events of a built world (world.c, "Event budget"). */
void af_world_estimate_events(const af_world *w, af_world_estimate *out);

/* Schedules fn(ctx) after delay_ns, or nothing (the zero id) when that lies past the clock's
 * range: a delay that sums huge figures means "never", not an overflow. */
static inline af_event_id af_world_after(af_sim *sim, af_time_ns delay_ns, af_event_fn fn,
                                         void *ctx)
{
    if (delay_ns < 0 || delay_ns >= AF_TIME_MAX - af_sim_now(sim))
        return (af_event_id){0, 0};
    return af_sim_after(sim, delay_ns, fn, ctx, 0);
}

/* a + b for non-negative times, saturating at AF_TIME_MAX. */
static inline af_time_ns af_time_add(af_time_ns a, af_time_ns b)
{
    return a > AF_TIME_MAX - b ? AF_TIME_MAX : a + b;
}

/* Asks for every kind's load_changed at the end of this instant (once, however often it is
 * asked), after the flow network has reshared. */
void af_world_load_changed(af_world *w);

/* A burst started (delta +1) or ended (-1): accounts every kind up to now, then counts it. */
void af_world_bursts_toggle(af_world *w, int delta);

/* Bytes of a write of `want` bytes that fit on tier t; takes them and counts the rest. */
double af_tier_take(af_tier_state *t, double want);

/* Frees bytes on tier t. */
void af_tier_release(af_tier_state *t, double bytes);

/* Share of tier t's device time that the bulk writes in flight take now: the sum over the live
 * transfers that write to t (af_devuse.write) of scale x members x rate, over the tier's devices,
 * in [0, 1] up to rounding. What a flash read waits behind (af_flash_blocking); read it from a
 * load_changed, when the rates are those that hold from now on. Costs O(transfers). */
double af_tier_write_share(const af_world *w, size_t t);

/* ---- QoS floors (qos.c) --------------------------------------------------------------------- */

/* Adds a potential flow's scale x k x weight to W of every resource on its path. */
void af_qos_add(double *W, const af_path *p, double k, double weight);

/* The level (rate per unit weight) a flow on path p is guaranteed: min over p of C_r / W_r. */
double af_qos_level(const af_world *w, const double *W, const af_path *p);

/* Aggregate rate of a flow on path p alone: min over p of C_r / scale_r. */
double af_qos_alone_Bps(const af_world *w, const af_path *p);

/* Computes every kind's floors (weigh, then floors). */
void af_qos_floors(af_world *w);

#endif
