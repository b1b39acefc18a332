/*
 * scen_field: one numeric field of a scenario read by its --set path, with what the checker knows
 * of it (its unit, whether it is a whole number, the range it accepts), for `aifsim
 * sensitivity`, which moves fields by a share of their values and writes the moved values back
 * as --set texts in the units they were written in.
 *
 * The field is found by walking the path through the document exactly as af_doc_set does (keys,
 * [N], list entries by name through scen_namer), after the overrides are applied; then the whole
 * scenario is checked with that node watched (af_check.watch), so the field's kind and range are
 * those of the one checker that reads it, not a second table that could drift from it. A field
 * read by af_check_quantity or af_check_integer is numeric; one read any other way (a name, a
 * word, "2:1", a seed) is not.
 */
#include "scenario/scenario_int.h"

#include <stdio.h>
#include <string.h>

/* The node at path in doc, or NULL with an error in d at the place where the path leaves the
 * document (the file's position of the mapping or list it could not go into). */
static const af_node *field_find(const af_doc *doc, const char *path, af_diag *d)
{
    af_node *root = af_doc_root(doc);
    af_node **slot = &root;
    char key[AF_DOC_MAX_PATH + 1] = "", prev[AF_DOC_MAX_PATH + 1];
    const char *file = af_doc_name(doc);
    size_t i = 0;
    for (;;) {
        af_node *node = *slot;
        size_t seg = i;
        while (path[i] && !strchr(".[]=", path[i]))
            i++;
        memcpy(prev, key, sizeof prev);
        memcpy(key, path + seg, i - seg);
        key[i - seg] = '\0';
        af_node **found = NULL;
        size_t nc = 0;
        const char **cands = af_malloc_array(node && node->n ? node->n : 1, sizeof *cands);
        if (node && node->kind == AF_NODE_MAP) {
            for (size_t j = 0; j < node->n; j++) {
                cands[nc++] = node->pairs[j].key->text;
                if (!found && strcmp(node->pairs[j].key->text, key) == 0)
                    found = &node->pairs[j].value;
            }
        } else if (node && node->kind == AF_NODE_SEQ) {
            for (size_t j = 0; j < node->n; j++) {
                af_node **next = &node->items[j];
                const char *name = scen_namer(prev, &node->items[j], &next);
                if (!name)
                    continue;
                cands[nc++] = name;
                if (!found && strcmp(name, key) == 0)
                    found = next;
            }
        }
        if (!found) {
            const char *near = af_did_you_mean(key, cands, nc);
            int line = node ? node->line : 1, col = node ? node->col : 1;
            if (near)
                af_diag_error_at(d, file, line, col, path,
                                 "not in the scenario; did you mean \"%.*s%s\"?", (int)seg, path,
                                 near);
            else if (node && node->kind == AF_NODE_SEQ)
                af_diag_error_at(d, file, line, col, path,
                                 "not in the scenario: no entry of %.*s is named \"%s\"; select "
                                 "list entries by name or [N]",
                                 seg ? (int)seg - 1 : 0, path, key);
            else if (node && node->kind == AF_NODE_SCALAR)
                af_diag_error_at(d, file, line, col, path,
                                 "not in the scenario: %.*s is a single value, not a mapping; "
                                 "give the field a base value with --set %s=VALUE",
                                 seg ? (int)seg - 1 : 0, path, path);
            else
                af_diag_error_at(d, file, line, col, path,
                                 "not in the scenario (a field left to its default?); give its "
                                 "base value with --set %s=VALUE",
                                 path);
            af_free(cands);
            return NULL;
        }
        af_free(cands);
        slot = found;
        while (path[i] == '[') {
            size_t idx = 0;
            for (i++; path[i] >= '0' && path[i] <= '9'; i++)
                idx = idx * 10 + (size_t)(path[i] - '0');
            i++; /* the ']' (af_doc_check_path checked the syntax) */
            node = *slot;
            if (node->kind != AF_NODE_SEQ || idx >= node->n) {
                if (node->kind != AF_NODE_SEQ)
                    af_diag_error_at(d, file, node->line, node->col, path,
                                     "not in the scenario: not a list");
                else
                    af_diag_error_at(d, file, node->line, node->col, path,
                                     "not in the scenario: the list has %zu entr%s", node->n,
                                     node->n == 1 ? "y" : "ies");
                return NULL;
            }
            slot = &node->items[idx];
        }
        if (path[i] == '\0')
            return *slot;
        i++; /* the '.' */
    }
}

