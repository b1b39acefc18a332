/*
 * plan/sweep: many runs of one scenario, as `aifsim sweep` and `aifsim plan` make them (across
 * MPI ranks: plan/sweep_mpi.h, same contract). Three independent pieces, none of which knows how
 * a run is made:
 *
 *   the grid         every --vary PATH=VALUES is an axis: a list ("2,4,8", "30 min,1 h"), a linear
 *                    range ("2..32:2") or a logarithmic one ("1..64x2"); the points are every
 *                    combination of one value per axis, the last axis varying fastest. A varied
 *                    value is nothing but the text of a --set: the scenario layer parses it
 *                    with the field's unit, so values may carry units ("1 h", "200 GB/s").
 *   the executor     runs jobs 0..n-1 on N threads through a caller's function and hands every
 *                    finished job to one consumer on the calling thread, in ascending job order
 *                    (af_sweep_exec). The consumer is the only one that writes (a database, a
 *                    table), so a job's output is committed whole or not at all, and the output
 *                    is the same whatever N is: the same jobs, the same order.
 *   replications     seeds derived from the scenario's seed and the replication index
 *                    (af_sweep_seed) and the mean with a Student-t confidence interval of each
 *                    metric over the replications (af_sweep_ci).
 *
 * Determinism: a job's result may depend only on the job (its point, its replication's seed),
 * never on the thread that ran it or on when; the executor shares nothing between jobs. The
 * engine, model and world code a job runs are re-entrant (no mutable static state; the one
 * process-wide GSL setting they touch, the error handler, is switched under a lock, see
 * model/reliability.c).
 *
 * Layering: base/ only (threads from POSIX).
 */
#ifndef AF_PLAN_SWEEP_H
#define AF_PLAN_SWEEP_H

#include "base/diag.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- The grid -------------------------------------------------------------------------------- */

/* Most points a grid may have (the product of its axes' lengths). */
#define AF_SWEEP_MAX_POINTS 100000
/* Most axes (--vary options) of a grid. */
#define AF_SWEEP_MAX_AXES 16

/* One varied field. */
typedef struct af_sweep_axis {
    char *path;    /* the scenario path, "storage.hot.nodes" (owned) */
    char **values; /* its n values as --set texts ("4", "30 min"), in order (owned) */
    size_t n;      /* number of values, >= 1 */
    char *unit;    /* the unit text every value shares ("min", "" for bare numbers), or NULL
                    * when the values are not all numbers of one unit (owned) */
    double *x;     /* with a unit: each value's number in that unit, for charts (owned); NULL
                    * otherwise */
} af_sweep_axis;

/* The axes and the points they span. */
typedef struct af_sweep_grid {
    af_sweep_axis *axes; /* owned */
    size_t naxes;
    size_t npoints; /* product of the axes' lengths (1 without axes) */
} af_sweep_grid;

void af_sweep_grid_init(af_sweep_grid *g);
void af_sweep_grid_fini(af_sweep_grid *g);

/* Parses one --vary argument "PATH=VALUES" and appends its axis. VALUES is
 *   a list       "2,4,8", "30 min,1 h" (items trimmed; none may be empty),
 *   a linear range  "LO..HI:STEP" (LO, LO + STEP, ... up to HI; "LO..HI" steps by 1),
 *   a log range     "LO..HIxF" (LO, LO F, LO F^2, ... up to HI; F > 1, LO > 0),
 * where a range's LO, HI and STEP are numbers that may carry one unit, the same on each
 * ("30 min..2 h" is refused: write "30 min..120 min:30 min"). Range values are printed with 12
 * significant digits ("0.3", not 0.30000000000000004). Returns AF_OK, or AF_EINPUT with a message
 * in d that names the argument and what was expected, and the grid unchanged: a missing '=', an
 * empty path, a path varied twice, a malformed range, a range or grid over AF_SWEEP_MAX_POINTS
 * points, more than AF_SWEEP_MAX_AXES axes. */
int af_sweep_grid_add(af_sweep_grid *g, const char *arg, af_diag *d);

/* The index into each axis' values of point p (< g->npoints), into idx[0..naxes-1]: the last
 * axis varies fastest. */
void af_sweep_grid_index(const af_sweep_grid *g, size_t p, size_t *idx);

/* The value of axis a at point p (borrowed from the grid). */
const char *af_sweep_grid_value(const af_sweep_grid *g, size_t p, size_t a);

/* "PATH=VALUE, PATH=VALUE" of point p, a new string (af_free). */
char *af_sweep_grid_label(const af_sweep_grid *g, size_t p);

