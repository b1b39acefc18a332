/*
 * sweep_cmd: `aifsim sweep FILE --vary PATH=VALUES... [-j N] [--replications N] [--db FILE]
 * [--resume] [--csv DIR] [--pdf FILE] [--metric PATTERN]... [--set PATH=VALUE]... [--seed N]`.
 *
 * The grid (plan/sweep.h) is every combination of the --vary values; each point is the scenario
 * with the point's values as --set overrides (then the command's own --set and --seed), run
 * --replications times, replication k with the seed af_sweep_seed(seed, k). Runs go to -j
 * threads (default: the CPUs online) through af_sweep_exec, which hands them back to this
 * thread in (point, replication) order; only this thread writes, so the database receives the
 * same runs in the same order whatever -j is, each in its own transaction.
 *
 * Before anything runs, the scenario is loaded with the common overrides, then once per varied
 * value with that value alone, so a value the field refuses is reported (exit 2, with a note
 * naming the --vary) before any time is spent; a combination the world cannot build is that
 * point's failure (its messages, a note naming the point), the other points go on and the exit
 * status is that of the worst.
 *
 * The database (--db, report/store.h): a sweep row names the scenario's hash, the canonical
 * spec (the grid's values, the common overrides) and the replications; each run is stored with
 * its sweep, point, replication and the point's values. --resume finds the newest sweep with the
 * same hash, spec and replications and runs only the (point, replication) pairs it lacks; the
 * stored runs' metrics are read back for the table, the CSV and the PDF, so a resumed sweep's
 * outputs equal an uninterrupted one's.
 *
 * Under mpirun (a build with --with-mpi, plan/sweep_mpi.h), every rank reads the arguments and
 * checks the scenario, but rank 0 alone opens the database, decides which runs to make (--resume
 * included), writes and prints; the other ranks run what rank 0 hands them, one at a time (-j is
 * ignored), and send each result back as bytes (sweep_pack, sweep_unpack), so the database and
 * the outputs are those of a threaded sweep.
 *
 * Ctrl-C: the runs in progress are cut short (and not stored), every run that finished is
 * stored, the outputs are written with the points done, and the exit status is 130; a second
 * Ctrl-C quits at once. Under mpirun that is SIGINT to rank 0's process: Open MPI's mpirun does
 * not pass a Ctrl-C on but ends every rank, which keeps the runs stored until then (--resume).
 *
 * A progress line (points done of the total, points per minute, the time left) is shown on
 * standard error when it is a terminal, or always with --progress.
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
#include "plan/sweep.h"
#include "plan/sweep_mpi.h"
#include "report/csv.h"
#include "report/store.h"
#include "report/sweep_report.h"
#include "scenario/catalog.h"
#include "workload/world.h"

#include "config.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char sweep_usage[] =
    "usage: aifsim sweep FILE --vary PATH=VALUES [--vary PATH=VALUES]... [-j N]\n"
    "                    [--replications N] [--db FILE [--resume]] [--csv DIR] [--pdf FILE]\n"
    "                    [--metric PATTERN]... [--set PATH=VALUE]... [--seed N] [--models DIR]\n"
    "                    [-q] [--progress | --no-progress]\n"
    "\n"
    "Runs the scenario in FILE at every combination of the varied values and prints one line\n"
    "per point with its headline metrics.\n"
    "\n"
    "  --vary PATH=VALUES  a field and its values (repeatable; the last --vary varies fastest):\n"
    "                    a list 2,4,8 or '30 min,1 h', a linear range 2..32:2 (step) or a\n"
    "                    range by a factor 1..64x2; range ends may carry one unit\n"
    "                    (30 min..120 min:30 min). At most 100000 points.\n"
    "  -j, --jobs N      run N points at once (default: the number of CPUs); the results\n"
    "                    are the same whatever N is. Ignored under mpirun with 2 ranks or more\n"
    "                    (a build with --with-mpi): rank 0 stores and prints, every other rank\n"
    "                    runs one point at a time, and the results are the same again\n"
    "  --replications N  run each point N times with seeds derived from the scenario's and\n"
    "                    report the mean and its 95% confidence interval (Student's t)\n"
    "  --db FILE         store every run in the SQLite results database FILE, tagged with the\n"
    "                    sweep, its point and replication (`aifsim runs --db FILE`)\n"
    "  --resume          continue the newest sweep of the same scenario, values, overrides\n"
    "                    and replications in --db: run only the points it lacks\n"
    "  --csv DIR         write DIR/sweep.csv: one row per point, every metric (mean, lo, hi\n"
    "                    with replications)\n"
    "  --pdf FILE        write the chosen metrics against the first varied field as charts,\n"
    "                    one line per value of the second\n"
    "  --metric PATTERN  a metric (or a pattern: 'train.*.goodput') for the table and the\n"
    "                    charts (repeatable; default: GPU utilization, goodput, burst\n"
    "                    slowdown, p99 latencies, facility power and total cost)\n"
    "  --set PATH=VALUE  override a field of every point (repeatable)\n"
    "  --seed N          the scenario's seed (replication 1's)\n"
    "  --models DIR      read the model catalog from DIR\n"
    "  -q, --quiet       do not print the table\n"
    "  --progress        show the progress line even when standard error is not a terminal\n"
    "  --no-progress     never show it\n"
    "\n"
    "Ctrl-C stores the runs that finished, writes the outputs with the points done and exits\n"
    "130; run the same command with --resume to finish. A second Ctrl-C quits at once.\n"
    "exit status: 0 ok, 1 a run or an output failed, 2 bad input, 130 interrupted\n";

/* Most replications of a point. */
#define SWEEP_MAX_REPS 10000
/* Confidence level of the intervals. */
#define SWEEP_LEVEL 0.95

