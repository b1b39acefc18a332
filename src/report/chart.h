/*
 * chart: the charts of a report as plain data, prepared from a results record and nothing else.
 *
 * Preparing a chart (which series, stacked how, against which capacity or objective, on what
 * scale) is kept apart from drawing it (report/chart_draw.h, Cairo and Pango), so that what a
 * chart shows can be checked against the numbers without looking at pixels: the shares of a
 * job's GPU time stack to 100% in every window, the power stack is the facility's IT power, the
 * cost bars add up to the total, the axis ticks are 1, 2 or 5 x 10^k and cover the data.
 *
 * A report's charts, in order (af_charts_of_results), each with a stable id used for PNG names:
 *   attribution-<job>   GPU time of a training job by what it did, stacked shares of each window
 *                       (computing, waiting for data, communicating, checkpoint stall, down or
 *                       reloading after failures, idle once done): 100% in every window (the
 *                       computing area is what the other states leave of the window, so the
 *                       work a failure later undid counts where it was computed)
 *   throughput-<tier>   bytes read and written per second against the tier's streaming read
 *                       bandwidth (storage.<tier>.read_bandwidth)
 *   fill-<tier>         bytes stored against the tier's usable capacity
 *   power               facility IT power by component, stacked, with facility power (PUE) and
 *                       the site's power cap when there is one
 *   energy              facility energy over the run (the integral of facility power)
 *   cost-run            the run's cost: amortized capital by class, maintenance, energy, space
 *   cost-tco            the TCO over the lifetime by part
 *   latency-<stream>    a look-up stream's mean latency (and p99, when sampled) per window
 *                       against its p50, p99 and p99.9 over the run and the p99 objective (log
 *                       scale when they span decades)
 *   serving-<service>   a serving workload's p99 latency per window (a whole LLM turn's) against
 *                       its p99 over the run, its p99 while checkpoints or bursts wrote to the
 *                       tier it reads from, and its latency objective (log scale when they span
 *                       decades)
 *   timeline            checkpoint stalls and failures of each job over time, and each tier's
 *                       write rate (where checkpoint bursts show)
 * A time chart whose series the results do not hold (a run without sampling) comes back marked
 * no_data, with a note saying why, and is drawn as an empty panel with that note.
 */
#ifndef AF_REPORT_CHART_H
#define AF_REPORT_CHART_H

#include "base/metrics.h"
#include "base/results.h"
#include "base/units.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- Axis ticks ------------------------------------------------------------------------------ */

#define AF_TICKS_MAX 40

/* Ticks of one axis. */
typedef struct af_ticks {
    double lo, hi; /* the axis range: the first and last tick */
    double step;   /* linear: the step between ticks, 1, 2 or 5 x 10^k; log: 0 */
    size_t n;      /* number of ticks, 2..AF_TICKS_MAX */
    double v[AF_TICKS_MAX];
} af_ticks;

/* Linear ticks covering [lo, hi] in at most target + 1 ticks (target 2..AF_TICKS_MAX - 1): the
 * smallest step of the form 1, 2 or 5 x 10^k that does it, the range widened to multiples of
 * it. A range of one value is widened around it ([0, 1] for zero); non-finite input gives
 * [0, 1]. */
void af_ticks_linear(double lo, double hi, size_t target, af_ticks *t);

/* Logarithmic ticks covering [lo, hi] (0 < lo <= hi): 1, 2 and 5 x 10^k when the range spans
 * few decades, every decade, or every 2nd, 5th, 10th... decade for wider ranges, at most
 * target + 1 ticks beyond the two ends, which are whole decades. */
void af_ticks_log(double lo, double hi, size_t target, af_ticks *t);

/* One unit for every tick label of an axis, chosen as af_units_format would print its largest
 * value: "GB/s" with scale 1e9, "%" with scale 0.01, "h" with scale 3600, "" with scale 1. */
typedef struct af_axis_unit {
    double scale;  /* SI value of one displayed unit */
    char unit[32]; /* the unit's text ("" for plain numbers) */
} af_axis_unit;

/* The unit af_units_format picks for |maxabs| in dim (scale 1 and "" for 0). */
void af_axis_unit_of(double maxabs, af_dim dim, af_axis_unit *u);

