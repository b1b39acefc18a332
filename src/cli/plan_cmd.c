/*
 * plan_cmd: `aifsim plan FILE [--goal EXPR]... --vary PATH=VALUES... [--maximize PATH|METRIC]
 * [--minimize METRIC] [--exhaustive] [--replications N] [-j N] [--db FILE] [--set PATH=VALUE]...
 * [--seed N]`.
 *
 * The configuration that meets every goal (plan/goal.h) at least cost, or the best of a metric,
 * by runs of the scenario with --set overrides made as `aifsim sweep` makes them (the same seeds:
 * replication k runs with af_sweep_seed(seed, k), on -j threads through af_sweep_exec, taken in
 * order, so the answer is the same whatever -j is). Three ways to search:
 *
 *   monotone, one knob   the goals are taken as monotone in the knob and its values as ordered
 *                        from the cheapest: the fewest (the first value that meets the goals; the
 *                        default) or, with --maximize PATH, the most (the last value that meets
 *                        them: "the most GPUs this storage keeps at 90%"), by galloping then
 *                        bisection (af_search). Printed: every run made, the answer, the two
 *                        runs that bracket it (the answer and its failing neighbour, with their
 *                        goal metrics) and the goals that bind (those failing at the neighbour).
 *   monotone, a grid     several knobs, each monotone the same way, and a cost (cost.tco, or
 *                        --minimize cost.*) that grows with each: for every combination of the
 *                        other knobs, a search along the last one; a point weaker than one that
 *                        failed (no more of any knob) fails and one stronger than one that passed
 *                        passes and costs at least as much, so neither is run. The answer is the
 *                        cheapest passing point (with --maximize PATH, the one with the most of
 *                        PATH, then the cheapest), bracketed by its neighbour one step cheaper on
 *                        each knob. --exhaustive runs every point instead.
 *   optimum              --maximize METRIC or --minimize METRIC of a metric that is not a cost
 *                        ("the checkpoint interval that maximizes goodput"): nothing is assumed
 *                        monotone, every point is run, and the answer is the passing point of the
 *                        best mean; goals are then optional. With replications, the points whose
 *                        paired difference from the best (the same seeds: common random numbers)
 *                        has a 95% interval holding 0 are named as statistically tied.
 *
 * With --replications N a goal holds only when the bound of the metric's 95% Student-t interval
 * on the far side of the threshold is on the right side (the lower bound for >=).
 *
 * --db FILE stores every run in the results store as a sweep of the grid, exactly as `aifsim
 * sweep FILE --vary ... --db FILE` would (same grid text, same seeds), and takes any run that
 * sweep or an earlier plan stored instead of running it again: an interrupted plan (Ctrl-C)
 * loses nothing that finished. A progress line goes to standard error when it is a terminal.
 */
#include "cli/batch.h"
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
#include "report/store.h"
#include "scenario/catalog.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char plan_usage[] =
    "usage: aifsim plan FILE --goal EXPR --vary PATH=VALUES [--vary PATH=VALUES]...\n"
    "                   [--maximize PATH|METRIC] [--minimize METRIC] [--exhaustive]\n"
    "                   [--replications N] [-j N] [--db FILE] [--show METRIC]...\n"
    "                   [--set PATH=VALUE]... [--seed N]\n"
    "                   [--models DIR] [-q] [--progress | --no-progress]\n"
    "\n"
    "Finds the configuration that meets every goal at least cost, or the best value of a\n"
    "metric. With one --vary, the goals are taken as monotone in it: the fewest (or with\n"
    "--maximize PATH, the most) of its values that meet them, by galloping then bisection;\n"
    "prints the answer, the two runs that bracket it and the goal that binds. With several,\n"
    "the cheapest passing point of the grid, skipping the points that monotonicity decides.\n"
    "With --maximize or --minimize of a metric that is not a cost, every point is run and the\n"
    "best passing one is the answer (goals optional).\n"
    "\n"
    "  --goal EXPR       metric comparisons joined by 'and' (repeatable), e.g.\n"
    "                    'train.llm.gpu_utilization >= 90% and inference.recsys.latency_p99\n"
    "                    <= 50 ms'; OP is >=, <=, > or <, the value in the metric's unit or\n"
    "                    another metric ('train.x.mlperf_au >= train.x.mlperf_au_min')\n"
    "  --vary PATH=VALUES  a knob and its values from the cheapest (as for `aifsim sweep`:\n"
    "                    1..64, 2..32:2, 1..512x2, 2,4,8)\n"
    "  --maximize PATH   the largest value of the varied PATH that meets the goals (\"the most\n"
    "                    GPUs this storage keeps at 90%\") instead of the smallest\n"
    "  --maximize METRIC the point of the largest METRIC that meets the goals (\"the checkpoint\n"
    "                    interval of the most goodput\"); every point is run\n"
    "  --minimize METRIC the cost to minimize (default cost.tco, the lifetime cost); a metric\n"
    "                    that is not a cost.* is searched like --maximize METRIC\n"
    "  --exhaustive      run every point of a grid (no monotonicity assumed)\n"
    "  --replications N  run each point N times; a goal holds when its 95% confidence bound\n"
    "                    (Student's t) is on the right side\n"
    "  -j, --jobs N      run N runs at once on threads (default: the number of CPUs);\n"
    "                    plan does not spread over MPI ranks as `mpirun aifsim sweep` does\n"
    "  --db FILE         store every run in the results store FILE as a sweep of the grid, and\n"
    "                    reuse the runs an earlier plan or `aifsim sweep` stored there\n"
    "  --show METRIC     print METRIC beside each run's figures (repeatable), e.g.\n"
    "                    train.NAME.gpus\n"
    "  --set PATH=VALUE  override a field of every run (repeatable)\n"
    "  --seed N          the scenario's seed (replication 1's)\n"
    "  --models DIR      read the model catalog from DIR\n"
    "  -q, --quiet       print only the answer, its bracket and the binding goals\n"
    "  --progress        show the progress line even when standard error is not a terminal\n"
    "  --no-progress     never show it\n"
    "\n"
    "exit status: 0 an answer, 1 no value meets the goals or a run failed, 2 bad input,\n"
    "130 interrupted\n";

