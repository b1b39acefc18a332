/*
 * lookup: the look-up kind of the world, small random reads arriving at a tier (inference feature
 * look-ups, metadata; af_lookup_config), in the latency class. They arrive as workload/arrivals.h
 * draws them: a Poisson process at a rate, with a daily profile and bursts, or a trace.
 *
 * Requests queue at the tier's devices (engine/queue.h, one server per device, FIFO), each a
 * demand of 1/read_iops + size/device_read_Bps device-seconds (one operation: a single random
 * read), served at speed 1 - (bulk device load + other latency load) / all device time: what the
 * fluid traffic leaves, the tier's reserve included, and the tier's other latency-class users
 * leave (below). A request's latency is its sojourn plus the part of the device latency its
 * service time does not cover, max(0, latency - 1/read_iops), so an idle tier answers in the
 * catalog latency. The hybrid of discrete requests over a fluid background is validated against
 * M/D/1 (Pollaczek-Khinchine) in tests/validation/test_lookup.c.
 *
 * Other latency-class users of the tier: the feature reads of inference services (infer.c) queue
 * at the same devices in a read bank of their own. The look-ups see them as their mean device
 * load only, mean arrival rate x reads x demand (af_tier_state.latency_load less the stream's
 * own load), taken from the device time as the bulk flows are, and the feature reads see the
 * look-ups the same way (rate x demand). That is an approximation: the mean device time each
 * class takes from the other is right; the queueing their bursts cause each other is left out
 * (a clump of feature reads does not hold up the look-ups queued at that moment, only their mean
 * rate does). The tier's check (infer.c, infer_check_tier) refuses a combined load at or above
 * the devices.
 *
 * On flash, a look-up also waits when its die is busy with a program or an erase of the bulk
 * writes (doc/formulas.md, "Flash reads behind writes"): at every load change the tier's write
 * share of device time (af_tier_write_share) gives the chance and length of that wait
 * (af_flash_blocking), and each look-up draws its wait on arrival from a stream of its own
 * (rng_wait, so that the waits leave the arrivals as they were: common random numbers for
 * `aifsim compare`), one uniform, only while the chance is above 0 (so a disk, or flash without
 * writes, draws nothing and runs as before). The wait takes no device time from other look-ups
 * (the device's other dies go on serving), so it is a hold on top of the sojourn
 * (af_queue_submit_held), not service: it shows in every latency figure and percentile, and its
 * share in lookup.<name>.behind_writes.
 *
 * When the bulk flows take all the device time (no reserve, saturating traffic) the look-ups get
 * none: the queue stops (engine/queue.h treats speeds below 1e-12 as 0) and schedules no
 * completion until the speed rises. The time spent so is reported (lookup.<name>.unserved_time),
 * and requests still waiting at the end as unfinished, never as completions at the end of time.
 * A million waiting requests at most: arrivals beyond are dropped and counted.
 */
#include "base/alloc.h"
#include "base/metrics.h"
#include "engine/rng.h"
#include "workload/arrivals.h"
#include "workload/world_int.h"

#include <math.h>
#include <stdio.h>

/* Look-ups in a tier's queue at most; arrivals beyond are dropped and counted (an overload that
 * lasts would otherwise grow the queue without bound). */
#define LOOKUP_MAX_QUEUED 1000000u

/* Speeds below this are none (as engine/queue.h reads them). */
#define LOOKUP_MIN_SPEED 1e-12

typedef struct stream {
    const af_lookup_config *cfg;
    af_world *world;
    af_tier_state *tier;
    af_queue *queue;
    gsl_rng *rng;        /* arrivals */
    gsl_rng *rng_wait;   /* waits behind writes (lookup_submit) */
    double demand_s;     /* device-seconds per look-up */
    double load;         /* its mean device load, rate x demand_s, device-s/s (in its tier's
                          * latency_load) */
    /* when look-ups come: arr draws them from arr_cfg (lookup_arrivals) */
    af_arrivals_config arr_cfg;
    af_arrivals arr;
    double next_s;       /* exact time of the next arrival, s (INFINITY: none) */
    uint64_t dropped;    /* arrivals refused: LOOKUP_MAX_QUEUED already waiting */
    double extra_s;      /* latency not covered by the service time */
    bool flash;          /* the tier's devices program and erase (af_flash_blocking applies) */
    af_read_blocking blk; /* how a look-up waits behind the tier's writes now */
    uint64_t submitted;  /* look-ups submitted to the queue */
    uint64_t blocked;    /* of those, look-ups that waited behind a program or erase */
    bool stalled;        /* no device time left for it now */
    af_time_ns stalled_since_ns;
    af_time_ns stalled_ns; /* time with no device time left */
    /* the time series' totals at the last window's end (lookup_sample) */
    double snap_completed, snap_sojourn_s, snap_area_s, snap_work_s;
    uint64_t *hist_base; /* the latency histogram at the last window's end (af_queue_hist_copy) */
} stream;

