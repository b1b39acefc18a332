/*
 * collective: alpha-beta costs of collectives, bus bandwidth, the two-level all-reduce, the
 * pipeline bubble, exposed communication and FLOPs per token; see collective.h for the forms and
 * their sources.
 */
#include "model/collective.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static const char *const coll_op_names[AF_COLL_OP__COUNT] = {
    [AF_COLL_ALLREDUCE] = "all-reduce",
    [AF_COLL_REDUCE_SCATTER] = "reduce-scatter",
    [AF_COLL_ALLGATHER] = "all-gather",
    [AF_COLL_ALLTOALL] = "all-to-all",
};

static const char *const coll_algo_names[AF_COLL_ALGO__COUNT] = {
    [AF_COLL_RING] = "ring",
    [AF_COLL_TREE] = "tree",
};

const char *af_coll_op_name(af_coll_op op)
{
    return (unsigned)op < AF_COLL_OP__COUNT ? coll_op_names[op] : "?";
}

const char *af_coll_algo_name(af_coll_algo algo)
{
    return (unsigned)algo < AF_COLL_ALGO__COUNT ? coll_algo_names[algo] : "?";
}

bool af_coll_op_parse(const char *text, af_coll_op *out)
{
    for (int i = 0; text && i < AF_COLL_OP__COUNT; i++)
        if (strcmp(text, coll_op_names[i]) == 0) {
            *out = (af_coll_op)i;
            return true;
        }
    return false;
}

bool af_coll_algo_parse(const char *text, af_coll_algo *out)
{
    for (int i = 0; text && i < AF_COLL_ALGO__COUNT; i++)
        if (strcmp(text, coll_algo_names[i]) == 0) {
            *out = (af_coll_algo)i;
            return true;
        }
    return false;
}

bool af_coll_supported(af_coll_op op, af_coll_algo algo)
{
    return algo == AF_COLL_RING || (algo == AF_COLL_TREE && op == AF_COLL_ALLREDUCE);
}

/* ceil(log2 p) for p >= 1: the depth of a binary tree spanning p ranks, rounded up (NCCL's
 * tuner takes floor(log2 nodes); the two agree on powers of two). */
static int coll_ceil_log2(int p)
{
    int depth = 0;
    for (int64_t span = 1; span < p; span *= 2)
        depth++;
    return depth;
}

/* The tree only where NCCL has one (all-reduce); every other pair is costed as the ring. */
static bool coll_is_tree(af_coll_op op, af_coll_algo algo)
{
    return algo == AF_COLL_TREE && op == AF_COLL_ALLREDUCE;
}

int af_coll_steps(af_coll_op op, af_coll_algo algo, int p)
{
    assert((unsigned)op < AF_COLL_OP__COUNT && (unsigned)algo < AF_COLL_ALGO__COUNT);
    if (p <= 1)
        return 0;
    if (coll_is_tree(op, algo))
        return 2 * coll_ceil_log2(p);
    /* A ring all-reduce is a reduce-scatter and an all-gather, p-1 steps each. */
    return op == AF_COLL_ALLREDUCE ? 2 * (p - 1) : p - 1;
}

double af_coll_wire_B(af_coll_op op, af_coll_algo algo, int p, double n_B)
{
    assert((unsigned)op < AF_COLL_OP__COUNT && (unsigned)algo < AF_COLL_ALGO__COUNT);
    assert(n_B >= 0);
    if (p <= 1)
        return 0;
    if (coll_is_tree(op, algo))
        return 2.0 * n_B;
    /* Each step moves one n/p block per rank: (p-1)/p of the buffer per pass, two passes for an
     * all-reduce. */
    double pass_B = (double)(p - 1) / p * n_B;
    return op == AF_COLL_ALLREDUCE ? 2.0 * pass_B : pass_B;
}

double af_coll_time_s(af_coll_op op, af_coll_algo algo, int p, double n_B, double alpha_s,
                      double bw_Bps)
{
    if (p <= 1)
        return 0;
    assert(alpha_s >= 0 && bw_Bps > 0);
    /* Exactly the split the engine uses, so a flow of wire bytes plus steps x alpha reproduces
     * this time to the last bit at the same bandwidth. */
    return af_coll_steps(op, algo, p) * alpha_s + af_coll_wire_B(op, algo, p, n_B) / bw_Bps;
}

