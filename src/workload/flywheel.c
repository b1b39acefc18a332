/*
 * flywheel: the data flywheel kind of the world (af_flywheel_config): a serving workload's
 * answered requests log bytes into an ingest, whose preprocessing turns them into training data;
 * retraining, triggered by time or by the volume of new training data, runs a held training job
 * for a number of steps, and when that fine-tune ends the served model is refreshed.
 *
 * Logs. Every answered request (LLM turn) logs log_B bytes. A log shipper sends what has gathered
 * every flush_s (one event, not one per request): the bytes are added to the ingest's landing
 * stream (af_ingest_add), where they land and are preprocessed as the ingest's own source is.
 *
 * Triggers. Time: every_s after the last fine-tune started (the first at every_s). Volume: at a
 * flush, once the ingest has made new_data_B of training data (ratio x raw bytes processed) since
 * the last fine-tune started. A fine-tune trains `steps` more steps of the held job
 * (af_train_run_more); a trigger while one runs is remembered, at most one, and starts the next
 * fine-tune when it ends (af_train_on_done). The held job's idle time is its own idle share.
 *
 * Freshness. A fine-tune learns the data processed when it starts: the raw bytes the ingest has
 * processed then, read in landing order, so the newest of them landed at af_ingest_landed_s of
 * that count. When it ends, the served model holds data that new; until then the older model
 * serves. The data freshness at t is t - (when the newest data in the served model landed); the
 * model at time 0 counts as fresh then, so it grows from 0 until the first refresh. Between
 * events it grows at one second per second, so its time integral is exact: a sum of trapezoids
 * at the refreshes (doc/formulas.md, "Data flywheel", for the sawtooth of periodic retraining).
 *
 * Costs: the fine-tunes' time from start to end (the job holds its whole pool meanwhile) as GPU
 * time and as a share of the pool's, and the logs' share of the bytes written to the landing tier:
 * the logs that landed (af_ingest_added_landed_B), not those shipped, which may have been rejected
 * for want of room or still wait in the ingest's queue at the end. Flywheels that log into one
 * ingest share what landed in proportion to what each shipped.
 * Events: one per flush and per time trigger, plus the ingest's for the logs (two per chunk and a
 * read), counted in the flywheel's estimate as af_ingest_add asks.
 */
#include "base/alloc.h"
#include "base/metrics.h"
#include "base/trace.h"
#include "workload/world_int.h"

#include <assert.h>
#include <math.h>

typedef struct fly {
    const af_flywheel_config *cfg;
    af_world *world;
    double gpus;    /* GPUs of the fine-tune job's pool */
    double ratio;   /* the ingest's training bytes per raw byte */
    size_t landing; /* the ingest's landing tier */
    uint32_t track; /* its timeline track when the run records one */
    /* logs */
    af_timer flush;        /* the next shipment */
    double served_shipped; /* requests whose logs were shipped */
    double shipped_B;      /* bytes of logs shipped, B */
    /* retraining */
    af_timer due;        /* the time trigger */
    bool running;        /* a fine-tune is in flight */
    bool pending;        /* a trigger waits for it to end */
    af_time_ns start_ns; /* when the fine-tune in flight started */
    double base_raw_B;   /* raw bytes the ingest had processed then, B */
    double run_land_s;   /* when the newest of them landed, s */
    uint64_t started, completed, by_time, by_data;
    double busy_s;       /* fine-tunes' time, start to end (or the end of the run), s */
    double done_s;       /* of which the completed ones', s */
    af_time_ns first_ns; /* the first refresh (valid when completed > 0) */
    af_time_ns last_ns;  /* the last refresh */
    /* freshness */
    double model_land_s; /* when the newest data in the served model landed, s */
    af_time_ns acc_ns;   /* the integral is accounted up to here */
    double area_s2;      /* the freshness's integral up to acc_ns, s^2 */
    double snap_area_s2; /* at the last window's end, s^2 */
} fly;

