/*
 * chart: the charts of a report as data; see chart.h. Every figure comes from the results
 * record through the metric table (base/metrics.h) or a time series of the run (base/results.h,
 * named as world.c's "Sampling" names them); nothing here draws.
 */
#include "report/chart.h"

#include "base/alloc.h"
#include "report/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Axis ticks ------------------------------------------------------------------------------ */

static size_t ticks_clamp_target(size_t target)
{
    if (target < 2)
        return 2;
    if (target > AF_TICKS_MAX - 1)
        return AF_TICKS_MAX - 1;
    return target;
}

/* Tolerance, in steps, under which a bound counts as on a tick (rounding of lo / step). */
#define TICKS_EPS 1e-9

void af_ticks_linear(double lo, double hi, size_t target, af_ticks *t)
{
    target = ticks_clamp_target(target);
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (lo > hi) {
        double x = lo;
        lo = hi;
        hi = x;
    }
    /* A range narrower than doubles resolve at its magnitude counts as one value. */
    if (hi - lo <= 1e-12 * fmax(fabs(lo), fabs(hi)))
        lo = hi;
    if (lo == hi) {
        if (lo > 0)
            lo = 0;
        else if (hi < 0)
            hi = 0;
        else
            hi = 1;
    }
    double raw = (hi - lo) / (double)target;
    double mag = pow(10, floor(log10(raw)));
    static const double mult[] = {1, 2, 5, 10, 20, 50, 100};
    double step = 0, k0 = 0, k1 = 0;
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
        step = mult[i] * mag;
        k0 = floor(lo / step + TICKS_EPS);
        k1 = ceil(hi / step - TICKS_EPS);
        if (k1 - k0 <= (double)target)
            break;
    }
    if (!(step > 0) || !isfinite(step) || !(k1 - k0 >= 1) || k1 - k0 > AF_TICKS_MAX - 1) {
        af_ticks_linear(0, 1, target, t); /* a range too narrow for doubles to step through */
        return;
    }
    t->step = step;
    t->n = (size_t)(k1 - k0) + 1;
    for (size_t i = 0; i < t->n; i++) {
        double v = (k0 + (double)i) * step;
        t->v[i] = v == 0 ? 0 : v; /* no -0 */
    }
    t->lo = t->v[0];
    t->hi = t->v[t->n - 1];
}

void af_ticks_log(double lo, double hi, size_t target, af_ticks *t)
{
    target = ticks_clamp_target(target);
    if (!(lo > 0) || !isfinite(lo) || !isfinite(hi) || hi < lo) {
        lo = 1;
        hi = 10;
    }
    int d0 = (int)floor(log10(lo)), d1 = (int)ceil(log10(hi));
    if (pow(10, d0) > lo)
        d0--;
    if (pow(10, d1) < hi)
        d1++;
    if (d1 <= d0)
        d1 = d0 + 1;
    t->step = 0;
    t->n = 0;
    int decades = d1 - d0;
    if ((size_t)decades * 3 <= target) {
        static const double m125[] = {1, 2, 5};
        for (int d = d0; d < d1; d++)
            for (int k = 0; k < 3; k++)
                t->v[t->n++] = m125[k] * pow(10, d);
        t->v[t->n++] = pow(10, d1);
    } else {
        static const int every_of[] = {1, 2, 5, 10, 20, 50, 100};
        int every = 1;
        for (size_t i = 0; i < sizeof every_of / sizeof every_of[0]; i++) {
            every = every_of[i];
            int a = (int)floor((double)d0 / every), b = (int)ceil((double)d1 / every);
            if ((size_t)(b - a) <= target)
                break;
        }
        int a = (int)floor((double)d0 / every), b = (int)ceil((double)d1 / every);
        for (int k = a; k <= b && t->n < AF_TICKS_MAX; k++)
            t->v[t->n++] = pow(10, (double)k * every);
    }
    t->lo = t->v[0];
    t->hi = t->v[t->n - 1];
}

void af_axis_unit_of(double maxabs, af_dim dim, af_axis_unit *u)
{
    maxabs = fabs(maxabs);
    if (!isfinite(maxabs))
        maxabs = 0;
    char buf[64];
    af_units_format(maxabs, dim, buf, sizeof buf);
    /* The number, then the unit as the formatter wrote it ("1.5 GB/s", "90%", "2 k USD"). */
    char *end = NULL;
    (void)strtod(buf, &end);
    while (end && *end == ' ')
        end++;
    snprintf(u->unit, sizeof u->unit, "%s", end ? end : "");
    /* The scale is what "1 <unit>" reads as: the parser takes back what the formatter prints. */
    u->scale = 1;
    if (u->unit[0]) {
        char one[48], err[128];
        double s;
        snprintf(one, sizeof one, "%s%s", u->unit[0] == '%' ? "1" : "1 ", u->unit);
        if (af_units_parse(one, dim, &s, err, sizeof err) == 0 && s > 0)
            u->scale = s;
    }
}

void af_axis_time_unit(double span_s, af_axis_unit *u)
{
    static const struct {
        double s;
        const char *unit;
    } units[] = {{86400, "d"}, {3600, "h"}, {60, "min"}, {1, "s"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (span_s >= 2 * units[i].s || units[i].s == 1) {
            u->scale = units[i].s;
            snprintf(u->unit, sizeof u->unit, "%s", units[i].unit);
            return;
        }
    }
}

char *af_axis_label(double v, const af_axis_unit *u, char *buf, size_t n)
{
    double x = v / u->scale;
    if (fabs(x) < 1e-9)
        x = 0;
    snprintf(buf, n, "%.6g", x);
    return buf;
}

/* ---- Palette ----------------------------------------------------------------------------------
 */

void af_color_rgb(af_color c, double rgb[3])
{
    static const unsigned hex[AF_C__COUNT] = {
        [AF_C_BLUE] = 0x0077BB,    [AF_C_ORANGE] = 0xEE7733, [AF_C_CYAN] = 0x33BBEE,
        [AF_C_MAGENTA] = 0xEE3377, [AF_C_RED] = 0xCC3311,    [AF_C_TEAL] = 0x009988,
        [AF_C_YELLOW] = 0xDDAA33,  [AF_C_GREY] = 0xBBBBBB,   [AF_C_DARK] = 0x333333,
        [AF_C_PURPLE] = 0x7744AA,
    };
    unsigned h = (unsigned)c < AF_C__COUNT ? hex[c] : 0;
    rgb[0] = ((h >> 16) & 0xff) / 255.0;
    rgb[1] = ((h >> 8) & 0xff) / 255.0;
    rgb[2] = (h & 0xff) / 255.0;
}

/* ---- Building charts --------------------------------------------------------------------------
 */

/* Values as the summary prints them, in rotating buffers. */
typedef struct chart_fmt {
    char buf[8][48];
    int next;
} chart_fmt;

static const char *q(chart_fmt *f, double v, af_dim dim)
{
    char *b = f->buf[f->next++ % 8];
    return af_report_text_value(v, dim, b, sizeof f->buf[0]);
}

static char *chart_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *chart_strfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return af_strdup(tmp);
}

