/*
 * sweep_report: a sweep's table, CSV and charts; see sweep_report.h.
 *
 * The charts are drawn here with Cairo and the text helpers of report/chart_draw.h, since the
 * report's charts (report/chart.h) have simulated time on their horizontal axis and these have
 * a varied parameter. Ticks come from af_ticks_linear or af_ticks_log and the value axis' unit
 * from af_axis_unit_of, so the two kinds of chart read alike.
 */
#include "report/sweep_report.h"

#include "base/alloc.h"
#include "base/outfile.h"
#include "report/chart.h"
#include "report/chart_draw.h"
#include "report/csv.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fnmatch.h>
#include <math.h>
#include <string.h>

static const char *const sweep_default_patterns[] = {
    "train.*.gpu_utilization", "train.*.goodput",
    "burst.*.slowdown",        "lookup.*.latency_p99",
    "inference.*.latency_p99", "inference.*.slo_attainment",
    "facility.power",          "cost.total",
};

size_t af_sweep_report_select(const af_sweep_report *r, const char *const *pat, size_t npat,
                              size_t *out)
{
    if (npat == 0) {
        pat = sweep_default_patterns;
        npat = sizeof sweep_default_patterns / sizeof sweep_default_patterns[0];
    }
    size_t n = 0;
    for (size_t p = 0; p < npat; p++)
        for (size_t c = 0; c < r->ncols; c++) {
            if (r->cols[c].text || fnmatch(pat[p], r->cols[c].name, 0) != 0)
                continue;
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = out[k] == c;
            if (!seen)
                out[n++] = c;
        }
    return n;
}

/* The row's value of column c, or NaN. */
static double sweep_mean(const af_sweep_row *row, size_t c)
{
    return c < row->n ? row->mean[c] : NAN;
}

/* The cell of column c: "85.2%" or "85.2% ± 0.31%", "-" when the point has no value. */
static void sweep_cell(const af_sweep_report *r, const af_sweep_row *row, size_t c, char *buf,
                       size_t n)
{
    double m = sweep_mean(row, c);
    if (!row->done || isnan(m)) {
        snprintf(buf, n, "-");
        return;
    }
    char a[48], b[48];
    af_units_format(m, r->cols[c].dim, a, sizeof a);
    double lo = row->lo[c], hi = row->hi[c];
    if (r->replications > 1 && !isnan(lo) && !isnan(hi))
        snprintf(buf, n, "%s ± %s", a, af_units_format((hi - lo) / 2, r->cols[c].dim, b, sizeof b));
    else
        snprintf(buf, n, "%s", a);
}

/* Display width of UTF-8 text (one column per code point). */
static size_t sweep_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

static void sweep_pad(FILE *f, const char *s, size_t w, bool right)
{
    size_t sw = sweep_width(s);
    if (right)
        fprintf(f, "%*s%s", (int)(w > sw ? w - sw : 0), "", s);
    else
        fprintf(f, "%s%*s", s, (int)(w > sw ? w - sw : 0), "");
}

