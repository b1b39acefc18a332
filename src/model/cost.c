/*
 * cost: power by component, racks, carbon and dollars of a run and over a lifetime; see cost.h
 * for the formulas.
 */
#include "model/cost.h"

#include <math.h>

#define COST_HOUR_S 3600.0
#define COST_YEAR_S (365.0 * 86400.0)

const char *af_power_part_name(af_power_part p)
{
    static const char *const names[AF_PART__COUNT] = {
        "gpu", "host", "nic", "switch", "device", "server", "enclosure", "cpu",
    };
    return p >= 0 && p < AF_PART__COUNT ? names[p] : "?";
}

const char *af_asset_class_name(af_asset_class c)
{
    static const char *const names[AF_ASSET__COUNT] = {"compute", "storage", "network"};
    return c >= 0 && c < AF_ASSET__COUNT ? names[c] : "?";
}

/* Life of a class under fac, s. */
static double cost_life(const af_facility_spec *fac, af_asset_class c)
{
    switch (c) {
    case AF_ASSET_STORAGE:
        return fac->storage_life_s;
    case AF_ASSET_NETWORK:
        return fac->network_life_s;
    default:
        return fac->amortization_s;
    }
}

/* Whole boxes of one kind that fit in space_U units and power_W watts. */
static double cost_fit(const af_cost_box *b, double space_U, double power_W)
{
    double by_u = b->units_U > 0 ? floor(space_U / b->units_U + 1e-9) : INFINITY;
    double by_w = b->nameplate_W > 0 ? floor(power_W / b->nameplate_W + 1e-9) : INFINITY;
    return fmax(0, fmin(by_u, by_w));
}

double af_cost_pack_racks(const af_cost_box *boxes, size_t n, const af_facility_spec *fac)
{
    /* The open racks' free space is tracked only for the last partly filled rack: every kind
     * fills whole racks of its own, so at most one rack per kind is left partly filled; the
     * kinds after it fill those leftovers first (first fit over the leftovers, in order). */
    enum { MAX_OPEN = 64 };
    double free_U[MAX_OPEN], free_W[MAX_OPEN];
    size_t open = 0;
    double racks = 0;
    for (size_t k = 0; k < n; k++) {
        const af_cost_box *b = &boxes[k];
        double left = ceil(b->count - 1e-9);
        if (left <= 0)
            continue;
        for (size_t r = 0; r < open && left > 0; r++) {
            double put = fmin(left, cost_fit(b, free_U[r], free_W[r]));
            free_U[r] -= put * b->units_U;
            free_W[r] -= put * b->nameplate_W;
            left -= put;
        }
        if (left <= 0)
            continue;
        double per = cost_fit(b, fac->rack_units, fac->rack_power_W);
        if (per < 1) {
            racks += left; /* too big for a rack: one each */
            continue;
        }
        double full = floor(left / per);
        double rest = left - full * per;
        racks += full + (rest > 0);
        if (rest > 0 && open < MAX_OPEN) {
            free_U[open] = fac->rack_units - rest * b->units_U;
            free_W[open] = fac->rack_power_W - rest * b->nameplate_W;
            open++;
        }
    }
    return racks;
}

void af_cost_rollup(const af_cost_box *boxes, size_t n, double duration_s,
                    const af_cost_output *output, const af_facility_spec *fac, af_cost *out)
{
    *out = (af_cost){0};
    double T = duration_s;
    double gpus = 0, gpu_busy_W = 0, capital_rate = 0, embodied_rate = 0;
    for (size_t k = 0; k < n; k++) {
        const af_cost_box *b = &boxes[k];
        for (int p = 0; p < AF_PART__COUNT; p++)
            out->part_W[p] += b->count * b->mean_W[p];
        out->it_busy_W += b->count * b->busy_W;
        out->nameplate_W += b->count * b->nameplate_W;
        out->units_U += b->count * b->units_U;
        out->purchase_usd += b->count * b->price_usd;
        out->purchase_class_usd[b->cls] += b->count * b->price_usd;
        out->embodied_kg += b->count * b->embodied_kg;
        embodied_rate += b->count * b->embodied_kg / cost_life(fac, b->cls);
        gpus += b->count * b->gpus;
        gpu_busy_W += b->count * b->gpu_busy_W;
    }
    for (int p = 0; p < AF_PART__COUNT; p++)
        out->it_W += out->part_W[p];
    for (int c = 0; c < AF_ASSET__COUNT; c++) {
        double rate = out->purchase_class_usd[c] / cost_life(fac, (af_asset_class)c);
        out->capital_class_usd[c] = rate * T;
        out->capital_usd += rate * T;
        capital_rate += rate;
    }
    out->facility_W = out->it_W * fac->pue;
    out->facility_busy_W = out->it_busy_W * fac->pue;
    out->energy_J = out->facility_W * T;
    out->racks = af_cost_pack_racks(boxes, n, fac);
    double maint_rate = fac->maintenance * out->purchase_usd / COST_YEAR_S;
    double space_rate = out->racks * fac->space_usd_s_per_rack;
    double energy_rate = out->facility_W * fac->energy_price_usd_J;
    out->maintenance_usd = maint_rate * T;
    out->energy_usd = energy_rate * T;
    out->space_usd = space_rate * T;
    out->total_usd = out->capital_usd + out->maintenance_usd + out->energy_usd + out->space_usd;
    out->per_hour_usd = out->total_usd / (T / COST_HOUR_S);
    if (output && output->useful_gpu_s > 0)
        out->per_gpu_hour_usd = out->total_usd / (output->useful_gpu_s / COST_HOUR_S);
    if (output && output->tokens > 0)
        out->per_mtoken_usd = out->total_usd / (output->tokens / 1e6);
    if (output && output->requests > 0)
        out->per_mrequest_usd = out->total_usd / (output->requests / 1e6);

    double H = fac->lifetime_s;
    out->life_s = H;
    out->carbon_kg = out->energy_J * fac->carbon_kg_J;
    out->embodied_run_kg = embodied_rate * T;
    out->tco_capital_usd = capital_rate * H;
    out->tco_maintenance_usd = maint_rate * H;
    out->tco_energy_usd = energy_rate * H;
    out->tco_space_usd = space_rate * H;
    out->tco_usd =
        out->tco_capital_usd + out->tco_maintenance_usd + out->tco_energy_usd + out->tco_space_usd;
    out->per_year_usd = H > 0 ? out->tco_usd / (H / COST_YEAR_S) : 0;
    out->life_energy_J = out->facility_W * H;
    out->life_carbon_kg = out->life_energy_J * fac->carbon_kg_J + embodied_rate * H;

    if (fac->power_cap_W > 0) {
        out->cap_set = 1;
        out->cap_holds = out->facility_busy_W <= fac->power_cap_W;
        out->cap_mean_holds = out->facility_W <= fac->power_cap_W;
        out->cap_headroom_W = fac->power_cap_W - out->facility_busy_W;
        if (gpus > 0)
            out->cap_gpu_limit_W =
                (fac->power_cap_W / fac->pue - (out->it_busy_W - gpu_busy_W)) / gpus;
    }
}
