/*
 * test_readbank: the analytic FCFS read bank on small cases worked by hand.
 *
 * Submissions and speed changes happen in engine events at chosen times, and every completion is
 * recorded. Demands are whole milliseconds on the ns clock, so each finish is an exact number of
 * ns and the bank must hit it exactly (readbank.h: the first ns at or after the exact finish).
 * The cases: Lindley's recursion on one device, the extra latency, a speed change during
 * service, a stall at speed 0 and its resumption, reads behind writes (p = 1 with a suspend cap,
 * an erase predicted from a copy of the generator, blocking at half speed), many reads of one
 * request on one device and on several (both device-choice paths), callbacks that submit and
 * set the speed, zero demand, release with requests pending, the rebase of the work clock in a
 * long run, determinism and the statistics, requests of two demands on one device, and waits
 * drawn from a stream of their own.
 */
#include "workload/readbank.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "cutest.h"

/* One millisecond in ns and in s. */
#define MS_NS INT64_C(1000000)
#define MS 1e-3

/* Completions a test can record. */
#define TB_MAX 128

/* A completion as the callback saw it. */
typedef struct rec {
    uint64_t id; /* the request's argument */
    af_time_ns submit_ns, end_ns;
    double queue_s, blocked_s;
} rec;

/* A test bench: a sim, a generator, a bank and the completions so far. */
typedef struct tb {
    af_sim *sim;
    gsl_rng *rng;
    af_readbank *b;
    rec got[TB_MAX];
    int n;
    int chain;          /* on_chain: requests still to submit from callbacks */
    double chain_speed; /* on_chain: speed to set from the first callback (< 0: none) */
} tb;

static void tb_init(tb *t, uint32_t devices, double demand_s, double extra_s)
{
    memset(t, 0, sizeof *t);
    t->sim = af_sim_new(0);
    t->rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(t->rng, 12345);
    t->b = af_readbank_new(t->sim, t->rng, NULL, devices, demand_s, extra_s);
    t->chain_speed = -1;
}

static void tb_fini(tb *t)
{
    af_readbank_free(t->b);
    af_sim_free(t->sim);
    gsl_rng_free(t->rng);
}

static void on_done(af_sim *sim, void *ctx, uint64_t arg, const af_readbank_done *d)
{
    tb *t = ctx;
    CU_ASSERT_EQUAL(d->end_ns, af_sim_now(sim));
    if (t->n < TB_MAX)
        t->got[t->n++] = (rec){arg, d->submit_ns, d->end_ns, d->queue_s, d->blocked_s};
}

/* Event: submits a request of (arg >> 32) reads with id (arg & 0xffffffff). */
static void ev_submit(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    tb *t = ctx;
    af_readbank_submit(t->b, (uint32_t)(arg >> 32), on_done, t, arg & 0xffffffffu);
}

static void at_submit(tb *t, af_time_ns when, uint32_t reads, uint32_t id)
{
    af_sim_at(t->sim, when, ev_submit, t, (uint64_t)reads << 32 | id);
}

/* Event: sets the speed to arg / 1e6. */
static void ev_speed(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    tb *t = ctx;
    af_readbank_set_speed(t->b, (double)arg / 1e6);
}

static void at_speed(tb *t, af_time_ns when, double s)
{
    af_sim_at(t->sim, when, ev_speed, t, (uint64_t)llround(s * 1e6));
}

/* The recorded completion of request id (fails the test if none). */
static const rec *got(const tb *t, uint64_t id)
{
    for (int i = 0; i < t->n; i++)
        if (t->got[i].id == id)
            return &t->got[i];
    CU_FAIL("request did not complete");
    static const rec none = {0};
    return &none;
}

/* One device, d = 1 ms: arrivals at 0, 0.5, 0.7, 3 and 3.2 ms finish at 1, 2, 3, 4 and 5 ms
 * (F_n = max(A_n, F_{n-1}) + d), each having waited F_{n-1} - A_n when positive. */
