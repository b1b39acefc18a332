/*
 * diag: diagnostics collected in insertion order; see diag.h.
 */
#include "base/diag.h"

#include "base/alloc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

struct af_diag {
    af_diag_msg *msgs; /* messages in insertion order */
    size_t n;          /* number of messages */
    size_t cap;        /* capacity of msgs */
    size_t errors;     /* number of AF_SEV_ERROR messages */
};

af_diag *af_diag_new(void)
{
    return af_calloc(1, sizeof(af_diag));
}

void af_diag_clear(af_diag *d)
{
    for (size_t i = 0; i < d->n; i++) {
        af_free(d->msgs[i].file);
        af_free(d->msgs[i].path);
        af_free(d->msgs[i].text);
    }
    d->n = 0;
    d->errors = 0;
}

void af_diag_free(af_diag *d)
{
    if (!d)
        return;
    af_diag_clear(d);
    af_free(d->msgs);
    af_free(d);
}

static void diag_vadd(af_diag *d, af_severity sev, const char *file, int line, int col,
                      const char *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));

static void diag_vadd(af_diag *d, af_severity sev, const char *file, int line, int col,
                      const char *path, const char *fmt, va_list ap)
{
    d->msgs = af_grow(d->msgs, &d->cap, d->n + 1, sizeof(af_diag_msg));
    af_diag_msg *m = &d->msgs[d->n++];
    m->sev = sev;
    m->file = file ? af_strdup(file) : NULL;
    m->line = line;
    m->col = col;
    m->path = path && *path ? af_strdup(path) : NULL;
    va_list aq;
    va_copy(aq, ap);
    int len = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (len < 0)
        len = 0;
    m->text = af_malloc_array((size_t)len + 1, 1);
    vsnprintf(m->text, (size_t)len + 1, fmt, ap);
    if (sev == AF_SEV_ERROR)
        d->errors++;
}

void af_diag_add(af_diag *d, af_severity sev, const char *file, int line, int col, const char *path,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, sev, file, line, col, path, fmt, ap);
    va_end(ap);
}

void af_diag_error_at(af_diag *d, const char *file, int line, int col, const char *path,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, AF_SEV_ERROR, file, line, col, path, fmt, ap);
    va_end(ap);
}

void af_diag_error(af_diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, AF_SEV_ERROR, NULL, 0, 0, NULL, fmt, ap);
    va_end(ap);
}

size_t af_diag_errors(const af_diag *d)
{
    return d->errors;
}

size_t af_diag_count(const af_diag *d)
{
    return d->n;
}

const af_diag_msg *af_diag_get(const af_diag *d, size_t i)
{
    return i < d->n ? &d->msgs[i] : NULL;
}

void af_diag_set_file(af_diag *d, size_t from, const char *file)
{
    for (size_t i = from; i < d->n; i++)
        if (!d->msgs[i].file)
            d->msgs[i].file = af_strdup(file);
}

char *af_diag_format(const af_diag *d, size_t i)
{
    const af_diag_msg *m = &d->msgs[i];
    static const char *const sevs[] = {"error", "warning", "note"};
    const char *sev = sevs[m->sev];
    char where[64] = "";
    if (m->line > 0 && m->col > 0)
        snprintf(where, sizeof where, ":%d:%d", m->line, m->col);
    else if (m->line > 0)
        snprintf(where, sizeof where, ":%d", m->line);
    return af_strfmt("%s%s: %s: %s%s%s", m->file ? m->file : "aifsim", where, sev,
                     m->path ? m->path : "", m->path ? ": " : "", m->text);
}

void af_diag_print(const af_diag *d, FILE *f)
{
    for (size_t i = 0; i < d->n; i++) {
        char *s = af_diag_format(d, i);
        fprintf(f, "%s\n", s);
        af_free(s);
    }
}

int af_edit_distance(const char *a, const char *b)
{
    enum { CAP = 100 };
    size_t la = strlen(a), lb = strlen(b);
    /* A common prefix or suffix does not change the distance, and skipping it is cheap. */
    while (la > 0 && lb > 0 && *a == *b) {
        a++;
        b++;
        la--;
        lb--;
    }
    while (la > 0 && lb > 0 && a[la - 1] == b[lb - 1]) {
        la--;
        lb--;
    }
    if ((la > lb ? la - lb : lb - la) >= CAP)
        return CAP;
    /* The usual row-by-row table, restricted to the band |i - j| <= CAP: a path through a cell
     * outside it costs more than CAP, so the result is exact up to the cap and the time is
     * O(CAP * la) even for hostile lengths. Values are kept at most CAP + 1. */
    int small[65];
    int *row = lb < 65 ? small : af_malloc_array(lb + 1, sizeof *row);
    for (size_t j = 0; j <= lb; j++)
        row[j] = j <= CAP ? (int)j : CAP + 1;
    for (size_t i = 1; i <= la; i++) {
        size_t j0 = i > CAP ? i - CAP : 1;
        size_t j1 = i + CAP < lb ? i + CAP : lb;
        int diag = row[j0 - 1];
        row[j0 - 1] = j0 == 1 && i <= CAP ? (int)i : CAP + 1;
        for (size_t j = j0; j <= j1; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best > CAP + 1 ? CAP + 1 : best;
            diag = up;
        }
    }
    int d = row[lb];
    if (row != small)
        af_free(row);
    return d > CAP ? CAP : d;
}

/* True when b is a with exactly one pair of adjacent letters swapped ("hto" / "hot"), the most
 * common typo, which plain edit distance counts as two edits. */
static bool is_transposition(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b) || n < 2)
        return false;
    size_t i = 0;
    while (i < n && a[i] == b[i])
        i++;
    if (i + 1 >= n || a[i] != b[i + 1] || a[i + 1] != b[i])
        return false;
    return strcmp(a + i + 2, b + i + 2) == 0;
}

const char *af_did_you_mean(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    int best_d = 100;
    for (size_t i = 0; i < n; i++) {
        int dist = is_transposition(word, cands[i]) ? 1 : af_edit_distance(word, cands[i]);
        if (dist < best_d) {
            best_d = dist;
            best = cands[i];
        }
    }
    if (!best)
        return NULL;
    int len = (int)strlen(word);
    int limit = len / 3 > 2 ? len / 3 : 2;
    if (len <= 3)
        limit = 1;
    return best_d <= limit ? best : NULL;
}
