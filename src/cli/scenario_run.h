/*
 * scenario_run: one scenario as the commands that simulate run it: loaded from its file with the
 * --set overrides, then run into results. `aifsim run` runs one, `aifsim compare` two; both go
 * through here, so a scenario gives the same results, messages and exit status under either.
 *
 *     af_cli_scenario s;
 *     af_cli_scenario_init(&s);
 *     rc = af_cli_scenario_load(&s, file, cat, sets, nsets, d);  0, or 2, every mistake in d
 *     rc = af_cli_scenario_run(&s, d);                           0, or 2 or 1; then s.res
 *     af_cli_scenario_fini(&s);
 */
#ifndef AF_CLI_SCENARIO_RUN_H
#define AF_CLI_SCENARIO_RUN_H

#include "base/arena.h"
#include "base/diag.h"
#include "base/results.h"
#include "scenario/catalog.h"
#include "scenario/scenario.h"
#include "workload/config.h"
#include "workload/world.h"

#include <stddef.h>

/* One scenario of a command. */
typedef struct af_cli_scenario {
    const char *file;    /* the scenario file (borrowed), once loaded; NULL before */
    af_arena *arena;     /* holds cfg's strings and arrays; owned */
    af_world_config cfg; /* the configuration, once loaded */
    af_results *res;     /* the metrics, once run (owned); NULL before */
    /* provenance, once loaded (in the arena): written first into every run's results as the
     * run.scenario, run.scenario_file, run.scenario_hash, run.overrides, run.version and
     * run.catalog_hash text metrics, so every output says what produced it */
    const char *scenario_hash; /* FNV-1a 64 of the file's bytes, hex */
    const char *overrides;     /* the --set arguments in order, "; "-separated, or "none" */
    const char *catalog_hash;  /* af_catalog_hash, hex */
    /* watches the run (run's progress line and Ctrl-C, workload/world.h), borrowed; NULL (the
     * default) for none */
    const af_world_monitor *monitor;
} af_cli_scenario;

/* Prepares an empty s. Release with af_cli_scenario_fini (also when nothing was loaded). */
void af_cli_scenario_init(af_cli_scenario *s);

/* Reads the scenario in file (borrowed: it must outlive s), applies the nsets overrides in order
 * and checks it against the catalog (af_scenario_load). Returns 0, or the exit status 2 with every
 * mistake in d (a file that cannot be read included). */
int af_cli_scenario_load(af_cli_scenario *s, const char *file, const af_catalog *cat,
                         const af_scenario_set *sets, size_t nsets, af_diag *d);

/* Runs the loaded scenario into s->res (af_world_run); the run's messages that name no file name
 * the scenario file. Returns the exit status: 0, 2 when the world cannot be built from the
 * configuration (data sets that do not fit, a fabric that cannot be planned), 1 when the run
 * failed. */
int af_cli_scenario_run(af_cli_scenario *s, af_diag *d);

/* Asks the loaded scenario to sample time series: every interval_s when > 0, else, when an
 * output that holds series wants them (series), in AF_CLI_SERIES_WINDOWS windows. */
#define AF_CLI_SERIES_WINDOWS 240
void af_cli_scenario_sample(af_cli_scenario *s, bool series, double interval_s);

void af_cli_scenario_fini(af_cli_scenario *s);

#endif
