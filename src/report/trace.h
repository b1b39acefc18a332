/*
 * trace: a run's timeline as a Chrome/Perfetto trace (the JSON trace-event format that
 * chrome://tracing and ui.perfetto.dev open). Each recorded track is a thread under its process
 * ("train" / the job, "burst" / the burst): spans ("X") of a job computing, waiting for data,
 * communicating, stalled for a checkpoint, down after a failure or reloading, and of a burst
 * writing or reading; failures as instants ("i"). The run's time series of the busiest resources
 * (the storage tiers' read and write rates and device busy share, the pools' GPU utilization,
 * the facility's power) follow as counter tracks ("C") under a "series" process. Times are
 * microseconds of simulated time, written to the nanosecond. otherData carries the run's
 * provenance (run.* text metrics), the window and the bound, and how many events were dropped.
 */
#ifndef AF_REPORT_TRACE_H
#define AF_REPORT_TRACE_H

#include "base/diag.h"
#include "base/results.h"
#include "base/trace.h"

/* Writes t (and the counter series of r, which may be NULL) to path, atomically. Returns AF_OK or
 * AF_EIO with a message in d. */
int af_report_trace_save(const af_trace *t, const af_results *r, const char *path, af_diag *d);

#endif
