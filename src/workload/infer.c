/*
 * infer: the model-serving kind of the world (af_infer_config): requests arrive, read their
 * features from a storage tier, wait to be batched, and are served on replicas of a model on the
 * pool's GPUs. Its questions: does the p99 hold, what holds the tail back (storage, GPU queueing,
 * batching), and does it still hold while checkpoints burst onto the same tier.
 *
 * A request's life:
 *   1. arrival (workload/arrivals.h: Poisson, a daily profile, bursts or a trace). Admission
 *      control: with queue_limit requests already admitted and not served, it is rejected.
 *   2. feature reads: `feature_reads` random reads of feature_B bytes on the feature tier,
 *      through the tier's read bank (workload/readbank.h): each read goes to one device, devices
 *      serve first come first served at the device time the bulk flows leave, and a read may
 *      wait behind a flash program or erase (af_read_blocking). The bank computes the reads'
 *      completions directly, so this costs about one event per request, not one per read.
 *      A tier has one bank, shared by every service that reads features from it (infer_bank):
 *      their reads queue at the same devices, each request at its own service's demand and
 *      extra latency, so two services at half the tier each wait as one at the whole tier would.
 *      The bank draws where reads land from a stream named after the tier
 *      ("inference.tier.<tier>.reads") and their waits behind writes from another
 *      ("inference.tier.<tier>.waits").
 *   3. batching (dynamic batching as model servers do it): requests wait in one FIFO queue; a
 *      free replica takes up to max_batch of them as soon as max_batch are waiting or the oldest
 *      has waited max_wait_s. With every replica busy, requests wait for one (GPU queueing).
 *   4. service: the batch takes service_s + per_request_s x size on its replica (fixed, or
 *      exponential with that mean), then every request of it is done.
 *
 * Latency is arrival to done. It is split into reads (2), GPU queueing (the time in 3 during
 * which every replica was busy: the integral of "all busy" between entering and leaving the
 * queue), batch wait (the rest of 3) and service (4). Latencies go into a log-spaced GSL
 * histogram (100 bins per decade from 1 us to 10^4 s, so a quantile is read to within 2.3%, the
 * width of a bin, interpolated inside it); the four parts are summed per bin as well, so the
 * report can say what the slowest 1% of requests spent their time on ("the tail's cause").
 * Requests that arrive while the feature tier is being written (a checkpoint, a burst) are
 * counted in a second histogram, so the summary gives the p99 with and without the writes.
 *
 * Look-ups on the same tier (workload/lookup.c) queue at its devices too, in a queue of their
 * own. The two see each other through their mean load only: the bank runs at speed
 * 1 - (bulk device load + the look-ups' mean load, rate x demand) / devices, and the look-ups at
 * 1 - (bulk device load + the feature reads' mean load, mean arrival rate x reads x demand) /
 * devices (af_tier_state.latency_load, less the user's own), clamped to [0, 1]. That is an
 * approximation: the mean device time each class takes from the other is right, the queueing
 * their bursts cause each other is left out (a clump of feature reads does not hold up the
 * look-ups queued at that moment, only their mean rate does). The tier's check (infer_check_tier)
 * refuses a combined load at or above the devices: the feature reads of every service on the
 * tier without a queue limit, at their peak rates, plus the look-ups at their mean rate.
 *
 * Validation (tests/validation/test_infer.c): with no features, max_batch 1 and Poisson arrivals
 * the replicas are an M/M/c queue (exponential service) or M/D/1 (one replica, fixed service),
 * and the mean waits match Erlang C and Pollaczek-Khinchine; two services' reads on one tier are
 * M/D/1 per device at their combined rate, and a service beside look-ups meets the combined-load
 * formula.
 */
#include "base/alloc.h"
#include "base/metrics.h"
#include "engine/rng.h"
#include "workload/infer_int.h"

#include <gsl/gsl_histogram.h>
#include <gsl/gsl_randist.h>
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static infer_state *infer_of(const af_world *w)
{
    return w->kind[AF_WL_INFER];
}

/* ---- latency histograms ---------------------------------------------------------------------- */

void infer_hist_init(lat_hist *lh)
{
    lh->h = gsl_histogram_alloc(HIST_BINS);
    double *r = af_calloc(HIST_BINS + 1, sizeof *r);
    for (size_t i = 0; i <= HIST_BINS; i++)
        r[i] = HIST_LO_S * pow(10, (double)i / HIST_PER_DECADE);
    gsl_histogram_set_ranges(lh->h, r, HIST_BINS + 1);
    af_free(r);
    lh->parts = af_calloc(HIST_BINS * PART__COUNT, sizeof *lh->parts);
    lh->base = af_calloc(HIST_BINS, sizeof *lh->base);
}

void infer_hist_free(lat_hist *lh)
{
    if (lh->h)
        gsl_histogram_free(lh->h);
    af_free(lh->parts);
    af_free(lh->base);
}

/* Bin of latency x (clamped to the histogram's range): computed from log10 (the bins are equal
 * in log scale) and corrected by a step against the bin's edges, which rounding may cross. */
