/*
 * scenario: a scenario file (plus --set overrides) checked and turned into an af_world_config.
 *
 * Format version 1 (the fields, what they accept and their limits):
 *
 *   aifsim: 1                  required; exactly 1
 *   name: flagship             required string
 *   description: ...           optional string
 *   seed: 42                   optional integer in [0, 2^64), default 1
 *   duration: 6 h              required time in [1 us, 100 y]
 *   max_events: 1e8            optional integer in [0, 1e15], default 0 (the engine's default)
 *   facility: hyperscale       optional preset name, default "hyperscale"; or a mapping
 *                              { preset: NAME, <facility field>: VALUE, ... } overriding figures
 *   cluster:                   required list of 1 to 1000 pools
 *     - pool: train            required name (letters, digits, - and _), unique
 *       node: dgx-h100         required catalog node
 *       nodes: 16              required integer in [1, 1e6]
 *       override: { ... }      optional: catalog node fields with plain values; gpu, nic,
 *                              storage_nic, nvlink and host_link take a catalog name (swap) or
 *                              a mapping (override)
 *   storage:                   required list of 1 to 1000 tiers
 *     - tier: hot              required name, unique
 *       system: flash-qlc-node required catalog storage system
 *       nodes: 4               required integer in [1, 1e6]
 *       override: { ... }      optional, likewise (nic: name or mapping)
 *       cache:                 optional mapping: this tier caches another one (reads of data
 *         for: capacity        sets on `for` hit this tier with probability hit_ratio); required
 *                              tier, not this one and not itself a cache; a tier has at most
 *                              one cache
 *         hit_ratio: 80%       required ratio in [0, 1]
 *       drain:                 optional mapping: bytes written here are copied in the background
 *         to: archive          to `to` and freed here; required tier, not this one and without
 *                              a drain of its own
 *         weight: 0.25         optional number in (0, 1e6], default 0.25: QoS weight of the drain
 *       reserve: 20%           optional ratio in [0, 0.9], default 0: share of device time held
 *                              back for look-ups
 *   fabric:                    optional list of 0 to 16 networks between pools and tiers (pairs
 *                              that no fabric connects are joined by a non-blocking network)
 *     - name: storage-net      required name (like a pool's), unique among fabrics
 *       switch: qm9700         required catalog switch, used at every level
 *       topology: fat-tree     optional fat-tree | rail, default fat-tree
 *       oversubscription: 2    optional number in [1, 64] ("2" or "2:1"), default 1: leaf
 *                              down:up port ratio
 *       levels: 0              optional integer in [0, 3], default 0 (the fewest that fit)
 *       connects: [train, hot] required list of 1 to 16 pool and tier names. A fabric that
 *                              connects a tier is a storage fabric (pools join it by their
 *                              storage NICs); one of pools only is a backend fabric (compute
 *                              NICs; it carries no storage traffic, its switches count in power
 *                              and cost). A tier is on at most one fabric, a pool on at most one
 *                              of each kind
 *   workloads:                 required list of 1 to 1000 items, each a one-key mapping whose
 *                              key is the kind: train, burst, lookup, ingest, inference or
 *                              flywheel.
 *                              Names are unique among all workloads.
 *     - train:                 a data-parallel training job
 *         name: vit            optional name, default the pool's
 *         pool: train          required; a pool runs at most one training job
 *         preset: unet3d-h100  optional catalog MLPerf Storage workload (models/mlperf.yaml);
 *                              fills step_time, batch_per_gpu, epochs, min_au and the data
 *                              set's sample_size, sample_spread, samples_per_file and
 *                              reader_threads, each unless given (none is then required), and
 *                              sizes the data set by the benchmark's rule unless dataset.size
 *                              or dataset.files is given (workload/mlperf.h)
 *         step_time: 250 ms    time in (0, 1 d]; either this, or all three of
 *         model: { params: 70e9 }          count in (0, 1e15]
 *         tokens_per_step: 4Mi             count in (0, 1e12]
 *         mfu: 0.4                         ratio in (0, 1]
 *         precision: bf16      optional bf16 | fp8 (default bf16; fp8 needs a GPU with FP8)
 *         batch_per_gpu: 256   required integer in [1, 1e9] (unless preset), samples per GPU
 *                              per step
 *         qos: { weight: 2 }   optional mapping; weight per GPU on the tier, number in
 *                              (0, 1e6], default 1
 *         dataset:             required mapping
 *           tier: hot          required, a defined tier
 *           size: 50 TB        size in (0, 1e18 B]; required unless `files` is given (then it is
 *                              files x samples_per_file x sample_size; given both, they must
 *                              agree within 1%) or the job has a preset (the rules' minimum)
 *           sample_size: 110 kB  required size in (0, 1 TB] (unless preset), at most `size`
 *           sample_spread: 20 kB optional size in [0, 1 TB], default 0: standard deviation of
 *                              the sample size
 *           samples_per_file: 1000  optional integer in [1, 1e9], default 1
 *           files: 5e5         optional integer in [1, 1e15], default size / (sample_size x
 *                              samples_per_file) (not rounded)
 *           reader_threads: 8  optional integer in [0, 4096], default 0 (no limit): loader
 *                              threads per GPU, one read in flight each
 *           prefetch: 2        optional integer in [1, 1024], default 2
 *           host_memory: 2 TB  optional size in (0, 1 PB], only with the job's preset and
 *                              without size or files: one client node's memory; the data set
 *                              is then at least pool nodes x host_memory x 5 (the rules'
 *                              500 steps an epoch apply with or without it)
 *         steps: 1000          optional integer in [1, 1e15]: steps to train, then idle
 *         epochs: 5            optional integer in [1, 1e6], not with steps; default the
 *                              preset's (unless steps is given): trains epochs x
 *                              floor(samples / (batch_per_gpu x GPUs)) steps, at least one step
 *                              an epoch. With a preset, epochs or min_au the job counts epochs
 *                              and reports the MLPerf AU (train.<job>.mlperf_au)
 *         min_au: 90%          optional ratio in (0, 1], default the preset's: the AU to pass
 *                              (train.<job>.mlperf_result)
 *     - burst:                 a periodic bulk transfer: checkpoint write, ingest, model load
 *         name: ckpt           required name
 *         pool: train          optional client pool (its storage NICs carry it); absent: outside
 *                              clients, limited only by the tier
 *         tier: hot            required tier
 *         direction: write     optional write | read, default write
 *         size: 2 TB           required size in [1 B, 1e18 B], bytes per burst
 *         every: 30 min        required time in (0, 100 y], the period
 *         start: 5 min         optional time in [0, 100 y], default `every`: the first burst
 *         op_size: 1 MiB       optional size in [1 B, 1 TB], default 1 MiB: operation size
 *         keep: 3              optional integer in [0, 1e6], default 0 (keep all): copies kept
 *                              on the tier, older ones freed; writes only
 *         qos: { weight: 1 }   optional; weight per client node, number in (0, 1e6], default 1
 *     - lookup:                small random reads (inference feature look-ups)
 *         name: features       required name
 *         tier: hot            required tier
 *         rate: 20000/s        rate in (0, 1e9]/s ("20 k/s", "20000 IOPS"), Poisson arrivals;
 *                              required unless `arrivals` is given (not both)
 *         arrivals: ...        when the requests come (see "Arrivals" below); a trace's sizes
 *                              are not used
 *         size: 4 KiB          optional size in [1 B, 1 GB], default 4096 B per request
 *         slo: 5 ms            optional time in (0, 1 h], the p99 latency objective; default
 *                              none
 *     - ingest:                data arriving from outside, preprocessed into a training set
 *         name: clicks         required name
 *         source: 2 GB/s       required bandwidth in (0, 1 PB/s], or the mapping of `arrivals`
 *                              (see "Arrivals") with `rate` a bandwidth; a trace's rows are
 *                              `time,bytes`
 *         to: lake             required landing tier
 *         preprocess:          optional mapping (absent: the bytes only land)
 *           nodes: 16          required integer in [1, 1e6], CPU nodes
 *           throughput: 400 MB/s  required bandwidth in (0, 1 TB/s], raw bytes per node
 *           node: epyc-9654-2s  optional catalog CPU server (models/servers.yaml), default
 *                              epyc-9654-2s: the nodes' power, height, price and carbon
 *           ratio: 0.3         optional number in (0, 1000], default 1: output per raw byte
 *           to: hot            output tier; required unless `feeds` (then the job's tier)
 *           keep_raw: false    optional false | true, default false
 *         feeds: llm           optional training job (may come later) whose data set grows
 *                              by the output; needs preprocess
 *         entry_size: 1 GB     size in (0, 1e15 B], bytes per row of a trace without sizes:
 *                              required then, refused otherwise
 *         chunk: 1 GB          optional size in [1 B, 1e13 B], default 1 GB per write and read
 *         op_size: 1 MiB       optional size in [1 B, 1 TB], default 1 MiB
 *         qos: { weight: 1 }   optional; weight per landing node and per CPU node, default 1
 *     - inference:             a model-serving service (scen_infer.c, workload/infer.c)
 *         name: recsys         required name
 *         pool: serve          required pool; it runs nothing else (no training job, no other
 *                              service)
 *         replicas: 32         optional integer in [1, 1e6], default the pool's GPUs /
 *                              gpus_per_replica (at most 1e6 too); replicas x gpus_per_replica
 *                              <= the pool's GPUs
 *         gpus_per_replica: 1  optional integer in [1, 1024], default 1 (an LLM's tensor
 *                              parallelism)
 *         arrivals: 10000/s    required (see "Arrivals"): requests, or an LLM's new
 *                              conversations; a trace's sizes are the bytes of features a
 *                              request reads (an LLM: its first prompt's tokens)
 *         features:            optional mapping (absent: no reads before batching)
 *           tier: hot          required tier
 *           reads: 20          optional integer in [1, 1e5], default 1: random reads a request
 *           size: 4 KiB        optional size in [1 B, 1 GB], default 4096 B per read
 *         batch:               optional mapping
 *           max: 64            optional integer in [1, 65536], default 1: requests a batch
 *           wait: 2 ms         optional time in [0, 1 h], default 0: longest the oldest waits
 *                              for a batch to fill while a replica is free
 *         service:             required unless `llm` is given: a batch of n requests holds its
 *                              replica time + per_request x n (> 0)
 *           time: 3 ms         required time in [0, 1 h]
 *           per_request: 50 us optional time in [0, 1 h], default 0
 *           distribution: fixed  optional fixed | exponential (with that mean), default fixed
 *         queue_limit: 20000   optional integer in [1, 1e6], default none (a million): requests
 *                              admitted and not answered at most, arrivals beyond rejected;
 *                              without it, feature reads that would keep every device of the
 *                              tier busy at the peak rate are refused
 *         slo: 50 ms           optional time in (0, 1 h], the p99's objective; or a one-key
 *                              mapping { p50 | p90 | p99 | p99.9: TIME }; for an LLM a mapping
 *                              { ttft: TIME, tpot: TIME } (either or both, in (0, 1 h])
 *         llm:                 optional mapping, instead of features, batch and service; the
 *                              model must leave a replica KV cache for prompt + output tokens
 *           model: llama3-8b   required catalog language model (models/llms.yaml)
 *           precision: bf16    optional bf16 | fp8, default bf16: weights and arithmetic
 *           kv_precision: bf16 optional bf16 | fp8, default bf16: the KV cache
 *           mfu: 0.5           optional ratio in (0, 1], default 0.5: prefill's share of peak
 *           mbu: 0.8           optional ratio in (0, 1], default 0.8: decode's share of HBM B/W
 *           memory: 0.9        optional ratio in (0, 1], default 0.9: HBM share for weights + KV
 *           prompt: 1000       required number in [1, 1e7] (mean of an exponential count,
 *                              rounded up) or { tokens: 1000, distribution: fixed|exponential }
 *           output: 200        required, likewise
 *           max_batch: 256     optional integer in [1, 65536], default what the KV cache holds
 *           conversation:      optional mapping
 *             turns: 4         optional number in [1, 1e4], default 1: mean turns (geometric)
 *             think: 60 s      optional time in (0, 100 y], default 60 s: mean time between an
 *                              answer and the next turn (exponential)
 *           kv_cache:          optional list of 1 to 4 tiers below HBM, fastest first, each
 *             - { host: 512 GB, bandwidth: 50 GB/s }   per replica, size in [1 B, 1e18 B] and
 *             - { local: 7.68 TB, bandwidth: 12 GB/s } bandwidth in [1 B/s, 1e15 B/s] required
 *             - { tier: hot, capacity: 100 TB }        a storage tier (one at most), capacity
 *                              required, no bandwidth (its reloads and writes are flows)
 *     - flywheel:              serving logs retrain the served model (scen_flywheel.c,
 *                              workload/flywheel.c)
 *         name: loop           required name
 *         from: recsys         required inference workload (may come later) whose answered
 *                              requests (LLM turns) log
 *         log: 2 kB            required size in (0, 1 TB], bytes logged per answer
 *         to: clicks           required ingest with preprocess (may come later): the logs land
 *                              and become training data as its source's bytes do
 *         flush: 1 min         optional time in (0, 1 y], default 1 min: logs shipped this often
 *         retrain:             required mapping; every, new_data or both
 *           job: finetune      required training job without steps (may come later), one
 *                              flywheel's; it idles from time 0 until a trigger
 *           steps: 500         required integer in [1, 1e15], steps per fine-tune
 *           every: 6 h         time in (0, 100 y]: retrain this long after the last start
 *           new_data: 200 GB   size in (0, 1e18 B]: retrain once the ingest has made this much
 *                              training data (ratio x raw processed) since the last start
 *
 * Arrivals (`arrivals:` of a lookup or an inference; scen_arrivals.c), a rate or a mapping:
 *   arrivals: 10000/s          rate in (0, 1e9]/s: Poisson arrivals
 *   arrivals:
 *     rate: 10000/s            rate in (0, 1e9]/s, the mean over a day outside bursts; required
 *                              unless `trace` is given
 *     diurnal:                 optional daily profile: 24 hourly weights of mean 1, either
 *       peak_to_trough: 3      number in [1, 1e6], a cosine day (workload/arrivals.h) with
 *       peak: 20 h             its busiest time, a time of day in [0, 24 h], required with it
 *       hourly: [1, ..., 1.2]  or 24 numbers in (0, 1e6] from midnight, scaled to mean 1
 *     start: 8 h               optional time of day in [0, 24 h] at which the run starts,
 *                              default 0; needs diurnal
 *     bursts:                  optional; the rate is `factor` times higher during bursts
 *       every: 1 h             required time in (0, 100 y], the period
 *       length: 5 min          required time in (0, every]
 *       factor: 3              required number in (0, 1e6] (below 1: a lull)
 *       start: 30 min          optional time in [0, 100 y], default 0: the first burst
 *     trace: traces/a.csv      instead of all of the above: a CSV file relative to the
 *                              scenario's directory, one arrival per line `time[,size]`, time
 *                              in s ("1.5") or with a unit ("250 ms"), not decreasing, size in
 *                              bytes ("4096") or with a unit ("4 KiB"), every row or none; an
 *                              optional header line, blank lines and # comments; at most 1e7
 *                              rows
 *
 * Values are YAML scalars read by the units parser; quoting them ("8", "2 h") makes no
 * difference. Every mistake is reported in one pass, in document order, as
 *     file:line:col: error: field.path: what was expected, got "what"
 *
 * --set PATH=VALUE overrides a field before validation (af_doc_set): PATH selects list entries
 * by index (storage[0].nodes) or by name (storage.hot.nodes; the name key is `pool` in cluster,
 * `tier` in storage, `name` in fabric (fabric.backend.levels), and a workload's name or, for a
 * training job without one, its pool: workloads.vit.step_time, workloads.ckpt.every).
 * A missing key is added and then validated like any other. Errors in an override are reported
 * as "--set:1:COL: error: ...", COL counting from 1 at the start of the PATH=VALUE argument.
 */
