/*
 * pdf_findings: the findings of the PDF report, in sentences built from a run's metrics
 * (af_report_findings) and from two runs' (af_report_compare_findings); see pdf.h.
 *
 * The findings mirror the verdicts of report/text.c (the same thresholds, bottleneck names and
 * objective test) in sentences for people who read no tables. Values are formatted as the
 * summary formats them (pdf_q), so a number in a sentence is the number the summary printed.
 */
#include "report/pdf.h"

#include "base/alloc.h"
#include "base/metrics.h"
#include "report/chart.h"
#include "report/pdf_int.h"
#include "report/text.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A wait below this share of the run is not worth a verdict (as report/text.c). */
#define PDF_MATERIAL_WAIT 1e-3
/* A loss of GPU time worth naming in the findings. */
#define PDF_MATERIAL_LOSS 5e-3

/* ---- Strings ----------------------------------------------------------------------------------
 */

/* A slowdown or any factor: "1.38 times". */
static const char *times(pdf_fmt *f, double x)
{
    char *b = f->buf[f->next++ % 16];
    snprintf(b, sizeof f->buf[0], "%.3g times", x);
    return b;
}

/* B / A - 1 as compare prints it ("+2.575%"), or NULL when A is 0. */
static const char *change(pdf_fmt *f, double a, double b)
{
    if (a == 0 || !isfinite(a) || !isfinite(b))
        return NULL;
    double r = (b - a) / a;
    char v[48];
    af_report_text_value(fabs(r), AF_DIM_RATIO, v, sizeof v);
    char *out = f->buf[f->next++ % 16];
    snprintf(out, sizeof f->buf[0], "%s%s", r > 0 ? "+" : r < 0 ? "-" : "", v);
    return out;
}

static void findings_add(af_findings *out, pdf_sbuf *b)
{
    if (!b->s || b->n == 0)
        return;
    out->s = af_realloc_array(out->s, out->n + 1, sizeof *out->s);
    out->s[out->n++] = pdf_sbtake(b);
}

void af_findings_free(af_findings *f)
{
    for (size_t i = 0; i < f->n; i++)
        af_free(f->s[i]);
    af_free(f->s);
    f->s = NULL;
    f->n = 0;
}
/* ---- Findings of one run ----------------------------------------------------------------------
 */

/* What each train.*.wait_* metric's bottleneck is called, as in report/text.c. */
static const struct {
    af_metric_id id;
    const char *what;
} pdf_holds[] = {
    {AF_M_TRAIN_WAIT_CLIENT, "the pool's storage NICs"},
    {AF_M_TRAIN_WAIT_FABRIC, "the fabric (leaf uplinks or spine)"},
    {AF_M_TRAIN_WAIT_SNIC, "the storage tier's NICs"},
    {AF_M_TRAIN_WAIT_DEVICES, "the storage tier's devices"},
    {AF_M_TRAIN_WAIT_READERS, "the data loader's reader threads"},
};

/* The bottleneck of a job's data wait and its share of the wait; NULL when none is recorded. */
static const char *job_hold(const af_results *r, const char *job, double *share)
{
    size_t best = 0;
    double most = -1, all = 0;
    for (size_t i = 0; i < sizeof pdf_holds / sizeof pdf_holds[0]; i++) {
        double v = af_results_value(r, pdf_holds[i].id, job, 0);
        all += v;
        if (v > most) {
            most = v;
            best = i;
        }
    }
    if (!(most > 0))
        return NULL;
    *share = all > 0 ? most / all : 0;
    return pdf_holds[best].what;
}

/* True when the job waited for data materially (the summary's data-bound verdict). */
static bool job_data_bound(const af_results *r, const char *job)
{
    double wait = af_results_value(r, AF_M_TRAIN_DATA_WAIT, job, 0);
    double demand = af_results_value(r, AF_M_TRAIN_DEMAND, job, -1);
    double got = af_results_value(r, AF_M_TRAIN_READ_RATE, job, -1);
    return wait >= PDF_MATERIAL_WAIT && demand > 0 && got >= 0;
}

/* "each GPU gets 479.4 MB/s of the 480 MB/s it needs (611.8 kB/s short); the bottleneck is the
 * storage tier's devices (100% of the wait; longest: tier hot devices)" */
static void job_wait_clause(const af_results *r, const char *job, pdf_fmt *f, pdf_sbuf *b)
{
    double demand = af_results_value(r, AF_M_TRAIN_DEMAND, job, -1);
    double got = af_results_value(r, AF_M_TRAIN_READ_RATE, job, -1);
    pdf_sbprintf(b, "each GPU gets %s of the %s it needs (%s short)",
                 pdf_q(f, got, AF_DIM_BANDWIDTH), pdf_q(f, demand, AF_DIM_BANDWIDTH),
                 pdf_q(f, demand > got ? demand - got : 0, AF_DIM_BANDWIDTH));
    double share = 0;
    const char *what = job_hold(r, job, &share);
    if (what) {
        pdf_sbprintf(b, "; the bottleneck is %s (%s of the wait", what,
                     pdf_q(f, share, AF_DIM_RATIO));
        const af_metric *m = af_results_lookup(r, AF_M_TRAIN_BOTTLENECK, job);
        if (m && m->text)
            pdf_sbprintf(b, "; longest: %s", m->text);
        pdf_sbprintf(b, ")");
    }
}

