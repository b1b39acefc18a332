/*
 * ingest: the ingest kind of the world, data arriving from outside and preprocessed into a
 * training set (af_ingest_config): a source writes to a landing tier, CPU nodes read what has
 * landed and write `ratio` of it to an output tier, the raw bytes freed unless kept; the output
 * may be the data set of a training job, which then grows over the run.
 *
 * Source. Bytes come from outside clients (no pool: only the landing tier's NICs and devices
 * limit them) in two lanes, each with at most one write in flight:
 *   - at a rate (af_arrivals_rate_at read as bytes/s: constant, or following a daily profile and
 *     bursts): writes of one chunk each, capped at the rate. The rate is piecewise constant; at
 *     each of its edges (an hour of the day, a burst's start or end) the write in flight is cut
 *     (what it moved has landed) and a new one starts at the new rate, so the cap follows the
 *     rate exactly. Bytes the tier has no room for are rejected at the rate: the write of the
 *     part that fits, then the time the rest would have taken;
 *   - queued bytes (a trace's entries at their times, and what other kinds add with
 *     af_ingest_add), written uncapped in chunks, in order; what does not fit is rejected at once.
 *     The queue is a stream of bytes numbered from 0 as they enter it; the spans of it that were
 *     added are kept until written, so the added bytes that landed are counted exactly however
 *     they interleave with a trace's (af_ingest_added_landed_B).
 * A source slower than its rate (the landing path is the bottleneck) is held back, not
 * buffered: the bytes it offered (the integral of the rate) can exceed what landed and was
 * rejected.
 *
 * Preprocessing. `nodes` CPU nodes of `node_Bps` each read only what has landed (completed
 * writes): one transfer of k = nodes members at a time, min(backlog, nodes x chunk) bytes capped
 * at node_Bps per member, from the landing tier's devices and NICs to the output tier's NICs and
 * devices, the output's hops scaled by `ratio`. It is planned again at each completion, of its
 * own or of a landing write, so it runs back to back while a backlog lasts and follows the
 * landings when it keeps up. The output takes its room on the output tier when the read starts;
 * with no room the preprocessing stalls (counted) and tries again at the next landing. The CPU
 * nodes' own NICs are not modelled (their throughput is the limit).
 *
 * Power. The nodes are boxes of the world's ledger (world.c, model/cost.h), a catalog CPU server
 * each (af_ingest_config.server): they draw idle + (busy - idle) x u (model/server.h), u the
 * share of their capacity used, raw bytes processed / (nodes x node_Bps x time), over the run
 * (w->ingest_busy, set at finish) or over a window (w->win_ingest_util, set when sampled). A
 * read held back by the tiers keeps u low: throughput used, not time spent waiting, sets power.
 *
 * Events: a write or read per chunk, a rejection timer per chunk that did not fit, a rate edge;
 * so a run costs about two events per chunk landed (events op). The backlog (landed less
 * processed) is piecewise linear between the instants in which rates change, at each of which
 * the world calls load_changed: its mean is the exact integral of those pieces and its peak the
 * largest value at their ends. The closed forms the validation checks, and how the time until a
 * tier is full is read from the end's rates, are in doc/formulas.md, "Ingest".
 */
#include "base/alloc.h"
#include "base/metrics.h"
#include "workload/arrivals.h"
#include "workload/world_int.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* Bytes below this are nothing to write or process (the fractions rates leave). */
#define INGEST_MIN_B 1.0

/* Bytes other kinds add (af_ingest_add) that do not fill a chunk wait at most this long for
 * more before they are written, s: a write per second at most, not one per addition. */
#define INGEST_FLUSH_S 1.0

/* A lane's write (or the preprocessing's read): at most one in flight. */
typedef struct lane {
    af_flow_id id; /* the transfer */
    bool live;     /* in flight (its bytes not yet in the totals) */
    double size_B; /* its bytes, all members */
    uint32_t k;    /* its members */
} lane;

/* A landing: the bytes landed over the run once it was done, and when. */
typedef struct land_mark {
    double end_B;
    af_time_ns t_ns;
} land_mark;

/* Bytes added by other kinds (af_ingest_add): positions [from_B, to_B) of the queue's stream. */
typedef struct add_span {
    double from_B, to_B;
} add_span;

