/*
 * storage: derived figures of a storage node, the device-time budget, sizing, power, capacity
 * accounting and flash reads behind writes; see storage.h for the models and their sources.
 */
#include "model/storage.h"

#include <assert.h>
#include <math.h>

/* Largest tier af_storage_size will plan, nodes. */
#define AF_STORAGE_MAX_NODES 1e7

/* A need within this of an integer rounds to it (500e9 / 100e9 may land a hair above 5). */
#define AF_STORAGE_EPS 1e-9

static double storage_min(double a, double b)
{
    return a < b ? a : b;
}

static double storage_max(double a, double b)
{
    return a > b ? a : b;
}

/* Both directions of one node's NICs carry this much each, bytes/s. */
static double storage_nic_Bps(const af_storage_spec *s)
{
    return s->nics * s->nic.rate_Bps;
}

double af_storage_node_read_Bps(const af_storage_spec *s)
{
    return storage_min(s->devices * s->device_read_Bps, storage_nic_Bps(s));
}

double af_storage_node_write_Bps(const af_storage_spec *s)
{
    return storage_min(s->devices * s->device_write_Bps, storage_nic_Bps(s));
}

double af_storage_node_usable_B(const af_storage_spec *s)
{
    return s->devices * s->device_B * s->usable_fraction;
}

double af_storage_file_read_cost_s(const af_storage_spec *s, double size_B)
{
    return AF_STORAGE_FILE_OPS / s->device_read_iops + size_B / s->device_read_Bps;
}

double af_storage_read_cost_s(const af_storage_spec *s, double size_B)
{
    return 1.0 / s->device_read_iops + size_B / s->device_read_Bps;
}

double af_storage_write_cost_s(const af_storage_spec *s, double size_B)
{
    return 1.0 / s->device_write_iops + size_B / s->device_write_Bps;
}

double af_storage_device_read_ops(const af_storage_spec *s, double size_B)
{
    return 1.0 / af_storage_read_cost_s(s, size_B);
}

double af_storage_device_write_ops(const af_storage_spec *s, double size_B)
{
    return 1.0 / af_storage_write_cost_s(s, size_B);
}

double af_storage_node_read_ops(const af_storage_spec *s, double size_B)
{
    double ops = s->devices * af_storage_device_read_ops(s, size_B);
    return size_B > 0 ? storage_min(ops, storage_nic_Bps(s) / size_B) : ops;
}

double af_storage_node_write_ops(const af_storage_spec *s, double size_B)
{
    double ops = s->devices * af_storage_device_write_ops(s, size_B);
    return size_B > 0 ? storage_min(ops, storage_nic_Bps(s) / size_B) : ops;
}

/* Device time of the read side alone, device-seconds. */
static double storage_read_time_s(const af_storage_spec *s, double read_B, double read_ops)
{
    return read_B / s->device_read_Bps + read_ops / s->device_read_iops;
}

/* Device time of the write side alone, device-seconds. */
static double storage_write_time_s(const af_storage_spec *s, double write_B, double write_ops)
{
    return write_B / s->device_write_Bps + write_ops / s->device_write_iops;
}

double af_storage_device_time_s(const af_storage_spec *s, double read_B, double write_B,
                                double read_ops, double write_ops)
{
    return storage_read_time_s(s, read_B, read_ops) + storage_write_time_s(s, write_B, write_ops);
}

double af_storage_node_busy(const af_storage_spec *s, double read_Bps, double write_Bps,
                            double read_ops, double write_ops)
{
    return af_storage_device_time_s(s, read_Bps, write_Bps, read_ops, write_ops) / s->devices;
}

double af_storage_node_read_left_Bps(const af_storage_spec *s, double write_Bps, double write_ops)
{
    double left = 1 - storage_write_time_s(s, write_Bps, write_ops) / s->devices;
    if (left <= 0)
        return 0;
    return storage_min(storage_nic_Bps(s), left * s->devices * s->device_read_Bps);
}

