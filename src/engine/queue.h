/*
 * queue: discrete requests served FIFO by c parallel servers whose speed the owner sets.
 *
 * This is the "discrete requests over fluid background" half of the storage model
 * (doc/architecture.md, "The engine"): small random reads (inference feature look-ups,
 * metadata) are individual requests queued at a tier's devices, while bulk traffic is fluid
 * (flow.h). A request carries a
 * service demand in device-seconds at full speed (the caller computes it, typically
 * 1/IOPS + size_B / bandwidth_Bps). The c servers (device channels) take waiting requests in
 * arrival order; each serves one request at a time at speed s(t) in [0, 1]: the share of device
 * time the fluid traffic leaves free, set by the owner with af_queue_set_speed at any moment.
 * A request in service for dt seconds at speed s receives s * dt device-seconds of work; a speed
 * change rescales the remaining time of every request in service exactly (work is conserved).
 *
 * Time is the engine's integer nanoseconds. Work is kept as a double, so a request is never
 * rounded; only its completion event is placed on the ns grid, at the first ns at or after the
 * exact finish (at most 1 ns late, never early by more than 1e-3 ns of floating-point slack).
 * With service times of microseconds or more this discretization is below 1e-3 relative.
 *
 * Statistics (since creation or the last af_queue_reset_stats): counts, the sums of waiting and
 * sojourn times of completed requests, the time integrals of the numbers in system, waiting and
 * in service, and histograms of waiting and sojourn times from which af_queue_quantile_s reads
 * percentiles. The histograms are fixed-size and log-bucketed (HDR style, 128 sub-buckets per
 * power of two): a quantile is returned with a relative error below 2^-8 = 0.39% of the true
 * empirical quantile of the recorded ns values, and exactly for values below 256 ns.
 *
 * Memory: requests live in a pool that grows only at a new high-water mark of requests in
 * system, so a steady state allocates nothing per request. The queue keeps at most one pending
 * event in the sim (the next completion).
 *
 * Preconditions are checked with assert: they are the calling model's bugs, not user input.
 * Deterministic; not thread-safe for one queue; queues on separate sims are independent.
 */
#ifndef AF_ENGINE_QUEUE_H
#define AF_ENGINE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/sim.h"

typedef struct af_queue af_queue;

/* What a completion callback learns about its request (borrowed for the call). */
typedef struct af_queue_done {
    af_time_ns arrive_ns; /* when it was submitted */
    af_time_ns start_ns;  /* when a server took it (arrive_ns + waiting time) */
    af_time_ns end_ns;    /* when it completed: the current time */
    double demand_s;      /* its service demand as submitted, device-seconds at full speed */
} af_queue_done;

/* Called when a request completes, as part of an event handler (never from inside
 * af_queue_submit or af_queue_set_speed). By then the request has left the queue, its
 * statistics are recorded and the next waiting request (if any) is in service. The callback may
 * submit requests and change the speed; it must not free the queue. */
typedef void (*af_queue_done_fn)(af_sim *sim, void *ctx, uint64_t arg, const af_queue_done *done);

/* Which latency a quantile is read from. */
typedef enum {
    AF_QUEUE_SOJOURN, /* arrival to completion */
    AF_QUEUE_WAIT     /* arrival to start of service */
} af_queue_latency;

/* Statistics since af_queue_new or the last af_queue_reset_stats (the "window"). Times in
 * seconds; integrals in request-seconds (divide by window_s for a time average). Requests in
 * system when the window opened count in `completed` and the sums when they complete, not in
 * `arrived`; at a window's edges Little's law therefore holds up to the requests in system
 * there, a relative error of O(L / completed). */
typedef struct af_queue_stats {
    double window_s;       /* length of the window: now - start of window */
    uint64_t arrived;      /* requests submitted in the window */
    uint64_t started;      /* requests that entered service in the window */
    uint64_t completed;    /* requests that completed in the window */
    double wait_sum_s;     /* sum over completed requests of their waiting times */
    double sojourn_sum_s;  /* sum over completed requests of their sojourn times (holds
                              included, af_queue_submit_held) */
    double area_system_s;  /* integral over the window of the number in system */
    double area_queue_s;   /* integral of the number waiting (not in service) */
    double area_service_s; /* integral of the number in service (busy servers) */
    double work_s;         /* device-seconds of service delivered in the window (integral of
                              speed times busy servers), <= area_service_s */
    uint32_t in_system;    /* requests in system now */
    uint32_t in_queue;     /* requests waiting now */
    uint32_t in_service;   /* requests in service now (<= servers) */
    uint32_t pool_cap;     /* request records allocated; grows only at a new high-water mark */
} af_queue_stats;

