/*
 * pdf_int: the PDF report's private parts, shared by pdf.c (the headline figures, the pages,
 * the PDF and PNG files) and pdf_findings.c (the findings in sentences) and nothing else.
 *
 * Sentences are built in a growing string (pdf_sbuf) from values formatted as the text summary
 * formats them (pdf_q, af_report_text_value), so a number in the PDF is the number the summary
 * printed.
 */
#ifndef AF_REPORT_PDF_INT_H
#define AF_REPORT_PDF_INT_H

#include "base/units.h"

#include <stddef.h>

/* A growing string; {0} is empty. */
typedef struct pdf_sbuf {
    char *s;    /* the text, NUL-terminated; NULL while nothing was written */
    size_t n;   /* its length in bytes, without the NUL */
    size_t cap; /* bytes allocated at s */
} pdf_sbuf;

/* Appends printf's output to b (nothing when the format fails). */
void pdf_sbprintf(pdf_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Takes the string (a new "" when nothing was written); b is empty after. The caller frees it. */
char *pdf_sbtake(pdf_sbuf *b);

/* Values as the summary prints them, in 16 rotating buffers: a string returned stays valid for
 * the next 15 calls on the same pdf_fmt. Initialise with {.next = 0}. */
typedef struct pdf_fmt {
    char buf[16][64]; /* the formatted values */
    int next;         /* the buffer the next value goes into (modulo 16) */
} pdf_fmt;

/* v (in the SI unit of dim) as the text summary prints it, e.g. "479.4 MB/s", in one of f's
 * buffers. */
const char *pdf_q(pdf_fmt *f, double v, af_dim dim);

#endif
