/*
 * Validation of the serving kind (workload/infer.c) at the request level, against queueing
 * theory (doc/formulas.md, "Queueing"):
 *   - Poisson arrivals, batches of one, exponential service on c replicas: M/M/c, whose mean
 *     sojourn is 1/mu + C(c, a) / (c mu - lambda) with Erlang's C formula;
 *   - one replica with fixed service: M/D/1, D + rho D / (2 (1 - rho)) (Pollaczek-Khinchine);
 *   - one feature read per request on D devices chosen uniformly: each device an M/D/1 queue at
 *     lambda / D, plus the device latency its service time leaves out;
 *   - dynamic batching at a low rate: a lone request waits max_wait, then takes the service of a
 *     batch of one;
 *   - conservation: arrived = served + rejected + unfinished, with and without admission control;
 *   - two services reading features from one tier share its devices: each device is M/D/1 at
 *     their combined rate;
 *   - a service and a look-up stream on one tier each run at the device time the other's mean
 *     load leaves (the combined-load approximation, doc/formulas.md "Serving"), M/D/1 at the
 *     stretched service time; and the tier's check refuses a combined load at or above its
 *     devices, naming every user.
 * Means are compared inside a 99.9% confidence interval over independent replications.
 */
#include "tests/validation/sharing.h"

enum { REPS = 8 };
#define T_999_7DF 5.408 /* t quantile 0.9995 with 7 degrees of freedom: a 99.9% interval */

/* A fixture with one pool of 8 GPUs serving (no training), no features. */
static void serve_fixture(af_fixture *f, double lambda, double duration_s, uint64_t seed)
{
    af_fix_init(f, 1, 1, 1e9, 1e9, 1.0, duration_s);
    f->cfg.ntrains = 0;
    f->cfg.seed = seed;
    f->infers[0] = (af_infer_config){.name = "svc",
                                     .pool = 0,
                                     .replicas = 1,
                                     .gpus_per_replica = 1,
                                     .arrivals = {.rate_per_s = lambda},
                                     .feature_tier = AF_WORLD_NONE,
                                     .feature_B = 4096,
                                     .max_batch = 1,
                                     .slo_quantile = 0.99};
    f->cfg.ninfers = 1;
}

/* Erlang's C formula: the probability that an arrival waits in M/M/c with offered load a. */
static double erlang_c(int c, double a)
{
    double term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double rho = a / c;
    double top = term / (1 - rho);
    return top / (sum + top);
}

/* Mean and 99.9% half-width of REPS values. */
static void ci(const double *x, double *mean, double *half)
{
    double s = 0, s2 = 0;
    for (int i = 0; i < REPS; i++) {
        s += x[i];
        s2 += x[i] * x[i];
    }
    *mean = s / REPS;
    double var = (s2 - REPS * *mean * *mean) / (REPS - 1);
    *half = T_999_7DF * sqrt(var > 0 ? var : 0) / sqrt(REPS);
}

static void test_mmc(void)
{
    const struct {
        int c;
        double rho;
    } cases[] = {{1, 0.5}, {4, 0.7}, {8, 0.85}};
    double mu = 100; /* 10 ms per request */
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int c = cases[k].c;
        double lambda = cases[k].rho * c * mu;
        double x[REPS];
        for (int rep = 0; rep < REPS; rep++) {
            af_fixture f;
            serve_fixture(&f, lambda, 200000 / lambda, 500 + (uint64_t)rep);
            f.infers[0].replicas = c;
            f.infers[0].service_s = 1 / mu;
            f.infers[0].service_dist = AF_SERVICE_EXPONENTIAL;
            af_results *r = af_run(&f);
            x[rep] = af_get(r, "inference.svc.latency_mean");
            af_results_free(r);
        }
        double mean, half;
        ci(x, &mean, &half);
        double a = lambda / mu;
        double expect = 1 / mu + erlang_c(c, a) / (c * mu - lambda);
        if (fabs(mean - expect) > half)
            fprintf(stderr, "M/M/%d rho %.2f: mean %g, Erlang C %g, half-width %g\n", c,
                    cases[k].rho, mean, expect, half);
        CU_ASSERT(fabs(mean - expect) <= half);
        CU_ASSERT(half < 0.05 * expect);
    }
}

