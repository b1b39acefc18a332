/*
 * cli/batch: what the commands that run one scenario many times share (`sweep`, `plan`,
 * `sensitivity`): each run is a job on af_sweep_exec's threads (plan/sweep.h), made of the
 * scenario with --set overrides and a replication's seed; the commands differ only in which
 * jobs they make and what they do with the results.
 *
 *   axes       the parsed --set of every value of every --vary axis, and a point's overrides;
 *   jobs       load, seed (af_sweep_seed), sample series when a store wants them, run with a
 *              stop flag the engine polls (so Ctrl-C cuts a long run short), and hand the
 *              messages on;
 *   Ctrl-C     a handler that only sets a flag, the first time (a second Ctrl-C quits at once);
 *   progress   one line on standard error: rewritten in place on a terminal (four times a
 *              second, after the first second, cut to the terminal's width), a line a second
 *              otherwise when asked for (--progress);
 *   options    --replications N.
 *
 * Layering: cli/.
 */
#ifndef AF_CLI_BATCH_H
#define AF_CLI_BATCH_H

#include "cli/scenario_run.h"

#include "base/diag.h"
#include "base/metrics.h"
#include "plan/sweep.h"
#include "scenario/scenario.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most runs (points x replications) one command may make. */
#define AF_CLI_MAX_RUNS 1000000

/* ---- Axes ----------------------------------------------------------------------------------- */

typedef struct af_cli_axes {
    const af_sweep_grid *grid; /* borrowed */
    af_scenario_set **sets;    /* [axis][value]: the parsed "PATH=VALUE" */
    char ***args;              /* the texts they borrow (owned) */
} af_cli_axes;

/* Parses every value of every axis of g as a --set. Returns AF_OK, or AF_EINPUT with the
 * mistakes in d (each with a note naming its --vary). Release with af_cli_axes_fini either way. */
int af_cli_axes_init(af_cli_axes *a, const af_sweep_grid *g, af_diag *d);
void af_cli_axes_fini(af_cli_axes *a);

/* The overrides of point p: its value of each axis, then the ncommon common ones (so a --set of
 * a field inside a varied one applies at every point; af_cli_axes_check refuses one that would
 * override the axis); a new array (af_free) of *n sets that borrow from a and common. */
af_scenario_set *af_cli_axes_point(const af_cli_axes *a, size_t p, const af_scenario_set *common,
                                   size_t ncommon, size_t *n);

/* Checks the axes' values by loading the scenario with each value and then the ncommon common
 * overrides (as a point applies them): every value, or with every false only each axis' first
 * and last (a search runs few of them; a value of the others that does not load stops it when
 * its turn comes). A value the field does not take ("6x", 0 nodes) is an error naming the
 * --vary, as is a common --set that overrides a varied field (by another path, storage[0].nodes
 * for storage.hot.nodes, or by replacing what holds it); a --set of a field inside a varied one
 * (facility.pue under --vary facility=...) applies at every point. A configuration that loads
 * but cannot be built (data that do not fit) is left to the runs. Returns the number of
 * mistakes (at most about 10 are reported). */
size_t af_cli_axes_check(const af_cli_axes *a, const char *file, const af_catalog *cat,
                         const af_scenario_set *common, size_t ncommon, bool every,
                         af_diag *d);

/* ---- Jobs ----------------------------------------------------------------------------------- */

/* One run, made on a worker thread and consumed on the calling one. */
typedef struct af_cli_job {
    af_cli_scenario sc; /* loaded and run: sc.res (NULL when the load or the run failed) */
    af_diag *d;         /* its messages */
    uint64_t seed;      /* the seed it ran with */
    bool loaded;        /* the scenario loaded with the overrides (a failure after is the run's) */
} af_cli_job;

af_cli_job *af_cli_job_new(void);
void af_cli_job_free(af_cli_job *j);

/* Loads file with the nsets overrides, seeds it with replication rep's seed, samples time
 * series when series is set, and runs it; the engine polls stop and the run stops early once it
 * is set. Returns the exit status of the load or the run (0, 1, 2), or AF_SWEEP_CUT when stop
 * cut it short (its result is then to be dropped). */
int af_cli_job_run(af_cli_job *j, const char *file, const af_catalog *cat,
                   const af_scenario_set *sets, size_t nsets, size_t rep, bool series,
                   const atomic_bool *stop);

/* The engine's poll (af_world_monitor) for a run that stops once the atomic_bool at ctx is set:
 * checked every 8192 events. */
uint64_t af_cli_stop_poll(void *ctx, double t_s, double end_s, uint64_t events);

/* Copies the job's messages into d. */
void af_cli_job_messages(const af_cli_job *j, af_diag *d);

/* The error for a metric name the runs do not have, with the nearest one they do have: "OPT:
 * the runs have no metric NAME (...); did you mean ...?" (opt may be NULL). */
void af_cli_missing_metric(af_diag *d, const char *opt, const af_results *res, const char *name,
                           const char *file);

/* ---- Ctrl-C --------------------------------------------------------------------------------- */

/* Catches SIGINT (unless it is ignored, as in a background job of a shell without job control)
 * until af_cli_sigint_release; af_cli_sigint_caught says whether it came. */
void af_cli_sigint_catch(void);
bool af_cli_sigint_caught(void);
/* Puts the old handler back, unless SIGINT came (then a second one already quits at once). */
void af_cli_sigint_release(void);

/* ---- Progress ------------------------------------------------------------------------------- */

typedef struct af_cli_progress {
    bool show;      /* shown at all */
    bool tty;       /* standard error is a terminal: the line is rewritten in place */
    double start_s; /* wall clock at the start, s */
    double shown_s; /* when it was last shown, s */
    size_t width;   /* columns of the line on the terminal now */
} af_cli_progress;

/* The monotonic wall clock, s. */
double af_cli_wall_s(void);

/* Shown on a terminal, or always with force, never with never. */
void af_cli_progress_init(af_cli_progress *p, bool force, bool never);
/* Whether it is time to show the line again. */
bool af_cli_progress_due(const af_cli_progress *p, double now_s);
/* Shows line (rewriting the last one on a terminal). */
void af_cli_progress_show(af_cli_progress *p, const char *line, double now_s);
/* Clears the line on a terminal, before other output. */
void af_cli_progress_clear(af_cli_progress *p);

/* ---- Options -------------------------------------------------------------------------------- */

/* Takes argv[*i] if it is --replications N (advancing *i) and returns true: *reps gets N, or d
 * an error when it is not a whole number from 1 to max; without a value, *missing is set. */
bool af_cli_take_reps(int argc, char **argv, int *i, size_t max, size_t *reps, bool *missing,
                      af_diag *d);

#endif
