/*
 * test_flow_blocks: blocks of the flow network (engine/flow) against the max-min fill.
 *
 * A block is a component that one resource (its anchor) limits alone; it runs on one clock
 * instead of being refilled at every change. Issue: blocks must "switch between the two
 * exactly (random instances give the same rates and completion times both ways, to 1e-9
 * relative)". So the main test drives two nets through one random script, one with blocks
 * allowed and one without (af_flownet_set_blocks), and compares what they report: completion
 * times and order, rates, bottlenecks, bytes moved, resource loads and carried units, and the
 * bytes a cancel returns. The instances mix the shapes where blocks form (many flows behind one
 * storage tier) with the ones where they do not or must be dissolved (client NICs near the
 * tier's share, caps near the share, second shared resources, capacity changes to 0 and back),
 * and the test asserts that blocks were made, joined and dissolved, so it cannot pass on a run
 * where no block ever formed. A quarter of the instances put caps, NICs and capacities on the
 * tier's levels C / m, exactly or within 1e-13 to 1e-6 of them, on both sides of the fill's
 * tolerance (rs_tie). Completion callbacks start further flows from a tree drawn with the
 * script, not from a random stream read at each callback, so both nets start the same flows
 * even where two completions at one instant come in a different order.
 *
 * Then small cases with hand-computed answers: equal and weighted flows in one block, a cap that
 * starts to bind when others leave, a flow that joins a block from another component, the
 * anchor's capacity to 0 and back, a non-anchor resource dropping below the level, a long run
 * that rebases the clock, a level falling 30 orders of magnitude under an old clock, a cancel, a
 * zero-size flow, and determinism.
 */
#include "tests/unit/cutest.h"

#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "engine/flow.h"
#include "engine/rng.h"
#include "engine/sim.h"

#define GB 1e9
#define SEC 1000000000LL

/* ---- shared helpers ------------------------------------------------------------------------ */

/* Completion log filled by log_done. */
typedef struct done_log {
    int n;             /* completions logged */
    af_time_ns t[256]; /* completion time of each */
    uint64_t arg[256]; /* callback argument of each */
} done_log;

static void log_done(af_sim *sim, void *ctx, uint64_t arg)
{
    done_log *log = ctx;
    if (log->n < 256) {
        log->t[log->n] = af_sim_now(sim);
        log->arg[log->n] = arg;
    }
    log->n++;
}

/* Starts an uncapped single flow of the given weight with a logging callback. */
static af_flow_id start_w(af_flownet *net, const uint32_t *path, uint32_t n, double size_B,
                          double weight, done_log *log, uint64_t arg)
{
    return af_flownet_start(net, path, n, size_B, weight, 0, 1, log ? log_done : NULL, log, arg);
}

static af_flownet_stats stats_of(af_flownet *net)
{
    af_flownet_stats st;
    af_flownet_get_stats(net, &st);
    return st;
}

/* ---- hand-worked cases --------------------------------------------------------------------- */

/* Eight equal flows of 1 GB on 1 GB/s: one fill makes them one block, which needs one pending
 * event (the block's, for its first flow to finish) instead of eight, and they all finish at
 * size * N / C = 8 s. Every number here is exact in binary (1e9 / 8 = 1.25e8, 1e9 * 1e9 /
 * 1.25e8 = 8e9), so the times are exact to the nanosecond. Then weights 1 and 2 on 3 GB/s get
 * 1 and 2 GB/s; the heavier 1 GB ends at 0.5 s, and the other's last 0.5 GB at 3 GB/s take
 * 1/6 s more, 666666666.67 ns, rounded up to 666666667. */
static void test_equal_flows_one_block(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, "link", 1 * GB);
    done_log log = {0};
    af_flow_id f[8];
    for (int i = 0; i < 8; i++)
        f[i] = start_w(net, &a, 1, 1 * GB, 1, &log, (uint64_t)i);
    af_flownet_flush(net);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 1);
    af_flownet_stats st = stats_of(net);
    CU_ASSERT_EQUAL(st.blocks, 1);
    CU_ASSERT_EQUAL(st.blocks_live, 1);
    CU_ASSERT_EQUAL(st.block_joins, 8);
    CU_ASSERT_EQUAL(st.block_dissolves, 0);
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(af_flownet_rate(net, f[i]), 1.25e8);
        CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f[i]), a);
    }
    CU_ASSERT_EQUAL(af_flownet_resource_load(net, a), 1 * GB);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 8);
    for (int i = 0; i < 8 && i < log.n; i++) {
        CU_ASSERT_EQUAL(log.t[i], 8 * SEC);
        CU_ASSERT_EQUAL(log.arg[i], (uint64_t)i); /* one instant: in start order */
    }
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 8 * GB);
    af_flownet_free(net);
    af_sim_free(sim);

    sim = af_sim_new(0);
    net = af_flownet_new(sim, 0);
    a = af_flownet_resource_add(net, "link", 3 * GB);
    log.n = 0;
    af_flow_id lo = start_w(net, &a, 1, 1 * GB, 1, &log, 1);
    af_flow_id hi = start_w(net, &a, 1, 1 * GB, 2, &log, 2);
    CU_ASSERT_EQUAL(af_flownet_rate(net, lo), 1 * GB);
    CU_ASSERT_EQUAL(af_flownet_rate(net, hi), 2 * GB);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 1);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 2);
    CU_ASSERT_EQUAL(log.arg[0], 2);
    CU_ASSERT_EQUAL(log.t[0], 500000000);
    CU_ASSERT_EQUAL(log.arg[1], 1);
    CU_ASSERT_EQUAL(log.t[1], 666666667);
    st = stats_of(net);
    CU_ASSERT_EQUAL(st.blocks, 1);
    CU_ASSERT_EQUAL(st.block_dissolves, 0);
    CU_ASSERT_EQUAL(st.block_leaves, 2);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* Four flows on 8 GB/s, one capped at 3 GB/s: the fair share 2 GB/s is below the cap, so they
 * form a block. Two of them (2 GB each) end at 1 s; the level of the two left would be 4 GB/s,
 * past the cap, so the block is dissolved and the fill gives the max-min answer: the capped
 * flow 3 GB/s (bottleneck its cap), the other 8 - 3 = 5 GB/s. That one has 7 - 2 = 5 GB left
 * and ends at 2 s. The capped one stays at its cap throughout (alone, it is still below the
 * link): its last 10 - 2 = 8 GB from 1 s take 2666666666.67 ns, so it ends at 3666666667 ns. */
static void test_cap_binds_dissolves(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, "link", 8 * GB);
    done_log log = {0};
    af_flow_id capped = af_flownet_start(net, &a, 1, 10 * GB, 1, 3 * GB, 1, log_done, &log, 0);
    start_w(net, &a, 1, 2 * GB, 1, &log, 1);
    start_w(net, &a, 1, 2 * GB, 1, &log, 2);
    af_flow_id d = start_w(net, &a, 1, 7 * GB, 1, &log, 3);
    CU_ASSERT_EQUAL(af_flownet_rate(net, capped), 2 * GB);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, capped), a);
    CU_ASSERT_EQUAL(stats_of(net).blocks_live, 1);

    af_sim_run(sim, 1 * SEC, 0);
    CU_ASSERT_EQUAL(log.n, 2);
    CU_ASSERT_EQUAL(log.t[0], 1 * SEC);
    CU_ASSERT_EQUAL(log.t[1], 1 * SEC);
    CU_ASSERT_EQUAL(af_flownet_rate(net, capped), 3 * GB);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, capped), AF_FLOWNET_CAPPED);
    CU_ASSERT_EQUAL(af_flownet_rate(net, d), 5 * GB);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, d), a);
    CU_ASSERT_EQUAL(af_flownet_moved(net, capped), 2 * GB);
    af_flownet_stats st = stats_of(net);
    CU_ASSERT_EQUAL(st.block_dissolves, 1);
    CU_ASSERT_EQUAL(st.blocks_live, 0); /* the capped flow is not limited by the link */

    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 4);
    CU_ASSERT_EQUAL(log.arg[2], 3);
    CU_ASSERT_EQUAL(log.t[2], 2 * SEC);
    CU_ASSERT_EQUAL(log.arg[3], 0);
    CU_ASSERT_EQUAL(log.t[3], 3666666667);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 21 * GB);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* A flow that crosses a block's anchor and a resource of another component merges the two, so
 * the block is dissolved and the union is filled. H (6 GB/s) carries a1, a2, a block at 3 GB/s
 * each. S (4 GB/s) carries b1, capped at 1 GB/s, and b2, which gets the other 3 GB/s (not a
 * block: b1 is limited by its cap). c over H and S: as the level rises b1 reaches its cap at 1,
 * then S saturates at (4 - 1) / 2 = 1.5 (b2 and c), below H's (6 - 1.5) / 2 = 2.25 for a1 and a2.
 * Cancelling c restores the first state, and H becomes a block again. Then the same with S a
 * block too (b1 uncapped): S saturates first at 4 / 3 for b1, b2 and c, and a1, a2 get
 * (6 - 4/3) / 2 = 7/3; both blocks are dissolved. */