static void test_md1(void)
{
    const double rhos[] = {0.5, 0.8};
    double D = 4e-3;
    for (size_t k = 0; k < sizeof rhos / sizeof rhos[0]; k++) {
        double lambda = rhos[k] / D;
        double x[REPS];
        for (int rep = 0; rep < REPS; rep++) {
            af_fixture f;
            serve_fixture(&f, lambda, 200000 / lambda, 700 + (uint64_t)rep);
            f.infers[0].service_s = D;
            af_results *r = af_run(&f);
            x[rep] = af_get(r, "inference.svc.latency_mean");
            af_results_free(r);
        }
        double mean, half;
        ci(x, &mean, &half);
        double expect = D + rhos[k] * D / (2 * (1 - rhos[k]));
        if (fabs(mean - expect) > half)
            fprintf(stderr, "M/D/1 rho %.2f: mean %g, P-K %g, half-width %g\n", rhos[k], mean,
                    expect, half);
        CU_ASSERT(fabs(mean - expect) <= half);
        CU_ASSERT(half < 0.05 * expect);
    }
}

/* One 4 KiB feature read per request on a tier of 10 devices (1e6 IOPS, 1 GB/s each: 5.1 us per
 * read): each device is M/D/1 at lambda / 10; the device latency (20 us) is longer than the
 * service time, so every read also takes the difference. */
static void test_feature_reads(void)
{
    double rho = 0.6;
    double D = 1e-6 + 4096 / 1e9;
    double lambda = rho / D * 10;
    double x[REPS];
    for (int rep = 0; rep < REPS; rep++) {
        af_fixture f;
        serve_fixture(&f, lambda, 1000000 / lambda, 900 + (uint64_t)rep);
        f.tiers[0].system.device_read_Bps = 1e9;
        f.tiers[0].system.device_latency_s = 20e-6;
        f.infers[0].feature_tier = 0;
        f.infers[0].feature_reads = 1;
        f.infers[0].replicas = 8;
        f.infers[0].service_s = 1e-6;
        af_results *r = af_run(&f);
        x[rep] = af_get(r, "inference.svc.reads_mean");
        af_results_free(r);
    }
    double mean, half;
    ci(x, &mean, &half);
    double expect = D + rho * D / (2 * (1 - rho)) + (20e-6 - 1e-6);
    if (fabs(mean - expect) > half)
        fprintf(stderr, "reads: mean %g, M/D/1 + latency %g, half-width %g\n", mean, expect, half);
    CU_ASSERT(fabs(mean - expect) <= half);
    CU_ASSERT(half < 0.05 * expect);
}

/* At 1 request/s with batches of up to 16 and a 5 ms wait, almost every request is alone: it
 * waits 5 ms for company, then takes 2 ms + 0.5 ms. The median is that, to the histogram's
 * resolution (one bin, 2.3%); the mean batch is close to 1. */
static void test_batch_wait(void)
{
    af_fixture f;
    serve_fixture(&f, 1, 20000, 42);
    f.infers[0].max_batch = 16;
    f.infers[0].max_wait_s = 5e-3;
    f.infers[0].service_s = 2e-3;
    f.infers[0].per_request_s = 0.5e-3;
    af_results *r = af_run(&f);
    double p50 = af_get(r, "inference.svc.latency_p50");
    CU_ASSERT(fabs(p50 - 7.5e-3) <= 0.024 * 7.5e-3);
    CU_ASSERT(af_get(r, "inference.svc.batch_mean") < 1.02);
    CU_ASSERT(fabs(af_get(r, "inference.svc.batch_wait_mean") - 5e-3) < 0.05e-3);
    /* at full load, batches fill: 4 replicas, 2 ms + 0.5 ms per request, 5,000 requests/s need
     * batches of n with 4 n / (2 ms + 0.5 ms n) >= 5000, n >= 10/3 */
    af_results_free(r);
    serve_fixture(&f, 5000, 200, 43);
    f.infers[0].replicas = 4;
    f.infers[0].max_batch = 16;
    f.infers[0].max_wait_s = 5e-3;
    f.infers[0].service_s = 2e-3;
    f.infers[0].per_request_s = 0.5e-3;
    r = af_run(&f);
    CU_ASSERT(af_get(r, "inference.svc.batch_mean") >= 10.0 / 3);
    CU_ASSERT(af_get(r, "inference.svc.rejected") == 0);
    af_results_free(r);
}