static af_chart *chart_new(af_chart_kind kind, const char *id, const char *section,
                           const char *title, const char *ytitle, af_dim ydim)
{
    af_chart *c = af_calloc(1, sizeof *c);
    c->kind = kind;
    c->id = af_strdup(id);
    c->section = af_strdup(section);
    c->title = af_strdup(title);
    c->ytitle = af_strdup(ytitle);
    c->ydim = ydim;
    return c;
}

void af_chart_free(af_chart *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nlayers; i++) {
        af_free(c->layers[i].label);
        af_free(c->layers[i].v);
    }
    af_free(c->layers);
    for (size_t i = 0; i < c->nrefs; i++)
        af_free(c->refs[i].label);
    af_free(c->refs);
    for (size_t i = 0; i < c->nrows; i++)
        af_free(c->rows[i]);
    af_free(c->rows);
    af_free(c->row_colors);
    af_free(c->id);
    af_free(c->section);
    af_free(c->title);
    af_free(c->base_title);
    af_free(c->subtitle);
    af_free(c->ytitle);
    af_free(c->note);
    af_free(c);
}

/* Appends a layer of n values (copied from v, or zeros when v is NULL). */
static af_chart_layer *chart_layer(af_chart *c, const char *label, af_color color,
                                   af_layer_mode mode, const double *v, size_t n)
{
    c->layers = af_realloc_array(c->layers, c->nlayers + 1, sizeof *c->layers);
    af_chart_layer *l = &c->layers[c->nlayers++];
    memset(l, 0, sizeof *l);
    l->label = af_strdup(label);
    l->color = color;
    l->mode = mode;
    l->style = AF_STYLE_SOLID;
    l->n = n;
    l->v = af_calloc(n ? n : 1, sizeof *l->v);
    if (v && n)
        memcpy(l->v, v, n * sizeof *v);
    l->legend = true;
    return l;
}

static void chart_ref(af_chart *c, char *label, double y, af_color color, af_line_style style)
{
    c->refs = af_realloc_array(c->refs, c->nrefs + 1, sizeof *c->refs);
    c->refs[c->nrefs++] = (af_chart_ref){.label = label, .y = y, .color = color, .style = style};
}

static void chart_row(af_chart *c, const char *label, af_color color)
{
    c->rows = af_realloc_array(c->rows, c->nrows + 1, sizeof *c->rows);
    c->row_colors = af_realloc_array(c->row_colors, c->nrows + 1, sizeof *c->row_colors);
    c->rows[c->nrows] = af_strdup(label);
    c->row_colors[c->nrows] = color;
    c->nrows++;
}

/* A time layer from series name when the results hold it; the chart takes its grid from the
 * first one. Returns the layer, or NULL (and counts the series missing). */
static af_chart_layer *chart_series(af_chart *c, const af_results *r, const char *name,
                                    const char *label, af_color color, af_layer_mode mode,
                                    size_t *missing)
{
    const af_series *s = af_results_series_find(r, name);
    if (!s) {
        if (missing)
            (*missing)++;
        return NULL;
    }
    if (c->nlayers == 0 || c->dt == 0) {
        c->dt = s->dt;
        c->n = s->n;
    }
    return chart_layer(c, label, color, mode, s->v, s->n);
}

/* After the layers are in: every layer as long as the shortest (the series of a run share one
 * grid, so they are alike), the time axis' end, areas that are zero throughout out of the
 * legend, and the no-data note when the results held none of the series. */
static void chart_time_done(af_chart *c, const af_results *r, size_t missing)
{
    for (size_t i = 0; i < c->nlayers; i++)
        if (c->layers[i].n < c->n)
            c->n = c->layers[i].n;
    for (size_t i = 0; i < c->nlayers; i++) {
        af_chart_layer *l = &c->layers[i];
        l->n = c->n;
        if (l->mode == AF_LAYER_AREA) {
            bool any = false;
            for (size_t k = 0; k < l->n && !any; k++)
                any = l->v[k] != 0;
            l->legend = any;
        }
    }
    c->t_end = af_results_value(r, AF_M_RUN_DURATION, NULL, 0);
    if (!(c->t_end > 0))
        c->t_end = (double)c->n * c->dt;
    if (c->nlayers == 0 || c->n == 0) {
        c->no_data = true;
        af_free(c->note);
        c->note = af_strdup("no data: these results hold no time series (a run samples them "
                            "with --pdf, --png or --interval)");
    } else if (missing > 0 && !c->note) {
        c->note = NULL; /* a partial set: the series present are drawn */
    }
}

/* The label of a metric of the table without the summary's indentation ("  GPUs" -> "GPUs"). */
static const char *chart_label(af_metric_id id)
{
    const char *l = af_metric_get(id)->label;
    while (*l == ' ')
        l++;
    return l;
}

char **af_chart_instances(const af_results *r, af_metric_id id, size_t *n)
{
    const af_metric_def *want = af_metric_get(id);
    char **out = NULL;
    *n = 0;
    size_t cnt = af_results_count(r);
    size_t glen = strlen(want->group), llen = strlen(want->leaf);
    for (size_t i = 0; i < cnt; i++) {
        const af_metric *m = af_results_get(r, i);
        size_t len = strlen(m->name);
        if (af_metric_of_name(m->name) != want || len < glen + llen + 3)
            continue;
        out = af_realloc_array(out, *n + 1, sizeof *out);
        out[(*n)++] = af_strfmt("%.*s", (int)(len - glen - llen - 2), m->name + glen + 1);
    }
    return out;
}

void af_chart_instances_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        af_free(names[i]);
    af_free(names);
}