static void findings_job(const af_results *r, const char *job, af_findings *out)
{
    double util = af_results_value(r, AF_M_TRAIN_UTIL, job, -1);
    if (util < 0)
        return;
    pdf_fmt f = {.next = 0};
    pdf_sbuf b = {0};
    if (job_data_bound(r, job)) {
        pdf_sbprintf(&b, "Storage reads hold the %s job's GPU utilization to %s: ", job,
                     pdf_q(&f, util, AF_DIM_RATIO));
        job_wait_clause(r, job, &f, &b);
        pdf_sbprintf(&b, ".");
    } else {
        double gpus = af_results_value(r, AF_M_TRAIN_GPUS, job, 0);
        pdf_sbprintf(&b,
                     "The %s job's %.0f GPUs compute %s of the time; storage keeps up with them.",
                     job, gpus, pdf_q(&f, util, AF_DIM_RATIO));
    }
    static const struct {
        af_metric_id id;
        const char *what;
    } losses[] = {
        {AF_M_TRAIN_COMM, "exposed communication"},
        {AF_M_TRAIN_BUBBLE, "the pipeline bubble"},
        {AF_M_TRAIN_STRAGGLER, "waiting for the slowest node"},
        {AF_M_TRAIN_CKPT_STALL, "checkpoint stalls"},
        {AF_M_TRAIN_LOST, "work lost to failures"},
        {AF_M_TRAIN_DOWN, "restarts after failures"},
        {AF_M_TRAIN_RELOAD, "reading checkpoints back"},
        {AF_M_TRAIN_IDLE, "idling after its target"},
    };
    size_t nl = sizeof losses / sizeof losses[0], shown = 0, count = 0;
    for (size_t i = 0; i < nl; i++)
        count += af_results_value(r, losses[i].id, job, 0) >= PDF_MATERIAL_LOSS;
    for (size_t i = 0; i < nl; i++) {
        double v = af_results_value(r, losses[i].id, job, 0);
        if (v < PDF_MATERIAL_LOSS)
            continue;
        pdf_sbprintf(&b, "%s%s to %s",
                     shown == 0           ? " Its GPUs also lose "
                     : shown + 1 == count ? " and "
                                          : ", ",
                     pdf_q(&f, v, AF_DIM_RATIO), losses[i].what);
        shown++;
    }
    if (shown)
        pdf_sbprintf(&b, " of the run.");
    double during = af_results_value(r, AF_M_TRAIN_UTIL_BURSTS, job, -1);
    double floor = af_results_value(r, AF_M_TRAIN_FLOOR_UTIL, job, -1);
    if (during >= 0 && util - during >= PDF_MATERIAL_LOSS) {
        pdf_sbprintf(&b, " While bursts run they compute %s", pdf_q(&f, during, AF_DIM_RATIO));
        if (floor >= 0)
            pdf_sbprintf(&b, " (the QoS weights guarantee at least %s)",
                         pdf_q(&f, floor, AF_DIM_RATIO));
        pdf_sbprintf(&b, ".");
    }
    findings_add(out, &b);
}

static void findings_burst(const af_results *r, const char *name, af_findings *out)
{
    double slow = af_results_value(r, AF_M_BURST_SLOWDOWN, name, -1);
    double bound = af_results_value(r, AF_M_BURST_SLOWDOWN_BOUND, name, -1);
    double completed = af_results_value(r, AF_M_BURST_COMPLETED, name, -1);
    double skipped = af_results_value(r, AF_M_BURST_SKIPPED, name, 0);
    double rejected = af_results_value(r, AF_M_BURST_REJECTED, name, 0);
    double size = af_results_value(r, AF_M_BURST_SIZE, name, 0);
    double mean = af_results_value(r, AF_M_BURST_TIME_MEAN, name, -1);
    double alone = af_results_value(r, AF_M_BURST_TIME_ALONE, name, -1);
    pdf_fmt f = {.next = 0};
    pdf_sbuf b = {0};
    if (completed == 0) {
        pdf_sbprintf(&b, "No %s burst completed in the simulated time.", name);
    } else if (slow < 0) {
        pdf_sbprintf(&b, "The %s bursts complete too fast to measure a slowdown.", name);
    } else {
        pdf_sbprintf(&b, "Each %s burst (%s) takes %s its time alone", name,
                     pdf_q(&f, size, AF_DIM_SIZE), times(&f, slow));
        if (mean > 0 && alone > 0)
            pdf_sbprintf(&b, " (%s against %s)", pdf_q(&f, mean, AF_DIM_TIME),
                         pdf_q(&f, alone, AF_DIM_TIME));
        if (bound >= 0)
            pdf_sbprintf(&b, "; the QoS weights allow at most %s.", times(&f, bound));
        else
            pdf_sbprintf(&b, "; its QoS weight guarantees it no measurable rate.");
    }
    if (skipped > 0)
        pdf_sbprintf(&b, " %.0f bursts were skipped: the previous one was still running.", skipped);
    if (rejected > 0)
        pdf_sbprintf(&b, " %s were refused: the tier was full.", pdf_q(&f, rejected, AF_DIM_SIZE));
    findings_add(out, &b);
}