/* Most replications of a point. */
#define PLAN_MAX_REPS 10000
/* Confidence level of the intervals. */
#define PLAN_LEVEL 0.95
/* The default cost to minimize. */
#define PLAN_COST "cost.tco"
/* Exit status of an interrupted plan. */
#define PLAN_INTERRUPTED 130

/* How the answer is searched for (see the file's comment). */
typedef enum { PLAN_SEARCH, PLAN_PRUNED, PLAN_FULL, PLAN_OPTIMUM } plan_mode;

/* One point of the grid. */
typedef struct plan_point {
    bool done;     /* run (or taken from the store) */
    bool inferred; /* decided by monotonicity without a run (pass says which way) */
    bool pass;     /* every goal holds */
    size_t from;   /* inferred: the run point it was inferred from */
    double *mean;  /* per value (plan_nv): the mean over replications (SI units) */
    double *lo;    /* the interval's ends (= mean with one replication) */
    double *hi;
    bool *holds; /* per goal */
    double *obj; /* the objective of each replication (PLAN_OPTIMUM only) */
    char *refused; /* why the configuration could not be run (data that do not fit, a value out
                    * of range): it fails, and the plan goes on (owned; NULL when it ran) */
} plan_point;

typedef struct plan {
    af_cli *c;
    const char *file;
    const af_catalog *cat;
    const af_sweep_grid *grid;
    af_cli_axes axes;
    const af_scenario_set *common;
    size_t ncommon;
    size_t reps;
    unsigned nthreads;
    const af_goals *goals;
    const char *cost; /* the cost metric */
    af_dim cost_dim;
    const char *obj; /* the objective metric (= cost unless PLAN_OPTIMUM) */
    const char **show; /* --show: metrics printed beside each run's figures (borrowed) */
    af_dim *show_dim;
    size_t nshow;
    af_dim obj_dim;
    int obj_sign; /* +1: the larger the better; -1: the smaller */
    plan_mode mode;
    size_t most; /* the axis to maximize, or AF_SEARCH_NONE */
    bool quiet;
    plan_point *pts; /* npoints */
    size_t *batch;   /* the points of the runs in progress */
    size_t nbatch;
    size_t *evaluated; /* the points run, in order */
    size_t nevaluated;
    size_t ninferred;
    size_t prefix; /* PLAN_PRUNED: the index of the current line's first point */
    double *vals;      /* [batch point][rep][value] */
    int worst;         /* worst status of a run */
    bool missing_said; /* a needed metric absent from the first run was reported */
    size_t missing;    /* later runs without a needed metric (their points fail) */
    char *missing_name; /* the first such metric (owned) */
    size_t runs;       /* runs made (or taken from the store) */
    size_t refused;    /* of which configurations refused */
    size_t reused;     /* of which taken from the store */
    /* the results store (--db) */
    af_store *store;
    int64_t sweep_id;
    int64_t *stored; /* [point * reps + rep]: the stored run, 0 for none */
    char *text;      /* the scenario file's bytes */
    size_t text_len;
    af_cli_progress prog;
} plan;

/* What a worker hands back. */
typedef struct plan_out {
    af_cli_job *job; /* the run made (NULL when taken from the store) */
    af_store_run stored;
    bool from_store;
} plan_out;

/* Values of a run: per goal its metric and its reference metric (NaN without one), then the
 * cost, then the objective, then the --show metrics. */
static size_t plan_nv(const plan *p)
{
    return 2 * p->goals->n + 2 + p->nshow;
}

static size_t plan_icost(const plan *p)
{
    return 2 * p->goals->n;
}

static size_t plan_iobj(const plan *p)
{
    return 2 * p->goals->n + 1;
}

/* ---- Progress ------------------------------------------------------------------------------ */

/* "aifsim: plan: 7 runs, running storage.hot.nodes=6 (2 of 3 runs done), 41 s" */
static bool plan_tick(void *ctx, size_t taken, size_t njobs)
{
    plan *p = ctx;
    if (af_cli_sigint_caught()) {
        af_cli_progress_clear(&p->prog);
        fprintf(stderr, "aifsim: plan interrupted%s (Ctrl-C again to quit at once)\n",
                p->store ? "; storing the runs that finished" : "");
        return false;
    }
    double now = af_cli_wall_s();
    if (!af_cli_progress_due(&p->prog, now))
        return true;
    char line[256], wall[48];
    char *label = af_sweep_grid_label(p->grid, p->batch[0]);
    int n = snprintf(line, sizeof line, "aifsim: plan: %zu runs, running %s%s (%zu of %zu done), %s",
                     p->runs, label, p->nbatch > 1 ? " and others" : "", taken, njobs,
                     af_units_format(now - p->prog.start_s, AF_DIM_TIME, wall, sizeof wall));
    af_free(label);
    if (n > 0)
        af_cli_progress_show(&p->prog, line, now);
    return true;
}

/* ---- Runs ----------------------------------------------------------------------------------- */

static int plan_run(void *ctx, size_t j, const atomic_bool *stop, void **result)
{
    plan *p = ctx;
    size_t pt = p->batch[j / p->reps], rep = j % p->reps;
    plan_out *o = af_calloc(1, sizeof *o);
    *result = o;
    if (p->stored && p->stored[pt * p->reps + rep]) {
        /* Stored before: read it back (the store is used from the calling thread only). */
        o->from_store = true;
        return AF_OK;
    }
    o->job = af_cli_job_new();
    size_t nsets;
    af_scenario_set *sets = af_cli_axes_point(&p->axes, pt, p->common, p->ncommon, &nsets);
    int rc = af_cli_job_run(o->job, p->file, p->cat, sets, nsets, rep, p->store != NULL, stop);
    af_free(sets);
    return rc;
}

static void plan_drop(void *ctx, size_t j, void *result)
{
    (void)ctx;
    (void)j;
    plan_out *o = result;
    af_cli_job_free(o->job);
    if (o->from_store)
        af_store_run_fini(&o->stored);
    af_free(o);
}

