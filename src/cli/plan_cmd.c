/*
 * plan_cmd: `aifsim plan FILE --goal EXPR... --vary PATH=VALUES... [--maximize PATH]
 * [--minimize METRIC] [--replications N] [-j N] [--set PATH=VALUE]... [--seed N]`.
 *
 * The configuration that meets every goal (plan/goal.h) at least cost, by runs of the scenario
 * with --set overrides made as `aifsim sweep` makes them (the same seeds: replication k runs with
 * af_sweep_seed(seed, k), on -j threads through af_sweep_exec, taken in order, so the answer is
 * the same whatever -j is).
 *
 *   one --vary      the goals are taken as monotone in the knob and its values as ordered from the
 *                   cheapest: the fewest (the first value that meets the goals; the default) or,
 *                   with --maximize PATH, the most (the last value that meets them: "the most GPUs
 *                   this storage keeps at 90%"), by galloping then bisection (af_search). Printed:
 *                   every run made, the answer, the two runs that bracket it (the answer and its
 *                   failing neighbour, with their goal metrics) and the goals that bind (those
 *                   failing at the neighbour).
 *   several         every point of the grid on threads; the answer is the passing point of least
 *                   cost (--minimize METRIC, default cost.tco: the purchase, maintenance, energy
 *                   and space of the configuration over the facility's lifetime, so "cheapest" is
 *                   the cheapest to own, not the cheapest hour of this run), or with --maximize
 *                   PATH the passing point with the largest value of PATH (ties: least cost).
 *
 * With --replications N a goal holds only when the bound of the metric's 95% Student-t interval
 * on the far side of the threshold is on the right side (the lower bound for >=).
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"
#include "cli/scenario_run.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "base/metrics.h"
#include "base/units.h"
#include "plan/goal.h"
#include "plan/sweep.h"
#include "scenario/catalog.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char plan_usage[] =
    "usage: aifsim plan FILE --goal EXPR --vary PATH=VALUES [--vary PATH=VALUES]...\n"
    "                   [--maximize PATH] [--minimize METRIC] [--replications N] [-j N]\n"
    "                   [--set PATH=VALUE]... [--seed N] [--models DIR] [-q]\n"
    "\n"
    "Finds the configuration that meets every goal at least cost. With one --vary, the goals\n"
    "are taken as monotone in it: the fewest (or with --maximize, the most) of its values that\n"
    "meet them, by galloping then bisection; prints the answer, the two runs that bracket it and\n"
    "the goal that binds. With several, runs the grid and prints its cheapest passing point.\n"
    "\n"
    "  --goal EXPR       metric comparisons joined by 'and' (repeatable), e.g.\n"
    "                    'train.llm.gpu_utilization >= 90% and inference.recsys.latency_p99\n"
    "                    <= 50 ms'; OP is >=, <=, > or <, the value in the metric's unit\n"
    "  --vary PATH=VALUES  a knob and its values from the cheapest (as for `aifsim sweep`:\n"
    "                    1..64, 2..32:2, 1..512x2, 2,4,8)\n"
    "  --maximize PATH   the largest value of the varied PATH that meets the goals (\"the most\n"
    "                    GPUs this storage keeps at 90%\") instead of the smallest\n"
    "  --minimize METRIC the cost of a grid's points (default cost.tco, the lifetime cost)\n"
    "  --replications N  run each point N times; a goal holds when its 95% confidence bound\n"
    "                    (Student's t) is on the right side\n"
    "  -j, --jobs N      run N runs at once (default: the number of CPUs)\n"
    "  --set PATH=VALUE  override a field of every run (repeatable)\n"
    "  --seed N          the scenario's seed (replication 1's)\n"
    "  --models DIR      read the model catalog from DIR\n"
    "  -q, --quiet       print only the answer, its bracket and the binding goals\n"
    "\n"
    "exit status: 0 an answer, 1 no value meets the goals or a run failed, 2 bad input\n";

/* Most replications of a point. */
#define PLAN_MAX_REPS 10000
/* Confidence level of the intervals. */
#define PLAN_LEVEL 0.95
/* The default cost to minimize. */
#define PLAN_COST "cost.tco"

