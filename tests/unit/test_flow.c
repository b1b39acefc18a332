/*
 * test_flow: the fluid bandwidth-sharing core (engine/flow).
 *
 * Hand-worked examples with exact rates and exact completion times (one bottleneck, two
 * bottlenecks, weights, caps, groups, cancel, capacity changes, per-hop scales), then properties
 * on random instances drawn from a fixed-seed GSL stream, half of whose flows have random
 * per-hop scales in [0.1, 4]: no resource above capacity (sum of scale * k * rate), every flow
 * at its cap or on a saturated resource where its rate per unit weight is the largest (the
 * characterisation of weighted max-min fairness, Bertsekas & Gallager 6.5.2), the incremental
 * solution equal to one computed from scratch, every flow completing, units carried on each
 * resource equal to the sum of scale * k * size asked for, and two identical runs giving
 * identical logs.
 */
#include "tests/unit/cutest.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "engine/flow.h"
#include "engine/rng.h"
#include "engine/sim.h"
#include "engine/sim_internal.h"

#define GB 1e9
#define SEC 1000000000LL

/* ---- shared helpers ------------------------------------------------------------------------ */

/* Completion log filled by log_done. */
typedef struct done_log {
    int n;              /* completions logged */
    af_time_ns t[4096]; /* completion time of each */
    uint64_t arg[4096]; /* callback argument of each */
} done_log;

static void log_done(af_sim *sim, void *ctx, uint64_t arg)
{
    done_log *log = ctx;
    if (log->n < 4096) {
        log->t[log->n] = af_sim_now(sim);
        log->arg[log->n] = arg;
    }
    log->n++;
}

/* Starts an uncapped weight-1 single flow with a logging callback. */
static af_flow_id start1(af_flownet *net, const uint32_t *path, uint32_t n, double size_B,
                         done_log *log, uint64_t arg)
{
    return af_flownet_start(net, path, n, size_B, 1, 0, 1, log ? log_done : NULL, log, arg);
}

/* ---- hand-worked examples ------------------------------------------------------------------ */

static void test_one_bottleneck(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, "link", 9 * GB);
    CU_ASSERT_EQUAL(a, 0);
    CU_ASSERT_STRING_EQUAL(af_flownet_resource_name(net, a), "link");
    af_flow_id f[3];
    for (int i = 0; i < 3; i++)
        f[i] = start1(net, &a, 1, 100 * GB, NULL, 0);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(af_flownet_rate(net, f[i]), 3 * GB);
        CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f[i]), a);
        CU_ASSERT(af_flownet_live(net, f[i]));
    }
    AF_ASSERT_REL(af_flownet_resource_load(net, a), 9 * GB, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_utilization(net, a), 1.0, 1e-15);
    CU_ASSERT_EQUAL(af_flownet_resource_flows(net, a), 3);
    af_flownet_free(net);
    af_sim_free(sim);
}

static void test_two_bottlenecks(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t A = af_flownet_resource_add(net, "A", 10);
    uint32_t B = af_flownet_resource_add(net, "B", 4);
    uint32_t p1[] = {A}, p2[] = {A, B}, p3[] = {B};
    af_flow_id f1 = start1(net, p1, 1, 1e6, NULL, 0);
    af_flow_id f2 = start1(net, p2, 2, 1e6, NULL, 0);
    af_flow_id f3 = start1(net, p3, 1, 1e6, NULL, 0);
    AF_ASSERT_REL(af_flownet_rate(net, f1), 8, 1e-15);
    AF_ASSERT_REL(af_flownet_rate(net, f2), 2, 1e-15);
    AF_ASSERT_REL(af_flownet_rate(net, f3), 2, 1e-15);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f1), A);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f2), B);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f3), B);
    AF_ASSERT_REL(af_flownet_resource_load(net, A), 10, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_load(net, B), 4, 1e-15);
    af_flownet_free(net);
    af_sim_free(sim);
}

static void test_weights(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 8 * GB);
    CU_ASSERT_PTR_NULL(af_flownet_resource_name(net, a));
    af_flow_id lo = af_flownet_start(net, &a, 1, 1e12, 1, 0, 1, NULL, NULL, 0);
    af_flow_id hi = af_flownet_start(net, &a, 1, 1e12, 3, 0, 1, NULL, NULL, 0);
    CU_ASSERT_EQUAL(af_flownet_rate(net, lo), 2 * GB);
    CU_ASSERT_EQUAL(af_flownet_rate(net, hi), 6 * GB);
    af_flownet_free(net);
    af_sim_free(sim);
}

static void test_cap(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 10 * GB);
    af_flow_id c = af_flownet_start(net, &a, 1, 1e12, 1, 2 * GB, 1, NULL, NULL, 0);
    af_flow_id f = af_flownet_start(net, &a, 1, 1e12, 1, 0, 1, NULL, NULL, 0);
    af_flow_id g = af_flownet_start(net, &a, 1, 1e12, 1, 100 * GB, 1, NULL, NULL, 0);
    CU_ASSERT_EQUAL(af_flownet_rate(net, c), 2 * GB);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f), 4 * GB);
    CU_ASSERT_EQUAL(af_flownet_rate(net, g), 4 * GB);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, c), AF_FLOWNET_CAPPED);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f), a);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, g), a);
    /* A flow with no path runs at its cap: 1 GB at 1 GB/s completes at exactly 1 s. */
    done_log log = {0};
    af_flownet_start(net, NULL, 0, 1 * GB, 1, 1 * GB, 1, log_done, &log, 7);
    af_sim_run(sim, 2 * SEC, 0);
    CU_ASSERT_EQUAL(log.n, 1);
    CU_ASSERT_EQUAL(log.t[0], 1 * SEC);
    CU_ASSERT_EQUAL(log.arg[0], 7);
    af_flownet_free(net);
    af_sim_free(sim);
}

static void test_group(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 10 * GB);
    done_log log = {0};
    af_flow_id g = af_flownet_start(net, &a, 1, 4 * GB, 1, 0, 4, log_done, &log, 1);
    af_flow_id s = af_flownet_start(net, &a, 1, 4 * GB, 1, 0, 1, log_done, &log, 2);
    CU_ASSERT_EQUAL(af_flownet_rate(net, g), 2 * GB); /* per member; the group takes 8 GB/s */
    CU_ASSERT_EQUAL(af_flownet_rate(net, s), 2 * GB);
    AF_ASSERT_REL(af_flownet_resource_load(net, a), 10 * GB, 1e-15);
    CU_ASSERT_EQUAL(af_flownet_resource_flows(net, a), 2);
    /* Both reach 4 GB per member at 2 s together; the group carries 16 GB, the single 4 GB. */
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(log.n, 2);
    CU_ASSERT_EQUAL(log.t[0], 2 * SEC);
    CU_ASSERT_EQUAL(log.t[1], 2 * SEC);
    CU_ASSERT_EQUAL(log.arg[0], 1);
    CU_ASSERT_EQUAL(log.arg[1], 2);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 20 * GB);

    /* A weight-2 group of 4 against a weight-1 single: level 10/9 GB/s per unit weight. */
    g = af_flownet_start(net, &a, 1, 1e12, 2, 0, 4, NULL, NULL, 0);
    s = af_flownet_start(net, &a, 1, 1e12, 1, 0, 1, NULL, NULL, 0);
    AF_ASSERT_REL(af_flownet_rate(net, g), 20 * GB / 9, 1e-15);
    AF_ASSERT_REL(af_flownet_rate(net, s), 10 * GB / 9, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_load(net, a), 10 * GB, 1e-15);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* A flow whose path names a resource twice counts twice on it. */
static void test_repeated_resource(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 9);
    uint32_t p2[] = {a, a};
    af_flow_id twice = start1(net, p2, 2, 1e6, NULL, 0);
    af_flow_id once = start1(net, &a, 1, 1e6, NULL, 0);
    AF_ASSERT_REL(af_flownet_rate(net, twice), 3, 1e-15);
    AF_ASSERT_REL(af_flownet_rate(net, once), 3, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_load(net, a), 9, 1e-15);
    CU_ASSERT_EQUAL(af_flownet_resource_flows(net, a), 3);
    CU_ASSERT(af_flownet_cancel(net, twice) == 0);
    AF_ASSERT_REL(af_flownet_rate(net, once), 9, 1e-15);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* Among resources that saturate at the same level the bottleneck is the lowest id. */
static void test_bottleneck_tie(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 5 * GB);
    uint32_t b = af_flownet_resource_add(net, NULL, 5 * GB);
    uint32_t ba[] = {b, a}, ab[] = {a, b};
    af_flow_id f = start1(net, ba, 2, 1e12, NULL, 0);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f), a);
    af_flow_id g = start1(net, ab, 2, 1e12, NULL, 0);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f), a);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, g), a);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* Context of the scripted events below. */
typedef struct script {
    af_flownet *net;
    uint32_t res[4];
    af_flow_id ids[8];
    double moved[8];
    done_log log;
} script;

static void ev_start_second(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    script *sc = ctx;
    sc->ids[arg] = start1(sc->net, sc->res, 1, 10 * GB, &sc->log, arg);
}

