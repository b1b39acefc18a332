/*
 * storage: a storage system from the catalog (a node type with its devices) and a tier built
 * from a number of such nodes: derived rates, the device-time budget, sizing for a demand, power,
 * and capacity accounting.
 *
 * Device time model: an operation of s bytes costs 1/IOPS + s/bandwidth seconds of device time
 * (doc/formulas.md, "Storage devices"), so one budget bounds both small random and large
 * sequential traffic. A node delivers the lesser of its devices' aggregate and its NICs'.
 *
 * Read/write interference: a device doing mixed traffic spends reads/read_bw + writes/write_bw
 * (+ ops/IOPS) of its time, and that sum cannot exceed 1 s per second. So a write burst takes
 * device time from reads in proportion: writing at half the devices' write bandwidth leaves half
 * the device time, hence half the read bandwidth (less if the NICs bind first). The NICs are full
 * duplex, so reads (out) and writes (in) do not share them.
 *
 * Sizing (doc/formulas.md, "Storage sizing"): the node count is the maximum of the capacity-,
 * bandwidth- and IOPS-driven counts, plus the count that fits all the demands at once in the
 * device-time budget; which one binds is part of the answer.
 *
 * Reads behind writes (doc/formulas.md, "Flash reads behind writes"): a flash die that is
 * programming or erasing cannot read, so a read that reaches it waits for the rest of that
 * operation, or for the device's suspend latency when it suspends the operation for reads (Wu
 * and He, FAST'12, doc/sources.md [wu-he-suspend]). af_flash_blocking turns the write share of a
 * device's time into the chance and length of that wait (af_read_blocking); disks have none.
 *
 * Power: a device draws its idle power when idle and its read or write power while busy with
 * that, weighted by the share of time in each state (doc/formulas.md, "Power": the duty-cycle
 * model of the Scality study, doc/sources.md [bf-scality]: 10% idle, 80% read, 10% write gives
 * 8.7 W for an Exos X22 and 14.5 W for a Micron 6500 ION). Read and write power differ and either
 * may be the larger: a disk draws more seeking for reads (Exos X22 9.4 W read, 6.4 W write),
 * flash more programming cells (6500 ION 15 W read, 20 W write). "Busy" power figures (all
 * devices busy, no idle time) therefore take the larger of the two.
 */
#ifndef AF_MODEL_STORAGE_H
#define AF_MODEL_STORAGE_H

#include "base/diag.h"
#include "model/link.h"

typedef enum { AF_MEDIA_TLC, AF_MEDIA_QLC, AF_MEDIA_HDD } af_media;

/* A storage node model. Strings borrowed from the catalog. */
typedef struct af_storage_spec {
    const char *name;         /* catalog name, e.g. "flash-qlc-node" */
    const char *description;  /* one line for people */
    af_media media;           /* device technology */
    int devices;              /* devices per node */
    double device_B;          /* raw capacity per device, bytes */
    double device_read_Bps;   /* sustained read per device, bytes/s */
    double device_write_Bps;  /* sustained write per device, bytes/s */
    double device_read_iops;  /* random read IOPS per device */
    double device_write_iops; /* random write IOPS per device */
    double device_latency_s;  /* typical read latency, s */
    double device_idle_W;     /* device power idle, W (<= read and write power) */
    double device_read_W;     /* device power while busy reading, W */
    double device_write_W;    /* device power while busy writing, W */
    af_link_spec nic;         /* node network port model */
    int nics;                 /* network ports per node */
    double usable_fraction;   /* usable / raw after erasure coding and fill limit, (0, 1] */
    double server_W;          /* storage server power (CPU, memory, fans, boot media), W */
    double enclosure_W;       /* drive enclosure power besides the drives (JBOD fans,
                               * expanders, PSU losses); 0 when the server holds the drives, W */
    double rack_units;        /* height per node, U */
    double device_price_usd;  /* price of one device, USD */
    double chassis_price_usd; /* price of the node without its devices (server, enclosure,
                               * NICs), USD */
    double device_embodied_kg;  /* embodied carbon of one device, kg CO2e */
    double chassis_embodied_kg; /* embodied carbon of the node without devices, kg CO2e */
    /* Flash die operations, for reads behind writes (af_flash_blocking); all 0 for a disk. */
    double program_s;          /* time of one program operation of a die (tPROG), s */
    double erase_s;            /* time of one block erase (tBERS), s */
    double program_suspend_s;  /* longest a read waits for a program when the device suspends
                                * programs for reads, s; 0: programs are not suspended */
    double erase_suspend_s;    /* likewise for erases, s; 0: erases are not suspended */
    double programs_per_erase; /* program operations between two erases of a block (the
                                * block's wordlines or pages over those one program writes);
                                * sets the erase share of write time; 0: erases not counted */
} af_storage_spec;