/* ---- One run -------------------------------------------------------------------------------- */

/* What a worker hands back: an af_cli_job (cli/batch.h), its scenario loaded and run. */
typedef af_cli_job sweep_out;

/* One replication of one point's column values, until the point is complete. */
typedef struct sweep_rep {
    bool have;
    size_t n;
    size_t *col; /* column of each value */
    double *v;   /* numeric value, NaN for a text */
    char **text; /* text, or NULL */
} sweep_rep;

/* The sweep. */
typedef struct sweep {
    af_cli *c;
    const char *file;
    const af_catalog *cat;
    const af_sweep_grid *grid;
    size_t reps;
    /* the overrides of each point: its axes' values, then the common ones */
    af_cli_axes axes;
    const af_scenario_set *common;
    size_t ncommon;
    bool series; /* sample time series (the database stores them) */
    /* the jobs: (point, replication) pairs to run, as point * reps + rep */
    size_t *jobs;
    size_t njobs;
    /* the database */
    af_store *store;
    const char *db;
    int64_t sweep_id;
    char *text; /* the scenario file's bytes */
    size_t text_len;
    /* results */
    af_sweep_col *cols;
    size_t ncols, cols_cap;
    af_sweep_row *rows; /* npoints */
    sweep_rep *pending; /* npoints x reps, freed as points complete */
    size_t *have;       /* per point: replications in */
    int worst;          /* worst exit status of a run (0, 1, 2) */
    size_t failed;      /* runs that failed */
    af_cli_progress prog;
    size_t done_runs; /* runs taken this time */
} sweep;

static int sweep_run(void *ctx, size_t j, const atomic_bool *stop, void **result)
{
    sweep *s = ctx;
    size_t job = s->jobs[j];
    size_t p = job / s->reps, rep = job % s->reps;
    sweep_out *o = af_cli_job_new();
    *result = o;
    size_t nsets;
    af_scenario_set *sets = af_cli_axes_point(&s->axes, p, s->common, s->ncommon, &nsets);
    int rc = af_cli_job_run(o, s->file, s->cat, sets, nsets, rep, s->series, stop);
    af_free(sets);
    return rc;
}

static void sweep_out_free(sweep_out *o)
{
    af_cli_job_free(o);
}

static void sweep_drop(void *ctx, size_t j, void *result)
{
    (void)ctx;
    (void)j;
    sweep_out_free(result);
}

/* ---- A run's result as bytes (MPI: plan/sweep_mpi.h) ------------------------------------------
 * What sweep_take reads of a sweep_out, in order: the seed; the messages (severity, line, column,
 * file, path, text); whether there are results; every metric in order (name, label, value, dim,
 * text); every series in order (name, label, dim, dt, its n points). The rebuilt results hold
 * the same metrics and series in the same order with the same bits, which is all the database
 * and the table read, so a run stores the same rows whichever rank made it. */