static void test_completion_times(void)
{
    af_sim *sim = af_sim_new(0);
    script sc = {0};
    sc.net = af_flownet_new(sim, 0);
    sc.res[0] = af_flownet_resource_add(sc.net, "link", 10 * GB);
    /* 10 GB alone on 10 GB/s: exactly 1 s. */
    start1(sc.net, sc.res, 1, 10 * GB, &sc.log, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(sc.log.n, 1);
    CU_ASSERT_EQUAL(sc.log.t[0], 1 * SEC);
    CU_ASSERT_EQUAL(af_sim_now(sim), 1 * SEC);

    af_flownet_free(sc.net);
    af_sim_free(sim);

    /* Fresh: a second 10 GB flow joins at 0.5 s and halves the rate, so the first completes at
     * 1.5 s (5 GB alone, then 5 GB at half rate) and the second, alone again, at 2 s. */
    sim = af_sim_new(0);
    sc = (script){.net = af_flownet_new(sim, 0)};
    sc.res[0] = af_flownet_resource_add(sc.net, "link", 10 * GB);
    sc.ids[0] = start1(sc.net, sc.res, 1, 10 * GB, &sc.log, 0);
    af_sim_at(sim, SEC / 2, ev_start_second, &sc, 1);
    af_sim_run(sim, SEC, 0);
    AF_ASSERT_REL(af_flownet_left(sc.net, sc.ids[0]), 2.5 * GB, 1e-15);
    AF_ASSERT_REL(af_flownet_left(sc.net, sc.ids[1]), 7.5 * GB, 1e-15);
    CU_ASSERT_EQUAL(af_flownet_rate(sc.net, sc.ids[0]), 5 * GB);
    AF_ASSERT_REL(af_flownet_resource_carried(sc.net, sc.res[0]), 10 * GB, 1e-15);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(sc.log.n, 2);
    CU_ASSERT_EQUAL(sc.log.t[0], SEC + SEC / 2);
    CU_ASSERT_EQUAL(sc.log.arg[0], 0);
    CU_ASSERT_EQUAL(sc.log.t[1], 2 * SEC);
    CU_ASSERT_EQUAL(sc.log.arg[1], 1);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(sc.net, sc.res[0]), 20 * GB);
    CU_ASSERT_EQUAL(af_flownet_resource_load(sc.net, sc.res[0]), 0);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    af_flownet_free(sc.net);
    af_sim_free(sim);
}

/* Ids are dead after completion, and a zero-size flow completes through an event, never from
 * inside af_flownet_start. */
static void test_zero_size_and_dead_ids(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 1 * GB);
    done_log log = {0};
    af_flow_id f = start1(net, &a, 1, 0, &log, 3);
    CU_ASSERT_EQUAL(log.n, 0);
    CU_ASSERT(af_flownet_live(net, f));
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(log.n, 1);
    CU_ASSERT_EQUAL(log.t[0], 0);
    CU_ASSERT(!af_flownet_live(net, f));
    CU_ASSERT_EQUAL(af_flownet_rate(net, f), 0);
    CU_ASSERT_EQUAL(af_flownet_left(net, f), 0);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f), AF_FLOWNET_NONE);
    CU_ASSERT(af_flownet_cancel(net, f) == -1);
    CU_ASSERT(af_flownet_cancel(net, (af_flow_id){0, 0}) == -1);
    CU_ASSERT(af_flownet_cancel(net, (af_flow_id){1000, 0}) == -1);
    /* The slot is reused by the next flow with a new generation: the old id stays dead. */
    af_flow_id g = start1(net, &a, 1, 1 * GB, &log, 4);
    CU_ASSERT_EQUAL(g.slot, f.slot);
    CU_ASSERT(!af_flownet_live(net, f));
    CU_ASSERT(af_flownet_live(net, g));
    af_flownet_free(net);
    af_sim_free(sim);
}

static void ev_cancel(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    script *sc = ctx;
    sc->moved[arg] = af_flownet_cancel(sc->net, sc->ids[arg]);
}

static void test_cancel(void)
{
    af_sim *sim = af_sim_new(0);
    script sc = {0};
    sc.net = af_flownet_new(sim, 0);
    sc.res[0] = af_flownet_resource_add(sc.net, NULL, 10 * GB);
    sc.ids[0] = start1(sc.net, sc.res, 1, 10 * GB, &sc.log, 0);
    sc.ids[1] = start1(sc.net, sc.res, 1, 10 * GB, &sc.log, 1);
    af_sim_at(sim, SEC / 4, ev_cancel, &sc, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    /* 0.25 s at 5 GB/s; then the other has 8.75 GB left at 10 GB/s: done at 1.125 s. */
    CU_ASSERT_EQUAL(sc.moved[0], 1.25 * GB);
    CU_ASSERT_EQUAL(sc.log.n, 1);
    CU_ASSERT_EQUAL(sc.log.arg[0], 1);
    CU_ASSERT_EQUAL(sc.log.t[0], 1125000000LL);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(sc.net, sc.res[0]), 11.25 * GB);
    CU_ASSERT(af_flownet_cancel(sc.net, sc.ids[0]) == -1);
    CU_ASSERT(!af_flownet_live(sc.net, sc.ids[0]));

    /* A group cancelled halfway returns bytes per member and credits every member. */
    af_flow_id g = af_flownet_start(sc.net, sc.res, 1, 10 * GB, 1, 0, 4, NULL, NULL, 0);
    af_sim_run(sim, af_sim_now(sim) + 2 * SEC, 0);
    CU_ASSERT_EQUAL(af_flownet_cancel(sc.net, g), 5 * GB);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(sc.net, sc.res[0]), 31.25 * GB);
    af_flownet_free(sc.net);
    af_sim_free(sim);
}

static void ev_capacity(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    script *sc = ctx;
    af_flownet_set_capacity(sc->net, sc->res[0], (double)arg);
}

static void test_capacity_change(void)
{
    af_sim *sim = af_sim_new(0);
    script sc = {0};
    sc.net = af_flownet_new(sim, 0);
    sc.res[0] = af_flownet_resource_add(sc.net, NULL, 10 * GB);
    sc.ids[0] = start1(sc.net, sc.res, 1, 10 * GB, &sc.log, 0);
    sc.ids[1] = start1(sc.net, sc.res, 1, 10 * GB, &sc.log, 1);
    /* Halved at 0.5 s (2.5 GB each done), failed at 1.5 s (2.5 GB more each). */
    af_sim_at(sim, SEC / 2, ev_capacity, &sc, (uint64_t)(5 * GB));
    af_sim_at(sim, SEC + SEC / 2, ev_capacity, &sc, 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(sc.log.n, 0);
    CU_ASSERT_EQUAL(af_sim_now(sim), SEC + SEC / 2);
    for (int i = 0; i < 2; i++) {
        CU_ASSERT(af_flownet_live(sc.net, sc.ids[i]));
        CU_ASSERT_EQUAL(af_flownet_rate(sc.net, sc.ids[i]), 0);
        CU_ASSERT_EQUAL(af_flownet_left(sc.net, sc.ids[i]), 5 * GB);
        CU_ASSERT_EQUAL(af_flownet_bottleneck(sc.net, sc.ids[i]), sc.res[0]);
    }
    CU_ASSERT_EQUAL(af_flownet_resource_utilization(sc.net, sc.res[0]), 0);
    /* Repaired: 5 GB each at 5 GB/s, done at 2.5 s. */
    af_flownet_set_capacity(sc.net, sc.res[0], 10 * GB);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(sc.log.n, 2);
    CU_ASSERT_EQUAL(sc.log.t[0], 2 * SEC + SEC / 2);
    CU_ASSERT_EQUAL(sc.log.t[1], 2 * SEC + SEC / 2);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(sc.net, sc.res[0]), 20 * GB);
    af_flownet_free(sc.net);
    af_sim_free(sim);
}

/* Flows completing at one instant end together and call back in the order they started; with
 * blocks the three share one event, without they have one each and the instant costs one fill. */
static void test_simultaneous(void)
{
    for (int blocks = 0; blocks < 2; blocks++) {
        af_sim *sim = af_sim_new(0);
        af_flownet *net = af_flownet_new(sim, 0);
        af_flownet_set_blocks(net, blocks);
        uint32_t a = af_flownet_resource_add(net, NULL, 3 * GB);
        done_log log = {0};
        for (uint64_t i = 0; i < 3; i++)
            start1(net, &a, 1, 1 * GB, &log, 10 + i);
        af_flownet_stats before, after;
        af_flownet_get_stats(net, &before);
        CU_ASSERT_EQUAL(af_sim_events_pending(sim), blocks ? 1 : 3);
        CU_ASSERT_EQUAL(before.blocks_live, blocks ? 1 : 0);
        af_sim_run(sim, AF_TIME_MAX, 0);
        af_flownet_get_stats(net, &after);
        CU_ASSERT_EQUAL(log.n, 3);
        for (int i = 0; i < 3; i++) {
            CU_ASSERT_EQUAL(log.t[i], 1 * SEC);
            CU_ASSERT_EQUAL(log.arg[i], 10u + (uint64_t)i);
        }
        CU_ASSERT_EQUAL(after.updates - before.updates, blocks ? 0 : 1);
        CU_ASSERT_EQUAL(after.block_leaves, blocks ? 3 : 0);
        CU_ASSERT_EQUAL(after.blocks_live, 0);
        CU_ASSERT_EQUAL(after.ends, 3);
        CU_ASSERT_EQUAL(after.flows_live, 0);
        af_flownet_free(net);
        af_sim_free(sim);
    }
}

