/*
 * fuzz_world: structure-aware harness for the whole pipeline: the input bytes choose a valid
 * scenario, written as YAML text and read by the real loader (parse, catalog look-ups, checks),
 * whose world is built (af_world_check), run (af_world_run) and reported; then the results are
 * checked against what must hold of every run.
 *
 * The generator. The bytes are read front to back as choices (an exhausted input reads as
 * zeros, which choose the smallest scenario: one pool, one tier, one training job). It writes
 * pools of catalog nodes with overrides (GPU and NIC swaps or figures, counts), storage tiers
 * with overrides, caches, drains and reserves, fabrics (storage and backend, fat-tree and rail,
 * oversubscription, levels), and workloads of every kind: training jobs (given or derived step
 * time, precision, QoS weight, data sets with sample spread, samples per file, files, reader
 * threads, prefetch; and, each one time in three, a target of steps, a checkpoint and failures),
 * bursts (reads and writes, pool or outside clients, keep, start, every, op size, weight) and
 * look-up streams (rate, size, SLO). A checkpoint goes to any tier, every a time, a number of
 * steps or auto, sync or async, sized directly or per parameter of the job's model (mostly so
 * that its write takes 1e-5 to 5% of the run), with writers, keep and weight; failures have a
 * GPU and/or a node MTBF (mostly such that the job's MTBF is 1e-3 to 10 times the run, down to
 * many failures per step; else from the span of published figures), exponential or Weibull
 * (shapes across [0.1, 20]), detection, restart, spares with repair, and 1 to 8 named causes.
 * These three are chosen after every other choice of the input and spliced into their jobs, so
 * that an input written before them (the seeds of tests/fuzz/corpus/world/) chooses the same
 * scenario plus, from its trailing bytes, a target, checkpoints or failures; "the run" they are
 * sized to is the duration as the other workloads' events cut it. Inference services come after
 * these and the power limits, each on a pool of its own (see "serving" below), with events of
 * their own added to max_events. Each figure is usually
 * log-uniform in
 * a typical span and sometimes log-uniform over its whole documented range or one of its ends
 * (scenario.h: weights (0, 1e6], reserves [0, 0.9], ...; DBL_MIN stands for an open zero end,
 * being the smallest positive number the units parser reads). Choices that depend on each other
 * follow the loader's rules (one job per pool, one cache per tier, FP8 only on a GPU with FP8,
 * sample size at most the data set, fabric membership), so the loader must accept every
 * scenario; one it refuses is reported as a broken invariant. To keep runs cheap and also make
 * them long enough to matter, the generator keeps its own copy of each pool's node and each
 * tier's system (catalog entry plus its overrides): data sets mostly fit their tiers, look-up
 * rates are mostly below what the tier can serve, burst sizes scale with the tier's bandwidth,
 * and the duration is cut so that the events af_world_check counts stay near a small budget
 * (max_events, at most AF_FW_MAX_BUDGET). A run that exhausts its budget ends with AF_EIO, a
 * legal outcome.
 *
 * What must hold (a broken promise prints the scenario and traps, so libFuzzer saves the input):
 * - the loader accepts the scenario and its configuration keeps scenario.h's promises;
 * - af_world_check and af_world_run agree when the check refuses (same code, AF_EINPUT or
 *   AF_EIO, with a message); once the check passes, the run returns AF_OK, or AF_EIO with a
 *   message (the event budget), and nothing else;
 * - every metric: a unique name found by af_results_find, finite and >= 0 (text metrics carry
 *   NaN), and every ratio but a slowdown in [0, 1];
 * - the run executed at most max_events events;
 * - per training job: computing + waiting for data + checkpoint stalls + lost work + restarts +
 *   reloads + idle = 1 (the last five are reported only for jobs with a checkpoint, failures or
 *   a target of steps, and read as 0 otherwise; each must be 0 without its cause), the "waits
 *   held by" shares add up to the data wait, the completed steps (net of those redone) fit in the
 *   computing time, and the samples per second are the steps' samples over the duration; a
 *   resource that held the job waiting was busy at least as long (the pool's NICs, the NICs and
 *   devices of its tier and cache);
 * - per job with a target: steps <= target; once reached (time_to_target <= duration), the
 *   steps are the target and idle = (duration - time_to_target) / duration; the effective
 *   training time is the computing time over the time to the target (or the duration);
 * - per job with failures: failures.<job>.count = the sum of failure.<job>.<cause>.count (each
 *   cause named, or "gpu"/"node", reported); down time <= failures x (detect + restart +
 *   repair); steps redone x step time <= lost work; no failure, no lost work, restart, reload
 *   or redone step;
 * - per job with a checkpoint: size as configured; reads <= failures, and a read needs a
 *   durable write; written x mean write time <= duration, and <= the checkpoint stall when
 *   synchronous (the GPUs stall through each write); reads x mean read time <= the reload time;
 *   the interval is the given one in whole steps (every_steps, or every rounded to steps, at
 *   least one), or for auto none (0) or at least a step; no checkpoint, no stall or reload;
 * - per burst: completed <= started, moved + rejected <= (started + refused) x size and >=
 *   completed x size, drains completed + dropped <= drains started, mean duration <= longest;
 * - per look-up stream: p50 <= p99 <= p99.9 and the rate is the requests over the duration;
 * - per inference service (af_fw_check_serving): arrived = served + rejected + in flight, the
 *   throughput is served over the duration, the replicas busy [0, 1] and their GPUs the pool's
 *   utilization, latency quantiles in order (to a histogram bin), the latency's parts add up to
 *   its mean and the tail's shares to 1, objective attainment in [0, 1]; LLM: a token per turn
 *   served at least, TTFT below the latency, the KV outcomes add up to 1; a scenario written to
 *   be refused (a replica larger than its pool, more default replicas than a million, feature
 *   reads beyond the tier at the peak rate, a turn beyond the replica's KV cache) is refused
 *   with a message naming the field;
 * - per tier: rates are bytes over the duration, used <= peak <= usable capacity, used >= its
 *   data sets + the checkpoint copies kept on it (min(written, keep) of each job, all with keep
 *   0), devices reading + writing <= 1; per tier and its cache together: bytes read from the
 *   devices >= bytes delivered to the GPUs + bytes moved by read bursts, bytes written >= bytes
 *   moved by write bursts + durable checkpoints written x their size. Checkpoint traffic is in
 *   the tiers' bytes, but these stay inequalities: the metrics tell neither the bytes of writes
 *   abandoned at a failure or in flight at the end, nor how many reloads completed (a failure
 *   cuts one short), so checkpoint reads only add to the bytes read (as cache fills and drains
 *   add to those written);
 * - pools and facility: energy = power x duration, a pool's utilization is its job's, the IT
 *   power is the pools', tiers' and fabrics' sum, the facility power at least the IT power;
 * - costs: capital + energy + space = total, per hour = total / duration, per useful GPU-hour =
 *   total / (the jobs' computing GPU-seconds and the services' busy GPU-seconds);
 * - the text report prints, and a second run of the same configuration gives the same results
 *   bit for bit.
 * Time ratios are counted in whole nanoseconds of a duration in seconds, so equalities of them
 * hold to 1e-9 plus one nanosecond over the duration.
 *
 * Regression inputs in YAML. An input whose first line is "# fuzz_world: yaml" is a scenario, not
 * choices: a finding of tests/fuzz/findings/ kept in tests/fuzz/regress/world/, which stays the
 * same scenario whatever the generator becomes. It is loaded (it may be refused: libFuzzer
 * mutates these inputs too) and, when it sets max_events within AF_FW_MAX_BUDGET (so that no
 * input runs for long), run and checked like a generated one.
 *
 * Environment: AIFSIM_FUZZ_PRINT=1 prints each generated scenario to standard output (to turn a
 * crashing input into a YAML file: AIFSIM_FUZZ_PRINT=1 world_random crash-file).
 * AIFSIM_FUZZ_AVOID=weights,lookups,tiny,nic,holds,arrivals narrows the generator and the
 * checks away from known issues, to find others: QoS weights within [1e-3, 1e3]; look-ups only
 * on tiers with a reserve of at least 1%; no figure at DBL_MIN (an open zero end reads as 1e-6
 * of the typical span's low end); "nic" skips the [0, 1] bound of NIC utilizations and "holds"
 * the check of the resources that held jobs waiting; "arrivals" gives a service a plain rate
 * where its daily profile or bursts would thin badly (see tests/fuzz/findings/). Left unset,
 * every documented range and every check is used. AIFSIM_FUZZ_STATS=1 prints at exit how
 * the runs ended (refused by the check, out of budget, completed), how often the check's event
 * estimate was low, how many of the completed runs' jobs failed, read a checkpoint back,
 * wrote one and reached their target, and how many of their services served, rejected, read
 * features or reloaded KV caches; =2 also why each refused run was refused and each low
 * estimate.
 */
#include "fuzz.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/metrics.h"
#include "base/results.h"
#include "base/trace.h"
#include "model/llm.h"
#include "model/node.h"
#include "model/reliability.h"
#include "model/storage.h"
#include "report/text.h"
#include "scenario/scenario.h"
#include "scenario/schema.h"
#include "workload/arrivals.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AF_FW_MAX_POOLS 12
#define AF_FW_MAX_TIERS 8
#define AF_FW_MAX_FABRICS 4
#define AF_FW_MAX_BURSTS 8
#define AF_FW_MAX_BUDGET 30000 /* max_events at most; keeps one execution near 0.1 s */
#define AF_FW_YEAR_S (365.0 * 86400)
/* Limits of scenario fields that no table holds (scenario.h). */
#define AF_FW_MAX_CONNECTS 16     /* pools and tiers one fabric connects */
#define AF_FW_MIN_DURATION_S 1e-6 /* duration in [1 us, 100 y] */
#define AF_FW_MIN_OP_B 1.0        /* a burst's op_size in [1 B, 1 TB] */
#define AF_FW_MIN_SIZE_B 1.0      /* burst and look-up sizes from 1 B */

/* ---- the input as a stream of choices ---------------------------------------------------- */

typedef struct af_fw_src {
    const uint8_t *p; /* next byte */
    size_t n;         /* bytes left; past the end every byte reads as 0 */
    unsigned wild;    /* how often a figure leaves its typical span, in 256ths */
    bool tame;        /* an open zero end reads as 1e-6 of the typical low, not DBL_MIN */
} af_fw_src;

static unsigned af_fw_u8(af_fw_src *s)
{
    if (s->n == 0)
        return 0;
    s->n--;
    return *s->p++;
}

/* A uniform number in [0, 1] from two bytes. */
static double af_fw_unit(af_fw_src *s)
{
    unsigned v = af_fw_u8(s) << 8;
    return (double)(v | af_fw_u8(s)) / 65535.0;
}

/* An index below n (n <= 256: one byte). */
static size_t af_fw_pick(af_fw_src *s, size_t n)
{
    return n ? af_fw_u8(s) % n : 0;
}

/* True one time in `in` (never on an exhausted input). */
static bool af_fw_maybe(af_fw_src *s, unsigned in)
{
    return af_fw_u8(s) % in == in - 1;
}

/* v, or DBL_MIN when it is below that but positive: the units parser refuses subnormal
 * numbers. */
static double af_fw_normal(double v)
{
    return v > 0 && v < DBL_MIN ? DBL_MIN : v;
}

/* Log-uniform in [lo, hi], 0 < lo <= hi. */
static double af_fw_logu(af_fw_src *s, double lo, double hi)
{
    double v = lo * pow(hi / lo, af_fw_unit(s));
    return af_fw_normal(v < lo ? lo : v > hi ? hi : v);
}

/* A figure of documented range [lo, hi] (lo excluded when open) with a typical span [tlo, thi]
 * inside it: log-uniform over the span, or (s->wild times in 256) log-uniform over the whole
 * range or one of its ends. An open (or zero) low end reads as DBL_MIN for the whole range and
 * as the extreme of an open range. */
static double af_fw_real(af_fw_src *s, double lo, double hi, bool open, double tlo, double thi)
{
    unsigned b = af_fw_u8(s);
    if (b < 256 - s->wild)
        return af_fw_logu(s, tlo, thi);
    double tiny = s->tame ? fmin(tlo * 1e-6, hi) : DBL_MIN;
    switch (b % 3) {
    case 0:
        return af_fw_logu(s, lo > 0 ? lo : tiny, hi);
    case 1:
        return hi;
    default:
        return open ? tiny : lo;
    }
}