/* One evaluated point. */
typedef struct plan_point {
    bool done;    /* evaluated */
    bool pass;    /* every goal holds */
    double *mean; /* per goal, then the cost: the mean over replications (SI units) */
    double *lo;   /* the interval's ends (= mean with one replication) */
    double *hi;
    bool *holds; /* per goal */
} plan_point;

typedef struct plan {
    af_cli *c;
    const char *file;
    const af_catalog *cat;
    const af_sweep_grid *grid;
    af_scenario_set **axis_sets; /* [axis][value] */
    char ***axis_args;           /* the texts they borrow (owned) */
    const af_scenario_set *common;
    size_t ncommon;
    size_t reps;
    unsigned nthreads;
    const af_goals *goals;
    const char *cost; /* the cost metric */
    af_dim cost_dim;
    bool quiet;
    plan_point *pts; /* npoints */
    size_t *batch;   /* the points of the runs in progress */
    size_t nbatch;
    double *vals;      /* [batch point][rep][goal, then cost] */
    int worst;         /* worst status of a run */
    bool missing_said; /* a goal metric absent from a run was reported */
    size_t runs;       /* runs made */
} plan;

/* What a worker hands back. */
typedef struct plan_out {
    af_cli_scenario sc;
    af_diag *d;
} plan_out;

static size_t plan_nv(const plan *p)
{
    return p->goals->n + 1;
}

static int plan_run(void *ctx, size_t j, const atomic_bool *stop, void **result)
{
    (void)stop;
    plan *p = ctx;
    size_t pt = p->batch[j / p->reps], rep = j % p->reps;
    const af_sweep_grid *g = p->grid;
    plan_out *o = af_calloc(1, sizeof *o);
    o->d = af_diag_new();
    af_cli_scenario_init(&o->sc);
    *result = o;
    size_t nsets = g->naxes + p->ncommon;
    af_scenario_set *sets = af_malloc_array(nsets, sizeof *sets);
    size_t *idx = af_malloc_array(g->naxes, sizeof *idx);
    af_sweep_grid_index(g, pt, idx);
    for (size_t a = 0; a < g->naxes; a++)
        sets[a] = p->axis_sets[a][idx[a]];
    for (size_t k = 0; k < p->ncommon; k++)
        sets[g->naxes + k] = p->common[k];
    af_free(idx);
    int rc = af_cli_scenario_load(&o->sc, p->file, p->cat, sets, nsets, o->d);
    af_free(sets);
    if (rc != 0)
        return rc;
    o->sc.cfg.seed = af_sweep_seed(o->sc.cfg.seed, rep);
    return af_cli_scenario_run(&o->sc, o->d);
}

static void plan_drop(void *ctx, size_t j, void *result)
{
    (void)ctx;
    (void)j;
    plan_out *o = result;
    af_cli_scenario_fini(&o->sc);
    af_diag_free(o->d);
    af_free(o);
}

/* A metric absent from a run: an error naming the nearest metric the run has. */
static void plan_missing(plan *p, const af_results *res, const char *name)
{
    size_t n = af_results_count(res);
    const char **names = af_malloc_array(n ? n : 1, sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = af_results_get(res, i)->name;
    const char *near = af_did_you_mean(name, names, n);
    af_diag_error(p->c->d,
                  "--goal: the runs have no metric %s%s%s%s (a job or tier of another "
                  "name?); see `aifsim run %s --json -`",
                  name, near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "",
                  p->file);
    af_free(names);
}

static int plan_take(void *ctx, size_t j, int status, void *result)
{
    plan *p = ctx;
    plan_out *o = result;
    af_diag *d = p->c->d;
    for (size_t i = 0; i < af_diag_count(o->d); i++) {
        const af_diag_msg *m = af_diag_get(o->d, i);
        af_diag_add(d, m->sev, m->file, m->line, m->col, m->path, "%s", m->text);
    }
    p->runs++;
    int rc = AF_OK;
    if (status != 0) {
        char *label = af_sweep_grid_label(p->grid, p->batch[j / p->reps]);
        af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL, "in the run of %s, replication %zu", label,
                    j % p->reps + 1);
        af_free(label);
        if (status > p->worst)
            p->worst = status;
        rc = status;
    } else {
        double *v = &p->vals[j * plan_nv(p)];
        for (size_t g = 0; g < plan_nv(p); g++) {
            const char *name = g < p->goals->n ? p->goals->g[g].metric : p->cost;
            const af_metric *m = af_results_find(o->sc.res, name);
            v[g] = m && !m->text ? m->value : NAN;
            if (!m && g < p->goals->n) {
                if (!p->missing_said)
                    plan_missing(p, o->sc.res, name);
                p->missing_said = true;
                p->worst = 2;
                rc = 2;
            }
        }
    }
    plan_drop(ctx, j, result);
    return rc;
}

