/*
 * sim: the discrete-event engine; see sim.h for the interface.
 *
 * Data. Pending events are (t_ns, seq, slot) entries in a 4-ary heap (heap.h); `seq` is a
 * per-simulation insertion counter, so equal times run in scheduling order and every key is
 * unique. The handler, its context and argument live in a 32-byte record in a pool indexed by
 * slot. Free records form a singly linked list threaded through `next`; the most recently freed
 * record is reused first, so a handler that schedules its successor usually gets the record it
 * just vacated, still in cache. The pool doubles when the list runs dry, so once it has reached
 * a run's high-water mark scheduling never allocates.
 *
 * Event ids and cancellation. An id is (slot + 1, gen). A record's `gen` is bumped when its
 * event fires or is cancelled, so an old id never matches again (after 2^32 reuses of one slot
 * an id could in principle match again; that is 4e9 events through a single record). A record
 * is in one of three states:
 *   free      fn == NULL, on the free list, not in the heap;
 *   live      fn != NULL, in the heap exactly once, not on the free list;
 *   cancelled fn == NULL, still in the heap (a stale entry), not on the free list.
 * Cancelling is O(1): bump gen, clear fn, count one more stale entry. The run loop frees stale
 * records as their entries reach the top. So that heavy cancellation cannot fill the heap with
 * dead entries, af_sim_cancel compacts the heap (an O(n) filter and rebuild) when stale entries
 * outnumber live ones and there are at least AF_SIM_COMPACT_MIN of them; the cost is amortised
 * O(1) per cancel, and after any cancel the heap holds at most 2 * pending + AF_SIM_COMPACT_MIN
 * entries (firing events only lowers the count).
 *
 * Timers. A timer is a record of its own (handler, context, argument fixed at creation) and, while
 * armed, an entry in a binary heap of timers keyed like events by (t_ns, seq); each record knows
 * its heap position, so moving or disarming it is O(log timers) in place. The flow network gives
 * each block one, moved at every change of the block, which through the event heap would be a
 * cancel (a stale entry) and a push per change. Timers are few (one per block), so their heap
 * is small and separate: the event heap keeps its compact entries and its sifts untouched.
 *
 * Run loop (af_sim_run). Before each event, stale entries at the top are dropped. If hooks are
 * pending (af_sim_at_instant_end) and the next live event lies after the current time, or none is
 * pending, the instant is over: the hooks registered so far run, in registration order, and the
 * loop starts again (a hook may have scheduled an event now). The next event is the event heap's
 * first or the first armed timer, whichever comes first by (t_ns, seq). Then the first of these
 * that holds ends the call:
 *   AF_RUN_EMPTY   nothing is pending; the clock stays at the last event run (it does not move
 *                  to end_ns: there is no event to say time passed);
 *   AF_RUN_END     the next event is later than end_ns; the clock is set to end_ns. end_ns is
 *                  inclusive: events at exactly end_ns run before END is returned;
 *   AF_RUN_BUDGET  max_events events have run in this call (the budget is per call, so a run
 *                  can be continued in slices).
 * Otherwise the event is popped, the clock advances to its time, its record is freed (gen
 * bumped first, so the handler sees its own id as no longer pending) and the handler runs.
 * AF_RUN_STOPPED is returned right after a handler that called af_sim_stop; a stop requested
 * outside a run is forgotten when the next run starts.
 *
 * Poll hook (af_sim_set_poll). The budget check already counts events down, so the hook rides on
 * it: the loop counts down `rem`, the events left in the current slice, which is the smaller of
 * the budget left and the events until the hook's next call. Only when a slice runs out does the
 * loop look at which of the two it was; an event costs the same decrement and compare with or
 * without a hook (bench/phold measures it). The hook is called where the budget is checked:
 * after the instant's hooks, just before the next event runs. Programming errors, caught by assert:
 * af_sim_at with t_ns < now, af_sim_after with a negative delay or one that overflows the
 * clock, af_sim_run with end_ns < now or from inside a handler, a NULL handler.
 *
 * No global state; nothing here is thread-safe for one af_sim, but separate af_sim values are
 * independent.
 */
