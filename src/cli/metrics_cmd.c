/*
 * metrics: `aifsim metrics [--markdown]`, the table of every metric a run can write
 * (base/metrics.h): its name, unit, summary label and meaning. The same names appear in
 * `aifsim run --json` and label the text summary; doc/metrics.md is this command's --markdown.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"

#include "base/metrics.h"

#include <stdio.h>
#include <string.h>

static const char metrics_usage[] =
    "usage: aifsim metrics [--markdown]\n"
    "\n"
    "Lists every metric a run can write: its name (as in `aifsim run --json`), its unit (SI,\n"
    "as stored in JSON), the label of the text summary and what it means. <job>, <workload>,\n"
    "<pool>, <tier> and <fabric> stand for the names the scenario gives them.\n"
    "\n"
    "  --markdown   print a Markdown table (doc/metrics.md is this output)\n"
    "\n"
    "exit status: 0 ok, 1 the table could not be written, 2 bad usage\n";

int af_cmd_metrics(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "metrics");
    int rc = 2;
    bool markdown = false;
    for (int i = 1; i < argc; i++) {
        if (af_cli_is_help(argv[i])) {
            rc = af_cli_help(&c, metrics_usage);
            goto done;
        } else if (strcmp(argv[i], "--markdown") == 0) {
            markdown = true;
        } else {
            af_cli_unknown_option(&c, argv[i]);
        }
    }
    if (af_diag_errors(c.d))
        goto done;
    af_metrics_print(stdout, markdown);
    rc = af_cli_check_stdout(&c) == AF_OK ? 0 : 1;

done:
    return af_cli_finish(&c, rc);
}
