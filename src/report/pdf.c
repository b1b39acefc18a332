/*
 * pdf: the capacity report as PDF pages and PNG charts; see pdf.h. Its findings, in sentences,
 * are in pdf_findings.c, which shares the string helpers below through pdf_int.h.
 *
 * A document is drawn twice: once on a PDF surface that writes nowhere, to count its pages, then
 * for real into memory, which is written out in one piece (base/outfile.h); the page count goes
 * into every footer.
 */
#include "report/pdf.h"

#include "base/alloc.h"
#include "base/metrics.h"
#include "base/outfile.h"
#include "report/chart.h"
#include "report/chart_draw.h"
#include "report/pdf_int.h"
#include "report/text.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Strings ----------------------------------------------------------------------------------
 */

void pdf_sbprintf(pdf_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) {
        va_end(ap2);
        return;
    }
    if (b->n + (size_t)len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->n + (size_t)len + 1)
            cap *= 2;
        b->s = af_realloc_array(b->s, cap, 1);
        b->cap = cap;
    }
    vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap2);
    va_end(ap2);
    b->n += (size_t)len;
}

char *pdf_sbtake(pdf_sbuf *b)
{
    char *s = b->s ? b->s : af_strdup("");
    *b = (pdf_sbuf){0};
    return s;
}

const char *pdf_q(pdf_fmt *f, double v, af_dim dim)
{
    char *b = f->buf[f->next++ % 16];
    return af_report_text_value(v, dim, b, sizeof f->buf[0]);
}

/* ---- Headline figures -------------------------------------------------------------------------
 */

static void headline_add(af_headline *h, char *label, char *value)
{
    h->rows = af_realloc_array(h->rows, h->n + 1, sizeof *h->rows);
    h->rows[h->n++] = (af_headline_row){.label = label, .value = value};
}

/* A row of metric id (of the run) when it was recorded. */
static void headline_metric(af_headline *h, const af_results *r, af_metric_id id, const char *label,
                            bool positive)
{
    const af_metric *m = af_results_lookup(r, id, NULL);
    if (!m || m->text || (positive && !(m->value > 0)))
        return;
    char v[64];
    af_report_text_value(m->value, m->dim, v, sizeof v);
    headline_add(h, af_strdup(label), af_strdup(v));
}

/* "p99 latency, service recsys": "6.591 ms (objective 50 ms)": a row of a latency when it was
 * recorded, with its objective when there is one. */
static void headline_latency(af_headline *h, const char *label, const char *name, double v,
                             double slo, pdf_fmt *f)
{
    if (v < 0)
        return;
    if (slo > 0)
        headline_add(
            h, af_strfmt("%s, service %s", label, name),
            af_strfmt("%s (objective %s)", pdf_q(f, v, AF_DIM_TIME), pdf_q(f, slo, AF_DIM_TIME)));
    else
        headline_add(h, af_strfmt("%s, service %s", label, name),
                     af_strdup(pdf_q(f, v, AF_DIM_TIME)));
}

/* A serving workload's rows: the latency at its objective's quantile (p99 without one), or an
 * LLM service's p99 times to first token and per output token. */
static void headline_infer(af_headline *h, const af_results *r, const char *name, pdf_fmt *f)
{
    if (af_results_value(r, AF_M_INFER_TOKENS, name, -1) >= 0) {
        headline_latency(h, "p99 time to first token", name,
                         af_results_value(r, AF_M_INFER_TTFT_P99, name, -1),
                         af_results_value(r, AF_M_INFER_TTFT_SLO, name, -1), f);
        headline_latency(h, "p99 time per output token", name,
                         af_results_value(r, AF_M_INFER_TPOT_P99, name, -1),
                         af_results_value(r, AF_M_INFER_TPOT_SLO, name, -1), f);
        return;
    }
    double slo = af_results_value(r, AF_M_INFER_SLO, name, -1);
    double qq = af_results_value(r, AF_M_INFER_SLO_QUANTILE, name, 0.99);
    if (slo > 0 && qq != 0.99) {
        char label[32];
        snprintf(label, sizeof label, "p%g latency", qq * 100);
        headline_latency(h, label, name, af_results_value(r, AF_M_INFER_SLO_LATENCY, name, -1), slo,
                         f);
    } else {
        headline_latency(h, "p99 latency", name, af_results_value(r, AF_M_INFER_P99, name, -1), slo,
                         f);
    }
    headline_latency(h, "p99 during checkpoint writes", name,
                     af_results_value(r, AF_M_INFER_P99_WRITES, name, -1), qq == 0.99 ? slo : -1,
                     f);
}

