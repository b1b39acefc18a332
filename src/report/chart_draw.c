/*
 * chart_draw: charts and text with Cairo and Pango; see chart_draw.h.
 */
#include "report/chart_draw.h"

#include "base/alloc.h"
#include "base/outfile.h"
#include "report/text.h"

#include <cairo-pdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* The one font family of every report. */
#define DRAW_FAMILY "DejaVu Sans"

/* Text colours: body, secondary. */
static const double ink[3] = {0.13, 0.13, 0.13};
static const double muted[3] = {0.40, 0.40, 0.40};

void af_draw_init(af_draw *d, cairo_t *cr)
{
    d->cr = cr;
    d->fm = pango_cairo_font_map_new();
    d->pc = pango_font_map_create_context(d->fm);
    /* 72 dpi: a point of font size is a unit of the surface. No hinting, so that the metrics
     * are the same at every scale and on every surface. */
    pango_cairo_context_set_resolution(d->pc, 72);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(d->pc, fo);
    cairo_font_options_destroy(fo);
    pango_cairo_update_context(cr, d->pc);
    d->layout = pango_layout_new(d->pc);
}

void af_draw_retarget(af_draw *d, cairo_t *cr)
{
    d->cr = cr;
    pango_cairo_update_context(cr, d->pc);
    pango_layout_context_changed(d->layout);
}

void af_draw_fini(af_draw *d)
{
    if (d->layout)
        g_object_unref(d->layout);
    if (d->pc)
        g_object_unref(d->pc);
    if (d->fm)
        g_object_unref(d->fm);
    d->layout = NULL;
    d->pc = NULL;
    d->fm = NULL;
}

