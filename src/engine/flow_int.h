/*
 * flow_int: the flow network's private parts, shared by flow.c (the max-min fill, the flush, the
 * changes and the queries) and flow_block.c (the blocks and their indexed heaps) and nothing else.
 *
 * It holds the records (flows, resources, blocks, the network), the constants both halves use,
 * the small helpers both call (inline here, so that the hot paths make no calls across the two
 * files), and the functions each half defines for the other. The model, the algorithms and the
 * invariants are in the opening comments of flow.c and flow_block.c.
 */
#ifndef AF_ENGINE_FLOW_INT_H
#define AF_ENGINE_FLOW_INT_H

#include <math.h>
#include <stddef.h>

#include "engine/flow.h"

/* Bits of a hop entry that hold the hop index (AF_FLOWNET_MAX_PATH <= 1 << this). */
#define AF_FLOWNET_HOP_BITS 4u

/* End of the free list; also "no resource" in scratch fields. */
#define AF_FLOWNET_NIL UINT32_MAX

/* Relative tolerance under which two filling levels count as one. */
#define AF_FLOWNET_EPS 1e-12

/* A resource's unfrozen weight is summed afresh over its hops when subtractions have brought it
 * down to this fraction of its last exact value (2^-12): the rounding error of the subtractions,
 * at most about 2^-52 of that value, then stays below 2^-40 (1e-12) of what is left. */
#define AF_FLOWNET_W_DRIFT 0x1p-12

/* Block of a flow or resource: none (the max-min solver handles it), or, for a flow, not yet
 * placed (started since the last flush). */
#define AF_BLK_NONE UINT32_MAX
#define AF_BLK_NEW (UINT32_MAX - 1u)

/* Relative slack taken off a completion delay before rounding up, so that rounding noise of
 * one part in 1e16 does not push a completion one nanosecond late. */
#define AF_FLOWNET_CEIL_SLACK 1e-12

_Static_assert(AF_FLOWNET_MAX_PATH <= 1u << AF_FLOWNET_HOP_BITS, "hop encoding");

/* Hop index bits of a hop entry. */
#define AF_FLOWNET_HOP_MASK ((1u << AF_FLOWNET_HOP_BITS) - 1)

/* A flow (or group) in the pool: 320 bytes on a 64-byte boundary. Line 0 holds the numbers the
 * progress update and the fill read for every flow of a component, with the `scaled` flag; line
 * 1 the path (all the search reads) and what the fill writes; line 2 the hop positions and what
 * only starts, ends and reschedules need; lines 3 and 4 the per-hop scales (doubles, so a scale
 * is exactly what the caller gave: hops 0-7 in line 3, 8-11 in line 4) the callback and the
 * block clock (see "Blocks" in flow_block.c). The fill reads the scales only of flows with
 * `scaled` set, so unscaled flows touch lines 0 and 1; a scaled flow with up to 8 hops adds
 * line 3. Float scales would have fitted 256 bytes only by overlaying fields, and would round a
 * scale by up to 6e-8, so loads and carried units would drift from what the caller computes. The
 * search mark and the fill's frozen flag live in dense arrays beside the pool (af_flownet.mark,
 * .frozen): scans of resource hop lists test them for every hop, mostly for flows already seen,
 * and a dense array keeps those tests in cache where records would not. */
typedef struct af_flow {
    double moved_B;                    /* bytes per member moved up to t_upd (in a block: up to
                                          the block's clock v_entry), >= 0 (may pass size_B by
                                          rounding once the completion is due) */
    double rate_Bps;                   /* per-member rate since t_upd; -1 before the first fill
                                          (and in a block, where the rate is weight * level) */
    double fill_Bps;                   /* rate found by the fill in progress (scratch) */
    double weight;                     /* weight per member, > 0 */
    double cap_Bps;                    /* per-member rate cap; INFINITY for none */
    double size_B;                     /* bytes per member to transfer */
    af_time_ns t_upd;                  /* time at which moved_B was last brought up to date */
    uint32_t k;                        /* multiplicity, >= 1 */
    bool live;                         /* in progress */
    bool scaled;                       /* some scale differs from 1 (else scale[] is unset) */
    bool bn_moved;                     /* the fill in progress changed the bottleneck (scratch) */
    uint32_t res[AF_FLOWNET_MAX_PATH]; /* the path */
    uint32_t bottleneck;               /* resource id, AF_FLOWNET_CAPPED, or AF_FLOWNET_NONE */
    af_event_id ev;                    /* pending completion event, or the zero id */
    uint8_t n_path;                    /* resources on the path (beside res[], for the search) */
    uint32_t pos[AF_FLOWNET_MAX_PATH]; /* index of hop h in res[h]'s hop array */
    uint32_t gen;                      /* generation; bumped when the flow ends */
    uint32_t next;                     /* next free slot while on the free list */
    uint64_t serial;                   /* start order, for ordering callbacks at one instant */
    double scale[AF_FLOWNET_MAX_PATH]; /* units per byte at hop h, > 0; only if `scaled` */
    af_event_fn fn;                    /* completion callback, or NULL */
    void *ctx;                         /* callback context (borrowed) */
    uint64_t arg;                      /* callback argument */
    double v_entry;                    /* in a block: the block's clock when moved_B was set */
} af_flow;