void af_report_headline(const af_results *r, af_headline *out)
{
    out->rows = NULL;
    out->n = 0;
    pdf_fmt f = {.next = 0};
    size_t n;
    char **inst = af_chart_instances(r, AF_M_TRAIN_GPUS, &n);
    for (size_t i = 0; i < n; i++) {
        double u = af_results_value(r, AF_M_TRAIN_UTIL, inst[i], -1);
        if (u >= 0)
            headline_add(out, af_strfmt("GPU utilization, %s", inst[i]),
                         af_strdup(pdf_q(&f, u, AF_DIM_RATIO)));
    }
    af_chart_instances_free(inst, n);
    inst = af_chart_instances(r, AF_M_STORAGE_NODES, &n);
    for (size_t i = 0; i < n; i++) {
        double rd = af_results_value(r, AF_M_STORAGE_READ_RATE, inst[i], -1);
        double bw = af_results_value(r, AF_M_STORAGE_READ_BW, inst[i], -1);
        if (rd < 0)
            continue;
        if (bw > 0)
            headline_add(out, af_strfmt("read delivered, tier %s", inst[i]),
                         af_strfmt("%s of %s", pdf_q(&f, rd, AF_DIM_BANDWIDTH),
                                   pdf_q(&f, bw, AF_DIM_BANDWIDTH)));
        else
            headline_add(out, af_strfmt("read delivered, tier %s", inst[i]),
                         af_strdup(pdf_q(&f, rd, AF_DIM_BANDWIDTH)));
    }
    af_chart_instances_free(inst, n);
    inst = af_chart_instances(r, AF_M_LOOKUP_REQUESTS, &n);
    for (size_t i = 0; i < n; i++) {
        double p99 = af_results_value(r, AF_M_LOOKUP_P99, inst[i], -1);
        double slo = af_results_value(r, AF_M_LOOKUP_SLO, inst[i], -1);
        if (p99 < 0)
            continue;
        if (slo > 0)
            headline_add(out, af_strfmt("p99 latency, look-ups %s", inst[i]),
                         af_strfmt("%s (objective %s)", pdf_q(&f, p99, AF_DIM_TIME),
                                   pdf_q(&f, slo, AF_DIM_TIME)));
        else
            headline_add(out, af_strfmt("p99 latency, look-ups %s", inst[i]),
                         af_strdup(pdf_q(&f, p99, AF_DIM_TIME)));
    }
    af_chart_instances_free(inst, n);
    inst = af_chart_instances(r, AF_M_INFER_ARRIVED, &n);
    for (size_t i = 0; i < n; i++)
        headline_infer(out, r, inst[i], &f);
    af_chart_instances_free(inst, n);
    headline_metric(out, r, AF_M_FACILITY_POWER, "facility power, mean", false);
    headline_metric(out, r, AF_M_FACILITY_BUSY_POWER, "facility power at peak", false);
    headline_metric(out, r, AF_M_FACILITY_ENERGY, "facility energy", false);
    headline_metric(out, r, AF_M_FACILITY_CARBON, "carbon (energy)", false);
    headline_metric(out, r, AF_M_FACILITY_EMBODIED, "embodied carbon (equipment)", false);
    headline_metric(out, r, AF_M_FACILITY_RACKS, "racks", false);
    headline_metric(out, r, AF_M_COST_PURCHASE, "purchase price", false);
    headline_metric(out, r, AF_M_COST_TOTAL, "cost of the run", false);
    headline_metric(out, r, AF_M_COST_PER_GPU_HOUR, "cost per useful GPU-hour", true);
    headline_metric(out, r, AF_M_COST_PER_MTOKEN, "cost per million tokens", true);
    headline_metric(out, r, AF_M_COST_PER_MREQUEST, "cost per million requests", true);
    double life = af_results_value(r, AF_M_COST_LIFETIME, NULL, -1);
    double tco = af_results_value(r, AF_M_COST_TCO, NULL, -1);
    if (tco >= 0)
        headline_add(out,
                     life > 0 ? af_strfmt("TCO over %s", pdf_q(&f, life, AF_DIM_TIME))
                              : af_strdup("TCO"),
                     af_strdup(pdf_q(&f, tco, AF_DIM_MONEY)));
}

void af_headline_free(af_headline *h)
{
    for (size_t i = 0; i < h->n; i++) {
        af_free(h->rows[i].label);
        af_free(h->rows[i].value);
    }
    af_free(h->rows);
    h->rows = NULL;
    h->n = 0;
}

/* ---- Pages ------------------------------------------------------------------------------------
 */

/* A4 landscape, in points. */
#define PAGE_W 841.89
#define PAGE_H 595.28
#define MARGIN 40.0
/* The flow of a page ends here; the footer is below. */
#define PAGE_BOTTOM (PAGE_H - 44.0)

static const double c_ink[3] = {0.13, 0.13, 0.13};
static const double c_muted[3] = {0.40, 0.40, 0.40};
static const double c_accent[3] = {0.0, 0.467, 0.733};

static af_text_style tstyle(double size, bool bold, af_align align, const double rgb[3])
{
    af_text_style st = {.size = size, .bold = bold, .align = align};
    memcpy(st.rgb, rgb, sizeof st.rgb);
    return st;
}

/* A document being drawn. */
typedef struct doc {
    cairo_surface_t *surf;
    cairo_t *cr;
    af_draw dr;
    int page;         /* pages begun */
    int pages;        /* pages in all, from the counting pass; 0 while counting */
    char footer[600]; /* left part of every footer */
} doc;

static void doc_rule(doc *d, double x0, double x1, double y, double gray, double width)
{
    cairo_set_source_rgb(d->cr, gray, gray, gray);
    cairo_set_line_width(d->cr, width);
    cairo_move_to(d->cr, x0, y);
    cairo_line_to(d->cr, x1, y);
    cairo_stroke(d->cr);
}

/* Ends the page in progress (if any) and begins the next, with its footer and heading; returns
 * the y under the heading. */
static double doc_page(doc *d, const char *heading)
{
    if (d->page > 0)
        cairo_show_page(d->cr);
    d->page++;
    cairo_set_source_rgb(d->cr, 1, 1, 1);
    cairo_paint(d->cr);
    af_text_style fs = tstyle(7, false, AF_ALIGN_LEFT, c_muted);
    double fy = PAGE_H - 30;
    doc_rule(d, MARGIN, PAGE_W - MARGIN, fy - 4, 0.8, 0.5);
    af_draw_text(&d->dr, MARGIN, fy, PAGE_W - 2 * MARGIN - 80, d->footer, &fs);
    char pg[64];
    if (d->pages > 0)
        snprintf(pg, sizeof pg, "page %d of %d", d->page, d->pages);
    else
        snprintf(pg, sizeof pg, "page %d", d->page);
    fs.align = AF_ALIGN_RIGHT;
    af_draw_text(&d->dr, PAGE_W - MARGIN, fy, 0, pg, &fs);
    double y = MARGIN - 8;
    if (heading) {
        af_text_style hs = tstyle(15, true, AF_ALIGN_LEFT, c_ink);
        y += af_draw_text(&d->dr, MARGIN, y, PAGE_W - 2 * MARGIN, heading, &hs);
        doc_rule(d, MARGIN, PAGE_W - MARGIN, y + 4, 0.75, 0.8);
        y += 14;
    }
    return y;
}