typedef struct ingest {
    const af_ingest_config *cfg; /* its configuration (borrowed from the world's) */
    af_world *world;
    af_tier_state *land; /* the landing tier */
    af_tier_state *out;  /* the output tier (the landing tier without preprocessing) */
    af_path src_path;    /* writes to the landing tier: its NICs in, its devices */
    double src_scale;    /* landing device-seconds per byte written */
    uint32_t src_k;      /* members of a write: the landing tier's nodes */
    /* the rate lane */
    bool rated;           /* the source has a rate (no trace) */
    double rate_chunk_B;  /* bytes per rate chunk: cfg chunk, at most a second at the peak */
    lane rate;            /* its write */
    double rate_Bps;      /* the source's rate now, B/s */
    double chunk_offer_B; /* bytes the current chunk offers (written + rejected) */
    double chunk_fit_B;   /* of which the tier had room for */
    double rej_from_s;    /* the chunk's rejected rest runs from here ... */
    double rej_to_s;      /* ... to here, s (rejecting while the due timer is armed) */
    af_timer due;         /* end of the rejected rest */
    af_timer edge;        /* the rate's next edge */
    /* the queue lane: trace entries and added bytes */
    lane queue;
    double queued_B;          /* bytes waiting to be written */
    double queue_in_B;        /* bytes that entered the queue */
    double queue_out_B;       /* bytes that left it for a write (landed or rejected) */
    double queue_from_B;      /* stream position of the queue write's first byte */
    add_span *adds;           /* added spans not yet written: adds[add_head, nadds) */
    size_t add_head, nadds, cap_adds;
    double added_landed_B;    /* added bytes landed, B (the write in flight not included) */
    af_arrivals arr;          /* the trace */
    double next_size_B;       /* size of the next trace entry */
    af_timer arrive;          /* the next trace entry */
    af_timer flush;           /* when added bytes short of a chunk are written */
    af_path proc_path;        /* reads: landing devices and NICs out, output NICs in and devices */
    double read_scale;        /* landing device-seconds per raw byte read */
    double write_scale;       /* output device-seconds per output byte written */
    lane proc;                /* its read */
    double proc_out_B;        /* output room the read in flight took */
    bool out_full;            /* stalled: a backlog and no room for its output */
    af_time_ns full_since_ns; /* since when, ns */
    af_time_ns full_ns;       /* time stalled before that, ns */
    /* totals, B (transfers in flight not included until they end) */
    double landed_B, rejected_B, processed_B, output_B;
    /* the backlog over time (ingest_account) */
    af_time_ns acc_ns;     /* accounted up to here, ns */
    double acc_B;          /* the backlog then, B */
    double backlog_Bs;     /* its integral up to acc_ns, B s */
    double backlog_peak_B; /* its largest value, B */
    /* the series' totals at the last window's end, B */
    double snap_landed_B, snap_processed_B;
    /* rates when the run ended (the partial callbacks), B/s, all members */
    double end_land_Bps, end_proc_Bps;
    bool end_proc_live;
    /* landing times of the backlog, when watched (af_ingest_watch): marks[mark_head, nmarks) */
    bool watched;
    struct land_mark *marks;
    size_t mark_head, nmarks, cap_marks;
} ingest;

typedef struct ingest_state {
    ingest *ing;
    size_t n;
} ingest_state;

static ingest_state *ingest_of(const af_world *w)
{
    return w->kind[AF_WL_INGEST];
}

/* ---- totals --------------------------------------------------------------------------------- */

/* Bytes a lane's transfer in flight has moved, all members. */
static double lane_moved(const af_world *w, const lane *l)
{
    return l->live ? af_flownet_moved(w->net, l->id) * l->k : 0;
}

/* Bytes landed so far, writes in flight by what they moved. */
static double ingest_landed_now(const ingest *g)
{
    return g->landed_B + lane_moved(g->world, &g->rate) + lane_moved(g->world, &g->queue);
}

/* Raw bytes processed so far, the read in flight by what it moved. */
static double ingest_processed_now(const ingest *g)
{
    return g->processed_B + lane_moved(g->world, &g->proc);
}

/* Counts `bytes` as landed now, and when watched, when: marks of bytes processed are dropped
 * first, so the marks cover the backlog and grow only at a new high of it. */
static void ingest_land(ingest *g, double bytes)
{
    g->landed_B += bytes;
    if (!g->watched || !(bytes > 0))
        return;
    while (g->mark_head < g->nmarks && g->marks[g->mark_head].end_B < g->processed_B)
        g->mark_head++;
    if (g->mark_head > 0 && 2 * g->mark_head >= g->nmarks) {
        g->nmarks -= g->mark_head;
        memmove(g->marks, g->marks + g->mark_head, g->nmarks * sizeof *g->marks);
        g->mark_head = 0;
    }
    af_time_ns now = af_sim_now(g->world->sim);
    if (g->nmarks > g->mark_head && g->marks[g->nmarks - 1].t_ns == now) {
        g->marks[g->nmarks - 1].end_B = g->landed_B;
        return;
    }
    g->marks = af_grow(g->marks, &g->cap_marks, g->nmarks + 1, sizeof *g->marks);
    g->marks[g->nmarks++] = (land_mark){g->landed_B, now};
}

/* Brings the backlog's integral and peak up to now (the backlog is linear since acc_ns). */
static void ingest_account(ingest *g, af_time_ns now)
{
    double b = ingest_landed_now(g) - ingest_processed_now(g);
    g->backlog_Bs += 0.5 * (g->acc_B + b) * af_time_to_s(now - g->acc_ns);
    if (b > g->backlog_peak_B)
        g->backlog_peak_B = b;
    g->acc_ns = now;
    g->acc_B = b;
}