_Static_assert(sizeof(af_flow) == 320 && offsetof(af_flow, bn_moved) < 64 &&
                   offsetof(af_flow, res) == 64 &&
                   offsetof(af_flow, ev) <= 128 - sizeof(af_event_id) &&
                   offsetof(af_flow, pos) == 128 && offsetof(af_flow, scale) == 192,
               "af_flow layout");

/* A resource. */
typedef struct af_res {
    char *name;        /* owned copy, or NULL */
    double cap_Bps;    /* capacity */
    double load_Bps;   /* sum of scale * k * rate over its hops, units/s (outside blocks) */
    double done_B;     /* units credited by flows that ended (every member) */
    uint32_t *hops;    /* hop entries slot << HOP_BITS | h, one per (live flow, path position) */
    size_t n_hops;     /* entries in hops */
    size_t cap_hops;   /* capacity of hops */
    double fill_cap;   /* capacity not yet taken by frozen flows (fill scratch) */
    double fill_w;     /* sum of scale * k * w over unfrozen hops (fill scratch) */
    double fill_w_min; /* fill_w is summed afresh when it falls to this (fill scratch) */
    uint32_t n_unf;    /* unfrozen hops (fill scratch) */
    uint32_t sat;      /* fill round in which it saturated, or NIL (fill scratch) */
    uint32_t mark;     /* search epoch that last reached it */
    uint32_t blk;      /* block that holds it, or AF_BLK_NONE */
    uint32_t blk_hops; /* in a block: hops of the block's flows on it */
    uint32_t blk_ops;  /* in a block: joins and leaves since blk_w was last summed afresh */
    double blk_w;      /* in a block: sum of scale * k * w over those hops */
    double blk_w_min;  /* in a block: blk_w is summed afresh when it falls to this */
    uint32_t stamp;    /* block search epoch that last reached it (af_flownet_try_block) */
} af_res;

/* A capped flow in the fill's sorted list. */
typedef struct af_capkey {
    double level; /* c / w: the level at which the flow reaches its cap */
    uint32_t slot;
} af_capkey;

/* A callback to run after a completion instant. */
typedef struct af_done {
    uint64_t serial; /* start order of the flow */
    af_event_fn fn;
    void *ctx;
    uint64_t arg;
} af_done;

/* An entry of a block's indexed heap: a key and the flow slot or resource id it orders. */
typedef struct af_hent {
    double key;
    uint32_t id;
} af_hent;

/* A binary min-heap of af_hent by (key, id), whose ids' positions are kept in a caller's array
 * (pos[id]), so that an entry can be removed or re-keyed in O(log n). */
typedef struct af_iheap {
    af_hent *a;
    uint32_t n;
    size_t cap;
} af_iheap;

/* A block: a component whose every flow crosses its anchor, the one resource that limits them
 * all (see "Blocks" in flow_block.c). */
typedef struct af_block {
    uint32_t anchor;    /* the resource every flow crosses and that limits them all */
    uint32_t n_flows;   /* flows in it */
    double V;           /* its clock: bytes per unit weight a member has moved, at t_v */
    af_time_ns t_v;     /* when V was last brought up to date */
    double L;           /* its level: rate per unit weight, B/s, since t_v (0 before settled) */
    double rebase_at;   /* V beyond which the clock is rebased to 0 */
    af_timer timer;     /* its completion event, for the first flow to finish (armed when that
                           flow has a completion within the clock's range) */
    uint32_t gen;       /* generation; bumped when the block is released */
    uint32_t next_free; /* next free block while on the free list */
    bool live;          /* in use */
    bool dirty;         /* changed since it was last settled (it is on the dirty list) */
    af_iheap fin;       /* its flows by finishing point on the clock (v_entry + left / w) */
    af_iheap caps;      /* its capped flows by the level of their cap (c / w) */
    af_iheap lvl;       /* its resources other than the anchor by saturation level (C / W) */
} af_block;

/* The watcher of rate changes (af_flownet_watch). */
typedef void (*af_flownet_watch_fn_)(void *ctx, af_flow_id id, uint64_t arg);