/* Bulleted sentences in a column from item *next on, until the column is full; returns the y
 * under the last one drawn. */
static double doc_bullets(doc *d, const af_findings *fd, size_t *next, double x, double y, double w,
                          double bottom, double size)
{
    af_text_style st = tstyle(size, false, AF_ALIGN_LEFT, c_ink);
    af_text_style bs = tstyle(size, true, AF_ALIGN_LEFT, c_accent);
    bool first = true;
    while (*next < fd->n) {
        double th;
        af_draw_measure(&d->dr, fd->s[*next], &st, w - 12, NULL, &th);
        if (y + th > bottom && !first) /* the first goes in whatever its length: progress */
            break;
        first = false;
        af_draw_text(&d->dr, x, y, 0, "\xe2\x80\xa2", &bs); /* U+2022 bullet */
        y += af_draw_text(&d->dr, x + 12, y, w - 12, fd->s[*next], &st) + size * 0.55;
        (*next)++;
    }
    return y;
}

/* Headline rows in a column from *next on, until the column is full. */
static double doc_headline(doc *d, const af_headline *h, size_t *next, double x, double y, double w,
                           double bottom)
{
    af_text_style ls = tstyle(8.5, false, AF_ALIGN_LEFT, c_ink);
    af_text_style vs = tstyle(8.5, true, AF_ALIGN_RIGHT, c_ink);
    bool first = true;
    while (*next < h->n) {
        const af_headline_row *row = &h->rows[*next];
        double vw, vh, lh;
        af_draw_measure(&d->dr, row->value, &vs, 0, &vw, &vh);
        af_draw_measure(&d->dr, row->label, &ls, w - vw - 10, NULL, &lh);
        double rh = fmax(vh, lh) + 6;
        if (y + rh > bottom && !first)
            break;
        first = false;
        af_draw_text(&d->dr, x, y + 3, w - vw - 10, row->label, &ls);
        af_draw_text(&d->dr, x + w, y + 3, 0, row->value, &vs);
        y += rh;
        doc_rule(d, x, x + w, y, 0.88, 0.4);
        (*next)++;
    }
    return y;
}

/* The top of a cover: kicker, title, one line under it; returns the y under them. */
static double doc_cover_top(doc *d, const char *kicker, const char *title, const char *line)
{
    double y = doc_page(d, NULL) + 4;
    af_text_style ks = tstyle(9, true, AF_ALIGN_LEFT, c_accent);
    af_text_style ts = tstyle(24, true, AF_ALIGN_LEFT, c_ink);
    af_text_style ls = tstyle(9.5, false, AF_ALIGN_LEFT, c_muted);
    y += af_draw_text(&d->dr, MARGIN, y, PAGE_W - 2 * MARGIN, kicker, &ks) + 2;
    y += af_draw_text(&d->dr, MARGIN, y, PAGE_W - 2 * MARGIN, title, &ts) + 2;
    y += af_draw_text(&d->dr, MARGIN, y, PAGE_W - 2 * MARGIN, line, &ls);
    doc_rule(d, MARGIN, PAGE_W - MARGIN, y + 8, 0.75, 0.8);
    return y + 20;
}

/* The text metric id of r, or dflt. */
static const char *rtext(const af_results *r, af_metric_id id, const char *dflt)
{
    const af_metric *m = af_results_lookup(r, id, NULL);
    return m && m->text ? m->text : dflt;
}

/* "scenarios/x.yaml, seed 42, 3 h simulated, overrides: none" */
static char *run_line(const af_results *r)
{
    pdf_fmt f = {.next = 0};
    return af_strfmt("%s, seed %.0f, %s simulated, overrides: %s",
                     rtext(r, AF_M_RUN_FILE, "(scenario file not recorded)"),
                     af_results_value(r, AF_M_RUN_SEED, NULL, 0),
                     pdf_q(&f, af_results_value(r, AF_M_RUN_DURATION, NULL, 0), AF_DIM_TIME),
                     rtext(r, AF_M_RUN_OVERRIDES, "none"));
}

/* "scenario text hash ..., model catalog hash ..., aifsim 0.1.0; time series: 240 windows of
 * 45 s" */
static char *provenance_line(const af_results *r)
{
    pdf_fmt f = {.next = 0};
    char series[160] = "time series: none";
    for (size_t i = 0; i < af_results_nseries(r); i++) {
        const af_series *s = af_results_series_get(r, i);
        snprintf(series, sizeof series, "time series: %zu windows of %s", s->n,
                 pdf_q(&f, s->dt, AF_DIM_TIME));
        break;
    }
    return af_strfmt("scenario text hash %s, model catalog hash %s, aifsim %s, %.0f events; %s",
                     rtext(r, AF_M_RUN_HASH, "-"), rtext(r, AF_M_RUN_CATALOG, "-"),
                     rtext(r, AF_M_RUN_VERSION, "-"), af_results_value(r, AF_M_RUN_EVENTS, NULL, 0),
                     series);
}

