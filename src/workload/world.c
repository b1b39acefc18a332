/*
 * world: builds the simulated world from an af_world_config, runs it and reports.
 *
 * The world owns the context (the engine, the flow network, the tiers' state, the transfer pool)
 * and the order of things; the workloads are kinds reached through the table below (world_int.h
 * says what each operation does). A run goes:
 *   1. wiring (wiring.c): plan the fabrics, create the NIC and device resources;
 *   2. each kind builds its instances from the configuration, in table order (creating the
 *      fabric-stage resources its paths cross);
 *   3. the data sets must fit their tiers; the event budget must suffice (below);
 *   4. QoS floors (qos.c), then each kind starts; the flow starts at time 0 are reshared once;
 *   5. the engine runs to the end; each kind settles what is in flight and accounts to the end;
 *   6. each kind writes its metrics, then the world writes the pools', tiers' and fabrics' and
 *      rolls power and cost up (model/cost.h).
 *
 * Instants. The flow network reshares once per instant (flow.h, Batching), and the world
 * follows suit: a kind that starts or ends flows, or whose state the load matters to, calls
 * af_world_load_changed, and at the end of the instant the network reshares, telling the owners of
 * the transfers whose rate or bottleneck changed (af_xfer_ops.changed), and then each kind's
 * load_changed looks at the result. So an instant costs what changed in it, not what the world
 * holds: a thousand jobs on one tier cost one job's work per completion.
 *
 * Power follows utilization (model/gpu.h) and the devices' read and write time
 * (af_storage_node_power_W); switches draw their typical power; an ingest's CPU nodes draw
 * between idle and busy by the share of their capacity used (model/server.h). Energy, capital and space costs
 * add up to the total by construction, which the tests check.
 *
 * Event budget. Each kind estimates the events its instances need at most when the GPUs never
 * wait for data (a data-bound job runs fewer steps): a training step is its end, a batch its
 * fetch's completions (the loader's prefetch fetches ahead of the steps), a look-up its arrival
 * and completion (Poisson: mean plus six standard deviations), a burst its time, completion
 * and drain. A
 * run whose estimate exceeds its budget is refused up front, by `validate` as by `run`, with the
 * workload that dominates the count named; a run that passes can still run out on an estimate
 * that was low, and says so with the same detail.
 */
#include "workload/world_int.h"

#include "base/alloc.h"
#include "base/metrics.h"
#include "base/trace.h"
#include "model/cost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Default event budget when the scenario gives none: about a minute of engine time. */
#define WORLD_DEFAULT_EVENTS 200000000ULL

const af_wl_kind *const af_world_kinds[AF_WL__COUNT] = {
    [AF_WL_TRAIN] = &af_wl_train,
    [AF_WL_BURST] = &af_wl_burst,
    [AF_WL_LOOKUP] = &af_wl_lookup,
    [AF_WL_INFER] = &af_wl_infer,
    [AF_WL_INGEST] = &af_wl_ingest,
    [AF_WL_FLYWHEEL] = &af_wl_flywheel,
};

uint32_t af_world_res_add(af_world *w, const char *name, double cap, af_hold hold)
{
    uint32_t r = af_flownet_resource_add(w->net, name, cap);
    if (w->nres == w->cap_res)
        w->hold = af_grow(w->hold, &w->cap_res, w->nres + 1, sizeof *w->hold);
    w->hold[w->nres++] = (uint8_t)hold;
    return r;
}

/* The end of an instant in which the load changed: the flow network reshares what changed
 * (telling the transfers' owners, see world_watch), then the kinds look at the result. */
static void world_instant_end(af_sim *sim, void *ctx)
{
    (void)sim;
    af_world *w = ctx;
    af_flownet_flush(w->net);
    w->settle_pending = false;
    for (uint32_t k = 0; k < w->n_on_load; k++)
        w->on_load[k]->load_changed(w);
}

void af_world_load_changed(af_world *w)
{
    if (!w->settle_pending) {
        w->settle_pending = true;
        af_sim_at_instant_end(w->sim, world_instant_end, w);
    }
}

/* The flow network's watcher: a transfer's rate or bottleneck changed (its argument is the
 * transfer's slot); its owner notes it, and the kinds look at the end of the instant. */
static void world_watch(void *ctx, af_flow_id id, uint64_t arg)
{
    (void)id;
    af_world *w = ctx;
    const af_xfer *x = &w->xfers[arg];
    if (x->ops->changed)
        x->ops->changed(w, x->owner, x->arg);
    af_world_load_changed(w);
}

void af_world_bursts_toggle(af_world *w, int delta)
{
    af_time_ns now = af_sim_now(w->sim);
    for (size_t k = 0; k < AF_WL__COUNT; k++)
        if (af_world_kinds[k]->account)
            af_world_kinds[k]->account(w, now);
    if (w->bursts_active)
        w->burst_time_ns += now - w->burst_since_ns;
    w->burst_since_ns = now;
    w->bursts_active = (uint32_t)((int)w->bursts_active + delta);
}

double af_tier_take(af_tier_state *t, double want)
{
    double room = t->usable_B - t->used_B;
    double fit = want < room ? want : room > 0 ? room : 0;
    t->used_B += fit;
    if (t->used_B > t->peak_B)
        t->peak_B = t->used_B;
    t->rejected_B += want - fit;
    return fit;
}

void af_tier_release(af_tier_state *t, double bytes)
{
    t->used_B -= bytes;
    if (t->used_B < 0)
        t->used_B = 0;
}

