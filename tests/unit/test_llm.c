/*
 * test_llm: the LLM serving model against figures worked by hand from the model cards and the
 * H100 data sheet (doc/formulas.md, "LLM serving"): weights and KV per token, prefill FLOPs and
 * time, the decode floor and a batch of 64, the switch from memory- to compute-bound at its
 * closed-form batch, the KV batch limit at its boundary, reloading a 128k-token KV cache against
 * recomputing it, and the LRU tier hit ratios at their limits. The catalog's entries are checked
 * against the same figures.
 */
#include "model/llm.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "scenario/catalog.h"

#include "cutest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* H100 SXM as the catalog gives it (models/gpus.yaml): 989.4 TFLOP/s BF16 dense, 1,978.9 FP8,
 * 80 GB of HBM3 at 3.35 TB/s. Power figures do not matter here. */
static const af_gpu_spec h100 = {.name = "h100-sxm",
                                 .description = "test",
                                 .bf16_flops = 989.4e12,
                                 .fp8_flops = 1978.9e12,
                                 .hbm_B = 80e9,
                                 .hbm_Bps = 3.35e12};

/* Llama 3 8B and 70B as Meta's model cards and config.json give them, params as published. */
static const af_llm_spec llama8 = {.name = "llama3-8b",
                                   .description = "test",
                                   .params = 8.03e9,
                                   .layers = 32,
                                   .hidden = 4096,
                                   .ffn = 14336,
                                   .heads = 32,
                                   .kv_heads = 8,
                                   .head_dim = 128,
                                   .vocab = 128256,
                                   .context = 131072};
static const af_llm_spec llama70 = {.name = "llama3-70b",
                                    .description = "test",
                                    .params = 70.55e9,
                                    .layers = 80,
                                    .hidden = 8192,
                                    .ffn = 28672,
                                    .heads = 64,
                                    .kv_heads = 8,
                                    .head_dim = 128,
                                    .vocab = 128256,
                                    .context = 131072};

/* A replica of g H100s at 100% MFU and MBU with 90% of HBM for weights and KV. */
static af_llm_replica replica(const af_llm_spec *m, int g, af_llm_dtype w, af_llm_dtype kv)
{
    return (af_llm_replica){m, &h100, g, w, kv, 1.0, 1.0, 0.9};
}

static void test_sizes(void)
{
    CU_ASSERT_EQUAL(af_llm_dtype_B(AF_LLM_BF16), 2);
    CU_ASSERT_EQUAL(af_llm_dtype_B(AF_LLM_FP8), 1);
    /* 8B BF16: 16.1 GB of weights. */
    AF_ASSERT_REL(af_llm_weights_B(&llama8, AF_LLM_BF16), 16.1e9, 1e-2);
    AF_ASSERT_REL(af_llm_weights_B(&llama70, AF_LLM_FP8), 70.55e9, 1e-12);
    /* KV per token in BF16: 2 x 32 x 8 x 128 x 2 = 131,072 B; 2 x 80 x 8 x 128 x 2 = 327,680 B.
     * Exact: these are integers. */
    CU_ASSERT_EQUAL(af_llm_kv_token_B(&llama8, AF_LLM_BF16), 131072);
    CU_ASSERT_EQUAL(af_llm_kv_token_B(&llama70, AF_LLM_BF16), 327680);
    CU_ASSERT_EQUAL(af_llm_kv_token_B(&llama70, AF_LLM_FP8), 163840);
    CU_ASSERT_EQUAL(af_llm_attn_width(&llama70), 8192);
    /* The shape gives the published parameter counts (8.03e9 and 70.55e9, rounded). */
    AF_ASSERT_REL(af_llm_shape_params(&llama8), 8.03e9, 1e-3);
    AF_ASSERT_REL(af_llm_shape_params(&llama70), 70.55e9, 1e-3);
    CU_ASSERT_EQUAL(af_llm_shape_params(&llama8), 8030261248.0);
    CU_ASSERT_EQUAL(af_llm_shape_params(&llama70), 70553706496.0);
}