double af_storage_node_write_left_Bps(const af_storage_spec *s, double read_Bps, double read_ops)
{
    double left = 1 - storage_read_time_s(s, read_Bps, read_ops) / s->devices;
    if (left <= 0)
        return 0;
    return storage_min(storage_nic_Bps(s), left * s->devices * s->device_write_Bps);
}

double af_storage_usable_B(const af_storage_spec *s, int nodes)
{
    return nodes * af_storage_node_usable_B(s);
}

double af_storage_fit_B(const af_storage_spec *s, int nodes, double used_B, double write_B)
{
    double free_B = af_storage_usable_B(s, nodes) - used_B;
    return storage_min(write_B, storage_max(0, free_B));
}

af_storage_power_states af_storage_device_power(const af_storage_spec *s)
{
    return (af_storage_power_states){s->device_idle_W, s->device_read_W, s->device_write_W};
}

double af_storage_mix_W(const af_storage_power_states *p, double read_frac, double write_frac)
{
    double r = read_frac > 0 ? storage_min(read_frac, 1) : 0;
    double w = write_frac > 0 ? storage_min(write_frac, 1) : 0;
    if (r + w > 1) {
        double sum = r + w;
        r /= sum;
        w /= sum;
    }
    return p->idle_W * (1 - r - w) + p->read_W * r + p->write_W * w;
}

double af_storage_node_power_W(const af_storage_spec *s, double read_frac, double write_frac)
{
    af_storage_power_states p = af_storage_device_power(s);
    return af_storage_node_overhead_W(s) + s->devices * af_storage_mix_W(&p, read_frac, write_frac);
}

double af_storage_node_overhead_W(const af_storage_spec *s)
{
    return s->server_W + s->enclosure_W + s->nics * s->nic.port_power_W;
}

double af_storage_node_price_usd(const af_storage_spec *s)
{
    return s->chassis_price_usd + s->devices * s->device_price_usd;
}

double af_storage_node_embodied_kg(const af_storage_spec *s)
{
    return s->chassis_embodied_kg + s->devices * s->device_embodied_kg;
}

double af_storage_node_max_W(const af_storage_spec *s)
{
    return af_storage_node_overhead_W(s) +
           s->devices * storage_max(s->device_read_W, s->device_write_W);
}

void af_flash_blocking(const af_storage_spec *s, double write_share, af_read_blocking *out)
{
    af_read_blocking b = {{0, 0}, {0, 0}, {0, 0}};
    double w = write_share > 0 ? storage_min(write_share, 1) : 0;
    if (w > 0 && (s->program_s > 0 || s->erase_s > 0)) {
        double n = s->programs_per_erase;
        if (n > 0) {
            double tp = n * s->program_s, te = s->erase_s;
            b.p[0] = w * tp / (tp + te);
            b.p[1] = w * te / (tp + te);
        } else if (s->program_s > 0) {
            b.p[0] = w;
        }
        b.busy_s[0] = s->program_s;
        b.busy_s[1] = s->erase_s;
        b.cap_s[0] = s->program_suspend_s;
        b.cap_s[1] = s->erase_suspend_s;
    }
    *out = b;
}

/* The longest wait of class k: its cap when the cap cuts the operation short, else the whole
 * operation, s; 0 for a class that never holds a read up. */
static double flash_longest_s(const af_read_blocking *b, int k)
{
    if (!(b->p[k] > 0 && b->busy_s[k] > 0))
        return 0;
    double cap = b->cap_s[k];
    return cap > 0 && cap < b->busy_s[k] ? cap : b->busy_s[k];
}

double af_flash_wait_exceed(const af_read_blocking *b, double x)
{
    if (x < 0)
        return 1;
    double sum = 0;
    for (int k = 0; k < 2; k++)
        if (x < flash_longest_s(b, k))
            sum += b->p[k] * (1 - x / b->busy_s[k]);
    return sum;
}

