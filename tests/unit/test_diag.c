/*
 * test_diag: diagnostics. The GNU message form with and without a position, severities and
 * their counts, insertion order, copies of the strings, clearing, printing, and the "did you
 * mean" helpers (edit distance against an independent reference, thresholds, ties).
 */
#include "base/diag.h"

#include "base/alloc.h"

#include "cutest.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Formats message i and compares it with want; prints both on a mismatch. */
static int formats_as(const af_diag *d, size_t i, const char *want)
{
    char *got = af_diag_format(d, i);
    int ok = strcmp(got, want) == 0;
    if (!ok)
        fprintf(stderr, "\n  got:    %s\n  wanted: %s\n", got, want);
    af_free(got);
    return ok;
}

#define FORMATS(d, i, want) CU_ASSERT(formats_as((d), (i), (want)))

static void test_format_position(void)
{
    af_diag *d = af_diag_new();
    af_diag_error_at(d, "scenarios/x.yaml", 14, 9, "storage[1].nodes",
                     "expected a positive integer, got \"%s\"", "eight");
    FORMATS(d, 0,
            "scenarios/x.yaml:14:9: error: storage[1].nodes: expected a positive integer, "
            "got \"eight\"");
    af_diag_add(d, AF_SEV_WARNING, "x.yaml", 3, 0, "seed", "seed %d is unusual", 0);
    FORMATS(d, 1, "x.yaml:3: warning: seed: seed 0 is unusual");
    af_diag_add(d, AF_SEV_NOTE, "x.yaml", 0, 0, NULL, "defined here");
    FORMATS(d, 2, "x.yaml: note: defined here");
    af_diag_add(d, AF_SEV_ERROR, "--set", 0, 5, "storage.hot.nodes", "bad");
    FORMATS(d, 3, "--set: error: storage.hot.nodes: bad"); /* a column without a line is dropped */
    af_diag_error_at(d, "x.yaml", 1, 1, "", "empty path means none");
    FORMATS(d, 4, "x.yaml:1:1: error: empty path means none");
    af_diag_free(d);
}

static void test_format_no_position(void)
{
    af_diag *d = af_diag_new();
    af_diag_error(d, "cannot write %s: %s", "out.json", "No space left on device");
    FORMATS(d, 0, "aifsim: error: cannot write out.json: No space left on device");
    af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, NULL, "only a warning");
    FORMATS(d, 1, "aifsim: warning: only a warning");
    af_diag_add(d, AF_SEV_ERROR, NULL, 0, 0, "a.b", "with a path");
    FORMATS(d, 2, "aifsim: error: a.b: with a path");
    const af_diag_msg *m = af_diag_get(d, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_PTR_NULL(m->file);
    CU_ASSERT_PTR_NULL(m->path);
    CU_ASSERT_EQUAL(m->line, 0);
    CU_ASSERT_EQUAL(m->col, 0);
    CU_ASSERT_EQUAL(m->sev, AF_SEV_ERROR);
    af_diag_free(d);
}

static void test_counts_and_order(void)
{
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    CU_ASSERT_EQUAL(af_diag_errors(d), 0);
    CU_ASSERT_PTR_NULL(af_diag_get(d, 0));
    for (int i = 0; i < 100; i++) {
        af_severity sev = i % 3 == 0 ? AF_SEV_ERROR : i % 3 == 1 ? AF_SEV_WARNING : AF_SEV_NOTE;
        af_diag_add(d, sev, "f.yaml", i + 1, 1, NULL, "message %d", i);
    }
    CU_ASSERT_EQUAL(af_diag_count(d), 100);
    CU_ASSERT_EQUAL(af_diag_errors(d), 34); /* 0, 3, ..., 99: warnings and notes do not count */
    int in_order = 1;
    for (int i = 0; i < 100; i++) {
        char want[32];
        snprintf(want, sizeof want, "message %d", i);
        const af_diag_msg *m = af_diag_get(d, (size_t)i);
        in_order &= m && strcmp(m->text, want) == 0 && m->line == i + 1;
    }
    CU_ASSERT(in_order);
    CU_ASSERT_PTR_NULL(af_diag_get(d, 100));
    CU_ASSERT_PTR_NULL(af_diag_get(d, SIZE_MAX));
    af_diag_free(d);
    af_diag_free(NULL);
}

static void test_copies_strings(void)
{
    char file[16] = "a.yaml", path[16] = "x.y", text[16] = "hello";
    af_diag *d = af_diag_new();
    af_diag_error_at(d, file, 2, 3, path, "%s", text);
    strcpy(file, "CHANGED");
    strcpy(path, "CHANGED");
    strcpy(text, "CHANGED");
    FORMATS(d, 0, "a.yaml:2:3: error: x.y: hello");
    /* A long message is kept whole. */
    char big[5001];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    af_diag_error(d, "%s", big);
    CU_ASSERT_EQUAL(strlen(af_diag_get(d, 1)->text), 5000);
    /* Percent signs in the arguments are not interpreted again. */
    af_diag_error(d, "%s", "100% %s %d");
    CU_ASSERT_STRING_EQUAL(af_diag_get(d, 2)->text, "100% %s %d");
    af_diag_free(d);
}

