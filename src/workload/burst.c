/*
 * burst: the burst kind of the world, periodic bulk transfers between a pool (or outside
 * clients) and a tier: checkpoint writes, ingest bursts, model loads (af_burst_config).
 *
 * Every `every` seconds from `start` a burst moves `size` bytes between the pool's nodes
 * (k = nodes members) or outside clients (k = tier nodes) and the tier; a burst due while the
 * previous one still runs is skipped and counted, and none starts at or after the end of the run.
 * Writes take capacity when they start; what does not fit is reported as rejected. With
 * `keep` > 0 the last `keep` copies are kept and older ones freed, wherever they sit. A tier with
 * a drain copies every completed write to its target in the background (weight drain_weight),
 * one copy of a burst at a time, and frees it here.
 *
 * The QoS weights bound a burst's slowdown (qos.c): its duration alone (size over min_r C_r /
 * scale_r on its path) against its duration at the guaranteed rate.
 */
#include "base/alloc.h"
#include "base/metrics.h"
#include "base/trace.h"
#include "workload/world_int.h"

#include <math.h>
#include <string.h>

/* A copy written by a burst, numbered 1, 2, ... in the order written. */
typedef struct copy {
    uint64_t seq;   /* its number */
    double here_B;  /* bytes on the burst's tier */
    double there_B; /* bytes on the drain target */
} copy;

/* A copy waiting for its drain. */
typedef struct pending {
    uint64_t seq; /* the copy's number */
    double bytes; /* bytes to drain */
} pending;

typedef struct burst {
    const af_burst_config *cfg;
    af_world *world;
    uint32_t k; /* members: client nodes, or tier nodes for outside clients */
    af_path path;
    double dev_scale;
    bool running;
    af_time_ns started_ns;
    uint32_t trace_track; /* its timeline track when the run records one */
    uint64_t started, completed, skipped;
    uint64_t refused; /* burst times whose write did not fit at all (not started) */
    uint64_t fires; /* burst times scheduled so far after the first */
    double time_sum_s, time_max_s;
    double alone_sum_s; /* sum over completed bursts of their bytes / alone_Bps */
    double moved_B, rejected_B;
    double alone_Bps; /* aggregate rate with nothing else running */
    double floor_Bps; /* aggregate rate the QoS weights guarantee */
    /* Copies (writes): numbers [seq_oldest, seq_next) are kept; with keep > 0 copy n sits in
     * ring[n % ring_cap] and older ones are freed. */
    bool track;  /* copies are tracked (writes with keep > 0) */
    copy *ring;  /* grown as copies accumulate, up to keep + 1 */
    size_t ring_cap;
    uint64_t seq_next, seq_oldest;
    uint64_t cur_seq; /* the copy being written */
    /* Drain of this burst's writes: one copy at a time, the others wait in order. */
    af_path drain_path;
    double drain_read_scale, drain_write_scale;
    uint32_t drain_k; /* members of a drain flow (the tier's nodes); 0 = no drain */
    pending *dq;      /* waiting copies: dq[dq_head .. dq_head + dq_n) */
    size_t dq_head, dq_n, dq_cap;
    bool draining;
    uint64_t drain_seq;  /* the copy being drained */
    af_flow_id drain_id; /* its transfer */
    double drain_fit_B;  /* bytes it took on the target */
    uint64_t drains_started, drains_completed, drains_dropped;
} burst;

typedef struct burst_state {
    burst *bursts;
    size_t n;
} burst_state;

static burst_state *burst_of(const af_world *w)
{
    return w->kind[AF_WL_BURST];
}

static void burst_fire(af_sim *sim, void *ctx, uint64_t arg);

/* Schedules burst number `fires` of b at start + fires x every exactly, so that periods that are
 * not whole nanoseconds do not drift and none rounds to zero; none at or after the end. */