/* The unit of a time axis of span_s seconds: the largest of s, min, h and d of which the span
 * holds at least two (so that the ticks, 1-2-5 steps in that unit, read as "0.5 h", "1 h"). */
void af_axis_time_unit(double span_s, af_axis_unit *u);

/* v as a tick label in unit u: at most 6 significant digits, no trailing zeros ("1.5", "0",
 * "250"). Returns buf. */
char *af_axis_label(double v, const af_axis_unit *u, char *buf, size_t n);

/* ---- Charts -----------------------------------------------------------------------------------
 */

/* The palette, one meaning per colour across every chart (colour-blind safe, after Paul Tol's
 * "vibrant" scheme). */
typedef enum {
    AF_C_BLUE,    /* computing, read, GPUs, compute capital, run A */
    AF_C_ORANGE,  /* waiting for data, written, storage devices, storage capital, run B */
    AF_C_CYAN,    /* communication, GPU node hosts */
    AF_C_MAGENTA, /* checkpoint stall, energy cost, storage servers */
    AF_C_RED,     /* failures, objectives and caps */
    AF_C_TEAL,    /* stored bytes, NIC ports, network capital */
    AF_C_YELLOW,  /* switches, maintenance */
    AF_C_GREY,    /* idle, space, enclosures */
    AF_C_DARK,    /* capacities, totals */
    AF_C_PURPLE,  /* p99.9 */
    AF_C__COUNT
} af_color;

/* Red, green, blue in [0, 1] of colour c. */
void af_color_rgb(af_color c, double rgb[3]);

typedef enum {
    AF_CHART_TIME,     /* series over simulated time: stacked areas and lines, reference lines */
    AF_CHART_BARS,     /* horizontal bars: one per category and run */
    AF_CHART_TIMELINE, /* one band per row; each layer's bars fill their row by value / row_max */
} af_chart_kind;

typedef enum {
    AF_LAYER_AREA, /* stacked on the areas before it */
    AF_LAYER_LINE, /* drawn over the areas, not stacked */
} af_layer_mode;

typedef enum { AF_STYLE_SOLID, AF_STYLE_DASHED, AF_STYLE_DOTTED } af_line_style;

/* One layer: a series of a time chart or a timeline, or one run's values of a bar chart. */
typedef struct af_chart_layer {
    char *label; /* legend text, owned */
    af_color color;
    af_layer_mode mode;  /* time charts */
    af_line_style style; /* lines */
    size_t n;            /* values (time: the chart's n; bars: the chart's nrows) */
    double *v;           /* n values in SI units of the chart's ydim, owned */
    size_t row;          /* timeline: the row it belongs to */
    double row_max;      /* timeline: the value that fills the row's band (> 0) */
    bool legend;         /* shown in the legend (areas that are zero throughout are not) */
    bool zero_is_gap;    /* a 0 means no value in that window (a mean latency with no request) */
    bool at_end; /* the value holds at the end of its window (a running total), not over it */
} af_chart_layer;

/* A horizontal reference line: a capacity, an objective, a percentile, a cap. */
typedef struct af_chart_ref {
    char *label; /* "read bandwidth 200 GB/s", owned */
    double y;    /* SI units of ydim */
    af_color color;
    af_line_style style;
} af_chart_ref;

typedef struct af_chart {
    af_chart_kind kind;
    char *id;         /* stable, unique in a report: "throughput-hot" (PNG file names), owned */
    char *section;    /* the page heading it goes under: "Storage", owned */
    char *title;      /* "Read and write rate against capacity: hot", owned */
    char *base_title; /* the title without this run's figures ("Cost of the run, 3 h"), for a
                       * chart of two runs; owned; may be NULL (then title serves) */
    char *subtitle;   /* a sentence of context from the metrics, owned; may be NULL */
    char *ytitle;     /* what the value axis measures: "rate", "share of GPU time", owned */
    af_dim ydim;      /* unit of every value and reference */
    double dt;        /* time, timeline: width of a window, s */
    size_t n;         /* time, timeline: windows of every layer */
    double t_end;     /* time, timeline: the run's duration, s (the x axis ends there) */
    bool fixed_y;     /* the value axis is [ylo, yhi] whatever the data (shares: 0 to 100%) */
    double ylo, yhi;
    bool log_ok; /* a log value axis is allowed when the values span decades (latencies) */
    af_chart_layer *layers; /* owned */
    size_t nlayers;
    af_chart_ref *refs; /* owned */
    size_t nrefs;
    char **rows;          /* bars: category labels; timeline: row labels; owned */
    af_color *row_colors; /* bars of one run: the colour of each category; owned */
    size_t nrows;
    bool no_data; /* a series it needs is absent: drawn as an empty panel with note */
    char *note;   /* why there is no data, or a remark drawn in the panel; owned; may be NULL */
} af_chart;

