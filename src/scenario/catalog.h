/*
 * catalog: the model catalog
 * (models/{gpus,links,nodes,storage,facility,switches,llms,mlperf,servers}.yaml)
 * read into the model spec structs, with the source of every figure.
 *
 * Each file is a comment block, `aifsim-catalog: 1`, and one top-level key (its section: gpus,
 * links, nodes, storage, facility, switches, llms, mlperf or servers) holding a list of entries.
 * An entry has a kebab-case `name:`, a `description:`, reference and enum fields as plain words
 * (`gpu: h100-sxm`, `kind: infiniband`) and every figure as `{ value: <quantity>, source:
 * "<text>" }`; a figure without a source is an error. The fields, their units and their accepted
 * ranges are the table in schema.c, shared with the scenario's `override:` mappings.
 *
 * Sections load in the order of af_section (gpus, links, nodes, storage, facility, switches,
 * llms, mlperf, servers); a reference names an entry of an earlier section and the referring spec
 * holds a copy of it. All errors of all files are reported in one pass, in the same "file:line:col: error:
 * path: ..." form as scenarios.
 * Entries keep file order, so listings never depend on a hash. A section holds at most
 * AF_CATALOG_MAX_ENTRIES entries.
 *
 * The catalog is immutable once loaded; every pointer it returns stays valid until
 * af_catalog_free.
 */
#ifndef AF_SCENARIO_CATALOG_H
#define AF_SCENARIO_CATALOG_H

#include "base/diag.h"
#include "model/fabric.h"
#include "model/facility.h"
#include "model/gpu.h"
#include "model/link.h"
#include "model/llm.h"
#include "model/node.h"
#include "model/server.h"
#include "model/storage.h"
#include "scenario/schema.h"
#include "workload/mlperf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AF_CATALOG_MAX_ENTRIES 1000

/* A loaded model catalog (opaque). */
typedef struct af_catalog af_catalog;

/* Loads the nine catalog files (one per af_section, named after its key) from directory dir. Returns
 * a new catalog (release with af_catalog_free), or NULL with every error in d, in document order: a
 * directory that cannot be opened is one error; otherwise a file that cannot be read is reported
 * with its path and strerror, and the other files are still checked. */
af_catalog *af_catalog_load(const char *dir, af_diag *d);

/* One catalog file held in memory, for af_catalog_parse. */
typedef struct af_catalog_text {
    const char *name; /* file name for messages, e.g. "models/gpus.yaml" */
    const char *text; /* the YAML text (need not be NUL-terminated) */
    size_t len;       /* bytes in text */
} af_catalog_text;

/* Like af_catalog_load, from one text per section, indexed by af_section. For tests and
 * fuzzing. */
af_catalog *af_catalog_parse(const af_catalog_text texts[AF_SECTION__COUNT], af_diag *d);

/* Releases the catalog; NULL is allowed. */
void af_catalog_free(af_catalog *cat);

/* The entries of a section in file order; *n receives their number. */
const af_gpu_spec *af_catalog_gpus(const af_catalog *cat, size_t *n);
const af_link_spec *af_catalog_links(const af_catalog *cat, size_t *n);
const af_node_spec *af_catalog_nodes(const af_catalog *cat, size_t *n);
const af_storage_spec *af_catalog_storage(const af_catalog *cat, size_t *n);
const af_facility_spec *af_catalog_facilities(const af_catalog *cat, size_t *n);
const af_switch_spec *af_catalog_switches(const af_catalog *cat, size_t *n);
const af_llm_spec *af_catalog_llms(const af_catalog *cat, size_t *n);
const af_mlperf_spec *af_catalog_mlperf(const af_catalog *cat, size_t *n);
const af_server_spec *af_catalog_servers(const af_catalog *cat, size_t *n);

/* The entry called name, or NULL. */
const af_gpu_spec *af_catalog_find_gpu(const af_catalog *cat, const char *name);
const af_link_spec *af_catalog_find_link(const af_catalog *cat, const char *name);
const af_node_spec *af_catalog_find_node(const af_catalog *cat, const char *name);
const af_storage_spec *af_catalog_find_storage(const af_catalog *cat, const char *name);
const af_facility_spec *af_catalog_find_facility(const af_catalog *cat, const char *name);
const af_switch_spec *af_catalog_find_switch(const af_catalog *cat, const char *name);
const af_llm_spec *af_catalog_find_llm(const af_catalog *cat, const char *name);
const af_mlperf_spec *af_catalog_find_mlperf(const af_catalog *cat, const char *name);
const af_server_spec *af_catalog_find_server(const af_catalog *cat, const char *name);

/* Section-generic access: number of entries, the i-th entry (a pointer to the section's spec
 * struct), the entry called name (or NULL), and the names in file order (for "did you mean"). */
size_t af_catalog_count(const af_catalog *cat, af_section sec);
const void *af_catalog_entry(const af_catalog *cat, af_section sec, size_t i);
const void *af_catalog_find(const af_catalog *cat, af_section sec, const char *name);
const char *const *af_catalog_names(const af_catalog *cat, af_section sec, size_t *n);

/* False while or after a section failed to load (callers then skip "unknown name" errors that
 * would only repeat the section's own errors). */
bool af_catalog_section_ok(const af_catalog *cat, af_section sec);

/* The look-up functions af_schema_read resolves reference fields with, over cat (which must
 * outlive every use of the result). */
af_schema_refs af_catalog_refs(const af_catalog *cat);

/* The `source:` text of figure `field` (a key such as "tdp") of entry `name`, or NULL when there
 * is no such entry or field, or the field is a plain word (enum or reference). */
const char *af_catalog_source(const af_catalog *cat, af_section sec, const char *name,
                              const char *field);

/* A 64-bit FNV-1a hash of the catalog as loaded: every entry's name, description, figures (as
 * af_schema_format prints them), sources and dates, in section and file order. Two catalogs with
 * the same content hash the same, whatever their files' layout or comments. */
uint64_t af_catalog_hash(const af_catalog *cat);

/* The `date:` (YYYY-MM or YYYY-MM-DD) of price `field` of entry `name`, or NULL when there is no
 * such entry or the field is not a price. */
const char *af_catalog_date(const af_catalog *cat, af_section sec, const char *name,
                            const char *field);

#endif
