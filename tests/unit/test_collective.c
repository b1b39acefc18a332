/*
 * test_collective: the alpha-beta collective costs of model/collective.h against hand-worked
 * numbers and their closed forms, the steps / wire split that the engine relies on, nccl-tests
 * bus bandwidth, the two-level all-reduce and its degenerate cases, the pipeline bubble, exposed
 * communication, and training FLOPs per token against the attention term of Narayanan et al.
 * 2021 for GPT-3 175B (doc/formulas.md, "Collectives" and "Training compute").
 */
#include "model/collective.h"

#include "cutest.h"

#include <math.h>

/* The worked example of doc/formulas.md: 1 GiB over 8 ranks at 50 GB/s (400 Gb/s) and 5 us. */
#define GIB 1073741824.0
#define BW 50e9
#define ALPHA 5e-6

/* p = 8, n = 2^30 B, by hand:
 *   all-reduce, ring  14 x 5e-6 + 2 x 7/8 x 2^30 / 50e9 = 7e-5 + 0.03758096384 = 0.03765096384 s
 *   reduce-scatter    7 x 5e-6 + 7/8 x 2^30 / 50e9 = 3.5e-5 + 0.01879048192 = 0.01882548192 s
 *   all-gather, all-to-all: the same
 *   all-reduce, tree  2 x 3 x 5e-6 + 2 x 2^30 / 50e9 = 3e-5 + 0.04294967296 = 0.04297967296 s */
static void test_hand_numbers(void)
{
    CU_ASSERT_EQUAL(af_coll_steps(AF_COLL_ALLREDUCE, AF_COLL_RING, 8), 14);
    AF_ASSERT_REL(af_coll_wire_B(AF_COLL_ALLREDUCE, AF_COLL_RING, 8, GIB), 1879048192.0, 1e-15);
    AF_ASSERT_REL(af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_RING, 8, GIB, ALPHA, BW), 0.03765096384,
                  1e-12);
    static const af_coll_op halves[] = {AF_COLL_REDUCE_SCATTER, AF_COLL_ALLGATHER,
                                        AF_COLL_ALLTOALL};
    for (size_t i = 0; i < sizeof halves / sizeof halves[0]; i++) {
        CU_ASSERT_EQUAL(af_coll_steps(halves[i], AF_COLL_RING, 8), 7);
        AF_ASSERT_REL(af_coll_wire_B(halves[i], AF_COLL_RING, 8, GIB), 939524096.0, 1e-15);
        AF_ASSERT_REL(af_coll_time_s(halves[i], AF_COLL_RING, 8, GIB, ALPHA, BW), 0.01882548192,
                      1e-12);
    }
    CU_ASSERT_EQUAL(af_coll_steps(AF_COLL_ALLREDUCE, AF_COLL_TREE, 8), 6);
    AF_ASSERT_REL(af_coll_wire_B(AF_COLL_ALLREDUCE, AF_COLL_TREE, 8, GIB), 2147483648.0, 1e-15);
    AF_ASSERT_REL(af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_TREE, 8, GIB, ALPHA, BW), 0.04297967296,
                  1e-12);
    /* The tree is ceil(log2 p) deep each way: 9 ranks take 2 x 4 steps, 2 ranks 2 x 1, 1024
     * ranks 2 x 10. */
    CU_ASSERT_EQUAL(af_coll_steps(AF_COLL_ALLREDUCE, AF_COLL_TREE, 9), 8);
    CU_ASSERT_EQUAL(af_coll_steps(AF_COLL_ALLREDUCE, AF_COLL_TREE, 2), 2);
    CU_ASSERT_EQUAL(af_coll_steps(AF_COLL_ALLREDUCE, AF_COLL_TREE, 1024), 20);
    CU_ASSERT_EQUAL(af_coll_steps(AF_COLL_ALLREDUCE, AF_COLL_TREE, 1025), 22);
    /* An empty buffer costs its latency alone. */
    AF_ASSERT_REL(af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_RING, 8, 0, ALPHA, BW), 7e-5, 1e-12);
    AF_ASSERT_REL(af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_TREE, 9, 0, 1e-6, BW), 8e-6, 1e-12);
    /* One rank (or none) communicates nothing. */
    for (int op = 0; op < AF_COLL_OP__COUNT; op++)
        for (int algo = 0; algo < AF_COLL_ALGO__COUNT; algo++)
            for (int p = -1; p <= 1; p++) {
                CU_ASSERT_EQUAL(af_coll_steps((af_coll_op)op, (af_coll_algo)algo, p), 0);
                CU_ASSERT_EQUAL(af_coll_wire_B((af_coll_op)op, (af_coll_algo)algo, p, GIB), 0);
                CU_ASSERT_EQUAL(
                    af_coll_time_s((af_coll_op)op, (af_coll_algo)algo, p, GIB, ALPHA, BW), 0);
            }
}