/* The name of value k of a run (plan_nv), or NULL for a goal without a reference. */
static const char *plan_vname(const plan *p, size_t k)
{
    if (k == plan_icost(p))
        return p->cost;
    if (k == plan_iobj(p))
        return p->obj;
    if (k > plan_iobj(p))
        return p->show[k - plan_iobj(p) - 1];
    const af_goal *go = &p->goals->g[k / 2];
    return k % 2 ? go->ref : go->metric;
}

static int plan_take(void *ctx, size_t j, int status, void *result)
{
    plan *p = ctx;
    plan_out *o = result;
    af_diag *d = p->c->d;
    size_t pt = p->batch[j / p->reps], rep = j % p->reps;
    int rc = AF_OK;
    if (o->from_store && status == AF_OK) {
        int64_t id = p->stored[pt * p->reps + rep];
        if (af_store_get(p->store, id, true, &o->stored, d) != AF_OK) {
            o->from_store = false;
            p->worst = p->worst > 1 ? p->worst : 1;
            plan_drop(ctx, j, result);
            return AF_EIO;
        }
        p->reused++;
    }
    p->runs++;
    char *label = af_sweep_grid_label(p->grid, pt);
    double *v = &p->vals[j * plan_nv(p)];
    if (status == 2 && o->job && !o->job->loaded) {
        /* A value the field does not take ("6x"): a mistake, not a configuration. */
        af_cli_progress_clear(&p->prog);
        af_cli_job_messages(o->job, d);
        af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL,
                    "in the run of %s: a value the scenario does not take", label);
        p->worst = 2;
        rc = 2;
        goto done;
    }
    if (status == 2 && !p->missing_said) {
        /* The configuration is refused (the scenario itself loaded): the point fails, with the
         * first error as its reason, and the plan goes on. */
        for (size_t i = 0; o->job && i < af_diag_count(o->job->d) && !p->pts[pt].refused; i++)
            if (af_diag_get(o->job->d, i)->sev == AF_SEV_ERROR)
                p->pts[pt].refused = af_strdup(af_diag_get(o->job->d, i)->text);
        if (!p->pts[pt].refused)
            p->pts[pt].refused = af_strdup("refused");
        p->refused++;
        for (size_t k = 0; k < plan_nv(p); k++)
            v[k] = NAN;
        goto done;
    }
    if (o->job && af_diag_count(o->job->d)) {
        af_cli_progress_clear(&p->prog);
        af_cli_job_messages(o->job, d);
    }
    if (status != 0) {
        af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL, "in the run of %s, replication %zu", label,
                    rep + 1);
        if (status > p->worst)
            p->worst = status;
        rc = status;
        goto done;
    }
    const af_results *res = o->from_store ? o->stored.res : o->job->sc.res;
    if (p->store && !o->from_store) {
        af_store_input in = {.res = res,
                             .text = p->text,
                             .text_len = p->text_len,
                             .seed = o->job->seed,
                             .sweep_id = p->sweep_id,
                             .sweep_point = (int64_t)pt + 1,
                             .sweep_replication = (int64_t)rep + 1,
                             .sweep_values = label};
        if (af_store_add(p->store, &in, NULL, d) != AF_OK) {
            p->worst = p->worst > 1 ? p->worst : 1;
            rc = AF_EIO;
            goto done;
        }
    }
    /* A metric the goals, the objective or (on a grid) the cost need: absent from the first
     * run, it is most likely misspelt (stop, exit 2); absent from a later one only, that point
     * fails (some metrics exist only where they mean something: cost per million tokens). */
    bool lacks = false;
    for (size_t k = 0; k < plan_nv(p); k++) {
        const char *name = plan_vname(p, k);
        const af_metric *m = name ? af_results_find(res, name) : NULL;
        v[k] = m && !m->text ? m->value : NAN;
        if (!m && k > plan_iobj(p) && p->runs - p->refused == 1 && !p->missing_said) {
            /* A --show metric absent from the first run: most likely misspelt. */
            af_cli_missing_metric(d, "--show", res, name, p->file);
            p->missing_said = true;
            p->worst = 2;
            rc = 2;
        }
        bool needed = name && (k < plan_icost(p) || (k == plan_iobj(p) && p->mode == PLAN_OPTIMUM) ||
                               (k == plan_icost(p) && p->mode != PLAN_SEARCH));
        if (!m && needed && p->runs - p->refused == 1) {
            if (!p->missing_said)
                af_cli_missing_metric(d, NULL, res, name, p->file);
            p->missing_said = true;
            p->worst = 2;
            rc = 2;
        } else if (!m && needed && !lacks) {
            lacks = true;
            p->missing++;
            if (!p->missing_name)
                p->missing_name = af_strdup(name);
            for (size_t q = 0; q < plan_nv(p); q++)
                v[q] = NAN; /* the point fails */
        }
    }
done:
    af_free(label);
    plan_drop(ctx, j, result);
    return rc;
}

