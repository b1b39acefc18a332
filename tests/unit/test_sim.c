/*
 * test_sim: the discrete-event engine.
 *
 * Handlers append (time, arg) to a log, so each test compares the log with the order sim.h
 * promises: (time, insertion sequence), cancelled events absent, the run statuses and clock
 * positions exactly as documented. Pool reuse is checked through sim_internal.h: a million
 * events with a bounded pending count must not grow the pool after warm-up. End-of-instant hooks
 * are driven by small scripts of events and hooks (see stage_play).
 */
#include "engine/sim.h"

#include <gsl/gsl_rng.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/fault.h"
#include "cutest.h"
#include "engine/sim_internal.h"

/* What the handlers saw. */
typedef struct log_entry {
    af_time_ns t_ns; /* af_sim_now when the handler ran */
    uint64_t arg;    /* the handler's argument */
} log_entry;

typedef struct event_log {
    log_entry *e; /* entries in run order */
    size_t n;     /* entries used */
    size_t cap;   /* entries allocated */
} event_log;

static void log_add(event_log *log, af_time_ns t_ns, uint64_t arg)
{
    log->e = af_grow(log->e, &log->cap, log->n + 1, sizeof(*log->e));
    log->e[log->n++] = (log_entry){t_ns, arg};
}

/* Handler: records the event in the event_log passed as ctx. */
static void record(af_sim *sim, void *ctx, uint64_t arg)
{
    log_add(ctx, af_sim_now(sim), arg);
}

static void test_time_order(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    event_log log = {0};
    af_sim *sim = af_sim_new(16);
    enum { N = 5000 };
    af_time_ns *when = af_malloc_array(N, sizeof(*when));
    for (uint64_t i = 0; i < N; i++) {
        when[i] = (af_time_ns)gsl_rng_uniform_int(r, 1000000);
        af_sim_at(sim, when[i], record, &log, i);
    }
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), N);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, N);
    size_t bad = 0;
    for (size_t i = 0; i < log.n; i++) {
        bad += log.e[i].t_ns != when[log.e[i].arg]; /* ran at its own time */
        if (i > 0) {
            bad += log.e[i].t_ns < log.e[i - 1].t_ns;
            bad += log.e[i].t_ns == log.e[i - 1].t_ns && log.e[i].arg < log.e[i - 1].arg;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), N);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    CU_ASSERT_EQUAL(af_sim_now(sim), log.e[N - 1].t_ns); /* EMPTY leaves the clock */
    af_free(when);
    af_free(log.e);
    af_sim_free(sim);
    gsl_rng_free(r);
}

/* Handler for test_ties: at arg 0, schedules three more events at the current time. */
static void tie_spawner(af_sim *sim, void *ctx, uint64_t arg)
{
    record(sim, ctx, arg);
    if (arg == 0)
        for (uint64_t k = 100; k < 103; k++)
            af_sim_after(sim, 0, record, ctx, k);
}

static void test_ties(void)
{
    event_log log = {0};
    af_sim *sim = af_sim_new(0);
    af_sim_at(sim, 50, tie_spawner, &log, 0);
    for (uint64_t i = 1; i <= 50; i++)
        af_sim_at(sim, 50, record, &log, i);
    af_sim_at(sim, 49, record, &log, 999);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL_FATAL(log.n, 55);
    CU_ASSERT_EQUAL(log.e[0].arg, 999);
    /* Scheduling order, including events scheduled at the current time by a handler, which
     * come after the same-time events already pending. */
    size_t bad = 0;
    for (uint64_t i = 0; i <= 50; i++)
        bad += log.e[1 + i].arg != i || log.e[1 + i].t_ns != 50;
    for (uint64_t k = 0; k < 3; k++)
        bad += log.e[52 + k].arg != 100 + k || log.e[52 + k].t_ns != 50;
    CU_ASSERT_EQUAL(bad, 0);
    af_free(log.e);
    af_sim_free(sim);
}

/* State for test_cancel_in_handler. */
typedef struct cancel_ctx {
    event_log log;        /* what ran */
    af_event_id victim;   /* event the first handler cancels */
    af_event_id self;     /* the id of the handler's own event */
    bool self_cancel;     /* what af_sim_cancel(self) returned inside the handler */
    bool self_pending;    /* what af_sim_pending(self) returned inside the handler */
    bool victim_canceled; /* what af_sim_cancel(victim) returned */
} cancel_ctx;

static void canceller(af_sim *sim, void *ctx, uint64_t arg)
{
    cancel_ctx *c = ctx;
    log_add(&c->log, af_sim_now(sim), arg);
    c->self_pending = af_sim_pending(sim, c->self);
    c->self_cancel = af_sim_cancel(sim, c->self);
    c->victim_canceled = af_sim_cancel(sim, c->victim);
}

/* Handler that records into a cancel_ctx's log. */
static void cancel_record(af_sim *sim, void *ctx, uint64_t arg)
{
    cancel_ctx *c = ctx;
    log_add(&c->log, af_sim_now(sim), arg);
}

static void test_cancel(void)
{
    event_log log = {0};
    af_sim *sim = af_sim_new(4);
    af_event_id a = af_sim_at(sim, 10, record, &log, 1);
    af_event_id b = af_sim_at(sim, 20, record, &log, 2);
    af_event_id c = af_sim_at(sim, 30, record, &log, 3);
    af_event_id zero = {0, 0};
    CU_ASSERT(af_sim_pending(sim, a) && af_sim_pending(sim, b) && af_sim_pending(sim, c));
    CU_ASSERT_FALSE(af_sim_pending(sim, zero));
    CU_ASSERT_FALSE(af_sim_cancel(sim, zero));
    af_event_id out_of_range = {.slot = 1000000, .gen = 0};
    CU_ASSERT_FALSE(af_sim_cancel(sim, out_of_range));
    CU_ASSERT_FALSE(af_sim_pending(sim, out_of_range));

    CU_ASSERT_TRUE(af_sim_cancel(sim, b));
    CU_ASSERT_FALSE(af_sim_pending(sim, b));
    CU_ASSERT_FALSE(af_sim_cancel(sim, b)); /* double cancel */
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 2);

    CU_ASSERT_EQUAL(af_sim_run(sim, 15, 0), AF_RUN_END);
    CU_ASSERT_FALSE(af_sim_pending(sim, a));
    CU_ASSERT_FALSE(af_sim_cancel(sim, a)); /* cancel after fire */

    /* A new event may reuse a's or b's slot; the old ids must not name it. */
    af_event_id d = af_sim_at(sim, 25, record, &log, 4);
    CU_ASSERT_TRUE(af_sim_pending(sim, d));
    CU_ASSERT_FALSE(af_sim_pending(sim, a));
    CU_ASSERT_FALSE(af_sim_pending(sim, b));
    CU_ASSERT_FALSE(af_sim_cancel(sim, a));
    CU_ASSERT_FALSE(af_sim_cancel(sim, b));
    CU_ASSERT_TRUE(af_sim_pending(sim, d));

    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL_FATAL(log.n, 3);
    CU_ASSERT(log.e[0].arg == 1 && log.e[1].arg == 4 && log.e[2].arg == 3);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 3); /* the cancelled one does not count */
    CU_ASSERT_FALSE(af_sim_cancel(sim, c));

    /* Cancelling the only pending event leaves an empty run that does not move the clock. */
    af_event_id e = af_sim_after(sim, 5, record, &log, 5);
    CU_ASSERT_TRUE(af_sim_cancel(sim, e));
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(af_sim_now(sim), 30);
    CU_ASSERT_EQUAL(log.n, 3);
    af_free(log.e);
    af_sim_free(sim);
}

