/*
 * flow: the fluid bandwidth-sharing core; see flow.h for the interface, and flow_block.c for the
 * blocks (components that one resource limits alone, on a virtual clock).
 *
 * Model. Resource r has capacity C_r (units/s). Flow f has weight w_f, multiplicity k_f,
 * per-member cap c_f (infinite if none), per-member rate x_f (bytes/s) and a scale s_fh > 0 per
 * hop h of its path (units per byte; 1 unless started with af_flownet_start_scaled). Hop h of f
 * on r consumes a_fh = s_fh k_f units per byte per member, so r carries the load
 * sum over hops (f, h) through r of a_fh x_f. The allocation is weighted max-min fair with caps:
 * feasible (that load <= C_r for every r) and no x_f can grow without lowering some x_g with
 * x_g / w_g <= x_f / w_f. Equivalently, every flow is at its cap or crosses a saturated resource
 * on which its x / w is the largest. Source: Bertsekas & Gallager, Data Networks, 2nd ed.,
 * section 6.5 (max-min flow control: the bottleneck characterisation and the progressive
 * filling algorithm). Weights and caps are the usual generalisation: a flow's share of the
 * common level is scaled by its weight, and a cap acts as a private link of capacity c_f that
 * only that flow crosses; a group of k members is k identical flows. Scales turn the
 * constraints into linear ones with arbitrary positive coefficients a_fh (the form of SimGrid's
 * linear max-min solver, src/kernel/lmm/maxmin.cpp, where each variable has a consumption
 * weight per constraint); progressive filling and the bottleneck characterisation carry over
 * unchanged, since raising the level L raises every load linearly and a saturated resource
 * stops every unfrozen flow on it at the same L, whatever its scale.
 *
 * Algorithm (progressive filling by bottleneck levels). Every unfrozen flow runs at w_f * L for
 * a common level L that rises from 0. Resource r saturates at L_r = C'_r / W_r, where C'_r is
 * its capacity less the load of its frozen hops (sum of a_fh x_f) and W_r the sum of a_fh w_f
 * over its unfrozen hops; flow f reaches its cap at c_f / w_f. Each round finds the lowest of
 * these, L*, freezes the flows whose cap is reached (x_f = c_f) and then every unfrozen flow on a
 * resource that saturates at L* (x_f = w_f L*), and updates C' and W of the resources on their
 * paths (by a_fh x_f and a_fh w_f for each hop). Flows whose scales are all 1 carry a flag and
 * never read their scale array, so unscaled traffic costs what it did before scales. Values
 * within a relative AF_FLOWNET_EPS of L* count as equal, so resources that saturate together in
 * exact arithmetic do so here too. Capped flows wait in a binary heap keyed by c_f / w_f
 * (built in linear time per fill, popped as the level passes them), so a round costs O(R) to
 * find L* plus O(path) per flow it freezes: a fill over F flows and R resources costs
 * O(F + P log F_capped + sum of path lengths + R * rounds), P <= F_capped the pops, where each
 * round freezes at least one flow and saturates a resource or reaches a cap level, so rounds <=
 * min(F, R + distinct cap levels).
 *
 * Weights far apart. W_r is kept by subtraction as flows freeze, and a_fh w_f may span 43 orders
 * of magnitude (weights 1e-12 to 1e6, scales 1e-15 to 1e3, k to 1e7): once a heavy flow freezes,
 * what is left of W_r can be pure rounding, even 0 or negative while light flows remain. So when
 * W_r falls to AF_FLOWNET_W_DRIFT (2^-12) of its last exact value it is summed afresh over r's
 * unfrozen hops, which keeps it within about 1e-12 of the exact sum (checked where W_r may have
 * fallen since it was last read: in each round's level scan, and on the paths of flows that a
 * round freezes at their caps before its saturation test). A re-sum costs O(hops of r) and comes
 * only after W_r has fallen 4096-fold, so at most 12 times per resource and fill over those 43
 * orders (36 over the clamped range of flow.h); with equal weights that fall takes freezing all but
 * 1/4096 of r's hops, which pays for it (no flowchurn case re-sums at all). C'_r is kept by
 * subtraction too; its error is about 1e-16 of C_r, so a flow whose share is below that may get
 * rate 0 (see flow.h, Range). Weights and scales are clamped to [1e-30, 1e30] at the start, so no
 * product under- or overflows and every level is finite.
 *
 * Locality. A change at flow f (or resource r) can only move rates in the connected component
 * of the bipartite flow-resource graph that contains it. That component is found by a
 * breadth-first search through the per-resource flow lists, brought up to date (progress is
 * lazy: a flow stores its bytes moved at its last update time t_upd and its rate, both
 * unchanged outside the components that changes touch), and refilled; only flows whose rate
 * changed get their completion event cancelled and rescheduled. A search from all resources of
 * an ending flow covers every piece the component may split into.
 *
 * Batching. No change reshares at once: a start puts its flow on the seed list (unplaced,
 * AF_BLK_NEW), an end or a capacity change puts its resources there (or marks its block
 * dirty), and the first change of an instant registers an end-of-instant hook with the sim.
 * The flush (that hook, a rate query, or af_flownet_flush) places the new flows (into blocks
 * where they fit), settles the dirty blocks, and runs one search seeded by everything else and
 * one fill over the union. Until then no time passes, so progress (moved_B at the old rate) and
 * the bytes a cancel returns are exact; queries that need rates flush first.
 *
 * Blocks. A component that one resource limits alone (many flows behind one storage tier) is
 * taken out of the fill and kept as a block: its flows move on one virtual clock, so a start or
 * an end costs O(path log n) instead of a refill of the component. The fill hands such components
 * to blocks (af_flownet_blk_from_fill), the flush places new flows into them and settles them,
 * and a block that no longer fits the case is dissolved back into the fill. They are in
 * flow_block.c, with their invariants; flow_int.h holds what the two files share.
 *
 * Progress is kept as bytes moved, not bytes left: moved_B is the sum of rate * elapsed time
 * over the flow's rate periods, so a member's progress keeps its full precision however large
 * size_B is (bytes left, size_B - moved, round to the ulp of size_B, which times k could credit a
 * resource more than its capacity allows). Bytes left are derived where a completion is tested
 * or scheduled, where that ulp is harmless.
 *
 * Invariants, for every live flow f and resource r outside a block, after a flush:
 *   - moved_B is f's bytes moved per member from its start to t_upd (the sum of rate * elapsed
 *     time), and it grows at rate_Bps since then, whether or not f has a completion event;
 *   - rate_Bps and bottleneck are the max-min solution of f's current component;
 *   - f has a pending completion event iff it is complete (within the tolerance in flow.h) or
 *     its rate is positive and the completion lies within the int64 clock, and the event time
 *     is t_upd + ceil((size_B - moved_B) / rate_Bps) ns as of the last rate change (so it needs
 *     no change while the rate stays the same);
 *   - r's hop array holds one entry (slot, hop index) for each time a live flow's path names r,
 *     and the flow's pos[] says where; load_Bps is the sum of scale * k * rate over those
 *     entries (units/s);
 *   - done_B of r is the exact credit of ended flows, in units: scale * k * size_B for each hop
 *     of a completed one and scale * k * (bytes transferred) for each hop of a cancelled one;
 *   - a flow's `scaled` flag is false iff every scale of its path is 1, and scale[] is read
 *     (and written) only when it is true.
 *
 * Memory. Flows live in a pool with a free list (most recently freed reused first), grown by
 * doubling; per-resource hop arrays and the scratch arrays of the search and the fill grow only
 * at a new high-water mark; so do the blocks (a pool with a free list, whose heaps keep their
 * arrays when a block is reused) and the seed and dirty lists. In steady state no call allocates. A large component's records are
 * scattered over the pool, so its scans are bound by cache misses: records are laid out by
 * cache line (see af_flow), the search marks and frozen flags sit in dense arrays, and the
 * scans prefetch a few records ahead (about 1.7x on a 1e5-flow component).
 *
 * Determinism. No order depends on an address or a hash: the search follows the hop arrays,
 * whose order depends only on the sequence of calls; a flow's bottleneck among resources that
 * saturate at one level is the lowest resource id; capped flows reach their caps in (c/w, slot)
 * order; flows that complete at one instant call back in the order they were started.
 */
