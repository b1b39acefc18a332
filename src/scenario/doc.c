/*
 * doc: libyaml events into a tree of positioned nodes, and --set overrides; see doc.h.
 *
 * The builder keeps a stack of the collections being read (at most AF_DOC_MAX_DEPTH deep, so
 * the stack is a fixed array and nothing recurses on the input's shape). Children collect in a
 * growable array per open collection and move into the arena when the collection ends; a
 * mapping's keys are checked then, with a sort for big mappings so that a hostile file with a
 * million keys costs n log n, not n squared.
 */
#include "scenario/doc.h"

#include "base/alloc.h"
#include "base/arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Duplicate or non-scalar keys reported before the rest are only counted. */
#define AF_DOC_MAX_KEY_ERRORS 100

struct af_doc {
    af_arena *arena;  /* nodes and strings */
    const char *name; /* file name, in the arena */
    af_node *root;    /* root node, NULL for an empty document */
};

/* A collection being read: its node and the children read so far (a mapping's alternate key,
 * value, key, value). */
typedef struct frame {
    af_node *node;
    af_node **kids;
    size_t n, cap;
} frame;

/* The state of one parse. */
typedef struct builder {
    af_doc *doc;                   /* where nodes go */
    const char *file;              /* source name for nodes (in the doc's arena) */
    const unsigned char *buf;      /* the input, for positions of reader errors */
    size_t len;                    /* bytes in buf */
    int set_line;                  /* > 0 for a --set value: every node is on this line */
    int col_base;                  /* columns before the value on its first line */
    frame stack[AF_DOC_MAX_DEPTH]; /* open collections, outermost first */
    int depth;                     /* number of open collections */
    size_t nodes;                  /* nodes made so far */
    af_node *root;                 /* the finished root */
    bool bad;                      /* an error was reported (parsing may go on) */
    size_t key_errors;             /* duplicate or non-scalar keys found so far */
    af_diag *d;
} builder;

const char *af_node_kind_name(af_node_kind kind)
{
    switch (kind) {
    case AF_NODE_SCALAR:
        return "a scalar";
    case AF_NODE_SEQ:
        return "a list";
    case AF_NODE_MAP:
        return "a mapping";
    }
    return "a node";
}

bool af_node_is_null(const af_node *node)
{
    return node && node->kind == AF_NODE_SCALAR && node->plain &&
           (node->n == 0 || strcmp(node->text, "~") == 0 || strcmp(node->text, "null") == 0);
}

af_node *af_node_find(const af_node *map, const char *key)
{
    if (!map || map->kind != AF_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->pairs[i].key->text, key) == 0)
            return map->pairs[i].value;
    return NULL;
}

