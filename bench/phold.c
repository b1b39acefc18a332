/*
 * phold: the PHOLD benchmark for the discrete-event engine (Fujimoto 1990, "Performance of Time
 * Warp under synthetic workloads").
 *
 * Model. N logical processes (LPs) each start with one event. An event at LP i schedules one
 * successor after 0.1 + Exp(mean 0.9) time units, at a uniformly random LP with probability
 * 0.25 and at i otherwise, so N events stay pending throughout. One time unit is 1 s = 1e9 ns:
 * at N = 1e6 the pending events then lie about 1 us apart, so equal integer times are rare
 * (about one pop in a thousand) and the tie-breaker is exercised without dominating.
 *
 * Modes. "engine" runs the model through af_sim (pool, ids, handler calls); "bare" runs the
 * same distribution as a plain af_heap pop-then-push loop with no engine bookkeeping, which
 * bounds what the engine could reach. Both first run a warm-up (2 * N events, at least 1e6) so
 * that the pending-time distribution is in steady state and memory is touched, then time a
 * fixed number of events with clock_gettime(CLOCK_MONOTONIC) and keep the best of the repeats.
 *
 * Random numbers: one GSL MT19937 stream (af_rng_new), used cheaply because at 1e3 pending the
 * draws cost as much as the heap. Each event takes one 32-bit draw: its low 2 bits decide
 * "remote" (probability 1/4) and its upper 30 bits give the uniform u in (0, 1) for the
 * exponential, -0.9 * ln(u). A remote event takes a second draw for the destination, by
 * multiply-shift (bias below N / 2^32). That is 1.25 generator calls and one log per event;
 * the textbook draws (gsl_rng_uniform, gsl_rng_uniform_int, gsl_ran_exponential; build with
 * -DPHOLD_RAN_EXPONENTIAL) cost about 20 ns per event more (bare loop at 1e3 pending: 11.5
 * instead of 15.6 M events/s).
 *
 * The heap arity is fixed when the library is built; configure a build directory with
 * CPPFLAGS=-DAF_HEAP_ARITY=2 to measure a binary heap.
 *
 * Usage: phold [-m engine|bare|both] [-r REPEATS] [N[:EVENTS] ...]
 * Default: both modes, 1 repeat, 1e3:2e7 1e4:2e7 1e5:1e7 1e6:5e6 (about 1-2 s each).
 * Prints one line per mode and size: mode, heap arity, pending, events, wall seconds, M events/s
 * (from the wall time), and the CPU seconds of the same run: on a shared machine a CPU time
 * well below the wall time means the run was preempted and should be repeated.
 */
#include <errno.h>
#include <gsl/gsl_randist.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "engine/heap.h"
#include "engine/rng.h"
#include "engine/sim.h"

/* Nanoseconds per PHOLD time unit. */
#define PHOLD_UNIT_NS 1e9

/* Fixed part of the delay and mean of its exponential part, in time units. */
#define PHOLD_LOOKAHEAD 0.1
#define PHOLD_EXP_MEAN 0.9

/* Seed of the benchmark's stream. */
#define PHOLD_SEED 20240601u

/* Benchmark state shared by the handlers. */
typedef struct phold {
    gsl_rng *rng; /* the one random stream */
    uint64_t n;   /* number of LPs (= pending events) */
} phold;

/* Draws the successor of an event at LP lp: its delay in ns and its destination LP. */
static inline void phold_draw(phold *p, uint64_t lp, int64_t *delay_ns, uint64_t *dest)
{
#ifndef PHOLD_RAN_EXPONENTIAL
    uint64_t x = gsl_rng_get(p->rng); /* 32 random bits (checked in main) */
    *dest = lp;
    if ((x & 3) == 0) /* remote with probability 1/4 */
        *dest = (gsl_rng_get(p->rng) * p->n) >> 32;
    double u = ((double)(x >> 2) + 0.5) * 0x1p-30; /* uniform on (0, 1), 30 bits */
    double e = -PHOLD_EXP_MEAN * log(u);
#else
    /* The textbook draws, for comparison: build with -DPHOLD_RAN_EXPONENTIAL. */
    *dest = gsl_rng_uniform(p->rng) < 0.25 ? gsl_rng_uniform_int(p->rng, p->n) : lp;
    double e = gsl_ran_exponential(p->rng, PHOLD_EXP_MEAN);
#endif
    *delay_ns = (int64_t)((PHOLD_LOOKAHEAD + e) * PHOLD_UNIT_NS + 0.5);
}

/* The engine handler: one PHOLD event at LP `lp`. */
static void phold_event(af_sim *sim, void *ctx, uint64_t lp)
{
    phold *p = ctx;
    int64_t delay_ns;
    uint64_t dest;
    phold_draw(p, lp, &delay_ns, &dest);
    af_sim_after(sim, delay_ns, phold_event, p, dest);
}

