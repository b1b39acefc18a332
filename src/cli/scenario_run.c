/*
 * scenario_run: load and run one scenario for a command; see scenario_run.h.
 */
#include "cli/scenario_run.h"

#include "workload/world.h"

void af_cli_scenario_init(af_cli_scenario *s)
{
    s->file = NULL;
    s->arena = af_arena_new();
    s->res = NULL;
}

int af_cli_scenario_load(af_cli_scenario *s, const char *file, const af_catalog *cat,
                         const af_scenario_set *sets, size_t nsets, af_diag *d)
{
    s->file = file;
    return af_scenario_load(file, cat, sets, nsets, s->arena, &s->cfg, d) == AF_OK ? 0 : 2;
}

int af_cli_scenario_run(af_cli_scenario *s, af_diag *d)
{
    af_results_free(s->res);
    s->res = af_results_new();
    size_t before = af_diag_count(d);
    int rc = af_world_run(&s->cfg, s->res, d);
    af_diag_set_file(d, before, s->file);
    if (rc == AF_OK)
        return 0;
    return rc == AF_EINPUT ? 2 : 1;
}

void af_cli_scenario_fini(af_cli_scenario *s)
{
    af_results_free(s->res);
    s->res = NULL;
    af_arena_free(s->arena);
    s->arena = NULL;
}