static void test_cancel_in_handler(void)
{
    cancel_ctx c = {0};
    af_sim *sim = af_sim_new(0);
    c.self = af_sim_at(sim, 5, canceller, &c, 1);
    c.victim = af_sim_at(sim, 5, cancel_record, &c, 2); /* same time, later in order */
    af_sim_at(sim, 6, cancel_record, &c, 3);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_FALSE(c.self_pending); /* a running event is no longer pending */
    CU_ASSERT_FALSE(c.self_cancel);
    CU_ASSERT_TRUE(c.victim_canceled);
    CU_ASSERT_EQUAL_FATAL(c.log.n, 2);
    CU_ASSERT(c.log.e[0].arg == 1 && c.log.e[1].arg == 3);
    af_free(c.log.e);
    af_sim_free(sim);
}

/* Heavy cancellation keeps the heap bounded and loses no live event. */
static void test_cancel_heavy(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12);
    event_log log = {0};
    af_sim *sim = af_sim_new(0);
    enum { N = 20000 };
    af_event_id *ids = af_malloc_array(N, sizeof(*ids));
    bool *live = af_calloc(N, sizeof(*live));
    for (uint64_t i = 0; i < N; i++) {
        ids[i] = af_sim_at(sim, (af_time_ns)gsl_rng_uniform_int(r, 1000), record, &log, i);
        live[i] = true;
    }
    size_t bad = 0, n_live = N;
    for (size_t round = 0; round < 5 * N; round++) {
        size_t i = gsl_rng_uniform_int(r, N);
        bool was = live[i];
        bad += af_sim_cancel(sim, ids[i]) != was;
        live[i] = false;
        n_live -= was;
        /* Reschedule half of the cancelled ones, as flow completions are. */
        if (round % 2 == 0) {
            ids[i] = af_sim_at(sim, (af_time_ns)gsl_rng_uniform_int(r, 1000), record, &log, i);
            live[i] = true;
            n_live++;
        }
        bad += af_sim_events_pending(sim) != n_live;
        bad += af_sim_heap_entries(sim) > 2 * n_live + 64;
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* Cancel almost everything: the heap must shrink with it. */
    for (size_t i = 0; i + 10 < N; i++)
        if (live[i]) {
            CU_ASSERT_TRUE(af_sim_cancel(sim, ids[i]));
            live[i] = false;
            n_live--;
        }
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), n_live);
    CU_ASSERT(af_sim_heap_entries(sim) <= 2 * n_live + 64);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, n_live);
    for (size_t k = 0; k < log.n; k++)
        bad += !live[log.e[k].arg];
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(af_sim_heap_entries(sim), 0);
    af_free(live);
    af_free(ids);
    af_free(log.e);
    af_sim_free(sim);
    gsl_rng_free(r);
}

/* State for the pool-reuse run: a PHOLD-like self-rescheduling load. */
typedef struct churn {
    gsl_rng *rng;         /* delays */
    af_event_id timer[8]; /* timers rescheduled by cancelling (flow-completion pattern) */
    uint64_t count;       /* events run */
} churn;

static void churn_event(af_sim *sim, void *ctx, uint64_t arg)
{
    churn *c = ctx;
    c->count++;
    af_sim_after(sim, 1 + (af_time_ns)gsl_rng_uniform_int(c->rng, 1000), churn_event, c, arg);
    /* Every event also moves one timer: cancel it and schedule it again. */
    size_t k = c->count % 8;
    af_sim_cancel(sim, c->timer[k]);
    c->timer[k] = af_sim_after(sim, 500 + (af_time_ns)gsl_rng_uniform_int(c->rng, 1000),
                               churn_event, c, 1000000 + k);
}

static void test_pool_reuse(void)
{
    churn c = {.rng = gsl_rng_alloc(gsl_rng_mt19937)};
    gsl_rng_set(c.rng, 13);
    af_sim *sim = af_sim_new(64); /* small hint: the pool must grow during warm-up */
    for (uint64_t i = 0; i < 1000; i++)
        af_sim_after(sim, (af_time_ns)i, churn_event, &c, i);
    for (size_t k = 0; k < 8; k++)
        c.timer[k] = af_sim_after(sim, 1000, churn_event, &c, 1000000 + k);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 100000), AF_RUN_BUDGET);
    size_t cap = af_sim_pool_capacity(sim);
    CU_ASSERT(cap >= 1008);
    uint64_t pending = af_sim_events_pending(sim);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 1000000), AF_RUN_BUDGET);
    CU_ASSERT_EQUAL(af_sim_pool_capacity(sim), cap); /* no growth once warm */
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), pending);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 1100000);
    CU_ASSERT_EQUAL(c.count, 1100000);
    af_sim_free(sim);
    gsl_rng_free(c.rng);
}

/* Ids stay valid when the pool grows under them. */
static void test_pool_growth(void)
{
    event_log log = {0};
    af_sim *sim = af_sim_new(1);
    CU_ASSERT_EQUAL(af_sim_pool_capacity(sim), 1);
    enum { N = 3000 };
    af_event_id first = af_sim_at(sim, N, record, &log, 0);
    for (uint64_t i = 1; i < N; i++)
        af_sim_at(sim, (af_time_ns)(N - i), record, &log, i);
    CU_ASSERT(af_sim_pool_capacity(sim) >= N);
    CU_ASSERT_TRUE(af_sim_pending(sim, first));
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL_FATAL(log.n, N);
    size_t bad = 0;
    for (size_t i = 0; i < N; i++)
        bad += log.e[i].t_ns != (af_time_ns)(i + 1) || log.e[i].arg != N - 1 - i;
    CU_ASSERT_EQUAL(bad, 0);
    af_free(log.e);
    af_sim_free(sim);
}

