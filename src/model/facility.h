/*
 * facility: the data-centre around the cluster: PUE, energy price, amortization, space,
 * maintenance, grid carbon, the lifetime a TCO covers and the site's power cap. Presets in
 * models/facility.yaml (hyperscale, colocation, enterprise); a scenario overrides any figure.
 */
#ifndef AF_MODEL_FACILITY_H
#define AF_MODEL_FACILITY_H

/* Facility figures. Strings borrowed from the catalog. */
typedef struct af_facility_spec {
    const char *name;             /* preset name, e.g. "hyperscale" */
    const char *description;      /* one line for people */
    double pue;                   /* power usage effectiveness, >= 1 */
    double energy_price_usd_J;    /* energy price, USD per joule (0.10 USD/kWh = 2.78e-8) */
    double amortization_s;        /* life over which GPU nodes' capital is spread, s */
    double storage_life_s;        /* life over which storage nodes' capital is spread, s */
    double network_life_s;        /* life over which switches' capital is spread, s */
    double maintenance;           /* maintenance per year as a share of purchase price */
    double rack_power_W;          /* power available per rack, W */
    double rack_units;            /* usable units per rack, U */
    double space_usd_s_per_rack;  /* space cost per rack, USD per second */
    double carbon_kg_J;           /* grid carbon intensity, kg CO2e per joule (input per kWh) */
    double lifetime_s;            /* the horizon a TCO covers, s */
    double power_cap_W;           /* site cap on facility power, W; 0 for none */
} af_facility_spec;

#endif