/* Batches still running when the run ends are not in the mean batch, served / batches (a
 * fuzz_world finding: a 4 ms run reported a mean batch of 0.8). Two replicas of 0.6 s take the
 * first two requests alone (no wait), then batches of 4 still running at the end of the second:
 * 2 served in 2 batches. */
static void test_batch_in_flight(void)
{
    af_fixture f;
    serve_fixture(&f, 1000, 1, 11);
    f.infers[0].replicas = 2;
    f.infers[0].max_batch = 4;
    f.infers[0].service_s = 0.6;
    af_results *r = af_run(&f);
    CU_ASSERT_EQUAL(af_get(r, "inference.svc.served"), 2);
    CU_ASSERT_EQUAL(af_get(r, "inference.svc.batch_mean"), 1);
    af_results_free(r);
}

/* Conservation, and admission control under overload: 2 replicas of 10 ms serve 200/s; 400/s
 * arrive; with 100 admitted at most, the rest are rejected and throughput is the capacity. */
static void test_admission(void)
{
    af_fixture f;
    serve_fixture(&f, 400, 1000, 7);
    f.infers[0].replicas = 2;
    f.infers[0].service_s = 10e-3;
    f.infers[0].queue_limit = 100;
    af_results *r = af_run(&f);
    double arrived = af_get(r, "inference.svc.arrived");
    double served = af_get(r, "inference.svc.served");
    double rejected = af_get(r, "inference.svc.rejected");
    double unfinished = af_get(r, "inference.svc.in_flight");
    CU_ASSERT_EQUAL(arrived, served + rejected + unfinished);
    CU_ASSERT(unfinished <= 100);
    CU_ASSERT(fabs(af_get(r, "inference.svc.throughput") - 200) < 0.01 * 200);
    CU_ASSERT(fabs(rejected / arrived - 0.5) < 0.02);
    CU_ASSERT(af_get(r, "inference.svc.replica_utilization") > 0.99);
    /* the tail waits for the GPUs */
    CU_ASSERT(af_get(r, "inference.svc.tail_gpu_queue") > 0.9);
    af_results_free(r);
}

/* ---- LLM serving ---- */

/* A Llama-3-8B-like model (model/llm.h's figures) on the fixture's GPUs (1 PFLOP/s, 80 GB of HBM
 * at 3 TB/s). */
static const af_llm_spec test_llm = {.name = "test-llm",
                                     .params = 8e9,
                                     .layers = 32,
                                     .hidden = 4096,
                                     .ffn = 14336,
                                     .heads = 32,
                                     .kv_heads = 8,
                                     .head_dim = 128,
                                     .vocab = 128256,
                                     .context = 131072};

static void llm_fixture(af_fixture *f, double conv_rate, double duration_s, uint64_t seed)
{
    serve_fixture(f, conv_rate, duration_s, seed);
    f->infers[0].replicas = 8;
    f->infers[0].llm = (af_llm_serve_config){.on = true,
                                             .model = test_llm,
                                             .weights = AF_LLM_BF16,
                                             .kv = AF_LLM_BF16,
                                             .mfu = 0.5,
                                             .mbu = 0.8,
                                             .mem_fraction = 0.9,
                                             .prompt_tokens = 200,
                                             .output_tokens = 20,
                                             .prompt_dist = AF_SERVICE_FIXED,
                                             .output_dist = AF_SERVICE_FIXED,
                                             .turns = 1,
                                             .think_s = 10};
}