/* Counts the added bytes among the first `bytes` of the queue's write, which landed. */
static void ingest_land_added(ingest *g, double bytes)
{
    double lo = g->queue_from_B, hi = lo + bytes;
    for (size_t k = g->add_head; k < g->nadds && g->adds[k].from_B < hi; k++) {
        double a = fmax(lo, g->adds[k].from_B), b = fmin(hi, g->adds[k].to_B);
        if (b > a)
            g->added_landed_B += b - a;
    }
}

/* Takes back `bytes` of the rejections counted for the current chunk: the part of its offer the
 * source did not make before a rate edge or the end. */
static void ingest_unreject(ingest *g, double bytes)
{
    g->rejected_B -= bytes;
    g->land->rejected_B -= bytes;
}

/* ---- preprocessing -------------------------------------------------------------------------- */

static void proc_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
static void proc_partial(af_world *w, void *owner, uint64_t arg, double bytes);
static const af_xfer_ops proc_ops = {proc_done, proc_partial, NULL};

/* Starts reading the backlog when the nodes are free, as much as the output tier has room for. */
static void proc_plan(ingest *g)
{
    const af_ingest_config *c = g->cfg;
    af_world *w = g->world;
    if (c->nodes <= 0 || g->proc.live)
        return;
    double avail = g->landed_B - g->processed_B;
    if (avail < INGEST_MIN_B)
        return;
    double size = fmin(avail, (double)c->nodes * c->chunk_B);
    double room = g->out->usable_B - g->out->used_B;
    double out_B = fmin(c->ratio * size, room > 0 ? room : 0);
    if (out_B < c->ratio * size)
        size = out_B / c->ratio;
    af_time_ns now = af_sim_now(w->sim);
    if (size < INGEST_MIN_B) {
        if (!g->out_full) {
            g->out_full = true;
            g->full_since_ns = now;
        }
        return;
    }
    if (g->out_full) {
        g->full_ns += now - g->full_since_ns;
        g->out_full = false;
    }
    af_tier_take(g->out, out_B);
    g->proc_out_B = out_B;
    /* The output's device traffic is the transfer's too (ratio x write_scale per raw byte), so
     * that it counts in the output tier's write share (af_tier_write_share: flash reads wait
     * behind it); its bytes are ratio x the raw bytes, which proc_credit puts right. */
    af_devuse dev[2] = {{(uint32_t)c->landing, false, g->read_scale},
                        {(uint32_t)(g->out - w->tiers), true, c->ratio * g->write_scale}};
    g->proc = (lane){.live = true, .size_B = size, .k = (uint32_t)c->nodes};
    g->proc.id = af_xfer_start(w, &g->proc_path, size / (double)c->nodes, af_weight(c->weight, 1),
                               c->node_Bps, g->proc.k, dev, 2, &proc_ops, g, 0);
    af_world_load_changed(w);
}

/* Counts raw bytes processed: their output written (the transfer credited the output tier with
 * the raw bytes and the output's device time, see proc_plan: its written bytes are set to the
 * output's here), the raw bytes freed unless kept, and the output room taken for the rest of the
 * read given back. */
static void proc_credit(ingest *g, double raw_B)
{
    double out_B = fmin(g->cfg->ratio * raw_B, g->proc_out_B);
    g->processed_B += raw_B;
    g->output_B += out_B;
    g->out->write_B += out_B - raw_B;
    af_tier_release(g->out, g->proc_out_B - out_B);
    if (!g->cfg->keep_raw)
        af_tier_release(g->land, raw_B);
    g->proc.live = false;
}

static void proc_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)w;
    (void)arg;
    (void)id;
    ingest *g = owner;
    proc_credit(g, bytes);
    proc_plan(g);
}

static void proc_partial(af_world *w, void *owner, uint64_t arg, double bytes)
{
    (void)arg;
    ingest *g = owner;
    g->end_proc_Bps = af_flownet_rate(w->net, g->proc.id) * g->proc.k;
    g->end_proc_live = true;
    proc_credit(g, bytes);
}

/* ---- the queue lane ------------------------------------------------------------------------- */

static void queue_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
static void land_partial(af_world *w, void *owner, uint64_t arg, double bytes);
static const af_xfer_ops queue_ops = {queue_done, land_partial, NULL};

/* Writes the queue's next chunk when its lane is free, a part of one only when `all` (trace
 * entries, what waited during a write, a flush); chunks with no room are rejected. */