#include "engine/flow_int.h"

#include <assert.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

/* Largest flow pool: a hop entry is slot << HOP_BITS | hop in 32 bits. */
#define AF_FLOWNET_MAX_FLOWS (UINT32_MAX >> AF_FLOWNET_HOP_BITS)

/* Flow pool size when af_flownet_new is given 0. */
#define AF_FLOWNET_DEFAULT_CAP 256u

/* How many entries ahead the scans over a component prefetch flow records. The records of a
 * large component are scattered over the pool, so without this the scans wait on one cache
 * miss after another. */
#define AF_FLOWNET_PREFETCH 8u
#if defined(__GNUC__)
#define AF_FLOWNET_PREFETCH_FLOW(net, s) __builtin_prefetch(&(net)->flows[s])
#define AF_FLOWNET_PREFETCH_PATH(net, s) __builtin_prefetch((net)->flows[s].res)
#else
#define AF_FLOWNET_PREFETCH_FLOW(net, s) ((void)0)
#define AF_FLOWNET_PREFETCH_PATH(net, s) ((void)0)
#endif

/* ---- pool, ids and resources ------------------------------------------------------------- */

/* Grows the flow pool to cap records, and the per-slot arrays (search, marks, flags) with it. */
static void af_flownet_pool_grow(af_flownet *net, uint32_t cap)
{
    assert(cap > net->flow_cap && cap <= AF_FLOWNET_MAX_FLOWS);
    /* One spare record lets the array start on a cache line (malloc gives 16 bytes). */
    void *mem = af_malloc_array((size_t)cap + 1, sizeof(af_flow));
    af_flow *flows = (af_flow *)((char *)mem + (64 - (uintptr_t)mem % 64) % 64);
    if (net->flow_cap)
        memcpy(flows, net->flows, (size_t)net->flow_cap * sizeof(af_flow));
    af_free(net->flows_mem);
    net->flows_mem = mem;
    net->flows = flows;
    for (uint32_t s = cap; s-- > net->flow_cap;) {
        memset(&net->flows[s], 0, sizeof(af_flow));
        net->flows[s].bottleneck = AF_FLOWNET_NONE;
        net->flows[s].next = net->free_head;
        net->free_head = s;
    }
    net->comp_flows = af_realloc_array(net->comp_flows, cap, sizeof(uint32_t));
    net->mark = af_realloc_array(net->mark, cap, sizeof(uint32_t));
    net->frozen = af_realloc_array(net->frozen, cap, sizeof(uint8_t));
    net->fblk = af_realloc_array(net->fblk, cap, sizeof(uint32_t));
    net->fin_pos = af_realloc_array(net->fin_pos, cap, sizeof(uint32_t));
    net->cap_pos = af_realloc_array(net->cap_pos, cap, sizeof(uint32_t));
    net->stamp = af_realloc_array(net->stamp, cap, sizeof(uint32_t));
    size_t grown = (size_t)(cap - net->flow_cap);
    memset(net->mark + net->flow_cap, 0, grown * sizeof(uint32_t));
    memset(net->stamp + net->flow_cap, 0, grown * sizeof(uint32_t));
    for (uint32_t s = net->flow_cap; s < cap; s++)
        net->fblk[s] = AF_BLK_NONE;
    net->flow_cap = cap;
}

/* Takes a free slot, doubling the pool if none is left. */
static uint32_t af_flownet_slot_take(af_flownet *net)
{
    if (net->free_head == AF_FLOWNET_NIL) {
        assert(net->flow_cap < AF_FLOWNET_MAX_FLOWS && "too many flows");
        uint32_t cap =
            net->flow_cap > AF_FLOWNET_MAX_FLOWS / 2 ? AF_FLOWNET_MAX_FLOWS : net->flow_cap * 2;
        af_flownet_pool_grow(net, cap);
    }
    uint32_t s = net->free_head;
    net->free_head = net->flows[s].next;
    return s;
}

