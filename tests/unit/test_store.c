/*
 * test_store: the results store (report/store.c). A results value with numbers of several units,
 * NaN, text metrics and series comes back from a temporary database exactly, with its
 * provenance, scenario bytes and a seed above 2^63; the listing's headlines; the schema's version,
 * application id and WAL mode; a hand-made version-0 database is upgraded with its own tables
 * kept, and one whose upgrade fails is left as it was (the upgrade is one transaction); a newer
 * version, another program's database and a file that is no database are refused untouched; a
 * run whose commit fails (AIFSIM_FAULT_WRITE) leaves nothing behind.
 */
#include "base/diag.h"
#include "base/fault.h"
#include "base/results.h"
#include "report/store.h"

#include "cutest.h"

#include <sqlite3.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tmpdir_path;

/* A new path in the test's temporary directory (free it). */
static char *tmp_path(const char *name)
{
    if (!tmpdir_path) {
        char templ[] = "/tmp/aifsim-store.XXXXXX";
        char *dir = mkdtemp(templ);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
        tmpdir_path = af_strdup(dir);
    }
    char *p = af_strfmt("%s/%s", tmpdir_path, name);
    unlink(p);
    char *wal = af_strfmt("%s-wal", p), *shm = af_strfmt("%s-shm", p);
    unlink(wal);
    unlink(shm);
    af_free(wal);
    af_free(shm);
    return p;
}

/* Runs sql on the database at path with the sqlite3 API (not the store). */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fprintf(stderr, "\n  sql: %s\n", err);
    CU_ASSERT_PTR_NULL(err);
    sqlite3_free(err);
    sqlite3_close(db);
}

/* The first column of the first row of sql as an integer (-1 when there is none). */
static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    long long v = -1;
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* The text of the first column of the first row of sql (free it), "" when none. */
static char *raw_text(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *v = NULL;
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        v = af_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v ? v : af_strdup("");
}

/* True when some message of d contains what. */
static bool diag_has(const af_diag *d, const char *what)
{
    for (size_t i = 0; i < af_diag_count(d); i++)
        if (strstr(af_diag_get(d, i)->text, what))
            return true;
    return false;
}

/* A results value like a run's: provenance first, numbers of several units (a NaN among them),
 * a metric without label, a text metric, and two series on one grid. */
static af_results *sample_results(void)
{
    af_results *r = af_results_new();
    af_results_set_text(r, "run.scenario", "flagship", "scenario");
    af_results_set_text(r, "run.scenario_file", "scenarios/flagship.yaml", "scenario file");
    af_results_set_text(r, "run.scenario_hash", "0123456789abcdef", "scenario text hash");
    af_results_set_text(r, "run.overrides", "storage.hot.nodes=8; duration=2 h", "overrides");
    af_results_set_text(r, "run.version", "9.9.9", "aifsim version");
    af_results_set_text(r, "run.catalog_hash", "fedcba9876543210", "model catalog hash");
    af_results_set(r, "run.duration", 7200, AF_DIM_TIME, "simulated time");
    af_results_set(r, "train.llm.gpu_utilization", 0.8731234567890123, AF_DIM_RATIO, "computing");
    af_results_set(r, "train.llm.steps", 2484, AF_DIM_COUNT, "steps completed");
    af_results_set_text(r, "train.llm.bottleneck", "tier hot devices (read)", "held back by");
    af_results_set(r, "train.vit.gpu_utilization", 0.5, AF_DIM_RATIO, "computing");
    af_results_set(r, "storage.hot.read_rate", 1.229e11, AF_DIM_BANDWIDTH, NULL);
    af_results_set(r, "lookup.feat.latency_p50", 8.2e-5, AF_DIM_TIME, "p50 latency");
    af_results_set(r, "lookup.feat.latency_p99", 13.25, AF_DIM_TIME, "p99 latency");
    af_results_set(r, "facility.carbon", 1.5e6, AF_DIM_CARBON, "carbon");
    af_results_set(r, "cost.per_million_tokens", NAN, AF_DIM_MONEY, "per million tokens");
    af_results_set(r, "cost.total", 12345.678, AF_DIM_MONEY, "total");
    af_series *a = af_results_series(r, "pool.llm.gpu_utilization", AF_DIM_RATIO, "GPU util", 30);
    af_series *b = af_results_series(r, "facility.power", AF_DIM_POWER, NULL, 30);
    for (int k = 0; k < 100; k++) {
        af_series_push(a, k == 7 ? NAN : 0.01 * k + 1e-17);
        af_series_push(b, 1e6 + k * 0.125);
    }
    return r;
}