static void test_end_time(void)
{
    event_log log = {0};
    af_sim *sim = af_sim_new(0);
    af_sim_at(sim, 10, record, &log, 1);
    af_sim_at(sim, 20, record, &log, 2);
    af_sim_at(sim, 20, record, &log, 3);
    af_sim_at(sim, 30, record, &log, 4);
    /* Events exactly at the end time run; the clock then sits at the end time. */
    CU_ASSERT_EQUAL(af_sim_run(sim, 20, 0), AF_RUN_END);
    CU_ASSERT_EQUAL(log.n, 3);
    CU_ASSERT_EQUAL(af_sim_now(sim), 20);
    /* Nothing between 20 and 25: the clock still moves to 25. */
    CU_ASSERT_EQUAL(af_sim_run(sim, 25, 0), AF_RUN_END);
    CU_ASSERT_EQUAL(log.n, 3);
    CU_ASSERT_EQUAL(af_sim_now(sim), 25);
    /* Running again to the same end time does nothing. */
    CU_ASSERT_EQUAL(af_sim_run(sim, 25, 0), AF_RUN_END);
    CU_ASSERT_EQUAL(af_sim_now(sim), 25);
    /* Relative scheduling is from the clock, which is now the end time. */
    af_sim_after(sim, 1, record, &log, 5);
    CU_ASSERT_EQUAL(af_sim_run(sim, 29, 0), AF_RUN_END);
    CU_ASSERT_EQUAL_FATAL(log.n, 4);
    CU_ASSERT_EQUAL(log.e[3].t_ns, 26);
    CU_ASSERT_EQUAL(af_sim_now(sim), 29);
    /* Reaching the last event before the end time is EMPTY, with the clock at that event. */
    CU_ASSERT_EQUAL(af_sim_run(sim, 1000, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 5);
    CU_ASSERT_EQUAL(af_sim_now(sim), 30);
    /* An empty simulation returns EMPTY and keeps its clock, whatever the end time. */
    CU_ASSERT_EQUAL(af_sim_run(sim, 5000, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(af_sim_now(sim), 30);
    af_free(log.e);
    af_sim_free(sim);

    /* A fresh simulation with nothing to do. */
    sim = af_sim_new(0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(af_sim_now(sim), 0);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 0);
    af_sim_free(sim);
}

static void test_budget(void)
{
    event_log log = {0};
    af_sim *sim = af_sim_new(0);
    for (uint64_t i = 0; i < 10; i++)
        af_sim_at(sim, (af_time_ns)(i * 10), record, &log, i);
    /* The budget counts events run in this call. */
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 3), AF_RUN_BUDGET);
    CU_ASSERT_EQUAL(log.n, 3);
    CU_ASSERT_EQUAL(af_sim_now(sim), 20);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 3), AF_RUN_BUDGET);
    CU_ASSERT_EQUAL(log.n, 6);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 6);
    /* An end time that comes first wins over the budget ... */
    CU_ASSERT_EQUAL(af_sim_run(sim, 65, 3), AF_RUN_END);
    CU_ASSERT_EQUAL(log.n, 7);
    CU_ASSERT_EQUAL(af_sim_now(sim), 65);
    /* ... and a budget spent exactly on the end time's last event reports END too, because
     * the next event is checked first. */
    CU_ASSERT_EQUAL(af_sim_run(sim, 70, 1), AF_RUN_END);
    CU_ASSERT_EQUAL(log.n, 8);
    CU_ASSERT_EQUAL(af_sim_now(sim), 70);
    /* A budget spent on the last event reports EMPTY. */
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 2), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 10);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 10);
    af_free(log.e);
    af_sim_free(sim);
}

/* Handler: stops the run at arg 5. */
static void stopper(af_sim *sim, void *ctx, uint64_t arg)
{
    record(sim, ctx, arg);
    if (arg == 5)
        af_sim_stop(sim);
}

static void test_stop(void)
{
    event_log log = {0};
    af_sim *sim = af_sim_new(0);
    for (uint64_t i = 0; i < 10; i++)
        af_sim_at(sim, (af_time_ns)(100 + i), stopper, &log, i);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_STOPPED);
    CU_ASSERT_EQUAL(log.n, 6);
    CU_ASSERT_EQUAL(af_sim_now(sim), 105);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 4);
    /* The next call continues where the stop left off. */
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 10);
    CU_ASSERT_EQUAL(log.e[6].arg, 6);
    /* A stop requested outside a run does not affect the next run. */
    af_sim_at(sim, 200, record, &log, 99);
    af_sim_stop(sim);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 11);
    af_free(log.e);
    af_sim_free(sim);
}

/* The poll hook's log: the events run at each call, and the counts it hands back. */
typedef struct poll_log {
    uint64_t at[64]; /* af_sim_events_run at each call */
    size_t n;        /* calls */
    const uint64_t *answers; /* what call i returns */
} poll_log;

static uint64_t poller(af_sim *sim, void *ctx)
{
    poll_log *p = ctx;
    p->at[p->n] = af_sim_events_run(sim);
    return p->answers[p->n++];
}

static void test_poll(void)
{
    event_log log = {0};
    af_sim *sim = af_sim_new(0);
    for (uint64_t i = 0; i < 20; i++)
        af_sim_at(sim, (af_time_ns)(10 * i), record, &log, i);
    /* Called after every `every` events, then after what it returns, before the next event. */
    static const uint64_t answers[] = {2, 5, AF_SIM_POLL_STOP};
    poll_log p = {.answers = answers};
    af_sim_set_poll(sim, poller, &p, 3);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_STOPPED);
    CU_ASSERT_EQUAL(p.n, 3);
    CU_ASSERT_EQUAL(p.at[0], 3);
    CU_ASSERT_EQUAL(p.at[1], 5);
    CU_ASSERT_EQUAL(p.at[2], 10);
    /* Stopped before the 11th event: the clock at the 10th. */
    CU_ASSERT_EQUAL(log.n, 10);
    CU_ASSERT_EQUAL(af_sim_now(sim), 90);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 10);
    /* The budget still counts every event, slices or not: 4 more, with the hook removed. */
    af_sim_set_poll(sim, NULL, NULL, 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 4), AF_RUN_BUDGET);
    CU_ASSERT_EQUAL(log.n, 14);
    CU_ASSERT_EQUAL(p.n, 3);
    /* With a hook and a budget: the budget wins when both fall due together; the hook is not
     * called when the run ends instead (END, EMPTY). */
    static const uint64_t again[] = {1, 1, 1, 1, 1, 1, 1, 1};
    poll_log q = {.answers = again};
    af_sim_set_poll(sim, poller, &q, 2);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 2), AF_RUN_BUDGET);
    CU_ASSERT_EQUAL(q.n, 0);
    CU_ASSERT_EQUAL(log.n, 16);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 20);
    /* after events 18 and 19 (every 2, then 1); none after the 20th, the last */
    CU_ASSERT_EQUAL(q.n, 2);
    CU_ASSERT_EQUAL(q.at[0], 18);
    CU_ASSERT_EQUAL(q.at[1], 19);
    for (size_t i = 0; i < log.n; i++)
        CU_ASSERT_EQUAL(log.e[i].arg, i);
    af_free(log.e);
    af_sim_free(sim);
}