/* A turn alone on its replica, worked by hand from the roofline: its first token comes after
 * its prefill (TTFT), each later token after one decode step of a batch of one whose context
 * grows by a token a step (TPOT is their mean). Conversations come 100 s apart on average, so
 * turns are alone but for a few; the medians are the lone turn's figures to the histogram's
 * resolution (2.3%). */
static void test_llm_alone(void)
{
    af_fixture f;
    llm_fixture(&f, 0.01, 200000, 3);
    af_results *r = af_run(&f);
    af_node_spec node = af_fix_node();
    af_llm_replica rep = {.llm = &test_llm,
                          .gpu = &node.gpu,
                          .gpus = 1,
                          .weights = AF_LLM_BF16,
                          .kv = AF_LLM_BF16,
                          .mfu = 0.5,
                          .mbu = 0.8,
                          .mem_fraction = 0.9};
    double ttft = af_llm_prefill_cost(&rep, 200, 0).time_s;
    double decode = 0;
    for (int k = 1; k < 20; k++)
        decode += af_llm_decode_cost(&rep, 1, 200 + k).time_s;
    double tpot = decode / 19;
    double got_ttft = af_get(r, "inference.svc.ttft_p50");
    double got_tpot = af_get(r, "inference.svc.tpot_p50");
    if (fabs(got_ttft - ttft) > 0.024 * ttft || fabs(got_tpot - tpot) > 0.024 * tpot)
        fprintf(stderr, "alone: TTFT %g (hand %g), TPOT %g (hand %g)\n", got_ttft, ttft, got_tpot,
                tpot);
    CU_ASSERT(fabs(got_ttft - ttft) <= 0.024 * ttft);
    CU_ASSERT(fabs(got_tpot - tpot) <= 0.024 * tpot);
    CU_ASSERT(fabs(af_get(r, "inference.svc.latency_p50") - (ttft + decode)) <=
              0.024 * (ttft + decode));
    af_results_free(r);
}

/* KV tiers: the stack is an exact LRU by bytes (workload/kvstack.h, checked against a naive
 * stack in tests/unit/test_kvstack.c). Che's approximation on the rate of bytes pushed (model/
 * llm.h), 1 - exp(-C / (r T)) with exponential think times of mean T, counts a conversation that
 * pushed twice since another's last turn at both sizes, so it overstates depths and is a lower
 * bound on the hits: two tiers, host memory and local NVMe (per replica, so C counts them once
 * per replica), sized from a pilot run's push rate so that the bound is 30% within the first and
 * 60% within both; the shares within each cumulative capacity must reach the bound (inside a
 * 99.9% interval over replications), grow with the capacity, and the misses stay below the
 * bound's. Both tiers are fast, so a hit always reloads. */