static void test_dtype_names(void)
{
    af_llm_dtype t = AF_LLM_BF16;
    CU_ASSERT_TRUE(af_llm_dtype_parse("fp8", &t));
    CU_ASSERT_EQUAL(t, AF_LLM_FP8);
    CU_ASSERT_TRUE(af_llm_dtype_parse("bf16", &t));
    CU_ASSERT_EQUAL(t, AF_LLM_BF16);
    CU_ASSERT_FALSE(af_llm_dtype_parse("BF16", &t));
    CU_ASSERT_FALSE(af_llm_dtype_parse(NULL, &t));
    CU_ASSERT_EQUAL(t, AF_LLM_BF16);
    CU_ASSERT_STRING_EQUAL(af_llm_dtype_name(AF_LLM_FP8), "fp8");
    CU_ASSERT_STRING_EQUAL(af_llm_dtype_name(AF_LLM_DTYPE__COUNT), "?");
    CU_ASSERT_EQUAL(af_llm_dtype_B(AF_LLM_DTYPE__COUNT), 0);
}

/* Prefill of 2,048 tokens on one H100 at 100% MFU: 2 P L + 2 n_layer L^2 d_attn = 3.40e13 FLOP,
 * 3.40e13 / 989.4e12 = 34.4 ms (8B; "34 ms" to two digits); 2.94e14 FLOP, 298 ms (70B, at the BF16
 * peak; its BF16 weights would not fit one H100, which a time does not check). */
static void test_prefill(void)
{
    double L = 2048;
    AF_ASSERT_REL(af_llm_prefill_flops(&llama8, L, 0), 3.40e13, 1e-2);
    AF_ASSERT_REL(af_llm_prefill_flops(&llama70, L, 0), 2.94e14, 1e-2);
    af_llm_replica r8 = replica(&llama8, 1, AF_LLM_BF16, AF_LLM_BF16);
    af_llm_cost c = af_llm_prefill_cost(&r8, L, 0);
    AF_ASSERT_REL(c.time_s, 34.4e-3, 1e-2);
    CU_ASSERT_TRUE(c.compute_s > c.memory_s);
    CU_ASSERT_EQUAL(c.time_s, c.compute_s);
    af_llm_replica r70 = replica(&llama70, 1, AF_LLM_BF16, AF_LLM_BF16);
    AF_ASSERT_REL(af_llm_prefill_cost(&r70, L, 0).time_s, 298e-3, 1e-2);
    /* FP8 weights run at the FP8 peak: half the time. */
    af_llm_replica f8 = replica(&llama8, 1, AF_LLM_FP8, AF_LLM_FP8);
    AF_ASSERT_REL(af_llm_prefill_cost(&f8, L, 0).compute_s, c.compute_s * 989.4 / 1978.9, 1e-12);
    /* A prefill after a cached prefix costs what the whole prefill costs less the prefix's own:
     * chunking a prompt changes no FLOP count. */
    double whole = af_llm_prefill_flops(&llama8, 3000, 0);
    double parts =
        af_llm_prefill_flops(&llama8, 1000, 0) + af_llm_prefill_flops(&llama8, 2000, 1000);
    AF_ASSERT_REL(parts, whole, 1e-12);
    /* Tensor parallel: 8 GPUs, an eighth of the time (no communication modelled). */
    af_llm_replica r70x8 = replica(&llama70, 8, AF_LLM_BF16, AF_LLM_BF16);
    AF_ASSERT_REL(af_llm_prefill_cost(&r70x8, L, 0).time_s,
                  af_llm_prefill_cost(&r70, L, 0).time_s / 8, 1e-12);
    /* An empty prefill still reads the weights once. */
    c = af_llm_prefill_cost(&r8, 0, 0);
    CU_ASSERT_EQUAL(c.flops, 0);
    AF_ASSERT_REL(c.time_s, 2 * 8.03e9 / 3.35e12, 1e-12);
}

/* Decode, 8B BF16 on one H100: the weights read once per step, 16.1 GB / 3.35 TB/s = 4.8 ms; a
 * batch of 64 at 2,048 tokens of context reads 16.1 + 17.2 GB = 9.9 ms a step, 6,450 tokens/s. */
