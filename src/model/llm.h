/*
 * llm: serving a large language model: its weights and KV cache in bytes, the FLOPs and bytes of
 * a prefill and of a decode step, their time on a tensor-parallel replica as a roofline, the
 * largest batch whose KV cache fits, reloading a KV cache from a storage tier against
 * recomputing it, and the hit ratio of each tier of an LRU KV-cache hierarchy. Pure functions of
 * their arguments: no simulation, no allocation. Formulas and their checks: doc/formulas.md,
 * "LLM serving".
 *
 * FLOPs (Kaplan et al., "Scaling laws for neural language models", arXiv:2001.08361, 2020,
 * eq. 2.2: forward FLOPs per token ~ 2N + 2 n_layer n_ctx d_attn). A token attending to a
 * context of S tokens costs 2 P for the matrix products with the weights and, in each of
 * n_layer layers, 2 S d_attn for Q K^T and 2 S d_attn for the scores times V, with
 * d_attn = heads x head_dim:
 *
 *     decode step of B sequences with contexts S_i:   2 P B + 4 n_layer d_attn sum S_i
 *     prefill of L tokens after c cached tokens:       2 P L + 4 n_layer d_attn (c L + L^2 / 2)
 *
 * (causal: token i of the prefill attends to c + i tokens, and the sum over i is c L + L^2/2;
 * with c = 0 this is 2 P L + 2 n_layer L^2 d_attn). P counts every parameter, the input
 * embedding too, which is a look-up rather than a product, and a prefill counts the output
 * layer for every token although only the last one's logits are needed: both make the count a
 * slight overestimate (the embedding is 6.5% of Llama 3 8B, 1.5% of 70B).
 *
 * Bytes. Weights: P x bytes per parameter (2 for BF16, 1 for FP8). KV cache per token:
 * 2 (K and V) x n_layer x kv_heads x head_dim x bytes per element (grouped-query attention
 * stores kv_heads, not heads). A decode step reads the weights once and every sequence's KV:
 * W + kv_B x sum S_i; a prefill reads the weights, reads the c cached tokens' KV and writes the
 * L new tokens' KV.
 *
 * Time (roofline: Williams, Waterman and Patterson, "Roofline: an insightful visual performance
 * model for multicore architectures", CACM 52(4), 2009). A replica is g GPUs in tensor
 * parallel: each holds W / g of the weights and 1 / min(g, kv_heads) of the KV cache (KV heads
 * are split across the GPUs, and replicated once g exceeds kv_heads) and does 1 / g of the
 * FLOPs, so
 *
 *     time = max(FLOPs / (g x peak x mfu), bytes per GPU / (hbm_Bps x mbu))
 *
 * with peak the GPU's dense FP8 peak for FP8 weights (on a part that has one) and its BF16 peak
 * otherwise. Left out: tensor-parallel communication (two all-reduces of the activations per
 * layer; it flatters g > 1), kernel launch and scheduling overheads, sampling, and the
 * activations' memory. mfu and mbu (model bandwidth utilization: the share of HBM bandwidth a
 * step attains) are the knobs that stand for what is left out.
 *
 * Batch limit. The KV cache gets what is left of mem_fraction of each GPU's HBM after its share
 * of the weights (vLLM's gpu_memory_utilization, default 0.9, is such a fraction of the whole
 * HBM).
 *
 * KV tiers (doc/formulas.md, "LLM serving"). Between two turns of a conversation its KV cache
 * is evicted from HBM to host memory, local NVMe or a shared flash tier, and the next turn
 * either reloads it at the tier's bandwidth or recomputes it with a prefill, whichever is
 * faster. With the tiers exclusive and ordered (an eviction demotes to the next tier, a hit
 * promotes to the first) they form one LRU stack by bytes; the first tier holds its top C_1
 * bytes, the second the next C_2, and so on. With every conversation inserting KV at an
 * aggregate rate r bytes/s, a conversation's KV leaves the top C bytes of the stack C / r
 * seconds after its last use (Che's approximation: Che, Tung and Wang, "Hierarchical Web
 * caching systems: modeling, design and experimental results", IEEE JSAC 20(7), 2002; its
 * characteristic time is C / r here because the stack is ordered by bytes inserted). With an
 * exponential think time of mean T before the next turn,
 *
 *     P(hit within cumulative capacity C) = 1 - exp(-C / (r T))
 *
 * and tier i serves exp(-C_{i-1} / (r T)) - exp(-C_i / (r T)) of the turns, C_i the capacity of
 * tiers 1..i; exp(-C_n / (r T)) miss every tier. The conversation's own size is neglected
 * against C.
 */