void af_sweep_report_text(const af_sweep_report *r, const size_t *sel, size_t nsel, FILE *f)
{
    size_t ncol = 1 + r->naxes + nsel;
    char **cell = af_calloc((r->npoints + 1) * ncol, sizeof *cell);
    size_t *w = af_calloc(ncol, sizeof *w);
    cell[0] = af_strdup("point");
    for (size_t a = 0; a < r->naxes; a++)
        cell[1 + a] = af_strdup(r->axes[a].path);
    for (size_t k = 0; k < nsel; k++)
        cell[1 + r->naxes + k] = af_strdup(r->cols[sel[k]].name);
    size_t done = 0;
    for (size_t p = 0; p < r->npoints; p++) {
        char **row = cell + (p + 1) * ncol;
        const af_sweep_row *rw = &r->rows[p];
        done += rw->done;
        row[0] = af_strfmt("%zu", p + 1);
        size_t q = p;
        for (size_t a = r->naxes; a-- > 0;) {
            row[1 + a] = af_strdup(r->axes[a].values[q % r->axes[a].n]);
            q /= r->axes[a].n;
        }
        for (size_t k = 0; k < nsel; k++) {
            char buf[128];
            sweep_cell(r, rw, sel[k], buf, sizeof buf);
            row[1 + r->naxes + k] = af_strdup(buf);
        }
    }
    for (size_t i = 0; i <= r->npoints; i++)
        for (size_t c = 0; c < ncol; c++) {
            size_t cw = sweep_width(cell[i * ncol + c]);
            if (cw > w[c])
                w[c] = cw;
        }
    fprintf(f, "%s\n", r->title);
    fprintf(f, "%zu of %zu point%s", done, r->npoints, r->npoints == 1 ? "" : "s");
    if (r->replications > 1)
        fprintf(f, ", %zu replications each: mean ± half the 95%% confidence interval",
                r->replications);
    fprintf(f, "\n\n");
    for (size_t i = 0; i <= r->npoints; i++) {
        for (size_t c = 0; c < ncol; c++) {
            if (c)
                fputs("  ", f);
            if (c + 1 == ncol)
                fputs(cell[i * ncol + c], f);
            else
                sweep_pad(f, cell[i * ncol + c], w[c], c == 0 || c > r->naxes);
        }
        fputc('\n', f);
    }
    for (size_t i = 0; i < (r->npoints + 1) * ncol; i++)
        af_free(cell[i]);
    af_free(cell);
    af_free(w);
}

/* ---- CSV ------------------------------------------------------------------------------------- */

int af_sweep_report_csv_save(const af_sweep_report *r, const char *dir, af_diag *d)
{
    if (af_report_csv_mkdirs(dir, d) != AF_OK)
        return AF_EIO;
    char *path = af_strfmt("%s/sweep.csv", dir);
    af_outfile *f = af_outfile_open(path, d);
    af_free(path);
    if (!f)
        return AF_EIO;
    bool reps = r->replications > 1;
    af_csv_write_field(f, "point");
    for (size_t a = 0; a < r->naxes; a++) {
        af_outfile_write(f, ",", 1);
        af_csv_write_field(f, r->axes[a].path);
    }
    for (size_t c = 0; c < r->ncols; c++) {
        const af_sweep_col *col = &r->cols[c];
        const char *unit = col->text ? "text" : af_units_si(col->dim);
        static const char *const part[3] = {"mean", "lo", "hi"};
        for (int k = 0; k < (reps && !col->text ? 3 : 1); k++) {
            char *h = reps && !col->text ? af_strfmt("%s:%s [%s]", col->name, part[k], unit)
                                         : af_strfmt("%s [%s]", col->name, unit);
            af_outfile_write(f, ",", 1);
            af_csv_write_field(f, h);
            af_free(h);
        }
    }
    af_outfile_write(f, "\n", 1);
    for (size_t p = 0; p < r->npoints; p++) {
        const af_sweep_row *row = &r->rows[p];
        af_outfile_printf(f, "%zu", p + 1);
        size_t q = p;
        const char **vals = af_calloc(r->naxes ? r->naxes : 1, sizeof *vals);
        for (size_t a = r->naxes; a-- > 0;) {
            vals[a] = r->axes[a].values[q % r->axes[a].n];
            q /= r->axes[a].n;
        }
        for (size_t a = 0; a < r->naxes; a++) {
            af_outfile_write(f, ",", 1);
            af_csv_write_field(f, vals[a]);
        }
        af_free(vals);
        for (size_t c = 0; c < r->ncols; c++) {
            bool have = row->done && c < row->n;
            if (r->cols[c].text) {
                af_outfile_write(f, ",", 1);
                if (have && row->text[c])
                    af_csv_write_field(f, row->text[c]);
                continue;
            }
            double v[3] = {have ? row->mean[c] : NAN, have ? row->lo[c] : NAN,
                           have ? row->hi[c] : NAN};
            for (int k = 0; k < (reps ? 3 : 1); k++) {
                af_outfile_write(f, ",", 1);
                af_csv_write_number(f, v[k]);
            }
        }
        af_outfile_write(f, "\n", 1);
    }
    return af_outfile_commit(f, d);
}

