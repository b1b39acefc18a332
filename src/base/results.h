/*
 * results: what a run produced, as a plain value.
 *
 * Models and workloads write scalar metrics into it; the report layer reads it; nothing else
 * passes between them. Each metric has a stable dotted name ("train.main.gpu_utilization",
 * "storage.hot.read_rate"), a value in SI base units and its dimension, which the report layer
 * uses both to print it for people ("31.2 GB/s") and to label it in JSON ("B/s"). Metrics keep
 * the order in which they were first set, so outputs follow declaration order, never hash order.
 */
#ifndef AF_BASE_RESULTS_H
#define AF_BASE_RESULTS_H

#include "base/units.h"

#include <stddef.h>

/* One metric: a scalar, or a short text (the name of a bottleneck). */
typedef struct af_metric {
    char *name;   /* stable dotted name, owned */
    char *label;  /* short human label for summaries ("GPU utilization"), owned; may be NULL */
    double value; /* value in SI base units of `dim` (NaN for a text metric) */
    af_dim dim;   /* dimension; fixes the unit */
    char *text;   /* the text of a text metric, owned; NULL for a scalar */
} af_metric;

typedef struct af_results af_results;

/* Creates empty results; free with af_results_free. */
af_results *af_results_new(void);
void af_results_free(af_results *r);

/* Sets metric `name` (copied) to value. A new name is appended; an existing one is overwritten in
 * place and keeps its position. label may be NULL. */
void af_results_set(af_results *r, const char *name, double value, af_dim dim, const char *label);

/* Sets metric `name` to the text `text` (copied), like af_results_set. */
void af_results_set_text(af_results *r, const char *name, const char *text, const char *label);

/* Returns the metric called name, or NULL. The pointer is borrowed and stays valid until the
 * next af_results_set or af_results_free. */
const af_metric *af_results_find(const af_results *r, const char *name);

/* Number of metrics and the i-th in insertion order (borrowed as above). */
size_t af_results_count(const af_results *r);
const af_metric *af_results_get(const af_results *r, size_t i);

/* ---- Time series ------------------------------------------------------------------------------
 * A series holds the mean of one quantity over consecutive windows of equal width, the first
 * starting at t = 0. Memory is bounded whatever the run's duration: a series keeps at most
 * AF_SERIES_MAX points, and when it is full each pair of neighbouring windows merges into one of
 * twice the width (the mean of the two), so a long run keeps between AF_SERIES_MAX / 2 and
 * AF_SERIES_MAX points at the finest width that fits. A producer pushes one value per base window
 * (base_dt) to every series of a run, so all series of a run share one time grid. Series keep
 * the order in which they were first made. */

#define AF_SERIES_MAX 2048

typedef struct af_series {
    char *name;    /* dotted name as a metric's ("pool.llm.gpu_utilization"), owned */
    char *label;   /* human label, owned; may be NULL */
    af_dim dim;    /* unit of every point (SI base units) */
    double dt;     /* width of one point's window, s (base_dt x per) */
    size_t n;      /* points */
    double *v;     /* n window means */
    size_t per;    /* base windows per point (a power of two) */
    double acc;    /* sum of the base values of the point being filled */
    size_t acc_n;  /* how many it holds (< per) */
    size_t pushed; /* base values pushed in all */
} af_series;

/* The series called name, made empty (base window base_dt > 0 s) when new. The pointer stays
 * valid until af_results_free (series are never moved). */
af_series *af_results_series(af_results *r, const char *name, af_dim dim, const char *label,
                             double base_dt);

/* Appends one base window's value. */
void af_series_push(af_series *s, double v);

/* Time in s at which point i's window starts: i x dt. */
double af_series_t(const af_series *s, size_t i);

/* Number of series, the i-th in making order, and the one called name (NULL when none). */
size_t af_results_nseries(const af_results *r);
const af_series *af_results_series_get(const af_results *r, size_t i);
const af_series *af_results_series_find(const af_results *r, const char *name);

#endif
