/*
 * catalog: the nine catalog files read through the schema table; see catalog.h.
 *
 * Everything lives in one arena: the spec arrays, and copies of every name, description and
 * source, so that the parsed docs can be freed as soon as each file is read.
 */
#include "scenario/catalog.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "scenario/doc.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* One section's entries. */
typedef struct cat_section {
    void *specs;          /* n spec structs of the section's type, file order */
    const char **names;   /* n entry names (the specs' own name strings) */
    const char **sources; /* n rows of 2 * nfields: each field's source, then each field's
                           * date (prices only); NULL for words */
    size_t n;
    bool ok; /* the section's file loaded without error */
} cat_section;

struct af_catalog {
    af_arena *arena; /* everything below */
    cat_section sec[AF_SECTION__COUNT];
};

/* Reads the list of one section's file into cat. */
static void catalog_read(af_catalog *cat, af_section sec, const af_doc *doc, af_check *c)
{
    const af_spec_desc *desc = af_schema_desc(sec);
    cat_section *s = &cat->sec[sec];
    size_t before = c->errors;
    const af_node *root = af_doc_root(doc);
    if (!root) {
        af_diag_error_at(c->d, af_doc_name(doc), 1, 1, NULL,
                         "no catalog entries; expected \"aifsim-catalog: 1\" and a list under "
                         "\"%s:\"",
                         desc->key);
        c->errors++;
        return;
    }
    af_path path = {"", 0};
    char what[96];
    snprintf(what, sizeof what, "a mapping with \"aifsim-catalog: 1\" and \"%s:\"", desc->key);
    if (!af_check_map(c, root, &path, what))
        return;
    const char *keys[] = {"aifsim-catalog", desc->key};
    af_node *vals[2];
    af_check_keys(c, root, &path, keys, 2, vals);
    af_check_required(c, root, &path, "aifsim-catalog", vals[0]);
    if (vals[0] && !(vals[0]->kind == AF_NODE_SCALAR && strcmp(vals[0]->text, "1") == 0)) {
        char q[128];
        size_t old = af_path_key(&path, "aifsim-catalog");
        af_check_error(c, vals[0], &path, "expected catalog format 1, got %s%s%s",
                       vals[0]->kind == AF_NODE_SCALAR ? "\"" : "",
                       vals[0]->kind == AF_NODE_SCALAR ? af_doc_quote(vals[0]->text, q, sizeof q)
                                                       : af_node_kind_name(vals[0]->kind),
                       vals[0]->kind == AF_NODE_SCALAR ? "\"" : "");
        af_path_pop(&path, old);
        return;
    }
    af_check_required(c, root, &path, desc->key, vals[1]);
    const af_node *list = vals[1];
    af_path_key(&path, desc->key);
    snprintf(what, sizeof what, "a list of %s entries", desc->noun);
    if (!af_check_seq(c, list, &path, what))
        return;
    if (list->n == 0 || list->n > AF_CATALOG_MAX_ENTRIES) {
        af_check_error(c, list, &path, "expected 1 to %d entries, got %zu", AF_CATALOG_MAX_ENTRIES,
                       list->n);
        return;
    }

    s->specs = af_arena_calloc(cat->arena, list->n, desc->size);
    s->names = af_arena_calloc(cat->arena, list->n, sizeof *s->names);
    s->sources = af_arena_calloc(cat->arena, list->n * 2 * desc->nfields, sizeof *s->sources);
    int *lines = af_calloc(list->n, sizeof *lines);
    void *spec = af_calloc(1, desc->size);
    af_schema_refs refs = af_catalog_refs(cat); /* the sections loaded so far */
    for (size_t i = 0; i < list->n; i++) {
        const af_node *item = list->items[i];
        size_t old = af_path_index(&path, i);
        memset(spec, 0, desc->size);
        const char **sources = &s->sources[s->n * 2 * desc->nfields];
        af_schema_read(c, &refs, sec, item, &path, AF_SCHEMA_CATALOG, spec, sources);
        const char *name = *(const char **)((char *)spec + desc->name_offset);
        size_t dup = 0;
        while (name && dup < s->n && strcmp(s->names[dup], name) != 0)
            dup++;
        if (name && dup < s->n) {
            char q[128];
            const af_node *at = af_node_find(item, "name");
            size_t o = af_path_key(&path, "name");
            af_check_error(c, at, &path, "duplicate %s name \"%s\"; first defined at line %d",
                           desc->noun, af_doc_quote(name, q, sizeof q), lines[dup]);
            af_path_pop(&path, o);
        } else if (name) {
            /* Kept even when other fields are wrong, so references to it do not add errors. */
            af_schema_intern(sec, spec, cat->arena);
            for (size_t k = 0; k < 2 * desc->nfields; k++)
                if (sources[k])
                    sources[k] = af_arena_strdup(cat->arena, sources[k]);
            memcpy((char *)s->specs + s->n * desc->size, spec, desc->size);
            s->names[s->n] = *(const char **)((char *)spec + desc->name_offset);
            lines[s->n] = af_node_find(item, "name")->line;
            s->n++;
        }
        af_path_pop(&path, old);
    }
    af_free(spec);
    af_free(lines);
    s->ok = c->errors == before;
}

