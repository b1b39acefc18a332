/*
 * sim: the discrete-event engine.
 *
 * A simulation (`af_sim`) owns a clock in integer nanoseconds, a pending-event set (a 4-ary heap,
 * see heap.h) and a pool of fixed-size event records, so scheduling an event never calls malloc
 * once the pool has grown to the run's high-water mark. Events with equal times run in the order
 * they were scheduled (ties broken by an insertion sequence number), so a run is deterministic.
 *
 * Cancellation is O(1) and lazy: an event id carries its pool slot and a generation counter;
 * cancelling bumps the slot's generation and the stale heap entry is skipped when it surfaces.
 * A cancelled or fired id is harmless to cancel again.
 *
 * There is no global state: many af_sim values can run in parallel threads.
 */
#ifndef AF_ENGINE_SIM_H
#define AF_ENGINE_SIM_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct af_sim af_sim;

/* Simulated time in nanoseconds since the start of the run. */
typedef int64_t af_time_ns;

/* Largest representable time; used as "no end". */
#define AF_TIME_MAX INT64_MAX

/* Nanoseconds per second: the one place the clock's resolution is written down. */
#define AF_NS_PER_S 1e9

/* Seconds to clock time, rounded to the nearest nanosecond and clamped to [0, AF_TIME_MAX]
 * (times at or past the horizon, and +inf, become AF_TIME_MAX, "never"; negative times and NaN
 * become 0). Every conversion from a double of seconds to the clock goes through here. */
static inline af_time_ns af_time_from_s(double s)
{
    double ns = s * AF_NS_PER_S;
    if (!(ns > 0))
        return 0;
    if (ns >= (double)AF_TIME_MAX)
        return AF_TIME_MAX;
    return (af_time_ns)llround(ns);
}

/* Clock time (or a duration) in seconds. */
static inline double af_time_to_s(af_time_ns t)
{
    return (double)t * 1e-9;
}

/* Handle of a scheduled event. The zero value ({0, 0}) never names a live event. */
typedef struct af_event_id {
    uint32_t slot; /* pool slot + 1 (0 = none) */
    uint32_t gen;  /* generation of the slot when scheduled */
} af_event_id;

/* An event handler: called at the event's time with the context and argument it was scheduled
 * with. It may schedule and cancel events, and call af_sim_stop. */
typedef void (*af_event_fn)(af_sim *sim, void *ctx, uint64_t arg);

/* An end-of-instant hook: called with the simulation and the context it was registered with. It
 * may schedule and cancel events (at the current time too) and register hooks again. */
typedef void (*af_instant_fn)(af_sim *sim, void *ctx);

/* Why af_sim_run returned. */
typedef enum {
    AF_RUN_EMPTY,  /* no pending events remain */
    AF_RUN_END,    /* the next event lies after the end time; the clock is set to the end time */
    AF_RUN_BUDGET, /* the event budget was spent */
    AF_RUN_STOPPED /* a handler called af_sim_stop, or the poll hook returned AF_SIM_POLL_STOP */
} af_run_status;

/* Creates a simulation with the clock at 0 and room for `hint` pending events before the pool
 * and heap grow (0 picks a default). */
af_sim *af_sim_new(uint32_t hint);

/* Releases the simulation; pending events are dropped. NULL is allowed. */
void af_sim_free(af_sim *sim);

/* Current simulated time. */
af_time_ns af_sim_now(const af_sim *sim);

/* Schedules fn(sim, ctx, arg) at absolute time t_ns (must be >= now). */
af_event_id af_sim_at(af_sim *sim, af_time_ns t_ns, af_event_fn fn, void *ctx, uint64_t arg);

/* Schedules fn(sim, ctx, arg) after delay_ns (must be >= 0). */
af_event_id af_sim_after(af_sim *sim, af_time_ns delay_ns, af_event_fn fn, void *ctx,
                         uint64_t arg);

/* Cancels a pending event. Returns true if it was pending, false if it had already fired, been
 * cancelled, or id is the zero id. */
bool af_sim_cancel(af_sim *sim, af_event_id id);

/* True if id names an event that is still pending. */
bool af_sim_pending(const af_sim *sim, af_event_id id);