/* A change recomputes only its component. */
static void test_locality(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    af_flownet_set_blocks(net, false); /* count the fill's work */
    uint32_t r[100];
    for (int i = 0; i < 100; i++) {
        r[i] = af_flownet_resource_add(net, NULL, 1 * GB);
        start1(net, &r[i], 1, 1e12, NULL, 0);
        af_flownet_flush(net); /* one fill each (one flush would fill their union) */
    }
    af_flownet_stats before, after;
    af_flownet_get_stats(net, &before);
    uint32_t p[] = {r[5], r[6]};
    af_flow_id f = start1(net, p, 2, 1e12, NULL, 0);
    af_flownet_get_stats(net, &after);
    CU_ASSERT_EQUAL(after.flows_touched - before.flows_touched, 3);
    CU_ASSERT_EQUAL(after.res_touched - before.res_touched, 2);
    CU_ASSERT_EQUAL(after.max_comp_flows, 3);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f), 0.5 * GB);
    af_flownet_free(net);
    af_sim_free(sim);
}

static void ev_batch(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    script *sc = ctx;
    af_flownet_stats before, after;
    af_flownet_get_stats(sc->net, &before);
    sc->moved[0] = af_flownet_cancel(sc->net, sc->ids[0]);
    af_flownet_set_capacity(sc->net, sc->res[0], 14 * GB);
    af_flow_id d = start1(sc->net, sc->res, 1, 10 * GB, &sc->log, 3);
    sc->moved[3] = af_flownet_cancel(sc->net, d);
    /* The first query recomputes once for the four changes. */
    CU_ASSERT_EQUAL(af_flownet_rate(sc->net, sc->ids[1]), 7 * GB);
    af_flownet_get_stats(sc->net, &after);
    CU_ASSERT_EQUAL(after.updates - before.updates, 1);
    CU_ASSERT_EQUAL(af_flownet_rate(sc->net, sc->ids[2]), 7 * GB);
}

/* Changes of one instant are reshared once: at the first query, or when the instant ends. */
static void test_batching(void)
{
    af_sim *sim = af_sim_new(0);
    script sc = {0};
    sc.net = af_flownet_new(sim, 0);
    af_flownet_set_blocks(sc.net, false); /* count fills */
    sc.res[0] = af_flownet_resource_add(sc.net, NULL, 9 * GB);
    af_flownet_stats before, after;
    af_flownet_get_stats(sc.net, &before);
    af_flownet_flush(sc.net); /* nothing pending: no-op */
    for (uint64_t i = 0; i < 3; i++)
        sc.ids[i] = start1(sc.net, sc.res, 1, 10 * GB, &sc.log, i);
    CU_ASSERT(af_flownet_live(sc.net, sc.ids[0]));
    CU_ASSERT_EQUAL(af_flownet_moved(sc.net, sc.ids[0]), 0);
    CU_ASSERT_EQUAL(af_flownet_rate(sc.net, sc.ids[0]), 3 * GB);
    af_flownet_get_stats(sc.net, &after);
    CU_ASSERT_EQUAL(after.updates - before.updates, 1);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(af_flownet_rate(sc.net, sc.ids[i]), 3 * GB);
        CU_ASSERT_EQUAL(af_flownet_bottleneck(sc.net, sc.ids[i]), sc.res[0]);
    }
    /* At 1 s (3 GB each done): cancel one, raise the capacity to 14 GB/s, start and cancel a
     * fourth; the two left get 7 GB/s and finish their 7 GB at 2 s. */
    af_sim_at(sim, SEC, ev_batch, &sc, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(sc.moved[0], 3 * GB);
    CU_ASSERT_EQUAL(sc.moved[3], 0);
    CU_ASSERT_EQUAL(sc.log.n, 2);
    CU_ASSERT_EQUAL(sc.log.t[0], 2 * SEC);
    CU_ASSERT_EQUAL(sc.log.t[1], 2 * SEC);
    CU_ASSERT_EQUAL(sc.log.arg[0], 1);
    CU_ASSERT_EQUAL(sc.log.arg[1], 2);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(sc.net, sc.res[0]), 23 * GB);
    af_flownet_free(sc.net);
    af_sim_free(sim);
}

/* Freeing the net cancels the completion events it scheduled (one per flow without blocks, one
 * for the block with), so the sim can run on. */
static void test_free_cancels_events(void)
{
    for (int blocks = 0; blocks < 2; blocks++) {
        af_sim *sim = af_sim_new(0);
        af_flownet *net = af_flownet_new(sim, 0);
        af_flownet_set_blocks(net, blocks);
        uint32_t a = af_flownet_resource_add(net, NULL, 1 * GB);
        done_log log = {0};
        for (int i = 0; i < 3; i++)
            start1(net, &a, 1, 1 * GB, &log, 0);
        CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0); /* not before the instant ends */
        af_flownet_flush(net);
        CU_ASSERT_EQUAL(af_sim_events_pending(sim), blocks ? 1 : 3);
        af_flownet_free(net);
        af_flownet_free(NULL);
        CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
        CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
        CU_ASSERT_EQUAL(log.n, 0);
        af_sim_free(sim);
    }
}

/* ---- per-hop scales ------------------------------------------------------------------------ */

/* Starts an uncapped weight-1 single flow with scales and a logging callback. */
static af_flow_id start_sc(af_flownet *net, const uint32_t *path, const double *scale, uint32_t n,
                           double size_B, done_log *log, uint64_t arg)
{
    return af_flownet_start_scaled(net, path, scale, n, size_B, 1, 0, 1, log ? log_done : NULL, log,
                                   arg);
}

/* One resource of 10 units/s, A at scale 1 and B at scale 2, equal weights: x + 2x = 10, so both
 * get 10/3 and the resource is full. Then, on 30 GB/s, exact completion times and carried units:
 * both at 10 GB/s; A's 10 GB end at 1 s; B alone then gets 15 GB/s (2 x = 30) and its other
 * 15 GB take 1 s more. */
static void test_scaled_one_resource(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 10);
    const double one = 1, two = 2;
    af_flow_id fa = start_sc(net, &a, &one, 1, 1e9, NULL, 0);
    af_flow_id fb = start_sc(net, &a, &two, 1, 1e9, NULL, 0);
    AF_ASSERT_REL(af_flownet_rate(net, fa), 10.0 / 3, 1e-15);
    AF_ASSERT_REL(af_flownet_rate(net, fb), 10.0 / 3, 1e-15);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, fa), a);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, fb), a);
    AF_ASSERT_REL(af_flownet_resource_load(net, a), 10, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_utilization(net, a), 1, 1e-15);
    /* B alone: 2 x = 10. */
    CU_ASSERT(af_flownet_cancel(net, fa) == 0);
    AF_ASSERT_REL(af_flownet_rate(net, fb), 5, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_load(net, a), 10, 1e-15);
    af_flownet_free(net);
    af_sim_free(sim);

    sim = af_sim_new(0);
    net = af_flownet_new(sim, 0);
    a = af_flownet_resource_add(net, NULL, 30 * GB);
    done_log log = {0};
    fa = start_sc(net, &a, &one, 1, 10 * GB, &log, 1);
    fb = start_sc(net, &a, &two, 1, 25 * GB, &log, 2);
    CU_ASSERT_EQUAL(af_flownet_rate(net, fa), 10 * GB);
    CU_ASSERT_EQUAL(af_flownet_rate(net, fb), 10 * GB);
    af_sim_run(sim, SEC / 2, 0);
    /* Half a second in: A moved 5 GB (5 units each), B 5 GB (10 units). */
    AF_ASSERT_REL(af_flownet_resource_carried(net, a), 15 * GB, 1e-15);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(log.n, 2);
    CU_ASSERT_EQUAL(log.t[0], 1 * SEC);
    CU_ASSERT_EQUAL(log.arg[0], 1);
    CU_ASSERT_EQUAL(log.t[1], 2 * SEC);
    CU_ASSERT_EQUAL(log.arg[1], 2);
    /* Exact credit: 1 * 10 GB + 2 * 25 GB units. */
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 60 * GB);
    CU_ASSERT_EQUAL(af_flownet_resource_load(net, a), 0);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* A cap with scales: 30 units/s shared by A (scale 1, cap 4), B (scale 2) and C (scale 1), equal
 * weights. The common level would be 30 / 4 = 7.5, above A's cap, so A stops at 4 and B and C
 * share the other 26 at 26/3 each (2 * 26/3 + 26/3 = 26). */
static void test_scaled_cap(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 30);
    const double sa = 1, sb = 2, sc = 1;
    af_flow_id fa = af_flownet_start_scaled(net, &a, &sa, 1, 1e9, 1, 4, 1, NULL, NULL, 0);
    af_flow_id fb = start_sc(net, &a, &sb, 1, 1e9, NULL, 0);
    af_flow_id fc = start_sc(net, &a, &sc, 1, 1e9, NULL, 0);
    CU_ASSERT_EQUAL(af_flownet_rate(net, fa), 4);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, fa), AF_FLOWNET_CAPPED);
    AF_ASSERT_REL(af_flownet_rate(net, fb), 26.0 / 3, 1e-15);
    AF_ASSERT_REL(af_flownet_rate(net, fc), 26.0 / 3, 1e-15);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, fb), a);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, fc), a);
    AF_ASSERT_REL(af_flownet_resource_load(net, a), 30, 1e-15);
    /* A cap above the level binds nothing: with cap 8, all three at 7.5. */
    CU_ASSERT(af_flownet_cancel(net, fa) == 0);
    fa = af_flownet_start_scaled(net, &a, &sa, 1, 1e9, 1, 8, 1, NULL, NULL, 0);
    AF_ASSERT_REL(af_flownet_rate(net, fa), 7.5, 1e-15);
    AF_ASSERT_REL(af_flownet_rate(net, fb), 7.5, 1e-15);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, fa), a);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* Two bottlenecks where scales move the bottleneck. A = 10, B = 4; f1 over A, f2 over A at scale
 * 4 and B at scale 0.5, f3 over B. A saturates at level 10 / (1 + 4) = 2 before B at
 * 4 / (0.5 + 1) = 8/3, so f1 = f2 = 2 with bottleneck A; B has 4 - 0.5 * 2 = 3 left for f3.
 * (Unscaled, the same paths give 8, 2, 2 with f2 held by B.) */