/* The chart pages: four charts a page, the page headed by their sections. */
static void doc_chart_pages(doc *d, const af_chart_set *cs)
{
    double gap = 22, cw = (PAGE_W - 2 * MARGIN - gap) / 2;
    for (size_t i = 0; i < cs->n; i += 4) {
        char heading[300] = "";
        size_t len = 0;
        for (size_t k = i; k < cs->n && k < i + 4; k++) {
            bool seen = false;
            for (size_t j = i; j < k && !seen; j++)
                seen = strcmp(cs->c[j]->section, cs->c[k]->section) == 0;
            if (!seen && len < sizeof heading - 1)
                len += (size_t)snprintf(heading + len, sizeof heading - len, "%s%s",
                                        len ? " \xc2\xb7 " : "", cs->c[k]->section);
        }
        double y = doc_page(d, heading);
        double ch = (PAGE_BOTTOM - y - gap) / 2;
        for (size_t k = i; k < cs->n && k < i + 4; k++) {
            size_t j = k - i;
            af_chart_draw(&d->dr, cs->c[k], NULL, MARGIN + (double)(j % 2) * (cw + gap),
                          y + (double)(j / 2) * (ch + gap), cw, ch);
        }
    }
}

/* The run report. */
typedef struct run_doc {
    const af_results *r;
    const af_findings *fd;
    const af_headline *hl;
    const af_chart_set *cs;
} run_doc;

static void run_doc_draw(doc *d, const run_doc *rd)
{
    const af_results *r = rd->r;
    const char *name = rtext(r, AF_M_RUN_SCENARIO, "scenario");
    snprintf(d->footer, sizeof d->footer, "aifsim %s \xc2\xb7 capacity report \xc2\xb7 %s",
             rtext(r, AF_M_RUN_VERSION, "?"), name);
    char *line = run_line(r);
    char *prov = provenance_line(r);
    /* A run cut short (Ctrl-C) says so first: every figure covers the time it ran. */
    const af_metric *partial = af_results_lookup(r, AF_M_RUN_PARTIAL, NULL);
    char *kicker = partial && partial->text
                       ? af_strfmt("CAPACITY REPORT \xc2\xb7 PARTIAL RESULTS: %s; every figure "
                                   "covers the time run",
                                   partial->text)
                       : af_strdup("CAPACITY REPORT");
    double y0 = doc_cover_top(d, kicker, name, line);
    af_free(kicker);
    af_text_style hs = tstyle(12.5, true, AF_ALIGN_LEFT, c_ink);
    af_text_style ps = tstyle(7, false, AF_ALIGN_LEFT, c_muted);
    double lx = MARGIN, lw = 470, rx = MARGIN + lw + 30, rw = PAGE_W - MARGIN - rx;
    size_t nf = 0, nh = 0;
    /* The provenance goes at the bottom of the cover. */
    double ph;
    af_draw_measure(&d->dr, prov, &ps, PAGE_W - 2 * MARGIN, NULL, &ph);
    double bottom = PAGE_BOTTOM - ph - 10;
    bool first = true;
    while (first || nf < rd->fd->n || nh < rd->hl->n) {
        double y = first ? y0 : doc_page(d, NULL);
        const char *cont = first ? "" : " (continued)";
        char h1[64], h2[64];
        snprintf(h1, sizeof h1, "Findings%s", cont);
        snprintf(h2, sizeof h2, "Headline figures%s", cont);
        if (nf < rd->fd->n || first) {
            double yy = y + af_draw_text(&d->dr, lx, y, lw, h1, &hs) + 6;
            doc_bullets(d, rd->fd, &nf, lx, yy, lw, bottom, 9.5);
        }
        if (nh < rd->hl->n || first) {
            double yy = y + af_draw_text(&d->dr, rx, y, rw, h2, &hs) + 4;
            doc_rule(d, rx, rx + rw, yy, 0.7, 0.6);
            doc_headline(d, rd->hl, &nh, rx, yy, rw, bottom);
        }
        if (first) {
            doc_rule(d, MARGIN, PAGE_W - MARGIN, bottom + 4, 0.85, 0.5);
            af_draw_text(&d->dr, MARGIN, bottom + 8, PAGE_W - 2 * MARGIN, prov, &ps);
        }
        first = false;
        bottom = PAGE_BOTTOM;
    }
    af_free(line);
    af_free(prov);
    doc_chart_pages(d, rd->cs);
}

/* The comparison report. */
typedef struct cmp_doc {
    const af_results *a, *b;
    const af_compare *c;
    const af_compare_side *sa, *sb;
    const af_findings *fd;
    const af_chart_set *ca, *cb;
} cmp_doc;

/* Mirrors compare.c's cells: B - A with its sign and unit, shares in percentage points. */
static void cmp_diff(const af_compare_row *r, char *out, size_t n)
{
    if (r->text) {
        snprintf(out, n, "%s", r->differs ? "differs" : "same");
        return;
    }
    if (!r->has_diff) {
        snprintf(out, n, "n/a");
        return;
    }
    char v[48];
    af_report_text_value(fabs(r->diff), r->dim, v, sizeof v);
    const char *sign = r->diff > 0 ? "+" : r->diff < 0 ? "-" : "";
    size_t len = strlen(v);
    if (r->dim == AF_DIM_RATIO && len > 0 && v[len - 1] == '%')
        snprintf(out, n, "%s%.*s pp", sign, (int)(len - 1), v);
    else
        snprintf(out, n, "%s%s", sign, v);
}

static void cmp_ratio(const af_compare_row *r, char *out, size_t n)
{
    if (r->text) {
        out[0] = '\0';
        return;
    }
    if (!r->has_ratio) {
        snprintf(out, n, "n/a");
        return;
    }
    char v[48];
    af_report_text_value(fabs(r->ratio), AF_DIM_RATIO, v, sizeof v);
    snprintf(out, n, "%s%s", r->ratio > 0 ? "+" : r->ratio < 0 ? "-" : "", v);
}

static void cmp_value(const af_metric *m, char *out, size_t n)
{
    if (!m)
        snprintf(out, n, "-");
    else if (m->text)
        snprintf(out, n, "%s", m->text);
    else
        af_report_text_value(m->value, m->dim, out, n);
}