/* Runs the batch's points, every replication, and judges them. Returns 0 or the exit status. */
static int plan_eval_batch(plan *p)
{
    size_t nv = plan_nv(p), njobs = p->nbatch * p->reps, ng = p->goals->n;
    p->vals = af_malloc_array(njobs * nv, sizeof *p->vals);
    af_sweep_ops ops = {.ctx = p,
                        .run = plan_run,
                        .take = plan_take,
                        .drop = plan_drop,
                        .tick = plan_tick,
                        .tick_s = 0.25};
    int xrc = af_sweep_exec(njobs, p->nthreads, &ops, NULL, p->c->d);
    af_cli_progress_clear(&p->prog);
    if (xrc != AF_OK) {
        af_free(p->vals);
        p->vals = NULL;
        if (xrc == AF_SWEEP_CUT)
            return PLAN_INTERRUPTED;
        return p->worst ? p->worst : 1;
    }
    double *x = af_malloc_array(p->reps, sizeof *x);
    for (size_t b = 0; b < p->nbatch; b++) {
        plan_point *pt = &p->pts[p->batch[b]];
        pt->mean = af_malloc_array(nv, sizeof *pt->mean);
        pt->lo = af_malloc_array(nv, sizeof *pt->lo);
        pt->hi = af_malloc_array(nv, sizeof *pt->hi);
        pt->holds = af_calloc(ng ? ng : 1, sizeof *pt->holds);
        pt->pass = true;
        for (size_t k = 0; k < nv; k++) {
            for (size_t r = 0; r < p->reps; r++)
                x[r] = p->vals[(b * p->reps + r) * nv + k];
            if (p->reps == 1) {
                pt->mean[k] = pt->lo[k] = pt->hi[k] = x[0];
            } else {
                af_sweep_stat st;
                af_sweep_ci(x, p->reps, PLAN_LEVEL, &st);
                pt->mean[k] = st.mean;
                pt->lo[k] = st.lo;
                pt->hi[k] = st.hi;
            }
        }
        for (size_t g = 0; g < ng; g++) {
            const af_goal *go = &p->goals->g[g];
            double lo = pt->lo[2 * g], hi = pt->hi[2 * g];
            if (go->ref) {
                /* Judged on the difference, run by run. */
                for (size_t r = 0; r < p->reps; r++)
                    x[r] = p->vals[(b * p->reps + r) * nv + 2 * g] -
                           p->vals[(b * p->reps + r) * nv + 2 * g + 1];
                if (p->reps == 1) {
                    lo = hi = x[0];
                } else {
                    af_sweep_stat st;
                    af_sweep_ci(x, p->reps, PLAN_LEVEL, &st);
                    lo = st.lo;
                    hi = st.hi;
                }
            }
            pt->holds[g] = af_goal_holds(go, af_goal_bound(go, lo, hi));
            pt->pass = pt->pass && pt->holds[g];
        }
        if (pt->refused || (p->mode != PLAN_SEARCH && isnan(pt->mean[plan_icost(p)])))
            pt->pass = false;
        if (p->mode == PLAN_OPTIMUM) {
            pt->obj = af_malloc_array(p->reps, sizeof *pt->obj);
            for (size_t r = 0; r < p->reps; r++)
                pt->obj[r] = p->vals[(b * p->reps + r) * nv + plan_iobj(p)];
            /* A point whose objective is not a number cannot be the best. */
            pt->pass = pt->pass && !isnan(pt->mean[plan_iobj(p)]);
        }
        pt->done = true;
        p->evaluated[p->nevaluated++] = p->batch[b];
    }
    af_free(x);
    af_free(p->vals);
    p->vals = NULL;
    return 0;
}

/* ---- Printing ------------------------------------------------------------------------------- */

/* Prints value k's figure at point pt: "train.x.gpu_utilization 83.37%", with replications
 * "... 83.37% (95% CI 83.1% .. 83.6%)". */
static void plan_figure(const plan *p, const plan_point *pt, size_t k, FILE *f)
{
    char a[64], b[64], c[64];
    af_dim dim = k == plan_icost(p)  ? p->cost_dim
                 : k == plan_iobj(p) ? p->obj_dim
                 : k > plan_iobj(p)  ? p->show_dim[k - plan_iobj(p) - 1]
                                     : p->goals->g[k / 2].dim;
    if (isnan(pt->mean[k])) {
        fprintf(f, "%s -", plan_vname(p, k)); /* a --show metric this run does not have */
        return;
    }
    fprintf(f, "%s %s", plan_vname(p, k), af_units_format(pt->mean[k], dim, a, sizeof a));
    if (p->reps > 1)
        fprintf(f, " (95%% CI %s .. %s)", af_units_format(pt->lo[k], dim, b, sizeof b),
                af_units_format(pt->hi[k], dim, c, sizeof c));
}

/* The right side of goal g as written ("90%", "train.x.mlperf_au_min"). */
static const char *plan_rhs(const af_goal *g)
{
    const char *op = strstr(g->text, af_goal_op_text(g->op));
    return op ? op + strlen(af_goal_op_text(g->op)) + 1 : g->text;
}

/* One line for point i: "  storage.disk.nodes=4: fails: train... 83.37% (not >= 90%), cost.tco
 * 39.3 M USD". An inferred point says so and what it was inferred from. */
static void plan_line(const plan *p, size_t i, const char *lead, FILE *f)
{
    const plan_point *pt = &p->pts[i];
    char *label = af_sweep_grid_label(p->grid, i);
    if (pt->inferred) {
        char *from = af_sweep_grid_label(p->grid, pt->from);
        fprintf(f, "%s%s: %s (not run: %s than %s, which %s)\n", lead, label,
                pt->pass ? "meets the goals" : "fails", pt->pass ? "stronger" : "weaker", from,
                pt->pass ? "meets them" : "fails");
        af_free(from);
        af_free(label);
        return;
    }
    if (pt->refused) {
        fprintf(f, "%s%s: fails: refused: %s\n", lead, label, pt->refused);
        af_free(label);
        return;
    }
    if (p->goals->n)
        fprintf(f, "%s%s: %s:", lead, label, pt->pass ? "meets the goals" : "fails");
    else
        fprintf(f, "%s%s:", lead, label);
    bool first = true;
    for (size_t g = 0; g < p->goals->n; g++) {
        const af_goal *go = &p->goals->g[g];
        fputs(first ? " " : ", ", f);
        first = false;
        plan_figure(p, pt, 2 * g, f);
        if (go->ref) {
            fputs(" against ", f);
            plan_figure(p, pt, 2 * g + 1, f);
        }
        if (!pt->holds[g])
            fprintf(f, " (not %s %s)", af_goal_op_text(go->op), plan_rhs(go));
    }
    if (p->mode == PLAN_OPTIMUM) {
        fputs(first ? " " : ", ", f);
        first = false;
        plan_figure(p, pt, plan_iobj(p), f);
    }
    if (strcmp(p->cost, p->obj) != 0 || p->mode != PLAN_OPTIMUM) {
        fputs(first ? " " : ", ", f);
        plan_figure(p, pt, plan_icost(p), f);
    }
    for (size_t k = 0; k < p->nshow; k++) {
        fputs(", ", f);
        plan_figure(p, pt, plan_iobj(p) + 1 + k, f);
    }
    fputc('\n', f);
    af_free(label);
}