static void queue_plan(ingest *g, bool all)
{
    af_world *w = g->world;
    while (!g->queue.live && g->queued_B >= INGEST_MIN_B &&
           (all || g->queued_B >= g->cfg->chunk_B)) {
        af_sim_timer_clear(w->sim, g->flush);
        double size = fmin(g->queued_B, g->cfg->chunk_B);
        g->queued_B -= size;
        /* The write takes stream positions [queue_out_B, + size); added spans wholly before
         * them are past (the previous write ended), and the rest moves to the front. */
        g->queue_from_B = g->queue_out_B;
        g->queue_out_B += size;
        while (g->add_head < g->nadds && g->adds[g->add_head].to_B <= g->queue_from_B)
            g->add_head++;
        if (g->add_head > 0 && 2 * g->add_head >= g->nadds) {
            g->nadds -= g->add_head;
            memmove(g->adds, g->adds + g->add_head, g->nadds * sizeof *g->adds);
            g->add_head = 0;
        }
        double fit = af_tier_take(g->land, size);
        g->rejected_B += size - fit;
        if (fit < INGEST_MIN_B)
            continue;
        af_devuse dev = {(uint32_t)g->cfg->landing, true, g->src_scale};
        g->queue = (lane){.live = true, .size_B = fit, .k = g->src_k};
        g->queue.id = af_xfer_start(w, &g->src_path, fit / g->src_k, af_weight(g->cfg->weight, 1),
                                    0, g->src_k, &dev, 1, &queue_ops, g, 1);
        af_world_load_changed(w);
    }
}

static void queue_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)w;
    (void)arg;
    (void)id;
    ingest *g = owner;
    ingest_land(g, bytes);
    ingest_land_added(g, bytes);
    g->queue.live = false;
    queue_plan(g, true);
    proc_plan(g);
}

/* Schedules the next trace entry before the end, if any. */
static void trace_schedule(ingest *g)
{
    af_world *w = g->world;
    double t = af_arrivals_next(&g->arr, NULL, &g->next_size_B);
    if (!(g->next_size_B > 0))
        g->next_size_B = g->cfg->entry_B;
    af_time_ns at = af_time_from_s(t);
    if (!isfinite(t) || at >= w->end_ns)
        return;
    af_time_ns now = af_sim_now(w->sim);
    af_sim_timer_set(w->sim, g->arrive, at > now ? at : now);
}

static void trace_arrive(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    ingest *g = ctx;
    g->queued_B += g->next_size_B;
    g->queue_in_B += g->next_size_B;
    queue_plan(g, true);
    trace_schedule(g);
}

void af_ingest_add(af_world *w, size_t i, double bytes)
{
    ingest_state *s = ingest_of(w);
    assert(i < s->n && bytes >= 0);
    ingest *g = &s->ing[i];
    if (g->nadds > g->add_head && g->adds[g->nadds - 1].to_B == g->queue_in_B) {
        g->adds[g->nadds - 1].to_B += bytes; /* follows the last addition: one span */
    } else {
        g->adds = af_grow(g->adds, &g->cap_adds, g->nadds + 1, sizeof *g->adds);
        g->adds[g->nadds++] = (add_span){g->queue_in_B, g->queue_in_B + bytes};
    }
    g->queued_B += bytes;
    g->queue_in_B += bytes;
    queue_plan(g, false);
    af_time_ns at = af_time_add(af_sim_now(w->sim), af_time_from_s(INGEST_FLUSH_S));
    if (!g->queue.live && g->queued_B >= INGEST_MIN_B && at < w->end_ns &&
        !af_sim_timer_armed(w->sim, g->flush, NULL))
        af_sim_timer_set(w->sim, g->flush, at);
}

/* Added bytes have waited INGEST_FLUSH_S: they are written, a chunk or not. */
static void queue_flush(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    queue_plan(ctx, true);
}

double af_ingest_processed_B(const af_world *w, size_t i)
{
    const ingest_state *s = ingest_of(w);
    assert(i < s->n);
    return ingest_processed_now(&s->ing[i]);
}

double af_ingest_added_landed_B(const af_world *w, size_t i)
{
    const ingest_state *s = ingest_of(w);
    assert(i < s->n);
    return s->ing[i].added_landed_B;
}

void af_ingest_watch(af_world *w, size_t i)
{
    ingest_state *s = ingest_of(w);
    assert(i < s->n);
    s->ing[i].watched = true;
}

double af_ingest_landed_s(const af_world *w, size_t i, double bytes)
{
    const ingest_state *s = ingest_of(w);
    assert(i < s->n && s->ing[i].watched);
    const ingest *g = &s->ing[i];
    if (!(bytes > 0) || g->nmarks == g->mark_head)
        return 0;
    /* The first mark that reaches the byte (within a byte: the totals are sums of doubles). */
    size_t lo = g->mark_head, hi = g->nmarks - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->marks[mid].end_B >= bytes - INGEST_MIN_B)
            hi = mid;
        else
            lo = mid + 1;
    }
    return af_time_to_s(g->marks[lo].t_ns);
}

/* ---- the rate lane -------------------------------------------------------------------------- */

static void rate_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id);
static const af_xfer_ops rate_ops = {rate_done, land_partial, NULL};

/* The first edge of the source's rate after t (an hour of the day, a burst's start or end), s;
 * INFINITY when the rate is constant. Edges within a nanosecond of t (or a few ulps of t, which
 * are more in a run of months) count as t's own: the clock's time of an edge may round below it. */
