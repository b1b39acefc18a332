/*
 * store: runs in a SQLite database; see store.h.
 *
 * The schema (version 1), as store_migrations[0] creates it:
 *
 *   runs      one row per run: id (INTEGER PRIMARY KEY, from 1), stored_at (UTC text),
 *             scenario, scenario_file, scenario_hash, overrides, version, catalog_hash (the
 *             run.* provenance texts), seed (decimal text: a seed may exceed SQLite's signed
 *             64-bit integers), duration_s, scenario_text (the file's bytes, a BLOB)
 *   metrics   one row per metric: run_id, pos (the order the run recorded it), name, value (SI
 *             base units; NULL for a text metric and for NaN), unit (af_units_si, "text" for a
 *             text metric), dim (the dimension's name, below: "ratio" and "count" share the
 *             unit "1"), label (the summary's), text (a text metric's)
 *   series    one row per time series: run_id, pos, name, unit, dim, label, dt (window width,
 *             s), n (points) and v (n IEEE 754 doubles, little-endian, window means in SI base
 *             units; point i covers [i dt, (i + 1) dt))
 *   views     run_metrics (runs joined with metrics, for SQL readers) and latency (per run and
 *             look-up stream: requests, mean, p50, p99, p99.9 latency and the objective, in s:
 *             the latency figures the metrics hold; the queues' histograms are not part of the
 *             results)
 *   indices   runs by scenario and by scenario hash, metrics and series by name
 *
 * Version 2 (store_migrations[1]) adds the sweeps (`aifsim sweep --db`):
 *
 *   sweeps      one row per sweep: id, created_at (UTC text), scenario, scenario_file,
 *               scenario_hash, catalog_hash, spec (the varied values and the common overrides,
 *               canonical: what --resume matches, with scenario_hash and replications), points,
 *               replications
 *   sweep_runs  one row per run of a sweep, written in the run's transaction: run_id, sweep_id,
 *               point and replication (from 1), point_values ("PATH=VALUE, PATH=VALUE")
 *   views       sweep_metrics (sweep_runs joined with metrics: every metric of every point and
 *               replication, from which the confidence intervals can be recomputed)
 *
 * PRAGMA application_id is 0x4146534d ("AFSM"), so another program's database is told apart;
 * PRAGMA user_version is the schema version. A new version adds one entry to store_migrations
 * (the statements that turn version k into k + 1, ending with PRAGMA user_version = k + 1) and
 * bumps AF_STORE_SCHEMA; store_migrate runs the missing steps in one transaction.
 */
#include "report/store.h"

#include "base/alloc.h"
#include "base/fault.h"
#include "base/units.h"

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_APP_ID 0x4146534d
/* How long a writer waits for another to finish its run, ms. */
#define STORE_BUSY_MS 60000

struct af_store {
    sqlite3 *db;
    char *path;
    int schema;
    bool readonly;
    int lockfd; /* the file, open with a shared flock while the store is open, so a run that
                 * made the file can tell whether another process has it (af_store_in_use);
                 * -1 when it could not be taken */
};

