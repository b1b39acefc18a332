/*
 * test_doc: the YAML tree (positions, styles, errors, hostile-input limits) and --set paths.
 */
#include "scenario/doc.h"

#include "base/alloc.h"
#include "base/diag.h"

#include "cutest.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Parses text as "t.yaml"; returns the doc or NULL. */
static af_doc *parse(const char *text, af_diag *d)
{
    af_doc *doc = NULL;
    int rc = af_doc_parse("t.yaml", text, strlen(text), &doc, d);
    CU_ASSERT_EQUAL(rc == AF_OK, doc != NULL);
    return doc;
}

/* Checks that d holds exactly one message and that it reads `want`. */
static void expect_one(af_diag *d, const char *want)
{
    CU_ASSERT_EQUAL(af_diag_count(d), 1);
    if (af_diag_count(d) < 1)
        return;
    char *got = af_diag_format(d, 0);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  got:  %s\n  want: %s\n", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    af_free(got);
}

/* Parses text expecting failure with the one message `want`. */
static void expect_parse_error(const char *text, const char *want)
{
    af_diag *d = af_diag_new();
    af_doc *doc = NULL;
    CU_ASSERT_EQUAL(af_doc_parse("t.yaml", text, strlen(text), &doc, d), AF_EINPUT);
    CU_ASSERT_PTR_NULL(doc);
    expect_one(d, want);
    af_diag_free(d);
}