const char *af_doc_quote(const char *s, char *buf, size_t n)
{
    enum { AF_QUOTE_MAX = 60 };
    size_t o = 0, in = 0;
    if (n == 0)
        return buf;
    for (; s[in] && o + 8 < n; in++) {
        unsigned char c = (unsigned char)s[in];
        if (in >= AF_QUOTE_MAX) {
            memcpy(buf + o, "...", 3);
            o += 3;
            in = strlen(s);
            break;
        }
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    if (s[in] && o + 3 < n) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* ---------------------------------------------------------------------------------------------
 * Building the tree. */

static void builder_pos(const builder *b, yaml_mark_t m, int *line, int *col)
{
    size_t l = m.line, c = m.column;
    if (b->set_line > 0) {
        /* A --set value is one line of a command; a mark past its first line (libyaml's end of
         * stream, or a value with a newline in it) is reported at the end of the argument. */
        *line = b->set_line;
        c = (size_t)b->col_base + (l == 0 ? c : b->len);
    } else {
        *line = l + 1 > INT32_MAX ? INT32_MAX : (int)(l + 1);
    }
    *col = c + 1 > INT32_MAX ? INT32_MAX : (int)(c + 1);
}

/* Writes the path of the value being read at stack depth `upto` ("cluster[0].override") into
 * buf, with control characters of user keys replaced by '?'. */
static const char *builder_path(const builder *b, int upto, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < upto && o + 1 < n; i++) {
        const frame *f = &b->stack[i];
        if (f->node->kind == AF_NODE_SEQ) {
            o += (size_t)snprintf(buf + o, n - o, "[%zu]", f->n);
        } else if (f->n % 2 == 1) {
            const char *key = f->kids[f->n - 1]->text;
            o += (size_t)snprintf(buf + o, n - o, "%s%.64s", o ? "." : "", key ? key : "?");
        }
        if (o >= n)
            o = n - 1;
    }
    for (size_t i = 0; i < o; i++)
        if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
            buf[i] = '?';
    return buf;
}

static af_node *builder_node(builder *b, af_node_kind kind, yaml_mark_t m)
{
    if (b->nodes >= AF_DOC_MAX_NODES) {
        int line, col;
        builder_pos(b, m, &line, &col);
        af_diag_error_at(b->d, b->file, line, col, NULL,
                         "more than %u YAML nodes; a scenario is never this big", AF_DOC_MAX_NODES);
        return NULL;
    }
    b->nodes++;
    af_node *node = af_arena_calloc(b->doc->arena, 1, sizeof *node);
    node->kind = kind;
    node->file = b->file;
    builder_pos(b, m, &node->line, &node->col);
    return node;
}

/* Adds a finished node to the open collection, or makes it the root. */
static void builder_add(builder *b, af_node *node)
{
    if (b->depth == 0) {
        b->root = node;
        return;
    }
    frame *f = &b->stack[b->depth - 1];
    f->kids = af_grow(f->kids, &f->cap, f->n + 1, sizeof *f->kids);
    f->kids[f->n++] = node;
}

typedef struct keyref {
    const char *key;
    size_t idx;
} keyref;

static int keyref_cmp(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Turns a finished mapping's key, value list into pairs, refusing non-scalar and duplicate keys
 * (the later of two equal keys is reported and dropped). */
static void builder_finish_map(builder *b, frame *f)
{
    af_node *map = f->node;
    size_t npairs = f->n / 2;
    char path[256];
    /* first[i]: index of the first pair with the same key as pair i, or i. */
    size_t *first = af_malloc_array(npairs ? npairs : 1, sizeof *first);
    for (size_t i = 0; i < npairs; i++)
        first[i] = i;
    if (npairs > 16) {
        keyref *refs = af_malloc_array(npairs, sizeof *refs);
        size_t nrefs = 0;
        for (size_t i = 0; i < npairs; i++)
            if (f->kids[2 * i]->kind == AF_NODE_SCALAR)
                refs[nrefs++] = (keyref){f->kids[2 * i]->text, i};
        qsort(refs, nrefs, sizeof *refs, keyref_cmp);
        for (size_t i = 1; i < nrefs; i++)
            if (strcmp(refs[i].key, refs[i - 1].key) == 0)
                first[refs[i].idx] = first[refs[i - 1].idx];
        af_free(refs);
    } else {
        for (size_t i = 0; i < npairs; i++)
            for (size_t j = 0; j < i; j++)
                if (f->kids[2 * i]->kind == AF_NODE_SCALAR &&
                    f->kids[2 * j]->kind == AF_NODE_SCALAR &&
                    strcmp(f->kids[2 * i]->text, f->kids[2 * j]->text) == 0) {
                    first[i] = j;
                    break;
                }
    }
    map->pairs = af_arena_calloc(b->doc->arena, npairs, sizeof *map->pairs);
    map->n = 0;
    for (size_t i = 0; i < npairs; i++) {
        af_node *key = f->kids[2 * i], *value = f->kids[2 * i + 1];
        bool wrong = key->kind != AF_NODE_SCALAR || first[i] != i;
        if (wrong && ++b->key_errors > AF_DOC_MAX_KEY_ERRORS) {
            /* A hostile file with a million repeated keys gets a hundred lines, not a million. */
            if (b->key_errors == AF_DOC_MAX_KEY_ERRORS + 1)
                af_diag_error_at(b->d, key->file, key->line, key->col, NULL,
                                 "more than %d wrong keys; not reporting the rest",
                                 AF_DOC_MAX_KEY_ERRORS);
            b->bad = true;
        } else if (key->kind != AF_NODE_SCALAR) {
            af_diag_error_at(
                b->d, key->file, key->line, key->col, builder_path(b, b->depth, path, sizeof path),
                "mapping keys must be plain words, got %s", af_node_kind_name(key->kind));
            b->bad = true;
        } else if (first[i] != i) {
            char q[128];
            af_diag_error_at(b->d, key->file, key->line, key->col,
                             builder_path(b, b->depth, path, sizeof path),
                             "duplicate key \"%s\"; first given at line %d",
                             af_doc_quote(key->text, q, sizeof q), f->kids[2 * first[i]]->line);
            b->bad = true;
        } else {
            map->pairs[map->n++] = (af_pair){key, value};
        }
    }
    af_free(first);
}

/* Finds the byte at 0-based line and character column of the input, or -1. */
static int builder_char_at(const builder *b, size_t line, size_t col)
{
    size_t i = 0;
    for (size_t l = 0; l < line && i < b->len; i++)
        if (b->buf[i] == '\n')
            l++;
    for (size_t c = 0; i < b->len && b->buf[i] != '\n'; i++)
        if ((b->buf[i] & 0xc0) != 0x80 && c++ == col)
            return b->buf[i];
    return -1;
}

/* Reports libyaml's error in the GNU form with a 1-based position. */
static void builder_syntax(builder *b, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "malformed input";
    int line, col;
    if (p->error == YAML_MEMORY_ERROR) {
        fprintf(stderr, "aifsim: out of memory in the YAML parser\n");
        abort();
    }
    if (p->error == YAML_READER_ERROR) {
        /* Reader errors carry a byte offset, not a mark. */
        yaml_mark_t m = {0, 0, 0};
        for (size_t i = 0; i < p->problem_offset && i < b->len; i++) {
            if (b->buf[i] == '\n') {
                m.line++;
                m.column = 0;
            } else if ((b->buf[i] & 0xc0) != 0x80) {
                m.column++;
            }
        }
        builder_pos(b, m, &line, &col);
        if (p->problem_value >= 0)
            af_diag_error_at(b->d, b->file, line, col, NULL, "YAML syntax: %s (byte 0x%02x)",
                             problem, (unsigned)p->problem_value);
        else
            af_diag_error_at(b->d, b->file, line, col, NULL, "YAML syntax: %s", problem);
        return;
    }
    builder_pos(b, p->problem_mark, &line, &col);
    if (builder_char_at(b, p->problem_mark.line, p->problem_mark.column) == '\t') {
        /* libyaml's context for a tab names whatever it was scanning before: leave it out. */
        af_diag_error_at(b->d, b->file, line, col, NULL, "YAML syntax: %s%s", problem,
                         strstr(problem, "tab") ? "; indent with spaces"
                                                : " (a tab: YAML indents with spaces only)");
    } else if (p->context && (p->context_mark.line != p->problem_mark.line ||
                              p->context_mark.column != p->problem_mark.column)) {
        int cline, ccol;
        builder_pos(b, p->context_mark, &cline, &ccol);
        af_diag_error_at(b->d, b->file, line, col, NULL,
                         "YAML syntax: %s (%s that starts at line %d, column %d)", problem,
                         p->context, cline, ccol);
    } else {
        af_diag_error_at(b->d, b->file, line, col, NULL, "YAML syntax: %s", problem);
    }
}

/* Handles one event. Returns false when parsing must stop (an error was reported). Sets *done at
 * the end of the stream. */
static bool builder_event(builder *b, const yaml_event_t *ev, int *docs, bool *done)
{
    int line, col;
    af_node *node;
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        *done = true;
        return true;
    case YAML_DOCUMENT_START_EVENT:
        if (++*docs > 1) {
            builder_pos(b, ev->start_mark, &line, &col);
            af_diag_error_at(b->d, b->file, line, col, NULL,
                             "a second YAML document; a file holds exactly one");
            return false;
        }
        return true;
    case YAML_ALIAS_EVENT:
        builder_pos(b, ev->start_mark, &line, &col);
        af_diag_error_at(b->d, b->file, line, col, NULL,
                         "YAML aliases (\"*name\") are not supported; write the value out");
        return false;
    case YAML_SCALAR_EVENT:
        if (!(node = builder_node(b, AF_NODE_SCALAR, ev->start_mark)))
            return false;
        if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length) {
            af_diag_error_at(b->d, b->file, node->line, node->col, NULL,
                             "a NUL character in a string; remove it");
            return false;
        }
        node->text = af_arena_strndup(b->doc->arena, (const char *)ev->data.scalar.value,
                                      ev->data.scalar.length);
        node->n = ev->data.scalar.length;
        node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        builder_add(b, node);
        return true;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (b->depth >= AF_DOC_MAX_DEPTH) {
            builder_pos(b, ev->start_mark, &line, &col);
            af_diag_error_at(b->d, b->file, line, col, NULL,
                             "lists and mappings nested more than %d deep", AF_DOC_MAX_DEPTH);
            return false;
        }
        node = builder_node(b, ev->type == YAML_SEQUENCE_START_EVENT ? AF_NODE_SEQ : AF_NODE_MAP,
                            ev->start_mark);
        if (!node)
            return false;
        b->stack[b->depth++] = (frame){node, NULL, 0, 0};
        return true;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        frame f = b->stack[--b->depth];
        if (f.node->kind == AF_NODE_SEQ) {
            f.node->items = af_arena_calloc(b->doc->arena, f.n, sizeof *f.node->items);
            if (f.n)
                memcpy(f.node->items, f.kids, f.n * sizeof *f.kids);
            f.node->n = f.n;
        } else {
            builder_finish_map(b, &f);
        }
        af_free(f.kids);
        builder_add(b, f.node);
        return true;
    }
    default:
        return true;
    }
}

