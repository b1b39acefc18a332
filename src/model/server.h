/*
 * server: a CPU-only server (e.g. a two-socket AMD EPYC or Intel Xeon box) that does work other
 * than the GPUs', such as an ingest's preprocessing: its power between active idle and full load
 * by utilization, its height, price and embodied carbon. Figures from models/servers.yaml.
 *
 * Power is linear in utilization between the SPECpower_ssj2008 active-idle and 100%-load points,
 *     P(u) = idle + (busy - idle) x u,   u in [0, 1],
 * the "minimum plus utilization times the dynamic range" model of Cloud Carbon Footprint and of
 * Fan, Weber and Barroso ("Power provisioning for a warehouse-sized computer", ISCA 2007), who
 * found it within a few percent of measured full-system power. A measured SPECpower curve bends
 * above the line at high load (doc/formulas.md, "CPU nodes"); the line keeps both end points
 * exact, so a node that is idle or saturated draws what was measured.
 */
#ifndef AF_MODEL_SERVER_H
#define AF_MODEL_SERVER_H

/* A CPU server model. Strings are borrowed from the catalog (or the scenario's arena). */
typedef struct af_server_spec {
    const char *name;        /* catalog name, e.g. "epyc-9654-2s" */
    const char *description; /* one line for people */
    double idle_W;           /* wall power at active idle, W */
    double busy_W;           /* wall power at full load, W (>= idle_W); with no separate
                              * nameplate in the catalog, also what a rack is provisioned for */
    double rack_units;       /* height, U */
    double price_usd;        /* purchase price, USD */
    double embodied_kg;      /* embodied carbon, kg CO2e */
} af_server_spec;

/* Power of one server at utilization u (clamped to [0, 1]), W: idle + (busy - idle) x u. */
double af_server_power_W(const af_server_spec *s, double u);

#endif