/* ---- PDF ------------------------------------------------------------------------------------- */

#define SW_PAGE_W 841.89
#define SW_PAGE_H 595.28
#define SW_MARGIN 40.0

/* Most lines (values of the second axis) drawn in one chart; the palette repeats past it. */
static const af_color sweep_line_colors[] = {AF_C_BLUE, AF_C_ORANGE, AF_C_CYAN,   AF_C_MAGENTA,
                                             AF_C_RED,  AF_C_TEAL,   AF_C_YELLOW, AF_C_PURPLE,
                                             AF_C_DARK, AF_C_GREY};

/* The first axis' horizontal position of value k: its number (log or linear), or k. */
typedef struct sweep_xaxis {
    const af_sweep_report_axis *ax;
    bool numeric; /* positions are the values' numbers */
    bool log;     /* on a log axis */
    double lo, hi;
} sweep_xaxis;

static double sweep_xpos(const sweep_xaxis *x, size_t k)
{
    if (!x->numeric)
        return (double)k;
    return x->log ? log10(x->ax->x[k]) : x->ax->x[k];
}

static void sweep_xaxis_of(const af_sweep_report_axis *ax, sweep_xaxis *x)
{
    *x = (sweep_xaxis){.ax = ax, .numeric = ax->x != NULL};
    if (x->numeric) {
        /* Log when every value is positive and they grow by a factor of 2 or more each. */
        bool log = ax->n >= 3;
        for (size_t k = 0; k < ax->n; k++)
            if (!(ax->x[k] > 0) || (k && !(ax->x[k] >= 1.999 * ax->x[k - 1])))
                log = false;
        x->log = log;
    }
    x->lo = INFINITY;
    x->hi = -INFINITY;
    for (size_t k = 0; k < ax->n; k++) {
        double v = sweep_xpos(x, k);
        x->lo = fmin(x->lo, v);
        x->hi = fmax(x->hi, v);
    }
    if (!(x->hi > x->lo)) {
        x->lo -= 0.5;
        x->hi += 0.5;
    }
}

/* The point of first-axis value k and second-axis value j (j = 0 without a second axis). */
static size_t sweep_point_of(const af_sweep_report *r, size_t k, size_t j)
{
    /* Point index with every other axis at its first value. */
    size_t p = 0;
    for (size_t a = 0; a < r->naxes; a++) {
        size_t v = a == 0 ? k : a == 1 ? j : 0;
        p = p * r->axes[a].n + v;
    }
    return p;
}

static void sweep_rgb(cairo_t *cr, af_color c)
{
    double rgb[3];
    af_color_rgb(c, rgb);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
}

