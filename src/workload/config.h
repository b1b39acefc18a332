/*
 * config: a whole scenario's configuration as plain structs in SI units, the contract between
 * the scenario layer (which fills it from YAML and the catalog, strings and arrays in its arena)
 * and the world (which builds and runs it). Nothing here knows about YAML or the engine.
 *
 * Every field says its meaning and unit. Indices name entries of the arrays of af_world_config
 * in declaration order; AF_WORLD_NONE is an index that names none.
 */
#ifndef AF_WORKLOAD_CONFIG_H
#define AF_WORKLOAD_CONFIG_H

#include "model/collective.h"
#include "model/fabric.h"
#include "model/facility.h"
#include "model/llm.h"
#include "model/node.h"
#include "model/reliability.h"
#include "model/server.h"
#include "model/storage.h"
#include "workload/arrivals.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Precision whose dense peak sets the derived step time. */
typedef enum { AF_PREC_BF16, AF_PREC_FP8 } af_precision;

/* How a checkpoint stalls its job. */
typedef enum {
    AF_CKPT_SYNC, /* the GPUs wait until the write is durable on the tier */
    AF_CKPT_ASYNC /* the GPUs wait while the state is copied to host memory over the GPU-to-host
                     link; the write then drains while training goes on */
} af_ckpt_mode;

/* A training job's checkpoints (resilience.c). Present when `on`. */
typedef struct af_ckpt_config {
    bool on;                /* the job checkpoints */
    size_t tier;            /* tier written to and read back from at a restart */
    double size_B;          /* bytes per checkpoint, whole job (> 0 after the scenario layer:
                               given, or params x bytes_per_param) */
    double bytes_per_param; /* training state per parameter, B (default 14: bf16 weights, fp32
                               master weights and two fp32 Adam moments) */
    double every_s;         /* interval in training (compute) time, s; 0 = by steps or auto */
    int64_t every_steps;    /* interval in steps; 0 = by time or auto */
    bool every_auto;        /* interval from Daly's formula, the job's failure rate and the
                               simulated checkpoint cost */
    af_ckpt_mode mode;      /* synchronous or asynchronous */
    double writers;         /* share of the job's nodes that write their shard, (0, 1] */
    int keep;               /* copies kept on the tier, older ones freed; 0 = keep all */
    double weight;          /* QoS weight per writing node, > 0 */
    size_t drain_to;        /* a copy past `keep` is first copied to this tier (kept there),
                               then freed; AF_WORLD_NONE (or the checkpoint's own tier, as a
                               zeroed configuration has it) = freed at once */
} af_ckpt_config;

/* Most named failure causes per job. */
#define AF_FAIL_MAX_CAUSES 8

/* A training job's failures and restarts (resilience.c). Present when `on`. A failure of any
 * GPU or node stops the whole job. */
typedef struct af_fail_config {
    bool on;                 /* failures are simulated */
    af_failure_spec gpu;     /* how one GPU fails (mean_s = its MTBF); mean_s 0 = never */
    af_failure_spec node;    /* how one node fails (host, NIC, software); mean_s 0 = never */
    af_failure_spec sw;      /* how one switch of the pool's backend fabric fails (all its
                                switches count: a failed one stops the job); mean_s 0 = never */
    double detect_s;         /* from a failure to its detection, s */
    double restart_s;        /* from detection to the job running again (reschedule, reload
                                the code), s; the checkpoint read follows */
    int64_t spares;          /* spare nodes; a failure past them waits for repair */
    double repair_s;         /* repair time of a node when no spare is left, s */
    size_t ncauses;          /* named causes (0: "gpu" and "node" by the component) */
    const char *cause[AF_FAIL_MAX_CAUSES];  /* cause names */
    double cause_weight[AF_FAIL_MAX_CAUSES]; /* their shares, > 0 (normalised) */
} af_fail_config;

