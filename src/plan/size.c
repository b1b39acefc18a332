/*
 * plan/size: a storage tier sized for a demand with drives per node, usable fraction, headroom,
 * power basis and facility; see size.h.
 */
#include "plan/size.h"

#include "base/units.h"

#include <assert.h>
#include <math.h>
#include <string.h>

const char *af_size_power_basis_name(af_size_power_basis b)
{
    return b == AF_SIZE_POWER_BUSY ? "busy" : "load";
}

double af_size_erasure_usable(int data, int parity, double fill)
{
    double code = data > 0 ? (double)data / ((double)data + (parity > 0 ? parity : 0)) : 1;
    return code * (fill > 0 ? fill : 1);
}

af_size_node af_size_node_figures(const af_storage_spec *s)
{
    return (af_size_node){
        .devices = s->devices,
        .raw_B = s->devices * s->device_B,
        .usable_B = af_storage_node_usable_B(s),
        .read_Bps = af_storage_node_read_Bps(s),
        .write_Bps = af_storage_node_write_Bps(s),
        .read_iops = s->devices * s->device_read_iops,
        .idle_W = af_storage_node_power_W(s, 0, 0),
        .max_W = af_storage_node_max_W(s),
        .price_usd = af_storage_node_price_usd(s),
    };
}

/* One drive count evaluated: the sizing and the roll-up of its nodes. */
typedef struct size_eval {
    af_storage_spec spec; /* devices set */
    af_storage_sizing z;  /* needs for the sized demand; busy and load_W at the demand */
    af_cost cost;         /* the nodes rolled up over one year on the basis */
} size_eval;

/* Sizes base populated with `devices` drives for the sized demand, then takes the busy share and
 * the power at load from the demand itself on that node count, and rolls the nodes up under fac
 * on the basis. Returns AF_OK or af_storage_size's AF_EINPUT with its messages in d. */
static int size_eval_at(const af_storage_spec *base, int devices, const af_storage_demand *dem,
                        const af_storage_demand *sized, af_size_power_basis basis,
                        const af_facility_spec *fac, size_eval *ev, af_diag *d)
{
    af_storage_spec s = *base;
    s.devices = devices;
    af_storage_sizing z, at;
    if (af_storage_size(&s, sized, &z, d) != AF_OK)
        return AF_EINPUT;
    /* The demand itself never needs more nodes than the headroom-scaled one: pinning the count
     * with min_nodes gives the devices' busy share and power at the real load on these nodes. */
    af_storage_demand real = *dem;
    real.min_nodes = z.nodes;
    if (af_storage_size(&s, &real, &at, d) != AF_OK)
        return AF_EINPUT;
    assert(at.nodes == z.nodes);
    z.busy = at.busy;
    z.load_W = at.load_W;

    /* One ledger entry, as the world builds a tier's (workload/world.c): the drives' mean power
     * on the basis, the server, enclosure and NIC ports at their fixed draw. */
    double overhead = af_storage_node_overhead_W(&s);
    double node_W = basis == AF_SIZE_POWER_BUSY ? af_storage_node_max_W(&s) : at.load_W / z.nodes;
    af_cost_box box = {
        .cls = AF_ASSET_STORAGE,
        .count = z.nodes,
        .mean_W = {[AF_PART_DEVICE] = fmax(0, node_W - overhead),
                   [AF_PART_SERVER] = s.server_W,
                   [AF_PART_ENCLOSURE] = s.enclosure_W,
                   [AF_PART_NIC] = s.nics * s.nic.port_power_W},
        .busy_W = af_storage_node_max_W(&s),
        .nameplate_W = af_storage_node_max_W(&s), /* no storage nameplate: its busiest draw */
        .price_usd = af_storage_node_price_usd(&s),
        .units_U = s.rack_units,
        .embodied_kg = af_storage_node_embodied_kg(&s),
    };
    ev->spec = s;
    ev->z = z;
    af_cost_rollup(&box, 1, AF_YEAR_S, NULL, fac, &ev->cost);
    return AF_OK;
}

