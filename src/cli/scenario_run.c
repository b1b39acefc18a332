/*
 * scenario_run: load and run one scenario for a command; see scenario_run.h.
 */
#include "cli/scenario_run.h"

#include "config.h"

#include "base/metrics.h"
#include "workload/world.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* FNV-1a 64 of a file's bytes, or 0 when it cannot be read (the load has reported it then). */
static uint64_t scenario_file_hash(const char *file)
{
    uint64_t h = 1469598103934665603ULL;
    FILE *f = fopen(file, "rb");
    if (!f)
        return 0;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < n; i++) {
            h ^= buf[i];
            h *= 1099511628211ULL;
        }
    fclose(f);
    return h;
}

void af_cli_scenario_init(af_cli_scenario *s)
{
    s->file = NULL;
    s->arena = af_arena_new();
    s->res = NULL;
    s->monitor = NULL;
}

int af_cli_scenario_load(af_cli_scenario *s, const char *file, const af_catalog *cat,
                         const af_scenario_set *sets, size_t nsets, af_diag *d)
{
    s->file = file;
    if (af_scenario_load(file, cat, sets, nsets, s->arena, &s->cfg, d) != AF_OK)
        return 2;
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, scenario_file_hash(file));
    s->scenario_hash = af_arena_strdup(s->arena, hex);
    snprintf(hex, sizeof hex, "%016" PRIx64, af_catalog_hash(cat));
    s->catalog_hash = af_arena_strdup(s->arena, hex);
    size_t len = 1;
    for (size_t i = 0; i < nsets; i++)
        len += strlen(sets[i].arg) + 2;
    char *o = af_arena_calloc(s->arena, len + 5, 1);
    strcpy(o, nsets ? "" : "none");
    for (size_t i = 0; i < nsets; i++) {
        if (i)
            strcat(o, "; ");
        strcat(o, sets[i].arg);
    }
    s->overrides = o;
    return 0;
}

int af_cli_scenario_run(af_cli_scenario *s, af_diag *d)
{
    af_results_free(s->res);
    s->res = af_results_new();
    af_results_put_text(s->res, AF_M_RUN_SCENARIO, NULL, s->cfg.name);
    af_results_put_text(s->res, AF_M_RUN_FILE, NULL, s->file);
    af_results_put_text(s->res, AF_M_RUN_HASH, NULL, s->scenario_hash);
    af_results_put_text(s->res, AF_M_RUN_OVERRIDES, NULL, s->overrides);
    af_results_put_text(s->res, AF_M_RUN_VERSION, NULL, PACKAGE_VERSION);
    af_results_put_text(s->res, AF_M_RUN_CATALOG, NULL, s->catalog_hash);
    size_t before = af_diag_count(d);
    int rc = af_world_run_monitored(&s->cfg, s->monitor, s->res, d);
    af_diag_set_file(d, before, s->file);
    if (rc == AF_OK)
        return 0;
    return rc == AF_EINPUT ? 2 : 1;
}

void af_cli_scenario_sample(af_cli_scenario *s, bool series, double interval_s)
{
    if (interval_s > 0)
        s->cfg.sample_s = interval_s;
    else if (series)
        s->cfg.sample_s = s->cfg.duration_s / AF_CLI_SERIES_WINDOWS;
}

void af_cli_scenario_fini(af_cli_scenario *s)
{
    af_results_free(s->res);
    s->res = NULL;
    af_arena_free(s->arena);
    s->arena = NULL;
}
