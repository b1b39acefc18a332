/*
 * sensitivity_cmd: `aifsim sensitivity FILE --metric METRIC --param PATH [--param PATH]...
 * [--by 10%] [--replications N] [-j N] [--set PATH=VALUE]... [--seed N] [--pdf FILE]
 * [--csv FILE] [-q]`.
 *
 * A one-at-a-time sensitivity analysis: each --param field is moved by -X% and +X% of its value
 * in the scenario (plan/sens.h: in its own unit, whole numbers by at least 1, kept in the field's
 * range) while every other field stays at its base, and the metric is compared with the base
 * point's. The 1 + 2P points are runs of the scenario with --set overrides made as `aifsim sweep`
 * makes them: the common --set and --seed first, then the point's one; replication k of every
 * point with the seed af_sweep_seed(seed, k), so that the points of one replication share their
 * random numbers (common random numbers) and a difference between them is the parameter's doing,
 * not the draws'. With --replications N the changes are the means of the N paired differences
 * with their 95% Student-t intervals (af_sweep_ci). Runs go to -j threads through af_sweep_exec
 * and are taken in job order, so the output is the same whatever -j is.
 *
 * The table and tornado are sorted by |swing| (the metric at the high value minus at the low
 * one), the largest first (report/tornado.h); --csv and --pdf write them atomically.
 *
 * Mistakes found before any run exit 2: no --metric or --param, an unknown metric (with a
 * did-you-mean) or a text one, a --by outside (0, 100%), a path that leads nowhere in the
 * scenario or to a value that is not a number (scenario.h, af_scenario_field_get), a base value
 * of 0, a path given twice. A metric the runs do not write exits 2 after the base point.
 */
#include "cli/batch.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"
#include "cli/scenario_run.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "base/metrics.h"
#include "base/outfile.h"
#include "base/units.h"
#include "plan/goal.h"
#include "plan/sens.h"
#include "plan/sweep.h"
#include "report/tornado.h"
#include "scenario/catalog.h"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char sens_usage[] =
    "usage: aifsim sensitivity FILE --metric METRIC --param PATH [--param PATH]... [--by 10%]\n"
    "                          [--replications N] [-j N] [--set PATH=VALUE]... [--seed N]\n"
    "                          [--pdf FILE] [--csv FILE] [--models DIR] [-q]\n"
    "\n"
    "Moves each parameter by -X% and +X% of its value in the scenario, one at a time, and\n"
    "prints how the metric changes: a table sorted by the swing (the metric at the high value\n"
    "minus at the low one), the largest first, and a text tornado chart.\n"
    "\n"
    "  --metric METRIC   the metric to watch, e.g. train.llm.gpu_utilization (see\n"
    "                    `aifsim metrics`)\n"
    "  --param PATH      a numeric field written in the scenario (repeatable), as --set names\n"
    "                    it: storage.hot.nodes, workloads.llm.dataset.sample_size. Values are\n"
    "                    written in the field's unit; whole numbers are rounded and move by at\n"
    "                    least 1; a value past the field's range stops at its end\n"
    "  --by X            the share to move by, in (0, 100%) (default 10%)\n"
    "  --replications N  run each point N times (the same N seeds at every point) and give the\n"
    "                    95% confidence intervals of the changes\n"
    "  -j, --jobs N      run N runs at once (default: the number of CPUs); the results are the\n"
    "                    same whatever N is\n"
    "  --set PATH=VALUE  override a field of every run (repeatable); it also sets the base of a\n"
    "                    --param field\n"
    "  --seed N          the scenario's seed (replication 1's)\n"
    "  --pdf FILE        write the tornado chart as a PDF\n"
    "  --csv FILE        write the table as CSV (SI units)\n"
    "  --models DIR      read the model catalog from DIR\n"
    "  -q, --quiet       do not print the table\n"
    "\n"
    "exit status: 0 ok, 1 a run or an output failed, 2 bad input\n";