/* The closed forms of collective.h for every operation and rank count from 2 to 4096. */
static void test_closed_forms(void)
{
    const double n = 3e9;
    for (int p = 2; p <= 4096; p = p < 16 ? p + 1 : p * 2 + 1) {
        double share = (double)(p - 1) / p;
        double ring_ar = 2.0 * (p - 1) * ALPHA + 2.0 * share * n / BW;
        double half = (p - 1) * ALPHA + share * n / BW;
        double depth = ceil(log2((double)p));
        double tree_ar = 2.0 * depth * ALPHA + 2.0 * n / BW;
        AF_ASSERT_REL(af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_RING, p, n, ALPHA, BW), ring_ar,
                      1e-12);
        AF_ASSERT_REL(af_coll_time_s(AF_COLL_REDUCE_SCATTER, AF_COLL_RING, p, n, ALPHA, BW), half,
                      1e-12);
        AF_ASSERT_REL(af_coll_time_s(AF_COLL_ALLGATHER, AF_COLL_RING, p, n, ALPHA, BW), half,
                      1e-12);
        AF_ASSERT_REL(af_coll_time_s(AF_COLL_ALLTOALL, AF_COLL_RING, p, n, ALPHA, BW), half, 1e-12);
        AF_ASSERT_REL(af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_TREE, p, n, ALPHA, BW), tree_ar,
                      1e-12);
        /* A ring all-reduce is a reduce-scatter followed by an all-gather. */
        AF_ASSERT_REL(af_coll_time_s(AF_COLL_REDUCE_SCATTER, AF_COLL_RING, p, n, ALPHA, BW) +
                          af_coll_time_s(AF_COLL_ALLGATHER, AF_COLL_RING, p, n, ALPHA, BW),
                      ring_ar, 1e-12);
        /* The ring sends the least any all-reduce can (Patarasuk & Yuan), the tree never takes
         * more steps. */
        CU_ASSERT(af_coll_wire_B(AF_COLL_ALLREDUCE, AF_COLL_RING, p, n) <
                  af_coll_wire_B(AF_COLL_ALLREDUCE, AF_COLL_TREE, p, n));
        CU_ASSERT(af_coll_steps(AF_COLL_ALLREDUCE, AF_COLL_TREE, p) <=
                  af_coll_steps(AF_COLL_ALLREDUCE, AF_COLL_RING, p));
    }
}

/* time = steps x alpha + wire / bw, to the last bit, for every operation, algorithm, rank count
 * and a spread of sizes, latencies and bandwidths: the split the engine uses. */
static void test_split(void)
{
    static const double sizes[] = {0, 1, 4096, 1e6, GIB, 3.5e11};
    static const double alphas[] = {0, 1e-6, ALPHA, 2.5e-5};
    static const double bws[] = {12.5e9, BW, 450e9};
    for (int op = 0; op < AF_COLL_OP__COUNT; op++)
        for (int algo = 0; algo < AF_COLL_ALGO__COUNT; algo++)
            for (int p = 1; p <= 100000; p = p < 10 ? p + 1 : p * 3 + 1)
                for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
                    for (size_t j = 0; j < sizeof alphas / sizeof alphas[0]; j++)
                        for (size_t k = 0; k < sizeof bws / sizeof bws[0]; k++) {
                            af_coll_op o = (af_coll_op)op;
                            af_coll_algo a = (af_coll_algo)algo;
                            double split = af_coll_steps(o, a, p) * alphas[j] +
                                           af_coll_wire_B(o, a, p, sizes[i]) / bws[k];
                            CU_ASSERT_EQUAL(af_coll_time_s(o, a, p, sizes[i], alphas[j], bws[k]),
                                            split);
                        }
}

