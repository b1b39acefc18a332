/*
 * test_sens: the values `aifsim sensitivity` moves a field to (plan/sens.h) and the field it
 * reads them from (af_scenario_field_get). Scaling: a bandwidth, a size, a time, a percentage
 * and a count written with a binary suffix keep their written unit and parse back to exactly
 * base x (1 -+ by); whole numbers round half away from zero and move by at least 1 (2 at 10%
 * gives 1 and 3; 64 gives 58 and 70; 45 gives 41 and 50 from 40.5 and 49.5; 5 gives 4 and 6,
 * 4.5 rounding to 5 and then moving by 1);
 * values past the range stop at its end and say so; an open end, a base of 0 and a text that is
 * not a number are refused. Reading: tests/fixtures/good.yaml's integer, time and size fields by
 * path (names and [N]), a catalog override, a --set giving a base, and every path that leads
 * nowhere or to something that is not a number, with its message.
 */
#include "plan/sens.h"

#include "base/alloc.h"
#include "base/diag.h"
#include "scenario/catalog.h"

#include "cutest.h"

#include <math.h>
#include <string.h>

static bool diag_has(const af_diag *d, const char *text)
{
    for (size_t i = 0; i < af_diag_count(d); i++)
        if (strstr(af_diag_get(d, i)->text, text))
            return true;
    return false;
}

/* A real field of dim with the written text and value, range [min, max]. */
static af_scenario_field real_field(const char *text, double value, af_dim dim, double min,
                                    double max, bool min_open)
{
    af_scenario_field f = {
        .value = value, .dim = dim, .min = min, .max = max, .min_open = min_open};
    snprintf(f.text, sizeof f.text, "%s", text);
    return f;
}

static af_scenario_field int_field(const char *text, double value, double min, double max)
{
    af_scenario_field f = real_field(text, value, AF_DIM_COUNT, min, max, false);
    f.integer = true;
    return f;
}

/* Moves f by `by` and checks the two texts and values. */
static void check(const af_scenario_field *f, double by, const char *lo_text, double lo,
                  const char *hi_text, double hi)
{
    af_diag *d = af_diag_new();
    af_sens_value l, h;
    CU_ASSERT_EQUAL_FATAL(af_sens_values(f, by, "x", &l, &h, d), AF_OK);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    CU_ASSERT_STRING_EQUAL(l.text, lo_text);
    CU_ASSERT_STRING_EQUAL(h.text, hi_text);
    AF_ASSERT_REL(l.value, lo, 1e-12);
    AF_ASSERT_REL(h.value, hi, 1e-12);
    af_diag_free(d);
}

static void test_units(void)
{
    af_scenario_field f = real_field("400 Gb/s", 50e9, AF_DIM_BANDWIDTH, 0, 1e15, true);
    check(&f, 0.1, "360 Gb/s", 45e9, "440 Gb/s", 55e9);
    f = real_field("110 kB", 110e3, AF_DIM_SIZE, 0, 1e12, true);
    check(&f, 0.1, "99 kB", 99e3, "121 kB", 121e3);
    f = real_field("250 ms", 0.25, AF_DIM_TIME, 0, 86400, true);
    check(&f, 0.2, "200 ms", 0.2, "300 ms", 0.3);
    f = real_field("80%", 0.8, AF_DIM_RATIO, 0, 1, false);
    check(&f, 0.1, "72%", 0.72, "88%", 0.88);
    /* No blank between number and unit, an exponent, a sign-less fraction. */
    f = real_field("2GB/s", 2e9, AF_DIM_BANDWIDTH, 0, 1e15, true);
    check(&f, 0.25, "1.5GB/s", 1.5e9, "2.5GB/s", 2.5e9);
    f = real_field("1e6", 1e6, AF_DIM_NUMBER, 0, 1e9, true);
    check(&f, 0.5, "500000", 5e5, "1500000", 1.5e6);
    f = real_field(".5", 0.5, AF_DIM_NUMBER, 0, 10, true);
    check(&f, 0.1, "0.45", 0.45, "0.55", 0.55);
    /* A count with a binary suffix is an integer field: written plainly. */
    f = int_field("4Mi", 4194304, 1, 1e12);
    check(&f, 0.5, "2097152", 2097152, "6291456", 6291456);
}

static void test_integers(void)
{
    af_scenario_field f = int_field("2", 2, 1, 1e6);
    check(&f, 0.1, "1", 1, "3", 3);
    f = int_field("64", 64, 1, 1e6);
    check(&f, 0.1, "58", 58, "70", 70); /* 57.6 and 70.4 */
    f = int_field("5", 5, 1, 1e6);
    check(&f, 0.1, "4", 4, "6", 6); /* 4.5 rounds to 5, the base: moved by 1; 5.5 to 6 */
    f = int_field("45", 45, 1, 1e6);
    check(&f, 0.1, "41", 41, "50", 50); /* 40.5 and 49.5, half away from zero */
    f = int_field("1000", 1000, 1, 1e6);
    check(&f, 0.01, "990", 990, "1010", 1010);
    f = int_field("1000", 1000, 1, 1e6);
    check(&f, 0.0001, "999", 999, "1001", 1001); /* 999.9 rounds to 1000: moved by 1 */
}

