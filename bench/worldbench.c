/*
 * worldbench: the whole world (workload/world.c) at scale: many data-bound training jobs sharing
 * one storage tier, the load of issue 10 ("Sharing at scale").
 *
 * Model. N training jobs of 16 GPUs each (2 nodes of 8, the job size of the issue's
 * measurement: its 86.5 M events per simulated day at 1,000 jobs are what 16-GPU jobs give on
 * this tier, day:1000 below), each on its own pool, read their data set from one shared tier
 * "hot". A GPU computes a step in 0.25 s (plus 0.1 ms x (job index mod 97), so that step ends
 * of different jobs do not coincide) and reads 50 samples of 1 MB per step (files of 100
 * samples, 2 batches prefetched): 200 MB/s per GPU asked. The tier feeds a quarter of that at
 * every N, so every job is data-bound, always has a fetch in flight, and every fetch's start or
 * end reshares the tier among all N jobs: the tier's NICs (the resource that binds) carry
 * 50 MB/s per GPU of the world, 8 nodes x 2 NICs x 50 GB/s x GPUs / 16,000. At 1,000 jobs
 * (16,000 GPUs) that is exactly 8 x 100 GB/s, the tier of the measurement; at 10 jobs it
 * is 8 GB/s, so the cost per event at 10 and at 1,000 jobs compares the same saturated load
 * (a fixed tier would leave 10 or 100 jobs compute-bound, a different load).
 * The devices' read bandwidth and IOPS are scaled by the same factor, so they never bind
 * before the NICs. Expect a tier NIC utilization near 1 and a GPU utilization near 0.25.
 *
 * Sample-size spread. A ":spread" case (or -s) gives the samples a standard deviation of CV x
 * 1 MB (-c CV, default 0.25). The group's batch is then drawn per fetch (af_train_draw_batch_B:
 * a normal of standard deviation sqrt(50 / 16) x CV x 1 MB per GPU, 0.9% of the 50 MB batch at
 * CV 0.25). Without a spread every fetch moves the same bytes at the same fair share, so the
 * fetches that data-bound jobs start together also end together, in one event, and the events
 * are mostly the step ends (about one per job per simulated second); with one, each fetch ends
 * at its own time (about twice the events) and every end reshares the tier among all N: the
 * expensive case.
 *
 * Cases:
 *   day:N[:spread]   N jobs for one simulated day (86,400 s).
 *   jobs:N[:spread]  N jobs for 600 simulated seconds.
 *   big[:spread]     one lock-step job of 16,384 GPUs (2048 nodes) for 3600 simulated seconds,
 *                    which must cost what one small job costs (the tier is scaled as above).
 * N is a whole number such as 1000 or 1e3. -d SECONDS overrides the duration of every case.
 * Default: day:10 day:10:spread day:100 day:1000 day:1000:spread (the targets: one
 * simulated day of 1,000 jobs in under 60 s with and without spread, and the cost per event at
 * 1,000 jobs within 2x of that at 10, each compared with its like). On code that takes minutes
 * per simulated day, give -d 600 or less.
 *
 * Measurement. Each run is af_world_run as a whole (build, run, report), timed in process CPU
 * time (CLOCK_PROCESS_CPUTIME_ID; the run is single-threaded), which a busy shared machine
 * disturbs less than wall time; the wall time of the same run is printed beside it (a wall time
 * well above the CPU time means the run was preempted). With -r REPEATS the best (least CPU) of
 * the repeats is reported. Per case: jobs, GPUs, simulated seconds, events executed (the
 * run.events metric), CPU and wall seconds, events per CPU-second, CPU ns per event, CPU seconds
 * per simulated day (the CPU time scaled linearly by 86,400 s / simulated seconds, so that a
 * shorter run gives a comparable figure: the load is the same all day, and on today's code
 * runs of 600 s and of a day agreed within the run-to-run noise of a shared machine, about
 * 30%), and, to show that the tier was saturated, the tier's NIC utilization
 * (storage.hot.nic_out_utilization) and the jobs' mean GPU utilization
 * (train.<job>.gpu_utilization).
 *
 * Usage: worldbench [-d SECONDS] [-r REPEATS] [-s] [-c CV] [CASE ...]
 */
#include "workload/world.h"

#include "base/alloc.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* GPUs per node, nodes per job, and the nodes of the one big job. */
#define WB_NODE_GPUS 8
#define WB_JOB_NODES 2
#define WB_BIG_NODES 2048

/* GPUs of the world at which the tier is its unscaled self: 8 nodes x 2 NICs x 50 GB/s feed
 * 16,000 GPUs 50 MB/s each, a quarter of the 200 MB/s each asks. */
#define WB_TIER_GPUS 16000.0

/* Default simulated durations (s) of the cases. */
#define WB_DAY_S 86400.0
#define WB_JOBS_S 600.0
#define WB_BIG_S 3600.0