/* "binding: GOAL" for each goal failing at run point i (with replications, on which bound). */
static void plan_binding(const plan *p, size_t i, bool *said)
{
    if (p->pts[i].refused) {
        printf("binding: the configuration itself (%s)\n", p->pts[i].refused);
        return;
    }
    for (size_t g = 0; g < p->goals->n; g++)
        if (!p->pts[i].holds[g] && !said[g]) {
            said[g] = true;
            printf("binding: %s%s\n", p->goals->g[g].text,
                   p->reps > 1 ? (af_goal_bound(&p->goals->g[g], 0, 1) == 0
                                      ? " (on the lower 95% bound)"
                                      : " (on the upper 95% bound)")
                               : "");
        }
}

/* The goals, after a heading. */
static void plan_goals_line(const plan *p)
{
    if (p->goals->n == 0)
        printf("(no goals)");
    for (size_t g = 0; g < p->goals->n; g++)
        printf("%s%s", g ? " and " : "", p->goals->g[g].text);
    if (p->reps > 1)
        printf("\n(%zu replications a value: a goal holds when the bound of its 95%% confidence "
               "interval on the far side is on the right side)",
               p->reps);
    printf("\n");
}

/* ---- One knob: the monotone search ---------------------------------------------------------- */

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

/* Ctrl-C during a search: the bracket known so far (the passing value nearest the boundary
 * and the failing one nearest it). */
static void plan_search_cut(const plan *p, bool most)
{
    size_t pass = AF_SEARCH_NONE, fail = AF_SEARCH_NONE;
    for (size_t k = 0; k < p->nevaluated; k++) {
        size_t i = p->evaluated[k];
        if (p->pts[i].pass && (pass == AF_SEARCH_NONE || (most ? i > pass : i < pass)))
            pass = i;
        if (!p->pts[i].pass && (fail == AF_SEARCH_NONE || (most ? i < fail : i > fail)))
            fail = i;
    }
    printf("interrupted after %zu runs; the bracket so far:\n", p->runs);
    if (pass != AF_SEARCH_NONE)
        plan_line(p, pass, "passing: ", stdout);
    if (fail != AF_SEARCH_NONE)
        plan_line(p, fail, "failing: ", stdout);
}

static int plan_search(plan *p, bool most)
{
    const af_sweep_axis *ax = &p->grid->axes[0];
    if (!p->quiet) {
        printf("%s %s in %s%s%s meeting: ", most ? "most" : "fewest", ax->path, ax->values[0],
               ax->n > 1 ? ".." : "", ax->n > 1 ? ax->values[ax->n - 1] : "");
        plan_goals_line(p);
    }
    af_search_result r;
    int rc = af_search(ax->n, most ? AF_SEARCH_MOST : AF_SEARCH_FEWEST, plan_search_eval, p, &r);
    if (rc == PLAN_INTERRUPTED)
        plan_search_cut(p, most);
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
    bool said[AF_GOAL_MAX] = {false};
    plan_binding(p, r.fail, said);
    return 0;
}

/* ---- Grids ---------------------------------------------------------------------------------- */

/* Axis a's direction: +1 when more of it helps the goals and costs more, -1 for the axis that
 * --maximize PATH asks the most of (more of it makes the goals harder). */
static int plan_dir(const plan *p, size_t a)
{
    return a == p->most ? -1 : 1;
}

/* Whether the point of indexes a is no stronger than the point of indexes b on every axis. */
static bool plan_weaker(const plan *p, const size_t *a, const size_t *b)
{
    for (size_t k = 0; k < p->grid->naxes; k++)
        if (plan_dir(p, k) * ((double)a[k] - (double)b[k]) > 0)
            return false;
    return true;
}

/* Decides point i from the points run, when monotonicity does: weaker than (or as strong as) a
 * failing one, it fails; stronger than a passing one, it passes. Returns whether it did. */
static bool plan_infer(plan *p, size_t i)
{
    size_t na = p->grid->naxes;
    size_t *ii = af_malloc_array(na, sizeof *ii), *ie = af_malloc_array(na, sizeof *ie);
    af_sweep_grid_index(p->grid, i, ii);
    bool found = false;
    for (size_t k = 0; k < p->nevaluated && !found; k++) {
        size_t e = p->evaluated[k];
        af_sweep_grid_index(p->grid, e, ie);
        if ((!p->pts[e].pass && plan_weaker(p, ii, ie)) ||
            (p->pts[e].pass && plan_weaker(p, ie, ii))) {
            p->pts[i].inferred = true;
            p->pts[i].pass = p->pts[e].pass;
            p->pts[i].from = e;
            p->ninferred++;
            found = true;
        }
    }
    af_free(ii);
    af_free(ie);
    return found;
}

/* Runs point i alone unless it is known; prints its line. */
static int plan_decide(plan *p, size_t i)
{
    if (p->pts[i].done || p->pts[i].inferred || plan_infer(p, i))
        return AF_OK;
    p->batch[0] = i;
    p->nbatch = 1;
    int rc = plan_eval_batch(p);
    if (rc == 0 && !p->quiet)
        plan_line(p, i, "  run ", stdout);
    return rc;
}

static int plan_pruned_eval(void *ctx, size_t k, bool *pass)
{
    plan *p = ctx;
    int rc = plan_decide(p, p->prefix + k);
    *pass = p->pts[p->prefix + k].pass;
    return rc;
}

/* The best point run that passes: with --maximize PATH the most of PATH first; then the best
 * objective (the cheapest, when it is the cost); then the cheapest; then the first. */
