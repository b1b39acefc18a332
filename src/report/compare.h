/*
 * compare: two runs side by side (`aifsim compare`).
 *
 * af_compare_new matches the metrics of two results by name into rows, one per metric that
 * either run wrote, in the summary's order: run A's metrics in the order A recorded them, and a
 * metric only B wrote right after the metric B recorded before it (past the rest of that
 * metric's group, when it opens a group of its own: a tier only B has comes after A's last
 * tier's figures, not in the middle of them). Each row holds B - A and B / A - 1 where both are
 * defined: both runs wrote the metric as a finite number of the same unit, and, for the ratio,
 * A's value is not 0. A text metric (a bottleneck's name) only says whether the texts differ.
 *
 * The text report prints a headline selection of rows (af_compare_headline) or every row, grouped
 * as the run summary groups metrics and formatted as it formats them (report/text.h); the
 * difference of two shares is in percentage points ("+12.5 pp"), the ratio a signed percentage
 * ("+12.5%"). The JSON report writes every row, in SI base units:
 *     {"a": {"file": ..., "name": ..., "seed": N, "overrides": ["PATH=VALUE", ...]},
 *      "b": {...},
 *      "metrics": [{"name": ..., "unit": "W", "a": 1, "b": 2, "diff": 1, "ratio": 1}, ...]}
 * with null for what is not defined (a metric one run did not write, a ratio over 0) and, for a
 * text metric, "unit": "text" and the two texts as strings.
 */
#ifndef AF_REPORT_COMPARE_H
#define AF_REPORT_COMPARE_H

#include "base/diag.h"
#include "base/results.h"
#include "base/units.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One metric of the comparison. */
typedef struct af_compare_row {
    const char *name;   /* the metric's name (borrowed from a or b) */
    const char *label;  /* its summary label (A's, else B's; borrowed), or NULL */
    const af_metric *a; /* the metric in run A (borrowed), NULL when A did not write it */
    const af_metric *b; /* the metric in run B, NULL when B did not write it */
    af_dim dim;         /* its unit (A's, else B's); meaningless for a text metric */
    bool text;          /* a text metric on either side */
    bool differs;       /* the values (or texts) differ, or only one run wrote the metric */
    bool provenance;    /* a text of the run's provenance (run.scenario_hash, run.overrides,
                         * ...): what produced the run, not a result; shown with --all and
                         * never counted as a difference */
    bool has_diff;      /* both are finite numbers of the same unit: diff is defined */
    double diff;        /* b - a, in SI base units */
    bool has_ratio;     /* has_diff and a != 0: ratio is defined */
    double ratio;       /* b / a - 1 (computed as diff / a) */
} af_compare_row;

/* The comparison: the rows, in order. The metrics are borrowed from the two results, which must
 * outlive it unchanged. */
typedef struct af_compare {
    af_compare_row *rows; /* owned */
    size_t n;             /* number of rows */
} af_compare;

/* Matches the metrics of a and b; release with af_compare_free. */
af_compare *af_compare_new(const af_results *a, const af_results *b);
void af_compare_free(af_compare *c);

/* True when the metric called name belongs to the headline selection the text report prints
 * without `all`: per training job its GPU utilization, data wait, bottleneck, steps, samples
 * per second and goodput; per burst its slowdown and per look-up stream its p99 latency; per
 * serving workload its throughput, p99 latency (and during checkpoint writes), share within the
 * objective, rejections and an LLM service's p99 times to first token and per output token; the
 * power of each pool, tier and fabric; each tier's delivered read and write rates, its nodes,
 * devices, rack units, capital and price; the run's duration; and everything under facility.
 * and cost. (power, energy, racks, carbon, capital, running cost, TCO, cost per unit of
 * output). Chosen by name patterns, so metrics added later under these names are selected
 * without a change here. */
bool af_compare_headline(const char *name);

/* How one side of the comparison came about, for the reports. */
typedef struct af_compare_side {
    const char *file;             /* the scenario file */
    const char *name;             /* the scenario's name */
    uint64_t seed;                /* the seed it ran with */
    const char *const *overrides; /* the PATH=VALUE overrides applied to it, in order */
    size_t noverrides;            /* number of overrides */
    const char *column;           /* heading of its column ("flagship", "storage.hot.nodes=4") */
} af_compare_side;

/* Prints the comparison to f under the title line: the two sides, then one row per metric
 * (every one with all, else the headline selection), then how many were shown and differ. */
void af_report_compare_text(const af_compare *c, const af_compare_side *a, const af_compare_side *b,
                            bool all, const char *title, FILE *f);

/* Writes the comparison as JSON to path ("-" for stdout), atomically (base/outfile.h). Returns
 * AF_OK, or AF_EIO with an error in d and no file left behind. */
int af_report_compare_json_save(const af_compare *c, const af_compare_side *a,
                                const af_compare_side *b, const char *path, af_diag *d);

#endif
