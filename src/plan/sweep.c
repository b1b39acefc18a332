/*
 * plan/sweep: the grid, replications and the threaded executor of a sweep; see sweep.h.
 *
 * The executor. One mutex guards the job table: each job's state (waiting, running, finished),
 * status and result, the next job to hand out and the next one to take. A worker takes the next
 * job that is within the window, runs it unlocked, stores its result and signals the taker; the
 * taker (the calling thread) waits on a condition variable with a timeout of tick_s, so that
 * it can show progress and notice Ctrl-C, and takes finished jobs in order, unlocked. Nothing is
 * allocated per job beyond the job table, made once.
 */
#include "plan/sweep.h"

#include "base/alloc.h"

#include <gsl/gsl_cdf.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- The grid -------------------------------------------------------------------------------- */

void af_sweep_grid_init(af_sweep_grid *g)
{
    g->axes = NULL;
    g->naxes = 0;
    g->npoints = 1;
}

static void sweep_axis_fini(af_sweep_axis *a)
{
    for (size_t i = 0; i < a->n; i++)
        af_free(a->values[i]);
    af_free(a->values);
    af_free(a->path);
    af_free(a->unit);
    af_free(a->x);
    memset(a, 0, sizeof *a);
}

void af_sweep_grid_fini(af_sweep_grid *g)
{
    for (size_t i = 0; i < g->naxes; i++)
        sweep_axis_fini(&g->axes[i]);
    af_free(g->axes);
    af_sweep_grid_init(g);
}

/* A copy of [s, e) without leading and trailing blanks. */
static char *sweep_trim(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    return af_strndup(s, (size_t)(e - s));
}

/* Reads "NUMBER [UNIT]" from text: *v and the unit text (a new string, "" without one). False
 * when it does not start with a finite number. */
static bool sweep_number(const char *text, double *v, char **unit)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    /* strtod would take "inf", "nan" and hexadecimal; a value is decimal. */
    if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '+'))
        return false;
    char *end;
    errno = 0;
    double x = strtod(p, &end);
    if (end == p || errno == ERANGE || !isfinite(x))
        return false;
    for (const char *q = p; q < end; q++)
        if (*q == 'x' || *q == 'X' || *q == 'p' || *q == 'P')
            return false;
    *v = x;
    *unit = sweep_trim(end, end + strlen(end));
    return true;
}

/* v with its unit, as a --set value: "%.12g" and " unit" when there is one. */
static char *sweep_format(double v, const char *unit)
{
    if (v == 0)
        v = 0; /* no "-0" */
    return *unit ? af_strfmt("%.12g %s", v, unit) : af_strfmt("%.12g", v);
}

/* The axis' numeric view: when every value is a number of one unit, that unit and the numbers. */
static void sweep_axis_numbers(af_sweep_axis *a)
{
    double *x = af_malloc_array(a->n, sizeof *x);
    char *unit = NULL;
    for (size_t i = 0; i < a->n; i++) {
        char *u = NULL;
        if (!sweep_number(a->values[i], &x[i], &u) || (unit && strcmp(u, unit) != 0)) {
            af_free(u);
            af_free(unit);
            af_free(x);
            return;
        }
        if (!unit)
            unit = u;
        else
            af_free(u);
    }
    a->unit = unit;
    a->x = x;
}

#define SWEEP_RANGE_HINT "e.g. 2..32:2 (linear), 1..64x2 (by a factor) or 2,4,8 (a list)"