/* Parses buf into b->root. Returns AF_OK or AF_EINPUT. */
static int builder_run(builder *b)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        fprintf(stderr, "aifsim: out of memory in the YAML parser\n");
        abort();
    }
    yaml_parser_set_input_string(&p, b->buf, b->len);
    int docs = 0;
    bool done = false, ok = true;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            builder_syntax(b, &p);
            ok = false;
            break;
        }
        ok = builder_event(b, &ev, &docs, &done);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    for (int i = 0; i < b->depth; i++)
        af_free(b->stack[i].kids);
    b->depth = 0;
    return ok && !b->bad ? AF_OK : AF_EINPUT;
}

int af_doc_parse(const char *name, const char *buf, size_t len, af_doc **out, af_diag *d)
{
    af_doc *doc = af_calloc(1, sizeof *doc);
    doc->arena = af_arena_new();
    doc->name = af_arena_strdup(doc->arena, name);
    if (len > AF_DOC_MAX_BYTES) {
        af_diag_error_at(d, name, 0, 0, NULL, "larger than %u MiB; a scenario is never this big",
                         AF_DOC_MAX_BYTES >> 20);
        af_doc_free(doc);
        return AF_EINPUT;
    }
    builder b = {
        .doc = doc, .file = doc->name, .buf = (const unsigned char *)buf, .len = len, .d = d};
    int rc = builder_run(&b);
    if (rc != AF_OK) {
        af_doc_free(doc);
        return rc;
    }
    doc->root = b.root;
    *out = doc;
    return AF_OK;
}

