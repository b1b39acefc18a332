/*
 * report_cmd: `aifsim report --db FILE --run ID [--run ID2] (--pdf OUT | --png DIR)...`: the
 * capacity report of a run stored with `aifsim run FILE --db FILE` (report/store.h), rebuilt
 * from its stored metrics and time series without running anything (report/pdf.h). With one
 * --run it is that run's report, as `run --pdf` wrote it; with two, the comparison of the first
 * (A) with the second (B), as `compare --pdf` writes it.
 *
 * The outputs are checked before the database is opened (a path that cannot be written exits
 * 1), then the runs are loaded (a run id not stored exits 2), then the files are written
 * atomically. The stored results hold the provenance every run writes (scenario, file, text
 * hash, overrides, version, catalog hash), so the report says what produced the run; the
 * comparison's columns are the scenarios' names, or "run ID" when both have one name.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/options.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "base/outfile.h"
#include "report/compare.h"
#include "report/pdf.h"
#include "report/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char report_usage[] =
    "usage: aifsim report --db FILE --run ID [--pdf OUT] [--png DIR]\n"
    "       aifsim report --db FILE --run ID1 --run ID2 [--pdf OUT] [--png DIR]\n"
    "\n"
    "Writes the capacity report of a run stored with `aifsim run FILE --db FILE`, from its\n"
    "stored metrics and time series, without running it again; with two runs, the comparison\n"
    "of the first with the second, as `aifsim compare --pdf` writes it.\n"
    "\n"
    "  --db FILE         the results database (required)\n"
    "  --run ID          the stored run (repeat once for a comparison)\n"
    "  --pdf OUT         write the report as PDF (\"-\" for stdout)\n"
    "  --png DIR         write each chart as a PNG file into DIR (created when missing)\n"
    "\n"
    "exit status: 0 ok, 1 a database error or an output failed, 2 bad input (a run that is\n"
    "not stored included)\n";

/* What the comparison's reports say of a stored run: its file, name, seed and overrides (the
 * stored "a=1; b=2" split at "; "). */
typedef struct report_side {
    af_store_run run;
    char **overrides; /* owned strings */
    size_t noverrides;
    char *column; /* owned */
    af_compare_side side;
} report_side;

static void report_side_describe(report_side *s, const char *column)
{
    const char *o = s->run.overrides ? s->run.overrides : "none";
    if (strcmp(o, "none") != 0 && *o) {
        const char *p = o;
        for (;;) {
            const char *end = strstr(p, "; ");
            size_t len = end ? (size_t)(end - p) : strlen(p);
            s->overrides = af_realloc_array(s->overrides, s->noverrides + 1, sizeof *s->overrides);
            s->overrides[s->noverrides++] = af_strfmt("%.*s", (int)len, p);
            if (!end)
                break;
            p = end + 2;
        }
    }
    s->column = af_strdup(column);
    s->side = (af_compare_side){.file = s->run.scenario_file ? s->run.scenario_file : "",
                                .name = s->run.scenario ? s->run.scenario : "",
                                .seed = s->run.seed,
                                .overrides = (const char *const *)s->overrides,
                                .noverrides = s->noverrides,
                                .column = s->column};
}

static void report_side_fini(report_side *s)
{
    af_store_run_fini(&s->run);
    for (size_t i = 0; i < s->noverrides; i++)
        af_free(s->overrides[i]);
    af_free(s->overrides);
    af_free(s->column);
}