static unsigned char *sweep_pack(void *ctx, size_t j, void *result, size_t *size_B)
{
    (void)ctx;
    (void)j;
    sweep_out *o = result;
    af_sweep_wire w;
    af_sweep_wire_init(&w);
    af_sweep_wire_put_u64(&w, o->seed);
    size_t nmsg = af_diag_count(o->d);
    af_sweep_wire_put_u64(&w, nmsg);
    for (size_t i = 0; i < nmsg; i++) {
        const af_diag_msg *m = af_diag_get(o->d, i);
        af_sweep_wire_put_u64(&w, (uint64_t)m->sev);
        af_sweep_wire_put_u64(&w, (uint64_t)(int64_t)m->line);
        af_sweep_wire_put_u64(&w, (uint64_t)(int64_t)m->col);
        af_sweep_wire_put_str(&w, m->file);
        af_sweep_wire_put_str(&w, m->path);
        af_sweep_wire_put_str(&w, m->text);
    }
    const af_results *r = o->sc.res;
    af_sweep_wire_put_u64(&w, r != NULL);
    if (r) {
        af_sweep_wire_put_u64(&w, af_results_count(r));
        for (size_t i = 0; i < af_results_count(r); i++) {
            const af_metric *m = af_results_get(r, i);
            af_sweep_wire_put_str(&w, m->name);
            af_sweep_wire_put_str(&w, m->label);
            af_sweep_wire_put_f64(&w, m->value);
            af_sweep_wire_put_u64(&w, (uint64_t)m->dim);
            af_sweep_wire_put_str(&w, m->text);
        }
        af_sweep_wire_put_u64(&w, af_results_nseries(r));
        for (size_t i = 0; i < af_results_nseries(r); i++) {
            const af_series *se = af_results_series_get(r, i);
            af_sweep_wire_put_str(&w, se->name);
            af_sweep_wire_put_str(&w, se->label);
            af_sweep_wire_put_u64(&w, (uint64_t)se->dim);
            af_sweep_wire_put_f64(&w, se->dt);
            af_sweep_wire_put_u64(&w, se->n);
            for (size_t k = 0; k < se->n; k++)
                af_sweep_wire_put_f64(&w, se->v[k]);
        }
    }
    sweep_out_free(o);
    return af_sweep_wire_take(&w, size_B);
}

static int sweep_unpack(void *ctx, size_t j, const unsigned char *bytes, size_t size_B,
                        void **result)
{
    (void)ctx;
    (void)j;
    af_sweep_wire w;
    af_sweep_wire_init_read(&w, bytes, size_B);
    sweep_out *o = af_cli_job_new();
    o->seed = af_sweep_wire_get_u64(&w);
    uint64_t nmsg = af_sweep_wire_get_u64(&w);
    for (uint64_t i = 0; i < nmsg && !w.bad; i++) {
        uint64_t sev = af_sweep_wire_get_u64(&w);
        int64_t line = (int64_t)af_sweep_wire_get_u64(&w);
        int64_t col = (int64_t)af_sweep_wire_get_u64(&w);
        char *file = af_sweep_wire_get_str(&w);
        char *path = af_sweep_wire_get_str(&w);
        char *text = af_sweep_wire_get_str(&w);
        if (sev > AF_SEV_NOTE || line < 0 || line > INT32_MAX || col < 0 || col > INT32_MAX ||
            !text)
            w.bad = true;
        else
            af_diag_add(o->d, (af_severity)sev, file, (int)line, (int)col, path, "%s", text);
        af_free(file);
        af_free(path);
        af_free(text);
    }
    if (af_sweep_wire_get_u64(&w) && !w.bad) {
        af_results *r = o->sc.res = af_results_new();
        uint64_t n = af_sweep_wire_get_u64(&w);
        for (uint64_t i = 0; i < n && !w.bad; i++) {
            char *name = af_sweep_wire_get_str(&w);
            char *label = af_sweep_wire_get_str(&w);
            double value = af_sweep_wire_get_f64(&w);
            uint64_t dim = af_sweep_wire_get_u64(&w);
            char *text = af_sweep_wire_get_str(&w);
            if (!name || dim >= AF_DIM__COUNT || af_results_find(r, name))
                w.bad = true;
            else if (text)
                af_results_set_text(r, name, text, label);
            else
                af_results_set(r, name, value, (af_dim)dim, label);
            af_free(name);
            af_free(label);
            af_free(text);
        }
        uint64_t ns = af_sweep_wire_get_u64(&w);
        for (uint64_t i = 0; i < ns && !w.bad; i++) {
            char *name = af_sweep_wire_get_str(&w);
            char *label = af_sweep_wire_get_str(&w);
            uint64_t dim = af_sweep_wire_get_u64(&w);
            double dt = af_sweep_wire_get_f64(&w);
            uint64_t np = af_sweep_wire_get_u64(&w);
            if (!name || dim >= AF_DIM__COUNT || !(dt > 0) || np > AF_SERIES_MAX ||
                af_results_series_find(r, name)) {
                w.bad = true;
            } else {
                /* Made at the point width, its points set as they were (bit for bit: a push
                 * would add each to 0 and turn a -0 into 0), one base window each. */
                af_series *se = af_results_series(r, name, (af_dim)dim, label, dt);
                for (uint64_t k = 0; k < np; k++)
                    se->v[k] = af_sweep_wire_get_f64(&w);
                se->n = se->pushed = (size_t)np;
            }
            af_free(name);
            af_free(label);
        }
    }
    if (!af_sweep_wire_done(&w)) {
        sweep_out_free(o);
        return AF_EIO;
    }
    *result = o;
    return AF_OK;
}