/* Parses the range "LO..HI[:STEP|xF]" into a's values. */
static int sweep_range(const char *arg, const char *path, const char *vals, af_sweep_axis *a,
                       size_t room, af_diag *d)
{
    const char *dots = strstr(vals, "..");
    const char *tail = dots + 2;
    const char *sep = strchr(tail, ':');
    bool factor = false;
    if (!sep) {
        sep = strrchr(tail, 'x');
        factor = sep != NULL;
    }
    char *slo = sweep_trim(vals, dots);
    char *shi = sweep_trim(tail, sep ? sep : tail + strlen(tail));
    char *sst = sep ? sweep_trim(sep + 1, sep + 1 + strlen(sep + 1)) : af_strdup("1");
    char *ulo = NULL, *uhi = NULL, *ust = NULL;
    double lo, hi, st;
    int rc = AF_EINPUT;
    if (!sweep_number(slo, &lo, &ulo) || !sweep_number(shi, &hi, &uhi)) {
        af_diag_error(d, "--vary %s: %s: expected a range of numbers, %s", arg, path,
                      SWEEP_RANGE_HINT);
        goto done;
    }
    if (!sweep_number(sst, &st, &ust)) {
        af_diag_error(d, "--vary %s: %s: expected a number after \"%s\", got \"%s\" (%s)", arg,
                      path, factor ? "x" : ":", sst, SWEEP_RANGE_HINT);
        goto done;
    }
    if (strcmp(ulo, uhi) != 0 || (*ust && (factor || strcmp(ust, ulo) != 0))) {
        af_diag_error(d,
                      "--vary %s: %s: expected one unit on both ends%s, got \"%s\" and \"%s\" "
                      "(e.g. 30 min..120 min:30 min)",
                      arg, path, factor ? " and a bare factor" : " and the step", ulo,
                      factor && *ust ? ust : uhi);
        goto done;
    }
    if (hi < lo) {
        af_diag_error(d, "--vary %s: %s: the range ends below its start (%s < %s)", arg, path, shi,
                      slo);
        goto done;
    }
    double count;
    if (factor) {
        if (!(st > 1) || !(lo > 0)) {
            af_diag_error(d,
                          "--vary %s: %s: a range by a factor needs a start above 0 and a factor "
                          "above 1, e.g. 1..64x2",
                          arg, path);
            goto done;
        }
        count = floor(log(hi / lo) / log(st) + 1e-9) + 1;
    } else {
        if (!(st > 0)) {
            af_diag_error(d, "--vary %s: %s: expected a step above 0, e.g. 2..32:2", arg, path);
            goto done;
        }
        count = floor((hi - lo) / st + 1e-9) + 1;
    }
    if (!(count <= (double)room)) {
        af_diag_error(d, "--vary %s: %s: %.0f values, more than the %d points a sweep may have",
                      arg, path, count, AF_SWEEP_MAX_POINTS);
        goto done;
    }
    a->n = (size_t)count;
    a->values = af_calloc(a->n, sizeof *a->values);
    for (size_t k = 0; k < a->n; k++) {
        double v = factor ? lo * pow(st, (double)k) : lo + (double)k * st;
        a->values[k] = sweep_format(v, ulo);
    }
    rc = AF_OK;
done:
    af_free(slo);
    af_free(shi);
    af_free(sst);
    af_free(ulo);
    af_free(uhi);
    af_free(ust);
    return rc;
}

int af_sweep_grid_add(af_sweep_grid *g, const char *arg, af_diag *d)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        af_diag_error(d, "--vary %s: expected PATH=VALUES, e.g. storage.hot.nodes=2,4,8", arg);
        return AF_EINPUT;
    }
    if (g->naxes >= AF_SWEEP_MAX_AXES) {
        af_diag_error(d, "--vary %s: a sweep varies at most %d fields", arg, AF_SWEEP_MAX_AXES);
        return AF_EINPUT;
    }
    af_sweep_axis a = {.path = sweep_trim(arg, eq)};
    const char *vals = eq + 1;
    for (size_t i = 0; i < g->naxes; i++)
        if (strcmp(g->axes[i].path, a.path) == 0) {
            af_diag_error(d, "--vary %s: %s is varied twice; give all its values in one --vary",
                          arg, a.path);
            goto fail;
        }
    size_t room = AF_SWEEP_MAX_POINTS / g->npoints;
    if (strstr(vals, "..")) {
        if (sweep_range(arg, a.path, vals, &a, room, d) != AF_OK)
            goto fail;
    } else {
        size_t cap = 0;
        const char *p = vals;
        for (;;) {
            const char *comma = strchr(p, ',');
            const char *end = comma ? comma : p + strlen(p);
            char *v = sweep_trim(p, end);
            if (!*v) {
                af_diag_error(d, "--vary %s: %s: expected a value %s, e.g. %s=2,4,8", arg, a.path,
                              a.n == 0 && !comma ? "after '='" : "between the commas", a.path);
                af_free(v);
                goto fail;
            }
            a.values = af_grow(a.values, &cap, a.n + 1, sizeof *a.values);
            a.values[a.n++] = v;
            if (!comma)
                break;
            p = comma + 1;
        }
        if (a.n > room) {
            af_diag_error(d, "--vary %s: %s: %zu values, more than the %d points a sweep may have",
                          arg, a.path, a.n, AF_SWEEP_MAX_POINTS);
            goto fail;
        }
    }
    if (a.n > room || g->npoints * a.n > AF_SWEEP_MAX_POINTS) {
        af_diag_error(d,
                      "--vary %s: the grid would have %zu x %zu points, more than the %d a "
                      "sweep may have",
                      arg, g->npoints, a.n, AF_SWEEP_MAX_POINTS);
        goto fail;
    }
    sweep_axis_numbers(&a);
    g->axes = af_realloc_array(g->axes, g->naxes + 1, sizeof *g->axes);
    g->axes[g->naxes++] = a;
    g->npoints *= a.n;
    return AF_OK;