/* A series name "<group>.<instance>.<leaf>" into buf. */
static const char *sname(char *buf, size_t n, const char *group, const char *inst, const char *leaf)
{
    if (inst)
        snprintf(buf, n, "%s.%s.%s", group, inst, leaf);
    else
        snprintf(buf, n, "%s.%s", group, leaf);
    return buf;
}

/* ---- The charts -------------------------------------------------------------------------------
 */

af_chart *af_chart_attribution(const af_results *r, const char *job)
{
    const char *const *leaf = af_train_share_leaf; /* shorter labels for the legend: */
    static const char *const label[AF_TRAIN_SHARES] = {"computing",         "waiting for data",
                                         "communicating",     "bubble and stragglers",
                                         "checkpoint stall",
                                         "down or reloading", "idle (target reached)"};
    static const af_color color[AF_TRAIN_SHARES] = {AF_C_BLUE,    AF_C_ORANGE, AF_C_CYAN, AF_C_YELLOW,
                                      AF_C_MAGENTA, AF_C_RED,    AF_C_GREY};
    double util = af_results_value(r, AF_M_TRAIN_UTIL, job, -1);
    char name[512];
    if (util < 0 && !af_results_series_find(r, sname(name, sizeof name, "train", job, leaf[0])))
        return NULL;
    char id[300], title[400];
    snprintf(id, sizeof id, "attribution-%s", job);
    snprintf(title, sizeof title, "GPU time of %s", job);
    af_chart *c = chart_new(AF_CHART_TIME, id, "Where the GPU time goes", title,
                            "share of the job's GPU time", AF_DIM_RATIO);
    c->fixed_y = true;
    c->ylo = 0;
    c->yhi = 1;
    size_t missing = 0;
    for (int i = 0; i < AF_TRAIN_SHARES; i++)
        chart_series(c, r, sname(name, sizeof name, "train", job, leaf[i]), label[i], color[i],
                     AF_LAYER_AREA, &missing);
    chart_time_done(c, r, missing);
    /* The window's time is computing and the five other states (the sampled computing share
     * counts the work a later failure undid, when it was done); computing is drawn as what the
     * five leave, which is the same share up to rounding and never below zero. */
    if (missing == 0 && c->nlayers == AF_TRAIN_SHARES)
        for (size_t i = 0; i < c->n; i++) {
            double other = 0;
            for (size_t k = 1; k < AF_TRAIN_SHARES; k++)
                other += c->layers[k].v[i];
            c->layers[0].v[i] = fmax(0, 1 - other);
        }
    chart_fmt f = {.next = 0};
    double gpus = af_results_value(r, AF_M_TRAIN_GPUS, job, 0);
    double wait = af_results_value(r, AF_M_TRAIN_DATA_WAIT, job, 0);
    double lost = af_results_value(r, AF_M_TRAIN_LOST, job, 0);
    if (util >= 0 && lost > 0)
        c->subtitle = chart_strfmt("%.0f GPUs computing %s of the run (and %s on work failures "
                                   "undid), waiting for data %s",
                                   gpus, q(&f, util, AF_DIM_RATIO), q(&f, lost, AF_DIM_RATIO),
                                   q(&f, wait, AF_DIM_RATIO));
    else if (util >= 0)
        c->subtitle = chart_strfmt("%.0f GPUs computing %s of the run, waiting for data %s", gpus,
                                   q(&f, util, AF_DIM_RATIO), q(&f, wait, AF_DIM_RATIO));
    return c;
}

af_chart *af_chart_throughput(const af_results *r, const char *tier)
{
    double bw = af_results_value(r, AF_M_STORAGE_READ_BW, tier, -1);
    double rd = af_results_value(r, AF_M_STORAGE_READ_RATE, tier, -1);
    char name[512];
    if (rd < 0 &&
        !af_results_series_find(r, sname(name, sizeof name, "storage", tier, "read_rate")))
        return NULL;
    char id[300], title[400];
    snprintf(id, sizeof id, "throughput-%s", tier);
    snprintf(title, sizeof title, "Throughput of tier %s against its bandwidth", tier);
    af_chart *c = chart_new(AF_CHART_TIME, id, "Storage", title, "rate", AF_DIM_BANDWIDTH);
    size_t missing = 0;
    chart_series(c, r, sname(name, sizeof name, "storage", tier, "read_rate"), "read", AF_C_BLUE,
                 AF_LAYER_LINE, &missing);
    chart_series(c, r, sname(name, sizeof name, "storage", tier, "write_rate"), "written",
                 AF_C_ORANGE, AF_LAYER_LINE, &missing);
    chart_time_done(c, r, missing);
    chart_fmt f = {.next = 0};
    if (bw > 0)
        chart_ref(c, chart_strfmt("streaming read bandwidth %s", q(&f, bw, AF_DIM_BANDWIDTH)), bw,
                  AF_C_DARK, AF_STYLE_DASHED);
    double wr = af_results_value(r, AF_M_STORAGE_WRITE_RATE, tier, 0);
    if (rd >= 0 && bw > 0)
        c->subtitle = chart_strfmt("mean read %s (%s of the bandwidth), written %s",
                                   q(&f, rd, AF_DIM_BANDWIDTH), q(&f, rd / bw, AF_DIM_RATIO),
                                   q(&f, wr, AF_DIM_BANDWIDTH));
    else if (rd >= 0)
        c->subtitle = chart_strfmt("mean read %s, written %s", q(&f, rd, AF_DIM_BANDWIDTH),
                                   q(&f, wr, AF_DIM_BANDWIDTH));
    return c;
}

