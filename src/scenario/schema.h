/*
 * schema: checking a doc tree against what a field expects, and the one table that describes
 * every catalog field.
 *
 * Two things live here. First, the checking helpers that scenario.c and catalog.c share: they
 * take a node and the dotted path that leads to it, and either return the value or report, in
 * the form "file:line:col: error: path: expected ..., got "..."", why they could not. They never
 * stop at the first mistake; callers go on so that one run shows every error. An af_check counts
 * the errors and stops reporting after AF_CHECK_MAX_ERRORS (a hostile file with a million
 * mistakes then costs a hundred lines, not a million).
 *
 * Second, the field table: for each catalog section (gpus, links, nodes, storage, facility,
 * switches, llms, mlperf, servers) the
 * list of fields with their YAML key, kind (a real quantity, an integer count, an enum word, or a
 * reference to another catalog entry), dimension, offset in the model spec struct, and accepted
 * range. The catalog reader (figures as `{ value: 700 W, source: "..." }`, every field required)
 * and the scenario's `override:` mappings (plain values, any subset, references swapped by name
 * or overridden field by field) both run af_schema_read over this table, so a field is described
 * once. Ranges are documented in schema.c next to the table.
 */
#ifndef AF_SCENARIO_SCHEMA_H
#define AF_SCENARIO_SCHEMA_H

#include "base/arena.h"
#include "base/diag.h"
#include "base/units.h"
#include "scenario/doc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sections of the model catalog, in load order (a section refers only to earlier ones). */
typedef enum {
    AF_SECTION_GPUS,     /* af_gpu_spec, models/gpus.yaml */
    AF_SECTION_LINKS,    /* af_link_spec, models/links.yaml */
    AF_SECTION_NODES,    /* af_node_spec, models/nodes.yaml */
    AF_SECTION_STORAGE,  /* af_storage_spec, models/storage.yaml */
    AF_SECTION_FACILITY, /* af_facility_spec, models/facility.yaml */
    AF_SECTION_SWITCHES, /* af_switch_spec (model/fabric.h), models/switches.yaml */
    AF_SECTION_LLMS,     /* af_llm_spec (model/llm.h), models/llms.yaml */
    AF_SECTION_MLPERF,   /* af_mlperf_spec (workload/mlperf.h), models/mlperf.yaml */
    AF_SECTION_SERVERS,  /* af_server_spec (model/server.h), models/servers.yaml */
    AF_SECTION__COUNT
} af_section;

/* Errors reported through one af_check before it falls silent. */
#define AF_CHECK_MAX_ERRORS 100

/* How the checker read one watched node (af_check.watch): its kind, unit, range and value, for
 * `aifsim sensitivity`, which moves a field by a share of its value (scenario.h,
 * af_scenario_field_get). */
typedef struct af_check_seen {
    bool seen;    /* the node was read as a valid number (by af_check_quantity or
                     af_check_integer); the rest is meaningful only then */
    bool integer; /* read by af_check_integer: a whole number */
    af_dim dim;   /* its dimension (AF_DIM_COUNT for an integer) */
    double min;   /* the accepted range [min, max], (min, max] when min_open */
    double max;
    bool min_open;
    double value; /* the value read, in SI base units of dim */
} af_check_seen;

/* A checking context: where messages go and how many were reported. */
typedef struct af_check {
    af_diag *d;           /* messages */
    size_t errors;        /* errors reported (or suppressed) through this context */
    const af_node *watch; /* a node whose reading is recorded in *seen (NULL: none) */
    af_check_seen *seen;  /* where (borrowed); with watch only */
} af_check;

/* A dotted field path being built while walking a tree: "storage[1].nodes". */
typedef struct af_path {
    char s[256]; /* the path, NUL-terminated (cut short, never overflowing, when very deep) */
    size_t len;  /* strlen(s) */
} af_path;

/* Appends ".key" (just "key" at the start) or "[i]" and returns the previous length, which
 * af_path_pop restores. */
size_t af_path_key(af_path *p, const char *key);
size_t af_path_index(af_path *p, size_t i);
void af_path_pop(af_path *p, size_t len);

/* Reports an error at node `at` (its file, line and column) for the field at `path` (may be
 * NULL or empty for none). After AF_CHECK_MAX_ERRORS errors one last "too many errors" message
 * is added and later ones are only counted. */
