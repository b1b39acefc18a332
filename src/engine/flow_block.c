/*
 * flow_block: the blocks of the flow network (see flow.h for the interface, flow.c for the
 * max-min fill that hands them their components, flow_int.h for what the two files share).
 *
 * Blocks. Many flows behind one storage tier form one component that the tier alone limits:
 * the fill freezes them all in one round at L = C / W of that resource (the anchor), and every
 * start or end would refill all n of them and reschedule all n events. A block keeps that case
 * in O(path log n): every flow of it moves at w * L, so a member's progress is its weight times
 * the block's clock V (bytes per unit weight, advanced by L * elapsed time), and a flow that
 * joined at V0 with b bytes left finishes when V reaches V0 + b / w, its finishing point. The
 * block keeps its flows in a heap by finishing point and one timer (af_sim_timer) for the first,
 * moved in place only when that flow's completion time changes; a join or a leave updates W of
 * the path's resources (kept by addition and subtraction, summed afresh after heavy flows left
 * and after as many changes as the resource has hops), and the settle at the flush recomputes
 * L = C / W of the anchor. Such generalized processor sharing with a virtual clock is the
 * classical device of fair queueing (Demers, Keshav & Shenker, "Analysis and simulation of a
 * fair queueing algorithm", SIGCOMM 1989; Parekh & Gallager, "A generalized processor sharing
 * approach to flow control", IEEE/ACM ToN 1(3), 1993), here applied to fluid flows.
 *   It is exact only while the anchor limits every flow alone, which is what the fill would find:
 * a block is made from a fill (af_flownet_try_block) only where every flow on the anchor froze
 * there, every other resource of those flows stayed unsaturated and carries no other flow, and
 * no cap lies within AF_FLOWNET_EPS of L; and it is kept (af_block_settle) only while the other
 * resources' levels C_r / W_r (a heap, `lvl`) and the caps' levels c / w (a heap, `caps`) stay
 * above L (1 + AF_FLOWNET_EPS) and C > 0. Otherwise it is dissolved: each flow's progress goes
 * into moved_B, and the fill takes the component back. A new flow joins a block when its path
 * holds the block's anchor and touches no other busy resource; one that touches a block and
 * anything else dissolves the block and is filled with it. So blocks and the fill give the same
 * rates, to the rounding of W (tests/unit/test_flow_blocks.c compares them on random runs).
 *   The clock grows without bound, and a flow's progress w * (V - V0) loses an ulp of V per
 * change, so the clock is rebased to 0 (progress folded into moved_B, O(n)) once it passes
 * AF_FLOWNET_REBASE times the smallest span left of its flows: about once per 256 lifetimes of
 * its flows, and the error stays within 3e-14 of a flow's bytes per change. It is also rebased
 * before an advance below 2^-20 of its value (AF_FLOWNET_REBASE_STEP), so that each advance
 * keeps all but 2^-33 of itself: the level may fall by many orders of magnitude when a heavy
 * flow joins (weights and device-seconds per byte span 60 orders), and an advance below half an
 * ulp of V would be lost whole, the block's flows moving nothing while their rates say that the
 * anchor is saturated. At a steady level that takes an interval 2^20 times shorter than the
 * clock's age, which the shipped scenarios never meet; a flush reads progress as
 * moved_B + w ((V - V0) + L dt), which adds the interval since the last advance to the flow's
 * own span, not to V.
 *
 * Invariants, for every block b, after a flush:
 *   - every flow in b crosses its anchor, every resource on their paths is in b (blk == b) and
 *     carries no flow outside b except new ones not yet placed; blk_hops and blk_w of each are
 *     the count and the sum of scale * k * w of b's hops on it;
 *   - a flow f of b has moved moved_B + w (V_now - v_entry) bytes, its rate is w * L and its
 *     bottleneck the anchor, it has no event of its own, and its key in `fin` is
 *     v_entry + (size_B - moved_B) / w;
 *   - L = C / blk_w of the anchor, and every key of `lvl` and `caps` exceeds L (1 + EPS);
 *   - b's timer is armed at the completion of the first flow of `fin` (as af_flownet_schedule
 *     would set it), unless that flow has none.
 */
