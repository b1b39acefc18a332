/*
 * options: helpers shared by the subcommands: finding the model catalog and recognising the
 * common options.
 */
#ifndef AF_CLI_OPTIONS_H
#define AF_CLI_OPTIONS_H

#include <stdbool.h>

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

#endif