static double rate_edge_after(const af_arrivals_config *a, double t)
{
    double e = INFINITY, u = t + fmax(1e-9, 8 * DBL_EPSILON * t);
    if (a->diurnal) {
        double h = floor((a->start_hour * 3600 + u) / 3600) + 1;
        e = h * 3600 - a->start_hour * 3600;
    }
    if (a->burst_every_s > 0 && a->burst_factor != 1) {
        double b;
        if (u < a->burst_start_s) {
            b = a->burst_start_s;
        } else {
            double k = floor((u - a->burst_start_s) / a->burst_every_s);
            b = a->burst_start_s + k * a->burst_every_s + a->burst_s;
            if (b <= u)
                b = a->burst_start_s + (k + 1) * a->burst_every_s;
        }
        e = fmin(e, b);
    }
    return e;
}

/* The rate over the piece of the rate that holds at t_s, B/s: read at the piece's middle, so
 * that a time rounded to the nanosecond at an edge reads the piece it starts. */
static double rate_now(const af_arrivals_config *a, double t_s)
{
    double e = rate_edge_after(a, t_s);
    return af_arrivals_rate_at(a, isfinite(e) ? 0.5 * (t_s + e) : t_s);
}

/* Starts the rate lane's next chunk when it is free: what fits is written capped at the rate,
 * then the rejected rest takes its time at the rate (the due timer). */
static void rate_plan(ingest *g)
{
    af_world *w = g->world;
    af_time_ns now = af_sim_now(w->sim);
    /* A chunk due at the end itself still starts: the end's rates are then those of a source
     * that goes on (the time to full), and it moves nothing. */
    if (!g->rated || g->rate.live || af_sim_timer_armed(w->sim, g->due, NULL) || now > w->end_ns)
        return;
    double t = af_time_to_s(now);
    g->rate_Bps = rate_now(&g->cfg->source, t);
    if (!(g->rate_Bps > 0))
        return; /* none until the next edge */
    double offer = g->rate_chunk_B;
    double fit = af_tier_take(g->land, offer);
    g->chunk_offer_B = offer;
    g->chunk_fit_B = fit;
    g->rejected_B += offer - fit;
    if (fit < INGEST_MIN_B) {
        g->chunk_fit_B = 0;
        af_tier_release(g->land, fit);
        g->rejected_B += fit;
        g->land->rejected_B += fit;
        g->rej_from_s = t;
        g->rej_to_s = t + offer / g->rate_Bps;
        af_time_ns at = af_time_from_s(g->rej_to_s);
        af_sim_timer_set(w->sim, g->due, at > now ? at : now + 1);
        return;
    }
    af_devuse dev = {(uint32_t)g->cfg->landing, true, g->src_scale};
    g->rate = (lane){.live = true, .size_B = fit, .k = g->src_k};
    g->rate.id = af_xfer_start(w, &g->src_path, fit / g->src_k, af_weight(g->cfg->weight, 1),
                               g->rate_Bps / g->src_k, g->src_k, &dev, 1, &rate_ops, g, 0);
    af_world_load_changed(w);
}

static void rate_done(af_world *w, void *owner, uint64_t arg, double bytes, af_flow_id id)
{
    (void)arg;
    (void)id;
    ingest *g = owner;
    ingest_land(g, bytes);
    g->rate.live = false;
    double rest = g->chunk_offer_B - g->chunk_fit_B;
    if (rest > 0) {
        af_time_ns now = af_sim_now(w->sim);
        g->rej_from_s = af_time_to_s(now);
        g->rej_to_s = g->rej_from_s + rest / g->rate_Bps;
        af_time_ns at = af_time_from_s(g->rej_to_s);
        af_sim_timer_set(w->sim, g->due, at > now ? at : now + 1);
    } else {
        rate_plan(g);
    }
    proc_plan(g);
}

/* The rejected rest of a chunk has taken its time. */
static void rate_due(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    rate_plan(ctx);
}

/* Ends the current chunk at time t_s, before its offer is made (a rate edge, or the end of the
 * run): a write in flight lands what it moved (moved_B, all members; it is cancelled first when
 * `cancel`), the room taken for the rest is given back and the rest is not offered; a rejected
 * rest counts only its share of time up to t_s. */
static void rate_cut(ingest *g, double t_s, bool cancel, double moved_B)
{
    af_world *w = g->world;
    if (g->rate.live) {
        if (cancel)
            moved_B = af_xfer_cancel(w, g->rate.id);
        ingest_land(g, moved_B);
        g->rate.live = false;
        af_tier_release(g->land, g->chunk_fit_B - moved_B);
        ingest_unreject(g, g->chunk_offer_B - g->chunk_fit_B);
    } else if (af_sim_timer_armed(w->sim, g->due, NULL)) {
        af_sim_timer_clear(w->sim, g->due);
        double span = g->rej_to_s - g->rej_from_s;
        double gone = span > 0 ? fmin(1, fmax(0, (t_s - g->rej_from_s) / span)) : 1;
        ingest_unreject(g, (g->chunk_offer_B - g->chunk_fit_B) * (1 - gone));
    }
}