/* The row's label without the summary's indentation, which *indent counts. */
static const char *cmp_label(const af_compare_row *r, int *indent)
{
    *indent = 0;
    if (r->label) {
        const char *l = r->label;
        while (*l == ' ') {
            l++;
            (*indent)++;
        }
        return l;
    }
    size_t glen = af_report_text_group_len(r->name);
    return r->name[glen] ? r->name + glen + 1 : r->name;
}

/* "A  flagship-flash: scenarios/x.yaml, seed 42, --set a=b; scenario text hash ..." */
static char *cmp_side_line(const char *tag, const af_compare_side *s, const af_results *r)
{
    pdf_sbuf b = {0};
    pdf_fmt f = {.next = 0};
    pdf_sbprintf(&b, "%s: %s \xe2\x80\x94 %s, seed %llu, %s simulated", tag, s->name, s->file,
                 (unsigned long long)s->seed,
                 pdf_q(&f, af_results_value(r, AF_M_RUN_DURATION, NULL, 0), AF_DIM_TIME));
    for (size_t i = 0; i < s->noverrides; i++)
        pdf_sbprintf(&b, "%s--set %s", i ? " " : ", ", s->overrides[i]);
    pdf_sbprintf(&b, "; scenario text hash %s, model catalog hash %s", rtext(r, AF_M_RUN_HASH, "-"),
                 rtext(r, AF_M_RUN_CATALOG, "-"));
    return pdf_sbtake(&b);
}

/* The table of headline rows, over as many pages as it takes. */
static void cmp_table_pages(doc *d, const cmp_doc *cd)
{
    const af_compare *c = cd->c;
    double x0 = MARGIN, wl = 300, wv = 125, wd = 115, wr = 95;
    double xa = x0 + wl + wv, xb = xa + wv, xd = xb + wd, xr = xd + wr;
    af_text_style hs = tstyle(8, true, AF_ALIGN_RIGHT, c_ink);
    af_text_style gs = tstyle(8.5, true, AF_ALIGN_LEFT, c_accent);
    af_text_style ls = tstyle(8, false, AF_ALIGN_LEFT, c_ink);
    af_text_style vs = tstyle(8, false, AF_ALIGN_RIGHT, c_ink);
    size_t i = 0;
    /* Rows shown: the headline selection, no provenance. */
    while (i < c->n) {
        double y = doc_page(d, "Headline figures side by side");
        af_text_style hl = hs;
        hl.align = AF_ALIGN_LEFT;
        af_draw_text(&d->dr, x0, y, 0, "metric", &hl);
        af_draw_text(&d->dr, xa, y, 0, cd->sa->column, &hs);
        af_draw_text(&d->dr, xb, y, 0, cd->sb->column, &hs);
        af_draw_text(&d->dr, xd, y, 0, "B - A", &hs);
        af_draw_text(&d->dr, xr, y, 0, "B / A - 1", &hs);
        y += 13;
        doc_rule(d, x0, xr, y, 0.6, 0.6);
        y += 3;
        const char *group = NULL;
        size_t glen = 0;
        bool any = false;
        for (; i < c->n; i++) {
            const af_compare_row *r = &c->rows[i];
            if (r->provenance || !af_compare_headline(r->name))
                continue;
            size_t len = af_report_text_group_len(r->name);
            bool new_group = !group || len != glen || strncmp(group, r->name, len) != 0;
            double need = new_group ? 26 : 12;
            if (y + need > PAGE_BOTTOM && any)
                break;
            if (new_group) {
                char g[300];
                snprintf(g, sizeof g, "%.*s", (int)len, r->name);
                y += 3;
                y += af_draw_text(&d->dr, x0, y, 0, g, &gs) + 1;
                group = r->name;
                glen = len;
            }
            char va[64], vb[64], df[64], rt[64];
            cmp_value(r->a, va, sizeof va);
            cmp_value(r->b, vb, sizeof vb);
            cmp_diff(r, df, sizeof df);
            cmp_ratio(r, rt, sizeof rt);
            int indent;
            const char *label = cmp_label(r, &indent);
            af_draw_text(&d->dr, x0 + 10 + 5 * indent, y, wl - 10 - 5 * indent, label, &ls);
            af_draw_text(&d->dr, xa, y, 0, va, &vs);
            af_draw_text(&d->dr, xb, y, 0, vb, &vs);
            af_text_style ds = vs;
            if (r->differs && !r->text && r->has_ratio && fabs(r->ratio) >= 0.01)
                ds.bold = true;
            af_draw_text(&d->dr, xd, y, 0, df, &ds);
            af_draw_text(&d->dr, xr, y, 0, rt, &ds);
            y += 11.5;
            doc_rule(d, x0 + 10, xr, y - 1, 0.93, 0.3);
            any = true;
        }
        if (!any)
            break;
    }
}

/* A stand-in for a chart one run does not have. */
static af_chart *missing_chart(const af_chart *other, const char *name)
{
    af_chart *c = af_calloc(1, sizeof *c);
    c->kind = other->kind == AF_CHART_BARS ? AF_CHART_BARS : AF_CHART_TIME;
    c->id = af_strdup(other->id);
    c->section = af_strdup(other->section);
    c->title = af_strfmt("%s \xe2\x80\x94 %s", other->title, name);
    c->ytitle = af_strdup(other->ytitle);
    c->ydim = other->ydim;
    c->no_data = true;
    c->note = af_strfmt("%s has no such chart (nothing of this kind in the run)", name);
    return c;
}

/* One row of a comparison's chart pages (and one PNG): the two runs' charts of one kind on one
 * frame, or two bar charts with both runs' bars. */
typedef struct cmp_row {
    const af_chart *l, *r; /* drawn left and right (r may be NULL: one chart alone) */
    af_chart *own[2];      /* stand-ins and bar pairs made for the row, owned */
    bool shared;           /* l and r are run A's and run B's charts: one frame, named tags */
} cmp_row;