/* The tree is NCCL's for all-reduce only: any other operation asked for a tree costs as the
 * ring. */
static void test_supported(void)
{
    for (int op = 0; op < AF_COLL_OP__COUNT; op++) {
        af_coll_op o = (af_coll_op)op;
        CU_ASSERT(af_coll_supported(o, AF_COLL_RING));
        CU_ASSERT_EQUAL(af_coll_supported(o, AF_COLL_TREE), o == AF_COLL_ALLREDUCE);
        if (o == AF_COLL_ALLREDUCE)
            continue;
        CU_ASSERT_EQUAL(af_coll_steps(o, AF_COLL_TREE, 64), af_coll_steps(o, AF_COLL_RING, 64));
        CU_ASSERT_EQUAL(af_coll_time_s(o, AF_COLL_TREE, 64, GIB, ALPHA, BW),
                        af_coll_time_s(o, AF_COLL_RING, 64, GIB, ALPHA, BW));
    }
}

/* Latency against bandwidth: over 1024 ranks a 1 MB all-reduce is latency-bound and the tree wins
 * (20 x 5 us + 2 MB / 50 GB/s = 0.14 ms against 2046 x 5 us + ... = 10.27 ms); 1 GiB over 8 ranks
 * is bandwidth-bound and the ring wins (above: 37.7 ms against 43.0 ms). */
static void test_crossover(void)
{
    double tree = af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_TREE, 1024, 1e6, ALPHA, BW);
    double ring = af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_RING, 1024, 1e6, ALPHA, BW);
    AF_ASSERT_REL(tree, 20 * ALPHA + 2e6 / BW, 1e-12);
    AF_ASSERT_REL(ring, 2046 * ALPHA + 2.0 * 1023 / 1024 * 1e6 / BW, 1e-12);
    CU_ASSERT(tree < ring);
    CU_ASSERT(af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_RING, 8, GIB, ALPHA, BW) <
              af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_TREE, 8, GIB, ALPHA, BW));
}

/* nccl-tests: busbw = algbw x 2(p-1)/p for all-reduce, x (p-1)/p for the others, which makes a
 * ring's busbw at alpha = 0 the link bandwidth whatever p. With latency it falls below; a tree
 * at alpha = 0 shows (p-1)/p of it (its 2n per rank against the ring's 2(p-1)/p n). */
static void test_busbw(void)
{
    for (int p = 2; p <= 4096; p *= 2) {
        double share = (double)(p - 1) / p;
        AF_ASSERT_REL(af_coll_busbw_factor(AF_COLL_ALLREDUCE, p), 2 * share, 1e-15);
        for (int op = 0; op < AF_COLL_OP__COUNT; op++) {
            af_coll_op o = (af_coll_op)op;
            if (o != AF_COLL_ALLREDUCE)
                AF_ASSERT_REL(af_coll_busbw_factor(o, p), share, 1e-15);
            double t = af_coll_time_s(o, AF_COLL_RING, p, GIB, 0, BW);
            AF_ASSERT_REL(af_coll_busbw_Bps(o, p, GIB, t), BW, 1e-12);
            AF_ASSERT_REL(af_coll_algbw_Bps(GIB, t), GIB / t, 1e-15);
        }
        double t = af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_TREE, p, GIB, 0, BW);
        AF_ASSERT_REL(af_coll_busbw_Bps(AF_COLL_ALLREDUCE, p, GIB, t), share * BW, 1e-12);
    }
    /* p = 8 with 5 us: n / 0.03765096384 s x 1.75 = 49.905 GB/s. */
    double t = af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_RING, 8, GIB, ALPHA, BW);
    double busbw = af_coll_busbw_Bps(AF_COLL_ALLREDUCE, 8, GIB, t);
    AF_ASSERT_REL(busbw, GIB / 0.03765096384 * 1.75, 1e-12);
    CU_ASSERT(busbw < BW);
    /* 3 GB all-to-all over 4 ranks in 1 s: algbw 3 GB/s, busbw x 3/4. */
    AF_ASSERT_REL(af_coll_busbw_Bps(AF_COLL_ALLTOALL, 4, 3e9, 1), 2.25e9, 1e-15);
    AF_ASSERT_REL(af_coll_busbw_Bps(AF_COLL_ALLGATHER, 4, 3e9, 2), 1.125e9, 1e-15);
    /* Nothing to report without time or without a peer. */
    CU_ASSERT_EQUAL(af_coll_busbw_Bps(AF_COLL_ALLREDUCE, 8, GIB, 0), 0);
    CU_ASSERT_EQUAL(af_coll_busbw_Bps(AF_COLL_ALLREDUCE, 8, GIB, -1), 0);
    CU_ASSERT_EQUAL(af_coll_busbw_Bps(AF_COLL_ALLREDUCE, 8, GIB, NAN), 0);
    CU_ASSERT_EQUAL(af_coll_busbw_Bps(AF_COLL_ALLREDUCE, 1, GIB, 1), 0);
    CU_ASSERT_EQUAL(af_coll_busbw_factor(AF_COLL_ALLTOALL, 1), 0);
    CU_ASSERT_EQUAL(af_coll_algbw_Bps(GIB, 0), 0);
}