#include "engine/flow_int.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "base/alloc.h"

/* A block's clock is rebased to 0 when it passes this many times the span (bytes left per unit
 * weight) of its smallest flow: the clock's rounding, an ulp of its value per change, then stays
 * below 256 * 2^-53 = 3e-14 of that flow's bytes per change. */
#define AF_FLOWNET_REBASE 256.0

/* A block's clock is also rebased to 0 before an advance that would add less than 1 / this of
 * its value, so that the advance keeps all but 2^-33 of itself (the sum rounds to half an ulp of
 * the clock, at most 2^-53 of it). Without it, a clock grown large at a high level stops once
 * the level falls by 16 orders of magnitude or more (a flow of weight 1e6 and 167 device-seconds
 * per byte joining light ones on a tier's devices): the flows then move nothing and their
 * resources are credited nothing, while the rates say that they are saturated. */
#define AF_FLOWNET_REBASE_STEP 1048576.0

/* ---- indexed heaps -------------------------------------------------------------------------- */

static inline bool af_hent_less(const af_hent *x, const af_hent *y)
{
    return x->key < y->key || (x->key == y->key && x->id < y->id);
}

/* Moves entry i up to its place. */
static void af_ih_up(af_iheap *h, uint32_t *pos, uint32_t i)
{
    af_hent e = h->a[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!af_hent_less(&e, &h->a[p]))
            break;
        h->a[i] = h->a[p];
        pos[h->a[i].id] = i;
        i = p;
    }
    h->a[i] = e;
    pos[e.id] = i;
}

/* Moves entry i down to its place. */
static void af_ih_down(af_iheap *h, uint32_t *pos, uint32_t i)
{
    af_hent e = h->a[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && af_hent_less(&h->a[c + 1], &h->a[c]))
            c++;
        if (!af_hent_less(&h->a[c], &e))
            break;
        h->a[i] = h->a[c];
        pos[h->a[i].id] = i;
        i = c;
    }
    h->a[i] = e;
    pos[e.id] = i;
}

/* Restores the order around entry i after its key changed. */
static void af_ih_fix(af_iheap *h, uint32_t *pos, uint32_t i)
{
    if (i > 0 && af_hent_less(&h->a[i], &h->a[(i - 1) / 2]))
        af_ih_up(h, pos, i);
    else
        af_ih_down(h, pos, i);
}

static void af_ih_push(af_iheap *h, uint32_t *pos, double key, uint32_t id)
{
    h->a = af_grow(h->a, &h->cap, (size_t)h->n + 1, sizeof(af_hent));
    h->a[h->n] = (af_hent){.key = key, .id = id};
    pos[id] = h->n++;
    af_ih_up(h, pos, h->n - 1);
}

static void af_ih_remove(af_iheap *h, uint32_t *pos, uint32_t id)
{
    uint32_t i = pos[id];
    assert(i < h->n && h->a[i].id == id);
    if (i < --h->n) {
        h->a[i] = h->a[h->n];
        pos[h->a[i].id] = i;
        af_ih_fix(h, pos, i);
    }
}

static void af_ih_rekey(af_iheap *h, uint32_t *pos, uint32_t id, double key)
{
    uint32_t i = pos[id];
    assert(i < h->n && h->a[i].id == id);
    h->a[i].key = key;
    af_ih_fix(h, pos, i);
}

/* Rebuilds the order after every key changed (Floyd's construction, O(n)). */
static void af_ih_heapify(af_iheap *h, uint32_t *pos)
{
    for (uint32_t i = h->n / 2; i-- > 0;)
        af_ih_down(h, pos, i);
}

/* ---- blocks: one limiting resource, one clock ----------------------------------------------- */

static void af_flownet_on_block_done(af_sim *sim, void *ctx, uint64_t arg);

/* Brings block b's clock back to 0 by folding every flow's progress into its moved_B; the
 * finishing points are recomputed from what is left (the order may change by rounding only, so
 * the heap is rebuilt). Sets the next rebase point: AF_FLOWNET_REBASE times the smallest span
 * left of a flow not yet complete. */
