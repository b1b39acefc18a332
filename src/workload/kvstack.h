/*
 * kvstack: an LRU stack by bytes, for the KV-cache tiers of LLM serving (infer_llm.c).
 *
 * Items (conversations' KV caches) are pushed on top with their size when used; an item pushed
 * again leaves its old place and goes on top at its new size. An item's depth is the bytes of
 * the entries above it: each other item counted once, at the size of its latest push. A cache
 * hierarchy of tiers with cumulative capacities C_1 < C_2 < ... that demotes on eviction and
 * promotes on use (exclusive LRU by bytes) holds an item in the first tier whose cumulative
 * capacity covers its depth plus its own size; the caller decides which side of the boundary
 * counts (infer_llm.c uses depth alone, as Che's approximation does).
 *
 * An entry whose item is forgotten (af_kvstack_detach: its conversation ended) stays in the stack,
 * pushing the others down, until it falls past the limit. A push evicts at once, from the
 * bottom, every entry it takes deeper than the limit (the capacity of all tiers): for good, as a
 * cache that dropped an item cannot find it again when what was above it leaves.
 *
 * Implementation: a Fenwick tree of sizes over push positions (Fenwick, "A new data structure
 * for cumulative frequency tables", Software: Practice and Experience 24(3), 1994), so a push and
 * a depth cost O(log n); when the positions run out the live entries are renumbered in order into
 * a fresh tree (twice as large when more than half are live). Memory grows only at a new
 * high-water mark of entries within the limit.
 */
#ifndef AF_WORKLOAD_KVSTACK_H
#define AF_WORKLOAD_KVSTACK_H

#include <stdint.h>

typedef struct af_kvstack af_kvstack;

/* An empty stack whose entries deeper than limit_B bytes are dropped (INFINITY: none). */
af_kvstack *af_kvstack_new(double limit_B);

/* Releases the stack (NULL allowed). */
void af_kvstack_free(af_kvstack *k);

/* Puts item id's entry on top with size_B >= 0 bytes (its earlier entry, if any, leaves). */
void af_kvstack_push(af_kvstack *k, uint32_t id, double size_B);

/* Bytes above item id's entry; INFINITY when it has none (never pushed, detached or dropped). */
double af_kvstack_depth(const af_kvstack *k, uint32_t id);

/* Forgets item id: its entry stays (and counts in the others' depths) but can no longer be found
 * by id, which may be given to a new item. Nothing when id has no entry. */
void af_kvstack_detach(af_kvstack *k, uint32_t id);

/* Bytes of every entry in the stack (those within the limit, and the deeper ones not yet
 * dropped). */
double af_kvstack_total(const af_kvstack *k);

#endif