/* Runs the batch's points, every replication, and judges them. Returns 0 or the exit status. */
static int plan_eval_batch(plan *p)
{
    size_t nv = plan_nv(p), njobs = p->nbatch * p->reps;
    p->vals = af_malloc_array(njobs * nv, sizeof *p->vals);
    af_sweep_ops ops = {.ctx = p, .run = plan_run, .take = plan_take, .drop = plan_drop};
    int xrc = af_sweep_exec(njobs, p->nthreads, &ops, NULL, p->c->d);
    if (xrc != AF_OK) {
        af_free(p->vals);
        p->vals = NULL;
        return p->worst ? p->worst : 1;
    }
    double *x = af_malloc_array(p->reps, sizeof *x);
    for (size_t b = 0; b < p->nbatch; b++) {
        plan_point *pt = &p->pts[p->batch[b]];
        pt->mean = af_malloc_array(nv, sizeof *pt->mean);
        pt->lo = af_malloc_array(nv, sizeof *pt->lo);
        pt->hi = af_malloc_array(nv, sizeof *pt->hi);
        pt->holds = af_calloc(nv, sizeof *pt->holds);
        pt->pass = true;
        for (size_t g = 0; g < nv; g++) {
            for (size_t r = 0; r < p->reps; r++)
                x[r] = p->vals[(b * p->reps + r) * nv + g];
            if (p->reps == 1) {
                pt->mean[g] = pt->lo[g] = pt->hi[g] = x[0];
            } else {
                af_sweep_stat st;
                af_sweep_ci(x, p->reps, PLAN_LEVEL, &st);
                pt->mean[g] = st.mean;
                pt->lo[g] = st.lo;
                pt->hi[g] = st.hi;
            }
            if (g < p->goals->n) {
                const af_goal *go = &p->goals->g[g];
                pt->holds[g] = af_goal_holds(go, af_goal_bound(go, pt->lo[g], pt->hi[g]));
                pt->pass = pt->pass && pt->holds[g];
            }
        }
        pt->done = true;
    }
    af_free(x);
    af_free(p->vals);
    p->vals = NULL;
    return 0;
}

/* Prints goal g's figure at point pt: "train.x.gpu_utilization 83.37%", with replications
 * "... 83.37% (95% CI 83.1% .. 83.6%)". */
static void plan_figure(const plan *p, const plan_point *pt, size_t g, FILE *f)
{
    char a[64], b[64], c[64];
    bool cost = g == p->goals->n;
    af_dim dim = cost ? p->cost_dim : p->goals->g[g].dim;
    fprintf(f, "%s %s", cost ? p->cost : p->goals->g[g].metric,
            af_units_format(pt->mean[g], dim, a, sizeof a));
    if (p->reps > 1)
        fprintf(f, " (95%% CI %s .. %s)", af_units_format(pt->lo[g], dim, b, sizeof b),
                af_units_format(pt->hi[g], dim, c, sizeof c));
}

