/*
 * commands: the subcommands of the `aifsim` program. Each takes the arguments after the command
 * name (argv[0] is the command name) and returns the process exit status: 0 ok, 1 run or I/O
 * failure, 2 bad input or usage.
 */
#ifndef AF_CLI_COMMANDS_H
#define AF_CLI_COMMANDS_H

/* aifsim run FILE [--set path=value]... [--seed N] [--json FILE] [--db FILE] [--models DIR] */
int af_cmd_run(int argc, char **argv);

/* aifsim runs --db FILE | runs show ID --db FILE [--scenario] | runs diff ID1 ID2 --db FILE
 * [--all]: list, show and compare the runs stored with `aifsim run FILE --db FILE`. */
int af_cmd_runs(int argc, char **argv);

/* aifsim report --db FILE --run ID [--run ID2] [--pdf OUT] [--png DIR]: the capacity report of a
 * stored run (or the comparison of two) rebuilt from the database, without running. */
int af_cmd_report(int argc, char **argv);

/* aifsim compare A.yaml [B.yaml] [--set path=value]... [--seed N] [--models DIR] [--json FILE]
 * [--all] [-q]: run two scenarios, or one and a variant of it, and show their metrics side by
 * side with the differences. */
int af_cmd_compare(int argc, char **argv);

/* aifsim sweep FILE --vary PATH=VALUES... [-j N] [--replications N] [--db FILE [--resume]]
 * [--csv DIR] [--pdf FILE] [--metric PATTERN]... [--set path=value]... [--seed N]: run the
 * scenario at every combination of the varied values, on N threads (cli/sweep_cmd.c). */
int af_cmd_sweep(int argc, char **argv);

/* aifsim plan FILE --goal EXPR --vary PATH=VALUES... [--maximize PATH] [--minimize METRIC]
 * [--replications N] [-j N] [--set path=value]... [--seed N]: the fewest (or most) of one varied
 * knob, or the cheapest point of a grid, that meets the goals (cli/plan_cmd.c). */
int af_cmd_plan(int argc, char **argv);

/* aifsim sensitivity FILE --metric METRIC --param PATH... [--by 10%] [--replications N] [-j N]
 * [--set path=value]... [--seed N] [--pdf FILE] [--csv FILE] [-q]: each field moved by -X% and
 * +X% alone, the metric's changes sorted as a tornado (cli/sensitivity_cmd.c). */
int af_cmd_sensitivity(int argc, char **argv);

/* aifsim validate FILE... [--set path=value]... [--seed N] [--models DIR]: check scenarios and
 * print the resolved configuration with units. */
int af_cmd_validate(int argc, char **argv);

/* aifsim catalog [gpus|nodes|links|storage|facility|switches|llms|mlperf|servers] [--sources]
 * [--models DIR]: list the model catalog. */
int af_cmd_catalog(int argc, char **argv);

/* aifsim size SYSTEM [--capacity SIZE] [--read BW] [--write BW] [--read-iops RATE]
 * [--write-iops RATE] [--op-size SIZE] [--min-nodes N] [--compare SYSTEM] [--json FILE]
 * [--models DIR] [-q]: size a storage tier for a demand and say which constraint binds. */
int af_cmd_size(int argc, char **argv);

/* aifsim metrics [--markdown]: the table of every metric a run can write (base/metrics.h). */
int af_cmd_metrics(int argc, char **argv);

#endif
