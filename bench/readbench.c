/*
 * readbench: the read bank (workload/readbank.h) at the load of an inference service: 10,000
 * requests/s as a Poisson process for one simulated hour, each reading 20 features of 4 KiB at
 * random from a tier of 64 QLC-like devices. Target: under 20 s of wall time on one core.
 *
 * Model. A read costs 1 / 930,000 s + 4096 B / 7.4 GB/s = 1.63 us of device time (a QLC NVMe
 * drive of the D5-P5336's class: about a million random-read IOPS and 7 GB/s), and each request
 * waits an extra 80 us - 1 / 930,000 s once (the device latency its service time leaves out, as
 * workload/lookup.c computes it). 200,000 reads/s on 64 devices keep each device 0.5% busy, so
 * latencies are about 81.6 us. Arrivals run on an exact clock (as lookup.c's) rounded to the ns;
 * the callback only counts the request and sums its latency. Two passes: reads that never wait
 * for writes, then reads behind writes (programs p 0.05, 12.2 ms suspended after 100 us; erases
 * p 0.01, 3 ms, not suspended), which costs one uniform per read.
 *
 * Measured: wall time (CLOCK_MONOTONIC) and process CPU time of af_sim_run alone; requests,
 * reads, engine events per request (the arrival's and, at most, one completion: a completion
 * event pops every request due by then), and wall ns per read. Usage: readbench [-s SECONDS]
 * (simulated time, default 3600).
 */
#include "engine/rng.h"
#include "engine/sim.h"
#include "workload/readbank.h"

#include <gsl/gsl_randist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The load. */
#define RB_RATE_PER_S 10000.0
#define RB_READS 20u
#define RB_DEVICES 64u
#define RB_IOPS 930000.0
#define RB_READ_BPS 7.4e9
#define RB_SIZE_B 4096.0
#define RB_LATENCY_S 80e-6
#define RB_TARGET_WALL_S 20.0

/* The bench's state. */
typedef struct rb_bench {
    af_readbank *b;
    gsl_rng *arr;      /* interarrival stream */
    double next_s;     /* exact time of the next arrival, s */
    af_time_ns end_ns; /* no arrivals from here on */
    uint64_t done;     /* requests completed */
    double lat_sum_s;  /* sum of their latencies, s */
} rb_bench;

static double rb_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void rb_done(af_sim *sim, void *ctx, uint64_t arg, const af_readbank_done *d)
{
    (void)sim;
    (void)arg;
    rb_bench *x = ctx;
    x->done++;
    x->lat_sum_s += af_time_to_s(d->end_ns - d->submit_ns);
}

static void rb_arrive(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    rb_bench *x = ctx;
    af_readbank_submit(x->b, RB_READS, rb_done, x, 0);
    x->next_s += gsl_ran_exponential(x->arr, 1 / RB_RATE_PER_S);
    af_time_ns t = af_time_from_s(x->next_s);
    if (t < x->end_ns)
        af_sim_at(sim, t > af_sim_now(sim) ? t : af_sim_now(sim), rb_arrive, x, 0);
}

/* One pass; returns the wall time, s. */
static double rb_pass(const char *label, double sim_s, const af_read_blocking *blk)
{
    af_sim *sim = af_sim_new(0);
    gsl_rng *dev = af_rng_new(1, "readbench.devices");
    double demand_s = 1 / RB_IOPS + RB_SIZE_B / RB_READ_BPS;
    rb_bench x = {.arr = af_rng_new(1, "readbench.arrivals"), .end_ns = af_time_from_s(sim_s)};
    x.b = af_readbank_new(sim, dev, NULL, RB_DEVICES, demand_s, RB_LATENCY_S - 1 / RB_IOPS);
    af_readbank_set_blocking(x.b, blk);
    af_sim_at(sim, 0, rb_arrive, &x, 0);

    double w0 = rb_clock(CLOCK_MONOTONIC), c0 = rb_clock(CLOCK_PROCESS_CPUTIME_ID);
    af_sim_run(sim, AF_TIME_MAX, 0);
    double wall = rb_clock(CLOCK_MONOTONIC) - w0, cpu = rb_clock(CLOCK_PROCESS_CPUTIME_ID) - c0;

    af_readbank_stats st;
    af_readbank_get_stats(x.b, &st);
    double events = (double)af_sim_events_run(sim);
    printf("readbench: %s, %.0f s simulated\n", label, sim_s);
    printf("  wall        %.3f s (CPU %.3f s)\n", wall, cpu);
    printf("  requests    %llu (%llu completed), mean latency %.3f us\n",
           (unsigned long long)st.requests, (unsigned long long)x.done,
           1e6 * x.lat_sum_s / (double)x.done);
    printf("  reads       %llu (%.0f behind writes), device busy %.3f%%\n",
           (unsigned long long)st.reads, st.blocked_reads,
           100 * st.demand_s / (RB_DEVICES * sim_s));
    printf("  events      %.0f, %.3f per request\n", events, events / (double)st.requests);
    printf("  per read    %.2f ns wall\n", 1e9 * wall / (double)st.reads);
    af_readbank_free(x.b);
    af_sim_free(sim);
    gsl_rng_free(x.arr);
    gsl_rng_free(dev);
    return wall;
}

int main(int argc, char **argv)
{
    double sim_s = 3600;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            sim_s = strtod(argv[++i], &end);
            if (*end || !(sim_s > 0)) {
                fprintf(stderr,
                        "readbench: -s: expected a positive number of seconds, got "
                        "\"%s\"\n",
                        argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: readbench [-s SECONDS]\n");
            return 2;
        }
    }
    printf("readbench: %.0f requests/s x %u reads of %.0f B on %u devices\n", RB_RATE_PER_S,
           RB_READS, RB_SIZE_B, RB_DEVICES);
    double wall = rb_pass("no blocking", sim_s, NULL);
    const af_read_blocking blk = {
        .p = {0.05, 0.01}, .busy_s = {12.2e-3, 3e-3}, .cap_s = {100e-6, 0}};
    double wall_blk = rb_pass("reads behind writes", sim_s, &blk);
    double scaled = wall * 3600 / sim_s;
    printf("target wall < %.0f s for one hour: %s (%.3f s; %.3f s with blocking)\n",
           RB_TARGET_WALL_S, scaled < RB_TARGET_WALL_S ? "met" : "MISSED", scaled,
           wall_blk * 3600 / sim_s);
    return 0;
}