static void test_scaled_two_bottlenecks(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t A = af_flownet_resource_add(net, "A", 10);
    uint32_t B = af_flownet_resource_add(net, "B", 4);
    uint32_t p1[] = {A}, p2[] = {A, B}, p3[] = {B};
    const double s2[] = {4, 0.5};
    af_flow_id f1 = start_sc(net, p1, NULL, 1, 1e6, NULL, 0);
    af_flow_id f2 = start_sc(net, p2, s2, 2, 1e6, NULL, 0);
    af_flow_id f3 = start_sc(net, p3, NULL, 1, 1e6, NULL, 0);
    AF_ASSERT_REL(af_flownet_rate(net, f1), 2, 1e-15);
    AF_ASSERT_REL(af_flownet_rate(net, f2), 2, 1e-15);
    AF_ASSERT_REL(af_flownet_rate(net, f3), 3, 1e-15);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f1), A);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f2), A);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f3), B);
    AF_ASSERT_REL(af_flownet_resource_load(net, A), 10, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_load(net, B), 4, 1e-15);
    /* Weight 3 on f3 moves it back: B now saturates first, at 4 / (0.5 + 3) = 8/7, so f2 = 8/7
     * and f3 = 24/7 held by B, and f1 takes A's other 10 - 4 * 8/7 = 38/7. */
    CU_ASSERT(af_flownet_cancel(net, f3) == 0);
    f3 = af_flownet_start_scaled(net, p3, NULL, 1, 1e6, 3, 0, 1, NULL, NULL, 0);
    AF_ASSERT_REL(af_flownet_rate(net, f3), 24.0 / 7, 1e-14);
    AF_ASSERT_REL(af_flownet_rate(net, f2), 8.0 / 7, 1e-14);
    AF_ASSERT_REL(af_flownet_rate(net, f1), 38.0 / 7, 1e-14);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f1), A);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f2), B);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, f3), B);
    AF_ASSERT_REL(af_flownet_resource_load(net, A), 10, 1e-14);
    AF_ASSERT_REL(af_flownet_resource_load(net, B), 4, 1e-14);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* A group of k = 4 at scale 0.5 against a single flow at scale 1 on 12 GB/s: the group weighs
 * 0.5 * 4 = 2 on the resource, so the level is 12 / 3 = 4 GB/s; the group uses 8 GB/s, the
 * single 4. The group's 4 GB per member end at 1 s (8 GB carried in units); the single, alone,
 * then runs at 12 GB/s and its last 4 GB take 1/3 s. A cancelled scaled group credits
 * scale * k * bytes moved. */
static void test_scaled_group(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 12 * GB);
    const double half = 0.5;
    done_log log = {0};
    af_flow_id g = af_flownet_start_scaled(net, &a, &half, 1, 4 * GB, 1, 0, 4, log_done, &log, 1);
    af_flow_id s = start_sc(net, &a, NULL, 1, 8 * GB, &log, 2);
    CU_ASSERT_EQUAL(af_flownet_rate(net, g), 4 * GB);
    CU_ASSERT_EQUAL(af_flownet_rate(net, s), 4 * GB);
    CU_ASSERT_EQUAL(af_flownet_resource_load(net, a), 12 * GB);
    CU_ASSERT_EQUAL(af_flownet_resource_flows(net, a), 2);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(log.n, 2);
    CU_ASSERT_EQUAL(log.t[0], 1 * SEC);
    CU_ASSERT_EQUAL(log.arg[0], 1);
    CU_ASSERT_EQUAL(log.t[1], 1 * SEC + (SEC + 2) / 3);
    CU_ASSERT_EQUAL(log.arg[1], 2);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 16 * GB);

    /* Alone, the group runs at 12 / (0.5 * 4) = 6 GB/s per member; cancelled after 0.5 s it has
     * moved 3 GB per member and credits 0.5 * 4 * 3 = 6 GB. */
    g = af_flownet_start_scaled(net, &a, &half, 1, 100 * GB, 1, 0, 4, NULL, NULL, 0);
    CU_ASSERT_EQUAL(af_flownet_rate(net, g), 6 * GB);
    af_sim_run(sim, af_sim_now(sim) + SEC / 2, 0);
    AF_ASSERT_REL(af_flownet_resource_carried(net, a), 22 * GB, 1e-15);
    AF_ASSERT_REL(af_flownet_cancel(net, g), 3 * GB, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_carried(net, a), 22 * GB, 1e-15);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* Scales are per hop: a path naming a resource twice at scales 1 and 2 costs it 3 per byte, so
 * against a scale-1 flow on 12 units/s both get 3 (3 x + x = 12). Explicit scales of 1 are the
 * same as none, and the same as af_flownet_start. */
static void test_scaled_per_hop(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 12);
    uint32_t b = af_flownet_resource_add(net, NULL, 12);
    uint32_t aa[] = {a, a};
    const double s12[] = {1, 2}, ones[] = {1, 1};
    af_flow_id twice = start_sc(net, aa, s12, 2, 1e6, NULL, 0);
    af_flow_id once = start_sc(net, &a, ones, 1, 1e6, NULL, 0);
    AF_ASSERT_REL(af_flownet_rate(net, twice), 3, 1e-15);
    AF_ASSERT_REL(af_flownet_rate(net, once), 3, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_load(net, a), 12, 1e-15);
    CU_ASSERT_EQUAL(af_flownet_resource_flows(net, a), 3);
    uint32_t bb[] = {b, b};
    af_flow_id x = start_sc(net, bb, ones, 2, 1e6, NULL, 0);
    af_flow_id y = start_sc(net, bb, NULL, 2, 1e6, NULL, 0);
    af_flow_id z = start1(net, bb, 2, 1e6, NULL, 0);
    for (int i = 0; i < 3; i++)
        AF_ASSERT_REL(af_flownet_rate(net, (af_flow_id[]){x, y, z}[i]), 2, 1e-15);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* Reads and writes of a storage tier through one budget in device-seconds: 4 devices give
 * 4 device-s/s. A read of 1 MB ops at 2 GB/s and 20000 IOPS per device costs
 * 1/2e9 + 1/(2e4 * 1e6) = 5.5e-10 device-s per byte; a write at 1 GB/s and 10000 IOPS costs
 * 1.1e-9. One read and one write at equal weight: x (5.5e-10 + 1.1e-9) = 4, x = 4 / 1.65e-9. */
