/*
 * world: builds the simulated world from an af_world_config, runs it and reports.
 *
 * What is simulated (issue "Foundation"): each training job is one group of N identical GPUs
 * moving in lock-step. Its data loader fetches one batch for the whole group at a time
 * (N * batch_B bytes) and keeps up to `prefetch` batches ready. A step starts when a batch is
 * ready, takes compute_s, and consumes that batch; with none ready the GPUs wait for data.
 *
 * Storage sharing: all fetches in flight on a tier share its read bandwidth (nodes x the lesser
 * of devices and NICs per node) by weighted max-min fairness with one weight per GPU, each job
 * capped by its pool's storage NICs (progressive filling on one resource). Rates change only when
 * a fetch starts or ends; then the tier's progress is brought up to date, rates are recomputed and
 * the completions of the fetches in flight on that tier are rescheduled (cancel + schedule).
 *
 * Time attribution: every second of a job is either computing or waiting for data, so
 * utilization + data wait = 1 exactly. In steady state with fetch time f = N * batch_B / B and
 * compute time c, utilization = min(1, c / f) = min(1, B / (N * demand)) with demand =
 * batch_B / c (../shared/reference/formulas.md, "Storage sizing").
 *
 * Power follows utilization linearly (model/gpu.h); energy, capital, and space costs add up to
 * the total by construction, which the tests check.
 */
#include "workload/world.h"

#include "base/alloc.h"
#include "engine/sim.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Default event budget when the scenario gives none: about a minute of engine time. */
#define AF_WORLD_DEFAULT_EVENTS 200000000ULL

typedef struct af_tier_state af_tier_state;
typedef struct af_world af_world;

/* A training job in flight. */
typedef struct af_job {
    const af_train_config *cfg; /* configuration (borrowed) */
    af_world *world;            /* owner */
    af_tier_state *tier;        /* tier the data set lives on */
    size_t pool;                /* index of the pool */
    double gpus;                /* GPUs in the group */
    af_time_ns compute_ns;      /* compute time of one step */
    double group_B;             /* bytes the group reads per batch: gpus * batch_B */
    double cap_Bps;             /* storage read cap of the pool's NICs, bytes/s */
    int ready;                  /* batches loaded and waiting for a step */
    bool fetching;              /* a batch fetch is in flight */
    double fetch_left_B;        /* bytes left of the fetch in flight */
    double rate_Bps;            /* current rate of the fetch in flight */
    af_event_id fetch_ev;       /* completion event of the fetch in flight */
    bool computing;             /* a step is running (else the GPUs wait for data) */
    af_time_ns since_ns;        /* when the current computing/waiting state began */
    af_time_ns compute_total_ns; /* time spent computing */
    af_time_ns wait_total_ns;   /* time spent waiting for data */
    uint64_t steps;             /* completed steps */
    double read_B;              /* bytes delivered to the job */
} af_job;

/* A storage tier in flight. */
struct af_tier_state {
    const af_tier_config *cfg; /* configuration (borrowed) */
    double read_Bps;           /* aggregate read bandwidth, bytes/s */
    af_time_ns last_ns;        /* time up to which progress has been applied */
    double read_B;             /* bytes delivered */
};

struct af_world {
    const af_world_config *cfg; /* configuration (borrowed) */
    af_sim *sim;                /* engine */
    af_job *jobs;               /* one per training job */
    af_tier_state *tiers;       /* one per tier */
    af_job **scratch;           /* njobs pointers, for rate computation without allocation */
};

/* Applies the progress of every fetch on tier t between t->last_ns and now. */
static void af_tier_advance(af_world *w, af_tier_state *t, af_time_ns now)
{
    double dt = (double)(now - t->last_ns) * 1e-9;
    t->last_ns = now;
    if (dt <= 0)
        return;
    for (size_t j = 0; j < w->cfg->ntrains; j++) {
        af_job *job = &w->jobs[j];
        if (job->tier != t || !job->fetching)
            continue;
        double got = job->rate_Bps * dt;
        if (got > job->fetch_left_B)
            got = job->fetch_left_B;
        job->fetch_left_B -= got;
        job->read_B += got;
        t->read_B += got;
    }
}

static void af_fetch_done(af_sim *sim, void *ctx, uint64_t arg);

/* Recomputes the rates of the fetches on tier t (weighted max-min with caps, one resource) and
 * reschedules their completions. Call after af_tier_advance. */
