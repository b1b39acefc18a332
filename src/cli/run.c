/*
 * run: `aifsim run FILE [--set path=value]... [--seed N] [--json FILE] [--models DIR]`.
 *
 * Loads the catalog and the scenario (every mistake reported, exit 2, nothing written), checks
 * that the outputs can be written (so a long run does not end in a refusal), runs the world,
 * prints the summary and writes the requested output files atomically. Outputs are written only
 * after the run and the summary succeeded, so a failed run leaves no file behind. With
 * `--json -` the JSON is the only thing on standard output: the summary is not printed.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"
#include "cli/scenario_run.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "base/outfile.h"
#include "base/units.h"
#include "base/trace.h"
#include "report/json.h"
#include "report/store.h"
#include "report/trace.h"
#include "report/text.h"
#include "scenario/catalog.h"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char run_usage[] =
    "usage: aifsim run FILE [--set PATH=VALUE]... [--seed N] [--json FILE] [--models DIR]\n"
    "\n"
    "Simulates the scenario in FILE and prints a summary: for each training job the share of\n"
    "time its GPUs computed and waited for data, for each storage tier the bandwidth it\n"
    "delivered, and the power and cost of the whole cluster.\n"
    "\n"
    "  --set PATH=VALUE  override a scenario field, e.g. --set storage.hot.nodes=8 or\n"
    "                    --set 'duration=2 h' (repeatable)\n"
    "  --seed N          override the scenario's seed\n"
    "  --json FILE       also write every metric as JSON (\"-\" for stdout, which then\n"
    "                    carries the JSON alone, without the summary)\n"
    "  --db FILE         also append the run to the SQLite results database FILE (created\n"
    "                    when absent): scenario text, provenance, metrics and time series;\n"
    "                    `aifsim runs --db FILE` lists them\n"
    "  --interval T      sample time series every T of simulated time, e.g. \"1 min\" (the\n"
    "                    outputs that hold series use duration / 240 when not given)\n"
    "  --trace FILE      also write the timeline as a Chrome/Perfetto trace (JSON trace\n"
    "                    events: steps, checkpoints, failures, bursts, busiest resources)\n"
    "  --trace-events N  keep at most N timeline events (default 200000)\n"
    "  --trace-from T, --trace-to T  keep only events overlapping [T, T] of simulated time\n"
    "  --models DIR      read the model catalog from DIR (default: $AIFSIM_MODELS, or the\n"
    "                    catalog next to the program, or the installed one)\n"
    "  -q, --quiet       do not print the summary\n";

int af_cmd_run(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "run");
    af_diag *d = c.d;
    int rc = 2;
    const char *file = NULL, *json = NULL;
    bool quiet = false;
    /* Time series: sampled when an output that holds them is asked for (series) or an
     * interval is given. */
    bool series = false;
    double interval = 0;
    /* --db: the results database (opened before the run) and the scenario text it stores. */
    const char *db = NULL;
    af_store *store = NULL;
    char *text = NULL;
    size_t text_len = 0;
    const char *trace_path = NULL;
    double trace_from = 0, trace_to = INFINITY, trace_events = 200000;
    af_trace *trace = NULL;
    af_cli_scenario sc;
    af_cli_scenario_init(&sc);
    af_cli_scenario_opts opts;
    af_cli_scenario_opts_init(&opts, argc);
    af_catalog *cat = NULL;

    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (af_cli_is_help(argv[i])) {
            rc = af_cli_help(&c, run_usage);
            goto done;
        } else if (af_cli_take_scenario_opt(argc, argv, &i, &opts, &missing, d)) {
            /* --set, --seed, --models */
        } else if ((v = af_cli_take(argc, argv, &i, "--json", &missing))) {
            json = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--trace", &missing))) {
            trace_path = v;
            series = true;
        } else if ((v = af_cli_take(argc, argv, &i, "--trace-events", &missing))) {
            char err[256] = "";
            if (af_units_parse(v, AF_DIM_COUNT, &trace_events, err, sizeof err) != 0 ||
                !(trace_events >= 1) || trace_events > 1e9)
                af_diag_error(d, "--trace-events: %s",
                              err[0] ? err : "expected a whole number from 1 to 1e9");
        } else if ((v = af_cli_take(argc, argv, &i, "--trace-from", &missing)) ||
                   (v = af_cli_take(argc, argv, &i, "--trace-to", &missing))) {
            bool from = strcmp(argv[i - 1], "--trace-from") == 0;
            char err[256] = "";
            double t;
            if (af_units_parse(v, AF_DIM_TIME, &t, err, sizeof err) != 0 || !(t >= 0))
                af_diag_error(d, "%s: %s", from ? "--trace-from" : "--trace-to",
                              err[0] ? err : "expected a time of at least 0 s");
            else if (from)
                trace_from = t;
            else
                trace_to = t;
        } else if ((v = af_cli_take(argc, argv, &i, "--interval", &missing))) {
            char err[256] = "";
            if (af_units_parse(v, AF_DIM_TIME, &interval, err, sizeof err) != 0 ||
                !(interval > 0))
                af_diag_error(d, "--interval: %s",
                              interval > 0 || err[0] ? err : "expected a positive time such as \"1 min\"");
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if ((v = af_cli_take(argc, argv, &i, "--db", &missing))) {
            db = v;
        } else if (missing) {
            /* reported below */
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            af_cli_unknown_option(&c, argv[i]);
        } else if (file) {
            af_diag_error(d, "`aifsim run` takes one scenario file, got \"%s\" and \"%s\"", file,
                          argv[i]);
        } else {
            file = argv[i];
        }
        if (missing)
            af_cli_missing_value(&c, argv[i]);
    }
    if (!file && af_diag_errors(d) == 0)
        af_diag_error(d, "`aifsim run` needs a scenario file; see `aifsim run --help`");
    if (file && json)
        af_cli_check_not_input(&c, "--json", json, "scenario file", file);
    if (file && db)
        af_cli_check_not_input(&c, "--db", db, "scenario file", file);
    if (json && db && strcmp(json, db) == 0)
        af_diag_error(d, "--json %s would overwrite the results database given with --db", json);
    if (file && trace_path)
        af_cli_check_not_input(&c, "--trace", trace_path, "scenario file", file);
    if (trace_to < trace_from)
        af_diag_error(d, "--trace-to: %g s is before --trace-from's %g s", trace_to, trace_from);
    if (af_diag_errors(d))
        goto done;
    cat = af_cli_scenario_opts_finish(&opts, d);
    if (!cat)
        goto done;
    if (af_cli_scenario_load(&sc, file, cat, opts.sets, opts.nsets, d) != 0)
        goto done;
    if ((json && af_outfile_check(json, d) != AF_OK) ||
        (trace_path && af_outfile_check(trace_path, d) != AF_OK)) {
        rc = 1;
        goto done;
    }
    if (trace_path) {
        trace = af_trace_new((size_t)trace_events, (int64_t)fmin(trace_from * 1e9, 9e18),
                             (int64_t)fmin(trace_to * 1e9, 9e18));
        sc.cfg.trace = trace;
    }

    /* --db (report/store.h): the database is opened (created, upgraded) before the run, so one
     * that cannot be used fails at once, and the scenario file's bytes are read now; the run
     * samples series, and is appended last of the outputs, in one transaction. */
    if (db) {
        int src = af_store_open(db, true, &store, d);
        if (src != AF_OK) {
            rc = src == AF_EINPUT ? 2 : 1;
            goto done;
        }
        if (json && af_cli_check_not_input(&c, "--json", json, "results database", db) != AF_OK)
            goto done;
        if (af_store_read_file(file, &text, &text_len, d) != AF_OK) {
            rc = 1;
            goto done;
        }
        series = true;
    }
    if (series || interval > 0)
        sc.cfg.sample_s = interval > 0 ? interval : sc.cfg.duration_s / 240;
    rc = af_cli_scenario_run(&sc, d);
    if (rc != 0)
        goto done;
    if (!quiet && !(json && strcmp(json, "-") == 0)) {
        char title[512];
        snprintf(title, sizeof title, "aifsim %s: %s (%s)", PACKAGE_VERSION, sc.cfg.name, file);
        af_report_text(sc.res, title, stdout);
    }
    rc = 1;
    if (af_cli_check_stdout(&c) != AF_OK)
        goto done;
    if (json && af_report_json_save(sc.res, json, d) != AF_OK)
        goto done;
    if (trace_path && af_report_trace_save(trace, sc.res, trace_path, d) != AF_OK)
        goto done;
    if (store) {
        int64_t id = 0;
        af_store_input in = {
            .res = sc.res, .text = text, .text_len = text_len, .seed = sc.cfg.seed};
        if (af_store_add(store, &in, &id, d) != AF_OK)
            goto done;
        if (!quiet && !(json && strcmp(json, "-") == 0))
            printf("\nstored as run %" PRId64 " in %s\n", id, db);
    }
    rc = 0;

done:
    af_store_close(store);
    af_free(text);
    af_trace_free(trace);
    af_catalog_free(cat);
    af_cli_scenario_opts_fini(&opts);
    af_cli_scenario_fini(&sc);
    return af_cli_finish(&c, rc);
}