static void af_block_rebase(af_flownet *net, uint32_t b)
{
    af_block *k = &net->blocks[b];
    double next = INFINITY;
    for (uint32_t i = 0; i < k->fin.n; i++) {
        af_flow *f = &net->flows[k->fin.a[i].id];
        f->moved_B = af_block_moved(f, k->V);
        f->v_entry = 0;
        double left = f->size_B - f->moved_B, span = left / f->weight;
        k->fin.a[i].key = span;
        if (!af_flownet_complete(f, left) && AF_FLOWNET_REBASE * span < next)
            next = AF_FLOWNET_REBASE * span;
    }
    af_ih_heapify(&k->fin, net->fin_pos);
    k->V = 0;
    k->rebase_at = next;
    net->stats.block_rebases++;
}

/* Brings block b's clock up to now (at its current level), rebasing it first when the advance
 * is below 1 / AF_FLOWNET_REBASE_STEP of the clock, and after when the clock has grown past the
 * point where its rounding would matter to its smallest flow. */
void af_block_advance(af_flownet *net, uint32_t b)
{
    af_block *k = &net->blocks[b];
    double d = af_block_since(net, k);
    if (d > 0) {
        if (k->V > AF_FLOWNET_REBASE_STEP * d)
            af_block_rebase(net, b);
        k->V += d;
    }
    k->t_v = af_sim_now(net->sim);
    if (k->V > k->rebase_at)
        af_block_rebase(net, b);
}

/* Sums resource r's weight in block b afresh over its hops whose flow is in b. */
static void af_block_res_reweigh(af_flownet *net, uint32_t b, af_res *r)
{
    double w = 0;
    for (size_t j = 0; j < r->n_hops; j++) {
        uint32_t e = r->hops[j], s = e >> AF_FLOWNET_HOP_BITS;
        if (net->fblk[s] == b)
            w += af_flownet_hop_weight(&net->flows[s], e & AF_FLOWNET_HOP_MASK);
    }
    r->blk_w = w;
    r->blk_w_min = w * AF_FLOWNET_W_DRIFT;
    r->blk_ops = 0;
    net->stats.resums++;
}

/* Puts block b on the dirty list, so that the flush settles it. */
void af_block_dirty(af_flownet *net, uint32_t b)
{
    af_block *k = &net->blocks[b];
    if (!k->dirty) {
        k->dirty = true;
        net->dirty = af_grow(net->dirty, &net->cap_dirty, net->n_dirty + 1, sizeof(uint32_t));
        net->dirty[net->n_dirty++] = b;
    }
    af_flownet_touch(net);
}

/* A new empty block anchored at resource `anchor`, its clock at 0 now. */
static uint32_t af_block_new(af_flownet *net, uint32_t anchor)
{
    uint32_t b;
    if (net->free_block != AF_BLK_NONE) {
        b = net->free_block;
        net->free_block = net->blocks[b].next_free;
    } else {
        assert(net->n_blocks < AF_BLK_NEW && "too many blocks");
        net->blocks = af_grow(net->blocks, &net->cap_blocks, (size_t)net->n_blocks + 1,
                              sizeof(af_block));
        b = net->n_blocks++;
        memset(&net->blocks[b], 0, sizeof(af_block));
        net->blocks[b].timer = af_sim_timer_new(net->sim, af_flownet_on_block_done, net, b);
    }
    af_block *k = &net->blocks[b];
    k->anchor = anchor;
    k->n_flows = 0;
    k->V = 0;
    k->t_v = af_sim_now(net->sim);
    k->L = 0;
    k->rebase_at = INFINITY;
    k->live = true;
    k->dirty = false;
    k->fin.n = k->caps.n = k->lvl.n = 0;
    net->stats.blocks++;
    return b;
}

/* Returns block b (empty, or dissolved) to the free list, disarming its event. */
static void af_block_put(af_flownet *net, uint32_t b)
{
    af_block *k = &net->blocks[b];
    af_sim_timer_clear(net->sim, k->timer);
    k->live = false;
    k->gen++;
    k->next_free = net->free_block;
    net->free_block = b;
}
/* Takes an emptied resource (af_flownet_res_emptied) out of its block. */
void af_flownet_blk_free_res(af_flownet *net, uint32_t id)
{
    af_res *r = &net->res[id];
    af_ih_remove(&net->blocks[r->blk].lvl, net->lvl_pos, id);
    r->blk = AF_BLK_NONE;
    r->load_Bps = 0;
}