/* Like af_fw_real for an integer field; a typical span from 0 reads as from 1, less 1. */
static double af_fw_int(af_fw_src *s, double lo, double hi, double tlo, double thi)
{
    double off = tlo < 1 ? 1 - tlo : 0;
    double v = round(af_fw_real(s, lo + off, hi + off, false, tlo + off, thi + off) - off);
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- the text written ---------------------------------------------------------------------- */

typedef struct af_fw_text {
    char *buf; /* NUL-terminated */
    size_t len, cap;
} af_fw_text;

static void af_fw_put(af_fw_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void af_fw_put(af_fw_text *t, const char *fmt, ...)
{
    if (!t->buf) { /* an empty text ({0}) gets its first buffer here */
        t->cap = 256;
        t->buf = malloc(t->cap);
        if (!t->buf)
            abort();
        t->buf[0] = '\0';
        t->len = 0;
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        t->cap = 2 * t->cap + (size_t)n + 1;
        t->buf = realloc(t->buf, t->cap);
        if (!t->buf)
            abort();
    }
}

/* ---- the generator ------------------------------------------------------------------------ */

/* What the generator knows of a pool: the node with the overrides it wrote. */
typedef struct af_fw_pool {
    af_node_spec node;
    double nodes;
    size_t at; /* where its power_limit is spliced: after its "nodes:" line */
    bool sfab, bfab; /* on a storage / a backend fabric */
} af_fw_pool;

/* What it knows of a tier. */
typedef struct af_fw_tier {
    af_storage_spec sys;
    double nodes;
    size_t cache_for, cached_by, drain_to; /* AF_WORLD_NONE when none */
    bool drained_into;                     /* another tier drains here */
    bool fab;                              /* on a fabric */
    bool lookup;                           /* has a look-up stream */
    double reserve;                        /* reserved share of device time */
    double free_B;                         /* usable capacity not given to data sets */
} af_fw_tier;

/* What it knows of a training job, for its steps, checkpoints and failures (chosen last). */
typedef struct af_fw_job {
    size_t pool;   /* its pool */
    size_t at;     /* offset in the text where its steps, checkpoint and failures go */
    double step_s; /* its compute time per step as the generator derived it (may be out of
                      range, or not finite, for the check to refuse) */
    double params; /* model.params, 0 when the step time is given */
    char *extra;   /* the fields chosen last (malloc'd), NULL when none */
} af_fw_job;

/* Generator flags from AIFSIM_FUZZ_AVOID. */
enum {
    AF_FW_AVOID_WEIGHTS = 1,
    AF_FW_AVOID_LOOKUPS = 2,
    AF_FW_AVOID_TINY = 4,
    AF_FW_AVOID_NIC = 8,
    AF_FW_AVOID_HOLDS = 16,
    AF_FW_AVOID_ARRIVALS = 32
};

typedef struct af_fw_gen {
    af_fw_src src;
    af_fw_text text;
    const af_catalog *cat;
    unsigned avoid;
    af_fw_pool pools[AF_FW_MAX_POOLS];
    size_t npools;
    af_fw_tier tiers[AF_FW_MAX_TIERS];
    size_t ntiers;
    af_fw_job jobs[AF_FW_MAX_POOLS]; /* one training job per pool at most */
    size_t njobs;
    double T0;           /* the duration aimed at, s */
    double events_per_s; /* events per simulated second, about as the check counts them */
    double budget;       /* max_events */
    /* the facility as written, for splicing a power cap: 0 absent, 1 a preset name (fac_val
     * where the name starts), 2 a mapping; fac_end where its line's text ends */
    int fac_kind;
    size_t fac_val, fac_end;
    double T;           /* the duration written, s */
    const char *refuse; /* the field the loader must refuse the scenario for, or NULL */
} af_fw_gen;

static unsigned af_fw_avoid_flags(void)
{
    const char *v = getenv("AIFSIM_FUZZ_AVOID");
    unsigned f = 0;
    if (v && strstr(v, "weights"))
        f |= AF_FW_AVOID_WEIGHTS;
    if (v && strstr(v, "lookups"))
        f |= AF_FW_AVOID_LOOKUPS;
    if (v && strstr(v, "tiny"))
        f |= AF_FW_AVOID_TINY;
    if (v && strstr(v, "nic"))
        f |= AF_FW_AVOID_NIC;
    if (v && strstr(v, "holds"))
        f |= AF_FW_AVOID_HOLDS;
    if (v && strstr(v, "arrivals"))
        f |= AF_FW_AVOID_ARRIVALS;
    return f;
}

/* A QoS weight: (0, 1e6]. */
static double af_fw_weight(af_fw_gen *g)
{
    if (g->avoid & AF_FW_AVOID_WEIGHTS)
        return af_fw_logu(&g->src, 1e-3, 1e3);
    return af_fw_real(&g->src, 0, 1e6, true, 0.01, 100);
}

/* Writes v, a value of dimension dim that must read back inside r, as text for the units parser
 * (SI units; prices per kWh and per hour), nudged inwards when the unit conversion would carry
 * it out of r or below the normal numbers; returns the value the parser reads back. */
static double af_fw_qty(af_fw_text *t, double v, af_dim dim, af_range r)
{
    char buf[64], err[256];
    double back = v;
    for (int i = 0; i < 16; i++) {
        switch (dim) {
        case AF_DIM_COUNT:
            snprintf(buf, sizeof buf, "%.0f", v);
            break;
        case AF_DIM_NUMBER:
        case AF_DIM_RATIO:
            snprintf(buf, sizeof buf, "%.17g", v);
            break;
        case AF_DIM_ENERGY_PRICE:
            snprintf(buf, sizeof buf, "%.17g USD/kWh", v * 3.6e6);
            break;
        case AF_DIM_HOURLY_PRICE:
            snprintf(buf, sizeof buf, "%.17g USD/h", v * 3600);
            break;
        case AF_DIM_RATE:
            snprintf(buf, sizeof buf, "%.17g/s", v);
            break;
        default:
            snprintf(buf, sizeof buf, "%.17g %s", v, af_units_si(dim));
            break;
        }
        if (af_units_parse(buf, dim, &back, err, sizeof err) == 0 && back >= r.min &&
            back <= r.max && !(r.min_open && back == r.min))
            break;
        if (v < 1e-290)
            v = v > 0 ? v * 4 : 4 * DBL_MIN; /* a subnormal after the conversion */
        else
            v = nextafter(v, v > r.max / 2 ? -INFINITY : INFINITY);
    }
    af_fw_put(t, "%s", buf);
    return back;
}

/* The schema's entry for field `key` of section sec (the catalog and override fields). */
static const af_field *af_fw_schema(af_section sec, const char *key)
{
    const af_field *f = af_schema_field(af_schema_desc(sec), key);
    if (!f) {
        fprintf(stderr, "fuzz_world: the schema has no field %s.%s\n", af_schema_desc(sec)->key,
                key);
        abort();
    }
    return f;
}

/* Draws a value of catalog field `key` of section sec in its range (from the schema's table, so
 * that the generator follows its floors and ceilings), typically in [tlo, thi] (clamped into
 * the range), writes "<sep>key: VALUE" and returns the value the loader will read. */
static double af_fw_field(af_fw_gen *g, af_section sec, const char *key, double tlo, double thi,
                          const char *sep)
{
    const af_field *f = af_fw_schema(sec, key);
    af_range r = f->range;
    tlo = fmin(fmax(tlo, fmax(r.min, DBL_MIN)), r.max);
    thi = fmin(fmax(thi, tlo), r.max);
    double v = f->kind == AF_FIELD_INT ? af_fw_int(&g->src, r.min, r.max, tlo, thi)
                                       : af_fw_real(&g->src, r.min, r.max, r.min_open, tlo, thi);
    af_fw_put(&g->text, "%s%s: ", sep, key);
    return af_fw_qty(&g->text, v, f->dim, r);
}

/* A link: a catalog name (swap) or a rate override of the current one. */
static void af_fw_link(af_fw_gen *g, const char *key, af_link_spec *link)
{
    af_fw_src *s = &g->src;
    if (af_fw_maybe(s, 2)) {
        size_t n;
        const af_link_spec *all = af_catalog_links(g->cat, &n);
        *link = all[af_fw_pick(s, n)];
        af_fw_put(&g->text, "%s: %s", key, link->name);
    } else {
        af_fw_put(&g->text, "%s: {", key);
        link->rate_Bps = af_fw_field(g, AF_SECTION_LINKS, "rate", 1e8, 1e12, " ");
        af_fw_put(&g->text, " }");
    }
}

/* The override mapping of a pool, or nothing. */
static void af_fw_node_override(af_fw_gen *g, af_fw_pool *p)
{
    af_fw_src *s = &g->src;
    if (!af_fw_maybe(s, 3))
        return;
    af_fw_text *t = &g->text;
    af_fw_put(t, "    override: {");
    const char *sep = " ";
    if (af_fw_maybe(s, 2)) {
        p->node.gpus = (int)af_fw_field(g, AF_SECTION_NODES, "gpus", 1, 16, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 2)) {
        p->node.storage_nics = (int)af_fw_field(g, AF_SECTION_NODES, "storage_nics", 1, 8, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 2)) {
        af_fw_put(t, "%s", sep);
        af_fw_link(g, "storage_nic", &p->node.storage_nic);
        sep = ", ";
    }
    if (af_fw_maybe(s, 3)) {
        af_fw_put(t, "%s", sep);
        af_fw_link(g, "nic", &p->node.nic);
        sep = ", ";
    }
    if (af_fw_maybe(s, 3)) {
        p->node.nics = (int)af_fw_field(g, AF_SECTION_NODES, "nics", 1, 16, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 3)) {
        af_gpu_spec *gpu = &p->node.gpu;
        if (af_fw_maybe(s, 2)) {
            size_t n;
            const af_gpu_spec *all = af_catalog_gpus(g->cat, &n);
            *gpu = all[af_fw_pick(s, n)];
            af_fw_put(t, "%sgpu: %s", sep, gpu->name);
        } else {
            af_fw_put(t, "%sgpu: {", sep);
            gpu->bf16_flops = af_fw_field(g, AF_SECTION_GPUS, "bf16", 1e13, 1e16, " ");
            if (af_fw_maybe(s, 3)) {
                gpu->fp8_flops = 0;
                af_fw_put(t, ", fp8: 0 FLOP/s");
            } else {
                gpu->fp8_flops = af_fw_field(g, AF_SECTION_GPUS, "fp8", 1e13, 1e16, ", ");
            }
            gpu->tdp_W = af_fw_field(g, AF_SECTION_GPUS, "tdp", 100, 2000, ", ");
            /* idle_power at most tdp (an order of the schema) */
            af_fw_put(t, ", idle_power: ");
            gpu->idle_W = af_fw_qty(t, af_fw_normal(gpu->tdp_W * af_fw_unit(s)), AF_DIM_POWER,
                                    (af_range){0, gpu->tdp_W, false});
            af_fw_put(t, " }");
        }
        sep = ", ";
    }
    if (af_fw_maybe(s, 4)) {
        p->node.price_usd = af_fw_field(g, AF_SECTION_NODES, "price", 1e4, 1e6, sep);
        sep = ", ";
    }
    af_fw_put(t, " }\n");
}

/* The override mapping of a tier, or nothing. */
static void af_fw_storage_override(af_fw_gen *g, af_fw_tier *tr)
{
    af_fw_src *s = &g->src;
    if (!af_fw_maybe(s, 3))
        return;
    af_fw_text *t = &g->text;
    af_storage_spec *y = &tr->sys;
    af_fw_put(t, "    override: {");
    const char *sep = " ";
    if (af_fw_maybe(s, 2)) {
        y->devices = (int)af_fw_field(g, AF_SECTION_STORAGE, "devices", 1, 64, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 3)) {
        y->device_B = af_fw_field(g, AF_SECTION_STORAGE, "device_capacity", 1e11, 3e13, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 2)) {
        y->device_read_Bps = af_fw_field(g, AF_SECTION_STORAGE, "device_read", 1e8, 1.4e10, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 2)) {
        y->device_write_Bps = af_fw_field(g, AF_SECTION_STORAGE, "device_write", 1e8, 1.4e10, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 3)) {
        y->device_read_iops = af_fw_field(g, AF_SECTION_STORAGE, "device_read_iops", 100, 2e6, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 3)) {
        y->device_write_iops =
            af_fw_field(g, AF_SECTION_STORAGE, "device_write_iops", 100, 2e6, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 3)) {
        y->device_latency_s = af_fw_field(g, AF_SECTION_STORAGE, "device_latency", 1e-5, 1e-2, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 3)) {
        y->nics = (int)af_fw_field(g, AF_SECTION_STORAGE, "nics", 1, 8, sep);
        sep = ", ";
    }
    if (af_fw_maybe(s, 3)) {
        af_fw_put(t, "%s", sep);
        af_fw_link(g, "nic", &y->nic);
        sep = ", ";
    }
    if (af_fw_maybe(s, 4)) {
        y->usable_fraction = af_fw_field(g, AF_SECTION_STORAGE, "usable_fraction", 0.3, 1, sep);
        sep = ", ";
    }
    af_fw_put(t, " }\n");
}

static void af_fw_header(af_fw_gen *g)
{
    af_fw_src *s = &g->src;
    af_fw_text *t = &g->text;
    af_fw_put(t, "aifsim: 1\nname: fuzz-world\n");
    switch (af_fw_pick(s, 4)) {
    case 1:
        af_fw_put(t, "seed: %u\n", af_fw_u8(s));
        break;
    case 2:
        af_fw_put(t, "seed: 0\n");
        break;
    case 3:
        af_fw_put(t, "seed: 18446744073709551615\n");
        break;
    default:
        break;
    }
    g->budget = af_fw_maybe(s, 64) ? 1 : round(af_fw_logu(s, 10, AF_FW_MAX_BUDGET));
    af_fw_put(t, "max_events: %.0f\n", g->budget);
    /* The duration aimed at; the one written (last) may be shorter, to fit the budget. */
    g->T0 = af_fw_real(s, 0, 100 * AF_FW_YEAR_S, true, 1e-3, 3600);

    size_t nf;
    const af_facility_spec *fac = af_catalog_facilities(g->cat, &nf);
    const char *preset = fac[af_fw_pick(s, nf)].name;
    if (!af_fw_maybe(s, 3)) {
        if (af_fw_maybe(s, 2)) {
            af_fw_put(t, "facility: ");
            g->fac_kind = 1;
            g->fac_val = t->len;
            af_fw_put(t, "%s", preset);
            g->fac_end = t->len;
            af_fw_put(t, "\n");
        }
        return;
    }
    g->fac_kind = 2;
    af_fw_put(t, "facility: { preset: %s", preset);
    if (af_fw_maybe(s, 2))
        af_fw_field(g, AF_SECTION_FACILITY, "pue", 1, 2, ", ");
    if (af_fw_maybe(s, 2))
        af_fw_field(g, AF_SECTION_FACILITY, "energy_price", 0.01 / 3.6e6, 0.5 / 3.6e6, ", ");
    if (af_fw_maybe(s, 2))
        af_fw_field(g, AF_SECTION_FACILITY, "amortization", AF_FW_YEAR_S, 10 * AF_FW_YEAR_S, ", ");
    if (af_fw_maybe(s, 2))
        af_fw_field(g, AF_SECTION_FACILITY, "rack_power", 5e3, 1e5, ", ");
    if (af_fw_maybe(s, 2))
        af_fw_field(g, AF_SECTION_FACILITY, "rack_units", 10, 60, ", ");
    if (af_fw_maybe(s, 2))
        af_fw_field(g, AF_SECTION_FACILITY, "space_cost", 0.1 / 3600, 100 / 3600.0, ", ");
    af_fw_put(t, " }");
    g->fac_end = t->len;
    af_fw_put(t, "\n");
}

static void af_fw_cluster(af_fw_gen *g)
{
    af_fw_src *s = &g->src;
    size_t nn;
    const af_node_spec *nodes = af_catalog_nodes(g->cat, &nn);
    g->npools = 1 + af_fw_pick(s, AF_FW_MAX_POOLS);
    if (!af_fw_maybe(s, 4))
        g->npools = 1 + g->npools / 4;
    af_fw_put(&g->text, "cluster:\n");
    for (size_t i = 0; i < g->npools; i++) {
        af_fw_pool *p = &g->pools[i];
        p->node = nodes[af_fw_pick(s, nn)];
        p->nodes = af_fw_int(s, 1, 1e6, 1, 64);
        af_fw_put(&g->text, "  - pool: p%zu\n    node: %s\n    nodes: %.0f\n", i, p->node.name,
                  p->nodes);
        p->at = g->text.len;
        af_fw_node_override(g, p);
    }
}

/* Tier i may cache tier j: neither is a cache or cached, and they differ. */
static bool af_fw_can_cache(const af_fw_gen *g, size_t i, size_t j)
{
    const af_fw_tier *c = &g->tiers[i], *b = &g->tiers[j];
    return i != j && c->cache_for == AF_WORLD_NONE && c->cached_by == AF_WORLD_NONE &&
           b->cache_for == AF_WORLD_NONE && b->cached_by == AF_WORLD_NONE;
}

/* Tier i may drain to tier j: i has no drain and is no drain's target, j has no drain. */
static bool af_fw_can_drain(const af_fw_gen *g, size_t i, size_t j)
{
    const af_fw_tier *a = &g->tiers[i], *b = &g->tiers[j];
    return i != j && a->drain_to == AF_WORLD_NONE && !a->drained_into &&
           b->drain_to == AF_WORLD_NONE;
}

static void af_fw_storage(af_fw_gen *g)
{
    af_fw_src *s = &g->src;
    af_fw_text *t = &g->text;
    size_t ns;
    const af_storage_spec *sys = af_catalog_storage(g->cat, &ns);
    g->ntiers = 1 + af_fw_pick(s, AF_FW_MAX_TIERS);
    if (!af_fw_maybe(s, 4))
        g->ntiers = 1 + g->ntiers / 4;
    for (size_t i = 0; i < g->ntiers; i++) {
        af_fw_tier *tr = &g->tiers[i];
        tr->cache_for = tr->cached_by = tr->drain_to = AF_WORLD_NONE;
    }
    /* The links first: a cache or a drain constrains the tiers written before it too. */
    for (size_t i = 0; i < g->ntiers; i++) {
        if (g->ntiers > 1 && af_fw_maybe(s, 3)) {
            size_t j = af_fw_pick(s, g->ntiers);
            if (af_fw_can_cache(g, i, j)) {
                g->tiers[i].cache_for = j;
                g->tiers[j].cached_by = i;
            }
        }
        if (g->ntiers > 1 && af_fw_maybe(s, 3)) {
            size_t j = af_fw_pick(s, g->ntiers);
            if (af_fw_can_drain(g, i, j)) {
                g->tiers[i].drain_to = j;
                g->tiers[j].drained_into = true;
            }
        }
    }
    af_fw_put(t, "storage:\n");
    for (size_t i = 0; i < g->ntiers; i++) {
        af_fw_tier *tr = &g->tiers[i];
        tr->sys = sys[af_fw_pick(s, ns)];
        tr->nodes = af_fw_int(s, 1, 1e6, 1, 16);
        af_fw_put(t, "  - tier: t%zu\n    system: %s\n    nodes: %.0f\n", i, tr->sys.name,
                  tr->nodes);
        af_fw_storage_override(g, tr);
        tr->free_B = tr->nodes * af_storage_node_usable_B(&tr->sys);
        if (tr->cache_for != AF_WORLD_NONE)
            af_fw_put(t, "    cache: { for: t%zu, hit_ratio: %.17g }\n", tr->cache_for,
                      af_fw_maybe(s, 4) ? (double)af_fw_pick(s, 2) : af_fw_unit(s));
        if (tr->drain_to != AF_WORLD_NONE) {
            af_fw_put(t, "    drain: { to: t%zu", tr->drain_to);
            if (af_fw_maybe(s, 2))
                af_fw_put(t, ", weight: %.17g", af_fw_weight(g));
            af_fw_put(t, " }\n");
        }
        if (af_fw_maybe(s, 3)) {
            tr->reserve = af_fw_real(s, 0, 0.9, false, 0.01, 0.5);
            af_fw_put(t, "    reserve: %.17g\n", tr->reserve);
        }
    }
}

static void af_fw_fabrics(af_fw_gen *g)
{
    af_fw_src *s = &g->src;
    af_fw_text *t = &g->text;
    size_t nf = af_fw_maybe(s, 2) ? 1 + af_fw_pick(s, AF_FW_MAX_FABRICS) : 0;
    size_t nsw;
    const af_switch_spec *sw = af_catalog_switches(g->cat, &nsw);
    bool header = false;
    for (size_t f = 0; f < nf; f++) {
        char members[512];
        size_t len = 0, n = 0;
        members[0] = '\0';
        bool storage = af_fw_pick(s, 3) != 0;
        if (storage) {
            for (size_t i = 0; i < g->ntiers && n < AF_FW_MAX_CONNECTS; i++)
                if (!g->tiers[i].fab && (n == 0 || af_fw_maybe(s, 2))) {
                    g->tiers[i].fab = true;
                    len += (size_t)snprintf(members + len, sizeof members - len, "%st%zu",
                                            n++ ? ", " : "", i);
                }
            if (n == 0)
                continue;
        }
        size_t tiers = n;
        for (size_t i = 0; i < g->npools && n < AF_FW_MAX_CONNECTS; i++) {
            af_fw_pool *p = &g->pools[i];
            bool *on = storage ? &p->sfab : &p->bfab;
            if (!*on && af_fw_maybe(s, 2)) {
                *on = true;
                len += (size_t)snprintf(members + len, sizeof members - len, "%sp%zu",
                                        n++ ? ", " : "", i);
            }
        }
        if (n == tiers && !storage)
            continue;
        if (!header)
            af_fw_put(t, "fabric:\n");
        header = true;
        af_fw_put(t, "  - name: f%zu\n    switch: %s\n", f, sw[af_fw_pick(s, nsw)].name);
        switch (af_fw_pick(s, 3)) {
        case 1:
            af_fw_put(t, "    topology: fat-tree\n");
            break;
        case 2:
            af_fw_put(t, "    topology: rail\n");
            break;
        default:
            break;
        }
        if (af_fw_maybe(s, 2)) {
            double o = af_fw_real(s, 1, 64, false, 1, 8);
            af_fw_put(t,
                      af_fw_maybe(s, 2) ? "    oversubscription: \"%.17g:1\"\n"
                                        : "    oversubscription: %.17g\n",
                      o);
        }
        if (af_fw_maybe(s, 2))
            af_fw_put(t, "    levels: %zu\n", af_fw_pick(s, 4));
        af_fw_put(t, "    connects: [%s]\n", members);
    }
}

/* Writes one training job on pool i. */
static void af_fw_train(af_fw_gen *g, size_t i)
{
    af_fw_src *s = &g->src;
    af_fw_text *t = &g->text;
    af_fw_pool *p = &g->pools[i];
    af_fw_put(t, "  - train:\n");
    if (af_fw_maybe(s, 2))
        af_fw_put(t, "      name: j%zu\n", i);
    af_fw_put(t, "      pool: p%zu\n", i);
    bool fp8 = p->node.gpu.fp8_flops > 0 && af_fw_maybe(s, 2);
    double step_s, params = 0;
    if (af_fw_maybe(s, 3)) {
        params = af_fw_int(s, 1, 1e15, 1e8, 1e12);
        double tokens = af_fw_int(s, 1, 1e12, 1e5, 1e8);
        double mfu = af_fw_real(s, 0, 1, true, 0.1, 0.7);
        double peak = fp8 ? p->node.gpu.fp8_flops : p->node.gpu.bf16_flops;
        step_s = 6 * params * tokens / (p->nodes * p->node.gpus * peak * mfu);
        af_fw_put(t,
                  "      model: { params: %.0f }\n      tokens_per_step: %.0f\n"
                  "      mfu: %.17g\n",
                  params, tokens, mfu);
    } else {
        double hi = fmin(86400, g->T0);
        step_s = af_fw_real(s, 0, 86400, true, fmax(hi * 1e-4, 1e-6), fmax(hi, 1e-6));
        af_fw_put(t, "      step_time: %.17g s\n", step_s);
    }
    if (isfinite(step_s) && step_s >= 1e-9)
        g->events_per_s += 3 / step_s; /* the step's end, the fetch's start and end */
    if (fp8)
        af_fw_put(t, "      precision: fp8\n");
    else if (af_fw_maybe(s, 4))
        af_fw_put(t, "      precision: bf16\n");
    af_fw_put(t, "      batch_per_gpu: %.0f\n", af_fw_int(s, 1, 1e9, 1, 1024));
    if (af_fw_maybe(s, 2))
        af_fw_put(t, "      qos: { weight: %.17g }\n", af_fw_weight(g));

    size_t k = af_fw_pick(s, g->ntiers);
    af_fw_tier *tr = &g->tiers[k];
    af_fw_put(t, "      dataset:\n        tier: t%zu\n", k);
    double sample = af_fw_real(s, 1e-6, 1e12, false, 1e3, 1e8); /* scenario(5): [1e-6 B, 1 TB] */
    double size;
    if (af_fw_maybe(s, 8))
        size = af_fw_real(s, sample, 1e18, false, sample, fmax(sample, 1e15));
    else
        size = fmin(1e18, fmax(sample, 0.98 * tr->free_B * af_fw_logu(s, 1e-6, 1)));
    tr->free_B = fmax(0, tr->free_B - size);
    double spf = af_fw_maybe(s, 2) ? af_fw_int(s, 1, 1e9, 1, 1e4) : 0;
    double files = size / (sample * (spf > 0 ? spf : 1));
    bool with_files = files >= 100 && files <= 1e15 &&
                      round(files) * sample * (spf > 0 ? spf : 1) <= 1e18 && af_fw_maybe(s, 4);
    if (!with_files || af_fw_maybe(s, 2))
        af_fw_put(t, "        size: %.17g B\n", size);
    af_fw_put(t, "        sample_size: %.17g B\n", sample);
    if (af_fw_maybe(s, 3))
        af_fw_put(t, "        sample_spread: %.17g B\n",
                  af_fw_real(s, 0, 1e12, false, sample * 1e-3, sample));
    if (spf > 0)
        af_fw_put(t, "        samples_per_file: %.0f\n", spf);
    if (with_files)
        af_fw_put(t, "        files: %.0f\n", round(files));
    if (af_fw_maybe(s, 3))
        af_fw_put(t, "        reader_threads: %.0f\n", af_fw_int(s, 0, 4096, 1, 64));
    if (af_fw_maybe(s, 3))
        af_fw_put(t, "        prefetch: %.0f\n", af_fw_int(s, 1, 1024, 1, 8));
    /* Its steps, checkpoint and failures are chosen last (af_fw_resilience) and go here. */
    g->jobs[g->njobs++] = (af_fw_job){.pool = i, .at = t->len, .step_s = step_s, .params = params};
}

static void af_fw_burst(af_fw_gen *g, size_t i)
{
    af_fw_src *s = &g->src;
    af_fw_text *t = &g->text;
    size_t k = af_fw_pick(s, g->ntiers);
    const af_fw_tier *tr = &g->tiers[k];
    af_fw_put(t, "  - burst:\n      name: b%zu\n      tier: t%zu\n", i, k);
    if (!af_fw_maybe(s, 3))
        af_fw_put(t, "      pool: p%zu\n", af_fw_pick(s, g->npools));
    bool write = !af_fw_maybe(s, 3);
    if (!write)
        af_fw_put(t, "      direction: read\n");
    else if (af_fw_maybe(s, 2))
        af_fw_put(t, "      direction: write\n");
    /* Sized to take about the duration aimed at, alone on the tier. */
    double bw = tr->nodes * af_storage_node_read_Bps(&tr->sys) * g->T0;
    double lo = fmin(fmax(bw * 1e-4, 1), 1e18), hi = fmin(fmax(bw * 2, lo), 1e18);
    af_fw_put(t, "      size: %.17g B\n", af_fw_real(s, AF_FW_MIN_SIZE_B, 1e18, false, lo, hi));
    double T = fmin(g->T0, 100 * AF_FW_YEAR_S);
    double every = af_fw_real(s, 0, 100 * AF_FW_YEAR_S, true, fmax(T * 0.05, 1e-9),
                              fmin(fmax(T * 2, 1e-9), 100 * AF_FW_YEAR_S));
    af_fw_put(t, "      every: %.17g s\n", every);
    g->events_per_s += 3 / every; /* start, end, drain */
    if (af_fw_maybe(s, 2))
        af_fw_put(t, "      start: %.17g s\n",
                  af_fw_maybe(s, 8) ? af_fw_real(s, 0, 100 * AF_FW_YEAR_S, false, T, T)
                                    : af_fw_normal(T * af_fw_unit(s)));
    if (af_fw_maybe(s, 2))
        af_fw_put(t, "      op_size: %.17g B\n",
                  af_fw_real(s, AF_FW_MIN_OP_B, 1e12, false, 4096, 64 << 20));
    if (write && af_fw_maybe(s, 2))
        af_fw_put(t, "      keep: %.0f\n", af_fw_int(s, 0, 1e6, 0, 8));
    if (af_fw_maybe(s, 2))
        af_fw_put(t, "      qos: { weight: %.17g }\n", af_fw_weight(g));
}

/* Writes a look-up stream on tier k; `second` names a second one on the same tier (which the
 * world check refuses: one stream per tier). */
static void af_fw_lookup(af_fw_gen *g, size_t k, bool second)
{
    af_fw_src *s = &g->src;
    af_fw_text *t = &g->text;
    af_fw_tier *tr = &g->tiers[k];
    tr->lookup = true;
    af_fw_put(t, "  - lookup:\n      name: l%zu%s\n      tier: t%zu\n", k, second ? "b" : "", k);
    double size = 4096;
    if (af_fw_maybe(s, 2)) {
        size = af_fw_real(s, AF_FW_MIN_SIZE_B, 1e9, false, 512, 1 << 20);
        af_fw_put(t, "      size: %.17g B\n", size);
    }
    /* Mostly below what the tier's devices serve; sometimes anything. */
    double demand = 1 / tr->sys.device_read_iops + size / tr->sys.device_read_Bps;
    double most = tr->nodes * tr->sys.devices / demand;
    double rate;
    if (af_fw_maybe(s, 8))
        rate = af_fw_real(s, 0, 1e9, true, 1, 1e6);
    else
        rate = fmin(1e9, fmax(DBL_MIN, most * af_fw_logu(s, 1e-6, 0.98)));
    af_fw_put(t, "      rate: %.17g/s\n", rate);
    g->events_per_s += 2 * rate; /* arrival, departure */
    if (af_fw_maybe(s, 2))
        af_fw_put(t, "      slo: %.17g s\n", af_fw_real(s, 0, 3600, true, 1e-4, 1));
}

static void af_fw_workloads(af_fw_gen *g)
{
    af_fw_src *s = &g->src;
    af_fw_put(&g->text, "workloads:\n");
    size_t n = 0;
    for (size_t i = 0; i < g->npools; i++)
        if (i == 0 ? !af_fw_maybe(s, 4) : af_fw_maybe(s, 2)) {
            af_fw_train(g, i);
            n++;
        }
    size_t nb = af_fw_maybe(s, 2) ? 1 + af_fw_pick(s, AF_FW_MAX_BURSTS) : 0;
    if (!af_fw_maybe(s, 4))
        nb = (nb + 1) / 2;
    for (size_t i = 0; i < nb; i++)
        af_fw_burst(g, i);
    n += nb;
    for (size_t k = 0; k < g->ntiers; k++) {
        bool ok = !(g->avoid & AF_FW_AVOID_LOOKUPS) || g->tiers[k].reserve >= 0.01;
        if (ok && af_fw_maybe(s, 4)) {
            af_fw_lookup(g, k, false);
            n++;
            if (af_fw_maybe(s, 32))
                af_fw_lookup(g, k, true);
        }
    }
    if (n == 0)
        af_fw_train(g, 0);
}

/* ---- steps, checkpoints and failures: chosen last ------------------------------------------
 * The fields of issue 11 come after every other choice of the input, so that an input written
 * for the generator without them (the seeds of tests/fuzz/corpus/world/) still chooses the same
 * scenario, to which its trailing bytes, if any, add these. They are spliced into their jobs'
 * text at the end (af_fw_duration). */

/* Draws a value of dimension dim in range r (log-uniform, typically in [tlo, thi], clamped into
 * r), writes "<key>: VALUE\n" to t, and returns the value the loader will read. */
static double af_fw_value(af_fw_gen *g, af_fw_text *t, const char *key, af_dim dim, af_range r,
                          double tlo, double thi)
{
    tlo = fmin(fmax(tlo, fmax(r.min, DBL_MIN)), r.max);
    thi = fmin(fmax(thi, tlo), r.max);
    double v = af_fw_real(&g->src, r.min, r.max, r.min_open, tlo, thi);
    af_fw_put(t, "%s: ", key);
    v = af_fw_qty(t, v, dim, r);
    af_fw_put(t, "\n");
    return v;
}

/* Cause names: realistic ones (two the same as the default "gpu" and "node"), a dotted one and
 * short ones; a job takes up to 8 different ones. */
static const char *const af_fw_causes[] = {"gpu",   "node",     "hbm", "host",     "network",
                                           "power", "software", "c0",  "gpu.sram", "x"};
#define AF_FW_NCAUSES (sizeof af_fw_causes / sizeof *af_fw_causes)

/* Writes the failures: of a job on pool p; returns the job's mean time to its first failure
 * (INFINITY when none can come), s. T is the run it is sized to (af_fw_resilience). */
static double af_fw_failures(af_fw_gen *g, af_fw_text *t, const af_fw_pool *p, double T)
{
    af_fw_src *s = &g->src;
    const af_range mtbf_r = {0, 1e13, true}, time_r = {0, 1e9, false};
    double n[2] = {p->nodes * p->node.gpus, p->nodes}; /* GPUs, nodes */
    af_fw_put(t, "      failures:\n");
    af_failure_spec f = {AF_FAIL_EXPONENTIAL, 1, 1};
    if (af_fw_maybe(s, 3)) {
        f.dist = AF_FAIL_WEIBULL;
        af_fw_put(t, "        distribution: weibull\n");
        if (!af_fw_maybe(s, 4))
            f.shape = af_fw_value(g, t, "        shape", AF_DIM_NUMBER,
                                  (af_range){AF_FAIL_SHAPE_MIN, AF_FAIL_SHAPE_MAX, false},
                                  AF_FAIL_SHAPE_MIN, AF_FAIL_SHAPE_MAX);
    } else if (af_fw_maybe(s, 3)) {
        af_fw_put(t, "        distribution: exponential\n");
    }
    unsigned which = 1 + (unsigned)af_fw_pick(s, 3); /* 1: GPUs, 2: nodes, 3: both */
    double rate = 0;
    for (int k = 0; k < 2; k++) {
        if (!(which & (1u << k)))
            continue;
        /* Mostly a component MTBF for which the job's MTBF (the first failure of its n
         * components) is 1e-3 to 10 times the run, down to many failures per step; else the
         * span of published MTBFs. */
        double tlo = 1e6, thi = 1e10;
        if (!af_fw_maybe(s, 3)) {
            af_failure_spec unit = f;
            unit.mean_s = 1;
            /* the job's MTBF per second of f's */
            double per = af_failure_group_mean_s(&unit, n[k]);
            tlo = T * 1e-3 / per;
            thi = T * 10 / per;
        }
        f.mean_s = af_fw_value(g, t, k ? "        node_mtbf" : "        gpu_mtbf", AF_DIM_TIME,
                               mtbf_r, tlo, thi);
        rate += 1 / af_failure_group_mean_s(&f, n[k]);
    }
    double tlo = fmax(T * 1e-4, 1e-9), thi = fmax(T * 0.1, 1e-9);
    if (af_fw_maybe(s, 2))
        af_fw_value(g, t, "        detect", AF_DIM_TIME, time_r, tlo, thi);
    if (af_fw_maybe(s, 2))
        af_fw_value(g, t, "        restart", AF_DIM_TIME, time_r, tlo, thi);
    switch (af_fw_pick(s, 6)) {
    case 0:
        af_fw_put(t, "        spares: %.0f\n", af_fw_int(s, 0, 1e9, 0, 16));
        af_fw_value(g, t, "        repair", AF_DIM_TIME, time_r, tlo, fmax(T, 1e-9));
        break;
    case 1: /* a repair without spares: unlimited spares, never used */
        af_fw_value(g, t, "        repair", AF_DIM_TIME, time_r, tlo, fmax(T, 1e-9));
        break;
    default:
        break;
    }
    if (af_fw_maybe(s, 2)) {
        size_t nc = 1 + af_fw_pick(s, AF_FAIL_MAX_CAUSES), first = af_fw_pick(s, AF_FW_NCAUSES);
        af_fw_put(t, "        causes: {");
        for (size_t i = 0; i < nc; i++) {
            af_fw_put(t, "%s%s: ", i ? ", " : " ", af_fw_causes[(first + i) % AF_FW_NCAUSES]);
            af_fw_qty(t, af_fw_real(s, 0, 1e9, true, 0.01, 1), AF_DIM_RATIO,
                      (af_range){0, 1e9, true});
        }
        af_fw_put(t, " }\n");
    }
    return rate > 0 ? 1 / rate : INFINITY;
}

/* Writes the checkpoint: of job jb, whose step takes step s (as the check will see it, about),
 * whose job MTBF is mtbf (INFINITY without failures), in a run of about T; returns the
 * checkpoints per second of training the check's estimate counts (4 events each). */
static double af_fw_checkpoint(af_fw_gen *g, af_fw_text *t, const af_fw_job *jb, double step,
                               double mtbf, double T)
{
    af_fw_src *s = &g->src;
    const af_fw_pool *p = &g->pools[jb->pool];
    size_t k = af_fw_pick(s, g->ntiers);
    const af_fw_tier *tr = &g->tiers[k];
    af_fw_put(t, "      checkpoint:\n        to: t%zu\n", k);
    double every = 0; /* steps between checkpoints; 0: auto */
    switch (af_fw_pick(s, 3)) {
    case 0: {
        double tau = af_fw_value(g, t, "        every", AF_DIM_TIME, (af_range){0, 1e9, true}, step,
                                 fmax(T, step));
        every = fmin(fmax(round(tau / step), 1), 1e15);
        break;
    }
    case 1:
        every = af_fw_int(s, 1, 1e12, 1, fmax(T / step, 1));
        af_fw_put(t, "        every_steps: %.0f\n", every);
        break;
    default:
        af_fw_put(t, "        every: auto\n");
        break;
    }
    switch (af_fw_pick(s, 3)) {
    case 1:
        af_fw_put(t, "        mode: sync\n");
        break;
    case 2:
        af_fw_put(t, "        mode: async\n");
        break;
    default:
        break;
    }
    double writers = 1;
    if (af_fw_maybe(s, 3))
        writers =
            af_fw_value(g, t, "        writers", AF_DIM_RATIO, (af_range){0, 1, true}, 0.01, 1);
    /* Mostly a size that the writers' NICs and the tier's devices write alone in 1e-5 to 5% of
     * the run (and that fits a third of the tier), else params x 14 B or a typical state per
     * parameter. */
    double w_nodes = fmax(round(p->nodes * writers), 1);
    double bw = fmin(w_nodes * af_node_storage_Bps(&p->node),
                     tr->nodes * tr->sys.devices * tr->sys.device_write_Bps);
    double room = tr->nodes * af_storage_node_usable_B(&tr->sys) / 3;
    double shi = fmin(fmax(bw * T * 0.05, 1), fmax(room, 1)), slo = fmin(bw * T * 1e-5, shi);
    double size;
    if (jb->params > 0 && !af_fw_maybe(s, 4)) {
        double bpp = 14;
        switch (af_fw_pick(s, 3)) {
        case 1:
            bpp = af_fw_value(g, t, "        bytes_per_param", AF_DIM_SIZE,
                              (af_range){0, 1024, true}, 2, 16);
            break;
        case 2:
            bpp = af_fw_value(g, t, "        bytes_per_param", AF_DIM_SIZE,
                              (af_range){0, 1024, true}, slo / jb->params, shi / jb->params);
            break;
        default:
            break;
        }
        size = jb->params * bpp;
    } else {
        size = af_fw_value(g, t, "        size", AF_DIM_SIZE, (af_range){0, 1e18, true}, slo, shi);
    }
    if (af_fw_maybe(s, 3))
        af_fw_put(t, "        keep: %.0f\n", af_fw_int(s, 0, 1e6, 0, 8));
    if (af_fw_maybe(s, 4))
        af_fw_put(t, "        weight: %.17g\n", af_fw_weight(g));
    if (every == 0 && isfinite(mtbf) && mtbf > 0) {
        /* auto: Daly's interval from the write alone, as the world estimates it first. */
        double tau = af_daly_interval_s(size / bw, mtbf);
        every = isfinite(tau) && tau > 0 ? fmin(fmax(round(tau / step), 1), 1e15) : 1;
    }
    /* auto without failures: no interval, which the estimate counts as one per step */
    return 1 / (fmax(every, 1) * step);
}

/* Chooses the steps, checkpoint and failures of each training job (each one time in three),
 * into its `extra` text, and counts their events: about 4 per checkpoint and 3 per failure. T is
 * the duration as the other workloads' events cut it: their figures are sized to it, so that
 * targets are reached, checkpoints written and read back, and failures come, within the run (the
 * events of the failures and checkpoints may cut it further). */
static void af_fw_resilience(af_fw_gen *g, double T)
{
    af_fw_src *s = &g->src;
    for (size_t j = 0; j < g->njobs; j++) {
        af_fw_job *jb = &g->jobs[j];
        const af_fw_pool *p = &g->pools[jb->pool];
        /* The step as the world will see it, about (a step out of range is refused anyway). */
        double step = isfinite(jb->step_s) ? fmin(fmax(jb->step_s, 1e-9), 1e9) : 1;
        af_fw_text t = {malloc(256), 0, 256};
        if (!t.buf)
            abort();
        t.buf[0] = '\0';
        if (af_fw_maybe(s, 3))
            af_fw_put(&t, "      steps: %.0f\n",
                      af_fw_int(s, 1, 1e15, 1, fmin(fmax(T / step, 1), 1e15)));
        double mtbf = INFINITY;
        if (af_fw_maybe(s, 3)) {
            mtbf = af_fw_failures(g, &t, p, T);
            g->events_per_s += 3 / mtbf; /* the failure, the restart, the reload's end */
        }
        if (af_fw_maybe(s, 3))
            g->events_per_s += 4 * af_fw_checkpoint(g, &t, jb, step, mtbf, T);
        if (af_fw_maybe(s, 3) && (p->node.nics > 0 || p->nodes <= 1)) {
            /* parallel: a tensor degree that divides the node's GPUs (or not, sometimes, for the
             * refusal), pipelines, micro-batches, overlap, algorithm, gradient bytes, stragglers;
             * each step adds an all-reduce's start, flow and end. */
            /* A valid split (the scenario layer refuses others, naming the field): tensor a
             * divisor of the node's GPUs, pipeline one of the job's GPUs over it. */
            int gpus = p->node.gpus > 0 ? p->node.gpus : 1;
            int tp = 1;
            for (int d = gpus; d >= 1; d--)
                if (gpus % d == 0 && af_fw_maybe(s, 2)) {
                    tp = d;
                    break;
                }
            double groups = p->nodes * gpus / tp;
            int pp = 1;
            for (int d = 64; d >= 2; d--)
                if (fmod(groups, d) == 0 && af_fw_maybe(s, 4)) {
                    pp = d;
                    break;
                }
            af_fw_put(&t, "      parallel:\n        tensor: %d\n", tp);
            if (pp > 1 || af_fw_maybe(s, 2))
                af_fw_put(&t, "        pipeline: %d\n", pp);
            if (af_fw_maybe(s, 2))
                af_fw_put(&t, "        microbatches: %.0f\n", af_fw_int(s, 1, 1e6, 1, 256));
            if (af_fw_maybe(s, 2))
                af_fw_put(&t, "        overlap: %.17g\n", af_fw_real(s, 0, 1, false, 0.01, 1));
            if (af_fw_maybe(s, 3))
                af_fw_put(&t, "        algorithm: %s\n", af_fw_maybe(s, 2) ? "tree" : "ring");
            if (af_fw_maybe(s, 3))
                af_fw_put(&t, "        grad_bytes_per_param: %.17g B\n",
                          af_fw_real(s, 0, 64, false, 0.5, 16));
            if (af_fw_maybe(s, 2))
                af_fw_put(&t, "        straggler_spread: %.17g\n",
                          af_fw_real(s, 0, 10, false, 1e-4, 1));
            g->events_per_s += 3 / step;
        }
        if (t.len) {
            jb->extra = t.buf;
        } else {
            free(t.buf);
        }
    }
}

/* Inserts str into t at offset at. */
static void af_fw_insert(af_fw_text *t, size_t at, const char *str)
{
    size_t n = strlen(str);
    if (t->len + n + 1 > t->cap) {
        t->cap = t->len + n + 1 + t->cap;
        t->buf = realloc(t->buf, t->cap);
        if (!t->buf)
            abort();
    }
    memmove(t->buf + at + n, t->buf + at, t->len - at + 1);
    memcpy(t->buf + at, str, n);
    t->len += n;
}

/* The duration, written last: the one aimed at, cut so that the events the check counts stay
 * within a share of the budget (sometimes above it, for the refusal), or an extreme. Its
 * choices come before those of the jobs' steps, checkpoints and failures (af_fw_resilience),
 * whose events it counts and whose text it splices into the jobs'. */
static void af_fw_duration(af_fw_gen *g)
{
    af_fw_src *s = &g->src;
    double share = af_fw_logu(s, 0.01, 1.2);
    size_t extreme = af_fw_pick(s, 32);
    double T = fmin(g->T0, 100 * AF_FW_YEAR_S);
    if (g->events_per_s * T > g->budget * share)
        af_fw_resilience(g, fmax(g->budget * share / g->events_per_s, AF_FW_MIN_DURATION_S));
    else
        af_fw_resilience(g, T);
    if (g->events_per_s * T > g->budget * share)
        T = g->budget * share / g->events_per_s;
    switch (extreme) {
    case 0:
        T = AF_FW_MIN_DURATION_S;
        break;
    case 1:
        T = 100 * AF_FW_YEAR_S;
        break;
    default:
        /* Whole nanoseconds, as the clock counts them. */
        T = round(T * 1e9) / 1e9;
        break;
    }
    T = fmin(fmax(T, AF_FW_MIN_DURATION_S), 100 * AF_FW_YEAR_S);
    g->T = T;
    af_fw_put(&g->text, "duration: %.17g s\n", T);
    for (size_t j = g->njobs; j-- > 0;) {
        if (g->jobs[j].extra)
            af_fw_insert(&g->text, g->jobs[j].at, g->jobs[j].extra);
        free(g->jobs[j].extra);
        g->jobs[j].extra = NULL;
    }
}

/* GPU power limits and a site power cap (issue 12), chosen after every other choice of the
 * input (so the corpus seeds keep their scenarios) and spliced in: a pool's limit after its
 * "nodes:" line, anywhere in its GPUs' accepted range; the cap into the facility, log-uniform
 * from 1 kW to 1 GW (so that it holds, fails at peak or fails on average). */
static void af_fw_power(af_fw_gen *g)
{
    af_fw_src *s = &g->src;
    af_fw_text *t = &g->text;
    for (size_t i = g->npools; i-- > 0;) {
        af_fw_pool *p = &g->pools[i];
        if (!af_fw_maybe(s, 3))
            continue;
        const af_gpu_spec *gpu = &p->node.gpu;
        double lo = fmin(gpu->min_limit_W, gpu->tdp_W);
        double L = af_fw_real(s, lo, gpu->tdp_W, false, lo, gpu->tdp_W);
        af_fw_text v = {0};
        af_fw_put(&v, "    power_limit: ");
        af_fw_qty(&v, L, AF_DIM_POWER, (af_range){lo, gpu->tdp_W, false});
        af_fw_put(&v, "\n");
        af_fw_insert(t, p->at, v.buf);
        free(v.buf);
    }
    /* The facility comes before the pools in the text: spliced last, it moves none of them. */
    if (af_fw_maybe(s, 3)) {
        af_fw_text v = {0};
        double cap = af_fw_real(s, 0, 1e11, true, 1e3, 1e9);
        af_fw_put(&v, "%s", g->fac_kind == 0 ? "facility: { power_cap: " : ", power_cap: ");
        af_fw_qty(&v, cap, AF_DIM_POWER, (af_range){0, 1e11, false});
        af_fw_put(&v, "%s", g->fac_kind == 0 ? " }\n" : g->fac_kind == 1 ? " }" : "");
        if (g->fac_kind == 0) {
            af_fw_insert(t, t->len, v.buf);
        } else if (g->fac_kind == 1) {
            af_fw_insert(t, g->fac_end, v.buf);
            af_fw_insert(t, g->fac_val, "{ preset: ");
        } else {
            af_fw_insert(t, g->fac_end - 2, v.buf); /* before the mapping's " }" */
        }
        free(v.buf);
    }
}

/* ---- serving: inference workloads, chosen last ----------------------------------------------
 * Recommendation-style services (arrivals as a rate or a mapping with a daily profile and bursts,
 * features on a tier, batching, a fixed or exponential service, a queue limit, an objective in
 * its three forms) and LLM services (a catalog model, precisions, prompt and output fixed or
 * exponential, conversations, KV-cache tiers on host memory, local NVMe and a storage tier, a
 * batch limit, TTFT/TPOT objectives). They are chosen after every other choice of the input (so
 * the corpus seeds keep their scenarios; an exhausted input adds none), each on a pool of its
 * own: an existing pool without a training job, or a new pool appended to the cluster. Their
 * rates come from what the event budget leaves after the other workloads (so that most runs
 * complete), sometimes from more (the check refuses the run); the GPU time of a recommendation
 * batch is sized to a load of the replicas from 1% to overload. Extremes the loader accepts: one
 * replica, queue_limit 1, a KV tier of one byte, batches of one, think times at the open zero
 * end; and, once in 64 services, a replica larger than its pool, which the loader must refuse
 * (naming gpus_per_replica). The text goes before the "duration:" line (services) and the
 * "storage:" line (new pools). */

#define AF_FW_MAX_SERVICES 3
#define AF_FW_SERVE_BUDGET 20000 /* events the services add to max_events at most */

/* Offset of the line that starts with key (e.g. "duration: "), or the text's end. */
static size_t af_fw_line_at(const af_fw_text *t, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = t->buf; p; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (strncmp(p, key, n) == 0)
            return (size_t)(p - t->buf);
    }
    return t->len;
}

/* The arrivals of a service, n expected over the run: a rate, or a mapping with a daily profile
 * (and the time of day the run starts) and bursts, its rate scaled to give n. Fills *out as the
 * loader will read it; returns the expected arrivals over the run. */
static double af_fw_arrivals(af_fw_gen *g, af_fw_text *t, double n, af_arrivals_config *out)
{
    af_fw_src *s = &g->src;
    af_arrivals_config a = {.rate_per_s = 1};
    af_fw_text m = {0}; /* the mapping's other keys */
    bool map = af_fw_maybe(s, 2);
    if (map && af_fw_maybe(s, 2)) {
        a.diurnal = true;
        if (af_fw_maybe(s, 3)) {
            double sum = 0;
            af_fw_put(&m, ", diurnal: { hourly: [");
            for (int h = 0; h < 24; h++) {
                a.hourly[h] = af_fw_qty(&m, af_fw_real(s, 0, 1e6, true, 0.1, 10), AF_DIM_NUMBER,
                                        (af_range){0, 1e6, true});
                sum += a.hourly[h];
                af_fw_put(&m, "%s", h < 23 ? ", " : "] }");
            }
            for (int h = 0; h < 24; h++)
                a.hourly[h] *= 24 / sum;
        } else {
            af_fw_put(&m, ", diurnal: { peak_to_trough: ");
            double ratio = af_fw_qty(&m, af_fw_real(s, 1, 1e6, false, 1, 10), AF_DIM_NUMBER,
                                     (af_range){1, 1e6, false});
            double peak = round(af_fw_unit(s) * 86400);
            af_fw_put(&m, ", peak: %.0f s }", peak);
            af_arrivals_diurnal(a.hourly, ratio, peak / 3600);
        }
    }
    if (a.diurnal && af_fw_maybe(s, 3)) {
        double start = round(af_fw_unit(s) * 86400);
        af_fw_put(&m, ", start: %.0f s", start);
        a.start_hour = start / 3600;
        if (a.start_hour >= 24)
            a.start_hour = 0; /* as the loader reads 24 h */
    }
    if (map && af_fw_maybe(s, 2)) {
        const af_range span = {0, 100 * AF_FW_YEAR_S, true};
        double T = fmax(g->T, 1e-9);
        af_fw_put(&m, ", bursts: { every: ");
        a.burst_every_s = af_fw_qty(
            &m, af_fw_real(s, 0, span.max, true, fmin(T * 0.05, span.max), fmin(T * 2, span.max)),
            AF_DIM_TIME, span);
        af_fw_put(&m, ", length: ");
        /* a share of the period, or all of it (always, near the smallest number the units
         * parser reads: a share of it may not read back below the period) */
        bool whole = af_fw_maybe(s, 8) || a.burst_every_s < 1e-280;
        a.burst_s =
            af_fw_qty(&m, whole ? a.burst_every_s : af_fw_normal(a.burst_every_s * af_fw_unit(s)),
                      AF_DIM_TIME, (af_range){0, a.burst_every_s, true});
        af_fw_put(&m, ", factor: ");
        a.burst_factor = af_fw_qty(&m, af_fw_real(s, 0, 1e6, true, 0.1, 10), AF_DIM_NUMBER,
                                   (af_range){0, 1e6, true});
        if (af_fw_maybe(s, 2)) {
            af_fw_put(&m, ", start: ");
            a.burst_start_s = af_fw_qty(&m, af_fw_normal(T * af_fw_unit(s)), AF_DIM_TIME,
                                        (af_range){0, span.max, false});
        }
        af_fw_put(&m, " }");
    }
    double unit = af_arrivals_expected(&a, 0, g->T);
    double rate = unit > 0 ? n / unit : 1;
    rate = fmin(fmax(rate, DBL_MIN), 1e9);
    /* "arrivals" (tests/fuzz/findings/arrivals-*.yaml): no profile or bursts whose thinning
     * draws more than ten million candidates (at the peak rate, over the run and, with a daily
     * profile, up to a day past it), keeps fewer than one in 1e4 of them (at the least
     * accepted hour and burst), or draws them so rarely that one lands past 3e22 s. */
    double span = g->T + (a.diurnal ? 86400 : 0), peak = af_arrivals_peak_rate(&a);
    double least = a.burst_every_s > 0 ? fmin(a.burst_factor, 1) : 1;
    for (int h = 0; a.diurnal && h < 24; h++)
        least = fmin(least, a.hourly[h] * (a.burst_every_s > 0 ? fmin(a.burst_factor, 1) : 1));
    if ((g->avoid & AF_FW_AVOID_ARRIVALS) && map &&
        (peak * rate * span > 1e7 || peak * rate < 1e-12 || least < peak * 1e-4)) {
        map = false;
        a = (af_arrivals_config){.rate_per_s = 1};
        rate = fmin(fmax(n / fmax(g->T, DBL_MIN), DBL_MIN), 1e9);
    }
    af_fw_put(t, map ? "      arrivals: { rate: " : "      arrivals: ");
    a.rate_per_s = af_fw_qty(t, rate, AF_DIM_RATE, (af_range){0, 1e9, true});
    if (map)
        af_fw_put(t, "%s }", m.buf ? m.buf : "");
    af_fw_put(t, "\n");
    free(m.buf);
    *out = a;
    return af_arrivals_expected(&a, 0, g->T);
}

/* The replicas of a service on pool p: gpus_per_replica (at least `need`, the GPUs its model
 * needs, when the pool has them; in *gpr) and sometimes replicas, written to t. Returns the
 * replicas, or 0 when the replica is larger than the pool (once in 64 services: the loader
 * refuses it). */
static double af_fw_replicas(af_fw_gen *g, af_fw_text *t, const af_fw_pool *p, double need,
                             double *gpr_out)
{
    af_fw_src *s = &g->src;
    double gpus = p->nodes * p->node.gpus;
    if (gpus < 1024 && af_fw_maybe(s, 64)) {
        af_fw_put(t, "      gpus_per_replica: %.0f\n", fmin(gpus + 1 + af_fw_pick(s, 64), 1024));
        g->refuse = "gpus_per_replica";
        return 0;
    }
    double gpr = 1;
    if (need > 1 || af_fw_maybe(s, 2)) {
        double lo = fmin(fmax(need, 1), fmin(gpus, 1024));
        gpr = af_fw_int(s, 1, fmin(gpus, 1024), lo, fmin(fmax(lo, 8), fmin(gpus, 1024)));
        af_fw_put(t, "      gpus_per_replica: %.0f\n", gpr);
    }
    *gpr_out = gpr;
    /* Replicas: the default (refused above a million), or given, at most 1e5 (a million takes
     * seconds to set up under the sanitizers); given mostly when the default is above that. */
    double most = floor(gpus / gpr);
    bool given = af_fw_maybe(s, 2);
    if (!given && most > 1e5 && !af_fw_maybe(s, 16))
        given = true;
    if (!given) {
        if (most > 1e6)
            g->refuse = "inference.pool:";
        return most;
    }
    double r = af_fw_maybe(s, 4) ? 1 : af_fw_int(s, 1, fmin(most, 1e5), 1, fmin(most, 64));
    af_fw_put(t, "      replicas: %.0f\n", r);
    return r;
}

/* A latency objective of dimension time in (0, 1 h], typically [tlo, thi]. */
static void af_fw_slo_time(af_fw_gen *g, af_fw_text *t, double tlo, double thi)
{
    af_fw_qty(t, af_fw_real(&g->src, 0, 3600, true, tlo, thi), AF_DIM_TIME,
              (af_range){0, 3600, true});
}

/* The body of a recommendation-style service after its replicas: arrivals, features, batch,
 * service, queue limit, objective. r replicas on pool p; `share` events of the budget. */
static void af_fw_recsys(af_fw_gen *g, af_fw_text *t, double r, double share)
{
    af_fw_src *s = &g->src;
    /* at most 4 events an arrival as the check counts them, n + 6 sqrt(n) + 1 arrivals */
    af_arrivals_config a;
    double x = -3 + sqrt(fmax(8 + share / 4, 0));
    double n = af_fw_arrivals(g, t, x > 0 ? x * x : 1e-3, &a);
    double rate = n / fmax(g->T, 1e-9);
    bool limit = af_fw_maybe(s, 3);
    if (af_fw_maybe(s, 2)) {
        /* Reads mostly within what the tier's devices serve at the peak rate (beyond, without a
         * queue limit, the loader refuses the arrivals) and, times the requests, within a
         * million (the bank walks each read). */
        size_t k = af_fw_pick(s, g->ntiers);
        const af_fw_tier *tr = &g->tiers[k];
        af_fw_put(t, "      features: { tier: t%zu, size: ", k);
        double size = af_fw_qty(t, af_fw_real(s, 1, 1e9, false, 512, 65536), AF_DIM_SIZE,
                                (af_range){1, 1e9, false});
        double devices = tr->nodes * tr->sys.devices;
        double demand = af_storage_read_cost_s(&tr->sys, size);
        double peak = af_arrivals_peak_rate(&a);
        double most = fmin(fmin(64, 1e6 / fmax(n, 1)), 0.9 * devices / (peak * demand));
        double reads = af_fw_int(s, 1, 1e5, 1, fmin(fmax(most, 1), 1e5));
        af_fw_put(t, ", reads: %.0f }\n", reads);
        if (!limit && a.rate_per_s > 0 && devices > 0 && demand > 0 &&
            peak * reads * demand >= devices)
            g->refuse = "inference.arrivals:";
    }
    double mb = 1;
    if (af_fw_maybe(s, 2)) {
        mb = af_fw_int(s, 1, 65536, 1, 64);
        af_fw_put(t, "      batch: { max: %.0f", mb);
        if (af_fw_maybe(s, 2)) {
            af_fw_put(t, ", wait: ");
            af_fw_qty(t, af_fw_real(s, 0, 3600, false, 1e-5, 1e-2), AF_DIM_TIME,
                      (af_range){0, 3600, false});
        }
        af_fw_put(t, " }\n");
    }
    /* A batch of one takes about load x replicas / rate: the replicas' load, 1% to overload. */
    double load = af_fw_real(s, 0, 1e3, true, 0.01, 1.5);
    double S = fmin(load * r / fmax(rate, DBL_MIN), 3600);
    double per = 0, fixed = S;
    switch (af_fw_pick(s, 4)) {
    case 1:
        fixed = 0; /* all per request */
        per = S;
        break;
    case 2:
        per = S * af_fw_unit(s) / mb;
        break;
    default:
        break;
    }
    const af_range span = {0, 3600, false};
    af_fw_put(t, "      service: { time: ");
    fixed = af_fw_qty(t, fmin(af_fw_normal(fixed), 3600), AF_DIM_TIME, span);
    if (per > 0 || !(fixed > 0) || af_fw_maybe(s, 4)) {
        af_fw_put(t, ", per_request: ");
        per = af_fw_normal(fmin(per, 3600));
        af_fw_qty(t, fixed > 0 ? per : fmax(per, DBL_MIN), AF_DIM_TIME, span);
    }
    switch (af_fw_pick(s, 3)) {
    case 1:
        af_fw_put(t, ", distribution: exponential");
        break;
    case 2:
        af_fw_put(t, ", distribution: fixed");
        break;
    default:
        break;
    }
    af_fw_put(t, " }\n");
    if (limit)
        af_fw_put(t, "      queue_limit: %.0f\n",
                  af_fw_maybe(s, 4) ? 1 : af_fw_int(s, 1, 1e6, 1, 1000));
    static const char *const q[] = {"p50", "p90", "p99", "p99.9"};
    switch (af_fw_pick(s, 4)) {
    case 1:
        af_fw_put(t, "      slo: ");
        af_fw_slo_time(g, t, 1e-4, 1);
        af_fw_put(t, "\n");
        break;
    case 2:
        af_fw_put(t, "      slo: { %s: ", q[af_fw_pick(s, 4)]);
        af_fw_slo_time(g, t, 1e-4, 1);
        af_fw_put(t, " }\n");
        break;
    default:
        break;
    }
}

/* A token count under key: a number, or { tokens, distribution }; typically [lo, hi]. Returns
 * the mean; *fixed: whether it is fixed (exponential by default). */
static double af_fw_tokens(af_fw_gen *g, af_fw_text *t, const char *key, double lo, double hi,
                           bool *fixed)
{
    af_fw_src *s = &g->src;
    const af_range r = {1, 1e7, false};
    double v = af_fw_real(s, 1, 1e7, false, lo, hi);
    *fixed = false;
    if (af_fw_maybe(s, 2)) {
        af_fw_put(t, "        %s: ", key);
        v = af_fw_qty(t, v, AF_DIM_NUMBER, r);
        af_fw_put(t, "\n");
        return v;
    }
    af_fw_put(t, "        %s: { tokens: ", key);
    v = af_fw_qty(t, v, AF_DIM_NUMBER, r);
    switch (af_fw_pick(s, 3)) {
    case 1:
        af_fw_put(t, ", distribution: fixed");
        *fixed = true;
        break;
    case 2:
        af_fw_put(t, ", distribution: exponential");
        break;
    default:
        break;
    }
    af_fw_put(t, " }\n");
    return v;
}

/* The events the check counts for an LLM service (infer_llm_events) with n conversations
 * expected of `turns` turns of `out` output tokens (fixed or not), on r replicas whose decode
 * step takes step s. */
static double af_fw_llm_events(double n, double turns, double out, bool fixed, double r,
                               double step, double T)
{
    double nt = (n + 6 * sqrt(n) + 1) * fmax(turns, 1) * 2 + 100, m = out + 1;
    double tokens = fixed ? nt * m : nt * m + 6 * m * sqrt(nt) + 40 * m;
    return 2 * nt + (step > 0 ? fmin(tokens, r * (T / step + 1)) : tokens);
}

/* The body of an LLM service after its replicas: arrivals, the llm: mapping, queue limit,
 * objectives. `share` events of the budget. */
static void af_fw_llm(af_fw_gen *g, af_fw_text *t, const af_fw_pool *p, const af_llm_spec *m,
                      double r, double gpr, bool fp8, double share)
{
    af_fw_src *s = &g->src;
    af_fw_text l = {0};
    af_llm_replica rep = {.llm = m,
                          .gpu = &p->node.gpu,
                          .gpus = (int)gpr,
                          .weights = AF_LLM_BF16,
                          .kv = AF_LLM_BF16,
                          .mfu = 0.5,
                          .mbu = 0.8,
                          .mem_fraction = 0.9};
    af_fw_put(&l, "      llm:\n        model: %s\n", m->name);
    if (fp8) {
        rep.weights = AF_LLM_FP8;
        af_fw_put(&l, "        precision: fp8\n");
    } else if (af_fw_maybe(s, 4)) {
        af_fw_put(&l, "        precision: bf16\n");
    }
    if (af_fw_maybe(s, 3)) {
        rep.kv = af_fw_maybe(s, 2) ? AF_LLM_FP8 : AF_LLM_BF16;
        af_fw_put(&l, "        kv_precision: %s\n", af_llm_dtype_name(rep.kv));
    }
    static const char *const shares[] = {"mfu", "mbu", "memory"};
    double *share_of[] = {&rep.mfu, &rep.mbu, &rep.mem_fraction};
    for (size_t i = 0; i < 3; i++)
        if (af_fw_maybe(s, 4)) {
            af_fw_put(&l, "        %s: ", shares[i]);
            *share_of[i] = af_fw_qty(&l, af_fw_real(s, 0, 1, true, 0.2, 0.95), AF_DIM_RATIO,
                                     (af_range){0, 1, true});
            af_fw_put(&l, "\n");
        }
    /* A turn mostly within the replica's KV cache (beyond, the loader refuses the model) and
     * short enough for some to finish within the run (a prefill of about 20,000 tokens and 50
     * decode steps a second). */
    double fit = af_llm_kv_capacity_tokens(&rep);
    bool fixed;
    double in =
        af_fw_tokens(g, &l, "prompt", 16, fmax(fmin(fmin(4000, fit / 2), g->T * 2e4), 16), &fixed);
    double out =
        af_fw_tokens(g, &l, "output", 1, fmax(fmin(fmin(300, fit - in), g->T * 50), 1), &fixed);
    if (p->node.gpu.hbm_B > 0 && !(fit >= in + out))
        g->refuse = "inference.llm.model:";
    if (af_fw_maybe(s, 3))
        af_fw_put(&l, "        max_batch: %.0f\n",
                  af_fw_maybe(s, 3) ? 1 : af_fw_int(s, 1, 65536, 1, 256));
    double turns = 1;
    if (!af_fw_maybe(s, 3)) {
        af_fw_put(&l, "        conversation: {");
        const char *sep = " ";
        if (!af_fw_maybe(s, 4)) {
            af_fw_put(&l, "%sturns: ", sep);
            turns = af_fw_qty(&l, af_fw_real(s, 1, 1e4, false, 1, 8), AF_DIM_NUMBER,
                              (af_range){1, 1e4, false});
            sep = ", ";
        }
        if (!af_fw_maybe(s, 4)) {
            af_fw_put(&l, "%sthink: ", sep);
            af_fw_qty(&l,
                      af_fw_real(s, 0, 100 * AF_FW_YEAR_S, true, fmin(1e-3, g->T / 100),
                                 fmax(g->T / 4, 1e-6)),
                      AF_DIM_TIME, (af_range){0, 100 * AF_FW_YEAR_S, true});
        }
        af_fw_put(&l, " }\n");
    }
    if (af_fw_maybe(s, 2)) {
        size_t n = 1 + af_fw_pick(s, 4);
        bool tier = false;
        af_fw_put(&l, "        kv_cache:\n");
        for (size_t i = 0; i < n; i++) {
            const af_range cap = {1, 1e18, false}, bw = {1, 1e15, false};
            unsigned kind = (unsigned)af_fw_pick(s, 3);
            if (kind == 2 && !tier) {
                tier = true;
                size_t k = af_fw_pick(s, g->ntiers);
                af_fw_put(&l, "          - { tier: t%zu, capacity: ", k);
                double room = fmin(fmax(g->tiers[k].free_B, 1e6), 1e18);
                af_fw_qty(&l,
                          af_fw_maybe(s, 8) ? 1 : af_fw_real(s, 1, 1e18, false, room * 1e-6, room),
                          AF_DIM_SIZE, cap);
                af_fw_put(&l, " }\n");
                continue;
            }
            bool host = kind != 1;
            af_fw_put(&l, "          - { %s: ", host ? "host" : "local");
            af_fw_qty(&l, af_fw_maybe(s, 8) ? 1 : af_fw_real(s, 1, 1e18, false, 1e9, 4e12),
                      AF_DIM_SIZE, cap);
            af_fw_put(&l, ", bandwidth: ");
            af_fw_qty(&l, af_fw_real(s, 1, 1e15, false, 1e9, 2e11), AF_DIM_BANDWIDTH, bw);
            af_fw_put(&l, " }\n");
        }
    }
    /* the check counts 2 x turns x (3 + 2 output) events a conversation, 1000 a service */
    /* the most conversations whose events fit the share (bisection in log n) */
    double step = af_llm_decode_cost(&rep, 1, 1).time_s, lo = 1e-3, hi = 1e9;
    for (int k = 0; k < 60; k++) {
        double mid = sqrt(lo * hi);
        if (af_fw_llm_events(mid, turns, out, fixed, r, step, g->T) <= share)
            lo = mid;
        else
            hi = mid;
    }
    af_arrivals_config a;
    af_fw_arrivals(g, t, lo, &a);
    af_fw_put(t, "%s", l.buf);
    free(l.buf);
    if (af_fw_maybe(s, 4))
        af_fw_put(t, "      queue_limit: %.0f\n",
                  af_fw_maybe(s, 4) ? 1 : af_fw_int(s, 1, 1e6, 1, 1000));
    if (af_fw_maybe(s, 2)) {
        af_fw_put(t, "      slo: {");
        const char *sep = " ";
        if (!af_fw_maybe(s, 4)) {
            af_fw_put(t, "%sttft: ", sep);
            af_fw_slo_time(g, t, 1e-3, 10);
            sep = ", ";
        }
        if (!af_fw_maybe(s, 4)) {
            af_fw_put(t, "%stpot: ", sep);
            af_fw_slo_time(g, t, 1e-3, 0.2);
        }
        af_fw_put(t, " }\n");
    }
}

static void af_fw_serving(af_fw_gen *g)
{
    af_fw_src *s = &g->src;
    if (!af_fw_maybe(s, 2))
        return;
    size_t n = 1 + af_fw_pick(s, AF_FW_MAX_SERVICES);
    af_fw_text svc = {0}, pools = {0};
    bool busy[AF_FW_MAX_POOLS] = {false}; /* a training job or a service runs there */
    for (size_t j = 0; j < g->njobs; j++)
        busy[g->jobs[j].pool] = true;
    double extra = 0; /* events added to the budget for the services */
    size_t nllm;
    const af_llm_spec *llms = af_catalog_llms(g->cat, &nllm);
    for (size_t i = 0; i < n && !g->refuse; i++) {
        double share = af_fw_logu(s, 200, AF_FW_SERVE_BUDGET / (double)n);
        extra += share;
        if (af_fw_maybe(s, 16))
            share *= af_fw_logu(s, 1, 100); /* more than the budget holds, sometimes */
        bool llm = nllm > 0 && af_fw_maybe(s, 2);
        const af_llm_spec *m = llm ? &llms[af_fw_pick(s, nllm)] : NULL;
        /* an idle pool of the cluster, or a new one */
        af_fw_pool np, *p = NULL;
        char pname[32];
        size_t at = af_fw_pick(s, g->npools);
        if (!busy[at] && af_fw_maybe(s, 2)) {
            busy[at] = true;
            p = &g->pools[at];
            snprintf(pname, sizeof pname, "p%zu", at);
        } else {
            size_t nn;
            const af_node_spec *nodes = af_catalog_nodes(g->cat, &nn);
            np = (af_fw_pool){.node = nodes[af_fw_pick(s, nn)]};
            np.nodes = af_fw_int(s, 1, 1e6, 1, 8);
            snprintf(pname, sizeof pname, "s%zu", i);
            af_fw_put(&pools, "  - pool: %s\n    node: %s\n    nodes: %.0f\n", pname, np.node.name,
                      np.nodes);
            af_fw_text saved = g->text;
            g->text = pools;
            af_fw_node_override(g, &np);
            pools = g->text;
            g->text = saved;
            p = &np;
        }
        bool fp8 = llm && p->node.gpu.fp8_flops > 0 && af_fw_maybe(s, 2);
        double need = 1;
        if (llm && p->node.gpu.hbm_B > 0)
            need = ceil(af_llm_weights_B(m, fp8 ? AF_LLM_FP8 : AF_LLM_BF16) /
                        (0.8 * p->node.gpu.hbm_B));
        af_fw_put(&svc, "  - inference:\n      name: i%zu\n      pool: %s\n", i, pname);
        double gpr = 1;
        double r = af_fw_replicas(g, &svc, p, need, &gpr);
        if (r <= 0)
            break;
        if (llm)
            af_fw_llm(g, &svc, p, m, r, gpr, fp8, share);
        else
            af_fw_recsys(g, &svc, r, share);
    }
    if (g->budget > 1) {
        /* max_events: raised by the services' shares (the line ends the same way) */
        size_t at = af_fw_line_at(&g->text, "max_events: ") + strlen("max_events: ");
        size_t end = (size_t)(strchr(g->text.buf + at, '\n') - g->text.buf);
        char v[32];
        snprintf(v, sizeof v, "%.0f", g->budget + round(extra));
        memmove(g->text.buf + at, g->text.buf + end, g->text.len - end + 1);
        g->text.len -= end - at;
        af_fw_insert(&g->text, at, v);
    }
    if (svc.buf)
        af_fw_insert(&g->text, af_fw_line_at(&g->text, "duration: "), svc.buf);
    if (pools.buf)
        af_fw_insert(&g->text, af_fw_line_at(&g->text, "storage:"), pools.buf);
    free(svc.buf);
    free(pools.buf);
}

/* Writes the scenario chosen by data into g->text. */
static void af_fw_generate(af_fw_gen *g, const uint8_t *data, size_t size)
{
    static const unsigned wild[4] = {0, 8, 32, 96};
    g->src = (af_fw_src){data, size, 0, (g->avoid & AF_FW_AVOID_TINY) != 0};
    g->src.wild = wild[af_fw_pick(&g->src, 4)];
    af_fw_header(g);
    af_fw_cluster(g);
    af_fw_storage(g);
    af_fw_fabrics(g);
    af_fw_workloads(g);
    af_fw_duration(g);
    af_fw_power(g);
    af_fw_serving(g);
}

/* ---- the checks --------------------------------------------------------------------------- */

/* The scenario being run, for the failure message. */
static const char *af_fw_yaml;

static void af_fw_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void af_fw_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz_world: broken invariant: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nfuzz_world: the scenario:\n%s", af_fw_yaml ? af_fw_yaml : "(none)\n");
    fflush(stderr);
    __builtin_trap();
}

