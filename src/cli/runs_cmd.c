/*
 * runs_cmd: `aifsim runs --db FILE`, `aifsim runs show ID --db FILE [--scenario]` and
 * `aifsim runs diff ID1 ID2 --db FILE [--all]`: the runs `aifsim run FILE --db FILE` stored
 * (report/store.h).
 *
 * The listing gives one line per run: id, when it was stored, the scenario, seed, simulated
 * duration, the first training job's GPU utilization, cost.total, the sweep a run of `aifsim
 * sweep --db` belongs to ("2 p5 r1": sweep 2, point 5, replication 1) and the overrides. `show`
 * loads a run back into results and prints them with the run summary's formatter (the
 * provenance is the summary's "run" block), then the time series it holds, one line each with
 * its windows and its least, mean and largest value; with --scenario it prints the scenario
 * file as stored, alone, so it can be run again. `diff` names the inputs that differ (scenario,
 * its file and text, with the lines that changed, overrides, seed, model catalog, version) and
 * compares the results as `aifsim compare` does (report/compare.h).
 *
 * Exit status: 0; 2 for a usage mistake, a run id that is not a number or not in the database, a
 * database that is missing, not aifsim's or of a newer schema; 1 for any other SQLite error.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "base/units.h"
#include "report/compare.h"
#include "report/store.h"
#include "report/text.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char runs_usage[] =
    "usage: aifsim runs --db FILE\n"
    "       aifsim runs show ID --db FILE [--scenario]\n"
    "       aifsim runs diff ID1 ID2 --db FILE [--all]\n"
    "\n"
    "Lists, shows and compares the runs that `aifsim run FILE --db FILE` stored in a results\n"
    "database.\n"
    "\n"
    "  (no action)       one line per run: id, when stored (UTC), scenario, seed, simulated\n"
    "                    time, the first training job's GPU utilization, total cost, sweep\n"
    "                    (\"2 p5 r1\": sweep 2, point 5, replication 1), overrides\n"
    "  show ID           the run's summary as `aifsim run` printed it, with its provenance,\n"
    "                    and the time series it holds\n"
    "  diff ID1 ID2      the inputs that differ (scenario text, overrides, seed, catalog,\n"
    "                    version) and the results side by side as `aifsim compare` shows them\n"
    "\n"
    "  --db FILE         the results database (required)\n"
    "  --scenario        with show: print the scenario file as stored, alone\n"
    "  --all             with diff: every metric, not only the headline ones\n"
    "\n"
    "exit status: 0 ok, 1 a database error, 2 bad input (a run that is not stored included)\n";

/* A value as the summary prints it, "-" for NaN (what was not recorded), into buf. */
static const char *runs_q(double v, af_dim dim, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "-");
        return buf;
    }
    return af_report_text_value(v, dim, buf, n);
}

/* ---- list ---------------------------------------------------------------------------------- */