/* The rows in report order: a's charts, then those only b has; the cost charts of both runs
 * side by side in one row. */
static cmp_row *cmp_rows(const af_chart_set *ca, const af_chart_set *cb, const af_compare_side *sa,
                         const af_compare_side *sb, size_t *nrows)
{
    cmp_row *rows = NULL;
    size_t n = 0;
    af_chart *bars = NULL;
    for (int pass = 0; pass < 2; pass++) {
        const af_chart_set *s = pass ? cb : ca, *o = pass ? ca : cb;
        for (size_t i = 0; i < s->n; i++) {
            const af_chart *c = s->c[i];
            const af_chart *other = af_chart_set_find(o, c->id);
            if (pass == 1 && other)
                continue; /* drawn in the first pass */
            const af_chart *a = pass ? other : c, *b = pass ? c : other;
            af_chart *sta = a ? NULL : missing_chart(b, sa->column);
            af_chart *stb = b ? NULL : missing_chart(a, sb->column);
            if (sta)
                a = sta;
            if (stb)
                b = stb;
            if (c->kind == AF_CHART_BARS) {
                af_chart *pair = af_chart_bars_pair(a, b, sa->column, sb->column);
                af_chart_free(sta);
                af_chart_free(stb);
                if (!bars) {
                    bars = pair;
                    continue;
                }
                rows = af_realloc_array(rows, n + 1, sizeof *rows);
                rows[n++] = (cmp_row){.l = bars, .r = pair, .own = {bars, pair}, .shared = false};
                bars = NULL;
                continue;
            }
            rows = af_realloc_array(rows, n + 1, sizeof *rows);
            rows[n++] = (cmp_row){.l = a, .r = b, .own = {sta, stb}, .shared = true};
        }
    }
    if (bars) {
        rows = af_realloc_array(rows, n + 1, sizeof *rows);
        rows[n++] = (cmp_row){.l = bars, .r = NULL, .own = {bars, NULL}, .shared = false};
    }
    *nrows = n;
    return rows;
}

static void cmp_rows_free(cmp_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        af_chart_free(rows[i].own[0]);
        af_chart_free(rows[i].own[1]);
    }
    af_free(rows);
}

/* Draws row rw in (x, y, w, h): a pair on one frame under the runs' tags, or two charts. */
static void cmp_row_draw(af_draw *dr, const cmp_row *rw, const af_compare_side *sa,
                         const af_compare_side *sb, double x, double y, double w, double h)
{
    double gap = 22, cw = (w - gap) / 2;
    if (!rw->shared) {
        af_chart_draw(dr, rw->l, NULL, x, y, cw, h);
        if (rw->r)
            af_chart_draw(dr, rw->r, NULL, x + cw + gap, y, cw, h);
        return;
    }
    af_chart_frame f;
    af_chart_frame_of(rw->l, &f);
    af_chart_frame_join(&f, rw->r);
    af_text_style ts = tstyle(8, true, AF_ALIGN_LEFT, c_accent);
    char tag[300];
    double th;
    snprintf(tag, sizeof tag, "A: %s", sa->column);
    th = af_draw_text(dr, x, y, cw, tag, &ts);
    snprintf(tag, sizeof tag, "B: %s", sb->column);
    af_draw_text(dr, x + cw + gap, y, cw, tag, &ts);
    af_chart_draw(dr, rw->l, &f, x, y + th + 2, cw, h - th - 2);
    af_chart_draw(dr, rw->r, &f, x + cw + gap, y + th + 2, cw, h - th - 2);
    /* A rule between the two runs. */
    cairo_set_source_rgb(dr->cr, 0.85, 0.85, 0.85);
    cairo_set_line_width(dr->cr, 0.5);
    cairo_move_to(dr->cr, x + cw + gap / 2, y);
    cairo_line_to(dr->cr, x + cw + gap / 2, y + h);
    cairo_stroke(dr->cr);
}

static void cmp_doc_draw(doc *d, const cmp_doc *cd)
{
    const af_compare_side *sa = cd->sa, *sb = cd->sb;
    snprintf(d->footer, sizeof d->footer,
             "aifsim %s \xc2\xb7 comparison \xc2\xb7 A: %s \xc2\xb7 B: %s",
             rtext(cd->a, AF_M_RUN_VERSION, "?"), sa->column, sb->column);
    char title[600];
    snprintf(title, sizeof title, "%s against %s", sa->column, sb->column);
    char *la = cmp_side_line("A", sa, cd->a), *lb = cmp_side_line("B", sb, cd->b);
    const af_metric *pa = af_results_lookup(cd->a, AF_M_RUN_PARTIAL, NULL);
    const af_metric *pb = af_results_lookup(cd->b, AF_M_RUN_PARTIAL, NULL);
    if ((pa && pa->text) || (pb && pb->text)) {
        const char *who = pa && pa->text && pb && pb->text ? "A and B were"
                          : pa && pa->text                 ? "A was"
                                                           : "B was";
        char *more = af_strfmt("%s\nPARTIAL RESULTS: %s cut short (Ctrl-C); the figures cover "
                               "the time run",
                               lb, who);
        af_free(lb);
        lb = more;
    }
    char *sides = af_strfmt("%s\n%s", la, lb);
    double y = doc_cover_top(d, "CAPACITY REPORT \xc2\xb7 COMPARISON", title, sides);
    af_text_style hs = tstyle(12.5, true, AF_ALIGN_LEFT, c_ink);
    af_free(sides);
    af_free(la);
    af_free(lb);
    size_t nf = 0;
    bool first = true;
    while (first || nf < cd->fd->n) {
        if (!first)
            y = doc_page(d, NULL);
        y += af_draw_text(&d->dr, MARGIN, y, 0, first ? "What differs" : "What differs (continued)",
                          &hs) +
             6;
        doc_bullets(d, cd->fd, &nf, MARGIN, y, PAGE_W - 2 * MARGIN - 120, PAGE_BOTTOM, 9.5);
        first = false;
    }
    cmp_table_pages(d, cd);
    size_t nrows;
    cmp_row *rows = cmp_rows(cd->ca, cd->cb, sa, sb, &nrows);
    double gap = 20;
    for (size_t i = 0; i < nrows; i += 2) {
        char heading[300];
        if (i + 1 < nrows && strcmp(rows[i].l->section, rows[i + 1].l->section) != 0)
            snprintf(heading, sizeof heading, "%s \xc2\xb7 %s", rows[i].l->section,
                     rows[i + 1].l->section);
        else
            snprintf(heading, sizeof heading, "%s", rows[i].l->section);
        double top = doc_page(d, heading);
        double rh = (PAGE_BOTTOM - top - gap) / 2;
        for (size_t k = i; k < nrows && k < i + 2; k++)
            cmp_row_draw(&d->dr, &rows[k], sa, sb, MARGIN, top + (double)(k - i) * (rh + gap),
                         PAGE_W - 2 * MARGIN, rh);
    }
    cmp_rows_free(rows, nrows);
}