static void test_llm_kv_tiers(void)
{
    enum { N = REPS };
    double T = 20;
    af_fixture f;
    llm_fixture(&f, 4, 3600, 11);
    f.infers[0].llm.turns = 5;
    f.infers[0].llm.think_s = T;
    f.infers[0].llm.nkv = 2;
    f.infers[0].llm.kv_tiers[0] =
        (af_kv_tier_config){.where = AF_KV_HOST, .capacity_B = 1e15, .bandwidth_Bps = 1e12,
                            .tier = AF_WORLD_NONE};
    f.infers[0].llm.kv_tiers[1] =
        (af_kv_tier_config){.where = AF_KV_LOCAL, .capacity_B = 1e15, .bandwidth_Bps = 1e12,
                            .tier = AF_WORLD_NONE};
    af_results *r = af_run(&f);
    double push = af_get(r, "inference.svc.kv_push_rate");
    af_results_free(r);
    /* cumulative capacities for 30% and 60% hit: C = -r T ln(1 - h), per replica / 8 */
    double c1 = -push * T * log(1 - 0.3), c2 = -push * T * log(1 - 0.6);
    double caps[2] = {c1, c2 - c1}, hit[2];
    double miss = af_llm_kv_tier_hits(caps, 2, push, T, hit);
    double host[N], within2[N], rec[N];
    for (int rep = 0; rep < N; rep++) {
        llm_fixture(&f, 4, 3600, 100 + (uint64_t)rep);
        f.infers[0].llm.turns = 5;
        f.infers[0].llm.think_s = T;
        f.infers[0].llm.nkv = 2;
        f.infers[0].llm.kv_tiers[0] = (af_kv_tier_config){
            .where = AF_KV_HOST, .capacity_B = caps[0] / 8, .bandwidth_Bps = 1e12,
            .tier = AF_WORLD_NONE};
        f.infers[0].llm.kv_tiers[1] = (af_kv_tier_config){
            .where = AF_KV_LOCAL, .capacity_B = caps[1] / 8, .bandwidth_Bps = 1e12,
            .tier = AF_WORLD_NONE};
        r = af_run(&f);
        host[rep] = af_get(r, "inference.svc.kv_hit_host");
        within2[rep] = host[rep] + af_get(r, "inference.svc.kv_hit_local");
        rec[rep] = af_get(r, "inference.svc.kv_recomputed");
        af_results_free(r);
    }
    double m, h;
    const struct {
        const double *x;
        double expect;
        const char *what;
    } cmp[] = {{host, hit[0], "within the host tier"},
               {within2, hit[0] + hit[1], "within host and local"},
               {rec, miss, "missed"}};
    for (size_t k = 0; k < 3; k++) {
        ci(cmp[k].x, &m, &h);
        bool ok = k < 2 ? m >= cmp[k].expect - h : m <= cmp[k].expect + h;
        if (!ok)
            fprintf(stderr, "KV %s: %g, Che's bound %g, half-width %g\n", cmp[k].what, m,
                    cmp[k].expect, h);
        CU_ASSERT(ok);
        CU_ASSERT(h < 0.03);
    }
    for (int rep = 0; rep < N; rep++)
        CU_ASSERT(host[rep] <= within2[rep]);
}

/* Conservation for LLM turns, and the continuous batch's limit: at 200 conversations/s of one
 * turn, 8 replicas cannot keep up (each turn costs about 40 ms of decode steps at small batch,
 * less per turn at large batch; the queue limit rejects the rest). */
static void test_llm_overload(void)
{
    af_fixture f;
    llm_fixture(&f, 2000, 60, 5);
    f.infers[0].queue_limit = 2000;
    af_results *r = af_run(&f);
    double arrived = af_get(r, "inference.svc.arrived");
    double served = af_get(r, "inference.svc.served");
    double rejected = af_get(r, "inference.svc.rejected");
    double unfinished = af_get(r, "inference.svc.in_flight");
    CU_ASSERT_EQUAL(arrived, served + rejected + unfinished);
    CU_ASSERT(rejected > 0);
    CU_ASSERT(unfinished <= 2000);
    /* tokens: every served turn gave 20, the unfinished ones some */
    double tokens = af_get(r, "inference.svc.tokens_per_second") * 60;
    CU_ASSERT(tokens >= served * 20);
    CU_ASSERT(tokens <= (served + unfinished) * 20);
    CU_ASSERT(af_get(r, "inference.svc.replica_utilization") > 0.99);
    af_results_free(r);
}

/* ---- several latency users on one tier ---- */

/* Two services, "a" on pool 0 and "b" on pool 1 (8 GPUs each), each request reading one 4 KiB
 * feature from the fixture's tier of 10 devices (5.096 us per read, no latency beyond it). */
