/*
 * flow: the fluid model of bandwidth sharing (a flow network bound to an af_sim).
 *
 * Resources (links, NIC ports, storage channels, device pools) have a capacity in resource
 * units per second. A flow moves size_B bytes over a path of resources; it has a weight (its QoS
 * class), an optional per-member rate cap, and a multiplicity k: a *flow group* stands for k
 * identical flows (k GPUs each reading its own shard of size_B), counts as k flows of its weight
 * on every resource of its path and consumes k times its per-member rate there, yet costs one
 * entry, so the work per change does not grow with the number of GPUs.
 *
 * Scales. Each hop h of a path has a scale s_h > 0: the resource units a member uses per byte
 * it moves there. A group at per-member rate x consumes s_h * k * x units/s of resource path[h]
 * (summed over hops when a resource appears twice). With every scale 1 (af_flownet_start) a
 * unit is a byte and a capacity is in bytes/s. Scales let unlike traffic share one budget: a
 * storage tier's devices are one resource whose capacity is 1 device-second per second per
 * device, a read of op size s uses 1/bw_read + 1/(IOPS_read * s) device-seconds per byte and a
 * write its own figures, so reads and writes interfere through the one capacity.
 *
 * Rates are weighted max-min fair with caps: every flow has a bottleneck, either its own cap or
 * a saturated resource on its path on which no flow gets a larger rate per unit weight. They are
 * found by progressive filling (see flow.c) over the connected component a change touches (flows
 * that share resources, transitively), and only the completion events of flows whose rate
 * changed are rescheduled.
 *
 * Batching. Starts, ends, cancels and capacity changes take effect on the paths at once, but the
 * shares are recomputed once per instant: at the end of the instant (an af_sim end-of-instant
 * hook), or earlier when a query needs them (af_flownet_rate, af_flownet_bottleneck, the resource
 * load and utilization, af_flownet_get_stats) or the caller calls af_flownet_flush. So a
 * completion and the starts its callback makes, and every change of one instant anywhere in the
 * net, cost one recomputation over the union of what they touched. Progress queries (moved,
 * left, carried) and cancels need no recomputation: rates hold until the instant ends, so the
 * progress up to now is exact either way.
 *
 * Blocks. A component whose flows all cross one resource that limits them all (the common case
 * of many jobs behind one storage tier: every flow gets weight * C / W of that resource, and no
 * other resource or cap comes near) becomes a *block*: its flows share one clock, the bytes per
 * unit weight a member has moved, and one completion event, for the flow whose finishing point on
 * that clock comes first. A start or an end in a block then costs O(path * log n) instead of a
 * fill over its n flows and n event reschedules. The rates are exactly those of the max-min fill
 * (the block is made from a fill that froze the whole component in one round, and it is kept
 * only while that stays true: when a new flow would join it from outside, another resource or a
 * cap comes within the fill's tolerance of its level, or its capacity falls to 0, it is handed
 * back to the fill). af_flownet_set_blocks turns blocks off, for tests and measurements that
 * compare the two.
 *
 * Quantities: bytes (B), bytes per second (Bps), time in integer nanoseconds (af_time_ns).
 * Per-flow quantities (size, rate, bytes left, bytes transferred) are per member of a group and
 * in bytes; per-resource quantities (capacity, load, carried) are in resource units (bytes when
 * the scales are 1; the _Bps and _B suffixes below name that case) and count every member.
 *
 * Progress: a flow's bytes moved per member are the sum of rate * elapsed time over its rate
 * periods, kept in that form (not as size_B less bytes left, which would round to the ulp of
 * size_B and, times k, could credit a resource more than its capacity carried), and they count
 * whether or not the flow has a completion event. Elapsed time is the sim's clock: a sim whose
 * queue runs empty keeps its clock (af_sim_run), so a caller that reads progress at an end time
 * must have the clock reach it.
 *
 * Completion: a flow is complete when the bytes left of its whole group fall to at most
 * AF_FLOWNET_TOL_REL * k * size_B, or to at most AF_FLOWNET_TOL_B while they are also at most a
 * millionth of the group's bytes: no flow passes more than a millionth of its bytes without
 * time, and a flow that has moved nothing is never complete (unless its size is 0). Its completion event is scheduled at
 * now + ceil(bytes_left / rate) ns; a flow at rate 0 has none (it waits for a change). When it
 * fires, every flow of the component (or block) that is complete at that instant ends together
 * (their callbacks run in the order the flows were started; a callback that queries a rate sees
 * the shares without them).
 * Accounting is exact: a completed flow credits exactly s_h * k * size_B units to resource
 * path[h] for every hop h, whatever floating-point residue its progress left.
 *
 * Range. Weights and scales may be any mix of values in [AF_FLOWNET_MIN_FACTOR,
 * AF_FLOWNET_MAX_FACTOR] = [1e-30, 1e30], with any k and capacities up to 1e30 units/s: no ratio
 * between them is too large (a weight of 1e6 beside one of 1e-12, times scales from 1e-15 to 1e3
 * and groups of 1e7, is solved like any other case). A weight or scale outside the range is
 * taken as the nearest bound (the flow shares as if it had that value, and a clamped scale is
 * what its resources are charged), so every finite positive value is accepted. Rounding is
 * relative to each resource's traffic: a flow whose fair share of a resource is below about
 * 1e-16 of that resource's capacity, because much heavier flows bottlenecked elsewhere take the
 * rest, may get rate 0; and a positive rate so small that the completion lies beyond the clock
 * (AF_TIME_MAX) schedules no event (its progress still counts, see Progress). Neither lasts for
 * ever: rates are recomputed at every change of the component (the heavy flows ending,
 * typically), and the flow completes once its rate allows.
 *
 * Preconditions are checked with assert (they are the calling model's bugs, not user input:
 * the scenario layer validates configuration before the world is built).
 *
 * Not thread-safe for one net; separate nets (on separate sims) are independent.
 */