static void findings_lookup(const af_results *r, const char *name, af_findings *out)
{
    double p99 = af_results_value(r, AF_M_LOOKUP_P99, name, -1);
    double p50 = af_results_value(r, AF_M_LOOKUP_P50, name, -1);
    double p999 = af_results_value(r, AF_M_LOOKUP_P999, name, -1);
    double slo = af_results_value(r, AF_M_LOOKUP_SLO, name, -1);
    double rate = af_results_value(r, AF_M_LOOKUP_RATE, name, 0);
    double unserved = af_results_value(r, AF_M_LOOKUP_UNSERVED, name, 0);
    pdf_fmt f = {.next = 0};
    pdf_sbuf b = {0};
    if (p99 >= 0) {
        pdf_sbprintf(&b, "Look-ups %s: p99 latency %s", name, pdf_q(&f, p99, AF_DIM_TIME));
        if (slo > 0)
            pdf_sbprintf(&b, " %s the %s objective", p99 <= slo ? "meets" : "MISSES",
                         pdf_q(&f, slo, AF_DIM_TIME));
        pdf_sbprintf(&b, " (p50 %s, p99.9 %s; answering %s).", pdf_q(&f, p50, AF_DIM_TIME),
                     pdf_q(&f, p999, AF_DIM_TIME), pdf_q(&f, rate, AF_DIM_RATE));
    } else if (slo > 0) {
        pdf_sbprintf(&b, "No look-up of %s was answered; the %s objective is MISSED.", name,
                     pdf_q(&f, slo, AF_DIM_TIME));
    }
    if (unserved > 0)
        pdf_sbprintf(&b, "%sFor %s of the run bulk traffic left them no device time.",
                     b.n ? " " : "", pdf_q(&f, unserved, AF_DIM_RATIO));
    findings_add(out, &b);
}

static void findings_tier(const af_results *r, const char *tier, af_findings *out)
{
    double rd = af_results_value(r, AF_M_STORAGE_READ_RATE, tier, -1);
    if (rd < 0)
        return;
    double wr = af_results_value(r, AF_M_STORAGE_WRITE_RATE, tier, 0);
    double bw = af_results_value(r, AF_M_STORAGE_READ_BW, tier, -1);
    double nodes = af_results_value(r, AF_M_STORAGE_NODES, tier, 0);
    double devs = af_results_value(r, AF_M_STORAGE_DEVICES, tier, 0);
    double used = af_results_value(r, AF_M_STORAGE_USED, tier, -1);
    double usable = af_results_value(r, AF_M_STORAGE_USABLE, tier, -1);
    double rej = af_results_value(r, AF_M_STORAGE_REJECTED, tier, 0);
    pdf_fmt f = {.next = 0};
    pdf_sbuf b = {0};
    pdf_sbprintf(&b, "Tier %s (%.0f nodes, %.0f devices) reads %s", tier, nodes, devs,
                 pdf_q(&f, rd, AF_DIM_BANDWIDTH));
    if (bw > 0)
        pdf_sbprintf(&b, " against %s of streaming bandwidth (%s)", pdf_q(&f, bw, AF_DIM_BANDWIDTH),
                     pdf_q(&f, rd / bw, AF_DIM_RATIO));
    pdf_sbprintf(&b, " and writes %s", pdf_q(&f, wr, AF_DIM_BANDWIDTH));
    if (used >= 0 && usable > 0)
        pdf_sbprintf(&b, "; it stores %s of %s usable (%s)", pdf_q(&f, used, AF_DIM_SIZE),
                     pdf_q(&f, usable, AF_DIM_SIZE), pdf_q(&f, used / usable, AF_DIM_RATIO));
    pdf_sbprintf(&b, ".");
    if (rej > 0)
        pdf_sbprintf(&b, " %s of writes were refused: the tier was full.",
                     pdf_q(&f, rej, AF_DIM_SIZE));
    findings_add(out, &b);
}

static void findings_facility(const af_results *r, af_findings *out)
{
    double fac = af_results_value(r, AF_M_FACILITY_POWER, NULL, -1);
    pdf_fmt f = {.next = 0};
    pdf_sbuf b = {0};
    if (fac >= 0) {
        double it = af_results_value(r, AF_M_FACILITY_IT_POWER, NULL, 0);
        double gpu = af_results_value(r, AF_M_FACILITY_P_GPU, NULL, 0);
        double peak = af_results_value(r, AF_M_FACILITY_BUSY_POWER, NULL, 0);
        double e = af_results_value(r, AF_M_FACILITY_ENERGY, NULL, 0);
        double co2 = af_results_value(r, AF_M_FACILITY_CARBON, NULL, 0);
        double emb = af_results_value(r, AF_M_FACILITY_EMBODIED_RUN, NULL, -1);
        double racks = af_results_value(r, AF_M_FACILITY_RACKS, NULL, -1);
        pdf_sbprintf(
            &b,
            "The facility draws %s on average (IT power %s, of which the GPUs draw %s) and "
            "%s at peak; the run uses %s and emits %s",
            pdf_q(&f, fac, AF_DIM_POWER), pdf_q(&f, it, AF_DIM_POWER), pdf_q(&f, gpu, AF_DIM_POWER),
            pdf_q(&f, peak, AF_DIM_POWER), pdf_q(&f, e, AF_DIM_ENERGY),
            pdf_q(&f, co2, AF_DIM_CARBON));
        if (emb >= 0)
            pdf_sbprintf(&b, ", plus %s as its share of the equipment's embodied carbon",
                         pdf_q(&f, emb, AF_DIM_CARBON));
        pdf_sbprintf(&b, ".");
        if (racks >= 0)
            pdf_sbprintf(&b, " The equipment fills %.0f racks.", racks);
        findings_add(out, &b);
    }
    double cap = af_results_value(r, AF_M_FACILITY_CAP, NULL, -1);
    const af_metric *verdict = af_results_lookup(r, AF_M_FACILITY_CAP_VERDICT, NULL);
    if (cap > 0 && verdict && verdict->text) {
        double head = af_results_value(r, AF_M_FACILITY_CAP_HEADROOM, NULL, 0);
        double limit = af_results_value(r, AF_M_FACILITY_CAP_LIMIT, NULL, -1);
        double share = af_results_value(r, AF_M_FACILITY_CAP_SHARE, NULL, -1);
        if (strcmp(verdict->text, "holds") == 0) {
            pdf_sbprintf(&b, "The site's %s power cap holds, with %s of headroom at peak.",
                         pdf_q(&f, cap, AF_DIM_POWER), pdf_q(&f, head, AF_DIM_POWER));
        } else {
            pdf_sbprintf(&b, "The site's %s power cap is %s (%s over at peak)",
                         pdf_q(&f, cap, AF_DIM_POWER), verdict->text,
                         pdf_q(&f, -head, AF_DIM_POWER));
            if (limit > 0 && share >= 0)
                pdf_sbprintf(&b,
                             "; a GPU power limit of %s would fit it, leaving %s of the GPUs' "
                             "throughput",
                             pdf_q(&f, limit, AF_DIM_POWER), pdf_q(&f, share, AF_DIM_RATIO));
            pdf_sbprintf(&b, ".");
        }
        findings_add(out, &b);
    }
}

