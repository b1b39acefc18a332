/*
 * test_json: the JSON writer. Strings escape quotes and backslashes, and every control character
 * (U+0000..U+001F and DEL) as \u00XX, so a name with a raw newline or escape byte cannot break
 * the file or a terminal; other bytes (UTF-8 included) pass unchanged. A whole results file
 * with such names reads as the expected text.
 */
#include "report/json.h"

#include "base/alloc.h"
#include "base/outfile.h"
#include "base/results.h"

#include "cutest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a whole file into a new string, or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 256, n = 0, k;
    char *buf = af_malloc_array(cap, 1);
    while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap)
            buf = af_grow(buf, &cap, cap * 2, 1);
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* A fresh path under $TMPDIR; a new string. */
static char *temp_path(void)
{
    const char *tmp = getenv("TMPDIR");
    return af_strfmt("%s/af-json-%ld.json", tmp && *tmp ? tmp : "/tmp", (long)getpid());
}

/* Writes s with af_json_write_string to a file and returns what the file holds. */
static char *json_string(const char *s)
{
    char *path = temp_path();
    af_diag *d = af_diag_new();
    af_outfile *f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    af_json_write_string(f, s);
    CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_OK);
    char *got = slurp(path);
    unlink(path);
    af_free(path);
    af_diag_free(d);
    return got;
}

static void test_plain(void)
{
    char *got = json_string("train.vit.gpu_utilization");
    CU_ASSERT_STRING_EQUAL(got, "\"train.vit.gpu_utilization\"");
    af_free(got);
    got = json_string("");
    CU_ASSERT_STRING_EQUAL(got, "\"\"");
    af_free(got);
    /* UTF-8 passes as it is. */
    got = json_string("caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x9a\x80");
    CU_ASSERT_STRING_EQUAL(got, "\"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x9a\x80\"");
    af_free(got);
}

static void test_quotes_and_backslashes(void)
{
    char *got = json_string("a\"b\\c\"\"");
    CU_ASSERT_STRING_EQUAL(got, "\"a\\\"b\\\\c\\\"\\\"\"");
    af_free(got);
}

static void test_control_characters(void)
{
    /* Every control character, at the start, inside and at the end. */
    for (int c = 1; c < 0x20; c++) {
        char in[8], want[32];
        snprintf(in, sizeof in, "%cx%cy%c", c, c, c);
        snprintf(want, sizeof want, "\"\\u%04xx\\u%04xy\\u%04x\"", c, c, c);
        char *got = json_string(in);
        CU_ASSERT_STRING_EQUAL(got, want);
        af_free(got);
    }
    char *got = json_string("tab\there\nnew\x1b[31mred\x7f");
    CU_ASSERT_STRING_EQUAL(got, "\"tab\\u0009here\\u000anew\\u001b[31mred\\u007f\"");
    af_free(got);
}

static void test_results_file(void)
{
    char *path = temp_path();
    af_results *r = af_results_new();
    af_results_set(r, "burst.ck\npt.bytes", 1.5, AF_DIM_SIZE, NULL);
    af_results_set_text(r, "train.\"v\".bottleneck", "tier \x01 NICs", NULL);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_report_json_save(r, path, d), AF_OK);
    char *got = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got,
                           "{\n"
                           "  \"burst.ck\\u000apt.bytes\": {\"value\": 1.5, \"unit\": \"B\"},\n"
                           "  \"train.\\\"v\\\".bottleneck\": {\"text\": \"tier \\u0001 NICs\"}\n"
                           "}\n");
    unlink(path);
    af_free(got);
    af_free(path);
    af_diag_free(d);
    af_results_free(r);
}

static const af_test tests[] = {
    {"plain text and UTF-8 pass unchanged", test_plain},
    {"quotes and backslashes are escaped", test_quotes_and_backslashes},
    {"control characters are written as \\u00XX", test_control_characters},
    {"a results file with hostile names is valid JSON", test_results_file},
    {NULL, NULL},
};

AF_TEST_MAIN("json", tests)
