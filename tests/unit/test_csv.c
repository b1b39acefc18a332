/*
 * test_csv: the CSV output (report/csv.c). Fields are quoted as RFC 4180 asks and only then;
 * numbers read back to the same double, NaN is an empty field; the series files have the units in
 * their headers, one row per window per component, window after window, the last window ending
 * at run.duration and a last narrower row for base windows not yet merged; the summary holds
 * every metric with its SI unit and label, texts as text; the directory is made with its parents,
 * a path that cannot be one is refused, and the same results give the same bytes.
 */
#include "base/outfile.h"
#include "report/csv.h"

#include "cutest.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh temporary directory (free the string; removed by rm_tree). */
static char *make_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    char *dir = af_strfmt("%s/aifsim-csv-XXXXXX", t && *t ? t : "/tmp");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    return dir;
}

static void rm_tree(const char *dir)
{
    char *cmd = af_strfmt("rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    af_free(cmd);
}

/* The whole of a file as a string (free it), or NULL when it cannot be read. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (int c; (c = fgetc(f)) != EOF;) {
        buf = af_grow(buf, &cap, n + 2, 1);
        buf[n++] = (char)c;
    }
    fclose(f);
    if (!buf)
        buf = af_calloc(1, 1);
    buf[n] = '\0';
    return buf;
}

/* What af_csv_write_field / af_csv_write_number write for one value. */
static char *field_of(const char *s, const double *v)
{
    char *dir = make_tmpdir();
    char *path = af_strfmt("%s/f", dir);
    af_diag *d = af_diag_new();
    af_outfile *f = af_outfile_open(path, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    if (s)
        af_csv_write_field(f, s);
    else
        af_csv_write_number(f, *v);
    CU_ASSERT_EQUAL(af_outfile_commit(f, d), AF_OK);
    char *got = slurp(path);
    af_diag_free(d);
    af_free(path);
    rm_tree(dir);
    af_free(dir);
    return got;
}

#define FIELD_IS(in, want)                                                                         \
    do {                                                                                           \
        char *got_ = field_of((in), NULL);                                                         \
        CU_ASSERT_STRING_EQUAL(got_, (want));                                                      \
        af_free(got_);                                                                             \
    } while (0)

static void test_quoting(void)
{
    FIELD_IS("plain", "plain");
    FIELD_IS("", "");
    FIELD_IS("with space", "with space");
    FIELD_IS("B/s", "B/s");
    FIELD_IS("a,b", "\"a,b\"");
    FIELD_IS("say \"hi\"", "\"say \"\"hi\"\"\"");
    FIELD_IS("\"", "\"\"\"\"");
    FIELD_IS("two\nlines", "\"two\nlines\"");
    FIELD_IS("cr\rhere", "\"cr\rhere\"");
    FIELD_IS("q\",x", "\"q\"\",x\"");
}

static void test_numbers(void)
{
    /* clang-format off */
    const double cases[] = {0, 1, -1, 0.1, 1.0 / 3, 2.5e-310, 1.7976931348623157e308, -0.0,
                            123456789012345678.0, 6.02214076e23, 0.61299999999999999};
    /* clang-format on */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = field_of(NULL, &cases[i]);
        char *end;
        double back = strtod(got, &end);
        CU_ASSERT_EQUAL(*end, '\0');
        CU_ASSERT_EQUAL(memcmp(&back, &cases[i], sizeof back), 0);
        af_free(got);
    }
    /* Random doubles, all bit patterns of finite ones, read back exactly. */
    srand(7);
    for (int i = 0; i < 200; i++) {
        uint64_t bits = 0;
        for (int k = 0; k < 4; k++)
            bits = bits << 16 | (uint64_t)(rand() & 0xffff);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        char *got = field_of(NULL, &v);
        double back = strtod(got, NULL);
        CU_ASSERT_EQUAL(memcmp(&back, &v, sizeof v), 0);
        af_free(got);
    }
    double nan = NAN, inf = INFINITY, ninf = -INFINITY;
    char *g = field_of(NULL, &nan);
    CU_ASSERT_STRING_EQUAL(g, "");
    af_free(g);
    g = field_of(NULL, &inf);
    CU_ASSERT_STRING_EQUAL(g, "inf");
    af_free(g);
    g = field_of(NULL, &ninf);
    CU_ASSERT_STRING_EQUAL(g, "-inf");
    af_free(g);
}

/* Results of a small run: two pools, a facility, three windows of 10 s. */
static af_results *small_results(void)
{
    af_results *r = af_results_new();
    af_results_set_text(r, "run.scenario", "a, \"quoted\" name", "scenario");
    af_results_set(r, "run.duration", 30, AF_DIM_TIME, "simulated time");
    af_results_set(r, "pool.a.gpu_utilization", 0.5, AF_DIM_RATIO, "GPU utilization");
    af_results_set(r, "storage.hot.read_rate", 2.5e9, AF_DIM_BANDWIDTH, NULL);
    af_results_set(r, "cost.total", NAN, AF_DIM_MONEY, "total, all in");
    const char *pools[] = {"a", "b"};
    for (int w = 0; w < 3; w++) {
        for (int p = 0; p < 2; p++) {
            char name[64];
            snprintf(name, sizeof name, "pool.%s.gpu_utilization", pools[p]);
            af_series_push(af_results_series(r, name, AF_DIM_RATIO, "GPU utilization", 10),
                           0.25 * (w + 1) + 0.125 * p);
            snprintf(name, sizeof name, "pool.%s.power", pools[p]);
            af_series_push(af_results_series(r, name, AF_DIM_POWER, "power", 10), 1000 * (w + 1));
        }
        af_series_push(af_results_series(r, "facility.power", AF_DIM_POWER, "facility power", 10),
                       0.1 + w);
    }
    return r;
}

static void test_layout(void)
{
    char *top = make_tmpdir();
    char *dir = af_strfmt("%s/made/with/parents", top);
    af_results *r = small_results();
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_report_csv_check(dir, d), AF_OK);
    struct stat st;
    CU_ASSERT_NOT_EQUAL(stat(dir, &st), 0); /* the check creates nothing */
    CU_ASSERT_EQUAL(af_report_csv_save(r, dir, d), AF_OK);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);

    char *path = af_strfmt("%s/series-pool.csv", dir);
    char *got = slurp(path);
    CU_ASSERT_STRING_EQUAL(got, "t_start_s,t_end_s,pool,gpu_utilization [1],power [W]\n"
                                "0,10,a,0.25,1000\n"
                                "0,10,b,0.375,1000\n"
                                "10,20,a,0.5,2000\n"
                                "10,20,b,0.625,2000\n"
                                "20,30,a,0.75,3000\n"
                                "20,30,b,0.875,3000\n");
    af_free(got);
    af_free(path);
    path = af_strfmt("%s/series-facility.csv", dir);
    got = slurp(path);
    CU_ASSERT_STRING_EQUAL(got, "t_start_s,t_end_s,power [W]\n"
                                "0,10,0.10000000000000001\n"
                                "10,20,1.1000000000000001\n"
                                "20,30,2.1000000000000001\n");
    af_free(got);
    af_free(path);
    path = af_strfmt("%s/summary.csv", dir);
    got = slurp(path);
    CU_ASSERT_STRING_EQUAL(got, "name,value,unit,label\n"
                                "run.scenario,\"a, \"\"quoted\"\" name\",text,scenario\n"
                                "run.duration,30,s,simulated time\n"
                                "pool.a.gpu_utilization,0.5,1,GPU utilization\n"
                                "storage.hot.read_rate,2500000000,B/s,\n"
                                "cost.total,,USD,\"total, all in\"\n");
    af_free(got);
    af_free(path);

    /* Only these files, no temporary left. */
    char *cmd = af_strfmt("test \"$(ls -A '%s' | tr '\\n' ' ')\" = "
                          "'series-facility.csv series-pool.csv summary.csv '",
                          dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    af_free(cmd);

    /* The same results again, into the existing directory: the same bytes. */
    CU_ASSERT_EQUAL(af_report_csv_check(dir, d), AF_OK);
    char *dir2 = af_strfmt("%s/again", top);
    CU_ASSERT_EQUAL(af_report_csv_save(r, dir2, d), AF_OK);
    cmd = af_strfmt("diff -r '%s' '%s' >/dev/null", dir, dir2);
    CU_ASSERT_EQUAL(system(cmd), 0);
    af_free(cmd);
    af_free(dir2);

    af_diag_free(d);
    af_results_free(r);
    rm_tree(top);
    af_free(top);
    af_free(dir);
}