struct af_flownet {
    af_sim *sim;            /* the engine (borrowed) */
    af_flow *flows;         /* the pool, indexed by slot; 64-byte aligned */
    void *flows_mem;        /* the allocation `flows` points into */
    uint32_t *mark;         /* per slot: search epoch that last reached the flow */
    uint8_t *frozen;        /* per slot: fixed by the fill in progress (scratch) */
    uint32_t *fblk;         /* per slot: the flow's block, AF_BLK_NONE or AF_BLK_NEW */
    uint32_t *fin_pos;      /* per slot: position in its block's `fin` heap */
    uint32_t *cap_pos;      /* per slot: position in its block's `caps` heap */
    uint32_t *stamp;        /* per slot: block search epoch that last reached it */
    uint32_t flow_cap;      /* records in the pool */
    uint32_t free_head;     /* first free slot, or NIL */
    uint32_t n_live;        /* live flows */
    uint64_t serial;        /* serial of the next flow started */
    af_res *res;            /* resources, indexed by id */
    uint32_t *lvl_pos;      /* per resource: position in its block's `lvl` heap */
    size_t n_res;           /* resources added */
    size_t cap_res;         /* capacity of res */
    size_t cap_lvl_pos;     /* capacity of lvl_pos */
    uint32_t epoch;         /* current search epoch (marks equal to it are "visited") */
    uint32_t stamp_epoch;   /* current block search epoch */
    uint32_t *comp_flows;   /* the component's flow slots (scratch, flow_cap entries) */
    uint32_t n_comp_flows;  /* entries in comp_flows */
    uint32_t *comp_res;     /* the component's resource ids (scratch) */
    size_t cap_comp_res;    /* capacity of comp_res */
    uint32_t n_comp_res;    /* entries in comp_res */
    uint32_t *sat;          /* resources saturating in the current round (scratch) */
    size_t cap_sat;         /* capacity of sat */
    af_capkey *caps;        /* capped flows of the component, sorted (scratch) */
    size_t cap_caps;        /* capacity of caps */
    af_done *done;          /* callbacks of the completion instant being handled (scratch) */
    size_t cap_done;        /* capacity of done */
    bool ps;                /* blocks allowed (af_flownet_set_blocks) */
    bool pending;           /* changes wait for the flush (the end-of-instant hook is set) */
    uint32_t *seed_flows;   /* flows started since the last flush (slots; may have ended since) */
    size_t n_seed_flows;    /* entries in seed_flows */
    size_t cap_seed_flows;  /* capacity of seed_flows */
    uint32_t *seed_res;     /* resources whose flows must be reshared at the flush (repeats
                               allowed) */
    size_t n_seed_res;      /* entries in seed_res */
    size_t cap_seed_res;    /* capacity of seed_res */
    uint32_t *emptied;      /* resources left without a flow of their block since the last
                               flush (they leave it at the flush unless a flow joined again) */
    size_t n_emptied;       /* entries in emptied */
    size_t cap_emptied;     /* capacity of emptied */
    af_block *blocks;       /* blocks, indexed by number */
    uint32_t n_blocks;      /* blocks ever made (live or on the free list) */
    size_t cap_blocks;      /* capacity of blocks */
    uint32_t free_block;    /* first free block, or AF_BLK_NONE */
    uint32_t *dirty;        /* blocks changed since the last flush */
    size_t n_dirty;         /* entries in dirty */
    size_t cap_dirty;       /* capacity of dirty */
    af_flownet_watch_fn_ watch; /* told of rate and bottleneck changes, or NULL */
    void *watch_ctx;        /* its context */
    af_flownet_stats stats; /* counters */
};

/* ---- defined in flow.c, for flow_block.c ------------------------------------------------- */

/* The end-of-instant hook that runs the flush (af_flownet_touch registers it). */
void af_flownet_instant_end(af_sim *sim, void *ctx);

/* Records the callback of flow slot s, which completes now, and ends it; returns n_done + 1. */
size_t af_flownet_end_done(af_flownet *net, uint32_t s, size_t n_done);

/* Runs the callbacks of the n_done flows that completed together, in start order. */
void af_flownet_run_done(af_flownet *net, size_t n_done);

/* ---- defined in flow_block.c, for flow.c -------------------------------------------------- */

/* Brings block b's clock up to now, rebasing it when due. */
void af_block_advance(af_flownet *net, uint32_t b);

/* Puts block b on the dirty list, so that the flush settles it. */
void af_block_dirty(af_flownet *net, uint32_t b);

/* Removes flow slot s from its block (whose clock is at now), setting its progress now. */
void af_block_leave(af_flownet *net, uint32_t s);

/* Hands every flow of block b back to the max-min solver and releases b. */
void af_block_dissolve(af_flownet *net, uint32_t b);

/* Settles block b at the flush: its level and event anew, or dissolved, or released if empty. */
void af_block_settle(af_flownet *net, uint32_t b);

/* Sets the capacity of resource r, held by block b (its clock runs at the old level up to now). */
void af_block_set_capacity(af_flownet *net, uint32_t b, uint32_t r, double capacity_Bps);