static void test_join_from_outside_merges(void)
{
    for (int variant = 0; variant < 2; variant++) {
        af_sim *sim = af_sim_new(0);
        af_flownet *net = af_flownet_new(sim, 0);
        uint32_t H = af_flownet_resource_add(net, "H", 6 * GB);
        uint32_t S = af_flownet_resource_add(net, "S", 4 * GB);
        const double huge = 1e15;
        af_flow_id a1 = start_w(net, &H, 1, huge, 1, NULL, 0);
        af_flow_id a2 = start_w(net, &H, 1, huge, 1, NULL, 0);
        af_flow_id b1 =
            af_flownet_start(net, &S, 1, huge, 1, variant == 0 ? 1 * GB : 0, 1, NULL, NULL, 0);
        af_flow_id b2 = start_w(net, &S, 1, huge, 1, NULL, 0);
        af_flownet_flush(net);
        CU_ASSERT_EQUAL(stats_of(net).blocks_live, variant == 0 ? 1 : 2);
        af_sim_run(sim, 1 * SEC, 0);

        uint32_t p[] = {H, S};
        af_flow_id c = start_w(net, p, 2, huge, 1, NULL, 0);
        af_flownet_stats st = stats_of(net);
        CU_ASSERT_EQUAL(st.blocks_live, 0);
        CU_ASSERT_EQUAL(st.block_dissolves, variant == 0 ? 1 : 2);
        if (variant == 0) {
            CU_ASSERT_EQUAL(af_flownet_rate(net, a1), 2.25 * GB);
            CU_ASSERT_EQUAL(af_flownet_rate(net, a2), 2.25 * GB);
            CU_ASSERT_EQUAL(af_flownet_rate(net, b1), 1 * GB);
            CU_ASSERT_EQUAL(af_flownet_bottleneck(net, b1), AF_FLOWNET_CAPPED);
            CU_ASSERT_EQUAL(af_flownet_rate(net, b2), 1.5 * GB);
            CU_ASSERT_EQUAL(af_flownet_rate(net, c), 1.5 * GB);
        } else {
            /* 4/3 and 7/3 are not exact in binary: a few roundings apart from the fill's. */
            AF_ASSERT_REL(af_flownet_rate(net, a1), 7.0 / 3 * GB, 1e-15);
            AF_ASSERT_REL(af_flownet_rate(net, a2), 7.0 / 3 * GB, 1e-15);
            AF_ASSERT_REL(af_flownet_rate(net, b1), 4.0 / 3 * GB, 1e-15);
            CU_ASSERT_EQUAL(af_flownet_bottleneck(net, b1), S);
            AF_ASSERT_REL(af_flownet_rate(net, b2), 4.0 / 3 * GB, 1e-15);
            AF_ASSERT_REL(af_flownet_rate(net, c), 4.0 / 3 * GB, 1e-15);
        }
        CU_ASSERT_EQUAL(af_flownet_bottleneck(net, a1), H);
        CU_ASSERT_EQUAL(af_flownet_bottleneck(net, b2), S);
        CU_ASSERT_EQUAL(af_flownet_bottleneck(net, c), S);
        /* c starts now: nothing moved yet. */
        CU_ASSERT_EQUAL(af_flownet_moved(net, c), 0);
        /* a1 moved 3 GB in the block during the first second. */
        CU_ASSERT_EQUAL(af_flownet_moved(net, a1), 3 * GB);

        af_sim_run(sim, 2 * SEC, 0);
        AF_ASSERT_REL(af_flownet_cancel(net, c), variant == 0 ? 1.5 * GB : 4.0 / 3 * GB, 1e-15);
        CU_ASSERT_EQUAL(af_flownet_rate(net, a1), 3 * GB);
        CU_ASSERT_EQUAL(af_flownet_rate(net, b2), variant == 0 ? 3 * GB : 2 * GB);
        st = stats_of(net);
        CU_ASSERT_EQUAL(st.blocks_live, variant == 0 ? 1 : 2);
        AF_ASSERT_REL(af_flownet_moved(net, a1), variant == 0 ? 5.25 * GB : (3 + 7.0 / 3) * GB,
                      1e-15);
        af_flownet_free(net);
        af_sim_free(sim);
    }
}

/* A capacity change made by an event, so that the clock reaches its time even when no flow has
 * an event pending (af_sim_run leaves the clock at the last event when the queue runs empty). */
typedef struct cap_change {
    af_flownet *net;
    uint32_t r;
    double cap;
} cap_change;

static void ev_cap_change(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    const cap_change *c = ctx;
    af_flownet_set_capacity(c->net, c->r, c->cap);
}

/* Two flows of 1 GB on 1 GB/s (0.5 GB/s each). At 1 s the link fails (capacity 0): each has
 * moved 0.5 GB, the block is dissolved (its level would be 0), no event is pending and nothing
 * completes while it is down. At 3 s it comes back at 2 GB/s: a new block, 1 GB/s each, and the
 * 0.5 GB left take 0.5 s, so both complete at 3.5 s exactly. */
static void test_anchor_to_zero_and_back(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, "link", 1 * GB);
    done_log log = {0};
    af_flow_id f0 = start_w(net, &a, 1, 1 * GB, 1, &log, 0);
    af_flow_id f1 = start_w(net, &a, 1, 1 * GB, 1, &log, 1);
    cap_change down = {net, a, 0}, up = {net, a, 2 * GB};
    af_sim_at(sim, 1 * SEC, ev_cap_change, &down, 0);
    af_sim_at(sim, 3 * SEC, ev_cap_change, &up, 0);
    af_sim_run(sim, 1 * SEC, 0);
    CU_ASSERT_EQUAL(af_sim_now(sim), 1 * SEC);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f0), 0);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f1), 0);
    CU_ASSERT_EQUAL(af_flownet_moved(net, f0), 0.5 * GB);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 1); /* only the repair */
    af_flownet_stats st = stats_of(net);
    CU_ASSERT_EQUAL(st.block_dissolves, 1);
    CU_ASSERT_EQUAL(st.blocks_live, 0);
    af_sim_run(sim, 3 * SEC - 1, 0);
    CU_ASSERT_EQUAL(log.n, 0);
    CU_ASSERT_EQUAL(af_flownet_moved(net, f1), 0.5 * GB);
    af_sim_run(sim, 3 * SEC, 0);
    CU_ASSERT_EQUAL(af_sim_now(sim), 3 * SEC);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f0), 1 * GB);
    st = stats_of(net);
    CU_ASSERT_EQUAL(st.blocks, 2);
    CU_ASSERT_EQUAL(st.blocks_live, 1);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 2);
    CU_ASSERT_EQUAL(log.t[0], 3500000000);
    CU_ASSERT_EQUAL(log.t[1], 3500000000);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 2 * GB);

    /* The same outage on a block's anchor while the block has one flow left and the capacity
     * comes back at the same instant it went: nothing moves, nothing is lost. */
    log.n = 0;
    af_flow_id g = start_w(net, &a, 1, 4 * GB, 1, &log, 7);
    af_sim_run(sim, 4 * SEC, 0); /* 0.5 s at 2 GB/s: 1 GB moved */
    af_flownet_set_capacity(net, a, 0);
    af_flownet_set_capacity(net, a, 2 * GB);
    CU_ASSERT_EQUAL(af_flownet_rate(net, g), 2 * GB);
    CU_ASSERT_EQUAL(af_flownet_moved(net, g), 1 * GB);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 1);
    CU_ASSERT_EQUAL(log.t[0], 5500000000);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* A block anchored at H (4 GB/s), each flow also crossing its own NIC (10 GB/s): 2 GB/s each.
 * At 1 s f1's NIC drops to 1 GB/s, below the level: the block is dissolved; f1 gets 1 GB/s
 * (bottleneck its NIC) and f2 the other 3 GB/s of H. f1 had 1 GB left and ends at 2 s; f2 had
 * 6 GB left, moves 3 GB by 2 s, then alone gets 4 GB/s (H), its last 3 GB taking 0.75 s: it ends
 * at 2.75 s. */
static void test_nonanchor_drop_dissolves(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t H = af_flownet_resource_add(net, "H", 4 * GB);
    uint32_t n1 = af_flownet_resource_add(net, "n1", 10 * GB);
    uint32_t n2 = af_flownet_resource_add(net, "n2", 10 * GB);
    done_log log = {0};
    uint32_t p1[] = {n1, H}, p2[] = {H, n2};
    af_flow_id f1 = start_w(net, p1, 2, 3 * GB, 1, &log, 1);
    af_flow_id f2 = start_w(net, p2, 2, 8 * GB, 1, &log, 2);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f1), 2 * GB);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f1), H);
    CU_ASSERT_EQUAL(stats_of(net).blocks_live, 1);
    af_sim_run(sim, 1 * SEC, 0);
    af_flownet_set_capacity(net, n1, 1 * GB);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f1), 1 * GB);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f1), n1);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f2), 3 * GB);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f2), H);
    CU_ASSERT_EQUAL(af_flownet_resource_load(net, n1), 1 * GB);
    CU_ASSERT_EQUAL(af_flownet_resource_load(net, H), 4 * GB);
    af_flownet_stats st = stats_of(net);
    CU_ASSERT_EQUAL(st.block_dissolves, 1);
    CU_ASSERT_EQUAL(st.blocks_live, 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 2);
    CU_ASSERT_EQUAL(log.arg[0], 1);
    CU_ASSERT_EQUAL(log.t[0], 2 * SEC);
    CU_ASSERT_EQUAL(log.arg[1], 2);
    CU_ASSERT_EQUAL(log.t[1], 2750000000);
    /* f2 alone was a block again for its last 0.75 s. */
    CU_ASSERT_EQUAL(stats_of(net).blocks, 2);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, H), 11 * GB);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, n1), 3 * GB);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* The chain of small flows of test_rebase: each completion starts the next, until n have run. */
typedef struct chain {
    af_flownet *net;
    uint32_t link;
    uint32_t left;     /* small flows still to start */
    uint64_t done;     /* small flows completed */
    af_time_ns last_t; /* completion time of the last small flow */
    af_time_ns big_t;  /* completion time of the big flow (-1 until then) */
} chain;

static void chain_done(af_sim *sim, void *ctx, uint64_t arg);