typedef struct lookup_state {
    stream *streams;
    size_t n;
} lookup_state;

static lookup_state *lookup_of(const af_world *w)
{
    return w->kind[AF_WL_LOOKUP];
}

static void lookup_arrive(af_sim *sim, void *ctx, uint64_t arg);

/* The arrivals of look-up stream c: its af_arrivals_config, or Poisson at rate_per_s when that
 * is all zero (a configuration built without the scenario layer). */
static void lookup_arrivals(const af_lookup_config *c, af_arrivals_config *out)
{
    *out = c->arrivals;
    if (!out->trace_s && !(out->rate_per_s > 0))
        *out = (af_arrivals_config){.rate_per_s = c->rate_per_s};
}

/* Schedules the next arrival on an exact clock (rounding each gap would bias the rate when
 * gaps are a few nanoseconds); arrivals that round to one nanosecond share it. */
static void lookup_schedule(af_sim *sim, stream *s)
{
    s->next_s = af_arrivals_next(&s->arr, s->rng, NULL);
    af_time_ns ns = af_time_from_s(s->next_s);
    if (ns >= AF_TIME_MAX)
        return;
    af_sim_at(sim, ns > af_sim_now(sim) ? ns : af_sim_now(sim), lookup_arrive, s, 0);
}

/* Submits one look-up, with its wait behind a program or erase when the tier writes now. */
static void lookup_submit(stream *s)
{
    s->submitted++;
    if (s->blk.p[0] + s->blk.p[1] > 0) {
        double held = af_flash_wait_draw(&s->blk, gsl_rng_uniform(s->rng_wait));
        if (held > 0) {
            s->blocked++;
            af_queue_submit_held(s->queue, s->demand_s, held, NULL, NULL, 0);
            return;
        }
    }
    af_queue_submit(s->queue, s->demand_s, NULL, NULL, 0);
}

static void lookup_arrive(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    stream *s = ctx;
    af_queue_stats st;
    af_queue_get_stats(s->queue, &st);
    if (st.in_system < LOOKUP_MAX_QUEUED)
        lookup_submit(s);
    else
        s->dropped++;
    lookup_schedule(sim, s);
}

static size_t lookup_count(const af_world_config *cfg)
{
    return cfg->nlookups;
}

static const char *lookup_instance(const af_world_config *cfg, size_t i)
{
    return cfg->lookups[i].name;
}

static int lookup_build_one(af_world *w, stream *s, size_t i, af_diag *d)
{
    const af_lookup_config *c = &w->cfg->lookups[i];
    af_tier_state *ts = &w->tiers[c->tier];
    lookup_state *ls = lookup_of(w);
    for (size_t j = 0; j < i; j++)
        if (ls->streams[j].cfg && ls->streams[j].cfg->tier == c->tier) {
            af_diag_error(d,
                          "look-ups \"%s\" and \"%s\" both read tier \"%s\"; this version models "
                          "one look-up stream per tier (merge them: rates add up)",
                          ls->streams[j].cfg->name, c->name, ts->cfg->name);
            return AF_EINPUT;
        }
    const af_storage_spec *sp = &ts->cfg->system;
    if (ts->devices > 1e6) {
        af_diag_error(d,
                      "look-ups \"%s\": tier \"%s\" has %.0f devices, more than this version "
                      "queues look-ups over",
                      c->name, ts->cfg->name, ts->devices);
        return AF_EINPUT;
    }
    s->cfg = c;
    s->world = w;
    s->tier = ts;
    s->demand_s = af_storage_read_cost_s(sp, c->size_B);
    lookup_arrivals(c, &s->arr_cfg);
    af_arrivals_init(&s->arr, &s->arr_cfg, w->cfg->duration_s);
    /* The mean rate over the run (given, or of the arrivals); a daily peak above it may still
     * overload the tier for a while: the queue then grows and drops beyond its bound. */
    double T = w->cfg->duration_s;
    double rate = c->rate_per_s > 0 ? c->rate_per_s : af_arrivals_expected(&s->arr_cfg, 0, T) / T;
    double load = rate * s->demand_s;
    if (load >= ts->devices) {
        af_diag_error(d,
                      "look-ups \"%s\": %.4g requests/s of %.4g device-seconds each need %.4g "
                      "devices busy all the time, and tier \"%s\" has %.0f; its queue would "
                      "grow without bound (lower the rate or add nodes)",
                      c->name, rate, s->demand_s, load, ts->cfg->name, ts->devices);
        return AF_EINPUT;
    }
    s->load = load;
    ts->latency_load += load;
    double extra = sp->device_latency_s - 1 / sp->device_read_iops;
    s->extra_s = extra > 0 ? extra : 0;
    s->flash = sp->program_s > 0 || sp->erase_s > 0;
    s->queue = af_queue_new(w->sim, (uint32_t)ts->devices, 0);
    char name[160];
    snprintf(name, sizeof name, "lookup.%s", c->name);
    s->rng = af_rng_new(w->cfg->seed, name);
    snprintf(name, sizeof name, "lookup.%s.waits", c->name);
    s->rng_wait = af_rng_new(w->cfg->seed, name);
    return AF_OK;
}