int af_doc_load(const char *path, af_doc **out, af_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        af_diag_error_at(d, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return AF_EIO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = AF_OK;
    for (;;) {
        buf = af_grow(buf, &cap, len + 65536, 1);
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len > AF_DOC_MAX_BYTES) {
            af_diag_error_at(d, path, 0, 0, NULL,
                             "larger than %u MiB; a scenario is never this big",
                             AF_DOC_MAX_BYTES >> 20);
            rc = AF_EINPUT;
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                af_diag_error_at(d, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
                rc = AF_EIO;
            }
            break;
        }
    }
    fclose(f);
    if (rc == AF_OK)
        rc = af_doc_parse(path, buf, len, out, d);
    af_free(buf);
    return rc;
}

void af_doc_free(af_doc *doc)
{
    if (!doc)
        return;
    af_arena_free(doc->arena);
    af_free(doc);
}

af_node *af_doc_root(const af_doc *doc)
{
    return doc->root;
}

const char *af_doc_name(const af_doc *doc)
{
    return doc->name;
}

/* ---------------------------------------------------------------------------------------------
 * --set overrides. */

/* Context of one af_doc_set call, for its messages. */
typedef struct setter {
    const char *path; /* the whole path */
    const char *file; /* "--set" */
    int line;         /* line for messages */
    int path_col;     /* column of path[0] */
    af_diag *d;
} setter;

/* Reports that the path up to byte `end` leads nowhere; `seg` is where the failing segment
 * starts. cands (n of them) are the words that would have worked in its place. */
