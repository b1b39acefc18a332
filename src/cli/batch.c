/*
 * cli/batch: the jobs, axes, Ctrl-C and progress line of the commands that run a scenario many
 * times; see batch.h.
 */
#include "cli/batch.h"

#include "cli/options.h"

#include "base/alloc.h"
#include "base/units.h"
#include "base/arena.h"
#include "workload/world.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* ---- Axes ----------------------------------------------------------------------------------- */

int af_cli_axes_init(af_cli_axes *a, const af_sweep_grid *g, af_diag *d)
{
    a->grid = g;
    a->sets = af_calloc(g->naxes ? g->naxes : 1, sizeof *a->sets);
    a->args = af_calloc(g->naxes ? g->naxes : 1, sizeof *a->args);
    int rc = AF_OK;
    for (size_t k = 0; k < g->naxes; k++) {
        const af_sweep_axis *ax = &g->axes[k];
        a->sets[k] = af_calloc(ax->n, sizeof **a->sets);
        a->args[k] = af_calloc(ax->n, sizeof **a->args);
        for (size_t v = 0; v < ax->n; v++) {
            a->args[k][v] = af_strfmt("%s=%s", ax->path, ax->values[v]);
            if (af_scenario_parse_set(a->args[k][v], &a->sets[k][v], d) != AF_OK) {
                af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL, "in --vary %s=...", ax->path);
                rc = AF_EINPUT;
            }
        }
    }
    return rc;
}

void af_cli_axes_fini(af_cli_axes *a)
{
    for (size_t k = 0; a->sets && k < a->grid->naxes; k++) {
        for (size_t v = 0; v < a->grid->axes[k].n; v++)
            af_free(a->args[k][v]);
        af_free(a->args[k]);
        af_free(a->sets[k]);
    }
    af_free(a->args);
    af_free(a->sets);
    a->args = NULL;
    a->sets = NULL;
}

af_scenario_set *af_cli_axes_point(const af_cli_axes *a, size_t p, const af_scenario_set *common,
                                   size_t ncommon, size_t *n)
{
    const af_sweep_grid *g = a->grid;
    *n = g->naxes + ncommon;
    af_scenario_set *sets = af_malloc_array(*n ? *n : 1, sizeof *sets);
    size_t *idx = af_malloc_array(g->naxes ? g->naxes : 1, sizeof *idx);
    af_sweep_grid_index(g, p, idx);
    for (size_t k = 0; k < g->naxes; k++)
        sets[k] = a->sets[k][idx[k]];
    for (size_t k = 0; k < ncommon; k++)
        sets[g->naxes + k] = common[k];
    af_free(idx);
    return sets;
}

/* Whether path lies under (or is) prefix: "facility.pue" under "facility", "storage[0].nodes"
 * under "storage". */
static bool batch_under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

/* Whether the common override c changes what axis x's field reads once the axis' value v is
 * applied: it then overrides the axis (an override of a field inside it, "facility.pue" under a
 * varied "facility", refines it instead and is left alone). */
static bool batch_overrides(const char *file, const af_scenario_set *v, const af_scenario_set *c,
                            const char *axis_path)
{
    if (batch_under(c->path, axis_path) && strcmp(c->path, axis_path) != 0)
        return false;
    if (batch_under(axis_path, c->path))
        return true; /* the same field, or one holding it, by the same spelling */
    af_scenario_set pair[2] = {*v, *c};
    char t1[256], t2[256];
    if (af_scenario_field_text(file, pair, 1, axis_path, t1, sizeof t1) != AF_OK)
        return false; /* the value's own mistakes are reported by the load */
    return af_scenario_field_text(file, pair, 2, axis_path, t2, sizeof t2) != AF_OK ||
           strcmp(t1, t2) != 0;
}

