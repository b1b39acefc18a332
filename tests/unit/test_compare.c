/*
 * test_compare: the comparison of two results (report/compare.c). Rows follow A's order, and a
 * metric only B wrote lands after the metric B wrote before it, past the rest of that group when
 * it opens a group of its own; B - A and B / A - 1 are given only where both are finite numbers
 * of one unit (and A is not 0 for the ratio); texts only differ or not; the headline selection
 * takes metrics added later under its patterns; the table formats differences with their sign
 * and unit (percentage points for shares) and the JSON writes null for what is undefined.
 */
#include "base/metrics.h"
#include "base/outfile.h"
#include "report/compare.h"

#include "cutest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The names of c's rows joined by spaces (free it). */
static char *row_names(const af_compare *c)
{
    char *s = af_strdup("");
    for (size_t i = 0; i < c->n; i++) {
        char *t = af_strfmt("%s%s%s", s, i ? " " : "", c->rows[i].name);
        af_free(s);
        s = t;
    }
    return s;
}

static const af_compare_row *row(const af_compare *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->rows[i].name, name) == 0)
            return &c->rows[i];
    return NULL;
}

#define NAMES(c, want)                                                                             \
    do {                                                                                           \
        char *got_ = row_names(c);                                                                 \
        if (strcmp(got_, (want)) != 0)                                                             \
            fprintf(stderr, "\n  rows: %s\n  want: %s\n", got_, (want));                           \
        CU_ASSERT_STRING_EQUAL(got_, (want));                                                      \
        af_free(got_);                                                                             \
    } while (0)

static void test_identical(void)
{
    af_results *a = af_results_new();
    af_results_set(a, "run.duration", 3600, AF_DIM_TIME, NULL);
    af_results_set(a, "storage.hot.power", 1240, AF_DIM_POWER, NULL);
    af_results_set(a, "storage.hot.rejected_writes", 0, AF_DIM_SIZE, NULL);
    af_results_set_text(a, "train.j.bottleneck", "tier hot devices", NULL);
    af_compare *c = af_compare_new(a, a);
    CU_ASSERT_EQUAL(c->n, 4);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    af_compare_side s = {.file = "s.yaml", .name = "s", .column = "s"};
    af_report_compare_text(c, &s, &s, false, "title", f);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(buf, "\n3 of 4 metrics shown; the two runs agree on every one\n"));
    free(buf);
    for (size_t i = 0; i < c->n; i++) {
        CU_ASSERT_FALSE(c->rows[i].differs);
        if (!c->rows[i].text) {
            CU_ASSERT_TRUE(c->rows[i].has_diff);
            CU_ASSERT_EQUAL(c->rows[i].diff, 0);
        }
    }
    CU_ASSERT_TRUE(row(c, "storage.hot.power")->has_ratio);
    CU_ASSERT_EQUAL(row(c, "storage.hot.power")->ratio, 0);
    /* 0 against 0: no change, but no ratio either. */
    CU_ASSERT_FALSE(row(c, "storage.hot.rejected_writes")->has_ratio);
    CU_ASSERT_TRUE(row(c, "train.j.bottleneck")->text);
    CU_ASSERT_FALSE(row(c, "train.j.bottleneck")->has_diff);
    af_compare_free(c);
    af_results_free(a);
}

static void test_values(void)
{
    af_results *a = af_results_new(), *b = af_results_new();
    af_results_set(a, "storage.hot.power", 1240, AF_DIM_POWER, "average power");
    af_results_set(b, "storage.hot.power", 2480, AF_DIM_POWER, "average power");
    af_results_set(a, "cost.total", 400, AF_DIM_MONEY, NULL);
    af_results_set(b, "cost.total", 300, AF_DIM_MONEY, NULL);
    af_results_set(a, "cost.new", 0, AF_DIM_MONEY, NULL);
    af_results_set(b, "cost.new", 5, AF_DIM_MONEY, NULL);
    af_results_set(a, "x.nan", NAN, AF_DIM_TIME, NULL);
    af_results_set(b, "x.nan", 1, AF_DIM_TIME, NULL);
    af_results_set(a, "x.unit", 1, AF_DIM_TIME, NULL);
    af_results_set(b, "x.unit", 1, AF_DIM_SIZE, NULL);
    af_results_set_text(a, "train.j.bottleneck", "tier hot devices", NULL);
    af_results_set_text(b, "train.j.bottleneck", "tier hot NICs out", NULL);
    af_compare *c = af_compare_new(a, b);
    const af_compare_row *r = row(c, "storage.hot.power");
    CU_ASSERT_TRUE(r->differs && r->has_diff && r->has_ratio);
    CU_ASSERT_EQUAL(r->diff, 1240);
    CU_ASSERT_EQUAL(r->ratio, 1);
    CU_ASSERT_STRING_EQUAL(r->label, "average power");
    r = row(c, "cost.total");
    CU_ASSERT_EQUAL(r->diff, -100);
    CU_ASSERT_EQUAL(r->ratio, -0.25);
    r = row(c, "cost.new");
    CU_ASSERT_TRUE(r->has_diff);
    CU_ASSERT_EQUAL(r->diff, 5);
    CU_ASSERT_FALSE(r->has_ratio);
    r = row(c, "x.nan");
    CU_ASSERT_TRUE(r->differs);
    CU_ASSERT_FALSE(r->has_diff || r->has_ratio);
    r = row(c, "x.unit");
    CU_ASSERT_TRUE(r->differs);
    CU_ASSERT_FALSE(r->has_diff);
    r = row(c, "train.j.bottleneck");
    CU_ASSERT_TRUE(r->text && r->differs);
    CU_ASSERT_FALSE(r->has_diff || r->has_ratio);
    af_compare_free(c);
    af_results_free(a);
    af_results_free(b);
}

