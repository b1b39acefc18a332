/*
 * test_results: the results store. Insertion order is kept, an overwrite stays in place, names
 * and labels are copied, look-ups and index access respect their bounds.
 */
#include "base/results.h"

#include <math.h>

#include "cutest.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void test_empty(void)
{
    af_results *r = af_results_new();
    CU_ASSERT_EQUAL(af_results_count(r), 0);
    CU_ASSERT_PTR_NULL(af_results_get(r, 0));
    CU_ASSERT_PTR_NULL(af_results_find(r, "anything"));
    CU_ASSERT_PTR_NULL(af_results_find(r, ""));
    af_results_free(r);
    af_results_free(NULL);
}

static void test_insertion_order(void)
{
    af_results *r = af_results_new();
    /* Names in an order that is neither sorted nor hash-like. */
    static const char *const names[] = {"train.main.step_time",
                                        "storage.hot.read_rate",
                                        "facility.power",
                                        "a",
                                        "train.main.gpu_utilization",
                                        "cost.total"};
    for (size_t i = 0; i < 6; i++)
        af_results_set(r, names[i], (double)i, AF_DIM_NUMBER, NULL);
    CU_ASSERT_EQUAL(af_results_count(r), 6);
    for (size_t i = 0; i < 6; i++) {
        const af_metric *m = af_results_get(r, i);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        CU_ASSERT_STRING_EQUAL(m->name, names[i]);
        CU_ASSERT_EQUAL(m->value, (double)i);
    }
    CU_ASSERT_PTR_NULL(af_results_get(r, 6));
    CU_ASSERT_PTR_NULL(af_results_get(r, SIZE_MAX));
    af_results_free(r);
}

static void test_overwrite_in_place(void)
{
    af_results *r = af_results_new();
    af_results_set(r, "a", 1, AF_DIM_TIME, "A");
    af_results_set(r, "b", 2, AF_DIM_SIZE, "B");
    af_results_set(r, "c", 3, AF_DIM_POWER, NULL);
    af_results_set(r, "a", 10, AF_DIM_BANDWIDTH, "A2");
    CU_ASSERT_EQUAL(af_results_count(r), 3);
    const af_metric *m = af_results_get(r, 0);
    CU_ASSERT_STRING_EQUAL(m->name, "a");
    CU_ASSERT_EQUAL(m->value, 10);
    CU_ASSERT_EQUAL(m->dim, AF_DIM_BANDWIDTH);
    CU_ASSERT_STRING_EQUAL(m->label, "A2");
    CU_ASSERT_STRING_EQUAL(af_results_get(r, 1)->name, "b");
    CU_ASSERT_STRING_EQUAL(af_results_get(r, 2)->name, "c");
    CU_ASSERT_PTR_NULL(af_results_get(r, 2)->label);

    /* A label can be added on overwrite, and an overwrite with NULL drops it. */
    af_results_set(r, "c", 4, AF_DIM_POWER, "C");
    CU_ASSERT_STRING_EQUAL(af_results_find(r, "c")->label, "C");
    af_results_set(r, "b", 5, AF_DIM_SIZE, NULL);
    CU_ASSERT_PTR_NULL(af_results_find(r, "b")->label);
    CU_ASSERT_EQUAL(af_results_find(r, "b")->value, 5);

    /* Updating a value while passing the metric's own label and name back must work (the
     * label used to be freed before it was copied). */
    m = af_results_find(r, "a");
    af_results_set(r, m->name, 11, m->dim, m->label);
    m = af_results_find(r, "a");
    CU_ASSERT_EQUAL(m->value, 11);
    CU_ASSERT_STRING_EQUAL(m->label, "A2");
    CU_ASSERT_STRING_EQUAL(m->name, "a");
    CU_ASSERT_EQUAL(af_results_count(r), 3);
    af_results_free(r);
}

static void test_find(void)
{
    af_results *r = af_results_new();
    af_results_set(r, "train.main", 1, AF_DIM_NUMBER, NULL);
    af_results_set(r, "train.main.gpu", 2, AF_DIM_NUMBER, NULL);
    CU_ASSERT_EQUAL(af_results_find(r, "train.main")->value, 1);
    CU_ASSERT_EQUAL(af_results_find(r, "train.main.gpu")->value, 2);
    CU_ASSERT_PTR_NULL(af_results_find(r, "train"));         /* no prefix match */
    CU_ASSERT_PTR_NULL(af_results_find(r, "train.main.gp")); /* no prefix match */
    CU_ASSERT_PTR_NULL(af_results_find(r, "Train.main"));    /* case matters */
    CU_ASSERT_PTR_EQUAL(af_results_find(r, "train.main"), af_results_get(r, 0));
    af_results_free(r);
}

static void test_copies(void)
{
    char name[32] = "x.y", label[32] = "Label";
    af_results *r = af_results_new();
    af_results_set(r, name, 1.5, AF_DIM_RATIO, label);
    strcpy(name, "changed");
    strcpy(label, "changed");
    const af_metric *m = af_results_get(r, 0);
    CU_ASSERT_STRING_EQUAL(m->name, "x.y");
    CU_ASSERT_STRING_EQUAL(m->label, "Label");
    CU_ASSERT_PTR_NULL(af_results_find(r, "changed"));
    af_results_free(r);
}

