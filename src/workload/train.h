/*
 * train: a data-parallel training job on one GPU pool, fed by a prefetching data loader that
 * reads its batches from one storage tier.
 *
 * The pool's GPUs move in lock-step as one group (identical GPUs reading identical shards), so
 * the cost of simulating a step does not grow with the GPU count. Per step each GPU reads
 * batch_B = samples_per_gpu * sample_B bytes and computes for compute_s seconds. The loader keeps
 * up to `prefetch` batches ready ahead of the step in progress; when none is ready at a step's
 * start, the GPUs wait for data, and that time is counted apart from computing.
 *
 * Compute time per step is given (step_time) or derived from the model size with the standard
 * estimate 6 * params * tokens_per_step / (gpus * peak * MFU) (Kaplan et al. 2020; see
 * ../shared/reference/formulas.md, "Training compute"); MFU here excludes attention FLOPs.
 */
#ifndef AF_WORKLOAD_TRAIN_H
#define AF_WORKLOAD_TRAIN_H

#include <stddef.h>

/* Precision whose dense peak sets the derived step time. */
typedef enum { AF_PREC_BF16, AF_PREC_FP8 } af_precision;

/* One training job's configuration. Plain data; strings borrowed from the scenario arena. */
typedef struct af_train_config {
    const char *name;       /* job name, unique among workloads (defaults to the pool name) */
    size_t pool;            /* index of the GPU pool in af_world_config.pools */
    size_t tier;            /* index of the storage tier the data set lives on */
    double step_time_s;     /* compute time per step; 0 = derive from params, tokens, MFU */
    double params;          /* model parameters (for the derived step time), count */
    double tokens_per_step; /* global tokens per step (for the derived step time), count */
    double mfu;             /* model FLOPs utilization, (0, 1] (for the derived step time) */
    af_precision precision; /* which peak the derived step time uses */
    double dataset_B;       /* data set size on the tier, bytes */
    double sample_B;        /* mean sample size, bytes */
    double sample_sd_B;     /* standard deviation of the sample size, bytes (0 = all equal) */
    double samples_per_file; /* samples stored per file, >= 1 (each file opened costs one
                                metadata operation on the tier) */
    double files;           /* files in the data set: dataset_B / (sample_B * samples_per_file) */
    double samples_per_gpu; /* batch size per GPU per step, samples */
    int reader_threads;     /* loader threads per GPU, each with one read in flight; 0 = no
                               limit (the loader keeps enough reads in flight) */
    int prefetch;           /* batches the loader keeps ready ahead of the running step, >= 1 */
    double weight;          /* QoS weight per GPU on the tier, > 0 (default 1) */
} af_train_config;

/* Compute time of one step for a job on `gpus` GPUs of peak `peak_flops` (FLOP/s): step_time_s
 * when given, else 6 * params * tokens_per_step / (gpus * peak_flops * mfu), in s. */
double af_train_compute_s(const af_train_config *c, double gpus, double peak_flops);

/* Bytes each GPU reads per step: samples_per_gpu * sample_B. */
double af_train_batch_B(const af_train_config *c);

#endif
