/*
 * compare_cmd: `aifsim compare A.yaml [B.yaml] [--set PATH=VALUE]... [--seed N] [--models DIR]
 * [--json FILE] [--all] [-q]`.
 *
 * Runs two scenarios exactly as `aifsim run` runs one (cli/scenario_run.h) and shows their
 * metrics side by side with B - A and B / A - 1 (report/compare.h). With two files, --set
 * applies to both; with one, B is the file with the --set overrides and A the file without
 * them: the what-if of a single change. --seed sets the seed of both.
 *
 * Both scenarios are loaded and their worlds built (af_world_check) before either runs, so a
 * mistake in either is reported at once, with every mistake of both (exit 2), and a long run
 * of A is not wasted on a B that cannot be built. A side that fails is named in a note after
 * its messages. Outputs are written as run writes them: the table on stdout after both runs
 * succeeded, then the JSON file atomically; with `--json -` the JSON alone on stdout.
 *
 * The two runs go on two threads at once (af_sweep_exec: A's messages are handed on before B's
 * whatever finishes first), so a comparison takes the time of its longer run. Ctrl-C cuts both
 * short and exits 130 without outputs (half a comparison compares nothing); a line on standard
 * error shows the time elapsed on a terminal after the first second.
 *
 * `--pdf FILE` and `--png DIR` write the comparison's capacity report and its charts
 * (report/pdf.h): both runs then sample time series, every --interval T, or each its duration /
 * 240. With `--pdf -` the PDF alone goes to stdout.
 */
#include "cli/batch.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"
#include "cli/scenario_run.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "base/outfile.h"
#include "report/compare.h"
#include "report/pdf.h"
#include "base/units.h"
#include "scenario/catalog.h"
#include "workload/world.h"

#include "config.h"

#include <stdio.h>
#include <string.h>

static const char compare_usage[] =
    "usage: aifsim compare A.yaml B.yaml [--set PATH=VALUE]... [--seed N] [--json FILE]\n"
    "                      [--pdf FILE] [--png DIR] [--interval T] [--all] [--models DIR] [-q]\n"
    "       aifsim compare A.yaml --set PATH=VALUE [--set PATH=VALUE]... [options]\n"
    "\n"
    "Simulates two scenarios as `aifsim run` does and prints their metrics side by side: A, B,\n"
    "the difference B - A (percentage points for shares) and the change B / A - 1. With one\n"
    "file, B is that scenario with the --set overrides and A the scenario as written.\n"
    "\n"
    "  --set PATH=VALUE  override a scenario field (repeatable): of B alone when one file is\n"
    "                    given, of both with two\n"
    "  --seed N          the seed of both runs\n"
    "  --all             print every metric either run wrote, not only the headline ones\n"
    "                    (training utilization and throughput, storage bandwidth, power,\n"
    "                    energy, carbon, cost)\n"
    "  --json FILE       also write every metric of both with the difference and change as\n"
    "                    JSON (\"-\" for stdout, which then carries the JSON alone)\n"
    "  --pdf FILE        also write the comparison as a PDF report: what differs, the\n"
    "                    headline figures side by side and both runs' charts on one scale\n"
    "                    (\"-\" for stdout, which then carries the PDF alone)\n"
    "  --png DIR         also write each chart pair as a PNG file into DIR (created when\n"
    "                    missing)\n"
    "  --interval T      sample both runs' time series every T of simulated time (for --pdf\n"
    "                    and --png; duration / 240 when not given)\n"
    "  --models DIR      read the model catalog from DIR\n"
    "  -q, --quiet       do not print the table\n"
    "\n"
    "exit status: 0 ok, 1 a run or an output failed, 2 bad input, 130 interrupted\n";

/* One side: its scenario and what the reports say about it. */
/* The two runs on two threads: the executor's context. */
typedef struct compare_exec {
    struct compare_side *side;
    af_diag *md[2]; /* each run's messages */
    af_diag *d;
    af_cli_progress prog;
    int worst;
} compare_exec;

typedef struct compare_side {
    const char *tag;             /* "A" or "B" */
    const char *file;            /* the scenario file (borrowed from argv) */
    const af_scenario_set *sets; /* its overrides (borrowed from the options) */
    size_t nsets;
    af_cli_scenario sc;     /* the scenario, loaded and run */
    const char **overrides; /* PATH=VALUE of each override, for the reports; owned array */
    char *column;           /* the column's heading; owned */
    af_compare_side report; /* what the reports print */
} compare_side;