/* Handler: schedules another event at the same time (arg counts down), making a long instant. */
static void same_instant(af_sim *sim, void *ctx, uint64_t arg)
{
    record(sim, ctx, arg);
    if (arg > 0)
        af_sim_at(sim, af_sim_now(sim), same_instant, ctx, arg - 1);
}

static int hook_calls;
static void poll_count_hook(af_sim *sim, void *ctx)
{
    (void)sim;
    (void)ctx;
    hook_calls++;
}

static void hook_registrar(af_sim *sim, void *ctx, uint64_t arg)
{
    record(sim, ctx, arg);
    af_sim_at_instant_end(sim, poll_count_hook, NULL);
}

static void test_poll_mid_instant(void)
{
    /* A stop inside an instant leaves its events and hooks for the next run, which an end time
     * at that instant completes (what the world does after an interrupt). */
    event_log log = {0};
    af_sim *sim = af_sim_new(0);
    hook_calls = 0;
    af_sim_at(sim, 50, hook_registrar, &log, 100);
    af_sim_at(sim, 50, same_instant, &log, 5);
    af_sim_at(sim, 60, record, &log, 200);
    static const uint64_t answers[] = {AF_SIM_POLL_STOP};
    poll_log p = {.answers = answers};
    af_sim_set_poll(sim, poller, &p, 3);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_STOPPED);
    CU_ASSERT_EQUAL(log.n, 3);
    CU_ASSERT_EQUAL(hook_calls, 0);
    af_sim_set_poll(sim, NULL, NULL, 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, af_sim_now(sim), 0), AF_RUN_END);
    CU_ASSERT_EQUAL(log.n, 7); /* 100, then 5 4 3 2 1 0 */
    CU_ASSERT_EQUAL(hook_calls, 1);
    CU_ASSERT_EQUAL(af_sim_now(sim), 50);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 1);
    af_free(log.e);
    af_sim_free(sim);
}

static void test_free(void)
{
    af_sim_free(NULL);
    /* Freeing with events (live and cancelled) pending releases everything (ASan checks). */
    event_log log = {0};
    af_sim *sim = af_sim_new(2);
    for (uint64_t i = 0; i < 100; i++) {
        af_event_id id = af_sim_at(sim, (af_time_ns)i, record, &log, i);
        if (i % 3 == 0)
            af_sim_cancel(sim, id);
    }
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 66);
    af_sim_free(sim);
    CU_ASSERT_EQUAL(log.n, 0);
}