static int runs_list(af_store *st, const char *db, af_diag *d)
{
    af_store_run *v = NULL;
    size_t n = 0;
    if (af_store_list(st, &v, &n, d) != AF_OK)
        return 1;
    if (n == 0) {
        printf("%s holds no runs yet; `aifsim run FILE --db %s` stores one\n", db, db);
        af_free(v);
        return 0;
    }
    /* Cells first, to size the columns. */
    enum { NCOL = 9 };
    static const char *const head[NCOL] = {
        "id", "stored (UTC)", "scenario", "seed", "duration", "GPU util (1st job)", "total cost",
        "sweep", "overrides"};
    static const bool right[NCOL] = {true, false, false, true, true, true, true, false, false};
    char **cell = af_calloc(n * NCOL, sizeof *cell);
    size_t width[NCOL];
    for (int c = 0; c < NCOL; c++)
        width[c] = strlen(head[c]);
    for (size_t i = 0; i < n; i++) {
        const af_store_run *r = &v[i];
        char a[48], b[48];
        char **row = cell + i * NCOL;
        row[0] = af_strfmt("%" PRId64, r->id);
        row[1] = af_strdup(r->stored_at);
        row[2] = af_strfmt("%s%s", r->scenario, r->partial ? " (PARTIAL)" : "");
        row[3] = af_strfmt("%" PRIu64, r->seed);
        row[4] = af_strdup(runs_q(r->duration_s, AF_DIM_TIME, a, sizeof a));
        if (r->util_job)
            row[5] = af_strfmt("%s (%s)", runs_q(r->util, AF_DIM_RATIO, a, sizeof a), r->util_job);
        else
            row[5] = af_strdup("-");
        row[6] = af_strdup(runs_q(r->cost_total, AF_DIM_MONEY, b, sizeof b));
        /* "2 p5 r1": sweep 2, its point 5, replication 1 (`aifsim sweep --db`) */
        row[7] = r->sweep_id ? af_strfmt("%" PRId64 " p%" PRId64 " r%" PRId64, r->sweep_id,
                                         r->sweep_point, r->sweep_replication)
                             : af_strdup("-");
        row[8] = af_strdup(r->overrides);
        for (int c = 0; c < NCOL; c++)
            if (strlen(row[c]) > width[c])
                width[c] = strlen(row[c]);
    }
    printf("%zu run%s in %s\n", n, n == 1 ? "" : "s", db);
    for (size_t i = 0; i <= n; i++) {
        for (int c = 0; c < NCOL; c++) {
            const char *t = i == 0 ? head[c] : cell[(i - 1) * NCOL + c];
            if (c == NCOL - 1)
                printf("%s\n", t);
            else if (right[c])
                printf("%*s  ", (int)width[c], t);
            else
                printf("%-*s  ", (int)width[c], t);
        }
    }
    for (size_t i = 0; i < n * NCOL; i++)
        af_free(cell[i]);
    af_free(cell);
    for (size_t i = 0; i < n; i++)
        af_store_run_fini(&v[i]);
    af_free(v);
    return 0;
}

/* ---- show ---------------------------------------------------------------------------------- */

static void runs_print_series(const af_results *res)
{
    size_t ns = af_results_nseries(res);
    if (ns == 0) {
        printf("\nno time series stored\n");
        return;
    }
    /* Cells: name, windows, min, mean, max; then the columns sized to them. */
    enum { NCOL = 5 };
    char (*cell)[NCOL][64] = af_calloc(ns, sizeof *cell);
    static const char *const head[NCOL] = {"series", "windows", "min", "mean", "max"};
    size_t w[NCOL];
    for (int c = 0; c < NCOL; c++)
        w[c] = strlen(head[c]);
    for (size_t i = 0; i < ns; i++) {
        const af_series *s = af_results_series_get(res, i);
        double lo = INFINITY, hi = -INFINITY, sum = 0;
        size_t k = 0;
        for (size_t j = 0; j < s->n; j++) {
            if (isnan(s->v[j]))
                continue;
            lo = s->v[j] < lo ? s->v[j] : lo;
            hi = s->v[j] > hi ? s->v[j] : hi;
            sum += s->v[j];
            k++;
        }
        char dt[48];
        snprintf(cell[i][0], sizeof cell[i][0], "%.63s", s->name);
        snprintf(cell[i][1], sizeof cell[i][1], "%zu x %s", s->n,
                 af_units_format(s->dt, AF_DIM_TIME, dt, sizeof dt));
        runs_q(k ? lo : NAN, s->dim, cell[i][2], sizeof cell[i][2]);
        runs_q(k ? sum / (double)k : NAN, s->dim, cell[i][3], sizeof cell[i][3]);
        runs_q(k ? hi : NAN, s->dim, cell[i][4], sizeof cell[i][4]);
        for (int c = 0; c < NCOL; c++)
            if (strlen(cell[i][c]) > w[c])
                w[c] = strlen(cell[i][c]);
    }
    printf("\ntime series: %zu, each the mean of a quantity over consecutive windows\n", ns);
    for (size_t i = 0; i <= ns; i++) {
        for (int c = 0; c < NCOL; c++) {
            const char *t = i == 0 ? head[c] : cell[i - 1][c];
            if (c == 0)
                printf("  %-*s", (int)w[c], t);
            else
                printf("  %*s", (int)w[c], t);
        }
        printf("\n");
    }
    af_free(cell);
}