/* After a side failed: a note naming it, since both sides may name the same file. */
static void compare_side_note(af_diag *d, const compare_side *s, const char *what)
{
    char *sets = af_strdup("");
    for (size_t i = 0; i < s->nsets; i++) {
        char *more = af_strfmt("%s --set %s", sets, s->sets[i].arg);
        af_free(sets);
        sets = more;
    }
    af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL, "%s scenario %s: %s%s", what, s->tag, s->file,
                sets);
    af_free(sets);
}

/* Builds the side's world without running it; on failure its messages go into d. The check's
 * messages are kept apart and passed on only on failure, so the run that follows does not
 * repeat a warning the check gave. */
static int compare_check(compare_side *s, af_diag *d)
{
    af_diag *scratch = af_diag_new();
    int rc = af_world_check(&s->sc.cfg, scratch);
    if (rc != AF_OK) {
        for (size_t i = 0; i < af_diag_count(scratch); i++) {
            const af_diag_msg *m = af_diag_get(scratch, i);
            af_diag_add(d, m->sev, m->file ? m->file : s->file, m->line, m->col, m->path, "%s",
                        m->text);
        }
    }
    af_diag_free(scratch);
    return rc == AF_OK ? 0 : rc == AF_EINPUT ? 2 : 1;
}

/* Fills the side's report description once it is loaded: the overrides it got (those of --set,
 * then --seed's) and its column heading. */
static void compare_describe(compare_side *s, const char *column)
{
    s->overrides = af_malloc_array(s->nsets ? s->nsets : 1, sizeof *s->overrides);
    for (size_t i = 0; i < s->nsets; i++)
        s->overrides[i] = s->sets[i].arg;
    s->column = af_strdup(column);
    s->report = (af_compare_side){.file = s->file,
                                  .name = s->sc.cfg.name,
                                  .seed = s->sc.cfg.seed,
                                  .overrides = s->overrides,
                                  .noverrides = s->nsets,
                                  .column = s->column};
}

/* "storage.hot.nodes=4, duration=2 h": the --set overrides (not --seed's, common to both). */
static char *compare_set_heading(const af_scenario_set *sets, size_t n)
{
    char *h = af_strdup("");
    for (size_t i = 0; i < n; i++) {
        char *more = af_strfmt("%s%s%s", h, i ? ", " : "", sets[i].arg);
        af_free(h);
        h = more;
    }
    return h;
}

static int compare_exec_run(void *ctx, size_t j, const atomic_bool *stop, void **result)
{
    compare_exec *x = ctx;
    af_cli_scenario *sc = &x->side[j].sc;
    af_world_monitor mon = {.poll = af_cli_stop_poll, .ctx = (void *)stop};
    sc->monitor = &mon;
    int rc = af_cli_scenario_run(sc, x->md[j]);
    sc->monitor = NULL;
    *result = NULL;
    if (atomic_load(stop) && (rc != 0 || (sc->res && af_results_find(sc->res, "run.partial"))))
        return AF_SWEEP_CUT;
    return rc;
}

static int compare_exec_take(void *ctx, size_t j, int status, void *result)
{
    (void)result;
    compare_exec *x = ctx;
    if (af_diag_count(x->md[j]))
        af_cli_progress_clear(&x->prog);
    for (size_t i = 0; i < af_diag_count(x->md[j]); i++) {
        const af_diag_msg *m = af_diag_get(x->md[j], i);
        af_diag_add(x->d, m->sev, m->file, m->line, m->col, m->path, "%s", m->text);
    }
    if (status != 0) {
        compare_side_note(x->d, &x->side[j], "running");
        x->worst = status;
    }
    return status;
}

static void compare_exec_drop(void *ctx, size_t j, void *result)
{
    (void)ctx;
    (void)j;
    (void)result;
}

/* "aifsim: compare: running A and B, 12 s" */
static bool compare_exec_tick(void *ctx, size_t taken, size_t njobs)
{
    compare_exec *x = ctx;
    if (af_cli_sigint_caught()) {
        af_cli_progress_clear(&x->prog);
        fprintf(stderr, "aifsim: compare interrupted (Ctrl-C again to quit at once)\n");
        return false;
    }
    double now = af_cli_wall_s();
    if (af_cli_progress_due(&x->prog, now)) {
        char line[128], wall[48];
        snprintf(line, sizeof line, "aifsim: compare: running %s, %s",
                 taken == 0 ? "A and B" : taken == 1 && njobs == 2 ? "B" : "",
                 af_units_format(now - x->prog.start_s, AF_DIM_TIME, wall, sizeof wall));
        af_cli_progress_show(&x->prog, line, now);
    }
    return true;
}

