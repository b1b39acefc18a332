/*
 * pdf: the capacity report as PDF pages and as PNG charts (`aifsim run --pdf FILE --png DIR`,
 * `aifsim compare ... --pdf FILE --png DIR`).
 *
 * A run's report is A4 landscape, vector throughout (Cairo's PDF surface, text laid out by Pango
 * with its fonts embedded as subsets):
 *   - a cover: the scenario, its provenance (the run.* text metrics: file, text hash, overrides,
 *     program version, catalog hash; seed and simulated time; a run cut short by Ctrl-C says so
 *     above its title, from run.partial), its findings in sentences built
 *     from the metrics (af_report_findings: what holds each job back, bursts against their QoS
 *     bound, look-ups and serving workloads against their objectives, each tier's use of its
 *     bandwidth and capacity, power and the site cap, cost) and the headline figures
 *     (af_report_headline);
 *   - the charts of report/chart.h, four to a page under their section's heading.
 * A comparison's report has a cover with both runs' provenance and sentences on what differs
 * (af_report_compare_findings), the headline rows of report/compare.h as a table of A, B, B - A
 * and B / A - 1 (as `aifsim compare` prints them), then each chart of both runs side by side on
 * one scale (af_chart_frame_join), and the cost charts with both runs' bars together.
 * Every page has a footer with the program's version, the scenario and the page number.
 *
 * Values are formatted as the text summary formats them (af_report_text_value), so a number in
 * the PDF is the number the summary printed. The output holds no date or host name (the PDF's
 * creation date is left out): the same results give the same bytes.
 *
 * The PNG files are the same charts, one file per chart (a comparison's pair in one image),
 * named "<NN>-<chart id>.png" in report order (ids of chart.h; characters other than letters,
 * digits, '.', '-' and '_' become '_'), 1200 pixels wide.
 *
 * Outputs are written whole or not at all (base/outfile.h): the PDF is made in memory and written
 * in one piece; every PNG is rendered before the first is written, and each is written to a
 * temporary name and renamed.
 */
#ifndef AF_REPORT_PDF_H
#define AF_REPORT_PDF_H

#include "base/diag.h"
#include "base/results.h"
#include "report/compare.h"

#include <stddef.h>

/* Sentences, each a new string. */
typedef struct af_findings {
    char **s;
    size_t n;
} af_findings;

void af_findings_free(af_findings *f);

/* The findings of one run, in sentences built from its metrics, in this order: each training
 * job (data-bound: the utilization storage holds it to, the rate each GPU got against its need
 * and the bottleneck, as the summary's verdict says it; else compute-bound; then its other
 * losses of 0.5% of the run or more: communication, checkpoints, failures; and its utilization
 * while bursts ran when it drops), each burst against its QoS bound, each look-up stream's p99
 * against its objective, each serving workload (its latency at its objective's quantile against
 * the objective, its p99 with and without checkpoint or burst writes on the tier it reads from,
 * what its slowest 1% spent their time on, the requests it rejected; for an LLM service its p99
 * times to first token and per output token against their objectives instead, then where later
 * turns found their KV caches, the prefill GPU time that saved and the KV bytes the storage tier
 * read and took), each tier's read rate against its bandwidth and bytes stored against its
 * capacity, the facility's power, energy and carbon, the site power cap, and the cost. */
void af_report_findings(const af_results *r, af_findings *out);

/* Sentences on what differs between runs a and b (named name_a and name_b): each job's GPU
 * utilization and bottleneck, each burst's slowdown, each look-up stream's p99 and verdict, each
 * serving workload's latency and verdict (an LLM service's times to first token and per output
 * token), its p99 during checkpoint writes and its rejections, each tier's size and power, facility
 * power and energy, racks and purchase price, cost per useful GPU-hour and TCO, embodied and
 * lifetime carbon, and the power cap's verdicts. */
void af_report_compare_findings(const af_results *a, const af_results *b, const char *name_a,
                                const char *name_b, af_findings *out);

/* One headline figure: its label and its value as the summary prints it. */
typedef struct af_headline_row {
    char *label;
    char *value;
} af_headline_row;

typedef struct af_headline {
    af_headline_row *rows;
    size_t n;
} af_headline;

/* The headline figures of a run: GPU utilization per job, delivered read rate per tier (of its
 * bandwidth), p99 latency per look-up stream (and its objective), per serving workload its latency
 * at its objective's quantile and its p99 during checkpoint writes (an LLM service's p99 times to
 * first token and per output token), each with its objective, facility power (mean and at
 * peak), energy, carbon (operational and embodied), racks, purchase price, the run's cost, cost
 * per useful GPU-hour, per million tokens and per million requests (when there are any), and the
 * TCO over the lifetime. */
void af_report_headline(const af_results *r, af_headline *out);
void af_headline_free(af_headline *h);

/* Writes the report of results r to path ("-" for standard output), atomically. Returns AF_OK,
 * or AF_EIO with an error in d and no file left behind. */
int af_report_pdf_save(const af_results *r, const char *path, af_diag *d);

/* Writes the charts of r as PNG files into directory dir (made when missing; its parent must
 * exist). Returns AF_OK, or AF_EIO with an error in d. */
int af_report_png_save(const af_results *r, const char *dir, af_diag *d);

/* The comparison of runs a and b (the results the comparison c was made from). */
int af_report_compare_pdf_save(const af_results *a, const af_results *b, const af_compare *c,
                               const af_compare_side *sa, const af_compare_side *sb,
                               const char *path, af_diag *d);
int af_report_compare_png_save(const af_results *a, const af_results *b, const af_compare_side *sa,
                               const af_compare_side *sb, const char *dir, af_diag *d);

/* Checks, without creating anything, that dir could take the PNG files: an existing directory
 * that can be written, or a missing one whose parent is a directory that can. Returns AF_OK, or
 * AF_EIO with an error in d naming dir and the reason. */
int af_report_png_check(const char *dir, af_diag *d);

#endif