/* Two simulations are independent. */
static void test_independent(void)
{
    event_log la = {0}, lb = {0};
    af_sim *a = af_sim_new(0), *b = af_sim_new(0);
    af_sim_at(a, 5, record, &la, 1);
    af_sim_at(b, 7, record, &lb, 2);
    CU_ASSERT_EQUAL(af_sim_run(a, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(af_sim_now(a), 5);
    CU_ASSERT_EQUAL(af_sim_now(b), 0);
    CU_ASSERT_EQUAL(af_sim_events_pending(b), 1);
    CU_ASSERT_EQUAL(af_sim_run(b, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT(la.n == 1 && lb.n == 1 && lb.e[0].arg == 2);
    af_free(la.e);
    af_free(lb.e);
    af_sim_free(a);
    af_sim_free(b);
}

/*
 * End-of-instant hooks (af_sim_at_instant_end). A small script drives them: events and hooks
 * are actors that log (af_sim_now, id) when they run and then carry out the actions the script
 * lists for their id: schedule an event, register or forget a hook, stop the run. Events have
 * ids below HOOK; hook k has id HOOK + k and its own context, stage.hooks[k], so that
 * af_sim_forget_instant_end can name it.
 */
enum { HOOK = 100, MAX_HOOKS = 16 };

typedef enum { DO_EVENT, DO_HOOK, DO_FORGET, DO_STOP } action_kind;

/* One step of a script: when actor `who` runs, do `kind` to `target` (an event id scheduled
 * after `delay`, or a hook number). */
typedef struct action {
    uint64_t who;
    action_kind kind;
    uint64_t target;
    af_time_ns delay;
} action;

struct stage;

/* The context of one hook. */
typedef struct hook_actor {
    struct stage *st;
    uint64_t k; /* hook number; its id is HOOK + k */
} hook_actor;

typedef struct stage {
    event_log log;               /* (time, id) of every actor run, in run order */
    hook_actor hooks[MAX_HOOKS]; /* contexts of the hooks */
    const action *script;        /* the actions, ended by who == 0 */
} stage;

static void play_hook(af_sim *sim, void *ctx);

static void play_event(af_sim *sim, void *ctx, uint64_t arg);

/* Registers hook k of st. */
static void stage_hook(af_sim *sim, stage *st, uint64_t k)
{
    af_sim_at_instant_end(sim, play_hook, &st->hooks[k]);
}

/* Logs actor `who` and carries out its actions. */
static void stage_play(af_sim *sim, stage *st, uint64_t who)
{
    log_add(&st->log, af_sim_now(sim), who);
    for (const action *a = st->script; a && a->who; a++) {
        if (a->who != who)
            continue;
        switch (a->kind) {
        case DO_EVENT:
            af_sim_after(sim, a->delay, play_event, st, a->target);
            break;
        case DO_HOOK:
            stage_hook(sim, st, a->target);
            break;
        case DO_FORGET:
            af_sim_forget_instant_end(sim, play_hook, &st->hooks[a->target]);
            break;
        case DO_STOP:
            af_sim_stop(sim);
            break;
        }
    }
}

static void play_event(af_sim *sim, void *ctx, uint64_t arg)
{
    stage_play(sim, ctx, arg);
}

static void play_hook(af_sim *sim, void *ctx)
{
    hook_actor *h = ctx;
    stage_play(sim, h->st, HOOK + h->k);
}

static void stage_init(stage *st, const action *script)
{
    *st = (stage){.script = script};
    for (uint64_t k = 0; k < MAX_HOOKS; k++)
        st->hooks[k] = (hook_actor){st, k};
}

/* True when the log holds exactly the n (time, id) pairs of want, in order; prints the first
 * difference otherwise. */
static bool log_is(const event_log *log, const log_entry *want, size_t n)
{
    for (size_t i = 0; i < n && i < log->n; i++)
        if (log->e[i].t_ns != want[i].t_ns || log->e[i].arg != want[i].arg) {
            fprintf(stderr, "\n  log[%zu] = (%lld, %llu), want (%lld, %llu)\n", i,
                    (long long)log->e[i].t_ns, (unsigned long long)log->e[i].arg,
                    (long long)want[i].t_ns, (unsigned long long)want[i].arg);
            return false;
        }
    if (log->n != n)
        fprintf(stderr, "\n  log has %zu entries, want %zu\n", log->n, n);
    return log->n == n;
}

#define LOG_IS(log, ...)                                                                           \
    log_is((log), (const log_entry[]){__VA_ARGS__},                                                \
           sizeof((const log_entry[]){__VA_ARGS__}) / sizeof(log_entry))

/* A hook registered by an event runs after every event of its instant, those scheduled there
 * by later events and by hooks included, before the clock moves; hooks run in registration
 * order, once per registration (twice if registered twice); a hook that schedules an event now
 * makes the instant go on, and hooks registered meanwhile run when it ends again. Hooks do not
 * count as events. */
static void test_hook_instant_end(void)
{
    static const action script[] = {
        {1, DO_HOOK, 1, 0},         /* event 1 registers hook 1 ... */
        {1, DO_EVENT, 3, 0},        /* ... and schedules event 3 now */
        {2, DO_HOOK, 2, 0},         /* event 2 registers hook 2, then hook 1 a second time */
        {2, DO_HOOK, 1, 0},         /* (a second registration of hook 1) */
        {2, DO_EVENT, 4, 0},        /* ... and schedules event 4 now */
        {3, DO_HOOK, 3, 0},         /* event 3, scheduled by event 1, registers hook 3 */
        {HOOK + 1, DO_EVENT, 5, 0}, /* hook 1 schedules event 5 now (each time it runs) */
        {HOOK + 2, DO_HOOK, 4, 0},  /* hook 2 registers hook 4: it waits for the next end */
        {5, DO_HOOK, 5, 0},         /* event 5 registers hook 5 */
        {5, DO_EVENT, 6, 1},        /* ... and schedules event 6 one ns later */
        {0, DO_EVENT, 0, 0},
    };
    stage st;
    stage_init(&st, script);
    af_sim *sim = af_sim_new(0);
    af_sim_at(sim, 5, play_event, &st, 8);
    af_sim_at(sim, 10, play_event, &st, 1);
    af_sim_at(sim, 10, play_event, &st, 2);
    af_sim_at(sim, 20, play_event, &st, 9);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {5, 8},
                          /* the events of instant 10, those scheduled there included */
                          {10, 1}, {10, 2}, {10, 3}, {10, 4},
                          /* the first end: the hooks registered so far, in order */
                          {10, HOOK + 1}, {10, HOOK + 2}, {10, HOOK + 1}, {10, HOOK + 3},
                          /* the instant goes on: the events hook 1 scheduled ... */
                          {10, 5}, {10, 5},
                          /* ... then the hooks registered since the first end */
                          {10, HOOK + 4}, {10, HOOK + 5}, {10, HOOK + 5},
                          /* only then does the clock move */
                          {11, 6}, {11, 6}, {20, 9}));
    /* 8, 1, 2, 3, 4, 5, 5, 6, 6, 9: the nine hook runs are not events */
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 10);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    CU_ASSERT_EQUAL(af_sim_now(sim), 20);
    /* Nothing is left registered: another run runs nothing. */
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(st.log.n, 17);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 10);
    af_free(st.log.e);
    af_sim_free(sim);
}

/* Hooks registered outside af_sim_run run when the next run reaches the end of the instant:
 * with nothing pending (EMPTY comes after them), after the events pending at the current time,
 * and before END when the next event lies after the end time. */
static void test_hook_outside_run(void)
{
    static const action script[] = {
        {HOOK + 2, DO_EVENT, 1, 0}, /* hook 2 schedules event 1 now and event 2 later */
        {HOOK + 2, DO_EVENT, 2, 5},
        {1, DO_HOOK, 3, 0}, /* event 1 registers hook 3 */
        {0, DO_EVENT, 0, 0},
    };
    stage st;
    stage_init(&st, script);

    /* Nothing pending: the hook runs, then EMPTY, with the clock where it was. */
    af_sim *sim = af_sim_new(0);
    stage_hook(sim, &st, 1);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {0, HOOK + 1}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY); /* once */
    CU_ASSERT_EQUAL(st.log.n, 1);

    /* A hook that schedules events on an empty queue: EMPTY only after all of them and the
     * hook they register. */
    st.log.n = 0;
    stage_hook(sim, &st, 2);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {0, HOOK + 2}, {0, 1}, {0, HOOK + 3}, {5, 2}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 5);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 2);
    af_sim_free(sim);

    /* Events pending at the current time run before the hook; a later one after it. */
    st.log.n = 0;
    sim = af_sim_new(0);
    af_sim_at(sim, 0, play_event, &st, 7);
    af_sim_at(sim, 3, play_event, &st, 8);
    stage_hook(sim, &st, 4);
    af_sim_at(sim, 0, play_event, &st, 9); /* scheduled after the registration */
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {0, 7}, {0, 9}, {0, HOOK + 4}, {3, 8}));
    af_sim_free(sim);

    /* With an end time. */
    static const action script_end[] = {
        {1, DO_HOOK, 1, 0}, /* event 1 registers hook 1 */
        {3, DO_HOOK, 3, 0}, /* event 3 registers hook 3 */
        {0, DO_EVENT, 0, 0},
    };
    st.log.n = 0;
    st.script = script_end;
    sim = af_sim_new(0);
    af_sim_at(sim, 10, play_event, &st, 1);
    af_sim_at(sim, 30, play_event, &st, 2);
    /* A hook registered by the last event before the end time runs before END, at its time. */
    CU_ASSERT_EQUAL(af_sim_run(sim, 20, 0), AF_RUN_END);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {10, 1}, {10, HOOK + 1}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 20);
    /* Registered outside the run at 20, with nothing due before the end time: it runs at 20,
     * then END moves the clock. */
    stage_hook(sim, &st, 2);
    CU_ASSERT_EQUAL(af_sim_run(sim, 25, 0), AF_RUN_END);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {10, 1}, {10, HOOK + 1}, {20, HOOK + 2}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 25);
    /* An event exactly at the end time, and hooks registered outside the run and by it: the
     * event runs, then the hooks, then END. */
    stage_hook(sim, &st, 4);
    af_sim_at(sim, 25, play_event, &st, 3);
    CU_ASSERT_EQUAL(af_sim_run(sim, 25, 0), AF_RUN_END);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {10, 1}, {10, HOOK + 1}, {20, HOOK + 2}, {25, 3}, {25, HOOK + 4},
                          {25, HOOK + 3}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 25);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(st.log.n, 7);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 3);
    af_free(st.log.e);
    af_sim_free(sim);
}