void af_chart_free(af_chart *c);

/* The charts of one run, in report order (see above). */
typedef struct af_chart_set {
    af_chart **c;
    size_t n;
} af_chart_set;

af_chart_set *af_charts_of_results(const af_results *r);
void af_chart_set_free(af_chart_set *s);

/* The chart called id in s, or NULL. */
const af_chart *af_chart_set_find(const af_chart_set *s, const char *id);

/* The individual charts (NULL when the results lack the instance's metrics altogether). */
af_chart *af_chart_attribution(const af_results *r, const char *job);
af_chart *af_chart_throughput(const af_results *r, const char *tier);
af_chart *af_chart_fill(const af_results *r, const char *tier);
af_chart *af_chart_power(const af_results *r);
af_chart *af_chart_energy(const af_results *r);
af_chart *af_chart_cost_run(const af_results *r);
af_chart *af_chart_cost_tco(const af_results *r);
af_chart *af_chart_latency(const af_results *r, const char *stream);
af_chart *af_chart_serving(const af_results *r, const char *service);
af_chart *af_chart_timeline(const af_results *r);

/* A bar chart of two runs: a's categories, then those only b has; one layer per run, labelled
 * name_a and name_b (a value a run lacks is 0). Its id is a's, its title a's base title, its
 * subtitle each run's total. */
af_chart *af_chart_bars_pair(const af_chart *a, const af_chart *b, const char *name_a,
                             const char *name_b);

/* The instances of an instanced metric the results hold, in recorded order: the job names of
 * AF_M_TRAIN_GPUS, for instance. Returns n new names (NULL when none); release them with
 * af_chart_instances_free. */
char **af_chart_instances(const af_results *r, af_metric_id id, size_t *n);
void af_chart_instances_free(char **names, size_t n);

/* Sum of the area layers of a time chart at window i: the top of the stack. */
double af_chart_stack_top(const af_chart *c, size_t i);

/* ---- Frames: the ranges a chart is drawn in ----------------------------------------------------
 */

#define AF_FRAME_REFS 16

typedef struct af_chart_frame {
    double t_end;              /* time axis: 0 to t_end, s */
    double ylo, yhi;           /* value axis (before ticks widen it) */
    bool log_y;                /* logarithmic value axis */
    bool fixed;                /* [ylo, yhi] is the chart's fixed range (shares), kept as it is */
    bool log_ok;               /* every chart in the frame allows a log axis */
    double lo, hi;             /* the values' range, from 0 (reference lines aside) */
    double plo, phi;           /* the smallest and largest positive value (plo > phi: none) */
    double ref[AF_FRAME_REFS]; /* the reference lines' values */
    size_t nref;
} af_chart_frame;

/* The frame that shows all of c: its duration, and the range of its stacked areas, lines and
 * references (from 0, or log when log_ok and the positive values span more than two decades).
 * On a linear axis a reference more than 5 times the largest value is left off the scale (drawn
 * as a label at the top), so a tier read at 0.03% of its bandwidth still shows its reads. */
void af_chart_frame_of(const af_chart *c, af_chart_frame *f);

/* Widens f to show c too (the two charts of a pair share one frame, so they read alike). */
void af_chart_frame_join(af_chart_frame *f, const af_chart *c);

/* The ticks of the value axis in frame f, for values of dim (about target of them) and the unit
 * they are labelled in. A linear axis steps by 1, 2 or 5 x 10^k of the unit af_axis_unit_of picks
 * for its largest value ("0.5 MWh", not 0.5 GJ in MWh), from the frame's low end to a little
 * above its high end (a fixed range is kept); t holds SI values. A log axis has
 * af_ticks_log's ticks, each labelled in its own unit (u->scale is then 0). */
void af_chart_value_ticks(const af_chart_frame *f, af_dim dim, size_t target, af_ticks *t,
                          af_axis_unit *u);

#endif