/* How a flash read is held up by the writes on its device (doc/formulas.md, "Flash reads behind
 * writes"): a read that reaches a die busy with a program or an erase waits for the rest of that
 * operation, or only for the suspend latency when the device suspends it. Class 0 is programs,
 * class 1 erases. A read finds its die busy with class k with probability p[k] (the share of the
 * die's time spent on that operation), and then waits the residual of an operation of busy_s[k]
 * seconds, uniform on [0, busy_s[k]] (a die's operations of one kind take the same time, so the
 * residual at a random instant is uniform), capped at cap_s[k] when cap_s[k] > 0 (suspend). All
 * zero: reads never wait for writes (disks, or a device with no write traffic). */
typedef struct af_read_blocking {
    double p[2];      /* probability that a read finds its die programming (0) or erasing (1) */
    double busy_s[2]; /* duration of a program (0) and an erase (1), s */
    double cap_s[2];  /* longest wait when the device suspends that operation, s; 0 = no suspend */
} af_read_blocking;

/* How reads on a device of spec s wait behind its writes when writes take write_share of its
 * device time (the device-time share of af_storage_device_time_s spent writing, clamped to
 * [0, 1]). Writing at the full write bandwidth keeps every die busy programming or erasing, so a
 * die spends write_share of its time on them, split in the ratio of a block's work: N programs
 * of program_s to one erase of erase_s (N = programs_per_erase):
 *     p[0] = w N program_s / (N program_s + erase_s),  p[1] = w erase_s / (N program_s + erase_s)
 * (p[0] = w, p[1] = 0 when N is 0), busy_s = {program_s, erase_s}, cap_s = {program_suspend_s,
 * erase_suspend_s} (doc/formulas.md, "Flash reads behind writes"). All zero when the share is 0
 * or the spec has no program or erase time (a disk). */
void af_flash_blocking(const af_storage_spec *s, double write_share, af_read_blocking *out);

/* Closed forms of the wait W of one read under b: with probability p[k] it is min(U busy_s[k],
 * cap_s[k]) (U uniform on [0, 1]; no cap when cap_s[k] is 0), else 0.
 *
 * af_flash_wait_exceed: P(W > x) = sum over k with x < c_k of p[k] (1 - x / busy_s[k]), where
 * c_k = cap_s[k] when 0 < cap_s[k] < busy_s[k], else busy_s[k] (the longest wait of class k);
 * 1 for x < 0. A class with busy_s 0 never holds a read up.
 *
 * af_flash_wait_quantile: the p-quantile of W, the smallest x >= 0 with P(W > x) <= 1 - p, s
 * (p in [0, 1]; a point where P(W > x) jumps down, a cap, is returned as the cap). 0 when the
 * reads that wait are fewer than 1 - p.
 *
 * af_flash_wait_mean: E[W] = sum of p[k] (c_k - c_k^2 / (2 busy_s[k])), s.
 *
 * af_flash_wait_draw: a draw of W from one uniform u in [0, 1): class 0 when u < p[0], class 1
 * when u < p[0] + p[1], with the residual (u - start of the class) / p[k] x busy_s[k], capped;
 * else 0. So one uniform per read, and none needed where p[0] + p[1] is 0. */
double af_flash_wait_exceed(const af_read_blocking *b, double x);
double af_flash_wait_quantile(const af_read_blocking *b, double p);
double af_flash_wait_mean(const af_read_blocking *b);
double af_flash_wait_draw(const af_read_blocking *b, double u);

/* Price of one node with its devices: chassis + devices x device price, USD. A node populated
 * with fewer drives (devices overridden) costs less by the drives left out. */
double af_storage_node_price_usd(const af_storage_spec *s);

/* Embodied carbon of one node: chassis + devices x device figure, kg CO2e. */
double af_storage_node_embodied_kg(const af_storage_spec *s);

/* Power of one node besides its devices: server + enclosure + nics x NIC port power, W. */
double af_storage_node_overhead_W(const af_storage_spec *s);

/* Aggregate read bandwidth of one node: min(devices * device_read, nics * nic rate), bytes/s. */
double af_storage_node_read_Bps(const af_storage_spec *s);

/* Aggregate write bandwidth of one node, likewise, bytes/s. */
double af_storage_node_write_Bps(const af_storage_spec *s);

/* Usable capacity of one node, bytes. */
double af_storage_node_usable_B(const af_storage_spec *s);

/* Device operations one file read costs: the open's metadata look-up and the first read's seek.
 * A file of size_B bytes read whole and in order takes AF_STORAGE_FILE_OPS / read_iops +
 * size_B / device_read_Bps of device time (af_storage_file_read_cost_s); `aifsim run` charges
 * training reads this way and `aifsim size --file-reads` sizes for it (doc/formulas.md,
 * "Storage devices"). A single random read (a look-up) is one operation. */
