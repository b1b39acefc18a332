/*
 * run: `aifsim run FILE [--set path=value]... [--seed N] [--json FILE] [--csv DIR] [--models DIR]`.
 *
 * Loads the catalog and the scenario (every mistake reported, exit 2, nothing written), checks
 * that the outputs can be written (so a long run does not end in a refusal), runs the world,
 * prints the summary and writes the requested output files atomically. Outputs are written only
 * after the run and the summary succeeded, so a failed run leaves no file behind. With
 * `--json -` the JSON is the only thing on standard output: the summary is not printed.
 * `--pdf FILE` and `--png DIR` write the capacity report and its charts (report/pdf.h); the run
 * then samples time series (every --interval, or duration / 240). With `--pdf -` the PDF is
 * the only thing on standard output.
 *
 * Progress and Ctrl-C ("Watching the run" below). The run is watched through the world's
 * monitor (workload/world.h), which the engine polls between events; the engine and the world
 * read no clock and print nothing, the watcher here does both. While standard error is a
 * terminal, a run that lasts over a second shows one line there, rewritten at most four times a
 * second and cleared at the end: the simulated time reached of the total, events per second and
 * the time left at the pace so far. Progress is about the terminal and -q about the summary, so
 * -q leaves it on; --no-progress turns it off. SIGINT (Ctrl-C) during the run sets a flag that
 * the next poll sees: the run ends there, the world accounts up to the time reached and marks the
 * results partial (run.partial), the summary opens with PARTIAL, the outputs are written whole
 * as usual, and the exit status is 130 (128 + SIGINT, as a shell reports a command killed by it).
 * The first SIGINT puts the previous handler back (base/outfile.h's, which removes temporary files
 * and ends the program), so a second one quits at once.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"
#include "cli/scenario_run.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "base/metrics.h"
#include "base/outfile.h"
#include "base/units.h"
#include "base/trace.h"
#include "report/csv.h"
#include "report/json.h"
#include "report/pdf.h"
#include "report/store.h"
#include "report/trace.h"
#include "report/text.h"
#include "scenario/catalog.h"
#include "workload/world.h"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static const char run_usage[] =
    "usage: aifsim run FILE [--set PATH=VALUE]... [--seed N] [--json FILE] [--csv DIR]\n"
    "                  [--interval T] [--models DIR] [-q] [--no-progress]\n"
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
    "  --csv DIR         also write the metrics (DIR/summary.csv) and the time series\n"
    "                    (DIR/series-<group>.csv, one row per window and component) as CSV;\n"
    "                    DIR is created when missing\n"
    "  --interval T      sample time series every T of simulated time, e.g. \"1 min\" (the\n"
    "                    outputs that hold series use duration / 240 when not given)\n"
    "  --trace FILE      also write the timeline as a Chrome/Perfetto trace (JSON trace\n"
    "                    events: steps, checkpoints, failures, bursts, busiest resources)\n"
    "  --trace-events N  keep at most N timeline events (default 200000)\n"
    "  --trace-from T, --trace-to T  keep only events overlapping [T, T] of simulated time\n"
    "  --pdf FILE        also write the capacity report as PDF: findings, headline figures\n"
    "                    and charts over time (\"-\" for stdout, which then carries the PDF\n"
    "                    alone)\n"
    "  --png DIR         also write each chart of the report as a PNG file into DIR\n"
    "                    (created when missing)\n"
    "  --models DIR      read the model catalog from DIR (default: $AIFSIM_MODELS, or the\n"
    "                    catalog next to the program, or the installed one)\n"
    "  -q, --quiet       do not print the summary\n"
    "  --no-progress     do not show the progress line (shown on standard error when it is\n"
    "                    a terminal and the run lasts over a second; -q leaves it on)\n"
    "\n"
    "Ctrl-C ends the run early with the results so far, marked PARTIAL, written as usual;\n"
    "the exit status is then 130. A second Ctrl-C quits at once.\n";

/* ---- Watching the run ------------------------------------------------------------------------
 * The monitor's poll (workload/world.h) runs every `every` events; `every` adapts so that polls
 * come about every 10 ms of wall time (doubling while they come faster than every 5 ms, halving
 * while slower than every 20 ms), so a poll costs next to nothing and a Ctrl-C is seen within a
 * few tens of milliseconds. The clock is CLOCK_MONOTONIC. */