/* The grid as one canonical text, a new string (af_free): every axis as "PATH=V1,V2,..." joined
 * by "; ". Two --vary spellings of the same values ("2..8x2" and "2,4,8") give the same text. */
char *af_sweep_grid_spec(const af_sweep_grid *g);

/* ---- Replications ---------------------------------------------------------------------------- */

/* The seed of replication rep (0-based) of a run whose scenario seed is seed: rep 0 runs with
 * the scenario's own seed, rep k > 0 with a SplitMix64 mix of seed and k (Steele, Lea and Flood,
 * "Fast splittable pseudorandom number generators", OOPSLA 2014), so the replications of every
 * point are the same seeds, and the streams of different replications are unrelated. */
uint64_t af_sweep_seed(uint64_t seed, size_t rep);

/* The mean of n values and its confidence interval at `level` (0.95): mean -+ t s / sqrt(n) with
 * s the sample standard deviation and t the (1 + level) / 2 quantile of Student's t with n - 1
 * degrees of freedom (gsl_cdf_tdist_Pinv). */
typedef struct af_sweep_stat {
    double mean; /* NaN when a value is NaN or n is 0 */
    double sd;   /* sample standard deviation; NaN when n < 2 */
    double lo;   /* mean - half width; NaN when n < 2 */
    double hi;   /* mean + half width; NaN when n < 2 */
} af_sweep_stat;

void af_sweep_ci(const double *x, size_t n, double level, af_sweep_stat *out);

/* ---- The executor ---------------------------------------------------------------------------- */

/* The status a job's run returns when it stopped early because *stop was set: its result is
 * dropped, never taken. */
#define AF_SWEEP_CUT (-1)

/* What the executor calls. */
typedef struct af_sweep_ops {
    void *ctx; /* passed to every call */
    /* On a worker thread: runs job j into *result (any pointer, owned by the caller's code).
     * Must be safe to call from several threads at once for different jobs. stop is set when
     * the sweep is stopping: a long run should check it and return AF_SWEEP_CUT. Returns a
     * status the consumer receives (AF_OK, or an error code of the caller's). */
    int (*run)(void *ctx, size_t j, const atomic_bool *stop, void **result);
    /* On the calling thread, in ascending j, once per finished job not cut: consumes (and
     * releases) the result. Returns AF_OK to go on, anything else to stop the sweep (the result
     * is released by take all the same). */
    int (*take)(void *ctx, size_t j, int status, void *result);
    /* On the calling thread: releases a result that will not be taken (a job cut short, or
     * finished after take failed). */
    void (*drop)(void *ctx, size_t j, void *result);
    /* On the calling thread about every tick_s while it waits (may be NULL): progress, with the
     * jobs taken so far of njobs. Returns false to stop the sweep (Ctrl-C). */
    bool (*tick)(void *ctx, size_t taken, size_t njobs);
    double tick_s; /* s between ticks (<= 0: 0.25 s) */
    /* Only for af_sweep_mpi_exec across ranks (NULL otherwise): on a worker rank, turns job j's
     * result into bytes, a new buffer (af_malloc) of *size_B bytes, and releases the result; on
     * rank 0, rebuilds the result from those bytes into *result and returns AF_OK, or returns
     * AF_EIO with *result untouched when they are malformed (unpack does not own bytes). */
    unsigned char *(*pack)(void *ctx, size_t j, void *result, size_t *size_B);
    int (*unpack)(void *ctx, size_t j, const unsigned char *bytes, size_t size_B, void **result);
} af_sweep_ops;

/* Runs jobs 0..njobs-1 on nthreads worker threads (>= 1) and passes each finished one to
 * ops->take in ascending order. Workers run at most a window of jobs ahead of the next one to
 * take (4 per thread, at least 16), so the results held at once stay bounded when a job is slow.
 *
 * Stopping: when tick returns false, stop is set for the running jobs, no job starts any more,
 * and once the workers are done every job that finished (not cut) is taken, in ascending order
 * (so none that finished is lost; the missing ones leave gaps). When take fails, the sweep
 * stops the same way but nothing more is taken. Returns AF_OK when every job was taken,
 * AF_SWEEP_CUT when tick stopped the sweep, or take's status when take failed; *taken (may be
 * NULL) is the number of jobs taken. A thread that cannot be created is reported in d (AF_EIO)
 * when none could; with fewer, the sweep goes on with those. */
int af_sweep_exec(size_t njobs, unsigned nthreads, const af_sweep_ops *ops, size_t *taken,
                  af_diag *d);

#endif