static size_t plan_best(const plan *p)
{
    size_t best = AF_SEARCH_NONE, na = p->grid->naxes;
    size_t *ii = af_malloc_array(na, sizeof *ii), *ib = af_malloc_array(na, sizeof *ib);
    size_t io = plan_iobj(p), ic = plan_icost(p);
    for (size_t k = 0; k < p->nevaluated; k++) {
        size_t i = p->evaluated[k];
        if (!p->pts[i].pass)
            continue;
        if (best == AF_SEARCH_NONE) {
            best = i;
            continue;
        }
        af_sweep_grid_index(p->grid, i, ii);
        af_sweep_grid_index(p->grid, best, ib);
        const plan_point *a = &p->pts[i], *b = &p->pts[best];
        int better = 0; /* +1: i is better, -1: worse, 0: tie so far */
        if (p->most != AF_SEARCH_NONE && ii[p->most] != ib[p->most])
            better = ii[p->most] > ib[p->most] ? 1 : -1;
        if (!better && a->mean[io] != b->mean[io])
            better = p->obj_sign * (a->mean[io] - b->mean[io]) > 0 ? 1 : -1;
        if (!better && a->mean[ic] != b->mean[ic])
            better = a->mean[ic] < b->mean[ic] ? 1 : -1;
        if (better > 0 || (!better && i < best))
            best = i;
    }
    af_free(ii);
    af_free(ib);
    return best;
}

/* The answer of a grid: its line, then its neighbour one step weaker on each axis (run when
 * monotonicity did not decide it) and the goals that fail there. */
static int plan_grid_answer(plan *p, size_t best)
{
    char *label = af_sweep_grid_label(p->grid, best);
    printf("answer: %s (%zu runs", label, p->runs);
    if (p->mode == PLAN_PRUNED)
        printf(" of %zu points, %zu decided by monotonicity", p->grid->npoints, p->ninferred);
    printf(")\n");
    af_free(label);
    plan_line(p, best, "passing: ", stdout);
    if (p->mode == PLAN_OPTIMUM)
        return 0;
    size_t na = p->grid->naxes;
    size_t *ib = af_malloc_array(na, sizeof *ib), *in = af_malloc_array(na, sizeof *in);
    af_sweep_grid_index(p->grid, best, ib);
    bool said[AF_GOAL_MAX] = {false};
    int rc = AF_OK;
    for (size_t a = 0; a < na && rc == AF_OK; a++) {
        const af_sweep_axis *ax = &p->grid->axes[a];
        bool up = plan_dir(p, a) < 0;
        if ((up && ib[a] + 1 >= ax->n) || (!up && ib[a] == 0)) {
            printf("failing: none one step %s on %s (%s is the %s value of its range)\n",
                   up ? "up" : "down", ax->path, ax->values[ib[a]], up ? "last" : "first");
            continue;
        }
        /* The neighbour: the same indexes but axis a's, one step weaker. */
        size_t n = 0;
        for (size_t k = 0; k < na; k++) {
            in[k] = k == a ? (up ? ib[k] + 1 : ib[k] - 1) : ib[k];
            n = n * p->grid->axes[k].n + in[k];
        }
        bool quiet = p->quiet;
        p->quiet = true;
        rc = plan_decide(p, n);
        p->quiet = quiet;
        if (rc != AF_OK)
            break;
        plan_line(p, n, p->pts[n].pass ? "also passing: " : "failing: ", stdout);
        if (p->pts[n].done && !p->pts[n].pass)
            plan_binding(p, n, said);
    }
    af_free(ib);
    af_free(in);
    return rc;
}

/* Several knobs, monotone: a search along the last axis for every combination of the others. */
static int plan_pruned(plan *p)
{
    const af_sweep_grid *g = p->grid;
    size_t last = g->naxes - 1, nlast = g->axes[last].n;
    if (!p->quiet) {
        printf("%s point of", p->most != AF_SEARCH_NONE ? "most" : "cheapest");
        for (size_t a = 0; a < g->naxes; a++)
            printf("%s %s", a ? " x" : "", g->axes[a].path);
        if (p->most != AF_SEARCH_NONE)
            printf(" (the most %s, then the least %s)", g->axes[p->most].path, p->cost);
        else
            printf(" (the least %s)", p->cost);
        printf(" meeting: ");
        plan_goals_line(p);
    }
    for (size_t pre = 0; pre < g->npoints / nlast; pre++) {
        p->prefix = pre * nlast;
        af_search_result r;
        int rc = af_search(nlast, last == p->most ? AF_SEARCH_MOST : AF_SEARCH_FEWEST,
                           plan_pruned_eval, p, &r);
        if (rc != AF_OK)
            return rc;
    }
    size_t best = plan_best(p);
    if (best == AF_SEARCH_NONE) {
        af_diag_error(p->c->d, "no point of the grid meets the goals (%zu runs)", p->runs);
        return 1;
    }
    return plan_grid_answer(p, best);
}