/* 16 DGX H100 (8 GPUs on NVLink at 450 GB/s per direction, 1 us; 8 x 400G NICs, one per GPU,
 * 5 us), 1 GiB, by hand:
 *   reduce-scatter = all-gather = 7 x 1e-6 + 7/8 x 2^30 / 450e9 = 0.00209483132444 s,
 *     939524096 B over NVLink each
 *   inter-node ring of 2^30 / 8 = 134217728 B over 16 nodes at 50 GB/s per GPU:
 *     30 x 5e-6 + 2 x 15/16 x 134217728 / 50e9 = 1.5e-4 + 0.0050331648 = 0.0051831648 s,
 *     251658240 B over each GPU's NIC */
static void test_hierarchical(void)
{
    af_coll_hier h = {16, 8, 1e-6, 450e9, 5e-6, 8, BW, AF_COLL_RING};
    af_coll_hier_cost c;
    AF_ASSERT_REL(af_coll_hier_nic_per_gpu_Bps(&h), BW, 1e-15);
    double total = af_coll_hier_allreduce(&h, GIB, &c);
    AF_ASSERT_REL(c.reduce_scatter.time_s, 0.0020948313244444445, 1e-12);
    AF_ASSERT_REL(c.all_gather.time_s, 0.0020948313244444445, 1e-12);
    CU_ASSERT_EQUAL(c.reduce_scatter.steps, 7);
    AF_ASSERT_REL(c.reduce_scatter.wire_B, 939524096.0, 1e-15);
    AF_ASSERT_REL(c.all_gather.wire_B, 939524096.0, 1e-15);
    CU_ASSERT_EQUAL(c.reduce_scatter.bw_Bps, 450e9);
    CU_ASSERT_EQUAL(c.reduce_scatter.alpha_s, 1e-6);
    AF_ASSERT_REL(c.inter.time_s, 0.0051831648, 1e-12);
    CU_ASSERT_EQUAL(c.inter.steps, 30);
    AF_ASSERT_REL(c.inter.wire_B, 251658240.0, 1e-15);
    CU_ASSERT_EQUAL(c.inter.bw_Bps, BW);
    CU_ASSERT_EQUAL(c.inter.alpha_s, 5e-6);
    AF_ASSERT_REL(total, 2 * 0.0020948313244444445 + 0.0051831648, 1e-12);
    CU_ASSERT_EQUAL(c.total_s, total);
    CU_ASSERT_EQUAL(af_coll_hier_allreduce(&h, GIB, NULL), total);
    /* Each phase obeys the split too. */
    const af_coll_phase *ph[] = {&c.reduce_scatter, &c.inter, &c.all_gather};
    for (size_t i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(ph[i]->time_s,
                        ph[i]->steps * ph[i]->alpha_s + ph[i]->wire_B / ph[i]->bw_Bps);
    /* A flat ring over all 128 GPUs, each at the NIC rate, takes 2 x 127 x 5 us + 2 x 127/128 x
     * 2^30 / 50e9 = 0.0438841 s, 4.7 times as long: the NICs carry only the n/g shards. */
    CU_ASSERT(total < af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_RING, 128, GIB, 5e-6, BW));

    /* A double binary tree across the nodes: 2 x 4 x 5e-6 + 2 x 2^27 / 50e9 = 0.00540870912 s. */
    h.inter_algo = AF_COLL_TREE;
    af_coll_hier_allreduce(&h, GIB, &c);
    CU_ASSERT_EQUAL(c.inter.steps, 8);
    AF_ASSERT_REL(c.inter.time_s, 0.00540870912, 1e-12);
    AF_ASSERT_REL(c.reduce_scatter.time_s, 0.0020948313244444445, 1e-12);
}