/* ---- event budget --------------------------------------------------------------------------- */

void af_world_estimate_events(const af_world *w, af_world_estimate *out)
{
    memset(out, 0, sizeof *out);
    for (size_t k = 0; k < AF_WL__COUNT; k++) {
        const af_wl_kind *kind = af_world_kinds[k];
        size_t n = kind->count(w->cfg);
        for (size_t i = 0; kind->events && i < n; i++) {
            double e = kind->events(w, i);
            out->events += e;
            if (e > out->top_events) {
                out->top_events = e;
                out->top_kind = kind->name;
                out->top_name = kind->instance(w->cfg, i);
            }
        }
    }
    out->budget = w->cfg->max_events ? w->cfg->max_events : WORLD_DEFAULT_EVENTS;
}

/* The budget message's tail: which workload drives the count. */
static void world_estimate_detail(const af_world_estimate *e, char *buf, size_t n)
{
    if (e->top_kind)
        snprintf(buf, n, "; %s \"%s\" needs %.3g of them (%.0f%%)", e->top_kind, e->top_name,
                 e->top_events,
                 isinf(e->top_events)  ? 100
                 : e->events > 0       ? 100 * e->top_events / e->events
                                       : 0);
    else
        buf[0] = '\0';
}

static int world_budget(const af_world *w, af_world_estimate *est, af_diag *d)
{
    af_world_estimate_events(w, est);
    if (est->events <= (double)est->budget)
        return AF_OK;
    char detail[256];
    world_estimate_detail(est, detail, sizeof detail);
    af_diag_error(d,
                  "this run needs up to %.3g events, more than its event budget of %llu%s; "
                  "raise max_events or shorten the duration",
                  est->events, (unsigned long long)est->budget, detail);
    return AF_EIO;
}

/* ---- report --------------------------------------------------------------------------------- */

/* The GPU power limit that fits the site cap and the throughput it leaves: the limit the roll-up
 * found, clamped per pool to the GPUs' accepted range [min limit, TDP], and the throughput
 * share GPU-weighted over the pools (af_gpu_throughput_at, model/gpu.h). */
static void world_report_cap(const af_world *w, const af_cost *c, af_results *r)
{
    const af_world_config *cfg = w->cfg;
    double gpus = 0, share = 0, lim_min = INFINITY, gpu_now = 0, gpu_low = 0;
    bool fits = true;
    for (size_t p = 0; p < cfg->npools; p++) {
        const af_pool_config *pc = &cfg->pools[p];
        const af_gpu_spec *g = &pc->node.gpu;
        double n = (double)pc->nodes * pc->node.gpus;
        double low = fmin(g->min_limit_W, g->tdp_W);
        double lim = fmin(fmax(c->cap_gpu_limit_W, low), g->tdp_W);
        if (c->cap_gpu_limit_W < low)
            fits = false;
        gpus += n;
        share += n * af_gpu_throughput_at(g, lim);
        lim_min = fmin(lim_min, lim);
        gpu_now += n * af_gpu_full_W(g, pc->power_limit_W);
        gpu_low += n * low;
    }
    if (gpus <= 0)
        return;
    if (!fits) {
        /* Even the lowest limits the drivers accept leave the peak over the cap. */
        char text[160], q[48];
        double peak = (c->it_busy_W - gpu_now + gpu_low) * cfg->facility.pue;
        snprintf(text, sizeof text, "none fits: at the lowest the peak is %s",
                 af_units_format(peak, AF_DIM_POWER, q, sizeof q));
        af_results_put_text(r, AF_M_FACILITY_CAP_NOFIT, NULL, text);
        return;
    }
    af_results_put(r, AF_M_FACILITY_CAP_LIMIT, NULL, lim_min);
    af_results_put(r, AF_M_FACILITY_CAP_SHARE, NULL, share / gpus);
}

/* Shares of a tier's device time spent reading (look-ups included) and writing over T seconds. */
static void world_tier_fracs(const af_tier_state *ts, double T, double *rfrac, double *wfrac)
{
    *rfrac = fmin(1, (ts->read_dev_s + ts->lookup_dev_s) / (ts->devices * T));
    *wfrac = fmin(1 - *rfrac, ts->write_dev_s / (ts->devices * T));
}

/* Whether any ingest has preprocessing nodes: the CPU part of facility power is reported only
 * then, so runs without them print what they always did. */
static bool world_has_cpu_nodes(const af_world_config *cfg)
{
    for (size_t i = 0; i < cfg->ningests; i++)
        if (cfg->ingests[i].nodes > 0)
            return true;
    return false;
}

/* The equipment as boxes for the cost roll-up (model/cost.h): one kind per pool, tier, fabric
 * and ingest with preprocessing, the pools' GPUs computing pool_u[p] of the time, the tiers'
 * devices reading rfrac[t] and writing wfrac[t] of theirs and the ingests' CPU nodes using
 * ingest_u[i] of their capacity (over the run, or over one window of the series). */