typedef struct fly_state {
    fly *f;
    size_t n;
} fly_state;

static fly_state *fly_of(const af_world *w)
{
    return w->kind[AF_WL_FLYWHEEL];
}

/* Brings the freshness's integral up to now: it rises at one second per second since acc_ns. */
static void fly_account(fly *f, af_time_ns now)
{
    double t0 = af_time_to_s(f->acc_ns), t1 = af_time_to_s(now);
    f->area_s2 += (t1 - t0) * (0.5 * (t0 + t1) - f->model_land_s);
    f->acc_ns = now;
}

/* Arms timer t at now + after_s when that is before the end of the run. */
static void fly_arm(fly *f, af_timer t, double after_s)
{
    af_world *w = f->world;
    af_time_ns at = af_time_add(af_sim_now(w->sim), af_time_from_s(after_s));
    if (at < w->end_ns)
        af_sim_timer_set(w->sim, t, at);
    else
        af_sim_timer_clear(w->sim, t);
}

/* Starts a fine-tune now on the data processed so far. */
static void fly_start(fly *f)
{
    af_world *w = f->world;
    const af_flywheel_config *c = f->cfg;
    af_time_ns now = af_sim_now(w->sim);
    f->running = true;
    f->started++;
    f->start_ns = now;
    f->base_raw_B = af_ingest_processed_B(w, c->to);
    f->run_land_s = af_ingest_landed_s(w, c->to, f->base_raw_B);
    if (c->every_s > 0)
        fly_arm(f, f->due, c->every_s);
    if (w->cfg->trace)
        af_trace_instant(w->cfg->trace, f->track, "fine-tune started", now);
    af_train_run_more(w, c->job, c->steps);
}

/* A trigger: starts a fine-tune, or remembers one while one runs. Returns whether it did either
 * (false: one was already waiting). */
static bool fly_trigger(fly *f)
{
    if (!f->running) {
        fly_start(f);
        return true;
    }
    if (f->pending)
        return false;
    f->pending = true;
    return true;
}

/* The training bytes made since the last fine-tune started have reached new_data_B. */
static bool fly_enough_data(const fly *f)
{
    const af_flywheel_config *c = f->cfg;
    return c->new_data_B > 0 &&
           f->ratio * (af_ingest_processed_B(f->world, c->to) - f->base_raw_B) >= c->new_data_B;
}

/* A flush: ships the logs gathered since the last, then looks at the volume trigger. */
static void fly_flush(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    fly *f = ctx;
    const af_flywheel_config *c = f->cfg;
    double served = af_infer_served(f->world, c->from);
    double bytes = (served - f->served_shipped) * c->log_B;
    f->served_shipped = served;
    if (bytes > 0) {
        f->shipped_B += bytes;
        af_ingest_add(f->world, c->to, bytes);
    }
    if (!f->pending && fly_enough_data(f) && fly_trigger(f))
        f->by_data++;
    fly_arm(f, f->flush, c->flush_s);
}

/* The time trigger. */
static void fly_due(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    fly *f = ctx;
    if (fly_trigger(f))
        f->by_time++;
}

/* The fine-tune reached its steps (the job idles again): the served model is refreshed. */
static void fly_refresh(af_world *w, void *ctx, size_t j)
{
    (void)j;
    fly *f = ctx;
    af_time_ns now = af_sim_now(w->sim);
    fly_account(f, now);
    f->running = false;
    if (f->completed++ == 0)
        f->first_ns = now;
    f->last_ns = now;
    double dur = af_time_to_s(now - f->start_ns);
    f->busy_s += dur;
    f->done_s += dur;
    if (f->run_land_s > f->model_land_s)
        f->model_land_s = f->run_land_s;
    if (w->cfg->trace)
        af_trace_instant(w->cfg->trace, f->track, "model refreshed", now);
    if (f->pending) {
        f->pending = false;
        fly_start(f);
    }
}

