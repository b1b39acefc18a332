/*
 * trace: a bounded record of what happened when, for a timeline viewer (report/trace.h writes it
 * as Chrome/Perfetto trace events). Workloads record spans (a job computing, waiting for data,
 * stalled for a checkpoint, down after a failure; a burst writing) and instants (a failure) on
 * named tracks; the record keeps at most max_events events that overlap a window [from, to] of
 * simulated time and counts the ones it dropped, so a year-long run costs no more memory than the
 * bound. Adjacent spans of one track with the same name merge into one (a job computing through
 * many accounting points is one span until its state changes).
 *
 * Names are borrowed: they must outlive the record (string literals, or the configuration's
 * names, which live until the run's outputs are written).
 */
#ifndef AF_BASE_TRACE_H
#define AF_BASE_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* One recorded event. */
typedef struct af_trace_event {
    int64_t start_ns; /* start (spans) or time (instants), ns of simulated time */
    int64_t end_ns;   /* end of a span; = start_ns for an instant */
    uint32_t track;   /* af_trace_track's index */
    char kind;        /* 'X' a span, 'i' an instant */
    const char *name; /* borrowed */
} af_trace_event;

/* A track: a row of the timeline, grouped under a process (e.g. "train" / "llm-70b"). */
typedef struct af_trace_track_info {
    const char *process; /* borrowed */
    const char *thread;  /* borrowed */
} af_trace_track_info;

typedef struct af_trace af_trace;

/* A record keeping at most max_events events (>= 1) that overlap [from_ns, to_ns]. */
af_trace *af_trace_new(size_t max_events, int64_t from_ns, int64_t to_ns);
void af_trace_free(af_trace *t);

/* The index of the track (process, thread), made when new. */
uint32_t af_trace_track(af_trace *t, const char *process, const char *thread);

/* Records that track spent [start_ns, end_ns] in state `name` (nothing for an empty span);
 * merges with the track's previous span when that one has the same name and ends at start_ns. */
void af_trace_span(af_trace *t, uint32_t track, const char *name, int64_t start_ns,
                   int64_t end_ns);

/* Records an instant on track at t_ns. */
void af_trace_instant(af_trace *t, uint32_t track, const char *name, int64_t t_ns);

/* Flushes every track's pending span (call once at the end of the run). */
void af_trace_close(af_trace *t);

/* What was recorded, in recording order (spans when they closed), and the tracks. */
size_t af_trace_count(const af_trace *t);
const af_trace_event *af_trace_get(const af_trace *t, size_t i);
size_t af_trace_ntracks(const af_trace *t);
const af_trace_track_info *af_trace_track_get(const af_trace *t, size_t i);

/* Events left out because the record was full. */
uint64_t af_trace_dropped(const af_trace *t);

/* The window and the bound, as given. */
int64_t af_trace_from(const af_trace *t);
int64_t af_trace_to(const af_trace *t);
size_t af_trace_max(const af_trace *t);

#endif