af_chart *af_chart_fill(const af_results *r, const char *tier)
{
    double usable = af_results_value(r, AF_M_STORAGE_USABLE, tier, -1);
    char name[512];
    if (usable < 0 &&
        !af_results_series_find(r, sname(name, sizeof name, "storage", tier, "used_capacity")))
        return NULL;
    char id[300], title[400];
    snprintf(id, sizeof id, "fill-%s", tier);
    snprintf(title, sizeof title, "Fill of tier %s", tier);
    af_chart *c = chart_new(AF_CHART_TIME, id, "Storage", title, "bytes stored", AF_DIM_SIZE);
    size_t missing = 0;
    chart_series(c, r, sname(name, sizeof name, "storage", tier, "used_capacity"), "stored",
                 AF_C_TEAL, AF_LAYER_AREA, &missing);
    chart_time_done(c, r, missing);
    chart_fmt f = {.next = 0};
    if (usable > 0)
        chart_ref(c, chart_strfmt("usable capacity %s", q(&f, usable, AF_DIM_SIZE)), usable,
                  AF_C_DARK, AF_STYLE_DASHED);
    double used = af_results_value(r, AF_M_STORAGE_USED, tier, -1);
    double peak = af_results_value(r, AF_M_STORAGE_PEAK, tier, -1);
    double rej = af_results_value(r, AF_M_STORAGE_REJECTED, tier, 0);
    if (used >= 0 && usable > 0) {
        char more[200] = "";
        if (rej > 0)
            snprintf(more, sizeof more, "; %s of writes refused: full", q(&f, rej, AF_DIM_SIZE));
        c->subtitle = chart_strfmt("%s stored at the end (%s of usable), peak %s%s",
                                   q(&f, used, AF_DIM_SIZE), q(&f, used / usable, AF_DIM_RATIO),
                                   q(&f, peak >= 0 ? peak : used, AF_DIM_SIZE), more);
    }
    return c;
}

/* The power components in stacking order, with their colours. */
static const struct {
    af_metric_id id;
    af_color color;
} chart_parts[] = {
    {AF_M_FACILITY_P_GPU, AF_C_BLUE},      {AF_M_FACILITY_P_HOST, AF_C_CYAN},
    {AF_M_FACILITY_P_NIC, AF_C_TEAL},      {AF_M_FACILITY_P_SWITCH, AF_C_YELLOW},
    {AF_M_FACILITY_P_DEVICE, AF_C_ORANGE}, {AF_M_FACILITY_P_SERVER, AF_C_MAGENTA},
    {AF_M_FACILITY_P_ENCL, AF_C_GREY},     {AF_M_FACILITY_P_CPU, AF_C_PURPLE},
};

af_chart *af_chart_power(const af_results *r)
{
    double it = af_results_value(r, AF_M_FACILITY_IT_POWER, NULL, -1);
    if (it < 0 && !af_results_series_find(r, "facility.it_power"))
        return NULL;
    af_chart *c = chart_new(AF_CHART_TIME, "power", "Power and energy", "Power by component",
                            "power", AF_DIM_POWER);
    size_t missing = 0;
    char name[256];
    for (size_t i = 0; i < sizeof chart_parts / sizeof chart_parts[0]; i++) {
        const af_metric_def *def = af_metric_get(chart_parts[i].id);
        chart_series(c, r, sname(name, sizeof name, "facility", NULL, def->leaf),
                     chart_label(chart_parts[i].id), chart_parts[i].color, AF_LAYER_AREA, &missing);
    }
    chart_series(c, r, "facility.power", "facility power (IT x PUE)", AF_C_DARK, AF_LAYER_LINE,
                 &missing);
    chart_time_done(c, r, missing);
    chart_fmt f = {.next = 0};
    double cap = af_results_value(r, AF_M_FACILITY_CAP, NULL, -1);
    if (cap > 0)
        chart_ref(c, chart_strfmt("site power cap %s", q(&f, cap, AF_DIM_POWER)), cap, AF_C_RED,
                  AF_STYLE_DASHED);
    double fac = af_results_value(r, AF_M_FACILITY_POWER, NULL, -1);
    double peak = af_results_value(r, AF_M_FACILITY_BUSY_POWER, NULL, -1);
    if (it >= 0 && fac >= 0)
        c->subtitle = chart_strfmt("mean IT power %s; facility %s with PUE %.3g; %s at peak",
                                   q(&f, it, AF_DIM_POWER), q(&f, fac, AF_DIM_POWER),
                                   it > 0 ? fac / it : 1, q(&f, peak, AF_DIM_POWER));
    return c;
}

af_chart *af_chart_energy(const af_results *r)
{
    double e = af_results_value(r, AF_M_FACILITY_ENERGY, NULL, -1);
    const af_series *p = af_results_series_find(r, "facility.power");
    if (e < 0 && !p)
        return NULL;
    af_chart *c = chart_new(AF_CHART_TIME, "energy", "Power and energy",
                            "Facility energy, running total", "energy", AF_DIM_ENERGY);
    if (p) {
        c->dt = p->dt;
        c->n = p->n;
        af_chart_layer *l =
            chart_layer(c, "facility energy", AF_C_MAGENTA, AF_LAYER_AREA, NULL, p->n);
        l->at_end = true;
        double sum = 0;
        for (size_t i = 0; i < p->n; i++) {
            sum += p->v[i] * p->dt;
            l->v[i] = sum;
        }
    }
    chart_time_done(c, r, 0);
    chart_fmt f = {.next = 0};
    double co2 = af_results_value(r, AF_M_FACILITY_CARBON, NULL, -1);
    double T = af_results_value(r, AF_M_RUN_DURATION, NULL, 0);
    if (e >= 0 && co2 >= 0)
        c->subtitle = chart_strfmt("%s over %s, emitting %s", q(&f, e, AF_DIM_ENERGY),
                                   q(&f, T, AF_DIM_TIME), q(&f, co2, AF_DIM_CARBON));
    return c;
}

/* A bar of a cost chart: the metric, its label and colour. */
typedef struct chart_bar {
    af_metric_id id;
    const char *label;
    af_color color;
} chart_bar;

/* One bar per part, each the metric's value (0 when the run did not write it). */
static void chart_bars(af_chart *c, const af_results *r, const chart_bar *parts, size_t n)
{
    af_chart_layer *l = chart_layer(c, "run", AF_C_BLUE, AF_LAYER_AREA, NULL, n);
    for (size_t i = 0; i < n; i++) {
        chart_row(c, parts[i].label, parts[i].color);
        l->v[i] = af_results_value(r, parts[i].id, NULL, 0);
    }
}