static void findings_cost(const af_results *r, af_findings *out)
{
    double total = af_results_value(r, AF_M_COST_TOTAL, NULL, -1);
    if (total < 0)
        return;
    pdf_fmt f = {.next = 0};
    pdf_sbuf b = {0};
    double ph = af_results_value(r, AF_M_COST_PER_HOUR, NULL, 0);
    double gh = af_results_value(r, AF_M_COST_PER_GPU_HOUR, NULL, -1);
    double mt = af_results_value(r, AF_M_COST_PER_MTOKEN, NULL, -1);
    double mr = af_results_value(r, AF_M_COST_PER_MREQUEST, NULL, -1);
    pdf_sbprintf(&b, "The run costs %s (%s per hour)", pdf_q(&f, total, AF_DIM_MONEY),
                 pdf_q(&f, ph, AF_DIM_MONEY));
    if (gh > 0)
        pdf_sbprintf(&b, ": %s per useful GPU-hour", pdf_q(&f, gh, AF_DIM_MONEY));
    if (mt > 0)
        pdf_sbprintf(&b, ", %s per million tokens", pdf_q(&f, mt, AF_DIM_MONEY));
    if (mr > 0)
        pdf_sbprintf(&b, ", %s per million requests", pdf_q(&f, mr, AF_DIM_MONEY));
    pdf_sbprintf(&b, ".");
    double tco = af_results_value(r, AF_M_COST_TCO, NULL, -1);
    if (tco > 0) {
        double life = af_results_value(r, AF_M_COST_LIFETIME, NULL, 0);
        double py = af_results_value(r, AF_M_COST_PER_YEAR, NULL, 0);
        double capital = af_results_value(r, AF_M_COST_TCO_CAPITAL, NULL, 0);
        pdf_sbprintf(&b, " Over %s the TCO is %s (%s per year), %s of it capital.",
                     pdf_q(&f, life, AF_DIM_TIME), pdf_q(&f, tco, AF_DIM_MONEY),
                     pdf_q(&f, py, AF_DIM_MONEY), pdf_q(&f, capital / tco, AF_DIM_RATIO));
    }
    findings_add(out, &b);
}

/* What the slowest 1% of a service's requests spent their time on (the tail_* metrics, as the
 * summary names them); an LLM turn's reads are its KV cache reloads. */
static const struct {
    af_metric_id id;
    const char *what, *what_llm;
} pdf_tail[] = {
    {AF_M_INFER_TAIL_READS, "on feature reads", "reloading KV caches"},
    {AF_M_INFER_TAIL_GPU_QUEUE, "waiting for a free replica", "waiting for a free replica"},
    {AF_M_INFER_TAIL_BATCH_WAIT, "waiting for a batch to fill", "waiting for a batch to fill"},
    {AF_M_INFER_TAIL_SERVICE, "in GPU service", "in GPU service"},
};

/* True when service name is an LLM service (it generated tokens). */
static bool infer_is_llm(const af_results *r, const char *name)
{
    return af_results_value(r, AF_M_INFER_TOKENS, name, -1) >= 0;
}

/* "p99" for the quantile 0.99 of a latency objective, "p99.9" for 0.999. */
static const char *infer_qname(pdf_fmt *f, double quantile)
{
    char *b = f->buf[f->next++ % 16];
    snprintf(b, sizeof f->buf[0], "p%g", quantile * 100);
    return b;
}

/* " p99 time to first token 213 ms meets the 500 ms objective": one LLM objective, when given. */
static bool infer_llm_objective(pdf_sbuf *b, pdf_fmt *f, double p99, double slo, const char *what,
                                bool said)
{
    if (!(slo > 0))
        return said;
    pdf_sbprintf(b, "%sp99 %s %s %s the %s objective", said ? " and " : "", what,
                 pdf_q(f, p99, AF_DIM_TIME), p99 >= 0 && p99 <= slo ? "meets" : "MISSES",
                 pdf_q(f, slo, AF_DIM_TIME));
    return true;
}

/* An LLM service's KV caches: where later turns found theirs, the prefill GPU time the reloads
 * saved, and what the storage tier served. */