#ifndef AF_MODEL_LLM_H
#define AF_MODEL_LLM_H

#include "model/gpu.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A decoder-only transformer (Llama family: grouped-query attention, gated FFN, untied
 * embeddings). Plain data; strings are borrowed from whoever built the spec (the catalog
 * arena). */
typedef struct af_llm_spec {
    const char *name;        /* catalog name, e.g. "llama3-8b" */
    const char *description; /* one line for people */
    double params;           /* parameters, count (embeddings and output layer included) */
    int layers;              /* transformer layers (n_layer) */
    int hidden;              /* model width (d_model) */
    int ffn;                 /* FFN inner width (intermediate_size) */
    int heads;               /* query heads */
    int kv_heads;            /* key/value heads (grouped-query attention), <= heads */
    int head_dim;            /* width of one head; d_attn = heads x head_dim */
    int vocab;               /* vocabulary size */
    int context;             /* longest context the model was trained for, tokens */
} af_llm_spec;

/* Precision of weights (and of the matrix arithmetic) or of the KV cache. */
typedef enum {
    AF_LLM_BF16, /* 2 bytes an element */
    AF_LLM_FP8,  /* 1 byte an element */
    AF_LLM_DTYPE__COUNT
} af_llm_dtype;

/* Bytes of one element: 2 for BF16, 1 for FP8; 0 for a value outside the enum. */
double af_llm_dtype_B(af_llm_dtype t);

/* Name as scenarios spell it: "bf16" or "fp8"; static. "?" outside the enum. */
const char *af_llm_dtype_name(af_llm_dtype t);

/* Reads "bf16" or "fp8". Returns true and sets *out, or false with *out unchanged (NULL too). */
bool af_llm_dtype_parse(const char *text, af_llm_dtype *out);

/* Parameters the shape implies: per layer the Q and output projections (2 hidden^2), the K and
 * V projections (2 hidden kv_heads head_dim), the gated FFN (3 hidden ffn) and two norms
 * (2 hidden); then the input embedding and the output layer (2 vocab hidden) and the final norm
 * (hidden), count. A check on a catalog entry's params (Llama 3 8B: 8,030,261,248). */
double af_llm_shape_params(const af_llm_spec *m);

/* Attention width heads x head_dim. */
double af_llm_attn_width(const af_llm_spec *m);

/* Weights in bytes at precision t: params x af_llm_dtype_B(t). */
double af_llm_weights_B(const af_llm_spec *m, af_llm_dtype t);

/* KV cache of one token at precision t, bytes: 2 x layers x kv_heads x head_dim x bytes
 * (Llama 3 8B in BF16: 131,072 B). */
double af_llm_kv_token_B(const af_llm_spec *m, af_llm_dtype t);

/* FLOPs of a prefill of tokens new tokens after cached tokens whose KV is at hand:
 * 2 P tokens + 4 layers d_attn (cached tokens + tokens^2 / 2). tokens, cached >= 0. */
double af_llm_prefill_flops(const af_llm_spec *m, double tokens, double cached);

/* FLOPs of one decode step of batch sequences whose contexts add up to ctx_tokens:
 * 2 P batch + 4 layers d_attn ctx_tokens. batch, ctx_tokens >= 0. */
double af_llm_decode_flops(const af_llm_spec *m, double batch, double ctx_tokens);

/* A serving replica: one copy of the model over gpus GPUs in tensor parallel. Plain data; the
 * pointers are borrowed and must outlive every call that takes the replica. */
typedef struct af_llm_replica {
    const af_llm_spec *llm; /* the model */
    const af_gpu_spec *gpu; /* the GPU part (peak FLOP/s, HBM size and bandwidth) */
    int gpus;               /* tensor-parallel degree g, >= 1 */
    af_llm_dtype weights;   /* precision of the weights and of the arithmetic */
    af_llm_dtype kv;        /* precision of the KV cache */
    double mfu;             /* share of the dense peak the products attain, (0, 1] */
    double mbu;             /* share of the HBM bandwidth a step attains, (0, 1] */
    double mem_fraction;    /* share of each GPU's HBM for weights and KV cache, (0, 1] */
} af_llm_replica;

/* Cost of one forward pass (a prefill or a decode step) on a replica. */
typedef struct af_llm_cost {
    double flops;     /* FLOPs of the whole replica */
    double gpu_B;     /* bytes each GPU moves to or from its HBM */
    double compute_s; /* flops / (g x peak x mfu), s */
    double memory_s;  /* gpu_B / (hbm_Bps x mbu), s */
    double time_s;    /* max(compute_s, memory_s), s */
} af_llm_cost;