/* Adds flow slot s, whose moved_B holds its progress now, to block b (whose clock is at now):
 * its finishing point goes on the clock, its cap level on the caps heap, its weights onto its
 * path's resources (which join the block if they are not in it yet). */
static void af_block_join(af_flownet *net, uint32_t b, uint32_t s)
{
    af_block *k = &net->blocks[b];
    af_flow *f = &net->flows[s];
    net->fblk[s] = b;
    f->v_entry = k->V;
    f->rate_Bps = -1;
    f->bottleneck = k->anchor;
    double left = f->size_B - f->moved_B, span = left / f->weight;
    af_ih_push(&k->fin, net->fin_pos, f->v_entry + span, s);
    if (f->cap_Bps < INFINITY)
        af_ih_push(&k->caps, net->cap_pos, f->cap_Bps / f->weight, s);
    if (!af_flownet_complete(f, left) && AF_FLOWNET_REBASE * span < k->rebase_at)
        k->rebase_at = AF_FLOWNET_REBASE * span;
    for (uint32_t h = 0; h < f->n_path; h++) {
        uint32_t id = f->res[h];
        af_res *r = &net->res[id];
        if (r->blk != b && r->blk != AF_BLK_NONE) {
            assert(af_flownet_res_emptied(net, id));
            af_flownet_blk_free_res(net, id);
        }
        if (r->blk != b) {
            r->blk = b;
            r->blk_hops = 0;
            r->blk_ops = 0;
            r->blk_w = 0;
            if (id != k->anchor)
                af_ih_push(&k->lvl, net->lvl_pos, INFINITY, id);
        }
        r->blk_hops++;
        r->blk_ops++;
        r->blk_w += af_flownet_hop_weight(f, h);
        r->blk_w_min = r->blk_w * AF_FLOWNET_W_DRIFT;
    }
    for (uint32_t h = 0; h < f->n_path; h++)
        if (f->res[h] != k->anchor)
            af_ih_rekey(&k->lvl, net->lvl_pos, f->res[h],
                        net->res[f->res[h]].cap_Bps / net->res[f->res[h]].blk_w);
    k->n_flows++;
    net->stats.block_joins++;
    if (k->V > k->rebase_at)
        af_block_rebase(net, b);
}

/* Removes flow slot s from its block (whose clock is at now), setting moved_B and t_upd to its
 * progress now. Resources left with no hop of the block leave it. */
void af_block_leave(af_flownet *net, uint32_t s)
{
    uint32_t b = net->fblk[s];
    af_block *k = &net->blocks[b];
    af_flow *f = &net->flows[s];
    f->moved_B = af_block_moved(f, k->V);
    f->t_upd = af_sim_now(net->sim);
    f->rate_Bps = -1;
    net->fblk[s] = AF_BLK_NONE;
    af_ih_remove(&k->fin, net->fin_pos, s);
    if (f->cap_Bps < INFINITY)
        af_ih_remove(&k->caps, net->cap_pos, s);
    for (uint32_t h = 0; h < f->n_path; h++) {
        uint32_t id = f->res[h];
        af_res *r = &net->res[id];
        r->blk_w -= af_flownet_hop_weight(f, h);
        r->blk_ops++;
        /* A resource left without hops leaves the block at the flush, unless a flow joins
         * it again first: the next fetch of a job whose fetch just ended usually starts at
         * the same instant behind the same resources, and then joins the block without taking
         * them out of its heap and putting them back (the anchor of a block left empty stays
         * likewise, see af_block_settle). Until then its key is stale, and nothing reads it
         * (af_flownet_res_emptied). */
        if (--r->blk_hops == 0) {
            r->blk_w = 0;
            if (id != k->anchor) {
                net->emptied = af_grow(net->emptied, &net->cap_emptied, net->n_emptied + 1,
                                       sizeof(uint32_t));
                net->emptied[net->n_emptied++] = id;
            }
        }
    }
    /* Weights kept by subtraction: summed afresh after heavy flows left (the rest may be
     * rounding) and after as many changes as the resource has hops (so that drift cannot build
     * up over a long run, at O(1) amortised per change). */
    for (uint32_t h = 0; h < f->n_path; h++) {
        uint32_t id = f->res[h];
        af_res *r = &net->res[id];
        if (r->blk != b || r->blk_hops == 0)
            continue;
        if (!(r->blk_w > r->blk_w_min) || r->blk_ops > r->blk_hops + 64)
            af_block_res_reweigh(net, b, r);
        if (id != k->anchor)
            af_ih_rekey(&k->lvl, net->lvl_pos, id, r->cap_Bps / r->blk_w);
    }
    k->n_flows--;
    net->stats.block_leaves++;
}

