/*
 * llm: sizes, FLOPs and roofline times of LLM serving, the KV batch limit, reload against
 * recompute, and the hit ratio of an LRU KV-cache hierarchy; see llm.h for the forms and their
 * sources.
 */
#include "model/llm.h"

#include <assert.h>
#include <math.h>
#include <string.h>

static const char *const llm_dtype_names[AF_LLM_DTYPE__COUNT] = {
    [AF_LLM_BF16] = "bf16",
    [AF_LLM_FP8] = "fp8",
};

double af_llm_dtype_B(af_llm_dtype t)
{
    switch (t) {
    case AF_LLM_BF16:
        return 2;
    case AF_LLM_FP8:
        return 1;
    default:
        return 0;
    }
}

const char *af_llm_dtype_name(af_llm_dtype t)
{
    return (unsigned)t < AF_LLM_DTYPE__COUNT ? llm_dtype_names[t] : "?";
}

bool af_llm_dtype_parse(const char *text, af_llm_dtype *out)
{
    for (int i = 0; text && i < AF_LLM_DTYPE__COUNT; i++)
        if (strcmp(text, llm_dtype_names[i]) == 0) {
            *out = (af_llm_dtype)i;
            return true;
        }
    return false;
}

double af_llm_shape_params(const af_llm_spec *m)
{
    double h = m->hidden, kv = (double)m->kv_heads * m->head_dim;
    double layer = 2 * h * h + 2 * h * kv + 3 * h * m->ffn + 2 * h;
    return m->layers * layer + 2.0 * m->vocab * h + h;
}

double af_llm_attn_width(const af_llm_spec *m)
{
    return (double)m->heads * m->head_dim;
}

double af_llm_weights_B(const af_llm_spec *m, af_llm_dtype t)
{
    return m->params * af_llm_dtype_B(t);
}

double af_llm_kv_token_B(const af_llm_spec *m, af_llm_dtype t)
{
    return 2.0 * m->layers * m->kv_heads * m->head_dim * af_llm_dtype_B(t);
}

double af_llm_prefill_flops(const af_llm_spec *m, double tokens, double cached)
{
    assert(tokens >= 0 && cached >= 0);
    return 2 * m->params * tokens +
           4.0 * m->layers * af_llm_attn_width(m) * (cached * tokens + tokens * tokens / 2);
}

double af_llm_decode_flops(const af_llm_spec *m, double batch, double ctx_tokens)
{
    assert(batch >= 0 && ctx_tokens >= 0);
    return 2 * m->params * batch + 4.0 * m->layers * af_llm_attn_width(m) * ctx_tokens;
}

/* Checks the replica's invariants (the scenario layer refuses bad input before it gets here). */
static void llm_check(const af_llm_replica *r)
{
    assert(r && r->llm && r->gpu && r->gpus >= 1);
    assert(r->mfu > 0 && r->mfu <= 1 && r->mbu > 0 && r->mbu <= 1);
    assert(r->mem_fraction > 0 && r->mem_fraction <= 1);
    assert(af_llm_dtype_B(r->weights) > 0 && af_llm_dtype_B(r->kv) > 0);
    (void)r;
}

double af_llm_peak_flops(const af_llm_replica *r)
{
    llm_check(r);
    double peak =
        r->weights == AF_LLM_FP8 && r->gpu->fp8_flops > 0 ? r->gpu->fp8_flops : r->gpu->bf16_flops;
    return r->gpus * peak;
}

/* Ways the KV cache is split over the replica's GPUs: by KV head, at most kv_heads ways. */
static double llm_kv_split(const af_llm_replica *r)
{
    return r->gpus < r->llm->kv_heads ? r->gpus : r->llm->kv_heads;
}

/* Bytes one GPU holds of the weights and of one token's KV. */
static double llm_gpu_weights_B(const af_llm_replica *r)
{
    return af_llm_weights_B(r->llm, r->weights) / r->gpus;
}

static double llm_gpu_kv_token_B(const af_llm_replica *r)
{
    return af_llm_kv_token_B(r->llm, r->kv) / llm_kv_split(r);
}