/* Seconds on the given clock (CLOCK_MONOTONIC for the reported rate). */
static double phold_clock(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Wall and CPU seconds of one timed run. */
typedef struct phold_time {
    double wall_s; /* elapsed on CLOCK_MONOTONIC */
    double cpu_s;  /* process CPU time over the same interval */
} phold_time;

/* Starts a measurement. */
static phold_time phold_start(void)
{
    return (phold_time){phold_clock(CLOCK_MONOTONIC), phold_clock(CLOCK_PROCESS_CPUTIME_ID)};
}

/* Ends the measurement begun at t0. */
static phold_time phold_stop(phold_time t0)
{
    phold_time t1 = phold_start();
    return (phold_time){t1.wall_s - t0.wall_s, t1.cpu_s - t0.cpu_s};
}

/* Warm-up length for n pending events. */
static uint64_t phold_warmup(uint64_t n)
{
    return 2 * n > 1000000 ? 2 * n : 1000000;
}

/* Runs `events` PHOLD events through the engine with n pending; returns the time taken. */
static phold_time phold_engine(uint64_t n, uint64_t events)
{
    phold p = {.rng = af_rng_new(PHOLD_SEED, "phold"), .n = n};
    af_sim *sim = af_sim_new((uint32_t)n);
    for (uint64_t lp = 0; lp < n; lp++) {
        int64_t delay_ns;
        uint64_t dest;
        phold_draw(&p, lp, &delay_ns, &dest);
        af_sim_after(sim, delay_ns, phold_event, &p, lp);
    }
    af_sim_run(sim, AF_TIME_MAX, phold_warmup(n));
    phold_time t0 = phold_start();
    af_run_status st = af_sim_run(sim, AF_TIME_MAX, events);
    phold_time t = phold_stop(t0);
    if (st != AF_RUN_BUDGET || af_sim_events_pending(sim) != n) {
        fprintf(stderr, "phold: engine run ended early (status %d)\n", (int)st);
        exit(1);
    }
    af_sim_free(sim);
    af_rng_free(p.rng);
    return t;
}

/* The bare loop: `events` pop-then-push steps on an af_heap holding n entries. */
static void phold_bare_steps(af_heap *h, phold *p, uint64_t *seq, uint64_t events)
{
    for (uint64_t k = 0; k < events; k++) {
        af_heap_entry e = af_heap_pop(h);
        int64_t delay_ns;
        uint64_t dest;
        phold_draw(p, e.payload, &delay_ns, &dest);
        af_heap_push(h, e.t_ns + delay_ns, (*seq)++, (uint32_t)dest);
    }
}

/* Runs `events` PHOLD events as a bare heap loop with n pending; returns the time taken. */
static phold_time phold_bare(uint64_t n, uint64_t events)
{
    phold p = {.rng = af_rng_new(PHOLD_SEED, "phold"), .n = n};
    af_heap h;
    af_heap_init(&h, n);
    uint64_t seq = 0;
    for (uint64_t lp = 0; lp < n; lp++) {
        int64_t delay_ns;
        uint64_t dest;
        phold_draw(&p, lp, &delay_ns, &dest);
        af_heap_push(&h, delay_ns, seq++, (uint32_t)lp);
    }
    phold_bare_steps(&h, &p, &seq, phold_warmup(n));
    phold_time t0 = phold_start();
    phold_bare_steps(&h, &p, &seq, events);
    phold_time t = phold_stop(t0);
    af_heap_fini(&h);
    af_rng_free(p.rng);
    return t;
}

/* Parses a count such as "1000", "1e6" or "2.5e7"; exits with status 2 on bad input. */
static uint64_t phold_count(const char *s, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(v >= 1) || v > 4e9 || v != floor(v)) {
        fprintf(stderr, "phold: %s: expected a positive whole number like 1e6, got \"%s\"\n", what,
                s);
        exit(2);
    }
    return (uint64_t)v;
}

static void phold_usage(void)
{
    fprintf(stderr, "usage: phold [-m engine|bare|both] [-r REPEATS] [N[:EVENTS] ...]\n");
    exit(2);
}

/* Times one mode at one size, best of `reps` by wall time, and prints the line. */
static void phold_report(const char *mode, uint64_t n, uint64_t events, unsigned reps)
{
    phold_time best = {INFINITY, INFINITY};
    for (unsigned r = 0; r < reps; r++) {
        phold_time t =
            strcmp(mode, "engine") == 0 ? phold_engine(n, events) : phold_bare(n, events);
        if (t.wall_s < best.wall_s)
            best = t;
    }
    printf("%-6s %5d %9" PRIu64 " %10" PRIu64 " %8.3f %8.2f %8.3f\n", mode, AF_HEAP_ARITY, n,
           events, best.wall_s, (double)events / best.wall_s / 1e6, best.cpu_s);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static const char *defaults[] = {"1e3:2e7", "1e4:2e7", "1e5:1e7", "1e6:5e6"};
    const char *mode = "both";
    unsigned reps = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
            mode = argv[++i];
            if (strcmp(mode, "engine") && strcmp(mode, "bare") && strcmp(mode, "both"))
                phold_usage();
        } else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
            reps = (unsigned)phold_count(argv[++i], "-r");
        } else {
            phold_usage();
        }
    }
    /* phold_draw takes 32 uniform bits per gsl_rng_get call. */
    gsl_rng *check = af_rng_new(PHOLD_SEED, "phold");
    if (gsl_rng_min(check) != 0 || gsl_rng_max(check) != UINT32_MAX) {
        fprintf(stderr, "phold: expected a 32-bit generator, got %s\n", gsl_rng_name(check));
        return 1;
    }
    af_rng_free(check);
    const char **sizes = (const char **)argv + i;
    size_t nsizes = (size_t)(argc - i);
    if (nsizes == 0) {
        sizes = defaults;
        nsizes = sizeof(defaults) / sizeof(defaults[0]);
    }
    printf("%-6s %5s %9s %10s %8s %8s %8s\n", "mode", "arity", "pending", "events", "seconds",
           "Mev/s", "cpu_s");
    for (size_t k = 0; k < nsizes; k++) {
        char *arg = af_strdup(sizes[k]);
        char *colon = strchr(arg, ':');
        if (colon)
            *colon = '\0';
        uint64_t n = phold_count(arg, "N");
        uint64_t events = colon ? phold_count(colon + 1, "EVENTS") : 10000000;
        af_free(arg);
        if (strcmp(mode, "bare") != 0)
            phold_report("engine", n, events, reps);
        if (strcmp(mode, "engine") != 0)
            phold_report("bare", n, events, reps);
    }
    return 0;
}