static size_t infer_hist_bin(const lat_hist *lh, double x)
{
    if (!(x > HIST_LO_S))
        return 0;
    double f = log10(x / HIST_LO_S) * HIST_PER_DECADE;
    if (!(f < HIST_BINS))
        return HIST_BINS - 1;
    size_t i = (size_t)f;
    const double *r = lh->h->range;
    if (i > 0 && x < r[i])
        i--;
    else if (i + 1 < HIST_BINS && x >= r[i + 1])
        i++;
    return i;
}

void infer_hist_add(lat_hist *lh, double x, const double *part)
{
    size_t i = infer_hist_bin(lh, x);
    lh->h->bin[i] += 1;
    for (int k = 0; k < PART__COUNT; k++)
        lh->parts[i * PART__COUNT + k] += part[k];
}

/* The p-quantile of the latencies counted in bins (minus base, when given): the bin where the
 * cumulative count reaches p x total, interpolated geometrically inside it; NaN when empty. */
double infer_hist_quantile(const lat_hist *lh, double p, const double *base)
{
    double total = 0;
    for (size_t i = 0; i < HIST_BINS; i++)
        total += lh->h->bin[i] - (base ? base[i] : 0);
    if (!(total > 0))
        return NAN;
    double want = p * total, cum = 0;
    for (size_t i = 0; i < HIST_BINS; i++) {
        double c = lh->h->bin[i] - (base ? base[i] : 0);
        if (c > 0 && cum + c >= want) {
            double f = (want - cum) / c;
            f = f < 0 ? 0 : f > 1 ? 1 : f;
            return lh->h->range[i] * pow(lh->h->range[i + 1] / lh->h->range[i], f);
        }
        cum += c;
    }
    return lh->h->range[HIST_BINS];
}

/* The parts of the latency of the requests at or above the p-quantile's bin, as shares of
 * their total (out[PART__COUNT]); false when there are none. */
bool infer_hist_tail_parts(const lat_hist *lh, double p, double *out)
{
    double q = infer_hist_quantile(lh, p, NULL);
    if (isnan(q))
        return false;
    size_t from = infer_hist_bin(lh, q);
    double sum[PART__COUNT] = {0}, total = 0;
    for (size_t i = from; i < HIST_BINS; i++)
        for (int k = 0; k < PART__COUNT; k++) {
            sum[k] += lh->parts[i * PART__COUNT + k];
            total += lh->parts[i * PART__COUNT + k];
        }
    if (!(total > 0))
        return false;
    for (int k = 0; k < PART__COUNT; k++)
        out[k] = sum[k] / total;
    return true;
}

/* ---- requests ------------------------------------------------------------------------------- */

uint32_t infer_req_alloc(svc *s)
{
    if (s->free_req == NO_REQ) {
        uint32_t old = s->cap_reqs, cap = old ? old * 2 : 1024;
        if (cap > s->limit)
            cap = s->limit;
        s->reqs = af_realloc_array(s->reqs, cap, sizeof *s->reqs);
        for (uint32_t i = old; i < cap; i++)
            s->reqs[i].next = i + 1 < cap ? i + 1 : NO_REQ;
        s->free_req = old;
        s->cap_reqs = cap;
    }
    uint32_t i = s->free_req;
    s->free_req = s->reqs[i].next;
    s->in_system++;
    return i;
}

void infer_req_release(svc *s, uint32_t i)
{
    s->reqs[i].next = s->free_req;
    s->free_req = i;
    s->in_system--;
}

/* "Every replica busy" integral up to now, s. */
static double all_busy_now(const svc *s, af_time_ns now)
{
    return s->all_busy_s + (s->busy == s->replicas ? af_time_to_s(now - s->all_busy_since) : 0);
}

/* Replica-seconds busy up to `now`: the batches dispatched, less what the running ones have
 * still to go. */
static double busy_until(const svc *s, af_time_ns now)
{
    if (s->llm)
        return infer_llm_busy_s(s, now);
    double busy = s->busy_rep_s;
    for (uint32_t k = 0; k < s->replicas; k++)
        if (s->rep_n[k] && s->rep_end_ns[k] > now)
            busy -= af_time_to_s(s->rep_end_ns[k] - now);
    return busy;
}

/* ---- batching and service -------------------------------------------------------------------- */

static void svc_try_dispatch(svc *s);