/* Returns slot s to the free list; the flow's id dies. */
static void af_flownet_slot_put(af_flownet *net, uint32_t s)
{
    af_flow *f = &net->flows[s];
    f->live = false;
    f->gen++;
    f->bottleneck = AF_FLOWNET_NONE;
    f->next = net->free_head;
    net->fblk[s] = AF_BLK_NONE;
    net->free_head = s;
}

/* Returns the flow id names if it is live, else NULL. */
static af_flow *af_flownet_find(const af_flownet *net, af_flow_id id)
{
    if (id.slot == 0 || id.slot > net->flow_cap)
        return NULL;
    af_flow *f = &net->flows[id.slot - 1];
    return f->live && f->gen == id.gen ? f : NULL;
}

af_flownet *af_flownet_new(af_sim *sim, uint32_t hint)
{
    assert(sim != NULL);
    af_flownet *net = af_calloc(1, sizeof(*net));
    net->sim = sim;
    net->free_head = AF_FLOWNET_NIL;
    net->free_block = AF_BLK_NONE;
    net->epoch = 1;
    net->stamp_epoch = 1;
    net->ps = true;
    uint32_t cap = hint ? hint : AF_FLOWNET_DEFAULT_CAP;
    af_flownet_pool_grow(net, cap < AF_FLOWNET_MAX_FLOWS ? cap : AF_FLOWNET_MAX_FLOWS);
    return net;
}

void af_flownet_free(af_flownet *net)
{
    if (!net)
        return;
    af_sim_forget_instant_end(net->sim, af_flownet_instant_end, net);
    for (uint32_t s = 0; s < net->flow_cap; s++)
        if (net->flows[s].live && net->flows[s].ev.slot)
            af_sim_cancel(net->sim, net->flows[s].ev);
    for (uint32_t b = 0; b < net->n_blocks; b++) {
        af_block *k = &net->blocks[b];
        af_sim_timer_free(net->sim, k->timer);
        af_free(k->fin.a);
        af_free(k->caps.a);
        af_free(k->lvl.a);
    }
    for (size_t r = 0; r < net->n_res; r++) {
        af_free(net->res[r].name);
        af_free(net->res[r].hops);
    }
    af_free(net->res);
    af_free(net->lvl_pos);
    af_free(net->flows_mem);
    af_free(net->comp_flows);
    af_free(net->mark);
    af_free(net->frozen);
    af_free(net->fblk);
    af_free(net->fin_pos);
    af_free(net->cap_pos);
    af_free(net->stamp);
    af_free(net->comp_res);
    af_free(net->sat);
    af_free(net->caps);
    af_free(net->done);
    af_free(net->seed_flows);
    af_free(net->seed_res);
    af_free(net->emptied);
    af_free(net->blocks);
    af_free(net->dirty);
    af_free(net);
}

uint32_t af_flownet_resource_add(af_flownet *net, const char *name, double capacity_Bps)
{
    assert(isfinite(capacity_Bps) && capacity_Bps >= 0 && "capacity must be finite and >= 0");
    assert(net->n_res < AF_FLOWNET_CAPPED && "too many resources");
    net->res = af_grow(net->res, &net->cap_res, net->n_res + 1, sizeof(af_res));
    af_res *r = &net->res[net->n_res];
    memset(r, 0, sizeof(*r));
    r->name = name ? af_strdup(name) : NULL;
    r->cap_Bps = capacity_Bps;
    r->sat = AF_FLOWNET_NIL;
    r->blk = AF_BLK_NONE;
    net->n_res++;
    net->lvl_pos = af_grow(net->lvl_pos, &net->cap_lvl_pos, net->n_res, sizeof(uint32_t));
    net->comp_res = af_grow(net->comp_res, &net->cap_comp_res, net->n_res, sizeof(uint32_t));
    net->sat = af_grow(net->sat, &net->cap_sat, net->n_res, sizeof(uint32_t));
    return (uint32_t)(net->n_res - 1);
}

/* Adds hop h of flow slot s to its resource's hop array. */
static void af_flownet_hop_link(af_flownet *net, uint32_t s, uint32_t h)
{
    af_flow *f = &net->flows[s];
    af_res *r = &net->res[f->res[h]];
    r->hops = af_grow(r->hops, &r->cap_hops, r->n_hops + 1, sizeof(uint32_t));
    f->pos[h] = (uint32_t)r->n_hops;
    r->hops[r->n_hops++] = s << AF_FLOWNET_HOP_BITS | h;
}

/* Removes hop h of flow slot s from its resource's hop array (the last entry fills the gap). */
static void af_flownet_hop_unlink(af_flownet *net, uint32_t s, uint32_t h)
{
    af_flow *f = &net->flows[s];
    af_res *r = &net->res[f->res[h]];
    uint32_t i = f->pos[h];
    assert(i < r->n_hops && r->hops[i] == (s << AF_FLOWNET_HOP_BITS | h));
    uint32_t last = r->hops[--r->n_hops];
    if (i < r->n_hops) {
        r->hops[i] = last;
        net->flows[last >> AF_FLOWNET_HOP_BITS].pos[last & AF_FLOWNET_HOP_MASK] = i;
    }
}

/* Unlinks flow slot s from every resource and credits hop h's with scale[h] * k * moved_B
 * units. */
static void af_flownet_detach(af_flownet *net, uint32_t s, double moved_B)
{
    af_flow *f = &net->flows[s];
    double all_B = (double)f->k * moved_B;
    for (uint32_t h = f->n_path; h-- > 0;) {
        af_flownet_hop_unlink(net, s, h);
        net->res[f->res[h]].done_B += f->scaled ? f->scale[h] * all_B : all_B;
    }
}

/* ---- the component: search, progress, fill, reschedule --------------------------------- */

/* Starts a new search epoch (clearing every mark when the counter wraps). */
static void af_flownet_comp_begin(af_flownet *net)
{
    if (++net->epoch == 0) {
        memset(net->mark, 0, (size_t)net->flow_cap * sizeof(uint32_t));
        for (size_t r = 0; r < net->n_res; r++)
            net->res[r].mark = 0;
        net->epoch = 1;
    }
    net->n_comp_flows = 0;
    net->n_comp_res = 0;
}

