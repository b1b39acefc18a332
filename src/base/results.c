/*
 * results: an insertion-ordered list of metrics; see results.h. Look-up is linear: a run has
 * tens to hundreds of metrics, and they are written once at the end of the run, not per event.
 */
#include "base/results.h"

#include "base/alloc.h"

#include <math.h>
#include <string.h>

struct af_results {
    af_metric *m; /* metrics in insertion order */
    size_t n;     /* number of metrics */
    size_t cap;   /* capacity of m */
};

af_results *af_results_new(void)
{
    return af_calloc(1, sizeof(af_results));
}

void af_results_free(af_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        af_free(r->m[i].name);
        af_free(r->m[i].label);
        af_free(r->m[i].text);
    }
    af_free(r->m);
    af_free(r);
}

static af_metric *af_results_lookup(const af_results *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->m[i].name, name) == 0)
            return &r->m[i];
    return NULL;
}

/* The metric called name, appended (empty) when new; its label set to a copy of label. */
static af_metric *af_results_slot(af_results *r, const char *name, const char *label)
{
    af_metric *m = af_results_lookup(r, name);
    if (!m) {
        r->m = af_grow(r->m, &r->cap, r->n + 1, sizeof(af_metric));
        m = &r->m[r->n++];
        m->name = af_strdup(name);
        m->label = NULL;
        m->text = NULL;
    }
    /* Copy before freeing: label may be the metric's own label (a caller updating the value). */
    char *copy = label ? af_strdup(label) : NULL;
    af_free(m->label);
    m->label = copy;
    return m;
}

void af_results_set(af_results *r, const char *name, double value, af_dim dim, const char *label)
{
    af_metric *m = af_results_slot(r, name, label);
    af_free(m->text);
    m->text = NULL;
    m->value = value;
    m->dim = dim;
}

void af_results_set_text(af_results *r, const char *name, const char *text, const char *label)
{
    af_metric *m = af_results_slot(r, name, label);
    char *copy = af_strdup(text);
    af_free(m->text);
    m->text = copy;
    m->value = NAN;
    m->dim = AF_DIM_COUNT;
}

const af_metric *af_results_find(const af_results *r, const char *name)
{
    return af_results_lookup(r, name);
}

size_t af_results_count(const af_results *r)
{
    return r->n;
}

const af_metric *af_results_get(const af_results *r, size_t i)
{
    return i < r->n ? &r->m[i] : NULL;
}