#include "engine/sim.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "engine/heap.h"
#include "engine/sim_internal.h"

/* Pool size and heap capacity used when af_sim_new is given 0. */
#define AF_SIM_DEFAULT_CAP 1024u

/* End of the free list. */
#define AF_SIM_NONE UINT32_MAX

/* Largest pool: slot + 1 must fit in af_event_id.slot and differ from AF_SIM_NONE. */
#define AF_SIM_MAX_CAP (UINT32_MAX - 1u)

/* Fewest stale heap entries worth a compaction (below this the O(n) pass is not worth it). */
#define AF_SIM_COMPACT_MIN 64u

/* Pool size above which the run loop prefetches upcoming records (see sim_prefetch_next). */
#define AF_SIM_PREFETCH_MIN 8192u

/* One event record (32 bytes; two per cache line). */
typedef struct af_event {
    af_event_fn fn; /* handler; NULL when the record is free or its event was cancelled */
    void *ctx;      /* handler context, borrowed from the caller */
    uint64_t arg;   /* handler argument */
    uint32_t gen;   /* generation; bumped each time the event fires or is cancelled */
    uint32_t next;  /* next free slot while on the free list, else unused */
} af_event;

/* A timer (see sim.h): its handler and, while armed, its key and its place in the timer heap. */
typedef struct af_timer_rec {
    af_event_fn fn;  /* handler; NULL while the timer is free */
    void *ctx;
    uint64_t arg;
    af_time_ns t_ns; /* time, while armed */
    uint64_t seq;    /* sequence number of the arming, while armed */
    uint32_t pos;    /* index in the timer heap, or AF_SIM_NONE when disarmed */
    uint32_t next;   /* next free timer while free */
} af_timer_rec;

/* A pending end-of-instant hook. */
typedef struct af_hook {
    af_instant_fn fn;
    void *ctx;
} af_hook;

struct af_sim {
    af_time_ns now;      /* the clock: time of the event running or last run (ns) */
    uint64_t seq;        /* insertion number for the next scheduled event */
    af_heap heap;        /* pending entries (t_ns, seq, slot), live and stale */
    af_event *pool;      /* event records, indexed by slot; aligned to 32 bytes */
    void *pool_mem;      /* the allocation `pool` points into */
    uint32_t pool_cap;   /* records in the pool */
    uint32_t free_head;  /* first free slot, or AF_SIM_NONE */
    uint64_t stale;      /* cancelled entries still in the heap */
    uint64_t events_run; /* events executed, over all calls of af_sim_run */
    bool stop;           /* af_sim_stop was called during the current run */
    bool running;        /* inside af_sim_run (catches re-entry from a handler) */
    af_hook *hooks;      /* end-of-instant hooks pending, in registration order */
    size_t n_hooks;      /* entries in hooks */
    size_t cap_hooks;    /* capacity of hooks */
    af_hook *running_hooks; /* the batch being run (hooks registered meanwhile go to `hooks`) */
    size_t cap_running;     /* capacity of running_hooks */
    af_timer_rec *timers;   /* timers, indexed by number */
    size_t n_timers;        /* timers made (in use or free) */
    size_t cap_timers;      /* capacity of timers */
    uint32_t free_timer;    /* first free timer, or AF_SIM_NONE */
    uint32_t *theap;        /* armed timers, a binary min-heap by (t_ns, seq) */
    uint32_t n_armed;       /* entries in theap */
    size_t cap_theap;       /* capacity of theap */
    af_poll_fn poll;        /* the poll hook, or NULL */
    void *poll_ctx;
    uint64_t poll_every; /* events between its calls (>= 1) */
    uint64_t run_left;   /* in af_sim_run: the budget left, counting the current slice */
    uint64_t run_slice;  /* in af_sim_run: events in the current slice */
};

/* Grows the pool to `cap` records (cap > pool_cap), keeping slots, and puts the new records on
 * the free list, lowest slot first. */