static void test_lindley(void)
{
    tb t;
    tb_init(&t, 1, MS, 0);
    const af_time_ns at[] = {0, MS_NS / 2, 7 * MS_NS / 10, 3 * MS_NS, 32 * MS_NS / 10};
    const double wait[] = {0, 0.5 * MS, 1.3 * MS, 0, 0.8 * MS};
    for (uint32_t i = 0; i < 5; i++)
        at_submit(&t, at[i], 1, i);
    CU_ASSERT_EQUAL(af_sim_run(t.sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL_FATAL(t.n, 5);
    for (uint32_t i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(t.got[i].id, i); /* completions in order */
        CU_ASSERT_EQUAL(t.got[i].submit_ns, at[i]);
        CU_ASSERT_EQUAL(t.got[i].end_ns, (af_time_ns)(i + 1) * MS_NS);
        CU_ASSERT_DOUBLE_EQUAL(t.got[i].queue_s, wait[i], 1e-15);
        CU_ASSERT_EQUAL(t.got[i].blocked_s, 0);
    }
    /* One engine event per request: 5 submissions + 5 completions. */
    CU_ASSERT_EQUAL(af_sim_events_run(t.sim), 10);
    tb_fini(&t);
}

/* extra_s is added to each request's latency and does not hold the device: two requests at 0
 * with d = 1 ms, extra 0.25 ms, end at 1.25 and 2.25 ms; at half speed a third takes 2.25 ms. */
static void test_extra(void)
{
    tb t;
    tb_init(&t, 1, MS, 0.25 * MS);
    at_submit(&t, 0, 1, 0);
    at_submit(&t, 0, 1, 1);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 2);
    CU_ASSERT_EQUAL(got(&t, 0)->end_ns, 1250000);
    CU_ASSERT_EQUAL(got(&t, 1)->end_ns, 2250000);
    CU_ASSERT_DOUBLE_EQUAL(got(&t, 1)->queue_s, MS, 1e-15);
    /* At half speed the read takes 2 ms and the extra latency stays 0.25 ms of real time. */
    af_readbank_set_speed(t.b, 0.5);
    af_time_ns t0 = af_sim_now(t.sim);
    at_submit(&t, t0, 1, 2);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(got(&t, 2)->end_ns - t0, 2250000);
    tb_fini(&t);
}

/* A speed change during service. A (d = 1 ms) at 0; speed 0.5 at 0.5 ms: its remaining 0.5 ms of
 * work takes 1 ms, so it ends at 1.5 ms. B at 0.6 ms finds W = 0.55 ms and F = 1 ms: it waits
 * 0.45 ms of work, 0.9 ms at the speed then; its finish F = 2 ms of work. Speed 1 at 2 ms, when
 * W = 1 + 0.5 * 0.5 = 1.25 ms: B ends at 2.75 ms. */
static void test_speed_change(void)
{
    tb t;
    tb_init(&t, 1, MS, 0);
    at_submit(&t, 0, 1, 0);
    at_speed(&t, MS_NS / 2, 0.5);
    at_submit(&t, 6 * MS_NS / 10, 1, 1);
    at_speed(&t, 2 * MS_NS, 1.0);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 2);
    CU_ASSERT_EQUAL(got(&t, 0)->end_ns, 1500000);
    CU_ASSERT_EQUAL(got(&t, 0)->queue_s, 0);
    CU_ASSERT_EQUAL(got(&t, 1)->end_ns, 2750000);
    CU_ASSERT_DOUBLE_EQUAL(got(&t, 1)->queue_s, 0.9 * MS, 1e-15);
    tb_fini(&t);
}

/* Speed 0 stalls and resumes. A (1 ms) at 0; speed 0 at 0.4 ms; B at 1 ms (during the stall: it
 * waits 0.6 ms of work, converted at the last positive speed, 1); speed 1 at 2 ms. A ends at
 * 2.6 ms, B at 3.6 ms; 1.6 ms unserved. During the stall no completion is pending in the sim. */
