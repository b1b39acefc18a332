/*
 * tornado: a sensitivity analysis' table, text tornado, CSV and PDF chart; see tornado.h.
 *
 * The chart is drawn here with Cairo and the text helpers of report/chart_draw.h, in the manner
 * of the sweep's charts (report/sweep_report.c): ticks from af_ticks_linear, the value axis'
 * unit from af_axis_unit_of, the palette of report/chart.h (blue for the low value, orange for
 * the high one, as run A and run B are elsewhere).
 */
#include "report/tornado.h"

#include "base/alloc.h"
#include "base/outfile.h"
#include "report/chart.h"
#include "report/chart_draw.h"
#include "report/csv.h"
#include "report/text.h"

#include "config.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <string.h>

/* Half the width of the text tornado, in characters either side of the base. */
#define TORNADO_HALF 24

void af_tornado_sort(af_tornado *t)
{
    /* Insertion sort: stable (qsort is not), and n is the number of --param options. */
    for (size_t i = 1; i < t->n; i++) {
        af_tornado_bar b = t->bars[i];
        double sb = fabs(b.swing.mean);
        size_t j = i;
        while (j > 0) {
            double sp = fabs(t->bars[j - 1].swing.mean);
            if (isnan(sb) || !(isnan(sp) || sb > sp))
                break;
            t->bars[j] = t->bars[j - 1];
            j--;
        }
        t->bars[j] = b;
    }
}

/* ---- Text ------------------------------------------------------------------------------------ */

/* v as the summary prints it, "-" for NaN; with sign, a '+' before a positive value. */
static const char *tornado_fmt(double v, af_dim dim, bool sign, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "-");
        return buf;
    }
    char a[48]; /* a value as the summary prints it, with room for the sign in buf's 64 */
    af_report_text_value(v, dim, a, sizeof a);
    snprintf(buf, n, "%s%s", sign && v > 0 ? "+" : "", a);
    return buf;
}

/* "+20.8% ± 0.31%" (the half width with replications), or "+20.8%". */
static void tornado_diff(const af_tornado *t, const af_tornado_stat *s, char *buf, size_t n)
{
    char a[64], b[64];
    tornado_fmt(s->mean, t->dim, true, a, sizeof a);
    if (t->replications > 1 && isfinite(s->lo) && isfinite(s->hi))
        snprintf(buf, n, "%s ± %s", a,
                 af_report_text_value((s->hi - s->lo) / 2, t->dim, b, sizeof b));
    else
        snprintf(buf, n, "%s", a);
}

/* Display width of UTF-8 text (one column per code point). */
static size_t tornado_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

static void tornado_pad(FILE *f, const char *s, size_t w)
{
    size_t sw = tornado_width(s);
    fprintf(f, "%s%*s", s, (int)(w > sw ? w - sw : 0), "");
}

/* Draws one side's bar into line (2 TORNADO_HALF + 1 characters): from the base to delta. */
static void tornado_fill(char *line, double delta, double half, char c)
{
    if (!isfinite(delta) || !(half > 0))
        return;
    long k = lround(fabs(delta) / half * TORNADO_HALF);
    if (k == 0 && delta != 0)
        k = 1; /* a change too small for a character still shows */
    for (long i = 1; i <= k && i <= TORNADO_HALF; i++)
        line[TORNADO_HALF + (delta < 0 ? -i : i)] = c;
}