/* One line for point i: "  storage.disk.nodes=4  fails  train... 83.37%, cost.tco 39.3 M USD". */
static void plan_line(const plan *p, size_t i, const char *lead, FILE *f)
{
    const plan_point *pt = &p->pts[i];
    char *label = af_sweep_grid_label(p->grid, i);
    fprintf(f, "%s%s: %s:", lead, label, pt->pass ? "meets the goals" : "fails");
    for (size_t g = 0; g < plan_nv(p); g++) {
        fputs(g ? ", " : " ", f);
        plan_figure(p, pt, g, f);
        if (g < p->goals->n && !pt->holds[g])
            fprintf(f, " (not %s %s)", af_goal_op_text(p->goals->g[g].op),
                    strrchr(p->goals->g[g].text, ' ') + 1);
    }
    fputc('\n', f);
    af_free(label);
}

static int plan_search_eval(void *ctx, size_t i, bool *pass)
{
    plan *p = ctx;
    p->batch[0] = i;
    p->nbatch = 1;
    int rc = plan_eval_batch(p);
    if (rc != 0)
        return rc;
    *pass = p->pts[i].pass;
    if (!p->quiet)
        plan_line(p, i, "  run ", stdout);
    return AF_OK;
}

/* One knob: the search, then the answer, its bracket and the binding goals. */
static int plan_search(plan *p, bool most)
{
    const af_sweep_axis *ax = &p->grid->axes[0];
    if (!p->quiet)
        printf("%s %s in %s%s%s meeting: ", most ? "most" : "fewest", ax->path, ax->values[0],
               ax->n > 1 ? ".." : "", ax->n > 1 ? ax->values[ax->n - 1] : "");
    for (size_t g = 0; !p->quiet && g < p->goals->n; g++)
        printf("%s%s", g ? " and " : "", p->goals->g[g].text);
    if (!p->quiet && p->reps > 1)
        printf("\n(%zu replications a value: a goal holds when the bound of its 95%% confidence "
               "interval on the far side is on the right side)",
               p->reps);
    if (!p->quiet)
        printf("\n");
    af_search_result r;
    int rc = af_search(ax->n, most ? AF_SEARCH_MOST : AF_SEARCH_FEWEST, plan_search_eval, p, &r);
    if (rc != AF_OK)
        return rc;
    if (!r.found) {
        af_diag_error(p->c->d, "no value of %s from %s to %s meets the goals (%zu runs)", ax->path,
                      ax->values[0], ax->values[ax->n - 1], p->runs);
        plan_line(p, r.fail, most ? "first value: " : "last value: ", stdout);
        return 1;
    }
    printf("answer: %s=%s (%zu runs)\n", ax->path, ax->values[r.pass], p->runs);
    plan_line(p, r.pass, "passing: ", stdout);
    if (r.fail == AF_SEARCH_NONE) {
        printf("failing: none (%s is the %s value of the range; widen it to find the bound)\n",
               ax->values[r.pass], most ? "last" : "first");
        return 0;
    }
    plan_line(p, r.fail, "failing: ", stdout);
    for (size_t g = 0; g < p->goals->n; g++)
        if (!p->pts[r.fail].holds[g])
            printf("binding: %s%s\n", p->goals->g[g].text,
                   p->reps > 1
                       ? (af_goal_bound(&p->goals->g[g], 0, 1) == 0 ? " (on the lower 95% bound)"
                                                                    : " (on the upper 95% bound)")
                       : "");
    return 0;
}

/* Several knobs: the whole grid, then the cheapest passing point (or the one with the largest
 * value of axis `most`). */
static int plan_grid(plan *p, size_t most)
{
    size_t n = p->grid->npoints;
    p->nbatch = n;
    for (size_t i = 0; i < n; i++)
        p->batch[i] = i;
    int rc = plan_eval_batch(p);
    if (rc != 0)
        return rc;
    size_t best = AF_SEARCH_NONE, ng = p->goals->n;
    size_t *idx = af_malloc_array(p->grid->naxes, sizeof *idx);
    size_t bidx = 0;
    for (size_t i = 0; i < n; i++) {
        if (!p->quiet)
            plan_line(p, i, "  run ", stdout);
        if (!p->pts[i].pass)
            continue;
        af_sweep_grid_index(p->grid, i, idx);
        double c = p->pts[i].mean[ng];
        bool better = best == AF_SEARCH_NONE;
        if (!better && most != AF_SEARCH_NONE && idx[most] != bidx)
            better = idx[most] > bidx;
        else if (!better)
            better = c < p->pts[best].mean[ng];
        if (better) {
            best = i;
            bidx = most != AF_SEARCH_NONE ? idx[most] : 0;
        }
    }
    af_free(idx);
    if (best == AF_SEARCH_NONE) {
        af_diag_error(p->c->d, "no point of the grid meets the goals (%zu runs)", p->runs);
        return 1;
    }
    char *label = af_sweep_grid_label(p->grid, best);
    printf("answer: %s (%zu runs)\n", label, p->runs);
    af_free(label);
    plan_line(p, best, "passing: ", stdout);
    return 0;
}