static void chain_start_small(chain *c)
{
    if (c->left) {
        c->left--;
        af_flownet_start(c->net, &c->link, 1, 1e6, 1, 0, 1, chain_done, c, 0);
    }
}

/* arg 1: the big flow; arg 0: a small one, whose completion starts the next. */
static void chain_done(af_sim *sim, void *ctx, uint64_t arg)
{
    chain *c = ctx;
    if (arg == 1) {
        c->big_t = af_sim_now(sim);
        return;
    }
    c->done++;
    c->last_t = af_sim_now(sim);
    chain_start_small(c);
}

/* 1e5 flows of 1 MB, one after the other, beside one 1 TB flow on 1 GB/s: each small flow gets
 * 0.5 GB/s for exactly 2 ms, so the smalls end at 200 s, by which the big one has moved 1e5 MB
 * = 1e11 B; its last 9e11 B at 1 GB/s take 900 s: it ends at 1100 s = 1.1e12 ns. The block's
 * clock passes 256 times the small flow's span (1 MB per unit weight) every 256 flows, so it is
 * rebased about 390 times; the big flow's time must stay within 1 ns per 1e9 ns of the closed
 * form, with blocks and without. */
static void test_rebase_long_run(void)
{
    for (int blocks = 1; blocks >= 0; blocks--) {
        af_sim *sim = af_sim_new(0);
        af_flownet *net = af_flownet_new(sim, 0);
        af_flownet_set_blocks(net, blocks);
        chain c = {.net = net, .link = af_flownet_resource_add(net, "link", 1 * GB),
                   .left = 100000, .big_t = -1};
        af_flownet_start(net, &c.link, 1, 1e12, 1, 0, 1, chain_done, &c, 1);
        chain_start_small(&c);
        CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
        CU_ASSERT_EQUAL(c.done, 100000);
        /* 1 ns per 1e9 ns of the closed form: 200 ns at 200 s, 1100 ns at 1100 s. */
        CU_ASSERT(llabs(c.last_t - 200 * SEC) <= 200);
        CU_ASSERT(llabs(c.big_t - 1100 * SEC) <= 1100);
        af_flownet_stats st = stats_of(net);
        if (blocks) {
            CU_ASSERT_EQUAL(st.blocks, 1);
            CU_ASSERT_EQUAL(st.block_dissolves, 0);
            CU_ASSERT(st.block_rebases > 0);
            CU_ASSERT_EQUAL(st.block_joins, 100001);
        } else {
            CU_ASSERT_EQUAL(st.blocks, 0);
        }
        CU_ASSERT_EQUAL(af_flownet_resource_carried(net, c.link), 1e12 + 1e11);
        af_flownet_free(net);
        af_sim_free(sim);
    }
}

/* A level that falls by 30 orders of magnitude under a clock grown at the old level: the
 * advances must not be lost to the clock's rounding (fuzz findings holds-devices-tiny-drain-weight
 * and holds-devices-under-failures: a heavy, large flow joined a block whose clock light flows had
 * run up, the level fell 1e16-fold, the clock stopped, and the tier's devices were credited
 * nothing while saturated). The joining flow is large, so that its span (bytes per unit weight)
 * is far above the clock and the rebase at AF_FLOWNET_REBASE spans does not come first. Two
 * cases, each with blocks and without:
 *   scales: 10 device-s/s; A (4e-3 units per byte) alone for 1000 s at 2500 B/s (clock 2.5e6),
 *   then B (1e30 units per byte, 1e10 B) joins: both get 10 / (1e30 + 4e-3) = 1e-29 B/s, so at
 *   2000 s B has moved 1e-26 B and the devices carried 1e4 + 1e4 = 2e4 units (10 x 2000 s);
 *   weights: 1 B/s; A of weight 1e-30 alone for 1 s (clock 1e30), then B of weight 1 and 1e40 B
 *   joins: B gets 1 / (1 + 1e-30) = 1 B/s, so at 2 s it has moved 1 B and the link carried 2 B.
 * A cancel of B then returns what it moved. Before the fix, B moved 0 B in both with blocks
 * (the clock stayed at 2.5e6 and 1e30) and the resource carried only A's first phase. */
static void ev_nothing(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)ctx;
    (void)arg;
}

/* Runs sim up to time t with its clock there, even where no flow has an event before then. */
static void run_to(af_sim *sim, af_time_ns t)
{
    af_sim_at(sim, t, ev_nothing, NULL, 0);
    af_sim_run(sim, t, 0);
    CU_ASSERT_EQUAL(af_sim_now(sim), t);
}

static void test_level_falls_far(void)
{
    for (int blocks = 1; blocks >= 0; blocks--) {
        for (int weights = 0; weights <= 1; weights++) {
            af_sim *sim = af_sim_new(0);
            af_flownet *net = af_flownet_new(sim, 0);
            af_flownet_set_blocks(net, blocks);
            uint32_t dev = af_flownet_resource_add(net, "devices", weights ? 1 : 10);
            double sa = weights ? 1 : 4e-3, sb = weights ? 1 : 1e30;
            double wa = weights ? 1e-30 : 1, size_b = weights ? 1e40 : 1e10;
            af_time_ns t_join = weights ? SEC : 1000 * SEC;
            done_log log = {0};
            af_flow_id a = af_flownet_start_scaled(net, &dev, &sa, 1, 1e30, wa, 0, 1, log_done,
                                                   &log, 0);
            run_to(sim, t_join);
            af_flow_id b = af_flownet_start_scaled(net, &dev, &sb, 1, size_b, 1, 0, 1, log_done,
                                                   &log, 1);
            run_to(sim, 2 * t_join);
            double moved_b = weights ? 1 : 1e-26, carried = weights ? 2 : 2e4;
            CU_ASSERT_DOUBLE_EQUAL(af_flownet_moved(net, b), moved_b, 1e-9 * moved_b);
            CU_ASSERT_DOUBLE_EQUAL(af_flownet_resource_carried(net, dev), carried, 1e-9 * carried);
            if (blocks)
                CU_ASSERT(stats_of(net).blocks_live == 1);
            CU_ASSERT_DOUBLE_EQUAL(af_flownet_cancel(net, b), moved_b, 1e-9 * moved_b);
            CU_ASSERT_EQUAL(log.n, 0);
            CU_ASSERT(af_flownet_live(net, a));
            af_flownet_free(net);
            af_sim_free(sim);
        }
    }
}

/* Cancels in a block return weight * clock exactly when the numbers are exact in binary. Three
 * flows of weight 1 on 3 GB/s: at 2.5 s one has moved 2.5 GB; the other two then get 1.5 GB/s
 * for their last 7.5 GB, 5 s: they end at 7.5 s. Weights 1, 2, 3 on 6 GB/s: level 1 GB/s per
 * unit weight; at 1.25 s the weight-3 flow has moved 3.75 GB. */
static void test_cancel_in_block(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, "link", 3 * GB);
    done_log log = {0};
    af_flow_id f[3];
    for (int i = 0; i < 3; i++)
        f[i] = start_w(net, &a, 1, 10 * GB, 1, &log, (uint64_t)i);
    af_sim_run(sim, 2500000000, 0);
    CU_ASSERT_EQUAL(af_flownet_cancel(net, f[1]), 2.5 * GB);
    CU_ASSERT_EQUAL(af_flownet_cancel(net, f[1]), -1);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f[0]), 1.5 * GB);
    CU_ASSERT_EQUAL(stats_of(net).block_leaves, 1);
    CU_ASSERT_EQUAL(stats_of(net).blocks_live, 1);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 2);
    CU_ASSERT_EQUAL(log.t[0], 7500000000);
    CU_ASSERT_EQUAL(log.t[1], 7500000000);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 22.5 * GB);
    af_flownet_free(net);
    af_sim_free(sim);

    sim = af_sim_new(0);
    net = af_flownet_new(sim, 0);
    a = af_flownet_resource_add(net, "link", 6 * GB);
    for (int i = 0; i < 3; i++)
        f[i] = start_w(net, &a, 1, 100 * GB, i + 1, NULL, 0);
    af_sim_run(sim, 1250000000, 0);
    CU_ASSERT_EQUAL(af_flownet_moved(net, f[0]), 1.25 * GB);
    CU_ASSERT_EQUAL(af_flownet_cancel(net, f[2]), 3.75 * GB);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f[1]), 4 * GB);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 7.5 * GB);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* A zero-size flow started on a block's anchor joins the block and completes at the instant it
 * started; the others keep their times. Two 2 GB flows on 2 GB/s end at 2 s. */
static void test_zero_size_joins(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, "link", 2 * GB);
    done_log log = {0};
    start_w(net, &a, 1, 2 * GB, 1, &log, 0);
    start_w(net, &a, 1, 2 * GB, 1, &log, 1);
    af_sim_run(sim, 1 * SEC, 0);
    CU_ASSERT_EQUAL(stats_of(net).block_joins, 2);
    af_flow_id z = start_w(net, &a, 1, 0, 1, &log, 9);
    af_flownet_flush(net);
    af_flownet_stats st = stats_of(net);
    CU_ASSERT_EQUAL(st.block_joins, 3);
    CU_ASSERT_EQUAL(st.blocks, 1);
    CU_ASSERT_EQUAL(st.block_dissolves, 0);
    CU_ASSERT(af_flownet_live(net, z));
    af_sim_run(sim, 1 * SEC, 0);
    CU_ASSERT_EQUAL(log.n, 1);
    CU_ASSERT_EQUAL(log.arg[0], 9);
    CU_ASSERT_EQUAL(log.t[0], 1 * SEC);
    CU_ASSERT(!af_flownet_live(net, z));
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 3);
    CU_ASSERT_EQUAL(log.t[1], 2 * SEC);
    CU_ASSERT_EQUAL(log.t[2], 2 * SEC);
    CU_ASSERT_EQUAL(stats_of(net).block_dissolves, 0);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* ---- random scripts, blocks on and off ----------------------------------------------------- */

