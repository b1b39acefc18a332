/*
 * plan/size: sizing a storage tier for a demand, as a planning question: how many nodes of a
 * storage system, populated with how many drives, hold and serve the demand with the headroom
 * asked for, which constraint sets that count and by how much every other one is
 * over-provisioned, what the tier draws (on a named basis) and what it costs over a lifetime in
 * a facility. `aifsim size` parses its options into the inputs below, calls af_size_plan once
 * per system (twice with --compare) and prints the result; the planning lives here, the
 * command only parses and prints.
 *
 * Layering: base/ and model/ only (no workload/, no cli/). The node count comes from
 * af_storage_size (model/storage.h), power from af_storage_node_power_W and
 * af_storage_node_max_W, and every dollar from af_cost_rollup (model/cost.h) over one ledger
 * entry for the storage nodes; nothing here re-derives a cost formula (doc/formulas.md,
 * "Storage sizing" and "Facility and cost").
 *
 * The inputs, in order of application (doc/formulas.md, "Storage sizing"):
 *   - the spec after the user's overrides (the caller applies `--set FIELD=VALUE` through the
 *     catalog schema); its `devices` is the number of drive bays of one node;
 *   - drives per node: all the bays, a given count (a partly populated box: its price is the
 *     chassis plus the drives it holds, af_storage_node_price_usd, and its power the server,
 *     enclosure and NIC ports plus the drives it holds, af_storage_node_overhead_W), or the count
 *     in [min_devices, bays] with the lowest lifetime TCO for the demand;
 *   - the usable fraction: the spec's, a given one, or data / (data + parity) x fill from an
 *     erasure code and a fill limit;
 *   - the headroom h in (0, 1]: devices and NICs at most h busy at the demand, so the bandwidth
 *     and IOPS demands are sized at demand / h (capacity is not scaled);
 *   - the power basis: at the sized load (the devices' busy share from the demand itself, not the
 *     headroom-scaled one, af_storage_node_power_W) or with every device busy
 *     (af_storage_node_max_W). The basis is the IT power the W per usable TB, the energy per year
 *     and the TCO's energy use;
 *   - the facility (PUE, energy price, storage life, maintenance, racks and space, lifetime).
 */
#ifndef AF_PLAN_SIZE_H
#define AF_PLAN_SIZE_H

#include "base/diag.h"
#include "model/cost.h"
#include "model/facility.h"
#include "model/storage.h"

#include <stdbool.h>

/* Which power the W per usable TB, the energy per year, the TCO and --compare's power use. */
typedef enum {
    AF_SIZE_POWER_LOAD, /* at the demand: devices busy their share of the time */
    AF_SIZE_POWER_BUSY, /* every device busy in its more power-hungry state */
} af_size_power_basis;

/* "load" or "busy", static. */
const char *af_size_power_basis_name(af_size_power_basis b);

/* af_size_options.devices: every bay populated (the spec's `devices`). */
#define AF_SIZE_DEVICES_ALL 0
/* af_size_options.devices: the drive count with the lowest lifetime TCO. */
#define AF_SIZE_DEVICES_AUTO (-1)

/* Largest erasure-code width (data + parity) accepted. */
#define AF_SIZE_MAX_EC_WIDTH 1000

/* Planning options. A zero-initialized struct asks for the catalog's box as it is: every bay
 * populated, the spec's usable fraction, no headroom, power at load. */
typedef struct af_size_options {
    int devices;            /* drives per node: AF_SIZE_DEVICES_ALL, 1..bays, or
                             * AF_SIZE_DEVICES_AUTO */
    int min_devices;        /* AF_SIZE_DEVICES_AUTO's fewest drives per node; 0: the erasure-code
                             * width when one is given, else 1; at most the bays */
    double usable_fraction; /* usable / raw in (0, 1]; 0: from ec_* and fill, else the spec's */
    int ec_data;            /* erasure code: data drives of a stripe (>= 1), 0 for none */
    int ec_parity;          /* erasure code: parity drives of a stripe (>= 0) */
    double fill;            /* fill limit in (0, 1]; 0: 1 (with an erasure code) */
    double headroom;        /* busiest share of device and NIC time at the demand, (0, 1];
                             * 0: 1 (none) */
    af_size_power_basis basis;
} af_size_options;

/* Where the usable fraction came from. */
typedef enum {
    AF_SIZE_USABLE_SPEC,    /* the spec's usable_fraction (catalog or --set) */
    AF_SIZE_USABLE_GIVEN,   /* options.usable_fraction */
    AF_SIZE_USABLE_ERASURE, /* data / (data + parity) x fill */
} af_size_usable_source;

/* How the drive count per node was chosen. */
typedef enum {
    AF_SIZE_CHOSE_ALL,   /* every bay */
    AF_SIZE_CHOSE_GIVEN, /* options.devices */
    AF_SIZE_CHOSE_AUTO,  /* the lowest TCO in [min_devices, bays] */
} af_size_devices_source;

