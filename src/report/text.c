/*
 * text: grouped, aligned summary; see text.h. Reads only the results record, and names metrics
 * only through the metric table (base/metrics.h).
 */
#include "report/text.h"

#include "base/metrics.h"

#include <stdbool.h>
#include <string.h>

/* A verdict is worth printing for a data wait above this share of the run. */
#define TEXT_MATERIAL_WAIT 1e-3

size_t af_report_text_group_len(const char *name)
{
    const char *last = strrchr(name, '.');
    return last ? (size_t)(last - name) : strlen(name);
}

/* What each train.*.wait_* metric's bottleneck is called in a verdict, in af_hold order. */
static const struct {
    af_metric_id id;
    const char *what;
} text_holds[] = {
    {AF_M_TRAIN_WAIT_CLIENT, "the pool's storage NICs"},
    {AF_M_TRAIN_WAIT_FABRIC, "the fabric (leaf uplinks or spine)"},
    {AF_M_TRAIN_WAIT_SNIC, "the storage tier's NICs"},
    {AF_M_TRAIN_WAIT_DEVICES, "the storage tier's devices"},
    {AF_M_TRAIN_WAIT_READERS, "the data loader's reader threads"},
};

/* Formats a value with its unit into one of the rotating buffers of fmt. */
typedef struct text_fmt {
    char buf[8][48];
    int next;
} text_fmt;

/* "<0.01%" rather than "1.165e-6%": the JSON keeps the exact value, and af_units_format itself
 * keeps its promise that every output parses back. */
char *af_report_text_value(double v, af_dim dim, char *buf, size_t n)
{
    if (dim == AF_DIM_RATIO && v > 0 && v < 1e-4) {
        snprintf(buf, n, "<0.01%%");
        return buf;
    }
    return af_units_format(v, dim, buf, n);
}

static const char *text_q(text_fmt *f, double v, af_dim dim)
{
    char *b = f->buf[f->next++ % 8];
    return af_report_text_value(v, dim, b, sizeof f->buf[0]);
}

static void text_train_verdict(const af_results *r, const char *job, FILE *f)
{
    double util = af_results_value(r, AF_M_TRAIN_UTIL, job, -1);
    double wait = af_results_value(r, AF_M_TRAIN_DATA_WAIT, job, 0);
    double demand = af_results_value(r, AF_M_TRAIN_DEMAND, job, -1);
    double got = af_results_value(r, AF_M_TRAIN_READ_RATE, job, -1);
    if (util < 0)
        return;
    text_fmt q = {.next = 0};
    if (wait < TEXT_MATERIAL_WAIT || demand <= 0 || got < 0) {
        fprintf(f, "  verdict: compute-bound; GPUs busy %s of the time, storage keeps up\n",
                text_q(&q, util, AF_DIM_RATIO));
    } else {
        fprintf(f, "  verdict: data-bound; GPUs busy %s of the time\n",
                text_q(&q, util, AF_DIM_RATIO));
        fprintf(f, "           each GPU got %s of the %s it needs, %s short\n",
                text_q(&q, got, AF_DIM_BANDWIDTH), text_q(&q, demand, AF_DIM_BANDWIDTH),
                text_q(&q, demand > got ? demand - got : 0, AF_DIM_BANDWIDTH));
        size_t best = 0;
        double most = -1, all = 0;
        for (size_t i = 0; i < sizeof text_holds / sizeof text_holds[0]; i++) {
            double v = af_results_value(r, text_holds[i].id, job, 0);
            all += v;
            if (v > most) {
                most = v;
                best = i;
            }
        }
        if (most > 0) {
            fprintf(f, "           bottleneck: %s (%s of the wait)\n", text_holds[best].what,
                    text_q(&q, all > 0 ? most / all : 0, AF_DIM_RATIO));
            const af_metric *m = af_results_lookup(r, AF_M_TRAIN_BOTTLENECK, job);
            if (m && m->text)
                fprintf(f, "           held back longest by: %s\n", m->text);
        }
    }
    double during = af_results_value(r, AF_M_TRAIN_UTIL_BURSTS, job, -1);
    double floor = af_results_value(r, AF_M_TRAIN_FLOOR_UTIL, job, -1);
    if (during >= 0 && floor >= 0)
        fprintf(f, "  during bursts: GPUs busy %s; the QoS weights guarantee at least %s\n",
                text_q(&q, during, AF_DIM_RATIO), text_q(&q, floor, AF_DIM_RATIO));
}