static int lookup_build(af_world *w, af_diag *d)
{
    lookup_state *s = af_calloc(1, sizeof *s);
    w->kind[AF_WL_LOOKUP] = s;
    s->n = w->cfg->nlookups;
    s->streams = af_calloc(s->n, sizeof *s->streams);
    int rc = AF_OK;
    for (size_t i = 0; i < s->n; i++)
        if (lookup_build_one(w, &s->streams[i], i, d) != AF_OK)
            rc = AF_EINPUT;
    return rc;
}

/* An arrival and a completion per request; Poisson arrivals, so the count is bounded by its
 * mean plus six standard deviations (sqrt of the mean; a trace's count is exact). */
static double lookup_events(const af_world *w, size_t i)
{
    af_arrivals_config a;
    lookup_arrivals(&w->cfg->lookups[i], &a);
    double n = af_arrivals_expected(&a, 0, w->cfg->duration_s);
    return 2 * (n + 6 * sqrt(n) + 1);
}

static void lookup_start(af_world *w)
{
    lookup_state *ls = lookup_of(w);
    for (size_t i = 0; i < ls->n; i++)
        if (ls->streams[i].queue)
            lookup_schedule(w->sim, &ls->streams[i]);
}

/* Lets each stream run at the device time the bulk flows and the mean load of the tier's other
 * latency-class users leave (see the opening comment), its look-ups waiting behind the writes
 * among the bulk flows on flash. */
static void lookup_load_changed(af_world *w)
{
    lookup_state *ls = lookup_of(w);
    for (size_t i = 0; i < ls->n; i++) {
        stream *s = &ls->streams[i];
        if (!s->queue)
            continue;
        if (s->flash)
            af_flash_blocking(&s->tier->cfg->system,
                              af_tier_write_share(w, (size_t)(s->tier - w->tiers)), &s->blk);
        double others = s->tier->latency_load - s->load;
        double sp =
            1 - (af_flownet_resource_load(w->net, s->tier->dev) + others) / s->tier->devices;
        sp = sp < LOOKUP_MIN_SPEED ? 0 : sp > 1 ? 1 : sp;
        if (sp != af_queue_speed(s->queue))
            af_queue_set_speed(s->queue, sp);
        bool stalled = sp == 0;
        if (stalled != s->stalled) {
            af_time_ns now = af_sim_now(w->sim);
            if (s->stalled)
                s->stalled_ns += now - s->stalled_since_ns;
            s->stalled_since_ns = now;
            s->stalled = stalled;
        }
    }
}

static void lookup_finish(af_world *w, af_time_ns end_ns)
{
    lookup_state *ls = lookup_of(w);
    for (size_t i = 0; i < ls->n; i++) {
        stream *s = &ls->streams[i];
        if (!s->queue)
            continue;
        if (s->stalled) {
            s->stalled_ns += end_ns - s->stalled_since_ns;
            s->stalled_since_ns = end_ns;
        }
        af_queue_stats st;
        af_queue_get_stats(s->queue, &st);
        w->requests_served += (double)st.completed;
        s->tier->lookup_dev_s += st.work_s;
        s->tier->lookup_read_B += (double)st.completed * s->cfg->size_B;
    }
}

/* Time series: per stream, requests completed per second, their mean latency and the mean
 * number in system over the window; the device time they used goes to their tier's window
 * (world.c, "Sampling"). */
