/*
 * collective: closed forms for training at scale: the alpha-beta cost of collective operations
 * (flat and two-level), bus bandwidth as nccl-tests reports it, the pipeline-parallel bubble,
 * communication left exposed by overlap, and training FLOPs per token with attention. Pure
 * functions of their arguments: no simulation, no flows, no allocation.
 *
 * Alpha-beta model (doc/formulas.md, "Collectives"). A message of m bytes between two ranks takes
 * alpha + m / bw: alpha the per-step latency in s, bw the bandwidth of one rank's link per
 * direction in bytes/s (links are full duplex: a rank sends and receives at bw at once). n is the
 * buffer size in bytes as nccl-tests' "size" gives it: the full buffer each rank holds for an
 * all-reduce, the full input of a reduce-scatter, the full output of an all-gather, the full
 * send buffer of an all-to-all (p blocks of n/p). Reduction arithmetic (the gamma term) is not
 * charged. Every cost is split into
 *
 *     time = steps x alpha + wire / bw
 *
 * with steps the latency steps on the critical path and wire the bytes each rank sends over its
 * link, so the engine can move `wire` as a flow on the fabric (where it shares links with other
 * traffic) and add `steps x alpha` itself. af_coll_time_s computes exactly that expression.
 *
 *   op, algo                 steps              wire (bytes per rank)
 *   all-reduce, ring         2 (p-1)            2 ((p-1)/p) n
 *   all-reduce, tree         2 ceil(log2 p)     2 n
 *   reduce-scatter, ring     p-1                ((p-1)/p) n
 *   all-gather, ring         p-1                ((p-1)/p) n
 *   all-to-all, pairwise     p-1                ((p-1)/p) n
 *
 * - Ring all-reduce is a ring reduce-scatter followed by a ring all-gather: Thakur, Rabenseifner
 *   and Gropp, "Optimization of collective communication operations in MPICH", IJHPCA 19(1) 2005;
 *   Patarasuk and Yuan, "Bandwidth optimal all-reduce algorithms for clusters of workstations",
 *   JPDC 69(2) 2009, who prove its 2 ((p-1)/p) n is the least any all-reduce must send per rank.
 * - All-to-all by pairwise exchange (p-1 steps, each sending one n/p block): Thakur et al. 2005.
 * - Tree all-reduce is NCCL's double binary tree (Jeaugey, "Massively scale your deep
 *   learning training with NCCL 2.4", NVIDIA Technical Blog, 2019): the two-tree scheme of
 *   Sanders, Speck and Traeff, "Two-tree algorithms for full bandwidth broadcast, reduction and
 *   scan", Parallel Computing 35(12) 2009. Each half of the buffer is reduced up one binary tree
 *   and broadcast down it, pipelined in chunks, the two trees arranged so that a rank inner in
 *   one is a leaf in the other. An inner, non-root rank with two children sends n/2 up and n/2
 *   to each child in its inner tree and n/2 up as a leaf of the other: 2n. NCCL's tuning model
 *   charges every rank that much (tree algorithm bandwidth = bus bandwidth / 2, NCCL
 *   src/graph/tuning.cc) and 2 log2(nodes) network latencies. The pipeline is ceil(log2 p) deep
 *   up and as deep down, so 2 ceil(log2 p) steps. This is the large-message form: the
 *   pipeline's fill (one chunk's transfer per level, minimised by the chunk size of Sanders et
 *   al.) is not charged, so it slightly flatters the tree at mid sizes; ranks with fewer
 *   children send less, so for small p (2n at p = 2 against the ring's n) it overcharges it.
 *   NCCL's tree serves all-reduce only (its tuner models no tree for the other operations), so
 *   AF_COLL_TREE applies to all-reduce alone (af_coll_supported); for the other operations it
 *   costs as the ring.
 *
 * Bus bandwidth (nccl-tests doc/PERFORMANCE.md): algbw = n / t and busbw = algbw x factor, with
 * factor 2(p-1)/p for all-reduce and (p-1)/p for reduce-scatter, all-gather and all-to-all, so
 * that a ring at alpha = 0 shows busbw = bw whatever p: a figure to compare with the link rate.
 *
 * Hierarchical all-reduce (af_coll_hier_allreduce): g GPUs in each of m nodes. A ring
 * reduce-scatter of n inside each node over NVLink leaves every GPU one n/g shard; the g GPUs of
 * the same local index (the same rail, in a rail-optimized fabric) all-reduce their shard across
 * the m nodes over the NICs, g such all-reduces at once; a ring all-gather of n inside the node
 * finishes. This is the 2D all-reduce of Mikami et al., "Massively distributed SGD:
 * ImageNet/ResNet-50 training in a flash", arXiv:1811.05233, 2018 (reduce-scatter along one axis
 * of the GPU grid, all-reduce along the other, all-gather along the first). In the middle phase
 * the g rings share the node's NICs: each GPU gets nics x NIC rate / g per direction, one NIC's
 * line rate when every GPU has its own NIC (DGX: 8 GPUs, 8 NICs), so the NICs bound that phase
 * however fast NVLink is.
 *
 * Pipeline bubble (af_pipeline_bubble): p stages fed m micro-batches idle (p-1)/(m+p-1) of a
 * step, for GPipe (Huang et al., "GPipe: efficient training of giant neural networks using
 * pipeline parallelism", NeurIPS 2019) and 1F1B alike (Narayanan et al., "Efficient large-scale
 * language model training on GPU clusters using Megatron-LM", SC21, 2021: a bubble of (p-1)/m of
 * the ideal compute time; 1F1B bounds memory, not the bubble).
 *
 * Training FLOPs per token (af_flops_per_token; doc/formulas.md, "Training compute"): 6P
 * (Kaplan et al., "Scaling laws for neural language models", arXiv:2001.08361, 2020), or with
 * attention 6P + 12 L d s for L layers of width d over sequences of s tokens: PaLM's
 * 6N + 12 L H Q T with H heads of size Q, H Q = d (Chowdhery et al., "PaLM: scaling language
 * modeling with Pathways", arXiv:2204.02311, 2022, appendix B), the same count as Narayanan et
 * al. 2021's 96 B s l h^2 (1 + s/(6h) + V/(16lh)) per batch (their equation 3) less its
 * recomputed forward pass and logit layer.
 */