static void test_positions(void)
{
    af_diag *d = af_diag_new();
    af_doc *doc = parse("a: 1\nb:\n  c: [x, \"y\"]\n  d: 'z'\n", d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_STRING_EQUAL(af_doc_name(doc), "t.yaml");
    const af_node *root = af_doc_root(doc);
    CU_ASSERT_EQUAL(root->kind, AF_NODE_MAP);
    CU_ASSERT_EQUAL(root->n, 2);
    CU_ASSERT_EQUAL(root->line, 1);
    CU_ASSERT_EQUAL(root->col, 1);
    const af_node *a = af_node_find(root, "a");
    CU_ASSERT_STRING_EQUAL(a->text, "1");
    CU_ASSERT_EQUAL(a->line, 1);
    CU_ASSERT_EQUAL(a->col, 4);
    CU_ASSERT_STRING_EQUAL(a->file, "t.yaml");
    CU_ASSERT_EQUAL(root->pairs[1].key->line, 2);
    const af_node *b = af_node_find(root, "b");
    CU_ASSERT_EQUAL(b->kind, AF_NODE_MAP);
    CU_ASSERT_EQUAL(b->line, 3);
    CU_ASSERT_EQUAL(b->col, 3);
    const af_node *c = af_node_find(b, "c");
    CU_ASSERT_EQUAL(c->kind, AF_NODE_SEQ);
    CU_ASSERT_EQUAL(c->n, 2);
    CU_ASSERT_EQUAL(c->col, 6);
    CU_ASSERT_STRING_EQUAL(c->items[0]->text, "x");
    CU_ASSERT_EQUAL(c->items[0]->col, 7);
    CU_ASSERT_STRING_EQUAL(c->items[1]->text, "y");
    CU_ASSERT_EQUAL(c->items[1]->col, 10);
    CU_ASSERT_PTR_NULL(af_node_find(root, "zz"));
    CU_ASSERT_PTR_NULL(af_node_find(a, "x"));
    af_doc_free(doc);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_diag_free(d);
}

static void test_scalar_styles(void)
{
    af_diag *d = af_diag_new();
    af_doc *doc =
        parse("p: plain words\ns: 'single'\nq: \"double\\tx\"\nb: |\n  block\ne:\nt: ~\n", d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    const af_node *root = af_doc_root(doc);
    CU_ASSERT_TRUE(af_node_find(root, "p")->plain);
    CU_ASSERT_STRING_EQUAL(af_node_find(root, "p")->text, "plain words");
    CU_ASSERT_FALSE(af_node_find(root, "s")->plain);
    CU_ASSERT_FALSE(af_node_find(root, "q")->plain);
    CU_ASSERT_STRING_EQUAL(af_node_find(root, "q")->text, "double\tx");
    CU_ASSERT_FALSE(af_node_find(root, "b")->plain);
    CU_ASSERT_STRING_EQUAL(af_node_find(root, "b")->text, "block\n");
    /* Implicit typing is not applied: "~" and an empty value stay text, and are YAML nulls. */
    CU_ASSERT_TRUE(af_node_is_null(af_node_find(root, "e")));
    CU_ASSERT_TRUE(af_node_is_null(af_node_find(root, "t")));
    CU_ASSERT_FALSE(af_node_is_null(af_node_find(root, "s")));
    CU_ASSERT_EQUAL(af_node_find(root, "e")->n, 0);
    af_doc_free(doc);
    af_diag_free(d);
}

static void test_empty_document(void)
{
    af_diag *d = af_diag_new();
    af_doc *doc = parse("# only a comment\n", d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_PTR_NULL(af_doc_root(doc));
    af_doc_free(doc);
    doc = parse("", d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_PTR_NULL(af_doc_root(doc));
    af_doc_free(doc);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_diag_free(d);
}

static void test_syntax_errors(void)
{
    expect_parse_error("a: [1, 2\n", "t.yaml:2:1: error: YAML syntax: did not find expected ',' "
                                     "or ']' (while parsing a flow sequence that starts at line "
                                     "1, column 4)");
    expect_parse_error("a: 1\n  b: 2\n",
                       "t.yaml:2:4: error: YAML syntax: mapping values are not allowed in this "
                       "context");
    expect_parse_error("a:\n\tb: 1\n", "t.yaml:2:1: error: YAML syntax: found character that "
                                       "cannot start any token (a tab: YAML indents with spaces "
                                       "only)");
    expect_parse_error("a: \"open\n", "t.yaml:2:1: error: YAML syntax: found unexpected end of "
                                      "stream (while scanning a quoted scalar that starts at "
                                      "line 1, column 4)");
    expect_parse_error("a: 1\nb: \xff\n",
                       "t.yaml:2:4: error: YAML syntax: invalid leading UTF-8 octet (byte 0xff)");
    expect_parse_error("- a\nb: 1\n", "t.yaml:2:1: error: YAML syntax: did not find expected '-' "
                                      "indicator (while parsing a block collection that starts "
                                      "at line 1, column 1)");
}

static void test_duplicate_keys(void)
{
    expect_parse_error("a: 1\nb: 2\na: 3\n",
                       "t.yaml:3:1: error: duplicate key \"a\"; first given at line 1");
    expect_parse_error("x:\n  - y: 1\n    y: 2\n",
                       "t.yaml:3:5: error: x[0]: duplicate key \"y\"; first given at line 2");
    /* A big mapping takes the sorting path; every repeat is reported, in document order. */
    char text[4096] = "";
    for (int i = 0; i < 40; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "k%d: %d\n", i % 30, i);
    af_diag *d = af_diag_new();
    af_doc *doc = NULL;
    CU_ASSERT_EQUAL(af_doc_parse("t.yaml", text, strlen(text), &doc, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_count(d), 10);
    char *first = af_diag_format(d, 0);
    CU_ASSERT_STRING_EQUAL(first,
                           "t.yaml:31:1: error: duplicate key \"k0\"; first given at line 1");
    af_free(first);
    char *last = af_diag_format(d, 9);
    CU_ASSERT_STRING_EQUAL(last,
                           "t.yaml:40:1: error: duplicate key \"k9\"; first given at line 10");
    af_free(last);
    af_diag_free(d);
}

static void test_key_error_cap(void)
{
    /* 150 repeats of one key: 100 reported, then one line for the rest. */
    char text[4096] = "";
    for (int i = 0; i <= 150; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "k: %d\n", i);
    af_diag *d = af_diag_new();
    af_doc *doc = NULL;
    CU_ASSERT_EQUAL(af_doc_parse("t.yaml", text, strlen(text), &doc, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_diag_count(d), 101);
    char *last = af_diag_format(d, 100);
    CU_ASSERT_STRING_EQUAL(last, "t.yaml:102:1: error: more than 100 wrong keys; not reporting "
                                 "the rest");
    af_free(last);
    af_diag_free(d);
}

static void test_non_string_keys(void)
{
    expect_parse_error("? [a, b]\n: 1\n",
                       "t.yaml:1:3: error: mapping keys must be plain words, got a list");
    expect_parse_error("{ {a: 1}: 2 }\n",
                       "t.yaml:1:3: error: mapping keys must be plain words, got a mapping");
}

static void test_depth_limit(void)
{
    char text[512];
    size_t n = 0;
    for (int i = 0; i < AF_DOC_MAX_DEPTH; i++)
        text[n++] = '[';
    for (int i = 0; i < AF_DOC_MAX_DEPTH; i++)
        text[n++] = ']';
    text[n] = '\0';
    af_diag *d = af_diag_new();
    af_doc *doc = parse(text, d);
    CU_ASSERT_PTR_NOT_NULL(doc);
    af_doc_free(doc);
    af_diag_free(d);

    n = 0;
    for (int i = 0; i <= AF_DOC_MAX_DEPTH; i++)
        text[n++] = '[';
    text[n] = '\0';
    expect_parse_error(text, "t.yaml:1:65: error: lists and mappings nested more than 64 deep");
    /* Block nesting ("- - - x") is counted the same way. */
    n = 0;
    for (int i = 0; i <= AF_DOC_MAX_DEPTH; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "- ");
    snprintf(text + n, sizeof text - n, "x\n");
    expect_parse_error(text, "t.yaml:1:129: error: lists and mappings nested more than 64 deep");
}

static void test_node_limit(void)
{
    /* One million and one scalars in a flow list (about 2 MB). */
    size_t count = AF_DOC_MAX_NODES + 1;
    char *text = af_malloc_array(2 * count + 3, 1);
    size_t n = 0;
    text[n++] = '[';
    for (size_t i = 0; i < count; i++) {
        text[n++] = '0';
        text[n++] = ',';
    }
    text[n - 1] = ']';
    text[n] = '\0';
    af_diag *d = af_diag_new();
    af_doc *doc = NULL;
    CU_ASSERT_EQUAL(af_doc_parse("t.yaml", text, n, &doc, d), AF_EINPUT);
    /* The list itself is node 1, so the 1,000,000th scalar is the first one over. */
    expect_one(d, "t.yaml:1:2000000: error: more than 1000000 YAML nodes; a scenario is never "
                  "this big");
    af_free(text);
    af_diag_free(d);
}

static void test_size_limit(void)
{
    size_t len = AF_DOC_MAX_BYTES + 1;
    char *text = af_malloc_array(len, 1);
    memset(text, ' ', len);
    af_diag *d = af_diag_new();
    af_doc *doc = NULL;
    CU_ASSERT_EQUAL(af_doc_parse("t.yaml", text, len, &doc, d), AF_EINPUT);
    expect_one(d, "t.yaml: error: larger than 16 MiB; a scenario is never this big");
    af_diag_clear(d);
    /* Exactly at the limit is fine (all blanks: an empty document). */
    CU_ASSERT_EQUAL(af_doc_parse("t.yaml", text, len - 1, &doc, d), AF_OK);
    af_doc_free(doc);
    af_free(text);
    af_diag_free(d);
}

static void test_aliases_refused(void)
{
    expect_parse_error("a: &x 1\nb: *x\n", "t.yaml:2:4: error: YAML aliases (\"*name\") are not "
                                           "supported; write the value out");
    /* Billion laughs: refused at the first alias, without expanding anything. */
    const char *laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                         "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                         "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                         "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";
    expect_parse_error(laughs, "t.yaml:2:8: error: YAML aliases (\"*name\") are not supported; "
                               "write the value out");
    /* An anchor alone is harmless and accepted. */
    af_diag *d = af_diag_new();
    af_doc *doc = parse("a: &x 1\n", d);
    CU_ASSERT_PTR_NOT_NULL(doc);
    af_doc_free(doc);
    af_diag_free(d);
}

static void test_other_refusals(void)
{
    expect_parse_error("a: 1\n---\nb: 2\n",
                       "t.yaml:2:1: error: a second YAML document; a file holds exactly one");
    expect_parse_error("a: \"x\\0y\"\n",
                       "t.yaml:1:4: error: a NUL character in a string; remove it");
}

static void test_load_file(void)
{
    char path[] = "/tmp/aifsim-test-doc-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    const char text[] = "name: x\n";
    CU_ASSERT_EQUAL(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    af_diag *d = af_diag_new();
    af_doc *doc = NULL;
    CU_ASSERT_EQUAL(af_doc_load(path, &doc, d), AF_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_STRING_EQUAL(af_node_find(af_doc_root(doc), "name")->text, "x");
    CU_ASSERT_STRING_EQUAL(af_node_find(af_doc_root(doc), "name")->file, path);
    af_doc_free(doc);
    unlink(path);
    doc = NULL;
    CU_ASSERT_EQUAL(af_doc_load("/nonexistent/x.yaml", &doc, d), AF_EIO);
    CU_ASSERT_PTR_NULL(doc);
    expect_one(d, "/nonexistent/x.yaml: error: cannot open: No such file or directory");
    af_diag_clear(d);
    CU_ASSERT_EQUAL(af_doc_load("/tmp", &doc, d), AF_EIO);
    expect_one(d, "/tmp: error: cannot read: Is a directory");
    af_diag_free(d);
}

static void test_quote(void)
{
    char buf[128];
    CU_ASSERT_STRING_EQUAL(af_doc_quote("a\"b\\c\n", buf, sizeof buf), "a\\\"b\\\\c\\x0a");
    const char *longer = "0123456789012345678901234567890123456789012345678901234567890123456789";
    CU_ASSERT_STRING_EQUAL(af_doc_quote(longer, buf, sizeof buf),
                           "012345678901234567890123456789012345678901234567890123456789...");
    char tiny[8];
    af_doc_quote(longer, tiny, sizeof tiny);
    CU_ASSERT_TRUE(strlen(tiny) < sizeof tiny);
}

/* --set ------------------------------------------------------------------------------------- */

static const char scenario[] = "cluster:\n"
                               "  - pool: train\n"
                               "    nodes: 16\n"
                               "storage:\n"
                               "  - tier: hot\n"
                               "    nodes: 4\n"
                               "  - tier: cold\n"
                               "    nodes: 2\n"
                               "workloads:\n"
                               "  - train:\n"
                               "      name: vit\n"
                               "      pool: train\n"
                               "  - train:\n"
                               "      pool: infer\n"
                               "duration: 6 h\n";

/* The scenario's naming rule, written out independently of scenario.c. */
static const char *namer(const char *seq_key, af_node **elem, af_node ***next)
{
    *next = elem;
    af_node *e = *elem;
    if (e->kind != AF_NODE_MAP)
        return NULL;
    if (strcmp(seq_key, "workloads") == 0) {
        *next = &e->pairs[0].value;
        const af_node *name = af_node_find(e->pairs[0].value, "name");
        return (name ? name : af_node_find(e->pairs[0].value, "pool"))->text;
    }
    const af_node *name = af_node_find(e, strcmp(seq_key, "cluster") == 0   ? "pool"
                                          : strcmp(seq_key, "storage") == 0 ? "tier"
                                                                            : "name");
    return name ? name->text : NULL;
}

/* Applies "path=value" the way the CLI does: file "--set", line 1, columns from 1. */
static int set(af_doc *doc, const char *arg, af_diag *d)
{
    const char *eq = strchr(arg, '=');
    char path[AF_DOC_MAX_PATH + 1];
    snprintf(path, sizeof path, "%.*s", (int)(eq - arg), arg);
    return af_doc_set(doc, path, eq + 1, "--set", 1, 1, (int)(eq - arg) + 2, namer, d);
}

static void test_set_paths(void)
{
    af_diag *d = af_diag_new();
    af_doc *doc = parse(scenario, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    const af_node *root = af_doc_root(doc);

    CU_ASSERT_EQUAL(set(doc, "storage[0].nodes=8", d), AF_OK);
    CU_ASSERT_EQUAL(set(doc, "storage.cold.nodes=3", d), AF_OK);
    CU_ASSERT_EQUAL(set(doc, "workloads.vit.step_time=250 ms", d), AF_OK);
    CU_ASSERT_EQUAL(set(doc, "workloads.infer.mfu=\"0.4\"", d), AF_OK);
    CU_ASSERT_EQUAL(set(doc, "workloads[0].train.pool=other", d), AF_OK);
    CU_ASSERT_EQUAL(set(doc, "duration=2 h", d), AF_OK);
    CU_ASSERT_EQUAL(set(doc, "cluster.train.override.gpu.tdp=600 W", d), AF_OK);
    CU_ASSERT_EQUAL(set(doc, "facility={preset: colocation, pue: 1.5}", d), AF_OK);
    CU_ASSERT_EQUAL(set(doc, "description=", d), AF_OK);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);

    const af_node *storage = af_node_find(root, "storage");
    const af_node *hot = af_node_find(storage->items[0], "nodes");
    CU_ASSERT_STRING_EQUAL(hot->text, "8");
    CU_ASSERT_STRING_EQUAL(hot->file, "--set");
    CU_ASSERT_EQUAL(hot->line, 1);
    CU_ASSERT_EQUAL(hot->col, 18);
    CU_ASSERT_STRING_EQUAL(af_node_find(storage->items[1], "nodes")->text, "3");
    const af_node *vit = af_node_find(af_node_find(root, "workloads")->items[0], "train");
    CU_ASSERT_STRING_EQUAL(af_node_find(vit, "step_time")->text, "250 ms");
    CU_ASSERT_TRUE(af_node_find(vit, "step_time")->plain);
    CU_ASSERT_STRING_EQUAL(af_node_find(vit, "pool")->text, "other");
    const af_node *infer = af_node_find(af_node_find(root, "workloads")->items[1], "train");
    const af_node *mfu = af_node_find(infer, "mfu");
    CU_ASSERT_STRING_EQUAL(mfu->text, "0.4");
    CU_ASSERT_FALSE(mfu->plain);
    CU_ASSERT_EQUAL(mfu->col, 21);
    CU_ASSERT_STRING_EQUAL(af_node_find(root, "duration")->text, "2 h");
    /* Missing keys are added, with mappings on the way. */
    const af_node *over = af_node_find(af_node_find(root, "cluster")->items[0], "override");
    CU_ASSERT_EQUAL(over->kind, AF_NODE_MAP);
    CU_ASSERT_STRING_EQUAL(af_node_find(af_node_find(over, "gpu"), "tdp")->text, "600 W");
    CU_ASSERT_EQUAL(over->line, 1);
    CU_ASSERT_EQUAL(over->col, 15);
    const af_node *facility = af_node_find(root, "facility");
    CU_ASSERT_EQUAL(facility->kind, AF_NODE_MAP);
    CU_ASSERT_STRING_EQUAL(af_node_find(facility, "pue")->text, "1.5");
    CU_ASSERT_EQUAL(af_node_find(facility, "pue")->col, 36);
    CU_ASSERT_TRUE(af_node_is_null(af_node_find(root, "description")));
    af_doc_free(doc);

    /* Setting into an empty document makes a root mapping. */
    doc = parse("", d);
    CU_ASSERT_EQUAL(set(doc, "seed=7", d), AF_OK);
    CU_ASSERT_STRING_EQUAL(af_node_find(af_doc_root(doc), "seed")->text, "7");
    af_doc_free(doc);
    af_diag_free(d);
}

/* Applies arg to a fresh copy of the scenario, expecting the one message want. */
static void expect_set_error(const char *arg, const char *want)
{
    af_diag *d = af_diag_new();
    af_doc *doc = parse(scenario, d);
    CU_ASSERT_EQUAL(set(doc, arg, d), AF_EINPUT);
    expect_one(d, want);
    af_doc_free(doc);
    af_diag_free(d);
}

static void test_set_errors(void)
{
    expect_set_error(
        "storage.hots.nodes=4",
        "--set:1:9: error: storage.hots: no such field; did you mean \"storage.hot\"?");
    expect_set_error("storage.warm.nodes=4", "--set:1:9: error: storage.warm: no such field; "
                                             "select list entries by name or [N]");
    expect_set_error("storage[2].nodes=4",
                     "--set:1:8: error: storage[2]: no such field; the list has 2 entries");
    expect_set_error("duration[0]=4", "--set:1:9: error: duration[0]: no such field; not a list");
    expect_set_error("duration.unit=h", "--set:1:10: error: duration.unit: no such field");
    expect_set_error("clustr[0].nodes=4",
                     "--set:1:1: error: clustr: no such field; did you mean \"cluster\"?");
    expect_set_error("workloads.vt.mfu=0.5",
                     "--set:1:11: error: workloads.vt: no such field; did you mean "
                     "\"workloads.vit\"?");
    expect_set_error("storage..nodes=4", "--set:1:9: error: expected a path such as "
                                         "\"storage[0].nodes\" or \"storage.hot.nodes\", got "
                                         "\"storage..nodes\"");
    expect_set_error("storage[x].nodes=4", "--set:1:9: error: expected a path such as "
                                           "\"storage[0].nodes\" or \"storage.hot.nodes\", got "
                                           "\"storage[x].nodes\"");
    expect_set_error("[0]=4", "--set:1:1: error: expected a path such as \"storage[0].nodes\" or "
                              "\"storage.hot.nodes\", got \"[0]\"");
    expect_set_error("duration=[1, 2", "--set:1:15: error: YAML syntax: did not find expected ',' "
                                       "or ']' (while parsing a flow sequence that starts at "
                                       "line 1, column 10)");
    expect_set_error("duration=a\n---\nb", "--set:1:17: error: a second YAML document; a file "
                                           "holds exactly one");
}

static const af_test tests[] = {
    {"positions are 1-based and exact", test_positions},
    {"scalar styles and nulls are kept", test_scalar_styles},
    {"an empty document has no root", test_empty_document},
    {"syntax errors carry libyaml's problem at 1-based positions", test_syntax_errors},
    {"duplicate keys are all reported, small and big mappings", test_duplicate_keys},
    {"keys must be scalars", test_non_string_keys},
    {"wrong keys stop being reported after 100", test_key_error_cap},
    {"nesting deeper than 64 is refused", test_depth_limit},
    {"more than 1e6 nodes is refused", test_node_limit},
    {"files over 16 MiB are refused", test_size_limit},
    {"aliases are refused, billion laughs included", test_aliases_refused},
    {"second documents and NULs are refused", test_other_refusals},
    {"af_doc_load reads files and reports I/O errors", test_load_file},
    {"af_doc_quote escapes and cuts", test_quote},
    {"--set by index and by name, adding missing keys", test_set_paths},
    {"--set errors name the path and column", test_set_errors},
    {NULL, NULL},
};

AF_TEST_MAIN("doc", tests)