#define R_MAX_RES 12
#define R_MAX_FLOWS 120
#define R_MAX_PATH 4
#define R_MAX_EV 40 /* 2 per capacity change (6), 2 toggles, the samples, 6 cancels */
#define R_MAX_SAMPLES 16

/* Shapes of the random instances. */
enum {
    RS_SINGLE,   /* one link: blocks, dissolved by caps near the share */
    RS_TIER,     /* a storage tier (resource 0) and client NICs, fat or near the tier's share */
    RS_SPINE,    /* a tier, its clients and one or two spines crossed by some flows */
    RS_TWO_HUBS, /* two tiers; some flows cross both */
    RS_RANDOM,   /* paths of 1 to 3 random resources */
    RS_SHAPES
};

/* A flow of a script. */
typedef struct rs_flow {
    uint32_t path[R_MAX_PATH];
    double scale[R_MAX_PATH];
    uint32_t n_path;
    bool scaled;         /* scale passed to the net (else NULL, all 1) */
    double size, weight, cap;
    uint32_t k;
    bool scheduled;      /* starts at t_start; else at its parent's completion */
    af_time_ns t_start;
    uint32_t first_child, n_child; /* started by its completion (not by a cancel) */
} rs_flow;

enum { RE_CANCEL, RE_CAP, RE_SAMPLE, RE_BLOCKS_OFF, RE_BLOCKS_ON };

/* A scripted event. RE_CANCEL: cancel flow `target` if it is well inside its transfer (see
 * rs_cancel); RE_CAP: set resource `target` to `value`; RE_SAMPLE: sample `target` at the end
 * of the instant; RE_BLOCKS_OFF / ON: forbid or allow blocks in the net that allows them. */
typedef struct rs_event {
    int kind;
    af_time_ns t;
    uint32_t target;
    double value;
} rs_event;

typedef struct rs_script {
    int shape;
    uint32_t n_res;
    double cap0[R_MAX_RES];
    double cap_max[R_MAX_RES]; /* the largest capacity the resource ever has */
    uint32_t n_flows;
    rs_flow f[R_MAX_FLOWS];
    uint32_t n_ev;
    rs_event ev[R_MAX_EV];
    uint32_t n_samples;
} rs_script;

/* What one net reported at a sample. */
typedef struct rs_sample {
    bool taken;
    af_time_ns t;
    bool live[R_MAX_FLOWS];
    double rate[R_MAX_FLOWS], moved[R_MAX_FLOWS];
    uint32_t bn[R_MAX_FLOWS];
    double cap[R_MAX_RES], load[R_MAX_RES], carried[R_MAX_RES];
} rs_sample;

/* One net run through a script. */
typedef struct rs_run {
    const rs_script *sc;
    af_sim *sim;
    af_flownet *net;
    bool blocks;
    af_flow_id id[R_MAX_FLOWS];
    bool started[R_MAX_FLOWS], done[R_MAX_FLOWS], cancelled[R_MAX_FLOWS];
    af_time_ns t_start[R_MAX_FLOWS], t_done[R_MAX_FLOWS], t_cancel[R_MAX_FLOWS];
    double cancel_moved[R_MAX_FLOWS];
    uint32_t n_started;
    uint32_t start_seq[R_MAX_FLOWS]; /* order in which the flows started */
    uint32_t n_log;
    uint32_t log_f[R_MAX_FLOWS];
    af_time_ns log_t[R_MAX_FLOWS];
    uint64_t log_ev[R_MAX_FLOWS]; /* af_sim_events_run at the callback: one per event */
    uint32_t pending[R_MAX_SAMPLES]; /* samples to take when the instant ends */
    uint32_t n_pending;
    rs_sample sample[R_MAX_SAMPLES];
    af_flownet_stats st;
    af_run_status status;
    int errors; /* callbacks that cannot happen (a flow completing twice, ...) */
} rs_run;

/* 10^U(lo, hi). */
static double upow(gsl_rng *r, double lo, double hi)
{
    return pow(10, lo + (hi - lo) * gsl_rng_uniform(r));
}

static double unif(gsl_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * gsl_rng_uniform(r);
}

/* Per-instance knobs that make blocks form or fail. */
typedef struct rs_knobs {
    double hub;       /* capacity of resource 0 */
    double share;     /* rough fair share of a flow of weight 1 on it */
    double size;      /* typical flow size */
    double p_cap;     /* probability that a flow has a cap */
    double p_near;    /* probability that a client NIC is near the share (else fat) */
    double p_scaled;  /* probability that a flow has scales */
    double p_wide;    /* probability of a weight far from 1 */
    double p_group;   /* probability of k > 1 */
    uint32_t n_cli;   /* client NICs (ids 1 + hubs ...) */
    uint32_t n_hubs;  /* 1 or 2 (ids 0, 1) */
    uint32_t n_spine; /* spines after the clients */
    uint32_t n_init;  /* flows started by the script itself */
    bool tie;         /* caps and NICs at C / m * (1 + delta): see rs_tie */
} rs_knobs;

/* In a "tie" instance weights are 1 or 2 and groups single, so the tier's level is C / m for
 * small integers m as flows come and go, and caps, client NICs and capacity changes are put at
 * such a level times 1 + delta, delta in {0, +-1e-13, +-1e-11, +-1e-8, +-1e-6}: exactly on the
 * level, within the fill's tolerance AF_FLOWNET_EPS = 1e-12 of it (where a block must not be
 * kept), just outside it (where it may), and far enough below that a block ignoring the limit
 * would break the 1e-9 comparison. Random real values almost never come that close. */
static double rs_delta(gsl_rng *r)
{
    static const double delta[] = {0, 1e-13, -1e-13, 1e-11, -1e-11, 1e-8, -1e-8, 1e-6, -1e-6};
    return 1 + delta[gsl_rng_uniform_int(r, 9)];
}

/* A level of the tier, C / m for a small m, times w and 1 + delta. */
static double rs_tie(gsl_rng *r, const rs_knobs *kn, double w)
{
    uint32_t m = 1 + (uint32_t)gsl_rng_uniform_int(r, kn->n_init + 2);
    return w * kn->hub / m * rs_delta(r);
}

/* Draws the parameters of flow i. */
static void rs_draw_flow(rs_script *sc, const rs_knobs *kn, gsl_rng *r, uint32_t i)
{
    rs_flow *f = &sc->f[i];
    memset(f, 0, sizeof(*f));
    uint32_t n = 0;
    uint32_t cli0 = kn->n_hubs, spine0 = kn->n_hubs + kn->n_cli;
    switch (sc->shape) {
    case RS_SINGLE:
        f->path[n++] = 0;
        if (gsl_rng_uniform(r) < 0.05)
            f->path[n++] = 0; /* crosses it twice */
        break;
    case RS_TIER:
    case RS_SPINE:
    case RS_TWO_HUBS: {
        uint32_t hub = 0;
        if (sc->shape == RS_TWO_HUBS)
            hub = gsl_rng_uniform(r) < 0.5 ? 0 : 1;
        uint32_t cli = cli0 + (uint32_t)gsl_rng_uniform_int(r, kn->n_cli);
        /* Either order: the bottleneck reported among ties is the lowest id, not the first
         * hop, and the search must not depend on the order either. */
        if (gsl_rng_uniform(r) < 0.5) {
            f->path[n++] = hub;
            f->path[n++] = cli;
        } else {
            f->path[n++] = cli;
            f->path[n++] = hub;
        }
        if (sc->shape == RS_TWO_HUBS && gsl_rng_uniform(r) < 0.2)
            f->path[n++] = 1 - hub;
        if (sc->shape == RS_SPINE && gsl_rng_uniform(r) < 0.3)
            f->path[n++] = spine0 + (uint32_t)gsl_rng_uniform_int(r, kn->n_spine);
        if (gsl_rng_uniform(r) < 0.03)
            f->path[n++] = hub; /* a read and a write of one tier */
        break;
    }
    default: {
        uint32_t len = 1 + (uint32_t)gsl_rng_uniform_int(r, sc->n_res < 3 ? sc->n_res : 3);
        while (n < len) {
            uint32_t x = (uint32_t)gsl_rng_uniform_int(r, sc->n_res);
            bool dup = false;
            for (uint32_t j = 0; j < n; j++)
                dup |= f->path[j] == x;
            if (!dup)
                f->path[n++] = x;
        }
        break;
    }
    }
    f->n_path = n;

    double u;
    for (uint32_t h = 0; h < n; h++)
        f->scale[h] = 1;
    if (kn->tie) {
        f->weight = gsl_rng_uniform(r) < 0.8 ? 1 : 2;
        f->k = 1;
        if (gsl_rng_uniform(r) < kn->p_cap)
            f->cap = rs_tie(r, kn, f->weight);
    } else {
        u = gsl_rng_uniform(r);
        f->weight = u < 1 - kn->p_wide ? (double[]){1, 1, 1, 0.5, 2, 3}[gsl_rng_uniform_int(r, 6)]
                    : u < 1 - kn->p_wide / 5 ? upow(r, -3, 3)
                                             : (gsl_rng_uniform(r) < 0.5 ? 1e-6 : 1e6);
        u = gsl_rng_uniform(r);
        f->k = u < 1 - kn->p_group       ? 1
               : u < 1 - kn->p_group / 3 ? 2 + (uint32_t)gsl_rng_uniform_int(r, 15)
                                         : (uint32_t)round(upow(r, 0, 4));
        f->scaled = gsl_rng_uniform(r) < kn->p_scaled;
        for (uint32_t h = 0; f->scaled && h < n; h++)
            if (gsl_rng_uniform(r) < 0.7)
                f->scale[h] = gsl_rng_uniform(r) < 0.9 ? unif(r, 0.1, 4) : upow(r, -3, 3);
        if (gsl_rng_uniform(r) < kn->p_cap)
            f->cap = gsl_rng_uniform(r) < 0.6 ? f->weight * kn->share * unif(r, 0.5, 2)
                                              : upow(r, 6, 11);
        if (gsl_rng_uniform(r) < 0.02) { /* no path, only a cap */
            f->n_path = n = 0;
            f->cap = kn->share * unif(r, 0.1, 2);
        }
    }

    u = gsl_rng_uniform(r);
    f->size = u < 0.05   ? 0
              : u < 0.1  ? floor(upow(r, 0, 4))
              : u < 0.12 ? 1e12
                         : floor(fmin(1e12, kn->size * upow(r, -1.5, 0.3)));
    /* Alone, at the smallest capacity its resources ever have, no flow takes more than 1e4 s,
     * so every run ends well within the clock however the flows share. */
    double alone = f->cap > 0 ? f->cap : INFINITY;
    for (uint32_t h = 0; h < n; h++) {
        double lo = sc->cap0[f->path[h]];
        for (uint32_t e = 0; e < sc->n_ev; e++)
            if (sc->ev[e].kind == RE_CAP && sc->ev[e].target == f->path[h] && sc->ev[e].value > 0)
                lo = fmin(lo, sc->ev[e].value);
        alone = fmin(alone, lo / (f->scale[h] * f->k));
    }
    f->size = fmin(f->size, floor(1e4 * alone));
}