static void sim_pool_grow(af_sim *sim, uint32_t cap)
{
    assert(cap > sim->pool_cap);
    /* One spare record lets the array be aligned up to 32 bytes (malloc gives 16). */
    void *mem = af_malloc_array((size_t)cap + 1, sizeof(af_event));
    uintptr_t pad = (sizeof(af_event) - (uintptr_t)mem % sizeof(af_event)) % sizeof(af_event);
    af_event *pool = (af_event *)((char *)mem + pad);
    if (sim->pool_cap)
        memcpy(pool, sim->pool, (size_t)sim->pool_cap * sizeof(af_event));
    af_free(sim->pool_mem);
    for (uint32_t s = sim->pool_cap; s < cap; s++)
        pool[s] = (af_event){.fn = NULL, .gen = 0, .next = s + 1 < cap ? s + 1 : sim->free_head};
    sim->free_head = sim->pool_cap;
    sim->pool_mem = mem;
    sim->pool = pool;
    sim->pool_cap = cap;
}

/* Returns a free slot, growing the pool (doubling) if none is left. */
static inline uint32_t sim_slot_take(af_sim *sim)
{
    if (sim->free_head == AF_SIM_NONE) {
        assert(sim->pool_cap < AF_SIM_MAX_CAP && "too many pending events");
        uint32_t cap = sim->pool_cap > AF_SIM_MAX_CAP / 2 ? AF_SIM_MAX_CAP : sim->pool_cap * 2;
        sim_pool_grow(sim, cap);
    }
    uint32_t s = sim->free_head;
    sim->free_head = sim->pool[s].next;
    return s;
}

/* Puts slot s on the free list. Its fn must already be NULL. */
static inline void sim_slot_put(af_sim *sim, uint32_t s)
{
    sim->pool[s].next = sim->free_head;
    sim->free_head = s;
}

/* Starts loading the records of the events at the top of the heap: the next event's, needed
 * as soon as the handler returns, and those of the root's children, one of which usually runs
 * after it. The children rarely change between events, so these are mostly cache hits; the one
 * new line per event is requested a whole event ahead, which hides a miss in a large pool. A
 * pool of up to AF_SIM_PREFETCH_MIN records (256 KiB) stays cached and is not prefetched. */
static inline void sim_prefetch_next(const af_sim *sim)
{
    if (sim->pool_cap <= AF_SIM_PREFETCH_MIN)
        return;
    size_t n = af_heap_size(&sim->heap);
    for (size_t k = 0; k <= AF_HEAP_ARITY && k < n; k++)
        __builtin_prefetch(&sim->pool[af_heap_at(&sim->heap, k)->payload]);
}

af_sim *af_sim_new(uint32_t hint)
{
    af_sim *sim = af_calloc(1, sizeof(*sim));
    uint32_t cap = hint ? hint : AF_SIM_DEFAULT_CAP;
    if (cap > AF_SIM_MAX_CAP)
        cap = AF_SIM_MAX_CAP;
    sim->free_head = AF_SIM_NONE;
    sim->free_timer = AF_SIM_NONE;
    sim_pool_grow(sim, cap);
    af_heap_init(&sim->heap, cap);
    return sim;
}

void af_sim_free(af_sim *sim)
{
    if (!sim)
        return;
    af_heap_fini(&sim->heap);
    af_free(sim->pool_mem);
    af_free(sim->hooks);
    af_free(sim->running_hooks);
    af_free(sim->timers);
    af_free(sim->theap);
    af_free(sim);
}

af_time_ns af_sim_now(const af_sim *sim)
{
    return sim->now;
}

af_event_id af_sim_at(af_sim *sim, af_time_ns t_ns, af_event_fn fn, void *ctx, uint64_t arg)
{
    assert(t_ns >= sim->now && "event scheduled in the past");
    assert(fn != NULL);
    uint32_t s = sim_slot_take(sim);
    af_event *ev = &sim->pool[s];
    ev->fn = fn;
    ev->ctx = ctx;
    ev->arg = arg;
    af_heap_push(&sim->heap, t_ns, sim->seq++, s);
    return (af_event_id){.slot = s + 1, .gen = ev->gen};
}

af_event_id af_sim_after(af_sim *sim, af_time_ns delay_ns, af_event_fn fn, void *ctx, uint64_t arg)
{
    assert(delay_ns >= 0 && "negative delay");
    assert(delay_ns <= AF_TIME_MAX - sim->now && "event time overflows");
    return af_sim_at(sim, sim->now + delay_ns, fn, ctx, arg);
}