/* Arms the edge timer at the rate's next edge before the end. */
static void rate_edge_schedule(ingest *g)
{
    af_world *w = g->world;
    double e = rate_edge_after(&g->cfg->source, af_time_to_s(af_sim_now(w->sim)));
    af_time_ns at = af_time_from_s(e);
    if (isfinite(e) && at < w->end_ns)
        af_sim_timer_set(w->sim, g->edge, at > af_sim_now(w->sim) ? at : af_sim_now(w->sim) + 1);
}

/* An edge of the rate: the chunk in flight ends, and one at the new rate starts. */
static void rate_edge(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    ingest *g = ctx;
    rate_cut(g, af_time_to_s(af_sim_now(sim)), true, 0);
    rate_plan(g);
    rate_edge_schedule(g);
    proc_plan(g);
    af_world_load_changed(g->world);
}

/* A write of either lane still in flight at the end: it landed what it moved. */
static void land_partial(af_world *w, void *owner, uint64_t arg, double bytes)
{
    ingest *g = owner;
    lane *l = arg ? &g->queue : &g->rate;
    g->end_land_Bps += af_flownet_rate(w->net, l->id) * l->k;
    if (arg) {
        ingest_land(g, bytes);
        ingest_land_added(g, bytes);
        af_tier_release(g->land, l->size_B - bytes);
        l->live = false;
    } else {
        rate_cut(g, af_time_to_s(w->end_ns), false, bytes);
    }
}

/* ---- the kind's operations ------------------------------------------------------------------ */

static size_t ingest_count(const af_world_config *cfg)
{
    return cfg->ningests;
}

static const char *ingest_instance(const af_world_config *cfg, size_t i)
{
    return cfg->ingests[i].name;
}

static void ingest_build_one(af_world *w, ingest *g, size_t i)
{
    const af_world_config *cfg = w->cfg;
    const af_ingest_config *c = &cfg->ingests[i];
    assert(c->chunk_B > 0 && c->landing < cfg->ntiers);
    assert(c->nodes == 0 || (c->node_Bps > 0 && c->ratio > 0 && c->out_tier < cfg->ntiers));
    assert(c->feeds == AF_WORLD_NONE ||
           (c->nodes > 0 && c->feeds < cfg->ntrains && cfg->trains[c->feeds].tier == c->out_tier));
    g->cfg = c;
    g->world = w;
    g->land = &w->tiers[c->landing];
    g->out = &w->tiers[c->nodes > 0 ? c->out_tier : c->landing];
    const af_storage_spec *ls = &cfg->tiers[c->landing].system;
    double op = c->op_B > 0 ? c->op_B : 1048576;
    size_t lep = af_ep_tier(w, c->landing);

    g->src_k = (uint32_t)cfg->tiers[c->landing].nodes;
    g->src_scale = af_dev_scale(ls, true, op, 1);
    af_path_push(&g->src_path, w->eps[lep].rx, 1);
    af_path_push(&g->src_path, g->land->dev, g->src_scale);
    g->rated = !c->source.trace_s && c->source.rate_per_s > 0;
    double peak = g->rated ? af_arrivals_peak_rate(&c->source) : 0;
    g->rate_chunk_B = peak > 0 ? fmin(c->chunk_B, fmax(peak * 1.0, INGEST_MIN_B)) : c->chunk_B;
    g->due = af_sim_timer_new(w->sim, rate_due, g, 0);
    g->edge = af_sim_timer_new(w->sim, rate_edge, g, 0);
    g->arrive = af_sim_timer_new(w->sim, trace_arrive, g, 0);
    g->flush = af_sim_timer_new(w->sim, queue_flush, g, 0);
    af_arrivals_init(&g->arr, &c->source, w->cfg->duration_s);

    if (c->nodes > 0) {
        const af_storage_spec *os = &cfg->tiers[c->out_tier].system;
        g->read_scale = af_dev_scale(ls, false, op, 1);
        g->write_scale = af_dev_scale(os, true, op, 1);
        size_t oep = af_ep_tier(w, c->out_tier);
        if (c->out_tier == c->landing) {
            /* One device budget for the read and the write. */
            af_path_push(&g->proc_path, g->land->dev, g->read_scale + c->ratio * g->write_scale);
            af_path_push(&g->proc_path, w->eps[lep].tx, 1);
            af_path_push(&g->proc_path, w->eps[lep].rx, c->ratio);
        } else {
            af_path_push(&g->proc_path, g->land->dev, g->read_scale);
            af_path_push(&g->proc_path, w->eps[lep].tx, 1);
            af_path_push(&g->proc_path, w->eps[oep].rx, c->ratio);
            af_path_push(&g->proc_path, g->out->dev, c->ratio * g->write_scale);
        }
    }
}

static int ingest_build(af_world *w, af_diag *d)
{
    (void)d;
    ingest_state *s = af_calloc(1, sizeof *s);
    w->kind[AF_WL_INGEST] = s;
    s->n = w->cfg->ningests;
    s->ing = af_calloc(s->n ? s->n : 1, sizeof *s->ing);
    for (size_t i = 0; i < s->n; i++)
        ingest_build_one(w, &s->ing[i], i);
    return AF_OK;
}