static void text_burst_verdict(const af_results *r, const char *name, FILE *f)
{
    double slow = af_results_value(r, AF_M_BURST_SLOWDOWN, name, -1);
    double bound = af_results_value(r, AF_M_BURST_SLOWDOWN_BOUND, name, -1);
    double skipped = af_results_value(r, AF_M_BURST_SKIPPED, name, 0);
    double rejected = af_results_value(r, AF_M_BURST_REJECTED, name, 0);
    double completed = af_results_value(r, AF_M_BURST_COMPLETED, name, -1);
    text_fmt q = {.next = 0};
    /* The same form as the slowdown lines below it. */
    if (completed == 0)
        fprintf(f, "  verdict: no burst completed in the simulated time\n");
    else if (slow < 0)
        fprintf(f, "  verdict: bursts completed too fast to measure a slowdown\n");
    else if (bound >= 0)
        fprintf(f,
                "  verdict: bursts took %s of their time alone; the QoS weights allow at most %s\n",
                text_q(&q, slow, AF_DIM_RATIO), text_q(&q, bound, AF_DIM_RATIO));
    else
        fprintf(f,
                "  verdict: bursts took %s of their time alone; their QoS weight guarantees them "
                "no measurable rate\n",
                text_q(&q, slow, AF_DIM_RATIO));
    if (skipped > 0)
        fprintf(f, "           %.0f bursts skipped: the previous one was still running\n", skipped);
    if (rejected > 0)
        fprintf(f, "           %s refused: the tier was full\n", text_q(&q, rejected, AF_DIM_SIZE));
}

static void text_lookup_verdict(const af_results *r, const char *name, FILE *f)
{
    double p99 = af_results_value(r, AF_M_LOOKUP_P99, name, -1);
    double slo = af_results_value(r, AF_M_LOOKUP_SLO, name, -1);
    double unserved = af_results_value(r, AF_M_LOOKUP_UNSERVED, name, 0);
    text_fmt q = {.next = 0};
    bool said = true;
    if (p99 >= 0 && slo > 0)
        fprintf(f, "  verdict: p99 latency %s %s the %s objective\n", text_q(&q, p99, AF_DIM_TIME),
                p99 <= slo ? "meets" : "MISSES", text_q(&q, slo, AF_DIM_TIME));
    else if (p99 < 0 && slo > 0)
        fprintf(f, "  verdict: no look-up was answered; the %s objective is MISSED\n",
                text_q(&q, slo, AF_DIM_TIME));
    else
        said = false;
    if (unserved > 0)
        fprintf(f, "  %s for %s of the run bulk traffic left look-ups no device time\n",
                said ? "        " : "verdict:", text_q(&q, unserved, AF_DIM_RATIO));
}