static void check_same_results(const af_results *want, const af_results *got)
{
    CU_ASSERT_EQUAL_FATAL(af_results_count(got), af_results_count(want));
    for (size_t i = 0; i < af_results_count(want); i++) {
        const af_metric *w = af_results_get(want, i), *g = af_results_get(got, i);
        CU_ASSERT_STRING_EQUAL(g->name, w->name);
        if (w->label) {
            CU_ASSERT_TRUE(g->label && strcmp(g->label, w->label) == 0);
        } else {
            CU_ASSERT_PTR_NULL(g->label);
        }
        if (w->text) {
            CU_ASSERT_TRUE(g->text && strcmp(g->text, w->text) == 0);
        } else {
            CU_ASSERT_PTR_NULL(g->text);
            CU_ASSERT_EQUAL(g->dim, w->dim);
            if (isnan(w->value)) {
                CU_ASSERT_TRUE(isnan(g->value));
            } else {
                CU_ASSERT_EQUAL(memcmp(&g->value, &w->value, sizeof w->value), 0);
            }
        }
    }
    CU_ASSERT_EQUAL_FATAL(af_results_nseries(got), af_results_nseries(want));
    for (size_t i = 0; i < af_results_nseries(want); i++) {
        const af_series *w = af_results_series_get(want, i), *g = af_results_series_get(got, i);
        CU_ASSERT_STRING_EQUAL(g->name, w->name);
        CU_ASSERT_EQUAL(g->dim, w->dim);
        CU_ASSERT_EQUAL(g->dt, w->dt);
        CU_ASSERT_EQUAL_FATAL(g->n, w->n);
        CU_ASSERT_EQUAL(!w->label, !g->label);
        if (w->label && g->label) {
            CU_ASSERT_STRING_EQUAL(g->label, w->label);
        }
        for (size_t k = 0; k < w->n; k++)
            CU_ASSERT_TRUE(isnan(w->v[k]) ? isnan(g->v[k]) : g->v[k] == w->v[k]);
    }
}

