/*
 * flowchurn: throughput of the fluid bandwidth-sharing core (engine/flow) under flow churn.
 *
 * Model. A fixed storage topology: 64 client NICs (25 GB/s each, 200 Gb/s), 8 fabric links
 * (400 GB/s), 16 storage-server NICs (50 GB/s) and 16 device pools (20 GB/s). A flow takes a
 * uniformly random client -> fabric -> storage NIC -> device pool path, moves an exponential
 * number of bytes per member (mean 1 GB, at least 1 MB), has weight 1 or 2 (even odds) and, one
 * time in five, a per-member cap of 2 GB/s. N flows are kept in progress: every completion
 * starts a new flow from its callback, so each completion costs two reshares of its component
 * (the end, then the start). Once N is in the hundreds, flows on these 104 shared resources
 * form one component, so the cost of a change grows with N. (island:N and link:N build
 * topologies of their own, described with them below.)
 *
 * Cases (each "KIND:N[xK]"):
 *   single:N    N single flows.
 *   group:GxK   G groups of K members (G * K GPU-flows): the same load as single:G*K, with
 *               one entry per group; each completion starts a new group.
 *   island:N    N single flows in N/10 disjoint islands (each 4 client NICs and 1 storage NIC of
 *               its own, paths stay inside): components of about 10 flows whatever N is, to
 *               show that the cost follows component size, not the total number of flows.
 *   scaled:N    as single:N, but each device pool is one device measured in device-seconds (a
 *               capacity of 1 per second) and the hop to it is scaled (af_flownet_start_scaled):
 *               a read (even odds) of 1 MB ops costs 1/20 GB/s + 1/(200k IOPS * 1 MB) =
 *               5.5e-11 device-s per byte, a write 1/10 GB/s + 1/(100k IOPS * 1 MB) = 1.1e-10,
 *               so reads and writes share one budget; compare with single:N for the cost of
 *               scales. Its layerchk compares the three byte layers only.
 *   link:N      N single flows of weight 1, without a cap, on one shared link of 100 GB/s (a
 *               path of one resource), sizes drawn as above: every change reshares all N flows
 *               and changes every rate, the plainest form of many flows on one bottleneck
 *               (issue 10's "single flows on one link"). Its layerchk is 0 (one layer).
 * The initial population is started at one instant, so it is shared out in one batch (flow.h,
 * Batching), and af_flownet_flush applies it before the clock starts.
 *
 * Measurement. After a warm-up (min(N entries, 2000) completions and at least 0.2 s, but no
 * more than 2 s), completion events run in growing chunks until at least -t seconds (default 1)
 * have passed. Time is process CPU time (CLOCK_PROCESS_CPUTIME_ID; the run is single-threaded),
 * which a busy shared machine disturbs less than wall time. Reported per case: entry completions
 * per CPU-second ("ends/s", the figure issue 10 states its targets in; each completion also
 * starts one entry), entry starts + ends per second ("ops/s", about twice ends/s), the same
 * counted in GPU-flows (times K), the share of completions that ended in a block ("blk%": a
 * component one resource limits alone, see engine/flow.h), and per fill the mean component size
 * in flows and resources and the mean number of filling levels ("-" when nothing was filled). "layerchk" is the largest relative difference between
 * the bytes carried by the layers (every flow crosses each layer once, so they must agree up to
 * rounding).
 *
 * Usage: flowchurn [-t SECONDS] [CASE ...]
 * Default: single:10 single:1e3 single:1e5 group:1x10 group:10x100 group:100x1000 island:1e5
 * scaled:1e3 scaled:1e5 link:1e3 link:1e4.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "base/alloc.h"
#include "engine/flow.h"
#include "engine/rng.h"
#include "engine/sim.h"

/* The topology: resources per layer and capacity per resource (B/s). */
#define FC_CLIENTS 64u
#define FC_FABRIC 8u
#define FC_SNICS 16u
#define FC_DEVS 16u
#define FC_CLIENT_BPS 25e9
#define FC_FABRIC_BPS 400e9
#define FC_SNIC_BPS 50e9
#define FC_DEV_BPS 20e9

/* Islands: flows per island, client NICs per island. */
#define FC_ISLAND_FLOWS 10u
#define FC_ISLAND_CLIENTS 4u

