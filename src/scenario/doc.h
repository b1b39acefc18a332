/*
 * doc: a YAML document as a small tree of nodes that remember where they came from.
 *
 * libyaml's event API is read into an own tree of scalars, sequences and mappings; every node
 * keeps its file name and 1-based line and column, so that validation can point at the exact
 * place of a mistake. Scalars are kept as text (YAML's implicit typing is not applied: the
 * schema decides what "8" or "2 h" means) together with whether they were written plain or
 * quoted. The tree and its strings live in an arena owned by the doc.
 *
 * The reader is meant for files people write and is hardened against files nobody should:
 *   - a file larger than AF_DOC_MAX_BYTES (16 MiB) is refused before parsing;
 *   - nesting deeper than AF_DOC_MAX_DEPTH (64) collections is an error;
 *   - more than AF_DOC_MAX_NODES (1,000,000) nodes is an error;
 *   - aliases (`*name`) are refused: a scenario is short enough to write out, a shared node
 *     would make an error position or a --set override ambiguous, and without aliases the tree
 *     is never bigger than the text (no "billion laughs"). Anchors (`&name`) and tags are
 *     accepted and ignored;
 *   - a stream with more than one document, duplicate mapping keys, keys that are not scalars
 *     and scalars holding a NUL character are errors.
 * Every error is reported to the af_diag as "file:line:col: error: ..." and parsing stops at the
 * first syntax error (libyaml cannot resynchronise); duplicate keys are all reported, up to 100
 * (then one line says the rest were not).
 *
 * --set overrides: af_doc_set replaces or adds one node, addressed by a dotted path such as
 * `storage[0].nodes` or `storage.hot.nodes` (see af_doc_set).
 */
#ifndef AF_SCENARIO_DOC_H
#define AF_SCENARIO_DOC_H

#include "base/diag.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits against hostile input (see the file comment). */
#define AF_DOC_MAX_BYTES (16u * 1024u * 1024u)
#define AF_DOC_MAX_DEPTH 64
#define AF_DOC_MAX_NODES 1000000u
/* Longest --set path, in bytes. */
#define AF_DOC_MAX_PATH 255

typedef enum { AF_NODE_SCALAR, AF_NODE_SEQ, AF_NODE_MAP } af_node_kind;

typedef struct af_node af_node;

/* One entry of a mapping. The key is always a scalar. */
typedef struct af_pair {
    af_node *key;   /* the key (a scalar node, for its position and text) */
    af_node *value; /* the value, never NULL (an empty value is an empty plain scalar) */
} af_pair;

/* A node. Plain data; everything it points to lives in the doc's arena. */
struct af_node {
    af_node_kind kind; /* scalar, sequence or mapping */
    const char *file;  /* source name ("scenarios/x.yaml", or "--set" for an override value) */
    int line;          /* 1-based line of the node's first character */
    int col;           /* 1-based column of the node's first character */
    bool plain;        /* scalar written without quotes and not as a block scalar */
    const char *text;  /* scalar text, NUL-terminated (no NUL inside); NULL for collections */
    size_t n;          /* scalar: strlen(text); sequence: items; mapping: pairs */
    af_node **items;   /* sequence elements in document order */
    af_pair *pairs;    /* mapping entries in document order, keys unique */
};

typedef struct af_doc af_doc;

/* Reads and parses the file at `path` (its name in messages is `path` as given). Returns AF_OK
 * and a new doc in *out (release with af_doc_free); AF_EIO when the file cannot be read (message
 * with strerror); AF_EINPUT for a syntax error or a broken limit (messages in d). *out is set
 * only on success. */
int af_doc_load(const char *path, af_doc **out, af_diag *d);

/* Parses len bytes of buf (need not be NUL-terminated) as the file called `name`. Returns AF_OK
 * with a new doc in *out, or AF_EINPUT with messages in d. For tests and fuzzing. */
int af_doc_parse(const char *name, const char *buf, size_t len, af_doc **out, af_diag *d);

/* Releases the doc and every node in it; NULL is allowed. */
void af_doc_free(af_doc *doc);

/* The root node, or NULL when the document is empty (no content, only comments). Borrowed: valid
 * until af_doc_free. */
af_node *af_doc_root(const af_doc *doc);

/* The file name given to af_doc_load / af_doc_parse (borrowed). */
const char *af_doc_name(const af_doc *doc);

/* Returns the value stored under `key` in mapping `map`, or NULL when the key is absent or map is
 * NULL or not a mapping. */
af_node *af_node_find(const af_node *map, const char *key);

/* "a scalar", "a list" or "a mapping", for "expected ..., got a list". */
const char *af_node_kind_name(af_node_kind kind);

/* True for a YAML null: a plain scalar that is empty, "~" or "null". */
bool af_node_is_null(const af_node *node);

/* Writes s into buf (size n, NUL-terminated) for quoting in a message: backslash, double quote
 * and control characters are escaped and text longer than 60 bytes is cut with "...". Returns
 * buf. Use it for every piece of user text put inside "..." in a diagnostic. */
const char *af_doc_quote(const char *s, char *buf, size_t n);

/* Says how --set paths select a sequence element by name. Called for element *elem of the
 * sequence stored under key `seq_key` (the key of the mapping entry holding the sequence). Returns
 * the element's name, or NULL when it has none, and stores in *next the slot where the rest of
 * the path continues: elem itself, or a slot inside it (a workload item `{train: {...}}`
 * continues inside its single value). */
typedef const char *(*af_doc_namer)(const char *seq_key, af_node **elem, af_node ***next);

/* Checks the syntax of a --set path (see af_doc_set) without a doc: keys of any characters but
 * ". [ ] =", each followed by any number of [N], joined by dots. Reports a malformed path at
 * `file`:`line`:`col` + offset and returns AF_EINPUT; AF_OK otherwise. */
int af_doc_check_path(const char *path, const char *file, int line, int col, af_diag *d);

/* Applies one override: parses `value` as YAML (usually a scalar; a flow list or mapping is
 * accepted too) and stores it at `path` in the doc. The path is keys separated by dots; a key may
 * be followed by [N] to select the N-th (0-based) element of a list, and a key met at a list
 * selects the element whose name (per `namer`) it is:
 *     storage[0].nodes   storage.hot.nodes   workloads.vit.step_time   cluster[1].override.gpu
 * A missing mapping key is added (with empty mappings for missing keys on the way), so that
 * validation then judges it. Messages name the source `file` (e.g. "--set") at line `line`;
 * `path_col` and `value_col` are the 1-based columns where the path and the value start in the
 * argument. Returns AF_OK, or AF_EINPUT with a message when the path leads nowhere
 * ("<path so far>: no such field; did you mean ...?") or the value is not valid YAML. */
int af_doc_set(af_doc *doc, const char *path, const char *value, const char *file, int line,
               int path_col, int value_col, af_doc_namer namer, af_diag *d);

#endif