static void test_stall(void)
{
    tb t;
    tb_init(&t, 1, MS, 0);
    at_submit(&t, 0, 1, 0);
    at_speed(&t, 4 * MS_NS / 10, 0);
    at_submit(&t, MS_NS, 1, 1);
    at_speed(&t, 2 * MS_NS, 1.0);
    CU_ASSERT_EQUAL(af_sim_run(t.sim, 15 * MS_NS / 10, 0), AF_RUN_END);
    af_readbank_stats st;
    af_readbank_get_stats(t.b, &st);
    CU_ASSERT_EQUAL(st.pending, 2);
    CU_ASSERT_EQUAL(st.completed, 0);
    CU_ASSERT_DOUBLE_EQUAL(st.unserved_s, 1.1 * MS, 1e-15);
    CU_ASSERT_EQUAL(af_sim_events_pending(t.sim), 1); /* the speed change only */
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 2);
    CU_ASSERT_EQUAL(got(&t, 0)->end_ns, 2600000);
    CU_ASSERT_EQUAL(got(&t, 1)->end_ns, 3600000);
    CU_ASSERT_DOUBLE_EQUAL(got(&t, 1)->queue_s, 0.6 * MS, 1e-15);
    af_readbank_get_stats(t.b, &st);
    CU_ASSERT_DOUBLE_EQUAL(st.unserved_s, 1.6 * MS, 1e-15);
    CU_ASSERT_EQUAL(st.pending, 0);
    /* A speed below 1e-12 is 0. */
    af_readbank_set_speed(t.b, 1e-13);
    at_submit(&t, af_sim_now(t.sim), 1, 2);
    CU_ASSERT_EQUAL(af_sim_run(t.sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(t.n, 2);
    af_readbank_get_stats(t.b, &st);
    CU_ASSERT_EQUAL(st.pending, 1);
    tb_fini(&t);
}

/* p = 1 with a suspend cap: every read waits min(U * 1 s, 10 us) = 10 us (U < 1e-5 has
 * probability 1e-5, and not with this seed). The wait delays that read only: the second request
 * at 0 starts at 1 ms (F_k holds no blocking) and ends at 2.01 ms. */
static void test_blocking_cap(void)
{
    tb t;
    tb_init(&t, 1, MS, 0);
    af_read_blocking blk = {.p = {1, 0}, .busy_s = {1, 0}, .cap_s = {1e-5, 0}};
    af_readbank_set_blocking(t.b, &blk);
    at_submit(&t, 0, 1, 0);
    at_submit(&t, 0, 1, 1);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 2);
    CU_ASSERT_EQUAL(got(&t, 0)->end_ns, 1010000);
    CU_ASSERT_EQUAL(got(&t, 0)->blocked_s, 1e-5);
    CU_ASSERT_EQUAL(got(&t, 1)->end_ns, 2010000);
    CU_ASSERT_EQUAL(got(&t, 1)->blocked_s, 1e-5);
    CU_ASSERT_DOUBLE_EQUAL(got(&t, 1)->queue_s, MS, 1e-15);
    af_readbank_stats st;
    af_readbank_get_stats(t.b, &st);
    CU_ASSERT_EQUAL(st.blocked_reads, 2);
    /* At half speed the read takes 2 ms of real time and the wait stays 10 us of real time. */
    af_readbank_set_speed(t.b, 0.5);
    at_submit(&t, af_sim_now(t.sim), 1, 2);
    af_time_ns t0 = af_sim_now(t.sim);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(got(&t, 2)->end_ns - t0, 2010000);
    /* Blocking off: no wait, and no uniform drawn (one device draws nothing at all). */
    af_readbank_set_blocking(t.b, NULL);
    gsl_rng *copy = gsl_rng_clone(t.rng);
    at_submit(&t, af_sim_now(t.sim), 3, 3);
    t0 = af_sim_now(t.sim);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL(got(&t, 3)->end_ns - t0, 6000000);
    CU_ASSERT_EQUAL(got(&t, 3)->blocked_s, 0);
    CU_ASSERT_EQUAL(gsl_rng_get(copy), gsl_rng_get(t.rng));
    af_readbank_get_stats(t.b, &st);
    CU_ASSERT_EQUAL(st.blocked_reads, 3);
    gsl_rng_free(copy);
    tb_fini(&t);
}

