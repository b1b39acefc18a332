/*
 * cost: power, racks and dollars of a run; see cost.h for the formulas.
 */
#include "model/cost.h"

#include <math.h>

#define COST_HOUR_S 3600.0

void af_cost_add(af_cost_input *in, double count, double power_W, double max_W, double price_usd,
                 double units_U)
{
    in->it_power_W += count * power_W;
    in->it_max_power_W += count * max_W;
    in->capital_usd += count * price_usd;
    in->rack_units += count * units_U;
}

void af_cost_rollup(const af_cost_input *in, const af_facility_spec *fac, af_cost *out)
{
    double T = in->duration_s;
    out->facility_W = in->it_power_W * fac->pue;
    out->energy_J = out->facility_W * T;
    out->racks =
        ceil(fmax(in->rack_units / fac->rack_units, in->it_max_power_W / fac->rack_power_W));
    out->capital_usd = in->capital_usd * T / fac->amortization_s;
    out->energy_usd = out->energy_J * fac->energy_price_usd_J;
    out->space_usd = out->racks * fac->space_usd_s_per_rack * T;
    out->total_usd = out->capital_usd + out->energy_usd + out->space_usd;
    out->per_hour_usd = out->total_usd / (T / COST_HOUR_S);
    out->per_gpu_hour_usd =
        in->useful_gpu_s > 0 ? out->total_usd / (in->useful_gpu_s / COST_HOUR_S) : 0;
}