/* Adds resource r to the component being collected, unless a block holds it. */
static inline void af_flownet_comp_res(af_flownet *net, uint32_t r)
{
    if (net->res[r].mark != net->epoch && net->res[r].blk == AF_BLK_NONE) {
        net->res[r].mark = net->epoch;
        net->comp_res[net->n_comp_res++] = r;
    }
}

/* Adds flow slot s and its path to the component being collected, unless it is in a block or
 * not yet placed (started since the last flush: the flush places it first). */
static inline void af_flownet_comp_flow(af_flownet *net, uint32_t s)
{
    if (net->mark[s] == net->epoch || net->fblk[s] != AF_BLK_NONE)
        return;
    net->mark[s] = net->epoch;
    const af_flow *f = &net->flows[s];
    net->comp_flows[net->n_comp_flows++] = s;
    for (uint32_t h = 0; h < f->n_path; h++)
        af_flownet_comp_res(net, f->res[h]);
}

/* Completes comp_flows / comp_res, seeded by comp_begin and comp_flow / comp_res calls, to
 * whole components, breadth first. */
static void af_flownet_comp_expand(af_flownet *net)
{
    for (uint32_t i = 0; i < net->n_comp_res; i++) {
        const af_res *res = &net->res[net->comp_res[i]];
        for (size_t j = 0; j < res->n_hops; j++) {
            if (j + AF_FLOWNET_PREFETCH < res->n_hops) {
                uint32_t ahead = res->hops[j + AF_FLOWNET_PREFETCH] >> AF_FLOWNET_HOP_BITS;
                if (net->mark[ahead] != net->epoch)
                    AF_FLOWNET_PREFETCH_PATH(net, ahead);
            }
            af_flownet_comp_flow(net, res->hops[j] >> AF_FLOWNET_HOP_BITS);
        }
    }
}

/* Collects the component of flow slot s and of resource r (either may be NIL). */
static void af_flownet_comp_collect(af_flownet *net, uint32_t s, uint32_t r)
{
    af_flownet_comp_begin(net);
    if (s != AF_FLOWNET_NIL)
        af_flownet_comp_flow(net, s);
    if (r != AF_FLOWNET_NIL)
        af_flownet_comp_res(net, r);
    af_flownet_comp_expand(net);
}

/* Brings the bytes moved of every flow in the component up to the current time. */
static void af_flownet_comp_advance(af_flownet *net)
{
    af_time_ns now = af_sim_now(net->sim);
    for (uint32_t i = 0; i < net->n_comp_flows; i++) {
        if (i + AF_FLOWNET_PREFETCH < net->n_comp_flows)
            AF_FLOWNET_PREFETCH_FLOW(net, net->comp_flows[i + AF_FLOWNET_PREFETCH]);
        af_flow *f = &net->flows[net->comp_flows[i]];
        if (f->t_upd == now)
            continue;
        assert(f->t_upd < now);
        if (f->rate_Bps > 0)
            f->moved_B += f->rate_Bps * (double)(now - f->t_upd) / AF_NS_PER_S;
        f->t_upd = now;
    }
}

/* Order of capped flows: by level, then slot. */
static inline bool af_flownet_capkey_less(const af_capkey *a, const af_capkey *b)
{
    return a->level < b->level || (a->level == b->level && a->slot < b->slot);
}

/* Restores the min-heap order of h[0 .. n) below position i. */
static void af_flownet_caps_sift(af_capkey *h, size_t n, size_t i)
{
    af_capkey x = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && af_flownet_capkey_less(&h[c + 1], &h[c]))
            c++;
        if (!af_flownet_capkey_less(&h[c], &x))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

/* Removes the least entry of the heap h[0 .. *n) (which must not be empty). */
static void af_flownet_caps_pop(af_capkey *h, size_t *n)
{
    h[0] = h[--*n];
    if (*n > 1)
        af_flownet_caps_sift(h, *n, 0);
}

/* Takes one hop's share from its resource id in a freeze: use units/s of capacity and kw of
 * unfrozen weight; returns the bottleneck so far, lowered to id if id saturated in `round`. */
static inline uint32_t af_flownet_freeze_hop(af_flownet *net, uint32_t id, double use, double kw,
                                             uint32_t bn, uint32_t round)
{
    af_res *r = &net->res[id];
    r->fill_cap -= use;
    r->load_Bps += use;
    if (--r->n_unf == 0)
        r->fill_w = 0;
    else
        r->fill_w -= kw;
    return bn != AF_FLOWNET_CAPPED && r->sat == round && id < bn ? id : bn;
}

/* Fixes flow slot s at per-member rate x with bottleneck bn (a resource id is replaced by the
 * lowest resource on the path that saturated in round `round`), and takes its share from its
 * path: scale * k * x of each hop's capacity and scale * k * w of its unfrozen weight. */
static void af_flownet_freeze(af_flownet *net, uint32_t s, double x, uint32_t bn, uint32_t round)
{
    af_flow *f = &net->flows[s];
    net->frozen[s] = 1;
    f->fill_Bps = x;
    double use = (double)f->k * x, kw = (double)f->k * f->weight;
    /* Two loops, so that an unscaled flow never loads its scale line. */
    if (!f->scaled) {
        for (uint32_t h = 0; h < f->n_path; h++)
            bn = af_flownet_freeze_hop(net, f->res[h], use, kw, bn, round);
    } else {
        for (uint32_t h = 0; h < f->n_path; h++)
            bn = af_flownet_freeze_hop(net, f->res[h], f->scale[h] * use, f->scale[h] * kw, bn,
                                       round);
    }
    f->bn_moved = f->bottleneck != bn;
    f->bottleneck = bn;
}

/* Sums resource r's unfrozen weight afresh: scale * k * w over its hops whose flow is not
 * frozen. O(hops of r); runs only after heavy flows froze (see AF_FLOWNET_W_DRIFT). */
static void af_flownet_res_reweigh(af_flownet *net, af_res *r)
{
    double w = 0;
    for (size_t j = 0; j < r->n_hops; j++) {
        uint32_t e = r->hops[j], s = e >> AF_FLOWNET_HOP_BITS;
        if (net->frozen[s])
            continue;
        const af_flow *f = &net->flows[s];
        double kw = (double)f->k * f->weight;
        w += f->scaled ? f->scale[e & AF_FLOWNET_HOP_MASK] * kw : kw;
    }
    r->fill_w = w;
    r->fill_w_min = w * AF_FLOWNET_W_DRIFT;
    net->stats.resums++;
}