/* An erase with p = 1, no cap: the read waits u * 2 ms, u the generator's next uniform (one
 * device draws no device; with p[1] = 1 the class's U is u itself), predicted from a copy. */
static void test_blocking_erase(void)
{
    tb t;
    tb_init(&t, 1, MS, 0);
    af_read_blocking blk = {.p = {0, 1}, .busy_s = {0, 2 * MS}, .cap_s = {0, 0}};
    af_readbank_set_blocking(t.b, &blk);
    gsl_rng *copy = gsl_rng_clone(t.rng);
    double u = gsl_rng_uniform(copy);
    gsl_rng_free(copy);
    at_submit(&t, 0, 1, 0);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 1);
    double exact_ns = 1e6 + u * 2e6;
    CU_ASSERT(t.got[0].end_ns >= exact_ns - 1e-3);
    CU_ASSERT(t.got[0].end_ns < exact_ns + 1);
    CU_ASSERT_DOUBLE_EQUAL(t.got[0].blocked_s, u * 2 * MS, 1e-18);
    tb_fini(&t);
}

/* Many reads of one request on one device are served one after another: 5 reads at 0 end at
 * 5 ms, the slowest having waited 4 ms; 3 reads at 1 ms then end at 8 ms, the slowest having
 * waited from 1 ms to 7 ms. */
static void test_many_reads(void)
{
    tb t;
    tb_init(&t, 1, MS, 0);
    at_submit(&t, 0, 5, 0);
    at_submit(&t, MS_NS, 3, 1);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 2);
    CU_ASSERT_EQUAL(got(&t, 0)->end_ns, 5 * MS_NS);
    CU_ASSERT_DOUBLE_EQUAL(got(&t, 0)->queue_s, 4 * MS, 1e-15);
    CU_ASSERT_EQUAL(got(&t, 1)->end_ns, 8 * MS_NS);
    CU_ASSERT_DOUBLE_EQUAL(got(&t, 1)->queue_s, 6 * MS, 1e-15);
    af_readbank_stats st;
    af_readbank_get_stats(t.b, &st);
    CU_ASSERT_EQUAL(st.requests, 2);
    CU_ASSERT_EQUAL(st.completed, 2);
    CU_ASSERT_EQUAL(st.reads, 8);
    CU_ASSERT_DOUBLE_EQUAL(st.demand_s, 8 * MS, 1e-15);
    CU_ASSERT_EQUAL(st.pending, 0);
    CU_ASSERT_EQUAL(st.unserved_s, 0);
    tb_fini(&t);
}

/* 400 reads of one request on 4 devices end when the busiest device has served its share: a
 * whole number of ms, m, with 100 <= m (pigeonhole) and m < 140 (the largest of four
 * Binomial(400, 1/4) counts exceeds 139, 4.6 standard deviations, with probability < 1e-5), and
 * the slowest read waited m - 1 ms. Seeded from a generator of 32-bit output (MT19937) and from
 * one of 24 bits (ranlux): the request's SplitMix64 sequence spreads the reads either way. */
static void check_spread(const gsl_rng_type *type)
{
    af_sim *sim = af_sim_new(0);
    gsl_rng *rng = gsl_rng_alloc(type);
    gsl_rng_set(rng, 7);
    af_readbank *b = af_readbank_new(sim, rng, NULL, 4, MS, 0);
    tb t = {.sim = sim, .rng = rng, .b = b};
    at_submit(&t, 0, 400, 0);
    af_sim_run(sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 1);
    af_time_ns end = t.got[0].end_ns;
    CU_ASSERT_EQUAL(end % MS_NS, 0);
    CU_ASSERT(end >= 100 * MS_NS && end < 140 * MS_NS);
    CU_ASSERT_DOUBLE_EQUAL(t.got[0].queue_s, (double)(end - MS_NS) / 1e9, 1e-15);
    af_readbank_free(b);
    gsl_rng_free(rng);
    af_sim_free(sim);
}