static void test_scaled_storage_budget(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t dev = af_flownet_resource_add(net, "devices", 4);
    double rd = 1 / 2e9 + 1 / (2e4 * 1e6), wr = 1 / 1e9 + 1 / (1e4 * 1e6);
    af_flow_id r = start_sc(net, &dev, &rd, 1, 1e12, NULL, 0);
    af_flow_id w = start_sc(net, &dev, &wr, 1, 1e12, NULL, 0);
    AF_ASSERT_REL(af_flownet_rate(net, r), 4 / (rd + wr), 1e-14);
    AF_ASSERT_REL(af_flownet_rate(net, w), 4 / (rd + wr), 1e-14);
    AF_ASSERT_REL(af_flownet_resource_utilization(net, dev), 1, 1e-14);
    /* Reads alone: 4 / 5.5e-10 B/s, twice what a write alone would get. */
    af_flownet_cancel(net, w);
    AF_ASSERT_REL(af_flownet_rate(net, r), 4 / rd, 1e-14);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* Churn state: keeps `n` flows going on a few resources, each completion starting another. */
typedef struct churn {
    af_flownet *net;
    gsl_rng *rng;
    uint32_t res[4];
    uint64_t started;
    uint64_t limit;
} churn;

static void churn_next(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    churn *c = ctx;
    if (c->started >= c->limit)
        return;
    uint32_t path[2] = {c->res[gsl_rng_uniform_int(c->rng, 2)],
                        c->res[2 + gsl_rng_uniform_int(c->rng, 2)]};
    double size = 1e6 + floor(gsl_rng_uniform(c->rng) * 1e9);
    af_flownet_start(c->net, path, 2, size, 1 + (double)gsl_rng_uniform_int(c->rng, 3), 0, 1,
                     churn_next, c, 0);
    c->started++;
}

/* Once the pools have reached the run's high-water mark, churn allocates nothing more. */
static void test_steady_state_pools(void)
{
    af_sim *sim = af_sim_new(0);
    churn c = {.net = af_flownet_new(sim, 4), .rng = af_rng_new(1, "test_flow.churn")};
    for (int i = 0; i < 4; i++)
        c.res[i] = af_flownet_resource_add(c.net, NULL, (1 + i) * GB);
    c.limit = 2000;
    for (int i = 0; i < 50; i++)
        churn_next(sim, &c, 0);
    af_sim_run(sim, AF_TIME_MAX, 1000);
    af_flownet_stats warm, end;
    af_flownet_get_stats(c.net, &warm);
    size_t sim_pool = af_sim_pool_capacity(sim);
    CU_ASSERT_EQUAL(warm.flows_live, 50);
    c.limit = 20000;
    af_sim_run(sim, AF_TIME_MAX, 10000);
    af_flownet_get_stats(c.net, &end);
    CU_ASSERT_EQUAL(end.flows_live, 50);
    CU_ASSERT(end.ends - warm.ends >= 5000);
    CU_ASSERT_EQUAL(end.flow_pool_cap, warm.flow_pool_cap);
    CU_ASSERT_EQUAL(af_sim_pool_capacity(sim), sim_pool);
    af_rng_free(c.rng);
    af_flownet_free(c.net);
    af_sim_free(sim);
}

/* ---- properties on random instances --------------------------------------------------------- */

#define PMAX_RES 12
#define PMAX_FLOWS 400

/* A random instance: the test's own copy of what it gave the net. */
typedef struct inst {
    af_sim *sim;
    af_flownet *net;
    gsl_rng *rng;
    uint32_t n_res;
    double cap[PMAX_RES];
    uint32_t n_flows;
    af_flow_id id[PMAX_FLOWS];
    uint32_t path[PMAX_FLOWS][4];
    uint32_t n_path[PMAX_FLOWS];
    double scale[PMAX_FLOWS][4];
    bool scaled[PMAX_FLOWS]; /* scale[f] passed to the net; else NULL (all 1) */
    double size[PMAX_FLOWS];
    double weight[PMAX_FLOWS];
    double fcap[PMAX_FLOWS]; /* 0 = none */
    uint32_t k[PMAX_FLOWS];
    af_time_ns t_start[PMAX_FLOWS];
    bool started[PMAX_FLOWS];
    bool done[PMAX_FLOWS];
    af_time_ns t_done[PMAX_FLOWS];
    uint64_t checks; /* invariant checks that ran */
    int failures;    /* invariant violations seen */
} inst;

/* Draws resources and flow parameters (nothing is started). Sizes and capacities are integers
 * so that sums of bytes are exact in double. Half the flows get a random scale in [0.1, 4] per
 * hop (some of them 1, to mix explicit ones in); the others pass NULL. */
static void inst_draw(inst *in, uint32_t n_flows, bool allow_dead)
{
    gsl_rng *r = in->rng;
    in->n_res = 1 + (uint32_t)gsl_rng_uniform_int(r, PMAX_RES);
    for (uint32_t i = 0; i < in->n_res; i++) {
        in->cap[i] = floor(1e9 * (1 + 99 * gsl_rng_uniform(r)));
        if (allow_dead && gsl_rng_uniform(r) < 0.05)
            in->cap[i] = 0;
        af_flownet_resource_add(in->net, NULL, in->cap[i]);
    }
    static const double weights[] = {0.5, 1, 1, 2, 3};
    in->n_flows = n_flows;
    for (uint32_t f = 0; f < n_flows; f++) {
        uint32_t len = 1 + (uint32_t)gsl_rng_uniform_int(r, in->n_res < 4 ? in->n_res : 4);
        for (uint32_t h = 0; h < len; h++) {
            uint32_t x;
            bool dup;
            do {
                x = (uint32_t)gsl_rng_uniform_int(r, in->n_res);
                dup = false;
                for (uint32_t j = 0; j < h; j++)
                    dup |= in->path[f][j] == x;
            } while (dup);
            in->path[f][h] = x;
        }
        in->n_path[f] = len;
        in->size[f] = floor(1e6 + 1e10 * gsl_rng_uniform(r));
        in->weight[f] = weights[gsl_rng_uniform_int(r, 5)];
        in->fcap[f] = gsl_rng_uniform(r) < 0.3 ? floor(1e8 + 2e10 * gsl_rng_uniform(r)) : 0;
        in->k[f] = 1 + (uint32_t)gsl_rng_uniform_int(r, 4);
        in->scaled[f] = gsl_rng_uniform(r) < 0.5;
        for (uint32_t h = 0; h < len; h++) {
            in->scale[f][h] = 1;
            if (in->scaled[f] && gsl_rng_uniform(r) < 0.9)
                in->scale[f][h] = 0.1 + 3.9 * gsl_rng_uniform(r);
        }
    }
}

/* Scales of flow f as given to the net (NULL for all 1). */
static const double *inst_scales(const inst *in, uint32_t f)
{
    return in->scaled[f] ? in->scale[f] : NULL;
}

static void inst_done(af_sim *sim, void *ctx, uint64_t arg);

static void inst_start(inst *in, uint32_t f)
{
    in->id[f] = af_flownet_start_scaled(in->net, in->path[f], inst_scales(in, f), in->n_path[f],
                                        in->size[f], in->weight[f], in->fcap[f], in->k[f],
                                        inst_done, in, f);
    in->started[f] = true;
    in->t_start[f] = af_sim_now(in->sim);
}

/* Records a failed invariant (counted, so a run of many checks reports one failure). */
#define INST_CHECK(in, cond)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            if ((in)->failures++ == 0)                                                             \
                CU_FAIL(#cond);                                                                    \
        }                                                                                          \
    } while (0)

/* Checks the max-min characterisation on every live flow, from the test's own copy of the
 * paths: loads recomputed from the rates (sum of scale * k * x), none above capacity, every flow
 * at its cap or with a saturated bottleneck on which its rate per unit weight is the largest. */
static void inst_check(inst *in)
{
    const double tol = 1e-9;
    double load[PMAX_RES] = {0}, top[PMAX_RES] = {0};
    for (uint32_t f = 0; f < in->n_flows; f++) {
        if (!af_flownet_live(in->net, in->id[f]))
            continue;
        double x = af_flownet_rate(in->net, in->id[f]);
        INST_CHECK(in, x >= 0);
        for (uint32_t h = 0; h < in->n_path[f]; h++) {
            uint32_t r = in->path[f][h];
            load[r] += in->scale[f][h] * in->k[f] * x;
            top[r] = fmax(top[r], x / in->weight[f]);
        }
    }
    for (uint32_t r = 0; r < in->n_res; r++) {
        INST_CHECK(in, load[r] <= in->cap[r] * (1 + tol));
        INST_CHECK(in,
                   fabs(load[r] - af_flownet_resource_load(in->net, r)) <= tol * in->cap[r] + 1e-6);
    }
    for (uint32_t f = 0; f < in->n_flows; f++) {
        if (!af_flownet_live(in->net, in->id[f]))
            continue;
        double x = af_flownet_rate(in->net, in->id[f]);
        uint32_t bn = af_flownet_bottleneck(in->net, in->id[f]);
        if (in->fcap[f] > 0)
            INST_CHECK(in, x <= in->fcap[f] * (1 + tol));
        if (bn == AF_FLOWNET_CAPPED) {
            INST_CHECK(in, in->fcap[f] > 0 && x >= in->fcap[f] * (1 - tol));
        } else {
            bool on_path = false;
            for (uint32_t h = 0; h < in->n_path[f]; h++)
                on_path |= in->path[f][h] == bn;
            INST_CHECK(in, on_path);
            if (on_path) {
                INST_CHECK(in, load[bn] >= in->cap[bn] * (1 - tol));
                INST_CHECK(in, x / in->weight[f] >= top[bn] * (1 - tol));
            }
        }
        in->checks++;
    }
}

static void inst_done(af_sim *sim, void *ctx, uint64_t arg)
{
    inst *in = ctx;
    INST_CHECK(in, !in->done[arg] && in->started[arg]);
    in->done[arg] = true;
    in->t_done[arg] = af_sim_now(sim);
    INST_CHECK(in, !af_flownet_live(in->net, in->id[arg]));
    inst_check(in);
}

static void inst_init(inst *in, uint64_t seed, const char *name)
{
    memset(in, 0, sizeof(*in));
    in->sim = af_sim_new(0);
    in->net = af_flownet_new(in->sim, 0);
    in->rng = af_rng_new(seed, name);
}

static void inst_fini(inst *in)
{
    af_flownet_free(in->net);
    af_sim_free(in->sim);
    af_rng_free(in->rng);
}

/* Static instances: flows started one by one (incremental), checked, compared with the same
 * flows started in reverse order on a fresh net in one deferred batch (one fill), then changed by
 * cancels and capacity changes and checked again. */
static void test_property_static(void)
{
    uint64_t checks = 0;
    int failures = 0;
    for (uint64_t trial = 0; trial < 300; trial++) {
        inst in;
        inst_init(&in, trial, "test_flow.static");
        inst_draw(&in, 1 + (uint32_t)gsl_rng_uniform_int(in.rng, 40), true);
        for (uint32_t f = 0; f < in.n_flows; f++)
            inst_start(&in, f);
        inst_check(&in);

        af_flownet *other = af_flownet_new(in.sim, 0);
        for (uint32_t r = 0; r < in.n_res; r++)
            af_flownet_resource_add(other, NULL, in.cap[r]);
        af_flow_id oid[PMAX_FLOWS];
        /* One fill from scratch: the starts of one instant are reshared together. */
        for (uint32_t f = in.n_flows; f-- > 0;)
            oid[f] = af_flownet_start_scaled(other, in.path[f], inst_scales(&in, f), in.n_path[f],
                                             in.size[f], in.weight[f], in.fcap[f], in.k[f], NULL,
                                             NULL, 0);
        af_flownet_flush(other);
        for (uint32_t f = 0; f < in.n_flows; f++) {
            double a = af_flownet_rate(in.net, in.id[f]), b = af_flownet_rate(other, oid[f]);
            INST_CHECK(&in, fabs(a - b) <= 1e-9 * fmax(a, b) + 1e-9);
        }
        af_flownet_free(other);

        for (uint32_t f = 0; f < in.n_flows; f++)
            if (gsl_rng_uniform(in.rng) < 0.3)
                INST_CHECK(&in, af_flownet_cancel(in.net, in.id[f]) == 0);
        inst_check(&in);
        for (int i = 0; i < 3; i++) {
            uint32_t r = (uint32_t)gsl_rng_uniform_int(in.rng, in.n_res);
            in.cap[r] =
                gsl_rng_uniform(in.rng) < 0.2 ? 0 : floor(1e9 + 5e10 * gsl_rng_uniform(in.rng));
            af_flownet_set_capacity(in.net, r, in.cap[r]);
            inst_check(&in);
        }
        checks += in.checks;
        failures += in.failures;
        inst_fini(&in);
    }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT(checks > 10000);
}