static void test_order(void)
{
    af_results *a = af_results_new(), *b = af_results_new();
    /* A: run, tier hot (three figures), facility. */
    af_results_set(a, "run.duration", 1, AF_DIM_TIME, NULL);
    af_results_set(a, "storage.hot.read_rate", 1, AF_DIM_BANDWIDTH, NULL);
    af_results_set(a, "storage.hot.power", 1, AF_DIM_POWER, NULL);
    af_results_set(a, "storage.hot.only_a", 1, AF_DIM_POWER, NULL);
    af_results_set(a, "facility.power", 1, AF_DIM_POWER, NULL);
    /* B: a figure before everything, a new figure of tier hot after its read rate, a tier warm
     * that A lacks after hot's power (it goes past the rest of hot's group), facility. */
    af_results_set(b, "a.first", 1, AF_DIM_COUNT, NULL);
    af_results_set(b, "run.duration", 1, AF_DIM_TIME, NULL);
    af_results_set(b, "storage.hot.read_rate", 1, AF_DIM_BANDWIDTH, NULL);
    af_results_set(b, "storage.hot.nodes", 4, AF_DIM_COUNT, NULL);
    af_results_set(b, "storage.hot.power", 1, AF_DIM_POWER, NULL);
    af_results_set(b, "storage.warm.read_rate", 1, AF_DIM_BANDWIDTH, NULL);
    af_results_set(b, "storage.warm.power", 1, AF_DIM_POWER, NULL);
    af_results_set(b, "facility.power", 1, AF_DIM_POWER, NULL);
    af_results_set(b, "zz.last", 1, AF_DIM_COUNT, NULL);
    af_compare *c = af_compare_new(a, b);
    NAMES(c, "a.first run.duration storage.hot.read_rate storage.hot.nodes storage.hot.power "
             "storage.hot.only_a storage.warm.read_rate storage.warm.power facility.power "
             "zz.last");
    CU_ASSERT_PTR_NULL(row(c, "storage.hot.only_a")->b);
    CU_ASSERT_PTR_NULL(row(c, "storage.warm.power")->a);
    CU_ASSERT_TRUE(row(c, "storage.warm.power")->differs);
    CU_ASSERT_FALSE(row(c, "storage.warm.power")->has_diff);
    af_compare_free(c);

    /* Empty against full and the reverse: every row from the one side, in its order. */
    af_results *e = af_results_new();
    c = af_compare_new(e, b);
    CU_ASSERT_EQUAL(c->n, af_results_count(b));
    CU_ASSERT_STRING_EQUAL(c->rows[0].name, "a.first");
    CU_ASSERT_STRING_EQUAL(c->rows[c->n - 1].name, "zz.last");
    af_compare_free(c);
    c = af_compare_new(a, e);
    CU_ASSERT_EQUAL(c->n, af_results_count(a));
    af_compare_free(c);
    c = af_compare_new(e, e);
    CU_ASSERT_EQUAL(c->n, 0);
    af_compare_free(c);
    af_results_free(e);
    af_results_free(a);
    af_results_free(b);
}