/* One training job's configuration. Plain data; strings borrowed from the scenario arena. */
typedef struct af_train_config {
    const char *name;       /* job name, unique among workloads (defaults to the pool name) */
    size_t pool;            /* index of the GPU pool in af_world_config.pools */
    size_t tier;            /* index of the storage tier the data set lives on */
    double step_time_s;     /* compute time per step; 0 = derive from params, tokens, MFU */
    double params;          /* model parameters (for the derived step time), count */
    double tokens_per_step; /* global tokens per step (for the derived step time), count */
    int layers;             /* model layers, for the attention FLOPs (0 = 6 x params only) */
    int hidden;             /* model width (d_model), for the attention FLOPs */
    int seq_len;            /* training sequence length, tokens, for the attention FLOPs */
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
    double target_steps;    /* steps to train, then the job ends and its GPUs idle; 0 = train
                               until the end of the run */
    bool held;              /* the job waits, its GPUs idle, from time 0 until a flywheel
                               starts it (af_flywheel_config.job): each trigger trains `steps`
                               more steps, then it idles again; target_steps is 0 */
    double epochs;          /* passes over the data set to train (target_steps is then epochs x
                               steps_per_epoch); 0 = by steps, or until the end of the run */
    double steps_per_epoch; /* steps of one pass over the data set, floor(samples / (batch x
                               GPUs)) as DLIO counts them; 0 = the job counts no epochs and
                               reports no MLPerf AU (workload/mlperf.h) */
    double au_min;          /* MLPerf minimum accelerator utilization to pass, (0, 1]; 0 = none */
    const char *preset;     /* MLPerf Storage preset the job named (models/mlperf.yaml), or NULL;
                               its figures are already in the fields above (for display) */
    /* Parallelism (with model params): the GPUs split into tp x pp x dp; dp replicas all-reduce
     * their gradients every step over the backend fabric (train.c, "The step"). */
    int tp;                 /* tensor-parallel degree, inside a node (divides its GPUs); >= 1 */
    int pp;                 /* pipeline stages, >= 1 */
    int microbatches;       /* micro-batches per step per pipeline, >= 1 (the bubble) */
    double grad_bytes_per_param; /* gradient bytes per parameter all-reduced each step (2: bf16);
                                    0 = no all-reduce */
    af_coll_algo coll_algo; /* all-reduce algorithm across nodes: ring or tree */
    double overlap;         /* share of the all-reduce (as it would take alone) hidden behind the
                               backward pass, [0, 1] */
    double straggler_cv;    /* coefficient of variation of a node's step compute time (lognormal,
                               mean 1); each step waits for the slowest node; 0 = none */
    af_ckpt_config ckpt;    /* checkpoints */
    af_fail_config fail;    /* failures and restarts */
} af_train_config;

/* A pool of identical GPU nodes. */
typedef struct af_pool_config {
    const char *name;  /* pool name, unique */
    af_node_spec node; /* node model (catalog entry with scenario overrides applied) */
    int64_t nodes;     /* number of nodes, >= 1 */
    double power_limit_W; /* GPU power limit (nvidia-smi -pl), W; 0: none (TDP). A limit below
                           * TDP lowers the GPUs' full-load power to it and their throughput by
                           * the catalog's curve (af_gpu_throughput_at) */
} af_pool_config;

/* No tier (an index field that names none). */
#define AF_WORLD_NONE SIZE_MAX

/* A storage tier: a catalog system times a node count, optionally in front of another tier. */
typedef struct af_tier_config {
    const char *name;       /* tier name, unique */
    af_storage_spec system; /* storage node model (with overrides applied) */
    int64_t nodes;          /* number of storage nodes, >= 1 */
    /* Cache: this tier caches `cache_for` (a tier index, or AF_WORLD_NONE). A read of a data
     * set that lives on `cache_for` is served from this tier with probability hit_ratio; a miss
     * reads the backing tier and writes the bytes into this one (the cache fill). */
    size_t cache_for;       /* backing tier, or AF_WORLD_NONE */
    double hit_ratio;       /* share of reads served by this tier, [0, 1] */
    /* Drain: bytes written to this tier are copied in the background to `drain_to` (a tier
     * index, or AF_WORLD_NONE) and then freed here, with QoS weight drain_weight. */
    size_t drain_to;        /* drain target, or AF_WORLD_NONE */
    double drain_weight;    /* weight of the drain flows, > 0 (default 0.25) */
    /* QoS: a share of the devices' time held back for the latency class (look-ups): bulk flows
     * together use at most (1 - reserve) of it. */
    double reserve;         /* reserved share for the latency class, [0, 1) */
} af_tier_config;