/* The column of metric name (appended when new); hint is where it likely is. */
static size_t sweep_col(sweep *s, const af_metric *m, size_t hint)
{
    if (hint < s->ncols && strcmp(s->cols[hint].name, m->name) == 0)
        return hint;
    for (size_t c = 0; c < s->ncols; c++)
        if (strcmp(s->cols[c].name, m->name) == 0)
            return c;
    s->cols = af_grow(s->cols, &s->cols_cap, s->ncols + 1, sizeof *s->cols);
    s->cols[s->ncols] = (af_sweep_col){.name = af_strdup(m->name),
                                       .label = m->label ? af_strdup(m->label) : NULL,
                                       .dim = m->dim,
                                       .text = m->text != NULL};
    return s->ncols++;
}

/* Once every replication of point p is in: the means and intervals of its row. */
static void sweep_point_close(sweep *s, size_t p)
{
    af_sweep_row *row = &s->rows[p];
    sweep_rep *reps = &s->pending[p * s->reps];
    row->done = true;
    row->n = s->ncols;
    row->mean = af_malloc_array(row->n ? row->n : 1, sizeof *row->mean);
    row->lo = af_malloc_array(row->n ? row->n : 1, sizeof *row->lo);
    row->hi = af_malloc_array(row->n ? row->n : 1, sizeof *row->hi);
    row->text = af_calloc(row->n ? row->n : 1, sizeof *row->text);
    double *x = af_malloc_array(s->reps, sizeof *x);
    for (size_t c = 0; c < row->n; c++)
        row->mean[c] = row->lo[c] = row->hi[c] = NAN;
    /* Per column, the replications' values (NaN where a replication lacks it). */
    for (size_t c = 0; c < row->n; c++) {
        size_t found = 0;
        for (size_t r = 0; r < s->reps; r++) {
            x[r] = NAN;
            sweep_rep *rp = &reps[r];
            /* Columns are usually at the same position in every replication. */
            for (size_t i = 0; i < rp->n; i++)
                if (rp->col[i] == c) {
                    x[r] = rp->v[i];
                    if (rp->text[i] && !row->text[c])
                        row->text[c] = af_strdup(rp->text[i]);
                    found++;
                    break;
                }
        }
        if (found == 0 || s->cols[c].text)
            continue;
        af_sweep_stat st;
        af_sweep_ci(x, s->reps, SWEEP_LEVEL, &st);
        row->mean[c] = st.mean;
        row->lo[c] = st.lo;
        row->hi[c] = st.hi;
    }
    af_free(x);
    for (size_t r = 0; r < s->reps; r++) {
        sweep_rep *rp = &reps[r];
        for (size_t i = 0; i < rp->n; i++)
            af_free(rp->text[i]);
        af_free(rp->col);
        af_free(rp->v);
        af_free(rp->text);
        memset(rp, 0, sizeof *rp);
    }
}

/* Files replication rep of point p's results; closes the point when it is the last. */
static void sweep_collect(sweep *s, size_t p, size_t rep, const af_results *res)
{
    sweep_rep *rp = &s->pending[p * s->reps + rep];
    if (rp->have)
        return;
    size_t n = af_results_count(res);
    rp->col = af_malloc_array(n ? n : 1, sizeof *rp->col);
    rp->v = af_malloc_array(n ? n : 1, sizeof *rp->v);
    rp->text = af_calloc(n ? n : 1, sizeof *rp->text);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const af_metric *m = af_results_get(res, i);
        /* The provenance texts say what made the run; the varied values have their columns. */
        if (m->text && strncmp(m->name, "run.", 4) == 0)
            continue;
        rp->col[k] = sweep_col(s, m, k);
        rp->v[k] = m->text ? NAN : m->value;
        rp->text[k] = m->text ? af_strdup(m->text) : NULL;
        k++;
    }
    rp->n = k;
    rp->have = true;
    if (++s->have[p] == s->reps)
        sweep_point_close(s, p);
}

/* ---- Progress ------------------------------------------------------------------------------- */