/* ---- the kind's operations ------------------------------------------------------------------ */

static size_t fly_count(const af_world_config *cfg)
{
    return cfg->nflywheels;
}

static const char *fly_instance(const af_world_config *cfg, size_t i)
{
    return cfg->flywheels[i].name;
}

static int fly_build(af_world *w, af_diag *d)
{
    (void)d;
    const af_world_config *cfg = w->cfg;
    fly_state *s = af_calloc(1, sizeof *s);
    w->kind[AF_WL_FLYWHEEL] = s;
    s->n = cfg->nflywheels;
    s->f = af_calloc(s->n ? s->n : 1, sizeof *s->f);
    for (size_t i = 0; i < s->n; i++) {
        const af_flywheel_config *c = &cfg->flywheels[i];
        /* The scenario layer resolves and checks the references. */
        assert(c->from < cfg->ninfers && c->to < cfg->ningests && c->job < cfg->ntrains);
        assert(cfg->trains[c->job].held && cfg->ingests[c->to].nodes > 0);
        assert(c->log_B > 0 && c->flush_s > 0 && c->steps > 0);
        assert(c->every_s > 0 || c->new_data_B > 0);
        fly *f = &s->f[i];
        const af_pool_config *pc = &cfg->pools[cfg->trains[c->job].pool];
        f->cfg = c;
        f->world = w;
        f->gpus = (double)pc->nodes * pc->node.gpus;
        f->ratio = cfg->ingests[c->to].ratio;
        f->landing = cfg->ingests[c->to].landing;
        f->flush = af_sim_timer_new(w->sim, fly_flush, f, 0);
        f->due = af_sim_timer_new(w->sim, fly_due, f, 0);
        if (cfg->trace)
            f->track = af_trace_track(cfg->trace, "flywheel", c->name);
        af_ingest_watch(w, c->to);
        af_train_on_done(w, c->job, fly_refresh, f);
    }
    return AF_OK;
}

/* A flush and a time trigger each an event; the logs' chunks two each and a read each, as the
 * ingest's own (one chunk per flush at least, and the ingest's own wait for more); each fine-tune
 * restarts the job's loader, which may fetch prefetch + 1 batches it does not use (two flows each
 * behind a cache). The answered requests are at most the arrivals (an LLM's conversations times
 * their turns), Poisson: mean plus six standard deviations. */
static double fly_events(const af_world *w, size_t i)
{
    const af_world_config *cfg = w->cfg;
    const af_flywheel_config *c = &cfg->flywheels[i];
    const af_infer_config *ic = &cfg->infers[c->from];
    const af_ingest_config *gc = &cfg->ingests[c->to];
    double T = cfg->duration_s;
    double flushes = T / c->flush_s + 1;
    double n =
        af_arrivals_expected(&ic->arrivals, 0, T) * (ic->llm.on ? fmax(1, ic->llm.turns) : 1);
    n += 6 * sqrt(n) + 1;
    double bytes = n * c->log_B;
    double chunks = flushes + bytes / gc->chunk_B;
    double reads = chunks + bytes / ((double)gc->nodes * gc->chunk_B) + 1;
    double tunes = (c->every_s > 0 ? T / c->every_s + 1 : 0) + (c->new_data_B > 0 ? flushes : 0);
    return 2 * flushes + tunes + 2 * chunks + reads +
           tunes * 2 * (cfg->trains[c->job].prefetch + 1);
}

static void fly_start_all(af_world *w)
{
    fly_state *s = fly_of(w);
    for (size_t i = 0; i < s->n; i++) {
        fly *f = &s->f[i];
        fly_arm(f, f->flush, f->cfg->flush_s);
        if (f->cfg->every_s > 0)
            fly_arm(f, f->due, f->cfg->every_s);
    }
}