/* Draws the chart of column c in the rectangle (x0, y0, w, h). */
static void sweep_chart(af_draw *dr, const af_sweep_report *r, size_t c, double x0, double y0,
                        double w, double h)
{
    cairo_t *cr = dr->cr;
    const af_sweep_col *col = &r->cols[c];
    af_text_style ts = {.size = 11, .bold = true, .rgb = {0.1, 0.1, 0.1}};
    af_text_style ls = {.size = 8, .rgb = {0.3, 0.3, 0.3}};
    af_text_style lr = {.size = 8, .align = AF_ALIGN_RIGHT, .rgb = {0.3, 0.3, 0.3}};
    af_text_style lc = {.size = 8, .align = AF_ALIGN_CENTER, .rgb = {0.3, 0.3, 0.3}};
    char *title = af_strfmt("%s against %s", col->name, r->axes[0].path);
    double y = y0 + af_draw_text(dr, x0, y0, w, title, &ts) + 2;
    af_free(title);
    if (r->replications > 1) {
        char *sub = af_strfmt("mean of %zu replications per point; bars: 95%% confidence "
                              "interval",
                              r->replications);
        y += af_draw_text(dr, x0, y, w, sub, &ls) + 2;
        af_free(sub);
    }
    const af_sweep_report_axis *ax = &r->axes[0];
    size_t nlines = r->naxes > 1 ? r->axes[1].n : 1;
    if (nlines > sizeof sweep_line_colors / sizeof sweep_line_colors[0])
        nlines = sizeof sweep_line_colors / sizeof sweep_line_colors[0];
    /* The values' range, intervals included, from 0 when all are positive. */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < nlines; j++)
        for (size_t k = 0; k < ax->n; k++) {
            const af_sweep_row *row = &r->rows[sweep_point_of(r, k, j)];
            double m = row->done ? sweep_mean(row, c) : NAN;
            if (!isfinite(m))
                continue;
            lo = fmin(lo, m);
            hi = fmax(hi, m);
            if (c < row->n && isfinite(row->lo[c]) && isfinite(row->hi[c])) {
                lo = fmin(lo, row->lo[c]);
                hi = fmax(hi, row->hi[c]);
            }
        }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    if (lo > 0)
        lo = 0;
    if (hi < 0)
        hi = 0;
    af_axis_unit u;
    af_axis_unit_of(fmax(fabs(lo), fabs(hi)), col->dim, &u);
    af_ticks yt;
    af_ticks_linear(lo / u.scale, hi / u.scale, 5, &yt);
    char *ytitle =
        af_strfmt("%s%s%s%s", col->name, u.unit[0] ? " (" : "", u.unit, u.unit[0] ? ")" : "");
    y += af_draw_text(dr, x0, y, w, ytitle, &ls) + 4;
    af_free(ytitle);

    double legend_h = r->naxes > 1 ? 14 * (double)((nlines + 2) / 3) + 6 : 0;
    double px = x0 + 48, pw = w - 56, py = y, ph = y0 + h - y - 34 - legend_h;
    if (ph < 40)
        ph = 40;
    sweep_xaxis xa;
    sweep_xaxis_of(ax, &xa);
    double xpad = 0.04 * (xa.hi - xa.lo);
    double xl = xa.lo - xpad, xh = xa.hi + xpad;
#define SX(v) (px + ((v)-xl) / (xh - xl) * pw)
#define SY(v) (py + ph - ((v) / u.scale - yt.lo) / (yt.hi - yt.lo) * ph)
    /* Grid and y tick labels. */
    cairo_set_line_width(cr, 0.5);
    for (size_t i = 0; i < yt.n; i++) {
        double gy = py + ph - (yt.v[i] - yt.lo) / (yt.hi - yt.lo) * ph;
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, px, gy);
        cairo_line_to(cr, px + pw, gy);
        cairo_stroke(cr);
        char lab[48];
        af_axis_unit one = {.scale = 1, .unit = ""};
        af_axis_label(yt.v[i], &one, lab, sizeof lab);
        af_draw_text(dr, px - 4, gy - 5, 0, lab, &lr);
    }
    /* x tick labels: every value when few, else every k-th. */
    size_t every = ax->n <= 12 ? 1 : (ax->n + 11) / 12;
    for (size_t k = 0; k < ax->n; k += every) {
        double gx = SX(sweep_xpos(&xa, k));
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
        cairo_move_to(cr, gx, py + ph);
        cairo_line_to(cr, gx, py + ph + 3);
        cairo_stroke(cr);
        af_draw_text(dr, gx, py + ph + 4, 0, ax->values[k], &lc);
    }
    char *xt = af_strfmt("%s%s", ax->path, xa.log ? " (log scale)" : "");
    af_draw_text(dr, px + pw / 2, py + ph + 16, 0, xt, &lc);
    af_free(xt);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, px, py, pw, ph);
    cairo_stroke(cr);

    /* One line per value of the second axis; error bars for the intervals. */
    for (size_t j = 0; j < nlines; j++) {
        sweep_rgb(cr, sweep_line_colors[j]);
        cairo_set_line_width(cr, 1.5);
        bool pen = false;
        for (size_t k = 0; k < ax->n; k++) {
            const af_sweep_row *row = &r->rows[sweep_point_of(r, k, j)];
            double m = row->done ? sweep_mean(row, c) : NAN;
            if (!isfinite(m)) {
                pen = false;
                continue;
            }
            double gx = SX(sweep_xpos(&xa, k)), gy = SY(m);
            if (pen)
                cairo_line_to(cr, gx, gy);
            else
                cairo_move_to(cr, gx, gy);
            pen = true;
        }
        cairo_stroke(cr);
        for (size_t k = 0; k < ax->n; k++) {
            const af_sweep_row *row = &r->rows[sweep_point_of(r, k, j)];
            double m = row->done ? sweep_mean(row, c) : NAN;
            if (!isfinite(m))
                continue;
            double gx = SX(sweep_xpos(&xa, k));
            cairo_arc(cr, gx, SY(m), 2.2, 0, 6.283185307179586);
            cairo_fill(cr);
            if (c < row->n && isfinite(row->lo[c]) && isfinite(row->hi[c])) {
                cairo_set_line_width(cr, 0.9);
                cairo_move_to(cr, gx, SY(row->lo[c]));
                cairo_line_to(cr, gx, SY(row->hi[c]));
                cairo_move_to(cr, gx - 3, SY(row->lo[c]));
                cairo_line_to(cr, gx + 3, SY(row->lo[c]));
                cairo_move_to(cr, gx - 3, SY(row->hi[c]));
                cairo_line_to(cr, gx + 3, SY(row->hi[c]));
                cairo_stroke(cr);
            }
        }
    }
