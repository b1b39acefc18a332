/*
 * world: builds the simulated world from a scenario's configuration (config.h), runs it and
 * writes the results (base/metrics.h lists every metric).
 *
 * The scenario layer fills an af_world_config (strings and arrays in its arena); nothing here
 * knows about YAML. The run is deterministic: same configuration, same results.
 *
 * What moves data (see world.c for the details):
 * - Bulk transfers (training batch reads, bursts, cache fills, drains) are flows of the fluid
 *   model (engine/flow.h) over a path of resources: the client pool's storage NICs, the fabric
 *   stages between the pool and the tier (leaf uplinks, spine) when a fabric connects them, the
 *   tier's storage NICs, and the tier's devices. The devices are one resource measured in
 *   device-seconds per second (nodes x devices); a flow of op-size s bytes uses
 *   1/bandwidth + 1/(IOPS x s) device-seconds per byte, with the read or write figures by
 *   direction, so reads and writes interfere through one device-time budget.
 * - Small random reads (look-ups) are discrete requests queued at a tier's devices
 *   (engine/queue.h), served at the share of device time the fluid traffic leaves.
 */
#ifndef AF_WORKLOAD_WORLD_H
#define AF_WORKLOAD_WORLD_H

#include "base/diag.h"
#include "base/results.h"
#include "workload/config.h"

#include <stdint.h>

/* Builds the world described by cfg, runs it for cfg->duration_s and stores its metrics in res.
 * Returns AF_OK; AF_EINPUT with a message in d when the configuration cannot be built (a fabric
 * that cannot be planned, data sets that do not fit their tiers, an out-of-range step time); or
 * AF_EIO when the run could not complete (the event budget cannot suffice or ran out). */
int af_world_run(const af_world_config *cfg, af_results *res, af_diag *d);

/* Watching a run from outside: the command line's progress line and its Ctrl-C. The world calls
 * poll between events (engine/sim.h, af_sim_set_poll), first after `first` events (0: 1024), then
 * after as many as each call returns, with the simulated time reached, the run's end and the
 * events run so far (t_s and end_s in seconds). poll returns the events to run before its next
 * call (>= 1), or 0 to stop the run early: the world then finishes the current instant, settles
 * the transfers in flight and accounts every kind up to the time reached, as if the scenario's
 * duration had been that time, so every metric (run.duration, rates, shares, energy, cost)
 * covers the simulated time actually run, and the series end there too; the text metric
 * run.partial ("interrupted at 2.5 h of 6 h simulated") marks the results. A stop once the end
 * was reached changes nothing. The world itself reads no clock and prints nothing. */
typedef struct af_world_monitor {
    uint64_t (*poll)(void *ctx, double t_s, double end_s, uint64_t events);
    void *ctx;
    uint64_t first;
} af_world_monitor;

/* af_world_run under a monitor (NULL: af_world_run). A run stopped before any simulated time
 * passed has no results to give: AF_EIO, with a message. */
int af_world_run_monitored(const af_world_config *cfg, const af_world_monitor *mon, af_results *res,
                           af_diag *d);

/* Builds the world without running it: the checks of af_world_run that need no simulation (the
 * fabrics can be planned, the data sets fit, the step times are in range, the event estimate is
 * within the budget). Same return codes; for `aifsim validate`. */
int af_world_check(const af_world_config *cfg, af_diag *d);

/* The events a run will need, as estimated before it starts (world.c, "Event budget"). */
typedef struct af_world_estimate {
    double events;        /* all workloads, at most (GPUs never waiting) */
    uint64_t budget;      /* the run's event budget (max_events or the default) */
    const char *top_kind; /* kind of the workload needing the most ("train"), or NULL */
    const char *top_name; /* its name (borrowed from the configuration) */
    double top_events;    /* its events */
} af_world_estimate;

/* af_world_check, also filling est (when the world could be built, AF_EIO included). */
int af_world_check_estimate(const af_world_config *cfg, af_world_estimate *est, af_diag *d);

#endif
