/*
 * phold: the PHOLD benchmark for the discrete-event engine (Fujimoto 1990, "Performance of Time
 * Warp under synthetic workloads"), in three variants.
 *
 * Model. N logical processes (LPs) each start with one event. An event at LP i schedules one
 * successor after 0.1 + Exp(mean 0.9) time units, at a uniformly random LP with probability
 * 0.25 and at i otherwise, so N events stay pending throughout. One time unit is 1 s = 1e9 ns:
 * at N = 1e6 the pending events then lie about 1 us apart, so equal integer times are rare
 * (about one pop in a thousand) and the tie-breaker is exercised without dominating.
 *
 * Modes. All three run that model; they differ in what surrounds the heap.
 *  - "lp" is the faithful PHOLD, built like ROSS's phold model (models/phold in ROSS): every LP
 *    owns a state record, allocated once before the run, that holds its own random stream, the
 *    number of events it has processed, the number of successors it sent to a randomly drawn LP
 *    and a small histogram of the delays it drew (64 bytes on LP64). An event at LP i finds LP
 *    i's record (the event's argument is the LP's index), draws the destination and the delay
 *    from LP i's stream with the textbook GSL draws, and updates the record. That is the work a
 *    real model does per event, and what PHOLD does on other engines (ROSS, SimGrid...), so
 *    this is the variant to compare with them: at N = 1e5 the records and streams take 13 MB,
 *    and an event's record and stream miss the cache here as they do there.
 *  - "engine" runs the model through af_sim (pool, ids, handler calls) with no per-LP state and
 *    one shared stream drawn cheaply (see below). It measures what the engine itself costs per
 *    event, with as little model work around it as possible; it flatters the engine against
 *    one whose PHOLD keeps per-LP state.
 *  - "bare" runs the engine mode's draws as a plain af_heap pop-then-push loop with no engine
 *    bookkeeping, which bounds what the engine could reach with this heap.
 * Each mode first runs a warm-up (2 * N events, at least 1e6) so that the pending-time
 * distribution is in steady state and memory is touched, then times a fixed number of events
 * with clock_gettime(CLOCK_MONOTONIC) and keeps the best of the repeats. The lp mode then checks
 * that its LPs counted every event once.
 *
 * Random numbers in "engine" and "bare": one GSL MT19937 stream (af_rng_new), used cheaply
 * because at 1e3 pending the draws cost as much as the heap. Each event takes one 32-bit draw:
 * its low 2 bits decide "remote" (probability 1/4) and its upper 30 bits give the uniform u in
 * (0, 1) for the exponential, -0.9 * ln(u). A remote event takes a second draw for the
 * destination, by multiply-shift (bias below N / 2^32). That is 1.25 generator calls and one log
 * per event; the textbook draws (gsl_rng_uniform, gsl_rng_uniform_int, gsl_ran_exponential;
 * build with -DPHOLD_RAN_EXPONENTIAL) cost about 20 ns per event more (bare loop at 1e3 pending:
 * 11.5 instead of 15.6 M events/s).
 *
 * Random numbers in "lp": one stream per LP, as ROSS gives each LP its own, drawn the textbook
 * way as ROSS's model does: gsl_rng_uniform for "remote", gsl_rng_uniform_int for the
 * destination, gsl_ran_exponential for the delay (2.25 generator calls and one log per event).
 * The generator is GSL's taus2, L'Ecuyer's maximally equidistributed combined Tausworthe
 * generator (1996): period about 2^88, 24 bytes of state, and one of the fastest
 * simulation-quality generators GSL offers. MT19937 would need 2.5 KB of state per LP, 2.5 GB
 * at 1e6 LPs. ROSS places its per-LP streams by jumping ahead in one CLCG4 generator; GSL has no
 * jump-ahead, so the streams are separated by their seeds instead. LP i's seed is fmix32(b ^ i),
 * where b is af_rng_seed(PHOLD_SEED, "phold.lp") folded to 32 bits as af_rng_new folds it and
 * fmix32 is MurmurHash3's 32-bit finaliser. fmix32 is a bijection on 32-bit words, so distinct
 * LPs get distinct seeds (hashing each index to 64 bits and folding, as af_rng_new does, would
 * give about 116 equal pairs among 1e6 LPs), and it scatters neighbouring indices over the seed
 * space; taus2's own seeding then passes the seed through an LCG and six warm-up steps. N
 * streams of L draws each started at scattered points of the cycle overlap with probability
 * about N^2 L / 2^88 (3e-9 at N = 1e6, L = 1e6). Distinct seeds give distinct states except
 * for two pairs, which taus2's seeding maps together (0 and 1, and the two whose LCG image is 1
 * and 3); at N = 1e6 both of a pair are drawn with probability about 1e-7.
 * The run depends only on PHOLD_SEED: the engine breaks ties by insertion order and nothing
 * depends on an address.
 *
 * The heap arity is fixed when the library is built; configure a build directory with
 * CPPFLAGS=-DAF_HEAP_ARITY=2 to measure a binary heap.
 *
 * Usage: phold [-m engine|bare|lp|both|all] [-r REPEATS] [N[:EVENTS] ...]
 * "both" is engine and bare (as before "lp" existed), "all" adds lp. Default: all, 1 repeat,
 * 1e3:2e7 1e4:2e7 1e5:1e7 1e6:5e6 (about 1-5 s each).
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

/* Probability that an event's successor goes to a uniformly random LP. */
#define PHOLD_REMOTE 0.25

