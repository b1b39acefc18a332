/*
 * scenario: a scenario file (plus --set overrides) checked and turned into an af_world_config.
 *
 * Format version 1 (the fields, what they accept and their limits):
 *
 *   aifsim: 1                  required; exactly 1
 *   name: flagship             required string
 *   description: ...           optional string
 *   seed: 42                   optional integer in [0, 2^64), default 1
 *   duration: 6 h              required time in (0, 100 y]
 *   max_events: 1e8            optional integer in [0, 1e15], default 0 (the engine's default)
 *   facility: hyperscale       optional preset name, default "hyperscale"; or a mapping
 *                              { preset: NAME, <facility field>: VALUE, ... } overriding figures
 *   cluster:                   required list of 1 to 1000 pools
 *     - pool: train            required name (letters, digits, - and _), unique
 *       node: dgx-h100         required catalog node
 *       nodes: 16              required integer in [1, 1e6]
 *       override: { ... }      optional: catalog node fields with plain values; gpu, nic and
 *                              storage_nic take a catalog name (swap) or a mapping (override)
 *   storage:                   required list of 1 to 1000 tiers
 *     - tier: hot              required name, unique
 *       system: flash-qlc-node required catalog storage system
 *       nodes: 4               required integer in [1, 1e6]
 *       override: { ... }      optional, likewise (nic: name or mapping)
 *   workloads:                 required list of 1 to 1000 items, each a one-key mapping whose
 *     - train:                 key is the kind; only "train" exists
 *         name: vit            optional name, default the pool's; unique among workloads
 *         pool: train          required; a pool runs at most one training job
 *         step_time: 250 ms    time in (0, 1 d]; either this, or all three of
 *         model: { params: 70e9 }          count in (0, 1e15]
 *         tokens_per_step: 4Mi             count in (0, 1e12]
 *         mfu: 0.4                         ratio in (0, 1]
 *         precision: bf16      optional bf16 | fp8 (default bf16; fp8 needs a GPU with FP8)
 *         batch_per_gpu: 256   required integer in [1, 1e9], samples per GPU per step
 *         dataset:             required mapping
 *           tier: hot          required, a defined tier
 *           size: 50 TB        required size in (0, 1e18 B]
 *           sample_size: 110 kB  required size in (0, 1 TB], at most `size`
 *           prefetch: 2        optional integer in [1, 1024], default 2
 *
 * Values are YAML scalars read by the units parser; quoting them ("8", "2 h") makes no
 * difference. Every mistake is reported in one pass, in document order, as
 *     file:line:col: error: field.path: what was expected, got "what"
 *
 * --set PATH=VALUE overrides a field before validation (af_doc_set): PATH selects list entries
 * by index (storage[0].nodes) or by name (storage.hot.nodes; the name key is `pool` in cluster,
 * `tier` in storage, and a workload's name or, without one, its pool: workloads.vit.step_time).
 * A missing key is added and then validated like any other. Errors in an override are reported
 * as "--set:1:COL: error: ...", COL counting from 1 at the start of the PATH=VALUE argument.
 */
#ifndef AF_SCENARIO_SCENARIO_H
#define AF_SCENARIO_SCENARIO_H

#include "base/arena.h"
#include "base/diag.h"
#include "scenario/catalog.h"
#include "scenario/doc.h"
#include "workload/world.h"

#include <stddef.h>

/* Limits (absurd values are errors). */
#define AF_SCENARIO_MAX_ENTRIES 1000  /* pools, tiers and workloads, each */
#define AF_SCENARIO_MAX_NODES 1000000 /* nodes in one pool or one tier */

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

/* Like af_scenario_load, from len bytes of buf named `name` in messages. */
int af_scenario_parse(const char *name, const char *buf, size_t len, const af_catalog *cat,
                      const af_scenario_set *sets, size_t nsets, af_arena *arena,
                      af_world_config *out, af_diag *d);

#endif
