/*
 * text: grouped, aligned summary; see text.h. Reads only the results record.
 */
#include "report/text.h"

#include <stdbool.h>
#include <string.h>

/* Length of the group prefix of a metric name: up to the last dot for names with three or more
 * parts ("train.vit.steps" -> "train.vit"), the first part otherwise ("cost.total" -> "cost"). */
static size_t af_text_group_len(const char *name)
{
    const char *last = strrchr(name, '.');
    return last ? (size_t)(last - name) : strlen(name);
}

/* Value of metric "<group>.<leaf>", or `fallback` when absent. */
static double af_text_get(const af_results *r, const char *group, size_t glen, const char *leaf,
                          double fallback)
{
    char name[300];
    snprintf(name, sizeof name, "%.*s.%s", (int)glen, group, leaf);
    const af_metric *m = af_results_find(r, name);
    return m ? m->value : fallback;
}

static void af_text_verdict(const af_results *r, const char *group, size_t glen, FILE *f)
{
    double util = af_text_get(r, group, glen, "gpu_utilization", -1);
    double demand = af_text_get(r, group, glen, "read_demand_per_gpu", -1);
    double got = af_text_get(r, group, glen, "read_rate_per_gpu", -1);
    double gpus = af_text_get(r, group, glen, "gpus", 0);
    double client = af_text_get(r, group, glen, "client_bandwidth", -1);
    if (util < 0)
        return;
    char a[32], b[32], c[32];
    af_units_format(util, AF_DIM_RATIO, a, sizeof a);
    if (util >= 0.99 || demand <= 0 || got < 0) {
        fprintf(f, "  verdict: compute-bound; GPUs busy %s of the time, storage keeps up\n", a);
        return;
    }
    af_units_format(got, AF_DIM_BANDWIDTH, b, sizeof b);
    af_units_format(demand, AF_DIM_BANDWIDTH, c, sizeof c);
    bool nic = client > 0 && gpus > 0 && got * gpus >= 0.99 * client;
    fprintf(f, "  verdict: data-bound; GPUs busy %s of the time, each got %s of the %s it needs\n",
            a, b, c);
    fprintf(f, "           (bottleneck: %s)\n",
            nic ? "the pool's storage NICs" : "the storage tier's read bandwidth");
}

void af_report_text(const af_results *r, const char *title, FILE *f)
{
    fprintf(f, "%s\n", title);
    const char *group = NULL;
    size_t glen = 0;
    for (size_t i = 0; i < af_results_count(r); i++) {
        const af_metric *m = af_results_get(r, i);
        size_t len = af_text_group_len(m->name);
        if (!group || len != glen || strncmp(group, m->name, len) != 0) {
            group = m->name;
            glen = len;
            fprintf(f, "\n%.*s\n", (int)glen, group);
            const char *dot = memchr(group, '.', glen);
            if (dot && (size_t)(dot - group) == 5 && strncmp(group, "train", 5) == 0)
                af_text_verdict(r, group, glen, f);
        }
        char val[48];
        af_units_format(m->value, m->dim, val, sizeof val);
        const char *label = m->label ? m->label : m->name + glen + 1;
        fprintf(f, "  %-30s %16s\n", label, val);
    }
}