static af_cost_box *world_boxes(const af_world *w, const double *pool_u, const double *rfrac,
                                const double *wfrac, const double *ingest_u, size_t *n)
{
    const af_world_config *cfg = w->cfg;
    size_t cap = cfg->npools + cfg->ntiers + cfg->nfabrics + cfg->ningests;
    af_cost_box *b = af_calloc(cap ? cap : 1, sizeof *b);
    size_t k = 0;
    for (size_t p = 0; p < cfg->npools; p++) {
        const af_pool_config *pc = &cfg->pools[p];
        const af_node_spec *nd = &pc->node;
        double u = pool_u[p], lim = pc->power_limit_W;
        double full = af_gpu_full_W(&nd->gpu, lim);
        af_cost_box *x = &b[k++];
        x->cls = AF_ASSET_COMPUTE;
        x->count = (double)pc->nodes;
        x->mean_W[AF_PART_GPU] = nd->gpus * af_gpu_power_capped_W(&nd->gpu, u, lim);
        x->mean_W[AF_PART_HOST] = nd->host_W;
        x->mean_W[AF_PART_NIC] = af_node_ports_W(nd);
        x->gpus = nd->gpus;
        x->gpu_busy_W = nd->gpus * full;
        x->busy_W = af_node_power_W(nd, 1, lim);
        /* A power limit lowers what the rack must be provisioned for by the GPUs' cut, never
         * below the node's own busy draw (a GPU overridden past the nameplate's share). */
        x->nameplate_W = fmax(nd->max_power_W - nd->gpus * (nd->gpu.tdp_W - full), x->busy_W);
        x->price_usd = nd->price_usd;
        x->units_U = nd->rack_units;
        x->embodied_kg = nd->embodied_kg;
    }
    for (size_t t = 0; t < cfg->ntiers; t++) {
        const af_tier_state *ts = &w->tiers[t];
        const af_storage_spec *s = &ts->cfg->system;
        af_storage_power_states ps = af_storage_device_power(s);
        af_cost_box *x = &b[k++];
        x->cls = AF_ASSET_STORAGE;
        x->count = (double)ts->cfg->nodes;
        x->mean_W[AF_PART_DEVICE] = s->devices * af_storage_mix_W(&ps, rfrac[t], wfrac[t]);
        x->mean_W[AF_PART_SERVER] = s->server_W;
        x->mean_W[AF_PART_ENCLOSURE] = s->enclosure_W;
        x->mean_W[AF_PART_NIC] = s->nics * s->nic.port_power_W;
        x->busy_W = af_storage_node_max_W(s);
        x->nameplate_W = x->busy_W; /* no storage nameplate in the catalog: its busiest draw */
        x->price_usd = af_storage_node_price_usd(s);
        x->units_U = s->rack_units;
        x->embodied_kg = af_storage_node_embodied_kg(s);
    }
    for (size_t f = 0; f < cfg->nfabrics; f++) {
        const af_fabric *fp = &w->fabrics[f].plan;
        if (fp->switches <= 0)
            continue;
        double sw = fp->switches;
        af_cost_box *x = &b[k++];
        x->cls = AF_ASSET_NETWORK;
        x->count = sw;
        x->mean_W[AF_PART_SWITCH] = fp->typical_W / sw;
        x->busy_W = fp->typical_W / sw; /* switch power hardly follows load */
        x->nameplate_W = fp->max_W / sw;
        x->price_usd = fp->price_usd / sw;
        x->units_U = fp->rack_units / sw;
    }
    for (size_t i = 0; i < cfg->ningests; i++) {
        const af_ingest_config *ic = &cfg->ingests[i];
        if (ic->nodes <= 0)
            continue;
        const af_server_spec *sv = &ic->server;
        af_cost_box *x = &b[k++];
        x->cls = AF_ASSET_COMPUTE;
        x->count = (double)ic->nodes;
        x->mean_W[AF_PART_CPU] = af_server_power_W(sv, ingest_u[i]);
        x->busy_W = sv->busy_W;
        x->nameplate_W = sv->busy_W; /* no server nameplate in the catalog: its busiest draw */
        x->price_usd = sv->price_usd;
        x->units_U = sv->rack_units;
        x->embodied_kg = sv->embodied_kg;
    }
    *n = k;
    return b;
}