static void findings_infer_kv(const af_results *r, const char *name, af_findings *out)
{
    double host = af_results_value(r, AF_M_INFER_KV_HIT_HOST, name, -1);
    double local = af_results_value(r, AF_M_INFER_KV_HIT_LOCAL, name, 0);
    double store = af_results_value(r, AF_M_INFER_KV_HIT_STORAGE, name, 0);
    double again = af_results_value(r, AF_M_INFER_KV_RECOMPUTED, name, 0);
    double saved = af_results_value(r, AF_M_INFER_PREFILL_SAVED, name, 0);
    double rd = af_results_value(r, AF_M_INFER_KV_READ_BYTES, name, -1);
    double wr = af_results_value(r, AF_M_INFER_KV_WRITE_BYTES, name, 0);
    double cap = af_results_value(r, AF_M_INFER_KV_STORAGE_CAP, name, 0);
    pdf_fmt f = {.next = 0};
    pdf_sbuf b = {0};
    if (host >= 0) {
        pdf_sbprintf(&b, "The %s service's later turns found their KV cache", name);
        const struct {
            double v;
            const char *where;
        } hits[] = {
            {host, "in host memory"}, {local, "on local NVMe"}, {store, "on the storage tier"}};
        bool any = false;
        for (size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
            if (!(hits[i].v > 0))
                continue;
            pdf_sbprintf(&b, "%s %s for %s", any ? "," : "", hits[i].where,
                         pdf_q(&f, hits[i].v, AF_DIM_RATIO));
            any = true;
        }
        if (!any)
            pdf_sbprintf(&b, " nowhere");
        pdf_sbprintf(&b, "; %s were prefilled again", pdf_q(&f, again, AF_DIM_RATIO));
        if (saved > 0)
            pdf_sbprintf(&b, ". The reloads saved %s of prefill GPU time",
                         pdf_q(&f, saved, AF_DIM_TIME));
        pdf_sbprintf(&b, ".");
    }
    if (rd >= 0) {
        pdf_sbprintf(&b,
                     "%sThe storage tier served %s of KV cache reloads and took %s of KV cache "
                     "writes",
                     b.n ? " " : "", pdf_q(&f, rd, AF_DIM_SIZE), pdf_q(&f, wr, AF_DIM_SIZE));
        if (cap > 0)
            pdf_sbprintf(&b, " into the %s set aside for it", pdf_q(&f, cap, AF_DIM_SIZE));
        pdf_sbprintf(&b, ".");
    }
    findings_add(out, &b);
}

/* A serving workload: its latency against its objective (an LLM service's time to first token
 * and per output token), with and without checkpoint writes on the tier it reads from, what its
 * slowest 1% waited for and the requests it turned away; then an LLM service's KV caches. */
static void findings_infer(const af_results *r, const char *name, af_findings *out)
{
    bool llm = infer_is_llm(r, name);
    const char *req = llm ? "turns" : "requests";
    double p50 = af_results_value(r, AF_M_INFER_P50, name, -1);
    double p99 = af_results_value(r, AF_M_INFER_P99, name, -1);
    double p999 = af_results_value(r, AF_M_INFER_P999, name, -1);
    double slo = af_results_value(r, AF_M_INFER_SLO, name, -1);
    double met = af_results_value(r, AF_M_INFER_SLO_MET, name, -1);
    double calm = af_results_value(r, AF_M_INFER_P99_CALM, name, -1);
    double writes = af_results_value(r, AF_M_INFER_P99_WRITES, name, -1);
    double replicas = af_results_value(r, AF_M_INFER_REPLICAS, name, 0);
    double util = af_results_value(r, AF_M_INFER_REPLICA_UTIL, name, 0);
    double rate = af_results_value(r, AF_M_INFER_THROUGHPUT, name, 0);
    double arrived = af_results_value(r, AF_M_INFER_ARRIVED, name, 0);
    double rejected = af_results_value(r, AF_M_INFER_REJECTED, name, 0);
    double ttft_slo = af_results_value(r, AF_M_INFER_TTFT_SLO, name, -1);
    double tpot_slo = af_results_value(r, AF_M_INFER_TPOT_SLO, name, -1);
    pdf_fmt f = {.next = 0};
    pdf_sbuf b = {0};
    pdf_sbprintf(&b, "%s %s (%.0f replica%s, %s busy, answering %s",
                 llm ? "LLM service" : "Service", name, replicas, replicas == 1 ? "" : "s",
                 pdf_q(&f, util, AF_DIM_RATIO), pdf_q(&f, rate, AF_DIM_RATE));
    if (llm)
        pdf_sbprintf(&b, ", generating %s output tokens",
                     pdf_q(&f, af_results_value(r, AF_M_INFER_TOKENS, name, 0), AF_DIM_RATE));
    pdf_sbprintf(&b, "): ");
    if (p99 < 0) {
        pdf_sbprintf(&b, "no %s was answered", llm ? "turn" : "request");
        int objectives = (slo > 0) + (ttft_slo > 0) + (tpot_slo > 0);
        if (objectives > 0)
            pdf_sbprintf(&b, "; %s MISSED",
                         objectives > 1 ? "its objectives are" : "its objective is");
        pdf_sbprintf(&b, ".");
    } else if (llm && (ttft_slo > 0 || tpot_slo > 0)) {
        bool said = infer_llm_objective(&b, &f, af_results_value(r, AF_M_INFER_TTFT_P99, name, -1),
                                        ttft_slo, "time to first token", false);
        infer_llm_objective(&b, &f, af_results_value(r, AF_M_INFER_TPOT_P99, name, -1), tpot_slo,
                            "time per output token", said);
        if (met >= 0)
            pdf_sbprintf(&b, "; %s of turns meet %s", pdf_q(&f, met, AF_DIM_RATIO),
                         ttft_slo > 0 && tpot_slo > 0 ? "both" : "it");
        pdf_sbprintf(&b, " (a whole turn's p50 %s, p99 %s).", pdf_q(&f, p50, AF_DIM_TIME),
                     pdf_q(&f, p99, AF_DIM_TIME));
    } else if (slo > 0) {
        double qq = af_results_value(r, AF_M_INFER_SLO_QUANTILE, name, 0.99);
        double at = af_results_value(r, AF_M_INFER_SLO_LATENCY, name, p99);
        pdf_sbprintf(&b, "%s latency %s %s the %s objective", infer_qname(&f, qq),
                     pdf_q(&f, at, AF_DIM_TIME), at <= slo ? "meets" : "MISSES",
                     pdf_q(&f, slo, AF_DIM_TIME));
        if (met >= 0)
            pdf_sbprintf(&b, "; %s of %s are answered within it", pdf_q(&f, met, AF_DIM_RATIO),
                         req);
        pdf_sbprintf(&b, " (p50 %s, p99 %s, p99.9 %s).", pdf_q(&f, p50, AF_DIM_TIME),
                     pdf_q(&f, p99, AF_DIM_TIME), pdf_q(&f, p999, AF_DIM_TIME));
    } else {
        pdf_sbprintf(&b, "p99 latency %s (p50 %s, p99.9 %s).", pdf_q(&f, p99, AF_DIM_TIME),
                     pdf_q(&f, p50, AF_DIM_TIME), pdf_q(&f, p999, AF_DIM_TIME));
    }
    if (calm >= 0 && writes >= 0) {
        pdf_sbprintf(&b,
                     " While checkpoints or bursts write to the tier it reads from, its p99 is %s",
                     pdf_q(&f, writes, AF_DIM_TIME));
        double qq = af_results_value(r, AF_M_INFER_SLO_QUANTILE, name, 0.99);
        if (!llm && slo > 0 && qq == 0.99)
            pdf_sbprintf(&b, " (%s the objective)", writes <= slo ? "within" : "OVER");
        pdf_sbprintf(&b, ", against %s otherwise.", pdf_q(&f, calm, AF_DIM_TIME));
    }
    size_t best = 0;
    double most = -1;
    for (size_t i = 0; i < sizeof pdf_tail / sizeof pdf_tail[0]; i++) {
        double v = af_results_value(r, pdf_tail[i].id, name, -1);
        if (v > most) {
            most = v;
            best = i;
        }
    }
    if (most > 0)
        pdf_sbprintf(&b, " The slowest 1%% of %s spend %s of their time %s.", req,
                     pdf_q(&f, most, AF_DIM_RATIO),
                     llm ? pdf_tail[best].what_llm : pdf_tail[best].what);
    if (rejected > 0 && arrived > 0)
        pdf_sbprintf(&b, " %.0f %s (%s of arrivals) were REJECTED: the queue limit was reached.",
                     rejected, req, pdf_q(&f, rejected / arrived, AF_DIM_RATIO));
    findings_add(out, &b);
    if (llm)
        findings_infer_kv(r, name, out);
}