/* The inter-node phase runs at the node's NIC bandwidth per GPU: halving the NICs doubles its
 * bandwidth term, and however fast NVLink is the whole never beats 2 (m-1)/m x (n/g) / (NIC per
 * GPU). */
static void test_hierarchical_nic_bound(void)
{
    af_coll_hier h = {16, 8, 1e-6, 450e9, 5e-6, 4, BW, AF_COLL_RING};
    af_coll_hier_cost c;
    AF_ASSERT_REL(af_coll_hier_nic_per_gpu_Bps(&h), 25e9, 1e-15);
    af_coll_hier_allreduce(&h, GIB, &c);
    AF_ASSERT_REL(c.inter.time_s, 1.5e-4 + 2 * 0.0050331648, 1e-12);
    h.nics_per_node = 1;
    AF_ASSERT_REL(af_coll_hier_nic_per_gpu_Bps(&h), 6.25e9, 1e-15);

    static const int nodes[] = {2, 3, 16, 100, 1024};
    static const int gpus[] = {1, 2, 4, 8};
    static const int nics[] = {1, 2, 8};
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
        for (size_t j = 0; j < sizeof gpus / sizeof gpus[0]; j++)
            for (size_t k = 0; k < sizeof nics / sizeof nics[0]; k++) {
                int m = nodes[i], g = gpus[j];
                h = (af_coll_hier){m, g, 0, 1e30, 0, nics[k], BW, AF_COLL_RING};
                double per_gpu = nics[k] * BW / g;
                double bound = 2.0 * (m - 1) / m * (GIB / g) / per_gpu;
                AF_ASSERT_REL(af_coll_hier_allreduce(&h, GIB, &c), bound, 1e-9);
                CU_ASSERT_EQUAL(c.inter.bw_Bps, per_gpu);
                /* With latency the phase only grows. */
                h.inter_alpha_s = ALPHA;
                af_coll_hier_allreduce(&h, GIB, &c);
                CU_ASSERT(c.inter.time_s >= c.inter.wire_B / per_gpu);
                AF_ASSERT_REL(c.inter.time_s, bound + 2.0 * (m - 1) * ALPHA, 1e-12);
            }
}

/* One node: a ring all-reduce over NVLink, no inter-node phase. One GPU per node: a flat
 * all-reduce over the nodes at nics x NIC rate, no intra-node phases. */
static void test_hierarchical_degenerate(void)
{
    af_coll_hier_cost c;
    for (int g = 1; g <= 16; g++) {
        af_coll_hier h = {1, g, 1e-6, 450e9, 5e-6, 8, BW, AF_COLL_RING};
        double total = af_coll_hier_allreduce(&h, GIB, &c);
        CU_ASSERT_EQUAL(c.inter.time_s, 0);
        CU_ASSERT_EQUAL(c.inter.steps, 0);
        CU_ASSERT_EQUAL(c.inter.wire_B, 0);
        AF_ASSERT_REL(total, af_coll_time_s(AF_COLL_ALLREDUCE, AF_COLL_RING, g, GIB, 1e-6, 450e9),
                      1e-12);
        h.inter_algo = AF_COLL_TREE; /* nothing crosses the NICs, so nothing changes */
        AF_ASSERT_REL(af_coll_hier_allreduce(&h, GIB, NULL), total, 1e-15);
    }
    for (int m = 1; m <= 64; m = m * 2 + 1)
        for (int algo = 0; algo < AF_COLL_ALGO__COUNT; algo++) {
            af_coll_hier h = {m, 1, 1e-6, 450e9, 5e-6, 2, BW, (af_coll_algo)algo};
            double total = af_coll_hier_allreduce(&h, GIB, &c);
            CU_ASSERT_EQUAL(c.reduce_scatter.time_s, 0);
            CU_ASSERT_EQUAL(c.all_gather.time_s, 0);
            CU_ASSERT_EQUAL(c.reduce_scatter.wire_B, 0);
            CU_ASSERT_EQUAL(
                total, af_coll_time_s(AF_COLL_ALLREDUCE, (af_coll_algo)algo, m, GIB, 5e-6, 2 * BW));
        }
    /* One GPU in all: nothing at all. */
    af_coll_hier one = {1, 1, 1e-6, 450e9, 5e-6, 1, BW, AF_COLL_RING};
    CU_ASSERT_EQUAL(af_coll_hier_allreduce(&one, GIB, &c), 0);
}

