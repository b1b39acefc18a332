/*
 * facility: the data-centre around the cluster: PUE, energy price, amortization and
 * space. Presets in models/facility.yaml (hyperscale, colocation, enterprise).
 */
#ifndef AF_MODEL_FACILITY_H
#define AF_MODEL_FACILITY_H

/* Facility figures. Strings borrowed from the catalog. */
typedef struct af_facility_spec {
    const char *name;             /* preset name, e.g. "hyperscale" */
    const char *description;      /* one line for people */
    double pue;                   /* power usage effectiveness, >= 1 */
    double energy_price_usd_J;    /* energy price, USD per joule (0.10 USD/kWh = 2.78e-8) */
    double amortization_s;        /* IT equipment life over which capital is spread, s */
    double rack_power_W;          /* power available per rack, W */
    double rack_units;            /* usable units per rack, U */
    double space_usd_s_per_rack;  /* space and maintenance cost per rack, USD per second */
} af_facility_spec;

#endif