/* Metric "a.b.c" (b may be NULL), or NULL when the run did not set it. */
static const af_metric *af_fw_find(const af_results *r, const char *a, const char *b, const char *c)
{
    char name[256];
    if (b)
        snprintf(name, sizeof name, "%s.%s.%s", a, b, c);
    else
        snprintf(name, sizeof name, "%s.%s", a, c);
    return af_results_find(r, name);
}

/* The value of metric "a.b.c", which every run must set. */
static double af_fw_need(const af_results *r, const char *a, const char *b, const char *c)
{
    const af_metric *m = af_fw_find(r, a, b, c);
    if (!m || m->text)
        af_fw_fail("metric %s.%s%s%s missing", a, b ? b : "", b ? "." : "", c);
    return m->value;
}

/* The value of metric "a.b.c", or `dflt` when the run did not set it. */
static double af_fw_opt(const af_results *r, const char *a, const char *b, const char *c,
                        double dflt)
{
    const af_metric *m = af_fw_find(r, a, b, c);
    return m && !m->text ? m->value : dflt;
}

/* a <= b up to a relative error rel and an absolute slack abs. */
static bool af_fw_le(double a, double b, double rel, double abs)
{
    return a <= b + rel * fmax(fabs(a), fabs(b)) + abs;
}

/* a == b up to a relative error rel and an absolute slack abs. */
static bool af_fw_eq(double a, double b, double rel, double abs)
{
    return af_fw_le(a, b, rel, abs) && af_fw_le(b, a, rel, abs);
}