/* Draws script `seed`. Resources first, then the scripted events (so that sizes can be bounded
 * by the smallest capacity each resource will have), then the flows: initial ones (at 0 or at a
 * random time) and children started by their parents' completions. */
static void rs_draw(rs_script *sc, uint64_t seed)
{
    memset(sc, 0, sizeof(*sc));
    gsl_rng *r = af_rng_new(seed, "test_flow_blocks.script");
    sc->shape = (int)gsl_rng_uniform_int(r, RS_SHAPES);
    rs_knobs kn = {0};
    uint32_t n_init = 1 + (uint32_t)gsl_rng_uniform_int(r, 24);
    kn.n_init = n_init;
    kn.tie = gsl_rng_uniform(r) < 0.25 && sc->shape != RS_RANDOM;
    kn.hub = floor(upow(r, 8.5, 10.5));
    kn.share = kn.hub / n_init;
    kn.size = upow(r, 5, 11.5);
    kn.p_cap = (double[]){0, 0.1, 0.3}[gsl_rng_uniform_int(r, 3)];
    kn.p_near = (double[]){0, 0.3, 0.8}[gsl_rng_uniform_int(r, 3)];
    kn.p_scaled = (double[]){0, 0.25}[gsl_rng_uniform_int(r, 2)];
    kn.p_wide = (double[]){0, 0.1, 0.3}[gsl_rng_uniform_int(r, 3)];
    kn.p_group = (double[]){0, 0.2, 0.4}[gsl_rng_uniform_int(r, 3)];
    kn.n_hubs = sc->shape == RS_TWO_HUBS ? 2 : 1;
    kn.n_cli = sc->shape == RS_SINGLE || sc->shape == RS_RANDOM
                   ? 0
                   : 1 + (uint32_t)gsl_rng_uniform_int(r, 6);
    kn.n_spine = sc->shape == RS_SPINE ? 1 + (uint32_t)gsl_rng_uniform_int(r, 2) : 0;
    sc->n_res = kn.n_hubs + kn.n_cli + kn.n_spine;
    if (sc->shape == RS_RANDOM)
        sc->n_res = 2 + (uint32_t)gsl_rng_uniform_int(r, 7);
    for (uint32_t i = 0; i < sc->n_res; i++) {
        double c = kn.hub;
        if (sc->shape == RS_RANDOM || (i > 0 && i < kn.n_hubs))
            c = floor(kn.hub * upow(r, -0.5, 0.5));
        else if (i >= kn.n_hubs && i < kn.n_hubs + kn.n_cli && kn.tie)
            c = gsl_rng_uniform(r) < 0.5 ? rs_tie(r, &kn, 1) : floor(kn.hub * unif(r, 2, 20));
        else if (i >= kn.n_hubs && i < kn.n_hubs + kn.n_cli)
            c = gsl_rng_uniform(r) < kn.p_near ? floor(kn.share * unif(r, 0.5, 2))
                                               : floor(kn.hub * unif(r, 2, 20));
        else if (i >= kn.n_hubs + kn.n_cli)
            c = floor(kn.hub * unif(r, 0.3, 2));
        sc->cap0[i] = fmax(c, 1);
        sc->cap_max[i] = sc->cap0[i];
    }

    /* The time scale: about how long the initial flows take on the tier. */
    double horizon_s = n_init * kn.size / kn.hub * unif(r, 0.3, 3);
    af_time_ns H = (af_time_ns)fmax(horizon_s * 1e9, 1000);
#define RS_T(lo, hi) ((af_time_ns)((double)H * unif(r, (lo), (hi))))
    uint32_t n_cancel = (uint32_t)gsl_rng_uniform_int(r, 7);
    uint32_t n_capch = (uint32_t)gsl_rng_uniform_int(r, 7);
    for (uint32_t i = 0; i < n_capch; i++) {
        uint32_t res = (uint32_t)gsl_rng_uniform_int(r, sc->n_res);
        af_time_ns t = RS_T(0, 1.2);
        double u = gsl_rng_uniform(r), v;
        if (u < 0.25) {
            /* An outage, and its repair (to the old capacity or a new one). */
            sc->ev[sc->n_ev++] = (rs_event){RE_CAP, t, res, 0};
            v = gsl_rng_uniform(r) < 0.5 ? sc->cap0[res] : floor(sc->cap0[res] * unif(r, 0.5, 2));
            t += RS_T(0, 0.3);
        } else if (kn.tie && u < 0.6) {
            /* A client NIC on a level the tier may reach; the tier at a/b of its capacity
             * (a, b in 1..3) times 1 + delta, which moves its levels onto or off the caps and
             * NICs. */
            if (res < kn.n_hubs)
                v = kn.hub * (double)(1 + gsl_rng_uniform_int(r, 3)) /
                    (double)(1 + gsl_rng_uniform_int(r, 3)) * rs_delta(r);
            else
                v = rs_tie(r, &kn, 1);
        } else if (u < 0.6) {
            /* Near the share a flow of the tier gets: caps and NICs start or stop binding. */
            v = floor((res < kn.n_hubs ? kn.hub : kn.share) * unif(r, 0.5, 2));
        } else {
            v = floor(sc->cap0[res] * upow(r, -0.7, 0.7));
        }
        v = fmax(v, 1);
        sc->ev[sc->n_ev++] = (rs_event){RE_CAP, t, res, v};
        sc->cap_max[res] = fmax(sc->cap_max[res], v);
    }
    if (gsl_rng_uniform(r) < 0.2) {
        af_time_ns t = RS_T(0, 1);
        sc->ev[sc->n_ev++] = (rs_event){RE_BLOCKS_OFF, t, 0, 0};
        sc->ev[sc->n_ev++] = (rs_event){RE_BLOCKS_ON, t + RS_T(0, 0.5), 0, 0};
    }
    sc->n_samples = R_MAX_SAMPLES;
    for (uint32_t i = 0; i < sc->n_samples; i++)
        sc->ev[sc->n_ev++] = (rs_event){RE_SAMPLE, RS_T(0, 1.5), i, 0};

    /* Flows. A cancel names any flow of the script (it may not have started, or be done). */
    for (uint32_t i = 0; i < n_init; i++) {
        rs_draw_flow(sc, &kn, r, i);
        sc->f[i].scheduled = true;
        sc->f[i].t_start = gsl_rng_uniform(r) < 0.5 ? 0 : RS_T(0, 1);
    }
    sc->n_flows = n_init;
    for (uint32_t p = 0; p < sc->n_flows && sc->n_flows < R_MAX_FLOWS; p++) {
        double u = gsl_rng_uniform(r);
        uint32_t c = u < 0.4 ? 0 : u < 0.8 ? 1 : 2;
        if (c > R_MAX_FLOWS - sc->n_flows)
            c = R_MAX_FLOWS - sc->n_flows;
        sc->f[p].first_child = sc->n_flows;
        sc->f[p].n_child = c;
        for (uint32_t j = 0; j < c; j++)
            rs_draw_flow(sc, &kn, r, sc->n_flows++);
    }
    for (uint32_t i = 0; i < n_cancel; i++)
        sc->ev[sc->n_ev++] =
            (rs_event){RE_CANCEL, RS_T(0, 1.5),
                       (uint32_t)gsl_rng_uniform_int(r, sc->n_flows), 0};
#undef RS_T
    af_rng_free(r);
}

static void rs_done(af_sim *sim, void *ctx, uint64_t arg);

static void rs_start(rs_run *run, uint32_t i)
{
    const rs_flow *f = &run->sc->f[i];
    if (run->started[i]) {
        run->errors++;
        return;
    }
    run->id[i] = af_flownet_start_scaled(run->net, f->path, f->scaled ? f->scale : NULL,
                                         f->n_path, f->size, f->weight, f->cap, f->k, rs_done,
                                         run, i);
    run->started[i] = true;
    run->t_start[i] = af_sim_now(run->sim);
    run->start_seq[i] = run->n_started++;
}

