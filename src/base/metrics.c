/*
 * metrics: the table of every metric; see metrics.h.
 */
#include "base/metrics.h"

#include <string.h>

/* A text metric's pseudo-dimension in the table, past the real ones. */
enum { AF_DIM_TEXT = AF_DIM__COUNT };

#define AF_METRIC_ROW(id, g, inst, lf, d, lab, mean)                                               \
    [AF_M_##                                                                                       \
        id] = {.group = g,                                                                         \
               .instanced = inst,                                                                  \
               .leaf = lf,                                                                         \
               .dim = (int)AF_DIM_##d == (int)AF_DIM_TEXT ? AF_DIM_NUMBER : (af_dim)AF_DIM_##d,    \
               .text = (int)AF_DIM_##d == (int)AF_DIM_TEXT,                                        \
               .label = lab,                                                                       \
               .meaning = mean},

static const af_metric_def metric_table[AF_M__COUNT] = {AF_METRICS(AF_METRIC_ROW)};

#undef AF_METRIC_ROW

const af_metric_def *af_metric_get(af_metric_id id)
{
    return (unsigned)id < (unsigned)AF_M__COUNT ? &metric_table[id] : NULL;
}

const af_metric_def *af_metric_of_name(const char *name)
{
    const char *dot = strchr(name, '.');
    const char *last = strrchr(name, '.');
    if (!dot)
        return NULL;
    size_t glen = (size_t)(dot - name);
    bool instanced = last != dot;
    for (size_t i = 0; i < AF_M__COUNT; i++) {
        const af_metric_def *m = &metric_table[i];
        if (m->instanced == instanced && strlen(m->group) == glen &&
            strncmp(m->group, name, glen) == 0 && strcmp(m->leaf, last + 1) == 0)
            return m;
    }
    return NULL;
}

char *af_metric_name(af_metric_id id, const char *instance, char *buf, size_t n)
{
    const af_metric_def *m = af_metric_get(id);
    if (m->instanced)
        snprintf(buf, n, "%s.%s.%s", m->group, instance ? instance : "", m->leaf);
    else
        snprintf(buf, n, "%s.%s", m->group, m->leaf);
    return buf;
}

void af_results_put(af_results *r, af_metric_id id, const char *instance, double value)
{
    char name[320];
    const af_metric_def *m = af_metric_get(id);
    af_results_set(r, af_metric_name(id, instance, name, sizeof name), value, m->dim, m->label);
}

void af_results_put_text(af_results *r, af_metric_id id, const char *instance, const char *text)
{
    char name[320];
    const af_metric_def *m = af_metric_get(id);
    af_results_set_text(r, af_metric_name(id, instance, name, sizeof name), text, m->label);
}

const af_metric *af_results_lookup(const af_results *r, af_metric_id id, const char *instance)
{
    char name[320];
    return af_results_find(r, af_metric_name(id, instance, name, sizeof name));
}

double af_results_value(const af_results *r, af_metric_id id, const char *instance, double fallback)
{
    const af_metric *m = af_results_lookup(r, id, instance);
    return m && !m->text ? m->value : fallback;
}

int af_metrics_print(FILE *f, bool markdown)
{
    if (markdown) {
        fprintf(f, "| metric | unit | summary label | meaning |\n|---|---|---|---|\n");
    }
    for (size_t i = 0; i < AF_M__COUNT; i++) {
        const af_metric_def *m = &metric_table[i];
        char name[160];
        const char *inst = "<name>";
        if (!strcmp(m->group, "train"))
            inst = "<job>";
        else if (!strcmp(m->group, "burst") || !strcmp(m->group, "lookup") ||
                 !strcmp(m->group, "ingest"))
            inst = "<workload>";
        else if (!strcmp(m->group, "pool"))
            inst = "<pool>";
        else if (!strcmp(m->group, "storage"))
            inst = "<tier>";
        else if (!strcmp(m->group, "fabric"))
            inst = "<fabric>";
        if (m->instanced)
            snprintf(name, sizeof name, "%s.%s.%s", m->group, inst, m->leaf);
        else
            snprintf(name, sizeof name, "%s.%s", m->group, m->leaf);
        const char *unit = m->text ? "text" : af_units_si(m->dim);
        if (markdown)
            fprintf(f, "| `%s` | %s | %s | %s |\n", name, unit, m->label, m->meaning);
        else
            fprintf(f, "%-44s %-7s %s\n%44s         %s\n", name, unit, m->label, "", m->meaning);
    }
    return ferror(f) ? -1 : 0;
}

const char *const af_train_share_leaf[AF_TRAIN_SHARES] = {
    "gpu_utilization", "data_wait",    "communication", "pipeline_bubble",
    "checkpoint_stall", "failure_down", "idle_done"};
const char *const af_train_share_label[AF_TRAIN_SHARES] = {
    "computing",        "waiting for data",  "communicating", "pipeline bubble and stragglers",
    "checkpoint stall", "down or reloading", "idle (target reached)"};