static void burst_schedule_at(burst *b, double fires)
{
    af_sim *sim = b->world->sim;
    double t_s = b->cfg->start_s + fires * b->cfg->every_s;
    af_time_ns at = af_time_from_s(t_s);
    if (at >= b->world->end_ns)
        return;
    if (at < af_sim_now(sim))
        at = af_sim_now(sim);
    af_sim_at(sim, at, burst_fire, b, 0);
}

/* The kept copy numbered seq, or NULL when it was freed (or copies are not tracked). */
static copy *burst_copy(burst *b, uint64_t seq)
{
    if (!b->track || seq < b->seq_oldest || seq >= b->seq_next)
        return NULL;
    return &b->ring[seq % b->ring_cap];
}

/* Records copy seq (the next number) of fit bytes, growing the ring when the kept copies fill
 * it: to twice its size, at most keep + 1, the live copies moved to their new slots. */
static void burst_ring_push(burst *b, uint64_t seq, double fit)
{
    if (seq - b->seq_oldest + 1 > b->ring_cap) {
        size_t cap = b->ring_cap ? 2 * b->ring_cap : 4;
        if (cap > (size_t)b->cfg->keep + 1)
            cap = (size_t)b->cfg->keep + 1;
        copy *ring = af_calloc(cap, sizeof *ring);
        for (uint64_t n = b->seq_oldest; n < seq; n++)
            ring[n % cap] = b->ring[n % b->ring_cap];
        af_free(b->ring);
        b->ring = ring;
        b->ring_cap = cap;
    }
    b->ring[seq % b->ring_cap] = (copy){.seq = seq, .here_B = fit};
}

static void burst_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
/* A burst still running at the end of the run: its timeline span runs to the end. */
static void burst_partial(af_world *w, void *owner, uint64_t arg, double bytes)
{
    (void)arg;
    (void)bytes;
    burst *b = owner;
    if (w->cfg->trace)
        af_trace_span(w->cfg->trace, b->trace_track, b->cfg->write ? "writing" : "reading",
                      b->started_ns, w->end_ns);
}
static const af_xfer_ops burst_ops = {burst_done, burst_partial, NULL};
static void drain_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
static const af_xfer_ops drain_ops = {drain_done, NULL, NULL};

static void burst_fire(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    burst *b = ctx;
    af_world *w = b->world;
    const af_burst_config *c = b->cfg;
    burst_schedule_at(b, (double)++b->fires);
    if (b->running) {
        b->skipped++;
        return;
    }
    double bytes = c->size_B;
    if (c->write) {
        af_tier_state *t = &w->tiers[c->tier];
        double fit = af_tier_take(t, bytes);
        b->rejected_B += bytes - fit;
        bytes = fit;
        if (bytes <= 0) {
            b->refused++;
            return;
        }
        b->cur_seq = b->seq_next++;
        if (b->track)
            burst_ring_push(b, b->cur_seq, fit);
    }
    b->started++;
    b->running = true;
    b->started_ns = af_sim_now(sim);
    af_world_bursts_toggle(w, +1);
    if (c->write)
        w->tiers[c->tier].bulk_writes++;
    af_devuse dev = {(uint32_t)c->tier, c->write, b->dev_scale};
    af_xfer_start(w, &b->path, bytes / b->k, af_weight(c->weight, 1), 0, b->k, &dev, 1,
                  &burst_ops, b, 0);
    af_world_load_changed(w);
}

static void drain_next(af_world *w, burst *b);

/* Frees the copies beyond `keep`, oldest first, on whichever tiers they sit. A copy freed while
 * it drains stops draining at once: what reached the target is freed too, and the next waiting
 * copy may start. */