/* "aifsim: sweep: 12 of 100 points, 35.2 points/min, about 2.5 min left" */
static void sweep_show(sweep *s, size_t taken, double now)
{
    char line[256], left[64] = "estimating the time left";
    double wall = now - s->prog.start_s;
    double per_run = taken ? wall / (double)taken : 0;
    double ppm = wall > 0 ? 60 * (double)taken / (double)s->reps / wall : 0;
    if (taken) {
        char eta[48];
        snprintf(
            left, sizeof left, "about %s left",
            af_units_format(per_run * (double)(s->njobs - taken), AF_DIM_TIME, eta, sizeof eta));
    }
    size_t total_points = s->grid->npoints;
    size_t before = total_points * s->reps - s->njobs; /* runs stored before (--resume) */
    int n = snprintf(line, sizeof line, "aifsim: sweep: %zu of %zu points, %.3g points/min, %s",
                     (before + taken) / s->reps, total_points, ppm, left);
    if (n > 0)
        af_cli_progress_show(&s->prog, line, now);
}

static bool sweep_tick(void *ctx, size_t taken, size_t njobs)
{
    (void)njobs;
    sweep *s = ctx;
    if (af_cli_sigint_caught()) {
        af_cli_progress_clear(&s->prog);
        fprintf(stderr, "aifsim: sweep interrupted; storing the runs that finished (Ctrl-C "
                        "again to quit at once)\n");
        return false;
    }
    double now = af_cli_wall_s();
    if (af_cli_progress_due(&s->prog, now))
        sweep_show(s, taken, now);
    return true;
}

/* ---- Taking finished runs ------------------------------------------------------------------- */

static int sweep_take(void *ctx, size_t j, int status, void *result)
{
    sweep *s = ctx;
    sweep_out *o = result;
    size_t job = s->jobs[j];
    size_t p = job / s->reps, rep = job % s->reps;
    af_diag *d = s->c->d;
    int rc = AF_OK;
    /* The run's messages, then on failure a note naming the point. */
    size_t nmsg = af_diag_count(o->d);
    if (nmsg)
        af_cli_progress_clear(&s->prog);
    for (size_t i = 0; i < nmsg; i++) {
        const af_diag_msg *m = af_diag_get(o->d, i);
        af_diag_add(d, m->sev, m->file, m->line, m->col, m->path, "%s", m->text);
    }
    char *label = af_sweep_grid_label(s->grid, p);
    if (status != 0) {
        if (s->reps > 1)
            af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL,
                        "in point %zu (%s), replication %zu of the sweep", p + 1, label, rep + 1);
        else
            af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL, "in point %zu (%s) of the sweep", p + 1,
                        label);
        s->failed++;
        if (status > s->worst)
            s->worst = status;
        /* Printed now, so a long sweep shows its failures as they come. */
        af_diag_print(d, stderr);
        af_diag_clear(d);
        goto done;
    }
    if (s->store) {
        af_store_input in = {.res = o->sc.res,
                             .text = s->text,
                             .text_len = s->text_len,
                             .seed = o->seed,
                             .sweep_id = s->sweep_id,
                             .sweep_point = (int64_t)p + 1,
                             .sweep_replication = (int64_t)rep + 1,
                             .sweep_values = label};
        if (af_store_add(s->store, &in, NULL, d) != AF_OK) {
            rc = AF_EIO;
            goto done;
        }
    }
    sweep_collect(s, p, rep, o->sc.res);
    s->done_runs++;
done:
    af_free(label);
    sweep_out_free(o);
    return rc;
}

/* ---- The command ---------------------------------------------------------------------------- */

/* Gives the other ranks rank 0's jobs (s->jobs, s->njobs), once every rank is ready; a no-op
 * with one rank. Returns AF_OK, or the worst status of a rank that was not ready: on rank 0 with
 * a message in d, as rank 0 itself was ready. *root_status is rank 0's status. */
static int sweep_share_jobs(sweep *s, const af_sweep_mpi *mpi, size_t nruns, int *root_status)
{
    af_sweep_wire w;
    af_sweep_wire_init(&w);
    for (size_t i = 0; mpi->rank == 0 && mpi->size > 1 && i < s->njobs; i++)
        af_sweep_wire_put_u64(&w, s->jobs[i]);
    size_t n = 0;
    void *bytes = af_sweep_wire_take(&w, &n);
    int rc = af_sweep_mpi_share(mpi, AF_OK, &bytes, &n, root_status);
    if (rc != AF_OK && mpi->rank == 0)
        af_diag_error(s->c->d,
                      "sweep: another of the %d ranks could not prepare the sweep; its "
                      "messages are above",
                      mpi->size);
    if (rc == AF_OK && mpi->rank != 0) {
        af_sweep_wire r;
        af_sweep_wire_init_read(&r, bytes, n);
        s->njobs = n / 8;
        assert(s->njobs <= nruns);
        for (size_t i = 0; i < s->njobs; i++) {
            s->jobs[i] = (size_t)af_sweep_wire_get_u64(&r);
            /* Rank 0 made them from the same grid: one outside it is our bug. */
            assert(s->jobs[i] < nruns);
        }
    }
    af_free(bytes);
    return rc;
}

