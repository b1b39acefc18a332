/*
 * metrics: the contract between what a run writes and what reports read. Every metric aifsim can
 * produce is declared once here, with its dotted name, its unit (a dimension of base/units.h,
 * stored in SI base units), the label the text summary prints and one line saying what it means.
 * Workloads write metrics by id (af_results_put), reports read them by id (af_results_lookup),
 * the JSON output names them by the same names, and `aifsim metrics` prints the table; so a name,
 * its unit and its label cannot drift apart.
 *
 * Names: "<group>.<leaf>" for metrics of the whole run ("cost.total") and
 * "<group>.<instance>.<leaf>" for metrics of one named thing ("train.llm.gpu_utilization"),
 * the instance being the name the scenario gave the job, burst, look-up stream, pool, tier or
 * fabric. A metric's name and its unit agree: a "per_hour" cost is in USD per hour of run,
 * stored as USD (the amount for one hour), never as USD per second.
 */
#ifndef AF_BASE_METRICS_H
#define AF_BASE_METRICS_H

#include "base/results.h"
#include "base/units.h"

#include <stdbool.h>
#include <stdio.h>

/* The table: X(ID, group, instanced, leaf, dimension, label, meaning). A text metric has
 * dimension NUMBER and is marked by a label starting with the group; see af_metric_def.text. */