/* One drive count AF_SIZE_DEVICES_AUTO tried, for the explanation. */
typedef struct af_size_alt {
    int devices;                   /* drives per node */
    int nodes;                     /* nodes at that count */
    af_storage_constraint binding; /* what sets them */
    double price_usd;              /* purchase price of the tier, USD */
    double power_W;                /* IT power on the basis, W */
    double tco_usd;                /* lifetime TCO, USD */
} af_size_alt;

/* At most this many drive counts are kept for the explanation of an automatic choice. */
#define AF_SIZE_MAX_ALTS 5

/* Figures of one node as sized (its drive count and usable fraction applied). */
typedef struct af_size_node {
    int devices;      /* drives */
    double raw_B;     /* raw capacity, bytes */
    double usable_B;  /* usable capacity, bytes */
    double read_Bps;  /* streaming read: min(drives x device read, NICs), bytes/s */
    double write_Bps; /* streaming write, likewise, bytes/s */
    double read_iops; /* drives x device read IOPS (data-sheet 4 KiB figure), 1/s */
    double idle_W;    /* power with the drives idle, W */
    double max_W;     /* power with every drive busy in its more power-hungry state, W */
    double price_usd; /* chassis + drives x drive price, USD */
} af_size_node;

/* The figures of one node of spec s as it is (s->devices drives). */
af_size_node af_size_node_figures(const af_storage_spec *s);

/* Everything `aifsim size` prints for one system. Money in USD, power in W, energy in J. */
typedef struct af_size_result {
    af_storage_spec spec; /* the spec as sized: devices = drives per node, the usable
                           * fraction applied (strings borrowed from the input) */
    int bays;             /* drive bays per node: the input spec's devices */
    af_size_devices_source devices_from;
    int min_devices, max_devices;       /* AUTO: the drive counts tried (every count between) */
    af_size_alt alts[AF_SIZE_MAX_ALTS]; /* AUTO: the fewest tried, the chosen count and its
                                         * neighbours, and every bay, ascending, without repeats */
    int nalts;
    int chosen_alt;         /* AUTO: index of the chosen count in alts */
    double usable_fraction; /* usable / raw applied */
    af_size_usable_source usable_from;
    double headroom;                /* applied, (0, 1] (1: none) */
    af_storage_demand sized_demand; /* the demand as sized: bandwidth and IOPS / headroom */
    af_size_node node;              /* one node as sized */
    af_storage_sizing sizing;       /* needs and node count for the sized demand; busy and load_W
                                     * at the demand itself (without the headroom) */
    double nic_busy;                /* share of the NICs' busier direction (reads out, writes
                                     * in) the demand itself uses on the node count, [0, 1] */
    double over[AF_SIZE__COUNT];    /* nodes / need: how many times over each constraint is
                                     * served (1 or a little more for the binding one, rounding);
                                     * 0 where the constraint needs nothing */
    af_size_power_basis basis;
    double power_W;          /* IT power on the basis (load_W or active_W), W */
    double facility_power_W; /* power_W x PUE, W */
    double W_per_usable_B;   /* power_W / usable capacity, W per byte */
    double energy_year_J;    /* facility energy over one year at facility_power_W, J */
    double energy_year_usd;  /* its cost, USD */
    af_cost cost;            /* the roll-up over one year (af_cost_rollup of the storage
                              * nodes on the basis): racks, the lifetime TCO and its parts */
} af_size_result;

/* Sizes a tier of spec-s nodes for dem with opt under facility fac into *out. Returns AF_OK, or
 * AF_EINPUT with messages in d (*out unchanged) when an option is out of range (devices above the
 * bays, a usable fraction, fill or headroom outside (0, 1], an erasure code without data drives)
 * or the sizing fails (af_storage_size: a bad demand, more than 10,000,000 nodes; with
 * AF_SIZE_DEVICES_AUTO only when every count fails). The spec and facility are assumed valid
 * (catalog entries and checked overrides). */
int af_size_plan(const af_storage_spec *s, const af_storage_demand *dem, const af_size_options *opt,
                 const af_facility_spec *fac, af_size_result *out, af_diag *d);

/* data / (data + parity) x fill, the usable share of raw capacity under an erasure code of data +
 * parity drives per stripe filled to `fill` (n-way replication is 1 + (n - 1)). */
double af_size_erasure_usable(int data, int parity, double fill);

/* The ratios b / a of two systems sized for the same demand (the flash-versus-disk question).
 * Each ratio is inf when only a's figure is 0 and 1 when both are. */
typedef struct af_size_ratios {
    double nodes;
    double power;      /* on the basis */
    double load_power; /* at load, whatever the basis */
    double W_per_usable_B;
    double energy_year;
    double rack_units;
    double racks;
    double price;
    double tco;
} af_size_ratios;

af_size_ratios af_size_compare(const af_size_result *a, const af_size_result *b);

#endif