static void burst_trim(burst *b)
{
    af_world *w = b->world;
    const af_burst_config *c = b->cfg;
    bool dropped = false;
    while (b->seq_next - b->seq_oldest > (uint64_t)c->keep) {
        copy *cp = burst_copy(b, b->seq_oldest);
        af_tier_release(&w->tiers[c->tier], cp->here_B);
        if (b->drain_k) {
            af_tier_state *dst = &w->tiers[w->cfg->tiers[c->tier].drain_to];
            af_tier_release(dst, cp->there_B);
            if (b->draining && b->drain_seq == b->seq_oldest) {
                af_xfer_cancel(w, b->drain_id);
                af_tier_release(dst, b->drain_fit_B);
                b->draining = false;
                b->drains_dropped++;
                dropped = true;
            }
        }
        b->seq_oldest++;
    }
    if (dropped)
        drain_next(w, b);
}

/* Starts draining the oldest waiting copy that is still kept and fits on the target, if no drain
 * of this burst runs. */
static void drain_next(af_world *w, burst *b)
{
    const af_tier_config *tc = &w->cfg->tiers[b->cfg->tier];
    while (!b->draining && b->dq_n > 0) {
        pending p = b->dq[b->dq_head++];
        b->dq_n--;
        if (b->track && !burst_copy(b, p.seq))
            continue; /* freed while it waited */
        double fit = af_tier_take(&w->tiers[tc->drain_to], p.bytes);
        if (fit <= 0)
            continue; /* the target is full: the copy stays where it is */
        b->draining = true;
        b->drain_seq = p.seq;
        b->drain_fit_B = fit;
        b->drains_started++;
        af_devuse dev[2] = {{(uint32_t)b->cfg->tier, false, b->drain_read_scale},
                            {(uint32_t)tc->drain_to, true, b->drain_write_scale}};
        b->drain_id = af_xfer_start(w, &b->drain_path, fit / b->drain_k,
                                    af_weight(tc->drain_weight, 0.25), 0, b->drain_k, dev, 2,
                                    &drain_ops, b, 0);
    }
}

/* Queues a written copy for its drain. */
static void drain_push(af_world *w, burst *b, uint64_t seq, double bytes)
{
    if (b->dq_head + b->dq_n == b->dq_cap) {
        if (b->dq_head > 0) {
            memmove(b->dq, b->dq + b->dq_head, b->dq_n * sizeof *b->dq);
            b->dq_head = 0;
        } else {
            b->dq = af_grow(b->dq, &b->dq_cap, b->dq_n + 1, sizeof *b->dq);
        }
    }
    b->dq[b->dq_head + b->dq_n++] = (pending){seq, bytes};
    drain_next(w, b);
}

static void burst_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)arg;
    (void)id;
    burst *b = owner;
    af_time_ns now = af_sim_now(w->sim);
    if (b->cfg->write)
        w->tiers[b->cfg->tier].bulk_writes--;
    double dt = af_time_to_s(now - b->started_ns);
    if (w->cfg->trace)
        af_trace_span(w->cfg->trace, b->trace_track, b->cfg->write ? "writing" : "reading",
                      b->started_ns, now);
    b->running = false;
    b->completed++;
    b->time_sum_s += dt;
    b->alone_sum_s += bytes / b->alone_Bps;
    if (dt > b->time_max_s)
        b->time_max_s = dt;
    b->moved_B += bytes;
    af_world_bursts_toggle(w, -1);
    if (!b->cfg->write)
        return;
    if (b->drain_k)
        drain_push(w, b, b->cur_seq, bytes);
    if (b->track)
        burst_trim(b);
}

static void drain_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)arg;
    (void)id;
    burst *b = owner;
    const af_tier_config *tc = &w->cfg->tiers[b->cfg->tier];
    af_tier_state *src = &w->tiers[b->cfg->tier];
    af_tier_state *dst = &w->tiers[tc->drain_to];
    b->drains_completed++;
    b->draining = false;
    copy *cp = burst_copy(b, b->drain_seq);
    if (b->track && !cp) {
        /* The copy was freed while it drained (its bytes here with it): what reached the target
         * goes too. */
        af_tier_release(dst, bytes);
    } else {
        af_tier_release(src, bytes);
        if (cp) {
            cp->here_B -= bytes;
            cp->there_B += bytes;
        }
    }
    drain_next(w, b);
}