/* Every point at once: --exhaustive, and the optimum of a metric. */
static int plan_full(plan *p)
{
    const af_sweep_grid *g = p->grid;
    if (!p->quiet) {
        if (p->mode == PLAN_OPTIMUM)
            printf("%s %s over", p->obj_sign > 0 ? "largest" : "smallest", p->obj);
        else
            printf("%s point of", p->most != AF_SEARCH_NONE ? "most" : "cheapest");
        for (size_t a = 0; a < g->naxes; a++)
            printf("%s %s", a ? " x" : "", g->axes[a].path);
        if (g->naxes == 1)
            printf(" in %s..%s", g->axes[0].values[0], g->axes[0].values[g->axes[0].n - 1]);
        printf(" meeting: ");
        plan_goals_line(p);
    }
    p->nbatch = g->npoints;
    for (size_t i = 0; i < g->npoints; i++)
        p->batch[i] = i;
    int rc = plan_eval_batch(p);
    if (rc != 0)
        return rc;
    for (size_t i = 0; !p->quiet && i < g->npoints; i++)
        plan_line(p, i, "  run ", stdout);
    size_t best = plan_best(p);
    if (best == AF_SEARCH_NONE) {
        af_diag_error(p->c->d, "no point of the grid meets the goals (%zu runs)", p->runs);
        return 1;
    }
    rc = plan_grid_answer(p, best);
    if (rc != AF_OK || p->mode != PLAN_OPTIMUM)
        return rc;
    /* One knob: the neighbours either side, to show the optimum is not an end of the range. */
    if (g->naxes == 1) {
        if (best > 0)
            plan_line(p, best - 1, "below: ", stdout);
        else
            printf("below: none (%s is the first value; widen the range)\n",
                   g->axes[0].values[best]);
        if (best + 1 < g->npoints)
            plan_line(p, best + 1, "above: ", stdout);
        else
            printf("above: none (%s is the last value; widen the range)\n",
                   g->axes[0].values[best]);
    }
    if (p->reps < 2) {
        printf("tied: not judged (one replication; with --replications N, the points whose "
               "difference from the best holds 0 in its 95%% interval)\n");
        return 0;
    }
    /* The points statistically tied with the best: the same seeds, so the differences are
     * paired and their interval is narrower than the points' own. */
    double *x = af_malloc_array(p->reps, sizeof *x);
    bool spread = false; /* some paired difference varies between replications */
    for (size_t i = 0; i < g->npoints && !spread; i++)
        for (size_t r = 1; i != best && p->pts[i].pass && r < p->reps && !spread; r++)
            spread = p->pts[i].obj[r] - p->pts[best].obj[r] != p->pts[i].obj[0] - p->pts[best].obj[0];
    if (!spread) {
        af_free(x);
        printf("tied: not judged (every replication gave the same differences: nothing random "
               "moves %s here, so any difference is real)\n",
               p->obj);
        return 0;
    }
    printf("tied (the 95%% interval of the paired difference from the best holds 0):");
    size_t nt = 0;
    for (size_t i = 0; i < g->npoints; i++) {
        if (i == best || !p->pts[i].pass)
            continue;
        for (size_t r = 0; r < p->reps; r++)
            x[r] = p->pts[i].obj[r] - p->pts[best].obj[r];
        af_sweep_stat st;
        af_sweep_ci(x, p->reps, PLAN_LEVEL, &st);
        if (st.lo <= 0 && st.hi >= 0) {
            char *label = af_sweep_grid_label(g, i);
            printf("%s %s", nt++ ? ";" : "", label);
            af_free(label);
        }
    }
    printf("%s\n", nt ? "" : " none");
    af_free(x);
    return 0;
}

/* ---- The command ---------------------------------------------------------------------------- */

/* Opens the results store and finds (or records) the sweep of this grid; fills p->stored. */
static int plan_open_store(plan *p, const char *db, const af_cli_scenario *base,
                           const af_cli_scenario_opts *opts)
{
    af_diag *d = p->c->d;
    int src = af_store_open(db, true, &p->store, d);
    if (src != AF_OK)
        return src == AF_EINPUT ? 2 : 1;
    if (af_store_read_file(p->file, &p->text, &p->text_len, d) != AF_OK)
        return 1;
    /* The same text `aifsim sweep` records, so each takes the other's runs. */
    char *spec = af_sweep_grid_spec(p->grid);
    for (size_t k = 0; k < opts->nsets; k++) {
        char *u = af_strfmt("%s%s--set %s", spec, *spec ? "; " : "", opts->sets[k].arg);
        af_free(spec);
        spec = u;
    }
    af_store_sweep key = {.scenario = base->cfg.name,
                          .scenario_file = p->file,
                          .scenario_hash = base->scenario_hash,
                          .catalog_hash = base->catalog_hash,
                          .spec = spec,
                          .points = (int64_t)p->grid->npoints,
                          .replications = (int64_t)p->reps};
    int rc = af_store_sweep_find(p->store, &key, &p->sweep_id, d);
    if (rc == AF_OK && p->sweep_id == 0)
        rc = af_store_sweep_add(p->store, &key, &p->sweep_id, d);
    af_free(spec);
    if (rc != AF_OK)
        return 1;
    size_t nruns = p->grid->npoints * p->reps;
    p->stored = af_calloc(nruns, sizeof *p->stored);
    if (af_store_sweep_runs(p->store, p->sweep_id, (int64_t)p->grid->npoints, (int64_t)p->reps,
                            p->stored, d) != AF_OK)
        return 1;
    size_t n = 0;
    for (size_t i = 0; i < nruns; i++)
        n += p->stored[i] != 0;
    if (n)
        fprintf(stderr, "aifsim: plan: sweep %" PRId64 " in %s holds %zu of the grid's %zu runs; "
                        "they are taken, not run again\n",
                p->sweep_id, db, n, nruns);
    return 0;
}