af_chart *af_chart_cost_run(const af_results *r)
{
    double total = af_results_value(r, AF_M_COST_TOTAL, NULL, -1);
    if (total < 0)
        return NULL;
    chart_fmt f = {.next = 0};
    double T = af_results_value(r, AF_M_RUN_DURATION, NULL, 0);
    char title[200];
    snprintf(title, sizeof title, "Cost of the run: %s over %s", q(&f, total, AF_DIM_MONEY),
             q(&f, T, AF_DIM_TIME));
    af_chart *c = chart_new(AF_CHART_BARS, "cost-run", "Cost", title, "cost", AF_DIM_MONEY);
    c->base_title = chart_strfmt("Cost of the run over %s", q(&f, T, AF_DIM_TIME));
    static const chart_bar parts[] = {
        {AF_M_COST_CAP_COMPUTE, "capital: GPU nodes", AF_C_BLUE},
        {AF_M_COST_CAP_STORAGE, "capital: storage", AF_C_ORANGE},
        {AF_M_COST_CAP_NETWORK, "capital: network", AF_C_TEAL},
        {AF_M_COST_MAINTENANCE, "maintenance", AF_C_YELLOW},
        {AF_M_COST_ENERGY, "energy", AF_C_MAGENTA},
        {AF_M_COST_SPACE, "space", AF_C_GREY},
    };
    chart_bars(c, r, parts, sizeof parts / sizeof parts[0]);
    double gh = af_results_value(r, AF_M_COST_PER_GPU_HOUR, NULL, -1);
    double mt = af_results_value(r, AF_M_COST_PER_MTOKEN, NULL, -1);
    double ph = af_results_value(r, AF_M_COST_PER_HOUR, NULL, -1);
    char tok[120] = "";
    if (mt > 0)
        snprintf(tok, sizeof tok, ", %s per million tokens", q(&f, mt, AF_DIM_MONEY));
    c->subtitle = chart_strfmt("%s per hour, %s per useful GPU-hour%s", q(&f, ph, AF_DIM_MONEY),
                               q(&f, gh, AF_DIM_MONEY), tok);
    return c;
}

af_chart *af_chart_cost_tco(const af_results *r)
{
    double tco = af_results_value(r, AF_M_COST_TCO, NULL, -1);
    if (tco < 0)
        return NULL;
    chart_fmt f = {.next = 0};
    double life = af_results_value(r, AF_M_COST_LIFETIME, NULL, 0);
    char title[200];
    snprintf(title, sizeof title, "TCO over %s: %s", q(&f, life, AF_DIM_TIME),
             q(&f, tco, AF_DIM_MONEY));
    af_chart *c = chart_new(AF_CHART_BARS, "cost-tco", "Cost", title, "cost", AF_DIM_MONEY);
    c->base_title = chart_strfmt("TCO over %s", q(&f, life, AF_DIM_TIME));
    static const chart_bar parts[] = {
        {AF_M_COST_TCO_CAPITAL, "capital", AF_C_BLUE},
        {AF_M_COST_TCO_MAINT, "maintenance", AF_C_YELLOW},
        {AF_M_COST_TCO_ENERGY, "energy", AF_C_MAGENTA},
        {AF_M_COST_TCO_SPACE, "space", AF_C_GREY},
    };
    chart_bars(c, r, parts, sizeof parts / sizeof parts[0]);
    double py = af_results_value(r, AF_M_COST_PER_YEAR, NULL, -1);
    double lc = af_results_value(r, AF_M_COST_LIFE_CARBON, NULL, -1);
    c->subtitle = chart_strfmt("%s per year; carbon over the lifetime %s (operational and "
                               "embodied)",
                               q(&f, py, AF_DIM_MONEY), q(&f, lc, AF_DIM_CARBON));
    return c;
}

af_chart *af_chart_latency(const af_results *r, const char *stream)
{
    double p99 = af_results_value(r, AF_M_LOOKUP_P99, stream, -1);
    double slo = af_results_value(r, AF_M_LOOKUP_SLO, stream, -1);
    char name[512];
    if (af_results_value(r, AF_M_LOOKUP_REQUESTS, stream, -1) < 0 &&
        !af_results_series_find(r, sname(name, sizeof name, "lookup", stream, "latency_mean")))
        return NULL;
    char id[300], title[400];
    snprintf(id, sizeof id, "latency-%s", stream);
    snprintf(title, sizeof title, "Latency of look-ups %s against the objective", stream);
    af_chart *c = chart_new(AF_CHART_TIME, id, "Look-ups", title, "latency", AF_DIM_TIME);
    c->log_ok = true;
    size_t missing = 0;
    af_chart_layer *l =
        chart_series(c, r, sname(name, sizeof name, "lookup", stream, "latency_mean"),
                     "mean latency per window", AF_C_BLUE, AF_LAYER_LINE, &missing);
    if (l)
        l->zero_is_gap = true;
    /* The p99 of each window, where the run sampled it. */
    l = chart_series(c, r, sname(name, sizeof name, "lookup", stream, "latency_p99"),
                     "p99 per window", AF_C_ORANGE, AF_LAYER_LINE, NULL);
    if (l)
        l->zero_is_gap = true;
    chart_time_done(c, r, missing);
    chart_fmt f = {.next = 0};
    static const struct {
        af_metric_id id;
        const char *what;
        af_color color;
        af_line_style style;
    } pct[] = {
        {AF_M_LOOKUP_P50, "p50", AF_C_GREY, AF_STYLE_DOTTED},
        {AF_M_LOOKUP_P99, "p99", AF_C_DARK, AF_STYLE_DASHED},
        {AF_M_LOOKUP_P999, "p99.9", AF_C_PURPLE, AF_STYLE_DOTTED},
    };
    for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++) {
        double v = af_results_value(r, pct[i].id, stream, -1);
        if (v > 0)
            chart_ref(c, chart_strfmt("%s %s", pct[i].what, q(&f, v, AF_DIM_TIME)), v, pct[i].color,
                      pct[i].style);
    }
    if (slo > 0)
        chart_ref(c, chart_strfmt("objective (p99) %s", q(&f, slo, AF_DIM_TIME)), slo, AF_C_RED,
                  AF_STYLE_DASHED);
    double rate = af_results_value(r, AF_M_LOOKUP_RATE, stream, 0);
    if (p99 >= 0 && slo > 0)
        c->subtitle = chart_strfmt("p99 %s %s the %s objective; answering %s",
                                   q(&f, p99, AF_DIM_TIME), p99 <= slo ? "meets" : "MISSES",
                                   q(&f, slo, AF_DIM_TIME), q(&f, rate, AF_DIM_RATE));
    else if (p99 >= 0)
        c->subtitle =
            chart_strfmt("p99 %s; answering %s", q(&f, p99, AF_DIM_TIME), q(&f, rate, AF_DIM_RATE));
    return c;
}