/* Loads every section from dir (when not NULL) or from texts. */
static af_catalog *catalog_build(const char *dir, const af_catalog_text *texts, af_diag *d)
{
    af_catalog *cat = af_calloc(1, sizeof *cat);
    cat->arena = af_arena_new();
    af_diag *tmp = af_diag_new(); /* messages, put in document order at the end */
    af_check c = {.d = tmp};
    for (int sec = 0; sec < AF_SECTION__COUNT; sec++) {
        af_doc *doc = NULL;
        int rc;
        if (dir) {
            size_t len = strlen(dir);
            while (len > 1 && dir[len - 1] == '/')
                len--;
            char *path = af_strfmt("%.*s/%s.yaml", (int)len, dir, af_schema_desc(sec)->key);
            rc = af_doc_load(path, &doc, tmp);
            af_free(path);
        } else {
            rc = af_doc_parse(texts[sec].name, texts[sec].text, texts[sec].len, &doc, tmp);
        }
        if (rc == AF_OK)
            catalog_read(cat, (af_section)sec, doc, &c);
        af_doc_free(doc);
    }
    bool failed = af_diag_errors(tmp) > 0;
    af_check_flush(tmp, d);
    af_diag_free(tmp);
    if (failed) {
        af_catalog_free(cat);
        return NULL;
    }
    return cat;
}

af_catalog *af_catalog_load(const char *dir, af_diag *d)
{
    /* A wrong directory is one mistake, not seven missing files. */
    struct stat st;
    int err = stat(dir, &st) != 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
    if (err) {
        af_diag_error_at(d, dir, 0, 0, NULL,
                         "cannot open the model catalog: %s; point --models or AIFSIM_MODELS at "
                         "the models/ folder",
                         strerror(err));
        return NULL;
    }
    return catalog_build(dir, NULL, d);
}

af_catalog *af_catalog_parse(const af_catalog_text texts[AF_SECTION__COUNT], af_diag *d)
{
    return catalog_build(NULL, texts, d);
}

void af_catalog_free(af_catalog *cat)
{
    if (!cat)
        return;
    af_arena_free(cat->arena);
    af_free(cat);
}

size_t af_catalog_count(const af_catalog *cat, af_section sec)
{
    return cat->sec[sec].n;
}

const void *af_catalog_entry(const af_catalog *cat, af_section sec, size_t i)
{
    const cat_section *s = &cat->sec[sec];
    return i < s->n ? (const char *)s->specs + i * af_schema_desc(sec)->size : NULL;
}

static size_t catalog_index(const af_catalog *cat, af_section sec, const char *name)
{
    const cat_section *s = &cat->sec[sec];
    size_t i = 0;
    while (i < s->n && strcmp(s->names[i], name) != 0)
        i++;
    return i;
}

const void *af_catalog_find(const af_catalog *cat, af_section sec, const char *name)
{
    return af_catalog_entry(cat, sec, catalog_index(cat, sec, name));
}

const char *const *af_catalog_names(const af_catalog *cat, af_section sec, size_t *n)
{
    *n = cat->sec[sec].n;
    return cat->sec[sec].names;
}

bool af_catalog_section_ok(const af_catalog *cat, af_section sec)
{
    return cat->sec[sec].ok;
}

/* af_schema_refs over a catalog: ctx is the af_catalog. */
static const void *refs_find(const void *ctx, af_section sec, const char *name)
{
    return af_catalog_find(ctx, sec, name);
}

static const char *const *refs_names(const void *ctx, af_section sec, size_t *n)
{
    return af_catalog_names(ctx, sec, n);
}

static bool refs_section_ok(const void *ctx, af_section sec)
{
    return af_catalog_section_ok(ctx, sec);
}