/* Runs both sides, at once on two threads. Returns 0 or the exit status. */
static int compare_run(compare_side *side, af_diag *d)
{
    compare_exec x = {.side = side, .d = d};
    x.md[0] = af_diag_new();
    x.md[1] = af_diag_new();
    af_cli_progress_init(&x.prog, false, false);
    af_cli_sigint_catch();
    af_sweep_ops ops = {.ctx = &x,
                        .run = compare_exec_run,
                        .take = compare_exec_take,
                        .drop = compare_exec_drop,
                        .tick = compare_exec_tick};
    int xrc = af_sweep_exec(2, 2, &ops, NULL, d);
    af_cli_progress_clear(&x.prog);
    af_cli_sigint_release();
    af_diag_free(x.md[0]);
    af_diag_free(x.md[1]);
    if (xrc == AF_SWEEP_CUT) {
        af_diag_error(d, "interrupted: no comparison written");
        return 130;
    }
    if (xrc != AF_OK)
        return x.worst ? x.worst : 1;
    return 0;
}

int af_cmd_compare(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "compare");
    af_diag *d = c.d;
    int rc = 2;
    const char *files[2] = {NULL, NULL}, *json = NULL;
    size_t nfiles = 0;
    bool quiet = false, all = false;
    compare_side side[2] = {{.tag = "A"}, {.tag = "B"}};
    af_cli_scenario_init(&side[0].sc);
    af_cli_scenario_init(&side[1].sc);
    af_cli_scenario_opts opts;
    af_cli_scenario_opts_init(&opts, argc);
    af_catalog *cat = NULL;
    af_compare *cmp = NULL;
    /* --pdf FILE, --png DIR: the report, whose charts need time series (series), sampled every
     * --interval T when given. */
    const char *pdf = NULL, *png = NULL;
    bool series = false;
    double interval = 0;

    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (af_cli_is_help(argv[i])) {
            rc = af_cli_help(&c, compare_usage);
            goto done;
        } else if (af_cli_take_scenario_opt(argc, argv, &i, &opts, &missing, d)) {
            /* --set, --seed, --models */
        } else if ((v = af_cli_take(argc, argv, &i, "--json", &missing))) {
            json = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--pdf", &missing))) {
            pdf = v;
            series = true;
        } else if ((v = af_cli_take(argc, argv, &i, "--png", &missing))) {
            png = v;
            series = true;
        } else if ((v = af_cli_take(argc, argv, &i, "--interval", &missing))) {
            af_cli_parse_positive_time("--interval", v, &interval, d);
        } else if (strcmp(argv[i], "--all") == 0) {
            all = true;
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if (missing) {
            /* reported below */
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            af_cli_unknown_option(&c, argv[i]);
        } else if (nfiles == 2) {
            af_diag_error(d,
                          "`aifsim compare` takes one or two scenario files, got a third: "
                          "\"%s\"; see `aifsim compare --help`",
                          argv[i]);
        } else {
            files[nfiles++] = argv[i];
        }
        if (missing)
            af_cli_missing_value(&c, argv[i]);
    }
    /* The --set overrides as given (before af_cli_scenario_opts_finish appends --seed's). */
    size_t nuser = opts.nsets;
    if (nfiles == 0 && af_diag_errors(d) == 0)
        af_diag_error(d, "`aifsim compare` needs two scenario files, or one and --set for the "
                         "variant to compare it with; see `aifsim compare --help`");
    else if (nfiles == 1 && nuser == 0 && af_diag_errors(d) == 0)
        af_diag_error(d,
                      "`aifsim compare %s` needs a second scenario file, or --set PATH=VALUE "
                      "for a variant of it to compare it with",
                      files[0]);
    for (size_t k = 0; json && k < nfiles; k++)
        if (af_cli_check_not_input(&c, "--json", json, "scenario file", files[k]) != AF_OK)
            break;
    for (size_t k = 0; pdf && k < nfiles; k++)
        if (af_cli_check_not_input(&c, "--pdf", pdf, "scenario file", files[k]) != AF_OK)
            break;
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

    /* Who gets which overrides: with two files both get all; with one, A only --seed's. */
    side[0].file = files[0];
    side[1].file = nfiles == 2 ? files[1] : files[0];
    side[1].sets = opts.sets;
    side[1].nsets = opts.nsets;
    side[0].sets = nfiles == 2 ? opts.sets : opts.sets + nuser;
    side[0].nsets = nfiles == 2 ? opts.nsets : opts.nsets - nuser;

    /* Load both, reporting the mistakes of both, A's first. In a variant B holds A's mistakes
     * and its own, so B goes first and A is loaded only when B loads (else every mistake of the
     * file would show twice). */
    bool variant = nfiles == 1;
    bool failed = false;
    for (int n = 0; n < 2 && !(variant && failed); n++) {
        compare_side *s = &side[variant ? 1 - n : n];
        if (af_cli_scenario_load(&s->sc, s->file, cat, s->sets, s->nsets, d) != 0) {
            compare_side_note(d, s, "in");
            failed = true;
        }
    }
    if (failed)
        goto done;
    int worst = 0;
    for (int k = 0; k < 2; k++) {
        int ck = compare_check(&side[k], d);
        if (ck != 0) {
            compare_side_note(d, &side[k], "building");
            worst = worst == 2 ? 2 : ck;
        }
    }
    if (worst != 0) {
        rc = worst;
        goto done;
    }
    if (json && af_outfile_check(json, d) != AF_OK) {
        rc = 1;
        goto done;
    }
    if ((pdf && af_outfile_check(pdf, d) != AF_OK) ||
        (png && af_report_png_check(png, d) != AF_OK)) {
        rc = 1;
        goto done;
    }
    for (int k = 0; k < 2; k++)
        af_cli_scenario_sample(&side[k].sc, series, interval);
    rc = compare_run(side, d);
    if (rc != 0)
        goto done;

    /* Column headings: the scenarios' names, a variant's overrides; for two files of one name
     * the files' names, else just A and B. */
    char *hb = variant ? compare_set_heading(opts.sets, nuser) : af_strdup(side[1].sc.cfg.name);
    const char *ha = side[0].sc.cfg.name;
    if (!variant && strcmp(ha, hb) == 0) {
        af_free(hb);
        const char *fa = strrchr(side[0].file, '/'), *fb = strrchr(side[1].file, '/');
        fa = fa ? fa + 1 : side[0].file;
        fb = fb ? fb + 1 : side[1].file;
        bool same = strcmp(fa, fb) == 0;
        ha = same ? "A" : fa;
        hb = af_strdup(same ? "B" : fb);
    }
    compare_describe(&side[0], ha);
    compare_describe(&side[1], hb);
    af_free(hb);

    cmp = af_compare_new(side[0].sc.res, side[1].sc.res);
    if (!quiet && !(json && strcmp(json, "-") == 0)) {
        char title[512];
        if (variant)
            snprintf(title, sizeof title, "aifsim %s: compare %s with a variant of it",
                     PACKAGE_VERSION, side[0].sc.cfg.name);
        else
            snprintf(title, sizeof title, "aifsim %s: compare %s with %s", PACKAGE_VERSION,
                     side[0].sc.cfg.name, side[1].sc.cfg.name);
        af_report_compare_text(cmp, &side[0].report, &side[1].report, all, title, stdout);
    }
    rc = 1;
    if (af_cli_check_stdout(&c) != AF_OK)
        goto done;
    if (json &&
        af_report_compare_json_save(cmp, &side[0].report, &side[1].report, json, d) != AF_OK)
        goto done;
    if (pdf && af_report_compare_pdf_save(side[0].sc.res, side[1].sc.res, cmp, &side[0].report,
                                          &side[1].report, pdf, d) != AF_OK)
        goto done;
    if (png && af_report_compare_png_save(side[0].sc.res, side[1].sc.res, &side[0].report,
                                          &side[1].report, png, d) != AF_OK)
        goto done;
    rc = 0;

done:
    af_compare_free(cmp);
    af_catalog_free(cat);
    for (int k = 0; k < 2; k++) {
        af_cli_scenario_fini(&side[k].sc);
        af_free(side[k].overrides);
        af_free(side[k].column);
    }
    af_cli_scenario_opts_fini(&opts);
    return af_cli_finish(&c, rc);
}