/* Seconds of CPU time used by this process. */
static double wb_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds of wall time from an arbitrary origin. */
static double wb_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static af_node_spec wb_node(void)
{
    af_node_spec n;
    memset(&n, 0, sizeof n);
    n.name = "bench-node";
    n.gpu = (af_gpu_spec){.name = "bench-gpu", .bf16_flops = 1e15, .tdp_W = 700, .idle_W = 100};
    n.gpus = WB_NODE_GPUS;
    n.storage_nic = (af_link_spec){.name = "nic", .rate_Bps = 50e9};
    n.storage_nics = 2;
    n.max_power_W = 10000;
    n.host_W = 2000;
    n.rack_units = 8;
    n.price_usd = 300000;
    return n;
}

/* One storage node of the tier, its NICs and device reads scaled by f (see Model). */
static af_storage_spec wb_storage(double f)
{
    af_storage_spec s;
    memset(&s, 0, sizeof s);
    s.name = "bench-storage";
    s.devices = 24;
    s.device_B = 15e12;
    s.device_read_Bps = 7e9 * f;
    s.device_write_Bps = 3e9;
    s.device_read_iops = 1e6 * f;
    s.device_write_iops = 1e5;
    s.device_latency_s = 80e-6;
    s.device_idle_W = 5;
    s.device_read_W = 15;
    s.device_write_W = 20;
    s.nic = (af_link_spec){.name = "nic", .rate_Bps = 50e9 * f};
    s.nics = 2;
    s.usable_fraction = 0.7;
    s.server_W = 400;
    s.rack_units = 2;
    s.chassis_price_usd = 60000;
    return s;
}

/* What one case measured. */
typedef struct wb_result {
    double cpu_s, wall_s; /* of the best repeat */
    double events;        /* run.events */
    double tier_util;     /* storage.hot.nic_out_utilization */
    double gpu_util;      /* mean of train.<job>.gpu_utilization */
} wb_result;

/* Runs n jobs of `nodes` nodes each for duration_s, `repeats` times, with samples of standard
 * deviation cv x sample_B. Returns false (after printing why) when a run fails. */
static bool wb_run(size_t n, int64_t nodes, double duration_s, double cv, int repeats,
                   wb_result *out)
{
    af_pool_config *pools = af_calloc(n, sizeof *pools);
    af_train_config *trains = af_calloc(n, sizeof *trains);
    char(*names)[32] = af_calloc(n, sizeof *names);
    double gpus = (double)n * (double)nodes * WB_NODE_GPUS;
    af_tier_config tier = {.name = "hot",
                           .system = wb_storage(gpus / WB_TIER_GPUS),
                           .nodes = 8,
                           .cache_for = AF_WORLD_NONE,
                           .drain_to = AF_WORLD_NONE};
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "job%zu", i);
        pools[i] = (af_pool_config){.name = names[i], .node = wb_node(), .nodes = nodes};
        trains[i] = (af_train_config){.name = names[i],
                                      .pool = i,
                                      .tier = 0,
                                      .step_time_s = 0.25 + 1e-4 * (double)(i % 97),
                                      .dataset_B = 1e9,
                                      .sample_B = 1e6,
                                      .sample_sd_B = cv * 1e6,
                                      .samples_per_gpu = 50,
                                      .samples_per_file = 100,
                                      .prefetch = 2,
                                      .weight = 1};
    }
    af_world_config cfg = {.name = "bench",
                           .seed = 1,
                           .duration_s = duration_s,
                           .max_events = 1000000000000ULL,
                           .facility = {.name = "f",
                                        .pue = 1.2,
                                        .energy_price_usd_J = 2e-8,
                                        .amortization_s = 1.5e8,
                                        .storage_life_s = 1.5e8,
                                        .network_life_s = 1.5e8,
                                        .lifetime_s = 1.5e8,
                                        .rack_power_W = 40000,
                                        .rack_units = 42,
                                        .space_usd_s_per_rack = 1e-3},
                           .pools = pools,
                           .npools = n,
                           .tiers = &tier,
                           .ntiers = 1,
                           .trains = trains,
                           .ntrains = n};
    bool ok = true;
    out->cpu_s = INFINITY;
    for (int rep = 0; rep < repeats && ok; rep++) {
        af_results *r = af_results_new();
        af_diag *d = af_diag_new();
        double c0 = wb_cpu_s(), w0 = wb_wall_s();
        int rc = af_world_run(&cfg, r, d);
        double cpu = wb_cpu_s() - c0, wall = wb_wall_s() - w0;
        if (rc != AF_OK) {
            fprintf(stderr, "worldbench: run failed:\n");
            af_diag_print(d, stderr);
            ok = false;
        } else if (cpu < out->cpu_s) {
            out->cpu_s = cpu;
            out->wall_s = wall;
            const af_metric *m = af_results_find(r, "run.events");
            out->events = m ? m->value : NAN;
            m = af_results_find(r, "storage.hot.nic_out_utilization");
            out->tier_util = m ? m->value : NAN;
            double sum = 0;
            for (size_t i = 0; i < n; i++) {
                char name[64];
                snprintf(name, sizeof name, "train.%s.gpu_utilization", names[i]);
                m = af_results_find(r, name);
                sum += m ? m->value : NAN;
            }
            out->gpu_util = sum / (double)n;
        }
        af_results_free(r);
        af_diag_free(d);
    }
    af_free(names);
    af_free(trains);
    af_free(pools);
    return ok;
}