af_schema_refs af_catalog_refs(const af_catalog *cat)
{
    return (af_schema_refs){cat, refs_find, refs_names, refs_section_ok};
}

const char *af_catalog_source(const af_catalog *cat, af_section sec, const char *name,
                              const char *field)
{
    const af_spec_desc *desc = af_schema_desc(sec);
    const af_field *f = af_schema_field(desc, field);
    size_t i = catalog_index(cat, sec, name);
    if (!f || i >= cat->sec[sec].n)
        return NULL;
    return cat->sec[sec].sources[i * 2 * desc->nfields + (size_t)(f - desc->fields)];
}

const char *af_catalog_date(const af_catalog *cat, af_section sec, const char *name,
                            const char *field)
{
    const af_spec_desc *desc = af_schema_desc(sec);
    const af_field *f = af_schema_field(desc, field);
    size_t i = catalog_index(cat, sec, name);
    if (!f || i >= cat->sec[sec].n)
        return NULL;
    return cat->sec[sec].sources[(i * 2 + 1) * desc->nfields + (size_t)(f - desc->fields)];
}

#define AF_CATALOG_ACCESS(type, list, find, section)                                               \
    const type *list(const af_catalog *cat, size_t *n)                                             \
    {                                                                                              \
        *n = cat->sec[section].n;                                                                  \
        return cat->sec[section].specs;                                                            \
    }                                                                                              \
    const type *find(const af_catalog *cat, const char *name)                                      \
    {                                                                                              \
        return af_catalog_find(cat, section, name);                                                \
    }

AF_CATALOG_ACCESS(af_gpu_spec, af_catalog_gpus, af_catalog_find_gpu, AF_SECTION_GPUS)
AF_CATALOG_ACCESS(af_link_spec, af_catalog_links, af_catalog_find_link, AF_SECTION_LINKS)
AF_CATALOG_ACCESS(af_node_spec, af_catalog_nodes, af_catalog_find_node, AF_SECTION_NODES)
AF_CATALOG_ACCESS(af_storage_spec, af_catalog_storage, af_catalog_find_storage, AF_SECTION_STORAGE)
AF_CATALOG_ACCESS(af_facility_spec, af_catalog_facilities, af_catalog_find_facility,
                  AF_SECTION_FACILITY)
AF_CATALOG_ACCESS(af_switch_spec, af_catalog_switches, af_catalog_find_switch, AF_SECTION_SWITCHES)
AF_CATALOG_ACCESS(af_llm_spec, af_catalog_llms, af_catalog_find_llm, AF_SECTION_LLMS)
AF_CATALOG_ACCESS(af_mlperf_spec, af_catalog_mlperf, af_catalog_find_mlperf, AF_SECTION_MLPERF)
AF_CATALOG_ACCESS(af_server_spec, af_catalog_servers, af_catalog_find_server, AF_SECTION_SERVERS)

/* FNV-1a over the bytes of text and a separator. */
static uint64_t catalog_fnv(uint64_t h, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ULL;
    }
    h ^= 0x1f; /* unit separator: "ab" + "c" differs from "a" + "bc" */
    return h * 1099511628211ULL;
}

uint64_t af_catalog_hash(const af_catalog *cat)
{
    uint64_t h = 1469598103934665603ULL;
    for (int sec = 0; sec < AF_SECTION__COUNT; sec++) {
        const af_spec_desc *desc = af_schema_desc((af_section)sec);
        const cat_section *cs = &cat->sec[sec];
        h = catalog_fnv(h, desc->key);
        for (size_t i = 0; i < cs->n; i++) {
            const void *spec = (const char *)cs->specs + i * desc->size;
            h = catalog_fnv(h, cs->names[i]);
            h = catalog_fnv(h, *(const char *const *)((const char *)spec + desc->description_offset));
            for (size_t k = 0; k < desc->nfields; k++) {
                char buf[160];
                const af_field *fd = &desc->fields[k];
                if (fd->kind == AF_FIELD_REAL || fd->kind == AF_FIELD_INT)
                    snprintf(buf, sizeof buf, "%.17g", af_schema_value(fd, spec));
                else
                    af_schema_format(fd, spec, buf, sizeof buf);
                h = catalog_fnv(h, buf);
                h = catalog_fnv(h, cs->sources[i * 2 * desc->nfields + k]);
                h = catalog_fnv(h, cs->sources[(i * 2 + 1) * desc->nfields + k]);
            }
        }
    }
    return h;
}
