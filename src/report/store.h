/*
 * store: runs kept in a SQLite database (`aifsim run FILE --db FILE`, `aifsim runs`).
 *
 * One row per run holds what produced it: the scenario file's bytes, the provenance every run
 * writes first (run.scenario, run.scenario_file, run.scenario_hash, run.overrides, run.version,
 * run.catalog_hash), the exact seed and the simulated duration; beside it every metric of the
 * results in recorded order (value in SI base units, unit, dimension, label, or the text of a
 * text metric) and every time series (unit, window width, values). A run is stored in one
 * transaction (BEGIN IMMEDIATE ... COMMIT), so a database holds whole runs or none of a run: a
 * process killed, a full disk or a failed statement half-way leaves the runs before it as they
 * were. The database is in WAL mode, so `aifsim runs` can read it while a sweep writes it, and
 * writers wait for each other (busy timeout) rather than fail.
 *
 * The schema is versioned by PRAGMA user_version (AF_STORE_SCHEMA, see store.c for the tables and
 * what each column holds). Opening a database of an older version upgrades it, one step per
 * version, inside one transaction; a database of a newer version is refused, untouched, with a
 * message saying so. Statements are prepared with bound values; no SQL is built from values.
 *
 * The report layer sees only results (doc/architecture.md, "Layers"): a stored run is loaded back
 * into an af_results (metrics and series) that the text summary, the comparison and any other
 * report read as they read a fresh run's.
 *
 * Test hook: with AIFSIM_TEST_STORE_PAUSE=SECONDS in the environment, af_store_add writes the run
 * row and its metrics, flushes what it can of the unfinished transaction to the write-ahead log,
 * prints "aifsim: store: paused" on standard error and sleeps SECONDS before writing the series
 * and committing, so a test can kill the process in the middle of a transaction.
 */
#ifndef AF_REPORT_STORE_H
#define AF_REPORT_STORE_H

#include "base/diag.h"
#include "base/results.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The schema version this program writes and reads. */
#define AF_STORE_SCHEMA 2

/* An open database. */
typedef struct af_store af_store;

/* Opens the database at path; with create, makes it when absent. Sets the busy timeout and WAL
 * mode and upgrades an older schema. Returns AF_OK with *out set (close with af_store_close);
 * AF_EINPUT with an error in d when path names no database and create is false, is not a SQLite
 * database or not one of aifsim's, or has a newer schema; AF_EIO with SQLite's message otherwise.
 * A database that can only be read is opened read-only (without upgrade). */
int af_store_open(const char *path, bool create, af_store **out, af_diag *d);

/* A run id as a user writes it: "3" -> 3; anything but a whole number in [1, 2^63) is refused
 * (false). */
bool af_store_parse_id(const char *s, int64_t *id);
void af_store_close(af_store *s);

/* Removes the database at path (and its -wal, -shm and -journal files) unless a process has it
 * open as a store (every af_store_open holds a shared flock on the file until af_store_close).
 * For a command that made a database and failed before storing anything. Returns AF_OK when
 * removed, AF_EIO when in use or not there. */
int af_store_remove_unused(const char *path);

/* The schema version of the open database (AF_STORE_SCHEMA once opened). */
int af_store_schema(const af_store *s);

/* Reads the whole file at path into *buf (NUL-terminated, not counted in *len; release with
 * af_free): the scenario text a run stores. Returns AF_OK, or AF_EIO with an error in d. */
int af_store_read_file(const char *path, char **buf, size_t *len, af_diag *d);

/* What a run stores beside its results. */
typedef struct af_store_input {
    const af_results *res; /* the run's metrics and series, provenance first */
    const char *text;      /* the scenario file's bytes, or NULL */
    size_t text_len;       /* their number */
    uint64_t seed;         /* the seed it ran with (run.seed is a double, exact only to 2^53) */
    /* a run of a sweep (af_store_sweep_add): its id (0: not a sweep's run), the point's and
     * the replication's numbers (from 1) and the point's values ("PATH=VALUE, ..."), stored in
     * the run's transaction */
    int64_t sweep_id;
    int64_t sweep_point;
    int64_t sweep_replication;
    const char *sweep_values;
} af_store_input;

