/*
 * tornado: the results of a one-at-a-time sensitivity analysis (`aifsim sensitivity`) as a table
 * and a text tornado for people, a CSV file and a PDF tornado chart. The report layer sees only
 * this plain record: the metric at the base point and, per parameter, at its low and high values,
 * with the differences from the base computed by the caller (means over replications and, with
 * more than one, their 95% confidence intervals, plan/sweep.h).
 *
 *   text   the title, what was moved and by how much, the base value; then one line per
 *          parameter in the record's order (af_tornado_sort: the largest swing first): its name,
 *          "low value -> metric", "high value -> metric" and the swing (high - low, signed, so
 *          its sign says which way the metric goes as the parameter grows); then the tornado, a
 *          bar per parameter either side of a '|' at the base value, '-' where the low value
 *          takes the metric and '+' where the high value does, on one scale in the metric's
 *          unit, with the ends and the base labelled below. Values are formatted as the run
 *          summary formats them (af_report_text_value).
 *   CSV    one row per parameter: its path, the three values used as --set texts, the metric at
 *          the base, low and high points and the differences, numbers %.17g in SI base units
 *          (with replications, each difference's interval too). Written atomically.
 *   PDF    one A4 landscape page per 20 parameters: the title and the scenario, a line naming the
 *          metric and its unit, horizontal bars from the base line to the low (blue) and high
 *          (orange) metric values, each bar labelled at its end with the value used, the base
 *          line labelled with the base value, 95% intervals as whiskers, a legend. Written
 *          atomically, with no creation date: the same results give the same bytes.
 */
#ifndef AF_REPORT_TORNADO_H
#define AF_REPORT_TORNADO_H

#include "base/diag.h"
#include "base/units.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The mean of a figure over the replications and its 95% interval (lo and hi NaN with one
 * replication); all NaN when a run of it failed. SI base units of the metric. */
typedef struct af_tornado_stat {
    double mean;
    double lo;
    double hi;
} af_tornado_stat;

/* One moved parameter. */
typedef struct af_tornado_bar {
    const char *param;     /* its --set path, "storage.disk.nodes" (borrowed) */
    const char *base_text; /* its base value as written, "2" (borrowed) */
    const char *low_text;  /* the low value used, as a --set text, "1" (borrowed) */
    const char *high_text; /* the high value used, "3" (borrowed) */
    bool low_clamped;      /* the low value is the end of the field's range, not base x (1 - by) */
    bool high_clamped;     /* likewise the high one */
    af_tornado_stat low;   /* the metric at the low value */
    af_tornado_stat high;  /* at the high value */
    af_tornado_stat dlow;  /* low - base, paired replication by replication */
    af_tornado_stat dhigh; /* high - base */
    af_tornado_stat swing; /* high - low */
} af_tornado_bar;

/* The whole analysis. */
typedef struct af_tornado {
    const char *title;    /* "aifsim 0.1.0: sensitivity of vision-train-hdd (scenarios/x.yaml)" */
    const char *scenario; /* the scenario's name, for the PDF's footer */
    const char *metric;   /* the metric's name, "train.vit-b16.gpu_utilization" */
    const char *label;    /* its label in the run summary ("GPU utilization"), or NULL */
    af_dim dim;           /* its unit */
    double by;            /* the share each parameter was moved by, (0, 1) */
    size_t replications;  /* runs per point, >= 1 */
    unsigned long long seed; /* replication 1's seed */
    af_tornado_stat base;    /* the metric at the base point */
    af_tornado_bar *bars;    /* one per parameter (owned by the caller) */
    size_t n;
} af_tornado;

/* Sorts the bars by |swing.mean|, the largest first; bars without a swing (a failed run) go
 * last; equal swings keep their order (the order the parameters were given). */
void af_tornado_sort(af_tornado *t);

/* Prints the table and the text tornado to f. */
void af_tornado_text(const af_tornado *t, FILE *f);

/* Writes the table as CSV to path ("-" for standard output), atomically. Returns AF_OK, or AF_EIO
 * with an error in d and no file left behind. */
int af_tornado_csv_save(const af_tornado *t, const char *path, af_diag *d);

/* Writes the tornado chart as a PDF to path ("-" for standard output), atomically. Returns AF_OK,
 * or AF_EIO with an error in d and no file left behind. */
int af_tornado_pdf_save(const af_tornado *t, const char *path, af_diag *d);

#endif