#ifndef AF_MODEL_COLLECTIVE_H
#define AF_MODEL_COLLECTIVE_H

#include <stdbool.h>

/* A collective operation. */
typedef enum {
    AF_COLL_ALLREDUCE,      /* every rank ends with the sum of all n-byte buffers */
    AF_COLL_REDUCE_SCATTER, /* every rank ends with its n/p share of the sum */
    AF_COLL_ALLGATHER,      /* every rank ends with all p blocks of n/p */
    AF_COLL_ALLTOALL,       /* rank i sends its block j (n/p bytes) to rank j */
    AF_COLL_OP__COUNT
} af_coll_op;

/* How the operation is carried out. */
typedef enum {
    AF_COLL_RING, /* ring (pairwise exchange for all-to-all) */
    AF_COLL_TREE, /* pipelined double binary tree; all-reduce only */
    AF_COLL_ALGO__COUNT
} af_coll_algo;

/* Name of an operation as scenarios spell it: "all-reduce", "reduce-scatter", "all-gather",
 * "all-to-all"; static. "?" for a value outside the enum. */
const char *af_coll_op_name(af_coll_op op);

/* Name of an algorithm: "ring" or "tree"; static. "?" for a value outside the enum. */
const char *af_coll_algo_name(af_coll_algo algo);

/* Reads an operation name (exactly as af_coll_op_name writes it). Returns true and sets *out when
 * text is one; false, *out unchanged, otherwise (NULL included). */
bool af_coll_op_parse(const char *text, af_coll_op *out);

/* Reads an algorithm name ("ring" or "tree"), likewise. */
bool af_coll_algo_parse(const char *text, af_coll_algo *out);

/* Whether algo is a way to carry out op: the ring always, the tree for all-reduce only. The cost
 * functions cost an unsupported pair as the ring. */
bool af_coll_supported(af_coll_op op, af_coll_algo algo);

/* Latency steps of op over p ranks (the alpha multiplier; table above). 0 when p <= 1. */
int af_coll_steps(af_coll_op op, af_coll_algo algo, int p);

/* Bytes each rank sends over its link for op on an n_B-byte buffer over p ranks (the beta
 * multiplier times bw; table above), bytes. It receives as much. 0 when p <= 1. n_B >= 0. */
double af_coll_wire_B(af_coll_op op, af_coll_algo algo, int p, double n_B);

/* Time of op on an n_B-byte buffer over p ranks, each with a link of bw_Bps bytes/s per direction
 * and alpha_s s of latency per step: af_coll_steps x alpha_s + af_coll_wire_B / bw_Bps, computed
 * as exactly that expression, s. 0 when p <= 1. n_B >= 0, alpha_s >= 0, bw_Bps > 0. */