size_t af_cli_axes_check(const af_cli_axes *a, const char *file, const af_catalog *cat,
                         const af_scenario_set *common, size_t ncommon, bool every,
                         af_diag *d)
{
    const af_sweep_grid *g = a->grid;
    size_t bad = 0;
    af_scenario_set *sets = af_malloc_array(ncommon + 1, sizeof *sets);
    for (size_t k = 0; k < ncommon; k++)
        sets[k + 1] = common[k];
    for (size_t x = 0; x < g->naxes && bad < 10; x++) {
        const af_sweep_axis *ax = &g->axes[x];
        for (size_t k = 0; k < ax->n && bad < 10; k++) {
            if (!every && k != 0 && k != ax->n - 1)
                continue;
            sets[0] = a->sets[x][k];
            af_arena *arena = af_arena_new();
            af_world_config cfg;
            /* Only a refusal is passed on: a value's warnings are those of the points with it,
             * which their runs give. */
            af_diag *scratch = af_diag_new();
            if (af_scenario_load(file, cat, sets, ncommon + 1, arena, &cfg, scratch) != AF_OK) {
                bad++;
                for (size_t i = 0; i < af_diag_count(scratch); i++) {
                    const af_diag_msg *m = af_diag_get(scratch, i);
                    if (m->sev == AF_SEV_ERROR)
                        af_diag_add(d, m->sev, m->file, m->line, m->col, m->path, "%s", m->text);
                }
                af_diag_add(d, AF_SEV_NOTE, NULL, 0, 0, NULL,
                            "in --vary %s=...: the value \"%s\" is not one %s takes", ax->path,
                            ax->values[k], ax->path);
            }
            af_diag_free(scratch);
            af_arena_free(arena);
        }
        /* A common override applied after the axis that changes the axis' field (the same
         * field by another path, or a field holding it) would silently override the axis. */
        for (size_t c = 0; c < ncommon && bad < 10; c++) {
            if (strcmp(common[c].path, ax->path) == 0)
                continue; /* refused by name already (the commands say so) */
            if (batch_overrides(file, &a->sets[x][0], &common[c], ax->path) ||
                batch_overrides(file, &a->sets[x][ax->n - 1], &common[c], ax->path)) {
                bad++;
                af_diag_error(d,
                              "--set %s: overrides the field that --vary %s=... varies; give it "
                              "one way",
                              common[c].arg, ax->path);
            }
        }
    }
    af_free(sets);
    return bad;
}

/* ---- Jobs ----------------------------------------------------------------------------------- */

af_cli_job *af_cli_job_new(void)
{
    af_cli_job *j = af_calloc(1, sizeof *j);
    j->d = af_diag_new();
    af_cli_scenario_init(&j->sc);
    return j;
}

void af_cli_job_free(af_cli_job *j)
{
    if (!j)
        return;
    af_cli_scenario_fini(&j->sc);
    af_diag_free(j->d);
    af_free(j);
}

uint64_t af_cli_stop_poll(void *ctx, double t_s, double end_s, uint64_t events)
{
    (void)t_s;
    (void)end_s;
    (void)events;
    const atomic_bool *stop = ctx;
    return atomic_load(stop) ? 0 : 8192;
}

int af_cli_job_run(af_cli_job *j, const char *file, const af_catalog *cat,
                   const af_scenario_set *sets, size_t nsets, size_t rep, bool series,
                   const atomic_bool *stop)
{
    int rc = af_cli_scenario_load(&j->sc, file, cat, sets, nsets, j->d);
    if (rc != 0)
        return rc;
    j->loaded = true;
    af_cli_scenario_sample(&j->sc, series, 0);
    j->sc.cfg.seed = af_sweep_seed(j->sc.cfg.seed, rep);
    j->seed = j->sc.cfg.seed;
    af_world_monitor mon = {.poll = af_cli_stop_poll, .ctx = (void *)stop};
    j->sc.monitor = stop ? &mon : NULL;
    rc = af_cli_scenario_run(&j->sc, j->d);
    j->sc.monitor = NULL;
    if (stop && atomic_load(stop) &&
        (rc != 0 || (j->sc.res && af_results_find(j->sc.res, "run.partial"))))
        return AF_SWEEP_CUT;
    return rc;
}

void af_cli_job_messages(const af_cli_job *j, af_diag *d)
{
    for (size_t i = 0; i < af_diag_count(j->d); i++) {
        const af_diag_msg *m = af_diag_get(j->d, i);
        af_diag_add(d, m->sev, m->file, m->line, m->col, m->path, "%s", m->text);
    }
}