#define AF_STORAGE_FILE_OPS 2

/* Device time for reading one file of size_B bytes whole: AF_STORAGE_FILE_OPS / read_iops +
 * size_B / device_read_Bps, s. */
double af_storage_file_read_cost_s(const af_storage_spec *s, double size_B);

/* Device time for one read of size_B bytes: 1/read_iops + size_B/device_read_Bps, s. */
double af_storage_read_cost_s(const af_storage_spec *s, double size_B);

/* Device time for one write of size_B bytes: 1/write_iops + size_B/device_write_Bps, s. */
double af_storage_write_cost_s(const af_storage_spec *s, double size_B);

/* Reads of size_B bytes one device completes per second, 1 / af_storage_read_cost_s, ops/s. */
double af_storage_device_read_ops(const af_storage_spec *s, double size_B);

/* Writes of size_B bytes one device completes per second, 1 / af_storage_write_cost_s, ops/s. */
double af_storage_device_write_ops(const af_storage_spec *s, double size_B);

/* Reads of size_B bytes one node completes per second: devices x af_storage_device_read_ops,
 * capped by the NICs at nics x rate / size_B when size_B > 0, ops/s. */
double af_storage_node_read_ops(const af_storage_spec *s, double size_B);

/* Writes of size_B bytes one node completes per second, likewise, ops/s. */
double af_storage_node_write_ops(const af_storage_spec *s, double size_B);

/* Device time to read read_B bytes and write write_B bytes in read_ops and write_ops operations:
 * read_B/device_read_Bps + write_B/device_write_Bps + read_ops/read_iops + write_ops/write_iops,
 * in device-seconds (a node supplies `devices` device-seconds per second). Streaming traffic has
 * few operations per byte and may pass 0 ops. All arguments >= 0. */
double af_storage_device_time_s(const af_storage_spec *s, double read_B, double write_B,
                                double read_ops, double write_ops);

/* Share of one node's device time, in [0, inf), that a load of read_Bps and write_Bps bytes/s in
 * read_ops and write_ops operations per second uses: af_storage_device_time_s of one second of
 * that load / devices. Above 1 the devices cannot keep up. */
double af_storage_node_busy(const af_storage_spec *s, double read_Bps, double write_Bps,
                            double read_ops, double write_ops);

/* Read bandwidth one node has left while it writes write_Bps bytes/s in write_ops operations/s:
 * min(NIC read rate, (1 - write share of device time) x devices x device_read_Bps), bytes/s;
 * 0 when the writes take all the device time. */
double af_storage_node_read_left_Bps(const af_storage_spec *s, double write_Bps, double write_ops);

/* Write bandwidth one node has left while it reads read_Bps bytes/s in read_ops operations/s,
 * likewise, bytes/s. */
double af_storage_node_write_left_Bps(const af_storage_spec *s, double read_Bps, double read_ops);

/* Usable capacity of `nodes` nodes: nodes x af_storage_node_usable_B, bytes. */
double af_storage_usable_B(const af_storage_spec *s, int nodes);

/* How much of a write of write_B bytes fits on `nodes` nodes already holding used_B bytes:
 * min(write_B, max(0, usable - used_B)), bytes. Equal to write_B when all of it fits. */
double af_storage_fit_B(const af_storage_spec *s, int nodes, double used_B, double write_B);

/* Power of one device by state, W. */
typedef struct af_storage_power_states {
    double idle_W;  /* idle, W */
    double read_W;  /* busy reading, W */
    double write_W; /* busy writing, W */
} af_storage_power_states;

/* The device power states of a spec: device_idle_W, device_read_W and device_write_W. */
af_storage_power_states af_storage_device_power(const af_storage_spec *s);

/* Mean power of a device that spends read_frac of its time reading, write_frac writing and the
 * rest idle: idle (1 - r - w) + read_W r + write_W w, W. The fractions are clamped to [0, 1] and,
 * when they sum past 1, scaled down to sum to 1. */
double af_storage_mix_W(const af_storage_power_states *p, double read_frac, double write_frac);

/* Power of one node whose devices are busy read_frac of the time reading and write_frac writing
 * (the shares of device time, e.g. the read and write terms of af_storage_device_time_s over
 * `devices` device-seconds): af_storage_node_overhead_W + devices x af_storage_mix_W, W. Reads are charged at
 * device_read_W and writes at device_write_W, so a write-heavy load on flash draws more than a
 * read-heavy one at the same total busy share, and on disk less. Fractions as af_storage_mix_W
 * takes them (clamped, scaled down when they sum past 1). (0, 0) gives the idle node. */
double af_storage_node_power_W(const af_storage_spec *s, double read_frac, double write_frac);

/* Power of one node with every device busy in its more power-hungry state:
 * af_storage_node_overhead_W + devices x max(device_read_W, device_write_W), W. The node's power ceiling under the
 * duty-cycle model (af_storage_node_power_W never exceeds it). */
