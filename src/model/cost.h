/*
 * cost: rolls the equipment of a run up into power by component, racks, carbon and dollars, for
 * the run and over a stated lifetime. A pure function of its inputs: no simulation state, so the
 * world, `aifsim size`, `aifsim compare` and the planner price a configuration the same way.
 *
 * The input is a ledger of boxes: a kind of equipment (a pool's GPU nodes, a tier's storage
 * nodes, a fabric's switches, an ingest's CPU nodes) bought as `count` whole boxes. Each box
 * carries its mean power over the run split by component (GPUs, host, NIC ports, switches,
 * storage devices, storage servers, enclosures, CPU servers), its power with every part busy, its nameplate power (what a rack is provisioned
 * for), its price, its height and its embodied carbon. With a run of T seconds, facility PUE,
 * energy price e, grid carbon intensity g, maintenance share m per year, class lives L_c and a
 * lifetime H (doc/formulas.md, "Cost"):
 *     IT power P_IT       = sum of count x mean power            (by component, and in total)
 *     facility power      = P_IT x PUE                            (The Green Grid WP#49)
 *     energy E            = facility power x T
 *     racks               = whole boxes packed into racks of R_U units and R_P watts of
 *                           nameplate power (af_cost_pack_racks), not summed units
 *     capital rate        = sum over classes of price_c / L_c     (straight line, per class)
 *     capital (run)       = capital rate x T
 *     maintenance (run)   = m x purchase price x T / 1 y
 *     energy cost         = E x e
 *     space cost          = racks x space price x T
 *     total (run)         = capital + maintenance + energy + space (they add up by construction)
 *     carbon (run)        = E x g + sum over classes of embodied_c x T / L_c (each class's
 *                           manufacturing carbon spread over its own life, as its capital)
 *     TCO over H          = capital rate x H + m x price x H / 1 y + P_facility x H x e
 *                           + racks x space price x H          (the run's mean load held for H)
 *     carbon over H       = E over H x g + sum of embodied_c x H / L_c
 * Costs per unit of output divide the run's total by the useful GPU-hours, the million tokens
 * trained and the million requests served.
 *
 * Power cap: a site cap C on facility power holds when the busy facility power (every part at
 * its busy power: what the site must deliver at the run's worst instant) stays under it. With GPU
 * power limits, the GPU limit that makes the busy facility power equal C is
 *     L = (C / PUE - busy power besides the GPUs) / GPUs,
 * clamped to the GPUs' accepted range, and the throughput it leaves follows the GPU's power curve
 * (af_gpu_throughput_at).
 */
#ifndef AF_MODEL_COST_H
#define AF_MODEL_COST_H

#include "model/facility.h"

#include <stddef.h>

/* The components power is reported by. */
typedef enum {
    AF_PART_GPU,       /* accelerators */
    AF_PART_HOST,      /* a GPU node besides its GPUs and NIC ports: CPUs, memory, NVSwitch, fans */
    AF_PART_NIC,       /* host network ports with their optics (GPU and storage nodes) */
    AF_PART_SWITCH,    /* fabric switches */
    AF_PART_DEVICE,    /* storage devices (drives) */
    AF_PART_SERVER,    /* storage servers (the node's CPU, memory, fans) */
    AF_PART_ENCLOSURE, /* drive enclosures (JBOD fans, expanders, power supplies) */
    AF_PART_CPU,       /* CPU-only servers (an ingest's preprocessing nodes), whole */
    AF_PART__COUNT
} af_power_part;

/* Lower-case name of a part ("gpu", "host", ...), static; the metric name's last word. */
const char *af_power_part_name(af_power_part p);

/* Equipment classes, each amortized over its own life. */
typedef enum {
    AF_ASSET_COMPUTE, /* GPU nodes and CPU servers */
    AF_ASSET_STORAGE, /* storage nodes */
    AF_ASSET_NETWORK, /* switches */
    AF_ASSET__COUNT
} af_asset_class;

/* Lower-case name of a class ("compute", "storage", "network"), static. */
const char *af_asset_class_name(af_asset_class c);