/* Hooks still pending after AF_RUN_BUDGET or AF_RUN_STOPPED run in the next af_sim_run, at the
 * end of the instant they were registered in. */
static void test_hook_budget_stop(void)
{
    static const action script[] = {
        {1, DO_HOOK, 1, 0}, /* event 1 registers hook 1 */
        {3, DO_HOOK, 3, 0}, /* event 3 registers hook 3 and stops the run */
        {3, DO_STOP, 0, 0}, /* (event 3) */
        {4, DO_HOOK, 4, 0}, /* event 4 registers hook 4 and stops the run */
        {4, DO_STOP, 0, 0}, /* (event 4) */
        {0, DO_EVENT, 0, 0},
    };
    stage st;
    stage_init(&st, script);
    af_sim *sim = af_sim_new(0);
    af_sim_at(sim, 10, play_event, &st, 1);
    af_sim_at(sim, 10, play_event, &st, 2);
    af_sim_at(sim, 20, play_event, &st, 3);
    af_sim_at(sim, 20, play_event, &st, 5);
    af_sim_at(sim, 30, play_event, &st, 4);
    af_sim_at(sim, 40, play_event, &st, 6);
    /* The budget runs out inside instant 10, with hook 1 pending. */
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 1), AF_RUN_BUDGET);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {10, 1}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 10);
    /* The next call ends the instant: event 2, then hook 1, before the clock moves. */
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 1), AF_RUN_BUDGET);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {10, 1}, {10, 2}, {10, HOOK + 1}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 10);
    /* Event 3 stops the run inside instant 20, with hook 3 pending. */
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_STOPPED);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {10, 1}, {10, 2}, {10, HOOK + 1}, {20, 3}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 20);
    /* Event 4 stops the run as the last event of instant 30: hook 4 is pending; the next run
     * ends instant 20 (event 5, hook 3), and instant 30 (hook 4), before its end time 35. */
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_STOPPED);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {10, 1}, {10, 2}, {10, HOOK + 1}, {20, 3}, {20, 5},
                          {20, HOOK + 3}, {30, 4}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 30);
    CU_ASSERT_EQUAL(af_sim_run(sim, 35, 0), AF_RUN_END);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {10, 1}, {10, 2}, {10, HOOK + 1}, {20, 3}, {20, 5},
                          {20, HOOK + 3}, {30, 4}, {30, HOOK + 4}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 35);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(st.log.n, 9);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 6);
    af_sim_free(sim);

    /* Stopped with the queue empty: the next run runs the hook, then returns EMPTY. */
    st.log.n = 0;
    sim = af_sim_new(0);
    af_sim_at(sim, 30, play_event, &st, 4);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_STOPPED);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {30, 4}));
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {30, 4}, {30, HOOK + 4}));
    CU_ASSERT_EQUAL(af_sim_now(sim), 30);
    af_free(st.log.e);
    af_sim_free(sim);
}

/* Counts the runs of a hook that is not play_hook (for the (fn, ctx) pair in forget). */
static void count_hook(af_sim *sim, void *ctx)
{
    (void)sim;
    hook_actor *h = ctx;
    h->st->log.e[0].arg++; /* the first log entry is the counter (see test_hook_forget) */
}

/* af_sim_forget_instant_end removes every pending registration of (fn, ctx), and only those:
 * from outside a run, from an event, and from a hook of the same batch (the removed hook must
 * not run), or of the batch registered meanwhile. */
static void test_hook_forget(void)
{
    stage st;
    stage_init(&st, NULL);
    af_sim *sim = af_sim_new(0);
    log_add(&st.log, -1, 0); /* count_hook's counter */
    /* Outside a run. */
    stage_hook(sim, &st, 1);
    stage_hook(sim, &st, 2);
    stage_hook(sim, &st, 1);
    af_sim_at_instant_end(sim, count_hook, &st.hooks[1]); /* same ctx, another fn */
    stage_hook(sim, &st, 3);
    af_sim_forget_instant_end(sim, play_hook, &st.hooks[1]);
    af_sim_forget_instant_end(sim, play_hook, &st.hooks[9]); /* not registered: no effect */
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {-1, 1}, {0, HOOK + 2}, {0, HOOK + 3}));
    af_sim_free(sim);
    af_free(st.log.e);

    static const action script[] = {
        {1, DO_HOOK, 1, 0}, /* event 1: hooks 1, 2, 3, 2, 4, 7 */
        {1, DO_HOOK, 2, 0},
        {1, DO_HOOK, 3, 0},
        {1, DO_HOOK, 2, 0},
        {1, DO_HOOK, 4, 0},
        {1, DO_HOOK, 7, 0},
        {2, DO_HOOK, 8, 0}, /* event 2 registers hook 8 and forgets hook 7 */
        {2, DO_FORGET, 7, 0},
        {HOOK + 1, DO_FORGET, 2, 0}, /* hook 1 removes both later registrations of hook 2 */
        {HOOK + 1, DO_HOOK, 5, 0},   /* ... and registers hooks 5 and 6 for the next end */
        {HOOK + 1, DO_HOOK, 6, 0},
        {HOOK + 3, DO_FORGET, 5, 0}, /* hook 3 removes hook 5, pending for the next end */
        {HOOK + 4, DO_FORGET, 1, 0}, /* hook 4 forgets hook 1, which already ran: no effect */
        {HOOK + 4, DO_FORGET, 4, 0}, /* ... and itself, running now: no effect */
        {HOOK + 6, DO_HOOK, 2, 0},   /* hook 6 registers hook 2 anew: it runs */
        {0, DO_EVENT, 0, 0},
    };
    stage_init(&st, script);
    sim = af_sim_new(0);
    af_sim_at(sim, 10, play_event, &st, 1);
    af_sim_at(sim, 10, play_event, &st, 2);
    af_sim_at(sim, 11, play_event, &st, 3);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_TRUE(LOG_IS(&st.log, {10, 1}, {10, 2}, {10, HOOK + 1}, {10, HOOK + 3}, {10, HOOK + 4},
                          {10, HOOK + 8}, {10, HOOK + 6}, {10, HOOK + 2}, {11, 3}));
    af_free(st.log.e);
    af_sim_free(sim);
}