/* Event of the dynamic run: arg < n_flows starts flow arg; otherwise a capacity change of
 * resource (arg - BIG) to a fresh random value, or a check (arg == CHECK). */
#define DYN_CAPCHANGE 1000000u
#define DYN_CHECK 2000000u

static void dyn_event(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    inst *in = ctx;
    if (arg < DYN_CAPCHANGE) {
        inst_start(in, (uint32_t)arg);
    } else if (arg < DYN_CHECK) {
        uint32_t r = (uint32_t)(arg - DYN_CAPCHANGE);
        in->cap[r] = floor(1e9 * (1 + 99 * gsl_rng_uniform(in->rng)));
        af_flownet_set_capacity(in->net, r, in->cap[r]);
    }
    inst_check(in);
}

/* One dynamic run: random starts over 10 s, random capacity changes and checks; returns the
 * completion log in *out (flow of the i-th completion, time). */
static void dyn_run(uint64_t seed, uint32_t *order, af_time_ns *times, int *failures,
                    uint64_t *checks)
{
    inst *in = af_calloc(1, sizeof(*in));
    inst_init(in, seed, "test_flow.dynamic");
    inst_draw(in, PMAX_FLOWS, false);
    for (uint32_t f = 0; f < in->n_flows; f++)
        af_sim_at(in->sim, (af_time_ns)(gsl_rng_uniform(in->rng) * 10 * SEC), dyn_event, in, f);
    for (int i = 0; i < 40; i++)
        af_sim_at(in->sim, (af_time_ns)(gsl_rng_uniform(in->rng) * 12 * SEC), dyn_event, in,
                  DYN_CAPCHANGE + gsl_rng_uniform_int(in->rng, in->n_res));
    for (int i = 0; i < 100; i++)
        af_sim_at(in->sim, (af_time_ns)(gsl_rng_uniform(in->rng) * 20 * SEC), dyn_event, in,
                  DYN_CHECK);
    CU_ASSERT_EQUAL(af_sim_run(in->sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);

    /* Every flow completed, no earlier than its size at its cap allows. */
    double want[PMAX_RES] = {0};
    bool any_scaled[PMAX_RES] = {false};
    for (uint32_t f = 0; f < in->n_flows; f++) {
        INST_CHECK(in, in->done[f]);
        if (in->fcap[f] > 0)
            INST_CHECK(in, in->t_done[f] - in->t_start[f] >=
                               (af_time_ns)(in->size[f] / in->fcap[f] * 1e9 * (1 - 1e-9)) - 1);
        for (uint32_t h = 0; h < in->n_path[f]; h++) {
            want[in->path[f][h]] += in->scale[f][h] * in->k[f] * in->size[f];
            any_scaled[in->path[f][h]] |= in->scale[f][h] != 1;
        }
    }
    /* Units carried equal scale * k * size summed over the hops; exact where every scale is 1,
     * since every term is then an integer below 2^53, else up to the rounding of the sums. */
    for (uint32_t r = 0; r < in->n_res; r++) {
        double carried = af_flownet_resource_carried(in->net, r);
        if (any_scaled[r])
            INST_CHECK(in, fabs(carried - want[r]) <= 1e-12 * want[r]);
        else
            INST_CHECK(in, carried == want[r]);
        INST_CHECK(in, af_flownet_resource_flows(in->net, r) == 0);
        INST_CHECK(in, af_flownet_resource_load(in->net, r) == 0);
    }
    af_flownet_stats st;
    af_flownet_get_stats(in->net, &st);
    INST_CHECK(in, st.starts == in->n_flows && st.ends == in->n_flows && st.flows_live == 0);

    /* The completion order, from the completion times (ties by flow index). */
    uint32_t n = 0;
    for (uint32_t f = 0; f < in->n_flows; f++) {
        uint32_t i = n++;
        while (i > 0 && (times[i - 1] > in->t_done[f])) {
            times[i] = times[i - 1];
            order[i] = order[i - 1];
            i--;
        }
        times[i] = in->t_done[f];
        order[i] = f;
    }
    *failures += in->failures;
    *checks += in->checks;
    inst_fini(in);
    af_free(in);
}

static void test_property_dynamic(void)
{
    uint32_t order[2][PMAX_FLOWS];
    af_time_ns times[2][PMAX_FLOWS];
    int failures = 0;
    uint64_t checks = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        dyn_run(seed, order[0], times[0], &failures, &checks);
        dyn_run(seed, order[1], times[1], &failures, &checks);
        /* Same seed, same run, to the nanosecond. */
        CU_ASSERT(memcmp(order[0], order[1], sizeof(order[0])) == 0);
        CU_ASSERT(memcmp(times[0], times[1], sizeof(times[0])) == 0);
    }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT(checks > 100000);
}

/* ---- weights and scales far apart --------------------------------------------------------- */

/* Weight 1e6 beside weight 1e-12 on one link of 1 GB/s: 1e6 + 1e-12 rounds to 1e6, so the heavy
 * flow gets exactly 1 GB/s and the light one 1e-9 B/s, too slow to finish within the clock, so
 * it has no completion event; once the heavy flow ends at 1 s the light one gets the link and
 * its 1 GB end at 2 s. */
static void test_weights_far_apart(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 1 * GB);
    done_log log = {0};
    af_flow_id hi = af_flownet_start(net, &a, 1, 1 * GB, 1e6, 0, 1, log_done, &log, 1);
    af_flow_id lo = af_flownet_start(net, &a, 1, 1 * GB, 1e-12, 0, 1, log_done, &log, 2);
    CU_ASSERT_EQUAL(af_flownet_rate(net, hi), 1 * GB);
    AF_ASSERT_REL(af_flownet_rate(net, lo), 1e-9, 1e-12);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, lo), a);
    AF_ASSERT_REL(af_flownet_resource_load(net, a), 1 * GB, 1e-15);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 1);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(log.n, 2);
    CU_ASSERT_EQUAL(log.arg[0], 1);
    CU_ASSERT_EQUAL(log.t[0], 1 * SEC);
    CU_ASSERT_EQUAL(log.arg[1], 2);
    CU_ASSERT(llabs(log.t[1] - 2 * SEC) <= 1);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 2 * GB);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* The extremes together (this case aborted with "weights or scales too far apart"): a group H of
 * k = 1e7 members at weight 1e6 crosses B (1e9 units/s, scale 1) and A (1e15 units/s, scale 1e3);
 * a single flow L at weight 1e-12 crosses A at scale 1e-15. A's unfrozen weight is 1e16 + 1e-27,
 * which rounds to 1e16. B saturates first, at level 1e9 / 1e13 = 1e-4: H gets 100 B/s per member
 * and takes 1e3 * 1e7 * 100 = 1e12 units/s of A. Subtracting H's weight from A's leaves 0, which
 * the solver must not take for L's: L gets all the rest, 1e15 - 1e12 units/s, at scale 1e-15 a
 * rate of 9.99e29 B/s. */
static void test_extremes_together(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t A = af_flownet_resource_add(net, "A", 1e15);
    uint32_t B = af_flownet_resource_add(net, "B", 1e9);
    const uint32_t ph[] = {B, A}, pl[] = {A};
    const double sh[] = {1, 1e3}, sl[] = {1e-15};
    done_log log = {0};
    af_flow_id h =
        af_flownet_start_scaled(net, ph, sh, 2, 1e3, 1e6, 0, 10000000, log_done, &log, 1);
    af_flow_id l = af_flownet_start_scaled(net, pl, sl, 1, 1e30, 1e-12, 0, 1, log_done, &log, 2);
    AF_ASSERT_REL(af_flownet_rate(net, h), 100, 1e-12);
    AF_ASSERT_REL(af_flownet_rate(net, l), 9.99e29, 1e-12);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, h), B);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(net, l), A);
    AF_ASSERT_REL(af_flownet_resource_load(net, A), 1e15, 1e-12);
    AF_ASSERT_REL(af_flownet_resource_load(net, B), 1e9, 1e-12);
    af_flownet_stats st;
    af_flownet_get_stats(net, &st);
    CU_ASSERT(st.resums >= 1);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(log.n, 2);
    /* L: 1e30 B at 9.99e29 B/s, 1.001 s; H: 1e3 B at 100 B/s, 10 s. */
    CU_ASSERT_EQUAL(log.arg[0], 2);
    CU_ASSERT(llabs(log.t[0] - 1001001001) <= 1);
    CU_ASSERT_EQUAL(log.arg[1], 1);
    CU_ASSERT(llabs(log.t[1] - 10 * SEC) <= 1);
    AF_ASSERT_REL(af_flownet_resource_carried(net, A), 1e3 * 1e7 * 1e3 + 1e-15 * 1e30, 1e-15);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* A heavy group and a light flow bottlenecked together on one resource of 1 unit/s: the light
 * flow's share, 1e-25 B/s, is far below the clock's reach, yet it is not starved for ever: it
 * gets the resource when the group ends (its members' 10 B at 1e-7 B/s take 1e8 s, about 3 years
 * of simulated time) and completes 10 s later. */
