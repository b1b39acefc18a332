/*
 * fabric: switch counts of fat-tree and rail-optimized fabrics and their path stages for the
 * fluid model; see fabric.h for the topologies, the counting rules and the sources.
 */
#include "model/fabric.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>

/* Slack for rounding a ratio that should be an integer (64 x 2 / 3 and the like). */
#define AF_FABRIC_EPS 1e-9

static double fabric_min(double a, double b)
{
    return a < b ? a : b;
}

/* ceil(a / b) for positive integers. */
static int64_t fabric_ceil_div(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

/* The fewest spines, at least `need`, over which `up` uplinks per leaf stripe evenly: the
 * smallest divisor of up that is >= need (need <= up). */
static int64_t fabric_even_spines(int64_t need, int64_t up)
{
    int64_t s = need < 1 ? 1 : need;
    while (up % s != 0)
        s++;
    return s;
}

/* Checks the spec; adds one error per problem to d and returns how many it added. */
static int fabric_check_spec(const af_fabric_spec *spec, af_diag *d)
{
    const char *name = spec->name ? spec->name : "fabric";
    const af_switch_spec *sw = &spec->sw;
    int bad = 0;
    if (sw->ports < 2) {
        af_diag_error(d, "fabric %s: switch %s: expected at least 2 ports, got %d", name,
                      sw->name ? sw->name : "?", sw->ports);
        bad++;
    }
    if (!(sw->port_rate_Bps > 0) || !isfinite(sw->port_rate_Bps)) {
        af_diag_error(d, "fabric %s: switch port rate must be positive, got %g B/s", name,
                      sw->port_rate_Bps);
        bad++;
    }
    if (!(sw->typical_W >= 0 && sw->max_W >= 0 && sw->rack_units >= 0 && sw->price_usd >= 0) ||
        !isfinite(sw->typical_W + sw->max_W + sw->rack_units + sw->price_usd)) {
        af_diag_error(d, "fabric %s: switch power, height and price must be finite and >= 0", name);
        bad++;
    }
    if (!(spec->oversubscription >= 1) || !isfinite(spec->oversubscription)) {
        af_diag_error(d, "fabric %s: oversubscription must be a down:up ratio >= 1, got %g", name,
                      spec->oversubscription);
        bad++;
    } else if (sw->ports >= 2 &&
               floor(sw->ports * spec->oversubscription / (1 + spec->oversubscription) +
                     AF_FABRIC_EPS) >= sw->ports) {
        af_diag_error(d, "fabric %s: oversubscription %g leaves no uplink on a %d-port switch",
                      name, spec->oversubscription, sw->ports);
        bad++;
    }
    if (spec->levels < 0 || spec->levels > 3) {
        af_diag_error(d, "fabric %s: levels must be 0 (automatic), 1, 2 or 3, got %d", name,
                      spec->levels);
        bad++;
    }
    if (spec->topology != AF_FABRIC_FAT_TREE && spec->topology != AF_FABRIC_RAIL) {
        af_diag_error(d, "fabric %s: unknown topology %d", name, (int)spec->topology);
        bad++;
    }
    return bad;
}

/* Checks one group; adds errors to d and returns how many it added. */
static int fabric_check_group(const af_fabric_spec *spec, const af_fabric_group *g, size_t i,
                              af_diag *d)
{
    const char *name = spec->name ? spec->name : "fabric";
    const char *gname = g->name ? g->name : "?";
    int bad = 0;
    if (g->nodes < 1) {
        af_diag_error(d, "fabric %s: group %zu (%s): expected at least 1 node, got %d", name, i,
                      gname, g->nodes);
        bad++;
    }
    if (g->nics_per_node < 1) {
        af_diag_error(d, "fabric %s: group %zu (%s): expected at least 1 nic per node, got %d",
                      name, i, gname, g->nics_per_node);
        bad++;
    }
    if (!(g->nic_rate_Bps > 0) || !isfinite(g->nic_rate_Bps)) {
        af_diag_error(d, "fabric %s: group %zu (%s): nic rate must be positive, got %g B/s", name,
                      i, gname, g->nic_rate_Bps);
        bad++;
    } else if (spec->sw.port_rate_Bps > 0 &&
               g->nic_rate_Bps > spec->sw.port_rate_Bps * (1 + AF_FABRIC_EPS)) {
        af_diag_error(d,
                      "fabric %s: group %zu (%s): nic rate %g Gb/s exceeds the switch port rate "
                      "%g Gb/s (describe a breakout switch at the split rate)",
                      name, i, gname, g->nic_rate_Bps * 8e-9, spec->sw.port_rate_Bps * 8e-9);
        bad++;
    }
    return bad;
}

/* Share of uniform traffic among `total` endpoints that stays inside a leaf when they sit
 * `per_leaf` to a leaf (the last leaf holding the rest): sum of n_leaf^2 / total^2. */
static double fabric_local_fraction(int64_t total, int64_t per_leaf)
{
    int64_t full = total / per_leaf, rest = total % per_leaf;
    double t = (double)total;
    return ((double)full * (double)per_leaf * (double)per_leaf + (double)rest * (double)rest) /
           (t * t);
}

int af_fabric_init(af_fabric *f, const af_fabric_spec *spec, const af_fabric_group *groups,
                   size_t n, af_diag *d)
{
    const char *name = spec->name ? spec->name : "fabric";
    int bad = fabric_check_spec(spec, d);
    if (n < 1 || n > AF_FABRIC_MAX_GROUPS) {
        af_diag_error(d, "fabric %s: expected 1 to %d endpoint groups, got %zu", name,
                      AF_FABRIC_MAX_GROUPS, n);
        return AF_EINPUT;
    }
    for (size_t i = 0; i < n; i++)
        bad += fabric_check_group(spec, &groups[i], i, d);
    if (bad)
        return AF_EINPUT;

    af_fabric out = {0};
    out.spec = *spec;
    out.ngroups = n;
    const int64_t k = spec->sw.ports;
    const double r = spec->sw.port_rate_Bps;

    int64_t endpoints = 0;
    double nic_sum = 0;
    for (size_t i = 0; i < n; i++) {
        af_fabric_place *p = &out.place[i];
        p->group = groups[i];
        int64_t e = (int64_t)groups[i].nodes * groups[i].nics_per_node;
        endpoints += e;
        if (endpoints > INT_MAX / 4) {
            af_diag_error(d, "fabric %s: too many endpoints (more than %d)", name, INT_MAX / 4);
            return AF_EINPUT;
        }
        p->endpoints = (int)e;
        p->endpoint_Bps = fabric_min(groups[i].nic_rate_Bps, r);
        p->nic_total_Bps = (double)e * p->endpoint_Bps;
        nic_sum += p->nic_total_Bps;
    }
    out.endpoints = (int)endpoints;

    bool one_switch = spec->levels == 1 || (spec->levels == 0 && endpoints <= k);
    if (one_switch) {
        if (endpoints > k) {
            af_diag_error(d, "fabric %s: %lld endpoint ports do not fit one %lld-port switch", name,
                          (long long)endpoints, (long long)k);
            return AF_EINPUT;
        }
        out.levels = 1;
        out.down = (int)k;
        out.up = 0;
        out.oversubscription = 1;
        out.leaves = 1;
        out.pods = 1;
        for (size_t i = 0; i < n; i++) {
            out.place[i].uplink_per_endpoint_Bps = out.place[i].endpoint_Bps;
            out.place[i].local_fraction = 1;
        }
        out.spine_Bps = nic_sum;
        out.bisection_Bps = nic_sum / 2;
    } else {
        const double o = spec->oversubscription;
        int64_t down = (int64_t)floor((double)k * o / (1 + o) + AF_FABRIC_EPS);
        int64_t up = (int64_t)ceil((double)down / o - AF_FABRIC_EPS);
        assert(down >= 1 && up >= 1 && down + up <= k);
        out.down = (int)down;
        out.up = (int)up;
        out.oversubscription = (double)down / (double)up;

        /* Leaves group by group: each group starts on a fresh leaf. */
        int64_t leaves = 0;
        for (size_t i = 0; i < n; i++) {
            af_fabric_place *p = &out.place[i];
            const af_fabric_group *g = &groups[i];
            int64_t gl;
            if (spec->topology == AF_FABRIC_RAIL && g->rail_attached) {
                gl = fabric_ceil_div(g->nodes, down) * g->nics_per_node;
                p->local_fraction = fabric_local_fraction(g->nodes, down);
            } else {
                gl = fabric_ceil_div(p->endpoints, down);
                p->local_fraction = fabric_local_fraction(p->endpoints, down);
            }
            p->first_leaf = (int)leaves;
            p->leaves = (int)gl;
            leaves += gl;
            p->uplink_total_Bps = (double)gl * (double)up * r;
            p->uplink_per_endpoint_Bps = fabric_min(p->endpoint_Bps, (double)up * r / down);
        }
        out.leaves = (int)leaves;

        const int64_t half = k / 2;
        int levels = spec->levels;
        if (levels == 0)
            levels = leaves <= k ? 2 : 3;
        if (levels == 2 && leaves > k) {
            af_diag_error(d,
                          "fabric %s: %lld leaves exceed the %lld a two-level fat-tree of "
                          "%lld-port switches can hold; allow three levels",
                          name, (long long)leaves, (long long)k, (long long)k);
            return AF_EINPUT;
        }
        if (levels == 3 && (half < 1 || fabric_ceil_div(leaves, half) > k)) {
            af_diag_error(d,
                          "fabric %s: %lld leaves exceed the %lld pods of %lld leaves a "
                          "three-level fat-tree of %lld-port switches can hold",
                          name, (long long)leaves, (long long)k, (long long)half, (long long)k);
            return AF_EINPUT;
        }
        out.levels = levels;
        int64_t uplinks = leaves * up;
        if (levels == 2) {
            out.pods = 1;
            out.spines = (int)fabric_even_spines(fabric_ceil_div(uplinks, k), up);
            out.cores = 0;
            out.switch_cables = (int)uplinks;
        } else {
            int64_t pods = fabric_ceil_div(leaves, half), spines = 0;
            for (int64_t pod = 0; pod < pods; pod++) {
                int64_t in_pod = leaves - pod * half < half ? leaves - pod * half : half;
                spines += fabric_even_spines(fabric_ceil_div(in_pod * up, half), up);
            }
            out.pods = (int)pods;
            out.spines = (int)spines;
            out.cores = (int)fabric_ceil_div(uplinks, k);
            out.switch_cables = (int)(2 * uplinks);
        }
        out.spine_Bps = (double)uplinks * r;
        out.bisection_Bps = fabric_min(nic_sum, out.spine_Bps) / 2;
    }

    out.switches = out.leaves + out.spines + out.cores;
    out.cables = out.endpoints + out.switch_cables;
    out.ports_used = out.endpoints + 2 * out.switch_cables;
    out.optics = 2 * out.cables;
    out.typical_W = out.switches * spec->sw.typical_W;
    out.max_W = out.switches * spec->sw.max_W;
    out.rack_units = out.switches * spec->sw.rack_units;
    out.price_usd = out.switches * spec->sw.price_usd;
    *f = out;
    return AF_OK;
}

/* Appends a stage to out at *n. */
static void fabric_push(af_fabric_stage *out, size_t *n, af_stage_kind kind, int group,
                        double link_Bps, double crossing, const char *label)
{
    assert(*n < AF_FABRIC_MAX_STAGES);
    out[*n] = (af_fabric_stage){.kind = kind,
                                .group = group,
                                .link_Bps = link_Bps,
                                .crossing = crossing,
                                .capacity_Bps = link_Bps / crossing,
                                .label = label};
    (*n)++;
}

size_t af_fabric_stages(const af_fabric *f, size_t src, size_t dst, af_fabric_stage *out)
{
    assert(src < f->ngroups && dst < f->ngroups);
    const af_fabric_place *s = &f->place[src], *t = &f->place[dst];
    size_t n = 0;
    fabric_push(out, &n, AF_STAGE_SRC_NIC, (int)src, s->nic_total_Bps, 1, "source NICs");
    if (f->levels >= 2) {
        /* Traffic of a group to itself stays on a leaf in proportion to the leaf's share. */
        double crossing = src == dst ? 1 - s->local_fraction : 1;
        if (crossing > AF_FABRIC_EPS) {
            fabric_push(out, &n, AF_STAGE_SRC_UPLINK, (int)src, s->uplink_total_Bps, crossing,
                        "source leaf uplinks");
            fabric_push(out, &n, AF_STAGE_SPINE, -1, f->spine_Bps, crossing, "spine layer");
            fabric_push(out, &n, AF_STAGE_DST_DOWNLINK, (int)dst, t->uplink_total_Bps, crossing,
                        "destination leaf downlinks");
        }
    }
    fabric_push(out, &n, AF_STAGE_DST_NIC, (int)dst, t->nic_total_Bps, 1, "destination NICs");
    return n;
}
