/*
 * wiring: the resources of the fluid model and the paths across them.
 *
 * Every pool has its storage NICs in each direction (receive for reads, transmit for writes),
 * every tier its storage NICs in each direction and its devices. A tier's devices are one
 * resource in device-seconds per second: nodes x devices x (1 - reserve), the reserve being held
 * back for look-ups. A flow crossing the devices uses, per byte,
 *     read:  1/device_read_Bps  + ops/(device_read_iops  x op_B)
 *     write: 1/device_write_Bps + ops/(device_write_iops x op_B)
 * device-seconds (the device-time model, doc/formulas.md "Storage devices"), so small operations
 * are IOPS-bound, large ones bandwidth-bound, and reads and writes take time from one budget.
 *
 * A fabric (model/fabric.h) adds, between two of the pools and tiers it connects, the stages
 * af_fabric_stages names: the source leaves' uplinks, the spine layer and the destination leaves'
 * downlinks, each one shared resource per (fabric, stage, group), created when a path first
 * crosses it; its NIC stages are the endpoints' NIC resources, capped at the switch port rate.
 * Pairs that no fabric connects meet through a non-blocking network: only their NICs limit them.
 * A fabric of pools only is a backend (GPU) fabric on the compute NICs: it carries the training
 * jobs' collectives among a pool's nodes (af_path_backend), never storage traffic; a pool on no
 * backend fabric meets its own nodes through a non-blocking one at the compute NICs' rate.
 */
#include "workload/world_int.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>

size_t af_ep_tier(const af_world *w, size_t t)
{
    return w->cfg->npools + t;
}

void af_path_push(af_path *p, uint32_t r, double scale)
{
    assert(p->n < AF_FLOWNET_MAX_PATH && "a path longer than the flow network carries");
    if (p->n < AF_FLOWNET_MAX_PATH) {
        p->res[p->n] = r;
        p->scale[p->n] = scale;
        p->n++;
    }
}

/* Appends ea's transmit NICs, the stages of their common fabric and eb's receive NICs. */
static void wiring_path(af_world *w, af_path *p, const af_endpoint *ea, const af_endpoint *eb)
{
    af_path_push(p, ea->tx, 1);
    if (ea->fabric != AF_NIL && ea->fabric == eb->fabric) {
        af_fabric_state *fs = &w->fabrics[ea->fabric];
        af_fabric_stage st[AF_FABRIC_MAX_STAGES];
        size_t n = af_fabric_stages(&fs->plan, ea->group, eb->group, st);
        for (size_t i = 0; i < n; i++) {
            if (st[i].kind == AF_STAGE_SRC_NIC || st[i].kind == AF_STAGE_DST_NIC)
                continue;
            size_t g = st[i].group < 0 ? AF_FABRIC_MAX_GROUPS : (size_t)st[i].group;
            uint32_t *slot = &fs->stage_res[st[i].kind][g];
            if (*slot == AF_NIL) {
                char name[160];
                const char *gname = st[i].group < 0 ? "" : fs->plan.place[g].group.name;
                snprintf(name, sizeof name, "%s %s%s%s", w->cfg->fabrics[ea->fabric].name,
                         st[i].label, *gname ? " of " : "", gname);
                *slot = af_world_res_add(w, name, st[i].capacity_Bps, AF_HOLD_FABRIC);
            }
            af_path_push(p, *slot, 1);
        }
    }
    af_path_push(p, eb->rx, 1);
}

void af_path_net(af_world *w, af_path *p, size_t a, size_t b)
{
    wiring_path(w, p, &w->eps[a], &w->eps[b]);
}