static void test_decode(void)
{
    af_llm_replica r = replica(&llama8, 1, AF_LLM_BF16, AF_LLM_BF16);
    af_llm_cost one = af_llm_decode_cost(&r, 1, 0);
    AF_ASSERT_REL(one.time_s, 4.8e-3, 1e-2);
    CU_ASSERT_TRUE(one.memory_s > one.compute_s);
    double B = 64, S = 2048;
    af_llm_cost c = af_llm_decode_cost(&r, B, B * S);
    AF_ASSERT_REL(c.gpu_B, 16.1e9 + 17.2e9, 1e-2);
    AF_ASSERT_REL(B * S * af_llm_kv_token_B(&llama8, AF_LLM_BF16), 17.2e9, 1e-2);
    AF_ASSERT_REL(c.time_s, 9.9e-3, 1e-2);
    AF_ASSERT_REL(B / c.time_s, 6450, 1e-2);
    CU_ASSERT_TRUE(c.memory_s > c.compute_s);
    /* Per token, 2 P + 4 n_layer d_attn S: the step's FLOPs are the sum over its sequences. */
    double sum = af_llm_decode_flops(&llama8, 1, 100) + af_llm_decode_flops(&llama8, 1, 3000);
    AF_ASSERT_REL(af_llm_decode_flops(&llama8, 2, 3100), sum, 1e-12);
    AF_ASSERT_REL(af_llm_decode_flops(&llama8, 1, 0), 2 * 8.03e9, 1e-12);
    /* At mbu 0.5 the memory-bound step takes twice as long; mfu does not touch it. */
    af_llm_replica half = r;
    half.mbu = 0.5;
    half.mfu = 0.5;
    AF_ASSERT_REL(af_llm_decode_cost(&half, B, B * S).time_s, 2 * c.time_s, 1e-12);
}

/* The roofline's switch. With no context the step reads W = 2 P bytes and computes 2 P B FLOPs,
 * so it turns compute-bound past B* = W peak / (2 P bw) = 989.4 / 3.35 = 295.34: 295 sequences
 * are memory-bound, 296 compute-bound. In FP8 the bytes halve and the peak doubles:
 * B* = 1,978.9 / (2 x 3.35) = 295.36, the same pair. */
static void test_roofline_switch(void)
{
    af_llm_replica r = replica(&llama8, 1, AF_LLM_BF16, AF_LLM_BF16);
    af_llm_cost below = af_llm_decode_cost(&r, 295, 0);
    af_llm_cost above = af_llm_decode_cost(&r, 296, 0);
    CU_ASSERT_TRUE(below.memory_s > below.compute_s);
    CU_ASSERT_EQUAL(below.time_s, below.memory_s);
    CU_ASSERT_TRUE(above.compute_s > above.memory_s);
    CU_ASSERT_EQUAL(above.time_s, above.compute_s);
    af_llm_replica f = replica(&llama8, 1, AF_LLM_FP8, AF_LLM_FP8);
    CU_ASSERT_TRUE(af_llm_decode_cost(&f, 295, 0).memory_s >
                   af_llm_decode_cost(&f, 295, 0).compute_s);
    CU_ASSERT_TRUE(af_llm_decode_cost(&f, 296, 0).compute_s >
                   af_llm_decode_cost(&f, 296, 0).memory_s);
    /* A part without FP8 (A100) computes FP8 weights at its BF16 peak. */
    af_gpu_spec a100 = h100;
    a100.fp8_flops = 0;
    f.gpu = &a100;
    CU_ASSERT_EQUAL(af_llm_peak_flops(&f), 989.4e12);
    /* A prompt of one token is memory-bound, one of 2,048 compute-bound (test_prefill). */
    af_llm_cost p1 = af_llm_prefill_cost(&r, 1, 0);
    CU_ASSERT_TRUE(p1.memory_s > p1.compute_s);
}

/* The batch limit: B sequences of S tokens fit when the weights and B S tokens of KV fit in
 * 90% of HBM, and B + 1 do not. */