static int setter_nowhere(const setter *s, size_t seg, size_t end, const char *const *cands,
                          size_t n, const char *why)
{
    char prefix[AF_DOC_MAX_PATH + 1], word[AF_DOC_MAX_PATH + 1];
    snprintf(prefix, sizeof prefix, "%.*s", (int)end, s->path);
    size_t wlen = end - seg;
    snprintf(word, sizeof word, "%.*s", (int)wlen, s->path + seg);
    const char *best = n ? af_did_you_mean(word, cands, n) : NULL;
    int col = s->path_col + (int)seg;
    if (best)
        af_diag_error_at(s->d, s->file, s->line, col, prefix,
                         "no such field; did you mean \"%.*s%s\"?", (int)seg, s->path, best);
    else if (why)
        af_diag_error_at(s->d, s->file, s->line, col, prefix, "no such field; %s", why);
    else
        af_diag_error_at(s->d, s->file, s->line, col, prefix, "no such field");
    return AF_EINPUT;
}

static int setter_syntax(const setter *s, size_t at)
{
    char q[128];
    af_diag_error_at(s->d, s->file, s->line, s->path_col + (int)at, NULL,
                     "expected a path such as \"storage[0].nodes\" or \"storage.hot.nodes\", "
                     "got \"%s\"",
                     af_doc_quote(s->path, q, sizeof q));
    return AF_EINPUT;
}

/* Makes a node for a --set path segment at byte `at` of the path. */
static af_node *setter_node(af_doc *doc, const setter *s, const char *file, af_node_kind kind,
                            size_t at)
{
    af_node *node = af_arena_calloc(doc->arena, 1, sizeof *node);
    node->kind = kind;
    node->file = file;
    node->line = s->line;
    node->col = s->path_col + (int)at;
    node->plain = true;
    if (kind == AF_NODE_SCALAR)
        node->text = "";
    return node;
}

/* Adds key (klen bytes) to mapping map with an empty value; returns the value's slot. */
static af_node **setter_add_key(af_doc *doc, const setter *s, const char *file, af_node *map,
                                const char *key, size_t klen, size_t at)
{
    af_pair *pairs = af_arena_calloc(doc->arena, map->n + 1, sizeof *pairs);
    if (map->n)
        memcpy(pairs, map->pairs, map->n * sizeof *pairs);
    af_node *k = setter_node(doc, s, file, AF_NODE_SCALAR, at);
    k->text = af_arena_strndup(doc->arena, key, klen);
    k->n = klen;
    pairs[map->n] = (af_pair){k, setter_node(doc, s, file, AF_NODE_MAP, at)};
    map->pairs = pairs;
    return &map->pairs[map->n++].value;
}

/* Parses the value text into a node in the doc's arena. */
static int setter_value(af_doc *doc, const char *file, const char *value, int line, int col,
                        af_node **out, af_diag *d)
{
    builder b = {.doc = doc,
                 .file = file,
                 .buf = (const unsigned char *)value,
                 .len = strlen(value),
                 .set_line = line,
                 .col_base = col - 1,
                 .d = d};
    if (b.len > AF_DOC_MAX_BYTES) {
        af_diag_error_at(d, file, line, col, NULL, "value larger than %u MiB",
                         AF_DOC_MAX_BYTES >> 20);
        return AF_EINPUT;
    }
    int rc = builder_run(&b);
    if (rc != AF_OK)
        return rc;
    if (!b.root) {
        b.root = af_arena_calloc(doc->arena, 1, sizeof *b.root);
        *b.root = (af_node){.kind = AF_NODE_SCALAR,
                            .file = file,
                            .line = line,
                            .col = col,
                            .plain = true,
                            .text = ""};
    }
    *out = b.root;
    return AF_OK;
}

int af_doc_check_path(const char *path, const char *file, int line, int col, af_diag *d)
{
    setter s = {path, file, line, col, d};
    size_t i = 0, len = strlen(path);
    if (len == 0 || len > AF_DOC_MAX_PATH)
        return setter_syntax(&s, 0);
    for (;;) {
        size_t seg = i;
        while (path[i] && !strchr(".[]=", path[i]))
            i++;
        if (i == seg)
            return setter_syntax(&s, i);
        while (path[i] == '[') {
            size_t digits = 0;
            for (i++; path[i] >= '0' && path[i] <= '9'; i++)
                if (++digits > 9)
                    return setter_syntax(&s, i);
            if (!digits || path[i] != ']')
                return setter_syntax(&s, i);
            i++;
        }
        if (path[i] == '\0')
            return AF_OK;
        if (path[i] != '.')
            return setter_syntax(&s, i);
        i++;
    }
}