double af_coll_busbw_factor(af_coll_op op, int p)
{
    assert((unsigned)op < AF_COLL_OP__COUNT);
    if (p <= 1)
        return 0;
    double share = (double)(p - 1) / p;
    return op == AF_COLL_ALLREDUCE ? 2.0 * share : share;
}

double af_coll_algbw_Bps(double n_B, double t_s)
{
    return t_s > 0 ? n_B / t_s : 0;
}

double af_coll_busbw_Bps(af_coll_op op, int p, double n_B, double t_s)
{
    return af_coll_algbw_Bps(n_B, t_s) * af_coll_busbw_factor(op, p);
}

double af_coll_hier_nic_per_gpu_Bps(const af_coll_hier *h)
{
    assert(h->gpus_per_node >= 1 && h->nics_per_node >= 1);
    return h->nics_per_node * h->nic_Bps / h->gpus_per_node;
}

/* One phase of op over p ranks: the split and its time, or an empty phase when p <= 1. */
static af_coll_phase coll_phase(af_coll_op op, af_coll_algo algo, int p, double n_B, double alpha_s,
                                double bw_Bps)
{
    af_coll_phase ph = {.alpha_s = alpha_s, .bw_Bps = bw_Bps};
    ph.steps = af_coll_steps(op, algo, p);
    ph.wire_B = af_coll_wire_B(op, algo, p, n_B);
    ph.time_s = af_coll_time_s(op, algo, p, n_B, alpha_s, bw_Bps);
    return ph;
}

double af_coll_hier_allreduce(const af_coll_hier *h, double n_B, af_coll_hier_cost *out)
{
    assert(h->nodes >= 1 && h->gpus_per_node >= 1 && n_B >= 0);
    const int g = h->gpus_per_node;
    af_coll_hier_cost c;
    c.reduce_scatter =
        coll_phase(AF_COLL_REDUCE_SCATTER, AF_COLL_RING, g, n_B, h->intra_alpha_s, h->intra_Bps);
    /* After the reduce-scatter each GPU holds one n/g shard; the GPUs of one local index (one
     * rail) reduce theirs across the nodes, g such collectives sharing the node's NICs. */
    c.inter = coll_phase(AF_COLL_ALLREDUCE, h->inter_algo, h->nodes, n_B / g, h->inter_alpha_s,
                         af_coll_hier_nic_per_gpu_Bps(h));
    c.all_gather =
        coll_phase(AF_COLL_ALLGATHER, AF_COLL_RING, g, n_B, h->intra_alpha_s, h->intra_Bps);
    c.total_s = c.reduce_scatter.time_s + c.inter.time_s + c.all_gather.time_s;
    if (out)
        *out = c;
    return c.total_s;
}

double af_pipeline_bubble(int p_stages, int m_microbatches)
{
    if (p_stages <= 1)
        return 0;
    assert(m_microbatches >= 1);
    /* Filling and draining the pipeline costs p-1 micro-batch slots out of m+p-1. */
    return (double)(p_stages - 1) / ((double)m_microbatches + p_stages - 1);
}

double af_coll_exposed_s(double t_comm_s, double overlap)
{
    if (!(t_comm_s > 0))
        return 0;
    /* !(overlap > 0) also catches NaN: no overlap claimed, all of it exposed. */
    double share = !(overlap > 0) ? 0 : overlap > 1 ? 1 : overlap;
    return (1 - share) * t_comm_s;
}

double af_flops_per_token(double P_params, int n_layers, int d_model, int seq_len, bool attention)
{
    assert(P_params >= 0);
    /* 2 per parameter forward (a multiply and an add), 4 backward (gradients of activations and
     * of weights). */
    double flops = 6 * P_params;
    if (attention) {
        assert(n_layers >= 0 && d_model >= 0 && seq_len >= 0);
        /* Per layer and token, QK^T and the product with V each take 2 s d forward, so 4 s d
         * forward and 12 s d with the backward pass. */
        flops += 12.0 * n_layers * (double)d_model * (double)seq_len;
    }
    return flops;
}