void af_report_findings(const af_results *r, af_findings *out)
{
    out->s = NULL;
    out->n = 0;
    size_t n;
    char **inst = af_chart_instances(r, AF_M_TRAIN_GPUS, &n);
    for (size_t i = 0; i < n; i++)
        findings_job(r, inst[i], out);
    af_chart_instances_free(inst, n);
    inst = af_chart_instances(r, AF_M_BURST_SIZE, &n);
    for (size_t i = 0; i < n; i++)
        findings_burst(r, inst[i], out);
    af_chart_instances_free(inst, n);
    inst = af_chart_instances(r, AF_M_LOOKUP_REQUESTS, &n);
    for (size_t i = 0; i < n; i++)
        findings_lookup(r, inst[i], out);
    af_chart_instances_free(inst, n);
    inst = af_chart_instances(r, AF_M_INFER_ARRIVED, &n);
    for (size_t i = 0; i < n; i++)
        findings_infer(r, inst[i], out);
    af_chart_instances_free(inst, n);
    inst = af_chart_instances(r, AF_M_STORAGE_NODES, &n);
    for (size_t i = 0; i < n; i++)
        findings_tier(r, inst[i], out);
    af_chart_instances_free(inst, n);
    findings_facility(r, out);
    findings_cost(r, out);
}

/* ---- Findings of a comparison -----------------------------------------------------------------
 */

/* "X on A against Y on B (+2.5%)", or "X on both" when they print the same. */
static void vs(pdf_sbuf *b, pdf_fmt *f, double a, double bv, af_dim dim, const char *na,
               const char *nb)
{
    const char *sa = pdf_q(f, a, dim), *sbv = pdf_q(f, bv, dim);
    if (strcmp(sa, sbv) == 0) {
        pdf_sbprintf(b, "%s on both", sa);
        return;
    }
    pdf_sbprintf(b, "%s on %s against %s on %s", sa, na, sbv, nb);
    const char *c = dim == AF_DIM_RATIO ? NULL : change(f, a, bv);
    if (c)
        pdf_sbprintf(b, " (%s)", c);
}

/* Instances of metric id in both runs, a's order. */
static char **common_instances(const af_results *a, const af_results *b, af_metric_id id, size_t *n)
{
    size_t na, nb;
    char **ia = af_chart_instances(a, id, &na);
    char **ib = af_chart_instances(b, id, &nb);
    char **out = NULL;
    *n = 0;
    for (size_t i = 0; i < na; i++) {
        bool both = false;
        for (size_t k = 0; k < nb && !both; k++)
            both = strcmp(ia[i], ib[k]) == 0;
        if (both) {
            out = af_realloc_array(out, *n + 1, sizeof *out);
            out[(*n)++] = af_strdup(ia[i]);
        }
    }
    af_chart_instances_free(ia, na);
    af_chart_instances_free(ib, nb);
    return out;
}