void af_tornado_text(const af_tornado *t, FILE *f)
{
    char a[64], b[64], c[64];
    fprintf(f, "%s\n", t->title);
    fprintf(f, "%s%s%s%s: %s at the base point, seed %llu", t->metric, t->label ? " (" : "",
            t->label ? t->label : "", t->label ? ")" : "",
            tornado_fmt(t->base.mean, t->dim, false, a, sizeof a), t->seed);
    if (t->replications > 1)
        fprintf(f, " (mean of %zu replications, 95%% CI %s .. %s)", t->replications,
                tornado_fmt(t->base.lo, t->dim, false, b, sizeof b),
                tornado_fmt(t->base.hi, t->dim, false, c, sizeof c));
    fprintf(f, "\neach parameter moved by -%.4g%% and +%.4g%% alone (whole numbers by at least 1)",
            100 * t->by, 100 * t->by);
    if (t->replications > 1)
        fprintf(f,
                ";\n%zu replications per point on common seeds: changes are paired "
                "differences, ± half their 95%% confidence interval",
                t->replications);
    fprintf(f, "\n\n");

    /* The table. */
    bool reps = t->replications > 1, clamped = false;
    size_t ncol = reps ? 7 : 5;
    char **cell = af_calloc((t->n + 1) * ncol, sizeof *cell);
    static const char *const head[] = {"parameter", "base",       "low -> metric", "high -> metric",
                                       "swing",     "low - base", "high - base"};
    for (size_t k = 0; k < ncol; k++)
        cell[k] = af_strdup(head[k]);
    for (size_t i = 0; i < t->n; i++) {
        const af_tornado_bar *br = &t->bars[i];
        char **row = cell + (i + 1) * ncol;
        clamped = clamped || br->low_clamped || br->high_clamped;
        row[0] = af_strdup(br->param);
        row[1] = af_strdup(br->base_text);
        row[2] = af_strfmt("%s%s -> %s", br->low_text, br->low_clamped ? "*" : "",
                           tornado_fmt(br->low.mean, t->dim, false, a, sizeof a));
        row[3] = af_strfmt("%s%s -> %s", br->high_text, br->high_clamped ? "*" : "",
                           tornado_fmt(br->high.mean, t->dim, false, a, sizeof a));
        char buf[160];
        tornado_diff(t, &br->swing, buf, sizeof buf);
        row[4] = af_strdup(buf);
        if (reps) {
            tornado_diff(t, &br->dlow, buf, sizeof buf);
            row[5] = af_strdup(buf);
            tornado_diff(t, &br->dhigh, buf, sizeof buf);
            row[6] = af_strdup(buf);
        }
    }
    size_t w[7] = {0};
    for (size_t i = 0; i <= t->n; i++)
        for (size_t k = 0; k < ncol; k++) {
            size_t cw = tornado_width(cell[i * ncol + k]);
            if (cw > w[k])
                w[k] = cw;
        }
    for (size_t i = 0; i <= t->n; i++) {
        for (size_t k = 0; k < ncol; k++) {
            if (k)
                fputs("  ", f);
            if (k + 1 == ncol)
                fputs(cell[i * ncol + k], f);
            else
                tornado_pad(f, cell[i * ncol + k], w[k]);
        }
        fputc('\n', f);
    }
    if (clamped)
        fprintf(f, "* the end of the field's range, short of the share asked for\n");
    for (size_t i = 0; i < (t->n + 1) * ncol; i++)
        af_free(cell[i]);
    af_free(cell);

    /* The tornado: one scale, the largest change filling a side. */
    double half = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (isfinite(t->bars[i].dlow.mean))
            half = fmax(half, fabs(t->bars[i].dlow.mean));
        if (isfinite(t->bars[i].dhigh.mean))
            half = fmax(half, fabs(t->bars[i].dhigh.mean));
    }
    fprintf(f, "\ntornado: '-' the low value, '+' the high value, '|' the base (%s)\n",
            tornado_fmt(t->base.mean, t->dim, false, a, sizeof a));
    size_t nw = 0;
    for (size_t i = 0; i < t->n; i++)
        if (tornado_width(t->bars[i].param) > nw)
            nw = tornado_width(t->bars[i].param);
    char line[2 * TORNADO_HALF + 2];
    for (size_t i = 0; i < t->n; i++) {
        const af_tornado_bar *br = &t->bars[i];
        memset(line, ' ', 2 * TORNADO_HALF + 1);
        line[2 * TORNADO_HALF + 1] = '\0';
        /* The longer change first, so that the shorter one shows over it on a shared side. */
        bool low_first = !(fabs(br->dhigh.mean) > fabs(br->dlow.mean));
        if (low_first) {
            tornado_fill(line, br->dlow.mean, half, '-');
            tornado_fill(line, br->dhigh.mean, half, '+');
        } else {
            tornado_fill(line, br->dhigh.mean, half, '+');
            tornado_fill(line, br->dlow.mean, half, '-');
        }
        line[TORNADO_HALF] = '|';
        size_t end = 2 * TORNADO_HALF + 1;
        while (end > 0 && line[end - 1] == ' ')
            end--;
        line[end] = '\0';
        fprintf(f, "  ");
        tornado_pad(f, br->param, nw);
        fprintf(f, "  %s\n", line);
    }
    /* The scale: both ends and the base, under their columns. */
    tornado_fmt(t->base.mean - half, t->dim, false, a, sizeof a);
    tornado_fmt(t->base.mean, t->dim, false, b, sizeof b);
    tornado_fmt(t->base.mean + half, t->dim, false, c, sizeof c);
    size_t la = tornado_width(a), lb = tornado_width(b), lc = tornado_width(c);
    size_t mid = TORNADO_HALF >= lb / 2 ? TORNADO_HALF - lb / 2 : 0;
    size_t right = 2 * TORNADO_HALF + 1 >= lc ? 2 * TORNADO_HALF + 1 - lc : 0;
    fprintf(f, "  %*s  %s", (int)nw, "", a);
    size_t col = la;
    if (mid > col) {
        fprintf(f, "%*s%s", (int)(mid - col), "", b);
        col = mid + lb;
    }
    if (right > col + 1)
        fprintf(f, "%*s%s", (int)(right - col), "", c);
    else
        fprintf(f, " %s", c);
    fputc('\n', f);
}

