/*
 * test_flow: the fluid bandwidth-sharing core (engine/flow).
 *
 * Hand-worked examples with exact rates and exact completion times (one bottleneck, two
 * bottlenecks, weights, caps, groups, cancel, capacity changes), then properties on random
 * instances drawn from a fixed-seed GSL stream: no resource above capacity, every flow at its
 * cap or on a saturated resource where its rate per unit weight is the largest (the
 * characterisation of weighted max-min fairness, Bertsekas & Gallager 6.5.2), the incremental
 * solution equal to one computed from scratch, every flow completing, bytes carried on each
 * resource equal to the bytes asked for, and two identical runs giving identical logs.
 */
#include "tests/unit/cutest.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>
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

/* Flows completing at one instant end together and call back in the order they started. */
static void test_simultaneous(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 3 * GB);
    done_log log = {0};
    for (uint64_t i = 0; i < 3; i++)
        start1(net, &a, 1, 1 * GB, &log, 10 + i);
    af_flownet_stats before, after;
    af_flownet_get_stats(net, &before);
    af_sim_run(sim, AF_TIME_MAX, 0);
    af_flownet_get_stats(net, &after);
    CU_ASSERT_EQUAL(log.n, 3);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(log.t[i], 1 * SEC);
        CU_ASSERT_EQUAL(log.arg[i], 10u + (uint64_t)i);
    }
    CU_ASSERT_EQUAL(after.updates - before.updates, 1);
    CU_ASSERT_EQUAL(after.ends, 3);
    CU_ASSERT_EQUAL(after.flows_live, 0);
    af_flownet_free(net);
    af_sim_free(sim);
}

/* A change recomputes only its component. */
static void test_locality(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t r[100];
    for (int i = 0; i < 100; i++) {
        r[i] = af_flownet_resource_add(net, NULL, 1 * GB);
        start1(net, &r[i], 1, 1e12, NULL, 0);
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
    af_flownet_defer(sc->net);
    sc->moved[0] = af_flownet_cancel(sc->net, sc->ids[0]);
    af_flownet_set_capacity(sc->net, sc->res[0], 14 * GB);
    af_flow_id d = start1(sc->net, sc->res, 1, 10 * GB, &sc->log, 3);
    sc->moved[3] = af_flownet_cancel(sc->net, d);
    /* Until the flush the old shares stand. */
    CU_ASSERT_EQUAL(af_flownet_rate(sc->net, sc->ids[1]), 3 * GB);
    af_flownet_flush(sc->net);
    af_flownet_get_stats(sc->net, &after);
    CU_ASSERT_EQUAL(after.updates - before.updates, 1);
    CU_ASSERT_EQUAL(af_flownet_rate(sc->net, sc->ids[1]), 7 * GB);
    CU_ASSERT_EQUAL(af_flownet_rate(sc->net, sc->ids[2]), 7 * GB);
}

/* Deferred changes are reshared once, at the flush, with the same result. */
static void test_defer(void)
{
    af_sim *sim = af_sim_new(0);
    script sc = {0};
    sc.net = af_flownet_new(sim, 0);
    sc.res[0] = af_flownet_resource_add(sc.net, NULL, 9 * GB);
    af_flownet_stats before, after;
    af_flownet_get_stats(sc.net, &before);
    af_flownet_flush(sc.net); /* no-op without defer */
    af_flownet_defer(sc.net);
    for (uint64_t i = 0; i < 3; i++)
        sc.ids[i] = start1(sc.net, sc.res, 1, 10 * GB, &sc.log, i);
    CU_ASSERT_EQUAL(af_flownet_rate(sc.net, sc.ids[0]), 0);
    CU_ASSERT_EQUAL(af_flownet_bottleneck(sc.net, sc.ids[0]), AF_FLOWNET_NONE);
    CU_ASSERT(af_flownet_live(sc.net, sc.ids[0]));
    af_flownet_flush(sc.net);
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

/* Freeing the net cancels the completion events it scheduled, so the sim can run on. */
static void test_free_cancels_events(void)
{
    af_sim *sim = af_sim_new(0);
    af_flownet *net = af_flownet_new(sim, 0);
    uint32_t a = af_flownet_resource_add(net, NULL, 1 * GB);
    done_log log = {0};
    for (int i = 0; i < 3; i++)
        start1(net, &a, 1, 1 * GB, &log, 0);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 3);
    af_flownet_free(net);
    af_flownet_free(NULL);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 0);
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
 * so that sums of bytes are exact in double. */
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
    }
}

static void inst_done(af_sim *sim, void *ctx, uint64_t arg);

static void inst_start(inst *in, uint32_t f)
{
    in->id[f] = af_flownet_start(in->net, in->path[f], in->n_path[f], in->size[f], in->weight[f],
                                 in->fcap[f], in->k[f], inst_done, in, f);
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
 * paths: loads recomputed from the rates, none above capacity, every flow at its cap or with a
 * saturated bottleneck on which its rate per unit weight is the largest. */
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
            load[r] += in->k[f] * x;
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
        af_flownet_defer(other); /* one fill from scratch */
        for (uint32_t f = in.n_flows; f-- > 0;)
            oid[f] = af_flownet_start(other, in.path[f], in.n_path[f], in.size[f], in.weight[f],
                                      in.fcap[f], in.k[f], NULL, NULL, 0);
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
    for (uint32_t f = 0; f < in->n_flows; f++) {
        INST_CHECK(in, in->done[f]);
        if (in->fcap[f] > 0)
            INST_CHECK(in, in->t_done[f] - in->t_start[f] >=
                               (af_time_ns)(in->size[f] / in->fcap[f] * 1e9 * (1 - 1e-9)) - 1);
        for (uint32_t h = 0; h < in->n_path[f]; h++)
            want[in->path[f][h]] += in->k[f] * in->size[f];
    }
    /* Bytes carried equal bytes asked for; exact, since every term is an integer below 2^53. */
    for (uint32_t r = 0; r < in->n_res; r++) {
        INST_CHECK(in, af_flownet_resource_carried(in->net, r) == want[r]);
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

static const af_test tests[] = {
    {"one bottleneck shared by three equal flows", test_one_bottleneck},
    {"two bottlenecks: 10 over f1 f2, 4 over f2 f3 gives 8 2 2", test_two_bottlenecks},
    {"weights 1:3 share one link 1:3", test_weights},
    {"a cap below the fair share frees bandwidth; a path-less capped flow", test_cap},
    {"a group of k counts as k flows", test_group},
    {"a resource named twice on a path counts twice", test_repeated_resource},
    {"bottleneck ties go to the lowest resource id", test_bottleneck_tie},
    {"completion times exact in ns across starts", test_completion_times},
    {"zero-size flows and dead ids", test_zero_size_and_dead_ids},
    {"cancel returns bytes so far and reshares", test_cancel},
    {"capacity changes reshare, zero stalls, repair resumes", test_capacity_change},
    {"simultaneous completions end together in start order", test_simultaneous},
    {"deferred changes reshare once at the flush", test_defer},
    {"freeing the net cancels its events", test_free_cancels_events},
    {"a change recomputes only its component", test_locality},
    {"steady churn allocates nothing", test_steady_state_pools},
    {"random instances: max-min characterisation, order independence", test_property_static},
    {"random runs: completion, exact conservation, determinism", test_property_dynamic},
    {NULL, NULL}};

AF_TEST_MAIN("flow", tests)