/* The facility's and the cost's metrics from the boxes' roll-up. */
static void world_report_cost(const af_world *w, af_results *r)
{
    const af_world_config *cfg = w->cfg;
    size_t n, nt = cfg->ntiers;
    double *rfrac = af_calloc(nt ? nt : 1, sizeof *rfrac);
    double *wfrac = af_calloc(nt ? nt : 1, sizeof *wfrac);
    for (size_t t = 0; t < nt; t++)
        world_tier_fracs(&w->tiers[t], cfg->duration_s, &rfrac[t], &wfrac[t]);
    af_cost_box *boxes = world_boxes(w, w->pool_busy, rfrac, wfrac, w->ingest_busy, &n);
    af_free(rfrac);
    af_free(wfrac);
    af_cost_output out = {.useful_gpu_s = w->useful_gpu_s,
                          .tokens = w->tokens_trained,
                          .requests = w->requests_served};
    af_cost c;
    af_cost_rollup(boxes, n, cfg->duration_s, &out, &cfg->facility, &c);
    af_free(boxes);

    static const af_metric_id part_metric[AF_PART__COUNT] = {
        [AF_PART_GPU] = AF_M_FACILITY_P_GPU,         [AF_PART_HOST] = AF_M_FACILITY_P_HOST,
        [AF_PART_NIC] = AF_M_FACILITY_P_NIC,         [AF_PART_SWITCH] = AF_M_FACILITY_P_SWITCH,
        [AF_PART_DEVICE] = AF_M_FACILITY_P_DEVICE,   [AF_PART_SERVER] = AF_M_FACILITY_P_SERVER,
        [AF_PART_ENCLOSURE] = AF_M_FACILITY_P_ENCL,  [AF_PART_CPU] = AF_M_FACILITY_P_CPU,
    };
    bool cpu = world_has_cpu_nodes(cfg);
    af_results_put(r, AF_M_FACILITY_IT_POWER, NULL, c.it_W);
    for (int p = 0; p < AF_PART__COUNT; p++)
        if (p != AF_PART_CPU || cpu)
            af_results_put(r, part_metric[p], NULL, c.part_W[p]);
    af_results_put(r, AF_M_FACILITY_POWER, NULL, c.facility_W);
    af_results_put(r, AF_M_FACILITY_BUSY_POWER, NULL, c.facility_busy_W);
    af_results_put(r, AF_M_FACILITY_NAMEPLATE, NULL, c.nameplate_W);
    af_results_put(r, AF_M_FACILITY_ENERGY, NULL, c.energy_J);
    af_results_put(r, AF_M_FACILITY_CARBON, NULL, c.carbon_kg);
    af_results_put(r, AF_M_FACILITY_EMBODIED, NULL, c.embodied_kg);
    af_results_put(r, AF_M_FACILITY_EMBODIED_RUN, NULL, c.embodied_run_kg);
    af_results_put(r, AF_M_FACILITY_RACKS, NULL, c.racks);
    af_results_put(r, AF_M_FACILITY_UNITS, NULL, c.units_U);
    if (c.cap_set) {
        af_results_put(r, AF_M_FACILITY_CAP, NULL, cfg->facility.power_cap_W);
        af_results_put_text(r, AF_M_FACILITY_CAP_VERDICT, NULL,
                            c.cap_holds        ? "holds"
                            : c.cap_mean_holds ? "exceeded at peak"
                                               : "exceeded on average");
        af_results_put(r, AF_M_FACILITY_CAP_HEADROOM, NULL, c.cap_headroom_W);
        world_report_cap(w, &c, r);
    }
    af_results_put(r, AF_M_COST_PURCHASE, NULL, c.purchase_usd);
    af_results_put(r, AF_M_COST_CAPITAL, NULL, c.capital_usd);
    af_results_put(r, AF_M_COST_CAP_COMPUTE, NULL, c.capital_class_usd[AF_ASSET_COMPUTE]);
    af_results_put(r, AF_M_COST_CAP_STORAGE, NULL, c.capital_class_usd[AF_ASSET_STORAGE]);
    af_results_put(r, AF_M_COST_CAP_NETWORK, NULL, c.capital_class_usd[AF_ASSET_NETWORK]);
    af_results_put(r, AF_M_COST_MAINTENANCE, NULL, c.maintenance_usd);
    af_results_put(r, AF_M_COST_ENERGY, NULL, c.energy_usd);
    af_results_put(r, AF_M_COST_SPACE, NULL, c.space_usd);
    af_results_put(r, AF_M_COST_TOTAL, NULL, c.total_usd);
    af_results_put(r, AF_M_COST_PER_HOUR, NULL, c.per_hour_usd);
    if (out.useful_gpu_s > 0)
        af_results_put(r, AF_M_COST_PER_GPU_HOUR, NULL, c.per_gpu_hour_usd);
    if (out.tokens > 0)
        af_results_put(r, AF_M_COST_PER_MTOKEN, NULL, c.per_mtoken_usd);
    if (out.requests > 0)
        af_results_put(r, AF_M_COST_PER_MREQUEST, NULL, c.per_mrequest_usd);
    af_results_put(r, AF_M_COST_LIFETIME, NULL, c.life_s);
    af_results_put(r, AF_M_COST_TCO, NULL, c.tco_usd);
    af_results_put(r, AF_M_COST_TCO_CAPITAL, NULL, c.tco_capital_usd);
    af_results_put(r, AF_M_COST_TCO_MAINT, NULL, c.tco_maintenance_usd);
    af_results_put(r, AF_M_COST_TCO_ENERGY, NULL, c.tco_energy_usd);
    af_results_put(r, AF_M_COST_TCO_SPACE, NULL, c.tco_space_usd);
    af_results_put(r, AF_M_COST_PER_YEAR, NULL, c.per_year_usd);
    af_results_put(r, AF_M_COST_LIFE_ENERGY, NULL, c.life_energy_J);
    af_results_put(r, AF_M_COST_LIFE_CARBON, NULL, c.life_carbon_kg);
}