/* The document of file with the nsets overrides applied (*doc, released by the caller even on
 * failure) and its node at path (*node). Returns AF_OK, or the error with its message in d. */
static int field_load(const char *file, const af_scenario_set *sets, size_t nsets,
                      const char *path, af_doc **doc, const af_node **node, af_diag *d)
{
    int rc = af_doc_load(file, doc, d);
    for (size_t i = 0; rc == AF_OK && i < nsets; i++)
        if (af_doc_set(*doc, sets[i].path, sets[i].value, "--set", 1, 1,
                       (int)(sets[i].value - sets[i].arg) + 1, scen_namer, d) != AF_OK)
            rc = AF_EINPUT;
    if (rc == AF_OK && !(*node = field_find(*doc, path, d)))
        rc = AF_EINPUT;
    return rc;
}

int af_scenario_field_get(const char *file, const af_catalog *cat, const af_scenario_set *sets,
                          size_t nsets, const char *path, af_scenario_field *out, af_diag *d)
{
    af_diag *tmp = af_diag_new();
    af_arena *arena = af_arena_new();
    af_doc *doc = NULL;
    int rc = af_doc_check_path(path, "--param", 1, 1, d);
    if (rc != AF_OK)
        goto done;
    const af_node *node = NULL;
    rc = field_load(file, sets, nsets, path, &doc, &node, tmp);
    af_check_seen seen;
    if (rc == AF_OK)
        rc = scen_check_watch(doc, cat, arena, node, &seen, tmp);
    if (rc == AF_OK && !seen.seen) {
        char q[128];
        if (node->kind == AF_NODE_SCALAR)
            af_diag_error_at(tmp, node->file, node->line, node->col, path,
                             "\"%s\" is not a quantity to move (a name, a word or a seed); "
                             "expected a numeric field such as storage.hot.nodes",
                             af_doc_quote(node->text, q, sizeof q));
        else
            af_diag_error_at(tmp, node->file, node->line, node->col, path,
                             "%s, not a quantity to move; expected a numeric field such as "
                             "storage.hot.nodes",
                             af_node_kind_name(node->kind));
        rc = AF_EINPUT;
    }
    if (rc == AF_OK) {
        memset(out, 0, sizeof *out);
        snprintf(out->text, sizeof out->text, "%s", node->text);
        out->value = seen.value;
        out->dim = seen.dim;
        out->integer = seen.integer;
        out->min = seen.min;
        out->max = seen.max;
        out->min_open = seen.min_open;
    }
done:
    af_check_flush(tmp, d);
    af_doc_free(doc);
    af_arena_free(arena);
    af_diag_free(tmp);
    return rc;
}

int af_scenario_field_text(const char *file, const af_scenario_set *sets, size_t nsets,
                           const char *path, char *buf, size_t n)
{
    af_diag *tmp = af_diag_new();
    af_doc *doc = NULL;
    const af_node *node = NULL;
    int rc = field_load(file, sets, nsets, path, &doc, &node, tmp);
    if (rc == AF_OK)
        snprintf(buf, n, "%s%s", node->kind == AF_NODE_SCALAR ? "" : af_node_kind_name(node->kind),
                 node->kind == AF_NODE_SCALAR ? node->text : "");
    af_doc_free(doc);
    af_diag_free(tmp);
    return rc;
}