/* ---- the kind's operations ------------------------------------------------------------------ */

static size_t burst_count(const af_world_config *cfg)
{
    return cfg->nbursts;
}

static const char *burst_instance(const af_world_config *cfg, size_t i)
{
    return cfg->bursts[i].name;
}

static void burst_build_one(af_world *w, burst *b, size_t i)
{
    const af_world_config *cfg = w->cfg;
    const af_burst_config *c = &cfg->bursts[i];
    b->cfg = c;
    b->world = w;
    if (w->cfg->trace)
        b->trace_track = af_trace_track(w->cfg->trace, "burst", c->name);
    const af_tier_config *tc = &cfg->tiers[c->tier];
    af_tier_state *ts = &w->tiers[c->tier];
    size_t tep = af_ep_tier(w, c->tier);
    double op = c->op_B > 0 ? c->op_B : 1048576;
    b->dev_scale = af_dev_scale(&tc->system, c->write, op, 1);
    b->k = (uint32_t)(c->pool != AF_WORLD_NONE ? cfg->pools[c->pool].nodes : tc->nodes);
    b->seq_next = b->seq_oldest = 1;
    if (c->write) {
        if (c->pool != AF_WORLD_NONE)
            af_path_net(w, &b->path, af_ep_pool(c->pool), tep);
        else
            af_path_push(&b->path, w->eps[tep].rx, 1);
        af_path_push(&b->path, ts->dev, b->dev_scale);
    } else {
        af_path_push(&b->path, ts->dev, b->dev_scale);
        if (c->pool != AF_WORLD_NONE)
            af_path_net(w, &b->path, tep, af_ep_pool(c->pool));
        else
            af_path_push(&b->path, w->eps[tep].tx, 1);
    }
    b->track = c->write && c->keep > 0;
    if (c->write && tc->drain_to < cfg->ntiers && tc->drain_to != c->tier) {
        const af_tier_config *dc = &cfg->tiers[tc->drain_to];
        b->drain_k = (uint32_t)tc->nodes;
        b->drain_read_scale = af_dev_scale(&tc->system, false, op, 1);
        b->drain_write_scale = af_dev_scale(&dc->system, true, op, 1);
        af_path_push(&b->drain_path, ts->dev, b->drain_read_scale);
        af_path_net(w, &b->drain_path, tep, af_ep_tier(w, tc->drain_to));
        af_path_push(&b->drain_path, w->tiers[tc->drain_to].dev, b->drain_write_scale);
    }
}

static int burst_build(af_world *w, af_diag *d)
{
    (void)d;
    burst_state *s = af_calloc(1, sizeof *s);
    w->kind[AF_WL_BURST] = s;
    s->n = w->cfg->nbursts;
    s->bursts = af_calloc(s->n, sizeof *s->bursts);
    for (size_t i = 0; i < s->n; i++)
        burst_build_one(w, &s->bursts[i], i);
    return AF_OK;
}

/* Each burst time is one event; a burst that starts adds its completion and, with a drain, the
 * drain's. */
static double burst_events(const af_world *w, size_t i)
{
    const burst *b = &burst_of(w)->bursts[i];
    double T = w->cfg->duration_s - b->cfg->start_s;
    double times = T > 0 ? floor(T / b->cfg->every_s) + 1 : 0;
    return times * (b->drain_k ? 3 : 2);
}

static void burst_weigh(const af_world *w, double *W)
{
    burst_state *s = burst_of(w);
    for (size_t i = 0; i < s->n; i++) {
        const burst *b = &s->bursts[i];
        af_qos_add(W, &b->path, b->k, af_weight(b->cfg->weight, 1));
        if (b->drain_k) {
            double dw = w->cfg->tiers[b->cfg->tier].drain_weight;
            af_qos_add(W, &b->drain_path, b->drain_k, af_weight(dw, 0.25));
        }
    }
}