/* The pools', tiers' and fabrics' metrics, then the facility and cost roll-up. */
static void world_report(const af_world *w, af_results *r)
{
    const af_world_config *cfg = w->cfg;
    double T = cfg->duration_s;

    for (size_t p = 0; p < cfg->npools; p++) {
        const af_pool_config *pc = &cfg->pools[p];
        double u = w->pool_util[p];
        double nodes = (double)pc->nodes;
        double power = af_node_power_W(&pc->node, w->pool_busy[p], pc->power_limit_W);
        const af_endpoint *ep = &w->eps[af_ep_pool(p)];
        const char *nm = pc->name;
        af_results_put(r, AF_M_POOL_GPUS, nm, nodes * pc->node.gpus);
        af_results_put(r, AF_M_POOL_UTIL, nm, u);
        af_results_put(r, AF_M_POOL_NIC_BW, nm, af_flownet_resource_capacity(w->net, ep->rx));
        af_results_put(r, AF_M_POOL_IN_RATE, nm, af_flownet_resource_carried(w->net, ep->rx) / T);
        af_results_put(r, AF_M_POOL_OUT_RATE, nm,
                       af_flownet_resource_carried(w->net, ep->tx) / T);
        af_results_put(r, AF_M_POOL_POWER, nm, nodes * power);
        af_results_put(r, AF_M_POOL_ENERGY, nm, nodes * power * T);
        if (pc->power_limit_W > 0) {
            af_results_put(r, AF_M_POOL_POWER_LIMIT, nm, pc->power_limit_W);
            af_results_put(r, AF_M_POOL_LIMIT_SHARE, nm,
                           af_gpu_throughput_at(&pc->node.gpu, pc->power_limit_W));
        }
    }
    for (size_t t = 0; t < cfg->ntiers; t++) {
        const af_tier_state *ts = &w->tiers[t];
        const af_storage_spec *s = &ts->cfg->system;
        const af_endpoint *ep = &w->eps[af_ep_tier(w, t)];
        double nodes = (double)ts->cfg->nodes;
        double read_B = ts->read_B + ts->lookup_read_B;
        double rfrac, wfrac;
        world_tier_fracs(ts, T, &rfrac, &wfrac);
        double power = af_storage_node_power_W(s, rfrac, wfrac);
        const char *nm = ts->cfg->name;
        af_results_put(r, AF_M_STORAGE_READ_RATE, nm, read_B / T);
        af_results_put(r, AF_M_STORAGE_WRITE_RATE, nm, ts->write_B / T);
        af_results_put(r, AF_M_STORAGE_READ_BW, nm, nodes * af_storage_node_read_Bps(s));
        af_results_put(r, AF_M_STORAGE_NIC_OUT, nm,
                       af_flownet_resource_carried(w->net, ep->tx) /
                           (af_flownet_resource_capacity(w->net, ep->tx) * T));
        af_results_put(r, AF_M_STORAGE_NIC_IN, nm,
                       af_flownet_resource_carried(w->net, ep->rx) /
                           (af_flownet_resource_capacity(w->net, ep->rx) * T));
        af_results_put(r, AF_M_STORAGE_DEV_READ, nm, rfrac);
        af_results_put(r, AF_M_STORAGE_DEV_WRITE, nm, wfrac);
        if (ts->cfg->reserve > 0)
            af_results_put(r, AF_M_STORAGE_RESERVE, nm, ts->cfg->reserve);
        af_results_put(r, AF_M_STORAGE_READ_BYTES, nm, read_B);
        af_results_put(r, AF_M_STORAGE_WRITE_BYTES, nm, ts->write_B);
        af_results_put(r, AF_M_STORAGE_USABLE, nm, ts->usable_B);
        af_results_put(r, AF_M_STORAGE_USED, nm, ts->used_B);
        af_results_put(r, AF_M_STORAGE_PEAK, nm, ts->peak_B);
        af_results_put(r, AF_M_STORAGE_REJECTED, nm, ts->rejected_B);
        af_results_put(r, AF_M_STORAGE_POWER, nm, nodes * power);
        af_results_put(r, AF_M_STORAGE_NODES, nm, nodes);
        af_results_put(r, AF_M_STORAGE_DEVICES, nm, nodes * s->devices);
        af_results_put(r, AF_M_STORAGE_UNITS, nm, nodes * s->rack_units);
    }
    for (size_t f = 0; f < cfg->nfabrics; f++) {
        const af_fabric *fp = &w->fabrics[f].plan;
        const char *nm = cfg->fabrics[f].name;
        af_results_put(r, AF_M_FABRIC_SWITCHES, nm, fp->switches);
        af_results_put(r, AF_M_FABRIC_LEVELS, nm, fp->levels);
        af_results_put(r, AF_M_FABRIC_OVERSUB, nm, fp->oversubscription);
        af_results_put(r, AF_M_FABRIC_CORE_BW, nm, fp->spine_Bps);
        af_results_put(r, AF_M_FABRIC_POWER, nm, fp->typical_W);
    }
    world_report_cost(w, r);
}

/* ---- Sampling -------------------------------------------------------------------------------
 * With cfg->sample_s > 0 the run is cut into equal windows and at the end of each (an event at
 * k x dt, the last after the kinds' finish at the end) every kind pushes its series and the
 * world pushes the pools', tiers' and facility's: GPU utilization (computing, work that a
 * later failure undid included, as the GPUs drew power for it) and power per pool; per tier
 * the bytes read and written per second (its NICs' traffic), the share of device time busy (bulk
 * flows and look-ups), the bytes stored and the power; the facility's power by component and in
 * all. Sampling only reads state (the flow network's carried totals need no resharing, the
 * kinds account time without changing it), so a run's metrics are the same with and without
 * it; its events are left out of run.events. The power of a window uses the run's read/write
 * split of each tier's bulk device time so far (the split of a window is known only when its
 * transfers complete). */

/* A series as pushed the first time, for the windows after it. */
struct world_series_slot {
    const char *group, *instance, *leaf; /* the name's parts (borrowed; stable pointers) */
    af_series *s;
};