#ifndef AF_SCENARIO_SCENARIO_H
#define AF_SCENARIO_SCENARIO_H

#include "base/arena.h"
#include "base/diag.h"
#include "base/units.h"
#include "scenario/catalog.h"
#include "scenario/doc.h"
#include "workload/world.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits (absurd values are errors). */
#define AF_SCENARIO_MAX_ENTRIES 1000  /* pools, tiers and workloads, each */
#define AF_SCENARIO_MAX_NODES 1000000 /* nodes in one pool or one tier */
#define AF_SCENARIO_MAX_FABRICS 16    /* fabrics */

/* One --set override, parsed from "PATH=VALUE". */
typedef struct af_scenario_set {
    const char *arg;                /* the whole argument (borrowed; must outlive the set) */
    char path[AF_DOC_MAX_PATH + 1]; /* PATH, the text before the first '=' */
    const char *value;              /* VALUE, the text after the first '=' (inside arg) */
} af_scenario_set;

/* Parses "PATH=VALUE" into *out (which borrows arg). Returns AF_OK, or AF_EINPUT with a message
 * "--set:1:COL: error: ..." when there is no '=', the path is empty, longer than
 * AF_DOC_MAX_PATH or malformed. */
int af_scenario_parse_set(const char *arg, af_scenario_set *out, af_diag *d);

