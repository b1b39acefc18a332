/*
 * sim_internal: engine introspection for tests and benchmarks only.
 *
 * Nothing in the simulator proper includes this header; it exists so that tests can prove the
 * pool stops growing once warm without widening the public interface in sim.h.
 */
#ifndef AF_ENGINE_SIM_INTERNAL_H
#define AF_ENGINE_SIM_INTERNAL_H

#include <stddef.h>

#include "engine/sim.h"

/* Number of event records the pool holds (in use or free). It grows geometrically only when
 * every record is in use; a run whose pending count stays bounded keeps it constant. */
size_t af_sim_pool_capacity(const af_sim *sim);

/* Entries in the pending-event heap, including cancelled entries not yet skipped or compacted
 * away. Right after any af_sim_cancel it is at most 2 * af_sim_events_pending(sim) + 64 (see
 * sim.c); between cancels, events that fire can only lower it. */
size_t af_sim_heap_entries(const af_sim *sim);

#endif