static void lookup_sample(af_world *w, af_results *r, double dt)
{
    lookup_state *ls = lookup_of(w);
    for (size_t i = 0; i < ls->n; i++) {
        stream *s = &ls->streams[i];
        if (!s->queue)
            continue;
        af_queue_stats st;
        af_queue_get_stats(s->queue, &st);
        double done = (double)st.completed - s->snap_completed;
        double soj = st.sojourn_sum_s - s->snap_sojourn_s;
        const char *nm = s->cfg->name;
        af_world_series(w, r, "lookup", nm, "rate", AF_DIM_RATE, "requests per second", done / dt);
        af_world_series(w, r, "lookup", nm, "latency_mean", AF_DIM_TIME, "mean latency",
                        done > 0 ? soj / done + s->extra_s : 0);
        af_world_series(w, r, "lookup", nm, "in_system", AF_DIM_NUMBER, "requests in system",
                        (st.area_system_s - s->snap_area_s) / dt);
        /* Percentiles of the window's requests (0 when none completed in it; merged windows
         * average them, see base/results.h). */
        if (!s->hist_base)
            s->hist_base = af_calloc(af_queue_hist_size(), sizeof *s->hist_base);
        static const double pq[2] = {0.5, 0.99};
        static const char *const pleaf[2] = {"latency_p50", "latency_p99"};
        static const char *const plabel[2] = {"p50 latency", "p99 latency"};
        for (int k = 0; k < 2; k++) {
            double v = af_queue_quantile_since_s(s->queue, AF_QUEUE_SOJOURN, pq[k], s->hist_base);
            af_world_series(w, r, "lookup", nm, pleaf[k], AF_DIM_TIME, plabel[k],
                            isnan(v) ? 0 : v + s->extra_s);
        }
        af_queue_hist_copy(s->queue, AF_QUEUE_SOJOURN, s->hist_base);
        w->win_lookup_dev_s[s->tier - w->tiers] += st.work_s - s->snap_work_s;
        s->snap_completed = (double)st.completed;
        s->snap_sojourn_s = st.sojourn_sum_s;
        s->snap_area_s = st.area_system_s;
        s->snap_work_s = st.work_s;
    }
}

static void lookup_report(const af_world *w, af_results *r)
{
    lookup_state *ls = lookup_of(w);
    double T = w->cfg->duration_s;
    for (size_t i = 0; i < ls->n; i++) {
        const stream *s = &ls->streams[i];
        const char *nm = s->cfg->name;
        af_queue_stats st;
        af_queue_get_stats(s->queue, &st);
        af_results_put(r, AF_M_LOOKUP_REQUESTS, nm, (double)st.completed);
        af_results_put(r, AF_M_LOOKUP_RATE, nm, (double)st.completed / T);
        if (st.completed) {
            af_results_put(r, AF_M_LOOKUP_MEAN, nm,
                           st.sojourn_sum_s / (double)st.completed + s->extra_s);
            static const struct {
                double p;
                af_metric_id id;
            } q[] = {{0.5, AF_M_LOOKUP_P50}, {0.99, AF_M_LOOKUP_P99}, {0.999, AF_M_LOOKUP_P999}};
            for (size_t k = 0; k < sizeof q / sizeof q[0]; k++)
                af_results_put(r, q[k].id, nm,
                               af_queue_quantile_s(s->queue, AF_QUEUE_SOJOURN, q[k].p) +
                                   s->extra_s);
        }
        if (s->cfg->slo_s > 0)
            af_results_put(r, AF_M_LOOKUP_SLO, nm, s->cfg->slo_s);
        af_results_put(r, AF_M_LOOKUP_IN_FLIGHT, nm, (double)st.in_system);
        if (s->stalled_ns > 0)
            af_results_put(r, AF_M_LOOKUP_UNSERVED, nm, af_time_to_s(s->stalled_ns) / T);
        if (s->blocked > 0)
            af_results_put(r, AF_M_LOOKUP_BLOCKED, nm, (double)s->blocked / (double)s->submitted);
        af_results_put(r, AF_M_LOOKUP_DROPPED, nm, (double)s->dropped);
    }
}

static void lookup_free(af_world *w)
{
    lookup_state *ls = lookup_of(w);
    if (!ls)
        return;
    for (size_t i = 0; i < ls->n; i++) {
        af_queue_free(ls->streams[i].queue);
        af_rng_free(ls->streams[i].rng);
        af_rng_free(ls->streams[i].rng_wait);
        af_free(ls->streams[i].hist_base);
    }
    af_free(ls->streams);
    af_free(ls);
    w->kind[AF_WL_LOOKUP] = NULL;
}

const af_wl_kind af_wl_lookup = {
    .name = "lookup",
    .count = lookup_count,
    .instance = lookup_instance,
    .build = lookup_build,
    .events = lookup_events,
    .start = lookup_start,
    .load_changed = lookup_load_changed,
    .finish = lookup_finish,
    .report = lookup_report,
    .sample = lookup_sample,
    .free = lookup_free,
};