/* Reads the scenario file at path, applies the nsets overrides in order, checks everything
 * against the catalog and fills *out. Every string and array of *out is allocated in arena
 * (names and descriptions of catalog entries are copied too, so the catalog may be freed
 * first). Returns AF_OK; AF_EINPUT with every mistake in d (in document order, --set mistakes
 * first); or AF_EIO when the file cannot be read. *out is written only on success; on failure
 * the arena may hold partial allocations, released with it. */
int af_scenario_load(const char *path, const af_catalog *cat, const af_scenario_set *sets,
                     size_t nsets, af_arena *arena, af_world_config *out, af_diag *d);

/* A numeric field of a scenario, read by its --set path (af_scenario_field_get). */
typedef struct af_scenario_field {
    char text[AF_DOC_MAX_PATH + 1]; /* the value as written in the file or the last --set
                                     * ("360 Gb/s", "2", "80%"), cut short when longer */
    double value;                   /* its value in SI base units of dim */
    af_dim dim;                     /* its dimension; AF_DIM_COUNT for an integer field */
    bool integer;                   /* a whole number (a node or GPU count, a batch) */
    double min;                     /* the accepted range: [min, max], or (min, max] when */
    double max;                     /* min_open, in SI base units */
    bool min_open;
} af_scenario_field;