static void test_light_flow_waits_for_heavy(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t A = af_flownet_resource_add(net, NULL, 1);
    uint32_t B = af_flownet_resource_add(net, NULL, 1);
    const uint32_t ph[] = {B, A};
    done_log log = {0};
    af_flow_id h = af_flownet_start(net, ph, 2, 10, 1e6, 0, 10000000, log_done, &log, 1);
    af_flow_id l = af_flownet_start(net, &A, 1, 10, 1e-12, 0, 1, log_done, &log, 2);
    AF_ASSERT_REL(af_flownet_rate(net, h), 1e-7, 1e-12);
    CU_ASSERT(af_flownet_rate(net, l) >= 0 && af_flownet_rate(net, l) <= 1e-24);
    AF_ASSERT_REL(af_flownet_resource_load(net, A), 1, 1e-12);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(log.n, 2);
    CU_ASSERT_EQUAL(log.arg[0], 1);
    /* Up to the completion slack of flow.c, 1e-12 of the delay (100 us here). */
    AF_ASSERT_REL((double)log.t[0], 1e8 * SEC, 2e-12);
    CU_ASSERT_EQUAL(log.arg[1], 2);
    AF_ASSERT_REL((double)(log.t[1] - log.t[0]), 10.0 * SEC, 1e-12);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* Weights and scales outside [AF_FLOWNET_MIN_FACTOR, AF_FLOWNET_MAX_FACTOR] are clamped to it: a
 * flow of weight 1e-300 at scale 1e-300 (whose product would underflow) shares like one of 1e-30
 * at 1e-30; beside a flow of weight and scale 1e300 (taken as 1e30) it gets 1e-81 B/s, and the
 * other 1e-21 B/s; once that one is cancelled the first gets 1e9 / 1e-30 B/s and moves its
 * 1e40 B in 10 s. */
static void test_factors_clamped(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 1 * GB);
    const double tiny = 1e-300, huge = 1e300;
    done_log log = {0};
    af_flow_id f =
        af_flownet_start_scaled(net, &a, &tiny, 1, 1e40, 1e-300, 0, 1, log_done, &log, 1);
    /* Alone, a flow gets capacity / scale whatever its weight. */
    AF_ASSERT_REL(af_flownet_rate(net, f), 1e39, 1e-12);
    af_flow_id g = af_flownet_start_scaled(net, &a, &huge, 1, 0.5, 1e300, 0, 1, log_done, &log, 2);
    AF_ASSERT_REL(af_flownet_rate(net, f), 1e-81, 1e-12);
    AF_ASSERT_REL(af_flownet_rate(net, g), 1e-21, 1e-12);
    AF_ASSERT_REL(af_flownet_resource_load(net, a), 1 * GB, 1e-12);
    /* The 0.5 B flow at 1e-21 B/s needs 5e20 s, beyond the clock: it never ends by itself (no
     * flow completes for free at its start); cancelled, it frees the link and the first moves
     * its 1e40 B in 10 s. */
    CU_ASSERT_EQUAL(af_sim_run(sim, SEC, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 0);
    CU_ASSERT(af_flownet_cancel(net, g) >= 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(log.n, 1);
    CU_ASSERT_EQUAL(log.arg[0], 1);
    CU_ASSERT(llabs(log.t[0] - 10 * SEC) <= 1);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* An event that does nothing: placed at an end time, it brings the clock there (a sim whose
 * queue runs empty keeps its clock). */
static void ev_nothing(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)ctx;
    (void)arg;
}

/* A flow whose completion lies beyond the clock (1e15 B at 1 kB/s: 1e12 s, past the int64
 * nanoseconds) has no completion event, yet moves its bytes at its rate: 1 kB/s for 2.5 s, then
 * 3 kB/s for 1.5 s after a capacity change, 7 kB in all, which is what it reports moved and
 * left, its link carried and its cancel returns (the fuzz finding flow-beyond-horizon). */
static void test_beyond_clock_progresses(void)
{
    af_sim *sim = af_sim_new(0);
    script sc = {0};
    sc.net = af_flownet_new(sim, 0);
    sc.res[0] = af_flownet_resource_add(sc.net, NULL, 1000);
    sc.ids[0] = start1(sc.net, sc.res, 1, 1e15, &sc.log, 0);
    CU_ASSERT_EQUAL(af_flownet_rate(sc.net, sc.ids[0]), 1000);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    af_sim_at(sim, 2 * SEC + SEC / 2, ev_capacity, &sc, 3000);
    af_sim_at(sim, 4 * SEC, ev_nothing, NULL, 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(af_sim_now(sim), 4 * SEC);
    CU_ASSERT_EQUAL(sc.log.n, 0);
    CU_ASSERT_EQUAL(af_flownet_rate(sc.net, sc.ids[0]), 3000);
    CU_ASSERT_EQUAL(af_flownet_moved(sc.net, sc.ids[0]), 7000);
    CU_ASSERT_EQUAL(af_flownet_left(sc.net, sc.ids[0]), 1e15 - 7000);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(sc.net, sc.res[0]), 7000);
    CU_ASSERT_EQUAL(af_flownet_cancel(sc.net, sc.ids[0]), 7000);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(sc.net, sc.res[0]), 7000);
    CU_ASSERT_EQUAL(af_flownet_moved(sc.net, sc.ids[0]), 0);
    af_flownet_free(sc.net);
    af_sim_free(sim);
}

/* Progress of a group of huge members is rate * time, not size less bytes left (the fuzz finding
 * nic-util-above-one): 8e6 members of 237 TB share 100 GB/s, 12.5 kB/s each, and in 2831348 ns
 * each moves 35.39185 B, where 237 TB less the bytes left rounds to 1/32 B and, times 8e6, made
 * the link carry 0.04% more than its capacity. A group of 1e6 members of 1 TB on 1 GB/s (1 kB/s
 * each, completing within the clock) moves 1.234567 B each in 1234567 ns. Each link carries
 * exactly capacity * time. */
static void test_huge_group_progress_exact(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 100 * GB);
    uint32_t b = af_flownet_resource_add(net, NULL, 1 * GB);
    af_flow_id f = af_flownet_start(net, &a, 1, 2.37e14, 1, 0, 8000000, NULL, NULL, 0);
    af_flow_id g = af_flownet_start(net, &b, 1, 1e12, 1, 0, 1000000, NULL, NULL, 0);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f), 12500);
    CU_ASSERT_EQUAL(af_flownet_rate(net, g), 1000);
    const af_time_ns t1 = 1234567, t2 = 2831348;
    af_sim_at(sim, t1, ev_nothing, NULL, 0);
    af_sim_at(sim, t2, ev_nothing, NULL, 0);
    af_sim_run(sim, t1, 0);
    AF_ASSERT_REL(af_flownet_moved(net, g), 1.234567, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_carried(net, b), 1.234567e6, 1e-15);
    CU_ASSERT(af_flownet_resource_carried(net, b) <= 1 * GB * 1234567e-9 * (1 + 1e-12));
    af_sim_run(sim, t2, 0);
    CU_ASSERT_EQUAL(af_sim_now(sim), t2);
    AF_ASSERT_REL(af_flownet_moved(net, f), 35.39185, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_carried(net, a), 283134800, 1e-15);
    CU_ASSERT(af_flownet_resource_carried(net, a) <= 100 * GB * 2831348e-9 * (1 + 1e-12));
    AF_ASSERT_REL(af_flownet_cancel(net, f), 35.39185, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_carried(net, a), 283134800, 1e-15);
    AF_ASSERT_REL(af_flownet_cancel(net, g), 2.831348, 1e-15);
    AF_ASSERT_REL(af_flownet_resource_carried(net, b), 2.831348e6, 1e-15);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* The completion tolerance counts a group's bytes, not each member's (the fuzz finding
 * tiny-flows-free): 8e6 members of 1 B on 1 MB/s take 8 s and carry 1 MB/s meanwhile, where a
 * tolerance of 1 B per member made them complete as they started. Nor does a group of at most
 * 1 B complete at its start (fuzz finding: such groups started thousands of times a second
 * passed a NIC 205 times over): on a link of 1 B/s, 4 members of 0.25 B and 5 of 0.25 B share
 * 1/9 B/s per member and both end at 2.25 s, 2.25 B carried. */
static void test_tiny_group_takes_its_time(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 1e6);
    uint32_t m = af_flownet_resource_add(net, NULL, 1);
    done_log log = {0};
    af_flow_id f = af_flownet_start(net, &a, 1, 1, 1, 0, 8000000, log_done, &log, 1);
    af_flownet_start(net, &m, 1, 0.25, 1, 0, 4, log_done, &log, 2);
    af_flownet_start(net, &m, 1, 0.25, 1, 0, 5, log_done, &log, 3);
    CU_ASSERT_EQUAL(af_flownet_rate(net, f), 0.125);
    /* After 1 ns: 1 mB carried, no more, and nothing ended. */
    CU_ASSERT_EQUAL(af_sim_run(sim, 1, 0), AF_RUN_END);
    CU_ASSERT_EQUAL(log.n, 0);
    CU_ASSERT(af_flownet_live(net, f));
    AF_ASSERT_REL(af_flownet_resource_carried(net, a), 1e-3, 1e-12);
    CU_ASSERT(af_flownet_resource_carried(net, a) <= 1e-3 * (1 + 1e-12));
    af_sim_run(sim, 4 * SEC, 0);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 4e6);
    CU_ASSERT_EQUAL(af_flownet_left(net, f), 0.5);
    CU_ASSERT_EQUAL_FATAL(log.n, 2);
    for (int i = 0; i < 2; i++)
        CU_ASSERT(llabs(log.t[i] - (2 * SEC + SEC / 4)) <= 1);
    CU_ASSERT(log.arg[0] + log.arg[1] == 5);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(log.n, 3);
    CU_ASSERT_EQUAL(log.arg[2], 1);
    CU_ASSERT_EQUAL(log.t[2], 8 * SEC);
    CU_ASSERT_EQUAL(af_flownet_resource_carried(net, a), 8e6);
    AF_ASSERT_REL(af_flownet_resource_carried(net, m), 2.25, 1e-12);
    af_flownet_free(net);
    af_sim_free(sim);
}