/* Level at which resource r saturates given what is frozen (INFINITY if nothing unfrozen). Its
 * unfrozen weight must be fresh (see af_flownet_res_fresh); then it is positive and within 1e-12
 * of the exact sum, and with weights and scales in the range of flow.h the level is finite. */
static inline double af_flownet_res_level(const af_res *r)
{
    if (!r->n_unf)
        return INFINITY;
    return (r->fill_cap > 0 ? r->fill_cap : 0) / r->fill_w;
}

/* Makes r's unfrozen weight fresh: it is kept by subtraction as flows freeze, and when that has
 * cancelled most of it (weights or scales orders of magnitude apart) it is summed afresh. */
static inline void af_flownet_res_fresh(af_flownet *net, af_res *r)
{
    if (r->n_unf && !(r->fill_w > r->fill_w_min))
        af_flownet_res_reweigh(net, r);
}

/* Progressive filling over the collected component: sets fill_Bps and bottleneck of each of
 * its flows and load_Bps of each of its resources. */
static void af_flownet_comp_fill(af_flownet *net)
{
    for (uint32_t i = 0; i < net->n_comp_res; i++) {
        af_res *r = &net->res[net->comp_res[i]];
        r->fill_cap = r->cap_Bps;
        r->fill_w = 0;
        r->n_unf = 0;
        r->load_Bps = 0;
        r->sat = AF_FLOWNET_NIL;
    }
    size_t n_caps = 0;
    for (uint32_t i = 0; i < net->n_comp_flows; i++) {
        if (i + AF_FLOWNET_PREFETCH < net->n_comp_flows)
            AF_FLOWNET_PREFETCH_FLOW(net, net->comp_flows[i + AF_FLOWNET_PREFETCH]);
        uint32_t s = net->comp_flows[i];
        const af_flow *f = &net->flows[s];
        net->frozen[s] = 0;
        double kw = (double)f->k * f->weight;
        if (!f->scaled) {
            for (uint32_t h = 0; h < f->n_path; h++) {
                af_res *r = &net->res[f->res[h]];
                r->fill_w += kw;
                r->n_unf++;
            }
        } else {
            for (uint32_t h = 0; h < f->n_path; h++) {
                af_res *r = &net->res[f->res[h]];
                r->fill_w += f->scale[h] * kw;
                r->n_unf++;
            }
        }
        if (f->cap_Bps < INFINITY) {
            net->caps = af_grow(net->caps, &net->cap_caps, n_caps + 1, sizeof(af_capkey));
            net->caps[n_caps++] = (af_capkey){.level = f->cap_Bps / f->weight, .slot = s};
        }
    }
    /* Locals, so that the rare call to re-sum a weight forces no reloads in the scans below. */
    af_res *const res = net->res;
    const uint32_t *const comp_res = net->comp_res;
    const uint32_t n_comp_res = net->n_comp_res;
    /* The first round's search for the lowest level (skipped in an empty component) also sets
     * the thresholds of the re-sums: nothing is frozen yet, so every fill_w is an exact sum. */
    uint32_t left = net->n_comp_flows, round = 0;
    double first = INFINITY;
    for (uint32_t i = 0; left && i < n_comp_res; i++) {
        af_res *r = &res[comp_res[i]];
        r->fill_w_min = r->fill_w * AF_FLOWNET_W_DRIFT;
        double l = af_flownet_res_level(r);
        if (l < first)
            first = l;
    }
    /* A heap, not a sort: capped flows that freeze at a resource below their cap level are
     * never popped unless the level passes their cap, so heapify (O(n)) plus the pops beats
     * sorting them all. */
    for (size_t i = n_caps / 2; i-- > 0;)
        af_flownet_caps_sift(net->caps, n_caps, i);

    while (left > 0) {
        uint32_t left_before = left;
        double level = first;
        if (round > 0) {
            level = INFINITY;
            for (uint32_t i = 0; i < n_comp_res; i++) {
                af_res *r = &res[comp_res[i]];
                af_flownet_res_fresh(net, r);
                double l = af_flownet_res_level(r);
                if (l < level)
                    level = l;
            }
        }
        /* Frozen entries are dropped only when they would decide the level, so a capped flow
         * frozen below its cap level is popped only if the level ever passes that cap. */
        while (n_caps && net->caps[0].level < level && net->frozen[net->caps[0].slot])
            af_flownet_caps_pop(net->caps, &n_caps);
        if (n_caps && net->caps[0].level < level)
            level = net->caps[0].level;
        assert(level < INFINITY && "a flow with neither path nor cap");
        double lim = level * (1 + AF_FLOWNET_EPS);

        /* Flows whose cap is reached; the resources on their paths are made fresh for the
         * saturation test below. */
        for (; n_caps && net->caps[0].level <= lim; af_flownet_caps_pop(net->caps, &n_caps)) {
            uint32_t s = net->caps[0].slot;
            if (!net->frozen[s]) {
                af_flownet_freeze(net, s, net->flows[s].cap_Bps, AF_FLOWNET_CAPPED, round);
                left--;
                const af_flow *f = &net->flows[s];
                for (uint32_t h = 0; h < f->n_path; h++)
                    af_flownet_res_fresh(net, &res[f->res[h]]);
            }
        }
        /* Resources that saturate: mark them all first, so each flow's bottleneck is the
         * lowest id among them, then freeze their flows. */
        uint32_t n_sat = 0;
        for (uint32_t i = 0; i < n_comp_res; i++) {
            af_res *r = &res[comp_res[i]];
            if (r->n_unf && af_flownet_res_level(r) <= lim) {
                r->sat = round;
                net->sat[n_sat++] = comp_res[i];
            }
        }
        for (uint32_t i = 0; i < n_sat; i++) {
            af_res *r = &net->res[net->sat[i]];
            for (size_t j = 0; j < r->n_hops && r->n_unf; j++) {
                if (j + AF_FLOWNET_PREFETCH < r->n_hops)
                    AF_FLOWNET_PREFETCH_FLOW(net, r->hops[j + AF_FLOWNET_PREFETCH] >>
                                                      AF_FLOWNET_HOP_BITS);
                uint32_t s = r->hops[j] >> AF_FLOWNET_HOP_BITS;
                if (!net->frozen[s]) {
                    af_flownet_freeze(net, s, net->flows[s].weight * level, AF_FLOWNET_NONE, round);
                    left--;
                }
            }
            r->fill_cap = 0;
        }
        round++;
        if (left == left_before) {
            /* Cannot happen with consistent scratch (the round's minimum always freezes a
             * flow); if it did, stop the unfrozen flows rather than loop for ever. */
            assert(false && "progressive filling made no progress");
            for (uint32_t i = 0; i < net->n_comp_flows; i++) {
                uint32_t s = net->comp_flows[i];
                if (!net->frozen[s])
                    af_flownet_freeze(net, s, 0, AF_FLOWNET_NONE, round);
            }
            break;
        }
    }
    net->stats.updates++;
    net->stats.levels += round;
    net->stats.flows_touched += net->n_comp_flows;
    net->stats.res_touched += net->n_comp_res;
    if (net->n_comp_flows > net->stats.max_comp_flows)
        net->stats.max_comp_flows = net->n_comp_flows;
}