static void test_round_trip(void)
{
    char *path = tmp_path("round.db");
    af_diag *d = af_diag_new();
    af_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(af_store_open(path, true, &s, d), AF_OK);
    af_results *r = sample_results();
    /* A series that merged its windows (5000 base windows of 1 s: points of 4 s). */
    af_series *m = af_results_series(r, "storage.hot.used_capacity", AF_DIM_SIZE, "used", 1);
    for (int k = 0; k < 5000; k++)
        af_series_push(m, 1e15 + k);
    CU_ASSERT_EQUAL(m->dt, 4);
    static const char text[] = "name: flagship\n\0binary tail\n";
    af_store_input in = {.res = r, .text = text, .text_len = sizeof text - 1,
                         .seed = UINT64_MAX};
    int64_t id1 = 0, id2 = 0;
    CU_ASSERT_EQUAL(af_store_add(s, &in, &id1, d), AF_OK);
    in.seed = 42;
    in.text = NULL;
    CU_ASSERT_EQUAL(af_store_add(s, &in, &id2, d), AF_OK);
    CU_ASSERT_EQUAL(id1, 1);
    CU_ASSERT_EQUAL(id2, 2);
    /* The text does not hash to run.scenario_hash: stored, with a warning. */
    CU_ASSERT_EQUAL(af_diag_errors(d), 0);
    CU_ASSERT_EQUAL(af_diag_count(d), 1);
    CU_ASSERT_TRUE(diag_has(d, "changed while the run was prepared"));
    af_diag_clear(d);

    af_store_run run;
    CU_ASSERT_EQUAL_FATAL(af_store_get(s, id1, true, &run, d), AF_OK);
    CU_ASSERT_EQUAL(run.id, 1);
    CU_ASSERT_STRING_EQUAL(run.scenario, "flagship");
    CU_ASSERT_STRING_EQUAL(run.scenario_file, "scenarios/flagship.yaml");
    CU_ASSERT_STRING_EQUAL(run.scenario_hash, "0123456789abcdef");
    CU_ASSERT_STRING_EQUAL(run.overrides, "storage.hot.nodes=8; duration=2 h");
    CU_ASSERT_STRING_EQUAL(run.version, "9.9.9");
    CU_ASSERT_STRING_EQUAL(run.catalog_hash, "fedcba9876543210");
    CU_ASSERT_EQUAL(run.seed, UINT64_MAX);
    CU_ASSERT_EQUAL(run.duration_s, 7200);
    CU_ASSERT_EQUAL(strlen(run.stored_at), 19);
    CU_ASSERT_EQUAL_FATAL(run.text_len, sizeof text - 1);
    CU_ASSERT_EQUAL(memcmp(run.text, text, sizeof text - 1), 0);
    CU_ASSERT_EQUAL(run.text[run.text_len], '\0');
    CU_ASSERT_PTR_NOT_NULL_FATAL(run.res);
    check_same_results(r, run.res);
    af_store_run_fini(&run);
    /* Without results, and the second run without text. */
    CU_ASSERT_EQUAL_FATAL(af_store_get(s, id2, false, &run, d), AF_OK);
    CU_ASSERT_PTR_NULL(run.res);
    CU_ASSERT_EQUAL(run.text_len, 0);
    CU_ASSERT_EQUAL(run.seed, 42);
    af_store_run_fini(&run);

    /* A run that is not there: bad input, named. */
    CU_ASSERT_EQUAL(af_store_get(s, 3, true, &run, d), AF_EINPUT);
    CU_ASSERT_TRUE(diag_has(d, "holds no run 3"));
    af_diag_clear(d);

    /* The listing and its headlines: the first training job's utilization, cost.total. */
    af_store_run *v = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(af_store_list(s, &v, &n, d), AF_OK);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(v[0].id, 1);
    CU_ASSERT_EQUAL(v[1].id, 2);
    CU_ASSERT_TRUE(v[0].util_job && strcmp(v[0].util_job, "llm") == 0);
    CU_ASSERT_EQUAL(v[0].util, 0.8731234567890123);
    CU_ASSERT_EQUAL(v[0].cost_total, 12345.678);
    CU_ASSERT_EQUAL(v[0].duration_s, 7200);
    CU_ASSERT_PTR_NULL(v[0].res);
    for (size_t i = 0; i < n; i++)
        af_store_run_fini(&v[i]);
    af_free(v);
    af_store_close(s);

    /* What SQL readers see: units, the text metric, the series blob, the latency view. */
    CU_ASSERT_EQUAL(raw_int(path, "SELECT count(*) FROM runs"), 2);
    char *t = raw_text(path, "SELECT unit || ' ' || dim FROM metrics WHERE run_id = 1 AND "
                             "name = 'storage.hot.read_rate'");
    CU_ASSERT_STRING_EQUAL(t, "B/s bandwidth");
    af_free(t);
    t = raw_text(path, "SELECT unit || ' ' || text FROM metrics WHERE run_id = 1 AND "
                       "name = 'train.llm.bottleneck'");
    CU_ASSERT_STRING_EQUAL(t, "text tier hot devices (read)");
    af_free(t);
    CU_ASSERT_EQUAL(raw_int(path, "SELECT value IS NULL FROM metrics WHERE run_id = 1 AND "
                                  "name = 'cost.per_million_tokens'"),
                    1);
    CU_ASSERT_EQUAL(raw_int(path, "SELECT n * 8 = length(v) AND n = 100 FROM series WHERE "
                                  "run_id = 1 AND name = 'facility.power'"),
                    1);
    t = raw_text(path, "SELECT stream || ' ' || p50_s || ' ' || p99_s || ' ' || "
                       "ifnull(p999_s, 'none') FROM latency WHERE run_id = 2");
    CU_ASSERT_STRING_EQUAL(t, "feat 8.2e-05 13.25 none");
    af_free(t);
    t = raw_text(path, "SELECT seed FROM runs WHERE id = 1");
    CU_ASSERT_STRING_EQUAL(t, "18446744073709551615");
    af_free(t);

    af_results_free(r);
    af_diag_free(d);
    af_free(path);
}