/* Takes n requests from the queue's head onto a free replica and starts their batch. */
static void svc_dispatch(svc *s, uint32_t n)
{
    af_sim *sim = s->world->sim;
    af_time_ns now = af_sim_now(sim);
    uint32_t rep = s->free_rep[--s->nfree];
    uint32_t mb = s->cfg->max_batch;
    double ab = all_busy_now(s, now);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = s->ring[s->ring_head];
        s->ring_head = s->ring_head + 1 == s->ring_cap ? 0 : s->ring_head + 1;
        req *r = &s->reqs[i];
        double waited = af_time_to_s(now - r->enq_ns);
        double gq = ab - r->all_busy_enq;
        gq = gq < 0 ? 0 : gq > waited ? waited : gq;
        r->part[PART_GPU_QUEUE] = gq;
        r->part[PART_BATCH_WAIT] = waited - gq;
        s->rep_batch[(size_t)rep * mb + k] = i;
    }
    s->ring_len -= n;
    s->rep_n[rep] = n;
    double mean = s->cfg->service_s + s->cfg->per_request_s * n;
    double t = s->cfg->service_dist == AF_SERVICE_EXPONENTIAL && mean > 0
                   ? gsl_ran_exponential(s->rng_serve, mean)
                   : mean;
    af_time_ns end = af_time_add(now, af_time_from_s(t));
    s->rep_end_ns[rep] = end;
    s->busy_rep_s += af_time_to_s(end - now);
    if (++s->busy == s->replicas)
        s->all_busy_since = now;
    af_sim_timer_set(sim, s->rep_timer[rep], end);
}

static void svc_batch_due(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    svc_try_dispatch(ctx);
}

/* Starts batches while a replica is free and a batch is due: max_batch requests waiting, or
 * the oldest has waited max_wait; otherwise arms the batch timer for when the oldest's wait
 * runs out. */
static void svc_try_dispatch(svc *s)
{
    af_sim *sim = s->world->sim;
    af_time_ns now = af_sim_now(sim);
    while (s->nfree > 0 && s->ring_len > 0) {
        uint32_t mb = s->cfg->max_batch;
        if (s->ring_len >= mb) {
            svc_dispatch(s, mb);
            continue;
        }
        af_time_ns due = af_time_add(s->reqs[s->ring[s->ring_head]].enq_ns, s->max_wait_ns);
        if (due <= now) {
            svc_dispatch(s, s->ring_len);
            continue;
        }
        af_sim_timer_set(sim, s->batch_timer, due);
        return;
    }
    af_sim_timer_clear(sim, s->batch_timer);
}

/* A request's features are read (or it has none): it joins the batching queue. */
static void svc_enqueue(svc *s, uint32_t i)
{
    af_time_ns now = af_sim_now(s->world->sim);
    req *r = &s->reqs[i];
    r->enq_ns = now;
    r->all_busy_enq = all_busy_now(s, now);
    uint32_t at = s->ring_head + s->ring_len;
    s->ring[at >= s->ring_cap ? at - s->ring_cap : at] = i;
    s->ring_len++;
    svc_try_dispatch(s);
}

static void svc_features_done(af_sim *sim, void *ctx, uint64_t arg, const af_readbank_done *done)
{
    svc *s = ctx;
    req *r = &s->reqs[arg];
    r->part[PART_READS] = af_time_to_s(af_sim_now(sim) - r->arrive_ns);
    (void)done;
    svc_enqueue(s, (uint32_t)arg);
}

void infer_served(svc *s, uint32_t i)
{
    req *r = &s->reqs[i];
    double lat = af_time_to_s(af_sim_now(s->world->sim) - r->arrive_ns);
    s->served++;
    s->latency_sum_s += lat;
    for (int p = 0; p < PART__COUNT; p++)
        s->part_sum[p] += r->part[p];
    if (!s->llm && s->cfg->slo_s > 0 && lat <= s->cfg->slo_s)
        s->slo_met++;
    infer_hist_add(r->writes ? &s->during_writes : &s->all, lat, r->part);
    infer_req_release(s, i);
}

/* Replica `arg`'s batch is done: every request of it is served. */
static void svc_batch_done(af_sim *sim, void *ctx, uint64_t arg)
{
    svc *s = ctx;
    uint32_t rep = (uint32_t)arg;
    af_time_ns now = af_sim_now(sim);
    uint32_t n = s->rep_n[rep];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = s->rep_batch[(size_t)rep * s->cfg->max_batch + k];
        req *r = &s->reqs[i];
        double lat = af_time_to_s(now - r->arrive_ns);
        r->part[PART_SERVICE] =
            lat - r->part[PART_READS] - r->part[PART_GPU_QUEUE] - r->part[PART_BATCH_WAIT];
        if (r->part[PART_SERVICE] < 0)
            r->part[PART_SERVICE] = 0;
        infer_served(s, i);
    }
    s->rep_n[rep] = 0;
    s->batches++; /* counted when done, as served is: batch_mean = served / batches */
    if (s->busy-- == s->replicas)
        s->all_busy_s += af_time_to_s(now - s->all_busy_since);
    s->free_rep[s->nfree++] = rep;
    svc_try_dispatch(s);
}

/* ---- arrivals ------------------------------------------------------------------------------- */

/* Feature reads of a request of service c with trace size `size` (0: none given): the bytes of
 * features a trace's size names, in reads of feature_B, or feature_reads; 1 to 100,000. */
static uint32_t svc_reads_of(const af_infer_config *c, double size)
{
    double n = size > 0 ? ceil(size / c->feature_B) : c->feature_reads;
    return n < 1 ? 1 : n > 1e5 ? 100000 : (uint32_t)n;
}