/* Flow draws: mean and least size per member (B), the cap and how often it applies. */
#define FC_MEAN_B 1e9
#define FC_MIN_B 1e6
#define FC_CAP_BPS 2e9
#define FC_CAP_ODDS 0.2

/* The one link of link:N (B/s). */
#define FC_LINK_BPS 100e9

/* Scaled devices: device-seconds per byte of a read and of a write (see scaled:N above). */
#define FC_READ_S_PER_B (1 / 20e9 + 1 / (2e5 * 1e6))
#define FC_WRITE_S_PER_B (1 / 10e9 + 1 / (1e5 * 1e6))

#define FC_SEED 20240601u

typedef enum { FC_SINGLE, FC_GROUP, FC_ISLAND, FC_SCALED, FC_LINK } fc_kind;

/* One benchmark case in progress. */
typedef struct fc_case {
    af_sim *sim;
    af_flownet *net;
    gsl_rng *rng;
    fc_kind kind;
    uint32_t k;         /* members per entry */
    uint32_t n_islands; /* islands (FC_ISLAND) */
    uint32_t layer[4];  /* first resource id of each layer (shared topology) */
} fc_case;

/* Seconds of process CPU time. */
static double fc_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fc_done(af_sim *sim, void *ctx, uint64_t arg);

/* Starts one random flow (or group). */
static void fc_start(fc_case *c)
{
    gsl_rng *r = c->rng;
    uint32_t path[4], n_path;
    if (c->kind == FC_LINK) {
        path[0] = 0;
        double size = fmax(FC_MIN_B, floor(-FC_MEAN_B * log(gsl_rng_uniform_pos(r))));
        af_flownet_start(c->net, path, 1, size, 1, 0, 1, fc_done, c, 0);
        return;
    }
    if (c->kind == FC_ISLAND) {
        uint32_t i = (uint32_t)gsl_rng_uniform_int(r, c->n_islands);
        uint32_t base = i * (FC_ISLAND_CLIENTS + 1);
        path[0] = base + (uint32_t)gsl_rng_uniform_int(r, FC_ISLAND_CLIENTS);
        path[1] = base + FC_ISLAND_CLIENTS;
        n_path = 2;
    } else {
        path[0] = c->layer[0] + (uint32_t)gsl_rng_uniform_int(r, FC_CLIENTS);
        path[1] = c->layer[1] + (uint32_t)gsl_rng_uniform_int(r, FC_FABRIC);
        path[2] = c->layer[2] + (uint32_t)gsl_rng_uniform_int(r, FC_SNICS);
        path[3] = c->layer[3] + (uint32_t)gsl_rng_uniform_int(r, FC_DEVS);
        n_path = 4;
    }
    double size = fmax(FC_MIN_B, floor(-FC_MEAN_B * log(gsl_rng_uniform_pos(r))));
    double weight = gsl_rng_uniform(r) < 0.5 ? 1 : 2;
    double cap = gsl_rng_uniform(r) < FC_CAP_ODDS ? FC_CAP_BPS : 0;
    if (c->kind == FC_SCALED) {
        double dev = gsl_rng_uniform(r) < 0.5 ? FC_READ_S_PER_B : FC_WRITE_S_PER_B;
        const double scale[4] = {1, 1, 1, dev};
        af_flownet_start_scaled(c->net, path, scale, n_path, size, weight, cap, c->k, fc_done, c,
                                0);
        return;
    }
    af_flownet_start(c->net, path, n_path, size, weight, cap, c->k, fc_done, c, 0);
}

/* Completion callback: keep the population constant. */
static void fc_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    fc_start(ctx);
}