void af_check_error(af_check *c, const af_node *at, const af_path *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Moves every message of `from` to `to` in document order: messages are grouped by file in the
 * order the files first appear, and sorted by line and column within a file (messages without a
 * line last), equal positions keeping their order. Checking code can then visit fields in
 * whatever order their dependencies need while the user reads the errors top to bottom. */
void af_check_flush(af_diag *from, af_diag *to);

/* Checks that node is a mapping / list / scalar; otherwise reports "expected <what>, got a
 * list" (what: "a mapping of pool fields") and returns false. NULL nodes return false silently
 * (a missing field is reported by af_check_required). */
bool af_check_map(af_check *c, const af_node *node, const af_path *path, const char *what);
bool af_check_seq(af_check *c, const af_node *node, const af_path *path, const char *what);
bool af_check_scalar(af_check *c, const af_node *node, const af_path *path, const char *what);

/* Splits mapping `map` by the n known keys: vals[i] gets the value under keys[i] or NULL. Every
 * other key is reported at the key's position as `unknown key "x"; did you mean "y"?` (or with
 * the list of keys accepted there). map must be a mapping. */
void af_check_keys(af_check *c, const af_node *map, const af_path *path, const char *const *keys,
                   size_t n, af_node **vals);

/* Reports `missing required field "key"` at map's position when val is NULL; returns val != 0. */
bool af_check_required(af_check *c, const af_node *map, const af_path *path, const char *key,
                       const af_node *val);

/* An accepted range: [min, max], or (min, max] when min_open. */
typedef struct af_range {
    double min;
    double max;
    bool min_open;
} af_range;

/* Parses a quantity of dimension dim (af_units_parse) and checks it lies in r. Returns true and
 * stores the value in SI units in *out, or reports and returns false (*out untouched). */
bool af_check_quantity(af_check *c, const af_node *node, const af_path *path, af_dim dim,
                       af_range r, double *out);

/* Parses a whole number in [min, max] (written "8", "4Mi", "1e8"). Returns true with *out set, or
 * reports "expected a positive integer, got "eight"" (or "a non-negative integer" when min is 0,
 * or "at most N") and returns false. */
bool af_check_integer(af_check *c, const af_node *node, const af_path *path, int64_t min,
                      int64_t max, int64_t *out);

/* Returns the text of a non-empty scalar (borrowed from the doc), or reports "expected <what>,
 * got ..." and returns NULL. */
const char *af_check_string(af_check *c, const af_node *node, const af_path *path,
                            const char *what);

/* Like af_check_string for text that names or refers to something (a scenario's name, a pool
 * reference, a catalog name): also refuses a control character (U+0000..U+001F, U+007F and
 * U+0080..U+009F), which would reach a terminal raw, with `control character U+001B is not
 * allowed; expected printable text such as "<example>"`. */
const char *af_check_label(af_check *c, const af_node *node, const af_path *path, const char *what,
                           const char *example);

/* Like af_check_string for a name that appears in metric names and --set paths: 1 to 64
 * letters, digits, '-' or '_', starting with a letter or digit. A control character is reported
 * as by af_check_label (example "train"). */
const char *af_check_name(af_check *c, const af_node *node, const af_path *path);

/* Returns the index of the node's word in the NULL-terminated list `words`, or reports
 * `expected one of a, b, c, got "x"` (with a did-you-mean) and returns -1. */
int af_check_word(af_check *c, const af_node *node, const af_path *path, const char *const *words);

/* Reports that `name` (at node) is not among the n candidates: `unknown <noun> "x"; did you mean
 * "y"?`, or with `see "aifsim catalog <section>"` when nothing is close and see_section is set. */
void af_check_unknown(af_check *c, const af_node *node, const af_path *path, const char *noun,
                      const char *name, const char *const *cands, size_t n,
                      const char *see_section);

/* ---------------------------------------------------------------------------------------------
 * The field table. */

typedef enum {
    AF_FIELD_REAL, /* a double of dimension `dim` */
    AF_FIELD_INT,  /* an int count */
    AF_FIELD_ENUM, /* an enum (int-sized) chosen by word from `words` */
    AF_FIELD_REF,  /* an embedded spec of section `ref`, named by catalog entry */
} af_field_kind;

/* One field of a catalog spec. */
typedef struct af_field {
    const char *key;          /* YAML key, e.g. "hbm_bandwidth" */
    af_field_kind kind;       /* how it is written and stored */
    af_dim dim;               /* REAL and INT: the dimension (INT: AF_DIM_COUNT) */
    size_t offset;            /* offset of the member in the spec struct */
    af_range range;           /* REAL and INT: accepted values */
    const char *const *words; /* ENUM: accepted words in enum order, NULL-terminated */
    af_section ref;           /* REF: the section the name refers to */
} af_field;

/* Two fields whose values must satisfy fields[lo] <= fields[hi] (idle power <= TDP). */
typedef struct af_field_order {
    const char *lo;
    const char *hi;
} af_field_order;

/* A catalog section: its spec struct and fields. */
typedef struct af_spec_desc {
    af_section section;        /* which section */
    const char *key;           /* the section's key and file stem: "gpus" */
    const char *noun;          /* what an entry is, for messages: "gpu", "storage system" */
    const char *example;       /* an entry's name, for messages: "h100-sxm" */
    size_t size;               /* sizeof the spec struct */
    size_t name_offset;        /* offset of `const char *name` */
    size_t description_offset; /* offset of `const char *description` */
    const af_field *fields;    /* fields in file order */
    size_t nfields;
    const af_field_order *orders; /* cross-field checks */
    size_t norders;
} af_spec_desc;

/* The description of a section (never NULL for a valid section). */
const af_spec_desc *af_schema_desc(af_section sec);

/* The field called key in a section, or NULL. */
const af_field *af_schema_field(const af_spec_desc *desc, const char *key);

/* The value of a REAL or INT field of spec, in SI units. */
double af_schema_value(const af_field *f, const void *spec);

/* Formats a field of spec for people ("700 W", "8", "infiniband", "h100-sxm") into buf. */
const char *af_schema_format(const af_field *f, const void *spec, char *buf, size_t n);

/* How af_schema_read reads a mapping. */
typedef enum {
    AF_SCHEMA_CATALOG,  /* a catalog entry: name, description and every field, figures written
                           as { value: <quantity>, source: "<text>" } */
    AF_SCHEMA_OVERRIDE, /* a scenario override: any subset of the fields, plain values; a
                           reference is a catalog name (swaps the entry) or a mapping (overrides
                           that entry's fields) */
} af_schema_mode;

/* Where af_schema_read looks up the catalog entry a reference field names (`gpu: h100-sxm`).
 * The catalog fills one in (af_catalog_refs), so the schema needs no catalog of its own and the
 * catalog, which reads its files through the schema, is not included back. Each function gets
 * ctx as its first argument. */
typedef struct af_schema_refs {
    const void *ctx; /* the catalog, as the functions below expect it */
    /* The entry called name in section sec (a pointer to the section's spec struct, borrowed),
     * or NULL when there is none. */
    const void *(*find)(const void *ctx, af_section sec, const char *name);
    /* The names of section sec in file order, for "did you mean"; *n receives their number. */
    const char *const *(*names)(const void *ctx, af_section sec, size_t *n);
    /* False while or after section sec failed to load (its unknown names are then not reported:
     * they would only repeat the section's own errors). */
    bool (*section_ok)(const void *ctx, af_section sec);
} af_schema_refs;

/* Reads mapping `map` into spec (a struct of the section's type; in override mode it already
 * holds the values to override). spec may be NULL to only check the mapping (when the entry it
 * would override is unknown); cross-field checks are then skipped. References are looked up
 * through refs (which, while the catalog loads, sees the sections loaded so far). In catalog mode
 * the strings (name, description) are borrowed from the doc and sources, when not NULL, holds
 * 2 x nfields pointers and receives per field the `source:` text and then per field the `date:`
 * of a price (borrowed from the doc; NULL for enum and reference fields and for non-prices).
 * Every price (a field of dimension AF_DIM_MONEY, AF_DIM_ENERGY_PRICE or AF_DIM_HOURLY_PRICE) in
 * the catalog must carry a date.
 * Reports every mistake; returns true when there was none. */
bool af_schema_read(af_check *c, const af_schema_refs *refs, af_section sec, const af_node *map,
                    af_path *path, af_schema_mode mode, void *spec, const char **sources);

/* Copies the name and description strings of spec (and of the specs it embeds) into arena, so
 * that spec no longer borrows from a doc or the catalog. */
void af_schema_intern(af_section sec, void *spec, af_arena *arena);

#endif