/* Service c's feature reads per second, mean over a run of T s: its mean arrival rate x
 * feature_reads, or, with a trace that gives sizes, the reads of the entries within the run. */
static double svc_mean_reads_per_s(const af_infer_config *c, double T)
{
    const af_arrivals_config *a = &c->arrivals;
    if (!(T > 0))
        return 0;
    if (a->trace_s && a->trace_size) {
        double n = 0;
        for (size_t k = 0; k < a->trace_n && a->trace_s[k] < T; k++)
            n += svc_reads_of(c, a->trace_size[k]);
        return n / T;
    }
    return af_arrivals_expected(a, 0, T) / T * svc_reads_of(c, 0);
}

static void svc_schedule(svc *s)
{
    double t = af_arrivals_next(&s->arr, s->rng, &s->next_size);
    af_time_ns ns = af_time_from_s(t);
    if (!(t < INFINITY) || ns >= s->world->end_ns)
        return;
    af_time_ns now = af_sim_now(s->world->sim);
    af_sim_timer_set(s->world->sim, s->arrive_timer, ns > now ? ns : now);
}

static void svc_arrive(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    svc *s = ctx;
    double size = s->next_size; /* a trace's size for this arrival, 0 when none */
    if (s->llm) {
        infer_llm_arrive(s, size);
        svc_schedule(s);
        return;
    }
    s->arrived++;
    if (s->in_system >= s->limit) {
        s->rejected++;
    } else {
        uint32_t i = infer_req_alloc(s);
        req *r = &s->reqs[i];
        memset(r->part, 0, sizeof r->part);
        r->arrive_ns = af_sim_now(sim);
        r->writes = s->tier_writing;
        if (s->bank) {
            /* a trace's size is the bytes of features the request reads */
            uint32_t n = svc_reads_of(s->cfg, size);
            s->reads += n;
            af_readbank_submit_demand(s->bank, n, s->read_demand_s, s->read_extra_s,
                                      svc_features_done, s, i);
        } else
            svc_enqueue(s, i);
    }
    svc_schedule(s);
}

/* ---- the kind's operations ------------------------------------------------------------------ */

static size_t infer_count(const af_world_config *cfg)
{
    return cfg->ninfers;
}

static const char *infer_instance(const af_world_config *cfg, size_t i)
{
    return cfg->infers[i].name;
}

static int infer_build_one(af_world *w, svc *s, size_t i, af_diag *d)
{
    const af_infer_config *c = &w->cfg->infers[i];
    const af_pool_config *pc = &w->cfg->pools[c->pool];
    double gpus = (double)pc->nodes * pc->node.gpus;
    if ((double)c->replicas * (double)c->gpus_per_replica > gpus) {
        af_diag_error(d,
                      "inference \"%s\": %lld replicas of %lld GPUs need %.0f GPUs, and pool "
                      "\"%s\" has %.0f",
                      c->name, (long long)c->replicas, (long long)c->gpus_per_replica,
                      (double)c->replicas * (double)c->gpus_per_replica, pc->name, gpus);
        return AF_EINPUT;
    }
    if (!c->llm.on && (double)c->replicas * c->max_batch > 64e6) {
        af_diag_error(d,
                      "inference \"%s\": %lld replicas with batches of %u requests are more than "
                      "this version keeps in service at once (64 million)",
                      c->name, (long long)c->replicas, c->max_batch);
        return AF_EINPUT;
    }
    s->cfg = c;
    s->world = w;
    char name[160];
    snprintf(name, sizeof name, "inference.%s", c->name);
    s->rng = af_rng_new(w->cfg->seed, name);
    /* Separate streams for what arrives (s->rng), what each request asks (rng_serve: service
     * times, tokens, turns, think times) and, the tier's, where its reads land (infer_bank), so
     * that a change to the tier or the replicas leaves the arrivals and the requests as they
     * were (common random numbers for `aifsim compare`). */
    snprintf(name, sizeof name, "inference.%s.requests", c->name);
    s->rng_serve = af_rng_new(w->cfg->seed, name);
    af_arrivals_init(&s->arr, &c->arrivals, w->cfg->duration_s);
    s->limit = c->queue_limit > 0 && c->queue_limit < INFER_MAX_IN_SYSTEM ? c->queue_limit
                                                                          : INFER_MAX_IN_SYSTEM;
    s->free_req = NO_REQ;
    s->replicas = (uint32_t)c->replicas;
    s->arrive_timer = af_sim_timer_new(w->sim, svc_arrive, s, 0);
    infer_hist_init(&s->all);
    infer_hist_init(&s->during_writes);
    if (c->llm.on)
        return infer_llm_build(w, s, d);
    s->ring_cap = s->limit;
    s->ring = af_calloc(s->ring_cap, sizeof *s->ring);
    s->free_rep = af_calloc(s->replicas, sizeof *s->free_rep);
    for (uint32_t r = 0; r < s->replicas; r++)
        s->free_rep[r] = s->replicas - 1 - r; /* replica 0 is taken first */
    s->nfree = s->replicas;
    s->rep_batch = af_calloc((size_t)s->replicas * c->max_batch, sizeof *s->rep_batch);
    s->rep_n = af_calloc(s->replicas, sizeof *s->rep_n);
    s->rep_end_ns = af_calloc(s->replicas, sizeof *s->rep_end_ns);
    s->rep_timer = af_calloc(s->replicas, sizeof *s->rep_timer);
    for (uint32_t r = 0; r < s->replicas; r++)
        s->rep_timer[r] = af_sim_timer_new(w->sim, svc_batch_done, s, r);
    s->batch_timer = af_sim_timer_new(w->sim, svc_batch_due, s, 0);
    s->max_wait_ns = af_time_from_s(c->max_wait_s);
    if (c->feature_tier != AF_WORLD_NONE && c->feature_reads > 0) {
        af_tier_state *ts = &w->tiers[c->feature_tier];
        const af_storage_spec *sp = &ts->cfg->system;
        if (ts->devices > 1e6 || ts->devices < 1) {
            af_diag_error(d,
                          "inference \"%s\": tier \"%s\" has %.0f devices; this version reads "
                          "features from 1 to a million devices",
                          c->name, ts->cfg->name, ts->devices);
            return AF_EINPUT;
        }
        double extra = sp->device_latency_s - 1 / sp->device_read_iops;
        s->read_demand_s = af_storage_read_cost_s(sp, c->feature_B);
        s->read_extra_s = extra > 0 ? extra : 0;
        s->read_load = svc_mean_reads_per_s(c, w->cfg->duration_s) * s->read_demand_s;
        s->tier = ts; /* its bank comes once every service is built (infer_build) */
    }
    return AF_OK;
}

