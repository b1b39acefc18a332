/*
 * results: an insertion-ordered list of metrics; see results.h. Names are found through an
 * open-addressing hash index beside the list (FNV-1a, linear probing, at most half full), so a
 * world with thousands of jobs and tens of thousands of metrics writes them in linear time. The
 * index only finds; the order of outputs is the list's.
 */
#include "base/results.h"

#include "base/alloc.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

struct af_results {
    af_series **series; /* series in making order (each allocated once, never moved) */
    size_t nseries, series_cap;
    af_metric *m;    /* metrics in insertion order */
    size_t n;        /* number of metrics */
    size_t cap;      /* capacity of m */
    uint32_t *index; /* hash slots: metric index + 1, 0 = empty */
    size_t nslots;   /* slots in index, a power of two (0 before the first metric) */
};

static uint64_t results_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Slot of name in the index: where it is, or the empty slot where it would go. */
static size_t results_probe(const af_results *r, const char *name)
{
    size_t mask = r->nslots - 1;
    size_t i = (size_t)results_hash(name) & mask;
    while (r->index[i] && strcmp(r->m[r->index[i] - 1].name, name) != 0)
        i = (i + 1) & mask;
    return i;
}

/* Doubles the index (or makes the first) and re-enters every metric. */
static void results_rehash(af_results *r)
{
    size_t nslots = r->nslots ? 2 * r->nslots : 64;
    af_free(r->index);
    r->index = af_calloc(nslots, sizeof *r->index);
    r->nslots = nslots;
    for (size_t k = 0; k < r->n; k++)
        r->index[results_probe(r, r->m[k].name)] = (uint32_t)(k + 1);
}

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
    for (size_t i = 0; i < r->nseries; i++) {
        af_free(r->series[i]->name);
        af_free(r->series[i]->label);
        af_free(r->series[i]->v);
        af_free(r->series[i]);
    }
    af_free(r->series);
    af_free(r->m);
    af_free(r->index);
    af_free(r);
}

static af_metric *af_results_lookup(const af_results *r, const char *name)
{
    if (!r->nslots)
        return NULL;
    uint32_t k = r->index[results_probe(r, name)];
    return k ? &r->m[k - 1] : NULL;
}

/* The metric called name, appended (empty) when new; its label set to a copy of label. */
static af_metric *results_slot(af_results *r, const char *name, const char *label)
{
    af_metric *m = af_results_lookup(r, name);
    if (!m) {
        r->m = af_grow(r->m, &r->cap, r->n + 1, sizeof(af_metric));
        m = &r->m[r->n++];
        m->name = af_strdup(name);
        m->label = NULL;
        m->text = NULL;
        if (2 * r->n > r->nslots)
            results_rehash(r);
        else
            r->index[results_probe(r, name)] = (uint32_t)r->n;
    }
    /* Copy before freeing: label may be the metric's own label (a caller updating the value). */
    char *copy = label ? af_strdup(label) : NULL;
    af_free(m->label);
    m->label = copy;
    return m;
}

void af_results_set(af_results *r, const char *name, double value, af_dim dim, const char *label)
{
    af_metric *m = results_slot(r, name, label);
    af_free(m->text);
    m->text = NULL;
    m->value = value;
    m->dim = dim;
}

void af_results_set_text(af_results *r, const char *name, const char *text, const char *label)
{
    af_metric *m = results_slot(r, name, label);
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

/* ---- time series ---------------------------------------------------------------------------- */

af_series *af_results_series(af_results *r, const char *name, af_dim dim, const char *label,
                             double base_dt)
{
    for (size_t i = 0; i < r->nseries; i++)
        if (strcmp(r->series[i]->name, name) == 0)
            return r->series[i];
    r->series = af_grow(r->series, &r->series_cap, r->nseries + 1, sizeof *r->series);
    af_series *s = af_calloc(1, sizeof *s);
    s->name = af_strdup(name);
    s->label = label ? af_strdup(label) : NULL;
    s->dim = dim;
    s->dt = base_dt;
    s->per = 1;
    s->v = af_malloc_array(AF_SERIES_MAX, sizeof *s->v);
    r->series[r->nseries++] = s;
    return s;
}

void af_series_push(af_series *s, double v)
{
    s->pushed++;
    s->acc += v;
    if (++s->acc_n < s->per)
        return;
    if (s->n == AF_SERIES_MAX) {
        /* Full: merge neighbours into windows twice as wide. The point being filled was one
         * base window wide per base window; from now on it takes twice as many. */
        for (size_t i = 0; i < AF_SERIES_MAX / 2; i++)
            s->v[i] = 0.5 * (s->v[2 * i] + s->v[2 * i + 1]);
        s->n = AF_SERIES_MAX / 2;
        s->per *= 2;
        s->dt *= 2;
        if (s->acc_n < s->per)
            return;
    }
    s->v[s->n++] = s->acc / (double)s->per;
    s->acc = 0;
    s->acc_n = 0;
}

double af_series_t(const af_series *s, size_t i)
{
    return (double)i * s->dt;
}

size_t af_results_nseries(const af_results *r)
{
    return r->nseries;
}

const af_series *af_results_series_get(const af_results *r, size_t i)
{
    return i < r->nseries ? r->series[i] : NULL;
}

const af_series *af_results_series_find(const af_results *r, const char *name)
{
    for (size_t i = 0; i < r->nseries; i++)
        if (strcmp(r->series[i]->name, name) == 0)
            return r->series[i];
    return NULL;
}