#define AF_METRICS(X)                                                                              \
    X(RUN_DURATION, "run", 0, "duration", TIME, "simulated time",                                 \
      "simulated time the run covered (the scenario's duration)")                                 \
    X(RUN_SEED, "run", 0, "seed", COUNT, "seed", "seed of every random stream of the run")        \
    X(RUN_EVENTS, "run", 0, "events", COUNT, "events executed",                                   \
      "discrete events the engine executed (cancelled ones not counted)")                         \
    X(RUN_SCENARIO, "run", 0, "scenario", TEXT, "scenario", "the scenario's name")                \
    X(RUN_FILE, "run", 0, "scenario_file", TEXT, "scenario file", "the scenario file as given")   \
    X(RUN_HASH, "run", 0, "scenario_hash", TEXT, "scenario text hash",                            \
      "FNV-1a 64-bit hash of the scenario file's bytes, in hex")                                  \
    X(RUN_OVERRIDES, "run", 0, "overrides", TEXT, "overrides",                                    \
      "the --set and --seed overrides in order, \"none\" without any")                            \
    X(RUN_VERSION, "run", 0, "version", TEXT, "aifsim version", "the program's version")          \
    X(RUN_CATALOG, "run", 0, "catalog_hash", TEXT, "model catalog hash",                          \
      "FNV-1a 64-bit hash of every catalog figure, source and date as loaded, in hex")            \
    X(RUN_PARTIAL, "run", 0, "partial", TEXT, "PARTIAL",                                          \
      "only in an interrupted run (Ctrl-C): where it stopped, \"interrupted at 2.5 h of 6 h "     \
      "simulated\"; run.duration and every other metric then cover the time run")                 \
    X(TRAIN_GPUS, "train", 1, "gpus", COUNT, "GPUs", "GPUs the job runs on (its pool's)")         \
    X(TRAIN_UTIL, "train", 1, "gpu_utilization", RATIO, "computing",                              \
      "share of the run the job's GPUs computed (GPU utilization)")                               \
    X(TRAIN_DATA_WAIT, "train", 1, "data_wait", RATIO, "waiting for data",                        \
      "share of the run the GPUs waited for a batch; computing + waiting = 100%")                 \
    X(TRAIN_WAIT_CLIENT, "train", 1, "wait_client_nics", RATIO, "waits held by client NICs",      \
      "share of the run spent waiting while the pool's storage NICs were the bottleneck")         \
    X(TRAIN_WAIT_FABRIC, "train", 1, "wait_fabric", RATIO, "waits held by fabric",                \
      "share of the run spent waiting while a fabric stage (leaf uplinks, spine) was the "        \
      "bottleneck")                                                                               \
    X(TRAIN_WAIT_SNIC, "train", 1, "wait_storage_nics", RATIO, "waits held by storage NICs",      \
      "share of the run spent waiting while the storage tier's NICs were the bottleneck")         \
    X(TRAIN_WAIT_DEVICES, "train", 1, "wait_devices", RATIO, "waits held by devices",             \
      "share of the run spent waiting while the tier's device time (bandwidth or IOPS) was the "  \
      "bottleneck")                                                                               \
    X(TRAIN_WAIT_READERS, "train", 1, "wait_readers", RATIO, "waits held by reader threads",      \
      "share of the run spent waiting while the loader's reader threads capped the reads")        \
    X(TRAIN_BOTTLENECK, "train", 1, "bottleneck", TEXT, "held back longest by",                   \
      "the one resource (stage, link group, direction) that held the GPUs back longest; only "    \
      "when waiting is material (at least 0.1% of the run)")                                      \
    X(TRAIN_STEPS, "train", 1, "steps", COUNT, "steps completed",                                 \
      "training steps completed in the run")                                                      \
    X(TRAIN_COMPUTE_STEP, "train", 1, "compute_time_per_step", TIME, "compute time per step",     \
      "GPU compute time of one step (given, or 6 x params x tokens / (GPUs x peak x MFU))")       \
    X(TRAIN_WALL_STEP, "train", 1, "time_per_step", TIME, "wall time per step",                   \
      "mean wall time of a completed step: time of the last step's end over steps completed")     \
    X(TRAIN_SAMPLES_RATE, "train", 1, "samples_per_second", RATE, "samples per second",           \
      "training samples consumed per second of run, all GPUs")                                    \
    X(TRAIN_DEMAND, "train", 1, "read_demand_per_gpu", BANDWIDTH, "read demand per GPU",          \
      "read rate each GPU needs to never wait: batch bytes over compute time per step")           \
    X(TRAIN_READ_RATE, "train", 1, "read_rate_per_gpu", BANDWIDTH, "read rate per GPU",           \
      "bytes delivered to each GPU over the run, per second")                                     \
    X(TRAIN_SHORTFALL, "train", 1, "read_shortfall_per_gpu", BANDWIDTH, "read shortfall per GPU", \
      "demand minus delivered rate per GPU when the job was data-bound, else 0")                  \
    X(TRAIN_READER_CAP, "train", 1, "reader_cap_per_gpu", BANDWIDTH,                              \
      "reader-thread limit per GPU",                                                              \
      "most a GPU's reader threads can read (Little's law: threads x file / time per file)")      \
    X(TRAIN_FLOOR, "train", 1, "qos_floor_per_gpu", BANDWIDTH, "QoS floor per GPU",               \
      "read rate per GPU the QoS weights guarantee whatever else runs")                           \
    X(TRAIN_FLOOR_UTIL, "train", 1, "qos_floor_utilization", RATIO, "QoS floor utilization",      \
      "GPU utilization the QoS floor guarantees: min(1, floor / demand)")                         \
    X(TRAIN_UTIL_BURSTS, "train", 1, "gpu_utilization_during_bursts", RATIO,                      \
      "computing while bursts run",                                                               \
      "share of the time bursts ran during which the job's GPUs computed")                        \
    X(TRAIN_TOKENS, "train", 1, "tokens", COUNT, "tokens trained",                               \
      "tokens of the steps kept (steps x tokens_per_step; redone steps counted once)")            \
    X(TRAIN_GOODPUT, "train", 1, "goodput", RATE, "goodput (tokens/s)",                           \
      "tokens trained per second of wall time, until the target or to the end of the run")       \
    X(TRAIN_COMM, "train", 1, "exposed_communication", RATIO, "exposed communication",            \
      "share of the run the GPUs waited for the gradient all-reduce after their compute")         \
    X(TRAIN_BUBBLE, "train", 1, "pipeline_bubble", RATIO, "pipeline bubble",                      \
      "share of the run the GPUs idled in the pipeline's fill and drain, (p-1)/(m+p-1) a step")   \
    X(TRAIN_STRAGGLER, "train", 1, "straggler_wait", RATIO, "waiting for the slowest node",       \
      "share of the run the GPUs waited each step for the slowest node of the lock-step group")   \
    X(TRAIN_ALLREDUCE_TIME, "train", 1, "allreduce_time", TIME, "all-reduce time",                \
      "mean duration of a step's gradient all-reduce, start to end, as simulated")                \
    X(TRAIN_ALLREDUCE_ALONE, "train", 1, "allreduce_alone", TIME, "all-reduce alone",             \
      "the all-reduce's time with nothing else on its links (alpha-beta, hierarchical)")          \
    X(TRAIN_BUSBW, "train", 1, "allreduce_busbw", BANDWIDTH, "all-reduce bus bandwidth",         \
      "bus bandwidth of the simulated all-reduce as nccl-tests reports it: n / t x 2(p-1)/p")     \
    X(TRAIN_CKPT_STALL, "train", 1, "checkpoint_stall", RATIO, "stalled for checkpoints",         \
      "share of the run the GPUs waited for checkpoints (the write, or the copy to host memory)")   \
    X(TRAIN_LOST, "train", 1, "lost_work", RATIO, "work lost to failures",                        \
      "share of the run spent computing steps that a failure undid (done again)")                 \
    X(TRAIN_DOWN, "train", 1, "restart", RATIO, "down: detect, restart, repair",                  \
      "share of the run between failures and the restart (detection, restart, repair)")           \
    X(TRAIN_RELOAD, "train", 1, "reload", RATIO, "reading checkpoints back",                      \
      "share of the run spent reading the last checkpoint back after a failure")                  \
    X(TRAIN_IDLE, "train", 1, "idle", RATIO, "idle: target reached",                              \
      "share of the run after the job reached its target steps")                                  \
    X(TRAIN_STEPS_REDONE, "train", 1, "steps_redone", COUNT, "steps done again",                  \
      "steps lost to failures and computed again")                                                \
    X(TRAIN_TIME_TO_TARGET, "train", 1, "time_to_target", TIME, "time to the target steps",       \
      "wall time until the job completed its target steps")                                       \
    X(TRAIN_ETTR, "train", 1, "effective_training_time", RATIO, "effective training time",        \
      "useful compute (kept steps) over the time until the target, or the run")                   \
    X(TRAIN_EPOCHS, "train", 1, "epochs", COUNT, "epochs completed",                              \
      "passes over the data set completed (a job with epochs or an MLPerf preset)")               \
    X(TRAIN_MLPERF_AU, "train", 1, "mlperf_au", RATIO, "accelerator utilization (MLPerf)",        \
      "MLPerf Storage AU as DLIO measures it: per epoch, the compute of every step but the "      \
      "first over the epoch's time less the first step's; the mean over the epochs completed "    \
      "(before one completes, the epoch so far)")                                                 \
    X(TRAIN_MLPERF_AU_MIN, "train", 1, "mlperf_au_min", RATIO, "minimum AU (MLPerf)",             \
      "the AU the benchmark's rules require of the workload (its preset's, or the job's min_au)") \
    X(TRAIN_MLPERF_RESULT, "train", 1, "mlperf_result", TEXT, "MLPerf AU check",                  \
      "pass or fail: the AU against its minimum over the epochs asked for, \"incomplete\" when "   \
      "the run ended before they were done")                                                      \
    X(CKPT_SIZE, "checkpoint", 1, "size", SIZE, "bytes per checkpoint",                           \
      "bytes of one checkpoint of the job")                                                       \
    X(CKPT_INTERVAL, "checkpoint", 1, "interval", TIME, "interval (training time)",               \
      "training time between checkpoints (whole steps; the last one when automatic)")            \
    X(CKPT_COST, "checkpoint", 1, "cost", TIME, "cost (stall)",                                   \
      "the GPUs' stall of the last checkpoint (before the first: its write alone); Daly's delta") \
    X(CKPT_WRITTEN, "checkpoint", 1, "written", COUNT, "checkpoints written",                     \
      "checkpoints whose write completed (durable)")                                              \
    X(CKPT_REFUSED, "checkpoint", 1, "refused", COUNT, "refused (tier full)",                     \
      "checkpoints not written because the tier had no room")                                     \
    X(CKPT_WRITE_TIME, "checkpoint", 1, "write_time", TIME, "mean write time",                    \
      "mean duration of a completed checkpoint write")                                            \
    X(CKPT_DRAINED, "checkpoint", 1, "drained", COUNT, "copies drained",                          \
      "copies past `keep` copied to the drain tier (then freed on the checkpoint tier)")          \
    X(CKPT_DRAINED_B, "checkpoint", 1, "drained_bytes", SIZE, "bytes drained",                    \
      "bytes those drains wrote to the drain tier")                                               \
    X(CKPT_DRAIN_REJECTED, "checkpoint", 1, "drain_rejected", SIZE, "bytes refused: drain tier full", \
      "bytes of drained copies that did not fit on the drain tier")                              \
    X(CKPT_READS, "checkpoint", 1, "reads", COUNT, "checkpoints read back",                       \
      "restarts that read the last checkpoint back")                                              \
    X(CKPT_READ_TIME, "checkpoint", 1, "read_time", TIME, "mean read time",                       \
      "mean duration of a completed checkpoint read")                                             \
    X(FAIL_COUNT, "failures", 1, "count", COUNT, "failures", "failures that stopped the job")     \
    X(FAIL_MTBF, "failures", 1, "mtbf", TIME, "job MTBF",                                          \
      "mean time to the job's first failure of any of its GPUs and nodes")                        \
    X(FAIL_CAUSE, "failure", 1, "count", COUNT, "failures",                                       \
      "failures of one cause (instance: job.cause)")                                              \
    X(BURST_SIZE, "burst", 1, "size", SIZE, "bytes per burst", "bytes one burst moves")           \
    X(BURST_STARTED, "burst", 1, "started", COUNT, "bursts started",                              \
      "bursts that started before the end of the run")                                            \
    X(BURST_COMPLETED, "burst", 1, "completed", COUNT, "bursts completed",                        \
      "bursts that finished before the end of the run")                                           \
    X(BURST_SKIPPED, "burst", 1, "skipped", COUNT, "skipped (previous still running)",            \
      "burst times at which the previous burst was still running, so none started")               \
    X(BURST_REFUSED, "burst", 1, "refused", COUNT, "refused (tier full)",                         \
      "burst times whose write found no room at all on the tier, so none started")               \
    X(BURST_MOVED, "burst", 1, "moved", SIZE, "bytes moved", "bytes of completed bursts")         \
    X(BURST_REJECTED, "burst", 1, "rejected", SIZE, "bytes refused: tier full",                   \
      "bytes of writes that did not fit on the tier")                                             \
    X(BURST_TIME_ALONE, "burst", 1, "time_alone", TIME, "duration alone",                         \
      "duration of one burst with nothing else running: size over its path's narrowest stage")    \
    X(BURST_TIME_MEAN, "burst", 1, "time_mean", TIME, "mean duration",                            \
      "mean duration of completed bursts")                                                        \
    X(BURST_TIME_MAX, "burst", 1, "time_max", TIME, "longest duration",                           \
      "longest duration of a completed burst")                                                    \
    X(BURST_SLOWDOWN, "burst", 1, "slowdown", RATIO, "duration / duration alone",                 \
      "sum of completed bursts' durations over the sum of their durations alone")                \
    X(BURST_SLOWDOWN_BOUND, "burst", 1, "slowdown_bound", RATIO, "QoS bound on slowdown",         \
      "largest slowdown the QoS weights allow: rate alone over the guaranteed rate")              \
    X(BURST_DRAINS_STARTED, "burst", 1, "drains_started", COUNT, "drains started",                \
      "copies whose drain to the next tier started")                                              \
    X(BURST_DRAINS_DONE, "burst", 1, "drains_completed", COUNT, "drains completed",               \
      "copies drained to the next tier and freed here")                                           \
    X(BURST_DRAINS_DROPPED, "burst", 1, "drains_dropped", COUNT, "drains dropped: copy freed",    \
      "drains stopped because `keep` freed their copy first (what they moved is freed too)")      \
    X(LOOKUP_REQUESTS, "lookup", 1, "requests", COUNT, "requests completed",                      \
      "look-ups answered in the run")                                                             \
    X(LOOKUP_RATE, "lookup", 1, "rate", RATE, "requests per second",                              \
      "look-ups answered per second of run")                                                      \
    X(LOOKUP_MEAN, "lookup", 1, "latency_mean", TIME, "mean latency",                             \
      "mean latency of answered look-ups (queueing + service + device latency + waits behind "   \
      "flash writes)")                                                                            \
    X(LOOKUP_P50, "lookup", 1, "latency_p50", TIME, "p50 latency",                                \
      "median latency of answered look-ups")                                                      \
    X(LOOKUP_P99, "lookup", 1, "latency_p99", TIME, "p99 latency",                                \
      "99th percentile latency of answered look-ups")                                             \
    X(LOOKUP_P999, "lookup", 1, "latency_p999", TIME, "p99.9 latency",                            \
      "99.9th percentile latency of answered look-ups")                                           \
    X(LOOKUP_SLO, "lookup", 1, "slo", TIME, "p99 objective", "the p99 latency objective given")   \
    X(LOOKUP_IN_FLIGHT, "lookup", 1, "in_flight", COUNT, "requests unfinished at the end",        \
      "look-ups still queued or in service when the run ended")                                   \
    X(LOOKUP_UNSERVED, "lookup", 1, "unserved_time", RATIO, "time with no device time left",      \
      "share of the run during which bulk traffic left the look-ups no device time at all")       \
    X(LOOKUP_BLOCKED, "lookup", 1, "behind_writes", RATIO, "look-ups behind flash writes",        \
      "share of look-ups whose flash die was programming or erasing, so that they waited for "    \
      "it (or for its suspend); written when some did")                                          \
    X(LOOKUP_DROPPED, "lookup", 1, "dropped", COUNT, "requests dropped: queue full",              \
      "look-ups refused because a million were already waiting")                                  \
    X(INFER_ARRIVED, "inference", 1, "arrived", COUNT, "requests arrived",                        \
      "requests that arrived in the run (served, rejected or unfinished)")                        \
    X(INFER_SERVED, "inference", 1, "served", COUNT, "requests served",                           \
      "requests answered in the run")                                                             \
    X(INFER_REJECTED, "inference", 1, "rejected", COUNT, "requests rejected",                     \
      "requests refused on arrival: the queue limit was reached")                                 \
    X(INFER_IN_FLIGHT, "inference", 1, "in_flight", COUNT, "requests unfinished at the end",      \
      "requests admitted and not yet answered when the run ended")                                \
    X(INFER_THROUGHPUT, "inference", 1, "throughput", RATE, "requests per second",                \
      "requests answered per second of run")                                                      \
    X(INFER_MEAN, "inference", 1, "latency_mean", TIME, "mean latency",                           \
      "mean latency of answered requests, arrival to answer")                                     \
    X(INFER_P50, "inference", 1, "latency_p50", TIME, "p50 latency",                              \
      "median latency of answered requests")                                                      \
    X(INFER_P90, "inference", 1, "latency_p90", TIME, "p90 latency",                              \
      "90th percentile latency of answered requests")                                             \
    X(INFER_P99, "inference", 1, "latency_p99", TIME, "p99 latency",                              \
      "99th percentile latency of answered requests")                                             \
    X(INFER_P999, "inference", 1, "latency_p999", TIME, "p99.9 latency",                          \
      "99.9th percentile latency of answered requests")                                           \
    X(INFER_P99_CALM, "inference", 1, "latency_p99_no_writes", TIME,                              \
      "p99 without checkpoint writes",                                                            \
      "99th percentile latency of the requests that arrived while no checkpoint or write burst "  \
      "was writing to the feature tier")                                                          \
    X(INFER_P99_WRITES, "inference", 1, "latency_p99_writes", TIME,                               \
      "p99 during checkpoint writes",                                                             \
      "99th percentile latency of the requests that arrived while a checkpoint or write burst "   \
      "was writing to the feature tier")                                                          \
    X(INFER_SLO, "inference", 1, "slo", TIME, "latency objective",                                \
      "the latency objective given (for the quantile slo_quantile)")                              \
    X(INFER_SLO_QUANTILE, "inference", 1, "slo_quantile", RATIO, "objective's quantile",          \
      "the quantile the latency objective applies to (0.99 for a p99 objective)")                 \
    X(INFER_SLO_LATENCY, "inference", 1, "slo_latency", TIME, "latency at that quantile",         \
      "the latency at the objective's quantile, to hold against the objective")                   \
    X(INFER_SLO_MET, "inference", 1, "slo_attainment", RATIO, "requests within the objective",    \
      "share of answered requests whose latency was within the objective")                        \
    X(INFER_REPLICAS, "inference", 1, "replicas", COUNT, "replicas",                              \
      "model replicas serving")                                                                   \
    X(INFER_REPLICA_UTIL, "inference", 1, "replica_utilization", RATIO, "replica utilization",    \
      "share of the replicas' time spent serving batches")                                        \
    X(INFER_BATCH_MEAN, "inference", 1, "batch_mean", NUMBER, "mean batch",                       \
      "mean requests per batch")                                                                  \
    X(INFER_READS_MEAN, "inference", 1, "reads_mean", TIME, "mean read time (features, KV)",      \
      "mean time from arrival until a request's feature reads (an LLM turn's KV reload) "         \
      "were done")                                                                                \
    X(INFER_GPU_QUEUE_MEAN, "inference", 1, "gpu_queue_mean", TIME, "mean GPU queueing",          \
      "mean time a request waited while every replica was busy")                                  \
    X(INFER_BATCH_WAIT_MEAN, "inference", 1, "batch_wait_mean", TIME, "mean batch wait",          \
      "mean time a request waited for its batch to fill while a replica was free")                \
    X(INFER_SERVICE_MEAN, "inference", 1, "service_mean", TIME, "mean service",                   \
      "mean time a request's batch took on its replica")                                          \
    X(INFER_TAIL_READS, "inference", 1, "tail_reads", RATIO, "tail: reads (features, KV)",        \
      "share of the latency of the slowest 1% of requests spent on feature reads")                \
    X(INFER_TAIL_GPU_QUEUE, "inference", 1, "tail_gpu_queue", RATIO, "tail: GPU queueing",        \
      "share of the latency of the slowest 1% spent waiting with every replica busy")             \
    X(INFER_TAIL_BATCH_WAIT, "inference", 1, "tail_batch_wait", RATIO, "tail: batch wait",        \
      "share of the latency of the slowest 1% spent waiting for a batch to fill")                 \
    X(INFER_TAIL_SERVICE, "inference", 1, "tail_service", RATIO, "tail: service",                 \
      "share of the latency of the slowest 1% spent in service")                                  \
    X(INFER_FEATURE_BYTES, "inference", 1, "feature_bytes", SIZE, "features read",                \
      "bytes of feature reads issued to the feature tier")                                        \
    X(INGEST_OFFERED, "ingest", 1, "offered", SIZE, "bytes offered",                              \
      "bytes the source produced in the run: the integral of its rate, a trace's entries, "       \
      "bytes other workloads added")                                                              \
    X(INGEST_LANDED, "ingest", 1, "landed", SIZE, "bytes landed",                                 \
      "bytes written to the landing tier (a write in flight at the end by what it moved)")        \
    X(INGEST_REJECTED, "ingest", 1, "rejected", SIZE, "bytes refused: landing tier full",         \
      "bytes of the source the landing tier had no room for")                                     \
    X(INGEST_LANDED_RATE, "ingest", 1, "landed_rate", BANDWIDTH, "mean landing rate",             \
      "bytes landed per second of run")                                                           \
    X(INGEST_PROCESSED, "ingest", 1, "processed", SIZE, "bytes processed",                        \
      "raw bytes the preprocessing nodes read from the landing tier")                             \
    X(INGEST_OUTPUT, "ingest", 1, "output", SIZE, "bytes written (output)",                       \
      "bytes the preprocessing wrote to its output tier: ratio x processed")                      \
    X(INGEST_CAPACITY, "ingest", 1, "process_capacity", BANDWIDTH, "preprocessing capacity",      \
      "raw bytes per second the preprocessing can process: nodes x throughput")                   \
    X(INGEST_UTIL, "ingest", 1, "process_utilization", RATIO, "preprocessing busy",               \
      "bytes processed over what the nodes could have processed in the run")                      \
    X(INGEST_POWER, "ingest", 1, "process_power", POWER, "preprocessing power",                   \
      "mean power of the preprocessing CPU nodes: nodes x (idle + (busy - idle) x "               \
      "process_utilization) of their server model (preprocess.node)")                             \
    X(INGEST_ENERGY, "ingest", 1, "process_energy", ENERGY, "preprocessing energy",               \
      "IT energy of the preprocessing CPU nodes over the run")                                    \
    X(INGEST_OUT_FULL, "ingest", 1, "output_full_time", RATIO, "stalled: output tier full",       \
      "share of the run the preprocessing had a backlog but no room on its output tier")          \
    X(INGEST_BACKLOG, "ingest", 1, "backlog", SIZE, "backlog at the end",                         \
      "bytes landed and not yet processed when the run ended")                                    \
    X(INGEST_BACKLOG_MEAN, "ingest", 1, "backlog_mean", SIZE, "mean backlog",                     \
      "time average of the backlog (bytes landed, not yet processed) over the run")               \
    X(INGEST_BACKLOG_PEAK, "ingest", 1, "backlog_peak", SIZE, "peak backlog",                     \
      "largest backlog in the run")                                                               \
    X(INGEST_LANDING_FILL, "ingest", 1, "landing_fill", RATIO, "landing tier fill",               \
      "the landing tier's stored bytes (every workload's) over its usable capacity at the end")   \
    X(INGEST_LANDING_FULL_IN, "ingest", 1, "landing_time_to_full", TIME, "landing tier full in",  \
      "time until the landing tier is full at the net rate this ingest fills it at the end; "     \
      "only when it fills")                                                                       \
    X(INGEST_LANDING_NEVER, "ingest", 1, "landing_full_never", TEXT, "landing tier full",         \
      "only when the landing tier does not fill at the end's rates: \"never\" and why")           \
    X(INGEST_OUTPUT_FILL, "ingest", 1, "output_fill", RATIO, "output tier fill",                  \
      "the output tier's stored bytes (every workload's) over its usable capacity at the end")    \
    X(INGEST_OUTPUT_FULL_IN, "ingest", 1, "output_time_to_full", TIME, "output tier full in",     \
      "time until the output tier is full at the net rate this ingest fills it at the end; "      \
      "only when it fills")                                                                       \
    X(INGEST_OUTPUT_NEVER, "ingest", 1, "output_full_never", TEXT, "output tier full",            \
      "only when the output tier does not fill at the end's rates: \"never\" and why")            \
    X(INGEST_FRESH, "ingest", 1, "dataset_new", SIZE, "added to the data set",                    \
      "bytes this ingest added to the data set of the training job it feeds")                     \
    X(INGEST_FRESH_SHARE, "ingest", 1, "dataset_new_share", RATIO, "new share of the data set",   \
      "share of the fed job's data set at the end that the ingests feeding it added in the run")  \
    X(FLY_LOGGED, "flywheel", 1, "logged", SIZE, "bytes logged",                                  \
      "bytes the serving workload's answered requests (LLM turns) logged: answered x log size")   \
    X(FLY_SHIPPED, "flywheel", 1, "shipped", SIZE, "logs shipped to the ingest",                  \
      "bytes of logs added to the ingest's landing stream (the last flush's are not)")            \
    X(FLY_LANDING_SHARE, "flywheel", 1, "landing_share", RATIO, "share of landing-tier writes",   \
      "logs landed (not those the full tier refused or still queued at the end) over the bytes "  \
      "written to the ingest's landing tier in the run (by every workload): the storage share "   \
      "the loop costs there")                                                                     \
    X(FLY_STARTED, "flywheel", 1, "retrains_started", COUNT, "retrains started",                  \
      "fine-tunes started (by time or by new data; a trigger during one waits, at most one)")     \
    X(FLY_BY_TIME, "flywheel", 1, "triggers_time", COUNT, "triggered by time",                    \
      "retrain triggers by time (every), those that found one already waiting included")          \
    X(FLY_BY_DATA, "flywheel", 1, "triggers_new_data", COUNT, "triggered by new data",            \
      "retrain triggers by the volume of new training data (new_data)")                           \
    X(FLY_COMPLETED, "flywheel", 1, "retrains_completed", COUNT, "model refreshes",               \
      "fine-tunes completed: each refreshed the served model")                                    \
    X(FLY_FINETUNE_TIME, "flywheel", 1, "finetune_time_mean", TIME, "mean fine-tune time",        \
      "mean time from a fine-tune's start to the refresh it made (completed ones)")               \
    X(FLY_INTERVAL, "flywheel", 1, "refresh_interval_mean", TIME, "mean time between refreshes",  \
      "retrain cadence: (last refresh - first refresh) / (refreshes - 1); two refreshes or more") \
    X(FLY_FRESH_MEAN, "flywheel", 1, "freshness_mean", TIME, "mean data freshness",               \
      "time average over the run of the age of the newest data in the served model (now minus "   \
      "when it landed; the model at time 0 is fresh)")                                            \
    X(FLY_FRESH_END, "flywheel", 1, "freshness_end", TIME, "data freshness at the end",           \
      "age of the newest data in the served model when the run ended")                            \
    X(FLY_GPU_TIME, "flywheel", 1, "finetune_gpu_time", TIME, "fine-tune GPU time",               \
      "GPU-seconds the fine-tunes held the job's pool, start to end (printed as GPU time)")       \
    X(FLY_GPU_SHARE, "flywheel", 1, "finetune_gpu_share", RATIO, "fine-tunes' share of the pool", \
      "fine-tune GPU time over the pool's GPU time in the run")                                   \
    X(INFER_TTFT_P50, "inference", 1, "ttft_p50", TIME, "p50 time to first token",                \
      "LLM: median time from a turn's arrival to its first token (KV reload, queueing and "       \
      "prefill included)")                                                                        \
    X(INFER_TTFT_P99, "inference", 1, "ttft_p99", TIME, "p99 time to first token",                \
      "LLM: 99th percentile time to first token")                                                 \
    X(INFER_TPOT_P50, "inference", 1, "tpot_p50", TIME, "p50 time per output token",              \
      "LLM: median of (end-to-end - time to first token) / (output tokens - 1) over turns")       \
    X(INFER_TPOT_P99, "inference", 1, "tpot_p99", TIME, "p99 time per output token",              \
      "LLM: 99th percentile time per output token")                                               \
    X(INFER_TTFT_SLO, "inference", 1, "ttft_slo", TIME, "time-to-first-token objective",          \
      "LLM: the objective given for the time to first token")                                     \
    X(INFER_TPOT_SLO, "inference", 1, "tpot_slo", TIME, "time-per-token objective",               \
      "LLM: the objective given for the time per output token")                                   \
    X(INFER_TOKENS, "inference", 1, "tokens_per_second", RATE, "output tokens per second",        \
      "LLM: output tokens generated per second of run")                                           \
    X(INFER_TOKENS_PER_GPU, "inference", 1, "tokens_per_second_per_gpu", RATE,                    \
      "output tokens per second per GPU",                                                         \
      "LLM: output tokens per second per serving GPU")                                            \
    X(INFER_MAX_BATCH, "inference", 1, "max_batch", COUNT, "batch limit per replica",             \
      "LLM: sequences a replica's continuous batch holds at most (given, or what its KV cache "   \
      "fits)")                                                                                    \
    X(INFER_KV_HIT_HOST, "inference", 1, "kv_hit_host", RATIO, "KV reloaded from host memory",    \
      "LLM: share of later turns whose history's KV cache was reloaded from host memory")         \
    X(INFER_KV_HIT_LOCAL, "inference", 1, "kv_hit_local", RATIO, "KV reloaded from local NVMe",   \
      "LLM: share of later turns whose KV cache was reloaded from local NVMe")                    \
    X(INFER_KV_HIT_STORAGE, "inference", 1, "kv_hit_storage", RATIO,                              \
      "KV reloaded from the storage tier",                                                        \
      "LLM: share of later turns whose KV cache was reloaded from the shared storage tier")       \
    X(INFER_KV_RECOMPUTED, "inference", 1, "kv_recomputed", RATIO, "KV recomputed",               \
      "LLM: share of later turns whose history was prefilled again (evicted from every tier, "    \
      "or reloading was slower)")                                                                 \
    X(INFER_PREFILL_SAVED, "inference", 1, "prefill_saved", TIME, "prefill GPU time saved",       \
      "LLM: GPU-seconds of prefill the KV reloads saved")                                         \
    X(INFER_KV_PUSH_RATE, "inference", 1, "kv_push_rate", BANDWIDTH,                              \
      "KV cache pushed per second",                                                               \
      "LLM: bytes of KV cache that finished turns push onto the KV tiers per second (the "        \
      "churn that evicts older conversations)")                                                   \
    X(INFER_KV_READ_BYTES, "inference", 1, "kv_storage_read", SIZE,                               \
      "KV read from the storage tier",                                                            \
      "LLM: bytes of KV cache reloaded from the storage tier")                                    \
    X(INFER_KV_WRITE_BYTES, "inference", 1, "kv_storage_written", SIZE,                           \
      "KV written to the storage tier",                                                           \
      "LLM: bytes of KV cache written to the storage tier (each turn's new tokens)")              \
    X(INFER_KV_STORAGE_CAP, "inference", 1, "kv_storage_capacity", SIZE,                          \
      "KV capacity on the storage tier",                                                          \
      "LLM: bytes of the storage tier given to the KV cache (what the data sets left, up to "     \
      "the capacity asked)")                                                                      \
    X(POOL_GPUS, "pool", 1, "gpus", COUNT, "GPUs", "GPUs in the pool")                            \
    X(POOL_UTIL, "pool", 1, "gpu_utilization", RATIO, "GPU utilization",                          \
      "GPU utilization of the pool: the share of its GPU-time that computed")                     \
    X(POOL_NIC_BW, "pool", 1, "storage_nic_bandwidth", BANDWIDTH, "storage NIC bandwidth",        \
      "the pool's storage NIC bandwidth, each direction")                                         \
    X(POOL_IN_RATE, "pool", 1, "storage_in_rate", BANDWIDTH, "storage traffic in",                \
      "mean rate the pool's storage NICs received")                                               \
    X(POOL_OUT_RATE, "pool", 1, "storage_out_rate", BANDWIDTH, "storage traffic out",             \
      "mean rate the pool's storage NICs sent")                                                   \
    X(POOL_POWER, "pool", 1, "power", POWER, "average power",                                     \
      "mean IT power of the pool's nodes (follows GPU utilization)")                              \
    X(POOL_ENERGY, "pool", 1, "energy", ENERGY, "IT energy", "IT energy of the pool's nodes")     \
    X(POOL_POWER_LIMIT, "pool", 1, "gpu_power_limit", POWER, "GPU power limit",                   \
      "the GPUs' power limit (nvidia-smi -pl), when the scenario sets one")                       \
    X(POOL_LIMIT_SHARE, "pool", 1, "gpu_throughput_at_limit", RATIO, "GPU throughput at limit",   \
      "throughput share the power limit leaves the GPUs (catalog curve, model/gpu.h)")            \
    X(STORAGE_READ_RATE, "storage", 1, "read_rate", BANDWIDTH, "read from devices",               \
      "mean rate read from the tier's devices (bulk reads and look-ups)")                         \
    X(STORAGE_WRITE_RATE, "storage", 1, "write_rate", BANDWIDTH, "written to devices",            \
      "mean rate written to the tier's devices")                                                  \
    X(STORAGE_READ_BW, "storage", 1, "read_bandwidth", BANDWIDTH, "streaming read bandwidth",     \
      "the tier's streaming read bandwidth (nodes x per-node figure)")                            \
    X(STORAGE_NIC_OUT, "storage", 1, "nic_out_utilization", RATIO, "storage NICs busy sending",   \
      "share of the tier's NIC capacity used sending")                                            \
    X(STORAGE_NIC_IN, "storage", 1, "nic_in_utilization", RATIO, "storage NICs busy receiving",   \
      "share of the tier's NIC capacity used receiving")                                          \
    X(STORAGE_DEV_READ, "storage", 1, "device_read_busy", RATIO, "devices reading",               \
      "share of the devices' time spent reading")                                                 \
    X(STORAGE_DEV_WRITE, "storage", 1, "device_write_busy", RATIO, "devices writing",             \
      "share of the devices' time spent writing")                                                 \
    X(STORAGE_RESERVE, "storage", 1, "reserve", RATIO, "device time reserved for look-ups",       \
      "share of device time held back from bulk flows for look-ups")                              \
    X(STORAGE_READ_BYTES, "storage", 1, "read_bytes", SIZE, "bytes read",                         \
      "bytes read from the tier's devices")                                                       \
    X(STORAGE_WRITE_BYTES, "storage", 1, "write_bytes", SIZE, "bytes written",                    \
      "bytes written to the tier's devices")                                                      \
    X(STORAGE_USABLE, "storage", 1, "usable_capacity", SIZE, "usable capacity",                   \
      "usable capacity of the tier")                                                              \
    X(STORAGE_USED, "storage", 1, "used_capacity", SIZE, "used at the end",                       \
      "bytes stored on the tier when the run ended")                                              \
    X(STORAGE_PEAK, "storage", 1, "peak_capacity", SIZE, "peak used",                             \
      "most bytes stored on the tier at any time")                                                \
    X(STORAGE_REJECTED, "storage", 1, "rejected_writes", SIZE, "writes refused: tier full",       \
      "bytes written to the tier that did not fit")                                               \
    X(STORAGE_POWER, "storage", 1, "power", POWER, "average power",                               \
      "mean power of the tier's nodes (follows device read and write time)")                      \
    X(STORAGE_NODES, "storage", 1, "nodes", COUNT, "storage nodes", "storage nodes of the tier")  \
    X(STORAGE_DEVICES, "storage", 1, "devices", COUNT, "storage devices",                         \
      "drives of the tier: nodes x devices per node")                                             \
    X(STORAGE_UNITS, "storage", 1, "rack_units", NUMBER, "rack units",                            \
      "height of the tier's nodes, U")                                                            \
    X(FABRIC_SWITCHES, "fabric", 1, "switches", COUNT, "switches", "switches the fabric needs")   \
    X(FABRIC_LEVELS, "fabric", 1, "levels", COUNT, "switch levels",                               \
      "switch levels (1: one switch, 2: leaf and spine, 3: three tiers)")                         \
    X(FABRIC_OVERSUB, "fabric", 1, "oversubscription", NUMBER, "leaf oversubscription (down:up)", \
      "ratio of a leaf's downlink to uplink bandwidth")                                           \
    X(FABRIC_CORE_BW, "fabric", 1, "spine_bandwidth", BANDWIDTH, "capacity into the spine",       \
      "bandwidth the leaves can send into the spine (the one switch's, on a one-level fabric)")   \
    X(FABRIC_POWER, "fabric", 1, "power", POWER, "switch power (typical)",                        \
      "typical power of the fabric's switches")                                                   \
    X(FACILITY_IT_POWER, "facility", 0, "it_power", POWER, "IT power",                            \
      "mean IT power: GPU nodes, storage nodes, switches and CPU nodes (the components below "    \
      "add up to it)")                                                                            \
    X(FACILITY_P_GPU, "facility", 0, "it_power_gpus", POWER, "  GPUs",                            \
      "mean power of the GPUs (idle to TDP or the power limit, by utilization)")                  \
    X(FACILITY_P_HOST, "facility", 0, "it_power_hosts", POWER, "  GPU node hosts",                \
      "mean power of the GPU nodes besides GPUs and NIC ports (CPUs, memory, NVSwitch, fans)")    \
    X(FACILITY_P_NIC, "facility", 0, "it_power_nics", POWER, "  NIC ports and optics",            \
      "mean power of the host network ports of GPU and storage nodes, optics included")           \
    X(FACILITY_P_SWITCH, "facility", 0, "it_power_switches", POWER, "  switches",                 \
      "mean power of the fabric switches (typical figure)")                                       \
    X(FACILITY_P_DEVICE, "facility", 0, "it_power_storage_devices", POWER, "  storage devices",   \
      "mean power of the drives (idle, reading and writing by their share of device time)")       \
    X(FACILITY_P_SERVER, "facility", 0, "it_power_storage_servers", POWER, "  storage servers",   \
      "mean power of the storage servers besides drives and NIC ports")                           \
    X(FACILITY_P_ENCL, "facility", 0, "it_power_enclosures", POWER, "  drive enclosures",         \
      "mean power of separate drive enclosures (JBODs) besides their drives")                     \
    X(FACILITY_P_CPU, "facility", 0, "it_power_cpu_nodes", POWER, "  CPU nodes",                  \
      "mean power of the CPU-only servers (ingest preprocessing), by their utilization; "         \
      "only in a run that has some")                                                              \
    X(FACILITY_POWER, "facility", 0, "power", POWER, "facility power (PUE)",                      \
      "mean facility power: IT power x PUE")                                                      \
    X(FACILITY_BUSY_POWER, "facility", 0, "peak_power", POWER, "facility power at peak",         \
      "facility power with every GPU, drive and switch busy: what the site must deliver at peak") \
    X(FACILITY_NAMEPLATE, "facility", 0, "nameplate_power", POWER, "IT nameplate power",          \
      "summed nameplate power of the equipment (what racks are provisioned for)")                 \
    X(FACILITY_ENERGY, "facility", 0, "energy", ENERGY, "facility energy",                        \
      "facility energy over the run: the integral of facility power")                             \
    X(FACILITY_CARBON, "facility", 0, "carbon", CARBON, "carbon (energy)",                        \
      "operational carbon of the run: facility energy x the grid's carbon intensity")             \
    X(FACILITY_EMBODIED, "facility", 0, "embodied_carbon", CARBON, "embodied carbon (equipment)", \
      "manufacturing carbon of all the equipment (GPU nodes, drives, storage chassis)")           \
    X(FACILITY_EMBODIED_RUN, "facility", 0, "embodied_carbon_run", CARBON,                        \
      "embodied carbon, run's share", "embodied carbon x run duration / lifetime")                \
    X(FACILITY_RACKS, "facility", 0, "racks", COUNT, "racks",                                     \
      "racks needed, packing whole boxes by rack units and nameplate power")                      \
    X(FACILITY_UNITS, "facility", 0, "rack_units", NUMBER, "rack units",                          \
      "height of all equipment, U")                                                               \
    X(FACILITY_CAP, "facility", 0, "power_cap", POWER, "site power cap",                          \
      "the site's cap on facility power, when the scenario sets one")                             \
    X(FACILITY_CAP_VERDICT, "facility", 0, "power_cap_verdict", TEXT, "the cap",                \
      "whether the cap holds: \"holds\", \"exceeded at peak\" or \"exceeded on average\"")        \
    X(FACILITY_CAP_HEADROOM, "facility", 0, "power_cap_headroom", POWER, "headroom at peak",      \
      "cap - facility power with everything busy (negative: over the cap)")                       \
    X(FACILITY_CAP_LIMIT, "facility", 0, "power_cap_gpu_limit", POWER,                            \
      "GPU power limit that fits the cap", "the one GPU power limit that brings busy facility "   \
      "power to the cap, within the GPUs' accepted range")                                        \
    X(FACILITY_CAP_SHARE, "facility", 0, "power_cap_gpu_throughput", RATIO,                       \
      "GPU throughput left at that limit", "GPU throughput share at that limit (GPU-weighted)")   \
    X(FACILITY_CAP_NOFIT, "facility", 0, "power_cap_gpu_limit_none", TEXT,                        \
      "GPU power limit that fits the cap", "when no accepted GPU power limit brings the peak "    \
      "under the cap: the peak at the lowest limits")                                             \
    X(COST_PURCHASE, "cost", 0, "purchase", MONEY, "purchase price (all equipment)",              \
      "purchase price of all GPU nodes, storage nodes, switches and CPU nodes")                   \
    X(COST_CAPITAL, "cost", 0, "capital", MONEY, "capital (amortized)",                           \
      "purchase price spread over each class's life (straight line), for the run")                \
    X(COST_CAP_COMPUTE, "cost", 0, "capital_compute", MONEY, "  GPU and CPU nodes",               \
      "amortized capital of the GPU nodes and the CPU nodes (ingest preprocessing), for the run") \
    X(COST_CAP_STORAGE, "cost", 0, "capital_storage", MONEY, "  storage",                         \
      "amortized capital of the storage nodes, for the run")                                      \
    X(COST_CAP_NETWORK, "cost", 0, "capital_network", MONEY, "  network",                         \
      "amortized capital of the switches, for the run")                                           \
    X(COST_MAINTENANCE, "cost", 0, "maintenance", MONEY, "maintenance",                           \
      "yearly maintenance share x purchase price, for the run")                                   \
    X(COST_ENERGY, "cost", 0, "energy", MONEY, "energy", "facility energy x energy price")        \
    X(COST_SPACE, "cost", 0, "space", MONEY, "space",                                             \
      "racks x space price per rack, for the run")                                                \
    X(COST_TOTAL, "cost", 0, "total", MONEY, "total",                                             \
      "capital + maintenance + energy + space, for the run")                                      \
    X(COST_PER_HOUR, "cost", 0, "per_hour", MONEY, "per hour of run",                             \
      "total cost of one hour of run (total / duration in hours), USD")                           \
    X(COST_PER_GPU_HOUR, "cost", 0, "per_useful_gpu_hour", MONEY, "per useful GPU-hour",          \
      "total cost over the GPU-hours spent computing, USD per GPU-hour")                          \
    X(COST_PER_MTOKEN, "cost", 0, "per_million_tokens", MONEY, "per million tokens trained",      \
      "total cost over the tokens the training jobs kept, USD per million")                       \
    X(COST_PER_MREQUEST, "cost", 0, "per_million_requests", MONEY, "per million requests",        \
      "total cost over the requests served, USD per million")                                     \
    X(COST_LIFETIME, "cost", 0, "lifetime", TIME, "lifetime (TCO horizon)",                       \
      "the horizon the TCO covers (the facility's lifetime)")                                     \
    X(COST_TCO, "cost", 0, "tco", MONEY, "TCO over the lifetime",                                 \
      "capital + maintenance + energy + space over the lifetime at the run's mean load")          \
    X(COST_TCO_CAPITAL, "cost", 0, "tco_capital", MONEY, "  capital", "capital over the lifetime") \
    X(COST_TCO_MAINT, "cost", 0, "tco_maintenance", MONEY, "  maintenance",                       \
      "maintenance over the lifetime")                                                            \
    X(COST_TCO_ENERGY, "cost", 0, "tco_energy", MONEY, "  energy", "energy over the lifetime")    \
    X(COST_TCO_SPACE, "cost", 0, "tco_space", MONEY, "  space", "space over the lifetime")        \
    X(COST_PER_YEAR, "cost", 0, "per_year", MONEY, "per year", "TCO / lifetime in years")         \
    X(COST_LIFE_ENERGY, "cost", 0, "lifetime_energy", ENERGY, "energy over the lifetime",         \
      "facility energy over the lifetime at the run's mean power")                                \
    X(COST_LIFE_CARBON, "cost", 0, "lifetime_carbon", CARBON, "carbon over the lifetime",         \
      "operational carbon over the lifetime + embodied carbon of all equipment")