static void af_tier_reshare(af_world *w, af_tier_state *t)
{
    size_t n = 0;
    double weight = 0;
    for (size_t j = 0; j < w->cfg->ntrains; j++) {
        af_job *job = &w->jobs[j];
        if (job->tier == t && job->fetching) {
            w->scratch[n++] = job;
            weight += job->gpus;
        }
    }
    /* Progressive filling: serve jobs in order of cap per unit weight; a job whose cap lies
     * below the fair level gets its cap and leaves the rest to the others. Insertion sort keeps
     * the order deterministic (ties stay in declaration order). */
    for (size_t i = 1; i < n; i++) {
        af_job *x = w->scratch[i];
        size_t k = i;
        while (k > 0 && w->scratch[k - 1]->cap_Bps / w->scratch[k - 1]->gpus >
                            x->cap_Bps / x->gpus) {
            w->scratch[k] = w->scratch[k - 1];
            k--;
        }
        w->scratch[k] = x;
    }
    double left = t->read_Bps;
    for (size_t i = 0; i < n; i++) {
        af_job *job = w->scratch[i];
        double fair = left * job->gpus / weight;
        job->rate_Bps = job->cap_Bps < fair ? job->cap_Bps : fair;
        left -= job->rate_Bps;
        weight -= job->gpus;
        if (left < 0)
            left = 0;
    }
    af_time_ns now = af_sim_now(w->sim);
    for (size_t i = 0; i < n; i++) {
        af_job *job = w->scratch[i];
        af_sim_cancel(w->sim, job->fetch_ev);
        job->fetch_ev = (af_event_id){0, 0};
        if (job->rate_Bps <= 0)
            continue;
        double dt_ns = ceil(job->fetch_left_B / job->rate_Bps * 1e9);
        af_time_ns due = dt_ns < (double)(AF_TIME_MAX - now) ? now + (af_time_ns)dt_ns
                                                              : AF_TIME_MAX;
        job->fetch_ev = af_sim_at(w->sim, due, af_fetch_done, job, 0);
    }
}

/* Starts the next batch fetch of a job if the loader has room; returns true if one started.
 * The caller advances and reshares the tier. */
static bool af_job_maybe_fetch(af_job *job)
{
    if (job->fetching || job->ready >= job->cfg->prefetch)
        return false;
    job->fetching = true;
    job->fetch_left_B = job->group_B;
    job->rate_Bps = 0;
    return true;
}

static void af_step_done(af_sim *sim, void *ctx, uint64_t arg);

/* Closes the current state's time slice at now. */
static void af_job_account(af_job *job, af_time_ns now)
{
    af_time_ns dt = now - job->since_ns;
    if (job->computing)
        job->compute_total_ns += dt;
    else
        job->wait_total_ns += dt;
    job->since_ns = now;
}

/* Starts a step with a ready batch. Returns true if the loader started a fetch. */
static bool af_job_start_step(af_job *job)
{
    af_sim *sim = job->world->sim;
    af_job_account(job, af_sim_now(sim));
    job->ready--;
    job->computing = true;
    af_sim_after(sim, job->compute_ns, af_step_done, job, 0);
    return af_job_maybe_fetch(job);
}

static void af_step_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_job *job = ctx;
    af_job_account(job, af_sim_now(sim));
    job->computing = false;
    job->steps++;
    if (job->ready > 0 && af_job_start_step(job)) {
        af_tier_advance(job->world, job->tier, af_sim_now(sim));
        af_tier_reshare(job->world, job->tier);
    }
}

static void af_fetch_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_job *job = ctx;
    af_world *w = job->world;
    af_time_ns now = af_sim_now(sim);
    af_tier_advance(w, job->tier, now);
    /* The completion was scheduled for when the bytes run out; rounding to whole nanoseconds may
     * leave a sliver, which belongs to this fetch. */
    job->read_B += job->fetch_left_B;
    job->tier->read_B += job->fetch_left_B;
    job->fetch_left_B = 0;
    job->fetching = false;
    job->fetch_ev = (af_event_id){0, 0};
    job->ready++;
    if (!job->computing)
        af_job_start_step(job);
    af_job_maybe_fetch(job);
    af_tier_reshare(w, job->tier);
}

static double af_min(double a, double b)
{
    return a < b ? a : b;
}