#define RUN_POLL_MIN_S 0.005
#define RUN_POLL_MAX_S 0.020
#define RUN_POLL_MAX_EVENTS (1u << 24)
#define RUN_PROGRESS_AFTER_S 1.0  /* show nothing for a run shorter than this */
#define RUN_PROGRESS_EVERY_S 0.25 /* rewrite the line at most this often */

/* Set by the SIGINT handler, read by the poll. */
static volatile sig_atomic_t run_interrupted;
/* The handler SIGINT had before the run's (put back by the first SIGINT, or after the run). */
static struct sigaction run_old_sigint;

static void run_on_sigint(int sig)
{
    (void)sig;
    run_interrupted = 1;
    sigaction(SIGINT, &run_old_sigint, NULL); /* a second Ctrl-C quits at once */
}

typedef struct run_watch {
    bool show;      /* show the progress line (standard error is a terminal) */
    double start_s; /* wall time at the start */
    double poll_s;  /* wall time of the last poll */
    double shown_s; /* wall time the line was last written */
    uint64_t every; /* events between polls */
    int width;      /* characters of the line on the terminal (0: none) */
    bool stopped;   /* the poll asked the run to stop */
} run_watch;

static double run_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Clears the progress line, if one is shown. */
static void run_watch_clear(run_watch *w)
{
    if (w->width > 0)
        fprintf(stderr, "\r%*s\r", w->width, "");
    w->width = 0;
}

/* Writes the progress line: "simulated 2.5 h of 6 h (41.7%), 3.2 M events/s, about 12 s left". */
static void run_watch_show(run_watch *w, double now_s, double t_s, double end_s, uint64_t events)
{
    char at[48], of[48], left[80], rate[48], line[256];
    double wall = now_s - w->start_s;
    double eps = wall > 0 ? (double)events / wall : 0;
    if (eps >= 1e6)
        snprintf(rate, sizeof rate, "%.3g M events/s", eps / 1e6);
    else if (eps >= 1e3)
        snprintf(rate, sizeof rate, "%.3g k events/s", eps / 1e3);
    else
        snprintf(rate, sizeof rate, "%.0f events/s", eps);
    if (t_s > 0 && end_s > t_s) {
        char eta[48];
        snprintf(left, sizeof left, "about %s left",
                 af_units_format(wall * (end_s - t_s) / t_s, AF_DIM_TIME, eta, sizeof eta));
    } else {
        snprintf(left, sizeof left, "estimating the time left");
    }
    int n = snprintf(line, sizeof line, "aifsim: simulated %s of %s (%.1f%%), %s, %s",
                     af_units_format(t_s, AF_DIM_TIME, at, sizeof at),
                     af_units_format(end_s, AF_DIM_TIME, of, sizeof of),
                     end_s > 0 ? 100 * t_s / end_s : 100.0, rate, left);
    if (n < 0)
        return;
    if (n >= (int)sizeof line)
        n = (int)sizeof line - 1;
    /* One line, never wrapped (a wrapped line could not be rewritten in place). */
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && n > ws.ws_col - 1)
        n = ws.ws_col - 1;
    fprintf(stderr, "\r%.*s%*s", n, line, w->width > n ? w->width - n : 0, "");
    if (n > w->width)
        w->width = n;
    w->shown_s = now_s;
}