/* Checks the options; adds an error per mistake and returns their number. */
static int size_check(const char *sys, const af_storage_spec *s, const af_size_options *o,
                      af_diag *d)
{
    int bad = 0;
    if (o->devices != AF_SIZE_DEVICES_AUTO && (o->devices < 0 || o->devices > s->devices)) {
        af_diag_error(d,
                      "storage sizing for %s: drives per node must be 1 to %d (its bays), got %d",
                      sys, s->devices, o->devices);
        bad++;
    }
    if (o->min_devices < 0) {
        af_diag_error(d, "storage sizing for %s: the fewest drives per node must be >= 0, got %d",
                      sys, o->min_devices);
        bad++;
    }
    struct {
        const char *what;
        double v;
    } shares[] = {
        {"usable fraction", o->usable_fraction}, {"fill", o->fill}, {"headroom", o->headroom}};
    for (size_t i = 0; i < sizeof shares / sizeof shares[0]; i++)
        if (!(shares[i].v >= 0 && shares[i].v <= 1)) {
            af_diag_error(d,
                          "storage sizing for %s: %s must be in (0, 1] (0 for the default), "
                          "got %g",
                          sys, shares[i].what, shares[i].v);
            bad++;
        }
    if (o->ec_data < 0 || o->ec_parity < 0 || (o->ec_data == 0 && o->ec_parity > 0) ||
        o->ec_data > AF_SIZE_MAX_EC_WIDTH - o->ec_parity) {
        af_diag_error(d,
                      "storage sizing for %s: an erasure code needs 1 or more data and 0 or "
                      "more parity drives, at most %d in all, got %d+%d",
                      sys, AF_SIZE_MAX_EC_WIDTH, o->ec_data, o->ec_parity);
        bad++;
    }
    if (o->basis != AF_SIZE_POWER_LOAD && o->basis != AF_SIZE_POWER_BUSY) {
        af_diag_error(d, "storage sizing for %s: unknown power basis %d", sys, (int)o->basis);
        bad++;
    }
    return bad;
}

/* The explanation entry of an evaluated count. */
static af_size_alt size_alt(const size_eval *ev)
{
    return (af_size_alt){
        .devices = ev->spec.devices,
        .nodes = ev->z.nodes,
        .binding = ev->z.binding,
        .price_usd = ev->cost.purchase_usd,
        .power_W = ev->cost.it_W,
        .tco_usd = ev->cost.tco_usd,
    };
}