static void rs_done(af_sim *sim, void *ctx, uint64_t arg)
{
    rs_run *run = ctx;
    uint32_t i = (uint32_t)arg;
    if (!run->started[i] || run->done[i] || run->cancelled[i] ||
        af_flownet_live(run->net, run->id[i]))
        run->errors++;
    run->done[i] = true;
    run->t_done[i] = af_sim_now(sim);
    run->log_f[run->n_log] = i;
    run->log_ev[run->n_log] = af_sim_events_run(sim);
    run->log_t[run->n_log++] = af_sim_now(sim);
    const rs_flow *f = &run->sc->f[i];
    for (uint32_t c = 0; c < f->n_child; c++)
        rs_start(run, f->first_child + c);
}

/* Cancels flow i if it is live and well inside its transfer: started at least `margin` ago and
 * with more than a millionth of its bytes, and `margin` at its rate, left. The two nets may
 * place a completion, and so a child's start, a few nanoseconds apart (the completion tolerance
 * of the comparison); the margin, a thousand times that, makes both take the same decision. */
static void rs_cancel(rs_run *run, uint32_t i)
{
    if (!run->started[i] || !af_flownet_live(run->net, run->id[i]))
        return;
    af_time_ns now = af_sim_now(run->sim);
    double margin_ns = 1000 + 1e-6 * (double)now;
    if ((double)(now - run->t_start[i]) < margin_ns)
        return;
    double left = af_flownet_left(run->net, run->id[i]);
    double rate = af_flownet_rate(run->net, run->id[i]);
    if (left <= 1e-6 * run->sc->f[i].size + rate * margin_ns / 1e9)
        return;
    run->cancel_moved[i] = af_flownet_cancel(run->net, run->id[i]);
    run->cancelled[i] = true;
    run->t_cancel[i] = now;
}

static void rs_take(rs_run *run, rs_sample *s)
{
    const rs_script *sc = run->sc;
    s->taken = true;
    s->t = af_sim_now(run->sim);
    for (uint32_t i = 0; i < sc->n_flows; i++) {
        s->live[i] = run->started[i] && af_flownet_live(run->net, run->id[i]);
        if (!s->live[i])
            continue;
        s->rate[i] = af_flownet_rate(run->net, run->id[i]);
        s->moved[i] = af_flownet_moved(run->net, run->id[i]);
        s->bn[i] = af_flownet_bottleneck(run->net, run->id[i]);
    }
    for (uint32_t r = 0; r < sc->n_res; r++) {
        s->cap[r] = af_flownet_resource_capacity(run->net, r);
        s->load[r] = af_flownet_resource_load(run->net, r);
        s->carried[r] = af_flownet_resource_carried(run->net, r);
    }
}

/* Samples are taken when their instant ends, after every completion and start of that instant:
 * a sample event and a completion at one nanosecond run in an order that depends on when each
 * was scheduled, which differs between the nets. */
static void rs_sample_hook(af_sim *sim, void *ctx)
{
    (void)sim;
    rs_run *run = ctx;
    for (uint32_t i = 0; i < run->n_pending; i++)
        rs_take(run, &run->sample[run->pending[i]]);
    run->n_pending = 0;
}

#define RS_EV_START 0
#define RS_EV_SCRIPT 1

static void rs_event_fn(af_sim *sim, void *ctx, uint64_t arg)
{
    rs_run *run = ctx;
    uint32_t i = (uint32_t)arg;
    if (arg >> 32 == RS_EV_START) {
        rs_start(run, i);
        return;
    }
    const rs_event *e = &run->sc->ev[i];
    switch (e->kind) {
    case RE_CANCEL:
        rs_cancel(run, e->target);
        break;
    case RE_CAP:
        af_flownet_set_capacity(run->net, e->target, e->value);
        break;
    case RE_SAMPLE:
        if (run->n_pending == 0)
            af_sim_at_instant_end(sim, rs_sample_hook, run);
        run->pending[run->n_pending++] = e->target;
        break;
    case RE_BLOCKS_OFF:
    case RE_BLOCKS_ON:
        if (run->blocks)
            af_flownet_set_blocks(run->net, e->kind == RE_BLOCKS_ON);
        break;
    default:
        break;
    }
}

/* Runs script sc on a fresh net (blocks allowed or not) to the end. */
static void rs_run_script(rs_run *run, const rs_script *sc, bool blocks)
{
    memset(run, 0, sizeof(*run));
    run->sc = sc;
    run->blocks = blocks;
    run->sim = af_sim_new(0);
    run->net = af_flownet_new(run->sim, 0);
    af_flownet_set_blocks(run->net, blocks);
    for (uint32_t r = 0; r < sc->n_res; r++)
        af_flownet_resource_add(run->net, NULL, sc->cap0[r]);
    for (uint32_t i = 0; i < sc->n_flows; i++)
        if (sc->f[i].scheduled)
            af_sim_at(run->sim, sc->f[i].t_start, rs_event_fn, run,
                      (uint64_t)RS_EV_START << 32 | i);
    for (uint32_t e = 0; e < sc->n_ev; e++)
        af_sim_at(run->sim, sc->ev[e].t, rs_event_fn, run, (uint64_t)RS_EV_SCRIPT << 32 | e);
    run->status = af_sim_run(run->sim, AF_TIME_MAX, 10000000);
    af_flownet_get_stats(run->net, &run->st);
}

static void rs_free(rs_run *run)
{
    af_flownet_free(run->net);
    af_sim_free(run->sim);
    run->net = NULL;
    run->sim = NULL;
}

/* What the comparison of the random runs found, over all instances. */
typedef struct rs_tally {
    uint64_t instances;
    uint64_t with_blocks, with_dissolves, with_rebases;
    uint64_t blocks, joins, dissolves, settles;
    uint64_t completions, times_equal; /* completions in both; those at the same nanosecond */
    af_time_ns max_skew;                /* largest completion time difference, ns */
    double max_time_rel;                /* largest difference / time */
    uint64_t inversions;                /* pairs completed in a different order (ties) */
    uint64_t same_instant_inversions;   /* of those, pairs at one instant in both nets */
    uint64_t samples, samples_skipped, flows_compared, bn_ties;
    uint64_t flows_unshifted;           /* readings with no completion shifted before them */
    double worst_moved;                 /* largest |moved difference| / its tolerance */
    double max_rate_rel, max_moved_rel, max_load_rel;
    uint64_t cancels;
    uint64_t failures;
} rs_tally;

/* Reports a failed comparison (the first few in detail, so that a failure can be reproduced
 * from its seed). */
#define RS_BAD(t, seed, ...)                                                                       \
    do {                                                                                           \
        if ((t)->failures++ < 10) {                                                                \
            fprintf(stderr, "\n  seed %" PRIu64 ": ", (seed));                                     \
            fprintf(stderr, __VA_ARGS__);                                                          \
        }                                                                                          \
    } while (0)

/* The completion tolerance of the issue: |t1 - t2| <= 1e-9 * t + 1 ns. A completion time is
 * now + ceil(bytes left / rate) with both factors equal to about 1e-15 in the two nets (the block
 * clock and the fill's progress round differently), so the ceiling can land one nanosecond
 * apart. Such a nanosecond is amplified where rates are far apart: when a group of weight 1e6
 * ends 1 ns later in one net, a light flow keeps its rate of 1.5 kB/s, not 1e8 B/s, for that
 * nanosecond, and is 0.1 B behind, which at its later rate of 2.7 MB/s is 41 ns (seed 265 of the
 * random test). The largest difference seen is about 1e-11 of t; 1e-9 of t is also the
 * completion tolerance of flow.h (AF_FLOWNET_TOL_REL), by which either net may end a flow early
 * together with another. */
static double rs_time_tol(af_time_ns t)
{
    return 1e-9 * (double)t + 1;
}

/* Whether limit bn is tight for flow i in sample s: its cap reached, or bn on its path,
 * saturated, and no flow on bn with a larger rate per unit weight. "Tight" is to 1e-11: the fill
 * and the block treat levels within AF_FLOWNET_EPS = 1e-12 as one, and the loads recomputed
 * here from rates add a few roundings; two limits both tight to 1e-11 are a tie, where the two
 * nets may name either. */
static bool rs_tight(const rs_script *sc, const rs_sample *s, uint32_t i, uint32_t bn,
                     const double *load, const double *top)
{
    const rs_flow *f = &sc->f[i];
    const double tol = 1e-11;
    if (bn == AF_FLOWNET_CAPPED)
        return f->cap > 0 && s->rate[i] >= f->cap * (1 - tol);
    bool on = false;
    for (uint32_t h = 0; h < f->n_path; h++)
        on |= f->path[h] == bn;
    return on && load[bn] >= s->cap[bn] * (1 - tol) &&
           s->rate[i] / f->weight >= top[bn] * (1 - tol);
}

/* Loads and the top rate per unit weight of each resource, from a sample's rates. */
static void rs_loads(const rs_script *sc, const rs_sample *s, double *load, double *top)
{
    for (uint32_t r = 0; r < sc->n_res; r++)
        load[r] = top[r] = 0;
    for (uint32_t i = 0; i < sc->n_flows; i++) {
        if (!s->live[i])
            continue;
        const rs_flow *f = &sc->f[i];
        for (uint32_t h = 0; h < f->n_path; h++) {
            load[f->path[h]] += f->scale[h] * f->k * s->rate[i];
            top[f->path[h]] = fmax(top[f->path[h]], s->rate[i] / f->weight);
        }
    }
}

/* The most flow i can ever move per second: its cap, and on each hop the largest capacity the
 * resource ever has over the units a byte costs there. */
static double rs_rate_bound(const rs_script *sc, uint32_t i)
{
    const rs_flow *f = &sc->f[i];
    double x = f->cap > 0 ? f->cap : INFINITY;
    for (uint32_t h = 0; h < f->n_path; h++)
        x = fmin(x, sc->cap_max[f->path[h]] / (f->scale[h] * f->k));
    return x;
}