/* Most replications of a point. */
#define SENS_MAX_REPS 10000
/* Most --param options. */
#define SENS_MAX_PARAMS 100
/* The default share. */
#define SENS_BY 0.10
/* Confidence level of the intervals. */
#define SENS_LEVEL 0.95

/* One moved field. */
typedef struct sens_param {
    const char *path;        /* as given (borrowed from argv) */
    af_scenario_field field; /* its base */
    af_sens_value low, high; /* the values it is moved to */
    char *arg[2];            /* "PATH=LOW", "PATH=HIGH" (owned) */
    af_scenario_set set[2];  /* parsed from arg */
} sens_param;

/* The analysis. Point 0 is the base, point 2k + 1 parameter k's low value, 2k + 2 its high. */
typedef struct sens {
    af_cli *c;
    const char *file;
    const af_catalog *cat;
    const af_scenario_set *common;
    size_t ncommon;
    sens_param *params;
    size_t nparams;
    size_t reps;
    const char *metric;
    double *vals;      /* [point * reps + rep]: the metric (NaN: the run failed) */
    int worst;         /* worst status of a run */
    bool missing_said; /* the metric's absence was reported */
} sens;

static int sens_run(void *ctx, size_t j, const atomic_bool *stop, void **result)
{
    sens *s = ctx;
    size_t pt = j / s->reps, rep = j % s->reps;
    af_cli_job *o = af_cli_job_new();
    *result = o;
    af_scenario_set *sets = af_malloc_array(s->ncommon + 1, sizeof *sets);
    for (size_t k = 0; k < s->ncommon; k++)
        sets[k] = s->common[k];
    size_t nsets = s->ncommon;
    if (pt > 0)
        sets[nsets++] = s->params[(pt - 1) / 2].set[(pt - 1) % 2];
    int rc = af_cli_job_run(o, s->file, s->cat, sets, nsets, rep, false, stop);
    af_free(sets);
    return rc;
}

static void sens_drop(void *ctx, size_t j, void *result)
{
    (void)ctx;
    (void)j;
    af_cli_job_free(result);
}

static int sens_take(void *ctx, size_t j, int status, void *result)
{
    sens *s = ctx;
    af_cli_job *o = result;
    af_diag *d = s->c->d;
    af_cli_job_messages(o, d);
    size_t pt = j / s->reps, rep = j % s->reps;
    s->vals[j] = NAN;
    int rc = AF_OK;
    if (status != 0) {
        if (pt == 0)
            af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL, "in the base run, replication %zu",
                        rep + 1);
        else
            af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL, "in the run of %s, replication %zu",
                        s->params[(pt - 1) / 2].arg[(pt - 1) % 2], rep + 1);
        if (status > s->worst)
            s->worst = status;
    } else {
        const af_metric *m = af_results_find(o->sc.res, s->metric);
        if (m && !m->text) {
            s->vals[j] = m->value;
        } else if (!s->missing_said) {
            af_cli_missing_metric(d, "--metric", o->sc.res, s->metric, s->file);
            s->missing_said = true;
            s->worst = 2;
            rc = 2; /* every run would lack it: stop */
        }
    }
    sens_drop(ctx, j, result);
    return rc;
}

/* The mean and interval of x[0..n-1]. */
static af_tornado_stat sens_stat(const double *x, size_t n)
{
    af_sweep_stat st;
    af_sweep_ci(x, n, SENS_LEVEL, &st);
    return (af_tornado_stat){.mean = st.mean, .lo = st.lo, .hi = st.hi};
}