static void test_schema(void)
{
    char *path = tmp_path("schema.db");
    af_diag *d = af_diag_new();
    af_store *s = NULL;
    /* Without create, a missing file is refused, and not made. */
    CU_ASSERT_EQUAL(af_store_open(path, false, &s, d), AF_EINPUT);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_TRUE(diag_has(d, "no such file"));
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    af_diag_clear(d);
    CU_ASSERT_EQUAL_FATAL(af_store_open(path, true, &s, d), AF_OK);
    CU_ASSERT_EQUAL(af_store_schema(s), AF_STORE_SCHEMA);
    af_store_close(s);
    CU_ASSERT_EQUAL(raw_int(path, "PRAGMA user_version"), AF_STORE_SCHEMA);
    CU_ASSERT_EQUAL(raw_int(path, "PRAGMA application_id"), 0x4146534d);
    char *mode = raw_text(path, "PRAGMA journal_mode");
    CU_ASSERT_STRING_EQUAL(mode, "wal");
    af_free(mode);
    CU_ASSERT_EQUAL(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                                  "name IN ('metrics_name', 'series_name', 'runs_scenario')"),
                    3);
    /* Opened again: nothing to do. */
    CU_ASSERT_EQUAL_FATAL(af_store_open(path, false, &s, d), AF_OK);
    CU_ASSERT_EQUAL(af_store_schema(s), AF_STORE_SCHEMA);
    af_store_close(s);
    CU_ASSERT_EQUAL(af_diag_count(d), 0);
    af_diag_free(d);
    af_free(path);
}

static void test_migrate_old(void)
{
    af_diag *d = af_diag_new();
    af_store *s = NULL;
    /* An aifsim database of version 0 (its application id set) with a table of the user's
     * own: upgraded, the table kept. Without the id, a file with tables is another program's
     * and is refused untouched (test_refuse_others). */
    char *path = tmp_path("v0.db");
    raw_exec(path, "PRAGMA application_id = 1095127885; CREATE TABLE notes (x TEXT); "
                   "INSERT INTO notes VALUES ('keep me');");
    CU_ASSERT_EQUAL(raw_int(path, "PRAGMA user_version"), 0);
    CU_ASSERT_EQUAL_FATAL(af_store_open(path, false, &s, d), AF_OK);
    CU_ASSERT_EQUAL(af_store_schema(s), AF_STORE_SCHEMA);
    af_store_close(s);
    CU_ASSERT_EQUAL(raw_int(path, "PRAGMA user_version"), AF_STORE_SCHEMA);
    char *t = raw_text(path, "SELECT x FROM notes");
    CU_ASSERT_STRING_EQUAL(t, "keep me");
    af_free(t);
    CU_ASSERT_EQUAL(raw_int(path, "SELECT count(*) FROM runs"), 0);
    af_free(path);

    /* Version 0 whose upgrade fails half-way (a table of that name is there already): refused,
     * and the tables the upgrade had made are rolled back with it. */
    path = tmp_path("v0-clash.db");
    raw_exec(path, "PRAGMA application_id = 1095127885; CREATE TABLE series (x);");
    CU_ASSERT_EQUAL(af_store_open(path, true, &s, d), AF_EIO);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_TRUE(diag_has(d, "upgrading the schema from version 0"));
    CU_ASSERT_TRUE(diag_has(d, "already exists"));
    af_diag_clear(d);
    CU_ASSERT_EQUAL(raw_int(path, "PRAGMA user_version"), 0);
    CU_ASSERT_EQUAL(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                  "('runs', 'metrics', 'metrics_name')"),
                    0);
    af_free(path);
    af_diag_free(d);
}