#define AF_FW_REL 1e-9

/* Ratios that may exceed 1 (a burst's duration over its duration alone). */
static bool af_fw_unbounded_ratio(const char *name)
{
    size_t n = strlen(name);
    return (n >= 9 && strcmp(name + n - 9, ".slowdown") == 0) ||
           (n >= 15 && strcmp(name + n - 15, ".slowdown_bound") == 0);
}

/* Every metric alike: found by name, finite, non-negative, ratios in [0, 1] (but NIC
 * utilizations under AF_FW_AVOID_NIC). q is the slack of a ratio of times. */
static void af_fw_check_all(const af_results *r, double q, unsigned avoid)
{
    size_t n = af_results_count(r);
    for (size_t i = 0; i < n; i++) {
        const af_metric *m = af_results_get(r, i);
        if (!m || !m->name || !*m->name)
            af_fw_fail("metric %zu has no name", i);
        if (af_results_find(r, m->name) != m)
            af_fw_fail("metric %s: af_results_find gives another one", m->name);
        if (m->text) {
            if (!isnan(m->value))
                af_fw_fail("text metric %s has value %g, not NaN", m->name, m->value);
            continue;
        }
        if (!isfinite(m->value))
            af_fw_fail("metric %s = %g is not finite", m->name, m->value);
        if (m->value < 0 && strcmp(m->name, "facility.power_cap_headroom") != 0)
            af_fw_fail("metric %s = %g is negative", m->name, m->value);
        bool nic = (avoid & AF_FW_AVOID_NIC) && strstr(m->name, ".nic_");
        if (m->dim == AF_DIM_RATIO && !af_fw_unbounded_ratio(m->name) && !nic && m->value > 1 + q)
            af_fw_fail("ratio %s = %.17g is above 1", m->name, m->value);
    }
}