#ifndef AF_ENGINE_FLOW_H
#define AF_ENGINE_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/sim.h"

typedef struct af_flownet af_flownet;

/* Handle of a flow. Like af_event_id: a pool slot and a generation, so the id of a flow that
 * has ended never names a later flow. The zero value ({0, 0}) never names a live flow. */
typedef struct af_flow_id {
    uint32_t slot; /* pool slot + 1 (0 = none) */
    uint32_t gen;  /* generation of the slot when the flow started */
} af_flow_id;

/* Longest path a flow may have (resources per path). */
#define AF_FLOWNET_MAX_PATH 12u

/* af_flownet_bottleneck: the flow is held back by its own rate cap, not by a resource. */
#define AF_FLOWNET_CAPPED (UINT32_MAX - 1u)

/* af_flownet_bottleneck: the id names no live flow. */
#define AF_FLOWNET_NONE UINT32_MAX

/* Completion tolerance: a flow whose group has at most TOL_REL * k * size_B bytes left (k
 * members), or at most TOL_B bytes that are also at most a millionth of k * size_B, is complete.
 * Floating-point drift in bytes moved is about 1e-16 relative per rate change, so TOL_REL leaves
 * room for millions of changes; TOL_B absorbs rounding on small flows. TOL_B counts the whole
 * group, and the millionth bounds it on tiny flows, so no flow passes more than a millionth of
 * its bytes without time, however many members it has or however often it starts. */
#define AF_FLOWNET_TOL_B 1.0
#define AF_FLOWNET_TOL_REL 1e-9

/* The range of weights and scales the solver carries (see Range above); values outside it are
 * clamped to it. */
#define AF_FLOWNET_MIN_FACTOR 1e-30
#define AF_FLOWNET_MAX_FACTOR 1e30