void af_world_series(af_world *w, af_results *r, const char *group, const char *instance,
                     const char *leaf, af_dim dim, const char *label, double v)
{
    size_t k = w->series_k++;
    if (k < w->nseries_slots) {
        struct world_series_slot *sl = &w->series_slots[k];
        if (sl->group == group && sl->instance == instance && sl->leaf == leaf) {
            af_series_push(sl->s, v);
            return;
        }
    }
    char name[256];
    if (instance)
        snprintf(name, sizeof name, "%s.%s.%s", group, instance, leaf);
    else
        snprintf(name, sizeof name, "%s.%s", group, leaf);
    af_series *s = af_results_series(r, name, dim, label, w->series_dt);
    if (k == w->nseries_slots) {
        w->series_slots = af_grow(w->series_slots, &w->cap_series_slots, k + 1,
                                  sizeof *w->series_slots);
        w->series_slots[w->nseries_slots++] = (struct world_series_slot){group, instance, leaf, s};
    }
    af_series_push(s, v);
}

/* Samples the window that ends now. */
static void world_sample(af_world *w)
{
    const af_world_config *cfg = w->cfg;
    af_results *r = w->series_res;
    af_time_ns now = af_sim_now(w->sim);
    if (now > w->end_ns)
        now = w->end_ns;
    double dt = af_time_to_s(now - w->series_prev_ns);
    if (!(dt > 0) || w->series_done >= w->series_windows)
        return;
    w->series_prev_ns = now;
    w->series_done++;
    w->series_k = 0;
    size_t nt = cfg->ntiers;
    for (size_t p = 0; p < cfg->npools; p++)
        w->win_pool_util[p] = 0;
    for (size_t t = 0; t < nt; t++)
        w->win_lookup_dev_s[t] = 0;
    for (size_t k = 0; k < AF_WL__COUNT; k++)
        if (af_world_kinds[k]->sample)
            af_world_kinds[k]->sample(w, r, dt);

    double *rfrac = af_calloc(nt ? nt : 1, sizeof *rfrac);
    double *wfrac = af_calloc(nt ? nt : 1, sizeof *wfrac);
    for (size_t t = 0; t < nt; t++) {
        af_tier_state *ts = &w->tiers[t];
        const af_endpoint *ep = &w->eps[af_ep_tier(w, t)];
        double *sn = &w->snap[3 * t];
        double dev = af_flownet_resource_carried(w->net, ts->dev);
        double tx = af_flownet_resource_carried(w->net, ep->tx);
        double rx = af_flownet_resource_carried(w->net, ep->rx);
        double bulk = (dev - sn[0]) / (ts->devices * dt);
        double look = w->win_lookup_dev_s[t] / (ts->devices * dt);
        double rd = ts->read_dev_s, wr = ts->write_dev_s;
        double rshare = rd + wr > 0 ? rd / (rd + wr) : 1;
        rfrac[t] = fmin(1, bulk * rshare + look);
        wfrac[t] = fmin(1 - rfrac[t], bulk * (1 - rshare));
        const char *nm = ts->cfg->name;
        af_world_series(w, r, "storage", nm, "read_rate", AF_DIM_BANDWIDTH, "read", (tx - sn[1]) / dt);
        af_world_series(w, r, "storage", nm, "write_rate", AF_DIM_BANDWIDTH, "written",
                        (rx - sn[2]) / dt);
        af_world_series(w, r, "storage", nm, "device_busy", AF_DIM_RATIO, "devices busy",
                        fmin(1, bulk + look));
        af_world_series(w, r, "storage", nm, "used_capacity", AF_DIM_SIZE, "stored", ts->used_B);
        af_world_series(w, r, "storage", nm, "power", AF_DIM_POWER, "power",
                        (double)ts->cfg->nodes *
                            af_storage_node_power_W(&ts->cfg->system, rfrac[t], wfrac[t]));
        sn[0] = dev;
        sn[1] = tx;
        sn[2] = rx;
    }
    for (size_t p = 0; p < cfg->npools; p++) {
        const af_pool_config *pc = &cfg->pools[p];
        af_world_series(w, r, "pool", pc->name, "gpu_utilization", AF_DIM_RATIO, "GPU utilization",
                        w->win_pool_util[p]);
        af_world_series(w, r, "pool", pc->name, "power", AF_DIM_POWER, "power",
                        (double)pc->nodes *
                            af_node_power_W(&pc->node, w->win_pool_util[p], pc->power_limit_W));
    }
    size_t n;
    af_cost_box *boxes = world_boxes(w, w->win_pool_util, rfrac, wfrac, w->win_ingest_util, &n);
    af_cost c;
    af_cost_rollup(boxes, n, dt, NULL, &cfg->facility, &c);
    af_free(boxes);
    af_free(rfrac);
    af_free(wfrac);
    static const af_metric_id part_metric[AF_PART__COUNT] = {
        AF_M_FACILITY_P_GPU,    AF_M_FACILITY_P_HOST,   AF_M_FACILITY_P_NIC,  AF_M_FACILITY_P_SWITCH,
        AF_M_FACILITY_P_DEVICE, AF_M_FACILITY_P_SERVER, AF_M_FACILITY_P_ENCL, AF_M_FACILITY_P_CPU,
    };
    bool cpu = world_has_cpu_nodes(cfg);
    for (int p = 0; p < AF_PART__COUNT; p++) {
        if (p == AF_PART_CPU && !cpu)
            continue;
        const af_metric_def *def = af_metric_get(part_metric[p]);
        af_world_series(w, r, "facility", NULL, def->leaf, AF_DIM_POWER, af_power_part_name(p),
                        c.part_W[p]);
    }
    af_world_series(w, r, "facility", NULL, "it_power", AF_DIM_POWER, "IT power", c.it_W);
    af_world_series(w, r, "facility", NULL, "power", AF_DIM_POWER, "facility power",
                    c.facility_W);
}

/* The event at the end of a window: samples it and schedules the next (the last window is
 * sampled after the run, see world_go). */
