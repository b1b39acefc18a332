/*
 * text: the run summary people read on stdout.
 *
 * Metrics are grouped by the first two parts of their dotted names ("train.vit", "storage.hot",
 * "cost") in the order the run recorded them, each printed with its label and a human unit. Each
 * training job opens with a one-line verdict: how busy its GPUs were and, when they waited, by how
 * much storage fell short of what they asked for.
 */
#ifndef AF_REPORT_TEXT_H
#define AF_REPORT_TEXT_H

#include "base/results.h"

#include <stddef.h>
#include <stdio.h>

/* Prints the summary of results r to f under a title line (e.g. the scenario name). */
void af_report_text(const af_results *r, const char *title, FILE *f);

/* Formats v (SI base units of dim) as the summary prints it into buf (n bytes) and returns buf:
 * af_units_format, except that a positive share below 0.01% reads "<0.01%". */
char *af_report_text_value(double v, af_dim dim, char *buf, size_t n);

/* Length of the group prefix of a metric name, as the summary groups metrics: up to the last dot
 * for names with three or more parts ("train.vit.steps" -> "train.vit"), the first part
 * otherwise ("cost.total" -> "cost"). */
size_t af_report_text_group_len(const char *name);

#endif