double af_storage_node_max_W(const af_storage_spec *s);

/* What a tier must hold and serve. Every figure >= 0; the demands add up (streaming bandwidth
 * plus random operations on top of it). */
typedef struct af_storage_demand {
    double capacity_B; /* data to hold, bytes (usable, after erasure coding and fill limit) */
    double read_Bps;   /* streaming read bandwidth, bytes/s */
    double write_Bps;  /* streaming write bandwidth, bytes/s */
    double read_iops;  /* random reads per second of read_op_B bytes each, ops/s */
    double read_op_B;  /* size of one random read, bytes (e.g. 4096) */
    double read_ops_per_read; /* device operations each read costs: 0 or 1 for a single random
                                 read, AF_STORAGE_FILE_OPS for a file read whole (the way
                                 `aifsim run` charges training reads) */
    double write_iops; /* random writes per second of write_op_B bytes each, ops/s */
    double write_op_B; /* size of one random write, bytes */
    int min_nodes;     /* floor on the node count, e.g. the erasure-coding stripe width; 0: 1 */
} af_storage_demand;

/* A constraint that drives the node count. */
typedef enum {
    AF_SIZE_CAPACITY,   /* usable capacity */
    AF_SIZE_READ_BW,    /* streaming reads: min(devices x device read, NICs) per node */
    AF_SIZE_WRITE_BW,   /* streaming writes, likewise */
    AF_SIZE_READ_IOPS,  /* random reads: af_storage_node_read_ops at read_op_B */
    AF_SIZE_WRITE_IOPS, /* random writes: af_storage_node_write_ops at write_op_B */
    AF_SIZE_MIXED,      /* all four at once: device time summed, NIC in and out each */
    AF_SIZE_MINIMUM,    /* the demand's min_nodes (at least one node) */
    AF_SIZE__COUNT
} af_storage_constraint;

/* Lower-case name of a constraint ("capacity", "read bandwidth", ...), static. */
const char *af_storage_constraint_name(af_storage_constraint c);

/* A tier sized for a demand. */
typedef struct af_storage_sizing {
    double need[AF_SIZE__COUNT];   /* nodes each constraint needs, fractional (0 when no demand) */
    int nodes_for[AF_SIZE__COUNT]; /* need rounded up (a need within 1e-9 of an integer is that
                                    * integer) */
    int nodes;                     /* the node count: the largest of nodes_for, >= 1 */
    af_storage_constraint binding; /* the constraint that sets `nodes`; on a tie the first in
                                    * enum order, so MIXED binds only when combining adds nodes */
    double usable_B;               /* usable capacity of `nodes`, bytes */
    double read_Bps;               /* streaming read bandwidth of `nodes`, bytes/s */
    double write_Bps;              /* streaming write bandwidth of `nodes`, bytes/s */
    double busy;                   /* share of device time the demand uses on `nodes`, [0, 1] */
    double idle_W;                 /* power with every device idle, W */
    double active_W;               /* power with every device busy in its more power-hungry
                                    * state (af_storage_node_max_W per node), W */
    double load_W;                 /* power at the demand: devices busy reading and writing in
                                    * the demand's split (read and write shares of device time,
                                    * summing to `busy`), each at its own power, W */
    double rack_units;             /* height of `nodes`, U */
    double price_usd;              /* price of `nodes`, USD */
} af_storage_sizing;

/* Sizes a tier of spec-s nodes for demand dem. On success fills *out and returns AF_OK. Returns
 * AF_EINPUT with a message in d, *out unchanged, when a demand figure is negative or not finite,
 * an operation size is negative, or the tier would need more than 10,000,000 nodes. The spec is
 * assumed valid (a catalog entry: positive rates and counts). */
int af_storage_size(const af_storage_spec *s, const af_storage_demand *dem, af_storage_sizing *out,
                    af_diag *d);

/* Two systems sized for the same demand, side by side (the flash-versus-disk question). */
typedef struct af_storage_comparison {
    af_storage_sizing a;     /* the first system */
    af_storage_sizing b;     /* the second system */
    double nodes_ratio;      /* b.nodes / a.nodes */
    double load_W_ratio;     /* b.load_W / a.load_W */
    double rack_units_ratio; /* b.rack_units / a.rack_units */
    double price_ratio;      /* b.price_usd / a.price_usd; each ratio is inf when only a's
                              * figure is 0 and 1 when both are */
} af_storage_comparison;

/* Sizes systems a and b for dem (af_storage_size) and fills *out. Returns AF_OK, or AF_EINPUT with
 * the messages of the failed sizing in d and *out unchanged. */
int af_storage_compare(const af_storage_spec *a, const af_storage_spec *b,
                       const af_storage_demand *dem, af_storage_comparison *out, af_diag *d);

#endif