static void test_batch_limit(void)
{
    af_llm_replica r = replica(&llama8, 1, AF_LLM_BF16, AF_LLM_BF16);
    double kv = 131072, W = 2 * 8.03e9, room = 0.9 * 80e9;
    double S = 2048;
    int64_t B = af_llm_max_batch(&r, S);
    CU_ASSERT_TRUE(B > 0);
    CU_ASSERT_TRUE(W + (double)B * S * kv <= room);
    CU_ASSERT_TRUE(W + (double)(B + 1) * S * kv > room);
    CU_ASSERT_EQUAL(B, 208); /* (72 - 16.06) GB / 131,072 B = 426,788 tokens: 208 x 2,048 */
    /* FP8 weights and KV: twice the tokens and more room. */
    af_llm_replica f = replica(&llama8, 1, AF_LLM_FP8, AF_LLM_FP8);
    AF_ASSERT_REL(af_llm_kv_capacity_tokens(&f), (room - W / 2) / (kv / 2), 1e-12);
    /* 70B in BF16 (141 GB) does not fit one H100: no batch at all. */
    af_llm_replica big = replica(&llama70, 1, AF_LLM_BF16, AF_LLM_BF16);
    CU_ASSERT_EQUAL(af_llm_kv_capacity_tokens(&big), 0);
    CU_ASSERT_EQUAL(af_llm_max_batch(&big, 1), 0);
    /* Over 8 GPUs each holds an eighth of the weights and of the KV (8 KV heads, one each). */
    af_llm_replica x8 = replica(&llama70, 8, AF_LLM_BF16, AF_LLM_BF16);
    double per_gpu = room - 2 * 70.55e9 / 8;
    AF_ASSERT_REL(af_llm_kv_capacity_tokens(&x8), per_gpu / (327680.0 / 8), 1e-12);
    /* Over 16 GPUs the 8 KV heads are each held twice: a token still costs 1/8 of its KV. */
    af_llm_replica x16 = replica(&llama70, 16, AF_LLM_BF16, AF_LLM_BF16);
    per_gpu = room - 2 * 70.55e9 / 16;
    AF_ASSERT_REL(af_llm_kv_capacity_tokens(&x16), per_gpu / (327680.0 / 8), 1e-12);
    /* A sequence longer than the whole cache: none. */
    CU_ASSERT_EQUAL(af_llm_max_batch(&r, 1e9), 0);
}

/* The KV cache of 128k tokens of 70B in BF16 is 42.9 GB: reloading it at 87 GB/s (Mooncake's
 * transfer engine on 4 x 200 Gb/s RDMA) takes 0.49 s; recomputing it, 4.10e16 FLOP, takes
 * 10.4 s on 8 H100s at 50% MFU. */
static void test_reload_or_recompute(void)
{
    double tokens = 131072;
    af_llm_replica r = replica(&llama70, 8, AF_LLM_BF16, AF_LLM_BF16);
    r.mfu = 0.5;
    AF_ASSERT_REL(tokens * af_llm_kv_token_B(&llama70, AF_LLM_BF16), 42.9e9, 1e-2);
    AF_ASSERT_REL(af_llm_kv_reload_s(&r, tokens, 87e9), 0.49, 1e-2);
    AF_ASSERT_REL(af_llm_prefill_flops(&llama70, tokens, 0), 4.10e16, 1e-2);
    AF_ASSERT_REL(af_llm_kv_recompute_s(&r, tokens), 10.4, 1e-2);
    bool reload = false;
    AF_ASSERT_REL(af_llm_kv_restore_s(&r, tokens, 87e9, &reload), 0.49, 1e-2);
    CU_ASSERT_TRUE(reload);
    /* The break-even bandwidth is the KV's bytes over the recompute time, about 4.1 GB/s: a
     * tier 1% slower recomputes, 1% faster reloads. */
    double even = tokens * 327680 / af_llm_kv_recompute_s(&r, tokens);
    AF_ASSERT_REL(even, 4.14e9, 1e-2);
    af_llm_kv_restore_s(&r, tokens, 0.99 * even, &reload);
    CU_ASSERT_FALSE(reload);
    af_llm_kv_restore_s(&r, tokens, 1.01 * even, &reload);
    CU_ASSERT_TRUE(reload);
    /* No tier: recompute. */
    AF_ASSERT_REL(af_llm_kv_restore_s(&r, tokens, 0, &reload), 10.4, 1e-2);
    CU_ASSERT_FALSE(reload);
    CU_ASSERT_EQUAL(af_llm_kv_restore_s(&r, tokens, 87e9, NULL),
                    af_llm_kv_reload_s(&r, tokens, 87e9));
}