void af_path_backend(af_world *w, af_path *p, size_t pool)
{
    af_endpoint *ep = &w->beps[pool];
    if (ep->rx == AF_NIL) {
        /* The compute NICs, created when a job first needs them: nodes x NICs x rate, the rate
         * capped at the backend fabric's switch ports. */
        const af_pool_config *pc = &w->cfg->pools[pool];
        double rate = pc->node.nic.rate_Bps;
        if (ep->fabric != AF_NIL)
            rate = fmin(rate, w->cfg->fabrics[ep->fabric].spec.sw.port_rate_Bps);
        double cap = (double)pc->nodes * pc->node.nics * rate;
        char label[200];
        snprintf(label, sizeof label, "pool %s compute NICs in", pc->name);
        ep->rx = af_world_res_add(w, label, cap, AF_HOLD_FABRIC);
        snprintf(label, sizeof label, "pool %s compute NICs out", pc->name);
        ep->tx = af_world_res_add(w, label, cap, AF_HOLD_FABRIC);
    }
    wiring_path(w, p, ep, ep);
}

double af_dev_scale(const af_storage_spec *s, bool write, double op_B, double ops)
{
    double scale = write ? 1 / s->device_write_Bps + ops / (s->device_write_iops * op_B)
                         : 1 / s->device_read_Bps + ops / (s->device_read_iops * op_B);
    /* The flow network charges at most AF_FLOWNET_MAX_FACTOR per byte (engine/flow.h, Range);
     * the tiers' accounts use the same figure, so that the devices' busy time is what the
     * network charged them. */
    return scale < AF_FLOWNET_MAX_FACTOR ? scale : AF_FLOWNET_MAX_FACTOR;
}

/* Plans the fabrics and places pools and tiers on them. */
static int wiring_fabrics(af_world *w, af_diag *d)
{
    const af_world_config *cfg = w->cfg;
    int rc = AF_OK;
    for (size_t f = 0; f < cfg->nfabrics; f++) {
        const af_fabric_config *fc = &cfg->fabrics[f];
        af_fabric_state *fs = &w->fabrics[f];
        for (size_t i = 0; i < AF_FABRIC_MAX_STAGES; i++)
            for (size_t g = 0; g <= AF_FABRIC_MAX_GROUPS; g++)
                fs->stage_res[i][g] = AF_NIL;
        size_t n = fc->npools + fc->ntiers;
        if (n > AF_FABRIC_MAX_GROUPS) {
            af_diag_error(d, "fabric \"%s\": connects %zu pools and tiers; at most %d", fc->name, n,
                          AF_FABRIC_MAX_GROUPS);
            rc = AF_EINPUT;
            continue;
        }
        /* A fabric with a tier on it is a storage fabric: pools join it by their storage NICs.
         * One with pools only is a backend (GPU) fabric: pools join it by their compute NICs,
         * rail by rail on a rail-optimized one. */
        bool backend = fc->ntiers == 0;
        af_fabric_group groups[AF_FABRIC_MAX_GROUPS];
        for (size_t i = 0; i < fc->npools; i++) {
            const af_pool_config *pc = &cfg->pools[fc->pools[i]];
            const af_link_spec *nic = backend ? &pc->node.nic : &pc->node.storage_nic;
            groups[i] =
                (af_fabric_group){.name = pc->name,
                                  .nodes = (int)pc->nodes,
                                  .nics_per_node = backend ? pc->node.nics : pc->node.storage_nics,
                                  .nic_rate_Bps = fmin(nic->rate_Bps, fc->spec.sw.port_rate_Bps),
                                  .rail_attached = backend && fc->spec.topology == AF_FABRIC_RAIL};
        }
        for (size_t i = 0; i < fc->ntiers; i++) {
            const af_tier_config *tc = &cfg->tiers[fc->tiers[i]];
            groups[fc->npools + i] = (af_fabric_group){
                .name = tc->name,
                .nodes = (int)tc->nodes,
                .nics_per_node = tc->system.nics,
                .nic_rate_Bps = fmin(tc->system.nic.rate_Bps, fc->spec.sw.port_rate_Bps)};
        }
        af_fabric_spec spec = fc->spec;
        spec.name = fc->name;
        if (af_fabric_init(&fs->plan, &spec, groups, n, d) != AF_OK) {
            rc = AF_EINPUT;
            continue;
        }
        for (size_t i = 0; i < fc->npools; i++) {
            af_endpoint *ep = backend ? &w->beps[fc->pools[i]] : &w->eps[af_ep_pool(fc->pools[i])];
            ep->fabric = (uint32_t)f;
            ep->group = (uint32_t)i;
        }
        for (size_t i = 0; i < fc->ntiers; i++) {
            w->eps[af_ep_tier(w, fc->tiers[i])].fabric = (uint32_t)f;
            w->eps[af_ep_tier(w, fc->tiers[i])].group = (uint32_t)(fc->npools + i);
        }
    }
    return rc;
}