/* Sum of the metrics whose names start with prefix. */
static double af_fw_sum_prefix(const af_results *r, const char *prefix)
{
    double sum = 0;
    size_t n = af_results_count(r), len = strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        const af_metric *m = af_results_get(r, i);
        if (!m->text && strncmp(m->name, prefix, len) == 0)
            sum += m->value;
    }
    return sum;
}

/* A job waits held by a resource only while that resource is saturated, so the resource was
 * busy at least that share of the run: the pool's storage NICs (receiving) for "client NICs",
 * the NICs (either way) of the job's tier or its cache for "storage NICs", and the devices of
 * those tiers, up to their reserves, for "devices". q is the slack: a transfer's completion
 * lands on the next whole nanosecond, so the resource may idle up to 1 ns per event. */
static void af_fw_check_holds(const af_world_config *cfg, const af_results *r, size_t j, double q)
{
    const af_train_config *tc = &cfg->trains[j];
    const char *nm = tc->name;
    size_t tiers[2] = {tc->tier, AF_WORLD_NONE};
    for (size_t t = 0; t < cfg->ntiers; t++)
        if (cfg->tiers[t].cache_for == tc->tier)
            tiers[1] = t;
    double nic = 0, busy = 0, reserve = 0;
    for (int i = 0; i < 2 && tiers[i] != AF_WORLD_NONE; i++) {
        const char *tn = cfg->tiers[tiers[i]].name;
        nic += af_fw_need(r, "storage", tn, "nic_out_utilization") +
               af_fw_need(r, "storage", tn, "nic_in_utilization");
        busy += af_fw_need(r, "storage", tn, "device_read_busy") +
                af_fw_need(r, "storage", tn, "device_write_busy");
        reserve = fmax(reserve, cfg->tiers[tiers[i]].reserve);
    }
    double w = af_fw_opt(r, "train", nm, "wait_storage_nics", 0);
    if (nic < w * (1 - 1e-6) - q)
        af_fw_fail("train %s: waits held by storage NICs %.17g of the run, but the NICs of its "
                   "tiers were busy %.17g",
                   nm, w, nic);
    w = af_fw_opt(r, "train", nm, "wait_devices", 0);
    if (busy < w * (1 - reserve) * (1 - 1e-6) - q)
        af_fw_fail("train %s: waits held by devices %.17g of the run, but the devices of its "
                   "tiers were busy %.17g",
                   nm, w, busy);
    const char *pn = cfg->pools[tc->pool].name;
    double in = af_fw_need(r, "pool", pn, "storage_in_rate") /
                af_fw_need(r, "pool", pn, "storage_nic_bandwidth");
    w = af_fw_opt(r, "train", nm, "wait_client_nics", 0);
    if (in < w * (1 - 1e-6) - q)
        af_fw_fail("train %s: waits held by client NICs %.17g of the run, but its pool's NICs "
                   "received %.17g of their bandwidth",
                   nm, w, in);
}