static void af_flownet_on_done(af_sim *sim, void *ctx, uint64_t arg);

/* Schedules the completion event of flow slot s (whose ev is the zero id), if it has one. */
static void af_flownet_schedule(af_flownet *net, uint32_t s)
{
    af_flow *f = &net->flows[s];
    double left = f->size_B - f->moved_B;
    af_time_ns t = af_flownet_due(net, af_flownet_complete(f, left), left, f->rate_Bps);
    if (t < 0)
        return;
    f->ev = af_sim_at(net->sim, t, af_flownet_on_done, net, (uint64_t)f->gen << 32 | s);
    net->stats.reschedules++;
}

/* Commits the fill's rates and reschedules the completions of flows whose rate changed (or
 * that have no event); tells the watcher of each flow whose rate or bottleneck changed. Flows
 * that the fill's component handed to a block (af_flownet_blk_from_fill) are skipped. */
static void af_flownet_comp_commit(af_flownet *net)
{
    for (uint32_t i = 0; i < net->n_comp_flows; i++) {
        if (i + AF_FLOWNET_PREFETCH < net->n_comp_flows)
            AF_FLOWNET_PREFETCH_PATH(net, net->comp_flows[i + AF_FLOWNET_PREFETCH]);
        uint32_t s = net->comp_flows[i];
        if (net->fblk[s] != AF_BLK_NONE)
            continue;
        af_flow *f = &net->flows[s];
        bool same = f->fill_Bps == f->rate_Bps;
        f->rate_Bps = f->fill_Bps;
        if (!same || f->bn_moved)
            af_flownet_notify(net, s);
        if (same && f->ev.slot)
            continue;
        if (f->ev.slot) {
            af_sim_cancel(net->sim, f->ev);
            f->ev = (af_event_id){0, 0};
        }
        af_flownet_schedule(net, s);
    }
}

/* ---- the flush ------------------------------------------------------------------------------ */

void af_flownet_flush(af_flownet *net)
{
    if (!net->pending)
        return;
    net->pending = false;
    /* New flows first: into blocks where they fit (the rest are kept at the front of the seed
     * list for the fill), then the blocks that changed, then one fill over what is left. */
    size_t n_ex = 0;
    for (size_t i = 0; i < net->n_seed_flows; i++) {
        uint32_t s = net->seed_flows[i];
        if (net->flows[s].live && net->fblk[s] == AF_BLK_NEW && af_flownet_blk_place(net, s))
            net->seed_flows[n_ex++] = s;
    }
    for (size_t i = 0; i < net->n_emptied; i++)
        if (af_flownet_res_emptied(net, net->emptied[i]))
            af_flownet_blk_free_res(net, net->emptied[i]);
    net->n_emptied = 0;
    for (size_t i = 0; i < net->n_dirty; i++)
        af_block_settle(net, net->dirty[i]);
    net->n_dirty = 0;
    if (n_ex || net->n_seed_res) {
        af_flownet_comp_begin(net);
        for (size_t i = 0; i < n_ex; i++)
            if (net->flows[net->seed_flows[i]].live)
                af_flownet_comp_flow(net, net->seed_flows[i]);
        for (size_t i = 0; i < net->n_seed_res; i++)
            af_flownet_comp_res(net, net->seed_res[i]);
        af_flownet_comp_expand(net);
        af_flownet_comp_advance(net);
        af_flownet_comp_fill(net);
        af_flownet_blk_from_fill(net);
        af_flownet_comp_commit(net);
    }
    net->n_seed_flows = 0;
    net->n_seed_res = 0;
    /* Settling and placing never dissolve a block once the fill has run, and the fill's new
     * blocks are settled as they are made, so nothing is left pending. */
    net->pending = false;
}

void af_flownet_instant_end(af_sim *sim, void *ctx)
{
    (void)sim;
    af_flownet_flush(ctx);
}

void af_flownet_set_blocks(af_flownet *net, bool on)
{
    af_flownet_flush(net);
    net->ps = on;
    if (!on) {
        for (uint32_t b = 0; b < net->n_blocks; b++)
            if (net->blocks[b].live) {
                af_block_advance(net, b);
                af_block_dissolve(net, b);
            }
        af_flownet_flush(net);
    }
}

void af_flownet_watch(af_flownet *net, void (*fn)(void *ctx, af_flow_id id, uint64_t arg),
                      void *ctx)
{
    net->watch = fn;
    net->watch_ctx = ctx;
}

/* ---- changes ------------------------------------------------------------------------------ */

static double af_flownet_moved_now(const af_flownet *net, const af_flow *f);

/* A weight or scale brought into [AF_FLOWNET_MIN_FACTOR, AF_FLOWNET_MAX_FACTOR]. */
static inline double af_flownet_clamp(double v)
{
    return v < AF_FLOWNET_MIN_FACTOR   ? AF_FLOWNET_MIN_FACTOR
           : v > AF_FLOWNET_MAX_FACTOR ? AF_FLOWNET_MAX_FACTOR
                                       : v;
}

