/*
 * sweep_report: the results of a sweep (`aifsim sweep`) as a table for people, a CSV file and a
 * PDF of charts. The report layer sees only this plain record: one row per point of the grid,
 * with the point's varied values and, per metric, the mean over its replications and, with
 * more than one, the 95% confidence interval (computed by the caller, plan/sweep.h).
 *
 *   text   one line per point: its number, the varied values, then the chosen metrics
 *          (af_sweep_report_select) formatted as the run summary formats them, "mean +- half
 *          width" with replications; a point that did not run (interrupted, failed) shows "-".
 *   CSV    DIR/sweep.csv: a header, then one row per point: point, every varied path (its value
 *          as given), then every metric any point wrote, in the order first seen: "NAME [UNIT]"
 *          (the SI unit af_units_si names, "text" for a text metric) with one replication, or
 *          "NAME:mean [UNIT]", "NAME:lo [UNIT]", "NAME:hi [UNIT]" with several (a text metric
 *          keeps the first replication's text). Numbers are %.17g in SI base units; a value a
 *          point lacks is an empty field. Written atomically (base/outfile.h).
 *   PDF    per chosen numeric metric, one chart of its mean against the first varied value
 *          (numbers on a linear axis, or a log axis when they grow by a constant factor of 2 or
 *          more; the values in order, evenly spaced, when they are not numbers of one unit), one
 *          line per value of the second varied path when there is one, the confidence interval
 *          as a band of error bars. Two charts per A4 landscape page.
 */
#ifndef AF_REPORT_SWEEP_REPORT_H
#define AF_REPORT_SWEEP_REPORT_H

#include "base/diag.h"
#include "base/units.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A metric column. */
typedef struct af_sweep_col {
    char *name;  /* the metric's name (owned) */
    char *label; /* its summary label (owned), or NULL */
    af_dim dim;  /* its unit (numbers) */
    bool text;   /* a text metric */
} af_sweep_col;

/* One point's figures. Columns past n were not written by this point. */
typedef struct af_sweep_row {
    bool done;    /* every replication of the point ran */
    size_t n;     /* columns held */
    double *mean; /* per column: the mean over the replications (NaN: none) (owned) */
    double *lo;   /* the confidence interval's ends (NaN with one replication) (owned) */
    double *hi;
    char **text; /* per column: a text metric's text (the first replication's), or NULL */
} af_sweep_row;

/* A varied path. */
typedef struct af_sweep_report_axis {
    const char *path;          /* "storage.hot.nodes" (borrowed) */
    size_t n;                  /* number of values */
    const char *const *values; /* the values as given (borrowed) */
    const double *x;           /* their numbers in the unit below, or NULL (borrowed) */
    const char *unit;          /* that unit ("" for bare numbers); meaningless without x */
} af_sweep_report_axis;

/* The whole sweep. Points are in grid order: the last axis varies fastest. */
typedef struct af_sweep_report {
    const char *title;                /* "aifsim 0.1.0: sweep of flagship (scenarios/x.yaml)" */
    const af_sweep_report_axis *axes; /* borrowed */
    size_t naxes;
    size_t npoints;
    size_t replications;
    af_sweep_col *cols; /* every metric any point wrote, in first-seen order (owned by caller) */
    size_t ncols;
    af_sweep_row *rows; /* npoints rows */
} af_sweep_report;

/* The columns the table and the charts show: each numeric column whose name matches one of the
 * npat fnmatch(3) patterns (patterns in order, columns in order within a pattern, each at most
 * once). Without patterns (npat 0): train.*.gpu_utilization, train.*.goodput, burst.*.slowdown,
 * lookup.*.latency_p99, inference.*.latency_p99, inference.*.slo_attainment, facility.power and
 * cost.total. Returns the number chosen, their indices in out (room for r->ncols). */
size_t af_sweep_report_select(const af_sweep_report *r, const char *const *pat, size_t npat,
                              size_t *out);

/* Prints the table of the ncol columns sel to f under the title. */
void af_sweep_report_text(const af_sweep_report *r, const size_t *sel, size_t nsel, FILE *f);

/* Writes DIR/sweep.csv (dir created when missing). Returns AF_OK or AF_EIO with an error in d. */
int af_sweep_report_csv_save(const af_sweep_report *r, const char *dir, af_diag *d);

/* Writes the charts of the columns sel as a PDF to path ("-" for stdout). Returns AF_OK or AF_EIO
 * with an error in d (no file left behind). */
int af_sweep_report_pdf_save(const af_sweep_report *r, const size_t *sel, size_t nsel,
                             const char *path, af_diag *d);

#endif