static void test_many(void)
{
    af_results *r = af_results_new();
    for (int i = 999; i >= 0; i--) {
        char name[32];
        snprintf(name, sizeof name, "m%d", i);
        af_results_set(r, name, i, AF_DIM_COUNT, NULL);
    }
    for (int i = 0; i < 1000; i += 7) {
        char name[32];
        snprintf(name, sizeof name, "m%d", i);
        af_results_set(r, name, -i, AF_DIM_COUNT, "again");
    }
    CU_ASSERT_EQUAL(af_results_count(r), 1000);
    int ok = 1;
    for (int k = 0; k < 1000; k++) {
        int i = 999 - k;
        char name[32];
        snprintf(name, sizeof name, "m%d", i);
        const af_metric *m = af_results_get(r, (size_t)k);
        ok &= strcmp(m->name, name) == 0;
        ok &= m->value == (i % 7 == 0 ? -i : i);
        ok &= af_results_find(r, name) == m;
    }
    CU_ASSERT(ok);
    af_results_free(r);
}

static void test_special_values(void)
{
    af_results *r = af_results_new();
    af_results_set(r, "nan", NAN, AF_DIM_NUMBER, NULL);
    af_results_set(r, "inf", INFINITY, AF_DIM_TIME, NULL);
    af_results_set(r, "", 0, AF_DIM_NUMBER, "");
    CU_ASSERT(isnan(af_results_find(r, "nan")->value));
    CU_ASSERT(isinf(af_results_find(r, "inf")->value));
    CU_ASSERT_PTR_NOT_NULL(af_results_find(r, ""));
    CU_ASSERT_STRING_EQUAL(af_results_find(r, "")->label, "");
    af_results_free(r);
}

/* A text metric keeps its place, is copied, and turns back into a scalar when set so. */
static void test_text_metrics(void)
{
    af_results *r = af_results_new();
    char text[] = "tier hot NICs out";
    af_results_set(r, "a", 1, AF_DIM_COUNT, NULL);
    af_results_set_text(r, "b", text, "held back most by");
    text[0] = 'X';
    const af_metric *m = af_results_find(r, "b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->text, "tier hot NICs out");
    CU_ASSERT_STRING_EQUAL(m->label, "held back most by");
    CU_ASSERT(isnan(m->value));
    CU_ASSERT_PTR_NULL(af_results_find(r, "a")->text);
    af_results_set_text(r, "b", "devices", NULL);
    CU_ASSERT_STRING_EQUAL(af_results_find(r, "b")->text, "devices");
    af_results_set(r, "b", 2, AF_DIM_RATIO, NULL);
    m = af_results_find(r, "b");
    CU_ASSERT_PTR_NULL(m->text);
    CU_ASSERT_EQUAL(m->value, 2);
    CU_ASSERT_EQUAL(af_results_count(r), 2);
    CU_ASSERT_STRING_EQUAL(af_results_get(r, 1)->name, "b");
    af_results_free(r);
}

/* A series stays within AF_SERIES_MAX points and each point is the exact mean of the base
 * windows it covers: pushing v_k = k for k = 0..N-1, point i of width `per` holds the mean of
 * i*per .. (i+1)*per - 1, which is i*per + (per - 1)/2. */
static void test_series_bounded(void)
{
    af_results *r = af_results_new();
    af_series *s = af_results_series(r, "pool.p.gpu_utilization", AF_DIM_RATIO, "GPU", 10);
    CU_ASSERT_PTR_EQUAL(af_results_series(r, "pool.p.gpu_utilization", AF_DIM_RATIO, NULL, 10), s);
    for (size_t k = 0; k < 10000; k++) {
        af_series_push(s, (double)k);
        CU_ASSERT(s->n <= AF_SERIES_MAX);
    }
    /* 10,000 base windows: past 2,048 they merge to 2 each, past 4,096 to 4, past 8,192 to 8:
     * 1,250 whole points of 8 windows, 80 s wide. */
    CU_ASSERT_EQUAL(s->per, 8);
    CU_ASSERT_EQUAL(s->n, 1250);
    CU_ASSERT_DOUBLE_EQUAL(s->dt, 80, 0);
    CU_ASSERT_EQUAL(s->acc_n, 0);
    for (size_t i = 0; i < s->n; i++)
        CU_ASSERT_DOUBLE_EQUAL(s->v[i], (double)(i * 8) + 3.5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(af_series_t(s, 3), 240, 0);
    /* A second series in the same results, found by name; the order is the making order. */
    af_series *b = af_results_series(r, "storage.hot.used", AF_DIM_SIZE, NULL, 10);
    af_series_push(b, 5);
    CU_ASSERT_EQUAL(af_results_nseries(r), 2);
    CU_ASSERT_PTR_EQUAL(af_results_series_get(r, 1), b);
    CU_ASSERT_PTR_EQUAL(af_results_series_find(r, "storage.hot.used"), b);
    CU_ASSERT_PTR_NULL(af_results_series_find(r, "storage.hot"));
    CU_ASSERT_EQUAL(b->n, 1);
    af_results_free(r);
}

static const af_test tests[] = {
    {"time series stay bounded and keep exact means", test_series_bounded},
    {"empty results", test_empty},
    {"metrics keep insertion order", test_insertion_order},
    {"overwrite keeps the position and replaces value, dim and label", test_overwrite_in_place},
    {"find matches whole names only", test_find},
    {"names and labels are copied", test_copies},
    {"a thousand metrics, reverse order, overwrites", test_many},
    {"NaN, infinity and empty names are stored as given", test_special_values},
    {"text metrics", test_text_metrics},
    {NULL, NULL},
};

AF_TEST_MAIN("results", tests)
