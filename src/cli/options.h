/*
 * options: helpers shared by the subcommands: finding the model catalog and recognising the
 * common options.
 */
#ifndef AF_CLI_OPTIONS_H
#define AF_CLI_OPTIONS_H

#include "base/diag.h"
#include "scenario/catalog.h"
#include "scenario/scenario.h"

#include <stdbool.h>
#include <stddef.h>

/* Returns the directory holding the model catalog (a new string; release with af_free):
 * `flag` when not NULL (from --models DIR), else $AIFSIM_MODELS when set and non-empty, else
 * "<directory of the running executable>/models" when it holds gpus.yaml (a build in the source
 * tree), else the installed AF_PKGDATADIR "/models" when it holds the catalog, else the source
 * tree's models/ folder that the program was built from (a build that was not installed), else
 * AF_PKGDATADIR "/models" (which then fails to load with a clear message). */
char *af_cli_models_dir(const char *flag);

/* True when arg is "-h" or "--help". */
bool af_cli_is_help(const char *arg);

/* Takes the value of option `name` at argv[*i]: accepts "--name VALUE" (advancing *i) and
 * "--name=VALUE". Returns the value (borrowed from argv), or NULL if argv[*i] is not this option.
 * Sets *missing to true when the option is present without a value. */
const char *af_cli_take(int argc, char **argv, int *i, const char *name, bool *missing);

/* The options every scenario-reading command shares: --set PATH=VALUE (repeatable),
 * --seed N (a set of "seed") and --models DIR. */
typedef struct af_cli_scenario_opts {
    af_scenario_set *sets; /* parsed --set options, then the --seed one; owned */
    size_t nsets;          /* number of sets */
    char *seed_set;        /* "seed=N" from --seed, owned; NULL when absent */
    const char *models;    /* --models DIR (borrowed from argv), or NULL */
} af_cli_scenario_opts;

/* Prepares o for a command line of argc arguments. Release with af_cli_scenario_opts_fini. */
void af_cli_scenario_opts_init(af_cli_scenario_opts *o, int argc);
void af_cli_scenario_opts_fini(af_cli_scenario_opts *o);

/* Takes argv[*i] if it is one of the shared options (advancing *i past its value) and returns
 * true; a bad --set value adds an error to d; an option without a value sets *missing. */
bool af_cli_take_scenario_opt(int argc, char **argv, int *i, af_cli_scenario_opts *o,
                              bool *missing, af_diag *d);

/* After the arguments: appends the --seed override (so it wins over --set seed=...) and loads
 * the catalog. Returns the catalog (release with af_catalog_free), or NULL with errors in d. */
af_catalog *af_cli_scenario_opts_finish(af_cli_scenario_opts *o, af_diag *d);

/* Takes argv[*i] if it is -j N, -jN, --jobs N or --jobs=N (advancing *i past its value) and
 * returns true: *jobs gets the number of threads, or d an error when it is not a whole number
 * from 1 to 1024; an option without a value sets *missing. */
bool af_cli_take_jobs(int argc, char **argv, int *i, unsigned *jobs, bool *missing, af_diag *d);

/* The value v of option `opt` as a positive time (e.g. --interval "1 min") into *out, or an
 * error in d naming the option. */
void af_cli_parse_positive_time(const char *opt, const char *v, double *out, af_diag *d);

#endif