/* Sets the layout for text in style st, wrapped at w (w <= 0: no wrapping). */
static void draw_layout(af_draw *d, const char *text, const af_text_style *st, double w)
{
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, DRAW_FAMILY);
    pango_font_description_set_weight(fd, st->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(fd, st->size * PANGO_SCALE);
    pango_layout_set_font_description(d->layout, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(d->layout, text, -1);
    if (w > 0) {
        pango_layout_set_width(d->layout, (int)(w * PANGO_SCALE));
        pango_layout_set_wrap(d->layout, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_alignment(d->layout, st->align == AF_ALIGN_RIGHT    ? PANGO_ALIGN_RIGHT
                                              : st->align == AF_ALIGN_CENTER ? PANGO_ALIGN_CENTER
                                                                             : PANGO_ALIGN_LEFT);
    } else {
        pango_layout_set_width(d->layout, -1);
        pango_layout_set_alignment(d->layout, PANGO_ALIGN_LEFT);
    }
}

void af_draw_measure(af_draw *d, const char *text, const af_text_style *st, double w, double *tw,
                     double *th)
{
    draw_layout(d, text, st, w);
    int pw, ph;
    pango_layout_get_size(d->layout, &pw, &ph);
    if (tw)
        *tw = (double)pw / PANGO_SCALE;
    if (th)
        *th = (double)ph / PANGO_SCALE;
}

double af_draw_text(af_draw *d, double x, double y, double w, const char *text,
                    const af_text_style *st)
{
    double tw, th;
    af_draw_measure(d, text, st, w, &tw, &th);
    if (w <= 0 && st->align == AF_ALIGN_RIGHT)
        x -= tw;
    else if (w <= 0 && st->align == AF_ALIGN_CENTER)
        x -= tw / 2;
    cairo_set_source_rgb(d->cr, st->rgb[0], st->rgb[1], st->rgb[2]);
    cairo_move_to(d->cr, x, y);
    pango_cairo_show_layout(d->cr, d->layout);
    return th;
}

/* ---- Chart pieces -----------------------------------------------------------------------------
 */

static af_text_style style(double size, bool bold, af_align align, const double rgb[3])
{
    af_text_style st = {.size = size, .bold = bold, .align = align};
    memcpy(st.rgb, rgb, sizeof st.rgb);
    return st;
}

static void set_color(cairo_t *cr, af_color c, double alpha)
{
    double rgb[3];
    af_color_rgb(c, rgb);
    cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha);
}

static void set_line_style(cairo_t *cr, af_line_style s, double width)
{
    cairo_set_line_width(cr, width);
    if (s == AF_STYLE_DASHED) {
        static const double dash[] = {4.5, 2.5};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    } else if (s == AF_STYLE_DOTTED) {
        static const double dot[] = {0.1, 2.4};
        cairo_set_dash(cr, dot, 2, 0);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    } else {
        cairo_set_dash(cr, NULL, 0, 0);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    }
}

/* The plot's rectangle and its value mapping. */
typedef struct plot {
    double l, r, t, b; /* left, right, top, bottom */
    double t_end;      /* time: seconds at r */
    double lo, hi;     /* value axis range */
    bool log;
} plot;

static double px(const plot *p, double t)
{
    double f = p->t_end > 0 ? t / p->t_end : 0;
    return p->l + fmin(1, fmax(0, f)) * (p->r - p->l);
}

static double py(const plot *p, double v)
{
    double f;
    if (p->log) {
        if (!(v > 0))
            return p->b;
        f = (log10(v) - log10(p->lo)) / (log10(p->hi) - log10(p->lo));
    } else {
        f = p->hi > p->lo ? (v - p->lo) / (p->hi - p->lo) : 0;
    }
    /* A little past the frame at most, so a clipped line still shows where it went. */
    f = fmin(1.02, fmax(-0.02, f));
    return p->b - f * (p->b - p->t);
}

/* One legend entry. */
typedef struct legend_item {
    const char *label;
    af_color color;
    bool line;
    af_line_style style;
} legend_item;

#define LEGEND_SIZE 7.5
#define LEGEND_SWATCH 10.0
#define LEGEND_GAP 12.0

/* Lays out (draw false: only measures) the legend in width w from (x, y); returns its height. */
static double legend(af_draw *d, const legend_item *it, size_t n, double x, double y, double w,
                     bool draw)
{
    if (n == 0)
        return 0;
    af_text_style st = style(LEGEND_SIZE, false, AF_ALIGN_LEFT, ink);
    double cx = x, cy = y, lh = 0;
    for (size_t i = 0; i < n; i++) {
        double tw, th;
        af_draw_measure(d, it[i].label, &st, 0, &tw, &th);
        lh = fmax(lh, th);
        double iw = LEGEND_SWATCH + 3 + tw;
        if (cx > x && cx + iw > x + w) {
            cx = x;
            cy += th + 2;
        }
        if (draw) {
            cairo_t *cr = d->cr;
            double my = cy + th / 2;
            if (it[i].line) {
                set_color(cr, it[i].color, 1);
                set_line_style(cr, it[i].style, 1.4);
                cairo_move_to(cr, cx, my);
                cairo_line_to(cr, cx + LEGEND_SWATCH, my);
                cairo_stroke(cr);
                set_line_style(cr, AF_STYLE_SOLID, 1);
            } else {
                set_color(cr, it[i].color, 0.9);
                cairo_rectangle(cr, cx, my - 3.5, LEGEND_SWATCH, 7);
                cairo_fill(cr);
            }
            af_draw_text(d, cx + LEGEND_SWATCH + 3, cy, 0, it[i].label, &st);
        }
        cx += iw + LEGEND_GAP;
    }
    return cy + lh - y;
}

/* A tick label of a log axis, in the tick's own unit; times of a minute and more in seconds
 * ("100 s", not "1.667 min"), so decades read as decades. */
static char *log_label(double v, af_dim dim, char *buf, size_t n)
{
    if (dim == AF_DIM_TIME && v >= 60 && v < 1e6)
        snprintf(buf, n, "%.0f s", v);
    else
        af_units_format(v, dim, buf, n);
    return buf;
}

/* The value axis: grid lines and labels left of the plot. */
static void value_axis_draw(af_draw *d, const plot *p, const af_ticks *tk, const af_axis_unit *u,
                            af_dim dim)
{
    cairo_t *cr = d->cr;
    af_text_style st = style(7, false, AF_ALIGN_RIGHT, muted);
    for (size_t i = 0; i < tk->n; i++) {
        double y = py(p, tk->v[i]);
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        set_line_style(cr, AF_STYLE_SOLID, 0.5);
        cairo_move_to(cr, p->l, y);
        cairo_line_to(cr, p->r, y);
        cairo_stroke(cr);
        char lab[48];
        if (p->log)
            log_label(tk->v[i], dim, lab, sizeof lab);
        else
            af_axis_label(tk->v[i], u, lab, sizeof lab);
        double th;
        af_draw_measure(d, lab, &st, 0, NULL, &th);
        af_draw_text(d, p->l - 4, y - th / 2, 0, lab, &st);
    }
}

/* The width the value axis' labels take. */
static double value_axis_width(af_draw *d, const af_ticks *tk, const af_axis_unit *u, af_dim dim,
                               bool log)
{
    af_text_style st = style(7, false, AF_ALIGN_RIGHT, muted);
    double w = 0;
    for (size_t i = 0; i < tk->n; i++) {
        char lab[48];
        if (log)
            log_label(tk->v[i], dim, lab, sizeof lab);
        else
            af_axis_label(tk->v[i], u, lab, sizeof lab);
        double tw;
        af_draw_measure(d, lab, &st, 0, &tw, NULL);
        w = fmax(w, tw);
    }
    return w;
}

/* The time axis under the plot: ticks at 1-2-5 steps of the unit, the last label with it. */
static void time_axis_draw(af_draw *d, const plot *p)
{
    cairo_t *cr = d->cr;
    af_axis_unit u;
    af_axis_time_unit(p->t_end, &u);
    af_ticks tk;
    af_ticks_linear(0, p->t_end / u.scale, 7, &tk);
    af_text_style st = style(7, false, AF_ALIGN_CENTER, muted);
    size_t last = 0;
    for (size_t i = 0; i < tk.n; i++)
        if (tk.v[i] * u.scale <= p->t_end * (1 + 1e-9))
            last = i;
    for (size_t i = 0; i <= last; i++) {
        double x = px(p, tk.v[i] * u.scale);
        cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
        set_line_style(cr, AF_STYLE_SOLID, 0.5);
        cairo_move_to(cr, x, p->t);
        cairo_line_to(cr, x, p->b);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
        cairo_move_to(cr, x, p->b);
        cairo_line_to(cr, x, p->b + 3);
        cairo_stroke(cr);
        char lab[96], num[48];
        af_axis_unit one = {.scale = 1};
        af_axis_label(tk.v[i], &one, num, sizeof num);
        if (i == last)
            snprintf(lab, sizeof lab, "%s %s", num, u.unit);
        else
            snprintf(lab, sizeof lab, "%s", num);
        af_text_style sti = st;
        if (i == last) {
            /* The last label ends at the plot's right edge, so it stays inside the panel. */
            sti.align = AF_ALIGN_RIGHT;
            double tw;
            af_draw_measure(d, lab, &st, 0, &tw, NULL);
            af_draw_text(d, fmin(x + tw / 2, p->r + 2), p->b + 4, 0, lab, &sti);
        } else {
            af_draw_text(d, x, p->b + 4, 0, lab, &sti);
        }
    }
}

static void frame_draw(cairo_t *cr, const plot *p)
{
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    set_line_style(cr, AF_STYLE_SOLID, 0.7);
    cairo_move_to(cr, p->l, p->t);
    cairo_line_to(cr, p->l, p->b);
    cairo_line_to(cr, p->r, p->b);
    cairo_stroke(cr);
}

/* The empty panel of a chart without data. */
static void no_data_draw(af_draw *d, const af_chart *c, const plot *p)
{
    cairo_t *cr = d->cr;
    cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
    cairo_rectangle(cr, p->l, p->t, p->r - p->l, p->b - p->t);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    set_line_style(cr, AF_STYLE_SOLID, 0.6);
    cairo_rectangle(cr, p->l, p->t, p->r - p->l, p->b - p->t);
    cairo_stroke(cr);
    af_text_style st = style(8, false, AF_ALIGN_CENTER, muted);
    const char *note = c->note ? c->note : "no data";
    double w = (p->r - p->l) * 0.8, th;
    af_draw_measure(d, note, &st, w, NULL, &th);
    af_draw_text(d, p->l + (p->r - p->l) * 0.1, (p->t + p->b) / 2 - th / 2, w, note, &st);
}

/* x of point i of layer l of a time chart: the middle of its window, or its end for a running
 * total. */
static double point_t(const af_chart *c, const af_chart_layer *l, size_t i, double t_end)
{
    double t = ((double)i + (l->at_end ? 1.0 : 0.5)) * c->dt;
    return fmin(t, t_end);
}

/* The stacked areas, each from the top of the one before. */
static void areas_draw(cairo_t *cr, const af_chart *c, const plot *p)
{
    size_t n = c->n;
    double *base = af_calloc(n ? n : 1, sizeof *base);
    for (size_t k = 0; k < c->nlayers; k++) {
        const af_chart_layer *l = &c->layers[k];
        if (l->mode != AF_LAYER_AREA || n == 0)
            continue;
        /* The top edge, left to right, flat to the axis' ends; then the base back. */
        if (l->at_end) /* a running total starts from its base at 0 */
            cairo_move_to(cr, px(p, 0), py(p, base[0]));
        else
            cairo_move_to(cr, px(p, 0), py(p, base[0] + l->v[0]));
        for (size_t i = 0; i < n; i++)
            cairo_line_to(cr, px(p, point_t(c, l, i, p->t_end)), py(p, base[i] + l->v[i]));
        if (!l->at_end) {
            cairo_line_to(cr, px(p, p->t_end), py(p, base[n - 1] + l->v[n - 1]));
            cairo_line_to(cr, px(p, p->t_end), py(p, base[n - 1]));
        }
        for (size_t i = n; i-- > 0;)
            cairo_line_to(cr, px(p, point_t(c, l, i, p->t_end)), py(p, base[i]));
        cairo_line_to(cr, px(p, 0), py(p, base[0]));
        cairo_close_path(cr);
        set_color(cr, l->color, 0.88);
        cairo_fill(cr);
        for (size_t i = 0; i < n; i++)
            base[i] += l->v[i];
    }
    af_free(base);
}

static void lines_draw(cairo_t *cr, const af_chart *c, const plot *p)
{
    for (size_t k = 0; k < c->nlayers; k++) {
        const af_chart_layer *l = &c->layers[k];
        if (l->mode != AF_LAYER_LINE || c->n == 0)
            continue;
        set_color(cr, l->color, 1);
        set_line_style(cr, l->style, 1.2);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        bool open = false;
        if (!l->at_end && !(l->zero_is_gap && l->v[0] == 0) && !(p->log && !(l->v[0] > 0))) {
            cairo_move_to(cr, px(p, 0), py(p, l->v[0]));
            open = true;
        }
        for (size_t i = 0; i < c->n; i++) {
            bool gap = (l->zero_is_gap && l->v[i] == 0) || (p->log && !(l->v[i] > 0));
            if (gap) {
                open = false;
                continue;
            }
            double x = px(p, point_t(c, l, i, p->t_end)), y = py(p, l->v[i]);
            if (open) {
                cairo_line_to(cr, x, y);
            } else {
                /* A point alone still shows: a short flat stroke across its window. */
                double half = (p->r - p->l) * c->dt / p->t_end / 2;
                cairo_move_to(cr, x - half, y);
                cairo_line_to(cr, x, y);
                open = true;
            }
        }
        if (open && !l->at_end && !(l->zero_is_gap && l->v[c->n - 1] == 0))
            cairo_line_to(cr, px(p, p->t_end), py(p, l->v[c->n - 1]));
        cairo_stroke(cr);
    }
    set_line_style(cr, AF_STYLE_SOLID, 1);
}

/* True when reference rf is above a linear plot's top (af_chart_frame_of left it off). */
static bool ref_off(const plot *p, const af_chart_ref *rf)
{
    return !p->log && rf->y > p->hi * (1 + 1e-9);
}

/* Reference lines across the plot, labelled at their right end above the line; labels that
 * would overlap move down below the one above (equal values share one label). */
static void refs_draw(af_draw *d, const af_chart *c, const plot *p)
{
    cairo_t *cr = d->cr;
    size_t n = c->nrefs;
    if (n == 0)
        return;
    size_t *ord = af_malloc_array(n, sizeof *ord);
    for (size_t i = 0; i < n; i++)
        ord[i] = i;
    /* Top of the plot first (largest value first). */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && c->refs[ord[k]].y > c->refs[ord[k - 1]].y; k--) {
            size_t x = ord[k];
            ord[k] = ord[k - 1];
            ord[k - 1] = x;
        }
    for (size_t i = 0; i < n; i++) {
        const af_chart_ref *rf = &c->refs[i];
        if (ref_off(p, rf))
            continue;
        set_color(cr, rf->color, 1);
        set_line_style(cr, rf->style, rf->style == AF_STYLE_DOTTED ? 1.5 : 1.1);
        double y = py(p, rf->y);
        cairo_move_to(cr, p->l, y);
        cairo_line_to(cr, p->r, y);
        cairo_stroke(cr);
    }
    set_line_style(cr, AF_STYLE_SOLID, 1);
    af_text_style st = style(7, false, AF_ALIGN_RIGHT, ink);
    double prev_bottom = -1e9;
    for (size_t i = 0; i < n; i++) {
        const af_chart_ref *rf = &c->refs[ord[i]];
        /* Joins the labels of the refs at the same height (those off the scale: at the top,
         * marked with an arrow). */
        char lab[512];
        bool off = ref_off(p, rf);
        snprintf(lab, sizeof lab, "%s%s", off ? "\xe2\x86\x91 off the scale: " : "", rf->label);
        size_t k = i + 1;
        while (k < n && (off ? ref_off(p, &c->refs[ord[k]])
                             : fabs(py(p, c->refs[ord[k]].y) - py(p, rf->y)) < 0.5)) {
            size_t len = strlen(lab);
            snprintf(lab + len, sizeof lab - len, ", %s", c->refs[ord[k]].label);
            k++;
        }
        double tw, th;
        af_draw_measure(d, lab, &st, 0, &tw, &th);
        double y = off ? p->t + th + 1 : py(p, rf->y);
        double top = fmax(y - th - 0.5, prev_bottom + 0.5);
        double x = p->r - 2;
        cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
        cairo_rectangle(cr, x - tw - 2, top, tw + 3, th);
        cairo_fill(cr);
        af_color_rgb(rf->color, st.rgb);
        if (rf->color == AF_C_GREY)
            memcpy(st.rgb, muted, sizeof st.rgb);
        af_draw_text(d, x, top, 0, lab, &st);
        prev_bottom = top + th;
        i = k - 1;
    }
    af_free(ord);
}