/* ---- CSV ------------------------------------------------------------------------------------- */

int af_tornado_csv_save(const af_tornado *t, const char *path, af_diag *d)
{
    af_outfile *f = af_outfile_open(path, d);
    if (!f)
        return AF_EIO;
    bool reps = t->replications > 1;
    const char *unit = af_units_si(t->dim);
    af_outfile_printf(f, "parameter,base value,low value,high value,low clamped,high clamped");
    static const char *const fig[] = {"base", "low", "high", "low - base", "high - base", "swing"};
    for (size_t k = 0; k < 6; k++) {
        char *h = af_strfmt("%s %s [%s]", t->metric, fig[k], unit);
        af_outfile_write(f, ",", 1);
        af_csv_write_field(f, h);
        af_free(h);
        if (reps && k >= 3)
            for (int e = 0; e < 2; e++) {
                h = af_strfmt("%s %s:%s [%s]", t->metric, fig[k], e ? "hi" : "lo", unit);
                af_outfile_write(f, ",", 1);
                af_csv_write_field(f, h);
                af_free(h);
            }
    }
    af_outfile_write(f, "\n", 1);
    for (size_t i = 0; i < t->n; i++) {
        const af_tornado_bar *br = &t->bars[i];
        af_csv_write_field(f, br->param);
        const char *txt[3] = {br->base_text, br->low_text, br->high_text};
        for (int k = 0; k < 3; k++) {
            af_outfile_write(f, ",", 1);
            af_csv_write_field(f, txt[k]);
        }
        af_outfile_printf(f, ",%d,%d", br->low_clamped, br->high_clamped);
        const af_tornado_stat *st[6] = {&t->base,  &br->low,   &br->high,
                                        &br->dlow, &br->dhigh, &br->swing};
        for (size_t k = 0; k < 6; k++) {
            af_outfile_write(f, ",", 1);
            af_csv_write_number(f, st[k]->mean);
            if (reps && k >= 3) {
                af_outfile_write(f, ",", 1);
                af_csv_write_number(f, st[k]->lo);
                af_outfile_write(f, ",", 1);
                af_csv_write_number(f, st[k]->hi);
            }
        }
        af_outfile_write(f, "\n", 1);
    }
    return af_outfile_commit(f, d);
}

/* ---- PDF ------------------------------------------------------------------------------------- */

#define TP_PAGE_W 841.89
#define TP_PAGE_H 595.28
#define TP_MARGIN 40.0
/* Most bars on one page. */
#define TP_PER_PAGE 20

static void tornado_rgb(cairo_t *cr, af_color c)
{
    double rgb[3];
    af_color_rgb(c, rgb);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
}