/* One kind of box bought `count` times. All figures per box and >= 0. */
typedef struct af_cost_box {
    af_asset_class cls;            /* which life amortizes it */
    double count;                  /* boxes (whole in practice) */
    double mean_W[AF_PART__COUNT]; /* mean power over the run by component, W */
    double busy_W;                 /* power with every part at its busiest, W */
    double gpu_busy_W;             /* the GPUs' share of busy_W, W (0 for boxes without GPUs) */
    int gpus;                      /* GPUs per box (0 for boxes without GPUs) */
    double nameplate_W;            /* nameplate power a rack is provisioned for, W */
    double price_usd;              /* purchase price, USD */
    double units_U;                /* height, rack units */
    double embodied_kg;            /* embodied carbon, kg CO2e */
} af_cost_box;

/* What the run produced, for costs per unit of output; 0 where it produced none. */
typedef struct af_cost_output {
    double useful_gpu_s; /* GPU-seconds spent computing */
    double tokens;       /* tokens trained */
    double requests;     /* requests served */
} af_cost_output;

/* The roll-up. Money in USD, power in W, energy in J, carbon in kg CO2e. */
typedef struct af_cost {
    double part_W[AF_PART__COUNT]; /* mean IT power by component */
    double it_W;                   /* mean IT power: the parts' sum */
    double facility_W;             /* mean facility power: it_W x PUE */
    double it_busy_W;              /* IT power with every part busy */
    double facility_busy_W;        /* facility power with every part busy */
    double nameplate_W;            /* summed nameplate power */
    double energy_J;               /* facility energy over the run */
    double racks;                  /* racks, whole boxes packed */
    double units_U;                /* rack units of all boxes */
    double purchase_usd;           /* purchase price of everything */
    double purchase_class_usd[AF_ASSET__COUNT];
    double capital_usd;            /* amortized capital for the run */
    double capital_class_usd[AF_ASSET__COUNT];
    double maintenance_usd;        /* maintenance for the run */
    double energy_usd;             /* energy cost of the run */
    double space_usd;              /* space cost of the run */
    double total_usd;              /* capital + maintenance + energy + space */
    double per_hour_usd;           /* total per hour of run */
    double per_gpu_hour_usd;       /* per useful GPU-hour; 0 when no GPU computed */
    double per_mtoken_usd;         /* per million tokens trained; 0 when none */
    double per_mrequest_usd;       /* per million requests served; 0 when none */
    double carbon_kg;              /* operational carbon of the run: energy x intensity */
    double embodied_kg;            /* embodied carbon of all equipment */
    double embodied_run_kg;        /* its share for the run: each class's x T / its life */
    /* Lifetime (the facility's lifetime_s), the run's mean load held throughout. */
    double life_s;
    double tco_usd;                /* capital + maintenance + energy + space over the lifetime */
    double tco_capital_usd;
    double tco_maintenance_usd;
    double tco_energy_usd;
    double tco_space_usd;
    double per_year_usd;           /* tco / lifetime in years */
    double life_energy_J;          /* facility energy over the lifetime */
    double life_carbon_kg;         /* operational carbon over the lifetime + each class's
                                    * embodied carbon x lifetime / its life */
    /* Site power cap (facility power_cap_W > 0). */
    int cap_set;                   /* 1 when the facility has a cap */
    int cap_holds;                 /* busy facility power <= cap */
    int cap_mean_holds;            /* mean facility power <= cap */
    double cap_headroom_W;         /* cap - busy facility power (negative when it does not hold) */
    double cap_gpu_limit_W;        /* GPU power limit that brings busy power to the cap, W;
                                    * 0 when there are no GPUs */
} af_cost;

/* Rolls `n` boxes up for a run of duration_s (> 0) under facility fac into out. out->cap_* need
 * the GPUs' curve and are finished by the caller (af_cost_cap_limit gives the limit). */
void af_cost_rollup(const af_cost_box *boxes, size_t n, double duration_s,
                    const af_cost_output *output, const af_facility_spec *fac, af_cost *out);

/* Racks needed for n kinds of boxes packed whole: kinds in the given order, each first filling
 * the partly filled last rack each kind before it left (not the spare room of its full racks,
 * so a mix can take a rack more than the tightest packing), then opening its own, a rack holding as
 * many boxes as fit both its units (rack_units) and its power (rack_power_W, against each
 * box's nameplate). A box taller or hungrier than a rack takes a rack of its own. */
double af_cost_pack_racks(const af_cost_box *boxes, size_t n, const af_facility_spec *fac);

#endif