/* "The recsys service's p99 latency is 6.591 ms on A (meets the 50 ms objective) and 7.2 ms on B
 * (meets it)": one latency of both runs against its objective in each (slo_a, slo_b; <= 0: none).
 */
static void vs_objective(pdf_sbuf *s, pdf_fmt *f, double va, double vb, double slo_a, double slo_b,
                         const char *na, const char *nb)
{
    pdf_sbprintf(s, "%s on %s", pdf_q(f, va, AF_DIM_TIME), na);
    if (slo_a > 0)
        pdf_sbprintf(s, " (%s the %s objective)", va <= slo_a ? "meets" : "MISSES",
                     pdf_q(f, slo_a, AF_DIM_TIME));
    pdf_sbprintf(s, " and %s on %s", pdf_q(f, vb, AF_DIM_TIME), nb);
    if (slo_b > 0)
        pdf_sbprintf(s, " (%s %s)", vb <= slo_b ? "meets" : "MISSES",
                     slo_b == slo_a ? "it" : pdf_q(f, slo_b, AF_DIM_TIME));
}

/* A serving workload of both runs: its latency at its objective's quantile (an LLM service's
 * p99 times to first token and per output token) against the objective, its p99 during
 * checkpoint writes, and the requests each run rejected. */
static void compare_infer(const af_results *a, const af_results *b, const char *name,
                          const char *na, const char *nb, af_findings *out)
{
    pdf_fmt f = {.next = 0};
    pdf_sbuf s = {0};
    if (infer_is_llm(a, name) && infer_is_llm(b, name)) {
        static const struct {
            af_metric_id v, slo;
            const char *what;
        } llm[] = {{AF_M_INFER_TTFT_P99, AF_M_INFER_TTFT_SLO, "p99 time to first token"},
                   {AF_M_INFER_TPOT_P99, AF_M_INFER_TPOT_SLO, "p99 time per output token"}};
        for (size_t k = 0; k < sizeof llm / sizeof llm[0]; k++) {
            double va = af_results_value(a, llm[k].v, name, -1);
            double vb = af_results_value(b, llm[k].v, name, -1);
            if (va < 0 || vb < 0)
                continue;
            if (s.n)
                pdf_sbprintf(&s, "; its %s is ", llm[k].what);
            else
                pdf_sbprintf(&s, "The %s service's %s is ", name, llm[k].what);
            vs_objective(&s, &f, va, vb, af_results_value(a, llm[k].slo, name, -1),
                         af_results_value(b, llm[k].slo, name, -1), na, nb);
        }
    } else {
        double qa = af_results_value(a, AF_M_INFER_SLO_QUANTILE, name, 0.99);
        double qb = af_results_value(b, AF_M_INFER_SLO_QUANTILE, name, 0.99);
        double slo_a = af_results_value(a, AF_M_INFER_SLO, name, -1);
        double slo_b = af_results_value(b, AF_M_INFER_SLO, name, -1);
        bool at = qa == qb && slo_a > 0 && slo_b > 0;
        double p99a = af_results_value(a, AF_M_INFER_P99, name, -1);
        double p99b = af_results_value(b, AF_M_INFER_P99, name, -1);
        double va = at ? af_results_value(a, AF_M_INFER_SLO_LATENCY, name, p99a) : p99a;
        double vb = at ? af_results_value(b, AF_M_INFER_SLO_LATENCY, name, p99b) : p99b;
        if (va >= 0 && vb >= 0) {
            pdf_sbprintf(&s, "The %s service's p%g latency is ", name, (at ? qa : 0.99) * 100);
            vs_objective(&s, &f, va, vb, at || qa == 0.99 ? slo_a : -1,
                         at || qb == 0.99 ? slo_b : -1, na, nb);
            double wa = af_results_value(a, AF_M_INFER_P99_WRITES, name, -1);
            double wb = af_results_value(b, AF_M_INFER_P99_WRITES, name, -1);
            if (wa >= 0 && wb >= 0) {
                pdf_sbprintf(&s, "; its p99 during checkpoint writes is ");
                vs(&s, &f, wa, wb, AF_DIM_TIME, na, nb);
            }
        }
    }
    if (s.n) {
        double ra = af_results_value(a, AF_M_INFER_REJECTED, name, 0);
        double rb = af_results_value(b, AF_M_INFER_REJECTED, name, 0);
        if (ra > 0 || rb > 0)
            pdf_sbprintf(&s, "; it rejects %.0f requests on %s and %.0f on %s", ra, na, rb, nb);
        pdf_sbprintf(&s, ".");
    }
    findings_add(out, &s);
}