af_chart *af_chart_serving(const af_results *r, const char *service)
{
    char name[512];
    sname(name, sizeof name, "inference", service, "latency_p99");
    if (af_results_value(r, AF_M_INFER_ARRIVED, service, -1) < 0 &&
        !af_results_series_find(r, name))
        return NULL;
    bool llm = af_results_value(r, AF_M_INFER_TOKENS, service, -1) >= 0;
    double p99 = af_results_value(r, AF_M_INFER_P99, service, -1);
    double writes = af_results_value(r, AF_M_INFER_P99_WRITES, service, -1);
    double slo = af_results_value(r, AF_M_INFER_SLO, service, -1);
    double qq = af_results_value(r, AF_M_INFER_SLO_QUANTILE, service, 0.99);
    double at = af_results_value(r, AF_M_INFER_SLO_LATENCY, service, p99);
    double met = af_results_value(r, AF_M_INFER_SLO_MET, service, -1);
    char id[300], title[400], qname[16];
    snprintf(qname, sizeof qname, "p%g", qq * 100);
    snprintf(id, sizeof id, "serving-%s", service);
    if (llm)
        snprintf(title, sizeof title, "p99 latency of service %s, prompt to last token", service);
    else if (slo > 0)
        snprintf(title, sizeof title, "p99 latency of service %s against the objective", service);
    else
        snprintf(title, sizeof title, "p99 latency of service %s", service);
    af_chart *c = chart_new(AF_CHART_TIME, id, "Serving", title, "latency", AF_DIM_TIME);
    c->log_ok = true;
    size_t missing = 0;
    /* A window in which no request finished has no p99 (the series holds 0 there). */
    af_chart_layer *l =
        chart_series(c, r, name, "p99 per window", AF_C_ORANGE, AF_LAYER_LINE, &missing);
    if (l)
        l->zero_is_gap = true;
    chart_time_done(c, r, missing);
    chart_fmt f = {.next = 0};
    if (p99 > 0)
        chart_ref(c, chart_strfmt("p99 over the run %s", q(&f, p99, AF_DIM_TIME)), p99, AF_C_DARK,
                  AF_STYLE_DASHED);
    if (writes > 0)
        chart_ref(c, chart_strfmt("p99 during checkpoint writes %s", q(&f, writes, AF_DIM_TIME)),
                  writes, AF_C_MAGENTA, AF_STYLE_DOTTED);
    if (slo > 0)
        chart_ref(c, chart_strfmt("objective (%s) %s", qname, q(&f, slo, AF_DIM_TIME)), slo,
                  AF_C_RED, AF_STYLE_DASHED);
    char within[64] = "";
    if (met >= 0)
        snprintf(within, sizeof within, "; %s of %s within %s", q(&f, met, AF_DIM_RATIO),
                 llm ? "turns" : "requests", llm ? "them" : "it");
    char during[96] = "";
    if (writes >= 0)
        snprintf(during, sizeof during, "; p99 %s during checkpoint writes",
                 q(&f, writes, AF_DIM_TIME));
    if (llm) {
        double ttft = af_results_value(r, AF_M_INFER_TTFT_P99, service, -1);
        double tpot = af_results_value(r, AF_M_INFER_TPOT_P99, service, -1);
        double ttft_slo = af_results_value(r, AF_M_INFER_TTFT_SLO, service, -1);
        double tpot_slo = af_results_value(r, AF_M_INFER_TPOT_SLO, service, -1);
        char a[96], b[96];
        snprintf(a, sizeof a, ttft_slo > 0 ? "%s (objective %s)" : "%s%s", q(&f, ttft, AF_DIM_TIME),
                 ttft_slo > 0 ? q(&f, ttft_slo, AF_DIM_TIME) : "");
        snprintf(b, sizeof b, tpot_slo > 0 ? "%s (objective %s)" : "%s%s", q(&f, tpot, AF_DIM_TIME),
                 tpot_slo > 0 ? q(&f, tpot_slo, AF_DIM_TIME) : "");
        if (ttft >= 0 && tpot >= 0)
            c->subtitle = chart_strfmt("p99 time to first token %s, per output token %s%s", a, b,
                                       ttft_slo > 0 || tpot_slo > 0 ? within : "");
    } else if (slo > 0 && at >= 0) {
        c->subtitle =
            chart_strfmt("%s %s %s the %s objective%s%s", qname, q(&f, at, AF_DIM_TIME),
                         at <= slo ? "meets" : "MISSES", q(&f, slo, AF_DIM_TIME), within, during);
    } else if (p99 >= 0) {
        c->subtitle = chart_strfmt("p99 %s%s", q(&f, p99, AF_DIM_TIME), during);
    }
    return c;
}

