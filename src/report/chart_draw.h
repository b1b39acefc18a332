/*
 * chart_draw: drawing charts (report/chart.h) and text with Cairo and Pango.
 *
 * Sizes are in points (1/72 in), the user units of a Cairo PDF surface; an image surface is
 * scaled before drawing. Text is laid out by Pango in one family (DejaVu Sans, or what
 * fontconfig substitutes) with hinting off, so the same text has the same metrics on a page and
 * in a PNG and the output does not depend on the device. Pango gets a font map of its own,
 * released with the drawing context, so nothing stays cached between reports.
 *
 * A chart is drawn into a rectangle: its title and subtitle, a line naming what the value axis
 * measures and its unit, the plot with grid lines and 1-2-5 ticks (af_ticks_linear, or
 * af_ticks_log for a log axis), tick labels in one unit per axis (af_axis_unit_of; the time
 * axis' unit is the last label's suffix), reference lines labelled at their right end, and the
 * legend below. A chart without data is an empty frame with its note.
 */
#ifndef AF_REPORT_CHART_DRAW_H
#define AF_REPORT_CHART_DRAW_H

#include "base/diag.h"
#include "report/chart.h"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdbool.h>

typedef enum { AF_ALIGN_LEFT, AF_ALIGN_CENTER, AF_ALIGN_RIGHT } af_align;

/* A drawing context: a Cairo context and the Pango objects that lay text out on it. */
typedef struct af_draw {
    cairo_t *cr;         /* borrowed */
    PangoFontMap *fm;    /* owned */
    PangoContext *pc;    /* owned */
    PangoLayout *layout; /* owned, reused for every text */
} af_draw;

/* Prepares d to draw on cr; call again (af_draw_retarget) when cr's transformation changes. */
void af_draw_init(af_draw *d, cairo_t *cr);
void af_draw_retarget(af_draw *d, cairo_t *cr);
void af_draw_fini(af_draw *d);

/* Text styles. */
typedef struct af_text_style {
    double size; /* points */
    bool bold;
    af_align align;
    double rgb[3];
} af_text_style;

/* Draws text with its top-left corner at (x, y), wrapped at words to width w (w <= 0: one line;
 * then align places it left of, centred on or right of x). Returns the height it took. */
double af_draw_text(af_draw *d, double x, double y, double w, const char *text,
                    const af_text_style *st);

/* The width and height text would take (wrapped to w when w > 0). */
void af_draw_measure(af_draw *d, const char *text, const af_text_style *st, double w, double *tw,
                     double *th);

/* Draws chart c in the rectangle (x, y, w, h) in frame f (NULL: the chart's own frame). */
void af_chart_draw(af_draw *d, const af_chart *c, const af_chart_frame *f, double x, double y,
                   double w, double h);

/* ---- PDF files ------------------------------------------------------------------------------ */

/* A PDF drawn in memory, then written to its file whole (base/outfile.h), so a failed drawing
 * leaves no file and a reader never sees half of one. */
typedef struct af_pdf_doc {
    cairo_surface_t *surf;
    cairo_t *cr;      /* draw on this */
    unsigned char *p; /* the bytes so far */
    size_t n, cap;
} af_pdf_doc;

/* Starts a PDF of pages w x h (points) with its title and creator, and no creation date (the
 * same input gives the same bytes). */
void af_pdf_begin(af_pdf_doc *doc, double w, double h, const char *title, const char *creator);
/* Finishes it (after the last cairo_show_page) and writes it to path. Returns AF_OK, or AF_EIO
 * with Cairo's or the file's message in d; frees doc's resources either way. */
int af_pdf_end(af_pdf_doc *doc, const char *path, af_diag *d);

#endif