static void test_range(void)
{
    /* The range's ends: a count of 1 stays at its minimum 1; a ratio at 95% stops at 100%. */
    af_diag *d = af_diag_new();
    af_sens_value l, h;
    af_scenario_field f = int_field("1", 1, 1, 1e6);
    CU_ASSERT_EQUAL(af_sens_values(&f, 0.1, "x", &l, &h, d), AF_OK);
    CU_ASSERT_STRING_EQUAL(l.text, "1");
    CU_ASSERT_TRUE(l.clamped);
    CU_ASSERT_STRING_EQUAL(h.text, "2");
    CU_ASSERT_FALSE(h.clamped);
    f = real_field("95%", 0.95, AF_DIM_RATIO, 0, 1, false);
    CU_ASSERT_EQUAL(af_sens_values(&f, 0.1, "x", &l, &h, d), AF_OK);
    CU_ASSERT_STRING_EQUAL(l.text, "85.5%");
    CU_ASSERT_FALSE(l.clamped);
    CU_ASSERT_STRING_EQUAL(h.text, "100%");
    CU_ASSERT_TRUE(h.clamped);
    CU_ASSERT_DOUBLE_EQUAL(h.value, 1, 1e-15);
    f = int_field("1000000", 1e6, 1, 1e6);
    CU_ASSERT_EQUAL(af_sens_values(&f, 0.1, "x", &l, &h, d), AF_OK);
    CU_ASSERT_STRING_EQUAL(h.text, "1000000");
    CU_ASSERT_TRUE(h.clamped);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    /* An open end cannot be reached: (2, 10] at 2.1 moved down by 10% is 1.89. */
    f = real_field("2.1", 2.1, AF_DIM_NUMBER, 2, 10, true);
    CU_ASSERT_EQUAL(af_sens_values(&f, 0.1, "weight", &l, &h, d), AF_EINPUT);
    CU_ASSERT_TRUE(diag_has(d, "--param weight: the low value 1.89 is not more than the field's "
                               "minimum 2"));
    af_diag_free(d);
}

static void test_refused(void)
{
    af_diag *d = af_diag_new();
    af_sens_value l, h;
    af_scenario_field f = real_field("0 s", 0, AF_DIM_TIME, 0, 10, false);
    CU_ASSERT_EQUAL(af_sens_values(&f, 0.1, "workloads.x.start", &l, &h, d), AF_EINPUT);
    CU_ASSERT_TRUE(diag_has(d, "--param workloads.x.start: its value is 0 s: a share of it moves "
                               "nothing"));
    af_diag_clear(d);
    f = int_field("0", 0, 0, 10);
    CU_ASSERT_EQUAL(af_sens_values(&f, 0.1, "x", &l, &h, d), AF_EINPUT);
    af_diag_clear(d);
    /* strtod would read these; a scenario value never is one. */
    f = real_field("0x10", 16, AF_DIM_NUMBER, 0, 100, false);
    CU_ASSERT_EQUAL(af_sens_values(&f, 0.1, "x", &l, &h, d), AF_EINPUT);
    CU_ASSERT_TRUE(diag_has(d, "\"0x10\" is not a number with a unit to scale"));
    af_diag_clear(d);
    f = real_field("inf", 1, AF_DIM_NUMBER, 0, 100, false);
    CU_ASSERT_EQUAL(af_sens_values(&f, 0.1, "x", &l, &h, d), AF_EINPUT);
    af_diag_free(d);
}

static af_catalog *catalog(void)
{
    char *dir = af_test_srcpath("models");
    af_diag *d = af_diag_new();
    af_catalog *cat = af_catalog_load(dir, d);
    af_diag_print(d, stderr);
    af_diag_free(d);
    af_free(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cat);
    return cat;
}