/* Seed of the benchmark's streams. */
#define PHOLD_SEED 20240601u

/* Bins of an lp-mode LP's delay histogram: width PHOLD_EXP_MEAN / 2 each, the last one open. */
#define PHOLD_LP_BINS 10

/* Benchmark state shared by the handlers. */
typedef struct phold {
    gsl_rng *rng; /* the one random stream */
    uint64_t n;   /* number of LPs (= pending events) */
} phold;

/* The delay in ns for an exponential part of e time units. */
static inline int64_t phold_delay_ns(double e)
{
    return (int64_t)((PHOLD_LOOKAHEAD + e) * PHOLD_UNIT_NS + 0.5);
}

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
    *dest = gsl_rng_uniform(p->rng) < PHOLD_REMOTE ? gsl_rng_uniform_int(p->rng, p->n) : lp;
    double e = gsl_ran_exponential(p->rng, PHOLD_EXP_MEAN);
#endif
    *delay_ns = phold_delay_ns(e);
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

/* One LP of the lp mode: its own stream and the state its events read and write. */
typedef struct phold_lp {
    gsl_rng *rng;                       /* this LP's stream (taus2) */
    uint64_t processed;                 /* events handled at this LP */
    uint64_t remote;                    /* successors sent to a random LP */
    uint32_t delay_hist[PHOLD_LP_BINS]; /* successors by exponential part of the delay */
} phold_lp;

/* The lp mode's model: the LPs, indexed by the events' argument. */
typedef struct phold_lps {
    phold_lp *lp; /* n records, allocated once */
    uint64_t n;   /* number of LPs */
} phold_lps;

/* MurmurHash3's 32-bit finaliser: a bijection on 32-bit words that scatters close inputs. */
static uint32_t phold_fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= UINT32_C(0x85ebca6b);
    h ^= h >> 13;
    h *= UINT32_C(0xc2b2ae35);
    h ^= h >> 16;
    return h;
}

/* Draws the exponential part of the delay of a successor from LP lp's stream and records it in
 * LP lp's histogram. */
static double phold_lp_delay(phold_lp *lp)
{
    double e = gsl_ran_exponential(lp->rng, PHOLD_EXP_MEAN);
    double bin = e * (2.0 / PHOLD_EXP_MEAN);
    lp->delay_hist[bin < PHOLD_LP_BINS - 1 ? (unsigned)bin : PHOLD_LP_BINS - 1]++;
    return e;
}

/* The lp-mode handler: one PHOLD event at LP `i`, drawing from and updating LP i's state in the
 * order ROSS's phold does (remote?, destination, delay). */
static void phold_lp_event(af_sim *sim, void *ctx, uint64_t i)
{
    phold_lps *m = ctx;
    phold_lp *lp = &m->lp[i];
    uint64_t dest = i;
    if (gsl_rng_uniform(lp->rng) < PHOLD_REMOTE) {
        dest = gsl_rng_uniform_int(lp->rng, m->n);
        lp->remote++;
    }
    double e = phold_lp_delay(lp);
    lp->processed++;
    af_sim_after(sim, phold_delay_ns(e), phold_lp_event, m, dest);
}

/* Runs `events` faithful PHOLD events (per-LP state and streams) through the engine with n LPs;
 * returns the time taken. */