/* Creates an empty queue with `servers` >= 1 parallel servers at speed 1, bound to sim
 * (borrowed; it must outlive the queue), with room for `hint` requests in system before the pool
 * grows (0 picks a default). */
af_queue *af_queue_new(af_sim *sim, uint32_t servers, uint32_t hint);

/* Releases the queue. Requests still in system are dropped without their callbacks and the
 * pending completion event is cancelled, so the sim must still exist. NULL is allowed. */
void af_queue_free(af_queue *q);

/* Submits a request at the current time with service demand demand_s (finite, >= 0;
 * device-seconds at full speed). It enters service at once if a server is free, else waits in
 * FIFO order. fn(sim, ctx, arg, done) runs on completion (fn may be NULL); a request of demand 0
 * completes in a later event at the same time. */
void af_queue_submit(af_queue *q, double demand_s, af_queue_done_fn fn, void *ctx, uint64_t arg);

/* Like af_queue_submit, for a request that also spends held_s seconds (finite, >= 0) outside
 * the servers: a flash read waiting for its die to finish or suspend a program, say, which takes
 * no device time from the other requests. The hold counts in the request's sojourn time (the
 * sum in af_queue_stats and the AF_QUEUE_SOJOURN histogram) but not in its waiting time, nor in
 * the numbers in system (so Little's law for the sojourn holds up to the summed holds). The
 * completion callback runs when service ends. A hold of 0 is af_queue_submit. */
void af_queue_submit_held(af_queue *q, double demand_s, double held_s, af_queue_done_fn fn,
                          void *ctx, uint64_t arg);

/* Sets the speed factor s in [0, 1] from now on (1 = the device's full speed, 0 = stalled: work
 * stops, nothing completes until a later call raises it). Requests in service keep the work
 * already done; their completion is rescheduled at the new speed.
 *
 * A speed below 1e-12 counts as 0 (af_queue_speed then reads 0): an owner that computes the
 * speed as 1 - load / capacity gets a rounding residue of about 1e-16 instead of 0 when the load
 * fills the capacity, and at 1e-12 a microsecond of service already takes 11 days. Likewise,
 * when at the current speed the next completion would lie at or beyond AF_TIME_MAX, none is
 * scheduled: the requests stay in service (and in af_queue_stats.in_system) until the speed
 * rises. Neither case is an error. */
void af_queue_set_speed(af_queue *q, double s);

/* The speed factor in force: the last one set, or 0 if that was below 1e-12. */
double af_queue_speed(const af_queue *q);

/* Number of servers. */
uint32_t af_queue_servers(const af_queue *q);

/* Starts a new statistics window now: zeroes the counters, sums, integrals and histograms
 * (typically after a warm-up). Requests in system are kept. */
void af_queue_reset_stats(af_queue *q);

/* Copies the statistics of the current window, integrals brought up to now, into *out. */
void af_queue_get_stats(const af_queue *q, af_queue_stats *out);

/* The p-quantile (p in [0, 1]; 0.5, 0.9, 0.99, 0.999 for p50 ... p99.9) of the waiting or
 * sojourn times of the requests completed in the window, in seconds: the k-th smallest recorded
 * value with k = max(1, ceil(p * completed)), up to the histogram's relative error (< 0.39%,
 * see above); p = 0 and p = 1 give the exact minimum and maximum. NaN if none completed. */
double af_queue_quantile_s(const af_queue *q, af_queue_latency which, double p);

/* Per-window quantiles. af_queue_hist_copy saves into base (af_queue_hist_size() counters) the
 * histogram of `which` as it is now; af_queue_quantile_since_s then gives the p-quantile, in s, of
 * the requests completed since that copy (the difference of the two histograms), with the
 * histogram's relative error, clamped to the extremes seen since creation; NaN when none
 * completed since. */
size_t af_queue_hist_size(void);
void af_queue_hist_copy(const af_queue *q, af_queue_latency which, uint64_t *base);
double af_queue_quantile_since_s(const af_queue *q, af_queue_latency which, double p,
                                 const uint64_t *base);

#endif
