/*
 * cutest: the little glue every CUnit test program shares.
 *
 * A test file defines its test functions and a table, then calls AF_TEST_MAIN:
 *
 *     static const af_test tests[] = {{"orders by time", test_order}, {NULL, NULL}};
 *     AF_TEST_MAIN("heap", tests)
 *
 * The program exits 0 when every test passed, 1 when one failed and 99 when CUnit itself failed,
 * which is what automake's test driver expects.
 */
#ifndef AF_TESTS_CUTEST_H
#define AF_TESTS_CUTEST_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include "base/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct af_test {
    const char *name;  /* what the test checks, in words */
    void (*fn)(void);  /* the test */
} af_test;

/* Passes when |actual - expected| <= rel * |expected| (relative tolerance). */
#define AF_ASSERT_REL(actual, expected, rel)                                                       \
    CU_ASSERT_DOUBLE_EQUAL((actual), (expected), fabs((expected) * (rel)))

/* Path of rel inside the source tree: $top_srcdir (set by `make check`), else derived from the
 * path of this header as compiled in. A new string; release with af_free. */
static inline char *af_test_srcpath(const char *rel)
{
    const char *top = getenv("top_srcdir");
    if (top && *top)
        return af_strfmt("%s/%s", top, rel);
    const char *self = __FILE__;
    const char *end = strstr(self, "tests/unit/cutest.h");
    return af_strfmt("%.*s%s", end ? (int)(end - self) : 0, self, rel);
}

static inline int af_test_run(const char *suite_name, const af_test *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    if (!suite) {
        CU_cleanup_registry();
        return 99;
    }
    for (const af_test *t = tests; t->name; t++)
        if (!CU_add_test(suite, t->name, t->fn)) {
            CU_cleanup_registry();
            return 99;
        }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (CU_basic_run_tests() != CUE_SUCCESS) {
        CU_cleanup_registry();
        return 99;
    }
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0)
        return 99;
    return failed ? 1 : 0;
}

#define AF_TEST_MAIN(suite_name, tests)                                                            \
    int main(void)                                                                                 \
    {                                                                                              \
        return af_test_run((suite_name), (tests));                                                 \
    }

#endif
