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

/* The bottleneck names of the wait_* metrics (workload/world.c), for the verdict. */
static const struct {
    const char *leaf, *what;
} af_text_holds[] = {
    {"wait_client_nics", "the pool's storage NICs"},
    {"wait_fabric", "the fabric (leaf uplinks or spine)"},
    {"wait_storage_nics", "the storage tier's NICs"},
    {"wait_devices", "the storage tier's devices"},
    {"wait_readers", "the data loader's reader threads"},
};

static void af_text_train_verdict(const af_results *r, const char *group, size_t glen, FILE *f)
{
    double util = af_text_get(r, group, glen, "gpu_utilization", -1);
    double demand = af_text_get(r, group, glen, "read_demand_per_gpu", -1);
    double got = af_text_get(r, group, glen, "read_rate_per_gpu", -1);
    if (util < 0)
        return;
    char a[32], b[32], c[32], e[32];
    af_units_format(util, AF_DIM_RATIO, a, sizeof a);
    if (util >= 0.99 || demand <= 0 || got < 0) {
        fprintf(f, "  verdict: compute-bound; GPUs busy %s of the time, storage keeps up\n", a);
    } else {
        af_units_format(got, AF_DIM_BANDWIDTH, b, sizeof b);
        af_units_format(demand, AF_DIM_BANDWIDTH, c, sizeof c);
        af_units_format(demand - got, AF_DIM_BANDWIDTH, e, sizeof e);
        fprintf(f, "  verdict: data-bound; GPUs busy %s of the time\n", a);
        fprintf(f, "           each GPU got %s of the %s it needs, %s short\n", b, c, e);
        size_t best = 0;
        double most = -1, all = 0;
        for (size_t i = 0; i < sizeof af_text_holds / sizeof af_text_holds[0]; i++) {
            double v = af_text_get(r, group, glen, af_text_holds[i].leaf, 0);
            all += v;
            if (v > most) {
                most = v;
                best = i;
            }
        }
        if (most > 0) {
            af_units_format(all > 0 ? most / all : 0, AF_DIM_RATIO, b, sizeof b);
            fprintf(f, "           bottleneck: %s (%s of the wait)\n", af_text_holds[best].what, b);
            char name[300];
            snprintf(name, sizeof name, "%.*s.bottleneck", (int)glen, group);
            const af_metric *m = af_results_find(r, name);
            if (m && m->text)
                fprintf(f, "           held back longest by: %s\n", m->text);
        }
    }
    double during = af_text_get(r, group, glen, "gpu_utilization_during_bursts", -1);
    double floor = af_text_get(r, group, glen, "qos_floor_utilization", -1);
    if (during >= 0 && floor >= 0) {
        af_units_format(during, AF_DIM_RATIO, b, sizeof b);
        af_units_format(floor, AF_DIM_RATIO, c, sizeof c);
        fprintf(f, "  during bursts: GPUs busy %s; the QoS weights guarantee at least %s\n", b, c);
    }
}

static void af_text_burst_verdict(const af_results *r, const char *group, size_t glen, FILE *f)
{
    double slow = af_text_get(r, group, glen, "slowdown", -1);
    double bound = af_text_get(r, group, glen, "slowdown_bound", -1);
    double skipped = af_text_get(r, group, glen, "skipped", 0);
    double rejected = af_text_get(r, group, glen, "rejected", 0);
    if (slow < 0) {
        fprintf(f, "  verdict: no burst completed in the simulated time\n");
        return;
    }
    fprintf(f,
            "  verdict: bursts took %.3gx their time alone; the QoS weights allow at most %.3gx\n",
            slow, bound);
    if (skipped > 0)
        fprintf(f, "           %.0f bursts skipped: the previous one was still running\n", skipped);
    if (rejected > 0) {
        char a[32];
        af_units_format(rejected, AF_DIM_SIZE, a, sizeof a);
        fprintf(f, "           %s refused: the tier was full\n", a);
    }
}

static void af_text_lookup_verdict(const af_results *r, const char *group, size_t glen, FILE *f)
{
    double p99 = af_text_get(r, group, glen, "latency_p99", -1);
    double slo = af_text_get(r, group, glen, "slo", -1);
    if (p99 < 0 || slo <= 0)
        return;
    char a[32], b[32];
    af_units_format(p99, AF_DIM_TIME, a, sizeof a);
    af_units_format(slo, AF_DIM_TIME, b, sizeof b);
    fprintf(f, "  verdict: p99 latency %s %s the %s objective\n", a,
            p99 <= slo ? "meets" : "MISSES", b);
}

/* Prints the verdict of a group whose kind ("train", "burst", "lookup") has one. */
static void af_text_verdict(const af_results *r, const char *group, size_t glen, FILE *f)
{
    const char *dot = memchr(group, '.', glen);
    if (!dot)
        return;
    size_t k = (size_t)(dot - group);
    if (k == 5 && strncmp(group, "train", 5) == 0)
        af_text_train_verdict(r, group, glen, f);
    else if (k == 5 && strncmp(group, "burst", 5) == 0)
        af_text_burst_verdict(r, group, glen, f);
    else if (k == 6 && strncmp(group, "lookup", 6) == 0)
        af_text_lookup_verdict(r, group, glen, f);
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
            af_text_verdict(r, group, glen, f);
        }
        const char *label = m->label ? m->label : m->name + glen + 1;
        if (m->text) {
            fprintf(f, "  %-34s %s\n", label, m->text);
            continue;
        }
        char val[48];
        af_units_format(m->value, m->dim, val, sizeof val);
        fprintf(f, "  %-34s %14s\n", label, val);
    }
}