/* Writes one metric named "<a>.<b>.<c>". */
static void af_put(af_results *r, const char *a, const char *b, const char *c, double v,
                   af_dim dim, const char *label)
{
    char name[256];
    if (b)
        snprintf(name, sizeof name, "%s.%s.%s", a, b, c);
    else
        snprintf(name, sizeof name, "%s.%s", a, c);
    af_results_set(r, name, v, dim, label);
}

/* Computes and stores every metric of the finished run. */
static void af_world_report(const af_world *w, af_results *r)
{
    const af_world_config *cfg = w->cfg;
    double T = cfg->duration_s;
    const af_facility_spec *fac = &cfg->facility;

    af_put(r, "run", NULL, "duration", T, AF_DIM_TIME, "simulated time");
    af_put(r, "run", NULL, "seed", (double)cfg->seed, AF_DIM_COUNT, "seed");
    af_put(r, "run", NULL, "events", (double)af_sim_events_run(w->sim), AF_DIM_COUNT,
           "events executed");

    double useful_gpu_s = 0;
    for (size_t j = 0; j < cfg->ntrains; j++) {
        const af_job *job = &w->jobs[j];
        const char *nm = job->cfg->name;
        double compute_s = (double)job->compute_total_ns * 1e-9;
        double wait_s = (double)job->wait_total_ns * 1e-9;
        double util = compute_s / T;
        double demand = af_train_batch_B(job->cfg) / ((double)job->compute_ns * 1e-9);
        useful_gpu_s += compute_s * job->gpus;
        af_put(r, "train", nm, "gpus", job->gpus, AF_DIM_COUNT, "GPUs");
        af_put(r, "train", nm, "gpu_utilization", util, AF_DIM_RATIO, "computing");
        af_put(r, "train", nm, "data_wait", wait_s / T, AF_DIM_RATIO, "waiting for data");
        af_put(r, "train", nm, "steps", (double)job->steps, AF_DIM_COUNT, "steps completed");
        af_put(r, "train", nm, "compute_time_per_step", (double)job->compute_ns * 1e-9,
               AF_DIM_TIME, "compute time per step");
        af_put(r, "train", nm, "time_per_step", job->steps ? T / (double)job->steps : 0,
               AF_DIM_TIME, "wall time per step");
        af_put(r, "train", nm, "samples_per_second",
               (double)job->steps * job->cfg->samples_per_gpu * job->gpus / T, AF_DIM_RATE,
               "samples per second");
        af_put(r, "train", nm, "read_demand_per_gpu", demand, AF_DIM_BANDWIDTH,
               "read demand per GPU");
        af_put(r, "train", nm, "read_rate_per_gpu", job->read_B / job->gpus / T,
               AF_DIM_BANDWIDTH, "read rate per GPU");
        af_put(r, "train", nm, "client_bandwidth", job->cap_Bps, AF_DIM_BANDWIDTH,
               "pool storage NIC bandwidth");
        af_put(r, "train", nm, "storage_bandwidth", job->tier->read_Bps, AF_DIM_BANDWIDTH,
               "tier read bandwidth");
    }

    double it_W = 0, it_max_W = 0, capital_usd = 0, rack_u = 0, gpus_total = 0;
    for (size_t p = 0; p < cfg->npools; p++) {
        const af_pool_config *pc = &cfg->pools[p];
        double u = 0;
        for (size_t j = 0; j < cfg->ntrains; j++)
            if (w->jobs[j].pool == p)
                u = (double)w->jobs[j].compute_total_ns * 1e-9 / T;
        double nodes = (double)pc->nodes;
        double gpus = nodes * pc->node.gpus;
        double power = nodes * af_node_power_W(&pc->node, u);
        gpus_total += gpus;
        it_W += power;
        it_max_W += nodes * pc->node.max_power_W;
        capital_usd += nodes * pc->node.price_usd;
        rack_u += nodes * pc->node.rack_units;
        af_put(r, "pool", pc->name, "gpus", gpus, AF_DIM_COUNT, "GPUs");
        af_put(r, "pool", pc->name, "gpu_utilization", u, AF_DIM_RATIO, "GPU utilization");
        af_put(r, "pool", pc->name, "power", power, AF_DIM_POWER, "average power");
        af_put(r, "pool", pc->name, "energy", power * T, AF_DIM_ENERGY, "IT energy");
    }
    for (size_t t = 0; t < cfg->ntiers; t++) {
        const af_tier_state *ts = &w->tiers[t];
        const af_storage_spec *s = &ts->cfg->system;
        double nodes = (double)ts->cfg->nodes;
        double rate = ts->read_B / T;
        double busy = ts->read_Bps > 0 ? af_min(1, rate / ts->read_Bps) : 0;
        double dev_W = s->device_idle_W + busy * (s->device_active_W - s->device_idle_W);
        double power = nodes * (s->overhead_W + s->devices * dev_W);
        it_W += power;
        it_max_W += nodes * (s->overhead_W + s->devices * s->device_active_W);
        capital_usd += nodes * s->price_usd;
        rack_u += nodes * s->rack_units;
        const char *nm = ts->cfg->name;
        af_put(r, "storage", nm, "read_rate", rate, AF_DIM_BANDWIDTH, "delivered read rate");
        af_put(r, "storage", nm, "read_bandwidth", ts->read_Bps, AF_DIM_BANDWIDTH,
               "read bandwidth");
        af_put(r, "storage", nm, "read_utilization", busy, AF_DIM_RATIO, "busy reading");
        af_put(r, "storage", nm, "read_bytes", ts->read_B, AF_DIM_SIZE, "bytes read");
        double used = 0;
        for (size_t j = 0; j < cfg->ntrains; j++)
            if (cfg->trains[j].tier == t)
                used += cfg->trains[j].dataset_B;
        af_put(r, "storage", nm, "usable_capacity", nodes * af_storage_node_usable_B(s),
               AF_DIM_SIZE, "usable capacity");
        af_put(r, "storage", nm, "used_capacity", used, AF_DIM_SIZE, "data sets stored");
        af_put(r, "storage", nm, "power", power, AF_DIM_POWER, "average power");
    }

    double fac_W = it_W * fac->pue;
    double energy_J = fac_W * T;
    double racks = ceil(fmax(rack_u / fac->rack_units, it_max_W / fac->rack_power_W));
    double capex_run = capital_usd * T / fac->amortization_s;
    double energy_usd = energy_J * fac->energy_price_usd_J;
    double space_usd = racks * fac->space_usd_s_per_rack * T;
    double total_usd = capex_run + energy_usd + space_usd;
    af_put(r, "facility", NULL, "it_power", it_W, AF_DIM_POWER, "IT power");
    af_put(r, "facility", NULL, "power", fac_W, AF_DIM_POWER, "facility power (PUE)");
    af_put(r, "facility", NULL, "energy", energy_J, AF_DIM_ENERGY, "facility energy");
    af_put(r, "facility", NULL, "racks", racks, AF_DIM_COUNT, "racks");
    af_put(r, "cost", NULL, "capital", capex_run, AF_DIM_MONEY, "capital (amortized)");
    af_put(r, "cost", NULL, "energy", energy_usd, AF_DIM_MONEY, "energy");
    af_put(r, "cost", NULL, "space", space_usd, AF_DIM_MONEY, "space and upkeep");
    af_put(r, "cost", NULL, "total", total_usd, AF_DIM_MONEY, "total");
    af_put(r, "cost", NULL, "per_hour", total_usd / T, AF_DIM_HOURLY_PRICE, "per hour");
    if (useful_gpu_s > 0)
        af_put(r, "cost", NULL, "per_useful_gpu_hour", total_usd / useful_gpu_s,
               AF_DIM_HOURLY_PRICE, "per useful GPU-hour");
    (void)gpus_total;
}