/* ---- The kinds --------------------------------------------------------------------------------
 */

/* Header: title, subtitle; returns the y under it. */
static double header_draw(af_draw *d, const af_chart *c, double x, double y, double w)
{
    af_text_style ts = style(10, true, AF_ALIGN_LEFT, ink);
    y += af_draw_text(d, x, y, w, c->title, &ts);
    if (c->subtitle) {
        af_text_style ss = style(7.5, false, AF_ALIGN_LEFT, muted);
        y += 1 + af_draw_text(d, x, y, w, c->subtitle, &ss);
    }
    return y + 5;
}

/* The legend items of a chart: its layers shown in the legend (lines as lines). */
static size_t legend_items(const af_chart *c, legend_item *it, size_t max)
{
    size_t n = 0;
    if (c->kind == AF_CHART_BARS && c->nlayers < 2)
        return 0;
    for (size_t k = 0; k < c->nlayers && n < max; k++) {
        const af_chart_layer *l = &c->layers[k];
        if (!l->legend)
            continue;
        it[n++] = (legend_item){.label = l->label,
                                .color = l->color,
                                .line = c->kind == AF_CHART_TIME && l->mode == AF_LAYER_LINE,
                                .style = l->style};
    }
    return n;
}

static void time_chart_draw(af_draw *d, const af_chart *c, const af_chart_frame *f, double x,
                            double y, double w, double h)
{
    cairo_t *cr = d->cr;
    double top = header_draw(d, c, x, y, w);
    legend_item it[32];
    size_t nit = legend_items(c, it, 32);
    double lh = legend(d, it, nit, x, 0, w, false);
    af_ticks tk;
    af_axis_unit u;
    af_chart_value_ticks(f, c->ydim, 6, &tk, &u);
    /* What the axis measures, with its unit. */
    char yt[256];
    if (f->log_y)
        snprintf(yt, sizeof yt, "%s (log scale)", c->ytitle);
    else if (u.unit[0])
        snprintf(yt, sizeof yt, "%s, %s", c->ytitle, u.unit);
    else
        snprintf(yt, sizeof yt, "%s", c->ytitle);
    af_text_style yst = style(7, false, AF_ALIGN_LEFT, muted);
    top += af_draw_text(d, x, top, w, yt, &yst) + 4;
    double aw = value_axis_width(d, &tk, &u, c->ydim, f->log_y);
    plot p = {.l = x + aw + 6,
              .r = x + w - 4,
              .t = top,
              .b = y + h - lh - (lh > 0 ? 6 : 0) - 14,
              .t_end = f->t_end,
              .lo = tk.lo,
              .hi = tk.hi,
              .log = f->log_y};
    if (p.b - p.t < 20)
        p.b = p.t + 20;
    if (c->no_data || !(p.t_end > 0)) {
        no_data_draw(d, c, &p);
        return;
    }
    value_axis_draw(d, &p, &tk, &u, c->ydim);
    time_axis_draw(d, &p);
    cairo_save(cr);
    cairo_rectangle(cr, p.l, p.t - 1, p.r - p.l, p.b - p.t + 1);
    cairo_clip(cr);
    areas_draw(cr, c, &p);
    lines_draw(cr, c, &p);
    cairo_restore(cr);
    frame_draw(cr, &p);
    refs_draw(d, c, &p);
    legend(d, it, nit, x, y + h - lh, w, true);
}

