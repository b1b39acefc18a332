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

#include <stdio.h>

/* Prints the summary of results r to f under a title line (e.g. the scenario name). */
void af_report_text(const af_results *r, const char *title, FILE *f);

#endif