#undef SX
#undef SY
    /* Legend: the second axis' values. */
    if (r->naxes > 1) {
        double ly = py + ph + 32, lx = px;
        for (size_t j = 0; j < nlines; j++) {
            if (j && j % 3 == 0) {
                ly += 14;
                lx = px;
            }
            sweep_rgb(cr, sweep_line_colors[j]);
            cairo_rectangle(cr, lx, ly + 3, 14, 3);
            cairo_fill(cr);
            char *lab = af_strfmt("%s=%s", r->axes[1].path, r->axes[1].values[j]);
            af_draw_text(dr, lx + 18, ly, pw / 3 - 22, lab, &ls);
            af_free(lab);
            lx += pw / 3;
        }
    }
}

int af_sweep_report_pdf_save(const af_sweep_report *r, const size_t *sel, size_t nsel,
                             const char *path, af_diag *d)
{
    af_pdf_doc doc;
    af_pdf_begin(&doc, SW_PAGE_W, SW_PAGE_H, r->title, "aifsim sweep");
    cairo_t *cr = doc.cr;
    af_draw dr;
    af_draw_init(&dr, cr);
    af_text_style hs = {.size = 13, .bold = true, .rgb = {0.1, 0.1, 0.1}};
    af_text_style ns = {.size = 10, .rgb = {0.3, 0.3, 0.3}};
    double cw = (SW_PAGE_W - 2 * SW_MARGIN - 30) / 2;
    size_t pages = nsel ? (nsel + 1) / 2 : 1;
    for (size_t pg = 0; pg < pages; pg++) {
        double y = SW_MARGIN;
        y += af_draw_text(&dr, SW_MARGIN, y, SW_PAGE_W - 2 * SW_MARGIN, r->title, &hs) + 12;
        if (r->naxes == 0 || nsel == 0) {
            af_draw_text(&dr, SW_MARGIN, y, SW_PAGE_W - 2 * SW_MARGIN,
                         r->naxes == 0 ? "No varied parameter: nothing to draw against."
                                       : "None of the chosen metrics was written by the runs.",
                         &ns);
        } else {
            for (size_t k = 0; k < 2 && 2 * pg + k < nsel; k++)
                sweep_chart(&dr, r, sel[2 * pg + k], SW_MARGIN + (double)k * (cw + 30), y, cw,
                            SW_PAGE_H - SW_MARGIN - y);
        }
        cairo_show_page(cr);
    }
    af_draw_fini(&dr);
    return af_pdf_end(&doc, path, d);
}