#define AF_METRIC_ENUM(id, g, inst, leaf, dim, label, meaning) AF_M_##id,
/* Every metric, in table order. */
typedef enum { AF_METRICS(AF_METRIC_ENUM) AF_M__COUNT } af_metric_id;
#undef AF_METRIC_ENUM

/* One row of the table. */
typedef struct af_metric_def {
    const char *group;   /* first part of the name: "train", "cost" */
    bool instanced;      /* true: "<group>.<instance>.<leaf>"; false: "<group>.<leaf>" */
    const char *leaf;    /* last part of the name */
    af_dim dim;          /* unit; for a text metric AF_DIM_NUMBER (unused) */
    bool text;           /* a text metric (the name of a resource), not a number */
    const char *label;   /* label in the text summary */
    const char *meaning; /* one line for people */
} af_metric_def;

/* The definition of metric id (id < AF_M__COUNT). */
const af_metric_def *af_metric_get(af_metric_id id);

/* The shares of a training job's GPU time that its time series records per window (series
 * "train.<job>.<leaf>"), in this order; they add up to one in every window: computing, waiting
 * for data, communicating, pipeline bubble and stragglers, checkpoint stall, down or reloading,
 * idle past the target. Leaves and labels for people. */
enum { AF_TRAIN_SHARES = 7 };
extern const char *const af_train_share_leaf[AF_TRAIN_SHARES];
extern const char *const af_train_share_label[AF_TRAIN_SHARES];

/* The definition a recorded metric name follows ("train.llm.steps" -> TRAIN_STEPS), or NULL. */
const af_metric_def *af_metric_of_name(const char *name);

/* Writes the full name of metric id for `instance` (ignored, may be NULL, for metrics of the
 * run) into buf (n bytes, truncated). Returns buf. */
char *af_metric_name(af_metric_id id, const char *instance, char *buf, size_t n);

/* Sets metric id of instance to value, with the table's unit and label. */
void af_results_put(af_results *r, af_metric_id id, const char *instance, double value);

/* Sets text metric id of instance to text (copied). */
void af_results_put_text(af_results *r, af_metric_id id, const char *instance, const char *text);

/* The recorded metric id of instance, or NULL (borrowed as af_results_find). */
const af_metric *af_results_lookup(const af_results *r, af_metric_id id, const char *instance);

/* Value of metric id of instance, or `fallback` when it was not recorded. */
double af_results_value(const af_results *r, af_metric_id id, const char *instance,
                        double fallback);

/* Prints the table for people (markdown = false: aligned text; true: a Markdown table). Returns
 * 0, or -1 when writing to f failed. */
int af_metrics_print(FILE *f, bool markdown);

#endif