void af_report_compare_findings(const af_results *a, const af_results *b, const char *na,
                                const char *nb, af_findings *out)
{
    out->s = NULL;
    out->n = 0;
    pdf_fmt f = {.next = 0};
    pdf_sbuf s = {0};
    size_t n;
    char **inst = common_instances(a, b, AF_M_TRAIN_GPUS, &n);
    for (size_t i = 0; i < n; i++) {
        const char *job = inst[i];
        double ua = af_results_value(a, AF_M_TRAIN_UTIL, job, 0);
        double ub = af_results_value(b, AF_M_TRAIN_UTIL, job, 0);
        pdf_sbprintf(&s, "GPU utilization of the %s job: ", job);
        vs(&s, &f, ua, ub, AF_DIM_RATIO, na, nb);
        const af_results *side[2] = {a, b};
        const char *names[2] = {na, nb};
        bool said = false;
        for (int k = 0; k < 2; k++) {
            if (!job_data_bound(side[k], job))
                continue;
            pdf_sbprintf(&s, "%s on %s ", said ? "; and" : ";", names[k]);
            job_wait_clause(side[k], job, &f, &s);
            said = true;
        }
        pdf_sbprintf(&s, ".");
        findings_add(out, &s);
    }
    af_chart_instances_free(inst, n);
    inst = common_instances(a, b, AF_M_BURST_SIZE, &n);
    for (size_t i = 0; i < n; i++) {
        double sa = af_results_value(a, AF_M_BURST_SLOWDOWN, inst[i], -1);
        double sbv = af_results_value(b, AF_M_BURST_SLOWDOWN, inst[i], -1);
        if (sa < 0 || sbv < 0)
            continue;
        pdf_sbprintf(&s, "Each %s burst takes %s its time alone on %s and %s on %s.", inst[i],
                     times(&f, sa), na, times(&f, sbv), nb);
        findings_add(out, &s);
    }
    af_chart_instances_free(inst, n);
    inst = common_instances(a, b, AF_M_LOOKUP_REQUESTS, &n);
    for (size_t i = 0; i < n; i++) {
        const char *st = inst[i];
        double pa = af_results_value(a, AF_M_LOOKUP_P99, st, -1);
        double pb = af_results_value(b, AF_M_LOOKUP_P99, st, -1);
        double sla = af_results_value(a, AF_M_LOOKUP_SLO, st, -1);
        double slb = af_results_value(b, AF_M_LOOKUP_SLO, st, -1);
        if (pa < 0 || pb < 0)
            continue;
        pdf_sbprintf(&s, "The %s look-ups' p99 latency is %s on %s", st, pdf_q(&f, pa, AF_DIM_TIME),
                     na);
        if (sla > 0)
            pdf_sbprintf(&s, " (%s the %s objective)", pa <= sla ? "meets" : "MISSES",
                         pdf_q(&f, sla, AF_DIM_TIME));
        pdf_sbprintf(&s, " and %s on %s", pdf_q(&f, pb, AF_DIM_TIME), nb);
        if (slb > 0)
            pdf_sbprintf(&s, " (%s %s)", pb <= slb ? "meets" : "MISSES",
                         slb == sla ? "it" : pdf_q(&f, slb, AF_DIM_TIME));
        pdf_sbprintf(&s, ".");
        findings_add(out, &s);
    }
    af_chart_instances_free(inst, n);
    inst = common_instances(a, b, AF_M_INFER_ARRIVED, &n);
    for (size_t i = 0; i < n; i++)
        compare_infer(a, b, inst[i], na, nb, out);
    af_chart_instances_free(inst, n);
    inst = common_instances(a, b, AF_M_STORAGE_NODES, &n);
    for (size_t i = 0; i < n; i++) {
        const char *t = inst[i];
        const af_results *side[2] = {a, b};
        const char *names[2] = {na, nb};
        pdf_sbprintf(&s, "Tier %s has", t);
        for (int k = 0; k < 2; k++)
            pdf_sbprintf(
                &s, "%s %.0f nodes (%.0f devices, %.0f U) drawing %s on %s", k ? ";" : "",
                af_results_value(side[k], AF_M_STORAGE_NODES, t, 0),
                af_results_value(side[k], AF_M_STORAGE_DEVICES, t, 0),
                af_results_value(side[k], AF_M_STORAGE_UNITS, t, 0),
                pdf_q(&f, af_results_value(side[k], AF_M_STORAGE_POWER, t, 0), AF_DIM_POWER),
                names[k]);
        pdf_sbprintf(&s, ".");
        findings_add(out, &s);
    }
    af_chart_instances_free(inst, n);
    struct {
        af_metric_id id;
        const char *what;
        af_metric_id id2;
        const char *what2;
    } pairs[] = {
        {AF_M_FACILITY_POWER, "Facility power:", AF_M_FACILITY_ENERGY, "energy"},
        {AF_M_FACILITY_RACKS, "Racks:", AF_M_COST_PURCHASE, "purchase price"},
        {AF_M_COST_PER_GPU_HOUR, "Cost per useful GPU-hour:", AF_M_COST_TCO,
         "TCO over the lifetime"},
        {AF_M_FACILITY_EMBODIED, "Embodied carbon:", AF_M_COST_LIFE_CARBON,
         "carbon over the lifetime (energy and embodied)"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const af_metric *ma = af_results_lookup(a, pairs[i].id, NULL);
        const af_metric *mb = af_results_lookup(b, pairs[i].id, NULL);
        if (!ma || !mb || ma->text || mb->text)
            continue;
        pdf_sbprintf(&s, "%s ", pairs[i].what);
        vs(&s, &f, ma->value, mb->value, ma->dim, na, nb);
        const af_metric *ma2 = af_results_lookup(a, pairs[i].id2, NULL);
        const af_metric *mb2 = af_results_lookup(b, pairs[i].id2, NULL);
        if (ma2 && mb2 && !ma2->text && !mb2->text) {
            pdf_sbprintf(&s, "; %s ", pairs[i].what2);
            vs(&s, &f, ma2->value, mb2->value, ma2->dim, na, nb);
        }
        pdf_sbprintf(&s, ".");
        findings_add(out, &s);
    }
    const af_metric *va = af_results_lookup(a, AF_M_FACILITY_CAP_VERDICT, NULL);
    const af_metric *vb = af_results_lookup(b, AF_M_FACILITY_CAP_VERDICT, NULL);
    if ((va && va->text) || (vb && vb->text)) {
        pdf_sbprintf(&s, "The site power cap %s on %s and %s on %s.",
                     va && va->text ? va->text : "is not set", na,
                     vb && vb->text ? vb->text : "is not set", nb);
        findings_add(out, &s);
    }
}