int af_world_run(const af_world_config *cfg, af_results *res, af_diag *d)
{
    int rc = AF_OK;
    af_world w = {.cfg = cfg};
    w.sim = af_sim_new(64);
    w.jobs = af_calloc(cfg->ntrains, sizeof(af_job));
    w.tiers = af_calloc(cfg->ntiers, sizeof(af_tier_state));
    w.scratch = af_calloc(cfg->ntrains, sizeof(af_job *));

    for (size_t t = 0; t < cfg->ntiers; t++) {
        w.tiers[t].cfg = &cfg->tiers[t];
        w.tiers[t].read_Bps = (double)cfg->tiers[t].nodes *
                              af_storage_node_read_Bps(&cfg->tiers[t].system);
    }
    for (size_t j = 0; j < cfg->ntrains; j++) {
        const af_train_config *tc = &cfg->trains[j];
        const af_pool_config *pc = &cfg->pools[tc->pool];
        af_job *job = &w.jobs[j];
        double peak = tc->precision == AF_PREC_FP8 ? pc->node.gpu.fp8_flops
                                                   : pc->node.gpu.bf16_flops;
        job->cfg = tc;
        job->world = &w;
        job->tier = &w.tiers[tc->tier];
        job->pool = tc->pool;
        job->gpus = (double)pc->nodes * pc->node.gpus;
        double compute_s = af_train_compute_s(tc, job->gpus, peak);
        if (!(compute_s >= 1e-9) || !isfinite(compute_s) || compute_s > 1e9) {
            af_diag_error(d, "train job \"%s\": compute time per step of %g s is out of range "
                             "(1 ns to 1e9 s); check step_time, params, tokens_per_step, mfu "
                             "and the GPU's peak",
                          tc->name, compute_s);
            rc = AF_EINPUT;
            continue;
        }
        job->compute_ns = (af_time_ns)llround(compute_s * 1e9);
        job->group_B = job->gpus * af_train_batch_B(tc);
        job->cap_Bps = (double)pc->nodes * af_node_storage_Bps(&pc->node);
    }
    /* The data sets must fit on their tiers. */
    for (size_t t = 0; t < cfg->ntiers; t++) {
        double need = 0;
        for (size_t j = 0; j < cfg->ntrains; j++)
            if (cfg->trains[j].tier == t)
                need += cfg->trains[j].dataset_B;
        double have = (double)cfg->tiers[t].nodes * af_storage_node_usable_B(&cfg->tiers[t].system);
        if (need > have) {
            af_diag_error(d, "storage tier \"%s\": the data sets placed on it need %.4g TB but "
                             "its %lld nodes hold %.4g TB usable; add nodes or move a data set",
                          cfg->tiers[t].name, need / 1e12, (long long)cfg->tiers[t].nodes,
                          have / 1e12);
            rc = AF_EINPUT;
        }
    }
    if (rc != AF_OK)
        goto done;

    /* Refuse up front a run that certainly cannot fit its event budget, rather than spending
     * the budget to find out. Each step costs a step event and a fetch completion, and each
     * fetch start or end reschedules the fetches of the other jobs on the same tier, so the work
     * of a step grows with the number of jobs sharing its tier. The estimate (steps x jobs on
     * the tier) is a lower bound of that work; a run that passes it may still spend its budget
     * and then stops with its own message. */
    uint64_t budget = cfg->max_events ? cfg->max_events : AF_WORLD_DEFAULT_EVENTS;
    double steps = 0, work = 0;
    for (size_t j = 0; j < cfg->ntrains; j++) {
        double n = cfg->duration_s / ((double)w.jobs[j].compute_ns * 1e-9);
        double sharing = 0;
        for (size_t k = 0; k < cfg->ntrains; k++)
            sharing += cfg->trains[k].tier == cfg->trains[j].tier;
        steps += n;
        work += n * sharing;
    }
    if (work > (double)budget) {
        af_diag_error(d, "this run needs at least %.3g events and reschedules (%.3g training "
                         "steps), more than its event budget of %llu; raise max_events or "
                         "shorten the duration",
                      work, steps, (unsigned long long)budget);
        rc = AF_EIO;
        goto done;
    }

    /* Every loader starts fetching at time 0. */
    for (size_t j = 0; j < cfg->ntrains; j++)
        af_job_maybe_fetch(&w.jobs[j]);
    for (size_t t = 0; t < cfg->ntiers; t++)
        af_tier_reshare(&w, &w.tiers[t]);

    double end_s = cfg->duration_s * 1e9;
    af_time_ns end_ns = end_s >= (double)AF_TIME_MAX ? AF_TIME_MAX : (af_time_ns)llround(end_s);
    af_run_status st = af_sim_run(w.sim, end_ns, budget);
    if (st == AF_RUN_BUDGET) {
        af_diag_error(d, "the event budget of %llu events ran out at %.6g s of %.6g s simulated; "
                         "raise max_events or shorten the duration",
                      (unsigned long long)budget, (double)af_sim_now(w.sim) * 1e-9,
                      cfg->duration_s);
        rc = AF_EIO;
        goto done;
    }
    for (size_t t = 0; t < cfg->ntiers; t++)
        af_tier_advance(&w, &w.tiers[t], end_ns);
    for (size_t j = 0; j < cfg->ntrains; j++)
        af_job_account(&w.jobs[j], end_ns);
    af_world_report(&w, res);

done:
    af_free(w.scratch);
    af_free(w.tiers);
    af_free(w.jobs);
    af_sim_free(w.sim);
    return rc;
}