/* Takes an emptied resource (af_flownet_res_emptied) out of its block. */
void af_flownet_blk_free_res(af_flownet *net, uint32_t id);

/* Places flow slot s, started since the last flush; returns true if it went to the solver. */
bool af_flownet_blk_place(af_flownet *net, uint32_t s);

/* After a fill: turns every component of it that one resource limits alone into a block. */
void af_flownet_blk_from_fill(af_flownet *net);

/* ---- shared helpers ---------------------------------------------------------------------- */

/* Units of resource path[h] that one unit of weight of flow f uses per byte: scale * k * w. */
static inline double af_flownet_hop_weight(const af_flow *f, uint32_t h)
{
    double kw = (double)f->k * f->weight;
    return f->scaled ? f->scale[h] * kw : kw;
}

/* Marks the net changed: the flush runs when the instant ends (or at the first query). */
static inline void af_flownet_touch(af_flownet *net)
{
    if (!net->pending) {
        net->pending = true;
        af_sim_at_instant_end(net->sim, af_flownet_instant_end, net);
    }
}

/* Tells the watcher that flow slot s has a new rate or bottleneck. */
static inline void af_flownet_notify(af_flownet *net, uint32_t s)
{
    if (net->watch) {
        const af_flow *f = &net->flows[s];
        net->watch(net->watch_ctx, (af_flow_id){.slot = s + 1, .gen = f->gen}, f->arg);
    }
}

/* Whether flow f, with left_B bytes left per member, is complete: within the tolerance of flow.h,
 * whose absolute part counts the whole group (k * left_B <= TOL_B) and applies only to a
 * remainder of at most a millionth of the flow, so a group of many tiny members is not complete
 * before all but TOL_B of its bytes have moved, and no flow passes more than a millionth of
 * its bytes without time. For a single flow this
 * is left_B <= max(TOL_B, TOL_REL * size_B). No division and no fmax: it runs for every flow of
 * a component at each completion instant. */
static inline bool af_flownet_complete(const af_flow *f, double left_B)
{
    /* The absolute part absorbs rounding only where the remainder is already a millionth of the
     * flow or less: a flow that has moved nothing yet takes its time however small it is, and no
     * more than that millionth of any flow goes without time (fuzz findings: groups of at most
     * 1 B once passed a NIC 205 times over; 1-B bursts every nanosecond, each passing part of its
     * byte for free, a cache's NICs 0.17% over). */
    return left_B <= AF_FLOWNET_TOL_REL * f->size_B ||
           (left_B * (double)f->k <= AF_FLOWNET_TOL_B && left_B <= 1e-6 * f->size_B);
}

/* The time at which a flow with left_B bytes left per member at rate_Bps completes, counted
 * from now, or -1 when it has none (rate 0, or beyond the clock's range). complete: it is
 * complete already (af_flownet_complete). */
static inline af_time_ns af_flownet_due(const af_flownet *net, bool complete, double left_B,
                                        double rate_Bps)
{
    af_time_ns now = af_sim_now(net->sim);
    if (complete)
        return now;
    if (!(rate_Bps > 0))
        return -1;
    double x = left_B * AF_NS_PER_S / rate_Bps;
    x -= x * AF_FLOWNET_CEIL_SLACK;
    if (!(x < 0.5 * (double)(AF_TIME_MAX - now)))
        return -1; /* beyond the clock's range: no event, though the progress counts */
    return now + (af_time_ns)ceil(x);
}

/* How far a block's clock has run since its last advance (t_v): L times the time since. */
static inline double af_block_since(const af_flownet *net, const af_block *k)
{
    af_time_ns now = af_sim_now(net->sim);
    if (now == k->t_v || !(k->L > 0))
        return 0;
    return k->L * (double)(now - k->t_v) / AF_NS_PER_S;
}

/* Bytes per member flow f of a block has moved when the block's clock reads v. */
static inline double af_block_moved(const af_flow *f, double v)
{
    return f->moved_B + f->weight * (v - f->v_entry);
}

/* Bytes per member flow f of block k has moved now: the run since the last advance is added to
 * the flow's span of the clock (V - v_entry), not to V, so that it keeps its precision when it is
 * far below V (see af_block_advance). */
static inline double af_block_moved_now(const af_flownet *net, const af_block *k,
                                        const af_flow *f)
{
    return f->moved_B + f->weight * ((k->V - f->v_entry) + af_block_since(net, k));
}

/* Whether resource id is held by a block only nominally: it lost its last flow of that block at
 * this instant and is not the anchor (see af_block_leave); it is free for any flow. */
static inline bool af_flownet_res_emptied(const af_flownet *net, uint32_t id)
{
    const af_res *r = &net->res[id];
    return r->blk != AF_BLK_NONE && r->blk_hops == 0 && id != net->blocks[r->blk].anchor;
}

#endif