static void world_tick(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    af_world *w = ctx;
    w->series_ticks++;
    world_sample(w);
    uint64_t k = w->series_done + 1;
    if (k < w->series_windows)
        af_sim_at(sim, af_time_from_s((double)k * w->series_dt), world_tick, w, 0);
}

/* ---- build and run -------------------------------------------------------------------------- */

/* The end-of-run sentinel's handler: never called. */
static void world_never(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)ctx;
    (void)arg;
}

/* ---- Stopping early ---------------------------------------------------------------------------
 * A monitor (world.h) is polled by the engine between events; when it asks to stop, the engine
 * returns at an event boundary, possibly inside an instant. The world then runs the rest of that
 * instant (the events still due at that time and the end-of-instant hooks, so the flow network
 * and the kinds see a settled state), and takes the time reached as the end of the run: end_ns
 * moves there and the kinds finish and report against a copy of the configuration whose
 * duration is that time, exactly as a run of that duration would, so every rate and share
 * covers the time run. run.partial says so. */

/* The monitor and the world it watches, for the engine's poll hook. */
typedef struct world_watcher {
    const af_world_monitor *mon;
    const af_world *w;
} world_watcher;

static uint64_t world_poll(af_sim *sim, void *ctx)
{
    const world_watcher *ww = ctx;
    return ww->mon->poll(ww->mon->ctx, af_time_to_s(af_sim_now(sim)), ww->w->cfg->duration_s,
                         af_sim_events_run(sim) - ww->w->series_ticks);
}

/* Builds the world (steps 1-3), and runs it (under mon, when not NULL) and reports into res
 * unless res is NULL; est, when not NULL, receives the event estimate once the kinds are built. */