static void two_fixture(af_fixture *f, double lambda_a, double lambda_b, double duration_s,
                        uint64_t seed)
{
    serve_fixture(f, lambda_a, duration_s, seed);
    f->pools[1] = f->pools[0];
    f->pools[1].name = "gpus2";
    f->cfg.npools = 2;
    f->tiers[0].system.device_read_Bps = 1e9;
    for (int k = 0; k < 2; k++) {
        f->infers[k] = f->infers[0];
        f->infers[k].name = k ? "b" : "a";
        f->infers[k].pool = (size_t)k;
        f->infers[k].arrivals.rate_per_s = k ? lambda_b : lambda_a;
        f->infers[k].feature_tier = 0;
        f->infers[k].feature_reads = 1;
        f->infers[k].replicas = 8;
        f->infers[k].service_s = 1e-6;
    }
    f->cfg.ninfers = 2;
}

/* Two services at 40% and 20% of the tier's device time share its devices: every device is one
 * M/D/1 queue at rho = 0.6, so both see D + 0.6 D / (2 x 0.4) = 1.75 D (each with its own bank,
 * as before, they would see 1.33 D and 1.125 D). */
static void test_shared_tier(void)
{
    double D = 1e-6 + 4096 / 1e9;
    double la = 0.4 * 10 / D, lb = 0.2 * 10 / D;
    double xa[REPS], xb[REPS];
    for (int rep = 0; rep < REPS; rep++) {
        af_fixture f;
        two_fixture(&f, la, lb, 1000000 / (la + lb), 1100 + (uint64_t)rep);
        af_results *r = af_run(&f);
        xa[rep] = af_get(r, "inference.a.reads_mean");
        xb[rep] = af_get(r, "inference.b.reads_mean");
        af_results_free(r);
    }
    double rho = 0.6, expect = D + rho * D / (2 * (1 - rho));
    const double *x[2] = {xa, xb};
    for (int k = 0; k < 2; k++) {
        double mean, half;
        ci(x[k], &mean, &half);
        if (fabs(mean - expect) > half)
            fprintf(stderr,
                    "shared tier, service %c: mean %g, M/D/1 at the combined rate %g, "
                    "half-width %g\n",
                    "ab"[k], mean, expect, half);
        CU_ASSERT(fabs(mean - expect) <= half);
        CU_ASSERT(half < 0.02 * expect);
    }
}

/* A service ("a", 20% of the device time) and a look-up stream ("look", 40%, the same 4 KiB
 * reads) on a tier of one device (the look-ups' queue is one FIFO for all the tier's devices,
 * M/D/c; on one device both are M/D/1). Each runs at the device time the other's mean load
 * leaves: the look-ups at s = 1 - 0.2 = 0.8, M/D/1 with service D / s at rho = 0.4 / 0.8 = 0.5;
 * the feature reads at s = 0.6, M/D/1 with D / 0.6 at rho = 0.2 / 0.6. Mean sojourn
 * (D / s) (1 + rho / (2 (1 - rho))): 1.875 D and 2.083 D, where one FCFS queue for both
 * (rho = 0.6) would give 1.75 D: the approximation's cost at this load. */
static void test_lookup_and_service(void)
{
    double D = 1e-6 + 4096 / 1e9;
    double la = 0.2 / D, ll = 0.4 / D;
    double xs[REPS], xl[REPS];
    for (int rep = 0; rep < REPS; rep++) {
        af_fixture f;
        two_fixture(&f, la, 1, 1000000 / (la + ll), 1200 + (uint64_t)rep);
        f.tiers[0].system.devices = 1;
        f.cfg.ninfers = 1;
        f.lookups[0] =
            (af_lookup_config){.name = "look", .tier = 0, .rate_per_s = ll, .size_B = 4096};
        f.cfg.nlookups = 1;
        af_results *r = af_run(&f);
        xs[rep] = af_get(r, "inference.a.reads_mean");
        xl[rep] = af_get(r, "lookup.look.latency_mean");
        af_results_free(r);
    }
    const struct {
        const double *x;
        double speed, rho;
        const char *what;
    } cmp[] = {{xs, 1 - 0.4, 0.2 / 0.6, "feature reads beside look-ups"},
               {xl, 1 - 0.2, 0.4 / 0.8, "look-ups beside feature reads"}};
    for (size_t k = 0; k < 2; k++) {
        double Ds = D / cmp[k].speed, rho = cmp[k].rho;
        double expect = Ds + rho * Ds / (2 * (1 - rho));
        double mean, half;
        ci(cmp[k].x, &mean, &half);
        if (fabs(mean - expect) > half)
            fprintf(stderr, "%s: mean %g, M/D/1 at speed %g: %g, half-width %g\n", cmp[k].what,
                    mean, cmp[k].speed, expect, half);
        CU_ASSERT(fabs(mean - expect) <= half);
        CU_ASSERT(half < 0.02 * expect);
    }
}