/* A network fabric between pools and tiers (model/fabric.h). Pools and tiers a storage fabric
 * (one that connects a tier) connects reach each other through its stages; a pair no fabric
 * connects is assumed joined by a non-blocking network (only the NICs limit it). A fabric of
 * pools only is a backend (GPU) fabric on the nodes' compute NICs: planned and counted in power,
 * space and cost, it carries no storage traffic. A tier is on at most one fabric, a pool on at
 * most one storage and one backend fabric. */
typedef struct af_fabric_config {
    const char *name;         /* fabric name, unique */
    af_fabric_spec spec;      /* topology, switch model (catalog), oversubscription, levels */
    size_t *pools;            /* indices of the pools it connects */
    size_t npools;
    size_t *tiers;            /* indices of the tiers it connects */
    size_t ntiers;
} af_fabric_config;

/* QoS class of a workload on its tier. */
typedef enum {
    AF_QOS_BULK,   /* fluid traffic: shares by weight, kept out of a tier's reserve */
    AF_QOS_LATENCY /* discrete look-ups: served first from the reserve */
} af_qos_class;

/* A periodic bulk transfer between a pool (or outside clients) and a tier: a checkpoint write,
 * an ingest burst, a model load. */
typedef struct af_burst_config {
    const char *name;   /* workload name, unique among workloads */
    size_t pool;        /* client pool whose storage NICs carry it, or AF_WORLD_NONE (outside
                           clients: only the tier's NICs and devices limit it) */
    size_t tier;        /* tier written to or read from */
    bool write;         /* true: write to the tier; false: read from it */
    double size_B;      /* bytes per burst, > 0 */
    double every_s;     /* period: a burst starts every every_s, > 0 */
    double start_s;     /* time of the first burst, >= 0 */
    double op_B;        /* operation size for the device-time cost, bytes (default 1 MiB) */
    int keep;           /* writes: copies kept on the tier, older ones freed; 0 = keep all */
    double weight;      /* QoS weight per client node (or per tier node without a pool), > 0 */
} af_burst_config;

/* Small random reads arriving at a tier as a Poisson process, with a daily profile and bursts
 * or from a trace (inference feature look-ups, metadata). Latency class: served from the
 * devices' time that bulk flows leave. */
typedef struct af_lookup_config {
    const char *name;   /* workload name, unique among workloads */
    size_t tier;        /* tier read from */
    double rate_per_s;  /* mean arrival rate over the run, requests/s, > 0 */
    double size_B;      /* bytes per request, > 0 (a trace's sizes are not used) */
    double slo_s;       /* latency objective for the p99, s (0 = none) */
    af_arrivals_config arrivals; /* when requests come; all zero: Poisson at rate_per_s */
} af_lookup_config;

/* How a batch's GPU service time is drawn. */
typedef enum {
    AF_SERVICE_FIXED,      /* exactly the mean */
    AF_SERVICE_EXPONENTIAL /* exponential with that mean (the M/M/c case) */
} af_service_dist;

/* Where a KV-cache tier below HBM lives (LLM serving, infer_llm.c). */
typedef enum {
    AF_KV_HOST,  /* the replica's host memory, over its GPUs' host links */
    AF_KV_LOCAL, /* the replica node's local NVMe */
    AF_KV_TIER   /* a storage tier of the scenario, shared by every replica (reloads and writes
                  * are flows on it, beside the other workloads' traffic) */
} af_kv_where;

/* Most KV-cache tiers below HBM. */
#define AF_KV_MAX_TIERS 4

/* One KV-cache tier below HBM. */
typedef struct af_kv_tier_config {
    af_kv_where where;    /* host memory, local NVMe or a storage tier */
    double capacity_B;    /* bytes of KV cache it holds: per replica (host, local) or for the whole
                           * service (a storage tier, taken from the tier's capacity), > 0 */
    double bandwidth_Bps; /* reload bandwidth per replica, bytes/s (host, local; a storage tier's
                           * comes from its flows), > 0 */
    size_t tier;          /* the storage tier (AF_KV_TIER), else AF_WORLD_NONE */
} af_kv_tier_config;