/* A part of job nm's time that the run reports only for jobs with a checkpoint, failures or a
 * target (`on`): needed then, 0 when absent otherwise. */
static double af_fw_part(const af_results *r, const char *nm, const char *c, bool on)
{
    return on ? af_fw_need(r, "train", nm, c) : af_fw_opt(r, "train", nm, c, 0);
}

/* The parts of job j's time besides computing and waiting for data (checkpoint stalls, lost
 * work, restarts, reloads, idle; 0 for a job without a checkpoint, failures or a target), and
 * what must hold of its target, checkpoints and failures. u is its computing share, T the
 * duration, q the slack of a ratio of times. Returns the sum of the parts; adds the bytes of
 * its durable checkpoint writes to *ckpt_B. */
static double af_fw_check_resilience(const af_world_config *cfg, const af_results *r, size_t j,
                                     double u, double T, double q, double *ckpt_B)
{
    const af_train_config *tc = &cfg->trains[j];
    const char *nm = tc->name;
    bool on = tc->ckpt.on || tc->fail.on || tc->target_steps > 0;
    double stall = af_fw_part(r, nm, "checkpoint_stall", on);
    double lost = af_fw_part(r, nm, "lost_work", on);
    double down = af_fw_part(r, nm, "restart", on);
    double reload = af_fw_part(r, nm, "reload", on);
    double idle = af_fw_part(r, nm, "idle", on);
    double redone = af_fw_part(r, nm, "steps_redone", on);
    double steps = af_fw_need(r, "train", nm, "steps");
    double step_s = af_fw_need(r, "train", nm, "compute_time_per_step");
    char inst[256];

    /* Failures: the causes' counts add up to the count; each failure is down at most detect +
     * restart + repair (a failure while down cuts the previous one short, and one that comes
     * once the job is done does not stop it); lost work holds at least the steps redone. */
    double nfail = 0;
    if (tc->fail.on) {
        const af_fail_config *f = &tc->fail;
        nfail = af_fw_need(r, "failures", nm, "count");
        if (f->ncauses)
            for (size_t c = 0; c < f->ncauses; c++) {
                snprintf(inst, sizeof inst, "%s.%s", nm, f->cause[c]);
                af_fw_need(r, "failure", inst, "count");
            }
        else
            for (int k = 0; k < 2; k++)
                if ((k ? f->node.mean_s : f->gpu.mean_s) > 0) {
                    snprintf(inst, sizeof inst, "%s.%s", nm, k ? "node" : "gpu");
                    af_fw_need(r, "failure", inst, "count");
                }
        snprintf(inst, sizeof inst, "failure.%s.", nm);
        double by_cause = af_fw_sum_prefix(r, inst);
        if (by_cause != nfail)
            af_fw_fail("failures.%s.count = %.17g, but its causes' counts add up to %.17g", nm,
                       nfail, by_cause);
        double most = nfail * (f->detect_s + f->restart_s + f->repair_s);
        if (!af_fw_le(down * T, most, AF_FW_REL, (q + nfail * 1e-9 / T) * T))
            af_fw_fail("train %s: down %.17g s after %.17g failures of at most %.17g + %.17g + "
                       "%.17g s",
                       nm, down * T, nfail, f->detect_s, f->restart_s, f->repair_s);
    }
    if (nfail == 0 && (lost > 0 || down > 0 || reload > 0 || redone > 0))
        af_fw_fail("train %s: no failure, but lost work %.17g, restart %.17g, reload %.17g, "
                   "%.17g steps redone",
                   nm, lost, down, reload, redone);
    if (!af_fw_le(redone * step_s, lost * T, AF_FW_REL, 0))
        af_fw_fail("train %s: %.17g steps of %.17g s redone, but only %.17g s of lost work", nm,
                   redone, step_s, lost * T);

    /* The target: never passed; once reached (time_to_target), the job idles to the end. */
    double elapsed = T;
    const af_metric *ttt = af_fw_find(r, "train", nm, "time_to_target");
    if (tc->target_steps > 0) {
        if (steps > tc->target_steps)
            af_fw_fail("train %s: %.17g steps, more than its target of %.17g", nm, steps,
                       tc->target_steps);
        if (ttt && !ttt->text) {
            elapsed = ttt->value;
            if (steps != tc->target_steps || !af_fw_le(elapsed, T, 0, 0))
                af_fw_fail("train %s: target reached at %.17g s of %.17g with %.17g steps of "
                           "%.17g",
                           nm, elapsed, T, steps, tc->target_steps);
            if (!af_fw_eq(idle, (T - elapsed) / T, AF_FW_REL, q))
                af_fw_fail("train %s: target reached at %.17g s of %.17g, but idle %.17g", nm,
                           elapsed, T, idle);
        } else if (steps == tc->target_steps || idle != 0) {
            af_fw_fail("train %s: %.17g steps of %.17g, idle %.17g, but no time to the target", nm,
                       steps, tc->target_steps, idle);
        }
    } else if (ttt || idle != 0) {
        af_fw_fail("train %s: no target, but idle %.17g%s", nm, idle,
                   ttt ? " and a time to the target" : "");
    }
    if (on && !af_fw_eq(af_fw_need(r, "train", nm, "effective_training_time"), u * T / elapsed,
                        AF_FW_REL, 0))
        af_fw_fail("train %s: effective training time %.17g, computing %.17g s over %.17g s", nm,
                   af_fw_need(r, "train", nm, "effective_training_time"), u * T, elapsed);

    /* Checkpoints: a reload follows a failure and reads a durable checkpoint; writes come one at
     * a time (a synchronous one within a stall), reloads each within the reload time; the
     * interval is the one given, in whole steps. */
    if (tc->ckpt.on) {
        const af_ckpt_config *c = &tc->ckpt;
        double written = af_fw_need(r, "checkpoint", nm, "written");
        double reads = af_fw_need(r, "checkpoint", nm, "reads");
        af_fw_need(r, "checkpoint", nm, "refused");
        if (af_fw_need(r, "checkpoint", nm, "size") != c->size_B)
            af_fw_fail("checkpoint %s: size %.17g B, configured %.17g B", nm,
                       af_fw_need(r, "checkpoint", nm, "size"), c->size_B);
        if (reads > nfail || (reads > 0 && written < 1))
            af_fw_fail("checkpoint %s: %.17g read back after %.17g failures, %.17g written", nm,
                       reads, nfail, written);
        double wt = written > 0 ? af_fw_need(r, "checkpoint", nm, "write_time") : 0;
        if (!af_fw_le(written * wt, T, AF_FW_REL, 0))
            af_fw_fail("checkpoint %s: %.17g writes of %.17g s in %.17g s", nm, written, wt, T);
        if (c->mode == AF_CKPT_SYNC && !af_fw_le(written * wt, stall * T, AF_FW_REL, q * T))
            af_fw_fail("checkpoint %s: %.17g synchronous writes of %.17g s, but only %.17g s "
                       "stalled",
                       nm, written, wt, stall * T);
        double rt = reads > 0 ? af_fw_need(r, "checkpoint", nm, "read_time") : 0;
        if (!af_fw_le(reads * rt, reload * T, AF_FW_REL, q * T))
            af_fw_fail("checkpoint %s: %.17g reads of %.17g s, but only %.17g s reloading", nm,
                       reads, rt, reload * T);
        double every = c->every_steps > 0 ? (double)c->every_steps
                       : c->every_s > 0   ? fmin(fmax(round(c->every_s / step_s), 1), 1e15)
                                          : 0;
        double interval = af_fw_need(r, "checkpoint", nm, "interval");
        if (every > 0 ? !af_fw_eq(interval, every * step_s, AF_FW_REL, 0)
                      : interval != 0 && !af_fw_le(step_s, interval, AF_FW_REL, 0))
            af_fw_fail("checkpoint %s: interval %.17g s, steps of %.17g s%s", nm, interval, step_s,
                       every > 0 ? "" : " (auto)");
        *ckpt_B += written * c->size_B;
    } else if (stall != 0 || reload != 0) {
        af_fw_fail("train %s: no checkpoint, but checkpoint stall %.17g, reload %.17g", nm, stall,
                   reload);
    }
    return stall + lost + down + reload + idle;
}

/* The tier whose group (a tier and its cache) tier t belongs to. */
static size_t af_fw_group(const af_world_config *cfg, size_t t)
{
    size_t b = cfg->tiers[t].cache_for;
    return b != AF_WORLD_NONE ? b : t;
}

/* The power and cost roll-up adds up: the components to IT power, IT power x PUE x T to the
 * facility energy, the four costs to the total and the classes to the capital, the TCO's parts
 * to the TCO; the cap's verdict and headroom agree with the peak power; a GPU power limit never
 * raises a pool's power above what its nodes draw unlimited and busy. */
static void af_fw_check_cost(const af_world_config *cfg, const af_results *r)
{
    double T = cfg->duration_s, q = 1e-9;
    double it = af_fw_need(r, "facility", NULL, "it_power");
    if (!af_fw_eq(af_fw_sum_prefix(r, "facility.it_power_"), it, q, 1e-9))
        af_fw_fail("the power components add up to %.17g W, not the IT power %.17g W",
                   af_fw_sum_prefix(r, "facility.it_power_"), it);
    double pue = cfg->facility.pue;
    if (!af_fw_eq(af_fw_need(r, "facility", NULL, "energy"), it * pue * T, q, 1e-9))
        af_fw_fail("facility energy is not IT power x PUE x duration");
    if (!af_fw_le(af_fw_need(r, "facility", NULL, "power"),
                  af_fw_need(r, "facility", NULL, "peak_power"), q, 1e-9))
        af_fw_fail("mean facility power above its peak");
    double total = af_fw_need(r, "cost", NULL, "total");
    double parts = af_fw_need(r, "cost", NULL, "capital") +
                   af_fw_need(r, "cost", NULL, "maintenance") +
                   af_fw_need(r, "cost", NULL, "energy") + af_fw_need(r, "cost", NULL, "space");
    if (!af_fw_eq(total, parts, q, 1e-12))
        af_fw_fail("cost.total %.17g is not the sum of its parts %.17g", total, parts);
    double classes = af_fw_need(r, "cost", NULL, "capital_compute") +
                     af_fw_need(r, "cost", NULL, "capital_storage") +
                     af_fw_need(r, "cost", NULL, "capital_network");
    if (!af_fw_eq(af_fw_need(r, "cost", NULL, "capital"), classes, q, 1e-12))
        af_fw_fail("cost.capital is not the sum of its classes");
    double tco = af_fw_need(r, "cost", NULL, "tco_capital") +
                 af_fw_need(r, "cost", NULL, "tco_maintenance") +
                 af_fw_need(r, "cost", NULL, "tco_energy") + af_fw_need(r, "cost", NULL, "tco_space");
    if (!af_fw_eq(af_fw_need(r, "cost", NULL, "tco"), tco, q, 1e-9))
        af_fw_fail("cost.tco is not the sum of its parts");
    const af_metric *v = af_fw_find(r, "facility", NULL, "power_cap_verdict");
    if (cfg->facility.power_cap_W > 0) {
        double cap = cfg->facility.power_cap_W;
        double peak = af_fw_need(r, "facility", NULL, "peak_power");
        double mean = af_fw_need(r, "facility", NULL, "power");
        if (!v || !v->text)
            af_fw_fail("a power cap without a verdict");
        const char *want = peak <= cap ? "holds" : mean <= cap ? "exceeded at peak"
                                                               : "exceeded on average";
        /* Away from the boundary the verdict must match; at it, either side is fine. */
        if (strcmp(v->text, want) != 0 && !af_fw_eq(peak, cap, q, 0) && !af_fw_eq(mean, cap, q, 0))
            af_fw_fail("cap verdict \"%s\" for cap %.17g W, peak %.17g W, mean %.17g W", v->text,
                       cap, peak, mean);
        if (!af_fw_eq(af_fw_need(r, "facility", NULL, "power_cap_headroom"), cap - peak, q,
                      1e-9 * cap))
            af_fw_fail("the cap's headroom is not cap - peak");
    } else if (v) {
        af_fw_fail("a cap verdict without a cap");
    }
    for (size_t p = 0; p < cfg->npools; p++) {
        const af_pool_config *pc = &cfg->pools[p];
        double busy = (double)pc->nodes * af_node_power_W(&pc->node, 1, 0);
        if (!af_fw_le(af_fw_need(r, "pool", pc->name, "power"), busy, q, 1e-9))
            af_fw_fail("pool %s draws more than its nodes busy and unlimited", pc->name);
    }
}

/* Per inference service: arrived = served + rejected + in flight (none rejected without a queue
 * limit: the budget keeps the run far below the million in the system that the service holds at
 * most); throughput = served / T; replicas as configured and busy [0, 1]; the pool's GPU
 * utilization is its replicas' share of its GPUs; latency quantiles in order, the latency's
 * parts adding up to its mean and the tail's shares to 1; a recommendation service's mean
 * batch within [1, max]; feature bytes at most the admitted requests' reads; an objective's
 * attainment in [0, 1]; an LLM's turns each gave a token, its TTFT quantiles in order and below
 * the latency's, its KV outcomes add up to 1 and none comes from a kind of tier it does not have.
 * Quantiles come from a log histogram of 100 bins a decade: they may cross by a bin's width.
 * Returns the GPU-seconds the services' replicas were busy (useful GPU time). */