/* Hands every flow of block b back to the max-min solver: their progress now goes into moved_B
 * (rate -1, so that the next fill reschedules them), the resources leave the block, and the
 * anchor is seeded for the flush's fill, which reaches them all. */
void af_block_dissolve(af_flownet *net, uint32_t b)
{
    af_block *k = &net->blocks[b];
    af_time_ns now = af_sim_now(net->sim);
    for (uint32_t i = 0; i < k->fin.n; i++) {
        uint32_t s = k->fin.a[i].id;
        af_flow *f = &net->flows[s];
        f->moved_B = af_block_moved_now(net, k, f);
        f->t_upd = now;
        f->rate_Bps = -1;
        net->fblk[s] = AF_BLK_NONE;
    }
    /* The fill sets the loads of the resources it reaches; an emptied one it does not reach
     * carries nothing. */
    for (uint32_t i = 0; i < k->lvl.n; i++) {
        net->res[k->lvl.a[i].id].blk = AF_BLK_NONE;
        net->res[k->lvl.a[i].id].load_Bps = 0;
    }
    net->res[k->anchor].blk = AF_BLK_NONE;
    net->res[k->anchor].load_Bps = 0;
    net->seed_res = af_grow(net->seed_res, &net->cap_seed_res, net->n_seed_res + 1,
                            sizeof(uint32_t));
    net->seed_res[net->n_seed_res++] = k->anchor;
    af_block_put(net, b);
    net->stats.block_dissolves++;
    af_flownet_touch(net);
}

/* Moves block b's event, in place, to the completion of its first flow to finish, unless it is
 * already set for that time (or disarms it when that flow has none). */
static void af_block_schedule(af_flownet *net, uint32_t b)
{
    af_block *k = &net->blocks[b];
    af_time_ns t = -1, cur;
    if (k->fin.n) {
        const af_flow *f = &net->flows[k->fin.a[0].id];
        double left = f->size_B - af_block_moved(f, k->V);
        t = af_flownet_due(net, af_flownet_complete(f, left), left, f->weight * k->L);
    }
    bool armed = af_sim_timer_armed(net->sim, k->timer, &cur);
    if (t < 0) {
        af_sim_timer_clear(net->sim, k->timer);
        return;
    }
    if (armed && cur == t)
        return;
    af_sim_timer_set(net->sim, k->timer, t);
    net->stats.reschedules++;
}

/* Settles block b at the flush: its level becomes C / W of its anchor if that still limits
 * every flow (every other resource and every cap has a higher level, by more than the fill's
 * tolerance, so that the fill would freeze them all in one round on the anchor alone), and its
 * event is set for its first flow to finish; otherwise it is dissolved. An empty block is
 * released. */
void af_block_settle(af_flownet *net, uint32_t b)
{
    af_block *k = &net->blocks[b];
    k->dirty = false;
    if (!k->live)
        return;
    af_block_advance(net, b);
    if (k->n_flows == 0) {
        af_res *a = &net->res[k->anchor];
        a->blk = AF_BLK_NONE;
        a->load_Bps = 0;
        af_block_put(net, b);
        return;
    }
    const af_res *a = &net->res[k->anchor];
    double L = a->cap_Bps / a->blk_w, lim = L * (1 + AF_FLOWNET_EPS);
    if (!(L > 0 && lim < INFINITY) || (k->lvl.n && !(k->lvl.a[0].key > lim)) ||
        (k->caps.n && !(k->caps.a[0].key > lim))) {
        af_block_dissolve(net, b);
        return;
    }
    k->L = L;
    net->stats.block_settles++;
    af_block_schedule(net, b);
}

