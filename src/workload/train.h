/*
 * train: a data-parallel training job on one GPU pool, fed by a prefetching data loader that
 * reads its batches from one storage tier (the configuration is af_train_config, config.h).
 *
 * The pool's GPUs move in lock-step as one group (identical GPUs reading identical shards), so
 * the cost of simulating a step does not grow with the GPU count. Per step each GPU reads
 * batch_B = samples_per_gpu x sample_B bytes and computes for compute_s seconds. The loader keeps
 * up to `prefetch` batches ready ahead of the step in progress; when none is ready at a step's
 * start, the GPUs wait for data, and that time is counted apart from computing.
 *
 * Compute time per step is given (step_time) or derived from the model size with the standard
 * estimate 6 x params x tokens_per_step / (gpus x peak x MFU) (Kaplan et al., "Scaling Laws for
 * Neural Language Models", arXiv:2001.08361, 2020; doc/formulas.md, "Training compute"); MFU here
 * excludes attention FLOPs.
 *
 * This header holds the figures derived from a job's configuration, computed once for both
 * `aifsim validate` and the run; the job's simulation is the train kind of the world (train.c).
 */
#ifndef AF_WORKLOAD_TRAIN_H
#define AF_WORKLOAD_TRAIN_H

#include "workload/config.h"

#include <gsl/gsl_rng.h>

/* Compute time of one step for a job on `gpus` GPUs of peak `peak_flops` (FLOP/s): step_time_s
 * when given, else 6 * params * tokens_per_step / (gpus * peak_flops * mfu), in s. */
double af_train_compute_s(const af_train_config *c, double gpus, double peak_flops);

/* Bytes each GPU reads per step: samples_per_gpu * sample_B. */
double af_train_batch_B(const af_train_config *c);

/* What follows from a job's configuration and its pool, before anything runs. */
typedef struct af_train_plan {
    double gpus;       /* GPUs of the pool */
    double peak_flops; /* peak of one GPU at the job's precision, FLOP/s (uncapped) */
    double power_share; /* throughput share the pool's GPU power limit leaves, (0, 1] */
    double compute_s;  /* compute time per step, s */
    double batch_B;    /* mean bytes one GPU reads per step */
    double batch_sd_B; /* standard deviation of those bytes as the lock-step group draws them:
                          the group's batch is the sum of gpus x samples_per_gpu independent
                          samples, split evenly over its members, so sqrt(samples_per_gpu /
                          gpus) x spread (the group total varies by spread x sqrt(N), N the
                          samples of the global batch) */
    double demand_Bps; /* read rate per GPU that keeps it busy: batch_B / compute_s */
    double file_B;     /* bytes per file of the data set: samples_per_file x sample_B */
} af_train_plan;

/* Derives the plan of job j of cfg. */
void af_train_plan_make(const af_world_config *cfg, size_t j, af_train_plan *out);

/* Draws the bytes each GPU of the group reads in one step: the global batch is the sum of N =
 * gpus x samples_per_gpu independent sample sizes of mean sample_B and standard deviation
 * sample_sd_B, by the central limit theorem a normal of mean N x sample_B and standard deviation
 * sqrt(N) x sample_sd_B, shared evenly by the members: a normal of mean batch_B and standard
 * deviation batch_sd_B, truncated below at a tenth of the mean (a batch is never empty).
 * Without a spread (or rng NULL) the mean. */
double af_train_draw_batch_B(const af_train_plan *p, gsl_rng *rng);

#endif
