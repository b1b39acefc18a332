/*
 * options: catalog location and option scanning shared by the subcommands; see options.h.
 */
#include "cli/options.h"

#include "base/alloc.h"
#include "base/units.h"
#include "cli/common.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool cli_has_catalog(const char *dir)
{
    char *probe = af_strfmt("%s/gpus.yaml", dir);
    bool ok = access(probe, R_OK) == 0;
    af_free(probe);
    return ok;
}

char *af_cli_models_dir(const char *flag)
{
    if (flag)
        return af_strdup(flag);
    const char *env = getenv("AIFSIM_MODELS");
    if (env && *env)
        return af_strdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char *dir = af_strfmt("%s/models", exe);
            if (cli_has_catalog(dir))
                return dir;
            af_free(dir);
        }
    }
    if (cli_has_catalog(AF_PKGDATADIR "/models"))
        return af_strdup(AF_PKGDATADIR "/models");
    /* Not installed: a program run from its build directory uses its source tree's catalog. */
    if (cli_has_catalog(AF_SRCDIR "/models"))
        return af_strdup(AF_SRCDIR "/models");
    return af_strdup(AF_PKGDATADIR "/models");
}

bool af_cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

const char *af_cli_take(int argc, char **argv, int *i, const char *name, bool *missing)
{
    const char *arg = argv[*i];
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0)
        return NULL;
    if (arg[len] == '=')
        return arg + len + 1;
    if (arg[len] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    *i += 1;
    return argv[*i];
}

void af_cli_scenario_opts_init(af_cli_scenario_opts *o, int argc)
{
    o->sets = af_calloc((size_t)argc + 1, sizeof *o->sets);
    o->nsets = 0;
    o->seed_set = NULL;
    o->models = NULL;
}

void af_cli_scenario_opts_fini(af_cli_scenario_opts *o)
{
    af_free(o->sets);
    af_free(o->seed_set);
}

bool af_cli_take_scenario_opt(int argc, char **argv, int *i, af_cli_scenario_opts *o, bool *missing,
                              af_diag *d)
{
    const char *v;
    if ((v = af_cli_take(argc, argv, i, "--set", missing))) {
        if (af_scenario_parse_set(v, &o->sets[o->nsets], d) == AF_OK)
            o->nsets++;
        return true;
    }
    if ((v = af_cli_take(argc, argv, i, "--seed", missing))) {
        af_free(o->seed_set);
        o->seed_set = af_strfmt("seed=%s", v);
        return true;
    }
    if ((v = af_cli_take(argc, argv, i, "--models", missing))) {
        o->models = v;
        return true;
    }
    return false;
}

af_catalog *af_cli_scenario_opts_finish(af_cli_scenario_opts *o, af_diag *d)
{
    if (o->seed_set && af_scenario_parse_set(o->seed_set, &o->sets[o->nsets], d) == AF_OK)
        o->nsets++;
    if (af_diag_errors(d))
        return NULL;
    return af_cli_load_catalog(o->models, d);
}

bool af_cli_take_jobs(int argc, char **argv, int *i, unsigned *jobs, bool *missing, af_diag *d)
{
    const char *v;
    if (!(v = af_cli_take(argc, argv, i, "--jobs", missing)) &&
        !(v = af_cli_take(argc, argv, i, "-j", missing)) &&
        !(strncmp(argv[*i], "-j", 2) == 0 && argv[*i][2] >= '0' && argv[*i][2] <= '9' &&
          (v = argv[*i] + 2)))
        return *missing;
    char err[256] = "";
    double n = 0;
    if (af_units_parse(v, AF_DIM_COUNT, &n, err, sizeof err) != 0 || !(n >= 1) || n > 1024)
        af_diag_error(d, "-j: expected a number of threads from 1 to 1024, got \"%s\"", v);
    else
        *jobs = (unsigned)n;
    return true;
}

void af_cli_parse_positive_time(const char *opt, const char *v, double *out, af_diag *d)
{
    char err[256] = "";
    double t = 0;
    if (af_units_parse(v, AF_DIM_TIME, &t, err, sizeof err) != 0 || !(t > 0)) {
        af_diag_error(d, "%s: %s", opt,
                      err[0] ? err : "expected a positive time such as \"1 min\"");
        return;
    }
    *out = t;
}