/* Version k -> k + 1. Constant text: no value is ever formatted into SQL. */
static const char *const store_migrations[AF_STORE_SCHEMA] = {
    /* 0 -> 1: the first schema. */
    "CREATE TABLE runs (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    stored_at TEXT NOT NULL,\n"
    "    scenario TEXT NOT NULL,\n"
    "    scenario_file TEXT NOT NULL,\n"
    "    scenario_hash TEXT NOT NULL,\n"
    "    overrides TEXT NOT NULL,\n"
    "    version TEXT NOT NULL,\n"
    "    catalog_hash TEXT NOT NULL,\n"
    "    seed TEXT NOT NULL,\n"
    "    duration_s REAL,\n"
    "    scenario_text BLOB\n"
    ");\n"
    "CREATE INDEX runs_scenario ON runs (scenario, id);\n"
    "CREATE INDEX runs_scenario_hash ON runs (scenario_hash, id);\n"
    "CREATE TABLE metrics (\n"
    "    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,\n"
    "    pos INTEGER NOT NULL,\n"
    "    name TEXT NOT NULL,\n"
    "    value REAL,\n"
    "    unit TEXT NOT NULL,\n"
    "    dim TEXT NOT NULL,\n"
    "    label TEXT,\n"
    "    text TEXT,\n"
    "    PRIMARY KEY (run_id, pos)\n"
    ");\n"
    "CREATE INDEX metrics_name ON metrics (name, run_id);\n"
    "CREATE TABLE series (\n"
    "    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,\n"
    "    pos INTEGER NOT NULL,\n"
    "    name TEXT NOT NULL,\n"
    "    unit TEXT NOT NULL,\n"
    "    dim TEXT NOT NULL,\n"
    "    label TEXT,\n"
    "    dt REAL NOT NULL,\n"
    "    n INTEGER NOT NULL,\n"
    "    v BLOB NOT NULL,\n"
    "    PRIMARY KEY (run_id, pos)\n"
    ");\n"
    "CREATE INDEX series_name ON series (name, run_id);\n"
    "CREATE VIEW run_metrics AS\n"
    "    SELECT r.id AS run_id, r.scenario, r.overrides, r.seed, m.name, m.value, m.unit, m.text\n"
    "    FROM runs r JOIN metrics m ON m.run_id = r.id;\n"
    "CREATE VIEW latency AS\n"
    "    SELECT m.run_id AS run_id, s.stream AS stream,\n"
    "        (SELECT q.value FROM metrics q WHERE q.run_id = m.run_id\n"
    "            AND q.name = 'lookup.' || s.stream || '.requests') AS requests,\n"
    "        (SELECT q.value FROM metrics q WHERE q.run_id = m.run_id\n"
    "            AND q.name = 'lookup.' || s.stream || '.latency_mean') AS mean_s,\n"
    "        m.value AS p50_s,\n"
    "        (SELECT q.value FROM metrics q WHERE q.run_id = m.run_id\n"
    "            AND q.name = 'lookup.' || s.stream || '.latency_p99') AS p99_s,\n"
    "        (SELECT q.value FROM metrics q WHERE q.run_id = m.run_id\n"
    "            AND q.name = 'lookup.' || s.stream || '.latency_p999') AS p999_s,\n"
    "        (SELECT q.value FROM metrics q WHERE q.run_id = m.run_id\n"
    "            AND q.name = 'lookup.' || s.stream || '.slo') AS slo_s\n"
    "    FROM metrics m\n"
    "    JOIN (SELECT run_id, pos, substr(name, 8, length(name) - 19) AS stream FROM metrics\n"
    "          WHERE name GLOB 'lookup.*.latency_p50') s ON s.run_id = m.run_id AND s.pos = m.pos;\n"
    "PRAGMA application_id = 1095127885;\n"
    "PRAGMA user_version = 1;\n",
    /* 1 -> 2: sweeps. */
    "CREATE TABLE sweeps (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    created_at TEXT NOT NULL,\n"
    "    scenario TEXT NOT NULL,\n"
    "    scenario_file TEXT NOT NULL,\n"
    "    scenario_hash TEXT NOT NULL,\n"
    "    catalog_hash TEXT NOT NULL,\n"
    "    spec TEXT NOT NULL,\n"
    "    points INTEGER NOT NULL,\n"
    "    replications INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX sweeps_key ON sweeps (scenario_hash, spec, replications, id);\n"
    "CREATE TABLE sweep_runs (\n"
    "    run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,\n"
    "    sweep_id INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,\n"
    "    point INTEGER NOT NULL,\n"
    "    replication INTEGER NOT NULL,\n"
    "    point_values TEXT NOT NULL,\n"
    "    UNIQUE (sweep_id, point, replication)\n"
    ");\n"
    "CREATE VIEW sweep_metrics AS\n"
    "    SELECT s.sweep_id, s.point, s.replication, s.point_values, s.run_id, m.name, m.value,\n"
    "        m.unit, m.text\n"
    "    FROM sweep_runs s JOIN metrics m ON m.run_id = s.run_id;\n"
    "PRAGMA user_version = 2;\n",
};

/* Names of the dimensions as stored (stable: never the enum's numbers). */
static const char *const store_dims[AF_DIM__COUNT] = {
    [AF_DIM_NUMBER] = "number",
    [AF_DIM_COUNT] = "count",
    [AF_DIM_RATIO] = "ratio",
    [AF_DIM_TIME] = "time",
    [AF_DIM_SIZE] = "size",
    [AF_DIM_BANDWIDTH] = "bandwidth",
    [AF_DIM_RATE] = "rate",
    [AF_DIM_POWER] = "power",
    [AF_DIM_ENERGY] = "energy",
    [AF_DIM_FLOPS] = "flops",
    [AF_DIM_MONEY] = "money",
    [AF_DIM_ENERGY_PRICE] = "energy_price",
    [AF_DIM_HOURLY_PRICE] = "hourly_price",
    [AF_DIM_CARBON] = "carbon",
    [AF_DIM_CARBON_INTENSITY] = "carbon_intensity",
};