/* Counters for benchmarks and reports (cumulative since af_flownet_new). */
typedef struct af_flownet_stats {
    uint64_t starts;         /* flows started */
    uint64_t ends;           /* flows completed or cancelled */
    uint64_t updates;        /* progressive fills (at most one per flush) */
    uint64_t flows_touched;  /* sum over updates of the flows in the component */
    uint64_t res_touched;    /* sum over updates of the resources in the component */
    uint64_t levels;         /* sum over updates of progressive-filling levels */
    uint64_t reschedules;    /* completion events scheduled (each after a rate change) */
    uint64_t resums;         /* unfrozen weights of a resource summed afresh in a fill (only
                                when weights far apart cancelled; see flow.c) */
    uint64_t blocks;          /* blocks made (each from a fill) */
    uint64_t block_joins;     /* flows placed into a block (at their start or at its making) */
    uint64_t block_leaves;    /* flows that left a block (completed or cancelled) */
    uint64_t block_settles;   /* blocks settled at a flush (one level and one event each) */
    uint64_t block_dissolves; /* blocks handed back to the fill */
    uint64_t block_rebases;   /* block clocks rebased to 0 */
    uint32_t blocks_live;     /* blocks in use now */
    uint32_t max_comp_flows; /* most flows in one fill (a group counts once; a flush fills the
                                union of the components its changes touched) */
    uint32_t flows_live;     /* flows (entries) now in progress */
    uint32_t flow_pool_cap;  /* flow records allocated; grows only at a new high-water mark */
} af_flownet_stats;

/* Creates an empty flow network bound to sim (borrowed; it must outlive the net), with room
 * for `hint` flows before the pool grows (0 picks a default). */
af_flownet *af_flownet_new(af_sim *sim, uint32_t hint);

/* Releases the net. Completion events of flows still in progress are cancelled (their
 * callbacks never run), so the sim must still exist. NULL is allowed. */
void af_flownet_free(af_flownet *net);

/* Adds a resource of capacity_Bps units/s (finite, >= 0) and returns its id; ids are 0, 1, 2,
 * ... in the order of addition. name (may be NULL) is copied; it is only for reports. */
uint32_t af_flownet_resource_add(af_flownet *net, const char *name, double capacity_Bps);

/* Changes the capacity of resource r, units/s (finite, >= 0; 0 models a failed link), at the
 * current time, resharing its component. */
void af_flownet_set_capacity(af_flownet *net, uint32_t r, double capacity_Bps);

/* Starts a flow at the current time and returns its id. path: n_path resource ids
 * (n_path <= AF_FLOWNET_MAX_PATH; copied; a resource may appear twice and then counts twice);
 * n_path may be 0 only with a cap. size_B >= 0: bytes per member. weight > 0: share per member
 * relative to other flows at a common bottleneck (clamped to [AF_FLOWNET_MIN_FACTOR,
 * AF_FLOWNET_MAX_FACTOR]). cap_Bps >= 0: per-member rate cap, 0 for none. k >= 1: group
 * multiplicity. On completion fn(sim, ctx, arg) runs (fn may be NULL) as an event handler, never
 * from inside this call, even for size_B == 0; by then the flow has ended and its id is dead. Every
 * hop has scale 1: the same as af_flownet_start_scaled with scale NULL. */
af_flow_id af_flownet_start(af_flownet *net, const uint32_t *path, uint32_t n_path, double size_B,
                            double weight, double cap_Bps, uint32_t k, af_event_fn fn, void *ctx,
                            uint64_t arg);

/* Starts a flow like af_flownet_start, with per-hop scales: scale[h] (finite, > 0) is the
 * resource units one member uses per byte it moves at hop h, so at per-member rate x the flow
 * consumes scale[h] * k * x units/s of path[h] (each scale clamped like the weight). scale has
 * n_path entries (copied) or is NULL for all 1. The weight and cap stay per member in bytes: at a
 * resource where it is bottlenecked a flow gets weight * L bytes/s like any other, and a larger
 * scale makes it cost more of the resource, not get less of the level. */