/* Che's approximation for the LRU stack by bytes: P(hit within C) = 1 - exp(-C / (r T)). */
static void test_hit_ratio(void)
{
    double r = 2e9, T = 60; /* 2 GB/s of KV inserted, one minute of think time: r T = 120 GB */
    CU_ASSERT_EQUAL(af_llm_kv_hit_within(0, r, T), 0);
    CU_ASSERT_EQUAL(af_llm_kv_hit_within(-1, r, T), 0);
    AF_ASSERT_REL(af_llm_kv_hit_within(1e18, r, T), 1, 1e-12);
    /* The median: C = r T ln 2 holds half the next turns; C = r T holds 1 - 1/e. */
    AF_ASSERT_REL(af_llm_kv_hit_within(r * T * log(2), r, T), 0.5, 1e-12);
    AF_ASSERT_REL(af_llm_kv_hit_within(r * T, r, T), 1 - exp(-1), 1e-12);
    /* Small C: C / (r T) to first order. */
    AF_ASSERT_REL(af_llm_kv_hit_within(1e3, r, T), 1e3 / (r * T), 1e-6);
    /* Nothing pushes the KV down: every turn hits. */
    CU_ASSERT_EQUAL(af_llm_kv_hit_within(1, 0, T), 1);
    CU_ASSERT_EQUAL(af_llm_kv_hit_within(1, r, 0), 1);

    /* Tiers: HBM 40 GB, host memory 200 GB, nothing (0), NVMe 1 TB. */
    double cap[] = {40e9, 200e9, 0, 1e12};
    double hit[4];
    double miss = af_llm_kv_tier_hits(cap, 4, r, T, hit);
    AF_ASSERT_REL(hit[0], af_llm_kv_hit_within(40e9, r, T), 1e-12);
    AF_ASSERT_REL(hit[0] + hit[1], af_llm_kv_hit_within(240e9, r, T), 1e-12);
    CU_ASSERT_EQUAL(hit[2], 0);
    AF_ASSERT_REL(hit[0] + hit[1] + hit[2] + hit[3], af_llm_kv_hit_within(1.24e12, r, T), 1e-12);
    AF_ASSERT_REL(hit[0] + hit[1] + hit[2] + hit[3] + miss, 1, 1e-15);
    AF_ASSERT_REL(miss, exp(-1.24e12 / (r * T)), 1e-9);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_TRUE(hit[i] >= 0);
    /* By hand: exp(-1/3) - exp(-2) = 0.58132 from host memory. */
    AF_ASSERT_REL(hit[1], exp(-40.0 / 120) - exp(-240.0 / 120), 1e-12);
    /* No tiers: every turn misses. */
    CU_ASSERT_EQUAL(af_llm_kv_tier_hits(cap, 0, r, T, hit), 1);
}

/* Continuous batching with no prompt: the replica's throughput is the batch over the step time
 * at the mean context, 8B BF16 at B = 64 and 4,096 output tokens (mean context 2,048): the
 * 6,450 tokens/s of test_decode. A prompt only adds work; a larger batch never serves less, and
 * no batch beats the two ceilings: the peak over the FLOPs per output token, and the bandwidth
 * over the KV bytes per output token (a request's 1,000 prompt tokens written once, then 1,500
 * tokens of context read per output token on average), which a batch of a billion reaches. */
static void test_serve(void)
{
    af_llm_replica r = replica(&llama8, 1, AF_LLM_BF16, AF_LLM_BF16);
    double tps = af_llm_serve_tps(&r, 0, 4096, 64);
    AF_ASSERT_REL(tps, 64 / af_llm_decode_cost(&r, 64, 64 * 2048.0).time_s, 1e-12);
    AF_ASSERT_REL(tps, 6450, 1e-2);
    CU_ASSERT_TRUE(af_llm_serve_tps(&r, 1000, 4096, 64) < tps);
    double last = 0;
    for (double B = 1; B <= 4096; B *= 2) {
        double t = af_llm_serve_tps(&r, 1000, 1000, B);
        CU_ASSERT_TRUE(t >= last);
        last = t;
    }
    double flops =
        (af_llm_prefill_flops(&llama8, 1000, 0) + 1000 * af_llm_decode_flops(&llama8, 1, 1500)) /
        1000;
    double kv_B = (1000 + 1000 * 1500.0) * 131072 / 1000;
    double ceiling = fmin(989.4e12 / flops, 3.35e12 / kv_B);
    CU_ASSERT_TRUE(last <= ceiling);
    AF_ASSERT_REL(af_llm_serve_tps(&r, 1000, 1000, 1e9), ceiling, 1e-6);
}