/* Appends a run in one transaction. Returns AF_OK with its id in *id (may be NULL), or AF_EIO
 * with an error in d and nothing stored. Provenance metrics the results lack are stored as "". */
int af_store_add(af_store *s, const af_store_input *in, int64_t *id, af_diag *d);

/* A stored run. */
typedef struct af_store_run {
    int64_t id;          /* its id, from 1 in the order stored */
    char *stored_at;     /* when it was stored, UTC, "2025-01-31 12:00:00" */
    char *scenario;      /* run.scenario */
    char *scenario_file; /* run.scenario_file */
    char *scenario_hash; /* run.scenario_hash */
    char *overrides;     /* run.overrides ("none" without any) */
    char *version;       /* run.version */
    char *catalog_hash;  /* run.catalog_hash */
    uint64_t seed;       /* the seed */
    double duration_s;   /* run.duration, s (NaN when the results lacked it) */
    char *text;          /* the scenario file's bytes, NUL-terminated (not counted) */
    size_t text_len;     /* their number */
    af_results *res;     /* metrics and series; NULL unless asked for */
    /* headlines for a listing (af_store_list only): the first training job's name and GPU
     * utilization (NULL and NaN without one) and cost.total (NaN without it) */
    char *util_job;
    double util;
    double cost_total;
    bool partial; /* the run was cut short (run.partial; af_store_list only) */
    /* the sweep it belongs to (0: none), its point and replication, from 1 */
    int64_t sweep_id;
    int64_t sweep_point;
    int64_t sweep_replication;
} af_store_run;

/* Loads run id into *out (release with af_store_run_fini), with its results when results is
 * true. Returns AF_OK; AF_EINPUT with an error in d when no run has that id; AF_EIO otherwise. */
int af_store_get(af_store *s, int64_t id, bool results, af_store_run *out, af_diag *d);

/* Every run, in id order, without text or results but with the headlines: *runs (release each
 * with af_store_run_fini, then the array with af_free) and their number *n. Returns AF_OK or
 * AF_EIO with an error in d. */
int af_store_list(af_store *s, af_store_run **runs, size_t *n, af_diag *d);

void af_store_run_fini(af_store_run *r);

/* A sweep (`aifsim sweep --db`): what identifies it for --resume and what it holds. */
typedef struct af_store_sweep {
    const char *scenario;      /* the scenario's name */
    const char *scenario_file; /* its file */
    const char *scenario_hash; /* run.scenario_hash of its runs */
    const char *catalog_hash;  /* run.catalog_hash of its runs */
    const char *spec;          /* the varied values and the common overrides, canonical text */
    int64_t points;            /* points of the grid */
    int64_t replications;      /* runs per point */
} af_store_sweep;

/* The newest stored sweep with sw's scenario_hash, spec and replications: its id in *id, or 0
 * when there is none. Returns AF_OK or AF_EIO with an error in d. */
int af_store_sweep_find(af_store *s, const af_store_sweep *sw, int64_t *id, af_diag *d);

/* Records a new sweep (its own transaction). Returns AF_OK with its id in *id, or AF_EIO. */
int af_store_sweep_add(af_store *s, const af_store_sweep *sw, int64_t *id, af_diag *d);

/* The runs stored for sweep id: ids[(point - 1) * replications + replication - 1] is the run of
 * that point and replication, 0 where there is none (ids holds points * replications entries;
 * runs outside that range are ignored). Returns AF_OK or AF_EIO. */
int af_store_sweep_runs(af_store *s, int64_t id, int64_t points, int64_t replications,
                        int64_t *ids, af_diag *d);

#endif