/* The field at the --set path `path` (as af_doc_set takes it: storage.hot.nodes,
 * workloads.vit.dataset.sample_size, cluster[0].nodes) of the scenario in file with the nsets
 * overrides applied, as the checker reads it: its unit, whether it is an integer, its range. The
 * field must be written in the file (or set by an override): a default has no text to move.
 * Returns AF_OK with *out set; AF_EIO when the file cannot be read; AF_EINPUT with the message
 * in d ("<path>: ...", naming the path as given) when the scenario does not load (its mistakes),
 * the path leads nowhere in it (with a did-you-mean over the keys or names found there), or the
 * value there is not read as a number (a name, a word, a list). */
int af_scenario_field_get(const char *file, const af_catalog *cat, const af_scenario_set *sets,
                          size_t nsets, const char *path, af_scenario_field *out, af_diag *d);

/* The text at the --set path `path` of the scenario in file with the nsets overrides applied, as
 * written (before any check): a scalar's text, or the kind of a mapping or a list ("a
 * mapping"), into buf (n bytes). Returns AF_OK, AF_EINPUT when the file does not parse, an
 * override does not apply or the path leads nowhere, AF_EIO when the file cannot be read; no
 * message either way (for comparing what overrides do to one field). */
int af_scenario_field_text(const char *file, const af_scenario_set *sets, size_t nsets,
                           const char *path, char *buf, size_t n);

/* Like af_scenario_load, from len bytes of buf named `name` in messages. */
int af_scenario_parse(const char *name, const char *buf, size_t len, const af_catalog *cat,
                      const af_scenario_set *sets, size_t nsets, af_arena *arena,
                      af_world_config *out, af_diag *d);

#endif