static const char *store_dim_name(af_dim dim)
{
    return (unsigned)dim < AF_DIM__COUNT && store_dims[dim] ? store_dims[dim] : "number";
}

static int store_dim_of(const char *name, af_dim *dim)
{
    for (int k = 0; k < AF_DIM__COUNT; k++)
        if (store_dims[k] && name && strcmp(store_dims[k], name) == 0) {
            *dim = (af_dim)k;
            return 0;
        }
    return -1;
}

/* "results database PATH: <SQLite's message>" (what, when given, says what was being done). */
static int store_fail(const af_store *s, const char *what, af_diag *d)
{
    const char *msg = s->db ? sqlite3_errmsg(s->db) : "out of memory";
    if (what)
        af_diag_error(d, "results database %s: %s: %s", s->path, what, msg);
    else
        af_diag_error(d, "results database %s: %s", s->path, msg);
    return AF_EIO;
}

static int store_exec(af_store *s, const char *sql, const char *what, af_diag *d)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(s, what, d);
    return AF_OK;
}

/* Rolls back the transaction in progress, if any (after an error, which is already reported). */
static void store_rollback(af_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The integer value of a one-row PRAGMA (user_version, application_id); SQLite's code on failure. */
static int store_pragma_int(af_store *s, const char *sql, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static int store_newer(const af_store *s, int version, af_diag *d)
{
    af_diag_error(d,
                  "results database %s has schema version %d, newer than this aifsim reads "
                  "(version %d); use the aifsim that wrote it, or a newer one",
                  s->path, version, AF_STORE_SCHEMA);
    return AF_EINPUT;
}

/* Upgrades the schema to AF_STORE_SCHEMA in one transaction (re-reading the version once it holds
 * the write lock, since another process may have upgraded it meanwhile). */
static int store_migrate(af_store *s, af_diag *d)
{
    if (store_exec(s, "BEGIN IMMEDIATE", "upgrading the schema", d) != AF_OK)
        return AF_EIO;
    int v = 0;
    if (store_pragma_int(s, "PRAGMA user_version", &v) != SQLITE_OK) {
        store_fail(s, "upgrading the schema", d);
        store_rollback(s);
        return AF_EIO;
    }
    if (v > AF_STORE_SCHEMA) {
        store_rollback(s);
        return store_newer(s, v, d);
    }
    for (; v < AF_STORE_SCHEMA; v++) {
        if (sqlite3_exec(s->db, store_migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
            af_diag_error(d, "results database %s: upgrading the schema from version %d: %s",
                          s->path, v, sqlite3_errmsg(s->db));
            store_rollback(s);
            return AF_EIO;
        }
    }
    if (store_exec(s, "COMMIT", "upgrading the schema", d) != AF_OK) {
        store_rollback(s);
        return AF_EIO;
    }
    s->schema = AF_STORE_SCHEMA;
    return AF_OK;
}

int af_store_open(const char *path, bool create, af_store **out, af_diag *d)
{
    *out = NULL;
    af_store *s = af_calloc(1, sizeof *s);
    s->path = af_strdup(path);
    s->lockfd = -1;
    int rc = AF_EIO;
    struct stat sb;
    if (!*path || strcmp(path, "-") == 0) {
        af_diag_error(d, "results database \"%s\": expected the name of a database file", path);
        rc = AF_EINPUT;
        goto fail;
    }
    if (!create && stat(path, &sb) != 0) {
        if (errno == ENOENT) {
            af_diag_error(d, "results database %s: no such file", path);
            rc = AF_EINPUT;
        } else {
            af_diag_error(d, "results database %s: %s", path, strerror(errno));
        }
        goto fail;
    }
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        af_diag_error(d, "results database %s: is a directory", path);
        rc = AF_EINPUT;
        goto fail;
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    /* Names SQLite would read as something else than a file (":memory:", a "file:" URI) are
     * the files of that name in the current directory. */
    char *name = path[0] == ':' || strncmp(path, "file:", 5) == 0 ? af_strfmt("./%s", path)
                                                                    : af_strdup(path);
    int orc = sqlite3_open_v2(name, &s->db, flags, NULL);
    af_free(name);
    if (orc != SQLITE_OK) {
        store_fail(s, NULL, d);
        goto fail;
    }
    sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
    s->lockfd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->lockfd >= 0 && flock(s->lockfd, LOCK_SH) != 0) {
        close(s->lockfd);
        s->lockfd = -1;
    }
    s->readonly = sqlite3_db_readonly(s->db, "main") == 1;
    if (create && s->readonly) {
        af_diag_error(d, "results database %s: the file is read-only", path);
        goto fail;
    }
    int app = 0, version = 0;
    int src = store_pragma_int(s, "PRAGMA application_id", &app);
    if (src == SQLITE_OK)
        src = store_pragma_int(s, "PRAGMA user_version", &version);
    if (src == SQLITE_NOTADB) {
        af_diag_error(d, "results database %s: not a SQLite database (%s)", path,
                      sqlite3_errmsg(s->db));
        rc = AF_EINPUT;
        goto fail;
    }
    if (src != SQLITE_OK) {
        store_fail(s, NULL, d);
        goto fail;
    }
    if (app != 0 && app != STORE_APP_ID) {
        af_diag_error(d,
                      "results database %s: a SQLite database of another program "
                      "(application id 0x%08x), not one of aifsim's",
                      path, (unsigned)app);
        rc = AF_EINPUT;
        goto fail;
    }
    if (version > AF_STORE_SCHEMA) {
        rc = store_newer(s, version, d);
        goto fail;
    }
    /* No aifsim id and no version: a new database only when it holds nothing yet, and only when
     * asked to create one; a file of another program's tables is never taken over. */
    if (app == 0 && version == 0) {
        int objects = 0;
        int qrc = store_pragma_int(s, "SELECT count(*) FROM sqlite_schema", &objects);
        if (qrc != SQLITE_OK) {
            store_fail(s, NULL, d);
            goto fail;
        }
        if (objects > 0 || !create) {
            af_diag_error(d,
                          objects > 0 ? "results database %s: a SQLite database of another program "
                                        "(it has tables, but not aifsim's), left as it is"
                                      : "results database %s: holds no runs (an empty file); "
                                        "store one with `aifsim run ... --db FILE`",
                          path);
            rc = AF_EINPUT;
            goto fail;
        }
    }
    s->schema = version;
    if (!s->readonly) {
        /* WAL: readers follow a writer without blocking it. The mode is kept in the file. */
        if (store_exec(s, "PRAGMA journal_mode = WAL", NULL, d) != AF_OK)
            goto fail;
        int mrc = version < AF_STORE_SCHEMA ? store_migrate(s, d) : AF_OK;
        if (mrc != AF_OK) {
            rc = mrc;
            goto fail;
        }
    } else if (version < AF_STORE_SCHEMA) {
        af_diag_error(d,
                      "results database %s has schema version %d and is read-only, so it cannot "
                      "be upgraded to version %d",
                      path, version, AF_STORE_SCHEMA);
        goto fail;
    }
    if (store_exec(s, "PRAGMA foreign_keys = ON", NULL, d) != AF_OK)
        goto fail;
    *out = s;
    return AF_OK;
fail:
    af_store_close(s);
    return rc;
}

void af_store_close(af_store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    if (s->lockfd >= 0)
        close(s->lockfd);
    af_free(s->path);
    af_free(s);
}

int af_store_remove_unused(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return AF_EIO;
    int rc = AF_EIO;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        static const char *const ext[] = {"-wal", "-shm", "-journal", ""};
        for (size_t k = 0; k < sizeof ext / sizeof *ext; k++) {
            char *p = af_strfmt("%s%s", path, ext[k]);
            unlink(p);
            af_free(p);
        }
        rc = AF_OK;
    }
    close(fd);
    return rc;
}

int af_store_schema(const af_store *s)
{
    return s->schema;
}

int af_store_read_file(const char *path, char **buf, size_t *len, af_diag *d)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        af_diag_error(d, "cannot read %s: %s", path, strerror(errno));
        return AF_EIO;
    }
    size_t cap = 0, n = 0;
    char *b = af_grow(NULL, &cap, 4096, 1);
    for (;;) {
        b = af_grow(b, &cap, n + 4097, 1);
        size_t got = fread(b + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        af_diag_error(d, "cannot read %s: %s", path, strerror(err));
        af_free(b);
        return AF_EIO;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return AF_OK;
}

/* FNV-1a 64 of n bytes, as run.scenario_hash is made. */
static uint64_t store_fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The text of provenance metric name, or "" when the results lack it. */
static const char *store_prov(const af_results *r, const char *name)
{
    const af_metric *m = af_results_find(r, name);
    return m && m->text ? m->text : "";
}

static void store_le(unsigned char *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(u >> (8 * k));
}

static double store_unle(const unsigned char *p)
{
    uint64_t u = 0;
    for (int k = 0; k < 8; k++)
        u |= (uint64_t)p[k] << (8 * k);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void store_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* The test hook (store.h): flush the unfinished transaction, say so, sleep. */
static void store_test_pause(af_store *s)
{
    const char *env = getenv("AIFSIM_TEST_STORE_PAUSE");
    if (!env || !*env)
        return;
    double sec = strtod(env, NULL);
    if (!(sec > 0))
        return;
    sqlite3_db_cacheflush(s->db);
    fprintf(stderr, "aifsim: store: paused\n");
    fflush(stderr);
    struct timespec ts = {.tv_sec = (time_t)sec,
                          .tv_nsec = (long)((sec - floor(sec)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int af_store_add(af_store *s, const af_store_input *in, int64_t *id, af_diag *d)
{
    const af_results *r = in->res;
    if (s->readonly) {
        af_diag_error(d, "results database %s: the file is read-only", s->path);
        return AF_EIO;
    }
    const char *hash = store_prov(r, "run.scenario_hash");
    if (in->text && *hash) {
        char hex[17];
        snprintf(hex, sizeof hex, "%016" PRIx64, store_fnv(in->text, in->text_len));
        if (strcmp(hex, hash) != 0)
            af_diag_add(d, AF_SEV_WARNING, NULL, 0, 0, NULL,
                        "the scenario file %s changed while the run was prepared; the stored "
                        "text (hash %s) is not the text the run read (hash %s)",
                        store_prov(r, "run.scenario_file"), hex, hash);
    }
    sqlite3_stmt *st = NULL;
    unsigned char *blob = NULL;
    if (store_exec(s, "BEGIN IMMEDIATE", "starting to store the run", d) != AF_OK)
        return AF_EIO;

    static const char ins_run[] =
        "INSERT INTO runs (stored_at, scenario, scenario_file, scenario_hash, overrides, version, "
        "catalog_hash, seed, duration_s, scenario_text) "
        "VALUES (strftime('%Y-%m-%d %H:%M:%S', 'now'), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    if (sqlite3_prepare_v2(s->db, ins_run, -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, store_prov(r, "run.scenario"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, store_prov(r, "run.scenario_file"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, store_prov(r, "run.overrides"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, store_prov(r, "run.version"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, store_prov(r, "run.catalog_hash"), -1, SQLITE_TRANSIENT);
    char seed[24];
    snprintf(seed, sizeof seed, "%" PRIu64, in->seed);
    sqlite3_bind_text(st, 7, seed, -1, SQLITE_TRANSIENT);
    const af_metric *dur = af_results_find(r, "run.duration");
    if (dur && !dur->text)
        sqlite3_bind_double(st, 8, dur->value);
    else
        sqlite3_bind_null(st, 8);
    if (in->text)
        sqlite3_bind_blob64(st, 9, in->text, in->text_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 9);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
    int64_t rid = sqlite3_last_insert_rowid(s->db);

    if (in->sweep_id > 0) {
        static const char ins_sweep_run[] =
            "INSERT INTO sweep_runs (run_id, sweep_id, point, replication, point_values) "
            "VALUES (?1, ?2, ?3, ?4, ?5)";
        if (sqlite3_prepare_v2(s->db, ins_sweep_run, -1, &st, NULL) != SQLITE_OK)
            goto fail;
        sqlite3_bind_int64(st, 1, rid);
        sqlite3_bind_int64(st, 2, in->sweep_id);
        sqlite3_bind_int64(st, 3, in->sweep_point);
        sqlite3_bind_int64(st, 4, in->sweep_replication);
        sqlite3_bind_text(st, 5, in->sweep_values ? in->sweep_values : "", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
        sqlite3_finalize(st);
        st = NULL;
    }

    static const char ins_metric[] =
        "INSERT INTO metrics (run_id, pos, name, value, unit, dim, label, text) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    if (sqlite3_prepare_v2(s->db, ins_metric, -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < af_results_count(r); i++) {
        const af_metric *m = af_results_get(r, i);
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, rid);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, m->name, -1, SQLITE_TRANSIENT);
        if (m->text) {
            sqlite3_bind_null(st, 4);
            sqlite3_bind_text(st, 5, "text", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 6, "text", -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_double(st, 4, m->value); /* NaN becomes NULL */
            sqlite3_bind_text(st, 5, af_units_si(m->dim), -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 6, store_dim_name(m->dim), -1, SQLITE_STATIC);
        }
        store_bind_text(st, 7, m->label);
        store_bind_text(st, 8, m->text);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;

    store_test_pause(s);

    static const char ins_series[] =
        "INSERT INTO series (run_id, pos, name, unit, dim, label, dt, n, v) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    if (sqlite3_prepare_v2(s->db, ins_series, -1, &st, NULL) != SQLITE_OK)
        goto fail;
    blob = af_malloc_array(AF_SERIES_MAX, 8);
    for (size_t i = 0; i < af_results_nseries(r); i++) {
        const af_series *se = af_results_series_get(r, i);
        size_t n = se->n < AF_SERIES_MAX ? se->n : AF_SERIES_MAX;
        for (size_t k = 0; k < n; k++)
            store_le(blob + 8 * k, se->v[k]);
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, rid);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, se->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, af_units_si(se->dim), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, store_dim_name(se->dim), -1, SQLITE_STATIC);
        store_bind_text(st, 6, se->label);
        sqlite3_bind_double(st, 7, se->dt);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)n);
        sqlite3_bind_blob64(st, 9, blob, 8 * (sqlite3_uint64)n, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    af_free(blob);
    blob = NULL;

    /* The commit is one output operation for AIFSIM_FAULT_WRITE (base/fault.h): a full disk. */
    if (af_fault_write()) {
        af_diag_error(d, "results database %s: storing the run: %s", s->path,
                      sqlite3_errstr(SQLITE_FULL));
        store_rollback(s);
        return AF_EIO;
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    if (id)
        *id = rid;
    return AF_OK;

fail:
    store_fail(s, "storing the run", d);
    sqlite3_finalize(st);
    af_free(blob);
    store_rollback(s);
    return AF_EIO;
}

/* ---- reading ------------------------------------------------------------------------------- */

static char *store_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return af_strdup(t ? (const char *)t : "");
}

static double store_col_double(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* The columns of a run that store_run_row reads, 0 to 9. */
#define STORE_RUN_COLS                                                                             \
    "id, stored_at, scenario, scenario_file, scenario_hash, overrides, version, catalog_hash, "   \
    "seed, duration_s"

/* Fills the fields of r from columns 0 to 9 of st's row. */
static void store_run_row(sqlite3_stmt *st, af_store_run *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->stored_at = store_col_text(st, 1);
    r->scenario = store_col_text(st, 2);
    r->scenario_file = store_col_text(st, 3);
    r->scenario_hash = store_col_text(st, 4);
    r->overrides = store_col_text(st, 5);
    r->version = store_col_text(st, 6);
    r->catalog_hash = store_col_text(st, 7);
    const unsigned char *seed = sqlite3_column_text(st, 8);
    r->seed = seed ? strtoull((const char *)seed, NULL, 10) : 0;
    r->duration_s = store_col_double(st, 9);
    r->util = NAN;
    r->cost_total = NAN;
}

/* Reads run id's metrics and series into a new results. */
static int store_load_results(af_store *s, int64_t id, af_results **out, af_diag *d)
{
    *out = NULL;
    af_results *res = af_results_new();
    sqlite3_stmt *st = NULL;
    static const char sel_metrics[] = "SELECT name, value, dim, label, text FROM metrics "
                                      "WHERE run_id = ?1 ORDER BY pos";
    if (sqlite3_prepare_v2(s->db, sel_metrics, -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *dim_name = (const char *)sqlite3_column_text(st, 2);
        const char *label = (const char *)sqlite3_column_text(st, 3);
        const char *text = (const char *)sqlite3_column_text(st, 4);
        af_dim dim;
        if (!name)
            continue;
        if (text) {
            af_results_set_text(res, name, text, label);
        } else if (store_dim_of(dim_name, &dim) == 0) {
            af_results_set(res, name, store_col_double(st, 1), dim, label);
        } else {
            af_diag_error(d, "results database %s: run %" PRId64 ", metric %s: unknown unit \"%s\"",
                          s->path, id, name, dim_name ? dim_name : "");
            goto bad;
        }
    }
    if (rc != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;

    static const char sel_series[] = "SELECT name, dim, label, dt, n, v FROM series "
                                     "WHERE run_id = ?1 ORDER BY pos";
    if (sqlite3_prepare_v2(s->db, sel_series, -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *dim_name = (const char *)sqlite3_column_text(st, 1);
        const char *label = (const char *)sqlite3_column_text(st, 2);
        double dt = sqlite3_column_double(st, 3);
        sqlite3_int64 n = sqlite3_column_int64(st, 4);
        const unsigned char *b = sqlite3_column_blob(st, 5);
        int bytes = sqlite3_column_bytes(st, 5);
        af_dim dim;
        if (!name || store_dim_of(dim_name, &dim) != 0 || !(dt > 0) || !isfinite(dt) || n < 0 ||
            n > AF_SERIES_MAX || bytes != 8 * n || (n > 0 && !b)) {
            af_diag_error(d, "results database %s: run %" PRId64 ", series %s is damaged",
                          s->path, id, name ? name : "(unnamed)");
            goto bad;
        }
        af_series *se = af_results_series(res, name, dim, label, dt);
        if (se->n || se->pushed) {
            af_diag_error(d, "results database %s: run %" PRId64 ", series %s is stored twice",
                          s->path, id, name);
            goto bad;
        }
        for (sqlite3_int64 k = 0; k < n; k++)
            af_series_push(se, store_unle(b + 8 * k));
    }
    if (rc != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    *out = res;
    return AF_OK;

fail:
    store_fail(s, "reading a run", d);
bad:
    sqlite3_finalize(st);
    af_results_free(res);
    return AF_EIO;
}

int af_store_get(af_store *s, int64_t id, bool results, af_store_run *out, af_diag *d)
{
    memset(out, 0, sizeof *out);
    out->util = NAN;
    out->cost_total = NAN;
    out->duration_s = NAN;
    /* One read transaction: the run and its metrics from one snapshot. */
    if (store_exec(s, "BEGIN", "reading a run", d) != AF_OK)
        return AF_EIO;
    sqlite3_stmt *st = NULL;
    int rc = AF_EIO;
    static const char sel[] = "SELECT " STORE_RUN_COLS ", scenario_text FROM runs WHERE id = ?1";
    if (sqlite3_prepare_v2(s->db, sel, -1, &st, NULL) != SQLITE_OK) {
        store_fail(s, "reading a run", d);
        goto done;
    }
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        af_diag_error(d, "results database %s holds no run %" PRId64, s->path, id);
        rc = AF_EINPUT;
        goto done;
    }
    if (step != SQLITE_ROW) {
        store_fail(s, "reading a run", d);
        goto done;
    }
    store_run_row(st, out);
    const void *t = sqlite3_column_blob(st, 10);
    size_t tn = (size_t)sqlite3_column_bytes(st, 10);
    out->text = af_malloc_array(tn + 1, 1);
    if (tn)
        memcpy(out->text, t, tn);
    out->text[tn] = '\0';
    out->text_len = tn;
    sqlite3_finalize(st);
    st = NULL;
    if (results && store_load_results(s, id, &out->res, d) != AF_OK)
        goto done;
    rc = AF_OK;
done:
    sqlite3_finalize(st);
    store_rollback(s); /* ends the read transaction */
    if (rc != AF_OK)
        af_store_run_fini(out);
    return rc;
}

int af_store_list(af_store *s, af_store_run **runs, size_t *n, af_diag *d)
{
    *runs = NULL;
    *n = 0;
    static const char sel[] =
        "SELECT " STORE_RUN_COLS ", "
        "(SELECT m.name FROM metrics m WHERE m.run_id = r.id "
        "   AND m.name GLOB 'train.*.gpu_utilization' ORDER BY m.pos LIMIT 1), "
        "(SELECT m.value FROM metrics m WHERE m.run_id = r.id "
        "   AND m.name GLOB 'train.*.gpu_utilization' ORDER BY m.pos LIMIT 1), "
        "(SELECT m.value FROM metrics m WHERE m.run_id = r.id AND m.name = 'cost.total'), "
        "EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.id AND m.name = 'run.partial'), "
        "w.sweep_id, w.point, w.replication "
        "FROM runs r LEFT JOIN sweep_runs w ON w.run_id = r.id ORDER BY r.id";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sel, -1, &st, NULL) != SQLITE_OK)
        return store_fail(s, "listing runs", d);
    af_store_run *v = NULL;
    size_t cap = 0, k = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        v = af_grow(v, &cap, k + 1, sizeof *v);
        af_store_run *r = &v[k++];
        memset(r, 0, sizeof *r);
        store_run_row(st, r);
        const unsigned char *job = sqlite3_column_text(st, 10);
        if (job) {
            /* "train.<job>.gpu_utilization" -> "<job>" */
            size_t len = strlen((const char *)job);
            r->util_job = af_strndup((const char *)job + 6, len - 6 - strlen(".gpu_utilization"));
        }
        r->util = store_col_double(st, 11);
        r->cost_total = store_col_double(st, 12);
        r->partial = sqlite3_column_int(st, 13) != 0;
        r->sweep_id = sqlite3_column_int64(st, 14);
        r->sweep_point = sqlite3_column_int64(st, 15);
        r->sweep_replication = sqlite3_column_int64(st, 16);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        for (size_t i = 0; i < k; i++)
            af_store_run_fini(&v[i]);
        af_free(v);
        return store_fail(s, "listing runs", d);
    }
    *runs = v;
    *n = k;
    return AF_OK;
}

void af_store_run_fini(af_store_run *r)
{
    if (!r)
        return;
    af_free(r->stored_at);
    af_free(r->scenario);
    af_free(r->scenario_file);
    af_free(r->scenario_hash);
    af_free(r->overrides);
    af_free(r->version);
    af_free(r->catalog_hash);
    af_free(r->text);
    af_free(r->util_job);
    af_results_free(r->res);
    memset(r, 0, sizeof *r);
    r->util = NAN;
    r->cost_total = NAN;
    r->duration_s = NAN;
}

bool af_store_parse_id(const char *s, int64_t *id)
{
    if (!(*s >= '1' && *s <= '9'))
        return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return false;
    *id = v;
    return true;
}

/* ---- sweeps -------------------------------------------------------------------------------- */

int af_store_sweep_find(af_store *s, const af_store_sweep *sw, int64_t *id, af_diag *d)
{
    *id = 0;
    static const char sel[] = "SELECT id FROM sweeps WHERE scenario_hash = ?1 AND spec = ?2 "
                              "AND replications = ?3 ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sel, -1, &st, NULL) != SQLITE_OK)
        return store_fail(s, "finding the sweep", d);
    sqlite3_bind_text(st, 1, sw->scenario_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, sw->spec, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, sw->replications);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, "finding the sweep", d);
    return AF_OK;
}

int af_store_sweep_add(af_store *s, const af_store_sweep *sw, int64_t *id, af_diag *d)
{
    if (s->readonly) {
        af_diag_error(d, "results database %s: the file is read-only", s->path);
        return AF_EIO;
    }
    static const char ins[] =
        "INSERT INTO sweeps (created_at, scenario, scenario_file, scenario_hash, catalog_hash, "
        "spec, points, replications) "
        "VALUES (strftime('%Y-%m-%d %H:%M:%S', 'now'), ?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, ins, -1, &st, NULL) != SQLITE_OK)
        return store_fail(s, "recording the sweep", d);
    sqlite3_bind_text(st, 1, sw->scenario, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, sw->scenario_file, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, sw->scenario_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, sw->catalog_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, sw->spec, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, sw->points);
    sqlite3_bind_int64(st, 7, sw->replications);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "recording the sweep", d);
    *id = sqlite3_last_insert_rowid(s->db);
    return AF_OK;
}

int af_store_sweep_runs(af_store *s, int64_t id, int64_t points, int64_t replications,
                        int64_t *ids, af_diag *d)
{
    for (int64_t i = 0; i < points * replications; i++)
        ids[i] = 0;
    static const char sel[] =
        "SELECT point, replication, run_id FROM sweep_runs WHERE sweep_id = ?1";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sel, -1, &st, NULL) != SQLITE_OK)
        return store_fail(s, "reading the sweep", d);
    sqlite3_bind_int64(st, 1, id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t p = sqlite3_column_int64(st, 0), r = sqlite3_column_int64(st, 1);
        if (p >= 1 && p <= points && r >= 1 && r <= replications)
            ids[(p - 1) * replications + r - 1] = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "reading the sweep", d);
    return AF_OK;
}