/* Two events per chunk written (its completion, and its rejection timer or the read that
 * follows it), one per read of nodes x chunk, one per trace entry and two per rate edge (the edge
 * and the chunk it cuts). */
static double ingest_events(const af_world *w, size_t i)
{
    const ingest *g = &ingest_of(w)->ing[i];
    const af_ingest_config *c = g->cfg;
    const af_arrivals_config *a = &c->source;
    double T = w->cfg->duration_s, bytes = 0, chunks = 0, other = 0;
    if (g->rated) {
        bytes = af_arrivals_expected(a, 0, T);
        chunks = bytes / g->rate_chunk_B + 1;
        if (a->diurnal)
            other += 2 * (T / 3600 + 1);
        if (a->burst_every_s > 0 && a->burst_factor != 1)
            other += 4 * (T / a->burst_every_s + 1);
    } else if (a->trace_s) {
        for (size_t j = 0; j < a->trace_n && a->trace_s[j] < T; j++) {
            double sz = a->trace_size && a->trace_size[j] > 0 ? a->trace_size[j] : c->entry_B;
            bytes += sz;
            chunks += ceil(sz / c->chunk_B);
            other += 1;
        }
    }
    double reads = c->nodes > 0 ? chunks + bytes / ((double)c->nodes * c->chunk_B) + 1 : 0;
    return 2 * chunks + reads + other;
}

static void ingest_weigh(const af_world *w, double *W)
{
    ingest_state *s = ingest_of(w);
    for (size_t i = 0; i < s->n; i++) {
        const ingest *g = &s->ing[i];
        double w8 = af_weight(g->cfg->weight, 1);
        af_qos_add(W, &g->src_path, g->src_k, w8);
        if (g->cfg->nodes > 0)
            af_qos_add(W, &g->proc_path, (double)g->cfg->nodes, w8);
    }
}

static void ingest_start(af_world *w)
{
    ingest_state *s = ingest_of(w);
    for (size_t i = 0; i < s->n; i++) {
        ingest *g = &s->ing[i];
        if (g->rated) {
            rate_plan(g);
            rate_edge_schedule(g);
        } else if (g->cfg->source.trace_s) {
            trace_schedule(g);
        }
    }
}

static void ingest_load_changed(af_world *w)
{
    ingest_state *s = ingest_of(w);
    af_time_ns now = af_sim_now(w->sim);
    for (size_t i = 0; i < s->n; i++)
        ingest_account(&s->ing[i], now);
}

/* Share of ingest g's preprocessing capacity that raw_B bytes processed in dt_s seconds used,
 * in [0, 1]; 0 without preprocessing. */
static double ingest_util(const ingest *g, double raw_B, double dt_s)
{
    double cap = (double)g->cfg->nodes * g->cfg->node_Bps * dt_s;
    return cap > 0 ? fmin(1, fmax(0, raw_B / cap)) : 0;
}

static void ingest_finish(af_world *w, af_time_ns end_ns)
{
    ingest_state *s = ingest_of(w);
    for (size_t i = 0; i < s->n; i++) {
        ingest *g = &s->ing[i];
        rate_cut(g, af_time_to_s(end_ns), false, 0);
        ingest_account(g, end_ns);
        if (g->out_full)
            g->full_ns += end_ns - g->full_since_ns;
        g->out_full = false;
        w->ingest_busy[i] = ingest_util(g, g->processed_B, w->cfg->duration_s);
    }
}

/* How soon tier t fills at net_Bps from its room at the end: the time-to-full metric when it
 * fills, else the "never" text. */
static void ingest_report_full(const af_tier_state *t, double net_Bps, af_metric_id in_id,
                               af_metric_id never_id, const char *nm, af_results *r)
{
    double room = t->usable_B - t->used_B;
    if (room <= 0)
        af_results_put(r, in_id, nm, 0);
    else if (net_Bps > 0 && isfinite(room / net_Bps))
        af_results_put(r, in_id, nm, room / net_Bps);
    else
        af_results_put_text(r, never_id, nm,
                            net_Bps < 0 ? "never: it drains at the end's rates"
                                        : "never: it does not fill at the end's rates");
}