void af_cli_missing_metric(af_diag *d, const char *opt, const af_results *res, const char *name,
                           const char *file)
{
    size_t n = af_results_count(res);
    const char **names = af_malloc_array(n ? n : 1, sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = af_results_get(res, i)->name;
    const char *near = af_did_you_mean(name, names, n);
    af_diag_error(d,
                  "%s%sthe runs have no metric %s (a job or tier of another name?)%s%s%s; see "
                  "`aifsim run %s --json -`",
                  opt ? opt : "", opt ? ": " : "", name, near ? "; did you mean \"" : "",
                  near ? near : "", near ? "\"?" : "", file);
    af_free(names);
}

/* ---- Ctrl-C --------------------------------------------------------------------------------- */

static volatile sig_atomic_t batch_interrupted;
static struct sigaction batch_old_sigint;
static bool batch_caught;

static void batch_on_sigint(int sig)
{
    (void)sig;
    batch_interrupted = 1;
    sigaction(SIGINT, &batch_old_sigint, NULL); /* a second Ctrl-C quits at once */
}

void af_cli_sigint_catch(void)
{
    batch_interrupted = 0;
    batch_caught = false;
    if (sigaction(SIGINT, NULL, &batch_old_sigint) == 0 &&
        batch_old_sigint.sa_handler != SIG_IGN) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = batch_on_sigint;
        sigemptyset(&sa.sa_mask);
        batch_caught = sigaction(SIGINT, &sa, NULL) == 0;
    }
}

bool af_cli_sigint_caught(void)
{
    return batch_interrupted != 0;
}

void af_cli_sigint_release(void)
{
    if (!batch_caught)
        return;
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, &old);
    if (!batch_interrupted)
        sigaction(SIGINT, &batch_old_sigint, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    batch_caught = false;
}

/* ---- Progress ------------------------------------------------------------------------------- */

double af_cli_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void af_cli_progress_init(af_cli_progress *p, bool force, bool never)
{
    memset(p, 0, sizeof *p);
    p->tty = isatty(STDERR_FILENO);
    p->show = !never && (force || p->tty);
    p->start_s = p->shown_s = af_cli_wall_s();
}

bool af_cli_progress_due(const af_cli_progress *p, double now_s)
{
    return p->show && now_s - p->start_s >= (p->tty ? 1.0 : 0.0) &&
           now_s - p->shown_s >= (p->tty ? 0.25 : 1.0);
}

void af_cli_progress_show(af_cli_progress *p, const char *line, double now_s)
{
    int n = (int)strlen(line);
    if (p->tty) {
        struct winsize ws;
        if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && n > ws.ws_col - 1)
            n = ws.ws_col - 1;
        fprintf(stderr, "\r%.*s%*s", n, line, (int)p->width > n ? (int)p->width - n : 0, "");
        if ((size_t)n > p->width)
            p->width = (size_t)n;
    } else {
        fprintf(stderr, "%.*s\n", n, line);
    }
    fflush(stderr);
    p->shown_s = now_s;
}

void af_cli_progress_clear(af_cli_progress *p)
{
    if (p->width > 0 && p->tty)
        fprintf(stderr, "\r%*s\r", (int)p->width, "");
    p->width = 0;
}

/* ---- Options -------------------------------------------------------------------------------- */

bool af_cli_take_reps(int argc, char **argv, int *i, size_t max, size_t *reps, bool *missing,
                      af_diag *d)
{
    const char *v = af_cli_take(argc, argv, i, "--replications", missing);
    if (!v)
        return *missing;
    char err[256] = "";
    double n = 0;
    if (af_units_parse(v, AF_DIM_COUNT, &n, err, sizeof err) != 0 || !(n >= 1) ||
        n > (double)max || n != (double)(size_t)n)
        af_diag_error(d, "--replications: expected a whole number from 1 to %zu, got \"%s\"", max,
                      v);
    else
        *reps = (size_t)n;
    return true;
}