static double rs_rel(double a, double b)
{
    double m = fmax(fabs(a), fabs(b));
    return m > 0 ? fabs(a - b) / m : 0;
}

/* Checks one run on its own: it ran to the end, every flow started completed or was cancelled,
 * and each resource carried exactly what its flows asked for (scale * k * size for a completed
 * flow, scale * k * the bytes its cancel returned for a cancelled one). The credits are sums of
 * at most 4 * R_MAX_FLOWS terms, each rounded to 2^-53 of the running sum, in an order that the
 * test does not know: within 4 * 120 * 2^-53 = 5.3e-14 of each other, so 1e-12 relative. */
static void rs_check_run(uint64_t seed, const rs_run *run, rs_tally *t)
{
    const rs_script *sc = run->sc;
    if (run->status != AF_RUN_EMPTY || run->errors)
        RS_BAD(t, seed, "run (blocks %d) ended with status %d, %d errors", run->blocks,
               (int)run->status, run->errors);
    /* Flows that one completion event ends call back in the order they started (flow.h,
     * Completion); callbacks of one event see one value of af_sim_events_run. */
    for (uint32_t j = 1; j < run->n_log; j++)
        if (run->log_ev[j] == run->log_ev[j - 1] &&
            run->start_seq[run->log_f[j]] < run->start_seq[run->log_f[j - 1]])
            RS_BAD(t, seed, "(blocks %d) flows %u, %u end in one event out of start order",
                   run->blocks, run->log_f[j - 1], run->log_f[j]);
    double want[R_MAX_RES] = {0};
    for (uint32_t i = 0; i < sc->n_flows; i++) {
        const rs_flow *f = &sc->f[i];
        if (run->started[i] && run->done[i] == run->cancelled[i])
            RS_BAD(t, seed, "flow %u (blocks %d) neither completed nor cancelled", i,
                   run->blocks);
        double b = run->done[i] ? f->size : run->cancelled[i] ? run->cancel_moved[i] : 0;
        for (uint32_t h = 0; h < f->n_path; h++)
            want[f->path[h]] += f->scale[h] * f->k * b;
    }
    for (uint32_t r = 0; r < sc->n_res; r++) {
        double c = af_flownet_resource_carried(run->net, r);
        if (!(fabs(c - want[r]) <= 1e-12 * want[r]))
            RS_BAD(t, seed, "resource %u (blocks %d) carried %.17g, flows asked %.17g", r,
                   run->blocks, c, want[r]);
        if (af_flownet_resource_flows(run->net, r) != 0 ||
            af_flownet_resource_load(run->net, r) != 0)
            RS_BAD(t, seed, "resource %u (blocks %d) has flows or load at the end", r,
                   run->blocks);
    }
    if (run->st.flows_live != 0 || run->st.blocks_live != 0)
        RS_BAD(t, seed, "(blocks %d) %u flows, %u blocks live at the end", run->blocks,
               run->st.flows_live, run->st.blocks_live);
}

/* Progress depends on when rates changed: a completion d ns later in one net shifts the rate
 * changes of its component (and the starts of its children) by d, which moves any flow's bytes
 * by at most 2 * (its largest rate) * d and a resource's units by at most 2 * (its largest
 * capacity) * d. Returns the sum of those d over the completions up to time T, in seconds. */
static double rs_shift_s(const rs_script *sc, const rs_run *a, const rs_run *b,
                         const double *skew, af_time_ns T)
{
    double s = 0;
    for (uint32_t i = 0; i < sc->n_flows; i++)
        if (a->done[i] && b->done[i] &&
            (a->t_done[i] < b->t_done[i] ? a->t_done[i] : b->t_done[i]) <= T)
            s += skew[i];
    return s / 1e9;
}

/* Compares run a (blocks off) with run b (blocks on). */
static void rs_compare(uint64_t seed, const rs_script *sc, const rs_run *a, const rs_run *b,
                       rs_tally *t)
{
    /* Fates: the same flows start, complete and are cancelled. */
    for (uint32_t i = 0; i < sc->n_flows; i++)
        if (a->started[i] != b->started[i] || a->done[i] != b->done[i] ||
            a->cancelled[i] != b->cancelled[i])
            RS_BAD(t, seed, "flow %u: started %d/%d done %d/%d cancelled %d/%d", i,
                   a->started[i], b->started[i], a->done[i], b->done[i], a->cancelled[i],
                   b->cancelled[i]);
    /* Completion times. skew[i]: how far apart flow i completed in the two nets. */
    double skew[R_MAX_FLOWS] = {0};
    uint32_t pos_b[R_MAX_FLOWS];
    for (uint32_t j = 0; j < b->n_log; j++)
        pos_b[b->log_f[j]] = j;
    for (uint32_t i = 0; i < sc->n_flows; i++) {
        if (!a->done[i] || !b->done[i])
            continue;
        af_time_ns ta = a->t_done[i], tb = b->t_done[i];
        af_time_ns d = ta > tb ? ta - tb : tb - ta, tm = ta > tb ? ta : tb;
        skew[i] = (double)d;
        t->completions++;
        t->times_equal += d == 0;
        if (d > t->max_skew)
            t->max_skew = d;
        if (tm > 0 && (double)d / (double)tm > t->max_time_rel)
            t->max_time_rel = (double)d / (double)tm;
        if ((double)d > rs_time_tol(tm))
            RS_BAD(t, seed, "flow %u completes at %" PRId64 " ns without blocks, %" PRId64
                   " ns with", i, ta, tb);
    }
    /* Order: two flows may complete in a different order only if they complete within the
     * tolerance of each other in both nets (a tie broken by rounding). At one instant the
     * flows that one event ends are in start order (checked in rs_check_run); flows of
     * different components end in events of their own, whose order at one instant follows when
     * each was scheduled, and that differs between the nets (a block's event is set when the
     * block settles, before the fill schedules its flows'), so such pairs are only counted. */
    for (uint32_t x = 0; x < a->n_log; x++)
        for (uint32_t y = x + 1; y < a->n_log; y++) {
            uint32_t i = a->log_f[x], j = a->log_f[y];
            if (!b->done[i] || !b->done[j] || pos_b[i] < pos_b[j])
                continue;
            t->inversions++;
            af_time_ns da = a->t_done[j] - a->t_done[i], db = b->t_done[i] - b->t_done[j];
            t->same_instant_inversions += da == 0 && db == 0;
            if ((double)da > rs_time_tol(a->t_done[j]) || (double)db > rs_time_tol(b->t_done[i]))
                RS_BAD(t, seed, "flows %u, %u complete in a different order, %" PRId64
                       " and %" PRId64 " ns apart", i, j, da, db);
        }
    for (uint32_t i = 0; i < sc->n_flows; i++) {
        if (!a->cancelled[i] || !b->cancelled[i])
            continue;
        t->cancels++;
        double ma = a->cancel_moved[i], mb = b->cancel_moved[i];
        double tol = 1e-9 * fmax(ma, mb) + 1e-12 * sc->f[i].size +
                     2 * rs_rate_bound(sc, i) * rs_shift_s(sc, a, b, skew, a->t_cancel[i]);
        if (!(fabs(ma - mb) <= tol))
            RS_BAD(t, seed, "cancel of flow %u returns %.17g without blocks, %.17g with", i, ma,
                   mb);
    }
    /* Units every flow of the script would put on each resource. */
    double asked[R_MAX_RES] = {0};
    for (uint32_t i = 0; i < sc->n_flows; i++)
        for (uint32_t h = 0; h < sc->f[i].n_path; h++)
            asked[sc->f[i].path[h]] += sc->f[i].scale[h] * sc->f[i].k * sc->f[i].size;
    /* Samples: where both nets have the same flows live, the same rates (they depend only on
     * the flows and the capacities), bottlenecks (up to ties), progress and loads. Rates: 1e-9
     * relative, and an absolute 1e-13 of the capacity per unit of the flow's use of it, since
     * the fill subtracts frozen loads from capacities, which leaves about 2^-53 of the capacity
     * per subtraction (at most R_MAX_FLOWS hops: 1.3e-14). Bytes moved: 1e-9 relative and the
     * shift above, plus 1e-12 of the flow's size: the block clock rounds to 256 * 2^-53 of the
     * smallest span of its block, which is at most 2.8e-14 of any flow's bytes per change. */
    for (uint32_t s = 0; s < sc->n_samples; s++) {
        const rs_sample *sa = &a->sample[s], *sb = &b->sample[s];
        if (!sa->taken || !sb->taken) {
            RS_BAD(t, seed, "sample %u not taken", s);
            continue;
        }
        t->samples++;
        bool same = sa->t == sb->t;
        for (uint32_t i = 0; i < sc->n_flows; i++)
            same &= sa->live[i] == sb->live[i];
        if (!same) {
            /* A completion within the tolerance of the sample's instant in one net and after
             * it in the other: the completion comparison above covers it. */
            t->samples_skipped++;
            continue;
        }
        double shift = rs_shift_s(sc, a, b, skew, sa->t);
        double load_a[R_MAX_RES], top_a[R_MAX_RES], load_b[R_MAX_RES], top_b[R_MAX_RES];
        rs_loads(sc, sa, load_a, top_a);
        rs_loads(sc, sb, load_b, top_b);
        for (uint32_t i = 0; i < sc->n_flows; i++) {
            if (!sa->live[i])
                continue;
            const rs_flow *f = &sc->f[i];
            t->flows_compared++;
            double floor_rate = 0;
            for (uint32_t h = 0; h < f->n_path; h++)
                floor_rate = fmax(floor_rate, 1e-13 * sc->cap_max[f->path[h]] /
                                                  (f->scale[h] * f->k));
            double ra = sa->rate[i], rb = sb->rate[i];
            if (!(fabs(ra - rb) <= 1e-9 * fmax(ra, rb) + floor_rate))
                RS_BAD(t, seed, "sample %u at %" PRId64 " ns: flow %u rate %.17g without "
                       "blocks, %.17g with", s, sa->t, i, ra, rb);
            if (fabs(ra - rb) > floor_rate && rs_rel(ra, rb) > t->max_rate_rel)
                t->max_rate_rel = rs_rel(ra, rb);
            double ma = sa->moved[i], mb = sb->moved[i];
            double tol = 1e-9 * fmax(ma, mb) + 1e-12 * f->size + 2 * rs_rate_bound(sc, i) * shift;
            t->flows_unshifted += shift == 0;
            if (fabs(ma - mb) / tol > t->worst_moved)
                t->worst_moved = fabs(ma - mb) / tol;
            if (!(fabs(ma - mb) <= tol))
                RS_BAD(t, seed, "sample %u at %" PRId64 " ns: flow %u moved %.17g without "
                       "blocks, %.17g with (shift %g s)", s, sa->t, i, ma, mb, shift);
            if (shift == 0 && fabs(ma - mb) > 1e-12 * f->size && rs_rel(ma, mb) > t->max_moved_rel)
                t->max_moved_rel = rs_rel(ma, mb);
            if (sa->bn[i] != sb->bn[i]) {
                bool tie = rs_tight(sc, sa, i, sa->bn[i], load_a, top_a) &&
                           rs_tight(sc, sa, i, sb->bn[i], load_a, top_a) &&
                           rs_tight(sc, sb, i, sa->bn[i], load_b, top_b) &&
                           rs_tight(sc, sb, i, sb->bn[i], load_b, top_b);
                t->bn_ties += tie;
                if (!tie)
                    RS_BAD(t, seed, "sample %u at %" PRId64 " ns: flow %u bottleneck %u "
                           "without blocks, %u with", s, sa->t, i, sa->bn[i], sb->bn[i]);
            }
        }
        for (uint32_t r = 0; r < sc->n_res; r++) {
            double la = sa->load[r], lb = sb->load[r];
            if (!(fabs(la - lb) <= 1e-9 * fmax(la, lb) + 1e-13 * sc->cap_max[r]))
                RS_BAD(t, seed, "sample %u at %" PRId64 " ns: resource %u load %.17g without "
                       "blocks, %.17g with", s, sa->t, r, la, lb);
            if (fabs(la - lb) > 1e-13 * sc->cap_max[r] && rs_rel(la, lb) > t->max_load_rel)
                t->max_load_rel = rs_rel(la, lb);
            double ca = sa->carried[r], cb = sb->carried[r];
            double tol = 1e-9 * fmax(ca, cb) + 1e-12 * asked[r] + 2 * sc->cap_max[r] * shift;
            if (!(fabs(ca - cb) <= tol))
                RS_BAD(t, seed, "sample %u at %" PRId64 " ns: resource %u carried %.17g "
                       "without blocks, %.17g with", s, sa->t, r, ca, cb);
        }
    }
    if (a->st.blocks != 0 || a->st.block_joins != 0)
        RS_BAD(t, seed, "the net without blocks made %" PRIu64 " blocks", a->st.blocks);
}