double af_flash_wait_quantile(const af_read_blocking *b, double p)
{
    assert(p >= 0 && p <= 1);
    double q = 1 - p;
    double c[2] = {flash_longest_s(b, 0), flash_longest_s(b, 1)};
    /* The breakpoints (the classes' longest waits) in increasing order. */
    double hi[2] = {storage_min(c[0], c[1]), storage_max(c[0], c[1])};
    double lo = 0;
    for (int i = 0; i < 2; i++) {
        if (hi[i] <= lo)
            continue;
        /* On [lo, hi[i]) the classes whose longest wait reaches hi[i] hold reads up: there
         * P(W > x) = a - x g, linear. */
        double a = 0, g = 0;
        for (int k = 0; k < 2; k++)
            if (c[k] >= hi[i]) {
                a += b->p[k];
                g += b->p[k] / b->busy_s[k];
            }
        if (a - lo * g <= q)
            return lo;
        double x = (a - q) / g;
        if (x < hi[i])
            return x;
        lo = hi[i];
    }
    return lo;
}

double af_flash_wait_mean(const af_read_blocking *b)
{
    double sum = 0;
    for (int k = 0; k < 2; k++) {
        double c = flash_longest_s(b, k);
        if (c > 0)
            sum += b->p[k] * (c - c * c / (2 * b->busy_s[k]));
    }
    return sum;
}

double af_flash_wait_draw(const af_read_blocking *b, double u)
{
    double start = 0;
    for (int k = 0; k < 2; k++) {
        if (b->p[k] > 0 && u < start + b->p[k]) {
            double r = (u - start) / b->p[k] * b->busy_s[k];
            double cap = b->cap_s[k];
            return cap > 0 && r > cap ? cap : r;
        }
        start += b->p[k] > 0 ? b->p[k] : 0;
    }
    return 0;
}

const char *af_storage_constraint_name(af_storage_constraint c)
{
    switch (c) {
    case AF_SIZE_CAPACITY:
        return "capacity";
    case AF_SIZE_READ_BW:
        return "read bandwidth";
    case AF_SIZE_WRITE_BW:
        return "write bandwidth";
    case AF_SIZE_READ_IOPS:
        return "read iops";
    case AF_SIZE_WRITE_IOPS:
        return "write iops";
    case AF_SIZE_MIXED:
        return "mixed load";
    case AF_SIZE_MINIMUM:
        return "minimum nodes";
    case AF_SIZE__COUNT:
    default:
        return "?";
    }
}

/* Checks one demand figure; adds an error to d and returns 1 when it is negative or not finite. */
static int storage_check(const char *system, const char *field, double v, af_diag *d)
{
    if (v >= 0 && isfinite(v))
        return 0;
    af_diag_error(d, "storage sizing for %s: %s must be a finite number >= 0, got %g", system,
                  field, v);
    return 1;
}