double af_coll_time_s(af_coll_op op, af_coll_algo algo, int p, double n_B, double alpha_s,
                      double bw_Bps);

/* nccl-tests' bus bandwidth factor: 2(p-1)/p for all-reduce, (p-1)/p for the others; 0 when
 * p <= 1. */
double af_coll_busbw_factor(af_coll_op op, int p);

/* Algorithm bandwidth n_B / t_s, bytes/s; 0 when t_s <= 0 (or not a number). */
double af_coll_algbw_Bps(double n_B, double t_s);

/* Bus bandwidth af_coll_algbw_Bps x af_coll_busbw_factor, bytes/s: equal to bw for a ring at
 * alpha = 0, below it with latency. 0 when t_s <= 0 or p <= 1. */
double af_coll_busbw_Bps(af_coll_op op, int p, double n_B, double t_s);

/* A two-level all-reduce: nodes x gpus_per_node ranks. */
typedef struct af_coll_hier {
    int nodes;               /* m, nodes, >= 1 */
    int gpus_per_node;       /* g, GPUs per node, >= 1 */
    double intra_alpha_s;    /* per-step latency inside a node (NVLink), s, >= 0 */
    double intra_Bps;        /* NVLink bandwidth of one GPU per direction, bytes/s, > 0 */
    double inter_alpha_s;    /* per-step latency between nodes (NIC to NIC), s, >= 0 */
    int nics_per_node;       /* NICs per node on the fabric the inter-node phase uses, >= 1 */
    double nic_Bps;          /* line rate of one NIC per direction, bytes/s, > 0 */
    af_coll_algo inter_algo; /* all-reduce across the nodes: ring (0, the default) or tree */
} af_coll_hier;

/* One phase of a collective: time_s = steps x alpha_s + wire_B / bw_Bps. */
typedef struct af_coll_phase {
    int steps;      /* latency steps */
    double alpha_s; /* latency per step, s */
    double wire_B;  /* bytes each GPU sends in the phase (and receives) */
    double bw_Bps;  /* the bandwidth they cross, per GPU per direction, bytes/s */
    double time_s;  /* the phase's time, s; 0 for a phase that does not run */
} af_coll_phase;

/* The phases of a hierarchical all-reduce. */
typedef struct af_coll_hier_cost {
    af_coll_phase reduce_scatter; /* ring reduce-scatter of n inside each node, over NVLink */
    af_coll_phase inter;          /* all-reduce of each GPU's n/g shard across the m nodes, at
                                   * af_coll_hier_nic_per_gpu_Bps; g of them run at once */
    af_coll_phase all_gather;     /* ring all-gather of n inside each node, over NVLink */
    double total_s;               /* the sum of the three, s */
} af_coll_hier_cost;

/* Inter-node bandwidth one GPU's ring gets: nics_per_node x nic_Bps / gpus_per_node, bytes/s per
 * direction (one NIC's line rate in a rail-optimized node with a NIC per GPU). */
double af_coll_hier_nic_per_gpu_Bps(const af_coll_hier *h);

/* Hierarchical all-reduce of n_B bytes (see the opening comment): returns the total time, s, and
 * fills *out when it is not NULL. With one node it is a ring all-reduce over NVLink; with one GPU
 * per node, a flat all-reduce across the nodes at nics_per_node x nic_Bps. n_B >= 0. */
double af_coll_hier_allreduce(const af_coll_hier *h, double n_B, af_coll_hier_cost *out);

/* Share of a pipeline-parallel step that p_stages stages fed m_microbatches micro-batches spend
 * idle: (p-1)/(m+p-1), in [0, 1). 0 when p_stages <= 1; m_microbatches >= 1. A step takes the
 * ideal compute time / (1 - bubble) = ideal x (m+p-1)/m. */
double af_pipeline_bubble(int p_stages, int m_microbatches);

/* Communication time left on a step's critical path when a share `overlap` of it runs under
 * compute: (1 - overlap) x t_comm_s, s. overlap is clamped to [0, 1] (a NaN counts as 0) and a
 * negative t_comm_s counts as 0. */
double af_coll_exposed_s(double t_comm_s, double overlap);

/* Training FLOPs per token (forward and backward, no recomputation) of a dense transformer of
 * P_params parameters: 6 P without attention; 6 P + 12 n_layers d_model seq_len with it (the
 * attention scores QK^T and their product with V), FLOPs. The layer, width and length are
 * ignored without attention. All >= 0. */
double af_flops_per_token(double P_params, int n_layers, int d_model, int seq_len, bool attention);

#endif