/* Sets the capacity of resource r, held by block b (af_flownet_set_capacity): r's level in `lvl`
 * follows unless r is the anchor, and the flush settles b. */
void af_block_set_capacity(af_flownet *net, uint32_t b, uint32_t r, double capacity_Bps)
{
    af_res *res = &net->res[r];
    /* The clock runs at the old level up to now. */
    af_block_advance(net, b);
    res->cap_Bps = capacity_Bps;
    if (r != net->blocks[b].anchor)
        af_ih_rekey(&net->blocks[b].lvl, net->lvl_pos, r, capacity_Bps / res->blk_w);
    af_block_dirty(net, b);
}

/* Whether flow slot s, started since the last flush, can join a block: its path holds the
 * anchor of exactly one block and its other resources are in that block or carry no flow but
 * other new ones. Returns the block, or AF_BLK_NONE. */
static uint32_t af_block_for(af_flownet *net, uint32_t s)
{
    const af_flow *f = &net->flows[s];
    uint32_t b = AF_BLK_NONE;
    for (uint32_t h = 0; h < f->n_path; h++) {
        uint32_t rb = net->res[f->res[h]].blk;
        if (rb == AF_BLK_NONE || af_flownet_res_emptied(net, f->res[h]))
            continue;
        if (b != AF_BLK_NONE && rb != b)
            return AF_BLK_NONE;
        b = rb;
    }
    if (b == AF_BLK_NONE)
        return AF_BLK_NONE;
    bool anchor = false;
    for (uint32_t h = 0; h < f->n_path; h++)
        anchor |= f->res[h] == net->blocks[b].anchor;
    double span = (f->size_B - f->moved_B) / f->weight;
    if (!anchor || !(span * AF_FLOWNET_REBASE < INFINITY))
        return AF_BLK_NONE;
    for (uint32_t h = 0; h < f->n_path; h++) {
        const af_res *r = &net->res[f->res[h]];
        if (r->blk != AF_BLK_NONE && !af_flownet_res_emptied(net, f->res[h]))
            continue;
        for (size_t j = 0; j < r->n_hops; j++) {
            uint32_t t = r->hops[j] >> AF_FLOWNET_HOP_BITS;
            if (t != s && net->fblk[t] != AF_BLK_NEW)
                return AF_BLK_NONE;
        }
    }
    return b;
}

/* Places flow slot s, started since the last flush: into a block if one can take it, else
 * with the max-min solver, dissolving the blocks its path touches (it joins their component).
 * Returns true if it went to the solver. */
bool af_flownet_blk_place(af_flownet *net, uint32_t s)
{
    uint32_t b = net->ps ? af_block_for(net, s) : AF_BLK_NONE;
    if (b != AF_BLK_NONE) {
        af_block_advance(net, b);
        af_block_join(net, b, s);
        af_block_dirty(net, b);
        af_flownet_notify(net, s);
        return false;
    }
    net->fblk[s] = AF_BLK_NONE;
    const af_flow *f = &net->flows[s];
    for (uint32_t h = 0; h < f->n_path; h++) {
        uint32_t id = f->res[h], rb = net->res[id].blk;
        if (rb == AF_BLK_NONE)
            continue;
        if (af_flownet_res_emptied(net, id))
            af_flownet_blk_free_res(net, id);
        else
            af_block_dissolve(net, rb);
    }
    return true;
}

/* After a fill: whether the component of saturated resource id can become a block anchored
 * there, and if so makes it one. It can when every flow on id has id as its bottleneck (so it
 * froze on id alone), every other resource of those flows stayed below saturation and carries
 * only flows that cross id, and no cap is within the fill's tolerance of id's level; that is,
 * when the fill froze the whole component in one round on id. The checks stop at the first
 * failure, so a resource that cannot anchor costs little. */