/* Parses a positive whole number such as "1000" or "1e3" (at most max); exits with status 2 on
 * bad input. */
static double wb_count(const char *s, const char *what, double max)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(v >= 1) || v > max || v != floor(v)) {
        fprintf(stderr,
                "worldbench: %s: expected a whole number from 1 to %g like 1e3, got \"%s\"\n", what,
                max, s);
        exit(2);
    }
    return v;
}

/* Runs one case ("day:1000", "jobs:10:spread", "big") and prints its line. duration_s > 0
 * overrides the case's own duration; spread_all adds a spread to every case. */
static bool wb_case(const char *spec, double duration_s, bool spread_all, double cv, int repeats)
{
    char *arg = af_strdup(spec);
    bool spread = spread_all;
    size_t len = strlen(arg);
    const char *suffix = ":spread";
    if (len > strlen(suffix) && strcmp(arg + len - strlen(suffix), suffix) == 0) {
        spread = true;
        arg[len - strlen(suffix)] = '\0';
    }
    size_t n = 1;
    int64_t nodes = WB_JOB_NODES;
    double dur;
    if (strcmp(arg, "big") == 0) {
        nodes = WB_BIG_NODES;
        dur = WB_BIG_S;
    } else if (strncmp(arg, "day:", 4) == 0) {
        n = (size_t)wb_count(arg + 4, "jobs", 1e6);
        dur = WB_DAY_S;
    } else if (strncmp(arg, "jobs:", 5) == 0) {
        n = (size_t)wb_count(arg + 5, "jobs", 1e6);
        dur = WB_JOBS_S;
    } else {
        fprintf(stderr,
                "worldbench: unknown case \"%s\" (day:N, jobs:N or big, each optionally "
                "followed by :spread)\n",
                spec);
        exit(2);
    }
    af_free(arg);
    if (duration_s > 0)
        dur = duration_s;
    wb_result res;
    if (!wb_run(n, nodes, dur, spread ? cv : 0, repeats, &res))
        return false;
    char label[64];
    snprintf(label, sizeof label, "%s%s", spec,
             spread && !strstr(spec, ":spread") ? ":spread" : "");
    printf("%-18s %6zu %7.0f %7.0f %11.0f %9.4g %9.4g %10.4g %9.1f %11.4g %5.3f %5.3f\n", label, n,
           (double)n * (double)nodes * WB_NODE_GPUS, dur, res.events, res.cpu_s, res.wall_s,
           res.events / res.cpu_s, 1e9 * res.cpu_s / res.events, res.cpu_s * WB_DAY_S / dur,
           res.tier_util, res.gpu_util);
    fflush(stdout);
    return true;
}

int main(int argc, char **argv)
{
    static const char *defaults[] = {"day:10", "day:10:spread", "day:100", "day:1000",
                                     "day:1000:spread"};
    double duration_s = 0, cv = 0.25;
    int repeats = 1;
    bool spread_all = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
            duration_s = wb_count(argv[++i], "-d", 1e9);
        } else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
            repeats = (int)wb_count(argv[++i], "-r", 1000);
        } else if (strcmp(argv[i], "-s") == 0) {
            spread_all = true;
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            cv = strtod(argv[++i], &end);
            if (errno || end == argv[i] || *end != '\0' || !(cv > 0) || cv > 10) {
                fprintf(stderr,
                        "worldbench: -c: expected a coefficient of variation in (0, 10], "
                        "got \"%s\"\n",
                        argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: worldbench [-d SECONDS] [-r REPEATS] [-s] [-c CV] "
                            "[day:N[:spread]|jobs:N[:spread]|big[:spread] ...]\n");
            return 2;
        }
    }
    const char **cases = (const char **)argv + i;
    size_t n = (size_t)(argc - i);
    if (n == 0) {
        cases = defaults;
        n = sizeof defaults / sizeof defaults[0];
    }
    printf("worldbench: jobs of %d GPUs on one tier feeding a quarter of their demand; spread "
           "CV %.2f; best of %d\n",
           WB_JOB_NODES * WB_NODE_GPUS, cv, repeats);
    printf("%-18s %6s %7s %7s %11s %9s %9s %10s %9s %11s %5s %5s\n", "case", "jobs", "GPUs",
           "sim_s", "events", "cpu_s", "wall_s", "events/s", "ns/event", "cpu_s/day", "tier",
           "gpu");
    int rc = 0;
    for (size_t j = 0; j < n; j++)
        if (!wb_case(cases[j], duration_s, spread_all, cv, repeats))
            rc = 1;
    return rc;
}