/* The tier's check: the feature reads of the services on tier t that would queue without bound
 * (no queue_limit to shed their excess; a trace, which has no peak rate, is left out as well),
 * at their peak rates, plus the tier's look-ups at their mean rate (its latency_load before any
 * service adds to it: the look-ups build first), must need fewer devices than the tier has busy
 * all the time. One service alone gets the message it always had. */
static int infer_check_tier(af_world *w, size_t t, af_diag *d)
{
    const infer_state *st = infer_of(w);
    const af_tier_state *ts = &w->tiers[t];
    double total = ts->latency_load, reads_per_s = 0;
    size_t counted = 0, last = 0, lookups = 0;
    for (size_t i = 0; i < st->n; i++) {
        const svc *s = &st->svcs[i];
        if (s->tier != ts || s->cfg->queue_limit > 0 || s->cfg->arrivals.trace_s)
            continue;
        double rate = af_arrivals_peak_rate(&s->cfg->arrivals) * s->cfg->feature_reads;
        reads_per_s += rate;
        total += rate * s->read_demand_s;
        counted++;
        last = i;
    }
    for (size_t j = 0; j < w->cfg->nlookups; j++)
        lookups += w->cfg->lookups[j].tier == t;
    if (counted == 0 || total < ts->devices)
        return AF_OK;
    if (counted == 1 && lookups == 0) {
        const svc *s = &st->svcs[last];
        af_diag_error(d,
                      "inference \"%s\": %.4g reads/s at the peak rate of %.4g device-seconds "
                      "each need %.4g devices busy all the time, and tier \"%s\" has %.0f; "
                      "the reads would queue without bound (lower the rate, add nodes, or set "
                      "queue_limit to reject the excess)",
                      s->cfg->name, reads_per_s, s->read_demand_s, total, ts->cfg->name,
                      ts->devices);
        return AF_EINPUT;
    }
    /* Who needs how many devices, in the scenario's order: inference "a" (60.24 devices at its
     * peak rate), inference "b" (60.24) and look-ups "c" (1.2 at their mean rate). A name too
     * long for the buffer is cut, never overrun. */
    char who[768];
    size_t at = 0, k = 0, parts = counted + lookups;
#define WHO(...)                                                                                   \
    do {                                                                                           \
        if (at < sizeof who) {                                                                     \
            int m = snprintf(who + at, sizeof who - at, __VA_ARGS__);                              \
            at += m > 0 ? (size_t)m : 0;                                                           \
        }                                                                                          \
    } while (0)
    for (size_t i = 0; i < st->n; i++) {
        const svc *s = &st->svcs[i];
        if (s->tier != ts || s->cfg->queue_limit > 0 || s->cfg->arrivals.trace_s)
            continue;
        double load =
            af_arrivals_peak_rate(&s->cfg->arrivals) * s->cfg->feature_reads * s->read_demand_s;
        const char *sep = k == 0 ? "" : k + 1 == parts ? " and " : ", ";
        WHO("%sinference \"%s\" (%.4g%s)", sep, s->cfg->name, load,
            k == 0 ? " devices at its peak rate" : "");
        k++;
    }
    for (size_t j = 0, seen = 0; j < w->cfg->nlookups; j++) {
        if (w->cfg->lookups[j].tier != t)
            continue;
        WHO("%slook-ups \"%s\"", k + 1 == parts ? " and " : ", ", w->cfg->lookups[j].name);
        if (++seen == lookups) /* one stream per tier (lookup.c): their load is the tier's */
            WHO(" (%.4g at their mean rate)", ts->latency_load);
        k++;
    }
#undef WHO
    af_diag_error(d,
                  "tier \"%s\": the feature reads of %s need %.4g devices busy all the time, and "
                  "the tier has %.0f; they would queue without bound (lower the rates, add nodes, "
                  "or set queue_limit to reject a service's excess)",
                  ts->cfg->name, who, total, ts->devices);
    return AF_EINPUT;
}