static double af_fw_check_serving(const af_world_config *cfg, const af_results *r, double q)
{
    const double bin = pow(10, 0.01) - 1 + AF_FW_REL; /* a histogram bin's relative width */
    double T = cfg->duration_s, gpu_s = 0;
    for (size_t i = 0; i < cfg->ninfers; i++) {
        const af_infer_config *c = &cfg->infers[i];
        const char *nm = c->name;
        double arrived = af_fw_need(r, "inference", nm, "arrived");
        double served = af_fw_need(r, "inference", nm, "served");
        double rejected = af_fw_need(r, "inference", nm, "rejected");
        double flight = af_fw_need(r, "inference", nm, "in_flight");
        if (arrived != served + rejected + flight)
            af_fw_fail("inference %s: %.17g arrived, %.17g served + %.17g rejected + %.17g in "
                       "flight",
                       nm, arrived, served, rejected, flight);
        if (c->queue_limit == 0 ? rejected != 0 : flight > c->queue_limit)
            af_fw_fail("inference %s: %.17g rejected, %.17g in flight with a queue limit of %u", nm,
                       rejected, flight, c->queue_limit);
        if (!af_fw_eq(af_fw_need(r, "inference", nm, "throughput"), served / T, AF_FW_REL, 0))
            af_fw_fail("inference %s: throughput is not served / duration", nm);
        double reps = af_fw_need(r, "inference", nm, "replicas");
        double u = af_fw_need(r, "inference", nm, "replica_utilization");
        if (reps != (double)c->replicas || u < 0 || u > 1 + q)
            af_fw_fail("inference %s: %.17g replicas (configured %lld), busy %.17g", nm, reps,
                       (long long)c->replicas, u);
        const af_pool_config *pc = &cfg->pools[c->pool];
        double gpus = (double)pc->nodes * pc->node.gpus;
        double busy = u * reps * (double)c->gpus_per_replica;
        if (!af_fw_eq(af_fw_need(r, "pool", pc->name, "gpu_utilization"), busy / gpus, 1e-9, 1e-12))
            af_fw_fail("inference %s: pool %s's utilization %.17g, its replicas keep %.17g of "
                       "its GPUs busy",
                       nm, pc->name, af_fw_need(r, "pool", pc->name, "gpu_utilization"),
                       busy / gpus);
        gpu_s += busy * T;

        if (served > 0) {
            static const char *const qs[] = {"latency_p50", "latency_p90", "latency_p99",
                                             "latency_p999"};
            double prev = 0;
            for (size_t k = 0; k < 4; k++) {
                double v = af_fw_need(r, "inference", nm, qs[k]);
                if (v < prev / (1 + bin))
                    af_fw_fail("inference %s: %s %.17g below the quantile before it, %.17g", nm,
                               qs[k], v, prev);
                prev = v;
            }
            static const char *const parts[] = {"reads_mean", "gpu_queue_mean", "batch_wait_mean",
                                                "service_mean"};
            double sum = 0;
            for (size_t k = 0; k < 4; k++)
                sum += af_fw_need(r, "inference", nm, parts[k]);
            double mean = af_fw_need(r, "inference", nm, "latency_mean");
            if (!af_fw_eq(sum, mean, 1e-9, 1e-9))
                af_fw_fail("inference %s: the latency's parts add up to %.17g s, its mean is "
                           "%.17g s",
                           nm, sum, mean);
            /* No part without its cause: reads without features or KV tiers, a batch wait for
             * an LLM (its batches are continuous). */
            bool reads = c->llm.on ? c->llm.nkv > 0
                                   : c->feature_tier != AF_WORLD_NONE && c->feature_reads > 0;
            if ((!reads && (af_fw_need(r, "inference", nm, "reads_mean") != 0 ||
                            af_fw_opt(r, "inference", nm, "tail_reads", 0) != 0)) ||
                (c->llm.on && af_fw_need(r, "inference", nm, "batch_wait_mean") != 0))
                af_fw_fail("inference %s: reads %.17g s (tail %.17g), batch wait %.17g s without "
                           "their cause",
                           nm, af_fw_need(r, "inference", nm, "reads_mean"),
                           af_fw_opt(r, "inference", nm, "tail_reads", 0),
                           af_fw_need(r, "inference", nm, "batch_wait_mean"));
        }
        static const char *const tails[] = {"tail_reads", "tail_gpu_queue", "tail_batch_wait",
                                            "tail_service"};
        if (af_fw_find(r, "inference", nm, tails[0])) {
            double sum = 0;
            for (size_t k = 0; k < 4; k++)
                sum += af_fw_need(r, "inference", nm, tails[k]);
            if (!af_fw_eq(sum, 1, 0, 1e-9))
                af_fw_fail("inference %s: the tail's shares add up to %.17g", nm, sum);
        }
        const af_metric *met = af_fw_find(r, "inference", nm, "slo_attainment");
        bool slo = c->llm.on ? c->llm.ttft_slo_s > 0 || c->llm.tpot_slo_s > 0 : c->slo_s > 0;
        if ((met != NULL) != (slo && served > 0) || (met && (met->value < 0 || met->value > 1)))
            af_fw_fail("inference %s: objective attainment %s%.17g, objective %s, %.17g served", nm,
                       met ? "" : "missing ", met ? met->value : 0, slo ? "set" : "none", served);

        if (!c->llm.on) {
            const af_metric *b = af_fw_find(r, "inference", nm, "batch_mean");
            if (b && (b->value < 1 || b->value > c->max_batch * (1 + AF_FW_REL)))
                af_fw_fail("inference %s: mean batch %.17g, max %u", nm, b->value, c->max_batch);
            double fb = af_fw_opt(r, "inference", nm, "feature_bytes", 0);
            if (!af_fw_le(fb, (arrived - rejected) * c->feature_reads * c->feature_B, AF_FW_REL, 0))
                af_fw_fail("inference %s: %.17g B of features read for %.17g requests of %u "
                           "reads of %.17g B",
                           nm, fb, arrived - rejected, c->feature_reads, c->feature_B);
            continue;
        }
        double tokens = af_fw_need(r, "inference", nm, "tokens_per_second");
        if (!af_fw_le(served, tokens * T, AF_FW_REL, 0))
            af_fw_fail("inference %s: %.17g turns served, %.17g tokens", nm, served, tokens * T);
        if (served > 0) {
            static const char *const pairs[][2] = {{"ttft_p50", "latency_p50"},
                                                   {"ttft_p99", "latency_p99"}};
            for (size_t k = 0; k < 2; k++) {
                double tt = af_fw_need(r, "inference", nm, pairs[k][0]);
                double e2e = af_fw_need(r, "inference", nm, pairs[k][1]);
                if (tt > e2e * (1 + bin))
                    af_fw_fail("inference %s: %s %.17g s above %s %.17g s", nm, pairs[k][0], tt,
                               pairs[k][1], e2e);
            }
            if (af_fw_need(r, "inference", nm, "ttft_p99") * (1 + bin) <
                af_fw_need(r, "inference", nm, "ttft_p50"))
                af_fw_fail("inference %s: ttft_p99 below ttft_p50", nm);
        }
        const af_metric *p50 = af_fw_find(r, "inference", nm, "tpot_p50");
        const af_metric *p99 = af_fw_find(r, "inference", nm, "tpot_p99");
        if ((p50 != NULL) != (p99 != NULL) || (p50 && p99->value * (1 + bin) < p50->value))
            af_fw_fail("inference %s: tpot_p50 %g, tpot_p99 %g", nm, p50 ? p50->value : -1,
                       p99 ? p99->value : -1);
        if (c->llm.max_batch > 0 &&
            af_fw_need(r, "inference", nm, "max_batch") != (double)c->llm.max_batch)
            af_fw_fail("inference %s: max_batch %.17g, configured %u", nm,
                       af_fw_need(r, "inference", nm, "max_batch"), c->llm.max_batch);
        if (af_fw_find(r, "inference", nm, "kv_recomputed")) {
            static const char *const kv[] = {"kv_hit_host", "kv_hit_local", "kv_hit_storage",
                                             "kv_recomputed"};
            bool has[3] = {false, false, false};
            for (size_t k = 0; k < c->llm.nkv; k++)
                has[c->llm.kv_tiers[k].where] = true;
            double sum = 0;
            for (size_t k = 0; k < 4; k++) {
                double v = af_fw_need(r, "inference", nm, kv[k]);
                if (k < 3 && !has[k] && v != 0)
                    af_fw_fail("inference %s: %s %.17g without such a tier", nm, kv[k], v);
                sum += v;
            }
            if (!af_fw_eq(sum, 1, 0, 1e-9))
                af_fw_fail("inference %s: the KV outcomes add up to %.17g", nm, sum);
        }
        for (size_t k = 0; k < c->llm.nkv; k++)
            if (c->llm.kv_tiers[k].where == AF_KV_TIER &&
                af_fw_need(r, "inference", nm, "kv_storage_capacity") >
                    c->llm.kv_tiers[k].capacity_B)
                af_fw_fail("inference %s: the storage tier gave more KV capacity than asked", nm);
    }
    return gpu_s;
}

static void af_fw_check_results(const af_world_config *cfg, const af_results *r, unsigned avoid)
{
    double T = cfg->duration_s;
    double q = AF_FW_REL + 1e-9 / T; /* one nanosecond over the duration */
    af_fw_check_all(r, q, avoid);
    af_fw_check_cost(cfg, r);
    if (!af_fw_eq(af_fw_need(r, "run", NULL, "duration"), T, 0, 0))
        af_fw_fail("run.duration is not the scenario's duration");
    double events = af_fw_need(r, "run", NULL, "events");
    if (cfg->max_events && events > (double)cfg->max_events)
        af_fw_fail("the run completed after %.17g events, over its budget of %llu", events,
                   (unsigned long long)cfg->max_events);

    /* Per group (a tier and its cache): bytes delivered to the GPUs by the data loaders and
     * moved by read bursts; bytes moved by write bursts and durable checkpoint writes. */
    double *delivered = calloc(cfg->ntiers, sizeof(double));
    double *written = calloc(cfg->ntiers, sizeof(double));
    /* Per tier: bytes its data sets and the checkpoint copies kept on it hold at the end. */
    double *kept = calloc(cfg->ntiers, sizeof(double));
    double useful_gpu_s = 0;
    for (size_t j = 0; j < cfg->ntrains; j++) {
        const char *nm = cfg->trains[j].name;
        double u = af_fw_need(r, "train", nm, "gpu_utilization");
        double w = af_fw_need(r, "train", nm, "data_wait");
        double ckpt_B = 0;
        double rest = af_fw_check_resilience(cfg, r, j, u, T, q, &ckpt_B);
        /* The step model's parts (parallel:): exposed communication, pipeline bubble, the wait
         * for the slowest node; written only where they apply. */
        rest += af_fw_opt(r, "train", nm, "exposed_communication", 0) +
                af_fw_opt(r, "train", nm, "pipeline_bubble", 0) +
                af_fw_opt(r, "train", nm, "straggler_wait", 0);
        if (!af_fw_eq(u + w + rest, 1, 0, q))
            af_fw_fail("train %s: computing %.17g + waiting for data %.17g + the other parts "
                       "(communication, bubble, stragglers, checkpoint stalls, lost work, "
                       "restarts, reloads, idle) %.17g = %.17g, not 1",
                       nm, u, w, rest, u + w + rest);
        const af_ckpt_config *c = &cfg->trains[j].ckpt;
        kept[cfg->trains[j].tier] += cfg->trains[j].dataset_B;
        if (c->on) {
            written[af_fw_group(cfg, c->tier)] += ckpt_B;
            double n = af_fw_need(r, "checkpoint", nm, "written");
            kept[c->tier] += (c->keep > 0 ? fmin(n, c->keep) : n) * c->size_B;
        }
        char prefix[160];
        snprintf(prefix, sizeof prefix, "train.%s.wait_", nm);
        double held = af_fw_sum_prefix(r, prefix);
        if (!af_fw_eq(held, w, AF_FW_REL, AF_FW_REL))
            af_fw_fail("train %s: the waits held by the resources add up to %.17g, the data wait "
                       "is %.17g",
                       nm, held, w);
        double gpus = af_fw_need(r, "train", nm, "gpus");
        double steps = af_fw_need(r, "train", nm, "steps");
        double step_s = af_fw_need(r, "train", nm, "compute_time_per_step");
        if (!af_fw_le(steps * step_s, u * T, AF_FW_REL, 1e-9))
            af_fw_fail("train %s: %.17g steps of %.17g s do not fit in %.17g s of computing", nm,
                       steps, step_s, u * T);
        double samples = steps * cfg->trains[j].samples_per_gpu * gpus / T;
        if (!af_fw_eq(af_fw_need(r, "train", nm, "samples_per_second"), samples, AF_FW_REL, 0))
            af_fw_fail("train %s: samples per second is not steps x batch x GPUs / duration", nm);
        if (!af_fw_eq(
                af_fw_need(r, "pool", cfg->pools[cfg->trains[j].pool].name, "gpu_utilization"), u,
                0, 0))
            af_fw_fail("train %s: its pool's utilization is not the job's", nm);
        if (!(avoid & AF_FW_AVOID_HOLDS))
            af_fw_check_holds(cfg, r, j, q + events * 1e-9 / T);
        useful_gpu_s += u * T * gpus;
        delivered[af_fw_group(cfg, cfg->trains[j].tier)] +=
            af_fw_need(r, "train", nm, "read_rate_per_gpu") * gpus * T;
    }

    for (size_t i = 0; i < cfg->nbursts; i++) {
        const af_burst_config *b = &cfg->bursts[i];
        const char *nm = b->name;
        double started = af_fw_need(r, "burst", nm, "started");
        double completed = af_fw_need(r, "burst", nm, "completed");
        double moved = af_fw_need(r, "burst", nm, "moved");
        double rejected = b->write ? af_fw_need(r, "burst", nm, "rejected") : 0;
        double size = af_fw_need(r, "burst", nm, "size");
        /* Burst times whose write found no room at all (counted apart from the started ones
         * where the run reports them). */
        double refused = af_fw_opt(r, "burst", nm, "refused", 0);
        if (completed > started)
            af_fw_fail("burst %s: %.17g completed of %.17g started", nm, completed, started);
        if (!af_fw_le(moved + rejected, (started + refused) * size, AF_FW_REL, 0))
            af_fw_fail("burst %s: moved %.17g + rejected %.17g B, more than %.17g bursts "
                       "started and %.17g refused of %.17g B",
                       nm, moved, rejected, started, refused, size);
        if (!af_fw_le(completed * size, moved + rejected, AF_FW_REL, 0))
            af_fw_fail("burst %s: %.17g bursts of %.17g B completed, but only %.17g B moved and "
                       "%.17g B rejected",
                       nm, completed, size, moved, rejected);
        if (af_fw_opt(r, "burst", nm, "drains_completed", 0) +
                af_fw_opt(r, "burst", nm, "drains_dropped", 0) >
            af_fw_opt(r, "burst", nm, "drains_started", 0))
            af_fw_fail("burst %s: more drains completed or dropped than started", nm);
        if (!af_fw_le(af_fw_opt(r, "burst", nm, "time_mean", 0),
                      af_fw_opt(r, "burst", nm, "time_max", 0), AF_FW_REL, 0))
            af_fw_fail("burst %s: mean duration above the longest", nm);
        size_t g = af_fw_group(cfg, b->tier);
        if (b->write)
            written[g] += moved;
        else
            delivered[g] += moved;
    }

    for (size_t i = 0; i < cfg->nlookups; i++) {
        const char *nm = cfg->lookups[i].name;
        double n = af_fw_need(r, "lookup", nm, "requests");
        if (!af_fw_eq(af_fw_need(r, "lookup", nm, "rate"), n / T, AF_FW_REL, 0))
            af_fw_fail("lookup %s: rate is not requests / duration", nm);
        if (n > 0) {
            double p50 = af_fw_need(r, "lookup", nm, "latency_p50");
            double p99 = af_fw_need(r, "lookup", nm, "latency_p99");
            double p999 = af_fw_need(r, "lookup", nm, "latency_p999");
            if (!af_fw_le(p50, p99, AF_FW_REL, 0) || !af_fw_le(p99, p999, AF_FW_REL, 0))
                af_fw_fail("lookup %s: latency quantiles out of order: p50 %.17g, p99 %.17g, "
                           "p99.9 %.17g",
                           nm, p50, p99, p999);
        }
    }

    useful_gpu_s += af_fw_check_serving(cfg, r, q);

    double it_W = 0;
    double *read_g = calloc(cfg->ntiers, sizeof(double));
    double *write_g = calloc(cfg->ntiers, sizeof(double));
    for (size_t t = 0; t < cfg->ntiers; t++) {
        const char *nm = cfg->tiers[t].name;
        double rb = af_fw_need(r, "storage", nm, "read_bytes");
        double wb = af_fw_need(r, "storage", nm, "write_bytes");
        if (!af_fw_eq(af_fw_need(r, "storage", nm, "read_rate"), rb / T, AF_FW_REL, 0) ||
            !af_fw_eq(af_fw_need(r, "storage", nm, "write_rate"), wb / T, AF_FW_REL, 0))
            af_fw_fail("storage %s: a rate is not its bytes / duration", nm);
        double used = af_fw_need(r, "storage", nm, "used_capacity");
        double peak = af_fw_need(r, "storage", nm, "peak_capacity");
        double usable = af_fw_need(r, "storage", nm, "usable_capacity");
        if (!af_fw_le(used, peak, AF_FW_REL, 0) || !af_fw_le(peak, usable, AF_FW_REL, 0))
            af_fw_fail("storage %s: used %.17g, peak %.17g, usable %.17g B out of order", nm, used,
                       peak, usable);
        /* Up to the rounding of the sums of what came and went: at most an ulp of the peak
         * per event. */
        if (!af_fw_le(kept[t], used, AF_FW_REL, peak * 1e-9))
            af_fw_fail("storage %s: its data sets and the checkpoints kept on it hold %.17g B, "
                       "but only %.17g B are used",
                       nm, kept[t], used);
        double busy = af_fw_need(r, "storage", nm, "device_read_busy") +
                      af_fw_need(r, "storage", nm, "device_write_busy");
        if (busy > 1 + AF_FW_REL)
            af_fw_fail("storage %s: devices reading + writing = %.17g", nm, busy);
        read_g[af_fw_group(cfg, t)] += rb;
        write_g[af_fw_group(cfg, t)] += wb;
        it_W += af_fw_need(r, "storage", nm, "power");
    }
    for (size_t t = 0; t < cfg->ntiers; t++) {
        if (!af_fw_le(delivered[t], read_g[t], AF_FW_REL, 0))
            af_fw_fail("storage %s (with its cache): %.17g B delivered to GPUs and read bursts, "
                       "only %.17g B read from the devices",
                       cfg->tiers[t].name, delivered[t], read_g[t]);
        if (!af_fw_le(written[t], write_g[t], AF_FW_REL, 0))
            af_fw_fail("storage %s (with its cache): %.17g B moved by write bursts and durable "
                       "checkpoint writes, only %.17g B written to the devices",
                       cfg->tiers[t].name, written[t], write_g[t]);
    }
    free(kept);
    free(write_g);
    free(read_g);
    free(written);
    free(delivered);

    for (size_t p = 0; p < cfg->npools; p++) {
        const char *nm = cfg->pools[p].name;
        double power = af_fw_need(r, "pool", nm, "power");
        if (!af_fw_eq(af_fw_need(r, "pool", nm, "energy"), power * T, AF_FW_REL, 0))
            af_fw_fail("pool %s: energy is not power x duration", nm);
        it_W += power;
    }
    for (size_t f = 0; f < cfg->nfabrics; f++)
        it_W += af_fw_need(r, "fabric", cfg->fabrics[f].name, "power");
    double it = af_fw_need(r, "facility", NULL, "it_power");
    double fac = af_fw_need(r, "facility", NULL, "power");
    if (!af_fw_eq(it, it_W, AF_FW_REL, 0))
        af_fw_fail("facility: IT power %.17g W, the pools, tiers and fabrics draw %.17g W", it,
                   it_W);
    if (!af_fw_le(it, fac, AF_FW_REL, 0))
        af_fw_fail("facility: power %.17g W below the IT power %.17g W", fac, it);
    if (!af_fw_eq(af_fw_need(r, "facility", NULL, "energy"), fac * T, AF_FW_REL, 0))
        af_fw_fail("facility: energy is not power x duration");

    double capital = af_fw_need(r, "cost", NULL, "capital");
    double maint = af_fw_need(r, "cost", NULL, "maintenance");
    double energy = af_fw_need(r, "cost", NULL, "energy");
    double space = af_fw_need(r, "cost", NULL, "space");
    double total = af_fw_need(r, "cost", NULL, "total");
    if (!af_fw_eq(capital + maint + energy + space, total, AF_FW_REL, 0))
        af_fw_fail("cost: capital %.17g + maintenance %.17g + energy %.17g + space %.17g = %.17g, "
                   "total %.17g",
                   capital, maint, energy, space, capital + maint + energy + space, total);
    /* A price per hour is USD per second in the dimension of an hourly price, USD for one hour
     * in that of money. */
    const af_metric *per = af_fw_find(r, "cost", NULL, "per_hour");
    if (!per || per->text)
        af_fw_fail("metric cost.per_hour missing");
    double hour = per->dim == AF_DIM_MONEY ? 3600 : 1;
    if (!af_fw_eq(per->value, total / T * hour, AF_FW_REL, 0))
        af_fw_fail("cost: per hour %.17g, total / duration %.17g", per->value, total / T * hour);
    const af_metric *per_gpu = af_fw_find(r, "cost", NULL, "per_useful_gpu_hour");
    if (per_gpu && useful_gpu_s > 0 &&
        !af_fw_eq(per_gpu->value, total / useful_gpu_s * hour, 1e-6, 0))
        af_fw_fail("cost: per useful GPU-hour %.17g, total / computing GPU-time %.17g",
                   per_gpu->value, total / useful_gpu_s * hour);
}