/* LLM serving (infer_llm.c): conversations of turns; each turn prefills its prompt (and the
 * conversation's history unless its KV cache is reloaded from a tier), then decodes its output
 * one token per iteration of its replica's continuous batch. Present when `on`. */
typedef struct af_llm_serve_config {
    bool on;                 /* the service is an LLM */
    af_llm_spec model;       /* the model (catalog entry) */
    af_llm_dtype weights;    /* precision of the weights and the arithmetic */
    af_llm_dtype kv;         /* precision of the KV cache */
    double mfu;              /* share of the dense peak a prefill attains, (0, 1] */
    double mbu;              /* share of the HBM bandwidth a decode step attains, (0, 1] */
    double mem_fraction;     /* share of each GPU's HBM for weights and KV cache, (0, 1] */
    double prompt_tokens;    /* mean new prompt tokens per turn, >= 1 */
    double output_tokens;    /* mean output tokens per turn, >= 1 */
    af_service_dist prompt_dist; /* fixed or exponential (rounded up to whole tokens) */
    af_service_dist output_dist;
    uint32_t max_batch;      /* sequences in a replica's batch at most; 0: as many as its KV
                              * cache holds */
    double ttft_slo_s;       /* time-to-first-token objective, s (0 = none) */
    double tpot_slo_s;       /* time-per-output-token objective, s (0 = none) */
    double turns;            /* mean turns per conversation (geometric), >= 1 */
    double think_s;          /* mean time from a turn's answer to the next turn (exponential), s */
    size_t nkv;              /* KV tiers below HBM, fastest first */
    af_kv_tier_config kv_tiers[AF_KV_MAX_TIERS];
} af_llm_serve_config;

/* A model-serving workload (infer.c): requests arrive (af_arrivals_config), read their features
 * from a tier as small random reads, wait to be batched, and are served on a replica of the
 * pool's GPUs. */
typedef struct af_infer_config {
    const char *name;          /* workload name, unique among workloads */
    size_t pool;               /* GPU pool whose GPUs serve, its only workload */
    int64_t replicas;          /* model replicas serving, >= 1 */
    int64_t gpus_per_replica;  /* GPUs per replica, >= 1; replicas x it <= the pool's GPUs */
    af_arrivals_config arrivals; /* when requests come */
    size_t feature_tier;       /* tier the features are read from, or AF_WORLD_NONE */
    uint32_t feature_reads;    /* random reads per request (0 = none) */
    double feature_B;          /* bytes per read, > 0 */
    uint32_t max_batch;        /* requests per batch at most, >= 1 */
    double max_wait_s;         /* longest a request waits for its batch to fill while a replica
                                * is free, s (0 = serve at once) */
    double service_s;          /* GPU time of a batch: service_s + per_request_s x size, s */
    double per_request_s;      /* GPU time per request in the batch, s */
    af_service_dist service_dist; /* fixed or exponential (with that mean) */
    uint32_t queue_limit;      /* requests admitted and not yet served at most; arrivals beyond
                                * are rejected (0 = no limit: the run's own bound of a million) */
    double slo_s;              /* latency objective, s (0 = none) */
    double slo_quantile;       /* the quantile it applies to, (0, 1) (default 0.99) */
    af_llm_serve_config llm;   /* LLM serving: arrivals are new conversations, and batches are
                                * continuous (feature reads, max_batch, max_wait and service do
                                * not apply) */
} af_infer_config;

/* Data arriving from outside and preprocessed into a training set (ingest.c): a source writes
 * to a landing tier, CPU nodes read the landed bytes and write `ratio` of them to another tier,
 * optionally growing a training job's data set. */
