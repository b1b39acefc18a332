/*
 * heap: the engine's pending-event set, a d-ary min-heap (d = 4) of compact entries.
 *
 * An entry is (t_ns, seq, payload), ordered by t_ns and then by seq; the payload rides along
 * (the engine stores an event-pool slot there). Entries are 24-byte values in one array, so a
 * sift moves values and never chases a pointer, and sifts move a hole instead of swapping.
 *
 * Why 4-ary: a pop walks log4(n) levels instead of log2(n). Each level compares four adjacent
 * children (two cache lines) instead of two, so a pop does about as many compares as in a
 * binary heap but half as many dependent steps and cache misses. bench/phold measures both
 * (build with -DAF_HEAP_ARITY=2 for binary); the numbers are in heap.c's opening comment.
 *
 * Invariants (for every i > 0): !before(a[i], a[parent(i)]), where before() compares (t_ns, seq)
 * lexicographically. Keys should be distinct (the engine's seq is unique); equal keys are
 * allowed but then pop order among them is unspecified.
 *
 * The struct is declared here, rather than kept opaque, so the engine can embed it by value
 * (no indirection on the hot path) and read the minimum inline; its fields are private: use the
 * functions. It lives in caller storage: af_heap_init / af_heap_fini.
 */
#ifndef AF_ENGINE_HEAP_H
#define AF_ENGINE_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Children per node. A build-time switch for measurement only (-DAF_HEAP_ARITY=2 in CPPFLAGS
 * gives a binary heap); the library and everything linked with it must agree. */
#ifndef AF_HEAP_ARITY
#define AF_HEAP_ARITY 4
#endif

/* One pending entry, stored by value. */
typedef struct af_heap_entry {
    int64_t t_ns;     /* primary key: the event time in nanoseconds (any int64 value) */
    uint64_t seq;     /* secondary key: breaks ties in t_ns (the engine's insertion number) */
    uint32_t payload; /* caller data carried with the key (the engine's pool slot) */
} af_heap_entry;

/* A heap in caller storage. Private fields: use the functions below. */
typedef struct af_heap {
    af_heap_entry *a; /* entry 0 is the minimum; cache-aligned so sibling groups share lines */
    size_t n;         /* number of entries */
    size_t cap;       /* entries that fit in `a` before it must grow */
    void *mem;        /* the allocation `a` points into (a is aligned up from it) */
} af_heap;

/* Initialises an empty heap with room for `hint` entries before it grows (0 picks a small
 * default). Release with af_heap_fini. Aborts on out-of-memory, like every allocation. */
void af_heap_init(af_heap *h, size_t hint);

/* Releases the heap's memory; the heap may be initialised again. */
void af_heap_fini(af_heap *h);

/* Adds an entry. O(log n); grows the array geometrically (amortised O(1) allocation, none once
 * the array has reached its high-water mark). */
void af_heap_push(af_heap *h, int64_t t_ns, uint64_t seq, uint32_t payload);

/* Removes and returns the minimum entry. The heap must not be empty (asserted). O(log n). */
af_heap_entry af_heap_pop(af_heap *h);

/* Replaces the minimum entry by a new one and restores the heap: the same as a pop followed by
 * a push, in one sift. The heap must not be empty (asserted). Returns the old minimum. */
af_heap_entry af_heap_replace_min(af_heap *h, int64_t t_ns, uint64_t seq, uint32_t payload);

/* Removes every entry for which keep(ctx, entry) returns false, then rebuilds the heap in O(n)
 * (Floyd's construction). keep must not touch the heap. */
void af_heap_filter(af_heap *h, bool (*keep)(void *ctx, const af_heap_entry *e), void *ctx);

/* Number of entries. */
static inline size_t af_heap_size(const af_heap *h)
{
    return h->n;
}

/* The minimum entry, or NULL when the heap is empty. The pointer is valid until the next call
 * that changes the heap. */
static inline const af_heap_entry *af_heap_min(const af_heap *h)
{
    return h->n ? &h->a[0] : NULL;
}

/* Entry i in array order, 0 <= i < size: entry 0 is the minimum and entries 1 .. AF_HEAP_ARITY
 * are its children, one of which becomes the minimum after a pop unless a smaller entry is
 * pushed. For hints such as prefetching what will be needed soon; order beyond that is
 * unspecified. */
static inline const af_heap_entry *af_heap_at(const af_heap *h, size_t i)
{
    return &h->a[i];
}

/* Entries that fit before the next growth (for tests and memory accounting). */
static inline size_t af_heap_capacity(const af_heap *h)
{
    return h->cap;
}

#endif