af_flow_id af_flownet_start(af_flownet *net, const uint32_t *path, uint32_t n_path, double size_B,
                            double weight, double cap_Bps, uint32_t k, af_event_fn fn, void *ctx,
                            uint64_t arg)
{
    return af_flownet_start_scaled(net, path, NULL, n_path, size_B, weight, cap_Bps, k, fn, ctx,
                                   arg);
}

af_flow_id af_flownet_start_scaled(af_flownet *net, const uint32_t *path, const double *scale,
                                   uint32_t n_path, double size_B, double weight, double cap_Bps,
                                   uint32_t k, af_event_fn fn, void *ctx, uint64_t arg)
{
    assert(n_path <= AF_FLOWNET_MAX_PATH && (n_path == 0 || path != NULL));
    assert(isfinite(size_B) && size_B >= 0 && "size must be finite and >= 0");
    assert(isfinite(weight) && weight > 0 && "weight must be finite and > 0");
    assert(isfinite(cap_Bps) && cap_Bps >= 0 && "cap must be finite and >= 0");
    assert(k >= 1 && "a group has at least one member");
    assert((n_path > 0 || cap_Bps > 0) && "a flow needs a path or a cap");
    bool scaled = false;
    for (uint32_t h = 0; h < n_path; h++) {
        assert(path[h] < net->n_res && "unknown resource");
        if (scale) {
            assert(isfinite(scale[h]) && scale[h] > 0 && "scale must be finite and > 0");
            scaled |= scale[h] != 1;
        }
    }

    uint32_t s = af_flownet_slot_take(net);
    af_flow *f = &net->flows[s];
    f->size_B = size_B;
    f->moved_B = 0;
    f->rate_Bps = -1;
    f->weight = af_flownet_clamp(weight);
    f->cap_Bps = cap_Bps > 0 ? cap_Bps : INFINITY;
    f->k = k;
    f->t_upd = af_sim_now(net->sim);
    f->serial = net->serial++;
    f->ev = (af_event_id){0, 0};
    f->fn = fn;
    f->ctx = ctx;
    f->arg = arg;
    f->n_path = (uint8_t)n_path;
    f->live = true;
    f->scaled = scaled;
    f->bn_moved = false;
    if (scaled)
        for (uint32_t h = 0; h < n_path; h++)
            f->scale[h] = af_flownet_clamp(scale[h]);
    for (uint32_t h = 0; h < n_path; h++) {
        f->res[h] = path[h];
        af_flownet_hop_link(net, s, h);
    }
    net->fblk[s] = AF_BLK_NEW;
    net->n_live++;
    net->stats.starts++;
    net->seed_flows =
        af_grow(net->seed_flows, &net->cap_seed_flows, net->n_seed_flows + 1, sizeof(uint32_t));
    net->seed_flows[net->n_seed_flows++] = s;
    af_flownet_touch(net);
    return (af_flow_id){.slot = s + 1, .gen = f->gen};
}

double af_flownet_cancel(af_flownet *net, af_flow_id id)
{
    af_flow *f = af_flownet_find(net, id);
    if (!f)
        return -1;
    uint32_t s = id.slot - 1, b = net->fblk[s];
    double moved;
    if (b == AF_BLK_NEW) {
        moved = 0; /* nothing shared yet, nothing to reshare */
    } else if (b != AF_BLK_NONE) {
        af_block_advance(net, b);
        af_block_leave(net, s);
        moved = fmin(f->moved_B, f->size_B);
        af_block_dirty(net, b);
    } else {
        /* Rates hold until the flush, so the lazy progress is exact; the flush reshares. */
        moved = af_flownet_moved_now(net, f);
        if (f->ev.slot)
            af_sim_cancel(net->sim, f->ev);
        f->ev = (af_event_id){0, 0};
        net->seed_res = af_grow(net->seed_res, &net->cap_seed_res, net->n_seed_res + f->n_path,
                                sizeof(uint32_t));
        for (uint32_t h = 0; h < f->n_path; h++)
            net->seed_res[net->n_seed_res++] = f->res[h];
        af_flownet_touch(net);
    }
    af_flownet_detach(net, s, moved);
    af_flownet_slot_put(net, s);
    net->n_live--;
    net->stats.ends++;
    return moved;
}

void af_flownet_set_capacity(af_flownet *net, uint32_t r, double capacity_Bps)
{
    assert(r < net->n_res && "unknown resource");
    assert(isfinite(capacity_Bps) && capacity_Bps >= 0 && "capacity must be finite and >= 0");
    af_res *res = &net->res[r];
    if (af_flownet_res_emptied(net, r))
        af_flownet_blk_free_res(net, r);
    uint32_t b = res->blk;
    if (b != AF_BLK_NONE) {
        af_block_set_capacity(net, b, r, capacity_Bps);
        return;
    }
    net->seed_res =
        af_grow(net->seed_res, &net->cap_seed_res, net->n_seed_res + 1, sizeof(uint32_t));
    net->seed_res[net->n_seed_res++] = r;
    res->cap_Bps = capacity_Bps;
    af_flownet_touch(net);
}

/* qsort order of callbacks: by start serial (unique). */
static int af_flownet_done_cmp(const void *pa, const void *pb)
{
    const af_done *a = pa, *b = pb;
    return (a->serial > b->serial) - (a->serial < b->serial);
}

/* Records the callback of flow slot s, which completes now, and ends it (exact credit). */
size_t af_flownet_end_done(af_flownet *net, uint32_t s, size_t n_done)
{
    af_flow *f = &net->flows[s];
    net->done = af_grow(net->done, &net->cap_done, n_done + 1, sizeof(af_done));
    net->done[n_done++] =
        (af_done){.serial = f->serial, .fn = f->fn, .ctx = f->ctx, .arg = f->arg};
    af_flownet_detach(net, s, f->size_B);
    af_flownet_slot_put(net, s);
    net->n_live--;
    net->stats.ends++;
    return n_done;
}