/* The metric's range over every figure drawn (values and intervals), the base included. */
static void tornado_range(const af_tornado *t, double *lo, double *hi)
{
    *lo = *hi = isfinite(t->base.mean) ? t->base.mean : 0;
    for (size_t i = 0; i < t->n; i++) {
        const af_tornado_bar *br = &t->bars[i];
        double v[6] = {br->low.mean,
                       br->high.mean,
                       t->base.mean + br->dlow.lo,
                       t->base.mean + br->dlow.hi,
                       t->base.mean + br->dhigh.lo,
                       t->base.mean + br->dhigh.hi};
        for (int k = 0; k < 6; k++)
            if (isfinite(v[k])) {
                *lo = fmin(*lo, v[k]);
                *hi = fmax(*hi, v[k]);
            }
    }
}

/* Draws bars [from, to) of t on the page in the rectangle (x0, y0, w, h). */
static void tornado_chart(af_draw *dr, const af_tornado *t, size_t from, size_t to, double x0,
                          double y0, double w, double h)
{
    cairo_t *cr = dr->cr;
    af_text_style ls = {.size = 9, .rgb = {0.15, 0.15, 0.15}};
    af_text_style lr = {.size = 9, .align = AF_ALIGN_RIGHT, .rgb = {0.15, 0.15, 0.15}};
    af_text_style vs = {.size = 7.5, .rgb = {0.3, 0.3, 0.3}};
    af_text_style vr = {.size = 7.5, .align = AF_ALIGN_RIGHT, .rgb = {0.3, 0.3, 0.3}};
    af_text_style tc = {.size = 8, .align = AF_ALIGN_CENTER, .rgb = {0.3, 0.3, 0.3}};
    af_text_style bs = {.size = 8, .bold = true, .align = AF_ALIGN_CENTER, .rgb = {0.1, 0.1, 0.1}};

    /* The names' column: as wide as the widest name, at most a third of the width. */
    double namew = 0;
    for (size_t i = from; i < to; i++) {
        double tw, th;
        af_draw_measure(dr, t->bars[i].param, &ls, 0, &tw, &th);
        namew = fmax(namew, tw);
    }
    namew = fmin(namew + 10, w / 3);

    /* The value axis: the figures' range widened by a quarter each way for the bars' labels. */
    double lo, hi;
    tornado_range(t, &lo, &hi);
    double span = hi - lo > 0 ? hi - lo : fabs(hi) > 0 ? fabs(hi) : 1;
    af_axis_unit u;
    af_axis_unit_of(fmax(fabs(lo), fabs(hi)), t->dim, &u);
    af_ticks xt;
    af_ticks_linear((lo - 0.25 * span) / u.scale, (hi + 0.25 * span) / u.scale, 6, &xt);
    /* Rows of at most 40 pt, as tall on a last, shorter page as on the full ones. */
    size_t per = t->n < TP_PER_PAGE ? t->n : TP_PER_PAGE;
    double rowh = fmin(40, (h - 14 - 52) / (double)(per > 0 ? per : 1));
    double px = x0 + namew, pw = w - namew, py = y0 + 14, ph = rowh * (double)per;
#define SX(v) (px + ((v) / u.scale - xt.lo) / (xt.hi - xt.lo) * pw)
    /* Grid and tick labels. */
    cairo_set_line_width(cr, 0.5);
    for (size_t i = 0; i < xt.n; i++) {
        double gx = px + (xt.v[i] - xt.lo) / (xt.hi - xt.lo) * pw;
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, gx, py);
        cairo_line_to(cr, gx, py + ph);
        cairo_stroke(cr);
        char lab[48];
        af_axis_unit one = {.scale = 1, .unit = ""};
        af_axis_label(xt.v[i], &one, lab, sizeof lab);
        af_draw_text(dr, gx, py + ph + 4, 0, lab, &tc);
    }
    char *xtitle =
        af_strfmt("%s%s%s%s", t->metric, u.unit[0] ? " (" : "", u.unit, u.unit[0] ? ")" : "");
    af_draw_text(dr, px + pw / 2, py + ph + 17, 0, xtitle, &tc);
    af_free(xtitle);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, px, py, pw, ph);
    cairo_stroke(cr);

    /* The bars, a row each, from the base to the low and to the high value. */
    double base = isfinite(t->base.mean) ? t->base.mean : 0;
    for (size_t i = from; i < to; i++) {
        const af_tornado_bar *br = &t->bars[i];
        double ry = py + (double)(i - from) * rowh, cy = ry + rowh / 2;
        af_draw_text(dr, px - 6, cy - 6, 0, br->param, &lr);
        /* Opposite sides: both full height; the same side: the low above, the high below. */
        bool same = br->dlow.mean * br->dhigh.mean > 0;
        double bh = fmin(rowh * 0.6, 22);
        struct {
            const af_tornado_stat *v, *dv;
            const char *text;
            bool clamped;
            af_color col;
            double top, height;
        } side[2] = {
            {&br->low, &br->dlow, br->low_text, br->low_clamped, AF_C_BLUE, cy - bh / 2,
             same ? bh / 2 : bh},
            {&br->high, &br->dhigh, br->high_text, br->high_clamped, AF_C_ORANGE,
             same ? cy : cy - bh / 2, same ? bh / 2 : bh},
        };
        for (int k = 0; k < 2; k++) {
            double v = side[k].v->mean;
            if (!isfinite(v))
                continue;
            double xa = SX(base), xb = SX(v);
            tornado_rgb(cr, side[k].col);
            cairo_rectangle(cr, fmin(xa, xb), side[k].top, fmax(fabs(xb - xa), 0.8),
                            side[k].height);
            cairo_fill(cr);
            const af_tornado_stat *dv = side[k].dv;
            if (isfinite(dv->lo) && isfinite(dv->hi)) {
                double wy = side[k].top + side[k].height / 2;
                cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
                cairo_set_line_width(cr, 0.8);
                cairo_move_to(cr, SX(base + dv->lo), wy);
                cairo_line_to(cr, SX(base + dv->hi), wy);
                cairo_move_to(cr, SX(base + dv->lo), wy - 2.5);
                cairo_line_to(cr, SX(base + dv->lo), wy + 2.5);
                cairo_move_to(cr, SX(base + dv->hi), wy - 2.5);
                cairo_line_to(cr, SX(base + dv->hi), wy + 2.5);
                cairo_stroke(cr);
            }
            /* The label past the bar's end (or its interval's): the value used and the
             * metric there. */
            char m[64];
            af_report_text_value(v, t->dim, m, sizeof m);
            char *lab =
                af_strfmt("%s%s: %s", side[k].text, side[k].clamped ? " (range end)" : "", m);
            bool left = xb < xa || (xb == xa && k == 0);
            double edge = xb;
            if (isfinite(dv->lo) && isfinite(dv->hi))
                edge = left ? fmin(xb, SX(base + dv->lo)) : fmax(xb, SX(base + dv->hi));
            double ly = side[k].top + side[k].height / 2 - 5;
            if (left)
                af_draw_text(dr, edge - 3, ly, 0, lab, &vr);
            else
                af_draw_text(dr, edge + 3, ly, 0, lab, &vs);
            af_free(lab);
        }
    }
    /* The base line, labelled above the plot. */
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, SX(base), py);
    cairo_line_to(cr, SX(base), py + ph);
    cairo_stroke(cr);
    char bv[64];
    char *bl = af_strfmt("base %s", af_report_text_value(base, t->dim, bv, sizeof bv));
    af_draw_text(dr, SX(base), py - 13, 0, bl, &bs);
    af_free(bl);