static uint64_t run_poll(void *ctx, double t_s, double end_s, uint64_t events)
{
    run_watch *w = ctx;
    double now = run_wall_s();
    double since = now - w->poll_s;
    w->poll_s = now;
    if (since < RUN_POLL_MIN_S && w->every < RUN_POLL_MAX_EVENTS)
        w->every *= 2;
    else if (since > RUN_POLL_MAX_S && w->every > 1)
        w->every /= 2;
    if (run_interrupted) {
        char at[48], of[48];
        run_watch_clear(w);
        fprintf(stderr,
                "aifsim: interrupted at %s of %s simulated; finishing the accounting and writing "
                "the results so far (Ctrl-C again to quit at once)\n",
                af_units_format(t_s, AF_DIM_TIME, at, sizeof at),
                af_units_format(end_s, AF_DIM_TIME, of, sizeof of));
        w->stopped = true;
        return 0;
    }
    if (w->show && now - w->start_s >= RUN_PROGRESS_AFTER_S &&
        now - w->shown_s >= RUN_PROGRESS_EVERY_S)
        run_watch_show(w, now, t_s, end_s, events);
    return w->every;
}

/* Starts watching: the SIGINT handler (unless SIGINT is ignored, as in a background job) and
 * the clock. */
static void run_watch_start(run_watch *w, bool progress)
{
    *w = (run_watch){.show = progress && isatty(STDERR_FILENO), .every = 1024};
    w->start_s = w->poll_s = run_wall_s();
    run_interrupted = 0;
    if (sigaction(SIGINT, NULL, &run_old_sigint) == 0 && run_old_sigint.sa_handler != SIG_IGN) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = run_on_sigint;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
    }
}