int af_storage_size(const af_storage_spec *s, const af_storage_demand *dem, af_storage_sizing *out,
                    af_diag *d)
{
    const char *sys = s->name ? s->name : "?";
    int bad = storage_check(sys, "capacity", dem->capacity_B, d) +
              storage_check(sys, "read bandwidth", dem->read_Bps, d) +
              storage_check(sys, "write bandwidth", dem->write_Bps, d) +
              storage_check(sys, "read iops", dem->read_iops, d) +
              storage_check(sys, "read operation size", dem->read_op_B, d) +
              storage_check(sys, "write iops", dem->write_iops, d) +
              storage_check(sys, "write operation size", dem->write_op_B, d);
    if (bad)
        return AF_EINPUT;

    af_storage_sizing z = {0};
    /* A read costs its operations (one, or a file's AF_STORAGE_FILE_OPS) and its bytes. */
    double per_read = dem->read_ops_per_read > 1 ? dem->read_ops_per_read : 1;
    double read_ops_time =
        dem->read_iops > 0 ? per_read / s->device_read_iops + dem->read_op_B / s->device_read_Bps
                           : 0;
    double write_ops_time = dem->write_iops > 0 ? af_storage_write_cost_s(s, dem->write_op_B) : 0;
    /* Device-seconds per second of the whole demand, by side. */
    double read_dev = dem->read_Bps / s->device_read_Bps + dem->read_iops * read_ops_time;
    double write_dev = dem->write_Bps / s->device_write_Bps + dem->write_iops * write_ops_time;
    double nic = storage_nic_Bps(s);

    z.need[AF_SIZE_CAPACITY] = dem->capacity_B / af_storage_node_usable_B(s);
    z.need[AF_SIZE_READ_BW] = dem->read_Bps / af_storage_node_read_Bps(s);
    z.need[AF_SIZE_WRITE_BW] = dem->write_Bps / af_storage_node_write_Bps(s);
    double node_reads = af_storage_node_read_ops(s, dem->read_op_B);
    if (per_read > 1) {
        node_reads = s->devices / read_ops_time;
        if (dem->read_op_B > 0)
            node_reads = storage_min(node_reads, nic / dem->read_op_B);
    }
    z.need[AF_SIZE_READ_IOPS] = dem->read_iops > 0 ? dem->read_iops / node_reads : 0;
    z.need[AF_SIZE_WRITE_IOPS] =
        dem->write_iops > 0 ? dem->write_iops / af_storage_node_write_ops(s, dem->write_op_B) : 0;
    double nic_out = (dem->read_Bps + dem->read_iops * dem->read_op_B) / nic;
    double nic_in = (dem->write_Bps + dem->write_iops * dem->write_op_B) / nic;
    z.need[AF_SIZE_MIXED] =
        storage_max((read_dev + write_dev) / s->devices, storage_max(nic_out, nic_in));
    z.need[AF_SIZE_MINIMUM] = dem->min_nodes > 1 ? dem->min_nodes : 1;

    z.nodes = 0;
    for (int c = 0; c < AF_SIZE__COUNT; c++) {
        double need = z.need[c];
        if (!(need <= AF_STORAGE_MAX_NODES)) {
            af_diag_error(d, "storage sizing for %s: %s needs %.3g nodes, more than %.0f", sys,
                          af_storage_constraint_name((af_storage_constraint)c), need,
                          AF_STORAGE_MAX_NODES);
            return AF_EINPUT;
        }
        z.nodes_for[c] = need > AF_STORAGE_EPS ? (int)ceil(need - AF_STORAGE_EPS) : 0;
        if (z.nodes_for[c] > z.nodes) {
            z.nodes = z.nodes_for[c];
            z.binding = (af_storage_constraint)c;
        }
    }
    assert(z.nodes >= 1);

    int n = z.nodes;
    double device_s = (double)n * s->devices; /* device-seconds per second the tier supplies */
    double read_frac = read_dev / device_s, write_frac = write_dev / device_s;
    z.busy = storage_min(1, read_frac + write_frac);
    z.usable_B = af_storage_usable_B(s, n);
    z.read_Bps = n * af_storage_node_read_Bps(s);
    z.write_Bps = n * af_storage_node_write_Bps(s);
    z.idle_W = n * af_storage_node_power_W(s, 0, 0);
    z.active_W = n * af_storage_node_max_W(s);
    z.load_W = n * af_storage_node_power_W(s, read_frac, write_frac);
    z.rack_units = n * s->rack_units;
    z.price_usd = n * af_storage_node_price_usd(s);
    *out = z;
    return AF_OK;
}

/* b / a, inf when only a is 0 and 1 when both are. */
static double storage_ratio(double b, double a)
{
    if (a == 0)
        return b == 0 ? 1 : INFINITY;
    return b / a;
}

int af_storage_compare(const af_storage_spec *a, const af_storage_spec *b,
                       const af_storage_demand *dem, af_storage_comparison *out, af_diag *d)
{
    af_storage_comparison c;
    if (af_storage_size(a, dem, &c.a, d) != AF_OK || af_storage_size(b, dem, &c.b, d) != AF_OK)
        return AF_EINPUT;
    c.nodes_ratio = (double)c.b.nodes / c.a.nodes;
    c.load_W_ratio = storage_ratio(c.b.load_W, c.a.load_W);
    c.rack_units_ratio = storage_ratio(c.b.rack_units, c.a.rack_units);
    c.price_ratio = storage_ratio(c.b.price_usd, c.a.price_usd);
    *out = c;
    return AF_OK;
}