fail:
    sweep_axis_fini(&a);
    return AF_EINPUT;
}

void af_sweep_grid_index(const af_sweep_grid *g, size_t p, size_t *idx)
{
    for (size_t a = g->naxes; a-- > 0;) {
        idx[a] = p % g->axes[a].n;
        p /= g->axes[a].n;
    }
}

const char *af_sweep_grid_value(const af_sweep_grid *g, size_t p, size_t a)
{
    size_t div = 1;
    for (size_t b = g->naxes; b-- > a + 1;)
        div *= g->axes[b].n;
    return g->axes[a].values[(p / div) % g->axes[a].n];
}

char *af_sweep_grid_label(const af_sweep_grid *g, size_t p)
{
    char *s = af_strdup("");
    for (size_t a = 0; a < g->naxes; a++) {
        char *t =
            af_strfmt("%s%s%s=%s", s, a ? ", " : "", g->axes[a].path, af_sweep_grid_value(g, p, a));
        af_free(s);
        s = t;
    }
    return s;
}

char *af_sweep_grid_spec(const af_sweep_grid *g)
{
    size_t len = 1;
    for (size_t a = 0; a < g->naxes; a++) {
        len += strlen(g->axes[a].path) + 3;
        for (size_t k = 0; k < g->axes[a].n; k++)
            len += strlen(g->axes[a].values[k]) + 1;
    }
    char *s = af_malloc_array(len, 1);
    char *o = s;
    for (size_t a = 0; a < g->naxes; a++) {
        o += sprintf(o, "%s%s=", a ? "; " : "", g->axes[a].path);
        for (size_t k = 0; k < g->axes[a].n; k++)
            o += sprintf(o, "%s%s", k ? "," : "", g->axes[a].values[k]);
    }
    *o = '\0';
    return s;
}

/* ---- Replications ---------------------------------------------------------------------------- */

uint64_t af_sweep_seed(uint64_t seed, size_t rep)
{
    if (rep == 0)
        return seed;
    uint64_t z = seed + (uint64_t)rep * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void af_sweep_ci(const double *x, size_t n, double level, af_sweep_stat *out)
{
    out->mean = out->sd = out->lo = out->hi = NAN;
    if (n == 0)
        return;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double mean = sum / (double)n;
    out->mean = mean;
    if (n < 2 || isnan(mean))
        return;
    /* Two passes (the mean first): the sum of squares about the mean, without the cancellation
     * of sum x^2 - n mean^2. */
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    double sd = sqrt(ss / (double)(n - 1));
    double t = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(n - 1));
    double half = t * sd / sqrt((double)n);
    out->sd = sd;
    out->lo = mean - half;
    out->hi = mean + half;
}

/* ---- The executor ---------------------------------------------------------------------------- */

enum { SWEEP_WAITING, SWEEP_RUNNING, SWEEP_FINISHED };

typedef struct sweep_job {
    unsigned char state; /* SWEEP_WAITING, _RUNNING, _FINISHED */
    int status;          /* run's status, once finished */
    void *result;        /* run's result, once finished, until taken or dropped */
} sweep_job;

typedef struct sweep_exec {
    const af_sweep_ops *ops;
    size_t njobs;
    sweep_job *jobs;     /* njobs */
    size_t next_run;     /* the next job to hand out */
    size_t next_take;    /* the next job to take */
    size_t window;       /* jobs handed out at most this far past next_take */
    size_t running;      /* jobs being run */
    atomic_bool stop;    /* the sweep is stopping: no new job, running ones may cut short */
    pthread_mutex_t mu;  /* guards everything above but ops, njobs, window and stop */
    pthread_cond_t work; /* a worker may find a job: the window moved, or stop */
    pthread_cond_t done; /* a job finished */
} sweep_exec;