/* Dense peak of the whole replica at its weight precision: g x (fp8 peak when weights are FP8
 * and the part has FP8, else bf16 peak), FLOP/s (before mfu). */
double af_llm_peak_flops(const af_llm_replica *r);

/* Roofline cost of a prefill of tokens new tokens after cached tokens already in HBM (their KV
 * is read; the new tokens' KV is written). tokens, cached >= 0. */
af_llm_cost af_llm_prefill_cost(const af_llm_replica *r, double tokens, double cached);

/* Roofline cost of a decode step of batch sequences whose contexts add up to ctx_tokens (the
 * weights are read once, every context's KV once). batch, ctx_tokens >= 0. */
af_llm_cost af_llm_decode_cost(const af_llm_replica *r, double batch, double ctx_tokens);

/* Tokens of KV cache the replica holds: per GPU (mem_fraction x hbm - weights / g) / (kv_token_B
 * / min(g, kv_heads)); 0 when the weights alone do not fit. */
double af_llm_kv_capacity_tokens(const af_llm_replica *r);

/* Largest number of sequences of seq_tokens tokens each (prompt and output) whose KV fits at
 * once: floor(capacity / seq_tokens); 0 when not even one fits. seq_tokens > 0. */
int64_t af_llm_max_batch(const af_llm_replica *r, double seq_tokens);

/* Time to reload the KV cache of tokens tokens from a tier at tier_Bps bytes/s:
 * tokens x kv_token_B / tier_Bps, s (the transfer alone; the caller adds the tier's latency).
 * tokens >= 0, tier_Bps > 0. */
double af_llm_kv_reload_s(const af_llm_replica *r, double tokens, double tier_Bps);

/* Time to recompute the KV cache of tokens tokens: the prefill's time, s. */
double af_llm_kv_recompute_s(const af_llm_replica *r, double tokens);

/* The faster of reloading (at tier_Bps) and recomputing tokens tokens of KV, s; *reload (when
 * not NULL) says whether reloading is the faster (a tie reloads: it spares the GPUs). A tier
 * that does not hold the KV is tier_Bps = 0: recompute. */
double af_llm_kv_restore_s(const af_llm_replica *r, double tokens, double tier_Bps, bool *reload);

/* Share of turns whose KV is still within the top capacity_B bytes of the LRU stack when the
 * next turn comes: 1 - exp(-capacity_B / (insert_Bps x think_s)), in [0, 1]. 0 when capacity_B
 * <= 0; 1 when capacity_B > 0 and nothing pushes the KV down (insert_Bps x think_s == 0). */
double af_llm_kv_hit_within(double capacity_B, double insert_Bps, double think_s);

/* Per-tier hit shares of n ordered, exclusive tiers of capacities capacity_B[0..n-1] (fastest
 * first, each >= 0): hit[i] = af_llm_kv_hit_within(C_i) - af_llm_kv_hit_within(C_{i-1}) with
 * C_i the sum of the first i + 1 capacities. hit (n entries, the caller's) is filled; returns
 * the share that misses every tier, so that the shares and it add up to 1. */
double af_llm_kv_tier_hits(const double *capacity_B, size_t n, double insert_Bps, double think_s,
                           double *hit);

/* Output tokens/s of a replica serving requests of in_tokens prompt and out_tokens output
 * tokens each, batch of them at once, in steady state (continuous batching with the prefills
 * chunked into the decode steps, so a prefill shares the steps' weight reads). Over its life a
 * request costs its prefill's FLOPs and out_tokens decode FLOPs at the mean context
 * in_tokens + out_tokens / 2; each GPU writes its share of the request's prompt KV, reads
 * 1 / batch of its weights per step and its share of the request's KV per step. The replica
 * spends
 *
 *     t = max(FLOPs / (g peak mfu), bytes per GPU / (hbm_Bps mbu))
 *
 * per request, so it serves out_tokens / t output tokens/s (doc/formulas.md, "LLM serving").
 * At mfu = mbu = 1 an upper bound on what an engine attains. in_tokens >= 0, out_tokens >= 1,
 * batch >= 1. */
double af_llm_serve_tps(const af_llm_replica *r, double in_tokens, double out_tokens, double batch);

/* Time per output token of a finished request (vLLM's benchmark definition): (e2e_s - ttft_s) /
 * (out_tokens - 1), s; 0 when out_tokens <= 1. e2e_s is arrival to last token, ttft_s arrival
 * to first token (queueing included). */
double af_llm_tpot_s(double e2e_s, double ttft_s, int64_t out_tokens);

#endif