/* The two runs of one configuration gave the same results. */
static void af_fw_check_same(const af_results *a, const af_results *b)
{
    size_t n = af_results_count(a);
    if (af_results_count(b) != n)
        af_fw_fail("a second run gives %zu metrics, the first %zu", af_results_count(b), n);
    for (size_t i = 0; i < n; i++) {
        const af_metric *x = af_results_get(a, i), *y = af_results_get(b, i);
        bool same = strcmp(x->name, y->name) == 0 && x->dim == y->dim && !x->text == !y->text &&
                    (!x->text || strcmp(x->text, y->text) == 0) &&
                    (x->text || memcmp(&x->value, &y->value, sizeof x->value) == 0);
        if (!same)
            af_fw_fail("a second run differs at metric %zu: %s = %.17g, then %s = %.17g", i,
                       x->name, x->value, y->name, y->value);
    }
}

/* The sampled series: every value finite; a job's seven shares of each window at least 0 and
 * adding up to one (q: the window's ns rounding relative to its width). */
static void af_fw_check_series(const af_world_config *cfg, const af_results *r)
{
    for (size_t i = 0; i < af_results_nseries(r); i++) {
        const af_series *s = af_results_series_get(r, i);
        for (size_t k = 0; k < s->n; k++)
            if (!isfinite(s->v[k]))
                af_fw_fail("series %s point %zu is %g", s->name, k, s->v[k]);
    }
    for (size_t j = 0; j < cfg->ntrains; j++) {
        const af_series *s[AF_TRAIN_SHARES];
        for (int i = 0; i < AF_TRAIN_SHARES; i++) {
            char nm[256];
            snprintf(nm, sizeof nm, "train.%s.%s", cfg->trains[j].name, af_train_share_leaf[i]);
            s[i] = af_results_series_find(r, nm);
            if (!s[i])
                af_fw_fail("series %s missing", nm);
        }
        double q = 1e-6 + 1e-9 * 4 / (s[0]->dt > 0 ? s[0]->dt : 1);
        for (size_t k = 0; k < s[0]->n; k++) {
            double sum = 0;
            for (int i = 0; i < AF_TRAIN_SHARES; i++) {
                if (s[i]->v[k] < -q)
                    af_fw_fail("train %s: %s = %.17g in window %zu", cfg->trains[j].name,
                               af_train_share_leaf[i],
                               s[i]->v[k], k);
                sum += s[i]->v[k];
            }
            if (fabs(sum - 1) > q)
                af_fw_fail("train %s: window %zu's shares add up to %.17g", cfg->trains[j].name, k,
                           sum);
        }
    }
}

/* ---- the harness -------------------------------------------------------------------------- */

static FILE *af_fw_null;

/* How the runs ended: refused by the check (AF_EINPUT, AF_EIO), out of budget, completed. */
static unsigned long long af_fw_ends[4];

/* Of the completed runs' training jobs: with failures, that failed, that read a checkpoint back;
 * with a checkpoint, that wrote one; with a target, that reached it. */
static unsigned long long af_fw_res[7];

/* Of the completed runs' services: recommendation-style, that served some, rejected some and
 * read features; LLM, that served some, rejected some, reloaded a KV cache (from any tier) and
 * from the storage tier. */
static unsigned long long af_fw_svc[9];

/* Runs that passed the check and needed more events than its estimate (af_world_check_estimate,
 * "at most" for jobs that never wait), and the largest ratio. */
static unsigned long long af_fw_low;
static double af_fw_low_worst;

/* AIFSIM_FUZZ_STATS: count the ends and the low estimates; =2: print why each refused run was
 * refused and each low estimate (with the scenario when 10 times low). */
static bool af_fw_stats, af_fw_verbose;

static void af_fw_print_stats(void)
{
    fprintf(stderr,
            "fuzz_world: %llu refused as bad input, %llu refused for the event budget, %llu out "
            "of budget, %llu completed; %llu needed more events than estimated (at worst %.3g "
            "times)\n",
            af_fw_ends[0], af_fw_ends[1], af_fw_ends[2], af_fw_ends[3], af_fw_low, af_fw_low_worst);
    fprintf(stderr,
            "fuzz_world: their training jobs: %llu with failures (%llu failed, %llu read a "
            "checkpoint back), %llu with a checkpoint (%llu wrote one), %llu with a target "
            "(%llu reached it)\n",
            af_fw_res[0], af_fw_res[1], af_fw_res[2], af_fw_res[3], af_fw_res[4], af_fw_res[5],
            af_fw_res[6]);
    fprintf(stderr,
            "fuzz_world: their services: %llu batched (%llu served some, %llu rejected some, "
            "%llu read features), %llu LLM (%llu served some, %llu rejected some, %llu reloaded "
            "a KV cache, %llu from a storage tier)\n",
            af_fw_svc[0], af_fw_svc[1], af_fw_svc[2], af_fw_svc[3], af_fw_svc[4], af_fw_svc[5],
            af_fw_svc[6], af_fw_svc[7], af_fw_svc[8]);
}

/* Counts what the completed run's services did. */
static void af_fw_count_serving(const af_world_config *cfg, const af_results *r)
{
    for (size_t i = 0; i < cfg->ninfers; i++) {
        const char *nm = cfg->infers[i].name;
        unsigned long long *c = af_fw_svc + (cfg->infers[i].llm.on ? 4 : 0);
        c[0]++;
        c[1] += af_fw_opt(r, "inference", nm, "served", 0) > 0;
        c[2] += af_fw_opt(r, "inference", nm, "rejected", 0) > 0;
        if (cfg->infers[i].llm.on) {
            c[3] += af_fw_opt(r, "inference", nm, "kv_recomputed", 1) < 1;
            c[4] += af_fw_opt(r, "inference", nm, "kv_hit_storage", 0) > 0;
        } else {
            c[3] += af_fw_opt(r, "inference", nm, "feature_bytes", 0) > 0;
        }
    }
}

/* Counts what the completed run's training jobs did of their checkpoints, failures and
 * targets. */
static void af_fw_count_resilience(const af_world_config *cfg, const af_results *r)
{
    for (size_t j = 0; j < cfg->ntrains; j++) {
        const af_train_config *tc = &cfg->trains[j];
        if (tc->fail.on) {
            af_fw_res[0]++;
            af_fw_res[1] += af_fw_opt(r, "failures", tc->name, "count", 0) > 0;
            af_fw_res[2] += af_fw_opt(r, "checkpoint", tc->name, "reads", 0) > 0;
        }
        if (tc->ckpt.on) {
            af_fw_res[3]++;
            af_fw_res[4] += af_fw_opt(r, "checkpoint", tc->name, "written", 0) > 0;
        }
        if (tc->target_steps > 0) {
            af_fw_res[5]++;
            af_fw_res[6] += af_fw_find(r, "train", tc->name, "time_to_target") != NULL;
        }
    }
}

/* Compares the events a run executed (or its budget, when it ran out) with the estimate. */
static void af_fw_count_estimate(const af_world_config *cfg, double events)
{
    af_world_estimate est;
    af_diag *d = af_diag_new();
    int rc = af_world_check_estimate(cfg, &est, d);
    if (rc == AF_OK && events > est.events) {
        af_fw_low++;
        if (events / est.events > af_fw_low_worst)
            af_fw_low_worst = events / est.events;
        if (af_fw_verbose)
            fprintf(stderr, "fuzz_world: %.0f events, %.0f estimated (%s %s the most)\n", events,
                    est.events, est.top_kind ? est.top_kind : "-",
                    est.top_name ? est.top_name : "-");
        if (af_fw_verbose && events > 10 * est.events)
            fprintf(stderr, "fuzz_world: the scenario:\n%s", af_fw_yaml);
    }
    af_fuzz_drain(d);
    af_diag_free(d);
}

static void af_fw_close_null(void)
{
    if (af_fw_null)
        fclose(af_fw_null);
    af_fw_null = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    af_fuzz_catalog();
    af_fw_null = fopen("/dev/null", "w");
    if (!af_fw_null) {
        perror("fuzz_world: /dev/null");
        exit(2);
    }
    atexit(af_fw_close_null);
    const char *stats = getenv("AIFSIM_FUZZ_STATS");
    af_fw_stats = stats && *stats && strcmp(stats, "0") != 0;
    if (af_fw_stats)
        atexit(af_fw_print_stats);
    af_fw_verbose = stats && strcmp(stats, "2") == 0;
    return 0;
}

/* Checks that rc and the errors in d agree: AF_OK with none, a failure with some. */
static void af_fw_check_rc(const char *what, int rc, const af_diag *d)
{
    if ((rc == AF_OK) != (af_diag_errors(d) == 0)) {
        af_diag_print(d, stderr);
        af_fw_fail("%s returned %d with %zu errors", what, rc, af_diag_errors(d));
    }
}

/* The first line of an input that is a scenario in YAML, not choices (see "Regression inputs in
 * YAML" above). */
#define AF_FW_YAML_MAGIC "# fuzz_world: yaml\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    af_fw_gen g = {.cat = af_fuzz_catalog(), .avoid = af_fw_avoid_flags()};
    size_t magic = sizeof AF_FW_YAML_MAGIC - 1;
    bool yaml = size >= magic && memcmp(data, AF_FW_YAML_MAGIC, magic) == 0;
    g.text.cap = yaml ? size + 1 : 4096;
    g.text.buf = malloc(g.text.cap);
    if (!g.text.buf)
        abort();
    g.text.buf[0] = '\0';
    if (yaml) {
        memcpy(g.text.buf, data, size);
        g.text.buf[size] = '\0';
        g.text.len = size;
    } else {
        af_fw_generate(&g, data, size);
    }
    af_fw_yaml = g.text.buf;
    const char *print = getenv("AIFSIM_FUZZ_PRINT");
    if (print && *print && strcmp(print, "0") != 0) {
        fputs(g.text.buf, stdout);
        fflush(stdout);
    }

    af_diag *d = af_diag_new();
    af_arena *arena = af_arena_new();
    af_world_config cfg;
    int rc = af_scenario_parse("fuzz-world.yaml", g.text.buf, g.text.len, af_fuzz_catalog(), NULL,
                               0, arena, &cfg, d);
    if (g.refuse) {
        /* Written to be refused: refused, with a message naming the field. */
        bool named = false;
        for (size_t i = 0; i < af_diag_count(d); i++) {
            char *msg = af_diag_format(d, i);
            named |= strstr(msg, g.refuse) != NULL;
            af_free(msg);
        }
        if (rc != AF_EINPUT || !named) {
            af_diag_print(d, stderr);
            af_fw_fail("the loader returned %d for a scenario it must refuse for %s", rc, g.refuse);
        }
        af_fw_ends[0]++;
        goto done;
    }
    if (yaml && rc != AF_OK) {
        af_fw_check_rc("af_scenario_parse", rc, d);
        goto done;
    }
    if (rc != AF_OK) {
        af_diag_print(d, stderr);
        af_fw_fail("the loader refused a scenario within the documented ranges (rc %d)", rc);
    }
    af_fw_check_rc("af_scenario_parse", rc, d);
    af_fuzz_check_config(&cfg);
    if (yaml && !(cfg.max_events > 0 && cfg.max_events <= AF_FW_MAX_BUDGET))
        goto done; /* not run: it could run for long */

    int crc = af_world_check(&cfg, d);
    af_fw_check_rc("af_world_check", crc, d);
    af_results *res = af_results_new();
    af_diag *rd = af_diag_new();
    int rrc = af_world_run(&cfg, res, rd);
    af_fw_check_rc("af_world_run", rrc, rd);
    if (crc != AF_OK) {
        /* Refused: the run refuses it the same way, before simulating. */
        if (crc != AF_EINPUT && crc != AF_EIO)
            af_fw_fail("af_world_check returned %d", crc);
        if (rrc != crc)
            af_fw_fail("af_world_check returned %d, af_world_run %d", crc, rrc);
        af_fw_ends[crc == AF_EINPUT ? 0 : 1]++;
        if (af_fw_verbose)
            af_diag_print(d, stderr);
    } else if (rrc == AF_OK) {
        af_fw_ends[3]++;
        af_fw_check_results(&cfg, res, g.avoid);
        if (af_fw_stats) {
            af_fw_count_estimate(&cfg, af_fw_need(res, "run", NULL, "events"));
            af_fw_count_resilience(&cfg, res);
            af_fw_count_serving(&cfg, res);
        }
        af_report_text(res, cfg.name, af_fw_null);
        /* The second run also samples time series (7 windows) and records a timeline: neither
         * may change a metric, and the series must hold together. */
        af_results *again = af_results_new();
        af_diag *ad = af_diag_new();
        af_world_config sampled = cfg;
        sampled.sample_s = cfg.duration_s / 7;
        af_trace *tr = af_trace_new(1000, 0, INT64_MAX);
        sampled.trace = tr;
        if (af_world_run(&sampled, again, ad) != AF_OK)
            af_fw_fail("a second run of the same configuration failed");
        af_fw_check_same(res, again);
        af_fw_check_series(&cfg, again);
        af_trace_free(tr);
        af_fuzz_drain(ad);
        af_diag_free(ad);
        af_results_free(again);
    } else if (rrc == AF_EIO) {
        af_fw_ends[2]++;
        if (af_fw_stats)
            af_fw_count_estimate(&cfg, cfg.max_events ? (double)cfg.max_events : INFINITY);
    } else {
        af_diag_print(rd, stderr);
        af_fw_fail("af_world_check passed, af_world_run returned %d", rrc);
    }
    af_fuzz_drain(rd);
    af_diag_free(rd);
    af_results_free(res);
done:
    af_fuzz_drain(d);
    af_arena_free(arena);
    af_diag_free(d);
    af_fw_yaml = NULL;
    free(g.text.buf);
    return 0;
}