/* The roofline of flops over the replica and gpu_B per GPU. */
static af_llm_cost llm_roofline(const af_llm_replica *r, double flops, double gpu_B)
{
    af_llm_cost c;
    c.flops = flops;
    c.gpu_B = gpu_B;
    c.compute_s = flops / (af_llm_peak_flops(r) * r->mfu);
    c.memory_s = gpu_B / (r->gpu->hbm_Bps * r->mbu);
    c.time_s = c.compute_s > c.memory_s ? c.compute_s : c.memory_s;
    return c;
}

af_llm_cost af_llm_prefill_cost(const af_llm_replica *r, double tokens, double cached)
{
    llm_check(r);
    double bytes = llm_gpu_weights_B(r) + (cached + tokens) * llm_gpu_kv_token_B(r);
    return llm_roofline(r, af_llm_prefill_flops(r->llm, tokens, cached), bytes);
}

af_llm_cost af_llm_decode_cost(const af_llm_replica *r, double batch, double ctx_tokens)
{
    llm_check(r);
    double bytes = llm_gpu_weights_B(r) + ctx_tokens * llm_gpu_kv_token_B(r);
    return llm_roofline(r, af_llm_decode_flops(r->llm, batch, ctx_tokens), bytes);
}

double af_llm_kv_capacity_tokens(const af_llm_replica *r)
{
    llm_check(r);
    double free_B = r->mem_fraction * r->gpu->hbm_B - llm_gpu_weights_B(r);
    return free_B > 0 ? free_B / llm_gpu_kv_token_B(r) : 0;
}

int64_t af_llm_max_batch(const af_llm_replica *r, double seq_tokens)
{
    assert(seq_tokens > 0);
    double n = floor(af_llm_kv_capacity_tokens(r) / seq_tokens);
    return n < 9.2e18 ? (int64_t)n : INT64_MAX;
}

double af_llm_kv_reload_s(const af_llm_replica *r, double tokens, double tier_Bps)
{
    llm_check(r);
    assert(tokens >= 0 && tier_Bps > 0);
    return tokens * af_llm_kv_token_B(r->llm, r->kv) / tier_Bps;
}

double af_llm_kv_recompute_s(const af_llm_replica *r, double tokens)
{
    return af_llm_prefill_cost(r, tokens, 0).time_s;
}

double af_llm_kv_restore_s(const af_llm_replica *r, double tokens, double tier_Bps, bool *reload)
{
    double redo = af_llm_kv_recompute_s(r, tokens);
    double load = tier_Bps > 0 ? af_llm_kv_reload_s(r, tokens, tier_Bps) : INFINITY;
    bool use = load <= redo;
    if (reload)
        *reload = use;
    return use ? load : redo;
}

double af_llm_kv_hit_within(double capacity_B, double insert_Bps, double think_s)
{
    if (!(capacity_B > 0))
        return 0;
    double scale = insert_Bps * think_s;
    if (!(scale > 0))
        return 1;
    return -expm1(-capacity_B / scale);
}

double af_llm_kv_tier_hits(const double *capacity_B, size_t n, double insert_Bps, double think_s,
                           double *hit)
{
    double cum = 0, below = 0; /* cumulative capacity and hit share of the tiers so far */
    for (size_t i = 0; i < n; i++) {
        assert(capacity_B[i] >= 0);
        cum += capacity_B[i];
        double within = af_llm_kv_hit_within(cum, insert_Bps, think_s);
        hit[i] = within - below;
        below = within;
    }
    return 1 - below;
}

double af_llm_serve_tps(const af_llm_replica *r, double in_tokens, double out_tokens, double batch)
{
    llm_check(r);
    assert(in_tokens >= 0 && out_tokens >= 1 && batch >= 1);
    double mean_ctx = in_tokens + out_tokens / 2;
    double flops = af_llm_prefill_flops(r->llm, in_tokens, 0) +
                   out_tokens * af_llm_decode_flops(r->llm, 1, mean_ctx);
    double kv = llm_gpu_kv_token_B(r);
    double gpu_B = in_tokens * kv + out_tokens * (llm_gpu_weights_B(r) / batch + mean_ctx * kv);
    return out_tokens / llm_roofline(r, flops, gpu_B).time_s;
}

double af_llm_tpot_s(double e2e_s, double ttft_s, int64_t out_tokens)
{
    return out_tokens > 1 ? (e2e_s - ttft_s) / (double)(out_tokens - 1) : 0;
}