static void test_refuse(void)
{
    af_diag *d = af_diag_new();
    af_store *s = NULL;
    /* A newer schema: refused, and left as it was (not even switched to WAL). */
    char *path = tmp_path("v99.db");
    raw_exec(path, "CREATE TABLE runs (id INTEGER PRIMARY KEY, future TEXT); "
                   "PRAGMA application_id = 1095127885; PRAGMA user_version = 99;");
    CU_ASSERT_EQUAL(af_store_open(path, true, &s, d), AF_EINPUT);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_TRUE(diag_has(d, "schema version 99, newer than this aifsim reads (version 2)"));
    af_diag_clear(d);
    CU_ASSERT_EQUAL(raw_int(path, "PRAGMA user_version"), 99);
    char *mode = raw_text(path, "PRAGMA journal_mode");
    CU_ASSERT_STRING_EQUAL(mode, "delete");
    af_free(mode);
    af_free(path);

    /* Another program's database. */
    path = tmp_path("other.db");
    raw_exec(path, "PRAGMA application_id = 7; CREATE TABLE t (x);");
    CU_ASSERT_EQUAL(af_store_open(path, true, &s, d), AF_EINPUT);
    CU_ASSERT_TRUE(diag_has(d, "another program"));
    af_diag_clear(d);
    CU_ASSERT_EQUAL(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'runs'"), 0);
    af_free(path);

    /* Another program's database without an id (tables, user_version 0): refused untouched,
     * to write and to read. An empty database file is refused to read. */
    path = tmp_path("other0.db");
    raw_exec(path, "CREATE TABLE t (x);");
    CU_ASSERT_EQUAL(af_store_open(path, true, &s, d), AF_EINPUT);
    CU_ASSERT_EQUAL(af_store_open(path, false, &s, d), AF_EINPUT);
    CU_ASSERT_TRUE(diag_has(d, "another program"));
    af_diag_clear(d);
    CU_ASSERT_EQUAL(raw_int(path, "SELECT count(*) FROM sqlite_schema"), 1);
    CU_ASSERT_EQUAL(raw_int(path, "PRAGMA application_id"), 0);
    af_free(path);

    /* A file that is not a database at all: refused, its bytes untouched. */
    path = tmp_path("scenario.yaml");
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int k = 0; k < 100; k++)
        fprintf(f, "name: not a database, line %d\n", k);
    fclose(f);
    CU_ASSERT_EQUAL(af_store_open(path, true, &s, d), AF_EINPUT);
    CU_ASSERT_TRUE(diag_has(d, "not a SQLite database"));
    af_diag_clear(d);
    char *buf = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(af_store_read_file(path, &buf, &len, d), AF_OK);
    CU_ASSERT_TRUE(buf && strncmp(buf, "name: not a database, line 0\n", 29) == 0);
    af_free(buf);
    af_free(path);
    af_diag_free(d);
}

static void test_failed_commit(void)
{
    char *path = tmp_path("fault.db");
    af_diag *d = af_diag_new();
    af_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(af_store_open(path, true, &s, d), AF_OK);
    af_results *r = sample_results();
    af_store_input in = {.res = r, .seed = 1};
    CU_ASSERT_EQUAL(af_store_add(s, &in, NULL, d), AF_OK);
    setenv("AIFSIM_FAULT_WRITE", "1", 1);
    af_fault_setup();
    CU_ASSERT_EQUAL(af_store_add(s, &in, NULL, d), AF_EIO);
    unsetenv("AIFSIM_FAULT_WRITE");
    af_fault_setup();
    CU_ASSERT_TRUE(diag_has(d, "database or disk is full"));
    af_diag_clear(d);
    /* Nothing of the failed run; the store goes on working. */
    CU_ASSERT_EQUAL(raw_int(path, "SELECT count(*) FROM runs"), 1);
    CU_ASSERT_EQUAL(raw_int(path, "SELECT count(*) FROM metrics WHERE run_id <> 1"), 0);
    CU_ASSERT_EQUAL(raw_int(path, "SELECT count(*) FROM series WHERE run_id <> 1"), 0);
    int64_t id = 0;
    CU_ASSERT_EQUAL(af_store_add(s, &in, &id, d), AF_OK);
    CU_ASSERT_EQUAL(id, 2);
    char *ok = raw_text(path, "PRAGMA integrity_check");
    CU_ASSERT_STRING_EQUAL(ok, "ok");
    af_free(ok);
    af_store_close(s);
    af_results_free(r);
    af_diag_free(d);
    af_free(path);
}

static void test_cleanup(void)
{
    if (tmpdir_path) {
        char *cmd = af_strfmt("rm -rf '%s'", tmpdir_path);
        CU_ASSERT_EQUAL(system(cmd), 0);
        af_free(cmd);
        af_free(tmpdir_path);
        tmpdir_path = NULL;
    }
}

static const af_test tests[] = {
    {"a run comes back exactly: metrics, texts, series, provenance", test_round_trip},
    {"the schema: version, application id, WAL, indices", test_schema},
    {"an older database is upgraded in one transaction", test_migrate_old},
    {"a newer, foreign or non-database file is refused untouched", test_refuse},
    {"a failed commit stores nothing", test_failed_commit},
    {"(removes the temporary files)", test_cleanup},
    {NULL, NULL},
};

AF_TEST_MAIN("store", tests)