/* One instance: the script, its two runs, their checks and comparison. */
static void rs_instance(uint64_t seed, rs_tally *t)
{
    rs_script *sc = af_calloc(1, sizeof(*sc));
    rs_run *a = af_calloc(1, sizeof(*a)), *b = af_calloc(1, sizeof(*b));
    rs_draw(sc, seed);
    rs_run_script(a, sc, false);
    rs_run_script(b, sc, true);
    rs_check_run(seed, a, t);
    rs_check_run(seed, b, t);
    rs_compare(seed, sc, a, b, t);
    t->instances++;
    t->with_blocks += b->st.blocks > 0;
    t->with_dissolves += b->st.block_dissolves > 0;
    t->with_rebases += b->st.block_rebases > 0;
    t->blocks += b->st.blocks;
    t->joins += b->st.block_joins;
    t->dissolves += b->st.block_dissolves;
    t->settles += b->st.block_settles;
    rs_free(a);
    rs_free(b);
    af_free(a);
    af_free(b);
    af_free(sc);
}

#define RS_INSTANCES 1000

/* The main test: RS_INSTANCES random scripts, each run with blocks off and on. */
static void test_random_equivalence(void)
{
    rs_tally t = {0};
    for (uint64_t seed = 1; seed <= RS_INSTANCES; seed++)
        rs_instance(seed, &t);
    fprintf(stderr,
            "\n  %" PRIu64 " instances: %" PRIu64 " made blocks, %" PRIu64 " dissolved one, %"
            PRIu64 " rebased; %" PRIu64 " blocks, %" PRIu64 " joins, %" PRIu64 " settles, %"
            PRIu64 " dissolves\n",
            t.instances, t.with_blocks, t.with_dissolves, t.with_rebases, t.blocks, t.joins,
            t.settles, t.dissolves);
    fprintf(stderr,
            "  %" PRIu64 " completions, %" PRIu64 " at the same ns, largest difference %" PRId64
            " ns (%.3g relative), %" PRIu64 " order inversions (%" PRIu64 " at one instant); %"
            PRIu64 " cancels\n",
            t.completions, t.times_equal, t.max_skew, t.max_time_rel, t.inversions,
            t.same_instant_inversions, t.cancels);
    fprintf(stderr,
            "  %" PRIu64 " samples (%" PRIu64 " skipped), %" PRIu64 " flow readings (%" PRIu64
            " with no shifted completion before), %" PRIu64 " bottleneck ties\n"
            "  largest relative differences: rate %.3g, moved %.3g (unshifted), load %.3g; "
            "largest moved difference %.3g of its tolerance\n",
            t.samples, t.samples_skipped, t.flows_compared, t.flows_unshifted, t.bn_ties,
            t.max_rate_rel, t.max_moved_rel, t.max_load_rel, t.worst_moved);
    CU_ASSERT_EQUAL(t.failures, 0);
    /* Not vacuous: blocks were made, joined and dissolved in many instances, and most samples
     * were compared (a sample is skipped only when a completion falls within a few ns of it). */
    CU_ASSERT(t.with_blocks > RS_INSTANCES / 2);
    CU_ASSERT(t.with_dissolves > RS_INSTANCES / 10);
    CU_ASSERT(t.joins > t.blocks);
    CU_ASSERT(t.samples_skipped * 20 < t.samples);
    CU_ASSERT(t.flows_compared > 10000);
    CU_ASSERT(t.cancels > 100);
}

/* The same script twice (blocks on) gives byte-identical logs, cancels and samples. */
static void test_determinism(void)
{
    rs_script *sc = af_calloc(1, sizeof(*sc));
    rs_run *a = af_calloc(1, sizeof(*a)), *b = af_calloc(1, sizeof(*b));
    for (uint64_t seed = 1; seed <= 20; seed++) {
        rs_draw(sc, seed);
        rs_run_script(a, sc, true);
        rs_run_script(b, sc, true);
        CU_ASSERT_EQUAL(a->n_log, b->n_log);
        CU_ASSERT(memcmp(a->log_f, b->log_f, sizeof(a->log_f)) == 0);
        CU_ASSERT(memcmp(a->log_t, b->log_t, sizeof(a->log_t)) == 0);
        CU_ASSERT(memcmp(a->cancel_moved, b->cancel_moved, sizeof(a->cancel_moved)) == 0);
        for (uint32_t s = 0; s < sc->n_samples; s++) {
            const rs_sample *sa = &a->sample[s], *sb = &b->sample[s];
            CU_ASSERT(sa->taken && sb->taken && sa->t == sb->t);
            CU_ASSERT(memcmp(sa->live, sb->live, sizeof(sa->live)) == 0);
            CU_ASSERT(memcmp(sa->rate, sb->rate, sizeof(sa->rate)) == 0);
            CU_ASSERT(memcmp(sa->moved, sb->moved, sizeof(sa->moved)) == 0);
            CU_ASSERT(memcmp(sa->bn, sb->bn, sizeof(sa->bn)) == 0);
            CU_ASSERT(memcmp(sa->load, sb->load, sizeof(sa->load)) == 0);
            CU_ASSERT(memcmp(sa->carried, sb->carried, sizeof(sa->carried)) == 0);
        }
        CU_ASSERT(memcmp(&a->st, &b->st, sizeof(a->st)) == 0);
        rs_free(a);
        rs_free(b);
    }
    af_free(a);
    af_free(b);
    af_free(sc);
}

static const af_test tests[] = {
    {"eight equal flows are one block with one event; weights 1:2", test_equal_flows_one_block},
    {"a cap that binds once others leave dissolves the block", test_cap_binds_dissolves},
    {"a flow joining from another component merges and dissolves", test_join_from_outside_merges},
    {"the anchor at capacity 0 and back: exact times", test_anchor_to_zero_and_back},
    {"a NIC dropping below the level dissolves the block", test_nonanchor_drop_dissolves},
    {"1e5 small flows beside a 1 TB one: rebases, exact time", test_rebase_long_run},
    {"a level 1e30 times lower under an old clock: nothing lost", test_level_falls_far},
    {"a cancel in a block returns weight * clock", test_cancel_in_block},
    {"a zero-size flow joins a block and completes at once", test_zero_size_joins},
    {"random scripts: the same with blocks and without", test_random_equivalence},
    {"the same script twice: byte-identical", test_determinism},
    {NULL, NULL}};

AF_TEST_MAIN("flow_blocks", tests)