af_flow_id af_flownet_start_scaled(af_flownet *net, const uint32_t *path, const double *scale,
                                   uint32_t n_path, double size_B, double weight, double cap_Bps,
                                   uint32_t k, af_event_fn fn, void *ctx, uint64_t arg);

/* Ends a flow now without running its callback, resharing its component. Returns the bytes
 * each member had transferred (in [0, size_B]), or -1 if id names no live flow (it completed,
 * was cancelled, or is the zero id). */
double af_flownet_cancel(af_flownet *net, af_flow_id id);

/* Recomputes the shares now for every change since the last recomputation (see Batching
 * above); does nothing when there is none. Must not be called from a watcher. */
void af_flownet_flush(af_flownet *net);

/* Allows (on, the default) or forbids blocks (see Blocks above); forbidding them hands every
 * block back to the fill. The rates are the same either way, to rounding; the cost is not. */
void af_flownet_set_blocks(af_flownet *net, bool on);

/* Sets the watcher of rate changes, or none (fn NULL): at each recomputation fn(ctx, id, arg)
 * is called, with the flow's id and its callback argument, for every flow whose bottleneck
 * changed or whose rate changed other than with its block's level: a flow in a block is told
 * when it gets its first rate there, and then not when the block's level moves, which moves
 * every rate of the block by one factor (their ratios, and which resource holds them back, stay).
 * fn must not call into the net (it may note the flow and look later). */
void af_flownet_watch(af_flownet *net, void (*fn)(void *ctx, af_flow_id id, uint64_t arg),
                      void *ctx);

/* True if id names a flow in progress. */
bool af_flownet_live(const af_flownet *net, af_flow_id id);

/* Current rate of each member of a flow, Bps; 0 for a dead id. */
double af_flownet_rate(af_flownet *net, af_flow_id id);

/* Bytes each member of a flow has left now, in [0, size_B]; 0 for a dead id. */
double af_flownet_left(const af_flownet *net, af_flow_id id);

/* Bytes each member of a flow has moved since its start, in [0, size_B]: the sum of rate *
 * elapsed time, exact to rounding relative to itself (not to size_B, as size_B less
 * af_flownet_left would be); 0 for a dead id. */
double af_flownet_moved(const af_flownet *net, af_flow_id id);

/* The resource that limits a flow: the lowest-id resource on its path that saturated at the
 * flow's level, AF_FLOWNET_CAPPED if its own cap limits it, AF_FLOWNET_NONE for a dead id. */
uint32_t af_flownet_bottleneck(af_flownet *net, af_flow_id id);

/* Number of resources. */
uint32_t af_flownet_resource_count(const af_flownet *net);

/* Name of resource r as given to af_flownet_resource_add (borrowed, valid until the net is
 * freed), or NULL. */
const char *af_flownet_resource_name(const af_flownet *net, uint32_t r);

/* Capacity of resource r, units/s. */
double af_flownet_resource_capacity(const af_flownet *net, uint32_t r);

/* Load on resource r now, units/s: the sum over the hops through r of scale * k * rate. */
double af_flownet_resource_load(af_flownet *net, uint32_t r);

/* Load over capacity, in [0, 1] up to rounding; 0 for a resource of capacity 0. */
double af_flownet_resource_utilization(af_flownet *net, uint32_t r);

/* Units carried by resource r from the creation of the net until now, every member counted:
 * for each hop through r, scale * k * bytes moved (bytes when the scale is 1); exact totals of
 * the flows that ended plus the progress of those in progress. Costs O(flows on r). */
double af_flownet_resource_carried(const af_flownet *net, uint32_t r);

/* Number of flow entries (a group counts once) now on resource r. */
uint32_t af_flownet_resource_flows(const af_flownet *net, uint32_t r);

/* Copies the counters into *out. */
void af_flownet_get_stats(af_flownet *net, af_flownet_stats *out);

#endif