/* TPOT = (E2E - TTFT) / (n_out - 1) (vLLM's benchmark). */
static void test_tpot(void)
{
    AF_ASSERT_REL(af_llm_tpot_s(2.5, 0.5, 101), 0.02, 1e-12);
    CU_ASSERT_EQUAL(af_llm_tpot_s(2.5, 0.5, 1), 0);
    CU_ASSERT_EQUAL(af_llm_tpot_s(2.5, 0.5, 0), 0);
}

/* The catalog's entries hold the shapes above, their params agree with their shape, and their
 * KV per token is the figure worked by hand. */
static void test_catalog_entries(void)
{
    const char *env = getenv("AIFSIM_MODELS");
    char *dir = env && *env ? af_strdup(env) : af_test_srcpath("models");
    af_diag *d = af_diag_new();
    af_catalog *cat = af_catalog_load(dir, d);
    af_diag_print(d, stderr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cat);
    const af_llm_spec *m8 = af_catalog_find_llm(cat, "llama3-8b");
    const af_llm_spec *m70 = af_catalog_find_llm(cat, "llama3-70b");
    const af_llm_spec *m405 = af_catalog_find_llm(cat, "llama3-405b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m70);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m405);
    const af_llm_spec *want[] = {&llama8, &llama70};
    const af_llm_spec *got[] = {m8, m70};
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(got[i]->layers, want[i]->layers);
        CU_ASSERT_EQUAL(got[i]->hidden, want[i]->hidden);
        CU_ASSERT_EQUAL(got[i]->ffn, want[i]->ffn);
        CU_ASSERT_EQUAL(got[i]->heads, want[i]->heads);
        CU_ASSERT_EQUAL(got[i]->kv_heads, want[i]->kv_heads);
        CU_ASSERT_EQUAL(got[i]->head_dim, want[i]->head_dim);
        AF_ASSERT_REL(got[i]->params, want[i]->params, 1e-3);
    }
    size_t n;
    const af_llm_spec *all = af_catalog_llms(cat, &n);
    CU_ASSERT_TRUE(n >= 3);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(all[i].params, af_llm_shape_params(&all[i]));
        CU_ASSERT_EQUAL(all[i].hidden, all[i].heads * all[i].head_dim);
    }
    CU_ASSERT_EQUAL(af_llm_kv_token_B(m8, AF_LLM_BF16), 131072);
    CU_ASSERT_EQUAL(af_llm_kv_token_B(m70, AF_LLM_BF16), 327680);
    /* 405B: 126 layers of 16,384, 128 heads, 8 KV heads: 516,096 B of KV a token, 405.85e9. */
    CU_ASSERT_EQUAL(m405->layers, 126);
    CU_ASSERT_EQUAL(m405->hidden, 16384);
    CU_ASSERT_EQUAL(m405->heads, 128);
    CU_ASSERT_EQUAL(m405->kv_heads, 8);
    CU_ASSERT_EQUAL(af_llm_kv_token_B(m405, AF_LLM_BF16), 516096);
    AF_ASSERT_REL(m405->params, 405e9, 1e-2);
    af_catalog_free(cat);
    af_diag_free(d);
    af_free(dir);
}

static const af_test tests[] = {
    {"weights, KV per token and the parameter count", test_sizes},
    {"precision names", test_dtype_names},
    {"prefill of 2,048 tokens: 34.4 ms (8B), 298 ms (70B)", test_prefill},
    {"decode: 4.8 ms floor, 9.9 ms and 6,450 tokens/s at B = 64", test_decode},
    {"memory- to compute-bound at B = 295.3", test_roofline_switch},
    {"batch limit at its boundary; tensor-parallel KV split", test_batch_limit},
    {"128k tokens of 70B KV: reload 0.49 s, recompute 10.4 s", test_reload_or_recompute},
    {"LRU tier hit ratios (Che's approximation)", test_hit_ratio},
    {"continuous batching throughput", test_serve},
    {"TPOT", test_tpot},
    {"catalog entries", test_catalog_entries},
    {NULL, NULL},
};

AF_TEST_MAIN("llm", tests)