int af_cmd_sweep(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "sweep");
    af_diag *d = c.d;
    int rc = 2;
    const char *file = NULL, *db = NULL, *csv = NULL, *pdf = NULL;
    bool quiet = false, resume = false, progress = false, no_progress = false;
    unsigned jobs = 0;
    size_t reps = 1;
    const char **metrics = af_calloc((size_t)argc + 1, sizeof *metrics);
    size_t nmetrics = 0;
    af_sweep_grid grid;
    af_sweep_grid_init(&grid);
    af_cli_scenario_opts opts;
    af_cli_scenario_opts_init(&opts, argc);
    af_catalog *cat = NULL;
    af_cli_scenario base;
    af_cli_scenario_init(&base);
    sweep s;
    memset(&s, 0, sizeof s);
    s.c = &c;
    char *spec = NULL, *gridspec = NULL, *title = NULL;
    af_sweep_report_axis *raxes = NULL;
    size_t *sel = NULL;
    /* Under mpirun: rank 0 does what a plain sweep does but runs nothing itself; the other ranks
     * read the same arguments and scenario, then only run the jobs rank 0 hands them (so they
     * neither open the database nor print). Every rank calls af_sweep_mpi_share once, at the
     * point where rank 0 has its jobs, or on its way out (shared). */
    af_sweep_mpi mpi;
    bool shared = false;
    int root_status = AF_OK;
    if (af_sweep_mpi_start(&mpi, d) != AF_OK) {
        rc = 1;
        goto done;
    }

    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (af_cli_is_help(argv[i])) {
            rc = mpi.rank == 0 ? af_cli_help(&c, sweep_usage) : 0;
            goto done;
        } else if (af_cli_take_scenario_opt(argc, argv, &i, &opts, &missing, d)) {
            /* --set, --seed, --models */
        } else if ((v = af_cli_take(argc, argv, &i, "--vary", &missing))) {
            af_sweep_grid_add(&grid, v, d);
        } else if (af_cli_take_jobs(argc, argv, &i, &jobs, &missing, d) ||
                   af_cli_take_reps(argc, argv, &i, SWEEP_MAX_REPS, &reps, &missing, d)) {
            /* -j N, --replications N */
        } else if ((v = af_cli_take(argc, argv, &i, "--db", &missing))) {
            db = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--csv", &missing))) {
            csv = v;
            if (!*v || strcmp(v, "-") == 0)
                af_diag_error(d, "--csv: expected a directory, got \"%s\"", v);
        } else if ((v = af_cli_take(argc, argv, &i, "--pdf", &missing))) {
            pdf = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--metric", &missing))) {
            metrics[nmetrics++] = v;
        } else if (strcmp(argv[i], "--resume") == 0) {
            resume = true;
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
        af_diag_error(d, "`aifsim sweep` needs at least one --vary PATH=VALUES, e.g. --vary "
                         "storage.hot.nodes=2,4,8");
    if (resume && !db)
        af_diag_error(d, "--resume needs --db FILE: the database that holds the sweep's runs");
    if (file && db)
        af_cli_check_not_input(&c, "--db", db, "scenario file", file);
    if (file && pdf)
        af_cli_check_not_input(&c, "--pdf", pdf, "scenario file", file);
    if (pdf && db && strcmp(pdf, db) == 0)
        af_diag_error(d, "--pdf %s would overwrite the results database given with --db", pdf);
    if (pdf && strcmp(pdf, "-") == 0)
        quiet = true;
    s.reps = reps;
    if (af_diag_errors(d) == 0 && (double)grid.npoints * (double)s.reps > AF_CLI_MAX_RUNS)
        af_diag_error(d, "%zu points x %zu replications: more than the %d runs a sweep may make",
                      grid.npoints, s.reps, AF_CLI_MAX_RUNS);
    if (af_diag_errors(d))
        goto done;
    cat = af_cli_scenario_opts_finish(&opts, d);
    if (!cat)
        goto done;
    /* A field both varied and --set: which one would win is not what the user meant. */
    for (size_t a = 0; a < grid.naxes; a++)
        for (size_t k = 0; k < opts.nsets; k++)
            if (strcmp(opts.sets[k].path, grid.axes[a].path) == 0)
                af_diag_error(d, "--set %s: %s is also varied (--vary %s=...); give it one way",
                              opts.sets[k].arg, grid.axes[a].path, grid.axes[a].path);
    if (af_diag_errors(d))
        goto done;

    s.file = file;
    s.cat = cat;
    s.grid = &grid;
    s.common = opts.sets;
    s.ncommon = opts.nsets;
    if (af_cli_axes_init(&s.axes, &grid, d) != AF_OK)
        goto done;
    /* The scenario with the common overrides: its mistakes, its name, hash and seed. */
    if (af_cli_scenario_load(&base, file, cat, opts.sets, opts.nsets, d) != 0)
        goto done;
    if (af_cli_axes_check(&s.axes, file, cat, opts.sets, opts.nsets, true, d) > 0)
        goto done;

    rc = 1;
    if (mpi.rank == 0 && ((csv && af_report_csv_check(csv, d) != AF_OK) ||
                          (pdf && af_outfile_check(pdf, d) != AF_OK)))
        goto done;

    /* The runs: every (point, replication), less those stored before (--resume). */
    size_t nruns = grid.npoints * s.reps;
    int64_t *stored = af_calloc(nruns, sizeof *stored);
    s.rows = af_calloc(grid.npoints, sizeof *s.rows);
    s.pending = af_calloc(nruns, sizeof *s.pending);
    s.have = af_calloc(grid.npoints, sizeof *s.have);
    gridspec = af_sweep_grid_spec(&grid);
    {
        char *t = af_strdup(gridspec);
        for (size_t k = 0; k < opts.nsets; k++) {
            char *u = af_strfmt("%s%s--set %s", t, *t ? "; " : "", opts.sets[k].arg);
            af_free(t);
            t = u;
        }
        spec = t;
    }
    s.series = db != NULL;
    if (db && mpi.rank == 0) {
        int src = af_store_open(db, true, &s.store, d);
        if (src != AF_OK) {
            rc = src == AF_EINPUT ? 2 : 1;
            af_free(stored);
            goto done;
        }
        if (af_store_read_file(file, &s.text, &s.text_len, d) != AF_OK) {
            af_free(stored);
            goto done;
        }
        s.db = db;
        af_store_sweep key = {.scenario = base.cfg.name,
                              .scenario_file = file,
                              .scenario_hash = base.scenario_hash,
                              .catalog_hash = base.catalog_hash,
                              .spec = spec,
                              .points = (int64_t)grid.npoints,
                              .replications = (int64_t)s.reps};
        if (resume && af_store_sweep_find(s.store, &key, &s.sweep_id, d) != AF_OK) {
            af_free(stored);
            goto done;
        }
        if (resume && s.sweep_id == 0)
            af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL,
                        "--resume: %s holds no sweep of %s with these values, overrides and "
                        "replications; starting one",
                        db, file);
        if (s.sweep_id == 0 && af_store_sweep_add(s.store, &key, &s.sweep_id, d) != AF_OK) {
            af_free(stored);
            goto done;
        }
        if (af_store_sweep_runs(s.store, s.sweep_id, (int64_t)grid.npoints, (int64_t)s.reps, stored,
                                d) != AF_OK) {
            af_free(stored);
            goto done;
        }
        if (resume && s.sweep_id) {
            size_t n = 0;
            for (size_t i = 0; i < nruns; i++)
                n += stored[i] != 0;
            fprintf(stderr, "aifsim: sweep %" PRId64 " in %s: %zu of %zu runs stored, %zu to run\n",
                    s.sweep_id, db, n, nruns, nruns - n);
        }
    }
    s.jobs = af_malloc_array(nruns, sizeof *s.jobs);
    for (size_t i = 0; i < nruns && mpi.rank == 0; i++) {
        if (stored[i]) {
            af_store_run r;
            if (af_store_get(s.store, stored[i], true, &r, d) != AF_OK) {
                af_free(stored);
                goto done;
            }
            sweep_collect(&s, i / s.reps, i % s.reps, r.res);
            af_store_run_fini(&r);
        } else {
            s.jobs[s.njobs++] = i;
        }
    }
    af_free(stored);
    shared = true;
    if (sweep_share_jobs(&s, &mpi, nruns, &root_status) != AF_OK)
        goto done;

    /* Run. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nthreads = jobs ? jobs : cpus > 0 ? (unsigned)cpus : 1;
    af_cli_progress_init(&s.prog, progress, no_progress || mpi.rank != 0);
    if (mpi.rank == 0)
        af_cli_sigint_catch();
    af_sweep_ops ops = {.ctx = &s,
                        .run = sweep_run,
                        .take = sweep_take,
                        .drop = sweep_drop,
                        .tick = sweep_tick,
                        .pack = sweep_pack,
                        .unpack = sweep_unpack};
    size_t taken = 0;
    int xrc = af_sweep_mpi_exec(&mpi, s.njobs, nthreads, &ops, &taken, d);
    if (mpi.rank != 0) {
        rc = 0;
        goto done;
    }
    af_cli_progress_clear(&s.prog);
    af_cli_sigint_release();
    if (xrc != AF_OK && xrc != AF_SWEEP_CUT)
        goto done;

    /* The outputs, with the points done. */
    raxes = af_calloc(grid.naxes, sizeof *raxes);
    for (size_t a = 0; a < grid.naxes; a++)
        raxes[a] = (af_sweep_report_axis){.path = grid.axes[a].path,
                                          .n = grid.axes[a].n,
                                          .values = (const char *const *)grid.axes[a].values,
                                          .x = grid.axes[a].x,
                                          .unit = grid.axes[a].unit};
    title = af_strfmt("aifsim %s: sweep of %s (%s)%s", PACKAGE_VERSION, base.cfg.name, file,
                      xrc == AF_SWEEP_CUT ? ", INTERRUPTED" : "");
    af_sweep_report rep = {.title = title,
                           .axes = raxes,
                           .naxes = grid.naxes,
                           .npoints = grid.npoints,
                           .replications = s.reps,
                           .cols = s.cols,
                           .ncols = s.ncols,
                           .rows = s.rows};
    sel = af_malloc_array(s.ncols ? s.ncols : 1, sizeof *sel);
    size_t nsel = af_sweep_report_select(&rep, metrics, nmetrics, sel);
    if (nmetrics && nsel == 0 && s.ncols)
        af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, NULL,
                    "--metric: no metric of the runs matches %s%s; see `aifsim metrics`",
                    metrics[0], nmetrics > 1 ? " or the other patterns" : "");
    if (!quiet) {
        af_sweep_report_text(&rep, sel, nsel, stdout);
        if (db)
            printf("\nstored as sweep %" PRId64 " in %s\n", s.sweep_id, db);
    }
    if (af_cli_check_stdout(&c) != AF_OK)
        goto done;
    if (csv && af_sweep_report_csv_save(&rep, csv, d) != AF_OK)
        goto done;
    if (pdf && af_sweep_report_pdf_save(&rep, sel, nsel, pdf, d) != AF_OK)
        goto done;
    if (s.failed)
        af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL, "%zu of %zu runs failed", s.failed, s.njobs);
    rc = xrc == AF_SWEEP_CUT ? 130 : s.worst;

