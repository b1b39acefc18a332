/*
 * mlperf: the MLPerf Storage training benchmark's workloads as presets, its rule for the size of
 * the data set, and its accelerator utilization (AU).
 *
 * MLPerf Storage (MLCommons) emulates training on accelerators with DLIO: each simulated
 * accelerator reads a batch of samples and then sleeps for the compute time measured for that
 * model on a real A100 or H100; the storage under test passes when the accelerators stay busy a
 * minimum share of the time. A preset (af_mlperf_spec, models/mlperf.yaml) holds one workload's
 * published configuration for one accelerator: the record size and its spread, samples per file,
 * batch size, compute time per batch, reader threads, the epochs of a run and the minimum AU.
 *
 * The data set. The rules size it from the number of simulated accelerators and the clients'
 * memory: at least 500 steps per epoch, and at least 5 x the memory of all client hosts (so that
 * the clients' page cache cannot hold it), rounded up to whole files.
 *
 * AU. The rules define it as the total compute time over the total benchmark running time, with
 * the first step's I/O left out; DLIO computes it per epoch as the compute time of every step but
 * the first over the epoch's wall time less the first step's (its load and its compute), and the
 * run's AU is the mean over the epochs. af_au_meter does the same from the times at which the
 * lock-step group's steps end. aifsim's loader does not restart between epochs as DLIO's does, so
 * an epoch's first step usually finds a batch ready; leaving it out then changes little.
 *
 * Sources: doc/sources.md, "MLPerf Storage" ([mlperf-storage-configs], [mlperf-storage-rules],
 * [dlio-statscounter]); doc/formulas.md, "MLPerf Storage".
 */
#ifndef AF_WORKLOAD_MLPERF_H
#define AF_WORKLOAD_MLPERF_H

#include "engine/sim.h"

#include <stdbool.h>
#include <stdint.h>

/* One MLPerf Storage training workload on one emulated accelerator (a catalog entry). */
typedef struct af_mlperf_spec {
    const char *name;        /* catalog name, e.g. "unet3d-h100" */
    const char *description; /* one line for people */
    double sample_B;         /* mean record (sample) size, B (record_length_bytes) */
    double sample_sd_B;      /* standard deviation of the record size, B (0: all equal) */
    int samples_per_file;    /* records per file, >= 1 (num_samples_per_file) */
    int batch;               /* samples per accelerator per step, >= 1 (batch_size) */
    double compute_s;        /* emulated compute time of one batch on the accelerator, s
                                (computation_time) */
    int reader_threads;      /* data loader threads per accelerator, >= 1 (read_threads) */
    int epochs;              /* passes over the data set in one run, >= 1 (train.epochs) */
    double au_min;           /* minimum accelerator utilization to pass, (0, 1] (metric.au) */
    int min_steps;           /* the rules' fewest steps per epoch (500), >= 1 */
    double memory_factor;    /* the data set is at least this many times the clients' memory
                                (the rules' HOST_MEMORY_MULTIPLIER, 5), >= 0 */
} af_mlperf_spec;

/* Samples of the data set the rules ask for: max(min_steps x batch x accelerators, ceil(hosts x
 * host_memory_B x memory_factor / sample_B)), rounded up to whole files of samples_per_file;
 * host_memory_B 0 leaves out the memory rule. Returns the samples (a multiple of
 * samples_per_file). */
double af_mlperf_dataset_samples(const af_mlperf_spec *p, double batch, double accelerators,
                                 double hosts, double host_memory_B);

/* Steps of one epoch as DLIO counts them: floor(samples / (batch x accelerators)); 0 when the
 * data set holds less than one step. */
double af_mlperf_steps_per_epoch(double samples, double batch, double accelerators);

/* The AU of a run as DLIO measures it, fed with the end of each step. Plain data: zero it, then
 * af_au_meter_start. */
typedef struct af_au_meter {
    double steps_per_epoch;    /* steps of one epoch, >= 1 */
    double compute_s;          /* compute time of one step, s */
    af_time_ns epoch_begin_ns; /* when the current epoch began (the run's start, or the end of
                                  the previous epoch's last step) */
    af_time_ns first_end_ns;   /* end of the current epoch's first step */
    af_time_ns last_end_ns;    /* end of the last step */
    int64_t in_epoch;          /* steps completed in the current epoch */
    int64_t epochs;            /* epochs completed */
    double au_sum;             /* sum of the completed epochs' AU */
} af_au_meter;

/* Starts measuring at start_ns, epochs of steps_per_epoch (>= 1) steps of compute_s each. */
void af_au_meter_start(af_au_meter *m, double steps_per_epoch, double compute_s,
                       af_time_ns start_ns);

/* A step ended at now_ns. Returns true when it completed an epoch. */
bool af_au_meter_step(af_au_meter *m, af_time_ns now_ns);

/* The AU of one epoch: the compute of its steps but the first over its wall time less the first
 * step's, (steps - 1) x compute_s / (end - first_end); an epoch of one step has nothing left
 * once its first step is left out, and counts its whole time instead. */
double af_au_epoch(int64_t steps, double compute_s, af_time_ns begin_ns, af_time_ns first_end_ns,
                   af_time_ns end_ns);

/* The run's AU: the mean over the completed epochs; before the first completes, the AU of the
 * epoch in progress so far; -1 when not even a step has ended. */
double af_au_meter_value(const af_au_meter *m);

#endif