/* Returns the record id names if it is live, else NULL. */
static af_event *sim_live(const af_sim *sim, af_event_id id)
{
    if (id.slot == 0 || id.slot > sim->pool_cap)
        return NULL;
    af_event *ev = &sim->pool[id.slot - 1];
    return ev->gen == id.gen && ev->fn ? ev : NULL;
}

/* af_heap_filter callback for compaction: keeps live entries and frees stale records. */
static bool sim_keep_live(void *ctx, const af_heap_entry *e)
{
    af_sim *sim = ctx;
    if (sim->pool[e->payload].fn)
        return true;
    sim_slot_put(sim, e->payload);
    return false;
}

bool af_sim_cancel(af_sim *sim, af_event_id id)
{
    af_event *ev = sim_live(sim, id);
    if (!ev)
        return false;
    ev->gen++;
    ev->fn = NULL;
    sim->stale++;
    size_t live = af_heap_size(&sim->heap) - sim->stale;
    if (sim->stale >= AF_SIM_COMPACT_MIN && sim->stale > live) {
        af_heap_filter(&sim->heap, sim_keep_live, sim);
        sim->stale = 0;
    }
    return true;
}

bool af_sim_pending(const af_sim *sim, af_event_id id)
{
    return sim_live(sim, id) != NULL;
}

void af_sim_at_instant_end(af_sim *sim, af_instant_fn fn, void *ctx)
{
    assert(fn != NULL);
    sim->hooks = af_grow(sim->hooks, &sim->cap_hooks, sim->n_hooks + 1, sizeof(af_hook));
    sim->hooks[sim->n_hooks++] = (af_hook){fn, ctx};
}

void af_sim_forget_instant_end(af_sim *sim, af_instant_fn fn, void *ctx)
{
    size_t n = 0;
    for (size_t i = 0; i < sim->n_hooks; i++)
        if (sim->hooks[i].fn != fn || sim->hooks[i].ctx != ctx)
            sim->hooks[n++] = sim->hooks[i];
    sim->n_hooks = n;
    /* A batch being run may hold it too: blank it there (the runner skips NULL). */
    for (size_t i = 0; i < sim->cap_running; i++)
        if (sim->running_hooks[i].fn == fn && sim->running_hooks[i].ctx == ctx)
            sim->running_hooks[i].fn = NULL;
}

/* ---- timers ---- */

/* Whether timer a comes before timer b. */
static inline bool sim_timer_before(const af_sim *sim, uint32_t a, uint32_t b)
{
    const af_timer_rec *x = &sim->timers[a], *y = &sim->timers[b];
    return x->t_ns < y->t_ns || (x->t_ns == y->t_ns && x->seq < y->seq);
}

/* Puts timer id at heap position i and records it there. */
static inline void sim_theap_put(af_sim *sim, uint32_t i, uint32_t id)
{
    sim->theap[i] = id;
    sim->timers[id].pos = i;
}

/* Restores the timer heap's order around position i. */
static void sim_theap_fix(af_sim *sim, uint32_t i)
{
    uint32_t id = sim->theap[i];
    while (i > 0 && sim_timer_before(sim, id, sim->theap[(i - 1) / 2])) {
        sim_theap_put(sim, i, sim->theap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= sim->n_armed)
            break;
        if (c + 1 < sim->n_armed && sim_timer_before(sim, sim->theap[c + 1], sim->theap[c]))
            c++;
        if (!sim_timer_before(sim, sim->theap[c], id))
            break;
        sim_theap_put(sim, i, sim->theap[c]);
        i = c;
    }
    sim_theap_put(sim, i, id);
}