#define WMAX_RES 6
#define WMAX_FLOWS 12
#define WMAX_PATH 4

/* A random instance over the whole documented range: weights 10^U(-12, 6), scales
 * 10^U(-15, 3), k = 10^U(0, 7), capacities 10^U(0, 12). */
typedef struct wide {
    af_sim *sim;
    af_flownet *net;
    uint32_t n_res;
    double cap[WMAX_RES];
    uint32_t n_flows;
    af_flow_id id[WMAX_FLOWS];
    uint32_t path[WMAX_FLOWS][WMAX_PATH];
    double scale[WMAX_FLOWS][WMAX_PATH];
    uint32_t n_path[WMAX_FLOWS];
    double size[WMAX_FLOWS];
    double weight[WMAX_FLOWS];
    uint32_t k[WMAX_FLOWS];
    bool done[WMAX_FLOWS];
    uint64_t checks;
    int failures;
} wide;

/* Checks feasibility and the bottlenecks up to rounding relative to capacity (flow.h, Range): no
 * resource above capacity, every flow's bottleneck on its path and saturated, and a flow's
 * shortfall against the highest rate per unit weight on its bottleneck worth at most 1e-9 of
 * that resource's capacity. */
static void wide_check(wide *w)
{
    const double tol = 1e-9;
    double load[WMAX_RES] = {0}, top[WMAX_RES] = {0};
    for (uint32_t f = 0; f < w->n_flows; f++) {
        if (!af_flownet_live(w->net, w->id[f]))
            continue;
        double x = af_flownet_rate(w->net, w->id[f]);
        INST_CHECK(w, isfinite(x) && x >= 0);
        for (uint32_t h = 0; h < w->n_path[f]; h++) {
            uint32_t r = w->path[f][h];
            load[r] += w->scale[f][h] * w->k[f] * x;
            top[r] = fmax(top[r], x / w->weight[f]);
        }
    }
    for (uint32_t r = 0; r < w->n_res; r++) {
        INST_CHECK(w, load[r] <= w->cap[r] * (1 + tol));
        INST_CHECK(w, fabs(load[r] - af_flownet_resource_load(w->net, r)) <= tol * w->cap[r]);
    }
    for (uint32_t f = 0; f < w->n_flows; f++) {
        if (!af_flownet_live(w->net, w->id[f]))
            continue;
        double x = af_flownet_rate(w->net, w->id[f]);
        uint32_t bn = af_flownet_bottleneck(w->net, w->id[f]);
        double a = 0; /* units of bn per byte of f, all members */
        for (uint32_t h = 0; h < w->n_path[f]; h++)
            if (w->path[f][h] == bn)
                a += w->scale[f][h] * w->k[f];
        INST_CHECK(w, a > 0);
        if (a > 0) {
            INST_CHECK(w, load[bn] >= w->cap[bn] * (1 - tol));
            INST_CHECK(w, a * (w->weight[f] * top[bn] - x) <= tol * w->cap[bn]);
        }
        w->checks++;
    }
}

static void wide_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    wide *w = ctx;
    INST_CHECK(w, !w->done[arg]);
    w->done[arg] = true;
    wide_check(w);
}

/* 10^U(lo, hi). */
static double wide_pow(gsl_rng *r, double lo, double hi)
{
    return pow(10, lo + (hi - lo) * gsl_rng_uniform(r));
}

/* Random instances over the documented range, started one by one (half of them in one deferred
 * batch), checked after every start and completion, run to the end: every flow completes and
 * every resource is credited scale * k * size. Sizes are cut so that each flow alone would take
 * at most 1e6 s, which keeps the whole run within the clock. */
static void test_property_wide(void)
{
    gsl_rng *r = af_rng_new(1, "test_flow.wide");
    uint64_t checks = 0, resums = 0;
    int failures = 0;
    for (int trial = 0; trial < 300; trial++) {
        wide w;
        memset(&w, 0, sizeof w);
        w.sim = af_sim_new(0);
        w.net = af_flownet_new(w.sim, 0);
        w.n_res = 1 + (uint32_t)gsl_rng_uniform_int(r, WMAX_RES);
        for (uint32_t i = 0; i < w.n_res; i++) {
            w.cap[i] = wide_pow(r, 0, 12);
            af_flownet_resource_add(w.net, NULL, w.cap[i]);
        }
        w.n_flows = 1 + (uint32_t)gsl_rng_uniform_int(r, WMAX_FLOWS);
        /* Half the instances query after every start (one recomputation each), half only
         * after all of them (one recomputation for the batch). */
        bool batch = gsl_rng_uniform(r) < 0.5;
        for (uint32_t f = 0; f < w.n_flows; f++) {
            w.n_path[f] = 1 + (uint32_t)gsl_rng_uniform_int(r, WMAX_PATH);
            w.weight[f] = wide_pow(r, -12, 6);
            w.k[f] = (uint32_t)round(wide_pow(r, 0, 7));
            double alone_Bps = INFINITY;
            for (uint32_t h = 0; h < w.n_path[f]; h++) {
                w.path[f][h] = (uint32_t)gsl_rng_uniform_int(r, w.n_res);
                w.scale[f][h] = wide_pow(r, -15, 3);
                alone_Bps =
                    fmin(alone_Bps, w.cap[w.path[f][h]] / (WMAX_PATH * w.scale[f][h] * w.k[f]));
            }
            w.size[f] = fmin(wide_pow(r, 3, 12), 1e6 * alone_Bps);
            w.id[f] = af_flownet_start_scaled(w.net, w.path[f], w.scale[f], w.n_path[f], w.size[f],
                                              w.weight[f], 0, w.k[f], wide_done, &w, f);
            if (!batch)
                wide_check(&w);
        }
        if (batch)
            af_flownet_flush(w.net);
        wide_check(&w);
        af_sim_run(w.sim, AF_TIME_MAX, 0);
        double want[WMAX_RES] = {0};
        for (uint32_t f = 0; f < w.n_flows; f++) {
            INST_CHECK(&w, w.done[f]);
            for (uint32_t h = 0; h < w.n_path[f]; h++)
                want[w.path[f][h]] += w.scale[f][h] * w.k[f] * w.size[f];
        }
        for (uint32_t i = 0; i < w.n_res; i++)
            INST_CHECK(&w,
                       fabs(af_flownet_resource_carried(w.net, i) - want[i]) <= 1e-12 * want[i]);
        checks += w.checks;
        failures += w.failures;
        af_flownet_stats st;
        af_flownet_get_stats(w.net, &st);
        resums += st.resums;
        af_flownet_free(w.net);
        af_sim_free(w.sim);
    }
    af_rng_free(r);
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT(checks > 1000);
    CU_ASSERT(resums > 100);
}

static const af_test tests[] = {
    {"one bottleneck shared by three equal flows", test_one_bottleneck},
    {"two bottlenecks: 10 over f1 f2, 4 over f2 f3 gives 8 2 2", test_two_bottlenecks},
    {"weights 1:3 share one link 1:3", test_weights},
    {"a cap below the fair share frees bandwidth; a path-less capped flow", test_cap},
    {"a group of k counts as k flows", test_group},
    {"a resource named twice on a path counts twice", test_repeated_resource},
    {"bottleneck ties go to the lowest resource id", test_bottleneck_tie},
    {"scales 1 and 2 on 10 units/s give 10/3 each; exact times and carried units",
     test_scaled_one_resource},
    {"scales with a cap: the capped flow frees units for the others", test_scaled_cap},
    {"scales move the bottleneck between two resources", test_scaled_two_bottlenecks},
    {"a group of 4 at scale 0.5 weighs 2; its credit is scale * k * bytes", test_scaled_group},
    {"scales are per hop; explicit ones equal none", test_scaled_per_hop},
    {"reads and writes share a device-seconds budget", test_scaled_storage_budget},
    {"completion times exact in ns across starts", test_completion_times},
    {"zero-size flows and dead ids", test_zero_size_and_dead_ids},
    {"cancel returns bytes so far and reshares", test_cancel},
    {"capacity changes reshare, zero stalls, repair resumes", test_capacity_change},
    {"simultaneous completions end together in start order", test_simultaneous},
    {"changes of one instant reshare once", test_batching},
    {"freeing the net cancels its events", test_free_cancels_events},
    {"a change recomputes only its component", test_locality},
    {"steady churn allocates nothing", test_steady_state_pools},
    {"random instances: max-min characterisation, order independence", test_property_static},
    {"random runs: completion, exact conservation, determinism", test_property_dynamic},
    {"weights 1e6 and 1e-12 on one link; the light flow finishes after", test_weights_far_apart},
    {"weight, scale and k at their extremes together", test_extremes_together},
    {"a light flow outrun by a heavy group completes after it", test_light_flow_waits_for_heavy},
    {"weights and scales outside the range are clamped", test_factors_clamped},
    {"a flow completing beyond the clock still moves rate * time", test_beyond_clock_progresses},
    {"a group of huge members carries exactly rate * time", test_huge_group_progress_exact},
    {"the tolerance counts a group's bytes: 8e6 x 1 B on 1 MB/s take 8 s",
     test_tiny_group_takes_its_time},
    {"random instances over the whole weight, scale and k range", test_property_wide},
    {NULL, NULL}};

AF_TEST_MAIN("flow", tests)
