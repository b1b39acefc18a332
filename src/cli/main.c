/*
 * main: the `aifsim` command. Sets up the process (cli/common.h), dispatches to the subcommands
 * in commands.h, and checks standard output before it exits.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"

#include "base/diag.h"

#include "config.h"

#include <stdio.h>
#include <string.h>

static const char main_usage[] =
    "usage: aifsim COMMAND [ARGS]\n"
    "\n"
    "An AI-factory simulator and capacity planner: GPUs, fabric and storage under training\n"
    "workloads, with utilization, power and cost.\n"
    "\n"
    "commands:\n"
    "  run FILE        simulate one scenario and print its summary\n"
    "  compare A B     run two scenarios (or one and a variant: A --set PATH=VALUE) and\n"
    "                  show their metrics side by side with the differences\n"
    "  sweep FILE      run a scenario at every combination of varied values (--vary), on\n"
    "                  several threads, with replications and a results database\n"
    "  plan FILE       the fewest (or most) of a varied knob, or the cheapest grid point,\n"
    "                  that meets goals on metrics (--goal, --vary); or the point of the\n"
    "                  best value of a metric (--maximize, --minimize)\n"
    "  sensitivity FILE\n"
    "                  move each --param by -X% and +X% alone and show how a --metric\n"
    "                  changes, largest first, as a table and a tornado chart\n"
    "  validate FILE   check scenarios and print their resolved configuration\n"
    "  catalog [KIND]  list the model catalog (gpus, nodes, links, storage, facility,\n"
    "                  switches, llms, mlperf, servers)\n"
    "  size SYSTEM     size a storage tier for a demand (capacity, bandwidth, IOPS)\n"
    "  metrics         list every metric a run writes: name, unit, label, meaning\n"
    "  runs            list the runs stored with `run FILE --db FILE`; show one, diff two\n"
    "  report          write the PDF report of a stored run (or two) without running\n"
    "\n"
    "options:\n"
    "  -h, --help      show this help (or `aifsim COMMAND --help` for a command's)\n"
    "  --version       show the version\n"
    "\n"
    "exit status: 0 ok, 1 the run or an output failed, 2 bad input\n"
    "see aifsim(1) and README.md\n";

static const struct {
    const char *name;
    int (*fn)(int, char **);
} af_commands[] = {
    {"run", af_cmd_run},
    {"compare", af_cmd_compare},
    {"validate", af_cmd_validate},
    {"catalog", af_cmd_catalog},
    {"size", af_cmd_size},
    {"metrics", af_cmd_metrics},
    {"runs", af_cmd_runs},
    {"report", af_cmd_report},
    {"sweep", af_cmd_sweep},
    {"plan", af_cmd_plan},
    {"sensitivity", af_cmd_sensitivity},
};

int main(int argc, char **argv)
{
    af_cli_setup();
    if (argc < 2) {
        fputs(main_usage, stderr);
        return af_cli_exit(2);
    }
    const char *cmd = argv[1];
    if (af_cli_is_help(cmd)) {
        fputs(main_usage, stdout);
        return af_cli_exit(0);
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("aifsim %s\n", PACKAGE_VERSION);
        return af_cli_exit(0);
    }
    const char *names[sizeof af_commands / sizeof af_commands[0]];
    for (size_t i = 0; i < sizeof af_commands / sizeof af_commands[0]; i++) {
        if (strcmp(cmd, af_commands[i].name) == 0)
            return af_cli_exit(af_commands[i].fn(argc - 1, argv + 1));
        names[i] = af_commands[i].name;
    }
    const char *near = af_did_you_mean(cmd, names, sizeof names / sizeof names[0]);
    fprintf(stderr, "aifsim: error: unknown command \"%s\"%s%s%s\n", cmd,
            near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
    fprintf(stderr, "run `aifsim --help` for the list of commands\n");
    return af_cli_exit(2);
}