/* ---- Writing ----------------------------------------------------------------------------------
 */

/* Bytes made in memory. */
typedef struct membuf {
    unsigned char *p;
    size_t n, cap;
} membuf;

static cairo_status_t membuf_write(void *closure, const unsigned char *data, unsigned int len)
{
    membuf *m = closure;
    if (m->n + len > m->cap) {
        size_t cap = m->cap ? m->cap : 65536;
        while (cap < m->n + len)
            cap *= 2;
        m->p = af_realloc_array(m->p, cap, 1);
        m->cap = cap;
    }
    memcpy(m->p + m->n, data, len);
    m->n += len;
    return CAIRO_STATUS_SUCCESS;
}

typedef void (*doc_fn)(doc *d, const void *ctx);

static void run_doc_fn(doc *d, const void *ctx)
{
    run_doc_draw(d, ctx);
}

static void cmp_doc_fn(doc *d, const void *ctx)
{
    cmp_doc_draw(d, ctx);
}

/* Draws a document on a PDF surface writing to out (NULL: nowhere); returns its pages, or -1
 * when Cairo failed (its message in d). */
static int doc_render(doc_fn fn, const void *ctx, const char *title, const char *creator, int pages,
                      membuf *out, af_diag *dg)
{
    doc d;
    memset(&d, 0, sizeof d);
    d.pages = pages;
    d.surf = cairo_pdf_surface_create_for_stream(out ? membuf_write : NULL, out, PAGE_W, PAGE_H);
    /* No creation date (Cairo would write the time of the run): the same results, the same
     * bytes. */
    cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_CREATE_DATE, "");
    cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_CREATOR, creator);
    d.cr = cairo_create(d.surf);
    af_draw_init(&d.dr, d.cr);
    fn(&d, ctx);
    cairo_show_page(d.cr);
    af_draw_fini(&d.dr);
    cairo_status_t st = cairo_status(d.cr);
    cairo_destroy(d.cr);
    cairo_surface_finish(d.surf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(d.surf);
    cairo_surface_destroy(d.surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        af_diag_error(dg, "making the PDF: %s", cairo_status_to_string(st));
        return -1;
    }
    return d.page;
}

/* Renders the document twice (pages counted, then drawn) and writes it to path. */
static int pdf_save(doc_fn fn, const void *ctx, const char *title, const char *creator,
                    const char *path, af_diag *dg)
{
    int pages = doc_render(fn, ctx, title, creator, 0, NULL, dg);
    if (pages < 0)
        return AF_EIO;
    membuf m = {0};
    int rc = AF_EIO;
    if (doc_render(fn, ctx, title, creator, pages, &m, dg) >= 0) {
        af_outfile *f = af_outfile_open(path, dg);
        if (f) {
            af_outfile_write(f, m.p, m.n);
            rc = af_outfile_commit(f, dg);
        }
    }
    af_free(m.p);
    return rc;
}

int af_report_pdf_save(const af_results *r, const char *path, af_diag *d)
{
    af_findings fd;
    af_headline hl;
    af_report_findings(r, &fd);
    af_report_headline(r, &hl);
    af_chart_set *cs = af_charts_of_results(r);
    run_doc rd = {.r = r, .fd = &fd, .hl = &hl, .cs = cs};
    char *title = af_strfmt("Capacity report: %s", rtext(r, AF_M_RUN_SCENARIO, "scenario"));
    char *creator = af_strfmt("aifsim %s", rtext(r, AF_M_RUN_VERSION, "?"));
    int rc = pdf_save(run_doc_fn, &rd, title, creator, path, d);
    af_free(title);
    af_free(creator);
    af_chart_set_free(cs);
    af_headline_free(&hl);
    af_findings_free(&fd);
    return rc;
}

int af_report_compare_pdf_save(const af_results *a, const af_results *b, const af_compare *c,
                               const af_compare_side *sa, const af_compare_side *sb,
                               const char *path, af_diag *d)
{
    af_findings fd;
    af_report_compare_findings(a, b, sa->column, sb->column, &fd);
    af_chart_set *ca = af_charts_of_results(a), *cb = af_charts_of_results(b);
    cmp_doc cd = {.a = a, .b = b, .c = c, .sa = sa, .sb = sb, .fd = &fd, .ca = ca, .cb = cb};
    char *title = af_strfmt("Capacity report: %s against %s", sa->column, sb->column);
    char *creator = af_strfmt("aifsim %s", rtext(a, AF_M_RUN_VERSION, "?"));
    int rc = pdf_save(cmp_doc_fn, &cd, title, creator, path, d);
    af_free(title);
    af_free(creator);
    af_chart_set_free(ca);
    af_chart_set_free(cb);
    af_findings_free(&fd);
    return rc;
}