/* Runs events in (time, sequence) order until none are left, the next one lies after end_ns
 * (AF_TIME_MAX for no end), max_events have run (0 for no budget), or a handler or the poll hook
 * (af_sim_set_poll) stops the run. Can be called again to continue. */
af_run_status af_sim_run(af_sim *sim, af_time_ns end_ns, uint64_t max_events);

/* A timer: a movable event. Its handler, context and argument are fixed when it is made; it is
 * armed at a time, and moved or disarmed in place, in O(log timers), without leaving a cancelled
 * entry behind (for a model that reschedules one event at every change, where cancel and
 * af_sim_at would churn the pending set). Arming (or moving) takes a new sequence number, so an
 * armed timer ties with other events at its time exactly as an event scheduled by af_sim_at at
 * that moment would. A timer that fires is disarmed before its handler runs (which may arm it
 * again); it counts in af_sim_events_run and, while armed, in af_sim_events_pending. */
typedef uint32_t af_timer;

/* Makes a disarmed timer; allocates only when more timers exist at once than ever before. */
af_timer af_sim_timer_new(af_sim *sim, af_event_fn fn, void *ctx, uint64_t arg);

/* Arms timer t at absolute time t_ns (>= now), or moves it there if armed. */
void af_sim_timer_set(af_sim *sim, af_timer t, af_time_ns t_ns);

/* Disarms timer t (nothing if it is not armed). */
void af_sim_timer_clear(af_sim *sim, af_timer t);

/* Whether timer t is armed, and if so at what time (*t_ns, may be NULL). */
bool af_sim_timer_armed(const af_sim *sim, af_timer t, af_time_ns *t_ns);

/* Disarms timer t and releases it; its number may be given to a later af_sim_timer_new. */
void af_sim_timer_free(af_sim *sim, af_timer t);

/* Registers fn(sim, ctx) to run once when the current instant ends: after every event at the
 * current time has run (those that earlier hooks or events scheduled at that time included), and
 * before the clock moves on or af_sim_run returns AF_RUN_EMPTY or AF_RUN_END. Hooks run in the
 * order they were registered; one that schedules an event at the current time makes the instant
 * go on, and hooks registered meanwhile run when it ends again. A module that batches the changes
 * of one instant (the flow network) registers once per instant and applies them in its hook.
 * Registered outside af_sim_run, a hook runs when the next run reaches the end of the instant;
 * after AF_RUN_BUDGET or AF_RUN_STOPPED, hooks still pending run in the next af_sim_run. Costs
 * nothing per event while none is registered; allocates only when more hooks are pending at once
 * than ever before. */
void af_sim_at_instant_end(af_sim *sim, af_instant_fn fn, void *ctx);

/* Removes every pending registration of (fn, ctx) (for a module released mid-run). */
void af_sim_forget_instant_end(af_sim *sim, af_instant_fn fn, void *ctx);

/* Asks af_sim_run to return after the current handler. */
void af_sim_stop(af_sim *sim);

/* A poll hook: lets a caller watch a long run (a progress line) or end it early (an interrupt)
 * without the engine knowing about either, or about wall-clock time. af_sim_run calls it between
 * events, outside any handler and never inside an instant's end-of-instant hooks: after every so
 * many events, just before the next event would run (not when the run ends instead). It returns
 * the number of events to run before the next call (>= 1; the hook may adapt it to how fast
 * events go), or AF_SIM_POLL_STOP to make af_sim_run return AF_RUN_STOPPED before that event, the
 * clock at the last event run (events still due at that time then wait for the next run, and so
 * do the instant's hooks). It must not schedule or cancel events. */
typedef uint64_t (*af_poll_fn)(af_sim *sim, void *ctx);
#define AF_SIM_POLL_STOP 0

/* Sets the poll hook (fn NULL removes it): the first call comes after `every` (>= 1) events of
 * the next af_sim_run, the later ones after the counts it returns. Costs nothing per event: the
 * run loop counts down one counter for both the event budget and the hook. Set it before
 * af_sim_run; set from a handler it takes effect at the next hook call or the next run. */
void af_sim_set_poll(af_sim *sim, af_poll_fn fn, void *ctx, uint64_t every);

/* Events executed so far (cancelled ones not counted), and events currently pending. */
uint64_t af_sim_events_run(const af_sim *sim);
uint64_t af_sim_events_pending(const af_sim *sim);

#endif