/* Builds f's world (no run): its status, and its message in msg (empty when none). */
static int check_world(const af_fixture *f, char *msg, size_t cap)
{
    af_diag *d = af_diag_new();
    int rc = af_world_check(&f->cfg, d);
    char *text = af_diag_count(d) > 0 ? af_diag_format(d, 0) : NULL;
    snprintf(msg, cap, "%s", text ? text : "");
    af_free(text);
    CU_ASSERT(af_diag_count(d) <= 1); /* one message for the tier, not one per user */
    af_diag_free(d);
    return rc;
}

/* The tier's check sums its latency users: two services at 60% of the devices each at their
 * peak rates (the review's case: each alone fits), a service and look-ups at 60% each, are
 * refused, naming all of them; at 49% each they pass. A service with a queue limit sheds its
 * excess and is not counted. */
static void test_tier_check(void)
{
    double D = 1e-6 + 4096 / 1e9;
    char msg[2048];
    af_fixture f;
    two_fixture(&f, 6 / D, 6 / D, 1, 1);
    CU_ASSERT_EQUAL(check_world(&f, msg, sizeof msg), AF_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "tier \"hot\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "inference \"a\" (6 devices at its peak rate)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "inference \"b\" (6)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "need 12 devices busy"));
    f.cfg.ninfers = 1;
    CU_ASSERT_EQUAL(check_world(&f, msg, sizeof msg), AF_OK);
    two_fixture(&f, 4.9 / D, 4.9 / D, 1, 1);
    CU_ASSERT_EQUAL(check_world(&f, msg, sizeof msg), AF_OK);
    two_fixture(&f, 6 / D, 6 / D, 1, 1);
    f.infers[1].queue_limit = 100;
    CU_ASSERT_EQUAL(check_world(&f, msg, sizeof msg), AF_OK);
    /* a service and look-ups */
    two_fixture(&f, 6 / D, 1, 1, 1);
    f.cfg.ninfers = 1;
    f.lookups[0] =
        (af_lookup_config){.name = "look", .tier = 0, .rate_per_s = 6 / D, .size_B = 4096};
    f.cfg.nlookups = 1;
    CU_ASSERT_EQUAL(check_world(&f, msg, sizeof msg), AF_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "inference \"a\" (6 devices at its peak rate) and "
                                       "look-ups \"look\" (6 at their mean rate)"));
    f.lookups[0].rate_per_s = 3.9 / D;
    CU_ASSERT_EQUAL(check_world(&f, msg, sizeof msg), AF_OK);
}

static const af_test tests[] = {
    {"M/M/c: exponential service on c replicas", test_mmc},
    {"M/D/1: fixed service on one replica", test_md1},
    {"feature reads: M/D/1 per device plus latency", test_feature_reads},
    {"dynamic batching: wait and fill", test_batch_wait},
    {"dynamic batching: batches running at the end", test_batch_in_flight},
    {"admission control and conservation", test_admission},
    {"LLM: a lone turn's TTFT and TPOT by hand", test_llm_alone},
    {"LLM: KV tiers' exact LRU hits reach Che's bound", test_llm_kv_tiers},
    {"LLM: overload, conservation and tokens", test_llm_overload},
    {"two services on one tier: M/D/1 per device at the combined rate", test_shared_tier},
    {"a service and look-ups on one tier: the combined-load formula", test_lookup_and_service},
    {"the tier's check sums its latency users", test_tier_check},
    {NULL, NULL}};

AF_TEST_MAIN("inference", tests)