/* Builds the topology of case c. */
static void fc_build(fc_case *c, uint64_t entries)
{
    if (c->kind == FC_LINK) {
        af_flownet_resource_add(c->net, "link", FC_LINK_BPS);
        return;
    }
    if (c->kind == FC_ISLAND) {
        c->n_islands = (uint32_t)((entries + FC_ISLAND_FLOWS - 1) / FC_ISLAND_FLOWS);
        for (uint32_t i = 0; i < c->n_islands; i++) {
            for (uint32_t j = 0; j < FC_ISLAND_CLIENTS; j++)
                af_flownet_resource_add(c->net, NULL, FC_CLIENT_BPS);
            af_flownet_resource_add(c->net, NULL, FC_SNIC_BPS);
        }
        return;
    }
    static const struct {
        const char *name;
        uint32_t n;
        double bps;
    } layers[4] = {{"client", FC_CLIENTS, FC_CLIENT_BPS},
                   {"fabric", FC_FABRIC, FC_FABRIC_BPS},
                   {"snic", FC_SNICS, FC_SNIC_BPS},
                   {"dev", FC_DEVS, FC_DEV_BPS}};
    for (int l = 0; l < 4; l++) {
        c->layer[l] = af_flownet_resource_count(c->net);
        for (uint32_t i = 0; i < layers[l].n; i++) {
            char name[32];
            snprintf(name, sizeof(name), "%s%u", layers[l].name, i);
            af_flownet_resource_add(c->net, name,
                                    c->kind == FC_SCALED && l == 3 ? 1 : layers[l].bps);
        }
    }
}

/* Largest relative difference between the bytes carried by the four layers (the first three
 * for scaled:N, whose device layer carries device-seconds; for islands, client NICs and storage
 * NICs; none for link:N, which has one layer). */
static double fc_layer_check(const fc_case *c)
{
    double sum[4] = {0};
    int n_layers;
    if (c->kind == FC_LINK) {
        return 0;
    } else if (c->kind == FC_ISLAND) {
        n_layers = 2;
        for (uint32_t r = 0; r < af_flownet_resource_count(c->net); r++)
            sum[r % (FC_ISLAND_CLIENTS + 1) == FC_ISLAND_CLIENTS] +=
                af_flownet_resource_carried(c->net, r);
    } else {
        static const uint32_t n[4] = {FC_CLIENTS, FC_FABRIC, FC_SNICS, FC_DEVS};
        n_layers = c->kind == FC_SCALED ? 3 : 4;
        for (int l = 0; l < n_layers; l++)
            for (uint32_t i = 0; i < n[l]; i++)
                sum[l] += af_flownet_resource_carried(c->net, c->layer[l] + i);
    }
    double worst = 0;
    for (int l = 1; l < n_layers; l++)
        worst = fmax(worst, fabs(sum[l] - sum[0]) / fmax(sum[0], 1));
    return worst;
}

/* Parses a count such as "1000" or "1e5"; exits with status 2 on bad input. */
static uint64_t fc_count(const char *s, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(v >= 1) || v > 1e8 || v != floor(v)) {
        fprintf(stderr, "flowchurn: %s: expected a positive whole number like 1e5, got \"%s\"\n",
                what, s);
        exit(2);
    }
    return (uint64_t)v;
}