static void test_clear(void)
{
    af_diag *d = af_diag_new();
    af_diag_error(d, "one");
    af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, NULL, "two");
    af_diag_clear(d);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    CU_ASSERT_EQUAL(af_diag_errors(d), 0);
    CU_ASSERT_PTR_NULL(af_diag_get(d, 0));
    af_diag_error(d, "three");
    CU_ASSERT_EQUAL(af_diag_count(d), 1);
    CU_ASSERT_EQUAL(af_diag_errors(d), 1);
    FORMATS(d, 0, "aifsim: error: three");
    af_diag_clear(d);
    af_diag_clear(d);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_diag_free(d);
}

static void test_print(void)
{
    af_diag *d = af_diag_new();
    af_diag_error_at(d, "x.yaml", 1, 2, "a", "first");
    af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, NULL, "second");
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    af_diag_print(d, f);
    rewind(f);
    char buf[256] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    CU_ASSERT_STRING_EQUAL(buf, "x.yaml:1:2: error: a: first\naifsim: warning: second\n");
    fclose(f);
    af_diag_free(d);
}

/* Reference Levenshtein distance: the full table, no cap, no shortcuts. */
static int ref_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int *t = af_malloc_array((la + 1) * (lb + 1), sizeof *t);
    for (size_t i = 0; i <= la; i++)
        for (size_t j = 0; j <= lb; j++) {
            int v;
            if (i == 0)
                v = (int)j;
            else if (j == 0)
                v = (int)i;
            else {
                v = t[(i - 1) * (lb + 1) + (j - 1)] + (a[i - 1] != b[j - 1]);
                if (t[(i - 1) * (lb + 1) + j] + 1 < v)
                    v = t[(i - 1) * (lb + 1) + j] + 1;
                if (t[i * (lb + 1) + j - 1] + 1 < v)
                    v = t[i * (lb + 1) + j - 1] + 1;
            }
            t[i * (lb + 1) + j] = v;
        }
    int d = t[la * (lb + 1) + lb];
    af_free(t);
    return d;
}

static void test_edit_distance(void)
{
    CU_ASSERT_EQUAL(af_edit_distance("", ""), 0);
    CU_ASSERT_EQUAL(af_edit_distance("a", ""), 1);
    CU_ASSERT_EQUAL(af_edit_distance("", "abc"), 3);
    CU_ASSERT_EQUAL(af_edit_distance("kitten", "sitting"), 3);
    CU_ASSERT_EQUAL(af_edit_distance("sitting", "kitten"), 3);
    CU_ASSERT_EQUAL(af_edit_distance("flaw", "lawn"), 2);
    CU_ASSERT_EQUAL(af_edit_distance("Gb/s", "GB/s"), 1); /* case counts */
    CU_ASSERT_EQUAL(af_edit_distance("ib-ndr-400", "ib-ndr-400"), 0);
    CU_ASSERT_EQUAL(af_edit_distance("ib-ndr400", "ib-ndr-400"), 1);
    CU_ASSERT_EQUAL(af_edit_distance("abc", "cab"), 2);
}

