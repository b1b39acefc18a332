/*
 * cost: rolls the equipment of a run up into facility power, racks and dollars. A pure function
 * of its inputs: no simulation state, so the planner and `aifsim compare` can price a
 * configuration the same way the world does.
 *
 * For a run of T seconds with mean IT power P_IT (GPU nodes, storage nodes and switches, each
 * following its utilization), peak IT power P_max, purchase price C and rack units U, in a
 * facility of power usage effectiveness PUE, energy price e (USD/J), amortization period A (s),
 * racks of R_U units and R_P watts, and space price s (USD per rack per second):
 *     facility power  = P_IT x PUE                     (PUE: The Green Grid, WP#49, 2012)
 *     energy          = facility power x T
 *     racks           = ceil(max(U / R_U, P_max / R_P))
 *     capital         = C x T / A                     (straight-line amortization)
 *     energy cost     = energy x e
 *     space cost      = racks x s x T
 *     total           = capital + energy cost + space cost (the three add up by construction)
 *     per hour        = total / (T / 3600 s)
 *     per GPU-hour    = total / (useful GPU-seconds / 3600 s)
 */
#ifndef AF_MODEL_COST_H
#define AF_MODEL_COST_H

#include "model/facility.h"

/* What is being priced, summed over the equipment. */
typedef struct af_cost_input {
    double it_power_W;     /* mean IT power, W */
    double it_max_power_W; /* peak IT power (racks are provisioned for it), W */
    double capital_usd;    /* purchase price of all equipment, USD */
    double rack_units;     /* rack units of all equipment, U */
    double duration_s;     /* length of the run, s (> 0) */
    double useful_gpu_s;   /* GPU-seconds spent computing (0: no per-GPU-hour figure) */
} af_cost_input;

/* The roll-up. */
typedef struct af_cost {
    double facility_W;       /* mean facility power, W */
    double energy_J;         /* facility energy over the run, J */
    double racks;            /* racks, whole */
    double capital_usd;      /* amortized capital for the run, USD */
    double energy_usd;       /* energy cost, USD */
    double space_usd;        /* space and upkeep, USD */
    double total_usd;        /* capital + energy + space, USD */
    double per_hour_usd;     /* total for one hour of run, USD */
    double per_gpu_hour_usd; /* total per useful GPU-hour, USD; 0 when no GPU computed */
} af_cost;

/* Adds one kind of equipment to in: count units drawing power_W each on average, max_W at most,
 * priced price_usd and taking units_U each. */
void af_cost_add(af_cost_input *in, double count, double power_W, double max_W, double price_usd,
                 double units_U);

/* Rolls in up under facility fac into out. */
void af_cost_rollup(const af_cost_input *in, const af_facility_spec *fac, af_cost *out);

#endif