static int runs_show(af_store *st, const char *db, int64_t id, bool scenario, af_diag *d)
{
    af_store_run r;
    int rc = af_store_get(st, id, !scenario, &r, d);
    if (rc != AF_OK)
        return rc == AF_EINPUT ? 2 : 1;
    if (scenario) {
        fwrite(r.text, 1, r.text_len, stdout);
    } else {
        char *title = af_strfmt("run %" PRId64 " of %s: %s (%s), stored %s UTC", r.id, db,
                                r.scenario, r.scenario_file, r.stored_at);
        af_report_text(r.res, title, stdout);
        af_free(title);
        runs_print_series(r.res);
    }
    af_store_run_fini(&r);
    return 0;
}

/* ---- diff ---------------------------------------------------------------------------------- */

/* The lines of a text (borrowed pointers and lengths, without the newline). */
typedef struct runs_lines {
    const char **p;
    size_t *len;
    size_t n;
} runs_lines;

static void runs_split(const char *t, size_t n, runs_lines *l)
{
    size_t capp = 0, capl = 0;
    l->p = NULL;
    l->len = NULL;
    l->n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && t[i] != '\n')
            continue;
        if (i == n && start == n)
            break; /* no line after a final newline */
        l->p = af_grow(l->p, &capp, l->n + 1, sizeof *l->p);
        l->len = af_grow(l->len, &capl, l->n + 1, sizeof *l->len);
        l->p[l->n] = t + start;
        l->len[l->n++] = i - start;
        start = i + 1;
    }
}