#undef SX
    /* The legend. */
    double ly = py + ph + 34, lx = px;
    for (int k = 0; k < (t->replications > 1 ? 3 : 2); k++) {
        char *lab;
        if (k < 2) {
            tornado_rgb(cr, k ? AF_C_ORANGE : AF_C_BLUE);
            cairo_rectangle(cr, lx, ly + 2, 14, 7);
            cairo_fill(cr);
            lab = af_strfmt("%s value (%s%.4g%%)", k ? "high" : "low", k ? "+" : "-", 100 * t->by);
        } else {
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            cairo_set_line_width(cr, 0.8);
            cairo_move_to(cr, lx, ly + 5.5);
            cairo_line_to(cr, lx + 14, ly + 5.5);
            cairo_move_to(cr, lx, ly + 3);
            cairo_line_to(cr, lx, ly + 8);
            cairo_move_to(cr, lx + 14, ly + 3);
            cairo_line_to(cr, lx + 14, ly + 8);
            cairo_stroke(cr);
            lab = af_strfmt("95%% confidence interval of the change from the base");
        }
        double tw, th;
        af_draw_measure(dr, lab, &ls, 0, &tw, &th);
        af_draw_text(dr, lx + 18, ly, 0, lab, &ls);
        af_free(lab);
        lx += 18 + tw + 24;
    }
}