/* Runs the callbacks of the n_done flows that completed together, in start order. */
void af_flownet_run_done(af_flownet *net, size_t n_done)
{
    if (n_done > 1)
        qsort(net->done, n_done, sizeof(af_done), af_flownet_done_cmp);
    /* Callbacks may start flows (which reuses the search scratch, not `done`); a callback
     * cannot complete a flow, so `done` is not reentered. */
    for (size_t i = 0; i < n_done; i++)
        if (net->done[i].fn)
            net->done[i].fn(net->sim, net->done[i].ctx, net->done[i].arg);
}

/* The completion event of flow (arg & 0xffffffff) at generation (arg >> 32), outside blocks.
 * Ends every flow of its component that is complete now and seeds the rest for the flush, then
 * runs their callbacks. */
static void af_flownet_on_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    af_flownet *net = ctx;
    uint32_t s = (uint32_t)arg;
    assert(s < net->flow_cap && net->flows[s].live && net->flows[s].gen == (uint32_t)(arg >> 32));
    net->flows[s].ev = (af_event_id){0, 0};

    af_flownet_comp_collect(net, s, AF_FLOWNET_NIL);
    af_flownet_comp_advance(net);
    size_t n_done = 0;
    for (uint32_t i = 0; i < net->n_comp_flows; i++) {
        uint32_t t = net->comp_flows[i];
        af_flow *f = &net->flows[t];
        if (!af_flownet_complete(f, f->size_B - f->moved_B))
            continue;
        if (f->ev.slot) {
            af_sim_cancel(net->sim, f->ev);
            f->ev = (af_event_id){0, 0};
        }
        net->seed_res = af_grow(net->seed_res, &net->cap_seed_res, net->n_seed_res + f->n_path,
                                sizeof(uint32_t));
        for (uint32_t h = 0; h < f->n_path; h++)
            net->seed_res[net->n_seed_res++] = f->res[h];
        n_done = af_flownet_end_done(net, t, n_done);
    }
    af_flownet_touch(net);
    af_flownet_run_done(net, n_done);
}

/* ---- queries ------------------------------------------------------------------------------ */

bool af_flownet_live(const af_flownet *net, af_flow_id id)
{
    return af_flownet_find(net, id) != NULL;
}

double af_flownet_rate(af_flownet *net, af_flow_id id)
{
    af_flownet_flush(net);
    const af_flow *f = af_flownet_find(net, id);
    if (!f)
        return 0;
    uint32_t b = net->fblk[id.slot - 1];
    double rate = b < AF_BLK_NEW ? f->weight * net->blocks[b].L : f->rate_Bps;
    return rate > 0 ? rate : 0;
}

/* Bytes moved per member of live flow f now, in [0, size_B]: rate * elapsed time since t_upd
 * added (in a block, its weight times the block clock since v_entry), whether or not f has a
 * completion event. */
static double af_flownet_moved_now(const af_flownet *net, const af_flow *f)
{
    uint32_t b = net->fblk[f - net->flows];
    double moved;
    if (b < AF_BLK_NEW) {
        moved = af_block_moved_now(net, &net->blocks[b], f);
    } else {
        moved = f->moved_B;
        if (f->rate_Bps > 0)
            moved += f->rate_Bps * (double)(af_sim_now(net->sim) - f->t_upd) / AF_NS_PER_S;
    }
    return fmin(moved, f->size_B);
}

double af_flownet_left(const af_flownet *net, af_flow_id id)
{
    const af_flow *f = af_flownet_find(net, id);
    return f ? f->size_B - af_flownet_moved_now(net, f) : 0;
}

double af_flownet_moved(const af_flownet *net, af_flow_id id)
{
    const af_flow *f = af_flownet_find(net, id);
    return f ? af_flownet_moved_now(net, f) : 0;
}

uint32_t af_flownet_bottleneck(af_flownet *net, af_flow_id id)
{
    af_flownet_flush(net);
    const af_flow *f = af_flownet_find(net, id);
    return f ? f->bottleneck : AF_FLOWNET_NONE;
}

uint32_t af_flownet_resource_count(const af_flownet *net)
{
    return (uint32_t)net->n_res;
}

const char *af_flownet_resource_name(const af_flownet *net, uint32_t r)
{
    assert(r < net->n_res);
    return net->res[r].name;
}

double af_flownet_resource_capacity(const af_flownet *net, uint32_t r)
{
    assert(r < net->n_res);
    return net->res[r].cap_Bps;
}

double af_flownet_resource_load(af_flownet *net, uint32_t r)
{
    assert(r < net->n_res);
    af_flownet_flush(net);
    const af_res *res = &net->res[r];
    return res->blk != AF_BLK_NONE ? net->blocks[res->blk].L * res->blk_w : res->load_Bps;
}

double af_flownet_resource_utilization(af_flownet *net, uint32_t r)
{
    assert(r < net->n_res);
    double load = af_flownet_resource_load(net, r);
    return net->res[r].cap_Bps > 0 ? load / net->res[r].cap_Bps : 0;
}

double af_flownet_resource_carried(const af_flownet *net, uint32_t r)
{
    assert(r < net->n_res);
    const af_res *res = &net->res[r];
    double carried = res->done_B;
    for (size_t j = 0; j < res->n_hops; j++) {
        const af_flow *f = &net->flows[res->hops[j] >> AF_FLOWNET_HOP_BITS];
        double all_B = (double)f->k * af_flownet_moved_now(net, f);
        carried += f->scaled ? f->scale[res->hops[j] & AF_FLOWNET_HOP_MASK] * all_B : all_B;
    }
    return carried;
}

uint32_t af_flownet_resource_flows(const af_flownet *net, uint32_t r)
{
    assert(r < net->n_res);
    return (uint32_t)net->res[r].n_hops;
}

void af_flownet_get_stats(af_flownet *net, af_flownet_stats *out)
{
    af_flownet_flush(net);
    *out = net->stats;
    out->flows_live = net->n_live;
    out->flow_pool_cap = net->flow_cap;
    uint32_t live = 0;
    for (uint32_t b = 0; b < net->n_blocks; b++)
        live += net->blocks[b].live;
    out->blocks_live = live;
}