/* A series that merged windows: the rows' window-weighted mean is the mean of every value
 * pushed, the last row being the base windows not merged yet, ending at run.duration. */
static void test_merged_series(void)
{
    char *dir = make_tmpdir();
    af_results *r = af_results_new();
    size_t pushes = AF_SERIES_MAX + 3;
    double dt = 0.5, sum = 0;
    af_results_set(r, "run.duration", (double)pushes * dt, AF_DIM_TIME, NULL);
    af_series *s = af_results_series(r, "lookup.q.p99", AF_DIM_TIME, NULL, dt);
    for (size_t i = 0; i < pushes; i++) {
        af_series_push(s, (double)i);
        sum += (double)i;
    }
    CU_ASSERT_EQUAL(s->per, 2);
    CU_ASSERT_EQUAL(s->acc_n, 1);
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL(af_report_csv_save(r, dir, d), AF_OK);
    char *path = af_strfmt("%s/series-lookup.csv", dir);
    char *got = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(strncmp(got, "t_start_s,t_end_s,lookup,p99 [s]\n", 33), 0);
    size_t rows = 0;
    double weighted = 0, prev_end = 0, end = 0;
    for (char *line = strchr(got, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        double t0 = strtod(line, &line);
        double t1 = strtod(line + 1, &line);
        CU_ASSERT_EQUAL(strncmp(line, ",q,", 3), 0);
        double v = strtod(line + 3, &line);
        CU_ASSERT_EQUAL(*line, '\n');
        CU_ASSERT_DOUBLE_EQUAL(t0, prev_end, 1e-9);
        weighted += v * (t1 - t0);
        prev_end = end = t1;
        rows++;
    }
    CU_ASSERT_EQUAL(rows, s->n + 1);
    CU_ASSERT_EQUAL(end, (double)pushes * dt);
    AF_ASSERT_REL(weighted / end, sum / (double)pushes, 1e-12);
    af_free(got);
    af_free(path);
    af_diag_free(d);
    af_results_free(r);
    rm_tree(dir);
    af_free(dir);
}

static void test_bad_dir(void)
{
    char *top = make_tmpdir();
    char *file = af_strfmt("%s/plain-file", top);
    FILE *f = fopen(file, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    af_results *r = small_results();
    af_diag *d = af_diag_new();
    /* An existing file, and a path under one, are not directories. */
    CU_ASSERT_EQUAL(af_report_csv_check(file, d), AF_EIO);
    CU_ASSERT_EQUAL(af_report_csv_save(r, file, d), AF_EIO);
    char *under = af_strfmt("%s/sub", file);
    CU_ASSERT_EQUAL(af_report_csv_check(under, d), AF_EIO);
    CU_ASSERT_EQUAL(af_report_csv_save(r, under, d), AF_EIO);
    CU_ASSERT_EQUAL(af_report_csv_check("", d), AF_EIO);
    CU_ASSERT_EQUAL(af_diag_errors(d), 5);
    char *msg = af_diag_format(d, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, file));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, strerror(ENOTDIR)));
    af_free(msg);
    af_free(under);
    af_diag_free(d);
    af_results_free(r);
    rm_tree(top);
    af_free(top);
    af_free(file);
}

static const af_test tests[] = {
    {"fields are quoted as RFC 4180 asks, and only then", test_quoting},
    {"numbers read back to the same double; NaN empty, infinities inf", test_numbers},
    {"files, headers with units, one row per window per component, summary", test_layout},
    {"a merged series' rows cover the run and keep its mean", test_merged_series},
    {"a directory that cannot be made is refused with a message", test_bad_dir},
    {NULL, NULL},
};

AF_TEST_MAIN("csv", tests)