static void ingest_report(const af_world *w, af_results *r)
{
    ingest_state *s = ingest_of(w);
    const af_world_config *cfg = w->cfg;
    double T = cfg->duration_s;
    for (size_t i = 0; i < s->n; i++) {
        const ingest *g = &s->ing[i];
        const af_ingest_config *c = g->cfg;
        const char *nm = c->name;
        double offered = g->queue_in_B + (g->rated ? af_arrivals_expected(&c->source, 0, T) : 0);
        double backlog = g->landed_B - g->processed_B;
        double cap = (double)c->nodes * c->node_Bps;
        af_results_put(r, AF_M_INGEST_OFFERED, nm, offered);
        af_results_put(r, AF_M_INGEST_LANDED, nm, g->landed_B);
        af_results_put(r, AF_M_INGEST_REJECTED, nm, g->rejected_B);
        af_results_put(r, AF_M_INGEST_LANDED_RATE, nm, g->landed_B / T);
        af_results_put(r, AF_M_INGEST_BACKLOG, nm, backlog);
        af_results_put(r, AF_M_INGEST_BACKLOG_MEAN, nm, g->backlog_Bs / T);
        af_results_put(r, AF_M_INGEST_BACKLOG_PEAK, nm, g->backlog_peak_B);
        if (c->nodes > 0) {
            af_results_put(r, AF_M_INGEST_PROCESSED, nm, g->processed_B);
            af_results_put(r, AF_M_INGEST_OUTPUT, nm, g->output_B);
            af_results_put(r, AF_M_INGEST_CAPACITY, nm, cap);
            double power = (double)c->nodes * af_server_power_W(&c->server, w->ingest_busy[i]);
            af_results_put(r, AF_M_INGEST_UTIL, nm, w->ingest_busy[i]);
            af_results_put(r, AF_M_INGEST_POWER, nm, power);
            af_results_put(r, AF_M_INGEST_ENERGY, nm, power * T);
            af_results_put(r, AF_M_INGEST_OUT_FULL, nm, af_time_to_s(g->full_ns) / T);
        }
        /* The fill rates the end's transfers set: the landing rate less what the preprocessing
         * takes away, which is the read's rate while a backlog of more than one read waits, and
         * otherwise the landing rate (it keeps up) up to what the nodes can do. */
        double proc = 0;
        if (c->nodes > 0 && !(g->out_full && backlog >= INGEST_MIN_B)) {
            if (backlog > (double)c->nodes * c->chunk_B)
                proc = g->end_proc_live ? g->end_proc_Bps : 0;
            else
                proc = fmin(g->end_land_Bps, g->end_proc_live ? g->end_proc_Bps : cap);
        }
        double land_net = g->end_land_Bps - (c->keep_raw ? 0 : proc);
        double out_net = c->ratio * proc;
        if (g->out == g->land)
            land_net = out_net = land_net + out_net;
        af_results_put(r, AF_M_INGEST_LANDING_FILL, nm, g->land->used_B / g->land->usable_B);
        ingest_report_full(g->land, land_net, AF_M_INGEST_LANDING_FULL_IN,
                           AF_M_INGEST_LANDING_NEVER, nm, r);
        if (c->nodes > 0) {
            af_results_put(r, AF_M_INGEST_OUTPUT_FILL, nm, g->out->used_B / g->out->usable_B);
            ingest_report_full(g->out, out_net, AF_M_INGEST_OUTPUT_FULL_IN,
                               AF_M_INGEST_OUTPUT_NEVER, nm, r);
        }
        if (c->feeds != AF_WORLD_NONE) {
            /* Every ingest feeding the job adds to its data set. */
            double added = 0;
            for (size_t j = 0; j < s->n; j++)
                if (s->ing[j].cfg->feeds == c->feeds)
                    added += s->ing[j].output_B;
            double all = cfg->trains[c->feeds].dataset_B + added;
            af_results_put(r, AF_M_INGEST_FRESH, nm, g->output_B);
            af_results_put(r, AF_M_INGEST_FRESH_SHARE, nm, all > 0 ? added / all : 0);
        }
    }
}

static void ingest_sample(af_world *w, af_results *r, double dt)
{
    ingest_state *s = ingest_of(w);
    for (size_t i = 0; i < s->n; i++) {
        ingest *g = &s->ing[i];
        const char *nm = g->cfg->name;
        double landed = ingest_landed_now(g), processed = ingest_processed_now(g);
        af_world_series(w, r, "ingest", nm, "backlog", AF_DIM_SIZE, "backlog", landed - processed);
        af_world_series(w, r, "ingest", nm, "landed_rate", AF_DIM_BANDWIDTH, "landed",
                        (landed - g->snap_landed_B) / dt);
        af_world_series(w, r, "ingest", nm, "processed_rate", AF_DIM_BANDWIDTH, "processed",
                        (processed - g->snap_processed_B) / dt);
        w->win_ingest_util[i] = ingest_util(g, processed - g->snap_processed_B, dt);
        if (g->cfg->nodes > 0)
            af_world_series(w, r, "ingest", nm, "process_power", AF_DIM_POWER, "power",
                            (double)g->cfg->nodes *
                                af_server_power_W(&g->cfg->server, w->win_ingest_util[i]));
        g->snap_landed_B = landed;
        g->snap_processed_B = processed;
    }
}

static void ingest_free(af_world *w)
{
    ingest_state *s = ingest_of(w);
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        af_free(s->ing[i].marks);
        af_free(s->ing[i].adds);
    }
    af_free(s->ing);
    af_free(s);
    w->kind[AF_WL_INGEST] = NULL;
}

const af_wl_kind af_wl_ingest = {
    .name = "ingest",
    .count = ingest_count,
    .instance = ingest_instance,
    .build = ingest_build,
    .events = ingest_events,
    .weigh = ingest_weigh,
    .start = ingest_start,
    .load_changed = ingest_load_changed,
    .finish = ingest_finish,
    .report = ingest_report,
    .sample = ingest_sample,
    .free = ingest_free,
};