int af_cmd_plan(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "plan");
    af_diag *d = c.d;
    int rc = 2;
    const char *file = NULL, *maximize = NULL, *minimize = NULL, *db = NULL;
    bool quiet = false, exhaustive = false, progress = false, no_progress = false;
    unsigned jobs = 0;
    size_t reps = 1;
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
    p.most = AF_SEARCH_NONE;
    const char *show[AF_GOAL_MAX];
    af_dim show_dim[AF_GOAL_MAX];
    p.show = show;
    p.show_dim = show_dim;

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
        } else if ((v = af_cli_take(argc, argv, &i, "--db", &missing))) {
            db = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--show", &missing))) {
            const af_metric_def *m = af_metric_of_name(v);
            if (!m || m->text)
                af_diag_error(d, "--show %s: expected a numeric metric, e.g. train.NAME.gpus; see "
                                 "`aifsim metrics`",
                              v);
            else if (p.nshow < AF_GOAL_MAX) {
                p.show[p.nshow] = v;
                p.show_dim[p.nshow++] = m->dim;
            } else
                af_diag_error(d, "--show: more than %d metrics", AF_GOAL_MAX);
        } else if (af_cli_take_jobs(argc, argv, &i, &jobs, &missing, d) ||
                   af_cli_take_reps(argc, argv, &i, PLAN_MAX_REPS, &reps, &missing, d)) {
            /* -j N, --replications N */
        } else if (strcmp(argv[i], "--exhaustive") == 0) {
            exhaustive = true;
        } else if (strcmp(argv[i], "--progress") == 0) {
            progress = true;
        } else if (strcmp(argv[i], "--no-progress") == 0) {
            no_progress = true;
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else {
            af_cli_one_file(&c, argv[i], missing, &file);
        }
        if (missing)
            af_cli_missing_value(&c, argv[i]);
    }
    af_cli_need_file(&c, file);
    if (grid.naxes == 0 && af_diag_errors(d) == 0)
        af_diag_error(d, "`aifsim plan` needs a --vary PATH=VALUES, e.g. --vary "
                         "storage.hot.nodes=1..64");
    /* The objective: a cost to minimize (monotone), or a metric's optimum. */
    const af_metric_def *odef = NULL;
    p.obj_sign = -1;
    if (maximize) {
        for (size_t a = 0; a < grid.naxes; a++)
            if (strcmp(grid.axes[a].path, maximize) == 0)
                p.most = a;
        if (p.most == AF_SEARCH_NONE && grid.naxes) {
            odef = af_metric_of_name(maximize);
            if (!odef || odef->text)
                af_diag_error(d,
                              "--maximize %s: neither a varied field nor a numeric metric; "
                              "expected one of the --vary paths (%s%s) or a metric such as "
                              "train.NAME.goodput (see `aifsim metrics`)",
                              maximize, grid.axes[0].path, grid.naxes > 1 ? ", ..." : "");
            p.obj = maximize;
            p.obj_sign = 1;
        }
    }
    const af_metric_def *cdef = af_metric_of_name(PLAN_COST);
    p.cost = PLAN_COST;
    if (minimize) {
        const af_metric_def *m = af_metric_of_name(minimize);
        if (!m || m->text)
            af_diag_error(d,
                          "--minimize %s: expected a numeric metric, e.g. cost.tco or "
                          "train.NAME.time_per_step; see `aifsim metrics`",
                          minimize);
        else if (strcmp(m->group, "cost") == 0) {
            cdef = m;
            p.cost = minimize;
        } else if (p.obj || p.most != AF_SEARCH_NONE) {
            af_diag_error(d, "--minimize %s with --maximize %s: give one thing to optimize",
                          minimize, maximize);
        } else {
            odef = m;
            p.obj = minimize;
        }
    }
    /* Every point runs for an optimum or --exhaustive: the same bound as a sweep's. */
    if (af_diag_errors(d) == 0 && (odef || exhaustive) &&
        (double)grid.npoints * (double)reps > AF_CLI_MAX_RUNS)
        af_diag_error(d, "%zu points x %zu replications: more than the %d runs a plan may make",
                      grid.npoints, reps, AF_CLI_MAX_RUNS);
    if (goals.n == 0 && !odef && af_diag_errors(d) == 0)
        af_diag_error(d, "`aifsim plan` needs a --goal (e.g. --goal "
                         "'train.llm.gpu_utilization >= 90%%') or a metric to --maximize or "
                         "--minimize");
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
    p.reps = reps;
    p.goals = &goals;
    p.cost_dim = cdef->dim;
    if (odef) {
        p.mode = PLAN_OPTIMUM;
        p.obj_dim = odef->dim;
    } else {
        p.obj = p.cost;
        p.obj_dim = p.cost_dim;
        p.mode = exhaustive ? PLAN_FULL : grid.naxes == 1 ? PLAN_SEARCH : PLAN_PRUNED;
    }
    p.quiet = quiet;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    p.nthreads = jobs ? jobs : cpus > 0 ? (unsigned)cpus : 1;
    if (af_cli_axes_init(&p.axes, &grid, d) != AF_OK)
        goto done;
    if (af_cli_scenario_load(&base, file, cat, opts.sets, opts.nsets, d) != 0)
        goto done;
    /* Every value when every point runs; a search checks the ends now and any other value when
     * its turn comes (plan_take). */
    if (af_cli_axes_check(&p.axes, file, cat, opts.sets, opts.nsets,
                          p.mode == PLAN_FULL || p.mode == PLAN_OPTIMUM, d) > 0)
        goto done;
    if (db && (rc = plan_open_store(&p, db, &base, &opts)) != 0)
        goto done;
    rc = 2;
    p.pts = af_calloc(grid.npoints, sizeof *p.pts);
    p.batch = af_malloc_array(grid.npoints, sizeof *p.batch);
    p.evaluated = af_malloc_array(grid.npoints, sizeof *p.evaluated);
    af_cli_progress_init(&p.prog, progress, no_progress);
    af_cli_sigint_catch();
    switch (p.mode) {
    case PLAN_SEARCH:
        rc = plan_search(&p, p.most == 0);
        break;
    case PLAN_PRUNED:
        rc = plan_pruned(&p);
        break;
    case PLAN_FULL:
    case PLAN_OPTIMUM:
        rc = plan_full(&p);
        break;
    }
    af_cli_sigint_release();
    if (p.refused && p.refused == p.runs && rc == 1) {
        /* Nothing could run: more likely a mistake than a plan. */
        for (size_t i = 0; i < grid.npoints; i++)
            if (p.pts[i].refused) {
                af_diag_error(d, "every configuration tried was refused, the first with: %s",
                              p.pts[i].refused);
                break;
            }
        rc = 2;
    }
    if (p.missing)
        af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL,
                    "%zu runs had no metric %s; their points count as failing", p.missing,
                    p.missing_name);
    if (rc == PLAN_INTERRUPTED)
        af_diag_error(d, "interrupted after %zu runs%s%s%s", p.runs,
                      db ? "; the runs that finished are in " : "", db ? db : "",
                      db ? ": the same command takes them and goes on" : "");
    if (rc == AF_OK && af_cli_check_stdout(&c) != AF_OK)
        rc = 1;

done:
    for (size_t i = 0; p.pts && i < grid.npoints; i++) {
        af_free(p.pts[i].mean);
        af_free(p.pts[i].lo);
        af_free(p.pts[i].hi);
        af_free(p.pts[i].holds);
        af_free(p.pts[i].obj);
        af_free(p.pts[i].refused);
    }
    af_free(p.pts);
    af_free(p.batch);
    af_free(p.evaluated);
    af_free(p.stored);
    af_free(p.missing_name);
    af_free(p.text);
    af_store_close(p.store);
    if (p.axes.grid)
        af_cli_axes_fini(&p.axes);
    af_cli_scenario_fini(&base);
    af_catalog_free(cat);
    af_cli_scenario_opts_fini(&opts);
    af_sweep_grid_fini(&grid);
    af_goals_fini(&goals);
    return af_cli_finish(&c, rc);
}