static void text_infer_verdict(const af_results *r, const char *name, FILE *f)
{
    double slo = af_results_value(r, AF_M_INFER_SLO, name, -1);
    double met = af_results_value(r, AF_M_INFER_SLO_MET, name, -1);
    double p99 = af_results_value(r, AF_M_INFER_P99, name, -1);
    double calm = af_results_value(r, AF_M_INFER_P99_CALM, name, -1);
    double writes = af_results_value(r, AF_M_INFER_P99_WRITES, name, -1);
    double rejected = af_results_value(r, AF_M_INFER_REJECTED, name, 0);
    double arrived = af_results_value(r, AF_M_INFER_ARRIVED, name, 0);
    text_fmt q = {.next = 0};
    double ttft_slo = af_results_value(r, AF_M_INFER_TTFT_SLO, name, -1);
    double tpot_slo = af_results_value(r, AF_M_INFER_TPOT_SLO, name, -1);
    if ((ttft_slo > 0 || tpot_slo > 0) && met >= 0) {
        double ttft = af_results_value(r, AF_M_INFER_TTFT_P99, name, -1);
        double tpot = af_results_value(r, AF_M_INFER_TPOT_P99, name, -1);
        fprintf(f, "  verdict: %s of turns within the objectives", text_q(&q, met, AF_DIM_RATIO));
        if (ttft_slo > 0)
            fprintf(f, " (first token %s, p99 %s)", text_q(&q, ttft_slo, AF_DIM_TIME),
                    text_q(&q, ttft, AF_DIM_TIME));
        if (tpot_slo > 0)
            fprintf(f, " (per token %s, p99 %s)", text_q(&q, tpot_slo, AF_DIM_TIME),
                    text_q(&q, tpot, AF_DIM_TIME));
        fputc('\n', f);
    } else if (slo > 0 && met >= 0) {
        double qq = af_results_value(r, AF_M_INFER_SLO_QUANTILE, name, 0.99);
        double at = af_results_value(r, AF_M_INFER_SLO_LATENCY, name, p99);
        char qname[16];
        snprintf(qname, sizeof qname, "p%g", qq * 100);
        fprintf(f, "  verdict: %s latency %s %s the %s objective; %s of requests within it\n",
                qname, text_q(&q, at, AF_DIM_TIME), at <= slo ? "meets" : "MISSES",
                text_q(&q, slo, AF_DIM_TIME), text_q(&q, met, AF_DIM_RATIO));
    }
    else if (slo > 0)
        fprintf(f, "  verdict: no request was answered; the %s objective is MISSED\n",
                text_q(&q, slo, AF_DIM_TIME));
    else if (p99 >= 0)
        fprintf(f, "  verdict: p99 latency %s\n", text_q(&q, p99, AF_DIM_TIME));
    if (calm >= 0 && writes >= 0)
        fprintf(f, "           p99 %s while checkpoints or bursts wrote to the feature tier, %s "
                "otherwise\n",
                text_q(&q, writes, AF_DIM_TIME), text_q(&q, calm, AF_DIM_TIME));
    /* An LLM service's "reads" part is its turns' KV-cache reloads (workload/infer_llm.c). */
    bool llm = af_results_value(r, AF_M_INFER_TOKENS, name, -1) >= 0;
    static const struct {
        af_metric_id id;
        const char *what;
    } parts[] = {{AF_M_INFER_TAIL_READS, "feature reads"},
                 {AF_M_INFER_TAIL_GPU_QUEUE, "waiting for a replica"},
                 {AF_M_INFER_TAIL_BATCH_WAIT, "waiting for a batch to fill"},
                 {AF_M_INFER_TAIL_SERVICE, "GPU service"}};
    int best = -1;
    double bv = -1;
    for (int i = 0; i < 4; i++) {
        double v = af_results_value(r, parts[i].id, name, -1);
        if (v > bv) {
            bv = v;
            best = i;
        }
    }
    if (best >= 0 && bv > 0)
        fprintf(f, "           the slowest 1%% spent %s of their time on %s\n",
                text_q(&q, bv, AF_DIM_RATIO),
                llm && best == 0 ? "KV cache reloads" : parts[best].what);
    if (rejected > 0 && arrived > 0)
        fprintf(f, "           %s of arrivals REJECTED: the queue limit was reached\n",
                text_q(&q, rejected / arrived, AF_DIM_RATIO));
}

/* The kinds with a verdict, by one of their metrics. */
static const struct {
    af_metric_id any;
    void (*fn)(const af_results *r, const char *instance, FILE *f);
} text_verdicts[] = {
    {AF_M_TRAIN_GPUS, text_train_verdict},
    {AF_M_BURST_SIZE, text_burst_verdict},
    {AF_M_LOOKUP_REQUESTS, text_lookup_verdict},
    {AF_M_INFER_ARRIVED, text_infer_verdict},
};

/* Prints the verdict of the group of metric m (group prefix of length glen), if its kind has
 * one. */
static void text_verdict(const af_results *r, const af_metric *m, size_t glen, FILE *f)
{
    const af_metric_def *def = af_metric_of_name(m->name);
    if (!def || !def->instanced)
        return;
    size_t klen = strlen(def->group);
    char instance[300];
    snprintf(instance, sizeof instance, "%.*s", (int)(glen - klen - 1), m->name + klen + 1);
    for (size_t i = 0; i < sizeof text_verdicts / sizeof text_verdicts[0]; i++)
        if (strcmp(af_metric_get(text_verdicts[i].any)->group, def->group) == 0)
            text_verdicts[i].fn(r, instance, f);
}

void af_report_text(const af_results *r, const char *title, FILE *f)
{
    fprintf(f, "%s\n", title);
    const char *group = NULL;
    size_t glen = 0;
    for (size_t i = 0; i < af_results_count(r); i++) {
        const af_metric *m = af_results_get(r, i);
        size_t len = af_report_text_group_len(m->name);
        if (!group || len != glen || strncmp(group, m->name, len) != 0) {
            group = m->name;
            glen = len;
            fprintf(f, "\n%.*s\n", (int)glen, group);
            text_verdict(r, m, glen, f);
        }
        const char *label = m->label ? m->label : m->name + glen + 1;
        if (m->text) {
            fprintf(f, "  %-34s %s\n", label, m->text);
            continue;
        }
        char val[48];
        af_report_text_value(m->value, m->dim, val, sizeof val);
        fprintf(f, "  %-34s %14s\n", label, val);
    }
}