af_chart *af_chart_timeline(const af_results *r)
{
    size_t njobs, ntiers, nbursts;
    char **jobs = af_chart_instances(r, AF_M_TRAIN_GPUS, &njobs);
    char **tiers = af_chart_instances(r, AF_M_STORAGE_NODES, &ntiers);
    char **bursts = af_chart_instances(r, AF_M_BURST_SIZE, &nbursts);
    if (njobs == 0 && ntiers == 0) {
        af_chart_instances_free(jobs, njobs);
        af_chart_instances_free(tiers, ntiers);
        af_chart_instances_free(bursts, nbursts);
        return NULL;
    }
    af_chart *c =
        chart_new(AF_CHART_TIMELINE, "timeline", "Checkpoints and failures",
                  "Checkpoints and failures over time", "share of each window", AF_DIM_RATIO);
    size_t missing = 0;
    char name[512];
    chart_fmt f = {.next = 0};
    bool any_stall = false;
    for (size_t j = 0; j < njobs; j++) {
        const char *job = jobs[j];
        char row[300];
        snprintf(row, sizeof row, "%s: GPU time", job);
        size_t before = c->nlayers;
        af_chart_layer *a =
            chart_series(c, r, sname(name, sizeof name, "train", job, "checkpoint_stall"),
                         "stalled for a checkpoint", AF_C_MAGENTA, AF_LAYER_AREA, &missing);
        af_chart_layer *b =
            chart_series(c, r, sname(name, sizeof name, "train", job, "failure_down"),
                         "down or reloading after a failure", AF_C_RED, AF_LAYER_AREA, &missing);
        if (c->nlayers > before) {
            chart_row(c, row, AF_C_DARK);
            for (af_chart_layer *l = &c->layers[before]; l < c->layers + c->nlayers; l++) {
                l->row = c->nrows - 1;
                l->row_max = 1;
                for (size_t i = 0; i < l->n; i++)
                    any_stall = any_stall || l->v[i] > 0;
            }
        }
        (void)a;
        (void)b;
    }
    for (size_t t = 0; t < ntiers; t++) {
        const char *tier = tiers[t];
        const af_series *s =
            af_results_series_find(r, sname(name, sizeof name, "storage", tier, "write_rate"));
        double max = 0;
        for (size_t i = 0; s && i < s->n; i++)
            max = fmax(max, s->v[i]);
        if (s && max > 0) {
            char row[300];
            snprintf(row, sizeof row, "tier %s: writes (peak %s)", tier,
                     q(&f, max, AF_DIM_BANDWIDTH));
            size_t before = c->nlayers;
            chart_series(c, r, name, "writes to storage (share of the peak)", AF_C_ORANGE,
                         AF_LAYER_AREA, NULL);
            if (c->nlayers > before) {
                chart_row(c, row, AF_C_DARK);
                c->layers[before].row = c->nrows - 1;
                c->layers[before].row_max = max;
            }
        }
    }
    chart_time_done(c, r, missing);
    /* Legend: one entry per kind of layer. */
    for (size_t i = 0; i < c->nlayers; i++) {
        c->layers[i].legend = true;
        for (size_t k = 0; k < i; k++)
            if (strcmp(c->layers[k].label, c->layers[i].label) == 0)
                c->layers[i].legend = false;
    }
    /* What the metrics say of checkpoints and failures. */
    char sub[1024] = "";
    size_t len = 0;
    double fails = 0, written = 0;
    for (size_t j = 0; j < njobs; j++) {
        const char *job = jobs[j];
        fails += af_results_value(r, AF_M_FAIL_COUNT, job, 0);
        written += af_results_value(r, AF_M_CKPT_WRITTEN, job, 0);
    }
    if (written > 0)
        len += (size_t)snprintf(sub + len, sizeof sub - len, "%.0f checkpoints written; ", written);
    for (size_t b = 0; b < nbursts && len < sizeof sub - 200; b++) {
        const char *burst = bursts[b];
        double done = af_results_value(r, AF_M_BURST_COMPLETED, burst, 0);
        double size = af_results_value(r, AF_M_BURST_SIZE, burst, 0);
        double mean = af_results_value(r, AF_M_BURST_TIME_MEAN, burst, -1);
        double alone = af_results_value(r, AF_M_BURST_TIME_ALONE, burst, -1);
        len += (size_t)snprintf(sub + len, sizeof sub - len, "burst %s: %.0f of %s", burst, done,
                                q(&f, size, AF_DIM_SIZE));
        if (mean > 0 && alone > 0)
            len += (size_t)snprintf(sub + len, sizeof sub - len, ", %s each against %s alone",
                                    q(&f, mean, AF_DIM_TIME), q(&f, alone, AF_DIM_TIME));
        len += (size_t)snprintf(sub + len, sizeof sub - len, "; ");
    }
    if (len < sizeof sub - 100)
        snprintf(sub + len, sizeof sub - len, "%.0f failure%s%s", fails, fails == 1 ? "" : "s",
                 !any_stall && !c->no_data ? "; no job stalled for a checkpoint or went down" : "");
    c->subtitle = af_strdup(sub);
    af_chart_instances_free(jobs, njobs);
    af_chart_instances_free(tiers, ntiers);
    af_chart_instances_free(bursts, nbursts);
    return c;
}

af_chart *af_chart_bars_pair(const af_chart *a, const af_chart *b, const char *name_a,
                             const char *name_b)
{
    af_chart *c = chart_new(AF_CHART_BARS, a->id, a->section,
                            a->base_title ? a->base_title : a->title, a->ytitle, a->ydim);
    for (size_t i = 0; i < a->nrows; i++)
        chart_row(c, a->rows[i], a->row_colors ? a->row_colors[i] : AF_C_BLUE);
    for (size_t i = 0; i < b->nrows; i++) {
        bool have = false;
        for (size_t k = 0; k < a->nrows && !have; k++)
            have = strcmp(a->rows[k], b->rows[i]) == 0;
        if (!have)
            chart_row(c, b->rows[i], b->row_colors ? b->row_colors[i] : AF_C_BLUE);
    }
    af_chart_layer *la = chart_layer(c, name_a, AF_C_BLUE, AF_LAYER_AREA, NULL, c->nrows);
    af_chart_layer *lb = chart_layer(c, name_b, AF_C_ORANGE, AF_LAYER_AREA, NULL, c->nrows);
    /* chart_layer may move the array: take the pointers again. */
    la = &c->layers[0];
    lb = &c->layers[1];
    for (size_t i = 0; i < c->nrows; i++) {
        for (size_t k = 0; k < a->nrows; k++)
            if (strcmp(a->rows[k], c->rows[i]) == 0 && a->nlayers > 0)
                la->v[i] = a->layers[0].v[k];
        for (size_t k = 0; k < b->nrows; k++)
            if (strcmp(b->rows[k], c->rows[i]) == 0 && b->nlayers > 0)
                lb->v[i] = b->layers[0].v[k];
    }
    double sa = 0, sb = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        sa += la->v[i];
        sb += lb->v[i];
    }
    chart_fmt f = {.next = 0};
    c->subtitle =
        chart_strfmt("%s %s, %s %s in all", name_a, q(&f, sa, c->ydim), name_b, q(&f, sb, c->ydim));
    return c;
}

/* ---- The set ----------------------------------------------------------------------------------
 */

static void set_add(af_chart_set *s, af_chart *c)
{
    if (!c)
        return;
    s->c = af_realloc_array(s->c, s->n + 1, sizeof *s->c);
    s->c[s->n++] = c;
}

af_chart_set *af_charts_of_results(const af_results *r)
{
    af_chart_set *s = af_calloc(1, sizeof *s);
    size_t n;
    char **inst = af_chart_instances(r, AF_M_TRAIN_GPUS, &n);
    for (size_t i = 0; i < n; i++) {
        const char *job = inst[i];
        set_add(s, af_chart_attribution(r, job));
    }
    af_chart_instances_free(inst, n);
    inst = af_chart_instances(r, AF_M_STORAGE_NODES, &n);
    for (size_t i = 0; i < n; i++) {
        const char *tier = inst[i];
        set_add(s, af_chart_throughput(r, tier));
        set_add(s, af_chart_fill(r, tier));
    }
    af_chart_instances_free(inst, n);
    set_add(s, af_chart_power(r));
    set_add(s, af_chart_energy(r));
    set_add(s, af_chart_cost_run(r));
    set_add(s, af_chart_cost_tco(r));
    inst = af_chart_instances(r, AF_M_LOOKUP_REQUESTS, &n);
    for (size_t i = 0; i < n; i++) {
        set_add(s, af_chart_latency(r, inst[i]));
    }
    af_chart_instances_free(inst, n);
    inst = af_chart_instances(r, AF_M_INFER_ARRIVED, &n);
    for (size_t i = 0; i < n; i++)
        set_add(s, af_chart_serving(r, inst[i]));
    af_chart_instances_free(inst, n);
    set_add(s, af_chart_timeline(r));
    return s;
}