/* Stops watching: clears the line and, unless a SIGINT did already, puts SIGINT's handler back. */
static void run_watch_stop(run_watch *w)
{
    run_watch_clear(w);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, &old);
    if (!run_interrupted)
        sigaction(SIGINT, &run_old_sigint, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

int af_cmd_run(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "run");
    af_diag *d = c.d;
    int rc = 2;
    const char *file = NULL, *json = NULL, *csv = NULL;
    bool quiet = false, progress = true;
    /* Time series: sampled when an output that holds them is asked for (series) or an
     * interval is given. */
    bool series = false;
    double interval = 0;
    /* --db: the results database (opened before the run) and the scenario text it stores. */
    const char *db = NULL;
    af_store *store = NULL;
    bool db_made = false; /* --db named no file: this run made it */
    bool stored = false;  /* the run is in the database */
    char *text = NULL;
    size_t text_len = 0;
    const char *trace_path = NULL;
    double trace_from = 0, trace_to = INFINITY, trace_events = 200000;
    af_trace *trace = NULL;
    const char *pdf = NULL, *png = NULL; /* --pdf FILE, --png DIR: the report (series) */
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
        } else if ((v = af_cli_take(argc, argv, &i, "--csv", &missing))) {
            csv = v;
            series = true;
            if (!*v || strcmp(v, "-") == 0)
                af_diag_error(d, "--csv: expected a directory, got \"%s\"", v);
        } else if (strcmp(argv[i], "--no-progress") == 0) {
            progress = false;
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
        } else if ((v = af_cli_take(argc, argv, &i, "--pdf", &missing))) {
            pdf = v;
            series = true;
        } else if ((v = af_cli_take(argc, argv, &i, "--png", &missing))) {
            png = v;
            series = true;
        } else if ((v = af_cli_take(argc, argv, &i, "--interval", &missing))) {
            af_cli_parse_positive_time("--interval", v, &interval, d);
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if ((v = af_cli_take(argc, argv, &i, "--db", &missing))) {
            db = v;
        } else {
            af_cli_one_file(&c, argv[i], missing, &file);
        }
        if (missing)
            af_cli_missing_value(&c, argv[i]);
    }
    af_cli_need_file(&c, file);
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
    if (file && pdf)
        af_cli_check_not_input(&c, "--pdf", pdf, "scenario file", file);
    if (pdf && json && strcmp(pdf, "-") == 0 && strcmp(json, "-") == 0)
        af_diag_error(d, "--pdf - and --json - cannot both go to standard output");
    if (png && (!*png || strcmp(png, "-") == 0))
        af_diag_error(d, "--png: expected a directory, got \"%s\"", png);
    /* With --pdf - the PDF alone goes to standard output. */
    if (pdf && strcmp(pdf, "-") == 0)
        quiet = true;
    if (af_diag_errors(d))
        goto done;
    cat = af_cli_scenario_opts_finish(&opts, d);
    if (!cat)
        goto done;
    if (af_cli_scenario_load(&sc, file, cat, opts.sets, opts.nsets, d) != 0)
        goto done;
    if ((json && af_outfile_check(json, d) != AF_OK) ||
        (trace_path && af_outfile_check(trace_path, d) != AF_OK) ||
        (csv && af_report_csv_check(csv, d) != AF_OK)) {
        rc = 1;
        goto done;
    }
    if ((pdf && af_outfile_check(pdf, d) != AF_OK) ||
        (png && af_report_png_check(png, d) != AF_OK)) {
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
        /* Made here only when this process creates the file (O_EXCL): a database another run
         * made at the same moment is never ours to remove. */
        int fd = open(db, O_WRONLY | O_CREAT | O_EXCL, 0666);
        db_made = fd >= 0;
        if (fd >= 0)
            close(fd);
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
    af_cli_scenario_sample(&sc, series, interval);
    run_watch watch;
    af_world_monitor mon = {.poll = run_poll, .ctx = &watch};
    sc.monitor = &mon;
    run_watch_start(&watch, progress);
    rc = af_cli_scenario_run(&sc, d);
    run_watch_stop(&watch);
    if (rc != 0) {
        if (watch.stopped)
            rc = 130;
        goto done;
    }
    const af_metric *partial = af_results_lookup(sc.res, AF_M_RUN_PARTIAL, NULL);
    if (!quiet && !(json && strcmp(json, "-") == 0)) {
        char title[1024];
        int n = 0;
        if (partial && partial->text)
            n = snprintf(title, sizeof title,
                         "PARTIAL RESULTS: %s (Ctrl-C); every figure covers the time run\n",
                         partial->text);
        snprintf(title + n, sizeof title - (size_t)n, "aifsim %s: %s (%s)", PACKAGE_VERSION,
                 sc.cfg.name, file);
        af_report_text(sc.res, title, stdout);
    }
    rc = 1;
    if (af_cli_check_stdout(&c) != AF_OK)
        goto done;
    if (json && af_report_json_save(sc.res, json, d) != AF_OK)
        goto done;
    if (trace_path && af_report_trace_save(trace, sc.res, trace_path, d) != AF_OK)
        goto done;
    if (pdf && af_report_pdf_save(sc.res, pdf, d) != AF_OK)
        goto done;
    if (png && af_report_png_save(sc.res, png, d) != AF_OK)
        goto done;
    if (csv && af_report_csv_save(sc.res, csv, d) != AF_OK)
        goto done;
    if (store) {
        int64_t id = 0;
        af_store_input in = {
            .res = sc.res, .text = text, .text_len = text_len, .seed = sc.cfg.seed};
        if (af_store_add(store, &in, &id, d) != AF_OK)
            goto done;
        stored = true;
        if (!quiet && !(json && strcmp(json, "-") == 0))
            printf("\nstored as run %" PRId64 " in %s\n", id, db);
    }
    rc = watch.stopped ? 130 : 0;

done:
    if (store && db_made && !stored) {
        /* A database this failed run made: removed unless another run stored into it since. */
        af_store_run *runs = NULL;
        size_t n = 1;
        af_diag *scratch = af_diag_new();
        if (af_store_list(store, &runs, &n, scratch) != AF_OK)
            n = 1;
        for (size_t i = 0; runs && i < n; i++)
            af_store_run_fini(&runs[i]);
        af_free(runs);
        af_diag_free(scratch);
        db_made = n == 0;
    }
    af_store_close(store);
    struct stat st;
    if (!store && db_made && stat(db, &st) == 0 && st.st_size == 0)
        unlink(db); /* the empty file made to learn whether it was new; the store refused it */
    else if (store && db_made && !stored)
        af_store_remove_unused(db); /* it holds nothing; kept if another run has it open */
    af_free(text);
    af_trace_free(trace);
    af_catalog_free(cat);
    af_cli_scenario_opts_fini(&opts);
    af_cli_scenario_fini(&sc);
    return af_cli_finish(&c, rc);
}