static void *sweep_worker(void *arg)
{
    sweep_exec *x = arg;
    pthread_mutex_lock(&x->mu);
    for (;;) {
        while (!atomic_load(&x->stop) && x->next_run < x->njobs &&
               x->next_run >= x->next_take + x->window)
            pthread_cond_wait(&x->work, &x->mu);
        if (atomic_load(&x->stop) || x->next_run >= x->njobs)
            break;
        size_t j = x->next_run++;
        x->jobs[j].state = SWEEP_RUNNING;
        x->running++;
        pthread_mutex_unlock(&x->mu);
        void *result = NULL;
        int status = x->ops->run(x->ops->ctx, j, &x->stop, &result);
        pthread_mutex_lock(&x->mu);
        x->jobs[j].state = SWEEP_FINISHED;
        x->jobs[j].status = status;
        x->jobs[j].result = result;
        x->running--;
        pthread_cond_signal(&x->done);
    }
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

/* The condition variables' clock (CLOCK_MONOTONIC), s. */
static double sweep_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The time t_s (on sweep_now_s's clock) as a deadline. */
static struct timespec sweep_deadline(double t_s)
{
    double sec = floor(t_s);
    struct timespec ts = {.tv_sec = (time_t)sec, .tv_nsec = (long)((t_s - sec) * 1e9)};
    return ts;
}

int af_sweep_exec(size_t njobs, unsigned nthreads, const af_sweep_ops *ops, size_t *taken,
                  af_diag *d)
{
    if (taken)
        *taken = 0;
    if (njobs == 0)
        return AF_OK;
    if (nthreads == 0)
        nthreads = 1;
    if (nthreads > njobs)
        nthreads = (unsigned)njobs;
    sweep_exec x = {.ops = ops, .njobs = njobs};
    x.jobs = af_calloc(njobs, sizeof *x.jobs);
    x.window = 4 * (size_t)nthreads < 16 ? 16 : 4 * (size_t)nthreads;
    atomic_init(&x.stop, false);
    pthread_mutex_init(&x.mu, NULL);
    pthread_cond_init(&x.work, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&x.done, &ca);
    pthread_condattr_destroy(&ca);
    double tick_s = ops->tick_s > 0 ? ops->tick_s : 0.25;

    pthread_t *th = af_malloc_array(nthreads, sizeof *th);
    unsigned started = 0;
    for (; started < nthreads; started++) {
        int e = pthread_create(&th[started], NULL, sweep_worker, &x);
        if (e != 0) {
            if (started == 0)
                af_diag_error(d, "sweep: cannot start a thread: %s", strerror(e));
            break;
        }
    }
    int rc = started == 0 ? AF_EIO : AF_OK;
    size_t ntaken = 0;
    double next_tick = sweep_now_s() + tick_s;
    pthread_mutex_lock(&x.mu);
    while (rc == AF_OK && x.next_take < njobs) {
        /* The tick comes every tick_s, whether the taker waits or is busy taking. */
        if (ops->tick && sweep_now_s() >= next_tick) {
            pthread_mutex_unlock(&x.mu);
            bool go = ops->tick(ops->ctx, ntaken, njobs);
            pthread_mutex_lock(&x.mu);
            next_tick = sweep_now_s() + tick_s;
            if (!go) {
                rc = AF_SWEEP_CUT;
                break;
            }
        }
        if (x.jobs[x.next_take].state == SWEEP_FINISHED) {
            size_t j = x.next_take++;
            sweep_job job = x.jobs[j];
            x.jobs[j].result = NULL;
            pthread_cond_broadcast(&x.work);
            pthread_mutex_unlock(&x.mu);
            if (job.status == AF_SWEEP_CUT) {
                ops->drop(ops->ctx, j, job.result);
            } else {
                ntaken++;
                int trc = ops->take(ops->ctx, j, job.status, job.result);
                if (trc != AF_OK)
                    rc = trc;
            }
            pthread_mutex_lock(&x.mu);
            continue;
        }
        struct timespec dl = sweep_deadline(next_tick);
        pthread_cond_timedwait(&x.done, &x.mu, &dl);
    }
    atomic_store(&x.stop, true);
    pthread_cond_broadcast(&x.work);
    pthread_mutex_unlock(&x.mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    af_free(th);

    /* Every worker is done: what finished after a stop is taken in order (Ctrl-C: no finished
     * job is lost), or dropped after a failed take. */
    for (size_t j = x.next_take; j < njobs; j++) {
        sweep_job *job = &x.jobs[j];
        if (job->state != SWEEP_FINISHED)
            continue;
        if (rc == AF_SWEEP_CUT && job->status != AF_SWEEP_CUT) {
            ntaken++;
            int trc = ops->take(ops->ctx, j, job->status, job->result);
            if (trc != AF_OK)
                rc = trc;
        } else {
            ops->drop(ops->ctx, j, job->result);
        }
        job->result = NULL;
    }
    pthread_cond_destroy(&x.done);
    pthread_cond_destroy(&x.work);
    pthread_mutex_destroy(&x.mu);
    af_free(x.jobs);
    if (taken)
        *taken = ntaken;
    return rc;
}