/* ---- PNG --------------------------------------------------------------------------------------
 */

/* Pixels per point of the PNG files. */
#define PNG_SCALE 2.0
#define PNG_H 375.0

/* One PNG file in memory. */
typedef struct png_file {
    char *name;
    membuf data;
} png_file;

/* "03-throughput-hot.png": the id with unsafe characters as '_'. */
static char *png_name(size_t index, const char *id)
{
    char *name = af_strfmt("%02zu-%s.png", index, id);
    for (char *p = name; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
        if (!ok)
            *p = '_';
    }
    return name;
}

/* Renders one image of w x PNG_H points: a chart alone, a pair on one frame, or two charts. */
static int png_render(const cmp_row *rw, const af_compare_side *sa, const af_compare_side *sb,
                      double w, membuf *out, af_diag *dg)
{
    int pw = (int)(w * PNG_SCALE), ph = (int)(PNG_H * PNG_SCALE);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pw, ph);
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, PNG_SCALE, PNG_SCALE);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    af_draw dr;
    af_draw_init(&dr, cr);
    if (rw->r || rw->shared)
        cmp_row_draw(&dr, rw, sa, sb, 16, 14, w - 32, PNG_H - 28);
    else
        af_chart_draw(&dr, rw->l, NULL, 16, 14, w - 32, PNG_H - 28);
    af_draw_fini(&dr);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png_stream(s, membuf_write, out);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        af_diag_error(dg, "making a PNG image: %s", cairo_status_to_string(st));
        return AF_EIO;
    }
    return AF_OK;
}

int af_report_png_check(const char *dir, af_diag *d)
{
    struct stat st;
    if (strcmp(dir, "-") == 0) {
        af_diag_error(d, "cannot write PNG files to standard output: --png takes a directory");
        return AF_EIO;
    }
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            af_diag_error(d, "cannot write PNG files into %s: %s", dir, strerror(ENOTDIR));
            return AF_EIO;
        }
        if (access(dir, W_OK | X_OK) != 0) {
            af_diag_error(d, "cannot write PNG files into %s: %s", dir, strerror(errno));
            return AF_EIO;
        }
        return AF_OK;
    }
    if (errno != ENOENT) {
        af_diag_error(d, "cannot write PNG files into %s: %s", dir, strerror(errno));
        return AF_EIO;
    }
    /* Missing: its parent must be a directory that takes it. */
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    const char *slash = NULL;
    for (size_t i = 0; i < len; i++)
        if (dir[i] == '/')
            slash = dir + i;
    char *parent =
        slash ? af_strfmt("%.*s", slash == dir ? 1 : (int)(slash - dir), dir) : af_strdup(".");
    int rc = AF_OK;
    if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode) || access(parent, W_OK | X_OK) != 0) {
        int e = errno;
        if (stat(parent, &st) == 0 && !S_ISDIR(st.st_mode))
            e = ENOTDIR;
        af_diag_error(d, "cannot write PNG files into %s: %s", dir, strerror(e ? e : ENOENT));
        rc = AF_EIO;
    }
    af_free(parent);
    return rc;
}

/* Writes the files into dir (made when missing), each atomically. */
static int png_write_all(png_file *files, size_t n, const char *dir, af_diag *d)
{
    if (af_report_png_check(dir, d) != AF_OK)
        return AF_EIO;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        af_diag_error(d, "cannot write PNG files into %s: %s", dir, strerror(errno));
        return AF_EIO;
    }
    for (size_t i = 0; i < n; i++) {
        char *path =
            af_strfmt("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", files[i].name);
        af_outfile *f = af_outfile_open(path, d);
        int rc = AF_EIO;
        if (f) {
            af_outfile_write(f, files[i].data.p, files[i].data.n);
            rc = af_outfile_commit(f, d);
        }
        af_free(path);
        if (rc != AF_OK)
            return rc;
    }
    return AF_OK;
}

static void png_files_free(png_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        af_free(files[i].name);
        af_free(files[i].data.p);
    }
    af_free(files);
}

int af_report_png_save(const af_results *r, const char *dir, af_diag *d)
{
    af_chart_set *cs = af_charts_of_results(r);
    png_file *files = af_calloc(cs->n ? cs->n : 1, sizeof *files);
    int rc = AF_OK;
    for (size_t i = 0; i < cs->n && rc == AF_OK; i++) {
        files[i].name = png_name(i + 1, cs->c[i]->id);
        cmp_row one = {.l = cs->c[i]};
        rc = png_render(&one, NULL, NULL, 600, &files[i].data, d);
    }
    if (rc == AF_OK)
        rc = png_write_all(files, cs->n, dir, d);
    png_files_free(files, cs->n);
    af_chart_set_free(cs);
    return rc;
}

int af_report_compare_png_save(const af_results *a, const af_results *b, const af_compare_side *sa,
                               const af_compare_side *sb, const char *dir, af_diag *d)
{
    af_chart_set *ca = af_charts_of_results(a), *cb = af_charts_of_results(b);
    size_t nrows;
    cmp_row *rows = cmp_rows(ca, cb, sa, sb, &nrows);
    png_file *files = af_calloc(nrows ? nrows : 1, sizeof *files);
    int rc = AF_OK;
    for (size_t i = 0; i < nrows && rc == AF_OK; i++) {
        files[i].name = png_name(i + 1, rows[i].shared || !rows[i].r ? rows[i].l->id : "cost");
        rc = png_render(&rows[i], sa, sb, rows[i].r ? 1200 : 600, &files[i].data, d);
    }
    if (rc == AF_OK)
        rc = png_write_all(files, nrows, dir, d);
    png_files_free(files, nrows);
    cmp_rows_free(rows, nrows);
    af_chart_set_free(ca);
    af_chart_set_free(cb);
    return rc;
}