/* State of the steady-state run: each instant's event registers 1 to 4 hooks; some hooks
 * schedule an event at the same time (a second end of the instant) and register more hooks. */
typedef struct hook_churn {
    uint64_t events;     /* events run */
    uint64_t registered; /* hook registrations */
    uint64_t hooks;      /* hook runs */
    uint64_t bad;        /* hooks that ran at another time than the one they were registered */
    af_time_ns reg_t;    /* time of the registrations */
} hook_churn;

static void churn_hook(af_sim *sim, void *ctx);

static void churn_register(af_sim *sim, hook_churn *c)
{
    c->registered++;
    c->reg_t = af_sim_now(sim);
    af_sim_at_instant_end(sim, churn_hook, c);
}

static void churn_again(af_sim *sim, void *ctx, uint64_t arg)
{
    hook_churn *c = ctx;
    (void)arg;
    c->events++;
    churn_register(sim, c);
}

static void churn_hook(af_sim *sim, void *ctx)
{
    hook_churn *c = ctx;
    c->hooks++;
    c->bad += af_sim_now(sim) != c->reg_t;
    if (c->hooks % 7 == 0)
        af_sim_after(sim, 0, churn_again, c, 0);
    if (c->hooks % 5 == 0)
        churn_register(sim, c);
}

static void churn_tick(af_sim *sim, void *ctx, uint64_t arg)
{
    hook_churn *c = ctx;
    c->events++;
    for (uint64_t k = 0; k <= arg % 4; k++)
        churn_register(sim, c);
    af_sim_after(sim, 1 + (af_time_ns)(arg % 3), churn_tick, c, arg + 1);
}

/* Once warm, instants that each register hooks allocate nothing. The hook arrays' capacity is
 * not visible through sim_internal.h, so the test counts allocations through the allocator's
 * fault-injection counter (base/fault.h), which every af_* allocation increments. */
static void test_hook_no_alloc(void)
{
    hook_churn c = {0};
    af_sim *sim = af_sim_new(16);
    af_sim_at(sim, 0, churn_tick, &c, 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 1000), AF_RUN_BUDGET); /* warm-up */
    size_t cap = af_sim_pool_capacity(sim);
    long allocs = af_fault_allocs();
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 200000), AF_RUN_BUDGET);
    CU_ASSERT_EQUAL(af_fault_allocs() - allocs, 0);
    CU_ASSERT_EQUAL(af_sim_pool_capacity(sim), cap);
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 201000); /* hooks not counted */
    CU_ASSERT_EQUAL(c.events, 201000);
    /* End the current instant (an end time at the clock), so that every registration has run,
     * exactly once. */
    CU_ASSERT(c.hooks > 200000);
    CU_ASSERT_EQUAL(af_sim_run(sim, af_sim_now(sim), 0), AF_RUN_END);
    CU_ASSERT_EQUAL(c.hooks, c.registered);
    CU_ASSERT_EQUAL(c.bad, 0);
    af_sim_free(sim);
}
/* ---- timers ---------------------------------------------------------------------------- */

/* A timer fires at its time, in (time, sequence) order with events, the sequence being that of
 * its last arming; moving it leaves no entry behind in the event heap; it counts as one pending
 * event while armed and one run event when it fires. */
static void test_timer_order(void)
{
    af_sim *sim = af_sim_new(0);
    event_log log = {0};
    af_timer t = af_sim_timer_new(sim, record, &log, 99);
    CU_ASSERT(!af_sim_timer_armed(sim, t, NULL));
    af_sim_at(sim, 10, record, &log, 1);
    af_sim_timer_set(sim, t, 10); /* after event 1 at 10: armed later */
    af_sim_at(sim, 10, record, &log, 2);
    af_sim_at(sim, 20, record, &log, 3);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 4);
    size_t entries = af_sim_heap_entries(sim);
    af_sim_timer_set(sim, t, 30); /* moved: no stale entry */
    af_sim_timer_set(sim, t, 5);
    af_sim_timer_set(sim, t, 20); /* re-armed after event 3: runs after it */
    af_time_ns when = 0;
    CU_ASSERT(af_sim_timer_armed(sim, t, &when));
    CU_ASSERT_EQUAL(when, 20);
    CU_ASSERT_EQUAL(af_sim_heap_entries(sim), entries);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 4);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 4);
    const log_entry want[] = {{10, 1}, {10, 2}, {20, 3}, {20, 99}};
    for (size_t i = 0; i < 4 && i < log.n; i++) {
        CU_ASSERT_EQUAL(log.e[i].t_ns, want[i].t_ns);
        CU_ASSERT_EQUAL(log.e[i].arg, want[i].arg);
    }
    CU_ASSERT_EQUAL(af_sim_events_run(sim), 4);
    CU_ASSERT(!af_sim_timer_armed(sim, t, NULL));
    af_free(log.e);
    af_sim_free(sim);
}

typedef struct rearm {
    af_timer t;
    int left;      /* re-arms still to do */
    int fired;     /* times the handler ran */
    bool disarmed; /* the timer was disarmed each time its handler ran */
} rearm;

/* Handler: checks the timer is disarmed, then arms it 7 ns later while `left` lasts. */
static void rearm_fire(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    rearm *r = ctx;
    r->fired++;
    r->disarmed &= !af_sim_timer_armed(sim, r->t, NULL);
    if (r->left-- > 0)
        af_sim_timer_set(sim, r->t, af_sim_now(sim) + 7);
}

/* A firing timer is disarmed before its handler, which may arm it again; a cleared timer does
 * not fire; a freed timer's number is reused; the end time applies to timers as to events. */
static void test_timer_rearm_clear_free(void)
{
    af_sim *sim = af_sim_new(0);
    rearm r = {.left = 3, .disarmed = true};
    r.t = af_sim_timer_new(sim, rearm_fire, &r, 0);
    af_sim_timer_set(sim, r.t, 1);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(r.fired, 4);
    CU_ASSERT(r.disarmed);
    CU_ASSERT_EQUAL(af_sim_now(sim), 1 + 3 * 7);

    /* Cleared: never fires; clearing twice is harmless. */
    af_sim_timer_set(sim, r.t, 100);
    af_sim_timer_clear(sim, r.t);
    af_sim_timer_clear(sim, r.t);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(r.fired, 4);

    /* The end time: a timer past it stays armed and fires in the next run. */
    r.left = 0;
    af_sim_timer_set(sim, r.t, 200);
    CU_ASSERT_EQUAL(af_sim_run(sim, 150, 0), AF_RUN_END);
    CU_ASSERT_EQUAL(af_sim_now(sim), 150);
    CU_ASSERT(af_sim_timer_armed(sim, r.t, NULL));
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(r.fired, 5);

    /* Freed (armed): it is disarmed, and its number goes to the next timer made. */
    af_sim_timer_set(sim, r.t, 300);
    af_timer old = r.t;
    af_sim_timer_free(sim, r.t);
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), 0);
    af_timer again = af_sim_timer_new(sim, rearm_fire, &r, 0);
    CU_ASSERT_EQUAL(again, old);
    CU_ASSERT(!af_sim_timer_armed(sim, again, NULL));
    af_sim_free(sim);
}