static void test_spread(void)
{
    check_spread(gsl_rng_mt19937);
    check_spread(gsl_rng_ranlux);
}

/* A callback that submits the next request of a chain, and sets the speed from the first. */
static void on_chain(af_sim *sim, void *ctx, uint64_t arg, const af_readbank_done *d)
{
    tb *t = ctx;
    on_done(sim, ctx, arg, d);
    if (t->chain_speed >= 0) {
        af_readbank_set_speed(t->b, t->chain_speed);
        t->chain_speed = -1;
    }
    if (t->chain > 0) {
        t->chain--;
        af_readbank_submit(t->b, 1, on_chain, t, arg + 1);
    }
}

/* Callbacks may submit and set the speed. A chain of 4 one-read requests of 1 ms, the first
 * callback halving the speed: ends at 1, 3, 5, 7 ms. */
static void test_reentrant(void)
{
    tb t;
    tb_init(&t, 1, MS, 0);
    t.chain = 3;
    t.chain_speed = 0.5;
    af_readbank_submit(t.b, 1, on_chain, &t, 0);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 4);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(got(&t, (uint64_t)i)->end_ns, (af_time_ns)(2 * i + 1) * MS_NS);
    tb_fini(&t);
}

/* Zero demand: a request is due at once and completes in a later event at the same time, so a
 * callback that resubmits cannot spin inside one event: a chain of 6 completes at 0, in 6
 * events. */