void af_chart_set_free(af_chart_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        af_chart_free(s->c[i]);
    af_free(s->c);
    af_free(s);
}

const af_chart *af_chart_set_find(const af_chart_set *s, const char *id)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (strcmp(s->c[i]->id, id) == 0)
            return s->c[i];
    return NULL;
}

double af_chart_stack_top(const af_chart *c, size_t i)
{
    double top = 0;
    for (size_t k = 0; k < c->nlayers; k++)
        if (c->layers[k].mode == AF_LAYER_AREA && i < c->layers[k].n)
            top += c->layers[k].v[i];
    return top;
}

/* ---- Frames -----------------------------------------------------------------------------------
 */

/* Positive values beyond which a log axis is used, when allowed: more than two decades. */
#define CHART_LOG_SPAN 100

/* Range of c's values: [lo, hi] from 0, and the smallest and largest positive ones. */
static void chart_range(const af_chart *c, double *lo, double *hi, double *plo, double *phi)
{
    *lo = 0;
    *hi = 0;
    *plo = INFINITY;
    *phi = 0;
#define SEE(x)                                                                                     \
    do {                                                                                           \
        double x_ = (x);                                                                           \
        if (isfinite(x_)) {                                                                        \
            *lo = fmin(*lo, x_);                                                                   \
            *hi = fmax(*hi, x_);                                                                   \
            if (x_ > 0) {                                                                          \
                *plo = fmin(*plo, x_);                                                             \
                *phi = fmax(*phi, x_);                                                             \
            }                                                                                      \
        }                                                                                          \
    } while (0)
    if (c->kind == AF_CHART_TIME) {
        for (size_t i = 0; i < c->n; i++)
            SEE(af_chart_stack_top(c, i));
        for (size_t k = 0; k < c->nlayers; k++)
            if (c->layers[k].mode == AF_LAYER_LINE)
                for (size_t i = 0; i < c->layers[k].n; i++)
                    SEE(c->layers[k].v[i]);
    } else if (c->kind == AF_CHART_BARS) {
        for (size_t k = 0; k < c->nlayers; k++)
            for (size_t i = 0; i < c->layers[k].n; i++)
                SEE(c->layers[k].v[i]);
    }
#undef SEE
}

/* A reference line above this many times the largest value is off a linear scale. */
#define CHART_OFFSCALE 5

/* The axis from the data's ranges in f and its references. */
static void frame_settle(af_chart_frame *f)
{
    double lo = f->lo, hi = f->hi, plo = f->plo, phi = f->phi;
    for (size_t k = 0; k < f->nref; k++) {
        double y = f->ref[k];
        if (!isfinite(y))
            continue;
        if (y > 0) {
            plo = fmin(plo, y);
            phi = fmax(phi, y);
        }
        if (f->log_ok || !(f->hi > 0) || y <= CHART_OFFSCALE * f->hi) {
            lo = fmin(lo, y);
            hi = fmax(hi, y);
        }
    }
    f->log_y = f->log_ok && phi > 0 && phi / plo > CHART_LOG_SPAN;
    f->ylo = f->log_y ? plo : lo;
    f->yhi = f->log_y ? phi : hi;
}

static void frame_refs(af_chart_frame *f, const double *y, size_t n)
{
    for (size_t k = 0; k < n && f->nref < AF_FRAME_REFS; k++)
        f->ref[f->nref++] = y[k];
}

void af_chart_frame_of(const af_chart *c, af_chart_frame *f)
{
    memset(f, 0, sizeof *f);
    f->t_end = c->t_end > 0 ? c->t_end : (double)c->n * c->dt;
    if (c->fixed_y || c->kind == AF_CHART_TIMELINE) {
        f->fixed = true;
        f->ylo = c->kind == AF_CHART_TIMELINE ? 0 : c->ylo;
        f->yhi = c->kind == AF_CHART_TIMELINE ? 1 : c->yhi;
        return;
    }
    chart_range(c, &f->lo, &f->hi, &f->plo, &f->phi);
    for (size_t k = 0; k < c->nrefs; k++)
        frame_refs(f, &c->refs[k].y, 1);
    f->log_ok = c->log_ok;
    frame_settle(f);
}

void af_chart_frame_join(af_chart_frame *f, const af_chart *c)
{
    af_chart_frame g;
    af_chart_frame_of(c, &g);
    f->t_end = fmax(f->t_end, g.t_end);
    if (f->fixed || g.fixed)
        return;
    f->lo = fmin(f->lo, g.lo);
    f->hi = fmax(f->hi, g.hi);
    f->plo = fmin(f->plo, g.plo);
    f->phi = fmax(f->phi, g.phi);
    frame_refs(f, g.ref, g.nref);
    f->log_ok = f->log_ok && g.log_ok;
    frame_settle(f);
}

void af_chart_value_ticks(const af_chart_frame *f, af_dim dim, size_t target, af_ticks *t,
                          af_axis_unit *u)
{
    if (f->log_y) {
        af_ticks_log(f->ylo, f->yhi, target, t);
        u->scale = 0;
        u->unit[0] = '\0';
        return;
    }
    af_axis_unit_of(fmax(fabs(f->ylo), fabs(f->yhi)), dim, u);
    double lo = f->ylo, hi = f->yhi;
    /* Room above the highest value, so a line or a label there does not sit on the frame;
     * a fixed range (0 to 100%) is kept as it is. */
    if (!f->fixed)
        hi += 0.04 * (hi - lo);
    af_ticks_linear(lo / u->scale, hi / u->scale, target, t);
    for (size_t i = 0; i < t->n; i++)
        t->v[i] *= u->scale;
    t->lo = t->v[0];
    t->hi = t->v[t->n - 1];
    t->step *= u->scale;
}