static void timeline_draw(af_draw *d, const af_chart *c, const af_chart_frame *f, double x,
                          double y, double w, double h)
{
    cairo_t *cr = d->cr;
    double top = header_draw(d, c, x, y, w) + 2;
    legend_item it[32];
    size_t nit = legend_items(c, it, 32);
    double lh = legend(d, it, nit, x, 0, w, false);
    af_text_style rs = style(7, false, AF_ALIGN_LEFT, ink);
    double lw = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        double tw;
        af_draw_measure(d, c->rows[i], &rs, 0, &tw, NULL);
        lw = fmax(lw, tw);
    }
    lw = fmin(lw, w * 0.4);
    plot p = {.l = x + lw + 6,
              .r = x + w - 4,
              .t = top,
              .b = y + h - lh - (lh > 0 ? 6 : 0) - 14,
              .t_end = f->t_end,
              .lo = 0,
              .hi = 1};
    if (c->no_data || c->nrows == 0 || !(p.t_end > 0)) {
        p.l = x + 6;
        no_data_draw(d, c, &p);
        return;
    }
    time_axis_draw(d, &p);
    double band = (p.b - p.t) / (double)c->nrows;
    double **base = af_calloc(c->nrows, sizeof *base);
    for (size_t rw = 0; rw < c->nrows; rw++) {
        base[rw] = af_calloc(c->n ? c->n : 1, sizeof **base);
        double bt = p.t + band * (double)rw, bb = bt + band;
        cairo_set_source_rgb(cr, 0.965, 0.965, 0.965);
        cairo_rectangle(cr, p.l, bt + 2, p.r - p.l, band - 4);
        cairo_fill(cr);
        double th;
        af_draw_measure(d, c->rows[rw], &rs, lw, NULL, &th);
        af_draw_text(d, x, (bt + bb) / 2 - th / 2, lw, c->rows[rw], &rs);
    }
    for (size_t k = 0; k < c->nlayers; k++) {
        const af_chart_layer *l = &c->layers[k];
        if (l->row >= c->nrows || !(l->row_max > 0))
            continue;
        double bt = p.t + band * (double)l->row + 2, bh = band - 4;
        set_color(cr, l->color, 0.9);
        for (size_t i = 0; i < c->n && i < l->n; i++) {
            double v = fmin(1, fmax(0, l->v[i] / l->row_max));
            if (v <= 0)
                continue;
            double x0 = px(&p, (double)i * c->dt), x1 = px(&p, (double)(i + 1) * c->dt);
            double b0 = base[l->row][i];
            double hh = fmin(v, 1 - b0) * bh;
            /* At least a hairline, so a short stall in a window still shows. */
            cairo_rectangle(cr, x0, bt + bh - b0 * bh - fmax(hh, 0.6), fmax(x1 - x0, 0.6),
                            fmax(hh, 0.6));
            base[l->row][i] = fmin(1, b0 + v);
        }
        cairo_fill(cr);
    }
    for (size_t rw = 0; rw < c->nrows; rw++)
        af_free(base[rw]);
    af_free(base);
    frame_draw(cr, &p);
    legend(d, it, nit, x, y + h - lh, w, true);
}