int af_doc_set(af_doc *doc, const char *path, const char *value, const char *file, int line,
               int path_col, int value_col, af_doc_namer namer, af_diag *d)
{
    setter s = {path, file, line, path_col, d};
    int rc = af_doc_check_path(path, file, line, path_col, d);
    if (rc != AF_OK)
        return rc;
    const char *afile = af_arena_strdup(doc->arena, file);
    af_node *val;
    rc = setter_value(doc, afile, value, line, value_col, &val, d);
    if (rc != AF_OK)
        return rc;
    if (!doc->root)
        doc->root = setter_node(doc, &s, afile, AF_NODE_MAP, 0);

    af_node **slot = &doc->root;
    char key[AF_DOC_MAX_PATH + 1] = "";
    size_t i = 0;
    for (;;) {
        size_t seg = i;
        while (path[i] && !strchr(".[]=", path[i]))
            i++;
        size_t klen = i - seg;
        char prev[AF_DOC_MAX_PATH + 1];
        memcpy(prev, key, sizeof prev);
        memcpy(key, path + seg, klen);
        key[klen] = '\0';
        af_node *node = *slot;
        if (node->kind == AF_NODE_SCALAR && node->text[0] && slot != &doc->root &&
            strcmp(prev, "facility") == 0 && doc->root->kind == AF_NODE_MAP) {
            /* `facility: hyperscale` names a preset; a path through it sets a field of
             * `facility: { preset: hyperscale }`. */
            af_node *map = setter_node(doc, &s, afile, AF_NODE_MAP, seg);
            af_node **pv = setter_add_key(doc, &s, afile, map, "preset", 6, seg);
            *pv = node;
            *slot = node = map;
        }
        if (node->kind == AF_NODE_MAP) {
            af_node **found = NULL;
            for (size_t j = 0; j < node->n && !found; j++)
                if (strcmp(node->pairs[j].key->text, key) == 0)
                    found = &node->pairs[j].value;
            if (!found && path[i] == '[') {
                const char **cands = af_malloc_array(node->n, sizeof *cands);
                for (size_t j = 0; j < node->n; j++)
                    cands[j] = node->pairs[j].key->text;
                rc = setter_nowhere(&s, seg, i, cands, node->n, NULL);
                af_free(cands);
                return rc;
            }
            slot = found ? found : setter_add_key(doc, &s, afile, node, key, klen, seg);
        } else if (node->kind == AF_NODE_SEQ) {
            const char **cands = af_malloc_array(node->n, sizeof *cands);
            size_t nc = 0;
            af_node **found = NULL;
            for (size_t j = 0; j < node->n; j++) {
                af_node **next = &node->items[j];
                const char *name = namer ? namer(prev, &node->items[j], &next) : NULL;
                if (!name)
                    continue;
                if (!found && strcmp(name, key) == 0)
                    found = next;
                cands[nc++] = name;
            }
            if (!found)
                rc = setter_nowhere(&s, seg, i, cands, nc, "select list entries by name or [N]");
            af_free(cands);
            if (!found)
                return rc;
            slot = found;
        } else {
            return setter_nowhere(&s, seg, i, NULL, 0, NULL);
        }
        while (path[i] == '[') {
            size_t open = i++;
            size_t idx = 0;
            while (path[i] >= '0' && path[i] <= '9')
                idx = idx * 10 + (size_t)(path[i++] - '0');
            i++; /* the ']' (the syntax was checked above) */
            node = *slot;
            if (node->kind != AF_NODE_SEQ)
                return setter_nowhere(&s, open, i, NULL, 0, "not a list");
            if (idx >= node->n) {
                char why[64];
                snprintf(why, sizeof why, "the list has %zu entr%s", node->n,
                         node->n == 1 ? "y" : "ies");
                return setter_nowhere(&s, open, i, NULL, 0, why);
            }
            slot = &node->items[idx];
        }
        if (path[i] == '\0')
            break;
        i++; /* the '.' */
    }
    *slot = val;
    return AF_OK;
}