static int infer_build(af_world *w, af_diag *d)
{
    infer_state *st = af_calloc(1, sizeof *st);
    w->kind[AF_WL_INFER] = st;
    st->n = w->cfg->ninfers;
    st->svcs = af_calloc(st->n ? st->n : 1, sizeof *st->svcs);
    st->nbanks = w->cfg->ntiers;
    st->banks = af_calloc(st->nbanks ? st->nbanks : 1, sizeof *st->banks);
    int rc = AF_OK;
    for (size_t i = 0; i < st->n; i++)
        if (infer_build_one(w, &st->svcs[i], i, d) != AF_OK)
            rc = AF_EINPUT;
    for (size_t t = 0; t < st->nbanks; t++)
        if (infer_check_tier(w, t, d) != AF_OK)
            rc = AF_EINPUT;
    if (rc != AF_OK)
        return rc;
    /* One bank per tier that services read features from, made when its first service comes;
     * demand and extra latency are each request's (af_readbank_submit_demand). */
    for (size_t i = 0; i < st->n; i++) {
        svc *s = &st->svcs[i];
        if (!s->tier)
            continue;
        infer_bank *fb = &st->banks[s->tier - w->tiers];
        if (!fb->bank) {
            char name[160];
            snprintf(name, sizeof name, "inference.tier.%s.reads", s->tier->cfg->name);
            fb->rng = af_rng_new(w->cfg->seed, name);
            snprintf(name, sizeof name, "inference.tier.%s.waits", s->tier->cfg->name);
            fb->rng_wait = af_rng_new(w->cfg->seed, name);
            fb->bank = af_readbank_new(w->sim, fb->rng, fb->rng_wait, (uint32_t)s->tier->devices,
                                       s->read_demand_s, s->read_extra_s);
        }
        s->bank = fb->bank;
        fb->load += s->read_load;
        s->tier->latency_load += s->read_load;
    }
    return AF_OK;
}

/* Per request at most: its arrival, its reads' completion, a batch timer and its batch's end;
 * arrivals bounded by their mean plus six standard deviations. */
static double infer_events(const af_world *w, size_t i)
{
    const af_infer_config *c = &w->cfg->infers[i];
    const svc *s = &infer_of(w)->svcs[i];
    if (s->llm)
        return infer_llm_events(w, s);
    double n = af_arrivals_expected(&c->arrivals, 0, w->cfg->duration_s);
    n = n + 6 * sqrt(n) + 1;
    /* a batch holds a replica for at least service_s + per_request_s */
    double least = c->service_s + c->per_request_s;
    double batches =
        least > 0 ? fmin(n, s->replicas * w->cfg->duration_s / least + s->replicas) : n;
    return n * (s->bank ? 2 : 1) + 2 * batches;
}

static void infer_start(af_world *w)
{
    infer_state *st = infer_of(w);
    for (size_t i = 0; i < st->n; i++) {
        if (st->svcs[i].llm)
            infer_llm_start(&st->svcs[i]);
        svc_schedule(&st->svcs[i]);
    }
}

/* The feature reads of a tier run at the device time the bulk flows and the mean load of the
 * tier's look-ups leave (see the opening comment), and wait behind its writes. */
static void infer_load_changed(af_world *w)
{
    infer_state *st = infer_of(w);
    for (size_t t = 0; t < st->nbanks; t++) {
        infer_bank *fb = &st->banks[t];
        if (!fb->bank)
            continue;
        af_tier_state *ts = &w->tiers[t];
        double others = ts->latency_load - fb->load;
        double sp = 1 - (af_flownet_resource_load(w->net, ts->dev) + others) / ts->devices;
        sp = sp < 1e-12 ? 0 : sp > 1 ? 1 : sp;
        af_readbank_set_speed(fb->bank, sp);
        af_read_blocking blk;
        af_flash_blocking(&ts->cfg->system, af_tier_write_share(w, t), &blk);
        if (memcmp(&blk, &fb->blk, sizeof blk) != 0) {
            fb->blk = blk;
            af_readbank_set_blocking(fb->bank, &blk);
        }
    }
    for (size_t i = 0; i < st->n; i++)
        if (st->svcs[i].bank)
            st->svcs[i].tier_writing = st->svcs[i].tier->bulk_writes > 0;
}