static phold_time phold_lp_mode(uint64_t n, uint64_t events)
{
    uint64_t s = af_rng_seed(PHOLD_SEED, "phold.lp");
    uint32_t base = (uint32_t)(s ^ (s >> 32));
    phold_lps m = {.lp = af_calloc(n, sizeof(phold_lp)), .n = n};
    af_sim *sim = af_sim_new((uint32_t)n);
    for (uint64_t i = 0; i < n; i++) {
        phold_lp *lp = &m.lp[i];
        lp->rng = gsl_rng_alloc(gsl_rng_taus2);
        if (!lp->rng)
            abort(); /* as af_rng_new: only reached with GSL's error handler turned off */
        gsl_rng_set(lp->rng, phold_fmix32(base ^ (uint32_t)i));
        /* The first event is LP i's own, as in ROSS's phold_init; it is not counted as
         * processed. */
        af_sim_after(sim, phold_delay_ns(phold_lp_delay(lp)), phold_lp_event, &m, i);
    }
    uint64_t warmup = phold_warmup(n);
    af_sim_run(sim, AF_TIME_MAX, warmup);
    phold_time t0 = phold_start();
    af_run_status st = af_sim_run(sim, AF_TIME_MAX, events);
    phold_time t = phold_stop(t0);
    if (st != AF_RUN_BUDGET || af_sim_events_pending(sim) != n) {
        fprintf(stderr, "phold: lp run ended early (status %d)\n", (int)st);
        exit(1);
    }
    /* Every event ran at exactly one LP, and every draw of a delay was recorded (the initial
     * ones too): a check that the per-LP state was really written, outside the timed part. */
    uint64_t processed = 0, drawn = 0;
    for (uint64_t i = 0; i < n; i++) {
        processed += m.lp[i].processed;
        for (unsigned b = 0; b < PHOLD_LP_BINS; b++)
            drawn += m.lp[i].delay_hist[b];
        gsl_rng_free(m.lp[i].rng);
    }
    if (processed != warmup + events || drawn != n + processed) {
        fprintf(stderr,
                "phold: lp run: LPs counted %" PRIu64 " events and %" PRIu64
                " delays, expected %" PRIu64 " and %" PRIu64 "\n",
                processed, drawn, warmup + events, n + warmup + events);
        exit(1);
    }
    af_sim_free(sim);
    af_free(m.lp);
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
    fprintf(stderr, "usage: phold [-m engine|bare|lp|both|all] [-r REPEATS] [N[:EVENTS] ...]\n");
    exit(2);
}

/* The modes, in the order they are run and printed. */
static const struct phold_mode {
    const char *name;
    phold_time (*run)(uint64_t n, uint64_t events);
} phold_modes[] = {{"engine", phold_engine}, {"bare", phold_bare}, {"lp", phold_lp_mode}};

#define PHOLD_NMODES (sizeof(phold_modes) / sizeof(phold_modes[0]))

/* Times one mode at one size, best of `reps` by wall time, and prints the line. */
static void phold_report(const struct phold_mode *mode, uint64_t n, uint64_t events, unsigned reps)
{
    phold_time best = {INFINITY, INFINITY};
    for (unsigned r = 0; r < reps; r++) {
        phold_time t = mode->run(n, events);
        if (t.wall_s < best.wall_s)
            best = t;
    }
    printf("%-6s %5d %9" PRIu64 " %10" PRIu64 " %8.3f %8.2f %8.3f\n", mode->name, AF_HEAP_ARITY, n,
           events, best.wall_s, (double)events / best.wall_s / 1e6, best.cpu_s);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static const char *defaults[] = {"1e3:2e7", "1e4:2e7", "1e5:1e7", "1e6:5e6"};
    /* Which modes run, one bit per entry of phold_modes. "both" still means engine and bare, as
     * it did before the lp mode existed. */
    unsigned modes = 7;
    unsigned reps = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
            const char *m = argv[++i];
            modes = strcmp(m, "engine") == 0 ? 1
                    : strcmp(m, "bare") == 0 ? 2
                    : strcmp(m, "lp") == 0   ? 4
                    : strcmp(m, "both") == 0 ? 3
                    : strcmp(m, "all") == 0  ? 7
                                             : 0;
            if (modes == 0)
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
        for (unsigned j = 0; j < PHOLD_NMODES; j++)
            if (modes & (1u << j))
                phold_report(&phold_modes[j], n, events, reps);
    }
    return 0;
}