static int world_go(const af_world_config *cfg, const af_world_monitor *mon, af_results *res,
                    af_world_estimate *est, af_diag *d)
{
    int rc = AF_OK;
    af_world w = {.cfg = cfg, .free_xfer = AF_NIL};
    size_t neps = cfg->npools + cfg->ntiers;
    w.end_ns = af_time_from_s(cfg->duration_s);
    w.sim = af_sim_new(64);
    w.net = af_flownet_new(w.sim, (uint32_t)(2 * cfg->ntrains + 2 * cfg->nbursts + 16));
    af_flownet_watch(w.net, world_watch, &w);
    /* AIFSIM_FLOW_BLOCKS=0 solves every change by the fill alone, to check that blocks change
     * nothing but the time (aifsim(1), ENVIRONMENT). */
    const char *blocks = getenv("AIFSIM_FLOW_BLOCKS");
    if (blocks && strcmp(blocks, "0") == 0)
        af_flownet_set_blocks(w.net, false);
    w.tiers = af_calloc(cfg->ntiers, sizeof *w.tiers);
    w.fabrics = af_calloc(cfg->nfabrics, sizeof *w.fabrics);
    w.eps = af_calloc(neps, sizeof *w.eps);
    w.beps = af_calloc(cfg->npools, sizeof *w.beps);
    for (size_t i = 0; i < cfg->npools; i++)
        w.beps[i].fabric = w.beps[i].rx = w.beps[i].tx = AF_NIL;
    w.pool_util = af_calloc(cfg->npools, sizeof *w.pool_util);
    w.pool_busy = af_calloc(cfg->npools, sizeof *w.pool_busy);
    w.ingest_busy = af_calloc(cfg->ningests ? cfg->ningests : 1, sizeof *w.ingest_busy);
    for (size_t i = 0; i < neps; i++)
        w.eps[i].fabric = AF_NIL;
    for (size_t k = 0; k < AF_WL__COUNT; k++)
        if (af_world_kinds[k]->load_changed)
            w.on_load[w.n_on_load++] = af_world_kinds[k];

    if (af_wiring_build(&w, d) != AF_OK) {
        rc = AF_EINPUT;
        goto done;
    }
    for (size_t k = 0; k < AF_WL__COUNT; k++)
        if (af_world_kinds[k]->build(&w, d) != AF_OK)
            rc = AF_EINPUT;
    if (af_wiring_capacity(&w, d) != AF_OK)
        rc = AF_EINPUT;
    if (rc != AF_OK)
        goto done;
    af_world_estimate e;
    rc = world_budget(&w, &e, d);
    if (est)
        *est = e;
    if (rc != AF_OK || !res)
        goto done;
    af_qos_floors(&w);
    uint64_t budget = e.budget;
    if (cfg->sample_s > 0) {
        double n = ceil(cfg->duration_s / cfg->sample_s - 1e-9);
        /* At most one window per nanosecond of the run: a shorter one would end where it began. */
        n = fmin(fmin(fmax(n, 1), AF_WORLD_MAX_WINDOWS), fmax(1, (double)w.end_ns));
        w.series_res = res;
        w.series_windows = (uint64_t)n;
        w.series_dt = cfg->duration_s / n;
        w.win_pool_util = af_calloc(cfg->npools ? cfg->npools : 1, sizeof *w.win_pool_util);
        w.win_lookup_dev_s = af_calloc(cfg->ntiers ? cfg->ntiers : 1, sizeof *w.win_lookup_dev_s);
        w.win_ingest_util =
            af_calloc(cfg->ningests ? cfg->ningests : 1, sizeof *w.win_ingest_util);
        w.snap = af_calloc(cfg->ntiers ? 3 * cfg->ntiers : 1, sizeof *w.snap);
        if (w.series_windows > 1)
            af_sim_at(w.sim, af_time_from_s(w.series_dt), world_tick, &w, 0);
        budget += w.series_windows;
    }

    for (size_t k = 0; k < AF_WL__COUNT; k++)
        if (af_world_kinds[k]->start)
            af_world_kinds[k]->start(&w);
    af_flownet_flush(w.net);
    for (size_t k = 0; k < AF_WL__COUNT; k++)
        if (af_world_kinds[k]->after_start)
            af_world_kinds[k]->after_start(&w);
    af_world_load_changed(&w);

    /* A sentinel just past the end, which never runs, makes the run stop with the clock at the
     * end even when every other event is done or lies beyond the clock's range: the bytes of
     * flows still in flight are then counted to the end (a flow whose completion is too far
     * away to schedule still moves). */
    if (w.end_ns < AF_TIME_MAX)
        af_sim_at(w.sim, w.end_ns + 1, world_never, NULL, 0);
    world_watcher watcher = {.mon = mon, .w = &w};
    if (mon && mon->poll)
        af_sim_set_poll(w.sim, world_poll, &watcher, mon->first ? mon->first : 1024);
    af_run_status st = af_sim_run(w.sim, w.end_ns, budget);
    /* Stopped early (see "Stopping early"): finish the instant, then end the run there. */
    af_world_config cut;
    bool partial = false;
    if (st == AF_RUN_STOPPED) {
        af_sim_set_poll(w.sim, NULL, NULL, 0);
        af_time_ns now = af_sim_now(w.sim);
        uint64_t ran = af_sim_events_run(w.sim);
        st = af_sim_run(w.sim, now, budget > ran ? budget - ran : 1);
        if (st != AF_RUN_BUDGET && now < w.end_ns) {
            if (now == 0) {
                af_diag_error(d, "the run was interrupted before any simulated time passed; "
                                 "there are no results");
                rc = AF_EIO;
                goto done;
            }
            cut = *cfg;
            cut.duration_s = af_time_to_s(now);
            w.cfg = &cut;
            w.end_ns = now;
            partial = true;
        }
    }
    if (st == AF_RUN_BUDGET) {
        char detail[256];
        world_estimate_detail(&e, detail, sizeof detail);
        af_diag_error(d,
                      "the event budget of %llu events ran out at %.6g s of %.6g s simulated "
                      "(estimated %.3g events%s); raise max_events or shorten the duration",
                      (unsigned long long)e.budget, af_time_to_s(af_sim_now(w.sim)),
                      cfg->duration_s, e.events, detail);
        rc = AF_EIO;
        goto done;
    }
    af_xfer_settle(&w);
    for (size_t k = 0; k < AF_WL__COUNT; k++)
        if (af_world_kinds[k]->finish)
            af_world_kinds[k]->finish(&w, w.end_ns);
    if (w.bursts_active)
        w.burst_time_ns += w.end_ns - w.burst_since_ns;
    /* The window sampling events, left out of the count (a run's metrics do not depend on
     * whether it samples). */
    uint64_t ticks = w.series_ticks;
    if (w.series_res)
        world_sample(&w); /* the last window, after the final accounting */
    if (cfg->trace)
        af_trace_close(cfg->trace);

    if (partial) {
        char at[48], of[48], text[128];
        snprintf(text, sizeof text, "interrupted at %s of %s simulated",
                 af_units_format(w.cfg->duration_s, AF_DIM_TIME, at, sizeof at),
                 af_units_format(cfg->duration_s, AF_DIM_TIME, of, sizeof of));
        af_results_put_text(res, AF_M_RUN_PARTIAL, NULL, text);
    }
    af_results_put(res, AF_M_RUN_DURATION, NULL, w.cfg->duration_s);
    af_results_put(res, AF_M_RUN_SEED, NULL, (double)cfg->seed);
    af_results_put(res, AF_M_RUN_EVENTS, NULL, (double)(af_sim_events_run(w.sim) - ticks));
    for (size_t k = 0; k < AF_WL__COUNT; k++)
        if (af_world_kinds[k]->report)
            af_world_kinds[k]->report(&w, res);
    world_report(&w, res);

done:
    for (size_t k = AF_WL__COUNT; k-- > 0;)
        af_world_kinds[k]->free(&w);
    af_flownet_free(w.net);
    af_free(w.xfers);
    af_free(w.hold);
    af_free(w.pool_util);
    af_free(w.pool_busy);
    af_free(w.ingest_busy);
    af_free(w.win_ingest_util);
    af_free(w.win_pool_util);
    af_free(w.win_lookup_dev_s);
    af_free(w.snap);
    af_free(w.series_slots);
    af_free(w.eps);
    af_free(w.beps);
    af_free(w.fabrics);
    af_free(w.tiers);
    af_sim_free(w.sim);
    return rc;
}

int af_world_run(const af_world_config *cfg, af_results *res, af_diag *d)
{
    return world_go(cfg, NULL, res, NULL, d);
}

int af_world_run_monitored(const af_world_config *cfg, const af_world_monitor *mon, af_results *res,
                           af_diag *d)
{
    return world_go(cfg, mon, res, NULL, d);
}

int af_world_check(const af_world_config *cfg, af_diag *d)
{
    return world_go(cfg, NULL, NULL, NULL, d);
}

int af_world_check_estimate(const af_world_config *cfg, af_world_estimate *est, af_diag *d)
{
    return world_go(cfg, NULL, NULL, est, d);
}