int af_cmd_report(int argc, char **argv)
{
    af_cli c;
    af_cli_start(&c, "report");
    af_diag *d = c.d;
    int rc = 2;
    const char *db = NULL, *pdf = NULL, *png = NULL;
    int64_t id[2] = {0, 0};
    size_t nid = 0;
    af_store *st = NULL;
    report_side side[2];
    memset(side, 0, sizeof side);
    size_t loaded = 0;
    af_compare *cmp = NULL;

    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (af_cli_is_help(argv[i])) {
            rc = af_cli_help(&c, report_usage);
            goto done;
        } else if ((v = af_cli_take(argc, argv, &i, "--db", &missing))) {
            db = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--pdf", &missing))) {
            pdf = v;
        } else if ((v = af_cli_take(argc, argv, &i, "--png", &missing))) {
            png = v;
            if (!*v || strcmp(v, "-") == 0)
                af_diag_error(d, "--png: expected a directory, got \"%s\"", v);
        } else if ((v = af_cli_take(argc, argv, &i, "--run", &missing))) {
            if (nid == 2)
                af_diag_error(d, "`aifsim report` takes one or two --run, got a third: \"%s\"",
                              v);
            else if (!af_store_parse_id(v, &id[nid++]))
                af_diag_error(d, "--run: expected a run id (a whole number from 1), got \"%s\"",
                              v);
        } else if (missing) {
            /* reported below */
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            af_cli_unknown_option(&c, argv[i]);
        } else {
            af_diag_error(d, "`aifsim report` takes no file argument, got \"%s\"; see "
                             "`aifsim report --help`",
                          argv[i]);
        }
        if (missing)
            af_cli_missing_value(&c, argv[i]);
    }
    if (af_diag_errors(d) == 0) {
        if (!db)
            af_diag_error(d, "`aifsim report` needs --db FILE, the results database");
        if (nid == 0)
            af_diag_error(d, "`aifsim report` needs --run ID, a run stored in the database "
                             "(`aifsim runs --db FILE` lists them)");
        if (!pdf && !png)
            af_diag_error(d, "`aifsim report` needs an output: --pdf OUT or --png DIR");
        if (db && pdf)
            af_cli_check_not_input(&c, "--pdf", pdf, "results database", db);
    }
    if (af_diag_errors(d))
        goto done;
    if ((pdf && af_outfile_check(pdf, d) != AF_OK) ||
        (png && af_report_png_check(png, d) != AF_OK)) {
        rc = 1;
        goto done;
    }
    rc = af_store_open(db, false, &st, d);
    if (rc != AF_OK) {
        rc = rc == AF_EINPUT ? 2 : 1;
        goto done;
    }
    for (size_t k = 0; k < nid; k++) {
        rc = af_store_get(st, id[k], true, &side[k].run, d);
        if (rc != AF_OK) {
            rc = rc == AF_EINPUT ? 2 : 1;
            goto done;
        }
        loaded++;
    }
    rc = 1;
    if (nid == 1) {
        if (pdf && af_report_pdf_save(side[0].run.res, pdf, d) != AF_OK)
            goto done;
        if (png && af_report_png_save(side[0].run.res, png, d) != AF_OK)
            goto done;
    } else {
        /* Columns: the scenarios' names, or the run ids when the names are the same. */
        const char *na = side[0].run.scenario ? side[0].run.scenario : "";
        const char *nb = side[1].run.scenario ? side[1].run.scenario : "";
        bool same = strcmp(na, nb) == 0;
        char ca[64], cb[64];
        snprintf(ca, sizeof ca, "run %" PRId64, id[0]);
        snprintf(cb, sizeof cb, "run %" PRId64, id[1]);
        report_side_describe(&side[0], same ? ca : na);
        report_side_describe(&side[1], same ? cb : nb);
        cmp = af_compare_new(side[0].run.res, side[1].run.res);
        if (pdf && af_report_compare_pdf_save(side[0].run.res, side[1].run.res, cmp,
                                              &side[0].side, &side[1].side, pdf, d) != AF_OK)
            goto done;
        if (png && af_report_compare_png_save(side[0].run.res, side[1].run.res, &side[0].side,
                                              &side[1].side, png, d) != AF_OK)
            goto done;
    }
    rc = 0;

done:
    af_compare_free(cmp);
    for (size_t k = 0; k < loaded; k++)
        report_side_fini(&side[k]);
    af_store_close(st);
    return af_cli_finish(&c, rc);
}