/* (p-1)/(m+p-1): 0 for one stage, 3/15 for 4 stages and 12 micro-batches, 7/8 for 8 stages and
 * one micro-batch (GPipe without micro-batching), falling to 0 as m grows; bubble / (1 - bubble)
 * is Narayanan et al.'s (p-1)/m. */
static void test_bubble(void)
{
    CU_ASSERT_EQUAL(af_pipeline_bubble(1, 1), 0);
    CU_ASSERT_EQUAL(af_pipeline_bubble(1, 1000), 0);
    CU_ASSERT_EQUAL(af_pipeline_bubble(0, 8), 0);
    AF_ASSERT_REL(af_pipeline_bubble(4, 12), 3.0 / 15, 1e-15);
    AF_ASSERT_REL(af_pipeline_bubble(8, 1), 7.0 / 8, 1e-15);
    static const int micro[] = {1, 2, 10, 100, 1000, 1000000, 1000000000};
    double last = 1;
    for (size_t i = 0; i < sizeof micro / sizeof micro[0]; i++) {
        double b = af_pipeline_bubble(4, micro[i]);
        CU_ASSERT(b < last);
        CU_ASSERT(b > 0);
        AF_ASSERT_REL(b / (1 - b), 3.0 / micro[i], 1e-9);
        last = b;
    }
    CU_ASSERT(af_pipeline_bubble(4, 1000000000) < 1e-8);
}

/* (1 - overlap) x t_comm, overlap clamped to [0, 1]. */
static void test_exposed(void)
{
    AF_ASSERT_REL(af_coll_exposed_s(10, 0.25), 7.5, 1e-15);
    CU_ASSERT_EQUAL(af_coll_exposed_s(10, 0), 10);
    CU_ASSERT_EQUAL(af_coll_exposed_s(10, 1), 0);
    CU_ASSERT_EQUAL(af_coll_exposed_s(10, -0.5), 10);
    CU_ASSERT_EQUAL(af_coll_exposed_s(10, 2), 0);
    CU_ASSERT_EQUAL(af_coll_exposed_s(10, NAN), 10);
    CU_ASSERT_EQUAL(af_coll_exposed_s(0, 0.5), 0);
    CU_ASSERT_EQUAL(af_coll_exposed_s(-1, 0.5), 0);
}

/* GPT-3 175B: 96 layers of width 12288 over 2048-token sequences (Brown et al. 2020, as
 * Narayanan et al. 2021 train it). Attention adds 12 x 96 x 12288 x 2048 = 28,991,029,248 FLOPs
 * per token. With P = 12 l h^2 (Narayanan et al.'s parameter count without embeddings) the total
 * is 6P (1 + s/(6h)) = 6P x 37/36: the s/(6h) term of their eq. (3), 2.78% more than 6P; with
 * recomputation, which their 96 B s l h^2 counts, 4/3 of it. With the published 175e9
 * parameters, 2.76% more. */