int af_cmd_plan(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "plan");
    af_diag *d = c.d;
    int rc = 2;
    const char *file = NULL, *maximize = NULL, *minimize = NULL;
    bool quiet = false;
    double jobs_opt = 0, reps_opt = 1;
    af_goals goals;
    af_goals_init(&goals);
    af_sweep_grid grid;
    af_sweep_grid_init(&grid);
    af_cli_scenario_opts opts;
    af_cli_scenario_opts_init(&opts, argc);
    af_catalog *cat = NULL;
    af_cli_scenario base;
    af_cli_scenario_init(&base);
    plan p;
    memset(&p, 0, sizeof p);
    p.c = &c;
    size_t most = AF_SEARCH_NONE;

    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (af_cli_is_help(argv[i])) {
            rc = af_cli_help(&c, plan_usage);
            goto done;
        } else if (af_cli_take_scenario_opt(argc, argv, &i, &opts, &missing, d)) {
            /* --set, --seed, --models */
        } else if ((v = af_cli_take(argc, argv, &i, "--goal", &missing))) {
            af_goals_parse(&goals, v, d);
        } else if ((v = af_cli_take(argc, argv, &i, "--vary", &missing))) {
            af_sweep_grid_add(&grid, v, d);
        } else if ((v = af_cli_take(argc, argv, &i, "--maximize", &missing))) {
            maximize = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--minimize", &missing))) {
            minimize = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--jobs", &missing)) ||
                   (v = af_cli_take(argc, argv, &i, "-j", &missing)) ||
                   (strncmp(argv[i], "-j", 2) == 0 && argv[i][2] >= '0' && argv[i][2] <= '9' &&
                    (v = argv[i] + 2))) {
            char err[256] = "";
            if (af_units_parse(v, AF_DIM_COUNT, &jobs_opt, err, sizeof err) != 0 ||
                !(jobs_opt >= 1) || jobs_opt > 1024)
                af_diag_error(d, "-j: expected a number of threads from 1 to 1024, got \"%s\"", v);
        } else if ((v = af_cli_take(argc, argv, &i, "--replications", &missing))) {
            char err[256] = "";
            if (af_units_parse(v, AF_DIM_COUNT, &reps_opt, err, sizeof err) != 0 ||
                !(reps_opt >= 1) || reps_opt > PLAN_MAX_REPS)
                af_diag_error(d, "--replications: expected a whole number from 1 to %d, got \"%s\"",
                              PLAN_MAX_REPS, v);
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else {
            af_cli_one_file(&c, argv[i], missing, &file);
        }
        if (missing)
            af_cli_missing_value(&c, argv[i]);
    }
    af_cli_need_file(&c, file);
    if (goals.n == 0 && af_diag_errors(d) == 0)
        af_diag_error(d, "`aifsim plan` needs a --goal, e.g. --goal "
                         "'train.llm.gpu_utilization >= 90%%'");
    if (grid.naxes == 0 && af_diag_errors(d) == 0)
        af_diag_error(d, "`aifsim plan` needs a --vary PATH=VALUES, e.g. --vary "
                         "storage.hot.nodes=1..64");
    if (maximize) {
        for (size_t a = 0; a < grid.naxes; a++)
            if (strcmp(grid.axes[a].path, maximize) == 0)
                most = a;
        if (most == AF_SEARCH_NONE && grid.naxes)
            af_diag_error(d,
                          "--maximize %s: not a varied field; expected one of the --vary paths "
                          "(%s%s)",
                          maximize, grid.axes[0].path, grid.naxes > 1 ? ", ..." : "");
    }
    const af_metric_def *cdef = af_metric_of_name(minimize ? minimize : PLAN_COST);
    if (!cdef || cdef->text)
        af_diag_error(d,
                      "--minimize %s: expected a numeric metric, e.g. cost.tco or cost.total; "
                      "see `aifsim metrics`",
                      minimize);
    if (minimize && grid.naxes == 1)
        af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, NULL,
                    "--minimize: with one --vary the cheapest is the fewest (or with --maximize "
                    "the most) that meets the goals; %s is shown, not searched",
                    minimize);
    if (af_diag_errors(d))
        goto done;
    cat = af_cli_scenario_opts_finish(&opts, d);
    if (!cat)
        goto done;
    for (size_t a = 0; a < grid.naxes; a++)
        for (size_t k = 0; k < opts.nsets; k++)
            if (strcmp(opts.sets[k].path, grid.axes[a].path) == 0)
                af_diag_error(d, "--set %s: %s is also varied (--vary %s=...); give it one way",
                              opts.sets[k].arg, grid.axes[a].path, grid.axes[a].path);
    if (af_diag_errors(d))
        goto done;
    p.file = file;
    p.cat = cat;
    p.grid = &grid;
    p.common = opts.sets;
    p.ncommon = opts.nsets;
    p.reps = (size_t)reps_opt;
    p.goals = &goals;
    p.cost = minimize ? minimize : PLAN_COST;
    p.cost_dim = cdef->dim;
    p.quiet = quiet;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    p.nthreads = jobs_opt >= 1 ? (unsigned)jobs_opt : cpus > 0 ? (unsigned)cpus : 1;
    p.axis_sets = af_calloc(grid.naxes, sizeof *p.axis_sets);
    p.axis_args = af_calloc(grid.naxes, sizeof *p.axis_args);
    for (size_t a = 0; a < grid.naxes; a++) {
        const af_sweep_axis *ax = &grid.axes[a];
        p.axis_sets[a] = af_calloc(ax->n, sizeof **p.axis_sets);
        p.axis_args[a] = af_calloc(ax->n, sizeof **p.axis_args);
        for (size_t k = 0; k < ax->n; k++) {
            p.axis_args[a][k] = af_strfmt("%s=%s", ax->path, ax->values[k]);
            if (af_scenario_parse_set(p.axis_args[a][k], &p.axis_sets[a][k], d) != AF_OK)
                af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL, "in --vary %s=...", ax->path);
        }
    }
    if (af_diag_errors(d))
        goto done;
    if (af_cli_scenario_load(&base, file, cat, opts.sets, opts.nsets, d) != 0)
        goto done;
    p.pts = af_calloc(grid.npoints, sizeof *p.pts);
    p.batch = af_malloc_array(grid.npoints, sizeof *p.batch);
    rc = grid.naxes == 1 ? plan_search(&p, most == 0) : plan_grid(&p, most);
    if (rc == AF_OK && af_cli_check_stdout(&c) != AF_OK)
        rc = 1;

done:
    for (size_t i = 0; p.pts && i < grid.npoints; i++) {
        af_free(p.pts[i].mean);
        af_free(p.pts[i].lo);
        af_free(p.pts[i].hi);
        af_free(p.pts[i].holds);
    }
    af_free(p.pts);
    af_free(p.batch);
    for (size_t a = 0; p.axis_sets && a < grid.naxes; a++) {
        for (size_t k = 0; k < grid.axes[a].n; k++)
            af_free(p.axis_args[a][k]);
        af_free(p.axis_args[a]);
        af_free(p.axis_sets[a]);
    }
    af_free(p.axis_args);
    af_free(p.axis_sets);
    af_cli_scenario_fini(&base);
    af_catalog_free(cat);
    af_cli_scenario_opts_fini(&opts);
    af_sweep_grid_fini(&grid);
    af_goals_fini(&goals);
    return af_cli_finish(&c, rc);
}