static bool af_flownet_try_block(af_flownet *net, uint32_t id)
{
    af_res *a = &net->res[id];
    if (++net->stamp_epoch == 0) {
        memset(net->stamp, 0, (size_t)net->flow_cap * sizeof(uint32_t));
        for (size_t r = 0; r < net->n_res; r++)
            net->res[r].stamp = 0;
        net->stamp_epoch = 1;
    }
    uint32_t ep = net->stamp_epoch;
    double W = 0;
    for (size_t j = 0; j < a->n_hops; j++) {
        uint32_t e = a->hops[j], s = e >> AF_FLOWNET_HOP_BITS;
        const af_flow *f = &net->flows[s];
        if (f->bottleneck != id)
            return false;
        net->stamp[s] = ep;
        W += af_flownet_hop_weight(f, e & AF_FLOWNET_HOP_MASK);
    }
    double L = a->cap_Bps / W, lim = L * (1 + AF_FLOWNET_EPS);
    if (!(L > 0 && lim < INFINITY))
        return false;
    a->stamp = ep;
    for (size_t j = 0; j < a->n_hops; j++) {
        const af_flow *f = &net->flows[a->hops[j] >> AF_FLOWNET_HOP_BITS];
        if (f->cap_Bps < INFINITY && !(f->cap_Bps / f->weight > lim))
            return false;
        if (!((f->size_B - f->moved_B) / f->weight * AF_FLOWNET_REBASE < INFINITY))
            return false;
        for (uint32_t h = 0; h < f->n_path; h++) {
            af_res *r = &net->res[f->res[h]];
            if (r->stamp == ep)
                continue;
            r->stamp = ep;
            if (r->sat != AF_FLOWNET_NIL)
                return false;
            double w = 0;
            for (size_t i = 0; i < r->n_hops; i++) {
                uint32_t e = r->hops[i], t = e >> AF_FLOWNET_HOP_BITS;
                if (net->stamp[t] != ep)
                    return false;
                w += af_flownet_hop_weight(&net->flows[t], e & AF_FLOWNET_HOP_MASK);
            }
            if (!(r->cap_Bps / w > lim))
                return false;
        }
    }
    uint32_t b = af_block_new(net, id);
    for (size_t j = 0; j < a->n_hops; j++) {
        uint32_t s = a->hops[j] >> AF_FLOWNET_HOP_BITS;
        if (net->fblk[s] == b)
            continue; /* it crosses the anchor twice */
        af_flow *f = &net->flows[s];
        if (f->ev.slot) {
            af_sim_cancel(net->sim, f->ev);
            f->ev = (af_event_id){0, 0};
        }
        if (f->fill_Bps != f->rate_Bps || f->bn_moved)
            af_flownet_notify(net, s);
        af_block_join(net, b, s);
    }
    af_block *k = &net->blocks[b];
    k->L = a->cap_Bps / a->blk_w;
    af_block_schedule(net, b);
    return true;
}

/* After a fill: turns every component of it that one resource limits alone into a block. */
void af_flownet_blk_from_fill(af_flownet *net)
{
    if (!net->ps)
        return;
    for (uint32_t i = 0; i < net->n_comp_res; i++) {
        uint32_t id = net->comp_res[i];
        const af_res *r = &net->res[id];
        if (r->sat != AF_FLOWNET_NIL && r->blk == AF_BLK_NONE && r->n_hops)
            af_flownet_try_block(net, id);
    }
}

/* The completion event (timer) of block arg: ends every flow at the front of its clock that is
 * complete now, then runs their callbacks; the flush settles the block. */
static void af_flownet_on_block_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    af_flownet *net = ctx;
    uint32_t b = (uint32_t)arg;
    assert(b < net->n_blocks && net->blocks[b].live);
    af_block *k = &net->blocks[b];
    af_block_advance(net, b);
    size_t n_done = 0;
    while (k->fin.n) {
        uint32_t s = k->fin.a[0].id;
        const af_flow *f = &net->flows[s];
        if (!af_flownet_complete(f, f->size_B - af_block_moved(f, k->V)))
            break;
        af_block_leave(net, s);
        n_done = af_flownet_end_done(net, s, n_done);
    }
    af_block_dirty(net, b);
    af_flownet_run_done(net, n_done);
}
