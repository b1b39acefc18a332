/*
 * readbank: small random reads on a tier's devices, each device a first-come-first-served server,
 * with completions computed directly instead of one engine event per read.
 *
 * An inference request reads `n` features (4 KiB random reads) from a tier of D devices. Each read
 * goes to one device drawn uniformly (data is spread over all devices), and each device serves
 * its reads one at a time in arrival order at speed s(t): the share of device time the bulk
 * (fluid) traffic leaves, set by the owner with af_readbank_set_speed. Because a device is FCFS
 * and the speed is common to all devices, the finish of a read is known when it arrives, in units
 * of work: with W(t) = integral of s over time (device-seconds a device has delivered since the
 * start), a read of demand d arriving at t on device k finishes when W reaches
 * F = max(W(t), F_k) + d, and F_k becomes F (Lindley's recursion in work units; d is the
 * request's own, so reads of several demands may share a device). A request is done
 * when the last of its reads is: when W reaches max over its reads of F_i, plus, after that, the
 * time its slowest read waited behind a program or erase (af_read_blocking) and the device latency
 * that the service demand leaves out (`extra_s`, see af_readbank_new). The bank keeps its pending
 * requests in a heap keyed by that work coordinate and keeps one engine event: the time at which,
 * at the current speed, W reaches the smallest key. A speed change moves only that one event. So
 * the engine runs about one event per request, not one per read: this is what makes 10,000
 * requests/s with 20 reads each cheap (bench/readbench). Requests of different demands may share
 * one bank (af_readbank_submit_demand: several services reading features of different sizes from
 * one tier), so that their reads queue at the same devices.
 *
 * What a read waits behind writes is real time (the die is busy), not device work: it is added to
 * the request's key as work at the speed in force when the read arrived (exact while the speed
 * holds; a speed change during that wait stretches or shrinks it by the ratio of the speeds), and
 * it delays that read only, not the reads queued behind it on its device (F_k does not include it:
 * the die is busy, the device's other dies keep serving). extra_s is converted the same way.
 * Submitted at speed 0, both are converted at the last positive speed (1 if there was none).
 *
 * Speed 0 (bulk traffic takes all device time): W stops, nothing completes, the event is
 * cancelled until the speed rises (af_readbank_stats.unserved_s counts that time).
 *
 * Memory: the heap and the request records grow at a new high-water mark only; a steady state
 * allocates nothing per request. Preconditions are checked with assert (the model's bugs, not
 * input). Deterministic given the rngs: where reads land is drawn from one stream and whether and
 * how long they wait behind writes from another (when the owner gives one), so that a change to
 * the writes leaves the devices the reads hit as they were.
 */
#ifndef AF_WORKLOAD_READBANK_H
#define AF_WORKLOAD_READBANK_H

#include "engine/sim.h"
#include "model/storage.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct af_readbank af_readbank;

/* What the owner learns when a request's reads are done (borrowed for the call). */
typedef struct af_readbank_done {
    af_time_ns submit_ns;  /* when the request was submitted */
    af_time_ns end_ns;     /* when its last read completed: now */
    double queue_s;        /* of its latency, the part its slowest read waited for its device
                            * (other reads ahead of it), s, at the speed in force at submission
                            * (at speed 0, the last positive speed); an estimate when the speed
                            * changes while the request is pending */
    double blocked_s;      /* the part its slowest read waited behind a program or erase, s */
} af_readbank_done;

/* Called when a request's reads are all done, from an engine event (never from inside
 * af_readbank_submit or af_readbank_set_speed). It may submit requests and set the speed. */
typedef void (*af_readbank_done_fn)(af_sim *sim, void *ctx, uint64_t arg,
                                    const af_readbank_done *done);

/* Totals since creation. */
typedef struct af_readbank_stats {
    uint64_t requests;  /* requests submitted */
    uint64_t completed; /* requests completed */
    uint64_t reads;     /* reads submitted */
    double demand_s;    /* device-seconds of the reads submitted (at full speed), each at its
                         * request's demand */
    double blocked_reads; /* reads that waited behind a program or erase */
    double unserved_s;  /* time at speed 0, s */
    uint32_t pending;   /* requests submitted and not yet completed */
} af_readbank_stats;

/* A bank of `devices` >= 1 FCFS devices at speed 1, on sim (borrowed; it must outlive the bank),
 * drawing devices from rng and waits behind writes from rng_wait (both borrowed; rng_wait NULL:
 * from rng too). Every read of a request submitted with af_readbank_submit costs demand_s
 * device-seconds at full speed; extra_s >= 0 is added once to every such request's latency (the
 * part of the device's read latency its service time does not cover, see workload/lookup.c). */
af_readbank *af_readbank_new(af_sim *sim, gsl_rng *rng, gsl_rng *rng_wait, uint32_t devices,
                             double demand_s, double extra_s);

/* Releases the bank; pending requests are dropped without their callbacks and its event is
 * cancelled (the sim must still exist). NULL is allowed. */
void af_readbank_free(af_readbank *b);

/* Submits, now, a request of `reads` >= 1 reads; fn(sim, ctx, arg, done) runs when they are all
 * done (fn may be NULL: nothing runs). */
void af_readbank_submit(af_readbank *b, uint32_t reads, af_readbank_done_fn fn, void *ctx,
                        uint64_t arg);

/* af_readbank_submit with the request's own demand: each of its reads costs demand_s >= 0
 * (finite) device-seconds at full speed, and extra_s >= 0 (finite) is added once to its latency,
 * in place of the bank's. */
void af_readbank_submit_demand(af_readbank *b, uint32_t reads, double demand_s, double extra_s,
                               af_readbank_done_fn fn, void *ctx, uint64_t arg);

/* Sets the speed s in [0, 1] from now on (below 1e-12 counts as 0). */
void af_readbank_set_speed(af_readbank *b, double s);

/* Sets from now on how reads wait behind writes (NULL or all zero: they do not). Copied. */
void af_readbank_set_blocking(af_readbank *b, const af_read_blocking *blk);

/* Copies the totals into *out. */
void af_readbank_get_stats(const af_readbank *b, af_readbank_stats *out);

#endif