static void bars_draw(af_draw *d, const af_chart *c, const af_chart_frame *f, double x, double y,
                      double w, double h)
{
    cairo_t *cr = d->cr;
    double top = header_draw(d, c, x, y, w) + 2;
    legend_item it[32];
    size_t nit = legend_items(c, it, 32);
    double lh = legend(d, it, nit, x, 0, w, false);
    af_text_style rs = style(7.5, false, AF_ALIGN_LEFT, ink);
    af_text_style vs = style(7, false, AF_ALIGN_LEFT, ink);
    double lw = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        double tw;
        af_draw_measure(d, c->rows[i], &rs, 0, &tw, NULL);
        lw = fmax(lw, tw);
    }
    lw = fmin(lw, w * 0.4);
    /* Values at the bars' ends: room for the widest. */
    double sum[2] = {0, 0};
    for (size_t k = 0; k < c->nlayers && k < 2; k++)
        for (size_t i = 0; i < c->layers[k].n; i++)
            sum[k] += c->layers[k].v[i];
    char(*vlab)[96] = af_calloc(c->nrows * (c->nlayers ? c->nlayers : 1), sizeof *vlab);
    double vw = 0;
    for (size_t k = 0; k < c->nlayers; k++)
        for (size_t i = 0; i < c->nrows && i < c->layers[k].n; i++) {
            char *s = vlab[k * c->nrows + i];
            char v[48], pct[48];
            af_report_text_value(c->layers[k].v[i], c->ydim, v, sizeof v);
            if (c->nlayers == 1 && sum[0] > 0)
                snprintf(s, 96, "%s (%s)", v,
                         af_report_text_value(c->layers[k].v[i] / sum[0], AF_DIM_RATIO, pct,
                                              sizeof pct));
            else
                snprintf(s, 96, "%s", v);
            double tw;
            af_draw_measure(d, s, &vs, 0, &tw, NULL);
            vw = fmax(vw, tw);
        }
    af_ticks tk;
    af_axis_unit u;
    af_chart_value_ticks(f, c->ydim, 5, &tk, &u);
    plot p = {.l = x + lw + 8,
              .r = x + w - vw - 8,
              .t = top,
              .b = y + h - lh - (lh > 0 ? 6 : 0) - 14,
              .lo = tk.lo,
              .hi = tk.hi};
    if (c->no_data || c->nrows == 0 || p.r - p.l < 20) {
        no_data_draw(d, c, &p);
        af_free(vlab);
        return;
    }
    /* Value axis along the bottom: grid lines, labels, the unit on the last. */
    af_text_style ts = style(7, false, AF_ALIGN_CENTER, muted);
    for (size_t i = 0; i < tk.n; i++) {
        double fx = (tk.v[i] - tk.lo) / (tk.hi - tk.lo);
        double xx = p.l + fx * (p.r - p.l);
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        set_line_style(cr, AF_STYLE_SOLID, 0.5);
        cairo_move_to(cr, xx, p.t);
        cairo_line_to(cr, xx, p.b);
        cairo_stroke(cr);
        char num[48], lab[96];
        af_axis_label(tk.v[i], &u, num, sizeof num);
        if (i + 1 == tk.n && u.unit[0])
            snprintf(lab, sizeof lab, "%s%s%s", num, u.unit[0] == '%' ? "" : " ", u.unit);
        else
            snprintf(lab, sizeof lab, "%s", num);
        af_draw_text(d, xx, p.b + 4, 0, lab, &ts);
    }
    double band = (p.b - p.t) / (double)c->nrows;
    size_t ng = c->nlayers ? c->nlayers : 1;
    double bar = band * 0.72 / (double)ng;
    for (size_t i = 0; i < c->nrows; i++) {
        double bt = p.t + band * (double)i + band * 0.14;
        double th;
        af_draw_measure(d, c->rows[i], &rs, lw, NULL, &th);
        af_draw_text(d, x, p.t + band * (double)i + band / 2 - th / 2, lw, c->rows[i], &rs);
        for (size_t k = 0; k < c->nlayers; k++) {
            const af_chart_layer *l = &c->layers[k];
            if (i >= l->n)
                continue;
            double v = l->v[i];
            double x0 = p.l + (fmax(0, tk.lo) - tk.lo) / (tk.hi - tk.lo) * (p.r - p.l);
            double x1 = p.l + (v - tk.lo) / (tk.hi - tk.lo) * (p.r - p.l);
            double yy = bt + bar * (double)k;
            set_color(cr, c->nlayers == 1 && c->row_colors ? c->row_colors[i] : l->color, 0.92);
            cairo_rectangle(cr, fmin(x0, x1), yy, fmax(fabs(x1 - x0), v != 0 ? 0.8 : 0), bar * 0.9);
            cairo_fill(cr);
            double vh;
            const char *s = vlab[k * c->nrows + i];
            af_draw_measure(d, s, &vs, 0, NULL, &vh);
            af_draw_text(d, fmax(x0, x1) + 3, yy + bar * 0.45 - vh / 2, 0, s, &vs);
        }
    }
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    set_line_style(cr, AF_STYLE_SOLID, 0.7);
    double x0 = p.l + (fmax(0, tk.lo) - tk.lo) / (tk.hi - tk.lo) * (p.r - p.l);
    cairo_move_to(cr, x0, p.t);
    cairo_line_to(cr, x0, p.b);
    cairo_stroke(cr);
    af_free(vlab);
    legend(d, it, nit, x, y + h - lh, w, true);
}