done:
    if (!shared) /* on the way out before the jobs were shared: say so to the other ranks */
        af_sweep_mpi_share(&mpi, rc != 0 ? rc : AF_EIO, NULL, NULL, &root_status);
    /* A worker's messages are rank 0's too, which prints them, unless rank 0 was ready and this
     * rank was not (a file it could not read): then they are this rank's own. */
    if (mpi.rank != 0 && !(root_status == AF_OK && rc != 0)) {
        af_diag_clear(d);
        rc = 0; /* rank 0's exit status is the sweep's (mpirun's) */
    }
    af_free(sel);
    af_free(raxes);
    af_free(title);
    af_free(spec);
    af_free(gridspec);
    if (s.axes.grid)
        af_cli_axes_fini(&s.axes);
    for (size_t i = 0; s.pending && i < grid.npoints * s.reps; i++) {
        sweep_rep *rp = &s.pending[i];
        for (size_t k = 0; k < rp->n; k++)
            af_free(rp->text[k]);
        af_free(rp->col);
        af_free(rp->v);
        af_free(rp->text);
    }
    af_free(s.pending);
    for (size_t p = 0; s.rows && p < grid.npoints; p++) {
        af_sweep_row *row = &s.rows[p];
        for (size_t k = 0; row->text && k < row->n; k++)
            af_free(row->text[k]);
        af_free(row->mean);
        af_free(row->lo);
        af_free(row->hi);
        af_free(row->text);
    }
    af_free(s.rows);
    af_free(s.have);
    for (size_t k = 0; k < s.ncols; k++) {
        af_free(s.cols[k].name);
        af_free(s.cols[k].label);
    }
    af_free(s.cols);
    af_free(s.jobs);
    af_free(s.text);
    af_store_close(s.store);
    af_cli_scenario_fini(&base);
    af_catalog_free(cat);
    af_cli_scenario_opts_fini(&opts);
    af_sweep_grid_fini(&grid);
    af_free(metrics);
    rc = af_cli_finish(&c, rc);
    af_sweep_mpi_stop(&mpi);
    return rc;
}