static void test_headline(void)
{
    CU_ASSERT_TRUE(af_compare_headline("train.llm-70b.gpu_utilization"));
    CU_ASSERT_TRUE(af_compare_headline("train.llm.data_wait"));
    CU_ASSERT_TRUE(af_compare_headline("train.llm.bottleneck"));
    CU_ASSERT_TRUE(af_compare_headline("train.llm.samples_per_second"));
    CU_ASSERT_TRUE(af_compare_headline("storage.hot.read_rate"));
    CU_ASSERT_TRUE(af_compare_headline("storage.hot.nodes"));
    CU_ASSERT_TRUE(af_compare_headline("facility.power"));
    CU_ASSERT_TRUE(af_compare_headline("cost.per_useful_gpu_hour"));
    /* Added later under the prefixes: selected without a change. */
    CU_ASSERT_TRUE(af_compare_headline("facility.carbon"));
    CU_ASSERT_TRUE(af_compare_headline("facility.power_gpu"));
    CU_ASSERT_TRUE(af_compare_headline("cost.tco"));
    CU_ASSERT_TRUE(af_compare_headline("cost.per_mtoken"));
    CU_ASSERT_FALSE(af_compare_headline("train.llm.gpu_utilization_during_bursts"));
    CU_ASSERT_FALSE(af_compare_headline("pool.llm.gpu_utilization"));
    CU_ASSERT_FALSE(af_compare_headline("storage.hot.read_bytes"));
    CU_ASSERT_FALSE(af_compare_headline("run.events"));
    CU_ASSERT_FALSE(af_compare_headline("facilityx.power"));
}

/* The table of c as a string (free it). */
static char *table(const af_compare *c, bool all)
{
    static const char *const sets[] = {"storage.hot.nodes=4"};
    af_compare_side sa = {.file = "s.yaml", .name = "flagship", .seed = 42, .column = "flagship"};
    af_compare_side sb = {.file = "s.yaml",
                          .name = "flagship",
                          .seed = 42,
                          .overrides = sets,
                          .noverrides = 1,
                          .column = "storage.hot.nodes=4"};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    af_report_compare_text(c, &sa, &sb, all, "title", f);
    fclose(f);
    return buf;
}

#define HAS(s, what)                                                                               \
    do {                                                                                           \
        if (!strstr((s), (what)))                                                                  \
            fprintf(stderr, "\n  missing \"%s\" in:\n%s\n", (what), (s));                          \
        CU_ASSERT_PTR_NOT_NULL(strstr((s), (what)));                                               \
    } while (0)
#define HASNT(s, what) CU_ASSERT_PTR_NULL(strstr((s), (what)))

/* True when a line of s holds first and, after it, then. */
static bool line_has(const char *s, const char *first, const char *then)
{
    for (const char *p = strstr(s, first); p; p = strstr(p + 1, first)) {
        const char *eol = strchr(p, '\n');
        const char *q = strstr(p + strlen(first), then);
        if (q && (!eol || q < eol))
            return true;
    }
    return false;
}

#define LINE(s, first, then)                                                                       \
    do {                                                                                           \
        if (!line_has((s), (first), (then)))                                                       \
            fprintf(stderr, "\n  no line with \"%s\" then \"%s\" in:\n%s\n", (first), (then),      \
                    (s));                                                                          \
        CU_ASSERT_TRUE(line_has((s), (first), (then)));                                            \
    } while (0)

static void test_text(void)
{
    af_results *a = af_results_new(), *b = af_results_new();
    af_results_put(a, AF_M_TRAIN_UTIL, "llm", 0.5);
    af_results_put(b, AF_M_TRAIN_UTIL, "llm", 0.625);
    af_results_put(a, AF_M_TRAIN_STEPS, "llm", 100);
    af_results_put(b, AF_M_TRAIN_STEPS, "llm", 100);
    af_results_put_text(a, AF_M_TRAIN_BOTTLENECK, "llm", "tier hot devices");
    af_results_put(a, AF_M_STORAGE_READ_BYTES, "hot", 1e15);
    af_results_put(b, AF_M_STORAGE_READ_BYTES, "hot", 2e15);
    af_results_put(a, AF_M_STORAGE_POWER, "hot", 1240);
    af_results_put(b, AF_M_STORAGE_POWER, "hot", 2480);
    af_results_put(a, AF_M_COST_TOTAL, NULL, 400);
    af_results_put(b, AF_M_COST_TOTAL, NULL, 300);
    af_results_put(a, AF_M_STORAGE_REJECTED, "hot", 0);
    af_results_put(b, AF_M_STORAGE_REJECTED, "hot", 0);
    af_compare *c = af_compare_new(a, b);
    char *s = table(c, false);
    HAS(s, "title\n  A: flagship (s.yaml, seed 42)\n  B: flagship (s.yaml, seed 42, --set "
           "storage.hot.nodes=4)\n");
    HAS(s, "storage.hot.nodes=4");
    HAS(s, "\ntrain.llm\n  computing ");
    /* Shares differ in percentage points, and change by a signed percentage. */
    LINE(s, "  computing  ", " 50%  ");
    LINE(s, " 50%  ", " 62.5%  +12.5 pp  ");
    LINE(s, "+12.5 pp  ", " +25%\n");
    LINE(s, "  steps completed  ", " 100   ");
    LINE(s, " 100  ", " 0       0%\n");
    LINE(s, "  held back longest by  ", " tier hot devices  ");
    LINE(s, " tier hot devices  ", " -   differs\n");
    LINE(s, "  average power  ", " 1.24 kW  ");
    LINE(s, " 1.24 kW  ", " 2.48 kW  +1.24 kW  ");
    LINE(s, "+1.24 kW  ", " +100%\n");
    LINE(s, " 400 USD  ", " 300 USD  -100 USD  ");
    LINE(s, "-100 USD  ", " -25%\n");
    HASNT(s, " \n");
    /* Headline only: bytes read and refused writes are left out, and counted. */
    HASNT(s, "bytes read");
    HAS(s, "5 of 7 metrics shown, 4 of them differ (5 of all 7); --all shows every one\n");
    free(s);
    s = table(c, true);
    HAS(s, "bytes read");
    LINE(s, "  bytes read  ", " +1 PB  ");
    LINE(s, "  writes refused: tier full  ", " 0 B  ");
    LINE(s, " 0 B  ", " n/a\n");
    HAS(s, "7 metrics, 5 differ\n");
    /* Every line of the table fits in 100 columns. */
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
        CU_ASSERT_TRUE(strlen(line) <= 100);
    free(s);
    af_compare_free(c);
    af_results_free(a);
    af_results_free(b);
}