int af_tornado_pdf_save(const af_tornado *t, const char *path, af_diag *d)
{
    af_pdf_doc doc;
    af_pdf_begin(&doc, TP_PAGE_W, TP_PAGE_H, t->title, "aifsim sensitivity");
    cairo_t *cr = doc.cr;
    af_draw dr;
    af_draw_init(&dr, cr);
    af_text_style hs = {.size = 13, .bold = true, .rgb = {0.1, 0.1, 0.1}};
    af_text_style ns = {.size = 10, .rgb = {0.3, 0.3, 0.3}};
    af_text_style fs = {.size = 7.5, .rgb = {0.45, 0.45, 0.45}};
    af_text_style fr = {.size = 7.5, .align = AF_ALIGN_RIGHT, .rgb = {0.45, 0.45, 0.45}};
    double cw = TP_PAGE_W - 2 * TP_MARGIN;
    size_t pages = t->n ? (t->n + TP_PER_PAGE - 1) / TP_PER_PAGE : 1;
    char a[64], b[64], c[64], ci[160] = "";
    if (t->replications > 1)
        snprintf(ci, sizeof ci,
                 " (95%% CI %s .. %s; means of %zu replications per point on "
                 "common seeds)",
                 af_report_text_value(t->base.lo, t->dim, b, sizeof b),
                 af_report_text_value(t->base.hi, t->dim, c, sizeof c), t->replications);
    char *sub =
        af_strfmt("%s%s%s%s at the base point: %s%s. Each parameter moved by -%.4g%% and "
                  "+%.4g%% alone (whole numbers by at least 1), seed %llu.",
                  t->metric, t->label ? " (" : "", t->label ? t->label : "", t->label ? ")" : "",
                  af_report_text_value(t->base.mean, t->dim, a, sizeof a), ci, 100 * t->by,
                  100 * t->by, t->seed);
    for (size_t pg = 0; pg < pages; pg++) {
        double y = TP_MARGIN;
        y += af_draw_text(&dr, TP_MARGIN, y, cw, t->title, &hs) + 6;
        y += af_draw_text(&dr, TP_MARGIN, y, cw, sub, &ns) + 2;
        y += 14;
        if (t->n == 0)
            af_draw_text(&dr, TP_MARGIN, y, cw, "No parameter was moved: nothing to draw.", &ns);
        else
            tornado_chart(&dr, t, pg * TP_PER_PAGE,
                          pg * TP_PER_PAGE + TP_PER_PAGE < t->n ? pg * TP_PER_PAGE + TP_PER_PAGE
                                                                : t->n,
                          TP_MARGIN, y, cw, TP_PAGE_H - TP_MARGIN - 16 - y);
        char *foot =
            af_strfmt("aifsim %s \xc2\xb7 sensitivity \xc2\xb7 %s", PACKAGE_VERSION, t->scenario);
        af_draw_text(&dr, TP_MARGIN, TP_PAGE_H - TP_MARGIN + 6, cw - 80, foot, &fs);
        af_free(foot);
        char pgs[48];
        snprintf(pgs, sizeof pgs, "page %zu of %zu", pg + 1, pages);
        af_draw_text(&dr, TP_PAGE_W - TP_MARGIN, TP_PAGE_H - TP_MARGIN + 6, 0, pgs, &fr);
        cairo_show_page(cr);
    }
    af_free(sub);
    af_draw_fini(&dr);
    return af_pdf_end(&doc, path, d);
}