static void test_edit_distance_long(void)
{
    /* Strings longer than 64 bytes: the distance is still exact up to the cap of 100. */
    char a[201], b[201];
    memset(a, 'x', 200);
    a[200] = '\0';
    memcpy(b, a, sizeof a);
    CU_ASSERT_EQUAL(af_edit_distance(a, b), 0);
    b[0] = 'y';
    b[199] = 'y';
    CU_ASSERT_EQUAL(af_edit_distance(a, b), 2);
    b[100] = '\0';
    CU_ASSERT_EQUAL(af_edit_distance(a, b), 100); /* 101 or more, capped */
    memset(b, 'y', 200);
    b[200] = '\0';
    CU_ASSERT_EQUAL(af_edit_distance(a, b), 100);
    CU_ASSERT_EQUAL(af_edit_distance(a, ""), 100);
    char c[66];
    memset(c, 'k', 65);
    c[65] = '\0';
    CU_ASSERT_EQUAL(af_edit_distance(c, c), 0);
    c[64] = 'j';
    CU_ASSERT_EQUAL(af_edit_distance(c, "kkkk"), 61);

    /* Huge inputs stay linear: two million-byte strings that differ in three places. */
    enum { N = 1000000 };
    char *p = af_malloc_array(N + 1, 1), *q = af_malloc_array(N + 1, 1);
    for (size_t i = 0; i < N; i++)
        p[i] = q[i] = (char)('a' + i % 26);
    p[N] = q[N] = '\0';
    q[10] = '#';
    q[N / 2] = '#';
    q[N - 10] = '#';
    CU_ASSERT_EQUAL(af_edit_distance(p, q), 3);
    af_free(p);
    af_free(q);

    /* Random strings over a small alphabet agree with the reference table. */
    uint32_t seed = 12345;
    int bad = 0;
    for (int k = 0; k < 3000; k++) {
        char s[160], t[160];
        seed = seed * 1103515245u + 12345u;
        size_t ls = (seed >> 8) % 150;
        seed = seed * 1103515245u + 12345u;
        size_t lt = (k % 3 == 0) ? ls : (seed >> 8) % 150;
        for (size_t i = 0; i < ls; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = (char)('a' + (seed >> 16) % 3);
        }
        s[ls] = '\0';
        for (size_t i = 0; i < lt; i++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly a copy of s with a few edits, so that small distances occur */
            t[i] = (i < ls && (seed >> 16) % 8) ? s[i] : (char)('a' + (seed >> 20) % 3);
        }
        t[lt] = '\0';
        int want = ref_distance(s, t);
        if (want > 100)
            want = 100;
        if (af_edit_distance(s, t) != want) {
            if (!bad)
                fprintf(stderr, "\n  \"%s\" vs \"%s\": got %d, wanted %d\n", s, t,
                        af_edit_distance(s, t), want);
            bad++;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_did_you_mean(void)
{
    static const char *const links[] = {"ib-ndr-400", "ib-hdr-200", "roce-400", "nvlink-4"};
    CU_ASSERT_STRING_EQUAL(af_did_you_mean("ib-ndr400", links, 4), "ib-ndr-400");
    CU_ASSERT_STRING_EQUAL(af_did_you_mean("ib-ndr-400", links, 4), "ib-ndr-400"); /* exact */
    CU_ASSERT_STRING_EQUAL(af_did_you_mean("roce400", links, 4), "roce-400");
    CU_ASSERT_STRING_EQUAL(af_did_you_mean("nvlnk-4", links, 4), "nvlink-4");
    /* 2 edits in a word of 8 letters */
    CU_ASSERT_STRING_EQUAL(af_did_you_mean("ib-nd-40", links, 4), "ib-ndr-400");
    CU_ASSERT_PTR_NULL(af_did_you_mean("ethernet", links, 4));
    CU_ASSERT_PTR_NULL(af_did_you_mean("ib", links, 4));
    CU_ASSERT_PTR_NULL(af_did_you_mean("ib-ndr-400", links, 0));
    CU_ASSERT_PTR_NULL(af_did_you_mean("x", NULL, 0));

    /* Thresholds: words of up to 3 letters allow 1 edit, then 2, then a third of the length. */
    static const char *const units[] = {"min", "GB/s", "dgx-h100-superpod"};
    CU_ASSERT_STRING_EQUAL(af_did_you_mean("mn", units, 3), "min");
    CU_ASSERT_PTR_NULL(af_did_you_mean("mx", units, 3)); /* 2 edits from "min", length 2 */
    CU_ASSERT_STRING_EQUAL(af_did_you_mean("Gb/S", units, 3), "GB/s"); /* 2 edits, length 4 */
    CU_ASSERT_PTR_NULL(af_did_you_mean("gb/S", units, 3));             /* 3 edits */
    CU_ASSERT_STRING_EQUAL(af_did_you_mean("dgx-h10-supperpd", units, 3), "dgx-h100-superpod");
    CU_ASSERT_PTR_NULL(af_did_you_mean("dgx-h10-supper", units, 3)); /* 5 edits, length 14 */

    /* Ties go to the first candidate, so hints do not depend on anything but the list order. */
    static const char *const tie[] = {"kB", "MB", "GB"};
    CU_ASSERT_STRING_EQUAL(af_did_you_mean("xB", tie, 3), "kB");
    static const char *const tie2[] = {"GB", "MB", "kB"};
    CU_ASSERT_STRING_EQUAL(af_did_you_mean("xB", tie2, 3), "GB");
}

static const af_test tests[] = {
    {"format: file:line:col: severity: path: text", test_format_position},
    {"format: no position reads aifsim: error:", test_format_no_position},
    {"errors and warnings are counted apart, order is kept", test_counts_and_order},
    {"the diag owns copies of its strings", test_copies_strings},
    {"clear removes everything and the diag stays usable", test_clear},
    {"print writes one line per message", test_print},
    {"edit distance: known pairs", test_edit_distance},
    {"edit distance: long and random strings against a reference", test_edit_distance_long},
    {"did you mean: near misses, no match, thresholds, ties", test_did_you_mean},
    {NULL, NULL},
};

AF_TEST_MAIN("diag", tests)