static void test_json(void)
{
    af_results *a = af_results_new(), *b = af_results_new();
    af_results_put(a, AF_M_STORAGE_POWER, "hot", 1240);
    af_results_put(b, AF_M_STORAGE_POWER, "hot", 2480);
    af_results_put(a, AF_M_STORAGE_REJECTED, "hot", 0);
    af_results_put(b, AF_M_STORAGE_REJECTED, "hot", 0);
    af_results_put_text(a, AF_M_TRAIN_BOTTLENECK, "llm", "tier \"hot\" devices");
    af_results_put(b, AF_M_COST_TOTAL, NULL, 300);
    af_compare *c = af_compare_new(a, b);
    static const char *const sets[] = {"storage.hot.nodes=4", "seed=7"};
    af_compare_side sa = {.file = "s.yaml", .name = "flag", .seed = 7, .column = "flag"};
    af_compare_side sb = {.file = "s.yaml",
                          .name = "flag",
                          .seed = 7,
                          .overrides = sets,
                          .noverrides = 2,
                          .column = "storage.hot.nodes=4"};
    char path[] = "/tmp/test_compare.XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    close(fd);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_report_compare_json_save(c, &sa, &sb, path, d), AF_OK);
    FILE *f = fopen(path, "r");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(path);
    HAS(buf, "{\n  \"a\": {\"file\": \"s.yaml\", \"name\": \"flag\", \"seed\": 7, \"overrides\": "
             "[]},\n");
    HAS(buf, "  \"b\": {\"file\": \"s.yaml\", \"name\": \"flag\", \"seed\": 7, \"overrides\": "
             "[\"storage.hot.nodes=4\", \"seed=7\"]},\n  \"metrics\": [\n");
    HAS(buf, "    {\"name\": \"storage.hot.power\", \"unit\": \"W\", \"a\": 1240, \"b\": 2480, "
             "\"diff\": 1240, \"ratio\": 1},\n");
    HAS(buf, "    {\"name\": \"storage.hot.rejected_writes\", \"unit\": \"B\", \"a\": 0, \"b\": 0, "
             "\"diff\": 0, \"ratio\": null},\n");
    /* B's own cost.total goes after the metric B wrote before it. */
    HAS(buf, "    {\"name\": \"cost.total\", \"unit\": \"USD\", \"a\": null, \"b\": 300, \"diff\": "
             "null, \"ratio\": null},\n");
    HAS(buf,
        "    {\"name\": \"train.llm.bottleneck\", \"unit\": \"text\", \"a\": \"tier \\\"hot\\\" "
        "devices\", \"b\": null, \"diff\": null, \"ratio\": null}\n  ]\n}\n");
    af_diag_free(d);
    af_compare_free(c);
    af_results_free(a);
    af_results_free(b);
}

static const af_test tests[] = {
    {"a run against itself: no difference anywhere", test_identical},
    {"differences, ratios and what leaves them undefined", test_values},
    {"rows in A's order, B's own metrics in their groups", test_order},
    {"the headline selection by name patterns", test_headline},
    {"the table: signs, units, percentage points, counts", test_text},
    {"the JSON: provenance, rows, nulls", test_json},
    {NULL, NULL},
};

AF_TEST_MAIN("compare", tests)