af_timer af_sim_timer_new(af_sim *sim, af_event_fn fn, void *ctx, uint64_t arg)
{
    assert(fn != NULL);
    uint32_t id;
    if (sim->free_timer != AF_SIM_NONE) {
        id = sim->free_timer;
        sim->free_timer = sim->timers[id].next;
    } else {
        assert(sim->n_timers < AF_SIM_MAX_CAP && "too many timers");
        sim->timers = af_grow(sim->timers, &sim->cap_timers, sim->n_timers + 1,
                              sizeof(af_timer_rec));
        id = (uint32_t)sim->n_timers++;
        sim->theap = af_grow(sim->theap, &sim->cap_theap, sim->n_timers, sizeof(uint32_t));
    }
    sim->timers[id] = (af_timer_rec){.fn = fn, .ctx = ctx, .arg = arg, .pos = AF_SIM_NONE};
    return id;
}

void af_sim_timer_set(af_sim *sim, af_timer t, af_time_ns t_ns)
{
    assert(t < sim->n_timers && sim->timers[t].fn && "unknown timer");
    assert(t_ns >= sim->now && "timer set in the past");
    af_timer_rec *r = &sim->timers[t];
    r->t_ns = t_ns;
    r->seq = sim->seq++;
    if (r->pos == AF_SIM_NONE)
        sim_theap_put(sim, sim->n_armed++, t);
    sim_theap_fix(sim, r->pos);
}

void af_sim_timer_clear(af_sim *sim, af_timer t)
{
    assert(t < sim->n_timers && sim->timers[t].fn && "unknown timer");
    uint32_t i = sim->timers[t].pos;
    if (i == AF_SIM_NONE)
        return;
    sim->timers[t].pos = AF_SIM_NONE;
    if (i < --sim->n_armed) {
        sim_theap_put(sim, i, sim->theap[sim->n_armed]);
        sim_theap_fix(sim, i);
    }
}

bool af_sim_timer_armed(const af_sim *sim, af_timer t, af_time_ns *t_ns)
{
    assert(t < sim->n_timers && sim->timers[t].fn && "unknown timer");
    const af_timer_rec *r = &sim->timers[t];
    if (r->pos == AF_SIM_NONE)
        return false;
    if (t_ns)
        *t_ns = r->t_ns;
    return true;
}

void af_sim_timer_free(af_sim *sim, af_timer t)
{
    af_sim_timer_clear(sim, t);
    sim->timers[t].fn = NULL;
    sim->timers[t].next = sim->free_timer;
    sim->free_timer = t;
}

/* Starts a slice of af_sim_run: the smaller of the budget left and `every` events. Returns its
 * length. */
static inline uint64_t sim_slice(af_sim *sim, uint64_t every)
{
    sim->run_slice = sim->run_left < every ? sim->run_left : every;
    return sim->run_slice;
}

/* A slice of af_sim_run is spent: either the budget is (AF_RUN_BUDGET), or the poll hook is due,
 * which may stop the run (AF_RUN_STOPPED). Returns the next slice's length, or 0 with *status
 * set when the run ends. Out of line: it runs once a slice, and keeps the loop's registers free. */
__attribute__((noinline, cold)) static uint64_t sim_slice_end(af_sim *sim, af_run_status *status)
{
    sim->run_left -= sim->run_slice;
    if (sim->run_left == 0) {
        *status = AF_RUN_BUDGET;
        return 0;
    }
    uint64_t every = UINT64_MAX;
    if (sim->poll) {
        every = sim->poll(sim, sim->poll_ctx);
        if (every == AF_SIM_POLL_STOP) {
            *status = AF_RUN_STOPPED;
            return 0;
        }
        sim->poll_every = every;
    }
    return sim_slice(sim, every);
}

/* Ends the current instant: runs the hooks pending now, in registration order. They are moved
 * to a second array first, so that hooks registered while they run wait for the next end. */
static void sim_run_hooks(af_sim *sim)
{
    size_t n = sim->n_hooks;
    sim->running_hooks = af_grow(sim->running_hooks, &sim->cap_running, n, sizeof(af_hook));
    memcpy(sim->running_hooks, sim->hooks, n * sizeof(af_hook));
    for (size_t i = n; i < sim->cap_running; i++)
        sim->running_hooks[i].fn = NULL;
    sim->n_hooks = 0;
    for (size_t i = 0; i < n; i++) {
        af_hook h = sim->running_hooks[i];
        if (h.fn) {
            sim->running_hooks[i].fn = NULL;
            h.fn(sim, h.ctx);
        }
    }
}