int af_cmd_sensitivity(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "sensitivity");
    af_diag *d = c.d;
    int rc = 2;
    const char *file = NULL, *metric = NULL, *pdf = NULL, *csv = NULL;
    bool quiet = false, too_many = false;
    double by = SENS_BY;
    size_t reps = 1;
    unsigned jobs = 0;
    af_cli_scenario_opts opts;
    af_cli_scenario_opts_init(&opts, argc);
    af_catalog *cat = NULL;
    af_cli_scenario base;
    af_cli_scenario_init(&base);
    sens s;
    memset(&s, 0, sizeof s);
    s.c = &c;
    s.params = af_calloc(SENS_MAX_PARAMS, sizeof *s.params);
    af_tornado_bar *bars = NULL;
    char *title = NULL;
    double *x = NULL;

    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (af_cli_is_help(argv[i])) {
            rc = af_cli_help(&c, sens_usage);
            goto done;
        } else if (af_cli_take_scenario_opt(argc, argv, &i, &opts, &missing, d)) {
            /* --set, --seed, --models */
        } else if ((v = af_cli_take(argc, argv, &i, "--metric", &missing))) {
            metric = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--param", &missing))) {
            bool twice = false;
            for (size_t k = 0; k < s.nparams; k++)
                twice = twice || strcmp(s.params[k].path, v) == 0;
            if (twice)
                af_diag_error(d, "--param %s: given twice", v);
            else if (s.nparams == SENS_MAX_PARAMS && !too_many)
                af_diag_error(d, "--param: more than %d parameters", SENS_MAX_PARAMS);
            too_many = too_many || s.nparams == SENS_MAX_PARAMS;
            if (!twice && !too_many)
                s.params[s.nparams++].path = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--by", &missing))) {
            char err[256] = "";
            if (af_units_parse(v, AF_DIM_RATIO, &by, err, sizeof err) != 0 || !(by > 0) ||
                !(by < AF_SENS_MAX_BY))
                af_diag_error(d,
                              "--by: expected a share more than 0 and less than 100%% such as "
                              "\"10%%\", got \"%s\"",
                              v);
        } else if (af_cli_take_reps(argc, argv, &i, SENS_MAX_REPS, &reps, &missing, d)) {
            /* --replications N */
        } else if ((v = af_cli_take(argc, argv, &i, "--pdf", &missing))) {
            pdf = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--csv", &missing))) {
            csv = v;
        } else if (af_cli_take_jobs(argc, argv, &i, &jobs, &missing, d)) {
            /* -j N */
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else {
            af_cli_one_file(&c, argv[i], missing, &file);
        }
        if (missing)
            af_cli_missing_value(&c, argv[i]);
    }
    af_cli_need_file(&c, file);
    if (!metric && af_diag_errors(d) == 0)
        af_diag_error(d, "`aifsim sensitivity` needs a --metric, e.g. --metric "
                         "train.llm.gpu_utilization");
    if (s.nparams == 0 && af_diag_errors(d) == 0)
        af_diag_error(d, "`aifsim sensitivity` needs a --param PATH, e.g. --param "
                         "storage.hot.nodes");
    const af_metric_def *mdef = metric ? af_metric_of_name(metric) : NULL;
    if (metric && !mdef) {
        char *near = af_goal_metric_near(metric);
        af_diag_error(d, "--metric: unknown metric \"%s\"%s%s%s; see `aifsim metrics`", metric,
                      near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
        af_free(near);
    } else if (mdef && mdef->text) {
        af_diag_error(d, "--metric: %s is a text metric (a name), not a number", metric);
    }
    if (file && pdf)
        af_cli_check_not_input(&c, "--pdf", pdf, "scenario file", file);
    if (file && csv)
        af_cli_check_not_input(&c, "--csv", csv, "scenario file", file);
    if (af_diag_errors(d))
        goto done;
    cat = af_cli_scenario_opts_finish(&opts, d);
    if (!cat)
        goto done;
    if ((csv && af_outfile_check(csv, d) != AF_OK) || (pdf && af_outfile_check(pdf, d) != AF_OK)) {
        rc = 1;
        goto done;
    }
    if (af_cli_scenario_load(&base, file, cat, opts.sets, opts.nsets, d) != 0)
        goto done;

    /* Each parameter's base, its two values and their overrides. */
    for (size_t k = 0; k < s.nparams; k++) {
        sens_param *p = &s.params[k];
        if (af_scenario_field_get(file, cat, opts.sets, opts.nsets, p->path, &p->field, d) !=
                AF_OK ||
            af_sens_values(&p->field, by, p->path, &p->low, &p->high, d) != AF_OK)
            continue;
        const af_sens_value *v[2] = {&p->low, &p->high};
        for (int e = 0; e < 2; e++) {
            p->arg[e] = af_strfmt("%s=%s", p->path, v[e]->text);
            af_scenario_parse_set(p->arg[e], &p->set[e], d);
        }
    }
    if (af_diag_errors(d))
        goto done;

    /* Run. */
    s.file = file;
    s.cat = cat;
    s.common = opts.sets;
    s.ncommon = opts.nsets;
    s.reps = reps;
    s.metric = metric;
    size_t npoints = 1 + 2 * s.nparams, njobs = npoints * s.reps;
    s.vals = af_malloc_array(njobs, sizeof *s.vals);
    for (size_t j = 0; j < njobs; j++)
        s.vals[j] = NAN;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nthreads = jobs >= 1 ? jobs : cpus > 0 ? (unsigned)cpus : 1;
    af_sweep_ops ops = {.ctx = &s, .run = sens_run, .take = sens_take, .drop = sens_drop};
    int xrc = af_sweep_exec(njobs, nthreads, &ops, NULL, d);
    if (xrc != AF_OK) {
        rc = s.worst ? s.worst : 1;
        goto done;
    }

    /* The figures: means and paired differences over the replications. */
    x = af_malloc_array(3 * s.reps, sizeof *x);
    double *y = x + s.reps, *z = y + s.reps;
    bars = af_calloc(s.nparams, sizeof *bars);
    const double *vb = &s.vals[0];
    for (size_t k = 0; k < s.nparams; k++) {
        const sens_param *p = &s.params[k];
        const double *vl = &s.vals[(2 * k + 1) * s.reps], *vh = &s.vals[(2 * k + 2) * s.reps];
        af_tornado_bar *b = &bars[k];
        *b = (af_tornado_bar){.param = p->path,
                              .base_text = p->field.text,
                              .low_text = p->low.text,
                              .high_text = p->high.text,
                              .low_clamped = p->low.clamped,
                              .high_clamped = p->high.clamped,
                              .low = sens_stat(vl, s.reps),
                              .high = sens_stat(vh, s.reps)};
        for (size_t r = 0; r < s.reps; r++) {
            x[r] = vl[r] - vb[r];
            y[r] = vh[r] - vb[r];
            z[r] = vh[r] - vl[r];
        }
        b->dlow = sens_stat(x, s.reps);
        b->dhigh = sens_stat(y, s.reps);
        b->swing = sens_stat(z, s.reps);
    }
    title = af_strfmt("aifsim %s: sensitivity of %s (%s)", PACKAGE_VERSION, base.cfg.name, file);
    af_tornado t = {.title = title,
                    .scenario = base.cfg.name,
                    .metric = metric,
                    .label = mdef->label,
                    .dim = mdef->dim,
                    .by = by,
                    .replications = s.reps,
                    .seed = (unsigned long long)base.cfg.seed,
                    .base = sens_stat(vb, s.reps),
                    .bars = bars,
                    .n = s.nparams};
    af_tornado_sort(&t);
    if (!quiet)
        af_tornado_text(&t, stdout);
    if (af_cli_check_stdout(&c) != AF_OK) {
        rc = 1;
        goto done;
    }
    if (csv && af_tornado_csv_save(&t, csv, d) != AF_OK) {
        rc = 1;
        goto done;
    }
    if (pdf && af_tornado_pdf_save(&t, pdf, d) != AF_OK) {
        rc = 1;
        goto done;
    }
    rc = s.worst;

done:
    af_free(title);
    af_free(bars);
    af_free(x);
    af_free(s.vals);
    for (size_t k = 0; k < s.nparams; k++) {
        af_free(s.params[k].arg[0]);
        af_free(s.params[k].arg[1]);
    }
    af_free(s.params);
    af_cli_scenario_fini(&base);
    af_catalog_free(cat);
    af_cli_scenario_opts_fini(&opts);
    return af_cli_finish(&c, rc);
}
