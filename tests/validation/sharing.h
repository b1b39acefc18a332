/*
 * sharing: helpers the validation programs of the shared-bandwidth world share (test_wiring,
 * test_burst, test_lookup, test_xfer, test_qos): run a fixture world and read its metrics, and
 * the device-time scales (device-seconds per byte, doc/formulas.md "Storage devices") the closed
 * forms are written in. Include after tests/unit/cutest.h.
 */
#ifndef AF_TESTS_VALIDATION_SHARING_H
#define AF_TESTS_VALIDATION_SHARING_H

#include "tests/unit/cutest.h"
#include "tests/world_fixture.h"

#include "base/alloc.h"
#include "base/results.h"

#include <math.h>
#include <stdio.h>

/* Runs the fixture's world; a failed run prints its diagnostics and fails the test at once.
 * Returns new results (release with af_results_free). */
static inline af_results *af_run(af_fixture *f)
{
    af_results *r = af_results_new();
    af_diag *d = af_diag_new();
    int rc = af_world_run(&f->cfg, r, d);
    if (rc != AF_OK) {
        char *msg = af_diag_format(d, 0);
        fprintf(stderr, "world run failed: %s\n", msg ? msg : "?");
        af_free(msg);
    }
    af_diag_free(d);
    if (rc != AF_OK)
        af_results_free(r);
    CU_ASSERT_EQUAL_FATAL(rc, AF_OK);
    return r;
}

/* The value of metric `name`, which must be present (NAN and a failure when it is not). */
static inline double af_get(const af_results *r, const char *name)
{
    const af_metric *m = af_results_find(r, name);
    CU_ASSERT_PTR_NOT_NULL(m);
    if (!m)
        fprintf(stderr, "missing metric %s\n", name);
    return m ? m->value : NAN;
}

/* The value of metric `name`, or 0 when the run did not write it. */
static inline double af_get0(const af_results *r, const char *name)
{
    const af_metric *m = af_results_find(r, name);
    return m ? m->value : 0;
}

/* Device-seconds per byte of reads of file_B-byte training files (two operations per file). */
static inline double af_read_scale(const af_storage_spec *s, double file_B)
{
    return 1 / s->device_read_Bps + 2 / (s->device_read_iops * file_B);
}

/* Device-seconds per byte of writes in op_B-byte operations (one operation each). */
static inline double af_write_scale(const af_storage_spec *s, double op_B)
{
    return 1 / s->device_write_Bps + 1 / (s->device_write_iops * op_B);
}

#endif