af_run_status af_sim_run(af_sim *sim, af_time_ns end_ns, uint64_t max_events)
{
    assert(!sim->running && "af_sim_run called from a handler");
    assert(end_ns >= sim->now && "end time before the clock");
    /* The budget is spent in slices of at most poll_every events; rem counts the current slice
     * down, and is the loop's only counter (the rest lives in sim, touched once a slice). */
    sim->run_left = max_events ? max_events : UINT64_MAX;
    uint64_t rem = sim_slice(sim, sim->poll ? sim->poll_every : UINT64_MAX);
    af_heap *heap = &sim->heap;
    af_run_status status;
    sim->stop = false;
    sim->running = true;
    for (;;) {
        const af_heap_entry *top = af_heap_min(heap);
        if (top && !sim->pool[top->payload].fn) { /* a cancelled event surfaced: drop it */
            uint32_t s = top->payload;
            af_heap_pop(heap);
            sim_slot_put(sim, s);
            sim->stale--;
            continue;
        }
        /* The next event: the heap's first, or the first armed timer if that comes before; the
         * instant ends first if hooks wait for it. Runs with neither timers nor hooks (PHOLD)
         * take the short branch. */
        const af_timer_rec *timer = NULL;
        af_time_ns t_next;
        if (__builtin_expect(sim->n_armed || sim->n_hooks, 0)) {
            if (sim->n_armed) {
                const af_timer_rec *r = &sim->timers[sim->theap[0]];
                if (!top || r->t_ns < top->t_ns || (r->t_ns == top->t_ns && r->seq < top->seq))
                    timer = r;
            }
            t_next = timer ? timer->t_ns : top ? top->t_ns : AF_TIME_MAX;
            if (sim->n_hooks && ((!top && !timer) || t_next > sim->now)) {
                sim_run_hooks(sim);
                continue;
            }
            if (!top && !timer) {
                status = AF_RUN_EMPTY;
                break;
            }
        } else {
            if (!top) {
                status = AF_RUN_EMPTY;
                break;
            }
            t_next = top->t_ns;
        }
        if (t_next > end_ns) {
            sim->now = end_ns;
            status = AF_RUN_END;
            break;
        }
        if (__builtin_expect(rem == 0, 0)) {
            rem = sim_slice_end(sim, &status);
            if (rem == 0)
                break;
            continue; /* looks at the next event afresh: the rare path never joins the hot one */
        }
        rem--;
        sim->now = t_next;
        af_event_fn fn;
        void *ctx;
        uint64_t arg;
        if (__builtin_expect(timer != NULL, 0)) {
            fn = timer->fn;
            ctx = timer->ctx;
            arg = timer->arg;
            af_sim_timer_clear(sim, sim->theap[0]);
        } else {
            uint32_t s = top->payload;
            af_event *ev = &sim->pool[s];
            fn = ev->fn;
            ctx = ev->ctx;
            arg = ev->arg;
            ev->gen++;
            ev->fn = NULL;
            sim_slot_put(sim, s);
            af_heap_pop(heap);
            sim_prefetch_next(sim);
        }
        sim->events_run++;
        fn(sim, ctx, arg);
        if (sim->stop) {
            status = AF_RUN_STOPPED;
            break;
        }
    }
    sim->running = false;
    return status;
}

void af_sim_stop(af_sim *sim)
{
    sim->stop = true;
}

void af_sim_set_poll(af_sim *sim, af_poll_fn fn, void *ctx, uint64_t every)
{
    assert(!fn || every >= 1);
    sim->poll = fn;
    sim->poll_ctx = ctx;
    sim->poll_every = fn ? every : 0;
}

uint64_t af_sim_events_run(const af_sim *sim)
{
    return sim->events_run;
}

uint64_t af_sim_events_pending(const af_sim *sim)
{
    return af_heap_size(&sim->heap) - sim->stale + sim->n_armed;
}

size_t af_sim_pool_capacity(const af_sim *sim)
{
    return sim->pool_cap;
}

size_t af_sim_heap_entries(const af_sim *sim)
{
    return af_heap_size(&sim->heap);
}