typedef struct af_ingest_config {
    const char *name;          /* workload name, unique among workloads */
    af_arrivals_config source; /* how bytes arrive: rate_per_s read as bytes/s (constant, with a
                                * daily profile and bursts), or a trace of (time, bytes); all
                                * zero: only what other workloads add (af_ingest_add) */
    double entry_B;            /* bytes per trace entry when the trace gives no sizes, B */
    size_t landing;            /* tier the source writes to */
    int64_t nodes;             /* preprocessing CPU nodes, >= 0 (0: no preprocessing) */
    double node_Bps;           /* raw bytes one node processes per second, B/s, > 0 */
    af_server_spec server;     /* the nodes' server model (power, height, price, carbon), in the
                                * world's ledger of boxes (cost.h) with nodes > 0 */
    double ratio;              /* output bytes per raw byte processed, > 0 */
    size_t out_tier;           /* tier the output is written to */
    bool keep_raw;             /* raw bytes stay on the landing tier once processed */
    size_t feeds;              /* training job whose data set grows by the output (it lives on
                                * out_tier), or AF_WORLD_NONE */
    double chunk_B;            /* bytes per source write and per node's read at most, B, > 0 */
    double op_B;               /* operation size for the device-time cost, B (default 1 MiB) */
    double weight;             /* QoS weight per landing-tier node (writes) and per CPU node
                                * (processing), > 0 */
} af_ingest_config;

/* The data flywheel (flywheel.c): a serving workload's answered requests log bytes into an
 * ingest, whose preprocessing makes them training data; retraining, triggered by time or by the
 * volume of new training data, runs a held training job for `steps` steps, and when it ends the
 * served model is refreshed with the data processed up to the fine-tune's start. */
typedef struct af_flywheel_config {
    const char *name;   /* workload name, unique among workloads */
    size_t from;        /* serving workload (af_world_config.infers) whose answers log */
    double log_B;       /* bytes logged per answered request (per LLM turn), B, > 0 */
    size_t to;          /* ingest (af_world_config.ingests, with preprocessing) the logs are
                         * added to, landing as its source's bytes do */
    double flush_s;     /* the logs are shipped to the ingest every flush_s, s, > 0 (default
                         * 60); the volume trigger is looked at then too */
    size_t job;         /* training job (af_world_config.trains) that fine-tunes; it is held */
    double steps;       /* steps per fine-tune, >= 1 */
    double every_s;     /* retrain this long after the last fine-tune started (the first at
                         * every_s), s; 0 = not by time */
    double new_data_B;  /* retrain once the ingest has made this many bytes of training data
                         * (ratio x raw bytes processed) since the last fine-tune started, B;
                         * 0 = not by volume. One of every_s and new_data_B is > 0 */
} af_flywheel_config;

/* The whole world. */
typedef struct af_world_config {
    const char *name;          /* scenario name */
    uint64_t seed;             /* scenario seed for all random streams */
    double duration_s;         /* simulated time to run, s (> 0) */
    uint64_t max_events;       /* event budget (0 = default limit) */
    af_facility_spec facility; /* facility figures */
    af_pool_config *pools;     /* GPU pools in declaration order */
    size_t npools;
    af_tier_config *tiers;     /* storage tiers in declaration order */
    size_t ntiers;
    af_fabric_config *fabrics; /* fabrics in declaration order (may be none) */
    size_t nfabrics;
    af_train_config *trains;   /* training jobs in declaration order */
    size_t ntrains;
    af_burst_config *bursts;   /* bursts in declaration order */
    size_t nbursts;
    af_lookup_config *lookups; /* look-up streams in declaration order */
    size_t nlookups;
    af_infer_config *infers;   /* serving workloads in declaration order */
    size_t ninfers;
    af_ingest_config *ingests; /* ingest pipelines in declaration order */
    size_t ningests;
    af_flywheel_config *flywheels; /* data flywheels in declaration order */
    size_t nflywheels;
    struct af_trace *trace; /* where the run records its timeline (base/trace.h; borrowed), or
                             * NULL for none */
    double sample_s; /* time series window asked for, s; 0: no series. The run divides its
                      * duration into ceil(duration / sample_s) equal windows, at most
                      * AF_WORLD_MAX_WINDOWS */
} af_world_config;

/* Most windows a run samples (a finer interval is widened to fit). */
#define AF_WORLD_MAX_WINDOWS 100000

#endif