static void infer_finish(af_world *w, af_time_ns end_ns)
{
    infer_state *st = infer_of(w);
    for (size_t i = 0; i < st->n; i++) {
        svc *s = &st->svcs[i];
        if (s->llm)
            infer_llm_finish(s, end_ns);
        s->busy_end_s = busy_until(s, end_ns);
        if (s->busy == s->replicas) {
            s->all_busy_s += af_time_to_s(end_ns - s->all_busy_since);
            s->all_busy_since = end_ns;
        }
        const af_infer_config *c = s->cfg;
        const af_pool_config *pc = &w->cfg->pools[c->pool];
        double gpus = (double)pc->nodes * pc->node.gpus;
        double T = af_time_to_s(end_ns);
        double gpu_s = s->busy_end_s * (double)c->gpus_per_replica;
        if (T > 0 && gpus > 0) {
            w->pool_util[c->pool] = gpu_s / (gpus * T);
            w->pool_busy[c->pool] = gpu_s / (gpus * T);
        }
        w->useful_gpu_s += gpu_s;
        w->requests_served += (double)s->served;
        if (s->bank) {
            s->tier->lookup_dev_s += (double)s->reads * s->read_demand_s;
            s->tier->lookup_read_B += (double)s->reads * c->feature_B;
        }
    }
}

static void put_quantiles(af_results *r, const char *nm, const lat_hist *h, const lat_hist *h2)
{
    /* the run's histogram: both halves */
    lat_hist sum = {0};
    gsl_histogram *g = gsl_histogram_clone(h->h);
    gsl_histogram_add(g, h2->h);
    sum.h = g;
    static const struct {
        double p;
        af_metric_id id;
    } q[] = {{0.5, AF_M_INFER_P50},
             {0.9, AF_M_INFER_P90},
             {0.99, AF_M_INFER_P99},
             {0.999, AF_M_INFER_P999}};
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
        double v = infer_hist_quantile(&sum, q[k].p, NULL);
        if (!isnan(v))
            af_results_put(r, q[k].id, nm, v);
    }
    gsl_histogram_free(g);
    double v = infer_hist_quantile(h, 0.99, NULL);
    if (!isnan(v))
        af_results_put(r, AF_M_INFER_P99_CALM, nm, v);
    v = infer_hist_quantile(h2, 0.99, NULL);
    if (!isnan(v))
        af_results_put(r, AF_M_INFER_P99_WRITES, nm, v);
}

static void infer_report(const af_world *w, af_results *r)
{
    infer_state *st = infer_of(w);
    double T = w->cfg->duration_s;
    for (size_t i = 0; i < st->n; i++) {
        const svc *s = &st->svcs[i];
        const af_infer_config *c = s->cfg;
        const char *nm = c->name;
        af_results_put(r, AF_M_INFER_ARRIVED, nm, (double)s->arrived);
        af_results_put(r, AF_M_INFER_SERVED, nm, (double)s->served);
        af_results_put(r, AF_M_INFER_REJECTED, nm, (double)s->rejected);
        af_results_put(r, AF_M_INFER_IN_FLIGHT, nm, (double)s->in_system);
        af_results_put(r, AF_M_INFER_THROUGHPUT, nm, (double)s->served / T);
        af_results_put(r, AF_M_INFER_REPLICAS, nm, (double)s->replicas);
        af_results_put(r, AF_M_INFER_REPLICA_UTIL, nm, s->busy_end_s / (s->replicas * T));
        if (s->batches)
            af_results_put(r, AF_M_INFER_BATCH_MEAN, nm, (double)s->served / (double)s->batches);
        if (s->served) {
            af_results_put(r, AF_M_INFER_MEAN, nm, s->latency_sum_s / (double)s->served);
            put_quantiles(r, nm, &s->all, &s->during_writes);
            static const af_metric_id part_mean[PART__COUNT] = {
                AF_M_INFER_READS_MEAN, AF_M_INFER_GPU_QUEUE_MEAN, AF_M_INFER_BATCH_WAIT_MEAN,
                AF_M_INFER_SERVICE_MEAN};
            for (int p = 0; p < PART__COUNT; p++)
                af_results_put(r, part_mean[p], nm, s->part_sum[p] / (double)s->served);
            /* the tail: the requests at or past the p99, both halves */
            lat_hist sum = {0};
            sum.h = gsl_histogram_clone(s->all.h);
            gsl_histogram_add(sum.h, s->during_writes.h);
            sum.parts = af_calloc(HIST_BINS * PART__COUNT, sizeof *sum.parts);
            for (size_t b = 0; b < HIST_BINS * PART__COUNT; b++)
                sum.parts[b] = s->all.parts[b] + s->during_writes.parts[b];
            double share[PART__COUNT];
            if (infer_hist_tail_parts(&sum, 0.99, share)) {
                static const af_metric_id tail[PART__COUNT] = {
                    AF_M_INFER_TAIL_READS, AF_M_INFER_TAIL_GPU_QUEUE, AF_M_INFER_TAIL_BATCH_WAIT,
                    AF_M_INFER_TAIL_SERVICE};
                for (int p = 0; p < PART__COUNT; p++)
                    af_results_put(r, tail[p], nm, share[p]);
            }
            gsl_histogram_free(sum.h);
            af_free(sum.parts);
        }
        if (s->llm)
            infer_llm_report(s, r);
        if (c->slo_s > 0 && !s->llm) {
            af_results_put(r, AF_M_INFER_SLO, nm, c->slo_s);
            af_results_put(r, AF_M_INFER_SLO_QUANTILE, nm, c->slo_quantile);
            if (s->served) {
                lat_hist sum = {0};
                sum.h = gsl_histogram_clone(s->all.h);
                gsl_histogram_add(sum.h, s->during_writes.h);
                af_results_put(r, AF_M_INFER_SLO_LATENCY, nm,
                               infer_hist_quantile(&sum, c->slo_quantile, NULL));
                gsl_histogram_free(sum.h);
            }
            if (s->served)
                af_results_put(r, AF_M_INFER_SLO_MET, nm, (double)s->slo_met / (double)s->served);
        }
        if (s->bank)
            af_results_put(r, AF_M_INFER_FEATURE_BYTES, nm, (double)s->reads * c->feature_B);
    }
}