int af_size_plan(const af_storage_spec *s, const af_storage_demand *dem, const af_size_options *opt,
                 const af_facility_spec *fac, af_size_result *out, af_diag *d)
{
    const char *sys = s->name ? s->name : "?";
    if (size_check(sys, s, opt, d))
        return AF_EINPUT;

    af_size_result r;
    memset(&r, 0, sizeof r);
    r.bays = s->devices;
    r.basis = opt->basis;

    af_storage_spec base = *s;
    if (opt->usable_fraction > 0) {
        base.usable_fraction = opt->usable_fraction;
        r.usable_from = AF_SIZE_USABLE_GIVEN;
    } else if (opt->ec_data > 0 || opt->fill > 0) {
        base.usable_fraction = af_size_erasure_usable(opt->ec_data, opt->ec_parity, opt->fill);
        r.usable_from = AF_SIZE_USABLE_ERASURE;
    } else {
        r.usable_from = AF_SIZE_USABLE_SPEC;
    }
    r.usable_fraction = base.usable_fraction;

    /* Devices and NICs at most h busy: the traffic is sized at demand / h. */
    r.headroom = opt->headroom > 0 ? opt->headroom : 1;
    af_storage_demand sized = *dem;
    sized.read_Bps /= r.headroom;
    sized.write_Bps /= r.headroom;
    sized.read_iops /= r.headroom;
    sized.write_iops /= r.headroom;
    r.sized_demand = sized;

    size_eval ev;
    if (opt->devices != AF_SIZE_DEVICES_AUTO) {
        int n = opt->devices > 0 ? opt->devices : s->devices;
        r.devices_from = opt->devices > 0 ? AF_SIZE_CHOSE_GIVEN : AF_SIZE_CHOSE_ALL;
        r.min_devices = r.max_devices = n;
        if (size_eval_at(&base, n, dem, &sized, opt->basis, fac, &ev, d) != AF_OK)
            return AF_EINPUT;
    } else {
        /* Every count from the bays down to the fewest; the lowest TCO wins, a tie (within
         * rounding) going to the more populated box, which needs no more nodes. */
        r.devices_from = AF_SIZE_CHOSE_AUTO;
        int lo = opt->min_devices > 0 ? opt->min_devices
                 : opt->ec_data > 0   ? opt->ec_data + opt->ec_parity
                                      : 1;
        if (lo > s->devices)
            lo = s->devices;
        r.min_devices = lo;
        r.max_devices = s->devices;
        int best = 0;
        double best_tco = INFINITY;
        af_diag *scratch = af_diag_new();
        for (int n = s->devices; n >= lo; n--) {
            size_eval e;
            if (size_eval_at(&base, n, dem, &sized, opt->basis, fac, &e, scratch) != AF_OK)
                continue; /* too many nodes at this count */
            if (e.cost.tco_usd < best_tco * (1 - 1e-12)) {
                best_tco = e.cost.tco_usd;
                best = n;
            }
        }
        af_diag_free(scratch);
        /* No count worked: the fully populated box's failure says why. */
        int n = best ? best : s->devices;
        if (size_eval_at(&base, n, dem, &sized, opt->basis, fac, &ev, d) != AF_OK)
            return AF_EINPUT;
        /* The explanation: the fewest tried, the chosen count's neighbours and every bay. */
        int picks[AF_SIZE_MAX_ALTS] = {lo, best - 1, best, best + 1, s->devices};
        for (int k = 0; k < AF_SIZE_MAX_ALTS; k++) {
            int c = picks[k];
            if (c < lo || c > s->devices || (r.nalts && r.alts[r.nalts - 1].devices >= c))
                continue;
            size_eval e;
            af_diag *quiet = af_diag_new();
            int ok =
                c == best ? AF_OK : size_eval_at(&base, c, dem, &sized, opt->basis, fac, &e, quiet);
            af_diag_free(quiet);
            if (ok != AF_OK)
                continue;
            if (c == best)
                r.chosen_alt = r.nalts;
            r.alts[r.nalts++] = size_alt(c == best ? &ev : &e);
        }
    }

    r.spec = ev.spec;
    r.sizing = ev.z;
    r.node = af_size_node_figures(&ev.spec);
    for (int c = 0; c < AF_SIZE__COUNT; c++)
        r.over[c] = r.sizing.need[c] > 0 ? r.sizing.nodes / r.sizing.need[c] : 0;
    /* NICs are full duplex: reads leave by one direction, writes arrive by the other. */
    double nic_Bps = (double)r.sizing.nodes * ev.spec.nics * ev.spec.nic.rate_Bps;
    double out_Bps = dem->read_Bps + dem->read_iops * dem->read_op_B;
    double in_Bps = dem->write_Bps + dem->write_iops * dem->write_op_B;
    r.nic_busy = nic_Bps > 0 ? fmin(1, fmax(out_Bps, in_Bps) / nic_Bps) : 0;
    r.cost = ev.cost;
    r.power_W = ev.cost.it_W;
    r.facility_power_W = ev.cost.facility_W;
    r.W_per_usable_B = r.sizing.usable_B > 0 ? r.power_W / r.sizing.usable_B : 0;
    r.energy_year_J = ev.cost.energy_J;
    r.energy_year_usd = ev.cost.energy_usd;
    *out = r;
    return AF_OK;
}

/* b / a, inf when only a is 0 and 1 when both are. */
static double size_ratio(double b, double a)
{
    if (a == 0)
        return b == 0 ? 1 : INFINITY;
    return b / a;
}

af_size_ratios af_size_compare(const af_size_result *a, const af_size_result *b)
{
    return (af_size_ratios){
        .nodes = size_ratio(b->sizing.nodes, a->sizing.nodes),
        .power = size_ratio(b->power_W, a->power_W),
        .load_power = size_ratio(b->sizing.load_W, a->sizing.load_W),
        .W_per_usable_B = size_ratio(b->W_per_usable_B, a->W_per_usable_B),
        .energy_year = size_ratio(b->energy_year_J, a->energy_year_J),
        .rack_units = size_ratio(b->sizing.rack_units, a->sizing.rack_units),
        .racks = size_ratio(b->cost.racks, a->cost.racks),
        .price = size_ratio(b->sizing.price_usd, a->sizing.price_usd),
        .tco = size_ratio(b->cost.tco_usd, a->cost.tco_usd),
    };
}