static bool runs_line_eq(const runs_lines *a, size_t i, const runs_lines *b, size_t j)
{
    return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* Up to this many differing lines are printed. */
#define RUNS_DIFF_SHOW 20
/* The longest common subsequence is found for cores of up to this many line pairs. */
#define RUNS_DIFF_CELLS 4000000

static void runs_diff_line(char sign, size_t no, const char *p, size_t len, size_t *shown)
{
    if ((*shown)++ < RUNS_DIFF_SHOW)
        printf("      %c %zu: %.*s\n", sign, no, (int)len, p);
}

/* Prints which lines of text a became which of b: a line diff of the part between the common
 * head and tail (longest common subsequence; every line of it when it is too large). */
static void runs_text_diff(const char *ta, size_t na, const char *tb, size_t nb)
{
    runs_lines a, b;
    runs_split(ta, na, &a);
    runs_split(tb, nb, &b);
    size_t pre = 0;
    while (pre < a.n && pre < b.n && runs_line_eq(&a, pre, &b, pre))
        pre++;
    size_t suf = 0;
    while (suf < a.n - pre && suf < b.n - pre && runs_line_eq(&a, a.n - 1 - suf, &b, b.n - 1 - suf))
        suf++;
    size_t n = a.n - pre - suf, m = b.n - pre - suf;
    size_t removed = 0, added = 0, shown = 0;
    uint32_t *L = NULL;
    if (n > 0 && m > 0 && (double)(n + 1) * (double)(m + 1) <= RUNS_DIFF_CELLS) {
        /* L[i][j]: the LCS of a's core from i and b's core from j. */
        L = af_calloc((n + 1) * (m + 1), sizeof *L);
        for (size_t i = n; i-- > 0;)
            for (size_t j = m; j-- > 0;)
                L[i * (m + 1) + j] =
                    runs_line_eq(&a, pre + i, &b, pre + j)
                        ? L[(i + 1) * (m + 1) + j + 1] + 1
                        : (L[(i + 1) * (m + 1) + j] > L[i * (m + 1) + j + 1]
                               ? L[(i + 1) * (m + 1) + j]
                               : L[i * (m + 1) + j + 1]);
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (L && i < n && j < m && runs_line_eq(&a, pre + i, &b, pre + j)) {
            i++, j++;
        } else if (i < n && (j == m || !L || L[(i + 1) * (m + 1) + j] >= L[i * (m + 1) + j + 1])) {
            runs_diff_line('-', pre + i + 1, a.p[pre + i], a.len[pre + i], &shown);
            removed++;
            i++;
        } else {
            runs_diff_line('+', pre + j + 1, b.p[pre + j], b.len[pre + j], &shown);
            added++;
            j++;
        }
    }
    if (shown > RUNS_DIFF_SHOW)
        printf("      ... and %zu more\n", shown - RUNS_DIFF_SHOW);
    printf("      (%zu line%s removed, %zu added: - at A's line numbers, + at B's)\n", removed,
           removed == 1 ? "" : "s", added);
    af_free(L);
    af_free(a.p);
    af_free(a.len);
    af_free(b.p);
    af_free(b.len);
}

/* One input row: "same: X" or "differs: X -> Y". Returns whether it differs. */
static bool runs_input(const char *label, const char *a, const char *b)
{
    bool differs = strcmp(a, b) != 0;
    if (differs)
        printf("  %-16s differs: %s -> %s\n", label, a, b);
    else
        printf("  %-16s same: %s\n", label, a);
    return differs;
}

/* The overrides of run.overrides ("a=1; b=2", "none"), split (borrowed from a copy in *buf). */
static const char **runs_overrides(const char *o, char **buf, size_t *n)
{
    *n = 0;
    *buf = af_strdup(o);
    const char **v = af_malloc_array(strlen(o) / 2 + 2, sizeof *v);
    if (strcmp(o, "none") == 0 || !*o)
        return v;
    char *p = *buf;
    for (;;) {
        v[(*n)++] = p;
        char *sep = strstr(p, "; ");
        if (!sep)
            break;
        *sep = '\0';
        p = sep + 2;
    }
    return v;
}

static int runs_diff(af_store *st, const char *db, int64_t ida, int64_t idb, bool all, af_diag *d)
{
    af_store_run a, b;
    int rc = af_store_get(st, ida, true, &a, d);
    if (rc != AF_OK)
        return rc == AF_EINPUT ? 2 : 1;
    rc = af_store_get(st, idb, true, &b, d);
    if (rc != AF_OK) {
        af_store_run_fini(&a);
        return rc == AF_EINPUT ? 2 : 1;
    }
    printf("runs %" PRId64 " (A) and %" PRId64 " (B) of %s\n", a.id, b.id, db);
    printf("  stored %s UTC (A) and %s UTC (B)\n\n", a.stored_at, b.stored_at);

    printf("inputs\n");
    const char *what[8];
    size_t nd = 0;
    if (runs_input("scenario", a.scenario, b.scenario))
        what[nd++] = "scenario";
    if (runs_input("scenario file", a.scenario_file, b.scenario_file))
        what[nd++] = "scenario file";
    bool text = a.text_len != b.text_len || memcmp(a.text, b.text, a.text_len) != 0;
    if (strcmp(a.scenario_hash, b.scenario_hash) != 0 || text) {
        printf("  %-16s differs: hash %s -> %s\n", "scenario text", a.scenario_hash,
               b.scenario_hash);
        runs_text_diff(a.text, a.text_len, b.text, b.text_len);
        what[nd++] = "scenario text";
    } else {
        printf("  %-16s same: hash %s\n", "scenario text", a.scenario_hash);
    }
    if (runs_input("overrides", a.overrides, b.overrides))
        what[nd++] = "overrides";
    char sa[24], sb[24];
    snprintf(sa, sizeof sa, "%" PRIu64, a.seed);
    snprintf(sb, sizeof sb, "%" PRIu64, b.seed);
    if (runs_input("seed", sa, sb))
        what[nd++] = "seed";
    if (runs_input("model catalog", a.catalog_hash, b.catalog_hash))
        what[nd++] = "model catalog";
    if (runs_input("aifsim version", a.version, b.version))
        what[nd++] = "aifsim version";
    if (nd == 0) {
        printf("  the inputs are the same\n");
    } else {
        printf("  %zu input%s differ%s:", nd, nd == 1 ? "" : "s", nd == 1 ? "s" : "");
        for (size_t i = 0; i < nd; i++)
            printf("%s %s", i ? "," : "", what[i]);
        printf("\n");
    }
    printf("\n");

    char *bufa, *bufb;
    size_t noa, nob;
    const char **oa = runs_overrides(a.overrides, &bufa, &noa);
    const char **ob = runs_overrides(b.overrides, &bufb, &nob);
    char *ca = af_strfmt("run %" PRId64, a.id), *cb = af_strfmt("run %" PRId64, b.id);
    af_compare_side side_a = {.file = a.scenario_file,
                              .name = a.scenario,
                              .seed = a.seed,
                              .overrides = oa,
                              .noverrides = noa,
                              .column = ca};
    af_compare_side side_b = {.file = b.scenario_file,
                              .name = b.scenario,
                              .seed = b.seed,
                              .overrides = ob,
                              .noverrides = nob,
                              .column = cb};
    af_compare *cmp = af_compare_new(a.res, b.res);
    af_report_compare_text(cmp, &side_a, &side_b, all, "results", stdout);
    af_compare_free(cmp);
    af_free(ca);
    af_free(cb);
    af_free(oa);
    af_free(ob);
    af_free(bufa);
    af_free(bufb);
    af_store_run_fini(&a);
    af_store_run_fini(&b);
    return 0;
}

int af_cmd_runs(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "runs");
    af_diag *d = c.d;
    int rc = 2;
    const char *db = NULL, *action = NULL;
    const char *ids[2];
    size_t nids = 0;
    bool all = false, scenario = false;
    af_store *st = NULL;

    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (af_cli_is_help(argv[i])) {
            rc = af_cli_help(&c, runs_usage);
            goto done;
        } else if ((v = af_cli_take(argc, argv, &i, "--db", &missing))) {
            db = v;
        } else if (strcmp(argv[i], "--all") == 0) {
            all = true;
        } else if (strcmp(argv[i], "--scenario") == 0) {
            scenario = true;
        } else if (missing) {
            af_cli_missing_value(&c, argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            af_cli_unknown_option(&c, argv[i]);
        } else if (!action) {
            static const char *const actions[] = {"list", "show", "diff"};
            if (strcmp(argv[i], "list") && strcmp(argv[i], "show") && strcmp(argv[i], "diff")) {
                const char *near = af_did_you_mean(argv[i], actions, 3);
                af_diag_error(d,
                              "`aifsim runs` takes show ID or diff ID1 ID2, got \"%s\"%s%s%s; "
                              "see `aifsim runs --help`",
                              argv[i], near ? "; did you mean \"" : "", near ? near : "",
                              near ? "\"?" : "");
            }
            action = argv[i];
        } else if (nids < 2) {
            ids[nids++] = argv[i];
        } else {
            af_diag_error(d, "`aifsim runs %s` takes at most two run ids, got a third: \"%s\"",
                          action, argv[i]);
        }
    }
    if (!action)
        action = "list";
    size_t want = strcmp(action, "show") == 0 ? 1 : strcmp(action, "diff") == 0 ? 2 : 0;
    if (af_diag_errors(d) == 0) {
        if (nids != want) {
            if (want == 0)
                af_diag_error(d, "`aifsim runs` takes no run id (did you mean `aifsim runs show "
                                 "%s`?)",
                              ids[0]);
            else
                af_diag_error(d, "`aifsim runs %s` needs %s, got %zu; see `aifsim runs --help`",
                              action, want == 1 ? "a run id" : "two run ids", nids);
        }
        if (!db)
            af_diag_error(d, "`aifsim runs` needs --db FILE, the results database that "
                             "`aifsim run FILE --db FILE` wrote");
        if (all && want != 2)
            af_diag_error(d, "--all is for `aifsim runs diff`");
        if (scenario && want != 1)
            af_diag_error(d, "--scenario is for `aifsim runs show`");
    }
    int64_t id[2] = {0, 0};
    for (size_t k = 0; k < nids && af_diag_errors(d) == 0; k++)
        if (!af_store_parse_id(ids[k], &id[k]))
            af_diag_error(d,
                          "`aifsim runs %s` expects a run id such as \"3\" (`aifsim runs --db "
                          "FILE` lists them), got \"%s\"",
                          action, ids[k]);
    if (af_diag_errors(d))
        goto done;

    rc = af_store_open(db, false, &st, d);
    if (rc != AF_OK) {
        rc = rc == AF_EINPUT ? 2 : 1;
        goto done;
    }
    if (want == 0)
        rc = runs_list(st, db, d);
    else if (want == 1)
        rc = runs_show(st, db, id[0], scenario, d);
    else
        rc = runs_diff(st, db, id[0], id[1], all, d);

done:
    af_store_close(st);
    return af_cli_finish(&c, rc);
}