static void test_flops(void)
{
    const int L = 96, d = 12288, s = 2048;
    CU_ASSERT_EQUAL(af_flops_per_token(175e9, L, d, s, false), 1.05e12);
    CU_ASSERT_EQUAL(af_flops_per_token(175e9, 0, 0, 0, false), 1.05e12);
    double attn = af_flops_per_token(0, L, d, s, true);
    CU_ASSERT_EQUAL(attn, 28991029248.0);

    double P = 12.0 * L * (double)d * d; /* 173,946,175,488 */
    double with = af_flops_per_token(P, L, d, s, true);
    AF_ASSERT_REL(with / (6 * P), 1 + (double)s / (6.0 * d), 1e-15);
    AF_ASSERT_REL(with / (6 * P), 37.0 / 36, 1e-15);
    /* Narayanan et al. eq. (3) per token (B s tokens per batch), logit layer left out. */
    double narayanan = 96.0 * L * (double)d * d * (1 + (double)s / (6.0 * d));
    AF_ASSERT_REL(with * 4 / 3, narayanan, 1e-15);

    AF_ASSERT_REL(af_flops_per_token(175e9, L, d, s, true) / 1.05e12, 1.0276105, 1e-7);
    /* Attention grows with the sequence: at 32k tokens it is 44% on top of 6P. */
    AF_ASSERT_REL(af_flops_per_token(P, L, d, 32768, true) / (6 * P), 1 + 32768 / 73728.0, 1e-15);
}

/* Names round-trip; anything else is refused. */
static void test_names(void)
{
    for (int op = 0; op < AF_COLL_OP__COUNT; op++) {
        af_coll_op got = AF_COLL_OP__COUNT;
        CU_ASSERT(af_coll_op_parse(af_coll_op_name((af_coll_op)op), &got));
        CU_ASSERT_EQUAL((int)got, op);
    }
    for (int algo = 0; algo < AF_COLL_ALGO__COUNT; algo++) {
        af_coll_algo got = AF_COLL_ALGO__COUNT;
        CU_ASSERT(af_coll_algo_parse(af_coll_algo_name((af_coll_algo)algo), &got));
        CU_ASSERT_EQUAL((int)got, algo);
    }
    CU_ASSERT_STRING_EQUAL(af_coll_op_name(AF_COLL_ALLREDUCE), "all-reduce");
    CU_ASSERT_STRING_EQUAL(af_coll_op_name(AF_COLL_ALLTOALL), "all-to-all");
    CU_ASSERT_STRING_EQUAL(af_coll_algo_name(AF_COLL_TREE), "tree");
    CU_ASSERT_STRING_EQUAL(af_coll_op_name(AF_COLL_OP__COUNT), "?");
    CU_ASSERT_STRING_EQUAL(af_coll_algo_name((af_coll_algo)-1), "?");
    af_coll_algo a = AF_COLL_TREE;
    CU_ASSERT(af_coll_algo_parse("ring", &a));
    CU_ASSERT_EQUAL(a, AF_COLL_RING);
    CU_ASSERT(!af_coll_algo_parse("Ring", &a));
    CU_ASSERT(!af_coll_algo_parse("", &a));
    CU_ASSERT(!af_coll_algo_parse(NULL, &a));
    CU_ASSERT_EQUAL(a, AF_COLL_RING);
    af_coll_op o = AF_COLL_ALLTOALL;
    CU_ASSERT(!af_coll_op_parse("allreduce", &o));
    CU_ASSERT(!af_coll_op_parse("all-reduce ", &o));
    CU_ASSERT_EQUAL(o, AF_COLL_ALLTOALL);
}

static const af_test tests[] = {
    {"alpha-beta times by hand (8 ranks, 1 GiB, 50 GB/s, 5 us)", test_hand_numbers},
    {"closed forms for 2 to 4096 ranks", test_closed_forms},
    {"time = steps x alpha + wire / bw exactly", test_split},
    {"the tree is for all-reduce only", test_supported},
    {"tree wins when latency-bound, ring when bandwidth-bound", test_crossover},
    {"nccl-tests bus bandwidth equals the link rate for a ring at alpha 0", test_busbw},
    {"hierarchical all-reduce by hand (16 DGX H100)", test_hierarchical},
    {"hierarchical inter-node phase bounded by the NIC rate per GPU", test_hierarchical_nic_bound},
    {"hierarchical degenerates to flat with one node or one GPU per node",
     test_hierarchical_degenerate},
    {"pipeline bubble (p-1)/(m+p-1)", test_bubble},
    {"exposed communication (1 - overlap) x t_comm", test_exposed},
    {"FLOPs per token with attention (GPT-3 175B)", test_flops},
    {"operation and algorithm names", test_names},
    {NULL, NULL}};

AF_TEST_MAIN("collective", tests)
