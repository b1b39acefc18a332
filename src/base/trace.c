/*
 * trace: a bounded event record; see trace.h. Each track holds at most one pending span (the
 * state it is in, still growing); a span is committed to the list when the track moves to
 * another state or the record closes, so merging costs nothing per accounting point.
 */
#include "base/trace.h"

#include "base/alloc.h"

#include <string.h>

typedef struct trace_track {
    af_trace_track_info info;
    af_trace_event pending; /* kind 0: none */
} trace_track;

struct af_trace {
    af_trace_event *ev;
    size_t n, cap, max;
    trace_track *tracks;
    size_t ntracks, tracks_cap;
    uint64_t dropped;
    int64_t from_ns, to_ns;
};

af_trace *af_trace_new(size_t max_events, int64_t from_ns, int64_t to_ns)
{
    af_trace *t = af_calloc(1, sizeof *t);
    t->max = max_events ? max_events : 1;
    t->from_ns = from_ns;
    t->to_ns = to_ns;
    return t;
}

void af_trace_free(af_trace *t)
{
    if (!t)
        return;
    af_free(t->ev);
    af_free(t->tracks);
    af_free(t);
}

uint32_t af_trace_track(af_trace *t, const char *process, const char *thread)
{
    for (size_t i = 0; i < t->ntracks; i++)
        if (strcmp(t->tracks[i].info.process, process) == 0 &&
            strcmp(t->tracks[i].info.thread, thread) == 0)
            return (uint32_t)i;
    t->tracks = af_grow(t->tracks, &t->tracks_cap, t->ntracks + 1, sizeof *t->tracks);
    t->tracks[t->ntracks] = (trace_track){{process, thread}, {0}};
    return (uint32_t)t->ntracks++;
}

/* Keeps e when it overlaps the window and there is room; counts it as dropped otherwise. */
static void trace_commit(af_trace *t, const af_trace_event *e)
{
    if (e->end_ns < t->from_ns || e->start_ns > t->to_ns)
        return;
    if (t->n >= t->max) {
        t->dropped++;
        return;
    }
    t->ev = af_grow(t->ev, &t->cap, t->n + 1, sizeof *t->ev);
    t->ev[t->n++] = *e;
}

void af_trace_span(af_trace *t, uint32_t track, const char *name, int64_t start_ns,
                   int64_t end_ns)
{
    if (track >= t->ntracks || end_ns <= start_ns)
        return;
    af_trace_event *p = &t->tracks[track].pending;
    if (p->kind == 'X' && p->end_ns == start_ns && strcmp(p->name, name) == 0) {
        p->end_ns = end_ns;
        return;
    }
    if (p->kind)
        trace_commit(t, p);
    *p = (af_trace_event){start_ns, end_ns, track, 'X', name};
}

void af_trace_instant(af_trace *t, uint32_t track, const char *name, int64_t t_ns)
{
    if (track >= t->ntracks)
        return;
    trace_commit(t, &(af_trace_event){t_ns, t_ns, track, 'i', name});
}

void af_trace_close(af_trace *t)
{
    for (size_t i = 0; i < t->ntracks; i++) {
        af_trace_event *p = &t->tracks[i].pending;
        if (p->kind)
            trace_commit(t, p);
        p->kind = 0;
    }
}

size_t af_trace_count(const af_trace *t)
{
    return t->n;
}

const af_trace_event *af_trace_get(const af_trace *t, size_t i)
{
    return i < t->n ? &t->ev[i] : NULL;
}

size_t af_trace_ntracks(const af_trace *t)
{
    return t->ntracks;
}

const af_trace_track_info *af_trace_track_get(const af_trace *t, size_t i)
{
    return i < t->ntracks ? &t->tracks[i].info : NULL;
}

uint64_t af_trace_dropped(const af_trace *t)
{
    return t->dropped;
}

int64_t af_trace_from(const af_trace *t)
{
    return t->from_ns;
}

int64_t af_trace_to(const af_trace *t)
{
    return t->to_ns;
}

size_t af_trace_max(const af_trace *t)
{
    return t->max;
}