static void test_zero_demand(void)
{
    tb t;
    tb_init(&t, 3, 0, 0);
    t.chain = 5;
    af_readbank_submit(t.b, 2, on_chain, &t, 0);
    CU_ASSERT_EQUAL(af_sim_run(t.sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL_FATAL(t.n, 6);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(t.got[i].end_ns, 0);
    CU_ASSERT_EQUAL(af_sim_events_run(t.sim), 6);
    tb_fini(&t);
}

/* Releasing the bank drops its pending requests without their callbacks and disarms its timer. */
static void test_free_pending(void)
{
    tb t;
    tb_init(&t, 2, MS, 0);
    for (uint32_t i = 0; i < 200; i++) /* past the initial pool: it grows */
        af_readbank_submit(t.b, 2, on_done, &t, i);
    af_readbank_stats st;
    af_readbank_get_stats(t.b, &st);
    CU_ASSERT_EQUAL(st.pending, 200);
    CU_ASSERT_EQUAL(af_sim_events_pending(t.sim), 1);
    af_readbank_free(t.b);
    t.b = NULL;
    CU_ASSERT_EQUAL(af_sim_events_pending(t.sim), 0);
    CU_ASSERT_EQUAL(af_sim_run(t.sim, AF_TIME_MAX, 0), AF_RUN_EMPTY);
    CU_ASSERT_EQUAL(t.n, 0);
    tb_fini(&t);
}

/* Event: submits one read with the id in arg (the long run). */
static void ev_long(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    tb *t = ctx;
    af_readbank_submit(t->b, 1, on_done, t, arg);
}

/* A long run crosses the work clock's rebase (2^40 device-ns, 1100 s) with requests pending: one
 * device, d = 100 s, a read every 50 s from 0 to 3000 s (load 2). Read i ends at 100 (i + 1) s
 * exactly, having waited 50 i s. */
static void test_rebase(void)
{
    tb t;
    tb_init(&t, 1, 100, 0);
    const int n = 61;
    for (int i = 0; i < n; i++)
        af_sim_at(t.sim, (af_time_ns)i * 50 * 1000000000, ev_long, &t, (uint64_t)i);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(t.n, n);
    for (int i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(t.got[i].id, (uint64_t)i);
        CU_ASSERT_EQUAL(t.got[i].end_ns, (af_time_ns)(i + 1) * 100 * 1000000000);
        CU_ASSERT_DOUBLE_EQUAL(t.got[i].queue_s, 50.0 * i, 1e-9);
    }
    tb_fini(&t);
}

/* The same seed gives the same completions; another seed gives others. */
static void run_mixed(unsigned long seed, tb *t)
{
    tb_init(t, 8, 0.1 * MS, 0.01 * MS);
    gsl_rng_set(t->rng, seed);
    af_read_blocking blk = {.p = {0.2, 0.05}, .busy_s = {0.5 * MS, 3 * MS}, .cap_s = {0, MS}};
    af_readbank_set_blocking(t->b, &blk);
    for (uint32_t i = 0; i < 100; i++)
        at_submit(t, (af_time_ns)i * 37000, 1 + i % 20, i);
    at_speed(t, 1234567, 0.3);
    at_speed(t, 2345678, 0);
    at_speed(t, 2500000, 0.9);
    af_sim_run(t->sim, AF_TIME_MAX, 0);
}

static void test_determinism(void)
{
    tb a, b, c;
    run_mixed(99, &a);
    run_mixed(99, &b);
    run_mixed(100, &c);
    CU_ASSERT_EQUAL_FATAL(a.n, 100);
    CU_ASSERT_EQUAL_FATAL(c.n, 100);
    CU_ASSERT(memcmp(a.got, b.got, sizeof a.got) == 0);
    CU_ASSERT(memcmp(a.got, c.got, sizeof a.got) != 0);
    af_readbank_stats sa, sc;
    af_readbank_get_stats(a.b, &sa);
    af_readbank_get_stats(c.b, &sc);
    CU_ASSERT_EQUAL(sa.reads, 1050);
    CU_ASSERT(sa.blocked_reads > 0 && sa.blocked_reads < sa.reads);
    CU_ASSERT_DOUBLE_EQUAL(sa.unserved_s, 0.154322e-3, 1e-15);
    /* Completions come in time order. */
    for (int i = 1; i < a.n; i++)
        CU_ASSERT(a.got[i].end_ns >= a.got[i - 1].end_ns);
    tb_fini(&a);
    tb_fini(&b);
    tb_fini(&c);
}

/* Event: submits a request of (arg >> 32) reads of 3 ms each with 0.5 ms of extra latency and id
 * (arg & 0xffffffff): the second demand of test_two_demands. */
static void ev_submit_long(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    tb *t = ctx;
    af_readbank_submit_demand(t->b, (uint32_t)(arg >> 32), 3 * MS, 0.5 * MS, on_done, t,
                              arg & 0xffffffffu);
}

/* Two demands on one device, the bank's 1 ms (extra 0.25 ms) and a request's own 3 ms (extra
 * 0.5 ms): A (1 ms) at 0 ends at 1.25 ms; B (3 ms) at 0.5 ms starts at 1 ms (waits 0.5 ms) and
 * ends at 4 + 0.5 ms; C (1 ms) at 0.6 ms starts when B's read is done, at 4 ms (waits 3.4 ms),
 * and ends at 5 + 0.25 ms; D, two reads of 3 ms at 6 ms, ends at 12.5 ms, its slowest read
 * having waited 3 ms. The totals count each read at its own demand: 1 + 3 + 1 + 6 = 11 ms. */
static void test_two_demands(void)
{
    tb t;
    tb_init(&t, 1, MS, 0.25 * MS);
    at_submit(&t, 0, 1, 0);
    af_sim_at(t.sim, MS_NS / 2, ev_submit_long, &t, (uint64_t)1 << 32 | 1);
    at_submit(&t, 6 * MS_NS / 10, 1, 2);
    af_sim_at(t.sim, 6 * MS_NS, ev_submit_long, &t, (uint64_t)2 << 32 | 3);
    af_sim_run(t.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 4);
    CU_ASSERT_EQUAL(got(&t, 0)->end_ns, 1250000);
    CU_ASSERT_EQUAL(got(&t, 1)->end_ns, 4500000);
    CU_ASSERT_DOUBLE_EQUAL(got(&t, 1)->queue_s, 0.5 * MS, 1e-15);
    CU_ASSERT_EQUAL(got(&t, 2)->end_ns, 5250000);
    CU_ASSERT_DOUBLE_EQUAL(got(&t, 2)->queue_s, 3.4 * MS, 1e-15);
    CU_ASSERT_EQUAL(got(&t, 3)->end_ns, 12500000);
    CU_ASSERT_DOUBLE_EQUAL(got(&t, 3)->queue_s, 3 * MS, 1e-15);
    af_readbank_stats st;
    af_readbank_get_stats(t.b, &st);
    CU_ASSERT_EQUAL(st.reads, 5);
    CU_ASSERT_DOUBLE_EQUAL(st.demand_s, 11 * MS, 1e-15);
    tb_fini(&t);
}

/* With a stream for the waits, the devices' stream draws the same with and without blocking:
 * two banks of 8 devices from equal device seeds, one with every read waiting, take the same
 * draws from their device streams (and the blocked one draws its waits elsewhere). */
static void test_wait_stream(void)
{
    tb a, b;
    tb_init(&a, 8, MS, 0);
    tb_init(&b, 8, MS, 0);
    gsl_rng *waits = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(waits, 777);
    af_readbank_free(b.b);
    b.b = af_readbank_new(b.sim, b.rng, waits, 8, MS, 0);
    af_read_blocking blk = {.p = {0.5, 0.25}, .busy_s = {MS, 2 * MS}, .cap_s = {0, 0}};
    af_readbank_set_blocking(b.b, &blk);
    gsl_rng *fresh = gsl_rng_clone(waits);
    for (uint32_t i = 0; i < 20; i++) {
        at_submit(&a, (af_time_ns)i * 100000, 1 + i % 5, i);
        at_submit(&b, (af_time_ns)i * 100000, 1 + i % 5, i);
    }
    af_sim_run(a.sim, AF_TIME_MAX, 0);
    af_sim_run(b.sim, AF_TIME_MAX, 0);
    CU_ASSERT_EQUAL_FATAL(a.n, 20);
    CU_ASSERT_EQUAL_FATAL(b.n, 20);
    CU_ASSERT_EQUAL(gsl_rng_get(a.rng), gsl_rng_get(b.rng));
    CU_ASSERT_NOT_EQUAL(gsl_rng_get(fresh), gsl_rng_get(waits));
    af_readbank_stats st;
    af_readbank_get_stats(b.b, &st);
    CU_ASSERT(st.blocked_reads > 0);
    gsl_rng_free(fresh);
    tb_fini(&a);
    tb_fini(&b);
    gsl_rng_free(waits);
}

static const af_test tests[] = {
    {"Lindley's recursion on one device", test_lindley},
    {"the extra latency holds no device", test_extra},
    {"a speed change during service", test_speed_change},
    {"speed 0 stalls and resumes", test_stall},
    {"blocking with p = 1 and a suspend cap", test_blocking_cap},
    {"an erase's wait predicted from the generator", test_blocking_erase},
    {"many reads of one request on one device", test_many_reads},
    {"many reads spread over devices, both draws", test_spread},
    {"callbacks submit and set the speed", test_reentrant},
    {"zero demand completes in a later event", test_zero_demand},
    {"free with requests pending", test_free_pending},
    {"the work clock's rebase in a long run", test_rebase},
    {"same seed, same completions", test_determinism},
    {"requests of two demands on one device", test_two_demands},
    {"waits drawn from a stream of their own", test_wait_stream},
    {NULL, NULL}};

AF_TEST_MAIN("readbank", tests)