/* The receive and transmit NIC resources of endpoint ep: nodes x nics x rate, the rate capped
 * at the switch port's on a fabric. */
static void wiring_nics(af_world *w, af_endpoint *ep, const char *what, const char *name,
                        int64_t nodes, int nics, double rate, af_hold hold)
{
    if (ep->fabric != AF_NIL)
        rate = fmin(rate, w->cfg->fabrics[ep->fabric].spec.sw.port_rate_Bps);
    double cap = (double)nodes * nics * rate;
    char label[200];
    const char *nic = hold == AF_HOLD_CLIENT ? "storage NICs" : "NICs";
    snprintf(label, sizeof label, "%s %s %s in", what, name, nic);
    ep->rx = af_world_res_add(w, label, cap, hold);
    snprintf(label, sizeof label, "%s %s %s out", what, name, nic);
    ep->tx = af_world_res_add(w, label, cap, hold);
}

int af_wiring_capacity(af_world *w, af_diag *d)
{
    const af_world_config *cfg = w->cfg;
    int rc = AF_OK;
    for (size_t t = 0; t < cfg->ntiers; t++) {
        af_tier_state *ts = &w->tiers[t];
        ts->usable_B =
            (double)cfg->tiers[t].nodes * af_storage_node_usable_B(&cfg->tiers[t].system);
        double need = 0;
        for (size_t j = 0; j < cfg->ntrains; j++)
            if (cfg->trains[j].tier == t)
                need += cfg->trains[j].dataset_B;
        if (need > ts->usable_B) {
            af_diag_error(d,
                          "storage tier \"%s\": the data sets placed on it need %.4g TB but "
                          "its %lld nodes hold %.4g TB usable; add nodes or move a data set",
                          cfg->tiers[t].name, need / 1e12, (long long)cfg->tiers[t].nodes,
                          ts->usable_B / 1e12);
            rc = AF_EINPUT;
        }
        ts->used_B = ts->peak_B = need;
    }
    return rc;
}

int af_wiring_build(af_world *w, af_diag *d)
{
    const af_world_config *cfg = w->cfg;
    for (size_t t = 0; t < cfg->ntiers; t++) {
        w->tiers[t].cfg = &cfg->tiers[t];
        w->tiers[t].cached_by = AF_NIL;
    }
    for (size_t t = 0; t < cfg->ntiers; t++) {
        size_t b = cfg->tiers[t].cache_for;
        if (b != AF_WORLD_NONE && b < cfg->ntiers && b != t)
            w->tiers[b].cached_by = (uint32_t)t;
    }
    if (wiring_fabrics(w, d) != AF_OK)
        return AF_EINPUT;
    for (size_t p = 0; p < cfg->npools; p++) {
        const af_pool_config *pc = &cfg->pools[p];
        wiring_nics(w, &w->eps[af_ep_pool(p)], "pool", pc->name, pc->nodes, pc->node.storage_nics,
                    pc->node.storage_nic.rate_Bps, AF_HOLD_CLIENT);
    }
    for (size_t t = 0; t < cfg->ntiers; t++) {
        const af_tier_config *tc = &cfg->tiers[t];
        af_tier_state *ts = &w->tiers[t];
        wiring_nics(w, &w->eps[af_ep_tier(w, t)], "tier", tc->name, tc->nodes, tc->system.nics,
                    tc->system.nic.rate_Bps, AF_HOLD_SNIC);
        ts->devices = (double)tc->nodes * tc->system.devices;
        char label[160];
        snprintf(label, sizeof label, "tier %s devices", tc->name);
        ts->dev = af_world_res_add(w, label, ts->devices * (1 - tc->reserve), AF_HOLD_DEVICES);
    }
    return AF_OK;
}