static void fly_finish(af_world *w, af_time_ns end_ns)
{
    fly_state *s = fly_of(w);
    for (size_t i = 0; i < s->n; i++) {
        fly *f = &s->f[i];
        fly_account(f, end_ns);
        if (f->running)
            f->busy_s += af_time_to_s(end_ns - f->start_ns);
    }
}

/* Bytes of flywheel i's logs that landed: what landed of all the logs shipped to its ingest, in
 * proportion to its part of them. */
static double fly_landed_B(const af_world *w, const fly_state *s, size_t i)
{
    const fly *f = &s->f[i];
    double all = 0;
    for (size_t k = 0; k < s->n; k++)
        if (s->f[k].cfg->to == f->cfg->to)
            all += s->f[k].shipped_B;
    return all > 0 ? af_ingest_added_landed_B(w, f->cfg->to) * (f->shipped_B / all) : 0;
}

static void fly_report(const af_world *w, af_results *r)
{
    fly_state *s = fly_of(w);
    double T = w->cfg->duration_s;
    for (size_t i = 0; i < s->n; i++) {
        const fly *f = &s->f[i];
        const af_flywheel_config *c = f->cfg;
        const char *nm = c->name;
        double written = w->tiers[f->landing].write_B;
        af_results_put(r, AF_M_FLY_LOGGED, nm, af_infer_served(w, c->from) * c->log_B);
        af_results_put(r, AF_M_FLY_SHIPPED, nm, f->shipped_B);
        af_results_put(r, AF_M_FLY_LANDING_SHARE, nm,
                       written > 0 ? fmin(1, fly_landed_B(w, s, i) / written) : 0);
        af_results_put(r, AF_M_FLY_STARTED, nm, (double)f->started);
        if (c->every_s > 0)
            af_results_put(r, AF_M_FLY_BY_TIME, nm, (double)f->by_time);
        if (c->new_data_B > 0)
            af_results_put(r, AF_M_FLY_BY_DATA, nm, (double)f->by_data);
        af_results_put(r, AF_M_FLY_COMPLETED, nm, (double)f->completed);
        if (f->completed > 0)
            af_results_put(r, AF_M_FLY_FINETUNE_TIME, nm, f->done_s / (double)f->completed);
        if (f->completed > 1)
            af_results_put(r, AF_M_FLY_INTERVAL, nm,
                           af_time_to_s(f->last_ns - f->first_ns) / (double)(f->completed - 1));
        af_results_put(r, AF_M_FLY_FRESH_MEAN, nm, f->area_s2 / T);
        af_results_put(r, AF_M_FLY_FRESH_END, nm, T - f->model_land_s);
        af_results_put(r, AF_M_FLY_GPU_TIME, nm, f->busy_s * f->gpus);
        af_results_put(r, AF_M_FLY_GPU_SHARE, nm, f->busy_s / T);
    }
}

/* Time series: the mean data freshness of each window. */
static void fly_sample(af_world *w, af_results *r, double dt)
{
    fly_state *s = fly_of(w);
    af_time_ns now = af_sim_now(w->sim);
    if (now > w->end_ns)
        now = w->end_ns;
    for (size_t i = 0; i < s->n; i++) {
        fly *f = &s->f[i];
        fly_account(f, now);
        af_world_series(w, r, "flywheel", f->cfg->name, "freshness", AF_DIM_TIME, "data freshness",
                        (f->area_s2 - f->snap_area_s2) / dt);
        f->snap_area_s2 = f->area_s2;
    }
}

static void fly_free(af_world *w)
{
    fly_state *s = fly_of(w);
    if (!s)
        return;
    af_free(s->f);
    af_free(s);
    w->kind[AF_WL_FLYWHEEL] = NULL;
}

const af_wl_kind af_wl_flywheel = {
    .name = "flywheel",
    .count = fly_count,
    .instance = fly_instance,
    .build = fly_build,
    .events = fly_events,
    .start = fly_start_all,
    .finish = fly_finish,
    .report = fly_report,
    .sample = fly_sample,
    .free = fly_free,
};