static void burst_floors(af_world *w, const double *W)
{
    burst_state *s = burst_of(w);
    for (size_t i = 0; i < s->n; i++) {
        burst *b = &s->bursts[i];
        double w8 = af_weight(b->cfg->weight, 1);
        b->alone_Bps = af_qos_alone_Bps(w, &b->path);
        b->floor_Bps = b->k * w8 * af_qos_level(w, W, &b->path);
        if (b->floor_Bps > b->alone_Bps)
            b->floor_Bps = b->alone_Bps;
    }
}

static void burst_start(af_world *w)
{
    burst_state *s = burst_of(w);
    for (size_t i = 0; i < s->n; i++)
        burst_schedule_at(&s->bursts[i], 0);
}

static void burst_report(const af_world *w, af_results *r)
{
    burst_state *s = burst_of(w);
    for (size_t i = 0; i < s->n; i++) {
        const burst *b = &s->bursts[i];
        const char *nm = b->cfg->name;
        af_results_put(r, AF_M_BURST_SIZE, nm, b->cfg->size_B);
        af_results_put(r, AF_M_BURST_STARTED, nm, (double)b->started);
        af_results_put(r, AF_M_BURST_COMPLETED, nm, (double)b->completed);
        af_results_put(r, AF_M_BURST_SKIPPED, nm, (double)b->skipped);
        if (b->cfg->write)
            af_results_put(r, AF_M_BURST_REFUSED, nm, (double)b->refused);
        af_results_put(r, AF_M_BURST_MOVED, nm, b->moved_B);
        if (b->cfg->write)
            af_results_put(r, AF_M_BURST_REJECTED, nm, b->rejected_B);
        af_results_put(r, AF_M_BURST_TIME_ALONE, nm, b->cfg->size_B / b->alone_Bps);
        if (b->completed) {
            af_results_put(r, AF_M_BURST_TIME_MEAN, nm, b->time_sum_s / (double)b->completed);
            af_results_put(r, AF_M_BURST_TIME_MAX, nm, b->time_max_s);
            /* Bursts too small to take measurable time alone have no meaningful slowdown. */
            double slowdown = b->time_sum_s / b->alone_sum_s;
            if (b->alone_sum_s > 0 && isfinite(slowdown))
                af_results_put(r, AF_M_BURST_SLOWDOWN, nm, slowdown);
        }
        /* No bound when the weights guarantee nothing measurable (a weight so small that the
         * guaranteed rate underflows): the report says so by leaving it out. */
        double bound = b->alone_Bps / b->floor_Bps;
        if (isfinite(bound))
            af_results_put(r, AF_M_BURST_SLOWDOWN_BOUND, nm, bound);
        if (b->drain_k) {
            af_results_put(r, AF_M_BURST_DRAINS_STARTED, nm, (double)b->drains_started);
            af_results_put(r, AF_M_BURST_DRAINS_DONE, nm, (double)b->drains_completed);
            af_results_put(r, AF_M_BURST_DRAINS_DROPPED, nm, (double)b->drains_dropped);
        }
    }
}

static void burst_free(af_world *w)
{
    burst_state *s = burst_of(w);
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        af_free(s->bursts[i].ring);
        af_free(s->bursts[i].dq);
    }
    af_free(s->bursts);
    af_free(s);
    w->kind[AF_WL_BURST] = NULL;
}

const af_wl_kind af_wl_burst = {
    .name = "burst",
    .count = burst_count,
    .instance = burst_instance,
    .build = burst_build,
    .events = burst_events,
    .weigh = burst_weigh,
    .floors = burst_floors,
    .start = burst_start,
    .report = burst_report,
    .free = burst_free,
};