/* Many timers moved at random keep the (time, sequence) order: the log of firings equals the
 * order of their final (time, arming) keys, and nothing is allocated once the timers exist. */
static void test_timer_random(void)
{
    enum { NT = 200 };
    af_sim *sim = af_sim_new(0);
    event_log log = {0};
    log.e = af_grow(log.e, &log.cap, NT, sizeof(*log.e));
    af_timer t[NT];
    for (uint64_t i = 0; i < NT; i++)
        t[i] = af_sim_timer_new(sim, record, &log, i);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    af_time_ns key_t[NT];
    uint64_t key_seq[NT], seq = 0;
    bool armed[NT] = {false};
    long before = af_fault_allocs();
    for (int step = 0; step < 20000; step++) {
        uint32_t i = (uint32_t)gsl_rng_uniform_int(rng, NT);
        if (gsl_rng_uniform(rng) < 0.1) {
            af_sim_timer_clear(sim, t[i]);
            armed[i] = false;
        } else {
            key_t[i] = (af_time_ns)gsl_rng_uniform_int(rng, 50);
            key_seq[i] = seq++;
            armed[i] = true;
            af_sim_timer_set(sim, t[i], key_t[i]);
        }
    }
    CU_ASSERT_EQUAL(af_fault_allocs(), before);
    size_t n_armed = 0;
    for (int i = 0; i < NT; i++)
        n_armed += armed[i];
    CU_ASSERT_EQUAL(af_sim_events_pending(sim), n_armed);
    CU_ASSERT_EQUAL(af_sim_run(sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, n_armed);
    for (size_t k = 1; k < log.n; k++) {
        uint64_t a = log.e[k - 1].arg, b = log.e[k].arg;
        CU_ASSERT(key_t[a] < key_t[b] || (key_t[a] == key_t[b] && key_seq[a] < key_seq[b]));
        CU_ASSERT_EQUAL(log.e[k].t_ns, key_t[b]);
    }
    gsl_rng_free(rng);
    af_free(log.e);
    af_sim_free(sim);
}


#ifndef NDEBUG
/* The programming errors sim.h rules out are caught by assert. Each case runs in a child
 * process, which must die of SIGABRT. */
typedef enum { MISUSE_AT_PAST, MISUSE_NEGATIVE_DELAY, MISUSE_END_BEFORE_NOW } misuse;

static void misuse_run(misuse m)
{
    event_log log = {0};
    af_sim *sim = af_sim_new(0);
    af_sim_at(sim, 100, record, &log, 0);
    af_sim_run(sim, AF_TIME_MAX, 0); /* clock at 100 */
    switch (m) {
    case MISUSE_AT_PAST:
        af_sim_at(sim, 99, record, &log, 1);
        break;
    case MISUSE_NEGATIVE_DELAY:
        af_sim_after(sim, -1, record, &log, 1);
        break;
    case MISUSE_END_BEFORE_NOW:
        af_sim_run(sim, 50, 0);
        break;
    }
}

static bool dies_of_abort(misuse m)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr)) /* keep the assertion text out of the log */
            _exit(3);
        misuse_run(m);
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return false;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}
#endif

static void test_misuse_asserts(void)
{
#ifdef NDEBUG
    CU_PASS("assertions are compiled out");
#else
    CU_ASSERT_TRUE(dies_of_abort(MISUSE_AT_PAST));
    CU_ASSERT_TRUE(dies_of_abort(MISUSE_NEGATIVE_DELAY));
    CU_ASSERT_TRUE(dies_of_abort(MISUSE_END_BEFORE_NOW));
#endif
    /* The boundary itself is fine: an event exactly at the current time, a zero delay. */
    event_log log = {0};
    af_sim *sim = af_sim_new(0);
    af_sim_at(sim, 100, record, &log, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    af_sim_at(sim, 100, record, &log, 1);
    af_sim_after(sim, 0, record, &log, 2);
    CU_ASSERT_EQUAL(af_sim_run(sim, 100, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, 3);
    CU_ASSERT_EQUAL(af_sim_now(sim), 100);
    af_free(log.e);
    af_sim_free(sim);
}

static const af_test tests[] = {
    {"events run in time order at their own times", test_time_order},
    {"equal times run in insertion order", test_ties},
    {"cancel: pending, double cancel, cancel after fire, slot reuse", test_cancel},
    {"cancel from a handler, self-cancel is a no-op", test_cancel_in_handler},
    {"heavy cancellation keeps the heap bounded", test_cancel_heavy},
    {"pool does not grow once warm over 1e6 events", test_pool_reuse},
    {"ids survive pool growth", test_pool_growth},
    {"end time is inclusive and sets the clock", test_end_time},
    {"event budget is per call", test_budget},
    {"stop returns after the handler and can resume", test_stop},
    {"poll hook: called between events at the counts it returns, stops, shares the budget",
     test_poll},
    {"poll hook stopping inside an instant, finished by an end time there", test_poll_mid_instant},
    {"free with pending events", test_free},
    {"simulations are independent", test_independent},
    {"instant-end hooks: after the instant's events, in order, once each", test_hook_instant_end},
    {"instant-end hooks registered outside a run: EMPTY and END after them", test_hook_outside_run},
    {"instant-end hooks pending after BUDGET or STOPPED run in the next run",
     test_hook_budget_stop},
    {"forgetting instant-end hooks, also within a batch", test_hook_forget},
    {"instant-end hooks allocate nothing once warm", test_hook_no_alloc},
    {"timers: order with events by their last arming, moved without stale entries",
     test_timer_order},
    {"timers: disarmed before firing, re-armed, cleared, past the end, freed and reused",
     test_timer_rearm_clear_free},
    {"timers moved at random fire in (time, arming) order and allocate nothing", test_timer_random},
    {"scheduling in the past and a past end time assert", test_misuse_asserts},
    {NULL, NULL},
};

AF_TEST_MAIN("sim", tests)