/* Runs one case ("single:1e5", "group:100x1000", "link:1e4") and prints its line. */
static void fc_run(const char *spec, double seconds)
{
    char *arg = af_strdup(spec);
    char *colon = strchr(arg, ':');
    if (!colon) {
        fprintf(stderr, "flowchurn: expected KIND:N, got \"%s\"\n", spec);
        exit(2);
    }
    *colon = '\0';
    fc_case c = {.k = 1};
    uint64_t entries;
    if (strcmp(arg, "single") == 0 || strcmp(arg, "island") == 0 || strcmp(arg, "scaled") == 0 ||
        strcmp(arg, "link") == 0) {
        c.kind = strcmp(arg, "single") == 0   ? FC_SINGLE
                 : strcmp(arg, "island") == 0 ? FC_ISLAND
                 : strcmp(arg, "scaled") == 0 ? FC_SCALED
                                              : FC_LINK;
        entries = fc_count(colon + 1, "N");
    } else if (strcmp(arg, "group") == 0) {
        c.kind = FC_GROUP;
        char *x = strchr(colon + 1, 'x');
        if (!x) {
            fprintf(stderr, "flowchurn: group: expected GROUPSxMEMBERS like 100x1000, got \"%s\"\n",
                    colon + 1);
            exit(2);
        }
        *x = '\0';
        entries = fc_count(colon + 1, "GROUPS");
        c.k = (uint32_t)fc_count(x + 1, "MEMBERS");
    } else {
        fprintf(stderr,
                "flowchurn: unknown case kind \"%s\" (single, group, island, scaled or link)\n",
                arg);
        exit(2);
    }

    c.sim = af_sim_new((uint32_t)entries + 16);
    c.net = af_flownet_new(c.sim, (uint32_t)entries + 16);
    c.rng = af_rng_new(FC_SEED, "flowchurn");
    fc_build(&c, entries);
    for (uint64_t i = 0; i < entries; i++)
        fc_start(&c);
    af_flownet_flush(c.net);

    /* Warm-up, then timed chunks of completion events. */
    af_flownet_stats s0, s1;
    uint64_t warm = entries < 2000 ? entries : 2000;
    double t = fc_clock();
    for (uint64_t chunk = 1;; chunk = chunk < 65536 ? chunk * 2 : chunk) {
        af_sim_run(c.sim, AF_TIME_MAX, chunk);
        af_flownet_get_stats(c.net, &s0);
        double dt = fc_clock() - t;
        if ((s0.ends >= warm && dt >= 0.2) || dt >= 2)
            break;
    }
    double t0 = fc_clock(), t1;
    for (uint64_t chunk = 1;; chunk = chunk < 65536 ? chunk * 2 : chunk) {
        af_sim_run(c.sim, AF_TIME_MAX, chunk);
        t1 = fc_clock();
        if (t1 - t0 >= seconds)
            break;
    }
    af_flownet_get_stats(c.net, &s1);
    double wall = t1 - t0;
    uint64_t ops = (s1.starts - s0.starts) + (s1.ends - s0.ends);
    uint64_t upd = s1.updates - s0.updates;
    /* Per fill: a case whose flows all end in blocks fills nothing, and shows "-". */
    char comp[3][16];
    if (upd) {
        snprintf(comp[0], sizeof comp[0], "%.1f",
                 (double)(s1.flows_touched - s0.flows_touched) / (double)upd);
        snprintf(comp[1], sizeof comp[1], "%.1f",
                 (double)(s1.res_touched - s0.res_touched) / (double)upd);
        snprintf(comp[2], sizeof comp[2], "%.1f", (double)(s1.levels - s0.levels) / (double)upd);
    } else {
        for (int m = 0; m < 3; m++)
            snprintf(comp[m], sizeof comp[m], "-");
    }
    uint64_t ends = s1.ends - s0.ends;
    printf("%-16s %9" PRIu64 " %7" PRIu64 " %5u %9" PRIu64 " %7.3f %11.4g %11.4g %11.4g %6.1f "
           "%9s %6s %6s %8.1e\n",
           spec, entries * c.k, entries, c.k, ends, wall, (double)ends / wall, (double)ops / wall,
           (double)ops * c.k / wall,
           ends ? 100.0 * (double)(s1.block_leaves - s0.block_leaves) / (double)ends : 0.0,
           comp[0], comp[1], comp[2], fc_layer_check(&c));
    fflush(stdout);
    af_flownet_free(c.net);
    af_sim_free(c.sim);
    af_rng_free(c.rng);
    af_free(arg);
}

int main(int argc, char **argv)
{
    static const char *defaults[] = {"single:10",    "single:1e3",     "single:1e5", "group:1x10",
                                     "group:10x100", "group:100x1000", "island:1e5", "scaled:1e3",
                                     "scaled:1e5",   "link:1e3",       "link:1e4"};
    double seconds = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            seconds = (double)fc_count(argv[++i], "-t");
        } else {
            fprintf(stderr, "usage: flowchurn [-t SECONDS] "
                            "[single:N|group:GxK|island:N|scaled:N|link:N ...]\n");
            return 2;
        }
    }
    const char **cases = (const char **)argv + i;
    size_t n = (size_t)(argc - i);
    if (n == 0) {
        cases = defaults;
        n = sizeof(defaults) / sizeof(defaults[0]);
    }
    printf("%-16s %9s %7s %5s %9s %7s %11s %11s %11s %6s %9s %6s %6s %8s\n", "case",
           "gpu_flows", "entries", "k", "ends", "seconds", "ends/s", "ops/s", "gpu_ops/s", "blk%",
           "comp_flw", "comp_r", "levels", "layerchk");
    for (size_t j = 0; j < n; j++)
        fc_run(cases[j], seconds);
    return 0;
}