static void test_field_get(void)
{
    af_catalog *cat = catalog();
    char *file = af_test_srcpath("tests/fixtures/good.yaml");
    af_diag *d = af_diag_new();
    af_scenario_field f;
    CU_ASSERT_EQUAL(af_scenario_field_get(file, cat, NULL, 0, "storage.hot.nodes", &f, d), AF_OK);
    CU_ASSERT_STRING_EQUAL(f.text, "1");
    CU_ASSERT_TRUE(f.integer);
    CU_ASSERT_EQUAL(f.dim, AF_DIM_COUNT);
    CU_ASSERT_DOUBLE_EQUAL(f.value, 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(f.min, 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(f.max, 1e6, 0);
    CU_ASSERT_EQUAL(af_scenario_field_get(file, cat, NULL, 0, "cluster[0].nodes", &f, d), AF_OK);
    CU_ASSERT_STRING_EQUAL(f.text, "2");
    CU_ASSERT_EQUAL(af_scenario_field_get(file, cat, NULL, 0, "workloads.vit.step_time", &f, d),
                    AF_OK);
    CU_ASSERT_STRING_EQUAL(f.text, "250 ms");
    CU_ASSERT_FALSE(f.integer);
    CU_ASSERT_EQUAL(f.dim, AF_DIM_TIME);
    CU_ASSERT_DOUBLE_EQUAL(f.value, 0.25, 1e-15);
    CU_ASSERT_TRUE(f.min_open);
    CU_ASSERT_EQUAL(
        af_scenario_field_get(file, cat, NULL, 0, "workloads.vit.dataset.sample_size", &f, d),
        AF_OK);
    CU_ASSERT_STRING_EQUAL(f.text, "110 kB");
    CU_ASSERT_EQUAL(f.dim, AF_DIM_SIZE);
    CU_ASSERT_DOUBLE_EQUAL(f.value, 110e3, 1e-9);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);

    /* A --set gives a base to a field the file leaves out, here a catalog override. */
    af_scenario_set sets[2];
    CU_ASSERT_EQUAL(af_scenario_parse_set("storage.hot.override.device_read=3 GB/s", &sets[0], d),
                    AF_OK);
    CU_ASSERT_EQUAL(af_scenario_parse_set("workloads.vit.dataset.prefetch=3", &sets[1], d), AF_OK);
    CU_ASSERT_EQUAL(
        af_scenario_field_get(file, cat, sets, 2, "storage.hot.override.device_read", &f, d),
        AF_OK);
    CU_ASSERT_STRING_EQUAL(f.text, "3 GB/s");
    CU_ASSERT_EQUAL(f.dim, AF_DIM_BANDWIDTH);
    CU_ASSERT_DOUBLE_EQUAL(f.value, 3e9, 1e-3);
    CU_ASSERT_EQUAL(
        af_scenario_field_get(file, cat, sets, 2, "workloads.vit.dataset.prefetch", &f, d), AF_OK);
    CU_ASSERT_TRUE(f.integer);
    CU_ASSERT_DOUBLE_EQUAL(f.value, 3, 0);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);

    /* Nowhere, or not a number. */
    static const struct {
        const char *path, *msg;
    } bad[] = {
        {"storage.hot.nodez", "not in the scenario; did you mean \"storage.hot.nodes\"?"},
        {"storage.hott.nodes", "not in the scenario; did you mean \"storage.hot\"?"},
        {"storage.cold.nodes", "not in the scenario: no entry of storage is named \"cold\""},
        {"workloads.vit.dataset.prefetch", "not in the scenario (a field left to its default?); "
                                           "give its base value with --set "
                                           "workloads.vit.dataset.prefetch=VALUE"},
        {"storage[1].nodes", "not in the scenario: the list has 1 entry"},
        {"storage.hot.system", "\"flash-qlc-node\" is not a quantity to move"},
        {"storage.hot", "a mapping, not a quantity to move"},
        {"name", "\"good\" is not a quantity to move"},
        {"duration.x", "duration is a single value, not a mapping"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        af_diag_clear(d);
        CU_ASSERT_EQUAL(af_scenario_field_get(file, cat, NULL, 0, bad[i].path, &f, d), AF_EINPUT);
        if (!diag_has(d, bad[i].msg)) {
            fprintf(stderr, "%s: expected \"%s\", got:\n", bad[i].path, bad[i].msg);
            af_diag_print(d, stderr);
            CU_FAIL("message");
        }
    }
    af_diag_clear(d);
    CU_ASSERT_EQUAL(af_scenario_field_get(file, cat, NULL, 0, "storage..nodes", &f, d), AF_EINPUT);
    CU_ASSERT_TRUE(diag_has(d, "expected a path such as"));
    af_diag_clear(d);
    CU_ASSERT_EQUAL(af_scenario_field_get("no-such-file.yaml", cat, NULL, 0, "name", &f, d),
                    AF_EIO);
    af_diag_free(d);
    af_free(file);
    af_catalog_free(cat);
}

static const af_test tests[] = {
    {"values keep the written unit and parse back exactly", test_units},
    {"whole numbers round half away and move by at least 1", test_integers},
    {"the field's range: clamped at closed ends, refused at open ones", test_range},
    {"a base of 0 and texts that are not numbers are refused", test_refused},
    {"fields read by path with their unit, kind and range", test_field_get},
    {NULL, NULL},
};

AF_TEST_MAIN("sens", tests)