void af_chart_draw(af_draw *d, const af_chart *c, const af_chart_frame *f, double x, double y,
                   double w, double h)
{
    af_chart_frame own;
    if (!f) {
        af_chart_frame_of(c, &own);
        f = &own;
    }
    cairo_save(d->cr);
    if (c->kind == AF_CHART_BARS)
        bars_draw(d, c, f, x, y, w, h);
    else if (c->kind == AF_CHART_TIMELINE)
        timeline_draw(d, c, f, x, y, w, h);
    else
        time_chart_draw(d, c, f, x, y, w, h);
    cairo_restore(d->cr);
}

/* ---- PDF files ------------------------------------------------------------------------------ */

static cairo_status_t pdf_doc_write(void *closure, const unsigned char *data, unsigned int len)
{
    af_pdf_doc *doc = closure;
    doc->p = af_grow(doc->p, &doc->cap, doc->n + len, 1);
    memcpy(doc->p + doc->n, data, len);
    doc->n += len;
    return CAIRO_STATUS_SUCCESS;
}

void af_pdf_begin(af_pdf_doc *doc, double w, double h, const char *title, const char *creator)
{
    memset(doc, 0, sizeof *doc);
    doc->surf = cairo_pdf_surface_create_for_stream(pdf_doc_write, doc, w, h);
    cairo_pdf_surface_set_metadata(doc->surf, CAIRO_PDF_METADATA_CREATE_DATE, "");
    cairo_pdf_surface_set_metadata(doc->surf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(doc->surf, CAIRO_PDF_METADATA_CREATOR, creator);
    doc->cr = cairo_create(doc->surf);
}

int af_pdf_end(af_pdf_doc *doc, const char *path, af_diag *d)
{
    cairo_status_t st = cairo_status(doc->cr);
    cairo_destroy(doc->cr);
    cairo_surface_finish(doc->surf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(doc->surf);
    cairo_surface_destroy(doc->surf);
    int rc = AF_EIO;
    if (st != CAIRO_STATUS_SUCCESS) {
        af_diag_error(d, "making the PDF: %s", cairo_status_to_string(st));
    } else {
        af_outfile *f = af_outfile_open(path, d);
        if (f) {
            af_outfile_write(f, doc->p, doc->n);
            rc = af_outfile_commit(f, d);
        }
    }
    af_free(doc->p);
    memset(doc, 0, sizeof *doc);
    return rc;
}