/* Time series: per service, requests served per second, their p99 over the window, the share
 * of its replicas' time busy and the requests rejected per second. */
static void infer_sample(af_world *w, af_results *r, double dt)
{
    infer_state *st = infer_of(w);
    af_time_ns now = af_sim_now(w->sim);
    for (size_t i = 0; i < st->n; i++) {
        svc *s = &st->svcs[i];
        const char *nm = s->cfg->name;
        double busy = busy_until(s, now);
        af_world_series(w, r, "inference", nm, "throughput", AF_DIM_RATE,
                        "requests served per second", ((double)s->served - s->snap_served) / dt);
        af_world_series(w, r, "inference", nm, "rejected", AF_DIM_RATE,
                        "requests rejected per second",
                        ((double)s->rejected - s->snap_rejected) / dt);
        double util = (busy - s->snap_busy_s) / (s->replicas * dt);
        af_world_series(w, r, "inference", nm, "replica_utilization", AF_DIM_RATIO,
                        "replica utilization", util);
        /* the window's p99, both halves (all.base holds their sum at the last window's end) */
        lat_hist win = {0};
        win.h = gsl_histogram_clone(s->all.h);
        gsl_histogram_add(win.h, s->during_writes.h);
        double v = infer_hist_quantile(&win, 0.99, s->all.base);
        af_world_series(w, r, "inference", nm, "latency_p99", AF_DIM_TIME, "p99 latency",
                        isnan(v) ? 0 : v);
        for (size_t b = 0; b < HIST_BINS; b++)
            s->all.base[b] = win.h->bin[b];
        gsl_histogram_free(win.h);
        if (s->cfg->slo_s > 0) {
            double served = (double)s->served - s->snap_served;
            af_world_series(w, r, "inference", nm, "slo_attainment", AF_DIM_RATIO,
                            "requests within the objective",
                            served > 0 ? ((double)s->slo_met - s->snap_slo_met) / served : 1);
        }
        const af_pool_config *pc = &w->cfg->pools[s->cfg->pool];
        double gpus = (double)pc->nodes * pc->node.gpus;
        if (gpus > 0)
            w->win_pool_util[s->cfg->pool] += util * s->replicas * s->cfg->gpus_per_replica / gpus;
        s->snap_served = (double)s->served;
        s->snap_rejected = (double)s->rejected;
        s->snap_busy_s = busy;
        s->snap_slo_met = (double)s->slo_met;
    }
}

static void infer_free(af_world *w)
{
    infer_state *st = infer_of(w);
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++) {
        svc *s = &st->svcs[i];
        infer_llm_free(s);
        if (s->rng)
            af_rng_free(s->rng);
        if (s->rng_serve)
            af_rng_free(s->rng_serve);
        af_free(s->reqs);
        af_free(s->ring);
        af_free(s->free_rep);
        af_free(s->rep_batch);
        af_free(s->rep_n);
        af_free(s->rep_end_ns);
        af_free(s->rep_timer);
        infer_hist_free(&s->all);
        infer_hist_free(&s->during_writes);
    }
    for (size_t t = 0; t < st->nbanks; t++) {
        af_readbank_free(st->banks[t].bank);
        if (st->banks[t].rng)
            af_rng_free(st->banks[t].rng);
        if (st->banks[t].rng_wait)
            af_rng_free(st->banks[t].rng_wait);
    }
    af_free(st->banks);
    af_free(st->svcs);
    af_free(st);
    w->kind[AF_WL_INFER] = NULL;
}

double af_infer_served(const af_world *w, size_t i)
{
    const infer_state *st = infer_of(w);
    assert(i < st->n);
    return (double)st->svcs[i].served;
}

const af_wl_kind af_wl_infer = {
    .name = "inference",
    .count = infer_count,
    .instance = infer_instance,
    .build = infer_build,
    .events = infer_events,
    .start = infer_start,
    .load_changed = infer_load_changed,
    .finish = infer_finish,
    .report = infer_report,
    .sample = infer_sample,
    .free = infer_free,
};
