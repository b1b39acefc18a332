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

#endif
